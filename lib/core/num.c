/* SPDX-License-Identifier: MIT */
/*
 * Overflow-checked decimal parsing and small span and scanning helpers. Every number a
 * peer sends (SIZE=, {literal}, octet counts, dates) goes through here so
 * that no caller does its own unchecked "n = n * 10 + d" (field-notes §4.7).
 */
#include "internal.h"

#if (defined(__SSE2__) || defined(_M_X64)) && !defined(MW_NO_SIMD)
#include <emmintrin.h>
#endif

int mw__span_ieq(mw_span s, const char *kw)
{
    size_t i;
    for (i = 0; i < s.len; i++) {
        if (kw[i] == '\0' ||
            mw__lower((unsigned char)s.ptr[i]) != mw__lower((unsigned char)kw[i]))
            return 0;
    }
    return kw[i] == '\0';
}

int mw__parse_u64(const char *p, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (n == 0)
        return MW_E_SYNTAX;
    for (i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)p[i] - '0';
        if (d > 9)
            return MW_E_SYNTAX;
        /* v * 10 + d <= max  <=>  v <= (max - d) / 10, without overflow */
        if (max < d || v > (max - d) / 10)
            return MW_E_OVERFLOW;
        v = v * 10 + d;
    }
    *out = v;
    return MW_OK;
}

int mw__parse_u32(const char *p, size_t n, uint32_t max, uint32_t *out)
{
    uint64_t v;
    int rc = mw__parse_u64(p, n, max, &v);
    if (rc == MW_OK)
        *out = (uint32_t)v;
    return rc;
}

#if (defined(__SSE2__) || defined(_M_X64)) && !defined(MW_NO_SIMD)
/* First CR or LF in p[0..n), or n: sixteen bytes a step with SSE2 (every
 * x86-64 CPU has it), one pass for both bytes. This is the inner loop of
 * the line framer and of dot-stuffing in both directions, so it sets the
 * speed of SMTP DATA and POP3 RETR. */
size_t mw__find_cr_or_lf(const char *p, size_t n)
{
    const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
        if (m != 0) {
#if defined(__GNUC__)
            return i + (unsigned)__builtin_ctz(m);
#else
            unsigned k = 0;
            while (!(m & 1u)) {
                m >>= 1;
                k++;
            }
            return i + k;
#endif
        }
    }
    for (; i < n; i++)
        if (p[i] == '\r' || p[i] == '\n')
            return i;
    return n;
}
#else
/* First CR or LF in p[0..n), or n. Doubling windows keep the cost
 * proportional to the distance found even when one of the two bytes is
 * far away or absent (plain memchr for each would rescan the tail for
 * every line). */
size_t mw__find_cr_or_lf(const char *p, size_t n)
{
    size_t lo = 0, step = 64;
    while (lo < n) {
        size_t k = (n - lo < step) ? n - lo : step;
        const char *cr = (const char *)memchr(p + lo, '\r', k);
        size_t klf = cr != NULL ? (size_t)(cr - (p + lo)) : k;
        const char *lf = (const char *)memchr(p + lo, '\n', klf);
        if (lf != NULL)
            return (size_t)(lf - p);
        if (cr != NULL)
            return (size_t)(cr - p);
        lo += k;
        step *= 2;
    }
    return n;
}
#endif
