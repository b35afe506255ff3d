/* SPDX-License-Identifier: MIT */
/* Security regression suite for SMTP (issue 8): one test per attack class
 * of field-notes §4, each named after the CVE or the class it guards
 * against (cve_<id>_... / class_<what>_...), in both roles.
 *
 * Other suites already test parts of these classes; they are not repeated
 * here, only extended where something was missing:
 *  - test_smtp_server.c test_starttls_injection: CVE-2011-0411 with the
 *    injection in the STARTTLS feed, a handshake inside the callback, an
 *    asynchronous 220, and the reset after TLS. Added here: every split of
 *    the stream, longer pipelined injections, a refused STARTTLS (then the
 *    bytes are commands and must be parsed).
 *  - test_smtp_client.c test_starttls_injection: CVE-2020-15953 whole, one
 *    byte behind, the 220 cut anywhere. Added: every two-piece split of a
 *    220 plus a forged EHLO reply, and a multi-line 220.
 *  - test_smtp_client.c test_require_tls: require_tls with no STARTTLS,
 *    454, 250, refused EHLO, HELO. Added: every kind of non-220 reply, and
 *    the transaction helper never putting credentials on the wire.
 *  - test_smtp_server.c test_smuggling (12 vectors x 3 policies) and
 *    test_smtp_client.c test_data_stuffing_and_newlines (22 bodies):
 *    CVE-2023-51764/5/6. Added: every sequence of CR, LF, "." and a letter
 *    up to 5 (server) and 6 (client) bytes, against a model, and the
 *    client's output read back by the server machine.
 *  - test_smtp_client.c test_ctl_in_every_argument (CR/LF/NUL at offset
 *    1 of every formatter argument) and test_smtp_server.c
 *    test_reply_injection (three xtext values). Added: every position of
 *    the control byte, the transaction helper's descriptor strings, every
 *    control byte through xtext (Exim CVE-2020-28021) and base64 AUTH
 *    responses that decode to command lines.
 *  - test_smtp_server.c test_bdat and test_limit_message_size: malformed
 *    BDAT lines, SIZE at the limit. Added: the 2^64 boundary of SIZE and
 *    BDAT, a BDAT chunk of 2^64-1 octets against the size limit.
 *  - test_smtp_server.c test_limit_bad_commands. Added: an AUTH cancel
 *    loop ("*" lines, field-notes §4.11) closes the session.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evlog.h"
#include "replay.h"
#include "security_util.h"

#include "mailwire/codec.h"
#include "mailwire/features.h"
#include "mailwire/sasl.h"
#include "mailwire/smtp.h"

/* ====================================================================
 * Shared helpers
 * ==================================================================== */

/* gbuf, find, count_of, crlf_only, seq_*, S_, NELEM, sec_*: security_util.h */

/* ====================================================================
 * Server harness: a fake application with default answers
 * ==================================================================== */
#if MW_ENABLE_SMTP_SERVER

typedef struct srv {
    mw_smtp_server s;
    mw_smtp_server_config cfg;
    char line[MW_SMTP_SERVER_LINEBUF_SIZE];
    evlog own;
    evlog *log;
    gbuf out;          /* every byte the server sent */
    gbuf data;         /* every message byte the application got */
    int tls_ok;        /* answer STARTTLS with 220 (else 454) */
    int tls_inline;    /* and finish the handshake inside the callback */
    int quiet;         /* log no data bytes */
    unsigned cmds[20]; /* commands handed over, per verb */
    unsigned ends, auth_responses;
    int end_status[8]; /* data_end statuses of the first messages */
    sec_errs err;
} srv;

static int s_send(mw_smtp_server *s, void *u, const char *p, size_t n)
{
    srv *t = u;
    (void)s;
    return sec_out(&t->out, t->log, "S", p, n);
}

static int s_command(mw_smtp_server *s, void *u, const mw_smtp_cmd *c)
{
    srv *t = u;
    int rc;
    if ((unsigned)c->verb < 20)
        t->cmds[c->verb]++;
    evlog_printf(t->log, "C: %s @%zu", mw_smtp_verb_name(c->verb), c->offset);
    switch (c->verb) {
    case MW_SMTP_CMD_STARTTLS:
        if (!t->tls_ok)
            return mw_smtp_server_reply(s, 454, "4.7.0 TLS not available");
        rc = mw_smtp_server_reply(s, 220, "2.0.0 Ready to start TLS");
        if (rc == MW_OK && t->tls_inline) {
            evlog_printf(t->log, "TLS done");
            rc = mw_smtp_server_tls_done(s);
        }
        return rc;
    case MW_SMTP_CMD_AUTH:
        if (c->has_initial) {
            evlog_data(t->log, "  initial", c->auth_initial.decoded.ptr,
                       c->auth_initial.decoded.len);
            return mw_smtp_server_reply(s, 535, "5.7.8 No");
        }
        return mw_smtp_server_auth_challenge(s, "Username:", 9);
    case MW_SMTP_CMD_MAIL:
        if (c->mail.present & MW_SMTP_MAIL_SIZE)
            evlog_printf(t->log, "  size=%llu", (unsigned long long)c->mail.size);
        if (c->mail.present & MW_SMTP_MAIL_ENVID)
            evlog_data(t->log, "  envid", c->mail.envid.ptr, c->mail.envid.len);
        if (c->mail.present & MW_SMTP_MAIL_AUTH)
            evlog_data(t->log, "  auth", c->mail.auth.ptr, c->mail.auth.len);
        return mw_smtp_server_reply_default(s);
    case MW_SMTP_CMD_RCPT:
        if (c->rcpt.present & MW_SMTP_RCPT_ORCPT)
            evlog_data(t->log, "  orcpt", c->rcpt.orcpt.ptr, c->rcpt.orcpt.len);
        return mw_smtp_server_reply_default(s);
    default:
        return mw_smtp_server_reply_default(s);
    }
}

static int s_data(mw_smtp_server *s, void *u, const char *p, size_t n)
{
    srv *t = u;
    (void)s;
    gb_put(&t->data, p, n);
    if (!t->quiet)
        evlog_data(t->log, "D", p, n);
    return 0;
}

static int s_data_end(mw_smtp_server *s, void *u, int status)
{
    srv *t = u;
    if (t->ends < 8)
        t->end_status[t->ends] = status;
    t->ends++;
    evlog_printf(t->log, "END %s", mw_status_name(status));
    return status == MW_OK ? mw_smtp_server_reply_default(s) : 0;
}

static int s_auth_response(mw_smtp_server *s, void *u, const mw_smtp_sasl *r)
{
    srv *t = u;
    t->auth_responses++;
    evlog_data(t->log, "  response", r->decoded.ptr, r->decoded.len);
    return mw_smtp_server_reply(s, 535, "5.7.8 No");
}

static int s_error(mw_smtp_server *s, void *u, int status, size_t off,
                   const char *reason)
{
    srv *t = u;
    (void)s;
    return sec_error(&t->err, t->log, "E:", status, off, reason);
}

static const mw_smtp_server_callbacks srv_cb = {
    .send = s_send, .command = s_command, .data = s_data, .data_end = s_data_end,
    .auth_response = s_auth_response, .error = s_error};

static srv *srv_new(void)
{
    srv *t = sec_alloc(sizeof *t);
    mw_smtp_server_config_init(&t->cfg);
    t->cfg.hostname = "mx.example.org";
    t->cfg.extensions |= MW_SMTP_EXT_SIZE | MW_SMTP_EXT_CHUNKING |
                         MW_SMTP_EXT_DSN | MW_SMTP_EXT_AUTH |
                         MW_SMTP_EXT_STARTTLS | MW_SMTP_EXT_BINARYMIME;
    t->cfg.auth_mechanisms = "PLAIN LOGIN";
    evlog_init(&t->own);
    t->log = &t->own;
    return t;
}

static void srv_free(srv *t)
{
    evlog_free(&t->own);
    gb_free(&t->out);
    gb_free(&t->data);
    free(t);
}

/* (Re)start the server with t->cfg, logging into `log`. */
static void srv_start(srv *t, evlog *log)
{
    t->log = log;
    memset(t->cmds, 0, sizeof t->cmds);
    t->ends = t->auth_responses = 0;
    memset(&t->err, 0, sizeof t->err);
    gb_clear(&t->out);
    gb_clear(&t->data);
    assert_int_equal(mw_smtp_server_init(&t->s, &t->cfg, &srv_cb, t, t->line,
                                         sizeof t->line),
                     MW_OK);
    assert_int_equal(mw_smtp_server_start(&t->s, "ESMTP"), MW_OK);
}

static void srv_reset_op(void *ctx, evlog *log)
{
    srv_start(ctx, log);
}

static int srv_feed_op(void *ctx, const char *p, size_t n, size_t *consumed)
{
    srv *t = ctx;
    return mw_smtp_server_feed(&t->s, p, n, consumed);
}

/* Feed everything (replies are given inside the callbacks, so a pause
 * only comes from the machine); the status of the last call. */
static int srv_feed(srv *t, const char *p, size_t n)
{
    return sec_feed_all(srv_feed_op, t, p, n);
}

