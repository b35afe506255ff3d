/* SPDX-License-Identifier: MIT */
/* Security regression suite for POP3 (issue 8): one test per attack class
 * of field-notes §4, each named after the CVE or the class it guards
 * against (cve_<id>_... / class_<what>_...), in both roles.
 *
 * Covered elsewhere and only extended here:
 *  - test_pop3_server.c test_stls_injection, test_stls_refused_and_per_byte:
 *    CVE-2011-0411 whole and per byte. Added: every two-piece split of a
 *    long pipelined injection (USER, PASS, RETR, DELE, QUIT), and the
 *    forgetting of USER and UTF8 across the handshake.
 *  - test_pop3_client.c test_stls_injection: CVE-2020-15953, the +OK and
 *    more bytes in one read or a later one. Added: every split of "+OK"
 *    plus a forged CAPA answer.
 *  - test_pop3_client.c test_require_tls, test_pop3_server.c
 *    test_auth_needs_tls. Added: every credential command, in every stage
 *    (before STLS, after a refused STLS, after +OK but before the
 *    handshake) and nothing on the wire.
 *  - test_pop3_client.c test_injection_in_arguments (CR/LF/NUL at one
 *    place of each argument). Added: the first, a middle and the last
 *    byte of every argument.
 *  - test_pop3_server.c test_syntax (RETR 4294967296) and
 *    test_pop3_client.c test_status_lines, test_listings. Added: the 2^32
 *    and 2^64 boundaries of every numeric field in both roles, and the
 *    largest values formatted by the server and read back by the client.
 *  - test_pop3_client.c test_bodies and test_dot.c (CVE-2023-51764 class
 *    for bodies). Added: every sequence of CR, LF, "." and a letter up to
 *    5 bytes in a RETR body against a model of RFC 1939 §3, and every
 *    body up to 6 bytes written by the server machine and read back.
 *  - Added: an AUTH cancel loop ("*", field-notes §4.11) closes the
 *    session.
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
#include "security_util.h"

#include "mailwire/features.h"
#include "mailwire/pop3.h"

/* ====================================================================
 * Shared helpers
 * ==================================================================== */

/* gbuf, find, count_of, crlf_only, seq_*, S_, NELEM, sec_*: security_util.h */

/* ====================================================================
 * Server harness
 * ==================================================================== */
#if MW_ENABLE_POP3_SERVER

typedef struct srv {
    mw_pop3_server s;
    mw_pop3_server_config cfg;
    char line[MW_POP3_SERVER_LINEBUF_SIZE];
    evlog log;
    gbuf out;
    unsigned cmds[40];
    sec_errs err;
    int manual;       /* leave RETR unanswered (the test answers it) */
} srv;

static int s_send(mw_pop3_server *s, void *u, const char *p, size_t n)
{
    (void)s;
    return sec_out(&((srv *)u)->out, NULL, NULL, p, n);
}

static int s_command(mw_pop3_server *s, void *u, const mw_pop3_cmd *c)
{
    srv *t = u;
    int rc;
    if ((unsigned)c->id < 40)
        t->cmds[c->id]++;
    if (t->manual)
        return 0; /* the test answers */
    evlog_printf(&t->log, "C %s msg=%lu lines=%lu @%zu", mw_pop3_cmd_name(c->id),
                 (unsigned long)c->msg, (unsigned long)c->lines, c->offset);
    evlog_data(&t->log, "  arg", c->arg.ptr, c->arg.len);
    switch (c->id) {
    case MW_POP3_CMD_PASS:
    case MW_POP3_CMD_USER:
    case MW_POP3_CMD_STLS:
    case MW_POP3_CMD_UTF8:
    case MW_POP3_CMD_NOOP:
    case MW_POP3_CMD_RSET:
    case MW_POP3_CMD_DELE:
    case MW_POP3_CMD_QUIT:
        return mw_pop3_server_reply(s, 1, 0, NULL);
    case MW_POP3_CMD_STAT:
        return mw_pop3_server_reply_stat(s, UINT32_MAX, UINT64_MAX);
    case MW_POP3_CMD_LIST:
        if (c->flags & MW_POP3_CMDF_HAS_MSG)
            return mw_pop3_server_scan_listing(s, c->msg, UINT64_MAX);
        if ((rc = mw_pop3_server_reply_begin(s, NULL)) != MW_OK ||
            (rc = mw_pop3_server_scan_listing(s, 1, 0)) != MW_OK ||
            (rc = mw_pop3_server_scan_listing(s, UINT32_MAX, UINT64_MAX)) != MW_OK)
            return rc;
        return mw_pop3_server_reply_end(s);
    case MW_POP3_CMD_RETR:
        if ((rc = mw_pop3_server_reply_begin(s, NULL)) != MW_OK ||
            (rc = mw_pop3_server_write(s, "x\r\n", 3)) < 0)
            return rc;
        return mw_pop3_server_reply_end(s);
    case MW_POP3_CMD_AUTH:
    case MW_POP3_CMD_AUTH_RESPONSE:
        return mw_pop3_server_auth_challenge(s, NULL, 0);
    default:
        return mw_pop3_server_reply(s, 0, 0, "no");
    }
}

static int s_error(mw_pop3_server *s, void *u, int status, size_t off,
                   const char *reason)
{
    srv *t = u;
    (void)s;
    return sec_error(&t->err, &t->log, "E", status, off, reason);
}

static const mw_pop3_server_callbacks srv_cb = {
    .send = s_send, .command = s_command, .error = s_error};

static srv *srv_new(void)
{
    srv *t = sec_alloc(sizeof *t);
    mw_pop3_server_config_init(&t->cfg);
    t->cfg.flags |= MW_POP3_SERVER_STLS | MW_POP3_SERVER_UTF8;
    t->cfg.sasl = "PLAIN";
    evlog_init(&t->log);
    return t;
}

