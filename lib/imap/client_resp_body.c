/* SPDX-License-Identifier: MIT */
/*
 * The IMAP client's response parser, part 5: ENVELOPE and BODY /
 * BODYSTRUCTURE (RFC 9051 §7.5.2 and §9, RFC 3501 §7.4.2), built in the
 * caller's arena.
 *
 * Layout in the arena: every node, envelope and list array comes from the
 * front; the items of one flat list (the addresses of an address list,
 * the parameters of a body-fld-param, the languages of a body-fld-lang)
 * are allocated one after the other with nothing in between, so they are
 * contiguous arrays; string bytes that must be unescaped come from the
 * back (grammar.h). When the arena is full the frame fails with
 * MW_E_NOSPACE and is skipped whole.
 *
 * BODYSTRUCTURE nests (multipart parts, message/rfc822 bodies) as deep as
 * the server likes: it is walked with an explicit stack of open
 * containers kept in the arena, bounded by the configured depth
 * (MW_E_DEPTH), never by recursion (field-notes §4.6).
 */
#include <string.h>

#include "imap/client_resp.h"

#define ARENA_FULL(L, what) \
    mw__imap_lex_fail((L), MW_E_NOSPACE, "arena full (" what ")")

/* ---- ENVELOPE ---------------------------------------------------------- */

#if MW_ENABLE_FAST_PATHS
/* One nstring of the common shape: a quoted string without escapes or
 * bytes outside printable ASCII, or NIL in upper case. Returns the byte
 * after it, or NULL (leave it to the lexer). */
static inline const unsigned char *fast_nstring(const unsigned char *q,
                                         const unsigned char *e, mw_span *out)
{
    if (q < e && *q == '"') {
        const unsigned char *s = q + 1;
        q = mw__imap_rp_plain_end(s, e);
        if (q >= e || *q != '"')
            return NULL;
        out->ptr = (const char *)s;
        out->len = (size_t)(q - s);
        return q + 1;
    }
    if (e - q >= 3 && q[0] == 'N' && q[1] == 'I' && q[2] == 'L') {
        out->ptr = NULL;
        out->len = 0;
        return q + 3;
    }
    return NULL;
}

/* An address in the common shape, decided without the lexer's per-token
 * checks: "(" 4 fast nstrings separated by SP ")". Returns 0 (nothing
 * consumed) when the lexer must look at it. */
static int fast_address(mw__imap_lex *L, mw_imap_address *a)
{
    const unsigned char *q = (const unsigned char *)L->p;
    const unsigned char *e = (const unsigned char *)L->end;
    if (q >= e || *q != '(')
        return 0;
    if ((q = fast_nstring(q + 1, e, &a->name)) == NULL || q >= e || *q != ' ' ||
        (q = fast_nstring(q + 1, e, &a->adl)) == NULL || q >= e || *q != ' ' ||
        (q = fast_nstring(q + 1, e, &a->mailbox)) == NULL || q >= e ||
        *q != ' ' || (q = fast_nstring(q + 1, e, &a->host)) == NULL ||
        q >= e || *q != ')')
        return 0;
    L->p = (const char *)q + 1;
    return 1;
}
#endif

/* address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
 * env-* = "(" 1*address ")" / nil. */
static int address_list(mw__imap_lex *L, mw_imap_address_list *out)
{
    const unsigned char *q = (const unsigned char *)L->p;
    if (L->status != MW_OK)
        return L->status;
    if (q < (const unsigned char *)L->end && *q != '(') {
        mw_span nil = {NULL, 0}; /* a failed nstring need not write it */
        if (mw__imap_rp_nstring(L, &nil) != MW_OK)
            return L->status;
        if (nil.ptr != NULL) {
            L->p = (const char *)q;
            return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                     "address list or NIL expected");
        }
        out->items = NULL;
        out->count = 0;
        return MW_OK;
    }
    L->p++;
    out->items = NULL;
    out->count = 0;
    do {
        mw_imap_address *a;
        a = (mw_imap_address *)mw__imap_rp_alloc(L->arena, sizeof(*a));
        if (a == NULL)
            return ARENA_FULL(L, "ENVELOPE");
        if (out->items == NULL)
            out->items = a;
        out->count++;
#if MW_ENABLE_FAST_PATHS
        if (fast_address(L, a))
            continue;
#endif
        if (mw__imap_rp_expect(L, '(') != MW_OK)
            return L->status;
        mw__imap_rp_nstring(L, &a->name);
        mw__imap_rp_sp(L);
        mw__imap_rp_nstring(L, &a->adl);
        mw__imap_rp_sp(L);
        mw__imap_rp_nstring(L, &a->mailbox);
        mw__imap_rp_sp(L);
        mw__imap_rp_nstring(L, &a->host);
        if (mw__imap_rp_expect(L, ')') != MW_OK)
            return L->status;
    } while (L->p < L->end && *L->p == '(');
    return mw__imap_rp_expect(L, ')');
}

