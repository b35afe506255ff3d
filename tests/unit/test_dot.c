/* SPDX-License-Identifier: MIT */
/* Dot-stuffing (lib/core/dot.c): the unstuffer (SMTP DATA / POP3 receive
 * side) against an independent byte-at-a-time model and through the replay
 * helper, every SMTP smuggling variant under every policy, the terminator
 * split at every offset, zero-copy spans; the stuffer's output, errors and
 * spans; and stuff -> unstuff round trips at random chunkings. */
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

/* ---- the unstuffer as a replay machine ---- */

typedef struct un {
    mw_dot_unstuff u;
    mw_newline_policy policy;
    evlog *log;
} un;

static void un_reset(void *ctx, evlog *log)
{
    un *x = ctx;
    x->log = log;
    assert_int_equal(mw__dot_unstuff_init(&x->u, x->policy, 0), MW_OK);
}

static int un_feed(void *ctx, const char *p, size_t n, size_t *consumed)
{
    un *x = ctx;
    size_t pos = 0;
    for (;;) {
        size_t used = 999;
        mw__dot_ev ev;
        int r = mw__dot_unstuff_next(&x->u, p + pos, n - pos, &used, &ev);
        assert_true(used <= n - pos);
        pos += used;
        if (r == 0) {
            assert_int_equal(pos, n);
            break;
        }
        if (r == MW__DOT_DATA) {
            assert_true(ev.data.len > 0);
            evlog_data(x->log, "data", ev.data.ptr, ev.data.len);
        } else if (r == MW__DOT_END) {
            evlog_printf(x->log, "end @%zu", ev.offset);
            *consumed = pos;
            return MW_DONE;
        } else {
            assert_true(r == MW_E_BARE_CR || r == MW_E_BARE_LF);
            evlog_printf(x->log, "error %s @%zu", mw_status_name(r), ev.offset);
        }
    }
    *consumed = n;
    return MW_OK;
}

static int un_finish(void *ctx)
{
    un *x = ctx;
    evlog_printf(x->log, "eof");
    return MW_OK;
}

static const replay_ops un_ops = {un_reset, un_feed, un_finish};

/* The model: RFC 5321 §4.5.2 read literally, one byte at a time over the
 * whole input, writing the log the unstuffer must produce. */
static void model(const char *in, size_t n, mw_newline_policy pol, evlog *log)
{
    size_t i = 0;
    int ls = 1, reported = 0;
    evlog_reset(log);
    while (i < n) {
        if (ls) {
            ls = 0;
            if (in[i] == '.') {
                if (i + 2 < n + 0 && in[i + 1] == '\r' && in[i + 2] == '\n') {
                    evlog_printf(log, "end @%zu", i);
                    evlog_printf(log, "replay: done at %zu", i + 3);
                    return;
                }
                if (i + 1 == n || (i + 2 == n && in[i + 1] == '\r'))
                    break; /* undecided at the end of the input */
                i++; /* a stuffed dot */
            }
            continue;
        }
        char c = in[i];
        if (c == '\r') {
            if (i + 1 < n && in[i + 1] == '\n') {
                evlog_data(log, "data", "\r\n", 2);
                i += 2;
                ls = 1;
                continue;
            }
            evlog_data(log, "data", "\r", 1);
            if (i + 1 < n) {
                if (pol == MW_NEWLINE_REJECT && !reported) {
                    reported = 1;
                    evlog_printf(log, "error MW_E_BARE_CR @%zu", i);
                }
                if (pol == MW_NEWLINE_ACCEPT)
                    evlog_data(log, "data", "\n", 1);
            }
            i++;
            continue;
        }
        if (c == '\n') {
            if (pol == MW_NEWLINE_REJECT && !reported) {
                reported = 1;
                evlog_printf(log, "error MW_E_BARE_LF @%zu", i);
            }
            if (pol == MW_NEWLINE_ACCEPT)
                evlog_data(log, "data", "\r\n", 2);
            else
                evlog_data(log, "data", "\n", 1);
            i++;
            continue;
        }
        evlog_data(log, "data", &in[i], 1);
        i++;
    }
    evlog_printf(log, "eof");
}

