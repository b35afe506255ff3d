/* SPDX-License-Identifier: MIT */
/* SASL: MD5 (RFC 1321 A.5), HMAC-MD5 (RFC 2202), APOP (RFC 1939 §7),
 * CRAM-MD5 (RFC 2195), PLAIN (RFC 4616), LOGIN, XOAUTH2 and OAUTHBEARER
 * (RFC 7628). Expected digests and base64 strings come from the RFCs or
 * were computed independently (Python hashlib/hmac/base64), never from
 * this code. */
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
#include "mailwire/sasl.h"

/* ---- helpers ---- */

#define L(s) (s), (sizeof(s) - 1)

#if MW_ENABLE_SASL_CRAM_MD5
static void md5_hex(const void *p, size_t n, char hex[33])
{
    uint8_t d[16];
    mw_md5_sum(p, n, d);
    mw_hex_lower(d, 16, hex);
    hex[32] = 0;
}

static void hmac_hex(const void *k, size_t kl, const void *m, size_t ml,
                     char hex[33])
{
    uint8_t d[16];
    mw_hmac_md5(k, kl, m, ml, d);
    mw_hex_lower(d, 16, hex);
    hex[32] = 0;
}
#endif

#if MW_ENABLE_SASL_CRAM_MD5 /* the MD5 tests cut messages with it */
/* Deterministic PRNG for chunking (xorshift32). */
static uint32_t rng_state = 2463534242u;
static uint32_t rnd(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}
#endif

/* base64 of raw bytes into a static buffer, NUL-terminated, to build
 * parser inputs. */
static char b64buf[8192];
static const char *b64(const char *raw, size_t n)
{
    size_t len = 0;
    assert_int_equal(mw_base64_encode(raw, n, b64buf, sizeof b64buf - 1, &len),
                     MW_OK);
    b64buf[len] = 0;
    return b64buf;
}

/* Decode strict base64 produced by an encoder and compare with raw. */
static void assert_b64_of(const char *enc, size_t elen, const char *raw,
                          size_t rlen)
{
    char dec[8192];
    size_t dlen = 0;
    size_t i;
    assert_int_equal(mw_base64_decode(enc, elen, dec, sizeof dec, &dlen, 0,
                                      NULL), MW_OK);
    assert_int_equal(dlen, rlen);
    assert_memory_equal(dec, raw, rlen);
    for (i = 0; i < elen; i++) {
        assert_true(enc[i] != '\r' && enc[i] != '\n' && enc[i] != 0);
    }
}

/* Signature shared by every encoder under a cap test. */
typedef int (*enc_fn)(const void *args, char *out, size_t cap,
                      size_t *outlen);

/* The capacity contract: NULL/0 asks for the size; cap-1 is refused with
 * the size reported and nothing written; cap works; cap+1 works and does
 * not touch the extra byte. Returns the encoded length. */
static size_t check_caps(enc_fn f, const void *args, char *out,
                         size_t outsz)
{
    size_t need = 0, len = 0;
    char *probe;

    assert_int_equal(f(args, NULL, 0, &need), MW_E_NOSPACE);
    assert_true(need > 0 && need + 1 <= outsz);
    probe = malloc(need + 1);
    assert_non_null(probe);

    memset(probe, '#', need + 1);
    len = 12345;
    assert_int_equal(f(args, probe, need - 1, &len), MW_E_NOSPACE);
    assert_int_equal(len, need);
    for (size_t i = 0; i < need + 1; i++)
        assert_int_equal(probe[i], '#');

    memset(probe, '#', need + 1);
    assert_int_equal(f(args, probe, need, &len), MW_OK);
    assert_int_equal(len, need);
    assert_int_equal(probe[need], '#');

    memset(out, '#', outsz);
    assert_int_equal(f(args, out, need + 1, &len), MW_OK);
    assert_int_equal(len, need);
    assert_int_equal(out[need], '#');
    assert_memory_equal(out, probe, need);
    /* outlen may be NULL */
    assert_int_equal(f(args, out, need, NULL), MW_OK);
    free(probe);
    return need;
}

#if MW_ENABLE_SASL_CRAM_MD5
/* ================================================================ */
/* MD5                                                               */

static void test_md5_rfc1321(void **state)
{
    /* RFC 1321 appendix A.5, all seven. */
    static const char *const v[7][2] = {
        { "", "d41d8cd98f00b204e9800998ecf8427e" },
        { "a", "0cc175b9c0f1b6a831c399e269772661" },
        { "abc", "900150983cd24fb0d6963f7d28e17f72" },
        { "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
        { "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b" },
        { "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
          "d174ab98d277d9f5a5611c2c9f419d9f" },
        { "1234567890123456789012345678901234567890"
          "1234567890123456789012345678901234567890",
          "57edf4a22be3c955ac49da2e2107b67a" },
    };
    char hex[33];
    (void)state;
    for (int i = 0; i < 7; i++) {
        md5_hex(v[i][0], strlen(v[i][0]), hex);
        assert_string_equal(hex, v[i][1]);
    }
    /* NULL with length 0 */
    md5_hex(NULL, 0, hex);
    assert_string_equal(hex, "d41d8cd98f00b204e9800998ecf8427e");
}

static void test_md5_padding_boundaries(void **state)
{
    /* 'a' * n around the 56-byte padding limit and block edges (Python
     * hashlib). */
    static const struct {
        size_t n;
        const char *hex;
    } v[] = {
        { 55, "ef1772b6dff9a122358552954ad0df65" },
        { 56, "3b0c8ac703f828b04c6c197006d17218" },
        { 57, "652b906d60af96844ebd21b674f35e93" },
        { 63, "b06521f39153d618550606be297466d5" },
        { 64, "014842d480b571495a4a0363793f7367" },
        { 65, "c743a45e0d2e6a95cb859adae0248435" },
        { 119, "8a7bd0732ed6a28ce75f6dabc90e1613" },
        { 120, "5f61c0ccad4cac44c75ff505e1f1e537" },
        { 128, "e510683b3f5ffe4093d021808bc6ff70" },
    };
    char buf[128], hex[33];
    (void)state;
    memset(buf, 'a', sizeof buf);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        md5_hex(buf, v[i].n, hex);
        assert_string_equal(hex, v[i].hex);
    }
}

static void test_md5_streaming(void **state)
{
    /* Random chunkings (including empty chunks) of random lengths equal
     * the one-shot digest; also byte by byte. */
    uint8_t msg[700], one[16], many[16];
    (void)state;
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)rnd();
    for (size_t len = 0; len <= sizeof msg; len += (len < 140 ? 1 : 37)) {
        mw_md5_sum(msg, len, one);
        for (int trial = 0; trial < 4; trial++) {
            mw_md5 c;
            size_t off = 0;
            mw_md5_init(&c);
            while (off < len) {
                size_t k = rnd() % 150;
                if (k > len - off)
                    k = len - off;
                mw_md5_update(&c, msg + off, k);
                off += k;
            }
            mw_md5_final(&c, many);
            assert_memory_equal(one, many, 16);
        }
        {
            mw_md5 c;
            mw_md5_init(&c);
            for (size_t j = 0; j < len; j++)
                mw_md5_update(&c, msg + j, 1);
            mw_md5_final(&c, many);
            assert_memory_equal(one, many, 16);
        }
    }
}

static void test_md5_fork_and_reuse(void **state)
{
    /* A context copied by assignment continues independently; a context
     * re-initialised after final starts over. */
    mw_md5 a, b;
    uint8_t d1[16], d2[16];
    char hex[33];
    (void)state;
    mw_md5_init(&a);
    mw_md5_update(&a, "message ", 8);
    b = a;
    mw_md5_update(&a, "digest", 6);
    mw_md5_update(&b, "digesT", 6);
    mw_md5_final(&a, d1);
    mw_md5_final(&b, d2);
    mw_hex_lower(d1, 16, hex);
    hex[32] = 0;
    assert_string_equal(hex, "f96b697d7cb7938d525a2f31aaf161d0");
    assert_memory_not_equal(d1, d2, 16);
    mw_md5_init(&a);
    mw_md5_update(&a, "abc", 3);
    mw_md5_final(&a, d1);
    mw_hex_lower(d1, 16, hex);
    assert_string_equal(hex, "900150983cd24fb0d6963f7d28e17f72");
}

static void test_md5_large(void **state)
{
    /* 1,000,000 'a' (the classic long vector) and 1 MiB of a byte pattern,
     * one-shot and in random chunks up to 64 KiB. */
    size_t n = 1u << 20;
    uint8_t *buf = malloc(n);
    uint8_t d[16];
    char hex[33];
    mw_md5 c;
    (void)state;
    assert_non_null(buf);
    memset(buf, 'a', 1000000);
    md5_hex(buf, 1000000, hex);
    assert_string_equal(hex, "7707d6ae4e027c70eea2a935c2296f21");

    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)((i * 31 + 7) % 251);
    md5_hex(buf, n, hex);
    assert_string_equal(hex, "135194bb26b3ecdb6693b6610b5f81cd");
    mw_md5_init(&c);
    for (size_t off = 0; off < n;) {
        size_t k = rnd() % 65536;
        if (k > n - off)
            k = n - off;
        mw_md5_update(&c, buf + off, k);
        off += k;
    }
    mw_md5_final(&c, d);
    mw_hex_lower(d, 16, hex);
    hex[32] = 0;
    assert_string_equal(hex, "135194bb26b3ecdb6693b6610b5f81cd");
    free(buf);
}

