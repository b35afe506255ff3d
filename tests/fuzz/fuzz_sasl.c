/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the SASL mechanisms and digests
 * (include/mailwire/sasl.h, lib/core/sasl.c).
 *
 * Input: byte 0 picks what is fed the rest (low 3 bits) and options (the
 * other bits):
 *   0 PLAIN (RFC 4616): mw_sasl_plain_decode(), max_part 255 or unlimited
 *     (bit 3); on MW_OK the parts lie in the scratch buffer, hold no NUL,
 *     and mw_sasl_plain_encode() of them gives back the input (strict
 *     base64 has one encoding per message); one byte less of scratch
 *     gives NOSPACE.
 *   1 LOGIN: mw_sasl_login_decode(); on MW_OK no NUL and
 *     mw_sasl_login_encode() gives back the input; NOSPACE reports the
 *     same length and leaves a prefix.
 *   2 CRAM-MD5 (RFC 2195): mw_sasl_cram_md5_parse() of the raw response;
 *     user and digest lie in the input at its start and end around the
 *     last space; mw_sasl_cram_md5_check() of the digest is OK or AUTH,
 *     never SYNTAX; mw_sasl_cram_md5_response() for that user parses back
 *     to the same user and a digest the check accepts.
 *   3 XOAUTH2: mw_sasl_xoauth2_parse(); spans in the scratch buffer; the
 *     encoder takes the parsed values (or refuses only a control byte in
 *     the user) and its output parses back to the same values.
 *   4 OAUTHBEARER (RFC 7628): mw_sasl_oauthbearer_parse(); MW_DONE only
 *     for "AQ==" with empty spans and port 0; on MW_OK the encoder's
 *     output of the parsed values parses back to the same values.
 *   5 APOP (RFC 1939 §7): mw_sasl_apop_find_timestamp() over the input as
 *     a greeting; a found timestamp is in the input and has the rule's
 *     shape; its digest (secret = byte 0) passes mw_sasl_apop_check() in
 *     lower and upper case and fails with one digit changed; the digest of
 *     the whole input is computed exactly when the whole input is the
 *     timestamp found.
 *   6 encoders: the rest split at 0xFF bytes into authzid, authcid/user,
 *     password/token, host, and a port byte pair; every encoder that
 *     accepts the values writes base64 that its parser reads back to the
 *     same values; one byte short of room gives NOSPACE and writes
 *     nothing.
 *   7 MD5 and HMAC-MD5: the streaming digest over a split chosen by byte 1
 *     equals the one-shot digest; HMAC with a key over 64 bytes equals
 *     HMAC with the key's digest (RFC 2104 §2); hex is lower case.
 * Every status is MW_OK (or MW_DONE where documented) or a negative code;
 * errors fill mw_error with the same code and an offset inside the input;
 * each case runs twice and must give the same results (deterministic).
 * The input is copied into an exact-size heap buffer and scratch buffers
 * are exact-size heap buffers, so ASan sees any access past either.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/features.h"
#include "mailwire/sasl.h"

#include "fuzz_util.h"

/* A span lies inside [base, base + len) (an empty span may also sit at
 * the end). */
static int inside(mw_span s, const char *base, size_t len)
{
    if (s.ptr == NULL)
        return s.len == 0;
    if (s.ptr < base || s.ptr > base + len)
        return 0;
    return s.len <= len - (size_t)(s.ptr - base);
}

static int span_eq(mw_span a, mw_span b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static int has_byte(mw_span s, unsigned char c)
{
    return s.len > 0 && memchr(s.ptr, c, s.len) != NULL;
}

/* A control byte the OAuth encoders refuse (all but HTAB, and DEL). */
static int has_ctl(mw_span s)
{
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return 1;
    }
    return 0;
}

/* The status and error of a parser call. */
static void check_status(int r, const mw_error *err, size_t n)
{
    CHECK(r == MW_OK || r < 0);
    if (r < 0) {
        CHECK(err->code == r);
        CHECK(err->reason != NULL);
        CHECK(err->offset <= n);
    }
}

/* Scratch size for n characters of base64: the documented 3 * n / 4. */
static size_t scratch_len(size_t n)
{
    return 3 * n / 4;
}

