/* SPDX-License-Identifier: MIT */
/*
 * Limits of the POP3 server machine at cap-1, cap and cap+1 (issue 8):
 * max_line, max_auth_line and max_bad_commands of mw_pop3_server_config.
 * Each input holds the three cases back to back and goes through
 * replay_check() (whole, per byte, every split), so the error's status and
 * stream offset are the same however the bytes arrive; the offset is then
 * checked against the position of the offending line, worked out here
 * from the input. tests/LIMITS.md lists which test covers which limit.
 *
 * Built whatever modules are on (the CMake name gating does not apply to
 * test_limits_*): the tests exist only when the POP3 server does.
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

#if MW_ENABLE_POP3_SERVER || MW_ENABLE_POP3_CLIENT
/* A unique-id of `len` characters (RFC 1939 §7: 1 to 70 in 0x21..0x7E). */
static void put_uid(inbuf *b, size_t len)
{
    in_fill(b, 'u', len);
}
#endif

#if MW_ENABLE_POP3_SERVER

/* ---- a server that answers every command +OK and logs what happens ---- */

typedef struct lsrv {
    mw_pop3_server s;
    mw_pop3_server_config cfg;
    char line[MW_POP3_SERVER_LINEBUF_SIZE];
    evlog *log;
    int challenge; /* answer AUTH with an empty challenge */
} lsrv;

static int l_send(mw_pop3_server *s, void *u, const char *p, size_t n)
{
    lsrv *x = u;
    (void)s;
    evlog_data(x->log, "out", p, n);
    return 0;
}

static int l_error(mw_pop3_server *s, void *u, int st, size_t off,
                   const char *why)
{
    lsrv *x = u;
    (void)s;
    (void)why;
    evlog_printf(x->log, "error %s @%zu", mw_status_name(st), off);
    return 0;
}

static int l_command(mw_pop3_server *s, void *u, const mw_pop3_cmd *c)
{
    lsrv *x = u;
    if (c->id == MW_POP3_CMD_AUTH_RESPONSE)
        evlog_printf(x->log, "sasl len=%zu @%zu", c->arg.len, c->offset);
    else
        evlog_printf(x->log, "cmd %s len=%zu @%zu", mw_pop3_cmd_name(c->id),
                     c->arg.len, c->offset);
    if (c->id == MW_POP3_CMD_AUTH && x->challenge)
        return mw_pop3_server_auth_challenge(s, NULL, 0);
    return mw_pop3_server_reply(s, 1, 0, NULL);
}

static void l_reset(void *ctx, evlog *log)
{
    lsrv *x = ctx;
    mw_pop3_server_callbacks cb = {0};
    cb.send = l_send;
    cb.command = l_command;
    cb.error = l_error;
    x->log = log;
    assert_int_equal(mw_pop3_server_init(&x->s, &x->cfg, &cb, x, x->line,
                                         sizeof x->line),
                     MW_OK);
    assert_int_equal(mw_pop3_server_start(&x->s, "ready"), MW_OK);
    evlog_reset(log);
}

static int l_feed(void *ctx, const char *p, size_t n, size_t *consumed)
{
    lsrv *x = ctx;
    return mw_pop3_server_feed(&x->s, p, n, consumed);
}

static const replay_ops l_ops = {l_reset, l_feed, NULL};

/* Run `in` through replay_check() and return the whole-input log (caller
 * frees it). */
static void l_run(lsrv *x, const char *in, size_t n, evlog *whole)
{
    evlog_init(whole);
    replay_check(&l_ops, x, in, n, whole);
}

/* Append "VERB " plus filler up to `total` bytes, CRLF included. */
static size_t put_line(char *buf, size_t at, const char *verb, size_t total)
{
    size_t v = strlen(verb);
    memcpy(buf + at, verb, v);
    memset(buf + at + v, 'x', total - v - 2);
    memcpy(buf + at + total - 2, "\r\n", 2);
    return at + total;
}

/* max_line counts the CRLF (RFC 2449 §4: 255 octets). Lines of cap-1 and
 * cap octets are commands; cap+1 is answered -ERR with MW_E_TOO_LONG at
 * the start of that line, and the next command is read normally. At the
 * smallest cap (16) and the default (255), with max_auth_line both larger
 * and equal (the framer's limit or the machine's own). "USER " and CRLF
 * take 7 of a line's octets, the name the rest. */
