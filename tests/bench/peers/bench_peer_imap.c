/* SPDX-License-Identifier: MIT */
/*
 * IMAP response parsing side by side: mailwire's client machine and
 * libetpan's IMAP client over the same answer to
 * `UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)`
 * (imap_env.c: the same kind of stream as bench_imap_client's "env" pass,
 * generated here because that generator is private to its file), next to
 * memchr and memcpy over the same bytes in the same run.
 *
 * Both clients talk to the same scripted server in memory: a greeting
 * (PREAUTH), SELECT, then the UID FETCH whose answer is the stream. Only
 * the UID FETCH is measured: for mailwire the stream fed in 64 KiB chunks
 * (spans, as a socket read loop would hand them); for libetpan
 * mailimap_uid_fetch() reading the stream through a mailstream whose
 * low-level driver copies from memory in reads of up to 64 KiB (what a
 * socket read would copy), the result list walked and freed. Both count the
 * FETCH responses and the envelope addresses they got; the counts must
 * equal what was generated.
 *
 *   bench_peer_imap [--msgs N] [--reps N] [--only PASS]
 *   tests/bench/callgrind_bench.sh BUILD bench_peer_imap memchr mailwire \
 *       etpan -- --msgs 2000
 * Timing is informative only.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <mailwire/mailwire.h>
#include <mailwire/imap.h>
#include <libetpan/libetpan.h>

#include "imap_env.h"
#include "peer_run.h"

#define CHUNK 65536u

static imap_env env;

/* What a client got from the UID FETCH. */
static size_t got_msgs, got_addrs, got_done, got_errors;

static void clear_got(void)
{
    got_msgs = got_addrs = got_done = got_errors = 0;
}

static int note_got(char *note, size_t cap)
{
    snprintf(note, cap, "%zu FETCH responses, %zu envelope addresses, "
                        "%zu tagged OK, %zu errors (generated: %zu, %zu)",
             got_msgs, got_addrs, got_done, got_errors, env.msgs,
             env.addresses);
    return got_msgs != env.msgs || got_addrs != env.addresses ||
           got_done != 1 || got_errors != 0;
}

/* ---- the scripted server ------------------------------------------------- */

typedef struct piece {
    const char *p;
    size_t n;
} piece;

static piece queue[4];
static size_t queued, taken;
static char heard[512], tagged[128], select_answer[160];
static size_t heard_n;

static void say(const char *p, size_t n)
{
    if (queued < sizeof queue / sizeof queue[0]) {
        queue[queued].p = p;
        queue[queued].n = n;
        queued++;
    }
}

/* A whole command line came: queue its answer. */
static void answer(void)
{
    const char *sp = memchr(heard, ' ', heard_n);
    int taglen = sp != NULL ? (int)(sp - heard) : 0;
    const char *cmd = sp != NULL ? sp + 1 : "";
    const char *verdict = "BAD unexpected command";
    queued = taken = 0;
    if (!strncmp(cmd, "SELECT ", 7)) {
        say(select_answer, strlen(select_answer));
        verdict = "OK [READ-WRITE] SELECT completed";
    } else if (!strncmp(cmd, "UID FETCH 1:* ", 14)) {
        say(env.data, env.len);
        verdict = "OK UID FETCH completed";
    }
    snprintf(tagged, sizeof tagged, "%.*s %s\r\n", taglen, heard, verdict);
    say(tagged, strlen(tagged));
    heard_n = 0;
}

static void server_hears(const char *p, size_t n)
{
    size_t k = n < sizeof heard - 1 - heard_n ? n : sizeof heard - 1 - heard_n;
    memcpy(heard + heard_n, p, k);
    heard_n += k;
    heard[heard_n] = '\0';
    if (heard_n >= 2 && heard[heard_n - 2] == '\r' && heard[heard_n - 1] == '\n')
        answer();
}

