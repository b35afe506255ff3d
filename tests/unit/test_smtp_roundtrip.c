/* SPDX-License-Identifier: MIT */
/*
 * SMTP client against SMTP server, in process: the client's `send` goes
 * into the server's input and the server's `send` into the client's input
 * (through two buffers, pumped until both machines are idle).
 *
 * Every command the client formats is parsed back by the server to the
 * values the client was given (paths, every typed MAIL and RCPT
 * parameter including xtext-encoded ones, extra parameters, arguments,
 * SASL initial responses and responses); every reply the server formats
 * is parsed back by the client (EHLO extensions into the capability set,
 * enhanced status codes, multi-line replies, 334 challenges, LMTP
 * per-recipient replies); message data arrives as sent (normalised,
 * unstuffed), through DATA and through BDAT, and binary through
 * BINARYMIME.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "mailwire/features.h"

#if !(MW_ENABLE_SMTP_SERVER && MW_ENABLE_SMTP_CLIENT)
/* tests/CMakeLists.txt builds test_smtp* with either SMTP role; the
 * round trip needs both. */
#include <stdio.h>
int main(void)
{
    printf("smtp_roundtrip: skipped (needs both SMTP roles)\n");
    return 0;
}
#else

#include "core/internal.h"
#include "mailwire/codec.h"
#include "mailwire/sasl.h"
#include "smtp_client_harness.h"

#define S_(lit) lit, sizeof(lit) - 1
#define SPAN(lit) sch_span(lit, sizeof(lit) - 1)

typedef struct rt {
    sch cl;                /* the client side (harness: log, script) */
    mw_smtp_server s;
    char sline[MW_SMTP_SERVER_LINEBUF_FOR(4096)];
    mw_smtp_server_config scfg;
    sch_buf c2s, s2c;
    size_t c2s_off, s2c_off;
    evlog slog;            /* what the server parsed */
    sch_buf data;          /* message data the server received */
    int data_ends;
    unsigned lmtp_owed;
    int lmtp_bad[8];       /* per accepted recipient: refuse at the end */
    unsigned naccepted;
    int sasl_step;
} rt;

/* ---- the server application ---- */

/* One line "tag=value", the value escaped as evlog_escaped() does. */
static void log_span(evlog *log, const char *tag, mw_span s)
{
    char buf[4096];
    size_t i, o = 0;
    for (i = 0; i < s.len && o + 5 < sizeof buf; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c == '\r' || c == '\n' || c == '\t' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = c == '\r' ? 'r' : c == '\n' ? 'n' : c == '\t' ? 't' : '\\';
        } else if (c < 0x20 || c >= 0x7f) {
            o += (size_t)snprintf(buf + o, sizeof buf - o, "\\x%02x", c);
        } else {
            buf[o++] = (char)c;
        }
    }
    buf[o] = '\0';
    evlog_printf(log, "%s=%s", tag, buf);
}

static int srv_send(mw_smtp_server *s, void *u, const char *p, size_t n)
{
    rt *t = u;
    (void)s;
    sch_buf_put(&t->s2c, p, n);
    return 0;
}

static void log_path(evlog *log, const mw_smtp_path *p)
{
    evlog_printf(log, "  path flags=%03x", p->flags);
    log_span(log, "  mailbox", p->mailbox);
    log_span(log, "  local", p->local);
    log_span(log, "  domain", p->domain);
}

