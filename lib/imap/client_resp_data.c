/* SPDX-License-Identifier: MIT */
/*
 * The IMAP client's response parser, part 3: untagged data responses other
 * than status responses, SEARCH/SORT and FETCH (RFC 9051 §7.2-7.4 and the
 * extensions): CAPABILITY, ENABLED, LIST/LSUB/XLIST (RFC 5258 LIST-EXTENDED,
 * RFC 6154 SPECIAL-USE), STATUS, ESEARCH (RFC 4731), FLAGS, EXISTS, RECENT,
 * EXPUNGE, VANISHED (RFC 7162), NAMESPACE (RFC 2342), ID (RFC 2971), QUOTA
 * and QUOTAROOT (RFC 9208), METADATA (RFC 5464), THREAD (RFC 5256), and any
 * other response as MW_IMAP_DATA_OTHER with its raw text (RFC 4466 §2.1:
 * a client must not fail on a response it does not know).
 *
 * Lists whose length the server chooses (ID pairs, NAMESPACE descriptors,
 * QUOTA resources, METADATA entries, THREAD nodes) are built in the
 * caller's arena as contiguous arrays; nesting (THREAD) uses an explicit
 * stack in the arena bounded by the configured depth.
 */
#include <string.h>

#include "imap/client_resp.h"
#include "imap/client_int.h"

#define ARENA_FULL(L, what) mw__imap_lex_fail((L), MW_E_NOSPACE, "arena full (" what ")")

/* Before ")" or the end: under the trailing-space quirk extra SP is
 * skipped there. */
#define SP_OPT(L) ((void)mw__imap_lex_sp_opt(L))

/* Case-insensitive name test. */
static int is(mw_span w, const char *kw)
{
    size_t n = strlen(kw);
    return w.len == n && mw__imap_rp_kw(w.ptr, w.len, kw, n);
}

/* Deliver d (arena arrays stay valid during the callback). */
int mw__imap_rp_deliver(mw__imap_rp *rp, mw_imap_data *d)
{
    mw_imap_client *c = rp->c;
    if (rp->L.status != MW_OK)
        return rp->L.status;
    if (mw__imap_lex_end(&rp->L) != MW_OK)
        return rp->L.status;
    if (c->cb.data == NULL)
        return MW_OK;
    return mw__imap_rp_cb(rp, c->cb.data(c, c->user, d));
}

/* A mailbox name and whether it is modified UTF-7 (RFC 3501 §5.1.3): only
 * without UTF8=ACCEPT (RFC 6855 §3), and only when it holds "&". */
static int mailbox(mw__imap_lex *L, mw_span *out, uint8_t *mutf7)
{
    if (mw__imap_lex_mailbox(L, out) != MW_OK)
        return L->status;
    *mutf7 = (uint8_t)(!(L->flags & MW__IMAP_LEX_UTF8) && out->len > 0 &&
                       memchr(out->ptr, '&', out->len) != NULL);
    return MW_OK;
}

/* ---- CAPABILITY, ENABLED ---------------------------------------------- */

/* *(SP capability) as raw text; the tokens are atoms. L after the name. */
static int cap_tokens(mw__imap_rp *rp, mw_span *raw)
{
    mw__imap_lex *L = &rp->L;
    const char *s;
    mw_span a;
    *raw = mw__span(L->p, 0);
    if (L->p == L->end)
        return MW_OK;
    if (mw__imap_lex_sp(L) != MW_OK)
        return L->status;
    s = L->p;
    while (L->p < L->end) {
        if (mw__imap_lex_atom(L, &a) != MW_OK)
            return L->status;
        if (L->p == L->end)
            break;
        if (mw__imap_lex_sp_opt(L) > 0)
            break;
        if (mw__imap_lex_sp(L) != MW_OK)
            return L->status;
        if (L->p == L->end) {
            L->p--;
            return mw__imap_lex_fail(L, MW_E_SYNTAX, "trailing space");
        }
    }
    *raw = mw__span(s, (size_t)(L->p - s));
    while (raw->len > 0 && raw->ptr[raw->len - 1] == ' ')
        raw->len--;
    return MW_OK;
}

static int capability(mw__imap_rp *rp, mw_imap_data *d, int enabled)
{
    if (cap_tokens(rp, &d->raw) != MW_OK || mw__imap_lex_end(&rp->L) != MW_OK)
        return rp->L.status;
    (void)mw_imap_caps_parse(d->raw.ptr != NULL ? d->raw.ptr : "",
                             d->raw.len, &d->u.caps);
    if (enabled)
        mw__imap_client_enabled(rp->c, d->raw);
    else
        mw__imap_client_caps(rp->c, d->raw);
    return mw__imap_rp_deliver(rp, d);
}

/* ---- LIST / LSUB ------------------------------------------------------- */

