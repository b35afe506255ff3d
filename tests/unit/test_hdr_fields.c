/* SPDX-License-Identifier: MIT */
/* RFC 5322 msg-id lists (§3.6.4, §4.5.4), Received: (§3.6.7, RFC 5321
 * §4.4) and Keywords: (§3.6.5, §4.5.5). The Received: fields below were
 * written for these tests in the shapes Postfix, Exim, Gmail, Exchange,
 * qmail and sendmail produce. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/hdr_fields.h"
#include "reason.h"

/* An exact-size heap copy, so ASan sees any read past the end. */
static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, s, n);
    return p;
}

static int span_is(mw_span s, const char *want)
{
    return s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
}

#define assert_span(s, want)                                                  \
    do {                                                                      \
        if (!span_is((s), (want)))                                            \
            fail_msg("span \"%.*s\", expected \"%s\"", (int)(s).len,          \
                     (s).ptr ? (s).ptr : "", (want));                         \
    } while (0)

/* ==================================================================== */
/* msg-id                                                                */
/* ==================================================================== */

static void test_msgid_appendix_a(void **state)
{
    static const struct {
        const char *value, *id;
    } single[] = {
        {" <1234@local.machine.example>", "1234@local.machine.example"},   /* A.1.1 */
        {" <5678.21-Nov-1997@example.com>", "5678.21-Nov-1997@example.com"}, /* A.1.2 */
        {" <testabcd.1234@silly.example>", "testabcd.1234@silly.example"},  /* A.1.3 */
        {" <3456@example.net>", "3456@example.net"},                        /* A.2 */
        {" <abcd.1234@local.machine.test>", "abcd.1234@local.machine.test"},
        {" <78910@example.net>", "78910@example.net"},                      /* A.3 */
        {" <1234@local.node.example>", "1234@local.node.example"},          /* A.4 */
        {"              <testabcd.1234@silly.test>", "testabcd.1234@silly.test"}, /* A.5 */
    };
    mw_span id, ids[4];
    mw_error e;
    size_t i, n;
    unsigned f;
    mw_hdr_msgid_iter it;
    (void)state;

    for (i = 0; i < sizeof(single) / sizeof(single[0]); i++) {
        size_t len = strlen(single[i].value);
        char *v = dup_n(single[i].value, len);
        assert_int_equal(mw_hdr_parse_msgid(v, len, &id, &e), MW_OK);
        assert_span(id, single[i].id);
        mw_hdr_msgid_iter_init(&it, v, len);
        assert_int_equal(mw_hdr_msgid_next(&it, &id, &f, &e), MW_OK);
        assert_int_equal(f, 0);
        assert_span(id, single[i].id);
        assert_int_equal(mw_hdr_msgid_next(&it, &id, &f, &e), MW_DONE);
        assert_int_equal(f, 0);
        free(v);
    }

    /* A.2: In-Reply-To and References */
    const char *refs = " <1234@local.machine.example> <3456@example.net>";
    assert_int_equal(mw_hdr_parse_msgids(refs, strlen(refs), ids, 4, &n, &e), MW_OK);
    assert_int_equal(n, 2);
    assert_span(ids[0], "1234@local.machine.example");
    assert_span(ids[1], "3456@example.net");

    /* A.6.3: CFWS inside the identifier (obsolete) */
    const char *obs = "  <1234   @   local(blah)  .machine .example>";
    char norm[64];
    size_t nl;
    assert_int_equal(mw_hdr_parse_msgid(obs, strlen(obs), &id, &e), MW_OK);
    assert_span(id, "1234   @   local(blah)  .machine .example");
    assert_int_equal(mw_hdr_msgid_normalize(id, norm, sizeof(norm), &nl), MW_OK);
    assert_int_equal(nl, strlen("1234@local.machine.example"));
    assert_memory_equal(norm, "1234@local.machine.example", nl);
    mw_hdr_msgid_iter_init(&it, obs, strlen(obs));
    assert_int_equal(mw_hdr_msgid_next(&it, &id, &f, &e), MW_OK);
    assert_int_equal(f, MW_HDR_MSGID_OBS_LEFT | MW_HDR_MSGID_OBS_RIGHT | MW_HDR_MSGID_COMMENTS);
}

