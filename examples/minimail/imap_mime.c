/* SPDX-License-Identifier: MIT */
/*
 * minimail's IMAP view of a stored message (see imap_mime.h): the wire
 * form, the MIME walker, ENVELOPE and BODYSTRUCTURE, sections, and the
 * tests SEARCH needs.
 *
 * The walker reads the message once, line by line, and keeps a chain of
 * open parts (the innermost one is `cur`, its ancestors are reached by
 * `parent`): a line is first compared with the boundaries of the open
 * multiparts (RFC 2046 §5.1.1: the CRLF before a boundary belongs to the
 * boundary), then counted as a line of every open part whose body it is
 * in, and a part's header ends at its first empty line (RFC 5322 §2.1).
 * Depth and part count are bounded; deeper structure is taken as an
 * opaque body, which is what a reader without limits would have to do
 * anyway to stay alive.
 *
 * Header fields are read with mailwire's header splitter and field
 * parsers; IMAP wants most values raw (RFC 9051 §7.5.2: the ENVELOPE
 * has the header's strings, not decoded), so little more is done to them
 * than unfolding.
 */
#define _POSIX_C_SOURCE 200809L

#include "imap_mime.h"
#include "maildir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#if MW_ENABLE_IMAP_SERVER && MW_ENABLE_HDR

#define MM_DEPTH_MAX 30            /* nested parts (the formatter allows 64) */
#define MM_PARTS_MAX 2000          /* parts in one message */
#define MM_HDR_KEEP (64u * 1024u)  /* header bytes kept per part */
#define MM_HDR_TOTAL (4u << 20)    /* ... and for the whole message */
#define MM_LINE_KEEP 1000          /* bytes of a line looked at for boundaries */
#define MM_PARAMS_MAX 32           /* Content-Type parameters read */
#define MM_ADDR_MAX 5000           /* addresses in one field */

/* ====================================================================
 * Arena
 * ==================================================================== */

typedef union mm_align {
    void *p;
    uint64_t u;
    double d;
} mm_align;

struct mm_chunk {
    struct mm_chunk *next;
    mm_align pad; /* keeps what follows aligned */
};

void *mm_alloc(mm_arena *a, size_t n)
{
    struct mm_chunk *c = calloc(1, sizeof *c + n);
    if (c == NULL)
        return NULL;
    c->next = a->head;
    a->head = c;
    return (char *)c + sizeof *c;
}

char *mm_strndup(mm_arena *a, const char *s, size_t n)
{
    char *d = mm_alloc(a, n + 1);
    size_t i;
    if (d == NULL)
        return NULL;
    for (i = 0; i < n; i++) /* IMAP strings cannot hold NUL (RFC 9051 §4.3) */
        d[i] = s[i] == '\0' ? ' ' : s[i];
    return d;
}

void mm_arena_free(mm_arena *a)
{
    while (a->head != NULL) {
        struct mm_chunk *c = a->head;
        a->head = c->next;
        free(c);
    }
}

static mw_span span_of(const char *p, size_t n)
{
    mw_span s;
    s.ptr = p;
    s.len = n;
    return s;
}

