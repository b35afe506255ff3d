/* SPDX-License-Identifier: MIT */
/*
 * Shared between the files of the IMAP server's command parser
 * (server_cmd.c: dispatch and the simple commands; server_cmd_fetch.c:
 * FETCH items and STORE; server_cmd_search.c: SEARCH, SORT, THREAD;
 * server_cmd_mbox.c: LIST, STATUS, SELECT, ENABLE, ID, QUOTA, METADATA).
 * Internal: never installed.
 *
 * Every parser here works on the lexer of grammar.h over one complete
 * frame; errors are sticky in the lexer (first one wins) so a parser can
 * chain steps and test once. Nothing recurses.
 */
#ifndef MW_IMAP_SERVER_CMD_INT_H
#define MW_IMAP_SERVER_CMD_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "imap/frame.h"
#include "imap/grammar.h"
#include "imap/server_cmd.h"

/* The state of one command parse. */
typedef struct mw__imap_cmdp {
    mw__imap_lex L;
    mw__imap_arena *a;
    mw_imap_cmd *cmd;
    unsigned max_depth;
    int fill_fields; /* FETCH: a header-field list longer than the stack
                        copy awaits fill_fields() (server_cmd_fetch.c) */
} mw__imap_cmdp;

/* ---- small lexer helpers (server_cmd.c) -------------------------------- */

/* Fail at a given position of the frame (first error wins). */
int mw__imap_sc_fail_at_(mw__imap_lex *L, const char *at, int status,
                         const char *reason);
#define mw__imap_sc_fail_at(L, at, status, reason)                           \
    mw__imap_sc_fail_at_((L), (at), (status), MW__TEXT(reason))

/* Keyword characters: letters, digits, '.', '-', '_', '=' (server_cmd.c). */
extern const unsigned char mw__imap_sc_wordch[256];

/* ---- scanning runs --------------------------------------------------------
 * The loops below run over most bytes of a command stream, so they take
 * sixteen bytes a step with SSE2 where the compiler targets it (as the
 * lexer's quoted_run does) and eight bytes a step for digits; elsewhere
 * a loop over a class table. Each gives exactly the result of its table
 * loop (tests/unit/test_imap_server_cmd.c checks every byte value in
 * every lane). Both exist only for speed: a build without fast paths
 * (features.h MW_ENABLE_FAST_PATHS 0) keeps the table loops alone. */
#if MW_ENABLE_FAST_PATHS && (defined(__SSE2__) || defined(_M_X64)) && \
    !defined(MW_NO_SIMD)
#include <emmintrin.h>
#define MW__SC_SSE2 1
#endif

#if MW_ENABLE_FAST_PATHS && defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && !defined(MW_NO_SIMD)
#define MW__SC_SWAR 1
#endif

/* For the small helpers whose arguments must fold into constants
 * (keyword literals) wherever they are used. */
#if defined(__GNUC__)
#define MW__SC_ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define MW__SC_ALWAYS_INLINE static inline
#endif

#ifdef MW__SC_SSE2
/* Index of the lowest set bit of a non-zero 16-bit mask. */
static inline unsigned mw__imap_sc_ctz16(unsigned m)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctz(m);
#else
    unsigned i = 0;
    while (!(m & 1u)) {
        m >>= 1;
        i++;
    }
    return i;
#endif
}

/* Lanes of v whose unsigned value is in lo..lo+span. */
static inline __m128i mw__imap_sc_in(__m128i v, char lo, char span)
{
    __m128i t = _mm_sub_epi8(v, _mm_set1_epi8(lo));
    return _mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8(span)), t);
}
#endif

/* What ends a run (the `kind` of mw__imap_sc_scan()). */
enum {
    MW__SC_WORD = 0, /* not a keyword character (mw__imap_sc_wordch) */
    MW__SC_ASTR = 1, /* not an ASTRING-CHAR (7-bit, MW__IMAP_C_ASTRING) */
    MW__SC_TAG = 2,  /* not a tag character (MW__IMAP_C_TAG: ASTRING-CHAR
                        but "+") */
    MW__SC_TOK = 3   /* SP, ")" or "[" (a guess where a token ends) */
};