static void test_msgid_obs_phrases(void **state)
{
    mw_hdr_msgid_iter it;
    mw_span id;
    unsigned f;
    mw_error e;
    const char *v;
    (void)state;

    /* obs-in-reply-to: *(phrase / msg-id), phrases ignored (§4.5.4) */
    v = " \"Mary Smith's message of\" <3456@example.net>";
    mw_hdr_msgid_iter_init(&it, v, strlen(v));
    assert_int_equal(mw_hdr_msgid_next(&it, &id, &f, &e), MW_OK);
    assert_span(id, "3456@example.net");
    assert_int_equal(f, MW_HDR_MSGID_OBS_PHRASE);
    assert_int_equal(mw_hdr_msgid_next(&it, &id, &f, &e), MW_DONE);
    assert_int_equal(f, 0);

    v = "Your message of Fri. 21 Nov <a@b.example> and <c@d.example> (comment) end .";
    mw_hdr_msgid_iter_init(&it, v, strlen(v));
    assert_int_equal(mw_hdr_msgid_next(&it, &id, &f, &e), MW_OK);
    assert_span(id, "a@b.example");
    assert_int_equal(f, MW_HDR_MSGID_OBS_PHRASE);
    assert_int_equal(mw_hdr_msgid_next(&it, &id, &f, &e), MW_OK);
    assert_span(id, "c@d.example");
    assert_int_equal(f, MW_HDR_MSGID_OBS_PHRASE | MW_HDR_MSGID_COMMENTS);
    assert_int_equal(mw_hdr_msgid_next(&it, &id, &f, &e), MW_DONE);
    assert_int_equal(f, MW_HDR_MSGID_OBS_PHRASE);
    /* DONE stays DONE */
    assert_int_equal(mw_hdr_msgid_next(&it, &id, &f, &e), MW_DONE);
    assert_int_equal(f, 0);

    /* a '.' may only continue a phrase (obs-phrase = word *(word / "." / CFWS)) */
    v = ". <a@b>";
    mw_hdr_msgid_iter_init(&it, v, strlen(v));
    assert_int_equal(mw_hdr_msgid_next(&it, &id, &f, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 0);
    v = "<x@y>. <a@b>";
    mw_hdr_msgid_iter_init(&it, v, strlen(v));
    assert_int_equal(mw_hdr_msgid_next(&it, &id, &f, &e), MW_OK);
    assert_int_equal(mw_hdr_msgid_next(&it, &id, &f, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 5);

    /* empty and phrase-only values are valid obsolete syntax */
    size_t n = 99;
    mw_span ids[2];
    assert_int_equal(mw_hdr_parse_msgids(NULL, 0, ids, 2, &n, &e), MW_OK);
    assert_int_equal(n, 0);
    mw_hdr_msgid_iter_init(&it, NULL, 0);
    assert_int_equal(mw_hdr_msgid_next(&it, &id, &f, &e), MW_DONE);
    assert_int_equal(mw_hdr_parse_msgid(NULL, 0, &id, &e), MW_E_SYNTAX);
    char nb[4];
    size_t nl = 9;
    mw_span nul_span = {NULL, 0};
    assert_int_equal(mw_hdr_msgid_normalize(nul_span, nb, sizeof(nb), &nl), MW_OK);
    assert_int_equal(nl, 0);
    assert_int_equal(mw_hdr_parse_msgids("", 0, ids, 2, &n, &e), MW_OK);
    assert_int_equal(n, 0);
    assert_int_equal(mw_hdr_parse_msgids(" (c) ", 5, ids, 2, &n, &e), MW_OK);
    assert_int_equal(n, 0);
    assert_int_equal(mw_hdr_parse_msgids(" no ids here", 12, ids, 2, &n, &e), MW_OK);
    assert_int_equal(n, 0);
    /* but Message-ID: takes exactly one msg-id and no phrase */
    assert_int_equal(mw_hdr_parse_msgid("", 0, &id, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 0);
    assert_int_equal(mw_hdr_parse_msgid(" (c) ", 5, &id, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 5);
    assert_int_equal(mw_hdr_parse_msgid("foo <a@b>", 9, &id, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 0);
    assert_int_equal(mw_hdr_parse_msgid("<a@b> <c@d>", 11, &id, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 6);
    assert_int_equal(mw_hdr_parse_msgid("<a@b> foo", 9, &id, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 6);
    assert_int_equal(mw_hdr_parse_msgid(" (x) <a@b>\r\n (y)", 16, &id, &e), MW_OK);
    assert_span(id, "a@b");
}

static void test_msgid_obs_forms(void **state)
{
    static const struct {
        const char *value, *id;
        unsigned flags;
    } v[] = {
        {"<a.b.c@d.e.f>", "a.b.c@d.e.f", 0},
        {"<\"a b\"@example.com>", "\"a b\"@example.com", MW_HDR_MSGID_OBS_LEFT},
        {"<\"a@b\\\"c\".x@example.com>", "\"a@b\\\"c\".x@example.com", MW_HDR_MSGID_OBS_LEFT},
        {"<1234@[192.0.2.1]>", "1234@[192.0.2.1]", MW_HDR_MSGID_LITERAL},
        {"<1234@[192.0.2. 1]>", "1234@[192.0.2. 1]", MW_HDR_MSGID_LITERAL | MW_HDR_MSGID_OBS_RIGHT},
        {"<1234@[a\\]b]>", "1234@[a\\]b]", MW_HDR_MSGID_LITERAL | MW_HDR_MSGID_OBS_RIGHT},
        {"< a@b >", "a@b", MW_HDR_MSGID_OBS_LEFT | MW_HDR_MSGID_OBS_RIGHT},
        {"<a .b@c>", "a .b@c", MW_HDR_MSGID_OBS_LEFT},
        {"<a@b. c>", "a@b. c", MW_HDR_MSGID_OBS_RIGHT},
        {"<a@\r\n b>", "a@\r\n b", MW_HDR_MSGID_OBS_RIGHT},
        {"(c) <a@b>", "a@b", MW_HDR_MSGID_COMMENTS},
        {"<a@b> (c)", "a@b", MW_HDR_MSGID_COMMENTS},
        {"<\xc3\xbc@example.com>", "\xc3\xbc@example.com", MW_HDR_MSGID_8BIT},
        {"<a!#$%&'*+-/=?^_`{|}~@b>", "a!#$%&'*+-/=?^_`{|}~@b", 0},
    };
    mw_hdr_msgid_iter it;
    mw_span id;
    unsigned f;
    mw_error e;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        size_t len = strlen(v[i].value);
        char *s = dup_n(v[i].value, len);
        mw_hdr_msgid_iter_init(&it, s, len);
        int rc = mw_hdr_msgid_next(&it, &id, &f, &e);
        if (rc != MW_OK)
            fail_msg("\"%s\": %d at %zu (%s)", v[i].value, rc, e.offset, e.reason);
        assert_span(id, v[i].id);
        if (f != v[i].flags)
            fail_msg("\"%s\": flags %#x, expected %#x", v[i].value, f, v[i].flags);
        assert_int_equal(mw_hdr_msgid_next(&it, &id, &f, &e), MW_DONE);
        assert_int_equal(mw_hdr_parse_msgid(s, len, &id, &e), MW_OK);
        assert_span(id, v[i].id);
        free(s);
    }
}

static void test_msgid_normalize(void **state)
{
    static const struct {
        const char *in, *out;
    } v[] = {
        {"a@b", "a@b"},
        {"1234   @   local(blah)  .machine .example", "1234@local.machine.example"},
        {"\"a b\" @ x (c (nested) \\) c)", "\"a b\"@x"},
        {"a@[1. 2]", "a@[1. 2]"},
        {"a\r\n .b@c", "a.b@c"},
    };
    char out[64];
    size_t i, n;
    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        mw_span id = {v[i].in, strlen(v[i].in)};
        assert_int_equal(mw_hdr_msgid_normalize(id, out, sizeof(out), &n), MW_OK);
        if (n != strlen(v[i].out) || memcmp(out, v[i].out, n) != 0)
            fail_msg("\"%s\" -> \"%.*s\"", v[i].in, (int)n, out);
    }
    /* cap-1 / cap / cap+1 (output length 26) */
    mw_span id = {v[1].in, strlen(v[1].in)};
    assert_int_equal(mw_hdr_msgid_normalize(id, out, 25, &n), MW_E_NOSPACE);
    assert_int_equal(n, 25);
    assert_int_equal(mw_hdr_msgid_normalize(id, out, 26, &n), MW_OK);
    assert_int_equal(n, 26);
    assert_int_equal(mw_hdr_msgid_normalize(id, out, 27, &n), MW_OK);
    /* cut inside a quoted string */
    mw_span q = {v[2].in, strlen(v[2].in)};
    assert_int_equal(mw_hdr_msgid_normalize(q, out, 3, &n), MW_E_NOSPACE);
    assert_int_equal(n, 3);
    assert_int_equal(mw_hdr_msgid_normalize(q, out, 6, &n), MW_E_NOSPACE);
    assert_int_equal(mw_hdr_msgid_normalize(q, out, 7, &n), MW_OK);
    assert_int_equal(n, 7);
}

static void test_msgid_errors(void **state)
{
    static const struct {
        const char *value;
        int rc;
        size_t off;
        const char *reason;
    } v[] = {
        {"<abc>", MW_E_SYNTAX, 0, "msg-id has no '@'"},
        {"<@b>", MW_E_SYNTAX, 1, "msg-id has nothing before '@'"},
        {"<a@>", MW_E_SYNTAX, 3, "msg-id has nothing after '@'"},
        {"<>", MW_E_SYNTAX, 1, "empty msg-id"},
        {"<a@b", MW_E_SYNTAX, 0, "msg-id is not closed"},
        {"<a@b.", MW_E_SYNTAX, 0, "msg-id is not closed"},
        {"<", MW_E_SYNTAX, 0, "msg-id is not closed"},
        {"<a..b@c>", MW_E_SYNTAX, 3, "msg-id has '..'"},
        {"<.a@c>", MW_E_SYNTAX, 1, "msg-id starts with '.'"},
        {"<a.@c>", MW_E_SYNTAX, 3, "msg-id has '.' before '@'"},
        {"<a@b..c>", MW_E_SYNTAX, 5, "msg-id has '..'"},
        {"<a@b.>", MW_E_SYNTAX, 5, "msg-id ends with '.'"},
        {"<a b@c>", MW_E_SYNTAX, 3, "'@' expected in msg-id"},
        {"<a@b c>", MW_E_SYNTAX, 5, "'>' expected at the end of the msg-id"},
        {"<a@b@c>", MW_E_SYNTAX, 4, "'>' expected at the end of the msg-id"},
        {"<a@\"b\">", MW_E_SYNTAX, 3, "bad character in msg-id"},
        {"<a@[b>", MW_E_SYNTAX, 3, "domain literal is not closed"},
        {"<\"a@b>", MW_E_SYNTAX, 1, "quoted string is not closed"},
        {"<a(@b>", MW_E_SYNTAX, 2, "comment is not closed"},
        {"<<a@b>", MW_E_SYNTAX, 1, "bad character in msg-id"},
        {", <a@b>", MW_E_SYNTAX, 0, "unexpected character between msg-ids"},
        {"<a@b>>", MW_E_SYNTAX, 5, "unexpected character between msg-ids"},
    };
    mw_span id;
    mw_error e;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        size_t len = strlen(v[i].value), n;
        char *s = dup_n(v[i].value, len);
        mw_span ids[4];
        memset(&e, 0, sizeof(e));
        int rc = mw_hdr_parse_msgids(s, len, ids, 4, &n, &e);
        if (rc != v[i].rc || e.offset != v[i].off || strcmp(e.reason, R_(v[i].reason)) != 0)
            fail_msg("\"%s\": %d at %zu (%s)", v[i].value, rc, e.offset, e.reason);
        assert_int_equal(e.code, rc);
        free(s);
    }
    /* NUL bytes */
    static const char nul1[] = "<a\0b@c>";
    assert_int_equal(mw_hdr_parse_msgid(nul1, sizeof(nul1) - 1, &id, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 2);
    static const char nul2[] = "<a@b>\0";
    assert_int_equal(mw_hdr_parse_msgid(nul2, sizeof(nul2) - 1, &id, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 5);
    /* comments nested too deep */
    char deep[128];
    unsigned d;
    for (d = MW_HDR_MAX_COMMENT_DEPTH; d <= MW_HDR_MAX_COMMENT_DEPTH + 1; d++) {
        size_t n = (size_t)snprintf(deep, sizeof(deep), "<a@b> ");
        unsigned k;
        for (k = 0; k < d; k++)
            deep[n++] = '(';
        for (k = 0; k < d; k++)
            deep[n++] = ')';
        int rc = mw_hdr_parse_msgid(deep, n, &id, &e);
        if (d <= MW_HDR_MAX_COMMENT_DEPTH) {
            assert_int_equal(rc, MW_OK);
        } else {
            assert_int_equal(rc, MW_E_DEPTH);
            assert_int_equal(e.offset, 6);
        }
    }
}

/* A lenient caller keeps calling after errors and collects every id. */
static void test_msgid_garbage_between(void **state)
{
    const char *v = "<a@b>, junk; <c@d> \x01 <e@f>,<bad> <g@h> [x] <i@j> (c";
    const char *want[] = {"a@b", "c@d", "e@f", "g@h", "i@j"};
    size_t offs[8], nerr = 0, nid = 0, len = strlen(v);
    char *s = dup_n(v, len);
    mw_hdr_msgid_iter it;
    mw_span id;
    unsigned f;
    mw_error e;
    int rc, guard = 0;
    (void)state;
    mw_hdr_msgid_iter_init(&it, s, len);
    while ((rc = mw_hdr_msgid_next(&it, &id, NULL, &e)) != MW_DONE) {
        assert_true(++guard < 100);
        if (rc == MW_OK) {
            assert_true(nid < 5);
            assert_span(id, want[nid]);
            nid++;
        } else {
            assert_int_equal(rc, MW_E_SYNTAX);
            assert_true(nerr < 8);
            offs[nerr++] = e.offset;
        }
    }
    assert_int_equal(nid, 5);
    /* ',' after a@b; '\x01'; ',' before <bad>; <bad> (no '@'); '[';
     * the unclosed comment at the end */
    assert_int_equal(nerr, 6);
    assert_int_equal(offs[0], 5);
    assert_int_equal(offs[1], 19);
    assert_int_equal(offs[2], 26);
    assert_int_equal(offs[3], 27);
    assert_int_equal(offs[4], 39);
    assert_int_equal(offs[5], 49);
    free(s);

    /* An unclosed comment swallows the rest of the value: the "<" inside it
     * are not msg-ids, and the iterator does not resume inside it (which
     * would also make such a value quadratic to walk). */
    const char *sw = "<a@b> (x <c@d> (x <e@f> (x <g@h>";
    mw_hdr_msgid_iter_init(&it, sw, strlen(sw));
    assert_int_equal(mw_hdr_msgid_next(&it, &id, &f, &e), MW_OK);
    assert_span(id, "a@b");
    assert_int_equal(f, 0); /* the broken comment is not counted as one */
    assert_int_equal(mw_hdr_msgid_next(&it, &id, NULL, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 6);
    assert_string_equal(e.reason, R_("comment is not closed"));
    assert_int_equal(mw_hdr_msgid_next(&it, &id, NULL, &e), MW_DONE);
    const char *sq = "x \"<a@b> <c@d>";
    mw_hdr_msgid_iter_init(&it, sq, strlen(sq));
    assert_int_equal(mw_hdr_msgid_next(&it, &id, NULL, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 2);
    assert_string_equal(e.reason, R_("quoted string is not closed"));
    assert_int_equal(mw_hdr_msgid_next(&it, &id, NULL, &e), MW_DONE);

    /* the strict array form stops at the first */
    size_t n;
    mw_span ids[8];
    assert_int_equal(mw_hdr_parse_msgids(v, len, ids, 8, &n, &e), MW_E_SYNTAX);
    assert_int_equal(n, 1);
    assert_int_equal(e.offset, 5);
}

static void test_msgid_array_limits(void **state)
{
    enum { N = 10000 };
    char *v = malloc((size_t)N * 24);
    mw_span *ids = malloc(sizeof(mw_span) * (N + 1));
    size_t len = 0, n, i, last_open = 0;
    mw_error e;
    (void)state;
    assert_non_null(v);
    assert_non_null(ids);
    for (i = 0; i < N; i++) {
        last_open = len + (i % 2 ? 3 : 1); /* where this id's '<' goes */
        len += (size_t)sprintf(v + len, i % 2 ? "\r\n <%zu@example.org>" : " <%zu@example.org>", i);
    }
    /* cap - 1: the count is all of them; the error points at the last '<' */
    assert_int_equal(mw_hdr_parse_msgids(v, len, ids, N - 1, &n, &e), MW_E_NOSPACE);
    assert_int_equal(n, N);
    assert_int_equal(e.code, MW_E_NOSPACE);
    assert_int_equal(e.offset, last_open);
    assert_int_equal(v[e.offset], '<');
    assert_span(ids[N - 2], "9998@example.org");
    /* cap */
    assert_int_equal(mw_hdr_parse_msgids(v, len, ids, N, &n, &e), MW_OK);
    assert_int_equal(n, N);
    for (i = 0; i < N; i++) {
        char want[32];
        snprintf(want, sizeof(want), "%zu@example.org", i);
        assert_span(ids[i], want);
    }
    /* cap + 1 */
    assert_int_equal(mw_hdr_parse_msgids(v, len, ids, N + 1, &n, &e), MW_OK);
    assert_int_equal(n, N);
    /* cap 0: only counting */
    assert_int_equal(mw_hdr_parse_msgids(v, len, NULL, 0, &n, &e), MW_E_NOSPACE);
    assert_int_equal(n, N);
    assert_int_equal(e.offset, 1);
    free(v);
    free(ids);
}

static void test_msgid_truncation(void **state)
{
    const char *v = " \"phrase\" <1234   @   local(blah)  .machine .example>\r\n"
                    " <a@[192.0.2.1]> (c) <\"q\"@x>";
    size_t len = strlen(v), n;
    (void)state;
    for (n = 0; n <= len; n++) {
        char *s = dup_n(v, n);
        mw_hdr_msgid_iter it;
        mw_span id;
        mw_error e;
        int rc, guard = 0;
        mw_hdr_msgid_iter_init(&it, s, n);
        while ((rc = mw_hdr_msgid_next(&it, &id, NULL, &e)) != MW_DONE) {
            assert_true(++guard < 64);
            if (rc == MW_OK)
                assert_true(id.ptr >= s && id.ptr + id.len <= s + n);
            else
                assert_true(e.offset <= n);
        }
        size_t cnt;
        mw_span ids[4];
        rc = mw_hdr_parse_msgids(s, n, ids, 4, &cnt, &e);
        assert_true(rc == MW_OK || rc == MW_E_SYNTAX);
        free(s);
    }
}

/* ==================================================================== */
/* Received                                                              */
/* ==================================================================== */

struct clause {
    const char *name, *value, *comment;
};

/* Compare spans ignoring folding: runs of white space count as one space. */
static int same_text(mw_span s, const char *want)
{
    size_t i = 0, j = 0, wl = strlen(want);
    while (i < s.len || j < wl) {
        int a_ws = i < s.len && strchr(" \t\r\n", s.ptr[i]) != NULL;
        int b_ws = j < wl && strchr(" \t\r\n", want[j]) != NULL;
        if (a_ws && b_ws) {
            while (i < s.len && strchr(" \t\r\n", s.ptr[i]) != NULL)
                i++;
            while (j < wl && strchr(" \t\r\n", want[j]) != NULL)
                j++;
            continue;
        }
        if (i >= s.len || j >= wl || s.ptr[i] != want[j])
            return 0;
        i++;
        j++;
    }
    return 1;
}

static void check_clauses(mw_span tokens, const struct clause *want, size_t n)
{
    mw_hdr_received_iter it;
    mw_hdr_received_clause c;
    size_t i;
    mw_hdr_received_iter_init(&it, tokens.ptr, tokens.len);
    for (i = 0; i < n; i++) {
        assert_int_equal(mw_hdr_received_next(&it, &c), MW_OK);
        if (!same_text(c.name, want[i].name) || !same_text(c.value, want[i].value) ||
            !same_text(c.comment, want[i].comment))
            fail_msg("clause %zu: [%.*s] [%.*s] [%.*s], expected [%s] [%s] [%s]", i,
                     (int)c.name.len, c.name.ptr, (int)c.value.len, c.value.ptr,
                     (int)c.comment.len, c.comment.ptr, want[i].name, want[i].value,
                     want[i].comment);
        /* raw runs from the keyword (or first token) to the clause's end */
        assert_true(c.raw.len >= c.name.len + c.value.len);
        if (c.name.len)
            assert_ptr_equal(c.raw.ptr, c.name.ptr);
    }
    assert_int_equal(mw_hdr_received_next(&it, &c), MW_DONE);
    assert_int_equal(mw_hdr_received_next(&it, &c), MW_DONE);
}

/* Remove every CR and LF: the unfolded form of a raw field value. */
static char *unfold(const char *s, size_t *len)
{
    size_t n = strlen(s), i, j = 0;
    char *u = malloc(n + 1);
    assert_non_null(u);
    for (i = 0; i < n; i++)
        if (s[i] != '\r' && s[i] != '\n')
            u[j++] = s[i];
    u[j] = '\0';
    *len = j;
    return u;
}

struct rcase {
    const char *value;
    int rc;
    int64_t epoch;
    unsigned flags;
    const char *tokens_start; /* first bytes of the tokens span */
    struct clause c[8];
    size_t nc;
};

static void check_received(const struct rcase *rc_)
{
    int pass;
    for (pass = 0; pass < 2; pass++) {
        size_t len;
        char *v;
        mw_hdr_received r;
        mw_error e;
        if (pass == 0) {
            len = strlen(rc_->value);
            v = dup_n(rc_->value, len);
        } else {
            char *u = unfold(rc_->value, &len);
            v = dup_n(u, len);
            free(u);
        }
        memset(&e, 0, sizeof(e));
        int rc = mw_hdr_parse_received(v, len, &r, &e);
        if (rc != rc_->rc)
            fail_msg("%s: %d at %zu (%s)", rc_->value, rc, e.offset, e.reason ? e.reason : "");
        /* the date-less obsolete form parses (MW_OK) with no date */
        assert_int_equal(r.date_status,
                         (r.flags & MW_HDR_RECEIVED_NO_DATE) ? MW_E_INCOMPLETE : rc);
        assert_int_equal(r.flags, rc_->flags);
        if (rc == MW_OK)
            assert_true(r.date.epoch == rc_->epoch);
        assert_true(r.tokens.len >= strlen(rc_->tokens_start));
        assert_memory_equal(r.tokens.ptr, rc_->tokens_start, strlen(rc_->tokens_start));
        check_clauses(r.tokens, rc_->c, rc_->nc);
        free(v);
    }
}

static void test_received_appendix_a4(void **state)
{
    static const struct rcase v[] = {
        {" from x.y.test\r\n   by example.net\r\n   via TCP\r\n   with ESMTP\r\n"
         "   id ABC12345\r\n   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600",
         MW_OK, 880128343, 0, "from x.y.test",
         {{"from", "x.y.test", ""}, {"by", "example.net", ""}, {"via", "TCP", ""},
          {"with", "ESMTP", ""}, {"id", "ABC12345", ""}, {"for", "<mary@example.net>", ""}},
         6},
        {" from node.example by x.y.test; 21 Nov 1997 10:01:22 -0600", MW_OK, 880128082, 0,
         "from node.example by x.y.test",
         {{"from", "node.example", ""}, {"by", "x.y.test", ""}}, 2},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        check_received(&v[i]);
}

/* 2026-11-26T05:16:19Z = 1795670179 (Python) */
#define T0 1795670179LL

static void test_received_real_world(void **state)
{
    static const struct rcase v[] = {
        /* Postfix, relayed over TLS */
        {" from mail.example.org (mail.example.org [192.0.2.1])\r\n"
         "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\r\n"
         "\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\r\n"
         "\t(No client certificate requested)\r\n"
         "\tby mx.example.com (Postfix) with ESMTPS id 4Xyz1234AbC\r\n"
         "\tfor <user@example.com>; Thu, 26 Nov 2026 05:16:19 +0000 (UTC)",
         MW_OK, T0, 0, "from mail.example.org",
         {{"from", "mail.example.org", "mail.example.org [192.0.2.1]"},
          {"by", "mx.example.com", "Postfix"},
          {"with", "ESMTPS", ""},
          {"id", "4Xyz1234AbC", ""},
          {"for", "<user@example.com>", ""}},
         5},
        /* Postfix, local submission */
        {" by mx.example.com (Postfix, from userid 1000)\r\n\tid 3F2A1C0042; Thu, 26 Nov 2026"
         " 05:16:19 +0000 (UTC)",
         MW_OK, T0, 0, "by mx.example.com",
         {{"by", "mx.example.com", "Postfix, from userid 1000"}, {"id", "3F2A1C0042", ""}},
         2},
        /* Exim */
        {" from [198.51.100.7] (helo=client.example.net)\r\n\tby mx.example.com with esmtps"
         "  (TLS1.3) tls TLS_AES_256_GCM_SHA384\r\n\t(Exim 4.96)\r\n"
         "\t(envelope-from <sender@example.net>)\r\n\tid 1qAbCd-000123-Xy\r\n"
         "\tfor user@example.com;\r\n\tThu, 26 Nov 2026 05:16:19 +0000",
         MW_OK, T0, 0, "from [198.51.100.7]",
         {{"from", "[198.51.100.7]", "helo=client.example.net"},
          {"by", "mx.example.com", ""},
          {"with", "esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384", "TLS1.3"},
          {"id", "1qAbCd-000123-Xy", ""},
          {"for", "user@example.com", ""}},
         5},
        /* Gmail, internal hop: a bare IPv6 address with ':' */
        {" by 2002:a05:6a10:8c0f:b0:5e1:2a3b:4c5d with SMTP id x12csp345678pxb;\r\n"
         "        Thu, 26 Nov 2026 05:16:19 -0800 (PST)",
         MW_OK, T0 + 8 * 3600, 0, "by 2002:a05",
         {{"by", "2002:a05:6a10:8c0f:b0:5e1:2a3b:4c5d", ""},
          {"with", "SMTP", ""},
          {"id", "x12csp345678pxb", ""}},
         3},
        /* Gmail, from an outside server */
        {" from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])\r\n"
         "        by mx.google.com with SMTPS id a1-20020a170902ee4100b001c5fa1a2b3csor1234567plg.14"
         ".2026.11.26.05.16.19\r\n        for <user@example.com>\r\n"
         "        (Google Transport Security);\r\n        Thu, 26 Nov 2026 05:16:19 -0800 (PST)",
         MW_OK, T0 + 8 * 3600, 0, "from mail-sor",
         {{"from", "mail-sor-f41.google.com", "mail-sor-f41.google.com. [209.85.220.41]"},
          {"by", "mx.google.com", ""},
          {"with", "SMTPS", ""},
          {"id", "a1-20020a170902ee4100b001c5fa1a2b3csor1234567plg.14.2026.11.26.05.16.19", ""},
          {"for", "<user@example.com>", "Google Transport Security"}},
         5},
        /* Exchange Online */
        {" from AM0PR07MB1234.eurprd07.prod.outlook.com (2603:10a6:208:c0::23) by\r\n"
         " AM0PR07MB5678.eurprd07.prod.outlook.com (2603:10a6:208:c1::45) with\r\n"
         " Microsoft SMTP Server (version=TLS1_2,\r\n"
         " cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7633.5 via Frontend\r\n"
         " Transport; Thu, 26 Nov 2026 05:16:19 +0000",
         MW_OK, T0, 0, "from AM0PR07MB1234",
         {{"from", "AM0PR07MB1234.eurprd07.prod.outlook.com", "2603:10a6:208:c0::23"},
          {"by", "AM0PR07MB5678.eurprd07.prod.outlook.com", "2603:10a6:208:c1::45"},
          {"with", "Microsoft SMTP Server",
           "version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
          {"id", "15.20.7633.5", ""},
          {"via", "Frontend Transport", ""}},
         5},
        /* qmail: a comment and a date */
        {" (qmail 12345 invoked by uid 1000); 26 Nov 2026 05:16:19 -0000", MW_OK, T0, 0,
         "(qmail", {{"", "", "qmail 12345 invoked by uid 1000"}}, 1},
        /* sendmail submission: a comment before the first keyword */
        {" (from user@localhost)\r\n\tby host.example.com (8.15.2/8.15.2/Submit) id "
         "0AQ5GJ3x012345;\r\n\tThu, 26 Nov 2026 05:16:19 GMT",
         MW_OK, T0, 0, "(from user",
         {{"", "", "from user@localhost"},
          {"by", "host.example.com", "8.15.2/8.15.2/Submit"},
          {"id", "0AQ5GJ3x012345", ""}},
         3},
        /* keywords in any case; a keyword inside <...> or "..." is a value */
        {"FROM a.example BY b.example WITH smtp FOR \"for by\" <id@with>; Thu, 26 Nov 2026"
         " 05:16:19 +0000",
         MW_OK, T0, 0, "FROM",
         {{"FROM", "a.example", ""},
          {"BY", "b.example", ""},
          {"WITH", "smtp", ""},
          {"FOR", "\"for by\" <id@with>", ""}},
         4},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        check_received(&v[i]);
}

static void test_received_semicolons(void **state)
{
    static const struct rcase v[] = {
        /* no ';': the obsolete form without a date */
        {" from a.example by b.example", MW_OK, 0, MW_HDR_RECEIVED_NO_DATE,
         "from a.example by b.example",
         {{"from", "a.example", ""}, {"by", "b.example", ""}}, 2},
        /* several ';': the date is after the last */
        {" from a.example by b.example; foo; Thu, 26 Nov 2026 05:16:19 +0000", MW_OK, T0,
         MW_HDR_RECEIVED_MULTI_SEMI, "from a.example by b.example; foo",
         {{"from", "a.example", ""}, {"by", "b.example; foo", ""}}, 2},
        /* a ';' in a comment or quoted string does not count */
        {" from a.example (x; y) by \"q;\" ; Thu, 26 Nov 2026 05:16:19 +0000 (UTC; z)", MW_OK,
         T0, 0, "from a.example (x; y)",
         {{"from", "a.example", "x; y"}, {"by", "\"q;\"", ""}}, 2},
        /* an unclosed comment: every ';' counts */
        {" from a.example (oops; Thu, 26 Nov 2026 05:16:19 +0000", MW_OK, T0,
         MW_HDR_RECEIVED_UNBALANCED, "from a.example (oops",
         {{"from", "a.example", "oops"}}, 1},
        /* an empty token list */
        {" ; Thu, 26 Nov 2026 05:16:19 +0000", MW_OK, T0, 0, "", {{NULL, NULL, NULL}}, 0},
    };
    size_t i;
    mw_hdr_received r;
    mw_error e;
    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        check_received(&v[i]);

    /* date errors carry offsets into the whole value */
    const char *bad = " from a; yesterday";
    assert_int_equal(mw_hdr_parse_received(bad, strlen(bad), &r, &e), MW_E_SYNTAX);
    assert_int_equal(r.date_status, MW_E_SYNTAX);
    assert_int_equal(e.offset, 9);
    assert_span(r.date_raw, "yesterday");
    assert_span(r.tokens, "from a");
    const char *bad2 = "from a;\r\n Thu, 31 Nov 2026 05:16:19 +0000";
    assert_int_equal(mw_hdr_parse_received(bad2, strlen(bad2), &r, &e), MW_E_DATE);
    assert_int_equal(e.offset, 15);
    const char *mism = "from a; Fri, 26 Nov 2026 05:16:19 +0000";
    assert_int_equal(mw_hdr_parse_received(mism, strlen(mism), &r, &e), MW_E_DATE);
    assert_true(r.date.flags & MW_HDR_DATE_WDAY_MISMATCH);
    assert_true(r.date.epoch == T0);
    assert_int_equal(e.offset, 8);
    const char *empty = "from a;";
    assert_int_equal(mw_hdr_parse_received(empty, strlen(empty), &r, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 7);
    assert_int_equal(r.date_raw.len, 0);
    assert_int_equal(mw_hdr_parse_received("", 0, &r, &e), MW_OK);
    assert_int_equal(r.date_status, MW_E_INCOMPLETE);
    assert_int_equal(r.tokens.len, 0);
    assert_int_equal(mw_hdr_parse_received(NULL, 0, &r, &e), MW_OK);
    assert_true(r.flags & MW_HDR_RECEIVED_NO_DATE);
    mw_hdr_received_iter it;
    mw_hdr_received_clause c;
    mw_hdr_received_iter_init(&it, NULL, 0);
    assert_int_equal(mw_hdr_received_next(&it, &c), MW_DONE);
}

static void test_received_hostile(void **state)
{
    enum { N = 100000 };
    char *v = malloc(N);
    mw_hdr_received r;
    mw_hdr_received_iter it;
    mw_hdr_received_clause c;
    mw_error e;
    size_t i, clauses;
    (void)state;
    assert_non_null(v);

    /* 100,000 '(' : one unclosed comment, no recursion, no date */
    memset(v, '(', N);
    char *s = dup_n(v, N);
    assert_int_equal(mw_hdr_parse_received(s, N, &r, &e), MW_OK);
    assert_int_equal(r.flags, MW_HDR_RECEIVED_NO_DATE | MW_HDR_RECEIVED_UNBALANCED);
    mw_hdr_received_iter_init(&it, r.tokens.ptr, r.tokens.len);
    assert_int_equal(mw_hdr_received_next(&it, &c), MW_OK);
    assert_int_equal(c.comment.len, N - 1);
    assert_int_equal(mw_hdr_received_next(&it, &c), MW_DONE);
    free(s);

    /* 33,333 "by" keywords: as many clauses, in one pass */
    for (i = 0; i + 3 <= N; i += 3)
        memcpy(v + i, "by ", 3);
    s = dup_n(v, i);
    assert_int_equal(mw_hdr_parse_received(s, i, &r, &e), MW_OK);
    mw_hdr_received_iter_init(&it, r.tokens.ptr, r.tokens.len);
    clauses = 0;
    while (mw_hdr_received_next(&it, &c) == MW_OK) {
        assert_int_equal(c.value.len, 0);
        clauses++;
    }
    assert_int_equal(clauses, i / 3);
    free(s);

    /* every byte value, as tokens and as a date */
    for (i = 0; i < 256; i++)
        v[i] = (char)i;
    s = dup_n(v, 256);
    (void)mw_hdr_parse_received(s, 256, &r, &e);
    mw_hdr_received_iter_init(&it, r.tokens.ptr, r.tokens.len);
    clauses = 0;
    while (mw_hdr_received_next(&it, &c) == MW_OK)
        assert_true(++clauses < 256);
    free(s);
    free(v);
}

/* Cut a realistic field at every length: never a crash, spans in bounds. */
static void test_received_truncation(void **state)
{
    const char *v = " from mail.example.org (mail.example.org [192.0.2.1])\r\n"
                    "\tby mx.example.com (Postfix) with ESMTPS id 4Xyz1234AbC\r\n"
                    "\tfor <user@example.com>; Thu, 26 Nov 2026 05:16:19 +0000 (UTC)";
    size_t len = strlen(v), n, ok = 0;
    (void)state;
    for (n = 0; n <= len; n++) {
        char *s = dup_n(v, n);
        mw_hdr_received r;
        mw_hdr_received_iter it;
        mw_hdr_received_clause c;
        mw_error e;
        int rc = mw_hdr_parse_received(s, n, &r, &e);
        if (r.flags & MW_HDR_RECEIVED_NO_DATE) {
            assert_int_equal(rc, MW_OK);
            assert_int_equal(r.date_status, MW_E_INCOMPLETE);
        } else {
            assert_int_equal(rc, r.date_status);
            if (rc != MW_OK)
                assert_true(e.offset <= n);
            else
                ok++;
        }
        assert_true(r.tokens.len <= n);
        mw_hdr_received_iter_init(&it, r.tokens.ptr, r.tokens.len);
        while (mw_hdr_received_next(&it, &c) == MW_OK) {
            assert_true(c.raw.ptr >= s && c.raw.ptr + c.raw.len <= s + n);
            if (c.value.len)
                assert_true(c.value.ptr >= c.raw.ptr &&
                            c.value.ptr + c.value.len <= c.raw.ptr + c.raw.len);
            if (c.comment.len)
                assert_true(c.comment.ptr >= c.raw.ptr &&
                            c.comment.ptr + c.comment.len <= c.raw.ptr + c.raw.len);
        }
        free(s);
    }
    /* the whole, and the prefix ending before " (UTC)" plus the ones that
     * end inside "+0000 (UTC)" at a balanced point */
    assert_true(ok >= 2);
}

/* ==================================================================== */
/* Keywords                                                              */
/* ==================================================================== */

static void test_keywords(void **state)
{
    static const struct {
        const char *value;
        const char *phrases[5];
        unsigned flags[5];
        size_t n;
        unsigned done_flags;
    } v[] = {
        {" foo, bar baz, \"quoted phrase\"", {"foo", "bar baz", "\"quoted phrase\""}, {0, 0, 0}, 3, 0},
        {" $Label1,=?utf-8?q?caf=C3=A9?=", {"$Label1", "=?utf-8?q?caf=C3=A9?="}, {0, 0}, 2, 0},
        {"single", {"single"}, {0}, 1, 0},
        /* obs-phrase-list: empty elements, '.' in phrases */
        {",a,,b,", {"a", "b"}, {MW_HDR_KEYWORDS_EMPTY, MW_HDR_KEYWORDS_EMPTY}, 2,
         MW_HDR_KEYWORDS_EMPTY},
        {" J. Smith , x", {"J. Smith", "x"}, {MW_HDR_KEYWORDS_OBS_PHRASE, 0}, 2, 0},
        {" Dr.J", {"Dr.J"}, {MW_HDR_KEYWORDS_OBS_PHRASE}, 1, 0},
        /* comments: inside a phrase kept (flagged), around it dropped */
        {" (lead) a (mid) b (trail) , c", {"a (mid) b", "c"}, {MW_HDR_KEYWORDS_COMMENTS, 0}, 2, 0},
        /* folding inside a phrase is kept for the decoder */
        {" one\r\n two,\r\n three", {"one\r\n two", "three"}, {0, 0}, 2, 0},
        {"", {NULL}, {0}, 0, MW_HDR_KEYWORDS_EMPTY},
        {" (only a comment) ", {NULL}, {0}, 0, MW_HDR_KEYWORDS_EMPTY},
        {" , ", {NULL}, {0}, 0, MW_HDR_KEYWORDS_EMPTY},
    };
    size_t i, k;
    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        size_t len = strlen(v[i].value);
        char *s = dup_n(v[i].value, len);
        mw_hdr_keywords_iter it;
        mw_span ph, arr[5];
        unsigned f;
        mw_error e;
        size_t n;
        mw_hdr_keywords_iter_init(&it, s, len);
        for (k = 0; k < v[i].n; k++) {
            int rc = mw_hdr_keywords_next(&it, &ph, &f, &e);
            if (rc != MW_OK)
                fail_msg("\"%s\" #%zu: %d at %zu (%s)", v[i].value, k, rc, e.offset, e.reason);
            assert_span(ph, v[i].phrases[k]);
            if (f != v[i].flags[k])
                fail_msg("\"%s\" #%zu: flags %#x", v[i].value, k, f);
        }
        assert_int_equal(mw_hdr_keywords_next(&it, &ph, &f, &e), MW_DONE);
        assert_int_equal(f, v[i].done_flags);
        assert_int_equal(mw_hdr_keywords_next(&it, &ph, &f, &e), MW_DONE);
        assert_int_equal(f, 0);
        assert_int_equal(mw_hdr_parse_keywords(s, len, arr, 5, &n, &e), MW_OK);
        assert_int_equal(n, v[i].n);
        for (k = 0; k < n; k++)
            assert_span(arr[k], v[i].phrases[k]);
        free(s);
    }
}

static void test_keywords_errors(void **state)
{
    static const struct {
        const char *value;
        int rc;
        size_t off;
        const char *reason;
    } v[] = {
        {"a; b", MW_E_SYNTAX, 1, "unexpected character in keywords"},
        {"a, .b", MW_E_SYNTAX, 3, "keyword phrase starts with '.'"},
        {"a, \"open", MW_E_SYNTAX, 3, "quoted string is not closed"},
        {"a, b (open", MW_E_SYNTAX, 5, "comment is not closed"},
        {"a <b>", MW_E_SYNTAX, 2, "unexpected character in keywords"},
        {"a:b", MW_E_SYNTAX, 1, "unexpected character in keywords"},
        {"@", MW_E_SYNTAX, 0, "unexpected character in keywords"},
    };
    size_t i, n;
    mw_span arr[4];
    mw_error e;
    (void)state;
    assert_int_equal(mw_hdr_parse_keywords(NULL, 0, arr, 4, &n, &e), MW_OK);
    assert_int_equal(n, 0);
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        size_t len = strlen(v[i].value);
        char *s = dup_n(v[i].value, len);
        int rc = mw_hdr_parse_keywords(s, len, arr, 4, &n, &e);
        if (rc != v[i].rc || e.offset != v[i].off || strcmp(e.reason, R_(v[i].reason)) != 0)
            fail_msg("\"%s\": %d at %zu (%s)", v[i].value, rc, e.offset, e.reason);
        free(s);
    }
    static const char nul[] = "a\0b, c";
    assert_int_equal(mw_hdr_parse_keywords(nul, sizeof(nul) - 1, arr, 4, &n, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 1);

    /* a lenient caller goes on past the next ',' */
    const char *lenient = "good, bad; stuff, also good";
    mw_hdr_keywords_iter it;
    mw_span ph;
    mw_hdr_keywords_iter_init(&it, lenient, strlen(lenient));
    assert_int_equal(mw_hdr_keywords_next(&it, &ph, NULL, &e), MW_OK);
    assert_span(ph, "good");
    assert_int_equal(mw_hdr_keywords_next(&it, &ph, NULL, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 9);
    assert_int_equal(mw_hdr_keywords_next(&it, &ph, NULL, &e), MW_OK);
    assert_span(ph, "also good");
    assert_int_equal(mw_hdr_keywords_next(&it, &ph, NULL, &e), MW_DONE);

    /* an unclosed comment swallows the rest: no resuming inside it */
    const char *sw = "a (x, b (x, c";
    mw_hdr_keywords_iter_init(&it, sw, strlen(sw));
    assert_int_equal(mw_hdr_keywords_next(&it, &ph, NULL, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 2);
    assert_int_equal(mw_hdr_keywords_next(&it, &ph, NULL, &e), MW_DONE);
}

static void test_keywords_array_limits(void **state)
{
    enum { N = 100 };
    char v[N * 8];
    mw_span arr[N + 1];
    size_t len = 0, n, i, last = 0;
    mw_error e;
    (void)state;
    for (i = 0; i < N; i++) {
        if (i == N - 1)
            last = len + (i ? 2 : 0);
        len += (size_t)sprintf(v + len, i ? ", k%zu" : "k%zu", i);
    }
    assert_int_equal(mw_hdr_parse_keywords(v, len, arr, N - 1, &n, &e), MW_E_NOSPACE);
    assert_int_equal(n, N);
    assert_int_equal(e.offset, last);
    assert_span(arr[N - 2], "k98");
    assert_int_equal(mw_hdr_parse_keywords(v, len, arr, N, &n, &e), MW_OK);
    assert_int_equal(n, N);
    assert_span(arr[N - 1], "k99");
    assert_int_equal(mw_hdr_parse_keywords(v, len, arr, N + 1, &n, &e), MW_OK);
    assert_int_equal(n, N);
    assert_int_equal(mw_hdr_parse_keywords(v, len, NULL, 0, &n, &e), MW_E_NOSPACE);
    assert_int_equal(n, N);
    assert_int_equal(e.offset, 0);
}

/* ABI (issue 9): a binding that cannot read the structs places each
 * iterator in mw_hdr_*_iter_sizeof() bytes of its own. Here those bytes
 * come from malloc, so that ASan reports a size too small when used. */
static void test_iter_sizeof(void **state)
{
    static const char ids[] = "<a@b.example> <c@d.example>";
    static const char rcv[] = "from a.example by b.example with ESMTP";
    static const char kws[] = "one, two";
    mw_hdr_msgid_iter *mi;
    mw_hdr_received_iter *ri;
    mw_hdr_keywords_iter *ki;
    mw_hdr_received_clause c;
    mw_span sp;
    (void)state;
    assert_int_equal(mw_hdr_msgid_iter_sizeof(), sizeof(mw_hdr_msgid_iter));
    assert_int_equal(mw_hdr_received_iter_sizeof(), sizeof(mw_hdr_received_iter));
    assert_int_equal(mw_hdr_keywords_iter_sizeof(), sizeof(mw_hdr_keywords_iter));

    mi = malloc(mw_hdr_msgid_iter_sizeof());
    assert_non_null(mi);
    mw_hdr_msgid_iter_init(mi, ids, sizeof(ids) - 1);
    assert_int_equal(mw_hdr_msgid_next(mi, &sp, NULL, NULL), MW_OK);
    assert_int_equal(mw_hdr_msgid_next(mi, &sp, NULL, NULL), MW_OK);
    assert_int_equal(sp.len, 11);
    assert_memory_equal(sp.ptr, "c@d.example", 11);
    assert_int_equal(mw_hdr_msgid_next(mi, &sp, NULL, NULL), MW_DONE);
    free(mi);

    ri = malloc(mw_hdr_received_iter_sizeof());
    assert_non_null(ri);
    mw_hdr_received_iter_init(ri, rcv, sizeof(rcv) - 1);
    assert_int_equal(mw_hdr_received_next(ri, &c), MW_OK);
    assert_int_equal(mw_hdr_received_next(ri, &c), MW_OK);
    assert_int_equal(mw_hdr_received_next(ri, &c), MW_OK);
    assert_int_equal(c.value.len, 5);
    assert_memory_equal(c.value.ptr, "ESMTP", 5);
    assert_int_equal(mw_hdr_received_next(ri, &c), MW_DONE);
    free(ri);

    ki = malloc(mw_hdr_keywords_iter_sizeof());
    assert_non_null(ki);
    mw_hdr_keywords_iter_init(ki, kws, sizeof(kws) - 1);
    assert_int_equal(mw_hdr_keywords_next(ki, &sp, NULL, NULL), MW_OK);
    assert_int_equal(mw_hdr_keywords_next(ki, &sp, NULL, NULL), MW_OK);
    assert_int_equal(sp.len, 3);
    assert_memory_equal(sp.ptr, "two", 3);
    assert_int_equal(mw_hdr_keywords_next(ki, &sp, NULL, NULL), MW_DONE);
    free(ki);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_msgid_appendix_a),
        cmocka_unit_test(test_msgid_obs_phrases),
        cmocka_unit_test(test_msgid_obs_forms),
        cmocka_unit_test(test_msgid_normalize),
        cmocka_unit_test(test_msgid_errors),
        cmocka_unit_test(test_msgid_garbage_between),
        cmocka_unit_test(test_msgid_array_limits),
        cmocka_unit_test(test_msgid_truncation),
        cmocka_unit_test(test_received_appendix_a4),
        cmocka_unit_test(test_received_real_world),
        cmocka_unit_test(test_received_semicolons),
        cmocka_unit_test(test_received_hostile),
        cmocka_unit_test(test_received_truncation),
        cmocka_unit_test(test_keywords),
        cmocka_unit_test(test_keywords_errors),
        cmocka_unit_test(test_keywords_array_limits),
        cmocka_unit_test(test_iter_sizeof),
    };
    return cmocka_run_group_tests_name("hdr_fields", tests, NULL, NULL);
}
