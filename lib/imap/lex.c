/* SPDX-License-Identifier: MIT */
/*
 * The IMAP lexer over one complete frame (lib/imap/grammar.h), the
 * character class table of RFC 9051 §9 and the arena that structured
 * values are built in. Everything here works on a frame the framer
 * (frame.c) has already cut, so the lexer never waits for input: running
 * out of text is a syntax error.
 */
#include <string.h>

#include "imap/grammar.h"

/* Bits per byte, MW__IMAP_C_* (grammar.h). Derived from RFC 9051 §9:
 * atom-specials = "(" / ")" / "{" / SP / CTL / "%" / "*" / DQUOTE / "\" /
 * "]"; ASTRING-CHAR adds "]"; a tag excludes "+"; TEXT-CHAR is any CHAR
 * (%x01-7F) but CR and LF; list-char adds "%", "*" and "]". */
const unsigned char mw__imap_cclass[256] = {
    0x00, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48,  /* 00 */
    0x48, 0x48, 0x00, 0x48, 0x48, 0x00, 0x48, 0x48,  /* 08 */
    0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48,  /* 10 */
    0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48,  /* 18 */
    0x48, 0x5f, 0x40, 0x5f, 0x5f, 0x58, 0x5f, 0x5f,  /* 20 */
    0x48, 0x48, 0x58, 0x5b, 0x5f, 0x5f, 0x5f, 0x5f,  /* 28 */
    0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f,  /* 30 */
    0x7f, 0x7f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f,  /* 38 */
    0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f,  /* 40 */
    0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f,  /* 48 */
    0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f,  /* 50 */
    0x5f, 0x5f, 0x5f, 0x5f, 0x40, 0x5e, 0x5f, 0x5f,  /* 58 */
    0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f,  /* 60 */
    0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f,  /* 68 */
    0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f,  /* 70 */
    0x5f, 0x5f, 0x5f, 0x48, 0x5f, 0x5f, 0x5f, 0x48,  /* 78 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,  /* 80 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,  /* 88 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,  /* 90 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,  /* 98 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,  /* a0 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,  /* a8 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,  /* b0 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,  /* b8 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,  /* c0 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,  /* c8 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,  /* d0 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,  /* d8 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,  /* e0 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,  /* e8 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,  /* f0 */
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,  /* f8 */
};

/* ---- arena ------------------------------------------------------------ */

/* Alignment for any struct of the library: the strictest of pointer,
 * uint64_t and size_t. */
#define ARENA_ALIGN 8u

void mw__imap_arena_init(mw__imap_arena *a, void *mem, size_t cap)
{
    a->base = (unsigned char *)mem;
    a->cap = mem != NULL ? cap : 0;
    a->lo = 0;
    a->hi = 0;
    /* Start the front on an aligned address whatever the caller gave. */
    if (a->base != NULL) {
        size_t mis = (size_t)((uintptr_t)a->base % ARENA_ALIGN);
        if (mis != 0) {
            size_t skip = ARENA_ALIGN - mis;
            if (skip > a->cap)
                skip = a->cap;
            a->base += skip;
            a->cap -= skip;
        }
    }
}

void mw__imap_arena_reset(mw__imap_arena *a)
{
    a->lo = 0;
    a->hi = 0;
}

void *mw__imap_arena_alloc(mw__imap_arena *a, size_t size)
{
    size_t start, room;
    void *p;
    if (a->base == NULL)
        return NULL;
    start = (a->lo + (ARENA_ALIGN - 1u)) & ~(size_t)(ARENA_ALIGN - 1u);
    if (start > a->cap - a->hi)
        return NULL;
    room = a->cap - a->hi - start;
    if (size > room)
        return NULL;
    p = a->base + start;
    memset(p, 0, size);
    a->lo = start + size;
    return p;
}

char *mw__imap_arena_bytes(mw__imap_arena *a, size_t n)
{
    if (a->base == NULL || n > a->cap - a->hi - a->lo)
        return NULL;
    a->hi += n;
    return (char *)(a->base + (a->cap - a->hi));
}

void *mw__imap_arena_top(mw__imap_arena *a)
{
    size_t start = (a->lo + (ARENA_ALIGN - 1u)) & ~(size_t)(ARENA_ALIGN - 1u);
    if (a->base == NULL)
        return NULL;
    return a->base + (start <= a->cap ? start : a->cap);
}