/* 1 when byte c ends a run of this kind. */
static inline int mw__imap_sc_stop1(unsigned char c, int kind)
{
    switch (kind) {
    case MW__SC_WORD: return !mw__imap_sc_wordch[c];
    case MW__SC_ASTR: return !(mw__imap_cclass[c] & MW__IMAP_C_ASTRING);
    case MW__SC_TAG: return !(mw__imap_cclass[c] & MW__IMAP_C_TAG);
    default: return c == ' ' || c == ')' || c == '[';
    }
}

#ifdef MW__SC_SSE2
/* The lanes of v that end a run of this kind, as a 16-bit mask. */
static inline unsigned mw__imap_sc_stop16(__m128i v, int kind)
{
    __m128i stop;
    if (kind == MW__SC_WORD) {
        /* letters, digits, '-', '.', '_', '=' */
        __m128i ok = _mm_or_si128(
            _mm_or_si128(
                mw__imap_sc_in(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 25),
                mw__imap_sc_in(v, '0', 9)),
            _mm_or_si128(
                mw__imap_sc_in(v, '-', 1),
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('_')),
                             _mm_cmpeq_epi8(v, _mm_set1_epi8('=')))));
        return (unsigned)_mm_movemask_epi8(ok) ^ 0xFFFFu;
    }
    if (kind == MW__SC_TOK) {
        stop = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
                            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(')')),
                                         _mm_cmpeq_epi8(v, _mm_set1_epi8('['))));
        return (unsigned)_mm_movemask_epi8(stop);
    }
    /* not ASTRING-CHAR: CTL, SP and 8-bit (signed < 0x21), DEL, and
     * '"' '%' '(' ')' '*' '\' '{'; a tag also stops at '+' */
    stop = _mm_or_si128(
        _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x21)),
                     _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F))),
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                     _mm_cmpeq_epi8(v, _mm_set1_epi8('%'))));
    stop = _mm_or_si128(
        stop, _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')),
                                        _mm_cmpeq_epi8(v, _mm_set1_epi8('{'))),
                           mw__imap_sc_in(v, '(', 2)));
    if (kind == MW__SC_TAG)
        stop = _mm_or_si128(stop, _mm_cmpeq_epi8(v, _mm_set1_epi8('+')));
    return (unsigned)_mm_movemask_epi8(stop);
}
#endif

/* The first byte of q[0..e) that ends a run of this kind, or e. lo is
 * the start of the frame text: bytes from lo on may be read (never
 * before lo, never from e on), so that the last bytes of a frame of 16
 * or more are looked at sixteen at a time too (a load that ends at e).
 * Sixteen bytes a step with SSE2 where the compiler targets it (as the
 * lexer's quoted_run does), else a byte loop; the same result either
 * way (tests/unit/test_imap_server_cmd.c checks every byte value in
 * every lane). */
static inline const char *mw__imap_sc_scan(const char *q, const char *e,
                                           const char *lo, int kind)
{
#ifdef MW__SC_SSE2
    while (e - q >= 16) {
        unsigned m = mw__imap_sc_stop16(
            _mm_loadu_si128((const __m128i *)(const void *)q), kind);
        if (m != 0)
            return q + mw__imap_sc_ctz16(m);
        q += 16;
    }
    if (q < e && e - lo >= 16) {
        unsigned m = mw__imap_sc_stop16(
                         _mm_loadu_si128((const __m128i *)(const void *)(e - 16)),
                         kind) >>
                     (16 - (e - q));
        return m != 0 ? q + mw__imap_sc_ctz16(m) : e;
    }
#else
    (void)lo;
#endif
    while (q < e && !mw__imap_sc_stop1((unsigned char)*q, kind))
        q++;
    return q;
}

/* The end of the run of ASCII digits that starts at q: eight at a time
 * (a byte is a digit when its value XOR '0' is below 10). */
