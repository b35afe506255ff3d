/* SPDX-License-Identifier: MIT */
/* The IMAP server machine (lib/imap/server.c) and its response formatters
 * (lib/imap/server_fmt*.c): the RFC 3501 §8 and RFC 9051 §8 sample
 * sessions replayed whole, per byte and at every split (tests/common/
 * replay.h) with an application built on the formatters, compared byte
 * for byte with the RFC's server lines; then state enforcement, literals
 * (accepted, refused, non-synchronising, over the limits, the dropped
 * literal whose bytes look like commands), APPEND streaming and
 * MULTIAPPEND, AUTHENTICATE with cancel loops, IDLE, STARTTLS and
 * COMPRESS leftovers, the bad-command limit and the command line limit at
 * cap-1/cap/cap+1, asynchronous answers, failing callbacks, and every
 * formatter's exact bytes and its refusal of CR, LF and NUL. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evlog.h"
#include "replay.h"
#include "mailwire/mailwire.h"
#include "mailwire/codec.h"
#include "mailwire/imap.h"
#include "mailwire/sasl.h"
#include "imap/grammar.h"
#include "imap/server_int.h"
#include "reason.h"

#define S_(lit) lit, sizeof(lit) - 1
#define SPAN(lit) { lit, sizeof(lit) - 1 }
#define NIL_ { NULL, 0 }

/* ======================================================================
 * Harness: a server whose output is collected and whose events are
 * logged; the application is a function of the test.
 * ====================================================================== */

static mw_span sz(const char *z)
{
    mw_span s;
    s.ptr = z;
    s.len = strlen(z);
    return s;
}

static int span_ieq(mw_span s, const char *z)
{
    size_t i, n = strlen(z);
    if (s.len != n)
        return 0;
    for (i = 0; i < n; i++) {
        char a = s.ptr[i], b = z[i];
        if (a >= 'a' && a <= 'z')
            a = (char)(a - 32);
        if (b >= 'a' && b <= 'z')
            b = (char)(b - 32);
        if (a != b)
            return 0;
    }
    return 1;
}

static int span_is(mw_span s, const char *z)
{
    return s.len == strlen(z) && (s.len == 0 || memcmp(s.ptr, z, s.len) == 0);
}

typedef struct gbuf {
    char *p;
    size_t len, cap;
} gbuf;

static void gb_add(gbuf *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->p = (char *)realloc(b->p, cap);
        assert_non_null(b->p);
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

typedef struct srv srv;
typedef int (*app_fn)(srv *x, const mw_imap_cmd *c);

/* What the literal callback does. */
enum { LIT_ACCEPT = 0, LIT_REFUSE, LIT_PAUSE, LIT_ABORT };

struct srv {
    mw_imap_server s;
    char buf[MW_IMAP_SERVER_BUF_SIZE];
    mw_imap_server_config cfg;
    app_fn app;
    evlog *log;
    evlog own;
    gbuf out;
    int nsend, fail_send, ncmd, nauth, nlit;
    int quiet;          /* do not log output bytes */
    int lit_mode;
    int lit_pending;    /* the literal callback paused: accept afterwards */
    int (*later)(srv *x); /* an answer the application gives after feed */
    int no_greeting;
    int greet_result;
    const mw_imap_code *greet_code;
    const char *greet_text;
    int tls_at_pause;   /* replay: a deferred STARTTLS OK + tls_done */
    int step;           /* per-test state */
    gbuf msg;           /* APPEND bytes received */
    int url_refuse;     /* append_url refuses URLs that start with "!" */
    int no_append_url;  /* no append_url callback: the machine answers */
};

static int cb_send(mw_imap_server *s, void *u, const char *p, size_t n)
{
    srv *x = (srv *)u;
    assert_ptr_equal(s, &x->s);
    x->nsend++;
    if (x->fail_send && x->nsend >= x->fail_send)
        return -1;
    gb_add(&x->out, p, n);
    if (!x->quiet)
        evlog_data(x->log, "out", p, n);
    return 0;
}

static int cb_error(mw_imap_server *s, void *u, int st, size_t off,
                    const char *why)
{
    srv *x = (srv *)u;
    (void)s;
    evlog_printf(x->log, "error %s @%zu %s", mw_status_name(st), off, why);
    return 0;
}

static int cb_command(mw_imap_server *s, void *u, const mw_imap_cmd *c)
{
    srv *x = (srv *)u;
    (void)s;
    x->ncmd++;
    evlog_printf(x->log, "cmd %s%s tag=%.*s @%zu",
                 (c->flags & MW_IMAP_CMDF_UID) ? "UID " : "",
                 c->id == MW_IMAP_CMD_DONE ? "DONE" : mw_imap_cmd_name(c->id),
                 (int)c->tag.len, c->tag.ptr, c->offset);
    if (x->app == NULL)
        return mw_imap_server_reply(&x->s, MW_IMAP_OK, NULL, NULL);
    return x->app(x, c);
}

static int cb_literal(mw_imap_server *s, void *u, const mw_imap_cmd *c)
{
    srv *x = (srv *)u;
    const mw_imap_append_args *a = &c->u.append;
    x->nlit++;
    evlog_printf(x->log, "literal #%u size=%llu mbox=%.*s flags=%.*s%s%s%s%s",
                 (unsigned)a->index, (unsigned long long)a->size,
                 (int)a->mailbox.name.len, a->mailbox.name.ptr,
                 (int)a->flags.text.len, a->flags.text.ptr,
                 a->nonsync ? " nonsync" : "", a->has_date ? " date" : "",
                 a->binary ? " binary" : "", a->utf8 ? " utf8" : "");
    if (a->catenate)
        evlog_printf(x->log, "  text part=%u", (unsigned)a->part);
    switch (x->lit_mode) {
    case LIT_REFUSE:
        return mw_imap_server_reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_TRYCREATE,
                                         "No such mailbox");
    case LIT_PAUSE:
        x->lit_pending = 1;
        return MW_PAUSED;
    case LIT_ABORT:
        return -1;
    default:
        return 0;
    }
}

static int cb_append_data(mw_imap_server *s, void *u, const char *p, size_t n)
{
    srv *x = (srv *)u;
    (void)s;
    gb_add(&x->msg, p, n);
    evlog_data(x->log, "msg", p, n);
    return 0;
}

static int cb_append_end(mw_imap_server *s, void *u, const mw_imap_cmd *c)
{
    srv *x = (srv *)u;
    (void)s;
    if (c->u.append.catenate)
        evlog_printf(x->log, "catend #%u nparts=%u",
                     (unsigned)c->u.append.index,
                     (unsigned)c->u.append.nparts);
    else
        evlog_printf(x->log, "msgend #%u", (unsigned)c->u.append.index);
    return 0;
}

static int cb_append_url(mw_imap_server *s, void *u, const mw_imap_cmd *c)
{
    srv *x = (srv *)u;
    const mw_imap_append_args *a = &c->u.append;
    (void)s;
    evlog_printf(x->log, "url #%u part=%u '%.*s' flags=%.*s",
                 (unsigned)a->index, (unsigned)a->part, (int)a->url.len,
                 a->url.ptr, (int)a->flags.text.len, a->flags.text.ptr);
    if (x->url_refuse && a->url.len > 0 && a->url.ptr[0] == '!') {
        mw_imap_code code;
        memset(&code, 0, sizeof code);
        code.id = MW_IMAP_CODE_BADURL;
        code.arg = a->url;
        return mw_imap_server_reply(s, MW_IMAP_NO, &code, "Bad URL");
    }
    return 0;
}

static int cb_auth(mw_imap_server *s, void *u, const char *b64, size_t n)
{
    srv *x = (srv *)u;
    mw_imap_cmd c;
    x->nauth++;
    evlog_printf(x->log, "auth '%.*s'", (int)n, b64);
    memset(&c, 0, sizeof c);
    c.id = -1; /* the app sees an auth step */
    c.name.ptr = b64;
    c.name.len = n;
    (void)s;
    return x->app != NULL ? x->app(x, &c) : 0;
}

static void out_clear(srv *x)
{
    x->out.len = 0;
    if (x->out.p != NULL)
        x->out.p[0] = '\0';
}

static void srv_setup(srv *x, evlog *log)
{
    mw_imap_server_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.send = cb_send;
    cb.command = cb_command;
    cb.error = cb_error;
    cb.literal = cb_literal;
    cb.append_data = cb_append_data;
    cb.append_end = cb_append_end;
    cb.auth = cb_auth;
    cb.append_url = x->no_append_url ? NULL : cb_append_url;
    x->log = log;
    out_clear(x);
    x->msg.len = 0;
    x->nsend = x->ncmd = x->nauth = x->nlit = 0;
    x->lit_pending = 0;
    x->later = NULL;
    x->step = 0;
    assert_int_equal(mw_imap_server_init(&x->s, &x->cfg, &cb, x, x->buf,
                                         sizeof x->buf),
                     MW_OK);
    if (!x->no_greeting)
        assert_int_equal(mw_imap_server_start(&x->s, x->greet_result,
                                              x->greet_code,
                                              x->greet_text != NULL
                                                  ? x->greet_text
                                                  : "ready"),
                         MW_OK);
}

static srv *srv_new(app_fn app)
{
    srv *x = (srv *)calloc(1, sizeof *x);
    assert_non_null(x);
    evlog_init(&x->own);
    mw_imap_server_config_init(&x->cfg);
    x->app = app;
    x->greet_result = MW_IMAP_OK;
    return x;
}

static void srv_free(srv *x)
{
    evlog_free(&x->own);
    free(x->out.p);
    free(x->msg.p);
    free(x);
}

/* What the application does once feed has returned (answers it gave
 * "later"). */
static void srv_after(srv *x)
{
    if (x->lit_pending) {
        x->lit_pending = 0;
        evlog_printf(x->log, "later: accept literal");
        assert_int_equal(mw_imap_server_literal_accept(&x->s), MW_OK);
    }
    if (x->later != NULL) {
        int (*f)(srv *) = x->later;
        x->later = NULL;
        evlog_printf(x->log, "later");
        assert_int_equal(f(x), MW_OK);
    }
}

/* replay ops */
static void rp_reset(void *ctx, evlog *log)
{
    srv_setup((srv *)ctx, log);
}

static int rp_feed(void *ctx, const char *p, size_t n, size_t *used)
{
    srv *x = (srv *)ctx;
    int r = mw_imap_server_feed(&x->s, p, n, used);
    srv_after(x);
    return r;
}

static const replay_ops ops = {rp_reset, rp_feed, NULL};

/* Start a server for a direct test (own log); the output holds the
 * greeting. */
static void srv_go(srv *x)
{
    evlog_reset(&x->own);
    out_clear(x);
    srv_setup(x, &x->own);
}

/* Feed everything, re-feeding after pauses (answers given by srv_after);
 * returns the last status. */
static int feed_all(srv *x, const char *p, size_t n)
{
    size_t pos = 0;
    int r = MW_OK, idle = 0;
    do {
        size_t used = 0;
        r = mw_imap_server_feed(&x->s, p + pos, n - pos, &used);
        srv_after(x);
        pos += used;
        if (r == MW_DONE || (r < 0 && mw_is_fatal(r)) || r == MW_E_CLOSED)
            break;
        if (used == 0 && ++idle > 3)
            break;
    } while (pos < n);
    return r;
}

static int feed_str(srv *x, const char *z)
{
    return feed_all(x, z, strlen(z));
}

/* The output so far as a string; then forget it. */
static void expect_out(srv *x, const char *want)
{
    const char *got = x->out.p != NULL ? x->out.p : "";
    if (strcmp(got, want) != 0) {
        print_error("output differs\n  want: %s\n  got:  %s\n", want, got);
        fail();
    }
    out_clear(x);
    if (x->out.p != NULL)
        x->out.p[0] = '\0';
}

static int log_has(srv *x, const char *needle)
{
    return strstr(evlog_str(x->log), needle) != NULL;
}

/* The input replayed whole, per byte and at every split. */
static void replay_all(srv *x, const char *in, size_t n)
{
    evlog whole;
    evlog_init(&whole);
    replay_check(&ops, x, in, n, &whole);
    evlog_free(&whole);
}

/* ======================================================================
 * The RFC 3501 §8 / RFC 9051 §8 sample sessions
 * ====================================================================== */

static const mw_imap_address a_terry[1] = {
    {SPAN("Terry Gray"), NIL_, SPAN("gray"), SPAN("cac.washington.edu")}};
static const mw_imap_address a_imap[1] = {
    {NIL_, NIL_, SPAN("imap"), SPAN("cac.washington.edu")}};
static const mw_imap_address a_cc[2] = {
    {NIL_, NIL_, SPAN("minutes"), SPAN("CNRI.Reston.VA.US")},
    {SPAN("John Klensin"), NIL_, SPAN("KLENSIN"), SPAN("MIT.EDU")}};

static const mw_imap_param p_charset[1] = {
    {SPAN("CHARSET"), SPAN("US-ASCII")}};

static const char rfc_header[] =
    "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n"
    "From: Terry Gray <gray@cac.washington.edu>\r\n"
    "Subject: IMAP4rev1 WG mtg summary and minutes\r\n"
    "To: imap@cac.washington.edu\r\n"
    "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n"
    "Message-Id: <B27397-0100000@cac.washington.edu>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
    "\r\n";

static const char rfc_header2[] =
    "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n"
    "From: Terry Gray <gray@cac.washington.edu>\r\n"
    "Subject: IMAP4rev2 WG mtg summary and minutes\r\n"
    "To: imap@cac.washington.edu\r\n"
    "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n"
    "Message-Id: <B27397-0100000@cac.washington.edu>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
    "\r\n";

static void rfc_envelope(mw_imap_envelope *e, int rev2)
{
    memset(e, 0, sizeof *e);
    e->date = sz("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)");
    e->subject = rev2 ? sz("IMAP4rev2 WG mtg summary and minutes")
                      : sz("IMAP4rev1 WG mtg summary and minutes");
    e->from.items = a_terry;
    e->from.count = 1;
    e->sender = e->from;
    e->reply_to = e->from;
    e->to.items = a_imap;
    e->to.count = 1;
    e->cc.items = a_cc;
    e->cc.count = 2;
    /* RFC 9051 §8's envelope ends the Message-ID "...washington.ed>" (its
     * header literal says ".edu>"); the replies copy each RFC's text */
    e->message_id = rev2 ? sz("<B27397-0100000@cac.washington.ed>")
                         : sz("<B27397-0100000@cac.washington.edu>");
}

static void rfc_body(mw_imap_body *b)
{
    memset(b, 0, sizeof *b);
    b->kind = MW_IMAP_BODY_TEXT;
    b->type = sz("TEXT");
    b->subtype = sz("PLAIN");
    b->params = p_charset;
    b->nparams = 1;
    b->encoding = sz("7BIT");
    b->size = 3028;
    b->lines = 92;
}

/* Message 12 of the samples, served item by item as the command asks. */
static int serve_fetch(srv *x, const mw_imap_cmd *c, int rev2)
{
    mw_imap_server *s = &x->s;
    const mw_imap_fetch_args *f = &c->u.fetch;
    uint32_t i;
    assert_int_equal(f->set.text.len, 2);
    assert_memory_equal(f->set.text.ptr, "12", 2);
    assert_int_equal(mw_imap_server_fetch_begin(s, 12), MW_OK);
    for (i = 0; i < f->nitems; i++) {
        const mw_imap_fetch_req *it = &f->items[i];
        switch (it->att) {
        case MW_IMAP_FA_FLAGS: {
            mw_imap_flags fl;
            memset(&fl, 0, sizeof fl);
            fl.system = MW_IMAP_FLAG_SEEN;
            assert_int_equal(mw_imap_server_fetch_flags(s, &fl), MW_OK);
            break;
        }
        case MW_IMAP_FA_INTERNALDATE: {
            mw_imap_datetime d = {1996, 7, 17, 2, 44, 25, -420, 0};
            assert_int_equal(mw_imap_server_fetch_internaldate(s, &d), MW_OK);
            break;
        }
        case MW_IMAP_FA_RFC822_SIZE:
            assert_int_equal(mw_imap_server_fetch_size(s, 4286), MW_OK);
            break;
        case MW_IMAP_FA_ENVELOPE: {
            mw_imap_envelope e;
            rfc_envelope(&e, rev2);
            assert_int_equal(mw_imap_server_fetch_envelope(s, &e), MW_OK);
            break;
        }
        case MW_IMAP_FA_BODY: {
            mw_imap_body b;
            rfc_body(&b);
            assert_int_equal(mw_imap_server_fetch_body_structure(s, &b, 0),
                             MW_OK);
            break;
        }
        case MW_IMAP_FA_BODY_SECTION: {
            const char *h = rev2 ? rfc_header2 : rfc_header;
            size_t n = strlen(h);
            assert_int_equal(it->section, MW_IMAP_SECTION_HEADER);
            assert_int_equal(n, 342); /* the RFC's {342} */
            assert_int_equal(mw_imap_server_fetch_body_begin(s, it, n, 0),
                             MW_OK);
            /* in three chunks: the machine passes them on as they are */
            assert_int_equal(mw_imap_server_fetch_body_data(s, h, 100), MW_OK);
            assert_int_equal(mw_imap_server_fetch_body_end(s), MW_E_STATE);
            assert_int_equal(mw_imap_server_fetch_body_data(s, h + 100, 200),
                             MW_OK);
            assert_int_equal(mw_imap_server_fetch_body_data(s, h + 300,
                                                            n - 300),
                             MW_OK);
            assert_int_equal(mw_imap_server_fetch_body_end(s), MW_OK);
            break;
        }
        default:
            fail_msg("unexpected fetch item %d", it->att);
        }
    }
    return mw_imap_server_fetch_end(s);
}

static int tag_is(const mw_imap_cmd *c, const char *t)
{
    return c->tag.len == strlen(t) && memcmp(c->tag.ptr, t, c->tag.len) == 0;
}

static int app_rfc(srv *x, const mw_imap_cmd *c, int rev2)
{
    mw_imap_server *s = &x->s;
    mw_imap_code code;
    memset(&code, 0, sizeof code);

    if (c->id == -1) { /* SASL steps of RFC 9051 §8 */
        if (x->step == 1) {
            static const char v[] =
                "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
            assert_true(span_is(
                c->name,
                "Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0Fm"
                "dXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empm"
                "TUhnc3FtbWl6N0FuZFZRPQ=="));
            x->step = 2;
            return mw_imap_server_auth_challenge(s, v, sizeof v - 1);
        }
        assert_int_equal(x->step, 2);
        assert_int_equal(c->name.len, 0); /* the empty last response */
        x->step = 3;
        return mw_imap_server_reply(s, MW_IMAP_OK, NULL,
                                    "SCRAM-SHA-256 authentication successful");
    }
    switch (c->id) {
    case MW_IMAP_CMD_STARTTLS:
        /* Answered after feed returns, as a real server does before the
         * handshake (the replay then feeds the rest "over TLS"). */
        x->tls_at_pause = 1;
        return MW_PAUSED;
    case MW_IMAP_CMD_AUTHENTICATE: {
        static const char r1[] =
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
        const mw_imap_authenticate_args *a = &c->u.authenticate;
        assert_true(span_ieq(a->mechanism, "SCRAM-SHA-256"));
        assert_true(a->has_initial);
        assert_int_equal(a->initial.len, 44);
        x->step = 1;
        return mw_imap_server_auth_challenge(s, r1, sizeof r1 - 1);
    }
    case MW_IMAP_CMD_ENABLE: {
        assert_int_equal(c->u.enable.count, 1);
        assert_int_equal(mw_imap_server_enabled(s, c->u.enable.caps, 1), MW_OK);
        return mw_imap_server_reply(s, MW_IMAP_OK, NULL,
                                    "Some capabilities enabled");
    }
    case MW_IMAP_CMD_LOGIN:
        assert_true(tag_is(c, "a001"));
        assert_int_equal(c->u.login.user.len, 3);
        assert_memory_equal(c->u.login.user.ptr, "mrc", 3);
        assert_int_equal(c->u.login.password.len, 6);
        assert_memory_equal(c->u.login.password.ptr, "secret", 6);
        return mw_imap_server_reply(s, MW_IMAP_OK, NULL, "LOGIN completed");
    case MW_IMAP_CMD_SELECT: {
        mw_imap_flags fl;
        assert_int_equal(c->u.select.mailbox.name.len, 5);
        assert_memory_equal(c->u.select.mailbox.name.ptr, "INBOX", 5);
        assert_int_equal(mw_imap_server_exists(s, 18), MW_OK);
        memset(&fl, 0, sizeof fl);
        fl.system = MW_IMAP_FLAG_ANSWERED | MW_IMAP_FLAG_FLAGGED |
                    MW_IMAP_FLAG_DELETED | MW_IMAP_FLAG_SEEN |
                    MW_IMAP_FLAG_DRAFT;
        assert_int_equal(mw_imap_server_flags(s, &fl), MW_OK);
        if (!rev2) {
            assert_int_equal(mw_imap_server_recent(s, 2), MW_OK);
            code.id = MW_IMAP_CODE_UNSEEN;
            code.num = 17;
            assert_int_equal(mw_imap_server_status(
                                 s, MW_IMAP_OK, &code,
                                 "Message 17 is the first unseen message"),
                             MW_OK);
        }
        code.id = MW_IMAP_CODE_UIDVALIDITY;
        code.num = 3857529045u;
        assert_int_equal(mw_imap_server_status(s, MW_IMAP_OK, &code,
                                               "UIDs valid"),
                         MW_OK);
        if (rev2) {
            mw_imap_list_reply l;
            memset(&l, 0, sizeof l);
            l.delimiter = '/';
            l.mailbox = sz("INBOX");
            l.oldname = sz("inbox");
            assert_int_equal(mw_imap_server_list(s, &l), MW_OK);
        }
        return mw_imap_server_reply_code(s, MW_IMAP_OK,
                                         MW_IMAP_CODE_READ_WRITE,
                                         "SELECT completed");
    }
    case MW_IMAP_CMD_FETCH:
        assert_int_equal(serve_fetch(x, c, rev2), MW_OK);
        return mw_imap_server_reply(s, MW_IMAP_OK, NULL, "FETCH completed");
    case MW_IMAP_CMD_STORE: {
        mw_imap_flags fl;
        assert_int_equal(c->u.store.mode, MW_IMAP_STORE_ADD);
        assert_int_equal(c->u.store.flags.system, MW_IMAP_FLAG_DELETED);
        memset(&fl, 0, sizeof fl);
        fl.text = sz("\\Seen \\Deleted");
        assert_int_equal(mw_imap_server_fetch_begin(s, 12), MW_OK);
        assert_int_equal(mw_imap_server_fetch_flags(s, &fl), MW_OK);
        assert_int_equal(mw_imap_server_fetch_end(s), MW_OK);
        return mw_imap_server_reply(s, MW_IMAP_OK, NULL, "+FLAGS completed");
    }
    case MW_IMAP_CMD_LOGOUT:
        assert_int_equal(mw_imap_server_bye(s, NULL,
                                            rev2 ? "IMAP4rev2 server "
                                                   "terminating connection"
                                                 : "IMAP4rev1 server "
                                                   "terminating connection"),
                         MW_OK);
        return mw_imap_server_reply(s, MW_IMAP_OK, NULL, "LOGOUT completed");
    default:
        fail_msg("unexpected command %d", c->id);
    }
    return -1;
}

static int app_rfc3501(srv *x, const mw_imap_cmd *c)
{
    return app_rfc(x, c, 0);
}

static int app_rfc9051(srv *x, const mw_imap_cmd *c)
{
    return app_rfc(x, c, 1);
}

static const char rfc3501_client[] = "a001 login mrc secret\r\n"
                                     "a002 select inbox\r\n"
                                     "a003 fetch 12 full\r\n"
                                     "a004 fetch 12 body[header]\r\n"
                                     "a005 store 12 +flags \\deleted\r\n"
                                     "a006 logout\r\n";

