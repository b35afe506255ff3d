/* SPDX-License-Identifier: MIT */
/*
 * Limits of the SMTP server machine at cap-1, cap and cap+1 (issue 8):
 * max_command_line, max_text_line, max_recipients, max_bad_commands and
 * max_message_size of mw_smtp_server_config. Each input goes through
 * replay_check() (whole, per byte, every split), so the status and stream
 * offset of every error are the same however the bytes arrive; the offset
 * is then checked against the position of the offending line or command,
 * worked out here from the input. tests/LIMITS.md lists which test covers
 * which limit.
 *
 * Built whatever modules are on (the CMake name gating does not apply to
 * test_limits_*): the tests exist only when the SMTP server does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/mailwire.h"
#include "evlog.h"
#include "replay.h"
#include "limits_common.h"
#if MW_ENABLE_SMTP_CLIENT
#include "smtp_client_harness.h"
#endif

/* A domain of `len` octets: labels of 49 octets (inline: unused in a
 * build without SMTP). */
static inline void put_domain(inbuf *b, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        in_add(b, i + 1 == len ? "x" : i % 50 == 49 ? "." : "d", 1);
}

#if MW_ENABLE_SMTP_SERVER

/* ---- a server with the machine's default replies, logging events ------ */

typedef struct lsrv {
    mw_smtp_server s;
    mw_smtp_server_config cfg;
    char line[4096]; /* holds every max_command_line tried below */
    evlog *log;
    int hook; /* log commands; answer AUTH without a response with 334 */
} lsrv;

static int l_send(mw_smtp_server *s, void *u, const char *p, size_t n)
{
    lsrv *x = u;
    (void)s;
    evlog_data(x->log, "out", p, n);
    return 0;
}

static int l_data(mw_smtp_server *s, void *u, const char *p, size_t n)
{
    (void)s;
    (void)u;
    (void)p;
    (void)n;
    return 0;
}

static int l_data_end(mw_smtp_server *s, void *u, int status)
{
    lsrv *x = u;
    evlog_printf(x->log, "data_end %s", mw_status_name(status));
    return status == MW_OK ? mw_smtp_server_reply_default(s) : 0;
}

static int l_error(mw_smtp_server *s, void *u, int st, size_t off,
                   const char *why)
{
    lsrv *x = u;
    (void)s;
    (void)why;
    evlog_printf(x->log, "error %s @%zu", mw_status_name(st), off);
    return 0;
}

/* With `hook`: each command logged with its offset, argument length and
 * unknown parameters; AUTH without an initial response is challenged. */
static int l_command(mw_smtp_server *s, void *u, const mw_smtp_cmd *c)
{
    lsrv *x = u;
    evlog_printf(x->log, "cmd %s @%zu arg=%zu params=%zu init=%zu",
                 mw_smtp_verb_name(c->verb), c->offset, c->arg.len, c->nparams,
                 c->has_initial ? c->auth_initial.decoded.len : 0u);
    if (c->verb == MW_SMTP_CMD_AUTH && !c->has_initial)
        return mw_smtp_server_auth_challenge(s, NULL, 0);
    if (c->verb == MW_SMTP_CMD_AUTH)
        return mw_smtp_server_reply(s, 235, "2.7.0 ok");
    return mw_smtp_server_reply_default(s);
}

static int l_auth_response(mw_smtp_server *s, void *u, const mw_smtp_sasl *r)
{
    lsrv *x = u;
    evlog_printf(x->log, "sasl %zu", r->decoded.len);
    return mw_smtp_server_reply(s, 235, "2.7.0 ok");
}

static void l_reset(void *ctx, evlog *log)
{
    lsrv *x = ctx;
    mw_smtp_server_callbacks cb = {0};
    cb.send = l_send;
    cb.data = l_data;
    cb.data_end = l_data_end;
    cb.error = l_error;
    if (x->hook) {
        cb.command = l_command;
        cb.auth_response = l_auth_response;
    }
    x->log = log;
    assert_int_equal(mw_smtp_server_init(&x->s, &x->cfg, &cb, x, x->line,
                                         sizeof x->line),
                     MW_OK);
    assert_int_equal(mw_smtp_server_start(&x->s, NULL), MW_OK);
    evlog_reset(log);
}

static int l_feed(void *ctx, const char *p, size_t n, size_t *consumed)
{
    lsrv *x = ctx;
    return mw_smtp_server_feed(&x->s, p, n, consumed);
}

