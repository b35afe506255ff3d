/* SPDX-License-Identifier: MIT */
/*
 * MIME header fields (see hdr_mime.h): Content-Type (RFC 2045 §5.1),
 * Content-Transfer-Encoding (RFC 2045 §6.1), Content-Disposition (RFC 2183)
 * and the parameters they share, with RFC 2231 charsets, languages and
 * continuations decoded on lookup.
 *
 * The parsers make one pass over the value with the RFC 5322 lexer for
 * CFWS and quoted strings; RFC 2045's token differs from RFC 5322's atom
 * (it excludes the tspecials "/", "?", "=" and admits "."), so tokens are
 * read here. Parsing stops at the caller's parameter capacity, and the
 * lookup joins RFC 2231 sections through a fixed table indexed by section
 * number, so nothing is quadratic whatever the input (CVE-2026-27859).
 */
#include "rfc5322/hdr_internal.h"
#include "rfc5322/lex.h"
#include "mailwire/codec.h"
#include "mailwire/hdr_mime.h"

/* ---- character classes (RFC 2045 §5.1) ---------------------------------- */

/* tspecials := "(" / ")" / "<" / ">" / "@" / "," / ";" / ":" / "\" / <">
 *              "/" / "[" / "]" / "?" / "=" */
static int is_tspecial(unsigned char c)
{
    switch (c) {
    case '(': case ')': case '<': case '>': case '@': case ',': case ';':
    case ':': case '\\': case '"': case '/': case '[': case ']': case '?':
    case '=':
        return 1;
    default:
        return 0;
    }
}

/* token := 1*<any (US-ASCII) CHAR except SPACE, CTLs, or tspecials> */
static int is_token_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && !is_tspecial(c);
}

/* Bytes of a lenient unquoted parameter value: anything but white space,
 * controls, and the few characters that end it in every reader: ";" (next
 * parameter), '"' (a quoted string), "(" and ")" (comments). The other
 * tspecials and 8-bit bytes are kept and flagged. */
static int is_value_char(unsigned char c)
{
    if (c >= 0x80)
        return 1;
    return c > 0x20 && c != 0x7f && c != ';' && c != '"' && c != '(' &&
           c != ')';
}

/* ---- the parameter parser shared by Content-Type and -Disposition ------- */

typedef struct pstate {
    mw__lex lx;
    mw_hdr_param *params;
    size_t cap;
    size_t n;
    unsigned flags;         /* MW_HDR_MIME_* */
    int rc;                 /* first problem */
    size_t err_off;
    const char *err_reason;
} pstate;

static void problem_(pstate *ps, int code, const char *at, const char *reason,
                     unsigned flag)
{
    ps->flags |= flag;
    if (ps->rc == MW_OK) {
        ps->rc = code;
        ps->err_off = (size_t)(at - ps->lx.base);
        ps->err_reason = reason;
    }
}
#define problem(ps, code, at, reason, flag)                                  \
    problem_((ps), (code), (at), MW__TEXT(reason), (flag))

static int peek(const pstate *ps)
{
    return mw__lex_peek(&ps->lx);
}

/* CFWS; a lexer error (unclosed or too deep comment) becomes a problem. The
 * lexer keeps only its first error, but by then ps->rc is already set, so
 * the first problem is still the one reported. */
static void skip_cfws(pstate *ps)
{
    for (;;) {
        int had = ps->lx.err;
        const char *from = ps->lx.p;
        int rc = mw__lex_cfws(&ps->lx);
        if (ps->lx.flags & MW__LEX_COMMENT)
            ps->flags |= MW_HDR_MIME_COMMENT;
        if (rc == MW_OK)
            return;
        if (had == 0)
            problem(ps, rc, ps->lx.base + ps->lx.err_off, ps->lx.err_reason,
                    0);
        /* A too-deep comment was skipped whole: go on after it. */
        if (rc != MW_E_DEPTH || ps->lx.p == from)
            return;
    }
}

static int read_token(pstate *ps, mw_span *out)
{
    mw__lex *lx = &ps->lx;
    const char *s = lx->p;
    while (lx->p < lx->end && is_token_char((unsigned char)*lx->p))
        lx->p++;
    *out = mw__span(s, (size_t)(lx->p - s));
    return out->len > 0;
}

/* Recovery: skip to the next ";" that is not inside a quoted string or a
 * comment (or to the end). Each byte is passed once. */