/* Encode with the size query, the exact room and one byte less: returns
 * the status and the output in *out (exact size, caller frees). */
typedef int (*enc_fn)(const void *a, char *out, size_t cap, size_t *outlen);

static int run_encoder(enc_fn f, const void *a, char **out, size_t *olen)
{
    size_t need = (size_t)-1, got = (size_t)-1;
    char *buf;
    int r = f(a, NULL, 0, &need);
    *out = NULL;
    *olen = 0;
    CHECK(r == MW_OK || r == MW_E_NOSPACE || r == MW_E_INVAL);
    if (r == MW_E_INVAL)
        return r;
    if (r == MW_OK) {
        CHECK(need == 0);
    } else if (need > 0) {
        /* one byte short: NOSPACE, nothing written */
        buf = xmalloc(need);
        memset(buf, 0x5a, need);
        got = (size_t)-1;
        CHECK(f(a, buf, need - 1, &got) == MW_E_NOSPACE);
        CHECK(got == need);
        for (size_t i = 0; i < need; i++)
            CHECK(buf[i] == 0x5a);
        free(buf);
    }
    buf = xmalloc(need);
    r = f(a, buf, need, &got);
    CHECK(r == MW_OK);
    CHECK(got == need);
    for (size_t i = 0; i < got; i++)
        CHECK(buf[i] != '\r' && buf[i] != '\n' && buf[i] != '\0');
    *out = buf;
    *olen = got;
    return r;
}

/* ---- encoder adaptors -------------------------------------------------- */

typedef struct fields {
    mw_span z, c, p, h; /* authzid, authcid/user, passwd/token, host */
    unsigned port;
} fields;

static int enc_plain(const void *a, char *out, size_t cap, size_t *ol)
{
    const fields *f = a;
    return mw_sasl_plain_encode(f->z.ptr, f->z.len, f->c.ptr, f->c.len,
                                f->p.ptr, f->p.len, out, cap, ol);
}

static int enc_login(const void *a, char *out, size_t cap, size_t *ol)
{
    const mw_span *s = a;
    return mw_sasl_login_encode(s->ptr, s->len, out, cap, ol);
}

static int enc_xoauth2(const void *a, char *out, size_t cap, size_t *ol)
{
    const fields *f = a;
    return mw_sasl_xoauth2_encode(f->c.ptr, f->c.len, f->p.ptr, f->p.len,
                                  out, cap, ol);
}

static int enc_oauthbearer(const void *a, char *out, size_t cap, size_t *ol)
{
    const fields *f = a;
    return mw_sasl_oauthbearer_encode(f->z.ptr, f->z.len, f->h.ptr,
                                      f->h.len, f->port, f->p.ptr, f->p.len,
                                      out, cap, ol);
}

/* ---- parsers, each returning a summary for the determinism check ------- */

/* 0: PLAIN. */
static int do_plain(const char *in, size_t n, unsigned opt, int roundtrip)
{
    size_t cap = scratch_len(n), maxp = (opt & 1) ? MW_SASL_PLAIN_MAX_PART
                                                   : (size_t)-1;
    char *sc = xmalloc(cap);
    mw_span z, c, p;
    mw_error err;
    int r;

    memset(&err, 0, sizeof err);
    r = mw_sasl_plain_decode(in, n, maxp, sc, cap, &z, &c, &p, &err);
    check_status(r, &err, n);
    if (r == MW_OK && roundtrip) {
        fields f;
        char *enc;
        size_t elen, dlen = z.len + c.len + p.len + 2;
        CHECK(inside(z, sc, cap) && inside(c, sc, cap) && inside(p, sc, cap));
        CHECK(c.len > 0 && p.len > 0 && dlen <= cap);
        CHECK(!has_byte(z, 0) && !has_byte(c, 0) && !has_byte(p, 0));
        CHECK(z.len <= maxp && c.len <= maxp && p.len <= maxp);
        memset(&f, 0, sizeof f);
        f.z = z;
        f.c = c;
        f.p = p;
        CHECK(run_encoder(enc_plain, &f, &enc, &elen) == MW_OK);
        CHECK(elen == n && memcmp(enc, in, n) == 0);
        free(enc);
        if (dlen > 0) {
            char *sm = xmalloc(dlen - 1);
            CHECK(mw_sasl_plain_decode(in, n, maxp, sm, dlen - 1, &z, &c, &p,
                                       NULL) == MW_E_NOSPACE);
            free(sm);
        }
    }
    free(sc);
    return r;
}