#define RFC_ENVELOPE(rev, edu)                                               \
    "ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "                   \
    "\"IMAP4" rev " WG mtg summary and minutes\" "                          \
    "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "                \
    "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "                \
    "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "                \
    "((NIL NIL \"imap\" \"cac.washington.edu\")) "                           \
    "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")"                           \
    "(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "               \
    "\"<B27397-0100000@cac.washington." edu ">\")"

#define RFC_FETCH_FULL(rev, edu)                                                  \
    "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" " \
    "RFC822.SIZE 4286 " RFC_ENVELOPE(rev, edu) " BODY (\"TEXT\" \"PLAIN\" "      \
    "(\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n"

static void test_rfc3501_session(void **state)
{
    srv *x = srv_new(app_rfc3501);
    evlog whole;
    gbuf want = {0};
    (void)state;
    x->greet_text = "IMAP4rev1 Service Ready";
    evlog_init(&whole);
    replay_check(&ops, x, rfc3501_client, sizeof rfc3501_client - 1, &whole);

    gb_add(&want, S_("* OK IMAP4rev1 Service Ready\r\n"
                     "a001 OK LOGIN completed\r\n"
                     "* 18 EXISTS\r\n"
                     "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
                     "* 2 RECENT\r\n"
                     "* OK [UNSEEN 17] Message 17 is the first unseen message\r\n"
                     "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"
                     "a002 OK [READ-WRITE] SELECT completed\r\n"
                     RFC_FETCH_FULL("rev1", "edu")
                     "a003 OK FETCH completed\r\n"
                     "* 12 FETCH (BODY[HEADER] {342}\r\n"));
    gb_add(&want, rfc_header, sizeof rfc_header - 1);
    gb_add(&want, S_(")\r\n"
                     "a004 OK FETCH completed\r\n"
                     "* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n"
                     "a005 OK +FLAGS completed\r\n"
                     "* BYE IMAP4rev1 server terminating connection\r\n"
                     "a006 OK LOGOUT completed\r\n"));
    /* the last run of the replay left its output in x->out */
    assert_string_equal(x->out.p, want.p);
    assert_int_equal(mw_imap_server_state(&x->s), MW_IMAP_STATE_LOGOUT);
    assert_true(mw_imap_server_want(&x->s) & MW_IMAP_SERVER_WANT_CLOSED);
    assert_true(strstr(evlog_str(&whole), "replay: done at") != NULL);
    /* one send per response line but the literal (header, then the 342
     * bytes in the application's 3 chunks, then ")" CRLF) */
    free(want.p);
    evlog_free(&whole);
    srv_free(x);
}

/* RFC 9051 §8: STARTTLS answered once feed has returned (a real server
 * answers, then runs the handshake, then reads TLS records). */
static int rp_feed9051(void *ctx, const char *p, size_t n, size_t *used)
{
    srv *x = (srv *)ctx;
    int r = mw_imap_server_feed(&x->s, p, n, used);
    if (x->tls_at_pause) {
        x->tls_at_pause = 0;
        assert_true(r == MW_PAUSED || (r == MW_OK && *used == n));
        assert_int_equal(mw_imap_server_reply(&x->s, MW_IMAP_OK, NULL,
                                              "Proceed with TLS negotiation"),
                         MW_OK);
        assert_true(mw_imap_server_want(&x->s) & MW_IMAP_SERVER_WANT_TLS);
        evlog_printf(x->log, "<TLS negotiation>");
        assert_int_equal(mw_imap_server_tls_done(&x->s), MW_OK);
    }
    srv_after(x);
    return r;
}

static const replay_ops ops9051 = {rp_reset, rp_feed9051, NULL};

static const char rfc9051_client[] =
    "a000 starttls\r\n"
    "A001 AUTHENTICATE SCRAM-SHA-256 "
    "biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=\r\n"
    "Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxq"
    "KWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0Fu"
    "ZFZRPQ==\r\n"
    "\r\n"
    "babc ENABLE IMAP4rev2\r\n"
    "a002 select inbox\r\n"
    "a003 fetch 12 full\r\n"
    "a004 fetch 12 body[header]\r\n"
    "a005 store 12 +flags \\deleted\r\n"
    "a006 logout\r\n";

static void test_rfc9051_session(void **state)
{
    static const mw_imap_code caps = {
        MW_IMAP_CODE_CAPABILITY, NIL_,
        SPAN("STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED IMAP4rev2"), 0, 0, 0,
        {NIL_, 0, 0, 0, {0, 0}}, {NIL_, 0, 0, 0, {0, 0}}, {NIL_, 0, 0}};
    srv *x = srv_new(app_rfc9051);
    evlog whole;
    gbuf want = {0};
    (void)state;
    x->cfg.caps = MW_IMAP_CAP_IMAP4REV2 | MW_IMAP_CAP_STARTTLS;
    x->cfg.auth = MW_IMAP_AUTH_SCRAM_SHA_256;
    x->cfg.flags = MW_IMAP_SERVER_LOGIN_NEEDS_TLS;
    x->greet_code = &caps;
    x->greet_text = "IMAP4rev2 Service Ready";
    evlog_init(&whole);
    replay_check(&ops9051, x, rfc9051_client, sizeof rfc9051_client - 1,
                 &whole);
    gb_add(&want,
           S_("* OK [CAPABILITY STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED "
              "IMAP4rev2] IMAP4rev2 Service Ready\r\n"
              "a000 OK Proceed with TLS negotiation\r\n"
              "+ cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGop"
              "aE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=\r\n"
              "+ dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0"
              "PQ==\r\n"
              "A001 OK SCRAM-SHA-256 authentication successful\r\n"
              "* ENABLED IMAP4rev2\r\n"
              "babc OK Some capabilities enabled\r\n"
              "* 18 EXISTS\r\n"
              "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
              "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"
              "* LIST () \"/\" INBOX (\"OLDNAME\" (\"inbox\"))\r\n"
              "a002 OK [READ-WRITE] SELECT completed\r\n"
              RFC_FETCH_FULL("rev2", "ed")
              "a003 OK FETCH completed\r\n"
              "* 12 FETCH (BODY[HEADER] {342}\r\n"));
    gb_add(&want, rfc_header2, sizeof rfc_header2 - 1);
    gb_add(&want, S_(")\r\n"
                     "a004 OK FETCH completed\r\n"
                     "* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n"
                     "a005 OK +FLAGS completed\r\n"
                     "* BYE IMAP4rev2 server terminating connection\r\n"
                     "a006 OK LOGOUT completed\r\n"));
    assert_string_equal(x->out.p, want.p);
    assert_true(strstr(evlog_str(&whole), "<TLS negotiation>") != NULL);
    assert_true(strstr(evlog_str(&whole), "TLS_LEFTOVER") == NULL);
    free(want.p);
    evlog_free(&whole);
    srv_free(x);
}

/* ======================================================================
 * A simple application: OK to everything, with a few answers that the
 * tests look for.
 * ====================================================================== */

static int app_ok(srv *x, const mw_imap_cmd *c)
{
    mw_imap_server *s = &x->s;
    if (c->id == -1) /* SASL step: accept whatever */
        return mw_imap_server_reply(s, MW_IMAP_OK, NULL, "Authenticated");
    switch (c->id) {
    case MW_IMAP_CMD_IDLE:
        return mw_imap_server_idle(s, NULL);
    case MW_IMAP_CMD_DONE:
        return mw_imap_server_reply(s, MW_IMAP_OK, NULL, "IDLE terminated");
    case MW_IMAP_CMD_AUTHENTICATE:
        if (c->u.authenticate.has_initial)
            return mw_imap_server_reply(s, MW_IMAP_OK, NULL, "Authenticated");
        return mw_imap_server_auth_challenge(s, NULL, 0);
    case MW_IMAP_CMD_SELECT:
        if (span_is(c->u.select.mailbox.name, "nosuch"))
            return mw_imap_server_reply_code(s, MW_IMAP_NO,
                                             MW_IMAP_CODE_NONEXISTENT,
                                             "No such mailbox");
        return mw_imap_server_reply(s, MW_IMAP_OK, NULL, NULL);
    case MW_IMAP_CMD_APPEND: {
        mw_imap_code code;
        memset(&code, 0, sizeof code);
        code.id = MW_IMAP_CODE_APPENDUID;
        code.num = 38505;
        code.set.text = sz("3955");
        return mw_imap_server_reply(s, MW_IMAP_OK, &code, "APPEND completed");
    }
    default:
        return mw_imap_server_reply(s, MW_IMAP_OK, NULL, NULL);
    }
}

/* RFC 9051's command examples of the authenticated and selected states
 * (§6.3, §6.4, §7.1, byte for byte as in test_imap_server_cmd.c's table)
 * in one session through the machine, replayed whole, per byte and at
 * every split: every one reaches the application and is answered OK,
 * literals (synchronising, LITERAL-, the APPEND messages) included. */
static void test_rfc9051_examples_replayed(void **state)
{
    static const char in[] =
        "a LOGIN u p\r\n"
        "t2 ENABLE CONDSTORE X-GOOD-IDEA\r\na1 ENABLE CONDSTORE\r\n"
        "A003 CREATE owatagusiam/\r\nA004 CREATE owatagusiam/blurdybloop\r\n"
        "A005 CREATE NonNormalized\r\nA682 LIST \"\" *\r\n"
        "A683 DELETE blurdybloop\r\nA685 DELETE foo/bar\r\n"
        "A86 LIST \"\" %\r\nA683 RENAME blurdybloop sarasoop\r\n"
        "Z433 RENAME INBOX old-mail\r\n1001 RENAME X Y\r\n"
        "1002 SUBSCRIBE Y\r\n1003 UNSUBSCRIBE X\r\n"
        "A002 SUBSCRIBE #news.comp.mail.mime\r\n"
        "A101 LIST \"\" \"\"\r\nA102 LIST #news.comp.mail.misc \"\"\r\n"
        "A103 LIST /usr/staff/jones \"\"\r\nA202 LIST ~/Mail/ %\r\n"
        "A02 LIST (SUBSCRIBED) \"\" \"*\"\r\n"
        "A03 LIST () \"\" \"%\" RETURN (CHILDREN)\r\n"
        "A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)\r\n"
        "A05 LIST (REMOTE SUBSCRIBED) \"\" \"*\"\r\n"
        "A06 LIST (REMOTE) \"\" \"*\" RETURN (SUBSCRIBED)\r\n"
        "C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)\r\n"
        "D03 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*2\"\r\n"
        "a1 LIST \"\" (\"foo\")\r\na3.1 LIST \"\" (% music/rock)\r\n"
        "A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))\r\n"
        "A001 NAMESPACE\r\nA002 CREATE \"INBOX.Sent Mail\"\r\n"
        "A002 LIST (SPECIAL-USE) \"\" \"*\"\r\n"
        "A002 LIST \"\" \"~mark/%\"\r\n"
        "A042 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n"
        "A003 APPEND saved-messages (\\Seen) {297+}\r\n"
        "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n"
        "From: Fred Foobar <foobar@example.com>\r\n"
        "Subject: afternoon meeting\r\n"
        "To: mooch@example.com\r\n"
        "Message-Id: <B27397-0100000@example.com>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
        "\r\n"
        "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n"
        "\r\n"
        "A142 SELECT INBOX\r\nA002 IDLE\r\nDONE\r\n"
        "A003 FETCH 4 ALL\r\nA202 EXPUNGE\r\n"
        "A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM "
        "\"Smith\"\r\n"
        "A285 SEARCH CHARSET UTF-8 TEXT {12}\r\n"
        "\xd0\xbe\xd1\x82\xd0\xbf\xd1\x83\xd1\x81\xd0\xba\r\n"
        "A285 UID SEARCH RETURN (MIN MAX) 1:5000\r\n"
        "A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994 NOT FROM "
        "\"Smith\"\r\n"
        "A283 FETCH $ (UID INTERNALDATE FLAGS BODY.PEEK[HEADER])\r\n"
        "A301 UID SEARCH UID $ SMALLER 4096\r\n"
        "P283 SEARCH CHARSET UTF-8 (OR $ 1,3000:3021) TEXT {8+}\r\n"
        "\xd0\xbc\xd0\xb0\xd1\x82\xd1\x8c\r\n"
        "E283 COPY $ \"Other Messages\"\r\n"
        "F282 SEARCH RETURN (SAVE) KEYWORD $Junk\r\n"
        "F284 STORE $ +FLAGS.Silent (\\Deleted)\r\n"
        "A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n"
        "A003 STORE 2:4 +FLAGS (\\Deleted)\r\nA003 COPY 2:4 MEETING\r\n"
        "a UID MOVE 42:69 foo\r\nA003 UID EXPUNGE 3000:3002\r\n"
        "A999 UID FETCH 4827313:4828442 FLAGS\r\n"
        "h search from maria@example.com\r\n"
        "m STORE 42 FLAGS f1 f2 f3 f4 f5 ... f250\r\n"
        "n1 uid copy 1:* oldmail\r\nA342 UNSELECT\r\n"
        "a002 select inbox\r\na003 fetch 12 full\r\n"
        "a004 fetch 12 body[header]\r\na005 store 12 +flags \\deleted\r\n"
        "A341 CLOSE\r\nA023 LOGOUT\r\n";
    srv *x = srv_new(app_ok);
    (void)state;
    x->cfg.caps = MW_IMAP_CAP_IMAP4REV2 | MW_IMAP_CAP_LITERAL_PLUS |
                  MW_IMAP_CAP_CONDSTORE | MW_IMAP_CAP_LIST_EXTENDED |
                  MW_IMAP_CAP_LIST_STATUS | MW_IMAP_CAP_SPECIAL_USE |
                  MW_IMAP_CAP_ESEARCH | MW_IMAP_CAP_SEARCHRES;
    x->cfg.max_bad_commands = 0;
    srv_go(x);
    out_clear(x);
    feed_all(x, in, sizeof in - 1);
    if (strstr(x->out.p, " BAD ") != NULL || strstr(x->out.p, " NO ") != NULL)
        fail_msg("an RFC example refused:\n%s", x->out.p);
    assert_non_null(strstr(x->out.p, "A023 OK Completed\r\n"));
    assert_int_equal(x->nlit, 1); /* the APPEND message */
    assert_int_equal(x->ncmd, 67); /* the 66 commands, and IDLE's DONE */
    replay_all(x, in, sizeof in - 1);
    srv_free(x);
}

/* ======================================================================
 * Context size
 * ====================================================================== */

static void test_sizeof(void **state)
{
    (void)state;
    print_message("sizeof(mw_imap_server) = %zu bytes\n",
                  mw_imap_server_sizeof());
    assert_int_equal(mw_imap_server_sizeof(), sizeof(mw_imap_server));
    assert_true(mw_imap_server_sizeof() <= 4096);
}

static void test_init_checks(void **state)
{
    static char buf[MW_IMAP_SERVER_BUF_SIZE];
    mw_imap_server s;
    mw_imap_server_config cfg;
    mw_imap_server_callbacks cb;
    size_t used;
    (void)state;
    memset(&cb, 0, sizeof cb);
    assert_int_equal(mw_imap_server_init(&s, NULL, &cb, NULL, buf, sizeof buf),
                     MW_E_INVAL); /* no send */
    cb.send = cb_send;
    assert_int_equal(mw_imap_server_init(&s, NULL, &cb, NULL, buf, sizeof buf),
                     MW_OK);
    /* feed before start */
    assert_int_equal(mw_imap_server_feed(&s, "a NOOP\r\n", 8, &used),
                     MW_E_STATE);
    assert_int_equal(used, 0);
    mw_imap_server_config_init(&cfg);
    cfg.max_line = 63;
    cfg.max_literal = 63;
    assert_int_equal(mw_imap_server_init(&s, &cfg, &cb, NULL, buf, sizeof buf),
                     MW_E_INVAL);
    cfg.max_line = 64;
    assert_int_equal(mw_imap_server_init(&s, &cfg, &cb, NULL, buf, sizeof buf),
                     MW_OK);
    cfg.max_literal = 65;
    assert_int_equal(mw_imap_server_init(&s, &cfg, &cb, NULL, buf, sizeof buf),
                     MW_E_INVAL);
    mw_imap_server_config_init(&cfg);
    /* the buffer: max_line + the arena minimum (plus alignment) */
    assert_int_equal(mw_imap_server_init(&s, &cfg, &cb, NULL, buf,
                                         cfg.max_line + 512),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_server_init(&s, &cfg, &cb, NULL, buf,
                                         cfg.max_line +
                                             MW_IMAP_SERVER_ARENA_MIN + 16),
                     MW_OK);
    cfg.caps_extra = "XFOO  XBAR";
    assert_int_equal(mw_imap_server_init(&s, &cfg, &cb, NULL, buf, sizeof buf),
                     MW_E_INVAL);
    cfg.caps_extra = "XFOO (X)";
    assert_int_equal(mw_imap_server_init(&s, &cfg, &cb, NULL, buf, sizeof buf),
                     MW_E_INVAL);
    cfg.caps_extra = "XFOO THREAD=REFERENCES AUTH=GSSAPI";
    assert_int_equal(mw_imap_server_init(&s, &cfg, &cb, NULL, buf, sizeof buf),
                     MW_OK);
    cfg.max_depth = 0;
    assert_int_equal(mw_imap_server_init(&s, &cfg, &cb, NULL, buf, sizeof buf),
                     MW_E_INVAL);
    cfg.max_depth = MW_IMAP_SERVER_DEPTH_MAX + 1;
    assert_int_equal(mw_imap_server_init(&s, &cfg, &cb, NULL, buf, sizeof buf),
                     MW_E_INVAL);
    mw_imap_server_config_init(&cfg);
    cfg.newline = (mw_newline_policy)7;
    assert_int_equal(mw_imap_server_init(&s, &cfg, &cb, NULL, buf, sizeof buf),
                     MW_E_INVAL);
}

static void test_greetings(void **state)
{
    srv *x = srv_new(app_ok);
    mw_imap_code c;
    (void)state;
    x->no_greeting = 1;
    srv_go(x);
    /* bad arguments send nothing and leave the server unstarted */
    assert_int_equal(mw_imap_server_start(&x->s, MW_IMAP_NO, NULL, "x"),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_server_start(&x->s, MW_IMAP_OK, NULL, "a\r\nb"),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_server_start(&x->s, MW_IMAP_OK, NULL, "[x"),
                     MW_E_INVAL);
    assert_int_equal(x->nsend, 0);
    memset(&c, 0, sizeof c);
    c.id = MW_IMAP_CODE_CAPABILITY;
    assert_int_equal(mw_imap_server_start(&x->s, MW_IMAP_OK, &c, NULL), MW_OK);
    expect_out(x, "* OK [CAPABILITY IMAP4rev1 LITERAL- IDLE] Completed\r\n");
    assert_int_equal(mw_imap_server_start(&x->s, MW_IMAP_OK, NULL, NULL),
                     MW_E_STATE);
    assert_int_equal(mw_imap_server_state(&x->s),
                     MW_IMAP_STATE_NOT_AUTHENTICATED);

    /* PREAUTH starts authenticated (RFC 9051 §7.1.4) */
    srv_go(x);
    assert_int_equal(mw_imap_server_start(&x->s, MW_IMAP_PREAUTH, NULL,
                                          "IMAP4rev1 server logged in as Smith"),
                     MW_OK);
    expect_out(x, "* PREAUTH IMAP4rev1 server logged in as Smith\r\n");
    assert_int_equal(mw_imap_server_state(&x->s), MW_IMAP_STATE_AUTHENTICATED);
    feed_str(x, "a SELECT INBOX\r\n");
    expect_out(x, "a OK Completed\r\n");
    assert_int_equal(mw_imap_server_state(&x->s), MW_IMAP_STATE_SELECTED);

    /* BYE refuses the connection (RFC 9051 §7.1.5) */
    srv_go(x);
    assert_int_equal(mw_imap_server_start(&x->s, MW_IMAP_BYE, NULL,
                                          "Autologout; idle for too long"),
                     MW_OK);
    expect_out(x, "* BYE Autologout; idle for too long\r\n");
    assert_true(mw_imap_server_want(&x->s) & MW_IMAP_SERVER_WANT_CLOSED);
    {
        size_t used = 9;
        assert_int_equal(mw_imap_server_feed(&x->s, "a NOOP\r\n", 8, &used),
                         MW_E_CLOSED);
        assert_int_equal(used, 0);
    }
    srv_free(x);
}

/* ======================================================================
 * States, unknown commands, CAPABILITY
 * ====================================================================== */

static void test_states(void **state)
{
    srv *x = srv_new(app_ok);
    (void)state;
    x->cfg.max_bad_commands = 0;
    srv_go(x);
    expect_out(x, "* OK ready\r\n");
    /* not authenticated */
    feed_str(x, "a SELECT INBOX\r\nb FETCH 1 FLAGS\r\nc ENABLE CONDSTORE\r\n"
                "d XYZZY\r\ne NOOP\r\n");
    expect_out(x, "a BAD Command not valid in this state\r\n"
                  "b BAD Command not valid in this state\r\n"
                  "c BAD Unknown command\r\n"
                  "d BAD Unknown command\r\n"
                  "e OK Completed\r\n");
    assert_int_equal(x->ncmd, 1); /* only NOOP reached the application */
    assert_true(log_has(x, "error MW_E_STATE @0 " R_("command not valid in this "
                                                "state")));
    feed_str(x, "f LOGIN u p\r\ng LOGIN u p\r\nh FETCH 1 FLAGS\r\n"
                "i SELECT nosuch\r\n");
    expect_out(x, "f OK Completed\r\n"
                  "g BAD Command not valid in this state\r\n"
                  "h BAD Command not valid in this state\r\n"
                  "i NO [NONEXISTENT] No such mailbox\r\n");
    assert_int_equal(mw_imap_server_state(&x->s), MW_IMAP_STATE_AUTHENTICATED);
    feed_str(x, "j SELECT INBOX\r\nk FETCH 1 FLAGS\r\n");
    expect_out(x, "j OK Completed\r\nk OK Completed\r\n");
    assert_int_equal(mw_imap_server_state(&x->s), MW_IMAP_STATE_SELECTED);
    /* a failed SELECT leaves no mailbox selected (RFC 9051 §6.3.2) */
    feed_str(x, "l SELECT nosuch\r\nm FETCH 1 FLAGS\r\n");
    expect_out(x, "l NO [NONEXISTENT] No such mailbox\r\n"
                  "m BAD Command not valid in this state\r\n");
    feed_str(x, "n SELECT INBOX\r\no CLOSE\r\np FETCH 1 FLAGS\r\n");
    expect_out(x, "n OK Completed\r\no OK Completed\r\n"
                  "p BAD Command not valid in this state\r\n");
    /* commands of extensions not offered */
    feed_str(x, "q MOVE 1 foo\r\nr UNSELECT\r\ns NAMESPACE\r\n");
    expect_out(x, "q BAD Unknown command\r\nr BAD Unknown command\r\n"
                  "s BAD Unknown command\r\n");
    /* syntax errors: tagged when the tag was read, untagged when not */
    feed_str(x, "t NOOP extra\r\n+x NOOP\r\n\r\n");
    assert_true(strncmp(x->out.p, "t BAD ", 6) == 0);
    assert_non_null(strstr(x->out.p, "\r\n* BAD "));
    out_clear(x);
    /* LOGOUT: BYE first, then the tagged OK; then nothing more */
    assert_int_equal(feed_str(x, "u LOGOUT\r\nv NOOP\r\n"), MW_DONE);
    expect_out(x, "* BYE Logging out\r\nu OK Completed\r\n");
    srv_free(x);
}

static void test_deliver_other(void **state)
{
    srv *x = srv_new(app_ok);
    (void)state;
    x->cfg.flags = MW_IMAP_SERVER_DELIVER_OTHER;
    srv_go(x);
    feed_str(x, "a XAPPLEPUSHSERVICE aps-version 2\r\n");
    expect_out(x, "* OK ready\r\na BAD Unknown command\r\n");
    feed_str(x, "b LOGIN u p\r\nc XAPPLEPUSHSERVICE aps-version 2\r\n");
    expect_out(x, "b OK Completed\r\nc OK Completed\r\n");
    assert_true(log_has(x, "cmd ? tag=c") || log_has(x, "tag=c"));
    srv_free(x);
}

static void test_capability(void **state)
{
    srv *x = srv_new(app_ok);
    (void)state;
    x->cfg.caps = MW_IMAP_CAP_IMAP4REV1 | MW_IMAP_CAP_STARTTLS |
                  MW_IMAP_CAP_LITERAL_PLUS | MW_IMAP_CAP_LITERAL_MINUS |
                  MW_IMAP_CAP_IDLE | MW_IMAP_CAP_COMPRESS_DEFLATE |
                  MW_IMAP_CAP_APPENDLIMIT | MW_IMAP_CAP_THREAD;
    x->cfg.auth = MW_IMAP_AUTH_PLAIN | MW_IMAP_AUTH_LOGIN;
    x->cfg.flags = MW_IMAP_SERVER_LOGIN_NEEDS_TLS;
    x->cfg.max_append = 1000;
    x->cfg.caps_extra = "THREAD=REFERENCES AUTH=GSSAPI XFOO";
    srv_go(x);
    out_clear(x);
    feed_str(x, "a CAPABILITY\r\nb LOGIN u p\r\n");
    expect_out(x, "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED AUTH=PLAIN "
                  "AUTH=LOGIN LITERAL+ IDLE COMPRESS=DEFLATE APPENDLIMIT=1000 "
                  "THREAD=REFERENCES AUTH=GSSAPI XFOO\r\n"
                  "a OK CAPABILITY completed\r\n"
                  "b NO [PRIVACYREQUIRED] LOGIN is disabled\r\n");
    assert_int_equal(x->ncmd, 0);
    feed_str(x, "c STARTTLS\r\n");
    expect_out(x, "c OK Completed\r\n");
    assert_int_equal(mw_imap_server_want(&x->s), MW_IMAP_SERVER_WANT_TLS);
    assert_int_equal(mw_imap_server_capability(&x->s), MW_E_STATE);
    assert_int_equal(mw_imap_server_tls_done(&x->s), MW_OK);
    assert_int_equal(mw_imap_server_tls_done(&x->s), MW_E_STATE);
    feed_str(x, "d CAPABILITY\r\ne STARTTLS\r\n");
    expect_out(x, "* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN LITERAL+ IDLE "
                  "COMPRESS=DEFLATE APPENDLIMIT=1000 THREAD=REFERENCES "
                  "AUTH=GSSAPI XFOO\r\n"
                  "d OK CAPABILITY completed\r\n"
                  "e BAD TLS is already active\r\n");
    feed_str(x, "f LOGIN u p\r\ng CAPABILITY\r\n");
    expect_out(x, "f OK Completed\r\n"
                  "* CAPABILITY IMAP4rev1 LITERAL+ IDLE COMPRESS=DEFLATE "
                  "APPENDLIMIT=1000 THREAD=REFERENCES XFOO\r\n"
                  "g OK CAPABILITY completed\r\n");
    srv_free(x);
}

/* ======================================================================
 * STARTTLS and COMPRESS: bytes behind the command are never parsed
 * ====================================================================== */

static int app_tls(srv *x, const mw_imap_cmd *c)
{
    if (c->id == MW_IMAP_CMD_STARTTLS)
        return mw_imap_server_reply(&x->s, MW_IMAP_OK, NULL, "Begin TLS");
    return app_ok(x, c);
}

static void test_starttls_leftover(void **state)
{
    static const char in[] = "a STARTTLS\r\nb LOGIN evil evil\r\n";
    srv *x = srv_new(app_tls);
    evlog whole;
    (void)state;
    x->cfg.caps |= MW_IMAP_CAP_STARTTLS;
    srv_go(x);
    out_clear(x);
    assert_int_equal(feed_all(x, in, sizeof in - 1), MW_OK);
    expect_out(x, "a OK Begin TLS\r\n");
    assert_int_equal(x->ncmd, 1);
    assert_true(log_has(x, "error MW_E_TLS_LEFTOVER @12 " R_("plaintext after "
                                                        "STARTTLS discarded")));
    assert_int_equal(mw_imap_server_discarded(&x->s), sizeof in - 1 - 12);
    assert_int_equal(mw_imap_server_want(&x->s), MW_IMAP_SERVER_WANT_TLS);
    /* more plaintext before the handshake ends: dropped, not reported again */
    assert_int_equal(feed_str(x, "c NOOP\r\n"), MW_OK);
    assert_int_equal(mw_imap_server_discarded(&x->s), sizeof in - 1 - 12 + 8);
    assert_int_equal(mw_imap_server_tls_done(&x->s), MW_OK);
    feed_str(x, "d NOOP\r\n");
    expect_out(x, "d OK Completed\r\n");
    assert_int_equal(x->ncmd, 2);
    assert_int_equal(mw_imap_server_state(&x->s),
                     MW_IMAP_STATE_NOT_AUTHENTICATED);

    /* any chunking: the same events */
    evlog_init(&whole);
    replay_check(&ops, x, in, sizeof in - 1, &whole);
    assert_non_null(strstr(evlog_str(&whole), "MW_E_TLS_LEFTOVER"));
    assert_null(strstr(evlog_str(&whole), "cmd LOGIN"));
    evlog_free(&whole);
    srv_free(x);
}

static int app_compress(srv *x, const mw_imap_cmd *c)
{
    if (c->id == MW_IMAP_CMD_COMPRESS) {
        assert_true(c->u.compress.deflate);
        return mw_imap_server_reply(&x->s, MW_IMAP_OK, NULL,
                                    "DEFLATE active");
    }
    return app_ok(x, c);
}

static void test_compress_leftover(void **state)
{
    srv *x = srv_new(app_compress);
    (void)state;
    x->cfg.caps |= MW_IMAP_CAP_COMPRESS_DEFLATE;
    srv_go(x);
    out_clear(x);
    feed_str(x, "a LOGIN u p\r\nb COMPRESS DEFLATE\r\nc NOOP\r\n");
    expect_out(x, "a OK Completed\r\nb OK DEFLATE active\r\n");
    assert_true(log_has(x, "MW_E_TLS_LEFTOVER @33 " R_("uncompressed bytes after "
                                                  "COMPRESS discarded")));
    assert_int_equal(mw_imap_server_want(&x->s),
                     MW_IMAP_SERVER_WANT_COMPRESS);
    assert_int_equal(mw_imap_server_compress_done(&x->s), MW_OK);
    feed_str(x, "d COMPRESS DEFLATE\r\ne CAPABILITY\r\n");
    expect_out(x, "d NO [COMPRESSIONACTIVE] Compression is already active\r\n"
                  "* CAPABILITY IMAP4rev1 LITERAL- IDLE\r\n"
                  "e OK CAPABILITY completed\r\n");
    srv_free(x);
}

/* ======================================================================
 * The bad-command limit (cap-1, cap, cap+1) and AUTHENTICATE cancel loops
 * ====================================================================== */

static void test_bad_limit(void **state)
{
    srv *x = srv_new(app_ok);
    size_t used;
    (void)state;
    x->cfg.max_bad_commands = 3;
    srv_go(x);
    out_clear(x);
    assert_int_equal(feed_str(x, "a XX\r\nb NOOP\r\nc XX\r\n"), MW_OK);
    expect_out(x, "a BAD Unknown command\r\nb OK Completed\r\n"
                  "c BAD Unknown command\r\n");
    /* cap - 1 = 2 bad commands: still open */
    assert_true(mw_imap_server_want(&x->s) & MW_IMAP_SERVER_WANT_INPUT);
    /* the cap: BAD, then BYE, and the bytes behind are not read */
    assert_int_equal(mw_imap_server_feed(&x->s, "d XX\r\ne NOOP\r\n", 14,
                                         &used),
                     MW_DONE);
    assert_int_equal(used, 6);
    expect_out(x, "d BAD Unknown command\r\n* BYE Too many invalid commands\r\n");
    assert_true(log_has(x, "error MW_E_LIMIT @"));
    assert_int_equal(mw_imap_server_state(&x->s), MW_IMAP_STATE_LOGOUT);
    /* cap + 1: the session is over */
    assert_int_equal(mw_imap_server_feed(&x->s, "e NOOP\r\n", 8, &used),
                     MW_E_CLOSED);
    assert_int_equal(used, 0);
    assert_int_equal(x->ncmd, 1);
    srv_free(x);
}

static void test_auth_cancel_loop(void **state)
{
    srv *x = srv_new(app_ok);
    (void)state;
    x->cfg.auth = MW_IMAP_AUTH_PLAIN;
    x->cfg.max_bad_commands = 3;
    srv_go(x);
    out_clear(x);
    feed_str(x, "a AUTHENTICATE PLAIN\r\n*\r\nb AUTHENTICATE PLAIN\r\n*\r\n");
    expect_out(x, "+ \r\na BAD Authentication cancelled\r\n"
                  "+ \r\nb BAD Authentication cancelled\r\n");
    assert_true(log_has(x, "error MW_E_CANCELLED @22 " R_("AUTHENTICATE cancelled")));
    assert_int_equal(feed_str(x, "c AUTHENTICATE PLAIN\r\n*\r\n"), MW_DONE);
    expect_out(x, "+ \r\nc BAD Authentication cancelled\r\n"
                  "* BYE Too many invalid commands\r\n");
    srv_free(x);
}

/* ======================================================================
 * Command line length: 8191 / 8192 / 8193 bytes of text
 * ====================================================================== */

static void long_login(gbuf *b, size_t total, char tag)
{
    /* "<tag> LOGIN u \"xxx...\"" of exactly `total` bytes + CRLF */
    size_t k = total - 12, i;
    char head[16];
    snprintf(head, sizeof head, "%c LOGIN u \"", tag);
    gb_add(b, head, strlen(head));
    for (i = 0; i < k; i++)
        gb_add(b, "x", 1);
    gb_add(b, "\"\r\n", 3);
}

/* LOGIN refused: the session stays where the long commands are valid. */
static int app_login_no(srv *x, const mw_imap_cmd *c)
{
    if (c->id == MW_IMAP_CMD_LOGIN)
        return mw_imap_server_reply(&x->s, MW_IMAP_NO, NULL, NULL);
    return app_ok(x, c);
}

static void test_line_limit(void **state)
{
    srv *x = srv_new(app_login_no);
    gbuf in = {0};
    evlog whole;
    (void)state;
    long_login(&in, 8191, 'a');
    long_login(&in, 8192, 'b');
    long_login(&in, 8193, 'c');
    gb_add(&in, S_("d NOOP\r\n"));
    srv_go(x);
    out_clear(x);
    feed_all(x, in.p, in.len);
    expect_out(x, "a NO Failed\r\nb NO Failed\r\n"
                  "c BAD Command line too long\r\nd OK Completed\r\n");
    assert_true(log_has(x, "error MW_E_TOO_LONG @16387 " R_("command line too long")));
    evlog_init(&whole);
    x->quiet = 1;
    replay_check(&ops, x, in.p, in.len, &whole);
    evlog_free(&whole);
    free(in.p);
    srv_free(x);
}

/* ======================================================================
 * Literals
 * ====================================================================== */

static int app_login(srv *x, const mw_imap_cmd *c)
{
    if (c->id == MW_IMAP_CMD_LOGIN) {
        evlog_printf(x->log, "login '%.*s' '%.*s'",
                     (int)c->u.login.user.len, c->u.login.user.ptr,
                     (int)c->u.login.password.len, c->u.login.password.ptr);
    }
    return app_ok(x, c);
}

static void test_literal_sync(void **state)
{
    static const char in[] = "a LOGIN {4}\r\nfred {6}\r\nsecret\r\n";
    srv *x = srv_new(app_login);
    evlog whole;
    (void)state;
    srv_go(x);
    feed_all(x, in, sizeof in - 1);
    expect_out(x, "* OK ready\r\n+ Ready for literal data\r\n"
                  "+ Ready for literal data\r\na OK Completed\r\n");
    assert_true(log_has(x, "login 'fred' 'secret'"));
    evlog_init(&whole);
    replay_check(&ops, x, in, sizeof in - 1, &whole);
    evlog_free(&whole);
    srv_free(x);
}

static void test_literal_refused_sync(void **state)
{
    /* The refused literal never comes: what follows is the next command
     * (RFC 9051 §7.5: the client must not send it after a tagged reply). */
    static const char in[] = "a LOGIN {11}\r\nb NOOP\r\n";
    srv *x = srv_new(app_login);
    evlog whole;
    (void)state;
    x->cfg.max_literal = 10;
    srv_go(x);
    feed_all(x, in, sizeof in - 1);
    expect_out(x, "* OK ready\r\na BAD [TOOBIG] Literal too large\r\n"
                  "b OK Completed\r\n");
    assert_int_equal(x->ncmd, 1);
    /* the error points at the announcement, not at the command */
    assert_true(log_has(x, "error MW_E_LITERAL @8 "));
    evlog_init(&whole);
    replay_check(&ops, x, in, sizeof in - 1, &whole);
    evlog_free(&whole);
    /* 10 bytes (the cap) are taken */
    srv_go(x);
    feed_str(x, "a LOGIN {10}\r\n0123456789 x\r\n");
    expect_out(x, "* OK ready\r\n+ Ready for literal data\r\na OK Completed\r\n");
    srv_free(x);
}

static void test_literal_nonsync_dropped(void **state)
{
    /* Dovecot 2.2.1 CATENATE class: a refused non-synchronising literal
     * is read and dropped; the commands it carries are never run. */
    gbuf in = {0};
    static const char lit[] = "b LOGOUT\r\nc LOGOUT\r\nd DELETE INBOX\r\n0123";
    srv *x = srv_new(app_login);
    evlog whole;
    char head[32];
    (void)state;
    snprintf(head, sizeof head, "a LOGIN {%zu+}\r\n", sizeof lit - 1);
    gb_add(&in, head, strlen(head));
    gb_add(&in, lit, sizeof lit - 1);
    gb_add(&in, S_(" pass\r\ne NOOP\r\n"));
    x->cfg.caps |= MW_IMAP_CAP_LITERAL_PLUS;
    x->cfg.max_literal = 10;
    srv_go(x);
    feed_all(x, in.p, in.len);
    expect_out(x, "* OK ready\r\na BAD [TOOBIG] Literal too large\r\n"
                  "e OK Completed\r\n");
    assert_int_equal(x->ncmd, 1);
    assert_false(log_has(x, "LOGOUT"));
    assert_false(log_has(x, "DELETE"));
    assert_true(log_has(x, "error MW_E_LITERAL @8 "));
    evlog_init(&whole);
    replay_check(&ops, x, in.p, in.len, &whole);
    assert_null(strstr(evlog_str(&whole), "cmd LOGOUT"));
    evlog_free(&whole);
    free(in.p);
    srv_free(x);
}

static void nonsync_login(gbuf *b, size_t n)
{
    char head[40];
    size_t i;
    b->len = 0;
    snprintf(head, sizeof head, "a LOGIN u {%zu+}\r\n", n);
    gb_add(b, head, strlen(head));
    for (i = 0; i < n; i++)
        gb_add(b, "p", 1);
    gb_add(b, S_("\r\nb NOOP\r\n"));
}

static void test_literal_minus(void **state)
{
    /* RFC 7888 §5: LITERAL- takes non-synchronising literals up to 4096
     * octets; a larger one is refused with BAD [TOOBIG] and dropped. */
    srv *x = srv_new(app_login);
    gbuf in = {0};
    (void)state;
    x->cfg.caps = MW_IMAP_CAP_IMAP4REV1 | MW_IMAP_CAP_LITERAL_MINUS;
    x->cfg.max_literal = 8192;
    x->cfg.max_line = 16384;
    srv_go(x);
    out_clear(x);
    nonsync_login(&in, 4095);
    feed_all(x, in.p, in.len);
    expect_out(x, "a OK Completed\r\nb OK Completed\r\n");
    nonsync_login(&in, 4096);
    feed_all(x, in.p, in.len);
    expect_out(x, "a BAD Command not valid in this state\r\nb OK Completed\r\n");
    srv_go(x);
    out_clear(x);
    nonsync_login(&in, 4096);
    feed_all(x, in.p, in.len);
    expect_out(x, "a OK Completed\r\nb OK Completed\r\n");
    srv_go(x);
    out_clear(x);
    nonsync_login(&in, 4097);
    feed_all(x, in.p, in.len);
    expect_out(x, "a BAD [TOOBIG] Non-synchronizing literal too large\r\n"
                  "b OK Completed\r\n");
    assert_int_equal(x->ncmd, 1);
    /* LITERAL+ lifts the 4096 rule (the small-literal limit remains) */
    x->cfg.caps |= MW_IMAP_CAP_LITERAL_PLUS;
    srv_go(x);
    out_clear(x);
    feed_all(x, in.p, in.len);
    expect_out(x, "a OK Completed\r\nb OK Completed\r\n");
    /* neither offered: no non-synchronising literal at all */
    x->cfg.caps = MW_IMAP_CAP_IMAP4REV1;
    srv_go(x);
    out_clear(x);
    nonsync_login(&in, 3);
    feed_all(x, in.p, in.len);
    expect_out(x, "a BAD Non-synchronizing literals not supported\r\n"
                  "b OK Completed\r\n");
    free(in.p);
    srv_free(x);
}

static void test_literal_huge(void **state)
{
    srv *x = srv_new(app_login);
    (void)state;
    srv_go(x);
    out_clear(x);
    /* 2^63 - 1: a valid size, refused by the limit; the client sends
     * nothing and goes on */
    feed_str(x, "a LOGIN {9223372036854775807}\r\nb NOOP\r\n");
    expect_out(x, "a BAD [TOOBIG] Literal too large\r\nb OK Completed\r\n");
    /* non-synchronising 2^63 - 1 with LITERAL+: dropped, the frame never
     * ends, nothing after it is parsed */
    x->cfg.caps |= MW_IMAP_CAP_LITERAL_PLUS;
    srv_go(x);
    out_clear(x);
    feed_str(x, "a LOGIN {9223372036854775807+}\r\nb LOGOUT\r\n");
    expect_out(x, "a BAD [TOOBIG] Literal too large\r\n");
    assert_int_equal(x->ncmd, 0);
    /* 2^63: cannot be framed; the connection ends */
    srv_go(x);
    out_clear(x);
    assert_int_equal(feed_str(x, "a LOGIN {9223372036854775808}\r\nb NOOP\r\n"),
                     MW_DONE);
    expect_out(x, "* BAD Literal size out of range\r\n"
                  "* BYE Cannot continue after this literal\r\n");
    assert_true(log_has(x, "error MW_E_OVERFLOW"));
    srv_free(x);
}

static void test_nul_in_quoted(void **state)
{
    /* CVE-2019-11500: a NUL inside a quoted string */
    static const char in[] = "a LOGIN \"u\0x\" p\r\nb NOOP\r\n";
    srv *x = srv_new(app_login);
    (void)state;
    srv_go(x);
    out_clear(x);
    feed_all(x, in, sizeof in - 1);
    assert_true(strncmp(x->out.p, "a BAD ", 6) == 0);
    assert_non_null(strstr(x->out.p, "\r\nb OK Completed\r\n"));
    assert_int_equal(x->ncmd, 1);
    srv_free(x);
}

/* ======================================================================
 * APPEND: messages streamed, never buffered; MULTIAPPEND
 * ====================================================================== */

static const char msg1[] = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n"
                           "From: Fred Foobar <foobar@Blurdybloop.COM>\r\n"
                           "Subject: afternoon meeting\r\n"
                           "To: mooch@owatagu.siam.edu\r\n"
                           "Message-Id: <B27397-0100000@Blurdybloop.COM>\r\n"
                           "MIME-Version: 1.0\r\n"
                           "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
                           "\r\n"
                           "Hello Joe, do you think we can meet at 3:30 "
                           "tomorrow?\r\n";

static void test_append_rfc(void **state)
{
    /* RFC 3501 §6.3.11's example: {310} */
    gbuf in = {0};
    srv *x = srv_new(app_ok);
    evlog whole;
    (void)state;
    assert_int_equal(sizeof msg1 - 1, 310);
    gb_add(&in, S_("a LOGIN u p\r\n"
                   "A003 APPEND saved-messages (\\Seen) {310}\r\n"));
    gb_add(&in, msg1, sizeof msg1 - 1);
    gb_add(&in, S_("\r\nb NOOP\r\n"));
    srv_go(x);
    out_clear(x);
    feed_all(x, in.p, in.len);
    expect_out(x, "a OK Completed\r\n+ Ready for literal data\r\n"
                  "A003 OK [APPENDUID 38505 3955] APPEND completed\r\n"
                  "b OK Completed\r\n");
    assert_int_equal(x->msg.len, 310);
    assert_memory_equal(x->msg.p, msg1, 310);
    assert_true(log_has(x, "literal #0 size=310 mbox=saved-messages "
                           "flags=\\Seen"));
    assert_true(log_has(x, "msgend #0"));
    evlog_init(&whole);
    replay_check(&ops, x, in.p, in.len, &whole);
    evlog_free(&whole);
    free(in.p);
    srv_free(x);
}

static void test_multiappend(void **state)
{
    static const char in[] =
        "a LOGIN u p\r\n"
        "b APPEND INBOX (\\Seen) {5}\r\nhello (\\Draft) "
        "\"05-jan-1999 20:55:23 +0000\" {5+}\r\nworld {0}\r\n\r\n"
        "c NOOP\r\n";
    srv *x = srv_new(app_ok);
    evlog whole;
    (void)state;
    x->cfg.caps |= MW_IMAP_CAP_MULTIAPPEND | MW_IMAP_CAP_LITERAL_PLUS;
    srv_go(x);
    out_clear(x);
    feed_all(x, in, sizeof in - 1);
    expect_out(x, "a OK Completed\r\n+ Ready for literal data\r\n"
                  "+ Ready for literal data\r\n"
                  "b OK [APPENDUID 38505 3955] APPEND completed\r\n"
                  "c OK Completed\r\n");
    assert_int_equal(x->nlit, 3);
    assert_string_equal(x->msg.p, "helloworld");
    assert_true(log_has(x, "literal #1 size=5 mbox=INBOX flags=\\Draft "
                           "nonsync date"));
    assert_true(log_has(x, "literal #2 size=0"));
    assert_true(log_has(x, "msgend #2\ncmd APPEND tag=b"));
    evlog_init(&whole);
    replay_check(&ops, x, in, sizeof in - 1, &whole);
    evlog_free(&whole);
    srv_free(x);
}


/* ======================================================================
 * CATENATE (RFC 4469)
 * ====================================================================== */

#define CAT_URL1 "\"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER\""
#define CAT_URL2 "\"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME\""
#define CAT_URL3 "\"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1\""
#define CAT_SEP "\r\n--------------030308070208000400050907\r\n"

static srv *cat_srv(void)
{
    srv *x = srv_new(app_ok);
    x->cfg.caps |= MW_IMAP_CAP_CATENATE | MW_IMAP_CAP_MULTIAPPEND |
                   MW_IMAP_CAP_LITERAL_PLUS;
    return x;
}

/* An APPEND in the manner of RFC 4469's example: URL and TEXT parts in
 * order, the TEXT parts streamed, the URL parts passed as spans; whole,
 * per byte and at every split. */
static void test_catenate_rfc(void **state)
{
    static const char in[] =
        "a LOGIN u p\r\n"
        "A003 APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE (URL "
        CAT_URL1 " TEXT {42}\r\n" CAT_SEP " URL " CAT_URL2 " URL " CAT_URL3
        " TEXT {44}\r\n\r\n--------------030308070208000400050907--\r\n)\r\n"
        "b NOOP\r\n";
    srv *x = cat_srv();
    (void)state;
    assert_int_equal(sizeof CAT_SEP - 1, 42);
    srv_go(x);
    out_clear(x);
    feed_all(x, in, sizeof in - 1);
    expect_out(x, "a OK Completed\r\n+ Ready for literal data\r\n"
                  "+ Ready for literal data\r\n"
                  "A003 OK [APPENDUID 38505 3955] APPEND completed\r\n"
                  "b OK Completed\r\n");
    assert_int_equal(x->nlit, 2);
    assert_int_equal(x->msg.len, 86);
    assert_true(log_has(x, "url #0 part=0 '/Drafts;UIDVALIDITY=385759045/"
                           ";UID=20/;section=HEADER' flags=\\Seen \\Draft "
                           "$MDNSent\n"));
    assert_true(log_has(x, "literal #0 size=42 mbox=Drafts"));
    assert_true(log_has(x, "  text part=1\n"));
    assert_true(log_has(x, "url #0 part=2 '/Drafts;UIDVALIDITY=385759045/"
                           ";UID=20/;section=1.MIME'"));
    assert_true(log_has(x, "url #0 part=3 "));
    assert_true(log_has(x, "  text part=4\n"));
    assert_true(log_has(x, "catend #0 nparts=5\ncmd APPEND tag=A003"));
    assert_false(log_has(x, "msgend"));
    replay_all(x, in, sizeof in - 1);
    srv_free(x);
}

/* MULTIAPPEND mixing plain and CATENATE messages (RFC 3502, RFC 4469
 * §5: any append-data may be CATENATE), a URL-only command (one line),
 * a URL given as a literal (astring) and LITERAL+ TEXT parts. */
static void test_catenate_multiappend(void **state)
{
    static const char in[] =
        "a LOGIN u p\r\n"
        "b APPEND INBOX {5}\r\nhello (\\Seen) CATENATE (TEXT {3+}\r\nabc "
        "URL {4}\r\n/a;b TEXT {2}\r\nde) catenate (url x) {5+}\r\nworld\r\n"
        "c APPEND INBOX CATENATE (URL \"/x\" URL y) CATENATE (URL z)\r\n"
        "d NOOP\r\n";
    srv *x = cat_srv();
    (void)state;
    srv_go(x);
    out_clear(x);
    feed_all(x, in, sizeof in - 1);
    expect_out(x, "a OK Completed\r\n+ Ready for literal data\r\n"
                  "+ Ready for literal data\r\n+ Ready for literal data\r\n"
                  "b OK [APPENDUID 38505 3955] APPEND completed\r\n"
                  "c OK [APPENDUID 38505 3955] APPEND completed\r\n"
                  "d OK Completed\r\n");
    assert_string_equal(x->msg.p, "helloabcdeworld");
    assert_true(log_has(x, "literal #0 size=5 mbox=INBOX flags=\n"));
    assert_true(log_has(x, "literal #1 size=3 mbox=INBOX flags=\\Seen nonsync"
                           "\n  text part=0\n"));
    assert_true(log_has(x, "msgend #0\n"));
    assert_true(log_has(x, "url #1 part=1 '/a;b' flags=\\Seen\n"));
    assert_true(log_has(x, "  text part=2\n"));
    assert_true(log_has(x, "catend #1 nparts=3\nurl #2 part=0 'x' flags=\n"
                           "catend #2 nparts=1\nliteral #3 size=5"));
    assert_true(log_has(x, "msgend #3\ncmd APPEND tag=b"));
    assert_true(log_has(x, "url #0 part=0 '/x' flags=\nurl #0 part=1 'y' "
                           "flags=\ncatend #0 nparts=2\nurl #1 part=0 'z' "
                           "flags=\ncatend #1 nparts=1\ncmd APPEND tag=c"));
    replay_all(x, in, sizeof in - 1);
    srv_free(x);
}

/* One CATENATE error: the answer and the error event (status, offset). */
static void cat_errn(srv *x, const char *in, size_t n, const char *want_out,
                     const char *want_err)
{
    char werr[256];
#if !MW_ENABLE_ERROR_TEXT
    /* without error texts the machine answers "BAD Bad command" and
     * reports no reason: compare the status word, code and offset */
    char wout[256];
    const char *bad = strstr(want_out, "b BAD ");
    if (bad != NULL && strncmp(bad + 6, "Invalid APPEND", 14) != 0) {
        size_t k = (size_t)(bad - want_out);
        const char *eol = strstr(bad, "\r\n");
        assert_true(k < 100 && eol != NULL);
        memcpy(wout, want_out, k);
        snprintf(wout + k, sizeof wout - k, "b BAD Bad command%s", eol);
        want_out = wout;
    }
#endif
    snprintf(werr, sizeof werr, "%s", want_err);
    reason_drop(werr);
    want_err = werr;
    srv_go(x);
    feed_str(x, "a LOGIN u p\r\n");
    out_clear(x);
    feed_all(x, in, n);
    expect_out(x, want_out);
    if (!log_has(x, want_err)) {
        print_error("log lacks '%s'\n%s\n", want_err, evlog_str(x->log));
        fail();
    }
    replay_all(x, in, n);
}

static void cat_err(srv *x, const char *in, const char *want_out,
                    const char *want_err)
{
    cat_errn(x, in, strlen(in), want_out, want_err);
}

static void test_catenate_errors(void **state)
{
    srv *x = cat_srv();
    (void)state;
    /* offsets count from the stream start: "a LOGIN u p\r\n" is 13 */
    cat_err(x, "b APPEND I CATENATE ()\r\n",
            "b BAD Syntax error\r\n",
            "error MW_E_SYNTAX @34 TEXT or URL expected");
    cat_err(x, "b APPEND I CATENATE (FOO x)\r\n",
            "b BAD Syntax error\r\n",
            "error MW_E_SYNTAX @34 TEXT or URL expected");
    cat_err(x, "b APPEND I CATENATE (TEXT \"abc\")\r\n",
            "b BAD Syntax error\r\n",
            "error MW_E_SYNTAX @39 literal expected after TEXT");
    cat_err(x, "b APPEND I CATENATE (TEXT ~{3+}\r\nabc)\r\n",
            "b BAD Syntax error\r\n",
            "error MW_E_SYNTAX @39 literal8 in a CATENATE TEXT");
    cat_err(x, "b APPEND I CATENATE (URL ~{3+}\r\nabc)\r\n",
            "b BAD Syntax error\r\n",
            "error MW_E_SYNTAX @38 literal8 in a CATENATE URL");
    cat_errn(x, S_("b APPEND I CATENATE (URL \"a\0b\")\r\n"),
            "b BAD NUL in quoted string\r\n", "error MW_E_NUL @40 ");
    cat_err(x, "b APPEND I CATENATE (URL x\r\n",
            "b BAD SP expected\r\n", "error MW_E_SYNTAX @39 ");
    /* after a streamed TEXT part: the error in the next segment */
    cat_err(x, "b APPEND I CATENATE (TEXT {1}\r\nx BAD)\r\n",
            "+ Ready for literal data\r\nb BAD Invalid APPEND arguments\r\n",
            "error MW_E_SYNTAX @46 TEXT or URL expected");
    srv_free(x);
}

static void test_catenate_not_offered(void **state)
{
    srv *x = srv_new(app_ok);
    (void)state;
    x->cfg.caps |= MW_IMAP_CAP_MULTIAPPEND;
    cat_err(x, "b APPEND I CATENATE (URL x)\r\n",
            "b BAD Syntax error\r\n",
            "error MW_E_SYNTAX @24 ");
    cat_err(x, "b APPEND I CATENATE (TEXT {1+}\r\nx)\r\n",
            "b BAD Syntax error\r\n",
            "error MW_E_SYNTAX @24 ");
    srv_go(x);
    out_clear(x);
    feed_str(x, "c CAPABILITY\r\n");
    assert_null(strstr(x->out.p, "CATENATE"));
    x->cfg.caps |= MW_IMAP_CAP_CATENATE;
    srv_go(x);
    out_clear(x);
    feed_str(x, "c CAPABILITY\r\n");
    assert_non_null(strstr(x->out.p, " CATENATE"));
    srv_free(x);
}

/* MW_IMAP_SERVER_CATENATE_PARTS_MAX at cap-1, cap, cap+1. */
static void test_catenate_parts_limit(void **state)
{
    srv *x = cat_srv();
    unsigned k, n;
    (void)state;
    for (n = MW_IMAP_SERVER_CATENATE_PARTS_MAX - 1;
         n <= MW_IMAP_SERVER_CATENATE_PARTS_MAX + 1; n++) {
        gbuf in = {0};
        char tmp[64];
        gb_add(&in, S_("b APPEND I CATENATE ("));
        for (k = 0; k < n; k++) {
            int len = snprintf(tmp, sizeof tmp, "%sURL u%u", k ? " " : "", k);
            gb_add(&in, tmp, (size_t)len);
        }
        gb_add(&in, S_(")\r\n"));
        srv_go(x);
        feed_str(x, "a LOGIN u p\r\n");
        out_clear(x);
        feed_all(x, in.p, in.len);
        if (n <= MW_IMAP_SERVER_CATENATE_PARTS_MAX) {
            expect_out(x, "b OK [APPENDUID 38505 3955] APPEND completed\r\n");
            snprintf(tmp, sizeof tmp, "catend #0 nparts=%u\n", n);
            assert_true(log_has(x, tmp));
        } else {
            /* the part after the cap: "URL u64" at 13 + 21 + 64*7 - 1 */
            expect_out(x, MW_ENABLE_ERROR_TEXT
                              ? "b BAD too many CATENATE parts\r\n"
                              : "b BAD Bad command\r\n");
            snprintf(tmp, sizeof tmp, "error MW_E_LIMIT @%u ",
                     13u + (unsigned)(strstr(in.p, "URL u64") - in.p));
            if (!log_has(x, tmp))
                print_error("%s\n", evlog_str(x->log));
            assert_true(log_has(x, tmp));
            assert_false(log_has(x, "url #"));
        }
        free(in.p);
    }
    srv_free(x);
}

/* max_append bounds the TEXT parts of one message together; a BADURL
 * answer from append_url drops the rest of the frame (RFC 3502 all or
 * none); without append_url the machine answers NO [BADURL url]. */
static void test_catenate_limits_badurl(void **state)
{
    srv *x = cat_srv();
    (void)state;
    x->cfg.max_append = 10;
    cat_err(x, "b APPEND I CATENATE (TEXT {6}\r\nabcdef TEXT {4}\r\nghij)\r\n",
            "+ Ready for literal data\r\n+ Ready for literal data\r\n"
            "b OK [APPENDUID 38505 3955] APPEND completed\r\n",
            "catend #0 nparts=2");
    cat_err(x, "b APPEND I CATENATE (TEXT {6}\r\nabcdef TEXT {5+}\r\nghijk)\r\n"
               "c NOOP\r\n",
            "+ Ready for literal data\r\nb NO [TOOBIG] Message too large\r\n"
            "c OK Completed\r\n",
            "error MW_E_LIMIT @56 ");
    /* a second message starts from zero */
    cat_err(x, "b APPEND I CATENATE (TEXT {6}\r\nabcdef) CATENATE (TEXT {6}"
               "\r\nghijkl)\r\n",
            "+ Ready for literal data\r\n+ Ready for literal data\r\n"
            "b OK [APPENDUID 38505 3955] APPEND completed\r\n",
            "catend #1 nparts=1");
    x->cfg.max_append = 0;
    x->url_refuse = 1; /* cb_append_url refuses URLs starting "!" */
    cat_err(x, "b APPEND I CATENATE (URL !bad TEXT {3+}\r\nabc)\r\nc NOOP\r\n",
            "b NO [BADURL !bad] Bad URL\r\nc OK Completed\r\n", "url #0");
    cat_err(x, "b APPEND I CATENATE (TEXT {3+}\r\nabc URL !x TEXT {3+}\r\nd"
               "ef URL y)\r\nc NOOP\r\n",
            "b NO [BADURL !x] Bad URL\r\nc OK Completed\r\n", "url #0");
    assert_false(log_has(x, "'y'"));
    /* no append_url: the machine's own NO [BADURL url], the URL bare
     * (RFC 4469 erratum 4046); a plain NO for a URL that url-resp-text
     * cannot hold (empty, "]") */
    x->url_refuse = 0;
    x->no_append_url = 1;
    cat_err(x, "b APPEND I CATENATE (URL \"/INBOX;UIDVALIDITY=785799047/;"
               "UID=113330;section=1.5.9\" TEXT {3+}\r\nabc)\r\nc NOOP\r\n",
            "b NO [BADURL /INBOX;UIDVALIDITY=785799047/;UID=113330;"
            "section=1.5.9] URL not supported\r\nc OK Completed\r\n",
            "cmd NOOP");
    cat_err(x, "b APPEND I CATENATE (URL \"\")\r\nc NOOP\r\n",
            "b NO URL not supported\r\nc OK Completed\r\n", "cmd NOOP");
    cat_err(x, "b APPEND I CATENATE (URL \"a]b\")\r\nc NOOP\r\n",
            "b NO URL not supported\r\nc OK Completed\r\n", "cmd NOOP");
    assert_false(log_has(x, "url #"));
    x->no_append_url = 0;
    srv_free(x);
}

/* The UTF8 data extension of APPEND (RFC 6855 §4): "UTF8 (~{n}" ... ")"
 * streamed like any message, the application told by `utf8`; in
 * MULTIAPPEND with a plain message between; refused without UTF8=ACCEPT;
 * a missing ")" answered BAD after the message. Replayed at every split. */
static void test_append_utf8(void **state)
{
    static const char in[] =
        "a LOGIN u p\r\n"
        "b APPEND INBOX UTF8 (~{4}\r\nh\xc3\xa9!)\r\n"
        "c APPEND INBOX (\\Seen) UTF8 (~{2+}\r\n\xc3\xa9) {1}\r\nx "
        "UTF8 (~{1}\r\ny)\r\n"
        "d APPEND INBOX UTF8 (~{1}\r\nz\r\n"
        "e NOOP\r\n";
    /* (the client sends no message bytes: no "+" came) */
    static const char off[] = "a LOGIN u p\r\n"
                              "b APPEND INBOX UTF8 (~{4}\r\n"
                              "e NOOP\r\n";
    srv *x = srv_new(app_ok);
    (void)state;
    x->cfg.caps |= MW_IMAP_CAP_UTF8_ACCEPT | MW_IMAP_CAP_MULTIAPPEND |
                   MW_IMAP_CAP_LITERAL_PLUS;
    srv_go(x);
    out_clear(x);
    feed_all(x, in, sizeof in - 1);
    expect_out(x, "a OK Completed\r\n+ Ready for literal data\r\n"
                  "b OK [APPENDUID 38505 3955] APPEND completed\r\n"
                  "+ Ready for literal data\r\n+ Ready for literal data\r\n"
                  "c OK [APPENDUID 38505 3955] APPEND completed\r\n"
                  "+ Ready for literal data\r\n"
                  "d BAD Invalid APPEND arguments\r\n"
                  "e OK Completed\r\n");
    /* the bytes of every message, as for any APPEND */
    assert_string_equal(x->msg.p, "h\xc3\xa9!\xc3\xa9xyz");
    assert_true(log_has(x, "literal #0 size=4 mbox=INBOX flags= binary utf8"));
    assert_true(log_has(x, "literal #0 size=2 mbox=INBOX flags=\\Seen "
                           "nonsync binary utf8"));
    assert_true(log_has(x, "literal #1 size=1 mbox=INBOX flags=\n"));
    assert_true(log_has(x, "literal #2 size=1 mbox=INBOX flags= binary utf8"));
    assert_true(log_has(x, "cmd APPEND tag=c"));
    assert_false(log_has(x, "cmd APPEND tag=d"));
    replay_all(x, in, sizeof in - 1);
    srv_free(x);

    /* without UTF8=ACCEPT: BAD, the synchronising literal not asked for */
    x = srv_new(app_ok);
    srv_go(x);
    out_clear(x);
    feed_all(x, off, sizeof off - 1);
    expect_out(x, "a OK Completed\r\nb BAD UTF8 APPEND data not offered\r\n"
                  "e OK Completed\r\n");
    assert_int_equal(x->nlit, 0);
    /* the error points at "~{4}" (13 + 21 bytes in) */
    assert_true(log_has(x, "error MW_E_SYNTAX @34 "));
    replay_all(x, off, sizeof off - 1);
    srv_free(x);
}

static void test_append_refused(void **state)
{
    srv *x = srv_new(app_ok);
    static const char in[] =
        "a LOGIN u p\r\n"
        "d APPEND nosuch {5}\r\n"        /* refused: the client sends nothing */
        "e NOOP\r\n"
        "f APPEND nosuch {5+}\r\nhello\r\n" /* refused: read and dropped */
        "g NOOP\r\n";
    evlog whole;
    (void)state;
    x->cfg.caps |= MW_IMAP_CAP_LITERAL_PLUS;
    x->lit_mode = LIT_REFUSE;
    srv_go(x);
    out_clear(x);
    feed_all(x, in, sizeof in - 1);
    expect_out(x, "a OK Completed\r\n"
                  "d NO [TRYCREATE] No such mailbox\r\n"
                  "e OK Completed\r\n"
                  "f NO [TRYCREATE] No such mailbox\r\n"
                  "g OK Completed\r\n");
    assert_int_equal(x->msg.len, 0);
    assert_int_equal(x->ncmd, 3);
    evlog_init(&whole);
    replay_check(&ops, x, in, sizeof in - 1, &whole);
    evlog_free(&whole);
    srv_free(x);
}

static void test_append_limits(void **state)
{
    srv *x = srv_new(app_ok);
    (void)state;
    x->cfg.caps |= MW_IMAP_CAP_LITERAL_PLUS | MW_IMAP_CAP_APPENDLIMIT;
    x->cfg.max_append = 10;
    srv_go(x);
    out_clear(x);
    feed_str(x, "a LOGIN u p\r\n"
                "z APPEND INBOX {9}\r\n012345678\r\n"     /* cap - 1 */
                "b APPEND INBOX {10}\r\n0123456789\r\n"   /* the cap */
                "c APPEND INBOX {11}\r\n"                 /* cap + 1 */
                "d APPEND INBOX {11+}\r\n01234567890\r\n"
                "e NOOP\r\n");
    expect_out(x, "a OK Completed\r\n+ Ready for literal data\r\n"
                  "z OK [APPENDUID 38505 3955] APPEND completed\r\n"
                  "+ Ready for literal data\r\n"
                  "b OK [APPENDUID 38505 3955] APPEND completed\r\n"
                  "c NO [TOOBIG] Message too large\r\n"
                  "d NO [TOOBIG] Message too large\r\n"
                  "e OK Completed\r\n");
    assert_int_equal(x->nlit, 2); /* the machine refused the others */
    /* cap + 1: reported at the literal announcement "{11}", each form */
    assert_true(log_has(x, "error MW_E_LIMIT @92 " R_("APPEND message too large")));
    assert_true(log_has(x, "error MW_E_LIMIT @113 " R_("APPEND message too large")));
    /* before login: refused by state, the literal is not wanted */
    srv_go(x);
    out_clear(x);
    feed_str(x, "a APPEND INBOX {3}\r\nb APPEND INBOX {3+}\r\nxyz\r\n"
                "c NOOP\r\n");
    expect_out(x, "a BAD Command not valid in this state\r\n"
                  "b BAD Command not valid in this state\r\n"
                  "c OK Completed\r\n");
    /* LITERAL- only: a non-synchronising message over 4096 */
    x->cfg.caps = MW_IMAP_CAP_IMAP4REV1 | MW_IMAP_CAP_LITERAL_MINUS;
    x->cfg.max_append = 0;
    srv_go(x);
    out_clear(x);
    {
        gbuf in = {0};
        size_t i;
        gb_add(&in, S_("a LOGIN u p\r\nb APPEND INBOX {4097+}\r\n"));
        for (i = 0; i < 4097; i++)
            gb_add(&in, "\n", 1);
        gb_add(&in, S_("\r\nc NOOP\r\n"));
        feed_all(x, in.p, in.len);
        free(in.p);
    }
    expect_out(x, "a OK Completed\r\n"
                  "b BAD [TOOBIG] Non-synchronizing literal too large\r\n"
                  "c OK Completed\r\n");
    srv_free(x);
}

static void test_append_paused(void **state)
{
    static const char in[] = "a LOGIN u p\r\nb APPEND INBOX {3}\r\nxyz\r\n"
                             "c NOOP\r\n";
    srv *x = srv_new(app_ok);
    evlog whole;
    size_t used;
    (void)state;
    x->lit_mode = LIT_PAUSE;
    srv_go(x);
    out_clear(x);
    /* the question waits: feed stops, nothing more is read */
    assert_int_equal(mw_imap_server_feed(&x->s, in, sizeof in - 1, &used),
                     MW_PAUSED);
    assert_true(used < sizeof in - 1);
    assert_int_equal(mw_imap_server_want(&x->s), MW_IMAP_SERVER_WANT_REPLY);
    assert_int_equal(mw_imap_server_reply(&x->s, MW_IMAP_OK, NULL, NULL),
                     MW_E_STATE);
    expect_out(x, "a OK Completed\r\n");
    srv_after(x);
    expect_out(x, "+ Ready for literal data\r\n");
    assert_int_equal(mw_imap_server_literal_accept(&x->s), MW_E_STATE);
    feed_all(x, in + used, sizeof in - 1 - used);
    expect_out(x, "b OK [APPENDUID 38505 3955] APPEND completed\r\n"
                  "c OK Completed\r\n");
    assert_string_equal(x->msg.p, "xyz");
    evlog_init(&whole);
    replay_check(&ops, x, in, sizeof in - 1, &whole);
    evlog_free(&whole);
    srv_free(x);
}

/* The application gives up in the middle of a message (disk full). */
static int cb_append_data_stop(mw_imap_server *s, void *u, const char *p,
                               size_t n)
{
    srv *x = (srv *)u;
    gb_add(&x->msg, p, n);
    if (x->step == 0) {
        x->step = 1;
        return mw_imap_server_reply(s, MW_IMAP_NO, NULL, "Disk full");
    }
    return 0;
}

static void test_append_abort(void **state)
{
    srv *x = srv_new(app_ok);
    mw_imap_server_callbacks cb;
    static const char in[] =
        "a LOGIN u p\r\nb APPEND INBOX {10}\r\n0123456789 {3+}\r\nabc\r\n"
        "c NOOP\r\n";
    (void)state;
    x->cfg.caps |= MW_IMAP_CAP_MULTIAPPEND | MW_IMAP_CAP_LITERAL_PLUS;
    srv_go(x);
    memset(&cb, 0, sizeof cb);
    cb.send = cb_send;
    cb.command = cb_command;
    cb.literal = cb_literal;
    cb.append_data = cb_append_data_stop;
    cb.error = cb_error;
    assert_int_equal(mw_imap_server_init(&x->s, &x->cfg, &cb, x, x->buf,
                                         sizeof x->buf),
                     MW_OK);
    assert_int_equal(mw_imap_server_start(&x->s, MW_IMAP_OK, NULL, "ready"),
                     MW_OK);
    out_clear(x);
    feed_all(x, in, sizeof in - 1);
    expect_out(x, "a OK Completed\r\n+ Ready for literal data\r\n"
                  "b NO Disk full\r\nc OK Completed\r\n");
    assert_int_equal(x->nlit, 1); /* the second message was not asked for */
    srv_free(x);
}

static void test_append_eof(void **state)
{
    srv *x = srv_new(app_ok);
    (void)state;
    srv_go(x);
    feed_str(x, "a LOGIN u p\r\nb APPEND INBOX {10}\r\n01234");
    assert_int_equal(mw_imap_server_eof(&x->s), MW_E_INCOMPLETE);
    assert_true(log_has(x, "error MW_E_INCOMPLETE"));
    assert_int_equal(x->ncmd, 1);
    srv_go(x);
    feed_str(x, "a NOOP\r\n");
    assert_int_equal(mw_imap_server_eof(&x->s), MW_OK);
    srv_go(x);
    feed_str(x, "a NOO");
    assert_int_equal(mw_imap_server_eof(&x->s), MW_E_INCOMPLETE);
    srv_free(x);
}

/* ======================================================================
 * AUTHENTICATE (RFC 9051 §6.2.2, SASL-IR RFC 4959)
 * ====================================================================== */

static int app_plain(srv *x, const mw_imap_cmd *c)
{
    char scratch[256];
    mw_span z, u, p;
    const char *b64;
    size_t n;
    if (c->id == MW_IMAP_CMD_AUTHENTICATE && !c->u.authenticate.has_initial)
        return mw_imap_server_auth_challenge(&x->s, NULL, 0);
    if (c->id == MW_IMAP_CMD_AUTHENTICATE) {
        b64 = c->u.authenticate.initial.ptr;
        n = c->u.authenticate.initial.len;
    } else if (c->id == -1) {
        b64 = c->name.ptr;
        n = c->name.len;
    } else {
        return app_ok(x, c);
    }
    if (mw_sasl_plain_decode(b64, n, MW_SASL_PLAIN_MAX_PART, scratch,
                             sizeof scratch, &z, &u, &p, NULL) == MW_OK &&
        span_is(u, "tim") && span_is(p, "tanstaaftanstaaf"))
        return mw_imap_server_reply(&x->s, MW_IMAP_OK, NULL, "Authenticated");
    return mw_imap_server_reply_code(&x->s, MW_IMAP_NO,
                                     MW_IMAP_CODE_AUTHENTICATIONFAILED,
                                     "Invalid credentials");
}

static void test_authenticate(void **state)
{
    static const char in[] = "a AUTHENTICATE PLAIN\r\n"
                             "AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n"
                             "b NOOP\r\n";
    srv *x = srv_new(app_plain);
    evlog whole;
    (void)state;
    x->cfg.auth = MW_IMAP_AUTH_PLAIN;
    x->cfg.max_bad_commands = 0;
    srv_go(x);
    out_clear(x);
    feed_all(x, in, sizeof in - 1);
    expect_out(x, "+ \r\na OK Authenticated\r\nb OK Completed\r\n");
    assert_int_equal(mw_imap_server_state(&x->s), MW_IMAP_STATE_AUTHENTICATED);
    evlog_init(&whole);
    replay_check(&ops, x, in, sizeof in - 1, &whole);
    evlog_free(&whole);

    /* wrong password, then SASL-IR without SASL-IR offered */
    srv_go(x);
    out_clear(x);
    feed_str(x, "a AUTHENTICATE PLAIN\r\nAHRpbQB4\r\n"
                "b AUTHENTICATE PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n"
                "c AUTHENTICATE CRAM-MD5\r\n"
                "d AUTHENTICATE PLAIN\r\n!!!!\r\n"
                "e AUTHENTICATE PLAIN\r\n{4}\r\n");
    expect_out(x, "+ \r\na NO [AUTHENTICATIONFAILED] Invalid credentials\r\n"
                  "b BAD Initial response not supported\r\n"
                  "c NO Unsupported authentication mechanism\r\n"
                  "+ \r\nd BAD Invalid base64\r\n"
                  "+ \r\ne BAD Invalid base64\r\n");
    assert_int_equal(mw_imap_server_state(&x->s),
                     MW_IMAP_STATE_NOT_AUTHENTICATED);

    /* SASL-IR (and "=" for an empty initial response) */
    x->cfg.caps |= MW_IMAP_CAP_SASL_IR;
    srv_go(x);
    out_clear(x);
    feed_str(x, "a AUTHENTICATE PLAIN =\r\n"
                "b AUTHENTICATE PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n");
    expect_out(x, "a NO [AUTHENTICATIONFAILED] Invalid credentials\r\n"
                  "b OK Authenticated\r\n");
    srv_free(x);
}

static int app_bigchallenge(srv *x, const mw_imap_cmd *c)
{
    static char big[1000];
    if (c->id == MW_IMAP_CMD_AUTHENTICATE) {
        memset(big, 'z', sizeof big);
        return mw_imap_server_auth_challenge(&x->s, big, sizeof big);
    }
    return app_ok(x, c);
}

static void test_auth_big_challenge(void **state)
{
    srv *x = srv_new(app_bigchallenge);
    char big[1000], enc[1400];
    size_t n;
    gbuf want = {0};
    (void)state;
    x->cfg.auth = MW_IMAP_AUTH_XOAUTH2;
    srv_go(x);
    out_clear(x);
    feed_str(x, "a AUTHENTICATE XOAUTH2\r\n");
    memset(big, 'z', sizeof big);
    assert_int_equal(mw_base64_encode(big, sizeof big, enc, sizeof enc, &n),
                     MW_OK);
    gb_add(&want, "+ ", 2);
    gb_add(&want, enc, n);
    gb_add(&want, "\r\n", 2);
    assert_string_equal(x->out.p, want.p);
    assert_int_equal(mw_imap_server_want(&x->s), MW_IMAP_SERVER_WANT_INPUT);
    out_clear(x);
    feed_str(x, "\r\n"); /* an empty response */
    expect_out(x, "a OK Authenticated\r\n");
    free(want.p);
    srv_free(x);
}

/* ======================================================================
 * IDLE (RFC 2177)
 * ====================================================================== */

static int app_idle(srv *x, const mw_imap_cmd *c)
{
    if (c->id == MW_IMAP_CMD_IDLE && x->step == 0) {
        /* Mail arrives while idling: unsolicited data at any time. */
        x->step = 1;
        assert_int_equal(mw_imap_server_idle(&x->s, NULL), MW_OK);
        return mw_imap_server_exists(&x->s, 23);
    }
    return app_ok(x, c);
}

static void test_idle(void **state)
{
    static const char in[] = "a LOGIN u p\r\nb SELECT INBOX\r\nc IDLE\r\n"
                             "DONE\r\nd IDLE\r\nNOPE\r\ne NOOP\r\n";
    srv *x = srv_new(app_ok);
    evlog whole;
    (void)state;
    srv_go(x);
    out_clear(x);
    feed_str(x, "a LOGIN u p\r\nb SELECT INBOX\r\nc IDLE\r\n");
    expect_out(x, "a OK Completed\r\nb OK Completed\r\n+ idling\r\n");
    assert_int_equal(mw_imap_server_want(&x->s), MW_IMAP_SERVER_WANT_INPUT);
    assert_int_equal(mw_imap_server_exists(&x->s, 23), MW_OK);
    feed_str(x, "done\r\n");
    expect_out(x, "* 23 EXISTS\r\nc OK IDLE terminated\r\n");
    assert_true(log_has(x, "cmd DONE tag=c"));
    feed_str(x, "d IDLE\r\nNOPE\r\ne NOOP\r\n");
    expect_out(x, "+ idling\r\nd BAD Expected DONE\r\ne OK Completed\r\n");
    /* IDLE when not offered */
    x->cfg.caps = MW_IMAP_CAP_IMAP4REV1;
    srv_go(x);
    out_clear(x);
    feed_str(x, "a LOGIN u p\r\nb IDLE\r\n");
    expect_out(x, "a OK Completed\r\nb BAD Unknown command\r\n");
    x->cfg.caps = MW_IMAP_CAP_IMAP4REV1 | MW_IMAP_CAP_LITERAL_MINUS |
                  MW_IMAP_CAP_IDLE;
    x->app = app_idle;
    evlog_init(&whole);
    replay_check(&ops, x, in, sizeof in - 1, &whole);
    assert_non_null(strstr(evlog_str(&whole), "* 23 EXISTS"));
    assert_non_null(strstr(evlog_str(&whole), "cmd DONE tag=c"));
    evlog_free(&whole);
    srv_free(x);
}

/* ======================================================================
 * Answers given later; replies in order; failing callbacks
 * ====================================================================== */

static int answer_p(srv *x)
{
    return mw_imap_server_reply(&x->s, MW_IMAP_OK, NULL, "later");
}

static int app_defer(srv *x, const mw_imap_cmd *c)
{
    if (c->id == MW_IMAP_CMD_NOOP && tag_is(c, "p")) {
        x->later = answer_p;
        return 0; /* no answer yet: the machine waits */
    }
    return app_ok(x, c);
}

static void test_pause(void **state)
{
    static const char in[] = "p NOOP\r\nq NOOP\r\n";
    srv *x = srv_new(app_defer);
    size_t used;
    evlog whole;
    (void)state;
    srv_go(x);
    out_clear(x);
    assert_int_equal(mw_imap_server_feed(&x->s, in, sizeof in - 1, &used),
                     MW_PAUSED);
    assert_int_equal(used, 8);
    assert_int_equal(mw_imap_server_want(&x->s), MW_IMAP_SERVER_WANT_REPLY);
    assert_int_equal(x->out.len, 0);
    /* still owed: nothing more is read */
    assert_int_equal(mw_imap_server_feed(&x->s, in + 8, 8, &used), MW_PAUSED);
    assert_int_equal(used, 0);
    /* untagged data may come before the answer */
    assert_int_equal(mw_imap_server_exists(&x->s, 3), MW_OK);
    srv_after(x);
    assert_int_equal(mw_imap_server_reply(&x->s, MW_IMAP_OK, NULL, NULL),
                     MW_E_STATE); /* nothing pending */
    assert_int_equal(mw_imap_server_feed(&x->s, in + 8, 8, &used), MW_OK);
    assert_int_equal(used, 8);
    expect_out(x, "* 3 EXISTS\r\np OK later\r\nq OK Completed\r\n");
    /* all consumed with an answer owed: MW_OK and WANT_REPLY */
    srv_go(x);
    assert_int_equal(mw_imap_server_feed(&x->s, in, 8, &used), MW_OK);
    assert_int_equal(used, 8);
    assert_int_equal(mw_imap_server_want(&x->s), MW_IMAP_SERVER_WANT_REPLY);
    x->later = NULL;
    evlog_init(&whole);
    replay_check(&ops, x, in, sizeof in - 1, &whole);
    evlog_free(&whole);
    srv_free(x);
}

static int app_hold(srv *x, const mw_imap_cmd *c)
{
    (void)x;
    (void)c;
    return MW_PAUSED; /* the test answers after feed */
}

/* The tagged completion: every text and tag shape, through the one-pass
 * writer of the usual reply and through the general one (codes, long
 * texts and tags, 8-bit texts), with the same bytes out. */
static void test_reply_texts(void **state)
{
    static const struct {
        const char *tag;
        int result;
        const char *text;
        int rc;
        const char *out; /* after the tag */
    } v[] = {
        {"t1", MW_IMAP_OK, "done", MW_OK, " OK done\r\n"},
        {"t1", MW_IMAP_NO, NULL, MW_OK, " NO Failed\r\n"},
        {"t1", MW_IMAP_BAD, "", MW_OK, " BAD Bad command\r\n"},
        {"t1", MW_IMAP_OK, "a\tb\x01 c ]", MW_OK, " OK a\tb\x01 c ]\r\n"},
        {"t1", MW_IMAP_OK, "[ALERT] no code given", MW_E_INVAL, ""},
        {"t1", MW_IMAP_OK, "x [ALERT] y", MW_OK, " OK x [ALERT] y\r\n"},
        {"t1", MW_IMAP_OK, "a\rb", MW_E_INVAL, ""},
        {"t1", MW_IMAP_OK, "a\nb", MW_E_INVAL, ""},
        {"t1", MW_IMAP_OK, "caf\xc3\xa9", MW_E_INVAL, ""}, /* no UTF-8 */
        {"t1", MW_IMAP_PREAUTH, "x", MW_E_INVAL, ""},
        {"t1", MW_IMAP_BYE, "x", MW_E_INVAL, ""},
        {"abcdefghijklmnop", MW_IMAP_OK, "sixteen", MW_OK,
         " OK sixteen\r\n"},
        {"abcdefghijklmnopq", MW_IMAP_OK, "seventeen", MW_OK,
         " OK seventeen\r\n"},
        {"t-]!#$&'.:;<=>?@^_`|}~" /* 64 tag characters */
         "012345678901234567890123456789012345678901",
         MW_IMAP_NO, "max tag", MW_OK, " NO max tag\r\n"},
    };
    static char text[6000], want[6100];
    srv *x = srv_new(app_hold);
    char line[128];
    size_t i, len;
    (void)state;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        srv_go(x);
        snprintf(line, sizeof line, "%s NOOP\r\n", v[i].tag);
        (void)feed_str(x, line);
        out_clear(x);
        {
            int r = mw_imap_server_reply(&x->s, v[i].result, NULL, v[i].text);
            if (r != v[i].rc)
                fail_msg("case %zu: %d, want %d", i, r, v[i].rc);
        }
        if (v[i].rc == MW_OK) {
            snprintf(want, sizeof want, "%s%s", v[i].tag, v[i].out);
            expect_out(x, want);
        } else {
            expect_out(x, "");
            /* nothing written, still owed */
            assert_int_equal(mw_imap_server_reply(&x->s, MW_IMAP_OK, NULL,
                                                  "then"),
                             MW_OK);
            snprintf(want, sizeof want, "%s OK then\r\n", v[i].tag);
            expect_out(x, want);
        }
    }
    /* texts around the output buffer's size: one send while it fits, the
     * same bytes in pieces beyond */
    for (len = MW_IMAP_SERVER_OUT_SIZE - 40; len < sizeof text;
         len += len < MW_IMAP_SERVER_OUT_SIZE + 8 ? 1 : 1500) {
        memset(text, 'y', len);
        text[len] = '\0';
        srv_go(x);
        (void)feed_str(x, "t2 NOOP\r\n");
        out_clear(x);
        x->nsend = 0;
        assert_int_equal(mw_imap_server_reply(&x->s, MW_IMAP_OK, NULL, text),
                         MW_OK);
        snprintf(want, sizeof want, "t2 OK %s\r\n", text);
        expect_out(x, want);
        if (len + 8 <= MW_IMAP_SERVER_OUT_SIZE)
            assert_int_equal(x->nsend, 1);
    }
    /* UTF-8 text where it is allowed (IMAP4rev2) */
    x->cfg.caps = MW_IMAP_CAP_IMAP4REV2;
    srv_go(x);
    (void)feed_str(x, "t3 NOOP\r\n");
    out_clear(x);
    assert_int_equal(
        mw_imap_server_reply(&x->s, MW_IMAP_OK, NULL, "caf\xc3\xa9"), MW_OK);
    expect_out(x, "t3 OK caf\xc3\xa9\r\n");
    srv_go(x);
    (void)feed_str(x, "t3 NOOP\r\n");
    out_clear(x);
    assert_int_equal(
        mw_imap_server_reply(&x->s, MW_IMAP_OK, NULL, "caf\xc3"), MW_E_INVAL);
    expect_out(x, "");
    srv_free(x);
}

/* The machine keeps the tag the parser read without checking it again:
 * the parser's tag class (grammar.h MW__IMAP_C_TAG) must be the
 * formatter's (mw__imaps_tag_ok), byte for byte. */
static void test_tag_class(void **state)
{
    unsigned c;
    (void)state;
    for (c = 0; c < 256; c++) {
        char t[2];
        t[0] = (char)c;
        t[1] = 'a';
        assert_int_equal(mw__imaps_tag_ok(t, 2),
                         (mw__imap_cclass[c] & MW__IMAP_C_TAG) != 0);
    }
}

static int app_abort(srv *x, const mw_imap_cmd *c)
{
    (void)x;
    (void)c;
    return -1;
}

static void test_failures(void **state)
{
    srv *x = srv_new(app_ok);
    size_t used;
    (void)state;
    /* send fails on the reply */
    srv_go(x);
    x->fail_send = 2;
    assert_int_equal(mw_imap_server_feed(&x->s, "a NOOP\r\n", 8, &used),
                     MW_E_CALLBACK);
    assert_int_equal(mw_imap_server_want(&x->s), MW_IMAP_SERVER_WANT_CLOSED);
    assert_int_equal(mw_imap_server_feed(&x->s, "a NOOP\r\n", 8, &used),
                     MW_E_CLOSED);
    {
        mw_error e;
        assert_int_equal(mw_imap_server_error(&x->s, &e), MW_E_CALLBACK);
    }
    x->fail_send = 0;
    /* the command callback aborts */
    x->app = app_abort;
    srv_go(x);
    assert_int_equal(mw_imap_server_feed(&x->s, "a NOOP\r\n", 8, &used),
                     MW_E_CALLBACK);
    assert_int_equal(mw_imap_server_exists(&x->s, 1), MW_E_STATE);
    /* the literal callback aborts */
    x->app = app_ok;
    x->lit_mode = LIT_ABORT;
    srv_go(x);
    assert_int_equal(feed_str(x, "a LOGIN u p\r\nb APPEND INBOX {3}\r\n"),
                     MW_E_CALLBACK);
    srv_free(x);
}

static void test_open_response_blocks_feed(void **state)
{
    /* An unfinished FETCH the application opened: feed refuses to run
     * (the machine could otherwise write into its middle) and loses
     * nothing. */
    srv *x = srv_new(app_ok);
    size_t used = 99;
    (void)state;
    srv_go(x);
    out_clear(x);
    assert_int_equal(mw_imap_server_fetch_begin(&x->s, 5), MW_OK);
    assert_int_equal(mw_imap_server_feed(&x->s, "a XX\r\n", 6, &used),
                     MW_E_STATE);
    assert_int_equal(used, 0);
    assert_int_equal(mw_imap_server_fetch_uid(&x->s, 9), MW_OK);
    assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_OK);
    assert_int_equal(mw_imap_server_feed(&x->s, "a XX\r\n", 6, &used), MW_OK);
    expect_out(x, "* 5 FETCH (UID 9)\r\na BAD Unknown command\r\n");
    srv_free(x);
}