static const replay_ops srv_ops = {srv_reset_op, srv_feed_op, NULL};

#define HELLO "EHLO c.example\r\n"
#define TXN HELLO "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n"

/* ====================================================================
 * STARTTLS command injection (server), CVE-2011-0411 class
 * ==================================================================== */

/* Plaintext pipelined behind STARTTLS must never be parsed, whatever the
 * TCP segmentation: split the stream in two at every offset (and per
 * byte); the injected commands never reach the application, every one of
 * their bytes is counted as discarded, and after the handshake the
 * session starts over (RFC 3207 §4.2). */
static void cve_2011_0411_starttls_injection_every_split(void **state)
{
    static const char head[] = HELLO "STARTTLS\r\n";
    static const char inj[] = "MAIL FROM:<evil@x.example>\r\nRCPT TO:<victim@y.example>\r\n"
                              "DATA\r\nSubject: forged\r\n\r\nx\r\n.\r\nRSET\r\nAUTH PLAIN AGEAYg==\r\nNOO";
    char in[512];
    size_t hl = sizeof head - 1, il = sizeof inj - 1, n, cut;
    srv *t = srv_new();
    (void)state;
    t->tls_ok = 1;
    memcpy(in, head, hl);
    memcpy(in + hl, inj, il);
    n = hl + il;
    for (cut = 0; cut <= n; cut++) {
        evlog log;
        size_t used = 0, used2 = 0;
        int r;
        evlog_init(&log);
        srv_start(t, &log);
        r = mw_smtp_server_feed(&t->s, in, cut, &used);
        assert_true(r == MW_OK || r == MW_PAUSED);
        assert_int_equal(used, cut); /* everything is taken, nothing parsed */
        r = mw_smtp_server_feed(&t->s, in + cut, n - cut, &used2);
        assert_int_equal(r, MW_OK);
        assert_int_equal(used2, n - cut);
        assert_int_equal(t->cmds[MW_SMTP_CMD_EHLO], 1);
        assert_int_equal(t->cmds[MW_SMTP_CMD_STARTTLS], 1);
        assert_int_equal(t->cmds[MW_SMTP_CMD_MAIL] + t->cmds[MW_SMTP_CMD_RCPT] +
                             t->cmds[MW_SMTP_CMD_DATA] + t->cmds[MW_SMTP_CMD_RSET] +
                             t->cmds[MW_SMTP_CMD_AUTH],
                         0);
        assert_int_equal(t->ends, 0);
        assert_int_equal(mw_smtp_server_discarded(&t->s), il);
        assert_int_equal(t->err.last, MW_E_TLS_LEFTOVER);
        if (strstr(evlog_str(&log), "E: MW_E_TLS_LEFTOVER @26 ") == NULL)
            fail_msg("cut %zu: first discarded byte not reported at 26:\n%s", cut,
                     evlog_str(&log));
        assert_int_equal(mw_smtp_server_want(&t->s), MW_SMTP_SERVER_WANT_TLS);
        /* the only replies: EHLO's and the 220 */
        assert_int_equal(count_of(gb_cstr(&t->out), "\r\n250 "), 1);
        assert_non_null(strstr(gb_cstr(&t->out), "220 2.0.0 Ready to start TLS\r\n"));
        /* after the handshake: no HELO state survives */
        assert_int_equal(mw_smtp_server_tls_done(&t->s), MW_OK);
        assert_int_equal(srv_feed(t, S_("MAIL FROM:<a@b.example>\r\n")), MW_OK);
        assert_int_equal(t->cmds[MW_SMTP_CMD_MAIL], 0);
        assert_non_null(strstr(gb_cstr(&t->out), "503"));
        evlog_free(&log);
    }
    /* the same per byte */
    {
        evlog log;
        size_t i, used;
        evlog_init(&log);
        srv_start(t, &log);
        for (i = 0; i < n; i++) {
            assert_true(mw_smtp_server_feed(&t->s, in + i, 1, &used) >= 0);
            assert_int_equal(used, 1);
        }
        assert_int_equal(t->cmds[MW_SMTP_CMD_MAIL], 0);
        assert_int_equal(mw_smtp_server_discarded(&t->s), il);
        evlog_free(&log);
    }
    srv_free(t);
}

/* The other side of the rule: when the application refuses STARTTLS the
 * connection stays in clear and the pipelined bytes are ordinary commands
 * (discarding them would desynchronise the session). A STARTTLS with an
 * argument is a syntax error, not a switch. */
static void class_starttls_refused_keeps_parsing(void **state)
{
    static const char in[] = HELLO "STARTTLS\r\nMAIL FROM:<a@b.example>\r\n"
                                   "STARTTLS now\r\nNOOP\r\n";
    srv *t = srv_new();
    (void)state;
    t->tls_ok = 0;
    srv_start(t, &t->own);
    assert_int_equal(srv_feed(t, S_(in)), MW_OK);
    assert_int_equal(t->cmds[MW_SMTP_CMD_MAIL], 1);
    assert_int_equal(t->cmds[MW_SMTP_CMD_STARTTLS], 1);
    assert_int_equal(mw_smtp_server_discarded(&t->s), 0);
    assert_non_null(strstr(gb_cstr(&t->out), "454 4.7.0 TLS not available\r\n"));
    assert_non_null(strstr(gb_cstr(&t->out), "501"));
    assert_int_equal(mw_smtp_server_want(&t->s) & MW_SMTP_SERVER_WANT_TLS, 0);
    /* accepted with the handshake inside the callback: the rest of the
     * same feed is discarded all the same */
    t->tls_ok = 1;
    t->tls_inline = 1;
    srv_start(t, &t->own);
    assert_int_equal(srv_feed(t, S_(in)), MW_OK);
    assert_int_equal(t->cmds[MW_SMTP_CMD_MAIL], 0);
    assert_int_equal(mw_smtp_server_discarded(&t->s), sizeof in - 1 - 26);
    srv_free(t);
}

/* ====================================================================
 * SMTP smuggling (server), CVE-2023-51764 / 51765 / 51766
 * ==================================================================== */

/* Every sequence of CR, LF, "." and "x" up to 5 bytes is put between a
 * body and a forged transaction. The model: DATA ends at the first
 * CRLF "." CRLF of the stream (RFC 5321 §4.1.1.4), and nowhere else. So
 * unless the sequence is itself CRLF "." CRLF, the forged MAIL/RCPT/DATA
 * are message text. REJECT rejects exactly the messages with a bare CR or
 * LF (the first one decides the status); ACCEPT delivers CRLF lines only;
 * every chunking gives the same events. */
static void class_smtp_smuggling_server_every_sequence(void **state)
{
    static const char pre[] = TXN "DATA\r\nbody";
    static const char tail[] = "MAIL FROM:<evil@x.example>\r\nRCPT TO:<victim@y.example>\r\n"
                               "DATA\r\nsmuggled\r\n.\r\nQUIT\r\n";
    static const mw_newline_policy pols[] = {MW_NEWLINE_REJECT, MW_NEWLINE_ACCEPT,
                                             MW_NEWLINE_PASS};
    srv *t = srv_new();
    size_t len, idx, runs = 0;
    (void)state;
    t->quiet = 0;
    for (len = 1; len <= 5; len++) {
        for (idx = 0; idx < seq_count(len); idx++) {
            char v[8], in[512], region[64];
            size_t pl = sizeof pre - 1, n, rl, end, p;
            int two, bare = 0;
            seq_make(len, idx, v);
            n = (size_t)snprintf(in, sizeof in, "%s%s%s", pre, v, tail);
            /* the model, on the data region "\r\n" "body" v "MAIL..." */
            rl = (size_t)snprintf(region, sizeof region, "\r\nbody%sMAIL", v);
            end = find(region, rl, "\r\n.\r\n");
            two = end < rl; /* v holds a real end of data */
            /* the first bare CR or LF before the end (through its CRLF) */
            for (p = 0; p < (two ? end + 2 : rl) && bare == 0; p++) {
                if (region[p] == '\r' && (p + 1 >= rl || region[p + 1] != '\n'))
                    bare = MW_E_BARE_CR;
                else if (region[p] == '\n' && (p == 0 || region[p - 1] != '\r'))
                    bare = MW_E_BARE_LF;
            }
            for (size_t k = 0; k < 3; k++) {
                evlog whole, bytes;
                size_t cuts[512], i;
                t->cfg.data_newlines = pols[k];
                evlog_init(&whole);
                evlog_init(&bytes);
                replay_run(&srv_ops, t, in, n, NULL, 0, &whole);
                if (t->cmds[MW_SMTP_CMD_MAIL] != (two ? 2u : 1u) ||
                    t->cmds[MW_SMTP_CMD_DATA] != (two ? 2u : 1u) || t->ends != (two ? 2u : 1u) ||
                    t->cmds[MW_SMTP_CMD_QUIT] != 1)
                    fail_msg("sequence %zu/%zu policy %zu: MAIL %u DATA %u ends %u QUIT %u\n%s",
                             len, idx, k, t->cmds[MW_SMTP_CMD_MAIL], t->cmds[MW_SMTP_CMD_DATA],
                             t->ends, t->cmds[MW_SMTP_CMD_QUIT], evlog_str(&whole));
                if (pols[k] == MW_NEWLINE_REJECT) {
                    if (t->end_status[0] != (bare ? bare : MW_OK))
                        fail_msg("sequence %zu/%zu: REJECT status %s, model %s\n%s", len, idx,
                                 mw_status_name(t->end_status[0]),
                                 mw_status_name(bare ? bare : MW_OK), evlog_str(&whole));
                } else {
                    assert_int_equal(t->end_status[0], MW_OK);
                    if (!two)
                        assert_non_null(strstr(gb_cstr(&t->data),
                                               "MAIL FROM:<evil@x.example>\r\n"));
                    if (pols[k] == MW_NEWLINE_ACCEPT && !crlf_only(t->data.p, t->data.n))
                        fail_msg("sequence %zu/%zu: ACCEPT delivered a bare CR or LF",
                                 len, idx);
                }
                /* per byte: the same events */
                for (i = 1; i < n; i++)
                    cuts[i - 1] = i;
                replay_run(&srv_ops, t, in, n, cuts, n - 1, &bytes);
                if (strcmp(evlog_str(&whole), evlog_str(&bytes)) != 0)
                    fail_msg("sequence %zu/%zu policy %zu: per-byte run differs\n--- whole\n%s"
                             "--- per byte\n%s",
                             len, idx, k, evlog_str(&whole), evlog_str(&bytes));
                (void)pl;
                evlog_free(&whole);
                evlog_free(&bytes);
                runs++;
            }
        }
    }
    assert_int_equal(runs, 3 * (4 + 16 + 64 + 256 + 1024));
    srv_free(t);
}

