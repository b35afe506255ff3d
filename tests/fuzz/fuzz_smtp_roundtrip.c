/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the SMTP client and server machines against each
 * other (what one formats, the other parses back to the same values).
 *
 * Input: byte 0 picks the mode, the rest is a script read field by field
 * (a field runs to the next 0xFF byte; numbers are read as raw bytes).
 *
 *  mode 0, commands: a client and a server connected in memory, EHLO
 *    done. Each step picks a command (EHLO, HELO, MAIL with typed and
 *    extra parameters, RCPT with DSN parameters, VRFY, EXPN, HELP, ETRN,
 *    RSET, AUTH PLAIN / LOGIN / XOAUTH2 / OAUTHBEARER, DATA or BDAT with a
 *    body, QUIT) with arguments from the input. When the client formats
 *    it (MW_OK), its bytes must be CRLF lines of at most 512 octets; the
 *    server must take the line without any error and hand over exactly
 *    the values given: domain, mailbox, SIZE, BODY, RET, ENVID and AUTH=
 *    (xtext-decoded), MT-PRIORITY, NOTIFY, ORCPT, the unknown parameters,
 *    the SASL credentials (decoded with sasl.h's server-side parsers),
 *    the message body normalised (bare CR / LF as CRLF).
 *  mode 1, replies: the server's application answers HELP with random
 *    codes and texts, multi-line or not (reply_more / reply). When the
 *    server sends it, the client must read the same code, line count and
 *    texts; when the server refuses it (MW_E_INVAL, MW_E_TOO_LONG),
 *    nothing may have been sent. Also the greeting text and SASL
 *    challenges of random bytes (334, decoded back by the client).
 *  mode 2, EHLO: a server config with random extensions, SIZE limit, AUTH
 *    mechanisms, extra EHLO lines and implicit TLS; the client's
 *    capabilities after EHLO must hold every extension offered, the SIZE
 *    number and every mechanism.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/codec.h"
#include "mailwire/features.h"
#include "mailwire/sasl.h"
#include "mailwire/smtp.h"

#define FZ_SCRIPT
#include "fuzz_util.h"

static int span_eq(mw_span s, const void *p, size_t n)
{
    return s.len == n && (n == 0 || memcmp(s.ptr, p, n) == 0);
}

static mw_span cs(const char *s)
{
    mw_span x;
    x.ptr = s;
    x.len = strlen(s);
    return x;
}

/* ---- the pair --------------------------------------------------------- */

typedef struct seen {
    int verb;
    unsigned n;     /* commands handed over */
    buf arg, mailbox, envid, auth, orcpt, orcpt_type, decoded;
    unsigned mail_present, rcpt_present, notify, path_flags;
    int body, ret, mt_priority, has_initial;
    uint64_t size;
    size_t nparams;
    buf pname[4], pvalue[4];
} seen;

typedef struct pair {
    mw_smtp_server s;
    mw_smtp_server_config scfg;
    char sline[MW_SMTP_SERVER_LINEBUF_FOR(4096)];
    mw_smtp_client c;
    mw_smtp_client_config ccfg;
    char cline[MW_SMTP_CLIENT_LINEBUF_SIZE];
    char authbuf[4096];
    buf c2s, s2c;          /* bytes in flight */
    size_t c2s_at, s2c_at; /* how far each was fed */
    seen last;
    buf data, resp;
    unsigned serrors, ends, auth_responses;
    int end_status, server_closed;
    /* mode 1: the answer to HELP */
    unsigned more, code;
    mw_span texts[4];
    int reply_rc[4];
    unsigned sent_lines;
    /* client side */
    unsigned creplies, clines, cerrors;
    unsigned rcode, rlines;
    int rcmd;
    buf rtext, ltext[8], challenge;
    int client_dead;
    int auth_final; /* 235 or 535 */
    int login_step;
    mw_span chal;     /* mode 1: the challenge the server sends */
    int use_chal, chal_rc;
    unsigned challenges;
    int binary; /* the last MAIL had BODY=BINARYMIME: data goes unchanged */
} pair;

static pair P;
static int debug = -1; /* RT_DEBUG=1 in the environment: print each step */

static void copy_params(seen *w, const mw_smtp_cmd *c)
{
    size_t i;
    w->nparams = c->nparams;
    for (i = 0; i < c->nparams && i < 4; i++) {
        set(&w->pname[i], c->params[i].name.ptr, c->params[i].name.len);
        set(&w->pvalue[i], c->params[i].value.ptr, c->params[i].value.len);
    }
}

static int s_send(mw_smtp_server *s, void *u, const char *p, size_t n)
{
    pair *x = u;
    (void)s;
    put(&x->s2c, p, n);
    return 0;
}

static int s_command(mw_smtp_server *s, void *u, const mw_smtp_cmd *c)
{
    pair *x = u;
    seen *w = &x->last;
    w->verb = (int)c->verb;
    w->n++;
    if (c->verb == MW_SMTP_CMD_MAIL)
        x->binary = c->mail.body == MW_SMTP_BODY_BINARYMIME;
    set(&w->arg, c->arg.ptr, c->arg.len);
    set(&w->mailbox, c->path.mailbox.ptr, c->path.mailbox.len);
    w->path_flags = c->path.flags;
    w->mail_present = c->mail.present;
    w->size = c->mail.size;
    w->body = (int)c->mail.body;
    w->ret = (int)c->mail.ret;
    w->mt_priority = c->mail.mt_priority;
    set(&w->envid, c->mail.envid.ptr, c->mail.envid.len);
    set(&w->auth, c->mail.auth.ptr, c->mail.auth.len);
    w->rcpt_present = c->rcpt.present;
    w->notify = c->rcpt.notify;
    set(&w->orcpt, c->rcpt.orcpt.ptr, c->rcpt.orcpt.len);
    set(&w->orcpt_type, c->rcpt.orcpt_type.ptr, c->rcpt.orcpt_type.len);
    copy_params(w, c);
    w->has_initial = c->has_initial;
    set(&w->decoded, c->auth_initial.b64.ptr, c->auth_initial.b64.len);
    if (c->verb == MW_SMTP_CMD_HELP && x->code != 0) {
        /* mode 1: the scripted answer */
        unsigned i;
        int r = MW_OK;
        x->sent_lines = 0;
        for (i = 0; i < x->more; i++) {
            size_t before = x->s2c.n;
            char t[600];
            memcpy(t, x->texts[i].ptr, x->texts[i].len);
            t[x->texts[i].len] = '\0';
            r = mw_smtp_server_reply_more(s, x->code, t);
            x->reply_rc[i] = r;
            if (r != MW_OK) {
                CHECK(x->s2c.n == before); /* refused: nothing sent */
                break;
            }
            x->sent_lines++;
        }
        if (r == MW_OK) {
            size_t before = x->s2c.n;
            char t[600];
            memcpy(t, x->texts[x->more].ptr, x->texts[x->more].len);
            t[x->texts[x->more].len] = '\0';
            r = mw_smtp_server_reply(s, x->code, t);
            x->reply_rc[x->more] = r;
            if (r == MW_OK) {
                x->sent_lines++;
                return 0;
            }
            CHECK(x->s2c.n == before);
        }
        if (x->sent_lines > 0)
            return mw_smtp_server_reply(s, x->code, "end");
        return mw_smtp_server_reply_default(s);
    }
    if (c->verb == MW_SMTP_CMD_AUTH) {
        if (c->has_initial)
            return mw_smtp_server_reply(s, (unsigned)x->auth_final, NULL);
        x->login_step = 0;
        if (x->use_chal) {
            size_t before = x->s2c.n;
            x->chal_rc = mw_smtp_server_auth_challenge(s, x->chal.ptr, x->chal.len);
            if (x->chal_rc == MW_OK)
                return 0;
            CHECK(x->s2c.n == before);
            return mw_smtp_server_reply(s, 535, NULL);
        }
        return mw_smtp_server_auth_challenge(s, "Username:", 9);
    }
    return mw_smtp_server_reply_default(s);
}

static int s_data(mw_smtp_server *s, void *u, const char *p, size_t n)
{
    pair *x = u;
    (void)s;
    put(&x->data, p, n);
    return 0;
}

static int s_data_end(mw_smtp_server *s, void *u, int status)
{
    pair *x = u;
    x->ends++;
    x->end_status = status;
    return status == MW_OK ? mw_smtp_server_reply_default(s) : 0;
}

static int s_auth_response(mw_smtp_server *s, void *u, const mw_smtp_sasl *r)
{
    pair *x = u;
    x->auth_responses++;
    if (x->use_chal)
        return mw_smtp_server_reply(s, 535, NULL);
    if (x->login_step == 0)
        set(&x->resp, r->decoded.ptr, r->decoded.len);
    else
        put(&x->resp, "\0", 1), put(&x->resp, r->decoded.ptr, r->decoded.len);
    if (x->login_step++ == 0)
        return mw_smtp_server_auth_challenge(s, "Password:", 9);
    return mw_smtp_server_reply(s, (unsigned)x->auth_final, NULL);
}

static int s_error(mw_smtp_server *s, void *u, int status, size_t off, const char *reason)
{
    pair *x = u;
    (void)s;
    if (debug > 0)
        fprintf(stderr, "server error %s @%zu %s\n", mw_status_name(status), off, reason);
    x->serrors++;
    return 0;
}

static int c_send(mw_smtp_client *c, void *u, const char *p, size_t n)
{
    pair *x = u;
    (void)c;
    put(&x->c2s, p, n);
    return 0;
}

static int c_reply(mw_smtp_client *c, void *u, const mw_smtp_client_reply *r)
{
    pair *x = u;
    (void)c;
    x->creplies++;
    x->rcode = r->code;
    x->rlines = r->lines;
    x->rcmd = r->cmd;
    set(&x->rtext, r->text.ptr, r->text.len);
    return 0;
}

static int c_reply_line(mw_smtp_client *c, void *u, const mw_smtp_reply_line *l, size_t off)
{
    pair *x = u;
    (void)c;
    (void)off;
    if (x->clines < 8)
        set(&x->ltext[x->clines], l->text.ptr, l->text.len);
    x->clines++;
    return 0;
}

static int c_error(mw_smtp_client *c, void *u, int status, size_t off, const char *reason)
{
    pair *x = u;
    (void)c;
    (void)status;
    (void)off;
    (void)reason;
    x->cerrors++;
    return 0;
}

/* A SASL hook that records the challenges it gets (mode 1): no initial
 * response, then an empty response to every challenge. */
static int rec_step(void *user, const char *ch, size_t clen, char *out, size_t cap,
                    size_t *rlen)
{
    pair *x = user;
    (void)out;
    (void)cap;
    *rlen = 0;
    if (ch == NULL)
        return MW_PAUSED;
    set(&x->challenge, ch, clen);
    x->challenges++;
    return MW_OK;
}

/* Deliver the bytes in flight both ways until both sides are quiet. */
static void pump(pair *x)
{
    int guard = 0;
    while ((x->c2s_at < x->c2s.n || x->s2c_at < x->s2c.n) && guard++ < 64) {
        while (x->c2s_at < x->c2s.n && !x->server_closed) {
            size_t used = 0;
            int r = mw_smtp_server_feed(&x->s, x->c2s.p + x->c2s_at, x->c2s.n - x->c2s_at, &used);
            x->c2s_at += used;
            if (r == MW_DONE || r < 0) {
                x->server_closed = 1;
                x->c2s_at = x->c2s.n;
            }
            if (used == 0)
                break;
        }
        if (x->server_closed)
            x->c2s_at = x->c2s.n;
        while (x->s2c_at < x->s2c.n && !x->client_dead) {
            size_t used = 0;
            int r = mw_smtp_client_feed(&x->c, x->s2c.p + x->s2c_at, x->s2c.n - x->s2c_at, &used);
            x->s2c_at += used;
            if (r == MW_DONE || r < 0) {
                x->client_dead = 1;
                x->s2c_at = x->s2c.n;
            }
            if (used == 0)
                break;
        }
        if (x->client_dead)
            x->s2c_at = x->s2c.n;
    }
}

static void reset_seen(seen *w)
{
    w->verb = -1;
}

static void pair_free(pair *x)
{
    buf *all[] = {&x->c2s, &x->s2c, &x->data, &x->resp, &x->rtext, &x->challenge,
                  &x->last.arg, &x->last.mailbox, &x->last.envid, &x->last.auth,
                  &x->last.orcpt, &x->last.orcpt_type, &x->last.decoded};
    size_t i;
    for (i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]->p);
    for (i = 0; i < 4; i++) {
        free(x->last.pname[i].p);
        free(x->last.pvalue[i].p);
    }
    for (i = 0; i < 8; i++)
        free(x->ltext[i].p);
    memset(x, 0, sizeof *x);
}