static void test_bye(void **state)
{
    srv *x = srv_new(app_defer);
    size_t used;
    (void)state;
    srv_go(x);
    out_clear(x);
    /* the server ends the session while a command is pending */
    assert_int_equal(mw_imap_server_feed(&x->s, "p NOOP\r\n", 8, &used), MW_OK);
    assert_int_equal(mw_imap_server_bye(&x->s, NULL, "Server shutting down"),
                     MW_OK);
    expect_out(x, "* BYE Server shutting down\r\n");
    assert_int_equal(mw_imap_server_reply(&x->s, MW_IMAP_OK, NULL, NULL),
                     MW_E_STATE);
    assert_int_equal(mw_imap_server_want(&x->s), MW_IMAP_SERVER_WANT_CLOSED);
    x->later = NULL;
    /* LOGOUT without a BYE from the application: the machine sends it */
    x->app = app_ok;
    srv_go(x);
    out_clear(x);
    assert_int_equal(feed_str(x, "a LOGOUT\r\n"), MW_DONE);
    expect_out(x, "* BYE Logging out\r\na OK Completed\r\n");
    srv_free(x);
}

/* ======================================================================
 * Formatters: exact bytes, and refusal of what would break a response
 * ====================================================================== */

static srv *fmt_new(void)
{
    srv *x = srv_new(app_ok);
    srv_go(x);
    out_clear(x);
    return x;
}

