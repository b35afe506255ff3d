/* SPDX-License-Identifier: MIT */
/* The POP3 client machine (lib/pop3/client.c): the RFC 1939, 2449, 5034,
 * 3206 and 2595 transcripts and the Dovecot and Gmail captures replayed
 * (server side whole, per byte, at every split) with a scripted
 * application whose commands must equal the transcript's client side;
 * then reply parsing (values, codes, tolerated habits, what is fatal),
 * bodies and listings, capabilities, STLS response injection, CR/LF/NUL in
 * every formatter argument, limits, pipelining, AUTH mechanisms and APOP.
 */
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

typedef struct cli cli;

struct cli {
    mw_pop3_client c;
    char buf[MW_POP3_CLIENT_LINEBUF_SIZE];
    mw_pop3_client_config cfg;
    const p3_script *sc;
    size_t ci;     /* next transcript line to look at for a C line */
    int auth_ir;   /* the AUTH line being sent has an initial response */
    const char *auth_ir_p;
    size_t auth_ir_n;
    evlog *log;
    evlog own;
    mw_textbuf out;
    size_t pos;
    int quiet;
    int abort_reply;
    int fail_send;
    /* a scripted SASL hook for tests without transcript */
    const char *const *steps;
    int nsteps, step_i, step_last;
};

/* ---- callbacks that log ----------------------------------------------- */

static int c_send(mw_pop3_client *c, void *u, const char *p, size_t n)
{
    cli *x = u;
    assert_ptr_equal(c, &x->c);
    if (x->fail_send)
        return -1;
    mw_textbuf_put(&x->out, p, n);
    if (!x->quiet)
        evlog_data(x->log, "out", p, n);
    return 0;
}

static void send_next(cli *x);

static int c_reply(mw_pop3_client *c, void *u, const mw_pop3_reply *r)
{
    cli *x = u;
    if (!x->quiet) {
        evlog_printf(x->log,
                     "reply %s ok=%d code=%d fl=%x msg=%u count=%u octets=%llu @%zu",
                     r->cmd ? mw_pop3_cmd_name(r->cmd) : "-", r->ok, r->code,
                     r->flags, (unsigned)r->msg, (unsigned)r->count,
                     (unsigned long long)r->octets, r->offset);
        evlog_data(x->log, "  code", r->code_text.ptr, r->code_text.len);
        evlog_data(x->log, "  text", r->text.ptr, r->text.len);
        evlog_data(x->log, "  uid", r->uid.ptr, r->uid.len);
        evlog_data(x->log, "  ts", r->timestamp.ptr, r->timestamp.len);
        if (r->cmd == MW_POP3_CMD_LANG)
            evlog_data(x->log, "  lang", r->lang.ptr, r->lang.len);
    }
    if (r->cmd == MW_POP3_CMD_QUIT) {
        const mw_pop3_capa *cp = mw_pop3_client_capabilities(c);
        evlog_printf(x->log, "capa=%x sasl=%x delay=%u expire=%u",
                     (unsigned)cp->flags, (unsigned)cp->sasl,
                     (unsigned)cp->login_delay, (unsigned)cp->expire);
    }
    if (x->abort_reply)
        return -1;
    if (x->sc != NULL && !(r->flags & MW_POP3_REPLY_MULTILINE) &&
        !(r->cmd == MW_POP3_CMD_STLS && r->ok))
        send_next(x);
    return 0;
}

static int c_listing(mw_pop3_client *c, void *u, const mw_pop3_listing *l)
{
    cli *x = u;
    (void)c;
    evlog_printf(x->log, "listing %s msg=%u octets=%llu @%zu",
                 mw_pop3_cmd_name(l->cmd), (unsigned)l->msg,
                 (unsigned long long)l->octets, l->offset);
    evlog_data(x->log, "  uid", l->uid.ptr, l->uid.len);
    if (l->cmd == MW_POP3_CMD_LANG) {
        evlog_data(x->log, "  lang", l->lang.ptr, l->lang.len);
        evlog_data(x->log, "  desc", l->description.ptr, l->description.len);
    }
    return 0;
}

static int c_capa(mw_pop3_client *c, void *u, const mw_pop3_capa_line *l)
{
    cli *x = u;
    (void)c;
    evlog_printf(x->log, "capa id=%x @%zu", (unsigned)l->id, l->offset);
    evlog_data(x->log, "  tag", l->tag.ptr, l->tag.len);
    evlog_data(x->log, "  params", l->params.ptr, l->params.len);
    return 0;
}

static int c_data(mw_pop3_client *c, void *u, const char *p, size_t n)
{
    cli *x = u;
    (void)c;
    assert_true(n > 0);
    if (!x->quiet)
        evlog_data(x->log, "body", p, n);
    return 0;
}

static int c_end(mw_pop3_client *c, void *u, int cmd)
{
    cli *x = u;
    (void)c;
    evlog_printf(x->log, "end %s", mw_pop3_cmd_name(cmd));
    if (x->sc != NULL)
        send_next(x);
    return 0;
}

static int c_challenge(mw_pop3_client *c, void *u, const char *p, size_t n)
{
    cli *x = u;
    (void)c;
    evlog_data(x->log, "challenge", p, n);
    evlog_printf(x->log, "/challenge");
    return 0;
}

static int c_error(mw_pop3_client *c, void *u, int st, size_t off,
                   const char *why)
{
    cli *x = u;
    (void)c;
    evlog_printf(x->log, "error %s @%zu %s", mw_status_name(st), off, why);
    return 0;
}

static void cli_setup(cli *x, const mw_pop3_client_config *cfg)
{
    mw_pop3_client_callbacks cb = {0};
    cb.send = c_send;
    cb.reply = c_reply;
    cb.listing = c_listing;
    cb.capability = c_capa;
    cb.data = c_data;
    cb.end = c_end;
    cb.challenge = c_challenge;
    cb.error = c_error;
    x->out.n = 0;
    x->pos = 0;
    x->ci = 0;
    assert_int_equal(mw_pop3_client_init(&x->c, cfg, &cb, x, x->buf, sizeof x->buf),
                     MW_OK);
}

/* ---- the scripted application ---------------------------------------- */

static const p3_line *next_c(cli *x)
{
    while (x->ci < x->sc->nlines && x->sc->lines[x->ci].who != 'C')
        x->ci++;
    return x->ci < x->sc->nlines ? &x->sc->lines[x->ci++] : NULL;
}

static size_t b64_or_eq(const char *p, size_t n, char *out, size_t cap)
{
    if (n == 1 && p[0] == '=')
        return 0;
    return p3_b64(p, n, out, cap);
}

/* The hook: initial response from the AUTH line, then the transcript's
 * next C line for each challenge ("*" cancels). */
static int script_step(void *user, const char *chal, size_t clen, char *resp,
                       size_t cap, size_t *rlen)
{
    cli *x = user;
    const p3_line *l;
    (void)clen;
    *rlen = 0;
    if (chal == NULL) {
        if (!x->auth_ir)
            return MW_PAUSED;
        *rlen = b64_or_eq(x->auth_ir_p, x->auth_ir_n, resp, cap);
        return MW_OK;
    }
    l = next_c(x);
    assert_non_null(l);
    if (l->n == 1 && l->p[0] == '*')
        return MW_E_INVAL;
    *rlen = p3_b64(l->p, l->n, resp, cap);
    return MW_OK;
}

static void send_next(cli *x)
{
    const p3_line *l = next_c(x);
    char kw[8], a[300], b[300];
    int n, r;
    mw_pop3_client *c = &x->c;

    if (l == NULL)
        return;
    a[0] = b[0] = '\0';
    {
        char line[600];
        snprintf(line, sizeof line, "%.*s", (int)l->n, l->p);
        n = sscanf(line, "%7s %299s %299s", kw, a, b);
        if ((strcmp(kw, "USER") == 0 || strcmp(kw, "PASS") == 0) &&
            strlen(line) >= 5) {
            /* the rest, spaces included (bounded copy: no truncation
             * warning at -O2) */
            size_t k = strlen(line + 5);
            if (k >= sizeof a)
                k = sizeof a - 1;
            memcpy(a, line + 5, k);
            a[k] = '\0';
        }
    }
    assert_true(n >= 1);
    if (strcmp(kw, "USER") == 0)
        r = mw_pop3_client_user(c, a, strlen(a));
    else if (strcmp(kw, "PASS") == 0)
        r = mw_pop3_client_pass(c, a, strlen(a));
    else if (strcmp(kw, "APOP") == 0)
        r = mw_pop3_client_apop(c, a, strlen(a), "tanstaaf", 8);
    else if (strcmp(kw, "STAT") == 0)
        r = mw_pop3_client_stat(c);
    else if (strcmp(kw, "LIST") == 0)
        r = mw_pop3_client_list(c, (uint32_t)strtoul(a, NULL, 10));
    else if (strcmp(kw, "RETR") == 0)
        r = mw_pop3_client_retr(c, (uint32_t)strtoul(a, NULL, 10));
    else if (strcmp(kw, "DELE") == 0)
        r = mw_pop3_client_dele(c, (uint32_t)strtoul(a, NULL, 10));
    else if (strcmp(kw, "NOOP") == 0)
        r = mw_pop3_client_noop(c);
    else if (strcmp(kw, "RSET") == 0)
        r = mw_pop3_client_rset(c);
    else if (strcmp(kw, "QUIT") == 0)
        r = mw_pop3_client_quit(c);
    else if (strcmp(kw, "TOP") == 0)
        r = mw_pop3_client_top(c, (uint32_t)strtoul(a, NULL, 10),
                               (uint32_t)strtoul(b, NULL, 10));
    else if (strcmp(kw, "UIDL") == 0)
        r = mw_pop3_client_uidl(c, (uint32_t)strtoul(a, NULL, 10));
    else if (strcmp(kw, "CAPA") == 0)
        r = mw_pop3_client_capa(c);
    else if (strcmp(kw, "STLS") == 0)
        r = mw_pop3_client_stls(c);
    else if (strcmp(kw, "UTF8") == 0)
        r = mw_pop3_client_utf8(c);
    else if (strcmp(kw, "LANG") == 0)
        r = mw_pop3_client_lang(c, n > 1 ? a : NULL, strlen(a));
    else if (strcmp(kw, "AUTH") == 0) {
        const char *ir = memchr(l->p + 5, ' ', l->n - 5);
        x->auth_ir = ir != NULL;
        if (ir != NULL) {
            x->auth_ir_p = ir + 1;
            x->auth_ir_n = (size_t)(l->p + l->n - ir - 1);
        }
        r = mw_pop3_client_auth(c, a, script_step, x);
    } else {
        fail_msg("unknown command in transcript: %s", kw);
        return;
    }
    assert_int_equal(r, MW_OK);
}

