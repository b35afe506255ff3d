/* SPDX-License-Identifier: MIT */
/*
 * Test harness for the SMTP client machine, shared by
 * test_smtp_client.c and test_smtp_roundtrip.c (included, not compiled on
 * its own: tests/CMakeLists.txt builds only test_*.c).
 *
 * A harness `sch` owns a client, records every byte it sends, logs every
 * callback into an evlog, and runs a script: after the k-th reply (0 is
 * the greeting) it performs the actions of script[k], written as
 * "VERB arg|VERB arg" (see sch_act). The replay ops feed server bytes to
 * the client so that replay_check() can compare whole / per-byte / split
 * runs.
 */
#ifndef MW_TEST_SMTP_CLIENT_HARNESS_H
#define MW_TEST_SMTP_CLIENT_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evlog.h"
#include "mailwire/smtp.h"
#include "replay.h"
#include "textbuf.h"

/* The transcript and output buffers (textbuf.h). */
typedef mw_textbuf sch_buf;

static inline void sch_buf_put(sch_buf *b, const void *p, size_t n)
{
    mw_textbuf_put(b, p, n);
}

static inline void sch_buf_free(sch_buf *b)
{
    mw_textbuf_free(b);
}

typedef struct sch {
    mw_smtp_client c;
    char line[MW_SMTP_CLIENT_LINEBUF_SIZE];
    size_t linebuf_len;            /* 0: sizeof line */
    mw_smtp_client_config cfg;
    evlog *log;
    evlog own;
    sch_buf out;                   /* everything the client sent */
    const char *const *script;     /* actions after reply k */
    size_t nscript, nreplies;
    const mw_smtp_client_message *msg;
    const char *pre;               /* fed whole at reset (before TLS) */
    size_t prelen;
    int tls_auto;                  /* starttls callback calls tls_done */
    int quiet_data;                /* do not log sent bytes */
    int pause_replies;             /* reply callback returns MW_PAUSED */
    const char *blob;              /* data for BLOB actions */
    mw_smtp_mail_params mail;      /* for MAILP */
    mw_smtp_rcpt_params rcpt;      /* for RCPTP */
    mw_sasl_step_fn sasl;          /* for SASL */
    void *sasl_user;
    mw_smtp_client_result res;     /* last done result */
    int ndone;
    size_t nerrors, ntls;
} sch;

static const char *sch_cmd_name(int cmd)
{
    switch (cmd) {
    case MW_SMTP_CLIENT_GREETING:
        return "GREETING";
    case MW_SMTP_CLIENT_MESSAGE:
        return "MESSAGE";
    case MW_SMTP_CLIENT_UNSOLICITED:
        return "UNSOLICITED";
    default:
        return mw_smtp_verb_name((mw_smtp_verb)cmd);
    }
}

static inline int sch_send(mw_smtp_client *c, void *user, const char *p, size_t n)
{
    sch *t = user;
    (void)c;
    assert_true(n > 0);
    sch_buf_put(&t->out, p, n);
    if (!t->quiet_data)
        evlog_data(t->log, "C", p, n);
    return 0;
}

static inline void sch_act(sch *t, const char *a, size_t n);

static inline int sch_reply(mw_smtp_client *c, void *user,
                     const mw_smtp_client_reply *r)
{
    sch *t = user;
    (void)c;
    evlog_printf(t->log, "R %s %u i=%zu n=%u @%zu", sch_cmd_name(r->cmd),
                 r->code, r->index, r->lines, r->offset);
    if (r->has_esc)
        evlog_printf(t->log, "  esc %u.%u.%u", r->esc.cls, r->esc.subject,
                     r->esc.detail);
    evlog_data(t->log, "  text", r->text.ptr, r->text.len);
    evlog_data(t->log, "  detail", r->detail.ptr, r->detail.len);
    evlog_printf(t->log, "  want %02x", mw_smtp_client_want(c));
    if (t->script != NULL && t->nreplies < t->nscript) {
        const char *s = t->script[t->nreplies];
        while (s != NULL && *s) {
            const char *bar = strchr(s, '|');
            size_t len = bar ? (size_t)(bar - s) : strlen(s);
            sch_act(t, s, len);
            s = bar ? bar + 1 : NULL;
        }
    }
    t->nreplies++;
    return t->pause_replies ? MW_PAUSED : 0;
}

