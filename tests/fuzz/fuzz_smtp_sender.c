/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the SMTP sender (lib/smtp/sender.c): random server
 * streams against a session whose options the input picks.
 *
 * Input:
 *   byte 0   bits 0-1 the TLS mode (MW_SMTP_SENDER_TLS_*); bit 2 a user
 *            (AUTH); bit 3 eight_bit; bit 4 the message through `read`
 *            (else `body`); bit 5 auth_without_tls; bit 6 a UTF-8
 *            reverse-path; bit 7 a known size (SIZE=)
 *   bytes 1-2  the buffer: MW_SMTP_SENDER_BUF_MIN + (b1 | b2 << 8) % 473,
 *            so 128 to 600 bytes (an exact-size heap block)
 *   byte 3   feed chunks of 1 + b % 64 bytes (pseudo-random, seeded by b)
 *   byte 4   `read` pieces: 0 cycles 1..7, else 1 + (b - 1) % 16 bytes
 *   byte 5   bit 7: `send` fails at call (b & 31) + 1; bit 6: `read` fails
 *            after (b & 31) pieces; bit 5: `reply` fails at line
 *            (b & 31) + 1
 *   byte 6   1 + b % 3 recipients; bit 7: a long reverse-path (124 bytes,
 *            too long for buffers under 138 bytes)
 *   byte 7   the message length L; the next L bytes are the message
 *   the rest what the server says.
 *
 * The stream is fed whole, in chunks and byte by byte; the bytes sent,
 * every reply line the callback saw, the outcome and the bytes consumed
 * must be the same. One difference is meant: a 220 to STARTTLS at the end
 * of a read pauses for the handshake, and with more bytes behind it in
 * the same read is response injection (CVE-2020-15953). So the whole run
 * is done twice: once truly whole, where such a session must end with
 * MW_E_INJECTION right behind the 220 line (that offset P is checked),
 * and once cut at P, which is the reference every chunked run (always
 * cut at P too) must equal; a pause calls tls_done().
 *
 * Checked on every run: each command is one `send` call of CRLF-ended
 * text with no other CR, LF or NUL, at most the buffer long; STARTTLS only
 * when asked and once; AUTH only over TLS or with auth_without_tls;
 * BODY=8BITMIME exactly with eight_bit; the message data never holds a
 * bare CR or LF, holds CRLF "." CRLF only at its end, and is (a prefix of,
 * when a callback failed) the model's stuffing of the message (RFC 5321
 * §4.5.2, bare CR and LF as CRLF); the outcome is one the header lists,
 * final once the input ended, with its offset inside the bytes fed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/features.h"

#include "fuzz_util.h"

#if MW_ENABLE_SMTP_SENDER

#include "mailwire/smtp_sender.h"

#define HDR 8u
#define MAX_INPUT 16384u
#define BYTES_MAX 2048u /* byte-by-byte runs only for streams this long */

typedef struct opts {
    int tls, user, eight_bit, use_read, clear_auth, utf8_from, sized;
    size_t cap, span, piece, rcpt_count;
    uint32_t seed;
    unsigned send_fail;  /* 1-based call that fails; 0 never */
    int read_fail;
    unsigned read_fail_after;
    unsigned reply_fail; /* 1-based reply line whose callback fails */
    int long_from;
    const char *body;
    size_t body_len;
    const char *srv;
    size_t srv_len;
} opts;

typedef struct run {
    const opts *o;
    mw_smtp_sender_message m;
    mw_smtp_sender s;
    char *buf;
    mw_textbuf out;  /* every byte sent */
    mw_textbuf data; /* the message data part of it */
    blog log;        /* reply lines, pauses, tls_done() results, the end */
    unsigned calls, rcalls, lines;
    char *piece;     /* the last `read` piece (freed at the next call) */
    size_t rpos;
    int in_data;     /* the reply to DATA was 354: sends are data */
    int data_broken; /* a callback failed while the data went out */
    int tls_up, starttls_sent, last_cmd_auth_login;
    size_t fed, used;
    unsigned pauses;
    int rc;
} run;

static const char *const rcpts[] = {"ops@example.com", "b@example.org",
                                    "j\xc3\xb6rg@example.de"};
/* 124 bytes: "MAIL FROM:<...>" CRLF is 138, too long for buffers below
 * that (MW_E_TOO_LONG before anything of it is sent). */
#define LONG_FROM                                                             \
    "a-rather-long-local-part-for-a-device-0123456789-abcdefghijk@"           \
    "sensor-17.building-4.floor-2.site-stuttgart.devices.example.com"