static unsigned list_attr_bit(mw_span a)
{
    /* a without the backslash */
    static const struct {
        const char *name;
        unsigned bits;
    } t[] = {
        {"Noinferiors", MW_IMAP_LIST_NOINFERIORS},
        {"Noselect", MW_IMAP_LIST_NOSELECT},
        {"Marked", MW_IMAP_LIST_MARKED},
        {"Unmarked", MW_IMAP_LIST_UNMARKED},
        {"NonExistent", MW_IMAP_LIST_NONEXISTENT | MW_IMAP_LIST_NOSELECT},
        {"Subscribed", MW_IMAP_LIST_SUBSCRIBED},
        {"Remote", MW_IMAP_LIST_REMOTE},
        {"HasChildren", MW_IMAP_LIST_HASCHILDREN},
        {"HasNoChildren", MW_IMAP_LIST_HASNOCHILDREN},
        {"All", MW_IMAP_LIST_ALL},
        {"Archive", MW_IMAP_LIST_ARCHIVE},
        {"Drafts", MW_IMAP_LIST_DRAFTS},
        {"Flagged", MW_IMAP_LIST_FLAGGED},
        {"Junk", MW_IMAP_LIST_JUNK},
        {"Sent", MW_IMAP_LIST_SENT},
        {"Trash", MW_IMAP_LIST_TRASH},
        {"Important", MW_IMAP_LIST_IMPORTANT},
        {"Inbox", MW_IMAP_LIST_INBOX},
        {"AllMail", MW_IMAP_LIST_ALLMAIL | MW_IMAP_LIST_ALL},
        {"Spam", MW_IMAP_LIST_SPAM | MW_IMAP_LIST_JUNK},
        {"Starred", MW_IMAP_LIST_STARRED | MW_IMAP_LIST_FLAGGED},
    };
    size_t i;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (is(a, t[i].name))
            return t[i].bits;
    return MW_IMAP_LIST_OTHER;
}

/* mbx-list-flags inside "(" ")": each "\" atom (RFC 9051 §9). */
static int list_attrs(mw__imap_lex *L, mw_imap_list *li)
{
    const char *s;
    if (mw__imap_lex_expect(L, '(') != MW_OK)
        return L->status;
    s = L->p;
    if (mw__imap_lex_peek(L) != ')') {
        do {
            mw_span a;
            if (mw__imap_lex_expect(L, '\\') != MW_OK ||
                mw__imap_lex_atom(L, &a) != MW_OK)
                return L->status;
            li->attrs |= list_attr_bit(a);
        } while (mw__imap_lex_accept(L, ' '));
    }
    li->attr_text = mw__span(s, (size_t)(L->p - s));
    return mw__imap_lex_expect(L, ')');
}

/* DQUOTE QUOTED-CHAR DQUOTE / nil */
static int delimiter(mw__imap_lex *L, mw_span *out)
{
    const char *s = L->p;
    if (mw__imap_lex_peek(L) != '"') {
        if (!mw__imap_lex_keyword(L, "NIL"))
            return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                     "delimiter must be a quoted char or NIL");
        *out = mw__span(NULL, 0);
        return MW_OK;
    }
    if (mw__imap_lex_quoted(L, out) != MW_OK)
        return L->status;
    if (out->len != 1) {
        L->p = s;
        return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                 "delimiter must be one character");
    }
    return MW_OK;
}

/* mbox-list-extended = "(" [item *(SP item)] ")", item = tag SP
 * tagged-ext-val (RFC 5258 §9, RFC 9051 §9). */
static int list_extended(mw__imap_rp *rp, mw_imap_list *li)
{
    mw__imap_lex *L = &rp->L;
    const char *s;
    if (mw__imap_lex_expect(L, '(') != MW_OK)
        return L->status;
    s = L->p;
    if (mw__imap_lex_peek(L) != ')') {
        do {
            mw_span tag, v;
            if (mw__imap_lex_astring(L, &tag) != MW_OK ||
                mw__imap_lex_sp(L) != MW_OK)
                return L->status;
            if (is(tag, "CHILDINFO")) {
                /* "(" list-select-base-opt-quoted *(SP ...) ")" */
                const char *cs;
                if (mw__imap_lex_expect(L, '(') != MW_OK)
                    return L->status;
                cs = L->p;
                do {
                    if (mw__imap_lex_string(L, &v) != MW_OK)
                        return L->status;
                } while (mw__imap_lex_accept(L, ' '));
                li->childinfo = mw__span(cs, (size_t)(L->p - cs));
                if (mw__imap_lex_expect(L, ')') != MW_OK)
                    return L->status;
            } else if (is(tag, "OLDNAME")) {
                uint8_t m = 0;
                if (mw__imap_lex_expect(L, '(') != MW_OK ||
                    mailbox(L, &li->oldname, &m) != MW_OK ||
                    mw__imap_lex_expect(L, ')') != MW_OK)
                    return L->status;
            } else if (mw__imap_lex_skip_value(L, rp->c->max_depth, &v) !=
                       MW_OK) {
                return L->status;
            }
        } while (mw__imap_lex_accept(L, ' '));
    }
    li->extended = mw__span(s, (size_t)(L->p - s));
    return mw__imap_lex_expect(L, ')');
}

static int list(mw__imap_rp *rp, mw_imap_data *d)
{
    mw__imap_lex *L = &rp->L;
    mw_imap_list *li = &d->u.list;
    /* mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE
     * / nil) SP mailbox [SP mbox-list-extended] */
    if (mw__imap_lex_sp(L) != MW_OK || list_attrs(L, li) != MW_OK ||
        mw__imap_lex_sp(L) != MW_OK || delimiter(L, &li->delimiter) != MW_OK ||
        mw__imap_lex_sp(L) != MW_OK ||
        mailbox(L, &li->mailbox, &li->mutf7) != MW_OK)
        return L->status;
    d->raw = mw__span(d->raw.ptr, (size_t)(L->end - d->raw.ptr));
    if (L->p < L->end && L->p[0] == ' ' && L->p + 1 < L->end &&
        L->p[1] == '(') {
        L->p++;
        if (list_extended(rp, li) != MW_OK)
            return L->status;
    }
    return mw__imap_rp_deliver(rp, d);
}

