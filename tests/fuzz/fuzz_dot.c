/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for dot-stuffing (lib/core/dot.c, contract in
 * lib/core/framing.h): the unstuffer (SMTP DATA / POP3 receive side) and
 * the stuffer (send side), under every newline policy.
 *
 * Input: byte 0 picks the policy, bytes 1-2 seed the chunking; the rest
 * is used both as a received body stream and as a body to send.
 *
 * Unstuffer: the stream is read whole, in pseudo-random chunks and byte by
 * byte (each chunk an exact-size heap copy freed right after use); the
 * joined data, the bare CR/LF report (code, offset, and how much data came
 * before it), the end offset and the bytes consumed must be the same every
 * time, and equal to a byte-level model of the contract written here.
 *
 * Stuffer: the body is written whole and in chunks (going on after each
 * REJECT error at in + used, as the contract allows); the output and the
 * errors must equal a model, and unstuffing the output (whole and in
 * chunks) must give the normalised body back and end exactly at the end of
 * the output.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/framing.h"

#include "fuzz_util.h"

/* ---- unstuffing ---- */

/* What a reading produced: the data, the events (error code, offset,
 * data length before it; the end offset), the bytes consumed. */
typedef struct uresult {
    blog data;
    blog ev;
    size_t consumed;
    int ended;
} uresult;

static void ures_free(uresult *r)
{
    free(r->data.p);
    free(r->ev.p);
}

static void ures_cmp(const uresult *a, const uresult *b, const char *what)
{
    log_must_eq(&a->data, &b->data, what);
    log_must_eq(&a->ev, &b->ev, what);
    if (a->consumed != b->consumed || a->ended != b->ended) {
        fprintf(stderr, "%s: consumed %zu/%zu ended %d/%d\n", what,
                a->consumed, b->consumed, a->ended, b->ended);
        abort();
    }
}

/* Read in[0, len) (part of a stream whose chunk starts at absolute offset
 * `base`) until END or all is used. Returns 1 at END. */
static int unstuff_chunk(mw_dot_unstuff *u, const char *in, size_t len,
                         size_t base, uresult *res)
{
    size_t pos = 0;
    for (;;) {
        size_t used = (size_t)-1;
        mw__dot_ev ev;
        int r = mw__dot_unstuff_next(u, in + pos, len - pos, &used, &ev);
        CHECK(used <= len - pos);
        pos += used;
        res->consumed += used;
        CHECK(mw__dot_unstuff_offset(u) == base + pos);
        if (r == 0) {
            CHECK(pos == len);
            return 0;
        }
        if (r == MW__DOT_DATA) {
            const char *p = ev.data.ptr;
            /* Zero copy: a span into the input carries its own offset;
             * anything else is at most a synthesised CR, LF or CRLF. */
            if (p >= in && p < in + len) {
                CHECK(ev.data.len <= (size_t)(in + len - p));
                CHECK(ev.offset == base + (size_t)(p - in));
            } else {
                CHECK(ev.data.len >= 1 && ev.data.len <= 2);
                CHECK(p[0] == '\r' || p[0] == '\n');
                CHECK(ev.data.len == 1 || (p[0] == '\r' && p[1] == '\n'));
                CHECK(ev.offset < base + pos + 1);
            }
            log_put(&res->data, ev.data.ptr, ev.data.len);
            continue;
        }
        if (r == MW__DOT_END) {
            log_num(&res->ev, 0xE4D);
            log_num(&res->ev, ev.offset);
            CHECK(ev.offset + 3 == base + pos);
            res->ended = 1;
            CHECK(mw__dot_unstuff_next(u, in + pos, len - pos, &used, &ev) ==
                  MW_E_STATE);
            CHECK(used == 0);
            return 1;
        }
        CHECK(r == MW_E_BARE_LF || r == MW_E_BARE_CR);
        log_num(&res->ev, (uint64_t)(int64_t)r);
        log_num(&res->ev, ev.offset);
        log_num(&res->ev, res->data.n);
    }
}

/* Read the stream in the given chunking mode (fuzz_util.h). */
static void unstuff(const char *s, size_t n, mw_newline_policy pol, int mode,
                    uint32_t seed, size_t span, uresult *res)
{
    mw_dot_unstuff u;
    fz_chunks ck;

    memset(res, 0, sizeof *res);
    CHECK(mw__dot_unstuff_init(&u, pol, 0) == MW_OK);
    fz_chunks_start(&ck, s, n, mode, seed, span);
    while (fz_chunks_next(&ck))
        if (unstuff_chunk(&u, ck.p, ck.n, ck.pos, res))
            break;
    fz_chunks_stop(&ck);
}

