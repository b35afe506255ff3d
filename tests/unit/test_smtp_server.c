/* SPDX-License-Identifier: MIT */
/* The SMTP/LMTP server machine (lib/smtp/server.c).
 *
 * A fake application logs every callback into an evlog ("S:" for each
 * line sent, "C:" for each command with everything parsed from it, data,
 * ends, SASL responses, errors) and answers by a policy: the default
 * replies, scripted replies from a transcript, rejections, or later
 * (asynchronously, after feed returns). Every input goes through the
 * replay helper (whole, per byte, every split), and the asynchronous run
 * must log exactly what the synchronous one logs.
 *
 * Transcripts (tests/vectors/smtp/, *.txt): the RFC scenarios (RFC 5321
 * appendix D, RFC 2920, RFC 3030, RFC 2033) and our own; see
 * tests/vectors/smtp/README.md for the format. Then: every command's
 * parsing, sequence and syntax errors with their codes and offsets,
 * enhanced status codes, limits at cap-1/cap/cap+1, DATA smuggling vectors
 * at every split under each newline policy, BDAT (malformed lines change
 * nothing), AUTH framing, STARTTLS injection, LMTP, reply formatting
 * (CR/LF/NUL refused), callback failures at each callback, pause/resume,
 * 100,000 RCPT commands and a 1 GB message in 1 MB chunks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evlog.h"
#include "reason.h"
#include "replay.h"
#include "testdata.h"

#include "mailwire/codec.h"
#include "mailwire/sasl.h"
#include "mailwire/smtp_server.h"

#define S_(lit) lit, sizeof(lit) - 1

/* ====================================================================
 * The fake application
 * ==================================================================== */

enum { POL_DEFAULT = 0, POL_REJECT, POL_SCRIPT };

/* What the application does when it answers: a list of steps. */
enum { ACT_REPLY = 1, ACT_MORE, ACT_DEFAULT, ACT_CHALLENGE, ACT_NONE };
typedef struct act {
    int kind;
    unsigned code;
    char text[600];
} act;

/* callback kinds, for failure and pause injection */
enum { CB_SEND = 1, CB_COMMAND, CB_DATA, CB_DATA_END, CB_AUTH, CB_ERROR };

#define TLS_MARK "\x1bTLS\x1b"

typedef struct app {
    mw_smtp_server s;
    mw_smtp_server_config cfg;
    mw_smtp_server_callbacks cb;
    char *linebuf;
    size_t linebuf_len;
    evlog *log;
    const char *greeting; /* NULL: default */
    int refuse;           /* greet with 554 */
    int policy;
    int async;            /* answer after feed returns */
    int tls_ok;           /* accept STARTTLS (220) */
    int quiet;            /* do not log data bytes, only their count */
    int no_log;           /* log nothing (big tests) */
    /* scripted answers */
    act *script;
    size_t nscript, si;
    /* the answer owed (async) */
    act pend[16];
    size_t npend;
    /* failure / pause injection: the n-th call of a callback kind */
    int fail_kind, pause_kind;
    unsigned fail_nth, pause_nth;
    unsigned calls[8];
    /* TLS handshake emulation */
    size_t mark;          /* bytes of TLS_MARK matched */
    int discard_logged;
    size_t disc_base;
    /* counters */
    uint64_t data_bytes;
    uint64_t last_size;   /* data bytes of the last message */
    char *owned[8];       /* strings the config points to */
    size_t nowned;
    unsigned commands, sends;
    size_t max_send;
} app;

static int inject(app *a, int kind)
{
    a->calls[kind]++;
    if (a->fail_kind == kind && a->calls[kind] == a->fail_nth)
        return -1;
    if (a->pause_kind == kind && a->calls[kind] == a->pause_nth)
        return MW_PAUSED;
    return 0;
}

static void run_acts(app *a, const act *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int r = MW_OK;
        switch (v[i].kind) {
        case ACT_REPLY:
            r = mw_smtp_server_reply(&a->s, v[i].code, v[i].text);
            break;
        case ACT_MORE:
            r = mw_smtp_server_reply_more(&a->s, v[i].code, v[i].text);
            break;
        case ACT_DEFAULT:
            r = mw_smtp_server_reply_default(&a->s);
            break;
        case ACT_CHALLENGE:
            r = mw_smtp_server_auth_challenge(&a->s, v[i].text, strlen(v[i].text));
            break;
        default:
            break;
        }
        if (r != MW_OK && r != MW_E_CALLBACK)
            fail_msg("application answer %d %u \"%s\": %s", v[i].kind, v[i].code,
                     v[i].text, mw_status_name(r));
    }
}

static void add_act(act *v, size_t *n, int kind, unsigned code, const char *text)
{
    assert_true(*n < 16);
    v[*n].kind = kind;
    v[*n].code = code;
    snprintf(v[*n].text, sizeof v[*n].text, "%s", text ? text : "");
    (*n)++;
}

static int mw_span_is(mw_span s, const char *w);

/* Decide the answer to the event now owed, then give it now or later. */
static void answer(app *a, int verb, const mw_smtp_cmd *c, const mw_smtp_sasl *r)
{
    act v[16];
    size_t n = 0;

    if (a->policy == POL_SCRIPT && a->si < a->nscript) {
        /* reply_more lines, then a final step; LMTP's end of data takes
         * one final reply per accepted recipient */
        unsigned finals = (verb == MW_SMTP_CMD_DATA && c == NULL &&
                           (a->cfg.flags & MW_SMTP_SERVER_LMTP)) ? a->s.owed : 1u;
        while (a->si < a->nscript && finals > 0 && n < 16) {
            act *x = &a->script[a->si++];
            v[n++] = *x;
            if (x->kind != ACT_MORE)
                finals--;
        }
    } else if (verb == MW_SMTP_CMD_STARTTLS && a->tls_ok) {
        add_act(v, &n, ACT_REPLY, 220, "2.0.0 Ready to start TLS");
    } else if (verb == MW_SMTP_CMD_AUTH && c != NULL) {
        /* PLAIN with user/pass, LOGIN with user then pass */
        if (mw_span_is(c->arg, "PLAIN")) {
            if (!c->has_initial) {
                add_act(v, &n, ACT_CHALLENGE, 0, "");
            } else {
                char scratch[512];
                mw_span z, u, p;
                int ok = mw_sasl_plain_decode(c->auth_initial.b64.ptr, c->auth_initial.b64.len,
                                              255, scratch, sizeof scratch, &z, &u, &p, NULL) == MW_OK &&
                         u.len == 4 && memcmp(u.ptr, "user", 4) == 0 && p.len == 4 &&
                         memcmp(p.ptr, "pass", 4) == 0;
                add_act(v, &n, ACT_REPLY, ok ? 235 : 535,
                        ok ? "2.7.0 Authentication successful" : "5.7.8 Authentication credentials invalid");
            }
        } else if (mw_span_is(c->arg, "LOGIN")) {
            add_act(v, &n, ACT_CHALLENGE, 0, "Username:");
        } else {
            add_act(v, &n, ACT_DEFAULT, 0, NULL);
        }
    } else if (verb == MW_SMTP_CMD_AUTH && r != NULL) {
        /* LOGIN: the user name, then the password; PLAIN after "334 " */
        if (r->decoded.len == 4 && memcmp(r->decoded.ptr, "user", 4) == 0)
            add_act(v, &n, ACT_CHALLENGE, 0, "Password:");
        else if ((r->decoded.len == 4 && memcmp(r->decoded.ptr, "pass", 4) == 0) ||
                 (r->decoded.len == 10 && memcmp(r->decoded.ptr, "\0user\0pass", 10) == 0))
            add_act(v, &n, ACT_REPLY, 235, "2.7.0 Authentication successful");
        else
            add_act(v, &n, ACT_REPLY, 535, "5.7.8 Authentication credentials invalid");
    } else if (a->policy == POL_REJECT &&
               (verb == MW_SMTP_CMD_MAIL || verb == MW_SMTP_CMD_RCPT)) {
        add_act(v, &n, ACT_REPLY, 550, "5.7.1 Rejected by policy");
    } else {
        add_act(v, &n, ACT_DEFAULT, 0, NULL);
    }
    if (a->async) {
        memcpy(a->pend, v, n * sizeof(act));
        a->npend = n;
    } else {
        run_acts(a, v, n);
    }
}

static int on_send(mw_smtp_server *s, void *u, const char *p, size_t n)
{
    app *a = u;
    int r = inject(a, CB_SEND);
    (void)s;
    a->sends++;
    if (n > a->max_send)
        a->max_send = n;
    /* one whole line per call */
    assert_true(n >= 5 && n <= 512);
    assert_memory_equal(p + n - 2, "\r\n", 2);
    assert_null(memchr(p, '\n', n - 1));
    assert_null(memchr(p, '\r', n - 2));
    if (!a->no_log) {
        evlog_printf(a->log, "S: %.*s", (int)(n - 2), p);
    }
    return r;
}

/* evlog_escaped()'s format, into a string */
static void escape_to(char *out, size_t cap, const char *p, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < cap; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\r') { out[o++] = '\\'; out[o++] = 'r'; }
        else if (c == '\n') { out[o++] = '\\'; out[o++] = 'n'; }
        else if (c == '\t') { out[o++] = '\\'; out[o++] = 't'; }
        else if (c == '\\') { out[o++] = '\\'; out[o++] = '\\'; }
        else if (c < 0x20 || c >= 0x7f) { snprintf(out + o, 5, "\\x%02x", c); o += 4; }
        else out[o++] = (char)c;
    }
    out[o] = '\0';
}

static void log_span(evlog *log, const char *tag, mw_span v)
{
    char buf[4096];
    escape_to(buf, sizeof buf, v.ptr, v.len);
    evlog_printf(log, "   %s=%s", tag, buf);
}

static int on_command(mw_smtp_server *s, void *u, const mw_smtp_cmd *c)
{
    app *a = u;
    int r = inject(a, CB_COMMAND);
    (void)s;
    a->commands++;
    if (!a->no_log) {
        evlog *l = a->log;
        evlog_printf(l, "C: %s @%zu", mw_smtp_verb_name(c->verb), c->offset);
        if (c->arg.len)
            log_span(l, "arg", c->arg);
        if (c->verb == MW_SMTP_CMD_MAIL || c->verb == MW_SMTP_CMD_RCPT) {
            evlog_printf(l, "   path flags=%03x", c->path.flags);
            log_span(l, "mailbox", c->path.mailbox);
            if (c->path.local.len)
                log_span(l, "local", c->path.local);
            if (c->path.domain.len)
                log_span(l, "domain", c->path.domain);
        }
        if (c->mail.present) {
            evlog_printf(l, "   mail present=%02x size=%llu body=%d ret=%d mtp=%d",
                         c->mail.present, (unsigned long long)c->mail.size,
                         (int)c->mail.body, (int)c->mail.ret, c->mail.mt_priority);
            if (c->mail.present & MW_SMTP_MAIL_ENVID)
                log_span(l, "envid", c->mail.envid);
            if (c->mail.present & MW_SMTP_MAIL_AUTH)
                log_span(l, "auth", c->mail.auth);
        }
        if (c->rcpt.present) {
            evlog_printf(l, "   rcpt present=%02x notify=%02x", c->rcpt.present, c->rcpt.notify);
            if (c->rcpt.present & MW_SMTP_RCPT_ORCPT) {
                log_span(l, "orcpt-type", c->rcpt.orcpt_type);
                log_span(l, "orcpt", c->rcpt.orcpt);
            }
        }
        for (size_t i = 0; i < c->nparams; i++) {
            log_span(l, "param", c->params[i].name);
            log_span(l, "value", c->params[i].value);
        }
        if (c->has_initial) {
            log_span(l, "ir-b64", c->auth_initial.b64);
            log_span(l, "ir", c->auth_initial.decoded);
        }
    }
    if (r < 0)
        return r;
    answer(a, (int)c->verb, c, NULL);
    return r;
}

static int on_data(mw_smtp_server *s, void *u, const char *p, size_t n)
{
    app *a = u;
    int r = inject(a, CB_DATA);
    (void)s;
    assert_true(n > 0);
    a->data_bytes += n;
    if (!a->no_log && !a->quiet)
        evlog_data(a->log, "D", p, n);
    return r;
}