/* ====================================================================
 * Decoded values carrying line breaks (server): xtext and base64
 * ==================================================================== */

/* Exim CVE-2020-28021: AUTH=<xtext> decoded to a newline went to the
 * spool. Every control byte (and DEL) written as "+XX" in ENVID, AUTH=
 * and ORCPT is refused with 501 and never reaches the application; every
 * printable one is decoded and handed over. */
static void cve_2020_28021_xtext_control_bytes(void **state)
{
    srv *t = srv_new();
    unsigned b;
    (void)state;
    for (b = 0; b < 128; b++) {
        static const char *const forms[3] = {
            "MAIL FROM:<a@b.example> ENVID=q+%02Xz\r\n",
            "MAIL FROM:<a@b.example> AUTH=q+%02Xz\r\n",
            "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example> ORCPT=rfc822;q+%02Xz@d.example\r\n"};
        int ctl = b < 0x20 || b == 0x7f;
        for (size_t f = 0; f < 3; f++) {
            char in[256], want[8];
            size_t k = (size_t)snprintf(in, sizeof in, HELLO);
            k += (size_t)snprintf(in + k, sizeof in - k, forms[f], b);
            srv_start(t, &t->own);
            evlog_reset(&t->own);
            assert_int_equal(srv_feed(t, in, k), MW_OK);
            if (ctl) {
                /* refused by the machine: 501, nothing handed over */
                assert_int_equal(f == 2 ? t->cmds[MW_SMTP_CMD_RCPT] : t->cmds[MW_SMTP_CMD_MAIL], 0);
                assert_non_null(strstr(gb_cstr(&t->out), "501 5.5.4"));
                assert_null(strstr(evlog_str(&t->own), f == 0   ? "  envid"
                                                        : f == 1 ? "  auth"
                                                                 : "  orcpt"));
            } else {
                /* "+XX" of a printable byte is decoded */
                snprintf(want, sizeof want, "q%c", (char)b);
                assert_int_equal(f == 2 ? t->cmds[MW_SMTP_CMD_RCPT] : t->cmds[MW_SMTP_CMD_MAIL], 1);
                assert_null(strstr(gb_cstr(&t->out), "501"));
                if (b != '\\' && strstr(evlog_str(&t->own), want) == NULL)
                    fail_msg("byte %02x form %zu not decoded:\n%s", b, f, evlog_str(&t->own));
            }
        }
    }
    /* the decoder itself returns the bytes (documented: check them) */
    {
        char out[16];
        size_t ol = 0;
        assert_int_equal(mw_smtp_xtext_decode(S_("a+0D+0Ab+00"), out, sizeof out, &ol, NULL),
                         MW_OK);
        assert_int_equal(ol, 5);
        assert_memory_equal(out, "a\r\nb\0", 5);
    }
    srv_free(t);
}

/* A SASL response is base64: its decoded bytes may hold CR LF and NUL
 * (RFC 4954 §4 responses are opaque), but they are data handed to the
 * application, never command lines: "AUTH PLAIN" whose initial response
 * decodes to "\0u\r\nMAIL FROM:<evil>\r\n\0p" and a LOGIN response that
 * decodes to "RSET\r\nQUIT\r\n" run no command. */
static void class_base64_decoded_lines_are_not_commands(void **state)
{
    static const char plain[] = "\0u\r\nMAIL FROM:<evil@x.example>\r\n\0p";
    static const char login[] = "RSET\r\nQUIT\r\n";
    char b64a[128], b64b[64], in[512];
    size_t la = 0, lb = 0;
    srv *t = srv_new();
    (void)state;
    assert_int_equal(mw_base64_encode(plain, sizeof plain - 1, b64a, sizeof b64a - 1, &la), MW_OK);
    b64a[la] = '\0';
    assert_int_equal(mw_base64_encode(login, sizeof login - 1, b64b, sizeof b64b - 1, &lb), MW_OK);
    b64b[lb] = '\0';
    snprintf(in, sizeof in, HELLO "AUTH PLAIN %s\r\nAUTH LOGIN\r\n%s\r\nNOOP\r\n", b64a, b64b);
    srv_start(t, &t->own);
    assert_int_equal(srv_feed(t, in, strlen(in)), MW_OK);
    assert_int_equal(t->cmds[MW_SMTP_CMD_MAIL], 0);
    assert_int_equal(t->cmds[MW_SMTP_CMD_RSET], 0);
    assert_int_equal(t->cmds[MW_SMTP_CMD_QUIT], 0);
    assert_int_equal(t->cmds[MW_SMTP_CMD_AUTH], 2);
    assert_int_equal(t->auth_responses, 1);
    /* the decoded bytes reached the application as they are */
    assert_non_null(strstr(evlog_str(&t->own),
                           "  initial: \\x00u\\r\\nMAIL FROM:<evil@x.example>\\r\\n\\x00p"));
    assert_non_null(strstr(evlog_str(&t->own), "  response: RSET\\r\\nQUIT\\r\\n"));
    assert_int_equal(mw_smtp_server_want(&t->s), MW_SMTP_SERVER_WANT_INPUT);
    assert_non_null(strstr(gb_cstr(&t->out), "250 2.0.0 OK\r\n")); /* the NOOP */
    srv_free(t);
}

/* ====================================================================
 * Integer overflow: SIZE and BDAT sizes (server)
 * ==================================================================== */

/* 2^64-1 is the largest size there is; 2^64 does not fit and is a syntax
 * error (not a wrapped small number); a chunk of 2^64-1 octets against a
 * 100-octet limit hands over at most 100 octets and reads everything
 * after it as chunk data (the peer declared it), never as commands. */