/* The contract, byte by byte. */
static void unstuff_model(const char *s, size_t n, mw_newline_policy pol,
                          uresult *res)
{
    int reject = pol == MW_NEWLINE_REJECT, accept = pol == MW_NEWLINE_ACCEPT;
    int reported = 0, line_start = 1;
    size_t i = 0;

    memset(res, 0, sizeof *res);
    while (i < n) {
        char c = s[i];
        if (line_start && c == '.') {
            if (i + 1 == n)
                break; /* undecided: nothing passed on */
            if (s[i + 1] == '\r') {
                if (i + 2 == n)
                    break;
                if (s[i + 2] == '\n') {
                    log_num(&res->ev, 0xE4D);
                    log_num(&res->ev, i);
                    res->ended = 1;
                    res->consumed = i + 3;
                    return;
                }
            }
            i++; /* the dot is dropped */
            line_start = 0;
            continue;
        }
        line_start = 0;
        if (c == '\r') {
            if (i + 1 == n) {
                log_put(&res->data, "\r", 1); /* undecided */
                i++;
                break;
            }
            if (s[i + 1] == '\n') {
                log_put(&res->data, "\r\n", 2);
                i += 2;
                line_start = 1;
                continue;
            }
            log_put(&res->data, accept ? "\r\n" : "\r", accept ? 2u : 1u);
            if (reject && !reported) {
                reported = 1;
                log_num(&res->ev, (uint64_t)(int64_t)MW_E_BARE_CR);
                log_num(&res->ev, i);
                log_num(&res->ev, res->data.n);
            }
            i++;
            continue;
        }
        if (c == '\n') {
            if (reject && !reported) {
                reported = 1;
                log_num(&res->ev, (uint64_t)(int64_t)MW_E_BARE_LF);
                log_num(&res->ev, i);
                log_num(&res->ev, res->data.n);
            }
            log_put(&res->data, accept ? "\r\n" : "\n", accept ? 2u : 1u);
            i++;
            continue;
        }
        log_put(&res->data, &c, 1);
        i++;
    }
    res->consumed = n;
}

/* ---- stuffing ---- */

static int sink(void *user, const char *p, size_t n)
{
    CHECK(n > 0);
    log_put((blog *)user, p, n);
    return 0;
}

/* Write the body (whole or in chunks), going on after REJECT errors;
 * errors are logged to *errs as (code, offset). */
static void stuff(const char *s, size_t n, mw_newline_policy pol, int chunked,
                  uint32_t seed, size_t span, blog *out, blog *errs)
{
    mw_dot_stuff st;
    fz_chunks ck;
    int r;
    mw_error err;

    memset(out, 0, sizeof *out);
    memset(errs, 0, sizeof *errs);
    CHECK(mw__dot_stuff_init(&st, pol, sink, out) == MW_OK);
    fz_chunks_start(&ck, s, n, chunked ? FZ_CHUNKS : FZ_WHOLE, seed, span);
    while (fz_chunks_next(&ck)) {
        size_t at = 0;
        while (at < ck.n) {
            size_t used = (size_t)-1;
            memset(&err, 0, sizeof err);
            r = mw__dot_stuff_write(&st, ck.p + at, ck.n - at, &used, &err);
            CHECK(used <= ck.n - at);
            at += used;
            if (r == MW_OK) {
                CHECK(at == ck.n);
                break;
            }
            CHECK(pol == MW_NEWLINE_REJECT);
            CHECK(r == MW_E_BARE_CR || r == MW_E_BARE_LF);
            CHECK(err.code == r && err.offset < n);
            log_num(errs, (uint64_t)(int64_t)r);
            log_num(errs, err.offset);
        }
    }
    memset(&err, 0, sizeof err);
    r = mw__dot_stuff_finish(&st, &err);
    if (r == MW_E_BARE_CR) {
        CHECK(pol == MW_NEWLINE_REJECT && n > 0 && s[n - 1] == '\r');
        CHECK(err.offset == n - 1);
        log_num(errs, (uint64_t)(int64_t)r);
        log_num(errs, err.offset);
        r = mw__dot_stuff_finish(&st, &err);
    }
    CHECK(r == MW_OK);
    CHECK(mw__dot_stuff_finish(&st, NULL) == MW_E_STATE);
}