static int srv_command(mw_smtp_server *s, void *u, const mw_smtp_cmd *cmd)
{
    rt *t = u;
    evlog *log = &t->slog;
    size_t i;
    evlog_printf(log, "S %s", mw_smtp_verb_name(cmd->verb));
    switch (cmd->verb) {
    case MW_SMTP_CMD_MAIL:
        log_path(log, &cmd->path);
        evlog_printf(log, "  present=%02x size=%llu body=%d ret=%d mtp=%d",
                     cmd->mail.present, (unsigned long long)cmd->mail.size,
                     (int)cmd->mail.body, (int)cmd->mail.ret,
                     cmd->mail.mt_priority);
        log_span(log, "  envid", cmd->mail.envid);
        log_span(log, "  auth", cmd->mail.auth);
        for (i = 0; i < cmd->nparams; i++) {
            log_span(log, "  param", cmd->params[i].name);
            log_span(log, "  value", cmd->params[i].value);
        }
        t->naccepted = 0;
        return mw_smtp_server_reply_default(s);
    case MW_SMTP_CMD_RCPT:
        log_path(log, &cmd->path);
        evlog_printf(log, "  present=%02x notify=%02x", cmd->rcpt.present,
                     cmd->rcpt.notify);
        log_span(log, "  orcpt_type", cmd->rcpt.orcpt_type);
        log_span(log, "  orcpt", cmd->rcpt.orcpt);
        for (i = 0; i < cmd->nparams; i++) {
            log_span(log, "  param", cmd->params[i].name);
            log_span(log, "  value", cmd->params[i].value);
        }
        if (cmd->path.local.len >= 3 && memcmp(cmd->path.local.ptr, "bad", 3) == 0)
            return mw_smtp_server_reply(s, 550, "5.1.1 no such user");
        if (t->naccepted < 8)
            t->lmtp_bad[t->naccepted] =
                cmd->path.local.len >= 5 &&
                memcmp(cmd->path.local.ptr, "quota", 5) == 0;
        t->naccepted++;
        return mw_smtp_server_reply_default(s);
    case MW_SMTP_CMD_AUTH: {
        char scratch[1024];
        mw_span a, b, c;
        log_span(log, "  mech", cmd->arg);
        evlog_printf(log, "  initial=%d", cmd->has_initial);
        t->sasl_step = 0;
        if (mw__span_ieq(cmd->arg, "PLAIN")) {
            if (mw_sasl_plain_decode(cmd->auth_initial.b64.ptr,
                                     cmd->auth_initial.b64.len, 1000, scratch,
                                     sizeof scratch, &a, &b, &c, NULL) != MW_OK)
                return mw_smtp_server_reply(s, 501, "5.5.2 bad PLAIN");
            log_span(log, "  authzid", a);
            log_span(log, "  user", b);
            log_span(log, "  pass", c);
            return mw_smtp_server_reply(s, 235, "2.7.0 ok");
        }
        if (mw__span_ieq(cmd->arg, "XOAUTH2")) {
            if (mw_sasl_xoauth2_parse(cmd->auth_initial.b64.ptr,
                                      cmd->auth_initial.b64.len, scratch,
                                      sizeof scratch, &a, &b, NULL) != MW_OK)
                return mw_smtp_server_reply(s, 501, "5.5.2 bad XOAUTH2");
            log_span(log, "  user", a);
            log_span(log, "  token", b);
            return mw_smtp_server_reply(s, 235, "2.7.0 ok");
        }
        if (mw__span_ieq(cmd->arg, "OAUTHBEARER")) {
            unsigned port = 0;
            if (mw_sasl_oauthbearer_parse(cmd->auth_initial.b64.ptr,
                                          cmd->auth_initial.b64.len, scratch,
                                          sizeof scratch, &a, &b, &port, &c,
                                          NULL) != MW_OK)
                return mw_smtp_server_reply(s, 501, "5.5.2 bad OAUTHBEARER");
            log_span(log, "  authzid", a);
            log_span(log, "  host", b);
            evlog_printf(log, "  port=%u", port);
            log_span(log, "  token", c);
            return mw_smtp_server_reply(s, 235, "2.7.0 ok");
        }
        if (mw__span_ieq(cmd->arg, "LOGIN"))
            return mw_smtp_server_auth_challenge(s, "Username:", 9);
        if (cmd->has_initial)
            log_span(log, "  ir", cmd->auth_initial.decoded);
        return mw_smtp_server_auth_challenge(s, "chal\0\r\n-1", 9);
    }
    case MW_SMTP_CMD_STARTTLS:
        return mw_smtp_server_reply(s, 220, "2.0.0 go ahead");
    case MW_SMTP_CMD_VRFY:
        log_span(log, "  arg", cmd->arg);
        return mw_smtp_server_reply(s, 252, "2.1.5 will try");
    case MW_SMTP_CMD_HELP:
        log_span(log, "  arg", cmd->arg);
        mw_smtp_server_reply_more(s, 214, "2.0.0 line one");
        mw_smtp_server_reply_more(s, 214, "2.0.0 line two");
        return mw_smtp_server_reply(s, 214, "2.0.0 end of HELP");
    default:
        log_span(log, "  arg", cmd->arg);
        return mw_smtp_server_reply_default(s);
    }
}

static int srv_auth_response(mw_smtp_server *s, void *u, const mw_smtp_sasl *r)
{
    rt *t = u;
    log_span(&t->slog, "  response", r->decoded);
    switch (t->sasl_step++) {
    case 0:
        return mw_smtp_server_auth_challenge(s, "Password:", 9);
    default:
        return mw_smtp_server_reply(s, 235, "2.7.0 ok");
    }
}

static int srv_data(mw_smtp_server *s, void *u, const char *p, size_t n)
{
    rt *t = u;
    (void)s;
    sch_buf_put(&t->data, p, n);
    return 0;
}

static int srv_data_end(mw_smtp_server *s, void *u, int status)
{
    rt *t = u;
    unsigned i;
    t->data_ends++;
    evlog_printf(&t->slog, "S end %s", mw_status_name(status));
    if (status != MW_OK)
        return 0;
    if (!(t->scfg.flags & MW_SMTP_SERVER_LMTP))
        return mw_smtp_server_reply(s, 250, "2.0.0 queued");
    for (i = 0; i < t->naccepted; i++) {
        int rc = (i < 8 && t->lmtp_bad[i])
                     ? mw_smtp_server_reply(s, 452, "4.2.2 over quota")
                     : mw_smtp_server_reply(s, 250, "2.0.0 delivered");
        if (rc != MW_OK)
            return rc;
    }
    return 0;
}

static int srv_error(mw_smtp_server *s, void *u, int st, size_t off,
                     const char *why)
{
    rt *t = u;
    (void)s;
    evlog_printf(&t->slog, "S error %s @%zu %s", mw_status_name(st), off, why);
    return 0;
}

/* ---- the wire ---- */

static int cl_send(mw_smtp_client *c, void *user, const char *p, size_t n)
{
    rt *t = user;
    (void)c;
    sch_buf_put(&t->c2s, p, n);
    if (!t->cl.quiet_data)
        evlog_data(t->cl.log, "C", p, n);
    return 0;
}

