/* SPDX-License-Identifier: MIT */
/*
 * The fast paths of the RFC 5322 parsers agree with the general ones.
 *
 * The structured parsers take shortcuts for the common case: scanning
 * classes (lex.h mw__lex_scan[]) that let tight loops step over the bytes
 * needing no attention, a one-pass reader for plain address-list entries
 * (addr.c fast_entry/fast_next), a memchr-driven search for encoded words
 * in unstructured text and block copies when decoding it (decode.c), and
 * an inline reading of the gaps in a date (date.c). Each must give exactly
 * what the general code gives. These tests check that, mostly on generated
 * inputs (a fixed-seed generator, so failures repeat):
 *   - every entry of the scanning table against its definition;
 *   - the lexer's tokens against a byte-by-byte reference written here
 *     from RFC 5322 §3.2;
 *   - address lists read with and without the fast paths
 *     (MW__HDR_ADDR_SLOW);
 *   - the encoded-word search in plain text against the token-by-token
 *     search of comment mode, on text where both modes tokenise alike;
 *   - decoded unstructured text against a reference unfolding, at every
 *     output capacity;
 *   - dates with one space in a gap against the same dates with two
 *     spaces or a tab there, which the general gap code reads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/hdr_address.h"
#include "mailwire/hdr_date.h"
#include "mailwire/hdr_decode.h"
#include "rfc5322/lex.h"
#include "reason.h"

/* ---- a deterministic generator ---------------------------------------- */

static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
    rng_state = s ^ 0x9E3779B97F4A7C15ULL;
}

static unsigned rnd(unsigned n)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (unsigned)((rng_state * 2685821657736338717ULL) >> 33) % n;
}

typedef struct buf {
    char b[4096];
    size_t n;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->n + n <= sizeof b->b) {
        memcpy(b->b + b->n, s, n);
        b->n += n;
    }
}

static void puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static const char *pick(const char *const *a, size_t n)
{
    return a[rnd((unsigned)n)];
}
#define PICK(a) pick((a), sizeof(a) / sizeof((a)[0]))

/* Describe an input on failure. */
static void show(const char *what, const char *p, size_t n)
{
    size_t i;
    fprintf(stderr, "%s: \"", what);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            fputc(c, stderr);
        else
            fprintf(stderr, "\\x%02x", c);
    }
    fprintf(stderr, "\"\n");
}

/* ---- the scanning table ----------------------------------------------- */

static int ref_atext(unsigned c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", (int)c) != NULL) || c >= 0x80;
}

