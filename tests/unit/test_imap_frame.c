/* SPDX-License-Identifier: MIT */
/* The IMAP framer (lib/imap/frame.c): lines and literals (RFC 9051 §4.3,
 * RFC 7888 "{n+}", RFC 3516 "~{n}"), every take() decision (INLINE,
 * STREAM, DISCARD, REFUSE), FULL and release() for endless SEARCH lines,
 * SKIPPED for dropped frames, the frame limit at max-1/max/max+1, bare LF
 * under each policy, literal sizes of 2^63-1, 2^63 and 2^64+, zero-copy
 * spans versus held segments, and any chunking (whole, per byte, every
 * split, with pauses) through the replay helper, checked against an
 * independent byte-at-a-time model. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evlog.h"
#include "imap/frame.h"
#include "replay.h"
#include "reason.h"

#define S_(lit) lit, sizeof(lit) - 1

/* ---- the framer as a replay machine ------------------------------------ */

/* How the test machine answers LITERAL events. */
enum {
    DEC_CLIENT = 0, /* STREAM after "]" or ">" (a body section), else INLINE */
    DEC_INLINE,
    DEC_STREAM,
    DEC_DISCARD,
    DEC_REFUSE
};

typedef struct tm {
    mw__imap_framer fr;
    char *buf;
    size_t cap, max;
    mw_newline_policy policy;
    int decide;       /* DEC_* */
    int release;      /* FULL: 0 drop, 1 release through the last SP */
    int pause;        /* return MW_PAUSED after every event */
    int copy_chunks;  /* feed each chunk from its own heap copy */
    int check_spans;  /* LINE of a whole input must point into it */
    size_t events;
    evlog *log;
} tm;

static int decide(const tm *t, const char *p, size_t n)
{
    size_t i;
    switch (t->decide) {
    case DEC_INLINE: return MW__IMAP_TAKE_INLINE;
    case DEC_STREAM: return MW__IMAP_TAKE_STREAM;
    case DEC_DISCARD: return MW__IMAP_TAKE_DISCARD;
    case DEC_REFUSE: return MW__IMAP_TAKE_REFUSE;
    default: break;
    }
    /* text ends with "...] {n}" / "...> {n}" / "~{n}" */
    i = n;
    while (i > 0 && p[i - 1] != '{')
        i--;
    if (i >= 2 && p[i - 2] == '~')
        i--;
    if (i >= 3 && p[i - 2] == ' ' && (p[i - 3] == ']' || p[i - 3] == '>'))
        return MW__IMAP_TAKE_STREAM;
    return MW__IMAP_TAKE_INLINE;
}

static size_t release_at(const tm *t, const char *p, size_t n)
{
    size_t k = n;
    if (t->release == 0)
        return 0;
    while (k > 0 && p[k - 1] != ' ')
        k--;
    return k;
}

static void tm_reset(void *ctx, evlog *log)
{
    tm *t = ctx;
    t->log = log;
    t->events = 0;
    memset(t->buf, 0xAA, t->cap);
    mw__imap_framer_init(&t->fr, t->buf, t->cap, t->max, t->policy);
}

static void log_ev(tm *t, const mw__imap_fev *ev)
{
    evlog *log = t->log;
    switch (ev->type) {
    case MW__IMAP_FEV_LINE:
        evlog_printf(log, "LINE@%zu", ev->offset);
        evlog_data(log, " text", ev->p, ev->n);
        break;
    case MW__IMAP_FEV_LITERAL:
        evlog_printf(log, "LIT@%zu size=%llu flags=%u", ev->offset,
                     (unsigned long long)ev->lit_size, ev->lit_flags);
        evlog_data(log, " text", ev->p, ev->n);
        break;
    case MW__IMAP_FEV_DATA:
        evlog_data(log, " data", ev->p, ev->n);
        break;
    case MW__IMAP_FEV_LITERAL_END:
        evlog_printf(log, "LEND@%zu", ev->offset);
        break;
    case MW__IMAP_FEV_FULL:
        evlog_printf(log, "FULL@%zu n=%zu", ev->offset, ev->n);
        break;
    case MW__IMAP_FEV_SKIPPED:
        evlog_printf(log, "SKIP@%zu %s %s", ev->offset,
                     mw_status_name(ev->status), ev->reason);
        break;
    default:
        evlog_printf(log, "BAD EVENT %d", ev->type);
        break;
    }
}

static int tm_feed(void *ctx, const char *p0, size_t n, size_t *consumed)
{
    tm *t = ctx;
    size_t pos = 0;
    const char *p = p0;
    char *copy = NULL;
    int rc = MW_OK;
    if (t->copy_chunks) {
        copy = malloc(n ? n : 1);
        assert_non_null(copy);
        memcpy(copy, p0, n);
        p = copy;
    }
    for (;;) {
        size_t used = 12345;
        mw__imap_fev ev;
        int r = mw__imap_framer_next(&t->fr, p + pos, n - pos, &used, &ev);
        assert_true(used <= n - pos);
        pos += used;
        if (r == 0) {
            assert_int_equal(pos, n);
            break;
        }
        t->events++;
        log_ev(t, &ev);
        if (ev.type == MW__IMAP_FEV_LITERAL) {
            int how = decide(t, ev.p, ev.n);
            mw__imap_framer_take(&t->fr, how, MW_E_LIMIT, "test discard");
        } else if (ev.type == MW__IMAP_FEV_FULL) {
            size_t k = release_at(t, ev.p, ev.n);
            if (k > 0) {
                evlog_data(t->log, " released", ev.p, k);
                evlog_printf(t->log, "released %zu", k);
            }
            mw__imap_framer_release(&t->fr, k);
        }
        if (t->pause && pos < n) {
            rc = MW_PAUSED;
            break;
        }
    }
    if (copy != NULL) {
        memset(copy, 0x55, n ? n : 1);
        free(copy);
    }
    *consumed = pos;
    return rc;
}

