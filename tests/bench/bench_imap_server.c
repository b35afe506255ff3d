/* SPDX-License-Identifier: MIT */
/*
 * IMAP server benchmark: the command parser (lib/imap/server_cmd*.c) alone
 * and the server machine (lib/imap/server.c) fed a client stream.
 *
 * Inputs, built once, deterministic:
 *   cmds    about --mb MB of typical client commands after LOGIN and
 *           SELECT: UID FETCH with many items (ENVELOPE, BODYSTRUCTURE,
 *           BODY.PEEK[HEADER.FIELDS (...)]<partial>, CHANGEDSINCE), UID
 *           STORE with UNCHANGEDSINCE, UID SEARCH with nested keys (OR,
 *           NOT, parentheses, dates, quoted strings, RETURN), STATUS,
 *           NOOP; no literals
 *   append  about --mb MB of APPEND commands, each with a 100 KB
 *           synchronising literal (the message), flags and a date
 *
 * Passes (each timed, best of --reps, next to memchr over the same bytes):
 *   memchr         memchr for every line end of cmds (the floor of any
 *                  line parser)
 *   memcpy         memcpy of cmds
 *   parse          cmds cut at each CRLF (memchr) and every line parsed
 *                  with mw__imap_cmd_parse() (arena reset per command)
 *   server         cmds fed to an mw_imap_server in 64 KB chunks; the
 *                  application answers every command OK
 *   append_memcpy  memcpy of the append stream
 *   append         the append stream fed to the server: the message bytes
 *                  go to the application as spans (never copied)
 *
 *   bench_imap_server [--mb N] [--reps N] [--only PASS]
 *
 * Instructions per byte, repeatably (timing on shared machines is noise):
 *   tests/bench/callgrind_bench.sh BUILD_DIR bench_imap_server \
 *       memchr parse server append -- --mb 4
 * which runs each pass alone under
 *   valgrind --tool=callgrind --toggle-collect=bench_pass_<pass>
 * and divides by the "<pass>_bytes=N" line the program prints for each
 * pass. No test asserts on any figure.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mailwire/mailwire.h>

#if MW_ENABLE_IMAP_SERVER

#include "imap/grammar.h"
#include "imap/server_cmd.h"

static volatile size_t sink;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- inputs ------------------------------------------------------------- */

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

static void putf(buf *b, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= sizeof line)
        exit(1);
    put(b, line, (size_t)k);
}

static uint32_t rng = 2463534242u;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng % n;
}

static const char *const people[] = {
    "alice@example.com", "bob.smith@mail.example.org", "carol", "Dave Jones",
    "eve@corp.example.net", "frank"};
