/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the streaming header splitter
 * (include/mailwire/hdr_split.h).
 *
 * Input:
 *   byte 0  bit 0 MW_HDR_MBOX_FROM, bit 1 MW_HDR_LENIENT_LINES, bit 2 small
 *           limits (from bytes 1-2, to reach every cap), bit 3 callbacks
 *           pause now and then, bit 4 one callback aborts, bits 5-7 the
 *           largest chunk size;
 *   byte 1  max_line (low 5 bits) and max_field (high 3 bits), small mode;
 *           otherwise bit 0 keeps the default max_field (else 4100, more
 *           than any input, for a smaller buffer);
 *   byte 2  max_fields (low 4 bits) and max_header (high 4 bits), small;
 *   bytes 3-4 seed of the chunking, the pauses and the abort;
 *   the rest is the message.
 *
 * The message is fed whole, in pseudo-random chunks and (when short) byte by
 * byte; every chunk is an exact-size heap copy freed as soon as the feed
 * returns, so a span or a pointer kept into an old chunk is caught by ASan,
 * and the buffer is an exact-size heap block too. Paused feeds are resumed
 * at `in + consumed`. The logs (every field's name, raw and value bytes,
 * offset and flags; every defect's code, kind, offset, bytes and reason; the
 * end offset; the final status, error offset and bytes consumed) must be
 * identical, also after mw_hdr_parser_reset().
 *
 * Invariants checked on each event: every span lies in the current chunk
 * or in the parser's buffer; name and raw share memory and are the
 * message's bytes at the field's offset; value is raw unfolded and trimmed
 * (a model here), a sub-span of raw unless it had to be unfolded; the
 * 8BIT, NUL, BARE_CR, BAD_UTF8, OBS_WSP, FOLDED and MBOX_FROM flags agree
 * with the bytes; defects' codes agree with their kinds; offsets increase;
 * the body offset is within the message and equals the bytes consumed at
 * MW_DONE.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/codec.h"
#include "mailwire/hdr_split.h"

#include "fuzz_util.h"

static void log_span(blog *b, mw_span s)
{
    log_text(b, s.ptr, s.len);
}

/* ---- one run of the splitter ---- */

typedef struct ctx {
    const char *msg; /* the whole message, for content checks */
    size_t len;
    const char *chunk; /* the chunk being fed */
    size_t chunk_len;
    const char *buf; /* the parser's buffer */
    size_t buflen;
    unsigned cfg_flags;
    int pauses;       /* callbacks pause now and then */
    size_t abort_at;  /* event index whose callback aborts, or SIZE_MAX */
    uint32_t seed;
    size_t events;
    size_t last_field; /* offset of the last field, or SIZE_MAX */
    size_t ended;      /* end events seen */
    blog log;
    const mw_hdr_config *cfg;
    size_t span;       /* the chunking */
} ctx;

static int in_mem(const ctx *c, mw_span s, const char *base, size_t n)
{
    (void)c;
    return s.len == 0 ||
           (s.ptr >= base && s.len <= n && (size_t)(s.ptr - base) <= n - s.len);
}

/* 1: in the chunk, 2: in the buffer; aborts otherwise. */
static int where(const ctx *c, mw_span s)
{
    if (s.len == 0)
        return 0;
    if (c->chunk != NULL && in_mem(c, s, c->chunk, c->chunk_len))
        return 1;
    if (in_mem(c, s, c->buf, c->buflen))
        return 2;
    fprintf(stderr, "span outside the chunk and the buffer\n");
    abort();
}

static int cb_answer(ctx *c)
{
    size_t i = c->events++;
    if (i == c->abort_at)
        return -1;
    if (c->pauses && ((i * 2654435761u + c->seed) & 0x100u))
        return MW_PAUSED;
    return 0;
}