/* 1: LOGIN. */
static int do_login(const char *in, size_t n, int roundtrip)
{
    size_t cap = scratch_len(n), got = (size_t)-1;
    char *sc = xmalloc(cap);
    mw_error err;
    int r;

    memset(&err, 0, sizeof err);
    r = mw_sasl_login_decode(in, n, sc, cap, &got, &err);
    check_status(r, &err, n);
    if (r == MW_OK && roundtrip) {
        mw_span s;
        char *enc;
        size_t elen;
        CHECK(got <= cap);
        s.ptr = sc;
        s.len = got;
        CHECK(!has_byte(s, 0));
        CHECK(run_encoder(enc_login, &s, &enc, &elen) == MW_OK);
        CHECK(elen == n && memcmp(enc, in, n) == 0);
        free(enc);
        if (got > 0) {
            char *sm = xmalloc(got - 1);
            size_t need = 0;
            CHECK(mw_sasl_login_decode(in, n, sm, got - 1, &need, NULL) ==
                  MW_E_NOSPACE);
            CHECK(need == got);
            CHECK(got == 1 || memcmp(sm, sc, got - 1) == 0);
            free(sm);
        }
    }
    free(sc);
    return r;
}

/* 2: CRAM-MD5 response, raw (the machines decode the base64). */
static int do_cram(const char *in, size_t n, unsigned opt, int roundtrip)
{
    mw_span user, dig;
    mw_error err;
    int r;

    memset(&err, 0, sizeof err);
    r = mw_sasl_cram_md5_parse(in, n, &user, &dig, &err);
    check_status(r, &err, n);
    if (r == MW_OK && roundtrip) {
        /* challenge and secret: halves of the user name */
        const char *chal = user.ptr, *sec = user.ptr + user.len / 2;
        size_t clen = user.len / 2, slen = user.len - user.len / 2;
        size_t rl = user.len + 1 + MW_MD5_HEX_LEN, got = 0;
        char *resp = xmalloc(rl);
        mw_span u2, d2;
        int c;
        CHECK(inside(user, in, n) && inside(dig, in, n));
        CHECK(user.ptr == in && user.len > 0);
        CHECK(dig.len == MW_MD5_HEX_LEN && dig.ptr + dig.len == in + n);
        CHECK(user.len + 1 + dig.len == n && in[user.len] == ' ');
        CHECK(!has_byte(user, 0) && !has_byte(user, '\r') &&
              !has_byte(user, '\n'));
        c = mw_sasl_cram_md5_check(chal, clen, sec, slen, dig.ptr, dig.len);
        CHECK(c == MW_OK || c == MW_E_AUTH);
        if (opt & 1) {
            chal = ""; /* an empty challenge */
            clen = 0;
        }
        CHECK(mw_sasl_cram_md5_response(user.ptr, user.len, sec, slen, chal,
                                        clen, resp, rl, &got) == MW_OK);
        CHECK(got == rl);
        CHECK(mw_sasl_cram_md5_parse(resp, got, &u2, &d2, NULL) == MW_OK);
        CHECK(span_eq(u2, user));
        CHECK(mw_sasl_cram_md5_check(chal, clen, sec, slen, d2.ptr, d2.len) ==
              MW_OK);
        free(resp);
    }
    return r;
}