/* ---- STATUS ------------------------------------------------------------ */

static int status(mw__imap_rp *rp, mw_imap_data *d)
{
    mw__imap_lex *L = &rp->L;
    mw_imap_mbox_status *st = &d->u.status;
    const char *s;
    if (mw__imap_lex_sp(L) != MW_OK ||
        mailbox(L, &st->mailbox, &st->mutf7) != MW_OK ||
        mw__imap_lex_sp(L) != MW_OK || mw__imap_lex_expect(L, '(') != MW_OK)
        return L->status;
    s = L->p;
    SP_OPT(L);
    /* status-att-list = status-att-val *(SP status-att-val); RFC 9051 and
     * RFC 3501 both allow "()" (libetpan CVE-2022-4121 crashed on it). */
    while (L->status == MW_OK && mw__imap_lex_peek(L) != ')') {
        mw_span item;
        uint32_t v32 = 0;
        uint64_t v64 = 0;
        if (L->p != s && mw__imap_lex_sp(L) != MW_OK)
            break;
        if (mw__imap_lex_atom(L, &item) != MW_OK ||
            mw__imap_lex_sp(L) != MW_OK)
            break;
        if (is(item, "MESSAGES")) {
            mw__imap_lex_number(L, &st->messages);
            st->has |= MW_IMAP_STATUS_MESSAGES;
        } else if (is(item, "UIDNEXT")) {
            mw__imap_lex_nz_number(L, &st->uidnext);
            st->has |= MW_IMAP_STATUS_UIDNEXT;
        } else if (is(item, "UIDVALIDITY")) {
            mw__imap_lex_nz_number(L, &st->uidvalidity);
            st->has |= MW_IMAP_STATUS_UIDVALIDITY;
        } else if (is(item, "UNSEEN")) {
            mw__imap_lex_number(L, &st->unseen);
            st->has |= MW_IMAP_STATUS_UNSEEN;
        } else if (is(item, "RECENT")) {
            mw__imap_lex_number(L, &st->recent);
            st->has |= MW_IMAP_STATUS_RECENT;
        } else if (is(item, "DELETED")) {
            mw__imap_lex_number(L, &st->deleted);
            st->has |= MW_IMAP_STATUS_DELETED;
        } else if (is(item, "SIZE")) {
            mw__imap_lex_number64(L, &st->size);
            st->has |= MW_IMAP_STATUS_SIZE;
        } else if (is(item, "HIGHESTMODSEQ")) {
            mw__imap_lex_number64(L, &st->highestmodseq);
            st->has |= MW_IMAP_STATUS_HIGHESTMODSEQ;
        } else if (is(item, "DELETED-STORAGE")) {
            mw__imap_lex_number64(L, &st->deleted_storage);
            st->has |= MW_IMAP_STATUS_DELETED_STORAGE;
        } else if (is(item, "APPENDLIMIT")) {
            /* RFC 7889 §4: number / nil */
            if (mw__imap_lex_keyword(L, "NIL"))
                st->appendlimit_nil = 1;
            else
                mw__imap_lex_number64(L, &st->appendlimit);
            st->has |= MW_IMAP_STATUS_APPENDLIMIT;
        } else if (is(item, "MAILBOXID")) {
            /* RFC 8474 §4: "(" objectid ")" */
            mw__imap_lex_expect(L, '(');
            mw__imap_lex_atom(L, &st->mailboxid);
            mw__imap_lex_expect(L, ')');
            st->has |= MW_IMAP_STATUS_MAILBOXID;
        } else {
            mw_span v;
            mw__imap_lex_skip_value(L, rp->c->max_depth, &v);
            st->has |= MW_IMAP_STATUS_OTHER;
        }
        (void)v32;
        (void)v64;
        SP_OPT(L);
    }
    st->raw = mw__span(s, (size_t)(L->p - s));
    if (mw__imap_lex_expect(L, ')') != MW_OK)
        return L->status;
    return mw__imap_rp_deliver(rp, d);
}

/* ---- ESEARCH ----------------------------------------------------------- */

