/* SPDX-License-Identifier: MIT */
/*
 * RFC 5322 §3.2 lexical tokens; see lex.h. Comments are skipped with a
 * depth counter, not recursion (field-notes §4.6: libetpan recurses per
 * "(" with no bound), so 10,000 nested comments cost one linear pass.
 */
#include "lex.h"

/* Generated from the ABNF of RFC 5322 §3.2.3-3.2.4 and §3.4.1, with RFC 6532
 * (bytes >= 0x80) and obs-NO-WS-CTL (§4.1) folded into qtext/ctext/dtext. */
const uint8_t mw__hdr_ctype[256] = {
    0x00, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x04, 0x00, 0x38, 0x38, 0x00, 0x38, 0x38,
    0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38,
    0x04, 0x39, 0x32, 0x39, 0x39, 0x39, 0x39, 0x39, 0x2a, 0x2a, 0x39, 0x39, 0x3a, 0x39, 0x3a, 0x39,
    0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x3a, 0x3a, 0x3a, 0x39, 0x3a, 0x39,
    0x3a, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9,
    0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0x1a, 0x02, 0x1a, 0x39, 0x39,
    0x39, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9,
    0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0xb9, 0x39, 0x39, 0x39, 0x39, 0x38,
    0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39,
    0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39,
    0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39,
    0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39,
    0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39,
    0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39,
    0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39,
    0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39,
};

void mw__lex_init(mw__lex *lx, const char *p, size_t n)
{
    memset(lx, 0, sizeof(*lx));
    lx->base = p;
    lx->p = p;
    lx->end = p + n;
    lx->max_depth = MW_HDR_MAX_COMMENT_DEPTH;
}

int mw__lex_error(mw__lex *lx, int code, const char *at, const char *reason)
{
    if (lx->err == 0) {
        lx->err = code;
        lx->err_off = (size_t)(at - lx->base);
        lx->err_reason = reason;
    }
    return code;
}

/* Note the classes of a byte read inside a token. */
static void note(mw__lex *lx, unsigned char c)
{
    if (c >= 0x80)
        lx->flags |= MW__LEX_8BIT;
    else if (c == 0)
        lx->flags |= MW__LEX_NUL;
    else if (c < 0x20 && c != '\t' && c != '\r' && c != '\n')
        lx->flags |= MW__LEX_OBS_CTL;
    else if (c == 0x7f)
        lx->flags |= MW__LEX_OBS_CTL;
}

static int is_fws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int mw__lex_cfws_slow(mw__lex *lx)
{
    while (lx->p < lx->end) {
        unsigned char c = (unsigned char)*lx->p;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            lx->p++;
            continue;
        }
        if (c != '(')
            break;

        /* A comment: count depth instead of recursing. */
        const char *open = lx->p;
        unsigned depth = 0;
        int too_deep = 0;
        const char *content = lx->p + 1;
        lx->flags |= MW__LEX_COMMENT;
        while (lx->p < lx->end) {
            c = (unsigned char)*lx->p++;
            if (c == '\\' && lx->p < lx->end) {
                note(lx, (unsigned char)*lx->p);
                lx->flags |= MW__LEX_QPAIR;
                lx->p++;
            } else if (c == '(') {
                if (++depth > lx->max_depth)
                    too_deep = 1;
            } else if (c == ')') {
                if (--depth == 0)
                    break;
            } else {
                note(lx, c);
            }
        }
        if (depth != 0)
            return mw__lex_error(lx, MW_E_SYNTAX, open, "comment is not closed");
        if (too_deep)
            return mw__lex_error(lx, MW_E_DEPTH, open, "comments nested too deeply");
        if (lx->comment.ptr == NULL)
            lx->comment = mw__span(content, (size_t)(lx->p - 1 - content));
    }
    return MW_OK;
}

