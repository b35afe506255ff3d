/* SPDX-License-Identifier: MIT */
/*
 * SMTP client benchmark: the client producing a message stream.
 *
 * The messages are the deterministic corpus of corpus.c (realistic
 * headers and short bodies, about 50 MB by default). Passes, each over
 * the same bytes in the same run:
 *   memchr   baseline: find every LF of every message
 *   memcpy   baseline: copy every message into one buffer
 *   session  a pipelined SMTP session: per message MAIL, RCPT and DATA in
 *            one group, the server's replies fed back, the message
 *            written in 64 KB chunks (dot-stuffed, bare CR/LF
 *            normalised), ".", the reply
 *   data     one DATA transaction carrying every message back to back,
 *            written in 64 KB chunks (the stuffer alone, nearly)
 *   bdat     the same with CHUNKING: one "BDAT 65536" per chunk
 * The sink counts what the client sends (zero-copy: the client hands over
 * spans of the application's chunks). MB/s counts message bytes.
 *
 *   bench_smtp_client [--mb N] [--reps N] [--only PASS]
 *
 * Instructions per byte (repeatable, unlike time on a shared machine):
 *   valgrind --tool=callgrind --toggle-collect=bench_pass_data \
 *     bench_smtp_client --mb 2 --reps 1 --only data
 * then divide the "totals" of callgrind_annotate by stream_bytes=.
 * Timing is informative only; no test asserts on it.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mailwire/mailwire.h>
#include <mailwire/smtp.h>

#include "corpus.h"

#define CHUNK (64u * 1024u)

static volatile size_t sink;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bench_corpus corpus;
static char *copybuf;

/* ---- baselines ---- */

__attribute__((noinline)) void bench_pass_memchr(void)
{
    size_t lines = 0;
    const char *p = corpus.data, *end = corpus.data + corpus.len;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        lines++;
        p++;
    }
    sink += lines;
}

__attribute__((noinline)) void bench_pass_memcpy(void)
{
    memcpy(copybuf, corpus.data, corpus.len);
    sink += (unsigned char)copybuf[corpus.len / 2];
}

/* ---- the client ---- */

typedef struct counter {
    size_t bytes, calls;
    unsigned mix;
} counter;

static int on_send(mw_smtp_client *c, void *user, const char *p, size_t n)
{
    counter *k = user;
    (void)c;
    k->bytes += n;
    k->calls++;
    k->mix ^= (unsigned char)p[0];
    return 0;
}

static int on_reply(mw_smtp_client *c, void *user, const mw_smtp_client_reply *r)
{
    (void)c;
    (void)user;
    if (r->code >= 400) {
        fprintf(stderr, "unexpected reply %u\n", r->code);
        exit(1);
    }
    return 0;
}

static mw_smtp_client client;
static char linebuf[MW_SMTP_CLIENT_LINEBUF_SIZE];
static counter out;

static void feed(const char *s)
{
    size_t used;
    int rc = mw_smtp_client_feed(&client, s, strlen(s), &used);
    if (rc < 0) {
        fprintf(stderr, "feed: %s\n", mw_strerror(rc));
        exit(1);
    }
}

static void must(int rc, const char *what)
{
    if (rc != MW_OK) {
        fprintf(stderr, "%s: %s\n", what, mw_strerror(rc));
        exit(1);
    }
}

static mw_span cstr(const char *s)
{
    mw_span sp;
    sp.ptr = s;
    sp.len = strlen(s);
    return sp;
}

/* A session up to the first MAIL, with the extensions given. */
static void start(const char *ehlo_reply)
{
    mw_smtp_client_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.send = on_send;
    cb.reply = on_reply;
    memset(&out, 0, sizeof out);
    must(mw_smtp_client_init(&client, NULL, &cb, &out, linebuf, sizeof linebuf),
         "init");
    feed("220 bench.example ESMTP\r\n");
    must(mw_smtp_client_ehlo(&client, cstr("client.example")), "ehlo");
    feed(ehlo_reply);
}

static void write_chunks(const char *p, size_t n)
{
    while (n > 0) {
        size_t k = n < CHUNK ? n : CHUNK;
        must(mw_smtp_client_write(&client, p, k), "write");
        p += k;
        n -= k;
    }
}