/* Move bytes both ways until nothing moves; do the TLS handshake when
 * both sides wait for it. */
static void pump(rt *t)
{
    int moved;
    do {
        size_t used = 0;
        int rc;
        moved = 0;
        if (t->c2s_off < t->c2s.n) {
            rc = mw_smtp_server_feed(&t->s, t->c2s.p + t->c2s_off,
                                     t->c2s.n - t->c2s_off, &used);
            assert_true(rc >= 0);
            t->c2s_off += used;
            moved |= used > 0;
        }
        if (t->s2c_off < t->s2c.n) {
            rc = mw_smtp_client_feed(&t->cl.c, t->s2c.p + t->s2c_off,
                                     t->s2c.n - t->s2c_off, &used);
            if (rc < 0) {
                mw_error e;
                mw_smtp_client_error(&t->cl.c, &e);
                fail_msg("client feed: %s (%s @%zu)\n%s", mw_status_name(rc),
                         e.reason, e.offset, evlog_str(&t->cl.own));
            }
            t->s2c_off += used;
            moved |= used > 0;
        }
        if ((mw_smtp_client_want(&t->cl.c) & MW_SMTP_CLIENT_WANT_TLS) &&
            (mw_smtp_server_want(&t->s) & MW_SMTP_SERVER_WANT_TLS)) {
            assert_int_equal(mw_smtp_server_tls_done(&t->s), MW_OK);
            assert_int_equal(mw_smtp_client_tls_done(&t->cl.c), MW_OK);
            moved = 1;
        }
    } while (moved);
}

static const char *const srv_auth_mechs = "PLAIN LOGIN XOAUTH2 OAUTHBEARER X-TEST";
static const char *const srv_extra_lines[] = {"X-EXTRA alpha beta", "LIMITS RCPTMAX=50",
                                              NULL};

static void rt_start(rt *t, unsigned long ext, unsigned sflags)
{
    mw_smtp_server_callbacks scb;
    mw_smtp_client_callbacks ccb;
    sch_buf_free(&t->c2s);
    sch_buf_free(&t->s2c);
    sch_buf_free(&t->data);
    t->c2s_off = t->s2c_off = 0;
    t->data_ends = 0;
    t->naccepted = 0;
    evlog_reset(&t->slog);
    evlog_reset(&t->cl.own);
    /* The server. */
    mw_smtp_server_config_init(&t->scfg);
    t->scfg.extensions = ext;
    t->scfg.flags = sflags;
    t->scfg.hostname = "mx.example";
    t->scfg.auth_mechanisms = srv_auth_mechs;
    t->scfg.ehlo_lines = srv_extra_lines;
    t->scfg.max_message_size = 10000000;
    t->scfg.max_auth_line = 4096;
    memset(&scb, 0, sizeof scb);
    scb.send = srv_send;
    scb.command = srv_command;
    scb.data = srv_data;
    scb.data_end = srv_data_end;
    scb.auth_response = srv_auth_response;
    scb.error = srv_error;
    assert_int_equal(mw_smtp_server_init(&t->s, &t->scfg, &scb, t, t->sline,
                                         sizeof t->sline),
                     MW_OK);
    /* The client (the harness's callbacks, our wire). */
    memset(&ccb, 0, sizeof ccb);
    ccb.send = cl_send;
    ccb.reply = sch_reply;
    ccb.error = sch_error;
    ccb.done = sch_done;
    t->cl.log = &t->cl.own;
    t->cl.nreplies = 0;
    t->cl.ndone = 0;
    if (sflags & MW_SMTP_SERVER_LMTP)
        t->cl.cfg.lmtp = 1;
    if (sflags & MW_SMTP_SERVER_TLS_ACTIVE)
        t->cl.cfg.tls_active = 1;
    /* The harness's callbacks take their user pointer as `sch *`: `cl` is
     * rt's first member, so `t` serves both them and cl_send. */
    assert_int_equal(mw_smtp_client_init(&t->cl.c, &t->cl.cfg, &ccb, t,
                                         t->cl.line, sizeof t->cl.line),
                     MW_OK);
    assert_int_equal(mw_smtp_server_start(&t->s, "ESMTP ready"), MW_OK);
    pump(t);
}

#define ALL_EXT                                                              \
    (MW_SMTP_EXT_SIZE | MW_SMTP_EXT_PIPELINING | MW_SMTP_EXT_8BITMIME |      \
     MW_SMTP_EXT_STARTTLS | MW_SMTP_EXT_AUTH |                               \
     MW_SMTP_EXT_ENHANCEDSTATUSCODES | MW_SMTP_EXT_DSN |                     \
     MW_SMTP_EXT_SMTPUTF8 | MW_SMTP_EXT_CHUNKING | MW_SMTP_EXT_BINARYMIME |  \
     MW_SMTP_EXT_ETRN | MW_SMTP_EXT_VRFY | MW_SMTP_EXT_REQUIRETLS |          \
     MW_SMTP_EXT_MT_PRIORITY)

static void rt_setup(rt *t)
{
    memset(t, 0, sizeof(*t));
    sch_setup(&t->cl);
    evlog_init(&t->slog);
}

static void rt_teardown(rt *t)
{
    sch_buf_free(&t->c2s);
    sch_buf_free(&t->s2c);
    sch_buf_free(&t->data);
    evlog_free(&t->slog);
    sch_teardown(&t->cl);
}