/* 3: XOAUTH2. */
static int do_xoauth2(const char *in, size_t n, int roundtrip)
{
    size_t cap = scratch_len(n);
    char *sc = xmalloc(cap);
    mw_span user, tok;
    mw_error err;
    int r;

    memset(&err, 0, sizeof err);
    r = mw_sasl_xoauth2_parse(in, n, sc, cap, &user, &tok, &err);
    check_status(r, &err, n);
    if (r == MW_OK && roundtrip) {
        fields f;
        char *enc;
        size_t elen;
        int e;
        CHECK(inside(user, sc, cap) && inside(tok, sc, cap));
        CHECK(user.len > 0 && tok.len > 0);
        CHECK(!has_byte(user, 0) && !has_byte(user, '\r') &&
              !has_byte(user, '\n') && !has_byte(user, 1));
        CHECK(!has_ctl(tok));
        memset(&f, 0, sizeof f);
        f.c = user;
        f.p = tok;
        e = run_encoder(enc_xoauth2, &f, &enc, &elen);
        if (e == MW_OK) {
            size_t c2 = scratch_len(elen);
            char *s2 = xmalloc(c2);
            mw_span u2, t2;
            CHECK(mw_sasl_xoauth2_parse(enc, elen, s2, c2, &u2, &t2, NULL) ==
                  MW_OK);
            CHECK(span_eq(u2, user) && span_eq(t2, tok));
            free(s2);
            free(enc);
        } else {
            /* the encoder is stricter only about control bytes */
            CHECK(has_ctl(user));
        }
    }
    free(sc);
    return r;
}

/* 4: OAUTHBEARER. */
static int do_oauthbearer(const char *in, size_t n, int roundtrip)
{
    size_t cap = scratch_len(n);
    char *sc = xmalloc(cap);
    mw_span az, host, tok;
    unsigned port = 99999;
    mw_error err;
    int r;

    memset(&err, 0, sizeof err);
    r = mw_sasl_oauthbearer_parse(in, n, sc, cap, &az, &host, &port, &tok,
                                  &err);
    CHECK(r == MW_DONE || r == MW_OK || r < 0);
    if (r != MW_DONE)
        check_status(r, &err, n);
    if (r == MW_DONE) {
        CHECK(n == 4 && memcmp(in, "AQ==", 4) == 0);
        CHECK(az.len == 0 && host.len == 0 && tok.len == 0 && port == 0);
    }
    if (r == MW_OK && roundtrip) {
        fields f;
        char *enc;
        size_t elen;
        int e;
        CHECK(inside(az, sc, cap) && inside(host, sc, cap) &&
              inside(tok, sc, cap));
        CHECK(tok.len > 0 && port <= 65535);
        CHECK(!has_byte(az, 0) && !has_byte(az, '\r') && !has_byte(az, '\n') &&
              !has_byte(az, 1));
        for (size_t i = 0; i < host.len; i++)
            CHECK(host.ptr[i] > 0x20 && host.ptr[i] < 0x7f);
        CHECK(!has_ctl(tok));
        memset(&f, 0, sizeof f);
        f.z = az;
        f.h = host;
        f.p = tok;
        f.port = port;
        e = run_encoder(enc_oauthbearer, &f, &enc, &elen);
        if (e == MW_OK) {
            size_t c2 = scratch_len(elen);
            char *s2 = xmalloc(c2);
            mw_span a2, h2, t2;
            unsigned p2 = 99999;
            CHECK(mw_sasl_oauthbearer_parse(enc, elen, s2, c2, &a2, &h2, &p2,
                                            &t2, NULL) == MW_OK);
            CHECK(span_eq(a2, az) && span_eq(h2, host) && span_eq(t2, tok));
            CHECK(p2 == port);
            free(s2);
            free(enc);
        } else {
            CHECK(has_ctl(az));
        }
    }
    free(sc);
    return r;
}

/* The APOP timestamp rule of sasl.h. */
static int apop_shape(const char *t, size_t n)
{
    int at = 0;
    if (n < 4 || t[0] != '<' || t[n - 1] != '>')
        return 0;
    for (size_t i = 1; i + 1 < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c < 0x21 || c > 0x7e || c == '<' || c == '>')
            return 0;
        if (c == '@' && i > 1 && i + 2 < n)
            at = 1;
    }
    return at;
}