static const mw_span nil_span = {NULL, 0};

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int ieq(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i;
    if (an != bn)
        return 0;
    for (i = 0; i < an; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return 0;
    return 1;
}

static int span_is(mw_span s, const char *lit)
{
    return s.ptr != NULL && ieq(s.ptr, s.len, lit, strlen(lit));
}

/* ====================================================================
 * The wire form
 * ==================================================================== */

int mm_msg_open(mm_msg *m, const char *path, uint64_t wire_size)
{
    struct stat st;
    memset(m, 0, sizeof *m);
    m->fd = open(path, O_RDONLY);
    if (m->fd < 0)
        return -1;
    if (fstat(m->fd, &st) != 0) {
        close(m->fd);
        m->fd = -1;
        return -1;
    }
    m->fsize = (uint64_t)st.st_size;
    if (m->fsize == wire_size) {
        /* Every file minimail writes: CRLF throughout, a line end last.
         * (A file of another origin whose name says the same is trusted:
         * the name is how Maildir readers learn sizes.) */
        m->size = wire_size;
        m->pure = 1;
    } else {
        char buf[65536];
        md_wire w;
        ssize_t k;
        uint64_t off = 0;
        md_wire_init(&w);
        while ((k = pread(m->fd, buf, sizeof buf, (off_t)off)) > 0) {
            md_wire_add(&w, buf, (size_t)k);
            off += (uint64_t)k;
        }
        m->size = md_wire_end(&w);
        m->pure = m->size == m->fsize && off == m->fsize;
    }
    return 0;
}

void mm_msg_close(mm_msg *m)
{
    if (m->fd >= 0)
        close(m->fd);
    m->fd = -1;
}

int mm_reader_start(mm_reader *r, const mm_msg *m, uint64_t off)
{
    char skip[4096];
    r->m = m;
    r->woff = 0;
    r->foff = 0;
    r->last = -1;
    r->npend = 0;
    r->ended = 0;
    r->inpos = r->inlen = 0;
    if (m->pure) {
        r->woff = off < m->size ? off : m->size;
        return 0;
    }
    /* Not in wire form: convert from the start (such files are rare:
     * only what other programs put into the Maildir). */
    while (r->woff < off) {
        uint64_t want = off - r->woff;
        long k = mm_reader_read(r, skip, want < sizeof skip ? (size_t)want
                                                            : sizeof skip);
        if (k < 0)
            return -1;
        if (k == 0)
            break;
    }
    return 0;
}

/* The wire bytes for one file byte (maildir.c's md_wire_add counts the
 * same): a bare LF or a bare CR becomes CRLF. */
static size_t convert(mm_reader *r, unsigned char b, char out[3])
{
    size_t n = 0;
    if (r->last == '\r' && b != '\n')
        out[n++] = '\n';
    if (b == '\n') {
        if (r->last != '\r')
            out[n++] = '\r';
        out[n++] = '\n';
    } else {
        out[n++] = (char)b;
    }
    r->last = b;
    return n;
}

long mm_reader_read(mm_reader *r, char *out, size_t cap)
{
    const mm_msg *m = r->m;
    size_t k = 0;
    if (m->pure) {
        uint64_t left = m->size - r->woff;
        size_t want = left < cap ? (size_t)left : cap;
        while (k < want) {
            ssize_t got = pread(m->fd, out + k, want - k, (off_t)(r->woff + k));
            if (got < 0) {
                if (errno == EINTR)
                    continue;
                return -1;
            }
            if (got == 0)
                break; /* the file shrank under us */
            k += (size_t)got;
        }
        r->woff += k;
        return (long)k;
    }
    while (k < cap) {
        char tmp[3];
        size_t n, i;
        if (r->npend > 0) {
            out[k++] = r->pend[0];
            memmove(r->pend, r->pend + 1, --r->npend);
            continue;
        }
        if (r->inpos == r->inlen) {
            ssize_t got;
            if (r->foff >= m->fsize) {
                if (r->ended)
                    break;
                r->ended = 1; /* the last line gets its line end */
                if (r->last == '\r')
                    r->pend[r->npend++] = '\n';
                else if (r->last != -1 && r->last != '\n') {
                    r->pend[r->npend++] = '\r';
                    r->pend[r->npend++] = '\n';
                }
                continue;
            }
            got = pread(m->fd, r->in, sizeof r->in, (off_t)r->foff);
            if (got < 0) {
                if (errno == EINTR)
                    continue;
                return -1;
            }
            if (got == 0) {
                r->foff = m->fsize;
                continue;
            }
            r->inlen = (size_t)got;
            r->inpos = 0;
            r->foff += (uint64_t)got;
        }
        n = convert(r, (unsigned char)r->in[r->inpos++], tmp);
        for (i = 0; i < n; i++) {
            if (k < cap)
                out[k++] = tmp[i];
            else
                r->pend[r->npend++] = tmp[i];
        }
    }
    r->woff += k;
    return (long)k;
}

/* ====================================================================
 * Header fields (mailwire's RFC 5322 splitter over a kept header block)
 * ==================================================================== */

typedef int (*field_fn)(void *u, const mw_hdr_field *f);

typedef struct scan_ctx {
    field_fn fn;
    void *u;
} scan_ctx;

static int on_field(mw_hdr_parser *p, void *user, const mw_hdr_field *f)
{
    scan_ctx *c = user;
    (void)p;
    return c->fn(c->u, f) != 0 ? MW_PAUSED : 0; /* pause = "found, stop" */
}

/* Call fn for each field of a header block, in order, until it returns
 * non-zero. The block need not hold the empty line. */
static void each_field(const char *blk, size_t len, field_fn fn, void *u)
{
    static char buf[MW_HDR_BUFLEN_DEFAULT]; /* single-threaded program */
    mw_hdr_parser p;
    mw_hdr_config cfg;
    mw_hdr_callbacks cb;
    scan_ctx c;
    size_t used = 0;
    int r;
    if (blk == NULL || len == 0)
        return;
    mw_hdr_config_init(&cfg);
    cfg.flags |= MW_HDR_LENIENT_LINES;
    cfg.max_header = len + 1;
    memset(&cb, 0, sizeof cb);
    cb.field = on_field;
    c.fn = fn;
    c.u = u;
    if (mw_hdr_parser_init(&p, &cfg, &cb, &c, buf, sizeof buf) != MW_OK)
        return;
    r = mw_hdr_parser_feed(&p, blk, len, &used);
    if (r == MW_OK)
        mw_hdr_parser_finish(&p);
}

typedef struct collect_ctx {
    const char *const *names;
    size_t n;
    mw_span *vals;
    mm_arena *a;
} collect_ctx;

static int collect_one(void *u, const mw_hdr_field *f)
{
    collect_ctx *c = u;
    size_t i;
    for (i = 0; i < c->n; i++)
        if (c->vals[i].ptr == NULL && mw_hdr_name_is(f, c->names[i])) {
            char *v = mm_strndup(c->a, f->value.ptr, f->value.len);
            if (v != NULL)
                c->vals[i] = span_of(v, f->value.len);
        }
    return 0;
}

/* The first value of each named field (unfolded, copied into `a`); NIL
 * spans for the absent ones. */
static void collect(const char *blk, size_t len, const char *const *names,
                    size_t n, mm_arena *a, mw_span *vals)
{
    collect_ctx c;
    size_t i;
    for (i = 0; i < n; i++)
        vals[i] = nil_span;
    c.names = names;
    c.n = n;
    c.vals = vals;
    c.a = a;
    each_field(blk, len, collect_one, &c);
}

/* ====================================================================
 * The walker
 * ==================================================================== */

enum { S_HEADER, S_BODY, S_MULTI, S_EPILOGUE, S_CLOSED };

static int new_part(mm_mime *mi, int parent, uint64_t hstart)
{
    mm_part *p;
    int idx;
    if (mi->n == mi->cap) {
        size_t nc = mi->cap ? mi->cap * 2 : 8;
        mm_part *q = realloc(mi->parts, nc * sizeof *q);
        if (q == NULL)
            return -1;
        mi->parts = q;
        mi->cap = nc;
    }
    idx = (int)mi->n++;
    p = &mi->parts[idx];
    memset(p, 0, sizeof *p);
    p->hstart = p->bstart = p->end = hstart;
    p->parent = parent;
    p->first = p->last = p->next = -1;
    p->state = S_HEADER;
    p->kind = MW_IMAP_BODY_BASIC;
    if (parent >= 0) {
        mm_part *pp = &mi->parts[parent];
        p->depth = pp->depth + 1;
        if (pp->last >= 0)
            mi->parts[pp->last].next = idx;
        else
            pp->first = idx;
        pp->last = idx;
    }
    return idx;
}

static void keep_header(mm_mime *mi, int i, const char *s, size_t n)
{
    mm_part *p = &mi->parts[i];
    if (p->hlen + n > MM_HDR_KEEP || mi->kept + n > MM_HDR_TOTAL)
        return; /* the rest of a huge header is not looked at */
    if (p->hlen + n > p->hcap) {
        size_t nc = p->hcap ? p->hcap : 512;
        char *q;
        while (nc < p->hlen + n)
            nc *= 2;
        q = realloc(p->hdr, nc);
        if (q == NULL)
            return;
        p->hdr = q;
        p->hcap = nc;
    }
    memcpy(p->hdr + p->hlen, s, n);
    p->hlen += n;
    mi->kept += n;
}

/* The header of part i is complete, its body starts at `boff`: decide
 * what the part is (RFC 2045 §5, RFC 2046). Returns the part the next
 * line belongs to, or -1 when out of memory. */
static int header_done(mm_mime *mi, int i, uint64_t boff, int has_body)
{
    static const char *const names[] = {"Content-Type",
                                        "Content-Transfer-Encoding"};
    mw_hdr_param params[MM_PARAMS_MAX];
    mw_hdr_content_type ct;
    mw_span v[2];
    mm_arena a = {NULL};
    char boundary[256];
    size_t blen = 0;
    int multipart = 0, message = 0, text = 0, digest = 0, parent, enc = 0;
    mm_part *p = &mi->parts[i];

    p->bstart = boff;
    p->state = S_BODY;
    parent = p->parent;
    collect(p->hdr, p->hlen, names, 2, &a, v);
    if (v[0].ptr != NULL && mw_hdr_parse_content_type(v[0].ptr, v[0].len, &ct,
                                                      params, MM_PARAMS_MAX,
                                                      NULL) != MW_E_SYNTAX &&
        !(ct.flags & MW_HDR_MIME_DEFAULTED)) {
        multipart = mw_hdr_ct_is(&ct, "multipart", NULL) &&
                    mw_hdr_param_get(ct.params, ct.nparams, "boundary", NULL,
                                     boundary, sizeof boundary - 1, &blen,
                                     NULL, NULL) == MW_OK &&
                    blen > 0;
        message = mw_hdr_ct_is(&ct, "message", "rfc822") ||
                  mw_hdr_ct_is(&ct, "message", "global");
        text = mw_hdr_ct_is(&ct, "text", NULL);
        digest = mw_hdr_ct_is(&ct, "multipart", "digest");
    } else if (parent >= 0 && mi->parts[parent].digest) {
        message = 1; /* RFC 2046 §5.1.5 */
    } else {
        text = 1; /* RFC 2045 §5.2: text/plain */
    }
    if (message && v[1].ptr != NULL &&
        (mw_hdr_parse_cte(v[1].ptr, v[1].len, &enc, NULL, NULL) != MW_OK ||
         (enc != MW_HDR_CTE_7BIT && enc != MW_HDR_CTE_8BIT &&
          enc != MW_HDR_CTE_BINARY)))
        message = 0; /* an encoded message is opaque (RFC 2046 §5.2.1) */
    mm_arena_free(&a);
    p = &mi->parts[i];
    if (!has_body || p->depth >= MM_DEPTH_MAX || mi->n >= MM_PARTS_MAX)
        multipart = message = 0;
    if (multipart) {
        p->kind = MW_IMAP_BODY_MULTIPART;
        p->state = S_MULTI;
        p->digest = digest;
        p->boundary = malloc(blen + 1);
        if (p->boundary == NULL)
            return -1;
        memcpy(p->boundary, boundary, blen);
        p->boundary[blen] = '\0';
        return i;
    }
    if (message) {
        p->kind = MW_IMAP_BODY_MESSAGE;
        return new_part(mi, i, boff); /* the message inside */
    }
    p->kind = text ? MW_IMAP_BODY_TEXT : MW_IMAP_BODY_BASIC;
    return i;
}

/* A part ends where the line at `endoff` begins (a boundary's CRLF is
 * not the part's, RFC 2046 §5.1.1) or at the end of the message. */
static int close_part(mm_mime *mi, int i, uint64_t endoff)
{
    mm_part *p = &mi->parts[i];
    if (p->state == S_HEADER) {
        /* A header that never ended: no body. */
        uint64_t e = endoff > p->hstart ? endoff : p->hstart;
        if (header_done(mi, i, e, 0) < 0)
            return -1;
        p = &mi->parts[i];
    }
    p->end = endoff > p->bstart ? endoff : p->bstart;
    p->state = S_CLOSED;
    return 0;
}

/* Whether `line` (without its CRLF) is "--boundary" or "--boundary--",
 * with only transport padding after it (RFC 2046 §5.1.1). */
static int is_boundary(const char *line, size_t n, const char *b, int *close)
{
    size_t bl = strlen(b), i;
    if (n < 2 + bl || line[0] != '-' || line[1] != '-' ||
        memcmp(line + 2, b, bl) != 0)
        return 0;
    i = 2 + bl;
    *close = 0;
    if (i + 2 <= n && line[i] == '-' && line[i + 1] == '-') {
        *close = 1;
        i += 2;
    }
    for (; i < n; i++)
        if (line[i] != ' ' && line[i] != '\t')
            return 0;
    return 1;
}

/* Count a line starting at `o` for every open part whose body holds it,
 * from `from` up to the root. */
static void count_line(mm_mime *mi, int from, uint64_t o)
{
    int x;
    for (x = from; x >= 0; x = mi->parts[x].parent)
        if (mi->parts[x].state == S_BODY && o >= mi->parts[x].bstart)
            mi->parts[x].lines++;
}

/* One complete line at offset `o`, `len` bytes with its CRLF; `keep`
 * holds its first `kept` bytes; `hmark` is cur's header length before
 * the line was added to it; `prev` is the length of the line before. */
static int process_line(mm_mime *mi, int *cur, uint64_t o, uint64_t len,
                        const char *keep, size_t kept, size_t hmark,
                        uint64_t prev)
{
    uint64_t clen = len >= 2 ? len - 2 : 0;
    int k, x, close;
    if (clen >= 2 && clen <= kept && keep[0] == '-' && keep[1] == '-') {
        for (k = *cur; k >= 0; k = mi->parts[k].parent) {
            mm_part *p = &mi->parts[k];
            if ((p->state != S_MULTI && p->state != S_EPILOGUE) ||
                !is_boundary(keep, (size_t)clen, p->boundary, &close))
                continue;
            if (mi->parts[*cur].state == S_HEADER)
                mi->parts[*cur].hlen = hmark; /* not a header line */
            for (x = *cur; x != k; x = mi->parts[x].parent) {
                /* An empty line right before the boundary is only the
                 * boundary's CRLF: it was counted, it is not the part's. */
                if (prev == 2 && mi->parts[x].state == S_BODY &&
                    o - 2 >= mi->parts[x].bstart && mi->parts[x].lines > 0)
                    mi->parts[x].lines--;
                if (close_part(mi, x, o >= 2 ? o - 2 : 0) != 0)
                    return -1;
            }
            count_line(mi, mi->parts[k].parent, o);
            if (close || mi->parts[k].state == S_EPILOGUE) {
                mi->parts[k].state = S_EPILOGUE;
                *cur = k;
            } else if (mi->n < MM_PARTS_MAX) {
                int c = new_part(mi, k, o + len);
                if (c < 0)
                    return -1;
                *cur = c;
            } else {
                *cur = k; /* too many parts: the rest is not looked into */
            }
            return 0;
        }
    }
    count_line(mi, *cur, o);
    if (mi->parts[*cur].state == S_HEADER && clen == 0) {
        int next = header_done(mi, *cur, o + len, 1);
        if (next < 0)
            return -1;
        *cur = next;
    }
    return 0;
}

int mm_mime_parse(mm_mime *mi, const mm_msg *m)
{
    static char chunk[65536];
    static mm_reader rd;
    char keep[MM_LINE_KEEP];
    size_t kept = 0, hmark = 0;
    uint64_t line_off = 0, llen = 0, prev = 0;
    int cur, x;

    memset(mi, 0, sizeof *mi);
    mi->size = m->size;
    cur = new_part(mi, -1, 0);
    if (cur < 0 || mm_reader_start(&rd, m, 0) != 0)
        return -1;
    for (;;) {
        long got = mm_reader_read(&rd, chunk, sizeof chunk);
        const char *p = chunk, *end;
        if (got < 0)
            return -1;
        if (got == 0)
            break;
        end = chunk + got;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t seg = nl != NULL ? (size_t)(nl + 1 - p) : (size_t)(end - p);
            if (llen == 0)
                hmark = mi->parts[cur].hlen;
            if (mi->parts[cur].state == S_HEADER)
                keep_header(mi, cur, p, seg);
            if (kept < sizeof keep) {
                size_t c = sizeof keep - kept < seg ? sizeof keep - kept : seg;
                memcpy(keep + kept, p, c);
                kept += c;
            }
            llen += seg;
            p += seg;
            if (nl != NULL) {
                if (process_line(mi, &cur, line_off, llen, keep, kept, hmark,
                                 prev))
                    return -1;
                prev = llen;
                line_off += llen;
                llen = 0;
                kept = 0;
            }
        }
    }
    /* The end of the message closes whatever is open. */
    for (x = cur; x >= 0; x = mi->parts[x].parent)
        if (close_part(mi, x, mi->size) != 0)
            return -1;
    /* A multipart without any part (no boundary found) gets an empty
     * text/plain one: IMAP's body-type-mpart needs at least one. */
    for (x = 0; x < (int)mi->n; x++)
        if (mi->parts[x].kind == MW_IMAP_BODY_MULTIPART &&
            mi->parts[x].first < 0) {
            uint64_t e = mi->parts[x].end;
            int c = new_part(mi, x, e);
            if (c < 0)
                return -1;
            mi->parts[c].state = S_CLOSED;
            mi->parts[c].kind = MW_IMAP_BODY_TEXT;
        }
    return 0;
}

