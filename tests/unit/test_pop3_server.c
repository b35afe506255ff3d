/* SPDX-License-Identifier: MIT */
/* The POP3 server machine (lib/pop3/server.c): the RFC 1939, 2449, 5034,
 * 3206 and 2595 example sessions replayed whole, per byte and at every
 * split with a scripted application and compared byte for byte with the
 * transcripts; then state enforcement, every command's syntax, limits at
 * cap-1/cap/cap+1, the bad-command limit, STLS leftovers, the streaming
 * writer (dot-stuffing, CRLF, TOP), reply formatters, APOP, AUTH, UTF8,
 * asynchronous replies, 100,000 pipelined commands and failing
 * callbacks. */
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
#include "test_pop3_common.h"
#include "reason.h"

#define S_(lit) lit, sizeof(lit) - 1

/* ======================================================================
 * A test server: output collected, events logged, an application that is
 * either the transcript script or a function of the test.
 * ====================================================================== */

typedef struct srv srv;
typedef int (*app_fn)(srv *x, const mw_pop3_cmd *c);

struct srv {
    mw_pop3_server s;
    char line[MW_POP3_SERVER_LINEBUF_SIZE];
    mw_pop3_server_config cfg;
    const p3_script *sc;
    app_fn app;
    evlog *log;
    evlog own;
    mw_textbuf out;
    size_t pos;
    int fail_send;  /* make send fail from the Nth call on (1-based) */
    int nsend;
    int ncmd;
    const char *msg; /* message served by the default application */
    char mech[32];
    int quiet;       /* do not log output bytes */
};

static int on_send(mw_pop3_server *s, void *u, const char *p, size_t n)
{
    srv *x = u;
    assert_ptr_equal(s, &x->s);
    x->nsend++;
    if (x->fail_send && x->nsend >= x->fail_send)
        return -1;
    mw_textbuf_put(&x->out, p, n);
    if (!x->quiet)
        evlog_data(x->log, "out", p, n);
    return 0;
}

static int on_error(mw_pop3_server *s, void *u, int st, size_t off,
                    const char *why)
{
    srv *x = u;
    (void)s;
    evlog_printf(x->log, "error %s @%zu %s", mw_status_name(st), off, why);
    return 0;
}

static int on_command(mw_pop3_server *s, void *u, const mw_pop3_cmd *c)
{
    srv *x = u;
    (void)s;
    x->ncmd++;
    if (!x->quiet) {
        evlog_printf(x->log, "cmd %s msg=%u lines=%u fl=%x @%zu",
                     c->id == MW_POP3_CMD_AUTH_RESPONSE ? "(sasl)"
                                                        : mw_pop3_cmd_name(c->id),
                     (unsigned)c->msg, (unsigned)c->lines, c->flags, c->offset);
        evlog_data(x->log, "  arg", c->arg.ptr, c->arg.len);
        evlog_data(x->log, "  arg2", c->arg2.ptr, c->arg2.len);
    }
    return x->app(x, c);
}

static void srv_setup(srv *x, const mw_pop3_server_config *cfg, app_fn app)
{
    mw_pop3_server_callbacks cb = {0};
    cb.send = on_send;
    cb.command = on_command;
    cb.error = on_error;
    x->out.n = 0;
    x->pos = 0;
    x->nsend = 0;
    x->ncmd = 0;
    x->app = app;
    assert_int_equal(mw_pop3_server_init(&x->s, cfg, &cb, x, x->line,
                                         sizeof x->line),
                     MW_OK);
}

/* ---- the scripted application ---------------------------------------- */

/* Answer command c with the transcript's S lines that follow its C line. */
static int script_app(srv *x, const mw_pop3_cmd *c)
{
    const p3_script *sc = x->sc;
    long li = p3_cline_at(sc, c->offset);
    size_t j;
    const p3_line *l;
    char text[600], raw[4096];
    int ok, rc;

    assert_true(li >= 0);
    j = (size_t)li + 1;
    assert_true(j < sc->nlines && sc->lines[j].who == 'S');
    l = &sc->lines[j];
    if (c->id == MW_POP3_CMD_AUTH)
        snprintf(x->mech, sizeof x->mech, "%.*s", (int)c->arg.len, c->arg.ptr);
    if (l->n >= 2 && l->p[0] == '+' && l->p[1] == ' ') {
        size_t n = p3_b64(l->p + 2, l->n - 2, raw, sizeof raw);
        return mw_pop3_server_auth_challenge(&x->s, raw, n) == MW_OK ? 0 : -1;
    }
    if (c->id == MW_POP3_CMD_AUTH_RESPONSE && strcmp(x->mech, "CRAM-MD5") == 0) {
        /* RFC 2195 §2's example, checked with sasl.h. */
        mw_span user, dig;
        size_t n = p3_b64(c->arg.ptr, c->arg.len, raw, sizeof raw);
        static const char ch[] = "<1896.697170952@postoffice.reston.mci.net>";
#if MW_ENABLE_SASL_CRAM_MD5
        assert_int_equal(mw_sasl_cram_md5_parse(raw, n, &user, &dig, NULL),
                         MW_OK);
        assert_int_equal(mw_sasl_cram_md5_check(ch, sizeof ch - 1,
                                                "tanstaaftanstaaf", 16,
                                                dig.ptr, dig.len),
                         MW_OK);
#else
        /* compiled out (features.h): the machine passes the mechanism
         * on (its name is configuration), sasl.h refuses it */
        assert_int_equal(mw_sasl_cram_md5_parse(raw, n, &user, &dig, NULL),
                         MW_E_UNSUPPORTED);
        assert_int_equal(mw_sasl_cram_md5_check(ch, sizeof ch - 1,
                                                "tanstaaftanstaaf", 16,
                                                "b913a602c7eda7a495b4e6e7334d3890", 32),
                         MW_E_UNSUPPORTED);
#endif
    }
    ok = p3_status(l->p, l->n, &rc, text, sizeof text);
    assert_true(ok >= 0);
    if (c->id == MW_POP3_CMD_APOP)
        assert_int_equal(mw_pop3_server_apop_check(&x->s, "tanstaaf", 8) ==
                             MW_OK,
                         ok);
    if (!ok)
        return mw_pop3_server_reply(&x->s, 0, rc, text[0] ? text : NULL) ==
                       MW_OK
                   ? 0
                   : -1;
    switch (c->id) {
    case MW_POP3_CMD_STAT: {
        unsigned a;
        unsigned long long b;
        assert_int_equal(sscanf(text, "%u %llu", &a, &b), 2);
        return mw_pop3_server_reply_stat(&x->s, a, b) == MW_OK ? 0 : -1;
    }
    case MW_POP3_CMD_LIST:
    case MW_POP3_CMD_UIDL:
        if (c->flags & MW_POP3_CMDF_HAS_MSG) {
            unsigned a;
            char v[100];
            assert_int_equal(sscanf(text, "%u %99s", &a, v), 2);
            if (c->id == MW_POP3_CMD_LIST)
                return mw_pop3_server_scan_listing(&x->s, a, strtoull(v, NULL, 10));
            return mw_pop3_server_uid_listing(&x->s, a, v);
        }
        /* fall through */
    case MW_POP3_CMD_LANG:
        if (c->flags & MW_POP3_CMDF_HAS_RANGE) {
            /* "+OK tag text" (RFC 6856 §3.2) */
            char *sp = strchr(text, ' ');
            if (sp != NULL)
                *sp++ = '\0';
            return mw_pop3_server_reply_lang(&x->s, text, sp) == MW_OK ? 0 : -1;
        }
        /* fall through */
    case MW_POP3_CMD_RETR:
    case MW_POP3_CMD_TOP:
        assert_int_equal(mw_pop3_server_reply_begin(&x->s, text[0] ? text : NULL),
                         MW_OK);
        for (j++; j < sc->nlines; j++) {
            const p3_line *b = &sc->lines[j];
            assert_int_equal(b->who, 'S');
            if (b->n == 1 && b->p[0] == '.')
                break;
            if (c->id == MW_POP3_CMD_LIST || c->id == MW_POP3_CMD_UIDL) {
                unsigned a;
                char v[100];
                snprintf(text, sizeof text, "%.*s", (int)b->n, b->p);
                assert_int_equal(sscanf(text, "%u %99s", &a, v), 2);
                if (c->id == MW_POP3_CMD_LIST)
                    assert_int_equal(mw_pop3_server_scan_listing(
                                         &x->s, a, strtoull(v, NULL, 10)),
                                     MW_OK);
                else
                    assert_int_equal(mw_pop3_server_uid_listing(&x->s, a, v),
                                     MW_OK);
            } else if (c->id == MW_POP3_CMD_LANG) {
                char *sp;
                snprintf(text, sizeof text, "%.*s", (int)b->n, b->p);
                sp = strchr(text, ' ');
                if (sp != NULL)
                    *sp++ = '\0';
                assert_int_equal(mw_pop3_server_lang_listing(&x->s, text, sp),
                                 MW_OK);
            } else {
                /* The application writes the unstuffed message, cut in
                 * two pieces per line. */
                const char *p = b->p;
                size_t n = b->n;
                if (n > 0 && p[0] == '.') {
                    p++;
                    n--;
                }
                rc = mw_pop3_server_write(&x->s, p, n / 2);
                assert_true(rc == MW_OK || rc == MW_DONE);
                rc = mw_pop3_server_write(&x->s, p + n / 2, n - n / 2);
                assert_true(rc == MW_OK || rc == MW_DONE);
                rc = mw_pop3_server_write(&x->s, "\r\n", 2);
                assert_true(rc == MW_OK || rc == MW_DONE);
            }
        }
        return mw_pop3_server_reply_end(&x->s) == MW_OK ? 0 : -1;
    default:
        return mw_pop3_server_reply(&x->s, 1, rc, text[0] ? text : NULL) ==
                       MW_OK
                   ? 0
                   : -1;
    }
}

/* ---- replay glue ------------------------------------------------------ */

