/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the CRLF line framer (lib/core/line.c, contract in
 * lib/core/framing.h).
 *
 * Input: byte 0 picks the newline policy, byte 1 the line limit, bytes 2-3
 * seed the chunking; the rest is the stream. The stream is framed
 *  - whole (one input),
 *  - in chunks of pseudo-random sizes (each chunk in its own exact-size
 *    heap copy, freed right after use, so ASan catches a span or a
 *    pointer kept into an earlier chunk),
 *  - byte by byte (short streams),
 * and the three event logs (status, flags, offsets, line bytes, and the
 * finish event) must be identical. They must also equal the events of a
 * byte-level model of framing.h written here from the contract alone.
 * Invariants: ev.line equals the stream at ev.offset; offsets increase;
 * ev.status matches the return value; no line is longer than the limit.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/framing.h"

#include "fuzz_util.h"

static void log_event(blog *b, int r, size_t offset, size_t err_offset,
                      unsigned flags, const char *line, size_t len)
{
    log_num(b, (uint64_t)(int64_t)r);
    log_num(b, offset);
    log_num(b, err_offset);
    log_num(b, flags);
    log_num(b, len);
    log_put(b, line, len);
}

/* ---- the framer under test ---- */

typedef struct run {
    const char *stream; /* the whole stream, for the content invariant */
    size_t len;
    size_t max;
    mw_newline_policy policy;
    uint32_t seed; /* the chunking */
    size_t span;
    size_t last_off;
    int have_last;
    blog log;
} run;

static void check_event(run *t, int r, const mw__line_ev *ev)
{
    CHECK(ev->status == (r == 1 ? MW_OK : r));
    CHECK(ev->offset <= t->len);
    CHECK(ev->line.len <= t->len - ev->offset);
    /* The line is the stream's bytes at its offset. */
    CHECK(ev->line.len == 0 ||
          memcmp(ev->line.ptr, t->stream + ev->offset, ev->line.len) == 0);
    CHECK(ev->err_offset >= ev->offset && ev->err_offset <= t->len);
    if (r == MW_E_INCOMPLETE)
        CHECK(ev->line.len <= t->max + 1);
    else
        CHECK(ev->line.len <= t->max);
    if (r == MW_E_TOO_LONG) {
        CHECK(ev->flags == MW__LINE_TOO_LONG);
        CHECK(ev->line.len == t->max && ev->err_offset == ev->offset);
    }
    if (t->have_last)
        CHECK(ev->offset > t->last_off);
    t->last_off = ev->offset;
    t->have_last = 1;
    log_event(&t->log, r, ev->offset, ev->err_offset, ev->flags,
              ev->line.ptr, ev->line.len);
}

/* Feed one input to the framer and log every line it yields. */
static void feed(run *t, mw_line *l, const char *in, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        size_t used = (size_t)-1;
        mw__line_ev ev;
        int r = mw__line_next(l, in + pos, len - pos, &used, &ev);
        CHECK(used <= len - pos);
        pos += used;
        if (r == 0) {
            CHECK(pos == len);
            break;
        }
        CHECK(r == 1 || r == MW_E_TOO_LONG || r == MW_E_BARE_LF ||
              r == MW_E_BARE_CR || r == MW_E_NUL);
        check_event(t, r, &ev);
    }
}

static void finish(run *t, mw_line *l)
{
    mw__line_ev ev;
    int r = mw__line_finish(l, &ev);
    CHECK(r == 0 || r == 1 || r == MW_E_INCOMPLETE || r == MW_E_BARE_CR ||
          r == MW_E_NUL || r == MW_E_BARE_LF);
    if (r != 0)
        check_event(t, r, &ev);
    CHECK(mw__line_held(l) == 0);
    CHECK(mw__line_offset(l) == t->len);
    log_num(&t->log, 0xE0F);
}

/* Frame the stream in the given chunking mode (fuzz_util.h) into *log. */
static void frame(void *user, int mode, blog *log)
{
    run *t = user;
    mw_line l;
    char *buf = malloc(MW_LINE_BUFSIZE(t->max));
    fz_chunks ck;

    CHECK(buf != NULL);
    CHECK(mw__line_init(&l, buf, MW_LINE_BUFSIZE(t->max), t->max,
                        t->policy) == MW_OK);
    t->have_last = 0;
    memset(&t->log, 0, sizeof t->log);
    fz_chunks_start(&ck, t->stream, t->len, mode, t->seed, t->span);
    while (fz_chunks_next(&ck))
        feed(t, &l, ck.p, ck.n);
    finish(t, &l);
    free(buf);
    *log = t->log;
}

