/* SPDX-License-Identifier: MIT */
/* IMAP client <-> server round trips, in-process: the client machine's
 * `send` feeds the server machine and the server's feeds the client.
 * Client to server: every command the client formats (strings in each
 * form, literals synchronising and LITERAL+, mailbox names in modified
 * UTF-7, search programs, FETCH items, APPEND streaming and CATENATE,
 * AUTHENTICATE, IDLE, STARTTLS) is parsed back by the server to the
 * values given.
 * Server to client: the responses the server formats (status with codes,
 * capabilities, LIST, STATUS, SEARCH, ESEARCH, FETCH items with ENVELOPE,
 * BODYSTRUCTURE and body sections, NAMESPACE, ID, QUOTA) are parsed back
 * by the client to the values given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/features.h"

#if MW_ENABLE_IMAP_SERVER && MW_ENABLE_IMAP_CLIENT

#include "core/internal.h"
#include "mailwire/codec.h"
#include "mailwire/imap.h"

#define S_(lit) lit, sizeof(lit) - 1

typedef struct rt rt;
typedef void (*cmd_fn)(rt *t, mw_imap_server *s, const mw_imap_cmd *cmd);
typedef void (*data_fn)(rt *t, const mw_imap_data *d);

struct rt {
    mw_imap_client c;
    mw_imap_server s;
    char cframe[16384];
    unsigned char carena[32768];
    char cmdbuf[16384];
    char sbuf[MW_IMAP_SERVER_BUF_SIZE];
    char c2s[1 << 17];
    size_t c2s_len, c2s_pos;
    char s2c[1 << 17];
    size_t s2c_len, s2c_pos;
    cmd_fn on_cmd;  /* checks the parsed command and answers it */
    data_fn on_data;
    int ncmds, ndata, nstatus, nitems, nsearch;
    int last_result, last_cmd;
    uint32_t last_handle;
    mw_imap_code last_code; /* scalars only after the callback */
    int cont;
    char app[4096];         /* APPEND data the server received */
    size_t applen;
    int appends;
    char body[4096];        /* body section data the client received */
    size_t bodylen;
    uint64_t nums[16];      /* SEARCH numbers the client received */
    int nnums;
    const void *expect;     /* the test's expected values */
    uint64_t caps;
    char urls[512];         /* CATENATE URLs the server got, '|' after each */
    size_t urlslen;
    int nurls, nlits;
    char code_name[32];     /* the last status code's name and argument, */
    char code_arg[256];     /* copied */
};

/* ---- plumbing ---------------------------------------------------------- */

static int c_send(mw_imap_client *c, void *u, const char *p, size_t n)
{
    rt *t = u;
    (void)c;
    assert_true(t->c2s_len + n <= sizeof t->c2s);
    memcpy(t->c2s + t->c2s_len, p, n);
    t->c2s_len += n;
    return 0;
}

static int s_send(mw_imap_server *s, void *u, const char *p, size_t n)
{
    rt *t = u;
    (void)s;
    assert_true(t->s2c_len + n <= sizeof t->s2c);
    memcpy(t->s2c + t->s2c_len, p, n);
    t->s2c_len += n;
    return 0;
}

static int c_status(mw_imap_client *c, void *u, const mw_imap_status *st)
{
    rt *t = u;
    (void)c;
    t->nstatus++;
    t->last_result = st->result;
    t->last_cmd = st->cmd;
    t->last_handle = st->handle;
    t->last_code = st->code;
    snprintf(t->code_name, sizeof t->code_name, "%.*s",
             (int)st->code.name.len,
             st->code.name.ptr != NULL ? st->code.name.ptr : "");
    snprintf(t->code_arg, sizeof t->code_arg, "%.*s", (int)st->code.arg.len,
             st->code.arg.ptr != NULL ? st->code.arg.ptr : "");
    return 0;
}

static int c_cont(mw_imap_client *c, void *u, mw_span text)
{
    rt *t = u;
    (void)c;
    (void)text;
    t->cont++;
    return 0;
}

static int c_data(mw_imap_client *c, void *u, const mw_imap_data *d)
{
    rt *t = u;
    (void)c;
    t->ndata++;
    if (t->on_data != NULL)
        t->on_data(t, d);
    return 0;
}

static int c_search(mw_imap_client *c, void *u, const mw_imap_search_ev *ev)
{
    rt *t = u;
    (void)c;
    t->nsearch++;
    if (ev->ev == MW_IMAP_SEARCH_NUM && t->nnums < 16)
        t->nums[t->nnums++] = ev->lo;
    return 0;
}

static int c_item(mw_imap_client *c, void *u, const mw_imap_fetch_item *it)
{
    rt *t = u;
    const mw_imap_data *none = NULL;
    (void)c;
    (void)none;
    t->nitems++;
    if (t->expect != NULL && t->on_data == NULL) {
        /* a fetch check: `expect` is a function for items */
        void (*fn)(rt *, const mw_imap_fetch_item *) =
            (void (*)(rt *, const mw_imap_fetch_item *))(uintptr_t)t->expect;
        fn(t, it);
    }
    return 0;
}

static int c_body_data(mw_imap_client *c, void *u, const char *p, size_t n)
{
    rt *t = u;
    (void)c;
    assert_true(t->bodylen + n <= sizeof t->body);
    memcpy(t->body + t->bodylen, p, n);
    t->bodylen += n;
    return 0;
}

static int c_error(mw_imap_client *c, void *u, int status, size_t offset,
                   const char *reason)
{
    (void)c;
    (void)u;
    print_error("client error %s @%zu %s\n", mw_status_name(status), offset,
                reason);
    fail_msg("the client reported an error on a server's response");
    return 0;
}

static int s_command(mw_imap_server *s, void *u, const mw_imap_cmd *cmd)
{
    rt *t = u;
    t->ncmds++;
    if (t->on_cmd != NULL) {
        t->on_cmd(t, s, cmd);
        return 0;
    }
    if (cmd->id == MW_IMAP_CMD_IDLE)
        return mw_imap_server_idle(s, NULL);
    return mw_imap_server_reply(s, MW_IMAP_OK, NULL, NULL);
}

static int s_append_data(mw_imap_server *s, void *u, const char *p, size_t n)
{
    rt *t = u;
    (void)s;
    assert_true(t->applen + n <= sizeof t->app);
    memcpy(t->app + t->applen, p, n);
    t->applen += n;
    return 0;
}

static int s_append_end(mw_imap_server *s, void *u, const mw_imap_cmd *cmd)
{
    rt *t = u;
    (void)s;
    (void)cmd;
    t->appends++;
    return 0;
}

static int s_error(mw_imap_server *s, void *u, int status, size_t offset,
                   const char *reason)
{
    (void)s;
    (void)u;
    print_error("server error %s @%zu %s\n", mw_status_name(status), offset,
                reason);
    fail_msg("the server refused what the client formatted");
    return 0;
}

/* Move bytes both ways until nothing moves. */
static void pump(rt *t)
{
    int moved = 1;
    while (moved) {
        moved = 0;
        if (t->c2s_pos < t->c2s_len) {
            size_t used = 0;
            int r = mw_imap_server_feed(&t->s, t->c2s + t->c2s_pos,
                                        t->c2s_len - t->c2s_pos, &used);
            assert_true(r >= 0);
            if (used > 0)
                moved = 1;
            t->c2s_pos += used;
        }
        if (t->s2c_pos < t->s2c_len) {
            size_t used = 0;
            int r = mw_imap_client_feed(&t->c, t->s2c + t->s2c_pos,
                                        t->s2c_len - t->s2c_pos, &used);
            assert_true(r >= 0);
            if (used > 0)
                moved = 1;
            t->s2c_pos += used;
        }
    }
}

static rt *rt_new_caps(uint64_t extra_caps, unsigned cflags)
{
    rt *t = calloc(1, sizeof *t);
    mw_imap_client_config cc;
    mw_imap_client_callbacks ccb;
    mw_imap_server_config sc;
    mw_imap_server_callbacks scb;
    mw_imap_code cap;
    assert_non_null(t);
    mw_imap_client_config_init(&cc);
    cc.arena = t->carena;
    cc.arena_len = sizeof t->carena;
    cc.cmdbuf = t->cmdbuf;
    cc.cmdbuf_len = sizeof t->cmdbuf;
    cc.flags = cflags;
    memset(&ccb, 0, sizeof ccb);
    ccb.send = c_send;
    ccb.status = c_status;
    ccb.continuation = c_cont;
    ccb.data = c_data;
    ccb.search = c_search;
    ccb.fetch_item = c_item;
    ccb.body_data = c_body_data;
    ccb.error = c_error;
    assert_int_equal(mw_imap_client_init(&t->c, &cc, &ccb, t, t->cframe,
                                         sizeof t->cframe),
                     MW_OK);
    mw_imap_server_config_init(&sc);
    sc.caps = MW_IMAP_CAP_IMAP4REV1 | MW_IMAP_CAP_IDLE | MW_IMAP_CAP_ENABLE |
              MW_IMAP_CAP_CONDSTORE | MW_IMAP_CAP_QRESYNC |
              MW_IMAP_CAP_ESEARCH | MW_IMAP_CAP_SEARCHRES |
              MW_IMAP_CAP_LIST_EXTENDED | MW_IMAP_CAP_LIST_STATUS |
              MW_IMAP_CAP_SPECIAL_USE | MW_IMAP_CAP_MULTIAPPEND |
              MW_IMAP_CAP_BINARY | MW_IMAP_CAP_UIDPLUS | MW_IMAP_CAP_MOVE |
              MW_IMAP_CAP_UNSELECT | MW_IMAP_CAP_ID | MW_IMAP_CAP_NAMESPACE |
              MW_IMAP_CAP_QUOTA | MW_IMAP_CAP_SORT | MW_IMAP_CAP_THREAD |
              MW_IMAP_CAP_WITHIN | MW_IMAP_CAP_OBJECTID |
              MW_IMAP_CAP_SAVEDATE | MW_IMAP_CAP_PREVIEW |
              MW_IMAP_CAP_STATUS_SIZE | MW_IMAP_CAP_SASL_IR |
              MW_IMAP_CAP_STARTTLS | MW_IMAP_CAP_UTF8_ACCEPT | extra_caps;
    sc.auth = MW_IMAP_AUTH_PLAIN;
    sc.caps_extra = "THREAD=ORDEREDSUBJECT THREAD=REFERENCES";
    t->caps = sc.caps;
    memset(&scb, 0, sizeof scb);
    scb.send = s_send;
    scb.command = s_command;
    scb.append_data = s_append_data;
    scb.append_end = s_append_end;
    scb.error = s_error;
    assert_int_equal(mw_imap_server_init(&t->s, &sc, &scb, t, t->sbuf,
                                         sizeof t->sbuf),
                     MW_OK);
    memset(&cap, 0, sizeof cap);
    cap.id = MW_IMAP_CODE_CAPABILITY;
    assert_int_equal(mw_imap_server_start(&t->s, MW_IMAP_OK, &cap, "ready"),
                     MW_OK);
    pump(t);
    assert_int_equal(mw_imap_client_state(&t->c),
                     MW_IMAP_STATE_NOT_AUTHENTICATED);
    assert_non_null(mw_imap_client_caps(&t->c));
    return t;
}

