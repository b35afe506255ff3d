/* SPDX-License-Identifier: MIT */
/* The CRLF line framer (lib/core/line.c): line ends under each newline
 * policy, zero-copy spans, the line limit at max-1/max/max+1, over-long
 * lines across chunks, NUL, offsets, and any chunking through the replay
 * helper, checked against an independent byte-at-a-time model. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/framing.h"
#include "evlog.h"
#include "replay.h"

#define S_(lit) lit, sizeof(lit) - 1

/* ---- the framer as a replay machine ---- */

typedef struct fr {
    mw_line l;
    char buf[300];
    size_t max;
    mw_newline_policy policy;
    evlog *log;
} fr;

static void log_event(evlog *log, int r, const mw__line_ev *ev)
{
    evlog_printf(log, "line @%zu %s fl=%02x err@%zu", ev->offset,
                 r == 1 ? "ok" : mw_status_name(r), ev->flags, ev->err_offset);
    evlog_data(log, "  text", ev->line.ptr, ev->line.len);
}

static void fr_reset(void *ctx, evlog *log)
{
    fr *f = ctx;
    f->log = log;
    assert_int_equal(mw__line_init(&f->l, f->buf, f->max + 2, f->max, f->policy),
                     MW_OK);
}

static int fr_feed(void *ctx, const char *p, size_t n, size_t *consumed)
{
    fr *f = ctx;
    size_t pos = 0;
    for (;;) {
        size_t used = 12345;
        mw__line_ev ev;
        int r = mw__line_next(&f->l, p + pos, n - pos, &used, &ev);
        assert_true(used <= n - pos);
        pos += used;
        if (r == 0) {
            assert_int_equal(pos, n);
            break;
        }
        assert_int_equal(ev.status, r == 1 ? MW_OK : r);
        log_event(f->log, r, &ev);
    }
    *consumed = n;
    return MW_OK;
}

static int fr_finish(void *ctx)
{
    fr *f = ctx;
    mw__line_ev ev;
    int r = mw__line_finish(&f->l, &ev);
    if (r != 0)
        log_event(f->log, r, &ev);
    evlog_printf(f->log, "eof");
    return MW_OK;
}

static const replay_ops fr_ops = {fr_reset, fr_feed, fr_finish};

/* An independent model, byte at a time over the whole input, that writes
 * the log the framer must produce. */
static void model(const char *in, size_t n, size_t max, mw_newline_policy pol,
                  evlog *log)
{
    size_t pos = 0;
    evlog_reset(log);
    while (pos < n) {
        size_t k, c = 0, next = 0;
        unsigned end = 0;
        int found = 0;
        for (k = pos; k < n; k++) {
            char ch = in[k];
            if (pol == MW_NEWLINE_ACCEPT && (ch == '\r' || ch == '\n')) {
                found = 1;
                c = k - pos;
                if (ch == '\n') {
                    end = MW__LINE_LF;
                    next = k + 1;
                } else if (k + 1 < n && in[k + 1] == '\n') {
                    end = MW__LINE_CRLF;
                    next = k + 2;
                } else {
                    end = MW__LINE_CR;
                    next = k + 1;
                }
                break;
            }
            if (pol != MW_NEWLINE_ACCEPT && ch == '\n') {
                int crlf = k > pos && in[k - 1] == '\r';
                if (pol == MW_NEWLINE_PASS && !crlf)
                    continue;
                found = 1;
                c = k - pos - (crlf ? 1u : 0u);
                end = crlf ? MW__LINE_CRLF : MW__LINE_LF;
                next = k + 1;
                break;
            }
        }
        if (!found) {
            if (n - pos >= max + 2) {
                evlog_printf(log, "line @%zu MW_E_TOO_LONG fl=%02x err@%zu", pos,
                             MW__LINE_TOO_LONG, pos);
                evlog_data(log, "  text", in + pos, max);
            } else {
                evlog_printf(log, "line @%zu MW_E_INCOMPLETE fl=00 err@%zu", pos, n);
                evlog_data(log, "  text", in + pos, n - pos);
            }
            break;
        }
        if (c > max) {
            evlog_printf(log, "line @%zu MW_E_TOO_LONG fl=%02x err@%zu", pos,
                         MW__LINE_TOO_LONG, pos);
            evlog_data(log, "  text", in + pos, max);
            pos = next;
            continue;
        }
        unsigned flags = end;
        size_t first_nul = SIZE_MAX, first_cr = SIZE_MAX;
        for (k = pos; k < pos + c; k++) {
            if (in[k] == '\0') {
                flags |= MW__LINE_NUL;
                if (first_nul == SIZE_MAX)
                    first_nul = k;
            } else if (in[k] == '\r') {
                flags |= MW__LINE_BARE_CR;
                if (first_cr == SIZE_MAX)
                    first_cr = k;
            } else if (in[k] == '\n') {
                flags |= MW__LINE_BARE_LF;
            }
        }
        const char *st = "ok";
        size_t err = pos;
        if (pol == MW_NEWLINE_REJECT && end == MW__LINE_LF) {
            st = "MW_E_BARE_LF";
            err = next - 1;
        } else if (pol == MW_NEWLINE_REJECT && first_cr != SIZE_MAX) {
            st = "MW_E_BARE_CR";
            err = first_cr;
        } else if (first_nul != SIZE_MAX) {
            st = "MW_E_NUL";
            err = first_nul;
        }
        evlog_printf(log, "line @%zu %s fl=%02x err@%zu", pos, st, flags, err);
        evlog_data(log, "  text", in + pos, c);
        pos = next;
    }
    evlog_printf(log, "eof");
}

