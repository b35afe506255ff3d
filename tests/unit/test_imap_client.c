/* SPDX-License-Identifier: MIT */
/* The IMAP client machine (lib/imap/client.c, client_cmd*.c): the
 * RFC 3501 §8 and RFC 9051 §8 sample sessions driven from the client side
 * (the server's lines replayed whole, per byte and at every split, the
 * client's commands issued by a scripted application and compared with
 * the transcript), every command's exact wire form (the RFC examples
 * first), literal handshakes (synchronising, LITERAL+, LITERAL-),
 * APPEND streaming, MULTIAPPEND and CATENATE, STARTTLS / COMPRESS response
 * injection, the TLS-required policy, tag matching, pipelining, IDLE,
 * AUTHENTICATE exchanges, the builders, and the limits at cap-1/cap/cap+1.
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
#include "mailwire/codec.h"
#include "mailwire/imap.h"
#include "core/internal.h"

#define S_(lit) lit, sizeof(lit) - 1

/* ====================================================================== */
/* Harness                                                                 */

typedef struct cli cli;
typedef int (*step_fn)(cli *x);

struct cli {
    mw_imap_client c;
    char frame[8192];
    unsigned char arena[16384];
    char bigcmd[16384];
    mw_imap_client_config cfg;
    mw_imap_client_callbacks cb;
    evlog *log;
    evlog own;
    char out[65536];   /* everything sent */
    size_t outlen;
    /* scripted application */
    const step_fn *steps;
    size_t si;
    size_t tls_at;     /* stream offset where TLS starts (0: never) */
    size_t fed;
    int quiet;
    int fail_send;
    int pause_status;
    int abort_status;
    uint32_t last_handle;
    uint64_t lit_size;
    int lit_ready;
    const char *append_data; /* streamed from literal_ready */
    size_t append_len;
    int append_more;          /* messages still to append after this one */
    /* SASL hook script */
    const char *const *hook_resp; /* raw responses, NULL-terminated */
    const size_t *hook_len;
    int hook_i, hook_n;
    int hook_pause_first;
    int idle_done_on_cont;  /* call mw_imap_client_idle_done() at "+" */
    /* CATENATE script: called from literal_ready (lit_i counts the
     * calls), instead of append_data streaming */
    int (*on_lit)(cli *x);
    int lit_i;
    /* the response code of the last status that had one, copied */
    int code_id;
    char code_name[32];
    char code_arg[256];
};

static void next_step(cli *x)
{
    if (x->steps != NULL && x->steps[x->si] != NULL) {
        int r = x->steps[x->si++](x);
        if (r != MW_OK)
            evlog_printf(x->log, "step %zu failed %s", x->si - 1,
                         mw_status_name(r));
    }
}

static int c_send(mw_imap_client *c, void *u, const char *p, size_t n)
{
    cli *x = u;
    assert_ptr_equal(c, &x->c);
    if (x->fail_send)
        return -1;
    assert_true(x->outlen + n <= sizeof x->out);
    memcpy(x->out + x->outlen, p, n);
    x->outlen += n;
    if (!x->quiet) {
        evlog_printf(x->log, "send %zu", n);
        evlog_data(x->log, "out", p, n);
        evlog_printf(x->log, "/send");
    }
    return 0;
}

static int c_status(mw_imap_client *c, void *u, const mw_imap_status *st)
{
    cli *x = u;
    (void)c;
    if (!x->quiet) {
        evlog_printf(x->log,
                     "status r=%d cmd=%s h=%u uid=%u g=%d u=%d code=%d @%zu",
                     st->result, mw_imap_cmd_name(st->cmd),
                     (unsigned)st->handle, st->cmd_flags & 1u, st->greeting,
                     st->untagged, st->code.id, st->offset);
        evlog_data(x->log, "  tag", st->tag.ptr, st->tag.len);
        evlog_printf(x->log, "/tag");
        evlog_data(x->log, "  text", st->text.ptr, st->text.len);
        evlog_printf(x->log, "/text");
    }
    x->last_handle = st->handle;
    if (st->code.id != MW_IMAP_CODE_NONE) {
        x->code_id = st->code.id;
        snprintf(x->code_name, sizeof x->code_name, "%.*s",
                 (int)st->code.name.len, st->code.name.ptr);
        snprintf(x->code_arg, sizeof x->code_arg, "%.*s",
                 (int)st->code.arg.len,
                 st->code.arg.ptr != NULL ? st->code.arg.ptr : "");
    }
    if (x->abort_status)
        return -1;
    if ((st->greeting && st->result != MW_IMAP_BYE) ||
        (!st->untagged && st->tag.ptr != NULL &&
         !(st->cmd == MW_IMAP_CMD_STARTTLS && st->result == MW_IMAP_OK) &&
         !(st->cmd == MW_IMAP_CMD_COMPRESS && st->result == MW_IMAP_OK)))
        next_step(x);
    return x->pause_status ? MW_PAUSED : 0;
}

static int c_cont(mw_imap_client *c, void *u, mw_span text)
{
    cli *x = u;
    evlog_data(x->log, "cont", text.ptr, text.len);
    evlog_printf(x->log, "/cont");
    if (x->idle_done_on_cont)
        assert_int_equal(mw_imap_client_idle_done(c), MW_OK);
    return 0;
}

static int c_data(mw_imap_client *c, void *u, const mw_imap_data *d)
{
    cli *x = u;
    (void)c;
    if (!x->quiet)
        evlog_printf(x->log, "data kind=%d", (int)d->kind);
    return 0;
}

static int c_search(mw_imap_client *c, void *u, const mw_imap_search_ev *ev)
{
    cli *x = u;
    (void)c;
    if (!x->quiet)
        evlog_printf(x->log, "search ev=%d lo=%llu", ev->ev,
                     (unsigned long long)ev->lo);
    return 0;
}

static int c_fetch_begin(mw_imap_client *c, void *u, uint32_t msg)
{
    cli *x = u;
    (void)c;
    evlog_printf(x->log, "fetch %u", (unsigned)msg);
    return 0;
}

static int c_fetch_item(mw_imap_client *c, void *u,
                        const mw_imap_fetch_item *it)
{
    cli *x = u;
    (void)c;
    evlog_printf(x->log, "item %d", (int)it->id);
    return 0;
}

static int c_body_begin(mw_imap_client *c, void *u,
                        const mw_imap_body_section *s)
{
    cli *x = u;
    (void)c;
    (void)s;
    evlog_printf(x->log, "body_begin");
    return 0;
}

static int c_body_data(mw_imap_client *c, void *u, const char *p, size_t n)
{
    cli *x = u;
    (void)c;
    evlog_data(x->log, "body", p, n);
    return 0;
}

static int c_body_end(mw_imap_client *c, void *u)
{
    cli *x = u;
    (void)c;
    evlog_printf(x->log, "body_end");
    return 0;
}

static int c_fetch_end(mw_imap_client *c, void *u, uint32_t msg)
{
    cli *x = u;
    (void)c;
    evlog_printf(x->log, "fetch_end %u", (unsigned)msg);
    return 0;
}

static int c_literal_ready(mw_imap_client *c, void *u, uint32_t h,
                           uint64_t size)
{
    cli *x = u;
    evlog_printf(x->log, "literal_ready h=%u size=%llu", (unsigned)h,
                 (unsigned long long)size);
    x->lit_ready++;
    x->lit_size = size;
    if (x->on_lit != NULL) {
        int r = x->on_lit(x);
        x->lit_i++;
        if (r != MW_OK)
            evlog_printf(x->log, "literal step %d failed %s", x->lit_i - 1,
                         mw_status_name(r));
        return 0;
    }
    if (x->append_data != NULL) {
        /* stream the message in two chunks, then end or go on */
        size_t half = x->append_len / 2;
        assert_int_equal(mw_imap_client_append_data(c, x->append_data, half),
                         MW_OK);
        assert_int_equal(mw_imap_client_append_data(
                             c, x->append_data + half, x->append_len - half),
                         MW_OK);
        if (x->append_more > 0) {
            mw_imap_append_msg m;
            memset(&m, 0, sizeof m);
            m.size = x->append_len;
            x->append_more--;
            assert_int_equal(mw_imap_client_append_next(c, &m), MW_OK);
        } else {
            assert_int_equal(mw_imap_client_append_end(c), MW_OK);
        }
    }
    return 0;
}

static int c_error(mw_imap_client *c, void *u, int status, size_t offset,
                   const char *reason)
{
    cli *x = u;
    (void)c;
    evlog_printf(x->log, "error %s @%zu %s", mw_status_name(status), offset,
                 reason);
    return 0;
}

static void cli_init_cfg(cli *x, const mw_imap_client_config *cfg)
{
    int r;
    memset(&x->cb, 0, sizeof x->cb);
    x->cb.send = c_send;
    x->cb.status = c_status;
    x->cb.continuation = c_cont;
    x->cb.data = c_data;
    x->cb.search = c_search;
    x->cb.fetch_begin = c_fetch_begin;
    x->cb.fetch_item = c_fetch_item;
    x->cb.body_begin = c_body_begin;
    x->cb.body_data = c_body_data;
    x->cb.body_end = c_body_end;
    x->cb.fetch_end = c_fetch_end;
    x->cb.literal_ready = c_literal_ready;
    x->cb.error = c_error;
    x->outlen = 0;
    x->si = 0;
    x->fed = 0;
    x->lit_ready = 0;
    x->lit_i = 0;
    x->hook_i = 0;
    r = mw_imap_client_init(&x->c, cfg, &x->cb, x, x->frame, sizeof x->frame);
    assert_int_equal(r, MW_OK);
}

/* A fresh client with the default configuration (plus arena). */
static cli *cli_new(void)
{
    cli *x = calloc(1, sizeof *x);
    assert_non_null(x);
    evlog_init(&x->own);
    x->log = &x->own;
    mw_imap_client_config_init(&x->cfg);
    x->cfg.arena = x->arena;
    x->cfg.arena_len = sizeof x->arena;
    cli_init_cfg(x, &x->cfg);
    return x;
}

static void cli_free(cli *x)
{
    evlog_free(&x->own);
    free(x);
}

/* Feed a server string whole; return the feed status. */
static int srv(cli *x, const char *s)
{
    size_t used = 0;
    int r = mw_imap_client_feed(&x->c, s, strlen(s), &used);
    if (r == MW_OK)
        assert_int_equal(used, strlen(s));
    return r;
}

/* The bytes sent since the last call, compared with `want`. */
static void sent(cli *x, const char *want)
{
    size_t n = strlen(want);
    if (x->outlen != n || memcmp(x->out, want, n) != 0) {
        print_error("sent: %.*s\nwant: %s\n", (int)x->outlen, x->out, want);
        fail_msg("wire form differs");
    }
    x->outlen = 0;
}

/* ... and the server completes it: "<tag> OK done". */
static void sent_ok(cli *x, const char *want)
{
    char line[64];
    size_t k = strcspn(want, " ");
    sent(x, want);
    assert_true(k < 40);
    snprintf(line, sizeof line, "%.*s OK done\r\n", (int)k, want);
    assert_int_equal(srv(x, line), MW_OK);
}

static void nothing_sent(cli *x)
{
    assert_int_equal(x->outlen, 0);
}

/* A client past the greeting (state NOT AUTHENTICATED), caps given. */
static cli *cli_greeted(const char *caps)
{
    cli *x = cli_new();
    char g[512];
    if (caps != NULL)
        snprintf(g, sizeof g, "* OK [CAPABILITY %s] ready\r\n", caps);
    else
        snprintf(g, sizeof g, "* OK ready\r\n");
    assert_int_equal(srv(x, g), MW_OK);
    assert_int_equal(mw_imap_client_state(&x->c),
                     MW_IMAP_STATE_NOT_AUTHENTICATED);
    return x;
}