/* A refused call sends nothing. */
#define REFUSED(x, call)                                                     \
    do {                                                                     \
        int n0_ = (x)->nsend;                                                \
        assert_int_equal((call), MW_E_INVAL);                                \
        assert_int_equal((x)->nsend, n0_);                                   \
    } while (0)

static void test_fmt_status_codes(void **state)
{
    static const struct {
        int id;
        const char *want;
    } plain[] = {
        {MW_IMAP_CODE_ALERT, "ALERT"},
        {MW_IMAP_CODE_PARSE, "PARSE"},
        {MW_IMAP_CODE_READ_ONLY, "READ-ONLY"},
        {MW_IMAP_CODE_READ_WRITE, "READ-WRITE"},
        {MW_IMAP_CODE_TRYCREATE, "TRYCREATE"},
        {MW_IMAP_CODE_UIDNOTSTICKY, "UIDNOTSTICKY"},
        {MW_IMAP_CODE_NOMODSEQ, "NOMODSEQ"},
        {MW_IMAP_CODE_CLOSED, "CLOSED"},
        {MW_IMAP_CODE_UNAVAILABLE, "UNAVAILABLE"},
        {MW_IMAP_CODE_AUTHENTICATIONFAILED, "AUTHENTICATIONFAILED"},
        {MW_IMAP_CODE_AUTHORIZATIONFAILED, "AUTHORIZATIONFAILED"},
        {MW_IMAP_CODE_EXPIRED, "EXPIRED"},
        {MW_IMAP_CODE_PRIVACYREQUIRED, "PRIVACYREQUIRED"},
        {MW_IMAP_CODE_CONTACTADMIN, "CONTACTADMIN"},
        {MW_IMAP_CODE_NOPERM, "NOPERM"},
        {MW_IMAP_CODE_INUSE, "INUSE"},
        {MW_IMAP_CODE_EXPUNGEISSUED, "EXPUNGEISSUED"},
        {MW_IMAP_CODE_CORRUPTION, "CORRUPTION"},
        {MW_IMAP_CODE_SERVERBUG, "SERVERBUG"},
        {MW_IMAP_CODE_CLIENTBUG, "CLIENTBUG"},
        {MW_IMAP_CODE_CANNOT, "CANNOT"},
        {MW_IMAP_CODE_LIMIT, "LIMIT"},
        {MW_IMAP_CODE_OVERQUOTA, "OVERQUOTA"},
        {MW_IMAP_CODE_ALREADYEXISTS, "ALREADYEXISTS"},
        {MW_IMAP_CODE_NONEXISTENT, "NONEXISTENT"},
        {MW_IMAP_CODE_COMPRESSIONACTIVE, "COMPRESSIONACTIVE"},
        {MW_IMAP_CODE_NOTSAVED, "NOTSAVED"},
        {MW_IMAP_CODE_HASCHILDREN, "HASCHILDREN"},
        {MW_IMAP_CODE_UNKNOWN_CTE, "UNKNOWN-CTE"},
        {MW_IMAP_CODE_TOOBIG, "TOOBIG"},
        {MW_IMAP_CODE_USEATTR, "USEATTR"},
        {MW_IMAP_CODE_INPROGRESS, "INPROGRESS"},
        {MW_IMAP_CODE_UIDREQUIRED, "UIDREQUIRED"},
    };
    srv *x = fmt_new();
    mw_imap_code c;
    char want[128];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        memset(&c, 0, sizeof c);
        c.id = plain[i].id;
        assert_int_equal(mw_imap_server_status(&x->s, MW_IMAP_NO, &c, "t"),
                         MW_OK);
        snprintf(want, sizeof want, "* NO [%s] t\r\n", plain[i].want);
        expect_out(x, want);
    }