static void class_integer_overflow_size_and_bdat(void **state)
{
    srv *t = srv_new();
    (void)state;
    t->cfg.max_message_size = 100;
    /* SIZE= (RFC 1870 size-value = 1*20DIGIT): a 20-digit value above
     * 2^64-1 saturates (larger than any limit), never wraps; 21 digits
     * and more are a syntax error */
    srv_start(t, &t->own);
    assert_int_equal(srv_feed(t, S_(HELLO "MAIL FROM:<a@b.example> SIZE=18446744073709551615\r\n"
                                          "MAIL FROM:<a@b.example> SIZE=18446744073709551616\r\n"
                                          "MAIL FROM:<a@b.example> SIZE=99999999999999999999\r\n"
                                          "MAIL FROM:<a@b.example> SIZE=100000000000000000000\r\n"
                                          "MAIL FROM:<a@b.example> SIZE=00000000000000000000100\r\n"
                                          "MAIL FROM:<a@b.example> SIZE=101\r\n"
                                          "MAIL FROM:<a@b.example> SIZE=100\r\n")),
                     MW_OK);
    assert_int_equal(t->cmds[MW_SMTP_CMD_MAIL], 1); /* only SIZE=100 */
    assert_non_null(strstr(evlog_str(&t->own), "  size=100\n"));
    assert_int_equal(count_of(gb_cstr(&t->out), "552 "), 4);
    assert_int_equal(count_of(gb_cstr(&t->out), "501 "), 2);
    /* without a limit the application sees the saturated value */
    t->cfg.max_message_size = 0;
    srv_start(t, &t->own);
    assert_int_equal(srv_feed(t, S_(HELLO "MAIL FROM:<a@b.example> SIZE=18446744073709551615\r\n"
                                          "RSET\r\nMAIL FROM:<a@b.example> SIZE=18446744073709551616\r\n"
                                          "RSET\r\nMAIL FROM:<a@b.example> SIZE=99999999999999999999\r\n")),
                     MW_OK);
    assert_int_equal(t->cmds[MW_SMTP_CMD_MAIL], 3);
    assert_int_equal(count_of(evlog_str(&t->own), "  size=18446744073709551615\n"), 3);
#if MW_ENABLE_SMTP_CHUNKING
    /* BDAT sizes at the boundary */
    t->cfg.max_message_size = 100;
    srv_start(t, &t->own);
    assert_int_equal(srv_feed(t, S_(TXN "BDAT 18446744073709551616\r\nNOOP\r\n"
                                        "BDAT 18446744073709551617 LAST\r\nNOOP\r\n")),
                     MW_OK);
    assert_int_equal(count_of(gb_cstr(&t->out), "501 "), 2);
    assert_int_equal(count_of(gb_cstr(&t->out), "250 2.0.0 OK\r\n"), 2);
    assert_int_equal(t->ends, 0);
    /* a chunk of 2^64-1 octets after one of 50: the sum must not wrap */
    {
        char in[1024];
        size_t k;
        srv_start(t, &t->own);
        k = (size_t)snprintf(in, sizeof in, TXN "BDAT 50\r\n");
        memset(in + k, 'a', 50);
        k += 50;
        k += (size_t)snprintf(in + k, sizeof in - k, "BDAT 18446744073709551615 LAST\r\n");
        memset(in + k, 'b', 200);
        k += 200;
        k += (size_t)snprintf(in + k, sizeof in - k, "QUIT\r\nRSET\r\n");
        assert_int_equal(srv_feed(t, in, k), MW_OK);
        assert_true(t->data.n <= 100);
        assert_int_equal(t->cmds[MW_SMTP_CMD_QUIT], 0);
        assert_int_equal(t->cmds[MW_SMTP_CMD_RSET], 0);
        assert_int_equal(t->ends, 0); /* the chunk is not over */
        assert_true(mw_smtp_server_want(&t->s) & MW_SMTP_SERVER_WANT_INPUT);
    }
#else
    /* CHUNKING compiled out (features.h): BDAT of any size is refused
     * with 502 before its size is looked at, and what follows it is read
     * as commands, never as chunk data */
    t->cfg.max_message_size = 100;
    srv_start(t, &t->own);
    assert_int_equal(srv_feed(t, S_(TXN "BDAT 18446744073709551616\r\nNOOP\r\n"
                                        "BDAT 18446744073709551615 LAST\r\nRSET\r\n")),
                     MW_OK);
    assert_int_equal(count_of(gb_cstr(&t->out), "502 5.5.1 "), 2);
    assert_int_equal(count_of(gb_cstr(&t->out), "501 "), 0);
    assert_int_equal(count_of(gb_cstr(&t->out), "250 2.0.0 OK\r\n"), 2);
    assert_int_equal(t->cmds[MW_SMTP_CMD_RSET], 1);
    assert_int_equal(t->data.n, 0);
    assert_int_equal(t->ends, 0);
    assert_int_equal(mw_smtp_server_want(&t->s), MW_SMTP_SERVER_WANT_INPUT);
#endif
    srv_free(t);
}

/* ====================================================================
 * Resource DoS: AUTH cancel loops (field-notes §4.11)
 * ==================================================================== */

/* "*" cancels an AUTH exchange (RFC 4954 §4) and the machine answers 501
 * itself: a loop of AUTH / "*" counts as bad commands and the session is
 * closed with 421 after max_bad_commands, like any other flood of errors. */
static void class_auth_cancel_loop_closes(void **state)
{
    srv *t = srv_new();
    gbuf in = {0};
    unsigned i;
    (void)state;
    t->cfg.max_bad_commands = 5;
    srv_start(t, &t->own);
    gb_puts(&in, HELLO);
    for (i = 0; i < 50; i++)
        gb_puts(&in, i % 2 ? "AUTH PLAIN\r\n*\r\n" : "AUTH LOGIN\r\n*\r\n");
    assert_int_equal(srv_feed(t, in.p, in.n), MW_DONE);
    assert_int_equal(count_of(gb_cstr(&t->out), "501 "), 5);
    assert_int_equal(t->cmds[MW_SMTP_CMD_AUTH], 6);
    assert_non_null(strstr(gb_cstr(&t->out), "421 "));
    assert_true(mw_smtp_server_want(&t->s) & MW_SMTP_SERVER_WANT_CLOSED);
    gb_free(&in);
    srv_free(t);
}


/* ====================================================================
 * Config strings that reach the EHLO reply (fuzz_smtp_roundtrip finding)
 * ==================================================================== */

/* The AUTH mechanisms and extra EHLO lines of the config go into the EHLO
 * reply as they are: anything but ehlo-params (RFC 5321 §4.1.1.1:
 * printable ASCII words after single spaces, a keyword first) would make
 * the reply unreadable to a strict client (ours dropped the AUTH line),
 * so mw_smtp_server_init() refuses it. srv_try_init(): init with t->cfg
 * and only a send callback, the status. */
static int srv_try_init(srv *t)
{
    static const mw_smtp_server_callbacks send_only = {.send = s_send};
    return mw_smtp_server_init(&t->s, &t->cfg, &send_only, t, t->line, sizeof t->line);
}

static void class_server_config_ehlo_lines(void **state)
{
    static const char *const bad_mechs[] = {"PLAIN\xbc", "PLAIN\x01", "PLAIN  LOGIN", " PLAIN",
                                            "PLAIN ", "PL\tAIN", "PLAIN\x7f"};
    static const char *const good_mechs[] = {"", "PLAIN", "PLAIN LOGIN XOAUTH2", "x-odd_name"};
    static const char *const bad_lines[][2] = {{"-X", NULL},       {"X_Y", NULL},
                                              {"X-OK a\x80", NULL}, {"X-OK  a", NULL},
                                              {"X-OK a ", NULL},    {"", NULL},
                                              {" X-OK", NULL},      {"X-OK\ta", NULL}};
    static const char *const good_line[] = {"XFORWARD NAME ADDR PROTO", NULL};
    srv *t = srv_new();
    (void)state;
    for (size_t i = 0; i < NELEM(bad_mechs); i++) {
        t->cfg.auth_mechanisms = bad_mechs[i];
        if (srv_try_init(t) != MW_E_INVAL)
            fail_msg("mechanisms [%s] accepted", bad_mechs[i]);
    }
    for (size_t i = 0; i < NELEM(good_mechs); i++) {
        t->cfg.auth_mechanisms = good_mechs[i];
        assert_int_equal(srv_try_init(t), MW_OK);
    }
    t->cfg.auth_mechanisms = "PLAIN";
    for (size_t i = 0; i < NELEM(bad_lines); i++) {
        t->cfg.ehlo_lines = bad_lines[i];
        if (srv_try_init(t) != MW_E_INVAL)
            fail_msg("EHLO line [%s] accepted", bad_lines[i][0]);
    }
    /* a good line goes out as it is, and every EHLO line parses */
    t->cfg.ehlo_lines = good_line;
    srv_start(t, &t->own);
    assert_int_equal(srv_feed(t, S_(HELLO)), MW_OK);
    assert_non_null(strstr(gb_cstr(&t->out), "XFORWARD NAME ADDR PROTO\r\n"));
    assert_non_null(strstr(gb_cstr(&t->out), "250-AUTH PLAIN\r\n"));
    srv_free(t);
}

#endif /* MW_ENABLE_SMTP_SERVER */

/* ====================================================================
 * Client harness
 * ==================================================================== */
#if MW_ENABLE_SMTP_CLIENT

typedef struct cli {
    mw_smtp_client c;
    mw_smtp_client_config cfg;
    char line[MW_SMTP_CLIENT_LINEBUF_SIZE];
    evlog log;
    gbuf out;                /* everything the client sent */
    unsigned ntls, nreplies, ndone;
    sec_errs err;
    mw_smtp_client_result res;
    const mw_smtp_client_message *msg;
} cli;

static int c_send(mw_smtp_client *c, void *u, const char *p, size_t n)
{
    (void)c;
    return sec_out(&((cli *)u)->out, NULL, NULL, p, n);
}

static int c_reply(mw_smtp_client *c, void *u, const mw_smtp_client_reply *r)
{
    cli *t = u;
    (void)c;
    t->nreplies++;
    evlog_printf(&t->log, "R %d %u", r->cmd, r->code);
    evlog_data(&t->log, "  text", r->text.ptr, r->text.len);
    return 0;
}

static int c_error(mw_smtp_client *c, void *u, int status, size_t off,
                   const char *reason)
{
    cli *t = u;
    (void)c;
    return sec_error(&t->err, &t->log, "E", status, off, reason);
}

static int c_starttls(mw_smtp_client *c, void *u)
{
    cli *t = u;
    (void)c;
    t->ntls++;
    evlog_printf(&t->log, "TLS");
    return 0;
}