#define SLOG_HAS(t, s)                                                       \
    do {                                                                     \
        if (!sch_has(&(t)->slog, (s))) {                                     \
            print_error("server log lacks: %s\n--- server log:\n%s\n--- client:\n%s\n", \
                        (s), evlog_str(&(t)->slog), evlog_str(&(t)->cl.own)); \
            fail();                                                          \
        }                                                                    \
    } while (0)

#define SLOG_LACKS(t, s) assert_false(sch_has(&(t)->slog, (s)))

static void ehlo(rt *t, const char *name)
{
    assert_int_equal(mw_smtp_client_ehlo(&t->cl.c, sch_span(name, strlen(name))),
                     MW_OK);
    pump(t);
}

/* ====================================================================
 * Replies: the server's EHLO reply read back as a capability set
 * ==================================================================== */

static void test_rt_ehlo_caps(void **state)
{
    rt t;
    const mw_smtp_caps *caps;
    size_t pos = 0;
    mw_span k, p;
    unsigned long want;
    (void)state;
    rt_setup(&t);
    rt_start(&t, ALL_EXT, 0);
    SCH_HAS(&t.cl.own, "R GREETING 220");
    ehlo(&t, "client.example");
    SCH_HAS(&t.cl.own, "R EHLO 250");
    caps = mw_smtp_client_caps(&t.cl.c);
    /* REQUIRETLS is offered only under TLS (RFC 8689 §4). */
    want = ALL_EXT & ~(unsigned long)MW_SMTP_EXT_REQUIRETLS;
#if !MW_ENABLE_SMTP_CHUNKING
    /* compiled out (features.h): configured, never offered */
    want &= ~(unsigned long)(MW_SMTP_EXT_CHUNKING | MW_SMTP_EXT_BINARYMIME);
#endif
    assert_int_equal(caps->ext & ~(unsigned long)MW_SMTP_EXT_LIMITS, want);
    assert_true(caps->size == 10000000);
    assert_int_equal(caps->auth, MW_SMTP_AUTH_PLAIN | MW_SMTP_AUTH_LOGIN |
                                     MW_SMTP_AUTH_XOAUTH2 |
                                     MW_SMTP_AUTH_OAUTHBEARER);
    assert_true(mw_smtp_caps_has_auth(caps, S_("X-TEST")));
    assert_true(mw_smtp_caps_next(caps, &pos, &k, &p));
    assert_int_equal(k.len, 7);
    assert_memory_equal(k.ptr, "X-EXTRA", 7);
    assert_int_equal(p.len, 10);
    assert_memory_equal(p.ptr, "alpha beta", 10);
    assert_true(mw_smtp_caps_has(caps, S_("limits")));
    /* After STARTTLS: the client forgets, sends EHLO again, and the
     * server's new list (no STARTTLS, REQUIRETLS now) is read. */
    assert_int_equal(mw_smtp_client_starttls(&t.cl.c), MW_OK);
    pump(&t);
    SLOG_HAS(&t, "S STARTTLS");
    caps = mw_smtp_client_caps(&t.cl.c);
    assert_int_equal(caps->ext & MW_SMTP_EXT_STARTTLS, 0);
    assert_true(caps->ext & MW_SMTP_EXT_REQUIRETLS);
    SLOG_HAS(&t, "S EHLO\n  arg=client.example\nS STARTTLS\nS EHLO");
    /* Address literals go through EHLO both ways. */
    ehlo(&t, "[192.0.2.1]");
    SLOG_HAS(&t, "arg=[192.0.2.1]");
    ehlo(&t, "[IPv6:2001:db8::1]");
    SLOG_HAS(&t, "arg=[IPv6:2001:db8::1]");
    rt_teardown(&t);
}

/* ====================================================================
 * Commands: formatted by the client, parsed back by the server
 * ==================================================================== */

