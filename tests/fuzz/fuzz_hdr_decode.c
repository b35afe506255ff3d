/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for header text decoding (include/mailwire/
 * hdr_decode.h): RFC 2047 encoded words, unstructured values, phrases,
 * comments and charset conversion.
 *
 * Input: byte 0 picks the flags (SAFE, GLUED, QUOTED, TRIM, the test
 * charset hook, COMMENT for the iterator), byte 1 a small output capacity;
 * the rest is the value.
 *
 * Checked for mw_hdr_decode_unstructured(), _phrase() and _comment():
 * - with MW_HDR_DECODED_MAX(len) bytes (built-in charsets) the output
 *   always fits; outlen never exceeds the capacity (exact-size heap
 *   buffers catch any write past it);
 * - a smaller capacity gives MW_E_NOSPACE with a prefix of the full
 *   output, or the same status and output when it fits;
 * - with SAFE the output holds no CR, LF or NUL, whatever the status;
 * - MW_OK on valid UTF-8 input gives valid UTF-8 output;
 * - without "=?" in the value, unstructured decoding is only unfolding
 *   (checked against a model), and TRIM leaves no SP/HTAB at the ends;
 * - errors carry their code and an offset inside the value.
 * For the segment iterator: the segments (raw and ws_between) join back to
 * the value, offsets match, words have the "=?...?=" shape with their
 * parts inside, text segments do not follow each other, the walk ends;
 * mw_hdr_ew_decode() fits in the text's length and reports NOSPACE one
 * byte short; mw_hdr_to_utf8() of each decoded word behaves as its
 * built-in charset says (UTF-8 validated and copied, ISO-8859-1 widened,
 * US-ASCII never failing).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/codec.h"
#include "mailwire/hdr_decode.h"

#define FZ_CHARSET_HOOK
#include "fuzz_util.h"

static int has_byte(const char *p, size_t n, char c)
{
    return n > 0 && memchr(p, c, n) != NULL;
}

static int has_ew_start(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i + 1 < n; i++)
        if (p[i] == '=' && p[i + 1] == '?')
            return 1;
    return 0;
}

static int is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* Unfolding as mw_hdr_decode_unstructured() describes it: a CRLF or LF
 * followed by SP/HTAB, or at the very end, is removed. */
static size_t unfold_model(const char *v, size_t n, char *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        size_t eol = 0;
        if (v[i] == '\n')
            eol = 1;
        else if (v[i] == '\r' && i + 1 < n && v[i + 1] == '\n')
            eol = 2;
        if (eol && (i + eol == n || is_wsp(v[i + eol]))) {
            i += eol;
            continue;
        }
        out[o++] = v[i++];
    }
    return o;
}

typedef int (*decode_fn)(const char *, size_t, const mw_hdr_decode_opts *,
                         char *, size_t, size_t *, mw_error *);

enum { F_UNSTRUCTURED, F_PHRASE, F_COMMENT };

static void fuzz_decoder(int which, const char *v, size_t len,
                         const mw_hdr_decode_opts *opts, size_t small)
{
    static const decode_fn fns[3] = {mw_hdr_decode_unstructured,
                                     mw_hdr_decode_phrase,
                                     mw_hdr_decode_comment};
    decode_fn fn = fns[which];
    size_t cap = opts->hook ? 4 * len + 16 : MW_HDR_DECODED_MAX(len);
    char *out = malloc(cap ? cap : 1), *out2;
    size_t outlen = (size_t)-1, olen2 = (size_t)-1;
    mw_error err;
    int r, r2, safe = (opts->flags & MW_HDR_DECODE_SAFE) != 0;

    CHECK(out != NULL);
    memset(&err, 0, sizeof err);
    r = fn(v, len, opts, cap ? out : NULL, cap, &outlen, &err);
    CHECK(r != MW_E_INVAL);
    /* the documented room always suffices for the built-in charsets (the
     * test hook's x-nospace charset reports MW_E_NOSPACE on purpose) */
    if (opts->hook == NULL)
        CHECK(r != MW_E_NOSPACE);
    CHECK(outlen <= cap);
    if (r != MW_OK) {
        CHECK(r < 0);
        CHECK(err.code == r && err.reason != NULL && err.offset <= len);
    }
    if (r != MW_E_CALLBACK)
        CHECK(opts->hook != NULL || r > -100);
    if (safe)
        CHECK(!has_byte(out, outlen, '\r') && !has_byte(out, outlen, '\n') &&
              !has_byte(out, outlen, '\0'));
    if (r == MW_OK && mw_utf8_check(v, len, NULL) == MW_OK &&
        mw_utf8_check(out, outlen, NULL) != MW_OK) {
        fprintf(stderr, "decoder %d: valid UTF-8 in, invalid out\n", which);
        abort();
    }
    if (which == F_UNSTRUCTURED && r == MW_OK && !has_ew_start(v, len)) {
        if (!(opts->flags & MW_HDR_DECODE_TRIM) && !safe) {
            char *m = malloc(len ? len : 1);
            size_t mn;
            CHECK(m != NULL);
            mn = unfold_model(v, len, m);
            if (mn != outlen || memcmp(m, out, mn) != 0) {
                fprintf(stderr, "unstructured without encoded words is not "
                        "just unfolded (%zu vs %zu bytes)\n", outlen, mn);
                abort();
            }
            free(m);
        }
        if ((opts->flags & MW_HDR_DECODE_TRIM) && !safe && outlen > 0)
            CHECK(!is_wsp(out[0]) && !is_wsp(out[outlen - 1]));
    }

    /* A smaller buffer. */
    if (small < outlen || (small < cap && (small & 1))) {
        out2 = malloc(small ? small : 1);
        CHECK(out2 != NULL);
        r2 = fn(v, len, opts, small ? out2 : NULL, small, &olen2, NULL);
        CHECK(olen2 <= small);
        if (r2 == MW_E_NOSPACE) {
            CHECK(olen2 <= outlen && memcmp(out2, out, olen2) == 0);
        } else if (r2 == MW_E_CALLBACK) {
            CHECK(opts->hook != NULL);
        } else {
            CHECK(r2 == r);
            CHECK(olen2 == outlen && memcmp(out2, out, outlen) == 0);
        }
        if (small < outlen && r != MW_E_CALLBACK)
            CHECK(r2 == MW_E_NOSPACE || r2 == MW_E_CALLBACK);
        free(out2);
    }
    free(out);
}