static const replay_ops l_ops = {l_reset, l_feed, NULL};

static void l_init(lsrv *x)
{
    memset(x, 0, sizeof *x);
    mw_smtp_server_config_init(&x->cfg);
}

static void run(lsrv *x, const inbuf *in, evlog *log)
{
    evlog_init(log);
    replay_check(&l_ops, x, in->p, in->len, log);
}

/* max_command_line counts the CRLF (RFC 5321 §4.5.3.1.4: 512). Commands
 * of cap-1 and cap octets are answered, cap+1 gets "500" and MW_E_TOO_LONG
 * at the start of that line, and the session goes on. */
static void test_smtp_server_max_command_line(void **state)
{
    static const size_t caps[] = {MW_SMTP_MAX_COMMAND_LINE, 513, 1000};
    size_t k;
    (void)state;
    for (k = 0; k < sizeof caps / sizeof caps[0]; k++) {
        lsrv x;
        evlog log;
        inbuf in = {0};
        char want[64];
        size_t cap = caps[k], off3;
        l_init(&x);
        x.cfg.max_command_line = cap;
        in_line(&in, "NOOP ", cap - 1);
        in_line(&in, "NOOP ", cap);
        off3 = in.len;
        in_line(&in, "NOOP ", cap + 1);
        in_str(&in, "NOOP\r\n");
        run(&x, &in, &log);
        assert_int_equal(log_count(&log, "250 "), 3);
        snprintf(want, sizeof want, "error MW_E_TOO_LONG @%zu\n", off3);
        log_has(&log, want);
        assert_int_equal(log_count(&log, "error"), 1);
        log_has(&log, "500 ");
        evlog_free(&log);
        free(in.p);
    }
}

/* max_text_line counts the CRLF after unstuffing (RFC 5321 §4.5.3.1.6:
 * 1000). A message with lines of cap-1 and cap octets is accepted (a
 * stuffed line of cap+1 octets on the wire too), one with a line of cap+1
 * is rejected at its end (data_end MW_E_TOO_LONG). The error is at the
 * cap-th octet of that line, the first that cannot be in a line of cap
 * octets (only its LF could stand there); for a stuffed line that is one
 * octet further on the wire. */
static void test_smtp_server_max_text_line(void **state)
{
    static const size_t caps[] = {MW_SMTP_MAX_TEXT_LINE, 80};
    size_t k;
    (void)state;
    for (k = 0; k < sizeof caps / sizeof caps[0]; k++) {
        lsrv x;
        evlog log;
        inbuf in = {0};
        char want[64];
        size_t cap = caps[k], bad, bad2;
        l_init(&x);
        x.cfg.max_text_line = cap;
        in_str(&in, "EHLO a.example\r\nMAIL FROM:<a@a.example>\r\n"
                    "RCPT TO:<b@b.example>\r\nDATA\r\n");
        in_line(&in, "a", cap - 1);
        in_line(&in, "b", cap);
        in_line(&in, "..", cap + 1); /* cap octets once unstuffed */
        in_str(&in, ".\r\nMAIL FROM:<a@a.example>\r\n"
                    "RCPT TO:<b@b.example>\r\nDATA\r\n");
        in_line(&in, "c", cap);
        bad = in.len;
        in_line(&in, "d", cap + 1);
        in_str(&in, ".\r\nMAIL FROM:<a@a.example>\r\n"
                    "RCPT TO:<b@b.example>\r\nDATA\r\n");
        bad2 = in.len;
        in_line(&in, "..", cap + 2); /* cap+1 octets once unstuffed */
        in_str(&in, ".\r\nQUIT\r\n");
        run(&x, &in, &log);
        log_has(&log, "data_end MW_OK\n");
        assert_int_equal(log_count(&log, "data_end"), 3);
        snprintf(want, sizeof want, "error MW_E_TOO_LONG @%zu\n", bad + cap - 1);
        log_has(&log, want);
        snprintf(want, sizeof want, "error MW_E_TOO_LONG @%zu\n", bad2 + cap);
        log_has(&log, want);
        assert_int_equal(log_count(&log, "error"), 2);
        assert_int_equal(log_count(&log, "data_end MW_E_TOO_LONG\n"), 2);
        log_has(&log, "221 ");
        evlog_free(&log);
        free(in.p);
    }
}

/* max_recipients: cap recipients are accepted, the cap+1-th gets "452
 * 4.5.3" (RFC 5321 §4.5.3.1.10) with MW_E_LIMIT at that RCPT, and the
 * message still goes to the cap accepted. */