static void srv_free(srv *t)
{
    evlog_free(&t->log);
    gb_free(&t->out);
    free(t);
}

static void srv_start(srv *t)
{
    memset(t->cmds, 0, sizeof t->cmds);
    memset(&t->err, 0, sizeof t->err);
    evlog_reset(&t->log);
    gb_clear(&t->out);
    assert_int_equal(mw_pop3_server_init(&t->s, &t->cfg, &srv_cb, t, t->line, sizeof t->line),
                     MW_OK);
    assert_int_equal(mw_pop3_server_start(&t->s, "ready"), MW_OK);
    gb_clear(&t->out);
}

static int s_feed_op(void *m, const char *p, size_t n, size_t *used)
{
    return mw_pop3_server_feed(&((srv *)m)->s, p, n, used);
}

static int srv_feed(srv *t, const char *p, size_t n)
{
    return sec_feed_all(s_feed_op, t, p, n);
}

/* ====================================================================
 * STLS command injection (server), CVE-2011-0411 class
 * ==================================================================== */

/* "USER" and "UTF8" before STLS, then plaintext pipelined behind it,
 * split in two at every offset: the injected commands never reach the
 * application, every byte is counted as discarded, and after the
 * handshake the session starts over: PASS (needing the USER from before)
 * is refused, UTF-8 mode is off (RFC 2595 §4). */
static void cve_2011_0411_stls_injection_every_split(void **state)
{
    static const char head[] = "UTF8\r\nUSER alice\r\nSTLS\r\n";
    static const char inj[] = "USER evil\r\nPASS x\r\nRETR 1\r\nDELE 1\r\nQUIT\r\nNOO";
    char in[256];
    size_t hl = sizeof head - 1, il = sizeof inj - 1, n = hl + il, cut;
    srv *t = srv_new();
    (void)state;
    memcpy(in, head, hl);
    memcpy(in + hl, inj, il);
    for (cut = 0; cut <= n; cut++) {
        size_t used = 0, used2 = 0;
        int r;
        srv_start(t);
        r = mw_pop3_server_feed(&t->s, in, cut, &used);
        assert_true(r == MW_OK || r == MW_PAUSED);
        assert_int_equal(used, cut);
        r = mw_pop3_server_feed(&t->s, in + cut, n - cut, &used2);
        assert_int_equal(r, MW_OK);
        assert_int_equal(used2, n - cut);
        if (t->cmds[MW_POP3_CMD_USER] != 1 || t->cmds[MW_POP3_CMD_PASS] != 0 ||
            t->cmds[MW_POP3_CMD_RETR] != 0 || t->cmds[MW_POP3_CMD_DELE] != 0 ||
            t->cmds[MW_POP3_CMD_QUIT] != 0)
            fail_msg("cut %zu: injected commands ran\n%s", cut, evlog_str(&t->log));
        assert_int_equal(mw_pop3_server_discarded(&t->s), il);
        assert_int_equal(t->err.last, MW_E_TLS_LEFTOVER);
        assert_int_equal(t->err.last_off, hl);
        assert_int_equal(mw_pop3_server_want(&t->s), MW_POP3_WANT_TLS);
        assert_int_equal(mw_pop3_server_tls_done(&t->s), MW_OK);
        gb_clear(&t->out);
        /* the USER from before TLS is forgotten */
        assert_int_equal(srv_feed(t, S_("PASS x\r\n")), MW_OK);
        assert_int_equal(t->cmds[MW_POP3_CMD_PASS], 0);
        assert_true(strncmp(gb_cstr(&t->out), "-ERR", 4) == 0);
        assert_int_equal(mw_pop3_server_state(&t->s), MW_POP3_STATE_AUTHORIZATION);
        /* UTF-8 mode is off again: "UTF8" can be sent again and taken */
        assert_int_equal(srv_feed(t, S_("UTF8\r\n")), MW_OK);
        assert_int_equal(t->cmds[MW_POP3_CMD_UTF8], 2);
    }
    srv_free(t);
}

/* When STLS is refused the bytes behind it are commands: the machine
 * must go on parsing them (discarding would desynchronise). */
static void class_stls_refused_keeps_parsing(void **state)
{
    srv *t = srv_new();
    (void)state;
    t->cfg.flags &= ~MW_POP3_SERVER_STLS;
    srv_start(t);
    assert_int_equal(srv_feed(t, S_("STLS\r\nUSER alice\r\nNOOP\r\n")), MW_OK);
    assert_int_equal(t->cmds[MW_POP3_CMD_STLS], 0);
    assert_int_equal(t->cmds[MW_POP3_CMD_USER], 1);
    assert_int_equal(mw_pop3_server_discarded(&t->s), 0);
    assert_true(strncmp(gb_cstr(&t->out), "-ERR", 4) == 0);
    /* under implicit TLS STLS is refused the same way */
    t->cfg.flags |= MW_POP3_SERVER_STLS | MW_POP3_SERVER_TLS_ACTIVE;
    srv_start(t);
    assert_int_equal(srv_feed(t, S_("STLS\r\nUSER alice\r\n")), MW_OK);
    assert_int_equal(t->cmds[MW_POP3_CMD_USER], 1);
    assert_int_equal(mw_pop3_server_discarded(&t->s), 0);
    srv_free(t);
}

/* ====================================================================
 * Integer overflow in message numbers (server)
 * ==================================================================== */

/* RFC 1939 message numbers fit 32 bits: 4294967295 is taken, 4294967296
 * and every longer number are -ERR (never a wrapped small number that
 * would name another message); TOP's line count saturates ("all"). */
