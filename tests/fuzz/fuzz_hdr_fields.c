/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the identification, trace and keyword field parsers
 * (include/mailwire/hdr_fields.h): msg-id lists, Message-ID, Received and
 * Keywords. The whole input is given to each as one field value.
 *
 * Checked:
 * - msg-ids: the iterator (stopping at its first error) and
 *   mw_hdr_parse_msgids() agree on ids, count, status and error offset;
 *   NOSPACE reports the total and the '<' of the first id left out; a
 *   lenient walk that goes on after errors terminates; every id lies in
 *   the value and holds '@'; mw_hdr_msgid_normalize() fits in id.len,
 *   leaves current-syntax ids unchanged, and stops cleanly when short of
 *   room; mw_hdr_parse_msgid() agrees with the iterator;
 * - Received: the split is always filled, its spans lie in the value, the
 *   status is the date parser's on date_raw, and the clause iterator walks
 *   the tokens (and, as it never fails, any bytes) in order and ends;
 * - Keywords: iterator and array agree as for msg-ids; phrases lie in the
 *   value, are not empty and have no white space at their ends.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/hdr_date.h"
#include "mailwire/hdr_fields.h"

#include "fuzz_util.h"

/* ---- msg-ids ---- */

static void check_normalize(mw_span id, unsigned flags)
{
    char *out = malloc(id.len ? id.len : 1);
    size_t n = (size_t)-1, m;
    int r;

    CHECK(out != NULL);
    r = mw_hdr_msgid_normalize(id, out, id.len, &n);
    CHECK(r == MW_OK);
    CHECK(n <= id.len);
    CHECK(memchr(out, '@', n) != NULL);
    if (!(flags & (MW_HDR_MSGID_OBS_LEFT | MW_HDR_MSGID_OBS_RIGHT)))
        CHECK(n == id.len && memcmp(out, id.ptr, n) == 0);
    if (n > 0) {
        /* One byte short: MW_E_NOSPACE with a prefix of the result. */
        char *small = malloc(n - 1 ? n - 1 : 1);
        CHECK(small != NULL);
        m = (size_t)-1;
        r = mw_hdr_msgid_normalize(id, n - 1 ? small : NULL, n - 1, &m);
        CHECK(r == MW_E_NOSPACE);
        CHECK(m <= n - 1 && memcmp(small, out, m) == 0);
        free(small);
    }
    free(out);
}

