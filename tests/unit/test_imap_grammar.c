/* SPDX-License-Identifier: MIT */
/* The IMAP grammar shared by both roles (lib/imap/grammar.h and the public
 * helpers of mailwire/imap.h): character classes, the arena, the lexer
 * (atoms, numbers at their limits, quoted strings with NUL, CR, LF and
 * 8-bit bytes (CVE-2019-11500), literals and literal8, astring, mailbox),
 * sticky errors with offsets, sequence sets (4294967295, overflow, 100,000
 * ranges, iteration), flag lists, date-times and dates (RFC 9051 §9 and
 * its examples), skipping unknown values (10,000 nested parentheses ->
 * MW_E_DEPTH), capabilities, modified UTF-7 (RFC 3501 §5.1.3 examples and
 * invalid forms), the output builder's choice of atom/quoted/literal, and
 * the names of commands and response codes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/grammar.h"
#include "reason.h"

#define S_(lit) lit, sizeof(lit) - 1

static mw__imap_arena arena;
static unsigned char arena_mem[4096];

static void lex(mw__imap_lex *L, const char *p, size_t n, unsigned flags)
{
    mw__imap_arena_init(&arena, arena_mem, sizeof arena_mem);
    mw__imap_lex_init(L, p, n, 1000, &arena, flags);
}

static int span_is(mw_span s, const char *want)
{
    return s.ptr != NULL && s.len == strlen(want) &&
           memcmp(s.ptr, want, s.len) == 0;
}

/* ---- character classes ------------------------------------------------- */

static void test_cclass(void **state)
{
    (void)state;
    /* atom-specials of RFC 9051 §9 are not ATOM-CHARs */
    {
        static const char specials[] = "(){ %*\"\\]";
        size_t i;
        for (i = 0; i < sizeof specials - 1; i++)
            assert_false(mw__imap_cclass[(unsigned char)specials[i]] &
                         MW__IMAP_C_ATOM);
    }
    assert_true(mw__imap_cclass['a'] & MW__IMAP_C_ATOM);
    assert_true(mw__imap_cclass['['] & MW__IMAP_C_ATOM);
    assert_true(mw__imap_cclass['$'] & MW__IMAP_C_ATOM);
    assert_false(mw__imap_cclass[0x7F] & MW__IMAP_C_ATOM); /* CTL */
    assert_false(mw__imap_cclass[0x1F] & MW__IMAP_C_ATOM);
    /* "]" is an ASTRING-CHAR, "+" is not a tag char */
    assert_true(mw__imap_cclass[']'] & MW__IMAP_C_ASTRING);
    assert_true(mw__imap_cclass['+'] & MW__IMAP_C_ASTRING);
    assert_false(mw__imap_cclass['+'] & MW__IMAP_C_TAG);
    assert_false(mw__imap_cclass[']'] & MW__IMAP_C_ATOM);
    /* list-char adds the wildcards */
    assert_true(mw__imap_cclass['%'] & MW__IMAP_C_LISTMB);
    assert_true(mw__imap_cclass['*'] & MW__IMAP_C_LISTMB);
    assert_false(mw__imap_cclass['('] & MW__IMAP_C_LISTMB);
    /* quoted: TEXT-CHAR but quoted-specials; TAB and DEL are TEXT-CHARs */
    assert_true(mw__imap_cclass['\t'] & MW__IMAP_C_QUOTED);
    assert_true(mw__imap_cclass[0x7F] & MW__IMAP_C_QUOTED);
    assert_true(mw__imap_cclass[' '] & MW__IMAP_C_QUOTED);
    assert_false(mw__imap_cclass['"'] & MW__IMAP_C_QUOTED);
    assert_false(mw__imap_cclass['\\'] & MW__IMAP_C_QUOTED);
    assert_false(mw__imap_cclass['\r'] & (MW__IMAP_C_QUOTED | MW__IMAP_C_TEXT));
    assert_false(mw__imap_cclass['\n'] & (MW__IMAP_C_QUOTED | MW__IMAP_C_TEXT));
    assert_int_equal(mw__imap_cclass[0], 0);
    assert_int_equal(mw__imap_cclass[0x80], MW__IMAP_C_8BIT);
    assert_int_equal(mw__imap_cclass[0xFF], MW__IMAP_C_8BIT);
    assert_int_equal(mw__imap_cclass['7'] & MW__IMAP_C_DIGIT, MW__IMAP_C_DIGIT);
}

/* ---- arena --------------------------------------------------------------- */

static void test_arena(void **state)
{
    mw__imap_arena a;
    unsigned char mem[100];
    char *s1, *s2;
    uint64_t *p1, *p2;
    (void)state;
    mw__imap_arena_init(&a, mem + 1, 64); /* misaligned on purpose */
    p1 = mw__imap_arena_alloc(&a, 3);
    assert_non_null(p1);
    assert_int_equal((uintptr_t)p1 % 8, 0);
    p2 = mw__imap_arena_alloc(&a, 8);
    assert_non_null(p2);
    assert_int_equal((uintptr_t)p2 % 8, 0);
    assert_true((char *)p2 >= (char *)p1 + 3);
    s1 = mw__imap_arena_bytes(&a, 5);
    s2 = mw__imap_arena_bytes(&a, 5);
    assert_non_null(s1);
    assert_ptr_equal(s2 + 5, s1); /* strings from the back */
    assert_true(s2 >= (char *)p2 + 8);
    assert_null(mw__imap_arena_bytes(&a, mw__imap_arena_room(&a) + 1));
    assert_non_null(mw__imap_arena_bytes(&a, mw__imap_arena_room(&a)));
    assert_int_equal(mw__imap_arena_room(&a), 0);
    assert_null(mw__imap_arena_alloc(&a, 1));
    mw__imap_arena_reset(&a);
    assert_non_null(mw__imap_arena_top(&a));
    p1 = mw__imap_arena_top(&a);
    p2 = mw__imap_arena_alloc(&a, 16);
    assert_ptr_equal(p1, p2);
    assert_ptr_equal(mw__imap_arena_top(&a), (char *)p2 + 16);
    /* zeroed */
    assert_int_equal(p2[0], 0);
    /* no memory: everything fails cleanly */
    mw__imap_arena_init(&a, NULL, 100);
    assert_null(mw__imap_arena_alloc(&a, 1));
    assert_null(mw__imap_arena_bytes(&a, 1));
    assert_int_equal(mw__imap_arena_room(&a), 0);
}

/* ---- lexer --------------------------------------------------------------- */

