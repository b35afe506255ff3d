/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the IMAP server machine (lib/imap/server.c) and its
 * formatters (lib/imap/server_fmt*.c): the client's byte stream.
 *
 * Input: byte 0 picks options:
 *   bit 0  small limits (max_line 64, max_literal 16, max_append 40,
 *          3 bad commands, depth 4)
 *   bit 1  LITERAL+ offered (else LITERAL-)
 *   bit 2  IMAP4rev2 only (UTF-8, the rev2 command set)
 *   bit 3  answers given after feed returns, not inside the callbacks
 *   bit 4  STARTTLS, COMPRESS=DEFLATE, SASL-IR, MULTIAPPEND, ESEARCH,
 *          CATENATE (URL parts whose length is a multiple of 5 are
 *          refused with NO [BADURL])
 *   bit 5  the literal callback refuses every other APPEND message
 *   bit 6  commands accept bare LF (MW_NEWLINE_ACCEPT)
 *   bit 7  unknown commands are delivered (DELIVER_OTHER)
 * byte 1 seeds the chunking; the rest is what the client sends.
 *
 * The application answers every command deterministically from the
 * command alone, through the formatters, echoing what the command carried
 * (mailbox names, FETCH items with their sections, the ENABLE list, search
 * return options), so the formatters see every value the parser can
 * produce. The stream is fed whole, in pseudo-random chunks (each an
 * exact-size heap copy) and byte by byte; the logs (commands, literals,
 * APPEND bytes, errors with offsets, every byte sent, the final status and
 * state) must be identical. Also checked: feed never consumes more than
 * given; no formatter refuses what the application built from a parsed
 * command; nothing is delivered after an accepted STARTTLS/COMPRESS.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/mailwire.h"
#include "mailwire/imap.h"

#include "fuzz_util.h"

static mw_span sp(const char *p, size_t n)
{
    mw_span s;
    s.ptr = p;
    s.len = n;
    return s;
}

/* A name with CR, LF or NUL (a literal can carry them): the formatters
 * refuse it, everything else they must take. */
static int unsendable(mw_span v)
{
    size_t i;
    for (i = 0; i < v.len; i++)
        if (v.ptr[i] == '\r' || v.ptr[i] == '\n' || v.ptr[i] == '\0')
            return 1;
    return 0;
}

#define EXPECT(rc, bad) CHECK((rc) == ((bad) ? MW_E_INVAL : MW_OK))

typedef struct run {
    mw_imap_server s;
    char buf[64 + 4096 + 16];
    char bigbuf[MW_IMAP_SERVER_BUF_SIZE];
    uint8_t opt;
    blog log;
    blog out;
    int later;        /* async: the pending command is answered after feed */
    int lit_later;    /* async: an APPEND literal awaits acceptance */
    int switched;     /* STARTTLS / COMPRESS accepted */
    unsigned nlit;
    int cmd_id;       /* the command answered later */
} run;

static int s_send(mw_imap_server *s, void *u, const char *p, size_t n)
{
    run *r = u;
    (void)s;
    CHECK(n > 0);
    log_put(&r->out, p, n);
    return 0;
}

static int s_error(mw_imap_server *s, void *u, int st, size_t off,
                   const char *why)
{
    run *r = u;
    (void)s;
    CHECK(why != NULL);
    CHECK(st < 0);
    /* Leftovers after a switch depend on how much was fed at once: the
     * harness stops feeding at the switch, so they are not compared. */
    if (st == MW_E_TLS_LEFTOVER)
        return 0;
    log_num(&r->log, 0xE0000000u | (uint32_t)(st & 0xffff));
    log_num(&r->log, off);
    return 0;
}

static void ok(run *r, const char *text)
{
    int rc = mw_imap_server_reply(&r->s, MW_IMAP_OK, NULL, text);
    CHECK(rc == MW_OK);
}