static void fuzz_msgids(const char *v, size_t len)
{
    mw_hdr_msgid_iter it;
    mw_span *ids = malloc((len / 3 + 2) * sizeof *ids), *arr, one;
    size_t n = 0, count, calls, i, first_off = 0;
    unsigned flags;
    int r, first_err = MW_OK;
    mw_error err, aerr;

    CHECK(ids != NULL);
    /* Strict walk: up to the first error. */
    mw_hdr_msgid_iter_init(&it, v, len);
    for (;;) {
        mw_span id;
        memset(&err, 0, sizeof err);
        flags = 0xFFFF;
        r = mw_hdr_msgid_next(&it, &id, &flags, &err);
        if (r == MW_DONE) {
            CHECK((flags & ~(unsigned)MW_HDR_MSGID_OBS_PHRASE) == 0);
            break;
        }
        if (r != MW_OK) {
            CHECK(r == MW_E_SYNTAX || r == MW_E_DEPTH);
            CHECK(err.code == r && err.offset <= len && err.reason != NULL);
            first_err = r;
            first_off = err.offset;
            break;
        }
        check_span(id, v, len);
        CHECK(id.len >= 3 && memchr(id.ptr, '@', id.len) != NULL);
        CHECK(id.ptr > v);
        CHECK(n < len / 3 + 1); /* "<a@b>" takes at least 5 bytes */
        if (n > 0)
            CHECK(id.ptr > ids[n - 1].ptr + ids[n - 1].len);
        ids[n++] = id;
        check_normalize(id, flags);
    }

    /* The array form. */
    arr = malloc((n + 1) * sizeof *arr);
    CHECK(arr != NULL);
    memset(&aerr, 0, sizeof aerr);
    count = (size_t)-1;
    r = mw_hdr_parse_msgids(v, len, arr, n + 1, &count, &aerr);
    CHECK(r == first_err);
    CHECK(count == n);
    for (i = 0; i < n; i++)
        CHECK(span_same(arr[i], ids[i]));
    if (r != MW_OK)
        CHECK(aerr.code == r && aerr.offset == first_off);
    if (first_err == MW_OK && n > 0) {
        size_t cap = n - 1;
        memset(&aerr, 0, sizeof aerr);
        r = mw_hdr_parse_msgids(v, len, cap ? arr : NULL, cap, &count, &aerr);
        CHECK(r == MW_E_NOSPACE);
        CHECK(count == n);
        for (i = 0; i < cap; i++)
            CHECK(span_same(arr[i], ids[i]));
        /* the '<' of the first id left out, before the id itself */
        CHECK(aerr.offset < (size_t)(ids[cap].ptr - v));
        CHECK(v[aerr.offset] == '<');
    }
    free(arr);

    /* Lenient walk: errors are skipped; it must end. */
    mw_hdr_msgid_iter_init(&it, v, len);
    for (calls = 0;; calls++) {
        mw_span id;
        CHECK(calls <= len + 1);
        r = mw_hdr_msgid_next(&it, &id, NULL, NULL);
        if (r == MW_DONE)
            break;
        if (r == MW_OK)
            check_span(id, v, len);
    }
    CHECK(mw_hdr_msgid_next(&it, &one, NULL, NULL) == MW_DONE);

    /* Exactly one msg-id: the same as the iterator's first, alone. */
    memset(&err, 0, sizeof err);
    r = mw_hdr_parse_msgid(v, len, &one, &err);
    if (r == MW_OK) {
        CHECK(first_err == MW_OK && n == 1);
        CHECK(span_same(one, ids[0]));
    } else {
        CHECK(r == MW_E_SYNTAX || r == MW_E_DEPTH);
        CHECK(err.code == r && err.offset <= len && err.reason != NULL);
    }
    free(ids);
}

/* ---- Received ---- */

static void walk_clauses(const char *t, size_t len)
{
    mw_hdr_received_iter it;
    mw_hdr_received_clause c;
    const char *prev_end = t;
    size_t calls = 0;
    int r;

    mw_hdr_received_iter_init(&it, t, len);
    while ((r = mw_hdr_received_next(&it, &c)) == MW_OK) {
        CHECK(++calls <= len + 1);
        check_span(c.raw, t, len);
        CHECK(c.raw.len > 0);
        CHECK(span_in(c.name, c.raw));
        CHECK(span_in(c.value, c.raw));
        CHECK(span_in(c.comment, c.raw));
        if (c.name.len > 0)
            CHECK(c.name.ptr == c.raw.ptr);
        CHECK(c.raw.ptr >= prev_end);
        prev_end = c.raw.ptr + c.raw.len;
    }
    CHECK(r == MW_DONE);
    CHECK(mw_hdr_received_next(&it, &c) == MW_DONE);
}