/* Run the framer through the replay helper and compare with the model. */
static void check_stream(const char *in, size_t n, size_t max,
                         mw_newline_policy pol)
{
    fr f;
    evlog whole, want;
    memset(&f, 0, sizeof f);
    f.max = max;
    f.policy = pol;
    evlog_init(&whole);
    evlog_init(&want);
    replay_check(&fr_ops, &f, in, n, &whole);
    model(in, n, max, pol, &want);
    if (strcmp(evlog_str(&whole), evlog_str(&want)) != 0) {
        print_error("policy %d max %zu\nframer:\n%s\nmodel:\n%s\n", (int)pol, max,
                    evlog_str(&whole), evlog_str(&want));
        fail();
    }
    evlog_free(&whole);
    evlog_free(&want);
}

/* Frame `in` whole and compare the log with `want` exactly. */
static void expect_log(const char *in, size_t n, size_t max,
                       mw_newline_policy pol, const char *want)
{
    fr f;
    evlog whole;
    memset(&f, 0, sizeof f);
    f.max = max;
    f.policy = pol;
    evlog_init(&whole);
    replay_check(&fr_ops, &f, in, n, &whole);
    if (strcmp(evlog_str(&whole), want) != 0) {
        print_error("got:\n%s\nwant:\n%s\n", evlog_str(&whole), want);
        fail();
    }
    evlog_free(&whole);
    check_stream(in, n, max, pol);
}

/* ---- tests ---- */

static void test_init_args(void **state)
{
    mw_line l;
    char buf[16];
    (void)state;
    assert_int_equal(mw__line_init(&l, buf, 16, 14, MW_NEWLINE_REJECT), MW_OK);
    assert_int_equal(mw__line_init(&l, buf, 15, 14, MW_NEWLINE_REJECT), MW_E_INVAL);
    assert_int_equal(mw__line_init(&l, NULL, 16, 14, MW_NEWLINE_REJECT), MW_E_INVAL);
    assert_int_equal(mw__line_init(&l, buf, 16, SIZE_MAX, MW_NEWLINE_REJECT), MW_E_INVAL);
    assert_int_equal(mw__line_init(&l, buf, 16, 14, (mw_newline_policy)3), MW_E_INVAL);
    assert_int_equal(MW_LINE_BUFSIZE(510), 512); /* RFC 5321 §4.5.3.1.4 */
}

/* RFC 5321 appendix D.1 client lines, one input: every line is a span into
 * the input (zero-copy), the pull API stops after each line. */
