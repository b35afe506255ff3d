/* SPDX-License-Identifier: MIT */
/* RFC 5322 §3.2 lexical layer: CFWS, comments, atoms, quoted strings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "rfc5322/lex.h"
#include "reason.h"

#define LEX(lx, s) mw__lex_init((lx), (s), strlen(s))

static char *nested(unsigned depth, const char *inner)
{
    size_t n = strlen(inner);
    char *s = malloc(2 * (size_t)depth + n + 1);
    memset(s, '(', depth);
    memcpy(s + depth, inner, n);
    memset(s + depth + n, ')', depth);
    s[2 * (size_t)depth + n] = '\0';
    return s;
}

static void test_cfws_skips_fws_and_comments(void **state)
{
    mw__lex lx;
    (void)state;
    LEX(&lx, " \t\r\n (a (nested) \\) comment)\r\n x");
    assert_int_equal(mw__lex_cfws(&lx), MW_OK);
    assert_int_equal(mw__lex_peek(&lx), 'x');
    assert_true(lx.flags & MW__LEX_COMMENT);
    assert_true(lx.flags & MW__LEX_QPAIR);
    assert_int_equal(lx.comment.len, strlen("a (nested) \\) comment"));
    assert_memory_equal(lx.comment.ptr, "a (nested)", 10);
}

static void test_comment_depth_bounds(void **state)
{
    mw__lex lx;
    (void)state;
    for (unsigned d = MW_HDR_MAX_COMMENT_DEPTH - 1; d <= MW_HDR_MAX_COMMENT_DEPTH + 1; d++) {
        char *s = nested(d, "x");
        LEX(&lx, s);
        int rc = mw__lex_cfws(&lx);
        if (d <= MW_HDR_MAX_COMMENT_DEPTH) {
            assert_int_equal(rc, MW_OK);
            assert_true(mw__lex_eof(&lx));
        } else {
            assert_int_equal(rc, MW_E_DEPTH);
            assert_int_equal(lx.err_off, 0);
            /* the whole comment was still skipped, so a caller can go on */
            assert_true(mw__lex_eof(&lx));
        }
        free(s);
    }
}

static void test_ten_thousand_nested_comments(void **state)
{
    mw__lex lx;
    (void)state;
    char *s = nested(10000, "deep");
    LEX(&lx, s);
    assert_int_equal(mw__lex_cfws(&lx), MW_E_DEPTH);
    free(s);
    /* unbalanced: 10,000 opens and no close */
    s = malloc(10001);
    memset(s, '(', 10000);
    s[10000] = '\0';
    LEX(&lx, s);
    assert_int_equal(mw__lex_cfws(&lx), MW_E_SYNTAX);
    assert_string_equal(lx.err_reason, R_("comment is not closed"));
    free(s);
}

static void test_unclosed_comment_offset(void **state)
{
    mw__lex lx;
    (void)state;
    LEX(&lx, "   (abc");
    assert_int_equal(mw__lex_cfws(&lx), MW_E_SYNTAX);
    assert_int_equal(lx.err_off, 3);
    LEX(&lx, "(abc\\)");
    assert_int_equal(mw__lex_cfws(&lx), MW_E_SYNTAX);
}

static void test_atoms_and_dot_atoms(void **state)
{
    mw__lex lx;
    mw_span s;
    (void)state;
    LEX(&lx, "john.q.public@example");
    assert_int_equal(mw__lex_dot_atom(&lx, &s), 1);
    assert_int_equal(s.len, 13);
    assert_int_equal(mw__lex_peek(&lx), '@');
    assert_int_equal(mw__lex_atom(&lx, &s), 0); /* '@' is a special */

    LEX(&lx, "a..b");
    assert_int_equal(mw__lex_dot_atom(&lx, &s), 1);
    assert_int_equal(s.len, 1); /* doubled dot not consumed */
    LEX(&lx, "a.");
    assert_int_equal(mw__lex_dot_atom(&lx, &s), 1);
    assert_int_equal(s.len, 1); /* trailing dot not consumed */

    LEX(&lx, "J\xc3\xb6rg");
    assert_int_equal(mw__lex_atom(&lx, &s), 1);
    assert_int_equal(s.len, 5);
    assert_true(lx.flags & MW__LEX_8BIT);
}

