/* SPDX-License-Identifier: MIT */
/*
 * SMTP server machine benchmark (lib/smtp/server.c).
 *
 * Inputs, built once, deterministic (corpus.c messages):
 *   session  a pipelined client stream of about --mb MB: EHLO, then per
 *            message MAIL FROM with SIZE, 1 to 3 RCPT TO, DATA, the
 *            message dot-stuffed, "."; QUIT at the end
 *   data     one DATA of the same size: the body path alone
 *   rcpt     1,000,000 RCPT TO lines after one MAIL: command parsing
 * Each is fed to a server in 64 KB chunks with an application that gives
 * the default reply to everything; timed next to memchr (every line end)
 * and memcpy over the same bytes in the same run. Prints sizeof the server
 * context and its line buffer.
 *
 *   bench_smtp_server [--mb N] [--reps N] [--only PASS]
 *   PASS: memchr memcpy session data data_memchr rcpt rcpt_memchr
 *
 * Instructions per byte, repeatably (timing on shared machines is noise):
 *   tests/bench/callgrind_bench.sh BUILD_DIR bench_smtp_server memchr data rcpt
 * which runs, for each pass,
 *   valgrind --tool=callgrind --toggle-collect=bench_pass_<pass> \
 *     BUILD_DIR/tests/bench/bench_smtp_server --mb 4 --reps 1 --only <pass>
 * and divides the instruction count by the "<pass>_bytes=" the program
 * prints. Timing is informative only; no test asserts on it.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mailwire/mailwire.h>

#include "core/framing.h"
#include "corpus.h"

static volatile size_t sink;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- growable input buffers ---- */

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1u << 20;
        while (cap < b->n + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        if (b->p == NULL) {
            perror("realloc");
            exit(1);
        }
        b->cap = cap;
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static int stuff_sink(void *user, const char *p, size_t n)
{
    put((buf *)user, p, n);
    return 0;
}

/* Dot-stuff one message body into b, with the terminating ".". */
static void put_stuffed(buf *b, const char *msg, size_t n)
{
    mw_dot_stuff st;
    size_t used;
    mw__dot_stuff_init(&st, MW_NEWLINE_ACCEPT, stuff_sink, b);
    mw__dot_stuff_write(&st, msg, n, &used, NULL);
    mw__dot_stuff_finish(&st, NULL);
}

static buf session, data, rcpt;
static size_t session_msgs, rcpt_lines;

static void build_inputs(size_t mb)
{
    bench_corpus c;
    size_t target = mb << 20, i;
    char line[256];

    bench_corpus_make(&c, target, 12345u);
    puts_(&session, "EHLO client.example.org\r\n");
    for (i = 0; i < c.count; i++) {
        size_t start = c.starts[i];
        size_t len = (i + 1 < c.count ? c.starts[i + 1] : c.len) - start;
        unsigned r, nr = 1 + (unsigned)(i % 3);
        snprintf(line, sizeof line,
                 "MAIL FROM:<sender%zu@mail.example.com> SIZE=%zu BODY=8BITMIME\r\n", i, len);
        puts_(&session, line);
        for (r = 0; r < nr; r++) {
            snprintf(line, sizeof line, "RCPT TO:<user%zu.%u@example.net>\r\n", i, r);
            puts_(&session, line);
        }
        puts_(&session, "DATA\r\n");
        put_stuffed(&session, c.data + start, len);
        session_msgs++;
    }
    puts_(&session, "QUIT\r\n");

    /* one message made of the whole corpus */
    puts_(&data, "EHLO client.example.org\r\nMAIL FROM:<a@example.com>\r\n"
                 "RCPT TO:<b@example.net>\r\nDATA\r\n");
    put_stuffed(&data, c.data, c.len);
    puts_(&data, "QUIT\r\n");

    puts_(&rcpt, "EHLO client.example.org\r\nMAIL FROM:<a@example.com>\r\n");
    for (i = 0; i < 1000000; i++) {
        snprintf(line, sizeof line, "RCPT TO:<user%zu@example.net>\r\n", i);
        puts_(&rcpt, line);
    }
    rcpt_lines = i;
    puts_(&rcpt, "QUIT\r\n");
    bench_corpus_free(&c);
}

/* ---- the application: default replies, counts ---- */

typedef struct counts {
    size_t sent, data, commands, messages;
} counts;

static int on_send(mw_smtp_server *s, void *u, const char *p, size_t n)
{
    (void)s;
    (void)p;
    ((counts *)u)->sent += n;
    return 0;
}

static int on_command(mw_smtp_server *s, void *u, const mw_smtp_cmd *c)
{
    (void)c;
    ((counts *)u)->commands++;
    return mw_smtp_server_reply_default(s);
}

static int on_data(mw_smtp_server *s, void *u, const char *p, size_t n)
{
    (void)s;
    (void)p;
    ((counts *)u)->data += n;
    return 0;
}

static int on_data_end(mw_smtp_server *s, void *u, int status)
{
    ((counts *)u)->messages++;
    return status == MW_OK ? mw_smtp_server_reply_default(s) : 0;
}

static char linebuf[MW_SMTP_SERVER_LINEBUF_SIZE];
static counts last;

static void run_server(const buf *in, unsigned max_rcpt)
{
    mw_smtp_server s;
    mw_smtp_server_config cfg;
    mw_smtp_server_callbacks cb = {0};
    counts k = {0, 0, 0, 0};
    size_t pos = 0, used;

    mw_smtp_server_config_init(&cfg);
    cfg.hostname = "mx.example.org";
    cfg.extensions |= MW_SMTP_EXT_SIZE;
    cfg.max_recipients = max_rcpt;
    cb.send = on_send;
    cb.command = on_command;
    cb.data = on_data;
    cb.data_end = on_data_end;
    if (mw_smtp_server_init(&s, &cfg, &cb, &k, linebuf, sizeof linebuf) != MW_OK ||
        mw_smtp_server_start(&s, NULL) != MW_OK)
        exit(1);
    while (pos < in->n) {
        size_t n = in->n - pos < 65536 ? in->n - pos : 65536;
        int r = mw_smtp_server_feed(&s, in->p + pos, n, &used);
        pos += used;
        if (r == MW_DONE)
            break;
        if (r < 0) {
            fprintf(stderr, "feed: %s at %zu\n", mw_strerror(r), pos);
            exit(1);
        }
    }
    last = k;
    sink += k.sent + k.data;
}

/* ---- the passes (named so callgrind can collect exactly one) ---- */

static void memchr_lines(const buf *b)
{
    const char *p = b->p, *end = b->p + b->n;
    size_t lines = 0;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        lines++;
        p++;
    }
    sink += lines;
}