__attribute__((noinline)) void bench_pass_session(void)
{
    start("250-bench.example\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
          "250 SIZE 0\r\n");
    for (size_t m = 0; m < corpus.count; m++) {
        size_t off = corpus.starts[m];
        size_t len = (m + 1 < corpus.count ? corpus.starts[m + 1] : corpus.len) -
                     off;
        must(mw_smtp_client_mail(&client, cstr("sender@example.com"), NULL),
             "mail");
        must(mw_smtp_client_rcpt(&client, cstr("rcpt@example.net"), NULL), "rcpt");
        must(mw_smtp_client_data(&client), "data");
        feed("250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go ahead\r\n");
        write_chunks(corpus.data + off, len);
        must(mw_smtp_client_finish(&client), "finish");
        feed("250 2.0.0 queued\r\n");
    }
    sink += out.bytes + out.mix;
}

static void one_message(const char *ehlo_reply, int bdat)
{
    start(ehlo_reply);
    must(mw_smtp_client_mail(&client, cstr("sender@example.com"), NULL), "mail");
    must(mw_smtp_client_rcpt(&client, cstr("rcpt@example.net"), NULL), "rcpt");
    must(mw_smtp_client_data(&client), "data");
    feed(bdat ? "250 ok\r\n250 ok\r\n" : "250 ok\r\n250 ok\r\n354 go\r\n");
    write_chunks(corpus.data, corpus.len);
    must(mw_smtp_client_finish(&client), "finish");
    sink += out.bytes + out.mix;
}

__attribute__((noinline)) void bench_pass_data(void)
{
    one_message("250-bench.example\r\n250 PIPELINING\r\n", 0);
}

__attribute__((noinline)) void bench_pass_bdat(void)
{
    one_message("250-bench.example\r\n250-PIPELINING\r\n250 CHUNKING\r\n", 1);
}

typedef struct pass {
    const char *name;
    void (*fn)(void);
} pass;

static const pass passes[] = {
    {"memchr", bench_pass_memchr}, {"memcpy", bench_pass_memcpy},
    {"session", bench_pass_session}, {"data", bench_pass_data},
    {"bdat", bench_pass_bdat},
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
    int reps = 5;
    const char *only = NULL;
    double memchr_t = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--mb") && i + 1 < argc)
            mb = (size_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--mb N] [--reps N] [--only PASS]\n",
                    argv[0]);
            return 2;
        }
    }
    bench_corpus_make(&corpus, mb << 20, 42);
    copybuf = malloc(corpus.len + 1);
    if (copybuf == NULL)
        return 1;
    printf("mailwire %s SMTP client benchmark: %zu messages, %zu bytes, "
           "%u-byte writes, best of %d\n",
           mw_version_string(), corpus.count, corpus.len, CHUNK, reps);
    printf("context: mw_smtp_client %zu bytes + line buffer %u = %zu bytes\n",
           mw_smtp_client_sizeof(), (unsigned)MW_SMTP_CLIENT_LINEBUF_SIZE,
           mw_smtp_client_sizeof() + MW_SMTP_CLIENT_LINEBUF_SIZE);
    printf("%-8s %10s %10s %12s %14s %10s\n", "pass", "ms", "MB/s",
           "memchr rate", "bytes sent", "sends");
    for (size_t i = 0; i < sizeof passes / sizeof passes[0]; i++) {
        double t;
        if (only && strcmp(only, passes[i].name) != 0)
            continue;
        out.bytes = out.calls = 0;
        t = best_of(passes[i].fn, reps);
        if (!strcmp(passes[i].name, "memchr"))
            memchr_t = t;
        printf("%-8s %10.2f %10.1f", passes[i].name, t * 1e3,
               (double)corpus.len / t / 1e6);
        if (memchr_t > 0)
            printf(" %11.0f%%", 100.0 * memchr_t / t);
        else
            printf(" %12s", "");
        if (out.bytes)
            printf(" %14zu %10zu", out.bytes, out.calls);
        printf("\n");
    }
    printf("stream_bytes=%zu\n", corpus.len);
    free(copybuf);
    bench_corpus_free(&corpus);
    return 0;
}
