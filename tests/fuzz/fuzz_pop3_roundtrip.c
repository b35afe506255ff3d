/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the POP3 client and server machines against each
 * other (what one formats, the other parses back to the same values).
 *
 * Input: byte 0 picks the mode, the rest is a script read field by field
 * (a field runs to the next 0xFF byte; numbers are raw bytes).
 *
 *  mode 0, commands: a client and a server connected in memory, the
 *    greeting carrying an APOP timestamp made of input bytes. Each step
 *    picks a command (USER, PASS, APOP, STAT, LIST, RETR, DELE, TOP,
 *    UIDL, NOOP, RSET, UTF8, LANG, AUTH PLAIN / LOGIN / XOAUTH2 / a hook
 *    mechanism, QUIT) with arguments from the input. When the client
 *    formats it (MW_OK) its bytes must be CRLF lines, the server must take
 *    them without any error and hand over the same values: names,
 *    passwords, message numbers, line counts, the APOP digest (checked
 *    with mw_pop3_server_apop_check() and the same secret), the SASL
 *    credentials (base64-decoded by the test), the LANG range (echoed
 *    back as the tag of the +OK, which the client must read back).
 *  mode 1, answers: the server's application answers with random +OK /
 *    -ERR, response codes and texts, STAT and LIST / UIDL values, listing
 *    lines and RETR / TOP bodies written in two pieces. When the server
 *    sends an answer (MW_OK), the client must read the same status, code,
 *    text, numbers, uids, listing entries and body (bare CR and LF as
 *    CRLF); when it refuses one, nothing may have been sent.
 *  mode 2, CAPA: a server config with random options, SASL mechanisms,
 *    IMPLEMENTATION, EXPIRE and LOGIN-DELAY strings; after CAPA the
 *    client's capability set must hold every capability the server
 *    listed, with the same numbers.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/codec.h"
#include "mailwire/pop3.h"
#include "mailwire/sasl.h"

#define FZ_SCRIPT
#include "fuzz_util.h"

/* A field as a C string (a NUL inside ends it), in `out` of 600 bytes. */
static const char *cfield(rd *r, char *out, size_t max)
{
    mw_span s = field(r, max);
    const char *nul = memchr(s.ptr, 0, s.len);
    size_t n = nul != NULL ? (size_t)(nul - s.ptr) : s.len;
    memcpy(out, s.ptr, n);
    out[n] = '\0';
    return out;
}

/* ---- the pair --------------------------------------------------------- */

typedef struct pair {
    mw_pop3_server s;
    mw_pop3_server_config scfg;
    char sline[MW_POP3_SERVER_LINEBUF_SIZE];
    mw_pop3_client c;
    mw_pop3_client_config ccfg;
    char cline[MW_POP3_CLIENT_LINEBUF_SIZE];
    buf c2s, s2c;
    size_t c2s_at, s2c_at;
    int server_closed, client_dead;
    unsigned serrors, cerrors;
    /* the server's view */
    unsigned ncmd;
    int id;
    unsigned cflags;
    uint32_t msg, lines;
    buf arg, arg2, sasl, mech; /* sasl: the decoded responses, NUL-joined */
    unsigned nresp;
    const char *secret;
    size_t slen;
    int apop_rc;
    /* mode 1: how the application answers */
    rd *script;
    int manual;
    /* the client's view */
    unsigned creplies, ends, nlist;
    mw_pop3_reply last;
    buf rtext, rcode_text, ruid, rlang, body;
    uint32_t lmsg[4];
    uint64_t loct[4];
    buf luid[4];
} pair;

static pair P;
static int debug = -1; /* RT_DEBUG=1 in the environment: print each step */

static int s_send(mw_pop3_server *s, void *u, const char *p, size_t n)
{
    pair *x = u;
    (void)s;
    put(&x->s2c, p, n);
    return 0;
}

