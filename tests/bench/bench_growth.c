/* SPDX-License-Identifier: MIT */
/*
 * Growth benchmark (issue 8): hostile inputs at N, 2N, 4N and 8N items,
 * each printed as ns/byte and ns/item next to a memchr pass over the same
 * bytes, with the ratio between the largest and the smallest size. A
 * linear parser keeps ns/byte flat (ratio near 1); a quadratic one doubles
 * it at every step (ratio near 8). The cases are the resource attacks of
 * field-notes §4.5 and §4.11:
 *
 *   addresses      100,000 addresses in one field (Dovecot CVE-2024-23184)
 *   nesting        comments nested 100,000 deep (field-notes §4.6)
 *   semicolons     100,000 ';' before an address (Mutt CVE-2021-3181)
 *   fields         100,000 header fields through the splitter
 *   smtp_noop      NOOP flood into the SMTP server machine
 *   smtp_rset      RSET flood
 *   smtp_bad       unknown commands (bad-command limit off)
 *   smtp_authcancel AUTH LOGIN / "*" loop (limit off)
 *   pop3_noop      NOOP flood into the POP3 server machine
 *   pop3_rset      RSET flood
 *   pop3_bad       unknown commands (limit off)
 *   pop3_authcancel AUTH PLAIN / "*" loop (limit off)
 *
 * Cases of modules left out of the build are skipped. No test asserts on
 * these figures (timing on a shared machine is noise): read them, or count
 * instructions instead, which is repeatable:
 *
 *   bench_growth [--n N] [--reps R] [--only CASE]
 *   bench_growth --only CASE --mult M --once   (one run, for callgrind)
 *   tests/bench/callgrind_growth.sh BUILD_DIR  (instructions per item)
 */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mailwire/mailwire.h>

/* Keeps the compiler from discarding work whose result is unused. */
static volatile size_t sink;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct growth_case {
    const char *name;
    const char *item; /* what N counts */
    /* Fill buf (capacity cap) with the input for n items; its length. */
    size_t (*make)(char *buf, size_t cap, size_t n);
    /* Process it; the number of items the machine reported back (lines
     * answered, addresses found...), to show the work was done. */
    size_t (*run)(const char *buf, size_t len);
} growth_case;

/* Feed in 64 KB chunks, as a server reading a socket would. */
#define CHUNK 65536u

/* ====================================================================
 * RFC 5322 headers
 * ==================================================================== */
#if MW_ENABLE_HDR

static size_t make_addresses(char *b, size_t cap, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n && len + 48 < cap; i++)
        len += (size_t)snprintf(b + len, cap - len, "u%zu@example.com, ", i);
    return len;
}

static size_t make_nesting(char *b, size_t cap, size_t n)
{
    size_t d = 2 * n + 16 < cap ? n : (cap - 16) / 2;
    memcpy(b, "a@b ", 4);
    memset(b + 4, '(', d);
    b[4 + d] = 'x';
    memset(b + 5 + d, ')', d);
    memcpy(b + 5 + 2 * d, ", c@d", 5);
    return 10 + 2 * d;
}

static size_t make_semicolons(char *b, size_t cap, size_t n)
{
    size_t d = n + 16 < cap ? n : cap - 16;
    memcpy(b, "G: a@b", 6);
    memset(b + 6, ';', d);
    memcpy(b + 6 + d, ", c@d", 5);
    return 11 + d;
}

static size_t run_addresses(const char *b, size_t len)
{
    mw_hdr_addr_iter it;
    mw_hdr_address a;
    size_t n = 0;
    mw_hdr_addr_iter_init(&it, b, len, 0);
    while (mw_hdr_addr_next(&it, &a) == MW_OK)
        n++;
    return n;
}

static size_t make_fields(char *b, size_t cap, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n && len + 48 < cap; i++)
        len += (size_t)snprintf(b + len, cap - len, "To: u%zu@example.com\r\n", i);
    memcpy(b + len, "\r\n", 2);
    return len + 2;
}