int mw__imap_rp_esearch(mw__imap_rp *rp, mw_imap_esearch *es, int items_only,
                        int *at_all)
{
    mw__imap_lex *L = &rp->L;
    const char *s = NULL;
    /* RFC 9051 §7.3.4: "ESEARCH" [search-correlator] [SP "UID"]
     * *(SP search-return-data); search-correlator = SP "(" "TAG" SP
     * tag-string ")" (RFC 7377 adds MAILBOX and UIDVALIDITY). */
    if (!items_only && L->p + 1 < L->end && L->p[0] == ' ' && L->p[1] == '(') {
        L->p += 2;
        if (!mw__imap_lex_keyword(L, "TAG"))
            return mw__imap_lex_fail(L, MW_E_SYNTAX, "TAG expected");
        if (mw__imap_lex_sp(L) != MW_OK ||
            mw__imap_lex_astring(L, &es->tag) != MW_OK)
            return L->status;
        while (mw__imap_lex_accept(L, ' ')) {
            mw_span k, v;
            if (mw__imap_lex_atom(L, &k) != MW_OK ||
                mw__imap_lex_sp(L) != MW_OK ||
                mw__imap_lex_skip_value(L, rp->c->max_depth, &v) != MW_OK)
                return L->status;
        }
        if (mw__imap_lex_expect(L, ')') != MW_OK)
            return L->status;
    }
    if (!items_only && L->p + 4 <= L->end && L->p[0] == ' ') {
        L->p++;
        if (mw__imap_lex_keyword(L, "UID"))
            es->uid = 1;
        else
            L->p--;
    }
    while (L->status == MW_OK && L->p < L->end) {
        mw_span name;
        if (mw__imap_lex_sp_opt(L) > 0)
            break;
        if (mw__imap_lex_sp(L) != MW_OK)
            break;
        if (s == NULL)
            s = L->p;
        if (mw__imap_lex_atom(L, &name) != MW_OK || mw__imap_lex_sp(L) != MW_OK)
            break;
        if (is(name, "MIN")) {
            mw__imap_lex_nz_number(L, &es->min);
            es->has |= MW_IMAP_ESEARCH_MIN;
        } else if (is(name, "MAX")) {
            mw__imap_lex_nz_number(L, &es->max);
            es->has |= MW_IMAP_ESEARCH_MAX;
        } else if (is(name, "COUNT")) {
            mw__imap_lex_number(L, &es->count);
            es->has |= MW_IMAP_ESEARCH_COUNT;
        } else if (is(name, "ALL")) {
            if (es->has & MW_IMAP_ESEARCH_ALL)
                return mw__imap_lex_fail(L, MW_E_SYNTAX, "ALL twice");
            es->has |= MW_IMAP_ESEARCH_ALL;
            if (at_all != NULL) {
                /* streaming: the caller takes the set from here */
                *at_all = 1;
                return MW_OK;
            }
            mw__imap_lex_seqset(L, &es->all);
        } else if (is(name, "MODSEQ")) {
            mw__imap_lex_number64(L, &es->modseq);
            es->has |= MW_IMAP_ESEARCH_MODSEQ;
        } else if (is(name, "PARTIAL")) {
            /* RFC 9394 §4: "(" partial-range SP partial-results ")" */
            mw_span v;
            if (mw__imap_lex_skip_value(L, rp->c->max_depth, &v) == MW_OK) {
                if (v.len < 2 || v.ptr[0] != '(') {
                    L->p = v.ptr;
                    mw__imap_lex_fail(L, MW_E_SYNTAX, "'(' expected");
                } else {
                    es->partial = mw__span(v.ptr + 1, v.len - 2);
                }
            }
            es->has |= MW_IMAP_ESEARCH_PARTIAL;
        } else {
            mw_span v;
            mw__imap_lex_skip_value(L, rp->c->max_depth, &v);
            es->has |= MW_IMAP_ESEARCH_OTHER;
        }
    }
    if (s != NULL)
        es->raw = mw__span(s, (size_t)(L->p - s));
    return L->status;
}

static int esearch(mw__imap_rp *rp, mw_imap_data *d)
{
    if (mw__imap_rp_esearch(rp, &d->u.esearch, 0, NULL) != MW_OK)
        return rp->L.status;
    return mw__imap_rp_deliver(rp, d);
}

/* ---- VANISHED ---------------------------------------------------------- */

static int vanished(mw__imap_rp *rp, mw_imap_data *d)
{
    mw__imap_lex *L = &rp->L;
    /* RFC 7162 §7: "VANISHED" [SP "(EARLIER)"] SP known-uids */
    if (mw__imap_lex_sp(L) != MW_OK)
        return L->status;
    if (mw__imap_lex_accept(L, '(')) {
        if (!mw__imap_lex_keyword(L, "EARLIER"))
            return mw__imap_lex_fail(L, MW_E_SYNTAX, "EARLIER expected");
        if (mw__imap_lex_expect(L, ')') != MW_OK || mw__imap_lex_sp(L) != MW_OK)
            return L->status;
        d->u.vanished.earlier = 1;
    }
    if (mw__imap_lex_seqset(L, &d->u.vanished.uids) != MW_OK)
        return L->status;
    if (d->u.vanished.uids.has_star || d->u.vanished.uids.dollar)
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "'*' in known-uids");
    return mw__imap_rp_deliver(rp, d);
}

/* ---- NAMESPACE --------------------------------------------------------- */

/* Namespace = nil / "(" 1*Namespace-Descr ")"
 * Namespace-Descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil)
 *                   [Namespace-Response-Extensions] ")"
 * Namespace-Response-Extension = SP string SP "(" string *(SP string) ")"
 * (RFC 2342 §5, RFC 9051 §9). */
