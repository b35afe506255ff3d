/* SPDX-License-Identifier: MIT */
/*
 * POP3 RETR benchmark: about 50 MB of realistic messages (the corpus's
 * headers: Received chains, DKIM, folded recipient lists; then generated
 * bodies: text paragraphs with the occasional line that starts with '.',
 * and base64 attachments in 76-character lines).
 *
 *   server  the server machine answers RETR for every message: the
 *           application writes each message with mw_pop3_server_write(),
 *           the machine dot-stuffs it and hands spans to `send` (which
 *           only counts them), then ends it with ".".
 *   client  the client machine reads the resulting RETR stream (status
 *           line, stuffed body, "." per message, 64 KiB reads) with a
 *           RETR in flight for each, and hands the unstuffed bodies to
 *           `data` (which only counts them).
 * Each is printed next to memchr (finding every line end) and memcpy over
 * the same bytes in the same run: the messages for the server, the stream
 * for the client.
 *
 *   bench_pop3 [--mb N] [--reps N] [--only PASS]
 *
 * Instructions per byte, repeatable on a shared machine:
 *   valgrind --tool=callgrind --toggle-collect=bench_pass_client \
 *       build/tests/bench/bench_pop3 --mb 4 --reps 1 --only client
 * and divide the collected total by the "bytes" line the pass prints.
 * Timing is informative only; no test asserts on it.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mailwire/mailwire.h>

#include "corpus.h"

#if MW_ENABLE_POP3_SERVER && MW_ENABLE_POP3_CLIENT

static volatile size_t sink;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- the input -------------------------------------------------------- */

static char *msgs;           /* all messages, back to back */
static size_t msgs_len;
static size_t *msg_start, *msg_len, nmsgs;
static char *stream;         /* the RETR answers the server produced */
static size_t stream_len, stream_cap;
static char *copybuf;

static uint32_t rng = 2463534242u;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng % n;
}

static void grow(char **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return;
    while (*cap < need)
        *cap = *cap ? *cap * 2 : 1u << 20;
    *p = realloc(*p, *cap);
    if (*p == NULL)
        exit(1);
}

static size_t msgs_cap;

static void put(const char *p, size_t n)
{
    grow(&msgs, &msgs_cap, msgs_len + n);
    memcpy(msgs + msgs_len, p, n);
    msgs_len += n;
}

static const char *const words[] = {
    "the", "message", "is", "attached", "please", "find", "below", "meeting",
    "tomorrow", "report", "quarterly", "numbers", "thanks", "regards", "and",
    "we", "will", "review", "draft", "server", "mail", "update", "schedule",
    "budget", "project", "delivery", "customer", "invoice", "of", "to"};

static void body_text(unsigned lines)
{
    char l[100];
    for (unsigned i = 0; i < lines; i++) {
        size_t n = 0, want = 30 + rnd(48);
        if (rnd(40) == 0)
            l[n++] = '.'; /* a line that must be stuffed */
        while (n < want) {
            const char *w = words[rnd(sizeof words / sizeof words[0])];
            size_t k = strlen(w);
            if (n + k + 1 > sizeof l - 3)
                break;
            memcpy(l + n, w, k);
            n += k;
            l[n++] = ' ';
        }
        l[n - 1] = '\r';
        l[n++] = '\n';
        put(l, n);
        if (rnd(8) == 0)
            put("\r\n", 2);
    }
}