static void test_pop3_server_max_line(void **state)
{
    static const size_t caps[] = {16, 17, 100, MW_POP3_CMD_LINE_MAX};
    size_t k;
    int same;
    (void)state;
    for (k = 0; k < sizeof caps / sizeof caps[0]; k++) {
        for (same = 0; same < 2; same++) {
            lsrv x;
            evlog log;
            char in[1024], want[96];
            size_t cap = caps[k], n = 0, off3;
            memset(&x, 0, sizeof x);
            mw_pop3_server_config_init(&x.cfg);
            x.cfg.max_line = cap;
            if (same)
                x.cfg.max_auth_line = cap;
            n = put_line(in, n, "USER ", cap - 1);
            n = put_line(in, n, "USER ", cap);
            off3 = n;
            n = put_line(in, n, "USER ", cap + 1);
            memcpy(in + n, "USER a\r\n", 8);
            n += 8;
            l_run(&x, in, n, &log);
            snprintf(want, sizeof want, "cmd USER len=%zu @0\n", cap - 8);
            log_has(&log, want);
            snprintf(want, sizeof want, "cmd USER len=%zu @%zu\n", cap - 7,
                     cap - 1);
            log_has(&log, want);
            snprintf(want, sizeof want, "error MW_E_TOO_LONG @%zu\n", off3);
            log_has(&log, want);
            log_has(&log, "-ERR Command line too long\\r\\n");
            snprintf(want, sizeof want, "cmd USER len=1 @%zu\n", off3 + cap + 1);
            log_has(&log, want);
            evlog_free(&log);
        }
    }
}

/* max_auth_line counts the CRLF: SASL response lines of cap-1 and cap
 * octets reach the application, cap+1 ends the exchange with -ERR and
 * MW_E_TOO_LONG at the start of that line. */
static void test_pop3_server_max_auth_line(void **state)
{
    static const size_t caps[] = {16, 300, MW_POP3_AUTH_LINE_DEFAULT};
    size_t k, d;
    (void)state;
    for (k = 0; k < sizeof caps / sizeof caps[0]; k++) {
        for (d = 0; d < 3; d++) { /* cap-1, cap, cap+1 */
            lsrv x;
            evlog log;
            static char in[MW_POP3_AUTH_LINE_DEFAULT + 64];
            char want[96];
            size_t cap = caps[k], total = cap - 1 + d, n;
            memset(&x, 0, sizeof x);
            mw_pop3_server_config_init(&x.cfg);
            x.cfg.sasl = "PLAIN";
            x.cfg.max_line = 16;
            x.cfg.max_auth_line = cap;
            x.challenge = 1;
            memcpy(in, "AUTH PLAIN\r\n", 12);
            n = put_line(in, 12, "", total);
            memcpy(in + n, "NOOP\r\n", 6);
            n += 6;
            l_run(&x, in, n, &log);
            if (d < 2) {
                snprintf(want, sizeof want, "sasl len=%zu @12\n", total - 2);
                log_has(&log, want);
                log_lacks(&log, "error");
            } else {
                log_has(&log, "error MW_E_TOO_LONG @12\n");
                log_lacks(&log, "sasl len=");
                log_has(&log, "out: -ERR");
            }
            evlog_free(&log);
        }
    }
}

/* max_bad_commands: cap-1 bad commands leave the session open, the cap-th
 * is answered and closes it (MW_E_LIMIT at that command's offset, feed
 * MW_DONE); the bytes after it are not read. */