size_t mw__imap_arena_room(const mw__imap_arena *a)
{
    return a->base == NULL ? 0 : a->cap - a->hi - a->lo;
}

/* ---- lexer basics ----------------------------------------------------- */

void mw__imap_lex_init(mw__imap_lex *L, const char *p, size_t n,
                       size_t stream_offset, mw__imap_arena *arena,
                       unsigned flags)
{
    L->p = p;
    L->end = p + n;
    L->base = p;
    L->base_offset = stream_offset;
    L->arena = arena;
    L->flags = flags;
    L->status = MW_OK;
    L->err_offset = 0;
    L->reason = NULL;
}

int mw__imap_lex_fail_(mw__imap_lex *L, int status, const char *reason)
{
    if (L->status == MW_OK) {
        L->status = status;
        L->err_offset = L->base_offset + (size_t)(L->p - L->base);
        L->reason = reason;
    }
    return L->status;
}

int mw__imap_lex_fail_at_(mw__imap_lex *L, const char *at, int status,
                          const char *reason)
{
    if (L->status == MW_OK) {
        L->status = status;
        L->err_offset = L->base_offset + (size_t)(at - L->base);
        L->reason = reason;
    }
    return L->status;
}

int mw__imap_lex_expect_fail(mw__imap_lex *L, char c)
{
    if (L->status != MW_OK)
        return L->status;
    if (L->p < L->end && *L->p == c) {
        L->p++;
        return MW_OK;
    }
    switch (c) {
    case ' ': return mw__imap_lex_fail(L, MW_E_SYNTAX, "SP expected");
    case '(': return mw__imap_lex_fail(L, MW_E_SYNTAX, "'(' expected");
    case ')': return mw__imap_lex_fail(L, MW_E_SYNTAX, "')' expected");
    case '[': return mw__imap_lex_fail(L, MW_E_SYNTAX, "'[' expected");
    case ']': return mw__imap_lex_fail(L, MW_E_SYNTAX, "']' expected");
    case '<': return mw__imap_lex_fail(L, MW_E_SYNTAX, "'<' expected");
    case '>': return mw__imap_lex_fail(L, MW_E_SYNTAX, "'>' expected");
    case '"': return mw__imap_lex_fail(L, MW_E_SYNTAX, "'\"' expected");
    case '.': return mw__imap_lex_fail(L, MW_E_SYNTAX, "'.' expected");
    case ':': return mw__imap_lex_fail(L, MW_E_SYNTAX, "':' expected");
    default: return mw__imap_lex_fail(L, MW_E_SYNTAX, "unexpected character");
    }
}

#if !MW_ENABLE_FAST_PATHS
/* The out-of-line copies of grammar.h's small readers. */
int mw__imap_lex_peek(const mw__imap_lex *L)
{
    if (L->status != MW_OK || L->p >= L->end)
        return -1;
    return (unsigned char)*L->p;
}

int mw__imap_lex_accept(mw__imap_lex *L, char c)
{
    if (L->status != MW_OK || L->p >= L->end || *L->p != c)
        return 0;
    L->p++;
    return 1;
}
#endif

int mw__imap_lex_sp_opt(mw__imap_lex *L)
{
    const char *q;
    int n = 0;
    if (L->status != MW_OK || !(L->flags & MW__IMAP_LEX_TRAILING_SP))
        return 0;
    q = L->p;
    while (q < L->end && *q == ' ')
        q++;
    if (q == L->end || *q == ')') {
        n = (int)(q - L->p > 0x7fff ? 0x7fff : q - L->p);
        L->p = q;
    }
    return n;
}

int mw__imap_lex_iprefix(mw__imap_lex *L, const char *kw)
{
    const char *q = L->p;
    if (L->status != MW_OK)
        return 0;
    for (; *kw != '\0'; kw++, q++) {
        if (q >= L->end ||
            mw__lower((unsigned char)*q) != mw__lower((unsigned char)*kw))
            return 0;
    }
    L->p = q;
    return 1;
}

int mw__imap_lex_keyword(mw__imap_lex *L, const char *kw)
{
    const char *save = L->p;
    if (!mw__imap_lex_iprefix(L, kw))
        return 0;
    if (L->p < L->end &&
        (mw__imap_cclass[(unsigned char)*L->p] & MW__IMAP_C_ATOM)) {
        L->p = save;
        return 0;
    }
    return 1;
}