static inline int sch_error(mw_smtp_client *c, void *user, int status, size_t off,
                     const char *reason)
{
    sch *t = user;
    (void)c;
    t->nerrors++;
    evlog_printf(t->log, "E %s @%zu %s", mw_status_name(status), off, reason);
    return 0;
}

static inline int sch_starttls(mw_smtp_client *c, void *user)
{
    sch *t = user;
    t->ntls++;
    evlog_printf(t->log, "TLS");
    if (t->tls_auto) {
        int rc = mw_smtp_client_tls_done(c);
        if (rc != MW_OK)
            evlog_printf(t->log, "  tls_done -> %s", mw_status_name(rc));
    }
    return 0;
}

static inline int sch_done(mw_smtp_client *c, void *user,
                    const mw_smtp_client_result *r)
{
    sch *t = user;
    (void)c;
    t->res = *r;
    t->ndone++;
    evlog_printf(t->log, "DONE %s cmd=%s code=%u acc=%zu rej=%zu dlv=%zu (%s)",
                 mw_status_name(r->status), sch_cmd_name(r->cmd), r->code,
                 r->rcpt_accepted, r->rcpt_rejected, r->delivered,
                 r->reason ? r->reason : "");
    return 0;
}

static inline mw_span sch_span(const char *p, size_t n)
{
    mw_span s;
    s.ptr = p;
    s.len = n;
    return s;
}

static inline int sch_word(const char *a, size_t n, const char *w)
{
    size_t k = strlen(w);
    return n >= k && memcmp(a, w, k) == 0 && (n == k || a[k] == ' ');
}

/* One action. Arguments run to the end of the action (they may hold
 * spaces, CR and LF); two-argument actions split at the first space. */