/* Answer a command through the formatters. */
static void answer(run *r, const mw_imap_cmd *c)
{
    mw_imap_server *s = &r->s;
    int rc;
    uint32_t i;

    switch (c->id) {
    case MW_IMAP_CMD_DONE:
        ok(r, "IDLE terminated");
        return;
    case MW_IMAP_CMD_IDLE:
        CHECK(mw_imap_server_idle(s, NULL) == MW_OK);
        CHECK(mw_imap_server_exists(s, 3) == MW_OK);
        return;
    case MW_IMAP_CMD_AUTHENTICATE:
        if (c->u.authenticate.has_initial) {
            ok(r, "welcome");
            return;
        }
        CHECK(mw_imap_server_auth_challenge(s, "chal\0lenge", 10) == MW_OK);
        return;
    case MW_IMAP_CMD_STARTTLS:
    case MW_IMAP_CMD_COMPRESS:
        ok(r, "go");
        r->switched = 1;
        return;
    case MW_IMAP_CMD_ENABLE:
        CHECK(mw_imap_server_enabled(s, c->u.enable.caps, c->u.enable.count) ==
              MW_OK);
        ok(r, NULL);
        return;
    case MW_IMAP_CMD_SELECT:
    case MW_IMAP_CMD_EXAMINE: {
        mw_imap_list_reply l;
        mw_imap_code code;
        memset(&l, 0, sizeof l);
        l.mailbox = c->u.select.mailbox.name;
        l.delimiter = '/';
        l.attrs = MW_IMAP_LIST_HASNOCHILDREN;
        EXPECT(mw_imap_server_list(s, &l), unsendable(l.mailbox));
        CHECK(mw_imap_server_exists(s, 5) == MW_OK);
        memset(&code, 0, sizeof code);
        code.id = MW_IMAP_CODE_PERMANENTFLAGS;
        code.flags.system = MW_IMAP_FLAG_SEEN | MW_IMAP_FLAG_WILDCARD;
        CHECK(mw_imap_server_status(s, MW_IMAP_OK, &code, "flags") == MW_OK);
        if (c->u.select.mailbox.name.len % 2)
            rc = mw_imap_server_reply_code(s, MW_IMAP_NO,
                                           MW_IMAP_CODE_NONEXISTENT, "no");
        else
            rc = mw_imap_server_reply_code(s, MW_IMAP_OK,
                                           MW_IMAP_CODE_READ_WRITE, NULL);
        CHECK(rc == MW_OK);
        return;
    }
    case MW_IMAP_CMD_LIST:
    case MW_IMAP_CMD_LSUB:
        for (i = 0; i < c->u.list.npatterns; i++) {
            mw_imap_list_reply l;
            memset(&l, 0, sizeof l);
            l.lsub = c->id == MW_IMAP_CMD_LSUB;
            l.mailbox = c->u.list.patterns[i].name;
            l.delimiter = (char)(i % 2 ? 0 : '.');
            l.oldname = c->u.list.reference.name;
            EXPECT(mw_imap_server_list(s, &l),
                   unsendable(l.mailbox) || unsendable(l.oldname));
        }
        ok(r, NULL);
        return;
    case MW_IMAP_CMD_STATUS: {
        mw_imap_status_reply st;
        memset(&st, 0, sizeof st);
        st.mailbox = c->u.status.mailbox.name;
        st.items = c->u.status.items & 0x1FFu;
        st.messages = 1;
        st.uidnext = 2;      /* nz-number (RFC 9051 §9) */
        st.uidvalidity = 3;  /* nz-number */
        st.appendlimit = UINT64_MAX;
        EXPECT(mw_imap_server_mailbox_status(s, &st), unsendable(st.mailbox));
        ok(r, NULL);
        return;
    }
    case MW_IMAP_CMD_SEARCH:
    case MW_IMAP_CMD_SORT:
        if (c->u.search.has_return) {
            mw_imap_esearch_reply e;
            memset(&e, 0, sizeof e);
            e.uid = (c->flags & MW_IMAP_CMDF_UID) != 0;
            e.items = c->u.search.return_opts & 0x0Fu;
            e.min = 1;
            e.max = c->u.search.nkeys + 1;
            e.count = c->u.search.nkeys;
            e.all = (e.items & MW_IMAP_SEARCHRET_ALL) ? c->u.search.nkeys % 2
                                                           ? sp("1:3,7", 5)
                                                           : sp("", 0)
                                                     : sp(NULL, 0);
            CHECK(mw_imap_server_esearch(s, &e) == MW_OK);
        } else {
            CHECK(mw_imap_server_search_begin(
                      s, c->id == MW_IMAP_CMD_SORT ? MW_IMAP_SERVER_SORT : 0) ==
                  MW_OK);
            for (i = 1; i <= c->u.search.nkeys && i < 50; i++)
                CHECK(mw_imap_server_search_add(s, i * 7) == MW_OK);
            CHECK(mw_imap_server_search_end(s, c->u.search.nkeys ? 9 : 0) ==
                  MW_OK);
        }
        ok(r, NULL);
        return;
    case MW_IMAP_CMD_FETCH: {
        const mw_imap_fetch_args *f = &c->u.fetch;
        static const char body[] = "Subject: x\r\n\r\nhello\0world\r\n";
        CHECK(mw_imap_server_fetch_begin(s, 1) == MW_OK);
        for (i = 0; i < f->nitems; i++) {
            const mw_imap_fetch_req *it = &f->items[i];
            switch (it->att) {
            case MW_IMAP_FA_UID:
                CHECK(mw_imap_server_fetch_uid(s, 42) == MW_OK);
                break;
            case MW_IMAP_FA_BINARY_SIZE:
                CHECK(mw_imap_server_fetch_binary_size(s, it, 3) == MW_OK);
                break;
            case MW_IMAP_FA_BODY_SECTION:
            case MW_IMAP_FA_BINARY:
            case MW_IMAP_FA_RFC822:
            case MW_IMAP_FA_RFC822_HEADER:
            case MW_IMAP_FA_RFC822_TEXT: {
                size_t n = (i % 3 == 0) ? sizeof body - 1 : i % 5;
                size_t k;
                if (i % 7 == 6) {
                    CHECK(mw_imap_server_fetch_body_nil(s, it) == MW_OK);
                    break;
                }
                rc = mw_imap_server_fetch_body_begin(
                    s, it, n,
                    it->att == MW_IMAP_FA_BINARY ? MW_IMAP_SERVER_LITERAL8 : 0);
                /* a section the parser accepted but the echo cannot carry
                 * (a field name given as a literal with CRLF) */
                CHECK(rc == MW_OK || rc == MW_E_INVAL);
                if (rc != MW_OK)
                    break;
                for (k = 0; k < n; k += 4)
                    CHECK(mw_imap_server_fetch_body_data(
                              s, body + k, n - k < 4 ? n - k : 4) == MW_OK);
                CHECK(mw_imap_server_fetch_body_end(s) == MW_OK);
                break;
            }
            default: {
                mw_imap_flags fl;
                memset(&fl, 0, sizeof fl);
                fl.system = MW_IMAP_FLAG_SEEN;
                CHECK(mw_imap_server_fetch_flags(s, &fl) == MW_OK);
                break;
            }
            }
        }
        rc = mw_imap_server_fetch_end(s);
        if (rc == MW_E_INVAL) {
            /* every item refused: an empty FETCH is invalid (RFC 9051 §9
             * msg-att), so the response needs one item before it ends */
            CHECK(mw_imap_server_fetch_uid(s, 42) == MW_OK);
            rc = mw_imap_server_fetch_end(s);
        }
        CHECK(rc == MW_OK);
        ok(r, NULL);
        return;
    }
    case MW_IMAP_CMD_STORE:
        CHECK(mw_imap_server_fetch_begin(s, 2) == MW_OK);
        CHECK(mw_imap_server_fetch_flags(s, &c->u.store.flags) == MW_OK);
        CHECK(mw_imap_server_fetch_end(s) == MW_OK);
        ok(r, NULL);
        return;
    case MW_IMAP_CMD_ID:
        rc = mw_imap_server_id(s, c->u.id.params,
                               c->u.id.count > 30 ? 30 : c->u.id.count);
        CHECK(rc == MW_OK || rc == MW_E_INVAL);
        ok(r, NULL);
        return;
    case MW_IMAP_CMD_NAMESPACE: {
        mw_imap_ns_reply ns;
        memset(&ns, 0, sizeof ns);
        ns.prefix = sp("", 0);
        ns.delimiter = '/';
        CHECK(mw_imap_server_namespace(s, &ns, 1, NULL, 0, &ns, 1) == MW_OK);
        ok(r, NULL);
        return;
    }
    case MW_IMAP_CMD_APPEND: {
        mw_imap_code code;
        memset(&code, 0, sizeof code);
        code.id = MW_IMAP_CODE_APPENDUID;
        code.num = 7;
        code.set.text = sp("1:2", 3);
        CHECK(mw_imap_server_reply(s, MW_IMAP_OK, &code, NULL) == MW_OK);
        return;
    }
    case MW_IMAP_CMD_LOGOUT:
        CHECK(mw_imap_server_bye(s, NULL, NULL) == MW_OK);
        ok(r, NULL);
        return;
    case MW_IMAP_CMD_DELETE:
        CHECK(mw_imap_server_reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_NOPERM,
                                        NULL) == MW_OK);
        return;
    default:
        ok(r, NULL);
        return;
    }
}