static void skip_to_semi(pstate *ps)
{
    mw__lex *lx = &ps->lx;
    while (lx->p < lx->end) {
        unsigned char c = (unsigned char)*lx->p;
        if (c == ';')
            return;
        if (c == '"') {
            mw_span q;
            (void)mw__lex_quoted(lx, &q); /* unterminated: ends at the end */
        } else if (c == '(') {
            skip_cfws(ps);
        } else {
            lx->p++;
        }
    }
}

/* Split an attribute into name and RFC 2231 section / extended marker
 * (RFC 2231 §7: attribute [section] ["*"], section = "*0" or "*" non-zero
 * digit *DIGIT). An attribute whose "*" suffix does not fit keeps its whole
 * text as the name and is flagged invalid. */
static void split_attribute(mw_span tok, mw_hdr_param *p)
{
    const char *star = memchr(tok.ptr, '*', tok.len);
    const char *end = tok.ptr + tok.len;
    size_t i;

    p->name = tok;
    p->section = -1;
    if (star != NULL && star > tok.ptr) {
        const char *d = star + 1;
        const char *q = d;
        while (q < end && *q >= '0' && *q <= '9')
            q++;
        if (d == end) {
            p->flags |= MW_HDR_PARAM_EXTENDED;
            p->name.len = (size_t)(star - tok.ptr);
        } else if (q > d && (q == end || (q + 1 == end && *q == '*')) &&
                   (q - d == 1 || *d != '0') && q - d <= 9) {
            uint32_t v = 0;
            (void)mw__parse_u32(d, (size_t)(q - d), 999999999u, &v);
            p->section = (int)v;
            p->flags |= MW_HDR_PARAM_CONTINUED;
            if (q != end)
                p->flags |= MW_HDR_PARAM_EXTENDED;
            p->name.len = (size_t)(star - tok.ptr);
        } else {
            p->flags |= MW_HDR_PARAM_INVALID;
        }
    } else if (star != NULL) {
        p->flags |= MW_HDR_PARAM_INVALID; /* "*..." with no name */
    }
    /* RFC 2231 attribute-char excludes "*", "'" and "%". */
    for (i = 0; i < p->name.len; i++) {
        char c = p->name.ptr[i];
        if (c == '\'' || c == '%' || c == '*') {
            p->flags |= MW_HDR_PARAM_INVALID;
            break;
        }
    }
}

/* Flags that depend on the value's bytes; one pass over the value. */
static unsigned value_flags(mw_span v, int quoted)
{
    unsigned f = 0;
    size_t i;
    for (i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.ptr[i];
        if (c >= 0x80) {
            f |= MW_HDR_PARAM_8BIT;
        } else if (c == '=' && i + 1 < v.len && v.ptr[i + 1] == '?') {
            f |= MW_HDR_PARAM_ENCODED_WORD;
            if (!quoted)
                f |= MW_HDR_PARAM_TSPECIALS | MW_HDR_PARAM_INVALID;
        } else if (quoted) {
            if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
                f |= MW_HDR_PARAM_INVALID;
        } else if (is_tspecial(c)) {
            f |= MW_HDR_PARAM_TSPECIALS | MW_HDR_PARAM_INVALID;
        }
    }
    return f;
}

/* Parse "*(";" parameter)" to the end of the value. When `semi_first` is
 * 0 the first parameter needs no ";" before it (Content-Disposition with
 * no type). Returns after the end, an unterminated quoted string, or the
 * capacity. */
