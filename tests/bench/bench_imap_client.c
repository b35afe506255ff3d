/* SPDX-License-Identifier: MIT */
/*
 * IMAP client response benchmark (issue 5, "Performance"): two response
 * streams parsed by the client machine, each next to memchr (every line
 * end found) and memcpy over the same bytes in the same run.
 *
 *   env    `UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE
 *          BODYSTRUCTURE)` for 20,000 messages (about 24 MB): realistic
 *          envelopes (display names, several recipients, some groups and
 *          escaped quotes, literal subjects now and then) and body
 *          structures (text, multipart/alternative, attachments with
 *          dispositions, forwarded message/rfc822 parts).
 *   body   `FETCH n BODY[]` answers whose literals carry whole messages
 *          (the corpus's headers and generated bodies, about 50 MB): the
 *          literal bytes are handed on as spans of the input.
 *
 * The stream is fed in 64 KiB reads, as a socket would deliver it. The
 * callbacks only count what they get (items, body bytes) and the counts
 * are checked against what was generated.
 *
 *   bench_imap_client [--msgs N] [--mb N] [--reps N] [--only PASS]
 *
 * Instructions per byte, repeatable on a shared machine:
 *   valgrind --tool=callgrind --toggle-collect=bench_pass_env \
 *       build/tests/bench/bench_imap_client --msgs 2000 --reps 1 --only env
 * and divide the collected total by the "bytes env=" line the pass prints.
 * Times are CPU time of the process (best of --reps), so that a loaded
 * machine does not distort them. Timing is informative only; no test
 * asserts on it.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mailwire/mailwire.h>
#include <mailwire/imap.h>

#include "corpus.h"

#if MW_ENABLE_IMAP_CLIENT

static volatile size_t sink;

/* CPU time of the process: the test machines are shared, and wall time
 * there measures the neighbours as much as the parser. The baselines are
 * timed the same way. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- generated input --------------------------------------------------- */

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->n + n > b->cap) {
        while (b->n + n > b->cap)
            b->cap = b->cap ? b->cap * 2 : 1u << 20;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL)
            exit(1);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void putf(buf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    put(b, tmp, (size_t)k);
}

static uint32_t rng = 2463534242u;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng % n;
}

static const char *const first[] = {"Alice", "Bob", "Carol", "Dave", "Erin",
                                    "Frank", "Grace", "Heidi", "Ivan",
                                    "Judy", "Mallory", "Niaj", "Olivia",
                                    "Peggy", "Rupert", "Sybil", "Trent",
                                    "Victor", "Walter", "Zoe"};
static const char *const last[] = {"Smith", "Johnson", "Williams", "Brown",
                                   "Garcia", "Miller", "Davis", "Martinez",
                                   "Lopez", "Wilson", "Anderson", "Taylor"};
static const char *const domains[] = {"example.com", "mail.example.org",
                                      "lists.example.net", "corp.example",
                                      "university.example.edu"};
