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
 *   imap_noop      NOOP flood into the IMAP server machine
 *   imap_bad       unknown commands (bad-command limit off)
 *   imap_authcancel AUTHENTICATE PLAIN / "*" loop (limit off)
 *   imapc_literal  one FETCH BODY[] literal of N 64-byte lines into the
 *                  IMAP client machine (field-notes §4.5: huge literals)
 *   imapc_search   one `* SEARCH` response of N numbers into the client
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
    /* The input for n items: this line n times (flood cases), else what
     * make() fills buf (capacity cap) with; its length. */
    const char *flood;
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

/* The flood line of the case being made. */
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

/* Feed b[0, len) in CHUNK pieces until all is read or the machine stops. */
typedef int (*feed_fn)(void *machine, const char *p, size_t n, size_t *used);

static void feed_all(feed_fn feed, void *machine, const char *b, size_t len)
{
    size_t at = 0, used;
    while (at < len) {
        size_t k = len - at < CHUNK ? len - at : CHUNK;
        int rc = feed(machine, b + at, k, &used);
        at += used;
        if (rc < 0 || rc == MW_DONE || used == 0)
            break;
    }
}

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

static int smtp_feed(void *m, const char *p, size_t n, size_t *used)
{
    return mw_smtp_server_feed(m, p, n, used);
}