static int c_done(mw_smtp_client *c, void *u, const mw_smtp_client_result *r)
{
    cli *t = u;
    (void)c;
    t->res = *r;
    t->ndone++;
    evlog_printf(&t->log, "DONE %s code=%u", mw_status_name(r->status), r->code);
    return 0;
}

static const mw_smtp_client_callbacks cli_cb = {
    .send = c_send, .reply = c_reply, .error = c_error, .starttls = c_starttls, .done = c_done};

static void cli_start(cli *t)
{
    evlog_reset(&t->log);
    gb_clear(&t->out);
    t->ntls = t->nreplies = t->ndone = 0;
    memset(&t->err, 0, sizeof t->err);
    memset(&t->res, 0, sizeof t->res);
    assert_int_equal(mw_smtp_client_init(&t->c, &t->cfg, &cli_cb, t, t->line, sizeof t->line),
                     MW_OK);
    if (t->msg != NULL)
        assert_int_equal(mw_smtp_client_send_message(&t->c, t->msg), MW_OK);
}

static cli *cli_new(void)
{
    cli *t = sec_alloc(sizeof *t);
    mw_smtp_client_config_init(&t->cfg);
    evlog_init(&t->log);
    return t;
}

static void cli_free(cli *t)
{
    evlog_free(&t->log);
    gb_free(&t->out);
    free(t);
}

static int c_feed_op(void *m, const char *p, size_t n, size_t *used)
{
    return mw_smtp_client_feed(&((cli *)m)->c, p, n, used);
}

/* One feed call; `used` may be NULL. */
static int cli_feed(cli *t, const char *s, size_t n, size_t *used)
{
    return sec_feed1(c_feed_op, t, s, n, used);
}

static int cli_feeds(cli *t, const char *s)
{
    return sec_feed1(c_feed_op, t, s, strlen(s), NULL);
}

static mw_span sp(const char *p, size_t n)
{
    mw_span s;
    s.ptr = p;
    s.len = n;
    return s;
}

static mw_span sps(const char *s)
{
    return sp(s, strlen(s));
}

/* Greeting and EHLO done with `ehlo` as the reply; output cleared. */
static void cli_ready(cli *t, const char *ehlo)
{
    t->msg = NULL;
    cli_start(t);
    assert_int_equal(cli_feeds(t, "220 srv.example ESMTP\r\n"), MW_OK);
    assert_int_equal(mw_smtp_client_ehlo(&t->c, sps("client.example")), MW_OK);
    assert_int_equal(cli_feeds(t, ehlo), MW_OK);
    gb_clear(&t->out);
}

#define EHLO_TLS "250-srv.example\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n"
#define EHLO_ALL                                                                         \
    "250-srv.example\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250-8BITMIME\r\n250-DSN\r\n" \
    "250-SMTPUTF8\r\n250-ETRN\r\n250-AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER\r\n250 STARTTLS\r\n"

/* ====================================================================
 * STARTTLS response injection (client), CVE-2020-15953 class
 * ==================================================================== */

/* A 220 to STARTTLS and a forged EHLO reply in the same stream, split in
 * two at every offset: always fatal (MW_E_INJECTION), the forged reply is
 * never delivered and never fills the capabilities; the TLS event comes
 * only when the 220 ended one piece exactly (the forged bytes then
 * arrived before TLS was up, which is fatal too). A multi-line 220 is
 * treated the same. */
static void cve_2020_15953_response_injection_every_split(void **state)
{
    static const char *const goes[2] = {"220 2.0.0 Ready\r\n", "220-2.0.0 Ready\r\n220 go on\r\n"};
    static const char forged[] = "250-evil.example\r\n250-AUTH PLAIN\r\n250 SIZE 1\r\n";
    cli *t = cli_new();
    (void)state;
    for (size_t g = 0; g < 2; g++) {
        char in[256];
        size_t gl = strlen(goes[g]), n, cut;
        n = (size_t)snprintf(in, sizeof in, "%s%s", goes[g], forged);
        for (cut = 1; cut < n; cut++) {
            size_t used = 0, used2 = 0;
            int r1, r2;
            mw_error e;
            cli_ready(t, EHLO_TLS);
            assert_int_equal(mw_smtp_client_starttls(&t->c), MW_OK);
            gb_clear(&t->out);
            evlog_reset(&t->log);
            r1 = cli_feed(t, in, cut, &used);
            r2 = r1 < 0 ? r1 : cli_feed(t, in + cut, n - cut, &used2);
            if (r1 >= 0 && r2 != MW_E_CLOSED)
                fail_msg("220 form %zu cut %zu: %s / %s\n%s", g, cut, mw_status_name(r1),
                         mw_status_name(r2), evlog_str(&t->log));
            assert_int_equal(mw_smtp_client_error(&t->c, &e), MW_E_INJECTION);
            assert_int_equal(mw_smtp_client_want(&t->c), MW_SMTP_CLIENT_WANT_CLOSED);
            if (t->ntls != (cut == gl ? 1u : 0u))
                fail_msg("220 form %zu cut %zu: %u TLS events\n%s", g, cut, t->ntls,
                         evlog_str(&t->log));
            assert_null(strstr(evlog_str(&t->log), "evil"));
            /* the forged "SIZE 1" never reached the capabilities */
            assert_int_equal(mw_smtp_client_caps(&t->c)->ext & MW_SMTP_EXT_SIZE, 0);
            assert_int_equal(mw_smtp_client_tls_done(&t->c), MW_E_STATE);
            /* nothing goes out any more: no EHLO, no AUTH */
            assert_int_equal(t->out.n, 0);
            assert_true(mw_smtp_client_ehlo(&t->c, sps("client.example")) < 0);
            assert_int_equal(t->out.n, 0);
        }
    }
    cli_free(t);
}

/* ====================================================================
 * STARTTLS stripping / downgrade (client)
 * ==================================================================== */

/* With require_tls, any answer to STARTTLS but 220 ends the session: no
 * MAIL, AUTH, VRFY leaves the client afterwards (only QUIT, or nothing
 * after a 421); the transaction helper with MW_SMTP_CLIENT_TLS_REQUIRED
 * never writes the credentials when STARTTLS is missing or refused
 * (smtplib CVE-2016-0772, curl CVE-2021-22946). */
static void class_tls_downgrade_require_tls(void **state)
{
    static const char *const refusals[] = {"454 4.7.0 TLS not available\r\n",
                                           "502 5.5.1 Not implemented\r\n",
                                           "500 5.5.2 What\r\n",
                                           "501 5.5.4 Syntax\r\n",
                                           "503 5.5.1 Bad sequence\r\n",
                                           "554 5.7.0 No\r\n",
                                           "250 2.0.0 Sure\r\n",
                                           "221 2.0.0 Bye\r\n",
                                           "354 go\r\n",
                                           "421 4.3.2 Shutting down\r\n"};
    static const char *const rcpts[] = {"ops@example.com"};
    cli *t = cli_new();
    mw_smtp_client_message m;
    (void)state;
    t->cfg.require_tls = 1;
    for (size_t i = 0; i < NELEM(refusals); i++) {
        int r;
        cli_ready(t, EHLO_TLS);
        assert_int_equal(mw_smtp_client_starttls(&t->c), MW_OK);
        gb_clear(&t->out);
        r = cli_feeds(t, refusals[i]);
        assert_int_equal(t->ntls, 0);
        assert_true(t->err.count >= 1 || r < 0 || r == MW_DONE);
        /* only QUIT may have gone out */
        if (t->out.n != 0 && strcmp(gb_cstr(&t->out), "QUIT\r\n") != 0)
            fail_msg("reply %s: client sent %s", refusals[i], gb_cstr(&t->out));
        assert_true(mw_smtp_client_mail(&t->c, sps("a@b.example"), NULL) < 0);
        assert_true(mw_smtp_client_auth_plain(&t->c, sps(""), sps("u"), sps("p")) < 0);
        assert_true(mw_smtp_client_vrfy(&t->c, sps("x")) < 0);
        assert_null(strstr(gb_cstr(&t->out), "MAIL"));
        assert_null(strstr(gb_cstr(&t->out), "AUTH"));
    }
    /* the transaction helper: STARTTLS stripped from the EHLO reply, or
     * refused; the password's base64 never appears */
    t->cfg.require_tls = 0;
    memset(&m, 0, sizeof m);
    m.ehlo_domain = "dev.example";
    m.tls = MW_SMTP_CLIENT_TLS_REQUIRED;
    m.auth = MW_SMTP_CLIENT_AUTH_PLAIN;
    m.user = "dev";
    m.secret = "hunter2";
    m.from = "dev@example.com";
    m.rcpt = rcpts;
    m.rcpt_count = 1;
    m.body = "Subject: x\r\n\r\nhi\r\n";
    m.body_len = strlen(m.body);
    for (int refuse = 0; refuse < 3; refuse++) {
        t->msg = &m;
        cli_start(t);
        assert_int_equal(cli_feeds(t, "220 srv.example ESMTP\r\n"), MW_OK);
        if (refuse == 0) {
            assert_int_equal(cli_feeds(t, "250-srv.example\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n"),
                             MW_OK);
        } else {
            assert_int_equal(cli_feeds(t, EHLO_TLS), MW_OK);
            assert_non_null(strstr(gb_cstr(&t->out), "STARTTLS\r\n"));
            assert_int_equal(cli_feeds(t, refuse == 1 ? "454 4.7.0 No TLS\r\n" : "250 ok\r\n"),
                             MW_OK);
        }
        (void)cli_feeds(t, "221 bye\r\n");
        assert_int_equal(t->ndone, 1);
        assert_int_equal(t->res.status, MW_E_STATE);
        assert_int_equal(t->ntls, 0);
        assert_null(strstr(gb_cstr(&t->out), "AUTH"));
        assert_null(strstr(gb_cstr(&t->out), "AGRldgBodW50ZXIy")); /* "\0dev\0hunter2" */
        assert_null(strstr(gb_cstr(&t->out), "MAIL"));
        assert_non_null(strstr(gb_cstr(&t->out), "QUIT\r\n"));
    }
    t->msg = NULL;
    cli_free(t);
}