static int on_data_end(mw_smtp_server *s, void *u, int status)
{
    app *a = u;
    int r = inject(a, CB_DATA_END);
    (void)s;
    if (!a->no_log) {
        if (a->quiet)
            evlog_printf(a->log, "D: %llu bytes", (unsigned long long)a->data_bytes);
        evlog_printf(a->log, "END %s", mw_status_name(status));
    }
    a->last_size = a->data_bytes;
    a->data_bytes = 0;
    if (r < 0)
        return r;
    if (status == MW_OK)
        answer(a, MW_SMTP_CMD_DATA, NULL, NULL);
    else
        assert_int_equal(mw_smtp_server_reply(s, 250, "x"), MW_E_STATE);
    return r;
}

static int on_auth(mw_smtp_server *s, void *u, const mw_smtp_sasl *x)
{
    app *a = u;
    int r = inject(a, CB_AUTH);
    (void)s;
    if (!a->no_log) {
        evlog_printf(a->log, "AUTH-RESPONSE");
        log_span(a->log, "b64", x->b64);
        log_span(a->log, "decoded", x->decoded);
    }
    if (r < 0)
        return r;
    answer(a, MW_SMTP_CMD_AUTH, NULL, x);
    return r;
}

static int on_error(mw_smtp_server *s, void *u, int status, size_t off,
                    const char *reason)
{
    app *a = u;
    int r = inject(a, CB_ERROR);
    (void)s;
    assert_non_null(reason);
    if (status == MW_E_TLS_LEFTOVER) { /* plaintext after STARTTLS discarded */
        /* logged once per TLS wait: the pieces depend on the chunking */
        if (a->discard_logged)
            return r;
        a->discard_logged = 1;
    }
    if (!a->no_log)
        evlog_printf(a->log, "E: %s @%zu %s", mw_status_name(status), off, reason);
    return r;
}

static int mw_span_is(mw_span s, const char *w)
{
    size_t n = strlen(w);
    if (s.len != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char x = s.ptr[i], y = w[i];
        if (x >= 'a' && x <= 'z')
            x = (char)(x - 32);
        if (x != y)
            return 0;
    }
    return 1;
}

/* ---- setting up ---- */

static void app_config(app *a)
{
    mw_smtp_server_config_init(&a->cfg);
    a->cfg.hostname = "mx.example.org";
    memset(&a->cb, 0, sizeof a->cb);
    a->cb.send = on_send;
    a->cb.command = on_command;
    a->cb.data = on_data;
    a->cb.data_end = on_data_end;
    a->cb.auth_response = on_auth;
    a->cb.error = on_error;
    a->linebuf_len = 16384;
    a->fail_kind = a->pause_kind = 0;
}

static void app_start(app *a, evlog *log)
{
    a->log = log;
    a->si = 0;
    a->npend = 0;
    a->mark = 0;
    a->discard_logged = 0;
    a->disc_base = 0;
    a->data_bytes = 0;
    a->commands = a->sends = 0;
    memset(a->calls, 0, sizeof a->calls);
    if (a->linebuf == NULL)
        a->linebuf = malloc(a->linebuf_len);
    assert_non_null(a->linebuf);
    assert_int_equal(mw_smtp_server_init(&a->s, &a->cfg, &a->cb, a, a->linebuf,
                                         a->linebuf_len),
                     MW_OK);
    int r = a->refuse ? mw_smtp_server_refuse(&a->s, a->greeting)
                      : mw_smtp_server_start(&a->s, a->greeting);
    if (r != MW_OK && !(a->fail_kind == CB_SEND && r == MW_E_CALLBACK))
        fail_msg("start: %s", mw_status_name(r));
}

static char *own(app *a, const char *v)
{
    assert_true(a->nowned < 8);
    return a->owned[a->nowned++] = strdup(v);
}

static void app_free(app *a)
{
    for (size_t i = 0; i < a->nowned; i++)
        free(a->owned[i]);
    a->nowned = 0;
    free(a->linebuf);
    a->linebuf = NULL;
    free(a->script);
    a->script = NULL;
}

/* ---- the replay machine ---- */

static void h_reset(void *ctx, evlog *log)
{
    app_start((app *)ctx, log);
}

/* Feed, answering owed replies in async mode, with an emulated TLS
 * handshake: TLS_MARK in the input stands for it. The server never sees
 * the mark; bytes before it reach the server (which discards them while
 * it waits for TLS); at the mark, tls_done. */
static int h_feed(void *ctx, const char *p, size_t n, size_t *consumed)
{
    app *a = ctx;
    size_t pos = 0;
    static const char mark[] = TLS_MARK;
    const size_t ml = sizeof(mark) - 1;

    while (pos < n) {
        unsigned w = mw_smtp_server_want(&a->s);
        size_t used = 0;
        int r;
        if (w & MW_SMTP_SERVER_WANT_REPLY) {
            /* only in async mode: answer now */
            act v[16];
            size_t k = a->npend;
            assert_true(a->async);
            memcpy(v, a->pend, k * sizeof(act));
            a->npend = 0;
            run_acts(a, v, k);
            if (mw_smtp_server_want(&a->s) & MW_SMTP_SERVER_WANT_REPLY)
                fail_msg("async answer left a reply owed");
            continue;
        }
        if (a->mark > 0 || p[pos] == mark[0]) {
            while (pos < n && a->mark < ml) {
                assert_int_equal(p[pos], mark[a->mark]);
                pos++;
                a->mark++;
            }
            if (a->mark == ml) {
                a->mark = 0;
                assert_true(mw_smtp_server_want(&a->s) & MW_SMTP_SERVER_WANT_TLS);
                if (!a->no_log)
                    evlog_printf(a->log, "TLS (discarded %zu)",
                                 mw_smtp_server_discarded(&a->s) - a->disc_base);
                a->disc_base = mw_smtp_server_discarded(&a->s);
                a->discard_logged = 0;
                assert_int_equal(mw_smtp_server_tls_done(&a->s), MW_OK);
            }
            continue;
        }
        if (w & MW_SMTP_SERVER_WANT_CLOSED) {
            *consumed = pos;
            return MW_DONE;
        }
        const char *m = memchr(p + pos, mark[0], n - pos);
        size_t k = m ? (size_t)(m - (p + pos)) : n - pos;
        r = mw_smtp_server_feed(&a->s, p + pos, k, &used);
        assert_true(used <= k);
        pos += used;
        if (r == MW_PAUSED) {
            *consumed = pos;
            if (a->async && (mw_smtp_server_want(&a->s) & MW_SMTP_SERVER_WANT_REPLY)) {
                act v[16];
                size_t q = a->npend;
                memcpy(v, a->pend, q * sizeof(act));
                a->npend = 0;
                run_acts(a, v, q);
                if (mw_smtp_server_want(&a->s) & MW_SMTP_SERVER_WANT_CLOSED)
                    return MW_DONE;
            }
            return MW_PAUSED;
        }
        if (r == MW_DONE) {
            *consumed = pos;
            return MW_DONE;
        }
        if (r < 0) {
            *consumed = pos;
            return r;
        }
        assert_int_equal(r, MW_OK);
        assert_int_equal(used, k);
    }
    *consumed = pos;
    return MW_OK;
}

static int h_finish(void *ctx)
{
    app *a = ctx;
    if (mw_smtp_server_want(&a->s) & MW_SMTP_SERVER_WANT_REPLY) {
        act v[16];
        size_t k = a->npend;
        memcpy(v, a->pend, k * sizeof(act));
        a->npend = 0;
        run_acts(a, v, k);
    }
    int r = mw_smtp_server_eof(&a->s);
    if (!a->no_log)
        evlog_printf(a->log, "EOF %s", mw_status_name(r));
    return MW_OK;
}

static const replay_ops h_ops = {h_reset, h_feed, h_finish};

/* Print the first differing line of two logs, with some context. */
static void show_diff(const char *x, const char *y)
{
    size_t i = 0, start = 0, line = 1;
    while (x[i] && x[i] == y[i]) {
        if (x[i] == '\n') {
            start = i + 1;
            line++;
        }
        i++;
    }
    print_error("logs differ at line %zu:\n  first: %.200s\n  other: %.200s\n", line,
                x + start, y + start);
}

/* Run an input through replay_check synchronously, then whole in async
 * mode, and require the same log. The sync log is left in *out. */
static void run_both(app *a, const char *in, size_t n, evlog *out)
{
    evlog async;
    evlog_init(&async);
    a->async = 0;
    replay_check(&h_ops, a, in, n, out);
    a->async = 1;
    replay_run(&h_ops, a, in, n, NULL, 0, &async);
    if (strcmp(evlog_str(out), evlog_str(&async)) != 0) {
        show_diff(evlog_str(out), evlog_str(&async));
        fail_msg("asynchronous answers change the events");
    }
    /* async at every split too, for short inputs */
    if (n < 600) {
        evlog other;
        evlog_init(&other);
        for (size_t i = 1; i < n; i++) {
            replay_run(&h_ops, a, in, n, &i, 1, &other);
            if (strcmp(evlog_str(out), evlog_str(&other)) != 0) {
                show_diff(evlog_str(out), evlog_str(&other));
                fail_msg("asynchronous answers at a split at %zu change the events", i);
            }
        }
        evlog_free(&other);
    }
    a->async = 0;
    evlog_free(&async);
}

/* The "S:" lines of a log, one per line. */
static char *sent_lines(const char *log)
{
    size_t n = strlen(log);
    char *out = malloc(n + 1), *o = out;
    const char *l = log;
    assert_non_null(out);
    while (*l) {
        const char *e = strchr(l, '\n');
        size_t k = e ? (size_t)(e - l) + 1 : strlen(l);
        if (k >= 3 && l[0] == 'S' && l[1] == ':') {
            memcpy(o, l, k);
            o += k;
        }
        l += k;
    }
    *o = '\0';
    return out;
}

/* ====================================================================
 * Transcripts
 * ==================================================================== */

static unsigned long ext_list(const char *v)
{
    unsigned long bits = 0;
    while (*v) {
        size_t k = strcspn(v, ",");
        unsigned long b = mw_smtp_ext_lookup(v, k);
        if (b == 0)
            fail_msg("unknown extension %.*s", (int)k, v);
        bits |= b;
        v += k;
        if (*v == ',')
            v++;
    }
    return bits;
}

static mw_newline_policy policy_of(const char *v)
{
    if (strcmp(v, "accept") == 0)
        return MW_NEWLINE_ACCEPT;
    if (strcmp(v, "pass") == 0)
        return MW_NEWLINE_PASS;
    assert_string_equal(v, "reject");
    return MW_NEWLINE_REJECT;
}

/* "\r", "\n", "\t", "\\", "\xHH" */
static size_t unescape(const char *in, char *out)
{
    size_t o = 0;
    while (*in) {
        if (in[0] == '\\' && in[1]) {
            switch (in[1]) {
            case 'r': out[o++] = '\r'; in += 2; continue;
            case 'n': out[o++] = '\n'; in += 2; continue;
            case 't': out[o++] = '\t'; in += 2; continue;
            case '\\': out[o++] = '\\'; in += 2; continue;
            case 'x': {
                unsigned v;
                assert_int_equal(sscanf(in + 2, "%2x", &v), 1);
                out[o++] = (char)v;
                in += 4;
                continue;
            }
            default:
                break;
            }
        }
        out[o++] = *in++;
    }
    return o;
}

typedef struct transcript {
    char *input;
    size_t len, cap;
    char *expect; /* "S: ..." lines */
    size_t elen, ecap;
    char *logl;   /* "L: ..." lines: log lines that must appear in order */
    size_t llen, lcap;
} transcript;

static void tput(char **b, size_t *len, size_t *cap, const char *p, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *b = realloc(*b, *cap);
        assert_non_null(*b);
    }
    memcpy(*b + *len, p, n);
    *len += n;
    (*b)[*len] = '\0';
}

