/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the MIME field parsers and RFC 2231 parameter
 * decoding (include/mailwire/hdr_mime.h).
 *
 * Input: byte 0 picks the parameter capacity, byte 1 the decoder options
 * (SAFE, QUOTED, GLUED, the test charset hook) and the output capacities;
 * the rest is the field value, given to the Content-Type,
 * Content-Disposition and Content-Transfer-Encoding parsers.
 *
 * Checked:
 * - spans lie in the value (or are the static defaults, flagged), offsets
 *   are where the names start, sections agree with CONTINUED, the type is
 *   set, flags agree with the status (TRUNCATED with LIMIT, DEFAULTED with
 *   SYNTAX), and a parse with a small capacity is a prefix of the parse
 *   with a large one;
 * - mw_hdr_ct_is()/mw_hdr_cd_is() recognise the parsed type;
 * - CTE: the mechanism matches its token, case-insensitively;
 * - mw_hdr_param_get() for every parameter name found: with the documented
 *   room (three times the value) it never runs out of space with built-in
 *   charsets; any smaller capacity gives the same result or MW_E_NOSPACE,
 *   never a write past `cap` (exact-size heap buffers); with SAFE no CR,
 *   LF or NUL comes out and MW_E_NUL is never returned, without SAFE a NUL
 *   in the output is reported as MW_E_NUL; UTF-8 output is UTF-8 unless
 *   flagged NOT_UTF8; a name that is absent gives MW_E_NOT_FOUND.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/codec.h"
#include "mailwire/hdr_decode.h"
#include "mailwire/hdr_mime.h"

#define FZ_CHARSET_HOOK
#include "fuzz_util.h"

/* ---- helpers ---- */

static int same_param(const mw_hdr_param *a, const mw_hdr_param *b)
{
    return span_same(a->name, b->name) && span_same(a->value, b->value) &&
           a->section == b->section && a->flags == b->flags &&
           a->offset == b->offset;
}

static void check_params(const mw_hdr_param *ps, size_t n, const char *v,
                         size_t len)
{
    size_t i;
    for (i = 0; i < n; i++) {
        const mw_hdr_param *p = &ps[i];
        if (p->flags & MW_HDR_PARAM_DEFAULT) {
            CHECK(n == 1);
            continue;
        }
        check_span(p->name, v, len);
        check_span(p->value, v, len);
        CHECK(p->name.len > 0);
        CHECK(p->offset == (size_t)(p->name.ptr - v));
        CHECK(p->section >= -1);
        CHECK((p->section >= 0) == ((p->flags & MW_HDR_PARAM_CONTINUED) != 0));
        if (p->flags & MW_HDR_PARAM_QUOTED)
            CHECK(p->value.len >= 1 && p->value.ptr[0] == '"');
        if (p->flags & MW_HDR_PARAM_EMPTY)
            CHECK(p->value.len == 0);
        if (i > 0 && !(ps[i - 1].flags & MW_HDR_PARAM_DEFAULT))
            CHECK(p->offset > ps[i - 1].offset);
    }
}

static int has_byte(const char *p, size_t n, char c)
{
    return n > 0 && memchr(p, c, n) != NULL;
}

/* mw_hdr_param_get() for one name, with full room and then `small`. */
static void get_param(const mw_hdr_param *ps, size_t n, const char *name,
                      const mw_hdr_decode_opts *opts, size_t len, size_t small)
{
    size_t full_cap = 3 * len + 16, outlen = (size_t)-1, olen2;
    char *out = malloc(full_cap), *out2;
    mw_hdr_param_info info, info2;
    mw_error err;
    int r, r2;

    CHECK(out != NULL);
    memset(&err, 0, sizeof err);
    r = mw_hdr_param_get(ps, n, name, opts, out, full_cap, &outlen, &info,
                         &err);
    if (r == MW_OK || r == MW_E_NUL) {
        CHECK(outlen <= full_cap);
        if (opts != NULL && (opts->flags & MW_HDR_DECODE_SAFE)) {
            CHECK(r == MW_OK);
            CHECK(!has_byte(out, outlen, '\r') && !has_byte(out, outlen, '\n') &&
                  !has_byte(out, outlen, '\0'));
        }
        CHECK((r == MW_E_NUL) == has_byte(out, outlen, '\0'));
        if (r == MW_OK && !(info.flags & MW_HDR_PV_NOT_UTF8) &&
            mw_utf8_check(out, outlen, NULL) != MW_OK) {
            fprintf(stderr, "param %s: output is not UTF-8 (flags %#x)\n",
                    name, info.flags);
            abort();
        }
        if (info.flags & MW_HDR_PV_NOT_UTF8)
            CHECK(mw_utf8_check(out, outlen, NULL) != MW_OK);
    } else {
        CHECK(outlen == 0);
        CHECK(r == MW_E_SYNTAX || r == MW_E_CHARSET || r == MW_E_UTF8 ||
              r == MW_E_NOSPACE || r == MW_E_LIMIT || r == MW_E_CALLBACK ||
              r == MW_E_NOT_FOUND || (r < 0 && r > -100));
        if (opts == NULL || opts->hook == NULL)
            CHECK(r != MW_E_NOSPACE && r != MW_E_CALLBACK);
        CHECK(err.code == r && err.reason != NULL);
    }

    /* A smaller buffer: the same answer, or not enough room. */
    if (small < full_cap) {
        out2 = malloc(small ? small : 1);
        CHECK(out2 != NULL);
        olen2 = (size_t)-1;
        r2 = mw_hdr_param_get(ps, n, name, opts, small ? out2 : NULL, small,
                              &olen2, &info2, NULL);
        if (r2 == MW_E_NOSPACE && r != MW_E_NOSPACE) {
            CHECK(olen2 == 0);
        } else {
            CHECK(r2 == r);
            if (r == MW_OK || r == MW_E_NUL) {
                CHECK(olen2 == outlen && memcmp(out2, out, outlen) == 0);
                CHECK(info2.flags == info.flags);
            }
        }
        if ((r == MW_OK || r == MW_E_NUL) && small < outlen)
            CHECK(r2 == MW_E_NOSPACE);
        free(out2);
    }
    free(out);
}

