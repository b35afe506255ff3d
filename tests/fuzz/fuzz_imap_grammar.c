/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the IMAP grammar helpers (lib/imap/grammar.h and
 * the public functions of mailwire/imap.h).
 *
 * Input: byte 0 picks what is fed the rest (low 3 bits) and options (the
 * other bits):
 *   0 modified UTF-7: decode; what decodes re-encodes to the same bytes
 *     (only the shortest form is accepted); what is valid UTF-8 encodes and
 *     decodes back; a short output buffer gives NOSPACE with the same size
 *     needed.
 *   1 sequence set: parse; against a model of RFC 9051 sequence-set; the
 *     ranges iterate to the count, normalised, with "*" replaced; the
 *     output builder writes the same text.
 *   2 date-time and date: parse; what parses formats, and the format
 *     parses back to the same fields; the format of the date-time is the
 *     input (quotes off, day zero-padded, month capitalised).
 *   3 flag lists: parse (perm from bit 3); flags_next walks exactly count
 *     flags, which join back to the text; "(" text ")" parses the same.
 *   4 the lexer over a frame: a chain of token readers picked by the
 *     option bits, then skip_value; spans inside the frame or the arena,
 *     errors sticky with offsets inside the frame.
 *   5 capabilities: parse and iterate; every token is counted once.
 *   6 strings out and back: the form chosen by mw__imap_str_form, written
 *     by the output builder (atom, quoted or inline literal) and read back
 *     by the lexer, gives the same bytes.
 * The input is copied into an exact-size heap buffer, so ASan sees any
 * read past the end.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/grammar.h"
#include "mailwire/codec.h"

#include "fuzz_util.h"

static int in_range(const void *p, size_t n, const void *base, size_t len)
{
    const char *a = p, *b = base;
    return n == 0 || (a >= b && a + n <= b + len);
}

/* ---- 0: modified UTF-7 ---- */

static void do_mutf7(const char *s, size_t n)
{
    size_t cap = 2 * n + 8, len = 0, len2 = 0, need = 0;
    char *u = malloc(cap), *m = malloc(5 * cap + 8), *small;
    mw_error err;
    int rc;
    CHECK(u != NULL && m != NULL);
    rc = mw_imap_mutf7_decode(s, n, u, cap, &len, &err);
    CHECK(rc == MW_OK || rc == MW_E_SYNTAX);
    if (rc == MW_OK) {
        CHECK(len <= cap);
        CHECK(mw_utf8_check(u, len, NULL) == MW_OK);
        CHECK(memchr(u, 0, len) == NULL);
        CHECK(mw_imap_mutf7_encode(u, len, m, 5 * cap + 8, &len2, NULL) == MW_OK);
        CHECK(len2 == n && memcmp(m, s, n) == 0);
        if (len > 0) {
            small = malloc(len - 1 ? len - 1 : 1);
            CHECK(small != NULL);
            CHECK(mw_imap_mutf7_decode(s, n, small, len - 1, &need, NULL) ==
                  MW_E_NOSPACE);
            CHECK(need == len);
            CHECK(memcmp(small, u, len - 1) == 0);
            free(small);
        }
    } else {
        CHECK(err.offset <= n && err.reason != NULL);
    }
    /* the input as UTF-8 */
    rc = mw_imap_mutf7_encode(s, n, m, 5 * cap + 8, &len2, &err);
    if (mw_utf8_check(s, n, NULL) == MW_OK && memchr(s, 0, n) == NULL) {
        CHECK(rc == MW_OK);
        CHECK(len2 <= 5 * n);
        CHECK(mw_imap_mutf7_decode(m, len2, u, cap, &len, NULL) == MW_OK);
        CHECK(len == n && memcmp(u, s, n) == 0);
    } else {
        CHECK(rc == MW_E_UTF8 && err.offset < n);
    }
    free(u);
    free(m);
}

/* ---- 1: sequence sets ---- */

