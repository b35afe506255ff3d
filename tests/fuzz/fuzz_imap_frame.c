/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the IMAP framer (lib/imap/frame.c, contract in
 * lib/imap/frame.h).
 *
 * Input: byte 0 picks the newline policy (bits 0-1), how LITERAL events
 * are answered (bits 2-4: by the text like a client, INLINE, STREAM,
 * DISCARD, REFUSE, or mixed by the literal size) and how FULL events are
 * answered (bits 5-6: drop, release through the last SP, release half);
 * byte 1 the frame limit (1..64, or 300 when bit 7 is set); bytes 2-3 seed
 * the chunking and byte 4 bit 0 asks for a pause after every event (the
 * unconsumed rest is fed again from a new copy). The rest is the stream.
 *
 * The stream is framed whole, in chunks of pseudo-random sizes (each chunk
 * an exact-size heap copy freed right after its feed, so a span kept into
 * an old chunk is caught) and byte by byte (short streams); the three
 * event logs must be identical and equal to a byte-level model of frame.h
 * written here from the contract. Invariants: every LINE/LITERAL/FULL text
 * and every DATA span equals the stream at its offset; FULL texts are
 * exactly the limit long; no text is longer than the limit; all input is
 * consumed when next() returns 0.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/frame.h"
#include "mailwire/features.h"

#include "fuzz_util.h"

/* DATA runs are joined in the log (log_num() ends a run). */
static void log_data(blog *b, const char *p, size_t n)
{
    if (n == 0)
        return;
    if (!b->open) {
        log_num(b, 'D');
        b->open = 1;
    }
    log_put(b, p, n);
}

/* ---- options ---- */

typedef struct opts {
    mw_newline_policy policy;
    int decide;  /* 0 client, 1 inline, 2 stream, 3 discard, 4 refuse, 5 mixed */
    int release; /* 0 drop, 1 through the last SP, 2 half */
    size_t max;
    int pause;
} opts;

static int decide(const opts *o, const char *p, size_t n, uint64_t size)
{
    size_t i;
    switch (o->decide % 6) {
    case 1: return MW__IMAP_TAKE_INLINE;
    case 2: return MW__IMAP_TAKE_STREAM;
    case 3: return MW__IMAP_TAKE_DISCARD;
    case 4: return MW__IMAP_TAKE_REFUSE;
    case 5: return (int)(size % 4) + 1;
    default: break;
    }
    i = n;
    while (i > 0 && p[i - 1] != '{')
        i--;
    if (i >= 2 && p[i - 2] == '~')
        i--;
    if (i >= 3 && p[i - 2] == ' ' && (p[i - 3] == ']' || p[i - 3] == '>'))
        return MW__IMAP_TAKE_STREAM;
    return MW__IMAP_TAKE_INLINE;
}

static size_t release_at(const opts *o, const char *p, size_t n)
{
    size_t k = n;
    if (o->release == 2)
        return n / 2;
    if (o->release != 1)
        return 0;
    while (k > 0 && p[k - 1] != ' ')
        k--;
    return k;
}

/* ---- the framer ---- */

typedef struct run {
    const opts *o;
    const unsigned char *stream;
    size_t slen;
    mw__imap_framer fr;
    char *buf;
    blog log;
    size_t last_seg_off;
} run;

static void ev_check(run *r, const mw__imap_fev *ev)
{
    if (ev->type == MW__IMAP_FEV_LINE || ev->type == MW__IMAP_FEV_LITERAL ||
        ev->type == MW__IMAP_FEV_FULL || ev->type == MW__IMAP_FEV_DATA) {
        CHECK(ev->offset <= r->slen && ev->n <= r->slen - ev->offset);
        CHECK(ev->n == 0 || memcmp(ev->p, r->stream + ev->offset, ev->n) == 0);
    }
    if (ev->type != MW__IMAP_FEV_DATA && ev->type != MW__IMAP_FEV_SKIPPED &&
        ev->type != MW__IMAP_FEV_LITERAL_END) {
        CHECK(ev->n <= r->o->max);
        CHECK(ev->offset >= r->last_seg_off);
        r->last_seg_off = ev->offset;
    }
    if (ev->type == MW__IMAP_FEV_FULL)
        CHECK(ev->n == r->o->max);
}