static void parse_params(pstate *ps, int semi_first)
{
    mw__lex *lx = &ps->lx;
    int need_semi = semi_first;

    for (;;) {
        const char *start;
        int missing = 0;
        mw_span attr, val;
        mw_hdr_param prm;

        skip_cfws(ps);
        if (mw__lex_eof(lx))
            return;
        if (peek(ps) == ';') {
            lx->p++;
            skip_cfws(ps);
            if (mw__lex_eof(lx) || peek(ps) == ';') {
                /* ";;" or a trailing ";": tolerated (RFC 2045 has none,
                 * but many mailers write them). */
                ps->flags |= MW_HDR_MIME_EMPTY_PARAM;
                continue;
            }
        } else if (need_semi) {
            missing = 1;
        }
        need_semi = 1;

        start = lx->p;
        memset(&prm, 0, sizeof(prm));
        if (!read_token(ps, &attr)) {
            problem(ps, MW_E_SYNTAX, start,
                    missing ? "expected ';' or the end of the field"
                            : "expected a parameter name",
                    MW_HDR_MIME_BAD_PARAM);
            skip_to_semi(ps);
            continue;
        }
        skip_cfws(ps);
        if (peek(ps) != '=') {
            problem(ps, MW_E_SYNTAX, missing ? start : lx->p,
                    missing ? "expected ';' or the end of the field"
                            : "expected '=' after the parameter name",
                    MW_HDR_MIME_BAD_PARAM);
            skip_to_semi(ps);
            continue;
        }
        lx->p++;
        skip_cfws(ps);

        if (peek(ps) == '"') {
            const char *q = lx->p;
            if (mw__lex_quoted(lx, &val) < 0) {
                problem(ps, MW_E_SYNTAX, q, "quoted string is not closed",
                        MW_HDR_MIME_BAD_PARAM);
                return; /* the string ran to the end of the value */
            }
            prm.flags |= MW_HDR_PARAM_QUOTED | value_flags(val, 1);
        } else {
            const char *s = lx->p;
            while (lx->p < lx->end && is_value_char((unsigned char)*lx->p))
                lx->p++;
            val = mw__span(s, (size_t)(lx->p - s));
            if (val.len == 0)
                prm.flags |= MW_HDR_PARAM_EMPTY | MW_HDR_PARAM_INVALID;
            prm.flags |= value_flags(val, 0);
        }

        split_attribute(attr, &prm);
        if ((prm.flags & MW_HDR_PARAM_EXTENDED) &&
            (prm.flags & MW_HDR_PARAM_QUOTED))
            prm.flags |= MW_HDR_PARAM_INVALID; /* RFC 2231 §7: no quotes */
        prm.value = val;
        prm.offset = (size_t)(start - lx->base);

        if (missing)
            problem(ps, MW_E_SYNTAX, start, "missing ';' before a parameter",
                    MW_HDR_MIME_MISSING_SEMI);
        if (ps->n == ps->cap) {
            problem(ps, MW_E_LIMIT, start, "more parameters than the capacity",
                    MW_HDR_MIME_TRUNCATED);
            return;
        }
        ps->params[ps->n++] = prm;
    }
}

static int bad_args(const char *value, size_t len, const void *out,
                    const mw_hdr_param *params, size_t cap)
{
    return out == NULL || (value == NULL && len > 0) ||
           (params == NULL && cap > 0);
}

static void pstate_init(pstate *ps, const char *value, size_t len,
                        mw_hdr_param *params, size_t cap)
{
    memset(ps, 0, sizeof(*ps));
    /* An empty value may come as NULL; give the lexer a valid pointer. */
    mw__lex_init(&ps->lx, value != NULL ? value : "", len);
    ps->params = params;
    ps->cap = cap;
    ps->rc = MW_OK;
}

static int finish(const pstate *ps, mw_error *err)
{
    if (ps->rc != MW_OK)
        return mw__fail(err, ps->rc, ps->err_off, ps->err_reason);
    return MW_OK;
}

/* ---- Content-Type --------------------------------------------------------- */

static const char s_text[] = "text";
static const char s_plain[] = "plain";
static const char s_charset[] = "charset";
static const char s_us_ascii[] = "us-ascii";
static const char s_attachment[] = "attachment";