/* param_get for every distinct name (plain names of any form), then for an
 * absent one. */
static void get_all(const mw_hdr_param *ps, size_t n,
                    const mw_hdr_decode_opts *opts, size_t len, size_t small)
{
    size_t i, j, tries = 0;
    char name[72];
    int absent = 1;

    for (i = 0; i < n && tries < 16; i++) {
        mw_span nm = ps[i].name;
        int seen = 0;
        if (ps[i].flags & MW_HDR_PARAM_DEFAULT)
            continue;
        if (nm.len == 0 || nm.len >= sizeof name || memchr(nm.ptr, 0, nm.len))
            continue;
        for (j = 0; j < i && !seen; j++)
            if (ps[j].name.len == nm.len &&
                memcmp(ps[j].name.ptr, nm.ptr, nm.len) == 0)
                seen = 1;
        if (seen)
            continue;
        memcpy(name, nm.ptr, nm.len);
        name[nm.len] = '\0';
        get_param(ps, n, name, opts, len, small);
        tries++;
    }
    for (i = 0; i < n; i++)
        if (name_is(ps[i].name, "absent!"))
            absent = 0;
    if (absent) {
        size_t ol = 9;
        char o[4];
        CHECK(mw_hdr_param_get(ps, n, "absent!", opts, o, sizeof o, &ol, NULL,
                               NULL) == MW_E_NOT_FOUND);
        CHECK(ol == 0);
    }
}

static char *dup0(mw_span s)
{
    char *p = malloc(s.len + 1);
    CHECK(p != NULL);
    if (s.len)
        memcpy(p, s.ptr, s.len);
    p[s.len] = '\0';
    return p;
}

/* ---- the parsers ---- */

static void fuzz_ct(const char *v, size_t len, size_t cap,
                    const mw_hdr_decode_opts *opts, size_t small)
{
    size_t big = MW_HDR_MAX_PARAMS + 8, i;
    mw_hdr_param *ps = malloc((cap ? cap : 1) * sizeof *ps);
    mw_hdr_param *pb = malloc(big * sizeof *pb);
    mw_hdr_content_type ct, cb;
    mw_error err;
    int r, rb;

    CHECK(ps != NULL && pb != NULL);
    memset(&err, 0, sizeof err);
    r = mw_hdr_parse_content_type(v, len, &ct, cap ? ps : NULL, cap, &err);
    rb = mw_hdr_parse_content_type(v, len, &cb, pb, big, NULL);
    CHECK(r == MW_OK || r == MW_E_SYNTAX || r == MW_E_DEPTH || r == MW_E_LIMIT);
    if (r != MW_OK)
        CHECK(err.code == r && err.offset <= len && err.reason != NULL);
    CHECK(ct.nparams <= cap);
    CHECK(ct.params == (cap ? ps : NULL) || ct.nparams == 0);
    if (r == MW_E_LIMIT)
        CHECK(ct.flags & MW_HDR_MIME_TRUNCATED);
    if (ct.flags & MW_HDR_MIME_TRUNCATED)
        CHECK(ct.nparams == cap);
    if (ct.flags & MW_HDR_MIME_DEFAULTED) {
        /* MW_E_SYNTAX, unless a comment nested too deeply came first */
        CHECK(r == MW_E_SYNTAX || r == MW_E_DEPTH);
        CHECK(mw_hdr_ct_is(&ct, "text", "plain") == 1);
    } else {
        char *t, *s;
        check_span(ct.type, v, len);
        check_span(ct.subtype, v, len);
        CHECK(ct.type.len > 0 && ct.subtype.len > 0);
        t = dup0(ct.type);
        s = dup0(ct.subtype);
        if (strlen(t) == ct.type.len && strlen(s) == ct.subtype.len) {
            CHECK(mw_hdr_ct_is(&ct, t, s) == 1);
            CHECK(mw_hdr_ct_is(&ct, t, NULL) == 1);
            CHECK(mw_hdr_ct_is(&ct, t, "*") == 1);
        }
        free(t);
        free(s);
    }
    check_params(ct.params, ct.nparams, v, len);
    /* a smaller capacity gives a prefix of the same parameters */
    CHECK(span_same(ct.type, cb.type) && span_same(ct.subtype, cb.subtype));
    CHECK(ct.nparams <= cb.nparams);
    for (i = 0; i < ct.nparams; i++)
        CHECK(same_param(&ct.params[i], &cb.params[i]));
    if (ct.nparams < cb.nparams && !(ct.flags & MW_HDR_MIME_DEFAULTED))
        CHECK(ct.flags & MW_HDR_MIME_TRUNCATED);
    (void)rb;
    get_all(cb.params, cb.nparams, opts, len, small);
    free(ps);
    free(pb);
}

