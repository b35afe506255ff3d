/* SPDX-License-Identifier: MIT */
/*
 * Tests of the streaming RFC 5322 header splitter (hdr_split.h): the
 * messages of RFC 5322 appendix A, the obsolete forms of §4 that concern
 * field boundaries, Python's email test messages (read at test time), every
 * limit at cap-1/cap/cap+1, hostile input, zero-copy guarantees, pausing
 * and aborting from callbacks, and a differential test against a small,
 * deliberately naive reference splitter written here (byte loops, whole
 * input in memory, no streaming), on random messages.
 *
 * Every message also goes through replay_check(): whole, byte by byte and
 * at every split, with an event log holding each field's offset, flags,
 * name, raw and value, each defect with its bytes, errors and the end.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/codec.h"
#include "mailwire/hdr_split.h"

#include "evlog.h"
#include "replay.h"
#include "testdata.h"
#include "reason.h"

/* ------------------------------------------------------------------------
 * Event formatting (shared by the parser's callbacks and the reference).
 * ---------------------------------------------------------------------- */

static const struct {
    unsigned bit;
    const char *name;
} flag_names[] = {
    {MW_HDR_F_FOLDED, "FOLDED"},     {MW_HDR_F_BARE_LF, "BARE_LF"},
    {MW_HDR_F_BARE_CR, "BARE_CR"},   {MW_HDR_F_NUL, "NUL"},
    {MW_HDR_F_8BIT, "8BIT"},         {MW_HDR_F_BAD_UTF8, "BAD_UTF8"},
    {MW_HDR_F_OBS_WSP, "OBS_WSP"},   {MW_HDR_F_OBS_FWS, "OBS_FWS"},
    {MW_HDR_F_LONG_LINE, "LONG_LINE"}, {MW_HDR_F_MBOX_FROM, "MBOX_FROM"},
    {MW_HDR_F_NO_EOL, "NO_EOL"},
};

static const char *kind_name(int kind)
{
    switch (kind) {
    case MW_HDR_D_LONG_LINE: return "LONG_LINE";
    case MW_HDR_D_BARE_LF: return "BARE_LF";
    case MW_HDR_D_BARE_CR: return "BARE_CR";
    case MW_HDR_D_NUL: return "NUL";
    case MW_HDR_D_BAD_UTF8: return "BAD_UTF8";
    case MW_HDR_D_NO_EOL: return "NO_EOL";
    case MW_HDR_D_FIELD_TOO_LONG: return "FIELD_TOO_LONG";
    case MW_HDR_D_NO_COLON: return "NO_COLON";
    case MW_HDR_D_BAD_NAME: return "BAD_NAME";
    case MW_HDR_D_CONT_FIRST: return "CONT_FIRST";
    default: return "?";
    }
}

static void flags_str(unsigned flags, char *out, size_t cap)
{
    size_t i, n = 0;
    out[0] = '\0';
    for (i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++) {
        if (flags & flag_names[i].bit)
            n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? "|" : "",
                                  flag_names[i].name);
    }
    if (flags & ~(unsigned)0x7ffu)
        snprintf(out + n, cap - n, "|UNKNOWN");
    if (n == 0 && out[0] == '\0')
        snprintf(out, cap, "-");
}

static void log_span(evlog *log, const char *tag, const char *p, size_t n)
{
    evlog_escaped(log, tag, strlen(tag));
    evlog_escaped(log, p, n);
    evlog_printf(log, "%s", "");
}

static void log_field(evlog *log, size_t off, unsigned flags, const char *name,
                      size_t name_len, const char *raw, size_t raw_len,
                      const char *value, size_t value_len)
{
    char fl[256];
    flags_str(flags, fl, sizeof fl);
    evlog_printf(log, "field @%zu %s", off, fl);
    log_span(log, "  name=", name, name_len);
    log_span(log, "  raw=", raw, raw_len);
    log_span(log, "  value=", value, value_len);
}

static void log_defect(evlog *log, int kind, int code, size_t off,
                       const char *bytes, size_t n)
{
    evlog_printf(log, "defect %s %s @%zu", kind_name(kind),
                 mw_status_name(code), off);
    log_span(log, "  bytes=", bytes, n);
}

/* ------------------------------------------------------------------------
 * Test context: a parser, its buffer, what the callbacks do and record.
 * ---------------------------------------------------------------------- */

typedef struct rec {
    char type; /* 'F' field, 'D' defect, 'E' end */
    int kind, code;
    size_t offset;
    unsigned flags;
    char *name, *raw, *value, *bytes;
    size_t name_len, raw_len, value_len, bytes_len;
    int name_in_chunk, value_in_raw, value_in_buf;
} rec;

typedef struct tctx {
    mw_hdr_parser p;
    mw_hdr_config cfg;
    char *buf;
    size_t buflen;
    evlog *log; /* may be NULL */
    rec *recs;
    size_t nrecs, caprecs;
    int collect;
    int pause_fields, pause_defects; /* return MW_PAUSED from these */
    long abort_at;                   /* abort at this callback, -1: never */
    long ncb;                        /* callbacks so far */
    int reenter;                     /* the first field callback re-enters */
    int reenter_rc[3];
    const char *chunk; /* chunk being fed, for zero-copy checks */
    size_t chunk_len;
} tctx;

