/* SPDX-License-Identifier: MIT */
/*
 * The IMAP client's response parser (lib/imap/client_resp*.c): turns the
 * frames the framer cut (frame.h) into the events of
 * mailwire/imap_response.h. Internal: never installed.
 *
 * The client machine (client.c) pulls framer events and hands each one to
 * the functions of the first part of this header. The second part is
 * shared between the parser's own files:
 *
 *   client_resp.c         entry points, dispatch of a frame, SEARCH/SORT
 *                         and ESEARCH streaming (FULL release)
 *   client_resp_status.c  status responses, response codes, continuations
 *   client_resp_data.c    untagged data (CAPABILITY ... THREAD, OTHER)
 *   client_resp_fetch.c   FETCH items, body sections, literal decisions
 *   client_resp_body.c    ENVELOPE and BODY/BODYSTRUCTURE (no recursion)
 *
 * A frame is parsed only when it is complete (LINE), except where the
 * framer makes us decide earlier: a literal announcement (LITERAL: is this
 * a body section to stream?) and a frame at the text limit (FULL: can the
 * numbers parsed so far be released?). No state other than
 * mw__imap_rstate survives between two events.
 */
#ifndef MW_IMAP_CLIENT_RESP_H
#define MW_IMAP_CLIENT_RESP_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "imap/grammar.h"
#include "imap/frame.h"
#include "mailwire/imap.h"
#include "mailwire/imap_response.h"
#include "mailwire/imap_client.h"

#if (defined(__SSE2__) || defined(_M_X64)) && !defined(MW_NO_SIMD)
#include <emmintrin.h>
#endif

/* ==== interface for the client machine (client.c) ===================== */

/* Every function returns 0, MW_PAUSED (a callback asked to pause: the
 * machine returns from feed after this event) or a negative status (a
 * callback aborted: MW_E_CALLBACK, or a fatal status the machine returned
 * from mw__imap_client_status/continue; the session is dead).
 * Recoverable errors in responses never come back as a status: they are
 * reported through the error callback and the frame is skipped. */

/* Text of a segment: final=1 for a LINE event (the frame is complete),
 * 0 is not used (the text before a streamed literal is handled by
 * mw__imap_resp_literal). `offset` is the stream offset of p[0]. */
int mw__imap_resp_line(mw_imap_client *c, const char *p, size_t n,
                       size_t offset, int final);

/* A LITERAL event: p[0..n) is the segment text up to and including the
 * "}" of the announcement, `size` and `lit_flags` (MW__IMAP_LIT_*) as the
 * framer reported. Returns the MW__IMAP_TAKE_* answer for
 * mw__imap_framer_take(), or a negative status (abort).
 * - STREAM: a body section of a FETCH; the items before it and body_begin
 *   have been delivered; DATA events go to mw__imap_resp_data, then
 *   LITERAL_END to mw__imap_resp_literal_end.
 * - INLINE: the bytes belong in the frame text (parsed at LINE).
 * - DISCARD: the frame is dropped; pass c->resp.take_status and
 *   c->resp.take_reason to mw__imap_framer_take(). The SKIPPED event at
 *   its end goes to mw__imap_resp_skipped as usual.
 * Callbacks made on the way may have paused: see mw__imap_resp_status(). */
int mw__imap_resp_literal(mw_imap_client *c, const char *p, size_t n,
                          size_t offset, uint64_t size, unsigned lit_flags);

/* DATA of a streamed literal (body_data), and its end (body_end). */
int mw__imap_resp_data(mw_imap_client *c, const char *p, size_t n);
int mw__imap_resp_literal_end(mw_imap_client *c);

/* A FULL event: p[0..n) is the segment text at the frame limit. Returns
 * how many leading bytes were consumed (SEARCH/SORT numbers, an ESEARCH
 * ALL set delivered) and may be released; 0 drops the frame (the SKIPPED
 * event follows). Callbacks made: see mw__imap_resp_status(). */
