/* SPDX-License-Identifier: MIT */
/*
 * IMAP client command formatting, part 2: every command but AUTHENTICATE
 * (client_cmd_auth.c), RFC 9051 §6 and RFC 3501 §6 with the extensions'
 * parameters: CONDSTORE/QRESYNC (RFC 7162), LIST-EXTENDED (RFC 5258),
 * LIST-STATUS (RFC 5819), SPECIAL-USE (RFC 6154), ESEARCH (RFC 4731),
 * SEARCHRES (RFC 5182), SORT/THREAD (RFC 5256), MULTIAPPEND (RFC 3502),
 * CATENATE (RFC 4469), BINARY (RFC 3516), UIDPLUS (RFC 4315), MOVE
 * (RFC 6851), ID (RFC 2971), ENABLE (RFC 5161), IDLE (RFC 2177),
 * COMPRESS (RFC 4978), QUOTA (RFC 9208).
 *
 * Each function checks every argument first and formats the whole command
 * into the command buffer; only a command that is complete and valid is
 * entered in the pending table and sent (mw__imapc_issue).
 */
#include <string.h>

#include "imap/client_int.h"

#define MODSEQ_MAX 0x7FFFFFFFFFFFFFFFull

static int simple(mw_imap_client *c, int id, const char *name,
                  uint32_t *handle)
{
    mw__imap_out o;
    int r = mw__imapc_begin(c, &o, id, name);
    if (r != MW_OK)
        return r;
    return mw__imapc_issue(c, &o, id, 0, handle);
}

/* ---- any state -------------------------------------------------------- */

int mw_imap_client_capability(mw_imap_client *c, uint32_t *handle)
{
    return simple(c, MW_IMAP_CMD_CAPABILITY, "CAPABILITY", handle);
}

int mw_imap_client_noop(mw_imap_client *c, uint32_t *handle)
{
    return simple(c, MW_IMAP_CMD_NOOP, "NOOP", handle);
}

int mw_imap_client_logout(mw_imap_client *c, uint32_t *handle)
{
    return simple(c, MW_IMAP_CMD_LOGOUT, "LOGOUT", handle);
}

int mw_imap_client_id(mw_imap_client *c, const mw_span *fields,
                      const mw_span *values, size_t n, uint32_t *handle)
{
    mw__imap_out o;
    size_t i;
    int r;
    /* RFC 2971 §3.3: at most 30 pairs, fields of at most 30 octets,
     * values of at most 1024. */
    if (c == NULL || n > 30 ||
        (n > 0 && (fields == NULL || values == NULL)))
        return MW_E_INVAL;
    for (i = 0; i < n; i++) {
        if (fields[i].ptr == NULL || fields[i].len > 30 ||
            (values[i].ptr != NULL && values[i].len > 1024))
            return MW_E_INVAL;
        /* Both are quoted strings here: no CR, LF, 8-bit or NUL. */
        if (mw__imap_str_form(fields[i].ptr, fields[i].len,
                              MW__IMAP_STR_NO_ATOM) != MW__IMAP_FORM_QUOTED ||
            (values[i].ptr != NULL &&
             mw__imap_str_form(values[i].ptr, values[i].len,
                               MW__IMAP_STR_NO_ATOM) !=
                 MW__IMAP_FORM_QUOTED))
            return MW_E_INVAL;
    }
    r = mw__imapc_begin(c, &o, MW_IMAP_CMD_ID, "ID ");
    if (r != MW_OK)
        return r;
    if (n == 0) {
        mw__imap_out_raw(&o, "NIL", 3);
    } else {
        mw__imap_out_char(&o, '(');
        for (i = 0; i < n; i++) {
            if (i > 0)
                mw__imap_out_char(&o, ' ');
            mw__imap_out_string(&o, fields[i].ptr, fields[i].len,
                                MW__IMAP_STR_NO_ATOM);
            mw__imap_out_char(&o, ' ');
            mw__imap_out_nstring(&o, values[i], MW__IMAP_STR_NO_ATOM);
        }
        mw__imap_out_char(&o, ')');
    }
    return mw__imapc_issue(c, &o, MW_IMAP_CMD_ID, 0, handle);
}

int mw_imap_client_command(mw_imap_client *c, const char *text, size_t n,
                           int cmd, uint32_t *handle)
{
    mw__imap_out o;
    int r;
    if (c == NULL || text == NULL || n == 0)
        return MW_E_INVAL;
    /* Commands that need the machine's help, and ids that are no
     * commands. */
    switch (cmd) {
    case MW_IMAP_CMD_NONE:
    case MW_IMAP_CMD_STARTTLS:
    case MW_IMAP_CMD_AUTHENTICATE:
    case MW_IMAP_CMD_APPEND:
    case MW_IMAP_CMD_IDLE:
    case MW_IMAP_CMD_COMPRESS:
    case MW_IMAP_CMD_LOGOUT:
    case MW_IMAP_CMD_UID:
    case MW_IMAP_CMD_DONE:
        return MW_E_INVAL;
    default:
        if (cmd < 0 || (cmd > MW_IMAP_CMD_DONE && cmd != MW_IMAP_CMD_OTHER))
            return MW_E_INVAL;
        break;
    }
    if (mw__find_cr_or_lf(text, n) < n || memchr(text, 0, n) != NULL)
        return MW_E_INVAL;
    r = mw__imapc_begin(c, &o, cmd, "");
    if (r != MW_OK)
        return r;
    mw__imap_out_raw(&o, text, n);
    return mw__imapc_issue(c, &o, cmd, 0, handle);
}

/* ---- not authenticated state ------------------------------------------ */

