/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the RFC 5322 address parsers
 * (include/mailwire/hdr_address.h).
 *
 * Input: byte 0 picks the options (MAILBOX_LIST, STRICT) and a split point
 * for the iterator copy; the rest is one field value. Checked:
 * - the iterator and mw_hdr_parse_addresses() give the same entries (every
 *   span, flag, offset and error), and the array form's status, count and
 *   error follow its contract for every capacity around the count;
 * - a copy of the iterator taken mid-way goes on exactly like the
 *   original;
 * - every span lies inside the value; `offset` is where `raw` starts; raw
 *   has no white space at its ends; entries come in order, without
 *   overlap;
 * - flags agree with `error` and with the options (STRICT makes the
 *   obsolete and lenient forms invalid; MAILBOX_LIST makes group entries
 *   invalid);
 * - mw_hdr_addr_spec() refuses INVALID entries and empty groups, and for
 *   every valid entry writes within the documented capacity an addr-spec
 *   that parses back to one valid entry with the same addr-spec;
 * - the same for mw_hdr_parse_return_path().
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/hdr_address.h"

#include "fuzz_util.h"

#define OBS_FLAGS                                                            \
    (MW_HDR_ADDR_OBS_ROUTE | MW_HDR_ADDR_OBS_LOCAL | MW_HDR_ADDR_OBS_DOMAIN | \
     MW_HDR_ADDR_OBS_PHRASE | MW_HDR_ADDR_OBS_TEXT | MW_HDR_ADDR_NO_DOMAIN |  \
     MW_HDR_ADDR_SEMICOLON)

static int same_entry(const mw_hdr_address *a, const mw_hdr_address *b)
{
    return span_same(a->raw, b->raw) && span_same(a->display, b->display) &&
           span_same(a->local, b->local) && span_same(a->domain, b->domain) &&
           span_same(a->route, b->route) &&
           span_same(a->comment, b->comment) &&
           span_same(a->group, b->group) && a->flags == b->flags &&
           a->offset == b->offset && a->error.code == b->error.code &&
           a->error.offset == b->error.offset &&
           (a->error.code == MW_OK || a->error.reason == b->error.reason);
}


/* What a domain literal stands for: quoted-pairs resolved, unescaped
 * white space (FWS) dropped. */
static size_t literal_content(mw_span d, char *out)
{
    size_t i, o = 0;
    for (i = 0; i < d.len; i++) {
        char c = d.ptr[i];
        if (c == '\\' && i + 1 < d.len) {
            out[o++] = d.ptr[++i];
        } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            out[o++] = c;
        }
    }
    return o;
}

/* Write the addr-spec of a valid entry, check the capacity rules and that
 * it parses back to the same addr-spec. */
static void check_spec(const mw_hdr_address *a)
{
    size_t cap = a->local.len + a->domain.len + 3, n = (size_t)-1, n2;
    char *out = malloc(cap), *small;
    mw_hdr_address back[2];
    size_t count = 0;
    int r;

    CHECK(out != NULL);
    r = mw_hdr_addr_spec(a, out, cap, &n);
    if (r == MW_E_SYNTAX && (a->flags & MW_HDR_ADDR_OBS_TEXT)) {
        /* an obsolete quoted-pair of CR, LF or NUL: no canonical form */
        free(out);
        return;
    }
    if (r != MW_OK) {
        fprintf(stderr, "addr_spec of a valid entry: %d (%.*s)\n", r,
                (int)a->raw.len, a->raw.ptr);
        abort();
    }
    CHECK(n <= cap);
    if (a->flags & MW_HDR_ADDR_NULL) {
        CHECK(n == 0);
        free(out);
        return;
    }
    CHECK(n > 0);
    /* the canonical address never carries a line end (injection) */
    CHECK(memchr(out, '\r', n) == NULL && memchr(out, '\n', n) == NULL);
    /* Too small by one: MW_E_NOSPACE with the size needed. */
    small = malloc(n);
    CHECK(small != NULL);
    n2 = 0;
    CHECK(mw_hdr_addr_spec(a, small, n - 1, &n2) == MW_E_NOSPACE);
    CHECK(n2 == n);
    free(small);

    /* The canonical form is itself an address with the same addr-spec. */
    r = mw_hdr_parse_addresses(out, n, 0, back, 2, &count, NULL);
    if (r != MW_OK || count != 1) {
        size_t i;
        fprintf(stderr, "addr-spec of [%.*s] does not parse back (%d, %zu):",
                (int)a->raw.len, a->raw.ptr, r, count);
        for (i = 0; i < n; i++)
            fprintf(stderr, " %02x", (unsigned char)out[i]);
        fprintf(stderr, "\n");
        abort();
    }
    {
        char *again = malloc(n + 3);
        size_t m = 0;
        CHECK(again != NULL);
        CHECK(mw_hdr_addr_spec(&back[0], again, n + 3, &m) == MW_OK);
        if (m != n || memcmp(again, out, n) != 0) {
            fprintf(stderr, "addr-spec not stable: \"%.*s\" -> \"%.*s\"\n",
                    (int)n, out, (int)m, again);
            abort();
        }
        free(again);
    }
    /* A domain literal keeps what it stands for. */
    if (a->flags & MW_HDR_ADDR_DOMAIN_LITERAL) {
        char *c1 = malloc(a->domain.len + 1), *c2;
        size_t l1, l2;
        CHECK(back[0].flags & MW_HDR_ADDR_DOMAIN_LITERAL);
        c2 = malloc(back[0].domain.len + 1);
        CHECK(c1 != NULL && c2 != NULL);
        l1 = literal_content(a->domain, c1);
        l2 = literal_content(back[0].domain, c2);
        if (l1 != l2 || memcmp(c1, c2, l1) != 0) {
            fprintf(stderr, "domain literal changed: %.*s -> %.*s\n",
                    (int)a->domain.len, a->domain.ptr, (int)back[0].domain.len,
                    back[0].domain.ptr);
            abort();
        }
        (void)l1;
        (void)l2;
        free(c1);
        free(c2);
    }
    free(out);
}