/* ... then logged in (tag A1). */
static cli *cli_authed(const char *caps)
{
    cli *x = cli_greeted(caps);
    assert_int_equal(mw_imap_client_login(&x->c, S_("u"), S_("p"), NULL),
                     MW_OK);
    assert_int_equal(srv(x, "A1 OK done\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_state(&x->c),
                     MW_IMAP_STATE_AUTHENTICATED);
    x->outlen = 0;
    return x;
}

/* ... then INBOX selected (tag A2). */
static cli *cli_selected(const char *caps)
{
    cli *x = cli_authed(caps);
    assert_int_equal(mw_imap_client_select(&x->c, S_("INBOX"), NULL, NULL),
                     MW_OK);
    assert_int_equal(srv(x, "A2 OK [READ-WRITE] done\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_state(&x->c), MW_IMAP_STATE_SELECTED);
    x->outlen = 0;
    return x;
}

/* ---- replay glue -------------------------------------------------------- */

static void r_reset(void *ctx, evlog *log)
{
    cli *x = ctx;
    x->log = log;
    cli_init_cfg(x, &x->cfg);
}

static int r_feed(void *ctx, const char *p, size_t n, size_t *consumed)
{
    cli *x = ctx;
    size_t lim = n;
    int r;
    /* Emulate the TLS layer: bytes from tls_at on come "through TLS",
     * after mw_imap_client_tls_done(). */
    if (x->tls_at > 0 && x->fed < x->tls_at && x->fed + n > x->tls_at)
        lim = x->tls_at - x->fed;
    r = mw_imap_client_feed(&x->c, p, lim, consumed);
    x->fed += *consumed;
    if (mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_TLS) {
        evlog_printf(x->log, "tls at %zu", x->fed);
        assert_int_equal(mw_imap_client_tls_done(&x->c), MW_OK);
        next_step(x);
    }
    if (r == MW_OK && *consumed < n)
        r = MW_PAUSED;
    return r;
}

static const replay_ops r_ops = {r_reset, r_feed, NULL};

/* Replay the server side; the script's commands must form `client`. */
static void replay_session(cli *x, const char *server, const char *client)
{
    evlog whole;
    evlog_init(&whole);
    replay_check(&r_ops, x, server, strlen(server), &whole);
    /* the last run (whole input) left its output in x->out */
    {
        evlog tmp;
        evlog_init(&tmp);
        (void)replay_run(&r_ops, x, server, strlen(server), NULL, 0, &tmp);
        evlog_free(&tmp);
    }
    if (x->outlen != strlen(client) ||
        memcmp(x->out, client, x->outlen) != 0) {
        print_error("client sent:\n%.*s\nwant:\n%s\n", (int)x->outlen, x->out,
                    client);
        fail_msg("client side differs from the transcript");
    }
    x->log = &x->own;
    evlog_free(&whole);
}

/* ====================================================================== */
/* RFC 3501 §8 sample session                                              */

static int s_login_mrc(cli *x)
{
    return mw_imap_client_login(&x->c, S_("mrc"), S_("secret"), NULL);
}
static int s_select_inbox(cli *x)
{
    return mw_imap_client_select(&x->c, S_("inbox"), NULL, NULL);
}
static int s_fetch12_full(cli *x)
{
    char ib[32];
    mw_imap_items it;
    mw_imap_seqset set;
    mw_imap_items_init(&it, ib, sizeof ib);
    mw_imap_items_add(&it, MW_IMAP_ITEM_FULL);
    assert_int_equal(mw_imap_seqset_parse(S_("12"), &set, NULL), MW_OK);
    return mw_imap_client_fetch(&x->c, &set, &it, NULL, NULL);
}
static int s_fetch12_header(cli *x)
{
    char ib[32];
    mw_imap_items it;
    mw_imap_seqset set;
    mw_imap_section s;
    memset(&s, 0, sizeof s);
    s.item = MW_IMAP_SECT_BODY;
    s.text = MW_IMAP_SECT_HEADER;
    mw_imap_items_init(&it, ib, sizeof ib);
    mw_imap_items_section(&it, &s);
    assert_int_equal(mw_imap_seqset_parse(S_("12"), &set, NULL), MW_OK);
    return mw_imap_client_fetch(&x->c, &set, &it, NULL, NULL);
}
static int s_store12_deleted(cli *x)
{
    mw_imap_store_params p;
    mw_imap_seqset set;
    memset(&p, 0, sizeof p);
    p.mode = MW_IMAP_CLIENT_STORE_ADD;
    p.flags.system = MW_IMAP_FLAG_DELETED;
    assert_int_equal(mw_imap_seqset_parse(S_("12"), &set, NULL), MW_OK);
    return mw_imap_client_store(&x->c, &set, &p, NULL);
}
static int s_logout(cli *x)
{
    return mw_imap_client_logout(&x->c, NULL);
}

/* The header of the sample message (RFC 3501 §8 / RFC 9051 §8 show it as
 * the 342-octet literal of BODY[HEADER]). */
static const char hdr3501[] =
    "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n"
    "From: Terry Gray <gray@cac.washington.edu>\r\n"
    "Subject: IMAP4rev1 WG mtg summary and minutes\r\n"
    "To: imap@cac.washington.edu\r\n"
    "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n"
    "Message-Id: <B27397-0100000@cac.washington.edu>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
    "\r\n";

static void test_rfc3501_session(void **state)
{
    static const step_fn steps[] = {s_login_mrc, s_select_inbox,
                                    s_fetch12_full, s_fetch12_header,
                                    s_store12_deleted, s_logout, NULL};
    cli *x = cli_new();
    char server[4096];
    (void)state;
    assert_int_equal(sizeof hdr3501 - 1, 342);
    snprintf(
        server, sizeof server,
        "* OK IMAP4rev1 Service Ready\r\n"
        "a001 OK LOGIN completed\r\n"
        "* 18 EXISTS\r\n"
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
        "* 2 RECENT\r\n"
        "* OK [UNSEEN 17] Message 17 is the first unseen message\r\n"
        "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"
        "a002 OK [READ-WRITE] SELECT completed\r\n"
        "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 "
        "-0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 "
        "-0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry "
        "Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL "
        "\"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" "
        "\"cac.washington.edu\")) ((NIL NIL \"imap\" "
        "\"cac.washington.edu\")) ((NIL NIL \"minutes\" "
        "\"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" "
        "\"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") "
        "BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL "
        "\"7BIT\" 3028 92))\r\n"
        "a003 OK FETCH completed\r\n"
        "* 12 FETCH (BODY[HEADER] {342}\r\n%s)\r\n"
        "a004 OK FETCH completed\r\n"
        "* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n"
        "a005 OK +FLAGS completed\r\n"
        "* BYE IMAP4rev1 server terminating connection\r\n"
        "a006 OK LOGOUT completed\r\n",
        hdr3501);
    /* Tags: prefix "a00" and the counter from 1 give the RFC's a001..a006.
     * The RFC writes the commands in lower case and the STORE flag bare;
     * the formatter writes upper-case names and a flag list. */
    x->cfg.tag_prefix = "a00";
    x->steps = steps;
    replay_session(x,
                   server,
                   "a001 LOGIN mrc secret\r\n"
                   "a002 SELECT inbox\r\n"
                   "a003 FETCH 12 FULL\r\n"
                   "a004 FETCH 12 BODY[HEADER]\r\n"
                   "a005 STORE 12 +FLAGS (\\Deleted)\r\n"
                   "a006 LOGOUT\r\n");
    assert_true(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_CLOSED);
    cli_free(x);
}


/* ====================================================================== */
/* RFC 9051 §8 sample session                                              */

/* SCRAM-SHA-256 messages of the RFC 9051 §8 exchange (base64 as the RFC
 * shows them), answered by a mechanism hook that returns them decoded. */
static const char scram_c1[] = "biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=";
static const char scram_c2[] =
    "Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0Fm"
    "dXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empm"
    "TUhnc3FtbWl6N0FuZFZRPQ==";

static char scram_raw[2][256];
static size_t scram_rawlen[3];

static int scram_hook(void *u, const char *ch, size_t clen, char *resp,
                      size_t cap, size_t *rlen)
{
    cli *x = u;
    int i = x->hook_i++;
    (void)ch;
    (void)clen;
    if (i == 0 || i == 1) {
        assert_true(scram_rawlen[i] <= cap);
        memcpy(resp, scram_raw[i], scram_rawlen[i]);
        *rlen = scram_rawlen[i];
        return MW_OK;
    }
    *rlen = 0; /* the server-final message needs an empty response */
    return MW_DONE;
}

static int s_starttls(cli *x) { return mw_imap_client_starttls(&x->c, NULL); }
static int s_capability(cli *x)
{
    return mw_imap_client_capability(&x->c, NULL);
}
static int s_auth_scram(cli *x)
{
    return mw_imap_client_authenticate(&x->c, "SCRAM-SHA-256", scram_hook, x,
                                       NULL);
}
static int s_enable_rev2(cli *x)
{
    static const char *const n[] = {"IMAP4rev2"};
    return mw_imap_client_enable(&x->c, n, 1, NULL);
}

static void test_rfc9051_session(void **state)
{
    static const step_fn steps[] = {s_starttls, s_capability, s_auth_scram,
                                    s_enable_rev2, s_select_inbox,
                                    s_fetch12_full, s_fetch12_header,
                                    s_store12_deleted, s_logout, NULL};
    cli *x = cli_new();
    char server[4096], hdr[512];
    const char *pre =
        "* OK [CAPABILITY STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED "
        "IMAP4rev2] IMAP4rev2 Service Ready\r\n"
        "A1 OK Proceed with TLS negotiation\r\n";
    (void)state;
    assert_int_equal(mw_base64_decode(S_(scram_c1), scram_raw[0], 256,
                                      &scram_rawlen[0], 0, NULL),
                     MW_OK);
    assert_int_equal(mw_base64_decode(S_(scram_c2), scram_raw[1], 256,
                                      &scram_rawlen[1], 0, NULL),
                     MW_OK);
    /* The RFC 9051 header is the RFC 3501 one with "IMAP4rev2" in the
     * subject: 342 octets all the same. */
    memcpy(hdr, hdr3501, sizeof hdr3501);
    memcpy(strstr(hdr, "IMAP4rev1"), "IMAP4rev2", 9);
    /* The server's lines are RFC 9051 §8's, byte for byte (the lines the
     * RFC breaks "for editorial clarity" joined as its grammar wants),
     * but for two things a client cannot copy:
     * - the tags are the client's own (prefix + counter): A1..A9 for the
     *   RFC's a000, A001, babc, a002..a006;
     * - after STARTTLS the client asks for the capabilities again before
     *   AUTHENTICATE (A2): RFC 9051 §6.2.1 makes it forget the ones learnt
     *   in clear, and without them it would not know that SASL-IR (part
     *   of IMAP4rev2) may be used. The sample goes straight on.
     * Note the envelope's Message-ID "...washington.ed>": the RFC's text
     * (the header literal says ".edu>"). */
    snprintf(
        server, sizeof server,
        "%s"
        "* CAPABILITY IMAP4rev2 AUTH=SCRAM-SHA-256\r\n"
        "A2 OK done\r\n"
        "+ cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGop"
        "aE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=\r\n"
        "+ dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0"
        "PQ==\r\n"
        "A3 OK SCRAM-SHA-256 authentication successful\r\n"
        "* ENABLED IMAP4rev2\r\n"
        "A4 OK Some capabilities enabled\r\n"
        "* 18 EXISTS\r\n"
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
        "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"
        "* LIST () \"/\" INBOX (\"OLDNAME\" (\"inbox\"))\r\n"
        "A5 OK [READ-WRITE] SELECT completed\r\n"
        "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 "
        "-0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 "
        "-0700 (PDT)\" \"IMAP4rev2 WG mtg summary and minutes\" ((\"Terry "
        "Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL "
        "\"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" "
        "\"cac.washington.edu\")) ((NIL NIL \"imap\" "
        "\"cac.washington.edu\")) ((NIL NIL \"minutes\" "
        "\"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" "
        "\"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.ed>\") "
        "BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL "
        "\"7BIT\" 3028 92))\r\n"
        "A6 OK FETCH completed\r\n"
        "* 12 FETCH (BODY[HEADER] {342}\r\n%s)\r\n"
        "A7 OK FETCH completed\r\n"
        "* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n"
        "A8 OK +FLAGS completed\r\n"
        "* BYE IMAP4rev2 server terminating connection\r\n"
        "A9 OK LOGOUT completed\r\n",
        pre, hdr);
    x->steps = steps;
    x->tls_at = strlen(pre);
    replay_session(
        x, server,
        "A1 STARTTLS\r\n"
        "A2 CAPABILITY\r\n"
        "A3 AUTHENTICATE SCRAM-SHA-256 "
        "biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=\r\n"
        "Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0Fm"
        "dXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empm"
        "TUhnc3FtbWl6N0FuZFZRPQ==\r\n"
        "\r\n"
        "A4 ENABLE IMAP4rev2\r\n"
        "A5 SELECT inbox\r\n"
        "A6 FETCH 12 FULL\r\n"
        "A7 FETCH 12 BODY[HEADER]\r\n"
        "A8 STORE 12 +FLAGS (\\Deleted)\r\n"
        "A9 LOGOUT\r\n");
    assert_int_equal(mw_imap_client_enabled(&x->c),
                     MW_IMAP_CLIENT_ENABLED_IMAP4REV2);
    cli_free(x);
}

/* A session with every round trip the machine drives itself: a
 * synchronising literal in LOGIN, IDLE ended from the "+" callback, an
 * APPEND streamed from literal_ready, a FETCH body literal. */
static const char msg21[] = "Subject: hi\r\n\r\nbody\r\n";

static int s_login_lit(cli *x)
{
    return mw_imap_client_login(&x->c, S_("fred"), S_("p\xc3\xa4ss"), NULL);
}
static int s_select_INBOX(cli *x)
{
    return mw_imap_client_select(&x->c, S_("INBOX"), NULL, NULL);
}
static int s_idle(cli *x)
{
    x->idle_done_on_cont = 1;
    return mw_imap_client_idle(&x->c, NULL);
}
static int s_append_draft(cli *x)
{
    static const mw_imap_flag_set fl = {MW_IMAP_FLAG_DRAFT, NULL, 0};
    mw_imap_append_msg m;
    memset(&m, 0, sizeof m);
    m.flags = &fl;
    m.size = sizeof msg21 - 1;
    x->idle_done_on_cont = 0;
    x->append_data = msg21;
    x->append_len = sizeof msg21 - 1;
    return mw_imap_client_append(&x->c, S_("Drafts"), &m, NULL);
}
static int s_fetch_body(cli *x)
{
    char ib[32];
    mw_imap_items it;
    mw_imap_seqset set;
    mw_imap_section sec;
    memset(&sec, 0, sizeof sec);
    sec.item = MW_IMAP_SECT_BODY_PEEK;
    mw_imap_items_init(&it, ib, sizeof ib);
    mw_imap_items_section(&it, &sec);
    assert_int_equal(mw_imap_seqset_parse(S_("4"), &set, NULL), MW_OK);
    return mw_imap_client_fetch(&x->c, &set, &it, NULL, NULL);
}

static void test_round_trips_session(void **state)
{
    static const step_fn steps[] = {s_login_lit, s_select_INBOX, s_idle,
                                    s_append_draft, s_fetch_body, s_logout,
                                    NULL};
    cli *x = cli_new();
    char server[2048];
    (void)state;
    snprintf(server, sizeof server,
             "* OK [CAPABILITY IMAP4rev1 IDLE MULTIAPPEND] ready\r\n"
             "+ Ready for literal data\r\n"
             "A1 OK logged in\r\n"
             "* 3 EXISTS\r\n"
             "A2 OK [READ-WRITE] done\r\n"
             "+ idling\r\n"
             "* 4 EXISTS\r\n"
             "A3 OK IDLE terminated\r\n"
             "+ go ahead\r\n"
             "A4 OK [APPENDUID 1 5] done\r\n"
             "* 4 FETCH (BODY[] {21}\r\n%s)\r\n"
             "A5 OK done\r\n"
             "* BYE bye\r\n"
             "A6 OK done\r\n",
             msg21);
    x->steps = steps;
    replay_session(x, server,
                   "A1 LOGIN fred {5}\r\n"
                   "p\xc3\xa4ss\r\n"
                   "A2 SELECT INBOX\r\n"
                   "A3 IDLE\r\n"
                   "DONE\r\n"
                   "A4 APPEND Drafts (\\Draft) {21}\r\n"
                   "Subject: hi\r\n\r\nbody\r\n\r\n"
                   "A5 FETCH 4 BODY.PEEK[]\r\n"
                   "A6 LOGOUT\r\n");
    cli_free(x);
}

/* ====================================================================== */
/* Wire forms                                                              */

static void test_wire_any_state(void **state)
{
    cli *x = cli_greeted(NULL);
    uint32_t h = 0;
    mw_span f[3], v[3];
    (void)state;
    assert_int_equal(mw_imap_client_capability(&x->c, &h), MW_OK);
    assert_int_equal(h, 1);
    sent(x, "A1 CAPABILITY\r\n");
    assert_int_equal(mw_imap_client_noop(&x->c, &h), MW_OK);
    assert_int_equal(h, 2);
    sent(x, "A2 NOOP\r\n");
    /* RFC 2971 §3.1's example */
    f[0] = mw__span("name", 4);
    v[0] = mw__span("sodr", 4);
    f[1] = mw__span("version", 7);
    v[1] = mw__span("19.34", 5);
    f[2] = mw__span("vendor", 6);
    v[2] = mw__span("Pink Floyd Music Limited", 24);
    assert_int_equal(mw_imap_client_id(&x->c, f, v, 3, NULL), MW_OK);
    sent(x, "A3 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" "
            "\"Pink Floyd Music Limited\")\r\n");
    assert_int_equal(mw_imap_client_id(&x->c, NULL, NULL, 0, NULL), MW_OK);
    sent(x, "A4 ID NIL\r\n");
    v[0] = mw__span(NULL, 0);
    assert_int_equal(mw_imap_client_id(&x->c, f, v, 1, NULL), MW_OK);
    sent(x, "A5 ID (\"name\" NIL)\r\n");
    assert_int_equal(
        mw_imap_client_command(&x->c, S_("XYZZY 1"), MW_IMAP_CMD_OTHER, &h),
        MW_OK);
    assert_int_equal(h, 6);
    sent(x, "A6 XYZZY 1\r\n");
    assert_int_equal(mw_imap_client_logout(&x->c, NULL), MW_OK);
    sent(x, "A7 LOGOUT\r\n");
    /* nothing after LOGOUT */
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_E_STATE);
    nothing_sent(x);
    cli_free(x);
}

static void test_wire_not_authenticated(void **state)
{
    cli *x = cli_greeted("IMAP4rev1 STARTTLS");
    (void)state;
    /* RFC 3501 §6.2.3 example */
    assert_int_equal(mw_imap_client_login(&x->c, S_("SMITH"), S_("SESAME"),
                                          NULL),
                     MW_OK);
    sent(x, "A1 LOGIN SMITH SESAME\r\n");
    assert_int_equal(srv(x, "A1 NO bad\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_state(&x->c),
                     MW_IMAP_STATE_NOT_AUTHENTICATED);
    /* quoted strings with escapes; an empty password; "NIL" quoted */
    assert_int_equal(mw_imap_client_login(&x->c, S_("John \"J\" Doe"),
                                          S_("a\\b"), NULL),
                     MW_OK);
    sent(x, "A2 LOGIN \"John \\\"J\\\" Doe\" \"a\\\\b\"\r\n");
    assert_int_equal(srv(x, "A2 NO bad\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_login(&x->c, S_("NIL"), "", 0, NULL),
                     MW_OK);
    sent(x, "A3 LOGIN \"NIL\" \"\"\r\n");
    assert_int_equal(srv(x, "A3 NO bad\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_starttls(&x->c, NULL), MW_OK);
    sent(x, "A4 STARTTLS\r\n");
    cli_free(x);
}

static void test_wire_authenticated(void **state)
{
    cli *x = cli_authed(NULL);
    static const char *const en[] = {"CONDSTORE", "X-GOOD-IDEA"};
    mw_imap_select_params sp;
    mw_imap_list_params lp;
    mw_imap_seqset known, mseq, muid;
    mw_span pats[3];
    mw_imap_setquota_limit ql[2];
    (void)state;
    /* RFC 5161 §4 */
    assert_int_equal(mw_imap_client_enable(&x->c, en, 2, NULL), MW_OK);
    sent_ok(x, "A2 ENABLE CONDSTORE X-GOOD-IDEA\r\n");
    /* RFC 3501 §6.3.x examples */
    assert_int_equal(mw_imap_client_examine(&x->c, S_("blurdybloop"), NULL,
                                            NULL),
                     MW_OK);
    sent_ok(x, "A3 EXAMINE blurdybloop\r\n");
    assert_int_equal(mw_imap_client_create(&x->c, S_("owatagusiam/"), NULL),
                     MW_OK);
    sent_ok(x, "A4 CREATE owatagusiam/\r\n");
    assert_int_equal(mw_imap_client_delete(&x->c, S_("blurdybloop"), NULL),
                     MW_OK);
    sent_ok(x, "A5 DELETE blurdybloop\r\n");
    assert_int_equal(mw_imap_client_rename(&x->c, S_("blurdybloop"),
                                           S_("sarasoop"), NULL),
                     MW_OK);
    sent_ok(x, "A6 RENAME blurdybloop sarasoop\r\n");
    assert_int_equal(mw_imap_client_subscribe(&x->c,
                                              S_("#news.comp.mail.mime"),
                                              NULL),
                     MW_OK);
    sent_ok(x, "A7 SUBSCRIBE #news.comp.mail.mime\r\n");
    assert_int_equal(mw_imap_client_unsubscribe(&x->c,
                                                S_("#news.comp.mail.mime"),
                                                NULL),
                     MW_OK);
    sent_ok(x, "A8 UNSUBSCRIBE #news.comp.mail.mime\r\n");
    assert_int_equal(mw_imap_client_list(&x->c, "", 0, "", 0, NULL, NULL),
                     MW_OK);
    sent_ok(x, "A9 LIST \"\" \"\"\r\n");
    assert_int_equal(mw_imap_client_list(&x->c, S_("~/Mail/"), S_("%"), NULL,
                                         NULL),
                     MW_OK);
    sent_ok(x, "A10 LIST ~/Mail/ %\r\n");
    assert_int_equal(mw_imap_client_lsub(&x->c, S_("#news."), S_("comp.mail.*"),
                                         NULL),
                     MW_OK);
    sent_ok(x, "A11 LSUB #news. comp.mail.*\r\n");
    /* RFC 5258 §5 */
    memset(&lp, 0, sizeof lp);
    lp.select = MW_IMAP_CLIENT_LISTSEL_SUBSCRIBED |
                MW_IMAP_CLIENT_LISTSEL_RECURSIVEMATCH;
    lp.ret = MW_IMAP_CLIENT_LISTRET_CHILDREN;
    assert_int_equal(mw_imap_client_list(&x->c, "", 0, S_("%"), &lp, NULL),
                     MW_OK);
    sent_ok(x, "A12 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (CHILDREN)\r\n");
    memset(&lp, 0, sizeof lp);
    pats[0] = mw__span("INBOX", 5);
    pats[1] = mw__span("Drafts", 6);
    pats[2] = mw__span("Sent/%", 6);
    lp.patterns = pats;
    lp.npatterns = 3;
    assert_int_equal(mw_imap_client_list(&x->c, "", 0, NULL, 0, &lp, NULL),
                     MW_OK);
    sent_ok(x, "A13 LIST \"\" (INBOX Drafts Sent/%)\r\n");
    /* RFC 5819 §2 */
    memset(&lp, 0, sizeof lp);
    lp.ret = MW_IMAP_CLIENT_LISTRET_STATUS;
    lp.status_items = MW_IMAP_STATUS_MESSAGES | MW_IMAP_STATUS_UNSEEN;
    assert_int_equal(mw_imap_client_list(&x->c, "", 0, S_("%"), &lp, NULL),
                     MW_OK);
    sent_ok(x, "A14 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))\r\n");
    /* RFC 6154 §5.1 */
    memset(&lp, 0, sizeof lp);
    lp.select = MW_IMAP_CLIENT_LISTSEL_SPECIAL_USE;
    assert_int_equal(mw_imap_client_list(&x->c, "", 0, S_("*"), &lp, NULL),
                     MW_OK);
    sent_ok(x, "A15 LIST (SPECIAL-USE) \"\" *\r\n");
    /* RECURSIVEMATCH alone is refused (RFC 5258 §3.1) */
    lp.select = MW_IMAP_CLIENT_LISTSEL_RECURSIVEMATCH;
    assert_int_equal(mw_imap_client_list(&x->c, "", 0, S_("*"), &lp, NULL),
                     MW_E_INVAL);
    nothing_sent(x);
    assert_int_equal(mw_imap_client_namespace(&x->c, NULL), MW_OK);
    sent_ok(x, "A16 NAMESPACE\r\n");
    assert_int_equal(mw_imap_client_status(&x->c, S_("blurdybloop"),
                                           MW_IMAP_STATUS_UIDNEXT |
                                               MW_IMAP_STATUS_MESSAGES,
                                           NULL),
                     MW_OK);
    sent_ok(x, "A17 STATUS blurdybloop (MESSAGES UIDNEXT)\r\n");
    assert_int_equal(mw_imap_client_status(&x->c, S_("x"), 0x07FFu, NULL),
                     MW_OK);
    sent_ok(x, "A18 STATUS x (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN "
            "DELETED SIZE HIGHESTMODSEQ APPENDLIMIT MAILBOXID "
            "DELETED-STORAGE)\r\n");
    assert_int_equal(mw_imap_client_status(&x->c, S_("x"), 0, NULL),
                     MW_E_INVAL);
    /* RFC 7162 §3.1.8 / §3.2.5 */
    memset(&sp, 0, sizeof sp);
    sp.condstore = 1;
    assert_int_equal(mw_imap_client_select(&x->c, S_("INBOX"), &sp, NULL),
                     MW_OK);
    sent_ok(x, "A19 SELECT INBOX (CONDSTORE)\r\n");
    memset(&sp, 0, sizeof sp);
    sp.qresync = 1;
    sp.uidvalidity = 67890007;
    sp.modseq = 20050715194045000ull;
    assert_int_equal(mw_imap_seqset_parse(S_("41,43:211,214:541"), &known,
                                          NULL),
                     MW_OK);
    sp.known_uids = &known;
    assert_int_equal(mw_imap_client_select(&x->c, S_("INBOX"), &sp, NULL),
                     MW_OK);
    sent_ok(x, "A20 SELECT INBOX (QRESYNC (67890007 20050715194045000 "
            "41,43:211,214:541))\r\n");
    assert_int_equal(mw_imap_seqset_parse(S_("1:5,8"), &mseq, NULL), MW_OK);
    assert_int_equal(mw_imap_seqset_parse(S_("41:45,60"), &muid, NULL), MW_OK);
    sp.match_seqs = &mseq;
    sp.match_uids = &muid;
    assert_int_equal(mw_imap_client_examine(&x->c, S_("INBOX"), &sp, NULL),
                     MW_OK);
    sent_ok(x, "A21 EXAMINE INBOX (QRESYNC (67890007 20050715194045000 "
            "41,43:211,214:541 (1:5,8 41:45,60)))\r\n");
    sp.known_uids = NULL; /* match data needs known UIDs */
    assert_int_equal(mw_imap_client_select(&x->c, S_("INBOX"), &sp, NULL),
                     MW_E_INVAL);
    nothing_sent(x);
    /* RFC 9208 §4 */
    assert_int_equal(mw_imap_client_getquota(&x->c, "", 0, NULL), MW_OK);
    sent_ok(x, "A22 GETQUOTA \"\"\r\n");
    assert_int_equal(mw_imap_client_getquotaroot(&x->c, S_("INBOX"), NULL),
                     MW_OK);
    sent_ok(x, "A23 GETQUOTAROOT INBOX\r\n");
    ql[0].resource = "STORAGE";
    ql[0].limit = 512;
    ql[1].resource = "MESSAGE";
    ql[1].limit = 1000;
    assert_int_equal(mw_imap_client_setquota(&x->c, "", 0, ql, 1, NULL),
                     MW_OK);
    sent_ok(x, "A24 SETQUOTA \"\" (STORAGE 512)\r\n");
    assert_int_equal(mw_imap_client_setquota(&x->c, S_("#user/a"), ql, 2,
                                             NULL),
                     MW_OK);
    sent_ok(x, "A25 SETQUOTA #user/a (STORAGE 512 MESSAGE 1000)\r\n");
    assert_int_equal(mw_imap_client_setquota(&x->c, S_("r"), NULL, 0, NULL),
                     MW_OK);
    sent_ok(x, "A26 SETQUOTA r ()\r\n");
    cli_free(x);
}

static void test_wire_selected(void **state)
{
    cli *x = cli_selected(NULL);
    mw_imap_seqset set;
    mw_imap_query q;
    char qb[256], ib[256];
    mw_imap_datetime d;
    mw_imap_items it;
    mw_imap_section sec;
    mw_imap_search_params sp;
    mw_imap_fetch_params fp;
    mw_imap_store_params stp;
    static const char *const fields[] = {"DATE", "FROM"};
    static const char *const kw[] = {"$Forwarded"};
    int crit[2];
    (void)state;
    assert_int_equal(mw_imap_client_check(&x->c, NULL), MW_OK);
    sent_ok(x, "A3 CHECK\r\n");
    assert_int_equal(mw_imap_client_expunge(&x->c, NULL), MW_OK);
    sent_ok(x, "A4 EXPUNGE\r\n");
    /* RFC 4315 §2.1 */
    assert_int_equal(mw_imap_seqset_parse(S_("3000:3002"), &set, NULL), MW_OK);
    assert_int_equal(mw_imap_client_uid_expunge(&x->c, &set, NULL), MW_OK);
    sent_ok(x, "A5 UID EXPUNGE 3000:3002\r\n");
    /* RFC 3501 §6.4.4 */
    memset(&d, 0, sizeof d);
    d.year = 1994;
    d.month = 2;
    d.day = 1;
    mw_imap_query_init(&q, qb, sizeof qb);
    mw_imap_query_key(&q, MW_IMAP_QUERY_FLAGGED);
    mw_imap_query_date(&q, MW_IMAP_QUERY_SINCE, &d);
    mw_imap_query_not(&q);
    mw_imap_query_string(&q, MW_IMAP_QUERY_FROM, S_("Smith"));
    assert_int_equal(mw_imap_client_search(&x->c, &q, NULL, NULL), MW_OK);
    sent_ok(x, "A6 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n");
    /* RFC 4731 §4 */
    memset(&sp, 0, sizeof sp);
    sp.ret = MW_IMAP_CLIENT_RETURN_MIN | MW_IMAP_CLIENT_RETURN_COUNT;
    assert_int_equal(mw_imap_client_search(&x->c, &q, &sp, NULL), MW_OK);
    sent_ok(x, "A7 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM "
            "\"Smith\"\r\n");
    sp.ret = MW_IMAP_CLIENT_RETURN_EMPTY;
    sp.uid = 1;
    assert_int_equal(mw_imap_client_search(&x->c, &q, &sp, NULL), MW_OK);
    sent_ok(x, "A8 UID SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM "
            "\"Smith\"\r\n");
    assert_int_equal(x->last_handle, 8);
    /* RFC 5182: SAVE, then "$" */
    mw_imap_query_init(&q, qb, sizeof qb);
    mw_imap_query_key(&q, MW_IMAP_QUERY_UNSEEN);
    sp.uid = 0;
    sp.ret = MW_IMAP_CLIENT_RETURN_SAVE;
    assert_int_equal(mw_imap_client_search(&x->c, &q, &sp, NULL), MW_OK);
    sent_ok(x, "A9 SEARCH RETURN (SAVE) UNSEEN\r\n");
    mw_imap_seqset_saved(&set);
    mw_imap_items_init(&it, ib, sizeof ib);
    mw_imap_items_add(&it, MW_IMAP_ITEM_FLAGS);
    assert_int_equal(mw_imap_client_fetch(&x->c, &set, &it, NULL, NULL),
                     MW_OK);
    sent_ok(x, "A10 FETCH $ FLAGS\r\n");
    /* RFC 3501 §6.4.5 */
    memset(&sec, 0, sizeof sec);
    sec.item = MW_IMAP_SECT_BODY;
    sec.text = MW_IMAP_SECT_FIELDS;
    sec.fields = fields;
    sec.nfields = 2;
    mw_imap_items_init(&it, ib, sizeof ib);
    mw_imap_items_add(&it, MW_IMAP_ITEM_FLAGS);
    mw_imap_items_section(&it, &sec);
    assert_int_equal(mw_imap_seqset_parse(S_("2:4"), &set, NULL), MW_OK);
    assert_int_equal(mw_imap_client_fetch(&x->c, &set, &it, NULL, NULL),
                     MW_OK);
    sent_ok(x, "A11 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n");
    /* RFC 7162 §3.2.6 */
    mw_imap_items_init(&it, ib, sizeof ib);
    mw_imap_items_add(&it, MW_IMAP_ITEM_FLAGS);
    memset(&fp, 0, sizeof fp);
    fp.uid = 1;
    fp.changedsince = 1;
    fp.modseq = 12345;
    fp.vanished = 1;
    assert_int_equal(mw_imap_seqset_parse(S_("300:500"), &set, NULL), MW_OK);
    assert_int_equal(mw_imap_client_fetch(&x->c, &set, &it, &fp, NULL), MW_OK);
    sent_ok(x, "A12 UID FETCH 300:500 FLAGS (CHANGEDSINCE 12345 VANISHED)\r\n");
    fp.uid = 0; /* VANISHED needs UID FETCH */
    assert_int_equal(mw_imap_client_fetch(&x->c, &set, &it, &fp, NULL),
                     MW_E_INVAL);
    nothing_sent(x);
    /* every kind of section, BINARY, partial */
    {
        static const uint32_t parts[] = {1, 2};
        mw_imap_items_init(&it, ib, sizeof ib);
        memset(&sec, 0, sizeof sec);
        sec.item = MW_IMAP_SECT_BODY_PEEK;
        sec.part = parts;
        sec.nparts = 2;
        sec.text = MW_IMAP_SECT_MIME;
        assert_int_equal(mw_imap_items_section(&it, &sec), MW_OK);
        sec.item = MW_IMAP_SECT_BINARY_PEEK;
        sec.text = MW_IMAP_SECT_ALL;
        sec.partial = 1;
        sec.origin = 0;
        sec.length = 1024;
        assert_int_equal(mw_imap_items_section(&it, &sec), MW_OK);
        sec.item = MW_IMAP_SECT_BINARY_SIZE;
        sec.partial = 0;
        sec.nparts = 1;
        assert_int_equal(mw_imap_items_section(&it, &sec), MW_OK);
        sec.item = MW_IMAP_SECT_BODY;
        sec.nparts = 0;
        sec.text = MW_IMAP_SECT_FIELDS_NOT;
        sec.fields = kw; /* any ftext name */
        sec.nfields = 1;
        assert_int_equal(mw_imap_items_section(&it, &sec), MW_OK);
        sec.text = MW_IMAP_SECT_TEXT;
        sec.partial = 1;
        sec.origin = 100;
        sec.length = 5;
        assert_int_equal(mw_imap_items_section(&it, &sec), MW_OK);
        mw_imap_items_add(&it, MW_IMAP_ITEM_PREVIEW_LAZY);
        mw_imap_items_add(&it, MW_IMAP_ITEM_MODSEQ);
        assert_int_equal(mw_imap_seqset_parse(S_("1"), &set, NULL), MW_OK);
        assert_int_equal(mw_imap_client_fetch(&x->c, &set, &it, NULL, NULL),
                         MW_OK);
        sent_ok(x, "A13 FETCH 1 (BODY.PEEK[1.2.MIME] BINARY.PEEK[1.2]<0.1024> "
                "BINARY.SIZE[1] BODY[HEADER.FIELDS.NOT ($Forwarded)] "
                "BODY[TEXT]<100.5> PREVIEW (LAZY) MODSEQ)\r\n");
    }
    /* RFC 3501 §6.4.6 */
    memset(&stp, 0, sizeof stp);
    stp.mode = MW_IMAP_CLIENT_STORE_ADD;
    stp.flags.system = MW_IMAP_FLAG_DELETED;
    assert_int_equal(mw_imap_seqset_parse(S_("2:4"), &set, NULL), MW_OK);
    assert_int_equal(mw_imap_client_store(&x->c, &set, &stp, NULL), MW_OK);
    sent_ok(x, "A14 STORE 2:4 +FLAGS (\\Deleted)\r\n");
    /* RFC 7162 §3.1.3 */
    stp.silent = 1;
    stp.unchangedsince = 1;
    stp.modseq = 320162338;
    assert_int_equal(mw_imap_seqset_parse(S_("7,5,9"), &set, NULL), MW_OK);
    assert_int_equal(mw_imap_client_store(&x->c, &set, &stp, NULL), MW_OK);
    sent_ok(x, "A15 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT "
            "(\\Deleted)\r\n");
    memset(&stp, 0, sizeof stp);
    stp.uid = 1;
    stp.mode = MW_IMAP_CLIENT_STORE_REMOVE;
    stp.flags.system = MW_IMAP_FLAG_SEEN | MW_IMAP_FLAG_ANSWERED |
                       MW_IMAP_FLAG_FLAGGED | MW_IMAP_FLAG_DRAFT;
    stp.flags.keywords = kw;
    stp.flags.nkeywords = 1;
    assert_int_equal(mw_imap_client_store(&x->c, &set, &stp, NULL), MW_OK);
    sent_ok(x, "A16 UID STORE 7,5,9 -FLAGS (\\Seen \\Answered \\Flagged \\Draft "
            "$Forwarded)\r\n");
    memset(&stp, 0, sizeof stp);
    assert_int_equal(mw_imap_client_store(&x->c, &set, &stp, NULL), MW_OK);
    sent_ok(x, "A17 STORE 7,5,9 FLAGS ()\r\n");
    /* RFC 3501 §6.4.7, RFC 6851 §4.4 */
    assert_int_equal(mw_imap_seqset_parse(S_("2:4"), &set, NULL), MW_OK);
    assert_int_equal(mw_imap_client_copy(&x->c, 0, &set, S_("MEETING"),
                                         NULL),
                     MW_OK);
    sent_ok(x, "A18 COPY 2:4 MEETING\r\n");
    assert_int_equal(mw_imap_seqset_parse(S_("42:69"), &set, NULL), MW_OK);
    assert_int_equal(mw_imap_client_move(&x->c, 1, &set, S_("foo"), NULL),
                     MW_OK);
    sent_ok(x, "A19 UID MOVE 42:69 foo\r\n");
    assert_int_equal(x->last_handle, 19);
    /* RFC 5256 §4 */
    mw_imap_query_init(&q, qb, sizeof qb);
    mw_imap_query_date(&q, MW_IMAP_QUERY_SINCE, &d);
    crit[0] = MW_IMAP_CLIENT_SORT_SUBJECT;
    assert_int_equal(mw_imap_client_sort(&x->c, crit, 1, &q, NULL, NULL),
                     MW_OK);
    sent_ok(x, "A20 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994\r\n");
    crit[0] = MW_IMAP_CLIENT_SORT_ARRIVAL | MW_IMAP_CLIENT_SORT_REVERSE;
    crit[1] = MW_IMAP_CLIENT_SORT_DISPLAYFROM;
    memset(&sp, 0, sizeof sp);
    sp.uid = 1;
    sp.charset = "US-ASCII";
    assert_int_equal(mw_imap_client_sort(&x->c, crit, 2, &q, &sp, NULL),
                     MW_OK);
    sent_ok(x, "A21 UID SORT (REVERSE ARRIVAL DISPLAYFROM) US-ASCII SINCE "
            "1-Feb-1994\r\n");
    d.day = 5;
    d.month = 3;
    d.year = 2000;
    mw_imap_query_init(&q, qb, sizeof qb);
    mw_imap_query_date(&q, MW_IMAP_QUERY_SINCE, &d);
    assert_int_equal(mw_imap_client_thread(&x->c, "ORDEREDSUBJECT", &q, NULL,
                                           NULL),
                     MW_OK);
    /* the RFC writes the month "MAR"; months are case-insensitive */
    sent_ok(x, "A22 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-Mar-2000\r\n");
    assert_int_equal(mw_imap_client_unselect(&x->c, NULL), MW_OK);
    sent_ok(x, "A23 UNSELECT\r\n");
    assert_int_equal(mw_imap_client_state(&x->c),
                     MW_IMAP_STATE_AUTHENTICATED);
    /* selected-state commands are refused now */
    assert_int_equal(mw_imap_client_check(&x->c, NULL), MW_E_STATE);
    nothing_sent(x);
    cli_free(x);
}

static void test_wire_close_idle_compress(void **state)
{
    cli *x = cli_selected("IMAP4rev1 IDLE COMPRESS=DEFLATE");
    (void)state;
    assert_int_equal(mw_imap_client_close(&x->c, NULL), MW_OK);
    sent(x, "A3 CLOSE\r\n");
    assert_int_equal(srv(x, "A3 OK done\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_state(&x->c),
                     MW_IMAP_STATE_AUTHENTICATED);
    /* RFC 2177 §3 */
    assert_int_equal(mw_imap_client_idle(&x->c, NULL), MW_OK);
    sent(x, "A4 IDLE\r\n");
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_E_STATE);
    assert_int_equal(srv(x, "+ idling\r\n"), MW_OK);
    assert_int_equal(srv(x, "* 4 EXISTS\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_idle_done(&x->c), MW_OK);
    sent(x, "DONE\r\n");
    assert_int_equal(mw_imap_client_idle_done(&x->c), MW_E_STATE);
    assert_int_equal(srv(x, "A4 OK IDLE terminated\r\n"), MW_OK);
    /* DONE asked for before the "+": sent when it comes */
    assert_int_equal(mw_imap_client_idle(&x->c, NULL), MW_OK);
    sent(x, "A5 IDLE\r\n");
    assert_int_equal(mw_imap_client_idle_done(&x->c), MW_OK);
    nothing_sent(x);
    assert_int_equal(srv(x, "+ idling\r\n"), MW_OK);
    sent(x, "DONE\r\n");
    assert_int_equal(srv(x, "A5 OK done\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_idle_done(&x->c), MW_E_STATE);
    /* RFC 4978 §3 */
    assert_int_equal(mw_imap_client_compress(&x->c, NULL), MW_OK);
    sent(x, "A6 COMPRESS DEFLATE\r\n");
    assert_int_equal(srv(x, "A6 OK DEFLATE active\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_want(&x->c),
                     MW_IMAP_CLIENT_WANT_COMPRESS);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_E_STATE);
    assert_int_equal(mw_imap_client_compress_done(&x->c), MW_OK);
    assert_int_equal(mw_imap_client_compress(&x->c, NULL), MW_E_STATE);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_OK);
    sent(x, "A7 NOOP\r\n");
    cli_free(x);
}

/* ====================================================================== */
/* Literals                                                                */

static void test_literal_sync(void **state)
{
    cli *x = cli_greeted("IMAP4rev1");
    uint32_t h;
    (void)state;
    /* 8-bit needs a literal; without LITERAL+ it is synchronising */
    assert_int_equal(mw_imap_client_login(&x->c, S_("fred"),
                                          S_("p\xc3\xa4ss"), &h),
                     MW_OK);
    sent(x, "A1 LOGIN fred {5}\r\n");
    assert_int_equal(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_SEND,
                     0);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_E_STATE);
    assert_int_equal(srv(x, "+ Ready for literal\r\n"), MW_OK);
    sent(x, "p\xc3\xa4ss\r\n");
    /* the machine took the "+": the application never saw it */
    assert_null(strstr(evlog_str(x->log), "cont:"));
    assert_int_equal(srv(x, "A1 NO wrong\r\n"), MW_OK);
    /* two literals in one command: a round trip each */
    assert_int_equal(mw_imap_client_login(&x->c, S_("a\r\nb"), S_("c\nd"),
                                          NULL),
                     MW_OK);
    sent(x, "A2 LOGIN {4}\r\n");
    assert_int_equal(srv(x, "+ go\r\n"), MW_OK);
    sent(x, "a\r\nb {3}\r\n");
    assert_int_equal(srv(x, "+ go\r\n"), MW_OK);
    sent(x, "c\nd\r\n");
    assert_int_equal(srv(x, "A2 NO wrong\r\n"), MW_OK);
    /* the server refuses the literal: the rest is never sent */
    assert_int_equal(mw_imap_client_login(&x->c, S_("\xc3\xa4"), S_("x"), &h),
                     MW_OK);
    sent(x, "A3 LOGIN {2}\r\n");
    assert_int_equal(srv(x, "A3 BAD no literals here\r\n"), MW_OK);
    nothing_sent(x);
    assert_int_equal(x->last_handle, h);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_OK);
    sent(x, "A4 NOOP\r\n");
    /* a "+" now is nobody's */
    assert_int_equal(srv(x, "+ what\r\n"), MW_OK);
    assert_non_null(strstr(evlog_str(x->log),
                           "error MW_E_SEQUENCE @"));
    nothing_sent(x);
    /* NUL can never be sent in a string */
    assert_int_equal(mw_imap_client_login(&x->c, "a\0b", 3, S_("x"), NULL),
                     MW_E_INVAL);
    nothing_sent(x);
    cli_free(x);
}

static void test_literal_plus_minus(void **state)
{
    cli *x = cli_greeted("IMAP4rev1 LITERAL+");
    char big[5000];
    mw_imap_client_config cfg;
    (void)state;
    assert_int_equal(mw_imap_client_login(&x->c, S_("fred"),
                                          S_("p\xc3\xa4ss"), NULL),
                     MW_OK);
    sent(x, "A1 LOGIN fred {5+}\r\np\xc3\xa4ss\r\n");
    cli_free(x);

    /* MW_IMAP_CLIENT_NO_LITERAL_PLUS */
    x = cli_new();
    x->cfg.flags = MW_IMAP_CLIENT_NO_LITERAL_PLUS;
    cli_init_cfg(x, &x->cfg);
    assert_int_equal(srv(x, "* OK [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n"),
                     MW_OK);
    assert_int_equal(mw_imap_client_login(&x->c, S_("fred"),
                                          S_("p\xc3\xa4ss"), NULL),
                     MW_OK);
    sent(x, "A1 LOGIN fred {5}\r\n");
    cli_free(x);

    /* LITERAL-: non-synchronising up to 4096 octets (RFC 7888 §5), at
     * 4095, 4096 and 4097 */
    memset(big, 'x', sizeof big);
    big[0] = '\n';
    {
        size_t sizes[3] = {4095, 4096, 4097};
        int i;
        for (i = 0; i < 3; i++) {
            char want[64];
            x = cli_new();
            cfg = x->cfg;
            cfg.cmdbuf = x->bigcmd;
            cfg.cmdbuf_len = sizeof x->bigcmd;
            x->cfg = cfg;
            cli_init_cfg(x, &x->cfg);
            assert_int_equal(
                srv(x, "* OK [CAPABILITY IMAP4rev1 LITERAL-] hi\r\n"), MW_OK);
            assert_int_equal(mw_imap_client_login(&x->c, S_("u"), big,
                                                  sizes[i], NULL),
                             MW_OK);
            snprintf(want, sizeof want, "A1 LOGIN u {%zu%s}\r\n", sizes[i],
                     i < 2 ? "+" : "");
            assert_true(x->outlen >= strlen(want));
            assert_memory_equal(x->out, want, strlen(want));
            if (i < 2)
                assert_int_equal(x->outlen, strlen(want) + sizes[i] + 2);
            else
                assert_int_equal(x->outlen, strlen(want));
            cli_free(x);
        }
    }
}

/* The UTF8 data extension (RFC 6855 §4): "UTF8 (~{n}" before the data,
 * ")" after it (before the next message or the CRLF); only with
 * UTF8=ACCEPT (or UTF8=ONLY) offered. */
static void test_append_utf8(void **state)
{
    cli *x = cli_authed("IMAP4rev1 MULTIAPPEND UTF8=ACCEPT");
    mw_imap_append_msg m;
    mw_imap_flag_set fl;
    (void)state;
    memset(&m, 0, sizeof m);
    memset(&fl, 0, sizeof fl);
    fl.system = MW_IMAP_FLAG_DRAFT;
    m.flags = &fl;
    m.size = 4;
    m.utf8 = 1;
    assert_int_equal(mw_imap_client_append(&x->c, S_("Drafts"), &m, NULL),
                     MW_OK);
    sent(x, "A2 APPEND Drafts (\\Draft) UTF8 (~{4}\r\n");
    assert_int_equal(srv(x, "+ go\r\n"), MW_OK);
    /* a literal8: a NUL may come */
    assert_int_equal(mw_imap_client_append_data(&x->c, "\xc3\xa9\0!", 4),
                     MW_OK);
    assert_int_equal(x->outlen, 4);
    assert_memory_equal(x->out, "\xc3\xa9\0!", 4);
    x->outlen = 0;
    memset(&m, 0, sizeof m);
    m.size = 1;
    assert_int_equal(mw_imap_client_append_next(&x->c, &m), MW_OK);
    sent(x, ") {1}\r\n");
    assert_int_equal(srv(x, "+ go\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_append_data(&x->c, "a", 1), MW_OK);
    m.utf8 = 1;
    assert_int_equal(mw_imap_client_append_next(&x->c, &m), MW_OK);
    sent(x, "a UTF8 (~{1}\r\n");
    assert_int_equal(srv(x, "+ go\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_append_data(&x->c, "b", 1), MW_OK);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_OK);
    sent_ok(x, "b)\r\n");
    cli_free(x);
    /* not offered: refused before anything is sent */
    x = cli_authed("IMAP4rev1 MULTIAPPEND");
    memset(&m, 0, sizeof m);
    m.size = 1;
    m.utf8 = 1;
    assert_int_equal(mw_imap_client_append(&x->c, S_("Drafts"), &m, NULL),
                     MW_E_STATE);
    nothing_sent(x);
    m.utf8 = 0;
    assert_int_equal(mw_imap_client_append(&x->c, S_("Drafts"), &m, NULL),
                     MW_OK);
    sent(x, "A2 APPEND Drafts {1}\r\n");
    assert_int_equal(srv(x, "+ go\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_append_data(&x->c, "a", 1), MW_OK);
    m.utf8 = 1;
    assert_int_equal(mw_imap_client_append_next(&x->c, &m), MW_E_STATE);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_OK);
    sent(x, "a\r\n");
    cli_free(x);
    /* UTF8=ONLY implies UTF8=ACCEPT (RFC 6855 §6) */
    x = cli_authed("IMAP4rev1 UTF8=ONLY");
    assert_int_equal(mw_imap_client_append(&x->c, S_("Drafts"), &m, NULL),
                     MW_OK);
    sent(x, "A2 APPEND Drafts UTF8 (~{1}\r\n");
    cli_free(x);
}

static void test_append(void **state)
{
    cli *x = cli_authed("IMAP4rev1 MULTIAPPEND");
    mw_imap_append_msg m;
    mw_imap_flag_set fl;
    mw_imap_datetime d;
    uint32_t h;
    static const char msg[] = "Subject: hi\r\n\r\nbody\r\n";
    (void)state;
    memset(&m, 0, sizeof m);
    memset(&fl, 0, sizeof fl);
    fl.system = MW_IMAP_FLAG_SEEN;
    m.flags = &fl;
    m.size = 310;
    /* RFC 3501 §6.3.11 example (synchronising) */
    assert_int_equal(mw_imap_client_append(&x->c, S_("saved-messages"), &m,
                                           &h),
                     MW_OK);
    sent(x, "A2 APPEND saved-messages (\\Seen) {310}\r\n");
    assert_int_equal(x->lit_ready, 0);
    assert_int_equal(mw_imap_client_append_data(&x->c, "x", 1), MW_E_STATE);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_E_STATE);
    /* refused before the "+": no data */
    assert_int_equal(srv(x, "A2 NO [TOOBIG] too big\r\n"), MW_OK);
    assert_int_equal(x->lit_ready, 0);
    assert_int_equal(mw_imap_client_append_data(&x->c, "x", 1), MW_E_STATE);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_E_STATE);
    nothing_sent(x);
    /* accepted: literal_ready, data in chunks, end */
    memset(&d, 0, sizeof d);
    d.year = 1996;
    d.month = 7;
    d.day = 7;
    d.hour = 2;
    d.minute = 44;
    d.second = 25;
    d.zone = -420;
    m.date = &d;
    m.size = sizeof msg - 1;
    assert_int_equal(mw_imap_client_append(&x->c, S_("saved-messages"), &m,
                                           &h),
                     MW_OK);
    sent(x, "A3 APPEND saved-messages (\\Seen) \"07-Jul-1996 02:44:25 -0700\" "
            "{21}\r\n");
    assert_int_equal(srv(x, "+ Ready for literal data\r\n"), MW_OK);
    assert_int_equal(x->lit_ready, 1);
    assert_int_equal(x->lit_size, sizeof msg - 1);
    assert_true(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_LITERAL);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_E_STATE);
    assert_int_equal(mw_imap_client_append_data(&x->c, msg, 5), MW_OK);
    assert_int_equal(mw_imap_client_append_data(&x->c, msg + 5,
                                                sizeof msg - 5),
                     MW_E_INVAL); /* one byte more than the size */
    assert_int_equal(mw_imap_client_append_data(&x->c, msg + 5,
                                                sizeof msg - 6),
                     MW_OK);
    assert_int_equal(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_LITERAL,
                     0);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_OK);
    sent(x, "Subject: hi\r\n\r\nbody\r\n\r\n");
    assert_int_equal(srv(x, "A3 OK [APPENDUID 38505 3955] APPEND completed\r\n"),
                     MW_OK);
    assert_int_equal(x->last_handle, h);
    /* MULTIAPPEND: two messages streamed from literal_ready */
    x->append_data = msg;
    x->append_len = sizeof msg - 1;
    x->append_more = 1;
    m.flags = NULL;
    m.date = NULL;
    assert_int_equal(mw_imap_client_append(&x->c, S_("INBOX"), &m, &h),
                     MW_OK);
    sent(x, "A4 APPEND INBOX {21}\r\n");
    assert_int_equal(srv(x, "+ go\r\n"), MW_OK);
    sent(x, "Subject: hi\r\n\r\nbody\r\n {21}\r\n");
    assert_int_equal(srv(x, "+ go\r\n"), MW_OK);
    sent(x, "Subject: hi\r\n\r\nbody\r\n\r\n");
    assert_int_equal(srv(x, "A4 OK done\r\n"), MW_OK);
    /* NUL only in literal8 (binary) */
    x->append_data = NULL;
    m.size = 3;
    assert_int_equal(mw_imap_client_append(&x->c, S_("INBOX"), &m, NULL),
                     MW_OK);
    assert_int_equal(srv(x, "+ go\r\n"), MW_OK);
    sent(x, "A5 APPEND INBOX {3}\r\n");
    assert_int_equal(mw_imap_client_append_data(&x->c, "a\0b", 3), MW_E_INVAL);
    assert_int_equal(mw_imap_client_append_data(&x->c, "abc", 3), MW_OK);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_OK);
    sent(x, "abc\r\n");
    assert_int_equal(srv(x, "A5 OK done\r\n"), MW_OK);
    m.binary = 1;
    assert_int_equal(mw_imap_client_append(&x->c, S_("INBOX"), &m, NULL),
                     MW_OK);
    sent(x, "A6 APPEND INBOX ~{3}\r\n");
    assert_int_equal(srv(x, "+ go\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_append_data(&x->c, "a\0b", 3), MW_OK);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_OK);
    assert_int_equal(x->outlen, 5);
    assert_memory_equal(x->out, "a\0b\r\n", 5);
    x->outlen = 0;
    cli_free(x);
}

static void test_append_literal_plus(void **state)
{
    cli *x = cli_authed("IMAP4rev1 LITERAL+");
    mw_imap_append_msg m;
    static const char msg[] = "Subject: x\r\n\r\ny\r\n";
    (void)state;
    memset(&m, 0, sizeof m);
    m.size = sizeof msg - 1;
    x->append_data = msg;
    x->append_len = sizeof msg - 1;
    /* without MULTIAPPEND a second message is refused */
    assert_int_equal(mw_imap_client_append(&x->c, S_("Drafts"), &m, NULL),
                     MW_OK);
    /* literal_ready came at once and the data and CRLF went out */
    assert_int_equal(x->lit_ready, 1);
    sent(x, "A2 APPEND Drafts {17+}\r\nSubject: x\r\n\r\ny\r\n\r\n");
    assert_int_equal(srv(x, "A2 OK done\r\n"), MW_OK);
    x->append_data = NULL;
    assert_int_equal(mw_imap_client_append(&x->c, S_("Drafts"), &m, NULL),
                     MW_OK);
    x->outlen = 0;
    assert_int_equal(mw_imap_client_append_data(&x->c, msg, sizeof msg - 1),
                     MW_OK);
    assert_int_equal(mw_imap_client_append_next(&x->c, &m), MW_E_STATE);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_OK);
    x->outlen = 0;
    /* the server ends the APPEND while data is owed: the session ends
     * (what would follow could be read as commands) */
    assert_int_equal(mw_imap_client_append(&x->c, S_("Drafts"), &m, NULL),
                     MW_OK);
    assert_int_equal(mw_imap_client_append_data(&x->c, msg, 3), MW_OK);
    x->outlen = 0;
    assert_int_equal(srv(x, "A3 OK done\r\nA4 NO too big\r\n"),
                     MW_E_SEQUENCE);
    assert_true(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_CLOSED);
    assert_int_equal(mw_imap_client_append_data(&x->c, msg, 3), MW_E_CLOSED);
    nothing_sent(x);
    cli_free(x);
}

/* ====================================================================== */
/* CATENATE (RFC 4469)                                                     */

/* RFC 4469's first example: a draft rebuilt from parts of message 20 of
 * Drafts and a part of message 30, the MIME boundaries sent as TEXT. */
#define CAT_U "/Drafts;UIDVALIDITY=385759045/;UID="
static const char cat_b1[] = "\r\n--------------030308070208000400050907\r\n";
static const char cat_b2[] =
    "\r\n--------------030308070208000400050907--\r\n";

static int s_login_u(cli *x)
{
    return mw_imap_client_login(&x->c, S_("u"), S_("p"), NULL);
}

/* literal_ready of the example's three TEXT parts */
static int l_catenate_draft(cli *x)
{
    int r;
    switch (x->lit_i) {
    case 0:
        r = mw_imap_client_append_data(&x->c, cat_b1, 10);
        if (r == MW_OK)
            r = mw_imap_client_append_data(&x->c, cat_b1 + 10,
                                           sizeof cat_b1 - 11);
        if (r == MW_OK)
            r = mw_imap_client_catenate_url(&x->c,
                                            S_(CAT_U "20/;section=1.MIME"));
        if (r == MW_OK)
            r = mw_imap_client_catenate_url(&x->c, S_(CAT_U "20/;section=1"));
        if (r == MW_OK)
            r = mw_imap_client_catenate_text(&x->c, sizeof cat_b1 - 1);
        return r;
    case 1:
        r = mw_imap_client_append_data(&x->c, cat_b1, sizeof cat_b1 - 1);
        if (r == MW_OK)
            r = mw_imap_client_catenate_url(&x->c, S_(CAT_U "30"));
        if (r == MW_OK)
            r = mw_imap_client_catenate_text(&x->c, sizeof cat_b2 - 1);
        return r;
    default:
        r = mw_imap_client_append_data(&x->c, cat_b2, sizeof cat_b2 - 1);
        if (r == MW_OK)
            r = mw_imap_client_append_end(&x->c);
        return r;
    }
}

static int s_catenate_draft(cli *x)
{
    static const char *const kw[] = {"$MDNSent"};
    static const mw_imap_flag_set fl = {MW_IMAP_FLAG_SEEN | MW_IMAP_FLAG_DRAFT,
                                        kw, 1};
    int r;
    x->on_lit = l_catenate_draft;
    r = mw_imap_client_catenate(&x->c, S_("Drafts"), &fl, NULL, NULL);
    if (r == MW_OK)
        r = mw_imap_client_catenate_url(&x->c, S_(CAT_U "20/;section=HEADER"));
    if (r == MW_OK)
        r = mw_imap_client_catenate_text(&x->c, sizeof cat_b1 - 1);
    return r;
}

#define CAT_HEAD                                                             \
    "A2 APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE (URL \"" CAT_U      \
    "20/;section=HEADER\" TEXT {42}\r\n"
#define CAT_PART2                                                            \
    "\r\n--------------030308070208000400050907\r\n"                         \
    " URL \"" CAT_U "20/;section=1.MIME\" URL \"" CAT_U                      \
    "20/;section=1\" TEXT {42}\r\n"

/* The example, synchronising: the server's lines whole, per byte and at
 * every split; every TEXT part waits for its "+". Then the same command
 * refused with NO [BADURL] instead of the second "+" (the code as it
 * comes, errata 4046: the URL unquoted). */
static void test_catenate_rfc4469(void **state)
{
    static const step_fn steps[] = {s_login_u, s_catenate_draft, s_logout,
                                    NULL};
    cli *x = cli_new();
    (void)state;
    x->steps = steps;
    replay_session(x,
                   "* OK [CAPABILITY IMAP4rev1 CATENATE] ready\r\n"
                   "A1 OK logged in\r\n"
                   "+ Ready for literal data\r\n"
                   "+ Ready for literal data\r\n"
                   "+ Ready for literal data\r\n"
                   "A2 OK catenate append completed\r\n"
                   "* BYE bye\r\n"
                   "A3 OK done\r\n",
                   "A1 LOGIN u p\r\n" CAT_HEAD CAT_PART2
                   "\r\n--------------030308070208000400050907\r\n"
                   " URL \"" CAT_U "30\" TEXT {44}\r\n"
                   "\r\n--------------030308070208000400050907--\r\n"
                   ")\r\n"
                   "A3 LOGOUT\r\n");
    assert_int_equal(x->lit_i, 3);
    assert_int_equal(x->lit_size, sizeof cat_b2 - 1);
    cli_free(x);

    x = cli_new();
    x->steps = steps;
    replay_session(x,
                   "* OK [CAPABILITY IMAP4rev1 CATENATE] ready\r\n"
                   "A1 OK logged in\r\n"
                   "+ Ready for literal data\r\n"
                   "A2 NO [BADURL " CAT_U "20/;section=1] CATENATE append "
                   "has failed\r\n"
                   "* BYE bye\r\n"
                   "A3 OK done\r\n",
                   "A1 LOGIN u p\r\n" CAT_HEAD CAT_PART2 "A3 LOGOUT\r\n");
    assert_int_equal(x->lit_i, 1);
    /* the named code (RFC 4469 §4.1), `arg` the URL up to "]" */
    assert_int_equal(x->code_id, MW_IMAP_CODE_BADURL);
    assert_string_equal(x->code_name, "BADURL");
    assert_string_equal(x->code_arg, CAT_U "20/;section=1");
    cli_free(x);
}

static void test_catenate_wire(void **state)
{
    cli *x = cli_authed("IMAP4rev1 CATENATE");
    mw_imap_flag_set fl;
    mw_imap_datetime d;
    uint32_t h = 0;
    (void)state;
    memset(&fl, 0, sizeof fl);
    memset(&d, 0, sizeof d);
    fl.system = MW_IMAP_FLAG_SEEN;
    d.year = 1996;
    d.month = 7;
    d.day = 7;
    d.hour = 2;
    d.minute = 44;
    d.second = 25;
    d.zone = -420;
    /* URL parts only, with flags and date: nothing to wait for */
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Sent"), &fl, &d, &h),
                     MW_OK);
    assert_int_equal(h, 2);
    sent(x, "A2 APPEND Sent (\\Seen) \"07-Jul-1996 02:44:25 -0700\" "
            "CATENATE (");
    assert_int_equal(mw_imap_client_want(&x->c) &
                         (MW_IMAP_CLIENT_WANT_SEND |
                          MW_IMAP_CLIENT_WANT_LITERAL),
                     0);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_E_STATE);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_(CAT_U "20")),
                     MW_OK);
    sent(x, "URL \"" CAT_U "20\"");
    assert_int_equal(mw_imap_client_catenate_url(&x->c,
                                                 S_("imap://h/INBOX;"
                                                    "UIDVALIDITY=1/;UID=2")),
                     MW_OK);
    sent(x, " URL \"imap://h/INBOX;UIDVALIDITY=1/;UID=2\"");
    /* quoted-specials are escaped (never a literal) */
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/a\"b\\c d")),
                     MW_OK);
    sent(x, " URL \"/a\\\"b\\\\c d\"");
    assert_int_equal(x->lit_ready, 0);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_OK);
    sent(x, ")\r\n");
    assert_int_equal(srv(x, "A2 OK [APPENDUID 38505 3955] done\r\n"), MW_OK);
    assert_int_equal(x->last_handle, h);
    assert_true(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_SEND);
    /* TEXT parts only, synchronising: each waits for its "+" */
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Drafts"), NULL, NULL,
                                             &h),
                     MW_OK);
    sent(x, "A3 APPEND Drafts CATENATE (");
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 5), MW_OK);
    sent(x, "TEXT {5}\r\n");
    assert_int_equal(x->lit_ready, 0);
    assert_int_equal(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_LITERAL,
                     0);
    assert_int_equal(srv(x, "+ Ready for literal data\r\n"), MW_OK);
    assert_int_equal(x->lit_ready, 1);
    assert_int_equal(x->lit_size, 5);
    assert_true(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_LITERAL);
    assert_int_equal(mw_imap_client_append_data(&x->c, "hel", 3), MW_OK);
    assert_int_equal(mw_imap_client_append_data(&x->c, "lo", 2), MW_OK);
    sent(x, "hello");
    /* an empty part: a literal all the same */
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 0), MW_OK);
    sent(x, " TEXT {0}\r\n");
    assert_int_equal(srv(x, "+ go\r\n"), MW_OK);
    assert_int_equal(x->lit_ready, 2);
    assert_int_equal(x->lit_size, 0);
    assert_int_equal(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_LITERAL,
                     0);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_OK);
    sent(x, ")\r\n");
    assert_int_equal(srv(x, "A3 OK done\r\n"), MW_OK);
    assert_int_equal(x->last_handle, h);
    /* the "+" was the machine's: the application never saw it */
    assert_null(strstr(evlog_str(x->log), "cont:"));

    /* pipelined: the completion of the APPEND before arrives while this
     * one is being written; it does not touch this one */
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Drafts"), NULL, NULL,
                                             NULL),
                     MW_OK);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/a")), MW_OK);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_OK);
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Drafts"), NULL, NULL,
                                             NULL),
                     MW_OK);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/b")), MW_OK);
    sent(x, "A4 APPEND Drafts CATENATE (URL \"/a\")\r\n"
            "A5 APPEND Drafts CATENATE (URL \"/b\"");
    assert_int_equal(srv(x, "A4 OK done\r\n"), MW_OK);
    nothing_sent(x);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/c")), MW_OK);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_OK);
    sent(x, " URL \"/c\")\r\n");
    assert_int_equal(srv(x, "A5 OK done\r\n"), MW_OK);
    cli_free(x);

    /* capabilities unknown: sent, as MULTIAPPEND and UTF8 are */
    x = cli_authed(NULL);
    assert_null(mw_imap_client_caps(&x->c));
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Drafts"), NULL, NULL,
                                             NULL),
                     MW_OK);
    sent(x, "A2 APPEND Drafts CATENATE (");
    cli_free(x);
}

