/* SPDX-License-Identifier: MIT */
/* MIME header fields: Content-Type (RFC 2045 §5.1), Content-Transfer-
 * Encoding (RFC 2045 §6.1), Content-Disposition (RFC 2183) and RFC 2231
 * parameter values. The RFCs' own examples first, then real-world forms,
 * then hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/hdr_mime.h"
#include "reason.h"

#define CAP MW_HDR_MAX_PARAMS

static mw_hdr_param P[CAP + 8];

/* ---- helpers -------------------------------------------------------------- */

static void span_is(mw_span s, const char *want)
{
    size_t n = strlen(want);
    if (s.len != n || (n > 0 && memcmp(s.ptr, want, n) != 0))
        fail_msg("span \"%.*s\" != \"%s\"", (int)s.len, s.ptr ? s.ptr : "",
                 want);
}

static int ct(const char *v, mw_hdr_content_type *out, mw_error *err)
{
    return mw_hdr_parse_content_type(v, strlen(v), out, P, CAP, err);
}

static int cd(const char *v, mw_hdr_content_disposition *out, mw_error *err)
{
    return mw_hdr_parse_content_disposition(v, strlen(v), out, P, CAP, err);
}

/* Offset of the first occurrence of `needle` in `hay` (must be there). */
static size_t off_of(const char *hay, const char *needle)
{
    const char *p = strstr(hay, needle);
    assert_non_null(p);
    return (size_t)(p - hay);
}

static char vbuf[4096];

/* Decode parameter `name` into vbuf (NUL-terminated for convenience). */
static int get(const mw_hdr_param *ps, size_t n, const char *name,
               mw_hdr_param_info *info, mw_error *err)
{
    size_t len = 12345;
    int rc = mw_hdr_param_get(ps, n, name, NULL, vbuf, sizeof(vbuf) - 1,
                              &len, info, err);
    if (rc == MW_OK || rc == MW_E_NUL)
        assert_true(len < sizeof(vbuf));
    else
        assert_int_equal(len, 0);
    vbuf[rc == MW_OK || rc == MW_E_NUL ? len : 0] = '\0';
    return rc;
}

/* Parse a Content-Type that must be clean and return the value of one
 * parameter. */
static const char *ct_param(const char *v, const char *name)
{
    mw_hdr_content_type c;
    mw_error e;
    int rc = ct(v, &c, &e);
    if (rc != MW_OK)
        fail_msg("parse of \"%s\": %d at %zu (%s)", v, rc, e.offset, e.reason);
    rc = get(c.params, c.nparams, name, NULL, &e);
    if (rc != MW_OK)
        fail_msg("get %s: %d at %zu (%s)", name, rc, e.offset, e.reason);
    return vbuf;
}

/* ---- RFC 2045 ------------------------------------------------------------- */

static void test_rfc2045_content_type_examples(void **state)
{
    mw_hdr_content_type c;
    mw_error e;
    (void)state;

    /* RFC 2045 §5.1: these two are equivalent. */
    assert_int_equal(ct("text/plain; charset=us-ascii (Plain text)", &c, &e),
                     MW_OK);
    span_is(c.type, "text");
    span_is(c.subtype, "plain");
    assert_int_equal(c.nparams, 1);
    assert_ptr_equal(c.params, P);
    span_is(P[0].name, "charset");
    span_is(P[0].value, "us-ascii");
    assert_int_equal(P[0].section, -1);
    assert_int_equal(P[0].flags, 0);
    assert_int_equal(P[0].offset, 12);
    assert_true(c.flags & MW_HDR_MIME_COMMENT);
    assert_int_equal(get(c.params, c.nparams, "charset", NULL, &e), MW_OK);
    assert_string_equal(vbuf, "us-ascii");

    assert_int_equal(ct("text/plain; charset=\"us-ascii\"", &c, &e), MW_OK);
    assert_int_equal(c.nparams, 1);
    span_is(P[0].value, "\"us-ascii\"");
    assert_int_equal(P[0].flags, MW_HDR_PARAM_QUOTED);
    assert_int_equal(c.flags, 0);
    assert_int_equal(get(c.params, c.nparams, "CHARSET", NULL, &e), MW_OK);
    assert_string_equal(vbuf, "us-ascii");

    /* §5.1: type, subtype and parameter names are case-insensitive. */
    assert_int_equal(ct("TEXT/Plain; CharSet=ISO-8859-1", &c, &e), MW_OK);
    assert_true(mw_hdr_ct_is(&c, "text", "plain"));
    assert_true(mw_hdr_ct_is(&c, "Text", NULL));
    assert_true(mw_hdr_ct_is(&c, "text", "*"));
    assert_false(mw_hdr_ct_is(&c, "text", "html"));
    assert_false(mw_hdr_ct_is(&c, "tex", "plain"));
    assert_false(mw_hdr_ct_is(&c, "text", "plai"));
    assert_false(mw_hdr_ct_is(NULL, "text", "plain"));
    assert_false(mw_hdr_ct_is(&c, NULL, "plain"));
    span_is(c.type, "TEXT"); /* raw spans keep their case */
    assert_string_equal(ct_param("TEXT/Plain; CharSet=ISO-8859-1", "charset"),
                        "ISO-8859-1");

    /* RFC 2045 §5.1 lists these as types; extension and x- tokens too. */
    assert_int_equal(ct("application/octet-stream", &c, &e), MW_OK);
    assert_int_equal(c.nparams, 0);
    assert_int_equal(ct("image/jpeg", &c, &e), MW_OK);
    assert_int_equal(ct("x-unknown/x-thing", &c, &e), MW_OK);
    span_is(c.subtype, "x-thing");
    assert_int_equal(ct("application/vnd.openxmlformats-officedocument."
                        "wordprocessingml.document; name=\"a.docx\"", &c, &e),
                     MW_OK);
    span_is(c.subtype, "vnd.openxmlformats-officedocument."
                       "wordprocessingml.document");
    assert_int_equal(c.nparams, 1);
}

static void test_rfc2046_examples(void **state)
{
    mw_hdr_content_type c;
    mw_error e;
    (void)state;

    /* RFC 2046 §5.1.1 */
    assert_string_equal(
        ct_param("multipart/mixed; boundary=gc0p4Jq0M2Yt08jU534c0p",
                 "boundary"),
        "gc0p4Jq0M2Yt08jU534c0p");
    assert_string_equal(
        ct_param("multipart/mixed; boundary=\"simple boundary\"", "boundary"),
        "simple boundary");
    /* RFC 2049 appendix A: folded, and a boundary ending in "0" after "=" */
    assert_string_equal(ct_param("multipart/mixed;\r\n"
                                 "     boundary=\"---- main boundary ----\"",
                                 "boundary"),
                        "---- main boundary ----");
    assert_string_equal(
        ct_param("multipart/parallel; boundary=unique-boundary-2", "boundary"),
        "unique-boundary-2");
    /* RFC 2046 §5.2.2: message/partial */
    assert_int_equal(ct("message/partial; id=\"ABC@host.com\"; number=2; "
                        "total=3",
                        &c, &e),
                     MW_OK);
    assert_int_equal(c.nparams, 3);
    assert_true(mw_hdr_ct_is(&c, "message", "partial"));
    assert_string_equal(ct_param("message/partial; id=\"ABC@host.com\"; "
                                 "number=2; total=3",
                                 "id"),
                        "ABC@host.com");
    /* RFC 2046 §5.2.3: message/external-body */
    assert_int_equal(ct("message/external-body; access-type=local-file;\r\n"
                        "     name=\"/u/nsb/Me.jpeg\"",
                        &c, &e),
                     MW_OK);
    assert_int_equal(c.nparams, 2);
    span_is(P[0].name, "access-type");
    span_is(P[0].value, "local-file");
    span_is(P[1].value, "\"/u/nsb/Me.jpeg\"");
    assert_int_equal(get(c.params, c.nparams, "name", NULL, &e), MW_OK);
    assert_string_equal(vbuf, "/u/nsb/Me.jpeg");
    /* Outlook's boundaries: '=' and '.' inside quotes. */
    assert_string_equal(
        ct_param("multipart/alternative;\r\n\tboundary=\"----=_NextPart_000_"
                 "0012_01D2A1B3.4C5D6E70\"",
                 "boundary"),
        "----=_NextPart_000_0012_01D2A1B3.4C5D6E70");
}