static void test_lex_tokens(void **state)
{
    mw__imap_lex L;
    mw_span s;
    (void)state;
    lex(&L, S_("A001 FETCH 1:3 (FLAGS)"), 0);
    assert_int_equal(mw__imap_lex_tag(&L, &s), MW_OK);
    assert_true(span_is(s, "A001"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_true(mw__imap_lex_keyword(&L, "fetch"));
    assert_int_equal(mw__imap_lex_offset(&L), 1010);
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_peek(&L), '1');
    assert_false(mw__imap_lex_accept(&L, 'x'));
    assert_int_equal(mw__imap_lex_class(&L, MW__IMAP_C_DIGIT, &s), MW_OK);
    assert_true(span_is(s, "1"));
    assert_true(mw__imap_lex_accept(&L, ':'));
    assert_int_equal(mw__imap_lex_atom(&L, &s), MW_OK);
    assert_true(span_is(s, "3"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_expect(&L, '('), MW_OK);
    assert_int_equal(mw__imap_lex_atom(&L, &s), MW_OK);
    assert_true(span_is(s, "FLAGS"));
    assert_int_equal(mw__imap_lex_expect(&L, ')'), MW_OK);
    assert_true(mw__imap_lex_eof(&L));
    assert_int_equal(mw__imap_lex_peek(&L), -1);
    assert_int_equal(mw__imap_lex_end(&L), MW_OK);

    /* keyword needs a boundary; iprefix does not */
    lex(&L, S_("NILS BODY[TEXT] body.peek"), 0);
    assert_false(mw__imap_lex_keyword(&L, "NIL"));
    assert_true(mw__imap_lex_keyword(&L, "NILS"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_false(mw__imap_lex_keyword(&L, "BODY"));
    assert_true(mw__imap_lex_iprefix(&L, "BODY"));
    assert_int_equal(mw__imap_lex_peek(&L), '[');
    assert_false(mw__imap_lex_iprefix(&L, "[TEXTX"));
    assert_true(mw__imap_lex_iprefix(&L, "[text]"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_true(mw__imap_lex_iprefix(&L, "BODY.PEEK"));
    assert_int_equal(mw__imap_lex_end(&L), MW_OK);

    /* tags: "+" is not allowed, "]" is */
    lex(&L, S_("a]b+c"), 0);
    assert_int_equal(mw__imap_lex_tag(&L, &s), MW_OK);
    assert_true(span_is(s, "a]b"));
    lex(&L, S_("+x"), 0);
    assert_int_equal(mw__imap_lex_tag(&L, &s), MW_E_SYNTAX);
    assert_int_equal(L.err_offset, 1000);

    /* atoms stop at specials; 8-bit only under the quirk */
    lex(&L, S_("ab%c"), 0);
    assert_int_equal(mw__imap_lex_atom(&L, &s), MW_OK);
    assert_true(span_is(s, "ab"));
    lex(&L, S_("\xc3\xa9t\xc3\xa9"), 0);
    assert_int_equal(mw__imap_lex_atom(&L, &s), MW_E_SYNTAX);
    lex(&L, S_("\xc3\xa9t\xc3\xa9"), MW__IMAP_LEX_8BIT);
    assert_int_equal(mw__imap_lex_atom(&L, &s), MW_OK);
    assert_int_equal(s.len, 5);
}

static void test_lex_sticky_errors(void **state)
{
    mw__imap_lex L;
    mw_span s;
    uint32_t v;
    (void)state;
    lex(&L, S_("abc  def"), 0);
    assert_int_equal(mw__imap_lex_atom(&L, &s), MW_OK);
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_number(&L, &v), MW_E_SYNTAX);
    assert_int_equal(L.err_offset, 1005);
    assert_string_equal(L.reason, R_("number expected"));
    /* every later call fails at once, the first error stays */
    assert_int_equal(mw__imap_lex_atom(&L, &s), MW_E_SYNTAX);
    assert_int_equal(mw__imap_lex_sp(&L), MW_E_SYNTAX);
    assert_int_equal(mw__imap_lex_end(&L), MW_E_SYNTAX);
    assert_false(mw__imap_lex_accept(&L, 'd'));
    assert_false(mw__imap_lex_keyword(&L, "def"));
    assert_int_equal(mw__imap_lex_peek(&L), -1);
    assert_int_equal(mw__imap_lex_fail(&L, MW_E_LIMIT, "other"), MW_E_SYNTAX);
    assert_int_equal(L.err_offset, 1005);
    assert_string_equal(L.reason, R_("number expected"));

    /* end: trailing garbage, and the trailing-space quirk */
    lex(&L, S_("x "), 0);
    assert_int_equal(mw__imap_lex_atom(&L, &s), MW_OK);
    assert_int_equal(mw__imap_lex_end(&L), MW_E_SYNTAX);
    assert_int_equal(L.err_offset, 1001);
    assert_string_equal(L.reason, R_("trailing garbage"));
    lex(&L, S_("x   "), MW__IMAP_LEX_TRAILING_SP);
    assert_int_equal(mw__imap_lex_atom(&L, &s), MW_OK);
    assert_int_equal(mw__imap_lex_end(&L), MW_OK);

    /* sp_opt: only before ")" or the end, only under the quirk */
    lex(&L, S_("a  )"), MW__IMAP_LEX_TRAILING_SP);
    assert_int_equal(mw__imap_lex_atom(&L, &s), MW_OK);
    assert_int_equal(mw__imap_lex_sp_opt(&L), 2);
    assert_int_equal(mw__imap_lex_peek(&L), ')');
    lex(&L, S_("a  b"), MW__IMAP_LEX_TRAILING_SP);
    assert_int_equal(mw__imap_lex_atom(&L, &s), MW_OK);
    assert_int_equal(mw__imap_lex_sp_opt(&L), 0);
    assert_int_equal(mw__imap_lex_peek(&L), ' ');
    lex(&L, S_("a )"), 0);
    assert_int_equal(mw__imap_lex_atom(&L, &s), MW_OK);
    assert_int_equal(mw__imap_lex_sp_opt(&L), 0);
}

static void test_lex_numbers(void **state)
{
    mw__imap_lex L;
    uint32_t v = 0;
    uint64_t w = 0;
    (void)state;
    lex(&L, S_("4294967295"), 0);
    assert_int_equal(mw__imap_lex_number(&L, &v), MW_OK);
    assert_int_equal(v, 4294967295u);
    lex(&L, S_("4294967296"), 0);
    assert_int_equal(mw__imap_lex_number(&L, &v), MW_E_OVERFLOW);
    assert_int_equal(L.err_offset, 1000);
    lex(&L, S_("0004294967295"), 0);
    assert_int_equal(mw__imap_lex_number(&L, &v), MW_OK);
    assert_int_equal(v, 4294967295u);
    lex(&L, S_("0"), 0);
    assert_int_equal(mw__imap_lex_number(&L, &v), MW_OK);
    assert_int_equal(v, 0);
    /* nz-number: no zero, no leading zero */
    lex(&L, S_("0"), 0);
    assert_int_equal(mw__imap_lex_nz_number(&L, &v), MW_E_SYNTAX);
    lex(&L, S_("012"), 0);
    assert_int_equal(mw__imap_lex_nz_number(&L, &v), MW_E_SYNTAX);
    lex(&L, S_("12x"), 0);
    assert_int_equal(mw__imap_lex_nz_number(&L, &v), MW_OK);
    assert_int_equal(v, 12);
    assert_int_equal(mw__imap_lex_peek(&L), 'x');
    lex(&L, S_("-1"), 0);
    assert_int_equal(mw__imap_lex_number(&L, &v), MW_E_SYNTAX);
    /* number64: 63 bits (RFC 9051 §9) */
    lex(&L, S_("9223372036854775807"), 0);
    assert_int_equal(mw__imap_lex_number64(&L, &w), MW_OK);
    assert_true(w == UINT64_C(9223372036854775807));
    lex(&L, S_("9223372036854775808"), 0);
    assert_int_equal(mw__imap_lex_number64(&L, &w), MW_E_OVERFLOW);
    lex(&L, S_("18446744073709551616"), 0);
    assert_int_equal(mw__imap_lex_number64(&L, &w), MW_E_OVERFLOW);
    assert_int_equal(L.err_offset, 1000);
}

static void test_lex_quoted(void **state)
{
    mw__imap_lex L;
    mw_span s;
    (void)state;
    lex(&L, S_("\"hello world\" x"), 0);
    assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_OK);
    assert_true(span_is(s, "hello world"));
    assert_true(s.ptr >= L.base && s.ptr < L.end); /* no copy */
    assert_int_equal(mw__imap_lex_peek(&L), ' ');
    /* escapes are unescaped into the arena */
    lex(&L, S_("\"a\\\"b\\\\c\""), 0);
    assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_OK);
    assert_true(span_is(s, "a\"b\\c"));
    assert_true((const unsigned char *)s.ptr >= arena_mem &&
                (const unsigned char *)s.ptr < arena_mem + sizeof arena_mem);
    assert_true(mw__imap_lex_eof(&L));
    /* "" is an empty string, not NIL */
    lex(&L, S_("\"\""), 0);
    assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_OK);
    assert_non_null(s.ptr);
    assert_int_equal(s.len, 0);
    /* CVE-2019-11500: NUL inside a quoted string */
    lex(&L, S_("\"ab\0cd\""), 0);
    assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_E_NUL);
    assert_int_equal(L.err_offset, 1003);
    assert_string_equal(L.reason, R_("NUL in quoted string"));
    lex(&L, S_("\"ab\\\0\""), 0);
    assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_E_SYNTAX);
    assert_int_equal(L.err_offset, 1003);
    /* CR, LF (each with a status of its own), bad escape, unterminated */
    lex(&L, S_("\"a\rb\""), 0);
    assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_E_BARE_CR);
    assert_int_equal(L.err_offset, 1002);
    lex(&L, S_("\"a\nb\""), 0);
    assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_E_BARE_LF);
    lex(&L, S_("\"a\\nb\""), 0);
    assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_E_SYNTAX);
    assert_string_equal(L.reason, R_("bad escape in quoted string"));
    lex(&L, S_("\"abc"), 0);
    assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_E_SYNTAX);
    assert_int_equal(L.err_offset, 1004);
    lex(&L, S_("\"abc\\"), 0);
    assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_E_SYNTAX);
    lex(&L, S_("abc"), 0);
    assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_E_SYNTAX);
    /* 8-bit: refused; UTF-8 under UTF8 (validated); anything under 8BIT */
    lex(&L, S_("\"caf\xc3\xa9\""), 0);
    assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_E_SYNTAX);
    assert_int_equal(L.err_offset, 1004);
    lex(&L, S_("\"caf\xc3\xa9\""), MW__IMAP_LEX_UTF8);
    assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_OK);
    assert_true(span_is(s, "caf\xc3\xa9"));
    lex(&L, S_("\"caf\xe9\""), MW__IMAP_LEX_UTF8);
    assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_E_UTF8);
    assert_int_equal(L.err_offset, 1004);
    lex(&L, S_("\"\xed\xa0\x80\""), MW__IMAP_LEX_UTF8); /* surrogate */
    assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_E_UTF8);
    lex(&L, S_("\"\xc0\xaf\""), MW__IMAP_LEX_UTF8); /* overlong */
    assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_E_UTF8);
    lex(&L, S_("\"caf\xe9\""), MW__IMAP_LEX_8BIT);
    assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_OK);
    /* the 8BIT quirk does not let NUL in */
    lex(&L, S_("\"\0\""), MW__IMAP_LEX_8BIT | MW__IMAP_LEX_UTF8);
    assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_E_NUL);
    /* escapes need an arena with room */
    mw__imap_lex_init(&L, S_("\"a\\\\b\""), 0, NULL, 0);
    assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_E_NOSPACE);
    {
        mw__imap_arena small;
        unsigned char m[8];
        mw__imap_arena_init(&small, m, 2);
        mw__imap_lex_init(&L, S_("\"a\\\\b\""), 0, &small, 0);
        assert_int_equal(mw__imap_lex_quoted(&L, &s), MW_E_NOSPACE);
    }
}