static void start_from_script(srv *x)
{
    const p3_line *g = &x->sc->lines[0];
    char text[600];
    int rc;
    const char *lt;
    assert_int_equal(g->who, 'S');
    assert_int_equal(p3_status(g->p, g->n, &rc, text, sizeof text), 1);
    lt = strchr(text, '<');
    if (lt != NULL) {
        /* "text <id.stamp@host>" */
        char id[64], stamp[64], host[128];
        const char *dot = strchr(lt, '.'), *at = strchr(lt, '@');
        snprintf(id, sizeof id, "%.*s", (int)(dot - lt - 1), lt + 1);
        snprintf(stamp, sizeof stamp, "%.*s", (int)(at - dot - 1), dot + 1);
        snprintf(host, sizeof host, "%.*s", (int)(strlen(at) - 2), at + 1);
        text[lt - text - 1] = '\0';
        assert_int_equal(mw_pop3_server_start_apop(&x->s, text, id, stamp, host),
                         MW_OK);
    } else {
        assert_int_equal(mw_pop3_server_start(&x->s, text), MW_OK);
    }
}

static void r_reset(void *ctx, evlog *log)
{
    srv *x = ctx;
    x->log = log;
    srv_setup(x, &x->cfg, script_app);
    start_from_script(x);
}

static int r_feed(void *ctx, const char *p, size_t n, size_t *consumed)
{
    srv *x = ctx;
    size_t k = n;
    int r;
    const size_t tls = x->sc->c_tls;

    if (tls != (size_t)-1 && x->pos == tls &&
        (mw_pop3_server_want(&x->s) & MW_POP3_WANT_TLS)) {
        evlog_printf(x->log, "tls up");
        assert_int_equal(mw_pop3_server_tls_done(&x->s), MW_OK);
    }
    if (tls != (size_t)-1 && x->pos < tls && x->pos + n > tls)
        k = tls - x->pos; /* the client waits for TLS here */
    r = mw_pop3_server_feed(&x->s, p, k, consumed);
    x->pos += *consumed;
    if (r == MW_OK && *consumed < n)
        r = MW_PAUSED;
    return r;
}

static int r_finish(void *ctx)
{
    srv *x = ctx;
    evlog_printf(x->log, "eof %s state=%d", mw_status_name(mw_pop3_server_eof(&x->s)),
                 mw_pop3_server_state(&x->s));
    return MW_OK;
}

static const replay_ops r_ops = {r_reset, r_feed, r_finish};

/* Run transcript `name`, with `edits` (p3_load_edit) unless NULL. */
static void run_transcript_edit(const char *name, const char *const *edits,
                                const mw_pop3_server_config *cfg)
{
    srv *x = calloc(1, sizeof *x);
    p3_script *sc = calloc(1, sizeof *sc);
    evlog whole;
    size_t i;

    if (edits != NULL)
        p3_load_edit(sc, name, edits);
    else
        p3_load(sc, name);
    for (i = 0; i < sc->nlines; i++)
        if (sc->lines[i].n == 1 && sc->lines[i].p[0] == '+')
            fail_msg("%s: vectors must keep trailing spaces (\"S: + \")", name);
    x->sc = sc;
    x->cfg = *cfg;
    evlog_init(&whole);
    replay_check(&r_ops, x, sc->c, sc->clen, &whole);
    /* What the machine sent is the transcript's server side, exactly. */
    if (x->out.n != sc->slen || memcmp(x->out.p, sc->s, sc->slen) != 0) {
        print_error("want:\n%s\ngot:\n%s\n", sc->s, x->out.p);
        fail_msg("%s: output differs from the transcript", name);
    }
    assert_non_null(strstr(evlog_str(&whole), "replay: done at"));
    evlog_free(&whole);
    mw_textbuf_free(&x->out);
    p3_free(sc);
    free(sc);
    free(x);
}

static void run_transcript(const char *name, const mw_pop3_server_config *cfg)
{
    run_transcript_edit(name, NULL, cfg);
}

/* ======================================================================
 * Transcripts
 * ====================================================================== */

static void test_rfc1939_session(void **state)
{
    mw_pop3_server_config cfg;
    (void)state;
    mw_pop3_server_config_init(&cfg);
#if MW_ENABLE_SASL_CRAM_MD5
    cfg.flags |= MW_POP3_SERVER_APOP;
    run_transcript("rfc1939_session.txt", &cfg);
#else
    /* APOP compiled out (features.h; test_apop checks it is refused): the
     * same session with USER and PASS */
    static const char *const edits[] = {P3_NO_APOP_GREETING, P3_NO_APOP_LOGIN,
                                        NULL};
    run_transcript_edit("rfc1939_session.txt", edits, &cfg);
#endif
}

static void test_rfc1939_commands(void **state)
{
    mw_pop3_server_config cfg;
    (void)state;
    mw_pop3_server_config_init(&cfg);
    run_transcript("rfc1939_commands.txt", &cfg);
}

static void test_rfc2449_capa(void **state)
{
    mw_pop3_server_config cfg;
    (void)state;
    mw_pop3_server_config_init(&cfg);
    cfg.flags = MW_POP3_SERVER_TOP | MW_POP3_SERVER_USER |
                MW_POP3_SERVER_RESP_CODES | MW_POP3_SERVER_PIPELINING |
                MW_POP3_SERVER_UIDL;
    cfg.sasl = "CRAM-MD5 KERBEROS_V4";
    cfg.login_delay = "900";
    cfg.expire = "60";
    cfg.implementation = "Shlemazle-Plotz-v302";
    run_transcript("rfc2449_capa.txt", &cfg);
}

static void test_rfc5034_auth(void **state)
{
    mw_pop3_server_config cfg;
    (void)state;
    mw_pop3_server_config_init(&cfg);
    cfg.flags = MW_POP3_SERVER_USER | MW_POP3_SERVER_STLS;
    cfg.sasl = "PLAIN GSSAPI CRAM-MD5 EXTERNAL";
    cfg.implementation = "BlurdyBlurp POP3 server";
    run_transcript("rfc5034_auth.txt", &cfg);
}

static void test_rfc3206_codes(void **state)
{
    mw_pop3_server_config cfg;
    (void)state;
    mw_pop3_server_config_init(&cfg);
    cfg.flags |= MW_POP3_SERVER_UTF8 | MW_POP3_SERVER_UTF8_USER;
    run_transcript("rfc3206_codes.txt", &cfg);
}

static void test_rfc6856_lang(void **state)
{
    mw_pop3_server_config cfg;
    (void)state;
    mw_pop3_server_config_init(&cfg);
    cfg.flags |= MW_POP3_SERVER_LANG;
    run_transcript("rfc6856_lang.txt", &cfg);
}

static void test_stls_transcript(void **state)
{
    mw_pop3_server_config cfg;
    (void)state;
    mw_pop3_server_config_init(&cfg);
    cfg.flags = MW_POP3_SERVER_TOP | MW_POP3_SERVER_RESP_CODES |
                MW_POP3_SERVER_PIPELINING | MW_POP3_SERVER_UIDL |
                MW_POP3_SERVER_STLS | MW_POP3_SERVER_USER |
                MW_POP3_SERVER_AUTH_NEEDS_TLS;
    cfg.sasl = "PLAIN";
    run_transcript("stls.txt", &cfg);
}

/* ======================================================================
 * A default application for the other tests
 * ====================================================================== */

static const char default_msg[] =
    "From: a@example.org\r\nSubject: x\r\n\r\nline 1\r\n.line 2\r\n";

static int default_app(srv *x, const mw_pop3_cmd *c)
{
    mw_pop3_server *s = &x->s;
    switch (c->id) {
    case MW_POP3_CMD_STAT:
        return mw_pop3_server_reply_stat(s, 2, 320);
    case MW_POP3_CMD_LIST:
        if (c->flags & MW_POP3_CMDF_HAS_MSG)
            return mw_pop3_server_scan_listing(s, c->msg, 100);
        mw_pop3_server_reply_begin(s, NULL);
        mw_pop3_server_scan_listing(s, 1, 120);
        return mw_pop3_server_reply_end(s);
    case MW_POP3_CMD_UIDL:
        if (c->flags & MW_POP3_CMDF_HAS_MSG)
            return mw_pop3_server_uid_listing(s, c->msg, "uid");
        mw_pop3_server_reply_begin(s, NULL);
        mw_pop3_server_uid_listing(s, 1, "uid1");
        return mw_pop3_server_reply_end(s);
    case MW_POP3_CMD_RETR:
    case MW_POP3_CMD_TOP: {
        const char *m = x->msg ? x->msg : default_msg;
        mw_pop3_server_reply_begin(s, NULL);
        mw_pop3_server_write(s, m, strlen(m));
        return mw_pop3_server_reply_end(s);
    }
    case MW_POP3_CMD_AUTH:
        return mw_pop3_server_reply(s, 1, 0, NULL);
    default:
        return mw_pop3_server_reply(s, 1, 0, NULL);
    }
}

typedef struct tsrv {
    srv x;
    evlog log;
} tsrv;

static tsrv *ts_new(const mw_pop3_server_config *cfg, app_fn app)
{
    tsrv *t = calloc(1, sizeof *t);
    evlog_init(&t->log);
    t->x.log = &t->log;
    if (cfg != NULL)
        t->x.cfg = *cfg;
    else
        mw_pop3_server_config_init(&t->x.cfg);
    srv_setup(&t->x, &t->x.cfg, app ? app : default_app);
    assert_int_equal(mw_pop3_server_start(&t->x.s, "ready"), MW_OK);
    t->x.out.n = 0;
    evlog_reset(&t->log);
    return t;
}

static void ts_free(tsrv *t)
{
    if (getenv("P3DEBUG"))
        fprintf(stderr, "---- log\n%s", evlog_str(&t->log));
    evlog_free(&t->log);
    mw_textbuf_free(&t->x.out);
    free(t);
}

/* Feed all of p (re-feeding after pauses); returns the last status. */
/* The log holds `what` (printing the log when it does not). */
static void log_has(const evlog *log, const char *what)
{
    if (strstr(evlog_str(log), what) == NULL) {
        print_error("log:\n%s\nlacks: %s\n", evlog_str(log), what);
        fail();
    }
}

static int ts_feedn(tsrv *t, const char *p, size_t n)
{
    size_t pos = 0;
    int r = MW_OK;
    while (pos < n) {
        size_t used = 0;
        r = mw_pop3_server_feed(&t->x.s, p + pos, n - pos, &used);
        pos += used;
        if (r < 0 || r == MW_DONE || (r == MW_PAUSED && used == 0))
            break;
    }
    return r;
}

