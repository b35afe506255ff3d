/* SPDX-License-Identifier: MIT */
/*
 * RFC 5322 header benchmark.
 *
 * Throughput over a deterministic corpus of realistic headers (corpus.c),
 * printed next to memchr and memcpy over the same header bytes in the same
 * run, for:
 *   split  the streaming splitter alone (every field delivered, unfolded)
 *   full   splitting plus addresses (From, Sender, Reply-To, To, Cc, Bcc),
 *          the date, message ids (Message-ID, In-Reply-To, References) and
 *          the Subject decoded to UTF-8
 * Then growth: hostile inputs at 1x, 2x, 4x and 8x size; a parser that is
 * linear shows a flat ns/byte column.
 *
 *   bench_hdr [--mb N] [--reps N] [--only split|full|memchr|memcpy]
 *             [--no-growth]
 * tests/bench/callgrind_bench.sh BUILD bench_hdr memchr split full -- --mb 2
 * --no-growth counts instructions/byte under callgrind.
 * Timing is informative only; no test asserts on it.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mailwire/mailwire.h>

#include "corpus.h"

/* Keeps the compiler from discarding work whose result is unused. */
static volatile size_t sink;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- the passes (named so callgrind can collect exactly one) ---------- */

static bench_corpus corpus;
static size_t header_bytes;

/* Baseline: find every line end of every header, as a splitter must. */
__attribute__((noinline)) void bench_pass_memchr(void)
{
    size_t lines = 0;
    for (size_t m = 0; m < corpus.count; m++) {
        const char *p = corpus.data + corpus.starts[m];
        const char *end = p + corpus.header_len[m];
        while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            lines++;
            p++;
        }
    }
    sink += lines;
}

static char *copybuf;

__attribute__((noinline)) void bench_pass_memcpy(void)
{
    size_t at = 0;
    for (size_t m = 0; m < corpus.count; m++) {
        memcpy(copybuf + at, corpus.data + corpus.starts[m], corpus.header_len[m]);
        at += corpus.header_len[m];
    }
    sink += (unsigned char)copybuf[at / 2];
}

static char hdrbuf[MW_HDR_BUFLEN_DEFAULT];

static int on_field_count(mw_hdr_parser *p, void *user, const mw_hdr_field *f)
{
    (void)p;
    *(size_t *)user += f->value.len;
    return 0;
}

static void run_splitter(const mw_hdr_callbacks *cb, void *user)
{
    mw_hdr_parser p;
    mw_hdr_parser_init(&p, NULL, cb, user, hdrbuf, sizeof hdrbuf);
    for (size_t m = 0; m < corpus.count; m++) {
        size_t used;
        mw_hdr_parser_reset(&p);
        if (mw_hdr_parser_feed(&p, corpus.data + corpus.starts[m],
                               corpus.header_len[m], &used) != MW_DONE) {
            fprintf(stderr, "message %zu did not end its header\n", m);
            exit(1);
        }
    }
}

__attribute__((noinline)) void bench_pass_split(void)
{
    size_t total = 0;
    mw_hdr_callbacks cb = {0};
    cb.field = on_field_count;
    run_splitter(&cb, &total);
    sink += total;
}

/* Field names the full pass parses, matched without a string compare per
 * field: length first, then one case-insensitive comparison. */
enum kind { K_OTHER, K_ADDR, K_DATE, K_IDS, K_SUBJECT };

static int name_is(mw_span n, const char *s, size_t len)
{
    if (n.len != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char a = n.ptr[i], b = s[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a + 32);
        if (a != b)
            return 0;
    }
    return 1;
}