int mm_mime_header(mm_mime *mi, const mm_msg *m)
{
    char *blk;
    size_t len;
    mm_part *p;
    memset(mi, 0, sizeof *mi);
    mi->size = m->size;
    if (new_part(mi, -1, 0) < 0 || mm_read_header(m, &blk, &len) != 0)
        return -1;
    p = &mi->parts[0];
    p->hdr = blk;
    p->hlen = p->hcap = len;
    p->bstart = len;
    p->end = m->size;
    p->state = S_CLOSED;
    return 0;
}

void mm_mime_free(mm_mime *mi)
{
    size_t i;
    for (i = 0; i < mi->n; i++) {
        free(mi->parts[i].hdr);
        free(mi->parts[i].boundary);
    }
    free(mi->parts);
    memset(mi, 0, sizeof *mi);
}

/* ====================================================================
 * ENVELOPE (RFC 9051 §7.5.2)
 * ==================================================================== */

/* A phrase or local part without its quoting: quotes and backslashes of
 * quoted strings removed, comments dropped, folding white space made one
 * space (what IMAP clients show as the name). */
static mw_span unquote(mm_arena *a, mw_span s)
{
    char *out;
    size_t i, k = 0;
    int inq = 0, depth = 0, space = 0;
    if (s.ptr == NULL || s.len == 0)
        return nil_span;
    out = mm_alloc(a, s.len + 1);
    if (out == NULL)
        return nil_span;
    for (i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (inq) {
            if (c == '\\' && i + 1 < s.len)
                c = s.ptr[++i];
            else if (c == '"') {
                inq = 0;
                continue;
            } else if (c == '\r' || c == '\n')
                continue;
            out[k++] = c == '\0' ? ' ' : c;
            continue;
        }
        if (depth > 0) {
            if (c == '\\' && i + 1 < s.len)
                i++;
            else if (c == '(')
                depth++;
            else if (c == ')')
                depth--;
            continue;
        }
        if (c == '(') {
            depth = 1;
            continue;
        }
        if (c == '"') {
            if (space && k > 0)
                out[k++] = ' ';
            space = 0;
            inq = 1;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = 1;
            continue;
        }
        if (space && k > 0)
            out[k++] = ' ';
        space = 0;
        out[k++] = c == '\0' ? ' ' : c;
    }
    if (k == 0)
        return nil_span;
    return span_of(out, k);
}