static int ts_feed(tsrv *t, const char *s)
{
    return ts_feedn(t, s, strlen(s));
}

/* Output since the last call, as a C string, then cleared. */
static const char *ts_out(tsrv *t)
{
    static char buf[1 << 16];
    size_t n = t->x.out.n < sizeof buf - 1 ? t->x.out.n : sizeof buf - 1;
    memcpy(buf, t->x.out.p ? t->x.out.p : "", n);
    buf[n] = '\0';
    t->x.out.n = 0;
    return buf;
}

static void ts_login(tsrv *t)
{
    assert_int_equal(ts_feed(t, "USER u\r\nPASS p\r\n"), MW_OK);
    assert_int_equal(mw_pop3_server_state(&t->x.s), MW_POP3_STATE_TRANSACTION);
    ts_out(t);
    evlog_reset(&t->log);
}

/* ======================================================================
 * States and syntax
 * ====================================================================== */

static void test_states(void **state)
{
    mw_pop3_server_config cfg;
    tsrv *t;
    (void)state;
    mw_pop3_server_config_init(&cfg);
    cfg.max_bad_commands = 0;
    t = ts_new(&cfg, NULL);
    /* TRANSACTION commands before login, RFC 1939 §4. */
    assert_int_equal(ts_feed(t, "STAT\r\nRETR 1\r\nNOOP\r\n"), MW_OK);
    assert_string_equal(ts_out(t), "-ERR Command not valid in this state\r\n"
                                   "-ERR Command not valid in this state\r\n"
                                   "-ERR Command not valid in this state\r\n");
    log_has(&t->log, "error MW_E_STATE @0 " R_("command not valid"));
    log_has(&t->log, "error MW_E_STATE @6 ");
    assert_int_equal(t->x.ncmd, 0);
    /* PASS must follow a successful USER (RFC 1939 §7). */
    assert_int_equal(ts_feed(t, "PASS x\r\n"), MW_OK);
    assert_string_equal(ts_out(t), "-ERR PASS must follow a successful USER\r\n");
    assert_int_equal(ts_feed(t, "USER u\r\nNOOP\r\nPASS x\r\n"), MW_OK);
    assert_string_equal(ts_out(t), "+OK\r\n-ERR Command not valid in this state\r\n"
                                   "-ERR PASS must follow a successful USER\r\n");
    ts_login(t);
    /* AUTHORIZATION commands after login. */
    assert_int_equal(ts_feed(t, "USER u\r\nPASS p\r\nAPOP a b\r\nUTF8\r\n"), MW_OK);
    assert_string_equal(ts_out(t), "-ERR Command not valid in this state\r\n"
                                   "-ERR Command not valid in this state\r\n"
                                   "-ERR Unknown command\r\n"
                                   "-ERR Unknown command\r\n");
    /* QUIT in TRANSACTION enters UPDATE until answered. */
    assert_int_equal(ts_feed(t, "QUIT\r\nNOOP\r\n"), MW_DONE);
    assert_string_equal(ts_out(t), "+OK\r\n");
    assert_int_equal(mw_pop3_server_state(&t->x.s), MW_POP3_STATE_CLOSED);
    assert_int_equal(mw_pop3_server_want(&t->x.s), MW_POP3_WANT_CLOSED);
    {
        size_t used = 99;
        assert_int_equal(mw_pop3_server_feed(&t->x.s, "NOOP\r\n", 6, &used),
                         MW_E_CLOSED);
        assert_int_equal(used, 0);
    }
    ts_free(t);
}

static int update_app(srv *x, const mw_pop3_cmd *c)
{
    if (c->id == MW_POP3_CMD_QUIT)
        evlog_printf(x->log, "state in QUIT %d", mw_pop3_server_state(&x->s));
    return default_app(x, c);
}

static void test_quit_states(void **state)
{
    tsrv *t = ts_new(NULL, update_app);
    size_t used;
    (void)state;
    /* RFC 1939 §6: QUIT in AUTHORIZATION does not enter UPDATE. */
    assert_int_equal(mw_pop3_server_feed(&t->x.s, "QUIT\r\nX", 7, &used), MW_DONE);
    assert_int_equal(used, 6);
    log_has(&t->log, "state in QUIT 1");
    ts_free(t);
    t = ts_new(NULL, update_app);
    ts_login(t);
    assert_int_equal(ts_feed(t, "QUIT\r\n"), MW_DONE);
    log_has(&t->log, "state in QUIT 3");
    ts_free(t);
}

static void test_syntax(void **state)
{
    tsrv *t = ts_new(NULL, NULL);
    mw_pop3_server_config cfg;
    (void)state;
    mw_pop3_server_config_init(&cfg);
    cfg.max_bad_commands = 0;
    ts_free(t);
    t = ts_new(&cfg, NULL);
    assert_int_equal(ts_feed(t, "FOO\r\nUSERX a\r\nUS\r\n\r\nUSER\r\nUSER   \r\n"),
                     MW_OK);
    assert_string_equal(ts_out(t), "-ERR Unknown command\r\n-ERR Unknown command\r\n"
                                   "-ERR Unknown command\r\n-ERR Unknown command\r\n"
                                   "-ERR Missing argument\r\n-ERR Missing argument\r\n");
    /* Keywords are case-insensitive; PASS keeps its spaces. */
    assert_int_equal(ts_feed(t, "user Bob \r\npAsS  two words \r\n"), MW_OK);
    assert_string_equal(ts_out(t), "+OK\r\n+OK\r\n");
    log_has(&t->log, "  arg: Bob\n");
    log_has(&t->log, "  arg:  two words \n");
    evlog_reset(&t->log);
    assert_int_equal(ts_feed(t, "RETR\r\nRETR 0\r\nRETR x\r\nRETR 1 2\r\n"
                                "RETR 4294967296\r\nTOP 1\r\nTOP 1 x\r\nLIST 1 2\r\n"
                                "STAT 1\r\nNOOP x\r\nDELE -1\r\nUIDL 01\r\n"),
                     MW_OK);
    assert_string_equal(ts_out(t),
                        "-ERR Syntax: command [msg]\r\n-ERR Invalid message number\r\n"
                        "-ERR Invalid message number\r\n-ERR Syntax: command [msg]\r\n"
                        "-ERR Invalid message number\r\n-ERR Syntax: TOP msg n\r\n"
                        "-ERR Invalid line count\r\n-ERR Syntax: command [msg]\r\n"
                        "-ERR This command takes no argument\r\n"
                        "-ERR This command takes no argument\r\n"
                        "-ERR Invalid message number\r\n+OK 1 uid\r\n");
    log_has(&t->log, "error MW_E_OVERFLOW @");
    evlog_reset(&t->log);
    /* Trailing spaces are tolerated; extra spaces between arguments too;
     * a line count beyond 32 bits means "all". */
    assert_int_equal(ts_feed(t, "NOOP \r\nTOP  2   3 \r\nTOP 1 99999999999\r\n"
                                "LIST 4294967295\r\n"),
                     MW_OK);
    log_has(&t->log, "cmd TOP msg=2 lines=3");
    log_has(&t->log, "cmd TOP msg=1 lines=4294967295");
    log_has(&t->log, "cmd LIST msg=4294967295 lines=0 fl=1");
    ts_out(t);
    /* Line ends and NUL. */
    assert_int_equal(ts_feedn(t, S_("NOOP\nNOOP\r\nNO\0OP\r\nNO\rOP\r\n")), MW_OK);
    assert_string_equal(ts_out(t), "-ERR Commands must end with CRLF\r\n+OK\r\n"
                                   "-ERR NUL in command\r\n-ERR Bare CR in command\r\n");
    /* offsets count from the session's first byte: this feed starts at
     * 229 */
    log_has(&t->log, "error MW_E_BARE_LF @233 ");
    log_has(&t->log, "error MW_E_NUL @242 ");
    log_has(&t->log, "error MW_E_BARE_CR @249 ");
    ts_free(t);
}

/* ======================================================================
 * Limits
 * ====================================================================== */

static void long_user(char *buf, size_t content)
{
    /* "USER xxxx...": content bytes before CRLF */
    memcpy(buf, "USER ", 5);
    memset(buf + 5, 'x', content - 5);
    memcpy(buf + content, "\r\n", 3);
}

static void test_line_limit(void **state)
{
    static const size_t caps[] = {255, 100, 16};
    char buf[600];
    size_t k;
    (void)state;
    for (k = 0; k < 3; k++) {
        /* Both through the machine's own check (SASL limit larger) and
         * through the framer's (SASL limit equal). */
        for (int same = 0; same < 2; same++) {
            mw_pop3_server_config cfg;
            tsrv *t;
            size_t cap = caps[k];
            mw_pop3_server_config_init(&cfg);
            cfg.max_line = cap;
            if (same)
                cfg.max_auth_line = cap;
            t = ts_new(&cfg, NULL);
            /* cap counts CRLF: cap-1 and cap are fine, cap+1 is not. */
            long_user(buf, cap - 3);
            assert_int_equal(ts_feed(t, buf), MW_OK);
            assert_string_equal(ts_out(t), "+OK\r\n");
            long_user(buf, cap - 2);
            assert_int_equal(ts_feed(t, buf), MW_OK);
            assert_string_equal(ts_out(t), "+OK\r\n");
            long_user(buf, cap - 1);
            assert_int_equal(ts_feed(t, buf), MW_OK);
            assert_string_equal(ts_out(t), "-ERR Command line too long\r\n");
            log_has(&t->log, "error MW_E_TOO_LONG");
            /* and the next command is read normally */
            assert_int_equal(ts_feed(t, "USER a\r\n"), MW_OK);
            assert_string_equal(ts_out(t), "+OK\r\n");
            /* a line that never ends is cut off at the framer's limit */
            if (same) {
                memset(buf, 'y', sizeof buf);
                assert_int_equal(ts_feedn(t, buf, sizeof buf), MW_OK);
                assert_string_equal(ts_out(t), "-ERR Command line too long\r\n");
            }
            ts_free(t);
        }
    }
}

