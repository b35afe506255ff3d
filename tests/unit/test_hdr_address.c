/* SPDX-License-Identifier: MIT */
/*
 * RFC 5322 address lists, mailbox lists and Return-Path (hdr_address.h):
 * the addresses of RFC 5322 Appendix A first, then the obsolete forms of
 * §4.4, real-world forms, the Python CVEs about address semantics, salvage
 * of bad entries, and hostile inputs (100,000 addresses, 10,000 nested
 * comments, runs of separators, NUL bytes, unterminated constructs).
 *
 * Every list case is run twice, on the value as given (raw, with folding
 * CRLFs) and on the same value unfolded (CRLFs removed), and each run goes
 * through both the iterator and the array function; all four must give the
 * expected entries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/hdr_address.h"
#include "reason.h"

/* Flag shorthands for the tables. */
#define INV MW_HDR_ADDR_INVALID
#define ANG MW_HDR_ADDR_ANGLE
#define GEMPTY MW_HDR_ADDR_GROUP_EMPTY
#define GEND MW_HDR_ADDR_GROUP_END
#define ROUTE MW_HDR_ADDR_OBS_ROUTE
#define OLOCAL MW_HDR_ADDR_OBS_LOCAL
#define ODOMAIN MW_HDR_ADDR_OBS_DOMAIN
#define OPHRASE MW_HDR_ADDR_OBS_PHRASE
#define QLOCAL MW_HDR_ADDR_QUOTED_LOCAL
#define LITERAL MW_HDR_ADDR_DOMAIN_LITERAL
#define NODOM MW_HDR_ADDR_NO_DOMAIN
#define EIGHT MW_HDR_ADDR_8BIT
#define NULLP MW_HDR_ADDR_NULL
#define OTEXT MW_HDR_ADDR_OBS_TEXT
#define SEMI MW_HDR_ADDR_SEMICOLON
#define INGRP MW_HDR_ADDR_IN_GROUP

#define CHK_OFF 1 /* check the entry's offset */
#define CHK_ERR 2 /* check the error's offset */

/* One expected entry. A NULL part must be empty; `raw` and `spec` are only
 * checked when given. `err` is always checked (0: valid). Offsets are in
 * the raw input; the unfolded run maps them. */
typedef struct exp_addr {
    const char *display, *local, *domain, *comment, *group, *route, *raw;
    const char *spec;
    uint32_t flags;
    int err;
    int chk;
    size_t off, err_off;
    const char *reason;
} exp_addr;

/* ---- helpers --------------------------------------------------------- */

/* The input with every CRLF removed (folding undone, §2.2.3). */
static char *unfold(const char *in, size_t len, size_t *outlen)
{
    char *u = malloc(len + 1);
    size_t i, n = 0;
    assert_non_null(u);
    for (i = 0; i < len; i++) {
        if (in[i] == '\r' && i + 1 < len && in[i + 1] == '\n') {
            i++;
            continue;
        }
        u[n++] = in[i];
    }
    u[n] = '\0';
    *outlen = n;
    return u;
}

/* Map an offset in the raw input to the unfolded one. */
static size_t map_off(const char *in, size_t len, size_t off)
{
    size_t i, crlf = 0;
    for (i = 0; i + 1 < len && i + 1 < off; i++)
        if (in[i] == '\r' && in[i + 1] == '\n')
            crlf++;
    return off - 2 * crlf;
}

/* A span compared with an expected string, both without CR and LF (the
 * raw and unfolded runs then compare alike). */
static int span_is(mw_span s, const char *want)
{
    size_t i, j = 0, wl = want != NULL ? strlen(want) : 0;
    for (i = 0; i < s.len; i++) {
        if (s.ptr[i] == '\r' || s.ptr[i] == '\n')
            continue;
        while (j < wl && (want[j] == '\r' || want[j] == '\n'))
            j++;
        if (j >= wl || want[j] != s.ptr[i])
            return 0;
        j++;
    }
    while (j < wl && (want[j] == '\r' || want[j] == '\n'))
        j++;
    return j == wl;
}

#define FIELD_FAIL(what, s, want)                                             \
    do {                                                                      \
        print_error("input \"%s\" (%s) entry %zu: %s is \"%.*s\", want "      \
                    "\"%s\"\n",                                               \
                    name, variant, idx, what, (int)(s).len,                   \
                    (s).ptr != NULL ? (s).ptr : "", (want) ? (want) : "");    \
        fail();                                                               \
    } while (0)

#define CHECK_SPAN(field)                                                     \
    do {                                                                      \
        if (!span_is(a->field, e->field))                                     \
            FIELD_FAIL(#field, a->field, e->field);                           \
    } while (0)

static void check_entry(const char *name, const char *variant, size_t idx,
                        const mw_hdr_address *a, const exp_addr *e,
                        const char *in, size_t len, int mapped,
                        const char *orig, size_t origlen)
{
    CHECK_SPAN(display);
    CHECK_SPAN(local);
    CHECK_SPAN(domain);
    CHECK_SPAN(comment);
    CHECK_SPAN(group);
    CHECK_SPAN(route);
    if (e->raw != NULL)
        CHECK_SPAN(raw);
    if (a->flags != e->flags) {
        print_error("input \"%s\" (%s) entry %zu: flags 0x%lx, want 0x%lx "
                    "(error \"%s\")\n",
                    name, variant, idx, (unsigned long)a->flags,
                    (unsigned long)e->flags,
                    a->error.reason ? a->error.reason : "");
        fail();
    }
    if (a->error.code != e->err) {
        print_error("input \"%s\" (%s) entry %zu: error %s (\"%s\" at %zu), "
                    "want %s\n",
                    name, variant, idx, mw_status_name(a->error.code),
                    a->error.reason ? a->error.reason : "", a->error.offset,
                    mw_status_name(e->err));
        fail();
    }
    assert_true((a->error.code != 0) == ((a->flags & INV) != 0));
    assert_true(a->raw.ptr >= in && a->raw.ptr + a->raw.len <= in + len);
    assert_int_equal(a->raw.ptr - in, a->offset);
    if (e->chk & CHK_OFF)
        assert_int_equal(a->offset, mapped ? map_off(orig, origlen, e->off) : e->off);
    if (e->chk & CHK_ERR)
        assert_int_equal(a->error.offset,
                         mapped ? map_off(orig, origlen, e->err_off) : e->err_off);
    if (e->reason != NULL)
        assert_string_equal(a->error.reason, R_(e->reason));
    if (e->spec != NULL) {
        char buf[512];
        size_t n = 0;
        assert_int_equal(mw_hdr_addr_spec(a, buf, sizeof(buf), &n), MW_OK);
        if (n != strlen(e->spec) || memcmp(buf, e->spec, n) != 0) {
            print_error("input \"%s\" entry %zu: spec \"%.*s\", want \"%s\"\n",
                        name, idx, (int)n, buf, e->spec);
            fail();
        }
    }
}

static void check_variant(const char *name, const char *variant,
                          const char *in, size_t len, unsigned opts,
                          const exp_addr *exp, size_t n, int mapped,
                          const char *orig, size_t origlen)
{
    mw_hdr_addr_iter it;
    mw_hdr_address a, *arr;
    mw_error err;
    size_t i, count = 12345;
    const exp_addr *firstbad = NULL;
    int rc;

    mw_hdr_addr_iter_init(&it, in, len, opts);
    for (i = 0; i < n; i++) {
        rc = mw_hdr_addr_next(&it, &a);
        if (rc != MW_OK) {
            print_error("input \"%s\" (%s): %s after %zu entries, want %zu\n",
                        name, variant, mw_status_name(rc), i, n);
            fail();
        }
        check_entry(name, variant, i, &a, &exp[i], in, len, mapped, orig, origlen);
        if (firstbad == NULL && (exp[i].flags & INV))
            firstbad = &exp[i];
    }
    rc = mw_hdr_addr_next(&it, &a);
    if (rc != MW_DONE) {
        print_error("input \"%s\" (%s): more than %zu entries: \"%.*s\"\n",
                    name, variant, n, (int)a.raw.len, a.raw.ptr);
        fail();
    }
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_DONE);

    /* The array form stores the same entries. */
    arr = calloc(n + 1, sizeof(*arr));
    assert_non_null(arr);
    memset(&err, 0, sizeof(err));
    rc = mw_hdr_parse_addresses(in, len, opts, arr, n + 1, &count, &err);
    assert_int_equal(count, n);
    assert_int_equal(rc, firstbad != NULL ? MW_E_SYNTAX : MW_OK);
    for (i = 0; i < n; i++)
        check_entry(name, "array", i, &arr[i], &exp[i], in, len, mapped, orig,
                    origlen);
    if (firstbad != NULL) {
        for (i = 0; i < n && !(arr[i].flags & INV); i++)
            ;
        assert_int_equal(err.code, MW_E_SYNTAX);
        assert_int_equal(err.offset, arr[i].error.offset);
        assert_string_equal(err.reason, R_(arr[i].error.reason));
    }
    free(arr);
}

/* Run a case raw and unfolded (when the two differ). */
static void check_list_n(const char *in, size_t len, unsigned opts,
                         const exp_addr *exp, size_t n)
{
    size_t ulen;
    char *copy = malloc(len + 1), *u;
    assert_non_null(copy);
    /* A private copy so that a read past `len` is caught by ASan. */
    memcpy(copy, in, len);
    check_variant(in, "raw", copy, len, opts, exp, n, 0, in, len);
    u = unfold(in, len, &ulen);
    if (ulen != len)
        check_variant(in, "unfolded", u, ulen, opts, exp, n, 1, in, len);
    free(u);
    free(copy);
}

#define CHECK_LIST(in, opts, exp)                                             \
    check_list_n((in), strlen(in), (opts), (exp), sizeof(exp) / sizeof((exp)[0]))
#define CHECK_NONE(in, opts) check_list_n((in), strlen(in), (opts), NULL, 0)