/* The body as the receiver must get it back: bare CR and LF dropped
 * (REJECT, after the errors), made CRLF (ACCEPT) or kept (PASS). Sets
 * *errs to the errors REJECT reports. */
static void normalise(const char *s, size_t n, mw_newline_policy pol,
                      blog *norm, blog *errs)
{
    size_t i;

    memset(norm, 0, sizeof *norm);
    memset(errs, 0, sizeof *errs);
    for (i = 0; i < n; i++) {
        char c = s[i];
        int bare = (c == '\r' && (i + 1 == n || s[i + 1] != '\n')) ||
                   (c == '\n' && (i == 0 || s[i - 1] != '\r'));
        if (!bare || pol == MW_NEWLINE_PASS) {
            log_put(norm, &c, 1);
        } else if (pol == MW_NEWLINE_ACCEPT) {
            log_put(norm, "\r\n", 2);
        } else {
            log_num(errs, (uint64_t)(int64_t)(c == '\r' ? MW_E_BARE_CR
                                                        : MW_E_BARE_LF));
            log_num(errs, i);
        }
    }
}

/* The stuffed form of a normalised body: a '.' at the start of the body or
 * after CRLF doubled, then the terminator. */
static void stuff_model(const blog *norm, blog *out)
{
    size_t i;
    int line_start = 1;

    memset(out, 0, sizeof *out);
    for (i = 0; i < norm->n; i++) {
        unsigned char c = norm->p[i];
        if (line_start && c == '.')
            log_put(out, ".", 1);
        log_put(out, &c, 1);
        line_start = c == '\n' && i > 0 && norm->p[i - 1] == '\r';
    }
    if (line_start)
        log_put(out, ".\r\n", 3);
    else
        log_put(out, "\r\n.\r\n", 5);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mw_newline_policy pol;
    uint32_t seed;
    size_t span, n;
    const char *s;
    uresult whole, other;
    blog out, errs, out2, errs2, norm, nerrs, want;

    if (size < 3)
        return 0;
    pol = (mw_newline_policy)(data[0] % 3);
    span = 1 + (size_t)(data[0] >> 2) % 16;
    seed = (uint32_t)data[1] << 8 | data[2];
    s = (const char *)data + 3;
    n = size - 3;

    /* ---- the input as a received stream ---- */
    unstuff(s, n, pol, 0, seed, span, &whole);
    unstuff_model(s, n, pol, &other);
    ures_cmp(&whole, &other, "unstuff whole vs model");
    ures_free(&other);
    unstuff(s, n, pol, 1, seed, span, &other);
    ures_cmp(&whole, &other, "unstuff whole vs chunks");
    ures_free(&other);
    if (n <= 512) {
        unstuff(s, n, pol, 2, seed, span, &other);
        ures_cmp(&whole, &other, "unstuff whole vs bytes");
        ures_free(&other);
    }
    ures_free(&whole);

    /* ---- the input as a body to send ---- */
    stuff(s, n, pol, 0, seed, span, &out, &errs);
    stuff(s, n, pol, 1, seed, span, &out2, &errs2);
    log_must_eq(&out, &out2, "stuffed output whole vs chunks");
    log_must_eq(&errs, &errs2, "stuffer errors whole vs chunks");
    normalise(s, n, pol, &norm, &nerrs);
    log_must_eq(&errs, &nerrs, "stuffer errors vs model");
    stuff_model(&norm, &want);
    log_must_eq(&out, &want, "stuffed output vs model");
    free(out2.p);
    free(errs2.p);
    free(nerrs.p);
    free(want.p);

    /* Unstuffing the output ends at its very end and gives the normalised
     * body, plus the CRLF that finish() adds to a last unterminated line. */
    if (!(norm.n == 0 ||
          (norm.n >= 2 && norm.p[norm.n - 2] == '\r' &&
           norm.p[norm.n - 1] == '\n')))
        log_put(&norm, "\r\n", 2);
    {
        int mode;
        for (mode = 0; mode < 2; mode++) {
            unstuff((const char *)out.p, out.n, pol, mode, seed, span,
                    &whole);
            CHECK(whole.ended && whole.consumed == out.n);
            log_must_eq(&whole.data, &norm, "unstuff(stuff(x)) vs x");
            /* Only the end event: the stuffed form has no bare CR/LF
             * (REJECT, ACCEPT), or PASS reads them as plain data. */
            CHECK(whole.ev.n == 2 * sizeof(uint64_t));
            ures_free(&whole);
        }
    }
    free(norm.p);
    free(out.p);
    free(errs.p);
    return 0;
}