static int s_command(mw_pop3_server *s, void *u, const mw_pop3_cmd *c)
{
    pair *x = u;
    x->ncmd++;
    x->id = c->id;
    if (debug > 0)
        fprintf(stderr, "  server got %s%s [%.*s] [%.*s]\n", mw_pop3_cmd_name(c->id),
                c->id == MW_POP3_CMD_AUTH_RESPONSE ? "(response)" : "", (int)c->arg.len,
                c->arg.ptr, (int)c->arg2.len, c->arg2.ptr);
    x->cflags = c->flags;
    x->msg = c->msg;
    x->lines = c->lines;
    set(&x->arg, c->arg.ptr, c->arg.len);
    set(&x->arg2, c->arg2.ptr, c->arg2.len);
    if (x->manual)
        return 0;
    switch (c->id) {
    case MW_POP3_CMD_APOP:
        x->apop_rc = mw_pop3_server_apop_check(s, x->secret, x->slen);
        return mw_pop3_server_reply(s, x->apop_rc == MW_OK, 0, NULL);
    case MW_POP3_CMD_STAT:
        return mw_pop3_server_reply_stat(s, 1, 1);
    case MW_POP3_CMD_LIST:
    case MW_POP3_CMD_UIDL:
    case MW_POP3_CMD_RETR:
    case MW_POP3_CMD_TOP:
        return mw_pop3_server_reply(s, 0, 0, "no such message");
    case MW_POP3_CMD_AUTH:
        /* record the credentials (decoded), then fail the exchange */
        x->sasl.n = 0;
        x->nresp = 0;
        set(&x->mech, c->arg.ptr, c->arg.len);
        if (c->flags & MW_POP3_CMDF_HAS_IR) {
            char d[4096];
            size_t dl = 0;
            CHECK(mw_base64_decode(c->arg2.ptr, c->arg2.len, d, sizeof d, &dl, 0, NULL) ==
                  MW_OK);
            set(&x->sasl, d, dl);
            x->nresp = 1;
            if (eq(&x->mech, "LOGIN", 5))
                return mw_pop3_server_auth_challenge(s, "Password:", 9);
            return mw_pop3_server_reply(s, 0, MW_POP3_RC_AUTH, NULL);
        }
        return mw_pop3_server_auth_challenge(s, NULL, 0);
    case MW_POP3_CMD_LANG: {
        /* RFC 6856 §3.2: a range that is a tag comes back as the tag */
        char tag[300];
        if (!(c->flags & MW_POP3_CMDF_HAS_RANGE)) {
            CHECK(mw_pop3_server_reply_begin(s, NULL) == MW_OK);
            CHECK(mw_pop3_server_lang_listing(s, "en", "English") == MW_OK);
            return mw_pop3_server_reply_end(s);
        }
        CHECK(c->arg.len < sizeof tag);
        memcpy(tag, c->arg.ptr, c->arg.len);
        tag[c->arg.len] = '\0';
        return mw_pop3_server_reply_lang(s, strcmp(tag, "*") == 0 ? "en" : tag, "ok");
    }
    case MW_POP3_CMD_AUTH_RESPONSE: {
        char d[4096];
        size_t dl = 0;
        CHECK(mw_base64_decode(c->arg.ptr, c->arg.len, d, sizeof d, &dl, 0, NULL) == MW_OK);
        if (x->nresp++ > 0)
            put(&x->sasl, "\0", 1);
        put(&x->sasl, d, dl);
        if (eq(&x->mech, "LOGIN", 5) && x->nresp < 2)
            return mw_pop3_server_auth_challenge(s, "Password:", 9);
        return mw_pop3_server_reply(s, 0, MW_POP3_RC_AUTH, NULL);
    }
    default:
        return mw_pop3_server_reply(s, 1, 0, NULL);
    }
}

static int s_error(mw_pop3_server *s, void *u, int status, size_t off, const char *reason)
{
    pair *x = u;
    (void)s;
    (void)status;
    (void)off;
    (void)reason;
    x->serrors++;
    return 0;
}

static int c_send(mw_pop3_client *c, void *u, const char *p, size_t n)
{
    pair *x = u;
    (void)c;
    put(&x->c2s, p, n);
    return 0;
}

static int c_reply(mw_pop3_client *c, void *u, const mw_pop3_reply *r)
{
    pair *x = u;
    (void)c;
    x->creplies++;
    x->last = *r;
    set(&x->rtext, r->text.ptr, r->text.len);
    set(&x->rcode_text, r->code_text.ptr, r->code_text.len);
    set(&x->ruid, r->uid.ptr, r->uid.len);
    set(&x->rlang, r->lang.ptr, r->lang.len);
    return 0;
}

