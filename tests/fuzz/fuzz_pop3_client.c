/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the POP3 client machine (lib/pop3/client.c): the
 * server's reply stream.
 *
 * Input: byte 0 picks options:
 *   bit 0    small limits (max_line 64, max_auth_line 128)
 *   bits 1-2 body policy: REJECT, ACCEPT, PASS, REJECT
 *   bit 3    reply lines accept bare LF (MW_NEWLINE_ACCEPT)
 *   bit 4    MW_POP3_CLIENT_NO_PIPELINING
 *   bit 5    MW_POP3_CLIENT_REQUIRE_TLS
 *   bit 6    at most 2 commands in flight
 * byte 1 seeds the chunking, bytes 2-3 the application's choice of
 * commands; the rest is what the server sends.
 *
 * The application sends commands (all of them, AUTH with every built-in
 * mechanism and a step hook) after the greeting and after each complete
 * reply, chosen by a generator seeded from the input, so that they depend
 * only on the events. The stream is fed whole, in pseudo-random chunks
 * (exact-size heap copies) and byte by byte; the event logs (replies with
 * every parsed field, listings, capabilities, body bytes joined, ends,
 * challenges, errors with offsets, every byte sent) must be identical.
 * A +OK to STLS ends a run either way (it is read before TLS, or the bytes
 * behind it are an injection, depending on where the reads fall). Also
 * checked: every `send` is one line ending in CRLF with no other CR or LF;
 * no more commands in flight than allowed; data chunks are not empty.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/mailwire.h"

#include "fuzz_util.h"

static void log_span(blog *b, mw_span s)
{
    log_text(b, s.ptr, s.len);
}

typedef struct run {
    mw_pop3_client c;
    char buf[1024];
    uint8_t opt;
    uint32_t rng;
    blog log, out, body;
    int stop;      /* STLS accepted (or injected into): the run ends */
    int hook_steps;
    unsigned max_inflight;
} run;

static void flush_body(run *r)
{
    if (r->body.n == 0)
        return;
    log_num(&r->log, 0xDA7A);
    log_num(&r->log, r->body.n);
    log_put(&r->log, r->body.p, r->body.n);
    r->body.n = 0;
}

static uint32_t rnd(run *r)
{
    return fz_xorshift(&r->rng);
}

static int step(void *user, const char *chal, size_t clen, char *resp,
                size_t cap, size_t *rlen)
{
    run *r = user;
    size_t n;
    log_num(&r->log, 0x57E9);
    log_num(&r->log, chal == NULL ? (uint64_t)-1 : clen);
    if (chal != NULL)
        log_put(&r->log, chal, clen);
    if (chal == NULL && r->hook_steps % 2)
        return MW_PAUSED;
    if (r->hook_steps++ > 3)
        return MW_E_INVAL; /* gives up: "*" */
    n = clen < cap ? clen : cap;
    if (n > 0)
        memcpy(resp, chal, n); /* echo */
    *rlen = n;
    return r->hook_steps == 3 ? MW_DONE : MW_OK;
}

/* Send what the generator picks; the statuses go to the log. */
static void act(run *r)
{
    unsigned k = 1 + rnd(r) % 3, i;
    mw_pop3_client *c = &r->c;
    for (i = 0; i < k && !r->stop; i++) {
        uint32_t x = rnd(r), msg = 1 + (x >> 8) % 4;
        int st;
        switch (x % 23) {
        case 0: st = mw_pop3_client_capa(c); break;
        case 1: st = mw_pop3_client_user(c, "bob", 3); break;
        case 2: st = mw_pop3_client_pass(c, "pass word", 9); break;
        case 3: st = mw_pop3_client_apop(c, "bob", 3, "tanstaaf", 8); break;
        case 4: st = mw_pop3_client_stat(c); break;
        case 5: st = mw_pop3_client_list(c, 0); break;
        case 6: st = mw_pop3_client_list(c, msg); break;
        case 7: st = mw_pop3_client_retr(c, msg); break;
        case 8: st = mw_pop3_client_top(c, msg, (x >> 12) % 4); break;
        case 9: st = mw_pop3_client_uidl(c, 0); break;
        case 10: st = mw_pop3_client_uidl(c, msg); break;
        case 11: st = mw_pop3_client_dele(c, msg); break;
        case 12: st = mw_pop3_client_noop(c); break;
        case 13: st = mw_pop3_client_rset(c); break;
        case 14:
            st = (x >> 16) % 16 == 0 ? mw_pop3_client_quit(c) : mw_pop3_client_noop(c);
            break;
        case 15: st = mw_pop3_client_auth_plain(c, NULL, 0, "bob", 3, "pw", 2); break;
        case 16: st = mw_pop3_client_auth_login(c, "bob", 3, "pw", 2); break;
        case 17: st = mw_pop3_client_auth_xoauth2(c, "bob@x", 5, "tok.en", 6); break;
        case 18:
            r->hook_steps = (int)((x >> 20) % 2);
            st = mw_pop3_client_auth(c, "X-ECHO", step, r);
            break;
        case 19: st = mw_pop3_client_stls(c); break;
        case 20: st = mw_pop3_client_utf8(c); break;
        case 21:
            st = (x >> 16) % 2 ? mw_pop3_client_lang(c, "de-CH", 5)
                               : mw_pop3_client_lang(c, NULL, 0);
            break;
        default: st = mw_pop3_client_auth_plain(c, "z", 1, "bob", 3, "pw", 2); break;
        }
        log_num(&r->log, 0xC0DE0000u | (x % 23) << 8 | (uint32_t)(st & 0xff));
        CHECK(mw_pop3_client_in_flight(c) <= r->max_inflight);
    }
}

