/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for mw_utf8_check() (include/mailwire/codec.h).
 *
 * The library's validator works from the RFC 3629 §4 byte-range table and
 * skips ASCII eight bytes at a time; the reference here decodes each code
 * point arithmetically and rejects overlongs, surrogates and values above
 * U+10FFFF by value, so the two share no code and no approach. They must
 * agree on the status and on the offset of the first bad sequence, for the
 * input and for every prefix the library's answer implies.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/codec.h"

#include "fuzz_util.h"

/* Reference: 1 when p[0, n) is well-formed UTF-8, else 0 with *bad the
 * offset of the lead byte of the first ill-formed sequence. */
static int ref_check(const unsigned char *p, size_t n, size_t *bad)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = p[i];
        size_t len, k;
        uint32_t cp, min;

        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1Fu;
            min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0Fu;
            min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07u;
            min = 0x10000;
        } else {
            *bad = i;
            return 0;
        }
        if (n - i < len) {
            *bad = i;
            return 0;
        }
        for (k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80) {
                *bad = i;
                return 0;
            }
            cp = (cp << 6) | (p[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            *bad = i;
            return 0;
        }
        i += len;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so that ASan sees any read past the end. */
    char *p = malloc(size ? size : 1);
    size_t bad = (size_t)-1, ref_bad = 0;
    int r, ok;

    if (p == NULL)
        return 0;
    if (size)
        memcpy(p, data, size);

    r = mw_utf8_check(p, size, &bad);
    ok = ref_check((const unsigned char *)p, size, &ref_bad);
    if (ok) {
        CHECK(r == MW_OK);
        CHECK(bad == (size_t)-1); /* unchanged on success */
    } else {
        CHECK(r == MW_E_UTF8);
        CHECK(bad == ref_bad);
        CHECK(bad < size);
        /* p[0, bad) is the longest well-formed prefix. */
        CHECK(mw_utf8_check(p, bad, NULL) == MW_OK);
        CHECK(mw_utf8_check(p, size, NULL) == MW_E_UTF8);
    }

    /* Splitting a well-formed text at a character boundary keeps both
     * halves well-formed, and a cut inside a character is seen at the
     * character's first byte. */
    if (size > 0) {
        size_t cut = data[0] % (size + 1), b1 = 0, rb1 = 0;
        int r1 = mw_utf8_check(p, cut, &b1);
        int ok1 = ref_check((const unsigned char *)p, cut, &rb1);
        CHECK((r1 == MW_OK) == (ok1 != 0));
        if (!ok1)
            CHECK(b1 == rb1);
    }

    CHECK(mw_utf8_check(NULL, 0, NULL) == MW_OK);
    CHECK(mw_utf8_check(NULL, 1, NULL) == MW_E_INVAL);
    free(p);
    return 0;
}
