/* SPDX-License-Identifier: MIT */
/*
 * Keywords: (RFC 5322 §3.6.5: phrase *("," phrase); obsolete §4.5.5 and
 * §4.1: obs-phrase-list, which allows empty elements and '.' in phrases).
 *
 * Only the structure is read here: each phrase comes back as a raw span
 * from its first to its last word, and decoding it (quoted strings,
 * comments, RFC 2047 encoded words) is the phrase decoder's job
 * (hdr_decode.h).
 */
#include "mailwire/hdr_fields.h"

#include "lex.h"

size_t mw_hdr_keywords_iter_sizeof(void)
{
    return sizeof(mw_hdr_keywords_iter);
}

void mw_hdr_keywords_iter_init(mw_hdr_keywords_iter *it, const char *value,
                               size_t len)
{
    if (value == NULL)
        value = ""; /* an empty span may have a NULL pointer (core.h) */
    it->base = value;
    it->p = value;
    it->end = value + len;
    it->after_comma = 1; /* the first element starts here */
}

/* Report the lexer's error and move past the next ',' at or after the
 * point the lexer reached (not the error's offset: an unclosed comment or
 * quoted string has swallowed the rest, and resuming inside it at every
 * ',' would cost O(n^2)). */
static int fail_resync(mw_hdr_keywords_iter *it, const mw__lex *lx,
                       mw_error *err)
{
    const char *q = NULL;
    if (lx->p < it->end)
        q = memchr(lx->p, ',', (size_t)(it->end - lx->p));
    if (q != NULL) {
        it->p = q + 1;
        it->after_comma = 1;
    } else {
        it->p = it->end;
        it->after_comma = 0;
    }
    /* A failed lexer call always sets lx->err; never let an error path
     * report MW_OK (the caller would read an unset phrase). */
    return mw__fail(err, lx->err < 0 ? lx->err : MW_E_INTERNAL, lx->err_off,
                    lx->err_reason);
}

int mw_hdr_keywords_next(mw_hdr_keywords_iter *it, mw_span *phrase,
                         unsigned *flags, mw_error *err)
{
    mw__lex lx;
    unsigned f = 0;
    const char *first, *last;
    mw_span tok;
    int rc, c, comment_pending;

    if (flags != NULL)
        *flags = 0;
    mw__lex_init(&lx, it->p, (size_t)(it->end - it->p));
    lx.base = it->base;

    /* Skip empty elements: [CFWS] "," */
    for (;;) {
        if (mw__lex_cfws(&lx) != MW_OK)
            return fail_resync(it, &lx, err);
        c = mw__lex_peek(&lx);
        if (c < 0) {
            if (it->after_comma && flags != NULL)
                *flags = MW_HDR_KEYWORDS_EMPTY;
            it->after_comma = 0;
            it->p = it->end;
            return MW_DONE;
        }
        if (c != ',')
            break;
        if (it->after_comma)
            f |= MW_HDR_KEYWORDS_EMPTY;
        it->after_comma = 1;
        lx.p++;
    }

    /* phrase = 1*word / obs-phrase; obs-phrase = word *(word / "." / CFWS) */
    first = lx.p;
    if (c == '.') {
        mw__lex_error(&lx, MW_E_SYNTAX, lx.p, "keyword phrase starts with '.'");
        return fail_resync(it, &lx, err);
    }
    rc = mw__lex_word(&lx, &tok);
    if (rc < 0)
        return fail_resync(it, &lx, err);
    if (rc == 0) {
        mw__lex_error(&lx, MW_E_SYNTAX, lx.p, "unexpected character in keywords");
        return fail_resync(it, &lx, err);
    }
    last = lx.p;
    for (;;) {
        lx.flags &= ~MW__LEX_COMMENT;
        if (mw__lex_cfws(&lx) != MW_OK)
            return fail_resync(it, &lx, err);
        comment_pending = (lx.flags & MW__LEX_COMMENT) != 0;
        c = mw__lex_peek(&lx);
        if (c < 0 || c == ',')
            break;
        if (c == '.') {
            f |= MW_HDR_KEYWORDS_OBS_PHRASE;
            lx.p++;
        } else {
            rc = mw__lex_word(&lx, &tok);
            if (rc < 0)
                return fail_resync(it, &lx, err);
            if (rc == 0) {
                mw__lex_error(&lx, MW_E_SYNTAX, lx.p, "unexpected character in keywords");
                return fail_resync(it, &lx, err);
            }
        }
        if (comment_pending)
            f |= MW_HDR_KEYWORDS_COMMENTS;
        last = lx.p;
    }
    it->p = lx.p; /* at the ',' or the end */
    it->after_comma = 0;
    *phrase = mw__span(first, (size_t)(last - first));
    if (flags != NULL)
        *flags = f;
    return MW_OK;
}

int mw_hdr_parse_keywords(const char *value, size_t len, mw_span *phrases,
                          size_t cap, size_t *count, mw_error *err)
{
    mw_hdr_keywords_iter it;
    mw_span ph;
    size_t n = 0;
    size_t first_over = 0;
    int rc;

    *count = 0;
    mw_hdr_keywords_iter_init(&it, value, len);
    while ((rc = mw_hdr_keywords_next(&it, &ph, NULL, err)) == MW_OK) {
        if (n < cap) {
            phrases[n] = ph;
            *count = n + 1;
        } else if (n == cap) {
            first_over = (size_t)(ph.ptr - value);
        }
        n++;
    }
    if (rc != MW_DONE)
        return rc;
    if (n > cap) {
        *count = n;
        return mw__fail(err, MW_E_NOSPACE, first_over,
                        "more keywords than the array holds");
    }
    return MW_OK;
}