/* RFC 9051 §9, written plainly: elements of nz-number or "*", ranges. */
static int model_seqset(const char *s, size_t n, uint32_t *ranges)
{
    size_t i = 0;
    uint32_t count = 0;
    if (n == 1 && s[0] == '$') {
        *ranges = 0;
        return 1;
    }
    for (;;) {
        int k;
        for (k = 0; k < 2; k++) {
            if (i < n && s[i] == '*') {
                i++;
            } else {
                uint64_t v = 0;
                size_t st = i;
                if (i >= n || s[i] < '1' || s[i] > '9')
                    return 0;
                while (i < n && s[i] >= '0' && s[i] <= '9') {
                    v = v * 10 + (uint64_t)(s[i] - '0');
                    if (v > 4294967295u || i - st > 10)
                        return 0;
                    i++;
                }
            }
            if (k == 0 && i < n && s[i] == ':')
                i++;
            else
                break;
        }
        count++;
        if (i == n)
            break;
        if (s[i] != ',')
            return 0;
        i++;
    }
    *ranges = count;
    return 1;
}

static void do_seqset(const char *s, size_t n, unsigned opt)
{
    mw_imap_seqset set;
    mw_error err;
    uint32_t want = 0, lo, hi, count = 0, star = opt * 977u;
    int rc = mw_imap_seqset_parse(s, n, &set, &err);
    int ok = model_seqset(s, n, &want);
    CHECK((rc == MW_OK) == ok);
    if (rc != MW_OK) {
        CHECK(rc == MW_E_SYNTAX || rc == MW_E_OVERFLOW);
        CHECK(err.offset <= n);
        return;
    }
    CHECK(set.ranges == want);
    CHECK(set.dollar == (n == 1 && s[0] == '$'));
    CHECK(set.has_star == (memchr(s, '*', n) != NULL));
    if (!set.dollar)
        CHECK(set.text.ptr == s && set.text.len == n);
    {
        mw_imap_seq_iter it;
        mw_imap_seq_iter_init(&it, &set, star);
        while (mw_imap_seq_next(&it, &lo, &hi)) {
            CHECK(lo <= hi);
            CHECK(lo >= 1 || (star == 0 && set.has_star));
            count++;
        }
        CHECK(count == want);
    }
    {
        char out[64];
        mw__imap_out o;
        mw__imap_out_init(&o, out, sizeof out);
        mw__imap_out_seqset(&o, &set);
        if (n <= sizeof out)
            CHECK(o.status == MW_OK && o.len == n && memcmp(out, s, n) == 0);
        else
            CHECK(o.status == MW_E_NOSPACE);
    }
}

/* ---- 2: dates ---- */

static void do_dates(const char *s, size_t n)
{
    mw_imap_datetime d, d2;
    mw_error err;
    char out[32];
    size_t len = 0;
    int rc = mw_imap_datetime_parse(s, n, &d, &err);
    CHECK(rc == MW_OK || rc == MW_E_SYNTAX || rc == MW_E_DATE);
    if (rc == MW_OK) {
        const char *t = s;
        size_t tn = n;
        CHECK(mw_imap_datetime_format(&d, out, sizeof out, &len) == MW_OK);
        CHECK(len == MW_IMAP_DATETIME_LEN);
        CHECK(mw_imap_datetime_parse(out, len, &d2, NULL) == MW_OK);
        CHECK(memcmp(&d, &d2, sizeof d) == 0);
        if (tn > 0 && t[0] == '"') {
            t++;
            tn -= 2;
        }
        CHECK(tn == 26);
        CHECK(memcmp(out + 6, t + 6, 20) == 0); /* after the month */
        CHECK(out[1] == t[1] && out[2] == '-');
        CHECK(out[0] == (t[0] == ' ' ? '0' : t[0]));
    } else {
        CHECK(err.offset <= n);
    }
    rc = mw_imap_date_parse(s, n, &d, &err);
    CHECK(rc == MW_OK || rc == MW_E_SYNTAX || rc == MW_E_DATE);
    if (rc == MW_OK) {
        CHECK(mw_imap_date_format(&d, out, sizeof out, &len) == MW_OK);
        CHECK(len == 10 || len == 11);
        CHECK(mw_imap_date_parse(out, len, &d2, NULL) == MW_OK);
        CHECK(memcmp(&d, &d2, sizeof d) == 0);
        CHECK(d.hour == 0 && d.zone == 0);
    }
}