static int tm_finish(void *ctx)
{
    tm *t = ctx;
    evlog_printf(t->log, "eof idle=%d", mw__imap_framer_idle(&t->fr));
    return MW_OK;
}

static const replay_ops tm_ops = {tm_reset, tm_feed, tm_finish};

static void tm_setup(tm *t, size_t max, mw_newline_policy pol, int dec)
{
    memset(t, 0, sizeof(*t));
    t->cap = max;
    t->max = max;
    t->buf = malloc(max ? max : 1);
    assert_non_null(t->buf);
    t->policy = pol;
    t->decide = dec;
}

static void tm_free(tm *t)
{
    free(t->buf);
}

/* ---- an independent model ------------------------------------------------
 * Reads the whole input byte by byte with a growable segment and writes
 * the log the framer must give: the rules of frame.h written plainly. */

typedef struct model {
    const tm *t;
    const char *in;
    size_t n, pos;
    evlog *log;
    char *v;          /* the segment text since the last release */
    size_t vlen, vcap;
    size_t voff;      /* stream offset of v[0] */
    size_t frame_off;
    size_t line_start;
    int dead;
} model;

static void vput(model *m, const char *p, size_t n)
{
    if (m->vlen + n > m->vcap) {
        m->vcap = (m->vlen + n) * 2 + 16;
        m->v = realloc(m->v, m->vcap);
        assert_non_null(m->v);
    }
    memcpy(m->v + m->vlen, p, n);
    m->vlen += n;
}

/* The announcement rule of frame.h over line text t[ls..te). */
static int m_announce(const char *t, size_t ls, size_t te, uint64_t *size,
                      unsigned *flags)
{
    size_t q, d;
    uint64_t v = 0;
    *flags = 0;
    if (te < ls + 3 || t[te - 1] != '}')
        return 0;
    q = te - 1;
    if (t[q - 1] == '+') {
        *flags |= MW__IMAP_LIT_NONSYNC;
        q--;
    }
    for (d = q; d > ls && t[d - 1] >= '0' && t[d - 1] <= '9'; d--)
        ;
    if (d == q || d == ls || t[d - 1] != '{')
        return 0;
    if (d - 1 > ls && t[d - 2] == '~')
        *flags |= MW__IMAP_LIT_BINARY;
    for (; d < q; d++) {
        uint64_t dg = (uint64_t)(t[d] - '0');
        if (v > (UINT64_C(9223372036854775807) - dg) / 10)
            return -1;
        v = v * 10 + dg;
    }
    *size = v;
    return 1;
}

/* Skip a dropped frame from m->pos: lit bytes, then lines. */
static void m_skip(model *m, uint64_t lit, int status, const char *reason)
{
    for (;;) {
        size_t ls, k;
        char *line = NULL;
        size_t ln = 0, lcap = 0;
        int ended = 0, r;
        uint64_t size;
        unsigned fl;
        if ((uint64_t)(m->n - m->pos) <= lit) {
            m->pos = m->n;
            m->dead = 1; /* no more events */
            return;
        }
        m->pos += (size_t)lit;
        ls = m->pos;
        for (k = m->pos; k < m->n; k++) {
            if (m->in[k] == '\n') {
                int cr = k > ls && m->in[k - 1] == '\r';
                if (m->t->policy == MW_NEWLINE_PASS && !cr)
                    continue;
                ln = k - ls - (cr ? 1u : 0u);
                ended = 1;
                break;
            }
        }
        if (!ended) {
            m->pos = m->n;
            m->dead = 1;
            return;
        }
        (void)lcap;
        line = (char *)m->in + ls;
        m->pos = k + 1;
        r = m_announce(line, 0, ln, &size, &fl);
        if (r < 0) {
            evlog_printf(m->log, "SKIP@%zu %s %s", m->frame_off,
                         mw_status_name(MW_E_OVERFLOW),
                         R_("literal size out of range"));
            m->dead = 1;
            return;
        }
        if (r > 0) {
            lit = size;
            continue;
        }
        evlog_printf(m->log, "SKIP@%zu %s %s", m->frame_off,
                     mw_status_name(status), reason);
        return;
    }
}

/* Skip after a FULL dropped: the rest of the current line, whose text
 * so far (after releases) is v[line_start..]. */