static const char *const words[] = {"quarterly", "report", "meeting",
                                    "notes", "re:", "fwd:", "update",
                                    "invoice", "project", "schedule",
                                    "release", "review", "draft",
                                    "minutes", "budget", "the", "for",
                                    "and", "our", "new", "plan"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void address(buf *b)
{
    const char *f = first[rnd(N(first))], *l = last[rnd(N(last))];
    switch (rnd(8)) {
    case 0:
        putf(b, "(NIL NIL \"%c%s\" \"%s\")", f[0] | 0x20, l,
             domains[rnd(N(domains))]);
        break;
    case 1:
        putf(b, "(\"%s \\\"%s\\\" %s\" NIL \"%s\" \"%s\")", f, "the boss", l,
             f, domains[rnd(N(domains))]);
        break;
    default:
        putf(b, "(\"%s %s\" NIL \"%s.%s\" \"%s\")", f, l, f, l,
             domains[rnd(N(domains))]);
        break;
    }
}

static void addr_list(buf *b, unsigned max)
{
    unsigned n = 1 + rnd(max), i;
    if (rnd(12) == 0) {
        /* a group */
        puts_(b, "((NIL NIL \"team\" NIL)");
        for (i = 0; i < n; i++)
            address(b);
        puts_(b, "(NIL NIL NIL NIL))");
        return;
    }
    put(b, "(", 1);
    for (i = 0; i < n; i++)
        address(b);
    put(b, ")", 1);
}

static void subject(buf *b)
{
    char s[200];
    size_t k = 0;
    unsigned n = 4 + rnd(10), i;
    for (i = 0; i < n; i++) {
        const char *w = words[rnd(N(words))];
        size_t wl = strlen(w);
        if (k + wl + 1 >= sizeof s)
            break;
        if (i)
            s[k++] = ' ';
        memcpy(s + k, w, wl);
        k += wl;
    }
    if (rnd(40) == 0) {
        /* servers send strings with CR/LF or 8-bit text as literals */
        putf(b, "{%zu}\r\n", k);
        put(b, s, k);
    } else {
        put(b, "\"", 1);
        put(b, s, k);
        put(b, "\"", 1);
    }
}

static void text_part(buf *b, const char *sub)
{
    putf(b, "(\"text\" \"%s\" (\"charset\" \"utf-8\") NIL NIL \"%s\" %u %u "
            "NIL NIL NIL NIL)",
         sub, rnd(2) ? "7bit" : "quoted-printable", 200 + rnd(20000),
         5 + rnd(400));
}

static void attachment(buf *b)
{
    static const char *const t[][2] = {{"application", "pdf"},
                                       {"image", "png"},
                                       {"image", "jpeg"},
                                       {"application", "zip"}};
    unsigned k = rnd(N(t));
    putf(b, "(\"%s\" \"%s\" (\"name\" \"file%u.%s\") NIL NIL \"base64\" %u "
            "NIL (\"attachment\" (\"filename\" \"file%u.%s\")) NIL NIL)",
         t[k][0], t[k][1], rnd(1000), t[k][1], 1000 + rnd(2000000),
         rnd(1000), t[k][1]);
}

static void envelope(buf *b, unsigned day)
{
    putf(b, "(\"%s, %u Mar 2024 %02u:%02u:%02u +0100\" ", "Tue", 1 + day % 28,
         rnd(24), rnd(60), rnd(60));
    subject(b);
    put(b, " ", 1);
    addr_list(b, 1);
    put(b, " ", 1);
    addr_list(b, 1);
    put(b, " ", 1);
    addr_list(b, 1);
    put(b, " ", 1);
    addr_list(b, 7);
    put(b, " ", 1);
    if (rnd(2) == 0)
        addr_list(b, 5);
    else
        puts_(b, "NIL");
    puts_(b, " NIL ");
    if (rnd(2))
        putf(b, "\"<CA+%08x%08x%08x@mail.gmail.com>\" ", rnd(1u << 30),
             rnd(1u << 30), rnd(1u << 30));
    else
        puts_(b, "NIL ");
    putf(b, "\"<%08x.%u.%u.JavaMail.%s@%s>\")", rnd(1u << 30),
         rnd(100000000), rnd(1000), "server", domains[rnd(N(domains))]);
}

static void bodystructure(buf *b)
{
    switch (rnd(6)) {
    case 0:
        text_part(b, "plain");
        break;
    case 1:
    case 2:
        put(b, "(", 1);
        text_part(b, "plain");
        text_part(b, "html");
        puts_(b, " \"alternative\" (\"boundary\" \"b1_alt\") NIL NIL NIL)");
        break;
    case 3:
        puts_(b, "((");
        text_part(b, "plain");
        text_part(b, "html");
        puts_(b, " \"alternative\" (\"boundary\" \"b2_alt\") NIL NIL NIL)");
        attachment(b);
        puts_(b, " \"mixed\" (\"boundary\" \"b1_mixed\") NIL NIL NIL)");
        break;
    case 4:
        put(b, "(", 1);
        text_part(b, "plain");
        attachment(b);
        attachment(b);
        puts_(b, " \"mixed\" (\"boundary\" \"b3\") NIL NIL NIL)");
        break;
    default:
        put(b, "(", 1);
        text_part(b, "plain");
        puts_(b, "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 4711 ");
        envelope(b, 3);
        put(b, " ", 1);
        text_part(b, "plain");
        puts_(b, " 80 NIL NIL NIL NIL)");
        puts_(b, " \"mixed\" (\"boundary\" \"b4\") NIL NIL NIL)");
        break;
    }
}

static buf env_stream, body_stream;
static size_t env_msgs, body_msgs, body_bytes;

static void make_env(size_t nmsgs)
{
    size_t i;
    for (i = 1; i <= nmsgs; i++) {
        static const char *const fl[] = {"\\Seen", "\\Seen \\Answered",
                                         "", "\\Flagged \\Seen",
                                         "\\Seen $Forwarded"};
        putf(&env_stream,
             "* %zu FETCH (UID %zu FLAGS (%s) INTERNALDATE \"%02u-Mar-2024 "
             "%02u:%02u:%02u +0100\" RFC822.SIZE %u ENVELOPE ",
             i, 1000 + i * 3, fl[rnd(N(fl))], 1 + (unsigned)(i % 28), rnd(24),
             rnd(60), rnd(60), 2000 + rnd(2000000));
        envelope(&env_stream, (unsigned)i);
        puts_(&env_stream, " BODYSTRUCTURE ");
        bodystructure(&env_stream);
        puts_(&env_stream, ")\r\n");
    }
    puts_(&env_stream, "A1 OK UID FETCH completed\r\n");
    env_msgs = nmsgs;
}

static void make_body(size_t target)
{
    bench_corpus corpus;
    size_t i;
    bench_corpus_make(&corpus, target, 7);
    for (i = 0; i < corpus.count; i++) {
        size_t len = (i + 1 < corpus.count ? corpus.starts[i + 1] : corpus.len) -
                     corpus.starts[i];
        putf(&body_stream, "* %zu FETCH (UID %zu BODY[] {%zu}\r\n", i + 1,
             i + 100, len);
        put(&body_stream, corpus.data + corpus.starts[i], len);
        puts_(&body_stream, ")\r\n");
        body_bytes += len;
    }
    puts_(&body_stream, "A1 OK FETCH completed\r\n");
    body_msgs = corpus.count;
    bench_corpus_free(&corpus);
}

/* ---- the client ---------------------------------------------------------- */

static mw_imap_client cli;
static char framebuf[MW_IMAP_RESPONSE_DEFAULT];
static unsigned char arena[256 * 1024];
static size_t n_items, n_fetch, n_done, n_bytes, n_errors, n_status;

static int c_send(mw_imap_client *c, void *u, const char *p, size_t n)
{
    (void)c;
    (void)u;
    (void)p;
    (void)n;
    return 0;
}

static int c_status(mw_imap_client *c, void *u, const mw_imap_status *st)
{
    (void)c;
    (void)u;
    (void)st;
    n_status++;
    return 0;
}

static int c_fetch_begin(mw_imap_client *c, void *u, uint32_t msg)
{
    (void)c;
    (void)u;
    (void)msg;
    n_fetch++;
    return 0;
}

static int c_fetch_item(mw_imap_client *c, void *u, const mw_imap_fetch_item *it)
{
    (void)c;
    (void)u;
    n_items++;
    sink += (size_t)it->num;
    return 0;
}

static int c_body_data(mw_imap_client *c, void *u, const char *p, size_t n)
{
    (void)c;
    (void)u;
    (void)p;
    n_bytes += n;
    return 0;
}

static int c_fetch_end(mw_imap_client *c, void *u, uint32_t msg)
{
    (void)c;
    (void)u;
    (void)msg;
    n_done++;
    return 0;
}

static int c_error(mw_imap_client *c, void *u, int status, size_t off,
                   const char *reason)
{
    (void)c;
    (void)u;
    if (n_errors++ < 5)
        fprintf(stderr, "error %s at %zu: %s\n", mw_status_name(status), off,
                reason);
    return 0;
}

static const mw_imap_client_callbacks cbs = {
    c_send, c_status, NULL, NULL, NULL, c_fetch_begin, c_fetch_item, NULL,
    c_body_data, NULL, c_fetch_end, NULL, c_error};

static void cli_start(void)
{
    static const char greeting[] = "* PREAUTH [CAPABILITY IMAP4rev1] ready\r\n";
    static const char cmd[] = "UID FETCH 1:* (UID FLAGS INTERNALDATE "
                              "RFC822.SIZE ENVELOPE BODYSTRUCTURE)";
    mw_imap_client_config cfg;
    size_t used;
    mw_imap_client_config_init(&cfg);
    cfg.arena = arena;
    cfg.arena_len = sizeof arena;
    if (mw_imap_client_init(&cli, &cfg, &cbs, NULL, framebuf,
                            sizeof framebuf) != MW_OK ||
        mw_imap_client_feed(&cli, greeting, sizeof greeting - 1, &used) !=
            MW_OK ||
        mw_imap_client_command(&cli, cmd, sizeof cmd - 1, MW_IMAP_CMD_OTHER,
                               NULL) != MW_OK) {
        fprintf(stderr, "client set-up failed\n");
        exit(1);
    }
}

static void feed_all(const buf *in)
{
    size_t pos = 0;
    while (pos < in->n) {
        size_t n = in->n - pos > 65536 ? 65536 : in->n - pos, used = 0;
        int r = mw_imap_client_feed(&cli, in->p + pos, n, &used);
        if (r < 0) {
            fprintf(stderr, "feed: %s\n", mw_strerror(r));
            exit(1);
        }
        pos += used;
    }
}

static char *copybuf;

/* Each pass is a function of its own so callgrind can count it alone
 * (--toggle-collect=bench_pass_<x>); the set-up in main() is not
 * counted. */
__attribute__((noinline)) void bench_pass_env(void)
{
    cli_start();
    feed_all(&env_stream);
}

__attribute__((noinline)) void bench_pass_body(void)
{
    cli_start();
    feed_all(&body_stream);
}

static size_t count_lines(const buf *in)
{
    const char *p = in->p, *e = in->p + in->n;
    size_t k = 0;
    while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        p++;
        k++;
    }
    return k;
}