static int sasl_app(srv *x, const mw_pop3_cmd *c)
{
    if (c->id == MW_POP3_CMD_AUTH)
        return mw_pop3_server_auth_challenge(&x->s, NULL, 0);
    if (c->id == MW_POP3_CMD_AUTH_RESPONSE)
        return mw_pop3_server_reply(&x->s, 1, 0, "in");
    return default_app(x, c);
}

static void test_auth_line_limit(void **state)
{
    mw_pop3_server_config cfg;
    char buf[400];
    size_t k;
    (void)state;
    mw_pop3_server_config_init(&cfg);
    cfg.sasl = "PLAIN";
    cfg.max_auth_line = 300;
    for (k = 297; k <= 299; k++) { /* content cap-3, cap-2, cap-1 */
        tsrv *t = ts_new(&cfg, sasl_app);
        assert_int_equal(ts_feed(t, "AUTH PLAIN\r\n"), MW_OK);
        assert_string_equal(ts_out(t), "+ \r\n");
        memset(buf, 'A', k);
        memcpy(buf + k, "\r\n", 3);
        assert_int_equal(ts_feed(t, buf), MW_OK);
        if (k <= 298) {
            assert_string_equal(ts_out(t), "+OK in\r\n");
            assert_int_equal(mw_pop3_server_state(&t->x.s),
                             MW_POP3_STATE_TRANSACTION);
        } else {
            assert_string_equal(ts_out(t),
                                "-ERR Authentication failed: bad response line\r\n");
            assert_int_equal(mw_pop3_server_state(&t->x.s),
                             MW_POP3_STATE_AUTHORIZATION);
            /* The exchange is over: the next line is a command again. */
            assert_int_equal(ts_feed(t, "NOOP\r\n"), MW_OK);
            assert_string_equal(ts_out(t), "-ERR Command not valid in this state\r\n");
        }
        ts_free(t);
    }
}

static void test_bad_limit(void **state)
{
    unsigned n;
    (void)state;
    for (n = 1; n <= 4; n++) {
        mw_pop3_server_config cfg;
        tsrv *t;
        unsigned i;
        mw_pop3_server_config_init(&cfg);
        cfg.max_bad_commands = 3;
        t = ts_new(&cfg, NULL);
        for (i = 0; i < n && i < 3; i++) {
            int r = ts_feed(t, "BAD\r\n");
            if (i + 1 < 3) {
                assert_int_equal(r, MW_OK);
                assert_string_equal(ts_out(t), "-ERR Unknown command\r\n");
            } else {
                assert_int_equal(r, MW_DONE);
                assert_string_equal(ts_out(t),
                                    "-ERR Too many bad commands, closing connection\r\n");
                assert_int_equal(mw_pop3_server_want(&t->x.s), MW_POP3_WANT_CLOSED);
                log_has(&t->log, "error MW_E_LIMIT");
            }
        }
        if (n < 3) {
            /* cap - 1 bad commands: a good one still works */
            assert_int_equal(ts_feed(t, "USER a\r\n"), MW_OK);
            assert_string_equal(ts_out(t), "+OK\r\n");
        }
        ts_free(t);
    }
    {
        /* 0: no limit */
        mw_pop3_server_config cfg;
        tsrv *t;
        unsigned i;
        mw_pop3_server_config_init(&cfg);
        cfg.max_bad_commands = 0;
        t = ts_new(&cfg, NULL);
        t->x.quiet = 1;
        for (i = 0; i < 1000; i++)
            assert_int_equal(ts_feed(t, "BAD\r\n"), MW_OK);
        ts_free(t);
    }
}

/* ======================================================================
 * STLS (RFC 2595 §4; CVE-2011-0411)
 * ====================================================================== */

static int stls_app(srv *x, const mw_pop3_cmd *c)
{
    if (c->id == MW_POP3_CMD_STLS)
        return mw_pop3_server_reply(&x->s, 1, 0, "Begin TLS negotiation");
    return default_app(x, c);
}

static void test_stls_injection(void **state)
{
    mw_pop3_server_config cfg;
    tsrv *t;
    size_t used;
    static const char in[] = "STLS\r\nUSER evil\r\nPASS x\r\n";
    (void)state;
    mw_pop3_server_config_init(&cfg);
    cfg.flags |= MW_POP3_SERVER_STLS;
    t = ts_new(&cfg, stls_app);
    assert_int_equal(mw_pop3_server_feed(&t->x.s, in, sizeof in - 1, &used), MW_OK);
    assert_int_equal(used, sizeof in - 1);
    assert_string_equal(ts_out(t), "+OK Begin TLS negotiation\r\n");
    assert_int_equal(t->x.ncmd, 1); /* only STLS reached the application */
    assert_int_equal(mw_pop3_server_want(&t->x.s), MW_POP3_WANT_TLS);
    assert_int_equal(mw_pop3_server_discarded(&t->x.s), sizeof in - 1 - 6);
    log_has(&t->log, "error MW_E_TLS_LEFTOVER @6 " R_("plaintext after STLS discarded"));
    /* More plaintext before the handshake completes: dropped as well,
     * reported once. */
    assert_int_equal(mw_pop3_server_feed(&t->x.s, "NOOP\r\n", 6, &used), MW_OK);
    assert_int_equal(mw_pop3_server_discarded(&t->x.s), sizeof in - 1 - 6 + 6);
    assert_null(strstr(strstr(evlog_str(&t->log), "MW_E_TLS_LEFTOVER @6 ") + 20,
                       "MW_E_TLS_LEFTOVER"));
    assert_int_equal(mw_pop3_server_tls_done(&t->x.s), MW_OK);
    assert_int_equal(mw_pop3_server_tls_done(&t->x.s), MW_E_STATE);
    /* After TLS: USER must be sent again, STLS is refused and not listed. */
    assert_int_equal(ts_feed(t, "PASS x\r\nSTLS\r\nCAPA\r\nUSER good\r\n"), MW_OK);
    assert_string_equal(ts_out(t), "-ERR PASS must follow a successful USER\r\n"
                                   "-ERR Command not permitted when TLS active\r\n"
                                   "+OK Capability list follows\r\nTOP\r\nUSER\r\n"
                                   "RESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
                                   "UIDL\r\n.\r\n+OK\r\n");
    assert_int_equal(t->x.ncmd, 2);
    ts_free(t);
}

static int stls_refuse_app(srv *x, const mw_pop3_cmd *c)
{
    if (c->id == MW_POP3_CMD_STLS)
        return mw_pop3_server_reply(&x->s, 0, MW_POP3_RC_SYS_TEMP, "no TLS now");
    return default_app(x, c);
}

static void test_stls_refused_and_per_byte(void **state)
{
    mw_pop3_server_config cfg;
    tsrv *t;
    static const char in[] = "STLS\r\nUSER evil\r\n";
    size_t i;
    (void)state;
    mw_pop3_server_config_init(&cfg);
    cfg.flags |= MW_POP3_SERVER_STLS;
    /* Refused: the pipelined command is an ordinary command. */
    t = ts_new(&cfg, stls_refuse_app);
    assert_int_equal(ts_feed(t, in), MW_OK);
    assert_string_equal(ts_out(t), "-ERR [SYS/TEMP] no TLS now\r\n+OK\r\n");
    ts_free(t);
    /* Accepted, bytes fed one at a time: still never parsed. */
    t = ts_new(&cfg, stls_app);
    for (i = 0; i < sizeof in - 1; i++) {
        size_t used;
        assert_int_equal(mw_pop3_server_feed(&t->x.s, in + i, 1, &used), MW_OK);
        assert_int_equal(used, 1);
    }
    assert_int_equal(t->x.ncmd, 1);
    assert_int_equal(mw_pop3_server_discarded(&t->x.s), 11);
    /* implicit TLS: STLS refused, not listed */
    ts_free(t);
    cfg.flags |= MW_POP3_SERVER_TLS_ACTIVE;
    t = ts_new(&cfg, stls_app);
    assert_int_equal(ts_feed(t, "STLS\r\n"), MW_OK);
    assert_string_equal(ts_out(t), "-ERR Command not permitted when TLS active\r\n");
    ts_free(t);
}

static void test_auth_needs_tls(void **state)
{
    mw_pop3_server_config cfg;
    tsrv *t;
    (void)state;
    mw_pop3_server_config_init(&cfg);
    cfg.flags |= MW_POP3_SERVER_STLS | MW_POP3_SERVER_AUTH_NEEDS_TLS;
    cfg.sasl = "PLAIN";
    t = ts_new(&cfg, stls_app);
    assert_int_equal(ts_feed(t, "USER a\r\nAUTH PLAIN\r\nCAPA\r\n"), MW_OK);
    assert_string_equal(ts_out(t), "-ERR Authentication requires STLS first\r\n"
                                   "-ERR Authentication requires STLS first\r\n"
                                   "+OK Capability list follows\r\nTOP\r\n"
                                   "RESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
                                   "UIDL\r\nSTLS\r\n.\r\n");
    assert_int_equal(ts_feed(t, "STLS\r\n"), MW_OK);
    assert_int_equal(mw_pop3_server_tls_done(&t->x.s), MW_OK);
    ts_out(t);
    assert_int_equal(ts_feed(t, "USER a\r\n"), MW_OK);
    assert_string_equal(ts_out(t), "+OK\r\n");
    ts_free(t);
}

/* ======================================================================
 * The streaming writer
 * ====================================================================== */

typedef struct wr {
    const char *msg;
    size_t len;
    size_t cut;     /* write in two pieces at this offset */
    int per_byte;
    int done_seen;
} wr;

static int writer_app(srv *x, const mw_pop3_cmd *c)
{
    wr *w = (wr *)(void *)x->msg;
    int r;
    if (c->id != MW_POP3_CMD_RETR && c->id != MW_POP3_CMD_TOP)
        return default_app(x, c);
    assert_int_equal(mw_pop3_server_reply_begin(&x->s, "message follows"), MW_OK);
    if (w->per_byte) {
        size_t i;
        for (i = 0; i < w->len; i++) {
            r = mw_pop3_server_write(&x->s, w->msg + i, 1);
            assert_true(r == MW_OK || r == MW_DONE);
            if (r == MW_DONE)
                w->done_seen = 1;
        }
    } else {
        r = mw_pop3_server_write(&x->s, w->msg, w->cut);
        assert_true(r == MW_OK || r == MW_DONE);
        if (r == MW_DONE)
            w->done_seen = 1;
        r = mw_pop3_server_write(&x->s, w->msg + w->cut, w->len - w->cut);
        assert_true(r == MW_OK || r == MW_DONE);
        if (r == MW_DONE)
            w->done_seen = 1;
    }
    return mw_pop3_server_reply_end(&x->s);
}