/* ---- 3: flags ---- */

static void do_flags(const char *s, size_t n, unsigned opt)
{
    mw_imap_flags f, f2;
    mw_error err;
    int perm = (int)(opt & 1);
    int rc = mw_imap_flags_parse(s, n, perm, &f, &err);
    CHECK(rc == MW_OK || rc == MW_E_SYNTAX);
    if (rc == MW_OK) {
        size_t pos = 0, total = 0;
        uint32_t count = 0;
        mw_span fl;
        while (mw_imap_flags_next(&f, &pos, &fl)) {
            CHECK(in_range(fl.ptr, fl.len, f.text.ptr, f.text.len));
            CHECK(fl.len > 0);
            CHECK(memchr(fl.ptr, ' ', fl.len) == NULL);
            total += fl.len;
            count++;
        }
        CHECK(count == f.count);
        CHECK(f.text.len == total + (count ? count - 1 : 0));
        CHECK((f.system & MW_IMAP_FLAG_WILDCARD) == 0 || perm);
        if (n == 0 || s[0] != '(') {
            char *w = malloc(n + 2);
            CHECK(w != NULL);
            w[0] = '(';
            if (n)
                memcpy(w + 1, s, n);
            w[n + 1] = ')';
            CHECK(mw_imap_flags_parse(w, n + 2, perm, &f2, NULL) == MW_OK);
            CHECK(f2.count == f.count && f2.system == f.system);
            free(w);
        }
    } else {
        CHECK(err.offset <= n);
    }
}

/* ---- 4: the lexer ---- */

static void do_lex(const char *s, size_t n, unsigned opt)
{
    static unsigned char mem[512];
    mw__imap_arena a;
    mw__imap_lex L;
    unsigned flags = opt & 7u;
    unsigned step = 0;
    mw__imap_arena_init(&a, mem, (opt & 8) ? sizeof mem : 16);
    mw__imap_lex_init(&L, s, n, 7, &a, flags);
    while (L.status == MW_OK && !mw__imap_lex_eof(&L) && step < 64) {
        mw_span sp = {NULL, 0};
        uint32_t v32;
        uint64_t v64;
        int bin;
        mw_imap_seqset set;
        mw_imap_flags fl;
        mw_imap_datetime dt;
        const char *before = L.p;
        switch (((unsigned)(unsigned char)*L.p + step++) % 14u) {
        case 0: (void)mw__imap_lex_atom(&L, &sp); break;
        case 1: (void)mw__imap_lex_astring(&L, &sp); break;
        case 2: (void)mw__imap_lex_nstring(&L, &sp); break;
        case 3: (void)mw__imap_lex_quoted(&L, &sp); break;
        case 4: (void)mw__imap_lex_literal(&L, &sp, &bin); break;
        case 5: (void)mw__imap_lex_number(&L, &v32); break;
        case 6: (void)mw__imap_lex_number64(&L, &v64); break;
        case 7: (void)mw__imap_lex_seqset(&L, &set); break;
        case 8: (void)mw__imap_lex_flag_list(&L, (int)(opt & 16), &fl); break;
        case 9: (void)mw__imap_lex_datetime(&L, &dt); break;
        case 10: (void)mw__imap_lex_skip_value(&L, 1 + (opt >> 5), &sp); break;
        case 11: (void)mw__imap_lex_mailbox(&L, &sp); break;
        case 12: (void)mw__imap_lex_list_mailbox(&L, &sp); break;
        default:
            if (!mw__imap_lex_accept(&L, ' '))
                (void)mw__imap_lex_sp_opt(&L);
            break;
        }
        if (sp.ptr != NULL && sp.len > 0)
            CHECK(in_range(sp.ptr, sp.len, s, n) ||
                  in_range(sp.ptr, sp.len, mem, sizeof mem) ||
                  (sp.len == 5 && memcmp(sp.ptr, "INBOX", 5) == 0));
        CHECK(L.p >= before && L.p <= L.end);
        if (L.status == MW_OK && L.p == before)
            break; /* a reader that takes nothing: move on */
    }
    if (L.status != MW_OK) {
        size_t off = L.err_offset;
        int st = L.status;
        CHECK(off >= 7 && off <= 7 + n);
        CHECK(L.reason != NULL);
        /* sticky */
        CHECK(mw__imap_lex_end(&L) == st && L.err_offset == off);
    }
}