static int ns_list(mw__imap_rp *rp, mw_imap_namespace_list *out)
{
    mw__imap_lex *L = &rp->L;
    if (mw__imap_lex_keyword(L, "NIL")) {
        out->nil = 1;
        return MW_OK;
    }
    if (mw__imap_lex_expect(L, '(') != MW_OK)
        return L->status;
    do {
        mw_imap_namespace *ns = (mw_imap_namespace *)mw__imap_arena_alloc(
            L->arena, sizeof(*ns));
        const char *es;
        if (ns == NULL)
            return ARENA_FULL(L, "NAMESPACE");
        if (out->items == NULL)
            out->items = ns;
        out->count++;
        if (mw__imap_lex_expect(L, '(') != MW_OK ||
            mw__imap_lex_string(L, &ns->prefix) != MW_OK ||
            mw__imap_lex_sp(L) != MW_OK ||
            delimiter(L, &ns->delimiter) != MW_OK)
            return L->status;
        es = L->p;
        while (mw__imap_lex_accept(L, ' ')) {
            mw_span k, v;
            if (mw__imap_lex_string(L, &k) != MW_OK ||
                mw__imap_lex_sp(L) != MW_OK ||
                mw__imap_lex_expect(L, '(') != MW_OK)
                return L->status;
            do {
                if (mw__imap_lex_string(L, &v) != MW_OK)
                    return L->status;
            } while (mw__imap_lex_accept(L, ' '));
            if (mw__imap_lex_expect(L, ')') != MW_OK)
                return L->status;
        }
        if (L->p > es)
            ns->extension = mw__span(es + 1, (size_t)(L->p - es - 1));
        if (mw__imap_lex_expect(L, ')') != MW_OK)
            return L->status;
    } while (mw__imap_lex_peek(L) == '(');
    return mw__imap_lex_expect(L, ')');
}

static int namespace_(mw__imap_rp *rp, mw_imap_data *d)
{
    mw__imap_lex *L = &rp->L;
    if (mw__imap_lex_sp(L) != MW_OK ||
        ns_list(rp, &d->u.ns.personal) != MW_OK ||
        mw__imap_lex_sp(L) != MW_OK || ns_list(rp, &d->u.ns.other) != MW_OK ||
        mw__imap_lex_sp(L) != MW_OK || ns_list(rp, &d->u.ns.shared) != MW_OK)
        return L->status;
    return mw__imap_rp_deliver(rp, d);
}

/* ---- ID ------------------------------------------------------------------ */

static int id(mw__imap_rp *rp, mw_imap_data *d)
{
    mw__imap_lex *L = &rp->L;
    /* RFC 2971 §4: "ID" SP ("(" string SP nstring *(SP string SP nstring)
     * ")" / nil). "()" is 163.com's defect (EMPTY_LISTS quirk). */
    if (mw__imap_lex_sp(L) != MW_OK)
        return L->status;
    if (mw__imap_lex_keyword(L, "NIL")) {
        d->u.id.nil = 1;
        return mw__imap_rp_deliver(rp, d);
    }
    if (mw__imap_lex_expect(L, '(') != MW_OK)
        return L->status;
    SP_OPT(L);
    if (mw__imap_lex_peek(L) == ')') {
        if (!(rp->c->quirks & MW_IMAP_QUIRK_EMPTY_LISTS))
            return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                     "empty ID list (NIL expected)");
    } else {
        do {
            mw_imap_param *pa = (mw_imap_param *)mw__imap_arena_alloc(
                L->arena, sizeof(*pa));
            if (pa == NULL)
                return ARENA_FULL(L, "ID");
            if (d->u.id.params == NULL)
                d->u.id.params = pa;
            d->u.id.count++;
            if (mw__imap_lex_string(L, &pa->name) != MW_OK ||
                mw__imap_lex_sp(L) != MW_OK ||
                mw__imap_lex_nstring(L, &pa->value) != MW_OK)
                return L->status;
            SP_OPT(L);
        } while (mw__imap_lex_accept(L, ' '));
    }
    if (mw__imap_lex_expect(L, ')') != MW_OK)
        return L->status;
    return mw__imap_rp_deliver(rp, d);
}

/* ---- QUOTA, QUOTAROOT -------------------------------------------------- */

static int quota(mw__imap_rp *rp, mw_imap_data *d)
{
    mw__imap_lex *L = &rp->L;
    /* RFC 9208 §5.1: "QUOTA" SP quota-root-name SP quota-list;
     * quota-list = "(" quota-resource *(SP quota-resource) ")";
     * quota-resource = resource-name SP resource-usage SP resource-limit.
     * RFC 2087 servers may send "()". */
    if (mw__imap_lex_sp(L) != MW_OK ||
        mw__imap_lex_astring(L, &d->u.quota.root) != MW_OK ||
        mw__imap_lex_sp(L) != MW_OK || mw__imap_lex_expect(L, '(') != MW_OK)
        return L->status;
    if (mw__imap_lex_peek(L) != ')') {
        do {
            mw_imap_quota_resource *q =
                (mw_imap_quota_resource *)mw__imap_arena_alloc(L->arena,
                                                               sizeof(*q));
            if (q == NULL)
                return ARENA_FULL(L, "QUOTA");
            if (d->u.quota.resources == NULL)
                d->u.quota.resources = q;
            d->u.quota.count++;
            if (mw__imap_lex_atom(L, &q->name) != MW_OK ||
                mw__imap_lex_sp(L) != MW_OK ||
                mw__imap_lex_number64(L, &q->usage) != MW_OK ||
                mw__imap_lex_sp(L) != MW_OK ||
                mw__imap_lex_number64(L, &q->limit) != MW_OK)
                return L->status;
        } while (mw__imap_lex_accept(L, ' '));
    }
    if (mw__imap_lex_expect(L, ')') != MW_OK)
        return L->status;
    return mw__imap_rp_deliver(rp, d);
}