/* LITERAL+ and LITERAL- (RFC 7888) apply to TEXT parts as to messages. */
static void test_catenate_literal_plus(void **state)
{
    cli *x = cli_authed("IMAP4rev1 CATENATE LITERAL+");
    static char big[4097];
    (void)state;
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Drafts"), NULL, NULL,
                                             NULL),
                     MW_OK);
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 5), MW_OK);
    /* literal_ready came at once */
    assert_int_equal(x->lit_ready, 1);
    sent(x, "A2 APPEND Drafts CATENATE (TEXT {5+}\r\n");
    assert_true(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_LITERAL);
    /* data due: no part, no end */
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/x")), MW_E_STATE);
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 1), MW_E_STATE);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_E_STATE);
    nothing_sent(x);
    assert_int_equal(mw_imap_client_append_data(&x->c, "hello", 5), MW_OK);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/x")), MW_OK);
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 2), MW_OK);
    assert_int_equal(x->lit_ready, 2);
    assert_int_equal(mw_imap_client_append_data(&x->c, "ab", 2), MW_OK);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_OK);
    sent(x, "hello URL \"/x\" TEXT {2+}\r\nab)\r\n");
    assert_int_equal(srv(x, "A2 OK done\r\n"), MW_OK);
    cli_free(x);

    /* LITERAL-: non-synchronising up to 4096 octets (RFC 7888 §5) */
    memset(big, 'x', sizeof big);
    x = cli_authed("IMAP4rev1 CATENATE LITERAL-");
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Drafts"), NULL, NULL,
                                             NULL),
                     MW_OK);
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 4096), MW_OK);
    assert_int_equal(x->lit_ready, 1);
    sent(x, "A2 APPEND Drafts CATENATE (TEXT {4096+}\r\n");
    assert_int_equal(mw_imap_client_append_data(&x->c, big, 4096), MW_OK);
    x->outlen = 0;
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 4097), MW_OK);
    sent(x, " TEXT {4097}\r\n");
    assert_int_equal(x->lit_ready, 1);
    assert_int_equal(srv(x, "+ go\r\n"), MW_OK);
    assert_int_equal(x->lit_ready, 2);
    cli_free(x);

    /* MW_IMAP_CLIENT_NO_LITERAL_PLUS */
    x = cli_new();
    x->cfg.flags = MW_IMAP_CLIENT_NO_LITERAL_PLUS;
    cli_init_cfg(x, &x->cfg);
    assert_int_equal(
        srv(x, "* PREAUTH [CAPABILITY IMAP4rev1 CATENATE LITERAL+] hi\r\n"),
        MW_OK);
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Drafts"), NULL, NULL,
                                             NULL),
                     MW_OK);
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 1), MW_OK);
    sent(x, "A1 APPEND Drafts CATENATE (TEXT {1}\r\n");
    assert_int_equal(x->lit_ready, 0);
    cli_free(x);
}