static void load_transcript(const char *name, app *a, transcript *t)
{
    char path[256];
    size_t flen;
    snprintf(path, sizeof path, "tests/vectors/smtp/%s", name);
    char *file = mw_test_read_repo_file(path, &flen);
    if (file == NULL)
        fail_msg("cannot read %s", path);
    memset(t, 0, sizeof *t);
    app_config(a);
    a->policy = POL_SCRIPT;
    a->greeting = NULL;
    a->refuse = 0;
    a->tls_ok = 0;
    a->script = calloc(256, sizeof(act));
    a->nscript = 0;
    tput(&t->input, &t->len, &t->cap, "", 0);
    tput(&t->expect, &t->elen, &t->ecap, "", 0);
    tput(&t->logl, &t->llen, &t->lcap, "", 0);

    char *line = file;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char buf[4096];
        size_t k;
        if (line[0] == '#' || line[0] == '\0') {
            /* comment */
        } else if (strncmp(line, "O: ", 3) == 0) {
            char *save = NULL, *opt = strtok_r(line + 3, " ", &save);
            for (; opt; opt = strtok_r(NULL, " ", &save)) {
                char *v = strchr(opt, '=');
                if (v)
                    *v++ = '\0';
                if (strcmp(opt, "ext") == 0) a->cfg.extensions = ext_list(v);
                else if (strcmp(opt, "host") == 0) a->cfg.hostname = own(a, v);
                else if (strcmp(opt, "greeting") == 0) {
                    for (char *q = v; *q; q++)
                        if (*q == '_')
                            *q = ' ';
                    a->greeting = own(a, v);
                }
                else if (strcmp(opt, "lmtp") == 0) a->cfg.flags |= MW_SMTP_SERVER_LMTP;
                else if (strcmp(opt, "lenient-path") == 0) a->cfg.flags |= MW_SMTP_SERVER_LENIENT_PATH_SPACE;
                else if (strcmp(opt, "lenient-helo") == 0) a->cfg.flags |= MW_SMTP_SERVER_LENIENT_HELO;
                else if (strcmp(opt, "tls-active") == 0) a->cfg.flags |= MW_SMTP_SERVER_TLS_ACTIVE;
                else if (strcmp(opt, "size") == 0) a->cfg.max_message_size = strtoull(v, NULL, 10);
                else if (strcmp(opt, "maxrcpt") == 0) a->cfg.max_recipients = (unsigned)atoi(v);
                else if (strcmp(opt, "maxbad") == 0) a->cfg.max_bad_commands = (unsigned)atoi(v);
                else if (strcmp(opt, "textline") == 0) a->cfg.max_text_line = (size_t)atoi(v);
                else if (strcmp(opt, "auth") == 0) {
                    for (char *q = v; *q; q++)
                        if (*q == ',')
                            *q = ' ';
                    a->cfg.auth_mechanisms = own(a, v);
                }
                else if (strcmp(opt, "datanl") == 0) a->cfg.data_newlines = policy_of(v);
                else if (strcmp(opt, "refuse") == 0) a->refuse = 1;
                else fail_msg("%s: unknown option %s", name, opt);
            }
        } else if (strncmp(line, "S: ", 3) == 0 || strcmp(line, "S:") == 0) {
            tput(&t->expect, &t->elen, &t->ecap, line, strlen(line));
            tput(&t->expect, &t->elen, &t->ecap, "\n", 1);
        } else if (strncmp(line, "C: ", 3) == 0 || strcmp(line, "C:") == 0) {
            k = unescape(line[2] ? line + 3 : "", buf);
            tput(&t->input, &t->len, &t->cap, buf, k);
            tput(&t->input, &t->len, &t->cap, "\r\n", 2);
        } else if (strncmp(line, "C- ", 3) == 0) {
            k = unescape(line + 3, buf);
            tput(&t->input, &t->len, &t->cap, buf, k);
        } else if (strncmp(line, "L: ", 3) == 0) {
            reason_drop(line + 3);
            tput(&t->logl, &t->llen, &t->lcap, line + 3, strlen(line + 3));
            tput(&t->logl, &t->llen, &t->lcap, "\n", 1);
        } else if (strcmp(line, "T:") == 0) {
            tput(&t->input, &t->len, &t->cap, TLS_MARK, strlen(TLS_MARK));
        } else if (strncmp(line, "A: ", 3) == 0) {
            act *x = &a->script[a->nscript++];
            const char *v = line + 3;
            memset(x, 0, sizeof *x);
            if (strcmp(v, "default") == 0) {
                x->kind = ACT_DEFAULT;
            } else if (strncmp(v, "challenge", 9) == 0) {
                x->kind = ACT_CHALLENGE;
                snprintf(x->text, sizeof x->text, "%s", v[9] ? v + 10 : "");
            } else {
                x->code = (unsigned)atoi(v);
                x->kind = v[3] == '-' ? ACT_MORE : ACT_REPLY;
                snprintf(x->text, sizeof x->text, "%s", v[3] ? v + 4 : "");
            }
        } else {
            fail_msg("%s: bad line \"%s\"", name, line);
        }
        line = nl ? nl + 1 : NULL;
    }
    free(file);
}

static void run_transcript(const char *name)
{
    app a;
    transcript t;
    evlog log;
    memset(&a, 0, sizeof a);
    load_transcript(name, &a, &t);
    evlog_init(&log);
    run_both(&a, t.input, t.len, &log);
    char *sent = sent_lines(evlog_str(&log));
    if (strcmp(sent, t.expect) != 0) {
        fprintf(stderr, "%s: server sent\n%s\nexpected\n%s\nlog:\n%s\n", name, sent,
                t.expect, evlog_str(&log));
        fail_msg("%s: replies differ", name);
    }
    free(sent);
    /* each L line is a whole log line, in order */
    const char *at = evlog_str(&log);
    for (char *l = t.logl; *l;) {
        char *e = strchr(l, '\n');
        *e = '\0';
        const char *f = at;
        for (;;) {
            f = strstr(f, l);
            if (f == NULL)
                break;
            if ((f == evlog_str(&log) || f[-1] == '\n') && (f[strlen(l)] == '\n'))
                break;
            f++;
        }
        if (f == NULL) {
            fprintf(stderr, "%s: log:\n%s\n", name, evlog_str(&log));
            fail_msg("%s: log line missing (or out of order): %s", name, l);
        }
        at = f + strlen(l);
        l = e + 1;
    }
    evlog_free(&log);
    free(t.input);
    free(t.expect);
    free(t.logl);
    app_free(&a);
}

