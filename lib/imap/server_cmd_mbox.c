/* SPDX-License-Identifier: MIT */
/*
 * Mailbox-level commands for the IMAP server's command parser: SELECT and
 * EXAMINE with CONDSTORE/QRESYNC parameters (RFC 7162 §3.1.8, §3.2.5),
 * CREATE with USE (RFC 6154 §3), LIST with LIST-EXTENDED selection and
 * return options (RFC 5258 §3) and LIST-STATUS (RFC 5819 §2), LSUB
 * (RFC 3501 §6.3.9), STATUS items (RFC 9051 §6.3.11), ENABLE (RFC 5161),
 * ID (RFC 2971), SETQUOTA (RFC 9208 §4.2), GETMETADATA and SETMETADATA
 * (RFC 5464 §4.2, §4.3).
 *
 * Lists (patterns, capabilities, ID pairs, quota limits, metadata
 * entries) are arrays in the arena: their elements are allocated one
 * after another with nothing else in between (unescaped strings go to the
 * arena's other end), so they are contiguous.
 */
#include <string.h>

#include "imap/server_cmd_int.h"

/* ---- SELECT / EXAMINE ---------------------------------------------------- */

/* "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids]
 * [SP seq-match-data] ")"; seq-match-data = "(" known-sequence-set SP
 * known-uid-set ")" (RFC 7162 §7). "*" and "$" are not allowed in these
 * sets (they name UIDs and numbers the client knows). */
static int known_set(mw__imap_cmdp *P, mw_imap_seqset *set)
{
    mw__imap_lex *L = &P->L;
    const char *at = L->p;
    if (mw__imap_sc_seqset(P, set, 0) != MW_OK)
        return L->status;
    if (set->has_star)
        return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                   "\"*\" not allowed in QRESYNC sets "
                                   "(RFC 7162 §3.2.5)");
    return MW_OK;
}

static int qresync(mw__imap_cmdp *P, mw_imap_select_args *s)
{
    mw__imap_lex *L = &P->L;
    if (mw__imap_sc_sp(L) != MW_OK || mw__imap_sc_expect(L, '(') != MW_OK ||
        mw__imap_sc_nz_number(L, &s->uidvalidity) != MW_OK ||
        mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_sc_modseq(P, &s->modseq, 1) != MW_OK)
        return L->status;
    s->qresync = 1;
    if (mw__imap_sc_accept(L, ')'))
        return MW_OK;
    if (mw__imap_sc_sp(L) != MW_OK)
        return L->status;
    if (!mw__imap_sc_at(L, '(')) {
        if (known_set(P, &s->known_uids) != MW_OK)
            return L->status;
        s->has_known_uids = 1;
        if (mw__imap_sc_accept(L, ')'))
            return MW_OK;
        if (mw__imap_sc_sp(L) != MW_OK)
            return L->status;
    }
    if (mw__imap_sc_expect(L, '(') != MW_OK ||
        known_set(P, &s->known_seqs) != MW_OK ||
        mw__imap_sc_sp(L) != MW_OK ||
        known_set(P, &s->known_seq_uids) != MW_OK ||
        mw__imap_sc_expect(L, ')') != MW_OK ||
        mw__imap_sc_expect(L, ')') != MW_OK)
        return L->status;
    s->has_seq_match = 1;
    return MW_OK;
}

