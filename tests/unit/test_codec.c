/* SPDX-License-Identifier: MIT */
/* Codecs: base64 (RFC 4648) encode/decode, strict and lenient, and UTF-8
 * validation (RFC 3629). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "mailwire/codec.h"

/* ---- helpers ---- */

static int dec(const char *in, unsigned flags, char *out, size_t cap,
               size_t *outlen, mw_error *err)
{
    return mw_base64_decode(in, strlen(in), out, cap, outlen, flags, err);
}

/* Decode must fail with MW_E_BASE64 at the given offset. */
static void expect_bad(const char *in, unsigned flags, size_t off)
{
    char out[256];
    size_t outlen = 12345;
    mw_error err;
    memset(&err, 0, sizeof err);
    int rc = mw_base64_decode(in, strlen(in), out, sizeof out, &outlen, flags,
                              &err);
    if (rc != MW_E_BASE64 || err.offset != off) {
        print_error("input \"%s\" flags %u: rc %s offset %zu (want %zu)\n", in,
                    flags, mw_status_name(rc), err.offset, off);
    }
    assert_int_equal(rc, MW_E_BASE64);
    assert_int_equal(err.code, MW_E_BASE64);
    assert_int_equal(err.offset, off);
    assert_non_null(err.reason);
    assert_int_equal(outlen, 12345); /* untouched on a syntax error */
    /* and without an mw_error */
    assert_int_equal(mw_base64_decode(in, strlen(in), out, sizeof out, NULL,
                                      flags, NULL),
                     MW_E_BASE64);
}

static void expect_ok(const char *in, unsigned flags, const char *want,
                      size_t wantlen)
{
    char out[256];
    size_t outlen = 0;
    mw_error err;
    memset(&err, 0, sizeof err);
    int rc = dec(in, flags, out, sizeof out, &outlen, &err);
    if (rc != MW_OK)
        print_error("input \"%s\" flags %u: %s at %zu (%s)\n", in, flags,
                    mw_status_name(rc), err.offset,
                    err.reason ? err.reason : "");
    assert_int_equal(rc, MW_OK);
    assert_int_equal(outlen, wantlen);
    assert_memory_equal(out, want, wantlen);
}

/* ---- base64: RFC 4648 §10 ---- */

static const struct {
    const char *plain, *enc;
} rfc4648[] = {
    {"", ""},           {"f", "Zg=="},         {"fo", "Zm8="},
    {"foo", "Zm9v"},    {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static void test_b64_rfc4648_encode(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
        char out[16];
        size_t outlen = 999;
        size_t n = strlen(rfc4648[i].plain);
        assert_int_equal(mw_base64_encoded_len(n), strlen(rfc4648[i].enc));
        assert_int_equal(mw_base64_encode(rfc4648[i].plain, n, out, sizeof out,
                                          &outlen),
                         MW_OK);
        assert_int_equal(outlen, strlen(rfc4648[i].enc));
        assert_memory_equal(out, rfc4648[i].enc, outlen);
    }
}

static void test_b64_rfc4648_decode(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
        expect_ok(rfc4648[i].enc, 0, rfc4648[i].plain,
                  strlen(rfc4648[i].plain));
        expect_ok(rfc4648[i].enc, MW_BASE64_LENIENT, rfc4648[i].plain,
                  strlen(rfc4648[i].plain));
    }
    /* NULL input of length 0 is the empty string. */
    size_t outlen = 7;
    assert_int_equal(mw_base64_decode(NULL, 0, NULL, 0, &outlen, 0, NULL), MW_OK);
    assert_int_equal(outlen, 0);
}

/* The whole alphabet, checked against bytes computed independently (with
 * Python's base64 module), and bytes 00, 11, ..., FF. */