static void fuzz_cd(const char *v, size_t len, size_t cap,
                    const mw_hdr_decode_opts *opts, size_t small)
{
    mw_hdr_param *ps = malloc((cap ? cap : 1) * sizeof *ps);
    mw_hdr_content_disposition cd;
    mw_error err;
    int r;

    CHECK(ps != NULL);
    memset(&err, 0, sizeof err);
    r = mw_hdr_parse_content_disposition(v, len, &cd, cap ? ps : NULL, cap,
                                         &err);
    CHECK(r == MW_OK || r == MW_E_SYNTAX || r == MW_E_DEPTH || r == MW_E_LIMIT);
    if (r != MW_OK)
        CHECK(err.code == r && err.offset <= len && err.reason != NULL);
    CHECK(cd.nparams <= cap);
    if (r == MW_E_LIMIT)
        CHECK(cd.flags & MW_HDR_MIME_TRUNCATED);
    if (cd.flags & MW_HDR_MIME_DEFAULTED) {
        CHECK(r == MW_E_SYNTAX || r == MW_E_DEPTH);
        CHECK(mw_hdr_cd_is(&cd, "attachment") == 1);
    } else {
        char *t;
        check_span(cd.type, v, len);
        CHECK(cd.type.len > 0);
        t = dup0(cd.type);
        if (strlen(t) == cd.type.len)
            CHECK(mw_hdr_cd_is(&cd, t) == 1);
        free(t);
    }
    check_params(cd.params, cd.nparams, v, len);
    get_all(cd.params, cd.nparams, opts, len, small);
    free(ps);
}

static int ieq(mw_span s, const char *lit)
{
    return name_is(s, lit);
}

static void fuzz_cte(const char *v, size_t len)
{
    int enc = -1, r;
    mw_span tok;
    mw_error err;

    memset(&err, 0, sizeof err);
    r = mw_hdr_parse_cte(v, len, &enc, &tok, &err);
    CHECK(enc >= MW_HDR_CTE_INVALID && enc <= MW_HDR_CTE_OTHER);
    check_span(tok, v, len);
    if (r == MW_OK) {
        CHECK(tok.len > 0 && enc != MW_HDR_CTE_INVALID);
    } else {
        CHECK(r == MW_E_SYNTAX || r == MW_E_DEPTH);
        CHECK(err.code == r && err.offset <= len && err.reason != NULL);
    }
    if (tok.len > 0 && enc != MW_HDR_CTE_INVALID) {
        int want = ieq(tok, "7bit")               ? MW_HDR_CTE_7BIT
                   : ieq(tok, "8bit")             ? MW_HDR_CTE_8BIT
                   : ieq(tok, "binary")           ? MW_HDR_CTE_BINARY
                   : ieq(tok, "quoted-printable") ? MW_HDR_CTE_QUOTED_PRINTABLE
                   : ieq(tok, "base64")           ? MW_HDR_CTE_BASE64
                                                  : MW_HDR_CTE_OTHER;
        CHECK(enc == want);
    }
    CHECK(mw_hdr_parse_cte(v, len, NULL, NULL, NULL) == MW_E_INVAL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t caps[8] = {0, 1, 2, 3, 5, 8, 64, MW_HDR_MAX_PARAMS};
    hook_state hs;
    mw_hdr_decode_opts opts;
    size_t cap, len, small;
    char *v;

    if (size < 2)
        return 0;
    cap = data[0] < 0x80 ? caps[data[0] & 7] : (size_t)data[0] - 0x80;
    memset(&opts, 0, sizeof opts);
    opts.flags = data[1] & (MW_HDR_DECODE_SAFE | MW_HDR_DECODE_GLUED |
                            MW_HDR_DECODE_QUOTED);
    hs.magic = 0x5EED;
    hs.calls = 0;
    if (data[1] & 0x08u) {
        opts.hook = test_hook;
        opts.user = &hs;
    }
    small = (size_t)(data[1] >> 4) * 3u;
    len = size - 2;
    v = malloc(len ? len : 1);
    CHECK(v != NULL);
    if (len)
        memcpy(v, data + 2, len);

    fuzz_ct(v, len, cap, (data[0] & 0x40) ? NULL : &opts, small);
    fuzz_cd(v, len, cap, &opts, small);
    fuzz_cte(v, len);
    free(v);
    return 0;
}