int mw_imap_client_starttls(mw_imap_client *c, uint32_t *handle)
{
    int r;
    if (c == NULL)
        return MW_E_INVAL;
    if (c->flags & MW__IMAPC_F_TLS)
        return (c->flags & MW__IMAPC_F_CLOSED) ? MW_E_CLOSED : MW_E_STATE;
    r = mw__imapc_check(c, MW_IMAP_CMD_STARTTLS);
    if (r != MW_OK)
        return r;
    if ((c->flags & MW__IMAPC_F_CAPS) &&
        !(c->caps.bits & MW_IMAP_CAP_STARTTLS)) {
        /* field-notes §4.1: with TLS required, a server that does not
         * offer STARTTLS ends the session rather than the session going
         * on in clear. */
        if (c->flags & MW__IMAPC_F_REQ_TLS)
            return mw__imapc_fatal(c, MW_E_STATE, 0,
                                   "server does not offer STARTTLS and TLS "
                                   "is required");
        return MW_E_STATE;
    }
    return simple(c, MW_IMAP_CMD_STARTTLS, "STARTTLS", handle);
}

int mw_imap_client_login(mw_imap_client *c, const char *user, size_t ulen,
                         const char *pass, size_t plen, uint32_t *handle)
{
    mw__imap_out o;
    int r;
    if (c == NULL || (user == NULL && ulen > 0) || (pass == NULL && plen > 0))
        return MW_E_INVAL;
    r = mw__imapc_check(c, MW_IMAP_CMD_LOGIN);
    if (r != MW_OK)
        return r;
    /* RFC 9051 §6.2.3: LOGINDISABLED forbids LOGIN. */
    if ((c->flags & MW__IMAPC_F_CAPS) &&
        (c->caps.bits & MW_IMAP_CAP_LOGINDISABLED))
        return MW_E_STATE;
    r = mw__imapc_begin(c, &o, MW_IMAP_CMD_LOGIN, "LOGIN ");
    if (r != MW_OK)
        return r;
    c->flags |= MW__IMAPC_F_SECRET;
    mw__imapc_string(c, &o, user, ulen, MW__IMAP_STR_ASTRING);
    mw__imap_out_char(&o, ' ');
    mw__imapc_string(c, &o, pass, plen, MW__IMAP_STR_ASTRING);
    return mw__imapc_issue(c, &o, MW_IMAP_CMD_LOGIN, 0, handle);
}

/* ---- authenticated state ---------------------------------------------- */

int mw_imap_client_enable(mw_imap_client *c, const char *const *names,
                          size_t n, uint32_t *handle)
{
    mw__imap_out o;
    size_t i;
    int r;
    if (c == NULL || names == NULL || n == 0)
        return MW_E_INVAL;
    r = mw__imapc_begin(c, &o, MW_IMAP_CMD_ENABLE, "ENABLE");
    if (r != MW_OK)
        return r;
    for (i = 0; i < n; i++) {
        mw__imap_out_char(&o, ' ');
        mw__imapc_atom(&o, names[i], names[i] != NULL ? strlen(names[i]) : 0);
    }
    return mw__imapc_issue(c, &o, MW_IMAP_CMD_ENABLE, 0, handle);
}

static void select_params(mw__imap_out *o, const mw_imap_select_params *p)
{
    if (p == NULL || (!p->condstore && !p->qresync))
        return;
    if (p->qresync) {
        /* RFC 7162 §3.2.5: QRESYNC (uidvalidity mod-sequence-value
         * [SP known-uids [SP seq-match-data]]) */
        if (p->uidvalidity == 0 || p->modseq == 0 || p->modseq > MODSEQ_MAX ||
            ((p->match_seqs != NULL) != (p->match_uids != NULL)) ||
            (p->match_seqs != NULL && p->known_uids == NULL) ||
            (p->known_uids != NULL && p->known_uids->dollar) ||
            (p->match_seqs != NULL &&
             (p->match_seqs->dollar || p->match_uids->dollar))) {
            if (o->status == MW_OK)
                o->status = MW_E_INVAL;
            return;
        }
    }
    mw__imap_out_raw(o, " (", 2);
    if (p->condstore)
        mw__imap_out_raw(o, "CONDSTORE", 9);
    if (p->qresync) {
        if (p->condstore)
            mw__imap_out_char(o, ' ');
        mw__imap_out_raw(o, "QRESYNC (", 9);
        mw__imap_out_u32(o, p->uidvalidity);
        mw__imap_out_char(o, ' ');
        mw__imap_out_u64(o, p->modseq);
        if (p->known_uids != NULL) {
            mw__imap_out_char(o, ' ');
            mw__imapc_seqset(o, p->known_uids);
            if (p->match_seqs != NULL) {
                mw__imap_out_raw(o, " (", 2);
                mw__imapc_seqset(o, p->match_seqs);
                mw__imap_out_char(o, ' ');
                mw__imapc_seqset(o, p->match_uids);
                mw__imap_out_char(o, ')');
            }
        }
        mw__imap_out_char(o, ')');
    }
    mw__imap_out_char(o, ')');
}

static int select_cmd(mw_imap_client *c, int id, const char *name,
                      const char *mbox, size_t mlen,
                      const mw_imap_select_params *p, uint32_t *handle)
{
    mw__imap_out o;
    int r = mw__imapc_begin(c, &o, id, name);
    if (r != MW_OK)
        return r;
    mw__imapc_mailbox(c, &o, mbox, mlen, 0);
    select_params(&o, p);
    return mw__imapc_issue(c, &o, id, 0, handle);
}

int mw_imap_client_select(mw_imap_client *c, const char *mbox, size_t mlen,
                          const mw_imap_select_params *p, uint32_t *handle)
{
    return select_cmd(c, MW_IMAP_CMD_SELECT, "SELECT ", mbox, mlen, p,
                      handle);
}