static void class_integer_overflow_message_numbers_server(void **state)
{
    static const char *const verbs[] = {"RETR", "DELE", "LIST", "UIDL", "TOP"};
    static const char *const big[] = {"4294967296", "4294967297", "18446744073709551616",
                                      "18446744073709551617", "99999999999999999999999999999",
                                      "00000000004294967296"};
    srv *t = srv_new();
    (void)state;
    t->cfg.max_bad_commands = 0; /* no limit: every number is tried */
    srv_start(t);
    assert_int_equal(srv_feed(t, S_("USER a\r\nPASS b\r\n")), MW_OK);
    assert_int_equal(mw_pop3_server_state(&t->s), MW_POP3_STATE_TRANSACTION);
    for (size_t v = 0; v < 5; v++) {
        char in[96];
        int n;
        for (size_t b = 0; b < NELEM(big); b++) {
            evlog_reset(&t->log);
            n = snprintf(in, sizeof in, "%s %s%s\r\n", verbs[v], big[b], v == 4 ? " 1" : "");
            assert_int_equal(srv_feed(t, in, (size_t)n), MW_OK);
            if (strstr(evlog_str(&t->log), "C ") != NULL)
                fail_msg("%s", in);
        }
        /* the largest valid number */
        evlog_reset(&t->log);
        n = snprintf(in, sizeof in, "%s 4294967295%s\r\n", verbs[v], v == 4 ? " 1" : "");
        assert_int_equal(srv_feed(t, in, (size_t)n), MW_OK);
        assert_non_null(strstr(evlog_str(&t->log), "msg=4294967295"));
    }
    assert_int_equal(t->cmds[MW_POP3_CMD_RETR] + t->cmds[MW_POP3_CMD_DELE] +
                         t->cmds[MW_POP3_CMD_LIST] + t->cmds[MW_POP3_CMD_UIDL] +
                         t->cmds[MW_POP3_CMD_TOP],
                     5);
    /* TOP's line count: 2^64 and beyond mean "all" (saturated) */
    evlog_reset(&t->log);
    assert_int_equal(srv_feed(t, S_("TOP 1 18446744073709551616\r\nTOP 1 4294967296\r\n")), MW_OK);
    assert_int_equal(count_of(evlog_str(&t->log), "lines=4294967295"), 2);
    srv_free(t);
}

/* ====================================================================
 * Resource DoS: AUTH cancel loops (field-notes §4.11)
 * ==================================================================== */

static void class_auth_cancel_loop_closes(void **state)
{
    srv *t = srv_new();
    gbuf in = {0};
    (void)state;
    t->cfg.max_bad_commands = 5;
    srv_start(t);
    for (int i = 0; i < 40; i++)
        gb_put(&in, S_("AUTH PLAIN\r\n*\r\n"));
    assert_int_equal(srv_feed(t, in.p, in.n), MW_DONE);
    assert_int_equal(t->cmds[MW_POP3_CMD_AUTH], 5);
    assert_int_equal(count_of(gb_cstr(&t->out), "-ERR Authentication cancelled"), 4);
    assert_int_equal(mw_pop3_server_want(&t->s), MW_POP3_WANT_CLOSED);
    gb_free(&in);
    srv_free(t);
}

#endif /* MW_ENABLE_POP3_SERVER */

/* ====================================================================
 * Client harness
 * ==================================================================== */
#if MW_ENABLE_POP3_CLIENT

typedef struct cli {
    mw_pop3_client c;
    mw_pop3_client_config cfg;
    char line[MW_POP3_CLIENT_LINEBUF_SIZE];
    evlog log;
    gbuf out, body;
    unsigned replies, ends, caps;
    sec_errs err;
    mw_pop3_reply last;
    unsigned last_flags;
} cli;

static int c_send(mw_pop3_client *c, void *u, const char *p, size_t n)
{
    (void)c;
    return sec_out(&((cli *)u)->out, NULL, NULL, p, n);
}

static int c_reply(mw_pop3_client *c, void *u, const mw_pop3_reply *r)
{
    cli *t = u;
    (void)c;
    t->replies++;
    t->last = *r;
    evlog_printf(&t->log, "R %s ok=%d fl=%u msg=%lu count=%lu octets=%llu",
                 mw_pop3_cmd_name(r->cmd), r->ok, r->flags, (unsigned long)r->msg,
                 (unsigned long)r->count, (unsigned long long)r->octets);
    evlog_data(&t->log, "  text", r->text.ptr, r->text.len);
    return 0;
}

static int c_listing(mw_pop3_client *c, void *u, const mw_pop3_listing *l)
{
    cli *t = u;
    (void)c;
    evlog_printf(&t->log, "L %s msg=%lu octets=%llu", mw_pop3_cmd_name(l->cmd),
                 (unsigned long)l->msg, (unsigned long long)l->octets);
    return 0;
}

static int c_capability(mw_pop3_client *c, void *u, const mw_pop3_capa_line *l)
{
    cli *t = u;
    (void)c;
    t->caps++;
    evlog_data(&t->log, "CAP", l->tag.ptr, l->tag.len);
    return 0;
}

static int c_data(mw_pop3_client *c, void *u, const char *p, size_t n)
{
    cli *t = u;
    (void)c;
    gb_put(&t->body, p, n);
    return 0;
}

static int c_end(mw_pop3_client *c, void *u, int cmd)
{
    cli *t = u;
    (void)c;
    t->ends++;
    evlog_printf(&t->log, "END %s", mw_pop3_cmd_name(cmd));
    return 0;
}

static int c_error(mw_pop3_client *c, void *u, int status, size_t off,
                   const char *reason)
{
    cli *t = u;
    (void)c;
    return sec_error(&t->err, &t->log, "E", status, off, reason);
}

static const mw_pop3_client_callbacks cli_cb = {
    .send = c_send, .reply = c_reply, .listing = c_listing, .capability = c_capability,
    .data = c_data, .end = c_end, .error = c_error};

static cli *cli_new(void)
{
    cli *t = sec_alloc(sizeof *t);
    mw_pop3_client_config_init(&t->cfg);
    evlog_init(&t->log);
    return t;
}