static void test_lex_literal(void **state)
{
    mw__imap_lex L;
    mw_span s;
    int bin = -1;
    (void)state;
    /* RFC 9051 §4.3 */
    lex(&L, S_("{5}\r\nhello rest"), 0);
    assert_int_equal(mw__imap_lex_literal(&L, &s, &bin), MW_OK);
    assert_true(span_is(s, "hello"));
    assert_int_equal(bin, 0);
    assert_int_equal(mw__imap_lex_peek(&L), ' ');
    /* RFC 7888 non-synchronising, RFC 3516 literal8 with NUL */
    lex(&L, S_("{3+}\r\na\r\n"), 0);
    assert_int_equal(mw__imap_lex_literal(&L, &s, &bin), MW_OK);
    assert_int_equal(s.len, 3);
    assert_memory_equal(s.ptr, "a\r\n", 3);
    lex(&L, S_("~{3}\r\na\0b"), 0);
    assert_int_equal(mw__imap_lex_literal(&L, &s, &bin), MW_OK);
    assert_int_equal(bin, 1);
    assert_memory_equal(s.ptr, "a\0b", 3);
    /* NUL only in literal8 */
    lex(&L, S_("{3}\r\na\0b"), 0);
    assert_int_equal(mw__imap_lex_literal(&L, &s, &bin), MW_E_NUL);
    assert_int_equal(L.err_offset, 1006);
    /* empty; bare LF (framer under ACCEPT) */
    lex(&L, S_("{0}\r\n"), 0);
    assert_int_equal(mw__imap_lex_literal(&L, &s, NULL), MW_OK);
    assert_int_equal(s.len, 0);
    assert_true(mw__imap_lex_eof(&L));
    lex(&L, S_("{2}\nab"), 0);
    assert_int_equal(mw__imap_lex_literal(&L, &s, NULL), MW_OK);
    assert_true(span_is(s, "ab"));
    /* broken ones */
    lex(&L, S_("{10}\r\nabc"), 0);
    assert_int_equal(mw__imap_lex_literal(&L, &s, NULL), MW_E_SYNTAX);
    assert_string_equal(L.reason, R_("literal cut short"));
    lex(&L, S_("{}\r\n"), 0);
    assert_int_equal(mw__imap_lex_literal(&L, &s, NULL), MW_E_SYNTAX);
    lex(&L, S_("{3}ab"), 0);
    assert_int_equal(mw__imap_lex_literal(&L, &s, NULL), MW_E_SYNTAX);
    lex(&L, S_("{3}\rab"), 0);
    assert_int_equal(mw__imap_lex_literal(&L, &s, NULL), MW_E_SYNTAX);
    lex(&L, S_("{9223372036854775808}\r\n"), 0);
    assert_int_equal(mw__imap_lex_literal(&L, &s, NULL), MW_E_OVERFLOW);
    assert_int_equal(L.err_offset, 1001);
    lex(&L, S_("~x"), 0);
    assert_int_equal(mw__imap_lex_literal(&L, &s, NULL), MW_E_SYNTAX);
    assert_int_equal(L.err_offset, 1000);
}