static int s_command(mw_imap_server *s, void *u, const mw_imap_cmd *c)
{
    run *r = u;
    (void)s;
    CHECK(!r->switched);
    log_num(&r->log, 0xC0000000u | (uint32_t)c->id);
    log_num(&r->log, c->flags);
    log_num(&r->log, c->offset);
    log_put(&r->log, c->tag.ptr, c->tag.len);
    if (r->opt & 0x08) {
        r->later = 1;
        r->cmd_id = c->id;
        /* Answers that need the command's spans are given now anyway; the
         * simple ones wait. */
        if (c->id == MW_IMAP_CMD_NOOP || c->id == MW_IMAP_CMD_CHECK ||
            c->id == MW_IMAP_CMD_LOGIN || c->id == MW_IMAP_CMD_CLOSE)
            return MW_PAUSED;
        r->later = 0;
    }
    answer(r, c);
    return 0;
}

static int s_literal(mw_imap_server *s, void *u, const mw_imap_cmd *c)
{
    run *r = u;
    log_num(&r->log, 0xA0000000u | c->u.append.index);
    log_num(&r->log, c->u.append.size);
    r->nlit++;
    if ((r->opt & 0x20) && r->nlit % 2 == 0) {
        CHECK(mw_imap_server_reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_TRYCREATE,
                                        NULL) == MW_OK);
        return 0;
    }
    if (r->opt & 0x08) {
        r->lit_later = 1;
        return MW_PAUSED;
    }
    return 0;
}