static char hdrbuf[MW_HDR_BUFLEN_DEFAULT];

static int count_field(mw_hdr_parser *p, void *u, const mw_hdr_field *f)
{
    (void)p;
    (void)f;
    (*(size_t *)u)++;
    return 0;
}

static size_t run_fields(const char *b, size_t len)
{
    static mw_hdr_parser p;
    mw_hdr_config cfg;
    mw_hdr_callbacks cb;
    size_t at = 0, fields = 0;
    mw_hdr_config_init(&cfg);
    cfg.max_fields = (size_t)-1;
    cfg.max_header = (size_t)-1;
    memset(&cb, 0, sizeof cb);
    cb.field = count_field;
    if (mw_hdr_parser_init(&p, &cfg, &cb, &fields, hdrbuf, sizeof hdrbuf) != MW_OK)
        return 0;
    while (at < len) {
        size_t used = 0, k = len - at < CHUNK ? len - at : CHUNK;
        int rc = mw_hdr_parser_feed(&p, b + at, k, &used);
        at += used;
        if (rc != MW_OK)
            break;
    }
    return fields;
}

#endif /* MW_ENABLE_HDR */

/* ====================================================================
 * Command floods: the same line n times
 * ==================================================================== */

#if MW_ENABLE_SMTP_SERVER || MW_ENABLE_POP3_SERVER
static const char *flood_line;

static size_t make_flood(char *b, size_t cap, size_t n)
{
    size_t k = strlen(flood_line), len = 0;
    for (size_t i = 0; i < n && len + k < cap; i++) {
        memcpy(b + len, flood_line, k);
        len += k;
    }
    return len;
}
#endif

/* ---- SMTP server ------------------------------------------------------ */
#if MW_ENABLE_SMTP_SERVER

static mw_smtp_server smtp;
static char smtp_line[MW_SMTP_SERVER_LINEBUF_SIZE];
static size_t smtp_replies;

static int smtp_send(mw_smtp_server *s, void *u, const char *p, size_t n)
{
    (void)s;
    (void)u;
    (void)p;
    (void)n;
    smtp_replies++;
    return 0;
}

static int smtp_command(mw_smtp_server *s, void *u, const mw_smtp_cmd *c)
{
    (void)u;
    if (c->verb == MW_SMTP_CMD_AUTH)
        return mw_smtp_server_auth_challenge(s, "Username:", 9);
    return mw_smtp_server_reply_default(s);
}

static size_t run_smtp(const char *b, size_t len)
{
    mw_smtp_server_config cfg;
    mw_smtp_server_callbacks cb;
    size_t at = 0, used;
    mw_smtp_server_config_init(&cfg);
    cfg.extensions |= MW_SMTP_EXT_AUTH;
    cfg.auth_mechanisms = "PLAIN LOGIN";
    cfg.max_bad_commands = UINT_MAX; /* measure the parsing, not the limit */
    memset(&cb, 0, sizeof cb);
    cb.send = smtp_send;
    cb.command = smtp_command;
    smtp_replies = 0;
    if (mw_smtp_server_init(&smtp, &cfg, &cb, NULL, smtp_line, sizeof smtp_line) != MW_OK ||
        mw_smtp_server_start(&smtp, NULL) != MW_OK ||
        mw_smtp_server_feed(&smtp, "EHLO c.example\r\n", 16, &used) != MW_OK)
        return 0;
    while (at < len) {
        size_t k = len - at < CHUNK ? len - at : CHUNK;
        int rc = mw_smtp_server_feed(&smtp, b + at, k, &used);
        at += used;
        if (rc < 0 || rc == MW_DONE || used == 0)
            break;
    }
    return smtp_replies;
}

static size_t make_smtp_noop(char *b, size_t cap, size_t n)
{
    flood_line = "NOOP\r\n";
    return make_flood(b, cap, n);
}

static size_t make_smtp_rset(char *b, size_t cap, size_t n)
{
    flood_line = "RSET\r\n";
    return make_flood(b, cap, n);
}

