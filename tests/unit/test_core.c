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

static void test_strerror_every_code(void **state)
{
    (void)state;
#define CHECK_(name, value, msg)                                              \
    assert_string_equal(mw_strerror(name), msg);                              \
    assert_string_equal(mw_status_name(name), #name);                         \
    assert_int_equal(mw_is_fatal(name), (value) <= -100);
    MW_STATUS_LIST(CHECK_)
#undef CHECK_
    assert_string_equal(mw_strerror(12345), "unknown status");
    assert_string_equal(mw_strerror(-99), "unknown status");
    assert_string_equal(mw_status_name(-99), "MW_E_UNKNOWN");
}

static void test_version(void **state)
{
    (void)state;
    assert_int_equal(mw_version(), MW_VERSION_NUM);
    assert_string_equal(mw_version_string(), MW_VERSION_STRING);
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
        cmocka_unit_test(test_span_ieq),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