int mw_imap_client_examine(mw_imap_client *c, const char *mbox, size_t mlen,
                           const mw_imap_select_params *p, uint32_t *handle)
{
    return select_cmd(c, MW_IMAP_CMD_EXAMINE, "EXAMINE ", mbox, mlen, p,
                      handle);
}

static int mbox_cmd(mw_imap_client *c, int id, const char *name,
                    const char *mbox, size_t mlen, uint32_t *handle)
{
    mw__imap_out o;
    int r = mw__imapc_begin(c, &o, id, name);
    if (r != MW_OK)
        return r;
    mw__imapc_mailbox(c, &o, mbox, mlen, 0);
    return mw__imapc_issue(c, &o, id, 0, handle);
}

int mw_imap_client_create(mw_imap_client *c, const char *mbox, size_t mlen,
                          uint32_t *handle)
{
    return mbox_cmd(c, MW_IMAP_CMD_CREATE, "CREATE ", mbox, mlen, handle);
}

int mw_imap_client_delete(mw_imap_client *c, const char *mbox, size_t mlen,
                          uint32_t *handle)
{
    return mbox_cmd(c, MW_IMAP_CMD_DELETE, "DELETE ", mbox, mlen, handle);
}

int mw_imap_client_subscribe(mw_imap_client *c, const char *mbox,
                             size_t mlen, uint32_t *handle)
{
    return mbox_cmd(c, MW_IMAP_CMD_SUBSCRIBE, "SUBSCRIBE ", mbox, mlen,
                    handle);
}

int mw_imap_client_unsubscribe(mw_imap_client *c, const char *mbox,
                               size_t mlen, uint32_t *handle)
{
    return mbox_cmd(c, MW_IMAP_CMD_UNSUBSCRIBE, "UNSUBSCRIBE ", mbox, mlen,
                    handle);
}

int mw_imap_client_getquotaroot(mw_imap_client *c, const char *mbox,
                                size_t mlen, uint32_t *handle)
{
    return mbox_cmd(c, MW_IMAP_CMD_GETQUOTAROOT, "GETQUOTAROOT ", mbox, mlen,
                    handle);
}

int mw_imap_client_rename(mw_imap_client *c, const char *from, size_t flen,
                          const char *to, size_t tlen, uint32_t *handle)
{
    mw__imap_out o;
    int r = mw__imapc_begin(c, &o, MW_IMAP_CMD_RENAME, "RENAME ");
    if (r != MW_OK)
        return r;
    mw__imapc_mailbox(c, &o, from, flen, 0);
    mw__imap_out_char(&o, ' ');
    mw__imapc_mailbox(c, &o, to, tlen, 0);
    return mw__imapc_issue(c, &o, MW_IMAP_CMD_RENAME, 0, handle);
}

/* Every MW_IMAP_STATUS_* item the client can ask for (names:
 * mw__imap_status_name()). */
#define STATUS_KNOWN ((1u << MW__IMAP_STATUS_COUNT) - 1u)

static void status_items(mw__imap_out *o, unsigned items)
{
    unsigned i;
    int any = 0;
    if (items == 0 || (items & ~STATUS_KNOWN) != 0) {
        if (o->status == MW_OK)
            o->status = MW_E_INVAL;
        return;
    }
    mw__imap_out_char(o, '(');
    for (i = 0; i < MW__IMAP_STATUS_COUNT; i++) {
        if (items & (1u << i)) {
            if (any)
                mw__imap_out_char(o, ' ');
            mw__imap_out_cstr(o, mw__imap_status_name(i));
            any = 1;
        }
    }
    mw__imap_out_char(o, ')');
}

int mw_imap_client_status(mw_imap_client *c, const char *mbox, size_t mlen,
                          unsigned items, uint32_t *handle)
{
    mw__imap_out o;
    int r;
    if (c == NULL || items == 0 || (items & ~STATUS_KNOWN) != 0)
        return MW_E_INVAL;
    r = mw__imapc_begin(c, &o, MW_IMAP_CMD_STATUS, "STATUS ");
    if (r != MW_OK)
        return r;
    mw__imapc_mailbox(c, &o, mbox, mlen, 0);
    mw__imap_out_char(&o, ' ');
    status_items(&o, items);
    return mw__imapc_issue(c, &o, MW_IMAP_CMD_STATUS, 0, handle);
}