/* ---- charset conversion of one decoded word ---- */

static void check_to_utf8(mw_span cs, const char *in, size_t n,
                          const mw_hdr_decode_opts *opts)
{
    size_t cap = 2 * n + 2, outlen = (size_t)-1, i, hi = 0, ol2;
    char *out = malloc(cap), *o2;
    int r, r2;
    int utf8 = name_is(cs, "utf-8") || name_is(cs, "utf8");
    int latin1 = name_is(cs, "iso-8859-1") || name_is(cs, "latin1") ||
                 name_is(cs, "l1");
    int ascii = name_is(cs, "us-ascii") || name_is(cs, "ascii");

    CHECK(out != NULL);
    for (i = 0; i < n; i++)
        hi += (unsigned char)in[i] >= 0x80;
    r = mw_hdr_to_utf8(cs, in, n, out, cap, &outlen, opts->hook, opts->user);
    if (r == MW_OK)
        CHECK(outlen <= cap && mw_utf8_check(out, outlen, NULL) == MW_OK);
    if (utf8) {
        int valid = mw_utf8_check(in, n, NULL) == MW_OK;
        CHECK(r == (valid ? MW_OK : MW_E_UTF8));
        if (valid)
            CHECK(outlen == n && memcmp(out, in, n) == 0);
    }
    if (latin1) {
        CHECK(r == MW_OK && outlen == n + hi);
        for (i = 0; i < n && hi == 0; i++)
            CHECK(out[i] == in[i]);
    }
    if (ascii) {
        CHECK(r == MW_OK);
        if (hi == 0)
            CHECK(outlen == n && memcmp(out, in, n) == 0);
    }
    if (!opts->hook && !utf8 && !latin1 && !ascii)
        CHECK(r == MW_OK || r == MW_E_CHARSET || r == MW_E_UTF8);
    /* one byte short of a converted text */
    if (r == MW_OK && outlen > 0) {
        o2 = malloc(outlen - 1 ? outlen - 1 : 1);
        CHECK(o2 != NULL);
        ol2 = (size_t)-1;
        r2 = mw_hdr_to_utf8(cs, in, n, outlen - 1 ? o2 : NULL, outlen - 1,
                            &ol2, opts->hook, opts->user);
        CHECK(r2 == MW_E_NOSPACE);
        CHECK(ol2 <= outlen - 1 && memcmp(o2, out, ol2) == 0);
        free(o2);
    }
    free(out);
}

/* ---- the segment iterator ---- */