#define CODE_LINE(setup, line)                                               \
    do {                                                                     \
        memset(&c, 0, sizeof c);                                             \
        setup;                                                               \
        assert_int_equal(mw_imap_server_status(&x->s, MW_IMAP_OK, &c, "t"),  \
                         MW_OK);                                             \
        expect_out(x, line);                                                 \
    } while (0)
    CODE_LINE((c.id = MW_IMAP_CODE_UIDNEXT, c.num = 4392),
              "* OK [UIDNEXT 4392] t\r\n");
    CODE_LINE((c.id = MW_IMAP_CODE_UIDVALIDITY, c.num = 4294967295u),
              "* OK [UIDVALIDITY 4294967295] t\r\n");
    CODE_LINE((c.id = MW_IMAP_CODE_UNSEEN, c.num = 12),
              "* OK [UNSEEN 12] t\r\n");
    CODE_LINE((c.id = MW_IMAP_CODE_HIGHESTMODSEQ, c.modseq = 715194045007ull),
              "* OK [HIGHESTMODSEQ 715194045007] t\r\n");
    CODE_LINE((c.id = MW_IMAP_CODE_HIGHESTMODSEQ,
               c.modseq = 9223372036854775807ull),
              "* OK [HIGHESTMODSEQ 9223372036854775807] t\r\n");
    CODE_LINE((c.id = MW_IMAP_CODE_APPENDUID, c.num = 38505,
               c.set.text = sz("3955")),
              "* OK [APPENDUID 38505 3955] t\r\n");
    CODE_LINE((c.id = MW_IMAP_CODE_COPYUID, c.num = 38505,
               c.set.text = sz("304,319:320"), c.set2.text = sz("3956:3958")),
              "* OK [COPYUID 38505 304,319:320 3956:3958] t\r\n");
    CODE_LINE((c.id = MW_IMAP_CODE_MODIFIED, c.set.text = sz("7,9")),
              "* OK [MODIFIED 7,9] t\r\n");
    CODE_LINE((c.id = MW_IMAP_CODE_PERMANENTFLAGS,
               c.flags.text = sz("\\Deleted \\Seen \\*")),
              "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] t\r\n");
    CODE_LINE((c.id = MW_IMAP_CODE_PERMANENTFLAGS,
               c.flags.system = MW_IMAP_FLAG_SEEN | MW_IMAP_FLAG_WILDCARD),
              "* OK [PERMANENTFLAGS (\\Seen \\*)] t\r\n");
    CODE_LINE((c.id = MW_IMAP_CODE_PERMANENTFLAGS), "* OK [PERMANENTFLAGS ()] t\r\n");
    CODE_LINE((c.id = MW_IMAP_CODE_BADCHARSET, c.arg = sz("(UTF-8 US-ASCII)")),
              "* OK [BADCHARSET (UTF-8 US-ASCII)] t\r\n");
    CODE_LINE((c.id = MW_IMAP_CODE_REFERRAL,
               c.arg = sz("IMAP://user;AUTH=*@SERVER2/")),
              "* OK [REFERRAL IMAP://user;AUTH=*@SERVER2/] t\r\n");
    /* RFC 4469 §4.1 with erratum 4046: the URL bare, up to "]" */
    CODE_LINE((c.id = MW_IMAP_CODE_BADURL,
               c.arg = sz("/INBOX;UIDVALIDITY=785799047/;UID=113330;"
                          "section=1.5.9")),
              "* OK [BADURL /INBOX;UIDVALIDITY=785799047/;UID=113330;"
              "section=1.5.9] t\r\n");
    CODE_LINE((c.id = MW_IMAP_CODE_BADURL, c.arg = sz("\"/a b\"")),
              "* OK [BADURL \"/a b\"] t\r\n");
    /* the same bytes as the name given as MW_IMAP_CODE_OTHER */
    CODE_LINE((c.id = MW_IMAP_CODE_OTHER, c.name = sz("BADURL"),
               c.arg = sz("/x")),
              "* OK [BADURL /x] t\r\n");
    CODE_LINE((c.id = MW_IMAP_CODE_MAILBOXID, c.arg = sz("(F2212ea87)")),
              "* OK [MAILBOXID (F2212ea87)] t\r\n");
    CODE_LINE((c.id = MW_IMAP_CODE_METADATA, c.arg = sz("LONGENTRIES 2000")),
              "* OK [METADATA LONGENTRIES 2000] t\r\n");
    CODE_LINE((c.id = MW_IMAP_CODE_OTHER, c.name = sz("XFOO"), c.arg = sz("1 2")),
              "* OK [XFOO 1 2] t\r\n");
    CODE_LINE((c.id = MW_IMAP_CODE_CAPABILITY),
              "* OK [CAPABILITY IMAP4rev1 LITERAL- IDLE] t\r\n");
    CODE_LINE((c.id = MW_IMAP_CODE_CAPABILITY, c.arg = sz("IMAP4rev2")),
              "* OK [CAPABILITY IMAP4rev2] t\r\n");
    CODE_LINE((c.id = MW_IMAP_CODE_NONE), "* OK t\r\n");

    /* refusals: nothing is sent */
    memset(&c, 0, sizeof c);
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_OK, NULL, "a\rb"));
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_OK, NULL, "a\nb"));
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_OK, NULL, "[ALERT] x"));
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_PREAUTH, NULL, "x"));
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_BYE, NULL, "x"));
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_OK, NULL, "Gr\xc3\xbc\xc3\x9f" "e"));
    c.id = MW_IMAP_CODE_UIDNEXT;
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_OK, &c, "x")); /* 0 */
    c.id = MW_IMAP_CODE_HIGHESTMODSEQ;
    c.modseq = 9223372036854775808ull;
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_OK, &c, "x"));
    c.id = MW_IMAP_CODE_ALERT;
    c.arg = sz("a]b");
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_OK, &c, "x"));
    c.arg = sz("a\r\nb");
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_OK, &c, "x"));
    c.arg.ptr = "a\0b";
    c.arg.len = 3;
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_OK, &c, "x"));
    memset(&c, 0, sizeof c);
    c.id = MW_IMAP_CODE_OTHER;
    c.name = sz("X Y");
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_OK, &c, "x"));
    c.name = sz("X]");
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_OK, &c, "x"));
    /* BADURL: the URL required (RFC 4469 §5: 1*), no "]", CR, LF, NUL
     * or 8-bit byte in it */
    memset(&c, 0, sizeof c);
    c.id = MW_IMAP_CODE_BADURL;
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_NO, &c, "x"));
    c.arg = sz("/a]b");
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_NO, &c, "x"));
    c.arg = sz("/a\rb");
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_NO, &c, "x"));
    c.arg = sz("/a\nb");
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_NO, &c, "x"));
    c.arg.ptr = "/a\0b";
    c.arg.len = 4;
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_NO, &c, "x"));
    c.arg = sz("/\xc3\xa9");
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_NO, &c, "x"));
    c.arg.ptr = NULL;
    c.arg.len = 3;
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_NO, &c, "x"));
    /* REFERRAL: at least one URL (RFC 2221) */
    memset(&c, 0, sizeof c);
    c.id = MW_IMAP_CODE_REFERRAL;
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_NO, &c, "x"));
    memset(&c, 0, sizeof c);
    c.id = 49;
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_OK, &c, "x"));
    c.id = MW_IMAP_CODE_APPENDUID;
    c.num = 1;
    c.set.text = sz("1:*");
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_OK, &c, "x"));
    c.set.text = sz("0");
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_OK, &c, "x"));
    c.set.text = sz("1,,2");
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_OK, &c, "x"));
    c.set.text = sz("4294967296");
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_OK, &c, "x"));
    memset(&c, 0, sizeof c);
    c.id = MW_IMAP_CODE_PERMANENTFLAGS;
    c.flags.text = sz("\\Seen  \\Deleted");
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_OK, &c, "x"));
    c.flags.text = sz("\\Se(en");
    REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_OK, &c, "x"));
    REFUSED(x, mw_imap_server_reply_code(&x->s, MW_IMAP_OK,
                                         MW_IMAP_CODE_OTHER, "x"));
    /* no command pending */
    assert_int_equal(mw_imap_server_reply(&x->s, MW_IMAP_OK, NULL, "x"),
                     MW_E_STATE);
    assert_int_equal(mw_imap_server_continue(&x->s, "x"), MW_E_STATE);
    assert_int_equal(mw_imap_server_idle(&x->s, NULL), MW_E_STATE);
    assert_int_equal(mw_imap_server_auth_challenge(&x->s, "x", 1), MW_E_STATE);
    assert_int_equal(x->out.len, 0);

    /* UTF-8 text once UTF8=ACCEPT is enabled (RFC 6855 §3) */
    {
        mw_span en = SPAN("UTF8=ACCEPT");
        assert_int_equal(mw_imap_server_enabled(&x->s, &en, 1), MW_OK);
        expect_out(x, "* ENABLED UTF8=ACCEPT\r\n");
        assert_int_equal(mw_imap_server_status(&x->s, MW_IMAP_OK, NULL,
                                               "Gr\xc3\xbc\xc3\x9f" "e"),
                         MW_OK);
        expect_out(x, "* OK Gr\xc3\xbc\xc3\x9f" "e\r\n");
        REFUSED(x, mw_imap_server_status(&x->s, MW_IMAP_OK, NULL, "\xc3("));
        assert_true(mw_imap_server_enabled_caps(&x->s) &
                    MW_IMAP_ENABLE_UTF8_ACCEPT);
    }
    srv_free(x);
}