static rt *rt_new(void)
{
    return rt_new_caps(0, 0);
}

/* Log in (a plain LOGIN the server accepts). */
static void rt_login(rt *t)
{
    cmd_fn keep = t->on_cmd;
    t->on_cmd = NULL;
    assert_int_equal(mw_imap_client_login(&t->c, S_("u"), S_("p"), NULL),
                     MW_OK);
    pump(t);
    assert_int_equal(mw_imap_client_state(&t->c), MW_IMAP_STATE_AUTHENTICATED);
    t->on_cmd = keep;
}

static void rt_select(rt *t)
{
    cmd_fn keep = t->on_cmd;
    rt_login(t);
    t->on_cmd = NULL;
    assert_int_equal(mw_imap_client_select(&t->c, S_("INBOX"), NULL, NULL),
                     MW_OK);
    pump(t);
    assert_int_equal(mw_imap_client_state(&t->c), MW_IMAP_STATE_SELECTED);
    t->on_cmd = keep;
}

static void span_eq(mw_span s, const char *p, size_t n)
{
    if (s.len != n || (n > 0 && memcmp(s.ptr, p, n) != 0)) {
        print_error("got %.*s\nwant %.*s\n", (int)s.len,
                    s.ptr != NULL ? s.ptr : "", (int)n, p);
        fail_msg("span differs");
    }
}

/* A mailbox name as the server got it, decoded to UTF-8 when it came in
 * modified UTF-7. */
static void mbox_eq(const mw_imap_mailbox *m, const char *utf8, size_t n)
{
    char tmp[512];
    size_t k = 0;
    if (m->flags & MW_IMAP_MBOX_MUTF7) {
        assert_int_equal(mw_imap_mutf7_decode(m->name.ptr, m->name.len, tmp,
                                              sizeof tmp, &k, NULL),
                         MW_OK);
        span_eq(mw__span(tmp, k), utf8, n);
    } else {
        span_eq(m->name, utf8, n);
    }
}

static void reply_ok(mw_imap_server *s)
{
    assert_int_equal(mw_imap_server_reply(s, MW_IMAP_OK, NULL, NULL), MW_OK);
}

/* ====================================================================== */
/* Client to server                                                        */

typedef struct login_case {
    const char *user;
    size_t ulen;
    const char *pass;
    size_t plen;
} login_case;

static void chk_login(rt *t, mw_imap_server *s, const mw_imap_cmd *cmd)
{
    const login_case *lc = t->expect;
    assert_int_equal(cmd->id, MW_IMAP_CMD_LOGIN);
    span_eq(cmd->u.login.user, lc->user, lc->ulen);
    span_eq(cmd->u.login.password, lc->pass, lc->plen);
    assert_int_equal(mw_imap_server_reply(s, MW_IMAP_NO, NULL, "try again"),
                     MW_OK);
}

static void test_rt_login_strings(void **state)
{
    static const login_case cases[] = {
        {S_("SMITH"), S_("SESAME")},
        {S_("John \"J\" Doe"), S_("a\\b")},
        {S_("NIL"), "", 0},
        {S_("fred"), S_("p\xc3\xa4ss")},               /* literal (8-bit) */
        {S_("a\r\nb"), S_("c\nd")},                    /* two literals */
        {S_("tab\there"), S_("(paren) [x] {1} %*")},
        {S_("]"), S_("\x7f")},
    };
    size_t i;
    int lp;
    (void)state;
    for (lp = 0; lp < 2; lp++) {
        rt *t = rt_new_caps(lp ? MW_IMAP_CAP_LITERAL_PLUS : 0, 0);
        t->on_cmd = chk_login;
        for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            int n = t->ncmds;
            t->expect = &cases[i];
            assert_int_equal(mw_imap_client_login(&t->c, cases[i].user,
                                                  cases[i].ulen, cases[i].pass,
                                                  cases[i].plen, NULL),
                             MW_OK);
            pump(t);
            assert_int_equal(t->ncmds, n + 1);
            assert_int_equal(t->last_cmd, MW_IMAP_CMD_LOGIN);
            assert_int_equal(t->last_result, MW_IMAP_NO);
        }
        free(t);
    }
}

static const char *const mbox_names[] = {
    "INBOX", "Drafts", "Entw\xc3\xbcrfe", "Tom & Jerry", "a\"b\\c",
    "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
    "", "with space", "\xf0\x9f\x93\xa7 mail", "&-", "NIL", "x]y"};

static size_t mbox_i;

static void chk_mailbox(rt *t, mw_imap_server *s, const mw_imap_cmd *cmd)
{
    const char *want = mbox_names[mbox_i];
    (void)t;
    switch (cmd->id) {
    case MW_IMAP_CMD_CREATE:
    case MW_IMAP_CMD_DELETE:
    case MW_IMAP_CMD_SUBSCRIBE:
    case MW_IMAP_CMD_UNSUBSCRIBE:
        mbox_eq(&cmd->u.mailbox.mailbox, want, strlen(want));
        break;
    case MW_IMAP_CMD_SELECT:
    case MW_IMAP_CMD_EXAMINE:
        mbox_eq(&cmd->u.select.mailbox, want, strlen(want));
        break;
    case MW_IMAP_CMD_RENAME:
        mbox_eq(&cmd->u.rename.from, want, strlen(want));
        mbox_eq(&cmd->u.rename.to, "new", 3);
        break;
    case MW_IMAP_CMD_STATUS:
        mbox_eq(&cmd->u.status.mailbox, want, strlen(want));
        assert_int_equal(cmd->u.status.items,
                         MW_IMAP_STATUS_MESSAGES | MW_IMAP_STATUS_UIDNEXT |
                             MW_IMAP_STATUS_SIZE |
                             MW_IMAP_STATUS_HIGHESTMODSEQ);
        break;
    case MW_IMAP_CMD_COPY:
    case MW_IMAP_CMD_MOVE:
        mbox_eq(&cmd->u.copy.mailbox, want, strlen(want));
        span_eq(cmd->u.copy.set.text, "1:3,7", 5);
        assert_int_equal(cmd->flags & MW_IMAP_CMDF_UID,
                         cmd->id == MW_IMAP_CMD_MOVE ? MW_IMAP_CMDF_UID : 0);
        break;
    default:
        fail_msg("unexpected command %d", cmd->id);
    }
    reply_ok(s);
}

static void test_rt_mailboxes(void **state)
{
    rt *t = rt_new();
    mw_imap_seqset set;
    (void)state;
    rt_login(t);
    t->on_cmd = chk_mailbox;
    assert_int_equal(mw_imap_seqset_parse(S_("1:3,7"), &set, NULL), MW_OK);
    for (mbox_i = 0; mbox_i < sizeof mbox_names / sizeof mbox_names[0];
         mbox_i++) {
        const char *m = mbox_names[mbox_i];
        size_t n = strlen(m);
        int before = t->ncmds;
        assert_int_equal(mw_imap_client_create(&t->c, m, n, NULL), MW_OK);
        assert_int_equal(mw_imap_client_delete(&t->c, m, n, NULL), MW_OK);
        assert_int_equal(mw_imap_client_subscribe(&t->c, m, n, NULL), MW_OK);
        assert_int_equal(mw_imap_client_unsubscribe(&t->c, m, n, NULL), MW_OK);
        assert_int_equal(mw_imap_client_rename(&t->c, m, n, S_("new"), NULL),
                         MW_OK);
        assert_int_equal(mw_imap_client_status(
                             &t->c, m, n,
                             MW_IMAP_STATUS_MESSAGES | MW_IMAP_STATUS_UIDNEXT |
                                 MW_IMAP_STATUS_SIZE |
                                 MW_IMAP_STATUS_HIGHESTMODSEQ,
                             NULL),
                         MW_OK);
        pump(t);
        assert_int_equal(t->ncmds, before + 6);
        /* EXAMINE then COPY and MOVE in the selected state */
        assert_int_equal(mw_imap_client_examine(&t->c, m, n, NULL, NULL),
                         MW_OK);
        pump(t);
        assert_int_equal(mw_imap_client_copy(&t->c, 0, &set, m, n, NULL),
                         MW_OK);
        assert_int_equal(mw_imap_client_move(&t->c, 1, &set, m, n, NULL),
                         MW_OK);
        pump(t);
        assert_int_equal(t->ncmds, before + 9);
        t->on_cmd = NULL;
        assert_int_equal(mw_imap_client_unselect(&t->c, NULL), MW_OK);
        pump(t);
        t->on_cmd = chk_mailbox;
    }
    free(t);
}