static char *dup_bytes(const char *p, size_t n)
{
    char *d = malloc(n + 1);
    assert_non_null(d);
    if (n)
        memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

static void recs_clear(tctx *t)
{
    size_t i;
    for (i = 0; i < t->nrecs; i++) {
        free(t->recs[i].name);
        free(t->recs[i].raw);
        free(t->recs[i].value);
        free(t->recs[i].bytes);
    }
    t->nrecs = 0;
}

static rec *recs_add(tctx *t, char type)
{
    rec *r;
    if (t->nrecs == t->caprecs) {
        t->caprecs = t->caprecs ? t->caprecs * 2 : 64;
        t->recs = realloc(t->recs, t->caprecs * sizeof(*t->recs));
        assert_non_null(t->recs);
    }
    r = &t->recs[t->nrecs++];
    memset(r, 0, sizeof(*r));
    r->type = type;
    return r;
}

static int within(const char *p, size_t n, const char *base, size_t len)
{
    uintptr_t a = (uintptr_t)p, b = (uintptr_t)base;
    return base != NULL && a >= b && a + n <= b + len;
}

static int is_wsp_c(char c)
{
    return c == ' ' || c == '\t';
}

/* Unfold and trim, written from RFC 5322 §2.2.3 independently of the
 * library: drop every CRLF or LF that is followed by SP/HTAB, then strip
 * SP/HTAB at both ends. Returns a malloc'd copy. */
static char *naive_unfold(const char *raw, size_t n, size_t *out_len)
{
    char *o = malloc(n + 1);
    size_t i, k = 0, a = 0, b;
    assert_non_null(o);
    for (i = 0; i < n; i++) {
        if (raw[i] == '\r' && i + 2 < n && raw[i + 1] == '\n'
            && is_wsp_c(raw[i + 2])) {
            i++; /* skip CR and LF */
            continue;
        }
        if (raw[i] == '\n' && i + 1 < n && is_wsp_c(raw[i + 1]))
            continue;
        o[k++] = raw[i];
    }
    while (a < k && is_wsp_c(o[a]))
        a++;
    b = k;
    while (b > a && is_wsp_c(o[b - 1]))
        b--;
    memmove(o, o + a, b - a);
    *out_len = b - a;
    o[b - a] = '\0';
    return o;
}

static int outcome(tctx *t, int pause)
{
    long n = t->ncb++;
    if (t->abort_at >= 0 && n == t->abort_at)
        return -1;
    return pause ? MW_PAUSED : 0;
}

/* Invariants every field must satisfy, whatever the input. */
static void check_field(tctx *t, const mw_hdr_field *f)
{
    size_t i, vlen;
    char *v;
    int in_chunk, in_buf;

    assert_true(f->name.len > 0);
    assert_non_null(f->name.ptr);
    if (f->flags & MW_HDR_F_MBOX_FROM) {
        assert_int_equal(f->name.len, 5);
        assert_memory_equal(f->name.ptr, "From ", 5);
        assert_ptr_equal(f->raw.ptr, f->name.ptr + 5);
    } else {
        const char *q = f->name.ptr + f->name.len;
        for (i = 0; i < f->name.len; i++) {
            unsigned char c = (unsigned char)f->name.ptr[i];
            assert_true(c >= 33 && c <= 126 && c != ':');
        }
        while (is_wsp_c(*q))
            q++;
        assert_int_equal(*q, ':');
        assert_ptr_equal(f->raw.ptr, q + 1);
        assert_int_equal((q != f->name.ptr + f->name.len),
                         (f->flags & MW_HDR_F_OBS_WSP) != 0);
    }
    /* value: the independent unfolding of raw */
    v = naive_unfold(f->raw.ptr, f->raw.len, &vlen);
    assert_int_equal(vlen, f->value.len);
    if (vlen)
        assert_memory_equal(v, f->value.ptr, vlen);
    free(v);
    /* flags that can be read off raw */
    assert_int_equal(memchr(f->raw.ptr, '\n', f->raw.len) != NULL,
                     (f->flags & MW_HDR_F_FOLDED) != 0);
    {
        int nul = 0, hi = 0;
        for (i = 0; i < f->raw.len; i++) {
            unsigned char c = (unsigned char)f->raw.ptr[i];
            nul |= c == 0;
            hi |= c >= 0x80;
        }
        assert_int_equal(nul, (f->flags & MW_HDR_F_NUL) != 0);
        assert_int_equal(hi, (f->flags & MW_HDR_F_8BIT) != 0);
        if (!hi)
            assert_false(f->flags & MW_HDR_F_BAD_UTF8);
        else
            assert_int_equal(mw_utf8_check(f->raw.ptr, f->raw.len, NULL) != MW_OK,
                             (f->flags & MW_HDR_F_BAD_UTF8) != 0);
    }
    /* memory: name and raw in the chunk fed or in the parser's buffer;
     * value in raw (when it needs no unfolding) or in the buffer */
    in_chunk = within(f->name.ptr, f->name.len + 1 + f->raw.len, t->chunk,
                      t->chunk_len)
               || within(f->raw.ptr, f->raw.len, t->chunk, t->chunk_len);
    in_buf = within(f->name.ptr, f->name.len, t->buf, t->buflen)
             && within(f->raw.ptr, f->raw.len, t->buf, t->buflen);
    assert_true(in_chunk || in_buf);
    if (f->value.len > 0) {
        int v_raw = within(f->value.ptr, f->value.len, f->raw.ptr, f->raw.len);
        int v_buf = within(f->value.ptr, f->value.len, t->buf, t->buflen);
        assert_true(v_raw || v_buf);
        /* an unfolded field's value is never copied */
        if (!(f->flags & MW_HDR_F_FOLDED))
            assert_true(v_raw);
    }
}

static int on_field(mw_hdr_parser *p, void *user, const mw_hdr_field *f)
{
    tctx *t = user;
    (void)p;
    check_field(t, f);
    if (t->reenter) {
        size_t used = 99;
        t->reenter = 0;
        t->reenter_rc[0] = mw_hdr_parser_feed(p, "x", 1, &used);
        t->reenter_rc[1] = mw_hdr_parser_finish(p);
        t->reenter_rc[2] = mw_hdr_parser_reset(p);
        assert_int_equal(used, 0);
    }
    if (t->log)
        log_field(t->log, f->offset, f->flags, f->name.ptr, f->name.len,
                  f->raw.ptr, f->raw.len, f->value.ptr, f->value.len);
    if (t->collect) {
        rec *r = recs_add(t, 'F');
        r->offset = f->offset;
        r->flags = f->flags;
        r->name = dup_bytes(f->name.ptr, f->name.len);
        r->name_len = f->name.len;
        r->raw = dup_bytes(f->raw.ptr, f->raw.len);
        r->raw_len = f->raw.len;
        r->value = dup_bytes(f->value.ptr, f->value.len);
        r->value_len = f->value.len;
        r->name_in_chunk = within(f->name.ptr, f->name.len, t->chunk,
                                  t->chunk_len);
        r->value_in_raw = within(f->value.ptr, f->value.len, f->raw.ptr,
                                 f->raw.len);
        r->value_in_buf = within(f->value.ptr, f->value.len, t->buf,
                                 t->buflen);
    }
    return outcome(t, t->pause_fields);
}

static int on_defect(mw_hdr_parser *p, void *user, const mw_hdr_defect *d)
{
    tctx *t = user;
    (void)p;
    assert_reason_given(d->reason);
    if (t->log)
        log_defect(t->log, d->kind, d->code, d->offset, d->bytes.ptr,
                   d->bytes.len);
    if (t->collect) {
        rec *r = recs_add(t, 'D');
        r->kind = d->kind;
        r->code = d->code;
        r->offset = d->offset;
        r->bytes = dup_bytes(d->bytes.ptr, d->bytes.len);
        r->bytes_len = d->bytes.len;
    }
    return outcome(t, t->pause_defects);
}

static int on_end(mw_hdr_parser *p, void *user, size_t body)
{
    tctx *t = user;
    (void)p;
    if (t->log)
        evlog_printf(t->log, "end body=%zu", body);
    if (t->collect) {
        rec *r = recs_add(t, 'E');
        r->offset = body;
    }
    return outcome(t, t->pause_fields);
}

static const mw_hdr_callbacks all_cbs = {on_field, on_defect, on_end};

static void ctx_init(tctx *t, const mw_hdr_config *cfg)
{
    memset(t, 0, sizeof(*t));
    if (cfg)
        t->cfg = *cfg;
    else
        mw_hdr_config_init(&t->cfg);
    t->buflen = MW_HDR_BUFLEN(t->cfg.max_field);
    t->buf = malloc(t->buflen);
    assert_non_null(t->buf);
    t->abort_at = -1;
}

static void ctx_free(tctx *t)
{
    recs_clear(t);
    free(t->recs);
    free(t->buf);
    t->recs = NULL;
    t->buf = NULL;
}

static void ctx_start(tctx *t)
{
    recs_clear(t);
    t->ncb = 0;
    assert_int_equal(mw_hdr_parser_init(&t->p, &t->cfg, &all_cbs, t, t->buf,
                                        t->buflen),
                     MW_OK);
}

static void log_error(tctx *t, int r)
{
    mw_error e;
    assert_int_equal(mw_hdr_parser_error(&t->p, &e), r);
    assert_int_equal(e.code, r);
    assert_non_null(e.reason);
    if (t->log)
        evlog_printf(t->log, "error %s @%zu", mw_status_name(e.code),
                     e.offset);
}

/* replay_ops for replay.h */
static void r_reset(void *ctx, evlog *log)
{
    tctx *t = ctx;
    t->log = log;
    ctx_start(t);
}

static int r_feed(void *ctx, const char *p, size_t n, size_t *consumed)
{
    tctx *t = ctx;
    int r;
    t->chunk = p;
    t->chunk_len = n;
    r = mw_hdr_parser_feed(&t->p, p, n, consumed);
    t->chunk = NULL;
    t->chunk_len = 0;
    assert_true(*consumed <= n);
    if (r == MW_OK)
        assert_int_equal(*consumed, n);
    if (r < 0) {
        log_error(t, r);
        /* The parser has stopped for good; how far into this chunk it got
         * depends on the chunking, the error offset does not. */
        *consumed = 0;
    }
    return r;
}

static int r_finish(void *ctx)
{
    tctx *t = ctx;
    int r = mw_hdr_parser_finish(&t->p);
    if (r < 0)
        log_error(t, r);
    return r;
}

static const replay_ops ops = {r_reset, r_feed, r_finish};

/* feed() with the chunk recorded for the zero-copy checks. */
static int tfeed(tctx *t, const char *in, size_t n, size_t *used)
{
    int r;
    t->chunk = in;
    t->chunk_len = n;
    r = mw_hdr_parser_feed(&t->p, in, n, used);
    t->chunk = NULL;
    t->chunk_len = 0;
    return r;
}

/* Feed the whole input (again after each pause), then finish unless the
 * header ended or an error stopped the parser; log without replay lines.
 * Returns the last status. */
static int drive(tctx *t, const char *in, size_t n, evlog *log)
{
    size_t pos = 0;
    int r = MW_OK;

    t->log = log;
    ctx_start(t);
    while (pos < n) {
        size_t used = 0;
        t->chunk = in + pos;
        t->chunk_len = n - pos;
        r = mw_hdr_parser_feed(&t->p, in + pos, n - pos, &used);
        t->chunk = NULL;
        t->chunk_len = 0;
        pos += used;
        if (r == MW_PAUSED)
            continue;
        if (r == MW_DONE)
            return r;
        if (r < 0) {
            log_error(t, r);
            return r;
        }
        assert_int_equal(pos, n);
    }
    r = mw_hdr_parser_finish(&t->p);
    if (r < 0)
        log_error(t, r);
    return r;
}

/* Collect the events of a whole run into t->recs (and check the replay). */
static int split_check(tctx *t, const char *in, size_t n)
{
    evlog whole;
    int r;

    evlog_init(&whole);
    t->collect = 0;
    replay_check(&ops, t, in, n, &whole);
    evlog_free(&whole);
    t->collect = 1;
    r = drive(t, in, n, NULL);
    t->collect = 0;
    return r;
}

static const rec *nth(const tctx *t, size_t i)
{
    assert_true(i < t->nrecs);
    return &t->recs[i];
}

static void expect_field(const tctx *t, size_t i, const char *name,
                         const char *value, unsigned flags)
{
    const rec *r = nth(t, i);
    assert_int_equal(r->type, 'F');
    assert_string_equal(r->name, name);
    assert_int_equal(r->value_len, strlen(value));
    assert_string_equal(r->value, value);
    assert_int_equal(r->flags, flags);
}

static void expect_defect(const tctx *t, size_t i, int kind, int code,
                          size_t off)
{
    const rec *r = nth(t, i);
    assert_int_equal(r->type, 'D');
    assert_string_equal(kind_name(r->kind), kind_name(kind));
    assert_int_equal(r->code, code);
    assert_int_equal(r->offset, off);
}

static void expect_end(const tctx *t, size_t i, size_t body)
{
    const rec *r = nth(t, i);
    assert_int_equal(r->type, 'E');
    assert_int_equal(r->offset, body);
}

static size_t count_type(const tctx *t, char type)
{
    size_t i, n = 0;
    for (i = 0; i < t->nrecs; i++)
        n += t->recs[i].type == type;
    return n;
}

/* Run a NUL-free string literal through split_check with a fresh parser. */
static int split_str(tctx *t, const char *s)
{
    return split_check(t, s, strlen(s));
}

/* ------------------------------------------------------------------------
 * The reference splitter: the whole input in memory, byte loops, no
 * streaming and no buffer. It follows the contract written in hdr_split.h
 * (not the library's code) and prints the events the parser must give.
 * The header limit is not modelled: callers pass max_header >= length.
 * ---------------------------------------------------------------------- */

typedef struct ref_unit {
    size_t off, n, l1; /* first byte, content length, first line's */
    int eof;           /* the last line had no LF */
    unsigned flags;
    size_t off_long, off_lf, off_cr, off_nul;
} ref_unit;

static void ref_set(ref_unit *u, unsigned bit, size_t *slot, size_t off)
{
    if (!(u->flags & bit)) {
        u->flags |= bit;
        *slot = off;
    }
}

/* One line of a unit: content [ls, ce), its LF (if any) at le. */
static void ref_line(const mw_hdr_config *cfg, const char *in, ref_unit *u,
                     size_t ls, size_t ce, size_t le, int has_lf, int first)
{
    size_t i;
    if (!first) {
        int all = 1;
        u->flags |= MW_HDR_F_FOLDED;
        for (i = ls; i < ce; i++)
            if (!is_wsp_c(in[i]))
                all = 0;
        if (all)
            u->flags |= MW_HDR_F_OBS_FWS;
    }
    if (has_lf && ce == le)
        ref_set(u, MW_HDR_F_BARE_LF, &u->off_lf, le);
    if (ce - ls > cfg->max_line && !(cfg->flags & MW_HDR_LENIENT_LINES))
        ref_set(u, MW_HDR_F_LONG_LINE, &u->off_long, ls);
    for (i = ls; i < ce; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == 0)
            ref_set(u, MW_HDR_F_NUL, &u->off_nul, i);
        else if (c == '\r')
            ref_set(u, MW_HDR_F_BARE_CR, &u->off_cr, i);
        else if (c >= 0x80)
            u->flags |= MW_HDR_F_8BIT;
    }
}

/* 1*ftext *WSP ":" within the first line; *stop = where the scan ended. */
static int ref_shape(const char *s, size_t l1, size_t *name_len, size_t *stop)
{
    size_t i = 0, k;
    while (i < l1 && (unsigned char)s[i] > 32 && (unsigned char)s[i] < 127
           && s[i] != ':')
        i++;
    k = i;
    while (i < l1 && is_wsp_c(s[i]))
        i++;
    *name_len = k;
    *stop = i;
    return k > 0 && i < l1 && s[i] == ':';
}

static int ref_is_mbox(const mw_hdr_config *cfg, const char *in,
                       const ref_unit *u)
{
    size_t k, c;
    return u->off == 0 && (cfg->flags & MW_HDR_MBOX_FROM) && u->l1 >= 5
           && memcmp(in, "From ", 5) == 0 && !ref_shape(in, u->l1, &k, &c);
}

static void ref_run(const mw_hdr_config *cfg, const char *in, size_t n,
                    evlog *log)
{
    size_t pos = 0, nunits = 0, cap = 16, body = n, nfields = 0, i;
    size_t blank_lf = (size_t)-1;
    ref_unit *units = malloc(cap * sizeof(*units));
    int open = 0;

    assert_non_null(units);
    /* 1. cut into lines and units */
    while (pos < n) {
        size_t le = pos, ce, next;
        int has_lf;
        ref_unit *u;
        while (le < n && in[le] != '\n')
            le++;
        has_lf = le < n;
        ce = le;
        if (has_lf && ce > pos && in[ce - 1] == '\r')
            ce--;
        next = has_lf ? le + 1 : n;
        if (has_lf && ce == pos) { /* the empty line */
            body = next;
            if (le == pos)
                blank_lf = le;
            break;
        }
        if (open && is_wsp_c(in[pos])) {
            u = &units[nunits - 1];
            ref_line(cfg, in, u, pos, ce, le, has_lf, 0);
        } else {
            if (nunits == cap) {
                cap *= 2;
                units = realloc(units, cap * sizeof(*units));
                assert_non_null(units);
            }
            u = &units[nunits++];
            memset(u, 0, sizeof(*u));
            u->off = pos;
            u->l1 = ce - pos;
            ref_line(cfg, in, u, pos, ce, le, has_lf, 1);
            open = 1;
            /* the mbox line takes no continuation (unless dropped) */
            if (u->l1 <= cfg->max_field && ref_is_mbox(cfg, in, u))
                open = 0;
        }
        u->n = ce - u->off;
        u->eof = !has_lf;
        pos = next;
    }
    /* 2. classify and report each unit */
    for (i = 0; i < nunits; i++) {
        ref_unit *u = &units[i];
        const char *s = in + u->off, *raw;
        size_t k, c, name_len, raw_off, raw_len, bad = 0, vlen;
        unsigned fl = u->flags;
        char *v;
        if (u->n > cfg->max_field) {
            log_defect(log, MW_HDR_D_FIELD_TOO_LONG, MW_E_FIELD_TOO_LONG,
                       u->off, s, cfg->max_field);
            continue;
        }
        if (is_wsp_c(s[0])) {
            log_defect(log, MW_HDR_D_CONT_FIRST, MW_E_SYNTAX, u->off, s, u->n);
            continue;
        }
        if (ref_shape(s, u->l1, &k, &c)) {
            name_len = k;
            raw_off = c + 1;
            if (c > k)
                fl |= MW_HDR_F_OBS_WSP;
        } else if (ref_is_mbox(cfg, in, u)) {
            name_len = 5;
            raw_off = 5;
            fl |= MW_HDR_F_MBOX_FROM;
        } else if (memchr(s, ':', u->l1) != NULL) {
            log_defect(log, MW_HDR_D_BAD_NAME, MW_E_SYNTAX, u->off + c, s, u->n);
            continue;
        } else {
            log_defect(log, MW_HDR_D_NO_COLON, MW_E_SYNTAX, u->off, s, u->n);
            continue;
        }
        if (nfields == cfg->max_fields) {
            evlog_printf(log, "error %s @%zu", "MW_E_TOO_MANY_FIELDS", u->off);
            free(units);
            return;
        }
        nfields++;
        if (u->eof)
            fl |= MW_HDR_F_NO_EOL;
        raw = s + raw_off;
        raw_len = u->n - raw_off;
        if ((fl & MW_HDR_F_8BIT) && mw_utf8_check(raw, raw_len, &bad) != MW_OK)
            fl |= MW_HDR_F_BAD_UTF8;
        if (fl & MW_HDR_F_LONG_LINE)
            log_defect(log, MW_HDR_D_LONG_LINE, MW_E_LINE_TOO_LONG,
                       u->off_long, s, u->n);
        if (fl & MW_HDR_F_BARE_LF)
            log_defect(log, MW_HDR_D_BARE_LF, MW_E_BARE_LF, u->off_lf, s, u->n);
        if (fl & MW_HDR_F_BARE_CR)
            log_defect(log, MW_HDR_D_BARE_CR, MW_E_BARE_CR, u->off_cr, s, u->n);
        if (fl & MW_HDR_F_NUL)
            log_defect(log, MW_HDR_D_NUL, MW_E_NUL, u->off_nul, s, u->n);
        if (fl & MW_HDR_F_BAD_UTF8)
            log_defect(log, MW_HDR_D_BAD_UTF8, MW_E_UTF8,
                       u->off + raw_off + bad, s, u->n);
        if (fl & MW_HDR_F_NO_EOL)
            log_defect(log, MW_HDR_D_NO_EOL, MW_E_INCOMPLETE, u->off + u->n, s,
                       u->n);
        v = naive_unfold(raw, raw_len, &vlen);
        log_field(log, u->off, fl, s, name_len, raw, raw_len, v, vlen);
        free(v);
    }
    if (blank_lf != (size_t)-1)
        log_defect(log, MW_HDR_D_BARE_LF, MW_E_BARE_LF, blank_lf, "\n", 1);
    evlog_printf(log, "end body=%zu", body);
    free(units);
}