int mw__imap_sc_select(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_select_args *s = &P->cmd->u.select;
    /* select = "SELECT" SP mailbox [select-params];
     * select-params = SP "(" select-param *(SP select-param) ")"
     * (RFC 4466 §2.5; params: RFC 7162 §7) */
    if (mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_sc_mailbox(P, &s->mailbox, 0) != MW_OK)
        return L->status;
    if (L->p >= L->end)
        return MW_OK;
    if (mw__imap_sc_sp(L) != MW_OK || mw__imap_sc_expect(L, '(') != MW_OK)
        return L->status;
    for (;;) {
        const char *at = L->p;
        mw_span w = mw__imap_sc_word(L);
        if (MW__SC_IS(w, "CONDSTORE")) {
            if (s->condstore)
                return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                           "CONDSTORE given twice");
            s->condstore = 1;
        } else if (MW__SC_IS(w, "QRESYNC")) {
            if (s->qresync)
                return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                           "QRESYNC given twice");
            if (qresync(P, s) != MW_OK)
                return L->status;
        } else {
            return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                       "unknown SELECT parameter");
        }
        if (mw__imap_sc_accept(L, ')'))
            break;
        if (mw__imap_sc_sp(L) != MW_OK)
            return L->status;
    }
    return mw__imap_sc_end(L);
}

/* ---- CREATE ---------------------------------------------------------------- */

int mw__imap_sc_create(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_mailbox_args *m = &P->cmd->u.mailbox;
    const char *at, *open;
    mw_span w;
    /* create = "CREATE" SP mailbox [create-params] (RFC 4466 §2.2);
     * create-param =/ "USE" SP "(" [use-attr *(SP use-attr)] ")"
     * (RFC 6154 §6) */
    if (mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_sc_mailbox(P, &m->mailbox, 0) != MW_OK)
        return L->status;
    if (L->p >= L->end)
        return MW_OK;
    if (mw__imap_sc_sp(L) != MW_OK || mw__imap_sc_expect(L, '(') != MW_OK)
        return L->status;
    at = L->p;
    w = mw__imap_sc_word(L);
    if (!MW__SC_IS(w, "USE"))
        return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                   "unknown CREATE parameter");
    if (mw__imap_sc_sp(L) != MW_OK || mw__imap_sc_expect(L, '(') != MW_OK)
        return L->status;
    open = L->p;
    while (L->status == MW_OK && !mw__imap_sc_accept(L, ')')) {
        mw_span atom;
        if (m->nuse > 0 && mw__imap_sc_sp(L) != MW_OK)
            return L->status;
        /* use-attr = "\All" / "\Archive" / ... / use-attr-ext, each a
         * "\" atom */
        if (mw__imap_sc_expect(L, '\\') != MW_OK ||
            mw__imap_lex_atom(L, &atom) != MW_OK)
            return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                     "special-use attribute expected");
        m->nuse++;
    }
    m->use = mw__span(open, (size_t)(L->p - 1 - open));
    if (mw__imap_sc_expect(L, ')') != MW_OK)
        return L->status;
    return mw__imap_sc_end(L);
}

/* ---- STATUS ------------------------------------------------------------------ */

static const mw__imap_kw status_kw[] = {
    {"SIZE", 4, 7},          {"RECENT", 6, 2},        {"UNSEEN", 6, 5},
    {"UIDNEXT", 7, 3},       {"DELETED", 7, 6},       {"MESSAGES", 8, 1},
    {"MAILBOXID", 9, 10},    {"UIDVALIDITY", 11, 4},  {"APPENDLIMIT", 11, 9},
    {"HIGHESTMODSEQ", 13, 8}, {"DELETED-STORAGE", 15, 11},
};

/* MW__SC_KEYWORD(w, status_kw) by constants, by first letter. */
static unsigned status_att_take(mw__imap_lex *L, mw_span *w)
{
    unsigned r = 0;
    size_t n = 0;
#if MW_ENABLE_FAST_PATHS
    const char *p = L->p, *e = L->end, *lo = L->base;
    if (L->status == MW_OK && p < e) {
        switch (*p | 0x20) {
        case 'a': MW__SC_TRY("APPENDLIMIT", 9) break;
        case 'd':
            MW__SC_TRY("DELETED", 6)
            MW__SC_TRY("DELETED-STORAGE", 11)
            break;
        case 'h': MW__SC_TRY("HIGHESTMODSEQ", 8) break;
        case 'm':
            MW__SC_TRY("MESSAGES", 1)
            MW__SC_TRY("MAILBOXID", 10)
            break;
        case 'r': MW__SC_TRY("RECENT", 2) break;
        case 's': MW__SC_TRY("SIZE", 7) break;
        case 'u':
            MW__SC_TRY("UNSEEN", 5)
            MW__SC_TRY("UIDNEXT", 3)
            MW__SC_TRY("UIDVALIDITY", 4)
            break;
        default:
            break;
        }
    }
#endif
    return MW__SC_TOOK(w, status_kw);
}