/* Serve msg for `cmd` at every chunking; all must give `want`. */
static void check_writer(const char *cmd, const char *msg, size_t len,
                         mw_newline_policy pol, const char *want)
{
    mw_pop3_server_config cfg;
    wr w;
    size_t cut;
    mw_pop3_server_config_init(&cfg);
    cfg.body_newline = pol;
    memset(&w, 0, sizeof w);
    w.msg = msg;
    w.len = len;
    for (cut = 0; cut <= len + 1; cut++) {
        tsrv *t = ts_new(&cfg, writer_app);
        t->x.msg = (const char *)(void *)&w;
        ts_login(t);
        w.cut = cut <= len ? cut : 0;
        w.per_byte = cut == len + 1;
        assert_int_equal(ts_feed(t, cmd), MW_OK);
        {
            const char *got = ts_out(t);
            if (strcmp(got, want) != 0) {
                print_error("cut %zu\nwant: %s\ngot:  %s\n", cut, want, got);
                fail();
            }
        }
        ts_free(t);
    }
}

static void test_writer_dots(void **state)
{
    (void)state;
    /* RFC 1939 §3: lines starting with '.' get one more; "." alone too. */
    check_writer("RETR 1\r\n", S_(".\r\n..\r\n.x\r\nx.\r\n\r\n.\r\n"),
                 MW_NEWLINE_ACCEPT,
                 "+OK message follows\r\n..\r\n...\r\n..x\r\nx.\r\n\r\n..\r\n.\r\n");
    /* no final CRLF: added before the terminator */
    check_writer("RETR 1\r\n", S_("a\r\n.b"), MW_NEWLINE_ACCEPT,
                 "+OK message follows\r\na\r\n..b\r\n.\r\n");
    /* empty message */
    check_writer("RETR 1\r\n", "", 0, MW_NEWLINE_ACCEPT,
                 "+OK message follows\r\n.\r\n");
    /* a message that is only "." */
    check_writer("RETR 1\r\n", S_("."), MW_NEWLINE_ACCEPT,
                 "+OK message follows\r\n..\r\n.\r\n");
}

static void test_writer_newlines(void **state)
{
    (void)state;
    /* ACCEPT (default): bare LF and bare CR become CRLF, and start a line,
     * so a dot after them is stuffed: the client never sees a bare one. */
    check_writer("RETR 1\r\n", S_("a\nb\rc\r\n.\n.d\n"), MW_NEWLINE_ACCEPT,
                 "+OK message follows\r\na\r\nb\r\nc\r\n..\r\n..d\r\n.\r\n");
    /* PASS: bytes go as they are; a bare LF does not start a line. */
    check_writer("RETR 1\r\n", S_("a\n.b\r\n"), MW_NEWLINE_PASS,
                 "+OK message follows\r\na\n.b\r\n.\r\n");
}

static int reject_app(srv *x, const mw_pop3_cmd *c)
{
    int r;
    if (c->id != MW_POP3_CMD_RETR)
        return default_app(x, c);
    mw_pop3_server_reply_begin(&x->s, NULL);
    r = mw_pop3_server_write(&x->s, "ab\ncd\r\n", 7);
    evlog_printf(x->log, "write %s", mw_status_name(r));
    r = mw_pop3_server_write(&x->s, "ef\r\n", 4);
    evlog_printf(x->log, "write %s", mw_status_name(r));
    return mw_pop3_server_reply_end(&x->s);
}

static void test_writer_reject(void **state)
{
    mw_pop3_server_config cfg;
    tsrv *t;
    (void)state;
    mw_pop3_server_config_init(&cfg);
    cfg.body_newline = MW_NEWLINE_REJECT;
    t = ts_new(&cfg, reject_app);
    ts_login(t);
    t->x.quiet = 1;
    assert_int_equal(ts_feed(t, "RETR 1\r\n"), MW_OK);
    log_has(&t->log, "write MW_E_BARE_LF\nwrite MW_OK");
    /* the bytes before the bare LF went out, the rest of that chunk not */
    assert_string_equal(ts_out(t), "+OK\r\nabef\r\n.\r\n");
    ts_free(t);
}

static void test_top(void **state)
{
    static const char m[] = "H1: a\r\nH2: b\r\n\r\nl1\r\n.l2\r\n\r\nl4\r\n";
    (void)state;
    check_writer("TOP 1 0\r\n", S_(m), MW_NEWLINE_ACCEPT,
                 "+OK message follows\r\nH1: a\r\nH2: b\r\n\r\n.\r\n");
    check_writer("TOP 1 1\r\n", S_(m), MW_NEWLINE_ACCEPT,
                 "+OK message follows\r\nH1: a\r\nH2: b\r\n\r\nl1\r\n.\r\n");
    check_writer("TOP 1 2\r\n", S_(m), MW_NEWLINE_ACCEPT,
                 "+OK message follows\r\nH1: a\r\nH2: b\r\n\r\nl1\r\n..l2\r\n.\r\n");
    /* an empty body line counts as a line */
    check_writer("TOP 1 3\r\n", S_(m), MW_NEWLINE_ACCEPT,
                 "+OK message follows\r\nH1: a\r\nH2: b\r\n\r\nl1\r\n..l2\r\n\r\n.\r\n");
    /* more lines than the body has: all of it */
    check_writer("TOP 1 10\r\n", S_(m), MW_NEWLINE_ACCEPT,
                 "+OK message follows\r\nH1: a\r\nH2: b\r\n\r\nl1\r\n..l2\r\n\r\nl4\r\n.\r\n");
    /* a header with no body: all of it, CRLF added */
    check_writer("TOP 1 0\r\n", S_("H: x\r\nH2: y"), MW_NEWLINE_ACCEPT,
                 "+OK message follows\r\nH: x\r\nH2: y\r\n.\r\n");
    /* bare LF line ends (ACCEPT makes them CRLF, then counts them) */
    check_writer("TOP 1 1\r\n", S_("H: x\n\nb1\nb2\n"), MW_NEWLINE_ACCEPT,
                 "+OK message follows\r\nH: x\r\n\r\nb1\r\n.\r\n");
    /* the last body line without CRLF */
    check_writer("TOP 1 1\r\n", S_("H: x\r\n\r\nb1"), MW_NEWLINE_ACCEPT,
                 "+OK message follows\r\nH: x\r\n\r\nb1\r\n.\r\n");
}

static void test_top_done(void **state)
{
    mw_pop3_server_config cfg;
    wr w;
    tsrv *t;
    (void)state;
    mw_pop3_server_config_init(&cfg);
    memset(&w, 0, sizeof w);
    w.msg = "H: x\r\n\r\nb1\r\nb2\r\n";
    w.len = strlen(w.msg);
    w.per_byte = 1;
    t = ts_new(&cfg, writer_app);
    t->x.msg = (const char *)(void *)&w;
    ts_login(t);
    assert_int_equal(ts_feed(t, "TOP 1 1\r\n"), MW_OK);
    assert_int_equal(w.done_seen, 1);
    w.done_seen = 0;
    assert_int_equal(ts_feed(t, "RETR 1\r\n"), MW_OK);
    assert_int_equal(w.done_seen, 0);
    ts_free(t);
}

/* ======================================================================
 * Reply formatters
 * ====================================================================== */

static int hold_app(srv *x, const mw_pop3_cmd *c)
{
    (void)x;
    (void)c;
    return 0; /* answered later by the test */
}