static void cli_free(cli *t)
{
    evlog_free(&t->log);
    gb_free(&t->out);
    gb_free(&t->body);
    free(t);
}

static int c_feed_op(void *m, const char *p, size_t n, size_t *used)
{
    return mw_pop3_client_feed(&((cli *)m)->c, p, n, used);
}

/* One feed call; `used` may be NULL. */
static int cli_feed(cli *t, const char *p, size_t n, size_t *used)
{
    return sec_feed1(c_feed_op, t, p, n, used);
}

static int cli_feeds(cli *t, const char *s)
{
    return sec_feed1(c_feed_op, t, s, strlen(s), NULL);
}

/* Started, the greeting (with an APOP timestamp) taken, output cleared. */
static void cli_start(cli *t)
{
    evlog_reset(&t->log);
    gb_clear(&t->out);
    gb_clear(&t->body);
    t->replies = t->ends = t->caps = 0;
    memset(&t->err, 0, sizeof t->err);
    assert_int_equal(mw_pop3_client_init(&t->c, &t->cfg, &cli_cb, t, t->line, sizeof t->line),
                     MW_OK);
    assert_int_equal(cli_feeds(t, "+OK ready <1896.697170952@dbc.mtview.ca.us>\r\n"), MW_OK);
    gb_clear(&t->out);
}

/* Logged in (USER/PASS answered), output cleared. */
static void cli_trans(cli *t)
{
    cli_start(t);
    assert_int_equal(mw_pop3_client_user(&t->c, "u", 1), MW_OK);
    assert_int_equal(cli_feeds(t, "+OK\r\n"), MW_OK);
    assert_int_equal(mw_pop3_client_pass(&t->c, "p", 1), MW_OK);
    assert_int_equal(cli_feeds(t, "+OK\r\n"), MW_OK);
    assert_int_equal(mw_pop3_client_state(&t->c), MW_POP3_STATE_TRANSACTION);
    gb_clear(&t->out);
    gb_clear(&t->body);
    evlog_reset(&t->log);
}

/* ====================================================================
 * STLS response injection (client), CVE-2020-15953 class
 * ==================================================================== */

/* "+OK" to STLS and a forged CAPA answer (offering USER and PLAIN) in
 * one stream, split in two at every offset: always fatal
 * (MW_E_INJECTION), nothing forged delivered, the capabilities stay
 * forgotten, and nothing more is sent. */
static void cve_2020_15953_stls_response_injection_every_split(void **state)
{
    static const char in[] = "+OK Begin TLS negotiation\r\n+OK\r\nUSER\r\nSASL PLAIN\r\n"
                             "PIPELINING\r\n.\r\n";
    cli *t = cli_new();
    (void)state;
    for (size_t cut = 1; cut < sizeof in - 1; cut++) {
        size_t used = 0, used2 = 0;
        int r1, r2;
        mw_error e;
        cli_start(t);
        assert_int_equal(mw_pop3_client_stls(&t->c), MW_OK);
        gb_clear(&t->out);
        r1 = cli_feed(t, in, cut, &used);
        r2 = r1 < 0 ? r1 : cli_feed(t, in + cut, sizeof in - 1 - cut, &used2);
        if (r2 != MW_E_INJECTION && r2 != MW_E_CLOSED)
            fail_msg("cut %zu: %s / %s\n%s", cut, mw_status_name(r1), mw_status_name(r2),
                     evlog_str(&t->log));
        assert_int_equal(mw_pop3_client_error(&t->c, &e), MW_E_INJECTION);
        assert_int_equal(mw_pop3_client_want(&t->c), MW_POP3_WANT_CLOSED);
        assert_int_equal(t->caps, 0);
        assert_int_equal(mw_pop3_client_capabilities(&t->c)->flags, 0);
        assert_int_equal(mw_pop3_client_tls_done(&t->c), MW_E_STATE);
        assert_true(mw_pop3_client_user(&t->c, "u", 1) < 0);
        assert_int_equal(t->out.n, 0);
    }
    cli_free(t);
}

/* ====================================================================
 * STLS stripping / downgrade (client)
 * ==================================================================== */

/* With MW_POP3_CLIENT_REQUIRE_TLS no credential command leaves before TLS
 * is up, whatever happened to STLS: not sent, refused (-ERR), accepted
 * but the handshake not done; once TLS is up they go (Mutt
 * CVE-2020-28896 class: a forced-TLS setting must hold on every path). */
static int nop_step(void *user, const char *ch, size_t clen, char *out, size_t cap,
                    size_t *rlen)
{
    (void)user;
    (void)ch;
    (void)clen;
    (void)out;
    (void)cap;
    *rlen = 0;
    return MW_OK;
}

static int credentials(cli *t, int which)
{
    switch (which) {
    case 0: return mw_pop3_client_user(&t->c, "alice", 5);
    case 1: return mw_pop3_client_pass(&t->c, "secret", 6);
    case 2: return mw_pop3_client_apop(&t->c, "alice", 5, "secret", 6);
    case 3: return mw_pop3_client_auth_plain(&t->c, NULL, 0, "alice", 5, "secret", 6);
    case 4: return mw_pop3_client_auth_login(&t->c, "alice", 5, "secret", 6);
    case 5: return mw_pop3_client_auth_xoauth2(&t->c, "alice", 5, "tok", 3);
    default: return mw_pop3_client_auth(&t->c, "X-TEST", nop_step, NULL);
    }
}

/* Whether credentials(t, which) returning `rc` is right where the
 * others return `st`: APOP and XOAUTH2 compiled out are refused as such
 * (features.h), in any state. */
static int credentials_rc_ok(int which, int st, int rc)
{
    return rc == (which == 2 ? SEC_CRAM(st) : which == 5 ? SEC_OAUTH(st) : st);
}