int mw__lex_atom(mw__lex *lx, mw_span *out)
{
    /* Hot: every word of every address goes through here. atext holds no
     * NUL or control byte, so the only flag an atom can raise is 8BIT:
     * OR the bytes together and test once. */
    const unsigned char *s = (const unsigned char *)lx->p;
    const unsigned char *q = s, *end = (const unsigned char *)lx->end;
    unsigned acc = 0;
    while (q < end && (mw__hdr_ctype[*q] & MW__C_ATEXT)) {
        acc |= *q;
        q++;
    }
    if (q == s)
        return 0;
    if (acc & 0x80u)
        lx->flags |= MW__LEX_8BIT;
    lx->p = (const char *)q;
    *out = mw__span((const char *)s, (size_t)(q - s));
    return 1;
}

int mw__lex_dot_atom(mw__lex *lx, mw_span *out)
{
    const char *s = lx->p;
    mw_span part;
    if (!mw__lex_atom(lx, &part))
        return 0;
    while (lx->p + 1 < lx->end && *lx->p == '.' &&
           mw__is((unsigned char)lx->p[1], MW__C_ATEXT)) {
        lx->p++;
        mw__lex_atom(lx, &part);
    }
    *out = mw__span(s, (size_t)(lx->p - s));
    return 1;
}

/* Shared body of quoted strings and domain literals: read up to `close`,
 * resolving quoted-pairs, accepting the byte classes in `cls` and FWS. */
static int delimited(mw__lex *lx, char close, unsigned cls, mw_span *out,
                     const char *what)
{
    const char *s = lx->p++;
    while (lx->p < lx->end) {
        unsigned char c = (unsigned char)*lx->p++;
        if (c == (unsigned char)close) {
            *out = mw__span(s, (size_t)(lx->p - s));
            return 1;
        }
        if (c == '\\') {
            if (lx->p >= lx->end)
                break;
            note(lx, (unsigned char)*lx->p);
            lx->flags |= MW__LEX_QPAIR;
            lx->p++;
        } else if (!is_fws(c) && !mw__is(c, cls) && c != 0) {
            /* '[' inside a literal, or '"' can't reach here for quotes;
             * anything else is not allowed by the grammar. */
            lx->p--;
            return mw__lex_error(lx, MW_E_SYNTAX, lx->p, what);
        } else {
            note(lx, c);
        }
    }
    lx->p = lx->end;
    return mw__lex_error(lx, MW_E_SYNTAX, s,
                         close == '"' ? "quoted string is not closed"
                                      : "domain literal is not closed");
}

int mw__lex_quoted(mw__lex *lx, mw_span *out)
{
    if (lx->p >= lx->end || *lx->p != '"')
        return 0;
    return delimited(lx, '"', MW__C_QTEXT, out, "bad byte in quoted string");
}

int mw__lex_domain_literal(mw__lex *lx, mw_span *out)
{
    if (lx->p >= lx->end || *lx->p != '[')
        return 0;
    return delimited(lx, ']', MW__C_DTEXT, out, "bad byte in domain literal");
}

int mw__lex_word(mw__lex *lx, mw_span *out)
{
    int rc = mw__lex_atom(lx, out);
    if (rc != 0)
        return rc;
    return mw__lex_quoted(lx, out);
}

int mw__unquote(mw_span q, char *out, size_t cap, size_t *outlen)
{
    const char *p = q.ptr, *end = q.ptr + q.len;
    size_t n = 0;
    if (p < end && *p == '"') {
        p++;
        if (end > p && end[-1] == '"')
            end--;
    }
    *outlen = 0;
    while (p < end) {
        char c = *p++;
        if (c == '\\' && p < end) {
            c = *p++;
        } else if (c == '\r' && p < end && *p == '\n') {
            continue; /* unfold: the WSP after the line end stays */
        } else if (c == '\n') {
            continue;
        }
        if (n == cap) {
            *outlen = n;
            return MW_E_NOSPACE;
        }
        out[n++] = c;
    }
    *outlen = n;
    return MW_OK;
}