int mw_imap_client_list(mw_imap_client *c, const char *ref, size_t rlen,
                        const char *pattern, size_t plen,
                        const mw_imap_list_params *p, uint32_t *handle)
{
    static const char *const sel_names[] = {"SUBSCRIBED", "REMOTE",
                                            "RECURSIVEMATCH", "SPECIAL-USE"};
    static const char *const ret_names[] = {"SUBSCRIBED", "CHILDREN",
                                            "SPECIAL-USE"};
    mw__imap_out o;
    unsigned i;
    int r, any;
    if (c == NULL)
        return MW_E_INVAL;
    if (p != NULL) {
        /* RFC 5258 §3.1: RECURSIVEMATCH only with another selection
         * option. */
        if ((p->select & ~0x0Fu) != 0 || (p->ret & ~0x0Fu) != 0 ||
            p->select == MW_IMAP_CLIENT_LISTSEL_RECURSIVEMATCH ||
            ((p->ret & MW_IMAP_CLIENT_LISTRET_STATUS) &&
             (p->status_items == 0 ||
              (p->status_items & ~STATUS_KNOWN) != 0)) ||
            (p->patterns == NULL && p->npatterns > 0))
            return MW_E_INVAL;
    }
    r = mw__imapc_begin(c, &o, MW_IMAP_CMD_LIST, "LIST ");
    if (r != MW_OK)
        return r;
    if (p != NULL && p->select != 0) {
        mw__imap_out_char(&o, '(');
        for (i = 0, any = 0; i < 4; i++) {
            if (p->select & (1u << i)) {
                if (any)
                    mw__imap_out_char(&o, ' ');
                mw__imap_out_cstr(&o, sel_names[i]);
                any = 1;
            }
        }
        mw__imap_out_raw(&o, ") ", 2);
    }
    mw__imapc_mailbox(c, &o, ref, rlen, 0);
    mw__imap_out_char(&o, ' ');
    if (p != NULL && p->npatterns > 0) {
        size_t k;
        mw__imap_out_char(&o, '(');
        for (k = 0; k < p->npatterns; k++) {
            if (k > 0)
                mw__imap_out_char(&o, ' ');
            mw__imapc_mailbox(c, &o, p->patterns[k].ptr, p->patterns[k].len,
                              1);
        }
        mw__imap_out_char(&o, ')');
    } else {
        mw__imapc_mailbox(c, &o, pattern, plen, 1);
    }
    if (p != NULL && p->ret != 0) {
        mw__imap_out_raw(&o, " RETURN (", 9);
        for (i = 0, any = 0; i < 3; i++) {
            if (p->ret & (1u << i)) {
                if (any)
                    mw__imap_out_char(&o, ' ');
                mw__imap_out_cstr(&o, ret_names[i]);
                any = 1;
            }
        }
        if (p->ret & MW_IMAP_CLIENT_LISTRET_STATUS) {
            if (any)
                mw__imap_out_char(&o, ' ');
            mw__imap_out_raw(&o, "STATUS ", 7);
            status_items(&o, p->status_items);
        }
        mw__imap_out_char(&o, ')');
    }
    return mw__imapc_issue(c, &o, MW_IMAP_CMD_LIST, 0, handle);
}

int mw_imap_client_lsub(mw_imap_client *c, const char *ref, size_t rlen,
                        const char *pattern, size_t plen, uint32_t *handle)
{
    mw__imap_out o;
    int r = mw__imapc_begin(c, &o, MW_IMAP_CMD_LSUB, "LSUB ");
    if (r != MW_OK)
        return r;
    mw__imapc_mailbox(c, &o, ref, rlen, 0);
    mw__imap_out_char(&o, ' ');
    mw__imapc_mailbox(c, &o, pattern, plen, 1);
    return mw__imapc_issue(c, &o, MW_IMAP_CMD_LSUB, 0, handle);
}

int mw_imap_client_namespace(mw_imap_client *c, uint32_t *handle)
{
    return simple(c, MW_IMAP_CMD_NAMESPACE, "NAMESPACE", handle);
}

int mw_imap_client_idle(mw_imap_client *c, uint32_t *handle)
{
    int r = simple(c, MW_IMAP_CMD_IDLE, "IDLE", handle);
    if (r == MW_OK)
        c->wait = MW__IMAPC_W_IDLE;
    return r;
}

int mw_imap_client_compress(mw_imap_client *c, uint32_t *handle)
{
    if (c != NULL && (c->flags & MW__IMAPC_F_COMPRESSED))
        return MW_E_STATE; /* RFC 4978 §3: only once */
    return simple(c, MW_IMAP_CMD_COMPRESS, "COMPRESS DEFLATE", handle);
}

int mw_imap_client_getquota(mw_imap_client *c, const char *root, size_t rlen,
                            uint32_t *handle)
{
    mw__imap_out o;
    int r = mw__imapc_begin(c, &o, MW_IMAP_CMD_GETQUOTA, "GETQUOTA ");
    if (r != MW_OK)
        return r;
    mw__imapc_string(c, &o, root, rlen, MW__IMAP_STR_ASTRING);
    return mw__imapc_issue(c, &o, MW_IMAP_CMD_GETQUOTA, 0, handle);
}

int mw_imap_client_setquota(mw_imap_client *c, const char *root, size_t rlen,
                            const mw_imap_setquota_limit *limits, size_t n,
                            uint32_t *handle)
{
    mw__imap_out o;
    size_t i;
    int r;
    if (c == NULL || (limits == NULL && n > 0))
        return MW_E_INVAL;
    for (i = 0; i < n; i++)
        if (limits[i].limit > MODSEQ_MAX)
            return MW_E_INVAL; /* number64 */
    r = mw__imapc_begin(c, &o, MW_IMAP_CMD_SETQUOTA, "SETQUOTA ");
    if (r != MW_OK)
        return r;
    mw__imapc_string(c, &o, root, rlen, MW__IMAP_STR_ASTRING);
    mw__imap_out_raw(&o, " (", 2);
    for (i = 0; i < n; i++) {
        const char *res = limits[i].resource;
        if (i > 0)
            mw__imap_out_char(&o, ' ');
        mw__imapc_atom(&o, res, res != NULL ? strlen(res) : 0);
        mw__imap_out_char(&o, ' ');
        mw__imap_out_u64(&o, limits[i].limit);
    }
    mw__imap_out_char(&o, ')');
    return mw__imapc_issue(c, &o, MW_IMAP_CMD_SETQUOTA, 0, handle);
}

/* ---- APPEND ----------------------------------------------------------- */

static int append_msg_ok(const mw_imap_append_msg *m)
{
    return m != NULL && m->size <= MODSEQ_MAX;
}

/* RFC 6855 §4: the UTF8 data extension needs UTF8=ACCEPT (or UTF8=ONLY,
 * §6) from the server, when its capabilities are known. */