static void test_rt_mail_rcpt_values(void **state)
{
    rt t;
    mw_smtp_mail_params mp;
    mw_smtp_rcpt_params rp;
    mw_smtp_param x[2];
    (void)state;
    rt_setup(&t);
    rt_start(&t, ALL_EXT, MW_SMTP_SERVER_TLS_ACTIVE);
    ehlo(&t, "client.example");

    /* Every typed MAIL parameter, with xtext that needs encoding. */
    memset(&mp, 0, sizeof mp);
    mp.present = MW_SMTP_MAIL_SIZE | MW_SMTP_MAIL_BODY | MW_SMTP_MAIL_RET |
                 MW_SMTP_MAIL_ENVID | MW_SMTP_MAIL_AUTH |
                 MW_SMTP_MAIL_REQUIRETLS | MW_SMTP_MAIL_MT_PRIORITY |
                 MW_SMTP_MAIL_SMTPUTF8;
    mp.size = 123456;
    mp.body = MW_SMTP_BODY_8BITMIME;
    mp.ret = MW_SMTP_RET_FULL;
    mp.envid = SPAN("QQ+x=1 2\xc3\xa9");
    mp.auth = SPAN("e+f=g@b.example");
    mp.mt_priority = -4;
    x[0].name = SPAN("X-ONE");
    x[0].value = SPAN("v1");
    x[1].name = SPAN("X-TWO");
    x[1].value = SPAN("");
    assert_int_equal(mw_smtp_client_mail_ext(&t.cl.c,
                                             SPAN("\"john doe\"@[192.0.2.7]"),
                                             &mp, x, 2),
                     MW_OK);
    pump(&t);
    SLOG_HAS(&t, "S MAIL\n  path flags=01c\n"
                 "  mailbox=\"john doe\"@[192.0.2.7]\n"
                 "  local=\"john doe\"\n  domain=[192.0.2.7]\n"
                 "  present=ff size=123456 body=2 ret=1 mtp=-4\n"
                 "  envid=QQ+x=1 2\\xc3\\xa9\n  auth=e+f=g@b.example\n"
                 "  param=X-ONE\n  value=v1\n  param=X-TWO\n  value=\n");
    SCH_HAS(&t.cl.own, "R MAIL 250");
    SCH_HAS(&t.cl.own, "esc 2.1.0");

    /* RCPT: NOTIFY, ORCPT with a type, UTF-8 and literal addresses,
     * Postmaster; one refused. */
    memset(&rp, 0, sizeof rp);
    rp.present = MW_SMTP_RCPT_NOTIFY | MW_SMTP_RCPT_ORCPT;
    rp.notify = MW_SMTP_NOTIFY_FAILURE | MW_SMTP_NOTIFY_DELAY;
    rp.orcpt_type = SPAN("rfc822");
    rp.orcpt = SPAN("a+b=c@d.example");
    assert_int_equal(mw_smtp_client_rcpt_ext(&t.cl.c,
                                             SPAN("\xc3\xa9l\xc3\xa8ve@\xc3\xa9" "cole.example"),
                                             &rp, x, 1),
                     MW_OK);
    rp.present = MW_SMTP_RCPT_NOTIFY;
    rp.notify = MW_SMTP_NOTIFY_NEVER;
    assert_int_equal(mw_smtp_client_rcpt(&t.cl.c, SPAN("<bad@[IPv6:2001:db8::7]>"),
                                         &rp),
                     MW_OK);
    assert_int_equal(mw_smtp_client_rcpt(&t.cl.c, SPAN("postmaster"), NULL), MW_OK);
    pump(&t);
    SLOG_HAS(&t, "S RCPT\n  path flags=080\n"
                 "  mailbox=\\xc3\\xa9l\\xc3\\xa8ve@\\xc3\\xa9cole.example\n"
                 "  local=\\xc3\\xa9l\\xc3\\xa8ve\n  domain=\\xc3\\xa9cole.example\n"
                 "  present=03 notify=0c\n  orcpt_type=rfc822\n"
                 "  orcpt=a+b=c@d.example\n  param=X-ONE\n  value=v1\n");
    SLOG_HAS(&t, "S RCPT\n  path flags=028\n  mailbox=bad@[IPv6:2001:db8::7]\n"
                 "  local=bad\n  domain=[IPv6:2001:db8::7]\n"
                 "  present=01 notify=01\n");
    SLOG_HAS(&t, "S RCPT\n  path flags=002\n  mailbox=postmaster\n");
    SCH_HAS(&t.cl.own, "R RCPT 250 i=0");
    SCH_HAS(&t.cl.own, "R RCPT 550 i=1");
    SCH_HAS(&t.cl.own, "esc 5.1.1");
    SCH_HAS(&t.cl.own, "R RCPT 250 i=2");

    /* Null reverse-path, BODY=7BIT, RET=HDRS, AUTH=<>. */
    assert_int_equal(mw_smtp_client_rset(&t.cl.c), MW_OK);
    memset(&mp, 0, sizeof mp);
    mp.present = MW_SMTP_MAIL_BODY | MW_SMTP_MAIL_RET | MW_SMTP_MAIL_AUTH;
    mp.body = MW_SMTP_BODY_7BIT;
    mp.ret = MW_SMTP_RET_HDRS;
    mp.auth = SPAN("<>");
    assert_int_equal(mw_smtp_client_mail(&t.cl.c, SPAN(""), &mp), MW_OK);
    pump(&t);
    SLOG_HAS(&t, "S MAIL\n  path flags=001\n  mailbox=\n  local=\n  domain=\n"
                 "  present=2a size=0 body=1 ret=2 mtp=0\n  envid=\n  auth=<>\n");

    /* Session commands with arguments. */
    assert_int_equal(mw_smtp_client_rset(&t.cl.c), MW_OK);
    pump(&t);
    assert_int_equal(mw_smtp_client_vrfy(&t.cl.c, SPAN("John Smith")), MW_OK);
    pump(&t);
    assert_int_equal(mw_smtp_client_etrn(&t.cl.c, SPAN("@queue.example")), MW_OK);
    pump(&t);
    assert_int_equal(mw_smtp_client_help(&t.cl.c, SPAN("MAIL")), MW_OK);
    pump(&t);
    assert_int_equal(mw_smtp_client_noop(&t.cl.c), MW_OK);
    pump(&t);
    assert_int_equal(mw_smtp_client_expn(&t.cl.c, SPAN("staff")), MW_OK);
    pump(&t);
    SLOG_HAS(&t, "S VRFY\n  arg=John Smith\n");
    SLOG_HAS(&t, "S ETRN\n  arg=@queue.example\n");
    SLOG_HAS(&t, "S HELP\n  arg=MAIL\n");
    SLOG_HAS(&t, "S EXPN\n  arg=staff\n");
    SCH_HAS(&t.cl.own, "R VRFY 252");
    SCH_HAS(&t.cl.own, "R HELP 214 i=0 n=3");
    SCH_HAS(&t.cl.own, "R NOOP 250");
    SCH_HAS(&t.cl.own, "R EXPN 502");
    assert_int_equal(mw_smtp_client_quit(&t.cl.c), MW_OK);
    pump(&t);
    SCH_HAS(&t.cl.own, "R QUIT 221");
    assert_int_equal(mw_smtp_client_want(&t.cl.c), MW_SMTP_CLIENT_WANT_CLOSED);
    assert_true(mw_smtp_server_want(&t.s) & MW_SMTP_SERVER_WANT_CLOSED);
    rt_teardown(&t);
}