static int s_data(mw_imap_server *s, void *u, const char *p, size_t n)
{
    run *r = u;
    (void)s;
    CHECK(n > 0);
    log_put(&r->log, p, n);
    return 0;
}

static int s_end(mw_imap_server *s, void *u, const mw_imap_cmd *c)
{
    run *r = u;
    (void)s;
    log_num(&r->log, 0xB0000000u | c->u.append.index);
    return 0;
}

/* A CATENATE URL part: logged; a URL whose length is a multiple of 5 is
 * refused (NO [BADURL url], RFC 4469 §4.1), which must end the command. */
static int s_url(mw_imap_server *s, void *u, const mw_imap_cmd *c)
{
    run *r = u;
    const mw_span *url = &c->u.append.url;
    CHECK(c->u.append.catenate && c->u.append.part_kind == MW_IMAP_CATPART_URL);
    CHECK(url->len == 0 || url->ptr != NULL);
    log_num(&r->log, 0xE0000000u | (uint32_t)c->u.append.part);
    log_put(&r->log, url->ptr, url->len);
    if (url->len % 5 == 0) {
        mw_imap_code code;
        memset(&code, 0, sizeof code);
        code.id = MW_IMAP_CODE_BADURL;
        code.arg = *url;
        if (mw_imap_server_reply(s, MW_IMAP_NO, &code, "bad URL") != MW_OK)
            return mw_imap_server_reply(s, MW_IMAP_NO, NULL, "bad URL");
    }
    return 0;
}