static int quotaroot(mw__imap_rp *rp, mw_imap_data *d)
{
    mw__imap_lex *L = &rp->L;
    uint8_t m = 0;
    /* RFC 9208 §5.2: "QUOTAROOT" SP mailbox *(SP quota-root-name) */
    if (mw__imap_lex_sp(L) != MW_OK ||
        mailbox(L, &d->u.quotaroot.mailbox, &m) != MW_OK)
        return L->status;
    while (L->p < L->end) {
        mw_span *r;
        if (mw__imap_lex_sp_opt(L) > 0)
            break;
        r = (mw_span *)mw__imap_arena_alloc(L->arena, sizeof(*r));
        if (r == NULL)
            return ARENA_FULL(L, "QUOTAROOT");
        if (d->u.quotaroot.roots == NULL)
            d->u.quotaroot.roots = r;
        d->u.quotaroot.count++;
        if (mw__imap_lex_sp(L) != MW_OK || mw__imap_lex_astring(L, r) != MW_OK)
            return L->status;
    }
    return mw__imap_rp_deliver(rp, d);
}

/* ---- METADATA ---------------------------------------------------------- */

static int metadata(mw__imap_rp *rp, mw_imap_data *d)
{
    mw__imap_lex *L = &rp->L;
    uint8_t m = 0;
    /* RFC 5464 §5: "METADATA" SP mailbox SP (entry-values / entry-list);
     * entry-values = "(" entry-value *(SP entry-value) ")",
     * entry-value = entry SP value, value = nstring / literal8;
     * entry-list = entry *(SP entry) (unsolicited: names only). */
    if (mw__imap_lex_sp(L) != MW_OK ||
        mailbox(L, &d->u.metadata.mailbox, &m) != MW_OK ||
        mw__imap_lex_sp(L) != MW_OK)
        return L->status;
    if (mw__imap_lex_accept(L, '(')) {
        do {
            mw_imap_metadata_entry *en =
                (mw_imap_metadata_entry *)mw__imap_arena_alloc(L->arena,
                                                               sizeof(*en));
            if (en == NULL)
                return ARENA_FULL(L, "METADATA");
            if (d->u.metadata.entries == NULL)
                d->u.metadata.entries = en;
            d->u.metadata.count++;
            if (mw__imap_lex_astring(L, &en->name) != MW_OK ||
                mw__imap_lex_sp(L) != MW_OK)
                return L->status;
            if (mw__imap_lex_peek(L) == '~') {
                int bin = 0;
                mw__imap_lex_literal(L, &en->value, &bin);
            } else {
                mw__imap_lex_nstring(L, &en->value);
            }
        } while (L->status == MW_OK && mw__imap_lex_accept(L, ' '));
        if (mw__imap_lex_expect(L, ')') != MW_OK)
            return L->status;
    } else {
        d->u.metadata.names_only = 1;
        do {
            mw_imap_metadata_entry *en =
                (mw_imap_metadata_entry *)mw__imap_arena_alloc(L->arena,
                                                               sizeof(*en));
            if (en == NULL)
                return ARENA_FULL(L, "METADATA");
            if (d->u.metadata.entries == NULL)
                d->u.metadata.entries = en;
            d->u.metadata.count++;
            if (mw__imap_lex_astring(L, &en->name) != MW_OK)
                return L->status;
        } while (mw__imap_lex_accept(L, ' '));
    }
    return mw__imap_rp_deliver(rp, d);
}

/* ---- THREAD ------------------------------------------------------------ */