static mw_span nstr(mw_span s) { return s.len > 0 ? s : nil_span; }

/* An address list (RFC 9051 §9 env-from etc.) from a field value:
 * group markers as RFC 9051 §7.5.2 describes, missing domains as UW and
 * Dovecot write them. */
static void address_list(mm_arena *a, mw_span value,
                         mw_imap_address_list *out)
{
    mw_hdr_addr_iter it;
    mw_hdr_address e;
    mw_imap_address *v;
    size_t cap = 0, n = 0;
    const char *open_group = NULL;
    out->items = NULL;
    out->count = 0;
    if (value.ptr == NULL || value.len == 0)
        return;
    mw_hdr_addr_iter_init(&it, value.ptr, value.len, 0);
    while (cap < MM_ADDR_MAX && mw_hdr_addr_next(&it, &e) == MW_OK)
        cap += 3; /* a member, maybe a group start and a group end */
    if (cap == 0)
        return;
    v = mm_alloc(a, cap * sizeof *v);
    if (v == NULL)
        return;
    mw_hdr_addr_iter_init(&it, value.ptr, value.len, 0);
    while (n + 3 <= cap && mw_hdr_addr_next(&it, &e) == MW_OK) {
        int in_group = (e.flags & (MW_HDR_ADDR_IN_GROUP |
                                   MW_HDR_ADDR_GROUP_EMPTY)) != 0;
        if (in_group && e.group.ptr != open_group) {
            /* group start: (NIL NIL "name" NIL) */
            memset(&v[n], 0, sizeof v[n]);
            v[n].mailbox = unquote(a, e.group);
            if (v[n].mailbox.ptr == NULL)
                v[n].mailbox = span_of("", 0);
            n++;
            open_group = e.group.ptr;
        }
        if (!(e.flags & MW_HDR_ADDR_GROUP_EMPTY) &&
            !(e.flags & MW_HDR_ADDR_NULL)) {
            memset(&v[n], 0, sizeof v[n]);
            v[n].name = unquote(a, e.display);
            v[n].adl = nstr(e.route);
            if (e.flags & MW_HDR_ADDR_INVALID) {
                v[n].mailbox = unquote(a, e.raw);
                v[n].host = span_of(".MISSING-HOST-NAME.", 19);
            } else {
                v[n].mailbox = (e.flags & MW_HDR_ADDR_QUOTED_LOCAL)
                                   ? unquote(a, e.local)
                                   : nstr(e.local);
                v[n].host = e.domain.len > 0
                                ? e.domain
                                : span_of(".MISSING-HOST-NAME.", 19);
            }
            if (v[n].mailbox.ptr == NULL)
                v[n].mailbox = span_of("", 0);
            n++;
        }
        if (in_group && (e.flags & (MW_HDR_ADDR_GROUP_END |
                                    MW_HDR_ADDR_GROUP_EMPTY))) {
            memset(&v[n], 0, sizeof v[n]); /* group end: all NIL */
            n++;
            open_group = NULL;
        }
    }
    if (open_group != NULL && n < cap) {
        memset(&v[n], 0, sizeof v[n]);
        n++;
    }
    out->items = v;
    out->count = (uint32_t)n;
}