static void test_cte(void **state)
{
    int enc = -1;
    mw_span tok;
    mw_error e;
    static const struct {
        const char *v;
        int enc;
        const char *tok;
    } ok[] = {
        {"7bit", MW_HDR_CTE_7BIT, "7bit"},
        {"7BIT", MW_HDR_CTE_7BIT, "7BIT"},
        {"8bit", MW_HDR_CTE_8BIT, "8bit"},
        {"Binary", MW_HDR_CTE_BINARY, "Binary"},
        {"quoted-printable", MW_HDR_CTE_QUOTED_PRINTABLE, "quoted-printable"},
        {"Quoted-Printable", MW_HDR_CTE_QUOTED_PRINTABLE, "Quoted-Printable"},
        {"base64", MW_HDR_CTE_BASE64, "base64"},
        {" BASE64 ", MW_HDR_CTE_BASE64, "BASE64"},
        {"\r\n base64\r\n ", MW_HDR_CTE_BASE64, "base64"},
        {"(old) base64 (new (nested))", MW_HDR_CTE_BASE64, "base64"},
        {"x-uuencode", MW_HDR_CTE_OTHER, "x-uuencode"},
        {"X-Token", MW_HDR_CTE_OTHER, "X-Token"},
        {"7-bit", MW_HDR_CTE_OTHER, "7-bit"},
        {"base64x", MW_HDR_CTE_OTHER, "base64x"},
        {"8bi", MW_HDR_CTE_OTHER, "8bi"},
    };
    static const struct {
        const char *v;
        int enc;
        const char *at; /* where the error is */
    } bad[] = {
        {"", MW_HDR_CTE_INVALID, ""},
        {"   ", MW_HDR_CTE_INVALID, ""},
        {"(only a comment)", MW_HDR_CTE_INVALID, ""},
        {"\"base64\"", MW_HDR_CTE_INVALID, "\""},
        {"base64 foo", MW_HDR_CTE_BASE64, "foo"},
        {"base64;", MW_HDR_CTE_BASE64, ";"},
        {"quoted-printable/x", MW_HDR_CTE_QUOTED_PRINTABLE, "/"},
        {"b\xc3\xa4se64", MW_HDR_CTE_OTHER, "\xc3"},
        {"base64 (unclosed", MW_HDR_CTE_BASE64, "("},
        {"=?utf-8?q?base64?=", MW_HDR_CTE_INVALID, "="},
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        enc = -1;
        assert_int_equal(mw_hdr_parse_cte(ok[i].v, strlen(ok[i].v), &enc, &tok,
                                          &e),
                         MW_OK);
        assert_int_equal(enc, ok[i].enc);
        span_is(tok, ok[i].tok);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t want = bad[i].at[0] ? off_of(bad[i].v, bad[i].at)
                                   : strlen(bad[i].v);
        enc = -1;
        memset(&e, 0, sizeof(e));
        assert_int_equal(mw_hdr_parse_cte(bad[i].v, strlen(bad[i].v), &enc,
                                          NULL, &e),
                         MW_E_SYNTAX);
        assert_int_equal(enc, bad[i].enc);
        assert_int_equal(e.code, MW_E_SYNTAX);
        if (e.offset != want)
            fail_msg("\"%s\": offset %zu, want %zu", bad[i].v, e.offset, want);
        assert_non_null(e.reason);
    }
    /* NUL: not a token character. */
    assert_int_equal(mw_hdr_parse_cte("base64\0", 7, &enc, &tok, &e),
                     MW_E_SYNTAX);
    assert_int_equal(e.offset, 6);
    assert_int_equal(mw_hdr_parse_cte("\0base64", 7, &enc, &tok, &e),
                     MW_E_SYNTAX);
    assert_int_equal(enc, MW_HDR_CTE_INVALID);
    assert_int_equal(e.offset, 0);
    /* Too-deep comments are reported but skipped. */
    {
        char v[200];
        size_t d = MW_HDR_MAX_COMMENT_DEPTH + 1;
        memset(v, '(', d);
        memset(v + d, ')', d);
        strcpy(v + 2 * d, " base64");
        assert_int_equal(mw_hdr_parse_cte(v, strlen(v), &enc, &tok, &e),
                         MW_E_DEPTH);
        assert_int_equal(e.offset, 0);
        assert_int_equal(enc, MW_HDR_CTE_BASE64);
        /* At the limit it is fine. */
        d = MW_HDR_MAX_COMMENT_DEPTH;
        memset(v, '(', d);
        memset(v + d, ')', d);
        strcpy(v + 2 * d, " base64");
        assert_int_equal(mw_hdr_parse_cte(v, strlen(v), &enc, &tok, &e), MW_OK);
    }
    /* Arguments. */
    assert_int_equal(mw_hdr_parse_cte("7bit", 4, NULL, NULL, NULL), MW_E_INVAL);
    assert_int_equal(mw_hdr_parse_cte(NULL, 1, &enc, NULL, NULL), MW_E_INVAL);
    assert_int_equal(mw_hdr_parse_cte(NULL, 0, &enc, NULL, NULL), MW_E_SYNTAX);
}

/* ---- RFC 2183 ------------------------------------------------------------- */

static void test_rfc2183_examples(void **state)
{
    mw_hdr_content_disposition d;
    mw_error e;
    const char *v;
    (void)state;

    /* RFC 2183 §2.10 (folded as in the RFC, with its trailing ";") */
    v = "attachment; filename=genome.jpeg;\r\n"
        "  modification-date=\"Wed, 12 Feb 1997 16:29:51 -0500\";";
    assert_int_equal(cd(v, &d, &e), MW_OK);
    span_is(d.type, "attachment");
    assert_true(mw_hdr_cd_is(&d, "ATTACHMENT"));
    assert_false(mw_hdr_cd_is(&d, "inline"));
    assert_int_equal(d.nparams, 2);
    assert_true(d.flags & MW_HDR_MIME_EMPTY_PARAM);
    span_is(P[0].name, "filename");
    span_is(P[0].value, "genome.jpeg");
    assert_int_equal(P[0].offset, off_of(v, "filename"));
    span_is(P[1].name, "modification-date");
    assert_int_equal(P[1].offset, off_of(v, "modification-date"));
    assert_int_equal(get(d.params, d.nparams, "filename", NULL, &e), MW_OK);
    assert_string_equal(vbuf, "genome.jpeg");
    assert_int_equal(get(d.params, d.nparams, "Modification-Date", NULL, &e),
                     MW_OK);
    assert_string_equal(vbuf, "Wed, 12 Feb 1997 16:29:51 -0500");
    assert_int_equal(get(d.params, d.nparams, "size", NULL, &e),
                     MW_E_NOT_FOUND);

    /* RFC 2183 §2.1, §2.2, §2.7 */
    assert_int_equal(cd("inline", &d, &e), MW_OK);
    assert_true(mw_hdr_cd_is(&d, "inline"));
    assert_int_equal(d.nparams, 0);
    assert_int_equal(cd("INLINE ; size=4096", &d, &e), MW_OK);
    assert_true(mw_hdr_cd_is(&d, "inline"));
    span_is(P[0].value, "4096");
    assert_int_equal(cd("x-mw-unknown; filename=a.txt", &d, &e), MW_OK);
    span_is(d.type, "x-mw-unknown");
    assert_int_equal(d.flags, 0);
    assert_false(mw_hdr_cd_is(NULL, "inline"));
    assert_false(mw_hdr_cd_is(&d, NULL));
}