/* ---- the model: framing.h's rules, byte level ---- */

static void model_line(run *t, blog *b, size_t start, size_t n, unsigned end,
                       size_t end_off)
{
    const char *c = t->stream + start;
    unsigned flags = end;
    size_t i, nul = (size_t)-1, cr = (size_t)-1;
    int bare_lf = 0, status = MW_OK;
    size_t err = start;

    if (n > t->max) {
        log_event(b, MW_E_TOO_LONG, start, start, MW__LINE_TOO_LONG, c,
                  t->max);
        return;
    }
    for (i = 0; i < n; i++) {
        if (c[i] == '\0' && nul == (size_t)-1)
            nul = i;
        if (c[i] == '\r' && cr == (size_t)-1)
            cr = i;
        if (c[i] == '\n')
            bare_lf = 1;
    }
    if (nul != (size_t)-1)
        flags |= MW__LINE_NUL;
    if (cr != (size_t)-1)
        flags |= MW__LINE_BARE_CR;
    if (bare_lf)
        flags |= MW__LINE_BARE_LF;
    if (t->policy == MW_NEWLINE_REJECT && end == MW__LINE_LF) {
        status = MW_E_BARE_LF;
        err = end_off;
    } else if (t->policy == MW_NEWLINE_REJECT && cr != (size_t)-1) {
        status = MW_E_BARE_CR;
        err = start + cr;
    } else if (nul != (size_t)-1) {
        status = MW_E_NUL;
        err = start + nul;
    }
    log_event(b, status == MW_OK ? 1 : status, start, err, flags, c, n);
}

static void model(run *t, blog *b)
{
    const char *s = t->stream;
    size_t n = t->len, start = 0, i = 0;

    while (i < n) {
        char c = s[i];
        if (t->policy == MW_NEWLINE_ACCEPT) {
            if (c == '\n') {
                model_line(t, b, start, i - start, MW__LINE_LF, i);
                start = i + 1;
            } else if (c == '\r') {
                if (i + 1 < n && s[i + 1] == '\n') {
                    model_line(t, b, start, i - start, MW__LINE_CRLF, i + 1);
                    i++;
                } else {
                    model_line(t, b, start, i - start, MW__LINE_CR, i);
                }
                start = i + 1;
            }
        } else if (c == '\n') {
            if (i > start && s[i - 1] == '\r') {
                model_line(t, b, start, i - 1 - start, MW__LINE_CRLF, i);
                start = i + 1;
            } else if (t->policy == MW_NEWLINE_REJECT) {
                model_line(t, b, start, i - start, MW__LINE_LF, i);
                start = i + 1;
            }
        }
        i++;
    }
    if (start < n) {
        /* An unterminated tail: over-long once max + 2 bytes are seen
         * without a line end, else handed back whole at finish. */
        if (n - start >= t->max + 2)
            log_event(b, MW_E_TOO_LONG, start, start, MW__LINE_TOO_LONG,
                      s + start, t->max);
        else
            log_event(b, MW_E_INCOMPLETE, start, n, 0, s + start,
                      n - start);
    }
    log_num(b, 0xE0F);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t maxes[8] = {0, 1, 2, 3, 4, 998, 510, 62};
    run t;
    blog whole, ref;

    if (size < 4)
        return 0;
    memset(&t, 0, sizeof t);
    t.policy = (mw_newline_policy)(data[0] % 3);
    t.max = data[1] < 0xC0 ? (size_t)data[1] % 40 : maxes[data[1] & 7];
    t.seed = (uint32_t)data[2] << 8 | data[3];
    t.span = 1 + (size_t)(data[0] >> 2) % (t.max + 4);
    t.stream = (const char *)data + 4;
    t.len = size - 4;

    whole = fz_each_mode(frame, &t, t.len, 512);
    memset(&ref, 0, sizeof ref);
    model(&t, &ref);
    log_must_eq(&whole, &ref, "whole vs model");
    log_free(&ref);
    log_free(&whole);
    return 0;
}