static int c_send(mw_pop3_client *c, void *u, const char *p, size_t n)
{
    run *r = u;
    (void)c;
    /* one whole line per call, nothing that could end it early */
    CHECK(n >= 2 && p[n - 2] == '\r' && p[n - 1] == '\n');
    CHECK(memchr(p, '\r', n - 2) == NULL && memchr(p, '\n', n - 2) == NULL);
    CHECK(memchr(p, '\0', n) == NULL);
    log_put(&r->out, p, n);
    return 0;
}

static int c_reply(mw_pop3_client *c, void *u, const mw_pop3_reply *rp)
{
    run *r = u;
    (void)c;
    flush_body(r);
    if (rp->cmd == MW_POP3_CMD_STLS && rp->ok) {
        /* the same end as the injection verdict (see c_error) */
        log_num(&r->log, 0x5715);
        r->stop = 1;
        return 0;
    }
    log_num(&r->log, (uint64_t)0x4E9 << 32 | (uint32_t)rp->cmd);
    log_num(&r->log, (uint64_t)rp->ok << 32 | (uint32_t)rp->code);
    log_num(&r->log, rp->flags);
    log_num(&r->log, rp->msg);
    log_num(&r->log, rp->count);
    log_num(&r->log, rp->octets);
    log_num(&r->log, rp->offset);
    log_span(&r->log, rp->code_text);
    log_span(&r->log, rp->text);
    log_span(&r->log, rp->uid);
    log_span(&r->log, rp->timestamp);
    log_span(&r->log, rp->lang);
    if (!(rp->flags & MW_POP3_REPLY_MULTILINE))
        act(r);
    return 0;
}

static int c_listing(mw_pop3_client *c, void *u, const mw_pop3_listing *l)
{
    run *r = u;
    (void)c;
    log_num(&r->log, 0x1157);
    log_num(&r->log, (uint64_t)l->cmd << 32 | l->msg);
    log_num(&r->log, l->octets);
    log_num(&r->log, l->offset);
    log_span(&r->log, l->uid);
    log_span(&r->log, l->lang);
    log_span(&r->log, l->description);
    /* a LANG listing line has a tag, the others a message number */
    CHECK(l->cmd == MW_POP3_CMD_LANG ? l->lang.len > 0 && l->msg == 0 : l->msg > 0);
    return 0;
}

static int c_capa(mw_pop3_client *c, void *u, const mw_pop3_capa_line *l)
{
    run *r = u;
    (void)c;
    log_num(&r->log, 0xCA9A);
    log_num(&r->log, l->id);
    log_num(&r->log, l->offset);
    log_span(&r->log, l->tag);
    log_span(&r->log, l->params);
    CHECK(l->tag.len > 0);
    return 0;
}

static int c_data(mw_pop3_client *c, void *u, const char *p, size_t n)
{
    run *r = u;
    (void)c;
    CHECK(n > 0);
    log_put(&r->body, p, n);
    return 0;
}

static int c_end(mw_pop3_client *c, void *u, int cmd)
{
    run *r = u;
    const mw_pop3_capa *cp = mw_pop3_client_capabilities(c);
    flush_body(r);
    log_num(&r->log, 0xE7D0000u | (uint32_t)cmd);
    log_num(&r->log, cp->flags);
    log_num(&r->log, cp->sasl);
    log_num(&r->log, cp->login_delay);
    log_num(&r->log, cp->expire);
    act(r);
    return 0;
}

