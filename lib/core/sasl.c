/* SPDX-License-Identifier: MIT */
/*
 * SASL mechanism messages for the SMTP, POP3 and IMAP machines and their
 * applications: APOP (RFC 1939 §7), CRAM-MD5 (RFC 2195), PLAIN
 * (RFC 4616), LOGIN (draft-murchison-sasl-login), XOAUTH2 and OAUTHBEARER
 * (RFC 7628). Encoders build the message and base64-encode it in one
 * pass into the caller's buffer, without an intermediate copy: a first
 * pass only counts, so that nothing is written when the buffer is too
 * small. Parsers decode the base64 into the caller's scratch buffer and
 * return spans into it. Every function is a single linear scan.
 */
#include "core/internal.h"
#include "mailwire/codec.h"
#include "mailwire/sasl.h"

/* ---------------------------------------------------------------- */

#if MW_ENABLE_SASL_CRAM_MD5
/* 1 when p[0..n) is exactly 32 hex digits (either case). The digest a
 * peer sent is not secret, so an early exit here leaks nothing. */
static int is_hex_digest(const char *p, size_t n)
{
    size_t i;

    if (n != MW_MD5_HEX_LEN)
        return 0;
    for (i = 0; i < n; i++)
        if (mw__hexval((unsigned char)p[i]) < 0)
            return 0;
    return 1;
}

/* Compare a computed digest with a hex digest already checked by
 * is_hex_digest(), in time independent of where they differ: every byte
 * is visited and the differences are OR-ed together. */
static int digest_matches(const uint8_t want[MW_MD5_LEN], const char *hex)
{
    unsigned diff = 0;
    size_t i;

    for (i = 0; i < MW_MD5_LEN; i++) {
        unsigned got = ((unsigned)mw__hexval((unsigned char)hex[2 * i]) << 4) |
                       (unsigned)mw__hexval((unsigned char)hex[2 * i + 1]);
        diff |= got ^ want[i];
    }
    return diff == 0;
}
#endif

static int has_byte(const char *p, size_t n, unsigned char c)
{
    return n > 0 && memchr(p, c, n) != NULL;
}

#if MW_ENABLE_SASL_CRAM_MD5 || MW_ENABLE_SASL_OAUTH
/* 1 when p[0..n) holds none of NUL, CR, LF (and with kvsep set, no other
 * control character but HTAB: 0x01 and DEL included). */
static int clean_value(const char *p, size_t n, int kvsep)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == 0 || c == '\r' || c == '\n')
            return 0;
        /* RFC 7628 §3.1 value: VCHAR, SP, HTAB (CR, LF) and 8-bit only,
         * or the peer's parser (ours included) refuses the message. */
        if (kvsep && ((c < 0x20 && c != '\t') || c == 0x7f))
            return 0;
    }
    return 1;
}
#endif

#if MW_ENABLE_SASL_OAUTH
/* RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" /
 * "+" / "/" ) *"=". Returns n when valid, else the offset of the first
 * byte that breaks the rule (0 for an empty token). */
static size_t b64token_bad(const char *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
            c == '~' || c == '+' || c == '/')
            i++;
        else
            break;
    }
    if (i == 0)
        return 0;
    while (i < n && p[i] == '=')
        i++;
    return i;
}

static int is_b64token(const char *p, size_t n)
{
    return n > 0 && b64token_bad(p, n) == n;
}
#endif

static int is_utf8(const char *p, size_t n)
{
    return mw_utf8_check(p, n, NULL) == MW_OK;
}

/* Offset of the base64 character that carries the first bit of decoded
 * byte d: each 3-byte group is 4 characters, and byte r of a group starts
 * in character r. */
static size_t b64_pos(size_t d)
{
    return (d / 3) * 4 + d % 3;
}

/* ---------------------------------------------------------------- */
/* Base64 writer over a message built in pieces                       */

/* Bytes are gathered three at a time and each full group is encoded
 * with mw_base64_encode() straight into the output. With out == NULL it
 * only counts the message length (the sizing pass). */
typedef struct b64w {
    char *out;
    size_t pos;     /* characters written */
    size_t raw;     /* message bytes seen */
    int overflow;   /* raw would exceed SIZE_MAX */
    uint8_t grp[3];
    unsigned ng;
} b64w;

static void w_init(b64w *w, char *out)
{
    w->out = out;
    w->pos = 0;
    w->raw = 0;
    w->overflow = 0;
    w->ng = 0;
}

static void w_put(b64w *w, const void *data, size_t n)
{
    const uint8_t *p = (const uint8_t *)data;
    size_t i;

    if (w->out == NULL) {
        if (n > SIZE_MAX - w->raw)
            w->overflow = 1;
        else
            w->raw += n;
        return;
    }
    w->raw += n;
    for (i = 0; i < n; i++) {
        w->grp[w->ng++] = p[i];
        if (w->ng == 3) {
            (void)mw_base64_encode(w->grp, 3, w->out + w->pos, 4, NULL);
            w->pos += 4;
            w->ng = 0;
        }
    }
}

