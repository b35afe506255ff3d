/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the libFuzzer targets in this folder (included, not
 * built on its own: tests/fuzz/CMakeLists.txt builds only fuzz_*.c).
 *
 *  - CHECK(): a property that must hold; prints which one broke and
 *    aborts, so libFuzzer keeps the input as a crash.
 *  - blog: a growable byte log of events. Two runs over the same input
 *    must write identical logs; log_must_eq() says where they first
 *    differ.
 *  - Chunking: a stream is fed whole, in pseudo-random chunks or byte by
 *    byte (FZ_WHOLE, FZ_CHUNKS, FZ_BYTES), every chunk from its own
 *    exact-size heap copy that is freed as soon as its feed returns, so
 *    ASan catches a read past a chunk's end and a span or a pointer kept
 *    into an old chunk. fz_each_mode() runs a target in every mode and
 *    compares the logs with the whole run's.
 *  - Spans: where a span lies, whether two are the same memory; and (only
 *    where FZ_CHARSET_HOOK is defined before the include) the test
 *    charset hook of the decode and MIME targets.
 *  - Scripts (only where FZ_SCRIPT is defined before the include, for the
 *    round-trip targets): the input read field by field, a growable
 *    NUL-terminated text buffer, checks of CRLF lines and the CRLF
 *    normalisation of a body.
 */
#ifndef MW_FUZZ_UTIL_H
#define MW_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/core.h"
#include "textbuf.h" /* tests/common */

/* The entry point of a target whose module is not in this build: it
 * takes every input and does nothing. */
#define MW_FUZZ_NOTHING_TO_FUZZ                                              \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);            \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)             \
    {                                                                        \
        (void)data;                                                          \
        (void)size;                                                          \
        return 0;                                                            \
    }

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
            abort();                                                         \
        }                                                                    \
    } while (0)

/* ---- event logs ---- */

typedef struct blog {
    unsigned char *p;
    size_t n, cap;
    /* For targets that join data runs so that chunking does not show:
     * where the open run's record is (0: none). log_num() closes it. */
    size_t open;
} blog;