static void class_tls_downgrade_require_tls(void **state)
{
    cli *t = cli_new();
    (void)state;
    t->cfg.flags = MW_POP3_CLIENT_REQUIRE_TLS;
    for (int stage = 0; stage < 4; stage++)
        for (int w = 0; w < 7; w++) {
            int rc;
            cli_start(t);
            if (stage >= 1) {
                assert_int_equal(mw_pop3_client_stls(&t->c), MW_OK);
                assert_int_equal(cli_feeds(t, stage == 1 ? "-ERR no TLS here\r\n" : "+OK go\r\n"),
                                 MW_OK);
                if (stage == 3)
                    assert_int_equal(mw_pop3_client_tls_done(&t->c), MW_OK);
                gb_clear(&t->out);
            }
            if (w == 1 && stage == 3) {
                /* PASS needs an accepted USER first */
                assert_int_equal(credentials(t, 0), MW_OK);
                assert_int_equal(cli_feeds(t, "+OK\r\n"), MW_OK);
                gb_clear(&t->out);
            }
            rc = credentials(t, w);
            if (stage < 3) {
                if (!credentials_rc_ok(w, MW_E_STATE, rc) || t->out.n != 0)
                    fail_msg("stage %d command %d: %s, sent %s", stage, w, mw_status_name(rc),
                             gb_cstr(&t->out));
            } else {
                if (!credentials_rc_ok(w, MW_OK, rc) || (t->out.n == 0) != (rc != MW_OK))
                    fail_msg("after TLS, command %d: %s", w, mw_status_name(rc));
            }
        }
    cli_free(t);
}

/* ====================================================================
 * CR / LF / NUL injection in USER, PASS, APOP (client)
 * ==================================================================== */

/* CR, LF and NUL at the first, a middle and the last byte of every
 * argument that goes on a command line: MW_E_INVAL, nothing sent, nothing
 * queued. PLAIN and LOGIN parts go base64-encoded (CR and LF allowed
 * there, NUL is not: it separates PLAIN's parts). */
static void class_crlf_nul_injection_every_position(void **state)
{
    cli *t = cli_new();
    (void)state;
    for (int a = 0; a < 10; a++) {
        static const char *const base[10] = {"alice", "two words", "alice", "alice",
                                             "secret", "zid", "alice", "ya29token",
                                             "X-TEST", "alice"};
        size_t len = strlen(base[a]);
        for (size_t k = 0; k < 3; k++)
            for (size_t q = 0; q < 3; q++) {
                char v[32];
                int rc;
                size_t pos = sec_ctl_taint(v, sizeof v, base[a], k, q);
                cli_start(t);
                switch (a) {
                case 0: rc = mw_pop3_client_user(&t->c, v, len); break;
                case 1: rc = mw_pop3_client_pass(&t->c, v, len); break;
                case 2: rc = mw_pop3_client_apop(&t->c, v, len, "s", 1); break;
                case 3: rc = mw_pop3_client_auth_plain(&t->c, NULL, 0, v, len, "p", 1);
                    break;
                case 4: rc = mw_pop3_client_auth_plain(&t->c, NULL, 0, "u", 1, v, len);
                    break;
                case 5: rc = mw_pop3_client_auth_plain(&t->c, v, len, "u", 1, "p", 1);
                    break;
                case 6: rc = mw_pop3_client_auth_xoauth2(&t->c, v, len, "tok", 3); break;
                case 7: rc = mw_pop3_client_auth_xoauth2(&t->c, "u", 1, v, len); break;
                case 8: rc = mw_pop3_client_auth(&t->c, v, nop_step, NULL); break;
                default: rc = mw_pop3_client_auth_login(&t->c, v, len, "p", 1); break;
                }
                if (a == 8 && k == 2 && q > 0) {
                    /* the mechanism is a C string: a NUL inside ends it
                     * early ("X-T"), which is a valid name */
                    continue;
                }
                if ((a >= 3 && a <= 5) || a == 9) {
                    /* SASL parts: base64-encoded, only NUL is refused */
                    if (k == 2 ? rc != MW_E_INVAL : rc != MW_OK)
                        fail_msg("argument %d byte %d at %zu: %s", a, sec_ctl_byte(k), pos,
                                 mw_status_name(rc));
                    if (!crlf_only(t->out.p, t->out.n))
                        fail_msg("argument %d: raw line break on the wire", a);
                    continue;
                }
                /* APOP and XOAUTH2 compiled out: refused as such */
                if (rc != (a == 2 ? SEC_CRAM(MW_E_INVAL)
                           : a == 6 || a == 7 ? SEC_OAUTH(MW_E_INVAL) : MW_E_INVAL) ||
                    t->out.n != 0 || mw_pop3_client_in_flight(&t->c) != 0)
                    fail_msg("argument %d byte %d at %zu: %s, sent %zu", a, sec_ctl_byte(k),
                             pos, mw_status_name(rc), t->out.n);
            }
    }
    /* APOP's name holds no space: its line has two arguments, and a space
     * in the name would make the digest a different argument */
    cli_start(t);
    assert_int_equal(mw_pop3_client_apop(&t->c, "a b", 3, "s", 1), SEC_CRAM(MW_E_INVAL));
    assert_int_equal(t->out.n, 0);
    cli_free(t);
}

/* ====================================================================
 * Integer overflow in STAT, LIST, message numbers (client)
 * ==================================================================== */

/* Values a server sends: a count above 2^32-1 or an octet count above
 * 2^64-1 is MALFORMED (read as 0), never wrapped; the largest values
 * pass. Listing lines beyond the bounds are skipped. The client's own
 * formatters write the largest numbers in full. */