static void test_smtp_server_max_recipients(void **state)
{
    static const unsigned caps[] = {1, 2, MW_SMTP_MAX_RECIPIENTS};
    size_t k;
    (void)state;
    for (k = 0; k < sizeof caps / sizeof caps[0]; k++) {
        unsigned n;
        for (n = caps[k] - 1; n <= caps[k] + 1; n++) {
            lsrv x;
            evlog log;
            inbuf in = {0};
            char want[64];
            size_t last = 0;
            unsigned i;
            l_init(&x);
            x.cfg.max_recipients = caps[k];
            in_str(&in, "EHLO a.example\r\nMAIL FROM:<a@a.example>\r\n");
            for (i = 0; i < n; i++) {
                last = in.len;
                in_str(&in, "RCPT TO:<b@b.example>\r\n");
            }
            in_str(&in, "RSET\r\n");
            run(&x, &in, &log);
            if (n <= caps[k]) {
                log_lacks(&log, "452");
                log_lacks(&log, "error");
            } else {
                log_has(&log, "452 4.5.3 ");
                snprintf(want, sizeof want, "error MW_E_LIMIT @%zu\n", last);
                log_has(&log, want);
                assert_int_equal(log_count(&log, "error"), 1);
            }
            /* EHLO, MAIL, accepted RCPTs, RSET */
            assert_int_equal(log_count(&log, "250 "),
                             3 + (n < caps[k] ? n : caps[k]));
            evlog_free(&log);
            free(in.p);
        }
    }
}

/* max_bad_commands: cap bad commands are answered as such; one more is
 * answered "421" and ends the session (MW_E_LIMIT at that command). */
static void test_smtp_server_max_bad_commands(void **state)
{
    static const unsigned caps[] = {1, 2, 20};
    size_t k;
    (void)state;
    for (k = 0; k < sizeof caps / sizeof caps[0]; k++) {
        unsigned n;
        for (n = caps[k] - 1; n <= caps[k] + 1; n++) {
            lsrv x;
            evlog log;
            inbuf in = {0};
            char want[64];
            size_t last = 0;
            unsigned i;
            l_init(&x);
            x.cfg.max_bad_commands = caps[k];
            for (i = 0; i < n; i++) {
                last = in.len;
                in_str(&in, "BOGUS\r\n");
            }
            in_str(&in, "NOOP\r\n");
            run(&x, &in, &log);
            if (n <= caps[k]) {
                log_lacks(&log, "421");
                log_lacks(&log, "MW_E_LIMIT");
                log_has(&log, "250 ");
            } else {
                log_has(&log, "421 ");
                snprintf(want, sizeof want, "error MW_E_LIMIT @%zu\n", last);
                log_has(&log, want);
                log_lacks(&log, "250 ");
            }
            evlog_free(&log);
            free(in.p);
        }
    }
}

/* max_message_size (RFC 1870): SIZE=cap is accepted, SIZE=cap+1 gets 552
 * and MW_E_LIMIT at that MAIL; a message of cap-1 and cap octets (CRLF
 * line ends counted, the final "." line not) is accepted, cap+1 is
 * rejected at its end with data_end MW_E_LIMIT, the error at its octet
 * cap+1. The text line limit is off here (one long line). */
static void test_smtp_server_max_message_size(void **state)
{
    static const uint64_t caps[] = {10, 100, 1000};
    size_t k, d;
    (void)state;
    for (k = 0; k < sizeof caps / sizeof caps[0]; k++) {
        for (d = 0; d < 3; d++) {
            lsrv x;
            evlog log;
            inbuf in = {0};
            char cmd[96], want[64];
            size_t size = (size_t)caps[k] - 1 + d, mail, body;
            l_init(&x);
            x.cfg.max_message_size = caps[k];
            x.cfg.extensions |= MW_SMTP_EXT_SIZE;
            x.cfg.max_text_line = 0;
            in_str(&in, "EHLO a.example\r\n");
            mail = in.len;
            snprintf(cmd, sizeof cmd, "MAIL FROM:<a@a.example> SIZE=%zu\r\n",
                     size);
            in_str(&in, cmd);
            in_str(&in, "RSET\r\nMAIL FROM:<a@a.example>\r\nRCPT TO:<b@b.example>\r\n"
                        "DATA\r\n");
            body = in.len;
            in_line(&in, "", size); /* one line of `size` octets */
            in_str(&in, ".\r\nQUIT\r\n");
            run(&x, &in, &log);
            if (d < 2) {
                log_has(&log, "data_end MW_OK\n");
                log_lacks(&log, "552");
                log_lacks(&log, "error");
            } else {
                assert_int_equal(log_count(&log, "552 "), 2);
                snprintf(want, sizeof want, "error MW_E_LIMIT @%zu\n", mail);
                log_has(&log, want);
                snprintf(want, sizeof want, "error MW_E_LIMIT @%zu\n",
                         body + (size_t)caps[k]);
                log_has(&log, want);
                assert_int_equal(log_count(&log, "error"), 2);
                log_has(&log, "data_end MW_E_LIMIT\n");
            }
            evlog_free(&log);
            free(in.p);
        }
    }
}


