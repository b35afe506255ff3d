/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the security regression suites
 * (tests/unit/test_security_*.c), included after <cmocka.h>: a growable
 * NUL-terminated text buffer, searches that count or find a needle, the
 * CRLF-only check, and the enumeration of every short sequence over CR,
 * LF, "." and "x" (the bytes that matter to dot-stuffing and line
 * framing). All static inline, so a suite built without some protocol
 * role does not warn about what it does not use.
 */
#ifndef MW_TEST_SECURITY_UTIL_H
#define MW_TEST_SECURITY_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growable text, always NUL-terminated ---- */

typedef struct gbuf {
    char *p;
    size_t n, cap;
} gbuf;

static inline void gb_put(gbuf *b, const void *p, size_t n)
{
    if (b->cap - b->n < n + 1) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->n < n + 1)
            cap *= 2;
        b->p = realloc(b->p, cap);
        assert_non_null(b->p);
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static inline void gb_puts(gbuf *b, const char *z)
{
    gb_put(b, z, strlen(z));
}

static inline void gb_printf(gbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static inline void gb_printf(gbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    assert_true(k >= 0 && (size_t)k < sizeof tmp);
    gb_put(b, tmp, (size_t)k);
}

static inline void gb_clear(gbuf *b)
{
    b->n = 0;
    if (b->p != NULL)
        b->p[0] = '\0';
}

static inline void gb_free(gbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

static inline const char *gb_cstr(const gbuf *b)
{
    return b->p != NULL ? b->p : "";
}

/* ---- searching ---- */

/* Offset of the first `needle` in p[0..n), or n. */
static inline size_t find(const char *p, size_t n, const char *needle)
{
    size_t k = strlen(needle), i;
    for (i = 0; i + k <= n; i++)
        if (memcmp(p + i, needle, k) == 0)
            return i;
    return n;
}

/* Occurrences of `needle` in the first n bytes of p (may hold NUL). */
static inline size_t count_in(const char *p, size_t n, const char *needle)
{
    size_t k = strlen(needle), i, c = 0;
    if (k == 0 || n < k)
        return 0;
    for (i = 0; i + k <= n; i++)
        if (memcmp(p + i, needle, k) == 0)
            c++;
    return c;
}

/* Occurrences of `needle` in the C string `hay`, not overlapping. */
static inline size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0, k = strlen(needle);
    const char *p = hay;
    while ((p = strstr(p, needle)) != NULL) {
        n++;
        p += k;
    }
    return n;
}

static inline int has(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

/* 1 when every CR is followed by LF and every LF follows a CR. */
static inline int crlf_only(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (p[i] == '\r' && (i + 1 == n || p[i + 1] != '\n'))
            return 0;
        if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
            return 0;
    }
    return 1;
}

/* ---- the sequences over CR, LF, "." and "x" of length `len`, by index ---- */

static inline char seq_alpha(size_t i)
{
    return "\r\n.x"[i];
}

static inline size_t seq_count(size_t len)
{
    size_t n = 1;
    while (len-- > 0)
        n *= 4;
    return n;
}

static inline void seq_make(size_t len, size_t idx, char *out)
{
    size_t i;
    for (i = 0; i < len; i++) {
        out[i] = seq_alpha(idx % 4);
        idx /= 4;
    }
    out[len] = '\0';
}

#endif /* MW_TEST_SECURITY_UTIL_H */
