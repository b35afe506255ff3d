/* SPDX-License-Identifier: MIT */
/*
 * Helpers the test_limits_*.c programs share (included after cmocka.h and
 * evlog.h): checks on an event log, and a growing input that a test builds
 * line by line while noting the offsets where the limits bite.
 */
#ifndef MW_TEST_LIMITS_COMMON_H
#define MW_TEST_LIMITS_COMMON_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evlog.h"

/* Fail the current test unless the log holds `what`. */
static inline void log_has(const evlog *log, const char *what)
{
    if (strstr(evlog_str(log), what) == NULL) {
        fprintf(stderr, "missing \"%s\" in\n%s", what, evlog_str(log));
        fail();
    }
}

/* log_has() with a printf format. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static inline void log_hasf(const evlog *log, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    log_has(log, what);
}

/* Fail the current test if the log holds `what`. */
static inline void log_lacks(const evlog *log, const char *what)
{
    if (strstr(evlog_str(log), what) != NULL) {
        fprintf(stderr, "unexpected \"%s\" in\n%s", what, evlog_str(log));
        fail();
    }
}

/* Fail the current test unless the log ends with `what`. */
static inline void log_ends(const evlog *log, const char *what)
{
    const char *s = evlog_str(log);
    size_t n = strlen(s), w = strlen(what);
    if (n < w || memcmp(s + n - w, what, w) != 0) {
        fprintf(stderr, "log does not end with \"%s\":\n%s", what, s);
        fail();
    }
}

/* How often `what` occurs in the log. */
static inline size_t log_count(const evlog *log, const char *what)
{
    const char *p = evlog_str(log);
    size_t n = 0, w = strlen(what);
    while ((p = strstr(p, what)) != NULL) {
        n++;
        p += w;
    }
    return n;
}

/* A growing input (free `p` when done). */
typedef struct inbuf {
    char *p;
    size_t len, cap;
} inbuf;

static inline void in_add(inbuf *b, const char *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n) * 2 + 256;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static inline void in_str(inbuf *b, const char *s)
{
    in_add(b, s, strlen(s));
}

/* `n` copies of `c`. */
static inline void in_fill(inbuf *b, char c, size_t n)
{
    while (n-- > 0)
        in_add(b, &c, 1);
}

/* `prefix`, filler 'x', CRLF: `total` bytes in all. */
static inline void in_line(inbuf *b, const char *prefix, size_t total)
{
    size_t k = strlen(prefix);
    in_add(b, prefix, k);
    in_fill(b, 'x', total - k - 2);
    in_add(b, "\r\n", 2);
}

/* Fail unless `err` holds `code` at `offset`. */
static inline void err_is(const mw_error *err, int code, size_t offset)
{
    if (err->code != code || err->offset != offset) {
        fprintf(stderr, "error %s @%zu (%s), want %s @%zu\n",
                mw_status_name(err->code), err->offset,
                err->reason ? err->reason : "", mw_status_name(code), offset);
        fail();
    }
}

#endif