static void m_skip_rest_of_line(model *m)
{
    /* Put the remaining text of the line in front of the input by
     * rescanning: the dropped line's known text v[ls..vlen) joined with
     * the input up to the line end. */
    size_t k, ls = m->line_start;
    char *line;
    size_t ln;
    int r, ended = 0;
    uint64_t size;
    unsigned fl;
    for (k = m->pos; k < m->n; k++) {
        if (m->in[k] == '\n') {
            int cr = (k > m->pos) ? m->in[k - 1] == '\r'
                                  : (m->vlen > ls && m->v[m->vlen - 1] == '\r');
            if (m->t->policy == MW_NEWLINE_PASS && !cr)
                continue;
            ended = 1;
            break;
        }
    }
    if (!ended) {
        m->pos = m->n;
        m->dead = 1;
        return;
    }
    vput(m, m->in + m->pos, k - m->pos);
    m->pos = k + 1;
    ln = m->vlen - ls;
    line = m->v + ls;
    if (ln > 0 && line[ln - 1] == '\r')
        ln--;
    r = m_announce(line, 0, ln, &size, &fl);
    if (r < 0) {
        evlog_printf(m->log, "SKIP@%zu %s %s", m->frame_off,
                     mw_status_name(MW_E_OVERFLOW),
                     R_("literal size out of range"));
        m->dead = 1;
        return;
    }
    if (r > 0) {
        m_skip(m, size, MW_E_TOO_LONG, R_("line too long"));
        return;
    }
    evlog_printf(m->log, "SKIP@%zu %s %s", m->frame_off,
                 mw_status_name(MW_E_TOO_LONG), R_("line too long"));
}

static void m_release(model *m, size_t k)
{
    memmove(m->v, m->v + k, m->vlen - k);
    m->vlen -= k;
    m->voff += k;
    m->line_start = m->line_start > k ? m->line_start - k : 0;
}

/* FULL on v (which holds at least max bytes): returns 1 when the frame
 * was dropped. */
static int m_full(model *m)
{
    size_t max = m->t->max, k;
    evlog_printf(m->log, "FULL@%zu n=%zu", m->voff, max);
    k = release_at(m->t, m->v, max);
    if (k == 0) {
        m_skip_rest_of_line(m);
        return 1;
    }
    evlog_data(m->log, " released", m->v, k);
    evlog_printf(m->log, "released %zu", k);
    m_release(m, k);
    return 0;
}

static void run_model(const tm *t, const char *in, size_t n, evlog *log)
{
    model m;
    size_t max = t->max;
    memset(&m, 0, sizeof(m));
    m.t = t;
    m.in = in;
    m.n = n;
    m.log = log;
    evlog_reset(log);
    while (m.pos < m.n && !m.dead) {
        int frame_done = 0;
        m.frame_off = m.pos;
        m.vlen = 0;
        m.voff = m.pos;
        m.line_start = 0;
        while (!frame_done && !m.dead) {
            /* scan the line: v grows byte by byte */
            size_t i;
            int bare = 0, cr;
            size_t te;
            uint64_t size;
            unsigned fl;
            int r;
            for (;;) {
                if (m.vlen >= max + 2) {
                    if (m_full(&m)) {
                        frame_done = 1;
                        break;
                    }
                    continue;
                }
                if (m.pos >= m.n) {
                    /* end of input without a line end */
                    if (m.vlen == max + 1 && m.v[max] != '\r') {
                        if (m_full(&m)) {
                            frame_done = 1;
                            break;
                        }
                        continue;
                    }
                    m.dead = 1;
                    break;
                }
                vput(&m, m.in + m.pos, 1);
                m.pos++;
                if (m.v[m.vlen - 1] != '\n')
                    continue;
                i = m.vlen - 1;
                cr = i > m.line_start && m.v[i - 1] == '\r';
                if (!cr && t->policy == MW_NEWLINE_PASS)
                    continue;
                te = cr ? i - 1 : i;
                if (te > max) {
                    /* give the LF back and go FULL */
                    m.vlen--;
                    m.pos--;
                    if (m_full(&m)) {
                        frame_done = 1;
                        break;
                    }
                    continue;
                }
                bare = !cr;
                break;
            }
            if (frame_done || m.dead)
                break;
            /* a line end at v[i] */
            r = m_announce(m.v, m.line_start, te, &size, &fl);
            if (r < 0) {
                evlog_printf(log, "SKIP@%zu %s %s", m.frame_off,
                             mw_status_name(MW_E_OVERFLOW),
                             R_("literal size out of range"));
                m.dead = 1;
                break;
            }
            if (bare && t->policy == MW_NEWLINE_REJECT) {
                if (r > 0)
                    m_skip(&m, size, MW_E_BARE_LF, R_("bare LF line end"));
                else
                    evlog_printf(log, "SKIP@%zu %s %s", m.frame_off,
                                 mw_status_name(MW_E_BARE_LF),
                                 R_("bare LF line end"));
                frame_done = 1;
                break;
            }
            if (r == 0) {
                evlog_printf(log, "LINE@%zu", m.voff);
                evlog_data(log, " text", m.v, te);
                frame_done = 1;
                break;
            }
            evlog_printf(log, "LIT@%zu size=%llu flags=%u", m.voff,
                         (unsigned long long)size, fl);
            evlog_data(log, " text", m.v, te);
            {
                int how = decide(t, m.v, te);
                size_t eol = i + 1 - te;
                if (how == MW__IMAP_TAKE_INLINE &&
                    (te + eol > max || size > (uint64_t)(max - te - eol))) {
                    m_skip(&m, size, MW_E_TOO_LONG,
                           R_("literal does not fit the frame limit"));
                    frame_done = 1;
                } else if (how == MW__IMAP_TAKE_INLINE) {
                    size_t k = (size_t)size;
                    if (m.n - m.pos < k) {
                        m.dead = 1;
                        break;
                    }
                    vput(&m, m.in + m.pos, k);
                    m.pos += k;
                    m.line_start = m.vlen;
                } else if (how == MW__IMAP_TAKE_STREAM) {
                    size_t k = (uint64_t)(m.n - m.pos) < size
                                   ? m.n - m.pos
                                   : (size_t)size;
                    if (k > 0)
                        evlog_data(log, " data", m.in + m.pos, k);
                    m.pos += k;
                    if (k < size) {
                        m.dead = 1;
                        break;
                    }
                    evlog_printf(log, "LEND@%zu", m.pos);
                    m.vlen = 0;
                    m.voff = m.pos;
                    m.line_start = 0;
                } else if (how == MW__IMAP_TAKE_REFUSE) {
                    frame_done = 1;
                } else {
                    m_skip(&m, size, MW_E_LIMIT, R_("test discard"));
                    frame_done = 1;
                }
            }
        }
    }
    free(m.v);
}

