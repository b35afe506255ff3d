/* SPDX-License-Identifier: MIT */
/*
 * Expected error reasons in tests, for builds with and without error texts
 * (features.h, MW_ENABLE_ERROR_TEXT; CMake MW_WITH_ERROR_TEXT). Without
 * them every mw_error.reason, and every reason a callback gets, is "":
 * codes and offsets stay, so a test keeps checking those and checks the
 * reason only where the library has one to give.
 *
 *   R_("text")              the reason expected: "text", or "" without
 *                           error texts. A literal stays a literal, so
 *                           "E: MW_E_SYNTAX @4 " R_("bad path") is one.
 *   assert_reason_given(r)  r is a reason: not NULL, and not empty unless
 *                           the build has no error texts (then it is "").
 *   reason_drop(line)       an expected log line "... @<offset> <reason>"
 *                           as such a build logs it: cut after
 *                           "@<offset> " (unchanged with error texts).
 *   reason_drop_lines(text, prefix)
 *                           reason_drop() on every line of a whole
 *                           expected log (lines end with LF) that begins
 *                           with `prefix`, the other lines kept, in place.
 */
#ifndef MW_TEST_REASON_H
#define MW_TEST_REASON_H

#include <string.h>

#include "mailwire/features.h"

#if MW_ENABLE_ERROR_TEXT
#define R_(s) s
#else
#define R_(s) ""
#endif

#define assert_reason_given(r)                                               \
    do {                                                                     \
        const char *r_ = (r);                                                \
        assert_non_null(r_);                                                 \
        assert_int_equal(r_[0] != '\0', MW_ENABLE_ERROR_TEXT);               \
    } while (0)

static inline void reason_drop(char *line)
{
#if MW_ENABLE_ERROR_TEXT
    (void)line;
#else
    /* the first " @" followed by digits and a space ends the kept part */
    char *at = strstr(line, " @");
    while (at != NULL) {
        size_t i = 2;
        while (at[i] >= '0' && at[i] <= '9')
            i++;
        if (i > 2 && at[i] == ' ') {
            at[i + 1] = '\0';
            return;
        }
        at = strstr(at + 2, " @");
    }
#endif
}

static inline void reason_drop_lines(char *text, const char *prefix)
{
#if MW_ENABLE_ERROR_TEXT
    (void)text;
    (void)prefix;
#else
    size_t plen = strlen(prefix);
    char *line = text;
    while (*line != '\0') {
        char *nl = strchr(line, '\n');
        size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
        if (strncmp(line, prefix, plen) == 0) {
            if (nl != NULL)
                *nl = '\0';
            reason_drop(line);
            len = strlen(line);
            if (nl != NULL) {
                /* close the gap: the line end and the rest follow */
                *nl = '\n';
                memmove(line + len, nl, strlen(nl) + 1);
            }
        }
        line += len;
        if (*line == '\n')
            line++;
    }
#endif
}

#endif