static const char *const words[] = {"report", "invoice", "meeting",
                                    "quarterly numbers", "re: lunch",
                                    "draft", "budget 2024"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static buf cmds, append_stream;
static size_t ncmds, nappend;
static char *message;  /* the 100 KB APPEND message */
#define MSG_SIZE (100u * 1024u)

static void build_cmds(size_t target)
{
    uint32_t tag = 1;
    putf(&cmds, "a%u LOGIN user \"secret pass\"\r\n", tag++);
    putf(&cmds, "a%u SELECT INBOX (CONDSTORE)\r\n", tag++);
    ncmds = 2;
    while (cmds.n < target) {
        uint32_t lo = 1 + rnd(50000), kind = rnd(16);
        if (kind < 6) {
            putf(&cmds,
                 "a%u UID FETCH %u:%u (UID FLAGS INTERNALDATE RFC822.SIZE "
                 "ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (From To Cc "
                 "Subject Date Message-ID In-Reply-To References "
                 "Content-Type)])\r\n",
                 tag, lo, lo + rnd(500));
        } else if (kind < 8) {
            putf(&cmds,
                 "a%u UID FETCH %u,%u:%u,%u (FLAGS MODSEQ BODY.PEEK[1.2.MIME] "
                 "BODY.PEEK[TEXT]<0.2048>) (CHANGEDSINCE %u)\r\n",
                 tag, lo, lo + 2, lo + 40, lo + 77, 100000 + rnd(900000));
        } else if (kind < 11) {
            putf(&cmds,
                 "a%u UID STORE %u:%u,%u (UNCHANGEDSINCE %u) +FLAGS.SILENT "
                 "(\\Seen $Label%u)\r\n",
                 tag, lo, lo + rnd(20), lo + 100, 100000 + rnd(900000),
                 rnd(9));
        } else if (kind < 14) {
            putf(&cmds,
                 "a%u UID SEARCH RETURN (MIN MAX COUNT) CHARSET UTF-8 OR "
                 "(FROM \"%s\" SINCE %u-%s-20%02u) (NOT SEEN SUBJECT \"%s\" "
                 "LARGER %u) UNDELETED UID %u:*\r\n",
                 tag, people[rnd(6)], 1 + rnd(28), months[rnd(12)], rnd(25),
                 words[rnd(7)], 1000 + rnd(100000), lo);
        } else if (kind < 15) {
            putf(&cmds,
                 "a%u STATUS \"Sent Items\" (MESSAGES UNSEEN UIDNEXT "
                 "HIGHESTMODSEQ)\r\n",
                 tag);
        } else {
            putf(&cmds, "a%u NOOP\r\n", tag);
        }
        tag++;
        ncmds++;
    }
    putf(&cmds, "a%u LOGOUT\r\n", tag);
    ncmds++;
}

static void build_append(size_t target)
{
    uint32_t tag = 1, i;
    message = malloc(MSG_SIZE);
    if (message == NULL)
        exit(1);
    for (i = 0; i < MSG_SIZE; i++)
        message[i] = (i % 78 == 76) ? '\r' : (i % 78 == 77) ? '\n'
                                               : (char)('a' + (i * 7u) % 26u);
    putf(&append_stream, "a%u LOGIN user pass\r\n", tag++);
    while (append_stream.n < target) {
        putf(&append_stream,
             "a%u APPEND Archive/2024 (\\Seen $Forwarded) \"%2u-%s-2024 "
             "10:%02u:00 +0100\" {%u}\r\n",
             tag++, 1 + rnd(28), months[rnd(12)], rnd(60), MSG_SIZE);
        put(&append_stream, message, MSG_SIZE);
        put(&append_stream, "\r\n", 2);
        nappend++;
    }
    putf(&append_stream, "a%u LOGOUT\r\n", tag);
}

/* ---- baselines ---------------------------------------------------------- */

static char *copybuf;

__attribute__((noinline)) void bench_pass_memchr(void)
{
    const char *p = cmds.p, *e = cmds.p + cmds.n;
    size_t lines = 0;
    while (p < e) {
        const char *q = memchr(p, '\n', (size_t)(e - p));
        if (q == NULL)
            break;
        lines++;
        p = q + 1;
    }
    sink += lines;
}

__attribute__((noinline)) void bench_pass_memcpy(void)
{
    memcpy(copybuf, cmds.p, cmds.n);
    sink += (unsigned char)copybuf[cmds.n / 2];
}

__attribute__((noinline)) void bench_pass_append_memcpy(void)
{
    memcpy(copybuf, append_stream.p, append_stream.n);
    sink += (unsigned char)copybuf[append_stream.n / 2];
}

/* ---- the parser alone -------------------------------------------------- */

static unsigned char arena_mem[65536];
static size_t parsed, parse_errors;

/* Not a bench_pass_ function: the set-up check in main() runs it too and
 * must not be counted by callgrind's --toggle-collect. */
static void parse_all(void)
{
    const char *p = cmds.p, *e = cmds.p + cmds.n;
    mw__imap_arena a;
    mw_imap_cmd cmd;
    mw_error err;
    size_t ok = 0, bad = 0;
    mw__imap_arena_init(&a, arena_mem, sizeof arena_mem);
    while (p < e) {
        const char *q = memchr(p, '\n', (size_t)(e - p));
        size_t n;
        if (q == NULL)
            break;
        n = (size_t)(q - p);
        if (n > 0 && p[n - 1] == '\r')
            n--;
        mw__imap_arena_reset(&a);
        if (mw__imap_cmd_parse(p, n, (size_t)(p - cmds.p), &a,
                               MW__IMAP_LEX_UTF8, 0, &cmd, &err) == MW_OK)
            ok++;
        else
            bad++;
        p = q + 1;
    }
    parsed = ok;
    parse_errors = bad;
    sink += ok;
}

__attribute__((noinline)) void bench_pass_parse(void)
{
    parse_all();
}

/* ---- the machine ------------------------------------------------------- */

#define HAVE_MACHINE 1

typedef struct app {
    size_t sent, commands, appended, append_bytes, errors;
} app;

static app counts;
static char srvbuf[MW_IMAP_SERVER_BUF_SIZE];

static int on_send(mw_imap_server *s, void *u, const char *p, size_t n)
{
    (void)s;
    (void)p;
    ((app *)u)->sent += n;
    return 0;
}

static int on_command(mw_imap_server *s, void *u, const mw_imap_cmd *c)
{
    (void)c;
    ((app *)u)->commands++;
    return mw_imap_server_reply(s, MW_IMAP_OK, NULL, "done");
}

static int on_append_data(mw_imap_server *s, void *u, const char *p,
                          size_t n)
{
    (void)s;
    (void)p;
    ((app *)u)->append_bytes += n;
    return 0;
}

static int on_append_end(mw_imap_server *s, void *u, const mw_imap_cmd *c)
{
    (void)s;
    (void)c;
    ((app *)u)->appended++;
    return 0;
}

static int on_error(mw_imap_server *s, void *u, int status, size_t offset,
                    const char *reason)
{
    (void)s;
    ((app *)u)->errors++;
    if (((app *)u)->errors < 5)
        fprintf(stderr, "server error %s at %zu: %s\n", mw_strerror(status),
                offset, reason);
    return 0;
}

/* Feed a whole stream in 64 KB chunks to a fresh server. */
static int run_server(const buf *in)
{
    mw_imap_server s;
    mw_imap_server_config cfg;
    mw_imap_server_callbacks cb;
    size_t pos = 0, used;
    memset(&cb, 0, sizeof cb);
    memset(&counts, 0, sizeof counts);
    mw_imap_server_config_init(&cfg);
    cfg.caps |= MW_IMAP_CAP_LITERAL_PLUS | MW_IMAP_CAP_CONDSTORE |
                MW_IMAP_CAP_ESEARCH | MW_IMAP_CAP_UIDPLUS |
                MW_IMAP_CAP_MULTIAPPEND;
    cfg.max_bad_commands = 0;
    cb.send = on_send;
    cb.command = on_command;
    cb.append_data = on_append_data;
    cb.append_end = on_append_end;
    cb.error = on_error;
    if (mw_imap_server_init(&s, &cfg, &cb, &counts, srvbuf, sizeof srvbuf) !=
            MW_OK ||
        mw_imap_server_start(&s, MW_IMAP_OK, NULL, NULL) != MW_OK)
        return -1;
    while (pos < in->n) {
        size_t n = in->n - pos < 65536 ? in->n - pos : 65536;
        int r = mw_imap_server_feed(&s, in->p + pos, n, &used);
        pos += used;
        if (r == MW_DONE)
            break;
        if (r < 0) {
            fprintf(stderr, "feed: %s at %zu\n", mw_strerror(r), pos);
            return -1;
        }
    }
    return 0;
}

__attribute__((noinline)) void bench_pass_server(void)
{
    run_server(&cmds);
    sink += counts.sent;
}

__attribute__((noinline)) void bench_pass_append(void)
{
    run_server(&append_stream);
    sink += counts.append_bytes;
}

static int machine_check(void)
{
    if (run_server(&cmds) != 0 || counts.errors != 0 ||
        counts.commands != ncmds) {
        fprintf(stderr, "server check: %zu of %zu commands, %zu errors\n",
                counts.commands, ncmds, counts.errors);
        return -1;
    }
    if (run_server(&append_stream) != 0 || counts.errors != 0 ||
        counts.appended != nappend ||
        counts.append_bytes != nappend * (size_t)MSG_SIZE) {
        fprintf(stderr, "append check: %zu of %zu messages, %zu bytes, "
                        "%zu errors\n",
                counts.appended, nappend, counts.append_bytes, counts.errors);
        return -1;
    }
    return 0;
}

/* ---- driver ------------------------------------------------------------ */

typedef struct pass {
    const char *name;
    void (*fn)(void);
    const size_t *bytes;
    const char *base; /* the pass to compare with */
} pass;

static const pass passes[] = {
    {"memchr", bench_pass_memchr, &cmds.n, NULL},
    {"memcpy", bench_pass_memcpy, &cmds.n, "memchr"},
    {"parse", bench_pass_parse, &cmds.n, "memchr"},
#ifdef HAVE_MACHINE
    {"server", bench_pass_server, &cmds.n, "memchr"},
#endif
    {"append_memcpy", bench_pass_append_memcpy, &append_stream.n, NULL},
#ifdef HAVE_MACHINE
    {"append", bench_pass_append, &append_stream.n, "append_memcpy"},
#endif
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
    size_t mb = 50, i;
    int reps = 7, k;
    const char *only = NULL;
    double times[sizeof passes / sizeof passes[0]] = {0};

    for (k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--mb") && k + 1 < argc)
            mb = (size_t)atoi(argv[++k]);
        else if (!strcmp(argv[k], "--reps") && k + 1 < argc)
            reps = atoi(argv[++k]);
        else if (!strcmp(argv[k], "--only") && k + 1 < argc)
            only = argv[++k];
        else {
            fprintf(stderr, "usage: %s [--mb N] [--reps N] [--only PASS]\n",
                    argv[0]);
            return 2;
        }
    }
    build_cmds(mb << 20);
    build_append(mb << 20);
    copybuf = malloc(cmds.n > append_stream.n ? cmds.n : append_stream.n);
    if (copybuf == NULL)
        return 1;
    /* check once that the stream parses, so the figures mean something */
    parse_all();
    if (parse_errors != 0 || parsed != ncmds) {
        fprintf(stderr, "parse check: %zu of %zu commands, %zu errors\n",
                parsed, ncmds, parse_errors);
        return 1;
    }
#ifdef HAVE_MACHINE
    if (machine_check() != 0)
        return 1;
#endif

    printf("mailwire %s IMAP server benchmark: %zu commands (%zu bytes, "
           "%.1f bytes/command), %zu APPENDs of %u bytes, best of %d\n",
           mw_version_string(), ncmds, cmds.n, (double)cmds.n / (double)ncmds,
           nappend, MSG_SIZE, reps);
    printf("sizes: mw_imap_cmd %zu bytes, mw_imap_search_key %zu, "
           "mw_imap_fetch_req %zu",
           sizeof(mw_imap_cmd), sizeof(mw_imap_search_key),
           sizeof(mw_imap_fetch_req));
#ifdef HAVE_MACHINE
    printf(", mw_imap_server %zu (+ buffer %u)", mw_imap_server_sizeof(),
           (unsigned)MW_IMAP_SERVER_BUF_SIZE);
#endif
    printf("\n%-14s %10s %10s %14s\n", "pass", "ms", "MB/s", "% of baseline");
    for (i = 0; i < sizeof passes / sizeof passes[0]; i++) {
        size_t j;
        if (only && strcmp(only, passes[i].name) != 0)
            continue;
        times[i] = best_of(passes[i].fn, reps);
        printf("%-14s %10.2f %10.1f", passes[i].name, times[i] * 1e3,
               (double)*passes[i].bytes / times[i] / 1e6);
        if (passes[i].base != NULL) {
            for (j = 0; j < i; j++)
                if (!strcmp(passes[j].name, passes[i].base) && times[j] > 0)
                    printf(" %13.1f%%", 100.0 * times[j] / times[i]);
        }
        printf("\n%s_bytes=%zu\n", passes[i].name, *passes[i].bytes);
    }
    free(copybuf);
    free(cmds.p);
    free(append_stream.p);
    free(message);
    return 0;
}

#else

int main(void)
{
    printf("bench_imap_server: this build has no IMAP server\n");
    return 0;
}

#endif
