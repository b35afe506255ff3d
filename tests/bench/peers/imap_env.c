/* SPDX-License-Identifier: MIT */
/*
 * Generator of the UID FETCH ENVELOPE+BODYSTRUCTURE stream (imap_env.h).
 * The grammar is RFC 9051 §9 (envelope, address, body-type-1part,
 * body-type-mpart, body-type-msg with their extension data); the mix of
 * shapes follows bench_imap_client.c so that the figures are of the same
 * kind of stream.
 */
#include "imap_env.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct out {
    char *p;
    size_t n, cap;
    uint64_t rng;
    size_t addrs;   /* address entries counted so far */
    int counting;   /* count the entries of this envelope */
} out;

/* A 64-bit LCG (Knuth's MMIX constants); the high bits pick. */
static unsigned pick(out *o, unsigned n)
{
    o->rng = o->rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((o->rng >> 33) % n);
}

static void emit(out *o, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        int k;
        va_start(ap, fmt);
        k = vsnprintf(o->p + o->n, o->cap - o->n, fmt, ap);
        va_end(ap);
        if (k >= 0 && (size_t)k < o->cap - o->n) {
            o->n += (size_t)k;
            return;
        }
        o->cap = o->cap * 2 + 4096;
        o->p = realloc(o->p, o->cap);
        if (o->p == NULL) {
            fprintf(stderr, "imap_env: out of memory\n");
            exit(1);
        }
    }
}

/* Word lists as one string each; word() copies a random one into w. */
static const char FIRST[] = "Ada Ben Chloe Dmitri Elena Farid Greta Hiro Ines "
                            "Jonas Kira Luis Mara Nils Omar Priya Quinn Rosa "
                            "Sven Tara";
static const char LAST[] = "Abbott Becker Castro Dietrich Eriksen Fischer "
                           "Gallo Horvat Ivanova Jensen Kovacs Lindqvist";
static const char DOMAINS[] = "example.com mail.example.org lists.example.net "
                              "corp.example university.example.edu";
static const char WORDS[] = "agenda quarterly report meeting notes re: fwd: "
                            "update invoice project schedule release review "
                            "draft minutes budget the for and our new plan";

static const char *word(out *o, const char *list, char w[32])
{
    unsigned count = 1, k;
    const char *s = list, *e;
    for (const char *c = list; *c != '\0'; c++)
        count += *c == ' ';
    for (k = pick(o, count); k > 0; k--)
        s = strchr(s, ' ') + 1;
    e = strchr(s, ' ');
    if (e == NULL)
        e = s + strlen(s);
    memcpy(w, s, (size_t)(e - s));
    w[e - s] = '\0';
    return w;
}

static void address(out *o)
{
    char f[32], l[32], d[32];
    unsigned form = pick(o, 8);
    word(o, FIRST, f);
    word(o, LAST, l);
    word(o, DOMAINS, d);
    if (form == 0)
        emit(o, "(NIL NIL \"%c%s\" \"%s\")", f[0] | 0x20, l, d);
    else if (form == 1)
        emit(o, "(\"%s \\\"the boss\\\" %s\" NIL \"%s\" \"%s\")", f, l, f, d);
    else
        emit(o, "(\"%s %s\" NIL \"%s.%s\" \"%s\")", f, l, f, l, d);
    o->addrs += o->counting != 0;
}

/* 1 to `most` addresses; one list in twelve is a group (RFC 9051 §7.5.2:
 * a start entry with NIL host, the members, an end entry all NIL). */
static void address_list(out *o, unsigned most)
{
    unsigned n = 1 + pick(o, most);
    int group = pick(o, 12) == 0;
    emit(o, "%s", group ? "((NIL NIL \"team\" NIL)" : "(");
    while (n-- > 0)
        address(o);
    emit(o, "%s", group ? "(NIL NIL NIL NIL))" : ")");
    o->addrs += group && o->counting ? 2 : 0;
}

static void subject(out *o)
{
    char s[256], w[32];
    size_t k = 0;
    for (unsigned i = 4 + pick(o, 10); i > 0; i--) {
        size_t wl = strlen(word(o, WORDS, w));
        if (k + wl + 2 > sizeof s)
            break;
        if (k > 0)
            s[k++] = ' ';
        memcpy(s + k, w, wl);
        k += wl;
    }
    s[k] = '\0';
    /* servers send text with 8-bit or CR/LF as a literal; now and then */
    if (pick(o, 40) == 0)
        emit(o, "{%zu}\r\n%s", k, s);
    else
        emit(o, "\"%s\"", s);
}