/* The next at most `max` bytes the server says, as a span; 0 at the end. */
static size_t server_says(const char **p, size_t max)
{
    while (taken < queued && queue[taken].n == 0)
        taken++;
    if (taken == queued)
        return 0;
    {
        piece *q = &queue[taken];
        size_t n = q->n < max ? q->n : max;
        *p = q->p;
        q->p += n;
        q->n -= n;
        return n;
    }
}

static void server_greets(void)
{
    static const char hello[] = "* PREAUTH [CAPABILITY IMAP4rev1] ready\r\n";
    queued = taken = 0;
    heard_n = 0;
    say(hello, sizeof hello - 1);
}

/* ---- mailwire ------------------------------------------------------------ */

static mw_imap_client cli;
static char frame[MW_IMAP_CLIENT_BUF_SIZE];
static unsigned char arena[256 * 1024];

static int cli_send(mw_imap_client *c, void *u, const char *p, size_t n)
{
    (void)c;
    (void)u;
    server_hears(p, n);
    return 0;
}

static int cli_status(mw_imap_client *c, void *u, const mw_imap_status *st)
{
    (void)c;
    (void)u;
    got_done += st->cmd == MW_IMAP_CMD_FETCH && st->result == MW_IMAP_OK;
    return 0;
}

static int cli_item(mw_imap_client *c, void *u, const mw_imap_fetch_item *it)
{
    (void)c;
    (void)u;
    if (it->id == MW_IMAP_FETCH_ENVELOPE) {
        const mw_imap_envelope *e = it->envelope;
        got_addrs += (size_t)e->from.count + e->sender.count +
                     e->reply_to.count + e->to.count + e->cc.count +
                     e->bcc.count;
    }
    return 0;
}

static int cli_end(mw_imap_client *c, void *u, uint32_t msg)
{
    (void)c;
    (void)u;
    (void)msg;
    got_msgs++;
    return 0;
}

static int cli_error(mw_imap_client *c, void *u, int status, size_t at,
                  const char *why)
{
    (void)c;
    (void)u;
    if (got_errors++ < 5)
        fprintf(stderr, "mailwire: %s at %zu: %s\n", mw_status_name(status),
                at, why);
    return 0;
}

/* Feed what the server says in chunks of at most CHUNK bytes. */
static void cli_hear_all(void)
{
    const char *p;
    size_t n;
    while ((n = server_says(&p, CHUNK)) > 0) {
        size_t used = 0;
        int rc = mw_imap_client_feed(&cli, p, n, &used);
        if (rc != MW_OK || used != n) {
            fprintf(stderr, "mailwire: feed: %s\n", mw_strerror(rc));
            exit(1);
        }
    }
}

/* Greeting, SELECT, and the UID FETCH sent: the answer waits queued. */
static void cli_prepare(void)
{
    const mw_imap_client_callbacks cb = {.send = cli_send,
                                         .status = cli_status,
                                         .fetch_item = cli_item,
                                         .fetch_end = cli_end,
                                         .error = cli_error};
    mw_imap_client_config cfg;
    mw_imap_fetch_params fp = {1, 0, 0, 0};
    mw_imap_seqset all;
    mw_imap_items items;
    char itembuf[128];
    static const int want[] = {MW_IMAP_ITEM_UID, MW_IMAP_ITEM_FLAGS,
                               MW_IMAP_ITEM_INTERNALDATE,
                               MW_IMAP_ITEM_RFC822_SIZE, MW_IMAP_ITEM_ENVELOPE,
                               MW_IMAP_ITEM_BODYSTRUCTURE};
    mw_imap_client_config_init(&cfg);
    cfg.arena = arena;
    cfg.arena_len = sizeof arena;
    server_greets();
    if (mw_imap_client_init(&cli, &cfg, &cb, NULL, frame, sizeof frame) != MW_OK) {
        fprintf(stderr, "mailwire: init failed\n");
        exit(1);
    }
    cli_hear_all();
    if (mw_imap_client_select(&cli, "INBOX", 5, NULL, NULL) != MW_OK) {
        fprintf(stderr, "mailwire: SELECT refused\n");
        exit(1);
    }
    cli_hear_all();
    mw_imap_seqset_all(&all);
    mw_imap_items_init(&items, itembuf, sizeof itembuf);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        mw_imap_items_add(&items, want[i]);
    if (mw_imap_client_fetch(&cli, &all, &items, &fp, NULL) != MW_OK) {
        fprintf(stderr, "mailwire: UID FETCH refused\n");
        exit(1);
    }
    clear_got();
}

