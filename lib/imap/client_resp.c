/* SPDX-License-Identifier: MIT */
/*
 * The IMAP client's response parser, part 1: the entry points the client
 * machine calls for each framer event, the dispatch of a frame to the
 * parser of its response (RFC 9051 §7: status responses, continuation
 * requests, untagged data, FETCH), and the SEARCH / SORT / ESEARCH
 * streaming that lets a response of any length through a bounded frame
 * buffer (the framer's FULL event, frame.h).
 *
 * Every frame is parsed only once it is complete, except at the two points
 * where the framer makes us decide earlier: a literal announcement (is it
 * a body section to stream? client_resp_fetch.c) and the frame limit (can
 * the SEARCH numbers parsed so far be released?). A frame that fails to
 * parse is reported and skipped whole (field-notes §4.8).
 */
#include <string.h>

#include "imap/client_resp.h"
#include "imap/client_int.h"

/* ---- helpers ----------------------------------------------------------- */

#if !MW_ENABLE_FAST_PATHS
/* client_resp.h: letters compared without case, every other byte
 * exactly. */
int mw__imap_rp_kw(const char *p, size_t n, const char *kw, size_t kn)
{
    return n == kn && mw__imap_rp_kw_fold(p, kw, kn);
}
#endif

static void rp_init(mw__imap_rp *rp, mw_imap_client *c, const char *p,
                    size_t n, size_t offset)
{
    rp->c = c;
    mw__imap_lex_init(&rp->L, p, n, offset, &c->arena, c->lexflags);
    rp->start = offset;
    rp->pause = 0;
    rp->abort = 0;
}

int mw__imap_rp_error_(mw__imap_rp *rp, int status, size_t offset,
                       const char *reason)
{
    mw_imap_client *c = rp->c;
    (void)mw__fail(&c->err, status, offset, reason);
    if (c->cb.error == NULL)
        return MW_OK;
    return mw__imap_rp_cb(rp, c->cb.error(c, c->user, status, offset, reason));
}

/* The end of one parse: report a lexer error (once per frame), return the
 * callbacks' verdict. */
static int rp_finish(mw__imap_rp *rp)
{
    mw__imap_rstate *rs = &rp->c->resp;
    if (rp->abort == 0 && rp->L.status != MW_OK && !rs->reported) {
        rs->reported = 1;
        (void)mw__imap_rp_error(rp, rp->L.status, rp->L.err_offset,
                                rp->L.reason != NULL ? rp->L.reason
                                                     : "bad response");
    }
    if (rp->abort != 0)
        return rp->abort;
    return rp->pause ? MW_PAUSED : MW_OK;
}

/* Forget the frame: the next segment starts a new response. */
static void frame_done(mw_imap_client *c)
{
    mw__imap_rstate *rs = &c->resp;
    rs->mode = MW__IMAP_RS_NONE;
    rs->reported = 0;
    rs->after_sp = 0;
    rs->lit_seg = (size_t)-1;
    rs->lit_end = 0;
    rs->count = 0;
    rs->es_state = 0;
    mw__imap_arena_reset(&c->arena);
}

void mw__imap_resp_reset(mw_imap_client *c)
{
    memset(&c->resp, 0, sizeof(c->resp));
    frame_done(c);
}

int mw__imap_resp_status(const mw_imap_client *c)
{
    return c->resp.cbstatus;
}

/* ---- SEARCH / SORT streaming ------------------------------------------
 * RFC 3501 §7.2.5 / RFC 9051 (IMAP4rev1 compatibility):
 *   mailbox-data =/ "SEARCH" *(SP nz-number)
 * RFC 5256 §5:   sort-data = "SORT" *(SP nz-number)
 * RFC 7162 §7:   ... [SP search-sort-mod-seq],
 *   search-sort-mod-seq = "(" "MODSEQ" SP mod-sequence-value ")"
 *
 * The numbers are delivered one by one. At FULL (final == 0) the text may
 * end inside a token: everything before the last token is delivered and
 * released; the framer keeps the rest and adds what follows. */