static inline const char *mw__imap_sc_digits_end(const char *q, const char *e)
{
#ifdef MW__SC_SWAR
    while (e - q >= 8) {
        uint64_t x, nd;
        memcpy(&x, q, 8);
        x ^= 0x3030303030303030ull;
        nd = (((x & 0x7F7F7F7F7F7F7F7Full) + 0x7676767676767676ull) | x) &
             0x8080808080808080ull;
        if (nd != 0)
            return q + ((unsigned)__builtin_ctzll(nd) >> 3);
        q += 8;
    }
#endif
    while (q < e && (unsigned char)(*q - '0') <= 9u)
        q++;
    return q;
}

/* A run of keyword characters, case kept; 0 length when none (no
 * error). */
static inline mw_span mw__imap_sc_word(mw__imap_lex *L)
{
    const char *q = L->p;
    mw_span w;
    if (L->status == MW_OK)
        q = mw__imap_sc_scan(q, L->end, L->base, MW__SC_WORD);
    w.ptr = L->p;
    w.len = (size_t)(q - L->p);
    L->p = q;
    return w;
}

/* Case-insensitive equality of a word with an upper-case ASCII keyword of
 * length n. */
static inline int mw__imap_sc_is(mw_span w, const char *kw, size_t n)
{
    size_t i;
    if (w.len != n)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w.ptr[i];
        if ((unsigned char)(c - 'a') < 26u)
            c = (unsigned char)(c - 32u);
        if (c != (unsigned char)kw[i])
            return 0;
    }
    return 1;
}
#define MW__SC_IS(w, kw) mw__imap_sc_is((w), (kw), sizeof(kw) - 1u)

/* Keywords in tables are stored upper-case in MW__SC_KWLEN bytes, zero
 * padded, so that they can be compared 8 bytes at a time. Without fast
 * paths (features.h) they are compared byte by byte, and the longest
 * (17: HEADER.FIELDS.NOT, SAVEDATESUPPORTED) with its NUL is enough. */
#if MW_ENABLE_FAST_PATHS
#define MW__SC_KWLEN 24
#else
#define MW__SC_KWLEN 18
#endif

/* 0xFF x 8 then 0x00 x 8: 8 bytes loaded from (mask + 8 - k) keep the
 * first k bytes in memory order, on any endianness (server_cmd.c). */
extern const unsigned char mw__imap_sc_mask[16];

static inline uint64_t mw__imap_sc_load8(const void *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* w (n bytes of keyword characters or ATOM-CHARs; readable up to end)
 * equals the padded upper-case keyword kw of length n, letters compared
 * without case. Clearing bit 5 of every byte folds the case of letters;
 * among ATOM-CHARs it merges no two bytes that a keyword can hold
 * (letters, digits, '.', '-', '=', '_', '/'), so the comparison is exact.
 * 8 bytes at a time when the frame has the bytes to read. */
static inline int mw__imap_sc_kweq(const char *w, size_t n, const char *kw,
                                   const char *end)
{
#if MW_ENABLE_FAST_PATHS
    const uint64_t fold = 0xDFDFDFDFDFDFDFDFull;
    size_t i = 0;
    if (n <= MW__SC_KWLEN && (size_t)(end - w) >= ((n + 7u) & ~(size_t)7u)) {
        for (; i + 8u <= n; i += 8u) {
            if (((mw__imap_sc_load8(w + i) ^ mw__imap_sc_load8(kw + i)) &
                 fold) != 0)
                return 0;
        }
        if (i < n) {
            uint64_t m = mw__imap_sc_load8(mw__imap_sc_mask + 8u - (n - i));
            if (((mw__imap_sc_load8(w + i) ^ mw__imap_sc_load8(kw + i)) &
                 fold & m) != 0)
                return 0;
        }
        return 1;
    }
#else
    (void)end; /* the byte loop alone (features.h) */
#endif
    return mw__imap_sc_is(mw__span(w, n), kw, n);
}

/* A keyword table entry: upper-case name (padded), its length, a value. */
typedef struct mw__imap_kw {
    char kw[MW__SC_KWLEN];
    uint8_t len;
    uint8_t val;
} mw__imap_kw;

/* The value of the entry equal to w (case-insensitive), or 0; end bounds
 * the readable bytes after w. */
static inline unsigned mw__imap_sc_lookup(mw_span w, const char *end,
                                          const mw__imap_kw *t, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (t[i].len == w.len && mw__imap_sc_kweq(w.ptr, w.len, t[i].kw, end))
            return t[i].val;
    }
    return 0;
}
#define MW__SC_LOOKUP(w, tab) \
    mw__imap_sc_lookup((w), L->end, (tab), sizeof(tab) / sizeof((tab)[0]))