static enum kind classify(mw_span n)
{
    switch (n.len) {
    case 2:
        return (name_is(n, "to", 2) || name_is(n, "cc", 2)) ? K_ADDR : K_OTHER;
    case 3:
        return name_is(n, "bcc", 3) ? K_ADDR : K_OTHER;
    case 4:
        if (name_is(n, "from", 4))
            return K_ADDR;
        return name_is(n, "date", 4) ? K_DATE : K_OTHER;
    case 6:
        return name_is(n, "sender", 6) ? K_ADDR : K_OTHER;
    case 7:
        return name_is(n, "subject", 7) ? K_SUBJECT : K_OTHER;
    case 8:
        return name_is(n, "reply-to", 8) ? K_ADDR : K_OTHER;
    case 10:
        return (name_is(n, "message-id", 10) || name_is(n, "references", 10))
                   ? K_IDS : K_OTHER;
    case 11:
        return name_is(n, "in-reply-to", 11) ? K_IDS : K_OTHER;
    default:
        return K_OTHER;
    }
}

typedef struct full_stats {
    size_t addresses, ids, dates, subject_bytes, errors;
} full_stats;

static char subject_out[4 * MW_HDR_MAX_FIELD];

static int on_field_full(mw_hdr_parser *p, void *user, const mw_hdr_field *f)
{
    full_stats *st = user;
    (void)p;
    switch (classify(f->name)) {
    case K_ADDR: {
        mw_hdr_addr_iter it;
        mw_hdr_address a;
        mw_hdr_addr_iter_init(&it, f->value.ptr, f->value.len, 0);
        while (mw_hdr_addr_next(&it, &a) == MW_OK) {
            st->addresses++;
            st->errors += (a.flags & MW_HDR_ADDR_INVALID) != 0;
        }
        break;
    }
    case K_DATE: {
        mw_hdr_datetime dt;
        if (mw_hdr_parse_date(f->value.ptr, f->value.len, &dt, NULL) == MW_OK)
            st->dates++;
        else
            st->errors++;
        break;
    }
    case K_IDS: {
        mw_hdr_msgid_iter it;
        mw_span id;
        unsigned fl;
        mw_hdr_msgid_iter_init(&it, f->value.ptr, f->value.len);
        while (mw_hdr_msgid_next(&it, &id, &fl, NULL) == MW_OK)
            st->ids++;
        break;
    }
    case K_SUBJECT: {
        size_t n = 0;
        if (mw_hdr_decode_unstructured(f->value.ptr, f->value.len, NULL,
                                       subject_out, sizeof subject_out, &n,
                                       NULL) != MW_OK)
            st->errors++;
        st->subject_bytes += n;
        break;
    }
    default:
        break;
    }
    return 0;
}

static full_stats last_full;

__attribute__((noinline)) void bench_pass_full(void)
{
    full_stats st = {0};
    mw_hdr_callbacks cb = {0};
    cb.field = on_field_full;
    run_splitter(&cb, &st);
    last_full = st;
    sink += st.addresses + st.ids;
}

typedef struct pass {
    const char *name;
    void (*fn)(void);
} pass;

static const pass passes[] = {
    {"memchr", bench_pass_memchr},
    {"memcpy", bench_pass_memcpy},
    {"split", bench_pass_split},
    {"full", bench_pass_full},
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

/* ---- growth ----------------------------------------------------------- */

typedef struct growth_case {
    const char *name;
    /* Fill buf (capacity cap) with a hostile input scaled by n; return its
     * length. */
    size_t (*make)(char *buf, size_t cap, size_t n);
    void (*run)(const char *buf, size_t len);
} growth_case;

static size_t make_addresses(char *b, size_t cap, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n && len + 64 < cap; i++)
        len += (size_t)snprintf(b + len, cap - len, "User %zu <user%zu@example.com>, ", i, i);
    return len;
}

static size_t make_comments(char *b, size_t cap, size_t n)
{
    size_t d = n * 8 < cap / 2 ? n * 8 : cap / 2 - 8;
    memset(b, '(', d);
    memcpy(b + d, "x", 1);
    memset(b + d + 1, ')', d);
    memcpy(b + 2 * d + 1, " a@b", 4);
    return 2 * d + 5;
}