/* The machine's answer to the NOOP after a refused command, ending the
 * log: the session goes on. */
#define NOOP_OK "250 2.0.0 OK\\r\\n\n"

/* Config pairs (max_auth_line, max_command_line) for the AUTH line limit:
 * every residue of cap mod 4 (so that cap-1 and cap each meet a response
 * of valid base64 length somewhere), the default, and the AUTH limit
 * below, equal to and above the command limit (the line framer's limit is
 * the larger of the two: the machine or the framer refuses). */
static const size_t auth_caps[][2] = {
    {MW_SMTP_SERVER_AUTH_LINE, MW_SMTP_MAX_COMMAND_LINE},
    {512, 1000}, {514, 512}, {515, 512}, {516, 512}, {517, 512}, {1000, 512}};

static void auth_init(lsrv *x, size_t k, inbuf *in)
{
    l_init(x);
    x->hook = 1;
    x->cfg.max_auth_line = auth_caps[k][0];
    x->cfg.max_command_line = auth_caps[k][1];
    x->cfg.extensions |= MW_SMTP_EXT_AUTH;
    x->cfg.auth_mechanisms = "PLAIN";
    in_str(in, "EHLO a.example\r\n");
}

/* max_auth_line counts the CRLF (RFC 4954 §4). An AUTH command with an
 * initial response of cap-1 and cap octets reaches the application (the
 * mechanism name's length is picked so that the base64 is whole); one of
 * cap+1 is answered "500 5.5.6" with MW_E_TOO_LONG at the start of the
 * line, and the next command is read. */
static void test_smtp_server_max_auth_line_initial(void **state)
{
    size_t k, total;
    (void)state;
    for (k = 0; k < sizeof auth_caps / sizeof auth_caps[0]; k++) {
        size_t cap = auth_caps[k][0];
        for (total = cap - 1; total <= cap + 1; total++) {
            lsrv x;
            evlog log;
            inbuf in = {0};
            size_t m = (total - 9) % 4 + 1, b = total - 8 - m, at;
            auth_init(&x, k, &in);
            at = in.len;
            in_str(&in, "AUTH ");
            in_fill(&in, 'M', m);
            in_str(&in, " ");
            in_fill(&in, 'Q', b);
            in_str(&in, "\r\n");
            assert_int_equal(in.len - at, total);
            in_str(&in, "NOOP\r\n");
            run(&x, &in, &log);
            if (total <= cap) {
                log_hasf(&log, "cmd AUTH @%zu arg=%zu params=0 init=%zu\n", at,
                         m, b / 4 * 3);
                log_lacks(&log, "error");
            } else {
                log_hasf(&log, "error MW_E_TOO_LONG @%zu\n", at);
                log_has(&log, "500 5.5.6 ");
                log_lacks(&log, "cmd AUTH");
                assert_int_equal(log_count(&log, "error"), 1);
            }
            log_ends(&log, NOOP_OK);
            evlog_free(&log);
            free(in.p);
        }
    }
}

/* The same limit on a response to a 334 challenge: cap-1 and cap octets
 * pass the length check (the response reaches the application when its
 * base64 is whole, else it is refused as bad base64, not as too long);
 * cap+1 is "500 5.5.6" with MW_E_TOO_LONG at the start of the line; the
 * next command is read. */