/* The keyword kw (upper case, zero padded to MW__SC_KWLEN, n bytes of
 * keyword characters) starts at p, letters in any case, and is followed
 * by a byte that is not a keyword character, or by e. Then p[0..n) is
 * the whole word mw__imap_sc_word() would read there, so this matches
 * exactly when "read the word, then compare it" does, without reading
 * the word first. Only letters are folded (bit 5 cleared where kw has a
 * letter: its bit 6), so no other byte can pass for a keyword byte. */
static inline int mw__imap_sc_kwexact(const char *p, const char *e,
                                      const char *lo, const char *kw,
                                      size_t n)
{
    size_t avail = (size_t)(e - p), i;
    if (avail < n ||
        (avail > n && mw__imap_sc_wordch[(unsigned char)p[n]]))
        return 0;
#ifdef MW__SC_SWAR
    if (e - lo >= 8) {
        for (i = 0; i < n; i += 8u) {
            uint64_t k = mw__imap_sc_load8(kw + i), w;
            uint64_t m = i + 8u <= n ? ~(uint64_t)0
                                     : ~(uint64_t)0 >> (8u * (i + 8u - n));
            if (avail - i >= 8u)
                w = mw__imap_sc_load8(p + i);
            else /* the last bytes of the frame: a load that ends at e */
                w = mw__imap_sc_load8(e - 8) >> (8u * (8u - (avail - i)));
            if (((w ^ k) & ~((k & 0x4040404040404040ull) >> 1) & m) != 0)
                return 0;
        }
        return 1;
    }
#else
    (void)lo;
#endif
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i], k = (unsigned char)kw[i];
        if (c != k && !((unsigned char)(k - 'A') < 26u && c == (k | 0x20u)))
            return 0;
    }
    return 1;
}

/* Byte i of the keyword literal s of length n (0 past its end), and the
 * eight bytes from offset o as a little-endian word: with a literal and
 * constant n these fold into constants. */
#define MW__SC_KB(s, n, i) \
    ((size_t)(i) < (size_t)(n) ? (uint64_t)(unsigned char)(s)[(i)] : 0u)
MW__SC_ALWAYS_INLINE uint64_t mw__imap_sc_k8(const char *s, size_t n,
                                             size_t o)
{
    return MW__SC_KB(s, n, o) | MW__SC_KB(s, n, o + 1u) << 8 |
           MW__SC_KB(s, n, o + 2u) << 16 | MW__SC_KB(s, n, o + 3u) << 24 |
           MW__SC_KB(s, n, o + 4u) << 32 | MW__SC_KB(s, n, o + 5u) << 40 |
           MW__SC_KB(s, n, o + 6u) << 48 | MW__SC_KB(s, n, o + 7u) << 56;
}

/* mw__imap_sc_kwexact() for a keyword given as a string literal kw of n
 * (1..24) characters: the word at p is kw. Called with
 * literals, it compiles to a byte test and one compare of eight bytes
 * against a constant per eight keyword bytes (the "perfect switch" of the
 * hot keyword positions: callers pick the candidates by first letter). */