static char *copybuf;

__attribute__((noinline)) void bench_pass_memchr(void) { memchr_lines(&session); }

__attribute__((noinline)) void bench_pass_memcpy(void)
{
    memcpy(copybuf, session.p, session.n);
    sink += (unsigned char)copybuf[session.n / 2];
}

__attribute__((noinline)) void bench_pass_session(void) { run_server(&session, 100); }

__attribute__((noinline)) void bench_pass_data_memchr(void) { memchr_lines(&data); }

__attribute__((noinline)) void bench_pass_data(void) { run_server(&data, 100); }

__attribute__((noinline)) void bench_pass_rcpt_memchr(void) { memchr_lines(&rcpt); }

__attribute__((noinline)) void bench_pass_rcpt(void) { run_server(&rcpt, 2000000u); }

typedef struct pass {
    const char *name;
    void (*fn)(void);
    const buf *in;
} pass;

static const pass passes[] = {
    {"memchr", bench_pass_memchr, &session},
    {"memcpy", bench_pass_memcpy, &session},
    {"session", bench_pass_session, &session},
    {"data_memchr", bench_pass_data_memchr, &data},
    {"data", bench_pass_data, &data},
    {"rcpt_memchr", bench_pass_rcpt_memchr, &rcpt},
    {"rcpt", bench_pass_rcpt, &rcpt},
};

static double best_of(void (*fn)(void), int reps)
{
    double best = 1e30;
    for (int i = 0; i < reps; i++) {
        double t = now();
        fn();
        t = now() - t;
        if (t < best)
            best = t;
    }
    return best;
}

int main(int argc, char **argv)
{
    size_t mb = 50;
    int reps = 5;
    const char *only = NULL;
    size_t i;

    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--mb") == 0 && a + 1 < argc)
            mb = (size_t)strtoul(argv[++a], NULL, 10);
        else if (strcmp(argv[a], "--reps") == 0 && a + 1 < argc)
            reps = atoi(argv[++a]);
        else if (strcmp(argv[a], "--only") == 0 && a + 1 < argc)
            only = argv[++a];
        else {
            fprintf(stderr, "usage: %s [--mb N] [--reps N] [--only PASS]\n", argv[0]);
            return 2;
        }
    }
    build_inputs(mb);
    copybuf = malloc(session.n);
    if (copybuf == NULL)
        return 1;
    printf("sizeof(mw_smtp_server)=%zu linebuf=%u total=%zu\n", sizeof(mw_smtp_server),
           (unsigned)MW_SMTP_SERVER_LINEBUF_SIZE,
           sizeof(mw_smtp_server) + (size_t)MW_SMTP_SERVER_LINEBUF_SIZE);
    printf("session_bytes=%zu messages=%zu\n", session.n, session_msgs);
    printf("data_bytes=%zu\nrcpt_bytes=%zu rcpt_lines=%zu\n", data.n, rcpt.n, rcpt_lines);
    printf("memchr_bytes=%zu\nmemcpy_bytes=%zu\ndata_memchr_bytes=%zu\nrcpt_memchr_bytes=%zu\n",
           session.n, session.n, data.n, rcpt.n);
    printf("%-12s %10s %10s %12s\n", "pass", "MB/s", "ms", "note");
    for (i = 0; i < sizeof(passes) / sizeof(passes[0]); i++) {
        const pass *p = &passes[i];
        double t;
        char note[64] = "";
        if (only != NULL && strcmp(only, p->name) != 0)
            continue;
        t = best_of(p->fn, reps);
        if (strcmp(p->name, "rcpt") == 0)
            snprintf(note, sizeof note, "%.1f M lines/s", (double)rcpt_lines / t / 1e6);
        else if (strcmp(p->name, "session") == 0 || strcmp(p->name, "data") == 0)
            snprintf(note, sizeof note, "%zu msgs", last.messages);
        printf("%-12s %10.0f %10.2f %12s\n", p->name, (double)p->in->n / t / 1e6, t * 1e3, note);
    }
    free(copybuf);
    free(session.p);
    free(data.p);
    free(rcpt.p);
    return 0;
}
