/* SPDX-License-Identifier: MIT */
/*
 * Modified UTF-7 mailbox names (RFC 3501 §5.1.3; still what IMAP4rev1
 * servers send when UTF8=ACCEPT is not enabled, RFC 9051 §5.1 and
 * RFC 6855 §3) to and from UTF-8.
 *
 * Decoding is strict, because two spellings of one name are two mailboxes
 * to a server but one to a user (RFC 3501 §5.1.3: "&" followed by
 * modified BASE64 of UTF-16, "-" to end; printable US-ASCII is never
 * encoded; "&-" stands for "&"): anything but the one shortest form is
 * refused.
 */
#include <string.h>

#include "imap/grammar.h"

static const char b64chars[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* Value of a modified BASE64 character (RFC 3501 §5.1.3: "," for "/"). */
static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == ',')
        return 63;
    return -1;
}

/* Output with counting: writes while there is room, always counts. */
typedef struct sink {
    char *out;
    size_t cap;
    size_t len;
} sink;

static void put(sink *s, char c)
{
    if (s->len < s->cap)
        s->out[s->len] = c;
    s->len++;
}

static void put_utf8(sink *s, uint32_t cp)
{
    if (cp < 0x80) {
        put(s, (char)cp);
    } else if (cp < 0x800) {
        put(s, (char)(0xC0 | (cp >> 6)));
        put(s, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        put(s, (char)(0xE0 | (cp >> 12)));
        put(s, (char)(0x80 | ((cp >> 6) & 0x3F)));
        put(s, (char)(0x80 | (cp & 0x3F)));
    } else {
        put(s, (char)(0xF0 | (cp >> 18)));
        put(s, (char)(0x80 | ((cp >> 12) & 0x3F)));
        put(s, (char)(0x80 | ((cp >> 6) & 0x3F)));
        put(s, (char)(0x80 | (cp & 0x3F)));
    }
}

static int finish(sink *s, size_t *outlen)
{
    if (outlen != NULL)
        *outlen = s->len;
    return s->len > s->cap ? MW_E_NOSPACE : MW_OK;
}

int mw_imap_mutf7_decode(const char *in, size_t n, char *out, size_t cap,
                         size_t *outlen, mw_error *err)
{
    const unsigned char *p = (const unsigned char *)in;
    sink s;
    size_t i = 0;
    int last_run = 0; /* the previous thing was an encoded run */
    if (outlen != NULL)
        *outlen = 0;
    if (in == NULL && n > 0)
        return mw__fail(err, MW_E_INVAL, 0, "NULL input");
    s.out = out;
    s.cap = out != NULL ? cap : 0;
    s.len = 0;
    while (i < n) {
        size_t j, start;
        uint32_t acc = 0, hi = 0;
        unsigned nbits = 0;
        if (p[i] < 0x20 || p[i] > 0x7E)
            return mw__fail(err, MW_E_SYNTAX, i,
                            "byte outside printable US-ASCII");
        if (p[i] != '&') {
            put(&s, (char)p[i]);
            last_run = 0;
            i++;
            continue;
        }
        if (i + 1 < n && p[i + 1] == '-') {
            put(&s, '&');
            last_run = 0;
            i += 2;
            continue;
        }
        if (last_run)
            return mw__fail(err, MW_E_SYNTAX, i,
                            "two encoded runs back to back");
        start = i;
        for (j = i + 1; j < n && p[j] != '-'; j++) {
            int v = b64val(p[j]);
            uint32_t unit;
            if (v < 0)
                return mw__fail(err, MW_E_SYNTAX, j,
                                "bad character in modified BASE64");
            acc = ((acc << 6) | (uint32_t)v) & 0x3FFFFFu;
            nbits += 6;
            if (nbits < 16)
                continue;
            nbits -= 16;
            unit = (acc >> nbits) & 0xFFFFu;
            if (hi != 0) {
                if (unit < 0xDC00 || unit > 0xDFFF)
                    return mw__fail(err, MW_E_SYNTAX, j,
                                    "high surrogate without low surrogate");
                put_utf8(&s, 0x10000u + ((hi - 0xD800u) << 10) +
                                 (unit - 0xDC00u));
                hi = 0;
            } else if (unit >= 0xD800 && unit <= 0xDBFF) {
                hi = unit;
            } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
                return mw__fail(err, MW_E_SYNTAX, j,
                                "low surrogate without high surrogate");
            } else if (unit >= 0x20 && unit <= 0x7E) {
                return mw__fail(err, MW_E_SYNTAX, j,
                                "printable US-ASCII must not be encoded");
            } else if (unit == 0) {
                return mw__fail(err, MW_E_SYNTAX, j, "U+0000 in a name");
            } else {
                put_utf8(&s, unit);
            }
        }
        if (j >= n)
            return mw__fail(err, MW_E_SYNTAX, start,
                            "encoded run not ended by '-'");
        if (nbits >= 6)
            return mw__fail(err, MW_E_SYNTAX, j,
                            "incomplete character in encoded run");
        if ((acc & ((1u << nbits) - 1u)) != 0)
            return mw__fail(err, MW_E_SYNTAX, j,
                            "non-zero padding bits in encoded run");
        if (hi != 0)
            return mw__fail(err, MW_E_SYNTAX, j,
                            "high surrogate without low surrogate");
        last_run = 1;
        i = j + 1;
    }
    return finish(&s, outlen);
}