static int append_utf8_ok(const mw_imap_client *c,
                          const mw_imap_append_msg *m)
{
    return !m->utf8 || !(c->flags & MW__IMAPC_F_CAPS) ||
           (c->caps.bits & (MW_IMAP_CAP_UTF8_ACCEPT | MW_IMAP_CAP_UTF8_ONLY));
}

/* [SP flag-list] [SP date-time] SP ["UTF8 (" / "~"] literal header
 * (RFC 9051 §6.3.12, RFC 3502 §6.3.11, RFC 3516 §4.2, RFC 6855 §4). */
static void append_tail(mw_imap_client *c, mw__imap_out *o,
                        const mw_imap_append_msg *m)
{
    int nonsync = mw__imapc_nonsync(c, m->size);
    if (m->flags != NULL) {
        mw__imap_out_char(o, ' ');
        mw__imapc_flags(o, m->flags);
    }
    if (m->date != NULL) {
        mw__imap_out_char(o, ' ');
        mw__imap_out_datetime(o, m->date);
    }
    if (m->utf8)
        mw__imap_out_raw(o, " UTF8 (~{", 9);
    else
        mw__imap_out_raw(o, m->binary ? " ~{" : " {", m->binary ? 3 : 2);
    mw__imap_out_u64(o, m->size);
    if (nonsync)
        mw__imap_out_char(o, '+');
    mw__imap_out_raw(o, "}\r\n", 3);
    if (o->status != MW_OK)
        return;
    c->flags |= MW__IMAPC_F_APPEND | MW__IMAPC_F_APPEND_LIT;
    c->flags &= ~(uint32_t)(MW__IMAPC_F_APPEND_SYNC | MW__IMAPC_F_APPEND_MSG |
                            MW__IMAPC_F_APPEND_DATA);
    if (!nonsync)
        c->flags |= MW__IMAPC_F_APPEND_SYNC;
    if (m->binary || m->utf8)
        c->flags |= MW__IMAPC_F_APPEND_BIN;
    if (m->utf8)
        c->flags |= MW__IMAPC_F_APPEND_UTF8;
    c->lit_size = c->lit_left = m->size;
}

int mw_imap_client_append(mw_imap_client *c, const char *mbox, size_t mlen,
                          const mw_imap_append_msg *m, uint32_t *handle)
{
    mw__imap_out o;
    int r;
    if (c == NULL || !append_msg_ok(m))
        return MW_E_INVAL;
    if (!append_utf8_ok(c, m))
        return MW_E_STATE;
    r = mw__imapc_begin(c, &o, MW_IMAP_CMD_APPEND, "APPEND ");
    if (r != MW_OK)
        return r;
    mw__imapc_mailbox(c, &o, mbox, mlen, 0);
    append_tail(c, &o, m);
    return mw__imapc_issue(c, &o, MW_IMAP_CMD_APPEND, 0, handle);
}

/* The message in progress is complete and another may follow it
 * (RFC 3502: more than one message needs MULTIAPPEND; RFC 4469 §5: a
 * CATENATE message has at least one part). */
static int append_more_ok(const mw_imap_client *c)
{
    if (!mw__imapc_append_idle(c) ||
        (c->flags & (MW__IMAPC_F_APPEND_CAT | MW__IMAPC_F_APPEND_PART)) ==
            MW__IMAPC_F_APPEND_CAT)
        return 0;
    return !(c->flags & MW__IMAPC_F_CAPS) ||
           (c->caps.bits & MW_IMAP_CAP_MULTIAPPEND);
}

/* The ")" the message before owes: "UTF8 (~{n}" (RFC 6855 §4) or
 * "CATENATE (" (RFC 4469 §5). */
static void append_close(const mw_imap_client *c, mw__imap_out *o)
{
    if (c->flags & (MW__IMAPC_F_APPEND_UTF8 | MW__IMAPC_F_APPEND_CAT))
        mw__imap_out_char(o, ')');
}

int mw_imap_client_append_next(mw_imap_client *c, const mw_imap_append_msg *m)
{
    mw__imap_out o;
    if (c == NULL || !append_msg_ok(m))
        return MW_E_INVAL;
    if (c->flags & MW__IMAPC_F_CLOSED)
        return MW_E_CLOSED;
    if (!append_more_ok(c) || !append_utf8_ok(c, m))
        return MW_E_STATE;
    mw__imapc_append_out(c, &o);
    append_close(c, &o);
    append_tail(c, &o, m);
    return mw__imapc_append_more(c, &o);
}

/* ---- CATENATE (RFC 4469) ---------------------------------------------- */

/* RFC 4469: only with CATENATE offered, when the capabilities are
 * known. */
static int catenate_ok(const mw_imap_client *c)
{
    return !(c->flags & MW__IMAPC_F_CAPS) ||
           (c->caps.bits & MW_IMAP_CAP_CATENATE);
}

/* [SP flag-list] [SP date-time] SP "CATENATE" SP "(" (RFC 4469 §5
 * append-data, RFC 4466 append-opts). The parts follow. */
static void catenate_head(mw_imap_client *c, mw__imap_out *o,
                          const mw_imap_flag_set *flags,
                          const mw_imap_datetime *date)
{
    if (flags != NULL) {
        mw__imap_out_char(o, ' ');
        mw__imapc_flags(o, flags);
    }
    if (date != NULL) {
        mw__imap_out_char(o, ' ');
        mw__imap_out_datetime(o, date);
    }
    mw__imap_out_raw(o, " CATENATE (", 11);
    if (o->status != MW_OK)
        return;
    c->flags &= ~(uint32_t)(MW__IMAPC_F_APPEND_LIT | MW__IMAPC_F_APPEND_SYNC |
                            MW__IMAPC_F_APPEND_MSG | MW__IMAPC_F_APPEND_DATA);
    c->flags |= MW__IMAPC_F_APPEND | MW__IMAPC_F_APPEND_CAT;
    c->lit_size = c->lit_left = 0;
}

