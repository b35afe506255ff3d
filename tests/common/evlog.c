/* SPDX-License-Identifier: MIT */
#include "evlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void grow(evlog *log, size_t need)
{
    if (log->len + need + 1 <= log->cap)
        return;
    size_t cap = log->cap ? log->cap : 256;
    while (cap < log->len + need + 1)
        cap *= 2;
    char *nb = realloc(log->buf, cap);
    if (nb == NULL)
        abort();
    log->buf = nb;
    log->cap = cap;
}

void evlog_init(evlog *log)
{
    memset(log, 0, sizeof(*log));
    grow(log, 0);
    log->buf[0] = '\0';
}

void evlog_free(evlog *log)
{
    free(log->buf);
    memset(log, 0, sizeof(*log));
}

void evlog_reset(evlog *log)
{
    log->len = 0;
    log->last_data_tag = NULL;
    if (log->buf)
        log->buf[0] = '\0';
}

static void append(evlog *log, const char *p, size_t n)
{
    grow(log, n);
    memcpy(log->buf + log->len, p, n);
    log->len += n;
    log->buf[log->len] = '\0';
}

void evlog_printf(evlog *log, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    grow(log, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(log->buf + log->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    log->len += (size_t)n;
    append(log, "\n", 1);
    log->last_data_tag = NULL;
}

void evlog_escaped(evlog *log, const void *p, size_t n)
{
    const unsigned char *s = p;
    char tmp[8];
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == '\r')
            append(log, "\\r", 2);
        else if (c == '\n')
            append(log, "\\n", 2);
        else if (c == '\t')
            append(log, "\\t", 2);
        else if (c == '\\')
            append(log, "\\\\", 2);
        else if (c < 0x20 || c >= 0x7f) {
            snprintf(tmp, sizeof tmp, "\\x%02x", c);
            append(log, tmp, 4);
        } else
            append(log, (const char *)&c, 1);
    }
}

void evlog_data(evlog *log, const char *tag, const void *p, size_t n)
{
    if (log->last_data_tag != NULL && strcmp(log->last_data_tag, tag) == 0) {
        log->len--; /* drop the newline, extend the line */
        log->buf[log->len] = '\0';
    } else {
        append(log, tag, strlen(tag));
        append(log, ": ", 2);
    }
    evlog_escaped(log, p, n);
    append(log, "\n", 1);
    log->last_data_tag = tag;
}

const char *evlog_str(const evlog *log)
{
    return log->buf ? log->buf : "";
}