static int is_step(int cmd)
{
    switch (cmd) {
    case MW_SMTP_SENDER_GREETING: case MW_SMTP_SENDER_HELO:
    case MW_SMTP_SENDER_EHLO: case MW_SMTP_SENDER_MAIL:
    case MW_SMTP_SENDER_RCPT: case MW_SMTP_SENDER_DATA:
    case MW_SMTP_SENDER_QUIT: case MW_SMTP_SENDER_AUTH:
    case MW_SMTP_SENDER_STARTTLS: case MW_SMTP_SENDER_MESSAGE:
        return 1;
    default:
        return 0;
    }
}

static int starts(const char *p, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && memcmp(p, lit, k) == 0;
}

/* One command: CRLF-ended text, no other CR, LF or NUL, within the
 * buffer; and only the commands the options allow. */
static void check_command(run *r, const char *p, size_t n)
{
    const opts *o = r->o;
    size_t i;
    CHECK(n >= 3 && n <= o->cap);
    CHECK(p[n - 2] == '\r' && p[n - 1] == '\n');
    for (i = 0; i + 2 < n; i++)
        CHECK(p[i] != '\r' && p[i] != '\n' && p[i] != '\0');
    if (starts(p, n, "STARTTLS\r\n")) {
        CHECK(o->tls == MW_SMTP_SENDER_TLS_OPPORTUNISTIC ||
              o->tls == MW_SMTP_SENDER_TLS_REQUIRED);
        CHECK(!r->tls_up && !r->starttls_sent);
        r->starttls_sent = 1;
    }
    if (starts(p, n, "AUTH ")) {
        CHECK(o->user);
        CHECK(r->tls_up || o->clear_auth);
    }
    if (starts(p, n, "MAIL FROM:<")) {
        CHECK((strstr(r->out.p + r->out.n - n, " BODY=8BITMIME") != NULL) ==
              (o->eight_bit != 0));
    }
}

static int on_send(void *u, const char *p, size_t n)
{
    run *r = u;
    CHECK(p != NULL && n > 0);
    r->calls++;
    if (r->o->send_fail == r->calls) {
        if (r->in_data)
            r->data_broken = 1;
        return -1;
    }
    mw_textbuf_put(&r->out, p, n);
    if (r->in_data)
        mw_textbuf_put(&r->data, p, n);
    else
        check_command(r, p, n);
    return 0;
}

static int on_read(void *u, const char **chunk, size_t *len)
{
    run *r = u;
    const opts *o = r->o;
    size_t k = o->piece ? o->piece : 1u + r->rcalls % 7u;
    CHECK(r->in_data);
    free(r->piece);
    r->piece = NULL;
    if (o->read_fail && r->rcalls >= o->read_fail_after) {
        r->data_broken = 1;
        return -1;
    }
    r->rcalls++;
    if (k > o->body_len - r->rpos)
        k = o->body_len - r->rpos;
    if (k == 0) {
        *chunk = NULL;
        *len = 0;
        return 0;
    }
    r->piece = fz_dup(o->body + r->rpos, k);
    r->rpos += k;
    *chunk = r->piece;
    *len = k;
    return 0;
}

static int on_reply(void *u, int cmd, unsigned code, const char *text,
                    size_t len)
{
    run *r = u;
    CHECK(is_step(cmd));
    CHECK(code >= 200 && code <= 559);
    CHECK(len == 0 || text != NULL);
    log_num(&r->log, 1);
    log_num(&r->log, (uint64_t)cmd);
    log_num(&r->log, code);
    log_text(&r->log, text, len);
    if (++r->lines == r->o->reply_fail)
        return -1;
    /* What follows a 354 to DATA is the message; any later reply ends it. */
    r->in_data = cmd == MW_SMTP_SENDER_DATA && code == 354;
    return 0;
}

static void start(run *r, const opts *o)
{
    memset(r, 0, sizeof *r);
    r->o = o;
    r->m.ehlo_domain = "sensor-17.example.com";
    r->m.tls = o->tls;
    if (o->user) {
        r->m.user = "device17";
        r->m.secret = "s3cr\xc3\xa9t";
    }
    r->m.auth_without_tls = o->clear_auth;
    r->m.from = o->long_from ? LONG_FROM
                : o->utf8_from ? "d\xc3\xa9v@example.com"
                               : "dev@example.com";
    r->m.rcpt = rcpts;
    r->m.rcpt_count = o->rcpt_count;
    r->m.eight_bit = o->eight_bit;
    r->m.size = o->sized ? o->body_len + 1000u : 0;
    if (o->use_read) {
        r->m.read = on_read;
        r->m.read_user = r;
    } else {
        r->m.body = o->body;
        r->m.body_len = o->body_len;
    }
    r->m.send = on_send;
    r->m.send_user = r;
    r->m.reply = on_reply;
    r->m.reply_user = r;
    r->buf = xmalloc(o->cap);
    CHECK(mw_smtp_sender_init(&r->s, &r->m, r->buf, o->cap) == MW_OK);
    r->tls_up = o->tls == MW_SMTP_SENDER_TLS_IMPLICIT;
}