int mw_imap_client_catenate(mw_imap_client *c, const char *mbox, size_t mlen,
                            const mw_imap_flag_set *flags,
                            const mw_imap_datetime *date, uint32_t *handle)
{
    mw__imap_out o;
    int r;
    if (c == NULL)
        return MW_E_INVAL;
    r = mw__imapc_check(c, MW_IMAP_CMD_APPEND);
    if (r != MW_OK)
        return r;
    if (!catenate_ok(c))
        return MW_E_STATE;
    r = mw__imapc_begin(c, &o, MW_IMAP_CMD_APPEND, "APPEND ");
    if (r != MW_OK)
        return r;
    mw__imapc_mailbox(c, &o, mbox, mlen, 0);
    catenate_head(c, &o, flags, date);
    return mw__imapc_issue(c, &o, MW_IMAP_CMD_APPEND, 0, handle);
}

int mw_imap_client_catenate_next(mw_imap_client *c,
                                 const mw_imap_flag_set *flags,
                                 const mw_imap_datetime *date)
{
    mw__imap_out o;
    if (c == NULL)
        return MW_E_INVAL;
    if (c->flags & MW__IMAPC_F_CLOSED)
        return MW_E_CLOSED;
    if (!append_more_ok(c) || !catenate_ok(c))
        return MW_E_STATE;
    mw__imapc_append_out(c, &o);
    append_close(c, &o);
    catenate_head(c, &o, flags, date);
    return mw__imapc_append_more(c, &o);
}

/* A part may be written now: a CATENATE message is open and nothing of
 * the part before is due. */
static int part_ok(const mw_imap_client *c)
{
    return (c->flags & MW__IMAPC_F_APPEND_CAT) && mw__imapc_append_idle(c);
}

/* RFC 4469 §5: url = "URL" SP astring, an IMAP URL (RFC 5092: printable
 * US-ASCII, anything else percent-encoded). Sent quoted, as in the RFC's
 * examples, so it never needs a literal. */
int mw_imap_client_catenate_url(mw_imap_client *c, const char *url,
                                size_t len)
{
    mw__imap_out o;
    size_t i;
    if (c == NULL || url == NULL || len == 0 || len > 1024)
        return MW_E_INVAL;
    for (i = 0; i < len; i++)
        if ((unsigned char)url[i] < 0x20 || (unsigned char)url[i] > 0x7E)
            return MW_E_INVAL;
    if (c->flags & MW__IMAPC_F_CLOSED)
        return MW_E_CLOSED;
    if (!part_ok(c))
        return MW_E_STATE;
    mw__imapc_append_out(c, &o);
    if (c->flags & MW__IMAPC_F_APPEND_PART)
        mw__imap_out_char(&o, ' ');
    mw__imap_out_raw(&o, "URL ", 4);
    mw__imap_out_string(&o, url, len, MW__IMAP_STR_NO_ATOM);
    if (o.status == MW_OK) {
        c->flags &= ~(uint32_t)MW__IMAPC_F_APPEND_DATA;
        c->flags |= MW__IMAPC_F_APPEND_PART;
    }
    return mw__imapc_append_more(c, &o);
}

/* RFC 4469 §5: text-literal = "TEXT" SP literal; synchronising or not by
 * the rules of every literal (RFC 7888). Never a literal8: the grammar
 * has none here. */
int mw_imap_client_catenate_text(mw_imap_client *c, uint64_t size)
{
    mw__imap_out o;
    int nonsync;
    if (c == NULL || size > MODSEQ_MAX)
        return MW_E_INVAL;
    if (c->flags & MW__IMAPC_F_CLOSED)
        return MW_E_CLOSED;
    if (!part_ok(c))
        return MW_E_STATE;
    nonsync = mw__imapc_nonsync(c, size);
    mw__imapc_append_out(c, &o);
    if (c->flags & MW__IMAPC_F_APPEND_PART)
        mw__imap_out_char(&o, ' ');
    mw__imap_out_raw(&o, "TEXT {", 6);
    mw__imap_out_u64(&o, size);
    if (nonsync)
        mw__imap_out_char(&o, '+');
    mw__imap_out_raw(&o, "}\r\n", 3);
    if (o.status == MW_OK) {
        c->flags &= ~(uint32_t)(MW__IMAPC_F_APPEND_DATA |
                                MW__IMAPC_F_APPEND_SYNC |
                                MW__IMAPC_F_APPEND_BIN);
        c->flags |= MW__IMAPC_F_APPEND_PART | MW__IMAPC_F_APPEND_LIT;
        if (!nonsync)
            c->flags |= MW__IMAPC_F_APPEND_SYNC;
        c->lit_size = c->lit_left = size;
    }
    return mw__imapc_append_more(c, &o);
}

/* ---- selected state --------------------------------------------------- */

int mw_imap_client_check(mw_imap_client *c, uint32_t *handle)
{
    return simple(c, MW_IMAP_CMD_CHECK, "CHECK", handle);
}

int mw_imap_client_close(mw_imap_client *c, uint32_t *handle)
{
    return simple(c, MW_IMAP_CMD_CLOSE, "CLOSE", handle);
}

int mw_imap_client_unselect(mw_imap_client *c, uint32_t *handle)
{
    return simple(c, MW_IMAP_CMD_UNSELECT, "UNSELECT", handle);
}