static void chk_select(rt *t, mw_imap_server *s, const mw_imap_cmd *cmd)
{
    const mw_imap_select_args *a = &cmd->u.select;
    (void)t;
    if (cmd->id == MW_IMAP_CMD_ENABLE) {
        mw_span q = mw__span("QRESYNC", 7);
        assert_int_equal(cmd->u.enable.count, 1);
        assert_int_equal(cmd->u.enable.known, MW_IMAP_ENABLE_QRESYNC);
        assert_int_equal(mw_imap_server_enabled(s, &q, 1), MW_OK);
        reply_ok(s);
        return;
    }
    assert_int_equal(cmd->id, MW_IMAP_CMD_SELECT);
    assert_int_equal(a->condstore, 1);
    assert_int_equal(a->qresync, 1);
    assert_int_equal(a->uidvalidity, 67890007);
    assert_int_equal(a->modseq, 20050715194045000ull);
    assert_int_equal(a->has_known_uids, 1);
    span_eq(a->known_uids.text, S_("41,43:211,214:541"));
    assert_int_equal(a->has_seq_match, 1);
    span_eq(a->known_seqs.text, S_("1:5,8"));
    span_eq(a->known_seq_uids.text, S_("41:45,60"));
    reply_ok(s);
}

static void test_rt_select_qresync(void **state)
{
    rt *t = rt_new();
    mw_imap_select_params p;
    mw_imap_seqset known, ms, mu;
    (void)state;
    rt_login(t);
    t->on_cmd = chk_select;
    assert_int_equal(mw_imap_client_enable(&t->c,
                                           (const char *const[]){"QRESYNC"}, 1,
                                           NULL),
                     MW_OK);
    pump(t);
    assert_true(mw_imap_client_enabled(&t->c) &
                MW_IMAP_CLIENT_ENABLED_QRESYNC);
    memset(&p, 0, sizeof p);
    p.condstore = 1;
    p.qresync = 1;
    p.uidvalidity = 67890007;
    p.modseq = 20050715194045000ull;
    assert_int_equal(mw_imap_seqset_parse(S_("41,43:211,214:541"), &known,
                                          NULL),
                     MW_OK);
    assert_int_equal(mw_imap_seqset_parse(S_("1:5,8"), &ms, NULL), MW_OK);
    assert_int_equal(mw_imap_seqset_parse(S_("41:45,60"), &mu, NULL), MW_OK);
    p.known_uids = &known;
    p.match_seqs = &ms;
    p.match_uids = &mu;
    assert_int_equal(mw_imap_client_select(&t->c, S_("INBOX"), &p, NULL),
                     MW_OK);
    pump(t);
    assert_int_equal(t->ncmds, 3);
    assert_int_equal(mw_imap_client_state(&t->c), MW_IMAP_STATE_SELECTED);
    free(t);
}

static void chk_list(rt *t, mw_imap_server *s, const mw_imap_cmd *cmd)
{
    const mw_imap_list_args *a = &cmd->u.list;
    (void)t;
    assert_int_equal(cmd->id, MW_IMAP_CMD_LIST);
    span_eq(a->reference.name, "", 0);
    assert_int_equal(a->npatterns, 3);
    mbox_eq(&a->patterns[0], S_("INBOX"));
    mbox_eq(&a->patterns[1], S_("Entw\xc3\xbc%"));
    mbox_eq(&a->patterns[2], S_("Sent/*"));
    assert_int_equal(a->select_opts, MW_IMAP_LISTSEL_SUBSCRIBED |
                                         MW_IMAP_LISTSEL_RECURSIVEMATCH |
                                         MW_IMAP_LISTSEL_SPECIAL_USE);
    assert_int_equal(a->return_opts, MW_IMAP_LISTRET_CHILDREN |
                                         MW_IMAP_LISTRET_STATUS |
                                         MW_IMAP_LISTRET_SUBSCRIBED);
    assert_int_equal(a->status_items,
                     MW_IMAP_STATUS_MESSAGES | MW_IMAP_STATUS_UNSEEN);
    reply_ok(s);
}

static void test_rt_list(void **state)
{
    rt *t = rt_new();
    mw_imap_list_params p;
    mw_span pats[3];
    (void)state;
    rt_login(t);
    t->on_cmd = chk_list;
    memset(&p, 0, sizeof p);
    pats[0] = mw__span(S_("INBOX"));
    pats[1] = mw__span(S_("Entw\xc3\xbc%"));
    pats[2] = mw__span(S_("Sent/*"));
    p.patterns = pats;
    p.npatterns = 3;
    p.select = MW_IMAP_CLIENT_LISTSEL_SUBSCRIBED |
               MW_IMAP_CLIENT_LISTSEL_RECURSIVEMATCH |
               MW_IMAP_CLIENT_LISTSEL_SPECIAL_USE;
    p.ret = MW_IMAP_CLIENT_LISTRET_CHILDREN | MW_IMAP_CLIENT_LISTRET_STATUS |
            MW_IMAP_CLIENT_LISTRET_SUBSCRIBED;
    p.status_items = MW_IMAP_STATUS_MESSAGES | MW_IMAP_STATUS_UNSEEN;
    assert_int_equal(mw_imap_client_list(&t->c, "", 0, NULL, 0, &p, NULL),
                     MW_OK);
    pump(t);
    assert_int_equal(t->ncmds, 2);
    assert_int_equal(t->last_result, MW_IMAP_OK);
    free(t);
}

/* APPEND: flags, date, two messages (MULTIAPPEND), literal8. */
static const char app1[] = "Subject: one\r\n\r\nfirst\r\n";
static const char app2[] = "Subject: two\r\n\r\nsecond\0bin\r\n";

static void chk_append(rt *t, mw_imap_server *s, const mw_imap_cmd *cmd)
{
    const mw_imap_append_args *a = &cmd->u.append;
    assert_int_equal(cmd->id, MW_IMAP_CMD_APPEND);
    mbox_eq(&a->mailbox, S_("Entw\xc3\xbcrfe"));
    assert_int_equal(a->nmessages, 2);
    assert_int_equal(t->appends, 2);
    assert_int_equal(t->applen, sizeof app1 - 1 + sizeof app2 - 1);
    assert_memory_equal(t->app, app1, sizeof app1 - 1);
    assert_memory_equal(t->app + sizeof app1 - 1, app2, sizeof app2 - 1);
    {
        mw_imap_code code;
        memset(&code, 0, sizeof code);
        code.id = MW_IMAP_CODE_APPENDUID;
        code.num = 38505;
        assert_int_equal(mw_imap_seqset_parse(S_("3955:3956"), &code.set,
                                              NULL),
                         MW_OK);
        assert_int_equal(mw_imap_server_reply(s, MW_IMAP_OK, &code, "done"),
                         MW_OK);
    }
}

static int s_literal_check(mw_imap_server *s, void *u, const mw_imap_cmd *cmd)
{
    rt *t = u;
    const mw_imap_append_args *a = &cmd->u.append;
    (void)s;
    if (a->index == 0) {
        assert_int_equal(a->has_flags, 1);
        assert_int_equal(a->flags.system,
                         MW_IMAP_FLAG_SEEN | MW_IMAP_FLAG_FLAGGED);
        assert_int_equal(a->flags.count, 3);
        assert_int_equal(a->has_date, 1);
        assert_int_equal(a->date.year, 1996);
        assert_int_equal(a->date.month, 7);
        assert_int_equal(a->date.day, 7);
        assert_int_equal(a->date.hour, 2);
        assert_int_equal(a->date.zone, -420);
        assert_int_equal(a->size, sizeof app1 - 1);
        assert_int_equal(a->binary, 0);
    } else {
        assert_int_equal(a->has_flags, 0);
        assert_int_equal(a->has_date, 0);
        assert_int_equal(a->size, sizeof app2 - 1);
        assert_int_equal(a->binary, 1);
    }
    (void)t;
    return 0;
}

/* A logged-in pair for the APPEND tests: the server's literal callback
 * checks each message's arguments, on_cmd the whole command. */
static rt *rt_appending(uint64_t extra_caps,
                        int (*literal)(mw_imap_server *, void *,
                                       const mw_imap_cmd *),
                        cmd_fn on_cmd)
{
    rt *t = rt_new_caps(extra_caps, 0);
    mw_imap_server_callbacks cb;
    rt_login(t);
    cb = t->s.cb;
    cb.literal = literal;
    t->s.cb = cb;
    t->on_cmd = on_cmd;
    return t;
}

static void test_rt_append(void **state)
{
    int lp;
    (void)state;
    for (lp = 0; lp < 2; lp++) {
        rt *t = rt_appending(lp ? MW_IMAP_CAP_LITERAL_PLUS : 0,
                             s_literal_check, chk_append);
        mw_imap_append_msg m;
        mw_imap_flag_set fl;
        mw_imap_datetime d;
        static const char *const kw[] = {"$Forwarded"};
        memset(&m, 0, sizeof m);
        memset(&fl, 0, sizeof fl);
        memset(&d, 0, sizeof d);
        fl.system = MW_IMAP_FLAG_SEEN | MW_IMAP_FLAG_FLAGGED;
        fl.keywords = kw;
        fl.nkeywords = 1;
        d.year = 1996;
        d.month = 7;
        d.day = 7;
        d.hour = 2;
        d.minute = 44;
        d.second = 25;
        d.zone = -420;
        m.flags = &fl;
        m.date = &d;
        m.size = sizeof app1 - 1;
        assert_int_equal(mw_imap_client_append(&t->c, S_("Entw\xc3\xbcrfe"), &m,
                                               NULL),
                         MW_OK);
        pump(t);
        assert_true(mw_imap_client_want(&t->c) & MW_IMAP_CLIENT_WANT_LITERAL);
        assert_int_equal(mw_imap_client_append_data(&t->c, app1, 5), MW_OK);
        assert_int_equal(mw_imap_client_append_data(&t->c, app1 + 5,
                                                    sizeof app1 - 6),
                         MW_OK);
        memset(&m, 0, sizeof m);
        m.size = sizeof app2 - 1;
        m.binary = 1;
        assert_int_equal(mw_imap_client_append_next(&t->c, &m), MW_OK);
        pump(t);
        assert_int_equal(mw_imap_client_append_data(&t->c, app2,
                                                    sizeof app2 - 1),
                         MW_OK);
        assert_int_equal(mw_imap_client_append_end(&t->c), MW_OK);
        pump(t);
        assert_int_equal(t->last_cmd, MW_IMAP_CMD_APPEND);
        assert_int_equal(t->last_result, MW_IMAP_OK);
        assert_int_equal(t->last_code.id, MW_IMAP_CODE_APPENDUID);
        assert_int_equal(t->last_code.num, 38505);
        free(t);
    }
}