int mw__imap_sc_status_atts(mw__imap_cmdp *P, unsigned *items,
                            uint32_t *count)
{
    mw__imap_lex *L = &P->L;
    /* "(" status-att *(SP status-att) ")" (RFC 9051 §9; RECENT RFC 3501,
     * HIGHESTMODSEQ RFC 7162, APPENDLIMIT RFC 7889, MAILBOXID RFC 8474,
     * SIZE RFC 8438, DELETED-STORAGE RFC 9208) */
    if (mw__imap_sc_expect(L, '(') != MW_OK)
        return L->status;
    for (;;) {
        const char *at = L->p;
        mw_span w;
        unsigned bit = status_att_take(L, &w);
        if (bit == 0)
            return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                       w.len == 0 ? "status item expected"
                                                  : "unknown status item");
        *items |= 1u << (bit - 1u);
        (*count)++;
        if (mw__imap_sc_accept(L, ')'))
            return MW_OK;
        if (mw__imap_sc_sp(L) != MW_OK)
            return L->status;
    }
}

int mw__imap_sc_status(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_status_args *s = &P->cmd->u.status;
    /* status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")" */
    if (mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_sc_mailbox(P, &s->mailbox, 0) != MW_OK ||
        mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_sc_status_atts(P, &s->items, &s->count) != MW_OK)
        return L->status;
    return mw__imap_sc_end(L);
}

/* ---- LIST / LSUB ------------------------------------------------------------- */

static const mw__imap_kw listsel_kw[] = {
    {"REMOTE", 6, MW_IMAP_LISTSEL_REMOTE},
    {"SUBSCRIBED", 10, MW_IMAP_LISTSEL_SUBSCRIBED},
    {"SPECIAL-USE", 11, MW_IMAP_LISTSEL_SPECIAL_USE},
    {"RECURSIVEMATCH", 14, MW_IMAP_LISTSEL_RECURSIVEMATCH},
};

static const mw__imap_kw listret_kw[] = {
    {"STATUS", 6, MW_IMAP_LISTRET_STATUS},
    {"CHILDREN", 8, MW_IMAP_LISTRET_CHILDREN},
    {"MYRIGHTS", 8, MW_IMAP_LISTRET_MYRIGHTS},
    {"SUBSCRIBED", 10, MW_IMAP_LISTRET_SUBSCRIBED},
    {"SPECIAL-USE", 11, MW_IMAP_LISTRET_SPECIAL_USE},
};

/* list-select-opts = "(" [list-select-opt *(SP list-select-opt)] ")"
 * (RFC 5258 §6, SPECIAL-USE RFC 6154 §6) */
static int list_select(mw__imap_cmdp *P, mw_imap_list_args *l)
{
    mw__imap_lex *L = &P->L;
    const char *open = L->p;
    L->p++; /* "(" */
    l->has_select = 1;
    l->extended = 1;
    if (!mw__imap_sc_accept(L, ')')) {
        for (;;) {
            const char *at = L->p;
            mw_span w = mw__imap_sc_word(L);
            unsigned o = MW__SC_LOOKUP(w, listsel_kw);
            if (o == 0)
                /* RFC 5258 §3: unrecognised options MUST be rejected (BAD) */
                return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                           "unknown LIST selection option");
            l->select_opts |= o;
            if (mw__imap_sc_accept(L, ')'))
                break;
            if (mw__imap_sc_sp(L) != MW_OK)
                return L->status;
        }
    }
    /* RFC 5258 §3: RECURSIVEMATCH alone (or with REMOTE only) is BAD */
    if ((l->select_opts & MW_IMAP_LISTSEL_RECURSIVEMATCH) &&
        !(l->select_opts & ~(unsigned)(MW_IMAP_LISTSEL_RECURSIVEMATCH |
                                       MW_IMAP_LISTSEL_REMOTE)))
        return mw__imap_sc_fail_at(L, open, MW_E_SYNTAX,
                                   "RECURSIVEMATCH needs another selection "
                                   "option (RFC 5258 §3)");
    return mw__imap_sc_sp(L);
}