int mw__imap_lex_end(mw__imap_lex *L)
{
    if (L->status != MW_OK)
        return L->status;
    if (L->flags & MW__IMAP_LEX_TRAILING_SP) {
        while (L->p < L->end && *L->p == ' ')
            L->p++;
    }
    if (L->p != L->end)
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "trailing garbage");
    return MW_OK;
}

/* ---- tokens ----------------------------------------------------------- */

int mw__imap_lex_class(mw__imap_lex *L, unsigned mask, mw_span *out)
{
    const unsigned char *q, *e;
    if (L->status != MW_OK)
        return L->status;
    q = (const unsigned char *)L->p;
    e = (const unsigned char *)L->end;
    while (q < e && (mw__imap_cclass[*q] & mask))
        q++;
    if (q == (const unsigned char *)L->p)
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "token expected");
    out->ptr = L->p;
    out->len = (size_t)((const char *)q - L->p);
    L->p = (const char *)q;
    return MW_OK;
}

/* Atom-ish runs tolerate 8-bit bytes under the 8BIT quirk. */
static unsigned with_8bit(const mw__imap_lex *L, unsigned mask)
{
    return (L->flags & MW__IMAP_LEX_8BIT) ? (mask | MW__IMAP_C_8BIT) : mask;
}

int mw__imap_lex_atom(mw__imap_lex *L, mw_span *out)
{
    if (L->status != MW_OK)
        return L->status;
    if (L->p >= L->end ||
        !(mw__imap_cclass[(unsigned char)*L->p] &
          with_8bit(L, MW__IMAP_C_ATOM)))
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "atom expected");
    return mw__imap_lex_class(L, with_8bit(L, MW__IMAP_C_ATOM), out);
}

int mw__imap_lex_tag(mw__imap_lex *L, mw_span *out)
{
    if (L->status != MW_OK)
        return L->status;
    if (L->p >= L->end ||
        !(mw__imap_cclass[(unsigned char)*L->p] & MW__IMAP_C_TAG))
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "tag expected");
    return mw__imap_lex_class(L, MW__IMAP_C_TAG, out);
}

/* Digits as a number no larger than max; the error offset is the first
 * digit. Up to 18 digits cannot overflow 64 bits, so the common case adds
 * without a check per digit (no division in the loop). */
static int lex_digits(mw__imap_lex *L, uint64_t max, int nonzero,
                      uint64_t *out)
{
    const char *s = L->p, *q = s, *e = L->end;
    uint64_t v = 0;
    if (L->status != MW_OK)
        return L->status;
    if (s >= e || (unsigned char)(*s - '0') > 9u)
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "number expected");
    if (nonzero && *s == '0')
        return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                 "number must not start with 0");
    while (q < e && (unsigned char)(*q - '0') <= 9u)
        q++;
    if (q - s <= 18) {
        const char *d;
        for (d = s; d < q; d++)
            v = v * 10u + (unsigned)(unsigned char)(*d - '0');
        if (v > max)
            return mw__imap_lex_fail_at(L, s, MW_E_OVERFLOW,
                                        "number too large");
    } else if (mw__parse_u64(s, (size_t)(q - s), max, &v) != MW_OK) {
        /* checked per digit, without a run-time 64-bit division */
        return mw__imap_lex_fail_at(L, s, MW_E_OVERFLOW, "number too large");
    }
    L->p = q;
    *out = v;
    return MW_OK;
}

int mw__imap_lex_number(mw__imap_lex *L, uint32_t *out)
{
    uint64_t v = 0;
    int r = lex_digits(L, UINT32_MAX, 0, &v);
    if (r == MW_OK)
        *out = (uint32_t)v;
    return r;
}

int mw__imap_lex_nz_number(mw__imap_lex *L, uint32_t *out)
{
    uint64_t v = 0;
    int r = lex_digits(L, UINT32_MAX, 1, &v);
    if (r == MW_OK)
        *out = (uint32_t)v;
    return r;
}

int mw__imap_lex_number64(mw__imap_lex *L, uint64_t *out)
{
    return lex_digits(L, (uint64_t)INT64_MAX, 0, out);
}

