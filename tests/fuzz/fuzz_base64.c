/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for base64 (include/mailwire/codec.h, RFC 4648 §4).
 *
 * The input is used twice: as base64 text to decode, and as bytes to
 * encode. Checked:
 * - strict decoding accepts exactly one encoding per byte string, so
 *   encode(decode(x)) == x whenever strict decoding accepts x;
 * - lenient decoding accepts everything strict decoding does, with the same
 *   bytes;
 * - decode(encode(y)) == y, strict and lenient, for any y;
 * - #MW_E_NOSPACE: the needed length is reported, the decoder leaves the
 *   first `cap` bytes, the encoder writes nothing;
 * - error offsets lie inside the input; lengths match the formulas.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/codec.h"

#include "fuzz_util.h"

/* Decode `in` with `flags` into an exact-size buffer; returns the status,
 * the bytes in *out (caller frees) and their count in *n. */
static int decode(const char *in, size_t len, unsigned flags, char **out,
                  size_t *n)
{
    size_t cap = len / 4 * 3 + 3, got = (size_t)-1;
    char *buf = xmalloc(cap);
    mw_error err;
    int r;

    memset(&err, 0, sizeof err);
    r = mw_base64_decode(in, len, buf, cap, &got, flags, &err);
    if (r == MW_OK) {
        CHECK(got <= cap);
        CHECK(got <= len / 4 * 3 + 2);
    } else {
        CHECK(r == MW_E_BASE64);
        CHECK(got == (size_t)-1); /* unchanged on errors */
        CHECK(err.code == MW_E_BASE64);
        CHECK(err.offset <= len);
        CHECK(err.reason != NULL);
        got = 0;
    }
    *out = buf;
    *n = got;
    return r;
}

/* The NOSPACE contract of the decoder for a valid input that gives
 * `want` bytes `full`. */
static void decode_nospace(const char *in, size_t len, unsigned flags,
                           const char *full, size_t want, size_t cap)
{
    char *buf;
    size_t got = (size_t)-1;
    int r;

    if (cap >= want)
        return;
    buf = xmalloc(cap);
    r = mw_base64_decode(in, len, cap ? buf : NULL, cap, &got, flags, NULL);
    CHECK(r == MW_E_NOSPACE);
    CHECK(got == want);
    CHECK(cap == 0 || memcmp(buf, full, cap) == 0);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = xmalloc(size);
    char *strict = NULL, *lenient = NULL, *enc, *back;
    size_t ns = 0, nl = 0, elen, got, i;
    int rs, rl, r;

    if (size)
        memcpy(in, data, size);

    /* ---- decoding the input as text ---- */
    rs = decode(in, size, 0, &strict, &ns);
    rl = decode(in, size, MW_BASE64_LENIENT, &lenient, &nl);
    if (rs == MW_OK) {
        CHECK(size % 4 == 0);
        CHECK(rl == MW_OK);
        CHECK(nl == ns && memcmp(strict, lenient, ns) == 0);
        /* The one accepted encoding of those bytes is the input. */
        elen = mw_base64_encoded_len(ns);
        CHECK(elen == size);
        enc = xmalloc(elen);
        got = 0;
        CHECK(mw_base64_encode(strict, ns, enc, elen, &got) == MW_OK);
        CHECK(got == size && memcmp(enc, in, size) == 0);
        free(enc);
        decode_nospace(in, size, 0, strict, ns, ns / 2);
        if (ns > 0)
            decode_nospace(in, size, 0, strict, ns, ns - 1);
    }
    if (rl == MW_OK && nl > 0) {
        decode_nospace(in, size, MW_BASE64_LENIENT, lenient, nl, nl - 1);
        decode_nospace(in, size, MW_BASE64_LENIENT, lenient, nl, 0);
    }
    free(strict);
    free(lenient);

    /* ---- encoding the input as bytes ---- */
    elen = mw_base64_encoded_len(size);
    CHECK(elen == (size + 2) / 3 * 4);
    enc = xmalloc(elen + 1);
    enc[elen] = '#';
    got = 0;
    CHECK(mw_base64_encode(in, size, enc, elen, &got) == MW_OK);
    CHECK(got == elen && enc[elen] == '#');
    for (i = 0; i < elen; i++) {
        unsigned char c = (unsigned char)enc[i];
        CHECK((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=');
    }
    for (i = 0; i < 2; i++) {
        unsigned flags = i ? MW_BASE64_LENIENT : 0u;
        back = NULL;
        got = 0;
        r = decode(enc, elen, flags, &back, &got);
        CHECK(r == MW_OK);
        CHECK(got == size && (size == 0 || memcmp(back, in, size) == 0));
        free(back);
    }
    /* Too small: nothing written, the size needed reported. */
    if (elen > 0) {
        size_t cap = size > 0 ? (size_t)data[0] % elen : 0;
        char *small = xmalloc(cap + 1);
        memset(small, '#', cap + 1);
        got = 0;
        r = mw_base64_encode(in, size, cap ? small : NULL, cap, &got);
        CHECK(r == MW_E_NOSPACE);
        CHECK(got == elen);
        for (i = 0; i <= cap; i++)
            CHECK(small[i] == '#');
        free(small);
    }
    free(enc);

    /* ---- argument checks ---- */
    CHECK(mw_base64_decode(NULL, 1, NULL, 0, NULL, 0, NULL) == MW_E_INVAL);
    CHECK(mw_base64_decode(in, size, NULL, 0, NULL, 2u, NULL) == MW_E_INVAL);
    CHECK(mw_base64_encode(NULL, 1, NULL, 0, NULL) == MW_E_INVAL);
    free(in);
    return 0;
}