static int ref_fws(unsigned c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int printable(unsigned c)
{
    return c >= 33 && c <= 126;
}

static void test_scan_table(void **state)
{
    (void)state;
    for (unsigned c = 0; c < 256; c++) {
        unsigned v = mw__lex_scan[c], e = 0;
        int in = printable(c);
        if (ref_atext(c) && c < 0x80)
            e |= MW__S_ATOM;
        if ((in && c != '"' && c != '\\') || ref_fws(c))
            e |= MW__S_QUOTED;
        if ((in && c != '(' && c != ')' && c != '\\') || ref_fws(c))
            e |= MW__S_COMMENT;
        if ((in && c != '[' && c != ']' && c != '\\') || ref_fws(c))
            e |= MW__S_LITERAL;
        if (ref_fws(c))
            e |= MW__S_FWS;
        if (ref_fws(c) || c == '(')
            e |= MW__S_CFWS;
        if (in && strchr("()<>@,;:\\\"/[]?.=", (int)c) == NULL)
            e |= MW__S_EW_TOKEN;
        if (in && c != '?')
            e |= MW__S_EW_TEXT;
        if (v != e)
            fprintf(stderr, "byte 0x%02x: table 0x%02x, expected 0x%02x\n", c, v, e);
        assert_int_equal(v, e);
        /* the classes the loops skip are a part of what the grammar
         * accepts in the same place (mw__hdr_ctype) */
        if (v & MW__S_ATOM)
            assert_true(mw__is((unsigned char)c, MW__C_ATEXT));
        if (v & MW__S_QUOTED)
            assert_true(mw__is((unsigned char)c, MW__C_QTEXT) || ref_fws(c));
        if (v & MW__S_COMMENT)
            assert_true(mw__is((unsigned char)c, MW__C_CTEXT) || ref_fws(c));
        if (v & MW__S_LITERAL)
            assert_true(mw__is((unsigned char)c, MW__C_DTEXT) || ref_fws(c));
    }
}

/* ---- the lexer against a byte-by-byte reference ------------------------ */

/* The flags a byte inside a quoted string, comment or literal raises. */
static unsigned ref_note(unsigned c)
{
    if (c >= 0x80)
        return MW__LEX_8BIT;
    if (c == 0)
        return MW__LEX_NUL;
    if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
        return MW__LEX_OBS_CTL;
    return 0;
}

/* The byte after a backslash: as ref_note(), and an escaped CR or LF is an
 * obsolete quoted-pair (RFC 5322 §4.1 obs-qp). */
static unsigned ref_qpair(unsigned c)
{
    return ref_note(c) | MW__LEX_QPAIR |
           ((c == '\r' || c == '\n') ? MW__LEX_OBS_CTL : 0u);
}

typedef struct ref_result {
    int rc;
    size_t end;      /* position after */
    unsigned flags;
    size_t err_off;  /* when rc < 0 */
    const char *reason;
    long com_start;  /* first comment's contents, -1 if none */
    size_t com_len;
} ref_result;

/* atext+ (§3.2.3, bytes >= 0x80 by RFC 6532) */
static ref_result ref_atom(const unsigned char *s, size_t n, size_t at)
{
    ref_result r = {0, at, 0, 0, NULL, -1, 0};
    while (r.end < n && ref_atext(s[r.end])) {
        if (s[r.end] >= 0x80)
            r.flags |= MW__LEX_8BIT;
        r.end++;
    }
    r.rc = r.end > at;
    return r;
}

/* quoted-string (§3.2.4) or domain-literal (§3.4.1) at s[at] == open */
static ref_result ref_delimited(const unsigned char *s, size_t n, size_t at, unsigned close)
{
    ref_result r = {1, at + 1, 0, 0, NULL, -1, 0};
    while (r.end < n) {
        unsigned c = s[r.end++];
        if (c == close)
            return r;
        if (c == '\\') {
            if (r.end >= n)
                break;
            r.flags |= ref_qpair(s[r.end]);
            r.end++;
        } else if (close == ']' && c == '[') {
            /* the only byte a literal refuses (dtext excludes it) */
            r.rc = MW_E_SYNTAX;
            r.end--;
            r.err_off = r.end;
            r.reason = "bad byte in domain literal";
            return r;
        } else {
            r.flags |= ref_note(c);
        }
    }
    r.rc = MW_E_SYNTAX;
    r.end = n;
    r.err_off = at;
    r.reason = close == '"' ? "quoted string is not closed" : "domain literal is not closed";
    return r;
}

/* CFWS (§3.2.2): FWS and comments nested up to the bound */
static ref_result ref_cfws(const unsigned char *s, size_t n, size_t at)
{
    ref_result r = {MW_OK, at, 0, 0, NULL, -1, 0};
    while (r.end < n) {
        unsigned c = s[r.end];
        if (ref_fws(c)) {
            r.end++;
            continue;
        }
        if (c != '(')
            break;
        size_t open = r.end, depth = 0;
        int deep = 0;
        r.flags |= MW__LEX_COMMENT;
        while (r.end < n) {
            c = s[r.end++];
            if (c == '\\' && r.end < n) {
                r.flags |= ref_qpair(s[r.end]);
                r.end++;
            } else if (c == '(') {
                if (++depth > MW_HDR_MAX_COMMENT_DEPTH)
                    deep = 1;
            } else if (c == ')') {
                if (--depth == 0)
                    break;
            } else {
                r.flags |= ref_note(c);
            }
        }
        if (depth != 0) {
            r.rc = MW_E_SYNTAX;
            r.err_off = open;
            r.reason = "comment is not closed";
            return r;
        }
        if (deep) {
            r.rc = MW_E_DEPTH;
            r.err_off = open;
            r.reason = "comments nested too deeply";
            return r;
        }
        if (r.com_start < 0) {
            r.com_start = (long)open + 1;
            r.com_len = r.end - 1 - (open + 1);
        }
    }
    return r;
}

static void check_lex(const char *what, const char *in, size_t n, size_t at, const mw__lex *lx,
                      int rc, const ref_result *e)
{
    int ok = rc == e->rc && (size_t)(lx->p - in) == e->end && lx->flags == e->flags;
    if (ok && rc < 0)
        ok = lx->err == rc && lx->err_off == e->err_off && strcmp(lx->err_reason, R_(e->reason)) == 0;
    if (ok && e->com_start >= 0)
        ok = lx->comment.ptr == in + e->com_start && lx->comment.len == e->com_len;
    else if (ok)
        ok = lx->comment.ptr == NULL;
    if (!ok) {
        fprintf(stderr, "%s at %zu: rc %d/%d end %zu/%zu flags %x/%x\n", what, at, rc, e->rc,
                (size_t)(lx->p - in), e->end, lx->flags, e->flags);
        show("input", in, n);
    }
    assert_true(ok);
}

static void test_lexer_against_reference(void **state)
{
    /* sizeof counts the terminating NUL, which is drawn as a byte too */
    static const char alphabet[] = "aZ9!#~.@<>,;:\"\\()[] \t\r\n\x01\x7f\x80\xc3\xbc\xff";
    const size_t nalpha = sizeof alphabet;
    (void)state;
    rng_seed(1);
    for (int iter = 0; iter < 20000; iter++) {
        char in[48];
        size_t n = rnd(sizeof in), at;
        for (size_t i = 0; i < n; i++) {
            size_t k = rnd((unsigned)nalpha);
            /* runs of atext, to exercise the loops beyond one byte */
            if (rnd(3) == 0)
                k = rnd(3);
            in[i] = alphabet[k];
        }
        at = n ? rnd((unsigned)n) : 0;
        const unsigned char *u = (const unsigned char *)in;
        mw__lex lx;
        mw_span sp;
        ref_result e;
        int rc;

        mw__lex_init(&lx, in, n);
        lx.p = in + at;
        rc = mw__lex_atom(&lx, &sp);
        e = ref_atom(u, n, at);
        check_lex("atom", in, n, at, &lx, rc, &e);
        if (rc == 1)
            assert_true(sp.ptr == in + at && sp.len == e.end - at);

        mw__lex_init(&lx, in, n);
        lx.p = in + at;
        rc = mw__lex_cfws(&lx);
        e = ref_cfws(u, n, at);
        check_lex("cfws", in, n, at, &lx, rc, &e);

        if (at < n && (in[at] == '"' || in[at] == '[')) {
            int quote = in[at] == '"';
            mw__lex_init(&lx, in, n);
            lx.p = in + at;
            rc = quote ? mw__lex_quoted(&lx, &sp) : mw__lex_domain_literal(&lx, &sp);
            e = ref_delimited(u, n, at, quote ? '"' : ']');
            check_lex(quote ? "quoted" : "literal", in, n, at, &lx, rc, &e);
            if (rc == 1)
                assert_true(sp.ptr == in + at && sp.len == e.end - at);
        }
    }
}

/* ---- address lists: fast paths against the general parser -------------- */

static const char *const words[] = {"a", "Bob", "Alice", "x1", "O'Brien", "M\xc3\xbcller",
                                    "=?UTF-8?B?SsO8cmdlbg==?=", "j.r", "\"Smith, Al\"",
                                    "\"q\\\"x\"", "\"M\xc3\xbcller\"", "\"\x01\"", "\"a\r\n b\"",
                                    "z#$%", "J\xc3"};
static const char *const locals[] = {"a", "user", "first.last", "a.b.c", "x+tag", "\xc3\xa9t\xc3\xa9",
                                     "\"q l\"", "a..b", "a.", ".a", "\xff", "a . b"};
static const char *const domains[] = {"example.com", "b", "mail.example.net", "[192.0.2.1]",
                                      "ex . com", "a.b.c.d", "x(c).y", "\xc3\xa9.fr", "a..b",
                                      "a.", "\xc0\xae.x", "com."};
static const char *const gaps[] = {"", "", "", " ", " ", "  ", "\t", "\r\n ", " (c) ",
                                   "(x)", "\n", ";", ",", "."};

static void gen_entry(buf *b)
{
    unsigned shape = rnd(6);
    if (rnd(8) == 0)
        puts_(b, PICK(gaps));
    if (shape <= 2) { /* [phrase] <addr-spec> */
        unsigned n = rnd(4);
        for (unsigned i = 0; i < n; i++) {
            if (i)
                puts_(b, rnd(6) ? " " : PICK(gaps));
            puts_(b, PICK(words));
        }
        if (n && rnd(3) == 0)
            puts_(b, rnd(2) ? " " : PICK(gaps));
        puts_(b, "<");
        if (rnd(10) == 0)
            puts_(b, PICK(gaps));
    }
    puts_(b, rnd(5) ? PICK(locals) : PICK(words));
    if (rnd(12) == 0)
        puts_(b, PICK(gaps));
    if (rnd(15)) {
        puts_(b, "@");
        if (rnd(12) == 0)
            puts_(b, PICK(gaps));
        puts_(b, PICK(domains));
    }
    if (shape <= 2) {
        if (rnd(12) == 0)
            puts_(b, PICK(gaps));
        if (rnd(20))
            puts_(b, ">");
    }
    if (rnd(6) == 0)
        puts_(b, PICK(gaps));
}

static void gen_list(buf *b)
{
    unsigned n = 1 + rnd(5);
    int group = rnd(6) == 0;
    b->n = 0;
    if (rnd(5) == 0)
        puts_(b, PICK(gaps));
    if (group)
        puts_(b, "Team: ");
    for (unsigned i = 0; i < n; i++) {
        if (i)
            puts_(b, rnd(8) ? ", " : PICK(gaps));
        gen_entry(b);
    }
    if (group && rnd(3))
        puts_(b, ";");
    if (rnd(4) == 0)
        puts_(b, ", x@y");
    if (rnd(10) == 0 && b->n > 0) /* a stray byte anywhere */
        b->b[rnd((unsigned)b->n)] = (char)rnd(256);
}

static int span_same(mw_span a, mw_span b)
{
    return a.ptr == b.ptr && a.len == b.len;
}

static int entry_same(const mw_hdr_address *a, const mw_hdr_address *b)
{
    return span_same(a->raw, b->raw) && span_same(a->display, b->display) &&
           span_same(a->local, b->local) && span_same(a->domain, b->domain) &&
           span_same(a->route, b->route) && span_same(a->comment, b->comment) &&
           span_same(a->group, b->group) && a->flags == b->flags && a->offset == b->offset &&
           a->error.code == b->error.code && a->error.offset == b->error.offset &&
           a->error.reason == b->error.reason;
}

/* Both paths over one value, entry by entry, iterator state included. */
static void compare_lists(const char *v, size_t n, unsigned opts)
{
    mw_hdr_addr_iter fast, slow;
    mw_hdr_address a, b;
    mw_hdr_addr_iter_init(&fast, v, n, opts);
    mw_hdr_addr_iter_init(&slow, v, n, opts | MW__HDR_ADDR_SLOW);
    for (;;) {
        int r1, r2;
        memset(&a, 0x5a, sizeof a);
        memset(&b, 0xa5, sizeof b);
        r1 = mw_hdr_addr_next(&fast, &a);
        r2 = mw_hdr_addr_next(&slow, &b);
        if (r1 != r2 || fast.pos_ != slow.pos_ || fast.state_ != slow.state_ ||
            fast.pending_ != slow.pending_ || (r1 == MW_OK && !entry_same(&a, &b))) {
            fprintf(stderr, "opts %x: rc %d/%d pos %zu/%zu flags %x/%x\n", opts, r1, r2,
                    fast.pos_, slow.pos_, a.flags, b.flags);
            show("list", v, n);
            fail();
        }
        if (r1 != MW_OK)
            break;
    }
}

static void test_addresses_fast_equals_slow(void **state)
{
    static const unsigned opts[] = {0, MW_HDR_ADDR_MAILBOX_LIST, MW_HDR_ADDR_STRICT};
    buf b;
    (void)state;
    rng_seed(2);
    for (int iter = 0; iter < 30000; iter++) {
        gen_list(&b);
        for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++)
            compare_lists(b.b, b.n, opts[k]);
        /* and every prefix of some, to cut entries at each byte */
        if (iter % 50 == 0)
            for (size_t cut = 0; cut < b.n; cut++)
                compare_lists(b.b, cut, 0);
    }
}