static size_t make_semicolons(char *b, size_t cap, size_t n)
{
    size_t len = n * 16 < cap ? n * 16 : cap;
    for (size_t i = 0; i < len; i++)
        b[i] = (i & 1) ? ';' : ',';
    return len;
}

static size_t make_encoded_words(char *b, size_t cap, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n && len + 32 < cap; i++)
        len += (size_t)snprintf(b + len, cap - len, "=?utf-8?q?w=C3=B6rd?= ");
    return len;
}

static size_t make_msgids(char *b, size_t cap, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n && len + 48 < cap; i++)
        len += (size_t)snprintf(b + len, cap - len, "<%zu.id@host.example> ", i);
    return len;
}

static size_t make_params(char *b, size_t cap, size_t n)
{
    size_t len = (size_t)snprintf(b, cap, "text/plain");
    for (size_t i = 0; i < n && len + 48 < cap; i++)
        len += (size_t)snprintf(b + len, cap - len, "; title*%zu*=utf-8''a%%20b", i);
    return len;
}

static size_t make_fields(char *b, size_t cap, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n && len + 32 < cap; i++)
        len += (size_t)snprintf(b + len, cap - len, "X-F%zu: v\r\n", i);
    memcpy(b + len, "\r\n", 2);
    return len + 2;
}

static size_t make_folded(char *b, size_t cap, size_t n)
{
    size_t len = (size_t)snprintf(b, cap, "X-Long: a");
    for (size_t i = 0; i < n * 4 && len + 16 < cap; i++) {
        memcpy(b + len, "\r\n folded", 9);
        len += 9;
    }
    memcpy(b + len, "\r\n\r\n", 4);
    return len + 4;
}

static void run_addresses(const char *b, size_t len)
{
    mw_hdr_addr_iter it;
    mw_hdr_address a;
    size_t n = 0;
    mw_hdr_addr_iter_init(&it, b, len, 0);
    while (mw_hdr_addr_next(&it, &a) == MW_OK)
        n++;
    sink += n;
}

static char *big_out;
static size_t big_cap;

static void run_decode(const char *b, size_t len)
{
    size_t n = 0;
    mw_hdr_decode_unstructured(b, len, NULL, big_out, big_cap, &n, NULL);
    sink += n;
}

static void run_msgids(const char *b, size_t len)
{
    mw_hdr_msgid_iter it;
    mw_span id;
    unsigned fl;
    size_t n = 0;
    mw_hdr_msgid_iter_init(&it, b, len);
    while (mw_hdr_msgid_next(&it, &id, &fl, NULL) == MW_OK)
        n++;
    sink += n;
}

static mw_hdr_param params[MW_HDR_MAX_PARAMS];

static void run_params(const char *b, size_t len)
{
    mw_hdr_content_type ct;
    size_t n = 0;
    mw_hdr_parse_content_type(b, len, &ct, params, MW_HDR_MAX_PARAMS, NULL);
    mw_hdr_param_get(params, ct.nparams, "title", NULL, big_out, big_cap, &n,
                     NULL, NULL);
    sink += n + ct.nparams;
}

static void run_split_big(const char *b, size_t len)
{
    mw_hdr_config cfg;
    mw_hdr_parser p;
    mw_hdr_callbacks cb = {0};
    size_t used, total = 0;
    mw_hdr_config_init(&cfg);
    cfg.max_fields = (size_t)-1 / 4;
    cfg.max_header = (size_t)-1 / 4;
    cfg.max_field = big_cap / 2 - 2;
    cfg.flags = MW_HDR_LENIENT_LINES;
    cb.field = on_field_count;
    mw_hdr_parser_init(&p, &cfg, &cb, &total, big_out, big_cap);
    /* 64 KiB chunks, as a server reading a socket would feed them */
    for (size_t at = 0; at < len;) {
        size_t n = len - at < 65536 ? len - at : 65536;
        int rc = mw_hdr_parser_feed(&p, b + at, n, &used);
        at += used;
        if (rc != MW_OK)
            break;
    }
    sink += total;
}