static void check_unstuff(const char *in, size_t n, mw_newline_policy pol)
{
    un x;
    evlog whole, want;
    memset(&x, 0, sizeof x);
    x.policy = pol;
    evlog_init(&whole);
    evlog_init(&want);
    replay_check(&un_ops, &x, in, n, &whole);
    model(in, n, pol, &want);
    if (strcmp(evlog_str(&whole), evlog_str(&want)) != 0) {
        print_error("policy %d\nunstuffer:\n%s\nmodel:\n%s\n", (int)pol,
                    evlog_str(&whole), evlog_str(&want));
        fail();
    }
    evlog_free(&whole);
    evlog_free(&want);
}

static void expect_unstuff(const char *in, size_t n, mw_newline_policy pol,
                           const char *want)
{
    un x;
    evlog whole;
    memset(&x, 0, sizeof x);
    x.policy = pol;
    evlog_init(&whole);
    replay_check(&un_ops, &x, in, n, &whole);
    if (strcmp(evlog_str(&whole), want) != 0) {
        print_error("policy %d\ngot:\n%s\nwant:\n%s\n", (int)pol,
                    evlog_str(&whole), want);
        fail();
    }
    evlog_free(&whole);
    check_unstuff(in, n, pol);
}

/* ---- unstuffer tests ---- */

/* RFC 5321 appendix D.1's message, the next command behind it. */
static void test_unstuff_rfc5321(void **state)
{
    static const char in[] = "Blah blah blah...\r\n...etc. etc. etc.\r\n.\r\nQUIT\r\n";
    (void)state;
    for (int p = 0; p <= 2; p++)
        expect_unstuff(S_(in), (mw_newline_policy)p,
                       "data: Blah blah blah...\\r\\n..etc. etc. etc.\\r\\n\n"
                       "end @38\n"
                       "replay: done at 41\n");
}

static void test_unstuff_zero_copy(void **state)
{
    static const char in[] = "hello\r\nworld\r\n.\r\nQUIT\r\n";
    mw_dot_unstuff u;
    mw__dot_ev ev;
    size_t used;
    (void)state;
    assert_int_equal(mw__dot_unstuff_init(&u, MW_NEWLINE_REJECT, 1000), MW_OK);
    assert_int_equal(mw__dot_unstuff_next(&u, S_(in), &used, &ev), MW__DOT_DATA);
    assert_ptr_equal(ev.data.ptr, in); /* the whole body, one span */
    assert_int_equal(ev.data.len, 14);
    assert_int_equal(ev.offset, 1000);
    assert_int_equal(used, 14);
    assert_int_equal(mw__dot_unstuff_next(&u, in + 14, sizeof in - 15, &used, &ev),
                     MW__DOT_END);
    assert_int_equal(used, 3); /* through the terminator, not beyond */
    assert_int_equal(ev.offset, 1014);
    assert_int_equal(mw__dot_unstuff_offset(&u), 1017);
    assert_int_equal(mw__dot_unstuff_next(&u, in + 17, 6, &used, &ev), MW_E_STATE);
    assert_int_equal(used, 0);

    /* stuffed lines: spans around the removed dots, still into the input */
    static const char st[] = "a\r\n..b\r\n.c\r\n.\r\n";
    const char *want[] = {"a\r\n", ".b\r\n", "c\r\n"};
    const char *where[] = {st, st + 4, st + 9};
    size_t pos = 0;
    assert_int_equal(mw__dot_unstuff_init(&u, MW_NEWLINE_REJECT, 0), MW_OK);
    for (int k = 0; k < 3; k++) {
        int r = mw__dot_unstuff_next(&u, st + pos, sizeof st - 1 - pos, &used, &ev);
        pos += used;
        assert_int_equal(r, MW__DOT_DATA);
        assert_ptr_equal(ev.data.ptr, where[k]);
        assert_int_equal(ev.data.len, strlen(want[k]));
        assert_memory_equal(ev.data.ptr, want[k], ev.data.len);
    }
    assert_int_equal(mw__dot_unstuff_next(&u, st + pos, sizeof st - 1 - pos, &used, &ev),
                     MW__DOT_END);
    assert_int_equal(pos + used, sizeof st - 1);
    assert_int_equal(mw__dot_unstuff_init(&u, (mw_newline_policy)7, 0), MW_E_INVAL);
}