#if MW_ENABLE_SASL_OAUTH /* only the OAuth messages have fixed text */
static void w_str(b64w *w, const char *s)
{
    w_put(w, s, strlen(s));
}
#endif

static void w_finish(b64w *w)
{
    if (w->out != NULL && w->ng > 0) {
        (void)mw_base64_encode(w->grp, w->ng, w->out + w->pos, 4, NULL);
        w->pos += 4;
        w->ng = 0;
    }
}

/* The message builders: each writes its whole message into w. */
typedef void (*build_fn)(b64w *w, const void *arg);

/* Run build once to count, check the capacity, then once to write. */
static int encode_built(build_fn build, const void *arg, char *out,
                        size_t cap, size_t *outlen)
{
    b64w w;
    size_t need;

    w_init(&w, NULL);
    build(&w, arg);
    if (w.overflow)
        return MW_E_INVAL;
    need = mw_base64_encoded_len(w.raw);
    if (need == SIZE_MAX)
        return MW_E_INVAL;
    if (need > cap || out == NULL) {
        if (outlen != NULL)
            *outlen = need;
        return need == 0 ? MW_OK : MW_E_NOSPACE;
    }
    w_init(&w, out);
    build(&w, arg);
    w_finish(&w);
    if (outlen != NULL)
        *outlen = w.pos;
    return MW_OK;
}

/* NULL with a non-zero length is a caller error everywhere. */
#define BAD_PTR(p, n) ((p) == NULL && (n) > 0)

/* Decode strict base64 into scratch for the parsers. */
static int decode_into(const char *b64, size_t n, char *scratch, size_t cap,
                       size_t *dlen, mw_error *err)
{
    size_t got = 0;
    int rc = mw_base64_decode(b64, n, scratch, cap, &got, 0, err);

    if (rc == MW_E_NOSPACE)
        return mw__fail(err, MW_E_NOSPACE, b64_pos(cap),
                        "decoded message larger than the scratch buffer");
    if (rc != MW_OK)
        return rc;
    *dlen = got;
    return MW_OK;
}

#if MW_ENABLE_SASL_CRAM_MD5
/* ---------------------------------------------------------------- */
/* APOP (RFC 1939 §7)                                                 */

/* A byte that may appear between the angle brackets of a timestamp. */
static int ts_char(unsigned char c)
{
    return c >= 0x21 && c <= 0x7e && c != '<' && c != '>';
}

/* The APOP timestamp rule (see sasl.h): "<" 1*ts_char ">" with an '@'
 * that is neither the first nor the last inner byte. */
static int ts_valid(const char *p, size_t n)
{
    size_t i;
    int at = 0;

    if (n < 5 || p[0] != '<' || p[n - 1] != '>')
        return 0;
    for (i = 1; i + 1 < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!ts_char(c))
            return 0;
        if (c == '@' && i > 1 && i + 2 < n)
            at = 1;
    }
    return at;
}

int mw_sasl_apop_find_timestamp(const char *greeting, size_t len,
                                mw_span *ts)
{
    size_t i = 0;

    if (BAD_PTR(greeting, len) || ts == NULL)
        return MW_E_INVAL;
    /* One forward pass: from each '<', extend over timestamp bytes. A new
     * '<' restarts the candidate there, any other non-timestamp byte drops
     * it; after a '>' the candidate is judged. No byte is examined twice,
     * so hostile greetings ("<<<<...", "<a<a<a...") stay linear. */
    while (i < len) {
        size_t start, first_at = 0, j;

        if (greeting[i] != '<') {
            i++;
            continue;
        }
        start = i;
        for (j = start + 1; j < len; j++) {
            unsigned char c = (unsigned char)greeting[j];
            if (c == '>' || c == '<' || !ts_char(c))
                break;
            if (c == '@' && first_at == 0 && j > start + 1)
                first_at = j;
        }
        if (j == len)
            break;
        if (greeting[j] == '<') {
            i = j;
            continue;
        }
        if (greeting[j] == '>' && first_at != 0 && first_at + 1 < j) {
            ts->ptr = greeting + start;
            ts->len = j + 1 - start;
            return MW_OK;
        }
        i = j + 1;
    }
    return MW_E_NOT_FOUND;
}

static void apop_md5(const char *timestamp, size_t tlen, const char *secret,
                     size_t slen, uint8_t d[MW_MD5_LEN])
{
    mw_md5 c;
    mw_md5_init(&c);
    mw_md5_update(&c, timestamp, tlen);
    mw_md5_update(&c, secret, slen);
    mw_md5_final(&c, d);
}