static void test_transcripts(void **state)
{
    static const char *const names[] = {
        "rfc5321_d1_typical.txt",   "rfc5321_d2_aborted.txt",
        "rfc5321_d3_relayed.txt",   "rfc5321_d3_relayed_hop2.txt",
        "rfc5321_d4_verify.txt",
        "rfc2920_pipelining.txt",
#if MW_ENABLE_SMTP_CHUNKING /* without: test_bdat */
        "rfc3030_chunking.txt",
#endif
        "rfc2033_lmtp.txt",         "starttls.txt",
        "auth.txt",                 "errors.txt",
        "esc.txt",                  "dsn_params.txt",
        "smtputf8.txt",             "refused.txt",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        run_transcript(names[i]);
}

/* ====================================================================
 * Helpers for the direct tests
 * ==================================================================== */

/* A fresh application with the default config; feed `in` whole and
 * return the log (caller frees). */
static app *new_app(void)
{
    app *a = calloc(1, sizeof *a);
    assert_non_null(a);
    app_config(a);
    a->cfg.extensions |= MW_SMTP_EXT_SIZE | MW_SMTP_EXT_CHUNKING | MW_SMTP_EXT_DSN |
                         MW_SMTP_EXT_SMTPUTF8 | MW_SMTP_EXT_AUTH | MW_SMTP_EXT_STARTTLS |
                         MW_SMTP_EXT_BINARYMIME;
    a->cfg.auth_mechanisms = "PLAIN LOGIN";
    return a;
}

/* The end of new_app()'s EHLO reply and its number of lines: BINARYMIME
 * and CHUNKING are configured, but with CHUNKING compiled out
 * (features.h) never offered (test_bdat checks that). */
#if MW_ENABLE_SMTP_CHUNKING
#define EHLO_TAIL "S: 250-SMTPUTF8", "S: 250-BINARYMIME", "S: 250 CHUNKING"
#define EHLO_LINES 11
#else
#define EHLO_TAIL "S: 250 SMTPUTF8"
#define EHLO_LINES 9
#endif

static void del_app(app *a)
{
    app_free(a);
    free(a);
}

/* Run `in` through the replay helper (and async) with app `a`; check the
 * log contains each of the NULL-terminated `want` lines in order. */
static void expect_log(app *a, const char *in, size_t n, const char *const *want)
{
    evlog log;
    evlog_init(&log);
    run_both(a, in, n, &log);
    const char *l = evlog_str(&log);
    for (size_t i = 0; want[i]; i++) {
        const char *f = strstr(l, want[i]);
        if (f == NULL) {
            fprintf(stderr, "log:\n%s\n", evlog_str(&log));
            fail_msg("missing (in order) \"%s\"", want[i]);
        }
        l = f + strlen(want[i]);
    }
    evlog_free(&log);
}

#define EXPECT(a, input, ...)                                                \
    do {                                                                     \
        static const char *const w_[] = {__VA_ARGS__, NULL};                 \
        expect_log((a), S_(input), w_);                                      \
    } while (0)

/* Without a command callback every command gets the default reply. */
static void test_defaults(void **state)
{
    app *a = new_app();
    (void)state;
    a->cb.command = NULL;
    a->cb.data_end = NULL;
    EXPECT(a, "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n"
              "DATA\r\nhello\r\n.\r\nVRFY x\r\nEXPN y\r\nHELP\r\nAUTH PLAIN\r\n"
              "STARTTLS\r\nRSET\r\nQUIT\r\n",
           "S: 220 mx.example.org ESMTP", "S: 250-mx.example.org", "S: 250-PIPELINING",
           "S: 250-SIZE", "S: 250-STARTTLS", "S: 250-AUTH PLAIN LOGIN",
           "S: 250-ENHANCEDSTATUSCODES", "S: 250-8BITMIME", "S: 250-DSN", EHLO_TAIL,
           "S: 250 2.1.0 OK", "S: 250 2.1.5 OK",
           "S: 354 End data with <CR><LF>.<CR><LF>", "D: hello\\r\\n",
           "S: 250 2.6.0 OK", "S: 252 2.5.0 Cannot VRFY user, but will accept message",
           "S: 502 5.5.1 Command not implemented", "S: 214 2.0.0 See RFC 5321",
           "S: 504 5.5.4 Unrecognized authentication type", "S: 454 4.7.0 TLS not available",
           "S: 250 2.0.0 OK", "S: 221 2.0.0 Bye", "replay: done at 136");
    del_app(a);
}


/* Feed `in` whole (no replay), in sync mode; return the log (caller frees
 * with evlog_free). */
static void run_whole(app *a, const char *in, size_t n, evlog *log)
{
    evlog_init(log);
    a->async = 0;
    replay_run(&h_ops, a, in, n, NULL, 0, log);
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t c = 0;
    for (const char *f = strstr(hay, needle); f; f = strstr(f + 1, needle))
        c++;
    return c;
}

static void expect_absent(const evlog *log, const char *needle)
{
    if (strstr(evlog_str(log), needle) != NULL) {
        fprintf(stderr, "log:\n%s\n", evlog_str(log));
        fail_msg("unexpected \"%s\" in the log", needle);
    }
}

#define HELLO "EHLO c.example\r\n"
#define TXN "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n"

/* ---- parsing of each command ---- */

static void test_command_fields(void **state)
{
    app *a = new_app();
    (void)state;
    EXPECT(a, "EHLO [192.0.2.1]\r\nMAIL FROM:<@relay.example:\"john q\"@[IPv6:2001:db8::1]> BODY=7BIT\r\n"
              "RCPT TO:<postmaster@d.example> X-Y=z\r\nVRFY John Smith\r\nEXPN <list@x.example>\r\n"
              "HELP me\r\nRSET\r\nQUIT\r\n",
           "C: EHLO @0", "   arg=[192.0.2.1]", "S: 250-mx.example.org",
           "C: MAIL @18", "   path flags=12c", "   mailbox=\"john q\"@[IPv6:2001:db8::1]",
           "   local=\"john q\"", "   domain=[IPv6:2001:db8::1]",
           "   mail present=02 size=0 body=1 ret=0 mtp=0", "S: 250 2.1.0 OK",
           "C: RCPT", "   mailbox=postmaster@d.example", "   param=X-Y", "   value=z",
           "S: 250 2.1.5 OK", "C: VRFY", "   arg=John Smith", "C: EXPN", "   arg=<list@x.example>",
           "C: HELP", "   arg=me", "C: RSET", "C: QUIT");
    del_app(a);
}

/* "MAIL FROM: <x>" only with the lenient switch; lenient HELO. */
static void test_lenient_switches(void **state)
{
    app *a = new_app();
    (void)state;
    EXPECT(a, HELLO "MAIL FROM: <a@b.example>\r\nMAIL FROM:<a@b.example> \r\nRCPT TO: <x@y.example>\r\n",
           "S: 501 5.1.7 Bad sender address syntax", "S: 501 5.5.4 Syntax error in parameters",
           "S: 503 5.5.1 Need MAIL command");
    a->cfg.flags |= MW_SMTP_SERVER_LENIENT_PATH_SPACE;
    EXPECT(a, HELLO "MAIL FROM:   <a@b.example>  \r\nRCPT TO: <x@y.example> \r\n",
           "   mailbox=a@b.example", "S: 250 2.1.0 OK", "   mailbox=x@y.example", "S: 250 2.1.5 OK");
    /* HELO names that are not domains */
    del_app(a);
    a = new_app();
    EXPECT(a, "EHLO my_pc\r\nHELO -x-\r\n", "S: 501 Invalid domain name", "S: 501 Invalid domain name");
    a->cfg.flags |= MW_SMTP_SERVER_LENIENT_HELO;
    EXPECT(a, "EHLO my_pc\r\nEHLO a b\r\nEHLO x\x01y\r\n", "   arg=my_pc", "S: 250-mx.example.org",
           "S: 501 5.5.4 Invalid domain name", "S: 501 5.5.4 Invalid domain name");
    del_app(a);
}

/* ---- limits at cap-1, cap, cap+1 ---- */

static void pad_line(char *buf, const char *prefix, size_t total)
{
    size_t k = strlen(prefix);
    memcpy(buf, prefix, k);
    memset(buf + k, 'x', total - k);
    memcpy(buf + total, "\r\n", 3);
}

static void test_limit_command_line(void **state)
{
    static const size_t limits[] = {512, 1000};
    (void)state;
    for (size_t li = 0; li < 2; li++) {
        for (size_t len = limits[li] - 3; len <= limits[li] - 1; len++) {
            /* a NOOP line of len bytes plus CRLF: the limit counts CRLF */
            app *a = new_app();
            char *in = malloc(len + 64);
            evlog log;
            a->cfg.max_command_line = limits[li];
            pad_line(in, "NOOP ", len);
            strcat(in, "NOOP\r\n");
            run_whole(a, in, strlen(in), &log);
            if (len + 2 <= limits[li])
                assert_int_equal(count_of(evlog_str(&log), "S: 250 OK"), 2);
            else {
                assert_int_equal(count_of(evlog_str(&log), "S: 500 Line too long"), 1);
                assert_int_equal(count_of(evlog_str(&log), "S: 250 OK"), 1);
                assert_non_null(strstr(evlog_str(&log), "E: MW_E_TOO_LONG @0 " R_("command line too long")));
            }
            evlog_free(&log);
            free(in);
            del_app(a);
        }
    }
    /* a line far over the limit, across chunks: one reply, then resync */
    app *a = new_app();
    char *in = malloc(5000);
    pad_line(in, "MAIL FROM:<", 4000);
    strcat(in, "NOOP\r\n");
    expect_log(a, in, strlen(in), (const char *const[]){"S: 500 Line too long", "S: 250 OK", NULL});
    free(in);
    del_app(a);
}

static void test_limit_text_line(void **state)
{
    (void)state;
    for (size_t len = 997; len <= 999; len++) {
        /* a body line of len bytes + CRLF; the limit is 1000 with CRLF */
        app *a = new_app();
        char *in = malloc(len + 200);
        evlog log;
        strcpy(in, TXN "DATA\r\nshort line\r\n");
        size_t k = strlen(in);
        memset(in + k, 'y', len);
        strcpy(in + k + len, "\r\nlast\r\n.\r\nNOOP\r\n");
        a->quiet = 1;
        expect_log(a, in, strlen(in),
                   len + 2 <= 1000
                       ? (const char *const[]){"END MW_OK", "S: 250 2.6.0 OK", "S: 250 2.0.0 OK", NULL}
                       : (const char *const[]){"E: MW_E_TOO_LONG",
                                               "S: 554 5.6.0 Message has a text line that is too long",
                                               "END MW_E_TOO_LONG", "S: 250 2.0.0 OK", NULL});
        /* no limit */
        a->cfg.max_text_line = 0;
        run_whole(a, in, strlen(in), &log);
        assert_non_null(strstr(evlog_str(&log), "END MW_OK"));
        evlog_free(&log);
        free(in);
        del_app(a);
    }
    /* the last line of a body that ends in a long run of short lines, and
     * a long line after many short ones, across chunks */
    app *a = new_app();
    size_t cap = 300000;
    char *in = malloc(cap);
    strcpy(in, TXN "DATA\r\n");
    size_t k = strlen(in);
    for (int i = 0; i < 2000; i++) {
        memcpy(in + k, "ab\r\n", 4);
        k += 4;
    }
    memset(in + k, 'z', 999);
    k += 999;
    strcpy(in + k, "\r\n.\r\n");
    a->quiet = 1;
    expect_log(a, in, strlen(in), (const char *const[]){"END MW_E_TOO_LONG", NULL});
    free(in);
    del_app(a);
}

static void test_limit_recipients(void **state)
{
    (void)state;
    for (unsigned max = 1; max <= 3; max++) {
        /* max accepted; a refused one does not count; then one more */
        app *a = new_app();
        char in[2048];
        evlog log;
        a->cfg.max_recipients = max;
        a->policy = POL_SCRIPT;
        a->script = calloc(16, sizeof(act));
        a->nscript = 0;
        add_act(a->script, &a->nscript, ACT_DEFAULT, 0, NULL); /* EHLO */
        add_act(a->script, &a->nscript, ACT_DEFAULT, 0, NULL); /* MAIL */
        add_act(a->script, &a->nscript, ACT_REPLY, 550, "no");  /* refused */
        for (unsigned i = 0; i < max; i++)
            add_act(a->script, &a->nscript, ACT_DEFAULT, 0, NULL);
        strcpy(in, HELLO "MAIL FROM:<a@b.example>\r\nRCPT TO:<no@d.example>\r\n");
        for (unsigned i = 0; i <= max; i++)
            strcat(in, "RCPT TO:<c@d.example>\r\n");
        run_whole(a, in, strlen(in), &log);
        assert_int_equal(count_of(evlog_str(&log), "S: 250 2.1.5 OK"), max);
        assert_int_equal(count_of(evlog_str(&log), "S: 452 4.5.3 Too many recipients"), 1);
        assert_int_equal(count_of(evlog_str(&log), "C: RCPT"), max + 1);
        evlog_free(&log);
        del_app(a);
    }
}

static void test_limit_message_size(void **state)
{
    (void)state;
    for (size_t n = 99; n <= 101; n++) {
        /* DATA: n unstuffed bytes ("..x" counts as ".x"), limit 100 */
        app *a = new_app();
        char in[1024];
        a->cfg.max_message_size = 100;
        strcpy(in, TXN "DATA\r\n..");
        size_t k = strlen(in);
        memset(in + k, 'q', n - 3); /* "." + (n - 3) + CRLF = n */
        strcpy(in + k + n - 3, "\r\n.\r\n");
        a->quiet = 1;
        expect_log(a, in, strlen(in),
                   n <= 100 ? (const char *const[]){"S: 250-SIZE 100", "END MW_OK", NULL}
                            : (const char *const[]){"E: MW_E_LIMIT",
                                                    "S: 552 5.3.4 Message size exceeds fixed maximum message size",
                                                    "END MW_E_LIMIT", NULL});
        /* SIZE= declared */
        snprintf(in, sizeof in, HELLO "MAIL FROM:<a@b.example> SIZE=%zu\r\n", n);
        expect_log(a, in, strlen(in),
                   n <= 100 ? (const char *const[]){"S: 250 2.1.0 OK", NULL}
                            : (const char *const[]){"S: 552 5.3.4", NULL});
        /* BDAT: chunk of n - 50 after one of 50 */
        snprintf(in, sizeof in, TXN "BDAT 50\r\n%050d" "BDAT %zu LAST\r\n", 0, n - 50);
        k = strlen(in);
        memset(in + k, 'b', n - 50);
        in[k + n - 50] = '\0';
#if MW_ENABLE_SMTP_CHUNKING
        expect_log(a, in, strlen(in),
                   n <= 100 ? (const char *const[]){"S: 250 2.0.0 50 octets received", "END MW_OK", NULL}
                            : (const char *const[]){"S: 250 2.0.0 50 octets received", "S: 552 5.3.4",
                                                    "END MW_E_LIMIT", NULL});
#else
        /* compiled out (features.h): no chunk is ever read */
        expect_log(a, in, strlen(in),
                   (const char *const[]){"S: 502 5.5.1 Command not implemented",
                                         "E: MW_E_SEQUENCE @64 ",
                                         "S: 500 5.5.2 Command unrecognized", NULL});
#endif
        del_app(a);
    }
}

static void test_limit_auth_line(void **state)
{
    (void)state;
    /* max_auth_line 514: a response of up to 512 characters (cap) */
    for (size_t len = 511; len <= 513; len++) {
        app *a = new_app();
        char *in = malloc(2000), *b64 = malloc(600);
        evlog log;
        a->cfg.max_auth_line = 514;
        /* 512 base64 characters = 384 bytes */
        memset(b64, 'Q', len);
        b64[len] = '\0';
        snprintf(in, 2000, HELLO "AUTH LOGIN\r\ndXNlcg==\r\n%s\r\nNOOP\r\n", b64);
        run_whole(a, in, strlen(in), &log);
        if (len == 512)
            assert_non_null(strstr(evlog_str(&log), "   decoded=A"));
        else if (len == 511)
            assert_non_null(strstr(evlog_str(&log), "S: 501 5.5.2 Invalid base64 data"));
        else
            assert_non_null(strstr(evlog_str(&log),
                                   "S: 500 5.5.6 Authentication Exchange line is too long"));
        assert_non_null(strstr(evlog_str(&log), "S: 250 2.0.0 OK"));
        evlog_free(&log);
        /* the same as an initial response: "AUTH PLAIN " counts */
        memset(b64, 'Q', len - 11);
        b64[len - 11] = '\0';
        snprintf(in, 2000, HELLO "AUTH PLAIN %s\r\nNOOP\r\n", b64);
        run_whole(a, in, strlen(in), &log);
        if (len <= 512)
            expect_absent(&log, "5.5.6");
        else
            assert_non_null(strstr(evlog_str(&log), "S: 500 5.5.6"));
        evlog_free(&log);
        free(in);
        free(b64);
        del_app(a);
    }
    /* a buffer one byte short of what the AUTH limit needs is refused */
    app *a = new_app();
    char buf[2000];
    a->cfg.max_auth_line = 514;
    assert_int_equal(mw_smtp_server_init(&a->s, &a->cfg, &a->cb, a, buf,
                                         MW_SMTP_SERVER_LINEBUF_FOR(514) - 1),
                     MW_E_INVAL);
    assert_int_equal(mw_smtp_server_init(&a->s, &a->cfg, &a->cb, a, buf,
                                         MW_SMTP_SERVER_LINEBUF_FOR(514)),
                     MW_OK);
    del_app(a);
}

static void test_limit_bad_commands(void **state)
{
    (void)state;
    for (unsigned bad = 2; bad <= 4; bad++) {
        app *a = new_app();
        char in[512] = "";
        evlog log;
        a->cfg.max_bad_commands = 3;
        for (unsigned i = 0; i < bad; i++)
            strcat(in, i % 2 ? "XYZZY\r\n" : "MAIL FROM:<a@b.example>\r\n");
        strcat(in, "NOOP\r\n");
        run_whole(a, in, strlen(in), &log);
        if (bad <= 3) {
            assert_non_null(strstr(evlog_str(&log), "S: 250 OK"));
            expect_absent(&log, "421");
        } else {
            assert_non_null(strstr(evlog_str(&log),
                                   "S: 421 mx.example.org Too many errors, closing connection"));
            assert_non_null(strstr(evlog_str(&log), "E: MW_E_LIMIT"));
            expect_absent(&log, "S: 250 OK");
            assert_true(mw_smtp_server_want(&a->s) & MW_SMTP_SERVER_WANT_CLOSED);
            size_t used = 0;
            assert_int_equal(mw_smtp_server_feed(&a->s, "NOOP\r\n", 6, &used), MW_E_CLOSED);
            assert_int_equal(used, 0);
        }
        evlog_free(&log);
        del_app(a);
    }
}

/* ---- DATA: SMTP smuggling (field-notes §4.2) ---- */

static void test_smuggling(void **state)
{
    static const char *const vectors[] = {
        "\n.\n", "\n.\r\n", "\r\n.\n", "\r.\r", "\r\n.\r", "\r\n.\r\r\n", "\r.\r\n",
        "\n.\r", "\r\r\n.\r\r\n", "\n\n.\n\n", "\r\n\n.\r\n", "\r\n.\n\r\n",
    };
    static const mw_newline_policy pols[] = {MW_NEWLINE_REJECT, MW_NEWLINE_ACCEPT,
                                             MW_NEWLINE_PASS};
    (void)state;
    for (size_t v = 0; v < sizeof(vectors) / sizeof(vectors[0]); v++)
        for (size_t p = 0; p < 3; p++) {
            app *a = new_app();
            char in[1024];
            evlog log;
            a->cfg.data_newlines = pols[p];
            snprintf(in, sizeof in,
                     TXN "DATA\r\nSubject: x\r\n\r\nbody%sMAIL FROM:<evil@x.example>\r\n"
                         "RCPT TO:<victim@y.example>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n",
                     vectors[v]);
            evlog_init(&log);
            run_both(a, in, strlen(in), &log);
            const char *l = evlog_str(&log);
            /* one message only, never a second MAIL */
            assert_int_equal(count_of(l, "C: MAIL"), 1);
            assert_int_equal(count_of(l, "END "), 1);
            assert_int_equal(count_of(l, "C: QUIT"), 1);
            if (pols[p] == MW_NEWLINE_REJECT) {
                assert_true(strstr(l, "END MW_E_BARE_LF") || strstr(l, "END MW_E_BARE_CR"));
                assert_true(strstr(l, "S: 554 5.6.0 Message contains a bare LF") ||
                            strstr(l, "S: 554 5.6.0 Message contains a bare CR"));
            } else {
                assert_non_null(strstr(l, "END MW_OK"));
                assert_non_null(strstr(l, "MAIL FROM:<evil@x.example>\\r\\nRCPT"));
                if (pols[p] == MW_NEWLINE_ACCEPT) {
                    /* normalised: no bare CR or LF reaches the application */
                    const char *d = strstr(l, "D: ");
                    const char *e = strchr(d, '\n');
                    for (const char *q = d; q + 1 < e; q++) {
                        if (q[0] == '\\' && q[1] == 'r')
                            assert_true(q[2] == '\\' && q[3] == 'n');
                        if (q[0] == '\\' && q[1] == 'n' && q > d + 2)
                            assert_true(q[-2] == '\\' && q[-1] == 'r');
                    }
                }
            }
            evlog_free(&log);
            del_app(a);
        }
}

/* A bare LF right before the terminator, a "." line that is not the end,
 * the end split from the body, "." as the very first line. */
static void test_data_edges(void **state)
{
    app *a = new_app();
    (void)state;
    EXPECT(a, TXN "DATA\r\n.\r\nNOOP\r\n", "S: 354", "END MW_OK", "S: 250 2.6.0 OK", "S: 250 2.0.0 OK");
    EXPECT(a, TXN "DATA\r\n.x\r\n..\r\n...\r\n.\r\n", "D: x\\r\\n.\\r\\n..\\r\\n", "END MW_OK");
    EXPECT(a, TXN "DATA\r\nab\ncd\r\n.\r\n", "E: MW_E_BARE_LF @", "S: 554 5.6.0 Message contains a bare LF",
           "END MW_E_BARE_LF");
    EXPECT(a, TXN "DATA\r\nab\rcd\r\n.\r\n", "E: MW_E_BARE_CR @", "END MW_E_BARE_CR");
    /* data pipelined before the 354 is read as data only after it */
    a->cfg.data_newlines = MW_NEWLINE_ACCEPT;
    EXPECT(a, TXN "DATA\r\nab\ncd\r\n.\r\n", "D: ab\\r\\ncd\\r\\n", "END MW_OK");
    a->cfg.data_newlines = MW_NEWLINE_PASS;
    EXPECT(a, TXN "DATA\r\nab\ncd\r\n.\r\n", "D: ab\\ncd\\r\\n", "END MW_OK");
    /* a transaction after a rejected message works */
    a->cfg.data_newlines = MW_NEWLINE_REJECT;
    EXPECT(a, TXN "DATA\r\na\nb\r\n.\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\nok\r\n.\r\n",
           "END MW_E_BARE_LF", "S: 250 2.1.0 OK", "S: 250 2.1.5 OK", "S: 354", "D: ok\\r\\n", "END MW_OK");
    /* the application refuses the DATA: the lines are commands again */
    a->policy = POL_SCRIPT;
    a->script = calloc(8, sizeof(act));
    add_act(a->script, &a->nscript, ACT_DEFAULT, 0, NULL);
    add_act(a->script, &a->nscript, ACT_DEFAULT, 0, NULL);
    add_act(a->script, &a->nscript, ACT_DEFAULT, 0, NULL);
    add_act(a->script, &a->nscript, ACT_REPLY, 451, "4.3.0 Not now");
    EXPECT(a, TXN "DATA\r\nNOOP\r\n", "S: 451 4.3.0 Not now", "S: 250 2.0.0 OK");
    del_app(a);
}

/* ---- BDAT ---- */

#if !MW_ENABLE_SMTP_CHUNKING
/* CHUNKING compiled out (features.h): configured but never offered, BDAT
 * is refused as when CHUNKING is not configured (502),
 * its size is not read (the bytes after it are commands), BODY=BINARYMIME
 * is not a parameter. */
static void bdat_compiled_out(void)
{
    app *a = new_app();
    evlog log;
    static const char in[] = HELLO "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n"
                             "BDAT 6 LAST\r\nNOOP\r\nRSET\r\nMAIL FROM:<a@b.example> BODY=BINARYMIME\r\n";
    EXPECT(a, TXN "BDAT 6\r\nNOOP\r\n", "S: 502 5.5.1 Command not implemented",
           "E: MW_E_SEQUENCE @", "S: 250 2.0.0 OK");
    run_whole(a, in, sizeof in - 1, &log);
    expect_absent(&log, "S: 250-CHUNKING");
    expect_absent(&log, "S: 250 CHUNKING");
    expect_absent(&log, "S: 250-BINARYMIME");
    expect_absent(&log, "D: ");
    /* the NOOP after the BDAT line is a command: its 250 follows */
    const char *f = strstr(evlog_str(&log), "S: 502 5.5.1 Command not implemented\n"
                                            "E: MW_E_SEQUENCE @64 ");
    if (f == NULL || strncmp(strchr(f + 40, '\n'), "\nS: 250 2.0.0 OK\n", 17) != 0)
        fail_msg("BDAT not refused alone:\n%s", evlog_str(&log));
    /* as when BINARYMIME is not configured */
    assert_non_null(strstr(evlog_str(&log), "S: 501 5.5.4 Syntax error in parameter value"));
    evlog_free(&log);
    del_app(a);
}
#endif

static void test_bdat(void **state)
{
    app *a = new_app();
    (void)state;
#if !MW_ENABLE_SMTP_CHUNKING
    bdat_compiled_out();
    /* the rest, not compiled out, is the same as without CHUNKING */
    del_app(a);
    a = new_app();
#else
    /* malformed lines change nothing: the next bytes are commands */
    EXPECT(a, TXN "BDAT\r\nNOOP\r\nBDAT x\r\nNOOP\r\nBDAT 10 LAS\r\nNOOP\r\nBDAT 10 LAST x\r\nNOOP\r\n"
              "BDAT -1\r\nNOOP\r\nBDAT 99999999999999999999999\r\nNOOP\r\nBDAT 1  LAST\r\nNOOP\r\n"
              "BDAT  1\r\nNOOP\r\nBDAT 0x10\r\nNOOP\r\n",
           "S: 501 5.5.4 Syntax: BDAT size [LAST]", "S: 250 2.0.0 OK",
           "S: 501", "S: 250 2.0.0 OK", "S: 501", "S: 250 2.0.0 OK", "S: 501", "S: 250 2.0.0 OK",
           "S: 501", "S: 250 2.0.0 OK", "S: 501", "S: 250 2.0.0 OK", "S: 501", "S: 250 2.0.0 OK",
           "S: 501", "S: 250 2.0.0 OK", "S: 501", "S: 250 2.0.0 OK");
    /* lower-case "last"; chunks of 0; several chunks; DATA after BDAT */
    EXPECT(a, TXN "BDAT 3\r\nabcBDAT 0\r\nDATA\r\nbdat 2 last\r\nde",
           "D: abc", "S: 250 2.0.0 3 octets received", "S: 250 2.0.0 0 octets received",
           "S: 503 5.5.1 Use BDAT for this message", "D: de", "END MW_OK", "S: 250 2.6.0 OK");
    /* no transaction, no recipients: the chunk is still read, then 503/554 */
    EXPECT(a, HELLO "BDAT 6\r\nQUIT\r\nNOOP\r\n", "S: 503 5.5.1 Need MAIL command",
           "E: MW_E_SEQUENCE @16 " R_("BDAT without MAIL"), "S: 250 2.0.0 OK");
    EXPECT(a, HELLO "MAIL FROM:<a@b.example>\r\nBDAT 6 LAST\r\nQUIT\r\nNOOP\r\n",
           "S: 554 5.5.1 No valid recipients", "S: 250 2.0.0 OK");
    /* BODY=BINARYMIME: DATA refused */
    EXPECT(a, HELLO "MAIL FROM:<a@b.example> BODY=BINARYMIME\r\nRCPT TO:<c@d.example>\r\nDATA\r\n",
           "S: 503 5.5.1 Use BDAT for this message");
    /* a malformed BDAT inside a chunked message changes nothing: the
     * message goes on with the next valid chunk */
    EXPECT(a, TXN "BDAT 2\r\nabBDAT x\r\nBDAT 3 LAST extra\r\nBDAT 1 LAST\r\nc",
           "D: ab", "S: 250 2.0.0 2 octets received", "S: 501 5.5.4 Syntax: BDAT size [LAST]",
           "S: 501 5.5.4 Syntax: BDAT size [LAST]", "D: c", "END MW_OK", "S: 250 2.6.0 OK");
    /* the whole chunk can come in one piece with the next command */
    EXPECT(a, TXN "BDAT 5 LAST\r\n\r\n.\r\nQUIT\r\n", "D: \\r\\n.\\r\\n", "END MW_OK", "C: QUIT");
#endif
    del_app(a);
    /* without CHUNKING: 502, the bytes after are commands */
    a = new_app();
    a->cfg.extensions &= ~MW_SMTP_EXT_CHUNKING;
    EXPECT(a, TXN "BDAT 6\r\nNOOP\r\n", "S: 502 5.5.1 Command not implemented", "S: 250 2.0.0 OK");
    del_app(a);
}

/* ---- LMTP (RFC 2033) ---- */

static void test_lmtp(void **state)
{
    app *a = new_app();
    (void)state;
    a->cfg.flags |= MW_SMTP_SERVER_LMTP;
    /* three accepted recipients: three default replies at the end */
    EXPECT(a, "EHLO x.example\r\nHELO x.example\r\nLHLO x.example\r\nMAIL FROM:<a@b.example>\r\n"
              "RCPT TO:<1@d.example>\r\nRCPT TO:<2@d.example>\r\nRCPT TO:<3@d.example>\r\n"
              "DATA\r\nhi\r\n.\r\nNOOP\r\n",
           "S: 220 mx.example.org LMTP", "S: 500 Use LHLO", "S: 500 Use LHLO", "S: 250-mx.example.org",
           "END MW_OK", "S: 250 2.6.0 OK", "S: 250 2.6.0 OK", "S: 250 2.6.0 OK", "S: 250 2.0.0 OK");
    /* rejected by the machine: one rejection per recipient */
    EXPECT(a, "LHLO x.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<1@d.example>\r\nRCPT TO:<2@d.example>\r\n"
              "DATA\r\nh\ni\r\n.\r\nNOOP\r\n",
           "S: 554 5.6.0 Message contains a bare LF", "S: 554 5.6.0 Message contains a bare LF",
           "END MW_E_BARE_LF", "S: 250 2.0.0 OK");
    /* BDAT LAST in LMTP */
#if MW_ENABLE_SMTP_CHUNKING
    EXPECT(a, "LHLO x.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<1@d.example>\r\nRCPT TO:<2@d.example>\r\n"
              "BDAT 2 LAST\r\nhiNOOP\r\n",
           "END MW_OK", "S: 250 2.6.0 OK", "S: 250 2.6.0 OK", "S: 250 2.0.0 OK");
#else
    /* compiled out (features.h): refused, nothing owed to the recipients */
    EXPECT(a, "LHLO x.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<1@d.example>\r\nRCPT TO:<2@d.example>\r\n"
              "BDAT 2 LAST\r\nNOOP\r\n",
           "S: 502 5.5.1 Command not implemented", "S: 250 2.0.0 OK");
#endif
    /* no accepted recipient: DATA is 503 in LMTP */
    EXPECT(a, "LHLO x.example\r\nMAIL FROM:<a@b.example>\r\nDATA\r\n", "S: 503 5.5.1 No valid recipients");
    /* the owed replies, one by one, with multi-line ones between */
    evlog log;
    a->policy = POL_SCRIPT;
    a->script = calloc(16, sizeof(act));
    add_act(a->script, &a->nscript, ACT_DEFAULT, 0, NULL);
    add_act(a->script, &a->nscript, ACT_DEFAULT, 0, NULL);
    add_act(a->script, &a->nscript, ACT_DEFAULT, 0, NULL);
    add_act(a->script, &a->nscript, ACT_DEFAULT, 0, NULL);
    add_act(a->script, &a->nscript, ACT_DEFAULT, 0, NULL);
    add_act(a->script, &a->nscript, ACT_MORE, 452, "4.2.2 first line");
    add_act(a->script, &a->nscript, ACT_REPLY, 452, "4.2.2 Over quota");
    add_act(a->script, &a->nscript, ACT_REPLY, 250, "Delivered");
    evlog_init(&log);
    static const char lin[] = "LHLO x.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<1@d.example>\r\n"
                              "RCPT TO:<2@d.example>\r\nDATA\r\nhi\r\n.\r\nNOOP\r\n";
    run_both(a, lin, sizeof lin - 1, &log);
    assert_non_null(strstr(evlog_str(&log),
                           "S: 452-4.2.2 first line\nS: 452 4.2.2 Over quota\nS: 250 2.6.0 Delivered\nS: 250 2.0.0 OK"));
    evlog_free(&log);
    /* a 421 while recipients are owed replies closes the session */
    a->nscript = 5;
    a->si = 0;
    add_act(a->script, &a->nscript, ACT_REPLY, 421, "4.3.0 Going down");
    evlog_init(&log);
    run_both(a, lin, sizeof lin - 1, &log);
    if (strstr(evlog_str(&log), "S: 421 4.3.0 Going down\nreplay: done at 100") == NULL)
        fail_msg("log: %s", evlog_str(&log));
    evlog_free(&log);
    del_app(a);
}

/* feed from inside a callback is refused */
static int reentrant(mw_smtp_server *s, void *u, const mw_smtp_cmd *c)
{
    size_t used = 9;
    (void)c;
    assert_int_equal(mw_smtp_server_feed(s, "NOOP\r\n", 6, &used), MW_E_STATE);
    assert_int_equal(used, 0);
    ((app *)u)->commands++;
    return mw_smtp_server_reply_default(s);
}

static void test_reentrant_feed(void **state)
{
    app *a = new_app();
    (void)state;
    a->cb.command = reentrant;
    EXPECT(a, HELLO "RSET\r\n", "S: 250-mx.example.org", "S: 250 2.0.0 OK");
    assert_int_equal(a->commands, 2);
    del_app(a);
}

/* ---- STARTTLS (RFC 3207, CVE-2011-0411) ---- */

static int tls_in_callback(mw_smtp_server *s, void *u, const mw_smtp_cmd *c)
{
    app *a = u;
    on_command(s, u, c);
    if (c->verb == MW_SMTP_CMD_STARTTLS) {
        /* a handshake that completes at once, inside feed */
        assert_int_equal(mw_smtp_server_tls_done(s), MW_OK);
        evlog_printf(a->log, "tls_done in callback");
        return a->pause_kind == 99 ? MW_PAUSED : 0;
    }
    return 0;
}

static void test_starttls_injection(void **state)
{
    (void)state;
    for (int pause = 0; pause <= 1; pause++) {
        app *a = new_app();
        evlog log;
        size_t used = 0;
        a->tls_ok = 1;
        a->cb.command = tls_in_callback;
        a->pause_kind = pause ? 99 : 0;
        static const char in[] = HELLO "STARTTLS\r\nMAIL FROM:<evil@x.example>\r\nRCPT TO:<v@y.example>\r\n";
        evlog_init(&log);
        app_start(a, &log);
        int r = mw_smtp_server_feed(&a->s, in, sizeof in - 1, &used);
        /* everything consumed; the injected lines only counted */
        assert_int_equal(used, sizeof in - 1);
        assert_int_equal(r, pause ? MW_PAUSED : MW_OK);
        assert_int_equal(mw_smtp_server_discarded(&a->s), 51);
        expect_absent(&log, "C: MAIL");
        assert_non_null(strstr(evlog_str(&log), "E: MW_E_TLS_LEFTOVER @26 " R_("plaintext after STARTTLS discarded")));
        /* after the handshake: a new EHLO is needed, STARTTLS is gone */
        static const char after[] = "MAIL FROM:<a@b.example>\r\nEHLO c.example\r\nSTARTTLS\r\n";
        r = mw_smtp_server_feed(&a->s, after, sizeof after - 1, &used);
        assert_int_equal(r, MW_OK);
        assert_non_null(strstr(evlog_str(&log), "S: 503 Send HELO/EHLO first"));
        expect_absent(&log, "S: 250-STARTTLS\nS: 250-AUTH PLAIN LOGIN\nS: 250-ENHANCEDSTATUSCODES\nS: 250-8BITMIME\nS: 250-DSN\nS: 250-SMTPUTF8\nS: 250-BINARYMIME\nS: 250 CHUNKING\nS: 503");
        assert_non_null(strstr(evlog_str(&log), "S: 503 5.5.1 TLS already active"));
        assert_int_equal(count_of(evlog_str(&log), "250-STARTTLS"), 1);
        evlog_free(&log);
        del_app(a);
    }
    /* asynchronous 220: the caller feeds the rest, it is discarded */
    app *a = new_app();
    evlog log;
    size_t used = 0;
    a->tls_ok = 1;
    a->async = 1;
    static const char in[] = HELLO "STARTTLS\r\nRSET\r\n";
    evlog_init(&log);
    app_start(a, &log);
    assert_int_equal(mw_smtp_server_feed(&a->s, in, sizeof in - 1, &used), MW_PAUSED);
    assert_int_equal(used, 16);
    run_acts(a, a->pend, a->npend); /* EHLO */
    assert_int_equal(mw_smtp_server_feed(&a->s, in + 16, sizeof in - 17, &used), MW_PAUSED);
    assert_int_equal(used, 10);
    assert_int_equal(mw_smtp_server_tls_done(&a->s), MW_E_STATE);
    run_acts(a, a->pend, a->npend); /* 220 */
    assert_int_equal(mw_smtp_server_want(&a->s), MW_SMTP_SERVER_WANT_TLS);
    assert_int_equal(mw_smtp_server_feed(&a->s, in + 26, 6, &used), MW_OK);
    assert_int_equal(used, 6);
    assert_int_equal(mw_smtp_server_discarded(&a->s), 6);
    assert_int_equal(mw_smtp_server_tls_done(&a->s), MW_OK);
    assert_int_equal(mw_smtp_server_want(&a->s), MW_SMTP_SERVER_WANT_INPUT);
    expect_absent(&log, "C: RSET");
    evlog_free(&log);
    del_app(a);
    /* implicit TLS: no STARTTLS, REQUIRETLS offered and accepted */
    a = new_app();
    a->cfg.flags |= MW_SMTP_SERVER_TLS_ACTIVE;
    a->cfg.extensions |= MW_SMTP_EXT_REQUIRETLS;
    EXPECT(a, HELLO "STARTTLS\r\nMAIL FROM:<a@b.example> REQUIRETLS\r\n", "S: 250 REQUIRETLS",
           "S: 503 5.5.1 TLS already active", "   mail present=40", "S: 250 2.1.0 OK");
    del_app(a);
    a = new_app();
    a->cfg.extensions |= MW_SMTP_EXT_REQUIRETLS;
    EXPECT(a, HELLO "MAIL FROM:<a@b.example> REQUIRETLS\r\n",
           "S: 555 5.5.4 Parameter not recognized or not implemented");
    del_app(a);
}

/* ---- SASL through sasl.h: the machine hands over the base64 text ---- */

static int sasl_app(mw_smtp_server *s, void *u, const mw_smtp_cmd *c)
{
    app *a = u;
    char scratch[1024];
    mw_span user, token, host;
    unsigned port = 0;
    int r = MW_E_SYNTAX;
    if (c->verb == MW_SMTP_CMD_AUTH) {
        if (mw_span_is(c->arg, "XOAUTH2"))
            r = mw_sasl_xoauth2_parse(c->auth_initial.b64.ptr, c->auth_initial.b64.len,
                                      scratch, sizeof scratch, &user, &token, NULL);
        else if (mw_span_is(c->arg, "OAUTHBEARER"))
            r = mw_sasl_oauthbearer_parse(c->auth_initial.b64.ptr, c->auth_initial.b64.len,
                                          scratch, sizeof scratch, &user, &host, &port,
                                          &token, NULL);
        if (r == MW_OK)
            evlog_printf(a->log, "SASL user=%.*s token=%.*s port=%u", (int)user.len, user.ptr,
                         (int)token.len, token.ptr, port);
    }
    return on_command(s, u, c); /* logs; the default reply */
}

/* The machine hands the base64 text to the application, which can give
 * it straight to the parsers of sasl.h. */
static void test_sasl_helpers(void **state)
{
    char b64[512], in[1024];
    size_t n = 0, k;
    app *a = new_app();
    (void)state;
    a->cfg.auth_mechanisms = "XOAUTH2 OAUTHBEARER";
    a->cb.command = sasl_app;
#if !MW_ENABLE_SASL_OAUTH
    /* compiled out (features.h): the machine still hands the text over
     * (it does not parse it), the parsers refuse it */
    static const char in0[] = HELLO
        "AUTH XOAUTH2 dXNlcj1zb21lb25lQGV4YW1wbGUuY29tAWF1dGg9QmVhcmVyIHlhMjkudG9rZW4tMQEB\r\n"
        "AUTH OAUTHBEARER bixhPW1lQGV4YW1wbGUuY29tLAFob3N0PW14LmV4YW1wbGUub3JnAXBvcnQ9NTg3AWF1"
        "dGg9QmVhcmVyIGFiYy5kZWYtZ2hpAQE=\r\n";
    mw_error e;
    mw_span u1, t1, h1;
    unsigned p1 = 0;
    memset(&e, 0, sizeof e);
    assert_int_equal(mw_sasl_xoauth2_parse(S_("dXNlcj1hAWF1dGg9QmVhcmVyIHQBAQ=="), b64,
                                           sizeof b64, &u1, &t1, &e),
                     MW_E_UNSUPPORTED);
    assert_int_equal(e.code, MW_E_UNSUPPORTED);
    assert_int_equal(mw_sasl_oauthbearer_parse(S_("bixhPWEsAWF1dGg9QmVhcmVyIHQBAQ=="), b64,
                                               sizeof b64, &u1, &h1, &p1, &t1, NULL),
                     MW_E_UNSUPPORTED);
    assert_int_equal(mw_sasl_xoauth2_encode(S_("a"), S_("t"), b64, sizeof b64, &n),
                     MW_E_UNSUPPORTED);
    assert_int_equal(mw_sasl_oauthbearer_encode(S_("a"), S_("h"), 1, S_("t"), b64,
                                                sizeof b64, &n),
                     MW_E_UNSUPPORTED);
    expect_log(a, in0, sizeof in0 - 1,
               (const char *const[]){"C: AUTH", "S: 504 5.5.4 Unrecognized authentication type",
                                     "C: AUTH", "S: 504", NULL});
    (void)in;
    (void)k;
#else
    assert_int_equal(mw_sasl_xoauth2_encode(S_("someone@example.com"), S_("ya29.token-1"), b64,
                                            sizeof b64, &n),
                     MW_OK);
    k = (size_t)snprintf(in, sizeof in, HELLO "AUTH XOAUTH2 %.*s\r\n", (int)n, b64);
    assert_int_equal(mw_sasl_oauthbearer_encode(S_("me@example.com"), S_("mx.example.org"), 587,
                                                S_("abc.def-ghi"), b64, sizeof b64, &n),
                     MW_OK);
    snprintf(in + k, sizeof in - k, "AUTH OAUTHBEARER %.*s\r\n", (int)n, b64);
    expect_log(a, in, strlen(in),
               (const char *const[]){"SASL user=someone@example.com token=ya29.token-1 port=0",
                                     "C: AUTH", "S: 504 5.5.4 Unrecognized authentication type",
                                     "SASL user=me@example.com token=abc.def-ghi port=587",
                                     "C: AUTH", "S: 504", NULL});
#endif
    del_app(a);
}

/* ---- replies ---- */

static void test_reply_api(void **state)
{
    app *a = new_app();
    evlog log;
    size_t used;
    char text[600];
    (void)state;
    a->async = 1;
    evlog_init(&log);
    app_start(a, &log);
    /* nothing owed */
    assert_int_equal(mw_smtp_server_reply(&a->s, 250, "OK"), MW_E_STATE);
    assert_int_equal(mw_smtp_server_reply_more(&a->s, 250, "OK"), MW_E_STATE);
    assert_int_equal(mw_smtp_server_reply_default(&a->s), MW_E_STATE);
    assert_int_equal(mw_smtp_server_auth_challenge(&a->s, "x", 1), MW_E_STATE);
    assert_int_equal(mw_smtp_server_pending(&a->s), MW_SMTP_CMD_UNKNOWN);
    assert_int_equal(mw_smtp_server_feed(&a->s, S_("EHLO c.example\r\n"), &used), MW_PAUSED);
    assert_int_equal(mw_smtp_server_pending(&a->s), MW_SMTP_CMD_EHLO);
    assert_int_equal(mw_smtp_server_want(&a->s), MW_SMTP_SERVER_WANT_REPLY);
    /* feeding while a reply is owed takes nothing */
    assert_int_equal(mw_smtp_server_feed(&a->s, S_("NOOP\r\n"), &used), MW_PAUSED);
    assert_int_equal(used, 0);
    size_t sends = a->sends;
    /* CR, LF refused; nothing sent */
    assert_int_equal(mw_smtp_server_reply(&a->s, 250, "a\r\n250 evil"), MW_E_INVAL);
    assert_int_equal(mw_smtp_server_reply(&a->s, 250, "a\rb"), MW_E_INVAL);
    assert_int_equal(mw_smtp_server_reply(&a->s, 250, "a\nb"), MW_E_INVAL);
    assert_int_equal(mw_smtp_server_reply_more(&a->s, 250, "a\nb"), MW_E_INVAL);
    /* codes */
    assert_int_equal(mw_smtp_server_reply(&a->s, 199, "x"), MW_E_INVAL);
    assert_int_equal(mw_smtp_server_reply(&a->s, 600, "x"), MW_E_INVAL);
    assert_int_equal(mw_smtp_server_reply(&a->s, 354, "x"), MW_E_INVAL);
    assert_int_equal(mw_smtp_server_reply(&a->s, 334, "x"), MW_E_INVAL);
    assert_int_equal(mw_smtp_server_reply(&a->s, 220, "x"), MW_E_INVAL);
    assert_int_equal(mw_smtp_server_reply(&a->s, 301, "x"), MW_E_INVAL);
    assert_int_equal(mw_smtp_server_auth_challenge(&a->s, "x", 1), MW_E_STATE);
    /* the longest line: 512 with CRLF; the EHLO text line is "250-" + text */
    memset(text, 'h', 507);
    text[507] = '\0';
    assert_int_equal(mw_smtp_server_reply_more(&a->s, 250, text), MW_E_TOO_LONG);
    assert_int_equal(a->sends, sends);
    text[506] = '\0';
    assert_int_equal(mw_smtp_server_reply_more(&a->s, 250, text), MW_OK);
    assert_int_equal(a->max_send, 512);
    /* all lines share the code */
    assert_int_equal(mw_smtp_server_reply(&a->s, 251, "x"), MW_E_INVAL);
    assert_int_equal(mw_smtp_server_reply(&a->s, 250, "greets you"), MW_OK);
    assert_non_null(strstr(evlog_str(&log), "S: 250-greets you\nS: 250-PIPELINING"));
    /* enhanced codes: a code of another class is refused */
    assert_int_equal(mw_smtp_server_feed(&a->s, S_("MAIL FROM:<a@b.example>\r\n"), &used), MW_PAUSED);
    assert_int_equal(mw_smtp_server_reply(&a->s, 250, "5.1.1 nonsense"), MW_E_INVAL);
    assert_int_equal(mw_smtp_server_reply(&a->s, 550, "2.1.0 nonsense"), MW_E_INVAL);
    /* 507 bytes of text leave no room for an enhanced code */
    memset(text, 't', 507);
    text[507] = '\0';
    assert_int_equal(mw_smtp_server_reply(&a->s, 550, text), MW_E_TOO_LONG);
    text[501] = '\0'; /* "550 5.0.0 " + 501 + CRLF = 513 */
    assert_int_equal(mw_smtp_server_reply(&a->s, 550, text), MW_E_TOO_LONG);
    text[500] = '\0';
    assert_int_equal(mw_smtp_server_reply(&a->s, 550, text), MW_OK);
    assert_int_equal(a->max_send, 512);
    assert_int_equal(mw_smtp_server_want(&a->s), MW_SMTP_SERVER_WANT_INPUT);
    /* AUTH challenges: 378 bytes fit in a line, 379 do not */
    assert_int_equal(mw_smtp_server_feed(&a->s, S_("AUTH PLAIN\r\n"), &used), MW_PAUSED);
    memset(text, 0, 379);
    assert_int_equal(mw_smtp_server_auth_challenge(&a->s, text, 379), MW_E_TOO_LONG);
    assert_int_equal(mw_smtp_server_auth_challenge(&a->s, NULL, 3), MW_E_INVAL);
    assert_int_equal(mw_smtp_server_auth_challenge(&a->s, text, 378), MW_OK);
    assert_int_equal(a->max_send, 512);
    assert_int_equal(mw_smtp_server_feed(&a->s, S_("*\r\n"), &used), MW_OK);
    assert_non_null(strstr(evlog_str(&log), "S: 501 5.0.0 Authentication cancelled"));
    /* a 421 closes the session */
    assert_int_equal(mw_smtp_server_feed(&a->s, S_("NOOP\r\nRSET\r\nNOOP\r\n"), &used), MW_PAUSED);
    assert_int_equal(used, 12);
    assert_int_equal(mw_smtp_server_reply(&a->s, 421, "4.3.2 Shutting down"), MW_OK);
    assert_int_equal(mw_smtp_server_want(&a->s), MW_SMTP_SERVER_WANT_CLOSED);
    assert_int_equal(mw_smtp_server_feed(&a->s, S_("NOOP\r\n"), &used), MW_E_CLOSED);
    evlog_free(&log);
    del_app(a);
}

static void test_config_strings(void **state)
{
    app *a = new_app();
    char buf[1024];
    static const char *const bad_lines[] = {"X-OK", "X-BAD\r\nSIZE", NULL};
    static const char *const good_lines[] = {"X-ONE", "XFORWARD NAME ADDR", NULL};
    (void)state;
    a->cfg.hostname = "evil\r\n250 x";
    assert_int_equal(mw_smtp_server_init(&a->s, &a->cfg, &a->cb, a, buf, sizeof buf), MW_E_INVAL);
    a->cfg.hostname = "mx.example.org";
    a->cfg.auth_mechanisms = "PLAIN\nX";
    assert_int_equal(mw_smtp_server_init(&a->s, &a->cfg, &a->cb, a, buf, sizeof buf), MW_E_INVAL);
    a->cfg.auth_mechanisms = "PLAIN";
    a->cfg.ehlo_lines = bad_lines;
    assert_int_equal(mw_smtp_server_init(&a->s, &a->cfg, &a->cb, a, buf, sizeof buf), MW_E_INVAL);
    a->cfg.ehlo_lines = good_lines;
    a->cfg.max_command_line = 511;
    assert_int_equal(mw_smtp_server_init(&a->s, &a->cfg, &a->cb, a, buf, sizeof buf), MW_E_INVAL);
    a->cfg.max_command_line = 512;
    a->cfg.command_newlines = MW_NEWLINE_PASS;
    assert_int_equal(mw_smtp_server_init(&a->s, &a->cfg, &a->cb, a, buf, sizeof buf), MW_E_INVAL);
    a->cfg.command_newlines = MW_NEWLINE_REJECT;
    a->cfg.data_newlines = (mw_newline_policy)7;
    assert_int_equal(mw_smtp_server_init(&a->s, &a->cfg, &a->cb, a, buf, sizeof buf), MW_E_INVAL);
    a->cfg.data_newlines = MW_NEWLINE_REJECT;
    assert_int_equal(mw_smtp_server_init(&a->s, &a->cfg, &a->cb, a, buf, MW_SMTP_SERVER_LINEBUF_SIZE - 1),
                     MW_E_INVAL);
    assert_int_equal(mw_smtp_server_init(&a->s, &a->cfg, NULL, a, buf, sizeof buf), MW_E_INVAL);
    mw_smtp_server_callbacks nosend = {0};
    assert_int_equal(mw_smtp_server_init(&a->s, &a->cfg, &nosend, a, buf, sizeof buf), MW_E_INVAL);
    assert_int_equal(mw_smtp_server_init(&a->s, &a->cfg, &a->cb, a, NULL, sizeof buf), MW_E_INVAL);
    assert_int_equal(mw_smtp_server_init(&a->s, &a->cfg, &a->cb, a, buf, MW_SMTP_SERVER_LINEBUF_SIZE), MW_OK);
    /* before start: feed refused; greeting text with CR/LF refused */
    size_t used = 7;
    evlog log;
    evlog_init(&log);
    a->log = &log;
    assert_int_equal(mw_smtp_server_feed(&a->s, S_("NOOP\r\n"), &used), MW_E_STATE);
    assert_int_equal(used, 0);
    assert_int_equal(mw_smtp_server_want(&a->s), 0);
    assert_int_equal(mw_smtp_server_start(&a->s, "hi\r\n250 evil"), MW_E_INVAL);
    assert_int_equal(mw_smtp_server_refuse(&a->s, "hi\n"), MW_E_INVAL);
    assert_int_equal(a->sends, 0);
    assert_int_equal(mw_smtp_server_start(&a->s, "ready"), MW_OK);
    assert_int_equal(mw_smtp_server_start(&a->s, "ready"), MW_E_STATE);
    a->linebuf = NULL;
    a->linebuf_len = 0;
    /* extra EHLO lines, LIMITS, SIZE without a value */
    a->cfg.extensions = MW_SMTP_EXT_SIZE | MW_SMTP_EXT_LIMITS;
    a->cfg.max_recipients = 42;
    a->cfg.max_message_size = 0;
    a->linebuf_len = 4096;
    EXPECT(a, HELLO, "S: 250-mx.example.org", "S: 250-SIZE", "S: 250-LIMITS RCPTMAX=42",
           "S: 250-X-ONE", "S: 250 XFORWARD NAME ADDR");
    evlog_free(&log);
    del_app(a);
}

/* ---- callbacks: failures and pauses ---- */

static void test_callback_failures(void **state)
{
    static const char in[] = "EHLO c.example\r\nNOOP\r\nAUTH LOGIN\r\ndXNlcg==\r\nXYZZY\r\n"
                             "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\nbody\r\n.\r\nQUIT\r\n";
    (void)state;
    for (int kind = CB_SEND; kind <= CB_ERROR; kind++)
        for (unsigned nth = 1; nth <= 2; nth++) {
            app *a = new_app();
            evlog log;
            size_t used = 0;
            a->fail_kind = kind;
            a->fail_nth = nth;
            evlog_init(&log);
            app_start(a, &log);
            if (kind == CB_SEND && nth == 1) {
                /* the greeting itself failed */
                assert_int_equal(mw_smtp_server_want(&a->s), MW_SMTP_SERVER_WANT_CLOSED);
                assert_int_equal(mw_smtp_server_feed(&a->s, in, sizeof in - 1, &used), MW_E_CALLBACK);
            } else {
                int r = mw_smtp_server_feed(&a->s, in, sizeof in - 1, &used);
                if (a->calls[kind] < nth) {
                    /* this callback is not called that often here */
                    assert_int_equal(r, MW_DONE);
                    evlog_free(&log);
                    del_app(a);
                    continue;
                }
                if (r != MW_E_CALLBACK)
                    fail_msg("callback %d call %u: feed %s", kind, nth, mw_status_name(r));
                assert_true(used < sizeof in - 1);
            }
            /* dead for good */
            assert_int_equal(mw_smtp_server_feed(&a->s, "NOOP\r\n", 6, &used), MW_E_CALLBACK);
            assert_int_equal(used, 0);
            assert_int_equal(mw_smtp_server_reply(&a->s, 250, "x"), MW_E_CALLBACK);
            assert_int_equal(mw_smtp_server_tls_done(&a->s), MW_E_CALLBACK);
            assert_int_equal(mw_smtp_server_eof(&a->s), MW_E_CALLBACK);
            assert_int_equal(mw_smtp_server_want(&a->s), MW_SMTP_SERVER_WANT_CLOSED);
            evlog_free(&log);
            del_app(a);
        }
}

/* Pausing at any callback, then feeding the rest, logs what a run
 * without pauses logs. */
static void test_pause_resume(void **state)
{
    static const char in[] = "EHLO c.example\r\nNOOP\r\nAUTH LOGIN\r\ndXNlcg==\r\nXYZZY\r\n"
                             "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\nbody\r\nmore\r\n.\r\nQUIT\r\n";
    evlog ref;
    app *a = new_app();
    (void)state;
    run_whole(a, in, sizeof in - 1, &ref);
    del_app(a);
    for (int kind = CB_SEND; kind <= CB_ERROR; kind++)
        for (unsigned nth = 1; nth <= 3; nth++) {
            evlog log;
            size_t pos = 0, used;
            int paused = 0, r = MW_OK;
            a = new_app();
            a->pause_kind = kind;
            a->pause_nth = nth;
            evlog_init(&log);
            app_start(a, &log);
            while (pos < sizeof in - 1) {
                r = mw_smtp_server_feed(&a->s, in + pos, sizeof in - 1 - pos, &used);
                pos += used;
                if (r == MW_PAUSED)
                    paused++;
                else
                    break;
            }
            assert_int_equal(r, MW_DONE);
            if (a->calls[kind] >= nth && kind != CB_SEND)
                assert_true(paused >= 1);
            evlog_printf(&log, "replay: done at %zu", pos);
            if (strcmp(evlog_str(&ref), evlog_str(&log)) != 0) {
                show_diff(evlog_str(&ref), evlog_str(&log));
                fail_msg("pause at callback %d call %u changes the events", kind, nth);
            }
            evlog_free(&log);
            del_app(a);
        }
    evlog_free(&ref);
}

/* ---- the end of the connection ---- */

static void test_eof(void **state)
{
    static const struct {
        const char *in;
        int status;
    } cases[] = {
        {"EHLO c.example\r\n", MW_OK},
        {"EHLO c.exa", MW_E_INCOMPLETE},
        {TXN "DATA\r\nhalf a mess", MW_E_INCOMPLETE},
        {TXN "BDAT 10\r\nabc", MW_E_INCOMPLETE},
        {HELLO "AUTH LOGIN\r\n", MW_E_INCOMPLETE},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        app *a = new_app();
        evlog log;
        run_whole(a, cases[i].in, strlen(cases[i].in), &log);
        char want[64];
        snprintf(want, sizeof want, "EOF %s", mw_status_name(cases[i].status));
        assert_non_null(strstr(evlog_str(&log), want));
        if (cases[i].status != MW_OK)
            assert_non_null(strstr(evlog_str(&log), "E: MW_E_INCOMPLETE"));
        assert_int_equal(mw_smtp_server_want(&a->s), MW_SMTP_SERVER_WANT_CLOSED);
        mw_error e;
        assert_int_equal(mw_smtp_server_error(&a->s, &e), cases[i].status);
        evlog_free(&log);
        del_app(a);
    }
    /* QUIT: feed stops after it and returns MW_DONE, then MW_E_CLOSED */
    app *a = new_app();
    evlog log;
    size_t used;
    evlog_init(&log);
    app_start(a, &log);
    assert_int_equal(mw_smtp_server_feed(&a->s, S_("QUIT\r\nNOOP\r\n"), &used), MW_DONE);
    assert_int_equal(used, 6);
    assert_int_equal(mw_smtp_server_feed(&a->s, S_("NOOP\r\n"), &used), MW_E_CLOSED);
    assert_int_equal(mw_smtp_server_eof(&a->s), MW_OK);
    evlog_free(&log);
    del_app(a);
}

/* ---- command newline policy ---- */

static void test_command_newlines(void **state)
{
    app *a = new_app();
    (void)state;
    EXPECT(a, "NOOP\nNOOP\r\nNO\rOP\r\nNO\0OP\r\n", "S: 500 Bad character in command line",
           "E: MW_E_BARE_LF @4", "S: 250 OK", "S: 500 Bad character", "E: MW_E_BARE_CR @13",
           "S: 500 Bad character", "E: MW_E_NUL @20");
    a->cfg.command_newlines = MW_NEWLINE_ACCEPT;
    EXPECT(a, "NOOP\nNOOP\rNOOP\r\n", "S: 250 OK", "S: 250 OK", "S: 250 OK");
    del_app(a);
}

/* ---- CR, LF and NUL can never reach a reply through the machine ---- */

static void test_reply_injection(void **state)
{
    app *a = new_app();
    (void)state;
    /* arguments the machine echoes nowhere; decoded values refused */
    EXPECT(a, HELLO "MAIL FROM:<a@b.example> AUTH=x+0D+0A250+20ok\r\nMAIL FROM:<a@b.example> ENVID=+00\r\n"
              "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example> ORCPT=rfc822;a+0Ab\r\n",
           "S: 501 5.5.4 Syntax error in parameter value", "S: 501 5.5.4 Syntax error in parameter value",
           "S: 250 2.1.0 OK", "S: 501 5.5.4 Syntax error in parameter value");
    del_app(a);
}

/* ---- sizes ---- */

static void test_context_size(void **state)
{
    (void)state;
    assert_int_equal(mw_smtp_server_sizeof(), sizeof(mw_smtp_server));
    /* the issue's budget: context and line buffer within 2 KB */
    assert_true(sizeof(mw_smtp_server) + MW_SMTP_SERVER_LINEBUF_SIZE <= 2048);
    assert_true(MW_SMTP_SERVER_LINEBUF_SIZE >= MW_SMTP_MAX_COMMAND_LINE);
    assert_int_equal(MW_SMTP_SERVER_LINEBUF_FOR(12288), 12286 + 3 * 3072);
}

/* ---- volume ---- */

static void test_many_rcpts(void **state)
{
    const unsigned n = 100000;
    size_t cap = (size_t)n * 32 + 256, len;
    char *in = malloc(cap);
    (void)state;
    for (int variant = 0; variant < 2; variant++) {
        app *a = new_app();
        evlog log;
        size_t pos = 0, used;
        a->no_log = 1;
        a->cfg.max_recipients = variant ? n : 100;
        strcpy(in, HELLO "MAIL FROM:<a@b.example>\r\n");
        len = strlen(in);
        for (unsigned i = 0; i < n; i++)
            len += (size_t)sprintf(in + len, "RCPT TO:<u%u@d.example>\r\n", i);
        evlog_init(&log);
        app_start(a, &log);
        /* 64 KB chunks */
        while (pos < len) {
            size_t k = len - pos < 65536 ? len - pos : 65536;
            int r = mw_smtp_server_feed(&a->s, in + pos, k, &used);
            assert_true(r == MW_OK || r == MW_PAUSED);
            pos += used;
        }
        assert_int_equal(a->commands, variant ? n + 2 : 100 + 2);
        /* greeting, EHLO lines, MAIL, then one reply per RCPT */
        assert_int_equal(a->sends, 1 + EHLO_LINES + 1 + n);
        assert_int_equal(a->s.rcpts, variant ? n : 100);
        assert_int_equal(a->s.bad, 0);
        evlog_free(&log);
        del_app(a);
    }
    free(in);
}

/* A message of 1 GB fed in 1 MB chunks, generated on the fly: realistic
 * lines, one in 16 starting with '.', so the unstuffer works all the way.
 * Memory stays one chunk (the machine has no heap and a fixed context);
 * the count of body bytes is checked against the generator's. About 2 s
 * in a plain build, 5 s under ASan+UBSan on the test machines. */
#define BIG_MB 1024u

static void test_big_message(void **state)
{
    const size_t chunk = 1u << 20;
    char *buf = malloc(chunk);
    app *a = new_app();
    evlog log;
    size_t used;
    uint64_t wire = 0, body = 0, total = (uint64_t)BIG_MB << 20;
    static const char line[] = "The quick brown fox jumps over the lazy dog; 0123456789 abcdefghij\r\n";
    static const char dotline[] = "..a line that starts with a dot, stuffed on the wire\r\n";
    (void)state;
    a->no_log = 1;
    evlog_init(&log);
    app_start(a, &log);
    static const char head[] = TXN "DATA\r\n";
    clock_t t0 = clock();
    assert_int_equal(mw_smtp_server_feed(&a->s, head, sizeof head - 1, &used), MW_OK);
    /* the body in whole lines; the chunks cut lines anywhere */
    size_t fill = 0;
    unsigned k = 0;
    while (wire < total) {
        const char *l = (k++ % 16 == 15) ? dotline : line;
        size_t ll = l == dotline ? sizeof dotline - 1 : sizeof line - 1;
        for (size_t i = 0; i < ll; i++) {
            buf[fill++] = l[i];
            if (fill == chunk) {
                size_t p = 0;
                while (p < fill) {
                    int r = mw_smtp_server_feed(&a->s, buf + p, fill - p, &used);
                    assert_int_equal(r, MW_OK);
                    p += used;
                }
                fill = 0;
            }
        }
        wire += ll;
        body += l == dotline ? ll - 1 : ll;
    }
    memcpy(buf + fill, ".\r\n", 3);
    fill += 3;
    assert_int_equal(mw_smtp_server_feed(&a->s, buf, fill, &used), MW_OK);
    assert_int_equal(used, fill);
    assert_true(a->last_size == body);
    /* a figure for the record, never an assertion (generator included) */
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    printf("    %u MB of DATA in 1 MB chunks: %.2f s (%.0f MB/s, generator included)\n", BIG_MB,
           secs, secs > 0 ? BIG_MB / secs : 0.0);
    assert_int_equal(mw_smtp_server_want(&a->s), MW_SMTP_SERVER_WANT_INPUT);
    assert_int_equal(a->sends, 1 + EHLO_LINES + 2 + 2); /* greeting, EHLO, MAIL, RCPT, 354, 250 */
    evlog_free(&log);
    del_app(a);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transcripts),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_command_fields),
        cmocka_unit_test(test_lenient_switches),
        cmocka_unit_test(test_limit_command_line),
        cmocka_unit_test(test_limit_text_line),
        cmocka_unit_test(test_limit_recipients),
        cmocka_unit_test(test_limit_message_size),
        cmocka_unit_test(test_limit_auth_line),
        cmocka_unit_test(test_limit_bad_commands),
        cmocka_unit_test(test_smuggling),
        cmocka_unit_test(test_data_edges),
        cmocka_unit_test(test_bdat),
        cmocka_unit_test(test_lmtp),
        cmocka_unit_test(test_reentrant_feed),
        cmocka_unit_test(test_starttls_injection),
        cmocka_unit_test(test_sasl_helpers),
        cmocka_unit_test(test_reply_api),
        cmocka_unit_test(test_config_strings),
        cmocka_unit_test(test_callback_failures),
        cmocka_unit_test(test_pause_resume),
        cmocka_unit_test(test_eof),
        cmocka_unit_test(test_command_newlines),
        cmocka_unit_test(test_reply_injection),
        cmocka_unit_test(test_context_size),
        cmocka_unit_test(test_many_rcpts),
        cmocka_unit_test(test_big_message),
    };
    return cmocka_run_group_tests_name("smtp_server", tests, NULL, NULL);
}