int mw_hdr_parse_content_type(const char *value, size_t len,
                              mw_hdr_content_type *out, mw_hdr_param *params,
                              size_t cap, mw_error *err)
{
    pstate ps;
    mw__lex *lx = &ps.lx;
    mw_span type, sub;
    const char *at;

    if (bad_args(value, len, out, params, cap))
        return mw__fail(err, MW_E_INVAL, 0, "invalid argument");
    memset(out, 0, sizeof(*out));
    out->params = params;
    pstate_init(&ps, value, len, params, cap);

    skip_cfws(&ps);
    at = lx->p;
    if (!read_token(&ps, &type)) {
        problem(&ps, MW_E_SYNTAX, at,
                mw__lex_eof(lx) ? "no media type" : "expected a media type",
                MW_HDR_MIME_DEFAULTED);
        goto defaulted;
    }
    skip_cfws(&ps);
    if (peek(&ps) != '/') {
        problem(&ps, MW_E_SYNTAX, lx->p, "expected '/' after the media type",
                MW_HDR_MIME_DEFAULTED);
        goto defaulted;
    }
    lx->p++;
    skip_cfws(&ps);
    at = lx->p;
    if (!read_token(&ps, &sub)) {
        problem(&ps, MW_E_SYNTAX, at, "expected a media subtype",
                MW_HDR_MIME_DEFAULTED);
        goto defaulted;
    }
    out->type = type;
    out->subtype = sub;
    parse_params(&ps, 1);
    out->nparams = ps.n;
    out->flags = ps.flags;
    return finish(&ps, err);

defaulted:
    /* RFC 2045 §5.2: a syntactically invalid Content-Type is taken as
     * "text/plain; charset=us-ascii"; its parameters are meaningless. */
    out->type = mw__span(s_text, sizeof(s_text) - 1);
    out->subtype = mw__span(s_plain, sizeof(s_plain) - 1);
    if (cap > 0) {
        memset(&params[0], 0, sizeof(params[0]));
        params[0].name = mw__span(s_charset, sizeof(s_charset) - 1);
        params[0].value = mw__span(s_us_ascii, sizeof(s_us_ascii) - 1);
        params[0].section = -1;
        params[0].flags = MW_HDR_PARAM_DEFAULT;
        out->nparams = 1;
    }
    out->flags = ps.flags | MW_HDR_MIME_DEFAULTED;
    return finish(&ps, err);
}

/* ---- Content-Disposition -------------------------------------------------- */

int mw_hdr_parse_content_disposition(const char *value, size_t len,
                                     mw_hdr_content_disposition *out,
                                     mw_hdr_param *params, size_t cap,
                                     mw_error *err)
{
    pstate ps;
    mw__lex *lx = &ps.lx;
    mw_span type;
    const char *at;

    if (bad_args(value, len, out, params, cap))
        return mw__fail(err, MW_E_INVAL, 0, "invalid argument");
    memset(out, 0, sizeof(*out));
    out->params = params;
    pstate_init(&ps, value, len, params, cap);

    skip_cfws(&ps);
    at = lx->p;
    if (read_token(&ps, &type)) {
        skip_cfws(&ps);
        if (peek(&ps) != '=') {
            out->type = type;
            parse_params(&ps, 1);
            out->nparams = ps.n;
            out->flags = ps.flags;
            return finish(&ps, err);
        }
        /* "filename=a.txt" with no type: read it as a parameter. */
        lx->p = at;
        problem(&ps, MW_E_SYNTAX, at, "no disposition type",
                MW_HDR_MIME_DEFAULTED);
        parse_params(&ps, 0);
    } else {
        problem(&ps, MW_E_SYNTAX, at,
                mw__lex_eof(lx) ? "no disposition type"
                                : "expected a disposition type",
                MW_HDR_MIME_DEFAULTED);
        if (peek(&ps) == ';')
            parse_params(&ps, 1);
    }
    /* RFC 2183 §2.8: an unrecognised disposition is an attachment. */
    out->type = mw__span(s_attachment, sizeof(s_attachment) - 1);
    out->nparams = ps.n;
    out->flags = ps.flags | MW_HDR_MIME_DEFAULTED;
    return finish(&ps, err);
}

/* ---- Content-Transfer-Encoding -------------------------------------------- */

int mw_hdr_parse_cte(const char *value, size_t len, int *encoding,
                     mw_span *token, mw_error *err)
{
    pstate ps;
    mw_span tok;
    const char *at;

    if (encoding == NULL || (value == NULL && len > 0))
        return mw__fail(err, MW_E_INVAL, 0, "invalid argument");
    *encoding = MW_HDR_CTE_INVALID;
    if (token != NULL)
        *token = mw__span(value, 0);
    pstate_init(&ps, value, len, NULL, 0);

    skip_cfws(&ps);
    at = ps.lx.p;
    if (!read_token(&ps, &tok)) {
        problem(&ps, MW_E_SYNTAX, at,
                mw__lex_eof(&ps.lx) ? "no transfer encoding"
                                    : "expected a transfer encoding token",
                0);
        return finish(&ps, err);
    }
    /* RFC 2045 §6.1: mechanism values are not case sensitive. */
    if (mw__span_ieq(tok, "7bit"))
        *encoding = MW_HDR_CTE_7BIT;
    else if (mw__span_ieq(tok, "8bit"))
        *encoding = MW_HDR_CTE_8BIT;
    else if (mw__span_ieq(tok, "binary"))
        *encoding = MW_HDR_CTE_BINARY;
    else if (mw__span_ieq(tok, "quoted-printable"))
        *encoding = MW_HDR_CTE_QUOTED_PRINTABLE;
    else if (mw__span_ieq(tok, "base64"))
        *encoding = MW_HDR_CTE_BASE64;
    else
        *encoding = MW_HDR_CTE_OTHER;
    if (token != NULL)
        *token = tok;
    skip_cfws(&ps);
    if (!mw__lex_eof(&ps.lx))
        problem(&ps, MW_E_SYNTAX, ps.lx.p,
                "unexpected text after the transfer encoding", 0);
    return finish(&ps, err);
}