/* list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)]
 * ")" (RFC 5258 §6); status-option = "STATUS" SP "(" status-att
 * *(SP status-att) ")" (RFC 5819 §2) */
static int list_return(mw__imap_cmdp *P, mw_imap_list_args *l)
{
    mw__imap_lex *L = &P->L;
    const char *at = L->p;
    mw_span w = mw__imap_sc_word(L);
    if (!MW__SC_IS(w, "RETURN"))
        return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX, "RETURN expected");
    if (mw__imap_sc_sp(L) != MW_OK || mw__imap_sc_expect(L, '(') != MW_OK)
        return L->status;
    l->has_return = 1;
    l->extended = 1;
    if (mw__imap_sc_accept(L, ')'))
        return MW_OK;
    for (;;) {
        unsigned o;
        at = L->p;
        w = mw__imap_sc_word(L);
        o = MW__SC_LOOKUP(w, listret_kw);
        if (o == 0)
            return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                       "unknown LIST return option");
        if (o == MW_IMAP_LISTRET_STATUS) {
            uint32_t count = 0;
            if (l->return_opts & MW_IMAP_LISTRET_STATUS)
                return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                           "STATUS given twice");
            if (mw__imap_sc_sp(L) != MW_OK ||
                mw__imap_sc_status_atts(P, &l->status_items, &count) != MW_OK)
                return L->status;
        }
        l->return_opts |= o;
        if (mw__imap_sc_accept(L, ')'))
            return MW_OK;
        if (mw__imap_sc_sp(L) != MW_OK)
            return L->status;
    }
}

static int one_pattern(mw__imap_cmdp *P, mw_imap_list_args *l)
{
    mw_imap_mailbox *mb = (mw_imap_mailbox *)mw__imap_sc_push(
        P, l->patterns, l->npatterns, sizeof *mb, "arena full (LIST patterns)");
    if (mb == NULL)
        return P->L.status;
    if (l->npatterns == 0)
        l->patterns = mb;
    l->npatterns++;
    return mw__imap_sc_mailbox(P, mb, 1);
}

int mw__imap_sc_list(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_list_args *l = &P->cmd->u.list;
    /* list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat
     *        [SP list-return-opts]; mbox-or-pat = list-mailbox /
     *        patterns; patterns = "(" list-mailbox *(SP list-mailbox) ")"
     *        (RFC 9051 §9, RFC 5258 §6) */
    if (mw__imap_sc_sp(L) != MW_OK)
        return L->status;
    if (mw__imap_sc_at(L, '(') && list_select(P, l) != MW_OK)
        return L->status;
    if (mw__imap_sc_mailbox(P, &l->reference, 0) != MW_OK ||
        mw__imap_sc_sp(L) != MW_OK)
        return L->status;
    if (mw__imap_sc_accept(L, '(')) {
        l->extended = 1;
        for (;;) {
            if (one_pattern(P, l) != MW_OK)
                return L->status;
            if (mw__imap_sc_accept(L, ')'))
                break;
            if (mw__imap_sc_sp(L) != MW_OK)
                return L->status;
        }
    } else if (one_pattern(P, l) != MW_OK) {
        return L->status;
    }
    if (L->p < L->end) {
        if (mw__imap_sc_sp(L) != MW_OK || list_return(P, l) != MW_OK)
            return L->status;
    }
    return mw__imap_sc_end(L);
}

