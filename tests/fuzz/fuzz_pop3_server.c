/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the POP3 server machine (lib/pop3/server.c): the
 * client's command stream.
 *
 * Input: byte 0 picks options:
 *   bit 0  small limits (max_line 24, max_auth_line 40, 3 bad commands)
 *   bit 1  STLS offered          bit 2  APOP offered (APOP greeting)
 *   bit 3  UTF8 offered          bit 4  SASL "PLAIN LOGIN X-TWO"
 *   bit 5  replies given after feed returns, not inside the callback
 *   bit 6  commands accept bare LF (MW_NEWLINE_ACCEPT)
 *   bit 7  message bodies under MW_NEWLINE_REJECT instead of ACCEPT
 * byte 1 seeds the chunking; the rest is what the client sends.
 *
 * The application answers every command deterministically from the
 * command alone (values, listings, a message with dot lines and bare LF
 * written in pieces, challenges, +OK to STLS). The stream is fed whole, in
 * pseudo-random chunks (each an exact-size heap copy, freed after use) and
 * byte by byte; the logs (commands with their arguments, errors with
 * offsets, every byte sent, final status and state) must be identical.
 * Also checked: arguments never hold CR, LF or NUL; nothing is delivered
 * after an accepted STLS; every line sent but a SASL challenge fits 512
 * octets; the output has no bare CR or LF under either body policy; feed
 * never consumes more than given.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/mailwire.h"

#include "fuzz_util.h"

typedef struct run {
    mw_pop3_server s;
    char line[512];
    uint8_t opt;
    blog log;   /* events */
    blog out;   /* bytes sent */
    int pending;     /* async: a command awaits its reply */
    mw_pop3_cmd cmd; /* its copy (spans not kept) */
    int stls;        /* STLS accepted */
    int auth_round;
} run;

static const char message[] =
    "From: a@b\r\nSubject: .x\r\n\r\n.\r\n..\r\nbare\nlf\r\n.\n.end";

static int s_send(mw_pop3_server *s, void *u, const char *p, size_t n)
{
    run *r = u;
    (void)s;
    CHECK(n > 0);
    log_put(&r->out, p, n);
    return 0;
}

static int s_error(mw_pop3_server *s, void *u, int st, size_t off,
                   const char *why)
{
    run *r = u;
    (void)s;
    CHECK(why != NULL);
    log_num(&r->log, 0xE0000000u | (uint32_t)(st & 0xffff));
    log_num(&r->log, off);
    return 0;
}