static size_t run_smtp(const char *b, size_t len)
{
    mw_smtp_server_config cfg;
    mw_smtp_server_callbacks cb;
    size_t used;
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
    feed_all(smtp_feed, &smtp, b, len);
    return smtp_replies;
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

static int pop3_feed(void *m, const char *p, size_t n, size_t *used)
{
    return mw_pop3_server_feed(m, p, n, used);
}

static size_t run_pop3(const char *b, size_t len)
{
    mw_pop3_server_config cfg;
    mw_pop3_server_callbacks cb;
    size_t used;
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
    feed_all(pop3_feed, &pop3, b, len);
    return pop3_replies;
}

#endif /* MW_ENABLE_POP3_SERVER */

/* ---- IMAP server ------------------------------------------------------ */
#if MW_ENABLE_IMAP_SERVER

static mw_imap_server imaps;
static char imaps_buf[MW_IMAP_SERVER_BUF_SIZE];
static size_t imaps_replies;

static int imaps_send(mw_imap_server *s, void *u, const char *p, size_t n)
{
    (void)s;
    (void)u;
    (void)p;
    (void)n;
    imaps_replies++;
    return 0;
}

static int imaps_command(mw_imap_server *s, void *u, const mw_imap_cmd *c)
{
    (void)u;
    if (c->id == MW_IMAP_CMD_AUTHENTICATE)
        return mw_imap_server_auth_challenge(s, NULL, 0);
    return mw_imap_server_reply(s, MW_IMAP_OK, NULL, NULL);
}

static int imap_feed(void *m, const char *p, size_t n, size_t *used)
{
    return mw_imap_server_feed(m, p, n, used);
}

static size_t run_imap_server(const char *b, size_t len)
{
    mw_imap_server_config cfg;
    mw_imap_server_callbacks cb;
    mw_imap_server_config_init(&cfg);
    cfg.auth = MW_IMAP_AUTH_PLAIN;
    cfg.max_bad_commands = 0; /* no limit: measure the parsing */
    memset(&cb, 0, sizeof cb);
    cb.send = imaps_send;
    cb.command = imaps_command;
    imaps_replies = 0;
    if (mw_imap_server_init(&imaps, &cfg, &cb, NULL, imaps_buf, sizeof imaps_buf) != MW_OK ||
        mw_imap_server_start(&imaps, MW_IMAP_OK, NULL, NULL) != MW_OK)
        return 0;
    feed_all(imap_feed, &imaps, b, len);
    return imaps_replies;
}

#endif /* MW_ENABLE_IMAP_SERVER */

/* ---- IMAP client ------------------------------------------------------ */
#if MW_ENABLE_IMAP_CLIENT

/* One body line of the literal: 62 bytes and CRLF. */
#define LITERAL_LINE 64u

static mw_imap_client imapc;
static char imapc_frame[MW_IMAP_CLIENT_BUF_SIZE];
static unsigned char imapc_arena[65536];
static size_t imapc_bytes, imapc_nums, imapc_done;

static int imapc_send(mw_imap_client *c, void *u, const char *p, size_t n)
{
    (void)c;
    (void)u;
    (void)p;
    (void)n;
    return 0;
}

static int imapc_status(mw_imap_client *c, void *u, const mw_imap_status *st)
{
    (void)c;
    (void)u;
    if (!st->untagged && st->result == MW_IMAP_OK)
        imapc_done++; /* the tagged OK of the command */
    return 0;
}

static int imapc_search(mw_imap_client *c, void *u, const mw_imap_search_ev *ev)
{
    (void)c;
    (void)u;
    if (ev->ev == MW_IMAP_SEARCH_NUM)
        imapc_nums++;
    return 0;
}

static int imapc_body(mw_imap_client *c, void *u, const char *p, size_t n)
{
    (void)c;
    (void)u;
    (void)p;
    imapc_bytes += n;
    return 0;
}

/* A broken run shows as 0 reported; say why. */
static int imapc_error(mw_imap_client *c, void *u, int status, size_t off, const char *reason)
{
    (void)c;
    (void)u;
    fprintf(stderr, "imap client: %s at %zu: %s\n", mw_status_name(status), off, reason);
    return 0;
}

/* The greeting, then one pending command the response answers ("A1").
 * The command goes as MW_IMAP_CMD_OTHER: FETCH and SEARCH ids need a
 * selected mailbox, and the responses are parsed the same either way. */
static size_t run_imap_client(const char *b, size_t len, const char *cmd, int id)
{
    static const char greeting[] = "* PREAUTH [CAPABILITY IMAP4rev1] ready\r\n";
    mw_imap_client_config cfg;
    mw_imap_client_callbacks cb;
    size_t at = 0, used;
    mw_imap_client_config_init(&cfg);
    cfg.arena = imapc_arena;
    cfg.arena_len = sizeof imapc_arena;
    memset(&cb, 0, sizeof cb);
    cb.send = imapc_send;
    cb.status = imapc_status;
    cb.search = imapc_search;
    cb.body_data = imapc_body;
    cb.error = imapc_error;
    imapc_bytes = imapc_nums = imapc_done = 0;
    if (mw_imap_client_init(&imapc, &cfg, &cb, NULL, imapc_frame, sizeof imapc_frame) != MW_OK ||
        mw_imap_client_feed(&imapc, greeting, sizeof greeting - 1, &used) != MW_OK ||
        mw_imap_client_command(&imapc, cmd, strlen(cmd), id, NULL) != MW_OK) {
        fprintf(stderr, "imap client: set-up failed\n");
        return 0;
    }
    while (at < len) {
        size_t k = len - at < CHUNK ? len - at : CHUNK;
        int rc = mw_imap_client_feed(&imapc, b + at, k, &used);
        at += used;
        if (rc < 0)
            fprintf(stderr, "imap client: feed: %s\n", mw_status_name(rc));
        if (rc < 0 || rc == MW_DONE || used == 0)
            break;
    }
    return imapc_done;
}

static size_t make_imapc_literal(char *b, size_t cap, size_t n)
{
    size_t lines = (n * LITERAL_LINE + 128 < cap) ? n : (cap - 128) / LITERAL_LINE;
    size_t len = (size_t)snprintf(b, cap, "* 1 FETCH (BODY[] {%zu}\r\n", lines * LITERAL_LINE);
    for (size_t i = 0; i < lines; i++) {
        memset(b + len, 'x', LITERAL_LINE - 2);
        memcpy(b + len + LITERAL_LINE - 2, "\r\n", 2);
        len += LITERAL_LINE;
    }
    memcpy(b + len, ")\r\nA1 OK done\r\n", 15);
    return len + 15;
}

static size_t run_imapc_literal(const char *b, size_t len)
{
    /* the tagged OK must arrive, and every literal byte as body data */
    if (run_imap_client(b, len, "FETCH 1 BODY[]", MW_IMAP_CMD_OTHER) != 1)
        return 0;
    return imapc_bytes / LITERAL_LINE;
}

static size_t make_imapc_search(char *b, size_t cap, size_t n)
{
    size_t len = 8;
    memcpy(b, "* SEARCH", 8);
    for (size_t i = 1; i <= n && len + 32 < cap; i++)
        len += (size_t)snprintf(b + len, cap - len, " %zu", i);
    memcpy(b + len, "\r\nA1 OK done\r\n", 14);
    return len + 14;
}

static size_t run_imapc_search(const char *b, size_t len)
{
    if (run_imap_client(b, len, "SEARCH ALL", MW_IMAP_CMD_OTHER) != 1)
        return 0;
    return imapc_nums;
}

#endif /* MW_ENABLE_IMAP_CLIENT */

static const growth_case cases[] = {
#if MW_ENABLE_HDR
    {"addresses", "address", NULL, make_addresses, run_addresses},
    {"nesting", "level", NULL, make_nesting, run_addresses},
    {"semicolons", "';'", NULL, make_semicolons, run_addresses},
    {"fields", "field", NULL, make_fields, run_fields},
#endif
#if MW_ENABLE_SMTP_SERVER
    {"smtp_noop", "command", "NOOP\r\n", NULL, run_smtp},
    {"smtp_rset", "command", "RSET\r\n", NULL, run_smtp},
    {"smtp_bad", "command", "XYZZY plugh\r\n", NULL, run_smtp},
    {"smtp_authcancel", "loop", "AUTH LOGIN\r\n*\r\n", NULL, run_smtp},
#endif
#if MW_ENABLE_POP3_SERVER
    {"pop3_noop", "command", "NOOP\r\n", NULL, run_pop3},
    {"pop3_rset", "command", "RSET\r\n", NULL, run_pop3},
    {"pop3_bad", "command", "XYZZY plugh\r\n", NULL, run_pop3},
    {"pop3_authcancel", "loop", "AUTH PLAIN\r\n*\r\n", NULL, run_pop3},
#endif
#if MW_ENABLE_IMAP_SERVER
    {"imap_noop", "command", "a NOOP\r\n", NULL, run_imap_server},
    {"imap_bad", "command", "a XYZZY plugh\r\n", NULL, run_imap_server},
    {"imap_authcancel", "loop", "a AUTHENTICATE PLAIN\r\n*\r\n", NULL, run_imap_server},
#endif
#if MW_ENABLE_IMAP_CLIENT
    {"imapc_literal", "line", NULL, make_imapc_literal, run_imapc_literal},
    {"imapc_search", "number", NULL, make_imapc_search, run_imapc_search},
#endif
    {NULL, NULL, NULL, NULL, NULL}};

/* ---- the measured passes (named so callgrind can collect exactly one) - */

static const growth_case *cur;
static const char *cur_buf;
static size_t cur_len, cur_items;

static size_t make_input(const growth_case *c, char *buf, size_t cap, size_t n)
{
    flood_line = c->flood;
    return c->flood != NULL ? make_flood(buf, cap, n) : c->make(buf, cap, n);
}

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
        cur_len = make_input(cur, buf, cap, n * mult_once);
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
            cur_len = make_input(cur, buf, cap, items);
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