static const growth_case growth_cases[] = {
    {"addresses in one field", make_addresses, run_addresses},
    {"nested comments", make_comments, run_addresses},
    {"runs of ; and ,", make_semicolons, run_addresses},
    {"encoded words", make_encoded_words, run_decode},
    {"msg-ids", make_msgids, run_msgids},
    {"RFC 2231 sections (capped)", make_params, run_params},
    {"header fields", make_fields, run_split_big},
    {"one folded field", make_folded, run_split_big},
};

static void growth(void)
{
    const size_t base = 1u << 15; /* items at 1x */
    size_t cap = 64u << 20;
    char *buf = malloc(cap);
    big_cap = 2 * cap + 2;
    big_out = malloc(big_cap);
    if (!buf || !big_out)
        exit(1);
    printf("\ngrowth (linear = flat ns/byte)\n");
    printf("%-28s %12s %12s %10s %8s\n", "input", "bytes", "ms", "ns/byte", "ratio");
    for (size_t c = 0; c < sizeof growth_cases / sizeof growth_cases[0]; c++) {
        double first = 0;
        for (size_t mult = 1; mult <= 8; mult *= 2) {
            size_t len = growth_cases[c].make(buf, cap, base * mult);
            double best = 1e30;
            for (int r = 0; r < 3; r++) {
                double t0 = now();
                growth_cases[c].run(buf, len);
                double t = now() - t0;
                if (t < best)
                    best = t;
            }
            double nspb = best * 1e9 / (double)len;
            if (mult == 1)
                first = nspb;
            printf("%-28s %12zu %12.2f %10.3f %8.2f\n", mult == 1 ? growth_cases[c].name : "",
                   len, best * 1e3, nspb, nspb / first);
        }
    }
    free(buf);
    free(big_out);
}

int main(int argc, char **argv)
{
    size_t mb = 16;
    int reps = 7, do_growth = 1;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--mb") && i + 1 < argc)
            mb = (size_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "--no-growth"))
            do_growth = 0;
        else {
            fprintf(stderr, "usage: %s [--mb N] [--reps N] [--only PASS] [--no-growth]\n",
                    argv[0]);
            return 2;
        }
    }

    bench_corpus_make(&corpus, mb << 20, 42);
    for (size_t m = 0; m < corpus.count; m++)
        header_bytes += corpus.header_len[m];
    copybuf = malloc(header_bytes + 1);
    if (!copybuf)
        return 1;
    printf("mailwire %s header benchmark: %zu messages, %zu header bytes, best of %d\n",
           mw_version_string(), corpus.count, header_bytes, reps);
    printf("%-8s %10s %10s %12s\n", "pass", "ms", "MB/s", "vs memchr");

    double memchr_t = 0;
    for (size_t i = 0; i < sizeof passes / sizeof passes[0]; i++) {
        if (only && strcmp(only, passes[i].name) != 0)
            continue;
        double t = best_of(passes[i].fn, reps);
        if (!strcmp(passes[i].name, "memchr"))
            memchr_t = t;
        printf("%-8s %10.2f %10.1f", passes[i].name, t * 1e3,
               (double)header_bytes / t / 1e6);
        if (memchr_t > 0)
            printf(" %11.2fx", t / memchr_t);
        printf("\n");
    }
    if (!only || !strcmp(only, "full"))
        printf("full pass parsed %zu addresses, %zu dates, %zu ids, %zu subject bytes, %zu errors\n",
               last_full.addresses, last_full.dates, last_full.ids,
               last_full.subject_bytes, last_full.errors);
    printf("header_bytes=%zu\n", header_bytes);
    if (do_growth && !only)
        growth();
    free(copybuf);
    bench_corpus_free(&corpus);
    return 0;
}