MW__SC_ALWAYS_INLINE int mw__imap_sc_kwis(const char *p, const char *e,
                                          const char *lo, const char *kw,
                                          size_t n)
{
    size_t avail = (size_t)(e - p), i;
#ifdef MW__SC_SWAR
    /* the usual case: the keyword and the byte after it lie in the frame
     * and so do the eight-byte words that cover them */
    if (avail >= ((n + 8u) & ~(size_t)7u)) {
        if (mw__imap_sc_wordch[(unsigned char)p[n]])
            return 0;
        for (i = 0; i < n; i += 8u) {
            uint64_t k = mw__imap_sc_k8(kw, n, i);
            uint64_t m = i + 8u <= n ? ~(uint64_t)0
                                     : ~(uint64_t)0 >> (8u * (i + 8u - n));
            if (((mw__imap_sc_load8(p + i) ^ k) &
                 ~((k & 0x4040404040404040ull) >> 1) & m) != 0)
                return 0;
        }
        return 1;
    }
#endif
    (void)lo;
    if (avail < n || (avail > n && mw__imap_sc_wordch[(unsigned char)p[n]]))
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i], k = (unsigned char)kw[i];
        if (c != k && !((unsigned char)(k - 'A') < 26u && c == (k | 0x20u)))
            return 0;
    }
    return 1;
}
#define MW__SC_KWIS(p, e, lo, kw) \
    mw__imap_sc_kwis((p), (e), (lo), (kw), sizeof(kw) - 1u)

/* For the small "take one of these keywords" helpers: with p, e, lo
 * the word's place, r (0: none yet) and n, record kw when it is the word
 * at p. A fast path: the helpers use it under MW_ENABLE_FAST_PATHS only
 * (without, MW__SC_TOOK's table lookup gives the same answer). */
#define MW__SC_TRY(kw, v)                                                  \
    if (r == 0 && MW__SC_KWIS(p, e, lo, kw)) {                             \
        r = (v);                                                           \
        n = sizeof(kw) - 1u;                                               \
    }

/* Finish such a helper: the keyword found is consumed and *w names it;
 * none: the word there is read and looked up in the table t (the same
 * answer, for the error report). */
static inline unsigned mw__imap_sc_took(mw__imap_lex *L, mw_span *w,
                                        unsigned r, size_t n,
                                        const mw__imap_kw *t, size_t tn)
{
    if (r != 0) {
        w->ptr = L->p;
        w->len = n;
        L->p += n;
        return r;
    }
    *w = mw__imap_sc_word(L);
    return mw__imap_sc_lookup(*w, L->end, t, tn);
}
#define MW__SC_TOOK(w, tab) \
    mw__imap_sc_took(L, (w), r, n, (tab), sizeof(tab) / sizeof((tab)[0]))

/* The entry of t[0..n) whose keyword is the word at L->p, consumed; NULL
 * (nothing consumed) when there is none or after an error. */
static inline const mw__imap_kw *mw__imap_sc_take(mw__imap_lex *L,
                                                  const mw__imap_kw *t,
                                                  size_t n)
{
    size_t i;
    if (L->status != MW_OK || L->p >= L->end)
        return NULL;
    for (i = 0; i < n; i++) {
        if (mw__imap_sc_kwexact(L->p, L->end, L->base, t[i].kw, t[i].len)) {
            L->p += t[i].len;
            return &t[i];
        }
    }
    return NULL;
}

/* `*w = mw__imap_sc_word(L); return MW__SC_LOOKUP(*w, t);` with the same
 * result, the word read only when no keyword matches (to report it). */
static inline unsigned mw__imap_sc_keyword(mw__imap_lex *L, mw_span *w,
                                           const mw__imap_kw *t, size_t n)
{
#if MW_ENABLE_FAST_PATHS
    const mw__imap_kw *k = mw__imap_sc_take(L, t, n);
    if (k != NULL) {
        w->ptr = L->p - k->len;
        w->len = k->len;
        return k->val;
    }
#endif
    *w = mw__imap_sc_word(L);
    return mw__imap_sc_lookup(*w, L->end, t, n);
}
#define MW__SC_KEYWORD(w, tab) \
    mw__imap_sc_keyword(L, (w), (tab), sizeof(tab) / sizeof((tab)[0]))

/* Inline fast paths of the lexer's single-byte steps (grammar.h): the
 * lexer's function is called only to record the error. Without fast
 * paths (features.h) the out-of-line step alone, which does the whole
 * job (it consumes c when it is there). */