/* ====================================================================
 * CR / LF / NUL injection through the client's formatters
 * ==================================================================== */

/* Every formatter argument with CR, LF or NUL at its first, a middle and
 * its last byte: MW_E_INVAL, the offset of that byte, nothing sent
 * (smtplib bpo-43124, go-smtp 2019, nodemailer). */
static void class_crlf_nul_injection_every_position(void **state)
{
    static const char *const base[] = {
        "ab.example",     /* 0 EHLO */
        "ab.example",     /* 1 HELO */
        "ab@b.example",   /* 2 MAIL from */
        "envid-value",    /* 3 ENVID */
        "auth@b.example", /* 4 AUTH= */
        "X-PARAM",        /* 5 extra name */
        "value",          /* 6 extra value */
        "user",           /* 7 VRFY */
        "list",           /* 8 EXPN */
        "topic",          /* 9 HELP */
        "b.example",      /* 10 ETRN */
        "zid",            /* 11 PLAIN authzid */
        "user",           /* 12 PLAIN user */
        "secret",         /* 13 PLAIN pass */
        "user",           /* 14 LOGIN user */
        "secret",         /* 15 LOGIN pass */
        "u@b.example",    /* 16 XOAUTH2 user */
        "ya29token",      /* 17 XOAUTH2 token */
        "u@b.example",    /* 18 OAUTHBEARER authzid */
        "b.example",      /* 19 OAUTHBEARER host */
        "ya29token",      /* 20 OAUTHBEARER token */
        "c@d.example",    /* 21 RCPT to */
        "c@d.example",    /* 22 ORCPT */
        "rfc822",         /* 23 ORCPT type */
    };
    cli *t = cli_new();
    (void)state;
    t->cfg.tls_active = 1;
    cli_ready(t, EHLO_ALL);
    for (size_t a = 0; a < NELEM(base); a++) {
        size_t len = strlen(base[a]);
        for (size_t k = 0; k < 3; k++)
            for (size_t q = 0; q < 3; q++) {
                char v[32];
                mw_span x;
                mw_smtp_mail_params mp;
                mw_smtp_rcpt_params rp;
                mw_smtp_param prm;
                mw_error e;
                int rc = MW_OK, oauth_out;
                size_t pos = sec_ctl_taint(v, sizeof v, base[a], k, q);
                x = sp(v, len);
                memset(&mp, 0, sizeof mp);
                memset(&rp, 0, sizeof rp);
                prm.name = sps("X-P");
                prm.value = sps("v");
                if (a >= 21) {
                    assert_int_equal(mw_smtp_client_mail(&t->c, sps("a@b.example"), NULL), MW_OK);
                    gb_clear(&t->out);
                }
                switch (a) {
                case 0: rc = mw_smtp_client_ehlo(&t->c, x); break;
                case 1: rc = mw_smtp_client_helo(&t->c, x); break;
                case 2: rc = mw_smtp_client_mail(&t->c, x, NULL); break;
                case 3:
                    mp.present = MW_SMTP_MAIL_ENVID;
                    mp.envid = x;
                    rc = mw_smtp_client_mail(&t->c, sps("a@b.example"), &mp);
                    break;
                case 4:
                    mp.present = MW_SMTP_MAIL_AUTH;
                    mp.auth = x;
                    rc = mw_smtp_client_mail(&t->c, sps("a@b.example"), &mp);
                    break;
                case 5:
                    prm.name = x;
                    rc = mw_smtp_client_mail_ext(&t->c, sps("a@b.example"), NULL, &prm, 1);
                    break;
                case 6:
                    prm.value = x;
                    rc = mw_smtp_client_mail_ext(&t->c, sps("a@b.example"), NULL, &prm, 1);
                    break;
                case 7: rc = mw_smtp_client_vrfy(&t->c, x); break;
                case 8: rc = mw_smtp_client_expn(&t->c, x); break;
                case 9: rc = mw_smtp_client_help(&t->c, x); break;
                case 10: rc = mw_smtp_client_etrn(&t->c, x); break;
                case 11: rc = mw_smtp_client_auth_plain(&t->c, x, sps("u"), sps("p")); break;
                case 12: rc = mw_smtp_client_auth_plain(&t->c, sps(""), x, sps("p")); break;
                case 13: rc = mw_smtp_client_auth_plain(&t->c, sps(""), sps("u"), x); break;
                case 14: rc = mw_smtp_client_auth_login(&t->c, x, sps("p")); break;
                case 15: rc = mw_smtp_client_auth_login(&t->c, sps("u"), x); break;
                case 16: rc = mw_smtp_client_auth_xoauth2(&t->c, x, sps("tok")); break;
                case 17: rc = mw_smtp_client_auth_xoauth2(&t->c, sps("u"), x); break;
                case 18:
                    rc = mw_smtp_client_auth_oauthbearer(&t->c, x, sps("h.example"), 587, sps("t"));
                    break;
                case 19:
                    rc = mw_smtp_client_auth_oauthbearer(&t->c, sps("u"), x, 587, sps("t"));
                    break;
                case 20:
                    rc = mw_smtp_client_auth_oauthbearer(&t->c, sps("u"), sps("h.example"), 587, x);
                    break;
                case 21: rc = mw_smtp_client_rcpt(&t->c, x, NULL); break;
                case 22:
                    rp.present = MW_SMTP_RCPT_ORCPT;
                    rp.orcpt = x;
                    rc = mw_smtp_client_rcpt(&t->c, sps("c@d.example"), &rp);
                    break;
                case 23:
                    rp.present = MW_SMTP_RCPT_ORCPT;
                    rp.orcpt = sps("c@d.example");
                    rp.orcpt_type = x;
                    rc = mw_smtp_client_rcpt(&t->c, sps("c@d.example"), &rp);
                    break;
                default:
                    break;
                }
                /* OAuth compiled out (features.h): 16-20 are refused as
                 * such, before their arguments are looked at */
                oauth_out = !MW_ENABLE_SASL_OAUTH && a >= 16 && a <= 20;
                if (rc != (oauth_out ? MW_E_UNSUPPORTED : MW_E_INVAL) || t->out.n != 0)
                    fail_msg("argument %zu, byte %d at %zu: %s, %zu bytes sent", a,
                             sec_ctl_byte(k), pos, mw_status_name(rc), t->out.n);
                if (oauth_out)
                    continue;
                mw_smtp_client_error(&t->c, &e);
                /* EHLO/HELO/paths report the offset in the argument; the
                 * SASL encoders report theirs in the argument too */
                if (e.offset != pos)
                    fail_msg("argument %zu, byte %d at %zu: offset %zu (%s)", a,
                             sec_ctl_byte(k), pos, e.offset, e.reason);
                if (a >= 21) {
                    assert_int_equal(mw_smtp_client_rset(&t->c), MW_OK);
                    assert_int_equal(cli_feeds(t, "250 ok\r\n250 ok\r\n"), MW_OK);
                    gb_clear(&t->out);
                }
            }
    }
    cli_free(t);
}

/* The transaction helper formats its descriptor's strings with the same
 * formatters: a line break in any of them fails the message (status
 * MW_E_INVAL in `done`) and the injected command never leaves. */