__attribute__((noinline)) void bench_pass_mailwire(void)
{
    cli_hear_all();
}

/* ---- libetpan ------------------------------------------------------------ */

/* A mailstream_low driver over the scripted server: reads copy from it,
 * writes go to it. */
static ssize_t low_read(mailstream_low *s, void *buf, size_t count)
{
    const char *p = NULL;
    size_t n = server_says(&p, count);
    (void)s;
    if (n > 0)
        memcpy(buf, p, n);
    return (ssize_t)n;
}

static ssize_t low_write(mailstream_low *s, const void *buf, size_t count)
{
    (void)s;
    server_hears(buf, count);
    return (ssize_t)count;
}

static int low_close(mailstream_low *s)
{
    (void)s;
    return 0;
}

static int low_fd(mailstream_low *s)
{
    (void)s;
    return -1;
}

/* The driver owns the mailstream_low it was created with. */
static void low_free(mailstream_low *s)
{
    free(s);
}

static void low_cancel(mailstream_low *s)
{
    (void)s;
}

static struct mailstream_cancel *low_get_cancel(mailstream_low *s)
{
    (void)s;
    return NULL;
}

static carray *low_certs(mailstream_low *s)
{
    (void)s;
    return NULL;
}

static int low_idle(mailstream_low *s)
{
    (void)s;
    return -1;
}

static mailstream_low_driver memory_driver = {
    low_read, low_write, low_close, low_fd, low_free, low_cancel,
    low_get_cancel, low_certs, low_idle, low_idle, low_idle};

static mailimap *imap;
static struct mailimap_set *all_uids;
static struct mailimap_fetch_type *fetch_items;

static void etpan_prepare(void)
{
    mailstream *st;
    int rc;
    server_greets();
    imap = mailimap_new(0, NULL);
    st = mailstream_new(mailstream_low_new(NULL, &memory_driver), CHUNK);
    if (imap == NULL || st == NULL) {
        fprintf(stderr, "libetpan: out of memory\n");
        exit(1);
    }
    rc = mailimap_connect(imap, st);
    if (rc != MAILIMAP_NO_ERROR && rc != MAILIMAP_NO_ERROR_AUTHENTICATED) {
        fprintf(stderr, "libetpan: connect: %d\n", rc);
        exit(1);
    }
    if ((rc = mailimap_select(imap, "INBOX")) != MAILIMAP_NO_ERROR) {
        fprintf(stderr, "libetpan: SELECT: %d\n", rc);
        exit(1);
    }
    clear_got();
}

static size_t etpan_count(const clist *l)
{
    return l != NULL ? (size_t)clist_count(l) : 0;
}

static void etpan_envelope(const struct mailimap_envelope *e)
{
    if (e->env_from != NULL)
        got_addrs += etpan_count(e->env_from->frm_list);
    if (e->env_sender != NULL)
        got_addrs += etpan_count(e->env_sender->snd_list);
    if (e->env_reply_to != NULL)
        got_addrs += etpan_count(e->env_reply_to->rt_list);
    if (e->env_to != NULL)
        got_addrs += etpan_count(e->env_to->to_list);
    if (e->env_cc != NULL)
        got_addrs += etpan_count(e->env_cc->cc_list);
    if (e->env_bcc != NULL)
        got_addrs += etpan_count(e->env_bcc->bcc_list);
}

