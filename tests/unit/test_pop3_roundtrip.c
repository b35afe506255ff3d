/* SPDX-License-Identifier: MIT */
/* POP3 client against server, in process: each machine's `send` feeds the
 * other. Every command and every reply form round-trips (the client parses
 * back what the server's application answered), including response codes,
 * APOP, AUTH PLAIN/LOGIN/XOAUTH2/CRAM-MD5 (step hook), STLS and UTF8;
 * messages with "." and ".." lines, a line that is ".", bare LF; 100,000
 * pipelined commands; and a 1 GiB RETR written in 1 MiB chunks through
 * both machines with constant memory. Needs both roles. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/mailwire.h"

#if MW_ENABLE_POP3_SERVER && MW_ENABLE_POP3_CLIENT

#include <sys/resource.h>

#include "evlog.h"

#define S_(lit) lit, sizeof(lit) - 1
#define NMSG 4

/* ---- the pair ---------------------------------------------------------- */

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void buf_add(buf *b, const char *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        assert_non_null(b->p);
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

typedef struct pair {
    mw_pop3_server s;
    char sline[MW_POP3_SERVER_LINEBUF_SIZE];
    mw_pop3_client c;
    char cbuf[MW_POP3_CLIENT_LINEBUF_SIZE];
    buf to_s, to_c;    /* bytes in flight */
    int direct;        /* server output straight into client feed */
    evlog log;
    /* the mailbox the server application serves */
    const char *msgs[NMSG];
    size_t sizes[NMSG];
    int deleted[NMSG];
    int removed;       /* messages removed at UPDATE */
    int next_rcode;    /* -1: normal answers; else "-ERR [code]" to all */
    int hold_retr;     /* RETR is answered by the test itself */
    /* what the client application saw */
    buf body;
    size_t body_bytes;
    int ends;
    unsigned replies;
    mw_pop3_reply last;
    char last_text[600];
    char last_uid[80];
    char last_lang[64];
    char listing[2000];
    /* 1 GiB check */
    const char *chunk;
    size_t chunk_len, chunk_pos;
    int mismatch;
    /* SASL */
    char mech[24];
    int login_step;
    char login_user[64];
} pair;

static int s_send(mw_pop3_server *s, void *u, const char *p, size_t n)
{
    pair *x = u;
    (void)s;
    if (x->direct) {
        size_t used = 0;
        int r = mw_pop3_client_feed(&x->c, p, n, &used);
        return (r < 0 || used != n) ? -1 : 0;
    }
    buf_add(&x->to_c, p, n);
    return 0;
}

static int c_send(mw_pop3_client *c, void *u, const char *p, size_t n)
{
    pair *x = u;
    (void)c;
    buf_add(&x->to_s, p, n);
    return 0;
}

/* Move bytes until both directions are quiet. */
static void pump(pair *x)
{
    while (x->to_s.len > 0 || x->to_c.len > 0) {
        if (x->to_s.len > 0) {
            size_t used = 0;
            int r;
            char *tmp = malloc(x->to_s.len);
            size_t n = x->to_s.len;
            memcpy(tmp, x->to_s.p, n);
            x->to_s.len = 0;
            r = mw_pop3_server_feed(&x->s, tmp, n, &used);
            assert_true(r >= 0);
            /* what the server did not take waits (a reply owed) */
            if (used < n) {
                buf rest = {0};
                buf_add(&rest, tmp + used, n - used);
                buf_add(&rest, x->to_s.p, x->to_s.len);
                free(x->to_s.p);
                x->to_s = rest;
            }
            free(tmp);
            if (used == 0 && x->to_c.len == 0)
                break;
        }
        if (x->to_c.len > 0) {
            size_t used = 0, n = x->to_c.len;
            char *tmp = malloc(n);
            memcpy(tmp, x->to_c.p, n);
            x->to_c.len = 0;
            assert_true(mw_pop3_client_feed(&x->c, tmp, n, &used) >= 0);
            assert_int_equal(used, n);
            free(tmp);
        }
    }
}

/* ---- the server's application: a real little maildrop ------------------ */

static int valid_msg(pair *x, uint32_t m)
{
    return m >= 1 && m <= NMSG && !x->deleted[m - 1];
}

static int s_command(mw_pop3_server *s, void *u, const mw_pop3_cmd *c)
{
    pair *x = u;
    uint32_t i, count = 0;
    uint64_t total = 0;
    char uid[16];

    if (x->next_rcode >= 0 && c->id != MW_POP3_CMD_QUIT &&
        c->id != MW_POP3_CMD_USER)
        return mw_pop3_server_reply(s, 0, x->next_rcode, "coded failure");
    switch (c->id) {
    case MW_POP3_CMD_USER:
        return mw_pop3_server_reply(s, c->arg.len == 3 &&
                                           memcmp(c->arg.ptr, "bob", 3) == 0,
                                    0, NULL);
    case MW_POP3_CMD_PASS: {
        int ok = c->arg.len == 10 && memcmp(c->arg.ptr, "sec ret\xc3\xa9!", 10) == 0;
        return mw_pop3_server_reply(s, ok, ok ? 0 : MW_POP3_RC_AUTH,
                                    ok ? "maildrop locked and ready" : "no");
    }
    case MW_POP3_CMD_APOP: {
        int ok = mw_pop3_server_apop_check(s, "tanstaaf", 8) == MW_OK;
        return mw_pop3_server_reply(s, ok, ok ? 0 : MW_POP3_RC_AUTH, NULL);
    }
    case MW_POP3_CMD_AUTH:
        snprintf(x->mech, sizeof x->mech, "%.*s", (int)c->arg.len, c->arg.ptr);
        if (strcmp(x->mech, "CRAM-MD5") == 0)
            return mw_pop3_server_auth_challenge(
                s, "<1896.697170952@postoffice.reston.mci.net>", 42);
        if (strcmp(x->mech, "LOGIN") == 0) {
            x->login_step = 0;
            return mw_pop3_server_auth_challenge(s, "Username:", 9);
        }
        if (!(c->flags & MW_POP3_CMDF_HAS_IR))
            return mw_pop3_server_auth_challenge(s, NULL, 0);
        /* an initial response: handled as a response */
        /* fall through */
    case MW_POP3_CMD_AUTH_RESPONSE: {
        const mw_span b = c->id == MW_POP3_CMD_AUTH ? c->arg2 : c->arg;
        char scratch[3000];
        mw_span a1, a2, a3;
        if (strcmp(x->mech, "PLAIN") == 0) {
            int ok = mw_sasl_plain_decode(b.ptr, b.len, 1000, scratch, sizeof scratch,
                                          &a1, &a2, &a3, NULL) == MW_OK &&
                     a3.len == 10 && memcmp(a3.ptr, "sec ret\xc3\xa9!", 10) == 0;
            return mw_pop3_server_reply(s, ok, ok ? 0 : MW_POP3_RC_AUTH, NULL);
        }
        if (strcmp(x->mech, "LOGIN") == 0) {
            size_t n = 0;
            if (mw_sasl_login_decode(b.ptr, b.len, scratch, sizeof scratch, &n,
                                     NULL) != MW_OK)
                return mw_pop3_server_reply(s, 0, MW_POP3_RC_AUTH, NULL);
            if (x->login_step++ == 0) {
                snprintf(x->login_user, sizeof x->login_user, "%.*s", (int)n, scratch);
                return mw_pop3_server_auth_challenge(s, "Password:", 9);
            }
            return mw_pop3_server_reply(
                s, strcmp(x->login_user, "bob") == 0 && n == 10 &&
                       memcmp(scratch, "sec ret\xc3\xa9!", 10) == 0,
                0, NULL);
        }
        if (strcmp(x->mech, "XOAUTH2") == 0) {
            /* the token "good" passes; anything else gets the JSON error
             * challenge, then -ERR after the client's empty response */
            if (b.len == 0)
                return mw_pop3_server_reply(s, 0, MW_POP3_RC_AUTH, "bad token");
            if (mw_sasl_xoauth2_parse(b.ptr, b.len, scratch, sizeof scratch, &a1, &a2,
                                      NULL) == MW_OK &&
                a2.len == 4 && memcmp(a2.ptr, "good", 4) == 0)
                return mw_pop3_server_reply(s, 1, 0, NULL);
            return mw_pop3_server_auth_challenge(s, S_("{\"status\":\"401\"}"));
        }
        if (strcmp(x->mech, "CRAM-MD5") == 0) {
            size_t n = 0;
            mw_base64_decode(b.ptr, b.len, scratch, sizeof scratch, &n, 0, NULL);
            int ok = mw_sasl_cram_md5_parse(scratch, n, &a1, &a2, NULL) == MW_OK &&
                     mw_sasl_cram_md5_check(
                         "<1896.697170952@postoffice.reston.mci.net>", 42,
                         "tanstaaftanstaaf", 16, a2.ptr, a2.len) == MW_OK;
            return mw_pop3_server_reply(s, ok, ok ? 0 : MW_POP3_RC_AUTH, NULL);
        }
        return mw_pop3_server_reply(s, 0, 0, NULL);
    }
    case MW_POP3_CMD_STAT:
        for (i = 0; i < NMSG; i++)
            if (!x->deleted[i]) {
                count++;
                total += x->sizes[i];
            }
        return mw_pop3_server_reply_stat(s, count, total);
    case MW_POP3_CMD_LIST:
    case MW_POP3_CMD_UIDL:
        if (c->flags & MW_POP3_CMDF_HAS_MSG) {
            if (!valid_msg(x, c->msg))
                return mw_pop3_server_reply(s, 0, 0, "no such message");
            snprintf(uid, sizeof uid, "uid-%u.x", (unsigned)c->msg);
            return c->id == MW_POP3_CMD_LIST
                       ? mw_pop3_server_scan_listing(s, c->msg, x->sizes[c->msg - 1])
                       : mw_pop3_server_uid_listing(s, c->msg, uid);
        }
        mw_pop3_server_reply_begin(s, NULL);
        for (i = 1; i <= NMSG; i++) {
            if (!valid_msg(x, i))
                continue;
            snprintf(uid, sizeof uid, "uid-%u.x", (unsigned)i);
            if (c->id == MW_POP3_CMD_LIST)
                mw_pop3_server_scan_listing(s, i, x->sizes[i - 1]);
            else
                mw_pop3_server_uid_listing(s, i, uid);
        }
        return mw_pop3_server_reply_end(s);
    case MW_POP3_CMD_RETR:
    case MW_POP3_CMD_TOP: {
        const char *m;
        size_t k, n;
        if (x->hold_retr)
            return 0;
        if (!valid_msg(x, c->msg))
            return mw_pop3_server_reply(s, 0, 0, "no such message");
        m = x->msgs[c->msg - 1];
        n = x->sizes[c->msg - 1];
        mw_pop3_server_reply_begin(s, "message follows");
        /* in odd pieces */
        for (k = 0; k < n; k += 7) {
            int r = mw_pop3_server_write(s, m + k, n - k < 7 ? n - k : 7);
            if (r == MW_DONE)
                break;
            assert_int_equal(r, MW_OK);
        }
        return mw_pop3_server_reply_end(s);
    }
    case MW_POP3_CMD_DELE:
        if (!valid_msg(x, c->msg))
            return mw_pop3_server_reply(s, 0, 0, "no such message");
        x->deleted[c->msg - 1] = 1;
        return mw_pop3_server_reply(s, 1, 0, "deleted");
    case MW_POP3_CMD_RSET:
        memset(x->deleted, 0, sizeof x->deleted);
        return mw_pop3_server_reply(s, 1, 0, NULL);
    case MW_POP3_CMD_QUIT:
        if (mw_pop3_server_state(s) == MW_POP3_STATE_UPDATE)
            for (i = 0; i < NMSG; i++)
                x->removed += x->deleted[i];
        return mw_pop3_server_reply(s, 1, 0, "bye");
    case MW_POP3_CMD_LANG: {
        /* RFC 6856 §3.2: "*" picks the server's choice; other ranges are
         * taken as the tag, except "xx" which is refused. */
        char tag[64];
        if (!(c->flags & MW_POP3_CMDF_HAS_RANGE)) {
            mw_pop3_server_reply_begin(s, "Language listing follows:");
            mw_pop3_server_lang_listing(s, "en", "English");
            mw_pop3_server_lang_listing(s, "de-CH", "Schwiizerd\xc3\xbctsch");
            return mw_pop3_server_reply_end(s);
        }
        if (c->arg.len == 2 && memcmp(c->arg.ptr, "xx", 2) == 0)
            return mw_pop3_server_reply(s, 0, 0, "invalid language xx");
        snprintf(tag, sizeof tag, "%.*s", (int)c->arg.len, c->arg.ptr);
        return mw_pop3_server_reply_lang(s, strcmp(tag, "*") == 0 ? "en" : tag,
                                         "Language changed");
    }
    default: /* NOOP, STLS, UTF8 */
        return mw_pop3_server_reply(s, 1, 0, NULL);
    }
}

/* ---- the client's application: records what it parsed ------------------ */

static int c_reply(mw_pop3_client *c, void *u, const mw_pop3_reply *r)
{
    pair *x = u;
    (void)c;
    x->replies++;
    x->last = *r;
    snprintf(x->last_text, sizeof x->last_text, "%.*s", (int)r->text.len, r->text.ptr);
    snprintf(x->last_uid, sizeof x->last_uid, "%.*s", (int)r->uid.len, r->uid.ptr);
    snprintf(x->last_lang, sizeof x->last_lang, "%.*s", (int)r->lang.len, r->lang.ptr);
    x->last.text.ptr = x->last.uid.ptr = x->last.code_text.ptr = NULL;
    x->listing[0] = '\0';
    x->body.len = 0;
    return 0;
}

static int c_listing(mw_pop3_client *c, void *u, const mw_pop3_listing *l)
{
    pair *x = u;
    size_t n = strlen(x->listing);
    (void)c;
    if (l->cmd == MW_POP3_CMD_LANG)
        snprintf(x->listing + n, sizeof x->listing - n, "%.*s=%.*s;",
                 (int)l->lang.len, l->lang.ptr, (int)l->description.len,
                 l->description.ptr);
    else
        snprintf(x->listing + n, sizeof x->listing - n, "%u:%llu:%.*s;",
                 (unsigned)l->msg, (unsigned long long)l->octets,
                 (int)l->uid.len, l->uid.ptr);
    return 0;
}

static int c_data(mw_pop3_client *c, void *u, const char *p, size_t n)
{
    pair *x = u;
    (void)c;
    x->body_bytes += n;
    if (x->chunk == NULL) {
        buf_add(&x->body, p, n);
        return 0;
    }
    /* the 1 GiB stream: compare with the repeated chunk, keep nothing */
    while (n > 0) {
        size_t k = x->chunk_len - x->chunk_pos;
        if (k > n)
            k = n;
        if (memcmp(p, x->chunk + x->chunk_pos, k) != 0)
            x->mismatch = 1;
        p += k;
        n -= k;
        x->chunk_pos = (x->chunk_pos + k) % x->chunk_len;
    }
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

static int c_error(mw_pop3_client *c, void *u, int st, size_t off, const char *why)
{
    pair *x = u;
    (void)c;
    evlog_printf(&x->log, "client error %s @%zu %s", mw_status_name(st), off, why);
    return 0;
}

static int c_challenge(mw_pop3_client *c, void *u, const char *p, size_t n)
{
    pair *x = u;
    (void)c;
    evlog_data(&x->log, "challenge", p, n);
    evlog_printf(&x->log, "/challenge");
    return 0;
}

static const char m1[] = "From: a@example.org\r\nSubject: dots\r\n\r\n.\r\n..\r\n"
                         ".leading\r\n...three\r\nend\r\n";
static const char m2[] = "Subject: bare LF\n\nline one\nline two\n.\nlast";
static const char m3[] = "Subject: top\r\n\r\n1\r\n2\r\n3\r\n4\r\n";
static const char m4[] = "";

static pair *pair_new(unsigned sflags, const char *sasl)
{
    pair *x = calloc(1, sizeof *x);
    mw_pop3_server_config scfg;
    mw_pop3_server_callbacks scb = {0};
    mw_pop3_client_callbacks ccb = {0};

    evlog_init(&x->log);
    x->msgs[0] = m1;
    x->msgs[1] = m2;
    x->msgs[2] = m3;
    x->msgs[3] = m4;
    for (int i = 0; i < NMSG; i++)
        x->sizes[i] = strlen(x->msgs[i]);
    x->next_rcode = -1;
    mw_pop3_server_config_init(&scfg);
    scfg.flags |= sflags;
    scfg.sasl = sasl;
    scb.send = s_send;
    scb.command = s_command;
    assert_int_equal(mw_pop3_server_init(&x->s, &scfg, &scb, x, x->sline,
                                         sizeof x->sline),
                     MW_OK);
    ccb.send = c_send;
    ccb.reply = c_reply;
    ccb.listing = c_listing;
    ccb.data = c_data;
    ccb.end = c_end;
    ccb.error = c_error;
    ccb.challenge = c_challenge;
    assert_int_equal(mw_pop3_client_init(&x->c, NULL, &ccb, x, x->cbuf, sizeof x->cbuf),
                     MW_OK);
#if MW_ENABLE_SASL_CRAM_MD5
    if (sflags & MW_POP3_SERVER_APOP)
        assert_int_equal(mw_pop3_server_start_apop(&x->s, "ready", "1896", "697170952",
                                                   "dbc.mtview.ca.us"),
                         MW_OK);
    else
#else
    /* compiled out (features.h): a greeting without a timestamp */
    if (sflags & MW_POP3_SERVER_APOP)
        assert_int_equal(mw_pop3_server_start_apop(&x->s, "ready", "1896", "697170952",
                                                   "dbc.mtview.ca.us"),
                         MW_E_UNSUPPORTED);
#endif
        assert_int_equal(mw_pop3_server_start(&x->s, "ready"), MW_OK);
    pump(x);
    assert_int_equal(mw_pop3_client_state(&x->c), MW_POP3_STATE_AUTHORIZATION);
    return x;
}

static void pair_free(pair *x)
{
    free(x->to_s.p);
    free(x->to_c.p);
    free(x->body.p);
    evlog_free(&x->log);
    free(x);
}

static void login(pair *x)
{
    assert_int_equal(mw_pop3_client_user(&x->c, "bob", 3), MW_OK);
    pump(x);
    assert_true(x->last.ok);
    assert_int_equal(mw_pop3_client_pass(&x->c, S_("sec ret\xc3\xa9!")), MW_OK);
    pump(x);
    assert_true(x->last.ok);
    assert_string_equal(x->last_text, "maildrop locked and ready");
    assert_int_equal(mw_pop3_server_state(&x->s), MW_POP3_STATE_TRANSACTION);
    assert_int_equal(mw_pop3_client_state(&x->c), MW_POP3_STATE_TRANSACTION);
}

/* ======================================================================
 * Every command and reply
 * ====================================================================== */

static void test_every_command(void **state)
{
    pair *x = pair_new(0, NULL);
    mw_pop3_client *c = &x->c;
    (void)state;
    /* CAPA round trip: the client's set is the server's configuration */
    assert_int_equal(mw_pop3_client_capa(c), MW_OK);
    pump(x);
    assert_int_equal(mw_pop3_client_capabilities(c)->flags,
                     MW_POP3_CAPA_KNOWN | MW_POP3_CAPA_TOP | MW_POP3_CAPA_USER |
                         MW_POP3_CAPA_RESP_CODES | MW_POP3_CAPA_AUTH_RESP_CODE |
                         MW_POP3_CAPA_PIPELINING | MW_POP3_CAPA_UIDL);
    /* a failed login, then a good one */
    assert_int_equal(mw_pop3_client_user(c, "bob", 3), MW_OK);
    pump(x);
    assert_int_equal(mw_pop3_client_pass(c, "x", 1), MW_OK);
    pump(x);
    assert_int_equal(x->last.cmd, MW_POP3_CMD_PASS);
    assert_int_equal(x->last.ok, 0);
    assert_int_equal(x->last.code, MW_POP3_RC_AUTH);
    assert_string_equal(x->last_text, "no");
    login(x);
    /* STAT */
    assert_int_equal(mw_pop3_client_stat(c), MW_OK);
    pump(x);
    assert_int_equal(x->last.count, NMSG);
    assert_int_equal(x->last.octets, strlen(m1) + strlen(m2) + strlen(m3));
    /* LIST n, LIST, UIDL n, UIDL */
    assert_int_equal(mw_pop3_client_list(c, 2), MW_OK);
    pump(x);
    assert_int_equal(x->last.msg, 2);
    assert_int_equal(x->last.octets, strlen(m2));
    assert_int_equal(mw_pop3_client_list(c, 0), MW_OK);
    pump(x);
    {
        char want[200];
        snprintf(want, sizeof want, "1:%zu:;2:%zu:;3:%zu:;4:0:;", strlen(m1),
                 strlen(m2), strlen(m3));
        assert_string_equal(x->listing, want);
    }
    assert_int_equal(mw_pop3_client_uidl(c, 3), MW_OK);
    pump(x);
    assert_string_equal(x->last_uid, "uid-3.x");
    assert_int_equal(mw_pop3_client_uidl(c, 0), MW_OK);
    pump(x);
    assert_string_equal(x->listing, "1:0:uid-1.x;2:0:uid-2.x;3:0:uid-3.x;4:0:uid-4.x;");
    /* RETR: dots, "." alone, ".." */
    assert_int_equal(mw_pop3_client_retr(c, 1), MW_OK);
    pump(x);
    assert_int_equal(x->body.len, strlen(m1));
    assert_memory_equal(x->body.p, m1, strlen(m1));
    /* RETR: bare LF (the server's writer makes CRLF; CRLF added at the
     * end) */
    assert_int_equal(mw_pop3_client_retr(c, 2), MW_OK);
    pump(x);
    {
        static const char want[] = "Subject: bare LF\r\n\r\nline one\r\nline two\r\n"
                                   ".\r\nlast\r\n";
        assert_int_equal(x->body.len, sizeof want - 1);
        assert_memory_equal(x->body.p, want, sizeof want - 1);
    }
    /* empty message */
    assert_int_equal(mw_pop3_client_retr(c, 4), MW_OK);
    pump(x);
    assert_int_equal(x->body.len, 0);
    assert_true(x->last.flags & MW_POP3_REPLY_MULTILINE);
    /* TOP */
    assert_int_equal(mw_pop3_client_top(c, 3, 2), MW_OK);
    pump(x);
    assert_int_equal(x->body.len, strlen("Subject: top\r\n\r\n1\r\n2\r\n"));
    assert_memory_equal(x->body.p, "Subject: top\r\n\r\n1\r\n2\r\n", x->body.len);
    assert_int_equal(mw_pop3_client_top(c, 3, 0), MW_OK);
    pump(x);
    assert_int_equal(x->body.len, strlen("Subject: top\r\n\r\n"));
    /* DELE, NOOP, errors, RSET */
    assert_int_equal(mw_pop3_client_dele(c, 1), MW_OK);
    pump(x);
    assert_true(x->last.ok);
    assert_string_equal(x->last_text, "deleted");
    assert_int_equal(mw_pop3_client_retr(c, 1), MW_OK);
    pump(x);
    assert_false(x->last.ok);
    assert_string_equal(x->last_text, "no such message");
    assert_int_equal(mw_pop3_client_list(c, 1), MW_OK);
    pump(x);
    assert_false(x->last.ok);
    assert_int_equal(mw_pop3_client_stat(c), MW_OK);
    pump(x);
    assert_int_equal(x->last.count, NMSG - 1);
    assert_int_equal(mw_pop3_client_noop(c), MW_OK);
    pump(x);
    assert_true(x->last.ok);
    assert_int_equal(x->last.cmd, MW_POP3_CMD_NOOP);
    assert_int_equal(mw_pop3_client_rset(c), MW_OK);
    pump(x);
    assert_int_equal(mw_pop3_client_stat(c), MW_OK);
    pump(x);
    assert_int_equal(x->last.count, NMSG);
    /* every response code */
    for (int rc = 1; rc <= 6; rc++) {
        x->next_rcode = rc;
        assert_int_equal(mw_pop3_client_noop(c), MW_OK);
        pump(x);
        assert_int_equal(x->last.code, rc);
        assert_false(x->last.ok);
        assert_string_equal(x->last_text, "coded failure");
    }
    x->next_rcode = -1;
    /* QUIT: the UPDATE state removes what was deleted */
    assert_int_equal(mw_pop3_client_dele(c, 2), MW_OK);
    pump(x);
    assert_int_equal(mw_pop3_client_quit(c), MW_OK);
    pump(x);
    assert_int_equal(x->removed, 1);
    assert_int_equal(mw_pop3_server_want(&x->s), MW_POP3_WANT_CLOSED);
    assert_int_equal(mw_pop3_client_want(c), MW_POP3_WANT_CLOSED);
    assert_int_equal(x->ends, 8);
    assert_string_equal(evlog_str(&x->log), "");
    pair_free(x);
}

/* LANG both ways (RFC 6856 §3): in AUTHORIZATION and TRANSACTION, a tag
 * chosen, a range refused, and the listing. */
static void test_lang(void **state)
{
    pair *x = pair_new(MW_POP3_SERVER_USER | MW_POP3_SERVER_LANG, NULL);
    mw_pop3_client *c = &x->c;
    (void)state;
    assert_int_equal(mw_pop3_client_capa(c), MW_OK);
    pump(x);
    assert_true(mw_pop3_client_capabilities(c)->flags & MW_POP3_CAPA_LANG);
    assert_int_equal(mw_pop3_client_lang(c, "*", 1), MW_OK);
    pump(x);
    assert_true(x->last.ok);
    assert_string_equal(x->last_lang, "en");
    assert_string_equal(x->last_text, "Language changed");
    assert_int_equal(mw_pop3_client_lang(c, "xx", 2), MW_OK);
    pump(x);
    assert_false(x->last.ok);
    assert_string_equal(x->last_lang, "");
    assert_string_equal(x->last_text, "invalid language xx");
    assert_int_equal(mw_pop3_client_user(c, "bob", 3), MW_OK);
    pump(x);
    assert_int_equal(mw_pop3_client_pass(c, "sec ret\xc3\xa9!", 10), MW_OK);
    pump(x);
    assert_int_equal(mw_pop3_client_state(c), MW_POP3_STATE_TRANSACTION);
    assert_int_equal(mw_pop3_client_lang(c, "sr-Latn-RS", 10), MW_OK);
    pump(x);
    assert_string_equal(x->last_lang, "sr-Latn-RS");
    x->listing[0] = '\0';
    assert_int_equal(mw_pop3_client_lang(c, NULL, 0), MW_OK);
    pump(x);
    assert_true(x->last.flags & MW_POP3_REPLY_MULTILINE);
    assert_string_equal(x->listing, "en=English;de-CH=Schwiizerd\xc3\xbctsch;");
    assert_string_equal(evlog_str(&x->log), "");
    pair_free(x);
}

static void test_apop_stls_utf8(void **state)
{
    pair *x = pair_new(MW_POP3_SERVER_APOP | MW_POP3_SERVER_STLS | MW_POP3_SERVER_UTF8,
                       NULL);
    mw_pop3_client *c = &x->c;
    (void)state;
    assert_int_equal(mw_pop3_client_capa(c), MW_OK);
    pump(x);
    assert_true(mw_pop3_client_capabilities(c)->flags & MW_POP3_CAPA_STLS);
    assert_int_equal(mw_pop3_client_stls(c), MW_OK);
    pump(x);
    assert_int_equal(mw_pop3_server_want(&x->s), MW_POP3_WANT_TLS);
    assert_int_equal(mw_pop3_client_want(c), MW_POP3_WANT_TLS);
    assert_int_equal(mw_pop3_server_tls_done(&x->s), MW_OK);
    assert_int_equal(mw_pop3_client_tls_done(c), MW_OK);
    assert_int_equal(mw_pop3_client_capabilities(c)->flags, 0);
    assert_int_equal(mw_pop3_client_capa(c), MW_OK);
    pump(x);
    assert_false(mw_pop3_client_capabilities(c)->flags & MW_POP3_CAPA_STLS);
    assert_true(mw_pop3_client_capabilities(c)->flags & MW_POP3_CAPA_UTF8);
    assert_int_equal(mw_pop3_client_utf8(c), MW_OK);
    pump(x);
    assert_true(x->last.ok);
#if MW_ENABLE_SASL_CRAM_MD5
    /* wrong secret, then the right one */
    assert_int_equal(mw_pop3_client_apop(c, "mrose", 5, "wrong", 5), MW_OK);
    pump(x);
    assert_false(x->last.ok);
    assert_int_equal(x->last.code, MW_POP3_RC_AUTH);
    assert_int_equal(mw_pop3_client_apop(c, "mrose", 5, "tanstaaf", 8), MW_OK);
    pump(x);
    assert_true(x->last.ok);
#else
    /* compiled out (features.h): refused on both sides, USER and PASS
     * still log in */
    assert_int_equal(mw_pop3_client_apop(c, "mrose", 5, "tanstaaf", 8),
                     MW_E_UNSUPPORTED);
    assert_int_equal(mw_pop3_client_want(c) & MW_POP3_WANT_SEND, MW_POP3_WANT_SEND);
    assert_int_equal(mw_pop3_server_state(&x->s), MW_POP3_STATE_AUTHORIZATION);
    login(x);
#endif
    assert_int_equal(mw_pop3_server_state(&x->s), MW_POP3_STATE_TRANSACTION);
    pair_free(x);
}

/* CRAM-MD5 through the generic step hook, with the sasl.h helper. */
static int cram_step(void *user, const char *chal, size_t clen, char *resp,
                     size_t cap, size_t *rlen)
{
    (void)user;
    if (chal == NULL)
        return MW_PAUSED;
    return mw_sasl_cram_md5_response("tim", 3, "tanstaaftanstaaf", 16, chal, clen,
                                     resp, cap, rlen) == MW_OK
               ? MW_DONE
               : MW_E_INVAL;
}

static void test_auth_round_trips(void **state)
{
    pair *x;
    char big[400];
    (void)state;
    /* PLAIN, short and long (deferred initial response) */
    x = pair_new(0, "PLAIN LOGIN XOAUTH2 CRAM-MD5");
    assert_int_equal(mw_pop3_client_auth_plain(&x->c, NULL, 0, "bob", 3,
                                               S_("sec ret\xc3\xa9!")),
                     MW_OK);
    pump(x);
    assert_true(x->last.ok);
    assert_int_equal(mw_pop3_server_state(&x->s), MW_POP3_STATE_TRANSACTION);
    pair_free(x);
    x = pair_new(0, "PLAIN");
    memset(big, 'b', sizeof big);
    assert_int_equal(mw_pop3_client_auth_plain(&x->c, big, 300, "bob", 3, "nope", 4),
                     MW_OK);
    pump(x);
    assert_false(x->last.ok);
    assert_int_equal(x->last.code, MW_POP3_RC_AUTH);
    assert_int_equal(mw_pop3_client_auth_plain(&x->c, big, 300, "bob", 3,
                                               S_("sec ret\xc3\xa9!")),
                     MW_OK);
    pump(x);
    assert_true(x->last.ok);
    pair_free(x);
    /* LOGIN */
    x = pair_new(0, "LOGIN");
    assert_int_equal(mw_pop3_client_auth_login(&x->c, "bob", 3, S_("sec ret\xc3\xa9!")),
                     MW_OK);
    pump(x);
    assert_true(x->last.ok);
    pair_free(x);
    /* XOAUTH2: a bad token (error challenge, empty response, -ERR), then a
     * good one */
    x = pair_new(0, "XOAUTH2");
#if !MW_ENABLE_SASL_OAUTH
    /* compiled out (features.h): refused, nothing reaches the server */
    unsigned greeted = x->replies;
    assert_int_equal(mw_pop3_client_auth_xoauth2(&x->c, "bob@example.org", 15, "good",
                                                 4),
                     MW_E_UNSUPPORTED);
    pump(x);
    assert_int_equal(x->replies, greeted);
    assert_int_equal(mw_pop3_server_state(&x->s), MW_POP3_STATE_AUTHORIZATION);
#else
    assert_int_equal(mw_pop3_client_auth_xoauth2(&x->c, "bob@example.org", 15, "bad", 3),
                     MW_OK);
    pump(x);
    assert_false(x->last.ok);
    assert_string_equal(x->last_text, "bad token");
    assert_non_null(strstr(evlog_str(&x->log), "challenge: {\"status\":\"401\"}"));
    assert_int_equal(mw_pop3_client_auth_xoauth2(&x->c, "bob@example.org", 15, "good",
                                                 4),
                     MW_OK);
    pump(x);
    assert_true(x->last.ok);
#endif
    pair_free(x);
    /* CRAM-MD5 via the step hook */
    x = pair_new(0, "CRAM-MD5");
    assert_int_equal(mw_pop3_client_auth(&x->c, "CRAM-MD5", cram_step, NULL), MW_OK);
    pump(x);
#if MW_ENABLE_SASL_CRAM_MD5
    assert_true(x->last.ok);
#else
    /* compiled out (features.h): the helper refuses, the client cancels */
    assert_false(x->last.ok);
    assert_int_equal(mw_pop3_server_state(&x->s), MW_POP3_STATE_AUTHORIZATION);
#endif
    assert_int_equal(x->last.cmd, MW_POP3_CMD_AUTH);
    pair_free(x);
}

/* ======================================================================
 * 100,000 pipelined commands
 * ====================================================================== */

static void test_100k_pipelined(void **state)
{
    pair *x = pair_new(0, NULL);
    mw_pop3_client *c = &x->c;
    unsigned sent = 0, want_replies;
    (void)state;
    assert_int_equal(mw_pop3_client_capa(c), MW_OK);
    pump(x);
    assert_true(mw_pop3_client_capabilities(c)->flags & MW_POP3_CAPA_PIPELINING);
    login(x);
    want_replies = x->replies + 100000;
    while (sent < 100000) {
        /* fill the window, then let the replies flow */
        while (sent < 100000 && (mw_pop3_client_want(c) & MW_POP3_WANT_SEND)) {
            int r;
            switch (sent % 4) {
            case 0:
                r = mw_pop3_client_noop(c);
                break;
            case 1:
                r = mw_pop3_client_stat(c);
                break;
            case 2:
                r = mw_pop3_client_list(c, 1 + sent % 3);
                break;
            default:
                r = mw_pop3_client_uidl(c, 1 + sent % 3);
                break;
            }
            assert_int_equal(r, MW_OK);
            sent++;
        }
        assert_true(mw_pop3_client_in_flight(c) > 1 || sent == 100000);
        pump(x);
        assert_true(x->last.ok);
    }
    assert_int_equal(x->replies, want_replies);
    assert_int_equal(mw_pop3_client_in_flight(c), 0);
    assert_string_equal(evlog_str(&x->log), "");
    pair_free(x);
}

/* ======================================================================
 * 1 GiB RETR in 1 MiB chunks, constant memory
 * ====================================================================== */

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void test_1gib_retr(void **state)
{
    const size_t chunk = 1u << 20, total = (size_t)1 << 30;
    char *m = malloc(chunk);
    pair *x;
    size_t at = 0, done;
    long rss0, rss1;
    unsigned line = 0;
    size_t used;
    (void)state;
    /* A MiB of mail-like lines (CRLF-terminated; the last byte ends one):
     * text, base64, and lines that are ".", "..", ".x" */
    while (chunk - at > 100) {
        char l[100];
        int n;
        switch (line++ % 16) {
        case 0:
            n = snprintf(l, sizeof l, ".\r\n");
            break;
        case 5:
            n = snprintf(l, sizeof l, "..\r\n");
            break;
        case 9:
            n = snprintf(l, sizeof l, ".starts with a dot %u\r\n", line);
            break;
        case 12:
            n = snprintf(l, sizeof l, "\r\n");
            break;
        default:
            n = snprintf(l, sizeof l,
                         "TWFpbHdpcmUgaXMgYSBsaWJyYXJ5IGZvciBtYWlsIHByb3RvY29scyBsaW5lICV1%05u\r\n",
                         line % 100000);
            break;
        }
        memcpy(m + at, l, (size_t)n);
        at += (size_t)n;
    }
    /* the last line fills the MiB exactly */
    memset(m + at, 'z', chunk - at - 2);
    memcpy(m + chunk - 2, "\r\n", 2);
    assert_memory_equal(m + chunk - 2, "\r\n", 2);

    x = pair_new(0, NULL);
    login(x);
    x->chunk = m;
    x->chunk_len = chunk;
    x->hold_retr = 1;
    assert_int_equal(mw_pop3_client_retr(&x->c, 1), MW_OK);
    /* the server's application streams the message itself */
    assert_int_equal(mw_pop3_server_feed(&x->s, x->to_s.p, x->to_s.len, &used), MW_OK);
    x->to_s.len = 0;
    assert_true(mw_pop3_server_want(&x->s) & MW_POP3_WANT_REPLY);
    x->direct = 1; /* server bytes go straight into the client: no buffer */
    rss0 = max_rss_kb();
    assert_int_equal(mw_pop3_server_reply_begin(&x->s, "1073741824 octets"), MW_OK);
    for (done = 0; done < total; done += chunk)
        assert_int_equal(mw_pop3_server_write(&x->s, m, chunk), MW_OK);
    assert_int_equal(mw_pop3_server_reply_end(&x->s), MW_OK);
    rss1 = max_rss_kb();
    x->direct = 0;
    assert_int_equal(x->body_bytes, total);
    assert_int_equal(x->mismatch, 0);
    assert_int_equal(x->ends, 1);
    assert_int_equal(mw_pop3_client_in_flight(&x->c), 0);
    /* nothing grew with the stream (1 GiB would show; 8 MiB of slack for
     * the allocator and sanitizers) */
    assert_true(rss1 - rss0 < 8 * 1024);
    assert_string_equal(evlog_str(&x->log), "");
    pair_free(x);
    free(m);
}

/* A context is plain memory: copied in the middle of a body, both copies
 * finish it the same way (BearSSL's test; the contexts hold no pointer to
 * themselves). */
static void test_copy_mid_body(void **state)
{
    pair *x = pair_new(0, NULL);
    mw_pop3_client *c2 = malloc(sizeof *c2);
    buf first = {0};
    size_t half, used;
    (void)state;
    login(x);
    assert_int_equal(mw_pop3_client_retr(&x->c, 1), MW_OK);
    assert_int_equal(mw_pop3_server_feed(&x->s, x->to_s.p, x->to_s.len, &used), MW_OK);
    x->to_s.len = 0;
    /* the server's answer is queued for the client; feed half of it */
    half = x->to_c.len / 2;
    assert_int_equal(mw_pop3_client_feed(&x->c, x->to_c.p, half, &used), MW_OK);
    memcpy(c2, &x->c, sizeof *c2);
    assert_int_equal(mw_pop3_client_feed(&x->c, x->to_c.p + half, x->to_c.len - half,
                                         &used),
                     MW_OK);
    buf_add(&first, x->body.p, x->body.len);
    x->body.len = 0;
    assert_int_equal(mw_pop3_client_feed(c2, x->to_c.p + half, x->to_c.len - half,
                                         &used),
                     MW_OK);
    assert_int_equal(x->ends, 2);
    /* the copy delivered the second half: the same bytes */
    assert_true(x->body.len > 0 && x->body.len < strlen(m1));
    assert_memory_equal(first.p + first.len - x->body.len, x->body.p, x->body.len);
    assert_int_equal(mw_pop3_client_in_flight(c2), 0);
    x->to_c.len = 0;
    free(first.p);
    free(c2);
    pair_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_command),
        cmocka_unit_test(test_copy_mid_body),
        cmocka_unit_test(test_apop_stls_utf8),
        cmocka_unit_test(test_lang),
        cmocka_unit_test(test_auth_round_trips),
        cmocka_unit_test(test_100k_pipelined),
        cmocka_unit_test(test_1gib_retr),
    };
    return cmocka_run_group_tests_name("pop3_roundtrip", tests, NULL, NULL);
}

#else /* a build with one role only */

static void test_needs_both_roles(void **state)
{
    (void)state;
    skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_needs_both_roles),
    };
    return cmocka_run_group_tests_name("pop3_roundtrip", tests, NULL, NULL);
}

#endif