static inline void sch_act(sch *t, const char *a, size_t n)
{
    mw_smtp_client *c = &t->c;
    const char *sp = memchr(a, ' ', n);
    mw_span arg = sp ? sch_span(sp + 1, n - (size_t)(sp + 1 - a)) : sch_span("", 0);
    mw_span a1 = arg, a2 = sch_span("", 0);
    const char *sp2 = memchr(arg.ptr, ' ', arg.len);
    int rc;
    if (sp2 != NULL) {
        a1 = sch_span(arg.ptr, (size_t)(sp2 - arg.ptr));
        a2 = sch_span(sp2 + 1, arg.len - a1.len - 1);
    }
    if (sch_word(a, n, "EHLO"))
        rc = mw_smtp_client_ehlo(c, arg);
    else if (sch_word(a, n, "HELO"))
        rc = mw_smtp_client_helo(c, arg);
    else if (sch_word(a, n, "MAILP"))
        rc = mw_smtp_client_mail(c, arg, &t->mail);
    else if (sch_word(a, n, "MAIL"))
        rc = mw_smtp_client_mail(c, arg, NULL);
    else if (sch_word(a, n, "RCPTP"))
        rc = mw_smtp_client_rcpt(c, arg, &t->rcpt);
    else if (sch_word(a, n, "RCPT"))
        rc = mw_smtp_client_rcpt(c, arg, NULL);
    else if (sch_word(a, n, "DATA"))
        rc = mw_smtp_client_data(c);
    else if (sch_word(a, n, "WRITE"))
        rc = mw_smtp_client_write(c, arg.ptr, arg.len);
    else if (sch_word(a, n, "LAST"))
        rc = mw_smtp_client_write_last(c, arg.ptr, arg.len);
    else if (sch_word(a, n, "BLOB") || sch_word(a, n, "BLOBLAST")) {
        size_t off = strtoul(a1.ptr, NULL, 10), len = strtoul(a2.ptr, NULL, 10);
        rc = a[4] == 'L' ? mw_smtp_client_write_last(c, t->blob + off, len)
                         : mw_smtp_client_write(c, t->blob + off, len);
    } else if (sch_word(a, n, "FINISH"))
        rc = mw_smtp_client_finish(c);
    else if (sch_word(a, n, "QUIT"))
        rc = mw_smtp_client_quit(c);
    else if (sch_word(a, n, "RSET"))
        rc = mw_smtp_client_rset(c);
    else if (sch_word(a, n, "NOOP"))
        rc = mw_smtp_client_noop(c);
    else if (sch_word(a, n, "VRFY"))
        rc = mw_smtp_client_vrfy(c, arg);
    else if (sch_word(a, n, "EXPN"))
        rc = mw_smtp_client_expn(c, arg);
    else if (sch_word(a, n, "HELP"))
        rc = mw_smtp_client_help(c, arg);
    else if (sch_word(a, n, "ETRN"))
        rc = mw_smtp_client_etrn(c, arg);
    else if (sch_word(a, n, "STARTTLS"))
        rc = mw_smtp_client_starttls(c);
    else if (sch_word(a, n, "PLAIN"))
        rc = mw_smtp_client_auth_plain(c, sch_span("", 0), a1, a2);
    else if (sch_word(a, n, "LOGIN"))
        rc = mw_smtp_client_auth_login(c, a1, a2);
    else if (sch_word(a, n, "XOAUTH2"))
        rc = mw_smtp_client_auth_xoauth2(c, a1, a2);
    else if (sch_word(a, n, "SASL"))
        rc = mw_smtp_client_auth_sasl(c, arg, t->sasl, t->sasl_user);
    else if (sch_word(a, n, "-"))
        rc = MW_OK;
    else {
        fail_msg("unknown script action %.*s", (int)n, a);
        return;
    }
    if (rc != MW_OK) {
        mw_error e;
        mw_smtp_client_error(c, &e);
        evlog_printf(t->log, "A %.*s -> %s (%s)", (int)(sp ? sp - a : (long)n),
                     a, mw_status_name(rc), e.reason ? e.reason : "");
    }
}

static inline void sch_setup(sch *t)
{
    memset(t, 0, sizeof(*t));
    mw_smtp_client_config_init(&t->cfg);
    evlog_init(&t->own);
    t->log = &t->own;
}

static inline void sch_teardown(sch *t)
{
    evlog_free(&t->own);
    sch_buf_free(&t->out);
}

/* Start the client (logging into `log`). */
static inline void sch_start(sch *t, evlog *log)
{
    mw_smtp_client_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.send = sch_send;
    cb.reply = sch_reply;
    cb.error = sch_error;
    cb.starttls = sch_starttls;
    cb.done = sch_done;
    t->log = log;
    t->out.n = 0;
    if (t->out.p)
        t->out.p[0] = '\0';
    t->nreplies = 0;
    t->ndone = 0;
    t->nerrors = 0;
    t->ntls = 0;
    memset(&t->res, 0, sizeof t->res);
    assert_int_equal(mw_smtp_client_init(&t->c, &t->cfg, &cb, t, t->line,
                                         t->linebuf_len ? t->linebuf_len
                                                        : sizeof t->line),
                     MW_OK);
    if (t->msg != NULL) {
        int rc = mw_smtp_client_send_message(&t->c, t->msg);
        if (rc != MW_OK)
            evlog_printf(log, "send_message -> %s", mw_status_name(rc));
    }
    if (t->pre != NULL) {
        size_t used = 0;
        int rc = mw_smtp_client_feed(&t->c, t->pre, t->prelen, &used);
        evlog_printf(log, "pre -> %s %zu", mw_status_name(rc), used);
    }
}