static int app_continue(srv *x, const mw_imap_cmd *c)
{
    if (c->id == -1) { /* the client's line after "+" */
        if (span_is(c->name, "more"))
            return mw_imap_server_continue(&x->s, "go on");
        return mw_imap_server_reply(&x->s, MW_IMAP_OK, NULL, "got it");
    }
    if (c->id == MW_IMAP_CMD_OTHER) {
        REFUSED(x, mw_imap_server_continue(&x->s, "a\r\nb"));
        return mw_imap_server_continue(&x->s, "Ready for additional command "
                                              "text");
    }
    return app_ok(x, c);
}

static void test_fmt_continue(void **state)
{
    srv *x = srv_new(app_continue);
    (void)state;
    x->cfg.flags = MW_IMAP_SERVER_DELIVER_OTHER;
    srv_go(x);
    out_clear(x);
    feed_str(x, "a LOGIN u p\r\nb XFOO\r\nmore\r\n* not base64 (\r\n"
                "c NOOP\r\n");
    expect_out(x, "a OK Completed\r\n+ Ready for additional command text\r\n"
                  "+ go on\r\nb OK got it\r\nc OK Completed\r\n");
    assert_true(log_has(x, "auth '* not base64 ('"));
    srv_free(x);
}

static void test_fmt_simple(void **state)
{
    srv *x = fmt_new();
    mw_imap_flags f;
    mw_span caps[2] = {SPAN("CONDSTORE"), SPAN("QRESYNC")};
    (void)state;
    assert_int_equal(mw_imap_server_exists(&x->s, 23), MW_OK);
    assert_int_equal(mw_imap_server_recent(&x->s, 0), MW_OK);
    assert_int_equal(mw_imap_server_expunge(&x->s, 3), MW_OK);
    expect_out(x, "* 23 EXISTS\r\n* 0 RECENT\r\n* 3 EXPUNGE\r\n");
    REFUSED(x, mw_imap_server_expunge(&x->s, 0));
    memset(&f, 0, sizeof f);
    f.text = sz("\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded");
    assert_int_equal(mw_imap_server_flags(&x->s, &f), MW_OK);
    expect_out(x, "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft "
                  "$Forwarded)\r\n");
    f.text.ptr = NULL;
    f.text.len = 0;
    assert_int_equal(mw_imap_server_flags(&x->s, &f), MW_OK);
    expect_out(x, "* FLAGS ()\r\n");
    f.text = sz("\\*");
    REFUSED(x, mw_imap_server_flags(&x->s, &f));
    f.text = sz("\\Seen\r\n");
    REFUSED(x, mw_imap_server_flags(&x->s, &f));
    f.text = sz("\\Seen ");
    REFUSED(x, mw_imap_server_flags(&x->s, &f));
    f.text.ptr = NULL;
    f.system = MW_IMAP_FLAG_WILDCARD;
    REFUSED(x, mw_imap_server_flags(&x->s, &f));
    REFUSED(x, mw_imap_server_flags(&x->s, NULL));
    /* ENABLED */
    assert_int_equal(mw_imap_server_enabled(&x->s, caps, 2), MW_OK);
    assert_int_equal(mw_imap_server_enabled(&x->s, NULL, 0), MW_OK);
    expect_out(x, "* ENABLED CONDSTORE QRESYNC\r\n* ENABLED\r\n");
    caps[1] = sz("A B");
    REFUSED(x, mw_imap_server_enabled(&x->s, caps, 2));
    /* VANISHED (RFC 7162 §3.2.10) */
    assert_int_equal(mw_imap_server_vanished(&x->s, 1,
                                             S_("41,43:116,118,120:211,214:540")),
                     MW_OK);
    assert_int_equal(mw_imap_server_vanished(&x->s, 0, S_("405,407,410")),
                     MW_OK);
    expect_out(x, "* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n"
                  "* VANISHED 405,407,410\r\n");
    REFUSED(x, mw_imap_server_vanished(&x->s, 0, S_("1:*")));
    REFUSED(x, mw_imap_server_vanished(&x->s, 0, S_("")));
    REFUSED(x, mw_imap_server_vanished(&x->s, 0, S_("1\r\n")));
    /* CAPABILITY */
    assert_int_equal(mw_imap_server_capability(&x->s), MW_OK);
    expect_out(x, "* CAPABILITY IMAP4rev1 LITERAL- IDLE\r\n");
    srv_free(x);
}