static void test_smtp_server_max_auth_line_response(void **state)
{
    size_t k, total;
    (void)state;
    for (k = 0; k < sizeof auth_caps / sizeof auth_caps[0]; k++) {
        size_t cap = auth_caps[k][0];
        for (total = cap - 1; total <= cap + 1; total++) {
            lsrv x;
            evlog log;
            inbuf in = {0};
            size_t at;
            auth_init(&x, k, &in);
            in_str(&in, "AUTH PLAIN\r\n");
            at = in.len;
            in_fill(&in, 'Q', total - 2);
            in_str(&in, "\r\nNOOP\r\n");
            run(&x, &in, &log);
            log_has(&log, "334 ");
            if (total > cap) {
                log_hasf(&log, "error MW_E_TOO_LONG @%zu\n", at);
                log_has(&log, "500 5.5.6 ");
                log_lacks(&log, "sasl ");
            } else if ((total - 2) % 4 == 0) {
                log_hasf(&log, "sasl %zu\n", (total - 2) / 4 * 3);
                log_lacks(&log, "error");
            } else {
                log_has(&log, "error MW_E_BASE64 @");
                log_has(&log, "501 5.5.2 ");
                log_lacks(&log, "MW_E_TOO_LONG");
            }
            assert_int_equal(log_count(&log, "error"), total > cap || (total - 2) % 4 != 0);
            log_ends(&log, NOOP_OK);
            evlog_free(&log);
            free(in.p);
        }
    }
}

/* MW_SMTP_SERVER_MAX_PARAMS: MAIL and RCPT with cap-1 and cap parameters
 * the machine does not know reach the application with all of them; cap+1
 * is answered "501 5.5.4" with MW_E_LIMIT at the name of the parameter
 * one over, and the next command is read. */
static void test_smtp_server_max_params(void **state)
{
    size_t n, v;
    (void)state;
    for (v = 0; v < 2; v++) {
        for (n = MW_SMTP_SERVER_MAX_PARAMS - 1; n <= MW_SMTP_SERVER_MAX_PARAMS + 1;
             n++) {
            lsrv x;
            evlog log;
            inbuf in = {0};
            size_t i, at = 0, over = 0;
            char p[16];
            l_init(&x);
            x.hook = 1;
            in_str(&in, "EHLO a.example\r\n");
            if (v == 1)
                in_str(&in, "MAIL FROM:<a@a.example>\r\n");
            at = in.len;
            in_str(&in, v == 0 ? "MAIL FROM:<a@a.example>" : "RCPT TO:<b@b.example>");
            for (i = 1; i <= n; i++) {
                if (i == MW_SMTP_SERVER_MAX_PARAMS + 1)
                    over = in.len + 1;
                snprintf(p, sizeof p, " XP%02zu=v", i);
                in_str(&in, p);
            }
            in_str(&in, "\r\n");
            in_str(&in, "NOOP\r\n");
            run(&x, &in, &log);
            if (n <= MW_SMTP_SERVER_MAX_PARAMS) {
                log_hasf(&log, "cmd %s @%zu arg=0 params=%zu ", v ? "RCPT" : "MAIL",
                         at, n);
                log_lacks(&log, "error");
            } else {
                log_hasf(&log, "error MW_E_LIMIT @%zu\n", over);
                log_has(&log, "501 5.5.4 Too many parameters");
                assert_int_equal(log_count(&log, "error"), 1);
            }
            log_ends(&log, NOOP_OK);
            evlog_free(&log);
            free(in.p);
        }
    }
}

/* MW_SMTP_MAX_DOMAIN (RFC 5321 §4.5.3.1.2) in EHLO and in a MAIL path:
 * domains of cap-1 and cap octets are taken; cap+1 is answered 501 with
 * MW_E_TOO_LONG at the domain's first octet, and the next command is
 * read. The grammar function says the same, at offset 0. */
static void test_smtp_server_max_domain(void **state)
{
    size_t len;
    (void)state;
    for (len = MW_SMTP_MAX_DOMAIN - 1; len <= MW_SMTP_MAX_DOMAIN + 1; len++) {
        lsrv x;
        evlog log;
        inbuf in = {0}, d = {0};
        size_t mail;
        mw_error e;
        put_domain(&d, len);
        memset(&e, 0, sizeof e);
        if (len <= MW_SMTP_MAX_DOMAIN) {
            assert_int_equal(mw_smtp_domain_check(d.p, len, 0, &e), MW_OK);
        } else {
            assert_int_equal(mw_smtp_domain_check(d.p, len, 0, &e), MW_E_TOO_LONG);
            err_is(&e, MW_E_TOO_LONG, 0);
        }
        l_init(&x);
        x.hook = 1;
        in_str(&in, "EHLO ");
        in_add(&in, d.p, d.len);
        in_str(&in, "\r\nEHLO a.example\r\n");
        mail = in.len;
        in_str(&in, "MAIL FROM:<a@");
        in_add(&in, d.p, d.len);
        in_str(&in, ">\r\nRSET\r\nNOOP\r\n");
        run(&x, &in, &log);
        if (len <= MW_SMTP_MAX_DOMAIN) {
            log_hasf(&log, "cmd EHLO @0 arg=%zu ", len);
            log_hasf(&log, "cmd MAIL @%zu ", mail);
            log_lacks(&log, "error");
        } else {
            log_has(&log, "error MW_E_TOO_LONG @5\n");
            log_hasf(&log, "error MW_E_TOO_LONG @%zu\n", mail + 13);
            assert_int_equal(log_count(&log, "501 "), 2);
            assert_int_equal(log_count(&log, "error"), 2);
            log_lacks(&log, "cmd MAIL");
        }
        log_hasf(&log, "cmd EHLO @%zu arg=9 ", len + 7);
        log_ends(&log, NOOP_OK);
        evlog_free(&log);
        free(in.p);
        free(d.p);
    }
}