/* The body starts at a line start: ".\r\n" first is an empty body. */
static void test_unstuff_empty_and_edges(void **state)
{
    (void)state;
    for (int p = 0; p <= 2; p++) {
        mw_newline_policy pol = (mw_newline_policy)p;
        expect_unstuff(S_(".\r\nQUIT\r\n"), pol, "end @0\nreplay: done at 3\n");
        expect_unstuff(S_("\r\n.\r\n"), pol,
                       "data: \\r\\n\nend @2\nreplay: done at 5\n");
        expect_unstuff(S_("..\r\n.\r\n"), pol,
                       "data: .\\r\\n\nend @4\nreplay: done at 7\n");
        expect_unstuff(S_(".x\r\n.\r\n"), pol,
                       "data: x\\r\\n\nend @4\nreplay: done at 7\n");
        expect_unstuff(S_("...\r\n.\r\n"), pol,
                       "data: ..\\r\\n\nend @5\nreplay: done at 8\n");
        /* a "." inside a line, and a line "." CRLF-less at the end */
        expect_unstuff(S_("a.\r\n\r\nx .\r\n.\r\n"), pol,
                       "data: a.\\r\\n\\r\\nx .\\r\\n\nend @11\nreplay: done at 14\n");
        /* the input ends before the terminator is complete */
        expect_unstuff(S_("abc\r\n."), pol, "data: abc\\r\\n\neof\n");
        expect_unstuff(S_("abc\r\n.\r"), pol, "data: abc\\r\\n\neof\n");
    }
}

/* SMTP smuggling (CVE-2023-51764/51765/51766): each of these sequences,
 * and none but CRLF "." CRLF, could be taken for the end by some hop. None
 * may end the data under any policy; the real end follows. */
static void test_unstuff_smuggling(void **state)
{
    static const char *variants[] = {
        "\n.\n", "\n.\r\n", "\r\n.\n", "\r.\r", "\r.\r\n", "\n.\r",
        "\r\n.\r", "\r\n.\rX", "\r\n.\r\r\n", "\r\r\n.\r\r\n", "\n\r\n.\n",
        ".\n", ".\r", ".\rX\r\n", "\r\n\n.\n\r\n", "\r\n.\n.\r\r\n",
        "\n..\n", "\r\n.\n\r\n.\n", "\r\r.\r\r",
    };
    char buf[128];
    (void)state;
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        for (int p = 0; p <= 2; p++) {
            mw_newline_policy pol = (mw_newline_policy)p;
            /* "MAIL..." after the sequence must be read as body */
            int n = snprintf(buf, sizeof buf, "x%sMAIL FROM:<a@b>\r\n.\r\n",
                             variants[v]);
            un x;
            evlog whole;
            memset(&x, 0, sizeof x);
            x.policy = pol;
            evlog_init(&whole);
            replay_check(&un_ops, &x, buf, (size_t)n, &whole);
            /* exactly one end, at the real terminator */
            const char *s = evlog_str(&whole);
            char want_end[64];
            snprintf(want_end, sizeof want_end, "end @%d\n", n - 3);
            if (strstr(s, want_end) == NULL || strstr(s, "end @") != strstr(s, want_end)) {
                print_error("variant %zu policy %d:\n%s\n", v, p, s);
                fail();
            }
            assert_non_null(strstr(s, "MAIL FROM:<a@b>"));
            if (pol == MW_NEWLINE_REJECT)
                assert_non_null(strstr(s, "error MW_E_BARE_"));
            evlog_free(&whole);
            check_unstuff(buf, (size_t)n, pol);
        }
    }
}