static int thread(mw__imap_rp *rp, mw_imap_data *d)
{
    mw__imap_lex *L = &rp->L;
    unsigned maxd = rp->c->max_depth;
    uint32_t *saved, cur = 0, count = 0;
    unsigned depth = 0;
    int after_nested = 0, in_members = 0;
    mw_imap_thread_node *first = NULL;
    /* RFC 5256 §5: thread-data = "THREAD" [SP 1*thread-list];
     * thread-list = "(" (thread-members / thread-nested) ")";
     * thread-members = nz-number *(SP nz-number) [SP thread-nested];
     * thread-nested = 2*thread-list.
     * Walked with an explicit stack of the parent at each open list. */
    if (L->p == L->end)
        return mw__imap_rp_deliver(rp, d);
    if (mw__imap_lex_sp(L) != MW_OK)
        return L->status;
    if (maxd == 0)
        maxd = 1;
    saved = (uint32_t *)mw__imap_arena_alloc(L->arena,
                                             sizeof(uint32_t) * (maxd + 1u));
    if (saved == NULL)
        return ARENA_FULL(L, "THREAD");
    for (;;) {
        int ch = mw__imap_lex_peek(L);
        if (ch == '(') {
            if (in_members) {
                /* thread-nested after members needs the SP, already eaten */
            }
            if (depth >= maxd)
                return mw__imap_lex_fail(L, MW_E_DEPTH,
                                         "THREAD nested too deeply");
            L->p++;
            saved[++depth] = cur;
            after_nested = 0;
            in_members = 0;
            continue;
        }
        if (ch == ')') {
            if (depth == 0)
                return mw__imap_lex_fail(L, MW_E_SYNTAX, "unbalanced ')'");
            if (!in_members && !after_nested)
                return mw__imap_lex_fail(L, MW_E_SYNTAX, "empty thread list");
            L->p++;
            cur = saved[depth--];
            after_nested = 1;
            in_members = 0;
            if (depth == 0) {
                SP_OPT(L);
                if (L->p == L->end)
                    break;
                if (mw__imap_lex_peek(L) != '(')
                    return mw__imap_lex_fail(L, MW_E_SYNTAX, "'(' expected");
            }
            continue;
        }
        if (ch >= '0' && ch <= '9' && depth > 0) {
            mw_imap_thread_node *nd;
            uint32_t num = 0;
            if (after_nested)
                return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                         "number after nested threads");
            if (mw__imap_lex_nz_number(L, &num) != MW_OK)
                return L->status;
            nd = (mw_imap_thread_node *)mw__imap_arena_alloc(L->arena,
                                                             sizeof(*nd));
            if (nd == NULL)
                return ARENA_FULL(L, "THREAD");
            if (first == NULL)
                first = nd;
            nd->num = num;
            nd->parent = cur;
            nd->depth = depth;
            cur = ++count;
            in_members = 1;
            if (mw__imap_lex_accept(L, ' ')) {
                ch = mw__imap_lex_peek(L);
                if (ch != '(' && !(ch >= '0' && ch <= '9'))
                    return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                             "number or '(' expected");
            } else if (mw__imap_lex_peek(L) != ')') {
                return mw__imap_lex_fail(L, MW_E_SYNTAX, "')' expected");
            }
            continue;
        }
        return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                 depth == 0 ? "'(' expected"
                                            : "number or '(' expected");
    }
    d->u.thread.nodes = first;
    d->u.thread.count = count;
    return mw__imap_rp_deliver(rp, d);
}

/* ---- dispatch ---------------------------------------------------------- */

/* The untagged responses known by name (without a number first); XLIST
 * is delivered as LIST. */
static const struct {
    const char *name;
    unsigned char kind;
} data_names[] = {
    {"CAPABILITY", MW_IMAP_DATA_CAPABILITY},
    {"ENABLED", MW_IMAP_DATA_ENABLED},
    {"LIST", MW_IMAP_DATA_LIST},
    {"LSUB", MW_IMAP_DATA_LSUB},
    {"XLIST", MW_IMAP_DATA_LIST},
    {"STATUS", MW_IMAP_DATA_STATUS},
    {"ESEARCH", MW_IMAP_DATA_ESEARCH},
    {"FLAGS", MW_IMAP_DATA_FLAGS},
    {"VANISHED", MW_IMAP_DATA_VANISHED},
    {"NAMESPACE", MW_IMAP_DATA_NAMESPACE},
    {"ID", MW_IMAP_DATA_ID},
    {"QUOTA", MW_IMAP_DATA_QUOTA},
    {"QUOTAROOT", MW_IMAP_DATA_QUOTAROOT},
    {"METADATA", MW_IMAP_DATA_METADATA},
    {"THREAD", MW_IMAP_DATA_THREAD},
};

int mw__imap_rp_data(mw__imap_rp *rp, mw_span name, uint32_t num, int has_num)
{
    mw__imap_lex *L = &rp->L;
    mw_imap_data d;
    size_t i;
    memset(&d, 0, sizeof(d));
    d.offset = rp->start;
    d.name = name;
    d.raw = mw__span(L->p < L->end && *L->p == ' ' ? L->p + 1 : L->p, 0);
    d.raw.len = (size_t)(L->end - d.raw.ptr);
    if (has_num) {
        d.kind = is(name, "EXISTS")    ? MW_IMAP_DATA_EXISTS
                 : is(name, "RECENT")  ? MW_IMAP_DATA_RECENT
                 : is(name, "EXPUNGE") ? MW_IMAP_DATA_EXPUNGE
                                       : MW_IMAP_DATA_OTHER;
        if (d.kind != MW_IMAP_DATA_OTHER) {
            if (d.kind == MW_IMAP_DATA_EXPUNGE && num == 0) {
                L->p = L->base + 2; /* the number after "* " */
                return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                         "EXPUNGE of message number 0");
            }
            d.u.num = num;
            return mw__imap_rp_deliver(rp, &d);
        }
        d.u.other.num = num;
        d.u.other.has_num = 1;
        L->p = L->end;
        return mw__imap_rp_deliver(rp, &d);
    }
    for (i = 0; i < sizeof(data_names) / sizeof(data_names[0]); i++) {
        if (is(name, data_names[i].name)) {
            d.kind = data_names[i].kind;
            break;
        }
    }
    switch (d.kind) {
    case MW_IMAP_DATA_ID:
        return id(rp, &d);
    case MW_IMAP_DATA_LIST:
    case MW_IMAP_DATA_LSUB:
        return list(rp, &d);
    case MW_IMAP_DATA_FLAGS:
        if (mw__imap_lex_sp(L) != MW_OK ||
            mw__imap_lex_flag_list(L, 0, &d.u.flags) != MW_OK)
            return L->status;
        return mw__imap_rp_deliver(rp, &d);
    case MW_IMAP_DATA_QUOTA:
        return quota(rp, &d);
    case MW_IMAP_DATA_STATUS:
        return status(rp, &d);
    case MW_IMAP_DATA_THREAD:
        return thread(rp, &d);
    case MW_IMAP_DATA_ENABLED:
        return capability(rp, &d, 1);
    case MW_IMAP_DATA_ESEARCH:
        return esearch(rp, &d);
    case MW_IMAP_DATA_VANISHED:
        return vanished(rp, &d);
    case MW_IMAP_DATA_METADATA:
        return metadata(rp, &d);
    case MW_IMAP_DATA_NAMESPACE:
        return namespace_(rp, &d);
    case MW_IMAP_DATA_QUOTAROOT:
        return quotaroot(rp, &d);
    case MW_IMAP_DATA_CAPABILITY:
        return capability(rp, &d, 0);
    default:
        break;
    }
    /* RFC 4466 §2.1: an unknown response is delivered, not refused. Its
     * text after the name must start with SP (or be empty). */
    d.kind = MW_IMAP_DATA_OTHER;
    if (L->p < L->end && *L->p != ' ')
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "SP expected after the name");
    L->p = L->end;
    return mw__imap_rp_deliver(rp, &d);
}