size_t mw__imap_resp_full(mw_imap_client *c, const char *p, size_t n,
                          size_t offset);

/* MW_OK, MW_PAUSED or the negative status of the callbacks made by the
 * last mw__imap_resp_literal() / mw__imap_resp_full() call. */
int mw__imap_resp_status(const mw_imap_client *c);

/* A SKIPPED event (the framer dropped the frame): reported through the
 * error callback unless the parser already reported why it asked for the
 * drop. Resets the frame state. */
int mw__imap_resp_skipped_(mw_imap_client *c, int status, size_t offset,
                           const char *reason);
#define mw__imap_resp_skipped(c, status, offset, reason)                     \
    mw__imap_resp_skipped_((c), (status), (offset), MW__TEXT(reason))

/* Forget any frame in progress (init, STARTTLS, COMPRESS). */
void mw__imap_resp_reset(mw_imap_client *c);

/* ==== shared between the parser's files =============================== */

/* rstate.mode: what the next segment of the frame continues. */
enum {
    MW__IMAP_RS_NONE = 0,    /* a new frame starts */
    MW__IMAP_RS_FETCH = 1,   /* inside a FETCH item list, after a streamed
                                body section */
    MW__IMAP_RS_BODY = 2,    /* streaming a body section's literal */
    MW__IMAP_RS_SEARCH = 3,  /* a SEARCH/SORT released at FULL */
    MW__IMAP_RS_ESEARCH = 4, /* an ESEARCH ALL set released at FULL */
    MW__IMAP_RS_SKIP = 5     /* the frame is being dropped (reported) */
};

/* One parse: the lexer over the segment text and the callback status. */
typedef struct mw__imap_rp {
    mw_imap_client *c;
    mw__imap_lex L;
    size_t start;    /* stream offset of the response (frame) start */
    int pause;       /* a callback returned MW_PAUSED */
    int abort;       /* a callback failed: MW_E_CALLBACK or the machine's status */
} mw__imap_rp;

/* Fold an application callback's result into rp: negative aborts
 * (MW_E_CALLBACK, returned), MW_PAUSED is remembered, anything else is 0. */
static inline int mw__imap_rp_cb(mw__imap_rp *rp, int r)
{
    if (r < 0) {
        if (rp->abort == 0)
            rp->abort = MW_E_CALLBACK;
        return rp->abort;
    }
    if (r == MW_PAUSED)
        rp->pause = 1;
    return 0;
}

/* The same for the machine's mw__imap_client_status/continue, whose
 * negative result is the session's fatal status, kept as it is. */
static inline int mw__imap_rp_mach(mw__imap_rp *rp, int r)
{
    if (r < 0) {
        if (rp->abort == 0)
            rp->abort = r;
        return rp->abort;
    }
    if (r == MW_PAUSED)
        rp->pause = 1;
    return 0;
}

/* Report a recoverable error through the error callback (and c->err). */
int mw__imap_rp_error_(mw__imap_rp *rp, int status, size_t offset,
                       const char *reason);
#define mw__imap_rp_error(rp, status, offset, reason)                        \
    mw__imap_rp_error_((rp), (status), (offset), MW__TEXT(reason))

/* Lexer shortcuts: fail helpers returning the sticky status. */
#define MW__RP_OK(rp) ((rp)->L.status == MW_OK && (rp)->abort == 0)

#if MW_ENABLE_FAST_PATHS
/* Fast paths of the hot tokens. The common case (a quoted string without
 * escapes or 8-bit bytes, NIL, a short number) is decided here with the
 * class table (and SSE2 on x86, sixteen bytes a step); anything else falls
 * back to the lexer of grammar.h, which produces the errors. The fast
 * paths accept exactly what the lexer accepts, with the same result. */

/* The first byte of q[0..e) that is not printable ASCII other than '"'
 * and '\\' (0x20..0x7E): where a quoted string ends or needs a closer
 * look. */