/* APPEND with the UTF8 data extension (RFC 6855 §4): the client writes
 * "UTF8 (~{n}" and the ")" after the data, the server hands the message
 * over with `utf8` set; a plain message follows in the same MULTIAPPEND. */
static const char app_u8[] = "Subject: caf\xc3\xa9\r\n\r\nx\r\n";

static void chk_append_utf8(rt *t, mw_imap_server *s, const mw_imap_cmd *cmd)
{
    const mw_imap_append_args *a = &cmd->u.append;
    assert_int_equal(cmd->id, MW_IMAP_CMD_APPEND);
    assert_int_equal(a->nmessages, 2);
    assert_int_equal(a->utf8, 0); /* the last message was plain */
    assert_int_equal(t->appends, 2);
    assert_int_equal(t->applen, sizeof app_u8 - 1 + sizeof app1 - 1);
    assert_memory_equal(t->app, app_u8, sizeof app_u8 - 1);
    assert_memory_equal(t->app + sizeof app_u8 - 1, app1, sizeof app1 - 1);
    assert_int_equal(mw_imap_server_reply(s, MW_IMAP_OK, NULL, "done"),
                     MW_OK);
}

static int s_literal_utf8(mw_imap_server *s, void *u, const mw_imap_cmd *cmd)
{
    const mw_imap_append_args *a = &cmd->u.append;
    (void)s;
    (void)u;
    assert_int_equal(a->utf8, a->index == 0);
    assert_int_equal(a->binary, a->index == 0);
    assert_int_equal(a->has_flags, a->index == 0);
    assert_int_equal(a->size,
                     a->index == 0 ? sizeof app_u8 - 1 : sizeof app1 - 1);
    return 0;
}

static void test_rt_append_utf8(void **state)
{
    int lp;
    (void)state;
    for (lp = 0; lp < 2; lp++) {
        rt *t = rt_appending(lp ? MW_IMAP_CAP_LITERAL_PLUS : 0,
                             s_literal_utf8, chk_append_utf8);
        mw_imap_append_msg m;
        mw_imap_flag_set fl;
        memset(&m, 0, sizeof m);
        memset(&fl, 0, sizeof fl);
        fl.system = MW_IMAP_FLAG_DRAFT;
        m.flags = &fl;
        m.size = sizeof app_u8 - 1;
        m.utf8 = 1;
        assert_int_equal(mw_imap_client_append(&t->c, S_("Drafts"), &m, NULL),
                         MW_OK);
        pump(t);
        assert_int_equal(mw_imap_client_append_data(&t->c, app_u8,
                                                    sizeof app_u8 - 1),
                         MW_OK);
        memset(&m, 0, sizeof m);
        m.size = sizeof app1 - 1;
        assert_int_equal(mw_imap_client_append_next(&t->c, &m), MW_OK);
        pump(t);
        assert_int_equal(mw_imap_client_append_data(&t->c, app1,
                                                    sizeof app1 - 1),
                         MW_OK);
        assert_int_equal(mw_imap_client_append_end(&t->c), MW_OK);
        pump(t);
        assert_int_equal(t->last_cmd, MW_IMAP_CMD_APPEND);
        assert_int_equal(t->last_result, MW_IMAP_OK);
        /* and the other way round: a plain message, then a UTF8 one whose
         * ")" the end of the command writes */
        t->appends = 0;
        t->applen = 0;
        t->on_cmd = NULL;
        t->s.cb.literal = NULL;
        memset(&m, 0, sizeof m);
        m.size = 1;
        assert_int_equal(mw_imap_client_append(&t->c, S_("Drafts"), &m, NULL),
                         MW_OK);
        pump(t);
        assert_int_equal(mw_imap_client_append_data(&t->c, "a", 1), MW_OK);
        m.utf8 = 1;
        assert_int_equal(mw_imap_client_append_next(&t->c, &m), MW_OK);
        pump(t);
        assert_int_equal(mw_imap_client_append_data(&t->c, "\0", 1), MW_OK);
        assert_int_equal(mw_imap_client_append_end(&t->c), MW_OK);
        pump(t);
        assert_int_equal(t->last_cmd, MW_IMAP_CMD_APPEND);
        assert_int_equal(t->last_result, MW_IMAP_OK);
        assert_int_equal(t->appends, 2);
        assert_int_equal(t->applen, 2);
        assert_memory_equal(t->app, "a\0", 2);
        free(t);
    }
}

/* CATENATE (RFC 4469): a plain message, then one built from URL and TEXT
 * parts (MULTIAPPEND), synchronising and with LITERAL+; the server hands
 * over each URL (append_url), each TEXT part (literal, then its bytes to
 * append_data) and the end of each message. Then URLs the server refuses
 * with NO [BADURL url]: instead of a TEXT part's "+", and (LITERAL+)
 * between two parts, where the client ends the command with its CRLF. */
#define RT_URL1 "/INBOX;UIDVALIDITY=385759045/;UID=20/;section=1.MIME"
#define RT_URL2 "imap://fred@example.com/INBOX;UIDVALIDITY=1/;UID=20"
static const char cat_t1[] = "\r\n--boundary\r\n";
static const char cat_t2[] = "\r\n--boundary--\r\n";

static int s_append_url(mw_imap_server *s, void *u, const mw_imap_cmd *cmd)
{
    rt *t = u;
    const mw_imap_append_args *a = &cmd->u.append;
    assert_int_equal(a->catenate, 1);
    assert_int_equal(a->part_kind, MW_IMAP_CATPART_URL);
    assert_non_null(a->url.ptr);
    assert_true(t->urlslen + a->url.len + 1 <= sizeof t->urls);
    memcpy(t->urls + t->urlslen, a->url.ptr, a->url.len);
    t->urlslen += a->url.len;
    t->urls[t->urlslen++] = '|';
    t->nurls++;
    if (a->url.len == 4 && memcmp(a->url.ptr, "/bad", 4) == 0) {
        mw_imap_code code;
        memset(&code, 0, sizeof code);
        code.id = MW_IMAP_CODE_BADURL;
        code.arg = a->url;
        assert_int_equal(mw_imap_server_reply(s, MW_IMAP_NO, &code,
                                              "no such message"),
                         MW_OK);
    }
    return 0;
}

static int s_literal_cat(mw_imap_server *s, void *u, const mw_imap_cmd *cmd)
{
    rt *t = u;
    const mw_imap_append_args *a = &cmd->u.append;
    (void)s;
    t->nlits++;
    mbox_eq(&a->mailbox, S_("Drafts"));
    if (a->index == 0) {
        assert_int_equal(a->catenate, 0);
        assert_int_equal(a->part_kind, MW_IMAP_CATPART_NONE);
        assert_int_equal(a->size, sizeof app1 - 1);
        return 0;
    }
    assert_int_equal(a->index, 1);
    assert_int_equal(a->catenate, 1);
    assert_int_equal(a->part_kind, MW_IMAP_CATPART_TEXT);
    assert_int_equal(a->has_flags, 1);
    assert_int_equal(a->flags.system, MW_IMAP_FLAG_SEEN | MW_IMAP_FLAG_DRAFT);
    assert_int_equal(a->binary, 0);
    /* parts: URL 0, TEXT 1, URL 2, TEXT 3 */
    assert_int_equal(a->part, t->nlits == 2 ? 1 : 3);
    assert_int_equal(a->size,
                     t->nlits == 2 ? sizeof cat_t1 - 1 : sizeof cat_t2 - 1);
    return 0;
}

static void chk_catenate(rt *t, mw_imap_server *s, const mw_imap_cmd *cmd)
{
    const mw_imap_append_args *a = &cmd->u.append;
    assert_int_equal(cmd->id, MW_IMAP_CMD_APPEND);
    mbox_eq(&a->mailbox, S_("Drafts"));
    assert_int_equal(a->nmessages, 2);
    assert_int_equal(a->catenate, 1); /* the last message */
    assert_int_equal(a->nparts, 4);
    assert_int_equal(t->appends, 2);
    assert_int_equal(t->nlits, 3);
    assert_int_equal(t->nurls, 2);
    assert_int_equal(mw_imap_server_reply(s, MW_IMAP_OK, NULL, "done"),
                     MW_OK);
}