/* The parser's whole-input events must equal the reference's. */
static void check_vs_reference(tctx *t, const char *in, size_t n,
                               const char *what)
{
    evlog got, want;
    evlog_init(&got);
    evlog_init(&want);
    drive(t, in, n, &got);
    ref_run(&t->cfg, in, n, &want);
    if (strcmp(evlog_str(&got), evlog_str(&want)) != 0) {
        print_error("%s: parser and reference disagree\n--- parser:\n%s\n"
                    "--- reference:\n%s\n",
                    what, evlog_str(&got), evlog_str(&want));
        fail();
    }
    evlog_free(&got);
    evlog_free(&want);
}

/* ------------------------------------------------------------------------
 * API basics
 * ---------------------------------------------------------------------- */

static void test_config_and_init(void **state)
{
    mw_hdr_config cfg;
    mw_hdr_parser p;
    char small[16];
    char *buf;
    size_t used = 7;
    mw_error e;
    (void)state;

    mw_hdr_config_init(&cfg);
    assert_int_equal(cfg.max_line, 998); /* RFC 5322 §2.1.1 */
    assert_int_equal(cfg.max_field, MW_HDR_MAX_FIELD);
    assert_int_equal(cfg.max_fields, MW_HDR_MAX_FIELDS);
    assert_int_equal(cfg.max_header, MW_HDR_MAX_HEADER);
    assert_int_equal(cfg.flags, 0);
    assert_int_equal(mw_hdr_parser_sizeof(), sizeof(mw_hdr_parser));
    assert_int_equal(MW_HDR_BUFLEN(10), 22);
    assert_int_equal(MW_HDR_BUFLEN_DEFAULT, 2 * (size_t)MW_HDR_MAX_FIELD + 2);

    buf = malloc(MW_HDR_BUFLEN_DEFAULT);
    assert_non_null(buf);
    assert_int_equal(mw_hdr_parser_init(NULL, NULL, NULL, NULL, buf,
                                        MW_HDR_BUFLEN_DEFAULT), MW_E_INVAL);
    assert_int_equal(mw_hdr_parser_init(&p, NULL, NULL, NULL, NULL,
                                        MW_HDR_BUFLEN_DEFAULT), MW_E_INVAL);
    assert_int_equal(mw_hdr_parser_init(&p, NULL, NULL, NULL, buf,
                                        MW_HDR_BUFLEN_DEFAULT - 1),
                     MW_E_NOSPACE);
    cfg.max_field = 7; /* needs 16 bytes: cap-1, cap */
    assert_int_equal(mw_hdr_parser_init(&p, &cfg, NULL, NULL, small, 15),
                     MW_E_NOSPACE);
    assert_int_equal(mw_hdr_parser_init(&p, &cfg, NULL, NULL, small, 16), MW_OK);
    cfg.flags = 0x80u;
    assert_int_equal(mw_hdr_parser_init(&p, &cfg, NULL, NULL, small, 16),
                     MW_E_INVAL);
    cfg.flags = 0;
    cfg.max_field = SIZE_MAX / 2;
    assert_int_equal(mw_hdr_parser_init(&p, &cfg, NULL, NULL, small, SIZE_MAX),
                     MW_E_INVAL);

    /* no callbacks at all: still splits, still finds the body */
    assert_int_equal(mw_hdr_parser_init(&p, NULL, NULL, NULL, buf,
                                        MW_HDR_BUFLEN_DEFAULT), MW_OK);
    assert_int_equal(mw_hdr_parser_error(&p, &e), MW_OK);
    assert_int_equal(e.code, MW_OK);
    assert_int_equal(e.offset, 0);
    assert_string_equal(e.reason, R_("no error"));
    assert_int_equal(mw_hdr_parser_feed(&p, NULL, 0, &used), MW_OK);
    assert_int_equal(used, 0);
    assert_int_equal(mw_hdr_parser_feed(&p, "A: b\r\n\r\nbody", 12, &used),
                     MW_DONE);
    assert_int_equal(used, 8);
    assert_int_equal(mw_hdr_parser_error(&p, &e), MW_OK);
    assert_int_equal(e.offset, 8);

    /* argument checks */
    assert_int_equal(mw_hdr_parser_feed(NULL, "x", 1, &used), MW_E_INVAL);
    assert_int_equal(mw_hdr_parser_feed(&p, NULL, 1, &used), MW_E_INVAL);
    assert_int_equal(used, 0);
    assert_int_equal(mw_hdr_parser_feed(&p, "x", 1, NULL), MW_E_INVAL);
    assert_int_equal(mw_hdr_parser_finish(NULL), MW_E_INVAL);
    assert_int_equal(mw_hdr_parser_reset(NULL), MW_E_INVAL);
    assert_int_equal(mw_hdr_parser_error(NULL, &e), MW_E_INVAL);
    assert_int_equal(mw_hdr_parser_error(&p, NULL), MW_OK);
    free(buf);
}

/* ------------------------------------------------------------------------
 * RFC 5322 appendix A
 * ---------------------------------------------------------------------- */

typedef struct exp_field {
    const char *name, *value;
    unsigned flags;
} exp_field;

typedef struct appendix_vec {
    const char *file;
    exp_field f[12];
} appendix_vec;

#define FO MW_HDR_F_FOLDED
#define OW MW_HDR_F_OBS_WSP

static const appendix_vec appendix[] = {
    {"a1_1a.eml",
     {{"From", "John Doe <jdoe@machine.example>", 0},
      {"To", "Mary Smith <mary@example.net>", 0},
      {"Subject", "Saying Hello", 0},
      {"Date", "Fri, 21 Nov 1997 09:55:06 -0600", 0},
      {"Message-ID", "<1234@local.machine.example>", 0}}},
    {"a1_1b.eml",
     {{"From", "John Doe <jdoe@machine.example>", 0},
      {"Sender", "Michael Jones <mjones@machine.example>", 0},
      {"To", "Mary Smith <mary@example.net>", 0},
      {"Subject", "Saying Hello", 0},
      {"Date", "Fri, 21 Nov 1997 09:55:06 -0600", 0},
      {"Message-ID", "<1234@local.machine.example>", 0}}},
    {"a1_2.eml",
     {{"From", "\"Joe Q. Public\" <john.q.public@example.com>", 0},
      {"To", "Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>", 0},
      {"Cc", "<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>", 0},
      {"Date", "Tue, 1 Jul 2003 10:52:37 +0200", 0},
      {"Message-ID", "<5678.21-Nov-1997@example.com>", 0}}},
    {"a1_3.eml",
     {{"From", "Pete <pete@silly.example>", 0},
      {"To", "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;", 0},
      {"Cc", "Undisclosed recipients:;", 0},
      {"Date", "Thu, 13 Feb 1969 23:32:54 -0330", 0},
      {"Message-ID", "<testabcd.1234@silly.example>", 0}}},
    {"a2_1.eml",
     {{"From", "John Doe <jdoe@machine.example>", 0},
      {"To", "Mary Smith <mary@example.net>", 0},
      {"Subject", "Saying Hello", 0},
      {"Date", "Fri, 21 Nov 1997 09:55:06 -0600", 0},
      {"Message-ID", "<1234@local.machine.example>", 0}}},
    {"a2_2.eml",
     {{"From", "Mary Smith <mary@example.net>", 0},
      {"To", "John Doe <jdoe@machine.example>", 0},
      {"Reply-To", "\"Mary Smith: Personal Account\" <smith@home.example>", 0},
      {"Subject", "Re: Saying Hello", 0},
      {"Date", "Fri, 21 Nov 1997 10:01:10 -0600", 0},
      {"Message-ID", "<3456@example.net>", 0},
      {"In-Reply-To", "<1234@local.machine.example>", 0},
      {"References", "<1234@local.machine.example>", 0}}},
    {"a2_3.eml",
     {{"To", "\"Mary Smith: Personal Account\" <smith@home.example>", 0},
      {"From", "John Doe <jdoe@machine.example>", 0},
      {"Subject", "Re: Saying Hello", 0},
      {"Date", "Fri, 21 Nov 1997 11:00:00 -0600", 0},
      {"Message-ID", "<abcd.1234@local.machine.test>", 0},
      {"In-Reply-To", "<3456@example.net>", 0},
      {"References", "<1234@local.machine.example> <3456@example.net>", 0}}},
    {"a3.eml",
     {{"Resent-From", "Mary Smith <mary@example.net>", 0},
      {"Resent-To", "Jane Brown <j-brown@other.example>", 0},
      {"Resent-Date", "Mon, 24 Nov 1997 14:22:01 -0800", 0},
      {"Resent-Message-ID", "<78910@example.net>", 0},
      {"From", "John Doe <jdoe@machine.example>", 0},
      {"To", "Mary Smith <mary@example.net>", 0},
      {"Subject", "Saying Hello", 0},
      {"Date", "Fri, 21 Nov 1997 09:55:06 -0600", 0},
      {"Message-ID", "<1234@local.machine.example>", 0}}},
    {"a4.eml",
     {{"Received", "from x.y.test   by example.net   via TCP   with ESMTP   "
                   "id ABC12345   for <mary@example.net>;  21 Nov 1997 "
                   "10:05:43 -0600", FO},
      {"Received", "from node.example by x.y.test; 21 Nov 1997 10:01:22 -0600", 0},
      {"From", "John Doe <jdoe@node.example>", 0},
      {"To", "Mary Smith <mary@example.net>", 0},
      {"Subject", "Saying Hello", 0},
      {"Date", "Fri, 21 Nov 1997 09:55:06 -0600", 0},
      {"Message-ID", "<1234@local.node.example>", 0}}},
    {"a5.eml",
     {{"From", "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>", 0},
      {"To", "A Group(Some people)     :Chris Jones <c@(Chris's host.)public."
             "example>,         joe@example.org,  John <jdoe@one.test> (my "
             "dear friend); (the end of the group)", FO},
      {"Cc", "(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;", 0},
      {"Date", "Thu,      13        Feb          1969      23:32          "
               "     -0330 (Newfoundland Time)", FO},
      {"Message-ID", "<testabcd.1234@silly.test>", 0}}},
    {"a6_1.eml",
     {{"From", "Joe Q. Public <john.q.public@example.com>", 0},
      {"To", "Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example", 0},
      {"Date", "Tue, 1 Jul 2003 10:52:37 +0200", 0},
      {"Message-ID", "<5678.21-Nov-1997@example.com>", 0}}},
    {"a6_2.eml",
     {{"From", "John Doe <jdoe@machine.example>", 0},
      {"To", "Mary Smith <mary@example.net>", 0},
      {"Subject", "Saying Hello", 0},
      {"Date", "21 Nov 97 09:55:06 GMT", 0},
      {"Message-ID", "<1234@local.machine.example>", 0}}},
    {"a6_3.eml",
     {{"From", "John Doe <jdoe@machine(comment).  example>", OW},
      {"To", "Mary Smith            <mary@example.net>",
       OW | FO | MW_HDR_F_OBS_FWS},
      {"Subject", "Saying Hello", OW},
      {"Date", "Fri, 21 Nov 1997 09(comment):   55  :  06 -0600", OW},
      {"Message-ID", "<1234   @   local(blah)  .machine .example>", OW}}},
};