static void test_hmac_md5_rfc2202(void **state)
{
    /* RFC 2202 §2, test cases 1-7. */
    uint8_t k3[16], d3[50], k4[25], d4[50], k6[80];
    char hex[33];
    (void)state;
    memset(k3, 0xaa, sizeof k3);
    memset(d3, 0xdd, sizeof d3);
    for (int i = 0; i < 25; i++)
        k4[i] = (uint8_t)(i + 1);
    memset(d4, 0xcd, sizeof d4);
    memset(k6, 0xaa, sizeof k6);

    hmac_hex("\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b",
             16, L("Hi There"), hex);
    assert_string_equal(hex, "9294727a3638bb1c13f48ef8158bfc9d");
    hmac_hex(L("Jefe"), L("what do ya want for nothing?"), hex);
    assert_string_equal(hex, "750c783e6ab0b503eaa86e310a5db738");
    hmac_hex(k3, sizeof k3, d3, sizeof d3, hex);
    assert_string_equal(hex, "56be34521d144c88dbb8c733f0e8b3f6");
    hmac_hex(k4, sizeof k4, d4, sizeof d4, hex);
    assert_string_equal(hex, "697eaf0aca3a3aea3a75164746ffaa79");
    hmac_hex("\x0c\x0c\x0c\x0c\x0c\x0c\x0c\x0c\x0c\x0c\x0c\x0c\x0c\x0c\x0c\x0c",
             16, L("Test With Truncation"), hex);
    assert_string_equal(hex, "56461ef2342edc00f9bab995690efd4c");
    hmac_hex(k6, sizeof k6,
             L("Test Using Larger Than Block-Size Key - Hash Key First"), hex);
    assert_string_equal(hex, "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
    hmac_hex(k6, sizeof k6,
             L("Test Using Larger Than Block-Size Key and Larger Than One "
               "Block-Size Data"),
             hex);
    assert_string_equal(hex, "6f630fad67cda0ee1fb1f562db3aa53e");
}

static void test_hmac_md5_key_lengths(void **state)
{
    /* Key of exactly B = 64 bytes is used as is, 65 is hashed first;
     * empty key and message (Python hmac). */
    char k[65], hex[33];
    (void)state;
    memset(k, 'k', sizeof k);
    hmac_hex(k, 64, "x", 1, hex);
    assert_string_equal(hex, "f38420ee2e6c7cd5d9977bffba49d984");
    hmac_hex(k, 65, "x", 1, hex);
    assert_string_equal(hex, "35d6a3481580c58aab0efcc7f04c5e59");
    hmac_hex(NULL, 0, NULL, 0, hex);
    assert_string_equal(hex, "74e6f7298a9c2d168935f58c001bad88");
}
#endif

static void test_hex_lower(void **state)
{
    static const uint8_t in[] = { 0x00, 0x0f, 0xa5, 0xff, 0x10 };
    char out[11];
    (void)state;
    memset(out, '#', sizeof out);
    mw_hex_lower(in, sizeof in, out);
    assert_memory_equal(out, "000fa5ff10", 10);
    assert_int_equal(out[10], '#');
    mw_hex_lower(NULL, 0, out); /* writes nothing */
    assert_int_equal(out[0], '0');
}

#if MW_ENABLE_SASL_CRAM_MD5
/* ================================================================ */
/* APOP                                                              */

static void test_apop_rfc1939(void **state)
{
    /* RFC 1939 §7 example. */
    static const char ts[] = "<1896.697170952@dbc.mtview.ca.us>";
    char out[33];
    (void)state;
    memset(out, '#', sizeof out);
    assert_int_equal(mw_sasl_apop_digest(L(ts), L("tanstaaf"), out), MW_OK);
    assert_memory_equal(out, "c4c9334bac560ecc979e58001b3e22fb", 32);
    assert_int_equal(out[32], '#');

    assert_int_equal(mw_sasl_apop_check(L(ts), L("tanstaaf"),
                                        L("c4c9334bac560ecc979e58001b3e22fb")),
                     MW_OK);
    /* upper case accepted (documented decision) */
    assert_int_equal(mw_sasl_apop_check(L(ts), L("tanstaaf"),
                                        L("C4C9334BAC560ECC979E58001B3E22FB")),
                     MW_OK);
    /* wrong secret; one nibble off at the start, middle and end */
    assert_int_equal(mw_sasl_apop_check(L(ts), L("tanstaaF"),
                                        L("c4c9334bac560ecc979e58001b3e22fb")),
                     MW_E_AUTH);
    assert_int_equal(mw_sasl_apop_check(L(ts), L("tanstaaf"),
                                        L("d4c9334bac560ecc979e58001b3e22fb")),
                     MW_E_AUTH);
    assert_int_equal(mw_sasl_apop_check(L(ts), L("tanstaaf"),
                                        L("c4c9334bac560ecd979e58001b3e22fb")),
                     MW_E_AUTH);
    assert_int_equal(mw_sasl_apop_check(L(ts), L("tanstaaf"),
                                        L("c4c9334bac560ecc979e58001b3e22fc")),
                     MW_E_AUTH);
    /* digest length 31 / 33, non-hex digit, embedded NUL */
    assert_int_equal(mw_sasl_apop_check(L(ts), L("tanstaaf"),
                                        L("c4c9334bac560ecc979e58001b3e22f")),
                     MW_E_SYNTAX);
    assert_int_equal(mw_sasl_apop_check(L(ts), L("tanstaaf"),
                                        L("c4c9334bac560ecc979e58001b3e22fb0")),
                     MW_E_SYNTAX);
    assert_int_equal(mw_sasl_apop_check(L(ts), L("tanstaaf"),
                                        L("g4c9334bac560ecc979e58001b3e22fb")),
                     MW_E_SYNTAX);
    assert_int_equal(mw_sasl_apop_check(L(ts), L("tanstaaf"),
                                        L("c4c9334bac560ecc979e58001b3e22\0b")),
                     MW_E_SYNTAX);
    assert_int_equal(mw_sasl_apop_check(L(ts), L("tanstaaf"), NULL, 0),
                     MW_E_SYNTAX);
    /* the secret may hold any byte: it is hashed, never sent */
    assert_int_equal(mw_sasl_apop_digest(L(ts), L("a\0b\r\n"), out), MW_OK);
    assert_int_equal(mw_sasl_apop_digest(L(ts), NULL, 0, out), MW_OK);
    /* same as MD5 of the timestamp alone */
    {
        char hex[33];
        md5_hex(ts, sizeof ts - 1, hex);
        assert_memory_equal(out, hex, 32);
    }
}

static void test_apop_timestamp_rule(void **state)
{
    static const char *const good[] = { "<a@b>", "<1.2@x.y>", "<@a@b>",
                                        "<a@b@>", "<!~#$%^&*()@[]{}|:;\"'?/.,>" };
    static const char *const bad[] = {
        "",       "<>",      "<@>",    "<a@>",      "<@b>",     "<ab>",
        "a@b",    "<a@b",    "a@b>",   "<a @b>",    "<a@b >",   "< a@b>",
        "<a<@b>", "<a>@b>",  "<a@\x80>", "<a@b\t>", "<\x7f@b>", "x<a@b>",
        "<a@b>x",
    };
    char out[32];
    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(mw_sasl_apop_digest(good[i], strlen(good[i]), L("s"),
                                             out), MW_OK);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(mw_sasl_apop_digest(bad[i], strlen(bad[i]), L("s"),
                                             out), MW_E_SYNTAX);
        assert_int_equal(mw_sasl_apop_check(bad[i], strlen(bad[i]), L("s"),
                                            L("00000000000000000000000000000000")),
                         MW_E_SYNTAX);
    }
    /* NUL, CR, LF inside */
    assert_int_equal(mw_sasl_apop_digest(L("<a\0@b>"), L("s"), out),
                     MW_E_SYNTAX);
    assert_int_equal(mw_sasl_apop_digest(L("<a\r@b>"), L("s"), out),
                     MW_E_SYNTAX);
    assert_int_equal(mw_sasl_apop_digest(L("<a@b\n>"), L("s"), out),
                     MW_E_SYNTAX);
    /* NULL arguments */
    assert_int_equal(mw_sasl_apop_digest(NULL, 0, L("s"), out), MW_E_INVAL);
    assert_int_equal(mw_sasl_apop_digest(L("<a@b>"), NULL, 1, out),
                     MW_E_INVAL);
    assert_int_equal(mw_sasl_apop_digest(L("<a@b>"), L("s"), NULL),
                     MW_E_INVAL);
    assert_int_equal(mw_sasl_apop_check(NULL, 0, L("s"), L("x")), MW_E_INVAL);
    assert_int_equal(mw_sasl_apop_check(L("<a@b>"), L("s"), NULL, 32),
                     MW_E_INVAL);
}

static void expect_ts(const char *g, size_t n, const char *want)
{
    mw_span ts = { NULL, 0 };
    int rc = mw_sasl_apop_find_timestamp(g, n, &ts);
    if (want == NULL) {
        assert_int_equal(rc, MW_E_NOT_FOUND);
        assert_null(ts.ptr);
        return;
    }
    assert_int_equal(rc, MW_OK);
    assert_true(ts.ptr >= g && ts.ptr + ts.len <= g + n); /* into input */
    assert_int_equal(ts.len, strlen(want));
    assert_memory_equal(ts.ptr, want, ts.len);
}

static void test_apop_find_timestamp(void **state)
{
    (void)state;
    /* RFC 1939 §7 greeting, with and without CRLF */
    expect_ts(L("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>"),
              "<1896.697170952@dbc.mtview.ca.us>");
    expect_ts(L("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"),
              "<1896.697170952@dbc.mtview.ca.us>");
    /* Dovecot-like and text after the timestamp */
    expect_ts(L("+OK Dovecot ready. <1a2b.3c.5f@mx.example.org> hi"),
              "<1a2b.3c.5f@mx.example.org>");
    /* none */
    expect_ts(L("+OK POP3 ready"), NULL);
    expect_ts(NULL, 0, NULL);
    expect_ts(L("+OK <no-at-sign> ready"), NULL);
    expect_ts(L("+OK <@x> <a@> <> <@>"), NULL);
    expect_ts(L("+OK <a@b"), NULL);
    expect_ts(L("+OK a@b>"), NULL);
    /* a '<' restarts, other bad bytes drop the candidate */
    expect_ts(L("+OK <<<<a@b>"), "<a@b>");
    expect_ts(L("+OK <x <a@b>"), "<a@b>");
    expect_ts(L("+OK <a b@c> <x@y>"), "<x@y>");
    expect_ts(L("+OK <no-at> <x@y>"), "<x@y>");
    expect_ts(L("+OK <a\0@b> <c@d>"), "<c@d>");
    expect_ts(L("+OK <a@b\r\n> <c@d>"), "<c@d>");
    expect_ts(L("+OK <a@\xc3\xa9> <c@d>"), "<c@d>");
    /* the first valid one wins */
    expect_ts(L("+OK <a@b> <c@d>"), "<a@b>");
    /* '>' right after '@' fails, then a later one succeeds */
    expect_ts(L("<a@><b@c>"), "<b@c>");
    assert_int_equal(mw_sasl_apop_find_timestamp(NULL, 1, NULL), MW_E_INVAL);
    {
        mw_span ts;
        assert_int_equal(mw_sasl_apop_find_timestamp("x", 1, NULL),
                         MW_E_INVAL);
        assert_int_equal(mw_sasl_apop_find_timestamp(NULL, 3, &ts),
                         MW_E_INVAL);
    }
}