/* Set up both machines with x->scfg and x->ccfg; greeting read. */
static int pair_start(pair *x, const char *greeting)
{
    mw_smtp_server_callbacks sc;
    mw_smtp_client_callbacks cc;
    memset(&sc, 0, sizeof sc);
    memset(&cc, 0, sizeof cc);
    sc.send = s_send;
    sc.command = s_command;
    sc.data = s_data;
    sc.data_end = s_data_end;
    sc.auth_response = s_auth_response;
    sc.error = s_error;
    cc.send = c_send;
    cc.reply = c_reply;
    cc.reply_line = c_reply_line;
    cc.error = c_error;
    if (mw_smtp_server_init(&x->s, &x->scfg, &sc, x, x->sline, sizeof x->sline) != MW_OK)
        return 0;
    CHECK(mw_smtp_client_init(&x->c, &x->ccfg, &cc, x, x->cline, sizeof x->cline) == MW_OK);
    if (mw_smtp_server_start(&x->s, greeting) != MW_OK)
        return 0;
    pump(x);
    reset_seen(&x->last);
    return 1;
}


/* ====================================================================
 * Mode 0: commands
 * ==================================================================== */

static void strip(mw_span *s)
{
    if (s->len >= 2 && s->ptr[0] == '<' && s->ptr[s->len - 1] == '>') {
        s->ptr++;
        s->len -= 2;
    }
}