#endif /* MW_ENABLE_SMTP_SERVER */


#if MW_ENABLE_SMTP_CLIENT

/* ---- the client facing a hostile server (smtp_client_harness.h) ------- */

/* A client past the greeting, its output and log cleared. With `ehlo`
 * the EHLO reply (multi-line, CRLF) is fed too. */
static void c_ready(sch *t, const char *ehlo)
{
    size_t used = 0;
    t->pre = "220 x\r\n";
    t->prelen = 7;
    sch_start(t, &t->own);
    if (ehlo != NULL) {
        assert_int_equal(mw_smtp_client_ehlo(&t->c, sch_span("c.example", 9)),
                         MW_OK);
        assert_int_equal(mw_smtp_client_feed(&t->c, ehlo, strlen(ehlo), &used),
                         MW_OK);
    }
    t->out.n = 0;
    evlog_reset(&t->own);
}

/* The client's last error must be `code` at `offset`. */
static void c_err_is(const sch *t, int code, size_t offset)
{
    mw_error e;
    mw_smtp_client_error(&t->c, &e);
    err_is(&e, code, offset);
}

/* The reply line limit is the line buffer (CRLF counted): replies with
 * lines of cap-1 and cap octets are read whole; a line of cap+1 is read
 * cut, reported (not fatal) as MW_E_TOO_LONG at the start of the line,
 * and the next reply is matched to the next command as usual. */
static void test_smtp_client_reply_line(void **state)
{
    static const char *const script[] = {"NOOP", "NOOP"};
    static const size_t caps[] = {64, 100, MW_SMTP_CLIENT_LINEBUF_SIZE};
    size_t k, total;
    (void)state;
    for (k = 0; k < sizeof caps / sizeof caps[0]; k++) {
        for (total = caps[k] - 1; total <= caps[k] + 1; total++) {
            sch t;
            evlog log;
            inbuf in = {0};
            sch_setup(&t);
            t.linebuf_len = caps[k];
            t.script = script;
            t.nscript = 2;
            in_str(&in, "220 x\r\n");
            in_line(&in, "250 ", total);
            in_str(&in, "250 ok\r\n");
            evlog_init(&log);
            replay_check(&sch_ops, &t, in.p, in.len, &log);
            log_has(&log, "R NOOP 250 i=0 n=1 @7\n");
            log_hasf(&log, "R NOOP 250 i=0 n=1 @%zu\n", 7 + total);
            if (total <= caps[k])
                log_lacks(&log, "E ");
            else
                log_has(&log, "E MW_E_TOO_LONG @7 ");
            assert_int_equal(log_count(&log, "\nE "), total > caps[k]);
            log_lacks(&log, "MW_E_CLOSED");
            evlog_free(&log);
            free(in.p);
            sch_teardown(&t);
        }
    }
}

/* The command buffer (MW_SMTP_CLIENT_CMDBUF_SIZE, CRLF counted): VRFY
 * lines of cap-1 and cap octets go out; cap+1 is MW_E_NOSPACE, nothing
 * sent, and the client goes on (the next command is sent). The error's
 * offset is that of the argument's first octet that does not fit: 505
 * ("VRFY " and CRLF take 7; it was the buffer size before). */
