/* SPDX-License-Identifier: MIT */
/*
 * UTF-8 validation by the well-formed byte sequence table of RFC 3629 §4
 * (the UTF8-octets ABNF). Runs of ASCII, the common case in mail, are
 * skipped eight bytes at a time; each multi-byte sequence is checked with
 * the exact second-byte range its lead byte allows, which is what rules
 * out overlongs (E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and code
 * points above U+10FFFF (F4 90..BF) without decoding the code point.
 */
#include "core/internal.h"
#include "mailwire/codec.h"

/* Count the ASCII bytes at p (up to n), word-at-a-time. */
static size_t ascii_run(const unsigned char *p, size_t n)
{
    size_t i = 0;
#if MW_ENABLE_FAST_PATHS
    while (n - i >= 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w & UINT64_C(0x8080808080808080))
            break;
        i += 8;
    }
#endif
    while (i < n && p[i] < 0x80)
        i++;
    return i;
}

int mw_utf8_check(const char *text, size_t n, size_t *bad_offset)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0;

    if (text == NULL && n > 0)
        return MW_E_INVAL;
    while (i < n) {
        unsigned char c = p[i];
        unsigned char lo = 0x80, hi = 0xBF; /* allowed range of byte 2 */
        size_t len;

        if (c < 0x80) {
            i += ascii_run(p + i, n - i);
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0; /* below: overlong */
            else if (c == 0xED)
                hi = 0x9F; /* above: surrogates U+D800..U+DFFF */
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90; /* below: overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* above: beyond U+10FFFF */
        } else {
            /* 80..BF: continuation without a lead; C0, C1: overlong
             * 2-byte forms; F5..FF: beyond U+10FFFF or never used. */
            goto bad;
        }
        if (n - i < len)
            goto bad; /* cut short by the end of the input */
        if (p[i + 1] < lo || p[i + 1] > hi)
            goto bad;
        if (len >= 3 && (p[i + 2] & 0xC0) != 0x80)
            goto bad;
        if (len == 4 && (p[i + 3] & 0xC0) != 0x80)
            goto bad;
        i += len;
    }
    return MW_OK;

bad:
    if (bad_offset != NULL)
        *bad_offset = i;
    return MW_E_UTF8;
}