static inline int mw__imap_sc_sp(mw__imap_lex *L)
{
#if MW_ENABLE_FAST_PATHS
    if (L->status == MW_OK && L->p < L->end && *L->p == ' ') {
        L->p++;
        return MW_OK;
    }
#endif
    return mw__imap_lex_expect_fail(L, ' ');
}

static inline int mw__imap_sc_expect(mw__imap_lex *L, char c)
{
#if MW_ENABLE_FAST_PATHS
    if (L->status == MW_OK && L->p < L->end && *L->p == c) {
        L->p++;
        return MW_OK;
    }
#endif
    return mw__imap_lex_expect_fail(L, c);
}

static inline int mw__imap_sc_accept(mw__imap_lex *L, char c)
{
#if MW_ENABLE_FAST_PATHS
    if (L->status == MW_OK && L->p < L->end && *L->p == c) {
        L->p++;
        return 1;
    }
    return 0;
#else
    return mw__imap_lex_accept(L, c); /* the same test (grammar.h) */
#endif
}

/* The next byte is c (no error either way). */
static inline int mw__imap_sc_at(const mw__imap_lex *L, char c)
{
    return L->status == MW_OK && L->p < L->end && *L->p == c;
}

/* Numbers with the lexer's results (grammar.h mw__imap_lex_number64,
 * mw__imap_lex_nz_number): the common short forms here, everything else
 * (no digit, a leading zero where it is refused, possible overflow) by
 * the lexer, which gives the error. Up to 18 digits cannot exceed
 * 2^63 - 1, up to 9 cannot exceed 2^32 - 1. Without fast paths
 * (features.h) the lexer alone. */
static inline int mw__imap_sc_number64(mw__imap_lex *L, uint64_t *out)
{
#if MW_ENABLE_FAST_PATHS
    const char *s = L->p;
    if (L->status == MW_OK && s < L->end && (unsigned char)(*s - '0') <= 9u) {
        const char *q = mw__imap_sc_digits_end(s + 1, L->end);
        if (q - s <= 18) {
            uint64_t v = 0;
            for (; s < q; s++)
                v = v * 10u + (uint64_t)(unsigned char)(*s - '0');
            L->p = q;
            *out = v;
            return MW_OK;
        }
    }
#endif
    return mw__imap_lex_number64(L, out);
}

static inline int mw__imap_sc_nz_number(mw__imap_lex *L, uint32_t *out)
{
#if MW_ENABLE_FAST_PATHS
    const char *s = L->p;
    if (L->status == MW_OK && s < L->end &&
        (unsigned char)(*s - '1') <= 8u) {
        const char *q = mw__imap_sc_digits_end(s + 1, L->end);
        if (q - s <= 9) {
            uint32_t v = 0;
            for (; s < q; s++)
                v = v * 10u + (uint32_t)(unsigned char)(*s - '0');
            L->p = q;
            *out = v;
            return MW_OK;
        }
    }
#endif
    return mw__imap_lex_nz_number(L, out);
}

/* mw__imap_lex_end() (grammar.h) with its usual case inline: at the end
 * of the frame, no error. */
static inline int mw__imap_sc_end(mw__imap_lex *L)
{
#if MW_ENABLE_FAST_PATHS
    if (L->status == MW_OK && L->p == L->end)
        return MW_OK;
#endif
    return mw__imap_lex_end(L);
}

/* astring / string / nstring that refuse literal8 (RFC 9051 §9: only
 * APPEND data and RFC 5464 values may be literal8) and record the literal
 * flags in the command. */
int mw__imap_sc_astring_slow(mw__imap_cmdp *P, mw_span *out);
int mw__imap_sc_string(mw__imap_cmdp *P, mw_span *out);
int mw__imap_sc_nstring(mw__imap_cmdp *P, mw_span *out);

/* astring: the common case (an atom of ASTRING-CHARs) inline, quoted
 * strings, literals and "~" in mw__imap_sc_astring_slow(), which alone
 * does it all without fast paths (features.h). */
