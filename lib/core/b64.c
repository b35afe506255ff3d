/* SPDX-License-Identifier: MIT */
/*
 * Base64 (RFC 4648 §4) encoding and decoding into caller memory.
 *
 * Decoding is table-driven: one 256-entry table maps a character to its
 * 6-bit value or to a class (invalid, '=', skippable whitespace). The strict
 * path decodes whole 4-character groups with one table lookup per character
 * and a single combined validity test per group; the rare cases (the final
 * group with padding, whitespace in lenient mode, errors) leave that loop.
 */
#include "core/internal.h"
#include "mailwire/codec.h"

#define B64_BAD 0x80u /* not in the alphabet */
#define B64_PAD 0x81u /* '=' */
#define B64_WS 0x82u  /* CR, LF, space, tab: skipped in lenient mode */

static const char b64_alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Built from the alphabet of RFC 4648 §4, Table 1; everything with the
 * 0x80 bit set is not a data character. */
#define X B64_BAD
static const uint8_t b64_value[256] = {
    X, X, X, X, X, X, X, X, X, B64_WS, B64_WS, X, X, B64_WS, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    B64_WS, X, X, X, X, X, X, X, X, X, X, 62, X, X, X, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, B64_PAD, X, X,
    X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, X,
    X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
};
#undef X

size_t mw_base64_encoded_len(size_t n)
{
    size_t groups = n / 3 + (n % 3 != 0);
    if (groups > SIZE_MAX / 4)
        return SIZE_MAX;
    return groups * 4;
}

int mw_base64_encode(const void *in, size_t n, char *out, size_t cap,
                     size_t *outlen)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t need, i, o = 0;

    if ((in == NULL && n > 0) || (out == NULL && cap > 0))
        return MW_E_INVAL;
    need = mw_base64_encoded_len(n);
    if (need > cap || need == SIZE_MAX) {
        if (outlen != NULL)
            *outlen = need;
        return MW_E_NOSPACE;
    }
    if (need == 0) { /* n == 0: nothing to write, `out` may be NULL */
        if (outlen != NULL)
            *outlen = 0;
        return MW_OK;
    }
    for (i = 0; i + 3 <= n; i += 3) {
        uint32_t v = ((uint32_t)s[i] << 16) | ((uint32_t)s[i + 1] << 8) | s[i + 2];
        out[o++] = b64_alphabet[(v >> 18) & 63u];
        out[o++] = b64_alphabet[(v >> 12) & 63u];
        out[o++] = b64_alphabet[(v >> 6) & 63u];
        out[o++] = b64_alphabet[v & 63u];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)s[i] << 16;
        out[o++] = b64_alphabet[(v >> 18) & 63u];
        out[o++] = b64_alphabet[(v >> 12) & 63u];
        out[o++] = '=';
        out[o++] = '=';
    } else if (n - i == 2) {
        uint32_t v = ((uint32_t)s[i] << 16) | ((uint32_t)s[i + 1] << 8);
        out[o++] = b64_alphabet[(v >> 18) & 63u];
        out[o++] = b64_alphabet[(v >> 12) & 63u];
        out[o++] = b64_alphabet[(v >> 6) & 63u];
        out[o++] = '=';
    }
    if (outlen != NULL)
        *outlen = o;
    return MW_OK;
}

/* Decoding state shared by both paths: output position and capacity. Bytes
 * beyond the capacity are counted but not stored, so that MW_E_NOSPACE can
 * report the size needed. */
typedef struct b64_out {
    unsigned char *p;
    size_t cap;
    size_t n;
} b64_out;

static inline void put(b64_out *o, uint32_t byte)
{
    /* p is NULL only with cap 0 (mw_base64_decode()); testing it as well
     * is free and spares clang's cross-TU analyzer a false NULL store. */
    if (o->n < o->cap && o->p != NULL)
        o->p[o->n] = (unsigned char)byte;
    o->n++;
}

