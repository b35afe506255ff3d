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

#endif /* MW_ENABLE_POP3_SERVER */

int main(void)
{
#if MW_ENABLE_POP3_SERVER
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pop3_server_max_line),
        cmocka_unit_test(test_pop3_server_max_auth_line),
        cmocka_unit_test(test_pop3_server_max_bad_commands),
    };
    return cmocka_run_group_tests_name("limits_pop3", tests, NULL, NULL);
#else
    puts("limits_pop3: no POP3 server in this build, nothing to test");
    return 0;
#endif
}