/* envelope = "(" env-date SP env-subject SP env-from SP env-sender SP
 *            env-reply-to SP env-to SP env-cc SP env-bcc SP
 *            env-in-reply-to SP env-message-id ")" */
static int envelope_in(mw__imap_lex *L, mw_imap_envelope *e)
{
    mw__imap_rp_expect(L, '(');
    mw__imap_rp_nstring(L, &e->date);
    mw__imap_rp_sp(L);
    mw__imap_rp_nstring(L, &e->subject);
    mw__imap_rp_sp(L);
    address_list(L, &e->from);
    mw__imap_rp_sp(L);
    address_list(L, &e->sender);
    mw__imap_rp_sp(L);
    address_list(L, &e->reply_to);
    mw__imap_rp_sp(L);
    address_list(L, &e->to);
    mw__imap_rp_sp(L);
    address_list(L, &e->cc);
    mw__imap_rp_sp(L);
    address_list(L, &e->bcc);
    mw__imap_rp_sp(L);
    mw__imap_rp_nstring(L, &e->in_reply_to);
    mw__imap_rp_sp(L);
    mw__imap_rp_nstring(L, &e->message_id);
    return mw__imap_rp_expect(L, ')');
}

int mw__imap_rp_envelope(mw__imap_rp *rp, mw_imap_envelope **out)
{
    mw__imap_lex *L = &rp->L;
    mw_imap_envelope *e;
    if (L->status != MW_OK)
        return L->status;
    e = (mw_imap_envelope *)mw__imap_rp_alloc(L->arena, sizeof(*e));
    if (e == NULL)
        return ARENA_FULL(L, "ENVELOPE");
    *out = e;
    return envelope_in(L, e);
}

/* ---- BODYSTRUCTURE ----------------------------------------------------- */

/* An open container: a multipart collecting its parts, or a message/rfc822
 * part waiting for its encapsulated body. */
typedef struct bframe {
    mw_imap_body *node;
    mw_imap_body *last;   /* multipart: the last part linked so far */
    struct bframe *up;
} bframe;

/* SP unless the next bytes close the list (under the trailing-space quirk,
 * extra SP before ")" are skipped): 1 when a SP separated another item. */
static int more(mw__imap_lex *L)
{
    if (L->status != MW_OK || L->p >= L->end || *L->p != ' ')
        return 0;
    if ((L->flags & MW__IMAP_LEX_TRAILING_SP) && mw__imap_lex_sp_opt(L) > 0)
        return 0;
    L->p++;
    return 1;
}

/* body-fld-param = "(" string SP string *(SP string SP string) ")" / nil;
 * a NIL value only under MW_IMAP_QUIRK_NIL_PARAM (mail.ru). */