int mm_envelope(const mm_mime *mi, int i, mm_arena *a, mw_imap_envelope *env)
{
    static const char *const names[] = {"Date",   "Subject",    "From",
                                        "Sender", "Reply-To",   "To",
                                        "Cc",     "Bcc",        "In-Reply-To",
                                        "Message-ID"};
    mw_span v[10];
    const mm_part *p = &mi->parts[i];
    memset(env, 0, sizeof *env);
    collect(p->hdr, p->hlen, names, 10, a, v);
    env->date = v[0];
    env->subject = v[1];
    address_list(a, v[2], &env->from);
    address_list(a, v[3], &env->sender);
    address_list(a, v[4], &env->reply_to);
    address_list(a, v[5], &env->to);
    address_list(a, v[6], &env->cc);
    address_list(a, v[7], &env->bcc);
    /* RFC 3501 §7.4.2: an absent or empty Sender or Reply-To is From. */
    if (env->sender.count == 0)
        env->sender = env->from;
    if (env->reply_to.count == 0)
        env->reply_to = env->from;
    env->in_reply_to = v[8];
    env->message_id = v[9];
    return 0;
}

/* ====================================================================
 * BODYSTRUCTURE (RFC 9051 §7.5.2, §9 body)
 * ==================================================================== */

/* Parameters as IMAP shows them: the name with its RFC 2231 suffix
 * ("filename*", "title*1*") and the value without quotes, as written. */