static void test_rt_catenate(void **state)
{
    int lp;
    (void)state;
    for (lp = 0; lp < 2; lp++) {
        rt *t = rt_appending(MW_IMAP_CAP_CATENATE |
                                 (lp ? MW_IMAP_CAP_LITERAL_PLUS : 0),
                             s_literal_cat, chk_catenate);
        mw_imap_append_msg m;
        mw_imap_flag_set fl;
        uint32_t h = 0;
        int ncmds = t->ncmds;
        static const char want[] = "Subject: one\r\n\r\nfirst\r\n"
                                   "\r\n--boundary\r\n\r\n--boundary--\r\n";
        t->s.cb.append_url = s_append_url;
        memset(&m, 0, sizeof m);
        memset(&fl, 0, sizeof fl);
        fl.system = MW_IMAP_FLAG_SEEN | MW_IMAP_FLAG_DRAFT;
        m.size = sizeof app1 - 1;
        assert_int_equal(mw_imap_client_append(&t->c, S_("Drafts"), &m, &h),
                         MW_OK);
        pump(t);
        assert_int_equal(mw_imap_client_append_data(&t->c, app1,
                                                    sizeof app1 - 1),
                         MW_OK);
        assert_int_equal(mw_imap_client_catenate_next(&t->c, &fl, NULL),
                         MW_OK);
        assert_int_equal(mw_imap_client_catenate_url(&t->c, S_(RT_URL1)),
                         MW_OK);
        assert_int_equal(mw_imap_client_catenate_text(&t->c,
                                                      sizeof cat_t1 - 1),
                         MW_OK);
        pump(t);
        assert_true(mw_imap_client_want(&t->c) & MW_IMAP_CLIENT_WANT_LITERAL);
        assert_int_equal(t->cont, 0); /* the "+" went to the machine */
        assert_int_equal(mw_imap_client_append_data(&t->c, cat_t1, 3), MW_OK);
        assert_int_equal(mw_imap_client_append_data(&t->c, cat_t1 + 3,
                                                    sizeof cat_t1 - 4),
                         MW_OK);
        assert_int_equal(mw_imap_client_catenate_url(&t->c, S_(RT_URL2)),
                         MW_OK);
        assert_int_equal(mw_imap_client_catenate_text(&t->c,
                                                      sizeof cat_t2 - 1),
                         MW_OK);
        pump(t);
        assert_int_equal(mw_imap_client_append_data(&t->c, cat_t2,
                                                    sizeof cat_t2 - 1),
                         MW_OK);
        assert_int_equal(mw_imap_client_append_end(&t->c), MW_OK);
        pump(t);
        assert_int_equal(t->ncmds, ncmds + 1);
        assert_int_equal(t->last_cmd, MW_IMAP_CMD_APPEND);
        assert_int_equal(t->last_result, MW_IMAP_OK);
        assert_int_equal(t->last_handle, h);
        assert_int_equal(t->applen, sizeof want - 1);
        assert_memory_equal(t->app, want, sizeof want - 1);
        assert_int_equal(t->urlslen, sizeof RT_URL1 + sizeof RT_URL2);
        assert_memory_equal(t->urls, RT_URL1 "|" RT_URL2 "|",
                            t->urlslen);

        /* NO [BADURL] for a URL the server cannot use: with a
         * synchronising TEXT part after it, instead of its "+" (the
         * command ends there); with LITERAL+, between two parts (the
         * client sends only the CRLF that ends the command) */
        t->on_cmd = NULL;
        t->s.cb.literal = NULL;
        t->applen = 0;
        t->nstatus = 0;
        assert_int_equal(mw_imap_client_catenate(&t->c, S_("Drafts"), NULL,
                                                 NULL, &h),
                         MW_OK);
        assert_int_equal(mw_imap_client_catenate_url(&t->c, S_("/bad")),
                         MW_OK);
        assert_int_equal(mw_imap_client_catenate_text(&t->c, 3), MW_OK);
        if (lp)
            assert_int_equal(mw_imap_client_append_data(&t->c, "abc", 3),
                             MW_OK);
        pump(t);
        assert_int_equal(t->nstatus, 1);
        assert_int_equal(t->last_handle, h);
        assert_int_equal(t->last_result, MW_IMAP_NO);
        assert_int_equal(t->last_code.id, MW_IMAP_CODE_BADURL);
        assert_string_equal(t->code_name, "BADURL");
        assert_string_equal(t->code_arg, "/bad");
        assert_int_equal(mw_imap_client_catenate_url(&t->c, S_("/x")),
                         MW_E_STATE);
        assert_int_equal(mw_imap_client_append_end(&t->c), MW_E_STATE);
        assert_int_equal(t->applen, 0);
        /* both sides are in step: the next command gets its answer */
        assert_int_equal(mw_imap_client_noop(&t->c, &h), MW_OK);
        pump(t);
        assert_int_equal(t->nstatus, 2);
        assert_int_equal(t->last_handle, h);
        assert_int_equal(t->last_cmd, MW_IMAP_CMD_NOOP);
        assert_int_equal(t->last_result, MW_IMAP_OK);
        free(t);
    }
}

/* SEARCH: the tree the server parses, written back in prefix form. */
static void tree_text(const mw_imap_search_key *k, char *out, size_t cap,
                      size_t *len)
{
    char tmp[256];
    const mw_imap_search_key *ch;
    int n;
    switch (k->kind) {
    case MW_IMAP_SK_AND: n = snprintf(tmp, sizeof tmp, "AND("); break;
    case MW_IMAP_SK_OR: n = snprintf(tmp, sizeof tmp, "OR("); break;
    case MW_IMAP_SK_NOT: n = snprintf(tmp, sizeof tmp, "NOT("); break;
    case MW_IMAP_SK_HEADER:
        n = snprintf(tmp, sizeof tmp, "HEADER[%.*s=%.*s]", (int)k->field.len,
                     k->field.ptr, (int)k->str.len,
                     k->str.ptr != NULL ? k->str.ptr : "");
        break;
    case MW_IMAP_SK_UID:
    case MW_IMAP_SK_SEQSET:
        n = snprintf(tmp, sizeof tmp, "%s[%.*s]",
                     k->kind == MW_IMAP_SK_UID ? "UID" : "SET",
                     (int)k->set.text.len,
                     k->set.text.ptr != NULL ? k->set.text.ptr : "");
        break;
    case MW_IMAP_SK_BEFORE:
    case MW_IMAP_SK_ON:
    case MW_IMAP_SK_SINCE:
    case MW_IMAP_SK_SENTBEFORE:
    case MW_IMAP_SK_SENTON:
    case MW_IMAP_SK_SENTSINCE:
        n = snprintf(tmp, sizeof tmp, "D%d[%d-%d-%d]", k->kind, k->date.day,
                     k->date.month, k->date.year);
        break;
    case MW_IMAP_SK_LARGER:
    case MW_IMAP_SK_SMALLER:
    case MW_IMAP_SK_OLDER:
    case MW_IMAP_SK_YOUNGER:
    case MW_IMAP_SK_MODSEQ:
        n = snprintf(tmp, sizeof tmp, "N%d[%llu]", k->kind,
                     (unsigned long long)k->num);
        break;
    default:
        n = snprintf(tmp, sizeof tmp, "K%d[%.*s]", k->kind, (int)k->str.len,
                     k->str.ptr != NULL ? k->str.ptr : "");
        break;
    }
    assert_true(n > 0 && *len + (size_t)n < cap);
    memcpy(out + *len, tmp, (size_t)n);
    *len += (size_t)n;
    if (k->kind == MW_IMAP_SK_AND || k->kind == MW_IMAP_SK_OR ||
        k->kind == MW_IMAP_SK_NOT) {
        for (ch = k->first; ch != NULL; ch = ch->next) {
            tree_text(ch, out, cap, len);
            if (ch->next != NULL)
                out[(*len)++] = ',';
        }
        out[(*len)++] = ')';
    }
    out[*len] = '\0';
}

static const char *search_want;
static unsigned search_ret;

static void chk_search(rt *t, mw_imap_server *s, const mw_imap_cmd *cmd)
{
    char text[2048];
    size_t len = 0;
    (void)t;
    assert_true(cmd->id == MW_IMAP_CMD_SEARCH || cmd->id == MW_IMAP_CMD_SORT ||
                cmd->id == MW_IMAP_CMD_THREAD);
    tree_text(cmd->u.search.root, text, sizeof text, &len);
    if (strcmp(text, search_want) != 0) {
        print_error("got  %s\nwant %s\n", text, search_want);
        fail_msg("search program differs");
    }
    assert_int_equal(cmd->u.search.return_opts, search_ret);
    reply_ok(s);
}

static void test_rt_search(void **state)
{
    rt *t = rt_new();
    char b[1024], expect[1024];
    mw_imap_query q;
    mw_imap_datetime d;
    mw_imap_seqset set;
    mw_imap_search_params sp;
    int crit[2];
    (void)state;
    rt_select(t);
    t->on_cmd = chk_search;
    memset(&d, 0, sizeof d);
    d.year = 1994;
    d.month = 2;
    d.day = 1;
    assert_int_equal(mw_imap_seqset_parse(S_("1:5,9"), &set, NULL), MW_OK);
    mw_imap_query_init(&q, b, sizeof b);
    mw_imap_query_key(&q, MW_IMAP_QUERY_FLAGGED);
    mw_imap_query_date(&q, MW_IMAP_QUERY_SINCE, &d);
    mw_imap_query_not(&q);
    mw_imap_query_string(&q, MW_IMAP_QUERY_FROM, S_("Smith"));
    mw_imap_query_or(&q);
    mw_imap_query_open(&q);
    mw_imap_query_string(&q, MW_IMAP_QUERY_TO, S_("a\"b"));
    mw_imap_query_string(&q, MW_IMAP_QUERY_SUBJECT, S_("\xc3\xa4\r\nline"));
    mw_imap_query_close(&q);
    mw_imap_query_set(&q, 1, &set);
    mw_imap_query_set(&q, 0, &set);
    mw_imap_query_header(&q, S_("List-Id"), S_("<x>"));
    mw_imap_query_number(&q, MW_IMAP_QUERY_LARGER, 4294967296ull);
    mw_imap_query_number(&q, MW_IMAP_QUERY_YOUNGER, 60);
    mw_imap_query_string(&q, MW_IMAP_QUERY_KEYWORD, S_("$Junk"));
    snprintf(expect, sizeof expect,
             "AND(K%d[],D%d[1-2-1994],NOT(K%d[Smith]),OR(AND(K%d[a\"b],"
             "K%d[\xc3\xa4\r\nline]),UID[1:5,9]),SET[1:5,9],"
             "HEADER[List-Id=<x>],N%d[4294967296],N%d[60],K%d[$Junk])",
             MW_IMAP_SK_FLAGGED, MW_IMAP_SK_SINCE, MW_IMAP_SK_FROM,
             MW_IMAP_SK_TO, MW_IMAP_SK_SUBJECT, MW_IMAP_SK_LARGER,
             MW_IMAP_SK_YOUNGER, MW_IMAP_SK_KEYWORD);
    search_want = expect;
    memset(&sp, 0, sizeof sp);
    sp.ret = MW_IMAP_CLIENT_RETURN_MIN | MW_IMAP_CLIENT_RETURN_COUNT |
             MW_IMAP_CLIENT_RETURN_SAVE;
    search_ret = MW_IMAP_SEARCHRET_MIN | MW_IMAP_SEARCHRET_COUNT |
                 MW_IMAP_SEARCHRET_SAVE;
    assert_int_equal(mw_imap_client_search(&t->c, &q, &sp, NULL), MW_OK);
    pump(t);
    assert_int_equal(t->last_cmd, MW_IMAP_CMD_SEARCH);
    assert_int_equal(t->last_result, MW_IMAP_OK);
    search_ret = 0;
    crit[0] = MW_IMAP_CLIENT_SORT_SUBJECT | MW_IMAP_CLIENT_SORT_REVERSE;
    crit[1] = MW_IMAP_CLIENT_SORT_DATE;
    assert_int_equal(mw_imap_client_sort(&t->c, crit, 2, &q, NULL, NULL),
                     MW_OK);
    pump(t);
    assert_int_equal(t->last_cmd, MW_IMAP_CMD_SORT);
    assert_int_equal(t->last_result, MW_IMAP_OK);
    assert_int_equal(mw_imap_client_thread(&t->c, "REFERENCES", &q, NULL,
                                           NULL),
                     MW_OK);
    pump(t);
    assert_int_equal(t->last_cmd, MW_IMAP_CMD_THREAD);
    assert_int_equal(t->last_result, MW_IMAP_OK);
    free(t);
}