__attribute__((noinline)) void bench_pass_etpan(void)
{
    clist *result = NULL;
    int rc = mailimap_uid_fetch(imap, all_uids, fetch_items, &result);
    if (rc != MAILIMAP_NO_ERROR) {
        if (got_errors++ == 0)
            fprintf(stderr, "libetpan: UID FETCH: %d\n", rc);
        return;
    }
    got_done++;
    for (clistiter *m = clist_begin(result); m != NULL; m = clist_next(m)) {
        const struct mailimap_msg_att *att = clist_content(m);
        got_msgs++;
        for (clistiter *i = clist_begin(att->att_list); i != NULL;
             i = clist_next(i)) {
            const struct mailimap_msg_att_item *it = clist_content(i);
            if (it->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
                it->att_data.att_static->att_type == MAILIMAP_MSG_ATT_ENVELOPE)
                etpan_envelope(it->att_data.att_static->att_data.att_env);
        }
    }
    mailimap_fetch_list_free(result);
}

static int etpan_finish(char *note, size_t cap)
{
    mailimap_free(imap); /* closes and frees the stream */
    imap = NULL;
    return note_got(note, cap);
}

static void etpan_request(void)
{
    static struct mailimap_fetch_att *(*const item[])(void) = {
        mailimap_fetch_att_new_uid, mailimap_fetch_att_new_flags,
        mailimap_fetch_att_new_internaldate, mailimap_fetch_att_new_rfc822_size,
        mailimap_fetch_att_new_envelope, mailimap_fetch_att_new_bodystructure};
    all_uids = mailimap_set_new_interval(1, 0); /* 1:* */
    fetch_items = mailimap_fetch_type_new_fetch_att_list_empty();
    for (size_t i = 0; i < sizeof item / sizeof item[0]; i++)
        if (all_uids == NULL || fetch_items == NULL ||
            mailimap_fetch_type_new_fetch_att_list_add(fetch_items, item[i]()) !=
                MAILIMAP_NO_ERROR) {
            fprintf(stderr, "libetpan: out of memory\n");
            exit(1);
        }
}

/* ---- main ---------------------------------------------------------------- */

static const peer_pass passes[] = {
    PEER_BASELINES("the FETCH responses"),
    {"mailwire",
     "mw_imap_client_feed of the UID FETCH answer in 64 KiB spans: every "
     "FETCH item parsed, ENVELOPE and BODYSTRUCTURE built in a 256 KiB arena "
     "(reused per response), envelope addresses counted; no allocation",
     cli_prepare, bench_pass_mailwire, note_got, "memchr"},
    {"etpan",
     "libetpan mailimap_uid_fetch (sends the command, reads the answer "
     "through a memory mailstream driver in reads of up to 64 KiB, parses "
     "every response into its structures), the result list walked "
     "(envelope addresses counted), mailimap_fetch_list_free",
     etpan_prepare, bench_pass_etpan, etpan_finish, "memchr"},
};

int main(int argc, char **argv)
{
    peer_opts o = {0, 20000, 3, NULL};
    int rc;

    peer_parse_args(argc, argv, &o);
    imap_env_make(&env, o.msgs, 1);
    peer_set_input(env.data, env.len);
    snprintf(select_answer, sizeof select_answer,
             "* %zu EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen \\Answered "
             "\\Flagged \\Deleted \\Draft)\r\n* OK [UIDVALIDITY 1] ok\r\n",
             env.msgs);
    etpan_request();
    printf("IMAP clients side by side: UID FETCH 1:* (UID FLAGS INTERNALDATE "
           "RFC822.SIZE ENVELOPE BODYSTRUCTURE), %zu messages, %zu bytes of "
           "FETCH responses, CPU time, best of %d\n", env.msgs, env.len,
           o.reps);
    printf("mailwire %s, libetpan %s\n", mw_version_string(),
           MW_PEER_ETPAN_VERSION);
    rc = peer_run(passes, sizeof passes / sizeof passes[0], env.len, &o);
    mailimap_set_free(all_uids);
    mailimap_fetch_type_free(fetch_items);
    imap_env_free(&env);
    return rc;
}