static void fuzz_segments(const char *v, size_t len, unsigned flags,
                          const mw_hdr_decode_opts *opts)
{
    mw_hdr_ew_iter it;
    mw_hdr_ew_segment seg;
    size_t joined = 0, count = 0, words = 0;
    int r, prev_kind = 0;

    mw_hdr_ew_iter_init(&it, v, len, flags);
    while ((r = mw_hdr_ew_next(&it, &seg)) == MW_OK) {
        CHECK(++count <= len + 1);
        CHECK(seg.kind == MW_HDR_SEG_TEXT || seg.kind == MW_HDR_SEG_WORD);
        if (seg.kind == MW_HDR_SEG_WORD && seg.adjacent) {
            CHECK(prev_kind == MW_HDR_SEG_WORD);
            CHECK(seg.ws_between.len == 0 ||
                  seg.ws_between.ptr == v + joined);
            joined += seg.ws_between.len;
        }
        CHECK(seg.raw.len > 0);
        CHECK(seg.raw.ptr == v + joined);
        CHECK(seg.offset == joined);
        joined += seg.raw.len;
        CHECK(joined <= len);
        if (seg.kind == MW_HDR_SEG_TEXT) {
            CHECK(prev_kind != MW_HDR_SEG_TEXT);
            CHECK(seg.flags == 0);
        } else {
            const char *w = seg.raw.ptr;
            size_t wl = seg.raw.len, cap = seg.text.len, outlen = 0;
            char *out = malloc(cap ? cap : 1);
            mw_error err;
            int d;

            CHECK(out != NULL);
            CHECK(wl >= 8 && w[0] == '=' && w[1] == '?' && w[wl - 2] == '?' &&
                  w[wl - 1] == '=');
            CHECK(seg.charset.len > 0);
            CHECK(seg.charset.ptr == w + 2);
            CHECK(seg.text.ptr + seg.text.len == w + wl - 2);
            CHECK(seg.language.len == 0 ||
                  (seg.language.ptr == seg.charset.ptr + seg.charset.len + 1 &&
                   seg.language.ptr[-1] == '*'));
            CHECK(memchr(seg.text.ptr, '?', seg.text.len) == NULL);
            CHECK(((seg.flags & MW_HDR_EW_TOO_LONG) != 0) ==
                  (wl > MW_HDR_EW_MAX_LEN));
            CHECK(((seg.flags & MW_HDR_EW_EMPTY) != 0) == (seg.text.len == 0));
            if (!(flags & MW_HDR_DECODE_GLUED))
                CHECK(!(seg.flags & MW_HDR_EW_GLUED));
            if (seg.encoding == 'B' || seg.encoding == 'Q')
                CHECK(!(seg.flags & MW_HDR_EW_BAD_ENCODING));
            else
                CHECK(seg.flags & MW_HDR_EW_BAD_ENCODING);
            memset(&err, 0, sizeof err);
            d = mw_hdr_ew_decode(&seg, cap ? out : NULL, cap, &outlen, &err);
            if (seg.flags & MW_HDR_EW_BAD_ENCODING)
                CHECK(d == MW_E_ENCODED_WORD);
            if (d == MW_OK) {
                CHECK(outlen <= seg.text.len);
                if (outlen > 0) {
                    size_t o2len = 0;
                    CHECK(mw_hdr_ew_decode(&seg, outlen > 1 ? out : NULL,
                                           outlen - 1, &o2len, NULL) ==
                          MW_E_NOSPACE);
                }
                if (words++ < 8)
                    check_to_utf8(seg.charset, out, outlen, opts);
            } else {
                CHECK(d == MW_E_ENCODED_WORD);
                CHECK(err.code == d && err.offset >= seg.offset &&
                      err.offset < seg.offset + wl);
            }
            free(out);
        }
        prev_kind = seg.kind;
    }
    CHECK(r == MW_DONE);
    CHECK(joined == len);
    CHECK(mw_hdr_ew_next(&it, &seg) == MW_DONE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hook_state hs;
    mw_hdr_decode_opts opts;
    size_t len, small;
    unsigned iflags;
    char *v;

    if (size < 2)
        return 0;
    memset(&opts, 0, sizeof opts);
    opts.flags = data[0] & (MW_HDR_DECODE_SAFE | MW_HDR_DECODE_GLUED |
                            MW_HDR_DECODE_QUOTED | MW_HDR_DECODE_TRIM);
    hs.magic = 0x5EED;
    hs.calls = 0;
    if (data[0] & 0x10u) {
        opts.hook = test_hook;
        opts.user = &hs;
    }
    iflags = (data[0] & MW_HDR_DECODE_GLUED) |
             ((data[0] & 0x20u) ? MW_HDR_DECODE_COMMENT : 0u);
    small = data[1];
    len = size - 2;
    v = malloc(len ? len : 1);
    CHECK(v != NULL);
    if (len)
        memcpy(v, data + 2, len);

    fuzz_decoder(F_UNSTRUCTURED, v, len, &opts, small);
    fuzz_decoder(F_PHRASE, v, len, &opts, small);
    fuzz_decoder(F_COMMENT, v, len, &opts, small);
    fuzz_segments(v, len, iflags, &opts);
    free(v);
    return 0;
}