/* The shapes the fast paths take, and their near misses one by one. */
static void test_addresses_fast_shapes(void **state)
{
    static const char *const cases[] = {
        "a@b", "a.b.c@d.e.f", "Alice Smith <someone@example.com>", "<x@y>",
        "\"Smith, Alice\" <first.last@example.com>", "=?UTF-8?B?SsO8cmdlbg==?= <j@x.y>",
        "a@b, c@d,e@f ,  g@h", "A<a@b>", "\"q\"<a@b>", "a\"q\" <a@b>",
        "M\xc3\xbcller <m@x>", "\xc3\xa9@x", "\xff@x", "a@\xc0\xae", "\"\x01\" <a@b>",
        "a@b;c@d", "a@b (c)", "a@b .c", "a @b", "a@ b", "a .b@c",
        "< a@b>", "<a@b >", "<a@b> x", "a <b", "a <b@c", "a <b@c.>", "a.@b", "a..b@c",
        "a@b..c", "a@b.", "Joe Q. Public <j@x>", "a b@c", "\"a\"@b", "a@[1.2.3.4]",
        "<@r:a@b>", "a@b@c", "a <>", "g: a@b;", "g: a@b, c@d;", "g:;", "a@b\r\n ,c@d",
        "\"open <a@b>", "a@b, \"open", "(c) a@b", "a(c)@b", ",,a@b,,", ";a@b", "a@b;;",
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = strlen(cases[i]);
        compare_lists(cases[i], n, 0);
        compare_lists(cases[i], n, MW_HDR_ADDR_STRICT);
    }
    compare_lists("\"a\0b\" <a@b>", 12, 0);
    compare_lists("a@b, \0", 6, 0);
}