static int search_emit(mw__imap_rp *rp, int ev, uint64_t v)
{
    mw_imap_client *c = rp->c;
    mw_imap_search_ev e;
    if (ev == MW_IMAP_SEARCH_NUM)
        c->resp.count++;
    if (c->cb.search == NULL)
        return MW_OK;
    e.ev = ev;
    e.sort = c->resp.sort;
    e.lo = v;
    e.hi = v;
    return mw__imap_rp_cb(rp, c->cb.search(c, c->user, &e));
}

/* Parse numbers from L. *keep receives the position up to which the text
 * is consumed (at FULL: the start of an incomplete last token). Returns 1
 * when the response ended (final), 0 when more text is needed. */
static int search_numbers(mw__imap_rp *rp, int final, const char **keep)
{
    mw__imap_lex *L = &rp->L;
    mw__imap_rstate *rs = &rp->c->resp;
    const char *e = L->end;
    for (;;) {
        const char *tok = L->p, *q;
        uint64_t v = 0;
        if (L->p >= e) {
            /* Nothing after a SP: a trailing space, or at FULL simply the
             * end of the text so far. */
            if (!final) {
                *keep = L->p;
                return 0;
            }
            if (rs->after_sp && !(rp->c->quirks & MW_IMAP_QUIRK_TRAILING_SPACE)) {
                L->p--; /* point at the space for the offset */
                if (L->p < L->base)
                    L->p = L->base;
                mw__imap_lex_fail(L, MW_E_SYNTAX, "trailing space");
                return 1;
            }
            break;
        }
        if (*tok == '(') {
            /* search-sort-mod-seq: must be last. */
            if (!final) {
                *keep = tok;
                return 0;
            }
            L->p++;
            if (!mw__imap_lex_keyword(L, "MODSEQ")) {
                mw__imap_lex_fail(L, MW_E_SYNTAX, "MODSEQ expected");
                return 1;
            }
            mw__imap_rp_sp(L);
            mw__imap_lex_number64(L, &v);
            mw__imap_rp_expect(L, ')');
            if (L->status != MW_OK)
                return 1;
            if (rs->count == 0) {
                L->p = tok;
                mw__imap_lex_fail(L, MW_E_SYNTAX, "MODSEQ without numbers");
                return 1;
            }
            if (search_emit(rp, MW_IMAP_SEARCH_MODSEQ, v) != MW_OK)
                return 1;
            (void)mw__imap_lex_sp_opt(L);
            if (L->p != e) {
                mw__imap_lex_fail(L, MW_E_SYNTAX, "text after MODSEQ");
                return 1;
            }
            break;
        }
        /* nz-number: a run of digits, checked for overflow. */
        q = tok;
        while (q < e && (unsigned char)(*q - '0') <= 9u) {
            v = v * 10u + (uint64_t)(*q - '0');
            if (v > UINT32_MAX) {
                mw__imap_lex_fail(L, MW_E_OVERFLOW, "number too large");
                return 1;
            }
            q++;
        }
        if (q == e && !final) {
            *keep = tok; /* may go on in the next text */
            return 0;
        }
        if (q == tok) {
            mw__imap_lex_fail(L, MW_E_SYNTAX, "number expected");
            return 1;
        }
        if (*tok == '0') {
            mw__imap_lex_fail(L, MW_E_SYNTAX, "number must not be 0");
            return 1;
        }
        L->p = q;
        if (search_emit(rp, MW_IMAP_SEARCH_NUM, v) != MW_OK)
            return 1;
        if (q == e) {
            rs->after_sp = 0;
            break;
        }
        if (*q != ' ') {
            mw__imap_lex_fail(L, MW_E_SYNTAX, "SP expected");
            return 1;
        }
        L->p = q + 1;
        rs->after_sp = 1;
    }
    /* The response is complete. */
    (void)search_emit(rp, MW_IMAP_SEARCH_END, rs->count);
    return 1;
}