static void test_unstuff_policies(void **state)
{
    (void)state;
    /* REJECT: reported once per body, bytes kept, the real end found */
    expect_unstuff(S_("a\nb\rc\r\n.\r\n"), MW_NEWLINE_REJECT,
                   "data: a\n"
                   "error MW_E_BARE_LF @1\n"
                   "data: \\nb\\rc\\r\\n\n"
                   "end @7\nreplay: done at 10\n");
    expect_unstuff(S_("a\rb\nc\r\n.\r\n"), MW_NEWLINE_REJECT,
                   "data: a\\r\n"
                   "error MW_E_BARE_CR @1\n"
                   "data: b\\nc\\r\\n\n"
                   "end @7\nreplay: done at 10\n");
    /* a bare CR after a stuffed dot */
    expect_unstuff(S_("\r\n.\rX\r\n.\r\n"), MW_NEWLINE_REJECT,
                   "data: \\r\\n\\r\n"
                   "error MW_E_BARE_CR @3\n"
                   "data: X\\r\\n\n"
                   "end @7\nreplay: done at 10\n");
    /* ACCEPT: bare LF and bare CR become CRLF, but start no line: the
     * dots after them are kept */
    expect_unstuff(S_("a\n.b\r.c\r\r\n.\r\n"), MW_NEWLINE_ACCEPT,
                   "data: a\\r\\n.b\\r\\n.c\\r\\n\\r\\n\n"
                   "end @10\nreplay: done at 13\n");
    expect_unstuff(S_("\r\n.\rX\r\n.\r\n"), MW_NEWLINE_ACCEPT,
                   "data: \\r\\n\\r\\nX\\r\\n\n"
                   "end @7\nreplay: done at 10\n");
    /* PASS: as they are */
    expect_unstuff(S_("a\n.b\r.c\r\r\n.\r\n"), MW_NEWLINE_PASS,
                   "data: a\\n.b\\r.c\\r\\r\\n\n"
                   "end @10\nreplay: done at 13\n");
}

/* The terminator split at every offset, after bodies that end in each
 * state: replay_check() cuts everywhere; these put the interesting bytes
 * at the end. */
static void test_unstuff_terminator_splits(void **state)
{
    static const char *bodies[] = {
        "", "x\r\n", "\r\n", "..\r\n", "a\r\n.\r", "a\r", "a\n", ".\r\n.",
    };
    char buf[64];
    (void)state;
    for (size_t b = 0; b < sizeof bodies / sizeof bodies[0]; b++) {
        int n = snprintf(buf, sizeof buf, "%s\r\n.\r\nNEXT", bodies[b]);
        for (int p = 0; p <= 2; p++)
            check_unstuff(buf, (size_t)n, (mw_newline_policy)p);
        n = snprintf(buf, sizeof buf, "%s.\r\nNEXT", bodies[b]);
        for (int p = 0; p <= 2; p++)
            check_unstuff(buf, (size_t)n, (mw_newline_policy)p);
    }
}

static uint32_t rng = 0x2545f491u;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static void test_unstuff_random_vs_model(void **state)
{
    static const char alpha[] = {'.', '\r', '\n', 'a', '.', '\r', '\n', '.'};
    char in[100];
    (void)state;
    for (int iter = 0; iter < 800; iter++) {
        size_t n = rnd() % sizeof in;
        for (size_t i = 0; i < n; i++) {
            uint32_t r = rnd() % 12;
            in[i] = r < 8 ? alpha[r] : (char)('b' + r);
        }
        check_unstuff(in, n, (mw_newline_policy)(rnd() % 3));
    }
}

/* ---- stuffer ---- */

typedef struct sinkbuf {
    char *buf;
    size_t len, cap;
    int calls;
    int fail_at; /* fail the n-th call (1-based), 0: never */
    const char *in_lo, *in_hi; /* the input fed; spans must be in it or static */
    int spans_in_input, spans_static;
} sinkbuf;