static void test_lex_strings(void **state)
{
    mw__imap_lex L;
    mw_span s;
    (void)state;
    lex(&L, S_("NIL nil \"NIL\" {3}\r\nNIL NILX"), 0);
    assert_int_equal(mw__imap_lex_nstring(&L, &s), MW_OK);
    assert_null(s.ptr);
    assert_int_equal(s.len, 0);
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_nstring(&L, &s), MW_OK);
    assert_null(s.ptr);
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_nstring(&L, &s), MW_OK);
    assert_true(span_is(s, "NIL"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_nstring(&L, &s), MW_OK);
    assert_true(span_is(s, "NIL"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_nstring(&L, &s), MW_E_SYNTAX);
    assert_string_equal(L.reason, R_("string expected"));
    assert_int_equal(L.err_offset, 1000 + 23);

    /* astring: atom with "]", quoted, literal */
    lex(&L, S_("a]b \"x y\" {1}\r\nz ("), 0);
    assert_int_equal(mw__imap_lex_astring(&L, &s), MW_OK);
    assert_true(span_is(s, "a]b"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_astring(&L, &s), MW_OK);
    assert_true(span_is(s, "x y"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_astring(&L, &s), MW_OK);
    assert_true(span_is(s, "z"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_astring(&L, &s), MW_E_SYNTAX);

    /* mailbox: INBOX in any case and form is "INBOX" */
    lex(&L, S_("inBox \"InBoX\" INBOX.sub {5}\r\ninbox"), 0);
    assert_int_equal(mw__imap_lex_mailbox(&L, &s), MW_OK);
    assert_true(span_is(s, "INBOX"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_mailbox(&L, &s), MW_OK);
    assert_true(span_is(s, "INBOX"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_mailbox(&L, &s), MW_OK);
    assert_true(span_is(s, "INBOX.sub"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_mailbox(&L, &s), MW_OK);
    assert_true(span_is(s, "INBOX"));

    /* list-mailbox: wildcards allowed unquoted */
    lex(&L, S_("~/Mail/% *"), 0);
    assert_int_equal(mw__imap_lex_list_mailbox(&L, &s), MW_OK);
    assert_true(span_is(s, "~/Mail/%"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_list_mailbox(&L, &s), MW_OK);
    assert_true(span_is(s, "*"));
    lex(&L, S_("*"), 0);
    assert_int_equal(mw__imap_lex_astring(&L, &s), MW_E_SYNTAX);

    /* RFC 3501 §6.3.8 examples: "A202 LIST ~/Mail/ %" and A682's
     * LIST "" with ~/Mail/ and a "*" pattern -- a "~" not followed by "{"
     * is an ordinary ASTRING-CHAR (and list-char), at the start or alone. */
    lex(&L, S_("~/Mail/ %"), 0);
    assert_int_equal(mw__imap_lex_astring(&L, &s), MW_OK);
    assert_true(span_is(s, "~/Mail/"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_list_mailbox(&L, &s), MW_OK);
    assert_true(span_is(s, "%"));
    assert_int_equal(mw__imap_lex_end(&L), MW_OK);
    lex(&L, S_("\"\" ~/Mail/*"), 0);
    assert_int_equal(mw__imap_lex_mailbox(&L, &s), MW_OK);
    assert_int_equal(s.len, 0);
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_list_mailbox(&L, &s), MW_OK);
    assert_true(span_is(s, "~/Mail/*"));
    assert_int_equal(mw__imap_lex_end(&L), MW_OK);
    lex(&L, S_("~/Mail/ ~smith/Mail/foo ~"), 0);
    assert_int_equal(mw__imap_lex_list_mailbox(&L, &s), MW_OK);
    assert_true(span_is(s, "~/Mail/"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_mailbox(&L, &s), MW_OK);
    assert_true(span_is(s, "~smith/Mail/foo"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_astring(&L, &s), MW_OK);
    assert_true(span_is(s, "~"));
    assert_int_equal(mw__imap_lex_end(&L), MW_OK);
    /* also where 8-bit bytes are tolerated in atoms (MW__IMAP_LEX_8BIT) */
    lex(&L, S_("~/M\xc3\xa4il/"), MW__IMAP_LEX_8BIT);
    assert_int_equal(mw__imap_lex_astring(&L, &s), MW_OK);
    assert_true(span_is(s, "~/M\xc3\xa4il/"));
    lex(&L, S_("~/M\xc3\xa4il/%"), MW__IMAP_LEX_8BIT);
    assert_int_equal(mw__imap_lex_list_mailbox(&L, &s), MW_OK);
    assert_true(span_is(s, "~/M\xc3\xa4il/%"));

    /* literal8 is not a string (RFC 3516: only append-data and BINARY
     * responses); "~" alone is an atom char */
    lex(&L, S_("~{1}\r\nx"), 0);
    assert_int_equal(mw__imap_lex_string(&L, &s), MW_E_SYNTAX);
    lex(&L, S_("~{1}\r\nx"), 0);
    assert_int_equal(mw__imap_lex_nstring(&L, &s), MW_E_SYNTAX);
    lex(&L, S_("~{1}\r\nx"), 0);
    assert_int_equal(mw__imap_lex_astring(&L, &s), MW_OK);
    assert_true(span_is(s, "~"));
    assert_int_equal(mw__imap_lex_peek(&L), '{');

    /* expect names what it wanted */
    lex(&L, S_("x"), 0);
    assert_int_equal(mw__imap_lex_expect(&L, ')'), MW_E_SYNTAX);
    assert_string_equal(L.reason, R_("')' expected"));
    lex(&L, S_(""), 0);
    assert_int_equal(mw__imap_lex_sp(&L), MW_E_SYNTAX);
    assert_string_equal(L.reason, R_("SP expected"));
    assert_int_equal(L.err_offset, 1000);
}

/* ---- sequence sets ------------------------------------------------------- */

static void test_seqset(void **state)
{
    mw_imap_seqset set;
    mw_imap_seq_iter it;
    mw_error err;
    uint32_t lo, hi;
    (void)state;
    /* RFC 9051 §9 example: 2,4:7,9,12:* */
    assert_int_equal(mw_imap_seqset_parse(S_("2,4:7,9,12:*"), &set, &err), MW_OK);
    assert_int_equal(set.ranges, 4);
    assert_int_equal(set.has_star, 1);
    assert_int_equal(set.dollar, 0);
    assert_int_equal(set.text.len, 12);
    mw_imap_seq_iter_init(&it, &set, 15);
    assert_int_equal(mw_imap_seq_next(&it, &lo, &hi), 1);
    assert_int_equal(lo, 2);
    assert_int_equal(hi, 2);
    assert_int_equal(mw_imap_seq_next(&it, &lo, &hi), 1);
    assert_int_equal(lo, 4);
    assert_int_equal(hi, 7);
    assert_int_equal(mw_imap_seq_next(&it, &lo, &hi), 1);
    assert_int_equal(lo, 9);
    assert_int_equal(mw_imap_seq_next(&it, &lo, &hi), 1);
    assert_int_equal(lo, 12);
    assert_int_equal(hi, 15);
    assert_int_equal(mw_imap_seq_next(&it, &lo, &hi), 0);
    assert_int_equal(mw_imap_seq_next(&it, &lo, &hi), 0);
    /* reversed range and "*" below a number: normalised */
    assert_int_equal(mw_imap_seqset_parse(S_("7:3,*:4"), &set, NULL), MW_OK);
    mw_imap_seq_iter_init(&it, &set, 2);
    assert_int_equal(mw_imap_seq_next(&it, &lo, &hi), 1);
    assert_int_equal(lo, 3);
    assert_int_equal(hi, 7);
    assert_int_equal(mw_imap_seq_next(&it, &lo, &hi), 1);
    assert_int_equal(lo, 2);
    assert_int_equal(hi, 4);
    /* the largest number */
    assert_int_equal(mw_imap_seqset_parse(S_("4294967295"), &set, NULL), MW_OK);
    mw_imap_seq_iter_init(&it, &set, 0);
    assert_int_equal(mw_imap_seq_next(&it, &lo, &hi), 1);
    assert_int_equal(lo, 4294967295u);
    assert_int_equal(mw_imap_seqset_parse(S_("1:4294967295"), &set, NULL), MW_OK);
    assert_int_equal(mw_imap_seqset_parse(S_("1:4294967296"), &set, &err),
                     MW_E_OVERFLOW);
    assert_int_equal(err.offset, 2);
    assert_int_equal(mw_imap_seqset_parse(S_("99999999999999999999"), &set, &err),
                     MW_E_OVERFLOW);
    assert_int_equal(err.offset, 0);
    /* "$" (RFC 5182) */
    assert_int_equal(mw_imap_seqset_from_text(S_("$"), &set, NULL), MW_OK);
    assert_int_equal(set.dollar, 1);
    assert_int_equal(set.ranges, 0);
    mw_imap_seq_iter_init(&it, &set, 10);
    assert_int_equal(mw_imap_seq_next(&it, &lo, &hi), 0);
    /* broken sets, with offsets */
    {
        static const struct {
            const char *in;
            int rc;
            size_t off;
        } bad[] = {
            {"", MW_E_SYNTAX, 0},      {"0", MW_E_SYNTAX, 0},
            {"01", MW_E_SYNTAX, 0},    {"1:0", MW_E_SYNTAX, 2},
            {"1:", MW_E_SYNTAX, 2},    {":1", MW_E_SYNTAX, 0},
            {"1,,2", MW_E_SYNTAX, 2},  {",1", MW_E_SYNTAX, 0},
            {"1,", MW_E_SYNTAX, 2},    {"1:2:3", MW_E_SYNTAX, 3},
            {"1 2", MW_E_SYNTAX, 1},   {"**", MW_E_SYNTAX, 1},
            {"$1", MW_E_SYNTAX, 1},    {"1,$", MW_E_SYNTAX, 2},
            {"-1", MW_E_SYNTAX, 0},    {"1:*:", MW_E_SYNTAX, 3},
        };
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            memset(&err, 0, sizeof err);
            assert_int_equal(mw_imap_seqset_parse(bad[i].in, strlen(bad[i].in),
                                                  &set, &err),
                             bad[i].rc);
            if (err.offset != bad[i].off)
                fail_msg("%s: offset %zu, want %zu", bad[i].in, err.offset,
                         bad[i].off);
            assert_int_equal(err.code, bad[i].rc);
            assert_non_null(err.reason);
        }
    }
    assert_int_equal(mw_imap_seqset_parse(NULL, 1, &set, NULL), MW_E_INVAL);
}

/* A set of 100,000 ranges: parsed in one pass, iterated without
 * allocation. */
static void test_seqset_many(void **state)
{
    size_t cap = 100000 * 16, n = 0, i;
    char *t = malloc(cap);
    mw_imap_seqset set;
    mw_imap_seq_iter it;
    uint32_t lo, hi, count = 0;
    uint64_t sum = 0;
    (void)state;
    assert_non_null(t);
    for (i = 0; i < 100000; i++)
        n += (size_t)sprintf(t + n, "%s%zu:%zu", i ? "," : "", 2 * i + 1,
                             2 * i + 1 + (i % 2));
    assert_int_equal(mw_imap_seqset_parse(t, n, &set, NULL), MW_OK);
    assert_int_equal(set.ranges, 100000);
    mw_imap_seq_iter_init(&it, &set, 0);
    while (mw_imap_seq_next(&it, &lo, &hi)) {
        count++;
        sum += hi - lo + 1;
    }
    assert_int_equal(count, 100000);
    assert_int_equal(sum, 150000);
    /* through the lexer, followed by more text */
    {
        mw__imap_lex L;
        lex(&L, t, n, 0);
        assert_int_equal(mw__imap_lex_seqset(&L, &set), MW_OK);
        assert_true(mw__imap_lex_eof(&L));
    }
    free(t);
}

static void test_lex_seqset(void **state)
{
    mw__imap_lex L;
    mw_imap_seqset set;
    (void)state;
    lex(&L, S_("1:5,7 (FLAGS)"), 0);
    assert_int_equal(mw__imap_lex_seqset(&L, &set), MW_OK);
    assert_true(span_is(set.text, "1:5,7"));
    assert_int_equal(set.ranges, 2);
    assert_int_equal(mw__imap_lex_peek(&L), ' ');
    lex(&L, S_("$ x"), 0);
    assert_int_equal(mw__imap_lex_seqset(&L, &set), MW_OK);
    assert_int_equal(set.dollar, 1);
    lex(&L, S_("(1)"), 0);
    assert_int_equal(mw__imap_lex_seqset(&L, &set), MW_E_SYNTAX);
    assert_int_equal(L.err_offset, 1000);
    assert_string_equal(L.reason, R_("sequence set expected"));
}

/* ---- flags --------------------------------------------------------------- */

static void test_flags(void **state)
{
    mw_imap_flags f;
    mw_error err;
    mw_span fl;
    size_t pos = 0;
    (void)state;
    /* RFC 9051 §7.3.5 / §7.1: FLAGS and PERMANENTFLAGS */
    assert_int_equal(mw_imap_flags_parse(S_("(\\Answered \\Flagged \\Deleted \\Seen \\Draft)"),
                                         0, &f, &err),
                     MW_OK);
    assert_int_equal(f.count, 5);
    assert_int_equal(f.system, MW_IMAP_FLAG_ANSWERED | MW_IMAP_FLAG_FLAGGED |
                                   MW_IMAP_FLAG_DELETED | MW_IMAP_FLAG_SEEN |
                                   MW_IMAP_FLAG_DRAFT);
    assert_true(span_is(f.text, "\\Answered \\Flagged \\Deleted \\Seen \\Draft"));
    assert_int_equal(mw_imap_flags_parse(S_("(\\Deleted \\Seen \\*)"), 1, &f, NULL),
                     MW_OK);
    assert_int_equal(f.system, MW_IMAP_FLAG_DELETED | MW_IMAP_FLAG_SEEN |
                                   MW_IMAP_FLAG_WILDCARD);
    assert_int_equal(f.count, 3);
    assert_int_equal(mw_imap_flags_parse(S_("(\\Deleted \\*)"), 0, &f, &err),
                     MW_E_SYNTAX);
    assert_int_equal(err.offset, 11);
    /* keywords, extension flags, case-insensitive system flags, \Recent */
    assert_int_equal(mw_imap_flags_parse(S_("\\seen $Forwarded \\Recent \\X-Ext Junk"),
                                         0, &f, NULL),
                     MW_OK);
    assert_int_equal(f.count, 5);
    assert_int_equal(f.system, MW_IMAP_FLAG_SEEN | MW_IMAP_FLAG_RECENT);
    assert_int_equal(mw_imap_flags_next(&f, &pos, &fl), 1);
    assert_true(span_is(fl, "\\seen"));
    assert_int_equal(mw_imap_flags_next(&f, &pos, &fl), 1);
    assert_true(span_is(fl, "$Forwarded"));
    assert_int_equal(mw_imap_flags_next(&f, &pos, &fl), 1);
    assert_int_equal(mw_imap_flags_next(&f, &pos, &fl), 1);
    assert_int_equal(mw_imap_flags_next(&f, &pos, &fl), 1);
    assert_true(span_is(fl, "Junk"));
    assert_int_equal(mw_imap_flags_next(&f, &pos, &fl), 0);
    /* empty lists */
    assert_int_equal(mw_imap_flags_parse(S_("()"), 0, &f, NULL), MW_OK);
    assert_int_equal(f.count, 0);
    assert_int_equal(f.text.len, 0);
    pos = 0;
    assert_int_equal(mw_imap_flags_next(&f, &pos, &fl), 0);
    assert_int_equal(mw_imap_flags_parse("", 0, 0, &f, NULL), MW_OK);
    assert_int_equal(f.count, 0);
    /* broken lists */
    assert_int_equal(mw_imap_flags_parse(S_("(\\Seen  \\Draft)"), 0, &f, &err),
                     MW_E_SYNTAX);
    assert_int_equal(err.offset, 7);
    assert_int_equal(mw_imap_flags_parse(S_("(\\Seen"), 0, &f, &err), MW_E_SYNTAX);
    assert_int_equal(err.offset, 6);
    assert_int_equal(mw_imap_flags_parse(S_("(\\Seen) x"), 0, &f, &err),
                     MW_E_SYNTAX);
    assert_int_equal(mw_imap_flags_parse(S_("(\\)"), 0, &f, &err), MW_E_SYNTAX);
    assert_int_equal(mw_imap_flags_parse(S_("(\"a\")"), 0, &f, &err), MW_E_SYNTAX);
    assert_int_equal(mw_imap_flags_parse(S_("(a(b))"), 0, &f, &err), MW_E_SYNTAX);
    assert_int_equal(mw_imap_flags_parse(S_("( \\Seen)"), 0, &f, &err), MW_E_SYNTAX);
    assert_int_equal(mw_imap_flags_parse(S_("\\Seen "), 0, &f, &err), MW_E_SYNTAX);
    /* trailing space before ")" under the quirk (lexer level) */
    {
        mw__imap_lex L;
        lex(&L, S_("(\\Seen $x )"), MW__IMAP_LEX_TRAILING_SP);
        assert_int_equal(mw__imap_lex_flag_list(&L, 0, &f), MW_OK);
        assert_true(span_is(f.text, "\\Seen $x"));
        assert_int_equal(f.count, 2);
        lex(&L, S_("(\\Seen $x )"), 0);
        assert_int_equal(mw__imap_lex_flag_list(&L, 0, &f), MW_E_SYNTAX);
        assert_int_equal(L.err_offset, 1010);
    }
}

/* ---- dates --------------------------------------------------------------- */

static void test_datetime(void **state)
{
    mw_imap_datetime d;
    mw_error err;
    char out[64];
    size_t n = 0;
    (void)state;
    /* RFC 9051 §8 (and RFC 3501 §8): INTERNALDATE "17-Jul-1996 02:44:25 -0700" */
    assert_int_equal(mw_imap_datetime_parse(S_("\"17-Jul-1996 02:44:25 -0700\""), &d,
                                            &err),
                     MW_OK);
    assert_int_equal(d.year, 1996);
    assert_int_equal(d.month, 7);
    assert_int_equal(d.day, 17);
    assert_int_equal(d.hour, 2);
    assert_int_equal(d.minute, 44);
    assert_int_equal(d.second, 25);
    assert_int_equal(d.zone, -420);
    assert_int_equal(mw_imap_datetime_format(&d, out, sizeof out, &n), MW_OK);
    assert_int_equal(n, MW_IMAP_DATETIME_LEN);
    assert_memory_equal(out, "17-Jul-1996 02:44:25 -0700", n);
    /* without quotes; SP-padded day (date-day-fixed); lower-case month */
    assert_int_equal(mw_imap_datetime_parse(S_(" 7-feb-1994 21:52:25 +0100"), &d,
                                            &err),
                     MW_OK);
    assert_int_equal(d.day, 7);
    assert_int_equal(d.month, 2);
    assert_int_equal(d.zone, 60);
    assert_int_equal(mw_imap_datetime_format(&d, out, sizeof out, &n), MW_OK);
    assert_memory_equal(out, "07-Feb-1994 21:52:25 +0100", n);
    assert_int_equal(mw_imap_datetime_parse(S_("07-Feb-1994 21:52:25 +0100"), &d,
                                            NULL),
                     MW_OK);
    /* leap years, month lengths, leap second, zone extremes */
    assert_int_equal(mw_imap_datetime_parse(S_("29-Feb-2024 00:00:00 +0000"), &d, NULL), MW_OK);
    assert_int_equal(mw_imap_datetime_parse(S_("29-Feb-2000 00:00:00 +0000"), &d, NULL), MW_OK);
    assert_int_equal(mw_imap_datetime_parse(S_("29-Feb-1900 00:00:00 +0000"), &d, &err), MW_E_DATE);
    assert_int_equal(err.offset, 0);
    assert_int_equal(mw_imap_datetime_parse(S_("29-Feb-2023 00:00:00 +0000"), &d, NULL), MW_E_DATE);
    assert_int_equal(mw_imap_datetime_parse(S_("31-Apr-2023 00:00:00 +0000"), &d, NULL), MW_E_DATE);
    assert_int_equal(mw_imap_datetime_parse(S_("31-Dec-2023 23:59:60 +2359"), &d, NULL), MW_OK);
    assert_int_equal(d.zone, 1439);
    assert_int_equal(mw_imap_datetime_parse(S_("01-Jan-2023 00:00:00 -2359"), &d, NULL), MW_OK);
    assert_int_equal(d.zone, -1439);
    assert_int_equal(mw_imap_datetime_format(&d, out, sizeof out, &n), MW_OK);
    assert_memory_equal(out, "01-Jan-2023 00:00:00 -2359", n);
    /* "-0000" (no zone information) and "+0000" (UTC) both mean 0 minutes;
     * the sign is kept so that the value is written back as it came
     * (fuzz_imap_grammar regress-datetime-minus-zero) */
    assert_int_equal(mw_imap_datetime_parse(S_("\"17-Jul-1996 02:44:25 -0000\""), &d, NULL), MW_OK);
    assert_int_equal(d.zone, 0);
    assert_int_equal(d.zone_unknown, 1);
    assert_int_equal(mw_imap_datetime_format(&d, out, sizeof out, &n), MW_OK);
    assert_memory_equal(out, "17-Jul-1996 02:44:25 -0000", n);
    assert_int_equal(mw_imap_datetime_parse(S_("17-Jul-1996 02:44:25 +0000"), &d, NULL), MW_OK);
    assert_int_equal(d.zone, 0);
    assert_int_equal(d.zone_unknown, 0);
    assert_int_equal(mw_imap_datetime_format(&d, out, sizeof out, &n), MW_OK);
    assert_memory_equal(out, "17-Jul-1996 02:44:25 +0000", n);
    d.zone = 60; /* zone_unknown is only read when the zone is 0 */
    d.zone_unknown = 1;
    assert_int_equal(mw_imap_datetime_format(&d, out, sizeof out, &n), MW_OK);
    assert_memory_equal(out, "17-Jul-1996 02:44:25 +0100", n);
    assert_int_equal(mw_imap_datetime_parse(S_("01-Jan-2023 24:00:00 +0000"), &d, NULL), MW_E_DATE);
    assert_int_equal(mw_imap_datetime_parse(S_("01-Jan-2023 00:60:00 +0000"), &d, NULL), MW_E_DATE);
    assert_int_equal(mw_imap_datetime_parse(S_("01-Jan-2023 00:00:61 +0000"), &d, NULL), MW_E_DATE);
    assert_int_equal(mw_imap_datetime_parse(S_("01-Jan-2023 00:00:00 +0060"), &d, &err), MW_E_DATE);
    assert_int_equal(err.offset, 21);
    assert_int_equal(mw_imap_datetime_parse(S_("00-Jan-2023 00:00:00 +0000"), &d, NULL), MW_E_DATE);
    assert_int_equal(mw_imap_datetime_parse(S_("01-Jan-2023 00:00:00 -2400"), &d, &err), MW_E_DATE);
    assert_int_equal(err.offset, 21);
    assert_int_equal(mw_imap_datetime_parse(S_("01-Jan-2023 00:00:00 +8120"), &d, &err), MW_E_DATE);
    /* shapes */
    assert_int_equal(mw_imap_datetime_parse(S_("7-Feb-1994 21:52:25 +0100"), &d, &err), MW_E_SYNTAX);
    assert_int_equal(mw_imap_datetime_parse(S_("07-Fev-1994 21:52:25 +0100"), &d, &err), MW_E_SYNTAX);
    assert_int_equal(err.offset, 3);
    assert_int_equal(mw_imap_datetime_parse(S_("07-Feb-94 21:52:25 +0100"), &d, &err), MW_E_SYNTAX);
    assert_int_equal(err.offset, 7);
    assert_int_equal(mw_imap_datetime_parse(S_("07-Feb-1994 21:52 +0100"), &d, &err), MW_E_SYNTAX);
    assert_int_equal(mw_imap_datetime_parse(S_("07-Feb-1994 21:52:25 0100"), &d, &err), MW_E_SYNTAX);
    assert_int_equal(err.offset, 21);
    assert_int_equal(mw_imap_datetime_parse(S_("07-Feb-1994 21:52:25 +010"), &d, &err), MW_E_SYNTAX);
    assert_int_equal(mw_imap_datetime_parse(S_("07-Feb-1994 21:52:25 +0100 "), &d, &err), MW_E_SYNTAX);
    assert_int_equal(mw_imap_datetime_parse(S_("\"07-Feb-1994 21:52:25 +0100"), &d, &err), MW_E_SYNTAX);
    assert_int_equal(mw_imap_datetime_parse(S_("07-Feb-1994 21:52:25 +0100 and more text"), &d, &err), MW_E_SYNTAX);
    assert_int_equal(mw_imap_datetime_parse(S_(""), &d, &err), MW_E_SYNTAX);
    /* format refuses out-of-range values and short buffers */
    memset(&d, 0, sizeof d);
    assert_int_equal(mw_imap_datetime_format(&d, out, sizeof out, &n), MW_E_INVAL);
    d.year = 2024;
    d.month = 2;
    d.day = 29;
    assert_int_equal(mw_imap_datetime_format(&d, out, 25, &n), MW_E_NOSPACE);
    assert_int_equal(n, 26);
    d.zone = 1440;
    assert_int_equal(mw_imap_datetime_format(&d, out, sizeof out, &n), MW_E_INVAL);
}

static void test_date(void **state)
{
    mw_imap_datetime d;
    mw_error err;
    char out[16];
    size_t n = 0;
    (void)state;
    /* RFC 9051 §6.4.4: SEARCH ... SINCE 1-Feb-1994 */
    assert_int_equal(mw_imap_date_parse(S_("1-Feb-1994"), &d, &err), MW_OK);
    assert_int_equal(d.day, 1);
    assert_int_equal(d.month, 2);
    assert_int_equal(d.year, 1994);
    assert_int_equal(d.hour, 0);
    assert_int_equal(d.zone, 0);
    assert_int_equal(mw_imap_date_format(&d, out, sizeof out, &n), MW_OK);
    assert_int_equal(n, 10);
    assert_memory_equal(out, "1-Feb-1994", n);
    assert_int_equal(mw_imap_date_parse(S_("\"01-Feb-1994\""), &d, NULL), MW_OK);
    assert_int_equal(d.day, 1);
    assert_int_equal(mw_imap_date_parse(S_("28-feb-2023"), &d, NULL), MW_OK);
    assert_int_equal(mw_imap_date_format(&d, out, sizeof out, &n), MW_OK);
    assert_memory_equal(out, "28-Feb-2023", 11);
    assert_int_equal(mw_imap_date_format(&d, out, 10, &n), MW_E_NOSPACE);
    assert_int_equal(n, 11);
    assert_int_equal(mw_imap_date_parse(S_("29-Feb-2023"), &d, &err), MW_E_DATE);
    assert_int_equal(mw_imap_date_parse(S_("123-Feb-2023"), &d, &err), MW_E_SYNTAX);
    assert_int_equal(err.offset, 2);
    assert_int_equal(mw_imap_date_parse(S_("\"1-Feb-1994"), &d, &err), MW_E_SYNTAX);
    assert_int_equal(err.offset, 11);
    assert_int_equal(mw_imap_date_parse(S_("1-Feb-1994\""), &d, &err), MW_E_SYNTAX);
    assert_int_equal(mw_imap_date_parse(S_(" 1-Feb-1994"), &d, &err), MW_E_SYNTAX);
}

static void test_out_dates(void **state)
{
    mw__imap_out o;
    char buf[64];
    mw_imap_datetime d = {2024, 3, 5, 9, 3, 7, 90, 0};
    (void)state;
    mw__imap_out_init(&o, buf, sizeof buf);
    mw__imap_out_datetime(&o, &d);
    mw__imap_out_char(&o, ' ');
    mw__imap_out_date(&o, &d);
    assert_int_equal(o.status, MW_OK);
    assert_int_equal(o.len, 28 + 1 + 10);
    assert_memory_equal(buf, "\"05-Mar-2024 09:03:07 +0130\" 5-Mar-2024", o.len);
    d.month = 13;
    mw__imap_out_date(&o, &d);
    assert_int_equal(o.status, MW_E_INVAL);
}

/* ---- skip_value ---------------------------------------------------------- */

static void test_skip_value(void **state)
{
    mw__imap_lex L;
    mw_span s;
    (void)state;
    /* one value at a time, its raw text */
    lex(&L, S_("atom 123 NIL \"q(\" {3}\r\n(x) (a (b \"c)\" {1}\r\n))) () rest"), 0);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_OK);
    assert_true(span_is(s, "atom"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_OK);
    assert_true(span_is(s, "123"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_OK);
    assert_true(span_is(s, "NIL"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_OK);
    assert_true(span_is(s, "\"q(\""));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_OK);
    assert_true(span_is(s, "{3}\r\n(x)"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_OK);
    assert_true(span_is(s, "(a (b \"c)\" {1}\r\n)))"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_OK);
    assert_true(span_is(s, "()"));
    assert_int_equal(mw__imap_lex_sp(&L), MW_OK);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_OK);
    assert_true(span_is(s, "rest"));
    assert_int_equal(mw__imap_lex_end(&L), MW_OK);

    /* flags, sections with lists, partials; stops before "]" and ")" */
    lex(&L, S_("(\\Seen \\* BODY[HEADER.FIELDS (DATE FROM)]<0.100> BODY[]) x"), 0);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_OK);
    assert_int_equal(s.len, 56);
    lex(&L, S_("X-FOO]"), 0);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_OK);
    assert_true(span_is(s, "X-FOO"));
    assert_int_equal(mw__imap_lex_peek(&L), ']');

    /* errors */
    lex(&L, S_("(a b"), 0);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_E_SYNTAX);
    assert_int_equal(L.err_offset, 1004);
    lex(&L, S_("(a  b)"), 0);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_E_SYNTAX);
    assert_int_equal(L.err_offset, 1003);
    lex(&L, S_("(a  b  )"), MW__IMAP_LEX_TRAILING_SP);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_E_SYNTAX);
    lex(&L, S_("(a b  )"), MW__IMAP_LEX_TRAILING_SP);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_OK);
    lex(&L, S_(")"), 0);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_E_SYNTAX);
    lex(&L, S_("(\"a\0\")"), 0);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_E_NUL);
    assert_int_equal(L.err_offset, 1003);
    lex(&L, S_("BODY[1]<0>[2]"), 0);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_E_SYNTAX);
    lex(&L, S_("BODY[1[2]]"), 0);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_E_SYNTAX);
    lex(&L, S_("(a]"), 0);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_E_SYNTAX);
    lex(&L, S_("B[(a])"), 0);
    assert_int_equal(mw__imap_lex_skip_value(&L, 8, &s), MW_E_SYNTAX);
}