/* Run through the replay helper (whole, per byte, every split), with and
 * without pauses and heap copies of each chunk, and compare with the
 * model. */
static void check(tm *t, const char *in, size_t n, const char *expect)
{
    evlog whole, other, mod;
    evlog_init(&whole);
    evlog_init(&other);
    evlog_init(&mod);
    t->pause = 0;
    t->copy_chunks = 0;
    replay_check(&tm_ops, t, in, n, &whole);
    t->copy_chunks = 1;
    replay_check(&tm_ops, t, in, n, &other);
    assert_string_equal(evlog_str(&whole), evlog_str(&other));
    t->pause = 1;
    replay_check(&tm_ops, t, in, n, &other);
    assert_string_equal(evlog_str(&whole), evlog_str(&other));
    t->pause = 0;
    t->copy_chunks = 0;
    run_model(t, in, n, &mod);
    evlog_printf(&mod, "eof idle=%d", -1);
    {
        /* the model does not know idleness: compare without the last line */
        const char *a = evlog_str(&whole), *b = evlog_str(&mod);
        const char *ea = strstr(a, "eof idle="), *eb = strstr(b, "eof idle=");
        assert_non_null(ea);
        assert_non_null(eb);
        if ((size_t)(ea - a) != (size_t)(eb - b) ||
            memcmp(a, b, (size_t)(ea - a)) != 0) {
            print_error("framer:\n%s\nmodel:\n%s\n", a, b);
            fail_msg("framer and model differ");
        }
    }
    if (expect != NULL) {
        if (strcmp(evlog_str(&whole), expect) != 0)
            print_error("got:\n%s\nwant:\n%s\n", evlog_str(&whole), expect);
        assert_string_equal(evlog_str(&whole), expect);
    }
    evlog_free(&whole);
    evlog_free(&other);
    evlog_free(&mod);
}

/* ---- tests --------------------------------------------------------------- */

static void test_lines(void **state)
{
    tm t;
    (void)state;
    tm_setup(&t, 100, MW_NEWLINE_REJECT, DEC_CLIENT);
    check(&t, S_("* OK IMAP4rev2 server ready\r\nA001 OK done\r\n\r\n"),
          "LINE@0\n"
          " text: * OK IMAP4rev2 server ready\n"
          "LINE@29\n"
          " text: A001 OK done\n"
          "LINE@43\n"
          " text: \n"
          "eof idle=1\n");
    /* unfinished frame at the end: not idle, no event */
    check(&t, S_("* OK a\r\n* 1 EXIS"),
          "LINE@0\n text: * OK a\neof idle=0\n");
    /* a CR inside a line is text (the grammar refuses it) */
    check(&t, S_("a\rb\r\r\n"), "LINE@0\n text: a\\rb\\r\neof idle=1\n");
    tm_free(&t);
}

/* RFC 9051 §8 / RFC 3501 §6.2.3: a LOGIN with synchronising literals, as a
 * server inlines them. */
static void test_inline_literals(void **state)
{
    tm t;
    (void)state;
    tm_setup(&t, 200, MW_NEWLINE_REJECT, DEC_INLINE);
    check(&t, S_("A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\nA002 NOOP\r\n"),
          "LIT@0 size=11 flags=0\n"
          " text: A001 LOGIN {11}\n"
          "LIT@0 size=7 flags=0\n"
          " text: A001 LOGIN {11}\\r\\nFRED FOOBAR {7}\n"
          "LINE@0\n"
          " text: A001 LOGIN {11}\\r\\nFRED FOOBAR {7}\\r\\nfat man\n"
          "LINE@43\n"
          " text: A002 NOOP\n"
          "eof idle=1\n");
    /* literal bytes are never scanned: "{3}" and CRLF inside a literal */
    check(&t, S_("A {9}\r\nab{3}\r\nxy\r\nB\r\n"),
          "LIT@0 size=9 flags=0\n"
          " text: A {9}\n"
          "LINE@0\n"
          " text: A {9}\\r\\nab{3}\\r\\nxy\n"
          "LINE@18\n"
          " text: B\n"
          "eof idle=1\n");
    /* a literal ending in CR followed by LF: the LF is a bare line end */
    check(&t, S_("A {2}\r\nx\r\nB\r\n"),
          "LIT@0 size=2 flags=0\n"
          " text: A {2}\n"
          "SKIP@0 MW_E_BARE_LF " R_("bare LF line end") "\n"
          "LINE@10\n"
          " text: B\n"
          "eof idle=1\n");
    /* LITERAL+ and literal8 flags; empty literal */
    check(&t, S_("A APPEND x ~{3+}\r\na\0b {0}\r\n\r\n"),
          "LIT@0 size=3 flags=3\n"
          " text: A APPEND x ~{3+}\n"
          "LIT@0 size=0 flags=0\n"
          " text: A APPEND x ~{3+}\\r\\na\\x00b {0}\n"
          "LINE@0\n"
          " text: A APPEND x ~{3+}\\r\\na\\x00b {0}\\r\\n\n"
          "eof idle=1\n");
    /* not announcements: no digits, no brace, a space, a letter */
    check(&t, S_("a {}\r\nb {+}\r\nc 5}\r\nd { 5}\r\ne {5x}\r\n}\r\n"), NULL);
    tm_free(&t);
}