static void fuzz_received(const char *v, size_t len)
{
    mw_hdr_received rc;
    mw_error err;
    int r;

    memset(&err, 0, sizeof err);
    r = mw_hdr_parse_received(v, len, &rc, &err);
    /* hdr_fields.h says the return value is date_status, also
     * MW_E_INCOMPLETE without a ';'; received.c (and its unit tests)
     * return MW_OK then. Both are accepted until the contract is settled
     * (reported to the lead). */
    if (r == MW_OK && (rc.flags & MW_HDR_RECEIVED_NO_DATE))
        r = rc.date_status;
    CHECK(r == rc.date_status);
    check_span(rc.tokens, v, len);
    check_span(rc.date_raw, v, len);
    if (rc.tokens.len > 0)
        CHECK(!is_ws(rc.tokens.ptr[0]) &&
              !is_ws(rc.tokens.ptr[rc.tokens.len - 1]));
    if (rc.flags & MW_HDR_RECEIVED_NO_DATE) {
        CHECK(r == MW_E_INCOMPLETE && rc.date_raw.len == 0);
    } else {
        mw_hdr_datetime dt;
        int r2;
        CHECK(r != MW_E_INCOMPLETE);
        /* the date is what follows a ';', trimmed */
        CHECK(memchr(v, ';', len) != NULL);
        if (rc.date_raw.len > 0)
            CHECK(!is_ws(rc.date_raw.ptr[0]) &&
                  !is_ws(rc.date_raw.ptr[rc.date_raw.len - 1]));
        r2 = mw_hdr_parse_date(rc.date_raw.ptr, rc.date_raw.len, &dt, NULL);
        CHECK(r2 == r);
        if (r == MW_OK)
            CHECK(dt.epoch == rc.date.epoch && dt.zone == rc.date.zone);
        if (rc.tokens.len > 0 && rc.date_raw.len > 0)
            CHECK(rc.tokens.ptr + rc.tokens.len < rc.date_raw.ptr);
    }
    if (r != MW_OK && r != MW_E_INCOMPLETE)
        CHECK(err.code == r && err.offset <= len && err.reason != NULL);
    walk_clauses(rc.tokens.ptr, rc.tokens.len);
    walk_clauses(v, len);
}

/* ---- Keywords ---- */

static void fuzz_keywords(const char *v, size_t len)
{
    mw_hdr_keywords_iter it;
    mw_span *ph = malloc((len + 1) * sizeof *ph), *arr, p;
    size_t n = 0, count, i, calls, first_off = 0;
    unsigned flags;
    int r, first_err = MW_OK;
    mw_error err;

    CHECK(ph != NULL);
    mw_hdr_keywords_iter_init(&it, v, len);
    for (;;) {
        memset(&err, 0, sizeof err);
        flags = 0xFFFF;
        r = mw_hdr_keywords_next(&it, &p, &flags, &err);
        if (r == MW_DONE) {
            CHECK((flags & ~(unsigned)MW_HDR_KEYWORDS_EMPTY) == 0);
            break;
        }
        if (r != MW_OK) {
            CHECK(r == MW_E_SYNTAX || r == MW_E_DEPTH);
            CHECK(err.code == r && err.offset <= len && err.reason != NULL);
            first_err = r;
            first_off = err.offset;
            break;
        }
        check_span(p, v, len);
        CHECK(p.len > 0);
        CHECK(!is_ws(p.ptr[0]) && !is_ws(p.ptr[p.len - 1]));
        CHECK(n <= len);
        if (n > 0)
            CHECK(p.ptr >= ph[n - 1].ptr + ph[n - 1].len);
        ph[n++] = p;
    }
    arr = malloc((n + 1) * sizeof *arr);
    CHECK(arr != NULL);
    memset(&err, 0, sizeof err);
    count = (size_t)-1;
    r = mw_hdr_parse_keywords(v, len, arr, n + 1, &count, &err);
    CHECK(r == first_err && count == n);
    for (i = 0; i < n; i++)
        CHECK(span_same(arr[i], ph[i]));
    if (r != MW_OK)
        CHECK(err.code == r && err.offset == first_off);
    if (first_err == MW_OK && n > 0) {
        r = mw_hdr_parse_keywords(v, len, n > 1 ? arr : NULL, n - 1, &count,
                                  NULL);
        CHECK(r == MW_E_NOSPACE && count == n);
        for (i = 0; i + 1 < n; i++)
            CHECK(span_same(arr[i], ph[i]));
    }
    free(arr);

    mw_hdr_keywords_iter_init(&it, v, len);
    for (calls = 0;; calls++) {
        CHECK(calls <= len + 1);
        r = mw_hdr_keywords_next(&it, &p, NULL, NULL);
        if (r == MW_DONE)
            break;
        if (r == MW_OK)
            check_span(p, v, len);
    }
    free(ph);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *v = malloc(size ? size : 1);
    if (v == NULL)
        return 0;
    if (size)
        memcpy(v, data, size);
    fuzz_msgids(v, size);
    fuzz_received(v, size);
    fuzz_keywords(v, size);
    free(v);
    return 0;
}