int mw_sasl_apop_digest(const char *timestamp, size_t tlen,
                        const char *secret, size_t slen,
                        char out[MW_MD5_HEX_LEN])
{
    uint8_t d[MW_MD5_LEN];

    if (timestamp == NULL || out == NULL || BAD_PTR(secret, slen))
        return MW_E_INVAL;
    if (!ts_valid(timestamp, tlen))
        return MW_E_SYNTAX;
    apop_md5(timestamp, tlen, secret, slen, d);
    mw_hex_lower(d, MW_MD5_LEN, out);
    return MW_OK;
}

int mw_sasl_apop_check(const char *timestamp, size_t tlen,
                       const char *secret, size_t slen,
                       const char *digest_hex, size_t dlen)
{
    uint8_t d[MW_MD5_LEN];

    if (timestamp == NULL || BAD_PTR(secret, slen) ||
        BAD_PTR(digest_hex, dlen))
        return MW_E_INVAL;
    if (!ts_valid(timestamp, tlen) || !is_hex_digest(digest_hex, dlen))
        return MW_E_SYNTAX;
    apop_md5(timestamp, tlen, secret, slen, d);
    return digest_matches(d, digest_hex) ? MW_OK : MW_E_AUTH;
}

/* ---------------------------------------------------------------- */
/* CRAM-MD5 (RFC 2195)                                                */

int mw_sasl_cram_md5_response(const char *user, size_t ulen,
                              const char *secret, size_t slen,
                              const char *challenge, size_t clen, char *out,
                              size_t cap, size_t *outlen)
{
    uint8_t mac[MW_MD5_LEN];
    size_t need;

    if (user == NULL || BAD_PTR(secret, slen) || BAD_PTR(challenge, clen) ||
        BAD_PTR(out, cap))
        return MW_E_INVAL;
    if (ulen == 0 || !clean_value(user, ulen, 0) ||
        ulen > SIZE_MAX - 1 - MW_MD5_HEX_LEN)
        return MW_E_INVAL;
    need = ulen + 1 + MW_MD5_HEX_LEN;
    if (outlen != NULL)
        *outlen = need;
    if (cap < need)
        return MW_E_NOSPACE;
    mw_hmac_md5(secret, slen, challenge, clen, mac);
    memcpy(out, user, ulen);
    out[ulen] = ' ';
    mw_hex_lower(mac, MW_MD5_LEN, out + ulen + 1);
    return MW_OK;
}

int mw_sasl_cram_md5_parse(const char *resp, size_t n, mw_span *user,
                           mw_span *digest, mw_error *err)
{
    size_t i, sp = SIZE_MAX;

    if (BAD_PTR(resp, n) || user == NULL || digest == NULL)
        return MW_E_INVAL;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)resp[i];
        if (c == 0 || c == '\r' || c == '\n')
            return mw__fail(err, MW_E_SYNTAX, i,
                            "NUL, CR or LF in CRAM-MD5 response");
        if (c == ' ')
            sp = i;
    }
    if (sp == SIZE_MAX)
        return mw__fail(err, MW_E_SYNTAX, n,
                        "no space between user name and digest");
    if (sp == 0)
        return mw__fail(err, MW_E_SYNTAX, 0, "empty user name");
    if (!is_hex_digest(resp + sp + 1, n - sp - 1))
        return mw__fail(err, MW_E_SYNTAX, sp + 1,
                        "digest is not 32 hex digits");
    *user = mw__span(resp, sp);
    *digest = mw__span(resp + sp + 1, n - sp - 1);
    return MW_OK;
}

int mw_sasl_cram_md5_check(const char *challenge, size_t clen,
                           const char *secret, size_t slen,
                           const char *digest_hex, size_t dlen)
{
    uint8_t mac[MW_MD5_LEN];

    if (BAD_PTR(challenge, clen) || BAD_PTR(secret, slen) ||
        BAD_PTR(digest_hex, dlen))
        return MW_E_INVAL;
    if (!is_hex_digest(digest_hex, dlen))
        return MW_E_SYNTAX;
    mw_hmac_md5(secret, slen, challenge, clen, mac);
    return digest_matches(mac, digest_hex) ? MW_OK : MW_E_AUTH;
}
#else
/* Compiled out (features.h): the same functions, which only refuse. */
int mw_sasl_apop_find_timestamp(const char *greeting, size_t len,
                                mw_span *ts)
{
    (void)greeting, (void)len, (void)ts;
    return MW_E_UNSUPPORTED;
}

int mw_sasl_apop_digest(const char *timestamp, size_t tlen,
                        const char *secret, size_t slen,
                        char out[MW_MD5_HEX_LEN])
{
    (void)timestamp, (void)tlen, (void)secret, (void)slen, (void)out;
    return MW_E_UNSUPPORTED;
}

int mw_sasl_apop_check(const char *timestamp, size_t tlen,
                       const char *secret, size_t slen,
                       const char *digest_hex, size_t dlen)
{
    (void)timestamp, (void)tlen, (void)secret, (void)slen;
    (void)digest_hex, (void)dlen;
    return MW_E_UNSUPPORTED;
}