static int finish(const b64_out *o, size_t *outlen)
{
    if (outlen != NULL)
        *outlen = o->n;
    return o->n > o->cap ? MW_E_NOSPACE : MW_OK;
}

/* Report the first invalid character of a strict group. */
static int group_error(const unsigned char *g, size_t base, mw_error *err)
{
    size_t k;
    for (k = 0; k < 4; k++) {
        uint8_t v = b64_value[g[k]];
        if (v == B64_PAD)
            return mw__fail(err, MW_E_BASE64, base + k,
                            "'=' padding before the end of the data");
        if (v & 0x80u)
            return mw__fail(err, MW_E_BASE64, base + k,
                            "character outside the base64 alphabet");
    }
    return mw__fail(err, MW_E_BASE64, base, "invalid base64 group");
}

static int decode_strict(const unsigned char *s, size_t n, b64_out *o,
                         size_t *outlen, mw_error *err)
{
    size_t i = 0, last;
    uint32_t a, b, c, d;

    if (n == 0)
        return finish(o, outlen);
    /* With a partial group at the end, every complete group is an inner
     * one, so that a bad character before the end is reported as such
     * rather than as a truncation. */
    last = (n % 4 != 0) ? n - n % 4 : n - 4;

    /* Every group but the last: no padding allowed. Size is known, so the
     * bulk loop stores without the capacity test when everything fits
     * (a copy of the loop below, for speed only). */
#if MW_ENABLE_FAST_PATHS
    if (o->p != NULL && o->cap >= (n / 4) * 3) {
        unsigned char *w = o->p;
        for (; i < last; i += 4) {
            a = b64_value[s[i]];
            b = b64_value[s[i + 1]];
            c = b64_value[s[i + 2]];
            d = b64_value[s[i + 3]];
            if ((a | b | c | d) & 0x80u)
                return group_error(s + i, i, err);
            uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
            w[0] = (unsigned char)(v >> 16);
            w[1] = (unsigned char)(v >> 8);
            w[2] = (unsigned char)v;
            w += 3;
        }
        o->n = (size_t)(w - o->p);
    } else
#endif
    {
        for (; i < last; i += 4) {
            a = b64_value[s[i]];
            b = b64_value[s[i + 1]];
            c = b64_value[s[i + 2]];
            d = b64_value[s[i + 3]];
            if ((a | b | c | d) & 0x80u)
                return group_error(s + i, i, err);
            uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
            put(o, v >> 16);
            put(o, (v >> 8) & 0xffu);
            put(o, v & 0xffu);
        }
    }

    if (n % 4 != 0) {
        for (i = last; i < n; i++)
            if (b64_value[s[i]] >= 64 && b64_value[s[i]] != B64_PAD)
                return mw__fail(err, MW_E_BASE64, i,
                                "character outside the base64 alphabet");
        return mw__fail(err, MW_E_BASE64, n,
                        "input ends inside a 4-character group");
    }

    /* The last group: "xxxx", "xxx=" or "xx==" (RFC 4648 §4). */
    a = b64_value[s[last]];
    b = b64_value[s[last + 1]];
    c = b64_value[s[last + 2]];
    d = b64_value[s[last + 3]];
    if ((a | b) & 0x80u)
        return group_error(s + last, last, err);
    if (c == B64_PAD) {
        if (d != B64_PAD)
            return mw__fail(err, MW_E_BASE64, last + 2,
                            "'=' padding before the end of the data");
        /* RFC 4648 §3.5: the 4 bits the padding drops must be zero. */
        if (b & 0x0fu)
            return mw__fail(err, MW_E_BASE64, last + 1,
                            "non-zero bits discarded by the padding");
        put(o, (a << 2) | (b >> 4));
        return finish(o, outlen);
    }
    if (c & 0x80u)
        return group_error(s + last, last, err);
    if (d == B64_PAD) {
        if (c & 0x03u)
            return mw__fail(err, MW_E_BASE64, last + 2,
                            "non-zero bits discarded by the padding");
        uint32_t v = (a << 18) | (b << 12) | (c << 6);
        put(o, v >> 16);
        put(o, (v >> 8) & 0xffu);
        return finish(o, outlen);
    }
    if (d & 0x80u)
        return group_error(s + last, last, err);
    {
        uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
        put(o, v >> 16);
        put(o, (v >> 8) & 0xffu);
        put(o, v & 0xffu);
    }
    return finish(o, outlen);
}