static void class_integer_overflow_numbers_client(void **state)
{
    static const struct {
        const char *line;
        int malformed;
        uint32_t count;
        uint64_t octets;
    } stat[] = {
        {"+OK 4294967295 18446744073709551615\r\n", 0, UINT32_MAX, UINT64_MAX},
        {"+OK 4294967296 1\r\n", 1, 0, 0},
        {"+OK 1 18446744073709551616\r\n", 1, 0, 0},
        {"+OK 18446744073709551617 1\r\n", 1, 0, 0},
        {"+OK 1 99999999999999999999999999\r\n", 1, 0, 0},
        {"+OK -1 5\r\n", 1, 0, 0},
    };
    cli *t = cli_new();
    (void)state;
    cli_trans(t);
    for (size_t i = 0; i < NELEM(stat); i++) {
        assert_int_equal(mw_pop3_client_stat(&t->c), MW_OK);
        assert_int_equal(cli_feeds(t, stat[i].line), MW_OK);
        if (((t->last.flags & MW_POP3_REPLY_MALFORMED) != 0) != stat[i].malformed ||
            t->last.count != stat[i].count || t->last.octets != stat[i].octets)
            fail_msg("%s: flags %u count %lu octets %llu", stat[i].line, t->last.flags,
                     (unsigned long)t->last.count, (unsigned long long)t->last.octets);
    }
    /* LIST n: the message number must be the one asked for */
    assert_int_equal(mw_pop3_client_list(&t->c, UINT32_MAX), MW_OK);
    assert_int_equal(cli_feeds(t, "+OK 4294967295 18446744073709551615\r\n"), MW_OK);
    assert_int_equal(t->last.flags & MW_POP3_REPLY_MALFORMED, 0);
    assert_true(t->last.octets == UINT64_MAX);
    assert_int_equal(mw_pop3_client_list(&t->c, 1), MW_OK);
    assert_int_equal(cli_feeds(t, "+OK 4294967297 5\r\n"), MW_OK); /* 2^32 + 1 */
    assert_true(t->last.flags & MW_POP3_REPLY_MALFORMED);
    /* listing lines */
    evlog_reset(&t->log);
    assert_int_equal(mw_pop3_client_list(&t->c, 0), MW_OK);
    assert_int_equal(cli_feeds(t, "+OK\r\n4294967296 1\r\n1 18446744073709551616\r\n"
                                  "4294967295 18446744073709551615\r\n.\r\n"),
                     MW_OK);
    assert_int_equal(count_of(evlog_str(&t->log), "L LIST"), 1);
    assert_non_null(strstr(evlog_str(&t->log),
                           "L LIST msg=4294967295 octets=18446744073709551615"));
    assert_int_equal(count_of(evlog_str(&t->log), "E MW_E_SYNTAX"), 2);
    /* formatters */
    gb_clear(&t->out);
    assert_int_equal(mw_pop3_client_retr(&t->c, UINT32_MAX), MW_OK);
    assert_string_equal(gb_cstr(&t->out), "RETR 4294967295\r\n");
    assert_int_equal(cli_feeds(t, "-ERR no\r\n"), MW_OK);
    gb_clear(&t->out);
    assert_int_equal(mw_pop3_client_top(&t->c, UINT32_MAX, UINT32_MAX), MW_OK);
    assert_string_equal(gb_cstr(&t->out), "TOP 4294967295 4294967295\r\n");
    assert_int_equal(cli_feeds(t, "-ERR no\r\n"), MW_OK);
    assert_int_equal(mw_pop3_client_retr(&t->c, 0), MW_E_INVAL);
    cli_free(t);
}

/* ====================================================================
 * End of a multi-line body: only CRLF "." CRLF (client)
 * ==================================================================== */

/* RFC 1939 §3 on the data region "\r\n" body: lines end at CRLF; a
 * line-start "." is removed; the body ends at the first CRLF "." CRLF.
 * `region` starts with the CRLF of the status line. Returns the length
 * of the region through the terminator, or 0 when there is none. */
static size_t model_unstuff(const char *region, size_t n, gbuf *out)
{
    size_t end = find(region, n, "\r\n.\r\n"), i;
    if (end == n)
        return 0;
    for (i = 2; i < end + 2; i++) {
        if (region[i] == '.' && region[i - 1] == '\n' && region[i - 2] == '\r')
            continue;
        gb_put(out, &region[i], 1);
    }
    return end + 5;
}

/* Every sequence of CR, LF, "." and "x" up to 5 bytes inside a RETR body
 * with a pipelined NOOP behind: the body ends where the model says and
 * nowhere else (a bare LF or CR is never a line end, SMTP-smuggling
 * style), holds the model's bytes, and the NOOP's +OK is a reply, not
 * body text. Both policies that keep the bytes (REJECT reports the first
 * bare one and delivers it unchanged). */
static void class_unstuffing_end_of_body_every_sequence(void **state)
{
    cli *t = cli_new();
    size_t runs = 0;
    (void)state;
    for (size_t len = 1; len <= 5; len++)
        for (size_t idx = 0; idx < seq_count(len); idx++) {
            char v[8], in[128], region[64];
            size_t n, rl, through;
            gbuf want = {0};
            seq_make(len, idx, v);
            n = (size_t)snprintf(in, sizeof in, "+OK\r\nbody%s\r\n.\r\n+OK noop\r\n", v);
            rl = (size_t)snprintf(region, sizeof region, "\r\nbody%s\r\n.\r\n", v);
            through = model_unstuff(region, rl, &want);
            for (int per_byte = 0; per_byte < 2; per_byte++) {
                int r = MW_OK;
                cli_trans(t);
                assert_int_equal(mw_pop3_client_retr(&t->c, 1), MW_OK);
                assert_int_equal(mw_pop3_client_noop(&t->c), MW_E_STATE); /* no PIPELINING */
                if (per_byte) {
                    for (size_t i = 0; i < n && r >= 0 && r != MW_DONE; i++)
                        r = cli_feed(t, in + i, 1, NULL);
                } else {
                    r = cli_feed(t, in, n, NULL);
                }
                if (through == rl) {
                    /* the intended end: one body, then a reply nobody asked
                     * for: fatal (an unsolicited +OK) */
                    if (t->ends != 1 || t->body.n != want.n ||
                        memcmp(gb_cstr(&t->body), gb_cstr(&want), want.n) != 0)
                        fail_msg("sequence %zu/%zu: %u ends, body %zu bytes want %zu", len,
                                 idx, t->ends, t->body.n, want.n);
                    assert_true(r < 0);
                } else {
                    /* an earlier end inside v: the rest is read as status
                     * lines, which "." or "x" lines are not: fatal */
                    assert_int_equal(t->ends, 1);
                    assert_memory_equal(gb_cstr(&t->body), gb_cstr(&want), want.n);
                    assert_int_equal(t->body.n, want.n);
                }
                assert_true(t->err.count <= 2);
                runs++;
            }
            gb_free(&want);
        }
    assert_int_equal(runs, 2 * (4 + 16 + 64 + 256 + 1024));
    cli_free(t);
}

