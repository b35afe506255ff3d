/* SPDX-License-Identifier: MIT */
/*
 * Declarations shared between mailwire's source files and its tests, never
 * installed. Everything here is prefixed mw__ and hidden from the shared
 * library's symbol table (the build compiles with -fvisibility=hidden).
 */
#ifndef MW_CORE_INTERNAL_H
#define MW_CORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mailwire/core.h"
#include "mailwire/config.h"

/* An error reason text: the literal itself, or "" in a build without
 * error texts (features.h, MW_ENABLE_ERROR_TEXT 0). Every reason the
 * library stores or hands out goes through it, so that such a build keeps
 * none of them: the argument sits in the arm of a conditional that is
 * never taken, so it is still type-checked but never evaluated, and the
 * compiler folds it away at any optimisation level (a "(void)(s), """
 * form left the literals of "c ? "a" : "b"" in -O0 objects). Never NULL
 * either way: reasons are never NULL (core.h). */
#if MW_ENABLE_ERROR_TEXT
#define MW__TEXT(s) (s)
#else
#define MW__TEXT(s) (0 ? (s) : "")
#endif

/* Fill an mw_error if the caller gave one (status.c), out of line: it is
 * smaller than the stores at some two hundred error sites. mw__fail_()
 * returns `code` for tail calls; being inline, it lets a reader and a
 * static analyzer see the status returned without looking into status.c.
 * Called through the macro mw__fail(), which passes the reason through
 * MW__TEXT. */
void mw__fail_set(mw_error *err, int code, size_t offset, const char *reason);
static inline int mw__fail_(mw_error *err, int code, size_t offset,
                            const char *reason)
{
    mw__fail_set(err, code, offset, reason);
    return code;
}
#define mw__fail(err, code, offset, reason)                                  \
    mw__fail_((err), (code), (offset), MW__TEXT(reason))

static inline mw_span mw__span(const char *p, size_t n)
{
    mw_span s;
    s.ptr = p;
    s.len = n;
    return s;
}

/* ASCII-only case folding: mail grammar keywords are ASCII, and the C
 * library's tolower() depends on the locale. */
static inline unsigned char mw__lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* Value of an ASCII hex digit (either case), or -1. */
static inline int mw__hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = mw__lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Case-insensitive comparison of a span with a NUL-terminated ASCII
 * keyword; 1 when equal. */
int mw__span_ieq(mw_span s, const char *kw);

/* First CR or LF in p[0..n), or n, in time proportional to the distance
 * found (num.c). */
size_t mw__find_cr_or_lf(const char *p, size_t n);

/* ---- numbers (num.c) ---- */

/* Parse 1..n ASCII digits as an unsigned decimal no larger than max.
 * Returns MW_OK, MW_E_SYNTAX (empty or a non-digit) or MW_E_OVERFLOW. */
int mw__parse_u64(const char *p, size_t n, uint64_t max, uint64_t *out);
int mw__parse_u32(const char *p, size_t n, uint32_t max, uint32_t *out);

/* The most digits a uint64_t has in decimal (18446744073709551615). */
#define MW__U64_DIGITS 20u

/* v in decimal at out (room for MW__U64_DIGITS bytes), no NUL; returns
 * the length. The one formatter of numbers for every protocol: it does
 * no 64-bit division on 32-bit targets (see mw__div10_u64()). */
size_t mw__fmt_u64(char *out, uint64_t v);

/* v / 10, and v % 10 at *rem, for every uint64_t; on 32-bit targets with
 * mw__div10_u64_shifts() instead of libgcc's 64-bit division. The shift
 * version is built everywhere so that the host tests check it. */
uint64_t mw__div10_u64(uint64_t v, unsigned *rem);
uint64_t mw__div10_u64_shifts(uint64_t v, unsigned *rem);

#endif