static int is_wsp(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* RFC 5322 §2.2.3 unfolding of raw (every LF in raw ends a line, with the
 * CR before it) and trimming of SP/HTAB. */
static size_t value_model(mw_span raw, char *out)
{
    size_t i, o = 0, a = 0, b;
    for (i = 0; i < raw.len; i++) {
        if (raw.ptr[i] == '\n') {
            if (o > 0 && raw.ptr[i - 1] == '\r' && out[o - 1] == '\r')
                o--;
            continue;
        }
        out[o++] = raw.ptr[i];
    }
    b = o;
    while (a < b && is_wsp(out[a]))
        a++;
    while (b > a && is_wsp(out[b - 1]))
        b--;
    memmove(out, out + a, b - a);
    return b - a;
}

static int has_bare_cr(mw_span s)
{
    size_t i;
    for (i = 0; i < s.len; i++)
        if (s.ptr[i] == '\r' && (i + 1 == s.len || s.ptr[i + 1] != '\n'))
            return 1;
    return 0;
}

static int on_field(mw_hdr_parser *p, void *user, const mw_hdr_field *f)
{
    ctx *c = (ctx *)user;
    int wn = where(c, f->name), wr = where(c, f->raw), wv = where(c, f->value);
    size_t gap, i;
    int hi = 0, nul = 0;
    char *model;
    size_t mlen;

    (void)p;
    CHECK(f->name.len > 0);
    CHECK(wr == 0 || wr == wn);
    CHECK(f->offset <= c->len && f->name.len <= c->len - f->offset);
    CHECK(memcmp(f->name.ptr, c->msg + f->offset, f->name.len) == 0);
    /* raw follows the name (and the optional WSP and the colon) in the
     * same memory */
    CHECK(f->raw.len == 0 || f->raw.ptr >= f->name.ptr + f->name.len);
    gap = f->raw.len ? (size_t)(f->raw.ptr - f->name.ptr) : 0;
    if (f->raw.len) {
        CHECK(gap <= c->len - f->offset &&
              f->raw.len <= c->len - f->offset - gap);
        CHECK(memcmp(f->raw.ptr, c->msg + f->offset + gap, f->raw.len) == 0);
    }
    if (f->flags & MW_HDR_F_MBOX_FROM) {
        CHECK(c->cfg_flags & MW_HDR_MBOX_FROM);
        CHECK(f->offset == 0 && f->name.len == 5 &&
              memcmp(f->name.ptr, "From ", 5) == 0);
    } else {
        for (i = 0; i < f->name.len; i++) {
            unsigned char ch = (unsigned char)f->name.ptr[i];
            CHECK(ch >= 33 && ch <= 126 && ch != ':');
        }
        if (f->raw.len) {
            CHECK(f->raw.ptr[-1] == ':');
            CHECK(((f->flags & MW_HDR_F_OBS_WSP) != 0) ==
                  (gap > f->name.len + 1));
        }
    }
    /* value: raw unfolded and trimmed */
    model = malloc(f->raw.len ? f->raw.len : 1);
    CHECK(model != NULL);
    mlen = value_model(f->raw, model);
    if (mlen != f->value.len || memcmp(model, f->value.ptr, mlen) != 0) {
        fprintf(stderr, "field value is not raw unfolded and trimmed\n");
        abort();
    }
    free(model);
    if (!span_in(f->value, f->raw))
        CHECK(wv == 2 && memchr(f->raw.ptr, '\n', f->raw.len) != NULL);
    /* flags from the bytes */
    for (i = 0; i < f->raw.len; i++) {
        unsigned char ch = (unsigned char)f->raw.ptr[i];
        hi |= ch >= 0x80;
        nul |= ch == 0;
    }
    CHECK(((f->flags & MW_HDR_F_8BIT) != 0) == hi);
    CHECK(((f->flags & MW_HDR_F_NUL) != 0) == nul);
    CHECK(((f->flags & MW_HDR_F_BARE_CR) != 0) == has_bare_cr(f->raw));
    CHECK(((f->flags & MW_HDR_F_BAD_UTF8) != 0) ==
          (hi && mw_utf8_check(f->raw.ptr, f->raw.len, NULL) != MW_OK));
    CHECK(((f->flags & MW_HDR_F_FOLDED) != 0) ==
          (f->raw.len > 0 && memchr(f->raw.ptr, '\n', f->raw.len) != NULL));
    if (f->flags & MW_HDR_F_OBS_FWS)
        CHECK(f->flags & MW_HDR_F_FOLDED);
    if (c->cfg_flags & MW_HDR_LENIENT_LINES)
        CHECK(!(f->flags & MW_HDR_F_LONG_LINE));
    if (c->last_field != (size_t)-1)
        CHECK(f->offset > c->last_field);
    c->last_field = f->offset;
    CHECK(c->ended == 0);

    log_num(&c->log, 'F');
    log_num(&c->log, f->offset);
    log_num(&c->log, f->flags);
    log_span(&c->log, f->name);
    log_span(&c->log, f->raw);
    log_span(&c->log, f->value);
    return cb_answer(c);
}

static int on_defect(mw_hdr_parser *p, void *user, const mw_hdr_defect *d)
{
    ctx *c = (ctx *)user;
    static const int codes[11] = {0,
                                  MW_E_LINE_TOO_LONG,
                                  MW_E_BARE_LF,
                                  MW_E_BARE_CR,
                                  MW_E_NUL,
                                  MW_E_UTF8,
                                  MW_E_INCOMPLETE,
                                  MW_E_FIELD_TOO_LONG,
                                  MW_E_SYNTAX,
                                  MW_E_SYNTAX,
                                  MW_E_SYNTAX};
    mw_error e;

    (void)where(c, d->bytes);
    CHECK(d->kind >= MW_HDR_D_LONG_LINE && d->kind <= MW_HDR_D_CONT_FIRST);
    CHECK(d->code == codes[d->kind]);
    CHECK(d->reason != NULL);
    CHECK(d->offset <= c->len);
    CHECK(c->ended == 0);
    if (d->kind == MW_HDR_D_NO_COLON || d->kind == MW_HDR_D_CONT_FIRST ||
        d->kind == MW_HDR_D_FIELD_TOO_LONG) {
        /* offset is the unit's first byte, bytes the unit's */
        CHECK(d->bytes.len <= c->len - d->offset);
        CHECK(d->bytes.len == 0 ||
              memcmp(d->bytes.ptr, c->msg + d->offset, d->bytes.len) == 0);
    }
    if (d->kind == MW_HDR_D_CONT_FIRST)
        CHECK(d->bytes.len > 0 && is_wsp(d->bytes.ptr[0]));
    if (d->kind == MW_HDR_D_NO_COLON)
        CHECK(d->bytes.len == 0 || memchr(d->bytes.ptr, ':', 1) == NULL);
    /* mw_hdr_parser_error() is allowed inside a callback */
    CHECK(mw_hdr_parser_error(p, &e) == MW_OK);
    CHECK(mw_hdr_parser_feed(p, "x", 1, &(size_t){0}) == MW_E_STATE);
    CHECK(mw_hdr_parser_finish(p) == MW_E_STATE);
    CHECK(mw_hdr_parser_reset(p) == MW_E_STATE);

    log_num(&c->log, 'D');
    log_num(&c->log, (uint64_t)(int64_t)d->code);
    log_num(&c->log, (uint64_t)(int64_t)d->kind);
    log_num(&c->log, d->offset);
    log_span(&c->log, d->bytes);
    log_put(&c->log, d->reason, strlen(d->reason));
    return cb_answer(c);
}

static int on_end(mw_hdr_parser *p, void *user, size_t body)
{
    ctx *c = (ctx *)user;
    (void)p;
    CHECK(body <= c->len);
    if (c->last_field != (size_t)-1)
        CHECK(body > c->last_field);
    c->ended++;
    CHECK(c->ended == 1);
    log_num(&c->log, 'E');
    log_num(&c->log, body);
    return cb_answer(c) < 0 ? -1 : 0;
}

/* Feed the message in the given chunking mode (fuzz_util.h) into *log;
 * the whole message twice: feed, reset, feed again (the second log is
 * kept). */
static void split(void *user, int mode, blog *log)
{
    ctx *c = user;
    const mw_hdr_config *cfg = c->cfg;
    uint32_t seed = c->seed;
    int twice = mode == FZ_WHOLE;
    mw_hdr_parser p;
    mw_hdr_callbacks cb;
    size_t buflen = MW_HDR_BUFLEN(cfg->max_field), total = 0;
    char *buf = malloc(buflen);
    int r = MW_OK, round;
    mw_error e;
    blog first;
    fz_chunks ck;

    CHECK(buf != NULL);
    memset(&cb, 0, sizeof cb);
    cb.field = on_field;
    cb.defect = on_defect;
    cb.end = on_end;
    c->buf = buf;
    c->buflen = buflen;
    CHECK(mw_hdr_parser_init(&p, cfg, &cb, c, buf, buflen) == MW_OK);

    for (round = 0; round < (twice ? 2 : 1); round++) {
        if (round == 1) {
            CHECK(mw_hdr_parser_reset(&p) == MW_OK);
            first = c->log;
            memset(&c->log, 0, sizeof c->log);
        }
        c->events = 0;
        c->last_field = (size_t)-1;
        c->ended = 0;
        total = 0;
        r = MW_OK;
        fz_chunks_start(&ck, c->msg, c->len, mode, seed, c->span);
        while (r == MW_OK && fz_chunks_next(&ck)) {
            size_t at = 0, guard = 0, n = ck.n;
            c->chunk = ck.p;
            c->chunk_len = n;
            for (;;) {
                size_t used = (size_t)-1;
                r = mw_hdr_parser_feed(&p, ck.p + at, n - at, &used);
                CHECK(used <= n - at);
                at += used;
                total += used;
                CHECK(++guard <= n + 2);
                if (r == MW_PAUSED) {
                    CHECK(c->pauses);
                    r = MW_OK;
                    if (at < n)
                        continue;
                    break;
                }
                if (r == MW_OK)
                    CHECK(at == n);
                break;
            }
            c->chunk = NULL;
            c->chunk_len = 0;
        }
        fz_chunks_stop(&ck);
        seed = ck.seed;
        if (r == MW_OK) {
            r = mw_hdr_parser_finish(&p);
            CHECK(r != MW_PAUSED && r != MW_DONE);
            if (r == MW_OK)
                CHECK(c->ended == 1);
        }
        if (r == MW_DONE) {
            /* the header ended: what was consumed is the header */
            CHECK(c->ended == 1);
            CHECK(c->log.n >= 16);
            {
                uint64_t body;
                memcpy(&body, c->log.p + c->log.n - 8, 8);
                CHECK(body == total);
            }
            CHECK(mw_hdr_parser_feed(&p, "x", 1, &(size_t){7}) == MW_DONE);
            CHECK(mw_hdr_parser_finish(&p) == MW_OK);
        } else if (r != MW_OK) {
            CHECK(r == MW_E_TOO_MANY_FIELDS || r == MW_E_HEADER_TOO_LONG ||
                  r == MW_E_CALLBACK);
            CHECK(mw_hdr_parser_finish(&p) == r);
            CHECK(mw_hdr_parser_feed(&p, "x", 1, &(size_t){7}) == r);
        }
        memset(&e, 0, sizeof e);
        CHECK(mw_hdr_parser_error(&p, &e) == (r < 0 ? r : MW_OK));
        CHECK(e.reason != NULL);
        if (r == MW_E_HEADER_TOO_LONG)
            CHECK(e.offset == cfg->max_header && total == cfg->max_header);
        if (r == MW_E_TOO_MANY_FIELDS)
            CHECK(c->events > 0 || cfg->max_fields == 0);
        log_num(&c->log, 'S');
        log_num(&c->log, (uint64_t)(int64_t)r);
        log_num(&c->log, e.offset);
        log_num(&c->log, total);
    }
    if (twice) {
        log_must_eq(&first, &c->log, "before vs after reset");
        free(first.p);
    }
    free(buf);
    *log = c->log;
    memset(&c->log, 0, sizeof c->log);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t spans[8] = {1, 2, 3, 7, 16, 64, 200, 1024};
    mw_hdr_config cfg;
    ctx c;
    blog whole;
    uint32_t seed;

    if (size < 5)
        return 0;
    mw_hdr_config_init(&cfg);
    cfg.flags = data[0] & (MW_HDR_MBOX_FROM | MW_HDR_LENIENT_LINES);
    if (data[0] & 4u) {
        cfg.max_line = data[1] & 0x1Fu;
        cfg.max_field = (size_t)(data[1] >> 5) * 13u;
        cfg.max_fields = data[2] & 0x0Fu;
        cfg.max_header = (size_t)(data[2] >> 4) * 37u;
    } else if (!(data[1] & 1u)) {
        /* Larger than any input, so it behaves like the default but its
         * buffer is 16 times smaller: faster runs. */
        cfg.max_field = 4100;
    }
    seed = (uint32_t)data[3] << 8 | data[4];

    memset(&c, 0, sizeof c);
    c.msg = (const char *)data + 5;
    c.len = size - 5;
    c.cfg_flags = cfg.flags;
    c.pauses = (data[0] & 8u) != 0;
    c.abort_at = (data[0] & 16u) ? seed % 24u : (size_t)-1;
    c.seed = seed;
    c.cfg = &cfg;
    c.span = spans[data[0] >> 5];

    whole = fz_each_mode(split, &c, c.len, 600);
    log_free(&whole);
    return 0;
}