/* Parse a value expected to hold exactly one entry. */
static mw_hdr_address one(const char *in, unsigned opts)
{
    mw_hdr_addr_iter it;
    mw_hdr_address a, b;
    mw_hdr_addr_iter_init(&it, in, strlen(in), opts);
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
    assert_int_equal(mw_hdr_addr_next(&it, &b), MW_DONE);
    return a;
}

/* ---- RFC 5322 Appendix A --------------------------------------------- */

static void test_rfc_a1_1_simple(void **state)
{
    (void)state;
    static const exp_addr from[] = {
        {.display = "John Doe", .local = "jdoe", .domain = "machine.example",
         .flags = ANG, .spec = "jdoe@machine.example", .chk = CHK_OFF, .off = 0,
         .raw = "John Doe <jdoe@machine.example>"},
    };
    static const exp_addr sender[] = {
        {.display = "Michael Jones", .local = "mjones", .domain = "machine.example",
         .flags = ANG, .spec = "mjones@machine.example"},
    };
    static const exp_addr to[] = {
        {.display = "Mary Smith", .local = "mary", .domain = "example.net",
         .flags = ANG, .spec = "mary@example.net"},
    };
    CHECK_LIST("John Doe <jdoe@machine.example>", MW_HDR_ADDR_MAILBOX_LIST, from);
    CHECK_LIST(" Michael Jones <mjones@machine.example>", MW_HDR_ADDR_MAILBOX_LIST, sender);
    CHECK_LIST(" Mary Smith <mary@example.net>", 0, to);
    CHECK_LIST(" Mary Smith <mary@example.net>", MW_HDR_ADDR_STRICT, to);
}

static void test_rfc_a1_2_different_types(void **state)
{
    (void)state;
    static const exp_addr from[] = {
        {.display = "\"Joe Q. Public\"", .local = "john.q.public",
         .domain = "example.com", .flags = ANG},
    };
    static const exp_addr to[] = {
        {.display = "Mary Smith", .local = "mary", .domain = "x.test", .flags = ANG,
         .chk = CHK_OFF, .off = 0, .raw = "Mary Smith <mary@x.test>"},
        {.local = "jdoe", .domain = "example.org", .flags = 0, .chk = CHK_OFF,
         .off = 26, .raw = "jdoe@example.org", .spec = "jdoe@example.org"},
        {.display = "Who?", .local = "one", .domain = "y.test", .flags = ANG,
         .chk = CHK_OFF, .off = 44, .raw = "Who? <one@y.test>"},
    };
    static const exp_addr cc[] = {
        {.local = "boss", .domain = "nil.test", .flags = ANG, .raw = "<boss@nil.test>"},
        {.display = "\"Giant; \\\"Big\\\" Box\"", .local = "sysservices",
         .domain = "example.net", .flags = ANG},
    };
    CHECK_LIST("\"Joe Q. Public\" <john.q.public@example.com>", MW_HDR_ADDR_STRICT, from);
    CHECK_LIST("Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
               MW_HDR_ADDR_STRICT, to);
    CHECK_LIST("<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>",
               MW_HDR_ADDR_STRICT, cc);
}

static void test_rfc_a1_3_groups(void **state)
{
    (void)state;
    static const exp_addr from[] = {
        {.display = "Pete", .local = "pete", .domain = "silly.example", .flags = ANG},
    };
    static const exp_addr to[] = {
        {.display = "Ed Jones", .local = "c", .domain = "a.test", .group = "A Group",
         .flags = ANG | INGRP, .chk = CHK_OFF, .off = 8, .raw = "Ed Jones <c@a.test>"},
        {.local = "joe", .domain = "where.test", .group = "A Group", .flags = INGRP,
         .chk = CHK_OFF, .off = 28},
        {.display = "John", .local = "jdoe", .domain = "one.test", .group = "A Group",
         .flags = ANG | INGRP | GEND, .chk = CHK_OFF, .off = 43,
         .raw = "John <jdoe@one.test>"},
    };
    static const exp_addr cc[] = {
        {.group = "Undisclosed recipients", .flags = GEMPTY | GEND | INGRP,
         .raw = "Undisclosed recipients:;", .chk = CHK_OFF, .off = 0},
    };
    CHECK_LIST("Pete <pete@silly.example>", MW_HDR_ADDR_MAILBOX_LIST, from);
    CHECK_LIST("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
               MW_HDR_ADDR_STRICT, to);
    CHECK_LIST("Undisclosed recipients:;", MW_HDR_ADDR_STRICT, cc);
}

static void test_rfc_a2_a3_a4_replies_resent_trace(void **state)
{
    (void)state;
    static const exp_addr reply_to[] = {
        {.display = "\"Mary Smith: Personal Account\"", .local = "smith",
         .domain = "home.example", .flags = ANG, .spec = "smith@home.example"},
    };
    static const exp_addr mary[] = {
        {.display = "Mary Smith", .local = "mary", .domain = "example.net", .flags = ANG},
    };
    static const exp_addr jane[] = {
        {.display = "Jane Brown", .local = "j-brown", .domain = "other.example",
         .flags = ANG},
    };
    static const exp_addr john[] = {
        {.display = "John Doe", .local = "jdoe", .domain = "node.example", .flags = ANG},
    };
    CHECK_LIST("\"Mary Smith: Personal Account\" <smith@home.example>",
               MW_HDR_ADDR_STRICT, reply_to);
    CHECK_LIST("Mary Smith <mary@example.net>", MW_HDR_ADDR_MAILBOX_LIST, mary);
    CHECK_LIST("Jane Brown <j-brown@other.example>", 0, jane);
    CHECK_LIST("John Doe <jdoe@node.example>", MW_HDR_ADDR_MAILBOX_LIST, john);
}

static void test_rfc_a5_white_space_and_comments(void **state)
{
    (void)state;
    static const exp_addr from[] = {
        {.display = "Pete", .local = "pete", .domain = "silly.test",
         .comment = "A nice \\) chap", .flags = ANG, .spec = "pete@silly.test"},
    };
    static const exp_addr to[] = {
        {.display = "Chris Jones", .local = "c", .domain = "public.example",
         .comment = "Chris's host.", .group = "A Group", .flags = ANG | INGRP,
         .chk = CHK_OFF, .off = 28, .spec = "c@public.example"},
        {.local = "joe", .domain = "example.org", .group = "A Group", .flags = INGRP,
         .raw = "joe@example.org"},
        {.display = "John", .local = "jdoe", .domain = "one.test",
         .comment = "my dear friend", .group = "A Group",
         .flags = ANG | INGRP | GEND, .raw = "John <jdoe@one.test> (my dear friend)"},
    };
    static const exp_addr cc[] = {
        {.group = "Hidden recipients", .comment = "Empty list",
         .flags = GEMPTY | GEND | INGRP, .chk = CHK_OFF, .off = 0,
         .raw = "(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;"},
    };
    CHECK_LIST("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
               MW_HDR_ADDR_MAILBOX_LIST | MW_HDR_ADDR_STRICT, from);
    CHECK_LIST("A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,"
               "\r\n         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend);"
               " (the end of the group)",
               MW_HDR_ADDR_STRICT, to);
    CHECK_LIST("(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;",
               MW_HDR_ADDR_STRICT, cc);
}

static void test_rfc_a6_1_obsolete_addressing(void **state)
{
    (void)state;
    static const exp_addr from[] = {
        {.display = "Joe Q. Public", .local = "john.q.public", .domain = "example.com",
         .flags = ANG | OPHRASE, .spec = "john.q.public@example.com"},
    };
    static const exp_addr to[] = {
        {.display = "Mary Smith", .local = "mary", .domain = "example.net",
         .route = "@node.test", .flags = ANG | ROUTE, .spec = "mary@example.net",
         .raw = "Mary Smith <@node.test:mary@example.net>"},
        {.local = "jdoe", .domain = "test  . example", .flags = ODOMAIN,
         .spec = "jdoe@test.example", .chk = CHK_OFF, .off = 44},
    };
    static const exp_addr to_strict[] = {
        {.display = "Mary Smith", .local = "mary", .domain = "example.net",
         .route = "@node.test", .flags = ANG | ROUTE | INV, .err = MW_E_SYNTAX,
         .reason = "obsolete route (strict)", .chk = CHK_ERR, .err_off = 0},
        {.local = "jdoe", .domain = "test  . example", .flags = ODOMAIN | INV,
         .err = MW_E_SYNTAX, .reason = "obsolete domain (strict)", .chk = CHK_ERR,
         .err_off = 44},
    };
    static const exp_addr from_strict[] = {
        {.display = "Joe Q. Public", .local = "john.q.public", .domain = "example.com",
         .flags = ANG | OPHRASE | INV, .err = MW_E_SYNTAX,
         .reason = "obsolete phrase (strict)"},
    };
    CHECK_LIST("Joe Q. Public <john.q.public@example.com>", MW_HDR_ADDR_MAILBOX_LIST, from);
    CHECK_LIST("Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example", 0, to);
    CHECK_LIST("Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example",
               MW_HDR_ADDR_STRICT, to_strict);
    CHECK_LIST("Joe Q. Public <john.q.public@example.com>", MW_HDR_ADDR_STRICT, from_strict);
}

static void test_rfc_a6_3_obsolete_white_space(void **state)
{
    (void)state;
    static const exp_addr from[] = {
        {.display = "John Doe", .local = "jdoe", .domain = "machine(comment).  example",
         .comment = "comment", .flags = ANG | ODOMAIN, .spec = "jdoe@machine.example"},
    };
    static const exp_addr to[] = {
        {.display = "Mary Smith", .local = "mary", .domain = "example.net", .flags = ANG,
         .spec = "mary@example.net", .raw = "Mary Smith\r\n  \r\n          <mary@example.net>"},
    };
    CHECK_LIST("John Doe <jdoe@machine(comment).  example>", 0, from);
    CHECK_LIST("Mary Smith\r\n  \r\n          <mary@example.net>", MW_HDR_ADDR_STRICT, to);
}

/* ---- obsolete forms (§4.4) ------------------------------------------- */

