/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the SMTP / LMTP client machine (lib/smtp/client.c,
 * client_msg.c, reply.c): random reply streams fed to a client that is in
 * the middle of a session.
 *
 * Input: byte 0 picks the options (LMTP, PIPELINING and CHUNKING use,
 * lenient line ends, TLS policy, implicit TLS, the transaction helper or
 * a scripted application, body newline policy); byte 1 picks where the
 * session starts (before the greeting, after EHLO, in the middle of a
 * pipelined transaction, in BDAT data); bytes 2-3 seed the chunking. The
 * rest is what the server says.
 *
 * The application reacts to every reply the same way each run (EHLO, then
 * STARTTLS or AUTH when offered, MAIL, RCPT, DATA or BDAT, a body with
 * dots and bare line ends, more transactions, QUIT). The stream is fed
 * whole and in pseudo-random chunks; the events, what the client sent,
 * the last status and the bytes consumed must be the same. The one
 * difference chunking may cause on purpose — a 220 to STARTTLS delivered
 * when the read ends right after it, fatal when more bytes follow in the
 * same read (response injection) — is kept out of the log: the handshake
 * is never done here, so any later byte is fatal either way.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/smtp.h"

#include "fuzz_util.h"

typedef struct run {
    mw_smtp_client c;
    char line[MW_SMTP_CLIENT_LINEBUF_SIZE];
    unsigned opts;
    blog log, out;
    int txns;
    size_t rcpts;
    mw_smtp_client_message msg;
} run;

static const char *const rcpts[] = {"a@example.com", "b@example.com",
                                    "\xc3\xa9@example.com"};
static const char body[] = "Subject: t\r\n\r\n.dot\nbare\rlf\r\n..\r\nend";

static mw_span cs(const char *s)
{
    mw_span sp;
    sp.ptr = s;
    sp.len = strlen(s);
    return sp;
}

static void note(run *r, int tag, int rc)
{
    log_num(&r->log, (uint64_t)tag);
    log_num(&r->log, (uint64_t)(int64_t)rc);
}

static void start_txn(run *r)
{
    mw_smtp_client *c = &r->c;
    mw_smtp_mail_params mp;
    memset(&mp, 0, sizeof mp);
    mp.present = MW_SMTP_MAIL_SIZE | MW_SMTP_MAIL_RET | MW_SMTP_MAIL_ENVID;
    mp.size = sizeof body;
    mp.ret = MW_SMTP_RET_HDRS;
    mp.envid = cs("id+1=");
    if (r->opts & 0x80)
        mp.present |= MW_SMTP_MAIL_SMTPUTF8;
    r->txns++;
    r->rcpts = 0;
    note(r, 100, mw_smtp_client_mail(c, cs("s@example.com"), &mp));
    /* As many RCPT as pipelining allows, then DATA. */
    while (r->rcpts < 3 && (mw_smtp_client_want(c) & MW_SMTP_CLIENT_WANT_SEND))
        note(r, 101, mw_smtp_client_rcpt(c, cs(rcpts[r->rcpts++]), NULL));
    if (r->rcpts == 3 && (mw_smtp_client_want(c) & MW_SMTP_CLIENT_WANT_SEND))
        note(r, 102, mw_smtp_client_data(c));
}

static void write_body(run *r)
{
    mw_smtp_client *c = &r->c;
    note(r, 110, mw_smtp_client_write(c, body, 7));
    note(r, 111, mw_smtp_client_write(c, body + 7, 11));
    note(r, 112, mw_smtp_client_write_last(c, body + 18, sizeof body - 19));
}

static int on_send(mw_smtp_client *c, void *u, const char *p, size_t n)
{
    run *r = u;
    (void)c;
    CHECK(n > 0);
    log_put(&r->out, p, n);
    return r->out.n > (1u << 20) ? -1 : 0;
}