__attribute__((noinline)) void bench_pass_memchr_env(void)
{
    sink += count_lines(&env_stream);
}

__attribute__((noinline)) void bench_pass_memcpy_env(void)
{
    memcpy(copybuf, env_stream.p, env_stream.n);
    sink += (size_t)copybuf[env_stream.n / 2];
}

__attribute__((noinline)) void bench_pass_memchr_body(void)
{
    sink += count_lines(&body_stream);
}

__attribute__((noinline)) void bench_pass_memcpy_body(void)
{
    memcpy(copybuf, body_stream.p, body_stream.n);
    sink += (size_t)copybuf[body_stream.n / 2];
}

typedef struct pass {
    const char *name;
    void (*fn)(void);
    const size_t *bytes;
    const char *base;
} pass;

static const pass passes[] = {
    {"memchr_env", bench_pass_memchr_env, &env_stream.n, NULL},
    {"memcpy_env", bench_pass_memcpy_env, &env_stream.n, "memchr_env"},
    {"env", bench_pass_env, &env_stream.n, "memcpy_env"},
    {"memchr_body", bench_pass_memchr_body, &body_stream.n, NULL},
    {"memcpy_body", bench_pass_memcpy_body, &body_stream.n, "memchr_body"},
    {"body", bench_pass_body, &body_stream.n, "memcpy_body"},
};