static char *read_vector(const char *name, size_t *len)
{
    char path[256];
    char *data;
    snprintf(path, sizeof path, "tests/vectors/rfc5322/%s", name);
    data = mw_test_read_repo_file(path, len);
    if (data == NULL)
        fail_msg("missing test vector %s", path);
    return data;
}

/* The vectors are CRLF files (RFC 5322 §2.1); a checkout that converted
 * them to LF would make these tests meaningless, so say so. */
static void assert_crlf_only(const char *name, const char *d, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (d[i] == '\n' && (i == 0 || d[i - 1] != '\r'))
            fail_msg("%s: bare LF at %zu (vectors must keep CRLF)", name, i);
}

static size_t find(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle), i;
    for (i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return i;
    return (size_t)-1;
}

static void test_rfc5322_appendix_a(void **state)
{
    size_t v, i;
    (void)state;
    for (v = 0; v < sizeof appendix / sizeof appendix[0]; v++) {
        const appendix_vec *vec = &appendix[v];
        size_t n, nexp = 0, body, off;
        char *d = read_vector(vec->file, &n);
        tctx t;

        assert_crlf_only(vec->file, d, n);
        while (nexp < 12 && vec->f[nexp].name != NULL)
            nexp++;
        body = find(d, n, "\r\n\r\n");
        assert_true(body != (size_t)-1);
        body += 4;

        ctx_init(&t, NULL);
        assert_int_equal(split_check(&t, d, n), MW_DONE);
        assert_int_equal(t.nrecs, nexp + 1); /* no defects */
        off = 0;
        for (i = 0; i < nexp; i++) {
            expect_field(&t, i, vec->f[i].name, vec->f[i].value,
                         vec->f[i].flags);
            /* each field starts where the previous one's line ended */
            assert_int_equal(t.recs[i].offset, off);
            assert_memory_equal(d + off, vec->f[i].name, strlen(vec->f[i].name));
            off = find(d + off, n - off, "\r\n") + off + 2;
            while (d[off] == ' ' || d[off] == '\t')
                off = find(d + off, n - off, "\r\n") + off + 2;
        }
        expect_end(&t, nexp, body);
        assert_int_equal(off + 2, body);
        ctx_free(&t);
        free(d);
    }
}

/* A.6.3 and A.4 in detail: raw keeps every byte, folding included. */
static void test_raw_keeps_folding(void **state)
{
    size_t n;
    char *d;
    tctx t;
    (void)state;

    d = read_vector("a6_3.eml", &n);
    ctx_init(&t, NULL);
    assert_int_equal(split_check(&t, d, n), MW_DONE);
    assert_string_equal(t.recs[0].raw, " John Doe <jdoe@machine(comment).  example>");
    assert_string_equal(t.recs[1].raw,
                        " Mary Smith\r\n  \r\n          <mary@example.net>");
    assert_string_equal(t.recs[2].name, "Subject");
    assert_string_equal(t.recs[2].raw, " Saying Hello");
    ctx_free(&t);
    free(d);

    d = read_vector("a4.eml", &n);
    ctx_init(&t, NULL);
    assert_int_equal(split_check(&t, d, n), MW_DONE);
    assert_string_equal(t.recs[0].raw,
                        " from x.y.test\r\n   by example.net\r\n   via TCP\r\n"
                        "   with ESMTP\r\n   id ABC12345\r\n   for "
                        "<mary@example.net>;  21 Nov 1997 10:05:43 -0600");
    ctx_free(&t);
    free(d);
}

/* ------------------------------------------------------------------------
 * RFC 5322 §4: the obsolete forms that concern field boundaries
 * ---------------------------------------------------------------------- */

static void test_obsolete_forms(void **state)
{
    tctx t;
    (void)state;
    ctx_init(&t, NULL);

    /* §4.5: any amount of WSP between the name and the colon */
    assert_int_equal(split_str(&t, "Subject   :  x\r\nTo\t:y\r\nCc \t :\r\n\r\n"),
                     MW_DONE);
    expect_field(&t, 0, "Subject", "x", OW);
    assert_string_equal(t.recs[0].raw, "  x");
    expect_field(&t, 1, "To", "y", OW);
    expect_field(&t, 2, "Cc", "", OW);
    expect_end(&t, 3, 33);

    /* §4.2 obs-FWS: continuation lines made only of white space */
    assert_int_equal(split_str(&t, "Subject: a\r\n \r\n\t\r\n b\r\n\r\n"), MW_DONE);
    expect_field(&t, 0, "Subject", "a \t b", FO | MW_HDR_F_OBS_FWS);
    assert_string_equal(t.recs[0].raw, " a\r\n \r\n\t\r\n b");
    assert_int_equal(t.nrecs, 2);

    /* ... also at the end of a field: never taken for the empty line */
    assert_int_equal(split_str(&t, "X: a\r\n   \r\nY: b\r\n\r\n"), MW_DONE);
    expect_field(&t, 0, "X", "a", FO | MW_HDR_F_OBS_FWS);
    assert_string_equal(t.recs[0].raw, " a\r\n   ");
    expect_field(&t, 1, "Y", "b", 0);
    assert_int_equal(t.recs[1].offset, 11);

    /* §4.5: fields may repeat and come in any order; none is dropped */
    assert_int_equal(split_str(&t, "To: a\r\nTo: b\r\nDate: x\r\nTo: c\r\n\r\n"),
                     MW_DONE);
    assert_int_equal(count_type(&t, 'F'), 4);
    expect_field(&t, 3, "To", "c", 0);

    /* §4.1 obs-unstruct: NUL, bare CR and control bytes stay in the body */
    assert_int_equal(split_check(&t, "X: a\x01\x7f\rb\0c\r\n\r\n", 14), MW_DONE);
    expect_defect(&t, 0, MW_HDR_D_BARE_CR, MW_E_BARE_CR, 6);
    expect_defect(&t, 1, MW_HDR_D_NUL, MW_E_NUL, 8);
    assert_int_equal(t.recs[2].value_len, 7);
    assert_memory_equal(t.recs[2].value, "a\x01\x7f\rb\0c", 7);
    assert_int_equal(t.recs[2].flags, MW_HDR_F_BARE_CR | MW_HDR_F_NUL);

    /* an empty body, a body of only white space, a folded empty body */
    assert_int_equal(split_str(&t, "A:\r\nB: \t \r\nC:\r\n \r\n\r\n"), MW_DONE);
    expect_field(&t, 0, "A", "", 0);
    expect_field(&t, 1, "B", "", 0);
    assert_string_equal(t.recs[1].raw, " \t ");
    expect_field(&t, 2, "C", "", FO | MW_HDR_F_OBS_FWS);
    ctx_free(&t);
}

/* ------------------------------------------------------------------------
 * Python's email test messages, read at test time
 * ---------------------------------------------------------------------- */

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_python_email_messages(void **state)
{
    const char *dir = mw_test_python_email_dir();
    DIR *dh;
    struct dirent *de;
    char *names[512];
    size_t nn = 0, i, fields = 0;
    (void)state;

    if (dir == NULL || (dh = opendir(dir)) == NULL) {
        print_message("no Python email test data found (set MW_PY_EMAIL_DATA)\n");
        skip();
        return;
    }
    while ((de = readdir(dh)) != NULL && nn < 512) {
        size_t l = strlen(de->d_name);
        if (strncmp(de->d_name, "msg_", 4) == 0 && l > 4
            && strcmp(de->d_name + l - 4, ".txt") == 0)
            names[nn++] = dup_bytes(de->d_name, l);
    }
    closedir(dh);
    qsort(names, nn, sizeof(names[0]), name_cmp);
    if (nn == 0) {
        print_message("no msg_*.txt in %s\n", dir);
        skip();
        return;
    }
    for (i = 0; i < nn; i++) {
        char path[4096];
        size_t n;
        char *d;
        tctx t;
        evlog whole;
        mw_hdr_config cfg;

        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        d = mw_test_read_file(path, &n);
        assert_non_null(d);
        /* default configuration: vs the reference, and every chunking */
        ctx_init(&t, NULL);
        check_vs_reference(&t, d, n, names[i]);
        evlog_init(&whole);
        replay_check(&ops, &t, d, n, &whole);
        evlog_free(&whole);
        t.collect = 1;
        drive(&t, d, n, NULL);
        fields += count_type(&t, 'F');
        assert_int_equal(count_type(&t, 'E'), 1);
        ctx_free(&t);
        /* mbox envelope lines accepted (msg_25, msg_43 start with one) */
        mw_hdr_config_init(&cfg);
        cfg.flags = MW_HDR_MBOX_FROM;
        ctx_init(&t, &cfg);
        check_vs_reference(&t, d, n, names[i]);
        ctx_free(&t);
        free(d);
        free(names[i]);
    }
    print_message("checked %zu Python email messages, %zu fields, in %s\n", nn,
                  fields, dir);
    assert_true(fields > nn);
}

/* ------------------------------------------------------------------------
 * Limits: each at cap-1, cap and cap+1 (every chunking through replay)
 * ---------------------------------------------------------------------- */

static char *make_str(const char *prefix, char fill, size_t count,
                      const char *suffix, size_t *len)
{
    size_t a = strlen(prefix), c = strlen(suffix);
    char *s = malloc(a + count + c + 1);
    assert_non_null(s);
    memcpy(s, prefix, a);
    memset(s + a, fill, count);
    memcpy(s + a + count, suffix, c + 1);
    *len = a + count + c;
    return s;
}

static void test_limit_max_line(void **state)
{
    mw_hdr_config cfg;
    tctx t;
    size_t L, n;
    char *s;
    (void)state;

    mw_hdr_config_init(&cfg);
    cfg.max_line = 20;
    ctx_init(&t, &cfg);
    for (L = 19; L <= 21; L++) {
        /* a first line of L bytes (without CRLF) */
        s = make_str("S: ", 'x', L - 3, "\r\nT: t\r\n\r\n", &n);
        assert_int_equal(split_check(&t, s, n), MW_DONE);
        if (L > 20) {
            expect_defect(&t, 0, MW_HDR_D_LONG_LINE, MW_E_LINE_TOO_LONG, 0);
            assert_int_equal(t.recs[0].bytes_len, L);
            assert_int_equal(t.recs[1].flags, MW_HDR_F_LONG_LINE);
            assert_int_equal(t.recs[1].value_len, L - 3); /* kept whole */
            assert_int_equal(t.recs[2].flags, 0);
        } else {
            assert_int_equal(t.recs[0].type, 'F');
            assert_int_equal(t.recs[0].flags, 0);
        }
        free(s);
        /* a continuation line of L bytes; a bare LF end counts the same */
        s = make_str("S: a\r\n ", 'y', L - 1, "\n\r\n", &n);
        assert_int_equal(split_check(&t, s, n), MW_DONE);
        if (L > 20) {
            expect_defect(&t, 0, MW_HDR_D_LONG_LINE, MW_E_LINE_TOO_LONG, 6);
            expect_defect(&t, 1, MW_HDR_D_BARE_LF, MW_E_BARE_LF, 6 + L);
            assert_int_equal(t.recs[2].flags,
                             FO | MW_HDR_F_LONG_LINE | MW_HDR_F_BARE_LF);
        } else {
            expect_defect(&t, 0, MW_HDR_D_BARE_LF, MW_E_BARE_LF, 6 + L);
            assert_int_equal(t.recs[1].flags, FO | MW_HDR_F_BARE_LF);
        }
        free(s);
    }
    ctx_free(&t);

    /* lenient: no defect, no flag, still bounded by max_field */
    cfg.flags = MW_HDR_LENIENT_LINES;
    ctx_init(&t, &cfg);
    s = make_str("S: ", 'x', 200, "\r\n\r\n", &n);
    assert_int_equal(split_check(&t, s, n), MW_DONE);
    assert_int_equal(t.nrecs, 2);
    assert_int_equal(t.recs[0].flags, 0);
    free(s);
    ctx_free(&t);
}