static int on_reply(mw_smtp_client *c, void *u, const mw_smtp_client_reply *rep)
{
    run *r = u;
    unsigned ok = rep->code / 100 == 2;
    if (rep->cmd == MW_SMTP_CMD_STARTTLS && rep->code == 220)
        return 0; /* see the file comment */
    log_num(&r->log, (uint64_t)rep->cmd);
    log_num(&r->log, rep->code);
    log_num(&r->log, rep->index);
    log_num(&r->log, rep->lines);
    log_num(&r->log, rep->offset);
    log_num(&r->log, rep->has_esc ? rep->esc.cls * 1000000u +
                                        rep->esc.subject * 1000u + rep->esc.detail
                                  : 0);
    log_put(&r->log, rep->text.ptr, rep->text.len);
    CHECK(rep->detail.ptr >= rep->text.ptr &&
          rep->detail.ptr + rep->detail.len == rep->text.ptr + rep->text.len);
    if (r->opts & 0x40)
        return 0; /* the helper drives */
    switch (rep->cmd) {
    case MW_SMTP_CLIENT_GREETING:
        note(r, 1, ok ? mw_smtp_client_ehlo(c, cs("fuzz.example"))
                      : mw_smtp_client_quit(c));
        break;
    case MW_SMTP_CMD_EHLO:
    case MW_SMTP_CMD_HELO:
    case MW_SMTP_CMD_LHLO:
        if (!ok)
            break;
        if (mw_smtp_client_caps(c)->ext & MW_SMTP_EXT_STARTTLS)
            note(r, 2, mw_smtp_client_starttls(c));
        else if (mw_smtp_client_caps(c)->auth & MW_SMTP_AUTH_LOGIN)
            note(r, 3, mw_smtp_client_auth_login(c, cs("u"), cs("p")));
        else
            start_txn(r);
        break;
    case MW_SMTP_CMD_STARTTLS:
    case MW_SMTP_CMD_AUTH:
        start_txn(r);
        break;
    case MW_SMTP_CMD_MAIL:
    case MW_SMTP_CMD_RCPT:
        if (r->rcpts < 3)
            note(r, 101, mw_smtp_client_rcpt(c, cs(rcpts[r->rcpts++]), NULL));
        else
            note(r, 102, mw_smtp_client_data(c));
        break;
    case MW_SMTP_CMD_DATA:
        if (rep->code == 354)
            write_body(r);
        break;
    case MW_SMTP_CLIENT_MESSAGE:
        if (r->txns < 3)
            start_txn(r);
        else
            note(r, 120, mw_smtp_client_quit(c));
        break;
    default:
        break;
    }
    if (mw_smtp_client_want(c) & MW_SMTP_CLIENT_WANT_BODY)
        write_body(r);
    return 0;
}

static int on_line(mw_smtp_client *c, void *u, const mw_smtp_reply_line *l,
                   size_t off)
{
    run *r = u;
    (void)c;
    log_num(&r->log, 7);
    log_num(&r->log, l->code);
    log_num(&r->log, off);
    return 0;
}

static int on_error(mw_smtp_client *c, void *u, int st, size_t off,
                    const char *why)
{
    run *r = u;
    (void)c;
    CHECK(why != NULL);
    log_num(&r->log, 8);
    log_num(&r->log, (uint64_t)(int64_t)st);
    log_num(&r->log, off);
    return 0;
}

static int on_done(mw_smtp_client *c, void *u, const mw_smtp_client_result *res)
{
    run *r = u;
    (void)c;
    log_num(&r->log, 9);
    log_num(&r->log, (uint64_t)(int64_t)res->status);
    log_num(&r->log, res->code);
    log_num(&r->log, res->rcpt_accepted);
    log_num(&r->log, res->delivered);
    return 0;
}

static void setup(run *r, unsigned opts, unsigned where)
{
    mw_smtp_client_callbacks cb;
    mw_smtp_client_config cfg;
    size_t used;
    memset(r, 0, sizeof(*r));
    r->opts = opts;
    memset(&cb, 0, sizeof cb);
    cb.send = on_send;
    cb.reply = on_reply;
    cb.reply_line = on_line;
    cb.error = on_error;
    cb.done = on_done;
    mw_smtp_client_config_init(&cfg);
    cfg.lmtp = (opts & 0x01) != 0;
    cfg.pipelining = (opts & 0x02) == 0;
    cfg.chunking = (opts & 0x04) == 0;
    cfg.reply_newlines = (opts & 0x08) ? MW_NEWLINE_ACCEPT : MW_NEWLINE_REJECT;
    cfg.require_tls = (opts & 0x10) != 0;
    cfg.tls_active = (opts & 0x20) != 0;
    cfg.auth_without_tls = 1;
    cfg.max_reply_lines = 64;
    CHECK(mw_smtp_client_init(&r->c, &cfg, &cb, r, r->line, sizeof r->line) ==
          MW_OK);
    if (opts & 0x40) {
        mw_smtp_client_message *m = &r->msg;
        m->ehlo_domain = "fuzz.example";
        m->tls = (opts & 0x10) ? MW_SMTP_CLIENT_TLS_REQUIRED
                               : MW_SMTP_CLIENT_TLS_OPPORTUNISTIC;
        m->auth = (opts & 0x80) ? MW_SMTP_CLIENT_AUTH_AUTO : 0;
        m->user = "u";
        m->secret = "p";
        m->from = "s@example.com";
        m->rcpt = rcpts;
        m->rcpt_count = 2;
        m->body = body;
        m->body_len = sizeof body - 1;
        CHECK(mw_smtp_client_send_message(&r->c, m) == MW_OK);
        return;
    }
    /* Bring the session to the chosen starting point with well-formed
     * replies (their events are logged the same way in every run). */
    if (where == 0)
        return;
    mw_smtp_client_feed(&r->c, "220 s\r\n", 7, &used);
    if (where == 1)
        return;
    {
        static const char ehlo[] =
            "250-s\r\n250-PIPELINING\r\n250-CHUNKING\r\n250-8BITMIME\r\n"
            "250-DSN\r\n250-SMTPUTF8\r\n250 SIZE 100\r\n";
        mw_smtp_client_feed(&r->c, ehlo, sizeof ehlo - 1, &used);
    }
}