static int c_listing(mw_pop3_client *c, void *u, const mw_pop3_listing *l)
{
    pair *x = u;
    (void)c;
    if (x->nlist < 4) {
        x->lmsg[x->nlist] = l->msg;
        x->loct[x->nlist] = l->octets;
        set(&x->luid[x->nlist], l->uid.ptr, l->uid.len);
    }
    x->nlist++;
    return 0;
}

static int c_data(mw_pop3_client *c, void *u, const char *p, size_t n)
{
    pair *x = u;
    (void)c;
    put(&x->body, p, n);
    return 0;
}

static int c_end(mw_pop3_client *c, void *u, int cmd)
{
    pair *x = u;
    (void)c;
    (void)cmd;
    x->ends++;
    return 0;
}

static int c_error(mw_pop3_client *c, void *u, int status, size_t off, const char *reason)
{
    pair *x = u;
    (void)c;
    (void)status;
    (void)off;
    (void)reason;
    x->cerrors++;
    return 0;
}

static void pump(pair *x)
{
    int guard = 0;
    while ((x->c2s_at < x->c2s.n || x->s2c_at < x->s2c.n) && guard++ < 64) {
        while (x->c2s_at < x->c2s.n && !x->server_closed) {
            size_t used = 0;
            int r = mw_pop3_server_feed(&x->s, x->c2s.p + x->c2s_at, x->c2s.n - x->c2s_at, &used);
            x->c2s_at += used;
            if (r == MW_DONE || r < 0)
                x->server_closed = 1;
            if (used == 0)
                break;
        }
        if (x->server_closed)
            x->c2s_at = x->c2s.n;
        while (x->s2c_at < x->s2c.n && !x->client_dead) {
            size_t used = 0;
            int r = mw_pop3_client_feed(&x->c, x->s2c.p + x->s2c_at, x->s2c.n - x->s2c_at, &used);
            x->s2c_at += used;
            if (r == MW_DONE || r < 0)
                x->client_dead = 1;
            if (used == 0)
                break;
        }
        if (x->client_dead)
            x->s2c_at = x->s2c.n;
    }
}

static int pair_start(pair *x, const char *id, const char *stamp)
{
    mw_pop3_server_callbacks sc;
    mw_pop3_client_callbacks cc;
    memset(&sc, 0, sizeof sc);
    memset(&cc, 0, sizeof cc);
    sc.send = s_send;
    sc.command = s_command;
    sc.error = s_error;
    cc.send = c_send;
    cc.reply = c_reply;
    cc.listing = c_listing;
    cc.data = c_data;
    cc.end = c_end;
    cc.error = c_error;
    if (mw_pop3_server_init(&x->s, &x->scfg, &sc, x, x->sline, sizeof x->sline) != MW_OK)
        return 0;
    CHECK(mw_pop3_client_init(&x->c, &x->ccfg, &cc, x, x->cline, sizeof x->cline) == MW_OK);
    if (id != NULL) {
        if (mw_pop3_server_start_apop(&x->s, "ready", id, stamp, "pop.example.org") != MW_OK) {
            CHECK(x->s2c.n == 0);
            CHECK(mw_pop3_server_start(&x->s, "ready") == MW_OK);
        }
    } else {
        CHECK(mw_pop3_server_start(&x->s, "ready") == MW_OK);
    }
    pump(x);
    return 1;
}

static void pair_free(pair *x)
{
    buf *all[] = {&x->c2s, &x->s2c, &x->arg, &x->arg2, &x->sasl, &x->mech, &x->rtext,
                  &x->rcode_text, &x->ruid, &x->rlang, &x->body};
    size_t i;
    for (i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]->p);
    for (i = 0; i < 4; i++)
        free(x->luid[i].p);
    memset(x, 0, sizeof *x);
}

static int hook_step(void *user, const char *ch, size_t clen, char *out, size_t cap,
                     size_t *rlen)
{
    mw_span *resp = user;
    (void)ch;
    (void)clen;
    if (resp->len > cap)
        return MW_E_NOSPACE;
    memcpy(out, resp->ptr, resp->len);
    *rlen = resp->len;
    return ch == NULL ? MW_OK : MW_DONE;
}

/* ====================================================================
 * Mode 0: commands
 * ==================================================================== */