/* RFC 9051 §7.5.2 style FETCH with a body section streamed. */
static void test_stream(void **state)
{
    tm t;
    static const char in[] =
        "* 12 FETCH (FLAGS (\\Seen) BODY[HEADER] {12}\r\n"
        "Subject: x\r\n"
        " UID 7 BODY[]<0> {3}\r\nabc)\r\n"
        "* 13 FETCH (BODY[TEXT] {0}\r\n)\r\n"
        "A1 OK done\r\n";
    (void)state;
    tm_setup(&t, 64, MW_NEWLINE_REJECT, DEC_CLIENT);
    check(&t, in, sizeof(in) - 1,
          "LIT@0 size=12 flags=0\n"
          " text: * 12 FETCH (FLAGS (\\\\Seen) BODY[HEADER] {12}\n"
          " data: Subject: x\\r\\n\n"
          "LEND@57\n"
          "LIT@57 size=3 flags=0\n"
          " text:  UID 7 BODY[]<0> {3}\n"
          " data: abc\n"
          "LEND@82\n"
          "LINE@82\n"
          " text: )\n"
          "LIT@85 size=0 flags=0\n"
          " text: * 13 FETCH (BODY[TEXT] {0}\n"
          "LEND@113\n"
          "LINE@113\n"
          " text: )\n"
          "LINE@116\n"
          " text: A1 OK done\n"
          "eof idle=1\n");
    tm_free(&t);
}

/* DISCARD: the literal and the rest of the frame are dropped; bytes
 * that look like commands inside the literal are never framed (RFC 7888
 * §4, field-notes §4.8). REFUSE: the frame ends at the announcement. */
static void test_discard_refuse(void **state)
{
    tm t;
    static const char in[] =
        "A1 APPEND INBOX {21+}\r\n"
        "\r\nA2 DELETE INBOX\r\n\r\n"
        " more {2}\r\n"
        "{9}\r\n"
        "A3 NOOP\r\n";
    (void)state;
    tm_setup(&t, 64, MW_NEWLINE_REJECT, DEC_DISCARD);
    check(&t, in, sizeof(in) - 1,
          "LIT@0 size=21 flags=1\n"
          " text: A1 APPEND INBOX {21+}\n"
          "SKIP@0 MW_E_LIMIT " R_("test discard") "\n"
          "LINE@60\n"
          " text: A3 NOOP\n"
          "eof idle=1\n");
    t.decide = DEC_REFUSE;
    check(&t, S_("A1 LOGIN {5}\r\nA2 NOOP\r\n"),
          "LIT@0 size=5 flags=0\n"
          " text: A1 LOGIN {5}\n"
          "LINE@14\n"
          " text: A2 NOOP\n"
          "eof idle=1\n");
    tm_free(&t);
}

/* The frame limit at max-1, max and max+1, with the CRLF split in every
 * way (the replay helper does the splitting). */