/* One UTF-8 character at p[i]: its code point and length, 0 when invalid
 * (RFC 3629). */
static size_t utf8_dec(const unsigned char *p, size_t n, size_t i,
                       uint32_t *cp)
{
    unsigned c = p[i];
    size_t need, k;
    uint32_t v;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (n - i <= need || p[i + 1] < lo || p[i + 1] > hi)
        return 0;
    for (k = 1; k <= need; k++) {
        if (p[i + k] < 0x80 || p[i + k] > 0xBF)
            return 0;
        v = (v << 6) | (p[i + k] & 0x3Fu);
    }
    *cp = v;
    return need + 1;
}

static void run_unit(sink *s, uint32_t *acc, unsigned *nbits, uint32_t unit)
{
    *acc = ((*acc << 16) | unit) & 0xFFFFFFu;
    *nbits += 16;
    while (*nbits >= 6) {
        *nbits -= 6;
        put(s, b64chars[(*acc >> *nbits) & 0x3F]);
    }
}

static void run_end(sink *s, uint32_t acc, unsigned nbits)
{
    if (nbits > 0)
        put(s, b64chars[(acc << (6 - nbits)) & 0x3F]);
    put(s, '-');
}

int mw_imap_mutf7_encode(const char *in, size_t n, char *out, size_t cap,
                         size_t *outlen, mw_error *err)
{
    const unsigned char *p = (const unsigned char *)in;
    sink s;
    size_t i = 0;
    int in_run = 0;
    uint32_t acc = 0;
    unsigned nbits = 0;
    if (outlen != NULL)
        *outlen = 0;
    if (in == NULL && n > 0)
        return mw__fail(err, MW_E_INVAL, 0, "NULL input");
    s.out = out;
    s.cap = out != NULL ? cap : 0;
    s.len = 0;
    while (i < n) {
        uint32_t cp = 0;
        size_t k = utf8_dec(p, n, i, &cp);
        if (k == 0)
            return mw__fail(err, MW_E_UTF8, i, "invalid UTF-8");
        if (cp == 0)
            return mw__fail(err, MW_E_UTF8, i, "NUL in a name");
        if (cp >= 0x20 && cp <= 0x7E) {
            if (in_run) {
                run_end(&s, acc, nbits);
                in_run = 0;
                acc = 0;
                nbits = 0;
            }
            put(&s, (char)cp);
            if (cp == '&')
                put(&s, '-');
        } else {
            if (!in_run) {
                put(&s, '&');
                in_run = 1;
            }
            if (cp >= 0x10000) {
                uint32_t v = cp - 0x10000u;
                run_unit(&s, &acc, &nbits, 0xD800u + (v >> 10));
                run_unit(&s, &acc, &nbits, 0xDC00u + (v & 0x3FFu));
            } else {
                run_unit(&s, &acc, &nbits, cp);
            }
        }
        i += k;
    }
    if (in_run)
        run_end(&s, acc, nbits);
    return finish(&s, outlen);
}