/* ---- AUTH both ways ---- */

static int rt_hook(void *user, const char *ch, size_t clen, char *out,
                   size_t cap, size_t *rlen)
{
    rt *t = user;
    static const char ir[] = "initial\0resp";
    if (ch == NULL) {
        memcpy(out, ir, sizeof ir - 1);
        *rlen = sizeof ir - 1;
        return MW_OK;
    }
    evlog_printf(&t->cl.own, "hook challenge");
    evlog_escaped(&t->cl.own, ch, clen);
    evlog_printf(&t->cl.own, "hook end");
    assert_true(cap >= 4);
    if (clen > 0 && ch[0] == 'c') {
        memcpy(out, "r\r\n1", 4);
        *rlen = 4;
    } else {
        memcpy(out, "r2", 2);
        *rlen = 2;
    }
    return MW_OK;
}

static void test_rt_auth(void **state)
{
    rt t;
    (void)state;
    rt_setup(&t);
    rt_start(&t, ALL_EXT, MW_SMTP_SERVER_TLS_ACTIVE);
    ehlo(&t, "client.example");
    assert_int_equal(mw_smtp_client_auth_plain(&t.cl.c, SPAN("boss"),
                                               SPAN("us\xc3\xa9r"),
                                               SPAN("p a s s")),
                     MW_OK);
    pump(&t);
    SLOG_HAS(&t, "  mech=PLAIN\n  initial=1\n  authzid=boss\n"
                 "  user=us\\xc3\\xa9r\n  pass=p a s s\n");
    SCH_HAS(&t.cl.own, "R AUTH 235");

    rt_start(&t, ALL_EXT, MW_SMTP_SERVER_TLS_ACTIVE);
    ehlo(&t, "client.example");
    assert_int_equal(mw_smtp_client_auth_login(&t.cl.c, SPAN("user@b.example"),
                                               SPAN("s3cret")),
                     MW_OK);
    pump(&t);
    SLOG_HAS(&t, "  mech=LOGIN\n  initial=0\n  response=user@b.example\n"
                 "  response=s3cret\n");
    SCH_HAS(&t.cl.own, "R AUTH 235");

    rt_start(&t, ALL_EXT, MW_SMTP_SERVER_TLS_ACTIVE);
    ehlo(&t, "client.example");
#if MW_ENABLE_SASL_OAUTH
    assert_int_equal(mw_smtp_client_auth_xoauth2(&t.cl.c, SPAN("a@b.example"),
                                                 SPAN("ya29.a0Af-_~+/=")),
                     MW_OK);
    pump(&t);
    SLOG_HAS(&t, "  mech=XOAUTH2\n  initial=1\n  user=a@b.example\n"
                 "  token=ya29.a0Af-_~+/=\n");

    rt_start(&t, ALL_EXT, MW_SMTP_SERVER_TLS_ACTIVE);
    ehlo(&t, "client.example");
    assert_int_equal(mw_smtp_client_auth_oauthbearer(&t.cl.c, SPAN("a,b=c@d.example"),
                                                     SPAN("mx.example"), 587,
                                                     SPAN("tok-en")),
                     MW_OK);
    pump(&t);
    SLOG_HAS(&t, "  mech=OAUTHBEARER\n  initial=1\n  authzid=a,b=c@d.example\n"
                 "  host=mx.example\n  port=587\n  token=tok-en\n");
#else
    /* compiled out (features.h): refused by the client, the server sees
     * no AUTH at all */
    assert_int_equal(mw_smtp_client_auth_xoauth2(&t.cl.c, SPAN("a@b.example"),
                                                 SPAN("ya29.a0Af-_~+/=")),
                     MW_E_UNSUPPORTED);
    assert_int_equal(mw_smtp_client_auth_oauthbearer(&t.cl.c, SPAN("a@b.example"),
                                                     SPAN("mx.example"), 587,
                                                     SPAN("tok-en")),
                     MW_E_UNSUPPORTED);
    pump(&t);
    SLOG_LACKS(&t, "S AUTH");
#endif

    /* A generic mechanism: initial response and two challenges carrying
     * NUL, CR and LF both ways. */
    rt_start(&t, ALL_EXT, MW_SMTP_SERVER_TLS_ACTIVE);
    ehlo(&t, "client.example");
    assert_int_equal(mw_smtp_client_auth_sasl(&t.cl.c, SPAN("X-TEST"), rt_hook, &t),
                     MW_OK);
    pump(&t);
    SLOG_HAS(&t, "  mech=X-TEST\n  initial=1\n  ir=initial\\x00resp\n"
                 "  response=r\\r\\n1\n  response=r2\n");
    SCH_HAS(&t.cl.own, "hook challenge\nchal\\x00\\r\\n-1");
    SCH_HAS(&t.cl.own, "hook challenge\nPassword:");
    SCH_HAS(&t.cl.own, "R AUTH 235");
    rt_teardown(&t);
}