static void test_limit_max_field(void **state)
{
    mw_hdr_config cfg;
    tctx t;
    size_t L, n;
    char *s;
    (void)state;

    mw_hdr_config_init(&cfg);
    cfg.max_field = 40;
    ctx_init(&t, &cfg);
    for (L = 39; L <= 41; L++) {
        /* one line of L bytes */
        s = make_str("S: ", 'x', L - 3, "\r\nT: t\r\n\r\n", &n);
        assert_int_equal(split_check(&t, s, n), MW_DONE);
        if (L > 40) {
            expect_defect(&t, 0, MW_HDR_D_FIELD_TOO_LONG, MW_E_FIELD_TOO_LONG, 0);
            assert_int_equal(t.recs[0].bytes_len, 40); /* the first max_field */
            assert_memory_equal(t.recs[0].bytes, s, 40);
            expect_field(&t, 1, "T", "t", 0);
            assert_int_equal(t.recs[1].offset, L + 2);
        } else {
            assert_int_equal(t.recs[0].type, 'F');
            assert_int_equal(t.recs[0].raw_len, L - 2);
        }
        expect_end(&t, 2, n);
        free(s);

        /* folded: "S: " + 10 a (13) + CRLF + " " + b's = L content bytes */
        s = make_str("S: aaaaaaaaaa\r\n ", 'b', L - 16, "\r\n\r\n", &n);
        assert_int_equal(split_check(&t, s, n), MW_DONE);
        if (L > 40)
            expect_defect(&t, 0, MW_HDR_D_FIELD_TOO_LONG, MW_E_FIELD_TOO_LONG, 0);
        else
            assert_int_equal(t.recs[0].flags, FO);
        expect_end(&t, 1, n);
        free(s);

        /* folded with bare LF: line ends count as one byte */
        s = make_str("S: aaaaaaaaaa\n ", 'b', L - 15, "\n\n", &n);
        assert_int_equal(split_check(&t, s, n), MW_DONE);
        if (L > 40)
            expect_defect(&t, 0, MW_HDR_D_FIELD_TOO_LONG, MW_E_FIELD_TOO_LONG, 0);
        else
            assert_int_equal(t.recs[1].flags, FO | MW_HDR_F_BARE_LF);
        free(s);

        /* L content bytes whose last is a bare CR: the CR before the
         * final LF belongs to the line end, this one does not */
        s = make_str("S: ", 'x', L - 4, "\r\r\n\r\n", &n);
        assert_int_equal(split_check(&t, s, n), MW_DONE);
        if (L > 40) {
            expect_defect(&t, 0, MW_HDR_D_FIELD_TOO_LONG, MW_E_FIELD_TOO_LONG, 0);
        } else {
            expect_defect(&t, 0, MW_HDR_D_BARE_CR, MW_E_BARE_CR, L - 1);
            assert_int_equal(t.recs[1].raw_len, L - 2);
        }
        free(s);

        /* unterminated at the end of the input (finish) */
        s = make_str("S: ", 'x', L - 3, "", &n);
        assert_int_equal(split_check(&t, s, n), MW_OK);
        if (L > 40) {
            expect_defect(&t, 0, MW_HDR_D_FIELD_TOO_LONG, MW_E_FIELD_TOO_LONG, 0);
            expect_end(&t, 1, n);
        } else {
            expect_defect(&t, 0, MW_HDR_D_NO_EOL, MW_E_INCOMPLETE, n);
            assert_int_equal(t.recs[1].flags, MW_HDR_F_NO_EOL);
            expect_end(&t, 2, n);
        }
        free(s);

        /* a line without a colon is bounded the same way */
        s = make_str("", 'g', L, "\r\nT: t\r\n\r\n", &n);
        assert_int_equal(split_check(&t, s, n), MW_DONE);
        expect_defect(&t, 0, L > 40 ? MW_HDR_D_FIELD_TOO_LONG : MW_HDR_D_NO_COLON,
                      L > 40 ? MW_E_FIELD_TOO_LONG : MW_E_SYNTAX, 0);
        expect_field(&t, 1, "T", "t", 0);
        free(s);
    }
    /* a dropped field swallows its continuation lines, nothing else */
    s = make_str("S: ", 'x', 50, "\r\n more\r\n\tmore\r\nT: t\r\n\r\n", &n);
    assert_int_equal(split_check(&t, s, n), MW_DONE);
    expect_defect(&t, 0, MW_HDR_D_FIELD_TOO_LONG, MW_E_FIELD_TOO_LONG, 0);
    expect_field(&t, 1, "T", "t", 0);
    assert_int_equal(t.nrecs, 3);
    free(s);
    ctx_free(&t);
}

static char *make_fields(size_t count, const char *tail, size_t *len)
{
    size_t cap = count * 16 + strlen(tail) + 1, n = 0, i;
    char *s = malloc(cap);
    assert_non_null(s);
    for (i = 0; i < count; i++)
        n += (size_t)snprintf(s + n, cap - n, "F%zu: %zu\r\n", i % 10, i % 10);
    n += (size_t)snprintf(s + n, cap - n, "%s", tail);
    *len = n;
    return s;
}

static void test_limit_max_fields(void **state)
{
    mw_hdr_config cfg;
    tctx t;
    size_t N, n, used;
    char *s;
    mw_error e;
    (void)state;

    mw_hdr_config_init(&cfg);
    cfg.max_fields = 5;
    ctx_init(&t, &cfg);
    for (N = 4; N <= 6; N++) {
        s = make_fields(N, "\r\nbody", &n);
        if (N <= 5) {
            assert_int_equal(split_check(&t, s, n), MW_DONE);
            assert_int_equal(count_type(&t, 'F'), N);
            expect_end(&t, N, 7 * N + 2);
        } else {
            assert_int_equal(split_check(&t, s, n), MW_E_TOO_MANY_FIELDS);
            assert_int_equal(count_type(&t, 'F'), 5);
            assert_int_equal(count_type(&t, 'E'), 0);
            assert_int_equal(mw_hdr_parser_error(&t.p, &e), MW_E_TOO_MANY_FIELDS);
            assert_int_equal(e.offset, 35); /* the sixth field */
            /* sticky */
            assert_int_equal(tfeed(&t, "X", 1, &used),
                             MW_E_TOO_MANY_FIELDS);
            assert_int_equal(used, 0);
            assert_int_equal(mw_hdr_parser_finish(&t.p), MW_E_TOO_MANY_FIELDS);
            assert_false(mw_is_fatal(MW_E_TOO_MANY_FIELDS));
        }
        free(s);
        /* the last field pending at the end of the input (finish) */
        s = make_fields(N, "", &n);
        assert_int_equal(split_check(&t, s, n),
                         N <= 5 ? MW_OK : MW_E_TOO_MANY_FIELDS);
        assert_int_equal(count_type(&t, 'F'), N <= 5 ? N : 5);
        free(s);
    }
    /* skipped and dropped units are not fields */
    assert_int_equal(split_str(&t, "A: 1\r\nno colon\r\nB: 2\r\n: x\r\nC: 3\r\n"
                                   "D: 4\r\nE: 5\r\n\r\n"),
                     MW_DONE);
    assert_int_equal(count_type(&t, 'F'), 5);
    ctx_free(&t);

    /* the mbox line counts */
    cfg.flags = MW_HDR_MBOX_FROM;
    cfg.max_fields = 1;
    ctx_init(&t, &cfg);
    assert_int_equal(split_str(&t, "From a@b Thu Jan  1 00:00:00 1970\r\nX: y\r\n\r\n"),
                     MW_E_TOO_MANY_FIELDS);
    assert_int_equal(count_type(&t, 'F'), 1);
    ctx_free(&t);
}

static void test_limit_max_header(void **state)
{
    static const char msg[] = "A: 1\r\nB: 2\r\n\r\nbody"; /* header: 14 */
    static const char nobody[] = "A: 1\r\nB: 2\r\n";       /* 12 */
    mw_hdr_config cfg;
    tctx t;
    size_t cap;
    mw_error e;
    (void)state;

    mw_hdr_config_init(&cfg);
    for (cap = 13; cap <= 15; cap++) {
        cfg.max_header = cap;
        ctx_init(&t, &cfg);
        if (cap < 14) {
            assert_int_equal(split_str(&t, msg), MW_E_HEADER_TOO_LONG);
            assert_int_equal(mw_hdr_parser_error(&t.p, &e), MW_E_HEADER_TOO_LONG);
            assert_int_equal(e.offset, cap);
            assert_int_equal(count_type(&t, 'F'), 2); /* B ended at 12 */
            assert_int_equal(count_type(&t, 'E'), 0);
            assert_int_equal(mw_hdr_parser_finish(&t.p), MW_E_HEADER_TOO_LONG);
        } else {
            assert_int_equal(split_str(&t, msg), MW_DONE);
            expect_end(&t, 2, 14);
        }
        ctx_free(&t);
    }
    /* no body and no empty line: the header is the whole input */
    for (cap = 11; cap <= 13; cap++) {
        cfg.max_header = cap;
        ctx_init(&t, &cfg);
        if (cap < 12) {
            assert_int_equal(split_str(&t, nobody), MW_E_HEADER_TOO_LONG);
            assert_int_equal(mw_hdr_parser_error(&t.p, &e), MW_E_HEADER_TOO_LONG);
            assert_int_equal(e.offset, cap);
            /* B needs the byte after its line end to be complete */
            assert_int_equal(count_type(&t, 'F'), 1);
        } else {
            assert_int_equal(split_str(&t, nobody), MW_OK);
            assert_int_equal(count_type(&t, 'F'), 2);
            expect_end(&t, 2, 12);
        }
        ctx_free(&t);
    }
    /* the limit counts from the first byte even across many feeds */
    cfg.max_header = 0;
    ctx_init(&t, &cfg);
    assert_int_equal(split_str(&t, "\r\n"), MW_E_HEADER_TOO_LONG);
    ctx_free(&t);
}

/* ------------------------------------------------------------------------
 * Hostile input
 * ---------------------------------------------------------------------- */

static void test_hostile_100000_fields(void **state)
{
    mw_hdr_config cfg;
    tctx t;
    size_t n;
    char *s = make_fields(100000, "\r\n", &n);
    mw_error e;
    (void)state;

    /* default cap (MW_HDR_MAX_FIELDS): stops at the first field over it */
    ctx_init(&t, NULL);
    assert_int_equal(split_check(&t, s, n), MW_E_TOO_MANY_FIELDS);
    assert_int_equal(count_type(&t, 'F'), MW_HDR_MAX_FIELDS);
    assert_int_equal(mw_hdr_parser_error(&t.p, &e), MW_E_TOO_MANY_FIELDS);
    assert_int_equal(e.offset, 7 * (size_t)MW_HDR_MAX_FIELDS);
    ctx_free(&t);

    /* a cap that allows them all: linear, every field delivered */
    mw_hdr_config_init(&cfg);
    cfg.max_fields = 100000;
    ctx_init(&t, &cfg);
    t.collect = 1;
    assert_int_equal(drive(&t, s, n, NULL), MW_DONE);
    assert_int_equal(count_type(&t, 'F'), 100000);
    expect_end(&t, 100000, n);
    ctx_free(&t);
    free(s);
}

static void test_hostile_10mb_folded_field(void **state)
{
    const size_t target = 10u * 1000u * 1000u;
    size_t cap = target + 256, n = 0;
    char *s = malloc(cap);
    tctx t;
    (void)state;

    assert_non_null(s);
    n += (size_t)snprintf(s, cap, "X-Big: start");
    while (n < target) {
        memcpy(s + n, "\r\n ", 3);
        memset(s + n + 3, 'a', 70);
        n += 73;
    }
    n += (size_t)snprintf(s + n, cap - n, "\r\nSubject: after\r\n\r\nbody\r\n");

    ctx_init(&t, NULL); /* max_field 65536, max_header 10 MiB */
    assert_int_equal(split_check(&t, s, n), MW_DONE);
    assert_int_equal(t.nrecs, 3);
    expect_defect(&t, 0, MW_HDR_D_FIELD_TOO_LONG, MW_E_FIELD_TOO_LONG, 0);
    assert_int_equal(t.recs[0].bytes_len, MW_HDR_MAX_FIELD);
    assert_memory_equal(t.recs[0].bytes, s, MW_HDR_MAX_FIELD);
    expect_field(&t, 1, "Subject", "after", 0);
    expect_end(&t, 2, n - 6);
    ctx_free(&t);
    free(s);
}