/* ---- replay glue ------------------------------------------------------ */

static void r_reset(void *ctx, evlog *log)
{
    cli *x = ctx;
    x->log = log;
    cli_setup(x, &x->cfg);
}

static int r_feed(void *ctx, const char *p, size_t n, size_t *consumed)
{
    cli *x = ctx;
    size_t k = n;
    int r;
    const size_t tls = x->sc->s_tls;

    if (tls != (size_t)-1 && x->pos == tls &&
        (mw_pop3_client_want(&x->c) & MW_POP3_WANT_TLS)) {
        evlog_printf(x->log, "tls up");
        assert_int_equal(mw_pop3_client_tls_done(&x->c), MW_OK);
        assert_int_equal(mw_pop3_client_capabilities(&x->c)->flags, 0);
        send_next(x);
    }
    if (tls != (size_t)-1 && x->pos < tls && x->pos + n > tls)
        k = tls - x->pos;
    r = mw_pop3_client_feed(&x->c, p, k, consumed);
    x->pos += *consumed;
    if (r == MW_OK && *consumed < n)
        r = MW_PAUSED;
    return r;
}

static int r_finish(void *ctx)
{
    cli *x = ctx;
    const mw_pop3_capa *cp = mw_pop3_client_capabilities(&x->c);
    evlog_printf(x->log, "eof %s capa=%x sasl=%x delay=%u expire=%u",
                 mw_status_name(mw_pop3_client_eof(&x->c)), (unsigned)cp->flags,
                 (unsigned)cp->sasl, (unsigned)cp->login_delay,
                 (unsigned)cp->expire);
    return MW_OK;
}

static const replay_ops r_ops = {r_reset, r_feed, r_finish};

/* Replay a transcript; returns the whole-run log (caller frees). */
/* Run transcript `name`, with `edits` (p3_load_edit) unless NULL. */
static void run_transcript_edit(const char *name, const char *const *edits,
                                const mw_pop3_client_config *cfg, evlog *whole)
{
    cli *x = calloc(1, sizeof *x);
    p3_script *sc = calloc(1, sizeof *sc);

    if (edits != NULL)
        p3_load_edit(sc, name, edits);
    else
        p3_load(sc, name);
    x->sc = sc;
    if (cfg != NULL)
        x->cfg = *cfg;
    else
        mw_pop3_client_config_init(&x->cfg);
    replay_check(&r_ops, x, sc->s, sc->slen, whole);
    if (x->out.n != sc->clen || memcmp(x->out.p, sc->c, sc->clen) != 0) {
        print_error("want:\n%s\ngot:\n%s\n", sc->c, x->out.p ? x->out.p : "");
        fail_msg("%s: commands differ from the transcript", name);
    }
    if (strstr(evlog_str(whole), "replay: done at") == NULL) {
        print_error("%s\n", evlog_str(whole));
        fail_msg("%s: the session did not end with QUIT", name);
    }
    mw_textbuf_free(&x->out);
    p3_free(sc);
    free(sc);
    free(x);
}

static void run_transcript(const char *name, const mw_pop3_client_config *cfg,
                           evlog *whole)
{
    run_transcript_edit(name, NULL, cfg, whole);
}

static void log_has(const evlog *log, const char *what)
{
    if (strstr(evlog_str(log), what) == NULL) {
        print_error("log:\n%s\nlacks: %s\n", evlog_str(log), what);
        fail();
    }
}

static void log_lacks(const evlog *log, const char *what)
{
    if (strstr(evlog_str(log), what) != NULL) {
        print_error("log:\n%s\nhas: %s\n", evlog_str(log), what);
        fail();
    }
}

/* ======================================================================
 * Transcripts
 * ====================================================================== */

static void test_rfc1939_session(void **state)
{
    evlog w;
    (void)state;
    evlog_init(&w);
#if MW_ENABLE_SASL_CRAM_MD5
    run_transcript("rfc1939_session.txt", NULL, &w);
#else
    /* APOP compiled out (features.h; test_greeting checks it is refused):
     * the same session with USER and PASS */
    static const char *const edits[] = {P3_NO_APOP_LOGIN, NULL};
    run_transcript_edit("rfc1939_session.txt", edits, NULL, &w);
    /* nor is the greeting's timestamp looked for */
    log_has(&w, "reply - ok=1 code=0 fl=0 ");
    log_has(&w, "  ts: \n");
#endif
#if MW_ENABLE_SASL_CRAM_MD5
    log_has(&w, "reply - ok=1 code=0 fl=2 ");
    log_has(&w, "  ts: <1896.697170952@dbc.mtview.ca.us>\n");
#endif
    log_has(&w, "reply STAT ok=1 code=0 fl=0 msg=0 count=2 octets=320");
    log_has(&w, "listing LIST msg=2 octets=200");
    log_has(&w, "body: From: John Myers <jgm@cmu.edu>\\r\\nTo: Marshall Rose "
                "<mrose@dbc.mtview.ca.us>\\r\\nSubject: Re: draft\\r\\n\\r\\n"
                "Thanks.\\r\\n\nend RETR");
    log_has(&w, "The draft is attached.\\r\\n.\\r\\n..and a line that starts "
                "with a dot.\\r\\n\nend RETR");
    evlog_free(&w);
}

static void test_rfc1939_commands(void **state)
{
    evlog w;
    (void)state;
    evlog_init(&w);
    run_transcript("rfc1939_commands.txt", NULL, &w);
    log_has(&w, "reply LIST ok=1 code=0 fl=0 msg=2 count=0 octets=200");
    log_has(&w, "reply LIST ok=0 code=0 fl=0 msg=3 ");
    log_has(&w, "reply UIDL ok=1 code=0 fl=0 msg=2 ");
    log_has(&w, "  uid: QhdPYR:00WBw1Ph7x7\n");
    log_has(&w, "listing UIDL msg=1 octets=0 @");
    log_has(&w, "  uid: whqtswO00WBw418f9t5JxYwZ\n");
    log_has(&w, "reply TOP ok=1 code=0 fl=1 msg=1 ");
    log_has(&w, "reply NOOP ok=1 code=0 fl=0 msg=0 count=0 octets=0 @");
    log_lacks(&w, "error");
    evlog_free(&w);
}

static void test_rfc2449(void **state)
{
    evlog w;
    (void)state;
    evlog_init(&w);
    run_transcript("rfc2449_capa.txt", NULL, &w);
    log_has(&w, "capa id=10 @");
    log_has(&w, "  params: CRAM-MD5 KERBEROS_V4\n");
    log_has(&w, "reply PASS ok=0 code=1 fl=0");
    log_has(&w, "  code: IN-USE\n  text: Do you have another POP session running?\n");
    log_has(&w, "reply PASS ok=0 code=2 ");
    /* TOP USER SASL RESP-CODES LOGIN-DELAY PIPELINING EXPIRE UIDL
     * IMPLEMENTATION, KNOWN; SASL: CRAM-MD5 and another; 900 s; 60 days */
    log_has(&w, "capa=800001ff sasl=110 delay=900 expire=60");
    evlog_free(&w);
}

static void test_rfc5034(void **state)
{
    evlog w;
    (void)state;
    evlog_init(&w);
    run_transcript("rfc5034_auth.txt", NULL, &w);
    log_has(&w, "reply AUTH ok=0 code=5 fl=0");
    log_has(&w, "error MW_E_INVAL");   /* the hook's cancel */
    log_has(&w, "reply AUTH ok=0 code=3 ");
    log_has(&w, "reply AUTH ok=1 code=0 ");
    log_has(&w, "  text: Maildrop locked and ready\n");
    log_has(&w, "challenge: <1896.697170952@postoffice.reston.mci.net>\n");
    evlog_free(&w);
}

