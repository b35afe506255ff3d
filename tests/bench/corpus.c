/* SPDX-License-Identifier: MIT */
#include "corpus.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct gen {
    char *buf;
    size_t len, cap;
    unsigned long long rng;
} gen;

static unsigned rnd(gen *g, unsigned n)
{
    /* xorshift64*: fast, deterministic, good enough for picking words */
    g->rng ^= g->rng >> 12;
    g->rng ^= g->rng << 25;
    g->rng ^= g->rng >> 27;
    return (unsigned)((g->rng * 2685821657736338717ULL) >> 33) % n;
}

static void put(gen *g, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(g->buf + g->len, g->cap - g->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < g->cap - g->len) {
            g->len += (size_t)n;
            return;
        }
        g->cap *= 2;
        g->buf = realloc(g->buf, g->cap);
        if (!g->buf)
            abort();
    }
}

static const char *first[] = {"Alice", "Bob", "Carol", "Dave", "Erin", "Frank",
                              "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Niaj",
                              "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor"};
static const char *last[] = {"Smith", "Jones", "Garcia", "M\xc3\xbcller", "Rossi",
                             "Dubois", "Nakamura", "O'Brien", "van der Berg",
                             "Kowalski", "Hansen", "Silva"};
static const char *domains[] = {"example.com", "example.org", "mail.example.net",
                                "lists.example.edu", "corp.example.co.uk",
                                "relay.example.io"};
static const char *words[] = {"quarterly", "report", "meeting", "notes", "re:",
                              "update", "invoice", "draft", "review", "the",
                              "project", "schedule", "for", "team", "urgent",
                              "please", "see", "attached", "minutes", "budget"};
static const char *b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char *days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

#define PICK(g, a) (a)[rnd((g), (unsigned)(sizeof(a) / sizeof((a)[0])))]

static void date(gen *g)
{
    /* a real date, so the day of the week matches (Sakamoto's method) */
    static const unsigned t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    unsigned y = 2015 + rnd(g, 12), m = 1 + rnd(g, 12), d = 1 + rnd(g, 28);
    unsigned yy = y - (m < 3);
    unsigned wd = (yy + yy / 4 - yy / 100 + yy / 400 + t[m - 1] + d) % 7;
    put(g, "%s, %u %s %u %02u:%02u:%02u %c%02u%02u", days[(wd + 6) % 7], d,
        months[m - 1], y, rnd(g, 24), rnd(g, 60), rnd(g, 60),
        rnd(g, 2) ? '+' : '-', rnd(g, 12), rnd(g, 2) * 30);
}

/* An RFC 2047 B-encoded word of a real UTF-8 name. */
static void encoded_name(gen *g)
{
    static const char *names[] = {"J\xc3\xbcrgen M\xc3\xbcller", "Fran\xc3\xa7oise Dupr\xc3\xa9",
                                  "\xe5\xb1\xb1\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e",
                                  "Zo\xc3\xab \xc3\x85str\xc3\xb6m",
                                  "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd \xd0\x9f\xd0\xb5\xd1\x82\xd1\x80\xd0\xbe\xd0\xb2"};
    const unsigned char *s = (const unsigned char *)PICK(g, names);
    size_t n = strlen((const char *)s), i;
    put(g, "=?UTF-8?B?");
    for (i = 0; i + 2 < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];
        put(g, "%c%c%c%c", b64[v >> 18], b64[(v >> 12) & 63], b64[(v >> 6) & 63], b64[v & 63]);
    }
    if (n - i == 1)
        put(g, "%c%c==", b64[s[i] >> 2], b64[(s[i] & 3) << 4]);
    else if (n - i == 2) {
        unsigned v = (unsigned)s[i] << 8 | s[i + 1];
        put(g, "%c%c%c=", b64[v >> 10], b64[(v >> 4) & 63], b64[(v & 15) << 2]);
    }
    put(g, "?=");
}

static void msgid(gen *g)
{
    put(g, "<%08x.%04x.%u@%s>", rnd(g, 0x7fffffff), rnd(g, 0xffff), rnd(g, 100000),
        PICK(g, domains));
}

static void b64run(gen *g, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        put(g, "%c", b64[rnd(g, 64)]);
}

static void mailbox(gen *g)
{
    const char *f = PICK(g, first), *l = PICK(g, last);
    switch (rnd(g, 5)) {
    case 0:
        put(g, "%c.%s@%s", f[0] | 0x20, "user", PICK(g, domains));
        break;
    case 1:
        put(g, "\"%s, %s\" <%s.%s@%s>", l, f, "first", "last", PICK(g, domains));
        break;
    case 2:
        encoded_name(g);
        put(g, " <%c%u@%s>", f[0] | 0x20, rnd(g, 1000), PICK(g, domains));
        break;
    default:
        put(g, "%s %s <%s@%s>", f, strchr(l, '\'') ? "OBrien" : "Smith", "someone",
            PICK(g, domains));
        break;
    }
}