/* ---- type tests ----------------------------------------------------------- */

int mw_hdr_ct_is(const mw_hdr_content_type *ct, const char *type,
                 const char *subtype)
{
    if (ct == NULL || type == NULL || !mw__span_ieq(ct->type, type))
        return 0;
    if (subtype == NULL || (subtype[0] == '*' && subtype[1] == '\0'))
        return 1;
    return mw__span_ieq(ct->subtype, subtype);
}

int mw_hdr_cd_is(const mw_hdr_content_disposition *cd, const char *type)
{
    return cd != NULL && type != NULL && mw__span_ieq(cd->type, type);
}

/* ---- parameter lookup and RFC 2231 decoding ------------------------------- */

/* State of one lookup: the output so far, what was found, and the first
 * problem. */
typedef struct dstate {
    char *out;
    size_t cap;
    size_t len;              /* bytes written to out */
    int converted;           /* out holds converted (UTF-8) text */
    const mw_hdr_decode_opts *opts;
    const mw_hdr_param *main; /* the plain parameter, section 0 or "name*" */
    mw_hdr_param_info info;
    size_t err_off;
    const char *err_reason;
} dstate;

/* Record a decoding problem. Its offset in the field value comes from the
 * parameter's recorded offset plus the distance from its name to `at`, a
 * pointer into the same value (NULL: the parameter itself). */
static int dfail_(dstate *ds, int code, const mw_hdr_param *p, const char *at,
                  const char *reason)
{
    ds->err_off = p->offset;
    if (at != NULL && (p->flags & MW_HDR_PARAM_DEFAULT) == 0)
        ds->err_off += (size_t)(at - p->name.ptr);
    ds->err_reason = reason;
    return code;
}
#define dfail(ds, code, p, at, reason)                                       \
    dfail_((ds), (code), (p), (at), MW__TEXT(reason))

/* Offset of the value of the main parameter, for errors found after
 * decoding. */
static size_t dfail_off(const dstate *ds)
{
    const mw_hdr_param *p = ds->main;
    if (p == NULL)
        return 0;
    if (p->flags & MW_HDR_PARAM_DEFAULT)
        return p->offset;
    return p->offset + (size_t)(p->value.ptr - p->name.ptr);
}


/* Percent-decode in[0, n) to ds->out at ds->len (RFC 2231 §7 ext-octet;
 * hex digits in either case, as ABNF strings are case-insensitive). The
 * input may lie in ds->out at or after the write position: every output
 * byte consumes at least one input byte, so writes never pass reads.
 * On a bad escape, *bad is its index in `in`. */
static int pct_decode(dstate *ds, const char *in, size_t n, size_t *bad)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)in[i];
        if (c == '%') {
            int hi, lo;
            if (n - i < 3 || (hi = mw__hexval((unsigned char)in[i + 1])) < 0 ||
                (lo = mw__hexval((unsigned char)in[i + 2])) < 0) {
                *bad = i;
                return MW_E_SYNTAX;
            }
            c = (unsigned char)(hi * 16 + lo);
            i += 3;
        } else {
            i++;
        }
        if (ds->len == ds->cap)
            return MW_E_NOSPACE;
        ds->out[ds->len++] = (char)c;
    }
    return MW_OK;
}

/* Append the decoded bytes of one parameter (or RFC 2231 section). For an
 * initial extended part, charset'language' is split off first and stored
 * in ds->info (as spans into the field value). */