static void test_nul_bytes(void **state)
{
    tctx t;
    (void)state;
    ctx_init(&t, NULL);
    assert_int_equal(split_check(&t, "Subject: a\0b\r\n\r\n", 16), MW_DONE);
    expect_defect(&t, 0, MW_HDR_D_NUL, MW_E_NUL, 10);
    assert_int_equal(t.recs[0].bytes_len, 12);
    assert_int_equal(t.recs[1].value_len, 3);
    assert_memory_equal(t.recs[1].value, "a\0b", 3);
    assert_int_equal(t.recs[1].flags, MW_HDR_F_NUL);

    /* NUL in or as a name: not a field */
    assert_int_equal(split_check(&t, "Sub\0ject: x\r\n\0: y\r\n\r\n", 21), MW_DONE);
    expect_defect(&t, 0, MW_HDR_D_BAD_NAME, MW_E_SYNTAX, 3);
    expect_defect(&t, 1, MW_HDR_D_BAD_NAME, MW_E_SYNTAX, 13);
    assert_int_equal(t.recs[1].bytes_len, 4);
    /* many NULs: reported once per field, at the first */
    assert_int_equal(split_check(&t, "A: \0\0\0\r\n \0\r\nB: \0\r\n\r\n", 20), MW_DONE);
    expect_defect(&t, 0, MW_HDR_D_NUL, MW_E_NUL, 3);
    assert_int_equal(t.recs[1].flags, MW_HDR_F_NUL | FO);
    expect_defect(&t, 2, MW_HDR_D_NUL, MW_E_NUL, 15);
    assert_int_equal(t.nrecs, 5);
    ctx_free(&t);
}

static void test_utf8(void **state)
{
    tctx t;
    (void)state;
    ctx_init(&t, NULL);
    /* RFC 6532: well-formed UTF-8 is 8BIT and clean */
    assert_int_equal(split_str(&t, "Subject: caf\xc3\xa9 \xe2\x82\xac\r\n\r\n"), MW_DONE);
    expect_field(&t, 0, "Subject", "caf\xc3\xa9 \xe2\x82\xac", MW_HDR_F_8BIT);
    /* ill-formed: flagged, defect at the first bad byte, value kept */
    assert_int_equal(split_str(&t, "Subject: ok \xff\xfe\r\n\r\n"), MW_DONE);
    expect_defect(&t, 0, MW_HDR_D_BAD_UTF8, MW_E_UTF8, 12);
    expect_field(&t, 1, "Subject", "ok \xff\xfe", MW_HDR_F_8BIT | MW_HDR_F_BAD_UTF8);
    assert_int_equal(split_str(&t, "A: a\xc3\r\nB: \xc0\xaf\r\nC: \xed\xa0\x80\r\n"
                                   "D: \xf4\x90\x80\x80\r\n\r\n"),
                     MW_DONE);
    expect_defect(&t, 0, MW_HDR_D_BAD_UTF8, MW_E_UTF8, 4);  /* truncated */
    expect_defect(&t, 2, MW_HDR_D_BAD_UTF8, MW_E_UTF8, 10); /* overlong */
    expect_defect(&t, 4, MW_HDR_D_BAD_UTF8, MW_E_UTF8, 17); /* surrogate */
    expect_defect(&t, 6, MW_HDR_D_BAD_UTF8, MW_E_UTF8, 25); /* > U+10FFFF */
    /* a sequence cut by a fold is not UTF-8 in raw */
    assert_int_equal(split_str(&t, "S: \xc3\r\n \xa9\r\n\r\n"), MW_DONE);
    expect_defect(&t, 0, MW_HDR_D_BAD_UTF8, MW_E_UTF8, 3);
    /* 8-bit in a field name: not a field (RFC 6532 keeps names ASCII) */
    assert_int_equal(split_str(&t, "Sub\xc3\xa9: x\r\n\r\n"), MW_DONE);
    expect_defect(&t, 0, MW_HDR_D_BAD_NAME, MW_E_SYNTAX, 3);
    assert_int_equal(t.nrecs, 2);
    ctx_free(&t);
}

static void test_bare_cr(void **state)
{
    tctx t;
    (void)state;
    ctx_init(&t, NULL);
    assert_int_equal(split_str(&t, "Subject: a\rb\r\n\r\n"), MW_DONE);
    expect_defect(&t, 0, MW_HDR_D_BARE_CR, MW_E_BARE_CR, 10);
    expect_field(&t, 1, "Subject", "a\rb", MW_HDR_F_BARE_CR);
    /* CR CR LF: the first CR is content */
    assert_int_equal(split_str(&t, "X: a\r\r\n\r\n"), MW_DONE);
    expect_field(&t, 1, "X", "a\r", MW_HDR_F_BARE_CR);
    /* a CR is never a line end: "\r\r" is no empty line */
    assert_int_equal(split_str(&t, "X: a\r\rY: b\r\n\r\n"), MW_DONE);
    expect_field(&t, 1, "X", "a\r\rY: b", MW_HDR_F_BARE_CR);
    /* a line that starts with a bare CR is not a field */
    assert_int_equal(split_str(&t, "\rX: y\r\n\r\n"), MW_DONE);
    expect_defect(&t, 0, MW_HDR_D_BAD_NAME, MW_E_SYNTAX, 0);
    assert_string_equal(t.recs[0].bytes, "\rX: y");
    assert_int_equal(split_str(&t, "X: y\r\n\r \r\n\r\n"), MW_DONE);
    expect_defect(&t, 1, MW_HDR_D_NO_COLON, MW_E_SYNTAX, 6);
    assert_string_equal(t.recs[1].bytes, "\r ");
    expect_end(&t, 2, 12);
    /* a lone CR at the very end of the input */
    assert_int_equal(split_str(&t, "X: y\r\n\r"), MW_OK);
    expect_field(&t, 0, "X", "y", 0);
    expect_defect(&t, 1, MW_HDR_D_NO_COLON, MW_E_SYNTAX, 6);
    assert_string_equal(t.recs[1].bytes, "\r");
    expect_end(&t, 2, 7);
    ctx_free(&t);
}

static void test_whitespace_and_continuation_first(void **state)
{
    tctx t;
    (void)state;
    ctx_init(&t, NULL);
    /* a first line of only white space is a continuation of nothing */
    assert_int_equal(split_str(&t, "   \r\nX: y\r\n\r\n"), MW_DONE);
    expect_defect(&t, 0, MW_HDR_D_CONT_FIRST, MW_E_SYNTAX, 0);
    assert_string_equal(t.recs[0].bytes, "   ");
    expect_field(&t, 1, "X", "y", 0);
    assert_int_equal(t.recs[1].offset, 5);
    /* a folded first "field" is skipped whole, with its bytes */
    assert_int_equal(split_str(&t, " folded: x\r\n more\r\nX: y\r\n\r\n"), MW_DONE);
    expect_defect(&t, 0, MW_HDR_D_CONT_FIRST, MW_E_SYNTAX, 0);
    assert_string_equal(t.recs[0].bytes, " folded: x\r\n more");
    expect_field(&t, 1, "X", "y", 0);
    assert_int_equal(split_str(&t, "\tX: y\r\n\r\n"), MW_DONE);
    expect_defect(&t, 0, MW_HDR_D_CONT_FIRST, MW_E_SYNTAX, 0);
    assert_int_equal(t.nrecs, 2);
    /* white space-only lines inside and at the end of a field */
    assert_int_equal(split_str(&t, "X: a\r\n\t \r\n\r\nbody"), MW_DONE);
    expect_field(&t, 0, "X", "a", FO | MW_HDR_F_OBS_FWS);
    expect_end(&t, 1, 12);
    ctx_free(&t);
}

static void test_no_empty_line(void **state)
{
    tctx t;
    (void)state;
    ctx_init(&t, NULL);
    /* RFC 5322 §3.5: no body, no empty line: well-formed */
    assert_int_equal(split_str(&t, "X: y\r\n"), MW_OK);
    expect_field(&t, 0, "X", "y", 0);
    expect_end(&t, 1, 6);
    assert_int_equal(t.nrecs, 2);
    /* the last line not even terminated */
    assert_int_equal(split_str(&t, "X: y"), MW_OK);
    expect_defect(&t, 0, MW_HDR_D_NO_EOL, MW_E_INCOMPLETE, 4);
    expect_field(&t, 1, "X", "y", MW_HDR_F_NO_EOL);
    expect_end(&t, 2, 4);
    assert_int_equal(split_str(&t, "X: y\r\n b"), MW_OK);
    expect_field(&t, 1, "X", "y b", MW_HDR_F_NO_EOL | FO);
    /* a CR at the end of the last line is content, not half a CRLF */
    assert_int_equal(split_str(&t, "X: y\r"), MW_OK);
    expect_defect(&t, 0, MW_HDR_D_BARE_CR, MW_E_BARE_CR, 4);
    expect_field(&t, 2, "X", "y\r", MW_HDR_F_NO_EOL | MW_HDR_F_BARE_CR);
    /* nothing at all */
    assert_int_equal(split_check(&t, "", 0), MW_OK);
    expect_end(&t, 0, 0);
    assert_int_equal(t.nrecs, 1);
    /* finish twice: the second does nothing */
    assert_int_equal(mw_hdr_parser_finish(&t.p), MW_OK);
    assert_int_equal(t.nrecs, 1);
    ctx_free(&t);
}

/* The same message with CRLF and with LF line ends: the same fields. */
static void test_crlf_vs_lf(void **state)
{
    size_t n, m = 0, i, j, nf = 0;
    char *d = read_vector("a4.eml", &n), *lf = malloc(n);
    tctx a, b;
    (void)state;

    assert_non_null(lf);
    for (i = 0; i < n; i++)
        if (d[i] != '\r')
            lf[m++] = d[i];
    ctx_init(&a, NULL);
    ctx_init(&b, NULL);
    assert_int_equal(split_check(&a, d, n), MW_DONE);
    assert_int_equal(split_check(&b, lf, m), MW_DONE);
    for (i = 0, j = 0; i < a.nrecs; i++) {
        const rec *ra = &a.recs[i];
        if (ra->type != 'F')
            continue;
        while (b.recs[j].type == 'D') {
            /* each LF field has one BARE_LF defect, at its first LF */
            assert_int_equal(b.recs[j].kind, MW_HDR_D_BARE_LF);
            assert_int_equal(lf[b.recs[j].offset], '\n');
            j++;
        }
        assert_int_equal(b.recs[j].type, 'F');
        assert_string_equal(b.recs[j].name, ra->name);
        assert_string_equal(b.recs[j].value, ra->value);
        assert_int_equal(b.recs[j].flags, ra->flags | MW_HDR_F_BARE_LF);
        j++;
        nf++;
    }
    assert_int_equal(nf, 7);
    /* the empty line is a bare LF too */
    expect_defect(&b, j, MW_HDR_D_BARE_LF, MW_E_BARE_LF, find(lf, m, "\n\n") + 1);
    expect_end(&b, j + 1, find(lf, m, "\n\n") + 2);
    ctx_free(&a);
    ctx_free(&b);
    free(lf);
    free(d);

    /* mixed line ends */
    ctx_init(&a, NULL);
    assert_int_equal(split_str(&a, "A: 1\r\nB: 2\n\r\n"), MW_DONE);
    expect_field(&a, 0, "A", "1", 0);
    expect_defect(&a, 1, MW_HDR_D_BARE_LF, MW_E_BARE_LF, 10);
    expect_field(&a, 2, "B", "2", MW_HDR_F_BARE_LF);
    expect_end(&a, 3, 13);
    assert_int_equal(split_str(&a, "A: 1\r\n\nbody"), MW_DONE);
    expect_defect(&a, 1, MW_HDR_D_BARE_LF, MW_E_BARE_LF, 6);
    assert_string_equal(a.recs[1].bytes, "\n");
    expect_end(&a, 2, 7);
    assert_int_equal(split_str(&a, "A: 1\n \r\n\tx\n\n"), MW_DONE);
    expect_field(&a, 1, "A", "1 \tx", MW_HDR_F_BARE_LF | FO | MW_HDR_F_OBS_FWS);
    assert_string_equal(a.recs[1].raw, " 1\n \r\n\tx");
    /* a message that starts with the empty line has no fields */
    assert_int_equal(split_str(&a, "\r\nA: 1\r\n"), MW_DONE);
    expect_end(&a, 0, 2);
    assert_int_equal(a.nrecs, 1);
    assert_int_equal(split_str(&a, "\nA: 1\r\n"), MW_DONE);
    expect_defect(&a, 0, MW_HDR_D_BARE_LF, MW_E_BARE_LF, 0);
    expect_end(&a, 1, 1);
    ctx_free(&a);
}

