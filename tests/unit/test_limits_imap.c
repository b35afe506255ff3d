/* SPDX-License-Identifier: MIT */
/*
 * Limits of the IMAP server machine at cap-1, cap and cap+1 (issue 8):
 * max_literal and max_bad_commands of mw_imap_server_config, with the
 * error's status and exact stream offset (max_line is covered the same
 * way by test_imap_server's test_line_limit). Each input goes through
 * replay_check() (whole, per byte, every split), so the offsets are the
 * same however the bytes arrive. tests/LIMITS.md lists which test covers
 * which limit.
 *
 * Built whatever modules are on (the CMake name gating does not apply to
 * test_limits_*): the tests exist only when the IMAP server does.
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

#if MW_ENABLE_IMAP_SERVER

/* ---- a server without a command callback: the machine answers NO ------ */

typedef struct lsrv {
    mw_imap_server s;
    mw_imap_server_config cfg;
    char buf[MW_IMAP_SERVER_BUF_SIZE];
    evlog *log;
} lsrv;

static int l_send(mw_imap_server *s, void *u, const char *p, size_t n)
{
    lsrv *x = u;
    (void)s;
    evlog_data(x->log, "out", p, n);
    return 0;
}

static int l_error(mw_imap_server *s, void *u, int st, size_t off,
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
    mw_imap_server_callbacks cb = {0};
    cb.send = l_send;
    cb.error = l_error;
    x->log = log;
    assert_int_equal(mw_imap_server_init(&x->s, &x->cfg, &cb, x, x->buf,
                                         sizeof x->buf),
                     MW_OK);
    assert_int_equal(mw_imap_server_start(&x->s, MW_IMAP_OK, NULL, NULL),
                     MW_OK);
    evlog_reset(log);
}

static int l_feed(void *ctx, const char *p, size_t n, size_t *consumed)
{
    lsrv *x = ctx;
    return mw_imap_server_feed(&x->s, p, n, consumed);
}

static const replay_ops l_ops = {l_reset, l_feed, NULL};

/* max_literal: a LOGIN whose user name is a literal of cap-1 and cap
 * octets reaches the application (here: the machine's NO), cap+1 is
 * refused "BAD [TOOBIG]" (RFC 4469 §4) with MW_E_LITERAL at the start of
 * the command before any octet of it is asked for (no "+" continuation),
 * and the next command is read.
 * With the default LITERAL- (synchronising literals, RFC 3501 §7.5). */
static void test_imap_server_max_literal(void **state)
{
    static const size_t caps[] = {1, 10, MW_IMAP_LITERAL_DEFAULT};
    size_t k, d;
    (void)state;
    for (k = 0; k < sizeof caps / sizeof caps[0]; k++) {
        for (d = 0; d < 3; d++) {
            lsrv *x = calloc(1, sizeof *x);
            evlog log;
            static char in[MW_IMAP_LITERAL_DEFAULT + 64];
            size_t size = caps[k] - 1 + d, n;
            assert_non_null(x);
            mw_imap_server_config_init(&x->cfg);
            x->cfg.max_literal = caps[k];
            n = (size_t)snprintf(in, sizeof in, "a LOGIN {%zu}\r\n", size);
            if (d < 2) { /* the client waits for "+", then sends */
                memset(in + n, 'u', size);
                n += size;
                memcpy(in + n, " pw\r\n", 5);
                n += 5;
            }
            memcpy(in + n, "b NOOP\r\n", 8);
            n += 8;
            evlog_init(&log);
            replay_check(&l_ops, x, in, n, &log);
            if (d < 2) {
                log_has(&log, "+ ");
                log_has(&log, "a NO ");
                log_lacks(&log, "error");
            } else {
                log_lacks(&log, "+ ");
                log_has(&log, "a BAD [TOOBIG] ");
                log_has(&log, "error MW_E_LITERAL @0\n");
            }
            log_has(&log, "b NO ");
            evlog_free(&log);
            free(x);
        }
    }
}

/* max_bad_commands: cap-1 bad commands leave the session open; the cap-th
 * is answered BAD, then "* BYE", with MW_E_LIMIT at that command's
 * offset, and nothing after it is read. */
static void test_imap_server_max_bad_commands(void **state)
{
    static const unsigned caps[] = {1, 2, MW_IMAP_SERVER_MAX_BAD_DEFAULT};
    size_t k;
    (void)state;
    for (k = 0; k < sizeof caps / sizeof caps[0]; k++) {
        unsigned nbad;
        for (nbad = caps[k] - 1; nbad <= caps[k] + 1; nbad++) {
            lsrv *x = calloc(1, sizeof *x);
            evlog log;
            char in[256], want[64];
            size_t n = 0, i;
            assert_non_null(x);
            mw_imap_server_config_init(&x->cfg);
            x->cfg.max_bad_commands = caps[k];
            for (i = 0; i < nbad; i++) {
                memcpy(in + n, "a BOGUS\r\n", 9);
                n += 9;
            }
            memcpy(in + n, "b NOOP\r\n", 8);
            n += 8;
            evlog_init(&log);
            replay_check(&l_ops, x, in, n, &log);
            if (nbad < caps[k]) {
                log_lacks(&log, "MW_E_LIMIT");
                log_lacks(&log, "* BYE");
                log_has(&log, "b NO ");
            } else {
                snprintf(want, sizeof want, "error MW_E_LIMIT @%zu\n",
                         (size_t)(caps[k] - 1) * 9);
                log_has(&log, want);
                log_has(&log, "* BYE ");
                log_lacks(&log, "b NO");
            }
            evlog_free(&log);
            free(x);
        }
    }
}

#endif /* MW_ENABLE_IMAP_SERVER */

int main(void)
{
#if MW_ENABLE_IMAP_SERVER
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_imap_server_max_literal),
        cmocka_unit_test(test_imap_server_max_bad_commands),
    };
    return cmocka_run_group_tests_name("limits_imap", tests, NULL, NULL);
#else
    puts("limits_imap: no IMAP server in this build, nothing to test");
    return 0;
#endif
}