/* Feed the stream whole (seed 0) or in chunks of 1 to 64 bytes, each an
 * exact-size heap copy; a chunk not all consumed is followed by one from
 * where feed stopped. */
static int feed_all(run *r, const uint8_t *p, size_t n, uint32_t seed,
                    size_t *total)
{
    int rc = MW_OK;
    fz_chunks ck;
    fz_chunks_start(&ck, p, n, seed ? FZ_CHUNKS : FZ_WHOLE, seed, 64);
    *total = 0;
    while (fz_chunks_next(&ck)) {
        size_t used = 0;
        rc = mw_smtp_client_feed(&r->c, ck.p, ck.n, &used);
        CHECK(used <= ck.n);
        ck.used = used;
        *total = ck.pos + used;
        if (rc == MW_DONE || rc < 0)
            break;
        if (rc == MW_OK)
            CHECK(used == ck.n);
    }
    fz_chunks_stop(&ck);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static run a, b;
    unsigned opts, where;
    uint32_t seed;
    size_t ta = 0, tb = 0;
    int ra, rb;
    mw_error ea, eb;

    if (size < 4 || size > 65536)
        return 0;
    opts = data[0];
    where = data[1] % 3;
    seed = (uint32_t)data[2] << 8 | data[3] | 1u;
    data += 4;
    size -= 4;

    setup(&a, opts, where);
    ra = feed_all(&a, data, size, 0, &ta);
    setup(&b, opts, where);
    rb = feed_all(&b, data, size, seed, &tb);

    CHECK(ra == rb);
    /* Where the session ends, the count may differ by the LF of an
     * over-long line whose CR ended a read: the line framer reports such
     * a line at once (under ACCEPT) and would skip that LF on the next
     * read, which does not come. */
    if (ra < 0 || ra == MW_DONE)
        CHECK(ta == tb || ta == tb + 1 || tb == ta + 1);
    else
        CHECK(ta == tb);
    log_must_eq(&a.log, &b.log, "events");
    log_must_eq(&a.out, &b.out, "output");
    CHECK(mw_smtp_client_error(&a.c, &ea) == mw_smtp_client_error(&b.c, &eb));
    CHECK(ea.offset == eb.offset);
    /* Bounded: the client never sends more than its scripted commands
     * and the body for each reply, and a dead session says so. */
    if (ra < 0)
        CHECK(mw_is_fatal(ra) &&
              mw_smtp_client_want(&a.c) == MW_SMTP_CLIENT_WANT_CLOSED);
    if (ra == MW_DONE)
        CHECK(mw_smtp_client_want(&a.c) == MW_SMTP_CLIENT_WANT_CLOSED);
    /* The output never holds a bare LF or a bare CR: everything is
     * CRLF-normalised, commands and data alike (the body here is not
     * BINARYMIME). */
    for (size_t i = 0; i < a.out.n; i++) {
        if (a.out.p[i] == '\n')
            CHECK(i > 0 && a.out.p[i - 1] == '\r');
        if (a.out.p[i] == '\r')
            CHECK(i + 1 < a.out.n && a.out.p[i + 1] == '\n');
    }
    (void)mw_smtp_client_eof(&a.c);
    free(a.log.p);
    free(a.out.p);
    free(b.log.p);
    free(b.out.p);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    return 0;
}
