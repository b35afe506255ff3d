/* SPDX-License-Identifier: MIT */
/* Core: status list, version, number parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/internal.h"
#include "mailwire/mailwire.h"

/* The ABI: every status with its fixed value, name and message. */
static const struct {
    int code, value;
    const char *name, *msg;
} statuses[] = {
    {MW_OK, 0, "MW_OK", "success"},
    {MW_PAUSED, 1, "MW_PAUSED", "stopped early: paused by a callback or awaiting a reply"},
    {MW_DONE, 2, "MW_DONE", "finished: the input after this point is not for this parser"},
    {MW_E_SYNTAX, -1, "MW_E_SYNTAX", "syntax error"},
    {MW_E_TOO_LONG, -2, "MW_E_TOO_LONG", "line or item too long"},
    {MW_E_SEQUENCE, -3, "MW_E_SEQUENCE", "bad sequence of commands"},
    {MW_E_LIMIT, -4, "MW_E_LIMIT", "configured limit exceeded"},
    {MW_E_STATE, -5, "MW_E_STATE", "not valid in the current state"},
    {MW_E_INVAL, -6, "MW_E_INVAL", "invalid argument"},
    {MW_E_NOSPACE, -7, "MW_E_NOSPACE", "output buffer too small"},
    {MW_E_BARE_LF, -8, "MW_E_BARE_LF", "bare LF where CRLF is required"},
    {MW_E_BARE_CR, -9, "MW_E_BARE_CR", "bare CR where CRLF is required"},
    {MW_E_NUL, -10, "MW_E_NUL", "NUL byte in input"},
    {MW_E_OVERFLOW, -11, "MW_E_OVERFLOW", "number out of range"},
    {MW_E_BASE64, -12, "MW_E_BASE64", "invalid base64"},
    {MW_E_UTF8, -13, "MW_E_UTF8", "invalid UTF-8"},
    {MW_E_DEPTH, -14, "MW_E_DEPTH", "nesting too deep"},
    {MW_E_INCOMPLETE, -15, "MW_E_INCOMPLETE", "input ended before the item was complete"},
    {MW_E_CHARSET, -16, "MW_E_CHARSET", "unsupported charset"},
    {MW_E_LINE_TOO_LONG, -17, "MW_E_LINE_TOO_LONG", "line longer than the line limit"},
    {MW_E_FIELD_TOO_LONG, -18, "MW_E_FIELD_TOO_LONG", "header field longer than the field limit"},
    {MW_E_TOO_MANY_FIELDS, -19, "MW_E_TOO_MANY_FIELDS", "more header fields than the field limit"},
    {MW_E_HEADER_TOO_LONG, -20, "MW_E_HEADER_TOO_LONG", "header block longer than the header limit"},
    {MW_E_ENCODED_WORD, -21, "MW_E_ENCODED_WORD", "malformed RFC 2047 encoded word"},
    {MW_E_DATE, -22, "MW_E_DATE", "date is not valid"},
    {MW_E_NOT_FOUND, -23, "MW_E_NOT_FOUND", "no such item"},
    {MW_E_AUTH, -24, "MW_E_AUTH", "authentication failed"},
    {MW_E_TLS_LEFTOVER, -25, "MW_E_TLS_LEFTOVER",
     "bytes received behind STARTTLS/STLS were discarded, never parsed"},
    {MW_E_CANCELLED, -26, "MW_E_CANCELLED",
     "the peer cancelled the exchange (SASL \"*\")"},
    {MW_E_LITERAL, -27, "MW_E_LITERAL",
     "literal refused: larger than the limit, or not allowed here"},
    {MW_E_UNSUPPORTED, -28, "MW_E_UNSUPPORTED", "feature compiled out"},
    {MW_E_CALLBACK, -100, "MW_E_CALLBACK", "a callback aborted the operation"},
    {MW_E_CLOSED, -101, "MW_E_CLOSED", "closed: no more input is accepted"},
    {MW_E_INTERNAL, -102, "MW_E_INTERNAL", "internal error"},
    {MW_E_INJECTION, -103, "MW_E_INJECTION",
     "bytes arrived past the TLS switch point (response injection)"},
};

#if MW_ENABLE_ERROR_TEXT
#define UNKNOWN_MSG "unknown status"
#else
#define UNKNOWN_MSG "MW_E_UNKNOWN"
#endif

static void test_strerror_every_code(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        assert_int_equal(statuses[i].code, statuses[i].value);
#if MW_ENABLE_ERROR_TEXT
        assert_string_equal(mw_strerror(statuses[i].code), statuses[i].msg);
#else
        /* Without error texts the message is the name. */
        assert_string_equal(mw_strerror(statuses[i].code), statuses[i].name);
#endif
        assert_string_equal(mw_status_name(statuses[i].code), statuses[i].name);
        assert_int_equal(mw_is_fatal(statuses[i].code), statuses[i].value <= -100);
    }
    /* every other value in a wide range is unknown */
    for (int v = -300; v <= 300; v++) {
        int known = 0;
        for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
            known |= statuses[i].value == v;
        if (!known) {
            assert_string_equal(mw_strerror(v), UNKNOWN_MSG);
            assert_string_equal(mw_status_name(v), "MW_E_UNKNOWN");
        }
    }
    assert_string_equal(mw_strerror(-32767), UNKNOWN_MSG);
    assert_string_equal(mw_strerror(1 << 30), UNKNOWN_MSG);
    assert_string_equal(mw_strerror(12345), UNKNOWN_MSG);
    assert_string_equal(mw_strerror(-99), UNKNOWN_MSG);
    assert_string_equal(mw_status_name(-32767), "MW_E_UNKNOWN");
    assert_string_equal(mw_status_name(1 << 30), "MW_E_UNKNOWN");
    assert_string_equal(mw_status_name(-(1 << 30)), "MW_E_UNKNOWN");
    assert_string_equal(mw_status_name(-99), "MW_E_UNKNOWN");
}