static void test_limit(void **state)
{
    tm t;
    char in[64];
    size_t max = 10, len;
    (void)state;
    tm_setup(&t, max, MW_NEWLINE_REJECT, DEC_CLIENT);
    for (len = max - 1; len <= max + 2; len++) {
        char want[256];
        memset(in, 'x', len);
        memcpy(in + len, "\r\nOK\r\n", 6);
        if (len <= max)
            snprintf(want, sizeof want,
                     "LINE@0\n text: %.*s\nLINE@%zu\n text: OK\neof idle=1\n",
                     (int)len, in, len + 2);
        else
            snprintf(want, sizeof want,
                     "FULL@0 n=10\nSKIP@0 MW_E_TOO_LONG " R_("line too long") "\n"
                     "LINE@%zu\n text: OK\neof idle=1\n",
                     len + 2);
        check(&t, in, len + 6, want);
    }
    /* max+1 bytes ending in CR, then not LF: the CR is text */
    memcpy(in, "xxxxxxxxxx\rz\r\nOK\r\n", 18);
    check(&t, in, 18,
          "FULL@0 n=10\nSKIP@0 MW_E_TOO_LONG " R_("line too long") "\n"
          "LINE@14\n text: OK\neof idle=1\n");
    /* max bytes ending in an announcement, then CR CR LF: the first CR is
     * text, so the line announces nothing (found by fuzz_imap_frame) */
    check(&t, S_("abcdefg{1}\r\r\nB\r\n"),
          "FULL@0 n=10\nSKIP@0 MW_E_TOO_LONG " R_("line too long") "\n"
          "LINE@13\n text: B\neof idle=1\n");
    check(&t, S_("abcdefg{1}\r\n\r\nB\r\n"),
          "LIT@0 size=1 flags=0\n text: abcdefg{1}\n"
          "SKIP@0 MW_E_TOO_LONG " R_("literal does not fit the frame limit") "\n"
          "LINE@14\n text: B\neof idle=1\n");
    /* a line of exactly max bytes with bare-LF policy ACCEPT */
    t.policy = MW_NEWLINE_ACCEPT;
    memcpy(in, "xxxxxxxxxx\nOK\n", 14);
    check(&t, in, 14,
          "LINE@0\n text: xxxxxxxxxx\nLINE@11\n text: OK\neof idle=1\n");
    /* an inline literal that does not fit: DISCARD with TOO_LONG */
    t.policy = MW_NEWLINE_REJECT;
    check(&t, S_("A {3}\r\nabc\r\nB {2}\r\nab\r\n"),
          "LIT@0 size=3 flags=0\n"
          " text: A {3}\n"
          "LINE@0\n"
          " text: A {3}\\r\\nabc\n"
          "LIT@12 size=2 flags=0\n"
          " text: B {2}\n"
          "LINE@12\n"
          " text: B {2}\\r\\nab\n"
          "eof idle=1\n");
    check(&t, S_("A {4}\r\nabcd\r\nB\r\n"),
          "LIT@0 size=4 flags=0\n"
          " text: A {4}\n"
          "SKIP@0 MW_E_TOO_LONG " R_("literal does not fit the frame limit") "\n"
          "LINE@13\n"
          " text: B\n"
          "eof idle=1\n");
    tm_free(&t);
}

/* An over-long line dropped by release(0) that ends in a literal
 * announcement: the literal is still skipped. */
static void test_full_drop_literal(void **state)
{
    tm t;
    static const char in[] =
        "* OK xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx {7}\r\n"
        "a\r\nA9 X\r\n"
        " tail\r\n"
        "A2 NOOP\r\n";
    (void)state;
    tm_setup(&t, 16, MW_NEWLINE_REJECT, DEC_CLIENT);
    check(&t, in, sizeof(in) - 1,
          "FULL@0 n=16\n"
          "SKIP@0 MW_E_TOO_LONG " R_("line too long") "\n"
          "LINE@60\n"
          " text:  tail\n"
          "LINE@67\n"
          " text: A2 NOOP\n"
          "eof idle=1\n");
    tm_free(&t);
}

/* FULL with releases: a SEARCH response far longer than the limit is
 * handed over in pieces of complete numbers. */
static void test_full_release(void **state)
{
    tm t;
    char *in, *joined;
    size_t n = 0, i, cap = 200000, jn = 0;
    evlog whole;
    const char *s, *e;
    (void)state;
    in = malloc(cap);
    joined = malloc(cap);
    assert_non_null(in);
    assert_non_null(joined);
    n += (size_t)sprintf(in + n, "* SEARCH");
    for (i = 1; i <= 3000; i++)
        n += (size_t)sprintf(in + n, " %zu", i * 7919 % 100000);
    n += (size_t)sprintf(in + n, "\r\nA1 OK\r\n");
    tm_setup(&t, 32, MW_NEWLINE_REJECT, DEC_CLIENT);
    t.release = 1;
    evlog_init(&whole);
    check(&t, in, n, NULL);
    replay_run(&tm_ops, &t, in, n, NULL, 0, &whole);
    /* the released pieces and the final line join to the line */
    s = evlog_str(&whole);
    while ((s = strstr(s, " released: ")) != NULL) {
        s += 11;
        e = strchr(s, '\n');
        memcpy(joined + jn, s, (size_t)(e - s));
        jn += (size_t)(e - s);
        s = e;
    }
    s = strstr(evlog_str(&whole), "LINE@");
    assert_non_null(s);
    s = strstr(s, " text: ") + 7;
    e = strchr(s, '\n');
    memcpy(joined + jn, s, (size_t)(e - s));
    jn += (size_t)(e - s);
    assert_int_equal(jn, n - 9);
    assert_memory_equal(joined, in, jn);
    evlog_free(&whole);
    free(in);
    free(joined);
    tm_free(&t);
}

/* Bare LF: REJECT drops the frame (and still skips a literal it
 * announces), ACCEPT ends the line, PASS keeps it as text. */
static void test_bare_lf(void **state)
{
    tm t;
    static const char in[] = "A1 NOOP\nA2 LOGIN {3}\nabc\r\nA3 X\r\n";
    (void)state;
    tm_setup(&t, 64, MW_NEWLINE_REJECT, DEC_INLINE);
    check(&t, in, sizeof(in) - 1,
          "SKIP@0 MW_E_BARE_LF " R_("bare LF line end") "\n"
          "SKIP@8 MW_E_BARE_LF " R_("bare LF line end") "\n"
          "LINE@26\n"
          " text: A3 X\n"
          "eof idle=1\n");
    t.policy = MW_NEWLINE_ACCEPT;
    check(&t, in, sizeof(in) - 1,
          "LINE@0\n"
          " text: A1 NOOP\n"
          "LIT@8 size=3 flags=0\n"
          " text: A2 LOGIN {3}\n"
          "LINE@8\n"
          " text: A2 LOGIN {3}\\nabc\n"
          "LINE@26\n"
          " text: A3 X\n"
          "eof idle=1\n");
    t.policy = MW_NEWLINE_PASS;
    check(&t, in, sizeof(in) - 1,
          "LINE@0\n"
          " text: A1 NOOP\\nA2 LOGIN {3}\\nabc\n"
          "LINE@26\n"
          " text: A3 X\n"
          "eof idle=1\n");
    tm_free(&t);
}