static void test_apop_find_timestamp_hostile(void **state)
{
    /* CVE-2018-1060 shapes: many '<', long unterminated candidates. Runs
     * in linear time by construction; the test checks the answers. */
    size_t n = 1u << 20;
    char *g = malloc(n);
    (void)state;
    assert_non_null(g);
    memset(g, '<', n);
    expect_ts(g, n, NULL);
    memcpy(g + n - 5, "a@b>", 4); /* "...<<<<a@b><" */
    expect_ts(g, n - 1, "<a@b>");
    for (size_t i = 0; i < n; i++)
        g[i] = (i % 2) ? '@' : '<';
    expect_ts(g, n, NULL);
    memset(g, 'a', n);
    g[0] = '<';
    g[1] = '@'; /* "<@aaaa..." never closed */
    expect_ts(g, n, NULL);
    g[n - 1] = '>'; /* "<@aaa...a>": '@' first: invalid */
    expect_ts(g, n, NULL);
    g[n - 2] = '@'; /* "<@aa...a@>": '@' last too: still invalid */
    expect_ts(g, n, NULL);
    free(g);
}

static void test_apop_find_timestamp_valid_long(void **state)
{
    size_t n = 100000;
    char *g = malloc(n);
    mw_span ts;
    (void)state;
    assert_non_null(g);
    memset(g, 'a', n);
    g[0] = '<';
    g[n / 2] = '@';
    g[n - 1] = '>';
    assert_int_equal(mw_sasl_apop_find_timestamp(g, n, &ts), MW_OK);
    assert_ptr_equal(ts.ptr, g);
    assert_int_equal(ts.len, n);
    free(g);
}

/* ================================================================ */
/* CRAM-MD5                                                          */

static void test_cram_md5_rfc2195(void **state)
{
    /* RFC 2195 §2 example (IMAP): the server's challenge and the client's
     * response as sent. Note the challenge host is ".net". */
    static const char chal_b64[] =
        "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+";
    static const char resp_b64[] =
        "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw";
    char chal[64], resp[64], enc[80];
    size_t clen = 0, rlen = 0, elen = 0;
    mw_span user, dig;
    (void)state;
    assert_int_equal(mw_sasl_login_decode(L(chal_b64), chal, sizeof chal,
                                          &clen, NULL), MW_OK);
    assert_int_equal(clen, 42);
    assert_memory_equal(chal, "<1896.697170952@postoffice.reston.mci.net>", 42);

    assert_int_equal(mw_sasl_cram_md5_response(L("tim"), L("tanstaaftanstaaf"),
                                               chal, clen, resp, sizeof resp,
                                               &rlen), MW_OK);
    assert_int_equal(rlen, 36);
    assert_memory_equal(resp, "tim b913a602c7eda7a495b4e6e7334d3890", 36);
    assert_int_equal(mw_base64_encode(resp, rlen, enc, sizeof enc, &elen),
                     MW_OK);
    assert_int_equal(elen, sizeof resp_b64 - 1);
    assert_memory_equal(enc, resp_b64, elen);

    /* server side */
    assert_int_equal(mw_sasl_cram_md5_parse(resp, rlen, &user, &dig, NULL),
                     MW_OK);
    assert_int_equal(user.len, 3);
    assert_memory_equal(user.ptr, "tim", 3);
    assert_ptr_equal(dig.ptr, resp + 4);
    assert_int_equal(mw_sasl_cram_md5_check(chal, clen, L("tanstaaftanstaaf"),
                                            dig.ptr, dig.len), MW_OK);
    assert_int_equal(mw_sasl_cram_md5_check(chal, clen, L("tanstaaftanstaaF"),
                                            dig.ptr, dig.len), MW_E_AUTH);
    assert_int_equal(mw_sasl_cram_md5_check(chal, clen, L("tanstaaftanstaaf"),
                                            L("B913A602C7EDA7A495B4E6E7334D3890")),
                     MW_OK);
    assert_int_equal(mw_sasl_cram_md5_check(chal, clen, L("tanstaaftanstaaf"),
                                            L("b913a602c7eda7a495b4e6e7334d389")),
                     MW_E_SYNTAX);
    assert_int_equal(mw_sasl_cram_md5_check(chal, clen - 1,
                                            L("tanstaaftanstaaf"),
                                            dig.ptr, dig.len), MW_E_AUTH);
}

static void test_cram_md5_response_args(void **state)
{
    char out[64];
    size_t len = 0;
    (void)state;
    /* exactly ulen + 33 bytes: cap-1, cap */
    memset(out, '#', sizeof out);
    assert_int_equal(mw_sasl_cram_md5_response(L("tim"), L("k"), L("c"), out,
                                               35, &len), MW_E_NOSPACE);
    assert_int_equal(len, 36);
    assert_int_equal(out[0], '#');
    assert_int_equal(mw_sasl_cram_md5_response(L("tim"), L("k"), L("c"), out,
                                               36, &len), MW_OK);
    assert_int_equal(out[36], '#');
    assert_int_equal(mw_sasl_cram_md5_response(L("tim"), L("k"), L("c"), NULL,
                                               0, &len), MW_E_NOSPACE);
    assert_int_equal(len, 36);
    /* user: non-empty, no NUL/CR/LF; a space is fine */
    assert_int_equal(mw_sasl_cram_md5_response("", 0, L("k"), L("c"), out,
                                               sizeof out, &len), MW_E_INVAL);
    assert_int_equal(mw_sasl_cram_md5_response(L("t\0m"), L("k"), L("c"), out,
                                               sizeof out, &len), MW_E_INVAL);
    assert_int_equal(mw_sasl_cram_md5_response(L("t\rm"), L("k"), L("c"), out,
                                               sizeof out, &len), MW_E_INVAL);
    assert_int_equal(mw_sasl_cram_md5_response(L("t\nm"), L("k"), L("c"), out,
                                               sizeof out, &len), MW_E_INVAL);
    assert_int_equal(mw_sasl_cram_md5_response(L("tim smith"), L("k"), L("c"),
                                               out, sizeof out, &len), MW_OK);
    {
        mw_span u, d;
        assert_int_equal(mw_sasl_cram_md5_parse(out, len, &u, &d, NULL),
                         MW_OK);
        assert_int_equal(u.len, 9);
        assert_memory_equal(u.ptr, "tim smith", 9);
        assert_int_equal(mw_sasl_cram_md5_check(L("c"), L("k"), d.ptr, d.len),
                         MW_OK);
    }
    assert_int_equal(mw_sasl_cram_md5_response(NULL, 3, L("k"), L("c"), out,
                                               sizeof out, &len), MW_E_INVAL);
    assert_int_equal(mw_sasl_cram_md5_response(L("tim"), NULL, 1, L("c"), out,
                                               sizeof out, &len), MW_E_INVAL);
    assert_int_equal(mw_sasl_cram_md5_response(L("tim"), L("k"), NULL, 1, out,
                                               sizeof out, &len), MW_E_INVAL);
}

static void expect_cram_bad(const char *r, size_t n, size_t off)
{
    mw_span u = { NULL, 0 }, d = { NULL, 0 };
    mw_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(mw_sasl_cram_md5_parse(r, n, &u, &d, &err), MW_E_SYNTAX);
    assert_int_equal(err.code, MW_E_SYNTAX);
    assert_int_equal(err.offset, off);
    assert_non_null(err.reason);
    assert_null(u.ptr);
}

static void test_cram_md5_parse_bad(void **state)
{
    (void)state;
    expect_cram_bad(L("timb913a602c7eda7a495b4e6e7334d3890"), 35);
    expect_cram_bad(L(" b913a602c7eda7a495b4e6e7334d3890"), 0);
    expect_cram_bad(L("tim b913a602c7eda7a495b4e6e7334d389"), 4);
    expect_cram_bad(L("tim b913a602c7eda7a495b4e6e7334d38900"), 4);
    expect_cram_bad(L("tim b913a602c7eda7a495b4e6e7334d389x"), 4);
    expect_cram_bad(L("tim "), 4);
    expect_cram_bad(L("t\0m b913a602c7eda7a495b4e6e7334d3890"), 1);
    expect_cram_bad(L("tim b913a602c7eda7a495b4e6e7334d3890\r\n"), 36);
    expect_cram_bad(L("tim\n b913a602c7eda7a495b4e6e7334d3890"), 3);
    expect_cram_bad("", 0, 0);
    assert_int_equal(mw_sasl_cram_md5_parse(NULL, 1, NULL, NULL, NULL),
                     MW_E_INVAL);
}
#endif

/* ================================================================ */
/* PLAIN                                                             */

typedef struct plain_in {
    const char *z, *c, *p;
    size_t zl, cl, pl;
} plain_in;

static int plain_enc(const void *args, char *out, size_t cap,
                     size_t *outlen)
{
    const plain_in *a = args;
    return mw_sasl_plain_encode(a->z, a->zl, a->c, a->cl, a->p, a->pl, out,
                                cap, outlen);
}