static void test_pop3_server_max_bad_commands(void **state)
{
    static const unsigned caps[] = {1, 2, MW_POP3_MAX_BAD_COMMANDS_DEFAULT};
    size_t k;
    (void)state;
    for (k = 0; k < sizeof caps / sizeof caps[0]; k++) {
        unsigned nbad;
        for (nbad = caps[k] - 1; nbad <= caps[k] + 1; nbad++) {
            lsrv x;
            evlog log;
            char in[256], want[96];
            size_t n = 0, i;
            memset(&x, 0, sizeof x);
            mw_pop3_server_config_init(&x.cfg);
            x.cfg.max_bad_commands = caps[k];
            for (i = 0; i < nbad; i++) {
                memcpy(in + n, "BAD\r\n", 5);
                n += 5;
            }
            memcpy(in + n, "USER a\r\n", 8);
            n += 8;
            l_run(&x, in, n, &log);
            if (nbad < caps[k]) {
                log_lacks(&log, "MW_E_LIMIT");
                snprintf(want, sizeof want, "cmd USER len=1 @%zu\n", n - 8);
                log_has(&log, want);
            } else {
                snprintf(want, sizeof want, "error MW_E_LIMIT @%zu\n",
                         (size_t)(caps[k] - 1) * 5);
                log_has(&log, want);
                log_has(&log, "-ERR Too many bad commands");
                log_lacks(&log, "cmd USER");
            }
            evlog_free(&log);
        }
    }
}

/* MW_POP3_UID_MAX (RFC 1939 §7): the server formats unique-ids of cap-1
 * and cap characters; cap+1 is MW_E_INVAL and nothing is sent, and the
 * listing goes on. The UIDL answer is driven from the command callback:
 * its messages are listed with uids of 69, 70 and 71 characters. */
static int uidl_command(mw_pop3_server *s, void *u, const mw_pop3_cmd *c)
{
    lsrv *x = u;
    size_t len;
    if (c->id != MW_POP3_CMD_UIDL)
        return mw_pop3_server_reply(s, 1, 0, NULL);
    assert_int_equal(mw_pop3_server_reply_begin(s, NULL), MW_OK);
    for (len = MW_POP3_UID_MAX - 1; len <= MW_POP3_UID_MAX + 1; len++) {
        inbuf uid = {0};
        put_uid(&uid, len);
        evlog_printf(x->log, "uid %zu -> %s", len,
                     mw_status_name(mw_pop3_server_uid_listing(
                         s, (uint32_t)len, uid.p)));
        free(uid.p);
    }
    return mw_pop3_server_reply_end(s);
}

static void test_pop3_server_uid_max(void **state)
{
    lsrv x;
    evlog log;
    mw_pop3_server_callbacks cb = {0};
    size_t used = 0;
    inbuf want = {0};
    (void)state;
    memset(&x, 0, sizeof x);
    mw_pop3_server_config_init(&x.cfg);
    cb.send = l_send;
    cb.command = uidl_command;
    cb.error = l_error;
    evlog_init(&log);
    x.log = &log;
    assert_int_equal(mw_pop3_server_init(&x.s, &x.cfg, &cb, &x, x.line,
                                         sizeof x.line),
                     MW_OK);
    assert_int_equal(mw_pop3_server_start(&x.s, "ready"), MW_OK);
    assert_int_equal(mw_pop3_server_feed(&x.s, "USER a\r\nPASS b\r\nUIDL\r\n",
                                         22, &used),
                     MW_OK);
    log_has(&log, "uid 69 -> MW_OK\n");
    log_has(&log, "uid 70 -> MW_OK\n");
    log_has(&log, "uid 71 -> MW_E_INVAL\n");
    in_str(&want, "70 ");
    put_uid(&want, MW_POP3_UID_MAX);
    in_str(&want, "\\r\\n");
    log_has(&log, want.p);
    free(want.p);
    log_lacks(&log, "71 u");
    log_ends(&log, "out: .\\r\\n\n");
    evlog_free(&log);
}

#endif /* MW_ENABLE_POP3_SERVER */


#if MW_ENABLE_POP3_CLIENT

/* ---- a client facing a hostile server: listings and errors logged ----- */

typedef struct lcli {
    mw_pop3_client c;
    char line[MW_POP3_CLIENT_LINEBUF_SIZE];
    evlog *log;
} lcli;

static int c_send(mw_pop3_client *c, void *u, const char *p, size_t n)
{
    (void)c;
    (void)u;
    (void)p;
    (void)n;
    return 0;
}

static int c_listing(mw_pop3_client *c, void *u, const mw_pop3_listing *l)
{
    lcli *x = u;
    (void)c;
    evlog_printf(x->log, "listing %u uid=%zu @%zu", (unsigned)l->msg, l->uid.len,
                 l->offset);
    return 0;
}