static void mode_commands(rd *r)
{
    pair *x = &P;
    char id[80], stamp[80];
    int steps = 0;
    mw_pop3_server_config_init(&x->scfg);
    x->scfg.flags |= MW_POP3_SERVER_APOP | MW_POP3_SERVER_UTF8 | MW_POP3_SERVER_UTF8_USER |
                     MW_POP3_SERVER_TLS_ACTIVE | MW_POP3_SERVER_LANG;
    x->scfg.sasl = "PLAIN LOGIN XOAUTH2 X-TEST";
    x->scfg.max_bad_commands = 0;
    mw_pop3_client_config_init(&x->ccfg);
    x->ccfg.flags = MW_POP3_CLIENT_TLS_ACTIVE;
    cfield(r, id, 60);
    cfield(r, stamp, 60);
    if (!pair_start(x, id, stamp))
        return;
    while (r->n > 0 && steps++ < 24 && !x->client_dead && !x->server_closed) {
        unsigned k = byte(r) % 18;
        size_t from = x->c2s.n, errs = x->serrors;
        unsigned before = x->ncmd;
        uint32_t m = (uint32_t)num(r, byte(r) % 5), l = (uint32_t)num(r, byte(r) % 5);
        mw_span a = field(r, 300), b = field(r, 300), d;
        int rc;
        x->sasl.n = 0;
        switch (k) {
        case 0: rc = mw_pop3_client_user(&x->c, a.ptr, a.len); break;
        case 1: rc = mw_pop3_client_pass(&x->c, a.ptr, a.len); break;
        case 2:
            x->secret = b.ptr;
            x->slen = b.len;
            x->apop_rc = MW_E_STATE;
            rc = mw_pop3_client_apop(&x->c, a.ptr, a.len, b.ptr, b.len);
            break;
        case 3: rc = mw_pop3_client_stat(&x->c); break;
        case 4: rc = mw_pop3_client_list(&x->c, m); break;
        case 5: rc = mw_pop3_client_retr(&x->c, m); break;
        case 6: rc = mw_pop3_client_dele(&x->c, m); break;
        case 7: rc = mw_pop3_client_top(&x->c, m, l); break;
        case 8: rc = mw_pop3_client_uidl(&x->c, m); break;
        case 9: rc = mw_pop3_client_noop(&x->c); break;
        case 10: rc = mw_pop3_client_rset(&x->c); break;
        case 11: rc = mw_pop3_client_utf8(&x->c); break;
        case 12:
            d = field(r, 300);
            rc = mw_pop3_client_auth_plain(&x->c, a.ptr, a.len, b.ptr, b.len, d.ptr, d.len);
            break;
        case 13: rc = mw_pop3_client_auth_login(&x->c, a.ptr, a.len, b.ptr, b.len); break;
        case 14: rc = mw_pop3_client_auth_xoauth2(&x->c, a.ptr, a.len, b.ptr, b.len); break;
        case 15: rc = mw_pop3_client_auth(&x->c, "X-TEST", hook_step, &a); break;
        case 16: rc = mw_pop3_client_lang(&x->c, a.len ? a.ptr : NULL, a.len); break;
        default: rc = mw_pop3_client_quit(&x->c); break;
        }
        if (debug > 0)
            fprintf(stderr, "command %u: %s: %.*s", k, mw_status_name(rc),
                    (int)(x->c2s.n - from), x->c2s.p + from);
        if (rc != MW_OK) {
            CHECK(x->c2s.n == from); /* refused: nothing sent */
            continue;
        }
        check_lines(&x->c2s, from, (size_t)-1);
        pump(x);
        if (x->serrors != errs) {
            fprintf(stderr, "server refused: %.*s\n", (int)(x->c2s.n - from), x->c2s.p + from);
            CHECK(0);
        }
        if (k == 9 || k == 10 || k == 17)
            continue;
        CHECK(x->ncmd > before);
        switch (k) {
        case 0:
            CHECK(x->id == MW_POP3_CMD_USER && eq(&x->arg, a.ptr, a.len));
            break;
        case 1:
            CHECK(x->id == MW_POP3_CMD_PASS && eq(&x->arg, a.ptr, a.len));
            break;
        case 2:
            CHECK(x->id == MW_POP3_CMD_APOP && eq(&x->arg, a.ptr, a.len));
            CHECK(x->apop_rc == MW_OK); /* the digest of the same secret */
            break;
        case 4:
        case 8:
            CHECK(x->id == (k == 4 ? MW_POP3_CMD_LIST : MW_POP3_CMD_UIDL));
            CHECK(((x->cflags & MW_POP3_CMDF_HAS_MSG) != 0) == (m != 0));
            if (m != 0)
                CHECK(x->msg == m);
            break;
        case 5:
        case 6:
            CHECK(x->id == (k == 5 ? MW_POP3_CMD_RETR : MW_POP3_CMD_DELE) && x->msg == m);
            break;
        case 7:
            CHECK(x->id == MW_POP3_CMD_TOP && x->msg == m && x->lines == l);
            break;
        case 12: {
            buf w = {0};
            put(&w, a.ptr, a.len);
            put(&w, "\0", 1);
            put(&w, b.ptr, b.len);
            put(&w, "\0", 1);
            put(&w, d.ptr, d.len);
            CHECK(eq(&x->sasl, w.p, w.n));
            free(w.p);
            break;
        }
        case 14: {
            char scratch[1024], enc[1400];
            size_t el = 0;
            mw_span u, t;
            CHECK(mw_base64_encode(x->sasl.p, x->sasl.n, enc, sizeof enc, &el) == MW_OK);
            CHECK(mw_sasl_xoauth2_parse(enc, el, scratch, sizeof scratch, &u, &t, NULL) ==
                  MW_OK);
            CHECK(u.len == a.len && memcmp(u.ptr, a.ptr, a.len) == 0);
            CHECK(t.len == b.len && memcmp(t.ptr, b.ptr, b.len) == 0);
            break;
        }
        case 13: {
            buf w = {0};
            put(&w, a.ptr, a.len);
            put(&w, "\0", 1);
            put(&w, b.ptr, b.len);
            CHECK(eq(&x->sasl, w.p, w.n));
            free(w.p);
            break;
        }
        case 15:
            CHECK(eq(&x->mech, "X-TEST", 6));
            CHECK(eq(&x->sasl, a.ptr, a.len));
            break;
        case 16:
            CHECK(x->id == MW_POP3_CMD_LANG && eq(&x->arg, a.ptr, a.len));
            CHECK(((x->cflags & MW_POP3_CMDF_HAS_RANGE) != 0) == (a.len != 0));
            if (a.len > 0 && !(a.len == 1 && a.ptr[0] == '*'))
                CHECK(x->last.cmd == MW_POP3_CMD_LANG && x->last.ok &&
                      eq(&x->rlang, a.ptr, a.len));
            break;
        default:
            break;
        }
    }
}