int mw_sasl_cram_md5_response(const char *user, size_t ulen,
                              const char *secret, size_t slen,
                              const char *challenge, size_t clen, char *out,
                              size_t cap, size_t *outlen)
{
    (void)user, (void)ulen, (void)secret, (void)slen, (void)challenge;
    (void)clen, (void)out, (void)cap, (void)outlen;
    return MW_E_UNSUPPORTED;
}

int mw_sasl_cram_md5_parse(const char *resp, size_t n, mw_span *user,
                           mw_span *digest, mw_error *err)
{
    (void)resp, (void)n, (void)user, (void)digest;
    return mw__fail(err, MW_E_UNSUPPORTED, 0, "CRAM-MD5 is compiled out");
}

int mw_sasl_cram_md5_check(const char *challenge, size_t clen,
                           const char *secret, size_t slen,
                           const char *digest_hex, size_t dlen)
{
    (void)challenge, (void)clen, (void)secret, (void)slen;
    (void)digest_hex, (void)dlen;
    return MW_E_UNSUPPORTED;
}
#endif

/* ---------------------------------------------------------------- */
/* PLAIN (RFC 4616)                                                   */

typedef struct plain_args {
    mw_span z, c, p;
} plain_args;

static void build_plain(b64w *w, const void *arg)
{
    const plain_args *a = (const plain_args *)arg;
    static const char nul = 0;

    w_put(w, a->z.ptr, a->z.len);
    w_put(w, &nul, 1);
    w_put(w, a->c.ptr, a->c.len);
    w_put(w, &nul, 1);
    w_put(w, a->p.ptr, a->p.len);
}

/* RFC 4616 §2: SAFE = any UTF-8 character except NUL. */
static int plain_part_ok(const char *p, size_t n)
{
    return !has_byte(p, n, 0) && is_utf8(p, n);
}

int mw_sasl_plain_encode(const char *authzid, size_t zlen,
                         const char *authcid, size_t clen,
                         const char *passwd, size_t plen, char *out,
                         size_t cap, size_t *outlen)
{
    plain_args a;

    if (BAD_PTR(authzid, zlen) || BAD_PTR(authcid, clen) ||
        BAD_PTR(passwd, plen) || BAD_PTR(out, cap))
        return MW_E_INVAL;
    if (clen == 0 || plen == 0 || !plain_part_ok(authzid, zlen) ||
        !plain_part_ok(authcid, clen) || !plain_part_ok(passwd, plen))
        return MW_E_INVAL;
    a.z = mw__span(authzid, zlen);
    a.c = mw__span(authcid, clen);
    a.p = mw__span(passwd, plen);
    return encode_built(build_plain, &a, out, cap, outlen);
}

/* Check one decoded PLAIN part starting at decoded offset off. */
static int plain_part_check(const char *p, size_t off, size_t len,
                            size_t max_part, mw_error *err)
{
    size_t bad = 0;

    if (len > max_part)
        return mw__fail(err, MW_E_TOO_LONG, b64_pos(off + max_part),
                        "PLAIN part longer than the limit");
    if (mw_utf8_check(p + off, len, &bad) != MW_OK)
        return mw__fail(err, MW_E_UTF8, b64_pos(off + bad),
                        "PLAIN part is not valid UTF-8");
    return MW_OK;
}

int mw_sasl_plain_decode(const char *b64, size_t n, size_t max_part,
                         char *scratch, size_t cap, mw_span *authzid,
                         mw_span *authcid, mw_span *passwd, mw_error *err)
{
    size_t dlen = 0, i, nul[2] = { 0, 0 };
    unsigned nuls = 0;
    int rc;

    if (BAD_PTR(b64, n) || BAD_PTR(scratch, cap) || authzid == NULL ||
        authcid == NULL || passwd == NULL)
        return MW_E_INVAL;
    rc = decode_into(b64, n, scratch, cap, &dlen, err);
    if (rc != MW_OK)
        return rc;
    for (i = 0; i < dlen; i++) {
        if (scratch[i] != 0)
            continue;
        if (nuls == 2)
            return mw__fail(err, MW_E_SYNTAX, b64_pos(i),
                            "more than two NULs in PLAIN message");
        nul[nuls++] = i;
    }
    if (nuls < 2)
        return mw__fail(err, MW_E_SYNTAX, n,
                        "PLAIN message needs two NUL separators");
    if (nul[1] == nul[0] + 1)
        return mw__fail(err, MW_E_SYNTAX, b64_pos(nul[1]),
                        "empty authentication identity");
    if (nul[1] + 1 == dlen)
        return mw__fail(err, MW_E_SYNTAX, n, "empty password");
    rc = plain_part_check(scratch, 0, nul[0], max_part, err);
    if (rc == MW_OK)
        rc = plain_part_check(scratch, nul[0] + 1, nul[1] - nul[0] - 1,
                              max_part, err);
    if (rc == MW_OK)
        rc = plain_part_check(scratch, nul[1] + 1, dlen - nul[1] - 1,
                              max_part, err);
    if (rc != MW_OK)
        return rc;
    *authzid = mw__span(scratch, nul[0]);
    *authcid = mw__span(scratch + nul[0] + 1, nul[1] - nul[0] - 1);
    *passwd = mw__span(scratch + nul[1] + 1, dlen - nul[1] - 1);
    return MW_OK;
}