static int decode_part(dstate *ds, const mw_hdr_param *p, int initial)
{
    const char *s = p->value.ptr;
    const char *end = p->value.ptr + p->value.len;
    int quoted = (p->flags & MW_HDR_PARAM_QUOTED) != 0;
    int rc;

    if (p->flags & MW_HDR_PARAM_INVALID)
        ds->info.flags |= MW_HDR_PV_LENIENT;
    if (quoted) {
        s++;              /* the opening quote */
        if (end > s)
            end--;        /* the closing quote */
    }

    if (!(p->flags & MW_HDR_PARAM_EXTENDED)) {
        size_t got = 0;
        if (!quoted) {
            size_t k = (size_t)(end - s);
            if (k > ds->cap - ds->len)
                return MW_E_NOSPACE;
            if (k > 0)
                memcpy(ds->out + ds->len, s, k);
            ds->len += k;
            return MW_OK;
        }
        rc = mw__unquote(mw__span(s, (size_t)(end - s)), ds->out + ds->len,
                         ds->cap - ds->len, &got);
        ds->len += got;
        return rc;
    }

    if (initial) {
        /* extended-initial-value := [charset] "'" [language] "'" ... */
        const char *q1 = NULL, *q2 = NULL, *c;
        for (c = s; c < end; c++) {
            if (*c == '\\' || *c == '"')
                break; /* no quoting inside the prefix */
            if (*c == '\'') {
                if (q1 == NULL) {
                    q1 = c;
                } else {
                    q2 = c;
                    break;
                }
            }
        }
        if (q2 == NULL)
            return dfail(ds, MW_E_SYNTAX, p, p->value.ptr,
                         "RFC 2231 value has no charset'language' prefix");
        ds->info.charset = mw__span(s, (size_t)(q1 - s));
        ds->info.language = mw__span(q1 + 1, (size_t)(q2 - q1 - 1));
        s = q2 + 1;
    }

    if (quoted) {
        /* Lenient: a quoted extended value ("UTF-8''a%20b"), as some mailers
         * write. Unquote in place at the write position, then decode that
         * in place. */
        size_t got = 0, bad = 0, at = ds->len;
        ds->info.flags |= MW_HDR_PV_LENIENT;
        rc = mw__unquote(mw__span(s, (size_t)(end - s)), ds->out + at,
                         ds->cap - at, &got);
        if (rc != MW_OK)
            return rc;
        rc = pct_decode(ds, ds->out + at, got, &bad);
        if (rc == MW_E_SYNTAX)
            return dfail(ds, rc, p, p->value.ptr, "bad percent escape");
        return rc;
    } else {
        size_t bad = 0;
        rc = pct_decode(ds, s, (size_t)(end - s), &bad);
        if (rc == MW_E_SYNTAX)
            return dfail(ds, rc, p, s + bad, "bad percent escape");
        return rc;
    }
}

static int all_ascii(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if ((unsigned char)p[i] >= 0x80)
            return 0;
    return 1;
}

static mw_hdr_charset_fn opt_hook(const dstate *ds)
{
    return ds->opts != NULL ? ds->opts->hook : NULL;
}

static void *opt_user(const dstate *ds)
{
    return ds->opts != NULL ? ds->opts->user : NULL;
}

/* Convert the joined bytes in ds->out from the charset of section 0 to
 * UTF-8, in place (the charset helper moves the bytes to the end of the
 * buffer itself when a hook must convert them). No charset: nothing to
 * do; mw_hdr_param_get() flags what the bytes are. */
static int convert_charset(dstate *ds, const mw_hdr_param *p0)
{
    mw_span cs = ds->info.charset;
    size_t got = 0;
    int id, rc, ascii;

    if (cs.len == 0)
        return MW_OK;
    id = mw__hdr_charset_id(cs);
    ascii = all_ascii(ds->out, ds->len);
    rc = mw__hdr_to_utf8_inplace(cs, ds->out, ds->len, ds->cap, &got,
                                 opt_hook(ds), opt_user(ds));
    if (rc != MW_OK) {
        ds->len = 0;
        switch (rc) {
        case MW_E_NOSPACE:
            return rc;
        case MW_E_CHARSET:
            return dfail(ds, rc, p0, p0->value.ptr, "unknown charset");
        case MW_E_UTF8:
            return dfail(ds, rc, p0, p0->value.ptr,
                         "value is not valid in its charset");
        default:
            return dfail(ds, rc, p0, p0->value.ptr,
                         "charset conversion failed");
        }
    }
    ds->len = got;
    ds->converted = 1;
    if (id == MW__CS_LATIN1 || id == MW__CS_OTHER ||
        (id == MW__CS_ASCII && !ascii))
        ds->info.flags |= MW_HDR_PV_CONVERTED;
    return MW_OK;
}