static void test_obsolete_routes(void **state)
{
    (void)state;
    static const exp_addr multi[] = {
        {.local = "c", .domain = "d.test", .route = "@a.test,@b.test", .flags = ANG | ROUTE,
         .spec = "c@d.test"},
    };
    static const exp_addr spaced[] = {
        {.display = "X", .local = "c", .domain = "d.test",
         .route = "@a.test , (x) @[192.0.2.1]", .comment = "x",
         .flags = ANG | ROUTE, .spec = "c@d.test"},
    };
    static const exp_addr leading_commas[] = {
        {.local = "c", .domain = "d", .route = "@a,,@b", .flags = ANG | ROUTE},
    };
    static const exp_addr no_colon[] = {
        {.flags = ANG | INV, .err = MW_E_SYNTAX, .reason = "expected ':' after route",
         .chk = CHK_ERR, .err_off = 9, .raw = "<@a.test c@d>"},
        {.local = "e", .domain = "f", .flags = 0},
    };
    CHECK_LIST("<@a.test,@b.test:c@d.test>", 0, multi);
    CHECK_LIST("X <@a.test , (x) @[192.0.2.1] : c@d.test>", 0, spaced);
    CHECK_LIST("<,, @a,,@b:c@d>", 0, leading_commas);
    CHECK_LIST("<@a.test c@d>, e@f", 0, no_colon);
}

static void test_obsolete_local_parts(void **state)
{
    (void)state;
    static const exp_addr spaced[] = {
        {.local = "mary . smith", .domain = "y.test", .flags = OLOCAL,
         .spec = "mary.smith@y.test"},
    };
    static const exp_addr quoted_words[] = {
        {.local = "\"john\".\"public\"", .domain = "example.com",
         .flags = OLOCAL | QLOCAL, .spec = "john.public@example.com"},
        {.local = "\"mary\".smith", .domain = "home.example", .flags = OLOCAL | QLOCAL,
         .spec = "mary.smith@home.example"},
        {.local = "\"a b\".c", .domain = "x", .flags = OLOCAL | QLOCAL,
         .spec = "\"a b.c\"@x"},
    };
    static const exp_addr commented[] = {
        {.local = "first(a).(b)last", .domain = "iana.org", .comment = "a",
         .flags = OLOCAL, .spec = "first.last@iana.org"},
    };
    static const exp_addr around[] = {
        /* CFWS around a dot-atom is current syntax, not obsolete */
        {.local = "richard", .domain = "home.example", .flags = 0,
         .spec = "richard@home.example"},
        {.local = "smith", .domain = "home.example", .comment = "comment", .flags = 0},
        {.local = "smith", .domain = "[255.255.255.255]", .comment = "comment",
         .flags = LITERAL, .spec = "smith@[255.255.255.255]"},
    };
    CHECK_LIST("mary . smith@y.test", 0, spaced);
    CHECK_LIST("\"john\".\"public\"@example.com, \"mary\".smith@home.example,"
               " \"a b\".c@x",
               0, quoted_words);
    CHECK_LIST("first(a).(b)last@iana.org", 0, commented);
    CHECK_LIST(" richard @home.example, (comment)smith@home.example,"
               " smith@(comment)[255.255.255.255]",
               MW_HDR_ADDR_STRICT, around);
}

static void test_obsolete_domains_and_text(void **state)
{
    (void)state;
    static const exp_addr dom[] = {
        {.local = "richar", .domain = "home .example", .flags = ODOMAIN,
         .spec = "richar@home.example"},
    };
    static const exp_addr qp_literal[] = {
        {.local = "a", .domain = "[1.2\\.3]", .flags = LITERAL | ODOMAIN,
         .spec = "a@[1.2\\.3]"},
    };
    static const exp_addr ctl[] = {
        {.local = "\"a\x07" "b\"", .domain = "x.test", .flags = QLOCAL | OTEXT},
        {.local = "mary", .domain = "example.net", .comment = "\x07;",
         .flags = OTEXT},
    };
    static const exp_addr ctl_strict[] = {
        {.local = "\"a\x07" "b\"", .domain = "x.test", .flags = QLOCAL | OTEXT | INV,
         .err = MW_E_SYNTAX, .reason = "obsolete control character (strict)"},
    };
    CHECK_LIST("richar@ home .example", 0, dom);
    CHECK_LIST("a@[1.2\\.3]", 0, qp_literal);
    CHECK_LIST("\"a\x07" "b\"@x.test, (\x07;)mary@example.net", 0, ctl);
    CHECK_LIST("\"a\x07" "b\"@x.test", MW_HDR_ADDR_STRICT, ctl_strict);
}

static void test_obsolete_lists(void **state)
{
    (void)state;
    /* obs-mbox-list / obs-addr-list: empty elements anywhere */
    static const exp_addr list[] = {
        {.local = "a", .domain = "b", .flags = 0, .chk = CHK_OFF, .off = 3},
        {.local = "c", .domain = "d", .flags = 0, .chk = CHK_OFF, .off = 11},
    };
    /* obs-group-list: only commas and CFWS inside a group */
    static const exp_addr group[] = {
        {.group = "G", .flags = GEMPTY | GEND | INGRP, .comment = "none",
         .raw = "G: , (none) ,;"},
    };
    static const exp_addr members[] = {
        {.local = "a", .domain = "b", .group = "G", .flags = INGRP},
        {.local = "c", .domain = "d", .group = "G", .flags = INGRP | GEND,
         .raw = "c@d"},
    };
    CHECK_LIST(", ,a@b ,,, c@d, ,", MW_HDR_ADDR_MAILBOX_LIST | MW_HDR_ADDR_STRICT, list);
    CHECK_LIST("G: , (none) ,;", 0, group);
    CHECK_LIST("G: ,a@b,,, (x) ,c@d , (y), ;", 0, members);
}

/* ---- real-world forms ------------------------------------------------ */

static void test_real_world_forms(void **state)
{
    (void)state;
    static const exp_addr outlook[] = {
        {.display = "\"Last, First\"", .local = "x", .domain = "y.example", .flags = ANG,
         .spec = "x@y.example"},
        {.display = "\"Other, Name (Dept)\"", .local = "o", .domain = "y.example",
         .flags = ANG},
    };
    static const exp_addr bare[] = {
        {.local = "x", .domain = "y", .flags = ANG, .raw = "<x@y>"},
        {.local = "x", .domain = "y", .flags = 0, .raw = "x@y"},
        {.local = "x", .domain = "y", .comment = "Name", .flags = 0, .raw = "x@y (Name)"},
        {.local = "x", .domain = "y", .comment = "Name", .flags = 0, .raw = "(Name) x@y"},
    };
    static const exp_addr unquoted_comma[] = {
        /* RFC 5322 reads an unquoted "Last, First" as two entries */
        {.local = "Last", .flags = NODOM, .spec = "Last"},
        {.display = "First", .local = "x", .domain = "y", .flags = ANG},
    };
    static const exp_addr no_space[] = {
        {.display = "John", .local = "j", .domain = "x", .flags = ANG},
        {.display = "\"Q\"", .local = "q", .domain = "x", .flags = ANG},
    };
    static const exp_addr encoded[] = {
        {.display = "=?utf-8?q?J=C3=B6rg?= =?utf-8?b?TcO8bGxlcg==?=", .local = "j",
         .domain = "x.example", .flags = ANG},
    };
    static const exp_addr local_only[] = {
        {.local = "root", .flags = NODOM, .spec = "root"},
        {.local = "postmaster", .flags = NODOM | ANG, .spec = "postmaster"},
    };
    static const exp_addr local_only_strict[] = {
        {.local = "root", .flags = NODOM | INV, .err = MW_E_SYNTAX,
         .reason = "address has no domain (strict)"},
    };
    static const exp_addr special_atext[] = {
        {.local = "!#$%&`*+/=?^`{|}~", .domain = "iana.org", .flags = 0,
         .spec = "!#$%&`*+/=?^`{|}~@iana.org"},
        {.local = "stephane+blog", .domain = "bortzmeyer.org", .flags = 0},
        {.local = "\"Stephane[Bortzmeyer]\"", .domain = "laposte.net", .flags = QLOCAL,
         .spec = "\"Stephane[Bortzmeyer]\"@laposte.net"},
    };
    CHECK_LIST("\"Last, First\" <x@y.example>, \"Other, Name (Dept)\" <o@y.example>",
               MW_HDR_ADDR_STRICT, outlook);
    CHECK_LIST("<x@y>, x@y, x@y (Name), (Name) x@y", MW_HDR_ADDR_STRICT, bare);
    CHECK_LIST("Last, First <x@y>", 0, unquoted_comma);
    CHECK_LIST("John<j@x>,\"Q\"<q@x>", MW_HDR_ADDR_STRICT, no_space);
    CHECK_LIST("=?utf-8?q?J=C3=B6rg?= =?utf-8?b?TcO8bGxlcg==?= <j@x.example>",
               MW_HDR_ADDR_STRICT, encoded);
    CHECK_LIST("root, <postmaster>", 0, local_only);
    CHECK_LIST("root", MW_HDR_ADDR_STRICT, local_only_strict);
    CHECK_LIST("!#$%&`*+/=?^`{|}~@iana.org, stephane+blog@bortzmeyer.org,"
               " \"Stephane[Bortzmeyer]\"@laposte.net",
               MW_HDR_ADDR_STRICT, special_atext);
}