static void test_plain_rfc4616(void **state)
{
    /* RFC 4616 §4: "tim" with password "tanstaaftanstaaf", and "Kurt"
     * acting as "Ursel" with password "xipj3plmq". */
    char out[128], scratch[64];
    size_t len = 0;
    mw_span z, c, p;
    mw_error err;
    (void)state;
    assert_int_equal(mw_sasl_plain_encode(NULL, 0, L("tim"),
                                          L("tanstaaftanstaaf"), out,
                                          sizeof out, &len), MW_OK);
    assert_int_equal(len, 28);
    assert_memory_equal(out, "AHRpbQB0YW5zdGFhZnRhbnN0YWFm", 28);
    assert_int_equal(mw_sasl_plain_encode(L("Ursel"), L("Kurt"),
                                          L("xipj3plmq"), out, sizeof out,
                                          &len), MW_OK);
    assert_int_equal(len, 28);
    assert_memory_equal(out, "VXJzZWwAS3VydAB4aXBqM3BsbXE=", 28);

    assert_int_equal(mw_sasl_plain_decode(L("AHRpbQB0YW5zdGFhZnRhbnN0YWFm"),
                                          MW_SASL_PLAIN_MAX_PART, scratch,
                                          sizeof scratch, &z, &c, &p, &err),
                     MW_OK);
    assert_int_equal(z.len, 0);
    assert_int_equal(c.len, 3);
    assert_memory_equal(c.ptr, "tim", 3);
    assert_int_equal(p.len, 16);
    assert_memory_equal(p.ptr, "tanstaaftanstaaf", 16);
    assert_true(c.ptr >= scratch && p.ptr + p.len <= scratch + sizeof scratch);

    assert_int_equal(mw_sasl_plain_decode(L("VXJzZWwAS3VydAB4aXBqM3BsbXE="),
                                          MW_SASL_PLAIN_MAX_PART, scratch,
                                          sizeof scratch, &z, &c, &p, &err),
                     MW_OK);
    assert_int_equal(z.len, 5);
    assert_memory_equal(z.ptr, "Ursel", 5);
    assert_int_equal(c.len, 4);
    assert_memory_equal(c.ptr, "Kurt", 4);
    assert_int_equal(p.len, 9);
    assert_memory_equal(p.ptr, "xipj3plmq", 9);
}

static void test_plain_encode_caps_and_injection(void **state)
{
    char out[256];
    size_t len = 0, need;
    plain_in a = { "Ursel", "Kurt", "xipj3plmq", 5, 4, 9 };
    (void)state;
    need = check_caps(plain_enc, &a, out, sizeof out);
    assert_int_equal(need, 28);

    /* NUL in any part */
    assert_int_equal(mw_sasl_plain_encode(L("U\0"), L("Kurt"), L("x"), out,
                                          sizeof out, &len), MW_E_INVAL);
    assert_int_equal(mw_sasl_plain_encode(L("U"), L("\0Kurt"), L("x"), out,
                                          sizeof out, &len), MW_E_INVAL);
    assert_int_equal(mw_sasl_plain_encode(L("U"), L("Kurt"), L("x\0y"), out,
                                          sizeof out, &len), MW_E_INVAL);
    /* empty authcid / passwd */
    assert_int_equal(mw_sasl_plain_encode(L("U"), "", 0, L("x"), out,
                                          sizeof out, &len), MW_E_INVAL);
    assert_int_equal(mw_sasl_plain_encode(L("U"), L("Kurt"), "", 0, out,
                                          sizeof out, &len), MW_E_INVAL);
    /* not UTF-8 */
    assert_int_equal(mw_sasl_plain_encode(L("\xff"), L("Kurt"), L("x"), out,
                                          sizeof out, &len), MW_E_INVAL);
    assert_int_equal(mw_sasl_plain_encode(L("U"), L("Kurt"), L("p\xc3"), out,
                                          sizeof out, &len), MW_E_INVAL);
    /* NULL with a length */
    assert_int_equal(mw_sasl_plain_encode(NULL, 1, L("Kurt"), L("x"), out,
                                          sizeof out, &len), MW_E_INVAL);
    assert_int_equal(mw_sasl_plain_encode(L("U"), L("Kurt"), L("x"), NULL, 10,
                                          &len), MW_E_INVAL);

    /* CR and LF are SAFE in RFC 4616: allowed, encoded, never raw in the
     * output, and they survive the round trip. */
    {
        static const char raw[] = "a\r\nb\0us\ner\0pa\r\nss";
        char scratch[64];
        mw_span z, c, p;
        assert_int_equal(mw_sasl_plain_encode(L("a\r\nb"), L("us\ner"),
                                              L("pa\r\nss"), out, sizeof out,
                                              &len), MW_OK);
        assert_b64_of(out, len, raw, sizeof raw - 1);
        assert_int_equal(mw_sasl_plain_decode(out, len, 255, scratch,
                                              sizeof scratch, &z, &c, &p,
                                              NULL), MW_OK);
        assert_int_equal(c.len, 5);
        assert_memory_equal(c.ptr, "us\ner", 5);
        assert_int_equal(p.len, 6);
        assert_memory_equal(p.ptr, "pa\r\nss", 6);
    }
    /* UTF-8 round trip */
    {
        char scratch[64];
        mw_span z, c, p;
        assert_int_equal(mw_sasl_plain_encode(NULL, 0, L("j\xc3\xbcrgen"),
                                              L("\xe2\x82\xac\xf0\x9f\x98\x80"),
                                              out, sizeof out, &len), MW_OK);
        assert_int_equal(mw_sasl_plain_decode(out, len, 255, scratch,
                                              sizeof scratch, &z, &c, &p,
                                              NULL), MW_OK);
        assert_int_equal(p.len, 7);
        assert_memory_equal(p.ptr, "\xe2\x82\xac\xf0\x9f\x98\x80", 7);
    }
}

static void expect_plain_bad(const char *raw, size_t n, size_t max, int code,
                             size_t off)
{
    char scratch[1024];
    mw_span z = { NULL, 0 }, c = { NULL, 0 }, p = { NULL, 0 };
    mw_error err;
    const char *in = b64(raw, n);
    int rc;
    memset(&err, 0, sizeof err);
    rc = mw_sasl_plain_decode(in, strlen(in), max, scratch, sizeof scratch,
                              &z, &c, &p, &err);
    if (rc != code || err.offset != off)
        print_error("plain: rc %s off %zu (want %s %zu) %s\n",
                    mw_status_name(rc), err.offset, mw_status_name(code), off,
                    err.reason ? err.reason : "");
    assert_int_equal(rc, code);
    assert_int_equal(err.code, code);
    assert_int_equal(err.offset, off);
    assert_non_null(err.reason);
    assert_null(c.ptr);
    assert_null(p.ptr);
}

static void test_plain_decode_malformed(void **state)
{
    (void)state;
    /* no NUL, one NUL: reported at the end of the base64 text */
    expect_plain_bad(L("timpass"), 255, MW_E_SYNTAX, 12);   /* "dGltcGFzcw==" */
    expect_plain_bad(L("\0timpass"), 255, MW_E_SYNTAX, 12); /* "AHRpbXBhc3M=" */
    /* three NULs: at the third (decoded 5 -> base64 char 6) */
    expect_plain_bad(L("a\0b\0c\0d"), 255, MW_E_SYNTAX, 6);
    /* empty authcid: at the second NUL (decoded 2 -> char 2) */
    expect_plain_bad(L("a\0\0pass"), 255, MW_E_SYNTAX, 2);
    expect_plain_bad(L("\0\0pass"), 255, MW_E_SYNTAX, 1);
    /* empty passwd: at the end ("AHRpbQA=" is 8 chars) */
    expect_plain_bad(L("\0tim\0"), 255, MW_E_SYNTAX, 8);
    /* invalid UTF-8: overlong C0 80 in authcid at decoded 4 -> char 5;
     * lone continuation in authzid at 0; truncated sequence in passwd */
    expect_plain_bad(L("\0tim\xc0\x80\0pw"), 255, MW_E_UTF8, 5);
    expect_plain_bad(L("\x80\0tim\0pw"), 255, MW_E_UTF8, 0);
    expect_plain_bad(L("\0tim\0pw\xe2\x82"), 255, MW_E_UTF8, 9); /* d=7 */
    /* surrogate */
    expect_plain_bad(L("\0tim\0\xed\xa0\x80"), 255, MW_E_UTF8, 6); /* d=5 */
}

static void test_plain_decode_base64_and_space(void **state)
{
    char scratch[64];
    mw_span z, c, p;
    mw_error err;
    (void)state;
    /* bad base64: the codec's offset passes through */
    memset(&err, 0, sizeof err);
    assert_int_equal(mw_sasl_plain_decode(L("AHRpbQB0YW5*dGFhZnRhbnN0YWFm"),
                                          255, scratch, sizeof scratch, &z, &c,
                                          &p, &err), MW_E_BASE64);
    assert_int_equal(err.offset, 11);
    /* strict: whitespace and missing padding are errors */
    assert_int_equal(mw_sasl_plain_decode(L("AHRpbQB0 YW5zdGFhZnRhbnN0YWFm"),
                                          255, scratch, sizeof scratch, &z, &c,
                                          &p, &err), MW_E_BASE64);
    assert_int_equal(mw_sasl_plain_decode(L("VXJzZWwAS3VydAB4aXBqM3BsbXE"),
                                          255, scratch, sizeof scratch, &z, &c,
                                          &p, &err), MW_E_BASE64);
    /* empty input ("=" on the wire) */
    assert_int_equal(mw_sasl_plain_decode("", 0, 255, scratch, sizeof scratch,
                                          &z, &c, &p, &err), MW_E_SYNTAX);
    assert_int_equal(err.offset, 0);
    /* scratch: "VXJzZWwAS3VydAB4aXBqM3BsbXE=" decodes to 20 bytes */
    assert_int_equal(mw_sasl_plain_decode(L("VXJzZWwAS3VydAB4aXBqM3BsbXE="),
                                          255, scratch, 19, &z, &c, &p, &err),
                     MW_E_NOSPACE);
    assert_int_equal(err.code, MW_E_NOSPACE);
    assert_int_equal(mw_sasl_plain_decode(L("VXJzZWwAS3VydAB4aXBqM3BsbXE="),
                                          255, scratch, 20, &z, &c, &p, &err),
                     MW_OK);
    assert_int_equal(p.len, 9);
    /* NULL arguments */
    assert_int_equal(mw_sasl_plain_decode(NULL, 4, 255, scratch, 20, &z, &c,
                                          &p, &err), MW_E_INVAL);
    assert_int_equal(mw_sasl_plain_decode(L("AA=="), 255, NULL, 20, &z, &c,
                                          &p, &err), MW_E_INVAL);
    assert_int_equal(mw_sasl_plain_decode(L("AA=="), 255, scratch, 20, &z,
                                          NULL, &p, &err), MW_E_INVAL);
}