/* MULTIAPPEND (RFC 3502) with CATENATE messages among plain, literal8
 * and UTF8 ones: the ")" a message owes goes before the next one. */
static void test_catenate_multiappend(void **state)
{
    cli *x = cli_authed("IMAP4rev1 MULTIAPPEND CATENATE LITERAL+ UTF8=ACCEPT");
    mw_imap_append_msg m;
    mw_imap_flag_set fl;
    (void)state;
    memset(&m, 0, sizeof m);
    memset(&fl, 0, sizeof fl);
    fl.system = MW_IMAP_FLAG_SEEN;
    m.size = 3;
    /* a plain message, then a CATENATE one */
    assert_int_equal(mw_imap_client_append(&x->c, S_("INBOX"), &m, NULL),
                     MW_OK);
    assert_int_equal(mw_imap_client_append_data(&x->c, "abc", 3), MW_OK);
    sent(x, "A2 APPEND INBOX {3+}\r\nabc");
    assert_int_equal(mw_imap_client_catenate_next(&x->c, &fl, NULL), MW_OK);
    sent(x, " (\\Seen) CATENATE (");
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/a")), MW_OK);
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 1), MW_OK);
    assert_int_equal(mw_imap_client_append_data(&x->c, "b", 1), MW_OK);
    sent(x, "URL \"/a\" TEXT {1+}\r\nb");
    /* ... a literal8 message: ")" first */
    m.size = 2;
    m.binary = 1;
    assert_int_equal(mw_imap_client_append_next(&x->c, &m), MW_OK);
    assert_int_equal(mw_imap_client_append_data(&x->c, "\0d", 2), MW_OK);
    assert_int_equal(x->outlen, 11);
    assert_memory_equal(x->out, ") ~{2+}\r\n\0d", 11);
    x->outlen = 0;
    /* two CATENATE messages in a row; the second may not end without
     * a part */
    assert_int_equal(mw_imap_client_catenate_next(&x->c, NULL, NULL), MW_OK);
    assert_int_equal(mw_imap_client_catenate_next(&x->c, NULL, NULL),
                     MW_E_STATE);
    assert_int_equal(mw_imap_client_append_next(&x->c, &m), MW_E_STATE);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_E_STATE);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/b")), MW_OK);
    assert_int_equal(mw_imap_client_catenate_next(&x->c, NULL, NULL), MW_OK);
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 1), MW_OK);
    assert_int_equal(mw_imap_client_append_data(&x->c, "f", 1), MW_OK);
    sent(x, " CATENATE (URL \"/b\") CATENATE (TEXT {1+}\r\nf");
    /* a UTF8 message (RFC 6855 §4) after it, a CATENATE one after that */
    memset(&m, 0, sizeof m);
    m.size = 1;
    m.utf8 = 1;
    assert_int_equal(mw_imap_client_append_next(&x->c, &m), MW_OK);
    assert_int_equal(mw_imap_client_append_data(&x->c, "g", 1), MW_OK);
    assert_int_equal(mw_imap_client_catenate_next(&x->c, NULL, NULL), MW_OK);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/c")), MW_OK);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_OK);
    sent(x, ") UTF8 (~{1+}\r\ng) CATENATE (URL \"/c\")\r\n");
    assert_int_equal(srv(x, "A2 OK done\r\n"), MW_OK);
    cli_free(x);

    /* without MULTIAPPEND: one message per APPEND */
    x = cli_authed("IMAP4rev1 CATENATE");
    memset(&m, 0, sizeof m);
    m.size = 1;
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Drafts"), NULL, NULL,
                                             NULL),
                     MW_OK);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/a")), MW_OK);
    x->outlen = 0;
    assert_int_equal(mw_imap_client_catenate_next(&x->c, NULL, NULL),
                     MW_E_STATE);
    assert_int_equal(mw_imap_client_append_next(&x->c, &m), MW_E_STATE);
    nothing_sent(x);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_OK);
    sent(x, ")\r\n");
    cli_free(x);
}