/* 10,000 nested parentheses: MW_E_DEPTH at the first one too deep, no
 * recursion; the limit itself is fine at max-1 and max. */
static void test_skip_depth(void **state)
{
    size_t depth = 10000, i;
    char *t = malloc(2 * depth);
    mw__imap_lex L;
    mw_span s;
    (void)state;
    assert_non_null(t);
    for (i = 0; i < depth; i++) {
        t[i] = '(';
        t[2 * depth - 1 - i] = ')';
    }
    lex(&L, t, 2 * depth, 0);
    assert_int_equal(mw__imap_lex_skip_value(&L, MW_IMAP_DEPTH_DEFAULT, &s),
                     MW_E_DEPTH);
    assert_int_equal(L.err_offset, 1000 + MW_IMAP_DEPTH_DEFAULT);
    /* max - 1, max, max + 1 */
    for (i = MW_IMAP_DEPTH_DEFAULT - 1; i <= MW_IMAP_DEPTH_DEFAULT + 1; i++) {
        lex(&L, t + depth - i, 2 * i, 0);
        if (i <= MW_IMAP_DEPTH_DEFAULT) {
            assert_int_equal(mw__imap_lex_skip_value(&L, MW_IMAP_DEPTH_DEFAULT, &s),
                             MW_OK);
            assert_int_equal(s.len, 2 * i);
        } else {
            assert_int_equal(mw__imap_lex_skip_value(&L, MW_IMAP_DEPTH_DEFAULT, &s),
                             MW_E_DEPTH);
        }
    }
    /* brackets count as a level */
    lex(&L, S_("(B[1])"), 0);
    assert_int_equal(mw__imap_lex_skip_value(&L, 1, &s), MW_E_DEPTH);
    lex(&L, S_("(B[1])"), 0);
    assert_int_equal(mw__imap_lex_skip_value(&L, 2, &s), MW_OK);
    /* a huge depth limit is fine: the counter, not the stack, grows */
    lex(&L, t, 2 * depth, 0);
    assert_int_equal(mw__imap_lex_skip_value(&L, 100000, &s), MW_OK);
    assert_int_equal(s.len, 2 * depth);
    free(t);
}