static void mode_commands(rd *r)
{
    pair *x = &P;
    buf want = {0};
    int steps = 0;
    mw_smtp_server_config_init(&x->scfg);
    x->scfg.hostname = "mx.example.org";
    x->scfg.flags = MW_SMTP_SERVER_TLS_ACTIVE;
    x->scfg.extensions |= MW_SMTP_EXT_SIZE | MW_SMTP_EXT_DSN | MW_SMTP_EXT_SMTPUTF8 |
                          MW_SMTP_EXT_AUTH | MW_SMTP_EXT_ETRN | MW_SMTP_EXT_MT_PRIORITY |
                          MW_SMTP_EXT_REQUIRETLS | MW_SMTP_EXT_VRFY | MW_SMTP_EXT_EXPN |
                          MW_SMTP_EXT_HELP |
                          ((byte(r) & 1) ? MW_SMTP_EXT_CHUNKING | MW_SMTP_EXT_BINARYMIME : 0);
    x->scfg.auth_mechanisms = "PLAIN LOGIN XOAUTH2 OAUTHBEARER";
    x->scfg.max_auth_line = 4096;
    x->scfg.max_bad_commands = 1000;
    mw_smtp_client_config_init(&x->ccfg);
    x->ccfg.tls_active = 1;
    x->ccfg.auth_buf = x->authbuf;
    x->ccfg.auth_buf_len = sizeof x->authbuf;
    if (!pair_start(x, NULL))
        return;
    CHECK(mw_smtp_client_ehlo(&x->c, cs("client.example")) == MW_OK);
    pump(x);
    CHECK(mw_smtp_client_caps(&x->c)->ext & MW_SMTP_EXT_DSN);
    while (r->n > 0 && steps++ < 24 && !x->client_dead && !x->server_closed) {
        unsigned k = byte(r) % 15;
        size_t from = x->c2s.n, errs = x->serrors;
        unsigned before = x->last.n;
        int rc = MW_E_STATE;
        mw_span a = field(r, 300), b, d;
        mw_smtp_mail_params mp;
        mw_smtp_rcpt_params rp;
        mw_smtp_param extra[3];
        size_t nextra = 0, i;
        unsigned long ext = mw_smtp_client_caps(&x->c)->ext; /* before the call */
        reset_seen(&x->last);
        memset(&mp, 0, sizeof mp);
        memset(&rp, 0, sizeof rp);
        x->auth_final = (byte(r) & 1) ? 235 : 535;
        switch (k) {
        case 0:
            rc = mw_smtp_client_ehlo(&x->c, a);
            break;
        case 1:
            rc = mw_smtp_client_helo(&x->c, a);
            break;
        case 2: {
            unsigned bits = byte(r);
            mp.present = bits & (MW_SMTP_MAIL_SIZE | MW_SMTP_MAIL_BODY | MW_SMTP_MAIL_SMTPUTF8 |
                                 MW_SMTP_MAIL_RET | MW_SMTP_MAIL_ENVID | MW_SMTP_MAIL_AUTH |
                                 MW_SMTP_MAIL_REQUIRETLS | MW_SMTP_MAIL_MT_PRIORITY);
            mp.size = num(r, byte(r) % 9);
            mp.body = (mw_smtp_body)(byte(r) % 4);
            mp.ret = (mw_smtp_ret)(byte(r) % 3);
            mp.mt_priority = (int)(byte(r) % 21) - 10;
            mp.envid = field(r, 120);
            mp.auth = field(r, 120);
            nextra = byte(r) % 3;
            for (i = 0; i < nextra; i++) {
                extra[i].name = field(r, 40);
                extra[i].value = field(r, 60);
            }
            rc = mw_smtp_client_mail_ext(&x->c, a, &mp, extra, nextra);
            break;
        }
        case 3: {
            rp.present = byte(r) & (MW_SMTP_RCPT_NOTIFY | MW_SMTP_RCPT_ORCPT);
            rp.notify = byte(r) & 0x0f;
            rp.orcpt_type = field(r, 30);
            rp.orcpt = field(r, 120);
            nextra = byte(r) % 2;
            for (i = 0; i < nextra; i++) {
                extra[i].name = field(r, 40);
                extra[i].value = field(r, 60);
            }
            rc = mw_smtp_client_rcpt_ext(&x->c, a, &rp, extra, nextra);
            break;
        }
        case 4: rc = mw_smtp_client_vrfy(&x->c, a); break;
        case 5: rc = mw_smtp_client_expn(&x->c, a); break;
        case 6: rc = mw_smtp_client_help(&x->c, a); break;
        case 7: rc = mw_smtp_client_etrn(&x->c, a); break;
        case 8: rc = mw_smtp_client_rset(&x->c); break;
        case 9:
            b = field(r, 300);
            d = field(r, 300);
            rc = mw_smtp_client_auth_plain(&x->c, a, b, d);
            break;
        case 10:
            b = field(r, 300);
            rc = mw_smtp_client_auth_login(&x->c, a, b);
            break;
        case 11:
            b = field(r, 300);
            rc = mw_smtp_client_auth_xoauth2(&x->c, a, b);
            break;
        case 12:
            b = field(r, 100);
            d = field(r, 300);
            rc = mw_smtp_client_auth_oauthbearer(&x->c, a, b, (unsigned)num(r, 2), d);
            break;
        case 13:
            /* a message: DATA (or BDAT), the body, the end */
            rc = mw_smtp_client_data(&x->c);
            if (rc == MW_OK) {
                size_t ends = x->ends;
                x->data.n = 0;
                pump(x);
                if (mw_smtp_client_want(&x->c) & MW_SMTP_CLIENT_WANT_BODY) {
                    size_t cut = a.len ? byte(r) % (a.len + 1) : 0;
                    size_t wfrom = x->c2s.n;
                    int w1 = mw_smtp_client_write(&x->c, a.ptr, cut);
                    int w2 = w1 == MW_OK ? mw_smtp_client_write_last(&x->c, a.ptr + cut,
                                                                     a.len - cut)
                                         : w1;
                    if (w2 == MW_OK) {
                        pump(x);
                        if (x->ends == ends + 1 && x->end_status == MW_OK) {
                            if (x->binary)
                                set(&want, a.ptr, a.len);
                            else
                                norm(a.ptr, a.len, &want);
                            if (!(x->data.n == want.n &&
                                  (want.n == 0 || memcmp(x->data.p, want.p, want.n) == 0))) {
                                fprintf(stderr, "body: sent %zu bytes, server got %zu, want %zu\n",
                                        a.len, x->data.n, want.n);
                                CHECK(0);
                            }
                        }
                        (void)wfrom;
                    }
                }
                continue;
            }
            break;
        default:
            rc = mw_smtp_client_quit(&x->c);
            break;
        }
        if (debug > 0)
            fprintf(stderr, "step %u: %s\n", k, mw_status_name(rc));
        if (rc != MW_OK) {
            CHECK(x->c2s.n == from); /* refused: nothing sent */
            continue;
        }
        check_lines(&x->c2s, from, k >= 9 && k <= 12 ? 12288 : 512);
        x->resp.n = 0;
        pump(x);
        /* the server took what the client formatted, without complaint */
        if (x->serrors != errs) {
            fprintf(stderr, "server refused: %.*s\n", (int)(x->c2s.n - from), x->c2s.p + from);
            CHECK(0);
        }
        if (k == 8 || k == 14)
            continue;
        CHECK(x->last.n == before + 1);
        switch (k) {
        case 0:
        case 1:
            CHECK(x->last.verb == (k == 0 ? MW_SMTP_CMD_EHLO : MW_SMTP_CMD_HELO));
            CHECK(eq(&x->last.arg, a.ptr, a.len));
            break;
        case 2:
            CHECK(x->last.verb == MW_SMTP_CMD_MAIL);
            strip(&a);
            CHECK(eq(&x->last.mailbox, a.ptr, a.len));
            {
                /* a typed parameter with the value NONE is not written */
                unsigned asked = mp.present;
                if (mp.body == MW_SMTP_BODY_NONE)
                    asked &= ~MW_SMTP_MAIL_BODY;
                if (mp.ret == MW_SMTP_RET_NONE)
                    asked &= ~MW_SMTP_MAIL_RET;
                /* left out when the extension is not offered (after HELO) */
                if (!(ext & MW_SMTP_EXT_SIZE))
                    asked &= ~MW_SMTP_MAIL_SIZE;
                if (mp.body == MW_SMTP_BODY_7BIT && !(ext & MW_SMTP_EXT_8BITMIME))
                    asked &= ~MW_SMTP_MAIL_BODY; /* 7BIT is the default anyway */
                if (!(ext & MW_SMTP_EXT_DSN))
                    asked &= ~(MW_SMTP_MAIL_RET | MW_SMTP_MAIL_ENVID);
                if (!(ext & MW_SMTP_EXT_AUTH))
                    asked &= ~MW_SMTP_MAIL_AUTH;
                if (!(ext & MW_SMTP_EXT_MT_PRIORITY))
                    asked &= ~MW_SMTP_MAIL_MT_PRIORITY;
                mp.present = asked;
                if ((x->last.mail_present & asked) != asked) {
                    fprintf(stderr, "MAIL parameters asked %x, server got %x: %s", asked,
                            x->last.mail_present, x->c2s.p + from);
                    CHECK(0);
                }
            }
            if (mp.present & MW_SMTP_MAIL_SIZE)
                CHECK(x->last.size == mp.size);
            if ((mp.present & MW_SMTP_MAIL_BODY) && mp.body != MW_SMTP_BODY_NONE)
                CHECK(x->last.body == (int)mp.body);
            if ((mp.present & MW_SMTP_MAIL_RET) && mp.ret != MW_SMTP_RET_NONE)
                CHECK(x->last.ret == (int)mp.ret);
            if (mp.present & MW_SMTP_MAIL_MT_PRIORITY)
                CHECK(x->last.mt_priority == mp.mt_priority);
            if (mp.present & MW_SMTP_MAIL_ENVID)
                CHECK(eq(&x->last.envid, mp.envid.ptr, mp.envid.len));
            if (mp.present & MW_SMTP_MAIL_AUTH)
                CHECK(eq(&x->last.auth, mp.auth.ptr, mp.auth.len));
            CHECK(x->last.nparams == nextra);
            for (i = 0; i < nextra && i < 4; i++) {
                CHECK(eq(&x->last.pname[i], extra[i].name.ptr, extra[i].name.len));
                CHECK(eq(&x->last.pvalue[i], extra[i].value.ptr, extra[i].value.len));
            }
            break;
        case 3:
            CHECK(x->last.verb == MW_SMTP_CMD_RCPT);
            strip(&a);
            CHECK(eq(&x->last.mailbox, a.ptr, a.len));
            if (!(ext & MW_SMTP_EXT_DSN))
                rp.present = 0; /* left out without DSN */
            CHECK((x->last.rcpt_present & rp.present) == rp.present);
            if (rp.present & MW_SMTP_RCPT_NOTIFY)
                CHECK(x->last.notify == rp.notify);
            if (rp.present & MW_SMTP_RCPT_ORCPT) {
                CHECK(eq(&x->last.orcpt, rp.orcpt.ptr, rp.orcpt.len));
                if (rp.orcpt_type.len > 0)
                    CHECK(eq(&x->last.orcpt_type, rp.orcpt_type.ptr, rp.orcpt_type.len));
            }
            CHECK(x->last.nparams == nextra);
            for (i = 0; i < nextra && i < 4; i++) {
                CHECK(eq(&x->last.pname[i], extra[i].name.ptr, extra[i].name.len));
                CHECK(eq(&x->last.pvalue[i], extra[i].value.ptr, extra[i].value.len));
            }
            break;
        case 4:
        case 5:
        case 6:
        case 7:
            CHECK(eq(&x->last.arg, a.ptr, a.len));
            break;
        case 9: {
            char scratch[1024];
            mw_span z, u, p;
            CHECK(x->last.verb == MW_SMTP_CMD_AUTH && x->last.has_initial);
            CHECK(mw_sasl_plain_decode(x->last.decoded.p, x->last.decoded.n, 1000, scratch,
                                       sizeof scratch, &z, &u, &p, NULL) == MW_OK);
            CHECK(span_eq(z, a.ptr, a.len) && span_eq(u, b.ptr, b.len) &&
                  span_eq(p, d.ptr, d.len));
            break;
        }
        case 10: {
            buf w = {0};
            CHECK(x->last.verb == MW_SMTP_CMD_AUTH);
            CHECK(x->auth_responses >= 2);
            put(&w, a.ptr, a.len);
            put(&w, "\0", 1);
            put(&w, b.ptr, b.len);
            CHECK(eq(&x->resp, w.p, w.n));
            free(w.p);
            break;
        }
        case 11: {
            char scratch[1024];
            mw_span u, t;
            CHECK(x->last.verb == MW_SMTP_CMD_AUTH && x->last.has_initial);
            CHECK(mw_sasl_xoauth2_parse(x->last.decoded.p, x->last.decoded.n, scratch,
                                        sizeof scratch, &u, &t, NULL) == MW_OK);
            CHECK(span_eq(u, a.ptr, a.len) && span_eq(t, b.ptr, b.len));
            break;
        }
        case 12: {
            char scratch[1024];
            mw_span z, h, t;
            unsigned port = 0;
            CHECK(x->last.verb == MW_SMTP_CMD_AUTH && x->last.has_initial);
            CHECK(mw_sasl_oauthbearer_parse(x->last.decoded.p, x->last.decoded.n, scratch,
                                            sizeof scratch, &z, &h, &port, &t, NULL) == MW_OK);
            CHECK(span_eq(z, a.ptr, a.len) && span_eq(h, b.ptr, b.len) &&
                  span_eq(t, d.ptr, d.len));
            break;
        }
        default:
            break;
        }
        x->auth_responses = 0;
    }
    free(want.p);
}

