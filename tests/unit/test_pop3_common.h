/* SPDX-License-Identifier: MIT */
/*
 * Helpers the POP3 test programs share (included, not compiled alone):
 * transcripts from tests/vectors/pop3/ and a growing byte buffer.
 *
 * Transcript format (one item per line, LF or CRLF line ends in the file):
 *   "S: text"  a line the server sends (text taken verbatim, trailing
 *              spaces included; "S:" alone is an empty line)
 *   "C: text"  a line the client sends
 *   "--- TLS"  the TLS handshake of an accepted STLS happens here
 *   "# ..."    a comment
 * Each S/C line goes on the wire followed by CRLF.
 */
#ifndef MW_TEST_POP3_COMMON_H
#define MW_TEST_POP3_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/mailwire.h"
#include "testdata.h"
#include "textbuf.h"

#define P3_MAX_LINES 512

/* What an APOP (P3_APOP) or XOAUTH2 (P3_OAUTH) call returns: `st`, or
 * MW_E_UNSUPPORTED whatever the state and the arguments when the feature
 * is compiled out (features.h; nothing is sent then). */
#if MW_ENABLE_SASL_CRAM_MD5
#define P3_APOP(st) (st)
#else
#define P3_APOP(st) MW_E_UNSUPPORTED
#endif
/* rfc1939_session.txt without APOP (compiled out): USER and PASS log in
 * instead, the greeting has no timestamp (p3_load_edit). */
#define P3_NO_APOP_LOGIN                                                     \
    "C: APOP mrose c4c9334bac560ecc979e58001b3e22fb",                        \
        "C: USER mrose\nS: +OK\nC: PASS tanstaaf"
#define P3_NO_APOP_GREETING                                                  \
    "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>",             \
        "S: +OK POP3 server ready"
#if MW_ENABLE_SASL_OAUTH
#define P3_OAUTH(st) (st)
#else
#define P3_OAUTH(st) MW_E_UNSUPPORTED
#endif

typedef struct p3_line {
    char who;       /* 'S' or 'C' */
    const char *p;  /* text, without CRLF */
    size_t n;
    size_t off;     /* offset of the line in its stream */
} p3_line;

typedef struct p3_script {
    char *file;
    p3_line lines[P3_MAX_LINES];
    size_t nlines;
    char *c, *s;       /* the client's and the server's byte streams */
    size_t clen, slen;
    size_t c_tls, s_tls; /* stream offsets of the TLS handshake, or -1 */
} p3_script;

/* Read tests/vectors/pop3/<name> (malloc'd, NUL-terminated). Aborts the
 * test program when missing. */
static inline char *p3_read(const char *name, size_t *len)
{
    char rel[256];
    char *file;
    snprintf(rel, sizeof rel, "tests/vectors/pop3/%s", name);
    file = mw_test_read_repo_file(rel, len);
    if (file == NULL) {
        fprintf(stderr, "missing vector %s\n", rel);
        abort();
    }
    return file;
}

/* Parse a transcript `file` (malloc'd; sc owns it from now on). */
static inline void p3_parse(p3_script *sc, const char *name, char *file,
                            size_t len)
{
    size_t i = 0;
    mw_textbuf cb = {0}, sb = {0};

    memset(sc, 0, sizeof(*sc));
    sc->c_tls = sc->s_tls = (size_t)-1;
    sc->file = file;
    while (i < len) {
        size_t e = i, n;
        char *l = sc->file + i;
        while (e < len && sc->file[e] != '\n')
            e++;
        n = e - i;
        if (n > 0 && l[n - 1] == '\r')
            n--;
        i = e + 1;
        if (n == 0 || l[0] == '#')
            continue;
        if (n >= 7 && memcmp(l, "--- TLS", 7) == 0) {
            sc->c_tls = cb.n;
            sc->s_tls = sb.n;
            continue;
        }
        if (n < 2 || (l[0] != 'S' && l[0] != 'C') || l[1] != ':') {
            fprintf(stderr, "%s: bad line %.*s\n", name, (int)n, l);
            abort();
        }
        if (sc->nlines == P3_MAX_LINES)
            abort();
        {
            p3_line *pl = &sc->lines[sc->nlines++];
            mw_textbuf *b = l[0] == 'S' ? &sb : &cb;
            pl->who = l[0];
            pl->p = n > 2 ? l + 3 : l + 2;
            pl->n = n > 2 ? n - 3 : 0;
            pl->off = b->n;
            mw_textbuf_put(b, pl->p, pl->n);
            mw_textbuf_put(b, "\r\n", 2);
        }
    }
    mw_textbuf_put(&cb, "", 0);
    mw_textbuf_put(&sb, "", 0);
    sc->c = cb.p;
    sc->clen = cb.n;
    sc->s = sb.p;
    sc->slen = sb.n;
}