#endif /* MW_ENABLE_POP3_CLIENT */

#if MW_ENABLE_POP3_SERVER && MW_ENABLE_POP3_CLIENT
/* Every body up to 6 bytes of CR, LF, "." and "x", written by the server
 * machine (ACCEPT: bare CR and LF become CRLF) in two pieces cut at every
 * offset, then read by the client machine: CRLF-only lines on the wire,
 * the end only at the final "." line, and the client gets exactly the
 * normalised body. The largest STAT and LIST values survive the trip. */
static void class_server_writer_round_trip_every_body(void **state)
{
    srv *s = srv_new();
    cli *t = cli_new();
    size_t runs = 0, e;
    (void)state;
    for (size_t len = 0; len <= 6; len++)
        for (size_t idx = 0; idx < seq_count(len); idx++) {
            char v[8];
            gbuf want = {0};
            int start = 1;
            seq_make(len, idx, v);
            for (size_t i = 0; i < len; i++) {
                if (v[i] == '\r' || v[i] == '\n') {
                    if (v[i] == '\r' && i + 1 < len && v[i + 1] == '\n')
                        i++;
                    gb_put(&want, "\r\n", 2);
                    start = 1;
                } else {
                    gb_put(&want, &v[i], 1);
                    start = 0;
                }
            }
            if (!start)
                gb_put(&want, "\r\n", 2);
            for (size_t cut = 0; cut <= len; cut++) {
                srv_start(s);
                assert_int_equal(srv_feed(s, S_("USER a\r\nPASS b\r\n")), MW_OK);
                s->manual = 1; /* RETR is answered below, in two writes */
                assert_int_equal(srv_feed(s, S_("RETR 1\r\n")), MW_OK);
                s->manual = 0;
                gb_clear(&s->out);
                assert_int_equal(mw_pop3_server_reply_begin(&s->s, NULL), MW_OK);
                assert_int_equal(mw_pop3_server_write(&s->s, v, cut), MW_OK);
                assert_int_equal(mw_pop3_server_write(&s->s, v + cut, len - cut), MW_OK);
                assert_int_equal(mw_pop3_server_reply_end(&s->s), MW_OK);
                e = find(s->out.p, s->out.n, "\r\n.\r\n");
                if (!crlf_only(s->out.p, s->out.n) || e + 5 != s->out.n)
                    fail_msg("body %zu/%zu cut %zu: bad wire data", len, idx, cut);
                cli_trans(t);
                assert_int_equal(mw_pop3_client_retr(&t->c, 1), MW_OK);
                assert_int_equal(cli_feed(t, s->out.p, s->out.n, NULL), MW_OK);
                if (t->ends != 1 || t->err.count != 0 || t->body.n != want.n ||
                    memcmp(gb_cstr(&t->body), gb_cstr(&want), want.n) != 0)
                    fail_msg("body %zu/%zu cut %zu: client got %u ends, %zu bytes, want %zu",
                             len, idx, cut, t->ends, t->body.n, want.n);
                runs++;
            }
            gb_free(&want);
        }
    assert_true(runs > 20000);
    /* STAT and LIST with the largest numbers */
    srv_start(s);
    assert_int_equal(srv_feed(s, S_("USER a\r\nPASS b\r\n")), MW_OK);
    cli_trans(t);
    gb_clear(&s->out);
    assert_int_equal(srv_feed(s, S_("STAT\r\nLIST\r\n")), MW_OK);
    assert_int_equal(mw_pop3_client_stat(&t->c), MW_OK);
    assert_int_equal(cli_feed(t, s->out.p, find(s->out.p, s->out.n, "\r\n") + 2, NULL), MW_OK);
    assert_int_equal(t->last.flags & MW_POP3_REPLY_MALFORMED, 0);
    assert_true(t->last.count == UINT32_MAX && t->last.octets == UINT64_MAX);
    assert_int_equal(mw_pop3_client_list(&t->c, 0), MW_OK);
    e = find(s->out.p, s->out.n, "\r\n") + 2;
    assert_int_equal(cli_feed(t, s->out.p + e, s->out.n - e, NULL), MW_OK);
    assert_non_null(strstr(evlog_str(&t->log),
                           "L LIST msg=4294967295 octets=18446744073709551615"));
    cli_free(t);
    srv_free(s);
}
#endif


#if MW_ENABLE_POP3_SERVER && MW_ENABLE_POP3_CLIENT
/* mw_pop3_server_init() with t->cfg and only a send callback (for
 * configuration checks); the status. */
static int srv_try_init(srv *t)
{
    static const mw_pop3_server_callbacks send_only = {.send = s_send};
    return mw_pop3_server_init(&t->s, &t->cfg, &send_only, t, t->line, sizeof t->line);
}