/* ====================================================================
 * Mode 1: replies
 * ==================================================================== */

static void mode_replies(rd *r)
{
    pair *x = &P;
    char greet[600];
    mw_span g = field(r, 520);
    int steps = 0;
    mw_smtp_server_config_init(&x->scfg);
    x->scfg.hostname = "mx.example.org";
    x->scfg.flags = MW_SMTP_SERVER_TLS_ACTIVE;
    x->scfg.extensions = MW_SMTP_EXT_PIPELINING | MW_SMTP_EXT_AUTH | MW_SMTP_EXT_HELP;
    x->scfg.auth_mechanisms = "X-TEST";
    mw_smtp_client_config_init(&x->ccfg);
    x->ccfg.tls_active = 1;
    memcpy(greet, g.ptr, g.len);
    greet[g.len] = '\0'; /* a NUL inside ends the C string */
    if (!pair_start(x, greet)) {
        /* refused greeting text: nothing may have been sent */
        CHECK(x->s2c.n == 0);
        return;
    }
    /* the greeting reads back */
    CHECK(x->creplies == 1 && x->rcode == 220);
    CHECK(x->rtext.n >= 14 && memcmp(x->rtext.p, "mx.example.org", 14) == 0);
    if (strlen(greet) > 0)
        CHECK(x->rtext.n == 15 + strlen(greet) &&
              memcmp(x->rtext.p + 15, greet, strlen(greet)) == 0);
    CHECK(mw_smtp_client_ehlo(&x->c, cs("client.example")) == MW_OK);
    pump(x);
    while (r->n > 0 && steps++ < 16 && !x->client_dead && !x->server_closed) {
        unsigned i, want_lines;
        unsigned before = x->creplies;
        if (byte(r) % 4 == 0) {
            /* a SASL challenge of random bytes, decoded back by the client */
            x->chal = field(r, 400);
            x->use_chal = 1;
            x->challenges = 0;
            x->chal_rc = MW_E_STATE;
            if (mw_smtp_client_auth_sasl(&x->c, cs("X-TEST"), rec_step, x) != MW_OK)
                return;
            pump(x);
            x->use_chal = 0;
            if (x->client_dead || x->server_closed)
                return;
            if (x->chal_rc == MW_OK) {
                CHECK(x->challenges == 1);
                CHECK(eq(&x->challenge, x->chal.ptr, x->chal.len));
            } else {
                CHECK(x->challenges == 0);
            }
            CHECK(x->rcode == 535);
            continue;
        }
        x->code = (unsigned)num(r, 2) % 420 + 180;
        x->more = byte(r) % 4;
        for (i = 0; i <= x->more; i++) {
            /* the reply functions take C strings: a NUL ends the text */
            const char *nul;
            x->texts[i] = field(r, 520);
            nul = memchr(x->texts[i].ptr, 0, x->texts[i].len);
            if (nul != NULL)
                x->texts[i].len = (size_t)(nul - x->texts[i].ptr);
        }
        x->clines = 0;
        CHECK(mw_smtp_client_help(&x->c, cs("")) == MW_OK);
        pump(x);
        x->code = 0;
        if (x->client_dead || x->server_closed)
            return;
        CHECK(x->creplies == before + 1);
        want_lines = x->sent_lines;
        if (want_lines == x->more + 1) {
            /* everything the application chose was sent: it reads back */
            CHECK(x->rlines == want_lines);
            for (i = 0; i < want_lines && i < 8; i++)
                CHECK(eq(&x->ltext[i], x->texts[i].ptr, x->texts[i].len));
        }
    }
}

