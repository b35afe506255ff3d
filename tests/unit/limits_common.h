/* SPDX-License-Identifier: MIT */
/*
 * Helpers the test_limits_*.c programs share (included after cmocka.h and
 * evlog.h): checks on an event log.
 */
#ifndef MW_TEST_LIMITS_COMMON_H
#define MW_TEST_LIMITS_COMMON_H

#include <stdio.h>
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

/* Fail the current test if the log holds `what`. */
static inline void log_lacks(const evlog *log, const char *what)
{
    if (strstr(evlog_str(log), what) != NULL) {
        fprintf(stderr, "unexpected \"%s\" in\n%s", what, evlog_str(log));
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

#endif