/* Regressions of fuzz_pop3_roundtrip: each was something one machine sent
 * that the other refused or read differently; now refused by the sender:
 * PASS not right after a USER (servers answer -ERR), a USER name ending
 * with a space (servers drop it), a non-UTF-8 USER or PASS in UTF-8 mode
 * (RFC 6856), a reply text starting with a space (readers take it as the
 * separator), EXPIRE / LOGIN-DELAY config values that are not of RFC 2449
 * §6.5 / §6.7 form (the client could not read the CAPA answer). */
static void class_what_one_sends_the_other_reads(void **state)
{
    static const char *const bad_expire[] = {"", "abc", "NEVER NEVER", "31 USERS", "-1",
                                             "31 USER x"};
    static const char *const good_expire[] = {"NEVER", "0", "31", "31 USER", "NEVER USER"};
    cli *t = cli_new();
    srv *s = srv_new();
    (void)state;
    /* PASS without a USER before it, or after a refused USER */
    cli_start(t);
    assert_int_equal(mw_pop3_client_pass(&t->c, "p", 1), MW_E_STATE);
    assert_int_equal(mw_pop3_client_user(&t->c, "u", 1), MW_OK);
    assert_int_equal(cli_feeds(t, "-ERR no such user\r\n"), MW_OK);
    gb_clear(&t->out);
    assert_int_equal(mw_pop3_client_pass(&t->c, "p", 1), MW_E_STATE);
    assert_int_equal(t->out.n, 0);
    assert_int_equal(mw_pop3_client_user(&t->c, "u", 1), MW_OK);
    assert_int_equal(cli_feeds(t, "+OK\r\n"), MW_OK);
    assert_int_equal(mw_pop3_client_pass(&t->c, "p", 1), MW_OK);
    /* a USER name ending with a space */
    cli_start(t);
    assert_int_equal(mw_pop3_client_user(&t->c, "bob ", 4), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_user(&t->c, " bob", 4), MW_OK); /* kept by servers */
    /* UTF-8 mode: names and passwords are UTF-8 */
    cli_start(t);
    assert_int_equal(mw_pop3_client_user(&t->c, "j\xf6rg", 4), MW_OK); /* not yet UTF-8 mode */
    assert_int_equal(cli_feeds(t, "+OK\r\n"), MW_OK);
    assert_int_equal(mw_pop3_client_utf8(&t->c), MW_OK);
    assert_int_equal(cli_feeds(t, "+OK UTF8 enabled\r\n"), MW_OK);
    assert_int_equal(mw_pop3_client_user(&t->c, "j\xf6rg", 4), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_user(&t->c, "j\xc3\xb6rg", 5), MW_OK);
    assert_int_equal(cli_feeds(t, "+OK\r\n"), MW_OK);
    assert_int_equal(mw_pop3_client_pass(&t->c, "p\xff", 2), MW_E_INVAL);
    /* reply texts starting with a space: refused, nothing sent */
    srv_start(s);
    s->manual = 1;
    assert_int_equal(srv_feed(s, S_("USER a\r\n")), MW_OK);
    s->manual = 0;
    gb_clear(&s->out);
    assert_int_equal(mw_pop3_server_reply(&s->s, 1, 0, " lead"), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_reply(&s->s, 0, MW_POP3_RC_AUTH, " lead"), MW_E_INVAL);
    assert_int_equal(s->out.n, 0);
    assert_int_equal(mw_pop3_server_reply(&s->s, 1, 0, "lead"), MW_OK);
    assert_string_equal(gb_cstr(&s->out), "+OK lead\r\n");
    /* EXPIRE and LOGIN-DELAY values */
    for (size_t i = 0; i < NELEM(bad_expire); i++) {
        s->cfg.expire = bad_expire[i];
        s->cfg.login_delay = NULL;
        if (srv_try_init(s) != MW_E_INVAL)
            fail_msg("EXPIRE [%s] accepted", bad_expire[i]);
        s->cfg.expire = NULL;
        s->cfg.login_delay = bad_expire[i];
        if (srv_try_init(s) != MW_E_INVAL)
            fail_msg("LOGIN-DELAY [%s] accepted", bad_expire[i]);
    }
    for (size_t i = 0; i < NELEM(good_expire); i++) {
        s->cfg.expire = good_expire[i];
        s->cfg.login_delay = strncmp(good_expire[i], "NEVER", 5) ? good_expire[i] : "900";
        assert_int_equal(srv_try_init(s), MW_OK);
    }
    srv_free(s);
    cli_free(t);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
#if MW_ENABLE_POP3_SERVER
        cmocka_unit_test(cve_2011_0411_stls_injection_every_split),
        cmocka_unit_test(class_stls_refused_keeps_parsing),
        cmocka_unit_test(class_integer_overflow_message_numbers_server),
        cmocka_unit_test(class_auth_cancel_loop_closes),
#endif
#if MW_ENABLE_POP3_CLIENT
        cmocka_unit_test(cve_2020_15953_stls_response_injection_every_split),
        cmocka_unit_test(class_tls_downgrade_require_tls),
        cmocka_unit_test(class_crlf_nul_injection_every_position),
        cmocka_unit_test(class_integer_overflow_numbers_client),
        cmocka_unit_test(class_unstuffing_end_of_body_every_sequence),
#endif
#if MW_ENABLE_POP3_SERVER && MW_ENABLE_POP3_CLIENT
        cmocka_unit_test(class_server_writer_round_trip_every_body),
        cmocka_unit_test(class_what_one_sends_the_other_reads),
#endif
#if !MW_ENABLE_POP3_SERVER && !MW_ENABLE_POP3_CLIENT
        SEC_NOT_BUILT_TEST("class_pop3_not_built"),
#endif
    };
    return cmocka_run_group_tests_name("security_pop3", tests, NULL, NULL);
}