static void test_zero_copy_and_pull(void **state)
{
    static const char in[] = "EHLO bar.com\r\nMAIL FROM:<Smith@bar.com>\r\n"
                             "RCPT TO:<Jones@foo.com>\r\nDATA\r\n";
    static const char *want[] = {"EHLO bar.com", "MAIL FROM:<Smith@bar.com>",
                                 "RCPT TO:<Jones@foo.com>", "DATA"};
    mw_line l;
    char buf[512];
    size_t pos = 0, used;
    mw__line_ev ev;
    (void)state;
    assert_int_equal(mw__line_init(&l, buf, sizeof buf, 510, MW_NEWLINE_REJECT), MW_OK);
    for (int i = 0; i < 4; i++) {
        size_t wl = strlen(want[i]);
        assert_int_equal(mw__line_next(&l, in + pos, sizeof in - 1 - pos, &used, &ev), 1);
        assert_ptr_equal(ev.line.ptr, in + pos); /* points into the input */
        assert_int_equal(ev.line.len, wl);
        assert_memory_equal(ev.line.ptr, want[i], wl);
        assert_int_equal(ev.offset, pos);
        assert_int_equal(ev.flags, MW__LINE_CRLF);
        assert_int_equal(ev.status, MW_OK);
        assert_int_equal(used, wl + 2); /* stopped right after the line */
        pos += used;
        assert_int_equal(mw__line_offset(&l), pos);
        assert_int_equal(mw__line_held(&l), 0);
    }
    assert_int_equal(pos, sizeof in - 1);
    assert_int_equal(mw__line_next(&l, in + pos, 0, &used, &ev), 0);
    assert_int_equal(used, 0);
}

/* A line cut by a chunk boundary is copied into the buffer, once, and the
 * next whole line is a span into its chunk again. */
static void test_split_line_buffered(void **state)
{
    mw_line l;
    char buf[64];
    size_t used;
    mw__line_ev ev;
    const char a[] = "QUIT and", b[] = " more\r", c[] = "\nNOOP\r\nRS";
    (void)state;
    assert_int_equal(mw__line_init(&l, buf, sizeof buf, 62, MW_NEWLINE_REJECT), MW_OK);
    assert_int_equal(mw__line_next(&l, a, 8, &used, &ev), 0);
    assert_int_equal(used, 8);
    assert_int_equal(mw__line_held(&l), 8);
    assert_int_equal(mw__line_next(&l, b, 6, &used, &ev), 0);
    assert_int_equal(used, 6);
    assert_int_equal(mw__line_next(&l, c, 9, &used, &ev), 1);
    assert_int_equal(used, 1); /* the LF that completes the CRLF */
    assert_ptr_equal(ev.line.ptr, buf);
    assert_int_equal(ev.line.len, 13);
    assert_memory_equal(ev.line.ptr, "QUIT and more", 13);
    assert_int_equal(ev.flags, MW__LINE_CRLF);
    assert_int_equal(ev.offset, 0);
    assert_int_equal(mw__line_next(&l, c + 1, 8, &used, &ev), 1);
    assert_ptr_equal(ev.line.ptr, c + 1);
    assert_int_equal(ev.line.len, 4);
    assert_int_equal(ev.offset, 15);
    assert_int_equal(used, 6);
    assert_int_equal(mw__line_next(&l, c + 7, 2, &used, &ev), 0);
    assert_int_equal(mw__line_held(&l), 2);
    /* end of stream inside a line */
    assert_int_equal(mw__line_finish(&l, &ev), MW_E_INCOMPLETE);
    assert_int_equal(ev.line.len, 2);
    assert_memory_equal(ev.line.ptr, "RS", 2);
    assert_int_equal(ev.offset, 21);
    assert_int_equal(ev.err_offset, 23);
    assert_int_equal(mw__line_held(&l), 0);
    assert_int_equal(mw__line_finish(&l, &ev), 0);
}

static void test_reject_policy(void **state)
{
    (void)state;
    expect_log(S_("a\r\nbc\n\r\nd\re\r\nf\r\r\n\n"), 20, MW_NEWLINE_REJECT,
               "line @0 ok fl=01 err@0\n  text: a\n"
               "line @3 MW_E_BARE_LF fl=02 err@5\n  text: bc\n"
               "line @6 ok fl=01 err@6\n  text: \n"
               "line @8 MW_E_BARE_CR fl=09 err@9\n  text: d\\re\n"
               "line @13 MW_E_BARE_CR fl=09 err@14\n  text: f\\r\n"
               "line @17 MW_E_BARE_LF fl=02 err@17\n  text: \n"
               "eof\n");
    /* a bare CR and then a bare LF: the line end wins, both flagged */
    expect_log(S_("x\ry\n"), 20, MW_NEWLINE_REJECT,
               "line @0 MW_E_BARE_LF fl=0a err@3\n  text: x\\ry\n"
               "eof\n");
    /* a CR at the very end stays held: it may be a CRLF's */
    expect_log(S_("ok\r\nab\r"), 20, MW_NEWLINE_REJECT,
               "line @0 ok fl=01 err@0\n  text: ok\n"
               "line @4 MW_E_INCOMPLETE fl=00 err@7\n  text: ab\\r\n"
               "eof\n");
}