static int sink(void *user, const char *p, size_t n)
{
    sinkbuf *s = user;
    s->calls++;
    if (s->fail_at && s->calls == s->fail_at)
        return MW_E_CALLBACK;
    assert_true(n > 0);
    if (s->in_lo && p >= s->in_lo && p + n <= s->in_hi)
        s->spans_in_input++;
    else {
        s->spans_static++;
        assert_true(n <= 5); /* inserted bytes only: ".", "\r\n", "\r\n.\r\n" */
    }
    if (s->len + n > s->cap) {
        s->cap = (s->len + n) * 2 + 64;
        s->buf = realloc(s->buf, s->cap);
        assert_non_null(s->buf);
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    return 0;
}

/* Stuff `in` whole and compare with `want`. */
static void expect_stuff(const char *in, size_t n, mw_newline_policy pol,
                         const char *want, size_t wn)
{
    mw_dot_stuff s;
    sinkbuf sb;
    size_t used = 0;
    memset(&sb, 0, sizeof sb);
    sb.in_lo = in;
    sb.in_hi = in + n;
    assert_int_equal(mw__dot_stuff_init(&s, pol, sink, &sb), MW_OK);
    assert_int_equal(mw__dot_stuff_write(&s, in, n, &used, NULL), MW_OK);
    assert_int_equal(used, n);
    assert_int_equal(mw__dot_stuff_finish(&s, NULL), MW_OK);
    if (sb.len != wn || memcmp(sb.buf, want, wn) != 0) {
        evlog a, b;
        evlog_init(&a);
        evlog_init(&b);
        evlog_escaped(&a, sb.buf, sb.len);
        evlog_escaped(&b, want, wn);
        print_error("stuffed: %s\nwant:    %s\n", evlog_str(&a), evlog_str(&b));
        evlog_free(&a);
        evlog_free(&b);
        fail();
    }
    free(sb.buf);
}

static void test_stuff_basic(void **state)
{
    (void)state;
    for (int p = 0; p <= 2; p++) {
        mw_newline_policy pol = (mw_newline_policy)p;
        expect_stuff(S_(""), pol, S_(".\r\n"));
        expect_stuff(S_("a\r\n"), pol, S_("a\r\n.\r\n"));
        expect_stuff(S_("a"), pol, S_("a\r\n.\r\n"));
        expect_stuff(S_(".x"), pol, S_("..x\r\n.\r\n"));
        expect_stuff(S_("."), pol, S_("..\r\n.\r\n"));
        expect_stuff(S_("a\r\n.\r\nb"), pol, S_("a\r\n..\r\nb\r\n.\r\n"));
        expect_stuff(S_("a\r\n..b\r\n"), pol, S_("a\r\n...b\r\n.\r\n"));
        expect_stuff(S_("a.b\r\n.\r\n"), pol, S_("a.b\r\n..\r\n.\r\n"));
        expect_stuff(S_("\r\n\r\n"), pol, S_("\r\n\r\n.\r\n"));
    }
    /* ACCEPT: bare LF and CR become CRLF and start lines */
    expect_stuff(S_("a\nb\rc\r\n.d\n.e\r.f"), MW_NEWLINE_ACCEPT,
                 S_("a\r\nb\r\nc\r\n..d\r\n..e\r\n..f\r\n.\r\n"));
    expect_stuff(S_("a\r"), MW_NEWLINE_ACCEPT, S_("a\r\n.\r\n"));
    expect_stuff(S_("\n"), MW_NEWLINE_ACCEPT, S_("\r\n.\r\n"));
    /* PASS: as they are, no line starts */
    expect_stuff(S_("a\n.b\r.c"), MW_NEWLINE_PASS, S_("a\n.b\r.c\r\n.\r\n"));
    expect_stuff(S_("a\r"), MW_NEWLINE_PASS, S_("a\r\r\n.\r\n"));
}

/* Zero-copy: the sink sees spans of the input and only the inserted bytes
 * from elsewhere. */
static void test_stuff_zero_copy(void **state)
{
    static const char in[] = "abc\r\n.def\r\nghi\r\n";
    mw_dot_stuff s;
    sinkbuf sb;
    (void)state;
    memset(&sb, 0, sizeof sb);
    sb.in_lo = in;
    sb.in_hi = in + sizeof in - 1;
    assert_int_equal(mw__dot_stuff_init(&s, MW_NEWLINE_REJECT, sink, &sb), MW_OK);
    assert_int_equal(mw__dot_stuff_write(&s, in, sizeof in - 1, NULL, NULL), MW_OK);
    assert_int_equal(sb.calls, 3); /* "abc\r\n", ".", ".def\r\nghi\r\n" */
    assert_int_equal(sb.spans_in_input, 2);
    assert_int_equal(sb.spans_static, 1);
    assert_int_equal(mw__dot_stuff_finish(&s, NULL), MW_OK);
    assert_int_equal(mw__dot_stuff_finish(&s, NULL), MW_E_STATE);
    assert_int_equal(mw__dot_stuff_write(&s, "x", 1, NULL, NULL), MW_E_STATE);
    assert_int_equal(sb.len, sizeof in - 1 + 1 + 3);
    free(sb.buf);
}

static void test_stuff_reject(void **state)
{
    mw_dot_stuff s;
    sinkbuf sb;
    size_t used;
    mw_error err;
    (void)state;
    memset(&sb, 0, sizeof sb);
    assert_int_equal(mw__dot_stuff_init(&s, MW_NEWLINE_REJECT, sink, &sb), MW_OK);
    /* a bare LF: what precedes is written, the LF is consumed and dropped */
    assert_int_equal(mw__dot_stuff_write(&s, S_("ab\ncd"), &used, &err), MW_E_BARE_LF);
    assert_int_equal(err.code, MW_E_BARE_LF);
    assert_int_equal(err.offset, 2);
    assert_int_equal(used, 3);
    assert_int_equal(sb.len, 2);
    assert_memory_equal(sb.buf, "ab", 2);
    /* going on after it */
    assert_int_equal(mw__dot_stuff_write(&s, S_("cd\r"), &used, &err), MW_OK);
    assert_int_equal(used, 3);
    assert_int_equal(sb.len, 4); /* the CR is held: is it a CRLF's? */
    assert_int_equal(mw__dot_stuff_write(&s, S_("\n.x\r"), &used, &err), MW_OK);
    assert_int_equal(sb.len, 9);
    assert_memory_equal(sb.buf, "abcd\r\n..x", 9);
    /* the held CR is bare: reported at its own offset (the body's byte 9,
     * fed in the last call); nothing of this input is consumed */
    assert_int_equal(mw__dot_stuff_write(&s, S_("y"), &used, &err), MW_E_BARE_CR);
    assert_int_equal(err.offset, 9);
    assert_int_equal(used, 0);
    assert_int_equal(mw__dot_stuff_write(&s, S_("y\rz"), &used, &err), MW_E_BARE_CR);
    assert_int_equal(err.offset, 11);
    assert_int_equal(used, 2);
    assert_int_equal(mw__dot_stuff_write(&s, S_("z\r"), &used, &err), MW_OK);
    /* a CR at the very end of the body */
    assert_int_equal(mw__dot_stuff_finish(&s, &err), MW_E_BARE_CR);
    assert_int_equal(err.offset, 13);
    assert_int_equal(mw__dot_stuff_finish(&s, &err), MW_OK);
    assert_int_equal(sb.len, 16);
    assert_memory_equal(sb.buf, "abcd\r\n..xyz\r\n.\r\n", 16);
    free(sb.buf);
}

/* Stuff `chunks` (NUL-separated pieces of one body) under REJECT, going on
 * after each bare CR/LF error as the contract allows, and compare. */
static void expect_reject_continue(const char *const *chunks, size_t nchunks,
                                   const char *want)
{
    mw_dot_stuff s;
    sinkbuf sb;
    memset(&sb, 0, sizeof sb);
    assert_int_equal(mw__dot_stuff_init(&s, MW_NEWLINE_REJECT, sink, &sb), MW_OK);
    for (size_t c = 0; c < nchunks; c++) {
        const char *p = chunks[c];
        size_t n = strlen(p), used;
        sb.in_lo = p;
        sb.in_hi = p + n;
        while (n > 0) {
            int rc = mw__dot_stuff_write(&s, p, n, &used, NULL);
            assert_true(rc == MW_OK || rc == MW_E_BARE_LF || rc == MW_E_BARE_CR);
            p += used;
            n -= used;
        }
    }
    while (mw__dot_stuff_finish(&s, NULL) != MW_OK)
        ;
    evlog a, b;
    evlog_init(&a);
    evlog_init(&b);
    evlog_escaped(&a, sb.buf, sb.len);
    evlog_escaped(&b, want, strlen(want));
    assert_string_equal(evlog_str(&a), evlog_str(&b));
    evlog_free(&a);
    evlog_free(&b);
    free(sb.buf);
}

/* A bare CR or LF dropped at a line start (REJECT) leaves the line not
 * begun: a '.' after it is still doubled. Found by fuzz_dot: without this
 * "a\r\n\n.\r\nRCPT ..." sent "a\r\n.\r\nRCPT ...", ending the data and
 * injecting a command (SMTP smuggling through the sender). */
static void test_stuff_reject_drop_at_line_start(void **state)
{
    (void)state;
    {
        const char *c[] = {"a\r\n\n.\r\nRCPT TO:<x@y>\r\n"};
        expect_reject_continue(c, 1, "a\r\n..\r\nRCPT TO:<x@y>\r\n.\r\n");
    }
    {
        const char *c[] = {"\n"};
        expect_reject_continue(c, 1, ".\r\n");
    }
    {
        const char *c[] = {"a\r\n\rb.\r\n"};
        expect_reject_continue(c, 1, "a\r\nb.\r\n.\r\n");
    }
    {
        const char *c[] = {"a\r\n\r.\r\nQUIT\r\n"};
        expect_reject_continue(c, 1, "a\r\n..\r\nQUIT\r\n.\r\n");
    }
    {
        /* the CR held at a chunk end, at a line start */
        const char *c[] = {"a\r\n\r", ".\r\nQUIT\r\n"};
        expect_reject_continue(c, 2, "a\r\n..\r\nQUIT\r\n.\r\n");
    }
    {
        /* ... and at the very end of the body */
        const char *c[] = {"a\r\n\r"};
        expect_reject_continue(c, 1, "a\r\n.\r\n");
    }
    {
        /* not at a line start: the line goes on */
        const char *c[] = {"ab\n.x\r\n"};
        expect_reject_continue(c, 1, "ab.x\r\n.\r\n");
    }
}

static void test_stuff_sink_failure(void **state)
{
    (void)state;
    for (int k = 1; k <= 4; k++) {
        mw_dot_stuff s;
        sinkbuf sb;
        memset(&sb, 0, sizeof sb);
        sb.fail_at = k;
        assert_int_equal(mw__dot_stuff_init(&s, MW_NEWLINE_ACCEPT, sink, &sb), MW_OK);
        int r = mw__dot_stuff_write(&s, S_("a\n.b\rc"), NULL, NULL);
        if (r == MW_OK)
            r = mw__dot_stuff_finish(&s, NULL);
        assert_int_equal(r, MW_E_CALLBACK);
        free(sb.buf);
    }
    mw_dot_stuff s;
    assert_int_equal(mw__dot_stuff_init(&s, MW_NEWLINE_REJECT, NULL, NULL), MW_E_INVAL);
    assert_int_equal(mw__dot_stuff_init(&s, (mw_newline_policy)9, sink, NULL), MW_E_INVAL);
}

/* ---- round trips ---- */

/* Stuff `body` cut at random places; returns the output (malloc'd). */
static char *stuff_chunked(const char *body, size_t n, mw_newline_policy pol,
                           size_t *outlen)
{
    mw_dot_stuff s;
    sinkbuf sb;
    size_t pos = 0;
    memset(&sb, 0, sizeof sb);
    sb.in_lo = body;
    sb.in_hi = body + n;
    assert_int_equal(mw__dot_stuff_init(&s, pol, sink, &sb), MW_OK);
    while (pos < n) {
        size_t k = 1 + rnd() % 9, used = 0;
        if (k > n - pos)
            k = n - pos;
        assert_int_equal(mw__dot_stuff_write(&s, body + pos, k, &used, NULL), MW_OK);
        assert_int_equal(used, k);
        pos += k;
    }
    assert_int_equal(mw__dot_stuff_finish(&s, NULL), MW_OK);
    *outlen = sb.len;
    if (sb.buf == NULL)
        sb.buf = malloc(1);
    return sb.buf;
}

/* Unstuff at random cuts; the data must be `want` and the end must come
 * exactly at the end of the input. */
static void unstuff_expect(const char *in, size_t n, mw_newline_policy pol,
                           const char *want, size_t wn)
{
    mw_dot_unstuff u;
    char *out = malloc(n + 1);
    size_t olen = 0, pos = 0, chunk_end = 0;
    int ended = 0;
    assert_non_null(out);
    assert_int_equal(mw__dot_unstuff_init(&u, pol, 0), MW_OK);
    while (!ended) {
        size_t used;
        mw__dot_ev ev;
        if (pos == chunk_end) {
            assert_true(pos < n);
            chunk_end = pos + 1 + rnd() % 11;
            if (chunk_end > n)
                chunk_end = n;
        }
        int r = mw__dot_unstuff_next(&u, in + pos, chunk_end - pos, &used, &ev);
        pos += used;
        if (r == MW__DOT_DATA) {
            assert_true(olen + ev.data.len <= n);
            memcpy(out + olen, ev.data.ptr, ev.data.len);
            olen += ev.data.len;
        } else if (r == MW__DOT_END) {
            ended = 1;
        } else {
            assert_int_equal(r, 0);
        }
    }
    assert_int_equal(pos, n);
    assert_int_equal(olen, wn);
    assert_memory_equal(out, want, wn);
    free(out);
}

static void test_roundtrip_random(void **state)
{
    static const char alpha[] = {'.', '.', '\r', '\n', 'a', 'b', ' ', '.'};
    char body[200];
    char norm[420];
    (void)state;
    for (int iter = 0; iter < 2000; iter++) {
        size_t n = rnd() % sizeof body, nn = 0, outlen;
        int only_crlf = (iter % 3) == 0;
        for (size_t i = 0; i < n; i++)
            body[i] = alpha[rnd() % sizeof alpha];
        if (only_crlf) {
            /* a well-formed body: every CR and LF in CRLF pairs */
            for (size_t i = 0; i < n; i++) {
                if (body[i] == '\r' || body[i] == '\n') {
                    if (i + 1 < n) {
                        body[i] = '\r';
                        body[i + 1] = '\n';
                        i++;
                    } else {
                        body[i] = 'z';
                    }
                }
            }
        }
        /* ACCEPT normalises bare CR and LF to CRLF */
        for (size_t i = 0; i < n; i++) {
            if (body[i] == '\r' && i + 1 < n && body[i + 1] == '\n') {
                norm[nn++] = '\r';
                norm[nn++] = '\n';
                i++;
            } else if (body[i] == '\r' || body[i] == '\n') {
                norm[nn++] = '\r';
                norm[nn++] = '\n';
            } else {
                norm[nn++] = body[i];
            }
        }
        if (nn > 0 && !(nn >= 2 && norm[nn - 2] == '\r' && norm[nn - 1] == '\n')) {
            norm[nn++] = '\r';
            norm[nn++] = '\n';
        }
        char *st = stuff_chunked(body, n, MW_NEWLINE_ACCEPT, &outlen);
        /* the output has no bare CR or LF, so every reader agrees on its
         * lines, and it is read back (strictly) to the normalised body */
        for (size_t i = 0; i < outlen; i++) {
            if (st[i] == '\r')
                assert_true(i + 1 < outlen && st[i + 1] == '\n');
            if (st[i] == '\n')
                assert_true(i > 0 && st[i - 1] == '\r');
        }
        unstuff_expect(st, outlen, MW_NEWLINE_REJECT, norm, nn);
        free(st);

        /* PASS both ways gives the body back as it was (plus the CRLF the
         * end needs); REJECT stuffing of a well-formed body is the same */
        memcpy(norm, body, n);
        nn = n;
        if (nn > 0 && !(nn >= 2 && norm[nn - 2] == '\r' && norm[nn - 1] == '\n')) {
            norm[nn++] = '\r';
            norm[nn++] = '\n';
        }
        st = stuff_chunked(body, n, MW_NEWLINE_PASS, &outlen);
        unstuff_expect(st, outlen, MW_NEWLINE_PASS, norm, nn);
        free(st);
        if (only_crlf) {
            st = stuff_chunked(body, n, MW_NEWLINE_REJECT, &outlen);
            unstuff_expect(st, outlen, MW_NEWLINE_REJECT, norm, nn);
            free(st);
        }
    }
}

/* A long body with the replay helper (sampled splits), plus the stuffed
 * form of a message whose lines all start with dots. */
static void test_unstuff_long_body(void **state)
{
    size_t cap = 8000, n = 0;
    char *body = malloc(cap);
    (void)state;
    assert_non_null(body);
    while (n < cap - 100) {
        int k = snprintf(body + n, cap - n, "..line %zu with a dot\r\n", n);
        n += (size_t)k;
    }
    memcpy(body + n, ".\r\nQUIT\r\n", 9);
    n += 9;
    for (int p = 0; p <= 2; p++)
        check_unstuff(body, n, (mw_newline_policy)p);
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unstuff_rfc5321),
        cmocka_unit_test(test_unstuff_zero_copy),
        cmocka_unit_test(test_unstuff_empty_and_edges),
        cmocka_unit_test(test_unstuff_smuggling),
        cmocka_unit_test(test_unstuff_policies),
        cmocka_unit_test(test_unstuff_terminator_splits),
        cmocka_unit_test(test_unstuff_random_vs_model),
        cmocka_unit_test(test_stuff_basic),
        cmocka_unit_test(test_stuff_zero_copy),
        cmocka_unit_test(test_stuff_reject),
        cmocka_unit_test(test_stuff_reject_drop_at_line_start),
        cmocka_unit_test(test_stuff_sink_failure),
        cmocka_unit_test(test_roundtrip_random),
        cmocka_unit_test(test_unstuff_long_body),
    };
    return cmocka_run_group_tests_name("dot", tests, NULL, NULL);
}