static double best_of(void (*fn)(void), int reps)
{
    double best = 1e30;
    int r;
    for (r = 0; r < reps; r++) {
        double t0 = now(), t;
        fn();
        t = now() - t0;
        if (t < best)
            best = t;
    }
    return best;
}

int main(int argc, char **argv)
{
    size_t nmsgs = 20000, mb = 50, i;
    int reps = 7, a;
    const char *only = NULL;
    double times[N(passes)] = {0};

    for (a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--msgs") && a + 1 < argc)
            nmsgs = (size_t)atoi(argv[++a]);
        else if (!strcmp(argv[a], "--mb") && a + 1 < argc)
            mb = (size_t)atoi(argv[++a]);
        else if (!strcmp(argv[a], "--reps") && a + 1 < argc)
            reps = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--only") && a + 1 < argc)
            only = argv[++a];
        else {
            fprintf(stderr,
                    "usage: %s [--msgs N] [--mb N] [--reps N] [--only PASS]\n",
                    argv[0]);
            return 2;
        }
    }
    if (only == NULL || strstr(only, "env") != NULL)
        make_env(nmsgs);
    if (only == NULL || strstr(only, "body") != NULL)
        make_body(mb << 20);
    copybuf = malloc(env_stream.n > body_stream.n ? env_stream.n
                                                  : body_stream.n);
    if (copybuf == NULL)
        return 1;

    /* check once that everything parses (not with --only, so that a
     * callgrind run counts the measured pass alone) */
    if (only == NULL && env_stream.n > 0) {
        n_items = n_fetch = n_done = n_errors = n_status = 0;
        bench_pass_env();
        if (n_fetch != env_msgs || n_done != env_msgs ||
            n_items != 6 * env_msgs || n_errors != 0 || n_status != 2) {
            fprintf(stderr, "env: %zu fetches, %zu ends, %zu items, %zu "
                            "errors, %zu completions (want %zu, %zu items)\n",
                    n_fetch, n_done, n_items, n_errors, n_status, env_msgs,
                    6 * env_msgs);
            return 1;
        }
    }
    if (only == NULL && body_stream.n > 0) {
        n_items = n_fetch = n_done = n_errors = n_bytes = n_status = 0;
        bench_pass_body();
        if (n_done != body_msgs || n_bytes != body_bytes || n_errors != 0) {
            fprintf(stderr, "body: %zu ends, %zu bytes (want %zu, %zu)\n",
                    n_done, n_bytes, body_msgs, body_bytes);
            return 1;
        }
    }

    printf("mailwire %s IMAP client response benchmark: env %zu messages "
           "%zu bytes; body %zu messages %zu bytes (%zu literal bytes); "
           "best of %d, 64 KiB reads\n",
           mw_version_string(), env_msgs, env_stream.n, body_msgs,
           body_stream.n, body_bytes, reps);
    printf("context size: mw_imap_client %zu bytes (+ frame buffer %u, "
           "arena %zu)\n",
           mw_imap_client_sizeof(), (unsigned)sizeof framebuf, sizeof arena);
    printf("%-12s %10s %10s %14s\n", "pass", "ms", "MB/s", "% of baseline");
    for (i = 0; i < N(passes); i++) {
        size_t j;
        if (only != NULL && strcmp(only, passes[i].name) != 0)
            continue;
        if (*passes[i].bytes == 0)
            continue;
        times[i] = best_of(passes[i].fn, reps);
        printf("%-12s %10.2f %10.1f", passes[i].name, times[i] * 1e3,
               (double)*passes[i].bytes / times[i] / 1e6);
        if (passes[i].base != NULL)
            for (j = 0; j < i; j++)
                if (!strcmp(passes[j].name, passes[i].base) && times[j] > 0)
                    printf(" %13.1f%%", 100.0 * times[j] / times[i]);
        printf("\n");
        printf("bytes %s=%zu\n", passes[i].name, *passes[i].bytes);
    }
    free(copybuf);
    free(env_stream.p);
    free(body_stream.p);
    return 0;
}

#else
int main(void)
{
    return 0;
}
#endif