static int c_error(mw_pop3_client *c, void *u, int st, size_t off,
                   const char *why)
{
    lcli *x = u;
    (void)c;
    (void)why;
    evlog_printf(x->log, "error %s @%zu", mw_status_name(st), off);
    return 0;
}

/* What the server said before UIDL: greeting, USER and PASS answers. */
static const char c_pre[] = "+OK ready\r\n+OK\r\n+OK\r\n";
#define C_PRE_LEN 21u

static void c_reset(void *ctx, evlog *log)
{
    lcli *x = ctx;
    mw_pop3_client_callbacks cb = {0};
    size_t used = 0;
    cb.send = c_send;
    cb.listing = c_listing;
    cb.error = c_error;
    x->log = log;
    assert_int_equal(mw_pop3_client_init(&x->c, NULL, &cb, x, x->line,
                                         sizeof x->line),
                     MW_OK);
    /* logged in (the bytes count in the stream offsets), UIDL sent */
    assert_int_equal(mw_pop3_client_feed(&x->c, c_pre, 11, &used), MW_OK);
    assert_int_equal(mw_pop3_client_user(&x->c, "a", 1), MW_OK);
    assert_int_equal(mw_pop3_client_feed(&x->c, c_pre + 11, 5, &used), MW_OK);
    assert_int_equal(mw_pop3_client_pass(&x->c, "b", 1), MW_OK);
    assert_int_equal(mw_pop3_client_feed(&x->c, c_pre + 16, 5, &used), MW_OK);
    assert_int_equal(mw_pop3_client_uidl(&x->c, 0), MW_OK);
    evlog_reset(log);
}

static int c_feed(void *ctx, const char *p, size_t n, size_t *consumed)
{
    lcli *x = ctx;
    return mw_pop3_client_feed(&x->c, p, n, consumed);
}

static const replay_ops c_ops = {c_reset, c_feed, NULL};

/* MW_POP3_UID_MAX on the client side: a UIDL listing whose unique-ids
 * have cap-1 and cap characters is read; a line with cap+1 is skipped and
 * reported MW_E_SYNTAX at its start, and the next line is read. */
static void test_pop3_client_uid_max(void **state)
{
    lcli x;
    evlog log;
    inbuf in = {0};
    size_t len, at[3], k = 0;
    char num[8];
    (void)state;
    memset(&x, 0, sizeof x);
    in_str(&in, "+OK\r\n");
    for (len = MW_POP3_UID_MAX - 1; len <= MW_POP3_UID_MAX + 1; len++) {
        at[k++] = C_PRE_LEN + in.len;
        snprintf(num, sizeof num, "%zu ", len);
        in_str(&in, num);
        put_uid(&in, len);
        in_str(&in, "\r\n");
    }
    in_str(&in, "72 u\r\n.\r\n");
    evlog_init(&log);
    replay_check(&c_ops, &x, in.p, in.len, &log);
    log_hasf(&log, "listing 69 uid=69 @%zu\n", at[0]);
    log_hasf(&log, "listing 70 uid=70 @%zu\n", at[1]);
    log_hasf(&log, "error MW_E_SYNTAX @%zu\n", at[2]);
    log_lacks(&log, "listing 71");
    log_hasf(&log, "listing 72 uid=1 @%zu\n", C_PRE_LEN + in.len - 9);
    assert_int_equal(log_count(&log, "error"), 1);
    evlog_free(&log);
    free(in.p);
}

#endif /* MW_ENABLE_POP3_CLIENT */

int main(void)
{
#if MW_ENABLE_POP3_SERVER || MW_ENABLE_POP3_CLIENT
    const struct CMUnitTest tests[] = {
#if MW_ENABLE_POP3_SERVER
        cmocka_unit_test(test_pop3_server_max_line),
        cmocka_unit_test(test_pop3_server_max_auth_line),
        cmocka_unit_test(test_pop3_server_max_bad_commands),
        cmocka_unit_test(test_pop3_server_uid_max),
#endif
#if MW_ENABLE_POP3_CLIENT
        cmocka_unit_test(test_pop3_client_uid_max),
#endif
    };
    return cmocka_run_group_tests_name("limits_pop3", tests, NULL, NULL);
#else
    puts("limits_pop3: no POP3 server or client in this build, nothing to test");
    return 0;
#endif
}