static void test_plain_part_limits(void **state)
{
    /* Each part at 254, 255 (accepted with the RFC limit) and 256 (refused
     * at its 256th byte, accepted with a larger limit). */
    char raw[1024], scratch[1024];
    mw_span z, c, p;
    (void)state;
    for (int part = 0; part < 3; part++) {
        for (size_t len = 254; len <= 256; len++) {
            size_t n = 0, start = 0, off;
            int rc;
            mw_error err;
            const char *in;
            size_t lens[3] = { 3, 3, 3 };
            lens[part] = len;
            for (int k = 0; k < 3; k++) {
                if (k == part)
                    start = n;
                memset(raw + n, (char)('a' + k), lens[k]);
                n += lens[k];
                if (k < 2)
                    raw[n++] = 0;
            }
            in = b64(raw, n);
            memset(&err, 0, sizeof err);
            rc = mw_sasl_plain_decode(in, strlen(in), MW_SASL_PLAIN_MAX_PART,
                                      scratch, sizeof scratch, &z, &c, &p,
                                      &err);
            if (len <= 255) {
                assert_int_equal(rc, MW_OK);
                assert_int_equal(part == 0 ? z.len : part == 1 ? c.len : p.len,
                                 len);
            } else {
                assert_int_equal(rc, MW_E_TOO_LONG);
                off = start + 255; /* first byte past the limit */
                assert_int_equal(err.offset, (off / 3) * 4 + off % 3);
                /* a larger limit, and no limit, accept it */
                assert_int_equal(mw_sasl_plain_decode(in, strlen(in), 256,
                                                      scratch, sizeof scratch,
                                                      &z, &c, &p, &err),
                                 MW_OK);
                assert_int_equal(mw_sasl_plain_decode(in, strlen(in),
                                                      SIZE_MAX, scratch,
                                                      sizeof scratch, &z, &c,
                                                      &p, &err), MW_OK);
            }
        }
    }
    /* max_part 0 refuses every non-empty part, at the part's first byte */
    {
        mw_error err;
        const char *in = b64(L("\0tim\0pw"));
        assert_int_equal(mw_sasl_plain_decode(in, strlen(in), 0, scratch,
                                              sizeof scratch, &z, &c, &p,
                                              &err), MW_E_TOO_LONG);
        assert_int_equal(err.offset, 1); /* decoded 1 */
    }
}

/* ================================================================ */
/* LOGIN                                                             */

typedef struct raw_in {
    const char *s;
    size_t n;
} raw_in;

static int login_enc(const void *args, char *out, size_t cap,
                     size_t *outlen)
{
    const raw_in *a = args;
    return mw_sasl_login_encode(a->s, a->n, out, cap, outlen);
}

static void test_login(void **state)
{
    char out[64], dec[64];
    size_t len = 0;
    mw_error err;
    raw_in a = { "tim", 3 };
    (void)state;
    assert_int_equal(check_caps(login_enc, &a, out, sizeof out), 4);
    assert_memory_equal(out, "dGlt", 4);
    /* the customary challenges are what the macros claim */
    assert_int_equal(mw_sasl_login_decode(L(MW_SASL_LOGIN_USERNAME_B64), dec,
                                          sizeof dec, &len, NULL), MW_OK);
    assert_int_equal(len, 9);
    assert_memory_equal(dec, "Username:", 9);
    assert_int_equal(mw_sasl_login_decode(L(MW_SASL_LOGIN_PASSWORD_B64), dec,
                                          sizeof dec, &len, NULL), MW_OK);
    assert_memory_equal(dec, "Password:", 9);
    /* empty step */
    assert_int_equal(mw_sasl_login_encode("", 0, out, sizeof out, &len),
                     MW_OK);
    assert_int_equal(len, 0);
    assert_int_equal(mw_sasl_login_decode("", 0, dec, sizeof dec, &len, NULL),
                     MW_OK);
    assert_int_equal(len, 0);
    /* NUL refused both ways; CR/LF allowed and encoded */
    assert_int_equal(mw_sasl_login_encode(L("ti\0m"), out, sizeof out, &len),
                     MW_E_INVAL);
    assert_int_equal(mw_sasl_login_encode(L("ti\r\nm"), out, sizeof out, &len),
                     MW_OK);
    assert_b64_of(out, len, L("ti\r\nm"));
    memset(&err, 0, sizeof err);
    assert_int_equal(mw_sasl_login_decode(L("dGkAbQ=="), dec, sizeof dec, &len,
                                          &err), MW_E_NUL); /* "ti\0m" */
    assert_int_equal(err.offset, 2);
    /* 8-bit (Latin-1) passes */
    assert_int_equal(mw_sasl_login_decode(L("/w=="), dec, sizeof dec, &len,
                                          NULL), MW_OK);
    assert_int_equal(len, 1);
    assert_int_equal((unsigned char)dec[0], 0xff);
    /* bad base64, decode capacity */
    assert_int_equal(mw_sasl_login_decode(L("dGl"), dec, sizeof dec, &len,
                                          &err), MW_E_BASE64);
    assert_int_equal(err.offset, 3);
    len = 0;
    assert_int_equal(mw_sasl_login_decode(L("dGlt"), dec, 2, &len, &err),
                     MW_E_NOSPACE);
    assert_int_equal(len, 3);
    assert_int_equal(mw_sasl_login_decode(L("dGlt"), dec, 3, &len, &err),
                     MW_OK);
    assert_int_equal(mw_sasl_login_encode(NULL, 1, out, sizeof out, &len),
                     MW_E_INVAL);
    assert_int_equal(mw_sasl_login_decode(NULL, 1, dec, sizeof dec, &len,
                                          NULL), MW_E_INVAL);
}

#if MW_ENABLE_SASL_OAUTH
/* ================================================================ */
/* XOAUTH2                                                           */

typedef struct oauth_in {
    const char *u, *h, *t;
    size_t ul, hl, tl;
    unsigned port;
} oauth_in;

static int xoauth2_enc(const void *args, char *out, size_t cap,
                       size_t *outlen)
{
    const oauth_in *a = args;
    return mw_sasl_xoauth2_encode(a->u, a->ul, a->t, a->tl, out, cap, outlen);
}

static int oauthbearer_enc(const void *args, char *out, size_t cap,
                           size_t *outlen)
{
    const oauth_in *a = args;
    return mw_sasl_oauthbearer_encode(a->u, a->ul, a->h, a->hl, a->port, a->t,
                                      a->tl, out, cap, outlen);
}

static void test_xoauth2_google_example(void **state)
{
    /* Google's documented XOAUTH2 example. */
    static const char want[] =
        "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRx"
        "bVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==";
    oauth_in a = { "someuser@example.com", NULL,
                   "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg", 20, 0, 45,
                   0 };
    char out[256], scratch[256];
    mw_span u, t;
    mw_error err;
    size_t len;
    (void)state;
    len = check_caps(xoauth2_enc, &a, out, sizeof out);
    assert_int_equal(len, sizeof want - 1);
    assert_memory_equal(out, want, len);
    assert_int_equal(mw_sasl_xoauth2_parse(out, len, scratch, sizeof scratch,
                                           &u, &t, &err), MW_OK);
    assert_int_equal(u.len, 20);
    assert_memory_equal(u.ptr, "someuser@example.com", 20);
    assert_int_equal(t.len, 45);
    assert_memory_equal(t.ptr, a.t, 45);
    assert_true(t.ptr >= scratch && t.ptr < scratch + sizeof scratch);
}

static void test_xoauth2_encode_injection(void **state)
{
    char out[256];
    size_t len = 0;
    static const char bad[] = { 0, '\r', '\n', 0x01 };
    (void)state;
    for (size_t i = 0; i < sizeof bad; i++) {
        char u[] = "us?r@example.com";
        char t[] = "abc?def";
        u[2] = bad[i];
        t[3] = bad[i];
        assert_int_equal(mw_sasl_xoauth2_encode(u, strlen("us?r@example.com"),
                                                L("tok"), out, sizeof out,
                                                &len), MW_E_INVAL);
        assert_int_equal(mw_sasl_xoauth2_encode(L("u@x"), t, 7, out,
                                                sizeof out, &len), MW_E_INVAL);
    }
    /* token must be a b64token: no space, no '@', '=' only at the end */
    assert_int_equal(mw_sasl_xoauth2_encode(L("u@x"), L("ab cd"), out,
                                            sizeof out, &len), MW_E_INVAL);
    assert_int_equal(mw_sasl_xoauth2_encode(L("u@x"), L("ab=cd"), out,
                                            sizeof out, &len), MW_E_INVAL);
    assert_int_equal(mw_sasl_xoauth2_encode(L("u@x"), L("="), out, sizeof out,
                                            &len), MW_E_INVAL);
    assert_int_equal(mw_sasl_xoauth2_encode(L("u@x"), L("aB0-._~+/=="), out,
                                            sizeof out, &len), MW_OK);
    /* empties, bad UTF-8, NULL */
    assert_int_equal(mw_sasl_xoauth2_encode("", 0, L("t"), out, sizeof out,
                                            &len), MW_E_INVAL);
    assert_int_equal(mw_sasl_xoauth2_encode(L("u"), "", 0, out, sizeof out,
                                            &len), MW_E_INVAL);
    assert_int_equal(mw_sasl_xoauth2_encode(L("\xc3"), L("t"), out,
                                            sizeof out, &len), MW_E_INVAL);
    assert_int_equal(mw_sasl_xoauth2_encode(NULL, 1, L("t"), out, sizeof out,
                                            &len), MW_E_INVAL);
    /* UTF-8 user passes and round-trips */
    {
        char scratch[256];
        mw_span u, t;
        assert_int_equal(mw_sasl_xoauth2_encode(L("j\xc3\xbcrgen@b\xc3\xbc.de"),
                                                L("t"), out, sizeof out, &len),
                         MW_OK);
        assert_int_equal(mw_sasl_xoauth2_parse(out, len, scratch,
                                               sizeof scratch, &u, &t, NULL),
                         MW_OK);
        assert_int_equal(u.len, 14);
        assert_memory_equal(u.ptr, "j\xc3\xbcrgen@b\xc3\xbc.de", 14);
    }
}