static int params(mw__imap_rp *rp, const mw_imap_param **out, uint32_t *n)
{
    mw__imap_lex *L = &rp->L;
    mw_imap_param *first = NULL;
    uint32_t count = 0;
    if (L->status != MW_OK)
        return L->status;
    if (L->p < L->end && *L->p != '(') {
        /* initialised: a failed nstring need not write it */
        mw_span nil = {NULL, 0};
        const char *s = L->p;
        if (mw__imap_rp_nstring(L, &nil) == MW_OK && nil.ptr != NULL) {
            L->p = s;
            return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                     "parameter list or NIL expected");
        }
        *out = NULL;
        *n = 0;
        return L->status;
    }
    L->p++;
    do {
        mw_imap_param *pa =
            (mw_imap_param *)mw__imap_rp_alloc(L->arena, sizeof(*pa));
        if (pa == NULL)
            return ARENA_FULL(L, "BODYSTRUCTURE");
        if (first == NULL)
            first = pa;
        count++;
#if MW_ENABLE_FAST_PATHS
        {
            /* the common shape: "attr" SP "value" */
            const unsigned char *q = (const unsigned char *)L->p;
            const unsigned char *e = (const unsigned char *)L->end;
            if (q < e && *q == '"' &&
                (q = fast_nstring(q, e, &pa->name)) != NULL && q < e &&
                *q == ' ' && q + 1 < e && q[1] == '"' &&
                (q = fast_nstring(q + 1, e, &pa->value)) != NULL) {
                L->p = (const char *)q;
                continue;
            }
        }
#endif
        if (mw__imap_rp_string(L, &pa->name) != MW_OK ||
            mw__imap_rp_sp(L) != MW_OK)
            return L->status;
        if (rp->c->quirks & MW_IMAP_QUIRK_NIL_PARAM)
            mw__imap_rp_nstring(L, &pa->value);
        else
            mw__imap_rp_string(L, &pa->value);
    } while (more(L));
    *out = first;
    *n = count;
    return mw__imap_rp_expect(L, ')');
}

/* body-fld-dsp = "(" string SP body-fld-param ")" / nil */
static int disposition(mw__imap_rp *rp, mw_imap_body *b)
{
    mw__imap_lex *L = &rp->L;
    b->has |= MW_IMAP_BODY_HAS_DSP;
    if (L->p < L->end && *L->p == '(') {
        L->p++;
        mw__imap_rp_string(L, &b->disposition);
        mw__imap_rp_sp(L);
        params(rp, &b->disp_params, &b->ndisp_params);
        return mw__imap_rp_expect(L, ')');
    }
    {
        /* initialised: a failed nstring need not write it */
        mw_span nil = {NULL, 0};
        const char *s = L->p;
        if (mw__imap_rp_nstring(L, &nil) == MW_OK && nil.ptr != NULL) {
            L->p = s;
            return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                     "disposition list or NIL expected");
        }
    }
    return L->status;
}

/* body-fld-lang = nstring / "(" string *(SP string) ")" */
static int languages(mw__imap_lex *L, mw_imap_body *b)
{
    b->has |= MW_IMAP_BODY_HAS_LANG;
    if (L->p < L->end && *L->p == '(') {
        mw_span *first = NULL;
        uint32_t count = 0;
        L->p++;
        do {
            mw_span *s = (mw_span *)mw__imap_rp_alloc(L->arena, sizeof(*s));
            if (s == NULL)
                return ARENA_FULL(L, "BODYSTRUCTURE");
            if (first == NULL)
                first = s;
            count++;
            if (mw__imap_rp_string(L, s) != MW_OK)
                return L->status;
        } while (more(L));
        b->languages = first;
        b->nlanguages = count;
        return mw__imap_rp_expect(L, ')');
    } else {
        mw_span *s;
        mw_span v;
        if (mw__imap_rp_nstring(L, &v) != MW_OK || v.ptr == NULL)
            return L->status;
        s = (mw_span *)mw__imap_rp_alloc(L->arena, sizeof(*s));
        if (s == NULL)
            return ARENA_FULL(L, "BODYSTRUCTURE");
        *s = v;
        b->languages = s;
        b->nlanguages = 1;
        return MW_OK;
    }
}

/* The optional tail shared by body-ext-1part and body-ext-mpart after its
 * first field: [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc
 * *(SP body-extension)]]]. L after the first field. */
static int ext_tail(mw__imap_rp *rp, mw_imap_body *b, unsigned depth)
{
    mw__imap_lex *L = &rp->L;
    unsigned maxd = rp->c->max_depth;
    const char *xs = NULL;
    if (!more(L))
        return L->status;
    if (disposition(rp, b) != MW_OK || !more(L))
        return L->status;
    if (languages(L, b) != MW_OK || !more(L))
        return L->status;
    b->has |= MW_IMAP_BODY_HAS_LOC;
    if (mw__imap_rp_nstring(L, &b->location) != MW_OK)
        return L->status;
    /* body-extension = nstring / number / number64 / "(" body-extension
     * *(SP body-extension) ")": kept raw, nesting bounded by what is left
     * of the depth limit. */
    while (more(L)) {
        mw_span v;
        if (xs == NULL)
            xs = L->p;
        if (depth >= maxd)
            return mw__imap_lex_fail(L, MW_E_DEPTH,
                                     "BODYSTRUCTURE nested too deeply");
        if (mw__imap_lex_skip_value(L, maxd - depth, &v) != MW_OK)
            return L->status;
        b->has |= MW_IMAP_BODY_HAS_EXTENSION;
        b->extension = mw__span(xs, (size_t)(L->p - xs));
    }
    return L->status;
}