static void test_accept_policy(void **state)
{
    (void)state;
    expect_log(S_("a\rb\nc\r\n\r\r\n\n\rd\r"), 20, MW_NEWLINE_ACCEPT,
               "line @0 ok fl=04 err@0\n  text: a\n"
               "line @2 ok fl=02 err@2\n  text: b\n"
               "line @4 ok fl=01 err@4\n  text: c\n"
               "line @7 ok fl=04 err@7\n  text: \n"
               "line @8 ok fl=01 err@8\n  text: \n"
               "line @10 ok fl=02 err@10\n  text: \n"
               "line @11 ok fl=04 err@11\n  text: \n"
               "line @12 ok fl=04 err@12\n  text: d\n"
               "eof\n");
    /* CR | LF across two chunks is one CRLF; CR | x is a CR line end. */
    mw_line l;
    char buf[16];
    size_t used;
    mw__line_ev ev;
    assert_int_equal(mw__line_init(&l, buf, sizeof buf, 14, MW_NEWLINE_ACCEPT), MW_OK);
    assert_int_equal(mw__line_next(&l, "ab\r", 3, &used, &ev), 0);
    assert_int_equal(used, 3);
    assert_int_equal(mw__line_next(&l, "\nx", 2, &used, &ev), 1);
    assert_int_equal(used, 1);
    assert_int_equal(ev.flags, MW__LINE_CRLF);
    assert_int_equal(ev.line.len, 2);
    assert_int_equal(mw__line_next(&l, "x\r", 2, &used, &ev), 0);
    assert_int_equal(mw__line_next(&l, "y", 1, &used, &ev), 1);
    assert_int_equal(used, 0); /* the line was complete before "y" */
    assert_int_equal(ev.flags, MW__LINE_CR);
    assert_memory_equal(ev.line.ptr, "x", 1);
    /* and a CR at the end of the stream ends its line */
    assert_int_equal(mw__line_next(&l, "y\r", 2, &used, &ev), 0);
    assert_int_equal(mw__line_finish(&l, &ev), 1);
    assert_int_equal(ev.flags, MW__LINE_CR);
    assert_int_equal(ev.offset, 6);
    assert_memory_equal(ev.line.ptr, "y", 1);
}

static void test_pass_policy(void **state)
{
    (void)state;
    expect_log(S_("a\rb\nc\r\n\n\r\r\n\r\n"), 20, MW_NEWLINE_PASS,
               "line @0 ok fl=19 err@0\n  text: a\\rb\\nc\n"
               "line @7 ok fl=19 err@7\n  text: \\n\\r\n"
               "line @11 ok fl=01 err@11\n  text: \n"
               "eof\n");
    expect_log(S_("x\n\ny"), 20, MW_NEWLINE_PASS,
               "line @0 MW_E_INCOMPLETE fl=00 err@4\n  text: x\\n\\ny\n"
               "eof\n");
}

static void test_nul(void **state)
{
    (void)state;
    for (int p = 0; p <= 2; p++) {
        expect_log(S_("a\0b\0\r\nok\r\n"), 20, (mw_newline_policy)p,
                   "line @0 MW_E_NUL fl=21 err@1\n  text: a\\x00b\\x00\n"
                   "line @6 ok fl=01 err@6\n  text: ok\n"
                   "eof\n");
    }
    /* bare CR outranks NUL under REJECT, both flagged */
    expect_log(S_("\0\r.\r\n"), 20, MW_NEWLINE_REJECT,
               "line @0 MW_E_BARE_CR fl=29 err@1\n  text: \\x00\\r.\n"
               "eof\n");
}