int mw__imap_sc_lsub(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_list_args *l = &P->cmd->u.list;
    /* lsub = "LSUB" SP mailbox SP list-mailbox (RFC 3501 §9) */
    if (mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_sc_mailbox(P, &l->reference, 0) != MW_OK ||
        mw__imap_sc_sp(L) != MW_OK)
        return L->status;
    if (one_pattern(P, l) != MW_OK)
        return L->status;
    return mw__imap_sc_end(L);
}

/* ---- ENABLE ---------------------------------------------------------------- */

static const mw__imap_kw enable_kw[] = {
    {"QRESYNC", 7, MW_IMAP_ENABLE_QRESYNC},
    {"METADATA", 8, MW_IMAP_ENABLE_METADATA},
    {"CONDSTORE", 9, MW_IMAP_ENABLE_CONDSTORE},
    {"IMAP4REV2", 9, MW_IMAP_ENABLE_IMAP4REV2},
    {"UTF8=ONLY", 9, MW_IMAP_ENABLE_UTF8_ONLY},
    {"UTF8=ACCEPT", 11, MW_IMAP_ENABLE_UTF8_ACCEPT},
    {"METADATA-SERVER", 15, MW_IMAP_ENABLE_METADATA_SERVER},
};

int mw__imap_sc_enable(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_enable_args *e = &P->cmd->u.enable;
    /* enable = "ENABLE" 1*(SP capability) (RFC 5161 §4, RFC 9051 §9);
     * capability = ("AUTH=" auth-type) / atom */
    do {
        mw_span *c;
        if (mw__imap_sc_sp(L) != MW_OK)
            return L->status;
        c = (mw_span *)mw__imap_sc_push(P, e->caps, e->count, sizeof *c,
                                        "arena full (ENABLE list)");
        if (c == NULL)
            return L->status;
        if (e->count == 0)
            e->caps = c;
        if (mw__imap_lex_atom(L, c) != MW_OK)
            return mw__imap_lex_fail(L, MW_E_SYNTAX, "capability expected");
        e->known |= MW__SC_LOOKUP(*c, enable_kw);
        e->count++;
    } while (L->p < L->end);
    return mw__imap_sc_end(L);
}

/* ---- ID ------------------------------------------------------------------- */

/* RFC 2971 §3.3 limits */
#define ID_PAIRS_MAX 30u
#define ID_FIELD_MAX 30u
#define ID_VALUE_MAX 1024u

int mw__imap_sc_id(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_id_args *id = &P->cmd->u.id;
    /* id = "ID" SP id-params-list;
     * id-params-list = "(" *(string SP nstring) ")" / nil (RFC 2971 §4) */
    if (mw__imap_sc_sp(L) != MW_OK)
        return L->status;
    if (mw__imap_lex_keyword(L, "NIL")) {
        id->nil = 1;
        return mw__imap_sc_end(L);
    }
    if (mw__imap_sc_expect(L, '(') != MW_OK)
        return L->status;
    while (!mw__imap_sc_accept(L, ')')) {
        mw_imap_id_param *pp;
        const char *at;
        if (L->status != MW_OK)
            return L->status;
        if (id->count > 0 && mw__imap_sc_sp(L) != MW_OK)
            return L->status;
        if (id->count >= ID_PAIRS_MAX)
            return mw__imap_lex_fail(L, MW_E_LIMIT,
                                     "more than 30 ID pairs (RFC 2971 §3.3)");
        pp = (mw_imap_id_param *)mw__imap_sc_push(P, id->params, id->count,
                                                  sizeof *pp,
                                                  "arena full (ID)");
        if (pp == NULL)
            return L->status;
        if (id->count == 0)
            id->params = pp;
        at = L->p;
        if (mw__imap_sc_string(P, &pp->field) != MW_OK)
            return L->status;
        if (pp->field.len > ID_FIELD_MAX)
            return mw__imap_sc_fail_at(L, at, MW_E_TOO_LONG,
                                       "ID field longer than 30 octets "
                                       "(RFC 2971 §3.3)");
        if (mw__imap_sc_sp(L) != MW_OK)
            return L->status;
        at = L->p;
        if (mw__imap_sc_nstring(P, &pp->value) != MW_OK)
            return L->status;
        if (pp->value.len > ID_VALUE_MAX)
            return mw__imap_sc_fail_at(L, at, MW_E_TOO_LONG,
                                       "ID value longer than 1024 octets "
                                       "(RFC 2971 §3.3)");
        id->count++;
    }
    return mw__imap_sc_end(L);
}