static void chk_fetch_store(rt *t, mw_imap_server *s, const mw_imap_cmd *cmd)
{
    (void)t;
    if (cmd->id == MW_IMAP_CMD_FETCH) {
        const mw_imap_fetch_args *a = &cmd->u.fetch;
        assert_int_equal(cmd->flags & MW_IMAP_CMDF_UID, MW_IMAP_CMDF_UID);
        span_eq(a->set.text, S_("1:*"));
        assert_int_equal(a->nitems, 6);
        assert_int_equal(a->items[0].att, MW_IMAP_FA_UID);
        assert_int_equal(a->items[1].att, MW_IMAP_FA_FLAGS);
        assert_int_equal(a->items[2].att, MW_IMAP_FA_BODY_SECTION);
        assert_int_equal(a->items[2].peek, 1);
        assert_int_equal(a->items[2].nparts, 2);
        assert_int_equal(a->items[2].parts[0], 1);
        assert_int_equal(a->items[2].parts[1], 2);
        assert_int_equal(a->items[2].section, MW_IMAP_SECTION_HEADER_FIELDS);
        assert_int_equal(a->items[2].nfields, 2);
        span_eq(a->items[2].fields[0], S_("Subject"));
        span_eq(a->items[2].fields[1], S_("Message-ID"));
        assert_int_equal(a->items[2].has_partial, 1);
        assert_int_equal(a->items[2].origin, 10);
        assert_int_equal(a->items[2].length, 100);
        assert_int_equal(a->items[3].att, MW_IMAP_FA_BINARY);
        assert_int_equal(a->items[3].nparts, 3);
        assert_int_equal(a->items[4].att, MW_IMAP_FA_MODSEQ);
        assert_int_equal(a->items[5].att, MW_IMAP_FA_PREVIEW);
        assert_int_equal(a->items[5].lazy, 1);
        assert_int_equal(a->has_changedsince, 1);
        assert_int_equal(a->changedsince, 12345);
        assert_int_equal(a->vanished, 1);
    } else if (cmd->id == MW_IMAP_CMD_STORE) {
        const mw_imap_store_args *a = &cmd->u.store;
        span_eq(a->set.text, S_("7,5,9"));
        assert_int_equal(a->mode, MW_IMAP_STORE_REMOVE);
        assert_int_equal(a->silent, 1);
        assert_int_equal(a->has_unchangedsince, 1);
        assert_int_equal(a->unchangedsince, 0);
        assert_int_equal(a->flags.system,
                         MW_IMAP_FLAG_DELETED | MW_IMAP_FLAG_DRAFT);
        assert_int_equal(a->flags.count, 3);
    } else if (cmd->id == MW_IMAP_CMD_EXPUNGE) {
        assert_int_equal(cmd->u.expunge.has_set, 1);
        span_eq(cmd->u.expunge.set.text, S_("3000:3002"));
    } else {
        fail_msg("unexpected command %d", cmd->id);
    }
    reply_ok(s);
}

static void test_rt_fetch_store(void **state)
{
    rt *t = rt_new();
    char ib[256];
    mw_imap_items it;
    mw_imap_section sec;
    mw_imap_fetch_params fp;
    mw_imap_store_params sp;
    mw_imap_seqset set;
    static const uint32_t parts[] = {1, 2, 3};
    static const char *const fields[] = {"Subject", "Message-ID"};
    static const char *const kw[] = {"$Junk"};
    (void)state;
    rt_select(t);
    t->on_cmd = chk_fetch_store;
    mw_imap_items_init(&it, ib, sizeof ib);
    mw_imap_items_add(&it, MW_IMAP_ITEM_UID);
    mw_imap_items_add(&it, MW_IMAP_ITEM_FLAGS);
    memset(&sec, 0, sizeof sec);
    sec.item = MW_IMAP_SECT_BODY_PEEK;
    sec.part = parts;
    sec.nparts = 2;
    sec.text = MW_IMAP_SECT_FIELDS;
    sec.fields = fields;
    sec.nfields = 2;
    sec.partial = 1;
    sec.origin = 10;
    sec.length = 100;
    mw_imap_items_section(&it, &sec);
    memset(&sec, 0, sizeof sec);
    sec.item = MW_IMAP_SECT_BINARY;
    sec.part = parts;
    sec.nparts = 3;
    mw_imap_items_section(&it, &sec);
    mw_imap_items_add(&it, MW_IMAP_ITEM_MODSEQ);
    mw_imap_items_add(&it, MW_IMAP_ITEM_PREVIEW_LAZY);
    mw_imap_seqset_all(&set);
    memset(&fp, 0, sizeof fp);
    fp.uid = 1;
    fp.changedsince = 1;
    fp.modseq = 12345;
    fp.vanished = 1;
    assert_int_equal(mw_imap_client_fetch(&t->c, &set, &it, &fp, NULL), MW_OK);
    pump(t);
    assert_int_equal(t->last_cmd, MW_IMAP_CMD_FETCH);
    memset(&sp, 0, sizeof sp);
    sp.mode = MW_IMAP_CLIENT_STORE_REMOVE;
    sp.silent = 1;
    sp.unchangedsince = 1;
    sp.modseq = 0;
    sp.flags.system = MW_IMAP_FLAG_DELETED | MW_IMAP_FLAG_DRAFT;
    sp.flags.keywords = kw;
    sp.flags.nkeywords = 1;
    assert_int_equal(mw_imap_seqset_parse(S_("7,5,9"), &set, NULL), MW_OK);
    assert_int_equal(mw_imap_client_store(&t->c, &set, &sp, NULL), MW_OK);
    pump(t);
    assert_int_equal(t->last_cmd, MW_IMAP_CMD_STORE);
    assert_int_equal(mw_imap_seqset_parse(S_("3000:3002"), &set, NULL), MW_OK);
    assert_int_equal(mw_imap_client_uid_expunge(&t->c, &set, NULL), MW_OK);
    pump(t);
    assert_int_equal(t->last_cmd, MW_IMAP_CMD_EXPUNGE);
    assert_int_equal(t->last_result, MW_IMAP_OK);
    free(t);
}

static void chk_misc(rt *t, mw_imap_server *s, const mw_imap_cmd *cmd)
{
    (void)t;
    switch (cmd->id) {
    case MW_IMAP_CMD_ID:
        assert_int_equal(cmd->u.id.count, 2);
        span_eq(cmd->u.id.params[0].field, S_("name"));
        span_eq(cmd->u.id.params[0].value, S_("mail\"wire"));
        span_eq(cmd->u.id.params[1].field, S_("version"));
        assert_null(cmd->u.id.params[1].value.ptr);
        break;
    case MW_IMAP_CMD_ENABLE:
        assert_int_equal(cmd->u.enable.count, 2);
        assert_int_equal(cmd->u.enable.known,
                         MW_IMAP_ENABLE_CONDSTORE | MW_IMAP_ENABLE_UTF8_ACCEPT);
        break;
    case MW_IMAP_CMD_SETQUOTA:
        span_eq(cmd->u.quota.root, S_("#user/a b"));
        assert_int_equal(cmd->u.quota.nlimits, 2);
        span_eq(cmd->u.quota.limits[0].resource, S_("STORAGE"));
        assert_int_equal(cmd->u.quota.limits[0].limit, 512);
        span_eq(cmd->u.quota.limits[1].resource, S_("MESSAGE"));
        assert_int_equal(cmd->u.quota.limits[1].limit, 9007199254740993ull);
        break;
    case MW_IMAP_CMD_GETQUOTA:
        span_eq(cmd->u.quota.root, "", 0);
        break;
    case MW_IMAP_CMD_GETQUOTAROOT:
        mbox_eq(&cmd->u.mailbox.mailbox, S_("INBOX"));
        break;
    case MW_IMAP_CMD_NAMESPACE:
    case MW_IMAP_CMD_NOOP:
    case MW_IMAP_CMD_CAPABILITY:
        break;
    case MW_IMAP_CMD_AUTHENTICATE:
        span_eq(cmd->u.authenticate.mechanism, S_("PLAIN"));
        assert_int_equal(cmd->u.authenticate.has_initial, 1);
        span_eq(cmd->u.authenticate.initial,
                S_("AHRpbQB0YW5zdGFhZnRhbnN0YWFm"));
        break;
    case MW_IMAP_CMD_IDLE:
        assert_int_equal(mw_imap_server_idle(s, NULL), MW_OK);
        return;
    case MW_IMAP_CMD_DONE:
        break;
    default:
        fail_msg("unexpected command %d", cmd->id);
    }
    reply_ok(s);
}