int mw_imap_client_expunge(mw_imap_client *c, uint32_t *handle)
{
    return simple(c, MW_IMAP_CMD_EXPUNGE, "EXPUNGE", handle);
}

int mw_imap_client_uid_expunge(mw_imap_client *c, const mw_imap_seqset *uids,
                               uint32_t *handle)
{
    mw__imap_out o;
    int r;
    if (c == NULL || !mw__imapc_seqset_ok(uids))
        return MW_E_INVAL;
    r = mw__imapc_begin(c, &o, MW_IMAP_CMD_EXPUNGE, "UID EXPUNGE ");
    if (r != MW_OK)
        return r;
    mw__imapc_seqset(&o, uids);
    return mw__imapc_issue(c, &o, MW_IMAP_CMD_EXPUNGE, MW__IMAPC_PF_UID,
                           handle);
}

/* " CHARSET x" when given, or UTF-8 when the program holds 8-bit strings
 * and the session does not speak UTF-8 natively. */
static void charset(mw_imap_client *c, mw__imap_out *o, const char *cs,
                    const mw_imap_query *q, int required)
{
    if (cs != NULL) {
        mw__imap_out_char(o, ' ');
        if (!required)
            mw__imap_out_raw(o, "CHARSET ", 8);
        mw__imapc_string(c, o, cs, strlen(cs), MW__IMAP_STR_ASTRING);
        return;
    }
    if (required)
        mw__imap_out_raw(o, " UTF-8", 6);
    else if (q->utf8 && !(c->enabled & (MW_IMAP_CLIENT_ENABLED_UTF8 |
                                       MW_IMAP_CLIENT_ENABLED_IMAP4REV2)))
        mw__imap_out_raw(o, " CHARSET UTF-8", 14);
}

int mw_imap_client_search(mw_imap_client *c, const mw_imap_query *q,
                          const mw_imap_search_params *p, uint32_t *handle)
{
    static const char *const ret_names[] = {"MIN", "MAX", "ALL", "COUNT",
                                            "SAVE"};
    mw__imap_out o;
    int r, uid = p != NULL && p->uid;
    if (c == NULL || !mw__imapc_query_complete(q))
        return q != NULL && q->status < 0 ? q->status : MW_E_INVAL;
    if (p != NULL && (p->ret & ~0x9Fu) != 0)
        return MW_E_INVAL;
    r = mw__imapc_begin(c, &o, MW_IMAP_CMD_SEARCH,
                        uid ? "UID SEARCH" : "SEARCH");
    if (r != MW_OK)
        return r;
    if (p != NULL && p->ret != 0) {
        /* search-return-opts = SP "RETURN" SP "(" [...] ")" (RFC 4731) */
        unsigned i;
        int any = 0;
        mw__imap_out_raw(&o, " RETURN (", 9);
        for (i = 0; i < 5; i++) {
            if (p->ret & (1u << i)) {
                if (any)
                    mw__imap_out_char(&o, ' ');
                mw__imap_out_cstr(&o, ret_names[i]);
                any = 1;
            }
        }
        mw__imap_out_char(&o, ')');
    }
    charset(c, &o, p != NULL ? p->charset : NULL, q, 0);
    mw__imap_out_char(&o, ' ');
    mw__imapc_query(c, &o, q);
    return mw__imapc_issue(c, &o, MW_IMAP_CMD_SEARCH,
                           uid ? MW__IMAPC_PF_UID : 0u, handle);
}

int mw_imap_client_sort(mw_imap_client *c, const int *criteria, size_t n,
                        const mw_imap_query *q,
                        const mw_imap_search_params *p, uint32_t *handle)
{
    static const char *const names[] = {"ARRIVAL", "CC", "DATE", "FROM",
                                        "SIZE", "SUBJECT", "TO",
                                        "DISPLAYFROM", "DISPLAYTO"};
    mw__imap_out o;
    size_t i;
    int r, uid = p != NULL && p->uid;
    if (c == NULL || criteria == NULL || n == 0 ||
        !mw__imapc_query_complete(q))
        return q != NULL && q->status < 0 ? q->status : MW_E_INVAL;
    for (i = 0; i < n; i++) {
        int k = criteria[i] & ~MW_IMAP_CLIENT_SORT_REVERSE;
        if (k < MW_IMAP_CLIENT_SORT_ARRIVAL ||
            k > MW_IMAP_CLIENT_SORT_DISPLAYTO)
            return MW_E_INVAL;
    }
    r = mw__imapc_begin(c, &o, MW_IMAP_CMD_SORT, uid ? "UID SORT (" : "SORT (");
    if (r != MW_OK)
        return r;
    for (i = 0; i < n; i++) {
        if (i > 0)
            mw__imap_out_char(&o, ' ');
        if (criteria[i] & MW_IMAP_CLIENT_SORT_REVERSE)
            mw__imap_out_raw(&o, "REVERSE ", 8);
        mw__imap_out_cstr(
            &o, names[(criteria[i] & ~MW_IMAP_CLIENT_SORT_REVERSE) - 1]);
    }
    mw__imap_out_char(&o, ')');
    charset(c, &o, p != NULL ? p->charset : NULL, q, 1);
    mw__imap_out_char(&o, ' ');
    mw__imapc_query(c, &o, q);
    return mw__imapc_issue(c, &o, MW_IMAP_CMD_SORT,
                           uid ? MW__IMAPC_PF_UID : 0u, handle);
}