/* L right after "SEARCH" / "SORT". */
static int search_start(mw__imap_rp *rp, int sort, int final,
                        const char **keep)
{
    mw__imap_lex *L = &rp->L;
    mw__imap_rstate *rs = &rp->c->resp;
    rs->sort = (uint8_t)sort;
    rs->count = 0;
    rs->after_sp = 0;
    if (search_emit(rp, sort ? MW_IMAP_SORT_BEGIN : MW_IMAP_SEARCH_BEGIN, 0) !=
        MW_OK)
        return 1;
    if (L->p == L->end) {
        if (!final) {
            *keep = L->p;
            return 0;
        }
        (void)search_emit(rp, MW_IMAP_SEARCH_END, 0);
        return 1;
    }
    if (mw__imap_rp_sp(L) != MW_OK)
        return 1;
    rs->after_sp = 1;
    return search_numbers(rp, final, keep);
}

/* ---- ESEARCH with an ALL set beyond the frame limit ------------------
 * RFC 4731 §3.1 / RFC 9051 §7.3.4: "ALL" SP sequence-set. At FULL the
 * return data before ALL is kept in rstate (the tag copied), the set is
 * streamed range by range (MW_IMAP_SEARCH_RANGE) and released, and at the
 * end of the frame the return data after it completes the ESEARCH data
 * event (all_streamed set). */

static void es_save(mw__imap_rstate *rs, const mw_imap_esearch *es)
{
    rs->es_uid = es->uid;
    rs->es_has = es->has;
    rs->es_min = es->min;
    rs->es_max = es->max;
    rs->es_count = es->count;
    rs->es_modseq = es->modseq;
    if (es->tag.ptr == NULL) {
        rs->es_taglen = 255;
    } else {
        rs->es_taglen = (uint8_t)es->tag.len;
        memcpy(rs->es_tag, es->tag.ptr, es->tag.len);
    }
}

static void es_load(const mw__imap_rstate *rs, mw_imap_esearch *es)
{
    es->uid = rs->es_uid;
    es->has = rs->es_has;
    es->min = rs->es_min;
    es->max = rs->es_max;
    es->count = rs->es_count;
    es->modseq = rs->es_modseq;
    es->tag = rs->es_taglen == 255 ? mw__span(NULL, 0)
                                   : mw__span(rs->es_tag, rs->es_taglen);
}

/* seq-number of an ESEARCH result: nz-number ("*" never appears there).
 * Returns 1 with *v, 0 when the text ends inside it (more may come), -1
 * on an error (recorded). */
static int es_number(mw__imap_lex *L, int final, uint32_t *v)
{
    const char *q = L->p;
    uint64_t x = 0;
    while (q < L->end && (unsigned char)(*q - '0') <= 9u) {
        x = x * 10u + (uint64_t)(*q - '0');
        if (x > UINT32_MAX) {
            mw__imap_lex_fail(L, MW_E_OVERFLOW, "number too large");
            return -1;
        }
        q++;
    }
    if (q == L->end && !final)
        return 0;
    if (q == L->p || *L->p == '0') {
        mw__imap_lex_fail(L, MW_E_SYNTAX, q == L->p ? "number expected"
                                                    : "number must not be 0");
        return -1;
    }
    *v = (uint32_t)x;
    L->p = q;
    return 1;
}

/* Ranges of the ALL set from L. Returns 1 when the frame is done (final,
 * data delivered or an error), 0 when more text is needed (*keep). */