static void test_rt_misc(void **state)
{
    rt *t = rt_new();
    mw_span f[2], v[2];
    mw_imap_setquota_limit ql[2];
    (void)state;
    t->on_cmd = chk_misc;
    f[0] = mw__span(S_("name"));
    v[0] = mw__span(S_("mail\"wire"));
    f[1] = mw__span(S_("version"));
    v[1] = mw__span(NULL, 0);
    assert_int_equal(mw_imap_client_id(&t->c, f, v, 2, NULL), MW_OK);
    pump(t);
    assert_int_equal(t->last_cmd, MW_IMAP_CMD_ID);
    assert_int_equal(t->last_result, MW_IMAP_OK);
    /* AUTHENTICATE PLAIN with SASL-IR (RFC 4959) */
    assert_int_equal(mw_imap_client_authenticate_plain(
                         &t->c, "", 0, S_("tim"), S_("tanstaaftanstaaf"),
                         NULL),
                     MW_OK);
    pump(t);
    assert_int_equal(t->last_cmd, MW_IMAP_CMD_AUTHENTICATE);
    assert_int_equal(mw_imap_client_state(&t->c), MW_IMAP_STATE_AUTHENTICATED);
    assert_int_equal(mw_imap_client_enable(
                         &t->c,
                         (const char *const[]){"CONDSTORE", "UTF8=ACCEPT"}, 2,
                         NULL),
                     MW_OK);
    pump(t);
    assert_int_equal(mw_imap_client_namespace(&t->c, NULL), MW_OK);
    assert_int_equal(mw_imap_client_getquota(&t->c, "", 0, NULL), MW_OK);
    assert_int_equal(mw_imap_client_getquotaroot(&t->c, S_("INBOX"), NULL),
                     MW_OK);
    ql[0].resource = "STORAGE";
    ql[0].limit = 512;
    ql[1].resource = "MESSAGE";
    ql[1].limit = 9007199254740993ull;
    assert_int_equal(mw_imap_client_setquota(&t->c, S_("#user/a b"), ql, 2,
                                             NULL),
                     MW_OK);
    pump(t);
    assert_int_equal(t->last_cmd, MW_IMAP_CMD_SETQUOTA);
    assert_int_equal(t->last_result, MW_IMAP_OK);
    /* IDLE and DONE */
    assert_int_equal(mw_imap_client_idle(&t->c, NULL), MW_OK);
    pump(t);
    assert_int_equal(t->cont, 1);
    assert_int_equal(mw_imap_server_exists(&t->s, 3), MW_OK);
    pump(t);
    assert_int_equal(mw_imap_client_idle_done(&t->c), MW_OK);
    pump(t);
    assert_int_equal(t->last_cmd, MW_IMAP_CMD_IDLE);
    assert_int_equal(t->last_result, MW_IMAP_OK);
    assert_int_equal(mw_imap_client_noop(&t->c, NULL), MW_OK);
    pump(t);
    assert_int_equal(t->last_cmd, MW_IMAP_CMD_NOOP);
    free(t);
}

static void test_rt_starttls(void **state)
{
    rt *t = rt_new();
    (void)state;
    assert_int_equal(mw_imap_client_starttls(&t->c, NULL), MW_OK);
    pump(t);
    assert_int_equal(mw_imap_client_want(&t->c), MW_IMAP_CLIENT_WANT_TLS);
    assert_true(mw_imap_server_want(&t->s) & MW_IMAP_SERVER_WANT_TLS);
    assert_int_equal(mw_imap_server_tls_done(&t->s), MW_OK);
    assert_int_equal(mw_imap_client_tls_done(&t->c), MW_OK);
    assert_null(mw_imap_client_caps(&t->c));
    assert_int_equal(mw_imap_client_capability(&t->c, NULL), MW_OK);
    pump(t);
    assert_non_null(mw_imap_client_caps(&t->c));
    assert_false(mw_imap_client_caps(&t->c)->bits & MW_IMAP_CAP_STARTTLS);
    rt_login(t);
    free(t);
}

/* ====================================================================== */
/* Server to client                                                        */

static void on_list_data(rt *t, const mw_imap_data *d)
{
    char tmp[256];
    size_t k = 0;
    (void)t;
    switch (d->kind) {
    case MW_IMAP_DATA_LIST:
        assert_int_equal(d->u.list.attrs,
                         MW_IMAP_LIST_HASNOCHILDREN | MW_IMAP_LIST_DRAFTS);
        span_eq(d->u.list.delimiter, S_("/"));
        assert_int_equal(d->u.list.mutf7, 1);
        assert_int_equal(mw_imap_mutf7_decode(d->u.list.mailbox.ptr,
                                              d->u.list.mailbox.len, tmp,
                                              sizeof tmp, &k, NULL),
                         MW_OK);
        span_eq(mw__span(tmp, k), S_("Entw\xc3\xbcrfe"));
        break;
    case MW_IMAP_DATA_STATUS:
        assert_int_equal(d->u.status.has,
                         MW_IMAP_STATUS_MESSAGES | MW_IMAP_STATUS_UIDNEXT |
                             MW_IMAP_STATUS_SIZE |
                             MW_IMAP_STATUS_HIGHESTMODSEQ |
                             MW_IMAP_STATUS_APPENDLIMIT);
        assert_int_equal(d->u.status.messages, 231);
        assert_int_equal(d->u.status.uidnext, 44292);
        assert_int_equal(d->u.status.size, 5000000000ull);
        assert_int_equal(d->u.status.highestmodseq, 7011231777ull);
        assert_int_equal(d->u.status.appendlimit_nil, 1);
        span_eq(d->u.status.mailbox, S_("blurdybloop"));
        break;
    case MW_IMAP_DATA_EXISTS:
        assert_int_equal(d->u.num, 172);
        break;
    case MW_IMAP_DATA_EXPUNGE:
        assert_int_equal(d->u.num, 44);
        break;
    case MW_IMAP_DATA_FLAGS:
        assert_int_equal(d->u.flags.system,
                         MW_IMAP_FLAG_SEEN | MW_IMAP_FLAG_DELETED);
        assert_int_equal(d->u.flags.count, 3);
        break;
    case MW_IMAP_DATA_ESEARCH:
        assert_int_equal(d->u.esearch.has, MW_IMAP_ESEARCH_MIN |
                                               MW_IMAP_ESEARCH_COUNT |
                                               MW_IMAP_ESEARCH_ALL);
        assert_int_equal(d->u.esearch.uid, 1);
        assert_int_equal(d->u.esearch.min, 2);
        assert_int_equal(d->u.esearch.count, 4);
        span_eq(d->u.esearch.all.text, S_("2,10:11,20"));
        break;
    case MW_IMAP_DATA_QUOTA:
        span_eq(d->u.quota.root, "", 0);
        assert_int_equal(d->u.quota.count, 1);
        span_eq(d->u.quota.resources[0].name, S_("STORAGE"));
        assert_int_equal(d->u.quota.resources[0].usage, 10);
        assert_int_equal(d->u.quota.resources[0].limit, 512);
        break;
    case MW_IMAP_DATA_ID:
        assert_int_equal(d->u.id.count, 1);
        span_eq(d->u.id.params[0].name, S_("name"));
        span_eq(d->u.id.params[0].value, S_("Cyrus"));
        break;
    case MW_IMAP_DATA_NAMESPACE:
        assert_int_equal(d->u.ns.personal.count, 1);
        span_eq(d->u.ns.personal.items[0].prefix, "", 0);
        span_eq(d->u.ns.personal.items[0].delimiter, S_("/"));
        assert_int_equal(d->u.ns.other.nil, 1);
        assert_int_equal(d->u.ns.shared.count, 1);
        span_eq(d->u.ns.shared.items[0].prefix, S_("Public Folders/"));
        break;
    case MW_IMAP_DATA_VANISHED:
        assert_int_equal(d->u.vanished.earlier, 1);
        span_eq(d->u.vanished.uids.text, S_("300:310,405"));
        break;
    default:
        fail_msg("unexpected data kind %d", d->kind);
    }
}

static void srv_data(rt *t, mw_imap_server *s, const mw_imap_cmd *cmd)
{
    (void)t;
    (void)cmd;
    {
        mw_imap_list_reply l;
        memset(&l, 0, sizeof l);
        l.attrs = MW_IMAP_LIST_HASNOCHILDREN | MW_IMAP_LIST_DRAFTS;
        l.delimiter = '/';
        l.mailbox = mw__span(S_("Entw\xc3\xbcrfe"));
        assert_int_equal(mw_imap_server_list(s, &l), MW_OK);
    }
    {
        mw_imap_status_reply st;
        memset(&st, 0, sizeof st);
        st.mailbox = mw__span(S_("blurdybloop"));
        st.items = MW_IMAP_STATUS_MESSAGES | MW_IMAP_STATUS_UIDNEXT |
                   MW_IMAP_STATUS_SIZE | MW_IMAP_STATUS_HIGHESTMODSEQ |
                   MW_IMAP_STATUS_APPENDLIMIT;
        st.messages = 231;
        st.uidnext = 44292;
        st.size = 5000000000ull;
        st.highestmodseq = 7011231777ull;
        st.appendlimit = UINT64_MAX;
        assert_int_equal(mw_imap_server_mailbox_status(s, &st), MW_OK);
    }
    assert_int_equal(mw_imap_server_exists(s, 172), MW_OK);
    assert_int_equal(mw_imap_server_expunge(s, 44), MW_OK);
    {
        mw_imap_flags f;
        assert_int_equal(mw_imap_flags_parse(S_("(\\Seen \\Deleted $Junk)"), 0,
                                             &f, NULL),
                         MW_OK);
        assert_int_equal(mw_imap_server_flags(s, &f), MW_OK);
    }
    {
        mw_imap_esearch_reply e;
        memset(&e, 0, sizeof e);
        e.items = MW_IMAP_SEARCHRET_MIN | MW_IMAP_SEARCHRET_COUNT |
                  MW_IMAP_SEARCHRET_ALL;
        e.uid = 1;
        e.min = 2;
        e.count = 4;
        e.all = mw__span(S_("2,10:11,20"));
        assert_int_equal(mw_imap_server_esearch(s, &e), MW_OK);
    }
    {
        mw_imap_quota_reply q;
        q.name = mw__span(S_("STORAGE"));
        q.usage = 10;
        q.limit = 512;
        assert_int_equal(mw_imap_server_quota(s, mw__span("", 0), &q, 1),
                         MW_OK);
    }
    {
        mw_imap_id_param p;
        p.field = mw__span(S_("name"));
        p.value = mw__span(S_("Cyrus"));
        assert_int_equal(mw_imap_server_id(s, &p, 1), MW_OK);
    }
    {
        mw_imap_ns_reply pers, shared;
        memset(&pers, 0, sizeof pers);
        memset(&shared, 0, sizeof shared);
        pers.prefix = mw__span("", 0);
        pers.delimiter = '/';
        shared.prefix = mw__span(S_("Public Folders/"));
        shared.delimiter = '/';
        assert_int_equal(mw_imap_server_namespace(s, &pers, 1, NULL, 0,
                                                  &shared, 1),
                         MW_OK);
    }
    assert_int_equal(mw_imap_server_vanished(s, 1, S_("300:310,405")), MW_OK);
    {
        static const uint32_t nums[] = {2, 84, 882};
        assert_int_equal(mw_imap_server_search(s, nums, 3, 0), MW_OK);
    }
    {
        mw_imap_code code;
        memset(&code, 0, sizeof code);
        code.id = MW_IMAP_CODE_COPYUID;
        code.num = 38505;
        assert_int_equal(mw_imap_seqset_parse(S_("304,319:320"), &code.set,
                                              NULL),
                         MW_OK);
        assert_int_equal(mw_imap_seqset_parse(S_("3956:3958"), &code.set2,
                                              NULL),
                         MW_OK);
        assert_int_equal(mw_imap_server_reply(s, MW_IMAP_OK, &code, "Done"),
                         MW_OK);
    }
}