/* The application's answer to a command. */
static void answer(run *r, const mw_pop3_cmd *c)
{
    mw_pop3_server *s = &r->s;
    int rc = 0;
    char uid[16];
    switch (c->id) {
    case MW_POP3_CMD_STAT:
        rc = mw_pop3_server_reply_stat(s, c->msg, 1234);
        break;
    case MW_POP3_CMD_LIST:
    case MW_POP3_CMD_UIDL:
        if (c->flags & MW_POP3_CMDF_HAS_MSG) {
            if (c->msg > 5) {
                rc = mw_pop3_server_reply(s, 0, 0, "no such message");
                break;
            }
            snprintf(uid, sizeof uid, "u%u", (unsigned)c->msg);
            rc = c->id == MW_POP3_CMD_LIST ? mw_pop3_server_scan_listing(s, c->msg, 99)
                                           : mw_pop3_server_uid_listing(s, c->msg, uid);
            break;
        }
        CHECK(mw_pop3_server_reply_begin(s, "list") == MW_OK);
        for (uint32_t i = 1; i <= 3; i++) {
            snprintf(uid, sizeof uid, "u%u", (unsigned)i);
            CHECK((c->id == MW_POP3_CMD_LIST ? mw_pop3_server_scan_listing(s, i, i * 10)
                                             : mw_pop3_server_uid_listing(s, i, uid)) ==
                  MW_OK);
        }
        rc = mw_pop3_server_reply_end(s);
        break;
    case MW_POP3_CMD_RETR:
    case MW_POP3_CMD_TOP:
        if (c->msg % 3 == 0) {
            rc = mw_pop3_server_reply(s, 0, MW_POP3_RC_SYS_TEMP, "later");
            break;
        }
        CHECK(mw_pop3_server_reply_begin(s, NULL) == MW_OK);
        for (size_t k = 0; k < sizeof message - 1; k += 1 + c->msg % 5) {
            size_t n = 1 + c->msg % 5;
            int w = mw_pop3_server_write(s, message + k,
                                         k + n > sizeof message - 1 ? sizeof message - 1 - k
                                                                    : n);
            CHECK(w == MW_OK || w == MW_DONE || w == MW_E_BARE_LF || w == MW_E_BARE_CR);
            CHECK(w != MW_DONE || c->id == MW_POP3_CMD_TOP);
        }
        rc = mw_pop3_server_reply_end(s);
        break;
    case MW_POP3_CMD_APOP:
        rc = mw_pop3_server_reply(s, mw_pop3_server_apop_check(s, "tanstaaf", 8) == MW_OK,
                                  0, NULL);
        break;
    case MW_POP3_CMD_AUTH:
        r->auth_round = 0;
        /* fall through */
    case MW_POP3_CMD_AUTH_RESPONSE:
        if (r->auth_round++ < 2)
            rc = mw_pop3_server_auth_challenge(s, "chal", (size_t)r->auth_round);
        else
            rc = mw_pop3_server_reply(s, c->arg.len % 2 == 0, MW_POP3_RC_AUTH, "a");
        break;
    case MW_POP3_CMD_STLS:
        rc = mw_pop3_server_reply(s, 1, 0, "go");
        if (rc == MW_OK)
            r->stls = 1;
        break;
    case MW_POP3_CMD_LANG:
        /* RFC 6856 §3.2: no range, a listing; a range of odd length
         * refused, other ranges answered with a tag (the spans of an
         * answer given later are gone, so the tag does not echo them) */
        if (!(c->flags & MW_POP3_CMDF_HAS_RANGE)) {
            CHECK(mw_pop3_server_reply_begin(s, NULL) == MW_OK);
            CHECK(mw_pop3_server_lang_listing(s, "en", "English") == MW_OK);
            CHECK(mw_pop3_server_lang_listing(s, "de", NULL) == MW_OK);
            rc = mw_pop3_server_reply_end(s);
        } else if (c->arg.len % 2) {
            rc = mw_pop3_server_reply(s, 0, 0, "unknown language");
        } else {
            rc = mw_pop3_server_reply_lang(s, "en-GB", "ok");
        }
        break;
    case MW_POP3_CMD_PASS:
        rc = mw_pop3_server_reply(s, c->arg.len % 3 != 0, c->arg.len % 3 ? 0 : MW_POP3_RC_AUTH,
                                  NULL);
        break;
    default:
        rc = mw_pop3_server_reply(s, 1, 0, NULL);
        break;
    }
    CHECK(rc == MW_OK);
}

static int s_command(mw_pop3_server *s, void *u, const mw_pop3_cmd *c)
{
    run *r = u;
    (void)s;
    CHECK(!r->stls); /* nothing parsed behind an accepted STLS */
    CHECK(memchr(c->arg.ptr ? c->arg.ptr : "", '\r', c->arg.len) == NULL);
    CHECK(memchr(c->arg.ptr ? c->arg.ptr : "", '\n', c->arg.len) == NULL);
    CHECK(memchr(c->arg.ptr ? c->arg.ptr : "", '\0', c->arg.len) == NULL);
    CHECK(memchr(c->arg2.ptr ? c->arg2.ptr : "", '\n', c->arg2.len) == NULL);
    log_num(&r->log, (uint64_t)c->id << 32 | c->flags);
    log_num(&r->log, c->msg);
    log_num(&r->log, c->lines);
    log_num(&r->log, c->offset);
    log_num(&r->log, c->arg.len);
    log_put(&r->log, c->arg.ptr, c->arg.len);
    log_num(&r->log, c->arg2.len);
    log_put(&r->log, c->arg2.ptr, c->arg2.len);
    log_num(&r->log, (uint64_t)mw_pop3_server_state(s));
    if (r->opt & 0x20) {
        /* answered after feed returns; only scalar fields are needed */
        r->pending = 1;
        r->cmd = *c;
        r->cmd.arg.ptr = r->cmd.arg2.ptr = NULL;
        return 0;
    }
    answer(r, c);
    return 0;
}