/* ---------------------------------------------------------------- */
/* LOGIN                                                              */

static void build_raw(b64w *w, const void *arg)
{
    const mw_span *s = (const mw_span *)arg;
    w_put(w, s->ptr, s->len);
}

int mw_sasl_login_encode(const char *s, size_t n, char *out, size_t cap,
                         size_t *outlen)
{
    mw_span a;

    if (BAD_PTR(s, n) || BAD_PTR(out, cap))
        return MW_E_INVAL;
    if (has_byte(s, n, 0))
        return MW_E_INVAL;
    a = mw__span(s, n);
    return encode_built(build_raw, &a, out, cap, outlen);
}

int mw_sasl_login_decode(const char *b64, size_t n, char *out, size_t cap,
                         size_t *outlen, mw_error *err)
{
    size_t dlen = 0;
    const char *z;
    int rc;

    if (BAD_PTR(b64, n) || BAD_PTR(out, cap))
        return MW_E_INVAL;
    rc = mw_base64_decode(b64, n, out, cap, &dlen, 0, err);
    if (rc == MW_E_NOSPACE) {
        if (outlen != NULL)
            *outlen = dlen;
        return mw__fail(err, MW_E_NOSPACE, b64_pos(cap),
                        "decoded response larger than the buffer");
    }
    if (rc != MW_OK)
        return rc;
    z = dlen > 0 ? (const char *)memchr(out, 0, dlen) : NULL;
    if (z != NULL)
        return mw__fail(err, MW_E_NUL, b64_pos((size_t)(z - out)),
                        "NUL in LOGIN response");
    if (outlen != NULL)
        *outlen = dlen;
    return MW_OK;
}

#if MW_ENABLE_SASL_OAUTH
/* ---------------------------------------------------------------- */
/* XOAUTH2 and OAUTHBEARER (RFC 7628)                                 */

typedef struct oauth_args {
    mw_span user;  /* XOAUTH2 user / OAUTHBEARER authzid */
    mw_span host;
    unsigned port;
    mw_span token;
} oauth_args;

static void build_xoauth2(b64w *w, const void *arg)
{
    const oauth_args *a = (const oauth_args *)arg;

    w_str(w, "user=");
    w_put(w, a->user.ptr, a->user.len);
    w_str(w, "\001auth=Bearer ");
    w_put(w, a->token.ptr, a->token.len);
    w_str(w, "\001\001");
}

int mw_sasl_xoauth2_encode(const char *user, size_t ulen, const char *token,
                           size_t tlen, char *out, size_t cap,
                           size_t *outlen)
{
    oauth_args a;

    if (BAD_PTR(user, ulen) || BAD_PTR(token, tlen) || BAD_PTR(out, cap))
        return MW_E_INVAL;
    if (ulen == 0 || !clean_value(user, ulen, 1) || !is_utf8(user, ulen) ||
        !is_b64token(token, tlen))
        return MW_E_INVAL;
    a.user = mw__span(user, ulen);
    a.host = mw__span(NULL, 0);
    a.port = 0;
    a.token = mw__span(token, tlen);
    return encode_built(build_xoauth2, &a, out, cap, outlen);
}

static void build_oauthbearer(b64w *w, const void *arg)
{
    const oauth_args *a = (const oauth_args *)arg;
    size_t i, run = 0;

    w_str(w, "n,");
    if (a->user.len > 0) {
        /* RFC 5801 §4 saslname: ',' -> "=2C", '=' -> "=3D"; runs of other
         * bytes are written in one piece. */
        w_str(w, "a=");
        for (i = 0; i < a->user.len; i++) {
            char c = a->user.ptr[i];
            if (c != ',' && c != '=')
                continue;
            w_put(w, a->user.ptr + run, i - run);
            w_str(w, c == ',' ? "=2C" : "=3D");
            run = i + 1;
        }
        w_put(w, a->user.ptr + run, a->user.len - run);
    }
    w_str(w, ",\001");
    if (a->host.len > 0) {
        w_str(w, "host=");
        w_put(w, a->host.ptr, a->host.len);
        w_str(w, "\001");
    }
    if (a->port > 0) {
        char digits[5];
        size_t nd = 0;
        unsigned v = a->port;
        w_str(w, "port=");
        while (v > 0) {
            digits[sizeof digits - 1 - nd++] = (char)('0' + v % 10);
            v /= 10;
        }
        w_put(w, digits + sizeof digits - nd, nd);
        w_str(w, "\001");
    }
    w_str(w, "auth=Bearer ");
    w_put(w, a->token.ptr, a->token.len);
    w_str(w, "\001\001");
}

