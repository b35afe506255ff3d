/* SPDX-License-Identifier: MIT */
/*
 * Message identifiers (RFC 5322 §3.6.4 and the obsolete §4.5.4):
 * Message-ID:, In-Reply-To: and References: values.
 *
 * One routine reads a msg-id in its widest (obsolete) form,
 *
 *   "<" [CFWS] word *([CFWS] "." [CFWS] word) [CFWS] "@"
 *       [CFWS] (atom *([CFWS] "." [CFWS] atom) / domain-literal) [CFWS] ">"
 *
 * and notes which parts went beyond the current syntax (dot-atom-text on
 * both sides, or a domain literal without folding on the right). Around it,
 * the iterator skips the phrases that obs-in-reply-to and obs-references
 * allow and that §4.5.4 says to ignore. Everything else is an error, from
 * which the iterator resynchronises at the next "<".
 */
#include "mailwire/hdr_fields.h"

#include "lex.h"

/* Skip CFWS; *any is set when something was skipped. */
static int cfws_in(mw__lex *lx, int *any)
{
    const char *s = lx->p;
    int rc = mw__lex_cfws(lx);
    if (lx->p != s)
        *any = 1;
    return rc;
}

/* Why a word was expected but not found inside a msg-id. */
static const char *missing_word(int c, int first)
{
    if (c == '@')
        return first ? MW__TEXT("msg-id has nothing before '@'")
                     : MW__TEXT("msg-id has '.' before '@'");
    if (c == '.')
        return first ? MW__TEXT("msg-id starts with '.'") : MW__TEXT("msg-id has '..'");
    if (c == '>')
        return first ? MW__TEXT("empty msg-id") : MW__TEXT("msg-id ends with '.'");
    if (c < 0)
        return MW__TEXT("msg-id is not closed");
    return MW__TEXT("bad character in msg-id");
}

static int literal_is_obs(mw_span lit)
{
    size_t i;
    for (i = 0; i < lit.len; i++) {
        unsigned char c = (unsigned char)lit.ptr[i];
        if (c <= ' ' || c == 0x7f || c == '\\')
            return 1;
    }
    return 0;
}

/* Read one msg-id; lx->p is at its "<". On success lx->p is after the ">".
 * The lexer's flags are the caller's to clear. */
static int parse_id(mw__lex *lx, mw_span *id, unsigned *flags)
{
    const char *open = lx->p, *first, *last;
    int lcfws = 0, rcfws = 0, quoted = 0, obs_lit = 0, rc, c;
    unsigned f = 0;
    mw_span tok;

    lx->p++;
    /* id-left = dot-atom-text / obs-id-left (local-part) */
    if ((rc = cfws_in(lx, &lcfws)) != MW_OK)
        return rc;
    first = lx->p;
    for (;;) {
        c = mw__lex_peek(lx);
        rc = mw__lex_word(lx, &tok);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return mw__lex_error(lx, MW_E_SYNTAX, c < 0 ? open : lx->p,
                                 missing_word(c, lx->p == first));
        if (tok.ptr[0] == '"')
            quoted = 1;
        /* Usually the whole id-left is dot-atom-text: read its further
         * atoms here, as the loop would, without the CFWS checks. */
        mw__lex_dot_atom_rest(lx);
        if ((rc = cfws_in(lx, &lcfws)) != MW_OK)
            return rc;
        if (mw__lex_peek(lx) != '.')
            break;
        lx->p++;
        if ((rc = cfws_in(lx, &lcfws)) != MW_OK)
            return rc;
    }
    c = mw__lex_peek(lx);
    if (c != '@') {
        if (c == '>')
            return mw__lex_error(lx, MW_E_SYNTAX, open, "msg-id has no '@'");
        if (c < 0)
            return mw__lex_error(lx, MW_E_SYNTAX, open, "msg-id is not closed");
        return mw__lex_error(lx, MW_E_SYNTAX, lx->p, "'@' expected in msg-id");
    }
    lx->p++;

    /* id-right = dot-atom-text / no-fold-literal / obs-id-right (domain) */
    if ((rc = cfws_in(lx, &rcfws)) != MW_OK)
        return rc;
    if (mw__lex_peek(lx) == '[') {
        rc = mw__lex_domain_literal(lx, &tok);
        if (rc < 0)
            return rc;
        f |= MW_HDR_MSGID_LITERAL;
        obs_lit = literal_is_obs(tok);
        last = lx->p;
        if ((rc = cfws_in(lx, &rcfws)) != MW_OK)
            return rc;
    } else {
        int firstatom = 1;
        for (;;) {
            c = mw__lex_peek(lx);
            if (!mw__lex_atom(lx, &tok))
                return mw__lex_error(lx, MW_E_SYNTAX, c < 0 ? open : lx->p,
                                     c == '>' && firstatom ? "msg-id has nothing after '@'"
                                     : c == '>'            ? "msg-id ends with '.'"
                                     : c == '.'            ? "msg-id has '..'"
                                     : c < 0               ? "msg-id is not closed"
                                                           : "bad character in msg-id");
            firstatom = 0;
            mw__lex_dot_atom_rest(lx); /* as on the left */
            last = lx->p;
            if ((rc = cfws_in(lx, &rcfws)) != MW_OK)
                return rc;
            if (mw__lex_peek(lx) != '.')
                break;
            lx->p++;
            if ((rc = cfws_in(lx, &rcfws)) != MW_OK)
                return rc;
        }
    }
    c = mw__lex_peek(lx);
    if (c != '>')
        return mw__lex_error(lx, MW_E_SYNTAX, c < 0 ? open : lx->p,
                             c < 0 ? "msg-id is not closed"
                                   : "'>' expected at the end of the msg-id");
    lx->p++;

    if (lcfws || quoted)
        f |= MW_HDR_MSGID_OBS_LEFT;
    if (rcfws || obs_lit)
        f |= MW_HDR_MSGID_OBS_RIGHT;
    if (lx->flags & MW__LEX_8BIT)
        f |= MW_HDR_MSGID_8BIT;
    *id = mw__span(first, (size_t)(last - first));
    *flags = f;
    return MW_OK;
}