/* ====================================================================
 * Mode 1: answers
 * ==================================================================== */

static void mode_answers(rd *r)
{
    pair *x = &P;
    int steps = 0;
    buf want = {0};
    mw_pop3_server_config_init(&x->scfg);
    x->scfg.max_bad_commands = 0;
    x->scfg.flags |= MW_POP3_SERVER_TLS_ACTIVE;
    mw_pop3_client_config_init(&x->ccfg);
    x->ccfg.flags = MW_POP3_CLIENT_TLS_ACTIVE;
    x->ccfg.body_newline = MW_NEWLINE_ACCEPT;
    if (!pair_start(x, NULL, NULL))
        return;
    CHECK(mw_pop3_client_user(&x->c, "u", 1) == MW_OK);
    pump(x);
    CHECK(mw_pop3_client_pass(&x->c, "p", 1) == MW_OK);
    pump(x);
    CHECK(mw_pop3_client_state(&x->c) == MW_POP3_STATE_TRANSACTION);
    x->manual = 1;
    while (r->n > 0 && steps++ < 16 && !x->client_dead && !x->server_closed) {
        unsigned k = byte(r) % 6;
        int ok = byte(r) & 1, rcode = (int)(byte(r) % 8), rc = MW_OK;
        uint32_t m = (uint32_t)num(r, byte(r) % 5);
        uint64_t o = num(r, byte(r) % 9);
        char text[600], uid[600];
        size_t before_out, cr = x->creplies;
        unsigned nl = 0;
        cfield(r, text, 520);
        cfield(r, uid, 100);
        x->nlist = 0;
        x->body.n = 0;
        x->ends = 0;
        switch (k) {
        case 0: CHECK(mw_pop3_client_noop(&x->c) == MW_OK); break;
        case 1: CHECK(mw_pop3_client_stat(&x->c) == MW_OK); break;
        case 2: CHECK(mw_pop3_client_list(&x->c, m ? m : 1) == MW_OK); break;
        case 3: CHECK(mw_pop3_client_uidl(&x->c, m ? m : 1) == MW_OK); break;
        case 4: CHECK(mw_pop3_client_list(&x->c, 0) == MW_OK); break;
        default: CHECK(mw_pop3_client_retr(&x->c, 1) == MW_OK); break;
        }
        pump(x); /* the command reaches the server; no answer yet */
        before_out = x->s2c.n;
        switch (k) {
        case 0:
            rc = mw_pop3_server_reply(&x->s, ok, rcode, text);
            break;
        case 1:
            rc = ok ? mw_pop3_server_reply_stat(&x->s, m, o)
                    : mw_pop3_server_reply(&x->s, 0, rcode, text);
            break;
        case 2:
            rc = mw_pop3_server_scan_listing(&x->s, m ? m : 1, o);
            break;
        case 3:
            rc = mw_pop3_server_uid_listing(&x->s, m ? m : 1, uid);
            break;
        case 4: {
            unsigned i;
            nl = byte(r) % 5;
            rc = mw_pop3_server_reply_begin(&x->s, text);
            if (rc == MW_OK) {
                for (i = 0; i < nl; i++)
                    CHECK(mw_pop3_server_scan_listing(&x->s, (i & 1) ? (m | 1u) : i + 1,
                                                      o + i) == MW_OK);
                CHECK(mw_pop3_server_reply_end(&x->s) == MW_OK);
            }
            break;
        }
        default: {
            mw_span bd = field(r, 600);
            size_t cut = bd.len ? byte(r) % (bd.len + 1) : 0;
            rc = mw_pop3_server_reply_begin(&x->s, text);
            if (rc == MW_OK) {
                CHECK(mw_pop3_server_write(&x->s, bd.ptr, cut) == MW_OK);
                CHECK(mw_pop3_server_write(&x->s, bd.ptr + cut, bd.len - cut) == MW_OK);
                CHECK(mw_pop3_server_reply_end(&x->s) == MW_OK);
                norm(bd.ptr, bd.len, &want);
            }
            break;
        }
        }
        if (debug > 0)
            fprintf(stderr, "answer %u: %s\n", k, mw_status_name(rc));
        if (rc != MW_OK) {
            /* refused: nothing sent; answer plainly so the session goes on */
            CHECK(x->s2c.n == before_out);
            CHECK(mw_pop3_server_reply(&x->s, 0, 0, NULL) == MW_OK);
            pump(x);
            continue;
        }
        pump(x);
        if (x->client_dead) {
            fprintf(stderr, "client died on: %.*s\n", (int)(x->s2c.n - before_out),
                    x->s2c.p + before_out);
            CHECK(0);
        }
        CHECK(x->creplies == cr + 1);
        switch (k) {
        case 0:
            CHECK(x->last.ok == ok);
            CHECK(eq(&x->rtext, text, strlen(text)));
            CHECK(x->last.code == rcode || (rcode == 0 && x->last.code == 0));
            break;
        case 1:
            if (ok) {
                CHECK(!(x->last.flags & MW_POP3_REPLY_MALFORMED));
                CHECK(x->last.count == m && x->last.octets == o);
            }
            break;
        case 2:
            CHECK(!(x->last.flags & MW_POP3_REPLY_MALFORMED));
            CHECK(x->last.msg == (m ? m : 1) && x->last.octets == o);
            break;
        case 3:
            CHECK(!(x->last.flags & MW_POP3_REPLY_MALFORMED));
            CHECK(eq(&x->ruid, uid, strlen(uid)));
            break;
        case 4: {
            unsigned i;
            CHECK(x->ends == 1);
            CHECK(eq(&x->rtext, text, strlen(text)));
            CHECK(x->nlist == nl);
            for (i = 0; i < nl && i < 4; i++)
                CHECK(x->lmsg[i] == ((i & 1) ? (m | 1u) : i + 1) && x->loct[i] == o + i);
            break;
        }
        default:
            CHECK(x->ends == 1);
            CHECK(eq(&x->rtext, text, strlen(text)));
            if (!eq(&x->body, want.p, want.n)) {
                fprintf(stderr, "body: got %zu bytes, want %zu\n", x->body.n, want.n);
                CHECK(0);
            }
            break;
        }
    }
    free(want.p);
}