/* The limit at max-1, max, max+1 (max = 8), with each line end. */
static void test_limit_edges(void **state)
{
    (void)state;
    for (int p = 0; p <= 2; p++) {
        mw_newline_policy pol = (mw_newline_policy)p;
        expect_log(S_("1234567\r\n12345678\r\n123456789\r\nok\r\n"), 8, pol,
                   "line @0 ok fl=01 err@0\n  text: 1234567\n"
                   "line @9 ok fl=01 err@9\n  text: 12345678\n"
                   "line @19 MW_E_TOO_LONG fl=40 err@19\n  text: 12345678\n"
                   "line @30 ok fl=01 err@30\n  text: ok\n"
                   "eof\n");
    }
    expect_log(S_("12345678\n123456789\nok\n"), 8, MW_NEWLINE_REJECT,
               "line @0 MW_E_BARE_LF fl=02 err@8\n  text: 12345678\n"
               "line @9 MW_E_TOO_LONG fl=40 err@9\n  text: 12345678\n"
               "line @19 MW_E_BARE_LF fl=02 err@21\n  text: ok\n"
               "eof\n");
    expect_log(S_("12345678\r123456789\rok\r\n"), 8, MW_NEWLINE_ACCEPT,
               "line @0 ok fl=04 err@0\n  text: 12345678\n"
               "line @9 MW_E_TOO_LONG fl=40 err@9\n  text: 12345678\n"
               "line @19 ok fl=01 err@19\n  text: ok\n"
               "eof\n");
    /* a bare CR counts as content: 8 bytes then CR x is over-long */
    expect_log(S_("12345678\rx\r\nok\r\n"), 8, MW_NEWLINE_REJECT,
               "line @0 MW_E_TOO_LONG fl=40 err@0\n  text: 12345678\n"
               "line @12 ok fl=01 err@12\n  text: ok\n"
               "eof\n");
    /* max 0: only empty lines */
    expect_log(S_("\r\nx\r\n\r\n"), 0, MW_NEWLINE_REJECT,
               "line @0 ok fl=01 err@0\n  text: \n"
               "line @2 MW_E_TOO_LONG fl=40 err@2\n  text: \n"
               "line @5 ok fl=01 err@5\n  text: \n"
               "eof\n");
}

/* An over-long line is reported once, early (no need to wait for its
 * end), and skipped however it is split. */
static void test_too_long_streaming(void **state)
{
    char big[2000];
    mw_line l;
    char buf[10];
    size_t used, pos;
    mw__line_ev ev;
    int events = 0;
    (void)state;

    /* 1500 bytes without a line end, fed 7 bytes at a time: one event as
     * soon as max + 2 bytes have arrived, then nothing until the end. */
    memset(big, 'x', sizeof big);
    memcpy(big + 1500, "\r\nNEXT\r\n", 8);
    assert_int_equal(mw__line_init(&l, buf, sizeof buf, 8, MW_NEWLINE_REJECT), MW_OK);
    for (pos = 0; pos < 1508;) {
        size_t n = 1508 - pos < 7 ? 1508 - pos : 7;
        int r = mw__line_next(&l, big + pos, n, &used, &ev);
        pos += used;
        if (r == 0)
            continue;
        events++;
        if (events == 1) {
            assert_int_equal(r, MW_E_TOO_LONG);
            assert_true(pos <= 14); /* reported after max + 2 = 10 bytes */
            assert_int_equal(ev.offset, 0);
            assert_int_equal(ev.err_offset, 0);
            assert_int_equal(ev.line.len, 8);
            assert_memory_equal(ev.line.ptr, "xxxxxxxx", 8);
            assert_int_equal(ev.flags, MW__LINE_TOO_LONG);
        } else {
            assert_int_equal(r, 1);
            assert_int_equal(ev.offset, 1502);
            assert_int_equal(ev.line.len, 4);
            assert_memory_equal(ev.line.ptr, "NEXT", 4);
        }
    }
    assert_int_equal(events, 2);
    assert_int_equal(mw__line_offset(&l), 1508);

    /* the same at every split and per byte, for each policy */
    for (int p = 0; p <= 2; p++) {
        check_stream(big, 1508, 8, (mw_newline_policy)p);
        check_stream(big + 1490, 18, 8, (mw_newline_policy)p);
    }
    /* an over-long line ended by CR | LF across the skip (PASS and ACCEPT
     * must not take the LF for a new empty line) */
    check_stream(S_("123456789012\r\nab\r\n"), 8, MW_NEWLINE_PASS);
    check_stream(S_("123456789012\r\nab\r\n"), 8, MW_NEWLINE_ACCEPT);
    check_stream(S_("123456789\r\nab\r\n"), 8, MW_NEWLINE_ACCEPT);
    check_stream(S_("1234567890\r\r\nab\r\n"), 8, MW_NEWLINE_PASS);
    expect_log(S_("12345678901\r\nab\r\n"), 8, MW_NEWLINE_PASS,
               "line @0 MW_E_TOO_LONG fl=40 err@0\n  text: 12345678\n"
               "line @13 ok fl=01 err@13\n  text: ab\n"
               "eof\n");
}