static void envelope(out *o, int top)
{
    char d[32];
    unsigned day = 1 + pick(o, 28), hh = pick(o, 24), mm = pick(o, 60),
             ss = pick(o, 60);
    o->counting = top;
    emit(o, "(\"Tue, %u Mar 2024 %02u:%02u:%02u +0100\" ", day, hh, mm, ss);
    subject(o);
    for (int i = 0; i < 3; i++) { /* from, sender, reply-to */
        emit(o, " ");
        address_list(o, 1);
    }
    emit(o, " ");
    address_list(o, 7);
    emit(o, " ");
    if (pick(o, 2) == 0)
        address_list(o, 5);
    else
        emit(o, "NIL");
    emit(o, " NIL "); /* bcc */
    if (pick(o, 2) == 0) {
        unsigned a = pick(o, 1u << 30), b = pick(o, 1u << 30);
        emit(o, "\"<CA+%08x%08x@mail.gmail.com>\" ", a, b);
    } else {
        emit(o, "NIL ");
    }
    {
        unsigned a = pick(o, 1u << 30), b = pick(o, 100000000);
        emit(o, "\"<%08x.%u.JavaMail.server@%s>\")", a, b, word(o, DOMAINS, d));
    }
    o->counting = 0;
}

static void text_part(out *o, const char *subtype)
{
    const char *cte = pick(o, 2) ? "7bit" : "quoted-printable";
    unsigned size = 200 + pick(o, 20000), lines = 5 + pick(o, 400);
    emit(o, "(\"text\" \"%s\" (\"charset\" \"utf-8\") NIL NIL \"%s\" %u %u "
            "NIL NIL NIL NIL)", subtype, cte, size, lines);
}

static void attachment(out *o)
{
    static const char types[] = "application/pdf image/png image/jpeg "
                                "application/zip";
    char t[32], *sub;
    unsigned n, size;
    word(o, types, t);
    sub = strchr(t, '/');
    *sub++ = '\0';
    n = pick(o, 1000);
    size = 1000 + pick(o, 2000000);
    emit(o, "(\"%s\" \"%s\" (\"name\" \"file%u.%s\") NIL NIL \"base64\" %u NIL "
            "(\"attachment\" (\"filename\" \"file%u.%s\")) NIL NIL)",
         t, sub, n, sub, size, n, sub);
}

static void multipart_end(out *o, const char *subtype, const char *boundary)
{
    emit(o, " \"%s\" (\"boundary\" \"%s\") NIL NIL NIL)", subtype, boundary);
}

static void alternative(out *o)
{
    emit(o, "(");
    text_part(o, "plain");
    text_part(o, "html");
    multipart_end(o, "alternative", "b_alt");
}

static void bodystructure(out *o)
{
    unsigned shape = pick(o, 6);
    if (shape == 0) {
        text_part(o, "plain");
        return;
    }
    if (shape <= 2) {
        alternative(o);
        return;
    }
    emit(o, "(");
    if (shape == 3) {
        alternative(o);
        attachment(o);
    } else if (shape == 4) {
        text_part(o, "plain");
        attachment(o);
        attachment(o);
    } else {
        /* a forwarded message: body-type-msg (RFC 9051 §9) */
        text_part(o, "plain");
        emit(o, "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 4711 ");
        envelope(o, 0);
        emit(o, " ");
        text_part(o, "plain");
        emit(o, " 80 NIL NIL NIL NIL)");
    }
    multipart_end(o, "mixed", "b_mixed");
}

void imap_env_make(imap_env *e, size_t msgs, unsigned seed)
{
    static const char *const flags[] = {"\\Seen", "\\Seen \\Answered", "",
                                        "\\Flagged \\Seen",
                                        "\\Seen $Forwarded"};
    out o;
    memset(&o, 0, sizeof o);
    o.rng = 0x2545F4914F6CDD1DULL ^ seed;
    for (size_t i = 1; i <= msgs; i++) {
        const char *fl = flags[pick(&o, 5)];
        unsigned hh = pick(&o, 24), mm = pick(&o, 60), ss = pick(&o, 60);
        unsigned size = 2000 + pick(&o, 2000000);
        emit(&o, "* %zu FETCH (UID %zu FLAGS (%s) INTERNALDATE \"%02u-Mar-2024 "
                 "%02u:%02u:%02u +0100\" RFC822.SIZE %u ENVELOPE ",
             i, 1000 + 3 * i, fl, 1 + (unsigned)(i % 28), hh, mm, ss, size);
        envelope(&o, 1);
        emit(&o, " BODYSTRUCTURE ");
        bodystructure(&o);
        emit(&o, ")\r\n");
    }
    e->data = o.p;
    e->len = o.n;
    e->msgs = msgs;
    e->addresses = o.addrs;
}

void imap_env_free(imap_env *e)
{
    free(e->data);
    memset(e, 0, sizeof *e);
}