/* Feed one chunk; returns the bytes consumed. */
static size_t feed(run *r, const char *p, size_t n)
{
    size_t pos = 0;
    for (;;) {
        size_t used = (size_t)-1;
        mw__imap_fev ev;
        int rc = mw__imap_framer_next(&r->fr, p + pos, n - pos, &used, &ev);
        CHECK(used <= n - pos);
        pos += used;
        if (rc == 0) {
            CHECK(pos == n);
            return pos;
        }
        CHECK(rc == 1);
        ev_check(r, &ev);
        switch (ev.type) {
        case MW__IMAP_FEV_LINE:
            log_num(&r->log, 'L');
            log_num(&r->log, ev.offset);
            log_text(&r->log, ev.p, ev.n);
            break;
        case MW__IMAP_FEV_LITERAL:
            log_num(&r->log, 'T');
            log_num(&r->log, ev.offset);
            log_num(&r->log, ev.lit_size);
            log_num(&r->log, ev.lit_flags);
            log_text(&r->log, ev.p, ev.n);
            mw__imap_framer_take(&r->fr, decide(r->o, ev.p, ev.n, ev.lit_size),
                                 MW_E_LIMIT, "discard");
            break;
        case MW__IMAP_FEV_DATA:
            log_data(&r->log, ev.p, ev.n);
            break;
        case MW__IMAP_FEV_LITERAL_END:
            log_num(&r->log, 'E');
            log_num(&r->log, ev.offset);
            break;
        case MW__IMAP_FEV_FULL: {
            size_t k = release_at(r->o, ev.p, ev.n);
            log_num(&r->log, 'F');
            log_num(&r->log, ev.offset);
            log_num(&r->log, k);
            log_put(&r->log, ev.p, k);
            mw__imap_framer_release(&r->fr, k);
            break;
        }
        case MW__IMAP_FEV_SKIPPED:
            log_num(&r->log, 'S');
            log_num(&r->log, ev.offset);
            log_num(&r->log, (uint64_t)(int64_t)ev.status);
            CHECK(ev.reason != NULL);
            log_text(&r->log, ev.reason, strlen(ev.reason));
            break;
        default:
            CHECK(0);
        }
        if (r->o->pause && pos < n)
            return pos;
    }
}

static void run_init(run *r, const opts *o, const unsigned char *s, size_t n)
{
    memset(r, 0, sizeof(*r));
    r->o = o;
    r->stream = s;
    r->slen = n;
    r->buf = malloc(o->max);
    CHECK(r->buf != NULL);
    mw__imap_framer_init(&r->fr, r->buf, o->max, o->max, o->policy);
}

/* Feed [0, n) cut at the given chunk sizes (0: whole); every chunk (and
 * every re-feed after a pause) from its own exact-size copy. */
static void run_stream(run *r, uint32_t seed, int per_byte)
{
    size_t pos = 0;
    while (pos < r->slen) {
        size_t len = r->slen - pos, end;
        if (per_byte)
            len = 1;
        else if (seed != 0) {
            len = 1 + (fz_lcg(&seed) >> 16) % 23;
            if (len > r->slen - pos)
                len = r->slen - pos;
        }
        end = pos + len;
        while (pos < end) {
            char *c = fz_dup(r->stream + pos, end - pos);
            size_t used = feed(r, c, end - pos);
            memset(c, 0xEE, end - pos);
            free(c);
            pos += used;
        }
    }
    /* what is owed without input (LITERAL_END) */
    feed(r, "", 0);
    log_num(&r->log, 'Z');
    log_num(&r->log, (uint64_t)mw__imap_framer_idle(&r->fr));
    log_num(&r->log, mw__imap_framer_offset(&r->fr));
}

/* ---- the model: frame.h's rules, byte by byte over the whole stream ---- */