static void test_fmt_list(void **state)
{
    srv *x = fmt_new();
    mw_imap_list_reply l;
    (void)state;
    memset(&l, 0, sizeof l);
    l.attrs = MW_IMAP_LIST_NOINFERIORS | MW_IMAP_LIST_HASNOCHILDREN |
              MW_IMAP_LIST_SENT;
    l.delimiter = '/';
    l.mailbox = sz("Sent Items");
    assert_int_equal(mw_imap_server_list(&x->s, &l), MW_OK);
    expect_out(x, "* LIST (\\Noinferiors \\HasNoChildren \\Sent) \"/\" "
                  "\"Sent Items\"\r\n");
    /* RFC 3501 §5.1.3's example name, and "&" */
    memset(&l, 0, sizeof l);
    l.delimiter = '/';
    l.mailbox = sz("~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/"
                   "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
    assert_int_equal(mw_imap_server_list(&x->s, &l), MW_OK);
    expect_out(x, "* LIST () \"/\" ~peter/mail/&U,BTFw-/&ZeVnLIqe-\r\n");
    l.mailbox = sz("Tom & Jerry");
    l.delimiter = 0;
    l.lsub = 1;
    l.other_attrs = sz("\\Foo \\Bar");
    l.attrs = MW_IMAP_LIST_MARKED;
    assert_int_equal(mw_imap_server_list(&x->s, &l), MW_OK);
    expect_out(x, "* LSUB (\\Marked \\Foo \\Bar) NIL \"Tom &- Jerry\"\r\n");
    /* supplementary characters: a surrogate pair (U+1F600) */
    memset(&l, 0, sizeof l);
    l.delimiter = '.';
    l.mailbox = sz("a\xf0\x9f\x98\x80");
    assert_int_equal(mw_imap_server_list(&x->s, &l), MW_OK);
    expect_out(x, "* LIST () \".\" a&2D3eAA-\r\n");
    /* quoted specials, the "\" delimiter, NIL as a name */
    l.mailbox = sz("a\"b\\c");
    l.delimiter = '\\';
    assert_int_equal(mw_imap_server_list(&x->s, &l), MW_OK);
    expect_out(x, "* LIST () \"\\\\\" \"a\\\"b\\\\c\"\r\n");
    l.mailbox = sz("NIL");
    assert_int_equal(mw_imap_server_list(&x->s, &l), MW_OK);
    expect_out(x, "* LIST () \"\\\\\" \"NIL\"\r\n");
    l.mailbox = sz("");
    assert_int_equal(mw_imap_server_list(&x->s, &l), MW_OK);
    expect_out(x, "* LIST () \"\\\\\" \"\"\r\n");
    /* LIST-EXTENDED data */
    memset(&l, 0, sizeof l);
    l.delimiter = '/';
    l.mailbox = sz("Foo");
    l.childinfo = sz("SUBSCRIBED");
    assert_int_equal(mw_imap_server_list(&x->s, &l), MW_OK);
    expect_out(x, "* LIST () \"/\" Foo (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n");
    l.oldname = sz("Bar");
    assert_int_equal(mw_imap_server_list(&x->s, &l), MW_OK);
    expect_out(x, "* LIST () \"/\" Foo (\"CHILDINFO\" (\"SUBSCRIBED\") "
                  "\"OLDNAME\" (\"Bar\"))\r\n");
    /* refusals */
    memset(&l, 0, sizeof l);
    l.mailbox = sz("a\r\nb");
    REFUSED(x, mw_imap_server_list(&x->s, &l));
    l.mailbox = sz("a\tb");
    REFUSED(x, mw_imap_server_list(&x->s, &l));
    l.mailbox.ptr = "a\0b";
    l.mailbox.len = 3;
    REFUSED(x, mw_imap_server_list(&x->s, &l));
    l.mailbox = sz("\xc3(");
    REFUSED(x, mw_imap_server_list(&x->s, &l));
    l.mailbox = sz("\xed\xa0\x80"); /* a surrogate in UTF-8 */
    REFUSED(x, mw_imap_server_list(&x->s, &l));
    l.mailbox = sz("ok");
    l.delimiter = '\n';
    REFUSED(x, mw_imap_server_list(&x->s, &l));
    l.delimiter = '/';
    l.other_attrs = sz("Foo");
    REFUSED(x, mw_imap_server_list(&x->s, &l));
    l.other_attrs = sz("\\Foo\r\n");
    REFUSED(x, mw_imap_server_list(&x->s, &l));
    l.other_attrs = sz("");
    l.attrs = 0x80000000u;
    REFUSED(x, mw_imap_server_list(&x->s, &l));
    l.attrs = 0;
    l.childinfo = sz("A\"B");
    REFUSED(x, mw_imap_server_list(&x->s, &l));
    /* UTF-8 names once UTF8=ACCEPT is on */
    {
        mw_span en = SPAN("UTF8=ACCEPT");
        assert_int_equal(mw_imap_server_enabled(&x->s, &en, 1), MW_OK);
        out_clear(x);
        memset(&l, 0, sizeof l);
        l.delimiter = '/';
        l.mailbox = sz("Entw\xc3\xbcrfe");
        assert_int_equal(mw_imap_server_list(&x->s, &l), MW_OK);
        expect_out(x, "* LIST () \"/\" \"Entw\xc3\xbcrfe\"\r\n");
        l.mailbox = sz("Tom & Jerry");
        assert_int_equal(mw_imap_server_list(&x->s, &l), MW_OK);
        expect_out(x, "* LIST () \"/\" \"Tom & Jerry\"\r\n");
    }
    srv_free(x);
}

static void test_fmt_mutf7_long(void **state)
{
    /* a name whose modified UTF-7 form exceeds the quoted limit goes out
     * as a literal, through a small output buffer in pieces */
    srv *x = fmt_new();
    mw_imap_list_reply l;
    gbuf name = {0}, want = {0};
    size_t i;
    char head[32];
    (void)state;
    for (i = 0; i < 400; i++)
        gb_add(&name, "\xc3\xa9", 2); /* é */
    memset(&l, 0, sizeof l);
    l.delimiter = '/';
    l.mailbox.ptr = name.p;
    l.mailbox.len = name.len;
    assert_int_equal(mw_imap_server_list(&x->s, &l), MW_OK);
    /* 400 UTF-16 units = 6400 bits = 1067 base64 chars + "&" + "-" */
    snprintf(head, sizeof head, "* LIST () \"/\" {%d}\r\n&", 1067 + 2);
    gb_add(&want, head, strlen(head));
    for (i = 0; i < 133; i++)
        gb_add(&want, "AOkA6QDp", 8);
    gb_add(&want, "AOk-\r\n", 6);
    assert_int_equal(x->out.len, want.len);
    assert_string_equal(x->out.p, want.p);
    free(name.p);
    free(want.p);
    srv_free(x);
}

static void test_fmt_mailbox_status(void **state)
{
    srv *x = fmt_new();
    mw_imap_status_reply st;
    (void)state;
    memset(&st, 0, sizeof st);
    st.mailbox = sz("blurdybloop");
    st.items = MW_IMAP_STATUS_MESSAGES | MW_IMAP_STATUS_UIDNEXT;
    st.messages = 231;
    st.uidnext = 44292;
    assert_int_equal(mw_imap_server_mailbox_status(&x->s, &st), MW_OK);
    expect_out(x, "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n");
    st.items = 0x3FF;
    st.recent = 1;
    st.uidvalidity = 2;
    st.unseen = 3;
    st.deleted = 4;
    st.size = 9223372036854775807ull;
    st.highestmodseq = 0;
    st.appendlimit = UINT64_MAX;
    st.mailboxid = sz("F2212ea87-6097-4256-9d51-71338625");
    assert_int_equal(mw_imap_server_mailbox_status(&x->s, &st), MW_OK);
    expect_out(x, "* STATUS blurdybloop (MESSAGES 231 RECENT 1 UIDNEXT 44292 "
                  "UIDVALIDITY 2 UNSEEN 3 DELETED 4 SIZE 9223372036854775807 "
                  "HIGHESTMODSEQ 0 APPENDLIMIT NIL "
                  "MAILBOXID (F2212ea87-6097-4256-9d51-71338625))\r\n");
    st.items = MW_IMAP_STATUS_APPENDLIMIT;
    st.appendlimit = 4294967295u;
    assert_int_equal(mw_imap_server_mailbox_status(&x->s, &st), MW_OK);
    expect_out(x, "* STATUS blurdybloop (APPENDLIMIT 4294967295)\r\n");
    st.appendlimit = 4294967296ull;
    REFUSED(x, mw_imap_server_mailbox_status(&x->s, &st));
    st.items = MW_IMAP_STATUS_MAILBOXID;
    st.mailboxid = sz("a b");
    REFUSED(x, mw_imap_server_mailbox_status(&x->s, &st));
    st.items = 0x400;
    REFUSED(x, mw_imap_server_mailbox_status(&x->s, &st));
    st.items = MW_IMAP_STATUS_SIZE;
    st.size = 9223372036854775808ull;
    REFUSED(x, mw_imap_server_mailbox_status(&x->s, &st));
    st.items = 0;
    st.mailbox = sz("a\nb");
    REFUSED(x, mw_imap_server_mailbox_status(&x->s, &st));
    st.mailbox = sz("x");
    assert_int_equal(mw_imap_server_mailbox_status(&x->s, &st), MW_OK);
    expect_out(x, "* STATUS x ()\r\n");
    srv_free(x);
}

static void test_fmt_search(void **state)
{
    static const uint32_t r1[] = {2, 84, 882};
    static const uint32_t r2[] = {2, 5, 6, 7, 11, 12, 18, 19, 20, 23};
    srv *x = fmt_new();
    uint32_t i;
    int sends;
    (void)state;
    assert_int_equal(mw_imap_server_search(&x->s, r1, 3, 0), MW_OK);
    assert_int_equal(mw_imap_server_search(&x->s, NULL, 0, 0), MW_OK);
    assert_int_equal(mw_imap_server_search(&x->s, r2, 10, 917162500), MW_OK);
    expect_out(x, "* SEARCH 2 84 882\r\n* SEARCH\r\n"
                  "* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n");
    REFUSED(x, mw_imap_server_search(&x->s, NULL, 0, 5)); /* no numbers */
    {
        uint32_t bad[2] = {1, 0};
        REFUSED(x, mw_imap_server_search(&x->s, bad, 2, 0));
    }
    assert_int_equal(mw_imap_server_search_begin(&x->s, MW_IMAP_SERVER_SORT),
                     MW_OK);
    assert_int_equal(mw_imap_server_search_add(&x->s, 2), MW_OK);
    assert_int_equal(mw_imap_server_search_add(&x->s, 3), MW_OK);
    /* nothing else while the response is open */
    assert_int_equal(mw_imap_server_exists(&x->s, 1), MW_E_STATE);
    assert_int_equal(mw_imap_server_search_begin(&x->s, 0), MW_E_STATE);
    assert_int_equal(mw_imap_server_search_add(&x->s, 0), MW_E_INVAL);
    assert_int_equal(mw_imap_server_search_add(&x->s, 6), MW_OK);
    assert_int_equal(mw_imap_server_search_end(&x->s, 0), MW_OK);
    expect_out(x, "* SORT 2 3 6\r\n");
    assert_int_equal(mw_imap_server_search_add(&x->s, 2), MW_E_STATE);
    assert_int_equal(mw_imap_server_search_end(&x->s, 0), MW_E_STATE);
    assert_int_equal(mw_imap_server_search_begin(&x->s, 0x80), MW_E_INVAL);
    /* 100,000 numbers, written incrementally */
    sends = x->nsend;
    x->quiet = 1;
    assert_int_equal(mw_imap_server_search_begin(&x->s, 0), MW_OK);
    for (i = 1; i <= 100000; i++)
        assert_int_equal(mw_imap_server_search_add(&x->s, i), MW_OK);
    assert_int_equal(mw_imap_server_search_end(&x->s, 0), MW_OK);
    assert_true(x->nsend - sends > 100); /* in pieces, never all at once */
    assert_int_equal(x->out.len, 8 + 588895 + 2);
    assert_int_equal(memcmp(x->out.p, "* SEARCH 1 2 3 ", 15), 0);
    assert_int_equal(memcmp(x->out.p + x->out.len - 9, " 100000\r\n", 9), 0);
    srv_free(x);
}

static void test_fmt_esearch(void **state)
{
    srv *x = fmt_new();
    mw_imap_esearch_reply e;
    (void)state;
    memset(&e, 0, sizeof e);
    e.tag = sz("A282");
    e.items = MW_IMAP_SEARCHRET_MIN | MW_IMAP_SEARCHRET_COUNT;
    e.min = 2;
    e.count = 3;
    assert_int_equal(mw_imap_server_esearch(&x->s, &e), MW_OK);
    expect_out(x, "* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n");
    memset(&e, 0, sizeof e);
    e.tag = sz("A283");
    e.items = MW_IMAP_SEARCHRET_ALL;
    e.all = sz("2,10:11");
    assert_int_equal(mw_imap_server_esearch(&x->s, &e), MW_OK);
    expect_out(x, "* ESEARCH (TAG \"A283\") ALL 2,10:11\r\n");
    memset(&e, 0, sizeof e);
    e.tag = sz("A285");
    e.uid = 1;
    e.items = MW_IMAP_SEARCHRET_MIN | MW_IMAP_SEARCHRET_MAX;
    e.min = 7;
    e.max = 3800;
    assert_int_equal(mw_imap_server_esearch(&x->s, &e), MW_OK);
    expect_out(x, "* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800\r\n");
    /* empty result: ALL omitted (RFC 4731 §3.1), COUNT 0, MODSEQ */
    memset(&e, 0, sizeof e);
    e.no_tag = 1;
    e.items = MW_IMAP_SEARCHRET_ALL | MW_IMAP_SEARCHRET_COUNT;
    e.all = sz("");
    assert_int_equal(mw_imap_server_esearch(&x->s, &e), MW_OK);
    expect_out(x, "* ESEARCH COUNT 0\r\n");
    e.items = MW_IMAP_SEARCHRET_ALL;
    e.all = sz("1:3");
    e.modseq = 917162500;
    assert_int_equal(mw_imap_server_esearch(&x->s, &e), MW_OK);
    expect_out(x, "* ESEARCH ALL 1:3 MODSEQ 917162500\r\n");
    /* incremental ALL */
    memset(&e, 0, sizeof e);
    e.tag = sz("t");
    e.uid = 1;
    e.items = MW_IMAP_SEARCHRET_ALL | MW_IMAP_SEARCHRET_MIN;
    e.min = 1;
    e.modseq = 5;
    assert_int_equal(mw_imap_server_esearch_begin(&x->s, &e), MW_OK);
    assert_int_equal(mw_imap_server_esearch_end(&x->s), MW_E_STATE); /* none */
    assert_int_equal(mw_imap_server_esearch_range(&x->s, 1, 3), MW_OK);
    assert_int_equal(mw_imap_server_esearch_range(&x->s, 7, 7), MW_OK);
    assert_int_equal(mw_imap_server_esearch_range(&x->s, 9, 8), MW_E_INVAL);
    assert_int_equal(mw_imap_server_esearch_range(&x->s, 0, 8), MW_E_INVAL);
    assert_int_equal(mw_imap_server_esearch_range(&x->s, 10, 4294967295u),
                     MW_OK);
    assert_int_equal(mw_imap_server_esearch_end(&x->s), MW_OK);
    expect_out(x, "* ESEARCH (TAG \"t\") UID MIN 1 ALL 1:3,7,10:4294967295 "
                  "MODSEQ 5\r\n");
    assert_int_equal(mw_imap_server_esearch_range(&x->s, 1, 1), MW_E_STATE);
    /* refusals */
    memset(&e, 0, sizeof e);
    e.items = MW_IMAP_SEARCHRET_MIN; /* MIN 0 */
    REFUSED(x, mw_imap_server_esearch(&x->s, &e));
    e.items = MW_IMAP_SEARCHRET_ALL;
    e.all = sz("1:*");
    REFUSED(x, mw_imap_server_esearch(&x->s, &e));
    e.all.ptr = NULL;
    e.all.len = 0;
    REFUSED(x, mw_imap_server_esearch(&x->s, &e));
    e.items = MW_IMAP_SEARCHRET_SAVE;
    REFUSED(x, mw_imap_server_esearch(&x->s, &e));
    e.items = 0;
    e.tag.ptr = "a\0";
    e.tag.len = 2;
    REFUSED(x, mw_imap_server_esearch(&x->s, &e));
    e.tag.len = 0;
    REFUSED(x, mw_imap_server_esearch(&x->s, &e));
    memset(&e, 0, sizeof e);
    e.items = MW_IMAP_SEARCHRET_ALL;
    e.all = sz("1");
    REFUSED(x, mw_imap_server_esearch_begin(&x->s, &e)); /* all given */
    srv_free(x);
}

/* ESEARCH correlates with the pending command's tag by default. */
static int app_esearch(srv *x, const mw_imap_cmd *c)
{
    if (c->id == MW_IMAP_CMD_SEARCH) {
        mw_imap_esearch_reply e;
        memset(&e, 0, sizeof e);
        e.uid = (c->flags & MW_IMAP_CMDF_UID) != 0;
        e.items = c->u.search.return_opts;
        e.count = 0;
        assert_int_equal(mw_imap_server_esearch(&x->s, &e), MW_OK);
        return mw_imap_server_reply(&x->s, MW_IMAP_OK, NULL, "done");
    }
    return app_ok(x, c);
}

static void test_fmt_esearch_tag(void **state)
{
    srv *x = srv_new(app_esearch);
    (void)state;
    x->cfg.caps |= MW_IMAP_CAP_ESEARCH;
    srv_go(x);
    out_clear(x);
    feed_str(x, "a LOGIN u p\r\nb SELECT INBOX\r\n"
                "A286 SEARCH RETURN (COUNT) FLAGGED\r\n");
    expect_out(x, "a OK Completed\r\nb OK Completed\r\n"
                  "* ESEARCH (TAG \"A286\") COUNT 0\r\nA286 OK done\r\n");
    srv_free(x);
}

static void test_fmt_namespace_id_quota(void **state)
{
    static const mw_imap_ns_reply pers[1] = {{SPAN(""), '/', {0}}};
    static const mw_imap_ns_reply other[1] = {{SPAN("~"), '/', {0}}};
    static const mw_imap_ns_reply shared[4] = {{SPAN("#shared/"), '/', {0}},
                                               {SPAN("#public/"), '/', {0}},
                                               {SPAN("#ftp/"), '/', {0}},
                                               {SPAN("#news."), '.', {0}}};
    static const mw_imap_id_param id[5] = {
        {SPAN("name"), SPAN("Cyrus")},
        {SPAN("version"), SPAN("1.5")},
        {SPAN("os"), SPAN("sunos")},
        {SPAN("os-version"), SPAN("5.5")},
        {SPAN("support-url"), SPAN("mailto:cyrus-bugs+@andrew.cmu.edu")}};
    static const mw_imap_quota_reply q[1] = {{SPAN("STORAGE"), 10, 512}};
    srv *x = fmt_new();
    mw_imap_id_param bad[31];
    mw_span roots[1] = {SPAN("")};
    mw_imap_quota_reply qb[1];
    size_t i;
    (void)state;
    /* RFC 2342 §5 examples */
    assert_int_equal(mw_imap_server_namespace(&x->s, pers, 1, NULL, 0, NULL, 0),
                     MW_OK);
    expect_out(x, "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n");
    assert_int_equal(mw_imap_server_namespace(&x->s, pers, 1, other, 1, shared,
                                              4),
                     MW_OK);
    expect_out(x, "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) "
                  "((\"#shared/\" \"/\")(\"#public/\" \"/\")(\"#ftp/\" \"/\")"
                  "(\"#news.\" \".\"))\r\n");
    {
        mw_imap_ns_reply b[1] = {{SPAN("a\nb"), '/', {0}}};
        REFUSED(x, mw_imap_server_namespace(&x->s, b, 1, NULL, 0, NULL, 0));
        REFUSED(x, mw_imap_server_namespace(&x->s, NULL, 1, NULL, 0, NULL, 0));
    }
    /* RFC 2971 §3.2 */
    assert_int_equal(mw_imap_server_id(&x->s, id, 5), MW_OK);
    expect_out(x, "* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" "
                  "\"sunos\" \"os-version\" \"5.5\" \"support-url\" "
                  "\"mailto:cyrus-bugs+@andrew.cmu.edu\")\r\n");
    assert_int_equal(mw_imap_server_id(&x->s, NULL, 0), MW_OK);
    expect_out(x, "* ID NIL\r\n");
    for (i = 0; i < 31; i++) {
        bad[i].field = sz("f");
        bad[i].value.ptr = NULL;
        bad[i].value.len = 0;
    }
    assert_int_equal(mw_imap_server_id(&x->s, bad, 30), MW_OK); /* the cap */
    out_clear(x);
    REFUSED(x, mw_imap_server_id(&x->s, bad, 31));
    bad[0].field = sz("0123456789012345678901234567890"); /* 31 bytes */
    REFUSED(x, mw_imap_server_id(&x->s, bad, 1));
    bad[0].field = sz("f");
    bad[0].value.ptr = "a\0";
    bad[0].value.len = 2;
    REFUSED(x, mw_imap_server_id(&x->s, bad, 1));
    bad[0].value = sz("two\r\nlines");
    assert_int_equal(mw_imap_server_id(&x->s, bad, 1), MW_OK);
    expect_out(x, "* ID (\"f\" {10}\r\ntwo\r\nlines)\r\n");
    /* RFC 9208 §5.1, §5.2 */
    assert_int_equal(mw_imap_server_quota(&x->s, sz(""), q, 1), MW_OK);
    assert_int_equal(mw_imap_server_quotaroot(&x->s, sz("INBOX"), roots, 1),
                     MW_OK);
    assert_int_equal(mw_imap_server_quotaroot(&x->s, sz("comp.mail.mime"),
                                              NULL, 0),
                     MW_OK);
    expect_out(x, "* QUOTA \"\" (STORAGE 10 512)\r\n* QUOTAROOT INBOX \"\"\r\n"
                  "* QUOTAROOT comp.mail.mime\r\n");
    REFUSED(x, mw_imap_server_quota(&x->s, sz(""), q, 0));
    qb[0] = q[0];
    qb[0].name = sz("STOR AGE");
    REFUSED(x, mw_imap_server_quota(&x->s, sz(""), qb, 1));
    qb[0] = q[0];
    qb[0].limit = 9223372036854775808ull;
    REFUSED(x, mw_imap_server_quota(&x->s, sz(""), qb, 1));
    REFUSED(x, mw_imap_server_quotaroot(&x->s, sz("a\rb"), NULL, 0));
    srv_free(x);
}

/* ---- FETCH ------------------------------------------------------------- */

static void test_fmt_fetch_items(void **state)
{
    srv *x = fmt_new();
    mw_imap_flags f;
    mw_imap_datetime d = {2024, 1, 5, 9, 3, 7, 0, 0};
    (void)state;
    /* items outside a FETCH */
    assert_int_equal(mw_imap_server_fetch_uid(&x->s, 1), MW_E_STATE);
    assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_E_STATE);
    REFUSED(x, mw_imap_server_fetch_begin(&x->s, 0));
    assert_int_equal(mw_imap_server_fetch_begin(&x->s, 1), MW_OK);
    assert_int_equal(mw_imap_server_fetch_begin(&x->s, 2), MW_E_STATE);
    assert_int_equal(mw_imap_server_fetch_uid(&x->s, 4827313), MW_OK);
    memset(&f, 0, sizeof f);
    f.system = MW_IMAP_FLAG_SEEN | MW_IMAP_FLAG_RECENT;
    assert_int_equal(mw_imap_server_fetch_flags(&x->s, &f), MW_OK);
    assert_int_equal(mw_imap_server_fetch_internaldate(&x->s, &d), MW_OK);
    d.day = 17;
    d.zone = 330;
    assert_int_equal(mw_imap_server_fetch_internaldate(&x->s, &d), MW_OK);
    d.zone = 0;
    d.zone_unknown = 1; /* "-0000" */
    assert_int_equal(mw_imap_server_fetch_internaldate(&x->s, &d), MW_OK);
    d.zone = 330;
    assert_int_equal(mw_imap_server_fetch_size(&x->s, 44827), MW_OK);
    assert_int_equal(mw_imap_server_fetch_modseq(&x->s, 624140003), MW_OK);
    assert_int_equal(mw_imap_server_fetch_number(&x->s, "X-GM-MSGID",
                                                 1278455344230334865ull),
                     MW_OK);
    assert_int_equal(mw_imap_server_fetch_nstring(&x->s, "PREVIEW",
                                                  sz("Hi there")),
                     MW_OK);
    assert_int_equal(mw_imap_server_fetch_nstring(&x->s, "PREVIEW",
                                                  sz("two\r\nlines")),
                     MW_OK);
    {
        mw_span nil = NIL_;
        assert_int_equal(mw_imap_server_fetch_nstring(&x->s, "PREVIEW", nil),
                         MW_OK);
        assert_int_equal(mw_imap_server_fetch_objectid(&x->s, "THREADID", nil),
                         MW_OK);
    }
    assert_int_equal(mw_imap_server_fetch_objectid(&x->s, "EMAILID",
                                                   sz("M6d99ac3275bb4e")),
                     MW_OK);
    assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_OK);
    expect_out(x, "* 1 FETCH (UID 4827313 FLAGS (\\Seen \\Recent) "
                  "INTERNALDATE \"05-Jan-2024 09:03:07 +0000\" "
                  "INTERNALDATE \"17-Jan-2024 09:03:07 +0530\" "
                  "INTERNALDATE \"17-Jan-2024 09:03:07 -0000\" "
                  "RFC822.SIZE 44827 MODSEQ (624140003) "
                  "X-GM-MSGID 1278455344230334865 PREVIEW \"Hi there\" "
                  "PREVIEW {10}\r\ntwo\r\nlines PREVIEW NIL THREADID NIL "
                  "EMAILID (M6d99ac3275bb4e))\r\n");
    /* refusals inside a FETCH write nothing of the item */
    assert_int_equal(mw_imap_server_fetch_begin(&x->s, 3), MW_OK);
    REFUSED(x, mw_imap_server_fetch_uid(&x->s, 0));
    f.text = sz("\\*");
    REFUSED(x, mw_imap_server_fetch_flags(&x->s, &f));
    f.text.ptr = NULL;
    f.system = MW_IMAP_FLAG_WILDCARD;
    REFUSED(x, mw_imap_server_fetch_flags(&x->s, &f));
    d.month = 2;
    d.day = 30;
    REFUSED(x, mw_imap_server_fetch_internaldate(&x->s, &d));
    d.day = 29;
    d.year = 2023;
    REFUSED(x, mw_imap_server_fetch_internaldate(&x->s, &d));
    d.year = 2024;
    assert_int_equal(mw_imap_server_fetch_internaldate(&x->s, &d), MW_OK);
    d.zone = 1440;
    REFUSED(x, mw_imap_server_fetch_internaldate(&x->s, &d));
    REFUSED(x, mw_imap_server_fetch_size(&x->s, 9223372036854775808ull));
    REFUSED(x, mw_imap_server_fetch_modseq(&x->s, 0));
    REFUSED(x, mw_imap_server_fetch_number(&x->s, "X GM", 1));
    REFUSED(x, mw_imap_server_fetch_number(&x->s, NULL, 1));
    {
        mw_span v;
        v.ptr = "a\0b";
        v.len = 3;
        REFUSED(x, mw_imap_server_fetch_nstring(&x->s, "PREVIEW", v));
    }
    REFUSED(x, mw_imap_server_fetch_objectid(&x->s, "EMAILID", sz("a/b")));
    assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_OK);
    expect_out(x, "* 3 FETCH (INTERNALDATE \"29-Feb-2024 09:03:07 +0530\")\r\n");
    srv_free(x);
}

static void test_fmt_envelope(void **state)
{
    srv *x = fmt_new();
    mw_imap_envelope e;
    mw_imap_address a[3];
    (void)state;
    memset(&e, 0, sizeof e);
    memset(a, 0, sizeof a);
    /* a group (RFC 9051 §7.5.2: NIL host starts, NIL mailbox and host end) */
    a[0].mailbox = sz("undisclosed-recipients");
    a[1].name = sz("Caf\xc3\xa9");
    a[1].mailbox = sz("x");
    a[1].host = sz("example.com");
    e.subject = sz("multi\r\nline \"quoted\"");
    e.to.items = a;
    e.to.count = 3;
    assert_int_equal(mw_imap_server_fetch_begin(&x->s, 1), MW_OK);
    assert_int_equal(mw_imap_server_fetch_envelope(&x->s, &e), MW_OK);
    assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_OK);
    expect_out(x, "* 1 FETCH (ENVELOPE (NIL {20}\r\nmulti\r\nline \"quoted\" "
                  "NIL NIL NIL ((NIL NIL \"undisclosed-recipients\" NIL)"
                  "({5}\r\nCaf\xc3\xa9 NIL \"x\" \"example.com\")"
                  "(NIL NIL NIL NIL)) NIL NIL NIL NIL))\r\n");
    assert_int_equal(mw_imap_server_fetch_begin(&x->s, 1), MW_OK);
    a[1].host.ptr = "ex\0ample";
    a[1].host.len = 8;
    REFUSED(x, mw_imap_server_fetch_envelope(&x->s, &e));
    a[1].host = sz("example.com");
    e.cc.count = 1; /* items NULL */
    REFUSED(x, mw_imap_server_fetch_envelope(&x->s, &e));
    REFUSED(x, mw_imap_server_fetch_envelope(&x->s, NULL));
    /* nothing was written: an empty item list is refused (RFC 9051 §9
     * msg-att), the FETCH stays open for an item */
    assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_E_INVAL);
    assert_int_equal(mw_imap_server_fetch_uid(&x->s, 7), MW_OK);
    assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_OK);
    expect_out(x, "* 1 FETCH (UID 7)\r\n");
    srv_free(x);
}

static void test_fmt_bodystructure(void **state)
{
    static const mw_imap_param boundary[1] = {{SPAN("BOUNDARY"), SPAN("xyz")}};
    static const mw_imap_param fname[1] = {{SPAN("FILENAME"), SPAN("a.eml")}};
    static const mw_span langs[2] = {SPAN("en"), SPAN("de")};
    srv *x = fmt_new();
    mw_imap_body top, text, msg, inner, html;
    mw_imap_envelope env;
    (void)state;
    memset(&env, 0, sizeof env);
    env.subject = sz("inner");
    rfc_body(&text);
    text.size = 1152;
    text.lines = 23;
    memset(&html, 0, sizeof html);
    html.kind = MW_IMAP_BODY_TEXT;
    html.type = sz("TEXT");
    html.subtype = sz("HTML");
    html.encoding = sz("QUOTED-PRINTABLE");
    html.size = 100;
    html.lines = 4;
    inner = html;
    memset(&msg, 0, sizeof msg);
    msg.kind = MW_IMAP_BODY_MESSAGE;
    msg.type = sz("MESSAGE");
    msg.subtype = sz("RFC822");
    msg.encoding = sz("7BIT");
    msg.size = 4554;
    msg.lines = 73;
    msg.envelope = &env;
    msg.body = &inner;
    msg.has = MW_IMAP_BODY_HAS_DSP;
    msg.disposition = sz("attachment");
    msg.disp_params = fname;
    msg.ndisp_params = 1;
    memset(&top, 0, sizeof top);
    top.kind = MW_IMAP_BODY_MULTIPART;
    top.type = sz("MULTIPART");
    top.subtype = sz("MIXED");
    top.first = &text;
    text.next = &msg;
    top.nparts = 2;
    top.params = boundary;
    top.nparams = 1;
    top.has = MW_IMAP_BODY_HAS_PARAMS | MW_IMAP_BODY_HAS_LANG;
    top.languages = langs;
    top.nlanguages = 2;
    assert_int_equal(mw_imap_server_fetch_begin(&x->s, 2), MW_OK);
    assert_int_equal(mw_imap_server_fetch_body_structure(&x->s, &top, 0),
                     MW_OK);
    assert_int_equal(mw_imap_server_fetch_body_structure(&x->s, &top, 1),
                     MW_OK);
    assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_OK);
    expect_out(x,
               "* 2 FETCH (BODY ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") "
               "NIL NIL \"7BIT\" 1152 23)(\"MESSAGE\" \"RFC822\" NIL NIL NIL "
               "\"7BIT\" 4554 (NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL) "
               "(\"TEXT\" \"HTML\" NIL NIL NIL \"QUOTED-PRINTABLE\" 100 4) 73) "
               "\"MIXED\") "
               "BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") "
               "NIL NIL \"7BIT\" 1152 23)(\"MESSAGE\" \"RFC822\" NIL NIL NIL "
               "\"7BIT\" 4554 (NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL) "
               "(\"TEXT\" \"HTML\" NIL NIL NIL \"QUOTED-PRINTABLE\" 100 4) 73 "
               "NIL (\"attachment\" (\"FILENAME\" \"a.eml\"))) \"MIXED\" "
               "(\"BOUNDARY\" \"xyz\") NIL (\"en\" \"de\")))\r\n");
    /* every extension field, and unknown extension data */
    text.next = NULL;
    text.has = MW_IMAP_BODY_HAS_MD5 | MW_IMAP_BODY_HAS_LOC |
               MW_IMAP_BODY_HAS_EXTENSION | MW_IMAP_BODY_HAS_LANG;
    text.md5 = sz("Q2hlY2sgSW50ZWdyaXR5IQ==");
    text.location = sz("http://x/");
    text.extension = sz("1 (\"a\" NIL (2 3)) X");
    text.languages = langs;
    text.nlanguages = 1;
    assert_int_equal(mw_imap_server_fetch_begin(&x->s, 3), MW_OK);
    assert_int_equal(mw_imap_server_fetch_body_structure(&x->s, &text, 1),
                     MW_OK);
    assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_OK);
    expect_out(x, "* 3 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" "
                  "\"US-ASCII\") NIL NIL \"7BIT\" 1152 23 "
                  "\"Q2hlY2sgSW50ZWdyaXR5IQ==\" NIL \"en\" \"http://x/\" "
                  "1 (\"a\" NIL (2 3)) X))\r\n");
    /* refusals: nothing of the item is written */
    assert_int_equal(mw_imap_server_fetch_begin(&x->s, 4), MW_OK);
    text.extension = sz("(unbalanced");
    REFUSED(x, mw_imap_server_fetch_body_structure(&x->s, &text, 1));
    text.extension = sz("{3}\r\nabc");
    REFUSED(x, mw_imap_server_fetch_body_structure(&x->s, &text, 1));
    text.has = 0;
    text.lines = -1;
    REFUSED(x, mw_imap_server_fetch_body_structure(&x->s, &text, 0));
    text.lines = 1;
    text.size = 4294967296ull;
    REFUSED(x, mw_imap_server_fetch_body_structure(&x->s, &text, 0));
    text.size = 1;
    text.encoding.ptr = NULL;
    REFUSED(x, mw_imap_server_fetch_body_structure(&x->s, &text, 0));
    text.encoding = sz("7BIT");
    msg.body = NULL;
    REFUSED(x, mw_imap_server_fetch_body_structure(&x->s, &msg, 0));
    msg.body = &inner;
    top.first = NULL;
    REFUSED(x, mw_imap_server_fetch_body_structure(&x->s, &top, 0));
    /* a cycle among the parts stops at the node limit */
    top.first = &text;
    text.next = &text;
    REFUSED(x, mw_imap_server_fetch_body_structure(&x->s, &top, 0));
    text.next = NULL;
    /* nothing was written: an empty item list is refused (RFC 9051 §9
     * msg-att), the FETCH stays open for an item */
    assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_E_INVAL);
    assert_int_equal(mw_imap_server_fetch_uid(&x->s, 7), MW_OK);
    assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_OK);
    expect_out(x, "* 4 FETCH (UID 7)\r\n");
    srv_free(x);
}