/* ---- message data both ways ---- */

/* What the server must receive: bare CR and LF as CRLF, a final CRLF
 * added when missing (the client's normalisation). */
static void normalise(const char *p, size_t n, sch_buf *out)
{
    int start = 1;
    size_t i;
    for (i = 0; i < n; i++) {
        if (p[i] == '\r' || p[i] == '\n') {
            if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
                i++;
            sch_buf_put(out, "\r\n", 2);
            start = 1;
            continue;
        }
        sch_buf_put(out, p + i, 1);
        start = 0;
    }
    if (!start)
        sch_buf_put(out, "\r\n", 2);
}

static void test_rt_data(void **state)
{
    static const char *const bodies[] = {
        "", "x", ".\r\n", "..\r\n.\r\n", "Subject: t\r\n\r\n.hidden\r\n..two\r\n",
        "a\n.\nb", "a\r.\rb\r\n.\r\n", "end without crlf", "\r\n.\r\n\r\n",
        "caf\xc3\xa9\r\n\x80\xff\r\n",
    };
    rt t;
    size_t b, k;
    int chunk;
    uint32_t x = 7;
    (void)state;
    rt_setup(&t);
    t.cl.quiet_data = 1;
    for (chunk = 0; chunk < 2; chunk++) {
        unsigned long ext = ALL_EXT & ~(unsigned long)(chunk ? 0 : MW_SMTP_EXT_CHUNKING);
        for (b = 0; b < sizeof bodies / sizeof bodies[0]; b++) {
            const char *body = bodies[b];
            size_t n = strlen(body);
            for (k = 1; k <= 7; k += 3) {
                sch_buf want = {0};
                size_t pos = 0;
                rt_start(&t, ext, 0);
                ehlo(&t, "client.example");
                assert_int_equal(mw_smtp_client_mail(&t.cl.c, SPAN("a@b.example"),
                                                     NULL),
                                 MW_OK);
                assert_int_equal(mw_smtp_client_rcpt(&t.cl.c, SPAN("c@d.example"),
                                                     NULL),
                                 MW_OK);
                assert_int_equal(mw_smtp_client_data(&t.cl.c), MW_OK);
                pump(&t);
                assert_true(mw_smtp_client_want(&t.cl.c) &
                            MW_SMTP_CLIENT_WANT_BODY);
                while (pos < n) {
                    size_t m = n - pos < k ? n - pos : k;
                    assert_int_equal(mw_smtp_client_write(&t.cl.c, body + pos, m),
                                     MW_OK);
                    pos += m;
                    pump(&t);
                }
                assert_int_equal(mw_smtp_client_finish(&t.cl.c), MW_OK);
                pump(&t);
                normalise(body, n, &want);
                sch_expect_bytes("received data", t.data.p ? t.data.p : "",
                                 t.data.n, want.p ? want.p : "", want.n);
                assert_int_equal(t.data_ends, 1);
                SLOG_HAS(&t, "S end MW_OK");
                SCH_HAS(&t.cl.own, "R MESSAGE 250");
                sch_buf_free(&want);
            }
        }
    }

    /* BINARYMIME: any bytes, exactly. */
    {
        char bin[3000];
        size_t i;
        mw_smtp_mail_params mp;
        for (i = 0; i < sizeof bin; i++) {
            x = x * 1103515245u + 12345u;
            bin[i] = (char)(x >> 16);
        }
        memcpy(bin + 100, "\r\n.\r\n", 5);
        memcpy(bin + 200, "\n.\n", 3);
        rt_start(&t, ALL_EXT, 0);
        ehlo(&t, "client.example");
        memset(&mp, 0, sizeof mp);
        mp.present = MW_SMTP_MAIL_BODY;
        mp.body = MW_SMTP_BODY_BINARYMIME;
#if !MW_ENABLE_SMTP_CHUNKING
        /* compiled out (features.h): no BDAT, so no BINARYMIME either */
        assert_int_equal(mw_smtp_client_mail(&t.cl.c, SPAN("a@b.example"), &mp),
                         MW_E_UNSUPPORTED);
        pump(&t);
        SLOG_LACKS(&t, "S MAIL");
#else
        assert_int_equal(mw_smtp_client_mail(&t.cl.c, SPAN("a@b.example"), &mp),
                         MW_OK);
        assert_int_equal(mw_smtp_client_rcpt(&t.cl.c, SPAN("c@d.example"), NULL),
                         MW_OK);
        assert_int_equal(mw_smtp_client_data(&t.cl.c), MW_OK);
        assert_int_equal(mw_smtp_client_write(&t.cl.c, bin, 1000), MW_OK);
        assert_int_equal(mw_smtp_client_write(&t.cl.c, bin + 1000, 1), MW_OK);
        assert_int_equal(mw_smtp_client_write_last(&t.cl.c, bin + 1001, 1999),
                         MW_OK);
        pump(&t);
        sch_expect_bytes("binary data", t.data.p, t.data.n, bin, sizeof bin);
        SCH_HAS(&t.cl.own, "R BDAT 250 i=0");
        SCH_HAS(&t.cl.own, "R BDAT 250 i=1");
        SCH_HAS(&t.cl.own, "R MESSAGE 250");
#endif
    }
    rt_teardown(&t);
}