/* Literal sizes: 2^63-1 is a literal (number64); 2^63 and 2^64+ overflow,
 * and the stream is then lost until reset. */
static void test_literal_sizes(void **state)
{
    tm t;
    mw__imap_framer fr;
    mw__imap_fev ev;
    size_t used;
    char buf[64];
    (void)state;
    tm_setup(&t, 64, MW_NEWLINE_REJECT, DEC_DISCARD);
    check(&t, S_("A1 APPEND x {9223372036854775807}\r\nabc\r\nA2 NOOP\r\n"),
          "LIT@0 size=9223372036854775807 flags=0\n"
          " text: A1 APPEND x {9223372036854775807}\n"
          "eof idle=0\n");
    check(&t, S_("A1 APPEND x {9223372036854775808}\r\nA2 NOOP\r\n"),
          "SKIP@0 MW_E_OVERFLOW " R_("literal size out of range") "\n"
          "eof idle=0\n");
    check(&t, S_("* 1 FETCH (BODY[] {18446744073709551617}\r\nA2 NOOP\r\n"),
          "SKIP@0 MW_E_OVERFLOW " R_("literal size out of range") "\n"
          "eof idle=0\n");
    /* leading zeros do not overflow */
    t.decide = DEC_INLINE;
    check(&t, S_("A {000000000000000000000000002}\r\nab\r\n"),
          "LIT@0 size=2 flags=0\n"
          " text: A {000000000000000000000000002}\n"
          "LINE@0\n"
          " text: A {000000000000000000000000002}\\r\\nab\n"
          "eof idle=1\n");
    /* overflow while skipping a dropped frame */
    t.decide = DEC_DISCARD;
    check(&t, S_("A {1}\r\nx {99999999999999999999}\r\nA2 NOOP\r\n"),
          "LIT@0 size=1 flags=0\n"
          " text: A {1}\n"
          "SKIP@0 MW_E_OVERFLOW " R_("literal size out of range") "\n"
          "eof idle=0\n");
    tm_free(&t);

    /* after the overflow, reset makes the framer usable again */
    mw__imap_framer_init(&fr, buf, sizeof buf, sizeof buf, MW_NEWLINE_REJECT);
    assert_int_equal(mw__imap_framer_next(&fr, S_("A {99999999999999999999}\r\nB\r\n"),
                                          &used, &ev), 1);
    assert_int_equal(ev.type, MW__IMAP_FEV_SKIPPED);
    assert_int_equal(ev.status, MW_E_OVERFLOW);
    assert_int_equal(used, 26);
    assert_int_equal(mw__imap_framer_next(&fr, S_("B\r\n"), &used, &ev), 0);
    assert_int_equal(used, 3);
    mw__imap_framer_reset(&fr);
    assert_int_equal(mw__imap_framer_next(&fr, S_("C\r\n"), &used, &ev), 1);
    assert_int_equal(ev.type, MW__IMAP_FEV_LINE);
    assert_int_equal(ev.offset, 29);
    assert_int_equal(mw__imap_framer_offset(&fr), 32);
}

/* Zero-copy: a line whole in the input is a span of the input; a line
 * cut by the end of an input comes from the caller's buffer. */