static void test_lines_that_are_not_fields(void **state)
{
    tctx t;
    (void)state;
    ctx_init(&t, NULL);
    assert_int_equal(split_str(&t, "A: 1\r\nGARBAGE LINE\r\n cont\r\nB: 2\r\n\r\n"),
                     MW_DONE);
    expect_field(&t, 0, "A", "1", 0);
    expect_defect(&t, 1, MW_HDR_D_NO_COLON, MW_E_SYNTAX, 6);
    assert_string_equal(t.recs[1].bytes, "GARBAGE LINE\r\n cont");
    expect_field(&t, 2, "B", "2", 0);
    assert_int_equal(t.recs[2].offset, 27);
    /* names: a space inside, empty, a control byte, a colon-less first
     * line whose continuation has one */
    assert_int_equal(split_str(&t, "Bad Name: x\r\n: x\r\nX\x01: y\r\n"
                                   "From x@y: z\r\nSubject\r\n : x\r\nOK: 1\r\n\r\n"),
                     MW_DONE);
    expect_defect(&t, 0, MW_HDR_D_BAD_NAME, MW_E_SYNTAX, 4);
    expect_defect(&t, 1, MW_HDR_D_BAD_NAME, MW_E_SYNTAX, 13);
    expect_defect(&t, 2, MW_HDR_D_BAD_NAME, MW_E_SYNTAX, 19);
    expect_defect(&t, 3, MW_HDR_D_BAD_NAME, MW_E_SYNTAX, 30);
    expect_defect(&t, 4, MW_HDR_D_NO_COLON, MW_E_SYNTAX, 38);
    assert_string_equal(t.recs[4].bytes, "Subject\r\n : x");
    expect_field(&t, 5, "OK", "1", 0);
    /* every printable except ":" may be in a name */
    assert_int_equal(split_str(&t, "!#$%&'()*+,-./09;<=>?@AZ[\\]^_`az{|}~: v\r\n\r\n"),
                     MW_DONE);
    expect_field(&t, 0, "!#$%&'()*+,-./09;<=>?@AZ[\\]^_`az{|}~", "v", 0);
    ctx_free(&t);
}

static void test_mbox_from_line(void **state)
{
    static const char msg[] = "From MAILER-DAEMON Fri Apr 06 16:46:09 2001\r\n"
                              "X: y\r\n\r\n";
    mw_hdr_config cfg;
    tctx t;
    (void)state;

    /* without the flag: a line that is not a field */
    ctx_init(&t, NULL);
    assert_int_equal(split_str(&t, msg), MW_DONE);
    expect_defect(&t, 0, MW_HDR_D_BAD_NAME, MW_E_SYNTAX, 5);
    expect_field(&t, 1, "X", "y", 0);
    ctx_free(&t);

    mw_hdr_config_init(&cfg);
    cfg.flags = MW_HDR_MBOX_FROM;
    ctx_init(&t, &cfg);
    assert_int_equal(split_str(&t, msg), MW_DONE);
    expect_field(&t, 0, "From ", "MAILER-DAEMON Fri Apr 06 16:46:09 2001",
                 MW_HDR_F_MBOX_FROM);
    assert_int_equal(t.recs[0].offset, 0);
    expect_field(&t, 1, "X", "y", 0);
    assert_int_equal(t.recs[1].offset, 45);
    /* a well-formed field stays a field */
    assert_int_equal(split_str(&t, "From : a@b\r\n\r\n"), MW_DONE);
    expect_field(&t, 0, "From", "a@b", OW);
    assert_int_equal(split_str(&t, "From: a@b\r\n\r\n"), MW_DONE);
    expect_field(&t, 0, "From", "a@b", 0);
    /* only as the first line */
    assert_int_equal(split_str(&t, "X: y\r\nFrom a@b Mon\r\n\r\n"), MW_DONE);
    expect_defect(&t, 1, MW_HDR_D_NO_COLON, MW_E_SYNTAX, 6);
    /* the envelope line takes no continuation */
    assert_int_equal(split_str(&t, "From a@b Mon\n  x\nX: y\n\n"), MW_DONE);
    expect_defect(&t, 0, MW_HDR_D_BARE_LF, MW_E_BARE_LF, 12);
    expect_field(&t, 1, "From ", "a@b Mon", MW_HDR_F_MBOX_FROM | MW_HDR_F_BARE_LF);
    expect_defect(&t, 2, MW_HDR_D_CONT_FIRST, MW_E_SYNTAX, 13);
    assert_string_equal(t.recs[2].bytes, "  x");
    /* alone and unterminated */
    assert_int_equal(split_str(&t, "From a@b"), MW_OK);
    expect_defect(&t, 0, MW_HDR_D_NO_EOL, MW_E_INCOMPLETE, 8);
    expect_field(&t, 1, "From ", "a@b", MW_HDR_F_MBOX_FROM | MW_HDR_F_NO_EOL);
    ctx_free(&t);
}

static void test_done_and_body_offset(void **state)
{
    tctx t;
    size_t used = 9;
    (void)state;
    ctx_init(&t, NULL);
    t.collect = 1;
    ctx_start(&t);
    assert_int_equal(tfeed(&t, "A: b\r\n\r", 7, &used), MW_OK);
    assert_int_equal(used, 7);
    assert_int_equal(tfeed(&t, "\nBODY", 5, &used), MW_DONE);
    assert_int_equal(used, 1); /* "BODY" is the body */
    expect_end(&t, 1, 8);
    assert_int_equal(tfeed(&t, "more", 4, &used), MW_DONE);
    assert_int_equal(used, 0);
    assert_int_equal(mw_hdr_parser_finish(&t.p), MW_OK);
    assert_int_equal(t.nrecs, 2);
    /* the same bytes in every chunking */
    assert_int_equal(split_str(&t, "A: b\r\n\r\nBODY"), MW_DONE);
    expect_field(&t, 0, "A", "b", 0);
    expect_end(&t, 1, 8);
    t.collect = 1;
    /* the empty line at the very end of a chunk */
    ctx_start(&t);
    assert_int_equal(tfeed(&t, "A: b\r\n\r\n", 8, &used), MW_DONE);
    assert_int_equal(used, 8);
    ctx_free(&t);
}

/* ------------------------------------------------------------------------
 * Zero copy, and no pointer into a chunk kept after feed() returns
 * ---------------------------------------------------------------------- */

static void test_zero_copy(void **state)
{
    size_t n, i, r2, cut;
    char *d = read_vector("a4.eml", &n);
    tctx t;
    evlog log;
    (void)state;

    ctx_init(&t, NULL);
    evlog_init(&log);
    /* whole: every name and raw in the chunk; only the folded value is
     * built in the buffer */
    t.collect = 1;
    assert_int_equal(drive(&t, d, n, NULL), MW_DONE);
    for (i = 0; i < 7; i++) {
        assert_true(t.recs[i].name_in_chunk);
        assert_int_equal(t.recs[i].value_in_raw, i != 0);
        assert_int_equal(t.recs[i].value_in_buf, i == 0);
    }
    r2 = t.recs[2].offset; /* "From:" */

    /* cut inside "From": the field before it ends in the first chunk
     * (its next line's first byte is there), From itself is copied */
    cut = r2 + 2;
    replay_run(&ops, &t, d, n, &cut, 1, &log);
    for (i = 0; i < 7; i++)
        assert_int_equal(t.recs[i].name_in_chunk, i != 2);
    /* cut right before "From": the second Received cannot be known
     * complete in the first chunk, so it is copied; From is not */
    cut = r2;
    replay_run(&ops, &t, d, n, &cut, 1, &log);
    for (i = 0; i < 7; i++)
        assert_int_equal(t.recs[i].name_in_chunk, i != 1);
    /* cut inside the folded Received: name, raw and value in the buffer */
    cut = 30;
    replay_run(&ops, &t, d, n, &cut, 1, &log);
    assert_false(t.recs[0].name_in_chunk);
    assert_true(t.recs[0].value_in_buf);
    assert_false(t.recs[0].value_in_raw);
    for (i = 1; i < 7; i++)
        assert_true(t.recs[i].name_in_chunk);
    t.collect = 0;
    evlog_free(&log);
    ctx_free(&t);
    free(d);
}

/* Each chunk lives in its own allocation, freed and poisoned as soon as
 * feed() returns: ASan (and the comparison) catch any pointer kept. */
static void test_no_pointer_kept(void **state)
{
    size_t n, i;
    char *d = read_vector("a5.eml", &n);
    tctx t;
    evlog whole, other;
    (void)state;

    ctx_init(&t, NULL);
    evlog_init(&whole);
    evlog_init(&other);
    drive(&t, d, n, &whole);
    for (i = 1; i < n; i++) {
        size_t pos = 0, bounds[3];
        int k, r = MW_OK;
        bounds[0] = i;
        bounds[1] = i + (n - i) / 2;
        bounds[2] = n;
        evlog_reset(&other);
        t.log = &other;
        ctx_start(&t);
        for (k = 0; k < 3 && r != MW_DONE; k++) {
            while (pos < bounds[k] && r != MW_DONE) {
                size_t len = bounds[k] - pos, used = 0;
                char *chunk = malloc(len);
                assert_non_null(chunk);
                memcpy(chunk, d + pos, len);
                t.chunk = chunk;
                t.chunk_len = len;
                r = tfeed(&t, chunk, len, &used);
                t.chunk = NULL;
                memset(chunk, 0xA5, len);
                free(chunk);
                assert_true(r == MW_OK || r == MW_DONE);
                pos += used;
            }
        }
        assert_string_equal(evlog_str(&whole), evlog_str(&other));
    }
    evlog_free(&whole);
    evlog_free(&other);
    ctx_free(&t);
    free(d);
}

/* ------------------------------------------------------------------------
 * Pausing and aborting from callbacks
 * ---------------------------------------------------------------------- */

static const char defects_msg[] =
    "  leading\r\nA: 1\r\nnot a field\r\nB: x\x01y\xff\r\n z\n"
    "C:" "0123456789012345678901234567890123456789\r\nD: \r\r\n\n";

static void test_pause(void **state)
{
    size_t n, pos = 0, pauses = 0;
    char *d = read_vector("a1_1a.eml", &n);
    tctx t;
    evlog plain, paused;
    int r;
    mw_hdr_config cfg;
    (void)state;

    ctx_init(&t, NULL);
    t.collect = 1;
    t.pause_fields = 1;
    ctx_start(&t);
    do {
        size_t used = 0;
        r = tfeed(&t, d + pos, n - pos, &used);
        pos += used;
        if (r == MW_PAUSED) {
            const rec *last = &t.recs[t.nrecs - 1];
            pauses++;
            /* stopped right after the field's line: at the next line */
            assert_int_equal(last->type, 'F');
            assert_int_equal(pos, last->offset + last->name_len + 1
                                      + last->raw_len + 2);
        }
    } while (r == MW_PAUSED);
    assert_int_equal(r, MW_DONE);
    assert_int_equal(pauses, 5);
    expect_end(&t, 5, pos);
    t.collect = 0;

    /* pausing changes nothing in the events, in any chunking */
    mw_hdr_config_init(&cfg);
    cfg.max_field = 40;
    cfg.max_line = 30;
    ctx_free(&t);
    ctx_init(&t, &cfg);
    evlog_init(&plain);
    evlog_init(&paused);
    replay_check(&ops, &t, defects_msg, sizeof defects_msg - 1, &plain);
    t.pause_fields = t.pause_defects = 1;
    replay_check(&ops, &t, defects_msg, sizeof defects_msg - 1, &paused);
    assert_string_equal(evlog_str(&plain), evlog_str(&paused));
    evlog_free(&plain);
    evlog_free(&paused);
    t.log = NULL;

    /* a pause asked by a defect takes effect after the unit's field */
    t.pause_fields = 0;
    t.pause_defects = 1;
    t.collect = 1;
    ctx_start(&t);
    {
        size_t used = 0;
        assert_int_equal(tfeed(&t, "X: a\0b\r\nY: c\r\n\r\n", 16,
                                            &used),
                         MW_PAUSED);
        assert_int_equal(used, 8);
        assert_int_equal(t.nrecs, 2);
        expect_defect(&t, 0, MW_HDR_D_NUL, MW_E_NUL, 4);
        assert_int_equal(t.recs[1].type, 'F');
        assert_int_equal(t.recs[1].value_len, 3);
        assert_memory_equal(t.recs[1].value, "a\0b", 3);
        assert_int_equal(tfeed(&t, "Y: c\r\n\r\n", 8, &used),
                         MW_DONE);
        assert_int_equal(used, 8);
        /* ... and after a dropped unit has ended */
        ctx_start(&t);
        {
            const char *c = strstr(defects_msg, "\nC:") + 1;
            assert_int_equal(tfeed(&t, c, strlen(c), &used), MW_PAUSED);
            assert_int_equal(used, (size_t)(strstr(c, "\r\nD:") - c) + 2);
            expect_defect(&t, 0, MW_HDR_D_FIELD_TOO_LONG, MW_E_FIELD_TOO_LONG, 0);
            assert_int_equal(t.nrecs, 1);
        }
    }
    t.collect = 0;
    ctx_free(&t);
    free(d);
}