static void test_utf8_and_idn(void **state)
{
    (void)state;
    static const exp_addr utf8[] = {
        {.display = "J\xc3\xb6rg M\xc3\xbcller", .local = "j", .domain = "x.example",
         .flags = ANG | EIGHT},
        {.display = "\"\xe7\x94\xa8\xe6\x88\xb7\"", .local = "u", .domain = "x.example",
         .flags = ANG | EIGHT},
        /* RFC 6532: UTF-8 local part and domain */
        {.local = "\xe7\x94\xa8\xe6\x88\xb7", .domain = "\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a",
         .flags = EIGHT,
         .spec = "\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a"},
        {.local = "robert", .domain = "xn--hxajbheg2az3al.xn--jxalpdlp", .flags = 0},
        {.local = "j\xc3\xb6rg", .domain = "b\xc3\xbc" "cher.example", .comment = "B\xc3\xbc" "cher",
         .flags = EIGHT},
    };
    static const exp_addr latin1_display[] = {
        /* legacy 8-bit display names are left to the phrase decoder */
        {.display = "J\xf6rg", .local = "j", .domain = "x", .flags = ANG | EIGHT},
    };
    static const exp_addr bad_local[] = {
        {.local = "j\xf6rg", .domain = "x", .flags = EIGHT | INV, .err = MW_E_UTF8,
         .chk = CHK_ERR, .err_off = 1, .reason = "address is not valid UTF-8"},
        {.local = "ok", .domain = "x", .flags = 0},
    };
    static const exp_addr overlong_at[] = {
        /* 0xC0 0x80 is an overlong NUL; never valid UTF-8 */
        {.local = "a", .domain = "x\xc0\x80y", .flags = EIGHT | INV, .err = MW_E_UTF8,
         .chk = CHK_ERR, .err_off = 3},
    };
    CHECK_LIST("J\xc3\xb6rg M\xc3\xbcller <j@x.example>, \"\xe7\x94\xa8\xe6\x88\xb7\" <u@x.example>,"
               " \xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a,"
               " robert@xn--hxajbheg2az3al.xn--jxalpdlp,"
               " j\xc3\xb6rg@b\xc3\xbc" "cher.example (B\xc3\xbc" "cher)",
               MW_HDR_ADDR_STRICT, utf8);
    CHECK_LIST("J\xf6rg <j@x>", 0, latin1_display);
    CHECK_LIST("j\xf6rg@x, ok@x", 0, bad_local);
    CHECK_LIST("a@x\xc0\x80y", 0, overlong_at);
}

static void test_domain_literals(void **state)
{
    (void)state;
    static const exp_addr lits[] = {
        {.local = "a", .domain = "[IPv6:::1]", .flags = LITERAL, .spec = "a@[IPv6:::1]"},
        {.local = "b", .domain = "[IPv6:2001:db8::1]", .flags = LITERAL | ANG,
         .display = "B"},
        {.local = "pete", .domain = "[255.255.255.255]", .flags = LITERAL},
        {.local = "c", .domain = "[ 192.0.2.1 ]", .flags = LITERAL,
         .spec = "c@[192.0.2.1]"},
    };
    CHECK_LIST("a@[IPv6:::1], B <b@[IPv6:2001:db8::1]>, pete@[255.255.255.255],"
               " c@[ 192.0.2.1 ]",
               MW_HDR_ADDR_STRICT, lits);
}

/* ---- Python CVEs about address semantics (field-notes §4.9) ---------- */

static void test_cve_2019_16056_multiple_at(void **state)
{
    (void)state;
    /* The '@' inside the quoted local part is data; the domain is evil. */
    static const exp_addr quoted[] = {
        {.local = "\"alice@example.org\"", .domain = "evil.com", .flags = QLOCAL,
         .spec = "\"alice@example.org\"@evil.com"},
    };
    static const exp_addr two_at[] = {
        {.local = "a", .domain = "b", .flags = INV, .err = MW_E_SYNTAX,
         .reason = "more than one '@'", .chk = CHK_ERR | CHK_OFF, .err_off = 3,
         .off = 0, .raw = "a@b@c"},
        {.local = "d", .domain = "e", .flags = 0, .chk = CHK_OFF, .off = 7},
    };
    static const exp_addr two_at_long[] = {
        {.local = "alice", .domain = "example.org", .flags = INV, .err = MW_E_SYNTAX,
         .reason = "more than one '@'", .chk = CHK_ERR, .err_off = 17,
         .raw = "alice@example.org@evil.com"},
    };
    static const exp_addr in_angle[] = {
        {.display = "Name", .local = "a", .domain = "b", .flags = ANG | INV,
         .err = MW_E_SYNTAX, .reason = "more than one '@'", .chk = CHK_ERR,
         .err_off = 9, .raw = "Name <a@b@c>"},
    };
    static const exp_addr paren[] = {
        {.local = "alice", .domain = "example.org", .flags = INV, .err = MW_E_SYNTAX,
         .reason = "unexpected text after the address", .chk = CHK_ERR, .err_off = 17},
    };
    mw_hdr_address a;
    char buf[64];
    size_t n = 1;
    CHECK_LIST("\"alice@example.org\"@evil.com", MW_HDR_ADDR_STRICT, quoted);
    CHECK_LIST("a@b@c, d@e", 0, two_at);
    CHECK_LIST("alice@example.org@evil.com", 0, two_at_long);
    CHECK_LIST("Name <a@b@c>", 0, in_angle);
    /* "alice@example.org)@evil.com": the ')' is not a comment's end */
    CHECK_LIST("alice@example.org)@evil.com", 0, paren);
    /* an invalid entry never yields an address */
    a = one("a@b@c", 0);
    assert_int_equal(mw_hdr_addr_spec(&a, buf, sizeof(buf), &n), MW_E_SYNTAX);
    assert_int_equal(n, 0);
}

static void test_cve_2023_27043_display_name_as_address(void **state)
{
    (void)state;
    static const exp_addr quoted_display[] = {
        {.display = "\"a@b\"", .local = "c", .domain = "d", .flags = ANG, .spec = "c@d"},
    };
    static const exp_addr nested_angle[] = {
        {.display = "\"Alice <alice@x>\"", .local = "bob", .domain = "y", .flags = ANG,
         .spec = "bob@y"},
    };
    static const exp_addr comma_in_display[] = {
        {.display = "\"alice@x, bob\"", .local = "eve", .domain = "y", .flags = ANG,
         .spec = "eve@y"},
    };
    static const exp_addr phrase_only[] = {
        {.display = "Alice Smith", .flags = INV, .err = MW_E_SYNTAX,
         .reason = "display name without an address", .chk = CHK_ERR, .err_off = 0},
        {.local = "a", .domain = "b", .flags = 0},
    };
    static const exp_addr quoted_only[] = {
        /* a quoted string alone is a local part, never "alice@x" */
        {.local = "\"Alice <alice@x>\"", .flags = QLOCAL | NODOM,
         .spec = "\"Alice <alice@x>\""},
    };
    static const exp_addr two_addresses[] = {
        {.local = "alice", .domain = "x", .flags = INV, .err = MW_E_SYNTAX,
         .reason = "unexpected text after the address", .chk = CHK_ERR, .err_off = 8,
         .raw = "alice@x <bob@y>"},
        {.display = "Alice", .local = "alice", .domain = "x", .flags = ANG | INV,
         .err = MW_E_SYNTAX, .reason = "unexpected text after the address",
         .chk = CHK_ERR, .err_off = 33},
    };
    CHECK_LIST("\"a@b\" <c@d>", MW_HDR_ADDR_STRICT, quoted_display);
    CHECK_LIST("\"Alice <alice@x>\" <bob@y>", MW_HDR_ADDR_STRICT, nested_angle);
    CHECK_LIST("\"alice@x, bob\" <eve@y>", 0, comma_in_display);
    CHECK_LIST("Alice Smith, a@b", 0, phrase_only);
    CHECK_LIST("\"Alice <alice@x>\"", 0, quoted_only);
    CHECK_LIST("alice@x <bob@y>, Alice <alice@x> <bob@y>", 0, two_addresses);
}

/* ---- salvage and errors ---------------------------------------------- */

static void test_salvage_keeps_the_rest(void **state)
{
    (void)state;
    static const exp_addr middle[] = {
        {.local = "a", .domain = "b", .flags = 0},
        {.local = "bad", .flags = INV, .err = MW_E_SYNTAX, .reason = "domain is missing",
         .chk = CHK_OFF | CHK_ERR, .off = 5, .err_off = 9, .raw = "bad@@x"},
        {.local = "c", .domain = "d", .flags = 0, .chk = CHK_OFF, .off = 13},
    };
    static const exp_addr quoted_comma[] = {
        /* the ',' inside the quotes does not end the bad entry */
        {.display = "\"x, y\"", .local = "a", .domain = "b", .flags = ANG | INV,
         .err = MW_E_SYNTAX, .reason = "unexpected text after the address",
         .chk = CHK_ERR, .err_off = 12, .raw = "\"x, y\" <a@b>>"},
        {.local = "c", .domain = "d", .flags = 0},
    };
    static const exp_addr angle_comma[] = {
        {.local = "a", .domain = "b", .flags = ANG | INV, .err = MW_E_SYNTAX,
         .reason = "expected '>'", .chk = CHK_ERR, .err_off = 4, .raw = "<a@b,c@d>"},
        {.local = "e", .domain = "f", .flags = 0},
    };
    static const exp_addr comment_comma[] = {
        {.flags = INV, .err = MW_E_SYNTAX, .reason = "']' without '['",
         .raw = "a] (x, y)"},
        {.local = "z", .domain = "w", .flags = 0},
    };
    static const exp_addr literal_comma[] = {
        {.local = "a", .flags = INV, .err = MW_E_SYNTAX,
         .reason = "bad byte in domain literal", .chk = CHK_ERR, .err_off = 4,
         .raw = "a@[x[y,z]"},
        {.local = "q", .domain = "r", .flags = 0},
    };
    static const exp_addr junk[] = {
        {.flags = INV, .err = MW_E_SYNTAX, .reason = "'>' without '<'", .raw = ">>"},
        {.flags = INV, .err = MW_E_SYNTAX, .reason = "local part is missing",
         .raw = "@x"},
        {.flags = INV, .err = MW_E_SYNTAX, .reason = "empty address", .raw = ". ."},
        {.local = "a.", .flags = INV, .err = MW_E_SYNTAX,
         .reason = "local part has an empty part between dots", .domain = "b",
         .raw = "a.@b"},
        {.local = "a..b", .domain = "c", .flags = INV, .err = MW_E_SYNTAX,
         .reason = "local part has an empty part between dots"},
        {.local = "John Smith", .domain = "x", .flags = INV, .err = MW_E_SYNTAX,
         .reason = "local part has words not joined by '.'"},
        {.local = "a", .domain = "b", .flags = INV, .err = MW_E_SYNTAX,
         .reason = "empty label in domain", .raw = "a@b..c"},
        {.local = "a", .domain = "b", .flags = INV, .err = MW_E_SYNTAX,
         .reason = "empty label in domain", .raw = "a@b."},
        {.flags = ANG | INV, .err = MW_E_SYNTAX, .reason = "empty address \"<>\"",
         .raw = "<>"},
        {.local = "x", .domain = "y", .flags = 0},
    };
    CHECK_LIST("a@b, bad@@x, c@d", 0, middle);
    CHECK_LIST("\"x, y\" <a@b>>, c@d", 0, quoted_comma);
    CHECK_LIST("<a@b,c@d>, e@f", 0, angle_comma);
    CHECK_LIST("a] (x, y), z@w", 0, comment_comma);
    CHECK_LIST("a@[x[y,z], q@r", 0, literal_comma);
    CHECK_LIST(">>, @x, . ., a.@b, a..b@c, John Smith@x, a@b..c, a@b., <>, x@y", 0, junk);
}