/* Pipelining: a caller that stops after the first line and feeds the rest
 * later gets the same lines, with absolute offsets. */
static void test_offsets_across_feeds(void **state)
{
    mw_line l;
    char buf[32];
    size_t used;
    mw__line_ev ev;
    (void)state;
    assert_int_equal(mw__line_init(&l, buf, sizeof buf, 30, MW_NEWLINE_REJECT), MW_OK);
    assert_int_equal(mw__line_next(&l, S_("NOOP\r\nNO"), &used, &ev), 1);
    assert_int_equal(used, 6);
    assert_int_equal(mw__line_next(&l, S_("NO"), &used, &ev), 0);
    mw__line_skip(&l, 0);
    assert_int_equal(mw__line_next(&l, S_("OP\nX"), &used, &ev), MW_E_BARE_LF);
    assert_int_equal(ev.offset, 6);
    assert_int_equal(ev.err_offset, 10);
    assert_int_equal(used, 3);
    assert_memory_equal(ev.line.ptr, "NOOP", 4);
    /* another reader took 100 bytes (a DATA body) */
    assert_int_equal(mw__line_next(&l, S_("\r\n"), &used, &ev), 1); /* "" */
    mw__line_skip(&l, 100);
    assert_int_equal(mw__line_next(&l, S_("QUIT\r\n"), &used, &ev), 1);
    assert_int_equal(ev.offset, 13 + 100);
    /* reset drops a partial line (STARTTLS) */
    assert_int_equal(mw__line_next(&l, S_("inject"), &used, &ev), 0);
    assert_int_equal(mw__line_held(&l), 6);
    mw__line_reset(&l);
    assert_int_equal(mw__line_held(&l), 0);
    assert_int_equal(mw__line_next(&l, S_("EHLO x\r\n"), &used, &ev), 1);
    assert_int_equal(ev.line.len, 6);
    assert_int_equal(ev.offset, 13 + 100 + 6 + 6);
}

static uint32_t rng = 0x9e3779b9u;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* Random streams over a small hostile alphabet, every policy, small
 * limits: whole, per byte, every split, and equal to the model. */
static void test_random_vs_model(void **state)
{
    static const char alpha[] = {'a', 'b', '\r', '\n', '\0', '.', '\r', '\n'};
    char in[120];
    (void)state;
    for (int iter = 0; iter < 600; iter++) {
        size_t n = rnd() % sizeof in;
        size_t max = rnd() % 12;
        mw_newline_policy pol = (mw_newline_policy)(rnd() % 3);
        for (size_t i = 0; i < n; i++) {
            uint32_t r = rnd() % 16;
            in[i] = r < 8 ? alpha[r] : (char)('a' + r);
        }
        check_stream(in, n, max, pol);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_args),
        cmocka_unit_test(test_zero_copy_and_pull),
        cmocka_unit_test(test_split_line_buffered),
        cmocka_unit_test(test_reject_policy),
        cmocka_unit_test(test_accept_policy),
        cmocka_unit_test(test_pass_policy),
        cmocka_unit_test(test_nul),
        cmocka_unit_test(test_limit_edges),
        cmocka_unit_test(test_too_long_streaming),
        cmocka_unit_test(test_offsets_across_feeds),
        cmocka_unit_test(test_random_vs_model),
    };
    return cmocka_run_group_tests_name("line", tests, NULL, NULL);
}
