/* SPDX-License-Identifier: MIT */
/*
 * Received: trace fields (RFC 5322 §3.6.7, obsolete §4.5.7; the clause
 * structure of RFC 5321 §4.4 Time-stamp-line: "from" ... "by" ... "via" ...
 * "with" ... "id" ... "for" ... ";" date-time).
 *
 * Received: fields are written by every MTA in its own way (bare IPv6
 * addresses with ':', TLS details in comments, multi-word "with" values,
 * no date at all), so this file never rejects the token part: it finds the
 * date after the last ';' that lies outside comments and quoted strings,
 * parses that with the date parser, and offers an iterator that cuts the
 * tokens into keyword clauses. Every scan is a single forward pass; comment
 * nesting is counted, never recursed.
 */
#include "mailwire/hdr_fields.h"

#include "core/internal.h"

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static mw_span trim(const char *p, const char *end)
{
    while (p < end && is_ws(*p))
        p++;
    while (end > p && is_ws(end[-1]))
        end--;
    return mw__span(p, (size_t)(end - p));
}

int mw_hdr_parse_received(const char *value, size_t len, mw_hdr_received *out,
                          mw_error *err)
{
    const char *p, *end;
    const char *semi = NULL, *raw_semi = NULL;
    size_t depth = 0, semis = 0, raw_semis = 0;
    int inq = 0, rc;
    mw_error e;

    memset(out, 0, sizeof(*out));
    out->date.wday = -1;
    if (value == NULL)
        value = ""; /* an empty span may have a NULL pointer (core.h) */
    p = value;
    end = value + len;
    for (; p < end; p++) {
        char c = *p;
        if (c == ';') {
            raw_semi = p;
            raw_semis++;
        }
        if (inq || depth > 0) {
            if (c == '\\' && p + 1 < end) {
                p++; /* quoted-pair: also hides a ';' */
                if (*p == ';') {
                    raw_semi = p;
                    raw_semis++;
                }
            } else if (inq && c == '"') {
                inq = 0;
            } else if (!inq && c == '(') {
                depth++;
            } else if (!inq && c == ')') {
                depth--;
            }
        } else if (c == '"') {
            inq = 1;
        } else if (c == '(') {
            depth = 1;
        } else if (c == ';') {
            semi = p;
            semis++;
        }
    }
    if (inq || depth > 0) {
        /* Something was left open: comments cannot be trusted to hide a
         * ';', so fall back to the last one of all. */
        out->flags |= MW_HDR_RECEIVED_UNBALANCED;
        semi = raw_semi;
        semis = raw_semis;
    }
    if (semis > 1)
        out->flags |= MW_HDR_RECEIVED_MULTI_SEMI;

    if (semi == NULL) {
        out->tokens = trim(value, end);
        out->date_raw = mw__span(end, 0);
        /* RFC 5322 §4.5.6 obs-received: tokens with no date. Obsolete
         * syntax is accepted and flagged everywhere, not an error. */
        out->flags |= MW_HDR_RECEIVED_NO_DATE;
        out->date_status = MW_E_INCOMPLETE;
        return MW_OK;
    }
    out->tokens = trim(value, semi);
    out->date_raw = trim(semi + 1, end);
    rc = mw_hdr_parse_date(out->date_raw.ptr, out->date_raw.len, &out->date, &e);
    out->date_status = rc;
    if (rc != MW_OK)
        return mw__fail(err, rc, (size_t)(out->date_raw.ptr - value) + e.offset, e.reason);
    return MW_OK;
}

/* ---- clauses ---- */

enum tok_kind { TOK_WORD, TOK_COMMENT, TOK_OTHER };

/* The end of the token starting at p (not white space). A comment runs to
 * its matching ')', a quoted string to its '"', "<...>" and "[...]" to
 * their closing byte, each to the end if left open; anything else is a
 * word, up to white space or '('. *closed tells whether a comment was. */
static const char *token_end(const char *p, const char *end, enum tok_kind *kind,
                             int *closed)
{
    char c = *p;
    *closed = 1;
    if (c == '(') {
        size_t depth = 0;
        *kind = TOK_COMMENT;
        while (p < end) {
            c = *p++;
            if (c == '\\' && p < end)
                p++;
            else if (c == '(')
                depth++;
            else if (c == ')' && --depth == 0)
                return p;
        }
        *closed = 0;
        return end;
    }
    if (c == '"' || c == '<' || c == '[') {
        char close = c == '"' ? '"' : c == '<' ? '>' : ']';
        *kind = TOK_OTHER;
        p++;
        while (p < end) {
            c = *p++;
            if (c == '\\' && p < end)
                p++;
            else if (c == close)
                return p;
        }
        return end;
    }
    *kind = TOK_WORD;
    while (p < end && !is_ws(*p) && *p != '(')
        p++;
    return p;
}

static int is_keyword(const char *p, const char *e)
{
    static const char *const kw[] = {"from", "by", "via", "with", "id", "for"};
    mw_span s = mw__span(p, (size_t)(e - p));
    size_t i;
    for (i = 0; i < sizeof(kw) / sizeof(kw[0]); i++) {
        if (mw__span_ieq(s, kw[i]))
            return 1;
    }
    return 0;
}

size_t mw_hdr_received_iter_sizeof(void)
{
    return sizeof(mw_hdr_received_iter);
}

void mw_hdr_received_iter_init(mw_hdr_received_iter *it, const char *tokens,
                               size_t len)
{
    if (tokens == NULL)
        tokens = "";
    it->p = tokens;
    it->end = tokens + len;
}

int mw_hdr_received_next(mw_hdr_received_iter *it, mw_hdr_received_clause *clause)
{
    const char *p = it->p, *end = it->end, *start, *te, *last;
    const char *vstart = NULL, *vend = NULL;
    enum tok_kind kind;
    int closed;

    while (p < end && is_ws(*p))
        p++;
    if (p >= end) {
        it->p = end;
        return MW_DONE;
    }
    memset(clause, 0, sizeof(*clause));
    start = last = p;
    te = token_end(p, end, &kind, &closed);
    if (kind == TOK_WORD && is_keyword(p, te)) {
        clause->name = mw__span(p, (size_t)(te - p));
        last = p = te;
    }
    for (;;) {
        while (p < end && is_ws(*p))
            p++;
        if (p >= end)
            break;
        te = token_end(p, end, &kind, &closed);
        if (kind == TOK_WORD && is_keyword(p, te))
            break;
        if (kind == TOK_COMMENT) {
            if (clause->comment.ptr == NULL)
                clause->comment = mw__span(p + 1, (size_t)(te - p - 1 - closed));
        } else {
            if (vstart == NULL)
                vstart = p;
            vend = te;
        }
        last = p = te;
    }
    if (vstart != NULL)
        clause->value = mw__span(vstart, (size_t)(vend - vstart));
    clause->raw = mw__span(start, (size_t)(last - start));
    it->p = p;
    return MW_OK;
}