/* 5: APOP. */
static int do_apop(const char *in, size_t n, unsigned opt, int roundtrip)
{
    char sec = (char)opt, dig[MW_MD5_HEX_LEN], up[MW_MD5_HEX_LEN];
    mw_span ts;
    int r, w;

    ts.ptr = NULL;
    ts.len = 0;
    r = mw_sasl_apop_find_timestamp(in, n, &ts);
    CHECK(r == MW_OK || r == MW_E_NOT_FOUND);
    w = mw_sasl_apop_digest(in, n, &sec, 1, dig);
    CHECK(w == MW_OK || w == MW_E_SYNTAX);
    CHECK((w == MW_OK) == apop_shape(in, n));
    if (w == MW_OK)
        CHECK(r == MW_OK && ts.ptr == in && ts.len == n);
    if (r == MW_OK && roundtrip) {
        CHECK(inside(ts, in, n));
        CHECK(apop_shape(ts.ptr, ts.len));
        CHECK(mw_sasl_apop_digest(ts.ptr, ts.len, &sec, 1, dig) == MW_OK);
        for (size_t i = 0; i < MW_MD5_HEX_LEN; i++) {
            CHECK((dig[i] >= '0' && dig[i] <= '9') ||
                  (dig[i] >= 'a' && dig[i] <= 'f'));
            up[i] = (dig[i] >= 'a') ? (char)(dig[i] - 32) : dig[i];
        }
        CHECK(mw_sasl_apop_check(ts.ptr, ts.len, &sec, 1, dig,
                                 MW_MD5_HEX_LEN) == MW_OK);
        CHECK(mw_sasl_apop_check(ts.ptr, ts.len, &sec, 1, up,
                                 MW_MD5_HEX_LEN) == MW_OK);
        up[opt % MW_MD5_HEX_LEN] = up[opt % MW_MD5_HEX_LEN] == '0' ? '1' : '0';
        CHECK(mw_sasl_apop_check(ts.ptr, ts.len, &sec, 1, up,
                                 MW_MD5_HEX_LEN) == MW_E_AUTH);
        CHECK(mw_sasl_apop_check(ts.ptr, ts.len, &sec, 1, dig,
                                 MW_MD5_HEX_LEN - 1) == MW_E_SYNTAX);
    }
    return r;
}