/* ---- QUOTA --------------------------------------------------------------- */

int mw__imap_sc_setquota(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_quota_args *q = &P->cmd->u.quota;
    /* setquota = "SETQUOTA" SP quota-root-name SP setquota-list;
     * setquota-list = "(" [setquota-resource *(SP setquota-resource)] ")";
     * setquota-resource = resource-name SP resource-limit;
     * resource-limit = number64 (RFC 9208 §9) */
    if (mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_sc_astring(P, &q->root) != MW_OK ||
        mw__imap_sc_sp(L) != MW_OK || mw__imap_sc_expect(L, '(') != MW_OK)
        return L->status;
    while (!mw__imap_sc_accept(L, ')')) {
        mw_imap_quota_limit *r;
        if (L->status != MW_OK)
            return L->status;
        if (q->nlimits > 0 && mw__imap_sc_sp(L) != MW_OK)
            return L->status;
        r = (mw_imap_quota_limit *)mw__imap_sc_push(P, q->limits, q->nlimits,
                                                    sizeof *r,
                                                    "arena full (SETQUOTA)");
        if (r == NULL)
            return L->status;
        if (q->nlimits == 0)
            q->limits = r;
        if (mw__imap_lex_atom(L, &r->resource) != MW_OK ||
            mw__imap_sc_sp(L) != MW_OK ||
            mw__imap_sc_number64(L, &r->limit) != MW_OK)
            return L->status;
        q->nlimits++;
    }
    return mw__imap_sc_end(L);
}

/* ---- METADATA ------------------------------------------------------------- */

/* entry = astring; RFC 5464 §5: slash-separated, MUST NOT contain "*" or
 * "%" */
static int entry_name(mw__imap_cmdp *P, mw_span *out)
{
    mw__imap_lex *L = &P->L;
    const char *at = L->p;
    size_t i;
    if (mw__imap_sc_astring(P, out) != MW_OK)
        return L->status;
    for (i = 0; i < out->len; i++) {
        if (out->ptr[i] == '*' || out->ptr[i] == '%')
            return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                       "\"*\" or \"%\" in a metadata entry "
                                       "name (RFC 5464 §5)");
    }
    return MW_OK;
}

static mw_imap_metadata_item *new_entry(mw__imap_cmdp *P)
{
    mw_imap_metadata_args *m = &P->cmd->u.metadata;
    mw_imap_metadata_item *e = (mw_imap_metadata_item *)mw__imap_sc_push(
        P, m->entries, m->count, sizeof *e, "arena full (METADATA)");
    if (e != NULL && m->count == 0)
        m->entries = e;
    return e;
}