/* ---- capabilities -------------------------------------------------------- */

static void test_caps(void **state)
{
    mw_imap_caps c;
    size_t pos = 0;
    mw_span tok;
    /* Dovecot 2.3 and Gmail shapes (field-notes §3) */
    static const char dovecot[] =
        "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY "
        "THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND "
        "URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS "
        "LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT "
        "SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY "
        "PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY "
        "SPECIAL-USE AUTH=PLAIN AUTH=LOGIN";
    static const char gmail[] =
        "IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 "
        "XYZZY SASL-IR AUTH=XOAUTH2 AUTH=PLAIN AUTH=PLAIN-CLIENTTOKEN "
        "AUTH=OAUTHBEARER AUTH=XOAUTH";
    (void)state;
    assert_int_equal(mw_imap_caps_parse(S_(dovecot), &c), MW_OK);
    assert_true(c.bits & MW_IMAP_CAP_IMAP4REV1);
    assert_false(c.bits & MW_IMAP_CAP_IMAP4REV2);
    assert_true(c.bits & MW_IMAP_CAP_SORT_DISPLAY);
    assert_true(c.bits & MW_IMAP_CAP_THREAD);
    assert_true(c.bits & MW_IMAP_CAP_LITERAL_PLUS);
    assert_false(c.bits & MW_IMAP_CAP_LITERAL_MINUS);
    assert_true(c.bits & MW_IMAP_CAP_STATUS_SIZE);
    assert_true(c.bits & MW_IMAP_CAP_PREVIEW);
    assert_true(c.bits & MW_IMAP_CAP_LOGIN_REFERRALS);
    assert_false(c.bits & MW_IMAP_CAP_STARTTLS);
    assert_int_equal(c.auth, MW_IMAP_AUTH_PLAIN | MW_IMAP_AUTH_LOGIN);
    /* URL-PARTIAL I18NLEVEL=1 CONTEXT=SEARCH SNIPPET=FUZZY PREVIEW=FUZZY */
    assert_int_equal(c.unknown, 5);
    assert_int_equal(mw_imap_caps_parse(S_(gmail), &c), MW_OK);
    assert_true(c.bits & MW_IMAP_CAP_X_GM_EXT_1);
    assert_true(c.bits & MW_IMAP_CAP_XLIST);
    assert_true(c.bits & MW_IMAP_CAP_QUOTA);
    assert_int_equal(c.auth, MW_IMAP_AUTH_XOAUTH2 | MW_IMAP_AUTH_PLAIN |
                                 MW_IMAP_AUTH_OAUTHBEARER | MW_IMAP_AUTH_OTHER);
    assert_int_equal(c.unknown, 1);
    /* case (QQ's "IMAP4REV1"), trailing spaces, APPENDLIMIT, UTF8=ONLY */
    assert_int_equal(mw_imap_caps_parse(S_(" imap4REV2  utf8=only APPENDLIMIT=35651584 STARTTLS "),
                                        &c),
                     MW_OK);
    assert_true(c.bits & MW_IMAP_CAP_IMAP4REV2);
    assert_true(c.bits & MW_IMAP_CAP_UTF8_ONLY);
    assert_true(c.bits & MW_IMAP_CAP_UTF8_ACCEPT);
    assert_true(c.bits & MW_IMAP_CAP_APPENDLIMIT);
    assert_true(c.appendlimit == 35651584u);
    assert_true(c.bits & MW_IMAP_CAP_STARTTLS);
    assert_int_equal(c.unknown, 0);
    assert_int_equal(mw_imap_caps_parse(S_("APPENDLIMIT APPENDLIMIT=x"), &c), MW_OK);
    assert_true(c.bits & MW_IMAP_CAP_APPENDLIMIT);
    assert_true(c.appendlimit == 0);
    assert_int_equal(mw_imap_caps_parse(S_("APPENDLIMIT=18446744073709551616"), &c), MW_OK);
    assert_true(c.appendlimit == 0);
    assert_int_equal(mw_imap_caps_parse("", 0, &c), MW_OK);
    assert_true(c.bits == 0);
    assert_int_equal(mw_imap_caps_parse(NULL, 0, &c), MW_OK);
    assert_int_equal(mw_imap_caps_parse(NULL, 3, &c), MW_E_INVAL);
    assert_int_equal(mw_imap_caps_parse("x", 1, NULL), MW_E_INVAL);
    /* iteration and lookup */
    assert_int_equal(mw_imap_caps_next(S_(" A  B "), &pos, &tok), 1);
    assert_true(span_is(tok, "A"));
    assert_int_equal(mw_imap_caps_next(S_(" A  B "), &pos, &tok), 1);
    assert_true(span_is(tok, "B"));
    assert_int_equal(mw_imap_caps_next(S_(" A  B "), &pos, &tok), 0);
    assert_true(mw_imap_caps_has(S_(dovecot), "thread=refs"));
    assert_false(mw_imap_caps_has(S_(dovecot), "THREAD"));
    assert_false(mw_imap_caps_has(S_(dovecot), "AUTH"));
}