static void check_entry(const mw_hdr_address *a, const char *v, size_t len,
                        unsigned opts)
{
    char dummy[4];
    size_t n = 7;
    int r;

    check_span(a->raw, v, len);
    check_span(a->display, v, len);
    check_span(a->local, v, len);
    check_span(a->domain, v, len);
    check_span(a->route, v, len);
    check_span(a->comment, v, len);
    check_span(a->group, v, len);
    CHECK(a->raw.len > 0);
    CHECK(a->offset == (size_t)(a->raw.ptr - v));
    CHECK(!is_ws(a->raw.ptr[0]) && !is_ws(a->raw.ptr[a->raw.len - 1]));
    if (!(a->flags & MW_HDR_ADDR_GROUP_EMPTY)) {
        CHECK(span_in(a->local, a->raw));
        CHECK(span_in(a->domain, a->raw));
        CHECK(span_in(a->display, a->raw));
        CHECK(span_in(a->route, a->raw));
    }
    if (a->flags & MW_HDR_ADDR_INVALID) {
        CHECK(a->error.code == MW_E_SYNTAX || a->error.code == MW_E_DEPTH ||
              a->error.code == MW_E_NUL || a->error.code == MW_E_UTF8);
        CHECK(a->error.offset <= len && a->error.reason != NULL);
    } else {
        CHECK(a->error.code == MW_OK);
        if (opts & MW_HDR_ADDR_STRICT)
            CHECK((a->flags & OBS_FLAGS) == 0);
        if (opts & MW_HDR_ADDR_MAILBOX_LIST)
            CHECK((a->flags & (MW_HDR_ADDR_IN_GROUP |
                               MW_HDR_ADDR_GROUP_EMPTY)) == 0);
    }
    if (a->flags & MW_HDR_ADDR_GROUP_EMPTY) {
        CHECK(a->local.len == 0 && a->domain.len == 0);
        CHECK(a->flags & MW_HDR_ADDR_GROUP_END);
        CHECK(a->group.len > 0 || (a->flags & MW_HDR_ADDR_INVALID));
    }
    if (a->flags & MW_HDR_ADDR_IN_GROUP)
        CHECK(a->group.len > 0 || (a->flags & MW_HDR_ADDR_INVALID));
    if ((a->flags & MW_HDR_ADDR_NO_DOMAIN) && !(a->flags & MW_HDR_ADDR_INVALID))
        CHECK(a->domain.len == 0);

    r = mw_hdr_addr_spec(a, dummy, sizeof dummy, &n);
    if (a->flags & MW_HDR_ADDR_GROUP_EMPTY) {
        CHECK(r == MW_E_INVAL || (r == MW_E_SYNTAX &&
                                  (a->flags & MW_HDR_ADDR_INVALID)));
    } else if (a->flags & MW_HDR_ADDR_INVALID) {
        CHECK(r == MW_E_SYNTAX);
        CHECK(n == 0);
    } else if (r == MW_E_SYNTAX) {
        /* only an obsolete quoted-pair of CR, LF or NUL (OBS_TEXT or NUL
         * inside quotes) has no canonical form */
        CHECK(a->flags & MW_HDR_ADDR_OBS_TEXT);
        CHECK(n == 0);
    } else {
        CHECK(r == MW_OK || r == MW_E_NOSPACE);
        check_spec(a);
    }
}

/* Collect all entries with the iterator; a copy of the iterator taken
 * after `split` entries must yield the same rest. */