static void test_unterminated_at_the_end(void **state)
{
    (void)state;
    static const exp_addr quote[] = {
        {.local = "a", .domain = "b", .flags = 0},
        {.flags = INV, .err = MW_E_SYNTAX, .reason = "quoted string is not closed",
         .chk = CHK_ERR | CHK_OFF, .err_off = 5, .off = 5,
         .raw = "\"unterminated, c@d"},
    };
    static const exp_addr comment[] = {
        {.local = "a", .domain = "b", .flags = 0},
        {.local = "c", .domain = "d", .flags = INV, .err = MW_E_SYNTAX,
         .reason = "comment is not closed", .chk = CHK_ERR, .err_off = 9,
         .raw = "c@d (oops, e@f"},
    };
    static const exp_addr angle[] = {
        {.local = "a", .domain = "b", .flags = 0},
        {.display = "Name", .local = "c", .domain = "d", .flags = ANG | INV,
         .err = MW_E_SYNTAX, .reason = "'<' is not closed", .chk = CHK_ERR,
         .err_off = 10, .raw = "Name <c@d"},
    };
    static const exp_addr angle_empty[] = {
        {.display = "x", .flags = ANG | INV, .err = MW_E_SYNTAX,
         .reason = "'<' is not closed", .chk = CHK_ERR, .err_off = 2, .raw = "x <"},
    };
    static const exp_addr literal[] = {
        {.local = "a", .domain = "b", .flags = 0},
        {.local = "c", .flags = INV, .err = MW_E_SYNTAX,
         .reason = "domain literal is not closed", .chk = CHK_ERR, .err_off = 7,
         .raw = "c@[1.2.3"},
    };
    static const exp_addr backslash[] = {
        {.flags = INV, .err = MW_E_SYNTAX, .reason = "quoted string is not closed",
         .chk = CHK_ERR, .err_off = 0, .raw = "\"abc\\"},
    };
    static const exp_addr group[] = {
        {.local = "a", .domain = "b", .group = "G", .flags = INGRP},
        {.local = "c", .domain = "d", .group = "G", .flags = INGRP | GEND | INV,
         .err = MW_E_SYNTAX, .reason = "group is not closed (no ';')", .chk = CHK_ERR,
         .err_off = 1},
    };
    static const exp_addr group_comma[] = {
        {.local = "a", .domain = "b", .group = "G", .flags = INGRP | GEND | INV,
         .err = MW_E_SYNTAX, .reason = "group is not closed (no ';')", .chk = CHK_ERR,
         .err_off = 1},
    };
    static const exp_addr group_empty[] = {
        {.local = "a", .domain = "b", .flags = 0},
        {.group = "G", .flags = INGRP | GEMPTY | GEND | INV, .err = MW_E_SYNTAX,
         .reason = "group is not closed (no ';')", .chk = CHK_ERR | CHK_OFF,
         .err_off = 6, .off = 5, .raw = "G:"},
    };
    CHECK_LIST("a@b, \"unterminated, c@d", 0, quote);
    CHECK_LIST("a@b, c@d (oops, e@f", 0, comment);
    CHECK_LIST("a@b, Name <c@d", 0, angle);
    CHECK_LIST("x <", 0, angle_empty);
    CHECK_LIST("a@b, c@[1.2.3", 0, literal);
    CHECK_LIST("\"abc\\", 0, backslash);
    CHECK_LIST("G: a@b, c@d", 0, group);
    CHECK_LIST("G: a@b, ", 0, group_comma);
    CHECK_LIST("a@b, G:", MW_HDR_ADDR_STRICT, group_empty);
}

/* ---- groups ---------------------------------------------------------- */

static void test_groups(void **state)
{
    (void)state;
    static const exp_addr mixed[] = {
        {.local = "a", .domain = "b", .flags = 0},
        {.group = "G", .flags = GEMPTY | GEND | INGRP, .raw = "G:;", .chk = CHK_OFF,
         .off = 5},
        {.display = "X", .local = "x", .domain = "y", .group = "H", .flags = ANG | INGRP | GEND},
        {.local = "c", .domain = "d", .flags = 0},
    };
    static const exp_addr in_mailbox_list[] = {
        {.local = "x", .domain = "y", .group = "Team", .flags = INGRP | INV,
         .err = MW_E_SYNTAX, .reason = "group not allowed in a mailbox list",
         .chk = CHK_ERR, .err_off = 0},
        {.local = "z", .domain = "w", .group = "Team", .flags = INGRP | GEND | INV,
         .err = MW_E_SYNTAX, .reason = "group not allowed in a mailbox list"},
        {.local = "a", .domain = "b", .flags = 0},
    };
    static const exp_addr empty_in_mailbox_list[] = {
        {.group = "undisclosed-recipients", .flags = GEMPTY | GEND | INGRP | INV,
         .err = MW_E_SYNTAX, .reason = "group not allowed in a mailbox list"},
    };
    static const exp_addr nested[] = {
        {.flags = INGRP | GEND | INV, .group = "A", .err = MW_E_SYNTAX,
         .reason = "group inside a group", .chk = CHK_ERR, .err_off = 4,
         .raw = "B: c@d"},
        {.local = "e", .domain = "f", .flags = 0},
    };
    static const exp_addr nested_more[] = {
        {.flags = INGRP | INV, .group = "A", .err = MW_E_SYNTAX,
         .reason = "group inside a group", .raw = "B: c@d"},
        {.local = "e", .domain = "f", .group = "A", .flags = INGRP | GEND},
        {.local = "g", .domain = "h", .flags = SEMI},
    };
    static const exp_addr nameless[] = {
        {.local = "a", .domain = "b", .flags = INGRP | GEND | INV, .err = MW_E_SYNTAX,
         .reason = "group has no name", .chk = CHK_ERR, .err_off = 0},
    };
    static const exp_addr no_comma_after[] = {
        {.local = "a", .domain = "b", .group = "G", .flags = INGRP | GEND},
        {.local = "c", .domain = "d", .flags = SEMI},
    };
    static const exp_addr obs_name[] = {
        {.local = "a", .domain = "b", .group = "Dr. Who's", .flags = INGRP | GEND | OPHRASE},
    };
    static const exp_addr utf8_name[] = {
        {.group = "\xc3\x89quipe", .flags = INGRP | GEND | GEMPTY | EIGHT},
    };
    static const exp_addr stray_semi[] = {
        {.local = "a", .domain = "b", .flags = SEMI},
        {.local = "c", .domain = "d", .flags = SEMI},
        {.local = "e", .domain = "f", .flags = SEMI},
    };
    static const exp_addr stray_semi_strict[] = {
        {.local = "a", .domain = "b", .flags = SEMI | INV, .err = MW_E_SYNTAX,
         .reason = "';' outside a group (strict)"},
        {.local = "c", .domain = "d", .flags = SEMI | INV, .err = MW_E_SYNTAX},
    };
    CHECK_LIST("a@b, G:;, H: X <x@y>;, c@d", MW_HDR_ADDR_STRICT, mixed);
    CHECK_LIST("Team: x@y, z@w;, a@b", MW_HDR_ADDR_MAILBOX_LIST, in_mailbox_list);
    CHECK_LIST("undisclosed-recipients:;", MW_HDR_ADDR_MAILBOX_LIST, empty_in_mailbox_list);
    CHECK_LIST("A: B: c@d;, e@f", 0, nested);
    CHECK_LIST("A: B: c@d, e@f;, g@h;", 0, nested_more);
    CHECK_LIST(": a@b;", 0, nameless);
    CHECK_LIST("G: a@b; c@d", 0, no_comma_after);
    CHECK_LIST("Dr. Who's: a@b;", 0, obs_name);
    CHECK_LIST("\xc3\x89quipe:;", 0, utf8_name);
    CHECK_LIST("a@b; c@d; e@f", 0, stray_semi);
    CHECK_LIST("a@b; c@d", MW_HDR_ADDR_STRICT, stray_semi_strict);
}

/* ---- hostile inputs -------------------------------------------------- */

static char *repeat(const char *unit, size_t times, const char *tail, size_t *len)
{
    size_t ul = strlen(unit), tl = strlen(tail), i;
    char *s = malloc(ul * times + tl + 1);
    assert_non_null(s);
    for (i = 0; i < times; i++)
        memcpy(s + i * ul, unit, ul);
    memcpy(s + ul * times, tail, tl + 1);
    *len = ul * times + tl;
    return s;
}