static void lex_at(mw__lex *lx, const char *base, const char *p,
                   const char *end)
{
    mw__lex_init(lx, p, (size_t)(end - p));
    lx->base = base;
}

size_t mw_hdr_msgid_iter_sizeof(void)
{
    return sizeof(mw_hdr_msgid_iter);
}

void mw_hdr_msgid_iter_init(mw_hdr_msgid_iter *it, const char *value,
                            size_t len)
{
    if (value == NULL)
        value = ""; /* an empty span may have a NULL pointer (core.h) */
    it->base = value;
    it->p = value;
    it->end = value + len;
    it->open = NULL;
}

/* Report the lexer's error and move the iterator to the next "<" at or
 * after the point the lexer reached, always forward. Starting from the
 * lexer's position, not the error's, matters: an unclosed comment or
 * quoted string has swallowed the rest of the value, and rescanning it
 * from every "<" inside would make a hostile value cost O(n^2). */
static int fail_resync(mw_hdr_msgid_iter *it, const mw__lex *lx, mw_error *err)
{
    const char *from = lx->p > it->p ? lx->p : it->p + 1;
    const char *q;
    if (from >= it->end) {
        it->p = it->end;
    } else {
        q = memchr(from, '<', (size_t)(it->end - from));
        it->p = q != NULL ? q : it->end;
    }
    return mw__fail(err, lx->err, lx->err_off, lx->err_reason);
}

int mw_hdr_msgid_next(mw_hdr_msgid_iter *it, mw_span *id, unsigned *flags,
                      mw_error *err)
{
    mw__lex lx;
    unsigned f = 0, phrase = 0;
    mw_span tok;
    int rc, c;

    if (flags != NULL)
        *flags = 0;
    if (it->p >= it->end)
        return MW_DONE;
    lex_at(&lx, it->base, it->p, it->end);
    for (;;) {
        /* the flags describe the CFWS right before the id, the id and the
         * CFWS after it, not the phrase before */
        lx.flags = 0;
        if (mw__lex_cfws(&lx) != MW_OK)
            return fail_resync(it, &lx, err);
        c = mw__lex_peek(&lx);
        if (c < 0) {
            it->p = it->end;
            if (flags != NULL)
                *flags = phrase ? MW_HDR_MSGID_OBS_PHRASE : 0u;
            return MW_DONE;
        }
        if (c == '<') {
            const char *open = lx.p;
            if (parse_id(&lx, id, &f) != MW_OK)
                return fail_resync(it, &lx, err);
            it->open = open;
            break;
        }
        /* obs-phrase = word *(word / "." / CFWS): a "." only inside one */
        if (c == '.' && phrase) {
            lx.p++;
            continue;
        }
        rc = mw__lex_word(&lx, &tok);
        if (rc < 0)
            return fail_resync(it, &lx, err);
        if (rc == 0) {
            mw__lex_error(&lx, MW_E_SYNTAX, lx.p, "unexpected character between msg-ids");
            return fail_resync(it, &lx, err);
        }
        phrase = 1;
    }
    /* CFWS after the id belongs to it ([CFWS] in msg-id); an unclosed
     * comment there is left for the next call to report. */
    {
        const char *after = lx.p;
        unsigned seen = lx.flags;
        if (mw__lex_cfws(&lx) != MW_OK) {
            lx.p = after;
            lx.flags = seen;
        }
        it->p = lx.p;
    }
    if (lx.flags & MW__LEX_COMMENT)
        f |= MW_HDR_MSGID_COMMENTS;
    if (phrase)
        f |= MW_HDR_MSGID_OBS_PHRASE;
    if (flags != NULL)
        *flags = f;
    return MW_OK;
}