static void test_version(void **state)
{
    (void)state;
    assert_int_equal(mw_version(), MW_VERSION_NUM);
    assert_string_equal(mw_version_string(), MW_VERSION_STRING);
}

/* mw__fmt_u64() and both ways of dividing by ten: the shift version is
 * what 32-bit targets run, checked here against the compiler's division
 * at the edges and on a spread of values. */
static void check_div10(uint64_t v)
{
    unsigned r1 = 99, r2 = 99;
    uint64_t q1 = mw__div10_u64(v, &r1), q2 = mw__div10_u64_shifts(v, &r2);
    assert_true(q1 == v / 10u && r1 == (unsigned)(v % 10u));
    assert_true(q2 == v / 10u && r2 == (unsigned)(v % 10u));
}

static void test_fmt_u64(void **state)
{
    static const struct {
        uint64_t v;
        const char *s;
    } cases[] = {
        {0, "0"},
        {9, "9"},
        {10, "10"},
        {4294967295u, "4294967295"},
        {4294967296u, "4294967296"},
        {9999999999999999999u, "9999999999999999999"},
        {10000000000000000000u, "10000000000000000000"},
        {UINT64_MAX, "18446744073709551615"},
    };
    char out[MW__U64_DIGITS + 1];
    uint64_t v = 1, x = 0x9E3779B97F4A7C15u;
    size_t i, n;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(out, 'X', sizeof out);
        n = mw__fmt_u64(out, cases[i].v);
        assert_int_equal(n, strlen(cases[i].s));
        assert_memory_equal(out, cases[i].s, n);
        assert_int_equal(out[n], 'X'); /* nothing past the digits */
    }
    /* every power of ten and its neighbours, every power of two and its
     * neighbours, then a million pseudo-random values */
    for (i = 0; i < 20; i++, v *= 10u) {
        check_div10(v - 1u);
        check_div10(v);
        check_div10(v + 1u);
    }
    for (i = 0; i < 64; i++) {
        check_div10(((uint64_t)1 << i) - 1u);
        check_div10((uint64_t)1 << i);
        check_div10(((uint64_t)1 << i) + 1u);
    }
    check_div10(UINT64_MAX);
    check_div10(UINT64_MAX - 5u);
    for (i = 0; i < 1000000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        check_div10(x);
        check_div10(x >> (i % 64));
    }
}

static void test_parse_u64_bounds(void **state)
{
    uint64_t v = 0;
    uint32_t w = 0;
    (void)state;
    assert_int_equal(mw__parse_u64("0", 1, 10, &v), MW_OK);
    assert_int_equal(v, 0);
    assert_int_equal(mw__parse_u64("18446744073709551615", 20, UINT64_MAX, &v), MW_OK);
    assert_true(v == UINT64_MAX);
    assert_int_equal(mw__parse_u64("18446744073709551616", 20, UINT64_MAX, &v), MW_E_OVERFLOW);
    assert_int_equal(mw__parse_u64("99999999999999999999999", 23, UINT64_MAX, &v), MW_E_OVERFLOW);
    /* cap-1, cap, cap+1 of a caller's maximum */
    assert_int_equal(mw__parse_u32("4294967294", 10, UINT32_MAX, &w), MW_OK);
    assert_int_equal(mw__parse_u32("4294967295", 10, UINT32_MAX, &w), MW_OK);
    assert_true(w == UINT32_MAX);
    assert_int_equal(mw__parse_u32("4294967296", 10, UINT32_MAX, &w), MW_E_OVERFLOW);
    assert_int_equal(mw__parse_u32("999", 3, 999, &w), MW_OK);
    assert_int_equal(mw__parse_u32("1000", 4, 999, &w), MW_E_OVERFLOW);
    assert_int_equal(mw__parse_u64("", 0, 10, &v), MW_E_SYNTAX);
    assert_int_equal(mw__parse_u64("1a", 2, 100, &v), MW_E_SYNTAX);
    assert_int_equal(mw__parse_u64("-1", 2, 100, &v), MW_E_SYNTAX);
    assert_int_equal(mw__parse_u64("+1", 2, 100, &v), MW_E_SYNTAX);
}

static void test_span_ieq(void **state)
{
    (void)state;
    assert_true(mw__span_ieq(mw__span("Subject", 7), "subject"));
    assert_false(mw__span_ieq(mw__span("Subjec", 6), "subject"));
    assert_false(mw__span_ieq(mw__span("Subjects", 8), "subject"));
    assert_true(mw__span_ieq(mw__span("", 0), ""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror_every_code),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_parse_u64_bounds),
        cmocka_unit_test(test_fmt_u64),
        cmocka_unit_test(test_span_ieq),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