static void test_runs_of_separators(void **state)
{
    static const exp_addr two[] = {
        {.local = "a", .domain = "b", .flags = SEMI},
        {.local = "c", .domain = "d", .flags = SEMI},
    };
    static const exp_addr in_group[] = {
        {.local = "a", .domain = "b", .group = "G", .flags = INGRP | GEND},
    };
    mw_hdr_address out[4];
    size_t len, count = 99;
    char *s;
    int i;
    (void)state;
    CHECK_NONE(",,,,,,", 0);
    CHECK_NONE(";;;;;", 0);
    CHECK_NONE(";;;;;", MW_HDR_ADDR_STRICT);
    CHECK_NONE(" , ; (c) , ;\r\n , ", 0);
    CHECK_NONE("", 0);
    CHECK_NONE("   \r\n   ", 0);
    CHECK_NONE("(nobody)", 0);
    CHECK_LIST("a@b;;;;;;,,,;c@d", 0, two);
    CHECK_LIST("G:,,,,a@b,,,,;;;;", 0, in_group);
    /* Mutt CVE-2021-3181: long runs give no entry, in one pass */
    for (i = 0; i < 3; i++) {
        static const char *units[] = {";", ",", ";,(x)"};
        s = repeat(units[i], 100000, "", &len);
        assert_int_equal(mw_hdr_parse_addresses(s, len, 0, out, 4, &count, NULL), MW_OK);
        assert_int_equal(count, 0);
        free(s);
    }
    /* a run of empty groups gives one entry each, in one pass */
    s = repeat("G:;", 30000, "", &len);
    {
        mw_hdr_addr_iter it;
        mw_hdr_address a;
        size_t n = 0;
        mw_hdr_addr_iter_init(&it, s, len, 0);
        while (mw_hdr_addr_next(&it, &a) == MW_OK) {
            assert_int_equal(a.flags, GEMPTY | GEND | INGRP | (n > 0 ? SEMI : 0u));
            assert_int_equal(a.offset, 3 * n);
            n++;
        }
        assert_int_equal(n, 30000);
    }
    free(s);
}

static void test_many_addresses(void **state)
{
    enum { N = 100000 };
    const size_t ul = strlen("u000000@example.org, ");
    char *s = malloc(ul * (N + 1) + 1);
    mw_hdr_address *arr = calloc(N + 1, sizeof(*arr));
    mw_hdr_addr_iter it;
    mw_hdr_address a;
    mw_error err;
    size_t i, count, len, lens[3];
    int k;
    (void)state;
    assert_non_null(s);
    assert_non_null(arr);
    for (i = 0; i < N + 1; i++) {
        char unit[32];
        snprintf(unit, sizeof(unit), "u%06zu@example.org, ", i);
        memcpy(s + i * ul, unit, ul);
    }
    /* lengths holding N-1, N and N+1 addresses (without the last ", ") */
    lens[0] = ul * (N - 1) - 2;
    lens[1] = ul * N - 2;
    lens[2] = ul * (N + 1) - 2;

    /* iterator: constant memory, every entry in order */
    len = lens[2];
    mw_hdr_addr_iter_init(&it, s, len, MW_HDR_ADDR_STRICT);
    for (i = 0; i < N + 1; i++) {
        char want[16];
        assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
        snprintf(want, sizeof(want), "u%06zu", i);
        assert_int_equal(a.flags, 0);
        assert_int_equal(a.offset, i * ul);
        assert_int_equal(a.local.len, 7);
        assert_memory_equal(a.local.ptr, want, 7);
        assert_int_equal(a.domain.len, 11);
    }
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_DONE);

    /* array of capacity N: N-1 and N fit, N+1 does not */
    for (k = 0; k < 3; k++) {
        memset(&err, 0, sizeof(err));
        count = 0;
        int rc = mw_hdr_parse_addresses(s, lens[k], 0, arr, N, &count, &err);
        if (k < 2) {
            assert_int_equal(rc, MW_OK);
            assert_int_equal(count, N - 1 + (size_t)k);
        } else {
            assert_int_equal(rc, MW_E_NOSPACE);
            assert_int_equal(count, N);
            assert_int_equal(err.code, MW_E_NOSPACE);
            assert_int_equal(err.offset, (size_t)N * ul);
        }
        assert_memory_equal(arr[count - 1].local.ptr, s + (count - 1) * ul, 7);
    }
    /* and a bad entry among them is reported, the rest kept */
    memcpy(s + 5000 * ul + 7, "@@", 2); /* "u005000@@xample.org" */
    memset(&err, 0, sizeof(err));
    assert_int_equal(mw_hdr_parse_addresses(s, lens[1], 0, arr, N, &count, &err),
                     MW_E_SYNTAX);
    assert_int_equal(count, N);
    assert_true(arr[5000].flags & INV);
    assert_int_equal(err.offset, 5000 * ul + 8);
    assert_false(arr[5001].flags & INV);
    free(arr);
    free(s);
}

static void test_array_capacity_small(void **state)
{
    static const char *in = "a@b, G:;, c@d";
    mw_hdr_address out[3];
    mw_error err;
    size_t count;
    (void)state;
    /* 3 entries; capacity 2, 3, 4 */
    memset(&err, 0, sizeof(err));
    assert_int_equal(mw_hdr_parse_addresses(in, strlen(in), 0, out, 2, &count, &err),
                     MW_E_NOSPACE);
    assert_int_equal(count, 2);
    assert_int_equal(err.offset, 10);
    assert_true(out[1].flags & GEMPTY);
    assert_int_equal(mw_hdr_parse_addresses(in, strlen(in), 0, out, 3, &count, &err),
                     MW_OK);
    assert_int_equal(count, 3);
    {
        mw_hdr_address big[4];
        assert_int_equal(mw_hdr_parse_addresses(in, strlen(in), 0, big, 4, &count, NULL),
                         MW_OK);
        assert_int_equal(count, 3);
    }
    /* capacity 0: only counts whether anything is there */
    assert_int_equal(mw_hdr_parse_addresses(in, strlen(in), 0, NULL, 0, &count, &err),
                     MW_E_NOSPACE);
    assert_int_equal(count, 0);
    assert_int_equal(err.offset, 0);
    assert_int_equal(mw_hdr_parse_addresses(" , ", 3, 0, NULL, 0, &count, &err), MW_OK);
    assert_int_equal(count, 0);
    /* NOSPACE wins over SYNTAX; both stop nothing already stored */
    assert_int_equal(mw_hdr_parse_addresses("x@@, a@b, c@d", 13, 0, out, 2, &count, &err),
                     MW_E_NOSPACE);
    assert_int_equal(count, 2);
    assert_true(out[0].flags & INV);
    /* arguments */
    assert_int_equal(mw_hdr_parse_addresses(in, strlen(in), 0, out, 3, NULL, &err),
                     MW_E_INVAL);
    assert_int_equal(mw_hdr_parse_addresses(in, strlen(in), 0, NULL, 3, &count, &err),
                     MW_E_INVAL);
    assert_int_equal(mw_hdr_parse_addresses(NULL, 3, 0, out, 3, &count, &err), MW_E_INVAL);
    assert_int_equal(mw_hdr_parse_addresses(NULL, 0, 0, out, 3, &count, &err), MW_OK);
    assert_int_equal(count, 0);
}

static char *nested(size_t depth, const char *inner, const char *tail, size_t *len)
{
    size_t n = strlen(inner), t = strlen(tail);
    char *s = malloc(2 * depth + n + t + 1);
    assert_non_null(s);
    memset(s, '(', depth);
    memcpy(s + depth, inner, n);
    memset(s + depth + n, ')', depth);
    memcpy(s + 2 * depth + n, tail, t + 1);
    *len = 2 * depth + n + t;
    return s;
}

static void test_nested_comments(void **state)
{
    mw_hdr_addr_iter it;
    mw_hdr_address a;
    size_t len, d;
    char *s;
    (void)state;
    /* 10,000 nested comments: a depth error for that entry only */
    s = nested(10000, "x", " a@b, c@d", &len);
    mw_hdr_addr_iter_init(&it, s, len, 0);
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
    assert_int_equal(a.flags, INV);
    assert_int_equal(a.error.code, MW_E_DEPTH);
    assert_int_equal(a.error.offset, 0);
    assert_int_equal(a.raw.len, len - strlen(", c@d"));
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
    assert_int_equal(a.flags, 0);
    assert_int_equal(a.offset, len - 3);
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_DONE);
    free(s);

    /* inside an address, after a valid one */
    {
        size_t inner;
        char *c = nested(10000, "", "", &inner);
        char *v = malloc(inner + 32);
        assert_non_null(v);
        memcpy(v, "x@y, a", 6);
        memcpy(v + 6, c, inner);
        memcpy(v + 6 + inner, "@b, e@f", 8);
        mw_hdr_addr_iter_init(&it, v, inner + 13, 0);
        assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
        assert_int_equal(a.flags, 0);
        assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
        assert_int_equal(a.error.code, MW_E_DEPTH);
        assert_int_equal(a.error.offset, 6);
        assert_int_equal(a.offset, 5);
        assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
        assert_int_equal(a.flags, 0);
        assert_memory_equal(a.local.ptr, "e", 1);
        free(v);
        free(c);
    }

    /* 10,000 unclosed: a syntax error at the first '(' */
    s = repeat("(", 10000, "", &len);
    mw_hdr_addr_iter_init(&it, s, len, 0);
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
    assert_int_equal(a.error.code, MW_E_SYNTAX);
    assert_string_equal(a.error.reason, R_("comment is not closed"));
    assert_int_equal(a.error.offset, 0);
    assert_int_equal(a.raw.len, len);
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_DONE);
    free(s);

    /* the bound at cap-1, cap and cap+1 */
    for (d = MW_HDR_MAX_COMMENT_DEPTH - 1; d <= MW_HDR_MAX_COMMENT_DEPTH + 1; d++) {
        s = nested(d, "c", " a@b", &len);
        mw_hdr_addr_iter_init(&it, s, len, 0);
        assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
        if (d <= MW_HDR_MAX_COMMENT_DEPTH) {
            assert_int_equal(a.flags, 0);
            assert_int_equal(a.comment.len, 2 * d - 2 + 1);
        } else {
            assert_int_equal(a.error.code, MW_E_DEPTH);
        }
        free(s);
    }
    /* a deep comment in an empty list element is still an error of the
     * entry it precedes, not silently skipped */
    s = nested(MW_HDR_MAX_COMMENT_DEPTH + 1, "", ", a@b", &len);
    mw_hdr_addr_iter_init(&it, s, len, 0);
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
    assert_int_equal(a.error.code, MW_E_DEPTH);
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
    assert_int_equal(a.flags, 0);
    free(s);
}