static int c_challenge(mw_pop3_client *c, void *u, const char *p, size_t n)
{
    run *r = u;
    (void)c;
    log_num(&r->log, 0xC4A1);
    log_num(&r->log, n);
    log_put(&r->log, p, n);
    return 0;
}

static int c_error(mw_pop3_client *c, void *u, int st, size_t off,
                   const char *why)
{
    run *r = u;
    (void)c;
    CHECK(why != NULL);
    flush_body(r);
    if (st == MW_E_INJECTION) {
        /* the injection verdict (data after +OK to STLS, the client's only
         * MW_E_INJECTION; told by its code, the reason being "" without
         * error texts): the same end as a +OK read alone */
        log_num(&r->log, 0x5715);
        r->stop = 1;
        return 0;
    }
    log_num(&r->log, 0xE0000000u | (uint32_t)(st & 0xffff));
    log_num(&r->log, off);
    return 0;
}

static void setup(run *r, const uint8_t *data)
{
    mw_pop3_client_config cfg;
    mw_pop3_client_callbacks cb = {0};
    static const mw_newline_policy pol[4] = {MW_NEWLINE_REJECT, MW_NEWLINE_ACCEPT,
                                             MW_NEWLINE_PASS, MW_NEWLINE_REJECT};
    uint8_t opt = data[0];
    memset(r, 0, sizeof *r);
    r->opt = opt;
    r->rng = 0x1234567u ^ (uint32_t)data[2] << 8 ^ data[3];
    mw_pop3_client_config_init(&cfg);
    cfg.max_line = 512;
    cfg.max_auth_line = 512;
    if (opt & 0x01) {
        cfg.max_line = 64;
        cfg.max_auth_line = 128;
    }
    cfg.body_newline = pol[(opt >> 1) & 3];
    if (opt & 0x08)
        cfg.newline = MW_NEWLINE_ACCEPT;
    if (opt & 0x10)
        cfg.flags |= MW_POP3_CLIENT_NO_PIPELINING;
    if (opt & 0x20)
        cfg.flags |= MW_POP3_CLIENT_REQUIRE_TLS;
    cfg.max_pipeline = (opt & 0x40) ? 2 : MW_POP3_CLIENT_PIPELINE_MAX;
    r->max_inflight = cfg.max_pipeline;
    cb.send = c_send;
    cb.reply = c_reply;
    cb.listing = c_listing;
    cb.capability = c_capa;
    cb.data = c_data;
    cb.end = c_end;
    cb.challenge = c_challenge;
    cb.error = c_error;
    CHECK(mw_pop3_client_init(&r->c, &cfg, &cb, r, r->buf, sizeof r->buf) == MW_OK);
}

/* Feed data in the given chunking mode (fuzz_util.h; chunks of 1 to 29
 * bytes). */
static void feed_all(run *r, const uint8_t *data, size_t len, int mode,
                     uint32_t seed)
{
    int st = MW_OK;
    fz_chunks ck;
    fz_chunks_start(&ck, data, len, mode, seed, 29);
    while (!r->stop && fz_chunks_next(&ck)) {
        size_t cpos = 0;
        while (cpos < ck.n && !r->stop) {
            size_t used = 0;
            st = mw_pop3_client_feed(&r->c, ck.p + cpos, ck.n - cpos, &used);
            CHECK(used <= ck.n - cpos);
            cpos += used;
            if (st < 0 || st == MW_DONE)
                break;
            CHECK(st == MW_OK && cpos == ck.n);
        }
        if (st < 0 || st == MW_DONE)
            break;
    }
    fz_chunks_stop(&ck);
    flush_body(r);
    if (r->stop)
        return; /* after STLS: whether the rest was read is the reads' doing */
    log_num(&r->log, 0xF0000000u | (uint32_t)(st & 0xffff));
    log_num(&r->log, (uint64_t)mw_pop3_client_state(&r->c));
    log_num(&r->log, mw_pop3_client_in_flight(&r->c));
    log_num(&r->log, (uint64_t)mw_pop3_client_eof(&r->c));
}

static void done(run *r)
{
    free(r->log.p);
    free(r->out.p);
    free(r->body.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static run whole, other;
    int mode;

    if (size < 4 || size > 20000)
        return 0;
    setup(&whole, data);
    feed_all(&whole, data + 4, size - 4, FZ_WHOLE, 0);
    for (mode = FZ_CHUNKS; mode <= FZ_BYTES; mode++) {
        setup(&other, data);
        feed_all(&other, data + 4, size - 4, mode, 0x9e3779b9u ^ data[1]);
        log_must_eq(&whole.log, &other.log, "events");
        log_must_eq(&whole.out, &other.out, "output");
        done(&other);
    }
    done(&whole);
    return 0;
}