/* ---- 5: capabilities ---- */

static void do_caps(const char *s, size_t n)
{
    mw_imap_caps c;
    size_t pos = 0, toks = 0;
    mw_span t;
    CHECK(mw_imap_caps_parse(s, n, &c) == MW_OK);
    while (mw_imap_caps_next(s, n, &pos, &t)) {
        CHECK(t.len > 0 && in_range(t.ptr, t.len, s, n));
        CHECK(memchr(t.ptr, ' ', t.len) == NULL);
        CHECK(mw_imap_caps_has(s, n, "IMAP4rev1") ||
              !(c.bits & MW_IMAP_CAP_IMAP4REV1));
        toks++;
    }
    CHECK(c.unknown <= toks);
}

/* ---- 6: strings out and back ---- */

static void do_strings(const char *s, size_t n, unsigned opt)
{
    unsigned flags = opt & (MW__IMAP_STR_ASTRING | MW__IMAP_STR_UTF8 |
                            MW__IMAP_STR_NO_ATOM);
    mw__imap_strform form = mw__imap_str_form(s, n, flags);
    size_t cap = 2 * n + 32;
    char *buf = malloc(cap);
    mw__imap_out o;
    mw__imap_lex L;
    mw__imap_arena a;
    unsigned char *mem = malloc(n + 1);
    mw_span back;
    CHECK(buf != NULL && mem != NULL);
    mw__imap_out_init(&o, buf, cap);
    if (form == MW__IMAP_FORM_ATOM || form == MW__IMAP_FORM_QUOTED)
        mw__imap_out_string(&o, s, n, flags);
    else
        mw__imap_out_nstring_any(&o, mw__span(s, n), flags | MW__IMAP_STR_BINARY);
    CHECK(o.status == MW_OK);
    mw__imap_arena_init(&a, mem, n + 1);
    mw__imap_lex_init(&L, buf, o.len,
                      0, &a, (flags & MW__IMAP_STR_UTF8) ? MW__IMAP_LEX_UTF8 : 0);
    if (form == MW__IMAP_FORM_LITERAL8) {
        int bin = 0;
        CHECK(mw__imap_lex_literal(&L, &back, &bin) == MW_OK && bin == 1);
    } else if (flags & MW__IMAP_STR_ASTRING) {
        CHECK(mw__imap_lex_astring(&L, &back) == MW_OK);
    } else {
        CHECK(mw__imap_lex_nstring(&L, &back) == MW_OK);
    }
    CHECK(mw__imap_lex_end(&L) == MW_OK);
    CHECK(back.ptr != NULL && back.len == n);
    CHECK(n == 0 || memcmp(back.ptr, s, n) == 0);
    if (form == MW__IMAP_FORM_ATOM)
        CHECK(o.len == n);
    /* atom/quoted never carry CR, LF or NUL */
    if (form <= MW__IMAP_FORM_QUOTED)
        CHECK(memchr(buf, '\r', o.len) == NULL && memchr(buf, '\n', o.len) == NULL &&
              memchr(buf, 0, o.len) == NULL);
    free(buf);
    free(mem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s;
    size_t n;
    unsigned opt;
    if (size < 1)
        return 0;
    opt = data[0] >> 3;
    n = size - 1;
    s = malloc(n ? n : 1);
    CHECK(s != NULL);
    if (n)
        memcpy(s, data + 1, n);
    switch (data[0] & 7) {
    case 0: do_mutf7(s, n); break;
    case 1: do_seqset(s, n, opt); break;
    case 2: do_dates(s, n); break;
    case 3: do_flags(s, n, opt); break;
    case 4: do_lex(s, n, opt); break;
    case 5: do_caps(s, n); break;
    default: do_strings(s, n, opt); break;
    }
    free(s);
    return 0;
}