int mw__imap_lex_literal(mw__imap_lex *L, mw_span *out, int *binary)
{
    const char *start = L->p;
    uint64_t n = 0;
    int bin = 0;
    if (L->status != MW_OK)
        return L->status;
    if (L->p < L->end && *L->p == '~') {
        bin = 1;
        L->p++;
    }
    if (L->p >= L->end || *L->p != '{')
        return mw__imap_lex_fail_at(L, start, MW_E_SYNTAX, "literal expected");
    L->p++;
    if (lex_digits(L, (uint64_t)INT64_MAX, 0, &n) != MW_OK)
        return L->status;
    (void)mw__imap_lex_accept(L, '+');
    if (mw__imap_lex_expect(L, '}') != MW_OK)
        return L->status;
    /* The framer has checked the line end; under MW_NEWLINE_ACCEPT a bare
     * LF may stand for CRLF (RFC 9051 §4.3 wants CRLF). */
    if (!mw__imap_lex_accept(L, '\r')) {
        if (L->p < L->end && *L->p == '\n')
            ;
        else
            return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                     "CRLF expected after literal size");
    }
    if (mw__imap_lex_expect(L, '\n') != MW_OK)
        return L->status;
    if (n > (uint64_t)(L->end - L->p))
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "literal cut short");
    /* RFC 9051 §9: literal = ... *CHAR8 (no NUL); only literal8 (RFC 3516)
     * may carry NUL. */
    if (!bin && n > 0 && memchr(L->p, 0, (size_t)n) != NULL)
        return mw__imap_lex_fail_at(L, (const char *)memchr(L->p, 0, (size_t)n),
                       MW_E_NUL, "NUL in a literal (only literal8 may)");
    out->ptr = L->p;
    out->len = (size_t)n;
    L->p += (size_t)n;
    if (binary != NULL)
        *binary = bin;
    return MW_OK;
}

/* Validate one UTF-8 sequence starting at q (first byte >= 0x80); returns
 * its length or 0 when invalid (RFC 3629: no overlongs, no surrogates, at
 * most U+10FFFF). */
static size_t utf8_seq(const unsigned char *q, const unsigned char *e)
{
    unsigned c = q[0];
    size_t need;
    unsigned lo = 0x80, hi = 0xBF;
    size_t i;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if ((size_t)(e - q) <= need)
        return 0;
    if (q[1] < lo || q[1] > hi)
        return 0;
    for (i = 2; i <= need; i++)
        if (q[i] < 0x80 || q[i] > 0xBF)
            return 0;
    return need + 1;
}

/* The first byte at or after q that is not a plain quoted-string byte
 * (MW__IMAP_C_QUOTED: '"', '\\', CR, LF, NUL and 8-bit bytes stop it).
 * Quoted strings are most of an ENVELOPE, so sixteen bytes a step with
 * SSE2 where the compiler targets it (as mw__find_cr_or_lf does). */
#if (defined(__SSE2__) || defined(_M_X64)) && !defined(MW_NO_SIMD)
#include <emmintrin.h>
static const unsigned char *quoted_run(const unsigned char *q,
                                       const unsigned char *e)
{
    const __m128i dq = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
    const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    const __m128i zero = _mm_setzero_si128();
    while (e - q >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
        __m128i stop = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, dq), _mm_cmpeq_epi8(v, bs)),
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, cr),
                                      _mm_cmpeq_epi8(v, lf)),
                         _mm_cmpeq_epi8(v, zero)));
        /* the high bit of v itself marks the 8-bit bytes */
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(stop, v));
        if (m != 0) {
#if defined(__GNUC__)
            return q + __builtin_ctz(m);
#else
            while (!(m & 1u)) {
                m >>= 1;
                q++;
            }
            return q;
#endif
        }
        q += 16;
    }
    while (q < e && (mw__imap_cclass[*q] & MW__IMAP_C_QUOTED))
        q++;
    return q;
}
#else
static const unsigned char *quoted_run(const unsigned char *q,
                                       const unsigned char *e)
{
    while (q < e && (mw__imap_cclass[*q] & MW__IMAP_C_QUOTED))
        q++;
    return q;
}
#endif