static size_t make_smtp_bad(char *b, size_t cap, size_t n)
{
    flood_line = "XYZZY plugh\r\n";
    return make_flood(b, cap, n);
}

static size_t make_smtp_authcancel(char *b, size_t cap, size_t n)
{
    flood_line = "AUTH LOGIN\r\n*\r\n";
    return make_flood(b, cap, n);
}

#endif /* MW_ENABLE_SMTP_SERVER */

/* ---- POP3 server ------------------------------------------------------ */
#if MW_ENABLE_POP3_SERVER

static mw_pop3_server pop3;
static char pop3_line[MW_POP3_SERVER_LINEBUF_SIZE];
static size_t pop3_replies;

static int pop3_send(mw_pop3_server *s, void *u, const char *p, size_t n)
{
    (void)s;
    (void)u;
    (void)p;
    (void)n;
    pop3_replies++;
    return 0;
}

static int pop3_command(mw_pop3_server *s, void *u, const mw_pop3_cmd *c)
{
    (void)u;
    if (c->id == MW_POP3_CMD_AUTH)
        return mw_pop3_server_auth_challenge(s, NULL, 0);
    return mw_pop3_server_reply(s, 1, 0, NULL);
}

static size_t run_pop3(const char *b, size_t len)
{
    mw_pop3_server_config cfg;
    mw_pop3_server_callbacks cb;
    size_t at = 0, used;
    mw_pop3_server_config_init(&cfg);
    cfg.sasl = "PLAIN";
    cfg.max_bad_commands = 0; /* no limit: measure the parsing */
    memset(&cb, 0, sizeof cb);
    cb.send = pop3_send;
    cb.command = pop3_command;
    pop3_replies = 0;
    if (mw_pop3_server_init(&pop3, &cfg, &cb, NULL, pop3_line, sizeof pop3_line) != MW_OK ||
        mw_pop3_server_start(&pop3, NULL) != MW_OK)
        return 0;
    /* RSET needs TRANSACTION; the others work in either state */
    if (strcmp(flood_line, "RSET\r\n") == 0 &&
        mw_pop3_server_feed(&pop3, "USER a\r\nPASS b\r\n", 16, &used) != MW_OK)
        return 0;
    while (at < len) {
        size_t k = len - at < CHUNK ? len - at : CHUNK;
        int rc = mw_pop3_server_feed(&pop3, b + at, k, &used);
        at += used;
        if (rc < 0 || rc == MW_DONE || used == 0)
            break;
    }
    return pop3_replies;
}

static size_t make_pop3_noop(char *b, size_t cap, size_t n)
{
    flood_line = "NOOP\r\n";
    return make_flood(b, cap, n);
}

static size_t make_pop3_rset(char *b, size_t cap, size_t n)
{
    flood_line = "RSET\r\n";
    return make_flood(b, cap, n);
}

static size_t make_pop3_bad(char *b, size_t cap, size_t n)
{
    flood_line = "XYZZY plugh\r\n";
    return make_flood(b, cap, n);
}

static size_t make_pop3_authcancel(char *b, size_t cap, size_t n)
{
    flood_line = "AUTH PLAIN\r\n*\r\n";
    return make_flood(b, cap, n);
}

#endif /* MW_ENABLE_POP3_SERVER */

static const growth_case cases[] = {
#if MW_ENABLE_HDR
    {"addresses", "address", make_addresses, run_addresses},
    {"nesting", "level", make_nesting, run_addresses},
    {"semicolons", "';'", make_semicolons, run_addresses},
    {"fields", "field", make_fields, run_fields},
#endif
#if MW_ENABLE_SMTP_SERVER
    {"smtp_noop", "command", make_smtp_noop, run_smtp},
    {"smtp_rset", "command", make_smtp_rset, run_smtp},
    {"smtp_bad", "command", make_smtp_bad, run_smtp},
    {"smtp_authcancel", "loop", make_smtp_authcancel, run_smtp},
#endif
#if MW_ENABLE_POP3_SERVER
    {"pop3_noop", "command", make_pop3_noop, run_pop3},
    {"pop3_rset", "command", make_pop3_rset, run_pop3},
    {"pop3_bad", "command", make_pop3_bad, run_pop3},
    {"pop3_authcancel", "loop", make_pop3_authcancel, run_pop3},
#endif
    {NULL, NULL, NULL, NULL}};