/* body-ext-1part = body-fld-md5 [SP body-fld-dsp ...] after a SP. */
static int ext_1part(mw__imap_rp *rp, mw_imap_body *b, unsigned depth)
{
    mw__imap_lex *L = &rp->L;
    if (!more(L))
        return L->status;
    b->has |= MW_IMAP_BODY_HAS_MD5;
    if (mw__imap_rp_nstring(L, &b->md5) != MW_OK)
        return L->status;
    return ext_tail(rp, b, depth);
}

/* body-fld-lines = number; "-1" under MW_IMAP_QUIRK_NEGATIVE_LINES
 * (Dovecot, Exchange; go-imap#534). */
static int lines(mw__imap_rp *rp, mw_imap_body *b)
{
    mw__imap_lex *L = &rp->L;
    uint32_t v = 0;
    if (L->status == MW_OK && L->p < L->end && *L->p == '-' &&
        (rp->c->quirks & MW_IMAP_QUIRK_NEGATIVE_LINES)) {
        L->p++;
        if (mw__imap_rp_number(L, &v) != MW_OK)
            return L->status;
        b->lines = -(int64_t)v;
        return MW_OK;
    }
    if (mw__imap_rp_number(L, &v) != MW_OK)
        return L->status;
    b->lines = (int64_t)v;
    return MW_OK;
}

static int ieq(mw_span s, const char *kw, size_t n)
{
    return s.ptr != NULL && mw__imap_rp_kw(s.ptr, s.len, kw, n);
}

/* A single part after its "(": media type and subtype, body-fields.
 * Sets the kind; for message/rfc822 also parses the envelope and leaves L
 * before the encapsulated body's "(". */
static int part_head(mw__imap_rp *rp, mw_imap_body *b)
{
    mw__imap_lex *L = &rp->L;
    uint32_t octets = 0;
    /* media-basic / media-message / media-text: string SP string */
    mw__imap_rp_string(L, &b->type);
    mw__imap_rp_sp(L);
    mw__imap_rp_string(L, &b->subtype);
    /* body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP
     *               body-fld-enc SP body-fld-octets */
    mw__imap_rp_sp(L);
    params(rp, &b->params, &b->nparams);
    mw__imap_rp_sp(L);
    mw__imap_rp_nstring(L, &b->id);
    mw__imap_rp_sp(L);
    mw__imap_rp_nstring(L, &b->description);
    mw__imap_rp_sp(L);
    if (rp->c->quirks & MW_IMAP_QUIRK_NIL_ENCODING)
        mw__imap_rp_nstring(L, &b->encoding);
    else
        mw__imap_rp_string(L, &b->encoding);
    mw__imap_rp_sp(L);
    if (mw__imap_rp_number(L, &octets) != MW_OK)
        return L->status;
    b->size = octets;
    if (ieq(b->type, "TEXT", 4)) {
        b->kind = MW_IMAP_BODY_TEXT;
        /* body-type-text = media-text SP body-fields SP body-fld-lines */
        mw__imap_rp_sp(L);
        return lines(rp, b);
    }
    if (ieq(b->type, "MESSAGE", 7) &&
        (ieq(b->subtype, "RFC822", 6) || ieq(b->subtype, "GLOBAL", 6))) {
        /* body-type-msg = media-message SP body-fields SP envelope SP body
         * SP body-fld-lines. RFC 3501 knew only message/rfc822 in this
         * form, so a message/global part may also come as basic (no
         * "(" after the fields: an md5 nstring never starts with one). */
        if (L->p + 1 < L->end && L->p[0] == ' ' && L->p[1] == '(') {
            mw_imap_envelope *e = NULL; /* not written on failure */
            L->p++;
            if (mw__imap_rp_envelope(rp, &e) != MW_OK)
                return L->status;
            b->envelope = e;
            b->kind = MW_IMAP_BODY_MESSAGE;
            return mw__imap_rp_sp(L);
        }
        if (ieq(b->subtype, "RFC822", 6))
            return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                     "envelope expected in message/rfc822");
    }
    b->kind = MW_IMAP_BODY_BASIC;
    return L->status;
}