/* ---- LMTP and the transaction helper ---- */

static const char *const lmtp_rcpts[] = {"pat@foo.example", "bad@foo.example",
                                         "quota@foo.example", "green@foo.example"};

static void test_rt_lmtp(void **state)
{
    static const char body[] = "Subject: lmtp\r\n\r\nhello\r\n";
    rt t;
    mw_smtp_client_message m;
    int chunk;
    (void)state;
    rt_setup(&t);
    for (chunk = 0; chunk < 2; chunk++) {
        rt_start(&t,
                 MW_SMTP_EXT_PIPELINING | MW_SMTP_EXT_ENHANCEDSTATUSCODES |
                     (chunk ? MW_SMTP_EXT_CHUNKING : 0),
                 MW_SMTP_SERVER_LMTP);
        memset(&m, 0, sizeof m);
        m.ehlo_domain = "client.example";
        m.from = "chris@bar.example";
        m.rcpt = lmtp_rcpts;
        m.rcpt_count = 4;
        m.body = body;
        m.body_len = sizeof body - 1;
        assert_int_equal(mw_smtp_client_send_message(&t.cl.c, &m), MW_OK);
        pump(&t);
        SCH_HAS(&t.cl.own, "R LHLO 250");
        SCH_HAS(&t.cl.own, "R RCPT 550 i=1");
        SCH_HAS(&t.cl.own, "R MESSAGE 250 i=0");
        SCH_HAS(&t.cl.own, "R MESSAGE 452 i=1");
        SCH_HAS(&t.cl.own, "R MESSAGE 250 i=2");
        SCH_HAS(&t.cl.own, "DONE MW_OK cmd=MESSAGE code=250 acc=3 rej=1 dlv=2");
        sch_expect_bytes("received data", t.data.p, t.data.n, body, sizeof body - 1);
        evlog_reset(&t.cl.own);
    }
    rt_teardown(&t);
}

static void test_rt_helper(void **state)
{
    static const char body[] = "From: dev@example.com\r\nSubject: h\r\n\r\n"
                               ".line\r\nbare\nlf\r\n\xc3\xa9t\xc3\xa9";
    static const char *const rcpts[] = {"ops@example.com", "bad@example.com",
                                        "\xc3\xa9@example.com"};
    rt t;
    mw_smtp_client_message m;
    sch_buf want = {0};
    unsigned long exts[3] = {
        ALL_EXT,
        ALL_EXT & ~(unsigned long)(MW_SMTP_EXT_CHUNKING | MW_SMTP_EXT_PIPELINING),
        ALL_EXT & ~(unsigned long)MW_SMTP_EXT_CHUNKING,
    };
    int i;
    (void)state;
    rt_setup(&t);
    normalise(body, sizeof body - 1, &want);
    for (i = 0; i < 3; i++) {
        rt_start(&t, exts[i], 0);
        memset(&m, 0, sizeof m);
        m.ehlo_domain = "client.example";
        m.tls = MW_SMTP_CLIENT_TLS_REQUIRED;
        m.auth = MW_SMTP_CLIENT_AUTH_AUTO;
        m.user = "dev@example.com";
        m.secret = "pw";
        m.from = "dev@example.com";
        m.rcpt = rcpts;
        m.rcpt_count = 3;
        m.body = body;
        m.body_len = sizeof body - 1;
        assert_int_equal(mw_smtp_client_send_message(&t.cl.c, &m), MW_OK);
        pump(&t);
        SLOG_HAS(&t, "S STARTTLS");
        SLOG_HAS(&t, "  mech=PLAIN\n  initial=1\n  authzid=\n"
                     "  user=dev@example.com\n  pass=pw\n");
        /* SIZE, BODY=8BITMIME and SMTPUTF8 added because needed. */
        SLOG_HAS(&t, "S MAIL\n  path flags=000\n  mailbox=dev@example.com\n");
        SLOG_HAS(&t, "present=07 size=");
        SCH_HAS(&t.cl.own, "DONE MW_OK cmd=MESSAGE code=250 acc=2 rej=1 dlv=2");
        sch_expect_bytes("received data", t.data.p, t.data.n, want.p, want.n);
        assert_int_equal(mw_smtp_client_want(&t.cl.c), MW_SMTP_CLIENT_WANT_CLOSED);
        evlog_reset(&t.cl.own);
    }
    sch_buf_free(&want);
    rt_teardown(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rt_ehlo_caps),
        cmocka_unit_test(test_rt_mail_rcpt_values),
        cmocka_unit_test(test_rt_auth),
        cmocka_unit_test(test_rt_data),
        cmocka_unit_test(test_rt_lmtp),
        cmocka_unit_test(test_rt_helper),
    };
    return cmocka_run_group_tests_name("smtp_roundtrip", tests, NULL, NULL);
}

#endif /* both roles */