int mw_imap_client_thread(mw_imap_client *c, const char *algorithm,
                          const mw_imap_query *q,
                          const mw_imap_search_params *p, uint32_t *handle)
{
    mw__imap_out o;
    int r, uid = p != NULL && p->uid;
    if (c == NULL || algorithm == NULL || !mw__imapc_query_complete(q))
        return q != NULL && q->status < 0 ? q->status : MW_E_INVAL;
    r = mw__imapc_begin(c, &o, MW_IMAP_CMD_THREAD,
                        uid ? "UID THREAD " : "THREAD ");
    if (r != MW_OK)
        return r;
    mw__imapc_atom(&o, algorithm, strlen(algorithm));
    charset(c, &o, p != NULL ? p->charset : NULL, q, 1);
    mw__imap_out_char(&o, ' ');
    mw__imapc_query(c, &o, q);
    return mw__imapc_issue(c, &o, MW_IMAP_CMD_THREAD,
                           uid ? MW__IMAPC_PF_UID : 0u, handle);
}

int mw_imap_client_fetch(mw_imap_client *c, const mw_imap_seqset *set,
                         const mw_imap_items *items,
                         const mw_imap_fetch_params *p, uint32_t *handle)
{
    mw__imap_out o;
    int r, uid = p != NULL && p->uid;
    if (c == NULL || items == NULL || !mw__imapc_seqset_ok(set))
        return MW_E_INVAL;
    if (items->status != MW_OK)
        return items->status;
    if (items->count == 0)
        return MW_E_INVAL;
    if (p != NULL &&
        ((p->changedsince && (p->modseq == 0 || p->modseq > MODSEQ_MAX)) ||
         (p->vanished && (!p->uid || !p->changedsince))))
        return MW_E_INVAL; /* RFC 7162 §3.2.6: VANISHED needs both */
    r = mw__imapc_begin(c, &o, MW_IMAP_CMD_FETCH,
                        uid ? "UID FETCH " : "FETCH ");
    if (r != MW_OK)
        return r;
    mw__imapc_seqset(&o, set);
    mw__imap_out_char(&o, ' ');
    if (items->count > 1)
        mw__imap_out_char(&o, '(');
    mw__imap_out_raw(&o, items->buf, items->len);
    if (items->count > 1)
        mw__imap_out_char(&o, ')');
    if (p != NULL && p->changedsince) {
        mw__imap_out_raw(&o, " (CHANGEDSINCE ", 15);
        mw__imap_out_u64(&o, p->modseq);
        if (p->vanished)
            mw__imap_out_raw(&o, " VANISHED", 9);
        mw__imap_out_char(&o, ')');
    }
    return mw__imapc_issue(c, &o, MW_IMAP_CMD_FETCH,
                           uid ? MW__IMAPC_PF_UID : 0u, handle);
}

int mw_imap_client_store(mw_imap_client *c, const mw_imap_seqset *set,
                         const mw_imap_store_params *p, uint32_t *handle)
{
    mw__imap_out o;
    int r;
    if (c == NULL || p == NULL || !mw__imapc_seqset_ok(set) ||
        p->mode < MW_IMAP_CLIENT_STORE_SET ||
        p->mode > MW_IMAP_CLIENT_STORE_REMOVE ||
        (p->unchangedsince && p->modseq > MODSEQ_MAX))
        return MW_E_INVAL;
    r = mw__imapc_begin(c, &o, MW_IMAP_CMD_STORE,
                        p->uid ? "UID STORE " : "STORE ");
    if (r != MW_OK)
        return r;
    mw__imapc_seqset(&o, set);
    if (p->unchangedsince) {
        /* store-modifier (RFC 7162 §3.1.3) */
        mw__imap_out_raw(&o, " (UNCHANGEDSINCE ", 17);
        mw__imap_out_u64(&o, p->modseq);
        mw__imap_out_char(&o, ')');
    }
    mw__imap_out_char(&o, ' ');
    if (p->mode == MW_IMAP_CLIENT_STORE_ADD)
        mw__imap_out_char(&o, '+');
    else if (p->mode == MW_IMAP_CLIENT_STORE_REMOVE)
        mw__imap_out_char(&o, '-');
    mw__imap_out_raw(&o, "FLAGS", 5);
    if (p->silent)
        mw__imap_out_raw(&o, ".SILENT", 7);
    mw__imap_out_char(&o, ' ');
    mw__imapc_flags(&o, &p->flags);
    return mw__imapc_issue(c, &o, MW_IMAP_CMD_STORE,
                           p->uid ? MW__IMAPC_PF_UID : 0u, handle);
}

static int copy_move(mw_imap_client *c, int id, int uid, const char *name,
                     const mw_imap_seqset *set, const char *mbox, size_t mlen,
                     uint32_t *handle)
{
    mw__imap_out o;
    int r;
    if (c == NULL || !mw__imapc_seqset_ok(set))
        return MW_E_INVAL;
    r = mw__imapc_begin(c, &o, id, uid ? "UID " : "");
    if (r != MW_OK)
        return r;
    mw__imap_out_cstr(&o, name);
    mw__imapc_seqset(&o, set);
    mw__imap_out_char(&o, ' ');
    mw__imapc_mailbox(c, &o, mbox, mlen, 0);
    return mw__imapc_issue(c, &o, id, uid ? MW__IMAPC_PF_UID : 0u, handle);
}

int mw_imap_client_copy(mw_imap_client *c, int uid, const mw_imap_seqset *set,
                        const char *mbox, size_t mlen, uint32_t *handle)
{
    return copy_move(c, MW_IMAP_CMD_COPY, uid, "COPY ", set, mbox, mlen,
                     handle);
}

int mw_imap_client_move(mw_imap_client *c, int uid, const mw_imap_seqset *set,
                        const char *mbox, size_t mlen, uint32_t *handle)
{
    return copy_move(c, MW_IMAP_CMD_MOVE, uid, "MOVE ", set, mbox, mlen,
                     handle);
}