int mw_hdr_parse_msgids(const char *value, size_t len, mw_span *ids,
                        size_t cap, size_t *count, mw_error *err)
{
    mw_hdr_msgid_iter it;
    mw_span id;
    size_t n = 0;
    const char *first_over = NULL;
    int rc;

    *count = 0;
    mw_hdr_msgid_iter_init(&it, value, len);
    while ((rc = mw_hdr_msgid_next(&it, &id, NULL, err)) == MW_OK) {
        if (n < cap) {
            ids[n] = id;
            *count = n + 1;
        } else if (first_over == NULL) {
            first_over = it.open; /* the "<" of the first id that does not fit */
        }
        n++;
    }
    if (rc != MW_DONE)
        return rc;
    if (n > cap) {
        *count = n;
        return mw__fail(err, MW_E_NOSPACE, (size_t)(first_over - value),
                        "more msg-ids than the array holds");
    }
    return MW_OK;
}

int mw_hdr_parse_msgid(const char *value, size_t len, mw_span *id,
                       mw_error *err)
{
    mw__lex lx;
    unsigned f;

    if (value == NULL)
        value = "";
    mw__lex_init(&lx, value, len);
    if (mw__lex_cfws(&lx) != MW_OK)
        return mw__fail(err, lx.err, lx.err_off, lx.err_reason);
    if (mw__lex_peek(&lx) != '<')
        return mw__fail(err, MW_E_SYNTAX, mw__lex_off(&lx),
                        mw__lex_eof(&lx) ? "msg-id expected" : "'<' expected");
    if (parse_id(&lx, id, &f) != MW_OK ||
        mw__lex_cfws(&lx) != MW_OK)
        return mw__fail(err, lx.err, lx.err_off, lx.err_reason);
    if (!mw__lex_eof(&lx))
        return mw__fail(err, MW_E_SYNTAX, mw__lex_off(&lx),
                        "unexpected text after the msg-id");
    return MW_OK;
}

/* Copy a quoted string or domain literal starting at p (its opening byte)
 * through its closing byte `close`, quoted-pairs included. */
static const char *copy_delimited(const char *p, const char *end, char close,
                                  char *out, size_t cap, size_t *n)
{
    const char *s = p++;
    while (p < end) {
        char c = *p++;
        if (c == '\\' && p < end)
            p++;
        else if (c == close)
            break;
    }
    if ((size_t)(p - s) > cap - *n) {
        size_t room = cap - *n;
        memcpy(out + *n, s, room);
        *n += room;
        return NULL;
    }
    memcpy(out + *n, s, (size_t)(p - s));
    *n += (size_t)(p - s);
    return p;
}

int mw_hdr_msgid_normalize(mw_span id, char *out, size_t cap, size_t *outlen)
{
    const char *p = id.ptr != NULL ? id.ptr : "", *end = p + id.len;
    size_t n = 0;

    while (p < end) {
        char c = *p;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            p++;
        } else if (c == '(') {
            /* a comment: count depth, skip quoted-pairs */
            size_t depth = 0;
            while (p < end) {
                c = *p++;
                if (c == '\\' && p < end)
                    p++;
                else if (c == '(')
                    depth++;
                else if (c == ')' && --depth == 0)
                    break;
            }
        } else if (c == '"' || c == '[') {
            p = copy_delimited(p, end, c == '"' ? '"' : ']', out, cap, &n);
            if (p == NULL) {
                *outlen = n;
                return MW_E_NOSPACE;
            }
        } else {
            if (n == cap) {
                *outlen = n;
                return MW_E_NOSPACE;
            }
            out[n++] = c;
            p++;
        }
    }
    *outlen = n;
    return MW_OK;
}