static inline void log_put(blog *b, const void *p, size_t n)
{
    if (n == 0)
        return;
    if (b->cap - b->n < n) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->n < n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        CHECK(b->p != NULL);
        b->cap = cap;
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static inline void log_num(blog *b, uint64_t v)
{
    b->open = 0;
    log_put(b, &v, sizeof v);
}

/* A length, then the bytes. */
static inline void log_text(blog *b, const void *p, size_t n)
{
    log_num(b, n);
    log_put(b, p, n);
}

static inline int log_same(const blog *a, const blog *b)
{
    return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
}

static inline void log_must_eq(const blog *a, const blog *b, const char *what)
{
    size_t i = 0;
    if (log_same(a, b))
        return;
    while (i < a->n && i < b->n && a->p[i] == b->p[i])
        i++;
    fprintf(stderr, "logs differ (%s): %zu vs %zu bytes, first difference "
            "at byte %zu\n", what, a->n, b->n, i);
    abort();
}

static inline void log_free(blog *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---- chunking ---- */

enum { FZ_WHOLE = 0, FZ_CHUNKS = 1, FZ_BYTES = 2 };

/* xorshift32; a zero state (which would stay zero) starts elsewhere. */
static inline uint32_t fz_xorshift(uint32_t *s)
{
    uint32_t x = *s ? *s : 0x9e3779b9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

/* The classic C library LCG (the high bits are the useful ones). */
static inline uint32_t fz_lcg(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s;
}

/* An exact-size heap block (one byte for n == 0). */
static inline void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    CHECK(p != NULL);
    return p;
}

/* An exact-size heap copy of p[0, n). */
static inline char *fz_dup(const void *p, size_t n)
{
    char *c = xmalloc(n);
    if (n)
        memcpy(c, p, n);
    return c;
}

/* A stream cut into chunks:
 *
 *     fz_chunks ck;
 *     fz_chunks_start(&ck, s, n, mode, seed, span);
 *     while (fz_chunks_next(&ck))
 *         ... feed ck.p[0, ck.n), the stream's bytes at ck.pos ...
 *     fz_chunks_stop(&ck);
 *
 * FZ_CHUNKS chunks are 1 + fz_xorshift() % span bytes (the last one cut
 * short). A caller that consumed only part of a chunk sets ck.used: the
 * next chunk starts there. Leaving the loop early is fine: stop() frees
 * the chunk in hand. */
typedef struct fz_chunks {
    const char *src;
    size_t len;
    int mode;
    uint32_t seed; /* the generator's state, readable after the loop */
    size_t span;
    size_t pos;  /* the current chunk's offset in the stream */
    char *p;     /* the current chunk: an exact-size heap copy */
    size_t n;    /* its length */
    size_t used; /* how far next() moves on: n unless the caller says less */
} fz_chunks;

static inline void fz_chunks_start(fz_chunks *c, const void *src, size_t len,
                                   int mode, uint32_t seed, size_t span)
{
    memset(c, 0, sizeof *c);
    c->src = src;
    c->len = len;
    c->mode = mode;
    c->seed = seed;
    c->span = span ? span : 1;
}

static inline void fz_chunks_stop(fz_chunks *c)
{
    free(c->p);
    c->p = NULL;
    c->n = 0;
}

static inline int fz_chunks_next(fz_chunks *c)
{
    size_t left, k;
    c->pos += c->used;
    fz_chunks_stop(c);
    c->used = 0;
    if (c->pos >= c->len)
        return 0;
    left = c->len - c->pos;
    k = c->mode == FZ_WHOLE  ? left
        : c->mode == FZ_BYTES ? 1
                              : 1 + fz_xorshift(&c->seed) % c->span;
    c->n = k < left ? k : left;
    c->used = c->n;
    c->p = fz_dup(c->src + c->pos, c->n);
    return 1;
}

/* Runs run(user, mode, &log) whole, in chunks and, for streams of at most
 * bytes_max bytes, byte by byte; the chunked and byte logs must equal the
 * whole one, which is returned (log_free() it). */
typedef void (*fz_run_fn)(void *user, int mode, blog *log);

static inline blog fz_each_mode(fz_run_fn run, void *user, size_t len,
                                size_t bytes_max)
{
    static const char *const what[3] = {"", "whole vs chunks",
                                        "whole vs bytes"};
    blog whole, other;
    int mode;

    memset(&whole, 0, sizeof whole);
    run(user, FZ_WHOLE, &whole);
    for (mode = FZ_CHUNKS; mode <= FZ_BYTES; mode++) {
        if (mode == FZ_BYTES && len > bytes_max)
            break;
        memset(&other, 0, sizeof other);
        run(user, mode, &other);
        log_must_eq(&whole, &other, what[mode]);
        log_free(&other);
    }
    return whole;
}

/* ---- spans ---- */

static inline int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A span that is not empty lies in v[0, len). */
static inline void check_span(mw_span s, const char *v, size_t len)
{
    if (s.len == 0)
        return;
    CHECK(s.ptr != NULL);
    CHECK(s.ptr >= v && s.len <= len && (size_t)(s.ptr - v) <= len - s.len);
}

static inline int span_in(mw_span inner, mw_span outer)
{
    return inner.len == 0 ||
           (inner.ptr >= outer.ptr && inner.len <= outer.len &&
            (size_t)(inner.ptr - outer.ptr) <= outer.len - inner.len);
}

/* The same bytes in memory (not only equal ones). */
static inline int span_same(mw_span a, mw_span b)
{
    return a.len == b.len && (a.len == 0 || a.ptr == b.ptr);
}

#ifdef FZ_CHARSET_HOOK
/* ---- the test charset hook (FZ_CHARSET_HOOK: the decode and MIME
 * targets) ----
 * Named charsets make it behave in each documented way:
 *   x-cyr      bytes >= 0x80 become U+0400 + (b - 0x80), 2 bytes each
 *   x-fail     MW_E_CHARSET       x-bad    "success" with invalid UTF-8
 *   x-fatal    a fatal status     x-pos    a positive status
 *   x-nospace  MW_E_NOSPACE       other    MW_E_CHARSET (unknown) */

typedef struct hook_state {
    unsigned magic;
    size_t calls;
} hook_state;

static inline int name_is(mw_span cs, const char *name)
{
    size_t i, n = strlen(name);
    if (cs.len != n)
        return 0;
    for (i = 0; i < n; i++) {
        char c = cs.ptr[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != name[i])
            return 0;
    }
    return 1;
}

static inline int test_hook(void *user, mw_span charset, const char *in,
                            size_t n, char *out, size_t cap, size_t *outlen)
{
    hook_state *h = (hook_state *)user;
    size_t i, need = 0, o = 0;

    CHECK(h != NULL && h->magic == 0x5EED);
    h->calls++;
    CHECK(outlen != NULL);
    CHECK(n == 0 || in != NULL);
    CHECK(cap == 0 || out != NULL);
    if (n > 0 && cap > 0)
        CHECK(out + cap <= in || in + n <= out); /* no overlap */
    CHECK(charset.len == 0 || charset.ptr != NULL);
    if (name_is(charset, "x-cyr")) {
        for (i = 0; i < n; i++)
            need += (unsigned char)in[i] >= 0x80 ? 2u : 1u;
        if (need > cap)
            return MW_E_NOSPACE;
        for (i = 0; i < n; i++) {
            unsigned c = (unsigned char)in[i];
            if (c < 0x80) {
                out[o++] = (char)c;
            } else {
                unsigned cp = 0x400u + (c - 0x80u);
                out[o++] = (char)(0xC0u | (cp >> 6));
                out[o++] = (char)(0x80u | (cp & 0x3Fu));
            }
        }
        *outlen = o;
        return MW_OK;
    }
    if (name_is(charset, "x-fail"))
        return MW_E_CHARSET;
    if (name_is(charset, "x-bad")) {
        if (cap < 1)
            return MW_E_NOSPACE;
        out[0] = (char)0xFF;
        *outlen = 1;
        return MW_OK;
    }
    if (name_is(charset, "x-fatal"))
        return MW_E_INTERNAL;
    if (name_is(charset, "x-pos"))
        return 5;
    if (name_is(charset, "x-nospace"))
        return MW_E_NOSPACE;
    return MW_E_CHARSET;
}
#endif /* FZ_CHARSET_HOOK */

/* ---- scripts (round-trip targets) ---- */

#ifdef FZ_SCRIPT

/* A growable text, always NUL-terminated (tests/common/textbuf.h). */
typedef mw_textbuf buf;

static inline void put(buf *b, const void *p, size_t n)
{
    mw_textbuf_put(b, p, n);
}

static inline void set(buf *b, const void *p, size_t n)
{
    b->n = 0;
    put(b, p, n);
}

static inline int eq(const buf *b, const void *p, size_t n)
{
    return b->n == n && (n == 0 || memcmp(b->p, p, n) == 0);
}

/* The output since `from` must be CRLF lines of at most `max` octets
 * each, with no other CR or LF. */
static inline void check_lines(const buf *b, size_t from, size_t max)
{
    size_t i, start = from;
    for (i = from; i < b->n; i++) {
        if (b->p[i] == '\r') {
            CHECK(i + 1 < b->n && b->p[i + 1] == '\n');
            CHECK(i + 2 - start <= max);
            i++;
            start = i + 1;
        } else {
            CHECK(b->p[i] != '\n');
        }
    }
    CHECK(start == b->n);
}

/* ACCEPT normalisation of a message body (bare CR / LF as CRLF, a final
 * CRLF added), as the clients promise. */
static inline void norm(const char *p, size_t n, buf *out)
{
    size_t i;
    int start = 1;
    out->n = 0;
    put(out, "", 0);
    for (i = 0; i < n; i++) {
        if (p[i] == '\r' || p[i] == '\n') {
            if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
                i++;
            put(out, "\r\n", 2);
            start = 1;
        } else {
            put(out, &p[i], 1);
            start = 0;
        }
    }
    if (!start)
        put(out, "\r\n", 2);
}

/* The script: the input, read as the steps need it. */
typedef struct rd {
    const uint8_t *p;
    size_t n;
} rd;

/* The next byte (0 once the script is used up). */
static inline unsigned byte(rd *r)
{
    if (r->n == 0)
        return 0;
    r->n--;
    return *r->p++;
}

/* A big-endian number of `bytes` bytes. */
static inline uint64_t num(rd *r, unsigned bytes)
{
    uint64_t v = 0;
    while (bytes-- > 0)
        v = v << 8 | byte(r);
    return v;
}

/* Bytes up to the next 0xFF (which is consumed), at most `max`. */
static inline mw_span field(rd *r, size_t max)
{
    mw_span s;
    size_t i = 0;
    while (i < r->n && r->p[i] != 0xFF && i < max)
        i++;
    s.ptr = (const char *)r->p;
    s.len = i;
    r->p += i;
    r->n -= i;
    if (r->n > 0 && r->p[0] == 0xFF) {
        r->p++;
        r->n--;
    }
    return s;
}

typedef void (*fz_mode)(rd *r);

/* Runs the mode byte 0 picks over the rest of the input, from an
 * exact-size copy; inputs of more than `max` bytes are skipped. */
static inline void run_script(const uint8_t *data, size_t size, size_t max,
                              const fz_mode *modes, unsigned nmodes)
{
    uint8_t *copy;
    rd r;
    if (size < 1 || size > max)
        return;
    copy = (uint8_t *)fz_dup(data, size);
    r.p = copy + 1;
    r.n = size - 1;
    modes[copy[0] % nmodes](&r);
    free(copy);
}
#endif /* FZ_SCRIPT */

#endif /* MW_FUZZ_UTIL_H */