static int s_auth(mw_imap_server *s, void *u, const char *b64, size_t n)
{
    run *r = u;
    log_num(&r->log, 0xD0000000u | (uint32_t)n);
    log_put(&r->log, b64, n);
    if (n % 8 == 4)
        return mw_imap_server_auth_challenge(s, b64, n);
    return mw_imap_server_reply(s, n % 3 ? MW_IMAP_OK : MW_IMAP_NO, NULL,
                                NULL);
}

static void setup(run *r, uint8_t opt)
{
    mw_imap_server_config cfg;
    mw_imap_server_callbacks cb;
    char *buf;
    size_t len;
    memset(&cb, 0, sizeof cb);
    cb.send = s_send;
    cb.command = s_command;
    cb.literal = s_literal;
    cb.append_data = s_data;
    cb.append_end = s_end;
    cb.append_url = s_url;
    cb.auth = s_auth;
    cb.error = s_error;
    mw_imap_server_config_init(&cfg);
    cfg.flags = MW_IMAP_SERVER_NAMES_RAW;
    cfg.auth = MW_IMAP_AUTH_PLAIN | MW_IMAP_AUTH_LOGIN;
    cfg.caps = MW_IMAP_CAP_IMAP4REV1 | MW_IMAP_CAP_IDLE |
               MW_IMAP_CAP_NAMESPACE | MW_IMAP_CAP_ID | MW_IMAP_CAP_ENABLE |
               MW_IMAP_CAP_SORT | MW_IMAP_CAP_BINARY |
               ((opt & 0x02) ? MW_IMAP_CAP_LITERAL_PLUS
                             : MW_IMAP_CAP_LITERAL_MINUS);
    if (opt & 0x04)
        cfg.caps = (cfg.caps & ~MW_IMAP_CAP_IMAP4REV1) | MW_IMAP_CAP_IMAP4REV2;
    if (opt & 0x10)
        cfg.caps |= MW_IMAP_CAP_STARTTLS | MW_IMAP_CAP_COMPRESS_DEFLATE |
                    MW_IMAP_CAP_SASL_IR | MW_IMAP_CAP_MULTIAPPEND |
                    MW_IMAP_CAP_UTF8_ACCEPT | MW_IMAP_CAP_CATENATE |
                    MW_IMAP_CAP_ESEARCH;
    if (opt & 0x40)
        cfg.newline = MW_NEWLINE_ACCEPT;
    if (opt & 0x80)
        cfg.flags |= MW_IMAP_SERVER_DELIVER_OTHER;
    buf = r->bigbuf;
    len = sizeof r->bigbuf;
    if (opt & 0x01) {
        cfg.max_line = 64;
        cfg.max_literal = 16;
        cfg.max_append = 40;
        cfg.max_bad_commands = 3;
        cfg.max_depth = 4;
        buf = r->buf;
        len = sizeof r->buf;
    }
    CHECK(mw_imap_server_init(&r->s, &cfg, &cb, r, buf, len) == MW_OK);
    CHECK(mw_imap_server_start(&r->s, MW_IMAP_OK, NULL, "ready") == MW_OK);
}