static inline const unsigned char *mw__imap_rp_plain_end(
    const unsigned char *q, const unsigned char *e)
{
#if (defined(__SSE2__) || defined(_M_X64)) && !defined(MW_NO_SIMD)
    const __m128i dq = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
    const __m128i sp = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7F);
    while (e - q >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
        /* signed compare: 0x00..0x1F and 0x80..0xFF are below 0x20 */
        __m128i bad = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, dq), _mm_cmpeq_epi8(v, bs)),
            _mm_or_si128(_mm_cmplt_epi8(v, sp), _mm_cmpeq_epi8(v, del)));
        unsigned m = (unsigned)_mm_movemask_epi8(bad);
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
#endif
    while (q < e && (unsigned char)(*q - 0x20u) < 0x5Fu && *q != '"' &&
           *q != '\\')
        q++;
    return q;
}

/* A quoted string with backslash escapes: s is after the opening quote,
 * q at the first backslash. The content is unescaped into the arena (from
 * the back, grammar.h) in runs; anything unusual goes to the lexer. */
static inline int mw__imap_rp_quoted_esc(mw__imap_lex *L, mw_span *out,
                                         const unsigned char *s,
                                         const unsigned char *q)
{
    const unsigned char *e = (const unsigned char *)L->end, *r;
    size_t esc = 0, n, k = 0;
    char *dst;
    /* find the closing quote: only \" and \\ may be escaped */
    for (;;) {
        if (q + 1 >= e || (q[1] != '"' && q[1] != '\\'))
            return mw__imap_lex_quoted(L, out);
        esc++;
        q = mw__imap_rp_plain_end(q + 2, e);
        if (q >= e || *q != '\\')
            break;
    }
    if (q >= e || *q != '"')
        return mw__imap_lex_quoted(L, out);
    n = (size_t)(q - s) - esc;
    if (L->arena == NULL ||
        (dst = mw__imap_arena_bytes(L->arena, n == 0 ? 1 : n)) == NULL)
        return mw__imap_lex_fail(L, MW_E_NOSPACE, "arena full (quoted string)");
    for (r = s; r < q;) {
        const unsigned char *b = r;
        while (r < q && *r != '\\')
            r++;
        memcpy(dst + k, b, (size_t)(r - b));
        k += (size_t)(r - b);
        if (r < q) {
            dst[k++] = (char)r[1];
            r += 2;
        }
    }
    out->ptr = dst;
    out->len = n;
    L->p = (const char *)q + 1;
    return MW_OK;
}

static inline int mw__imap_rp_nstring(mw__imap_lex *L, mw_span *out)
{
    const unsigned char *q, *e;
    if (L->status != MW_OK)
        return L->status;
    q = (const unsigned char *)L->p;
    e = (const unsigned char *)L->end;
    if (q < e && *q == '"') {
        const unsigned char *s = ++q;
        q = mw__imap_rp_plain_end(q, e);
        if (q < e && *q == '"') {
            out->ptr = (const char *)s;
            out->len = (size_t)(q - s);
            L->p = (const char *)q + 1;
            return MW_OK;
        }
        if (q < e && *q == '\\')
            return mw__imap_rp_quoted_esc(L, out, s, q);
        return mw__imap_lex_quoted(L, out);
    }
    if (e - q >= 3 && (q[0] | 0x20) == 'n' && (q[1] | 0x20) == 'i' &&
        (q[2] | 0x20) == 'l' &&
        (e - q == 3 || !(mw__imap_cclass[q[3]] & MW__IMAP_C_ATOM))) {
        out->ptr = NULL;
        out->len = 0;
        L->p += 3;
        return MW_OK;
    }
    return mw__imap_lex_nstring(L, out);
}

static inline int mw__imap_rp_string(mw__imap_lex *L, mw_span *out)
{
    if (L->status == MW_OK && L->p < L->end && *L->p == '"') {
        int r = mw__imap_rp_nstring(L, out);
        return r;
    }
    return mw__imap_lex_string(L, out);
}