static inline void sch_reset(void *ctx, evlog *log)
{
    sch_start(ctx, log);
}

static inline int sch_feed(void *ctx, const char *p, size_t n, size_t *consumed)
{
    sch *t = ctx;
    return mw_smtp_client_feed(&t->c, p, n, consumed);
}

static inline int sch_finish(void *ctx)
{
    sch *t = ctx;
    evlog_printf(t->log, "end want %02x", mw_smtp_client_want(&t->c));
    return MW_OK;
}

static const replay_ops sch_ops = {sch_reset, sch_feed, sch_finish};

/* Split a transcript ("S: ..." and "C: ..." lines, '\n' between them)
 * into what the server sends and what the client must send, each line
 * ended by CRLF. */
static inline void sch_split(const char *tr, sch_buf *server, sch_buf *client)
{
    while (*tr) {
        const char *nl = strchr(tr, '\n');
        size_t len = nl ? (size_t)(nl - tr) : strlen(tr);
        sch_buf *b;
        assert_true(len >= 2 && (tr[0] == 'S' || tr[0] == 'C') && tr[1] == ':');
        b = tr[0] == 'S' ? server : client;
        if (len > 3)
            sch_buf_put(b, tr + 3, len - 3);
        sch_buf_put(b, "\r\n", 2);
        tr = nl ? nl + 1 : tr + len;
    }
}

static inline void sch_expect_bytes(const char *what, const char *got, size_t gn,
                             const char *want, size_t wn)
{
    if (gn != wn || memcmp(got, want, wn) != 0) {
        size_t i = 0;
        while (i < gn && i < wn && got[i] == want[i])
            i++;
        print_error("%s differ at byte %zu (got %zu bytes, want %zu)\n"
                    "  got:  %.*s\n  want: %.*s\n",
                    what, i, gn, wn, (int)(gn - i < 200 ? gn - i : 200),
                    got + i, (int)(wn - i < 200 ? wn - i : 200), want + i);
        fail_msg("%s differ", what);
    }
}

/* Feed `server` through replay_check (every chunking the same events),
 * then once whole: the client must have sent exactly `want`. The log of
 * the whole run is left in `whole` (caller inits/frees). */
static inline void sch_run(sch *t, const char *server, size_t sn, const char *want,
                    size_t wn, evlog *whole)
{
    replay_check(&sch_ops, t, server, sn, whole);
    replay_run(&sch_ops, t, server, sn, NULL, 0, whole);
    if (getenv("SCH_DUMP") != NULL)
        fprintf(stderr, "---- log\n%s---- out\n%s\n", evlog_str(whole),
                t->out.p ? t->out.p : "");
    if (want != NULL)
        sch_expect_bytes("client output", t->out.p ? t->out.p : "", t->out.n,
                         want, wn);
}

/* A transcript run: the client lines of `tr` must be exactly what the
 * client sends when the server lines are fed to it. */
static inline void sch_transcript(sch *t, const char *tr, evlog *whole)
{
    sch_buf s = {0}, c = {0};
    sch_split(tr, &s, &c);
    sch_run(t, s.p, s.n, c.p, c.n, whole);
    sch_buf_free(&s);
    sch_buf_free(&c);
}

static inline int sch_has(const evlog *log, const char *needle)
{
    return strstr(evlog_str(log), needle) != NULL;
}

#define SCH_HAS(log, s)                                                      \
    do {                                                                     \
        if (!sch_has((log), (s))) {                                          \
            print_error("log lacks: %s\n--- log:\n%s\n", (s), evlog_str(log)); \
            fail();                                                          \
        }                                                                    \
    } while (0)

#define SCH_LACKS(log, s)                                                    \
    do {                                                                     \
        if (sch_has((log), (s))) {                                           \
            print_error("log has: %s\n--- log:\n%s\n", (s), evlog_str(log)); \
            fail();                                                          \
        }                                                                    \
    } while (0)

#endif