static int decode_lenient(const unsigned char *s, size_t n, b64_out *o,
                          size_t *outlen, mw_error *err)
{
    size_t i = 0;
    uint32_t acc = 0;   /* bits of the group so far */
    unsigned have = 0;  /* data characters in the current group (0..3) */
    size_t first_of_group = 0;

    while (i < n) {
#if MW_ENABLE_FAST_PATHS
        /* Fast path: four data characters in a row at a group boundary
         * (the loop after it gives the same result a character a time). */
        if (have == 0 && n - i >= 4) {
            uint32_t a = b64_value[s[i]], b = b64_value[s[i + 1]],
                     c = b64_value[s[i + 2]], d = b64_value[s[i + 3]];
            if (((a | b | c | d) & 0x80u) == 0) {
                uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
                put(o, v >> 16);
                put(o, (v >> 8) & 0xffu);
                put(o, v & 0xffu);
                i += 4;
                continue;
            }
        }
#endif
        uint8_t v = b64_value[s[i]];
        if (v < 64) {
            if (have == 0)
                first_of_group = i;
            acc = (acc << 6) | v;
            if (++have == 4) {
                put(o, acc >> 16);
                put(o, (acc >> 8) & 0xffu);
                put(o, acc & 0xffu);
                acc = 0;
                have = 0;
            }
            i++;
            continue;
        }
        if (v == B64_WS) {
            i++;
            continue;
        }
        if (v == B64_PAD)
            break;
        return mw__fail(err, MW_E_BASE64, i,
                        "character outside the base64 alphabet");
    }

    if (have == 1)
        return mw__fail(err, MW_E_BASE64, first_of_group,
                        "a final group of one character encodes no byte");

    if (i < n) {
        /* s[i] is '='. Allowed: up to 4-have of them, only after 2 or 3
         * data characters, then nothing but whitespace. */
        unsigned pads = 0, allowed = (have >= 2) ? 4u - have : 0u;
        for (; i < n; i++) {
            uint8_t v = b64_value[s[i]];
            if (v == B64_WS)
                continue;
            if (v == B64_PAD) {
                if (pads == allowed)
                    return mw__fail(err, MW_E_BASE64, i,
                                    allowed ? "too much '=' padding"
                                            : "'=' padding where no group is open");
                pads++;
                continue;
            }
            return mw__fail(err, MW_E_BASE64, i,
                            v == B64_BAD ? "character outside the base64 alphabet"
                                : "data after the '=' padding");
        }
    }

    /* Partial final group: the dropped bits are ignored (lenient). */
    if (have == 2) {
        acc <<= 12;
        put(o, acc >> 16);
    } else if (have == 3) {
        acc <<= 6;
        put(o, acc >> 16);
        put(o, (acc >> 8) & 0xffu);
    }
    return finish(o, outlen);
}

int mw_base64_decode(const char *in, size_t n, void *out, size_t cap,
                     size_t *outlen, unsigned flags, mw_error *err)
{
    b64_out o;

    if ((in == NULL && n > 0) || (out == NULL && cap > 0) ||
        (flags & ~MW_BASE64_LENIENT) != 0)
        return MW_E_INVAL;
    o.p = (unsigned char *)out;
    o.cap = cap;
    o.n = 0;
    if (flags & MW_BASE64_LENIENT)
        return decode_lenient((const unsigned char *)in, n, &o, outlen, err);
    return decode_strict((const unsigned char *)in, n, &o, outlen, err);
}