static void test_disposition_salvage(void **state)
{
    mw_hdr_content_disposition d;
    mw_error e;
    (void)state;

    /* No type but a parameter: seen in the wild. */
    assert_int_equal(cd("filename=a.txt", &d, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 0);
    span_is(d.type, "attachment");
    assert_true(d.flags & MW_HDR_MIME_DEFAULTED);
    assert_false(d.flags & MW_HDR_MIME_MISSING_SEMI);
    assert_int_equal(d.nparams, 1);
    assert_int_equal(get(d.params, d.nparams, "filename", NULL, &e), MW_OK);
    assert_string_equal(vbuf, "a.txt");

    assert_int_equal(cd(" ; filename=\"b c.txt\"", &d, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 1);
    assert_true(d.flags & MW_HDR_MIME_DEFAULTED);
    assert_int_equal(d.nparams, 1);
    assert_int_equal(get(d.params, d.nparams, "filename", NULL, &e), MW_OK);
    assert_string_equal(vbuf, "b c.txt");

    assert_int_equal(cd("", &d, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 0);
    assert_true(d.flags & MW_HDR_MIME_DEFAULTED);
    assert_true(mw_hdr_cd_is(&d, "attachment"));
    assert_int_equal(d.nparams, 0);

    assert_int_equal(cd("\"attachment\"", &d, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 0);
    assert_true(d.flags & MW_HDR_MIME_DEFAULTED);
    assert_int_equal(d.nparams, 0);

    /* Missing ";" between type and parameter: error, parameter kept. */
    assert_int_equal(cd("attachment filename=x.pdf", &d, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 11);
    assert_true(d.flags & MW_HDR_MIME_MISSING_SEMI);
    span_is(d.type, "attachment");
    assert_int_equal(d.nparams, 1);
    span_is(P[0].value, "x.pdf");
}

/* ---- RFC 2231 ------------------------------------------------------------- */

static void test_rfc2231_section3_continuations(void **state)
{
    mw_hdr_content_type c;
    mw_hdr_param_info info;
    mw_error e;
    const char *v = "message/external-body; access-type=URL;\r\n"
                    "         URL*0=\"ftp://\";\r\n"
                    "         URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/"
                    "bulk-mailer.tar\"";
    (void)state;

    assert_int_equal(ct(v, &c, &e), MW_OK);
    assert_int_equal(c.nparams, 3);
    span_is(P[1].name, "URL");
    assert_int_equal(P[1].section, 0);
    assert_int_equal(P[1].flags, MW_HDR_PARAM_CONTINUED | MW_HDR_PARAM_QUOTED);
    assert_int_equal(P[2].section, 1);
    assert_int_equal(get(c.params, c.nparams, "url", &info, &e), MW_OK);
    assert_string_equal(vbuf,
                        "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar");
    assert_int_equal(info.sections, 2);
    assert_true(info.flags & MW_HDR_PV_JOINED);
    assert_true(info.flags & MW_HDR_PV_RFC2231);
    assert_int_equal(info.charset.len, 0);
    assert_false(info.flags & (MW_HDR_PV_GAP | MW_HDR_PV_DUPLICATE));
}

static void test_rfc2231_section4_charset_language(void **state)
{
    mw_hdr_content_type c;
    mw_hdr_param_info info;
    mw_error e;
    const char *v = "application/x-stuff;\r\n"
                    "    title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A";
    (void)state;

    assert_int_equal(ct(v, &c, &e), MW_OK);
    assert_int_equal(c.nparams, 1);
    span_is(P[0].name, "title");
    assert_int_equal(P[0].section, -1);
    assert_int_equal(P[0].flags, MW_HDR_PARAM_EXTENDED);
    span_is(P[0].value, "us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
    assert_int_equal(get(c.params, c.nparams, "title", &info, &e), MW_OK);
    assert_string_equal(vbuf, "This is ***fun***");
    span_is(info.charset, "us-ascii");
    span_is(info.language, "en-us");
    assert_int_equal(info.sections, 0);
    assert_int_equal(info.flags, MW_HDR_PV_RFC2231);
}

static void test_rfc2231_section41_combined(void **state)
{
    mw_hdr_content_type c;
    mw_hdr_param_info info;
    mw_error e;
    const char *want = "This is even more ***fun*** isn't it!";
    /* With the semicolons RFC 2231 §7's grammar needs. */
    const char *v = "application/x-stuff;\r\n"
                    "    title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n"
                    "    title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n"
                    "    title*2=\"isn't it!\"";
    /* As printed in RFC 2231 §4.1, without them (a known erratum). */
    const char *rfc = "application/x-stuff\r\n"
                      "    title*0*=us-ascii'en'This%20is%20even%20more%20\r\n"
                      "    title*1*=%2A%2A%2Afun%2A%2A%2A%20\r\n"
                      "    title*2=\"isn't it!\"";
    (void)state;

    assert_int_equal(ct(v, &c, &e), MW_OK);
    assert_int_equal(c.nparams, 3);
    assert_int_equal(P[0].flags,
                     MW_HDR_PARAM_EXTENDED | MW_HDR_PARAM_CONTINUED);
    assert_int_equal(P[1].flags,
                     MW_HDR_PARAM_EXTENDED | MW_HDR_PARAM_CONTINUED);
    assert_int_equal(P[2].flags, MW_HDR_PARAM_QUOTED | MW_HDR_PARAM_CONTINUED);
    assert_int_equal(get(c.params, c.nparams, "title", &info, &e), MW_OK);
    assert_string_equal(vbuf, want);
    span_is(info.charset, "us-ascii");
    span_is(info.language, "en");
    assert_int_equal(info.sections, 3);

    memset(&e, 0, sizeof(e));
    assert_int_equal(ct(rfc, &c, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, off_of(rfc, "title*0*"));
    assert_true(c.flags & MW_HDR_MIME_MISSING_SEMI);
    assert_false(c.flags & MW_HDR_MIME_DEFAULTED);
    assert_true(mw_hdr_ct_is(&c, "application", "x-stuff"));
    assert_int_equal(c.nparams, 3);
    assert_int_equal(get(c.params, c.nparams, "title", &info, &e), MW_OK);
    assert_string_equal(vbuf, want);
}

static void test_rfc2231_section_order(void **state)
{
    mw_hdr_content_type c;
    mw_hdr_param_info info;
    mw_error e;
    const char *v;
    (void)state;

    /* Out of order: joined by number (RFC 2231 §3: parameters may be
     * reordered), charset taken from section 0 wherever it is. */
    v = "text/plain; t*2=\"c\"; t*0*=utf-8'de'%C3%A4; t*1=b; t*10=k; "
        "t*3=d; t*4=e; t*5=f; t*6=g; t*7=h; t*8=i; t*9=j";
    assert_int_equal(ct(v, &c, &e), MW_OK);
    assert_int_equal(get(c.params, c.nparams, "t", &info, &e), MW_OK);
    assert_string_equal(vbuf, "\xc3\xa4" "bcdefghijk");
    assert_int_equal(info.sections, 11);
    span_is(info.language, "de");

    /* Gap: the value stops at the first missing number. */
    v = "text/plain; t*0=a; t*1=b; t*3=d; t*4=e";
    assert_int_equal(ct(v, &c, &e), MW_OK);
    assert_int_equal(get(c.params, c.nparams, "t", &info, &e), MW_OK);
    assert_string_equal(vbuf, "ab");
    assert_int_equal(info.sections, 2);
    assert_true(info.flags & MW_HDR_PV_GAP);

    /* Gap beyond the section table. */
    v = "text/plain; t*0=a; t*999999999=z";
    assert_int_equal(ct(v, &c, &e), MW_OK);
    assert_int_equal(P[1].section, 999999999);
    assert_int_equal(get(c.params, c.nparams, "t", &info, &e), MW_OK);
    assert_string_equal(vbuf, "a");
    assert_true(info.flags & MW_HDR_PV_GAP);

    /* Duplicate sections: the first copy wins, flagged. Also "t*1" and
     * "t*1*" are the same section. */
    v = "text/plain; t*0=a; t*1=b; t*1*=X; t*1=Y; t*2=c";
    assert_int_equal(ct(v, &c, &e), MW_OK);
    assert_int_equal(get(c.params, c.nparams, "t", &info, &e), MW_OK);
    assert_string_equal(vbuf, "abc");
    assert_true(info.flags & MW_HDR_PV_DUPLICATE);
    assert_false(info.flags & MW_HDR_PV_GAP);

    /* Duplicate plain parameters: first wins, flagged. */
    v = "text/plain; charset=utf-8; CHARSET=iso-8859-1";
    assert_int_equal(ct(v, &c, &e), MW_OK);
    assert_int_equal(get(c.params, c.nparams, "charset", &info, &e), MW_OK);
    assert_string_equal(vbuf, "utf-8");
    assert_int_equal(info.flags, MW_HDR_PV_DUPLICATE);

    /* "name*" and "name*0" both: the continued form wins, flagged. */
    v = "text/plain; t*=utf-8''single; t*0*=utf-8''multi; t*1=ple";
    assert_int_equal(ct(v, &c, &e), MW_OK);
    assert_int_equal(get(c.params, c.nparams, "t", &info, &e), MW_OK);
    assert_string_equal(vbuf, "multiple");
    assert_true(info.flags & MW_HDR_PV_DUPLICATE);
}

static void test_rfc2231_missing_section0(void **state)
{
    mw_hdr_content_type c;
    mw_hdr_param_info info;
    mw_error e;
    const char *v;
    (void)state;

    v = "text/plain; t*1=b; t*2=c";
    assert_int_equal(ct(v, &c, &e), MW_OK);
    memset(&e, 0, sizeof(e));
    assert_int_equal(get(c.params, c.nparams, "t", &info, &e), MW_E_SYNTAX);
    assert_int_equal(e.code, MW_E_SYNTAX);
    assert_int_equal(e.offset, off_of(v, "t*1"));
    assert_string_equal(vbuf, "");

    /* The plain form is the fallback. */
    v = "text/plain; t*1=b; t=\"plain\"; t*2=c";
    assert_int_equal(ct(v, &c, &e), MW_OK);
    assert_int_equal(get(c.params, c.nparams, "t", &info, &e), MW_OK);
    assert_string_equal(vbuf, "plain");
    assert_true(info.flags & MW_HDR_PV_FALLBACK);

    /* And so is "t*" when there is one. */
    v = "text/plain; t*1=b; t*=utf-8''single";
    assert_int_equal(ct(v, &c, &e), MW_OK);
    assert_int_equal(get(c.params, c.nparams, "t", &info, &e), MW_OK);
    assert_string_equal(vbuf, "single");
    assert_true(info.flags & MW_HDR_PV_GAP);
}

static void test_rfc2231_charsets(void **state)
{
    mw_hdr_content_disposition d;
    mw_hdr_param_info info;
    mw_error e;
    const char *v;
    (void)state;

    /* ISO-8859-1: "été.txt" */
    v = "attachment; filename*=iso-8859-1'fr'%E9t%E9.txt";
    assert_int_equal(cd(v, &d, &e), MW_OK);
    assert_int_equal(get(d.params, d.nparams, "filename", &info, &e), MW_OK);
    assert_string_equal(vbuf, "\xc3\xa9t\xc3\xa9.txt");
    span_is(info.charset, "iso-8859-1");
    span_is(info.language, "fr");
    assert_true(info.flags & MW_HDR_PV_CONVERTED);

    /* UTF-8, lower-case hex */
    v = "attachment; filename*=UTF-8''%e2%82%ac%20rates.pdf";
    assert_int_equal(cd(v, &d, &e), MW_OK);
    assert_int_equal(get(d.params, d.nparams, "filename", &info, &e), MW_OK);
    assert_string_equal(vbuf, "\xe2\x82\xac rates.pdf");
    assert_false(info.flags & MW_HDR_PV_CONVERTED);

    /* Invalid UTF-8 in a UTF-8 value */
    v = "attachment; filename*=utf-8''a%C3";
    assert_int_equal(cd(v, &d, &e), MW_OK);
    assert_int_equal(get(d.params, d.nparams, "filename", &info, &e),
                     MW_E_UTF8);
    assert_int_equal(e.offset, off_of(v, "utf-8"));
    v = "attachment; filename*=utf-8''%ED%A0%80"; /* a surrogate */
    assert_int_equal(cd(v, &d, &e), MW_OK);
    assert_int_equal(get(d.params, d.nparams, "filename", &info, &e),
                     MW_E_UTF8);

    /* Unknown charset, no hook */
    v = "attachment; filename*=x-mw-unknown''abc%FF";
    assert_int_equal(cd(v, &d, &e), MW_OK);
    memset(&e, 0, sizeof(e));
    assert_int_equal(get(d.params, d.nparams, "filename", &info, &e),
                     MW_E_CHARSET);
    assert_int_equal(e.code, MW_E_CHARSET);
    assert_int_equal(e.offset, off_of(v, "x-mw-unknown"));
    span_is(info.charset, "x-mw-unknown");

    /* ... and with a plain form to fall back to (RFC 6266 style pair). */
    v = "attachment; filename=\"abc.txt\"; filename*=x-mw-unknown''abc%FF";
    assert_int_equal(cd(v, &d, &e), MW_OK);
    assert_int_equal(get(d.params, d.nparams, "filename", &info, &e), MW_OK);
    assert_string_equal(vbuf, "abc.txt");
    assert_true(info.flags & MW_HDR_PV_FALLBACK);
    assert_int_equal(info.charset.len, 0);

    /* Both forms fine: the RFC 2231 one wins. */
    v = "attachment; filename=\"ete.txt\"; filename*=utf-8''%C3%A9t%C3%A9.txt";
    assert_int_equal(cd(v, &d, &e), MW_OK);
    assert_int_equal(get(d.params, d.nparams, "filename", &info, &e), MW_OK);
    assert_string_equal(vbuf, "\xc3\xa9t\xc3\xa9.txt");
    assert_true(info.flags & MW_HDR_PV_BOTH_FORMS);
    assert_false(info.flags & MW_HDR_PV_FALLBACK);

    /* US-ASCII that is ASCII */
    v = "attachment; filename*=us-ascii''plain%2Etxt";
    assert_int_equal(cd(v, &d, &e), MW_OK);
    assert_int_equal(get(d.params, d.nparams, "filename", &info, &e), MW_OK);
    assert_string_equal(vbuf, "plain.txt");

    /* Empty charset: bytes as they are. */
    v = "attachment; filename*=''%C3%A9";
    assert_int_equal(cd(v, &d, &e), MW_OK);
    assert_int_equal(get(d.params, d.nparams, "filename", &info, &e), MW_OK);
    assert_string_equal(vbuf, "\xc3\xa9");
    assert_true(info.flags & MW_HDR_PV_UTF8_RAW);
    v = "attachment; filename*=''%E9";
    assert_int_equal(cd(v, &d, &e), MW_OK);
    assert_int_equal(get(d.params, d.nparams, "filename", &info, &e), MW_OK);
    assert_string_equal(vbuf, "\xe9");
    assert_true(info.flags & MW_HDR_PV_NOT_UTF8);
}

static void test_rfc2231_bad_escapes(void **state)
{
    mw_hdr_content_type c;
    mw_hdr_param_info info;
    mw_error e;
    static const char *const vals[] = {
        "text/plain; t*=utf-8''abc%4",
        "text/plain; t*=utf-8''abc%",
        "text/plain; t*=utf-8''abc%zz",
        "text/plain; t*=utf-8''abc%4g",
        "text/plain; t*0*=utf-8''ok; t*1*=abc%G0",
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        assert_int_equal(ct(vals[i], &c, &e), MW_OK);
        memset(&e, 0, sizeof(e));
        assert_int_equal(get(c.params, c.nparams, "t", &info, &e),
                         MW_E_SYNTAX);
        assert_int_equal(e.offset, off_of(vals[i], "%"));
        assert_string_equal(e.reason, R_("bad percent escape"));
    }

    /* No charset'language' prefix */
    assert_int_equal(ct("text/plain; t*=abc%20def", &c, &e), MW_OK);
    assert_int_equal(get(c.params, c.nparams, "t", &info, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 15);
    assert_int_equal(ct("text/plain; t*=utf-8'abc", &c, &e), MW_OK);
    assert_int_equal(get(c.params, c.nparams, "t", &info, &e), MW_E_SYNTAX);
    /* A bad escape with a plain form: fallback. */
    assert_int_equal(ct("text/plain; t*=utf-8''%zz; t=ok", &c, &e), MW_OK);
    assert_int_equal(get(c.params, c.nparams, "t", &info, &e), MW_OK);
    assert_string_equal(vbuf, "ok");
    assert_true(info.flags & MW_HDR_PV_FALLBACK);
    /* A '%' in a plain (non-extended) section is just a '%'. */
    assert_string_equal(ct_param("text/plain; t*0*=utf-8''50%25; t*1=%zz",
                                 "t"),
                        "50%%zz");
}

static void test_rfc2231_attribute_forms(void **state)
{
    mw_hdr_content_type c;
    mw_hdr_param_info info;
    mw_error e;
    (void)state;

    /* Leading zeros, junk after the section, no name: the whole attribute
     * is the name and the parameter is flagged invalid. */
    assert_int_equal(ct("text/plain; t*01=a; t*1x=b; *=c; t*0**=d; t**=e",
                        &c, &e),
                     MW_OK);
    assert_int_equal(c.nparams, 5);
    span_is(P[0].name, "t*01");
    span_is(P[1].name, "t*1x");
    span_is(P[2].name, "*");
    span_is(P[3].name, "t*0**");
    span_is(P[4].name, "t**");
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(P[i].section, -1);
        assert_true(P[i].flags & MW_HDR_PARAM_INVALID);
        assert_false(P[i].flags & MW_HDR_PARAM_EXTENDED);
    }
    assert_int_equal(get(c.params, c.nparams, "t", &info, &e), MW_E_NOT_FOUND);
    assert_int_equal(get(c.params, c.nparams, "t*01", &info, &e), MW_OK);
    assert_string_equal(vbuf, "a");
    assert_true(info.flags & MW_HDR_PV_LENIENT);

    /* Ten digits are too many (section numbers fit an int). */
    assert_int_equal(ct("text/plain; t*1234567890=a; t*123456789=b", &c, &e),
                     MW_OK);
    span_is(P[0].name, "t*1234567890");
    assert_int_equal(P[0].section, -1);
    span_is(P[1].name, "t");
    assert_int_equal(P[1].section, 123456789);

    /* Quoted extended values (wrong, but written by some mailers). */
    assert_int_equal(ct("text/plain; t*=\"utf-8'en'a%20b\"", &c, &e), MW_OK);
    assert_true(P[0].flags & MW_HDR_PARAM_INVALID);
    assert_int_equal(get(c.params, c.nparams, "t", &info, &e), MW_OK);
    assert_string_equal(vbuf, "a b");
    span_is(info.language, "en");
    assert_true(info.flags & MW_HDR_PV_LENIENT);
    assert_int_equal(ct("text/plain; t*0*=\"utf-8''a%20\"; t*1*=\"%62\\c\"",
                        &c, &e),
                     MW_OK);
    assert_int_equal(get(c.params, c.nparams, "t", &info, &e), MW_OK);
    assert_string_equal(vbuf, "a bc");
}

/* ---- real-world forms ----------------------------------------------------- */

static void test_lenient_forms(void **state)
{
    mw_hdr_content_type c;
    mw_hdr_param_info info;
    mw_error e;
    const char *v;
    (void)state;

    /* Missing ";" after the subtype: strict error, salvaged. */
    v = "text/plain charset=utf-8";
    memset(&e, 0, sizeof(e));
    assert_int_equal(ct(v, &c, &e), MW_E_SYNTAX);
    assert_int_equal(e.code, MW_E_SYNTAX);
    assert_int_equal(e.offset, 11);
    assert_true(mw_hdr_ct_is(&c, "text", "plain"));
    assert_int_equal(c.flags, MW_HDR_MIME_MISSING_SEMI);
    assert_int_equal(c.nparams, 1);
    span_is(P[0].value, "utf-8");

    /* Trailing ";" and runs of ";" are tolerated. */
    assert_int_equal(ct("text/plain; charset=utf-8;", &c, &e), MW_OK);
    assert_int_equal(c.nparams, 1);
    assert_int_equal(c.flags, MW_HDR_MIME_EMPTY_PARAM);
    assert_int_equal(ct("text/plain;;; ; charset=utf-8;;", &c, &e), MW_OK);
    assert_int_equal(c.nparams, 1);
    assert_int_equal(ct("text/plain;", &c, &e), MW_OK);
    assert_int_equal(c.nparams, 0);

    /* White space and comments anywhere (RFC 2045 §5.1 via RFC 822). */
    v = " text (c1) / (c2) plain (c3) ; (c4) charset (c5) = (c6) \"utf-8\" "
        "(c7) ; format = flowed(c8)";
    assert_int_equal(ct(v, &c, &e), MW_OK);
    span_is(c.type, "text");
    span_is(c.subtype, "plain");
    assert_int_equal(c.nparams, 2);
    span_is(P[0].value, "\"utf-8\"");
    span_is(P[1].value, "flowed");
    assert_int_equal(c.flags, MW_HDR_MIME_COMMENT);
    assert_int_equal(ct("text/plain;\r\n\tcharset=utf-8\r\n", &c, &e), MW_OK);
    assert_int_equal(c.nparams, 1);

    /* tspecials in unquoted values: accepted and flagged. */
    v = "application/octet-stream; name=dir/file@host?.bin; x=a=b,c:d[e]<f>\\";
    assert_int_equal(ct(v, &c, &e), MW_OK);
    assert_int_equal(c.nparams, 2);
    span_is(P[0].value, "dir/file@host?.bin");
    assert_int_equal(P[0].flags,
                     MW_HDR_PARAM_TSPECIALS | MW_HDR_PARAM_INVALID);
    span_is(P[1].value, "a=b,c:d[e]<f>\\");
    assert_int_equal(get(c.params, c.nparams, "name", &info, &e), MW_OK);
    assert_string_equal(vbuf, "dir/file@host?.bin");
    assert_true(info.flags & MW_HDR_PV_LENIENT);
    /* An unquoted Outlook boundary with '=' */
    assert_string_equal(
        ct_param("multipart/mixed; boundary=----=_Part_0_1.2", "boundary"),
        "----=_Part_0_1.2");

    /* Empty value */
    assert_int_equal(ct("text/plain; charset=; format=flowed", &c, &e), MW_OK);
    assert_int_equal(c.nparams, 2);
    assert_int_equal(P[0].flags, MW_HDR_PARAM_EMPTY | MW_HDR_PARAM_INVALID);
    assert_int_equal(get(c.params, c.nparams, "charset", &info, &e), MW_OK);
    assert_string_equal(vbuf, "");
    assert_int_equal(ct("text/plain; charset=\"\"", &c, &e), MW_OK);
    assert_int_equal(P[0].flags, MW_HDR_PARAM_QUOTED);
    assert_int_equal(get(c.params, c.nparams, "charset", &info, &e), MW_OK);
    assert_string_equal(vbuf, "");

    /* 8-bit file names (RFC 6532), and raw Latin-1 ones. */
    v = "text/plain; name=\"na\xc3\xafve.txt\"; other=\xc3\xa9t\xc3\xa9";
    assert_int_equal(ct(v, &c, &e), MW_OK);
    assert_int_equal(c.nparams, 2);
    assert_int_equal(P[0].flags, MW_HDR_PARAM_QUOTED | MW_HDR_PARAM_8BIT);
    assert_int_equal(P[1].flags, MW_HDR_PARAM_8BIT);
    assert_int_equal(get(c.params, c.nparams, "name", &info, &e), MW_OK);
    assert_string_equal(vbuf, "na\xc3\xafve.txt");
    assert_int_equal(info.flags, MW_HDR_PV_UTF8_RAW);
    assert_int_equal(get(c.params, c.nparams, "other", &info, &e), MW_OK);
    assert_string_equal(vbuf, "\xc3\xa9t\xc3\xa9");
    assert_int_equal(ct("text/plain; name=\"na\xefve.txt\"", &c, &e), MW_OK);
    assert_int_equal(get(c.params, c.nparams, "name", &info, &e), MW_OK);
    assert_string_equal(vbuf, "na\xefve.txt");
    assert_int_equal(info.flags, MW_HDR_PV_NOT_UTF8);

    /* Quoted-pairs and folding inside quoted strings. */
    assert_string_equal(ct_param("text/plain; name=\"a\\\"b\\\\c\"", "name"),
                        "a\"b\\c");
    assert_string_equal(ct_param("text/plain; name=\"a\r\n b\"", "name"),
                        "a b");

    /* RFC 2047 words in a quoted file name: flagged, not decoded. */
    v = "text/plain; name=\"=?utf-8?B?w6l0w6kudHh0?=\"";
    assert_int_equal(ct(v, &c, &e), MW_OK);
    assert_int_equal(P[0].flags,
                     MW_HDR_PARAM_QUOTED | MW_HDR_PARAM_ENCODED_WORD);
    assert_int_equal(get(c.params, c.nparams, "name", &info, &e), MW_OK);
    assert_string_equal(vbuf, "=?utf-8?B?w6l0w6kudHh0?=");
}

static void test_defaulted_content_type(void **state)
{
    mw_hdr_content_type c;
    mw_error e;
    static const struct {
        const char *v;
        size_t off;
    } bad[] = {
        {"", 0},
        {"   ", 3},
        {"text", 4},
        {"text/", 5},
        {"/plain", 0},
        {"text plain", 5},
        {"\"text/plain\"", 0},
        {"text/;charset=utf-8", 5},
        {"t\xc3\xa9xt/plain", 1},
        {"(comment only)", 14},
        {"text/(unclosed", 5},
        {"; charset=utf-8", 0},
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&e, 0, sizeof(e));
        assert_int_equal(ct(bad[i].v, &c, &e), MW_E_SYNTAX);
        if (e.offset != bad[i].off)
            fail_msg("\"%s\": offset %zu, want %zu", bad[i].v, e.offset,
                     bad[i].off);
        /* RFC 2045 §5.2 default */
        assert_true(mw_hdr_ct_is(&c, "text", "plain"));
        assert_true(c.flags & MW_HDR_MIME_DEFAULTED);
        assert_int_equal(c.nparams, 1);
        span_is(P[0].name, "charset");
        span_is(P[0].value, "us-ascii");
        assert_int_equal(P[0].flags, MW_HDR_PARAM_DEFAULT);
        assert_int_equal(get(c.params, c.nparams, "charset", NULL, &e), MW_OK);
        assert_string_equal(vbuf, "us-ascii");
    }
    /* With no room for the default parameter. */
    assert_int_equal(mw_hdr_parse_content_type("x", 1, &c, NULL, 0, &e),
                     MW_E_SYNTAX);
    assert_true(c.flags & MW_HDR_MIME_DEFAULTED);
    assert_int_equal(c.nparams, 0);
    assert_int_equal(mw_hdr_parse_content_type(NULL, 0, &c, NULL, 0, &e),
                     MW_E_SYNTAX);
    /* Junk after a valid type/subtype is a bad parameter, not a default. */
    assert_int_equal(ct("text/plain/html; charset=utf-8", &c, &e),
                     MW_E_SYNTAX);
    assert_int_equal(e.offset, 10);
    assert_true(mw_hdr_ct_is(&c, "text", "plain"));
    assert_int_equal(c.flags, MW_HDR_MIME_BAD_PARAM);
    assert_int_equal(c.nparams, 1);
    span_is(P[0].value, "utf-8");
}

static void test_bad_params_recovery(void **state)
{
    mw_hdr_content_type c;
    mw_error e;
    const char *v;
    (void)state;

    /* A name without "=", a "=" without a name, junk after a value: each
     * is skipped to the next ";" and the rest is parsed. */
    v = "text/plain; flowed; =x; a=b c; \"q;\"=1; charset=utf-8";
    memset(&e, 0, sizeof(e));
    assert_int_equal(ct(v, &c, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, off_of(v, "; =x"));
    assert_string_equal(e.reason, R_("expected '=' after the parameter name"));
    assert_int_equal(c.flags, MW_HDR_MIME_BAD_PARAM);
    assert_int_equal(c.nparams, 2);
    span_is(P[0].name, "a");
    span_is(P[0].value, "b");
    span_is(P[1].name, "charset");

    /* Unterminated quoted string: the parameters before it stay. */
    v = "text/plain; charset=utf-8; name=\"abc; x=y";
    memset(&e, 0, sizeof(e));
    assert_int_equal(ct(v, &c, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, off_of(v, "\"abc"));
    assert_string_equal(e.reason, R_("quoted string is not closed"));
    assert_int_equal(c.nparams, 1);
    assert_true(c.flags & MW_HDR_MIME_BAD_PARAM);
    v = "text/plain; name=\"";
    assert_int_equal(ct(v, &c, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 17);
    assert_int_equal(c.nparams, 0);

    /* Unclosed comment */
    v = "text/plain; charset=utf-8 (no end";
    assert_int_equal(ct(v, &c, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, off_of(v, "("));
    assert_int_equal(c.nparams, 1);

    /* Junk in a skipped part may hold quotes and comments with ";". */
    v = "text/plain; a b \"x;y\" (p;q); c=d";
    assert_int_equal(ct(v, &c, &e), MW_E_SYNTAX);
    assert_int_equal(c.nparams, 1);
    span_is(P[0].name, "c");
}

/* ---- limits and hostile input --------------------------------------------- */

/* "text/plain; p0=v; p1=v; ..." with k parameters. */
static char *many_params(size_t k, size_t *len)
{
    size_t cap = 16 + k * 24, n = 0, i;
    char *s = malloc(cap);
    assert_non_null(s);
    n += (size_t)snprintf(s + n, cap - n, "text/plain");
    for (i = 0; i < k; i++)
        n += (size_t)snprintf(s + n, cap - n, "; p%zu=v%zu", i, i);
    *len = n;
    return s;
}

static void test_param_capacity(void **state)
{
    mw_hdr_content_type c;
    mw_error e;
    size_t k, len;
    (void)state;

    for (k = CAP - 1; k <= CAP + 1; k++) {
        char *s = many_params(k, &len);
        char last[32];
        memset(&e, 0, sizeof(e));
        int rc = mw_hdr_parse_content_type(s, len, &c, P, CAP, &e);
        if (k <= CAP) {
            assert_int_equal(rc, MW_OK);
            assert_int_equal(c.nparams, k);
            assert_int_equal(c.flags, 0);
        } else {
            assert_int_equal(rc, MW_E_LIMIT);
            assert_int_equal(e.code, MW_E_LIMIT);
            snprintf(last, sizeof(last), "p%d=", CAP);
            assert_int_equal(e.offset, off_of(s, last));
            assert_int_equal(c.nparams, CAP);
            assert_int_equal(c.flags, MW_HDR_MIME_TRUNCATED);
        }
        snprintf(last, sizeof(last), "p%d", CAP - 2);
        assert_int_equal(get(c.params, c.nparams, last, NULL, &e), MW_OK);
        snprintf(last, sizeof(last), "v%d", CAP - 2);
        assert_string_equal(vbuf, last);
        free(s);
    }
    /* A small caller capacity: 2, 3, 4 with three parameters. */
    assert_int_equal(mw_hdr_parse_content_type("a/b; x=1; y=2; z=3", 18, &c, P,
                                               2, &e),
                     MW_E_LIMIT);
    assert_int_equal(e.offset, 15);
    assert_int_equal(c.nparams, 2);
    assert_int_equal(mw_hdr_parse_content_type("a/b; x=1; y=2; z=3", 18, &c, P,
                                               3, &e),
                     MW_OK);
    assert_int_equal(mw_hdr_parse_content_type("a/b; x=1; y=2; z=3", 18, &c, P,
                                               4, &e),
                     MW_OK);
    assert_int_equal(c.nparams, 3);
    assert_int_equal(mw_hdr_parse_content_type("a/b; x=1", 8, &c, NULL, 0, &e),
                     MW_E_LIMIT);
    assert_int_equal(c.nparams, 0);
    /* Arguments */
    assert_int_equal(mw_hdr_parse_content_type("a/b", 3, NULL, P, CAP, &e),
                     MW_E_INVAL);
    assert_int_equal(mw_hdr_parse_content_type("a/b", 3, &c, NULL, 1, &e),
                     MW_E_INVAL);
    assert_int_equal(mw_hdr_parse_content_type(NULL, 3, &c, P, CAP, &e),
                     MW_E_INVAL);
    assert_int_equal(mw_hdr_parse_content_disposition(NULL, 3, NULL, P, 1, &e),
                     MW_E_INVAL);
}

/* "text/plain; t*<order[0]>=x; ..." for sections 0..k-1. */
static char *sections(size_t k, int reverse, size_t *len)
{
    size_t cap = 16 + k * 24, n = 0, i;
    char *s = malloc(cap);
    assert_non_null(s);
    n += (size_t)snprintf(s + n, cap - n, "text/plain");
    for (i = 0; i < k; i++) {
        size_t sec = reverse ? k - 1 - i : i;
        n += (size_t)snprintf(s + n, cap - n, "; t*%zu=%c", sec,
                              (char)('a' + sec % 26));
    }
    *len = n;
    return s;
}

static void test_section_limits(void **state)
{
    static mw_hdr_param big[CAP + 2];
    mw_hdr_content_type c;
    mw_hdr_param_info info;
    mw_error e;
    size_t k, len, i;
    (void)state;

    for (k = CAP - 1; k <= CAP + 1; k++) {
        int rev;
        for (rev = 0; rev < 2; rev++) {
            char *s = sections(k, rev, &len);
            assert_int_equal(mw_hdr_parse_content_type(s, len, &c, big,
                                                       CAP + 2, &e),
                             MW_OK);
            assert_int_equal(c.nparams, k);
            memset(&e, 0, sizeof(e));
            int rc = get(c.params, c.nparams, "t", &info, &e);
            if (k <= CAP) {
                assert_int_equal(rc, MW_OK);
                assert_int_equal(strlen(vbuf), k);
                for (i = 0; i < k; i++)
                    assert_int_equal(vbuf[i], 'a' + (int)(i % 26));
                assert_int_equal(info.sections, k);
                assert_int_equal(info.flags,
                                 MW_HDR_PV_RFC2231 | MW_HDR_PV_JOINED);
            } else {
                assert_int_equal(rc, MW_E_LIMIT);
                assert_int_equal(e.code, MW_E_LIMIT);
                /* the offset of the first section in field order */
                assert_int_equal(e.offset, off_of(s, "t*"));
            }
            free(s);
        }
    }
}

static void test_hostile(void **state)
{
    mw_hdr_content_type c;
    mw_hdr_param_info info;
    mw_error e;
    size_t len, i;
    char *s;
    mw_hdr_param *lots;
    (void)state;

    /* 100,000 semicolons */
    len = 11 + 100000;
    s = malloc(len);
    memcpy(s, "text/plain ", 11);
    memset(s + 11, ';', 100000);
    assert_int_equal(mw_hdr_parse_content_type(s, len, &c, P, CAP, &e), MW_OK);
    assert_int_equal(c.nparams, 0);
    assert_int_equal(c.flags, MW_HDR_MIME_EMPTY_PARAM);
    free(s);

    /* 100,000 parameters against the default capacity: stops at the cap. */
    s = many_params(100000, &len);
    assert_int_equal(mw_hdr_parse_content_type(s, len, &c, P, CAP, &e),
                     MW_E_LIMIT);
    assert_int_equal(c.nparams, CAP);
    free(s);

    /* 100,000 RFC 2231 sections (CVE-2026-27859 shape), with a caller
     * array big enough for all of them: the lookup is still one pass. */
    lots = malloc(100001 * sizeof(*lots));
    assert_non_null(lots);
    for (int rev = 0; rev < 2; rev++) {
        s = sections(100000, rev, &len);
        assert_int_equal(mw_hdr_parse_content_type(s, len, &c, lots, 100001,
                                                   &e),
                         MW_OK);
        assert_int_equal(c.nparams, 100000);
        assert_int_equal(get(c.params, c.nparams, "t", &info, &e), MW_E_LIMIT);
        assert_int_equal(get(c.params, c.nparams, "nothing", &info, &e),
                         MW_E_NOT_FOUND);
        free(s);
    }
    /* 100,000 copies of the same parameter */
    len = 10 + 100000 * 4;
    s = malloc(len);
    memcpy(s, "text/plain", 10);
    for (i = 0; i < 100000; i++)
        memcpy(s + 10 + 4 * i, ";a=b", 4);
    assert_int_equal(mw_hdr_parse_content_type(s, len, &c, lots, 100001, &e),
                     MW_OK);
    assert_int_equal(get(c.params, c.nparams, "a", &info, &e), MW_OK);
    assert_string_equal(vbuf, "b");
    assert_int_equal(info.flags, MW_HDR_PV_DUPLICATE);
    free(s);
    free(lots);

    /* NUL bytes */
    {
        static const char v1[] = "text/plain; name=\"a\0b\"";
        static const char v2[] = "text/plain; name=a\0b; x=y";
        static const char v3[] = "text/pl\0ain";
        static const char v4[] = "text/plain; name*=utf-8''evil.exe%00.txt";
        size_t got = 0;

        assert_int_equal(mw_hdr_parse_content_type(v1, sizeof(v1) - 1, &c, P,
                                                   CAP, &e),
                         MW_OK);
        assert_int_equal(c.nparams, 1);
        assert_true(P[0].flags & MW_HDR_PARAM_INVALID);
        assert_int_equal(mw_hdr_param_get(c.params, c.nparams, "name", NULL,
                                          vbuf, sizeof(vbuf), &got, NULL, &e),
                         MW_E_NUL);
        assert_int_equal(got, 3);
        assert_memory_equal(vbuf, "a\0b", 3);
        assert_int_equal(e.offset, 17);

        assert_int_equal(mw_hdr_parse_content_type(v2, sizeof(v2) - 1, &c, P,
                                                   CAP, &e),
                         MW_E_SYNTAX);
        assert_int_equal(e.offset, 18);
        assert_int_equal(c.nparams, 2);
        span_is(P[0].value, "a");
        span_is(P[1].name, "x");

        assert_int_equal(mw_hdr_parse_content_type(v3, sizeof(v3) - 1, &c, P,
                                                   CAP, &e),
                         MW_E_SYNTAX);
        assert_int_equal(e.offset, 7);
        assert_true(mw_hdr_ct_is(&c, "text", "pl"));

        assert_int_equal(mw_hdr_parse_content_type(v4, sizeof(v4) - 1, &c, P,
                                                   CAP, &e),
                         MW_OK);
        assert_int_equal(mw_hdr_param_get(c.params, c.nparams, "name", NULL,
                                          vbuf, sizeof(vbuf), &got, NULL, &e),
                         MW_E_NUL);
        assert_int_equal(got, 13);
        assert_memory_equal(vbuf, "evil.exe\0.txt", 13);
        assert_int_equal(e.offset, off_of(v4, "utf-8"));
    }

    /* Deeply nested comments: one pass, depth error reported. */
    {
        size_t d = 100000;
        s = malloc(2 * d + 32);
        memcpy(s, "text/plain; a=b ", 16);
        memset(s + 16, '(', d);
        memset(s + 16 + d, ')', d);
        assert_int_equal(mw_hdr_parse_content_type(s, 16 + 2 * d, &c, P, CAP,
                                                   &e),
                         MW_E_DEPTH);
        assert_int_equal(e.offset, 16);
        assert_int_equal(c.nparams, 1);
        /* unclosed */
        assert_int_equal(mw_hdr_parse_content_type(s, 16 + d, &c, P, CAP, &e),
                         MW_E_SYNTAX);
        assert_int_equal(e.offset, 16);
        free(s);
    }
}

/* Every prefix of some nasty values, every byte value in a value, and
 * every parameter of each looked up: nothing must crash or read out of
 * bounds (ASan), and statuses stay within the documented sets. */
static void test_truncations_and_all_bytes(void **state)
{
    static const char *const vals[] = {
        ("application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more"
         "%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\" (c)"),
        "multipart/mixed; boundary=\"a\\\"b\"; t*=\"utf-8''%41\"; x=a/b;;",
        "attachment; filename*=iso-8859-1''%E9; filename=\"e.txt\" (x (y))",
    };
    mw_hdr_content_type c;
    mw_hdr_content_disposition d;
    mw_error e;
    size_t v, n, i;
    char buf[64];
    int rc;
    (void)state;

    for (v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
        size_t len = strlen(vals[v]);
        for (n = 0; n <= len; n++) {
            /* an exact-size heap copy so ASan sees any over-read */
            char *copy = malloc(n ? n : 1);
            memcpy(copy, vals[v], n);
            rc = mw_hdr_parse_content_type(copy, n, &c, P, CAP, &e);
            assert_true(rc == MW_OK || rc == MW_E_SYNTAX);
            for (i = 0; i < c.nparams; i++) {
                char nm[64];
                size_t nl = P[i].name.len < 63 ? P[i].name.len : 63;
                memcpy(nm, P[i].name.ptr, nl);
                nm[nl] = '\0';
                rc = mw_hdr_param_get(c.params, c.nparams, nm, NULL, buf,
                                      sizeof(buf), NULL, NULL, &e);
                assert_true(rc == MW_OK || rc == MW_E_SYNTAX ||
                            rc == MW_E_NOT_FOUND || rc == MW_E_CHARSET);
            }
            rc = mw_hdr_parse_content_disposition(copy, n, &d, P, CAP, &e);
            assert_true(rc == MW_OK || rc == MW_E_SYNTAX);
            free(copy);
        }
    }
    for (i = 0; i < 256; i++) {
        char val[40];
        int k = snprintf(val, sizeof(val), "a/b; x=%c; y*=utf-8''%c; z=\"%c\"",
                         (char)i, (char)i, (char)i);
        rc = mw_hdr_parse_content_type(val, (size_t)k, &c, P, CAP, &e);
        assert_true(rc == MW_OK || rc == MW_E_SYNTAX);
        rc = mw_hdr_param_get(c.params, c.nparams, "y", NULL, buf, sizeof(buf),
                              NULL, NULL, &e);
        assert_true(rc == MW_OK || rc == MW_E_SYNTAX || rc == MW_E_UTF8 ||
                    rc == MW_E_NOT_FOUND || rc == MW_E_NUL);
    }
}

/* ---- the lookup's buffer and arguments ------------------------------------ */

static void test_param_get_buffer(void **state)
{
    mw_hdr_content_type c;
    mw_error e;
    char out[32];
    size_t got;
    (void)state;

    assert_int_equal(ct("text/plain; name=\"abcdef\"; t*0*=utf-8''%41%42; "
                        "t*1=CD; l*=iso-8859-1''%E9%E9",
                        &c, &e),
                     MW_OK);
    /* cap-1, cap, cap+1 for a plain value of 6 */
    assert_int_equal(mw_hdr_param_get(c.params, c.nparams, "name", NULL, out, 5,
                                      &got, NULL, &e),
                     MW_E_NOSPACE);
    assert_int_equal(got, 0);
    assert_int_equal(mw_hdr_param_get(c.params, c.nparams, "name", NULL, out, 6,
                                      &got, NULL, &e),
                     MW_OK);
    assert_int_equal(got, 6);
    assert_memory_equal(out, "abcdef", 6);
    assert_int_equal(mw_hdr_param_get(c.params, c.nparams, "name", NULL, out, 7,
                                      &got, NULL, &e),
                     MW_OK);
    /* joined RFC 2231 value of 4 */
    assert_int_equal(mw_hdr_param_get(c.params, c.nparams, "t", NULL, out, 3,
                                      &got, NULL, &e),
                     MW_E_NOSPACE);
    assert_int_equal(mw_hdr_param_get(c.params, c.nparams, "t", NULL, out, 4,
                                      &got, NULL, &e),
                     MW_OK);
    assert_memory_equal(out, "ABCD", 4);
    /* converted in place: 2 Latin-1 bytes become 4 UTF-8 bytes */
    assert_int_equal(mw_hdr_param_get(c.params, c.nparams, "l", NULL, out, 3,
                                      &got, NULL, &e),
                     MW_E_NOSPACE);
    assert_int_equal(mw_hdr_param_get(c.params, c.nparams, "l", NULL, out, 4,
                                      &got, NULL, &e),
                     MW_OK);
    assert_int_equal(got, 4);
    assert_memory_equal(out, "\xc3\xa9\xc3\xa9", 4);
    /* No buffer at all: only an empty value fits. */
    assert_int_equal(mw_hdr_param_get(c.params, c.nparams, "name", NULL, NULL,
                                      0, &got, NULL, &e),
                     MW_E_NOSPACE);
    /* Arguments */
    assert_int_equal(mw_hdr_param_get(c.params, c.nparams, NULL, NULL, out,
                                      sizeof(out), &got, NULL, &e),
                     MW_E_INVAL);
    assert_int_equal(mw_hdr_param_get(NULL, 1, "x", NULL, out, sizeof(out),
                                      &got, NULL, &e),
                     MW_E_INVAL);
    assert_int_equal(mw_hdr_param_get(c.params, c.nparams, "x", NULL, NULL, 1,
                                      &got, NULL, &e),
                     MW_E_INVAL);
    assert_int_equal(mw_hdr_param_get(NULL, 0, "x", NULL, NULL, 0, NULL, NULL,
                                      NULL),
                     MW_E_NOT_FOUND);
}


/* ---- decoder options: charset hook, encoded words, SAFE ------------------ */

static int hook_calls;

/* "x-mw-upper": ASCII upper-cased, 8-bit bytes invalid; "x-mw-fatal": a
 * fatal status; anything else unknown. */
static int test_hook(void *user, mw_span cs, const char *in, size_t n,
                     char *out, size_t cap, size_t *outlen)
{
    size_t i;
    assert_ptr_equal(user, &hook_calls);
    hook_calls++;
    if (cs.len == 10 && memcmp(cs.ptr, "x-mw-fatal", 10) == 0)
        return MW_E_INTERNAL;
    if (cs.len != 10 || memcmp(cs.ptr, "x-mw-upper", 10) != 0)
        return MW_E_CHARSET;
    /* the library promises no overlap */
    assert_true(out + cap <= in || in + n <= out);
    if (n > cap)
        return MW_E_NOSPACE;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c >= 0x80)
            return MW_E_UTF8;
        out[i] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
    }
    *outlen = n;
    return MW_OK;
}

static int get_opts(const char *v, const char *name,
                    const mw_hdr_decode_opts *o, size_t cap,
                    mw_hdr_param_info *info, mw_error *err)
{
    mw_hdr_content_disposition d;
    size_t len = 999;
    int rc = cd(v, &d, err);
    if (rc != MW_OK)
        fail_msg("parse of \"%s\": %d", v, rc);
    memset(vbuf, 0x55, sizeof(vbuf));
    rc = mw_hdr_param_get(d.params, d.nparams, name, o, vbuf, cap, &len, info,
                          err);
    if (rc == MW_OK || rc == MW_E_NUL) {
        assert_true(len <= cap);
        vbuf[len] = '\0';
    } else {
        assert_int_equal(len, 0);
        vbuf[0] = '\0';
    }
    return rc;
}

static void test_charset_hook(void **state)
{
    mw_hdr_decode_opts o;
    mw_hdr_param_info info;
    mw_error e;
    const char *v;
    (void)state;

    memset(&o, 0, sizeof(o));
    o.hook = test_hook;
    o.user = &hook_calls;
    hook_calls = 0;

    v = "attachment; filename*=x-mw-upper'en'abc%2Ed";
    assert_int_equal(get_opts(v, "filename", &o, 100, &info, &e), MW_OK);
    assert_string_equal(vbuf, "ABC.D");
    assert_int_equal(hook_calls, 1);
    assert_true(info.flags & MW_HDR_PV_CONVERTED);
    span_is(info.charset, "x-mw-upper");
    /* A hook charset needs room for the raw bytes and the result: 5 + 5. */
    assert_int_equal(get_opts(v, "filename", &o, 9, &info, &e), MW_E_NOSPACE);
    assert_int_equal(get_opts(v, "filename", &o, 10, &info, &e), MW_OK);
    assert_string_equal(vbuf, "ABC.D");
    /* Joined sections are converted once, as a whole. */
    hook_calls = 0;
    v = "attachment; filename*1*=%64e; filename*0*=x-mw-upper''ab%63";
    assert_int_equal(get_opts(v, "filename", &o, 100, &info, &e), MW_OK);
    assert_string_equal(vbuf, "ABCDE");
    assert_int_equal(hook_calls, 1);
    /* Bytes the hook refuses: its status, or the plain form. */
    v = "attachment; filename*=x-mw-upper''a%FF";
    assert_int_equal(get_opts(v, "filename", &o, 100, &info, &e), MW_E_UTF8);
    assert_int_equal(e.offset, off_of(v, "x-mw-upper"));
    v = "attachment; filename=plain.txt; filename*=x-mw-upper''a%FF";
    assert_int_equal(get_opts(v, "filename", &o, 100, &info, &e), MW_OK);
    assert_string_equal(vbuf, "plain.txt");
    assert_true(info.flags & MW_HDR_PV_FALLBACK);
    /* A charset the hook does not know either */
    v = "attachment; filename*=x-mw-other''a";
    assert_int_equal(get_opts(v, "filename", &o, 100, &info, &e),
                     MW_E_CHARSET);
    /* A fatal hook status stops everything, even with a plain form. */
    v = "attachment; filename=plain.txt; filename*=x-mw-fatal''a";
    assert_int_equal(get_opts(v, "filename", &o, 100, &info, &e),
                     MW_E_CALLBACK);
    /* Built-in charsets never reach the hook. */
    hook_calls = 0;
    v = "attachment; filename*=latin1''%E9";
    assert_int_equal(get_opts(v, "filename", &o, 100, &info, &e), MW_OK);
    assert_string_equal(vbuf, "\xc3\xa9");
    assert_int_equal(hook_calls, 0);
    /* US-ASCII with 8-bit bytes: taken as UTF-8 when well-formed, else as
     * ISO-8859-1 (mw_hdr_to_utf8()'s rule), flagged as converted. */
    v = "attachment; filename*=us-ascii''%C3%A9";
    assert_int_equal(get_opts(v, "filename", NULL, 100, &info, &e), MW_OK);
    assert_string_equal(vbuf, "\xc3\xa9");
    assert_true(info.flags & MW_HDR_PV_CONVERTED);
    v = "attachment; filename*=US-ASCII''%E9";
    assert_int_equal(get_opts(v, "filename", NULL, 100, &info, &e), MW_OK);
    assert_string_equal(vbuf, "\xc3\xa9");
}

static void test_encoded_words_in_values(void **state)
{
    mw_hdr_decode_opts o;
    mw_hdr_param_info info;
    mw_error e;
    const char *v;
    (void)state;

    memset(&o, 0, sizeof(o));
    o.flags = MW_HDR_DECODE_QUOTED;

    /* Outlook / Thunderbird style */
    v = "attachment; filename=\"=?utf-8?B?w6l0w6kudHh0?=\"";
    assert_int_equal(get_opts(v, "filename", &o, 100, &info, &e), MW_OK);
    assert_string_equal(vbuf, "\xc3\xa9t\xc3\xa9.txt");
    assert_true(info.flags & MW_HDR_PV_EW_DECODED);
    assert_false(info.flags & (MW_HDR_PV_EW_FAILED | MW_HDR_PV_UTF8_RAW));
    /* Not without the option */
    assert_int_equal(get_opts(v, "filename", NULL, 100, &info, &e), MW_OK);
    assert_string_equal(vbuf, "=?utf-8?B?w6l0w6kudHh0?=");
    assert_int_equal(info.flags, 0);
    /* Several words, folded: the white space between them goes (RFC 2047
     * §6.2). */
    v = "attachment; filename=\"=?UTF-8?Q?a=C3=A9?=\r\n =?UTF-8?Q?b.pdf?=\"";
    assert_int_equal(get_opts(v, "filename", &o, 100, &info, &e), MW_OK);
    assert_string_equal(vbuf, "a\xc3\xa9" "b.pdf");
    /* Unquoted, ISO-8859-1 */
    v = "attachment; filename==?iso-8859-1?Q?caf=E9.txt?=";
    assert_int_equal(get_opts(v, "filename", &o, 100, &info, &e), MW_OK);
    assert_string_equal(vbuf, "caf\xc3\xa9.txt");
    /* A word that cannot be decoded stays as written. */
    v = "attachment; filename=\"=?x-mw-unknown?Q?abc?=\"";
    assert_int_equal(get_opts(v, "filename", &o, 100, &info, &e), MW_OK);
    assert_string_equal(vbuf, "=?x-mw-unknown?Q?abc?=");
    assert_true(info.flags & MW_HDR_PV_EW_FAILED);
    /* RFC 2231 form wins and is never searched for words. */
    v = "attachment; filename=\"=?utf-8?Q?x?=\"; "
        "filename*=utf-8''=?utf-8?Q?y?=";
    assert_int_equal(get_opts(v, "filename", &o, 100, &info, &e), MW_OK);
    assert_string_equal(vbuf, "=?utf-8?Q?y?=");
    /* Room: the unquoted value (13) and its decoding (1) together. */
    v = "attachment; filename=\"=?utf-8?Q?z?=\"";
    assert_int_equal(get_opts(v, "filename", &o, 14, &info, &e), MW_OK);
    assert_string_equal(vbuf, "z");
    assert_int_equal(get_opts(v, "filename", &o, 13, &info, &e),
                     MW_E_NOSPACE);
    /* NUL from a word: refused, or a space with SAFE. */
    v = "attachment; filename=\"=?utf-8?Q?a=00b?=\"";
    assert_int_equal(get_opts(v, "filename", &o, 100, &info, &e), MW_E_NUL);
    o.flags |= MW_HDR_DECODE_SAFE;
    assert_int_equal(get_opts(v, "filename", &o, 100, &info, &e), MW_OK);
    assert_string_equal(vbuf, "a b");
}

static void test_safe_option(void **state)
{
    mw_hdr_decode_opts o;
    mw_hdr_param_info info;
    mw_error e;
    static const char v1[] = "attachment; filename=\"a\0b\"";
    mw_hdr_content_disposition d;
    size_t got = 0;
    (void)state;

    memset(&o, 0, sizeof(o));
    o.flags = MW_HDR_DECODE_SAFE;
    assert_int_equal(mw_hdr_parse_content_disposition(v1, sizeof(v1) - 1, &d,
                                                      P, CAP, &e),
                     MW_OK);
    assert_int_equal(mw_hdr_param_get(d.params, d.nparams, "filename", &o,
                                      vbuf, sizeof(vbuf), &got, &info, &e),
                     MW_OK);
    assert_int_equal(got, 3);
    assert_memory_equal(vbuf, "a b", 3);
    /* CR and LF pass without SAFE, become spaces with it. */
    assert_int_equal(get_opts("attachment; filename*=utf-8''a%0D%0Ab",
                              "filename", NULL, 100, &info, &e),
                     MW_OK);
    assert_string_equal(vbuf, "a\r\nb");
    assert_int_equal(get_opts("attachment; filename*=utf-8''a%0D%0Ab",
                              "filename", &o, 100, &info, &e),
                     MW_OK);
    assert_string_equal(vbuf, "a  b");
    assert_int_equal(get_opts("attachment; filename*=utf-8''a%00b",
                              "filename", &o, 100, &info, &e),
                     MW_OK);
    assert_string_equal(vbuf, "a b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc2045_content_type_examples),
        cmocka_unit_test(test_rfc2046_examples),
        cmocka_unit_test(test_cte),
        cmocka_unit_test(test_rfc2183_examples),
        cmocka_unit_test(test_disposition_salvage),
        cmocka_unit_test(test_rfc2231_section3_continuations),
        cmocka_unit_test(test_rfc2231_section4_charset_language),
        cmocka_unit_test(test_rfc2231_section41_combined),
        cmocka_unit_test(test_rfc2231_section_order),
        cmocka_unit_test(test_rfc2231_missing_section0),
        cmocka_unit_test(test_rfc2231_charsets),
        cmocka_unit_test(test_rfc2231_bad_escapes),
        cmocka_unit_test(test_rfc2231_attribute_forms),
        cmocka_unit_test(test_lenient_forms),
        cmocka_unit_test(test_defaulted_content_type),
        cmocka_unit_test(test_bad_params_recovery),
        cmocka_unit_test(test_param_capacity),
        cmocka_unit_test(test_section_limits),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_truncations_and_all_bytes),
        cmocka_unit_test(test_param_get_buffer),
        cmocka_unit_test(test_charset_hook),
        cmocka_unit_test(test_encoded_words_in_values),
        cmocka_unit_test(test_safe_option),
    };
    return cmocka_run_group_tests_name("hdr_mime", tests, NULL, NULL);
}