/* number (32-bit) with at most 9 digits decided inline. */
static inline int mw__imap_rp_number(mw__imap_lex *L, uint32_t *out)
{
    const char *q = L->p;
    uint32_t v = 0;
    int k = 0;
    if (L->status != MW_OK)
        return L->status;
    while (q < L->end && (unsigned char)(*q - '0') <= 9u && k < 9) {
        v = v * 10u + (uint32_t)(*q - '0');
        q++;
        k++;
    }
    if (k == 0 || k == 9)
        return mw__imap_lex_number(L, out);
    if (q < L->end && (unsigned char)(*q - '0') <= 9u)
        return mw__imap_lex_number(L, out);
    *out = v;
    L->p = q;
    return MW_OK;
}

/* number64 (< 2^63): up to 18 digits inline, longer ones (and the
 * errors) by the lexer. */
static inline int mw__imap_rp_number64(mw__imap_lex *L, uint64_t *out)
{
    const char *q = L->p;
    uint64_t v = 0;
    int k = 0;
    if (L->status != MW_OK)
        return L->status;
    while (q < L->end && (unsigned char)(*q - '0') <= 9u && k < 18) {
        v = v * 10u + (uint64_t)(*q - '0');
        q++;
        k++;
    }
    if (k == 0 || k == 18)
        return mw__imap_lex_number64(L, out);
    *out = v;
    L->p = q;
    return MW_OK;
}

#else /* !MW_ENABLE_FAST_PATHS */
/* Without the fast paths the lexer of grammar.h reads every token: the
 * same results and errors, less code. */
static inline int mw__imap_rp_nstring(mw__imap_lex *L, mw_span *out)
{
    return mw__imap_lex_nstring(L, out);
}

static inline int mw__imap_rp_string(mw__imap_lex *L, mw_span *out)
{
    return mw__imap_lex_string(L, out);
}

static inline int mw__imap_rp_number(mw__imap_lex *L, uint32_t *out)
{
    return mw__imap_lex_number(L, out);
}

static inline int mw__imap_rp_number64(mw__imap_lex *L, uint64_t *out)
{
    return mw__imap_lex_number64(L, out);
}
#endif /* MW_ENABLE_FAST_PATHS */

/* p[0..kn) against an ASCII keyword of kn bytes: letters compared
 * without case, every other byte exactly. */
static inline int mw__imap_rp_kw_fold(const char *p, const char *kw,
                                      size_t kn)
{
    size_t i;
    for (i = 0; i < kn; i++) {
        unsigned char c = (unsigned char)kw[i], x = (unsigned char)p[i];
        unsigned char lc = (unsigned char)(c | 0x20u);
        if (lc >= 'a' && lc <= 'z' ? (x | 0x20u) != lc : x != c)
            return 0;
    }
    return 1;
}

/* Case-insensitive comparison of p[0..n) with an ASCII keyword (as
 * mw__imap_rp_kw_fold()); memcmp first, as servers send the keywords'
 * canonical case. */
#if MW_ENABLE_FAST_PATHS
static inline int mw__imap_rp_kw(const char *p, size_t n, const char *kw,
                                 size_t kn)
{
    if (n != kn)
        return 0;
    if (memcmp(p, kw, kn) == 0)
        return 1; /* the canonical case, as servers send it */
    return mw__imap_rp_kw_fold(p, kw, kn);
}

/* mw__imap_arena_alloc() inline: `size` bytes from the front, aligned for
 * any structure of the library and zeroed; NULL when full (grammar.h). */
static inline void *mw__imap_rp_alloc(mw__imap_arena *a, size_t size)
{
    size_t start = (a->lo + 7u) & ~(size_t)7u;
    void *p;
    if (a->base == NULL || start > a->cap - a->hi ||
        size > a->cap - a->hi - start)
        return NULL;
    p = a->base + start;
    memset(p, 0, size);
    a->lo = start + size;
    return p;
}
#else
/* One copy, without the memcmp shortcut (client_resp.c). */
int mw__imap_rp_kw(const char *p, size_t n, const char *kw, size_t kn);