static void body_params(mm_arena *a, const mw_hdr_param *ps, size_t n,
                        const mw_imap_param **out, uint32_t *count)
{
    mw_imap_param *v;
    size_t i;
    *out = NULL;
    *count = 0;
    if (n == 0)
        return;
    v = mm_alloc(a, n * sizeof *v);
    if (v == NULL)
        return;
    for (i = 0; i < n; i++) {
        const mw_hdr_param *p = &ps[i];
        char suffix[24], *name;
        size_t sl = 0;
        if (p->flags & MW_HDR_PARAM_DEFAULT)
            continue;
        if (p->section >= 0)
            sl = (size_t)snprintf(suffix, sizeof suffix, "*%d", p->section);
        if ((p->flags & MW_HDR_PARAM_EXTENDED) && sl + 1 < sizeof suffix)
            suffix[sl++] = '*';
        name = mm_alloc(a, p->name.len + sl + 1);
        if (name == NULL)
            continue;
        memcpy(name, p->name.ptr, p->name.len);
        memcpy(name + p->name.len, suffix, sl);
        v[*count].name = span_of(name, p->name.len + sl);
        if (p->flags & MW_HDR_PARAM_QUOTED)
            v[*count].value = unquote(a, p->value);
        else
            v[*count].value = span_of(mm_strndup(a, p->value.ptr, p->value.len),
                                      p->value.len);
        if (v[*count].value.ptr == NULL)
            v[*count].value = span_of("", 0);
        if (v[*count].value.ptr != NULL)
            (*count)++;
    }
    *out = v;
}

/* Content-Language: a list of language tags separated by commas. */
static void languages(mm_arena *a, mw_span v, const mw_span **out,
                      uint32_t *count)
{
    mw_span *t;
    size_t i = 0, n = 0;
    *out = NULL;
    *count = 0;
    if (v.ptr == NULL || v.len == 0)
        return;
    t = mm_alloc(a, (v.len / 2 + 1) * sizeof *t);
    if (t == NULL)
        return;
    while (i < v.len) {
        size_t s, e;
        while (i < v.len && (v.ptr[i] == ' ' || v.ptr[i] == '\t' ||
                             v.ptr[i] == ','))
            i++;
        s = i;
        while (i < v.len && v.ptr[i] != ',' && v.ptr[i] != ' ' &&
               v.ptr[i] != '\t' && v.ptr[i] != '(')
            i++;
        e = i;
        if (i < v.len && v.ptr[i] == '(') /* a comment: skip to its end */
            while (i < v.len && v.ptr[i] != ')')
                i++;
        if (e > s)
            t[n++] = span_of(v.ptr + s, e - s);
        if (i < v.len && v.ptr[i] != ',')
            i++;
    }
    *out = t;
    *count = (uint32_t)n;
}

static void fill_node(const mm_mime *mi, int i, mm_arena *a, mw_imap_body *b)
{
    static const char *const names[] = {
        "Content-Type",   "Content-Transfer-Encoding", "Content-ID",
        "Content-Description", "Content-MD5", "Content-Disposition",
        "Content-Language", "Content-Location"};
    mw_hdr_param *ps = mm_alloc(a, MM_PARAMS_MAX * sizeof *ps);
    mw_hdr_param *ds = mm_alloc(a, MM_PARAMS_MAX * sizeof *ds);
    mw_hdr_content_type ct;
    mw_hdr_content_disposition cd;
    const mm_part *p = &mi->parts[i];
    mw_span v[8];
    int have_ct = 0;

    collect(p->hdr, p->hlen, names, 8, a, v);
    memset(&ct, 0, sizeof ct);
    if (ps != NULL && v[0].ptr != NULL &&
        mw_hdr_parse_content_type(v[0].ptr, v[0].len, &ct, ps, MM_PARAMS_MAX,
                                  NULL) != MW_E_SYNTAX &&
        !(ct.flags & MW_HDR_MIME_DEFAULTED))
        have_ct = 1;
    b->depth = (uint16_t)p->depth;
    if (have_ct) {
        b->type = span_of(mm_strndup(a, ct.type.ptr, ct.type.len), ct.type.len);
        b->subtype = span_of(mm_strndup(a, ct.subtype.ptr, ct.subtype.len),
                             ct.subtype.len);
        body_params(a, ct.params, ct.nparams, &b->params, &b->nparams);
    } else if (p->parent >= 0 && mi->parts[p->parent].digest) {
        b->type = span_of("MESSAGE", 7); /* RFC 2046 §5.1.5 */
        b->subtype = span_of("RFC822", 6);
    } else {
        static const mw_imap_param charset = {{"CHARSET", 7}, {"US-ASCII", 8}};
        b->type = span_of("TEXT", 4); /* RFC 2045 §5.2 */
        b->subtype = span_of("PLAIN", 5);
        b->params = &charset;
        b->nparams = 1;
    }
    if (b->type.ptr == NULL || b->subtype.ptr == NULL) {
        b->type = span_of("APPLICATION", 11);
        b->subtype = span_of("OCTET-STREAM", 12);
    }
    /* extension data (BODYSTRUCTURE only): all of it, NIL where absent */
    b->disposition = nil_span;
    if (v[5].ptr != NULL && ds != NULL &&
        mw_hdr_parse_content_disposition(v[5].ptr, v[5].len, &cd, ds,
                                         MM_PARAMS_MAX, NULL) != MW_E_INVAL &&
        cd.type.len > 0) {
        b->disposition = span_of(mm_strndup(a, cd.type.ptr, cd.type.len),
                                 cd.type.len);
        body_params(a, cd.params, cd.nparams, &b->disp_params,
                    &b->ndisp_params);
    }
    languages(a, v[6], &b->languages, &b->nlanguages);
    b->location = v[7];
    if (p->kind == MW_IMAP_BODY_MULTIPART) {
        b->kind = MW_IMAP_BODY_MULTIPART;
        b->has = MW_IMAP_BODY_HAS_PARAMS | MW_IMAP_BODY_HAS_DSP |
                 MW_IMAP_BODY_HAS_LANG | MW_IMAP_BODY_HAS_LOC;
        return;
    }
    if (p->kind == MW_IMAP_BODY_MESSAGE)
        b->kind = MW_IMAP_BODY_MESSAGE;
    else if (span_is(b->type, "text"))
        b->kind = MW_IMAP_BODY_TEXT;
    else
        b->kind = MW_IMAP_BODY_BASIC;
    b->id = v[2];
    b->description = v[3];
    b->encoding = v[1].ptr != NULL && v[1].len > 0 ? v[1] : span_of("7BIT", 4);
    b->size = p->end - p->bstart;
    b->lines = (int64_t)p->lines;
    b->md5 = v[4];
    b->has = MW_IMAP_BODY_HAS_MD5 | MW_IMAP_BODY_HAS_DSP |
             MW_IMAP_BODY_HAS_LANG | MW_IMAP_BODY_HAS_LOC;
}

