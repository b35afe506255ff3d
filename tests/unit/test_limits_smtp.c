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

#if MW_ENABLE_SMTP_SERVER

/* ---- a server with the machine's default replies, logging events ------ */

typedef struct lsrv {
    mw_smtp_server s;
    mw_smtp_server_config cfg;
    char line[4096]; /* holds every max_command_line tried below */
    evlog *log;
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

static void l_reset(void *ctx, evlog *log)
{
    lsrv *x = ctx;
    mw_smtp_server_callbacks cb = {0};
    cb.send = l_send;
    cb.data = l_data;
    cb.data_end = l_data_end;
    cb.error = l_error;
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

/* A growing input. */
typedef struct inbuf {
    char *p;
    size_t len, cap;
} inbuf;

static void in_add(inbuf *b, const char *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 256;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void in_str(inbuf *b, const char *s)
{
    in_add(b, s, strlen(s));
}

/* `prefix`, filler, CRLF: `total` bytes in all. */
static void in_line(inbuf *b, const char *prefix, size_t total)
{
    size_t k = strlen(prefix), i;
    in_add(b, prefix, k);
    for (i = k; i + 2 < total; i++)
        in_add(b, "x", 1);
    in_add(b, "\r\n", 2);
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

#endif /* MW_ENABLE_SMTP_SERVER */

int main(void)
{
#if MW_ENABLE_SMTP_SERVER
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smtp_server_max_command_line),
        cmocka_unit_test(test_smtp_server_max_text_line),
        cmocka_unit_test(test_smtp_server_max_recipients),
        cmocka_unit_test(test_smtp_server_max_bad_commands),
        cmocka_unit_test(test_smtp_server_max_message_size),
    };
    return cmocka_run_group_tests_name("limits_smtp", tests, NULL, NULL);
#else
    puts("limits_smtp: no SMTP server in this build, nothing to test");
    return 0;
#endif
}
