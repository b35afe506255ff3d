/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the security regression suites
 * (tests/unit/test_security_*.c), included after <cmocka.h>: a growable
 * NUL-terminated text buffer, searches that count or find a needle, the
 * CRLF-only check, and the enumeration of every short sequence over CR,
 * LF, "." and "x" (the bytes that matter to dot-stuffing and line
 * framing); and the pieces every protocol harness repeats: byte strings
 * with their length, CR / LF / NUL put at the first, a middle and the
 * last byte of a value, the callbacks' output and error records, feeding
 * a machine everything, and the placeholder test of a suite built without
 * its module. All static inline, so a suite built without some protocol
 * role does not warn about what it does not use.
 */
#ifndef MW_TEST_SECURITY_UTIL_H
#define MW_TEST_SECURITY_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evlog.h"
#include "mailwire/core.h"
#include "mailwire/features.h"
#include "textbuf.h"

/* A string literal as pointer and length (it may hold NUL bytes). */
#ifndef S_
#define S_(lit) lit, sizeof(lit) - 1
#endif

/* Elements of an array. */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Bytes with their length, for tables of inputs that may hold NUL. */
typedef struct sec_bytes {
    const char *p;
    size_t n;
} sec_bytes;

/* A zeroed harness, never NULL (the test fails instead). */
static inline void *sec_alloc(size_t n)
{
    void *p = calloc(1, n);
    assert_non_null(p);
    return p;
}

/* ---- a growable text, always NUL-terminated (textbuf.h) ---- */

typedef mw_textbuf gbuf;

static inline void gb_put(gbuf *b, const void *p, size_t n)
{
    mw_textbuf_put(b, p, n);
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
    mw_textbuf_free(b);
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

/* ---- CR, LF or NUL at the first, a middle or the last byte ---- */

/* The control byte `k` (0..2): CR, LF, NUL. */
static inline char sec_ctl_byte(size_t k)
{
    return "\r\n"[k];
}

/* `base` copied into v (cap bytes, NUL-terminated at strlen(base)) with
 * control byte `k` put at position `q` (0 first, 1 middle, 2 last);
 * returns that position. */
static inline size_t sec_ctl_taint(char *v, size_t cap, const char *base, size_t k,
                                   size_t q)
{
    size_t len = strlen(base), pos = q == 0 ? 0 : q == 1 ? len / 2 : len - 1;
    assert_true(len > 0 && len < cap);
    memcpy(v, base, len + 1);
    v[pos] = sec_ctl_byte(k);
    return pos;
}

/* ---- what the harnesses' callbacks record ---- */

/* Errors a machine reported: how many, the last status and offset. */
typedef struct sec_errs {
    unsigned count;
    int last;
    size_t last_off;
} sec_errs;

/* An error callback's work: counted in `e` (may be NULL), logged as
 * "<tag> <status> @<offset> <reason>"; returns 0 (go on). */
static inline int sec_error(sec_errs *e, evlog *log, const char *tag, int st, size_t off,
                            const char *why)
{
    if (e != NULL) {
        e->count++;
        e->last = st;
        e->last_off = off;
    }
    evlog_printf(log, "%s %s @%zu %s", tag, mw_status_name(st), off, why);
    return 0;
}

/* A send callback's work: the bytes appended to `out`, and logged under
 * `tag` unless `log` is NULL; returns 0 (sent). */
static inline int sec_out(gbuf *out, evlog *log, const char *tag, const char *p, size_t n)
{
    gb_put(out, p, n);
    if (log != NULL)
        evlog_data(log, tag, p, n);
    return 0;
}

/* ---- feeding a machine ---- */

/* One feed call of a machine (replay_ops' feed has this type too). */
typedef int (*sec_feed_fn)(void *m, const char *p, size_t n, size_t *used);

/* One call; `used` may be NULL. */
static inline int sec_feed1(sec_feed_fn f, void *m, const char *p, size_t n, size_t *used)
{
    size_t u = 0;
    int r = f(m, p, n, &u);
    if (used != NULL)
        *used = u;
    return r;
}

/* Everything, fed again after a pause that took bytes; stops at an error,
 * MW_DONE, or a pause that took nothing. The status of the last call. */
static inline int sec_feed_all(sec_feed_fn f, void *m, const char *p, size_t n)
{
    size_t pos = 0;
    int r = MW_OK;
    while (pos < n) {
        size_t used = 0;
        r = f(m, p + pos, n - pos, &used);
        pos += used;
        if (r < 0 || r == MW_DONE || (r == MW_PAUSED && used == 0))
            break;
    }
    return r;
}

/* ---- compiled-out features (features.h) ---- */

/* What a CRAM-MD5 / APOP (SEC_CRAM) or XOAUTH2 / OAUTHBEARER (SEC_OAUTH)
 * call returns: `st`, or MW_E_UNSUPPORTED whatever the state and the
 * arguments when the feature is compiled out (nothing is sent then). */
#if MW_ENABLE_SASL_CRAM_MD5
#define SEC_CRAM(st) (st)
#else
#define SEC_CRAM(st) MW_E_UNSUPPORTED
#endif
#if MW_ENABLE_SASL_OAUTH
#define SEC_OAUTH(st) (st)
#else
#define SEC_OAUTH(st) MW_E_UNSUPPORTED
#endif

/* ---- a suite built without its module ---- */

static inline void sec_not_built(void **state)
{
    (void)state;
    skip();
}

/* The one test of such a suite, named `name`. */
#define SEC_NOT_BUILT_TEST(name) {name, sec_not_built, NULL, NULL, NULL}

#endif /* MW_TEST_SECURITY_UTIL_H */