/* RFC 7628 §3.1: host = "host" "=" 0*VCHAR. */
static int all_vchar(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if ((unsigned char)p[i] < 0x21 || (unsigned char)p[i] > 0x7e)
            return 0;
    return 1;
}

int mw_sasl_oauthbearer_encode(const char *authzid, size_t alen,
                               const char *host, size_t hlen, unsigned port,
                               const char *token, size_t tlen, char *out,
                               size_t cap, size_t *outlen)
{
    oauth_args a;

    if (BAD_PTR(authzid, alen) || BAD_PTR(host, hlen) ||
        BAD_PTR(token, tlen) || BAD_PTR(out, cap))
        return MW_E_INVAL;
    if (!clean_value(authzid, alen, 1) || !is_utf8(authzid, alen) ||
        !all_vchar(host, hlen) || port > 65535u || !is_b64token(token, tlen))
        return MW_E_INVAL;
    a.user = mw__span(authzid, alen);
    a.host = mw__span(host, hlen);
    a.port = port;
    a.token = mw__span(token, tlen);
    return encode_built(build_oauthbearer, &a, out, cap, outlen);
}

/* Iterate over RFC 7628 §3.1 kvpairs in d[0..len) from *pos:
 *   kvpair = key "=" value kvsep ; key = 1*ALPHA ; kvsep = %x01
 *   value  = *(VCHAR / SP / HTAB / CR / LF)
 * ended by one more kvsep, which must be the last byte. Returns 1 with a
 * pair, 0 at the end, MW_E_SYNTAX (err filled) otherwise. Values are only
 * checked against that grammar here, widened to bytes >= 0x80 because
 * XOAUTH2 user names may be UTF-8 (RFC 6530 addresses); known keys get
 * stricter checks. */
static int kv_next(const char *d, size_t len, size_t *pos, mw_span *key,
                   mw_span *val, size_t *voff, mw_error *err)
{
    size_t i = *pos, k0, v0;

    if (i >= len)
        return mw__fail(err, MW_E_SYNTAX, b64_pos(len),
                        "message not ended by 0x01 0x01");
    if (d[i] == 0x01) {
        if (i + 1 != len)
            return mw__fail(err, MW_E_SYNTAX, b64_pos(i + 1),
                            "data after the final 0x01");
        *pos = len;
        return 0;
    }
    k0 = i;
    while (i < len && ((d[i] >= 'a' && d[i] <= 'z') ||
                       (d[i] >= 'A' && d[i] <= 'Z')))
        i++;
    if (i == k0 || i >= len || d[i] != '=')
        return mw__fail(err, MW_E_SYNTAX, b64_pos(i),
                        "expected key=value");
    v0 = ++i;
    for (; i < len && d[i] != 0x01; i++) {
        unsigned char c = (unsigned char)d[i];
        if (!((c >= 0x20 && c <= 0x7e) || c >= 0x80 || c == '\t' ||
              c == '\r' || c == '\n'))
            return mw__fail(err, MW_E_SYNTAX, b64_pos(i),
                            "invalid byte in value");
    }
    if (i >= len)
        return mw__fail(err, MW_E_SYNTAX, b64_pos(len),
                        "value not ended by 0x01");
    *key = mw__span(d + k0, (size_t)(v0 - 1 - k0));
    *val = mw__span(d + v0, i - v0);
    *voff = v0;
    *pos = i + 1;
    return 1;
}

static int key_is(mw_span k, const char *name)
{
    size_t n = strlen(name);
    return k.len == n && memcmp(k.ptr, name, n) == 0;
}

/* auth-value: "Bearer" 1*SP b64token (RFC 7628 §3.1, RFC 6750 §2.1); the
 * scheme name is case-insensitive (RFC 7235 §2.1). off is the decoded
 * offset of v. */
static int parse_auth(mw_span v, size_t off, mw_span *token, mw_error *err)
{
    size_t i = 6, bad;

    if (v.len < 6 || !mw__span_ieq(mw__span(v.ptr, 6), "bearer"))
        return mw__fail(err, MW_E_SYNTAX, b64_pos(off),
                        "auth scheme is not Bearer");
    if (i >= v.len || v.ptr[i] != ' ')
        return mw__fail(err, MW_E_SYNTAX, b64_pos(off + i),
                        "expected space after Bearer");
    while (i < v.len && v.ptr[i] == ' ')
        i++;
    if (i == v.len)
        return mw__fail(err, MW_E_SYNTAX, b64_pos(off + i),
                        "empty bearer token");
    bad = b64token_bad(v.ptr + i, v.len - i);
    if (bad != v.len - i)
        return mw__fail(err, MW_E_SYNTAX, b64_pos(off + i + bad),
                        "bearer token is not a b64token");
    *token = mw__span(v.ptr + i, v.len - i);
    return MW_OK;
}