/* 6: encoders and back. */
static int do_encoders(const char *in, size_t n)
{
    mw_span part[4];
    fields f;
    size_t k = 0, start = 0;
    char *enc;
    size_t elen;
    int res = 0;

    memset(part, 0, sizeof part);
    for (size_t i = 0; i <= n && k < 4; i++) {
        if (i == n || (unsigned char)in[i] == 0xff) {
            part[k].ptr = in + start;
            part[k].len = i - start;
            k++;
            start = i + 1;
        }
    }
    memset(&f, 0, sizeof f);
    f.z = part[0];
    f.c = part[1];
    f.p = part[2];
    f.h = part[3];
    f.port = n >= 2 ? (unsigned)(((unsigned char)in[n - 2] << 8) |
                                 (unsigned char)in[n - 1]) *
                          ((unsigned char)in[0] & 1u)
                    : 0;

    if (run_encoder(enc_plain, &f, &enc, &elen) == MW_OK) {
        size_t cap = scratch_len(elen);
        char *sc = xmalloc(cap);
        mw_span z, c, p;
        CHECK(mw_sasl_plain_decode(enc, elen, (size_t)-1, sc, cap, &z, &c, &p,
                                   NULL) == MW_OK);
        CHECK(span_eq(z, f.z) && span_eq(c, f.c) && span_eq(p, f.p));
        free(sc);
        free(enc);
        res |= 1;
    }
    if (run_encoder(enc_login, &f.c, &enc, &elen) == MW_OK) {
        size_t cap = scratch_len(elen), got = 0;
        char *sc = xmalloc(cap);
        CHECK(mw_sasl_login_decode(enc, elen, sc, cap, &got, NULL) == MW_OK);
        CHECK(got == f.c.len && (got == 0 || memcmp(sc, f.c.ptr, got) == 0));
        free(sc);
        free(enc);
        res |= 2;
    } else {
        CHECK(has_byte(f.c, 0));
    }
#if MW_ENABLE_SASL_OAUTH
    if (run_encoder(enc_xoauth2, &f, &enc, &elen) == MW_OK) {
        size_t cap = scratch_len(elen);
        char *sc = xmalloc(cap);
        mw_span u, t;
        CHECK(mw_sasl_xoauth2_parse(enc, elen, sc, cap, &u, &t, NULL) == MW_OK);
        CHECK(span_eq(u, f.c) && span_eq(t, f.p));
        free(sc);
        free(enc);
        res |= 4;
    }
    if (run_encoder(enc_oauthbearer, &f, &enc, &elen) == MW_OK) {
        size_t cap = scratch_len(elen);
        char *sc = xmalloc(cap);
        mw_span a, h, t;
        unsigned port = 99999;
        CHECK(mw_sasl_oauthbearer_parse(enc, elen, sc, cap, &a, &h, &port, &t,
                                        NULL) == MW_OK);
        CHECK(span_eq(a, f.z) && span_eq(h, f.h) && span_eq(t, f.p));
        CHECK(port == f.port);
        free(sc);
        free(enc);
        res |= 8;
    }
#else
    /* compiled out (features.h): refused, nothing written */
    elen = 0;
    CHECK(enc_xoauth2(&f, NULL, 0, &elen) == MW_E_UNSUPPORTED && elen == 0);
    CHECK(enc_oauthbearer(&f, NULL, 0, &elen) == MW_E_UNSUPPORTED && elen == 0);
#endif
    {
        /* CRAM-MD5: user part, secret part, challenge part */
        size_t rl = f.c.len + 1 + MW_MD5_HEX_LEN, got = 0;
        char *resp = xmalloc(rl);
        mw_span u, d;
        int r = mw_sasl_cram_md5_response(f.c.ptr, f.c.len, f.p.ptr, f.p.len,
                                          f.z.ptr, f.z.len, resp, rl, &got);
#if !MW_ENABLE_SASL_CRAM_MD5
        /* compiled out (features.h): refused, nothing written */
        CHECK(r == MW_E_UNSUPPORTED && got == 0);
#else
        CHECK(r == MW_OK || r == MW_E_INVAL);
        CHECK((r == MW_E_INVAL) == (f.c.len == 0 || has_byte(f.c, 0) ||
                                    has_byte(f.c, '\r') ||
                                    has_byte(f.c, '\n')));
#endif
        if (r == MW_OK) {
            CHECK(got == rl);
            CHECK(mw_sasl_cram_md5_parse(resp, got, &u, &d, NULL) == MW_OK);
            CHECK(span_eq(u, f.c));
            CHECK(mw_sasl_cram_md5_check(f.z.ptr, f.z.len, f.p.ptr, f.p.len,
                                         d.ptr, d.len) == MW_OK);
            if (rl > 1) {
                got = 0;
                CHECK(mw_sasl_cram_md5_response(f.c.ptr, f.c.len, f.p.ptr,
                                                f.p.len, f.z.ptr, f.z.len,
                                                resp, rl - 1,
                                                &got) == MW_E_NOSPACE);
                CHECK(got == rl);
            }
            res |= 16;
        }
        free(resp);
    }
    return res;
}

/* 7: MD5 and HMAC-MD5. */
static int do_md5(const char *in, size_t n, unsigned opt)
{
    uint8_t one[MW_MD5_LEN], two[MW_MD5_LEN], k2[MW_MD5_LEN];
    char hex[MW_MD5_HEX_LEN];
    mw_md5 c, fork;
    size_t cut = n ? (opt * 7u) % (n + 1) : 0, kl;

    mw_md5_sum(in, n, one);
    mw_md5_init(&c);
    mw_md5_update(&c, in, cut);
    fork = c;
    mw_md5_update(&c, in + cut, n - cut);
    mw_md5_final(&c, two);
    CHECK(memcmp(one, two, MW_MD5_LEN) == 0);
    for (size_t i = cut; i < n; i++)
        mw_md5_update(&fork, in + i, 1);
    mw_md5_final(&fork, two);
    CHECK(memcmp(one, two, MW_MD5_LEN) == 0);
    mw_hex_lower(one, MW_MD5_LEN, hex);
    for (size_t i = 0; i < MW_MD5_HEX_LEN; i++)
        CHECK((hex[i] >= '0' && hex[i] <= '9') ||
              (hex[i] >= 'a' && hex[i] <= 'f'));

    /* key = the first `cut` bytes, message = the rest */
    kl = cut;
    mw_hmac_md5(in, kl, in + cut, n - cut, one);
    if (kl > MW_MD5_BLOCK) {
        mw_md5_sum(in, kl, k2);
        mw_hmac_md5(k2, MW_MD5_LEN, in + cut, n - cut, two);
        CHECK(memcmp(one, two, MW_MD5_LEN) == 0);
    }
    return one[0];
}