static void test_rfc3206(void **state)
{
    evlog w;
    (void)state;
    evlog_init(&w);
    run_transcript("rfc3206_codes.txt", NULL, &w);
    log_has(&w, "reply PASS ok=0 code=5 ");
    log_has(&w, "reply PASS ok=0 code=3 ");
    log_has(&w, "reply PASS ok=0 code=4 ");
    log_has(&w, "reply PASS ok=0 code=6 ");
    log_has(&w, "reply UTF8 ok=1 ");
    evlog_free(&w);
}

static void test_rfc6856_lang(void **state)
{
    evlog w;
    (void)state;
    evlog_init(&w);
    run_transcript("rfc6856_lang.txt", NULL, &w);
    log_has(&w, "reply LANG ok=0 code=0 fl=0 msg=0 count=0 octets=0 @");
    log_has(&w, "  text: invalid language MUL\n");
    log_has(&w, "reply LANG ok=1 code=0 fl=1 ");
    log_has(&w, "listing LANG msg=0 octets=0 @");
    log_has(&w, "  lang: en-boont\n  desc: English Boontling dialect\n");
    log_has(&w, "  lang: sv\n  desc: Svenska\nend LANG");
    log_has(&w, "  text: Server is unable to list languages\n");
    log_has(&w, "  text: Idioma cambiado\n  uid: \n  ts: \n  lang: es\n");
    log_has(&w, "  text: Kommandot \"LANG\" lyckades\n  uid: \n  ts: \n  lang: sv\n");
    /* the -ERR's text is not split: the tag is only promised on +OK */
    log_has(&w, "  text: es Idioma <<UGA>> no es conocido\n");
    log_has(&w, "capa=800024ab ");
    evlog_free(&w);
}

static void test_stls_transcript(void **state)
{
    evlog w;
    (void)state;
    evlog_init(&w);
    run_transcript("stls.txt", NULL, &w);
    log_has(&w, "tls up");
    /* the second CAPA: USER and SASL PLAIN, no STLS */
    log_has(&w, "capa=800000af sasl=1 ");
    evlog_free(&w);
}

static void test_dovecot(void **state)
{
    evlog w;
    (void)state;
    evlog_init(&w);
    run_transcript("dovecot_capa.txt", NULL, &w);
    /* bare "+OK" before the list */
    log_has(&w, "reply CAPA ok=1 code=0 fl=1 msg=0 count=0 octets=0 @20\n"
                "  code: \n  text: \n");
    log_has(&w, "capa id=0 @25\n  tag: CAPA\n");
    /* TOP UIDL RESP-CODES PIPELINING AUTH-RESP-CODE STLS USER SASL KNOWN */
    log_has(&w, "capa=800006af sasl=3 ");
    log_lacks(&w, "error");
    evlog_free(&w);
}

static void test_gmail(void **state)
{
    evlog w;
    (void)state;
    evlog_init(&w);
    run_transcript("gmail_capa.txt", NULL, &w);
    log_has(&w, "  tag: X-GOOGLE-RICO\n");
    /* USER RESP-CODES EXPIRE LOGIN-DELAY TOP UIDL SASL; EXPIRE 0, 300 s */
    log_has(&w, "capa=800000df sasl=d delay=300 expire=0");
    log_has(&w, "reply PASS ok=0 code=5 ");
    log_lacks(&w, "error");
    evlog_free(&w);
}

/* ======================================================================
 * A client fed by hand
 * ====================================================================== */

typedef struct tcli {
    cli x;
    evlog log;
} tcli;

static int tc_feedn(tcli *t, const char *p, size_t n);

static tcli *tc_new(const mw_pop3_client_config *cfg, const char *greeting)
{
    tcli *t = calloc(1, sizeof *t);
    evlog_init(&t->log);
    t->x.log = &t->log;
    if (cfg != NULL)
        t->x.cfg = *cfg;
    else
        mw_pop3_client_config_init(&t->x.cfg);
    cli_setup(&t->x, &t->x.cfg);
    if (greeting != NULL)
        assert_int_equal(tc_feedn(t, greeting, strlen(greeting)), MW_OK);
    return t;
}

static void tc_free(tcli *t)
{
    evlog_free(&t->log);
    mw_textbuf_free(&t->x.out);
    free(t);
}

static int tc_feedn(tcli *t, const char *p, size_t n)
{
    size_t used = 0;
    int r = mw_pop3_client_feed(&t->x.c, p, n, &used);
    t->x.pos += used;
    return r;
}

static int tc_feed(tcli *t, const char *s)
{
    return tc_feedn(t, s, strlen(s));
}

static const char *tc_out(tcli *t)
{
    static char buf[1 << 16];
    size_t n = t->x.out.n < sizeof buf - 1 ? t->x.out.n : sizeof buf - 1;
    memcpy(buf, t->x.out.p ? t->x.out.p : "", n);
    buf[n] = '\0';
    t->x.out.n = 0;
    return buf;
}

/* Greeted, logged in, log cleared. */
static tcli *tc_trans(const mw_pop3_client_config *cfg, int pipelining)
{
    tcli *t = tc_new(cfg, "+OK hi\r\n");
    mw_pop3_client *c = &t->x.c;
    if (pipelining) {
        assert_int_equal(mw_pop3_client_capa(c), MW_OK);
        assert_int_equal(tc_feed(t, "+OK\r\nPIPELINING\r\nUIDL\r\nTOP\r\n.\r\n"),
                         MW_OK);
    }
    assert_int_equal(mw_pop3_client_user(c, "u", 1), MW_OK);
    assert_int_equal(tc_feed(t, "+OK\r\n"), MW_OK);
    assert_int_equal(mw_pop3_client_pass(c, "p", 1), MW_OK);
    assert_int_equal(tc_feed(t, "+OK\r\n"), MW_OK);
    assert_int_equal(mw_pop3_client_state(c), MW_POP3_STATE_TRANSACTION);
    tc_out(t);
    evlog_reset(&t->log);
    return t;
}

/* ======================================================================
 * Replies
 * ====================================================================== */

static void test_status_lines(void **state)
{
    tcli *t;
    mw_pop3_client *c;
    (void)state;
    t = tc_trans(NULL, 0);
    c = &t->x.c;
    /* codes: hierarchical, unknown, malformed, lower-case status */
    mw_pop3_client_noop(c);
    assert_int_equal(tc_feed(t, "-ERR [SYS/TEMP/QUOTA] full\r\n"), MW_OK);
    log_has(&t->log, "reply NOOP ok=0 code=3 fl=0");
    log_has(&t->log, "  code: SYS/TEMP/QUOTA\n  text: full\n");
    mw_pop3_client_noop(c);
    assert_int_equal(tc_feed(t, "-ERR [X-FOO] what\r\n"), MW_OK);
    log_has(&t->log, "reply NOOP ok=0 code=7 ");
    mw_pop3_client_noop(c);
    assert_int_equal(tc_feed(t, "-ERR [AUTH no bracket\r\n"), MW_OK);
    log_has(&t->log, "  code: \n  text: [AUTH no bracket\n");
    mw_pop3_client_noop(c);
    assert_int_equal(tc_feed(t, "+ok\r\n"), MW_OK);
    log_has(&t->log, "reply NOOP ok=1 code=0");
    mw_pop3_client_noop(c);
    assert_int_equal(tc_feed(t, "-ERR\r\n"), MW_OK);
    assert_int_equal(mw_pop3_client_in_flight(c), 0);
    evlog_reset(&t->log);
    /* STAT / LIST n / UIDL n values, and malformed ones */
    mw_pop3_client_stat(c);
    assert_int_equal(tc_feed(t, "+OK 3 4567 extra\r\n"), MW_OK);
    log_has(&t->log, "reply STAT ok=1 code=0 fl=0 msg=0 count=3 octets=4567");
    mw_pop3_client_stat(c);
    assert_int_equal(tc_feed(t, "+OK\r\n"), MW_OK);
    log_has(&t->log, "reply STAT ok=1 code=0 fl=8 msg=0 count=0 octets=0");
    log_has(&t->log, "error MW_E_SYNTAX @");
    mw_pop3_client_list(c, 7);
    assert_int_equal(tc_feed(t, "+OK 8 100\r\n"), MW_OK); /* wrong message */
    log_has(&t->log, "reply LIST ok=1 code=0 fl=8 msg=7 count=0 octets=0");
    mw_pop3_client_uidl(c, 7);
    assert_int_equal(tc_feed(t, "+OK 7 a b\r\n"), MW_OK);
    log_has(&t->log, "reply UIDL ok=1 code=0 fl=8 msg=7");
    evlog_reset(&t->log);
    mw_pop3_client_uidl(c, 7);
    assert_int_equal(tc_feed(t, "+OK 7 abc \r\n"), MW_OK);
    log_has(&t->log, "reply UIDL ok=1 code=0 fl=0 msg=7");
    log_has(&t->log, "  uid: abc\n");
    /* an unsolicited -ERR (an inactivity timeout) is delivered */
    evlog_reset(&t->log);
    assert_int_equal(tc_feed(t, "-ERR [SYS/TEMP] autologout\r\n"), MW_OK);
    log_has(&t->log, "reply - ok=0 code=3 ");
    /* an unsolicited +OK is fatal */
    assert_int_equal(tc_feed(t, "+OK what\r\n"), MW_E_SYNTAX);
    assert_int_equal(mw_pop3_client_want(c), MW_POP3_WANT_CLOSED);
    assert_int_equal(tc_feed(t, "+OK\r\n"), MW_E_CLOSED);
    tc_free(t);

    /* garbage instead of a status is fatal (the replies are out of step) */
    static const char *const bad[] = {"* OK\r\n", "+OKAY\r\n", "OK\r\n",
                                      "-ERROR x\r\n", "\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = tc_trans(NULL, 0);
        mw_pop3_client_noop(&t->x.c);
        assert_int_equal(tc_feed(t, bad[i]), MW_E_SYNTAX);
        log_has(&t->log, "error MW_E_SYNTAX @18 " R_("reply is neither +OK nor -ERR"));
        assert_int_equal(mw_pop3_client_state(&t->x.c), MW_POP3_STATE_CLOSED);
        tc_free(t);
    }
}