int mw__imap_lex_quoted(mw__imap_lex *L, mw_span *out)
{
    const unsigned char *q, *e, *s;
    size_t escapes = 0;
    char *dst;
    if (L->status != MW_OK)
        return L->status;
    if (L->p >= L->end || *L->p != '"')
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "quoted string expected");
    s = q = (const unsigned char *)L->p + 1;
    e = (const unsigned char *)L->end;
    for (;;) {
        q = quoted_run(q, e);
        if (q >= e)
            return mw__imap_lex_fail_at(L, (const char *)q, MW_E_SYNTAX,
                           "unterminated quoted string");
        if (*q == '"')
            break;
        if (*q == '\\') {
            /* quoted-specials only (RFC 9051 §9 quoted-char). */
            if (q + 1 >= e || (q[1] != '"' && q[1] != '\\'))
                return mw__imap_lex_fail_at(L, (const char *)q, MW_E_SYNTAX,
                               "bad escape in quoted string");
            escapes++;
            q += 2;
            continue;
        }
        if (*q >= 0x80) {
            if (L->flags & MW__IMAP_LEX_8BIT) {
                q++;
                continue;
            }
            if (L->flags & MW__IMAP_LEX_UTF8) {
                size_t k = utf8_seq(q, e);
                if (k == 0)
                    return mw__imap_lex_fail_at(L, (const char *)q, MW_E_UTF8,
                                   "invalid UTF-8 in quoted string");
                q += k;
                continue;
            }
            return mw__imap_lex_fail_at(L, (const char *)q, MW_E_SYNTAX,
                           "8-bit byte in quoted string");
        }
        if (*q == 0)
            return mw__imap_lex_fail_at(L, (const char *)q, MW_E_NUL,
                           "NUL in quoted string");
        if (*q == '\r')
            return mw__imap_lex_fail_at(L, (const char *)q, MW_E_BARE_CR,
                           "CR in quoted string");
        return mw__imap_lex_fail_at(L, (const char *)q, MW_E_BARE_LF,
                       "LF in quoted string");
    }
    if (escapes == 0) {
        out->ptr = (const char *)s;
        out->len = (size_t)(q - s);
    } else {
        size_t n = (size_t)(q - s) - escapes;
        const unsigned char *r;
        size_t k = 0;
        if (L->arena == NULL ||
            (dst = mw__imap_arena_bytes(L->arena, n == 0 ? 1 : n)) == NULL)
            return mw__imap_lex_fail(L, MW_E_NOSPACE,
                                     "arena full (quoted string)");
        for (r = s; r < q; r++) {
            if (*r == '\\')
                r++;
            dst[k++] = (char)*r;
        }
        out->ptr = dst;
        out->len = n;
    }
    L->p = (const char *)q + 1;
    return MW_OK;
}

int mw__imap_lex_string(mw__imap_lex *L, mw_span *out)
{
    int c = mw__imap_lex_peek(L);
    if (c == '"')
        return mw__imap_lex_quoted(L, out);
    if (c == '{') /* not literal8: RFC 3516 allows it only where the
                     grammar says so (append-data, BINARY responses) */
        return mw__imap_lex_literal(L, out, NULL);
    if (L->status != MW_OK)
        return L->status;
    return mw__imap_lex_fail(L, MW_E_SYNTAX, "string expected");
}

int mw__imap_lex_nstring(mw__imap_lex *L, mw_span *out)
{
    if (L->status != MW_OK)
        return L->status;
    if (mw__imap_lex_keyword(L, "NIL")) {
        out->ptr = NULL;
        out->len = 0;
        return MW_OK;
    }
    return mw__imap_lex_string(L, out);
}

int mw__imap_lex_astring(mw__imap_lex *L, mw_span *out)
{
    int c = mw__imap_lex_peek(L);
    if (c == '"' || c == '{')
        return mw__imap_lex_string(L, out);
    if (L->status != MW_OK)
        return L->status;
    if (c < 0 || !(mw__imap_cclass[c] & with_8bit(L, MW__IMAP_C_ASTRING)))
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "astring expected");
    return mw__imap_lex_class(L, with_8bit(L, MW__IMAP_C_ASTRING), out);
}

int mw__imap_lex_mailbox(mw__imap_lex *L, mw_span *out)
{
    if (mw__imap_lex_astring(L, out) != MW_OK)
        return L->status;
    /* RFC 9051 §9: "INBOX" is case-insensitive, whatever string form. */
    if (out->len == 5 && mw__span_ieq(*out, "INBOX"))
        out->ptr = "INBOX";
    return MW_OK;
}

int mw__imap_lex_list_mailbox(mw__imap_lex *L, mw_span *out)
{
    int c = mw__imap_lex_peek(L);
    if (c == '"' || c == '{')
        return mw__imap_lex_string(L, out);
    if (L->status != MW_OK)
        return L->status;
    if (c < 0 || !(mw__imap_cclass[c] & with_8bit(L, MW__IMAP_C_LISTMB)))
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "list-mailbox expected");
    return mw__imap_lex_class(L, with_8bit(L, MW__IMAP_C_LISTMB), out);
}