static inline int mw__imap_sc_astring(mw__imap_cmdp *P, mw_span *out)
{
#if MW_ENABLE_FAST_PATHS
    mw__imap_lex *L = &P->L;
    if (L->status == MW_OK && L->p < L->end && *L->p != '~' &&
        (mw__imap_cclass[(unsigned char)*L->p] & MW__IMAP_C_ASTRING)) {
        const unsigned char *q = (const unsigned char *)L->p + 1;
        const unsigned char *e = (const unsigned char *)L->end;
        if (!(L->flags & MW__IMAP_LEX_8BIT)) {
            q = (const unsigned char *)mw__imap_sc_scan(
                (const char *)q, (const char *)e, L->base, MW__SC_ASTR);
        } else {
            while (q < e && (mw__imap_cclass[*q] &
                             (MW__IMAP_C_ASTRING | MW__IMAP_C_8BIT)))
                q++;
        }
        out->ptr = L->p;
        out->len = (size_t)((const char *)q - L->p);
        L->p = (const char *)q;
        return MW_OK;
    }
    if (L->status == MW_OK && L->p < L->end && *L->p == '"')
        return mw__imap_lex_quoted(L, out); /* what the slow path does */
#endif
    return mw__imap_sc_astring_slow(P, out);
}

/* A mailbox (RFC 9051 §9 `mailbox`) with its flags (MW_IMAP_MBOX_*);
 * list=1 parses a `list-mailbox` pattern instead. */
int mw__imap_sc_mailbox(mw__imap_cmdp *P, mw_imap_mailbox *mb, int list);

/* Zero size bytes (a multiple of 8, a constant where it is used) with
 * plain stores: memset of a fixed 100-odd bytes becomes "rep stos" on
 * x86-64, which starts slowly for a few bytes per node. */
MW__SC_ALWAYS_INLINE void mw__imap_sc_zero(void *p, size_t size)
{
    unsigned char *d = (unsigned char *)p;
#ifdef MW__SC_SSE2
    /* written out (a loop is turned back into memset by the compiler):
     * with a constant size only the stores needed remain */
#define MW__SC_Z16(o)                                                      \
    if ((o) + 16u <= size)                                                 \
        _mm_storeu_si128((__m128i *)(void *)(d + (o)), _mm_setzero_si128());
    if (size <= 256u) {
        MW__SC_Z16(0) MW__SC_Z16(16) MW__SC_Z16(32) MW__SC_Z16(48)
        MW__SC_Z16(64) MW__SC_Z16(80) MW__SC_Z16(96) MW__SC_Z16(112)
        MW__SC_Z16(128) MW__SC_Z16(144) MW__SC_Z16(160) MW__SC_Z16(176)
        MW__SC_Z16(192) MW__SC_Z16(208) MW__SC_Z16(224) MW__SC_Z16(240)
        if (size & 8u) {
            uint64_t z = 0;
            memcpy(d + (size & ~(size_t)15u), &z, 8);
        }
        if (size & 7u)
            memset(d + (size & ~(size_t)7u), 0, size & 7u);
        return;
    }
#undef MW__SC_Z16
#endif
    memset(d, 0, size);
}

/* The arena's front allocation (grammar.h mw__imap_arena_alloc: 8-byte
 * aligned, zeroed, NULL when full) inline, so that the zeroing of a
 * fixed-size node compiles to a few stores. */
static inline void *mw__imap_sc_alloc(mw__imap_arena *a, size_t size)
{
#if MW_ENABLE_FAST_PATHS
    size_t start;
    unsigned char *p;
    if (a == NULL || a->base == NULL)
        return NULL;
    start = (a->lo + 7u) & ~(size_t)7u;
    if (start > a->cap - a->hi || size > a->cap - a->hi - start)
        return NULL;
    p = a->base + start;
    mw__imap_sc_zero(p, size);
    a->lo = start + size;
    return p;
#else
    /* the arena's own function (features.h: no fast paths) */
    return a != NULL ? mw__imap_arena_alloc(a, size) : NULL;
#endif
}

