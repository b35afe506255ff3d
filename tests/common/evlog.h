/* SPDX-License-Identifier: MIT */
/*
 * Event logs for tests: each callback appends one text line; two runs of a
 * machine are equal when their logs are equal. Data events (body chunks) are
 * coalesced so that a chunk cut differently still logs the same line
 * (design principle 3).
 */
#ifndef MW_TEST_EVLOG_H
#define MW_TEST_EVLOG_H

#include <stddef.h>

typedef struct evlog {
    char *buf;
    size_t len, cap;
    const char *last_data_tag; /* tag of the previous data event, or NULL */
} evlog;

void evlog_init(evlog *log);
void evlog_free(evlog *log);
void evlog_reset(evlog *log);

/* Append one event line (printf format, newline added). */
void evlog_printf(evlog *log, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Append raw bytes escaped (\r \n \t \\ \xHH), no newline. Escaping is per
 * byte, so escape(a) + escape(b) == escape(a + b). */
void evlog_escaped(evlog *log, const void *p, size_t n);

/* A data event: consecutive calls with the same tag join into one line
 * "tag: <escaped bytes>". Any evlog_printf() ends the run. */
void evlog_data(evlog *log, const char *tag, const void *p, size_t n);

/* The log as a NUL-terminated string (never NULL). */
const char *evlog_str(const evlog *log);

#endif