static size_t iterate(const char *v, size_t len, unsigned opts, size_t split,
                      mw_hdr_address **out)
{
    mw_hdr_addr_iter it, copy;
    mw_hdr_address e;
    size_t n = 0, cap = 16, k = 0;
    mw_hdr_address *list = malloc(cap * sizeof *list);
    int copied = 0, r;

    CHECK(list != NULL);
    mw_hdr_addr_iter_init(&it, v, len, opts);
    for (;;) {
        if (n == split && !copied) {
            copy = it;
            copied = 1;
            k = n;
        }
        r = mw_hdr_addr_next(&it, &e);
        if (r == MW_DONE)
            break;
        CHECK(r == MW_OK);
        CHECK(n <= len); /* each entry takes at least one byte */
        if (n == cap) {
            cap *= 2;
            list = realloc(list, cap * sizeof *list);
            CHECK(list != NULL);
        }
        list[n++] = e;
    }
    CHECK(mw_hdr_addr_next(&it, &e) == MW_DONE);
    CHECK(mw_hdr_addr_next(NULL, &e) == MW_E_INVAL);
    CHECK(mw_hdr_addr_next(&it, NULL) == MW_E_INVAL);
    if (copied) {
        while ((r = mw_hdr_addr_next(&copy, &e)) == MW_OK) {
            CHECK(k < n);
            CHECK(same_entry(&e, &list[k]));
            k++;
        }
        CHECK(r == MW_DONE && k == n);
    }
    *out = list;
    return n;
}

static void check_array(const char *v, size_t len, unsigned opts,
                        const mw_hdr_address *list, size_t n)
{
    mw_hdr_address *arr = malloc((n + 1) * sizeof *arr);
    size_t count = (size_t)-1, i, first_bad = n;
    mw_error err;
    int r;

    CHECK(arr != NULL);
    for (i = 0; i < n && first_bad == n; i++)
        if (list[i].flags & MW_HDR_ADDR_INVALID)
            first_bad = i;

    memset(&err, 0, sizeof err);
    r = mw_hdr_parse_addresses(v, len, opts, arr, n + 1, &count, &err);
    CHECK(count == n);
    for (i = 0; i < n; i++)
        CHECK(same_entry(&arr[i], &list[i]));
    if (first_bad == n) {
        CHECK(r == MW_OK);
    } else {
        CHECK(r == MW_E_SYNTAX);
        CHECK(err.offset == list[first_bad].error.offset);
        CHECK(err.reason == list[first_bad].error.reason);
    }

    if (n > 0) {
        size_t cap = n - 1;
        memset(&err, 0, sizeof err);
        count = (size_t)-1;
        r = mw_hdr_parse_addresses(v, len, opts, cap ? arr : NULL, cap, &count,
                                   &err);
        CHECK(r == MW_E_NOSPACE);
        CHECK(count == cap);
        CHECK(err.offset == list[cap].offset);
        for (i = 0; i < cap; i++)
            CHECK(same_entry(&arr[i], &list[i]));
    }
    CHECK(mw_hdr_parse_addresses(v, len, opts, arr, n + 1, NULL, NULL) ==
          MW_E_INVAL);
    free(arr);
}

static void check_return_path(const char *v, size_t len)
{
    mw_hdr_address a;
    mw_error err;
    int r;

    memset(&err, 0, sizeof err);
    r = mw_hdr_parse_return_path(v, len, &a, &err);
    check_span(a.raw, v, len);
    check_span(a.local, v, len);
    check_span(a.domain, v, len);
    check_span(a.route, v, len);
    check_span(a.display, v, len);
    check_span(a.comment, v, len);
    if (r == MW_OK) {
        CHECK(!(a.flags & MW_HDR_ADDR_INVALID));
        CHECK(a.error.code == MW_OK);
        if (a.flags & MW_HDR_ADDR_NULL)
            CHECK(a.local.len == 0 && a.domain.len == 0);
        check_spec(&a);
    } else {
        CHECK(r == MW_E_SYNTAX);
        CHECK(a.flags & MW_HDR_ADDR_INVALID);
        CHECK(a.error.code != MW_OK && a.error.offset <= len);
        CHECK(err.offset <= len && err.reason != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned opts;
    size_t len, n, i, split;
    char *v;
    mw_hdr_address *list = NULL;

    if (size < 1)
        return 0;
    opts = data[0] & 3u;
    split = data[0] >> 2;
    len = size - 1;
    v = malloc(len ? len : 1);
    CHECK(v != NULL);
    if (len)
        memcpy(v, data + 1, len);

    n = iterate(v, len, opts, split, &list);
    for (i = 0; i < n; i++) {
        check_entry(&list[i], v, len, opts);
        if (i > 0) {
            CHECK(list[i].offset >= list[i - 1].offset);
            /* raw spans do not overlap (an empty group's raw may hold the
             * group name the next group's entries do not use) */
            CHECK(list[i].offset >= list[i - 1].offset + list[i - 1].raw.len);
        }
    }
    check_array(v, len, opts, list, n);
    free(list);
    check_return_path(v, len);
    free(v);
    return 0;
}