static void body_base64(size_t bytes)
{
    static const char a[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char l[80];
    static const char head[] = "\r\n--b\r\nContent-Type: application/pdf\r\n"
                               "Content-Transfer-Encoding: base64\r\n\r\n";
    put(head, sizeof head - 1);
    for (size_t done = 0; done < bytes; done += 76) {
        for (int i = 0; i < 76; i++)
            l[i] = a[rnd(64)];
        l[76] = '\r';
        l[77] = '\n';
        put(l, 78);
    }
    put("--b--\r\n", 7);
}

static void make_input(size_t target)
{
    bench_corpus c;
    /* headers are about a third of a typical message: ask for a third */
    bench_corpus_make(&c, target / 3, 42);
    msg_start = malloc(c.count * sizeof *msg_start);
    msg_len = malloc(c.count * sizeof *msg_len);
    for (size_t m = 0; m < c.count && msgs_len < target; m++) {
        size_t at = msgs_len;
        put(c.data + c.starts[m], c.header_len[m]);
        body_text(5 + rnd(40));
        if (rnd(3) == 0)
            body_base64(1024 + rnd(24 * 1024));
        msg_start[nmsgs] = at;
        msg_len[nmsgs] = msgs_len - at;
        nmsgs++;
    }
    bench_corpus_free(&c);
}

/* ---- the server pass -------------------------------------------------- */

static mw_pop3_server srv;
static char srv_line[MW_POP3_SERVER_LINEBUF_SIZE];
static size_t srv_bytes;
static int capture; /* first run: keep the output as the client's input */

static int srv_send(mw_pop3_server *s, void *u, const char *p, size_t n)
{
    (void)s;
    (void)u;
    srv_bytes += n;
    if (capture) {
        grow(&stream, &stream_cap, stream_len + n);
        memcpy(stream + stream_len, p, n);
        stream_len += n;
    }
    return 0;
}

static int srv_command(mw_pop3_server *s, void *u, const mw_pop3_cmd *c)
{
    (void)u;
    if (c->id == MW_POP3_CMD_RETR)
        return 0; /* answered by the pass */
    return mw_pop3_server_reply(s, 1, 0, NULL);
}

static void srv_setup(void)
{
    mw_pop3_server_callbacks cb = {0};
    size_t used;
    cb.send = srv_send;
    cb.command = srv_command;
    mw_pop3_server_init(&srv, NULL, &cb, NULL, srv_line, sizeof srv_line);
    mw_pop3_server_start(&srv, NULL);
    mw_pop3_server_feed(&srv, "USER a\r\nPASS b\r\n", 16, &used);
}

/* The work of a pass, outside the timed (and callgrind-collected)
 * function so that the set-up runs in main() are not counted. */
static void run_server(void)
{
    char status[64];
    srv_bytes = 0;
    for (size_t m = 0; m < nmsgs; m++) {
        size_t used;
        mw_pop3_server_feed(&srv, "RETR 1\r\n", 8, &used);
        snprintf(status, sizeof status, "%zu octets", msg_len[m]);
        mw_pop3_server_reply_begin(&srv, status);
        mw_pop3_server_write(&srv, msgs + msg_start[m], msg_len[m]);
        mw_pop3_server_reply_end(&srv);
    }
    sink += srv_bytes;
}

__attribute__((noinline)) void bench_pass_server(void)
{
    run_server();
}

/* ---- the client pass -------------------------------------------------- */

static mw_pop3_client cli;
static char cli_buf[MW_POP3_CLIENT_LINEBUF_SIZE];
static size_t cli_bytes, cli_ends, cli_sent;

static int cli_send(mw_pop3_client *c, void *u, const char *p, size_t n)
{
    (void)c;
    (void)u;
    (void)p;
    (void)n;
    return 0;
}

static int cli_data(mw_pop3_client *c, void *u, const char *p, size_t n)
{
    (void)c;
    (void)u;
    (void)p;
    cli_bytes += n;
    return 0;
}

/* Keep the pipeline full: a new RETR for each one answered. */
static int cli_end(mw_pop3_client *c, void *u, int cmd)
{
    (void)u;
    (void)cmd;
    cli_ends++;
    if (cli_sent < nmsgs) {
        mw_pop3_client_retr(c, 1);
        cli_sent++;
    }
    return 0;
}

static void cli_setup(void)
{
    mw_pop3_client_callbacks cb = {0};
    size_t used;
    cb.send = cli_send;
    cb.data = cli_data;
    cb.end = cli_end;
    mw_pop3_client_init(&cli, NULL, &cb, NULL, cli_buf, sizeof cli_buf);
    mw_pop3_client_feed(&cli, "+OK\r\n", 5, &used);
    mw_pop3_client_capa(&cli);
    mw_pop3_client_feed(&cli, "+OK\r\nPIPELINING\r\n.\r\n", 20, &used);
    mw_pop3_client_user(&cli, "a", 1);
    mw_pop3_client_feed(&cli, "+OK\r\n", 5, &used);
    mw_pop3_client_pass(&cli, "b", 1);
    mw_pop3_client_feed(&cli, "+OK\r\n", 5, &used);
}

static void run_client(void)
{
    const size_t chunk = 64 * 1024;
    cli_bytes = cli_ends = cli_sent = 0;
    while (cli_sent < nmsgs && cli_sent < MW_POP3_CLIENT_PIPELINE_MAX) {
        mw_pop3_client_retr(&cli, 1);
        cli_sent++;
    }
    for (size_t at = 0; at < stream_len;) {
        size_t n = stream_len - at < chunk ? stream_len - at : chunk, used = 0;
        int r = mw_pop3_client_feed(&cli, stream + at, n, &used);
        at += used;
        if (r < 0) {
            fprintf(stderr, "client: %s\n", mw_strerror(r));
            exit(1);
        }
    }
    sink += cli_bytes;
}

__attribute__((noinline)) void bench_pass_client(void)
{
    run_client();
}

/* ---- baselines -------------------------------------------------------- */

static void count_lines(const char *p, size_t n)
{
    const char *end = p + n;
    size_t lines = 0;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        lines++;
        p++;
    }
    sink += lines;
}