static void test_abort_each_callback(void **state)
{
    mw_hdr_config cfg;
    tctx t;
    long total, k;
    size_t n = sizeof defects_msg - 1, used;
    mw_error e;
    (void)state;

    mw_hdr_config_init(&cfg);
    cfg.max_field = 40;
    cfg.max_line = 30;
    ctx_init(&t, &cfg);
    t.collect = 1;
    assert_int_equal(drive(&t, defects_msg, n, NULL), MW_DONE);
    total = t.ncb;
    assert_int_equal((size_t)total, t.nrecs);
    assert_true(total > 8);
    for (k = 0; k < total; k++) {
        const rec *last;
        t.abort_at = k;
        t.collect = 1;
        assert_int_equal(drive(&t, defects_msg, n, NULL), MW_E_CALLBACK);
        assert_int_equal(t.nrecs, (size_t)k + 1);
        last = &t.recs[k];
        assert_int_equal(mw_hdr_parser_error(&t.p, &e), MW_E_CALLBACK);
        if (last->type == 'F')
            assert_int_equal(e.offset, last->offset);
        if (last->type == 'E')
            assert_int_equal(e.offset, last->offset);
        assert_true(mw_is_fatal(MW_E_CALLBACK));
        assert_int_equal(tfeed(&t, "x", 1, &used), MW_E_CALLBACK);
        assert_int_equal(used, 0);
        assert_int_equal(mw_hdr_parser_finish(&t.p), MW_E_CALLBACK);
        /* the abort comes at the same event in every chunking */
        t.collect = 0;
        {
            evlog whole;
            evlog_init(&whole);
            replay_check(&ops, &t, defects_msg, n, &whole);
            evlog_free(&whole);
        }
    }
    ctx_free(&t);
}

static void test_reentry_and_reset(void **state)
{
    tctx t;
    size_t used;
    mw_error e;
    mw_hdr_config cfg;
    (void)state;

    ctx_init(&t, NULL);
    t.reenter = 1;
    t.collect = 1;
    assert_int_equal(drive(&t, "A: 1\r\nB: 2\r\n\r\n", 14, NULL), MW_DONE);
    assert_int_equal(t.reenter_rc[0], MW_E_STATE);
    assert_int_equal(t.reenter_rc[1], MW_E_STATE);
    assert_int_equal(t.reenter_rc[2], MW_E_STATE);
    assert_int_equal(count_type(&t, 'F'), 2); /* undisturbed */

    t.reenter = 0;
    assert_int_equal(split_str(&t, "A: 1\r\nB: 2\r\n\r\n"), MW_DONE);
    assert_int_equal(split_str(&t, "C: 3\r\n\r\n"), MW_DONE);
    t.collect = 1;
    assert_int_equal(drive(&t, "A: 1\r\nB: 2\r\n\r\n", 14, NULL), MW_DONE);
    /* reset: a new message, offsets from 0 again */
    assert_int_equal(mw_hdr_parser_reset(&t.p), MW_OK);
    recs_clear(&t);
    assert_int_equal(tfeed(&t, "C: 3\r\n\r\n", 8, &used), MW_DONE);
    expect_field(&t, 0, "C", "3", 0);
    assert_int_equal(t.recs[0].offset, 0);
    expect_end(&t, 1, 8);
    ctx_free(&t);

    /* reset clears a sticky error */
    mw_hdr_config_init(&cfg);
    cfg.max_header = 4;
    ctx_init(&t, &cfg);
    ctx_start(&t);
    assert_int_equal(tfeed(&t, "A: 1\r\n\r\n", 8, &used),
                     MW_E_HEADER_TOO_LONG);
    assert_int_equal(used, 4);
    assert_int_equal(mw_hdr_parser_reset(&t.p), MW_OK);
    assert_int_equal(mw_hdr_parser_error(&t.p, &e), MW_OK);
    assert_int_equal(tfeed(&t, "\r\n", 2, &used), MW_DONE);
    ctx_free(&t);
}

/* ------------------------------------------------------------------------
 * Random messages against the reference splitter
 * ---------------------------------------------------------------------- */

static uint32_t rng = 0x9e3779b9u;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng % n;
}

static size_t gen_message(char *out, size_t cap)
{
    static const char *names[] = {"Subject", "X", "From", "To", "A-B", "F\x80",
                                  "Bad Name", "", "From ", "Received"};
    static const char *bits[] = {"a", "bc", " ", "\t", ":", "\0", "\r",
                                 "\x80", "\xc3\xa9", "\xff", "From ", "x y"};
    static const char *ends[] = {"\r\n", "\r\n", "\r\n", "\n", "\r", ""};
    size_t n = 0, lines = rnd(9), i, j;

#define PUT(s, len)                                                           \
    do {                                                                      \
        size_t l_ = (len);                                                    \
        if (n + l_ < cap) {                                                   \
            memcpy(out + n, (s), l_);                                         \
            n += l_;                                                          \
        }                                                                     \
    } while (0)
    for (i = 0; i < lines; i++) {
        uint32_t kind = rnd(10);
        const char *end = ends[rnd(6)];
        if (kind < 5) { /* a field */
            const char *nm = names[rnd(10)];
            PUT(nm, strlen(nm));
            for (j = rnd(3); j > 0; j--)
                PUT(" ", 1);
            PUT(":", 1);
        } else if (kind < 8) { /* a continuation, maybe only white space */
            PUT(rnd(2) ? " " : "\t", 1);
        } else if (kind == 8) {
            PUT("From a@b Mon", 12);
        } else { /* the empty line */
            end = rnd(2) ? "\r\n" : "\n";
            PUT(end, strlen(end));
            continue;
        }
        for (j = rnd(8); j > 0; j--) {
            const char *b = bits[rnd(12)];
            PUT(b, b[0] ? strlen(b) : 1);
        }
        PUT(end, strlen(end));
    }
    if (rnd(2))
        PUT("body\r\n", 6);
#undef PUT
    return n;
}

static void test_random_vs_reference(void **state)
{
    char msg[512];
    size_t i;
    (void)state;

    for (i = 0; i < 4000; i++) {
        mw_hdr_config cfg;
        tctx t;
        size_t n = gen_message(msg, sizeof msg);
        char what[64];

        mw_hdr_config_init(&cfg);
        cfg.max_line = 3 + rnd(30);
        cfg.max_field = rnd(4) == 0 ? MW_HDR_MAX_FIELD : rnd(61);
        cfg.max_fields = rnd(3) == 0 ? 1 + rnd(6) : MW_HDR_MAX_FIELDS;
        cfg.flags = rnd(4);
        cfg.max_header = SIZE_MAX;
        ctx_init(&t, &cfg);
        snprintf(what, sizeof what, "random message %zu", i);
        check_vs_reference(&t, msg, n, what);
        if (i % 8 == 0) {
            evlog whole;
            evlog_init(&whole);
            replay_check(&ops, &t, msg, n, &whole);
            evlog_free(&whole);
        } else if (i % 8 == 3) {
            /* pausing from any callback changes no event, in any chunking */
            evlog plain, paused;
            evlog_init(&plain);
            evlog_init(&paused);
            replay_check(&ops, &t, msg, n, &plain);
            t.pause_fields = (int)rnd(2);
            t.pause_defects = (int)rnd(2);
            replay_check(&ops, &t, msg, n, &paused);
            assert_string_equal(evlog_str(&plain), evlog_str(&paused));
            evlog_free(&plain);
            evlog_free(&paused);
        } else if (i % 8 == 5) {
            /* a header limit anywhere: the same events in any chunking,
             * and the limit error exactly when the header needs more */
            evlog whole;
            mw_error e;
            int r;
            ctx_free(&t);
            cfg.max_header = rnd((uint32_t)n + 2);
            ctx_init(&t, &cfg);
            evlog_init(&whole);
            replay_check(&ops, &t, msg, n, &whole);
            evlog_free(&whole);
            t.collect = 1;
            r = drive(&t, msg, n, NULL);
            if (r == MW_E_HEADER_TOO_LONG) {
                assert_int_equal(mw_hdr_parser_error(&t.p, &e), r);
                assert_int_equal(e.offset, cfg.max_header);
                assert_true(cfg.max_header < n);
            } else if (r == MW_DONE || r == MW_OK) {
                assert_true(t.recs[t.nrecs - 1].offset <= cfg.max_header);
            }
        }
        t.log = NULL;
        ctx_free(&t);
    }
}

/* Every vector and hand-written message against the reference too. */
static void test_vectors_vs_reference(void **state)
{
    size_t v;
    (void)state;
    for (v = 0; v < sizeof appendix / sizeof appendix[0]; v++) {
        size_t n;
        char *d = read_vector(appendix[v].file, &n);
        tctx t;
        ctx_init(&t, NULL);
        check_vs_reference(&t, d, n, appendix[v].file);
        ctx_free(&t);
        free(d);
    }
    {
        mw_hdr_config cfg;
        tctx t;
        mw_hdr_config_init(&cfg);
        cfg.max_field = 40;
        cfg.max_line = 30;
        ctx_init(&t, &cfg);
        check_vs_reference(&t, defects_msg, sizeof defects_msg - 1, "defects");
        ctx_free(&t);
    }
}

/* mw_hdr_name_is(): ASCII case-insensitive, exact length. */
static void test_name_is(void **state)
{
    mw_hdr_field f;
    (void)state;
    memset(&f, 0, sizeof f);
    f.name.ptr = "Content-TYPE";
    f.name.len = 12;
    assert_true(mw_hdr_name_is(&f, "content-type"));
    assert_true(mw_hdr_name_is(&f, "CONTENT-TYPE"));
    assert_false(mw_hdr_name_is(&f, "content-typ"));
    assert_false(mw_hdr_name_is(&f, "content-types"));
    assert_false(mw_hdr_name_is(&f, NULL));
    assert_false(mw_hdr_name_is(NULL, "x"));
    f.name.ptr = "From ";
    f.name.len = 5;
    assert_false(mw_hdr_name_is(&f, "From"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_and_init),
        cmocka_unit_test(test_rfc5322_appendix_a),
        cmocka_unit_test(test_raw_keeps_folding),
        cmocka_unit_test(test_obsolete_forms),
        cmocka_unit_test(test_python_email_messages),
        cmocka_unit_test(test_limit_max_line),
        cmocka_unit_test(test_limit_max_field),
        cmocka_unit_test(test_limit_max_fields),
        cmocka_unit_test(test_limit_max_header),
        cmocka_unit_test(test_hostile_100000_fields),
        cmocka_unit_test(test_hostile_10mb_folded_field),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_bare_cr),
        cmocka_unit_test(test_whitespace_and_continuation_first),
        cmocka_unit_test(test_no_empty_line),
        cmocka_unit_test(test_crlf_vs_lf),
        cmocka_unit_test(test_lines_that_are_not_fields),
        cmocka_unit_test(test_mbox_from_line),
        cmocka_unit_test(test_done_and_body_offset),
        cmocka_unit_test(test_zero_copy),
        cmocka_unit_test(test_no_pointer_kept),
        cmocka_unit_test(test_pause),
        cmocka_unit_test(test_abort_each_callback),
        cmocka_unit_test(test_reentry_and_reset),
        cmocka_unit_test(test_random_vs_reference),
        cmocka_unit_test(test_vectors_vs_reference),
        cmocka_unit_test(test_name_is),
    };
    return cmocka_run_group_tests_name("hdr_split", tests, NULL, NULL);
}