static void test_b64_alphabet(void **state)
{
    static const char alpha[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const unsigned char bytes[48] = {
        0x00, 0x10, 0x83, 0x10, 0x51, 0x87, 0x20, 0x92, 0x8b, 0x30, 0xd3, 0x8f,
        0x41, 0x14, 0x93, 0x51, 0x55, 0x97, 0x61, 0x96, 0x9b, 0x71, 0xd7, 0x9f,
        0x82, 0x18, 0xa3, 0x92, 0x59, 0xa7, 0xa2, 0x9a, 0xab, 0xb2, 0xdb, 0xaf,
        0xc3, 0x1c, 0xb3, 0xd3, 0x5d, 0xb7, 0xe3, 0x9e, 0xbb, 0xf3, 0xdf, 0xbf};
    static const unsigned char step17[16] = {
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
        0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    char enc[80];
    size_t n = 0;
    (void)state;
    assert_int_equal(mw_base64_encode(bytes, 48, enc, sizeof enc, &n), MW_OK);
    assert_int_equal(n, 64);
    assert_memory_equal(enc, alpha, 64);
    expect_ok(alpha, 0, (const char *)bytes, 48);
    assert_int_equal(mw_base64_encode(step17, 16, enc, sizeof enc, &n), MW_OK);
    assert_int_equal(n, 24);
    assert_memory_equal(enc, "ABEiM0RVZneImaq7zN3u/w==", 24);
    expect_ok("ABEiM0RVZneImaq7zN3u/w==", 0, (const char *)step17, 16);
}

static void test_b64_encode_nospace(void **state)
{
    char out[8];
    size_t outlen = 0;
    (void)state;
    /* "foob" needs 8: cap-1 fails and reports the need, cap works. */
    memset(out, 'x', sizeof out);
    assert_int_equal(mw_base64_encode("foob", 4, out, 7, &outlen), MW_E_NOSPACE);
    assert_int_equal(outlen, 8);
    assert_memory_equal(out, "xxxxxxxx", 8); /* nothing written */
    assert_int_equal(mw_base64_encode("foob", 4, out, 8, &outlen), MW_OK);
    assert_int_equal(outlen, 8);
    assert_memory_equal(out, "Zm9vYg==", 8);
    /* size query */
    assert_int_equal(mw_base64_encode("foob", 4, NULL, 0, &outlen), MW_E_NOSPACE);
    assert_int_equal(outlen, 8);
    assert_int_equal(mw_base64_encode("", 0, NULL, 0, &outlen), MW_OK);
    assert_int_equal(outlen, 0);
    /* bad arguments */
    assert_int_equal(mw_base64_encode(NULL, 1, out, 8, &outlen), MW_E_INVAL);
    assert_int_equal(mw_base64_encode("a", 1, NULL, 8, &outlen), MW_E_INVAL);
    /* overflow of the length computation */
    assert_true(mw_base64_encoded_len(SIZE_MAX) == SIZE_MAX);
    assert_true(mw_base64_encoded_len(SIZE_MAX / 4 * 3) == SIZE_MAX / 4 * 4);
}

static void test_b64_decode_nospace(void **state)
{
    char out[8];
    size_t outlen = 0;
    (void)state;
    for (unsigned flags = 0; flags <= MW_BASE64_LENIENT; flags++) {
        /* "foobar" is 6 bytes: cap 5 fails, cap 6 works. */
        memset(out, 'x', sizeof out);
        assert_int_equal(dec("Zm9vYmFy", flags, out, 5, &outlen, NULL),
                         MW_E_NOSPACE);
        assert_int_equal(outlen, 6);
        assert_memory_equal(out, "foobaxxx", 8); /* only cap bytes touched */
        assert_int_equal(dec("Zm9vYmFy", flags, out, 6, &outlen, NULL), MW_OK);
        assert_int_equal(outlen, 6);
        assert_memory_equal(out, "foobar", 6);
        /* padded: "fooba" is 5 */
        assert_int_equal(dec("Zm9vYmE=", flags, out, 4, &outlen, NULL),
                         MW_E_NOSPACE);
        assert_int_equal(outlen, 5);
        assert_int_equal(dec("Zm9vYmE=", flags, out, 5, &outlen, NULL), MW_OK);
        assert_int_equal(outlen, 5);
        /* size query */
        assert_int_equal(dec("Zm9vYg==", flags, NULL, 0, &outlen, NULL),
                         MW_E_NOSPACE);
        assert_int_equal(outlen, 4);
        /* invalid input wins over no space */
        assert_int_equal(dec("Zm9v!mFy", flags, out, 1, &outlen, NULL),
                         MW_E_BASE64);
    }
    assert_int_equal(dec("Zm9v\r\nYmFy", MW_BASE64_LENIENT, out, 5, &outlen, NULL),
                     MW_E_NOSPACE);
    assert_int_equal(outlen, 6);
    /* bad arguments */
    assert_int_equal(mw_base64_decode(NULL, 4, out, 8, &outlen, 0, NULL), MW_E_INVAL);
    assert_int_equal(mw_base64_decode("Zm9v", 4, NULL, 8, &outlen, 0, NULL), MW_E_INVAL);
    assert_int_equal(mw_base64_decode("Zm9v", 4, out, 8, &outlen, 2u, NULL), MW_E_INVAL);
}

static void test_b64_strict_errors(void **state)
{
    (void)state;
    /* characters outside the alphabet, at each position of a group */
    expect_bad("!m9vYmFy", 0, 0);
    expect_bad("Zm9v!mFy", 0, 4);
    expect_bad("Zm9vY!Fy", 0, 5);
    expect_bad("Zm9vYm-y", 0, 6);   /* base64url's '-' is not base64 */
    expect_bad("Zm9vYmF_", 0, 7);   /* nor its '_' */
    expect_bad("Zm9vYmF\x80", 0, 7);
    {
        char out[8];
        mw_error err;
        /* a NUL inside the input is a bad character, not an end */
        assert_int_equal(mw_base64_decode("Zm\0v", 4, out, 8, NULL, 0, &err),
                         MW_E_BASE64);
        assert_int_equal(err.offset, 2);
    }
    /* whitespace is not skipped in strict mode */
    expect_bad("Zm9v\r\nYmFy", 0, 4);
    expect_bad("Zm9v YmFy", 0, 4);
    expect_bad(" Zm9vYmFy", 0, 0);
    /* length not a multiple of 4: the offset is where a character is missing */
    expect_bad("Zg", 0, 2);
    expect_bad("Zg=", 0, 3);
    expect_bad("Zm9vYmF", 0, 7);
    expect_bad("Z", 0, 1);
    /* ... unless a bad character comes first */
    expect_bad("Zm9vY!F", 0, 5);
    expect_bad("Zm!vYmF", 0, 2);
    expect_bad("Zg==Zg", 0, 2);
    /* misplaced '=' */
    expect_bad("Zg==Zg==", 0, 2);  /* padding in a group before the last */
    expect_bad("Zm9=Ym9v", 0, 3);
    expect_bad("Zg=A", 0, 2);      /* '=' then data */
    expect_bad("Z===", 0, 1);      /* one data character carries no byte */
    expect_bad("====", 0, 0);
    expect_bad("=m9v", 0, 0);
    /* RFC 4648 §3.5: the bits the padding drops must be zero, so that each
     * byte string has one encoding ("Zg==" is "f"; "Zh==" is not). */
    expect_bad("Zh==", 0, 1);
    expect_bad("Zm9vZ/==", 0, 5);
    expect_bad("Zm9=", 0, 2);     /* "Zm8=" is "fo" */
    expect_bad("Zm9vYmF=", 0, 6); /* "Zm9vYmE=" is "fooba" */
}

/* Strict mode accepts exactly one encoding of each 1- and 2-byte string:
 * over all 64*64 "xy==" and all 64^3 "xyz=" groups, the accepted ones are
 * exactly 256 and 65536, each re-encodes to itself. */
static void test_b64_strict_canonical(void **state)
{
    static const char alpha[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t ok1 = 0, ok2 = 0;
    char g[4], out[4], back[4];
    size_t outlen, blen;
    (void)state;
    for (int a = 0; a < 64; a++) {
        for (int b = 0; b < 64; b++) {
            g[0] = alpha[a];
            g[1] = alpha[b];
            g[2] = '=';
            g[3] = '=';
            if (mw_base64_decode(g, 4, out, 4, &outlen, 0, NULL) == MW_OK) {
                ok1++;
                assert_int_equal(outlen, 1);
                assert_int_equal(mw_base64_encode(out, 1, back, 4, &blen), MW_OK);
                assert_memory_equal(back, g, 4);
            }
            for (int c = 0; c < 64; c++) {
                g[2] = alpha[c];
                g[3] = '=';
                if (mw_base64_decode(g, 4, out, 4, &outlen, 0, NULL) == MW_OK) {
                    ok2++;
                    assert_int_equal(outlen, 2);
                    assert_int_equal(mw_base64_encode(out, 2, back, 4, &blen),
                                     MW_OK);
                    assert_memory_equal(back, g, 4);
                }
            }
        }
    }
    assert_int_equal(ok1, 256);
    assert_int_equal(ok2, 65536);
}

static void test_b64_lenient(void **state)
{
    (void)state;
    const unsigned L = MW_BASE64_LENIENT;
    /* RFC 2045 §6.8 line breaks and stray whitespace */
    expect_ok("Zm9v\r\nYmFy", L, "foobar", 6);
    expect_ok("Zm9vYmFy\r\n", L, "foobar", 6);
    expect_ok("\r\n Zm9vYmFy", L, "foobar", 6);
    expect_ok(" Z m\t9 v Y m F y ", L, "foobar", 6);
    expect_ok("Zm\r\n9vYg==", L, "foob", 4);
    expect_ok("Zm9vYg=\r\n=", L, "foob", 4);
    expect_ok("Zm9vYg==\r\n", L, "foob", 4);
    expect_ok("\r\n", L, "", 0);
    /* missing or short padding */
    expect_ok("Zg", L, "f", 1);
    expect_ok("Zg=", L, "f", 1);
    expect_ok("Zm8", L, "fo", 2);
    expect_ok("Zm9vYg", L, "foob", 4);
    expect_ok("Zm9vYmE", L, "fooba", 5);
    /* non-zero discarded bits are ignored */
    expect_ok("Zh==", L, "f", 1);
    expect_ok("Zm9", L, "fo", 2);
    /* still errors */
    expect_bad("Z", L, 0);                /* one character: no byte */
    expect_bad("Zm9vZ", L, 4);
    expect_bad("Zm9v Z\r\n", L, 5);
    expect_bad("Zm9v!mFy", L, 4);
    expect_bad("Zm9v\vYmFy", L, 4);       /* VT is not skipped */
    expect_bad("Zg===", L, 4);            /* too much padding */
    expect_bad("Zm8==", L, 4);
    expect_bad("Zg==Zg==", L, 4);         /* data after padding */
    expect_bad("Zg== x", L, 5);
    expect_bad("Zg==!", L, 4);
    expect_bad("=", L, 0);                /* padding with no group open */
    expect_bad("Zm9v=", L, 4);
    expect_bad("Z=", L, 0);               /* reported at the lone character */
}

static uint32_t rng_state = 0x12345678u;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Every length 0..400 of random bytes: encode, then decode strictly and
 * leniently (with line breaks every 76 characters) back to the input. */
static void test_b64_roundtrip(void **state)
{
    unsigned char in[400] = {0}, out[400];
    char enc[540], wrapped[600];
    (void)state;
    for (size_t n = 0; n <= sizeof in; n++) {
        size_t elen = 0, olen = 0, w = 0;
        for (size_t i = 0; i < n; i++)
            in[i] = (unsigned char)rnd();
        assert_int_equal(mw_base64_encode(in, n, enc, sizeof enc, &elen), MW_OK);
        assert_int_equal(elen, mw_base64_encoded_len(n));
        assert_int_equal(mw_base64_decode(enc, elen, out, n, &olen, 0, NULL), MW_OK);
        assert_int_equal(olen, n);
        assert_memory_equal(in, out, n);
        if (n > 0) {
            assert_int_equal(mw_base64_decode(enc, elen, out, n - 1, &olen, 0, NULL),
                             MW_E_NOSPACE);
            assert_int_equal(olen, n);
        }
        for (size_t i = 0; i < elen; i++) {
            if (i > 0 && i % 76 == 0) {
                wrapped[w++] = '\r';
                wrapped[w++] = '\n';
            }
            wrapped[w++] = enc[i];
        }
        assert_int_equal(mw_base64_decode(wrapped, w, out, n, &olen,
                                          MW_BASE64_LENIENT, NULL),
                         MW_OK);
        assert_int_equal(olen, n);
        assert_memory_equal(in, out, n);
    }
}

/* ---- UTF-8 ---- */

static void expect_utf8_ok(const char *p, size_t n)
{
    size_t bad = 777;
    assert_int_equal(mw_utf8_check(p, n, &bad), MW_OK);
    assert_int_equal(bad, 777);
}

static void expect_utf8_bad(const char *p, size_t n, size_t off)
{
    size_t bad = 777;
    int rc = mw_utf8_check(p, n, &bad);
    if (rc != MW_E_UTF8 || bad != off)
        print_error("utf8 case of %zu bytes: %s at %zu, want %zu\n", n,
                    mw_status_name(rc), bad, off);
    assert_int_equal(rc, MW_E_UTF8);
    assert_int_equal(bad, off);
    assert_int_equal(mw_utf8_check(p, n, NULL), MW_E_UTF8);
}

#define OK_(s) expect_utf8_ok(s, sizeof(s) - 1)
#define BAD_(s, off) expect_utf8_bad(s, sizeof(s) - 1, off)

static void test_utf8_valid(void **state)
{
    (void)state;
    OK_("");
    expect_utf8_ok(NULL, 0);
    OK_("plain ASCII, long enough to use the word-at-a-time path.....");
    OK_("a\0b"); /* U+0000 is valid UTF-8 */
    OK_("\x7f");
    /* the edges of each sequence length (RFC 3629 §4 table) */
    OK_("\xC2\x80");             /* U+0080 */
    OK_("\xDF\xBF");             /* U+07FF */
    OK_("\xE0\xA0\x80");         /* U+0800 */
    OK_("\xEC\xBF\xBF");         /* U+CFFF */
    OK_("\xED\x80\x80");         /* U+D000 */
    OK_("\xED\x9F\xBF");         /* U+D7FF, last before the surrogates */
    OK_("\xEE\x80\x80");         /* U+E000, first after them */
    OK_("\xEF\xBF\xBF");         /* U+FFFF */
    OK_("\xEF\xBB\xBF");         /* BOM */
    OK_("\xF0\x90\x80\x80");     /* U+10000 */
    OK_("\xF3\xBF\xBF\xBF");     /* U+FFFFF */
    OK_("\xF4\x80\x80\x80");     /* U+100000 */
    OK_("\xF4\x8F\xBF\xBF");     /* U+10FFFF */
    /* real text: RFC 6532 example-like mixed scripts */
    OK_("Gr\xC3\xBC\xC3\x9F" "e \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x93\xA7 "
        "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
}

static void test_utf8_invalid(void **state)
{
    (void)state;
    /* overlong 2-byte (C0, C1 leads) */
    BAD_("ab\xC0\x80", 2);
    BAD_("ab\xC0\xAF", 2);       /* overlong '/' */
    BAD_("ab\xC1\xBF", 2);
    /* overlong 3-byte */
    BAD_("ab\xE0\x80\x80", 2);
    BAD_("ab\xE0\x9F\xBF", 2);   /* U+07FF in 3 bytes */
    /* overlong 4-byte */
    BAD_("ab\xF0\x80\x80\x80", 2);
    BAD_("ab\xF0\x8F\xBF\xBF", 2); /* U+FFFF in 4 bytes */
    /* surrogates U+D800..U+DFFF */
    BAD_("ab\xED\xA0\x80", 2);
    BAD_("ab\xED\xAD\xBF", 2);
    BAD_("ab\xED\xBF\xBF", 2);
    BAD_("\xED\xA0\x80\xED\xB0\x80", 0); /* a CESU-8 pair */
    /* above U+10FFFF */
    BAD_("ab\xF4\x90\x80\x80", 2);
    BAD_("ab\xF5\x80\x80\x80", 2);
    BAD_("ab\xF7\xBF\xBF\xBF", 2);
    BAD_("ab\xF8\x88\x80\x80\x80", 2); /* old 5-byte form */
    BAD_("ab\xFC\x84\x80\x80\x80\x80", 2); /* old 6-byte form */
    BAD_("ab\xFE", 2);
    BAD_("ab\xFF", 2);
    /* lone continuation bytes */
    BAD_("\x80", 0);
    BAD_("ab\xBF", 2);
    BAD_("\xC3\xA9\xA9", 2);     /* one continuation too many */
    /* cut short by the end of the input */
    BAD_("ab\xC3", 2);
    BAD_("ab\xE2\x82", 2);
    BAD_("ab\xE2", 2);
    BAD_("ab\xF0\x9F\x93", 2);
    BAD_("ab\xF0\x9F", 2);
    BAD_("ab\xF0", 2);
    /* cut short by a byte that is not a continuation */
    BAD_("ab\xC3(", 2);
    BAD_("ab\xE2\x82(", 2);
    BAD_("ab\xE2(\xAC", 2);
    BAD_("ab\xF0\x9F\x93(", 2);
    BAD_("ab\xF0\x9F(\xA7", 2);
    BAD_("ab\xC3\xC3\xA9", 2);
    /* the first error wins; bytes before it are all checked */
    BAD_("\xC3\xA9\xE6\x97\xA5\xF0\x9F\x93\xA7\x80 \xC0", 9);
    /* after a long ASCII run (word-at-a-time path), at every alignment */
    {
        char buf[64];
        memset(buf, 'a', sizeof buf);
        for (size_t k = 0; k < 40; k++) {
            memset(buf, 'a', sizeof buf);
            buf[k] = (char)0xFF;
            expect_utf8_bad(buf, sizeof buf, k);
            buf[k] = (char)0xC3; /* lead, followed by 'a' */
            expect_utf8_bad(buf, sizeof buf, k);
            buf[k + 1] = (char)0xA9;
            expect_utf8_ok(buf, sizeof buf);
        }
    }
    assert_int_equal(mw_utf8_check(NULL, 1, NULL), MW_E_INVAL);
}

/* An independent reference: decode the code point arithmetically and judge
 * it (minimal length, not a surrogate, at most U+10FFFF). Compared with
 * mw_utf8_check() over every 1-, 2- and 3-byte string and a spread of
 * 4-byte ones. Returns the length of the longest valid prefix. */
static size_t ref_valid_prefix(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (i + len > n)
            return i;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (p[i + k] & 0x3Fu);
        }
        uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += len;
    }
    return n;
}

static void check_vs_ref(const unsigned char *b, size_t n)
{
    size_t want = ref_valid_prefix(b, n), bad = 999;
    int rc = mw_utf8_check((const char *)b, n, &bad);
    if (want == n) {
        assert_int_equal(rc, MW_OK);
    } else {
        if (rc != MW_E_UTF8 || bad != want)
            print_error("bytes %02x %02x %02x %02x (n=%zu): rc %d bad %zu want %zu\n",
                        b[0], n > 1 ? b[1] : 0, n > 2 ? b[2] : 0,
                        n > 3 ? b[3] : 0, n, rc, bad, want);
        assert_int_equal(rc, MW_E_UTF8);
        assert_int_equal(bad, want);
    }
}

static void test_utf8_exhaustive(void **state)
{
    unsigned char b[4];
    size_t valid3 = 0;
    (void)state;
    for (unsigned x = 0; x < 256; x++) {
        b[0] = (unsigned char)x;
        check_vs_ref(b, 1);
        for (unsigned y = 0; y < 256; y++) {
            b[1] = (unsigned char)y;
            check_vs_ref(b, 2);
            for (unsigned z = 0; z < 256; z++) {
                b[2] = (unsigned char)z;
                check_vs_ref(b, 3);
                if (x >= 0xE0 && x <= 0xEF &&
                    mw_utf8_check((const char *)b, 3, NULL) == MW_OK)
                    valid3++;
            }
        }
    }
    /* U+0800..U+FFFF minus 2048 surrogates */
    assert_int_equal(valid3, 0x10000 - 0x800 - 0x800);
    /* 4-byte: every lead F0..FF with every second byte, and third/fourth
     * bytes from the edges of their classes */
    static const unsigned char tail[] = {0x00, 0x41, 0x7F, 0x80, 0x81, 0xBF, 0xC0, 0xFF};
    for (unsigned x = 0xF0; x < 0x100; x++) {
        for (unsigned y = 0; y < 256; y++) {
            for (size_t z = 0; z < sizeof tail; z++) {
                for (size_t w = 0; w < sizeof tail; w++) {
                    b[0] = (unsigned char)x;
                    b[1] = (unsigned char)y;
                    b[2] = tail[z];
                    b[3] = tail[w];
                    check_vs_ref(b, 4);
                }
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b64_rfc4648_encode),
        cmocka_unit_test(test_b64_rfc4648_decode),
        cmocka_unit_test(test_b64_alphabet),
        cmocka_unit_test(test_b64_encode_nospace),
        cmocka_unit_test(test_b64_decode_nospace),
        cmocka_unit_test(test_b64_strict_errors),
        cmocka_unit_test(test_b64_strict_canonical),
        cmocka_unit_test(test_b64_lenient),
        cmocka_unit_test(test_b64_roundtrip),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_invalid),
        cmocka_unit_test(test_utf8_exhaustive),
    };
    return cmocka_run_group_tests_name("codec", tests, NULL, NULL);
}