/* ---- encoded words: plain text against comment-mode tokenising --------- */

static const char *const text_tokens[] = {
    "hello", "w\xc3\xb6rld", "=?UTF-8?B?SsO8cmdlbg==?=", "=?utf-8?q?caf=C3=A9?=", "=?x?q?a?=",
    "=?utf-8?q?bad=ZZ?=", "=?", "?=", "=", "==", "a=?utf-8?q?x?=", "=?utf-8?q?x?=b",
    "=?utf-8?q?a b?=", "=?utf-8*en?q?x?=", "=?utf-8?B?4oKs?=", "=?utf-8?q?\?=", "x=y",
    "=?a?b?c?=?d?=", "\x01", "\xff", "="};
static const char *const text_gaps[] = {" ", " ", "  ", "\t", "\r\n ", "\n", "\r", ""};

static void gen_text(buf *b)
{
    unsigned n = rnd(8);
    b->n = 0;
    if (rnd(4) == 0)
        puts_(b, PICK(text_gaps));
    for (unsigned i = 0; i < n; i++) {
        if (i)
            puts_(b, PICK(text_gaps));
        puts_(b, PICK(text_tokens));
    }
    if (rnd(4) == 0)
        puts_(b, PICK(text_gaps));
}

static int seg_same(const mw_hdr_ew_segment *a, const mw_hdr_ew_segment *b)
{
    return a->kind == b->kind && span_same(a->raw, b->raw) && span_same(a->charset, b->charset) &&
           span_same(a->language, b->language) && a->encoding == b->encoding &&
           span_same(a->text, b->text) && a->flags == b->flags && a->adjacent == b->adjacent &&
           span_same(a->ws_between, b->ws_between) && a->offset == b->offset;
}