static int es_ranges(mw__imap_rp *rp, int final, const char **keep)
{
    mw__imap_lex *L = &rp->L;
    mw_imap_client *c = rp->c;
    mw__imap_rstate *rs = &c->resp;
    if (rs->es_state == 1) {
        for (;;) {
            const char *tok = L->p;
            uint32_t lo = 0, hi = 0;
            int k;
            if (L->p == L->end && !final) {
                *keep = tok;
                return 0;
            }
            k = es_number(L, final, &lo);
            if (k <= 0) {
                if (k == 0) {
                    *keep = tok;
                    return 0;
                }
                return 1;
            }
            hi = lo;
            if (L->p < L->end && *L->p == ':') {
                L->p++;
                k = es_number(L, final, &hi);
                if (k <= 0) {
                    if (k == 0) {
                        *keep = tok;
                        return 0;
                    }
                    return 1;
                }
            }
            if (c->cb.search != NULL) {
                mw_imap_search_ev e;
                e.ev = MW_IMAP_SEARCH_RANGE;
                e.sort = 0;
                e.lo = lo;
                e.hi = hi;
                if (mw__imap_rp_cb(rp, c->cb.search(c, c->user, &e)) != MW_OK)
                    return 1;
            }
            if (L->p < L->end && *L->p == ',') {
                L->p++;
                continue;
            }
            if (L->p == L->end && !final) {
                /* the set may go on with "," in the next text */
                *keep = L->p;
                return 0;
            }
            break;
        }
        rs->es_state = 2;
    }
    if (!final) {
        *keep = L->p;
        return 0;
    }
    {
        mw_imap_data d;
        memset(&d, 0, sizeof(d));
        d.kind = MW_IMAP_DATA_ESEARCH;
        d.offset = rs->frame_offset;
        d.name = mw__span("ESEARCH", 7);
        d.raw = mw__span(L->p, 0);
        es_load(rs, &d.u.esearch);
        d.u.esearch.all_streamed = 1;
        if (mw__imap_rp_esearch(rp, &d.u.esearch, 1, NULL) == MW_OK) {
            d.u.esearch.raw = mw__span(L->p, 0);
            (void)mw__imap_rp_deliver(rp, &d);
        }
    }
    return 1;
}

/* FULL on a fresh "* ESEARCH" frame: L after the name. */
static int es_start(mw__imap_rp *rp, const char **keep)
{
    mw_imap_esearch es;
    int at_all = 0;
    memset(&es, 0, sizeof(es));
    if (mw__imap_rp_esearch(rp, &es, 0, &at_all) != MW_OK && !at_all) {
        /* most likely the text just ends before ALL: the frame is too
         * long and dropped as such (the SKIPPED event reports it) */
        rp->L.status = MW_OK;
        *keep = rp->L.base;
        return 0;
    }
    if (rp->L.status != MW_OK)
        return 1;
    if (!at_all || (es.tag.ptr != NULL && es.tag.len >= MW_IMAP_TAG_MAX)) {
        *keep = rp->L.base; /* nothing to release: the frame is dropped */
        return 0;
    }
    es_save(&rp->c->resp, &es);
    rp->c->resp.es_state = 1;
    return es_ranges(rp, 0, keep);
}

/* ---- dispatch of a complete frame (or the first segment of one) ------- */

/* Untagged "* n NAME": EXISTS, RECENT, EXPUNGE, FETCH or other. */
static int untagged_number(mw__imap_rp *rp)
{
    mw__imap_lex *L = &rp->L;
    uint32_t n = 0;
    mw_span name;
    if (mw__imap_rp_number(L, &n) != MW_OK || mw__imap_rp_sp(L) != MW_OK ||
        mw__imap_lex_atom(L, &name) != MW_OK)
        return L->status;
    if (mw__imap_rp_kw(name.ptr, name.len, "FETCH", 5)) {
        if (n == 0) {
            L->p = L->base + 2; /* the number after "* " */
            return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                     "FETCH of message number 0");
        }
        return mw__imap_rp_fetch(rp, n);
    }
    return mw__imap_rp_data(rp, name, n, 1);
}