static void address_field(gen *g, const char *name, unsigned n)
{
    size_t col = strlen(name) + 2;
    put(g, "%s: ", name);
    for (unsigned i = 0; i < n; i++) {
        size_t before = g->len;
        if (i) {
            put(g, ",");
            if (col > 50) {
                put(g, "\r\n ");
                col = 1;
            } else {
                put(g, " ");
            }
        }
        mailbox(g);
        col += g->len - before;
    }
    put(g, "\r\n");
}

static void message(gen *g, bench_corpus *c)
{
    size_t start = g->len;
    unsigned hops = 3 + rnd(g, 6);
    for (unsigned i = 0; i < hops; i++) {
        put(g, "Received: from mx%u.%s (mx%u.%s [192.0.2.%u])\r\n\tby relay%u.%s "
               "(Postfix) with ESMTPS id %08X%04X\r\n\tfor <user%u@%s>; ",
            rnd(g, 9), PICK(g, domains), rnd(g, 9), PICK(g, domains), rnd(g, 255),
            rnd(g, 9), PICK(g, domains), rnd(g, 0x7fffffff), rnd(g, 0xffff),
            rnd(g, 999), PICK(g, domains));
        date(g);
        put(g, "\r\n");
    }
    put(g, "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
           "        d=%s; s=selector%u; t=%u;\r\n        h=from:to:cc:subject:date:message-id:mime-version;\r\n"
           "        bh=",
        PICK(g, domains), rnd(g, 4), 1700000000u + rnd(g, 90000000));
    b64run(g, 43);
    put(g, "=;\r\n        b=");
    for (int i = 0; i < 6; i++) {
        b64run(g, 60);
        put(g, "\r\n         ");
    }
    b64run(g, 24);
    put(g, "==\r\n");
    put(g, "MIME-Version: 1.0\r\n");
    address_field(g, "From", 1);
    address_field(g, "To", 1 + rnd(g, 12));
    if (rnd(g, 2))
        address_field(g, "Cc", 1 + rnd(g, 30));
    put(g, "Date: ");
    date(g);
    put(g, "\r\nMessage-ID: ");
    msgid(g);
    put(g, "\r\n");
    if (rnd(g, 2)) {
        put(g, "In-Reply-To: ");
        msgid(g);
        put(g, "\r\nReferences: ");
        unsigned n = 1 + rnd(g, 8);
        for (unsigned i = 0; i < n; i++) {
            if (i)
                put(g, "\r\n ");
            msgid(g);
        }
        put(g, "\r\n");
    }
    put(g, "Subject: ");
    if (rnd(g, 3) == 0) {
        put(g, "=?UTF-8?Q?R=C3=A9union_d=27=C3=A9quipe?= ");
        encoded_name(g);
    } else {
        unsigned n = 3 + rnd(g, 10);
        for (unsigned i = 0; i < n; i++)
            put(g, "%s%s", i ? " " : "", PICK(g, words));
    }
    put(g, "\r\nContent-Type: multipart/alternative;\r\n boundary=\"=_%08x%08x\"\r\n",
        rnd(g, 0x7fffffff), rnd(g, 0x7fffffff));
    put(g, "List-Unsubscribe: <mailto:leave-%u@%s>, <https://%s/u/%08x>\r\n",
        rnd(g, 99999), PICK(g, domains), PICK(g, domains), rnd(g, 0x7fffffff));
    put(g, "X-Mailer: Benchmark Mailer %u.%u\r\nX-Spam-Score: %u.%u\r\n", rnd(g, 9),
        rnd(g, 9), rnd(g, 9), rnd(g, 9));
    put(g, "\r\n");
    size_t hlen = g->len - start;
    put(g, "Hello,\r\n\r\nthe body is not part of the benchmark.\r\n");

    c->starts = realloc(c->starts, (c->count + 1) * sizeof(size_t));
    c->header_len = realloc(c->header_len, (c->count + 1) * sizeof(size_t));
    if (!c->starts || !c->header_len)
        abort();
    c->starts[c->count] = start;
    c->header_len[c->count] = hlen;
    c->count++;
}

void bench_corpus_make(bench_corpus *c, size_t target_bytes, unsigned seed)
{
    gen g;
    memset(c, 0, sizeof(*c));
    g.cap = target_bytes + 65536;
    g.buf = malloc(g.cap);
    g.len = 0;
    g.rng = 0x9E3779B97F4A7C15ULL ^ seed;
    if (!g.buf)
        abort();
    while (g.len < target_bytes)
        message(&g, c);
    c->data = g.buf;
    c->len = g.len;
}

void bench_corpus_free(bench_corpus *c)
{
    free(c->data);
    free(c->starts);
    free(c->header_len);
    memset(c, 0, sizeof(*c));
}