static void test_nul_bytes(void **state)
{
    static const char in1[] = "a\0b@c, d@e";
    static const exp_addr e1[] = {
        {.flags = INV, .err = MW_E_NUL, .chk = CHK_ERR | CHK_OFF, .err_off = 1,
         .off = 0, .reason = "NUL byte in address"},
        {.local = "d", .domain = "e", .flags = 0},
    };
    static const char in2[] = "\"a\0b\"@c";
    static const char in3[] = "a@c (x\0y), G\0: b@d;";
    static const char in4[] = "\"G\0\": b@d;";
    static const char in5[] = "a@evil.example\0@good.example";
    mw_hdr_addr_iter it;
    mw_hdr_address a;
    (void)state;
    check_list_n(in1, sizeof(in1) - 1, 0, e1, 2);
    mw_hdr_addr_iter_init(&it, in2, sizeof(in2) - 1, 0);
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
    assert_int_equal(a.error.code, MW_E_NUL);
    assert_int_equal(a.error.offset, 2);
    assert_int_equal(a.flags, INV | QLOCAL);
    assert_int_equal(a.local.len, 5);
    /* in a comment; in an unquoted group name (which then is no group) */
    mw_hdr_addr_iter_init(&it, in3, sizeof(in3) - 1, 0);
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
    assert_int_equal(a.error.code, MW_E_NUL);
    assert_int_equal(a.error.offset, 6);
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
    assert_int_equal(a.error.code, MW_E_NUL);
    assert_int_equal(a.error.offset, 12);
    assert_int_equal(a.flags, INV | SEMI); /* salvaged up to the stray ';' */
    assert_int_equal(a.raw.len, 7);
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_DONE);
    /* in a quoted group name: every member is invalid */
    mw_hdr_addr_iter_init(&it, in4, sizeof(in4) - 1, 0);
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
    assert_int_equal(a.error.code, MW_E_NUL);
    assert_int_equal(a.error.offset, 2);
    assert_true(a.flags & GEND);
    assert_int_equal(a.local.len, 1);
    /* the truncation trick: never "a@evil.example" as a valid address */
    mw_hdr_addr_iter_init(&it, in5, sizeof(in5) - 1, 0);
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
    assert_int_equal(a.error.code, MW_E_NUL);
    assert_int_equal(a.error.offset, 14);
    assert_int_equal(a.raw.len, sizeof(in5) - 1);
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_DONE);
}

/* ---- Return-Path ----------------------------------------------------- */

static void test_return_path(void **state)
{
    mw_hdr_address a;
    mw_error err;
    char buf[64];
    size_t n;
    (void)state;
    assert_int_equal(mw_hdr_parse_return_path("<>", 2, &a, &err), MW_OK);
    assert_int_equal(a.flags, ANG | NULLP);
    assert_int_equal(a.local.len, 0);
    assert_int_equal(mw_hdr_addr_spec(&a, buf, sizeof(buf), &n), MW_OK);
    assert_int_equal(n, 0);
    assert_int_equal(mw_hdr_parse_return_path(" < (empty) >\r\n (x)", 18, &a, &err), MW_OK);
    assert_int_equal(a.flags, ANG | NULLP);
    assert_true(span_is(a.comment, "empty"));
    assert_true(span_is(a.raw, "< (empty) > (x)"));
    assert_int_equal(a.offset, 1);

    assert_int_equal(mw_hdr_parse_return_path(" <jdoe@machine.example>", 23, &a, &err), MW_OK);
    assert_int_equal(a.flags, ANG);
    assert_true(span_is(a.local, "jdoe"));
    assert_true(span_is(a.domain, "machine.example"));
    assert_int_equal(mw_hdr_parse_return_path("<@a,@b:c@d>", 11, &a, &err), MW_OK);
    assert_int_equal(a.flags, ANG | ROUTE);
    assert_true(span_is(a.route, "@a,@b"));
    /* obsolete: no angle brackets */
    assert_int_equal(mw_hdr_parse_return_path("bounce@x.example", 16, &a, &err), MW_OK);
    assert_int_equal(a.flags, 0);
    assert_true(span_is(a.domain, "x.example"));

    /* errors: code, offset, and the entry still filled */
#define RP_BAD(s, off, why)                                                   \
    do {                                                                      \
        memset(&err, 0, sizeof(err));                                         \
        assert_int_equal(mw_hdr_parse_return_path((s), strlen(s), &a, &err),  \
                         MW_E_SYNTAX);                                        \
        assert_int_equal(err.code, MW_E_SYNTAX);                              \
        assert_int_equal(err.offset, (off));                                  \
        assert_string_equal(err.reason, R_(why));                               \
        assert_true(a.flags & INV);                                           \
    } while (0)
    RP_BAD("", 0, "empty path");
    RP_BAD("  \r\n ", 5, "empty path");
    RP_BAD("Name <a@b>", 0, "display name in a path");
    assert_true(span_is(a.display, "Name"));
    assert_true(span_is(a.local, "a"));
    RP_BAD("<a@b>, <c@d>", 5, "more than one address in a path");
    assert_true(span_is(a.raw, "<a@b>, <c@d>"));
    RP_BAD("<a@b> x", 6, "unexpected text after the address");
    RP_BAD("<a@b>;", 5, "unexpected text after the path");
    RP_BAD(" <a@b", 1, "'<' is not closed");
    RP_BAD("G: a@b;", 1, "group in a path");
    RP_BAD("<a@b@c>", 4, "more than one '@'");
    RP_BAD("<<>>", 1, "expected an address after '<'");
    RP_BAD("(((", 0, "comment is not closed");
#undef RP_BAD
    assert_int_equal(mw_hdr_parse_return_path("<a\0@b>", 6, &a, &err), MW_E_SYNTAX);
    assert_int_equal(a.error.code, MW_E_NUL);
    assert_int_equal(err.offset, 2);
    {
        size_t len;
        char *s = nested(10000, "", "<a@b>", &len);
        assert_int_equal(mw_hdr_parse_return_path(s, len, &a, &err), MW_E_SYNTAX);
        assert_int_equal(a.error.code, MW_E_DEPTH);
        assert_int_equal(err.offset, 0);
        free(s);
    }
    assert_int_equal(mw_hdr_parse_return_path(NULL, 0, &a, NULL), MW_E_SYNTAX);
    assert_int_equal(mw_hdr_parse_return_path(NULL, 1, &a, NULL), MW_E_INVAL);
    assert_int_equal(mw_hdr_parse_return_path("<>", 2, NULL, NULL), MW_E_INVAL);
}

/* ---- mw_hdr_addr_spec ------------------------------------------------ */

static void spec_is(const char *in, const char *want)
{
    mw_hdr_address a = one(in, 0);
    char buf[128];
    size_t n = 0;
    assert_int_equal(mw_hdr_addr_spec(&a, buf, sizeof(buf), &n), MW_OK);
    if (n != strlen(want) || memcmp(buf, want, n) != 0) {
        print_error("spec of \"%s\" is \"%.*s\", want \"%s\"\n", in, (int)n, buf, want);
        fail();
    }
}

static void test_addr_spec_canonical(void **state)
{
    (void)state;
    spec_is("\"abc\"@x", "abc@x");               /* needless quotes dropped */
    spec_is("\"a.b\"@x", "a.b@x");
    spec_is("\"a b\"@x", "\"a b\"@x");
    spec_is("\"a..b\"@x", "\"a..b\"@x");         /* not a dot-atom */
    spec_is("\".a\"@x", "\".a\"@x");
    spec_is("\"a.\"@x", "\"a.\"@x");
    spec_is("\"\"@x", "\"\"@x");
    spec_is("\"a\\\"b\"@x", "\"a\\\"b\"@x");     /* '"' stays escaped */
    spec_is("\"a\\\\b\"@x", "\"a\\\\b\"@x");     /* '\' stays escaped */
    spec_is("\"a\\bc\"@x", "abc@x");             /* needless quoted-pair */
    spec_is("\"a\r\n b\"@x", "\"a b\"@x");       /* folding removed (§3.2.4) */
    spec_is("(c) a . b (d) @ (e) x . y (f)", "a.b@x.y");
    spec_is("\"a\" . \"b c\" @x", "\"a.b c\"@x");
    spec_is("a@[ IPv6:::1 ]", "a@[IPv6:::1]");
    spec_is("A.B@Example.COM", "A.B@Example.COM"); /* case kept */
    spec_is("<root>", "root");
    spec_is("Name <@r:a@b>", "a@b");               /* route dropped */
}