/* A whole frame whose kind is not known yet (mode NONE). */
static int parse_frame(mw__imap_rp *rp, int final, const char **keep)
{
    mw__imap_lex *L = &rp->L;
    mw_span tag, word;
    int c0 = mw__imap_lex_peek(L);
    if (c0 == '*') {
        L->p++;
        if (mw__imap_rp_sp(L) != MW_OK)
            return L->status;
        c0 = mw__imap_lex_peek(L);
        if (c0 >= '0' && c0 <= '9')
            return untagged_number(rp);
        if (mw__imap_lex_atom(L, &word) != MW_OK)
            return L->status;
        {
            int res = mw__imap_rp_cond(word);
            if (res >= 0)
                return mw__imap_rp_status(rp, mw__span(NULL, 0), res);
        }
        if (mw__imap_rp_kw(word.ptr, word.len, "SEARCH", 6)) {
            (void)search_start(rp, 0, final, keep);
            return L->status;
        }
        if (mw__imap_rp_kw(word.ptr, word.len, "SORT", 4)) {
            (void)search_start(rp, 1, final, keep);
            return L->status;
        }
        return mw__imap_rp_data(rp, word, 0, 0);
    }
    if (c0 == '+') {
        L->p++;
        return mw__imap_rp_continue(rp);
    }
    if (c0 < 0)
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "empty response");
    if (mw__imap_lex_tag(L, &tag) != MW_OK)
        return L->status;
    if (mw__imap_rp_sp(L) != MW_OK || mw__imap_lex_atom(L, &word) != MW_OK)
        return L->status;
    {
        int res = mw__imap_rp_cond(word);
        /* RFC 9051 §7.1: a tagged response is OK, NO or BAD. */
        if (res < 0 || res == MW_IMAP_PREAUTH || res == MW_IMAP_BYE) {
            L->p = word.ptr;
            return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                     "tagged response must be OK, NO or BAD");
        }
        return mw__imap_rp_status(rp, tag, res);
    }
}

/* ---- entry points ------------------------------------------------------ */

int mw__imap_resp_line(mw_imap_client *c, const char *p, size_t n,
                       size_t offset, int final)
{
    mw__imap_rp rp;
    mw__imap_rstate *rs = &c->resp;
    const char *keep = NULL;
    int r;
    (void)final;
    rp_init(&rp, c, p, n, offset);
    switch (rs->mode) {
    case MW__IMAP_RS_NONE:
        rs->frame_offset = offset;
        (void)parse_frame(&rp, 1, &keep);
        break;
    case MW__IMAP_RS_FETCH:
        rp.start = rs->frame_offset;
        (void)mw__imap_rp_fetch_cont(&rp);
        break;
    case MW__IMAP_RS_SEARCH:
        rp.start = rs->frame_offset;
        (void)search_numbers(&rp, 1, &keep);
        break;
    case MW__IMAP_RS_ESEARCH:
        rp.start = rs->frame_offset;
        (void)es_ranges(&rp, 1, &keep);
        break;
    case MW__IMAP_RS_SKIP:
        break;
    default:
        mw__imap_lex_fail(&rp.L, MW_E_INTERNAL, "line while streaming");
        break;
    }
    r = rp_finish(&rp);
    frame_done(c);
    return r;
}

/* Position of the literal announcement "{n}" / "{n+}" / "~{n}" at the end
 * of p[0..n): the index of "{" (or "~"). */
static size_t announce_pos(const char *p, size_t n)
{
    size_t i = n;
    if (i == 0 || p[i - 1] != '}')
        return n;
    i--;
    while (i > 0 && p[i - 1] != '{')
        i--;
    if (i == 0)
        return n;
    i--;
    if (i > 0 && p[i - 1] == '~')
        i--;
    return i;
}