int mw__imap_rp_body(mw__imap_rp *rp, int extensible, mw_imap_body **out)
{
    mw__imap_lex *L = &rp->L;
    /* ::mw_imap_body::depth is 16 bits wide */
    const unsigned maxd = rp->c->max_depth < 65535u ? rp->c->max_depth : 65535u;
    const int spaced = (rp->c->quirks & MW_IMAP_QUIRK_SPACE_BETWEEN_PARTS) != 0;
    mw_imap_body *root = NULL, *b;
    bframe *top = NULL;
    unsigned depth = 0; /* open body parentheses */
    (void)extensible; /* RFC 9051 §9: BODY and BODYSTRUCTURE share `body` */
    *out = NULL;
    for (;;) {
        /* ---- a body starts: L at "(" ---- */
        if (mw__imap_rp_expect(L, '(') != MW_OK)
            return L->status;
        if (depth >= maxd) {
            L->p--;
            return mw__imap_lex_fail(L, MW_E_DEPTH,
                                     "BODYSTRUCTURE nested too deeply");
        }
        depth++;
        b = (mw_imap_body *)mw__imap_rp_alloc(L->arena, sizeof(*b));
        if (b == NULL)
            return ARENA_FULL(L, "BODYSTRUCTURE");
        b->depth = (uint16_t)(depth - 1u);
        if (top == NULL) {
            root = b;
        } else if (top->node->kind == MW_IMAP_BODY_MULTIPART) {
            if (top->last == NULL)
                top->node->first = b;
            else
                top->last->next = b;
            top->last = b;
            top->node->nparts++;
        } else {
            top->node->body = b;
        }
        if (L->p < L->end && *L->p == '(') {
            /* body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart] */
            bframe *f = (bframe *)mw__imap_rp_alloc(L->arena, sizeof(*f));
            if (f == NULL)
                return ARENA_FULL(L, "BODYSTRUCTURE");
            b->kind = MW_IMAP_BODY_MULTIPART;
            b->type = mw__span("MULTIPART", 9);
            f->node = b;
            f->up = top;
            top = f;
            continue;
        }
        if (part_head(rp, b) != MW_OK)
            return L->status;
        if (b->kind == MW_IMAP_BODY_MESSAGE) {
            bframe *f = (bframe *)mw__imap_rp_alloc(L->arena, sizeof(*f));
            if (f == NULL)
                return ARENA_FULL(L, "BODYSTRUCTURE");
            f->node = b;
            f->up = top;
            top = f;
            continue; /* the encapsulated body */
        }
        /* basic or text: [SP body-ext-1part] ")" */
        if (ext_1part(rp, b, depth) != MW_OK ||
            mw__imap_rp_expect(L, ')') != MW_OK)
            return L->status;
        depth--;
        /* ---- a body ended: close the containers it completes ---- */
        for (;;) {
            mw_imap_body *n;
            if (top == NULL) {
                *out = root;
                return MW_OK;
            }
            n = top->node;
            if (n->kind == MW_IMAP_BODY_MULTIPART) {
                if (L->p < L->end && *L->p == '(')
                    break; /* the next part */
                if (spaced && L->p + 1 < L->end && L->p[0] == ' ' &&
                    L->p[1] == '(') {
                    L->p++; /* imap-codec#697 */
                    break;
                }
                mw__imap_rp_sp(L);
                mw__imap_rp_string(L, &n->subtype);
                /* body-ext-mpart = body-fld-param [SP body-fld-dsp ...] */
                if (more(L)) {
                    n->has |= MW_IMAP_BODY_HAS_PARAMS;
                    if (params(rp, &n->params, &n->nparams) != MW_OK ||
                        ext_tail(rp, n, depth) != MW_OK)
                        return L->status;
                }
            } else {
                /* message: ... SP body SP body-fld-lines [SP body-ext-1part] */
                mw__imap_rp_sp(L);
                if (lines(rp, n) != MW_OK || ext_1part(rp, n, depth) != MW_OK)
                    return L->status;
            }
            if (mw__imap_rp_expect(L, ')') != MW_OK)
                return L->status;
            depth--;
            top = top->up;
        }
    }
}