static void test_addr_spec_capacity(void **state)
{
    mw_hdr_address a = one("\"a b\"@x.y", 0);
    char buf[16];
    size_t n = 99;
    (void)state;
    /* "\"a b\"@x.y" is 9 bytes: cap-1, cap, cap+1 */
    assert_int_equal(mw_hdr_addr_spec(&a, buf, 8, &n), MW_E_NOSPACE);
    assert_int_equal(n, 9);
    assert_int_equal(mw_hdr_addr_spec(&a, buf, 9, &n), MW_OK);
    assert_int_equal(n, 9);
    assert_memory_equal(buf, "\"a b\"@x.y", 9);
    memset(buf, 'Z', sizeof(buf));
    assert_int_equal(mw_hdr_addr_spec(&a, buf, 10, &n), MW_OK);
    assert_int_equal(n, 9);
    assert_int_equal(buf[9], 'Z'); /* no NUL written */
    assert_int_equal(mw_hdr_addr_spec(&a, NULL, 0, &n), MW_E_NOSPACE);
    assert_int_equal(n, 9);
    assert_int_equal(mw_hdr_addr_spec(&a, buf, 9, NULL), MW_OK);
    /* the documented bound always suffices */
    {
        static const char *cases[] = {"\"a\\\"b\"@x", "a.b@c", "\"a\".\"b\"@c",
                                      "(x)a(y)@(z)b", "\"\"@x", "<r>"};
        size_t i;
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            mw_hdr_address b = one(cases[i], 0);
            size_t bound = b.local.len + b.domain.len + 3;
            char big[64];
            assert_int_equal(mw_hdr_addr_spec(&b, big, bound, &n), MW_OK);
            assert_true(n <= bound);
        }
    }
    /* refusals */
    a = one("undisclosed-recipients:;", 0);
    assert_int_equal(mw_hdr_addr_spec(&a, buf, sizeof(buf), &n), MW_E_INVAL);
    assert_int_equal(n, 0);
    assert_int_equal(mw_hdr_addr_spec(NULL, buf, sizeof(buf), &n), MW_E_INVAL);
    a = one("a@b", 0);
    assert_int_equal(mw_hdr_addr_spec(&a, NULL, 4, &n), MW_E_INVAL);
    /* a hand-made entry that does not lex */
    a.local = (mw_span){"a>b", 3};
    assert_int_equal(mw_hdr_addr_spec(&a, buf, sizeof(buf), &n), MW_E_SYNTAX);
}

/* ---- iterator behaviour ---------------------------------------------- */

static void test_iterator_behaviour(void **state)
{
    static const char *in = "a@b, G: c@d, e@f;, x@@, g@h";
    mw_hdr_addr_iter it, copy;
    mw_hdr_address a, b;
    int i;
    (void)state;
    assert_int_equal(mw_hdr_addr_next(NULL, &a), MW_E_INVAL);
    mw_hdr_addr_iter_init(&it, in, strlen(in), 0);
    assert_int_equal(mw_hdr_addr_next(&it, NULL), MW_E_INVAL);
    /* a copy taken inside a group continues exactly like the original */
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
    assert_true(span_is(a.group, "G"));
    copy = it;
    for (i = 0; i < 3; i++) {
        assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
        assert_int_equal(mw_hdr_addr_next(&copy, &b), MW_OK);
        assert_int_equal(a.offset, b.offset);
        assert_int_equal(a.flags, b.flags);
        assert_int_equal(a.raw.len, b.raw.len);
    }
    assert_true(span_is(a.local, "g"));
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_DONE);
    assert_int_equal(mw_hdr_addr_next(&copy, &b), MW_DONE);
    /* an exhausted iterator stays done and leaves `out` alone */
    memset(&a, 0x5a, sizeof(a));
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_DONE);
    assert_int_equal(a.flags, 0x5a5a5a5au);
    /* NULL value with length 0 */
    mw_hdr_addr_iter_init(&it, NULL, 0, 0);
    assert_int_equal(mw_hdr_addr_next(&it, &a), MW_DONE);
}

/* Every prefix of a tricky list parses without reading past its end (the
 * copy in check_list_n is exact-size, so ASan sees any overread) and with
 * entries that stay inside the prefix. */
static void test_every_prefix(void **state)
{
    static const char *in =
        "\"Joe Q. Public\" <john.q.public@example.com>, A Group(Some people)\r\n"
        " :Chris Jones <c@(Chris's host.)public.example>, <@a,@b:c@[IPv6:::1]>;"
        " \"a\\\"b\".c (x(y)) @ d . e, G:;, x@@y, \"unterminated";
    size_t len = strlen(in), k;
    (void)state;
    for (k = 0; k <= len; k++) {
        char *p = malloc(k + 1);
        mw_hdr_addr_iter it;
        mw_hdr_address a;
        size_t count = 0, last = 0;
        int rc;
        assert_non_null(p);
        memcpy(p, in, k);
        mw_hdr_addr_iter_init(&it, p, k, 0);
        while ((rc = mw_hdr_addr_next(&it, &a)) == MW_OK) {
            char buf[128];
            size_t n;
            assert_true(a.raw.ptr >= p && a.raw.ptr + a.raw.len <= p + k);
            assert_true(count == 0 || a.offset >= last);
            last = a.offset;
            rc = mw_hdr_addr_spec(&a, buf, sizeof(buf), &n);
            assert_true(rc == MW_OK || rc == MW_E_SYNTAX || rc == MW_E_INVAL);
            count++;
            assert_true(count <= 16);
        }
        assert_int_equal(rc, MW_DONE);
        free(p);
    }
}

/* Found by fuzz_hdr_address: escaped CR/LF (obsolete quoted-pairs) must
 * never come out of mw_hdr_addr_spec() as a raw line break, and a domain
 * literal's quoted-pairs stay whole. */
static void test_escaped_line_breaks(void **state)
{
    static const char v[] = "\"a\\\r\\\nRCPT TO:<x@y>\"@example.com";
    mw_hdr_address a[2];
    size_t n = 0, len;
    char out[128];
    (void)state;

    /* strict: the obsolete quoted-pair makes the entry invalid */
    assert_int_equal(mw_hdr_parse_addresses(v, sizeof v - 1, MW_HDR_ADDR_STRICT, a, 2, &n, NULL),
                     MW_E_SYNTAX);
    assert_int_equal(n, 1);
    assert_true(a[0].flags & MW_HDR_ADDR_INVALID);
    assert_int_equal(mw_hdr_addr_spec(&a[0], out, sizeof out, &len), MW_E_SYNTAX);

    /* lenient: accepted as obsolete text, but no canonical form */
    assert_int_equal(mw_hdr_parse_addresses(v, sizeof v - 1, 0, a, 2, &n, NULL), MW_OK);
    assert_true(a[0].flags & MW_HDR_ADDR_OBS_TEXT);
    assert_int_equal(mw_hdr_addr_spec(&a[0], out, sizeof out, &len), MW_E_SYNTAX);

    /* domain literals: "\\ " keeps its backslash; escaped CR/LF refused */
    {
        static const char d1[] = "a@[1.2\\ 3]";
        assert_int_equal(mw_hdr_parse_addresses(d1, sizeof d1 - 1, 0, a, 2, &n, NULL), MW_OK);
        assert_int_equal(mw_hdr_addr_spec(&a[0], out, sizeof out, &len), MW_OK);
        assert_int_equal(len, sizeof d1 - 1);
        assert_memory_equal(out, d1, len);
    }
    {
        static const char d2[] = "a@[1.2\\\t]";
        assert_int_equal(mw_hdr_parse_addresses(d2, sizeof d2 - 1, 0, a, 2, &n, NULL), MW_OK);
        assert_int_equal(mw_hdr_addr_spec(&a[0], out, sizeof out, &len), MW_OK);
        assert_memory_equal(out, d2, sizeof d2 - 1);
    }
    {
        static const char d3[] = "a@[1.2.3\\\r:?\\\n]";
        if (mw_hdr_parse_addresses(d3, sizeof d3 - 1, 0, a, 2, &n, NULL) == MW_OK)
            assert_int_equal(mw_hdr_addr_spec(&a[0], out, sizeof out, &len), MW_E_SYNTAX);
        assert_int_equal(mw_hdr_parse_addresses(d3, sizeof d3 - 1, MW_HDR_ADDR_STRICT, a, 2, &n,
                                                NULL),
                         MW_E_SYNTAX);
    }
}

/* ABI (issue 9): a binding that cannot read the struct places it in
 * mw_hdr_addr_iter_sizeof() bytes of its own. Here those bytes come from
 * malloc, so that ASan reports a size too small when it is used. */
static void test_addr_iter_sizeof(void **state)
{
    mw_hdr_addr_iter *it;
    mw_hdr_address a;
    (void)state;
    assert_int_equal(mw_hdr_addr_iter_sizeof(), sizeof(mw_hdr_addr_iter));
    it = malloc(mw_hdr_addr_iter_sizeof());
    assert_non_null(it);
    mw_hdr_addr_iter_init(it, "a@example.org, g: b@example.net;", 32, 0);
    assert_int_equal(mw_hdr_addr_next(it, &a), MW_OK);
    assert_int_equal(mw_hdr_addr_next(it, &a), MW_OK);
    assert_true(a.flags & MW_HDR_ADDR_IN_GROUP);
    assert_int_equal(mw_hdr_addr_next(it, &a), MW_DONE);
    free(it);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaped_line_breaks),
        cmocka_unit_test(test_rfc_a1_1_simple),
        cmocka_unit_test(test_rfc_a1_2_different_types),
        cmocka_unit_test(test_rfc_a1_3_groups),
        cmocka_unit_test(test_rfc_a2_a3_a4_replies_resent_trace),
        cmocka_unit_test(test_rfc_a5_white_space_and_comments),
        cmocka_unit_test(test_rfc_a6_1_obsolete_addressing),
        cmocka_unit_test(test_rfc_a6_3_obsolete_white_space),
        cmocka_unit_test(test_obsolete_routes),
        cmocka_unit_test(test_obsolete_local_parts),
        cmocka_unit_test(test_obsolete_domains_and_text),
        cmocka_unit_test(test_obsolete_lists),
        cmocka_unit_test(test_real_world_forms),
        cmocka_unit_test(test_utf8_and_idn),
        cmocka_unit_test(test_domain_literals),
        cmocka_unit_test(test_cve_2019_16056_multiple_at),
        cmocka_unit_test(test_cve_2023_27043_display_name_as_address),
        cmocka_unit_test(test_salvage_keeps_the_rest),
        cmocka_unit_test(test_unterminated_at_the_end),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_runs_of_separators),
        cmocka_unit_test(test_many_addresses),
        cmocka_unit_test(test_array_capacity_small),
        cmocka_unit_test(test_nested_comments),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_return_path),
        cmocka_unit_test(test_addr_spec_canonical),
        cmocka_unit_test(test_addr_spec_capacity),
        cmocka_unit_test(test_iterator_behaviour),
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_addr_iter_sizeof),
    };
    return cmocka_run_group_tests_name("hdr_address", tests, NULL, NULL);
}