static void test_ew_search_equals_token_walk(void **state)
{
    buf b;
    (void)state;
    rng_seed(3);
    for (int iter = 0; iter < 30000; iter++) {
        mw_hdr_ew_iter plain, comment;
        mw_hdr_ew_segment x, y;
        gen_text(&b);
        /* without ( ) \ and DQUOTE the two modes delimit and accept alike */
        mw_hdr_ew_iter_init(&plain, b.b, b.n, 0);
        mw_hdr_ew_iter_init(&comment, b.b, b.n, MW_HDR_DECODE_COMMENT);
        for (;;) {
            int r1 = mw_hdr_ew_next(&plain, &x), r2 = mw_hdr_ew_next(&comment, &y);
            if (r1 != r2 || (r1 == MW_OK && !seg_same(&x, &y))) {
                show("text", b.b, b.n);
                fail();
            }
            if (r1 != MW_OK)
                break;
        }
    }
}

/* ---- decoded unstructured text against a reference unfolding ----------- */

/* RFC 5322 §2.2.3 as the decoder documents it: a CRLF or LF followed by
 * SP or HT, or at the end of the value, is removed; everything else is
 * kept (SAFE: CR, LF and NUL become spaces). src[i] is the source offset
 * of output byte i. */
static size_t ref_unfold(const char *in, size_t n, int safe, char *out, size_t *src)
{
    size_t i = 0, o = 0;
    while (i < n) {
        char c = in[i];
        if (c == '\r' && i + 1 < n && in[i + 1] == '\n' &&
            (i + 2 == n || in[i + 2] == ' ' || in[i + 2] == '\t')) {
            i += 2;
            continue;
        }
        if (c == '\n' && (i + 1 == n || in[i + 1] == ' ' || in[i + 1] == '\t')) {
            i++;
            continue;
        }
        if (safe && (c == '\r' || c == '\n' || c == '\0'))
            c = ' ';
        src[o] = i;
        out[o++] = c;
        i++;
    }
    return o;
}