static inline void *mw__imap_rp_alloc(mw__imap_arena *a, size_t size)
{
    return mw__imap_arena_alloc(a, size);
}
#endif

/* SP and one expected byte. */
#if MW_ENABLE_FAST_PATHS
static inline int mw__imap_rp_sp(mw__imap_lex *L)
{
    if (L->status == MW_OK && L->p < L->end && *L->p == ' ') {
        L->p++;
        return MW_OK;
    }
    return mw__imap_lex_sp(L);
}

static inline int mw__imap_rp_expect(mw__imap_lex *L, char ch)
{
    if (L->status == MW_OK && L->p < L->end && *L->p == ch) {
        L->p++;
        return MW_OK;
    }
    return mw__imap_lex_expect(L, ch);
}
#else
/* grammar.h's readers, which test the byte out of line */
static inline int mw__imap_rp_sp(mw__imap_lex *L)
{
    return mw__imap_lex_sp(L);
}

static inline int mw__imap_rp_expect(mw__imap_lex *L, char ch)
{
    return mw__imap_lex_expect(L, ch);
}
#endif

/* client_resp_status.c: after the tag and SP (tagged) or "* " (untagged):
 * OK/NO/BAD/BYE/PREAUTH resp-text. `word` is the condition already read. */
int mw__imap_rp_status(mw__imap_rp *rp, mw_span tag, int result);
/* resp-text at L (optional "[code]" then text) into st. */
int mw__imap_rp_resp_text(mw__imap_rp *rp, mw_imap_status *st);
/* "+" continuation request, L after "+". */
int mw__imap_rp_continue(mw__imap_rp *rp);
/* Map a condition word to mw_imap_result, -1 when not one. */
int mw__imap_rp_cond(mw_span word);

/* client_resp_data.c: deliver a data event (end of frame checked). */
int mw__imap_rp_deliver(mw__imap_rp *rp, mw_imap_data *d);
/* ESEARCH after its name (items_only: after a streamed ALL set, only
 * return data). With at_all, stops right after "ALL SP" (*at_all = 1) so
 * that the caller streams the set. */
int mw__imap_rp_esearch(mw__imap_rp *rp, mw_imap_esearch *es, int items_only,
                        int *at_all);

/* client_resp_data.c: untagged data with a name (L after "name"), or
 * with a number first (`* n NAME`: num set, has_num 1). */
int mw__imap_rp_data(mw__imap_rp *rp, mw_span name, uint32_t num,
                     int has_num);

/* client_resp_fetch.c: the FETCH item list, L right after "FETCH".
 * final=1: the frame is complete. */
int mw__imap_rp_fetch(mw__imap_rp *rp, uint32_t msg);
/* The continuation of a FETCH after a streamed body section. */
int mw__imap_rp_fetch_cont(mw__imap_rp *rp);
/* LITERAL event inside a FETCH: decide and, for STREAM, deliver. */
int mw__imap_rp_fetch_literal(mw__imap_rp *rp, int first, size_t lit_pos,
                              uint64_t size, unsigned lit_flags);

/* client_resp_body.c: ENVELOPE and BODY/BODYSTRUCTURE into the arena.
 * `extensible`: BODYSTRUCTURE (extension data allowed) or BODY. */
int mw__imap_rp_envelope(mw__imap_rp *rp, mw_imap_envelope **out);
int mw__imap_rp_body(mw__imap_rp *rp, int extensible, mw_imap_body **out);

/* A list of astrings or flag-like atoms ("\\Inbox") into the arena. */
int mw__imap_rp_astring_list(mw__imap_rp *rp, const mw_span **items,
                             uint32_t *count);

#endif