/* Lenient: RFC 2047 encoded words in a plain value (RFC 2047 §5 forbids
 * them in parameters, but file names like "=?utf-8?B?...?=" are written by
 * many mail programs). The unquoted bytes move to the end of the buffer
 * and are decoded into its start, so the decoder's input and output never
 * overlap. */
static int decode_words(dstate *ds)
{
    mw_hdr_decode_opts o;
    size_t raw = ds->len, got = 0;
    char *tail = ds->out + (ds->cap - raw);
    int rc;

    o = *ds->opts;
    o.flags &= MW_HDR_DECODE_GLUED | MW_HDR_DECODE_SAFE;
    if (raw > 0)
        memmove(tail, ds->out, raw);
    rc = mw_hdr_decode_unstructured(tail, raw, &o, ds->out, ds->cap - raw,
                                    &got, NULL);
    if (rc == MW_E_NOSPACE || mw_is_fatal(rc) || rc == MW_E_INVAL) {
        ds->len = 0;
        return rc;
    }
    /* Any other problem left the word as written; the output is whole. */
    ds->len = got;
    ds->converted = 1;
    ds->info.flags |= MW_HDR_PV_EW_DECODED;
    if (rc != MW_OK)
        ds->info.flags |= MW_HDR_PV_EW_FAILED;
    return MW_OK;
}

#define NO_INDEX ((size_t)-1)

/* The RFC 2231 form: the continued sections in slot[] (index + 1, 0 when
 * absent; `run` of them contiguous from 0), or the single "name*". */
static int decode_rfc2231(dstate *ds, const mw_hdr_param *params,
                          const uint32_t *slot, size_t run, size_t ext)
{
    size_t s;
    int rc;
    ds->info.flags |= MW_HDR_PV_RFC2231;
    if (run == 0) {
        ds->main = &params[ext];
        rc = decode_part(ds, &params[ext], 1);
        if (rc != MW_OK)
            return rc;
        return convert_charset(ds, &params[ext]);
    }
    ds->info.flags |= MW_HDR_PV_JOINED;
    ds->info.sections = run;
    ds->main = &params[slot[0] - 1];
    for (s = 0; s < run; s++) {
        rc = decode_part(ds, &params[slot[s] - 1], s == 0);
        if (rc != MW_OK)
            return rc;
    }
    return convert_charset(ds, &params[slot[0] - 1]);
}

static int decode_plain(dstate *ds, const mw_hdr_param *p)
{
    int rc;
    ds->main = p;
    rc = decode_part(ds, p, 0);
    if (rc != MW_OK)
        return rc;
    ds->info.charset = mw__span(NULL, 0);
    ds->info.language = mw__span(NULL, 0);
    if ((p->flags & MW_HDR_PARAM_ENCODED_WORD) && ds->opts != NULL &&
        (ds->opts->flags & MW_HDR_DECODE_QUOTED))
        return decode_words(ds);
    return MW_OK;
}