__attribute__((noinline)) void bench_pass_memchr(void)
{
    count_lines(stream, stream_len);
}

__attribute__((noinline)) void bench_pass_memcpy(void)
{
    memcpy(copybuf, stream, stream_len);
    sink += (unsigned char)copybuf[stream_len / 2];
}

__attribute__((noinline)) void bench_pass_memchr_msgs(void)
{
    count_lines(msgs, msgs_len);
}

__attribute__((noinline)) void bench_pass_memcpy_msgs(void)
{
    memcpy(copybuf, msgs, msgs_len);
    sink += (unsigned char)copybuf[msgs_len / 2];
}

typedef struct pass {
    const char *name;
    void (*fn)(void);
    const size_t *bytes;
    const char *base; /* the memchr pass to compare with */
} pass;

static const pass passes[] = {
    {"memchr_msgs", bench_pass_memchr_msgs, &msgs_len, NULL},
    {"memcpy_msgs", bench_pass_memcpy_msgs, &msgs_len, "memchr_msgs"},
    {"server", bench_pass_server, &msgs_len, "memchr_msgs"},
    {"memchr", bench_pass_memchr, &stream_len, NULL},
    {"memcpy", bench_pass_memcpy, &stream_len, "memchr"},
    {"client", bench_pass_client, &stream_len, "memchr"},
};

static double best_of(void (*fn)(void), int reps)
{
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        fn();
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    return best;
}

int main(int argc, char **argv)
{
    size_t mb = 50;
    int reps = 7;
    const char *only = NULL;
    double times[sizeof passes / sizeof passes[0]] = {0};

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--mb") && i + 1 < argc)
            mb = (size_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--mb N] [--reps N] [--only PASS]\n", argv[0]);
            return 2;
        }
    }
    make_input(mb << 20);
    srv_setup();
    cli_setup();
    /* one server run builds the client's input, and checks it */
    capture = 1;
    run_server();
    capture = 0;
    copybuf = malloc(stream_len > msgs_len ? stream_len : msgs_len);
    if (copybuf == NULL)
        return 1;
    run_client();
    if (cli_ends != nmsgs || cli_bytes != msgs_len) {
        fprintf(stderr, "round trip mismatch: %zu of %zu messages, %zu of %zu bytes\n",
                cli_ends, nmsgs, cli_bytes, msgs_len);
        return 1;
    }

    printf("mailwire %s POP3 RETR benchmark: %zu messages, %zu message bytes, "
           "%zu stream bytes, best of %d\n",
           mw_version_string(), nmsgs, msgs_len, stream_len, reps);
    printf("context sizes: mw_pop3_server %zu bytes (+ line buffer %u), "
           "mw_pop3_client %zu bytes (+ buffer %u)\n",
           mw_pop3_server_sizeof(), (unsigned)MW_POP3_SERVER_LINEBUF_SIZE,
           mw_pop3_client_sizeof(), (unsigned)MW_POP3_CLIENT_LINEBUF_SIZE);
    printf("%-12s %10s %10s %12s\n", "pass", "ms", "MB/s", "% of memchr");
    for (size_t i = 0; i < sizeof passes / sizeof passes[0]; i++) {
        if (only && strcmp(only, passes[i].name) != 0)
            continue;
        times[i] = best_of(passes[i].fn, reps);
        printf("%-12s %10.2f %10.1f", passes[i].name, times[i] * 1e3,
               (double)*passes[i].bytes / times[i] / 1e6);
        if (passes[i].base != NULL) {
            for (size_t j = 0; j < i; j++)
                if (!strcmp(passes[j].name, passes[i].base) && times[j] > 0)
                    printf(" %11.1f%%", 100.0 * times[j] / times[i]);
        }
        printf("\n");
        printf("bytes %s=%zu\n", passes[i].name, *passes[i].bytes);
    }
    free(copybuf);
    free(msgs);
    free(stream);
    free(msg_start);
    free(msg_len);
    return 0;
}

#else

int main(void)
{
    printf("bench_pop3: this build has not both POP3 roles\n");
    return 0;
}

#endif