/* Load tests/vectors/pop3/<name>. */
static inline void p3_load(p3_script *sc, const char *name)
{
    size_t len = 0;
    char *file = p3_read(name, &len);
    p3_parse(sc, name, file, len);
}

/* Load tests/vectors/pop3/<name> with lines replaced: `edits` holds
 * pairs (a whole line without its newline, the lines that replace its
 * first occurrence) and ends with NULL. The same session for a build
 * where a feature the file uses is compiled out (features.h). */
static inline void p3_load_edit(p3_script *sc, const char *name,
                                const char *const *edits)
{
    size_t len = 0;
    char *file = p3_read(name, &len);
    for (; edits[0] != NULL; edits += 2) {
        size_t fl = strlen(edits[0]), tl = strlen(edits[1]);
        char *at = file, *out;
        for (;;) {
            at = strstr(at, edits[0]);
            if (at == NULL) {
                fprintf(stderr, "%s: no line %s\n", name, edits[0]);
                abort();
            }
            if ((at == file || at[-1] == '\n') &&
                (at[fl] == '\n' || at[fl] == '\r' || at[fl] == '\0'))
                break;
            at++;
        }
        out = (char *)malloc(len - fl + tl + 1);
        if (out == NULL)
            abort();
        memcpy(out, file, (size_t)(at - file));
        memcpy(out + (at - file), edits[1], tl);
        memcpy(out + (at - file) + tl, at + fl, len - (size_t)(at - file) - fl + 1);
        free(file);
        file = out;
        len = len - fl + tl;
    }
    p3_parse(sc, name, file, len);
}

static inline void p3_free(p3_script *sc)
{
    free(sc->file);
    free(sc->c);
    free(sc->s);
    memset(sc, 0, sizeof(*sc));
}

/* Index of the C line at stream offset off, or -1. */
static inline long p3_cline_at(const p3_script *sc, size_t off)
{
    size_t i;
    for (i = 0; i < sc->nlines; i++)
        if (sc->lines[i].who == 'C' && sc->lines[i].off == off)
            return (long)i;
    return -1;
}

/* Parse "+OK"/"-ERR" [SP "[" code "]"] [SP text] the simple way, for the
 * tests' scripted peers. Returns 1 for +OK, 0 for -ERR, -1 otherwise. */
static inline int p3_status(const char *p, size_t n, int *rcode, char *text,
                            size_t cap)
{
    int ok;
    size_t i;
    *rcode = 0;
    text[0] = '\0';
    if (n >= 3 && memcmp(p, "+OK", 3) == 0) {
        ok = 1;
        i = 3;
    } else if (n >= 4 && memcmp(p, "-ERR", 4) == 0) {
        ok = 0;
        i = 4;
    } else {
        return -1;
    }
    if (i < n && p[i] == ' ')
        i++;
    if (i < n && p[i] == '[') {
        static const char *const names[] = {"", "IN-USE", "LOGIN-DELAY",
                                            "SYS/TEMP", "SYS/PERM", "AUTH",
                                            "UTF8"};
        size_t e = i;
        int k;
        while (e < n && p[e] != ']')
            e++;
        for (k = 1; k < 7; k++)
            if (strlen(names[k]) == e - i - 1 &&
                memcmp(names[k], p + i + 1, e - i - 1) == 0)
                *rcode = k;
        i = e + 1;
        if (i < n && p[i] == ' ')
            i++;
    }
    if (n - i >= cap)
        abort();
    memcpy(text, p + i, n - i);
    text[n - i] = '\0';
    return ok;
}

/* Decode base64 text into out; returns the length (aborts when invalid). */
static inline size_t p3_b64(const char *p, size_t n, char *out, size_t cap)
{
    size_t w = 0;
    if (mw_base64_decode(p, n, out, cap, &w, 0, NULL) != MW_OK)
        abort();
    return w;
}

#endif