int mm_bodystructure(const mm_mime *mi, mm_arena *a, const mw_imap_body **out)
{
    mw_imap_body *nodes;
    size_t i;
    if (mi->n == 0)
        return -1;
    nodes = mm_alloc(a, mi->n * sizeof *nodes);
    if (nodes == NULL)
        return -1;
    for (i = 0; i < mi->n; i++)
        fill_node(mi, (int)i, a, &nodes[i]);
    /* link the nodes as the parts are linked (no recursion needed) */
    for (i = 0; i < mi->n; i++) {
        const mm_part *p = &mi->parts[i];
        mw_imap_body *b = &nodes[i];
        int c;
        if (p->next >= 0 && mi->parts[p->parent].kind == MW_IMAP_BODY_MULTIPART)
            b->next = &nodes[p->next];
        if (p->kind == MW_IMAP_BODY_MULTIPART && p->first >= 0) {
            b->first = &nodes[p->first];
            for (c = p->first; c >= 0; c = mi->parts[c].next)
                b->nparts++;
        } else if (p->kind == MW_IMAP_BODY_MESSAGE && p->first >= 0) {
            mw_imap_envelope *env = mm_alloc(a, sizeof *env);
            if (env == NULL)
                return -1;
            mm_envelope(mi, p->first, a, env);
            b->envelope = env;
            b->body = &nodes[p->first];
        } else if (p->kind == MW_IMAP_BODY_MESSAGE) {
            b->kind = MW_IMAP_BODY_BASIC;
        }
    }
    *out = &nodes[0];
    return 0;
}

/* ====================================================================
 * Sections (RFC 9051 §6.4.5)
 * ==================================================================== */

static int nth_child(const mm_mime *mi, int i, uint32_t n)
{
    int c = mi->parts[i].first;
    while (c >= 0 && --n > 0)
        c = mi->parts[c].next;
    return c;
}

int mm_section(const mm_mime *mi, const uint32_t *parts, size_t nparts,
               int section, uint64_t *start, uint64_t *end, int *hdr_filter)
{
    const mm_part *root = &mi->parts[0], *p, *e;
    size_t k;
    int cur = 0, is_msg = 1;
    *hdr_filter = 0;
    if (nparts == 0) {
        switch (section) {
        case MW_IMAP_SECTION_NONE:
            *start = 0;
            *end = mi->size;
            return 0;
        case MW_IMAP_SECTION_HEADER_FIELDS:
        case MW_IMAP_SECTION_HEADER_FIELDS_NOT:
            *hdr_filter = 1;
            /* fall through */
        case MW_IMAP_SECTION_HEADER:
            *start = 0;
            *end = root->bstart;
            return 0;
        case MW_IMAP_SECTION_TEXT:
            *start = root->bstart;
            *end = root->end;
            return 0;
        default:
            return -1;
        }
    }
    /* Part numbers: a multipart's parts are 1, 2...; a message that is
     * not multipart has one part, its body; after a message/rfc822 part,
     * numbers go on inside the message it holds. */
    for (k = 0; k < nparts; k++) {
        if (parts[k] == 0)
            return -1;
        if (!is_msg && mi->parts[cur].kind == MW_IMAP_BODY_MESSAGE) {
            cur = mi->parts[cur].first;
            is_msg = 1;
            if (cur < 0)
                return -1;
        }
        if (mi->parts[cur].kind == MW_IMAP_BODY_MULTIPART) {
            cur = nth_child(mi, cur, parts[k]);
            if (cur < 0)
                return -1;
            is_msg = 0;
        } else if (is_msg && parts[k] == 1) {
            is_msg = 0;
        } else {
            return -1;
        }
    }
    p = &mi->parts[cur];
    switch (section) {
    case MW_IMAP_SECTION_NONE:
        *start = p->bstart;
        *end = p->end;
        return 0;
    case MW_IMAP_SECTION_MIME:
        *start = p->hstart;
        *end = p->bstart;
        return 0;
    default:
        break;
    }
    if (p->kind != MW_IMAP_BODY_MESSAGE || p->first < 0)
        return -1;
    e = &mi->parts[p->first];
    if (section == MW_IMAP_SECTION_TEXT) {
        *start = e->bstart;
        *end = e->end;
        return 0;
    }
    *hdr_filter = section != MW_IMAP_SECTION_HEADER;
    *start = e->hstart;
    *end = e->bstart;
    return 0;
}

/* Read wire bytes [start, end) into a malloc'd buffer. */
static char *read_range(const mm_msg *m, uint64_t start, uint64_t end,
                        size_t *len)
{
    static mm_reader rd;
    size_t n = (size_t)(end - start), k = 0;
    char *buf = malloc(n + 1);
    if (buf == NULL || mm_reader_start(&rd, m, start) != 0) {
        free(buf);
        return NULL;
    }
    while (k < n) {
        long got = mm_reader_read(&rd, buf + k, n - k);
        if (got <= 0)
            break;
        k += (size_t)got;
    }
    *len = k;
    return buf;
}