static void test_quoted_strings(void **state)
{
    mw__lex lx;
    mw_span s;
    char out[64];
    size_t n;
    (void)state;
    LEX(&lx, "\"Joe \\\"Q\\\" Public\" <x>");
    assert_int_equal(mw__lex_quoted(&lx, &s), 1);
    assert_int_equal(s.len, 18);
    assert_int_equal(mw__unquote(s, out, sizeof out, &n), MW_OK);
    assert_int_equal(n, 14);
    assert_memory_equal(out, "Joe \"Q\" Public", 14);

    /* folded inside the quotes: the line end goes, the WSP stays */
    LEX(&lx, "\"a\r\n b\"");
    assert_int_equal(mw__lex_quoted(&lx, &s), 1);
    assert_int_equal(mw__unquote(s, out, sizeof out, &n), MW_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "a b", 3);

    /* NUL inside a quoted string is read and flagged, never ends it */
    mw__lex_init(&lx, "\"a\0b\"", 5);
    assert_int_equal(mw__lex_quoted(&lx, &s), 1);
    assert_int_equal(s.len, 5);
    assert_true(lx.flags & MW__LEX_NUL);

    LEX(&lx, "  \"open");
    lx.p += 2;
    assert_int_equal(mw__lex_quoted(&lx, &s), MW_E_SYNTAX);
    assert_int_equal(lx.err_off, 2);

    /* unquote into a buffer one byte short, exact, and one byte more */
    s = mw__span("\"abcd\"", 6);
    assert_int_equal(mw__unquote(s, out, 3, &n), MW_E_NOSPACE);
    assert_int_equal(n, 3);
    assert_int_equal(mw__unquote(s, out, 4, &n), MW_OK);
    assert_int_equal(mw__unquote(s, out, 5, &n), MW_OK);
    assert_int_equal(n, 4);
}

static void test_domain_literals(void **state)
{
    mw__lex lx;
    mw_span s;
    (void)state;
    LEX(&lx, "[IPv6:2001:db8::1]>");
    assert_int_equal(mw__lex_domain_literal(&lx, &s), 1);
    assert_int_equal(s.len, 18);
    LEX(&lx, "[1.2.[3]");
    assert_int_equal(mw__lex_domain_literal(&lx, &s), MW_E_SYNTAX);
    assert_int_equal(lx.err_off, 5);
    LEX(&lx, "[1.2.3.4");
    assert_int_equal(mw__lex_domain_literal(&lx, &s), MW_E_SYNTAX);
    assert_string_equal(lx.err_reason, R_("domain literal is not closed"));
}

static void test_character_classes(void **state)
{
    (void)state;
    const char *specials = "()<>[]:;@\\,.\"";
    for (int c = 0; c < 256; c++) {
        int special = c != 0 && strchr(specials, c) != NULL;
        assert_int_equal(mw__is((unsigned char)c, MW__C_SPECIAL), special);
        if (special || c <= ' ' || c == 0x7f)
            assert_false(mw__is((unsigned char)c, MW__C_ATEXT));
        else
            assert_true(mw__is((unsigned char)c, MW__C_ATEXT));
    }
    assert_false(mw__is('"', MW__C_QTEXT));
    assert_false(mw__is('\\', MW__C_QTEXT));
    assert_false(mw__is('(', MW__C_CTEXT));
    assert_false(mw__is('[', MW__C_DTEXT));
    assert_true(mw__is('\t', MW__C_WSP));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cfws_skips_fws_and_comments),
        cmocka_unit_test(test_comment_depth_bounds),
        cmocka_unit_test(test_ten_thousand_nested_comments),
        cmocka_unit_test(test_unclosed_comment_offset),
        cmocka_unit_test(test_atoms_and_dot_atoms),
        cmocka_unit_test(test_quoted_strings),
        cmocka_unit_test(test_domain_literals),
        cmocka_unit_test(test_character_classes),
    };
    return cmocka_run_group_tests_name("hdr_lex", tests, NULL, NULL);
}