static void test_decode_text_copy(void **state)
{
    static const char pieces[][4] = {"ab", "c", " ", "\t", "\r\n", "\n", "\r", "\r\n ", "xyz",
                                     "\xc3\xa9", "."};
    (void)state;
    rng_seed(4);
    for (int iter = 0; iter < 1000; iter++) {
        char in[200], exp[200], out[220];
        size_t src[200], n = 0, elen;
        unsigned k = rnd(40);
        for (unsigned i = 0; i < k; i++) {
            const char *p = pieces[rnd(sizeof pieces / sizeof pieces[0])];
            size_t l = strlen(p);
            memcpy(in + n, p, l);
            n += l;
        }
        if (rnd(5) == 0 && n > 0)
            in[rnd((unsigned)n)] = '\0';
        for (int safe = 0; safe < 2; safe++) {
            mw_hdr_decode_opts o = {NULL, NULL, safe ? MW_HDR_DECODE_SAFE : 0u};
            elen = ref_unfold(in, n, safe, exp, src);
            for (size_t cap = 0; cap <= elen + 1; cap++) {
                size_t got = 999;
                mw_error err = {0, 0, NULL};
                int rc = mw_hdr_decode_unstructured(in, n, &o, out, cap, &got, &err);
                if (cap >= elen) {
                    assert_int_equal(rc, MW_OK);
                    assert_int_equal(got, elen);
                } else {
                    assert_int_equal(rc, MW_E_NOSPACE);
                    assert_int_equal(got, cap);
                    assert_int_equal(err.offset, src[cap]);
                }
                assert_memory_equal(out, exp, got);
            }
        }
    }
}