static void expect_xoauth2_bad(const char *raw, size_t n, int code,
                               size_t doff)
{
    char scratch[512];
    mw_span u = { NULL, 0 }, t = { NULL, 0 };
    mw_error err;
    const char *in = b64(raw, n);
    size_t want = (doff == SIZE_MAX) ? strlen(in) : (doff / 3) * 4 + doff % 3;
    int rc;
    memset(&err, 0, sizeof err);
    rc = mw_sasl_xoauth2_parse(in, strlen(in), scratch, sizeof scratch, &u,
                               &t, &err);
    if (rc != code || err.offset != want)
        print_error("xoauth2: rc %s off %zu (want %s %zu) %s\n",
                    mw_status_name(rc), err.offset, mw_status_name(code), want,
                    err.reason ? err.reason : "");
    assert_int_equal(rc, code);
    assert_int_equal(err.offset, want);
    assert_null(u.ptr);
    assert_null(t.ptr);
}

static void test_xoauth2_parse_malformed(void **state)
{
    char scratch[128];
    mw_span u, t;
    mw_error err;
    (void)state;
    /* doff: decoded offset of the problem; SIZE_MAX: end of base64 */
    expect_xoauth2_bad(L("user=a@b\1auth=Bearer tok\1"), MW_E_SYNTAX, 25);
    expect_xoauth2_bad(L("user=a@b\1auth=Bearer tok"), MW_E_SYNTAX, 24);
    expect_xoauth2_bad(L("user=a@b\1\1"), MW_E_SYNTAX, SIZE_MAX);
    expect_xoauth2_bad(L("auth=Bearer tok\1\1"), MW_E_SYNTAX, SIZE_MAX);
    expect_xoauth2_bad(L("user=a@b\1user=c@d\1auth=Bearer t\1\1"),
                       MW_E_SYNTAX, 9);
    expect_xoauth2_bad(L("user=a@b\1auth=Bearer t\1auth=Bearer u\1\1"),
                       MW_E_SYNTAX, 23);
    expect_xoauth2_bad(L("user=a@b\1auth=Basic dG9r\1\1"), MW_E_SYNTAX, 14);
    expect_xoauth2_bad(L("user=a@b\1auth=Bearertok\1\1"), MW_E_SYNTAX, 20);
    expect_xoauth2_bad(L("user=a@b\1auth=Bearer \1\1"), MW_E_SYNTAX, 21);
    expect_xoauth2_bad(L("user=a@b\1auth=Bearer to k\1\1"), MW_E_SYNTAX, 23);
    expect_xoauth2_bad(L("user=a@b\1auth=Bearer t=k\1\1"), MW_E_SYNTAX, 23);
    expect_xoauth2_bad(L("user=a@b\1auth=Bearer tok\1\1x"), MW_E_SYNTAX, 26);
    expect_xoauth2_bad(L("user=a@b\1auth=Bearer tok\1\1\1"), MW_E_SYNTAX, 26);
    expect_xoauth2_bad(L("us3r=a\1auth=Bearer t\1\1"), MW_E_SYNTAX, 2);
    expect_xoauth2_bad(L("=a\1auth=Bearer t\1\1"), MW_E_SYNTAX, 0);
    expect_xoauth2_bad(L("user\1auth=Bearer t\1\1"), MW_E_SYNTAX, 4);
    expect_xoauth2_bad(L("user=\1auth=Bearer t\1\1"), MW_E_SYNTAX, 5);
    expect_xoauth2_bad(L("user=a\0b\1auth=Bearer t\1\1"), MW_E_SYNTAX, 6);
    expect_xoauth2_bad(L("user=a\r\nb\1auth=Bearer t\1\1"), MW_E_SYNTAX, 5);
    expect_xoauth2_bad(L("user=a\xc0\xaf" "b\1auth=Bearer t\1\1"), MW_E_UTF8, 6);
    expect_xoauth2_bad(L("user=a\1auth=Bearer t\r\n\1\1"), MW_E_SYNTAX, 20);
    expect_xoauth2_bad(L(""), MW_E_SYNTAX, 0);
    expect_xoauth2_bad(L("\1"), MW_E_SYNTAX, SIZE_MAX);

    /* order free, unknown keys ignored (CR/LF allowed there by RFC 7628's
     * value grammar), scheme case-insensitive, several spaces */
    {
        const char *in = b64(L("auth=BEARER   tok==\1x=y\r\n\1user=a@b\1\1"));
        assert_int_equal(mw_sasl_xoauth2_parse(in, strlen(in), scratch,
                                               sizeof scratch, &u, &t, &err),
                         MW_OK);
        assert_int_equal(t.len, 5);
        assert_memory_equal(t.ptr, "tok==", 5);
        assert_int_equal(u.len, 3);
    }
    /* bad base64; scratch too small (decoded 26 bytes) */
    assert_int_equal(mw_sasl_xoauth2_parse(L("dXNl!"), scratch, sizeof scratch,
                                           &u, &t, &err), MW_E_BASE64);
    assert_int_equal(err.offset, 4);
    {
        const char *in = b64(L("user=a@b\1auth=Bearer tok\1\1"));
        size_t n = strlen(in);
        assert_int_equal(mw_sasl_xoauth2_parse(in, n, scratch, 25, &u, &t,
                                               &err), MW_E_NOSPACE);
        assert_int_equal(mw_sasl_xoauth2_parse(in, n, scratch, 26, &u, &t,
                                               &err), MW_OK);
    }
    assert_int_equal(mw_sasl_xoauth2_parse(NULL, 1, scratch, sizeof scratch,
                                           &u, &t, &err), MW_E_INVAL);
    assert_int_equal(mw_sasl_xoauth2_parse(L("AA=="), scratch, sizeof scratch,
                                           &u, NULL, &err), MW_E_INVAL);
}

/* ================================================================ */
/* OAUTHBEARER                                                       */

static void test_oauthbearer_rfc7628(void **state)
{
    /* RFC 7628 §4.1: the IMAP example's initial client response. */
    static const char want[] =
        "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9"
        "MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZ"
        "Mjl0Q2c9PQEB";
    oauth_in a = { "user@example.com", "server.example.com",
                   "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", 16, 18, 42,
                   143 };
    char out[256], scratch[256];
    mw_span z, h, t;
    unsigned port = 0;
    mw_error err;
    size_t len;
    (void)state;
    len = check_caps(oauthbearer_enc, &a, out, sizeof out);
    assert_int_equal(len, sizeof want - 1);
    assert_memory_equal(out, want, len);

    assert_int_equal(mw_sasl_oauthbearer_parse(L(want), scratch,
                                               sizeof scratch, &z, &h, &port,
                                               &t, &err), MW_OK);
    assert_int_equal(z.len, 16);
    assert_memory_equal(z.ptr, "user@example.com", 16);
    assert_int_equal(h.len, 18);
    assert_memory_equal(h.ptr, "server.example.com", 18);
    assert_int_equal(port, 143);
    assert_int_equal(t.len, 42);
    assert_memory_equal(t.ptr, a.t, 42);
    /* port may be NULL */
    assert_int_equal(mw_sasl_oauthbearer_parse(L(want), scratch,
                                               sizeof scratch, &z, &h, NULL,
                                               &t, &err), MW_OK);
}

static void test_oauthbearer_encode_forms(void **state)
{
    char out[256];
    size_t len = 0;
    (void)state;
    /* no authzid, host or port */
    assert_int_equal(mw_sasl_oauthbearer_encode(NULL, 0, NULL, 0, 0, L("tok"),
                                                out, sizeof out, &len), MW_OK);
    assert_b64_of(out, len, L("n,,\1auth=Bearer tok\1\1"));
    /* escaping of ',' and '=' in the authzid; port edges */
    assert_int_equal(mw_sasl_oauthbearer_encode(L("a,b=c,,=="), L("h"), 1,
                                                L("t"), out, sizeof out, &len),
                     MW_OK);
    assert_b64_of(out, len,
                  L("n,a=a=2Cb=3Dc=2C=2C=3D=3D,\1host=h\1port=1\1auth=Bearer "
                    "t\1\1"));
    assert_int_equal(mw_sasl_oauthbearer_encode(L("u"), NULL, 0, 65535, L("t"),
                                                out, sizeof out, &len), MW_OK);
    assert_b64_of(out, len, L("n,a=u,\1port=65535\1auth=Bearer t\1\1"));
    assert_int_equal(mw_sasl_oauthbearer_encode(L("u"), NULL, 0, 65536, L("t"),
                                                out, sizeof out, &len),
                     MW_E_INVAL);
    /* the escaped authzid round-trips */
    {
        char scratch[256];
        mw_span z, h, t;
        unsigned port;
        assert_int_equal(mw_sasl_oauthbearer_encode(L("a,b=c,,=="), L("h"), 1,
                                                    L("t"), out, sizeof out,
                                                    &len), MW_OK);
        assert_int_equal(mw_sasl_oauthbearer_parse(out, len, scratch,
                                                   sizeof scratch, &z, &h,
                                                   &port, &t, NULL), MW_OK);
        assert_int_equal(z.len, 9);
        assert_memory_equal(z.ptr, "a,b=c,,==", 9);
        assert_int_equal(port, 1);
    }
    /* cap contract with escapes in play */
    {
        oauth_in a = { "x=y", "imap.example.org", "t0k", 3, 16, 3, 993 };
        check_caps(oauthbearer_enc, &a, out, sizeof out);
    }
}