/* What the application does once feed has returned. */
static void after(run *r)
{
    if (r->lit_later) {
        r->lit_later = 0;
        CHECK(mw_imap_server_literal_accept(&r->s) == MW_OK);
    }
    if (r->later) {
        r->later = 0;
        CHECK(mw_imap_server_reply(&r->s, MW_IMAP_OK, NULL, "later") == MW_OK);
    }
}

/* Feed data in the given chunking mode (fuzz_util.h; chunks of 1 to 23
 * bytes); a chunk not all consumed is followed by one from where feed
 * stopped. Returns the log. */
static void drive(run *r, uint8_t opt, const uint8_t *data, size_t len,
                  uint32_t seed, int mode)
{
    size_t pos = 0;
    int st = MW_OK, stuck = 0;
    fz_chunks ck;
    memset(r, 0, sizeof *r);
    r->opt = opt;
    setup(r, opt);
    fz_chunks_start(&ck, data, len, mode, seed, 23);
    while (fz_chunks_next(&ck)) {
        size_t used = 0;
        st = mw_imap_server_feed(&r->s, ck.p, ck.n, &used);
        CHECK(used <= ck.n);
        after(r);
        ck.used = used;
        pos = ck.pos + used;
        if (st == MW_DONE || st == MW_E_CLOSED || (st < 0 && mw_is_fatal(st)))
            break;
        if (r->switched &&
            (mw_imap_server_want(&r->s) &
             (MW_IMAP_SERVER_WANT_TLS | MW_IMAP_SERVER_WANT_COMPRESS)))
            break; /* what follows would be TLS / DEFLATE bytes */
        if (used == 0 && ++stuck > 2)
            break;
        if (used > 0)
            stuck = 0;
    }
    fz_chunks_stop(&ck);
    /* An answer given after feed returned is acted on at the next feed
     * (imap_server.h: "feed again once you have answered"), even with no
     * bytes: a zero-size APPEND message accepted late ends there. */
    if (pos >= len && !(st == MW_DONE || st == MW_E_CLOSED ||
                        (st < 0 && mw_is_fatal(st))) &&
        !(r->switched &&
          (mw_imap_server_want(&r->s) &
           (MW_IMAP_SERVER_WANT_TLS | MW_IMAP_SERVER_WANT_COMPRESS)))) {
        int k;
        for (k = 0; k < 3; k++) {
            size_t used = 0;
            st = mw_imap_server_feed(&r->s, "", 0, &used);
            after(r);
            if (st == MW_DONE || st == MW_E_CLOSED ||
                (st < 0 && mw_is_fatal(st)))
                break;
        }
    }
    /* MW_OK and MW_PAUSED both mean "feed on": which one the last call
     * gave depends on whether a paused event's text was held (copied) or
     * still in the caller's input, i.e. on the chunking. */
    if (st == MW_PAUSED)
        st = MW_OK;
    log_num(&r->log, 0xF0000000u | (uint32_t)(st & 0xffff));
    log_num(&r->log, (uint64_t)mw_imap_server_state(&r->s));
    log_num(&r->log, mw_imap_server_want(&r->s));
}

static run runs[3];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t opt;
    uint32_t seed;
    int m;
    if (size < 2)
        return 0;
    opt = data[0];
    seed = 0x9E3779B9u ^ data[1];
    data += 2;
    size -= 2;
    if (size > 20000)
        size = 20000;
    for (m = 0; m < 3; m++)
        drive(&runs[m], opt, data, size, seed, m);
    /* The STARTTLS/COMPRESS switch stops the feeding where its command
     * ended, whatever the chunking; so does everything else. */
    for (m = 1; m < 3; m++) {
        log_must_eq(&runs[0].out, &runs[m].out, "output");
        log_must_eq(&runs[0].log, &runs[m].log, "events");
    }
    for (m = 0; m < 3; m++) {
        log_free(&runs[m].log);
        log_free(&runs[m].out);
    }
    return 0;
}