/* ====================================================================
 * Mode 2: EHLO capabilities
 * ==================================================================== */

static void mode_ehlo(rd *r)
{
    pair *x = &P;
    static const unsigned long known[] = {
        MW_SMTP_EXT_SIZE,       MW_SMTP_EXT_PIPELINING, MW_SMTP_EXT_8BITMIME,
        MW_SMTP_EXT_STARTTLS,   MW_SMTP_EXT_AUTH,       MW_SMTP_EXT_ENHANCEDSTATUSCODES,
        MW_SMTP_EXT_DSN,        MW_SMTP_EXT_SMTPUTF8,   MW_SMTP_EXT_CHUNKING,
        MW_SMTP_EXT_BINARYMIME, MW_SMTP_EXT_VRFY,       MW_SMTP_EXT_EXPN,
        MW_SMTP_EXT_HELP,       MW_SMTP_EXT_ETRN,       MW_SMTP_EXT_REQUIRETLS,
        MW_SMTP_EXT_MT_PRIORITY};
    char mechs[200], l1[200], l2[200];
    const char *lines[3];
    mw_span m, e1, e2;
    unsigned long want = 0;
    uint32_t bits = (uint32_t)num(r, 4);
    int tls = byte(r) & 1;
    const mw_smtp_caps *caps;
    size_t i;
    mw_smtp_server_config_init(&x->scfg);
    x->scfg.hostname = "mx.example.org";
    x->scfg.flags = tls ? MW_SMTP_SERVER_TLS_ACTIVE : 0;
    x->scfg.extensions = 0;
    for (i = 0; i < sizeof known / sizeof known[0]; i++)
        if (bits & (1u << i))
            x->scfg.extensions |= known[i];
    x->scfg.max_message_size = num(r, byte(r) % 9);
    m = field(r, 150);
    e1 = field(r, 150);
    e2 = field(r, 150);
    memcpy(mechs, m.ptr, m.len);
    mechs[m.len] = '\0';
    memcpy(l1, e1.ptr, e1.len);
    l1[e1.len] = '\0';
    memcpy(l2, e2.ptr, e2.len);
    l2[e2.len] = '\0';
    x->scfg.auth_mechanisms = mechs;
    lines[0] = l1;
    lines[1] = l2;
    lines[2] = NULL;
    x->scfg.ehlo_lines = (e1.len > 0) ? lines : NULL;
    mw_smtp_client_config_init(&x->ccfg);
    x->ccfg.tls_active = tls;
    if (!pair_start(x, NULL))
        return;
    CHECK(mw_smtp_client_ehlo(&x->c, cs("client.example")) == MW_OK);
    pump(x);
    if (x->client_dead)
        return; /* a malformed extra line the server let through: see below */
    caps = mw_smtp_client_caps(&x->c);
    want = x->scfg.extensions;
    if (tls)
        want &= ~MW_SMTP_EXT_STARTTLS;
    else
        want &= ~MW_SMTP_EXT_REQUIRETLS;
#if !MW_ENABLE_SMTP_CHUNKING
    /* compiled out (features.h): configured, never offered */
    want &= ~(MW_SMTP_EXT_CHUNKING | MW_SMTP_EXT_BINARYMIME);
#endif
    if ((caps->ext & want) != want) {
        fprintf(stderr, "offered %lx, client read %lx\n", want, caps->ext);
        CHECK(0);
    }
    if ((want & MW_SMTP_EXT_SIZE) && x->scfg.ehlo_lines == NULL)
        CHECK(caps->size == x->scfg.max_message_size);
    if ((want & MW_SMTP_EXT_AUTH) && x->scfg.ehlo_lines == NULL) {
        /* every mechanism word offered is known to the client */
        const char *p = mechs;
        while (*p) {
            size_t k = 0;
            while (p[k] && p[k] != ' ')
                k++;
            if (k > 0 && !(caps->dropped & MW_SMTP_CAPS_AUTH_DROPPED))
                CHECK(mw_smtp_caps_has_auth(caps, p, k));
            p += k;
            while (*p == ' ')
                p++;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fz_mode modes[3] = {mode_commands, mode_replies, mode_ehlo};
    if (debug < 0)
        debug = getenv("RT_DEBUG") != NULL;
    memset(&P, 0, sizeof P);
    run_script(data, size, 8192, modes, 3);
    pair_free(&P);
    return 0;
}