int mw_sasl_xoauth2_parse(const char *b64, size_t n, char *scratch,
                          size_t cap, mw_span *user, mw_span *token,
                          mw_error *err)
{
    size_t dlen = 0, pos = 0, voff = 0;
    mw_span k, v, u = { NULL, 0 }, t = { NULL, 0 };
    int have_user = 0, have_auth = 0, rc;

    if (BAD_PTR(b64, n) || BAD_PTR(scratch, cap) || user == NULL ||
        token == NULL)
        return MW_E_INVAL;
    rc = decode_into(b64, n, scratch, cap, &dlen, err);
    if (rc != MW_OK)
        return rc;
    while ((rc = kv_next(scratch, dlen, &pos, &k, &v, &voff, err)) == 1) {
        size_t bad = 0;
        if (key_is(k, "user")) {
            if (have_user)
                return mw__fail(err, MW_E_SYNTAX, b64_pos(voff - 5),
                                "user given twice");
            have_user = 1;
            if (v.len == 0)
                return mw__fail(err, MW_E_SYNTAX, b64_pos(voff),
                                "empty user");
            if (!clean_value(v.ptr, v.len, 1))
                return mw__fail(err, MW_E_SYNTAX, b64_pos(voff),
                                "CR or LF in user");
            if (mw_utf8_check(v.ptr, v.len, &bad) != MW_OK)
                return mw__fail(err, MW_E_UTF8, b64_pos(voff + bad),
                                "user is not valid UTF-8");
            u = v;
        } else if (key_is(k, "auth")) {
            if (have_auth)
                return mw__fail(err, MW_E_SYNTAX, b64_pos(voff - 5),
                                "auth given twice");
            have_auth = 1;
            rc = parse_auth(v, voff, &t, err);
            if (rc != MW_OK)
                return rc;
        }
    }
    if (rc < 0)
        return rc;
    if (!have_user)
        return mw__fail(err, MW_E_SYNTAX, n, "no user");
    if (!have_auth)
        return mw__fail(err, MW_E_SYNTAX, n, "no auth");
    *user = u;
    *token = t;
    return MW_OK;
}

/* Decode a saslname (RFC 5801 §4) in place: "=2C" -> ',', "=3D" -> '='.
 * p[0..n) has been validated: every '=' starts one of the two escapes.
 * Returns the new length. */
static size_t saslname_unescape(char *p, size_t n)
{
    size_t i = 0, o = 0;

    while (i < n) {
        if (p[i] != '=') {
            p[o++] = p[i++];
            continue;
        }
        p[o++] = p[i + 1] == '2' ? ',' : '=';
        i += 3;
    }
    return o;
}