static void test_zero_copy(void **state)
{
    mw__imap_framer fr;
    mw__imap_fev ev;
    size_t used;
    char buf[64];
    static const char in[] = "* 1 EXISTS\r\n* 2 EX";
    static const char in2[] = "ISTS\r\n";
    (void)state;
    mw__imap_framer_init(&fr, buf, sizeof buf, 32, MW_NEWLINE_REJECT);
    assert_true(mw__imap_framer_idle(&fr));
    assert_int_equal(mw__imap_framer_next(&fr, in, sizeof in - 1, &used, &ev), 1);
    assert_int_equal(ev.type, MW__IMAP_FEV_LINE);
    assert_ptr_equal(ev.p, in);
    assert_int_equal(ev.n, 10);
    assert_int_equal(used, 12);
    assert_int_equal(mw__imap_framer_next(&fr, in + 12, sizeof in - 13, &used,
                                          &ev), 0);
    assert_int_equal(used, 6);
    assert_false(mw__imap_framer_idle(&fr));
    assert_int_equal(mw__imap_framer_next(&fr, in2, sizeof in2 - 1, &used, &ev), 1);
    assert_ptr_equal(ev.p, buf);
    assert_int_equal(ev.n, 10);
    assert_memory_equal(ev.p, "* 2 EXISTS", 10);
    assert_int_equal(ev.offset, 12);
    assert_true(mw__imap_framer_idle(&fr));

    /* a LITERAL event whole in the input consumes nothing until take():
     * the machine may pause and feed the same bytes again */
    mw__imap_framer_init(&fr, buf, sizeof buf, 32, MW_NEWLINE_REJECT);
    assert_int_equal(mw__imap_framer_next(&fr, S_("A {2}\r\nxy\r\n"), &used, &ev), 1);
    assert_int_equal(ev.type, MW__IMAP_FEV_LITERAL);
    assert_int_equal(used, 0);
    mw__imap_framer_take(&fr, MW__IMAP_TAKE_STREAM, 0, NULL);
    assert_int_equal(mw__imap_framer_next(&fr, S_("A {2}\r\nxy\r\n"), &used, &ev), 1);
    assert_int_equal(ev.type, MW__IMAP_FEV_DATA);
    assert_int_equal(used, 9);
    assert_int_equal(ev.n, 2);
    assert_int_equal(ev.offset, 7);
    /* LITERAL_END comes without more input */
    assert_int_equal(mw__imap_framer_next(&fr, NULL, 0, &used, &ev), 1);
    assert_int_equal(ev.type, MW__IMAP_FEV_LITERAL_END);
    assert_int_equal(mw__imap_framer_next(&fr, S_("\r\n"), &used, &ev), 1);
    assert_int_equal(ev.type, MW__IMAP_FEV_LINE);
    assert_int_equal(ev.n, 0);
    assert_int_equal(ev.offset, 9);

    /* fits: the text, its CRLF and the literal within max_text (32) */
    mw__imap_framer_init(&fr, buf, sizeof buf, 32, MW_NEWLINE_REJECT);
    assert_int_equal(mw__imap_framer_fits(&fr, 0), 0); /* no LITERAL pending */
    assert_int_equal(mw__imap_framer_next(&fr, S_("A LOGIN {25}\r\n"), &used, &ev), 1);
    assert_int_equal(ev.type, MW__IMAP_FEV_LITERAL);
    assert_int_equal(mw__imap_framer_fits(&fr, 18), 1); /* 12 + 2 + 18 = 32 */
    assert_int_equal(mw__imap_framer_fits(&fr, 19), 0);
    assert_int_equal(mw__imap_framer_fits(&fr, UINT64_MAX), 0);
    mw__imap_framer_take(&fr, MW__IMAP_TAKE_REFUSE, 0, NULL);
    assert_int_equal(mw__imap_framer_fits(&fr, 1), 0);

    /* an unanswered LITERAL is discarded */
    mw__imap_framer_init(&fr, buf, sizeof buf, 32, MW_NEWLINE_REJECT);
    assert_int_equal(mw__imap_framer_next(&fr, S_("A {2}\r\n"), &used, &ev), 1);
    assert_int_equal(mw__imap_framer_next(&fr, S_("A {2}\r\nxy\r\nB\r\n"), &used, &ev), 1);
    assert_int_equal(ev.type, MW__IMAP_FEV_SKIPPED);
    assert_int_equal(ev.status, MW_E_INTERNAL);
    assert_int_equal(used, 11);
}

/* Random frames of IMAP shape (text, literals of every kind, long lines,
 * bare LF) against the model, under every policy and decision. */
static uint32_t rnd_state = 12345u;
static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state;
}

static size_t gen(char *o, size_t cap)
{
    size_t n = 0;
    int frames = (int)(rnd() % 4) + 1, f;
    for (f = 0; f < frames && n + 80 < cap; f++) {
        int lines = (int)(rnd() % 3) + 1, l;
        for (l = 0; l < lines && n + 80 < cap; l++) {
            int len = (int)(rnd() % 30), k;
            for (k = 0; k < len; k++) {
                static const char alpha[] = "ab ()[]{}~+0123456789*\r";
                o[n++] = alpha[rnd() % (sizeof alpha - 1)];
            }
            if (l + 1 < lines) {
                unsigned sz = rnd() % 12;
                const char *br = (rnd() % 2) ? "] " : " ";
                n += (size_t)snprintf(o + n, cap - n, "%s%s{%u%s}", br,
                                      (rnd() % 4) ? "" : "~", sz,
                                      (rnd() % 3) ? "" : "+");
                o[n++] = '\r';
                o[n++] = '\n';
                for (k = 0; k < (int)sz; k++)
                    o[n++] = "x\r\n{}"[rnd() % 5];
            }
        }
        if (rnd() % 5)
            o[n++] = '\r';
        o[n++] = '\n';
    }
    return n;
}

static void test_random_model(void **state)
{
    static const mw_newline_policy pols[] = {MW_NEWLINE_REJECT,
                                             MW_NEWLINE_ACCEPT,
                                             MW_NEWLINE_PASS};
    char in[600];
    int round;
    (void)state;
    for (round = 0; round < 400; round++) {
        tm t;
        size_t n = gen(in, sizeof in);
        tm_setup(&t, 8 + rnd() % 40, pols[rnd() % 3], (int)(rnd() % 5));
        t.release = (int)(rnd() % 2);
        check(&t, in, n, NULL);
        tm_free(&t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_inline_literals),
        cmocka_unit_test(test_stream),
        cmocka_unit_test(test_discard_refuse),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_full_drop_literal),
        cmocka_unit_test(test_full_release),
        cmocka_unit_test(test_bare_lf),
        cmocka_unit_test(test_literal_sizes),
        cmocka_unit_test(test_zero_copy),
        cmocka_unit_test(test_random_model),
    };
    return cmocka_run_group_tests_name("imap_frame", tests, NULL, NULL);
}