/* Refusals: NO instead of a TEXT part's "+" ends the APPEND; a refusal
 * between two parts (LITERAL+) gets the CRLF that ends the command; one
 * while TEXT data is owed ends the session, as for any APPEND; a
 * refused literal in the mailbox name ends the command, not the
 * session. */
static void test_catenate_refused(void **state)
{
    cli *x = cli_authed("IMAP4rev1 CATENATE");
    uint32_t h = 0;
    mw_imap_append_msg m;
    (void)state;
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Drafts"), NULL, NULL,
                                             &h),
                     MW_OK);
    assert_int_equal(mw_imap_client_catenate_url(&x->c,
                                                 S_(CAT_U "20/;section=1")),
                     MW_OK);
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 42), MW_OK);
    sent(x, "A2 APPEND Drafts CATENATE (URL \"" CAT_U "20/;section=1\" "
            "TEXT {42}\r\n");
    assert_int_equal(srv(x, "A2 NO [BADURL " CAT_U "20/;section=1] "
                            "CATENATE append has failed\r\n"),
                     MW_OK);
    assert_int_equal(x->last_handle, h);
    assert_non_null(strstr(evlog_str(x->log), "r=1 cmd=APPEND h=2 uid=0 g=0 "
                                              "u=0 code=48"));
    assert_int_equal(x->code_id, MW_IMAP_CODE_BADURL);
    assert_string_equal(x->code_name, "BADURL");
    assert_string_equal(x->code_arg, CAT_U "20/;section=1");
    assert_int_equal(x->lit_ready, 0);
    assert_int_equal(mw_imap_client_append_data(&x->c, "x", 1), MW_E_STATE);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/x")), MW_E_STATE);
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 1), MW_E_STATE);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_E_STATE);
    nothing_sent(x);
    assert_true(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_SEND);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_OK);
    sent_ok(x, "A3 NOOP\r\n");
    /* NO [TOOBIG] (RFC 4469 §4.2) likewise */
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Drafts"), NULL, NULL,
                                             NULL),
                     MW_OK);
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 100000000), MW_OK);
    sent(x, "A4 APPEND Drafts CATENATE (TEXT {100000000}\r\n");
    assert_int_equal(srv(x, "A4 NO [TOOBIG] too big\r\n"), MW_OK);
    assert_non_null(strstr(evlog_str(x->log), "r=1 cmd=APPEND h=4 uid=0 g=0 "
                                              "u=0 code=42"));
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_E_STATE);
    nothing_sent(x);
    cli_free(x);

    /* LITERAL+: the server refuses a URL it has read while the parts
     * after it are on their way; between two parts only the CRLF
     * follows */
    x = cli_authed("IMAP4rev1 CATENATE LITERAL+");
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Drafts"), NULL, NULL,
                                             NULL),
                     MW_OK);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/bad")), MW_OK);
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 3), MW_OK);
    assert_int_equal(mw_imap_client_append_data(&x->c, "abc", 3), MW_OK);
    sent(x, "A2 APPEND Drafts CATENATE (URL \"/bad\" TEXT {3+}\r\nabc");
    assert_int_equal(srv(x, "A2 NO [BADURL /bad] no such message\r\n"), MW_OK);
    sent(x, "\r\n");
    assert_int_equal(x->code_id, MW_IMAP_CODE_BADURL);
    assert_string_equal(x->code_arg, "/bad");
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/x")), MW_E_STATE);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_E_STATE);
    nothing_sent(x);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_OK);
    sent_ok(x, "A3 NOOP\r\n");
    /* ... while TEXT data is still owed: the rest could be read as
     * commands, the session ends */
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Drafts"), NULL, NULL,
                                             NULL),
                     MW_OK);
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 3), MW_OK);
    assert_int_equal(mw_imap_client_append_data(&x->c, "a", 1), MW_OK);
    x->outlen = 0;
    assert_int_equal(srv(x, "A4 NO [BADURL /x] no\r\n"), MW_E_SEQUENCE);
    assert_true(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_CLOSED);
    assert_int_equal(mw_imap_client_append_data(&x->c, "bc", 2), MW_E_CLOSED);
    nothing_sent(x);
    cli_free(x);

    /* The mailbox name as a synchronising literal (8-bit bytes passed
     * with MW_IMAP_CLIENT_MAILBOX_RAW): the parts written meanwhile go
     * after the "+" */
    x = cli_new();
    x->cfg.flags = MW_IMAP_CLIENT_MAILBOX_RAW;
    cli_init_cfg(x, &x->cfg);
    assert_int_equal(
        srv(x, "* PREAUTH [CAPABILITY IMAP4rev1 CATENATE] hi\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Entw\xc3\xbcrfe"),
                                             NULL, NULL, NULL),
                     MW_OK);
    sent(x, "A1 APPEND {9}\r\n");
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/a")), MW_OK);
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 2), MW_OK);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/b")), MW_E_STATE);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_E_STATE);
    nothing_sent(x);
    assert_int_equal(srv(x, "+ go\r\n"), MW_OK);
    sent(x, "Entw\xc3\xbcrfe CATENATE (URL \"/a\" TEXT {2}\r\n");
    assert_int_equal(x->lit_ready, 0);
    assert_int_equal(srv(x, "+ go\r\n"), MW_OK);
    assert_int_equal(x->lit_ready, 1);
    assert_int_equal(mw_imap_client_append_data(&x->c, "xy", 2), MW_OK);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_OK);
    sent(x, "xy)\r\n");
    assert_int_equal(srv(x, "A1 OK done\r\n"), MW_OK);
    /* the end written before the "+" too */
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Entw\xc3\xbcrfe"),
                                             NULL, NULL, NULL),
                     MW_OK);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/a")), MW_OK);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_OK);
    sent(x, "A2 APPEND {9}\r\n");
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_E_STATE);
    assert_int_equal(srv(x, "+ go\r\n"), MW_OK);
    sent(x, "Entw\xc3\xbcrfe CATENATE (URL \"/a\")\r\n");
    assert_int_equal(srv(x, "A2 OK done\r\n"), MW_OK);
    /* refused instead of the "+": nothing more of the command goes out,
     * the session goes on */
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Entw\xc3\xbcrfe"),
                                             NULL, NULL, NULL),
                     MW_OK);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/a")), MW_OK);
    sent(x, "A3 APPEND {9}\r\n");
    assert_int_equal(srv(x, "A3 NO [TRYCREATE] no such mailbox\r\n"), MW_OK);
    nothing_sent(x);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/b")), MW_E_STATE);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_E_STATE);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_OK);
    sent_ok(x, "A4 NOOP\r\n");
    /* ... and so for a plain APPEND */
    memset(&m, 0, sizeof m);
    m.size = 1;
    assert_int_equal(mw_imap_client_append(&x->c, S_("Entw\xc3\xbcrfe"), &m,
                                           NULL),
                     MW_OK);
    sent(x, "A5 APPEND {9}\r\n");
    assert_int_equal(srv(x, "A5 NO no\r\n"), MW_OK);
    nothing_sent(x);
    assert_int_equal(mw_imap_client_append_data(&x->c, "a", 1), MW_E_STATE);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_OK);
    sent_ok(x, "A6 NOOP\r\n");
    cli_free(x);
}

static void test_catenate_errors(void **state)
{
    cli *x = cli_authed("IMAP4rev1 MULTIAPPEND");
    mw_imap_append_msg m;
    mw_imap_flag_set fl;
    static char url[1025];
    (void)state;
    /* CATENATE not offered */
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Drafts"), NULL, NULL,
                                             NULL),
                     MW_E_STATE);
    nothing_sent(x);
    memset(&m, 0, sizeof m);
    m.size = 1;
    assert_int_equal(mw_imap_client_append(&x->c, S_("Drafts"), &m, NULL),
                     MW_OK);
    assert_int_equal(srv(x, "+ go\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_append_data(&x->c, "a", 1), MW_OK);
    x->outlen = 0;
    assert_int_equal(mw_imap_client_catenate_next(&x->c, NULL, NULL),
                     MW_E_STATE);
    /* parts only inside a CATENATE message */
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/a")), MW_E_STATE);
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 1), MW_E_STATE);
    nothing_sent(x);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_OK);
    sent(x, "\r\n");
    cli_free(x);

    /* not in the not-authenticated state (RFC 9051 §6.3.12) */
    x = cli_greeted("IMAP4rev1 CATENATE");
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Drafts"), NULL, NULL,
                                             NULL),
                     MW_E_STATE);
    nothing_sent(x);
    cli_free(x);

    x = cli_authed("IMAP4rev1 CATENATE");
    /* no APPEND open */
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/a")), MW_E_STATE);
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 1), MW_E_STATE);
    assert_int_equal(mw_imap_client_catenate_next(&x->c, NULL, NULL),
                     MW_E_STATE);
    /* bad arguments: nothing sent */
    assert_int_equal(mw_imap_client_catenate(NULL, S_("Drafts"), NULL, NULL,
                                             NULL),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_client_catenate_url(NULL, S_("/a")), MW_E_INVAL);
    assert_int_equal(mw_imap_client_catenate_text(NULL, 1), MW_E_INVAL);
    assert_int_equal(mw_imap_client_catenate_next(NULL, NULL, NULL),
                     MW_E_INVAL);
    memset(&fl, 0, sizeof fl);
    fl.system = MW_IMAP_FLAG_RECENT; /* the server sets \Recent */
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Drafts"), &fl, NULL,
                                             NULL),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Dr\r\nafts"), NULL,
                                             NULL, NULL),
                     MW_E_INVAL);
    nothing_sent(x);
    assert_true(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_SEND);
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Drafts"), NULL, NULL,
                                             NULL),
                     MW_OK);
    sent(x, "A2 APPEND Drafts CATENATE (");
    /* RFC 4469 §5: at least one part */
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_E_STATE);
    /* URL bytes: no CR, LF, NUL, control, 8-bit; 1 to 1024 bytes */
    assert_int_equal(mw_imap_client_catenate_url(&x->c, NULL, 0), MW_E_INVAL);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, "", 0), MW_E_INVAL);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/a\r\n1 LOGOUT")),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/a\nb")),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, "/a\0b", 4),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/a\tb")),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/a\x7f")),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/caf\xc3\xa9")),
                     MW_E_INVAL);
    memset(url, 'a', sizeof url);
    url[0] = '/';
    assert_int_equal(mw_imap_client_catenate_url(&x->c, url, 1025),
                     MW_E_INVAL);
    /* 1024 bytes are fine, but do not fit the default command buffer */
    assert_int_equal(mw_imap_client_catenate_url(&x->c, url, 1024),
                     MW_E_NOSPACE);
    assert_int_equal(mw_imap_client_catenate_text(&x->c,
                                                  0x8000000000000000ull),
                     MW_E_INVAL);
    nothing_sent(x);
    /* the failures changed nothing */
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_E_STATE);
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 3), MW_OK);
    sent(x, "TEXT {3}\r\n");
    /* awaiting the "+": no part, no data, no end */
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/a")), MW_E_STATE);
    assert_int_equal(mw_imap_client_catenate_text(&x->c, 1), MW_E_STATE);
    assert_int_equal(mw_imap_client_append_data(&x->c, "a", 1), MW_E_STATE);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_E_STATE);
    assert_int_equal(srv(x, "+ go\r\n"), MW_OK);
    /* a TEXT literal is not a literal8: no NUL; exactly its size */
    assert_int_equal(mw_imap_client_append_data(&x->c, "a\0b", 3), MW_E_INVAL);
    assert_int_equal(mw_imap_client_append_data(&x->c, "abcd", 4), MW_E_INVAL);
    assert_int_equal(mw_imap_client_append_data(&x->c, "ab", 2), MW_OK);
    assert_int_equal(mw_imap_client_catenate_url(&x->c, S_("/a")), MW_E_STATE);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_E_STATE);
    assert_int_equal(mw_imap_client_append_data(&x->c, "cd", 2), MW_E_INVAL);
    assert_int_equal(mw_imap_client_append_data(&x->c, "c", 1), MW_OK);
    assert_int_equal(mw_imap_client_append_data(&x->c, "d", 1), MW_E_INVAL);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_E_STATE);
    assert_int_equal(mw_imap_client_append_end(&x->c), MW_OK);
    sent(x, "abc)\r\n");
    assert_int_equal(srv(x, "A2 OK done\r\n"), MW_OK);
    cli_free(x);

    /* a larger command buffer takes the 1024-byte URL */
    x = cli_new();
    x->cfg.cmdbuf = x->bigcmd;
    x->cfg.cmdbuf_len = sizeof x->bigcmd;
    cli_init_cfg(x, &x->cfg);
    assert_int_equal(
        srv(x, "* PREAUTH [CAPABILITY IMAP4rev1 CATENATE] hi\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_catenate(&x->c, S_("Drafts"), NULL, NULL,
                                             NULL),
                     MW_OK);
    x->outlen = 0;
    assert_int_equal(mw_imap_client_catenate_url(&x->c, url, 1024), MW_OK);
    assert_int_equal(x->outlen, 4 + 1024 + 2);
    assert_memory_equal(x->out, "URL \"/aaa", 9);
    cli_free(x);
}

/* ====================================================================== */

/* ====================================================================== */
/* STARTTLS, COMPRESS and the TLS policy (field-notes §4.1)                */