int mw_sasl_oauthbearer_parse(const char *b64, size_t n, char *scratch,
                              size_t cap, mw_span *authzid, mw_span *host,
                              unsigned *port, mw_span *token, mw_error *err)
{
    size_t dlen = 0, pos, voff = 0, a0, a1, bad = 0, alen = 0;
    mw_span k, v, h = { NULL, 0 }, t = { NULL, 0 };
    int have_host = 0, have_port = 0, have_auth = 0, rc;
    uint32_t pv = 0;
    const char *d = scratch;

    if (BAD_PTR(b64, n) || BAD_PTR(scratch, cap) || authzid == NULL ||
        host == NULL || token == NULL)
        return MW_E_INVAL;
    rc = decode_into(b64, n, scratch, cap, &dlen, err);
    if (rc != MW_OK)
        return rc;

    /* RFC 7628 §3.2.3: a lone kvsep acknowledges an error challenge. */
    if (dlen == 1 && d[0] == 0x01) {
        *authzid = mw__span(scratch, 0);
        *host = mw__span(scratch, 0);
        *token = mw__span(scratch, 0);
        if (port != NULL)
            *port = 0;
        return MW_DONE;
    }

    /* gs2-header = gs2-cb-flag "," [ gs2-authzid ] "," (RFC 5801 §4);
     * OAUTHBEARER has no channel binding, so only "n" and "y". */
    if (dlen == 0)
        return mw__fail(err, MW_E_SYNTAX, 0, "empty message");
    if (d[0] == 'p')
        return mw__fail(err, MW_E_SYNTAX, 0,
                        "channel binding is not supported");
    if ((d[0] != 'n' && d[0] != 'y') || dlen < 2 || d[1] != ',')
        return mw__fail(err, MW_E_SYNTAX, 0,
                        "GS2 header must start with \"n,\" or \"y,\"");
    pos = 2;
    a0 = a1 = pos;
    if (pos < dlen && d[pos] == 'a') {
        if (pos + 1 >= dlen || d[pos + 1] != '=')
            return mw__fail(err, MW_E_SYNTAX, b64_pos(pos + 1),
                            "expected \"a=\"");
        a0 = a1 = pos + 2;
        while (a1 < dlen && d[a1] != ',') {
            unsigned char c = (unsigned char)d[a1];
            if (c == 0 || c == '\r' || c == '\n' || c == 0x01)
                return mw__fail(err, MW_E_SYNTAX, b64_pos(a1),
                                "forbidden byte in authzid");
            if (c == '=' &&
                (dlen - a1 < 3 ||
                 !((d[a1 + 1] == '2' && d[a1 + 2] == 'C') ||
                   (d[a1 + 1] == '3' && d[a1 + 2] == 'D'))))
                return mw__fail(err, MW_E_SYNTAX, b64_pos(a1),
                                "'=' in authzid not followed by 2C or 3D");
            a1++;
        }
        if (a1 == a0)
            return mw__fail(err, MW_E_SYNTAX, b64_pos(a0),
                            "empty authzid after \"a=\"");
        if (mw_utf8_check(d + a0, a1 - a0, &bad) != MW_OK)
            return mw__fail(err, MW_E_UTF8, b64_pos(a0 + bad),
                            "authzid is not valid UTF-8");
        pos = a1;
    }
    if (pos >= dlen || d[pos] != ',')
        return mw__fail(err, MW_E_SYNTAX, b64_pos(pos),
                        "GS2 header not ended by ','");
    pos++;
    if (pos >= dlen || d[pos] != 0x01)
        return mw__fail(err, MW_E_SYNTAX, b64_pos(pos),
                        "expected 0x01 after the GS2 header");
    pos++;

    while ((rc = kv_next(scratch, dlen, &pos, &k, &v, &voff, err)) == 1) {
        if (key_is(k, "auth")) {
            if (have_auth)
                return mw__fail(err, MW_E_SYNTAX, b64_pos(voff - 5),
                                "auth given twice");
            have_auth = 1;
            rc = parse_auth(v, voff, &t, err);
            if (rc != MW_OK)
                return rc;
        } else if (key_is(k, "host")) {
            if (have_host)
                return mw__fail(err, MW_E_SYNTAX, b64_pos(voff - 5),
                                "host given twice");
            have_host = 1;
            if (!all_vchar(v.ptr, v.len))
                return mw__fail(err, MW_E_SYNTAX, b64_pos(voff),
                                "host is not VCHARs");
            h = v;
        } else if (key_is(k, "port")) {
            if (have_port)
                return mw__fail(err, MW_E_SYNTAX, b64_pos(voff - 5),
                                "port given twice");
            have_port = 1;
            if (mw__parse_u32(v.ptr, v.len, 65535u, &pv) != MW_OK)
                return mw__fail(err, MW_E_SYNTAX, b64_pos(voff),
                                "port is not a number 0-65535");
        }
    }
    if (rc < 0)
        return rc;
    if (!have_auth)
        return mw__fail(err, MW_E_SYNTAX, n, "no auth");

    /* Unescape last, once nothing can fail: it shifts bytes left inside
     * the authzid, and every error offset above refers to the original
     * positions. The escapes were validated during the scan. */
    if (a1 > a0)
        alen = saslname_unescape(scratch + a0, a1 - a0);
    *authzid = mw__span(scratch + a0, alen);
    *host = h;
    *token = t;
    if (port != NULL)
        *port = (unsigned)pv;
    return MW_OK;
}
#else
/* Compiled out (features.h): the same functions, which only refuse. */
int mw_sasl_xoauth2_encode(const char *user, size_t ulen, const char *token,
                           size_t tlen, char *out, size_t cap,
                           size_t *outlen)
{
    (void)user, (void)ulen, (void)token, (void)tlen, (void)out, (void)cap;
    (void)outlen;
    return MW_E_UNSUPPORTED;
}

int mw_sasl_oauthbearer_encode(const char *authzid, size_t alen,
                               const char *host, size_t hlen, unsigned port,
                               const char *token, size_t tlen, char *out,
                               size_t cap, size_t *outlen)
{
    (void)authzid, (void)alen, (void)host, (void)hlen, (void)port;
    (void)token, (void)tlen, (void)out, (void)cap, (void)outlen;
    return MW_E_UNSUPPORTED;
}

int mw_sasl_xoauth2_parse(const char *b64, size_t n, char *scratch,
                          size_t cap, mw_span *user, mw_span *token,
                          mw_error *err)
{
    (void)b64, (void)n, (void)scratch, (void)cap, (void)user, (void)token;
    return mw__fail(err, MW_E_UNSUPPORTED, 0, "XOAUTH2 is compiled out");
}

int mw_sasl_oauthbearer_parse(const char *b64, size_t n, char *scratch,
                              size_t cap, mw_span *authzid, mw_span *host,
                              unsigned *port, mw_span *token, mw_error *err)
{
    (void)b64, (void)n, (void)scratch, (void)cap, (void)authzid, (void)host;
    (void)port, (void)token;
    return mw__fail(err, MW_E_UNSUPPORTED, 0, "OAUTHBEARER is compiled out");
}
#endif