int mm_header_fields(const mm_msg *m, uint64_t start, uint64_t end,
                     const mw_span *names, size_t nnames, int not,
                     char **out, size_t *outlen)
{
    size_t len, i = 0, k = 0, j;
    char *h, *o;
    if (end < start || end - start > (64u << 20))
        return -1;
    h = read_range(m, start, end, &len);
    if (h == NULL)
        return -1;
    o = malloc(len + 3);
    if (o == NULL) {
        free(h);
        return -1;
    }
    /* A field is a line that does not start with white space plus its
     * continuation lines (RFC 5322 §2.2.3); the empty line ends it all. */
    while (i < len) {
        size_t fs = i, colon = 0, nl;
        int match = 0;
        if (h[i] == '\r' || h[i] == '\n')
            break;
        do {
            const char *e = memchr(h + i, '\n', len - i);
            nl = e != NULL ? (size_t)(e - h) + 1 : len;
            i = nl;
        } while (i < len && (h[i] == ' ' || h[i] == '\t'));
        while (fs + colon < i && h[fs + colon] != ':' && h[fs + colon] != '\n')
            colon++;
        if (fs + colon >= i || h[fs + colon] != ':')
            continue; /* not a field */
        while (colon > 0 && (h[fs + colon - 1] == ' ' || h[fs + colon - 1] == '\t'))
            colon--;
        for (j = 0; j < nnames && !match; j++)
            match = ieq(h + fs, colon, names[j].ptr, names[j].len);
        if (match != not) {
            memcpy(o + k, h + fs, i - fs);
            k += i - fs;
        }
    }
    o[k++] = '\r';
    o[k++] = '\n';
    free(h);
    *out = o;
    *outlen = k;
    return 0;
}

/* ====================================================================
 * SEARCH helpers
 * ==================================================================== */

int mm_read_header(const mm_msg *m, char **blk, size_t *len)
{
    static mm_reader rd;
    size_t cap = 8192, n = 0, scan = 0;
    char *b = malloc(cap);
    if (b == NULL || mm_reader_start(&rd, m, 0) != 0) {
        free(b);
        return -1;
    }
    for (;;) {
        long got;
        /* the header ends at the first empty line */
        while (scan < n) {
            const char *e = memchr(b + scan, '\n', n - scan);
            size_t ls = scan;
            if (e == NULL)
                break;
            scan = (size_t)(e - b) + 1;
            if (scan - ls <= 2) {
                *blk = b;
                *len = scan;
                return 0;
            }
        }
        if (n == cap) {
            char *q;
            if (cap >= (1u << 20))
                break;
            q = realloc(b, cap * 2);
            if (q == NULL)
                break;
            b = q;
            cap *= 2;
        }
        got = mm_reader_read(&rd, b + n, cap - n);
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    *blk = b;
    *len = n;
    return 0;
}

/* Case-insensitive (ASCII) substring search, KMP so that any input is
 * linear. */
typedef struct kmp {
    const char *pat;
    size_t n, state;
    size_t *fail;
} kmp;

static int kmp_init(kmp *k, const char *pat, size_t n)
{
    size_t i, j = 0;
    k->pat = pat;
    k->n = n;
    k->state = 0;
    k->fail = malloc((n + 1) * sizeof *k->fail);
    if (k->fail == NULL)
        return -1;
    k->fail[0] = 0;
    for (i = 1; i < n; i++) {
        while (j > 0 && lower((unsigned char)pat[i]) != lower((unsigned char)pat[j]))
            j = k->fail[j - 1];
        if (lower((unsigned char)pat[i]) == lower((unsigned char)pat[j]))
            j++;
        k->fail[i] = j;
    }
    return 0;
}

static int kmp_feed(kmp *k, const char *s, size_t len)
{
    size_t i, j = k->state;
    for (i = 0; i < len; i++) {
        int c = lower((unsigned char)s[i]);
        while (j > 0 && c != lower((unsigned char)k->pat[j]))
            j = k->fail[j - 1];
        if (c == lower((unsigned char)k->pat[j]))
            j++;
        if (j == k->n)
            return 1;
    }
    k->state = j;
    return 0;
}

static int contains(const char *s, size_t len, const char *needle, size_t n)
{
    kmp k;
    int r;
    if (n == 0)
        return 1;
    if (kmp_init(&k, needle, n) != 0)
        return 0;
    r = kmp_feed(&k, s, len);
    free(k.fail);
    return r;
}

typedef struct has_ctx {
    const char *name, *needle;
    size_t nlen, n;
    int found;
} has_ctx;

static int has_one(void *u, const mw_hdr_field *f)
{
    has_ctx *c = u;
    if (!ieq(f->name.ptr, f->name.len, c->name, c->nlen))
        return 0;
    if (contains(f->value.ptr, f->value.len, c->needle, c->n))
        c->found = 1;
    return c->found;
}

int mm_header_has(const char *blk, size_t len, const char *name, size_t nlen,
                  const char *needle, size_t n)
{
    has_ctx c;
    c.name = name;
    c.nlen = nlen;
    c.needle = needle;
    c.n = n;
    c.found = 0;
    each_field(blk, len, has_one, &c);
    return c.found;
}

int mm_text_has(const mm_msg *m, uint64_t from, const char *needle, size_t n)
{
    static mm_reader rd;
    static char buf[65536];
    kmp k;
    int found = 0;
    if (n == 0)
        return 1;
    if (kmp_init(&k, needle, n) != 0 || mm_reader_start(&rd, m, from) != 0) {
        free(k.fail);
        return -1;
    }
    for (;;) {
        long got = mm_reader_read(&rd, buf, sizeof buf);
        if (got < 0) {
            found = -1;
            break;
        }
        if (got == 0)
            break;
        if (kmp_feed(&k, buf, (size_t)got)) {
            found = 1;
            break;
        }
    }
    free(k.fail);
    return found;
}

int mm_sent_date(const char *blk, size_t len, int *year, int *month, int *day)
{
    static const char *const names[] = {"Date"};
    mm_arena a = {NULL};
    mw_span v;
    mw_hdr_datetime dt;
    int rc = -1;
    collect(blk, len, names, 1, &a, &v);
    if (v.ptr != NULL && mw_hdr_parse_date(v.ptr, v.len, &dt, NULL) == MW_OK) {
        *year = dt.year;
        *month = dt.month;
        *day = dt.day;
        rc = 0;
    }
    mm_arena_free(&a);
    return rc;
}

#else
typedef int minimail_imap_mime_unused; /* ISO C: no empty file */
#endif