static void test_smtp_client_command_buffer(void **state)
{
    size_t total;
    char arg[MW_SMTP_CLIENT_CMDBUF_SIZE];
    (void)state;
    memset(arg, 'v', sizeof arg);
    for (total = MW_SMTP_CLIENT_CMDBUF_SIZE - 1;
         total <= MW_SMTP_CLIENT_CMDBUF_SIZE + 1; total++) {
        sch t;
        sch_setup(&t);
        c_ready(&t, NULL);
        if (total <= MW_SMTP_CLIENT_CMDBUF_SIZE) {
            assert_int_equal(mw_smtp_client_vrfy(&t.c, sch_span(arg, total - 7)),
                             MW_OK);
            assert_int_equal(t.out.n, total);
        } else {
            assert_int_equal(mw_smtp_client_vrfy(&t.c, sch_span(arg, total - 7)),
                             MW_E_NOSPACE);
            assert_int_equal(t.out.n, 0);
            c_err_is(&t, MW_E_NOSPACE, MW_SMTP_CLIENT_CMDBUF_SIZE - 7);
            assert_int_equal(mw_smtp_client_noop(&t.c), MW_OK);
            assert_int_equal(t.out.n, 6);
        }
        sch_teardown(&t);
    }
}

/* MW_SMTP_MAX_DOMAIN (RFC 5321 §4.5.3.1.2): EHLO with a domain of cap-1
 * and cap octets goes out; cap+1 is MW_E_INVAL at the octet one over
 * the cap, nothing sent. */

static void test_smtp_client_max_domain(void **state)
{
    size_t len;
    (void)state;
    for (len = MW_SMTP_MAX_DOMAIN - 1; len <= MW_SMTP_MAX_DOMAIN + 1; len++) {
        sch t;
        inbuf d = {0};
        sch_setup(&t);
        c_ready(&t, NULL);
        put_domain(&d, len);
        if (len <= MW_SMTP_MAX_DOMAIN) {
            assert_int_equal(mw_smtp_client_ehlo(&t.c, sch_span(d.p, len)), MW_OK);
            assert_int_equal(t.out.n, len + 7);
        } else {
            assert_int_equal(mw_smtp_client_ehlo(&t.c, sch_span(d.p, len)),
                             MW_E_INVAL);
            assert_int_equal(t.out.n, 0);
            c_err_is(&t, MW_E_INVAL, MW_SMTP_MAX_DOMAIN);
        }
        free(d.p);
        sch_teardown(&t);
    }
}

/* auth_buf_len: an AUTH PLAIN line of L octets (CRLF counted) goes out
 * with a buffer of L+1 (the line is cap-1) and L (cap) octets; a buffer
 * of L-1 (the line is cap+1) is MW_E_NOSPACE at the first octet of the
 * base64 argument that does not fit, nothing sent, and the client goes
 * on. The user name is 57 octets: "\0" user "\0" "p" is 60
 * octets, 80 of base64, L = 11 + 80 + 2. */
static void test_smtp_client_auth_buf_len(void **state)
{
    static const size_t line = 93;
    char user[57], buf[128];
    size_t cap;
    (void)state;
    memset(user, 'u', sizeof user);
    for (cap = line + 1; cap >= line - 1; cap--) {
        sch t;
        sch_setup(&t);
        t.cfg.tls_active = 1;
        t.cfg.auth_buf = buf;
        t.cfg.auth_buf_len = cap;
        c_ready(&t, "250-x\r\n250 AUTH PLAIN\r\n");
        if (cap >= line) {
            assert_int_equal(mw_smtp_client_auth_plain(&t.c, sch_span("", 0),
                                                       sch_span(user, 57),
                                                       sch_span("p", 1)),
                             MW_OK);
            assert_int_equal(t.out.n, line);
        } else {
            assert_int_equal(mw_smtp_client_auth_plain(&t.c, sch_span("", 0),
                                                       sch_span(user, 57),
                                                       sch_span("p", 1)),
                             MW_E_NOSPACE);
            assert_int_equal(t.out.n, 0);
            /* the 80 octets of base64 have cap - 13 of room after
             * "AUTH PLAIN " and before CRLF: octet 79 does not fit */
            c_err_is(&t, MW_E_NOSPACE, cap - 13);
            assert_int_equal(mw_smtp_client_noop(&t.c), MW_OK);
            assert_int_equal(t.out.n, 6);
        }
        sch_teardown(&t);
    }
}

/* MW_SMTP_ESC_MAX, the longest enhanced status code (RFC 3463 §2:
 * "5.999.999", 9 characters). Formatting: a buffer of cap-1 is
 * MW_E_NOSPACE, cap and cap+1 take it. Parsing: codes of cap-1 and cap
 * characters are read; a detail of 4 digits (cap+1) is MW_E_SYNTAX at
 * octet 9. A client reading replies with those codes takes the first
 * two and leaves the third as text, and reads the reply after it. */