static void setup(run *r, uint8_t opt)
{
    mw_pop3_server_config cfg;
    mw_pop3_server_callbacks cb = {0};
    memset(r, 0, sizeof *r);
    r->opt = opt;
    mw_pop3_server_config_init(&cfg);
    cfg.max_line = 255;
    cfg.max_auth_line = 512;
    if (opt & 0x01) {
        cfg.max_line = 24;
        cfg.max_auth_line = 40;
        cfg.max_bad_commands = 3;
    }
    if (opt & 0x02)
        cfg.flags |= MW_POP3_SERVER_STLS;
    if (opt & 0x04)
        cfg.flags |= MW_POP3_SERVER_APOP;
    if (opt & 0x08)
        cfg.flags |= MW_POP3_SERVER_UTF8 | MW_POP3_SERVER_UTF8_USER;
    cfg.flags |= MW_POP3_SERVER_LANG; /* always: it costs nothing when unused */
    if (opt & 0x10)
        cfg.sasl = "PLAIN LOGIN X-TWO";
    if (opt & 0x40)
        cfg.newline = MW_NEWLINE_ACCEPT;
    if (opt & 0x80)
        cfg.body_newline = MW_NEWLINE_REJECT;
    cfg.implementation = "fuzz";
    cb.send = s_send;
    cb.command = s_command;
    cb.error = s_error;
    CHECK(mw_pop3_server_init(&r->s, &cfg, &cb, r, r->line, sizeof r->line) == MW_OK);
#if MW_ENABLE_SASL_CRAM_MD5
    if (opt & 0x04)
        CHECK(mw_pop3_server_start_apop(&r->s, "hi", "1", "2", "h.example") == MW_OK);
    else
        CHECK(mw_pop3_server_start(&r->s, "hi") == MW_OK);
#else
    /* APOP compiled out (features.h): refused, the plain greeting instead */
    if (opt & 0x04)
        CHECK(mw_pop3_server_start_apop(&r->s, "hi", "1", "2", "h.example") ==
              MW_E_UNSUPPORTED);
    CHECK(mw_pop3_server_start(&r->s, "hi") == MW_OK);
#endif
}

/* Feed data in the given chunking mode (fuzz_util.h; chunks of 1 to 23
 * bytes). */
static void feed_all(run *r, const uint8_t *data, size_t len, int mode,
                     uint32_t seed)
{
    int st = MW_OK;
    fz_chunks ck;
    fz_chunks_start(&ck, data, len, mode, seed, 23);
    while (fz_chunks_next(&ck)) {
        size_t cpos = 0, n = ck.n;
        while (cpos < n) {
            size_t used = 0;
            st = mw_pop3_server_feed(&r->s, ck.p + cpos, n - cpos, &used);
            CHECK(used <= n - cpos);
            cpos += used;
            if (r->pending) {
                r->pending = 0;
                answer(r, &r->cmd);
                continue;
            }
            if (st < 0 || st == MW_DONE)
                break;
            CHECK(st == MW_OK || st == MW_PAUSED);
            CHECK(used > 0 || cpos == n);
        }
        if (st < 0 || st == MW_DONE)
            break;
    }
    fz_chunks_stop(&ck);
    log_num(&r->log, 0xF0000000u | (uint32_t)(st & 0xffff));
    log_num(&r->log, (uint64_t)mw_pop3_server_state(&r->s));
    log_num(&r->log, mw_pop3_server_want(&r->s));
    log_num(&r->log, mw_pop3_server_discarded(&r->s));
    log_num(&r->log, (uint64_t)mw_pop3_server_eof(&r->s));
}

static void check_output(const run *r)
{
    size_t i, start = 0;
    /* Under every body policy the output has no bare CR or LF (ACCEPT
     * makes them CRLF, REJECT drops them), and every line but a SASL
     * challenge fits the 512-octet limit. */
    for (i = 0; i < r->out.n; i++) {
        if (r->out.p[i] == '\n') {
            CHECK(i > 0 && r->out.p[i - 1] == '\r');
            CHECK(i + 1 - start <= 512 ||
                  (r->out.p[start] == '+' && r->out.p[start + 1] == ' '));
            start = i + 1;
        } else if (r->out.p[i] == '\r') {
            CHECK(i + 1 < r->out.n && r->out.p[i + 1] == '\n');
        }
    }
}

static void done(run *r)
{
    free(r->log.p);
    free(r->out.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static run whole, other;
    int mode;

    if (size < 2 || size > 20000)
        return 0;
    setup(&whole, data[0]);
    feed_all(&whole, data + 2, size - 2, FZ_WHOLE, 0);
    check_output(&whole);
    for (mode = FZ_CHUNKS; mode <= FZ_BYTES; mode++) {
        setup(&other, data[0]);
        feed_all(&other, data + 2, size - 2, mode, 0x9e3779b9u ^ data[1]);
        log_must_eq(&whole.log, &other.log, "events");
        log_must_eq(&whole.out, &other.out, "output");
        done(&other);
    }
    done(&whole);
    return 0;
}