int mw__imap_resp_literal(mw_imap_client *c, const char *p, size_t n,
                          size_t offset, uint64_t size, unsigned lit_flags)
{
    mw__imap_rp rp;
    mw__imap_rstate *rs = &c->resp;
    size_t pos = announce_pos(p, n);
    int take = MW__IMAP_TAKE_INLINE;
    rp_init(&rp, c, p, n, offset);
    rs->cbstatus = MW_OK;
    rs->take_status = MW_E_TOO_LONG;
    rs->take_reason = MW__TEXT("literal does not fit the response limit");
    if (rs->mode == MW__IMAP_RS_NONE)
        rs->frame_offset = offset;
    rp.start = rs->frame_offset;
    switch (rs->mode) {
    case MW__IMAP_RS_SKIP:
        rs->take_status = MW_E_SYNTAX;
        rs->take_reason = MW__TEXT("response skipped");
        return MW__IMAP_TAKE_DISCARD;
    case MW__IMAP_RS_SEARCH:
    case MW__IMAP_RS_ESEARCH:
    case MW__IMAP_RS_BODY:
        rp.L.p = p + pos;
        mw__imap_lex_fail(&rp.L, MW_E_SYNTAX, "literal in a SEARCH response");
        take = MW__IMAP_TAKE_DISCARD;
        break;
    case MW__IMAP_RS_FETCH:
        take = mw__imap_rp_fetch_literal(&rp, 0, pos, size, lit_flags);
        break;
    default: {
        /* "* n FETCH (" starts the frame: body sections may stream. */
        const char *q = p, *e = p + n;
        int fetch = 0;
        if (e - q > 2 && q[0] == '*' && q[1] == ' ') {
            q += 2;
            while (q < e && (unsigned char)(*q - '0') <= 9u)
                q++;
            if (q > p + 2 && e - q > 7 && q[0] == ' ' &&
                mw__imap_rp_kw(q + 1, 5, "FETCH", 5) && q[6] == ' ')
                fetch = 1;
        }
        if (fetch)
            take = mw__imap_rp_fetch_literal(&rp, 1, pos, size, lit_flags);
        break;
    }
    }
    if (take < 0)
        return take; /* abort */
    if (take == MW__IMAP_TAKE_INLINE) {
        /* RFC 9051 §4.3: any string may be a literal; it joins the frame
         * text when it fits the frame limit. */
        size_t room = c->framer.max_text > n ? c->framer.max_text - n : 0;
        if (size > (uint64_t)room || room - (size_t)size < 2u) {
            take = MW__IMAP_TAKE_DISCARD;
        } else {
            if (rs->lit_seg != offset)
                rs->lit_seg = offset;
            rs->lit_end = n + 2u + (size_t)size;
        }
    }
    if (take == MW__IMAP_TAKE_DISCARD) {
        if (rp.L.status != MW_OK) {
            /* We refuse the frame for a reason of our own: say it now;
             * the framer's SKIPPED at its end stays quiet. */
            (void)rp_finish(&rp);
            rs->take_status = rp.L.status;
            rs->take_reason = rp.L.reason;
        } else {
            rs->reported = 0;
        }
        rs->mode = MW__IMAP_RS_SKIP;
    }
    if (rp.abort != 0) {
        rs->cbstatus = rp.abort;
        return rp.abort;
    }
    rs->cbstatus = rp.pause ? MW_PAUSED : MW_OK;
    return take;
}

int mw__imap_resp_data(mw_imap_client *c, const char *p, size_t n)
{
    mw__imap_rstate *rs = &c->resp;
    int r;
    if (rs->mode != MW__IMAP_RS_BODY || n == 0)
        return MW_OK;
    rs->body_left -= n <= rs->body_left ? (uint64_t)n : rs->body_left;
    if (c->cb.body_data == NULL)
        return MW_OK;
    r = c->cb.body_data(c, c->user, p, n);
    if (r < 0)
        return MW_E_CALLBACK;
    return r == MW_PAUSED ? MW_PAUSED : MW_OK;
}