static void test_smtp_esc_max(void **state)
{
    static const char *const script[] = {"NOOP", "NOOP", "NOOP", "NOOP"};
    static const char *const codes[] = {"5.999.99", "5.999.999", "5.999.9999"};
    mw_smtp_esc esc = {5, 999, 999}, got;
    char out[MW_SMTP_ESC_MAX + 1];
    size_t n = 0, k;
    sch t;
    evlog log;
    inbuf in = {0};
    mw_error e;
    (void)state;
    assert_int_equal(mw_smtp_esc_format(&esc, out, MW_SMTP_ESC_MAX - 1, &n),
                     MW_E_NOSPACE);
    assert_int_equal(mw_smtp_esc_format(&esc, out, MW_SMTP_ESC_MAX, &n), MW_OK);
    assert_int_equal(n, MW_SMTP_ESC_MAX);
    assert_int_equal(mw_smtp_esc_format(&esc, out, MW_SMTP_ESC_MAX + 1, &n),
                     MW_OK);
    assert_memory_equal(out, "5.999.999", MW_SMTP_ESC_MAX);
    for (k = 0; k < 3; k++) {
        size_t len = strlen(codes[k]);
        memset(&e, 0, sizeof e);
        if (k < 2) {
            assert_int_equal(mw_smtp_esc_parse(codes[k], len, &got, &n, &e), MW_OK);
            assert_int_equal(n, MW_SMTP_ESC_MAX - 1 + k);
        } else {
            assert_int_equal(mw_smtp_esc_parse(codes[k], len, &got, &n, &e),
                             MW_E_SYNTAX);
            err_is(&e, MW_E_SYNTAX, MW_SMTP_ESC_MAX);
        }
    }

    sch_setup(&t);
    t.script = script;
    t.nscript = 4;
    in_str(&in, "220 x\r\n");
    for (k = 0; k < 3; k++) {
        in_str(&in, "550 ");
        in_str(&in, codes[k]);
        in_str(&in, " no\r\n");
    }
    in_str(&in, "250 ok\r\n");
    evlog_init(&log);
    replay_check(&sch_ops, &t, in.p, in.len, &log);
    log_has(&log, "esc 5.999.99\n  text: 5.999.99 no\n  detail: no\n");
    log_has(&log, "esc 5.999.999\n  text: 5.999.999 no\n  detail: no\n");
    log_has(&log, "  detail: 5.999.9999 no\n");
    assert_int_equal(log_count(&log, "esc "), 2);
    assert_int_equal(log_count(&log, "R NOOP 550"), 3);
    log_hasf(&log, "R NOOP 250 i=0 n=1 @%zu\n", in.len - 8);
    log_lacks(&log, "\nE ");
    evlog_free(&log);
    free(in.p);
    sch_teardown(&t);
}

#endif /* MW_ENABLE_SMTP_CLIENT */

int main(void)
{
#if MW_ENABLE_SMTP_SERVER || MW_ENABLE_SMTP_CLIENT
    const struct CMUnitTest tests[] = {
#if MW_ENABLE_SMTP_SERVER
        cmocka_unit_test(test_smtp_server_max_command_line),
        cmocka_unit_test(test_smtp_server_max_text_line),
        cmocka_unit_test(test_smtp_server_max_recipients),
        cmocka_unit_test(test_smtp_server_max_bad_commands),
        cmocka_unit_test(test_smtp_server_max_message_size),
        cmocka_unit_test(test_smtp_server_max_auth_line_initial),
        cmocka_unit_test(test_smtp_server_max_auth_line_response),
        cmocka_unit_test(test_smtp_server_max_params),
        cmocka_unit_test(test_smtp_server_max_domain),
#endif
#if MW_ENABLE_SMTP_CLIENT
        cmocka_unit_test(test_smtp_client_reply_line),
        cmocka_unit_test(test_smtp_client_command_buffer),
        cmocka_unit_test(test_smtp_client_max_domain),
        cmocka_unit_test(test_smtp_client_auth_buf_len),
        cmocka_unit_test(test_smtp_esc_max),
#endif
    };
    return cmocka_run_group_tests_name("limits_smtp", tests, NULL, NULL);
#else
    puts("limits_smtp: no SMTP server or client in this build, nothing to test");
    return 0;
#endif
}