int mw__imap_sc_getmetadata(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_metadata_args *m = &P->cmd->u.metadata;
    mw_imap_metadata_item *e;
    /* getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP
     *               getmetadata-entries
     * getmetadata-options = "(" getmetadata-option
     *                       *(SP getmetadata-option) ")"
     * maxsize-opt = "MAXSIZE" SP number
     * scope-opt = "DEPTH" SP ("0" / "1" / "infinity")
     * getmetadata-entries = entry / "(" entry *(SP entry) ")"
     *                                                   (RFC 5464 §5) */
    if (mw__imap_sc_sp(L) != MW_OK)
        return L->status;
    if (mw__imap_sc_accept(L, '(')) {
        for (;;) {
            const char *at = L->p;
            mw_span w = mw__imap_sc_word(L);
            if (MW__SC_IS(w, "MAXSIZE") && !m->has_maxsize) {
                if (mw__imap_sc_sp(L) != MW_OK ||
                    mw__imap_lex_number(L, &m->maxsize) != MW_OK)
                    return L->status;
                m->has_maxsize = 1;
            } else if (MW__SC_IS(w, "DEPTH") && !m->has_depth) {
                mw_span d;
                if (mw__imap_sc_sp(L) != MW_OK)
                    return L->status;
                at = L->p;
                d = mw__imap_sc_word(L);
                if (MW__SC_IS(d, "0"))
                    m->depth = 0;
                else if (MW__SC_IS(d, "1"))
                    m->depth = 1;
                else if (MW__SC_IS(d, "INFINITY"))
                    m->depth = 255;
                else
                    return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                               "DEPTH must be 0, 1 or "
                                               "infinity (RFC 5464 §4.2.2)");
                m->has_depth = 1;
            } else {
                return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                           "unknown or repeated GETMETADATA "
                                           "option");
            }
            if (mw__imap_sc_accept(L, ')'))
                break;
            if (mw__imap_sc_sp(L) != MW_OK)
                return L->status;
        }
        if (mw__imap_sc_sp(L) != MW_OK)
            return L->status;
    }
    if (mw__imap_sc_mailbox(P, &m->mailbox, 0) != MW_OK ||
        mw__imap_sc_sp(L) != MW_OK)
        return L->status;
    if (mw__imap_sc_accept(L, '(')) {
        for (;;) {
            if ((e = new_entry(P)) == NULL || entry_name(P, &e->entry) != MW_OK)
                return L->status;
            m->count++;
            if (mw__imap_sc_accept(L, ')'))
                break;
            if (mw__imap_sc_sp(L) != MW_OK)
                return L->status;
        }
    } else {
        if ((e = new_entry(P)) == NULL || entry_name(P, &e->entry) != MW_OK)
            return L->status;
        m->count = 1;
    }
    return mw__imap_sc_end(L);
}

int mw__imap_sc_setmetadata(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_metadata_args *m = &P->cmd->u.metadata;
    /* setmetadata = "SETMETADATA" SP mailbox SP entry-values;
     * entry-values = "(" entry-value *(SP entry-value) ")";
     * entry-value = entry SP value; value = nstring / literal8
     *                                                   (RFC 5464 §5) */
    if (mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_sc_mailbox(P, &m->mailbox, 0) != MW_OK ||
        mw__imap_sc_sp(L) != MW_OK || mw__imap_sc_expect(L, '(') != MW_OK)
        return L->status;
    for (;;) {
        mw_imap_metadata_item *e = new_entry(P);
        if (e == NULL || entry_name(P, &e->entry) != MW_OK ||
            mw__imap_sc_sp(L) != MW_OK)
            return L->status;
        if (mw__imap_sc_at(L, '~') || mw__imap_sc_at(L, '{')) {
            const char *q = L->p;
            P->cmd->flags |= MW_IMAP_CMDF_LITERAL;
            while (q < L->end && *q != '}')
                q++;
            if (q > L->p && q[-1] == '+')
                P->cmd->flags |= MW_IMAP_CMDF_NONSYNC;
            if (mw__imap_lex_literal(L, &e->value, &e->binary) != MW_OK)
                return L->status;
            if (e->binary)
                P->cmd->flags |= MW_IMAP_CMDF_LITERAL8;
        } else if (mw__imap_sc_nstring(P, &e->value) != MW_OK) {
            return L->status;
        }
        m->count++;
        if (mw__imap_sc_accept(L, ')'))
            break;
        if (mw__imap_sc_sp(L) != MW_OK)
            return L->status;
    }
    return mw__imap_sc_end(L);
}