static void stop(run *r)
{
    free(r->buf);
    free(r->piece);
    mw_textbuf_free(&r->out);
    mw_textbuf_free(&r->data);
    log_free(&r->log);
}

/* Feed the server stream: whole, in chunks, or per byte, always cut at
 * `cut` (0: nowhere); then the end of the connection when the session is
 * not over. */
static void feed_all(run *r, int mode, size_t cut)
{
    const opts *o = r->o;
    uint32_t seed = o->seed;
    size_t pos = 0;
    int done = 0;
    while (pos < o->srv_len && !done) {
        size_t end = o->srv_len, used = 0;
        char *chunk;
        int rc;
        if (mode == FZ_BYTES)
            end = pos + 1;
        else if (mode == FZ_CHUNKS && end - pos > o->span)
            end = pos + 1 + fz_xorshift(&seed) % o->span;
        if (cut > pos && cut < end)
            end = cut;
        chunk = fz_dup(o->srv + pos, end - pos);
        rc = mw_smtp_sender_feed(&r->s, chunk, end - pos, &used);
        free(chunk);
        CHECK(used <= end - pos);
        r->fed += end - pos;
        r->used += used;
        CHECK(rc == MW_OK || rc == MW_PAUSED || rc == MW_DONE);
        switch (rc) {
        case MW_OK:
            CHECK(used == end - pos);
            break;
        case MW_PAUSED:
            /* only at the end of a read: bytes behind it are injection */
            CHECK(used == end - pos);
            CHECK(r->starttls_sent && !r->tls_up);
            r->pauses++;
            r->rc = mw_smtp_sender_tls_done(&r->s);
            CHECK(r->rc == MW_OK || r->rc == MW_DONE);
            r->tls_up = 1;
            log_num(&r->log, 2);
            log_num(&r->log, r->used);
            log_num(&r->log, (uint64_t)(int64_t)r->rc);
            done = r->rc == MW_DONE;
            break;
        default: /* MW_DONE */
            done = 1;
            break;
        }
        pos = end;
    }
    r->rc = done ? MW_DONE : mw_smtp_sender_eof(&r->s);
    CHECK(r->rc == MW_DONE);
}

/* The message as the sender must write it: ACCEPT normalisation (CRLF,
 * bare CR, bare LF are each one line end; a last line without one gets
 * CRLF), a "." doubled at each line start, then "." CRLF. */
static void model_data(const char *p, size_t n, mw_textbuf *out)
{
    size_t i;
    int line_start = 1;
    for (i = 0; i < n; i++) {
        if (p[i] == '\r' || p[i] == '\n') {
            if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
                i++;
            mw_textbuf_put(out, "\r\n", 2);
            line_start = 1;
            continue;
        }
        if (line_start && p[i] == '.')
            mw_textbuf_put(out, ".", 1);
        mw_textbuf_put(out, &p[i], 1);
        line_start = 0;
    }
    if (!line_start)
        mw_textbuf_put(out, "\r\n", 2);
    mw_textbuf_put(out, ".\r\n", 3);
}

static void check_run(run *r)
{
    const opts *o = r->o;
    const mw_smtp_sender_result *res = mw_smtp_sender_outcome(&r->s);
    size_t i;
    int listed = 0;
    CHECK(res != NULL && res->reason != NULL);
    switch (res->status) {
    case MW_OK: case MW_E_STATE: case MW_E_AUTH: case MW_E_UNSUPPORTED:
    case MW_E_CLOSED: case MW_E_INVAL: case MW_E_TOO_LONG:
    case MW_E_SYNTAX: case MW_E_BARE_LF: case MW_E_BARE_CR: case MW_E_NUL:
    case MW_E_LIMIT: case MW_E_SEQUENCE: case MW_E_INJECTION:
    case MW_E_CALLBACK:
        listed = 1; /* the statuses smtp_sender.h documents */
        break;
    default:
        break;
    }
    CHECK(listed); /* and the session is over: never MW_E_INCOMPLETE */
    CHECK(is_step(res->cmd));
    CHECK(res->code == 0 || (res->code >= 200 && res->code <= 559));
    CHECK(res->offset <= r->fed);
    CHECK(r->used <= r->fed);
    CHECK(res->rcpt_accepted + res->rcpt_rejected <= o->rcpt_count);
    if (res->status == MW_OK) {
        CHECK(res->cmd == MW_SMTP_SENDER_MESSAGE);
        CHECK(res->code / 100 == 2);
        CHECK(res->rcpt_accepted >= 1);
    }
    if (res->status == MW_E_INJECTION) {
        CHECK(res->offset == r->used);
        CHECK(r->out.n >= 10 &&
              memcmp(r->out.p + r->out.n - 10, "STARTTLS\r\n", 10) == 0);
    }
    /* The data: no bare CR or LF; the terminator only at the end; the
     * model's bytes (or the first of them, when a callback broke off). */
    if (r->data.n > 0) {
        mw_textbuf want = {0};
        const char *d = r->data.p;
        size_t n = r->data.n;
        for (i = 0; i < n; i++) {
            if (d[i] == '\r')
                CHECK(i + 1 == n || d[i + 1] == '\n');
            if (d[i] == '\n')
                CHECK(i > 0 && d[i - 1] == '\r');
            if (i + 5 <= n && memcmp(d + i, "\r\n.\r\n", 5) == 0)
                CHECK(i + 5 == n);
        }
        if (n >= 3 && memcmp(d, ".\r\n", 3) == 0)
            CHECK(n == 3);
        model_data(o->body, o->body_len, &want);
        if (r->data_broken)
            CHECK(n <= want.n && memcmp(d, want.p, n) == 0);
        else
            CHECK(n == want.n && memcmp(d, want.p, n) == 0);
        mw_textbuf_free(&want);
    }
}