/* ---- modified UTF-7 ------------------------------------------------------ */

static void mutf7_ok(const char *m7, const char *u8)
{
    char out[256];
    size_t n = 0;
    mw_error err;
    memset(&err, 0, sizeof err);
    if (mw_imap_mutf7_decode(m7, strlen(m7), out, sizeof out, &n, &err) != MW_OK)
        fail_msg("decode %s: %s at %zu", m7, err.reason, err.offset);
    assert_int_equal(n, strlen(u8));
    assert_memory_equal(out, u8, n);
    assert_int_equal(mw_imap_mutf7_encode(u8, strlen(u8), out, sizeof out, &n, &err),
                     MW_OK);
    assert_int_equal(n, strlen(m7));
    assert_memory_equal(out, m7, n);
}

static void mutf7_bad(const char *m7, size_t len, size_t off)
{
    char out[256];
    size_t n = 0;
    mw_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(mw_imap_mutf7_decode(m7, len, out, sizeof out, &n, &err),
                     MW_E_SYNTAX);
    if (err.offset != off)
        fail_msg("%s: offset %zu, want %zu (%s)", m7, err.offset, off, err.reason);
}

static void test_mutf7(void **state)
{
    char out[64];
    size_t n = 0;
    mw_error err;
    (void)state;
    /* RFC 3501 §5.1.3: "~peter/mail/台北/日本語" */
    mutf7_ok("~peter/mail/&U,BTFw-/&ZeVnLIqe-",
             "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/"
             "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
    mutf7_ok("&-", "&");
    mutf7_ok("Entw&APw-rfe", "Entw\xc3\xbcrfe");
    mutf7_ok("a&AOk-b", "a\xc3\xa9" "b");
    mutf7_ok("&BBY-&-&BBY-", "\xd0\x96&\xd0\x96");
    mutf7_ok("&2D3eAA-", "\xf0\x9f\x98\x80");          /* surrogate pair */
    mutf7_ok("&2,,f,w-", "\xf4\x8f\xbf\xbf");          /* U+10FFFF */
    mutf7_ok("&,,8-", "\xef\xbf\xbf");                 /* U+FFFF */
    mutf7_ok("&AAE-", "\x01");                         /* a control */
    mutf7_ok("", "");
    mutf7_ok("INBOX", "INBOX");
    mutf7_ok(" !~", " !~");

    /* invalid forms, with offsets */
    mutf7_bad("&U,BTFw", 7, 0);            /* no "-" */
    mutf7_bad("a&", 2, 1);                 /* "&" at the end */
    mutf7_bad("&AGE-", 5, 3);              /* encodes "a" */
    mutf7_bad("&ACY-", 5, 3);              /* encodes "&" */
    mutf7_bad("&U,BTFw-&ZeVnLIqe-", 18, 8); /* two runs back to back */
    mutf7_bad("&2D0-", 5, 4);              /* high surrogate alone */
    mutf7_bad("&2D0AQQ-", 8, 6);           /* high then not low */
    mutf7_bad("&3gA-", 5, 3);              /* low surrogate alone */
    mutf7_bad("&AAA-", 5, 3);              /* U+0000 */
    mutf7_bad("&AA-", 4, 3);               /* 12 bits: half a character */
    mutf7_bad("&U,BTFx-", 8, 7);           /* non-zero padding bits */
    mutf7_bad("&U/BTFw-", 8, 2);           /* "/" is not modified BASE64 */
    mutf7_bad("&U=-", 4, 2);
    mutf7_bad("a\tb", 3, 1);               /* not printable */
    mutf7_bad("caf\xc3\xa9", 5, 3);        /* raw 8-bit */
    mutf7_bad("a\0b", 3, 1);

    /* output limits: the size needed is reported, the input still
     * validated */
    assert_int_equal(mw_imap_mutf7_decode(S_("&U,BTFw-"), out, 5, &n, NULL),
                     MW_E_NOSPACE);
    assert_int_equal(n, 6);
    assert_int_equal(mw_imap_mutf7_decode(S_("&U,BTFw-"), out, 6, &n, NULL), MW_OK);
    assert_int_equal(mw_imap_mutf7_decode(S_("&U,BTFw-&AGE-"), NULL, 0, &n, &err),
                     MW_E_SYNTAX);
    assert_int_equal(mw_imap_mutf7_encode(S_("\xe5\x8f\xb0"), out, 4, &n, NULL),
                     MW_E_NOSPACE);
    assert_int_equal(n, 5);
    assert_int_equal(mw_imap_mutf7_encode(S_("\xe5\x8f\xb0"), out, 5, &n, NULL),
                     MW_OK);
    assert_memory_equal(out, "&U,A-", 5);
    /* encode refuses invalid UTF-8 and NUL */
    assert_int_equal(mw_imap_mutf7_encode(S_("ab\xe9"), out, sizeof out, &n, &err),
                     MW_E_UTF8);
    assert_int_equal(err.offset, 2);
    assert_int_equal(mw_imap_mutf7_encode(S_("\xed\xa0\x80"), out, sizeof out, &n, &err),
                     MW_E_UTF8);
    assert_int_equal(mw_imap_mutf7_encode(S_("\xc0\x80"), out, sizeof out, &n, &err),
                     MW_E_UTF8);
    assert_int_equal(mw_imap_mutf7_encode(S_("a\0"), out, sizeof out, &n, &err),
                     MW_E_UTF8);
    assert_int_equal(err.offset, 1);
    assert_int_equal(mw_imap_mutf7_decode(NULL, 1, out, sizeof out, &n, NULL),
                     MW_E_INVAL);
    assert_int_equal(mw_imap_mutf7_encode(NULL, 1, out, sizeof out, &n, NULL),
                     MW_E_INVAL);
}

/* Every BMP code point and a sample beyond: encode, decode, same bytes. */
static void test_mutf7_roundtrip(void **state)
{
    uint32_t cp;
    (void)state;
    for (cp = 1; cp < 0x110000; cp += (cp < 0x10000 ? 1u : 97u)) {
        char u8[8], m7[32], back[16];
        size_t n8, n7 = 0, nb = 0;
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        if (cp < 0x80) {
            u8[0] = (char)cp;
            n8 = 1;
        } else if (cp < 0x800) {
            u8[0] = (char)(0xC0 | (cp >> 6));
            u8[1] = (char)(0x80 | (cp & 0x3F));
            n8 = 2;
        } else if (cp < 0x10000) {
            u8[0] = (char)(0xE0 | (cp >> 12));
            u8[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            u8[2] = (char)(0x80 | (cp & 0x3F));
            n8 = 3;
        } else {
            u8[0] = (char)(0xF0 | (cp >> 18));
            u8[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
            u8[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
            u8[3] = (char)(0x80 | (cp & 0x3F));
            n8 = 4;
        }
        memcpy(u8 + n8, "x", 1);
        n8++;
        assert_int_equal(mw_imap_mutf7_encode(u8, n8, m7, sizeof m7, &n7, NULL), MW_OK);
        if (mw_imap_mutf7_decode(m7, n7, back, sizeof back, &nb, NULL) != MW_OK)
            fail_msg("U+%04X: %.*s does not decode", (unsigned)cp, (int)n7, m7);
        assert_int_equal(nb, n8);
        assert_memory_equal(back, u8, n8);
    }
}

/* ---- output -------------------------------------------------------------- */

static void test_str_form(void **state)
{
    char big[1100];
    (void)state;
    memset(big, 'a', sizeof big);
    assert_int_equal(mw__imap_str_form(S_("INBOX"), MW__IMAP_STR_ASTRING),
                     MW__IMAP_FORM_ATOM);
    assert_int_equal(mw__imap_str_form(S_("a]b"), MW__IMAP_STR_ASTRING),
                     MW__IMAP_FORM_ATOM);
    assert_int_equal(mw__imap_str_form(S_("INBOX"), 0), MW__IMAP_FORM_QUOTED);
    assert_int_equal(mw__imap_str_form(S_("INBOX"),
                                       MW__IMAP_STR_ASTRING | MW__IMAP_STR_NO_ATOM),
                     MW__IMAP_FORM_QUOTED);
    assert_int_equal(mw__imap_str_form(S_("nil"), MW__IMAP_STR_ASTRING),
                     MW__IMAP_FORM_QUOTED);
    assert_int_equal(mw__imap_str_form(S_(""), MW__IMAP_STR_ASTRING),
                     MW__IMAP_FORM_QUOTED);
    assert_int_equal(mw__imap_str_form(S_("a b"), MW__IMAP_STR_ASTRING),
                     MW__IMAP_FORM_QUOTED);
    assert_int_equal(mw__imap_str_form(S_("a%"), MW__IMAP_STR_ASTRING),
                     MW__IMAP_FORM_QUOTED);
    assert_int_equal(mw__imap_str_form(S_("a\"\\b"), MW__IMAP_STR_ASTRING),
                     MW__IMAP_FORM_QUOTED);
    assert_int_equal(mw__imap_str_form(S_("a\tb\x7f"), 0), MW__IMAP_FORM_QUOTED);
    assert_int_equal(mw__imap_str_form(S_("a\r\nb"), 0), MW__IMAP_FORM_LITERAL);
    assert_int_equal(mw__imap_str_form(S_("a\rb"), 0), MW__IMAP_FORM_LITERAL);
    assert_int_equal(mw__imap_str_form(S_("a\0b"), 0), MW__IMAP_FORM_LITERAL8);
    assert_int_equal(mw__imap_str_form(S_("caf\xc3\xa9"), 0), MW__IMAP_FORM_LITERAL);
    assert_int_equal(mw__imap_str_form(S_("caf\xc3\xa9"), MW__IMAP_STR_UTF8),
                     MW__IMAP_FORM_QUOTED);
    assert_int_equal(mw__imap_str_form(S_("caf\xc3\xa9"),
                                       MW__IMAP_STR_UTF8 | MW__IMAP_STR_ASTRING),
                     MW__IMAP_FORM_QUOTED);
    assert_int_equal(mw__imap_str_form(S_("caf\xe9"), MW__IMAP_STR_UTF8),
                     MW__IMAP_FORM_LITERAL);
    /* the quoted limit: 1024 at most */
    assert_int_equal(mw__imap_str_form(big, 1024, 0), MW__IMAP_FORM_QUOTED);
    assert_int_equal(mw__imap_str_form(big, 1025, 0), MW__IMAP_FORM_LITERAL);
    assert_int_equal(mw__imap_str_form(big, 1025, MW__IMAP_STR_ASTRING),
                     MW__IMAP_FORM_LITERAL);
}

static void test_out(void **state)
{
    mw__imap_out o;
    char buf[128];
    mw_imap_seqset set;
    mw_imap_flags fl;
    (void)state;
    mw__imap_out_init(&o, buf, sizeof buf);
    mw__imap_out_cstr(&o, "A1 LOGIN ");
    mw__imap_out_string(&o, S_("fred"), MW__IMAP_STR_ASTRING);
    mw__imap_out_char(&o, ' ');
    mw__imap_out_string(&o, S_("pa\"ss\\w d"), MW__IMAP_STR_ASTRING);
    mw__imap_out_char(&o, ' ');
    mw__imap_out_nstring(&o, mw__span(NULL, 0), 0);
    mw__imap_out_char(&o, ' ');
    mw__imap_out_nstring(&o, mw__span("x", 1), MW__IMAP_STR_ASTRING);
    mw__imap_out_char(&o, ' ');
    mw__imap_out_u32(&o, 4294967295u);
    mw__imap_out_char(&o, ' ');
    mw__imap_out_u64(&o, UINT64_MAX);
    mw__imap_out_char(&o, ' ');
    mw__imap_out_u64(&o, 0);
    assert_int_equal(o.status, MW_OK);
    buf[o.len] = '\0';
    assert_string_equal(buf, "A1 LOGIN fred \"pa\\\"ss\\\\w d\" NIL \"x\" 4294967295 "
                             "18446744073709551615 0");

    /* a value that needs a literal is refused (the caller does literals) */
    mw__imap_out_init(&o, buf, sizeof buf);
    mw__imap_out_string(&o, S_("a\r\nb"), 0);
    assert_int_equal(o.status, MW_E_INVAL);
    mw__imap_out_cstr(&o, "more");
    assert_int_equal(o.status, MW_E_INVAL); /* sticky */
    assert_int_equal(o.len, 0);

    /* server side: inline literals, literal8 only when allowed */
    mw__imap_out_init(&o, buf, sizeof buf);
    mw__imap_out_nstring_any(&o, mw__span(S_("a\r\nb")), 0);
    mw__imap_out_char(&o, ' ');
    mw__imap_out_nstring_any(&o, mw__span(S_("q")), MW__IMAP_STR_ASTRING);
    mw__imap_out_char(&o, ' ');
    mw__imap_out_nstring_any(&o, mw__span(S_("a\0")), MW__IMAP_STR_BINARY);
    assert_int_equal(o.status, MW_OK);
    assert_int_equal(o.len, 22);
    assert_memory_equal(buf, "{4}\r\na\r\nb \"q\" ~{2}\r\na\0", 22);
    mw__imap_out_nstring_any(&o, mw__span(S_("a\0")), 0);
    assert_int_equal(o.status, MW_E_INVAL);

    /* seqset and flags */
    mw__imap_out_init(&o, buf, sizeof buf);
    assert_int_equal(mw_imap_seqset_parse(S_("1:*"), &set, NULL), MW_OK);
    mw__imap_out_seqset(&o, &set);
    mw__imap_out_char(&o, ' ');
    assert_int_equal(mw_imap_seqset_parse(S_("$"), &set, NULL), MW_OK);
    mw__imap_out_seqset(&o, &set);
    mw__imap_out_char(&o, ' ');
    assert_int_equal(mw_imap_flags_parse(S_("(\\Seen $x)"), 0, &fl, NULL), MW_OK);
    mw__imap_out_flags(&o, &fl);
    assert_int_equal(o.status, MW_OK);
    assert_int_equal(o.len, 16);
    assert_memory_equal(buf, "1:* $ (\\Seen $x)", 16);
    memset(&set, 0, sizeof set);
    mw__imap_out_seqset(&o, &set);
    assert_int_equal(o.status, MW_E_INVAL);
    mw__imap_out_init(&o, buf, sizeof buf);
    fl.text = mw__span(S_("\\Seen\r\nA2 X"));
    mw__imap_out_flags(&o, &fl);
    assert_int_equal(o.status, MW_E_INVAL);

    /* capacity: exactly full is fine, one more is NOSPACE, sticky */
    mw__imap_out_init(&o, buf, 4);
    mw__imap_out_raw(&o, "abcd", 4);
    assert_int_equal(o.status, MW_OK);
    mw__imap_out_char(&o, 'e');
    assert_int_equal(o.status, MW_E_NOSPACE);
    assert_int_equal(o.len, 4);
    mw__imap_out_init(&o, buf, 5);
    mw__imap_out_string(&o, S_("abcd"), 0); /* "abcd" needs 6 */
    assert_int_equal(o.status, MW_E_NOSPACE);
    assert_int_equal(o.len, 0);
    mw__imap_out_init(&o, NULL, 5);
    mw__imap_out_char(&o, 'a');
    assert_int_equal(o.status, MW_E_NOSPACE);
}

/* ---- names --------------------------------------------------------------- */

static void test_names(void **state)
{
    int i;
    (void)state;
    assert_string_equal(mw_imap_cmd_name(MW_IMAP_CMD_FETCH), "FETCH");
    assert_string_equal(mw_imap_cmd_name(MW_IMAP_CMD_UNSUBSCRIBE), "UNSUBSCRIBE");
    assert_string_equal(mw_imap_cmd_name(MW_IMAP_CMD_GETQUOTAROOT), "GETQUOTAROOT");
    assert_string_equal(mw_imap_cmd_name(MW_IMAP_CMD_DONE), "DONE");
    assert_string_equal(mw_imap_cmd_name(MW_IMAP_CMD_OTHER), "OTHER");
    assert_string_equal(mw_imap_cmd_name(41), "?");
    assert_string_equal(mw_imap_cmd_name(-1), "?");
    assert_string_equal(mw_imap_code_name(MW_IMAP_CODE_READ_ONLY), "READ-ONLY");
    assert_string_equal(mw_imap_code_name(MW_IMAP_CODE_UNKNOWN_CTE), "UNKNOWN-CTE");
    assert_string_equal(mw_imap_code_name(MW_IMAP_CODE_UIDREQUIRED), "UIDREQUIRED");
    assert_string_equal(mw_imap_code_name(MW_IMAP_CODE_BADURL), "BADURL");
    assert_int_equal(MW_IMAP_CODE_BADURL, 48); /* ABI */
    assert_string_equal(mw_imap_code_name(49), "?");
    assert_string_equal(mw_imap_code_name(-3), "?");
    /* every real code's name looks up to its id */
    for (i = MW_IMAP_CODE_ALERT; i <= MW_IMAP_CODE_BADURL; i++) {
        const char *nm = mw_imap_code_name(i);
        assert_int_equal(mw_imap_code_lookup(nm, strlen(nm)), i);
    }
    assert_int_equal(mw_imap_code_lookup(S_("uidnext")), MW_IMAP_CODE_UIDNEXT);
    assert_int_equal(mw_imap_code_lookup(S_("BadUrl")), MW_IMAP_CODE_BADURL);
    assert_int_equal(mw_imap_code_lookup(S_("BADURLX")), MW_IMAP_CODE_OTHER);
    assert_int_equal(mw_imap_code_lookup(S_("X-GM-FOO")), MW_IMAP_CODE_OTHER);
    assert_int_equal(mw_imap_code_lookup(S_("OTHER")), MW_IMAP_CODE_OTHER);
    assert_int_equal(mw_imap_code_lookup(S_("NONE")), MW_IMAP_CODE_OTHER);
    assert_int_equal(mw_imap_code_lookup(S_("UIDNEX")), MW_IMAP_CODE_OTHER);
    assert_int_equal(mw_imap_code_lookup("", 0), MW_IMAP_CODE_NONE);
    assert_int_equal(mw_imap_code_lookup(NULL, 0), MW_IMAP_CODE_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cclass),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_lex_tokens),
        cmocka_unit_test(test_lex_sticky_errors),
        cmocka_unit_test(test_lex_numbers),
        cmocka_unit_test(test_lex_quoted),
        cmocka_unit_test(test_lex_literal),
        cmocka_unit_test(test_lex_strings),
        cmocka_unit_test(test_seqset),
        cmocka_unit_test(test_seqset_many),
        cmocka_unit_test(test_lex_seqset),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_datetime),
        cmocka_unit_test(test_date),
        cmocka_unit_test(test_out_dates),
        cmocka_unit_test(test_skip_value),
        cmocka_unit_test(test_skip_depth),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_mutf7),
        cmocka_unit_test(test_mutf7_roundtrip),
        cmocka_unit_test(test_str_form),
        cmocka_unit_test(test_out),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests_name("imap_grammar", tests, NULL, NULL);
}