static void test_rt_server_data(void **state)
{
    rt *t = rt_new();
    (void)state;
    rt_select(t);
    t->on_cmd = srv_data;
    t->on_data = on_list_data;
    assert_int_equal(mw_imap_client_noop(&t->c, NULL), MW_OK);
    pump(t);
    assert_int_equal(t->ndata, 10);
    assert_int_equal(t->nnums, 3);
    assert_int_equal(t->nums[0], 2);
    assert_int_equal(t->nums[1], 84);
    assert_int_equal(t->nums[2], 882);
    assert_int_equal(t->last_cmd, MW_IMAP_CMD_NOOP);
    assert_int_equal(t->last_code.id, MW_IMAP_CODE_COPYUID);
    assert_int_equal(t->last_code.num, 38505);
    free(t);
}

/* FETCH items built by the server, parsed by the client. */
static const char body1[] = "Hello\r\nworld\r\n\0binary";

static void on_item(rt *t, const mw_imap_fetch_item *it)
{
    (void)t;
    switch (it->id) {
    case MW_IMAP_FETCH_UID:
        assert_int_equal(it->num, 4827313);
        break;
    case MW_IMAP_FETCH_FLAGS:
        assert_int_equal(it->flags.system, MW_IMAP_FLAG_SEEN);
        break;
    case MW_IMAP_FETCH_INTERNALDATE:
        assert_int_equal(it->date.year, 1996);
        assert_int_equal(it->date.day, 17);
        assert_int_equal(it->date.zone, -420);
        break;
    case MW_IMAP_FETCH_RFC822_SIZE:
        assert_int_equal(it->num, 4286);
        break;
    case MW_IMAP_FETCH_MODSEQ:
        assert_int_equal(it->num, 12121231000ull);
        break;
    case MW_IMAP_FETCH_ENVELOPE: {
        const mw_imap_envelope *e = it->envelope;
        assert_non_null(e);
        span_eq(e->subject, S_("IMAP4rev2 WG \"mtg\"\r\nsummary"));
        assert_null(e->date.ptr);
        assert_int_equal(e->from.count, 1);
        span_eq(e->from.items[0].name, S_("Terry Gray"));
        span_eq(e->from.items[0].mailbox, S_("gray"));
        span_eq(e->from.items[0].host, S_("cac.washington.edu"));
        assert_int_equal(e->to.count, 3); /* a group: start, member, end */
        assert_null(e->to.items[0].host.ptr);
        span_eq(e->to.items[0].mailbox, S_("team"));
        assert_null(e->to.items[2].mailbox.ptr);
        assert_int_equal(e->cc.count, 0);
        span_eq(e->message_id, S_("<B27397-0100000@cac.washington.edu>"));
        break;
    }
    case MW_IMAP_FETCH_BODYSTRUCTURE: {
        const mw_imap_body *b = it->body;
        assert_non_null(b);
        assert_int_equal(b->kind, MW_IMAP_BODY_MULTIPART);
        assert_int_equal(b->nparts, 2);
        span_eq(b->subtype, S_("MIXED"));
        assert_non_null(b->first);
        assert_int_equal(b->first->kind, MW_IMAP_BODY_TEXT);
        span_eq(b->first->subtype, S_("PLAIN"));
        assert_int_equal(b->first->size, 3028);
        assert_int_equal(b->first->lines, 92);
        assert_non_null(b->first->next);
        span_eq(b->first->next->type, S_("APPLICATION"));
        assert_int_equal(b->first->next->size, 4096);
        break;
    }
    default:
        fail_msg("unexpected item %d", it->id);
    }
}

static void srv_fetch(rt *t, mw_imap_server *s, const mw_imap_cmd *cmd)
{
    mw_imap_flags f;
    mw_imap_datetime d;
    mw_imap_envelope e;
    mw_imap_address from, to[3];
    mw_imap_body mp, p1, p2;
    mw_imap_param cs;
    (void)t;
    (void)cmd;
    memset(&d, 0, sizeof d);
    d.year = 1996;
    d.month = 7;
    d.day = 17;
    d.hour = 2;
    d.minute = 44;
    d.second = 25;
    d.zone = -420;
    memset(&e, 0, sizeof e);
    memset(&from, 0, sizeof from);
    memset(to, 0, sizeof to);
    e.subject = mw__span(S_("IMAP4rev2 WG \"mtg\"\r\nsummary"));
    from.name = mw__span(S_("Terry Gray"));
    from.mailbox = mw__span(S_("gray"));
    from.host = mw__span(S_("cac.washington.edu"));
    e.from.items = &from;
    e.from.count = 1;
    to[0].mailbox = mw__span(S_("team"));
    to[1].mailbox = mw__span(S_("imap"));
    to[1].host = mw__span(S_("cac.washington.edu"));
    e.to.items = to;
    e.to.count = 3;
    e.message_id = mw__span(S_("<B27397-0100000@cac.washington.edu>"));
    memset(&mp, 0, sizeof mp);
    memset(&p1, 0, sizeof p1);
    memset(&p2, 0, sizeof p2);
    cs.name = mw__span(S_("CHARSET"));
    cs.value = mw__span(S_("US-ASCII"));
    p1.kind = MW_IMAP_BODY_TEXT;
    p1.type = mw__span(S_("TEXT"));
    p1.subtype = mw__span(S_("PLAIN"));
    p1.params = &cs;
    p1.nparams = 1;
    p1.encoding = mw__span(S_("7BIT"));
    p1.size = 3028;
    p1.lines = 92;
    p1.depth = 1;
    p1.next = &p2;
    p2.kind = MW_IMAP_BODY_BASIC;
    p2.type = mw__span(S_("APPLICATION"));
    p2.subtype = mw__span(S_("OCTET-STREAM"));
    p2.encoding = mw__span(S_("BASE64"));
    p2.size = 4096;
    p2.depth = 1;
    mp.kind = MW_IMAP_BODY_MULTIPART;
    mp.type = mw__span(S_("MULTIPART"));
    mp.subtype = mw__span(S_("MIXED"));
    mp.nparts = 2;
    mp.first = &p1;
    assert_int_equal(mw_imap_flags_parse(S_("(\\Seen)"), 0, &f, NULL), MW_OK);
    assert_int_equal(mw_imap_server_fetch_begin(s, 12), MW_OK);
    assert_int_equal(mw_imap_server_fetch_uid(s, 4827313), MW_OK);
    assert_int_equal(mw_imap_server_fetch_flags(s, &f), MW_OK);
    assert_int_equal(mw_imap_server_fetch_internaldate(s, &d), MW_OK);
    assert_int_equal(mw_imap_server_fetch_size(s, 4286), MW_OK);
    assert_int_equal(mw_imap_server_fetch_modseq(s, 12121231000ull), MW_OK);
    assert_int_equal(mw_imap_server_fetch_envelope(s, &e), MW_OK);
    assert_int_equal(mw_imap_server_fetch_body_structure(s, &mp, 1), MW_OK);
    {
        mw_imap_fetch_req r;
        memset(&r, 0, sizeof r);
        r.att = MW_IMAP_FA_BINARY;
        r.nparts = 1;
        r.parts[0] = 2;
        assert_int_equal(mw_imap_server_fetch_body_begin(
                             s, &r, sizeof body1 - 1, MW_IMAP_SERVER_LITERAL8),
                         MW_OK);
        assert_int_equal(mw_imap_server_fetch_body_data(s, body1, 7), MW_OK);
        assert_int_equal(mw_imap_server_fetch_body_data(s, body1 + 7,
                                                        sizeof body1 - 8),
                         MW_OK);
        assert_int_equal(mw_imap_server_fetch_body_end(s), MW_OK);
    }
    assert_int_equal(mw_imap_server_fetch_end(s), MW_OK);
    reply_ok(s);
}

static void test_rt_server_fetch(void **state)
{
    rt *t = rt_new();
    char ib[64];
    mw_imap_items it;
    mw_imap_seqset set;
    (void)state;
    rt_select(t);
    t->on_cmd = srv_fetch;
    t->expect = (const void *)(uintptr_t)on_item;
    mw_imap_items_init(&it, ib, sizeof ib);
    mw_imap_items_add(&it, MW_IMAP_ITEM_ALL);
    assert_int_equal(mw_imap_seqset_parse(S_("12"), &set, NULL), MW_OK);
    assert_int_equal(mw_imap_client_fetch(&t->c, &set, &it, NULL, NULL),
                     MW_OK);
    pump(t);
    assert_int_equal(t->nitems, 7);
    assert_int_equal(t->bodylen, sizeof body1 - 1);
    assert_memory_equal(t->body, body1, sizeof body1 - 1);
    assert_int_equal(t->last_cmd, MW_IMAP_CMD_FETCH);
    assert_int_equal(t->last_result, MW_IMAP_OK);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rt_login_strings),
        cmocka_unit_test(test_rt_mailboxes),
        cmocka_unit_test(test_rt_select_qresync),
        cmocka_unit_test(test_rt_list),
        cmocka_unit_test(test_rt_append),
        cmocka_unit_test(test_rt_append_utf8),
        cmocka_unit_test(test_rt_catenate),
        cmocka_unit_test(test_rt_search),
        cmocka_unit_test(test_rt_fetch_store),
        cmocka_unit_test(test_rt_misc),
        cmocka_unit_test(test_rt_starttls),
        cmocka_unit_test(test_rt_server_data),
        cmocka_unit_test(test_rt_server_fetch),
    };
    return cmocka_run_group_tests_name("imap_roundtrip", tests, NULL, NULL);
}

#else

int main(void)
{
    /* Needs both IMAP roles. */
    return 0;
}

#endif