static void class_crlf_injection_message_descriptor(void **state)
{
    static const char evil[] = "RCPT TO:<evil@x.example>";
    cli *t = cli_new();
    (void)state;
    t->cfg.auth_without_tls = 1;
    for (int field = 0; field < 5; field++) {
        static const char *const ok_rcpt[] = {"ops@example.com"};
        char bad[96];
        const char *bad_rcpt[1];
        mw_smtp_client_message m;
        snprintf(bad, sizeof bad, "%s\r\n%s", field == 0 ? "dev.example" : "a@b.example", evil);
        bad_rcpt[0] = bad;
        memset(&m, 0, sizeof m);
        m.ehlo_domain = field == 0 ? bad : "dev.example";
        m.from = field == 1 ? bad : "dev@example.com";
        m.rcpt = field == 2 ? bad_rcpt : ok_rcpt;
        m.rcpt_count = 1;
        m.auth = field >= 3 ? MW_SMTP_CLIENT_AUTH_LOGIN : MW_SMTP_CLIENT_AUTH_NONE;
        m.user = field == 3 ? bad : "dev";
        m.secret = field == 4 ? bad : "pw";
        m.body = "Subject: x\r\n\r\nhi\r\n";
        m.body_len = strlen(m.body);
        t->msg = &m;
        cli_start(t);
        (void)cli_feeds(t, "220 srv.example ESMTP\r\n");
        (void)cli_feeds(t, "250-srv.example\r\n250-PIPELINING\r\n250 AUTH LOGIN\r\n");
        (void)cli_feeds(t, "334 VXNlcm5hbWU6\r\n");
        (void)cli_feeds(t, "334 UGFzc3dvcmQ6\r\n");
        (void)cli_feeds(t, "221 bye\r\n");
        if (t->ndone != 1 || t->res.status != MW_E_INVAL)
            fail_msg("field %d: done %u status %s\n%s", field, t->ndone,
                     mw_status_name(t->res.status), gb_cstr(&t->out));
        assert_null(strstr(gb_cstr(&t->out), evil));
        assert_true(crlf_only(t->out.p, t->out.n));
        /* the base64 of a credential with CR LF never goes out either */
        assert_null(strstr(gb_cstr(&t->out), "DQpSQ1BU")); /* "\r\nRCPT" at 0 mod 3 */
        /* MAIL goes out first (pipelined) only when the recipient is bad */
        if (field != 2)
            assert_null(strstr(gb_cstr(&t->out), "MAIL"));
    }
    t->msg = NULL;
    cli_free(t);
}

/* ====================================================================
 * SMTP smuggling (client): the dot-stuffer never emits an early end
 * ==================================================================== */

/* The ACCEPT normalisation: bare CR and bare LF become CRLF, a CRLF is
 * added when the data does not end with a line end. */
static void model_norm(const char *p, size_t n, gbuf *out)
{
    int start = 1;
    size_t i;
    for (i = 0; i < n; i++) {
        if (p[i] == '\r' || p[i] == '\n') {
            if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
                i++;
            gb_put(out, "\r\n", 2);
            start = 1;
            continue;
        }
        gb_put(out, &p[i], 1);
        start = 0;
    }
    if (!start)
        gb_put(out, "\r\n", 2);
}

/* `chunking`: the server offers CHUNKING; the client takes it (BDAT, no
 * 354 to wait for) unless CHUNKING is compiled out (features.h), when it
 * sends DATA all the same. */
static void cli_data_ready(cli *t, int chunking)
{
    int bdat = chunking && MW_ENABLE_SMTP_CHUNKING;
    cli_ready(t, chunking ? "250-srv\r\n250-PIPELINING\r\n250 CHUNKING\r\n"
                          : "250-srv\r\n250 PIPELINING\r\n");
    assert_int_equal(mw_smtp_client_mail(&t->c, sps("a@b.example"), NULL), MW_OK);
    assert_int_equal(mw_smtp_client_rcpt(&t->c, sps("c@d.example"), NULL), MW_OK);
    assert_int_equal(mw_smtp_client_data(&t->c), MW_OK);
    assert_int_equal(strstr(gb_cstr(&t->out), "\r\nDATA\r\n") == NULL, bdat);
    assert_int_equal(cli_feeds(t, bdat ? "250 ok\r\n250 ok\r\n" : "250 ok\r\n250 ok\r\n354 go\r\n"),
                     MW_OK);
    assert_true(mw_smtp_client_want(&t->c) & MW_SMTP_CLIENT_WANT_BODY);
}

/* Every body of up to 6 bytes of CR, LF, "." and "x", written in two
 * pieces cut at every offset: on the wire only CRLF line ends, and
 * CRLF "." CRLF only at the very end (after DATA); both the DATA and the
 * BDAT forms, read back by the server machine in strict mode (REJECT),
 * deliver exactly one message holding the normalised body. */
static void class_smtp_smuggling_client_every_body(void **state)
{
    cli *t = cli_new();
    size_t runs = 0;
    (void)state;
#if MW_ENABLE_SMTP_SERVER
    srv *s = srv_new();
    s->quiet = 1;
#endif
    for (size_t len = 0; len <= 6; len++)
        for (size_t idx = 0; idx < seq_count(len); idx++) {
            char v[8];
            gbuf want = {0};
            seq_make(len, idx, v);
            model_norm(v, len, &want);
            for (int chunking = 0; chunking < 2; chunking++)
                for (size_t cut = 0; cut <= len; cut += (len > 3 ? 2 : 1)) {
                    gbuf wire = {0};
                    cli_data_ready(t, chunking);
                    gb_put(&wire, gb_cstr(&t->out), t->out.n); /* MAIL RCPT [DATA] */
                    gb_clear(&t->out);
                    assert_int_equal(mw_smtp_client_write(&t->c, v, cut), MW_OK);
                    assert_int_equal(mw_smtp_client_write_last(&t->c, v + cut, len - cut), MW_OK);
                    if (!chunking || !MW_ENABLE_SMTP_CHUNKING) {
                        size_t e = find(t->out.p, t->out.n, "\r\n.\r\n");
                        /* "." CRLF alone ends an empty message */
                        int ok_end = t->out.n >= 3 &&
                                     memcmp(t->out.p + t->out.n - 3, ".\r\n", 3) == 0 &&
                                     (e == t->out.n || e + 5 == t->out.n) &&
                                     (t->out.n == 3 || e + 5 == t->out.n);
                        if (!ok_end || !crlf_only(t->out.p, t->out.n))
                            fail_msg("body %zu/%zu cut %zu: bad wire data", len, idx, cut);
                    }
                    gb_put(&wire, gb_cstr(&t->out), t->out.n);
                    gb_puts(&wire, "QUIT\r\n");
#if MW_ENABLE_SMTP_SERVER
                    s->cfg.data_newlines = MW_NEWLINE_REJECT;
                    srv_start(s, &s->own);
                    assert_int_equal(srv_feed(s, S_(HELLO)), MW_OK);
                    (void)srv_feed(s, wire.p, wire.n);
                    if (s->ends != 1 || s->end_status[0] != MW_OK ||
                        s->cmds[MW_SMTP_CMD_QUIT] != 1 || s->data.n != want.n ||
                        memcmp(gb_cstr(&s->data), gb_cstr(&want), want.n) != 0)
                        fail_msg("body %zu/%zu cut %zu chunking %d: server got %u messages, "
                                 "%zu bytes, want %zu",
                                 len, idx, cut, chunking, s->ends, s->data.n, want.n);
#endif
                    gb_free(&wire);
                    runs++;
                }
            gb_free(&want);
        }
    assert_true(runs > 5000);
#if MW_ENABLE_SMTP_SERVER
    srv_free(s);
#endif
    cli_free(t);
}

/* ====================================================================
 * Integer overflow in sizes (client)
 * ==================================================================== */

/* The SIZE a server offers: 2^64-1 is taken, 2^64 is MW_E_OVERFLOW (size
 * 0: no known limit, never a wrapped small one); a message declared above
 * the limit is refused before anything is sent (RFC 1870 §6). */
static void class_integer_overflow_size_client(void **state)
{
    mw_smtp_caps caps;
    mw_smtp_mail_params mp;
    cli *t = cli_new();
    (void)state;
    mw_smtp_caps_init(&caps);
    assert_int_equal(mw_smtp_caps_parse_line(&caps, S_("SIZE 18446744073709551615"), NULL), MW_OK);
    assert_true(caps.size == UINT64_MAX);
    mw_smtp_caps_init(&caps);
    assert_int_equal(mw_smtp_caps_parse_line(&caps, S_("SIZE 18446744073709551616"), NULL),
                     MW_E_OVERFLOW);
    assert_true(caps.size == 0);
    assert_true(caps.ext & MW_SMTP_EXT_SIZE);
    mw_smtp_caps_init(&caps);
    assert_int_equal(mw_smtp_caps_parse_line(&caps, S_("SIZE 99999999999999999999999999999"), NULL),
                     MW_E_OVERFLOW);
    assert_true(caps.size == 0);
    /* SIZE=UINT64_MAX against a 1000-octet server */
    cli_ready(t, "250-srv\r\n250 SIZE 1000\r\n");
    memset(&mp, 0, sizeof mp);
    mp.present = MW_SMTP_MAIL_SIZE;
    mp.size = UINT64_MAX;
    assert_int_equal(mw_smtp_client_mail(&t->c, sps("a@b.example"), &mp), MW_E_LIMIT);
    mp.size = 1001;
    assert_int_equal(mw_smtp_client_mail(&t->c, sps("a@b.example"), &mp), MW_E_LIMIT);
    assert_int_equal(t->out.n, 0);
    mp.size = 1000;
    assert_int_equal(mw_smtp_client_mail(&t->c, sps("a@b.example"), &mp), MW_OK);
    assert_string_equal(gb_cstr(&t->out), "MAIL FROM:<a@b.example> SIZE=1000\r\n");
    /* a reply code is three digits: a fourth, or a huge number, is fatal */
    cli_ready(t, "250-srv\r\n250 SIZE 1000\r\n");
    assert_int_equal(mw_smtp_client_noop(&t->c), MW_OK);
    assert_int_equal(cli_feeds(t, "2500 ok\r\n"), MW_E_CLOSED);
    cli_ready(t, "250-srv\r\n250 SIZE 1000\r\n");
    assert_int_equal(mw_smtp_client_noop(&t->c), MW_OK);
    assert_int_equal(cli_feeds(t, "18446744073709551866 ok\r\n"), MW_E_CLOSED);
    cli_free(t);
}