#if !MW_ENABLE_SASL_CRAM_MD5 || !MW_ENABLE_SASL_OAUTH
/* 2 to 5 with the mechanism compiled out (features.h): every function
 * refuses with MW_E_UNSUPPORTED, the parsers filling `err` (offset 0),
 * and nothing is written. */
static int do_compiled_out(unsigned sel, const char *in, size_t n)
{
    char out[MW_MD5_HEX_LEN + 8], sc[8];
    mw_span a = {NULL, 0}, b = {NULL, 0}, c = {NULL, 0};
    unsigned port = 7;
    size_t got = 0;
    mw_error err;
    int r;

    memset(&err, 0, sizeof err);
    memset(out, 0x5a, sizeof out);
    switch (sel) {
    case 2:
        r = mw_sasl_cram_md5_parse(in, n, &a, &b, &err);
        CHECK(mw_sasl_cram_md5_check(in, n, in, n, in, n) == MW_E_UNSUPPORTED);
        CHECK(mw_sasl_cram_md5_response(in, n, in, n, in, n, out, sizeof out,
                                        &got) == MW_E_UNSUPPORTED);
        break;
    case 3:
        r = mw_sasl_xoauth2_parse(in, n, sc, sizeof sc, &a, &b, &err);
        break;
    case 4:
        r = mw_sasl_oauthbearer_parse(in, n, sc, sizeof sc, &a, &b, &port, &c,
                                      &err);
        break;
    default:
        r = mw_sasl_apop_find_timestamp(in, n, &a);
        CHECK(r == MW_E_UNSUPPORTED);
        CHECK(mw_sasl_apop_digest(in, n, in, n, out) == MW_E_UNSUPPORTED);
        CHECK(mw_sasl_apop_check(in, n, in, n, in, n) == MW_E_UNSUPPORTED);
        err.code = r; /* no mw_error here */
        err.reason = "";
        break;
    }
    CHECK(r == MW_E_UNSUPPORTED);
    CHECK(err.code == r && err.reason != NULL && err.offset == 0);
    CHECK(a.ptr == NULL && b.ptr == NULL && c.ptr == NULL);
    CHECK(port == 7 && got == 0);
    for (size_t i = 0; i < sizeof out; i++)
        CHECK(out[i] == 0x5a);
    return r;
}
#endif

static int run_case(unsigned sel, unsigned opt, const char *in, size_t n,
                    int roundtrip)
{
#if !MW_ENABLE_SASL_CRAM_MD5
    if (sel == 2 || sel == 5)
        return do_compiled_out(sel, in, n);
#endif
#if !MW_ENABLE_SASL_OAUTH
    if (sel == 3 || sel == 4)
        return do_compiled_out(sel, in, n);
#endif
    switch (sel) {
    case 0:
        return do_plain(in, n, opt, roundtrip);
    case 1:
        return do_login(in, n, roundtrip);
    case 2:
        return do_cram(in, n, opt, roundtrip);
    case 3:
        return do_xoauth2(in, n, roundtrip);
    case 4:
        return do_oauthbearer(in, n, roundtrip);
    case 5:
        return do_apop(in, n, opt, roundtrip);
    case 6:
        return do_encoders(in, n);
    default:
        return do_md5(in, n, opt);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned sel, opt;
    size_t n;
    char *in;
    int a, b;

    if (size == 0)
        return 0;
    sel = data[0] & 7u;
    opt = data[0] >> 3;
    n = size - 1;
    in = xmalloc(n);
    if (n)
        memcpy(in, data + 1, n);
    a = run_case(sel, opt, in, n, 1);
    b = run_case(sel, opt, in, n, 0);
    CHECK(a == b); /* deterministic */
    free(in);
    return 0;
}