static void test_reply_forms(void **state)
{
    tsrv *t = ts_new(NULL, hold_app);
    mw_pop3_server *s = &t->x.s;
    char big[600];
    size_t used;
    (void)state;
    /* nothing pending */
    assert_int_equal(mw_pop3_server_reply(s, 1, 0, NULL), MW_E_STATE);
    assert_int_equal(mw_pop3_server_reply_end(s), MW_E_STATE);
    assert_int_equal(mw_pop3_server_write(s, "x", 1), MW_E_STATE);
    assert_int_equal(mw_pop3_server_reply_stat(s, 1, 1), MW_E_STATE);
    assert_int_equal(mw_pop3_server_auth_challenge(s, NULL, 0), MW_E_STATE);
    assert_int_equal(mw_pop3_server_feed(s, "USER a\r\nPASS b\r\n", 16, &used),
                     MW_PAUSED);
    assert_int_equal(used, 8);
    assert_int_equal(mw_pop3_server_want(s), MW_POP3_WANT_REPLY);
    /* CR, LF in the text: refused, nothing sent */
    assert_int_equal(mw_pop3_server_reply(s, 1, 0, "a\r\nb"), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_reply(s, 1, 0, "a\nb"), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_reply(s, 1, 0, "a\rb"), MW_E_INVAL);
    /* text that would read as a response code */
    assert_int_equal(mw_pop3_server_reply(s, 0, 0, "[AUTH] x"), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_reply(s, 0, MW_POP3_RC_OTHER, "x"), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_reply(s, 0, 99, "x"), MW_E_INVAL);
    /* 512 octets with CRLF: "-ERR " + 505 + CRLF = 512 fits, 506 not */
    memset(big, 'x', sizeof big);
    big[506] = '\0';
    assert_int_equal(mw_pop3_server_reply(s, 0, 0, big), MW_E_TOO_LONG);
    assert_string_equal(ts_out(t), "");
    big[505] = '\0';
    assert_int_equal(mw_pop3_server_reply(s, 0, 0, big), MW_OK);
    assert_int_equal(t->x.out.n, 512);
    ts_out(t);
    /* all used, a reply owed: MW_OK, and want() says REPLY */
    assert_int_equal(mw_pop3_server_feed(s, "USER a\r\n", 8, &used), MW_OK);
    assert_int_equal(mw_pop3_server_want(s), MW_POP3_WANT_REPLY);
    assert_int_equal(mw_pop3_server_reply(s, 1, 0, NULL), MW_OK);
    assert_int_equal(mw_pop3_server_feed(s, "PASS b\r\n", 8, &used), MW_OK);
    assert_int_equal(mw_pop3_server_reply(s, 1, 0, ""), MW_OK);
    assert_string_equal(ts_out(t), "+OK\r\n+OK\r\n");
    /* +OK forms that carry values or more lines */
    assert_int_equal(mw_pop3_server_feed(s, "STAT\r\n", 6, &used), MW_OK);
    assert_int_equal(mw_pop3_server_reply(s, 1, 0, "2 320"), MW_E_STATE);
    assert_int_equal(mw_pop3_server_reply_begin(s, NULL), MW_E_STATE);
    assert_int_equal(mw_pop3_server_scan_listing(s, 1, 1), MW_E_STATE);
    assert_int_equal(mw_pop3_server_reply_stat(s, 4294967295u, UINT64_MAX), MW_OK);
    assert_string_equal(ts_out(t), "+OK 4294967295 18446744073709551615\r\n");
    assert_int_equal(mw_pop3_server_feed(s, "RETR 1\r\n", 8, &used), MW_OK);
    assert_int_equal(mw_pop3_server_reply(s, 1, 0, NULL), MW_E_STATE);
    assert_int_equal(mw_pop3_server_scan_listing(s, 1, 1), MW_E_STATE);
    assert_int_equal(mw_pop3_server_reply(s, 0, 0, "no such message"), MW_OK);
    assert_int_equal(mw_pop3_server_feed(s, "UIDL 3\r\n", 8, &used), MW_OK);
    assert_int_equal(mw_pop3_server_uid_listing(s, 3, ""), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_uid_listing(s, 3, "a b"), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_uid_listing(s, 3, "a\x7f"), MW_E_INVAL);
    memset(big, 'u', 71);
    big[71] = '\0';
    assert_int_equal(mw_pop3_server_uid_listing(s, 3, big), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_uid_listing(s, 0, "x"), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_scan_listing(s, 3, 1), MW_E_STATE);
    big[70] = '\0';
    assert_int_equal(mw_pop3_server_uid_listing(s, 3, big), MW_OK);
    assert_int_equal(mw_pop3_server_feed(s, "LIST\r\n", 6, &used), MW_OK);
    assert_int_equal(mw_pop3_server_scan_listing(s, 1, 1), MW_E_STATE);
    assert_int_equal(mw_pop3_server_reply_begin(s, "[x"), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_reply_begin(s, "2 messages"), MW_OK);
    assert_int_equal(mw_pop3_server_write(s, "x", 1), MW_E_STATE);
    assert_int_equal(mw_pop3_server_uid_listing(s, 1, "x"), MW_E_STATE);
    assert_int_equal(mw_pop3_server_reply(s, 0, 0, NULL), MW_E_STATE);
    assert_int_equal(mw_pop3_server_scan_listing(s, 0, 1), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_scan_listing(s, 1, 10), MW_OK);
    assert_int_equal(mw_pop3_server_scan_listing(s, 2, 20), MW_OK);
    assert_int_equal(mw_pop3_server_bye(s, 0, NULL), MW_E_STATE);
    assert_int_equal(mw_pop3_server_reply_end(s), MW_OK);
    ts_out(t);
    /* the server ends the session itself (an inactivity timer) */
    assert_int_equal(mw_pop3_server_bye(s, MW_POP3_RC_SYS_TEMP, "idle"), MW_OK);
    assert_string_equal(ts_out(t), "-ERR [SYS/TEMP] idle\r\n");
    assert_int_equal(mw_pop3_server_want(s), MW_POP3_WANT_CLOSED);
    ts_free(t);
}

/* ======================================================================
 * Asynchronous replies and pipelining
 * ====================================================================== */

static void test_async_pipelined(void **state)
{
    tsrv *t = ts_new(NULL, hold_app);
    mw_pop3_server *s = &t->x.s;
    static const char in[] = "USER a\r\nPASS b\r\nSTAT\r\nQUIT\r\n";
    size_t pos = 0, used;
    int r;
    (void)state;
    r = mw_pop3_server_feed(s, in, sizeof in - 1, &used);
    assert_int_equal(r, MW_PAUSED);
    assert_int_equal(used, 8);
    pos += used;
    /* feeding again while the reply is owed takes nothing */
    assert_int_equal(mw_pop3_server_feed(s, in + pos, sizeof in - 1 - pos, &used),
                     MW_PAUSED);
    assert_int_equal(used, 0);
    assert_int_equal(mw_pop3_server_reply(s, 1, 0, NULL), MW_OK);
    assert_int_equal(mw_pop3_server_feed(s, in + pos, sizeof in - 1 - pos, &used),
                     MW_PAUSED);
    assert_int_equal(used, 8);
    pos += used;
    assert_int_equal(mw_pop3_server_reply(s, 1, 0, NULL), MW_OK);
    assert_int_equal(mw_pop3_server_feed(s, in + pos, sizeof in - 1 - pos, &used),
                     MW_PAUSED);
    pos += used;
    assert_int_equal(mw_pop3_server_reply_stat(s, 0, 0), MW_OK);
    assert_int_equal(mw_pop3_server_feed(s, in + pos, sizeof in - 1 - pos, &used),
                     MW_OK);
    assert_int_equal(used, 6);
    assert_int_equal(mw_pop3_server_want(s), MW_POP3_WANT_REPLY);
    assert_int_equal(mw_pop3_server_state(s), MW_POP3_STATE_UPDATE);
    assert_int_equal(mw_pop3_server_reply(s, 0, 0, "some deleted messages not removed"),
                     MW_OK);
    assert_int_equal(mw_pop3_server_want(s), MW_POP3_WANT_CLOSED);
    assert_string_equal(ts_out(t), "+OK\r\n+OK\r\n+OK 0 0\r\n"
                                   "-ERR some deleted messages not removed\r\n");
    ts_free(t);
}

static int pause_app(srv *x, const mw_pop3_cmd *c)
{
    default_app(x, c);
    return MW_PAUSED; /* answered, but stop feed after each command */
}

static void test_callback_pause(void **state)
{
    tsrv *t = ts_new(NULL, pause_app);
    size_t used;
    (void)state;
    assert_int_equal(mw_pop3_server_feed(&t->x.s, "USER a\r\nUSER b\r\n", 16, &used),
                     MW_PAUSED);
    assert_int_equal(used, 8);
    assert_int_equal(mw_pop3_server_feed(&t->x.s, "USER b\r\n", 8, &used), MW_PAUSED);
    assert_int_equal(used, 8);
    ts_free(t);
}

static void test_100k_pipelined(void **state)
{
    const size_t n = 100000;
    static const char cmd[] = "NOOP\r\n";
    char *in = malloc(n * 6), *want;
    tsrv *t = ts_new(NULL, NULL);
    size_t i, chunk;
    (void)state;
    for (i = 0; i < n; i++)
        memcpy(in + i * 6, cmd, 6);
    ts_login(t);
    t->x.quiet = 1;
    /* all at once, then in odd-sized chunks */
    for (chunk = n * 6; chunk >= 4093; chunk = chunk == n * 6 ? 4093 : 0) {
        size_t pos = 0;
        t->x.ncmd = 0;
        while (pos < n * 6) {
            size_t k = n * 6 - pos < chunk ? n * 6 - pos : chunk;
            assert_int_equal(ts_feedn(t, in + pos, k), MW_OK);
            pos += k;
        }
        assert_int_equal(t->x.ncmd, n);
        assert_int_equal(t->x.out.n, n * 5);
        want = t->x.out.p;
        for (i = 0; i < n; i++)
            assert_memory_equal(want + i * 5, "+OK\r\n", 5);
        t->x.out.n = 0;
    }
    ts_free(t);
    free(in);
}

/* ======================================================================
 * APOP, AUTH, UTF8
 * ====================================================================== */

static int apop_app(srv *x, const mw_pop3_cmd *c)
{
    if (c->id == MW_POP3_CMD_APOP) {
        int ok = mw_pop3_server_apop_check(&x->s, "tanstaaf", 8) == MW_OK;
        evlog_printf(x->log, "apop %d", ok);
        return mw_pop3_server_reply(&x->s, ok, ok ? 0 : MW_POP3_RC_AUTH, NULL);
    }
    return default_app(x, c);
}