typedef struct model {
    const opts *o;
    const char *in;
    size_t n, pos;
    blog *log;
    char *v;
    size_t vlen, vcap, voff, frame_off, line_start;
    int dead, killed;
} model;

static void vput(model *m, const char *p, size_t n)
{
    if (m->vlen + n > m->vcap) {
        m->vcap = (m->vlen + n) * 2 + 16;
        m->v = realloc(m->v, m->vcap);
        CHECK(m->v != NULL);
    }
    if (n)
        memcpy(m->v + m->vlen, p, n);
    m->vlen += n;
}

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

static void m_skipped(model *m, int status, const char *reason)
{
#if !MW_ENABLE_ERROR_TEXT
    reason = ""; /* the framer's reasons are compiled out (features.h) */
#endif
    log_num(m->log, 'S');
    log_num(m->log, m->frame_off);
    log_num(m->log, (uint64_t)(int64_t)status);
    log_text(m->log, reason, strlen(reason));
}

static void m_overflow(model *m)
{
    m_skipped(m, MW_E_OVERFLOW, "literal size out of range");
    m->dead = 1;
    m->killed = 1;
}

/* End of a line in a dropped frame: line text t[0..ln). */
static void m_skip(model *m, uint64_t lit, int status, const char *reason)
{
    for (;;) {
        size_t ls, k, ln = 0;
        int ended = 0, r;
        uint64_t size;
        unsigned fl;
        if ((uint64_t)(m->n - m->pos) <= lit) {
            m->pos = m->n;
            m->dead = 1;
            return;
        }
        m->pos += (size_t)lit;
        ls = m->pos;
        for (k = m->pos; k < m->n; k++) {
            if (m->in[k] == '\n') {
                int cr = k > ls && m->in[k - 1] == '\r';
                if (m->o->policy == MW_NEWLINE_PASS && !cr)
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
        m->pos = k + 1;
        r = m_announce(m->in + ls, 0, ln, &size, &fl);
        if (r < 0) {
            m_overflow(m);
            return;
        }
        if (r > 0) {
            lit = size;
            continue;
        }
        m_skipped(m, status, reason);
        return;
    }
}

static void m_skip_rest_of_line(model *m)
{
    size_t k, ls = m->line_start, ln;
    int r, ended = 0;
    uint64_t size;
    unsigned fl;
    for (k = m->pos; k < m->n; k++) {
        if (m->in[k] == '\n') {
            int cr = (k > m->pos) ? m->in[k - 1] == '\r'
                                  : (m->vlen > ls && m->v[m->vlen - 1] == '\r');
            if (m->o->policy == MW_NEWLINE_PASS && !cr)
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
    if (ln > 0 && m->v[ls + ln - 1] == '\r')
        ln--;
    r = m_announce(m->v + ls, 0, ln, &size, &fl);
    if (r < 0) {
        m_overflow(m);
        return;
    }
    if (r > 0) {
        m_skip(m, size, MW_E_TOO_LONG, "line too long");
        return;
    }
    m_skipped(m, MW_E_TOO_LONG, "line too long");
}

static int m_full(model *m)
{
    size_t max = m->o->max, k;
    k = release_at(m->o, m->v, max);
    log_num(m->log, 'F');
    log_num(m->log, m->voff);
    log_num(m->log, k);
    log_put(m->log, m->v, k);
    if (k == 0) {
        m_skip_rest_of_line(m);
        return 1;
    }
    memmove(m->v, m->v + k, m->vlen - k);
    m->vlen -= k;
    m->voff += k;
    m->line_start = m->line_start > k ? m->line_start - k : 0;
    return 0;
}

static void run_model(const opts *o, const char *in, size_t n, blog *log)
{
    model m;
    size_t max = o->max;
    memset(&m, 0, sizeof(m));
    m.o = o;
    m.in = in;
    m.n = n;
    m.log = log;
    while (m.pos < m.n && !m.dead) {
        int frame_done = 0;
        m.frame_off = m.pos;
        m.vlen = 0;
        m.voff = m.pos;
        m.line_start = 0;
        while (!frame_done && !m.dead) {
            size_t i = 0, te = 0;
            int bare = 0, cr, r;
            uint64_t size = 0;
            unsigned fl;
            for (;;) {
                if (m.vlen >= max + 2) {
                    if (m_full(&m)) {
                        frame_done = 1;
                        break;
                    }
                    continue;
                }
                if (m.pos >= m.n) {
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
                if (!cr && o->policy == MW_NEWLINE_PASS)
                    continue;
                te = cr ? i - 1 : i;
                if (te > max) {
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
            r = m_announce(m.v, m.line_start, te, &size, &fl);
            if (r < 0) {
                m_overflow(&m);
                break;
            }
            if (bare && o->policy == MW_NEWLINE_REJECT) {
                if (r > 0)
                    m_skip(&m, size, MW_E_BARE_LF, "bare LF line end");
                else
                    m_skipped(&m, MW_E_BARE_LF, "bare LF line end");
                frame_done = 1;
                break;
            }
            if (r == 0) {
                log_num(log, 'L');
                log_num(log, m.voff);
                log_text(log, m.v, te);
                frame_done = 1;
                break;
            }
            log_num(log, 'T');
            log_num(log, m.voff);
            log_num(log, size);
            log_num(log, fl);
            log_text(log, m.v, te);
            {
                int how = decide(o, m.v, te, size);
                size_t eol = i + 1 - te;
                if (how == MW__IMAP_TAKE_INLINE &&
                    (te + eol > max || size > (uint64_t)(max - te - eol))) {
                    m_skip(&m, size, MW_E_TOO_LONG,
                           "literal does not fit the frame limit");
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
                    log_data(log, m.in + m.pos, k);
                    m.pos += k;
                    if (k < size) {
                        m.dead = 1;
                        break;
                    }
                    log_num(log, 'E');
                    log_num(log, m.pos);
                    m.vlen = 0;
                    m.voff = m.pos;
                    m.line_start = 0;
                } else if (how == MW__IMAP_TAKE_REFUSE) {
                    frame_done = 1;
                } else {
                    m_skip(&m, size, MW_E_LIMIT, "discard");
                    frame_done = 1;
                }
            }
        }
    }
    free(m.v);
}

/* ---- entry ---- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    opts o;
    run whole, chunked, bytes;
    blog model_log;
    uint32_t seed;
    const unsigned char *s;
    size_t n;
    if (size < 5)
        return 0;
    memset(&o, 0, sizeof(o));
    o.policy = (mw_newline_policy)((data[0] & 3) % 3);
    o.decide = (data[0] >> 2) & 7;
    o.release = ((data[0] >> 5) & 3) % 3;
    o.max = (data[1] & 0x80) ? 300 : (size_t)(data[1] & 63) + 1;
    seed = (uint32_t)data[2] << 8 | data[3];
    o.pause = data[4] & 1;
    n = size - 5;
    s = (const unsigned char *)fz_dup(data + 5, n);

    run_init(&whole, &o, s, n);
    run_stream(&whole, 0, 0);
    run_init(&chunked, &o, s, n);
    run_stream(&chunked, seed | 1u, 0);
    log_must_eq(&whole.log, &chunked.log, "chunked");
    if (n <= 4096) {
        run_init(&bytes, &o, s, n);
        run_stream(&bytes, 0, 1);
        log_must_eq(&whole.log, &bytes.log, "byte by byte");
        log_free(&bytes.log);
        free(bytes.buf);
    }
    memset(&model_log, 0, sizeof(model_log));
    run_model(&o, (const char *)s, n, &model_log);
    /* the model has no idle/offset summary: compare up to it */
    CHECK(whole.log.n >= 3 * sizeof(uint64_t));
    {
        blog cut = whole.log;
        cut.n -= 3 * sizeof(uint64_t);
        log_must_eq(&cut, &model_log, "model");
    }
    log_free(&model_log);
    log_free(&whole.log);
    log_free(&chunked.log);
    free(whole.buf);
    free(chunked.buf);
    free((void *)s);
    return 0;
}