/* ---- the measured passes (named so callgrind can collect exactly one) - */

static const growth_case *cur;
static const char *cur_buf;
static size_t cur_len, cur_items;

__attribute__((noinline)) void bench_pass_growth(void)
{
    cur_items = cur->run(cur_buf, cur_len);
    sink += cur_items;
}

/* Baseline: every line end (or byte) found with memchr, as a framer must. */
__attribute__((noinline)) void bench_pass_memchr(void)
{
    const char *p = cur_buf, *end = cur_buf + cur_len;
    size_t lines = 0;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        lines++;
        p++;
    }
    sink += lines;
}

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
    size_t n = 100000, mult_once = 0;
    int reps = 3, once = 0;
    const char *only = NULL;
    size_t cap;
    char *buf;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--n") && i + 1 < argc)
            n = (size_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "--mult") && i + 1 < argc)
            mult_once = (size_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--once"))
            once = 1;
        else {
            fprintf(stderr,
                    "usage: %s [--n N] [--reps R] [--only CASE] [--mult M --once]\n",
                    argv[0]);
            return 2;
        }
    }
    if (n == 0 || reps < 1 || (once && (only == NULL || mult_once == 0)))
        return 2;
    cap = 8 * n * 64 + 4096;
    buf = malloc(cap);
    if (buf == NULL)
        return 1;
    cur_buf = buf;

    if (once) {
        /* one run of one size, for callgrind (--toggle-collect) */
        for (cur = cases; cur->name != NULL; cur++)
            if (!strcmp(cur->name, only))
                break;
        if (cur->name == NULL) {
            fprintf(stderr, "no case %s in this build\n", only);
            free(buf);
            return 2;
        }
        cur_len = cur->make(buf, cap, n * mult_once);
        bench_pass_memchr();
        bench_pass_growth();
        printf("case=%s items=%zu bytes=%zu reported=%zu\n", cur->name, n * mult_once,
               cur_len, cur_items);
        free(buf);
        return 0;
    }

    printf("mailwire %s growth benchmark: N = %zu, best of %d; linear = flat ns/byte,\n"
           "ratio = ns/byte at 8N over ns/byte at N (quadratic would be ~8)\n",
           mw_version_string(), n, reps);
    printf("%-16s %9s %10s %10s %9s %9s %11s %7s\n", "case", "items", "bytes", "ms",
           "ns/byte", "ns/item", "memchr/B", "ratio");
    for (cur = cases; cur->name != NULL; cur++) {
        double first = 0;
        if (only != NULL && strcmp(only, cur->name) != 0)
            continue;
        for (size_t mult = 1; mult <= 8; mult *= 2) {
            size_t items = n * mult;
            double t, tm, nspb;
            cur_len = cur->make(buf, cap, items);
            t = best_of(bench_pass_growth, reps);
            tm = best_of(bench_pass_memchr, reps);
            nspb = t * 1e9 / (double)cur_len;
            if (mult == 1)
                first = nspb;
            printf("%-16s %9zu %10zu %10.2f %9.3f %9.2f %11.4f", mult == 1 ? cur->name : "",
                   items, cur_len, t * 1e3, nspb, t * 1e9 / (double)items,
                   tm * 1e9 / (double)cur_len);
            if (mult == 8)
                printf(" %7.2f", nspb / first);
            printf("\n");
        }
        printf("%-16s (%zu %s(s) reported at 8N)\n", "", cur_items, cur->item);
    }
    free(buf);
    return 0;
}