/* The record two runs must share. */
static void summarize(run *r, blog *b)
{
    const mw_smtp_sender_result *res = mw_smtp_sender_outcome(&r->s);
    log_put(b, r->log.p, r->log.n);
    log_num(b, 3);
    log_text(b, r->out.p, r->out.n);
    log_num(b, (uint64_t)(int64_t)res->status);
    log_num(b, (uint64_t)res->cmd);
    log_num(b, res->code);
    log_num(b, res->rcpt_accepted);
    log_num(b, res->rcpt_rejected);
    log_num(b, res->offset);
    log_num(b, r->used);
    log_num(b, r->pauses);
}

static void one(const opts *o, int mode, size_t cut, blog *b, size_t *inj)
{
    run r;
    start(&r, o);
    feed_all(&r, mode, cut);
    check_run(&r);
    if (inj != NULL) {
        const mw_smtp_sender_result *res = mw_smtp_sender_outcome(&r.s);
        *inj = res->status == MW_E_INJECTION ? res->offset : 0;
    }
    summarize(&r, b);
    stop(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    opts o;
    char *copy;
    size_t at = 0;
    blog whole, ref, other;
    if (size < HDR || size > MAX_INPUT)
        return 0;
    copy = fz_dup(data, size);
    memset(&o, 0, sizeof o);
    o.tls = data[0] & 3;
    o.user = (data[0] >> 2) & 1;
    o.eight_bit = (data[0] >> 3) & 1;
    o.use_read = (data[0] >> 4) & 1;
    o.clear_auth = (data[0] >> 5) & 1;
    o.utf8_from = (data[0] >> 6) & 1;
    o.sized = (data[0] >> 7) & 1;
    o.cap = MW_SMTP_SENDER_BUF_MIN +
            ((size_t)data[1] | (size_t)data[2] << 8) % 473u;
    o.span = 1u + data[3] % 64u;
    o.seed = 0x9e3779b9u ^ data[3];
    o.piece = data[4] ? 1u + (data[4] - 1u) % 16u : 0;
    if (data[5] & 0x80)
        o.send_fail = (data[5] & 31u) + 1u;
    o.read_fail = (data[5] >> 6) & 1;
    o.read_fail_after = data[5] & 31u;
    if (data[5] & 0x20)
        o.reply_fail = (data[5] & 31u) + 1u;
    o.rcpt_count = 1u + (data[6] & 0x7f) % 3u;
    o.long_from = data[6] >> 7;
    o.body_len = data[7];
    if (o.body_len > size - HDR)
        o.body_len = size - HDR;
    o.body = copy + HDR;
    o.srv = copy + HDR + o.body_len;
    o.srv_len = size - HDR - o.body_len;

    /* Truly whole: a 220 to STARTTLS inside the stream is injection. */
    memset(&whole, 0, sizeof whole);
    one(&o, FZ_WHOLE, 0, &whole, &at);
    /* The reference: whole but for the cut where the handshake goes. */
    memset(&ref, 0, sizeof ref);
    if (at > 0)
        one(&o, FZ_WHOLE, at, &ref, NULL);
    else
        log_put(&ref, whole.p, whole.n);
    memset(&other, 0, sizeof other);
    one(&o, FZ_CHUNKS, at, &other, NULL);
    log_must_eq(&ref, &other, "whole vs chunks");
    log_free(&other);
    if (o.srv_len <= BYTES_MAX) {
        memset(&other, 0, sizeof other);
        one(&o, FZ_BYTES, at, &other, NULL);
        log_must_eq(&ref, &other, "whole vs bytes");
        log_free(&other);
    }
    log_free(&whole);
    log_free(&ref);
    free(copy);
    return 0;
}

#else /* the sender is not in this build */

MW_FUZZ_NOTHING_TO_FUZZ

#endif
