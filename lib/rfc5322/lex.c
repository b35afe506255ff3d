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

/* The scanning classes of lex.h, from the same ABNF. With "printable" the
 * ASCII bytes %d33-126 and "bs" the backslash:
 *   ATOM      the atext above, less the bytes >= 0x80;
 *   QUOTED    printable less DQUOTE and bs, plus FWS;
 *   COMMENT   printable less "(", ")" and bs, plus FWS;
 *   LITERAL   printable less "[", "]" and bs, plus FWS;
 *   FWS       SP, HT, CR, LF;   CFWS  FWS and "(";
 *   EW_TOKEN  printable less the especials of RFC 2047 §2:
 *             ( ) < > @ , ; : bs DQUOTE / [ ] ? . =
 *   EW_TEXT   printable less "?".
 * The unit tests (test_hdr_fastpath.c) check every entry against these
 * definitions. */
const uint8_t mw__lex_scan[256] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3e, 0x3e, 0x00, 0x00, 0x3e, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x3e, 0xcf, 0x8c, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xaa, 0x8a, 0xcf, 0xcf, 0x8e, 0xcf, 0x8e, 0x8f,
    0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0x8e, 0x8e, 0x8e, 0x8f, 0x8e, 0x0f,
    0x8e, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf,
    0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0x86, 0x80, 0x86, 0xcf, 0xcf,
    0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf,
    0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0xcf, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

int mw__lex_error_(mw__lex *lx, int code, const char *at, const char *reason)
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

/* The byte after a backslash. "\\" CR and "\\" LF are quoted-pairs only in
 * the obsolete grammar (RFC 5322 §4.1 obs-qp), and unlike a folding CR or
 * LF they stand for themselves: flag them as obsolete controls so that a
 * strict caller refuses them and no caller mistakes them for folding. */
static void note_qpair(mw__lex *lx, unsigned char c)
{
    note(lx, c);
    if (c == '\r' || c == '\n')
        lx->flags |= MW__LEX_OBS_CTL;
    lx->flags |= MW__LEX_QPAIR;
}

/* The first byte from p (before end) not in scanning class cls, or end.
 * The index counts up to 0 so that one instruction both steps and tests
 * for the end. */
static const char *skip_class(const char *p, const char *end, unsigned cls)
{
    ptrdiff_t i = p - end;
    while (i < 0 && (mw__lex_scan[(unsigned char)end[i]] & cls))
        i++;
    return end + i;
}

static int is_fws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int mw__lex_cfws_slow(mw__lex *lx)
{
    const char *p = lx->p, *end = lx->end;
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (mw__lex_scan[c] & MW__S_FWS) {
            p++;
            continue;
        }
        if (c != '(')
            break;

        /* A comment: count depth instead of recursing. */
        const char *open = p;
        unsigned depth = 0;
        int too_deep = 0;
        const char *content = p + 1;
        lx->flags |= MW__LEX_COMMENT;
        while (p < end) {
            c = (unsigned char)*p++;
            if (c == '(') {
                if (++depth > lx->max_depth)
                    too_deep = 1;
            } else if (c == ')') {
                if (--depth == 0)
                    break;
            } else if (mw__lex_scan[c] & MW__S_COMMENT) {
                continue; /* plain ctext or FWS: nothing to note */
            } else if (c == '\\' && p < end) {
                note_qpair(lx, (unsigned char)*p);
                p++;
            } else {
                note(lx, c);
            }
        }
        lx->p = p;
        if (depth != 0)
            return mw__lex_error(lx, MW_E_SYNTAX, open, "comment is not closed");
        if (too_deep)
            return mw__lex_error(lx, MW_E_DEPTH, open, "comments nested too deeply");
        if (lx->comment.ptr == NULL)
            lx->comment = mw__span(content, (size_t)(p - 1 - content));
    }
    lx->p = p;
    return MW_OK;
}

const char *mw__lex_atom_8bit(mw__lex *lx, const char *q)
{
    lx->flags |= MW__LEX_8BIT;
    while (q < lx->end && mw__is((unsigned char)*q, MW__C_ATEXT))
        q++;
    return q;
}

int mw__lex_dot_atom(mw__lex *lx, mw_span *out)
{
    const char *s = lx->p;
    mw_span part;
    if (!mw__lex_atom(lx, &part))
        return 0;
    mw__lex_dot_atom_rest(lx);
    *out = mw__span(s, (size_t)(lx->p - s));
    return 1;
}

/* Shared body of quoted strings and domain literals: read up to `close`,
 * resolving quoted-pairs, accepting the byte classes in `cls` and FWS.
 * `plain` is the scanning class of the bytes that need no attention. */
static int delimited(mw__lex *lx, char close, unsigned cls, unsigned plain,
                     mw_span *out, const char *what)
{
    const char *s = lx->p, *p = s + 1, *end = lx->end;
    for (;;) {
        unsigned char c;
        p = skip_class(p, end, plain);
        if (p >= end)
            break;
        c = (unsigned char)*p++;
        if (c >= 0x80) { /* UTF-8 text (RFC 6532): flag it, go on */
            lx->flags |= MW__LEX_8BIT;
            continue;
        }
        if (c == (unsigned char)close) {
            lx->p = p;
            *out = mw__span(s, (size_t)(p - s));
            return 1;
        }
        if (c == '\\') {
            if (p >= end)
                break;
            note_qpair(lx, (unsigned char)*p);
            p++;
        } else if (!is_fws(c) && !mw__is(c, cls) && c != 0) {
            /* '[' inside a literal, or '"' can't reach here for quotes;
             * anything else is not allowed by the grammar. */
            lx->p = p - 1;
            return mw__lex_error_(lx, MW_E_SYNTAX, lx->p, what);
        } else {
            note(lx, c);
        }
    }
    lx->p = end;
    return mw__lex_error(lx, MW_E_SYNTAX, s,
                         close == '"' ? "quoted string is not closed"
                                      : "domain literal is not closed");
}

int mw__lex_quoted(mw__lex *lx, mw_span *out)
{
    if (lx->p >= lx->end || *lx->p != '"')
        return 0;
    return delimited(lx, '"', MW__C_QTEXT, MW__S_QUOTED, out,
                     MW__TEXT("bad byte in quoted string"));
}

int mw__lex_domain_literal(mw__lex *lx, mw_span *out)
{
    if (lx->p >= lx->end || *lx->p != '[')
        return 0;
    return delimited(lx, ']', MW__C_DTEXT, MW__S_LITERAL, out,
                     MW__TEXT("bad byte in domain literal"));
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