/* Append one element of `size` bytes (zeroed) to an array that lives in
 * the arena: first_ptr is the array (NULL while count is 0). The
 * elements of one array are allocated one after another with nothing in
 * between, so they are contiguous (sizes are multiples of 8: checked at
 * compile time in server_cmd.c, and here at run time). NULL with
 * MW_E_NOSPACE (or MW_E_INTERNAL) recorded on failure. */
static inline void *mw__imap_sc_push_(mw__imap_cmdp *P, const void *first_ptr,
                                      uint32_t count, size_t size,
                                      const char *what)
{
    unsigned char *e;
    if (P->L.status != MW_OK)
        return NULL;
    if (count == UINT32_MAX) {
        (void)mw__imap_lex_fail(&P->L, MW_E_LIMIT, "list too long");
        return NULL;
    }
    e = (unsigned char *)mw__imap_sc_alloc(P->a, size);
    if (e == NULL) {
        (void)mw__imap_lex_fail(&P->L, MW_E_NOSPACE, what);
        return NULL;
    }
    if (count > 0 && e != (const unsigned char *)first_ptr + (size_t)count * size) {
        (void)mw__imap_lex_fail(&P->L, MW_E_INTERNAL,
                                "arena list not contiguous");
        return NULL;
    }
    return e;
}
#define mw__imap_sc_push(P, first_ptr, count, size, what)                    \
    mw__imap_sc_push_((P), (first_ptr), (count), (size), MW__TEXT(what))

/* A sequence set, or "$" when dollar_ok (RFC 5182). */
int mw__imap_sc_seqset(mw__imap_cmdp *P, mw_imap_seqset *set,
                       int dollar_ok);

/* mod-sequence-valzer (zero allowed) or mod-sequence-value (nz), 63-bit
 * (RFC 7162 §7). */
int mw__imap_sc_modseq(mw__imap_cmdp *P, uint64_t *out, int nonzero);

/* Flags without parentheses: flag *(SP flag) up to the end of the frame
 * (STORE, RFC 9051 §9 store-att-flags). */
int mw__imap_sc_flag_run(mw__imap_cmdp *P, mw_imap_flags *out);

/* The MW_IMAP_FLAG_* bit of a system flag p[0..n) written with its
 * backslash ("\\Seen", any case), 0 for anything else (RFC 9051
 * §2.3.2). */
unsigned mw__imap_sc_system_flag(const char *p, size_t n);

/* flag-list "(" [flag *(SP flag)] ")" (RFC 9051 §9), with the result of
 * grammar.h mw__imap_lex_flag_list(L, 0, out) (server_cmd.c). */
int mw__imap_sc_flag_list(mw__imap_lex *L, mw_imap_flags *out);

/* STATUS attribute list "(" status-att *(SP status-att) ")" into bits. */
int mw__imap_sc_status_atts(mw__imap_cmdp *P, unsigned *items,
                            uint32_t *count);

/* ---- the command families (one file each) ----------------------------- */

/* server_cmd_fetch.c */
int mw__imap_sc_fetch(mw__imap_cmdp *P);
int mw__imap_sc_store(mw__imap_cmdp *P);

/* server_cmd_search.c: SEARCH, SORT, THREAD (cmd->id says which). */
int mw__imap_sc_search(mw__imap_cmdp *P);

/* server_cmd_mbox.c */
int mw__imap_sc_select(mw__imap_cmdp *P);
int mw__imap_sc_list(mw__imap_cmdp *P);
int mw__imap_sc_lsub(mw__imap_cmdp *P);
int mw__imap_sc_status(mw__imap_cmdp *P);
int mw__imap_sc_enable(mw__imap_cmdp *P);
int mw__imap_sc_id(mw__imap_cmdp *P);
int mw__imap_sc_create(mw__imap_cmdp *P);
int mw__imap_sc_setquota(mw__imap_cmdp *P);
int mw__imap_sc_getmetadata(mw__imap_cmdp *P);
int mw__imap_sc_setmetadata(mw__imap_cmdp *P);

#endif