int mw_hdr_param_get(const mw_hdr_param *params, size_t n, const char *name,
                     const mw_hdr_decode_opts *opts, char *out,
                     size_t cap, size_t *outlen, mw_hdr_param_info *info,
                     mw_error *err)
{
    /* slot[s] = 1 + index of section s, 0 when absent. */
    uint32_t slot[MW_HDR_MAX_PARAMS];
    char dummy[1] = {0};
    size_t plain = NO_INDEX, ext = NO_INDEX, first_cont = NO_INDEX;
    size_t i, run = 0;
    int dup = 0, beyond = 0, after_gap = 0;
    dstate ds;
    int rc;

    if (outlen != NULL)
        *outlen = 0;
    memset(&ds, 0, sizeof(ds));
    if (info != NULL)
        *info = ds.info;
    if (name == NULL || (params == NULL && n > 0) ||
        (out == NULL && cap > 0) || n >= UINT32_MAX)
        return mw__fail(err, MW_E_INVAL, 0, "invalid argument");
    /* With no buffer, point at a dummy so that out + 0 stays defined. */
    ds.out = out != NULL ? out : dummy;
    ds.cap = cap;
    ds.opts = opts;

    /* One pass: find the plain form, the "name*" form and the sections. */
    memset(slot, 0, sizeof(slot));
    for (i = 0; i < n; i++) {
        const mw_hdr_param *p = &params[i];
        if (!mw__span_ieq(p->name, name))
            continue;
        if (p->section < 0) {
            size_t *which = (p->flags & MW_HDR_PARAM_EXTENDED) ? &ext : &plain;
            if (*which == NO_INDEX)
                *which = i;
            else
                dup = 1;
            continue;
        }
        if (first_cont == NO_INDEX)
            first_cont = i;
        if ((size_t)p->section >= MW_HDR_MAX_PARAMS)
            beyond = 1;
        else if (slot[p->section] == 0)
            slot[p->section] = (uint32_t)(i + 1);
        else
            dup = 1;
    }
    if (plain == NO_INDEX && ext == NO_INDEX && first_cont == NO_INDEX)
        return mw__fail(err, MW_E_NOT_FOUND, 0, "no such parameter");

    /* Sections join from 0 up to the first gap (RFC 2231 §3 puts them in
     * order by number, whatever the field order). */
    while (run < MW_HDR_MAX_PARAMS && slot[run] != 0)
        run++;
    for (i = run; i < MW_HDR_MAX_PARAMS && !after_gap; i++)
        if (slot[i] != 0)
            after_gap = 1;

    if (dup)
        ds.info.flags |= MW_HDR_PV_DUPLICATE;
    if (first_cont != NO_INDEX || ext != NO_INDEX) {
        if (first_cont != NO_INDEX && run == 0 && ext == NO_INDEX) {
            rc = dfail(&ds, MW_E_SYNTAX, &params[first_cont], NULL,
                       "RFC 2231 section 0 is missing");
        } else if (run == MW_HDR_MAX_PARAMS && beyond) {
            rc = dfail(&ds, MW_E_LIMIT, &params[first_cont], NULL,
                       "more RFC 2231 sections than MW_HDR_MAX_PARAMS");
        } else {
            if (run > 0 && ext != NO_INDEX)
                ds.info.flags |= MW_HDR_PV_DUPLICATE; /* name* and name*0 */
            if (after_gap || beyond)
                ds.info.flags |= MW_HDR_PV_GAP;
            rc = decode_rfc2231(&ds, params, slot, run,
                                run > 0 ? NO_INDEX : ext);
        }
        if (plain != NO_INDEX) {
            if (rc == MW_OK) {
                ds.info.flags |= MW_HDR_PV_BOTH_FORMS;
            } else if (rc != MW_E_NOSPACE && rc != MW_E_INVAL &&
                       !mw_is_fatal(rc)) {
                unsigned keep = ds.info.flags &
                                (MW_HDR_PV_DUPLICATE | MW_HDR_PV_LENIENT);
                memset(&ds.info, 0, sizeof(ds.info));
                ds.info.flags = keep | MW_HDR_PV_FALLBACK | MW_HDR_PV_BOTH_FORMS;
                ds.len = 0;
                rc = decode_plain(&ds, &params[plain]);
            }
        }
    } else {
        rc = decode_plain(&ds, &params[plain]);
    }

    out = ds.out;
    if (rc == MW_OK && !all_ascii(out, ds.len)) {
        /* What the 8-bit bytes are when no charset said so (RFC 6532
         * allows UTF-8 in quoted strings; raw Latin-1 is common too). */
        if (mw_utf8_check(out, ds.len, NULL) != MW_OK)
            ds.info.flags |= MW_HDR_PV_NOT_UTF8;
        else if (!ds.converted)
            ds.info.flags |= MW_HDR_PV_UTF8_RAW;
    }
    if (info != NULL)
        *info = ds.info;
    if (rc == MW_E_NOSPACE)
        return mw__fail(err, rc, 0, "output buffer too small");
    if (rc != MW_OK)
        return mw__fail(err, rc, ds.err_off,
                        ds.err_reason != NULL ? ds.err_reason
                                              : "cannot decode the value");
    if (opts != NULL && (opts->flags & MW_HDR_DECODE_SAFE)) {
        /* As the RFC 2047 decoders do: CR, LF and NUL become spaces. */
        for (i = 0; i < ds.len; i++)
            if (out[i] == '\r' || out[i] == '\n' || out[i] == '\0')
                out[i] = ' ';
    } else if (ds.len > 0 && memchr(out, 0, ds.len) != NULL) {
        if (outlen != NULL)
            *outlen = ds.len;
        return mw__fail(err, MW_E_NUL, dfail_off(&ds),
                        "NUL byte in the parameter value");
    }
    if (outlen != NULL)
        *outlen = ds.len;
    return MW_OK;
}