/* ====================================================================
 * Mode 2: CAPA
 * ==================================================================== */

static void mode_capa(rd *r)
{
    pair *x = &P;
    char sasl[200], impl[200], expire[200], delay[200];
    const mw_pop3_capa *cp;
    unsigned f = (unsigned)num(r, 2);
    uint32_t want = 0;
    mw_pop3_server_config_init(&x->scfg);
    x->scfg.flags = f & 0x0fffu;
    x->scfg.flags &= ~(unsigned)(MW_POP3_SERVER_AUTH_NEEDS_TLS | MW_POP3_SERVER_APOP);
    x->scfg.sasl = cfield(r, sasl, 150);
    x->scfg.implementation = byte(r) & 1 ? cfield(r, impl, 150) : NULL;
    x->scfg.expire = byte(r) & 1 ? cfield(r, expire, 40) : NULL;
    x->scfg.login_delay = byte(r) & 1 ? cfield(r, delay, 40) : NULL;
    mw_pop3_client_config_init(&x->ccfg);
    if (!pair_start(x, NULL, NULL))
        return;
    CHECK(mw_pop3_client_capa(&x->c) == MW_OK);
    pump(x);
    if (x->client_dead) {
        fprintf(stderr, "client died on the CAPA answer:\n%s\n", x->s2c.p);
        CHECK(0);
    }
    cp = mw_pop3_client_capabilities(&x->c);
    CHECK(cp->flags & MW_POP3_CAPA_KNOWN);
    if (x->scfg.flags & MW_POP3_SERVER_TOP)
        want |= MW_POP3_CAPA_TOP;
    if (x->scfg.flags & MW_POP3_SERVER_USER)
        want |= MW_POP3_CAPA_USER;
    if (sasl[0] != '\0')
        want |= MW_POP3_CAPA_SASL;
    if (x->scfg.flags & MW_POP3_SERVER_RESP_CODES)
        want |= MW_POP3_CAPA_RESP_CODES;
    if (x->scfg.flags & MW_POP3_SERVER_AUTH_RESP_CODE)
        want |= MW_POP3_CAPA_AUTH_RESP_CODE;
    if (x->scfg.flags & MW_POP3_SERVER_PIPELINING)
        want |= MW_POP3_CAPA_PIPELINING;
    if (x->scfg.flags & MW_POP3_SERVER_UIDL)
        want |= MW_POP3_CAPA_UIDL;
    if ((x->scfg.flags & MW_POP3_SERVER_STLS) && !(x->scfg.flags & MW_POP3_SERVER_TLS_ACTIVE))
        want |= MW_POP3_CAPA_STLS;
    if (x->scfg.flags & MW_POP3_SERVER_UTF8)
        want |= MW_POP3_CAPA_UTF8;
    if (x->scfg.implementation != NULL)
        want |= MW_POP3_CAPA_IMPLEMENTATION;
    if (x->scfg.expire != NULL)
        want |= MW_POP3_CAPA_EXPIRE;
    if (x->scfg.login_delay != NULL)
        want |= MW_POP3_CAPA_LOGIN_DELAY;
    if ((cp->flags & want) != want) {
        fprintf(stderr, "listed %x, client read %x\n%s\n", want, cp->flags, x->s2c.p);
        CHECK(0);
    }
    /* a number the server listed is read back */
    if (x->scfg.login_delay != NULL && (cp->flags & MW_POP3_CAPA_LOGIN_DELAY)) {
        char *end;
        unsigned long v = strtoul(delay, &end, 10);
        if (end != delay && v <= UINT32_MAX && (*end == '\0' || *end == ' '))
            CHECK(cp->login_delay == v);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fz_mode modes[3] = {mode_commands, mode_answers, mode_capa};
    if (debug < 0)
        debug = getenv("RT_DEBUG") != NULL;
    memset(&P, 0, sizeof P);
    run_script(data, size, 8192, modes, 3);
    pair_free(&P);
    return 0;
}