int mw__imap_resp_literal_end(mw_imap_client *c)
{
    mw__imap_rstate *rs = &c->resp;
    int r = MW_OK;
    if (rs->mode != MW__IMAP_RS_BODY)
        return MW_OK;
    rs->mode = MW__IMAP_RS_FETCH;
    /* The next segment begins right after the literal. */
    rs->lit_seg = (size_t)-1;
    rs->lit_end = 0;
    if (c->cb.body_end != NULL) {
        r = c->cb.body_end(c, c->user);
        if (r < 0)
            return MW_E_CALLBACK;
    }
    return r == MW_PAUSED ? MW_PAUSED : MW_OK;
}

size_t mw__imap_resp_full(mw_imap_client *c, const char *p, size_t n,
                          size_t offset)
{
    mw__imap_rp rp;
    mw__imap_rstate *rs = &c->resp;
    const char *keep = NULL;
    size_t released = 0;
    int done = 1;
    rp_init(&rp, c, p, n, offset);
    rs->cbstatus = MW_OK;
    switch (rs->mode) {
    case MW__IMAP_RS_NONE: {
        mw_span word;
        mw__imap_lex *L = &rp.L;
        rs->frame_offset = offset;
        rp.start = offset;
        /* Only "* SEARCH" and "* SORT" are released piecewise. */
        if (mw__imap_lex_accept(L, '*') && mw__imap_lex_accept(L, ' ') &&
            mw__imap_lex_atom(L, &word) == MW_OK) {
            if (mw__imap_rp_kw(word.ptr, word.len, "SEARCH", 6))
                done = search_start(&rp, 0, 0, &keep);
            else if (mw__imap_rp_kw(word.ptr, word.len, "SORT", 4))
                done = search_start(&rp, 1, 0, &keep);
            else if (mw__imap_rp_kw(word.ptr, word.len, "ESEARCH", 7)) {
                done = es_start(&rp, &keep);
                if (!done && rp.L.status == MW_OK && rp.abort == 0 &&
                    keep == p)
                    return 0; /* no ALL set to stream: dropped */
            } else
                return 0;
        } else {
            return 0;
        }
        break;
    }
    case MW__IMAP_RS_SEARCH:
        rp.start = rs->frame_offset;
        done = search_numbers(&rp, 0, &keep);
        break;
    case MW__IMAP_RS_ESEARCH:
        rp.start = rs->frame_offset;
        done = es_ranges(&rp, 0, &keep);
        break;
    default:
        return 0; /* the framer drops the frame: SKIPPED reports it */
    }
    if (rp.L.status != MW_OK || rp.abort != 0 || done) {
        /* A syntax error (or an END, impossible without the line end):
         * report now, drop the rest quietly. */
        if (rp.L.status == MW_OK && rp.abort == 0)
            mw__imap_lex_fail(&rp.L, MW_E_SYNTAX, "response ended early");
        (void)rp_finish(&rp);
        rs->mode = MW__IMAP_RS_SKIP;
        rs->cbstatus = rp.abort != 0 ? rp.abort : (rp.pause ? MW_PAUSED : 0);
        return 0;
    }
    if (rs->mode == MW__IMAP_RS_NONE)
        rs->mode = rs->es_state != 0 ? MW__IMAP_RS_ESEARCH
                                     : MW__IMAP_RS_SEARCH;
    released = (size_t)(keep - p);
    rs->cbstatus = rp.pause ? MW_PAUSED : MW_OK;
    return released;
}

int mw__imap_resp_skipped_(mw_imap_client *c, int status, size_t offset,
                           const char *reason)
{
    mw__imap_rp rp;
    mw__imap_rstate *rs = &c->resp;
    int r = MW_OK;
    rp_init(&rp, c, "", 0, offset);
    if (!(rs->mode == MW__IMAP_RS_SKIP && rs->reported)) {
        (void)mw__imap_rp_error(&rp, status, offset,
                                reason != NULL ? reason : "response skipped");
        r = rp_finish(&rp);
    }
    frame_done(c);
    return r;
}
