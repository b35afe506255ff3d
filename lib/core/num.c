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
        /* v * 10 + d <= max, without overflow and without a run-time
         * 64-bit division (a libgcc call on 32-bit targets): the first
         * test is against a constant, then v * 10 cannot wrap. */
        if (v > UINT64_MAX / 10u)
            return MW_E_OVERFLOW;
        v *= 10u;
        if (max < d || v > max - d)
            return MW_E_OVERFLOW;
        v += d;
    }
    *out = v;
    return MW_OK;
}

uint64_t mw__div10_u64_shifts(uint64_t v, unsigned *rem)
{
    /* Shifts and adds give q within one of v / 10 (q * 8 approximates
     * v * 0.8 by 0.110011001100... in binary, as in Hacker's Delight
     * §10-8); the remainder corrects it. */
    uint64_t q = (v >> 1) + (v >> 2), r;
    q += q >> 4;
    q += q >> 8;
    q += q >> 16;
    q += q >> 32;
    q >>= 3;
    r = v - ((q << 2) + q) * 2u;
    if (r > 9u) {
        q++;
        r -= 10u;
    }
    *rem = (unsigned)r;
    return q;
}

uint64_t mw__div10_u64(uint64_t v, unsigned *rem)
{
#if UINTPTR_MAX > 0xFFFFFFFFu
    /* 64-bit hosts: the compiler turns this into a multiplication */
    *rem = (unsigned)(v % 10u);
    return v / 10u;
#else
    /* 32-bit targets: v / 10 would call libgcc's 64-bit division (about
     * 700 bytes of code on a Cortex-M) */
    return mw__div10_u64_shifts(v, rem);
#endif
}

size_t mw__fmt_u64(char *out, uint64_t v)
{
    char t[MW__U64_DIGITS];
    size_t i = sizeof t, n;
    do {
        unsigned d;
        v = mw__div10_u64(v, &d);
        t[--i] = (char)('0' + d);
    } while (v != 0);
    n = sizeof t - i;
    memcpy(out, t + i, n);
    return n;
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
