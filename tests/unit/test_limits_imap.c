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
                log_has(&log, "error MW_E_LITERAL @8\n"); /* at "{" */
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

/* MW_IMAP_LITERAL_MINUS_MAX (RFC 7888 §5): with LITERAL- offered, a
 * non-synchronising literal of cap-1 and cap octets is read without a
 * "+" (the LOGIN reaches the application: here the machine's NO); cap+1
 * is refused "BAD [TOOBIG]" with MW_E_LITERAL at the start of the
 * command, its octets are read and dropped, and the next command is read.
 * max_literal is above the cap, so only LITERAL-'s own limit bites. */
static void test_imap_server_literal_minus_max(void **state)
{
    size_t size;
    (void)state;
    for (size = MW_IMAP_LITERAL_MINUS_MAX - 1; size <= MW_IMAP_LITERAL_MINUS_MAX + 1;
         size++) {
        lsrv *x = calloc(1, sizeof *x);
        evlog log;
        inbuf in = {0};
        char head[32];
        assert_non_null(x);
        mw_imap_server_config_init(&x->cfg);
        x->cfg.caps |= MW_IMAP_CAP_LITERAL_MINUS;
        x->cfg.max_literal = 2 * MW_IMAP_LITERAL_MINUS_MAX;
        snprintf(head, sizeof head, "a LOGIN {%zu+}\r\n", size);
        in_str(&in, head);
        in_fill(&in, 'u', size);
        in_str(&in, " pw\r\nb NOOP\r\n");
        evlog_init(&log);
        replay_check(&l_ops, x, in.p, in.len, &log);
        log_lacks(&log, "+ ");
        if (size <= MW_IMAP_LITERAL_MINUS_MAX) {
            log_has(&log, "a NO ");
            log_lacks(&log, "error");
        } else {
            log_has(&log, "a BAD [TOOBIG] ");
            log_has(&log, "error MW_E_LITERAL @8\n"); /* at "{" */
            assert_int_equal(log_count(&log, "error"), 1);
        }
        log_has(&log, "b NO ");
        evlog_free(&log);
        free(in.p);
        free(x);
    }
}

/* MW_IMAP_SECTION_PARTS_MAX: FETCH BODY[1.1...] with cap-1 and cap part
 * numbers is parsed; cap+1 is refused BAD with MW_E_LIMIT at the part
 * number one over, and the next command is read. The machine parses a
 * command before it checks the state, so without a mailbox selected the
 * cap-1 and cap commands are refused for the state, after the parse. */
static void test_imap_server_section_parts_max(void **state)
{
    size_t n;
    (void)state;
    for (n = MW_IMAP_SECTION_PARTS_MAX - 1; n <= MW_IMAP_SECTION_PARTS_MAX + 1; n++) {
        lsrv *x = calloc(1, sizeof *x);
        evlog log;
        inbuf in = {0};
        size_t i, over = 0;
        assert_non_null(x);
        mw_imap_server_config_init(&x->cfg);
        in_str(&in, "a FETCH 1 BODY[");
        for (i = 1; i <= n; i++) {
            if (i == MW_IMAP_SECTION_PARTS_MAX + 1)
                over = in.len; /* its '.' */
            in_str(&in, i == 1 ? "1" : ".1");
        }
        in_str(&in, "]\r\nb NOOP\r\n");
        evlog_init(&log);
        replay_check(&l_ops, x, in.p, in.len, &log);
        if (n <= MW_IMAP_SECTION_PARTS_MAX) {
            /* parsed whole; refused only for the state (not selected) */
            log_has(&log, "error MW_E_STATE @0\n");
            log_lacks(&log, "MW_E_LIMIT");
        } else {
            log_hasf(&log, "error MW_E_LIMIT @%zu\n", over + 1);
            log_has(&log, "a BAD ");
        }
        assert_int_equal(log_count(&log, "error"), 1);
        log_has(&log, "b NO ");
        evlog_free(&log);
        free(in.p);
        free(x);
    }
}

/* max_depth: SEARCH with criteria nested cap-1 and cap parentheses deep
 * is parsed (then refused for the state: no mailbox is selected, and the
 * machine parses before it checks the state); cap+1 is refused BAD with
 * MW_E_DEPTH at the parenthesis one over, and the next command is read. */
static void test_imap_server_max_depth(void **state)
{
    static const unsigned caps[] = {1, 2, MW_IMAP_DEPTH_DEFAULT};
    size_t k, d;
    (void)state;
    for (k = 0; k < sizeof caps / sizeof caps[0]; k++) {
        for (d = caps[k] - 1; d <= caps[k] + 1; d++) {
            lsrv *x = calloc(1, sizeof *x);
            evlog log;
            inbuf in = {0};
            assert_non_null(x);
            mw_imap_server_config_init(&x->cfg);
            x->cfg.max_depth = caps[k];
            in_str(&in, "a SEARCH ");
            in_fill(&in, '(', d);
            in_str(&in, "ALL");
            in_fill(&in, ')', d);
            in_str(&in, "\r\nb NOOP\r\n");
            evlog_init(&log);
            replay_check(&l_ops, x, in.p, in.len, &log);
            if (d <= caps[k]) {
                log_has(&log, "error MW_E_STATE @0\n");
                log_lacks(&log, "MW_E_DEPTH");
            } else {
                log_hasf(&log, "error MW_E_DEPTH @%zu\n", (size_t)9 + caps[k]);
                log_has(&log, "a BAD ");
            }
            assert_int_equal(log_count(&log, "error"), 1);
            log_has(&log, "b NO ");
            evlog_free(&log);
            free(in.p);
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
        cmocka_unit_test(test_imap_server_literal_minus_max),
        cmocka_unit_test(test_imap_server_section_parts_max),
        cmocka_unit_test(test_imap_server_max_depth),
    };
    return cmocka_run_group_tests_name("limits_imap", tests, NULL, NULL);
#else
    puts("limits_imap: no IMAP server in this build, nothing to test");
    return 0;
#endif
}