/* ---- the generic token walk (RFC 4466 §2.1) --------------------------- */

void mw_imap_tokens_init(mw_imap_tokens *t, const char *p, size_t n)
{
    if (t == NULL)
        return;
    t->p = p != NULL ? p : "";
    t->n = p != NULL ? n : 0;
    t->pos = 0;
    t->depth = 0;
    t->reserved_ = 0;
}

int mw_imap_tokens_next(mw_imap_tokens *t, mw_imap_token *tok)
{
    const char *p, *e, *s;
    if (t == NULL || tok == NULL)
        return MW_E_INVAL;
    p = t->p + t->pos;
    e = t->p + t->n;
    while (p < e && *p == ' ')
        p++;
    t->pos = (size_t)(p - t->p);
    memset(tok, 0, sizeof(*tok));
    tok->depth = t->depth;
    if (p == e)
        return t->depth == 0 ? 0 : MW_E_SYNTAX;
    s = p;
    switch (*p) {
    case '(':
        if (t->depth == (unsigned)-1)
            return MW_E_SYNTAX;
        t->depth++;
        tok->kind = MW_IMAP_TOKEN_OPEN;
        p++;
        break;
    case ')':
        if (t->depth == 0)
            return MW_E_SYNTAX;
        t->depth--;
        tok->depth = t->depth;
        tok->kind = MW_IMAP_TOKEN_CLOSE;
        p++;
        break;
    case '"':
        for (p++; p < e && *p != '"'; p++) {
            if (*p == '\\') {
                tok->escaped = 1;
                if (++p == e)
                    break;
            }
            if (*p == '\r' || *p == '\n' || *p == '\0')
                return MW_E_SYNTAX;
        }
        if (p >= e)
            return MW_E_SYNTAX;
        tok->kind = MW_IMAP_TOKEN_QUOTED;
        tok->text = mw__span(s + 1, (size_t)(p - s - 1));
        p++;
        break;
    case '~':
        /* "~" is an ATOM-CHAR (RFC 9051 §9: not an atom-special): only
         * "~{" starts a literal8 (RFC 3516 §4.2); "~/Mail/foo" is an atom */
        if (p + 1 >= e || p[1] != '{')
            goto atom;
        /* fall through */
    case '{': {
        uint64_t size = 0;
        const char *q = p + (*p == '~');
        for (q++; q < e && (unsigned char)(*q - '0') <= 9u; q++) {
            if (size > ((uint64_t)INT64_MAX - 9u) / 10u)
                return MW_E_SYNTAX;
            size = size * 10u + (uint64_t)(*q - '0');
        }
        if (q < e && (*q == '+' || *q == '-'))
            q++;
        if (q >= e || *q != '}')
            return MW_E_SYNTAX;
        q++;
        if (q < e && *q == '\r')
            q++;
        if (q >= e || *q != '\n')
            return MW_E_SYNTAX;
        q++;
        if (size > (uint64_t)(e - q))
            return MW_E_SYNTAX;
        tok->kind = MW_IMAP_TOKEN_LITERAL;
        tok->text = mw__span(q, (size_t)size);
        p = q + size;
        break;
    }
    default:
    atom:
        /* atom-like: anything up to SP, "(", ")", '"', CR, LF, NUL */
        while (p < e && *p != ' ' && *p != '(' && *p != ')' && *p != '"' &&
               *p != '\r' && *p != '\n' && *p != '\0')
            p++;
        if (p == s)
            return MW_E_SYNTAX;
        tok->text = mw__span(s, (size_t)(p - s));
        if (mw__imap_rp_kw(s, (size_t)(p - s), "NIL", 3)) {
            tok->kind = MW_IMAP_TOKEN_NIL;
            tok->text = mw__span(NULL, 0);
        } else {
            const char *d = s;
            while (d < p && (unsigned char)(*d - '0') <= 9u)
                d++;
            tok->kind = d == p ? MW_IMAP_TOKEN_NUMBER : MW_IMAP_TOKEN_ATOM;
        }
        break;
    }
    t->pos = (size_t)(p - t->p);
    return 1;
}