static void test_fmt_body_depth(void **state)
{
    /* nested message/rfc822 parts: cap - 1, cap, cap + 1 levels */
    srv *x = fmt_new();
    mw_imap_body nodes[MW_IMAP_SERVER_DEPTH_MAX + 1];
    mw_imap_envelope env;
    size_t i, levels;
    (void)state;
    memset(&env, 0, sizeof env);
    for (levels = MW_IMAP_SERVER_DEPTH_MAX - 1;
         levels <= MW_IMAP_SERVER_DEPTH_MAX + 1; levels++) {
        for (i = 0; i < levels; i++) {
            memset(&nodes[i], 0, sizeof nodes[i]);
            nodes[i].type = sz("MESSAGE");
            nodes[i].subtype = sz("RFC822");
            nodes[i].encoding = sz("7BIT");
            if (i + 1 < levels) {
                nodes[i].kind = MW_IMAP_BODY_MESSAGE;
                nodes[i].envelope = &env;
                nodes[i].body = &nodes[i + 1];
            } else {
                nodes[i].kind = MW_IMAP_BODY_BASIC;
                nodes[i].type = sz("APPLICATION");
                nodes[i].subtype = sz("OCTET-STREAM");
            }
        }
        assert_int_equal(mw_imap_server_fetch_begin(&x->s, 1), MW_OK);
        assert_int_equal(mw_imap_server_fetch_body_structure(&x->s, nodes, 0),
                         levels <= MW_IMAP_SERVER_DEPTH_MAX ? MW_OK
                                                            : MW_E_DEPTH);
        if (levels > MW_IMAP_SERVER_DEPTH_MAX) {
            /* refused whole: nothing written, so the FETCH needs an item */
            assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_E_INVAL);
            assert_int_equal(mw_imap_server_fetch_uid(&x->s, 7), MW_OK);
        }
        assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_OK);
        if (levels > MW_IMAP_SERVER_DEPTH_MAX) {
            expect_out(x, "* 1 FETCH (UID 7)\r\n");
        } else {
            /* balanced: as many ")" as "(" */
            size_t open = 0, close = 0;
            for (i = 0; i < x->out.len; i++) {
                open += x->out.p[i] == '(';
                close += x->out.p[i] == ')';
            }
            assert_int_equal(open, close);
            out_clear(x);
        }
    }
    srv_free(x);
}

static void test_fmt_body_sections(void **state)
{
    static const mw_span fields[2] = {SPAN("DATE"), SPAN("FROM")};
    static const mw_span odd[3] = {SPAN("X]Y"), SPAN("A B"), SPAN("NIL")};
    srv *x = fmt_new();
    mw_imap_fetch_req it;
    char bin[4] = {'a', '\0', 'b', '\n'};
    int sends;
    (void)state;
    memset(&it, 0, sizeof it);
    it.att = MW_IMAP_FA_BODY_SECTION;
    it.peek = 1;
    it.nparts = 2;
    it.parts[0] = 1;
    it.parts[1] = 2;
    it.section = MW_IMAP_SECTION_HEADER_FIELDS;
    it.fields = fields;
    it.nfields = 2;
    it.has_partial = 1;
    it.origin = 0;
    it.length = 100;
    assert_int_equal(mw_imap_server_fetch_begin(&x->s, 7), MW_OK);
    assert_int_equal(mw_imap_server_fetch_body_begin(&x->s, &it, 5, 0), MW_OK);
    /* the literal must be complete before anything else */
    assert_int_equal(mw_imap_server_fetch_uid(&x->s, 1), MW_E_STATE);
    assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_E_STATE);
    REFUSED(x, mw_imap_server_fetch_body_data(&x->s, "123456", 6));
    assert_int_equal(mw_imap_server_fetch_body_data(&x->s, "12", 2), MW_OK);
    assert_int_equal(mw_imap_server_fetch_body_data(&x->s, NULL, 0), MW_OK);
    assert_int_equal(mw_imap_server_fetch_body_end(&x->s), MW_E_STATE);
    assert_int_equal(mw_imap_server_fetch_body_data(&x->s, "345", 3), MW_OK);
    assert_int_equal(mw_imap_server_fetch_body_end(&x->s), MW_OK);
    assert_int_equal(mw_imap_server_fetch_body_data(&x->s, "x", 1), MW_E_STATE);
    /* from the raw section text, RFC822 forms, NIL, BINARY */
    memset(&it, 0, sizeof it);
    it.att = MW_IMAP_FA_BODY_SECTION;
    it.section_text = sz("");
    assert_int_equal(mw_imap_server_fetch_body_begin(&x->s, &it, 0, 0), MW_OK);
    assert_int_equal(mw_imap_server_fetch_body_end(&x->s), MW_OK);
    it.section_text = sz("2.MIME");
    assert_int_equal(mw_imap_server_fetch_body_nil(&x->s, &it), MW_OK);
    it.section_text.ptr = NULL;
    it.att = MW_IMAP_FA_RFC822_HEADER;
    assert_int_equal(mw_imap_server_fetch_body_nil(&x->s, &it), MW_OK);
    memset(&it, 0, sizeof it);
    it.att = MW_IMAP_FA_BINARY;
    it.nparts = 1;
    it.parts[0] = 3;
    assert_int_equal(mw_imap_server_fetch_body_begin(&x->s, &it, 4,
                                                     MW_IMAP_SERVER_LITERAL8),
                     MW_OK);
    assert_int_equal(mw_imap_server_fetch_body_data(&x->s, bin, 4), MW_OK);
    assert_int_equal(mw_imap_server_fetch_body_end(&x->s), MW_OK);
    assert_int_equal(mw_imap_server_fetch_binary_size(&x->s, &it, 4), MW_OK);
    it.att = MW_IMAP_FA_BINARY_SIZE;
    /* a 32-bit number (RFC 3516 §4.2, RFC 9051 §9), as the client reads */
    assert_int_equal(mw_imap_server_fetch_binary_size(&x->s, &it,
                                                      0x100000000ull),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_server_fetch_binary_size(&x->s, &it, 4), MW_OK);
    assert_int_equal(mw_imap_server_fetch_binary_size(&x->s, &it,
                                                      0xFFFFFFFFull),
                     MW_OK);
    assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_OK);
    {
        static const char want[] =
            "* 7 FETCH (BODY[1.2.HEADER.FIELDS (DATE FROM)]<0> {5}\r\n12345 "
            "BODY[] {0}\r\n BODY[2.MIME] NIL RFC822.HEADER NIL "
            "BINARY[3] ~{4}\r\na\0b\n BINARY.SIZE[3] 4 BINARY.SIZE[3] 4 "
            "BINARY.SIZE[3] 4294967295)\r\n";
        assert_int_equal(x->out.len, sizeof want - 1);
        assert_memory_equal(x->out.p, want, sizeof want - 1);
        out_clear(x);
    }
    /* a large body: the bytes go to send as the application's spans */
    {
        static char big[100000];
        memset(big, 'q', sizeof big);
        memset(&it, 0, sizeof it);
        it.att = MW_IMAP_FA_RFC822;
        x->quiet = 1;
        assert_int_equal(mw_imap_server_fetch_begin(&x->s, 8), MW_OK);
        assert_int_equal(mw_imap_server_fetch_body_begin(&x->s, &it,
                                                         sizeof big, 0),
                         MW_OK);
        sends = x->nsend;
        assert_int_equal(mw_imap_server_fetch_body_data(&x->s, big,
                                                        sizeof big),
                         MW_OK);
        assert_int_equal(x->nsend - sends, 2); /* the head, then the span */
        assert_int_equal(mw_imap_server_fetch_body_end(&x->s), MW_OK);
        assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_OK);
        assert_int_equal(x->out.len, 28 + sizeof big + 3);
        assert_int_equal(memcmp(x->out.p, "* 8 FETCH (RFC822 {100000}\r\n", 28),
                         0);
        out_clear(x);
        x->quiet = 0;
    }
    /* field names that cannot be atoms */
    memset(&it, 0, sizeof it);
    it.att = MW_IMAP_FA_BODY_SECTION;
    it.section = MW_IMAP_SECTION_HEADER_FIELDS_NOT;
    it.fields = odd;
    it.nfields = 3;
    assert_int_equal(mw_imap_server_fetch_begin(&x->s, 8), MW_OK);
    assert_int_equal(mw_imap_server_fetch_body_nil(&x->s, &it), MW_OK);
    assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_OK);
    expect_out(x, "* 8 FETCH (BODY[HEADER.FIELDS.NOT (\"X]Y\" \"A B\" \"NIL\")] "
                  "NIL)\r\n");
    /* refusals */
    assert_int_equal(mw_imap_server_fetch_begin(&x->s, 9), MW_OK);
    memset(&it, 0, sizeof it);
    it.att = MW_IMAP_FA_BODY_SECTION;
    it.section_text = sz("1]x");
    REFUSED(x, mw_imap_server_fetch_body_begin(&x->s, &it, 1, 0));
    it.section_text = sz("HEADER\r\n");
    REFUSED(x, mw_imap_server_fetch_body_nil(&x->s, &it));
    it.section_text.ptr = NULL;
    it.section = MW_IMAP_SECTION_MIME; /* needs a part number */
    REFUSED(x, mw_imap_server_fetch_body_begin(&x->s, &it, 1, 0));
    it.section = MW_IMAP_SECTION_HEADER_FIELDS; /* needs fields */
    REFUSED(x, mw_imap_server_fetch_body_begin(&x->s, &it, 1, 0));
    it.section = MW_IMAP_SECTION_NONE;
    REFUSED(x, mw_imap_server_fetch_body_begin(&x->s, &it, 1,
                                               MW_IMAP_SERVER_LITERAL8));
    it.att = MW_IMAP_FA_UID;
    REFUSED(x, mw_imap_server_fetch_body_begin(&x->s, &it, 1, 0));
    it.att = MW_IMAP_FA_BINARY;
    it.nparts = 1;
    it.parts[0] = 0;
    REFUSED(x, mw_imap_server_fetch_binary_size(&x->s, &it, 1));
    it.parts[0] = 1;
    REFUSED(x, mw_imap_server_fetch_binary_size(&x->s, &it, 4294967296ull));
    REFUSED(x, mw_imap_server_fetch_body_begin(&x->s, NULL, 1, 0));
    /* nothing was written: an empty item list is refused (RFC 9051 §9
     * msg-att), the FETCH stays open for an item */
    assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_E_INVAL);
    assert_int_equal(mw_imap_server_fetch_uid(&x->s, 7), MW_OK);
    assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_OK);
    expect_out(x, "* 9 FETCH (UID 7)\r\n");
    srv_free(x);
}

/* A FETCH answered for a command: the items the command asked for. */
static int app_fetch(srv *x, const mw_imap_cmd *c)
{
    if (c->id == MW_IMAP_CMD_FETCH) {
        uint32_t i;
        assert_int_equal(mw_imap_server_fetch_begin(&x->s, 1), MW_OK);
        for (i = 0; i < c->u.fetch.nitems; i++) {
            const mw_imap_fetch_req *it = &c->u.fetch.items[i];
            if (it->att == MW_IMAP_FA_UID)
                assert_int_equal(mw_imap_server_fetch_uid(&x->s, 9), MW_OK);
            else if (it->att == MW_IMAP_FA_BINARY_SIZE)
                assert_int_equal(mw_imap_server_fetch_binary_size(&x->s, it, 3),
                                 MW_OK);
            else {
                assert_int_equal(mw_imap_server_fetch_body_begin(&x->s, it, 3,
                                                                 0),
                                 MW_OK);
                assert_int_equal(mw_imap_server_fetch_body_data(&x->s, "abc",
                                                                3),
                                 MW_OK);
                assert_int_equal(mw_imap_server_fetch_body_end(&x->s), MW_OK);
            }
        }
        assert_int_equal(mw_imap_server_fetch_end(&x->s), MW_OK);
        return mw_imap_server_reply(&x->s, MW_IMAP_OK, NULL, "done");
    }
    return app_ok(x, c);
}

static void test_fmt_fetch_echo(void **state)
{
    /* the items of a parsed command are echoed as RFC 9051 §7.5.2 wants:
     * PEEK dropped, the origin only */
    srv *x = srv_new(app_fetch);
    (void)state;
    x->cfg.caps |= MW_IMAP_CAP_BINARY;
    srv_go(x);
    out_clear(x);
    feed_str(x, "a LOGIN u p\r\nb SELECT INBOX\r\n"
                "c UID FETCH 1 (UID BODY.PEEK[1.HEADER.FIELDS (Subject)]<0.3> "
                "BINARY.SIZE[1])\r\n");
    expect_out(x, "a OK Completed\r\nb OK Completed\r\n"
                  "* 1 FETCH (UID 9 BODY[1.HEADER.FIELDS (Subject)]<0> "
                  "{3}\r\nabc BINARY.SIZE[1] 3)\r\nc OK done\r\n");
    srv_free(x);
}

/* ======================================================================
 * Hostile input and every command cut at every byte
 * ====================================================================== */

static void test_hostile_nesting(void **state)
{
    /* 10,000 nested search parentheses: refused by the parser's depth
     * limit (MW_E_DEPTH), answered BAD, the session goes on */
    srv *x = srv_new(app_ok);
    gbuf in = {0};
    size_t i;
    (void)state;
    x->cfg.max_line = 24576; /* 16 KB of arena remain */
    gb_add(&in, S_("a LOGIN u p\r\nb SELECT INBOX\r\nc SEARCH "));
    for (i = 0; i < 10000; i++)
        gb_add(&in, "(", 1);
    gb_add(&in, "ALL", 3);
    for (i = 0; i < 10000; i++)
        gb_add(&in, ")", 1);
    gb_add(&in, S_("\r\nd NOOP\r\n"));
    srv_go(x);
    out_clear(x);
    feed_all(x, in.p, in.len);
    assert_true(strncmp(x->out.p, "a OK Completed\r\nb OK Completed\r\nc BAD ",
                        38) == 0);
    assert_non_null(strstr(x->out.p, "\r\nd OK Completed\r\n"));
    assert_true(log_has(x, "error MW_E_DEPTH"));
    assert_int_equal(x->ncmd, 3);
    free(in.p);
    srv_free(x);
}

static void test_hostile_ranges(void **state)
{
    /* a sequence set of 100,000 ranges: over the command line limit, so
     * dropped whole and answered; with a limit that holds it, parsed */
    srv *x = srv_new(app_ok);
    gbuf in = {0};
    char num[32];
    size_t i;
    (void)state;
    gb_add(&in, S_("a LOGIN u p\r\nb SELECT INBOX\r\nc FETCH "));
    for (i = 0; i < 100000; i++) {
        snprintf(num, sizeof num, "%s%zu:%zu", i ? "," : "", 2 * i + 1,
                 2 * i + 1);
        gb_add(&in, num, strlen(num));
    }
    gb_add(&in, S_(" FLAGS\r\nd NOOP\r\n"));
    srv_go(x);
    out_clear(x);
    feed_all(x, in.p, in.len);
    expect_out(x, "a OK Completed\r\nb OK Completed\r\n"
                  "c BAD Command line too long\r\nd OK Completed\r\n");
    free(in.p);
    srv_free(x);
}

static int app_zoo(srv *x, const mw_imap_cmd *c)
{
    if (c->id == MW_IMAP_CMD_STARTTLS || c->id == MW_IMAP_CMD_COMPRESS)
        return mw_imap_server_reply(&x->s, MW_IMAP_NO, NULL, "not now");
    return app_ok(x, c);
}

static void test_command_zoo(void **state)
{
    /* one of every command the machine takes, in every state it meets,
     * with good and bad syntax, replayed at every split */
    static const char in[] =
        "z0 CAPABILITY\r\nz1 NOOP\r\nz2 ID (\"name\" \"x\")\r\n"
        "z3 STARTTLS\r\nz4 AUTHENTICATE PLAIN\r\n=\r\n"
        "a LOGIN {4}\r\nuser \"pass\"\r\n"
        "b ENABLE CONDSTORE UTF8=ACCEPT\r\nc NAMESPACE\r\n"
        "d CREATE \"x/y\"\r\ne DELETE x\r\nf RENAME x y\r\n"
        "g SUBSCRIBE y\r\nh UNSUBSCRIBE y\r\ni LIST \"\" \"*\"\r\n"
        "j LSUB \"\" %\r\nk STATUS INBOX (MESSAGES UIDNEXT)\r\n"
        "l APPEND INBOX {3+}\r\nabc\r\nm SELECT INBOX (CONDSTORE)\r\n"
        "n EXAMINE INBOX\r\no CHECK\r\np EXPUNGE\r\nq UID EXPUNGE 1:3\r\n"
        "r SEARCH CHARSET UTF-8 OR FROM a (TO b SINCE 1-Feb-2024)\r\n"
        "s UID SEARCH RETURN (MIN COUNT) 1:* NOT DELETED\r\n"
        "t FETCH 1:4 (FLAGS BODY.PEEK[HEADER.FIELDS (FROM)])\r\n"
        "u UID STORE 1 +FLAGS.SILENT (\\Seen)\r\nv COPY 1:2 y\r\n"
        "w MOVE 1 y\r\nx UID MOVE 1 y\r\ny SORT (DATE) UTF-8 ALL\r\n"
        "z GETQUOTAROOT INBOX\r\naa IDLE\r\nDONE\r\nab UNSELECT\r\n"
        "ac CLOSE\r\nad COMPRESS DEFLATE\r\nae FETCH 1 FLAGS\r\n"
        "af BOGUS\r\nag LOGIN\r\nah LOGOUT\r\nai LOGOUT\r\n";
    srv *x = srv_new(app_zoo);
    evlog whole;
    (void)state;
    x->cfg.caps = MW_IMAP_CAP_IMAP4REV1 | MW_IMAP_CAP_LITERAL_PLUS |
                  MW_IMAP_CAP_IDLE | MW_IMAP_CAP_NAMESPACE | MW_IMAP_CAP_ID |
                  MW_IMAP_CAP_ENABLE | MW_IMAP_CAP_UIDPLUS | MW_IMAP_CAP_MOVE |
                  MW_IMAP_CAP_UNSELECT | MW_IMAP_CAP_ESEARCH |
                  MW_IMAP_CAP_SORT | MW_IMAP_CAP_QUOTA |
                  MW_IMAP_CAP_STARTTLS | MW_IMAP_CAP_COMPRESS_DEFLATE |
                  MW_IMAP_CAP_CONDSTORE | MW_IMAP_CAP_SASL_IR;
    x->cfg.auth = MW_IMAP_AUTH_PLAIN;
    x->cfg.max_bad_commands = 0;
    evlog_init(&whole);
    replay_check(&ops, x, in, sizeof in - 1, &whole);
    /* every command was answered, in order; the bad ones by the machine:
     * "=" is only an initial response (RFC 4959 §3), CLOSE and FETCH come
     * after UNSELECT, BOGUS is unknown, LOGIN lacks its arguments; the
     * session ends at the first LOGOUT */
    assert_non_null(strstr(x->out.p, "z3 NO not now\r\n+ \r\n"
                                     "z4 BAD Invalid base64\r\n"
                                     "+ Ready for literal data\r\n"
                                     "a OK Completed\r\n"));
    assert_non_null(strstr(x->out.p, "+ idling\r\naa OK IDLE terminated\r\n"
                                     "ab OK Completed\r\n"
                                     "ac BAD Command not valid in this state\r\n"
                                     "ad NO not now\r\n"
                                     "ae BAD Command not valid in this state\r\n"
                                     "af BAD Unknown command\r\nag BAD "));
    assert_non_null(strstr(x->out.p, "* BYE Logging out\r\nah OK Completed\r\n"));
    assert_null(strstr(x->out.p, "ai "));
    assert_int_equal(x->ncmd, 35);
    assert_non_null(strstr(evlog_str(&whole), "cmd DONE tag=aa"));
    assert_non_null(strstr(evlog_str(&whole), "msg: abc"));
    evlog_free(&whole);
    srv_free(x);
}

/* ======================================================================
 * main
 * ====================================================================== */

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizeof),
        cmocka_unit_test(test_init_checks),
        cmocka_unit_test(test_greetings),
        cmocka_unit_test(test_rfc3501_session),
        cmocka_unit_test(test_rfc9051_session),
        cmocka_unit_test(test_rfc9051_examples_replayed),
        cmocka_unit_test(test_states),
        cmocka_unit_test(test_deliver_other),
        cmocka_unit_test(test_capability),
        cmocka_unit_test(test_starttls_leftover),
        cmocka_unit_test(test_compress_leftover),
        cmocka_unit_test(test_bad_limit),
        cmocka_unit_test(test_auth_cancel_loop),
        cmocka_unit_test(test_line_limit),
        cmocka_unit_test(test_literal_sync),
        cmocka_unit_test(test_literal_refused_sync),
        cmocka_unit_test(test_literal_nonsync_dropped),
        cmocka_unit_test(test_literal_minus),
        cmocka_unit_test(test_literal_huge),
        cmocka_unit_test(test_nul_in_quoted),
        cmocka_unit_test(test_hostile_nesting),
        cmocka_unit_test(test_hostile_ranges),
        cmocka_unit_test(test_command_zoo),
        cmocka_unit_test(test_append_rfc),
        cmocka_unit_test(test_multiappend),
        cmocka_unit_test(test_append_utf8),
        cmocka_unit_test(test_append_refused),
        cmocka_unit_test(test_append_limits),
        cmocka_unit_test(test_append_paused),
        cmocka_unit_test(test_append_abort),
        cmocka_unit_test(test_append_eof),
        cmocka_unit_test(test_catenate_rfc),
        cmocka_unit_test(test_catenate_multiappend),
        cmocka_unit_test(test_catenate_errors),
        cmocka_unit_test(test_catenate_not_offered),
        cmocka_unit_test(test_catenate_parts_limit),
        cmocka_unit_test(test_catenate_limits_badurl),
        cmocka_unit_test(test_authenticate),
        cmocka_unit_test(test_auth_big_challenge),
        cmocka_unit_test(test_idle),
        cmocka_unit_test(test_pause),
        cmocka_unit_test(test_reply_texts),
        cmocka_unit_test(test_tag_class),
        cmocka_unit_test(test_failures),
        cmocka_unit_test(test_open_response_blocks_feed),
        cmocka_unit_test(test_bye),
        cmocka_unit_test(test_fmt_status_codes),
        cmocka_unit_test(test_fmt_continue),
        cmocka_unit_test(test_fmt_simple),
        cmocka_unit_test(test_fmt_list),
        cmocka_unit_test(test_fmt_mutf7_long),
        cmocka_unit_test(test_fmt_mailbox_status),
        cmocka_unit_test(test_fmt_search),
        cmocka_unit_test(test_fmt_esearch),
        cmocka_unit_test(test_fmt_esearch_tag),
        cmocka_unit_test(test_fmt_namespace_id_quota),
        cmocka_unit_test(test_fmt_fetch_items),
        cmocka_unit_test(test_fmt_envelope),
        cmocka_unit_test(test_fmt_bodystructure),
        cmocka_unit_test(test_fmt_body_depth),
        cmocka_unit_test(test_fmt_body_sections),
        cmocka_unit_test(test_fmt_fetch_echo),
    };
    return cmocka_run_group_tests_name("imap_server", tests, NULL, NULL);
}
