/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the SMTP/LMTP server machine (lib/smtp/server.c).
 *
 * Input: byte 0 picks the options:
 *   bit 0     LMTP
 *   bit 1     every extension offered (else PIPELINING, 8BITMIME, ESC)
 *   bits 2-3  DATA newline policy (reject, accept, pass; 3 = reject)
 *   bit 4     small limits (text line 64, 2 recipients, message 200 bytes,
 *             3 bad commands, AUTH line 64)
 *   bits 5-6  the fake application: 0 accept everything, 1 reject MAIL,
 *             RCPT and AUTH, 2 accept but answer after feed returns
 *             (asynchronously), 3 accept with multi-line replies
 *   bit 7     lenient path spaces and HELO names
 * bytes 1-2 seed the chunking; the rest is what the client sends. The
 * bytes ESC "TLS" ESC stand for a TLS handshake: they never reach the
 * server; at them, a server waiting for TLS gets tls_done().
 *
 * The stream is fed whole (the application answering inside callbacks),
 * then in pseudo-random chunks, each an exact-size heap copy freed after
 * use (the application answering as its policy says). Both runs must log
 * the same events. Invariants checked on every event: every line sent is
 * one well-formed reply line (3 digits, '-' or ' ', at most 512 octets,
 * CRLF, no other CR or LF); a final reply is sent only when one is owed
 * (the number of final replies never exceeds the number of lines the
 * client sent, plus the greeting, plus LMTP's extra per-recipient
 * replies); every span handed over lies in the input being fed or in the
 * line buffer (or is one of the machine's constant CR/LF bytes); a
 * decoded xtext value holds no control character.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/smtp_server.h"

#include "fuzz_util.h"

static const char mark[] = "\x1bTLS\x1b";
#define MARK_LEN 5u

/* ---- event logs ---- */

static void rec(blog *b, char tag, const void *p, size_t n)
{
    uint64_t len = n;
    b->open = 0;
    log_put(b, &tag, 1);
    log_put(b, &len, sizeof len);
    log_put(b, p, n);
}

static void rec_num(blog *b, char tag, uint64_t v)
{
    rec(b, tag, &v, sizeof v);
}

/* Data records are joined so that chunking does not show: the length
 * field of the open record (b->open) is patched. */
static void rec_data(blog *b, const char *p, size_t n)
{
    if (b->open) {
        uint64_t len;
        memcpy(&len, b->p + b->open, sizeof len);
        len += n;
        memcpy(b->p + b->open, &len, sizeof len);
        log_put(b, p, n);
        return;
    }
    rec(b, 'D', p, n);
    b->open = b->n - n - sizeof(uint64_t);
}

/* ---- the fake application ---- */

typedef struct app {
    mw_smtp_server s;
    char linebuf[MW_SMTP_SERVER_LINEBUF_FOR(1024)];
    blog log;
    int policy, async;
    const char *in;   /* the input being fed */
    size_t in_len;
    size_t finals;    /* final reply lines sent */
    size_t lines;     /* line ends the client sent */
    size_t extra;     /* LMTP: more replies allowed */
    int has_pend;     /* an answer is pending (async) */
    int pend_verb;    /* for what: a verb, or -1 for a SASL response */
    int discard_logged;
} app;

static void span_ok(const app *a, const char *p, size_t n)
{
    uintptr_t x = (uintptr_t)p, in = (uintptr_t)a->in, lb = (uintptr_t)a->linebuf;
    if (n == 0)
        return;
    if (x >= in && x + n <= in + a->in_len)
        return;
    if (x >= lb && x + n <= lb + sizeof a->linebuf)
        return;
    /* the unstuffer's constant bytes */
    CHECK(n <= 2);
    for (size_t i = 0; i < n; i++)
        CHECK(p[i] == '\r' || p[i] == '\n');
}

static int on_send(mw_smtp_server *s, void *u, const char *p, size_t n)
{
    app *a = u;
    (void)s;
    CHECK(n >= 5 && n <= 512);
    CHECK(p[0] >= '2' && p[0] <= '5' && p[1] >= '0' && p[1] <= '9' &&
          p[2] >= '0' && p[2] <= '9');
    CHECK(p[3] == ' ' || p[3] == '-' || (n == 5 && p[3] == '\r'));
    CHECK(a->extra < SIZE_MAX);
    CHECK(p[n - 2] == '\r' && p[n - 1] == '\n');
    CHECK(memchr(p, '\r', n - 2) == NULL && memchr(p, '\n', n - 1) == NULL);
    if (p[3] != '-') {
        a->finals++;
        CHECK(a->finals <= 1 + a->lines + a->extra);
    }
    rec(&a->log, 'S', p, n);
    return 0;
}

static void answer(app *a, int verb)
{
    mw_smtp_server *s = &a->s;
    int r = MW_OK;
    if (a->policy == 1 && (verb == MW_SMTP_CMD_MAIL || verb == MW_SMTP_CMD_RCPT))
        r = mw_smtp_server_reply(s, 550, "5.7.1 Rejected");
    else if (verb == MW_SMTP_CMD_AUTH)
        r = a->policy == 1 ? mw_smtp_server_reply(s, 535, "5.7.8 No")
                           : mw_smtp_server_auth_challenge(s, "go on", 5);
    else if (verb == -1) /* SASL response */
        r = mw_smtp_server_reply(s, 235, "2.7.0 OK");
    else if (verb == MW_SMTP_CMD_STARTTLS)
        r = mw_smtp_server_reply(s, 220, "2.0.0 Go ahead");
    else if (a->policy == 3 && verb != MW_SMTP_CMD_DATA) {
        unsigned code = verb == MW_SMTP_CMD_QUIT ? 221 : 250;
        r = mw_smtp_server_reply_more(s, code, "first");
        if (r == MW_OK)
            r = mw_smtp_server_reply(s, code, "last");
    } else
        r = mw_smtp_server_reply_default(s);
    CHECK(r == MW_OK);
}

static void maybe_answer(app *a, int verb)
{
    if (a->async) {
        a->has_pend = 1;
        a->pend_verb = verb;
    } else {
        answer(a, verb);
    }
}

static void answer_pending(app *a)
{
    CHECK(a->async && a->has_pend);
    a->has_pend = 0;
    answer(a, a->pend_verb);
}

static int on_command(mw_smtp_server *s, void *u, const mw_smtp_cmd *c)
{
    app *a = u;
    (void)s;
    rec_num(&a->log, 'C', (uint64_t)c->verb);
    rec_num(&a->log, 'o', c->offset);
    span_ok(a, c->line.ptr, c->line.len);
    span_ok(a, c->arg.ptr, c->arg.len);
    rec(&a->log, 'a', c->arg.ptr, c->arg.len);
    span_ok(a, c->path.mailbox.ptr, c->path.mailbox.len);
    rec(&a->log, 'p', c->path.mailbox.ptr, c->path.mailbox.len);
    rec_num(&a->log, 'f', c->path.flags);
    rec_num(&a->log, 'm', c->mail.present);
    rec_num(&a->log, 'z', c->mail.size);
    span_ok(a, c->mail.envid.ptr, c->mail.envid.len);
    span_ok(a, c->mail.auth.ptr, c->mail.auth.len);
    span_ok(a, c->rcpt.orcpt.ptr, c->rcpt.orcpt.len);
    for (size_t i = 0; i < c->mail.envid.len; i++)
        CHECK((unsigned char)c->mail.envid.ptr[i] >= 0x20 && c->mail.envid.ptr[i] != 0x7f);
    for (size_t i = 0; i < c->mail.auth.len; i++)
        CHECK((unsigned char)c->mail.auth.ptr[i] >= 0x20 && c->mail.auth.ptr[i] != 0x7f);
    for (size_t i = 0; i < c->rcpt.orcpt.len; i++)
        CHECK((unsigned char)c->rcpt.orcpt.ptr[i] >= 0x20 && c->rcpt.orcpt.ptr[i] != 0x7f);
    rec(&a->log, 'e', c->mail.envid.ptr, c->mail.envid.len);
    rec(&a->log, 'r', c->rcpt.orcpt.ptr, c->rcpt.orcpt.len);
    for (size_t i = 0; i < c->nparams; i++) {
        span_ok(a, c->params[i].name.ptr, c->params[i].name.len);
        span_ok(a, c->params[i].value.ptr, c->params[i].value.len);
        rec(&a->log, 'k', c->params[i].name.ptr, c->params[i].name.len);
        rec(&a->log, 'v', c->params[i].value.ptr, c->params[i].value.len);
    }
    if (c->has_initial) {
        span_ok(a, c->auth_initial.b64.ptr, c->auth_initial.b64.len);
        span_ok(a, c->auth_initial.decoded.ptr, c->auth_initial.decoded.len);
        rec(&a->log, 'i', c->auth_initial.decoded.ptr, c->auth_initial.decoded.len);
    }
    if (c->verb == MW_SMTP_CMD_RCPT)
        a->extra++; /* LMTP may owe one more reply per recipient */
    maybe_answer(a, (int)c->verb);
    return 0;
}

static int on_data(mw_smtp_server *s, void *u, const char *p, size_t n)
{
    app *a = u;
    (void)s;
    CHECK(n > 0);
    span_ok(a, p, n);
    rec_data(&a->log, p, n);
    return 0;
}

static int on_data_end(mw_smtp_server *s, void *u, int status)
{
    app *a = u;
    (void)s;
    rec_num(&a->log, 'E', (uint64_t)(int64_t)status);
    if (status == MW_OK)
        maybe_answer(a, MW_SMTP_CMD_DATA);
    return 0;
}

static int on_auth(mw_smtp_server *s, void *u, const mw_smtp_sasl *r)
{
    app *a = u;
    (void)s;
    span_ok(a, r->b64.ptr, r->b64.len);
    span_ok(a, r->decoded.ptr, r->decoded.len);
    rec(&a->log, 'A', r->decoded.ptr, r->decoded.len);
    maybe_answer(a, -1);
    return 0;
}

static int on_error(mw_smtp_server *s, void *u, int status, size_t off,
                    const char *reason)
{
    app *a = u;
    (void)s;
    CHECK(reason != NULL && status < 0);
    /* by its code: the reason is "" without error texts (features.h) */
    if (status == MW_E_TLS_LEFTOVER) {
        if (a->discard_logged)
            return 0;
        a->discard_logged = 1;
    }
    rec_num(&a->log, 'X', (uint64_t)(int64_t)status);
    rec_num(&a->log, '@', off);
    return 0;
}

static const mw_smtp_server_callbacks callbacks = {on_send, on_command, on_data,
                                                   on_data_end, on_auth, on_error};

static void setup(app *a, uint8_t opt, int async)
{
    mw_smtp_server_config cfg;
    memset(&a->log, 0, sizeof a->log);
    a->policy = (opt >> 5) & 3;
    a->async = async;
    a->finals = a->lines = a->extra = 0;
    a->has_pend = 0;
    a->discard_logged = 0;
    mw_smtp_server_config_init(&cfg);
    cfg.hostname = "mx.example.org";
    cfg.auth_mechanisms = "PLAIN LOGIN";
    if (opt & 1)
        cfg.flags |= MW_SMTP_SERVER_LMTP;
    if (opt & 2)
        cfg.extensions = 0x0fffffffu;
    cfg.data_newlines = (mw_newline_policy)(((opt >> 2) & 3) % 3);
    if (opt & 16) {
        cfg.max_text_line = 64;
        cfg.max_recipients = 2;
        cfg.max_message_size = 200;
        cfg.max_bad_commands = 3;
        cfg.max_auth_line = 64;
    } else {
        cfg.max_auth_line = 1024;
    }
    if (opt & 128)
        cfg.flags |= MW_SMTP_SERVER_LENIENT_PATH_SPACE | MW_SMTP_SERVER_LENIENT_HELO;
    CHECK(mw_smtp_server_init(&a->s, &cfg, &callbacks, a, a->linebuf, sizeof a->linebuf) == MW_OK);
    CHECK(mw_smtp_server_start(&a->s, NULL) == MW_OK);
}

/* Feed p[0..n) (no mark inside); answer asynchronously when owed. Returns
 * 0 when the session is over. */
static int feed_part(app *a, const char *p, size_t n)
{
    size_t pos = 0;
    /* the bound on final replies: one per line end the client sent (and
     * one per over-long line, which may have none) */
    for (size_t i = 0; i < n; i++)
        if (p[i] == '\n')
            a->lines++;
    a->lines += n / 64 + 1;
    while (pos < n) {
        size_t used = 0;
        int r;
        if (mw_smtp_server_want(&a->s) & MW_SMTP_SERVER_WANT_REPLY) {
            answer_pending(a);
            continue;
        }
        a->in = p + pos;
        a->in_len = n - pos;
        r = mw_smtp_server_feed(&a->s, p + pos, n - pos, &used);
        CHECK(used <= n - pos);
        pos += used;
        if (r == MW_DONE || r == MW_E_CLOSED)
            return 0;
        CHECK(r == MW_OK || r == MW_PAUSED);
        if (r == MW_OK)
            CHECK(pos == n);
    }
    /* an answer owed at the end of this piece is given now */
    if (mw_smtp_server_want(&a->s) & MW_SMTP_SERVER_WANT_REPLY)
        answer_pending(a);
    return !(mw_smtp_server_want(&a->s) & MW_SMTP_SERVER_WANT_CLOSED);
}

/* The stream split at the TLS marks; each part fed whole or in chunks of
 * 1 to 64 bytes (fuzz_util.h). */
static void run(app *a, const char *d, size_t n, uint32_t seed, int chunked)
{
    size_t pos = 0;
    while (pos <= n) {
        const char *m = NULL;
        for (size_t i = pos; i + MARK_LEN <= n; i++)
            if (d[i] == mark[0] && memcmp(d + i, mark, MARK_LEN) == 0) {
                m = d + i;
                break;
            }
        size_t end = m ? (size_t)(m - d) : n;
        /* feed d[pos..end) */
        fz_chunks ck;
        fz_chunks_start(&ck, d + pos, end - pos,
                        chunked ? FZ_CHUNKS : FZ_WHOLE, seed, 64);
        while (fz_chunks_next(&ck))
            if (!feed_part(a, ck.p, ck.n)) {
                fz_chunks_stop(&ck);
                return;
            }
        seed = ck.seed;
        if (m == NULL)
            break;
        if (mw_smtp_server_want(&a->s) & MW_SMTP_SERVER_WANT_TLS) {
            CHECK(mw_smtp_server_tls_done(&a->s) == MW_OK);
            rec(&a->log, 'T', NULL, 0);
            a->discard_logged = 0;
        }
        pos = end + MARK_LEN;
    }
    rec_num(&a->log, 'F', (uint64_t)(int64_t)mw_smtp_server_eof(&a->s));
}

/* On a mismatch: both logs as text, records from the first difference. */
static void dump(const char *what, const blog *b, size_t from)
{
    size_t i = 0;
    fprintf(stderr, "--- %s\n", what);
    while (i + 9 <= b->n) {
        char tag = (char)b->p[i];
        uint64_t len;
        memcpy(&len, b->p + i + 1, sizeof len);
        if (i + 9 + len > b->n)
            break;
        if (i + 9 + len >= from && i <= from + 2000) {
            fprintf(stderr, "%c ", tag);
            if (len == 8 && tag != 'S' && tag != 'D' && tag != 'a' && tag != 'p') {
                uint64_t v;
                memcpy(&v, b->p + i + 9, 8);
                fprintf(stderr, "%lld", (long long)v);
            } else {
                for (uint64_t k = 0; k < len && k < 200; k++) {
                    unsigned char c = b->p[i + 9 + k];
                    if (c >= 32 && c < 127)
                        fputc(c, stderr);
                    else
                        fprintf(stderr, "\\x%02x", c);
                }
            }
            fputc('\n', stderr);
        }
        i += 9 + len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static app whole, chunked;
    if (size < 3)
        return 0;
    uint8_t opt = data[0];
    uint32_t seed = ((uint32_t)data[1] << 8 | data[2]) | 1u;
    const char *d = (const char *)data + 3;
    size_t n = size - 3;

    setup(&whole, opt, 0);
    run(&whole, d, n, seed, 0);
    setup(&chunked, opt, ((opt >> 5) & 3) == 2);
    run(&chunked, d, n, seed, 1);
    if (whole.log.n != chunked.log.n ||
        (whole.log.n && memcmp(whole.log.p, chunked.log.p, whole.log.n) != 0)) {
        size_t i = 0;
        while (i < whole.log.n && i < chunked.log.n && whole.log.p[i] == chunked.log.p[i])
            i++;
        fprintf(stderr, "event logs differ: %zu vs %zu bytes, first difference at %zu\n",
                whole.log.n, chunked.log.n, i);
        dump("whole", &whole.log, i > 300 ? i - 300 : 0);
        dump("chunked", &chunked.log, i > 300 ? i - 300 : 0);
        abort();
    }
    free(whole.log.p);
    free(chunked.log.p);
    return 0;
}