static void test_starttls_injection(void **state)
{
    cli *x = cli_greeted("IMAP4rev1 STARTTLS LOGINDISABLED");
    mw_error e;
    (void)state;
    assert_non_null(mw_imap_client_caps(&x->c));
    assert_int_equal(mw_imap_client_login(&x->c, S_("u"), S_("p"), NULL),
                     MW_E_STATE); /* LOGINDISABLED */
    assert_int_equal(mw_imap_client_starttls(&x->c, NULL), MW_OK);
    sent(x, "A1 STARTTLS\r\n");
    /* the go-ahead and an injected response in the same read */
    assert_int_equal(srv(x, "A1 OK Begin TLS now\r\n* OK [CAPABILITY "
                            "IMAP4rev1 AUTH=PLAIN] injected\r\n"),
                     MW_E_INJECTION);
    assert_int_equal(mw_imap_client_error(&x->c, &e), MW_E_INJECTION);
    /* the byte after the OK's CRLF */
    assert_int_equal(e.offset,
                     strlen("* OK [CAPABILITY IMAP4rev1 STARTTLS "
                            "LOGINDISABLED] ready\r\nA1 OK Begin TLS now\r\n"));
    assert_true(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_CLOSED);
    assert_int_equal(srv(x, "x"), MW_E_CLOSED);
    assert_int_equal(mw_imap_client_tls_done(&x->c), MW_E_CLOSED);
    cli_free(x);

    /* the go-ahead alone, then bytes in a later read before tls_done */
    x = cli_greeted("IMAP4rev1 STARTTLS");
    assert_int_equal(mw_imap_client_starttls(&x->c, NULL), MW_OK);
    assert_int_equal(srv(x, "A1 OK go\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_want(&x->c), MW_IMAP_CLIENT_WANT_TLS);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_E_STATE);
    assert_int_equal(srv(x, ""), MW_OK);
    assert_int_equal(srv(x, "*"), MW_E_INJECTION);
    assert_int_equal(mw_imap_client_error(&x->c, &e), MW_E_INJECTION);
    assert_int_equal(e.offset,
                     strlen("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"
                            "A1 OK go\r\n"));
    cli_free(x);

    /* the clean way: caps forgotten, commands go on through TLS */
    x = cli_greeted("IMAP4rev1 STARTTLS LOGINDISABLED");
    assert_int_equal(mw_imap_client_tls_done(&x->c), MW_E_STATE);
    assert_int_equal(mw_imap_client_starttls(&x->c, NULL), MW_OK);
    assert_int_equal(srv(x, "A1 OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] go\r\n"),
                     MW_OK);
    assert_int_equal(mw_imap_client_tls_done(&x->c), MW_OK);
    assert_null(mw_imap_client_caps(&x->c));
    assert_int_equal(mw_imap_client_starttls(&x->c, NULL), MW_E_STATE);
    x->outlen = 0;
    assert_int_equal(mw_imap_client_login(&x->c, S_("u"), S_("p"), NULL),
                     MW_OK); /* LOGINDISABLED was forgotten with the rest */
    sent(x, "A2 LOGIN u p\r\n");
    cli_free(x);

    /* COMPRESS: the same rule */
    x = cli_authed("IMAP4rev1 COMPRESS=DEFLATE");
    assert_int_equal(mw_imap_client_compress(&x->c, NULL), MW_OK);
    assert_int_equal(srv(x, "A2 OK DEFLATE active\r\n\x78\x9c"),
                     MW_E_INJECTION);
    cli_free(x);

    /* STARTTLS only with nothing pending */
    x = cli_greeted("IMAP4rev1 STARTTLS");
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_OK);
    assert_int_equal(mw_imap_client_starttls(&x->c, NULL), MW_E_STATE);
    cli_free(x);
}

static cli *cli_reqtls(int tls_active)
{
    cli *x = cli_new();
    x->cfg.require_tls = 1;
    x->cfg.tls_active = tls_active;
    cli_init_cfg(x, &x->cfg);
    return x;
}

static void test_tls_required(void **state)
{
    cli *x;
    mw_error e;
    (void)state;
    /* PREAUTH in clear (Mutt CVE-2020-14093 class) */
    x = cli_reqtls(0);
    assert_int_equal(srv(x, "* PREAUTH welcome\r\n"), MW_E_STATE);
    assert_int_equal(mw_imap_client_error(&x->c, &e), MW_E_STATE);
    assert_int_equal(e.offset, 0);
    nothing_sent(x);
    cli_free(x);
    /* PREAUTH over implicit TLS is fine */
    x = cli_reqtls(1);
    assert_int_equal(srv(x, "* PREAUTH welcome\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_state(&x->c), MW_IMAP_STATE_AUTHENTICATED);
    cli_free(x);
    /* nothing but CAPABILITY, NOOP, LOGOUT, STARTTLS before TLS */
    x = cli_reqtls(0);
    assert_int_equal(srv(x, "* OK hi\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_login(&x->c, S_("u"), S_("p"), NULL),
                     MW_E_STATE);
    assert_int_equal(mw_imap_client_authenticate_plain(&x->c, "", 0, S_("u"),
                                                       S_("p"), NULL),
                     MW_E_STATE);
    assert_int_equal(mw_imap_client_id(&x->c, NULL, NULL, 0, NULL),
                     MW_E_STATE);
    nothing_sent(x);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_OK);
    sent(x, "A1 NOOP\r\n");
    assert_int_equal(srv(x, "A1 OK done\r\n"), MW_OK);
    /* a CAPABILITY without STARTTLS ends the session */
    assert_int_equal(mw_imap_client_capability(&x->c, NULL), MW_OK);
    assert_int_equal(srv(x, "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA2 OK done\r\n"),
                     MW_E_STATE);
    cli_free(x);
    /* starttls() when the known capabilities lack it */
    x = cli_reqtls(0);
    assert_int_equal(srv(x, "* OK [CAPABILITY IMAP4rev1] hi\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_starttls(&x->c, NULL), MW_E_STATE);
    assert_true(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_CLOSED);
    nothing_sent(x);
    cli_free(x);
    /* ... without the policy it is only refused */
    x = cli_greeted("IMAP4rev1");
    assert_int_equal(mw_imap_client_starttls(&x->c, NULL), MW_E_STATE);
    assert_false(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_CLOSED);
    cli_free(x);
    /* a refusal of STARTTLS */
    x = cli_reqtls(0);
    assert_int_equal(srv(x, "* OK hi\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_starttls(&x->c, NULL), MW_OK);
    assert_int_equal(srv(x, "A1 NO not now\r\n"), MW_E_STATE);
    cli_free(x);
    x = cli_reqtls(0);
    assert_int_equal(srv(x, "* OK hi\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_starttls(&x->c, NULL), MW_OK);
    assert_int_equal(srv(x, "A1 BAD what\r\n"), MW_E_STATE);
    cli_free(x);
    /* a refusal without the policy goes on in clear */
    x = cli_greeted(NULL);
    assert_int_equal(mw_imap_client_starttls(&x->c, NULL), MW_OK);
    assert_int_equal(srv(x, "A1 NO not now\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_OK);
    cli_free(x);
    /* the full good path under the policy */
    x = cli_reqtls(0);
    assert_int_equal(srv(x, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n"),
                     MW_OK);
    assert_int_equal(mw_imap_client_starttls(&x->c, NULL), MW_OK);
    assert_int_equal(srv(x, "A1 OK go\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_tls_done(&x->c), MW_OK);
    x->outlen = 0;
    assert_int_equal(mw_imap_client_login(&x->c, S_("u"), S_("p"), NULL),
                     MW_OK);
    sent(x, "A2 LOGIN u p\r\n");
    cli_free(x);
}

/* ====================================================================== */
/* Greeting, tags, pipelining, state                                       */

static void test_greeting(void **state)
{
    cli *x = cli_new();
    mw_error e;
    (void)state;
    /* nothing before the greeting */
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_E_STATE);
    assert_int_equal(mw_imap_client_want(&x->c), MW_IMAP_CLIENT_WANT_INPUT);
    assert_int_equal(srv(x, "* NO go away\r\n"), MW_E_SYNTAX);
    cli_free(x);
    x = cli_new();
    assert_int_equal(srv(x, "A1 OK hi\r\n"), MW_E_SEQUENCE);
    assert_int_equal(mw_imap_client_error(&x->c, &e), MW_E_SEQUENCE);
    cli_free(x);
    x = cli_new();
    assert_int_equal(srv(x, "* BYE overloaded\r\n"), MW_DONE);
    assert_true(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_CLOSED);
    assert_int_equal(mw_imap_client_eof(&x->c), MW_OK);
    cli_free(x);
    x = cli_new();
    assert_int_equal(srv(x, "* PREAUTH [CAPABILITY IMAP4rev1 IDLE] hi\r\n"),
                     MW_OK);
    assert_int_equal(mw_imap_client_state(&x->c), MW_IMAP_STATE_AUTHENTICATED);
    assert_true(mw_imap_client_caps(&x->c)->bits & MW_IMAP_CAP_IDLE);
    assert_non_null(strstr(evlog_str(x->log), "g=1"));
    assert_int_equal(mw_imap_client_login(&x->c, S_("u"), S_("p"), NULL),
                     MW_E_STATE);
    cli_free(x);
}

static void test_tags_and_pipelining(void **state)
{
    cli *x = cli_new();
    uint32_t h1, h2, h3;
    (void)state;
    x->cfg.tag_prefix = "xy.";
    x->cfg.tag_start = 41;
    cli_init_cfg(x, &x->cfg);
    assert_int_equal(srv(x, "* OK hi\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_login(&x->c, S_("u"), S_("p"), &h1), MW_OK);
    /* pipelined behind LOGIN: SELECT is valid once LOGIN succeeds */
    assert_int_equal(mw_imap_client_select(&x->c, S_("INBOX"), NULL, &h2),
                     MW_OK);
    assert_int_equal(mw_imap_client_noop(&x->c, &h3), MW_OK);
    assert_int_equal(h1, 41);
    assert_int_equal(h2, 42);
    assert_int_equal(h3, 43);
    sent(x, "xy.41 LOGIN u p\r\nxy.42 SELECT INBOX\r\nxy.43 NOOP\r\n");
    assert_int_equal(mw_imap_client_pending(&x->c), 3);
    /* unknown tags: another prefix, a leading zero, too many digits, no
     * digits, a number never sent; reported, not delivered */
    evlog_reset(x->log);
    assert_int_equal(srv(x, "xy.99 OK nope\r\nab.41 OK nope\r\n"
                            "xy.041 OK nope\r\nxy.99999999999 OK nope\r\n"
                            "xy. OK nope\r\n"),
                     MW_OK);
    assert_null(strstr(evlog_str(x->log), "status"));
    {
        const char *l = evlog_str(x->log);
        int n = 0;
        while ((l = strstr(l, "error MW_E_SEQUENCE")) != NULL) {
            n++;
            l++;
        }
        assert_int_equal(n, 5);
    }
    assert_int_equal(mw_imap_client_pending(&x->c), 3);
    /* completions out of order are matched by tag */
    evlog_reset(x->log);
    assert_int_equal(srv(x, "xy.43 OK noop\r\n"), MW_OK);
    assert_int_equal(x->last_handle, 43);
    assert_non_null(strstr(evlog_str(x->log), "cmd=NOOP h=43"));
    assert_int_equal(srv(x, "xy.41 OK in\r\n"), MW_OK);
    assert_non_null(strstr(evlog_str(x->log), "cmd=LOGIN h=41"));
    assert_int_equal(mw_imap_client_state(&x->c), MW_IMAP_STATE_AUTHENTICATED);
    assert_int_equal(srv(x, "xy.42 NO no such mailbox\r\n"), MW_OK);
    assert_non_null(strstr(evlog_str(x->log), "cmd=SELECT h=42"));
    assert_int_equal(mw_imap_client_state(&x->c), MW_IMAP_STATE_AUTHENTICATED);
    /* the pipelined state went back with the failure */
    assert_int_equal(mw_imap_client_check(&x->c, NULL), MW_E_STATE);
    assert_int_equal(mw_imap_client_pending(&x->c), 0);
    /* the same tag twice: the second is unknown */
    assert_int_equal(srv(x, "xy.43 OK again\r\n"), MW_OK);
    cli_free(x);
}

static void test_state_rules(void **state)
{
    cli *x = cli_greeted(NULL);
    char ib[16];
    mw_imap_items it;
    mw_imap_seqset all;
    (void)state;
    mw_imap_seqset_all(&all);
    mw_imap_items_init(&it, ib, sizeof ib);
    mw_imap_items_add(&it, MW_IMAP_ITEM_UID);
    assert_int_equal(mw_imap_client_fetch(&x->c, &all, &it, NULL, NULL),
                     MW_E_STATE);
    assert_int_equal(mw_imap_client_select(&x->c, S_("INBOX"), NULL, NULL),
                     MW_E_STATE);
    assert_int_equal(mw_imap_client_enable(&x->c, (const char *const[]){"X"}, 1,
                                           NULL),
                     MW_E_STATE);
    nothing_sent(x);
    assert_int_equal(mw_imap_client_login(&x->c, S_("u"), S_("p"), NULL),
                     MW_OK);
    assert_int_equal(mw_imap_client_select(&x->c, S_("INBOX"), NULL, NULL),
                     MW_OK);
    assert_int_equal(mw_imap_client_fetch(&x->c, &all, &it, NULL, NULL),
                     MW_OK);
    sent(x, "A1 LOGIN u p\r\nA2 SELECT INBOX\r\nA3 FETCH 1:* UID\r\n");
    assert_int_equal(srv(x, "A1 OK done\r\nA2 OK done\r\n* 1 FETCH (UID 7)\r\nA3 OK done\r\n"),
                     MW_OK);
    assert_int_equal(mw_imap_client_state(&x->c), MW_IMAP_STATE_SELECTED);
    /* ENABLE only in the authenticated state (RFC 5161 §3.1) */
    assert_int_equal(mw_imap_client_enable(&x->c, (const char *const[]){"X"}, 1,
                                           NULL),
                     MW_E_STATE);
    /* LOGOUT: BYE, then the tagged OK ends the session */
    assert_int_equal(mw_imap_client_logout(&x->c, NULL), MW_OK);
    assert_int_equal(srv(x, "* BYE bye\r\n"), MW_OK);
    assert_int_equal(srv(x, "A4 OK bye\r\nleftover"), MW_DONE);
    assert_int_equal(srv(x, "x"), MW_E_CLOSED);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_E_CLOSED);
    assert_int_equal(mw_imap_client_eof(&x->c), MW_OK);
    cli_free(x);
    /* an unsolicited BYE ends it at once */
    x = cli_authed(NULL);
    assert_int_equal(srv(x, "* BYE Autologout; idle for too long\r\n"),
                     MW_DONE);
    assert_int_equal(mw_imap_client_state(&x->c), MW_IMAP_STATE_LOGOUT);
    cli_free(x);
    /* EOF with a command pending or a response cut */
    x = cli_authed(NULL);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_OK);
    assert_int_equal(mw_imap_client_eof(&x->c), MW_E_INCOMPLETE);
    assert_true(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_CLOSED);
    cli_free(x);
}

static void test_pause_and_abort(void **state)
{
    cli *x = cli_authed(NULL);
    const char in[] = "* 1 EXISTS\r\nA2 OK done\r\nA3 OK done\r\n";
    size_t used = 0;
    (void)state;
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_OK);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_OK);
    x->pause_status = 1;
    assert_int_equal(mw_imap_client_feed(&x->c, in, sizeof in - 1, &used),
                     MW_PAUSED);
    assert_int_equal(used, strlen("* 1 EXISTS\r\nA2 OK done\r\n"));
    x->pause_status = 0;
    assert_int_equal(mw_imap_client_feed(&x->c, in + used,
                                         sizeof in - 1 - used, &used),
                     MW_OK);
    assert_int_equal(mw_imap_client_pending(&x->c), 0);
    /* a callback abort kills the session */
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_OK);
    x->abort_status = 1;
    assert_int_equal(srv(x, "A4 OK done\r\n"), MW_E_CALLBACK);
    assert_true(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_CLOSED);
    cli_free(x);
    /* send fails */
    x = cli_authed(NULL);
    x->fail_send = 1;
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_E_CALLBACK);
    assert_true(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_CLOSED);
    cli_free(x);
}

/* ====================================================================== */
/* AUTHENTICATE                                                            */

static void test_auth_plain(void **state)
{
    cli *x = cli_greeted("IMAP4rev1 SASL-IR AUTH=PLAIN");
    (void)state;
    /* RFC 4959 §3 / RFC 4616 §4: "\0tim\0tanstaaftanstaaf" */
    assert_int_equal(mw_imap_client_authenticate_plain(
                         &x->c, "", 0, S_("tim"), S_("tanstaaftanstaaf"),
                         NULL),
                     MW_OK);
    sent(x, "A1 AUTHENTICATE PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n");
    /* nothing may follow AUTHENTICATE */
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_E_STATE);
    /* a challenge after the only response: cancelled */
    assert_int_equal(srv(x, "+ \r\n"), MW_OK);
    sent(x, "*\r\n");
    assert_int_equal(srv(x, "A1 BAD cancelled\r\n"), MW_OK);
    /* without SASL-IR the response waits for the "+" */
    cli_free(x);
    x = cli_greeted("IMAP4rev1 AUTH=PLAIN");
    assert_int_equal(mw_imap_client_authenticate_plain(
                         &x->c, S_("admin"), S_("tim"), S_("tanstaaftanstaaf"),
                         NULL),
                     MW_OK);
    sent(x, "A1 AUTHENTICATE PLAIN\r\n");
    assert_int_equal(srv(x, "+ \r\n"), MW_OK);
    sent(x, "YWRtaW4AdGltAHRhbnN0YWFmdGFuc3RhYWY=\r\n");
    assert_int_equal(srv(x, "A1 OK [CAPABILITY IMAP4rev1 IDLE] hi\r\n"),
                     MW_OK);
    assert_int_equal(mw_imap_client_state(&x->c), MW_IMAP_STATE_AUTHENTICATED);
    assert_true(mw_imap_client_caps(&x->c)->bits & MW_IMAP_CAP_IDLE);
    /* the credentials are gone from the command buffer */
    {
        size_t i;
        for (i = 0; i + 4 <= sizeof x->c.cmdbuf; i++)
            assert_false(memcmp(x->c.cmdbuf + i, "YWRt", 4) == 0);
    }
    cli_free(x);
    /* NO_SASL_IR */
    x = cli_new();
    x->cfg.flags = MW_IMAP_CLIENT_NO_SASL_IR;
    cli_init_cfg(x, &x->cfg);
    assert_int_equal(srv(x, "* OK [CAPABILITY IMAP4rev1 SASL-IR] hi\r\n"),
                     MW_OK);
    assert_int_equal(mw_imap_client_authenticate_plain(
                         &x->c, "", 0, S_("tim"), S_("x"), NULL),
                     MW_OK);
    sent(x, "A1 AUTHENTICATE PLAIN\r\n");
    cli_free(x);
    /* bad arguments are refused before anything is sent */
    x = cli_greeted("IMAP4rev1 SASL-IR");
    assert_int_equal(mw_imap_client_authenticate_plain(&x->c, "", 0, "", 0,
                                                       S_("x"), NULL),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_client_authenticate(&x->c, "plain", NULL, NULL,
                                                 NULL),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_client_authenticate(
                         &x->c, "ABCDEFGHIJKLMNOPQRSTU", NULL, NULL, NULL),
                     MW_E_INVAL); /* 21 characters */
    nothing_sent(x);
    assert_int_equal(mw_imap_client_authenticate(
                         &x->c, "ABCDEFGHIJKLMNOPQRST", NULL, NULL, NULL),
                     MW_OK); /* 20 */
    sent(x, "A1 AUTHENTICATE ABCDEFGHIJKLMNOPQRST\r\n");
    cli_free(x);
}

static void test_auth_login_cram(void **state)
{
    cli *x = cli_greeted("IMAP4rev1 SASL-IR AUTH=LOGIN");
    (void)state;
    assert_int_equal(mw_imap_client_authenticate_login(&x->c, S_("tim"),
                                                       S_("secret"), NULL),
                     MW_OK);
    sent(x, "A1 AUTHENTICATE LOGIN\r\n");
    assert_int_equal(srv(x, "+ VXNlcm5hbWU6\r\n"), MW_OK);
    sent(x, "dGlt\r\n");
    assert_int_equal(srv(x, "+ UGFzc3dvcmQ6\r\n"), MW_OK);
    sent(x, "c2VjcmV0\r\n");
    assert_int_equal(srv(x, "+ \r\n"), MW_OK);
    sent(x, "*\r\n");
    assert_int_equal(srv(x, "A1 NO [AUTHENTICATIONFAILED] no\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_state(&x->c),
                     MW_IMAP_STATE_NOT_AUTHENTICATED);
#if MW_ENABLE_SASL_CRAM_MD5
    /* RFC 2195 §2 example */
    assert_int_equal(mw_imap_client_authenticate_cram_md5(
                         &x->c, S_("tim"), S_("tanstaaftanstaaf"), NULL),
                     MW_OK);
    sent(x, "A2 AUTHENTICATE CRAM-MD5\r\n");
    assert_int_equal(
        srv(x, "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n"),
        MW_OK);
    sent(x, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n");
    assert_int_equal(srv(x, "A2 OK CRAM authentication successful\r\n"),
                     MW_OK);
    assert_int_equal(mw_imap_client_state(&x->c), MW_IMAP_STATE_AUTHENTICATED);
    cli_free(x);
    /* a challenge that is not base64 is reported and cancelled */
    x = cli_greeted("IMAP4rev1");
    assert_int_equal(mw_imap_client_authenticate_cram_md5(
                         &x->c, S_("tim"), S_("k"), NULL),
                     MW_OK);
    x->outlen = 0;
    assert_int_equal(srv(x, "+ !!!!\r\n"), MW_OK);
    sent(x, "*\r\n");
    assert_non_null(strstr(evlog_str(x->log), "error MW_E_BASE64"));
    cli_free(x);
#else
    /* CRAM-MD5 compiled out (features.h): refused before anything is
     * sent, and the session goes on with the next tag */
    x->outlen = 0;
    assert_int_equal(mw_imap_client_authenticate_cram_md5(
                         &x->c, S_("tim"), S_("tanstaaftanstaaf"), NULL),
                     MW_E_UNSUPPORTED);
    nothing_sent(x);
    assert_int_equal(mw_imap_client_state(&x->c),
                     MW_IMAP_STATE_NOT_AUTHENTICATED);
    assert_int_equal(mw_imap_client_authenticate_login(&x->c, S_("tim"),
                                                       S_("secret"), NULL),
                     MW_OK);
    sent(x, "A2 AUTHENTICATE LOGIN\r\n");
    cli_free(x);
#endif
}

static void test_auth_oauth(void **state)
{
    cli *x = cli_greeted("IMAP4rev1 SASL-IR AUTH=XOAUTH2 AUTH=OAUTHBEARER");
#if MW_ENABLE_SASL_OAUTH
    char want[256], b64[200];
    size_t n = 0;
    (void)state;
    assert_int_equal(mw_imap_client_authenticate_xoauth2(
                         &x->c, S_("someuser@example.com"),
                         S_("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"),
                         NULL),
                     MW_OK);
    assert_int_equal(mw_sasl_xoauth2_encode(
                         S_("someuser@example.com"),
                         S_("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"),
                         b64, sizeof b64, &n),
                     MW_OK);
    snprintf(want, sizeof want, "A1 AUTHENTICATE XOAUTH2 %.*s\r\n", (int)n,
             b64);
    sent(x, want);
    /* the error challenge gets an empty response */
    assert_int_equal(srv(x, "+ eyJzdGF0dXMiOiI0MDEifQ==\r\n"), MW_OK);
    sent(x, "\r\n");
    assert_int_equal(srv(x, "A1 NO [AUTHENTICATIONFAILED] invalid\r\n"),
                     MW_OK);
    assert_int_equal(mw_imap_client_authenticate_oauthbearer(
                         &x->c, S_("user@example.com"), S_("server.example.com"),
                         143, S_("vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=="),
                         NULL),
                     MW_OK);
    assert_int_equal(mw_sasl_oauthbearer_encode(
                         S_("user@example.com"), S_("server.example.com"), 143,
                         S_("vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=="), b64,
                         sizeof b64, &n),
                     MW_OK);
    snprintf(want, sizeof want, "A2 AUTHENTICATE OAUTHBEARER %.*s\r\n",
             (int)n, b64);
    sent(x, want);
    assert_int_equal(srv(x, "+ eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=\r\n"),
                     MW_OK);
    sent(x, "AQ==\r\n"); /* RFC 7628 §3.2.3 */
    assert_int_equal(srv(x, "A2 NO failed\r\n"), MW_OK);
#else
    /* OAuth compiled out (features.h): both refused before anything is
     * sent, and the session goes on with the first tag */
    (void)state;
    x->outlen = 0;
    assert_int_equal(mw_imap_client_authenticate_xoauth2(
                         &x->c, S_("someuser@example.com"),
                         S_("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"),
                         NULL),
                     MW_E_UNSUPPORTED);
    assert_int_equal(mw_imap_client_authenticate_oauthbearer(
                         &x->c, S_("user@example.com"), S_("server.example.com"),
                         143, S_("vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=="),
                         NULL),
                     MW_E_UNSUPPORTED);
    nothing_sent(x);
    assert_int_equal(mw_imap_client_authenticate_login(&x->c, S_("tim"),
                                                       S_("secret"), NULL),
                     MW_OK);
    sent(x, "A1 AUTHENTICATE LOGIN\r\n");
#endif
    cli_free(x);
}

static int hook_script(void *u, const char *ch, size_t clen, char *resp,
                       size_t cap, size_t *rlen)
{
    cli *x = u;
    int i = x->hook_i++;
    evlog_data(x->log, "hook challenge", ch, ch != NULL ? clen : 0);
    evlog_printf(x->log, "/hook %d null=%d", i, ch == NULL);
    if (i == 0 && x->hook_pause_first)
        return MW_PAUSED;
    if (i >= x->hook_n)
        return MW_E_AUTH;
    assert_true(x->hook_len[i] <= cap);
    memcpy(resp, x->hook_resp[i], x->hook_len[i]);
    *rlen = x->hook_len[i];
    return i == x->hook_n - 1 ? MW_DONE : MW_OK;
}

static void test_auth_hook_and_app(void **state)
{
    static const char *const resp[] = {"first", "second"};
    static const size_t lens[] = {5, 6};
    cli *x = cli_greeted("IMAP4rev1");
    (void)state;
    /* no SASL-IR: the initial response answers the first "+" */
    x->hook_resp = resp;
    x->hook_len = lens;
    x->hook_n = 2;
    assert_int_equal(mw_imap_client_authenticate(&x->c, "X-TEST", hook_script,
                                                 x, NULL),
                     MW_OK);
    sent(x, "A1 AUTHENTICATE X-TEST\r\n");
    assert_int_equal(srv(x, "+ \r\n"), MW_OK);
    sent(x, "Zmlyc3Q=\r\n");
    assert_int_equal(srv(x, "+ Y2hhbGxlbmdl\r\n"), MW_OK);
    sent(x, "c2Vjb25k\r\n");
    assert_non_null(strstr(evlog_str(x->log), "hook challenge: challenge"));
    /* the hook said DONE: another challenge is a server error */
    assert_int_equal(srv(x, "+ bW9yZQ==\r\n"), MW_OK);
    sent(x, "*\r\n");
    assert_int_equal(srv(x, "A1 BAD cancelled\r\n"), MW_OK);
    cli_free(x);
    /* SASL-IR, the hook has no initial response (PAUSED): the first "+"
     * goes to the hook; an empty initial response is "=" */
    x = cli_greeted("IMAP4rev1 SASL-IR");
    x->hook_resp = resp;
    x->hook_len = lens;
    x->hook_n = 2;
    x->hook_pause_first = 1;
    assert_int_equal(mw_imap_client_authenticate(&x->c, "X-TEST", hook_script,
                                                 x, NULL),
                     MW_OK);
    sent(x, "A1 AUTHENTICATE X-TEST\r\n");
    assert_int_equal(srv(x, "+ \r\n"), MW_OK);
    sent(x, "c2Vjb25k\r\n");
    assert_int_equal(srv(x, "A1 OK done\r\n"), MW_OK);
    cli_free(x);
    x = cli_greeted("IMAP4rev1 SASL-IR");
    {
        static const char *const e[] = {""};
        static const size_t el[] = {0};
        x->hook_resp = e;
        x->hook_len = el;
        x->hook_n = 1;
    }
    assert_int_equal(mw_imap_client_authenticate(&x->c, "EXTERNAL", hook_script,
                                                 x, NULL),
                     MW_OK);
    sent(x, "A1 AUTHENTICATE EXTERNAL =\r\n");
    cli_free(x);
    /* the hook fails at once: nothing sent */
    x = cli_greeted("IMAP4rev1 SASL-IR");
    x->hook_n = 0;
    assert_int_equal(mw_imap_client_authenticate(&x->c, "X-TEST", hook_script,
                                                 x, NULL),
                     MW_E_AUTH);
    nothing_sent(x);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_OK);
    cli_free(x);
    /* application-driven */
    x = cli_greeted("IMAP4rev1");
    assert_int_equal(mw_imap_client_auth_respond(&x->c, S_("AA==")),
                     MW_E_STATE);
    assert_int_equal(mw_imap_client_authenticate(&x->c, "GSSAPI", NULL, NULL,
                                                 NULL),
                     MW_OK);
    sent(x, "A1 AUTHENTICATE GSSAPI\r\n");
    assert_int_equal(mw_imap_client_auth_respond(&x->c, S_("AA==")),
                     MW_E_STATE); /* no challenge yet */
    assert_int_equal(srv(x, "+ YGgGCSqGSIb3EgECAgIBAAD/////\r\n"), MW_OK);
    assert_non_null(strstr(evlog_str(x->log),
                           "cont: YGgGCSqGSIb3EgECAgIBAAD/////"));
    assert_int_equal(mw_imap_client_auth_respond(&x->c, S_("a b")),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_client_auth_respond(&x->c, S_("YIIB+wYJ")),
                     MW_OK);
    sent(x, "YIIB+wYJ\r\n");
    assert_int_equal(mw_imap_client_auth_respond(&x->c, S_("AA==")),
                     MW_E_STATE); /* answered already */
    assert_int_equal(srv(x, "+ \r\n"), MW_OK);
    assert_int_equal(mw_imap_client_auth_cancel(&x->c), MW_OK);
    sent(x, "*\r\n");
    assert_int_equal(srv(x, "A1 BAD cancelled\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_auth_cancel(&x->c), MW_E_STATE);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_OK);
    cli_free(x);
}

/* ====================================================================== */
/* Arguments: CR, LF, NUL; mailbox names                                   */

static void test_injection_refused(void **state)
{
    cli *x = cli_selected(NULL);
    mw_span f, v;
    mw_imap_seqset set;
    mw_imap_store_params sp;
    static const char *const badkw[] = {"a b"};
    static const char *const badkw2[] = {"a\r\nA9 DELETE INBOX"};
    static const char *const badkw3[] = {"\\"};
    static const char *const okkw[] = {"\\Seen"};
    (void)state;
    assert_int_equal(mw_imap_client_create(&x->c, S_("a\r\nA9 DELETE x"),
                                           NULL),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_client_create(&x->c, S_("a\nb"), NULL),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_client_create(&x->c, "a\0b", 3, NULL),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_client_create(&x->c, S_("a\x1b[0m"), NULL),
                     MW_E_INVAL); /* no control characters (RFC 9051 §5.1) */
    assert_int_equal(mw_imap_client_create(&x->c, S_("a\x7f"), NULL),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_client_rename(&x->c, S_("ok"), S_("x\ry"), NULL),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_client_command(&x->c, S_("NOOP\r\nA9 LOGOUT"),
                                            MW_IMAP_CMD_OTHER, NULL),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_client_command(&x->c, S_("X\0"),
                                            MW_IMAP_CMD_OTHER, NULL),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_client_command(&x->c, S_("STARTTLS"),
                                            MW_IMAP_CMD_STARTTLS, NULL),
                     MW_E_INVAL);
    f = mw__span("name", 4);
    v = mw__span("a\r\nb", 4);
    assert_int_equal(mw_imap_client_id(&x->c, &f, &v, 1, NULL), MW_E_INVAL);
    f = mw__span("0123456789012345678901234567890", 31);
    v = mw__span("x", 1);
    assert_int_equal(mw_imap_client_id(&x->c, &f, &v, 1, NULL), MW_E_INVAL);
    assert_int_equal(mw_imap_seqset_parse(S_("1"), &set, NULL), MW_OK);
    memset(&sp, 0, sizeof sp);
    sp.mode = MW_IMAP_CLIENT_STORE_ADD;
    sp.flags.keywords = badkw;
    sp.flags.nkeywords = 1;
    assert_int_equal(mw_imap_client_store(&x->c, &set, &sp, NULL), MW_E_INVAL);
    sp.flags.keywords = badkw2;
    assert_int_equal(mw_imap_client_store(&x->c, &set, &sp, NULL), MW_E_INVAL);
    sp.flags.keywords = badkw3;
    assert_int_equal(mw_imap_client_store(&x->c, &set, &sp, NULL), MW_E_INVAL);
    sp.flags.keywords = NULL;
    sp.flags.nkeywords = 0;
    sp.flags.system = MW_IMAP_FLAG_RECENT; /* not settable */
    assert_int_equal(mw_imap_client_store(&x->c, &set, &sp, NULL), MW_E_INVAL);
    /* a seqset that is not one */
    set.text = mw__span("1,\r\n2", 5);
    sp.flags.system = 0;
    assert_int_equal(mw_imap_client_store(&x->c, &set, &sp, NULL), MW_E_INVAL);
    set.text = mw__span("0", 1);
    assert_int_equal(mw_imap_client_store(&x->c, &set, &sp, NULL), MW_E_INVAL);
    set.text = mw__span("4294967296", 10);
    assert_int_equal(mw_imap_client_store(&x->c, &set, &sp, NULL), MW_E_INVAL);
    set.text = mw__span("1:", 2);
    assert_int_equal(mw_imap_client_store(&x->c, &set, &sp, NULL), MW_E_INVAL);
    nothing_sent(x);
    assert_int_equal(mw_imap_client_enable(&x->c, badkw, 1, NULL), MW_E_STATE);
    set.text = mw__span("4294967295:*", 12);
    sp.flags.keywords = okkw;
    sp.flags.nkeywords = 1;
    assert_int_equal(mw_imap_client_store(&x->c, &set, &sp, NULL), MW_OK);
    sent(x, "A3 STORE 4294967295:* +FLAGS (\\Seen)\r\n");
    cli_free(x);
}

static void test_mailbox_names(void **state)
{
    cli *x = cli_authed(NULL);
    (void)state;
    /* RFC 3501 §5.1.3 example */
    assert_int_equal(mw_imap_client_create(
                         &x->c, S_("~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/"
                                   "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"),
                         NULL),
                     MW_OK);
    sent_ok(x, "A2 CREATE ~peter/mail/&U,BTFw-/&ZeVnLIqe-\r\n");
    assert_int_equal(mw_imap_client_select(&x->c, S_("Entw\xc3\xbcrfe"), NULL,
                                           NULL),
                     MW_OK);
    sent_ok(x, "A3 SELECT Entw&APw-rfe\r\n");
    assert_int_equal(mw_imap_client_create(&x->c, S_("Tom & Jerry"), NULL),
                     MW_OK);
    sent_ok(x, "A4 CREATE \"Tom &- Jerry\"\r\n");
    assert_int_equal(mw_imap_client_create(&x->c, S_("a\"\xc3\xbc\\"), NULL),
                     MW_OK);
    sent_ok(x, "A5 CREATE \"a\\\"&APw-\\\\\"\r\n");
    assert_int_equal(mw_imap_client_list(&x->c, "", 0, S_("Entw\xc3\xbc%"),
                                         NULL, NULL),
                     MW_OK);
    sent_ok(x, "A6 LIST \"\" Entw&APw-%\r\n");
    assert_int_equal(mw_imap_client_create(&x->c, S_("nil"), NULL), MW_OK);
    sent_ok(x, "A7 CREATE \"nil\"\r\n");
    /* invalid UTF-8 cannot be encoded */
    assert_int_equal(mw_imap_client_create(&x->c, S_("a\xff"), NULL),
                     MW_E_UTF8);
    nothing_sent(x);
    cli_free(x);
    /* UTF8=ACCEPT enabled: names go as UTF-8 (RFC 6855 §3) */
    x = cli_authed(NULL);
    assert_int_equal(mw_imap_client_enable(&x->c,
                                           (const char *const[]){"UTF8=ACCEPT"},
                                           1, NULL),
                     MW_OK);
    sent(x, "A2 ENABLE UTF8=ACCEPT\r\n");
    assert_int_equal(srv(x, "* ENABLED UTF8=ACCEPT\r\nA2 OK done\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_enabled(&x->c),
                     MW_IMAP_CLIENT_ENABLED_UTF8);
    assert_int_equal(mw_imap_client_create(&x->c, S_("Entw\xc3\xbcrfe"), NULL),
                     MW_OK);
    sent_ok(x, "A3 CREATE \"Entw\xc3\xbcrfe\"\r\n");
    assert_int_equal(mw_imap_client_create(&x->c, S_("a\xff"), NULL),
                     MW_E_UTF8);
    cli_free(x);
    /* MW_IMAP_CLIENT_MAILBOX_RAW: as given */
    x = cli_new();
    x->cfg.flags = MW_IMAP_CLIENT_MAILBOX_RAW;
    cli_init_cfg(x, &x->cfg);
    assert_int_equal(srv(x, "* PREAUTH hi\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_select(&x->c, S_("Entw&APw-rfe"), NULL,
                                           NULL),
                     MW_OK);
    sent(x, "A1 SELECT Entw&APw-rfe\r\n");
    cli_free(x);
}

/* ====================================================================== */
/* Builders                                                                */

static void test_seqbuf(void **state)
{
    char b[32];
    mw_imap_seqbuf sb;
    mw_imap_seqset s;
    static const uint32_t nums[] = {1, 2, 3, 7, 9, 10, 4294967295u};
    size_t i;
    (void)state;
    mw_imap_seqbuf_init(&sb, b, sizeof b);
    assert_int_equal(mw_imap_seqbuf_get(&sb, &s), MW_E_INVAL); /* empty */
    mw_imap_seqbuf_init(&sb, b, sizeof b);
    for (i = 0; i < sizeof nums / sizeof nums[0]; i++)
        assert_int_equal(mw_imap_seqbuf_num(&sb, nums[i]), MW_OK);
    assert_int_equal(mw_imap_seqbuf_add(&sb, 20, 15), MW_OK);
    assert_int_equal(mw_imap_seqbuf_add(&sb, MW_IMAP_STAR, 5), MW_OK);
    assert_int_equal(mw_imap_seqbuf_get(&sb, &s), MW_OK);
    assert_int_equal(s.text.len, 31);
    assert_memory_equal(s.text.ptr, "1:3,7,9:10,4294967295,15:20,5:*", 31);
    assert_int_equal(s.ranges, 6);
    assert_int_equal(s.has_star, 1);
    assert_int_equal(mw_imap_seqset_parse(s.text.ptr, s.text.len, NULL, NULL),
                     MW_OK);
    /* NOSPACE is sticky; 0 is not a number */
    assert_int_equal(mw_imap_seqbuf_add(&sb, 1, 1), MW_E_NOSPACE);
    assert_int_equal(mw_imap_seqbuf_get(&sb, &s), MW_E_NOSPACE);
    mw_imap_seqbuf_init(&sb, b, sizeof b);
    assert_int_equal(mw_imap_seqbuf_num(&sb, 0), MW_E_INVAL);
    assert_int_equal(mw_imap_seqbuf_get(&sb, &s), MW_E_INVAL);
    /* the capacity at cap-1 / cap: "1,2,...": exactly fitting */
    mw_imap_seqbuf_init(&sb, b, 3);
    assert_int_equal(mw_imap_seqbuf_add(&sb, 1, 1), MW_OK);
    assert_int_equal(mw_imap_seqbuf_add(&sb, 3, 3), MW_OK); /* "1,3" */
    assert_int_equal(mw_imap_seqbuf_add(&sb, 5, 5), MW_E_NOSPACE);
    mw_imap_seqset_all(&s);
    assert_memory_equal(s.text.ptr, "1:*", 3);
}

static void test_query_builder(void **state)
{
    char b[512];
    mw_imap_query q;
    mw_imap_datetime d;
    mw_imap_seqset set;
    int i;
    cli *x = cli_selected("IMAP4rev1");
    (void)state;
    /* OR with one operand, unclosed and empty parentheses: incomplete */
    mw_imap_query_init(&q, b, sizeof b);
    mw_imap_query_or(&q);
    mw_imap_query_key(&q, MW_IMAP_QUERY_SEEN);
    assert_int_equal(mw_imap_client_search(&x->c, &q, NULL, NULL), MW_E_INVAL);
    mw_imap_query_key(&q, MW_IMAP_QUERY_DRAFT);
    assert_int_equal(mw_imap_client_search(&x->c, &q, NULL, NULL), MW_OK);
    sent(x, "A3 SEARCH OR SEEN DRAFT\r\n");
    mw_imap_query_init(&q, b, sizeof b);
    mw_imap_query_open(&q);
    assert_int_equal(mw_imap_query_close(&q), MW_E_INVAL); /* empty */
    assert_int_equal(mw_imap_client_search(&x->c, &q, NULL, NULL), MW_E_INVAL);
    mw_imap_query_init(&q, b, sizeof b);
    assert_int_equal(mw_imap_query_close(&q), MW_E_INVAL); /* none open */
    mw_imap_query_init(&q, b, sizeof b);
    assert_int_equal(mw_imap_client_search(&x->c, &q, NULL, NULL), MW_E_INVAL);
    /* nested: NOT (OR FROM x (TO y SUBJECT z)) UID 1:5 HEADER, numbers */
    memset(&d, 0, sizeof d);
    d.year = 2024;
    d.month = 2;
    d.day = 29;
    mw_imap_query_init(&q, b, sizeof b);
    mw_imap_query_not(&q);
    mw_imap_query_open(&q);
    mw_imap_query_or(&q);
    mw_imap_query_string(&q, MW_IMAP_QUERY_FROM, S_("x"));
    mw_imap_query_open(&q);
    mw_imap_query_string(&q, MW_IMAP_QUERY_TO, S_("y"));
    mw_imap_query_string(&q, MW_IMAP_QUERY_SUBJECT, S_("z z"));
    assert_int_equal(mw_imap_query_close(&q), MW_OK);
    assert_int_equal(mw_imap_query_close(&q), MW_OK);
    assert_int_equal(mw_imap_seqset_parse(S_("1:5"), &set, NULL), MW_OK);
    mw_imap_query_set(&q, 1, &set);
    mw_imap_query_set(&q, 0, &set);
    mw_imap_query_header(&q, S_("List-Id"), S_("<x.example>"));
    mw_imap_query_header(&q, S_("X-Empty"), "", 0);
    mw_imap_query_number(&q, MW_IMAP_QUERY_LARGER, 4294967296ull);
    mw_imap_query_number(&q, MW_IMAP_QUERY_YOUNGER, 3600);
    mw_imap_query_number(&q, MW_IMAP_QUERY_MODSEQ, 0);
    mw_imap_query_string(&q, MW_IMAP_QUERY_KEYWORD, S_("$Junk"));
    mw_imap_query_string(&q, MW_IMAP_QUERY_EMAILID, S_("M6d99ac3275bb4e"));
    mw_imap_query_date(&q, MW_IMAP_QUERY_SENTBEFORE, &d);
    mw_imap_query_key(&q, MW_IMAP_QUERY_SAVEDATESUPPORTED);
    assert_int_equal(q.status, MW_OK);
    assert_int_equal(mw_imap_client_search(&x->c, &q, NULL, NULL), MW_OK);
    sent(x, "A4 SEARCH NOT (OR FROM \"x\" (TO \"y\" SUBJECT \"z z\")) UID 1:5 "
            "1:5 HEADER List-Id \"<x.example>\" HEADER X-Empty \"\" LARGER "
            "4294967296 YOUNGER 3600 MODSEQ 0 KEYWORD $Junk EMAILID "
            "M6d99ac3275bb4e SENTBEFORE 29-Feb-2024 SAVEDATESUPPORTED\r\n");
    /* wrong argument kinds and values are sticky errors */
    mw_imap_query_init(&q, b, sizeof b);
    assert_int_equal(mw_imap_query_key(&q, MW_IMAP_QUERY_FROM), MW_E_INVAL);
    assert_int_equal(mw_imap_query_key(&q, MW_IMAP_QUERY_ALL), MW_E_INVAL);
    assert_int_equal(mw_imap_client_search(&x->c, &q, NULL, NULL), MW_E_INVAL);
    mw_imap_query_init(&q, b, sizeof b);
    assert_int_equal(mw_imap_query_string(&q, MW_IMAP_QUERY_KEYWORD, S_("a b")),
                     MW_E_INVAL);
    mw_imap_query_init(&q, b, sizeof b);
    assert_int_equal(mw_imap_query_string(&q, MW_IMAP_QUERY_BODY, "a\0", 2),
                     MW_E_INVAL);
    mw_imap_query_init(&q, b, sizeof b);
    assert_int_equal(mw_imap_query_number(&q, MW_IMAP_QUERY_OLDER, 0),
                     MW_E_INVAL);
    mw_imap_query_init(&q, b, sizeof b);
    assert_int_equal(mw_imap_query_header(&q, S_("Bad:Name"), S_("x")),
                     MW_E_INVAL);
    mw_imap_query_init(&q, b, sizeof b);
    d.year = 2023; /* 29 Feb 2023 does not exist */
    assert_int_equal(mw_imap_query_date(&q, MW_IMAP_QUERY_ON, &d), MW_E_INVAL);
    /* depth: MW_IMAP_QUERY_DEPTH open at once is fine, one more is not */
    mw_imap_query_init(&q, b, sizeof b);
    for (i = 0; i < MW_IMAP_QUERY_DEPTH; i++)
        assert_int_equal(mw_imap_query_not(&q), MW_OK);
    assert_int_equal(mw_imap_query_not(&q), MW_E_DEPTH);
    assert_int_equal(mw_imap_client_search(&x->c, &q, NULL, NULL), MW_E_DEPTH);
    mw_imap_query_init(&q, b, sizeof b);
    for (i = 0; i < MW_IMAP_QUERY_DEPTH; i++)
        assert_int_equal(mw_imap_query_not(&q), MW_OK);
    assert_int_equal(mw_imap_query_key(&q, MW_IMAP_QUERY_ALL), MW_OK);
    assert_int_equal(mw_imap_client_search(&x->c, &q, NULL, NULL), MW_OK);
    x->outlen = 0;
    assert_int_equal(srv(x, "A5 OK done\r\n"), MW_OK);
    /* strings that need literals; 8-bit adds CHARSET UTF-8 (RFC 3501
     * §6.4.4 example "A284 SEARCH CHARSET UTF-8 TEXT {6}") */
    mw_imap_query_init(&q, b, sizeof b);
    mw_imap_query_string(&q, MW_IMAP_QUERY_TEXT, S_("XXXXXX"));
    mw_imap_query_string(&q, MW_IMAP_QUERY_BODY, S_("\xd1\x82\xd0\xb5\xd1\x81"));
    mw_imap_query_string(&q, MW_IMAP_QUERY_SUBJECT, S_("a\r\nb"));
    assert_int_equal(mw_imap_client_search(&x->c, &q, NULL, NULL), MW_OK);
    sent(x, "A6 SEARCH CHARSET UTF-8 TEXT \"XXXXXX\" BODY {6}\r\n");
    assert_int_equal(srv(x, "+ \r\n"), MW_OK);
    sent(x, "\xd1\x82\xd0\xb5\xd1\x81 SUBJECT {4}\r\n");
    assert_int_equal(srv(x, "+ \r\n"), MW_OK);
    sent(x, "a\r\nb\r\n");
    /* a literal whose content ends in "(" is still followed by a SP */
    mw_imap_query_init(&q, b, sizeof b);
    mw_imap_query_string(&q, MW_IMAP_QUERY_BODY, S_("x\n("));
    mw_imap_query_key(&q, MW_IMAP_QUERY_SEEN);
    assert_int_equal(mw_imap_client_search(&x->c, &q, NULL, NULL), MW_OK);
    sent(x, "A7 SEARCH BODY {3}\r\n");
    assert_int_equal(srv(x, "+ \r\n"), MW_OK);
    sent(x, "x\n( SEEN\r\n");
    /* a buffer too small: NOSPACE, sticky */
    mw_imap_query_init(&q, b, 6);
    assert_int_equal(mw_imap_query_key(&q, MW_IMAP_QUERY_ANSWERED),
                     MW_E_NOSPACE);
    assert_int_equal(mw_imap_query_key(&q, MW_IMAP_QUERY_ALL), MW_E_NOSPACE);
    cli_free(x);
    /* LITERAL+ turns the builder's literals non-synchronising */
    x = cli_selected("IMAP4rev1 LITERAL+");
    mw_imap_query_init(&q, b, sizeof b);
    mw_imap_query_string(&q, MW_IMAP_QUERY_BODY, S_("\xc3\xa4"));
    assert_int_equal(mw_imap_client_search(&x->c, &q, NULL, NULL), MW_OK);
    sent(x, "A3 SEARCH CHARSET UTF-8 BODY {2+}\r\n\xc3\xa4\r\n");
    cli_free(x);
}

static void test_items_builder(void **state)
{
    char b[64];
    mw_imap_items it;
    mw_imap_section s;
    static const uint32_t zero[] = {0};
    static const char *const bad[] = {"a:b"};
    cli *x = cli_selected(NULL);
    mw_imap_seqset set;
    (void)state;
    mw_imap_seqset_all(&set);
    mw_imap_items_init(&it, b, sizeof b);
    assert_int_equal(mw_imap_client_fetch(&x->c, &set, &it, NULL, NULL),
                     MW_E_INVAL); /* no items */
    assert_int_equal(mw_imap_items_add(&it, MW_IMAP_ITEM_ALL), MW_OK);
    assert_int_equal(mw_imap_items_add(&it, MW_IMAP_ITEM_UID), MW_E_INVAL);
    assert_int_equal(mw_imap_client_fetch(&x->c, &set, &it, NULL, NULL),
                     MW_E_INVAL);
    mw_imap_items_init(&it, b, sizeof b);
    assert_int_equal(mw_imap_items_add(&it, MW_IMAP_ITEM_UID), MW_OK);
    assert_int_equal(mw_imap_items_add(&it, MW_IMAP_ITEM_FAST), MW_E_INVAL);
    mw_imap_items_init(&it, b, sizeof b);
    assert_int_equal(mw_imap_items_add(&it, 99), MW_E_INVAL);
    memset(&s, 0, sizeof s);
    s.item = MW_IMAP_SECT_BINARY;
    s.text = MW_IMAP_SECT_HEADER;
    mw_imap_items_init(&it, b, sizeof b);
    assert_int_equal(mw_imap_items_section(&it, &s), MW_E_INVAL);
    s.item = MW_IMAP_SECT_BODY;
    s.text = MW_IMAP_SECT_MIME;
    mw_imap_items_init(&it, b, sizeof b);
    assert_int_equal(mw_imap_items_section(&it, &s), MW_E_INVAL);
    s.text = MW_IMAP_SECT_FIELDS;
    mw_imap_items_init(&it, b, sizeof b);
    assert_int_equal(mw_imap_items_section(&it, &s), MW_E_INVAL);
    s.fields = bad;
    s.nfields = 1;
    mw_imap_items_init(&it, b, sizeof b);
    assert_int_equal(mw_imap_items_section(&it, &s), MW_E_INVAL);
    s.text = MW_IMAP_SECT_ALL;
    s.part = zero;
    s.nparts = 1;
    mw_imap_items_init(&it, b, sizeof b);
    assert_int_equal(mw_imap_items_section(&it, &s), MW_E_INVAL);
    s.nparts = 0;
    s.partial = 1;
    s.length = 0;
    mw_imap_items_init(&it, b, sizeof b);
    assert_int_equal(mw_imap_items_section(&it, &s), MW_E_INVAL);
    s.item = MW_IMAP_SECT_BINARY_SIZE;
    s.length = 1;
    mw_imap_items_init(&it, b, sizeof b);
    assert_int_equal(mw_imap_items_section(&it, &s), MW_E_INVAL);
    /* the buffer at cap: "BODY[]" is 6 bytes */
    s.item = MW_IMAP_SECT_BODY;
    s.partial = 0;
    mw_imap_items_init(&it, b, 5);
    assert_int_equal(mw_imap_items_section(&it, &s), MW_E_NOSPACE);
    mw_imap_items_init(&it, b, 6);
    assert_int_equal(mw_imap_items_section(&it, &s), MW_OK);
    assert_int_equal(mw_imap_client_fetch(&x->c, &set, &it, NULL, NULL),
                     MW_OK);
    sent(x, "A3 FETCH 1:* BODY[]\r\n");
    cli_free(x);
}

/* ====================================================================== */
/* Limits                                                                  */

static void test_limits(void **state)
{
    cli *x;
    unsigned i;
    mw_imap_client_config cfg;
    char prefix[MW_IMAP_CLIENT_PREFIX_MAX + 2];
    mw_imap_client c;
    mw_imap_client_callbacks cb;
    char buf[64];
    (void)state;
    /* the pending table: max_pending - 1, max_pending, max_pending + 1 */
    x = cli_new();
    x->cfg.max_pending = 3;
    cli_init_cfg(x, &x->cfg);
    assert_int_equal(srv(x, "* OK hi\r\n"), MW_OK);
    for (i = 0; i < 3; i++) {
        assert_true(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_SEND);
        assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_OK);
    }
    assert_false(mw_imap_client_want(&x->c) & MW_IMAP_CLIENT_WANT_SEND);
    x->outlen = 0;
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_E_LIMIT);
    nothing_sent(x);
    assert_int_equal(srv(x, "A2 OK done\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_OK);
    sent(x, "A4 NOOP\r\n");
    cli_free(x);
    /* max_pending 1 (no pipelining) and MW_IMAP_CLIENT_PENDING + 1 */
    mw_imap_client_config_init(&cfg);
    memset(&cb, 0, sizeof cb);
    cb.send = c_send;
    cfg.max_pending = MW_IMAP_CLIENT_PENDING;
    assert_int_equal(mw_imap_client_init(&c, &cfg, &cb, NULL, buf, sizeof buf),
                     MW_OK);
    cfg.max_pending = MW_IMAP_CLIENT_PENDING + 1;
    assert_int_equal(mw_imap_client_init(&c, &cfg, &cb, NULL, buf, sizeof buf),
                     MW_E_INVAL);
    cfg.max_pending = 0;
    assert_int_equal(mw_imap_client_init(&c, &cfg, &cb, NULL, buf, sizeof buf),
                     MW_E_INVAL);
    /* the tag prefix at 15, 16, 17 characters; bad characters */
    mw_imap_client_config_init(&cfg);
    memset(prefix, 'T', sizeof prefix);
    for (i = MW_IMAP_CLIENT_PREFIX_MAX - 1; i <= MW_IMAP_CLIENT_PREFIX_MAX + 1;
         i++) {
        prefix[i] = '\0';
        cfg.tag_prefix = prefix;
        assert_int_equal(mw_imap_client_init(&c, &cfg, &cb, NULL, buf,
                                             sizeof buf),
                         i <= MW_IMAP_CLIENT_PREFIX_MAX ? MW_OK : MW_E_INVAL);
        prefix[i] = 'T';
    }
    cfg.tag_prefix = "";
    assert_int_equal(mw_imap_client_init(&c, &cfg, &cb, NULL, buf, sizeof buf),
                     MW_E_INVAL);
    cfg.tag_prefix = "A+";
    assert_int_equal(mw_imap_client_init(&c, &cfg, &cb, NULL, buf, sizeof buf),
                     MW_E_INVAL);
    cfg.tag_prefix = "A B";
    assert_int_equal(mw_imap_client_init(&c, &cfg, &cb, NULL, buf, sizeof buf),
                     MW_E_INVAL);
    cfg.tag_prefix = "A";
    cfg.tag_start = 0;
    assert_int_equal(mw_imap_client_init(&c, &cfg, &cb, NULL, buf, sizeof buf),
                     MW_E_INVAL);
    /* the frame buffer and the response limit: 63, 64 */
    mw_imap_client_config_init(&cfg);
    assert_int_equal(mw_imap_client_init(&c, &cfg, &cb, NULL, buf, 63),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_client_init(&c, &cfg, &cb, NULL, buf, 64), MW_OK);
    cfg.max_response = 65;
    assert_int_equal(mw_imap_client_init(&c, &cfg, &cb, NULL, buf, 64),
                     MW_E_INVAL);
    cfg.max_response = 63;
    assert_int_equal(mw_imap_client_init(&c, &cfg, &cb, NULL, buf, 64),
                     MW_E_INVAL);
    /* the command length: a 64-byte command buffer holds a command of 64
     * bytes and not one of 65 */
    x = cli_new();
    x->cfg.cmdbuf = x->bigcmd;
    x->cfg.cmdbuf_len = 64;
    cli_init_cfg(x, &x->cfg);
    assert_int_equal(srv(x, "* PREAUTH hi\r\n"), MW_OK);
    {
        /* "A1 CREATE " (10) + name + CRLF (2) */
        char name[64];
        memset(name, 'n', sizeof name);
        assert_int_equal(mw_imap_client_create(&x->c, name, 53, NULL),
                         MW_E_NOSPACE);
        nothing_sent(x);
        assert_int_equal(mw_imap_client_create(&x->c, name, 52, NULL), MW_OK);
        assert_int_equal(x->outlen, 64);
        x->outlen = 0;
        assert_int_equal(mw_imap_client_create(&x->c, name, 51, NULL), MW_OK);
        assert_int_equal(x->outlen, 63);
    }
    cli_free(x);
    mw_imap_client_config_init(&cfg);
    cfg.cmdbuf = buf;
    cfg.cmdbuf_len = 63;
    assert_int_equal(mw_imap_client_init(&c, &cfg, &cb, NULL, buf, 64),
                     MW_E_INVAL);
    /* the tag counter wraps to 1, never 0 */
    x = cli_new();
    x->cfg.tag_start = 4294967295u;
    cli_init_cfg(x, &x->cfg);
    assert_int_equal(srv(x, "* OK hi\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_OK);
    assert_int_equal(mw_imap_client_noop(&x->c, NULL), MW_OK);
    sent(x, "A4294967295 NOOP\r\nA1 NOOP\r\n");
    assert_int_equal(srv(x, "A4294967295 OK done\r\nA1 OK done\r\n"), MW_OK);
    assert_int_equal(mw_imap_client_pending(&x->c), 0);
    cli_free(x);
    /* the context stays within 4 KB (goal of issue 5) */
    assert_true(mw_imap_client_sizeof() <= 4096);
}

/* ====================================================================== */

/* ====================================================================== */

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3501_session),
        cmocka_unit_test(test_rfc9051_session),
        cmocka_unit_test(test_round_trips_session),
        cmocka_unit_test(test_wire_any_state),
        cmocka_unit_test(test_wire_not_authenticated),
        cmocka_unit_test(test_wire_authenticated),
        cmocka_unit_test(test_wire_selected),
        cmocka_unit_test(test_wire_close_idle_compress),
        cmocka_unit_test(test_literal_sync),
        cmocka_unit_test(test_literal_plus_minus),
        cmocka_unit_test(test_append),
        cmocka_unit_test(test_append_utf8),
        cmocka_unit_test(test_append_literal_plus),
        cmocka_unit_test(test_catenate_rfc4469),
        cmocka_unit_test(test_catenate_wire),
        cmocka_unit_test(test_catenate_literal_plus),
        cmocka_unit_test(test_catenate_multiappend),
        cmocka_unit_test(test_catenate_refused),
        cmocka_unit_test(test_catenate_errors),
        cmocka_unit_test(test_starttls_injection),
        cmocka_unit_test(test_tls_required),
        cmocka_unit_test(test_greeting),
        cmocka_unit_test(test_tags_and_pipelining),
        cmocka_unit_test(test_state_rules),
        cmocka_unit_test(test_pause_and_abort),
        cmocka_unit_test(test_auth_plain),
        cmocka_unit_test(test_auth_login_cram),
        cmocka_unit_test(test_auth_oauth),
        cmocka_unit_test(test_auth_hook_and_app),
        cmocka_unit_test(test_injection_refused),
        cmocka_unit_test(test_mailbox_names),
        cmocka_unit_test(test_seqbuf),
        cmocka_unit_test(test_query_builder),
        cmocka_unit_test(test_items_builder),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests_name("imap_client", tests, NULL, NULL);
}