/* ---- dates: the inline gap against the general one --------------------- */

static int date_same(int r1, const mw_hdr_datetime *a, const mw_error *e1, int r2,
                     const mw_hdr_datetime *b, const mw_error *e2, size_t at)
{
    size_t off2 = e2->offset;
    /* an error after the widened gap is one byte further on */
    if (r2 != MW_OK && off2 > at)
        off2--;
    if (r1 != r2)
        return 0;
    if (r1 != MW_OK && (e1->offset != off2 || strcmp(e1->reason, e2->reason) != 0))
        return 0;
    return a->year == b->year && a->month == b->month && a->day == b->day &&
           a->hour == b->hour && a->minute == b->minute && a->second == b->second &&
           a->wday == b->wday && a->zone == b->zone && a->flags == b->flags &&
           a->epoch == b->epoch;
}

static void test_date_gaps(void **state)
{
    static const char *const dates[] = {
        "Tue, 14 Mar 2023 09:26:53 +0100", "14 Mar 2023 09:26 -0000", "Tue ,14 Mar 23 09 : 26 GMT",
        "Thu, 1 Jan 1970 00:00:00 Z", "Mon, 31 Feb 2024 12:00:00 +0000", "Sun,7 Jun 2026 1:00:00 +0000",
        "Fri, 13 Oct 2017 23:59:60 EST", " Wed, 01 Mar 2000 10:00:00 +0530 ", "Sat, 2 Dec 1899 0:0:0 X",
        "Tue, 14 Mar 2023 09:26:53+0100", "Tue, 14 Mar 2023 09:26:53 (c) +0100",
        "Tue, 14 Mar 2023 09:26:53 +0100 (CET)", "Tue,14 Mar 2023 09:26:53 +0100"};
    (void)state;
    for (size_t d = 0; d < sizeof dates / sizeof dates[0]; d++) {
        const char *v = dates[d];
        size_t n = strlen(v);
        mw_hdr_datetime a, b;
        mw_error e1 = {0, 0, NULL}, e2 = {0, 0, NULL};
        int r1 = mw_hdr_parse_date(v, n, &a, &e1);
        for (size_t at = 0; at < n; at++) {
            char w[64];
            if (v[at] != ' ')
                continue;
            for (int tab = 0; tab < 2; tab++) {
                int r2;
                /* one space becomes two spaces, or a tab: both FWS, read by
                 * the general gap code */
                memcpy(w, v, at);
                if (tab) {
                    w[at] = '\t';
                    memcpy(w + at + 1, v + at + 1, n - at - 1);
                    r2 = mw_hdr_parse_date(w, n, &b, &e2);
                    if (!date_same(r1, &a, &e1, r2, &b, &e2, n)) {
                        show("date", w, n);
                        fail();
                    }
                } else {
                    w[at] = ' ';
                    memcpy(w + at + 1, v + at, n - at);
                    r2 = mw_hdr_parse_date(w, n + 1, &b, &e2);
                    if (!date_same(r1, &a, &e1, r2, &b, &e2, at)) {
                        show("date", w, n + 1);
                        fail();
                    }
                }
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_table),
        cmocka_unit_test(test_lexer_against_reference),
        cmocka_unit_test(test_addresses_fast_equals_slow),
        cmocka_unit_test(test_addresses_fast_shapes),
        cmocka_unit_test(test_ew_search_equals_token_walk),
        cmocka_unit_test(test_decode_text_copy),
        cmocka_unit_test(test_date_gaps),
    };
    return cmocka_run_group_tests_name("hdr_fastpath", tests, NULL, NULL);
}