static void test_apop(void **state)
{
    mw_pop3_server_config cfg;
    tsrv *t;
    mw_pop3_server_callbacks cb = {0};
    (void)state;
    mw_pop3_server_config_init(&cfg);
    /* APOP off (default): the command does not exist */
    t = ts_new(&cfg, apop_app);
    assert_int_equal(ts_feed(t, "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"),
                     MW_OK);
    assert_string_equal(ts_out(t), "-ERR Unknown command\r\n");
    assert_int_equal(mw_pop3_server_start_apop(&t->x.s, NULL, "1", "2", "h"),
                     P3_APOP(MW_E_STATE));
    ts_free(t);

    cfg.flags |= MW_POP3_SERVER_APOP;
#if !MW_ENABLE_SASL_CRAM_MD5
    /* compiled out (features.h): no greeting with a timestamp, nothing
     * sent; the APOP command is unknown as when the flag is off, and the
     * check refuses */
    t = calloc(1, sizeof *t);
    evlog_init(&t->log);
    t->x.log = &t->log;
    srv_setup(&t->x, &cfg, apop_app);
    assert_int_equal(mw_pop3_server_start_apop(&t->x.s, "POP3 server ready", "1896",
                                               "697170952", "dbc.mtview.ca.us"),
                     MW_E_UNSUPPORTED);
    assert_string_equal(ts_out(t), "");
    assert_int_equal(mw_pop3_server_start(&t->x.s, "POP3 server ready"), MW_OK);
    assert_string_equal(ts_out(t), "+OK POP3 server ready\r\n");
    assert_int_equal(ts_feed(t, "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"),
                     MW_OK);
    assert_string_equal(ts_out(t), "-ERR Unknown command\r\n");
    assert_int_equal(mw_pop3_server_apop_check(&t->x.s, "tanstaaf", 8),
                     MW_E_UNSUPPORTED);
    ts_free(t);
#else
    t = calloc(1, sizeof *t);
    evlog_init(&t->log);
    t->x.log = &t->log;
    srv_setup(&t->x, &cfg, apop_app);
    /* the parts are checked */
    assert_int_equal(mw_pop3_server_start_apop(&t->x.s, NULL, "", "1", "h"), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_start_apop(&t->x.s, NULL, "1", "a b", "h"),
                     MW_E_INVAL);
    assert_int_equal(mw_pop3_server_start_apop(&t->x.s, NULL, "1", "2", "h>"),
                     MW_E_INVAL);
    assert_int_equal(mw_pop3_server_start_apop(&t->x.s, NULL, "1", "2", "a..b"),
                     MW_E_INVAL);
    assert_int_equal(mw_pop3_server_start_apop(&t->x.s, "a\r\n", "1", "2", "h"),
                     MW_E_INVAL);
    assert_string_equal(ts_out(t), "");
    assert_int_equal(mw_pop3_server_start_apop(&t->x.s, "POP3 server ready", "1896",
                                               "697170952", "dbc.mtview.ca.us"),
                     MW_OK);
    assert_string_equal(ts_out(t),
                        "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
    assert_int_equal(mw_pop3_server_start(&t->x.s, NULL), MW_E_STATE);
    /* wrong secret, bad digests, then the RFC's digest (upper case too) */
    assert_int_equal(ts_feed(t, "APOP mrose 00000000000000000000000000000000\r\n"
                                "APOP mrose c4c9334bac560ecc979e58001b3e22f\r\n"
                                "APOP mrose c4c9334bac560ecc979e58001b3e22fg\r\n"
                                "APOP c4c9334bac560ecc979e58001b3e22fb\r\n"
                                "APOP mrose C4C9334BAC560ECC979E58001B3E22FB\r\n"),
                     MW_OK);
    assert_string_equal(ts_out(t), "-ERR [AUTH]\r\n-ERR Syntax: APOP name digest\r\n"
                                   "-ERR Syntax: APOP name digest\r\n"
                                   "-ERR Syntax: APOP name digest\r\n+OK\r\n");
    log_has(&t->log, "apop 0");
    log_has(&t->log, "apop 1");
    assert_int_equal(mw_pop3_server_apop_check(&t->x.s, "x", 1), MW_E_STATE);
    ts_free(t);
#endif
    (void)cb;
}

static int challenge_app(srv *x, const mw_pop3_cmd *c)
{
    if (c->id == MW_POP3_CMD_AUTH) {
        char big[1000];
        memset(big, 0xa5, sizeof big);
        return mw_pop3_server_auth_challenge(&x->s, big, sizeof big);
    }
    if (c->id == MW_POP3_CMD_AUTH_RESPONSE)
        return mw_pop3_server_reply(&x->s, 0, MW_POP3_RC_AUTH, "no");
    return default_app(x, c);
}

static void test_auth(void **state)
{
    mw_pop3_server_config cfg;
    tsrv *t;
    (void)state;
    mw_pop3_server_config_init(&cfg);
    /* no SASL configured: AUTH does not exist */
    t = ts_new(&cfg, sasl_app);
    assert_int_equal(ts_feed(t, "AUTH PLAIN\r\nAUTH\r\n"), MW_OK);
    assert_string_equal(ts_out(t), "-ERR Unknown command\r\n-ERR Unknown command\r\n");
    ts_free(t);
    cfg.sasl = "PLAIN  LOGIN XOAUTH2";
    t = ts_new(&cfg, sasl_app);
    /* bare AUTH lists the mechanisms; syntax errors; "=" is an empty IR */
    assert_int_equal(ts_feed(t, "AUTH\r\nAUTH PL@IN\r\nAUTH PLAIN a b\r\n"
                                "AUTH PLAIN a!b=\r\nAUTH CRAM-MD5\r\n"),
                     MW_OK);
    assert_string_equal(ts_out(t), "+OK\r\nPLAIN\r\nLOGIN\r\nXOAUTH2\r\n.\r\n"
                                   "-ERR Syntax: AUTH mechanism [initial-response]\r\n"
                                   "-ERR Syntax: AUTH mechanism [initial-response]\r\n"
                                   "-ERR Invalid base64\r\n"
                                   "-ERR Unsupported authentication mechanism\r\n");
    assert_int_equal(ts_feed(t, "auth login =\r\n"), MW_OK);
    log_has(&t->log, "cmd AUTH msg=0 lines=0 fl=2");
    log_has(&t->log, "  arg: login\n");
    assert_string_equal(ts_out(t), "+ \r\n");
    /* a response that is not base64 ends the exchange */
    assert_int_equal(ts_feed(t, "a b\r\n"), MW_OK);
    assert_string_equal(ts_out(t), "-ERR Authentication failed: invalid base64\r\n");
    /* "*" cancels (RFC 5034 §4) */
    assert_int_equal(ts_feed(t, "AUTH PLAIN\r\n*\r\n"), MW_OK);
    assert_string_equal(ts_out(t), "+ \r\n-ERR Authentication cancelled\r\n");
    assert_int_equal(mw_pop3_server_state(&t->x.s), MW_POP3_STATE_AUTHORIZATION);
    ts_free(t);
    /* a challenge longer than a reply line: one line, correct base64 */
    t = ts_new(&cfg, challenge_app);
    assert_int_equal(ts_feed(t, "AUTH PLAIN\r\n"), MW_OK);
    {
        const char *o = ts_out(t);
        char raw[1000], want[1000];
        size_t n;
        assert_int_equal(strlen(o), 2 + 1336 + 2);
        assert_memory_equal(o, "+ ", 2);
        assert_memory_equal(o + 2 + 1336, "\r\n", 2);
        assert_null(memchr(o, '\n', 2 + 1336));
        n = p3_b64(o + 2, 1336, raw, sizeof raw);
        memset(want, 0xa5, sizeof want);
        assert_int_equal(n, 1000);
        assert_memory_equal(raw, want, 1000);
    }
    assert_true(t->x.nsend >= 3);
    assert_int_equal(ts_feed(t, "AAAA\r\n"), MW_OK);
    assert_string_equal(ts_out(t), "-ERR [AUTH] no\r\n");
    ts_free(t);
}

static void test_utf8(void **state)
{
    mw_pop3_server_config cfg;
    tsrv *t;
    (void)state;
    mw_pop3_server_config_init(&cfg);
    cfg.flags |= MW_POP3_SERVER_UTF8;
    t = ts_new(&cfg, NULL);
    /* before UTF8, 8-bit bytes pass (legacy clients) */
    assert_int_equal(ts_feed(t, "USER j\xe9r\xf4me\r\n"), MW_OK);
    assert_string_equal(ts_out(t), "+OK\r\n");
    assert_int_equal(ts_feed(t, "UTF8\r\nUSER j\xe9r\xf4me\r\nUSER j\xc3\xa9\r\n"), MW_OK);
    assert_string_equal(ts_out(t), "+OK\r\n-ERR [UTF8] Invalid UTF-8\r\n+OK\r\n");
    log_has(&t->log, "error MW_E_UTF8");
    log_has(&t->log, "cmd USER msg=0 lines=0 fl=4");
    assert_int_equal(ts_feed(t, "PASS x\r\nUTF8\r\n"), MW_OK);
    assert_string_equal(ts_out(t), "+OK\r\n-ERR Command not valid in this state\r\n");
    ts_free(t);
}

/* LANG (RFC 6856 §3): off unless configured, both states, the range's
 * syntax checked by the machine, and answers that must carry a tag. */
static void test_lang(void **state)
{
    mw_pop3_server_config cfg;
    tsrv *t = ts_new(NULL, hold_app);
    mw_pop3_server *s = &t->x.s;
    (void)state;
    /* off by default: unknown, and not in CAPA */
    assert_int_equal(ts_feed(t, "LANG\r\nCAPA\r\n"), MW_OK);
    assert_string_equal(ts_out(t), "-ERR Unknown command\r\n+OK Capability "
                                   "list follows\r\nTOP\r\nUSER\r\n"
                                   "RESP-CODES\r\nAUTH-RESP-CODE\r\n"
                                   "PIPELINING\r\nUIDL\r\n.\r\n");
    ts_free(t);

    mw_pop3_server_config_init(&cfg);
    cfg.flags |= MW_POP3_SERVER_LANG;
    t = ts_new(&cfg, hold_app);
    s = &t->x.s;
    /* the range: "*" or 1*8ALPHA *("-" 1*8alphanum) (RFC 4647 §2.1) */
    assert_int_equal(ts_feed(t, "LANG en-\r\nLANG 1en\r\nLANG abcdefghi\r\n"
                                "LANG en--us\r\nLANG en us\r\nLANG ** \r\n"
                                "LANG -en\r\nLANG en-abcdefghi\r\n"),
                     MW_OK);
    assert_string_equal(ts_out(t),
                        "-ERR Syntax: LANG [language-range]\r\n"
                        "-ERR Syntax: LANG [language-range]\r\n"
                        "-ERR Syntax: LANG [language-range]\r\n"
                        "-ERR Syntax: LANG [language-range]\r\n"
                        "-ERR Syntax: LANG [language-range]\r\n"
                        "-ERR Syntax: LANG [language-range]\r\n"
                        "-ERR Syntax: LANG [language-range]\r\n"
                        "-ERR Syntax: LANG [language-range]\r\n");
    log_has(&t->log, "error MW_E_SYNTAX @0 " R_("malformed language range"));
    /* in AUTHORIZATION: a range with 8-character subtags and digits */
    assert_int_equal(ts_feed(t, "LANG abcdefgh-x1234567 \r\n"), MW_OK);
    log_has(&t->log, "cmd LANG msg=0 lines=0 fl=8");
    /* +OK must name the tag: reply() and reply_begin() refused */
    assert_int_equal(mw_pop3_server_reply(s, 1, 0, "ok"), MW_E_STATE);
    assert_int_equal(mw_pop3_server_reply_begin(s, NULL), MW_E_STATE);
    assert_int_equal(mw_pop3_server_lang_listing(s, "en", NULL), MW_E_STATE);
    assert_int_equal(mw_pop3_server_reply_lang(s, NULL, "x"), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_reply_lang(s, "*", "x"), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_reply_lang(s, "e n", "x"), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_reply_lang(s, "en", "a\r\nb"), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_reply_lang(s, "en", " x"), MW_E_INVAL);
    assert_string_equal(ts_out(t), "");
    assert_int_equal(mw_pop3_server_reply_lang(s, "abcdefgh-x1234567",
                                               "Sprache ge\xc3\xa4ndert"),
                     MW_OK);
    assert_string_equal(ts_out(t),
                        "+OK abcdefgh-x1234567 Sprache ge\xc3\xa4ndert\r\n");
    /* a -ERR keeps the language (the application's part) */
    assert_int_equal(ts_feed(t, "LANG *\r\n"), MW_OK);
    assert_int_equal(mw_pop3_server_reply(s, 0, 0, "es Idioma no cambiado"),
                     MW_OK);
    assert_string_equal(ts_out(t), "-ERR es Idioma no cambiado\r\n");
    /* the listing, in TRANSACTION too */
    assert_int_equal(ts_feed(t, "USER u\r\n"), MW_OK);
    assert_int_equal(mw_pop3_server_reply(s, 1, 0, NULL), MW_OK);
    assert_int_equal(ts_feed(t, "PASS p\r\n"), MW_OK);
    assert_int_equal(mw_pop3_server_reply(s, 1, 0, NULL), MW_OK);
    assert_int_equal(mw_pop3_server_state(s), MW_POP3_STATE_TRANSACTION);
    assert_int_equal(ts_feed(t, "LANG\r\n"), MW_OK);
    log_has(&t->log, "cmd LANG msg=0 lines=0 fl=0");
    assert_int_equal(mw_pop3_server_reply_lang(s, "en", NULL), MW_E_STATE);
    assert_int_equal(mw_pop3_server_reply(s, 1, 0, NULL), MW_E_STATE);
    assert_int_equal(mw_pop3_server_reply_begin(s, NULL), MW_OK);
    assert_int_equal(mw_pop3_server_lang_listing(s, "en", NULL), MW_OK);
    assert_int_equal(mw_pop3_server_lang_listing(s, "es", "Espa\xc3\xb1ol"), MW_OK);
    assert_int_equal(mw_pop3_server_lang_listing(s, ".x", NULL), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_lang_listing(s, "de", "a\nb"), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_scan_listing(s, 1, 1), MW_E_STATE);
    assert_int_equal(mw_pop3_server_reply_end(s), MW_OK);
    assert_string_equal(ts_out(t), "+OK\r\n+OK\r\n+OK\r\nen\r\n"
                                   "es Espa\xc3\xb1ol\r\n.\r\n");
    ts_free(t);
}

/* ======================================================================
 * End of input, callbacks that fail, set-up
 * ====================================================================== */

static void test_eof(void **state)
{
    tsrv *t = ts_new(NULL, NULL);
    (void)state;
    assert_int_equal(ts_feed(t, "USER a\r\nNOO"), MW_OK);
    assert_int_equal(mw_pop3_server_eof(&t->x.s), MW_E_INCOMPLETE);
    log_has(&t->log, "error MW_E_INCOMPLETE @11");
    assert_int_equal(mw_pop3_server_want(&t->x.s), MW_POP3_WANT_CLOSED);
    assert_int_equal(mw_pop3_server_eof(&t->x.s), MW_OK);
    ts_free(t);
    t = ts_new(NULL, NULL);
    assert_int_equal(mw_pop3_server_eof(&t->x.s), MW_OK);
    ts_free(t);
}

static int abort_app(srv *x, const mw_pop3_cmd *c)
{
    (void)x;
    (void)c;
    return -5;
}

static int ignore_app(srv *x, const mw_pop3_cmd *c)
{
    (void)default_app(x, c);
    return 0; /* whatever happened */
}

static void test_callback_failures(void **state)
{
    tsrv *t = ts_new(NULL, abort_app);
    size_t used;
    mw_error e;
    (void)state;
    assert_int_equal(mw_pop3_server_feed(&t->x.s, "USER a\r\n", 8, &used),
                     MW_E_CALLBACK);
    assert_int_equal(mw_pop3_server_want(&t->x.s), MW_POP3_WANT_CLOSED);
    assert_int_equal(mw_pop3_server_error(&t->x.s, &e), MW_E_CALLBACK);
    assert_non_null(e.reason);
    ts_free(t);
    /* a send that fails inside a callback that then returns 0 */
    t = ts_new(NULL, ignore_app);
    t->x.fail_send = 1;
    t->x.nsend = 0;
    assert_int_equal(mw_pop3_server_feed(&t->x.s, "USER a\r\nUSER b\r\n", 16, &used),
                     MW_E_CALLBACK);
    assert_int_equal(used, 8);
    assert_int_equal(t->x.ncmd, 1);
    ts_free(t);
    /* send fails on the Nth call, for each N of a RETR exchange */
    for (int n = 1; n <= 4; n++) {
        t = ts_new(NULL, NULL);
        ts_login(t);
        t->x.nsend = 0;
        t->x.fail_send = n;
        assert_int_equal(mw_pop3_server_feed(&t->x.s, "RETR 1\r\nNOOP\r\n", 14, &used),
                         MW_E_CALLBACK);
        assert_int_equal(mw_pop3_server_want(&t->x.s), MW_POP3_WANT_CLOSED);
        assert_int_equal(mw_pop3_server_feed(&t->x.s, "NOOP\r\n", 6, &used),
                         MW_E_CLOSED);
        ts_free(t);
    }
}

static void test_no_command_callback(void **state)
{
    char line[300];
    srv x;
    mw_pop3_server_callbacks cb = {0};
    mw_pop3_server_config cfg;
    size_t used;
    evlog log;
    (void)state;
    memset(&x, 0, sizeof x);
    evlog_init(&log);
    x.log = &log;
    cb.send = on_send;
    mw_pop3_server_config_init(&cfg);
    cfg.max_auth_line = 255;
    assert_int_equal(mw_pop3_server_init(&x.s, &cfg, &cb, &x, line, sizeof line), MW_OK);
    assert_int_equal(mw_pop3_server_feed(&x.s, "USER a\r\n", 8, &used), MW_E_STATE);
    assert_int_equal(mw_pop3_server_start(&x.s, NULL), MW_OK);
    assert_int_equal(mw_pop3_server_feed(&x.s, "USER a\r\nQUIT\r\n", 14, &used), MW_DONE);
    assert_string_equal(x.out.p, "+OK\r\n-ERR Command not implemented\r\n+OK\r\n");
    mw_textbuf_free(&x.out);
    evlog_free(&log);
}

static void test_init(void **state)
{
    mw_pop3_server s;
    char line[300];
    mw_pop3_server_callbacks cb = {0}, nosend = {0};
    mw_pop3_server_config cfg;
    (void)state;
    cb.send = on_send;
    assert_true(mw_pop3_server_sizeof() <= 1024);
    assert_int_equal(mw_pop3_server_sizeof(), sizeof(mw_pop3_server));
    mw_pop3_server_config_init(&cfg);
    cfg.max_auth_line = 300;
    assert_int_equal(mw_pop3_server_init(&s, &cfg, &cb, NULL, line, 300), MW_OK);
    assert_int_equal(mw_pop3_server_init(&s, &cfg, &cb, NULL, line, 299), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_init(NULL, &cfg, &cb, NULL, line, 300), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_init(&s, &cfg, NULL, NULL, line, 300), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_init(&s, &cfg, &nosend, NULL, line, 300), MW_E_INVAL);
    assert_int_equal(mw_pop3_server_init(&s, &cfg, &cb, NULL, NULL, 300), MW_E_INVAL);
    /* the default line buffer suits the defaults */
    assert_int_equal(mw_pop3_server_init(&s, NULL, &cb, NULL, line, 300), MW_E_INVAL);
    {
        static char big[MW_POP3_SERVER_LINEBUF_SIZE];
        assert_int_equal(mw_pop3_server_init(&s, NULL, &cb, NULL, big, sizeof big),
                         MW_OK);
    }
    cfg.implementation = "x\r\nSTLS";
    assert_int_equal(mw_pop3_server_init(&s, &cfg, &cb, NULL, line, 300), MW_E_INVAL);
    cfg.implementation = NULL;
    cfg.sasl = "PLAIN BAD/MECH";
    assert_int_equal(mw_pop3_server_init(&s, &cfg, &cb, NULL, line, 300), MW_E_INVAL);
    cfg.sasl = NULL;
    cfg.max_line = 15;
    assert_int_equal(mw_pop3_server_init(&s, &cfg, &cb, NULL, line, 300), MW_E_INVAL);
    cfg.max_line = 255;
    cfg.newline = (mw_newline_policy)7;
    assert_int_equal(mw_pop3_server_init(&s, &cfg, &cb, NULL, line, 300), MW_E_INVAL);
    assert_string_equal(mw_pop3_cmd_name(MW_POP3_CMD_UIDL), "UIDL");
    assert_string_equal(mw_pop3_rcode_name(MW_POP3_RC_SYS_PERM), "SYS/PERM");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc1939_session),
        cmocka_unit_test(test_rfc1939_commands),
        cmocka_unit_test(test_rfc2449_capa),
        cmocka_unit_test(test_rfc5034_auth),
        cmocka_unit_test(test_rfc3206_codes),
        cmocka_unit_test(test_rfc6856_lang),
        cmocka_unit_test(test_stls_transcript),
        cmocka_unit_test(test_states),
        cmocka_unit_test(test_quit_states),
        cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_line_limit),
        cmocka_unit_test(test_auth_line_limit),
        cmocka_unit_test(test_bad_limit),
        cmocka_unit_test(test_stls_injection),
        cmocka_unit_test(test_stls_refused_and_per_byte),
        cmocka_unit_test(test_auth_needs_tls),
        cmocka_unit_test(test_writer_dots),
        cmocka_unit_test(test_writer_newlines),
        cmocka_unit_test(test_writer_reject),
        cmocka_unit_test(test_top),
        cmocka_unit_test(test_top_done),
        cmocka_unit_test(test_reply_forms),
        cmocka_unit_test(test_async_pipelined),
        cmocka_unit_test(test_callback_pause),
        cmocka_unit_test(test_100k_pipelined),
        cmocka_unit_test(test_apop),
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_lang),
        cmocka_unit_test(test_eof),
        cmocka_unit_test(test_callback_failures),
        cmocka_unit_test(test_no_command_callback),
        cmocka_unit_test(test_init),
    };
    return cmocka_run_group_tests_name("pop3_server", tests, NULL, NULL);
}