static void test_greeting(void **state)
{
    tcli *t;
    size_t used;
    (void)state;
    /* commands before the greeting */
    t = tc_new(NULL, NULL);
    assert_int_equal(mw_pop3_client_want(&t->x.c), MW_POP3_WANT_INPUT);
    assert_int_equal(mw_pop3_client_user(&t->x.c, "a", 1), MW_E_STATE);
    assert_int_equal(mw_pop3_client_capa(&t->x.c), MW_E_STATE);
    /* a refusing greeting ends the session */
    assert_int_equal(mw_pop3_client_feed(&t->x.c, "-ERR [IN-USE] busy\r\nX", 21, &used),
                     MW_DONE);
    assert_int_equal(used, 20);
    log_has(&t->log, "reply - ok=0 code=1 ");
    tc_free(t);
    /* no timestamp: no APOP; a binary "timestamp" is not one */
    t = tc_new(NULL, "+OK hello <a\x01@b>\r\n");
    log_has(&t->log, "reply - ok=1 code=0 fl=0 ");
    assert_int_equal(mw_pop3_client_apop(&t->x.c, "mrose", 5, "x", 1),
                     P3_APOP(MW_E_STATE));
    tc_free(t);
    /* the RFC 1939 §7 example */
    t = tc_new(NULL, "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
    assert_int_equal(mw_pop3_client_apop(&t->x.c, "mr ose", 6, "tanstaaf", 8),
                     P3_APOP(MW_E_INVAL));
#if MW_ENABLE_SASL_CRAM_MD5
    assert_int_equal(mw_pop3_client_apop(&t->x.c, "mrose", 5, "tanstaaf", 8), MW_OK);
    assert_string_equal(tc_out(t), "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
    assert_int_equal(tc_feed(t, "+OK\r\n"), MW_OK);
    assert_int_equal(mw_pop3_client_state(&t->x.c), MW_POP3_STATE_TRANSACTION);
#else
    /* compiled out (features.h): refused, nothing sent, USER still open */
    assert_int_equal(mw_pop3_client_apop(&t->x.c, "mrose", 5, "tanstaaf", 8),
                     MW_E_UNSUPPORTED);
    assert_string_equal(tc_out(t), "");
    assert_int_equal(mw_pop3_client_user(&t->x.c, "mrose", 5), MW_OK);
    assert_string_equal(tc_out(t), "USER mrose\r\n");
#endif
    tc_free(t);
}

static void test_long_line(void **state)
{
    tcli *t = tc_trans(NULL, 0);
    char line[800];
    size_t total;
    (void)state;
    /* max_line 512 counts the CRLF: 511 and 512 are whole, 513 is cut */
    for (total = 511; total <= 513; total++) {
        memcpy(line, "-ERR ", 5);
        memset(line + 5, 'x', total - 7);
        memcpy(line + total - 2, "\r\n", 2);
        evlog_reset(&t->log);
        mw_pop3_client_noop(&t->x.c);
        assert_int_equal(tc_feedn(t, line, total), MW_OK);
        assert_int_equal(mw_pop3_client_in_flight(&t->x.c), 0);
        if (total <= 512) {
            log_has(&t->log, "reply NOOP ok=0 code=0 fl=0 ");
            log_lacks(&t->log, "error");
        } else {
            /* delivered cut, flagged and reported: the replies stay in
             * step */
            log_has(&t->log, "error MW_E_TOO_LONG");
            log_has(&t->log, "reply NOOP ok=0 code=0 fl=4 ");
        }
    }
    /* far over the limit, and over the framer's own limit too */
    memcpy(line, "-ERR ", 5);
    memset(line + 5, 'x', 700);
    memcpy(line + 705, "\r\n", 3);
    evlog_reset(&t->log);
    mw_pop3_client_noop(&t->x.c);
    assert_int_equal(tc_feed(t, line), MW_OK);
    log_has(&t->log, "reply NOOP ok=0 code=0 fl=4 ");
    tc_free(t);
}

/* ======================================================================
 * Bodies and listings
 * ====================================================================== */

static void b_reset(void *ctx, evlog *log)
{
    cli *x = ctx;
    x->log = log;
    x->sc = NULL;
    cli_setup(x, &x->cfg);
    assert_int_equal(mw_pop3_client_feed(&x->c, "+OK\r\n", 5, &x->pos), MW_OK);
    x->quiet = 1;
    mw_pop3_client_user(&x->c, "u", 1);
    mw_pop3_client_feed(&x->c, "+OK\r\n", 5, &x->pos);
    mw_pop3_client_pass(&x->c, "p", 1);
    mw_pop3_client_feed(&x->c, "+OK\r\n", 5, &x->pos);
    assert_int_equal(mw_pop3_client_retr(&x->c, 1), MW_OK);
    x->quiet = 0;
    evlog_reset(log);
    x->out.n = 0;
}

static int b_feed(void *ctx, const char *p, size_t n, size_t *consumed)
{
    cli *x = ctx;
    return mw_pop3_client_feed(&x->c, p, n, consumed);
}

static const replay_ops b_ops = {b_reset, b_feed, NULL};

static void check_body(const char *in, size_t n, mw_newline_policy pol,
                       const char *want_log)
{
    cli *x = calloc(1, sizeof *x);
    evlog w;
    mw_pop3_client_config_init(&x->cfg);
    x->cfg.body_newline = pol;
    evlog_init(&w);
    replay_check(&b_ops, x, in, n, &w);
    if (strcmp(evlog_str(&w), want_log) != 0) {
        print_error("want:\n%s\ngot:\n%s\n", want_log, evlog_str(&w));
        fail();
    }
    evlog_free(&w);
    mw_textbuf_free(&x->out);
    free(x);
}

static void test_bodies(void **state)
{
    (void)state;
    /* lines that begin with "." and "..", a line that is exactly "." */
    check_body(S_("+OK 20 octets\r\n..\r\n...\r\n..x\r\nx.\r\n\r\n.\r\n"), MW_NEWLINE_REJECT,
               "reply RETR ok=1 code=0 fl=1 msg=1 count=0 octets=0 @15\n"
               "  code: \n  text: 20 octets\n  uid: \n  ts: \n"
               "body: .\\r\\n..\\r\\n.x\\r\\nx.\\r\\n\\r\\n\n"
               "end RETR\n");
    /* an empty body */
    check_body(S_("+OK\r\n.\r\n"), MW_NEWLINE_REJECT,
               "reply RETR ok=1 code=0 fl=1 msg=1 count=0 octets=0 @15\n"
               "  code: \n  text: \n  uid: \n  ts: \n"
               "end RETR\n");
    /* bare LF inside: reported once (REJECT), delivered unchanged, and
     * "LF . LF" / "LF . CRLF" never end the body (smuggling) */
    check_body(S_("+OK\r\na\nb\n.\n.\r\nc\r\n.\r\n"), MW_NEWLINE_REJECT,
               "reply RETR ok=1 code=0 fl=1 msg=1 count=0 octets=0 @15\n"
               "  code: \n  text: \n  uid: \n  ts: \n"
               "body: a\n"
               "error MW_E_BARE_LF @21 " R_("bare LF in a message body") "\n"
               "body: \\nb\\n.\\n.\\r\\nc\\r\\n\n"
               "end RETR\n");
    /* ACCEPT: bare LF becomes CRLF */
    check_body(S_("+OK\r\na\nb\r\n.\r\n"), MW_NEWLINE_ACCEPT,
               "reply RETR ok=1 code=0 fl=1 msg=1 count=0 octets=0 @15\n"
               "  code: \n  text: \n  uid: \n  ts: \n"
               "body: a\\r\\nb\\r\\n\n"
               "end RETR\n");
    /* -ERR: no body */
    check_body(S_("-ERR no such message\r\n"), MW_NEWLINE_REJECT,
               "reply RETR ok=0 code=0 fl=0 msg=1 count=0 octets=0 @15\n"
               "  code: \n  text: no such message\n  uid: \n  ts: \n");
}

static void test_listings(void **state)
{
    tcli *t = tc_trans(NULL, 0);
    mw_pop3_client *c = &t->x.c;
    (void)state;
    mw_pop3_client_list(c, 0);
    assert_int_equal(tc_feed(t, "+OK 3 messages\r\n1 120\r\nbogus\r\n2 x\r\n0 5\r\n"
                                "3 4294967296\r\n..\r\n.\r\n"),
                     MW_OK);
    log_has(&t->log, "listing LIST msg=1 octets=120 @");
    log_has(&t->log, "listing LIST msg=3 octets=4294967296 @");
    log_has(&t->log, "error MW_E_SYNTAX @41 " R_("malformed scan listing (skipped)") "\n"
                     "error MW_E_SYNTAX @48 " R_("malformed scan listing (skipped)") "\n"
                     "error MW_E_SYNTAX @53 " R_("malformed scan listing (skipped)") "\n"
                     "listing LIST msg=3");
    log_has(&t->log, "error MW_E_SYNTAX @72 " R_("malformed scan listing"));
    log_has(&t->log, "end LIST");
    evlog_reset(&t->log);
    mw_pop3_client_uidl(c, 0);
    assert_int_equal(tc_feed(t, "+OK\r\n1 a\r\n2 \r\n3 b c\r\n4 ok\r\n.\r\n"), MW_OK);
    log_has(&t->log, "listing UIDL msg=1 octets=0 @");
    log_has(&t->log, "listing UIDL msg=4");
    log_lacks(&t->log, "listing UIDL msg=2");
    log_lacks(&t->log, "listing UIDL msg=3");
    tc_free(t);
}

/* LANG (RFC 6856 §3): the range checked before sending, both states, the
 * tag of a +OK taken apart, a malformed answer or listing line reported. */
static void test_lang(void **state)
{
    tcli *t = tc_new(NULL, "+OK\r\n");
    mw_pop3_client *c = &t->x.c;
    (void)state;
    assert_int_equal(mw_pop3_client_lang(c, "en-", 3), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_lang(c, "e n", 3), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_lang(c, "abcdefghi", 9), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_lang(c, "en\r\nQUIT", 8), MW_E_INVAL);
    assert_string_equal(tc_out(t), "");
    assert_int_equal(mw_pop3_client_lang(c, "*", 1), MW_OK);
    assert_string_equal(tc_out(t), "LANG *\r\n");
    assert_int_equal(tc_feed(t, "+OK\r\n"), MW_OK);
    log_has(&t->log, "reply LANG ok=1 code=0 fl=8 ");
    log_has(&t->log, "error MW_E_SYNTAX @5 " R_("LANG answer without a language tag"));
    evlog_reset(&t->log);
    assert_int_equal(mw_pop3_client_lang(c, "DE-ch", 5), MW_OK);
    assert_string_equal(tc_out(t), "LANG DE-ch\r\n");
    assert_int_equal(tc_feed(t, "+OK de-CH Sprache ge\xc3\xa4ndert\r\n"), MW_OK);
    log_has(&t->log, "  text: Sprache ge\\xc3\\xa4ndert\n  uid: \n  ts: \n"
                     "  lang: de-CH\n");
    evlog_reset(&t->log);
    assert_int_equal(mw_pop3_client_lang(c, NULL, 0), MW_OK);
    assert_string_equal(tc_out(t), "LANG\r\n");
    assert_int_equal(tc_feed(t, "+OK\r\nen\r\n1x bad\r\nfr Fran\xc3\xa7"
                                "ais\r\n.\r\n"),
                     MW_OK);
    log_has(&t->log, "  lang: en\n  desc: \n");
    log_has(&t->log, "error MW_E_SYNTAX @48 " R_("malformed language listing (skipped)"));
    log_has(&t->log, "  lang: fr\n  desc: Fran\\xc3\\xa7ais\nend LANG");
    tc_free(t);
}

static void test_capabilities(void **state)
{
    tcli *t = tc_new(NULL, "+OK\r\n");
    mw_pop3_client *c = &t->x.c;
    const mw_pop3_capa *cp = mw_pop3_client_capabilities(c);
    (void)state;
    assert_int_equal(cp->flags, 0);
    mw_pop3_client_capa(c);
    assert_int_equal(tc_feed(t, "+OK\r\nLOGIN-DELAY abc\r\nEXPIRE NEVER USER\r\n"
                                "UTF8 USER\r\nSASL SCRAM-SHA-256 GSSAPI external\r\n"
                                "LANG\r\nIMPLEMENTATION x y \r\nEXPIRE 99999999999\r\n"
                                "\x01\r\n.\r\n"),
                     MW_OK);
    log_has(&t->log, "error MW_E_SYNTAX @10 " R_("malformed capability arguments"));
    log_has(&t->log, "error MW_E_SYNTAX @140 " R_("malformed capability (skipped)"));
    log_has(&t->log, "  tag: IMPLEMENTATION\n  params: x y\n");
    assert_int_equal(cp->flags, MW_POP3_CAPA_KNOWN | MW_POP3_CAPA_EXPIRE |
                                    MW_POP3_CAPA_EXPIRE_USER | MW_POP3_CAPA_UTF8 |
                                    MW_POP3_CAPA_UTF8_USER | MW_POP3_CAPA_SASL |
                                    MW_POP3_CAPA_LANG | MW_POP3_CAPA_IMPLEMENTATION);
    assert_int_equal(cp->expire, 4294967294u);
    assert_int_equal(cp->sasl, MW_POP3_SASL_SCRAM | MW_POP3_SASL_GSSAPI |
                                   MW_POP3_SASL_EXTERNAL);
    /* a new CAPA replaces the set */
    mw_pop3_client_capa(c);
    assert_int_equal(tc_feed(t, "+OK\r\nTOP\r\n.\r\n"), MW_OK);
    assert_int_equal(cp->flags, MW_POP3_CAPA_KNOWN | MW_POP3_CAPA_TOP);
    /* a server without CAPA */
    mw_pop3_client_capa(c);
    assert_int_equal(tc_feed(t, "-ERR unknown command\r\n"), MW_OK);
    assert_int_equal(cp->flags, MW_POP3_CAPA_KNOWN | MW_POP3_CAPA_TOP);
    tc_free(t);
}

/* ======================================================================
 * STLS: response injection, capabilities forgotten
 * ====================================================================== */

static void test_stls_injection(void **state)
{
    tcli *t;
    size_t used;
    mw_error e;
    (void)state;
    /* bytes behind the +OK in the same read */
    t = tc_new(NULL, "+OK\r\n");
    mw_pop3_client_capa(&t->x.c);
    tc_feed(t, "+OK\r\nSTLS\r\nPIPELINING\r\n.\r\n");
    assert_int_equal(mw_pop3_client_stls(&t->x.c), MW_OK);
    assert_int_equal(mw_pop3_client_noop(&t->x.c), MW_E_STATE); /* nothing after STLS */
    assert_int_equal(mw_pop3_client_feed(&t->x.c, S_("+OK go\r\n+OK injected\r\n"), &used),
                     MW_E_INJECTION);
    assert_int_equal(used, 8);
    assert_int_equal(mw_pop3_client_error(&t->x.c, &e), MW_E_INJECTION);
    assert_int_equal(e.offset, 5 + 26 + 8);
    log_has(&t->log, "error MW_E_INJECTION @39 " R_("data after +OK to STLS"));
    log_lacks(&t->log, "reply STLS");
    assert_int_equal(mw_pop3_client_want(&t->x.c), MW_POP3_WANT_CLOSED);
    assert_int_equal(tc_feed(t, "x"), MW_E_CLOSED);
    tc_free(t);
    /* bytes in a later read, before tls_done */
    t = tc_new(NULL, "+OK\r\n");
    assert_int_equal(mw_pop3_client_stls(&t->x.c), MW_OK);
    assert_int_equal(tc_feed(t, "+OK go\r\n"), MW_OK);
    assert_int_equal(mw_pop3_client_want(&t->x.c), MW_POP3_WANT_TLS);
    assert_int_equal(tc_feed(t, "-"), MW_E_INJECTION);
    assert_int_equal(mw_pop3_client_tls_done(&t->x.c), MW_E_STATE);
    tc_free(t);
    /* the good path: capabilities forgotten, STLS refused afterwards */
    t = tc_new(NULL, "+OK\r\n");
    mw_pop3_client_capa(&t->x.c);
    tc_feed(t, "+OK\r\nSTLS\r\nPIPELINING\r\n.\r\n");
    assert_int_equal(mw_pop3_client_stls(&t->x.c), MW_OK);
    assert_int_equal(tc_feed(t, "+OK go\r\n"), MW_OK);
    assert_int_equal(mw_pop3_client_tls_done(&t->x.c), MW_OK);
    assert_int_equal(mw_pop3_client_capabilities(&t->x.c)->flags, 0);
    assert_int_equal(mw_pop3_client_stls(&t->x.c), MW_E_STATE);
    assert_int_equal(mw_pop3_client_capa(&t->x.c), MW_OK);
    tc_free(t);
    /* STLS refused by the server: the session goes on in clear */
    t = tc_new(NULL, "+OK\r\n");
    assert_int_equal(mw_pop3_client_stls(&t->x.c), MW_OK);
    assert_int_equal(tc_feed(t, "-ERR not now\r\n"), MW_OK);
    assert_int_equal(mw_pop3_client_want(&t->x.c),
                     MW_POP3_WANT_INPUT | MW_POP3_WANT_SEND);
    tc_free(t);
}

static void test_require_tls(void **state)
{
    mw_pop3_client_config cfg;
    tcli *t;
    (void)state;
    mw_pop3_client_config_init(&cfg);
    cfg.flags = MW_POP3_CLIENT_REQUIRE_TLS;
    t = tc_new(&cfg, "+OK\r\n");
    assert_int_equal(mw_pop3_client_user(&t->x.c, "u", 1), MW_E_STATE);
    assert_int_equal(mw_pop3_client_auth_plain(&t->x.c, NULL, 0, "u", 1, "p", 1),
                     MW_E_STATE);
    assert_int_equal(mw_pop3_client_apop(&t->x.c, "u", 1, "p", 1), P3_APOP(MW_E_STATE));
    assert_string_equal(tc_out(t), "");
    assert_int_equal(mw_pop3_client_stls(&t->x.c), MW_OK);
    tc_feed(t, "+OK\r\n");
    assert_int_equal(mw_pop3_client_tls_done(&t->x.c), MW_OK);
    assert_int_equal(mw_pop3_client_user(&t->x.c, "u", 1), MW_OK);
    tc_free(t);
    cfg.flags = MW_POP3_CLIENT_REQUIRE_TLS | MW_POP3_CLIENT_TLS_ACTIVE;
    t = tc_new(&cfg, "+OK\r\n");
    assert_int_equal(mw_pop3_client_stls(&t->x.c), MW_E_STATE);
    assert_int_equal(mw_pop3_client_user(&t->x.c, "u", 1), MW_OK);
    tc_free(t);
}

/* ======================================================================
 * Formatters: CR, LF, NUL in every argument; lengths; states
 * ====================================================================== */

static void test_injection_in_arguments(void **state)
{
    static const char *const evil[] = {"a\rb", "a\nb", "a\r\nQUIT", "\r\n"};
    static const size_t evil_len[] = {3, 3, 8, 2};
    tcli *t = tc_new(NULL, "+OK <1.2@h>\r\n");
    mw_pop3_client *c = &t->x.c;
    size_t i;
    (void)state;
    for (i = 0; i < 4; i++) {
        const char *e = evil[i];
        size_t n = evil_len[i];
        assert_int_equal(mw_pop3_client_user(c, e, n), MW_E_INVAL);
        assert_int_equal(mw_pop3_client_pass(c, e, n), MW_E_INVAL);
        assert_int_equal(mw_pop3_client_apop(c, e, n, "s", 1), P3_APOP(MW_E_INVAL));
        assert_int_equal(mw_pop3_client_auth_xoauth2(c, e, n, "tok", 3),
                         P3_OAUTH(MW_E_INVAL));
        assert_int_equal(mw_pop3_client_auth_xoauth2(c, "u", 1, e, n),
                         P3_OAUTH(MW_E_INVAL));
    }
    /* NUL anywhere */
    assert_int_equal(mw_pop3_client_user(c, "a\0b", 3), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_pass(c, "a\0b", 3), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_apop(c, "a\0b", 3, "s", 1), P3_APOP(MW_E_INVAL));
    assert_int_equal(mw_pop3_client_auth_plain(c, NULL, 0, "a\0b", 3, "p", 1),
                     MW_E_INVAL);
    assert_int_equal(mw_pop3_client_auth_plain(c, "z\0", 2, "u", 1, "p", 1), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_auth_plain(c, NULL, 0, "u", 1, "p\0", 2), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_auth_login(c, "a\0b", 3, "p", 1), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_auth_login(c, "u", 1, "p\0", 2), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_auth_xoauth2(c, "u\0", 2, "t", 1),
                     P3_OAUTH(MW_E_INVAL));
    /* mechanism names */
    assert_int_equal(mw_pop3_client_auth(c, "PLAIN\r\nQUIT", script_step, &t->x),
                     MW_E_INVAL);
    assert_int_equal(mw_pop3_client_auth(c, "", script_step, &t->x), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_auth(c, "A234567890123456789012", script_step,
                                         &t->x),
                     MW_E_INVAL);
    /* empty arguments */
    assert_int_equal(mw_pop3_client_user(c, "", 0), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_pass(c, "", 0), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_user(c, NULL, 1), MW_E_INVAL);
    /* nothing went out; the machine still works */
    assert_string_equal(tc_out(t), "");
    assert_int_equal(mw_pop3_client_in_flight(c), 0);
    /* PLAIN and LOGIN may carry CR/LF inside the parts (base64-encoded);
     * the wire never does */
    assert_int_equal(mw_pop3_client_auth_plain(c, NULL, 0, "u\r\nQUIT", 7, "p", 1),
                     MW_OK);
    {
        const char *o = tc_out(t);
        assert_string_equal(o, "AUTH PLAIN AHUNClFVSVQAcA==\r\n");
    }
    tc_free(t);
    /* message numbers */
    t = tc_trans(NULL, 0);
    c = &t->x.c;
    assert_int_equal(mw_pop3_client_retr(c, 0), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_dele(c, 0), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_top(c, 0, 1), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_top(c, 4294967295u, 4294967295u), MW_OK);
    assert_string_equal(tc_out(t), "TOP 4294967295 4294967295\r\n");
    tc_free(t);
}

static void test_command_length(void **state)
{
    tcli *t = tc_new(NULL, "+OK\r\n");
    char name[300];
    (void)state;
    memset(name, 'n', sizeof name);
    /* "USER " + n + CRLF <= 255: n = 248 is the cap */
    assert_int_equal(mw_pop3_client_user(&t->x.c, name, 249), MW_E_TOO_LONG);
    assert_string_equal(tc_out(t), "");
    assert_int_equal(mw_pop3_client_user(&t->x.c, name, 248), MW_OK);
    assert_int_equal(t->x.out.n, 255);
    tc_out(t);
    tc_feed(t, "+OK\r\n");
    assert_int_equal(mw_pop3_client_pass(&t->x.c, name, 247), MW_OK);
    assert_int_equal(t->x.out.n, 254);
    tc_free(t);
}

static void test_states(void **state)
{
    tcli *t = tc_new(NULL, "+OK\r\n");
    mw_pop3_client *c = &t->x.c;
    (void)state;
    assert_int_equal(mw_pop3_client_retr(c, 1), MW_E_STATE);
    assert_int_equal(mw_pop3_client_stat(c), MW_E_STATE);
    assert_int_equal(mw_pop3_client_noop(c), MW_E_STATE);
    assert_int_equal(mw_pop3_client_user(c, "u", 1), MW_OK);
    /* one at a time without PIPELINING */
    assert_int_equal(mw_pop3_client_pass(c, "p", 1), MW_E_STATE);
    assert_int_equal(mw_pop3_client_want(c), MW_POP3_WANT_INPUT);
    tc_feed(t, "+OK\r\n");
    assert_int_equal(mw_pop3_client_pass(c, "p", 1), MW_OK);
    tc_feed(t, "+OK\r\n");
    assert_int_equal(mw_pop3_client_user(c, "u", 1), MW_E_STATE);
    assert_int_equal(mw_pop3_client_utf8(c), MW_E_STATE);
    assert_int_equal(mw_pop3_client_stls(c), MW_E_STATE);
    assert_int_equal(mw_pop3_client_quit(c), MW_OK);
    assert_int_equal(tc_feed(t, "+OK bye\r\n"), MW_DONE);
    assert_int_equal(mw_pop3_client_state(c), MW_POP3_STATE_CLOSED);
    assert_int_equal(mw_pop3_client_noop(c), MW_E_STATE);
    assert_int_equal(mw_pop3_client_eof(c), MW_OK);
    tc_free(t);
}

static void test_pipelining(void **state)
{
    mw_pop3_client_config cfg;
    tcli *t;
    mw_pop3_client *c;
    unsigned i;
    (void)state;
    t = tc_trans(NULL, 1);
    c = &t->x.c;
    /* pipelined, answered in one read, matched in order */
    assert_int_equal(mw_pop3_client_list(c, 1), MW_OK);
    assert_int_equal(mw_pop3_client_uidl(c, 1), MW_OK);
    assert_int_equal(mw_pop3_client_retr(c, 1), MW_OK);
    assert_int_equal(mw_pop3_client_stat(c), MW_OK);
    assert_int_equal(mw_pop3_client_dele(c, 1), MW_OK);
    assert_int_equal(mw_pop3_client_in_flight(c), 5);
    assert_string_equal(tc_out(t), "LIST 1\r\nUIDL 1\r\nRETR 1\r\nSTAT\r\nDELE 1\r\n");
    assert_int_equal(tc_feed(t, "+OK 1 10\r\n+OK 1 u1\r\n+OK\r\n..\r\n.\r\n+OK 1 10\r\n"
                                "-ERR no\r\n"),
                     MW_OK);
    log_has(&t->log, "reply LIST ok=1 code=0 fl=0 msg=1 count=0 octets=10");
    log_has(&t->log, "reply UIDL ok=1 code=0 fl=0 msg=1 ");
    log_has(&t->log, "reply RETR ok=1 code=0 fl=1 msg=1 ");
    log_has(&t->log, "body: .\\r\\n\nend RETR");
    log_has(&t->log, "reply STAT ok=1 code=0 fl=0 msg=0 count=1 octets=10");
    log_has(&t->log, "reply DELE ok=0 ");
    assert_int_equal(mw_pop3_client_in_flight(c), 0);
    /* the queue's limit */
    for (i = 0; i < MW_POP3_CLIENT_PIPELINE_MAX; i++)
        assert_int_equal(mw_pop3_client_noop(c), MW_OK);
    assert_int_equal(mw_pop3_client_noop(c), MW_E_STATE);
    assert_int_equal(mw_pop3_client_want(c), MW_POP3_WANT_INPUT);
    for (i = 0; i < MW_POP3_CLIENT_PIPELINE_MAX; i++)
        assert_int_equal(tc_feed(t, "+OK\r\n"), MW_OK);
    tc_free(t);
    /* a smaller configured limit; no pipelining at all */
    mw_pop3_client_config_init(&cfg);
    cfg.max_pipeline = 3;
    t = tc_trans(&cfg, 1);
    for (i = 0; i < 3; i++)
        assert_int_equal(mw_pop3_client_noop(&t->x.c), MW_OK);
    assert_int_equal(mw_pop3_client_noop(&t->x.c), MW_E_STATE);
    tc_free(t);
    cfg.max_pipeline = MW_POP3_CLIENT_PIPELINE_MAX;
    cfg.flags = MW_POP3_CLIENT_NO_PIPELINING;
    t = tc_trans(&cfg, 1);
    assert_int_equal(mw_pop3_client_noop(&t->x.c), MW_OK);
    assert_int_equal(mw_pop3_client_noop(&t->x.c), MW_E_STATE);
    tc_free(t);
    /* STLS and AUTH go alone; commands may follow a pipelined PASS */
    t = tc_new(NULL, "+OK\r\n");
    mw_pop3_client_capa(&t->x.c);
    tc_feed(t, "+OK\r\nPIPELINING\r\n.\r\n");
    assert_int_equal(mw_pop3_client_user(&t->x.c, "u", 1), MW_OK);
    assert_int_equal(mw_pop3_client_stls(&t->x.c), MW_E_STATE);
    assert_int_equal(mw_pop3_client_auth_plain(&t->x.c, NULL, 0, "u", 1, "p", 1),
                     MW_E_STATE);
    assert_int_equal(mw_pop3_client_stat(&t->x.c), MW_E_STATE);
    assert_int_equal(mw_pop3_client_pass(&t->x.c, "p", 1), MW_OK);
    assert_int_equal(mw_pop3_client_stat(&t->x.c), MW_OK);
    assert_int_equal(tc_feed(t, "+OK\r\n+OK\r\n+OK 0 0\r\n"), MW_OK);
    log_has(&t->log, "reply STAT ok=1");
    tc_free(t);
}

/* ======================================================================
 * AUTH
 * ====================================================================== */

static int list_step(void *user, const char *chal, size_t clen, char *resp,
                     size_t cap, size_t *rlen)
{
    cli *x = user;
    const char *s;
    (void)chal;
    (void)clen;
    *rlen = 0;
    if (x->step_i >= x->nsteps)
        return MW_E_INVAL;
    s = x->steps[x->step_i++];
    if (s == NULL)
        return MW_PAUSED;
    if (strlen(s) > cap)
        return MW_E_NOSPACE;
    memcpy(resp, s, strlen(s));
    *rlen = strlen(s);
    return x->step_i == x->step_last ? MW_DONE : MW_OK;
}

static void test_auth_plain(void **state)
{
    tcli *t = tc_new(NULL, "+OK\r\n");
    char user[300], want[1000];
    size_t n;
    (void)state;
    /* short: the initial response goes with the command */
    assert_int_equal(mw_pop3_client_auth_plain(&t->x.c, NULL, 0, "test", 4, "test", 4),
                     MW_OK);
    assert_string_equal(tc_out(t), "AUTH PLAIN AHRlc3QAdGVzdA==\r\n");
    assert_int_equal(mw_pop3_client_want(&t->x.c), MW_POP3_WANT_INPUT);
    /* an unexpected challenge after it: cancel */
    assert_int_equal(tc_feed(t, "+ \r\n"), MW_OK);
    assert_string_equal(tc_out(t), "*\r\n");
    assert_int_equal(tc_feed(t, "-ERR cancelled\r\n"), MW_OK);
    log_has(&t->log, "reply AUTH ok=0 ");
    /* long: RFC 5034 §4, the AUTH line would pass 255 octets; the
     * response follows the server's empty challenge */
    memset(user, 'u', sizeof user);
    assert_int_equal(mw_pop3_client_auth_plain(&t->x.c, NULL, 0, user, 200, "pw", 2),
                     MW_OK);
    assert_string_equal(tc_out(t), "AUTH PLAIN\r\n");
    assert_int_equal(tc_feed(t, "+\r\n"), MW_OK); /* "+" without a space too */
    assert_int_equal(mw_sasl_plain_encode(NULL, 0, user, 200, "pw", 2, want,
                                          sizeof want, &n),
                     MW_OK);
    memcpy(want + n, "\r\n", 3);
    assert_string_equal(tc_out(t), want);
    assert_int_equal(tc_feed(t, "+OK\r\n"), MW_OK);
    assert_int_equal(mw_pop3_client_state(&t->x.c), MW_POP3_STATE_TRANSACTION);
    /* AUTH after login is refused */
    assert_int_equal(mw_pop3_client_auth_plain(&t->x.c, NULL, 0, "a", 1, "b", 1),
                     MW_E_STATE);
    tc_free(t);
}

static void test_auth_login(void **state)
{
    tcli *t = tc_new(NULL, "+OK\r\n");
    (void)state;
    assert_int_equal(mw_pop3_client_auth_login(&t->x.c, "tim", 3, "tanstaaf", 8), MW_OK);
    assert_string_equal(tc_out(t), "AUTH LOGIN\r\n");
    assert_int_equal(tc_feed(t, "+ VXNlcm5hbWU6\r\n"), MW_OK);
    assert_string_equal(tc_out(t), "dGlt\r\n");
    log_has(&t->log, "challenge: Username:\n");
    assert_int_equal(tc_feed(t, "+ UGFzc3dvcmQ6\r\n"), MW_OK);
    assert_string_equal(tc_out(t), "dGFuc3RhYWY=\r\n");
    /* a third challenge: cancel */
    assert_int_equal(tc_feed(t, "+ \r\n"), MW_OK);
    assert_string_equal(tc_out(t), "*\r\n");
    assert_int_equal(tc_feed(t, "-ERR\r\n"), MW_OK);
    /* the buffer held credentials: wiped */
    {
        size_t i, nz = 0;
        for (i = 0; i < 64; i++)
            nz += t->x.c.abuf[i] != 0;
        assert_int_equal(nz, 0);
    }
    tc_free(t);
}

static void test_auth_xoauth2(void **state)
{
    tcli *t = tc_new(NULL, "+OK\r\n");
#if MW_ENABLE_SASL_OAUTH
    char want[400];
    size_t n;
    (void)state;
    assert_int_equal(mw_pop3_client_auth_xoauth2(&t->x.c, "someone@example.com", 19,
                                                 "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg",
                                                 45),
                     MW_OK);
    assert_int_equal(mw_sasl_xoauth2_encode("someone@example.com", 19,
                                            "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg",
                                            45, want + 13, sizeof want - 13, &n),
                     MW_OK);
    memcpy(want, "AUTH XOAUTH2 ", 13);
    memcpy(want + 13 + n, "\r\n", 3);
    assert_string_equal(tc_out(t), want);
    /* the error challenge: passed on, answered with an empty line */
    assert_int_equal(tc_feed(t, "+ eyJzdGF0dXMiOiI0MDEifQ==\r\n"), MW_OK);
    log_has(&t->log, "challenge: {\"status\":\"401\"}\n");
    assert_string_equal(tc_out(t), "\r\n");
    assert_int_equal(tc_feed(t, "-ERR [AUTH] Invalid credentials\r\n"), MW_OK);
    log_has(&t->log, "reply AUTH ok=0 code=5 ");
#else
    /* compiled out (features.h): refused, nothing sent, the session
     * goes on */
    (void)state;
    assert_int_equal(mw_pop3_client_auth_xoauth2(&t->x.c, "someone@example.com", 19,
                                                 "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg",
                                                 45),
                     MW_E_UNSUPPORTED);
    assert_string_equal(tc_out(t), "");
    assert_int_equal(mw_pop3_client_user(&t->x.c, "someone", 7), MW_OK);
    assert_string_equal(tc_out(t), "USER someone\r\n");
#endif
    tc_free(t);
}

static void test_auth_hook(void **state)
{
    static const char *const steps[] = {"first", "second", "third"};
    static const char *const paused[] = {NULL, "late"};
    mw_pop3_client_config cfg;
    tcli *t = tc_new(NULL, "+OK\r\n");
    (void)state;
    t->x.steps = steps;
    t->x.nsteps = 3;
    t->x.step_last = 2; /* "second" is the last step */
    assert_int_equal(mw_pop3_client_auth(&t->x.c, "X-TEST", list_step, &t->x), MW_OK);
    assert_string_equal(tc_out(t), "AUTH X-TEST Zmlyc3Q=\r\n");
    assert_int_equal(tc_feed(t, "+ Y2hhbA==\r\n"), MW_OK);
    assert_string_equal(tc_out(t), "c2Vjb25k\r\n");
    /* a challenge after the last step: cancel */
    assert_int_equal(tc_feed(t, "+ \r\n"), MW_OK);
    assert_string_equal(tc_out(t), "*\r\n");
    log_has(&t->log, "error MW_E_SEQUENCE");
    assert_int_equal(tc_feed(t, "-ERR\r\n"), MW_OK);
    /* no initial response; a challenge that is not base64: cancel */
    t->x.steps = paused;
    t->x.nsteps = 2;
    t->x.step_i = 0;
    t->x.step_last = 0;
    assert_int_equal(mw_pop3_client_auth(&t->x.c, "X-TEST", list_step, &t->x), MW_OK);
    assert_string_equal(tc_out(t), "AUTH X-TEST\r\n");
    assert_int_equal(tc_feed(t, "+ not base64!\r\n"), MW_OK);
    assert_string_equal(tc_out(t), "*\r\n");
    log_has(&t->log, "error MW_E_BASE64");
    assert_int_equal(tc_feed(t, "-ERR\r\n"), MW_OK);
    /* paused first, then an answer */
    t->x.step_i = 0;
    assert_int_equal(mw_pop3_client_auth(&t->x.c, "X-TEST", list_step, &t->x), MW_OK);
    assert_int_equal(tc_feed(t, "+ \r\n"), MW_OK);
    assert_string_equal(tc_out(t), "AUTH X-TEST\r\nbGF0ZQ==\r\n");
    assert_int_equal(tc_feed(t, "+OK\r\n"), MW_OK);
    assert_int_equal(mw_pop3_client_state(&t->x.c), MW_POP3_STATE_TRANSACTION);
    tc_free(t);
    /* no SASL buffer: NOSPACE */
    mw_pop3_client_config_init(&cfg);
    cfg.max_auth_line = 512;
    t = calloc(1, sizeof *t);
    evlog_init(&t->log);
    t->x.log = &t->log;
    {
        mw_pop3_client_callbacks cb = {0};
        size_t used;
        cb.send = c_send;
        assert_int_equal(mw_pop3_client_init(&t->x.c, &cfg, &cb, &t->x, t->x.buf, 512),
                         MW_OK);
        assert_int_equal(mw_pop3_client_feed(&t->x.c, "+OK\r\n", 5, &used), MW_OK);
    }
    assert_int_equal(mw_pop3_client_auth_plain(&t->x.c, NULL, 0, "u", 1, "p", 1),
                     MW_E_NOSPACE);
    assert_int_equal(mw_pop3_client_auth(&t->x.c, "X", list_step, &t->x), MW_E_NOSPACE);
    assert_int_equal(mw_pop3_client_user(&t->x.c, "u", 1), MW_OK);
    tc_free(t);
}

static void test_auth_long_lines(void **state)
{
    /* A hook response as long as max_auth_line allows: one line of
     * max_auth_line octets with CRLF; a challenge longer than the limit is
     * cancelled. */
    static char big[3000];
    static const char *steps[1];
    mw_pop3_client_config cfg;
    tcli *t;
    char line[5000];
    (void)state;
    mw_pop3_client_config_init(&cfg);
    cfg.max_auth_line = 1024;
    memset(big, 'q', sizeof big);
    big[((1024 - 2) / 4) * 3] = '\0'; /* 765 raw bytes -> 1020 base64 */
    steps[0] = big;
    t = tc_new(&cfg, "+OK\r\n");
    t->x.steps = steps;
    t->x.nsteps = 1;
    assert_int_equal(mw_pop3_client_auth(&t->x.c, "X", list_step, &t->x), MW_OK);
    assert_string_equal(tc_out(t), "AUTH X\r\n"); /* too long for the command */
    assert_int_equal(tc_feed(t, "+ \r\n"), MW_OK);
    assert_int_equal(t->x.out.n, 1022);
    tc_out(t);
    memcpy(line, "+ ", 2);
    memset(line + 2, 'A', 1020); /* 1022 + CRLF = 1024: the cap */
    memcpy(line + 1022, "\r\n", 3);
    t->x.steps = steps;
    t->x.step_i = 0;
    big[3] = '\0';
    assert_int_equal(tc_feed(t, line), MW_OK);
    assert_string_equal(tc_out(t), "cXFx\r\n");
    memset(line + 2, 'A', 1021); /* cap + 1 */
    memcpy(line + 1023, "\r\n", 3);
    assert_int_equal(tc_feed(t, line), MW_OK);
    assert_string_equal(tc_out(t), "*\r\n");
    log_has(&t->log, "error MW_E_TOO_LONG");
    tc_free(t);
}

/* ======================================================================
 * End, failures, set-up
 * ====================================================================== */

static void test_eof_and_failures(void **state)
{
    tcli *t = tc_trans(NULL, 0);
    (void)state;
    mw_pop3_client_retr(&t->x.c, 1);
    assert_int_equal(tc_feed(t, "+OK\r\npartial"), MW_OK);
    assert_int_equal(mw_pop3_client_eof(&t->x.c), MW_E_INCOMPLETE);
    log_has(&t->log, "error MW_E_INCOMPLETE");
    assert_int_equal(mw_pop3_client_want(&t->x.c), MW_POP3_WANT_CLOSED);
    tc_free(t);
    t = tc_trans(NULL, 0);
    mw_pop3_client_noop(&t->x.c);
    t->x.abort_reply = 1;
    assert_int_equal(tc_feed(t, "+OK\r\n"), MW_E_CALLBACK);
    assert_int_equal(mw_pop3_client_want(&t->x.c), MW_POP3_WANT_CLOSED);
    tc_free(t);
    t = tc_trans(NULL, 0);
    t->x.fail_send = 1;
    assert_int_equal(mw_pop3_client_noop(&t->x.c), MW_E_CALLBACK);
    assert_int_equal(mw_pop3_client_want(&t->x.c), MW_POP3_WANT_CLOSED);
    tc_free(t);
}

static void test_init(void **state)
{
    mw_pop3_client c;
    char buf[600];
    mw_pop3_client_callbacks cb = {0}, nosend = {0};
    mw_pop3_client_config cfg;
    (void)state;
    cb.send = c_send;
    assert_true(mw_pop3_client_sizeof() <= 1024);
    assert_int_equal(mw_pop3_client_sizeof(), sizeof(mw_pop3_client));
    mw_pop3_client_config_init(&cfg);
    cfg.max_auth_line = 512;
    assert_int_equal(mw_pop3_client_init(&c, &cfg, &cb, NULL, buf, 512), MW_OK);
    assert_int_equal(mw_pop3_client_init(&c, &cfg, &cb, NULL, buf, 511), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_init(&c, NULL, &cb, NULL, buf, 600), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_init(&c, &cfg, &nosend, NULL, buf, 600), MW_E_INVAL);
    assert_int_equal(mw_pop3_client_init(NULL, &cfg, &cb, NULL, buf, 600), MW_E_INVAL);
    cfg.max_pipeline = 0;
    assert_int_equal(mw_pop3_client_init(&c, &cfg, &cb, NULL, buf, 600), MW_E_INVAL);
    cfg.max_pipeline = MW_POP3_CLIENT_PIPELINE_MAX + 1;
    assert_int_equal(mw_pop3_client_init(&c, &cfg, &cb, NULL, buf, 600), MW_E_INVAL);
    cfg.max_pipeline = 1;
    cfg.body_newline = (mw_newline_policy)9;
    assert_int_equal(mw_pop3_client_init(&c, &cfg, &cb, NULL, buf, 600), MW_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc1939_session),
        cmocka_unit_test(test_rfc1939_commands),
        cmocka_unit_test(test_rfc2449),
        cmocka_unit_test(test_rfc5034),
        cmocka_unit_test(test_rfc3206),
        cmocka_unit_test(test_rfc6856_lang),
        cmocka_unit_test(test_stls_transcript),
        cmocka_unit_test(test_dovecot),
        cmocka_unit_test(test_gmail),
        cmocka_unit_test(test_status_lines),
        cmocka_unit_test(test_greeting),
        cmocka_unit_test(test_long_line),
        cmocka_unit_test(test_bodies),
        cmocka_unit_test(test_listings),
        cmocka_unit_test(test_lang),
        cmocka_unit_test(test_capabilities),
        cmocka_unit_test(test_stls_injection),
        cmocka_unit_test(test_require_tls),
        cmocka_unit_test(test_injection_in_arguments),
        cmocka_unit_test(test_command_length),
        cmocka_unit_test(test_states),
        cmocka_unit_test(test_pipelining),
        cmocka_unit_test(test_auth_plain),
        cmocka_unit_test(test_auth_login),
        cmocka_unit_test(test_auth_xoauth2),
        cmocka_unit_test(test_auth_hook),
        cmocka_unit_test(test_auth_long_lines),
        cmocka_unit_test(test_eof_and_failures),
        cmocka_unit_test(test_init),
    };
    return cmocka_run_group_tests_name("pop3_client", tests, NULL, NULL);
}