static void test_oauthbearer_encode_injection(void **state)
{
    char out[256];
    size_t len = 0;
    static const char bad[] = { 0, '\r', '\n', 0x01 };
    (void)state;
    for (size_t i = 0; i < sizeof bad; i++) {
        char v[] = "ab?cd";
        v[2] = bad[i];
        assert_int_equal(mw_sasl_oauthbearer_encode(v, 5, L("h"), 1, L("t"),
                                                    out, sizeof out, &len),
                         MW_E_INVAL);
        assert_int_equal(mw_sasl_oauthbearer_encode(L("u"), v, 5, 1, L("t"),
                                                    out, sizeof out, &len),
                         MW_E_INVAL);
        assert_int_equal(mw_sasl_oauthbearer_encode(L("u"), L("h"), 1, v, 5,
                                                    out, sizeof out, &len),
                         MW_E_INVAL);
    }
    /* host is VCHARs: no space, no 8-bit */
    assert_int_equal(mw_sasl_oauthbearer_encode(L("u"), L("h h"), 1, L("t"),
                                                out, sizeof out, &len),
                     MW_E_INVAL);
    assert_int_equal(mw_sasl_oauthbearer_encode(L("u"), L("h\xc3\xa9"), 1,
                                                L("t"), out, sizeof out, &len),
                     MW_E_INVAL);
    /* authzid must be UTF-8; token a non-empty b64token */
    assert_int_equal(mw_sasl_oauthbearer_encode(L("\xff"), L("h"), 1, L("t"),
                                                out, sizeof out, &len),
                     MW_E_INVAL);
    assert_int_equal(mw_sasl_oauthbearer_encode(L("u"), L("h"), 1, "", 0, out,
                                                sizeof out, &len), MW_E_INVAL);
    assert_int_equal(mw_sasl_oauthbearer_encode(L("u"), L("h"), 1, L("t t"),
                                                out, sizeof out, &len),
                     MW_E_INVAL);
    assert_int_equal(mw_sasl_oauthbearer_encode(L("u"), NULL, 1, 1, L("t"), out,
                                                sizeof out, &len), MW_E_INVAL);
    assert_int_equal(mw_sasl_oauthbearer_encode(L("u"), L("h"), 1, L("t"),
                                                NULL, 5, &len), MW_E_INVAL);
}

static void expect_ob(const char *raw, size_t n, int code, size_t doff)
{
    char scratch[512];
    mw_span z = { NULL, 0 }, h = { NULL, 0 }, t = { NULL, 0 };
    unsigned port = 7;
    mw_error err;
    const char *in = b64(raw, n);
    size_t want = (doff == SIZE_MAX) ? strlen(in) : (doff / 3) * 4 + doff % 3;
    int rc;
    memset(&err, 0, sizeof err);
    rc = mw_sasl_oauthbearer_parse(in, strlen(in), scratch, sizeof scratch, &z,
                                   &h, &port, &t, &err);
    if (rc != code || err.offset != want)
        print_error("oauthbearer: rc %s off %zu (want %s %zu) %s\n",
                    mw_status_name(rc), err.offset, mw_status_name(code), want,
                    err.reason ? err.reason : "");
    assert_int_equal(rc, code);
    assert_int_equal(err.code, code);
    assert_int_equal(err.offset, want);
    assert_null(t.ptr);
    assert_int_equal(port, 7);
}

static void test_oauthbearer_parse_malformed(void **state)
{
    (void)state;
    /* curl before 7.61 sent XOAUTH2-style pairs without a GS2 header */
    expect_ob(L("user=user\1host=127.0.0.1\1port=9003\1auth=Bearer "
                "mF_9.B5f-4.1JqM\1\1"), MW_E_SYNTAX, 0);
    /* channel binding, unknown flags, missing commas */
    expect_ob(L("p=tls-unique,,\1auth=Bearer t\1\1"), MW_E_SYNTAX, 0);
    expect_ob(L("F,n,,\1auth=Bearer t\1\1"), MW_E_SYNTAX, 0);
    expect_ob(L("n\1auth=Bearer t\1\1"), MW_E_SYNTAX, 0);
    expect_ob(L("n,a=u\1auth=Bearer t\1\1"), MW_E_SYNTAX, 5);
    expect_ob(L("n,b=u,\1auth=Bearer t\1\1"), MW_E_SYNTAX, 2);
    expect_ob(L("n,au,\1auth=Bearer t\1\1"), MW_E_SYNTAX, 3);
    expect_ob(L("n,a=,\1auth=Bearer t\1\1"), MW_E_SYNTAX, 4);
    /* no kvsep after the header */
    expect_ob(L("n,,auth=Bearer t\1\1"), MW_E_SYNTAX, 3);
    expect_ob(L("n,,"), MW_E_SYNTAX, 3);
    /* escapes: lower case, other codes, cut short */
    expect_ob(L("n,a=a=2c,\1auth=Bearer t\1\1"), MW_E_SYNTAX, 5);
    expect_ob(L("n,a=a=41,\1auth=Bearer t\1\1"), MW_E_SYNTAX, 5);
    expect_ob(L("n,a=a=2,\1auth=Bearer t\1\1"), MW_E_SYNTAX, 5);
    expect_ob(L("n,a=a=,\1auth=Bearer t\1\1"), MW_E_SYNTAX, 5);
    /* forbidden bytes and bad UTF-8 in the authzid */
    expect_ob(L("n,a=a\r\n,\1auth=Bearer t\1\1"), MW_E_SYNTAX, 5);
    expect_ob(L("n,a=a\0,\1auth=Bearer t\1\1"), MW_E_SYNTAX, 5);
    expect_ob(L("n,a=a\1,\1auth=Bearer t\1\1"), MW_E_SYNTAX, 5);
    expect_ob(L("n,a=a\xe0\x80\x80,\1auth=Bearer t\1\1"), MW_E_UTF8, 5);
    /* pairs */
    expect_ob(L("n,,\1host=h\1\1"), MW_E_SYNTAX, SIZE_MAX);
    expect_ob(L("n,,\1auth=Bearer t\1"), MW_E_SYNTAX, 18);
    expect_ob(L("n,,\1auth=Bearer t\1\1\1"), MW_E_SYNTAX, 19);
    expect_ob(L("n,,\1host=a\1host=b\1auth=Bearer t\1\1"), MW_E_SYNTAX, 11);
    expect_ob(L("n,,\1port=1\1port=2\1auth=Bearer t\1\1"), MW_E_SYNTAX, 11);
    expect_ob(L("n,,\1auth=Bearer t\1auth=Bearer t\1\1"), MW_E_SYNTAX, 18);
    expect_ob(L("n,,\1host=a b\1auth=Bearer t\1\1"), MW_E_SYNTAX, 9);
    expect_ob(L("n,,\1host=a\r\n\1auth=Bearer t\1\1"), MW_E_SYNTAX, 9);
    expect_ob(L("n,,\1port=65536\1auth=Bearer t\1\1"), MW_E_SYNTAX, 9);
    expect_ob(L("n,,\1port=\1auth=Bearer t\1\1"), MW_E_SYNTAX, 9);
    expect_ob(L("n,,\1port=14a\1auth=Bearer t\1\1"), MW_E_SYNTAX, 9);
    expect_ob(L("n,,\1port=-1\1auth=Bearer t\1\1"), MW_E_SYNTAX, 9);
    expect_ob(L("n,,\1Auth=Bearer t\1\1"), MW_E_SYNTAX, SIZE_MAX);
    expect_ob(L("n,,\1auth=Basic t\1\1"), MW_E_SYNTAX, 9);
    expect_ob(L("n,,\1auth=Bearer t t\1\1"), MW_E_SYNTAX, 17);
    expect_ob(L("n,,\1auth=Bearer t\r\n\1\1"), MW_E_SYNTAX, 17);
    expect_ob(L("n,,\1x=\0\1auth=Bearer t\1\1"), MW_E_SYNTAX, 6);
    expect_ob(L("n,,\1x=\x7f\1auth=Bearer t\1\1"), MW_E_SYNTAX, 6);
    expect_ob(L("n,,\1k1=v\1auth=Bearer t\1\1"), MW_E_SYNTAX, 5);
    expect_ob(L(""), MW_E_SYNTAX, 0);
    expect_ob(L("\1\1"), MW_E_SYNTAX, 0);
}

static void test_oauthbearer_parse_forms(void **state)
{
    char scratch[256];
    mw_span z, h, t;
    unsigned port = 99;
    mw_error err;
    const char *in;
    (void)state;
    /* "y" flag, no authzid, no host/port, unknown key (CR/LF allowed in its
     * value by RFC 7628), scheme in lower case */
    in = b64(L("y,,\1mfa=a b\r\n\1auth=bearer abc=\1\1"));
    assert_int_equal(mw_sasl_oauthbearer_parse(in, strlen(in), scratch,
                                               sizeof scratch, &z, &h, &port,
                                               &t, &err), MW_OK);
    assert_int_equal(z.len, 0);
    assert_int_equal(h.len, 0);
    assert_int_equal(port, 0);
    assert_int_equal(t.len, 4);
    assert_memory_equal(t.ptr, "abc=", 4);
    /* error acknowledgement: a lone 0x01 ("AQ==") */
    port = 99;
    assert_int_equal(mw_sasl_oauthbearer_parse(L("AQ=="), scratch,
                                               sizeof scratch, &z, &h, &port,
                                               &t, &err), MW_DONE);
    assert_int_equal(z.len, 0);
    assert_int_equal(t.len, 0);
    assert_int_equal(port, 0);
    /* UTF-8 authzid with escapes is unescaped in place */
    in = b64(L("n,a=j\xc3\xbc=3D=2C,\1auth=Bearer t\1\1"));
    assert_int_equal(mw_sasl_oauthbearer_parse(in, strlen(in), scratch,
                                               sizeof scratch, &z, &h, &port,
                                               &t, &err), MW_OK);
    assert_int_equal(z.len, 5);
    assert_memory_equal(z.ptr, "j\xc3\xbc=,", 5);
    assert_ptr_equal(z.ptr, scratch + 4);
    /* scratch capacity: the message decodes to 20 bytes */
    in = b64(L("n,,\1auth=Bearer t\1\1"));
    assert_int_equal(mw_sasl_oauthbearer_parse(in, strlen(in), scratch, 18,
                                               &z, &h, &port, &t, &err),
                     MW_E_NOSPACE);
    assert_int_equal(mw_sasl_oauthbearer_parse(in, strlen(in), scratch, 19,
                                               &z, &h, &port, &t, &err),
                     MW_OK);
    assert_int_equal(mw_sasl_oauthbearer_parse(L("bix*"), scratch,
                                               sizeof scratch, &z, &h, &port,
                                               &t, &err), MW_E_BASE64);
    assert_int_equal(err.offset, 3);
    assert_int_equal(mw_sasl_oauthbearer_parse(L("AA=="), scratch,
                                               sizeof scratch, NULL, &h, &port,
                                               &t, &err), MW_E_INVAL);
}
#endif