/* ====================================================================
 * What the client formats, the server takes (fuzz_smtp_roundtrip)
 * ==================================================================== */

/* Regressions of the round-trip fuzzer: each was a line the client sent
 * and a server refused, now refused by the client before anything goes
 * out (MW_E_STATE / MW_E_INVAL), with the largest accepted value next to
 * it: ETRN inside a transaction (servers answer 503), ENVID over 100 and
 * ORCPT over 500 octets (RFC 3461 §4.4, §4.2; an ORCPT that long does not
 * fit a command line anyway), "=" in an ORCPT address
 * type (esmtp-value has none), and XOAUTH2 / OAUTHBEARER values with
 * control characters (RFC 7628 §3.1 value). */
static void class_client_output_is_what_servers_take(void **state)
{
    char big[600];
    mw_smtp_mail_params mp;
    mw_smtp_rcpt_params rp;
    cli *t = cli_new();
    (void)state;
    memset(big, 'e', sizeof big);
    t->cfg.tls_active = 1;
    cli_ready(t, EHLO_ALL);
    /* ETRN: fine outside a transaction, refused inside */
    assert_int_equal(mw_smtp_client_etrn(&t->c, sps("example.org")), MW_OK);
    assert_int_equal(cli_feeds(t, "250 ok\r\n"), MW_OK);
    assert_int_equal(mw_smtp_client_mail(&t->c, sps("a@b.example"), NULL), MW_OK);
    assert_int_equal(cli_feeds(t, "250 ok\r\n"), MW_OK);
    gb_clear(&t->out);
    assert_int_equal(mw_smtp_client_etrn(&t->c, sps("example.org")), MW_E_STATE);
    assert_int_equal(t->out.n, 0);
    /* ORCPT: 500 octets go, 501 do not; "=" in the type never */
    memset(&rp, 0, sizeof rp);
    rp.present = MW_SMTP_RCPT_ORCPT;
    rp.orcpt = sp(big, 501);
    assert_int_equal(mw_smtp_client_rcpt(&t->c, sps("c@d.example"), &rp), MW_E_INVAL);
    rp.orcpt = sps("c@d.example");
    rp.orcpt_type = sps("rfc8=22");
    assert_int_equal(mw_smtp_client_rcpt(&t->c, sps("c@d.example"), &rp), MW_E_INVAL);
    assert_int_equal(t->out.n, 0);
    assert_int_equal(mw_smtp_client_rset(&t->c), MW_OK);
    assert_int_equal(cli_feeds(t, "250 ok\r\n"), MW_OK);
    /* ENVID: 100 octets go, 101 do not */
    memset(&mp, 0, sizeof mp);
    mp.present = MW_SMTP_MAIL_ENVID;
    mp.envid = sp(big, 101);
    gb_clear(&t->out);
    assert_int_equal(mw_smtp_client_mail(&t->c, sps("a@b.example"), &mp), MW_E_INVAL);
    assert_int_equal(t->out.n, 0);
    mp.envid = sp(big, 100);
    assert_int_equal(mw_smtp_client_mail(&t->c, sps("a@b.example"), &mp), MW_OK);
#if MW_ENABLE_SMTP_SERVER
    {
        /* ... and the server takes exactly those */
        srv *s = srv_new();
        s->cfg.flags |= MW_SMTP_SERVER_TLS_ACTIVE;
        srv_start(s, &s->own);
        assert_int_equal(srv_feed(s, S_(HELLO)), MW_OK);
        assert_int_equal(srv_feed(s, t->out.p, t->out.n), MW_OK);
        assert_int_equal(s->cmds[MW_SMTP_CMD_MAIL], 1);
        assert_int_equal(s->err.count, 0);
        assert_int_equal(cli_feeds(t, "250 ok\r\n"), MW_OK);
        gb_clear(&t->out);
        /* the longest ORCPT a 512-octet command line holds */
        rp.orcpt = sp(big, 470);
        rp.orcpt_type = sps("rfc822");
        assert_int_equal(mw_smtp_client_rcpt(&t->c, sps("c@d.example"), &rp), MW_OK);
        assert_int_equal(srv_feed(s, t->out.p, t->out.n), MW_OK);
        assert_int_equal(s->cmds[MW_SMTP_CMD_RCPT], 1);
        assert_int_equal(s->err.count, 0);
        srv_free(s);
    }
#endif
    /* XOAUTH2 / OAUTHBEARER values: controls other than HTAB refused,
     * HTAB taken and read back by the server-side parser */
    {
        char b64[256], scratch[256];
        size_t n = 0;
        mw_span u, tok;
#if MW_ENABLE_SASL_OAUTH
        assert_int_equal(mw_sasl_xoauth2_encode(S_("u@e\x05x"), S_("tok"), b64, sizeof b64, &n),
                         MW_E_INVAL);
        assert_int_equal(mw_sasl_xoauth2_encode(S_("u@e\x7fx"), S_("tok"), b64, sizeof b64, &n),
                         MW_E_INVAL);
        assert_int_equal(mw_sasl_oauthbearer_encode(S_("a\x02z"), S_("h.example"), 0, S_("tok"),
                                                    b64, sizeof b64, &n),
                         MW_E_INVAL);
        assert_int_equal(mw_sasl_xoauth2_encode(S_("u@e\tx"), S_("tok"), b64, sizeof b64, &n),
                         MW_OK);
        assert_int_equal(mw_sasl_xoauth2_parse(b64, n, scratch, sizeof scratch, &u, &tok, NULL),
                         MW_OK);
        assert_int_equal(u.len, 5);
        assert_memory_equal(u.ptr, "u@e\tx", 5);
#else
        /* OAuth compiled out (features.h): every one refused as such,
         * nothing written */
        memset(b64, 0, sizeof b64);
        assert_int_equal(mw_sasl_xoauth2_encode(S_("u@e\x05x"), S_("tok"), b64, sizeof b64, &n),
                         MW_E_UNSUPPORTED);
        assert_int_equal(mw_sasl_oauthbearer_encode(S_("a\x02z"), S_("h.example"), 0, S_("tok"),
                                                    b64, sizeof b64, &n),
                         MW_E_UNSUPPORTED);
        assert_int_equal(mw_sasl_xoauth2_encode(S_("u@e\tx"), S_("tok"), b64, sizeof b64, &n),
                         MW_E_UNSUPPORTED);
        assert_int_equal(n, 0);
        assert_int_equal(b64[0], 0);
        /* "user=u\x01auth=Bearer t\x01\x01" */
        assert_int_equal(mw_sasl_xoauth2_parse(S_("dXNlcj11AWF1dGg9QmVhcmVyIHQBAQ=="), scratch,
                                               sizeof scratch, &u, &tok, NULL),
                         MW_E_UNSUPPORTED);
#endif
    }
    cli_free(t);
}

#endif /* MW_ENABLE_SMTP_CLIENT */

int main(void)
{
    const struct CMUnitTest tests[] = {
#if MW_ENABLE_SMTP_SERVER
        cmocka_unit_test(cve_2011_0411_starttls_injection_every_split),
        cmocka_unit_test(class_starttls_refused_keeps_parsing),
        cmocka_unit_test(class_smtp_smuggling_server_every_sequence),
        cmocka_unit_test(cve_2020_28021_xtext_control_bytes),
        cmocka_unit_test(class_base64_decoded_lines_are_not_commands),
        cmocka_unit_test(class_integer_overflow_size_and_bdat),
        cmocka_unit_test(class_auth_cancel_loop_closes),
        cmocka_unit_test(class_server_config_ehlo_lines),
#endif
#if MW_ENABLE_SMTP_CLIENT
        cmocka_unit_test(cve_2020_15953_response_injection_every_split),
        cmocka_unit_test(class_tls_downgrade_require_tls),
        cmocka_unit_test(class_crlf_nul_injection_every_position),
        cmocka_unit_test(class_crlf_injection_message_descriptor),
        cmocka_unit_test(class_smtp_smuggling_client_every_body),
        cmocka_unit_test(class_integer_overflow_size_client),
        cmocka_unit_test(class_client_output_is_what_servers_take),
#endif
#if !MW_ENABLE_SMTP_SERVER && !MW_ENABLE_SMTP_CLIENT
        SEC_NOT_BUILT_TEST("class_smtp_not_built"),
#endif
    };
    return cmocka_run_group_tests_name("security_smtp", tests, NULL, NULL);
}