/* ================================================================ */
/* Generic hook                                                      */

/* A client mechanism run through the hook type: PLAIN as an initial
 * response, and a cancel on any challenge. */
static int plain_step(void *user, const char *challenge, size_t clen,
                      char *response, size_t cap, size_t *rlen)
{
    static const char msg[] = "\0tim\0tanstaaftanstaaf";
    (void)user;
    (void)clen;
    if (challenge != NULL)
        return MW_E_SEQUENCE;
    if (cap < sizeof msg - 1)
        return MW_E_NOSPACE;
    memcpy(response, msg, sizeof msg - 1);
    *rlen = sizeof msg - 1;
    return MW_DONE;
}

static void test_step_hook(void **state)
{
    mw_sasl_step_fn f = plain_step;
    char resp[64], enc[64];
    size_t rlen = 0, elen = 0;
    (void)state;
    assert_int_equal(f(NULL, NULL, 0, resp, sizeof resp, &rlen), MW_DONE);
    assert_int_equal(mw_base64_encode(resp, rlen, enc, sizeof enc, &elen),
                     MW_OK);
    assert_memory_equal(enc, "AHRpbQB0YW5zdGFhZnRhbnN0YWFm", elen);
    assert_int_equal(f(NULL, "", 0, resp, sizeof resp, &rlen), MW_E_SEQUENCE);
    assert_int_equal(f(NULL, NULL, 0, resp, 5, &rlen), MW_E_NOSPACE);
}

#if MW_ENABLE_SASL_CRAM_MD5
/* ABI (issue 9): a binding that cannot read the struct places it in
 * mw_md5_sizeof() bytes of its own. Here those bytes come from
 * malloc, so that ASan reports a size too small when it is used. */
static void test_md5_sizeof(void **state)
{
    /* RFC 1321 appendix A.5: MD5 ("abc") */
    static const uint8_t want[MW_MD5_LEN] = {
        0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0,
        0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72};
    uint8_t got[MW_MD5_LEN];
    mw_md5 *c;
    (void)state;
    assert_int_equal(mw_md5_sizeof(), sizeof(mw_md5));
    c = malloc(mw_md5_sizeof());
    assert_non_null(c);
    mw_md5_init(c);
    mw_md5_update(c, "ab", 2);
    mw_md5_update(c, "c", 1);
    mw_md5_final(c, got);
    assert_memory_equal(got, want, MW_MD5_LEN);
    free(c);
}
#endif

#if !MW_ENABLE_SASL_CRAM_MD5
/* Compiled out (features.h): every APOP and CRAM-MD5 function keeps its
 * symbol and refuses with MW_E_UNSUPPORTED; MD5, which cannot report a
 * status, writes a digest of zeros (never the real one). */
static void test_cram_md5_compiled_out(void **state)
{
    static const char ts[] = "<1896.697170952@dbc.mtview.ca.us>";
    char hex[MW_MD5_HEX_LEN];
    char out[64];
    uint8_t d[MW_MD5_LEN];
    mw_span sp, u, dg;
    mw_error err;
    size_t n = 0;
    (void)state;
    memset(&err, 0, sizeof err);
    assert_int_equal(mw_sasl_apop_find_timestamp(L("+OK <a@b>"), &sp),
                     MW_E_UNSUPPORTED);
    assert_int_equal(mw_sasl_apop_digest(L(ts), L("tanstaaf"), hex),
                     MW_E_UNSUPPORTED);
    assert_int_equal(mw_sasl_apop_check(L(ts), L("tanstaaf"),
                                        L("c4c9334bac560ecc979e58001b3e22fb")),
                     MW_E_UNSUPPORTED);
    assert_int_equal(mw_sasl_cram_md5_response(L("tim"), L("tanstaaftanstaaf"),
                                               L("<1@x>"), out, sizeof out, &n),
                     MW_E_UNSUPPORTED);
    assert_int_equal(mw_sasl_cram_md5_parse(L("tim b913a602c7eda7a495b4e6e7334d3890"),
                                            &u, &dg, &err),
                     MW_E_UNSUPPORTED);
    assert_int_equal(err.code, MW_E_UNSUPPORTED);
    assert_non_null(err.reason);
    assert_int_equal(mw_sasl_cram_md5_check(L("<1@x>"), L("s"),
                                            L("b913a602c7eda7a495b4e6e7334d3890")),
                     MW_E_UNSUPPORTED);
    memset(d, 0xaa, sizeof d);
    mw_md5_sum("abc", 3, d);
    assert_memory_equal(d, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", MW_MD5_LEN);
    memset(d, 0xaa, sizeof d);
    mw_hmac_md5("k", 1, "m", 1, d);
    assert_memory_equal(d, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", MW_MD5_LEN);
    assert_int_equal(mw_md5_sizeof(), sizeof(mw_md5));
}
#endif

#if !MW_ENABLE_SASL_OAUTH
/* Compiled out (features.h): XOAUTH2 and OAUTHBEARER refuse. */
static void test_oauth_compiled_out(void **state)
{
    char out[256], scratch[256];
    mw_span a, b, t;
    unsigned port = 0;
    mw_error err;
    size_t n = 0;
    (void)state;
    assert_int_equal(mw_sasl_xoauth2_encode(L("u@x"), L("tok"), out,
                                            sizeof out, &n),
                     MW_E_UNSUPPORTED);
    assert_int_equal(mw_sasl_oauthbearer_encode(L("u@x"), L("h"), 993,
                                                L("tok"), out, sizeof out, &n),
                     MW_E_UNSUPPORTED);
    memset(&err, 0, sizeof err);
    assert_int_equal(mw_sasl_xoauth2_parse(L("dXNlcj0BAQ=="), scratch,
                                           sizeof scratch, &a, &t, &err),
                     MW_E_UNSUPPORTED);
    assert_int_equal(err.code, MW_E_UNSUPPORTED);
    assert_non_null(err.reason);
    memset(&err, 0, sizeof err);
    assert_int_equal(mw_sasl_oauthbearer_parse(L("bixhPXUsAQEB"), scratch,
                                               sizeof scratch, &a, &b, &port,
                                               &t, &err),
                     MW_E_UNSUPPORTED);
    assert_int_equal(err.code, MW_E_UNSUPPORTED);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
#if MW_ENABLE_SASL_CRAM_MD5
        cmocka_unit_test(test_md5_rfc1321),
        cmocka_unit_test(test_md5_padding_boundaries),
        cmocka_unit_test(test_md5_streaming),
        cmocka_unit_test(test_md5_fork_and_reuse),
        cmocka_unit_test(test_md5_large),
        cmocka_unit_test(test_hmac_md5_rfc2202),
        cmocka_unit_test(test_hmac_md5_key_lengths),
#endif
        cmocka_unit_test(test_hex_lower),
#if MW_ENABLE_SASL_CRAM_MD5
        cmocka_unit_test(test_apop_rfc1939),
        cmocka_unit_test(test_apop_timestamp_rule),
        cmocka_unit_test(test_apop_find_timestamp),
        cmocka_unit_test(test_apop_find_timestamp_hostile),
        cmocka_unit_test(test_apop_find_timestamp_valid_long),
        cmocka_unit_test(test_cram_md5_rfc2195),
        cmocka_unit_test(test_cram_md5_response_args),
        cmocka_unit_test(test_cram_md5_parse_bad),
#endif
        cmocka_unit_test(test_plain_rfc4616),
        cmocka_unit_test(test_plain_encode_caps_and_injection),
        cmocka_unit_test(test_plain_decode_malformed),
        cmocka_unit_test(test_plain_decode_base64_and_space),
        cmocka_unit_test(test_plain_part_limits),
        cmocka_unit_test(test_login),
#if MW_ENABLE_SASL_OAUTH
        cmocka_unit_test(test_xoauth2_google_example),
        cmocka_unit_test(test_xoauth2_encode_injection),
        cmocka_unit_test(test_xoauth2_parse_malformed),
        cmocka_unit_test(test_oauthbearer_rfc7628),
        cmocka_unit_test(test_oauthbearer_encode_forms),
        cmocka_unit_test(test_oauthbearer_encode_injection),
        cmocka_unit_test(test_oauthbearer_parse_malformed),
        cmocka_unit_test(test_oauthbearer_parse_forms),
#endif
        cmocka_unit_test(test_step_hook),
#if MW_ENABLE_SASL_CRAM_MD5
        cmocka_unit_test(test_md5_sizeof),
#else
        cmocka_unit_test(test_cram_md5_compiled_out),
#endif
#if !MW_ENABLE_SASL_OAUTH
        cmocka_unit_test(test_oauth_compiled_out),
#endif
    };
    return cmocka_run_group_tests_name("sasl", tests, NULL, NULL);
}
