/* SPDX-License-Identifier: MIT */
/* RFC 5322 date-time (§3.3, obsolete §4.3): parser, formatters, epoch.
 * Expected epoch values were computed once with Python's datetime and
 * email.utils, independently of this code, and are hard-coded here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/hdr_date.h"
#include "reason.h"

/* Parse from an exact-size heap copy, so that ASan sees any read past the
 * end of the value. */
static int parse_n(const char *s, size_t n, mw_hdr_datetime *dt, mw_error *e)
{
    char *copy = malloc(n ? n : 1);
    int rc;
    assert_non_null(copy);
    memcpy(copy, s, n);
    memset(e, 0, sizeof(*e));
    rc = mw_hdr_parse_date(copy, n, dt, e);
    if (rc != MW_OK) {
        assert_int_equal(e->code, rc);
        assert_true(e->offset <= n);
        assert_non_null(e->reason);
    }
    free(copy);
    return rc;
}

static int parse(const char *s, mw_hdr_datetime *dt, mw_error *e)
{
    return parse_n(s, strlen(s), dt, e);
}

/* RFC 5322 Appendix A.5's Date: value, folded as printed there */
#define A5_DATE                                                               \
    " Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n" \
    "               -0330 (Newfoundland Time)"

struct good {
    const char *in;
    int32_t year;
    unsigned month, day, hour, minute, second;
    int wday, zone;
    unsigned flags;
    int64_t epoch;
};

static void check_good(const struct good *g)
{
    mw_hdr_datetime dt;
    mw_error e;
    int rc = parse(g->in, &dt, &e);
    if (rc != MW_OK)
        fail_msg("\"%s\": %d at %zu (%s)", g->in, rc, e.offset, e.reason);
    assert_int_equal(dt.year, g->year);
    assert_int_equal(dt.month, g->month);
    assert_int_equal(dt.day, g->day);
    assert_int_equal(dt.hour, g->hour);
    assert_int_equal(dt.minute, g->minute);
    assert_int_equal(dt.second, g->second);
    assert_int_equal(dt.wday, g->wday);
    assert_int_equal(dt.zone, g->zone);
    if (dt.flags != g->flags)
        fail_msg("\"%s\": flags %#x, expected %#x", g->in, dt.flags, g->flags);
    if (dt.epoch != g->epoch)
        fail_msg("\"%s\": epoch %lld, expected %lld", g->in, (long long)dt.epoch,
                 (long long)g->epoch);
}

#define NOWD MW_HDR_DATE_NO_WDAY
#define NOSEC MW_HDR_DATE_NO_SECONDS
#define COMM MW_HDR_DATE_COMMENTS
#define OBSC MW_HDR_DATE_OBS_CFWS
#define OBSY MW_HDR_DATE_OBS_YEAR
#define OBSZ MW_HDR_DATE_OBS_ZONE
#define UNKZ MW_HDR_DATE_UNKNOWN_ZONE

/* Every date of RFC 5322 Appendix A. */
static void test_appendix_a(void **state)
{
    static const struct good v[] = {
        /* A.1.1, A.2, A.3, A.6.2's message (A.1.1 again) */
        {"Fri, 21 Nov 1997 09:55:06 -0600", 1997, 11, 21, 9, 55, 6, 5, -360, 0, 880127706},
        {" Fri, 21 Nov 1997 09:55:06 -0600", 1997, 11, 21, 9, 55, 6, 5, -360, 0, 880127706},
        /* A.1.2 and A.6.1 */
        {" Tue, 1 Jul 2003 10:52:37 +0200", 2003, 7, 1, 10, 52, 37, 2, 120, 0, 1057049557},
        /* A.1.3 */
        {" Thu, 13 Feb 1969 23:32:54 -0330", 1969, 2, 13, 23, 32, 54, 4, -210, 0, -27723426},
        /* A.2 */
        {" Fri, 21 Nov 1997 10:01:10 -0600", 1997, 11, 21, 10, 1, 10, 5, -360, 0, 880128070},
        {" Fri, 21 Nov 1997 11:00:00 -0600", 1997, 11, 21, 11, 0, 0, 5, -360, 0, 880131600},
        /* A.3 */
        {" Mon, 24 Nov 1997 14:22:01 -0800", 1997, 11, 24, 14, 22, 1, 1, -480, 0, 880410121},
        /* A.4: the dates after the Received: fields' ';' */
        {"  21 Nov 1997 10:05:43 -0600", 1997, 11, 21, 10, 5, 43, -1, -360, NOWD, 880128343},
        {" 21 Nov 1997 10:01:22 -0600", 1997, 11, 21, 10, 1, 22, -1, -360, NOWD, 880128082},
        /* A.5: folding everywhere, no seconds, a trailing comment (current
         * syntax, so not OBS_CFWS) */
        {A5_DATE,
         1969, 2, 13, 23, 32, 0, 4, -210, NOSEC | COMM, -27723480},
        /* A.6.2: two-digit year and an alphabetic zone */
        {" 21 Nov 97 09:55:06 GMT", 1997, 11, 21, 9, 55, 6, -1, 0, NOWD | OBSY | OBSZ, 880106106},
        /* A.6.3: comments and white space inside the time */
        {" Fri, 21 Nov 1997 09(comment):   55  :  06 -0600", 1997, 11, 21, 9, 55, 6, 5, -360,
         COMM | OBSC, 880127706},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        check_good(&v[i]);
}

static void test_obs_zones(void **state)
{
    static const struct {
        const char *name;
        int zone;
    } named[] = {{"UT", 0},      {"GMT", 0},     {"EST", -300}, {"EDT", -240},
                 {"CST", -360},  {"CDT", -300},  {"MST", -420}, {"MDT", -360},
                 {"PST", -480},  {"PDT", -420},  {"ut", 0},     {"gmt", 0},
                 {"est", -300},  {"Pdt", -420}};
    char buf[64];
    mw_hdr_datetime dt;
    mw_error e;
    size_t i;
    char c;
    (void)state;

    for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        snprintf(buf, sizeof(buf), "21 Nov 1997 09:55:06 %s", named[i].name);
        assert_int_equal(parse(buf, &dt, &e), MW_OK);
        assert_int_equal(dt.zone, named[i].zone);
        assert_int_equal(dt.flags, NOWD | OBSZ);
        /* 1997-11-21T09:55:06Z is 880106106 */
        assert_true(dt.epoch == 880106106 - (int64_t)named[i].zone * 60);
    }
    /* Military letters: §4.3 says to treat them as "-0000" because RFC 822
     * defined their signs backwards; only Z (+0000 either way) is known. */
    for (c = 'A'; c <= 'Z'; c++) {
        char lc = (char)(c + 32);
        int k;
        for (k = 0; k < 2; k++) {
            snprintf(buf, sizeof(buf), "21 Nov 1997 09:55:06 %c", k ? lc : c);
            if (c == 'J') {
                assert_int_equal(parse(buf, &dt, &e), MW_E_SYNTAX);
                assert_int_equal(e.offset, 21);
                continue;
            }
            assert_int_equal(parse(buf, &dt, &e), MW_OK);
            assert_int_equal(dt.zone, 0);
            assert_true(dt.epoch == 880106106);
            assert_int_equal(dt.flags, NOWD | OBSZ | (c == 'Z' ? 0u : UNKZ));
        }
    }
    /* Other alphabetic zones (§4.3: unknown ones are "-0000") */
    assert_int_equal(parse("21 Nov 1997 09:55:06 CEST", &dt, &e), MW_OK);
    assert_int_equal(dt.flags, NOWD | OBSZ | UNKZ);
    assert_int_equal(dt.zone, 0);
    assert_int_equal(parse("21 Nov 1997 09:55:06 ABCDE", &dt, &e), MW_OK);
    assert_int_equal(parse("21 Nov 1997 09:55:06 ABCDEF", &dt, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 21);
    /* an obsolete zone may follow the time with no space at all */
    assert_int_equal(parse("21 Nov 1997 09:55:06EST", &dt, &e), MW_OK);
    assert_int_equal(dt.zone, -300);
    assert_int_equal(parse("21 Nov 1997 09:55Z", &dt, &e), MW_OK);
    assert_int_equal(dt.flags, NOWD | NOSEC | OBSZ);
    /* -0000 vs +0000 (§3.3) */
    assert_int_equal(parse("21 Nov 1997 09:55:06 -0000", &dt, &e), MW_OK);
    assert_int_equal(dt.flags, NOWD | UNKZ);
    assert_int_equal(parse("21 Nov 1997 09:55:06 +0000", &dt, &e), MW_OK);
    assert_int_equal(dt.flags, NOWD);
    /* a zone is not a place for more letters or digits */
    assert_int_equal(parse("21 Nov 1997 09:55:06 GMT+0100", &dt, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 24);
}

static void test_years(void **state)
{
    static const struct {
        const char *year;
        int rc;
        int32_t value;
        unsigned flags;
    } v[] = {
        {"00", MW_OK, 2000, OBSY},   {"49", MW_OK, 2049, OBSY},
        {"50", MW_OK, 1950, OBSY},   {"97", MW_OK, 1997, OBSY},
        {"99", MW_OK, 1999, OBSY},   {"000", MW_OK, 1900, OBSY},
        {"097", MW_OK, 1997, OBSY},  {"103", MW_OK, 2003, OBSY},
        {"999", MW_OK, 2899, OBSY},  {"1900", MW_OK, 1900, 0},
        {"1997", MW_OK, 1997, 0},    {"01997", MW_OK, 1997, 0},
        {"9999", MW_OK, 9999, 0},    {"1899", MW_E_DATE, 0, 0},
        {"0097", MW_E_DATE, 0, 0},   {"10000", MW_E_DATE, 0, 0},
        {"99999999999999999999999999", MW_E_DATE, 0, 0},
        {"7", MW_E_SYNTAX, 0, 0},
    };
    char buf[96];
    mw_hdr_datetime dt;
    mw_error e;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        /* 1 Jan is a valid day in any year; no weekday to check */
        snprintf(buf, sizeof(buf), "1 Jan %s 00:00:00 +0000", v[i].year);
        int rc = parse(buf, &dt, &e);
        if (rc != v[i].rc)
            fail_msg("year %s: %d, expected %d", v[i].year, rc, v[i].rc);
        if (rc == MW_OK) {
            assert_int_equal(dt.year, v[i].value);
            assert_int_equal(dt.flags, NOWD | v[i].flags);
        } else {
            assert_int_equal(e.offset, 6);
            if (rc == MW_E_DATE)
                assert_string_equal(e.reason, R_("year out of range"));
        }
    }
    /* the limits of the range, with the widest zones */
    struct good g[] = {
        {"Mon, 1 Jan 1900 00:00:00 +0000", 1900, 1, 1, 0, 0, 0, 1, 0, 0, -2208988800LL},
        {"Mon, 1 Jan 1900 00:00:00 +9959", 1900, 1, 1, 0, 0, 0, 1, 5999, 0, -2209348740LL},
        {"Fri, 31 Dec 9999 23:59:59 +0000", 9999, 12, 31, 23, 59, 59, 5, 0, 0, 253402300799LL},
        {"Fri, 31 Dec 9999 23:59:59 -9959", 9999, 12, 31, 23, 59, 59, 5, -5999, 0, 253402660739LL},
    };
    for (i = 0; i < sizeof(g) / sizeof(g[0]); i++)
        check_good(&g[i]);
}

static void test_days_of_month(void **state)
{
    static const struct {
        const char *in;
        int rc;
    } v[] = {
        {"Tue, 29 Feb 2000 12:00:00 +0000", MW_OK},     /* divisible by 400 */
        {"29 Feb 1900 12:00:00 +0000", MW_E_DATE},      /* by 100, not 400 */
        {"Thu, 29 Feb 2024 00:00:00 +0100", MW_OK},
        {"29 Feb 2023 00:00:00 +0000", MW_E_DATE},
        {"30 Feb 2024 00:00:00 +0000", MW_E_DATE},
        {"28 Feb 1900 00:00:00 +0000", MW_OK},
        {"31 Jan 2024 00:00:00 +0000", MW_OK},  {"31 Mar 2024 00:00:00 +0000", MW_OK},
        {"31 Apr 2024 00:00:00 +0000", MW_E_DATE}, {"30 Apr 2024 00:00:00 +0000", MW_OK},
        {"31 May 2024 00:00:00 +0000", MW_OK},  {"31 Jun 2024 00:00:00 +0000", MW_E_DATE},
        {"31 Jul 2024 00:00:00 +0000", MW_OK},  {"31 Aug 2024 00:00:00 +0000", MW_OK},
        {"31 Sep 2024 00:00:00 +0000", MW_E_DATE}, {"31 Oct 2024 00:00:00 +0000", MW_OK},
        {"31 Nov 2024 00:00:00 +0000", MW_E_DATE}, {"31 Dec 2024 00:00:00 +0000", MW_OK},
        {"00 Jan 2024 00:00:00 +0000", MW_E_DATE}, {"32 Jan 2024 00:00:00 +0000", MW_E_DATE},
        {"0 Jan 2024 00:00:00 +0000", MW_E_DATE},  {"09 Jan 2024 00:00:00 +0000", MW_OK},
    };
    mw_hdr_datetime dt;
    mw_error e;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        int rc = parse(v[i].in, &dt, &e);
        if (rc != v[i].rc)
            fail_msg("\"%s\": %d, expected %d", v[i].in, rc, v[i].rc);
        if (rc == MW_E_DATE) {
            assert_int_equal(e.offset, 0);
            assert_string_equal(e.reason, R_("day of month out of range"));
        }
    }
    assert_int_equal(parse("Tue, 29 Feb 2000 12:00:00 +0000", &dt, &e), MW_OK);
    assert_true(dt.epoch == 951825600);
    assert_int_equal(parse("Thu, 29 Feb 2024 00:00:00 +0100", &dt, &e), MW_OK);
    assert_true(dt.epoch == 1709161200);
    /* with a weekday, the day check still points at the day */
    assert_int_equal(parse("Fri, 31 Nov 1997 09:55:06 -0600", &dt, &e), MW_E_DATE);
    assert_int_equal(e.offset, 5);
}

static void test_time_and_zone_limits(void **state)
{
    static const struct {
        const char *in;
        int rc;
        size_t off;
        const char *reason;
    } v[] = {
        {"1 Jan 2000 23:59:59 +0000", MW_OK, 0, NULL},
        {"1 Jan 2000 24:00:00 +0000", MW_E_DATE, 11, "hour out of range"},
        {"1 Jan 2000 99:00:00 +0000", MW_E_DATE, 11, "hour out of range"},
        {"1 Jan 2000 00:60:00 +0000", MW_E_DATE, 14, "minute out of range"},
        {"1 Jan 2000 00:00:61 +0000", MW_E_DATE, 17, "second out of range"},
        {"1 Jan 2000 00:00:99 +0000", MW_E_DATE, 17, "second out of range"},
        {"1 Jan 2000 00:00:00 +9959", MW_OK, 0, NULL},
        {"1 Jan 2000 00:00:00 -9959", MW_OK, 0, NULL},
        {"1 Jan 2000 00:00:00 +9960", MW_E_DATE, 20, "zone out of range"},
        {"1 Jan 2000 00:00:00 -9999", MW_E_DATE, 20, "zone out of range"},
        {"1 Jan 2000 00:00:00 +0060", MW_E_DATE, 20, "zone out of range"},
        {"1 Jan 2000 00:00:00 +0059", MW_OK, 0, NULL},
    };
    mw_hdr_datetime dt;
    mw_error e;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        int rc = parse(v[i].in, &dt, &e);
        if (rc != v[i].rc)
            fail_msg("\"%s\": %d, expected %d", v[i].in, rc, v[i].rc);
        if (rc != MW_OK) {
            assert_int_equal(e.offset, v[i].off);
            assert_string_equal(e.reason, R_(v[i].reason));
        }
    }
    assert_int_equal(parse("1 Jan 2000 00:00:00 +9959", &dt, &e), MW_OK);
    assert_int_equal(dt.zone, 5999);
    assert_int_equal(parse("1 Jan 2000 00:00:00 -9959", &dt, &e), MW_OK);
    assert_int_equal(dt.zone, -5999);

    /* a leap second: 2016-12-31T23:59:60Z, counted like POSIX time as
     * 2017-01-01T00:00:00Z = 1483228800 */
    assert_int_equal(parse("Sat, 31 Dec 2016 23:59:60 +0000", &dt, &e), MW_OK);
    assert_int_equal(dt.second, 60);
    assert_int_equal(dt.flags, MW_HDR_DATE_LEAP_SECOND);
    assert_true(dt.epoch == 1483228800);
    /* local time: the same leap second seen from -0330 */
    assert_int_equal(parse("Sat, 31 Dec 2016 20:29:60 -0330", &dt, &e), MW_OK);
    assert_true(dt.epoch == 1483228800);
}

static void test_weekday(void **state)
{
    mw_hdr_datetime dt;
    mw_error e;
    (void)state;
    /* every day name, in any case, on 1997-11-16 (Sun) .. 1997-11-22 (Sat) */
    static const char *names[7] = {"sun", "MON", "Tue", "wEd", "THU", "fri", "Sat"};
    char buf[64];
    int d;
    for (d = 0; d < 7; d++) {
        snprintf(buf, sizeof(buf), "%s, %d nOv 1997 09:55:06 -0600", names[d], 16 + d);
        assert_int_equal(parse(buf, &dt, &e), MW_OK);
        assert_int_equal(dt.wday, d);
        assert_int_equal(dt.month, 11);
    }
    /* a mismatch is MW_E_DATE, but the result is complete */
    assert_int_equal(parse("Sat, 21 Nov 1997 09:55:06 -0600", &dt, &e), MW_E_DATE);
    assert_int_equal(e.offset, 0);
    assert_string_equal(e.reason, R_("day of week does not match date"));
    assert_int_equal(dt.flags, MW_HDR_DATE_WDAY_MISMATCH);
    assert_int_equal(dt.wday, 6);
    assert_int_equal(dt.year, 1997);
    assert_int_equal(dt.zone, -360);
    assert_true(dt.epoch == 880127706);
    assert_int_equal(parse("  (c) Sat , 21 Nov 1997 09:55:06 -0600", &dt, &e), MW_E_DATE);
    assert_int_equal(e.offset, 6);
    assert_int_equal(dt.flags, MW_HDR_DATE_WDAY_MISMATCH | COMM | OBSC);
}

static void test_obs_white_space(void **state)
{
    static const struct good v[] = {
        /* obs-day-of-week: CFWS before the comma */
        {"Fri , 21 Nov 1997 09:55:06 -0600", 1997, 11, 21, 9, 55, 6, 5, -360, OBSC, 880127706},
        /* a comment where only FWS is allowed */
        {"(x)Fri, 21 Nov 1997 09:55:06 -0600", 1997, 11, 21, 9, 55, 6, 5, -360, COMM | OBSC, 880127706},
        {"Fri,21 Nov 1997 09:55:06 -0600", 1997, 11, 21, 9, 55, 6, 5, -360, 0, 880127706},
        /* missing FWS that the current syntax requires */
        {"21Nov1997 09:55:06 -0600", 1997, 11, 21, 9, 55, 6, -1, -360, NOWD | OBSC, 880127706},
        {"21 Nov97(y)09:55:06 -0600", 1997, 11, 21, 9, 55, 6, -1, -360, NOWD | OBSC | OBSY | COMM, 880127706},
        /* a comment before the numeric zone (FWS still right before it) */
        {"21 Nov 1997 09:55:06 (x) -0600", 1997, 11, 21, 9, 55, 6, -1, -360, NOWD | OBSC | COMM, 880127706},
        /* nested comments and quoted-pairs in them */
        {"21 Nov 1997 09:55:06 -0600 ((a) \\) (b))", 1997, 11, 21, 9, 55, 6, -1, -360, NOWD | COMM, 880127706},
        /* tabs and bare LF fold like CRLF */
        {"\t21\tNov\t1997\t09:55:06\t-0600\t", 1997, 11, 21, 9, 55, 6, -1, -360, NOWD, 880127706},
        {"21\nNov\n1997\n09:55:06\n-0600\n", 1997, 11, 21, 9, 55, 6, -1, -360, NOWD, 880127706},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        check_good(&v[i]);
}

static void test_syntax_errors(void **state)
{
    mw_hdr_datetime dt0;
    mw_error e0;
    /* an empty span may have a NULL pointer (core.h) */
    assert_int_equal(mw_hdr_parse_date(NULL, 0, &dt0, &e0), MW_E_SYNTAX);
    assert_int_equal(e0.offset, 0);
    static const struct {
        const char *in;
        int rc;
        size_t off;
    } v[] = {
        {"", MW_E_SYNTAX, 0},
        {"   ", MW_E_SYNTAX, 3},
        {"Fri 21 Nov 1997 09:55:06 -0600", MW_E_SYNTAX, 4},   /* no comma */
        {"Friday, 21 Nov 1997 09:55:06 -0600", MW_E_SYNTAX, 0},
        {"Fri, Nov 21 1997 09:55:06 -0600", MW_E_SYNTAX, 5},
        {"123 Nov 1997 09:55:06 -0600", MW_E_SYNTAX, 0},
        {"21 Foo 1997 09:55:06 -0600", MW_E_SYNTAX, 3},
        {"21 November 1997 09:55:06 -0600", MW_E_SYNTAX, 3},
        {"21 Nov 1997 9:55:06 -0600", MW_E_SYNTAX, 12},       /* 1-digit hour */
        {"21 Nov 1997 009:55:06 -0600", MW_E_SYNTAX, 12},
        {"21 Nov 1997 09.55.06 -0600", MW_E_SYNTAX, 14},
        {"21 Nov 1997 09:5:06 -0600", MW_E_SYNTAX, 15},
        {"21 Nov 1997 09:55:6 -0600", MW_E_SYNTAX, 18},
        {"21 Nov 1997 09:55: -0600", MW_E_SYNTAX, 19},
        {"21 Nov 1997 09:55:06-0600", MW_E_SYNTAX, 20},       /* no FWS */
        {"21 Nov 1997 09:55:06(c)-0600", MW_E_SYNTAX, 23},
        {"21 Nov 1997 09:55:06 -060", MW_E_SYNTAX, 21},
        {"21 Nov 1997 09:55:06 -06000", MW_E_SYNTAX, 21},
        {"21 Nov 1997 09:55:06 +", MW_E_SYNTAX, 21},
        {"21 Nov 1997 09:55:06 0600", MW_E_SYNTAX, 21},
        {"21 Nov 1997 09:55:06", MW_E_SYNTAX, 20},
        {"21 Nov 1997 09:55:06 -0600 x", MW_E_SYNTAX, 27},
        {"21 Nov 1997 09:55:06 -0600,", MW_E_SYNTAX, 26},
        {"21 Nov 1997 09:55:06 -0600 (open", MW_E_SYNTAX, 27},
        {"21 Nov 199709:55:06 -0600", MW_E_SYNTAX, 13},
        {"21 Nov 1 09:55:06 -0600", MW_E_SYNTAX, 7},
        {"21 Nov 1997 09:55:06 J", MW_E_SYNTAX, 21},
        {"1997-11-21T09:55:06Z", MW_E_SYNTAX, 0},
    };
    mw_hdr_datetime dt;
    mw_error e;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        int rc = parse(v[i].in, &dt, &e);
        if (rc != v[i].rc || e.offset != v[i].off)
            fail_msg("\"%s\": %d at %zu (%s), expected %d at %zu", v[i].in, rc, e.offset,
                     e.reason ? e.reason : "", v[i].rc, v[i].off);
    }
}

static void test_comment_depth(void **state)
{
    char buf[256];
    mw_hdr_datetime dt;
    mw_error e;
    unsigned depth;
    (void)state;
    for (depth = MW_HDR_MAX_COMMENT_DEPTH - 1; depth <= MW_HDR_MAX_COMMENT_DEPTH + 1; depth++) {
        size_t n = 0;
        unsigned k;
        n += (size_t)snprintf(buf, sizeof(buf), "21 Nov 1997 09:55:06 -0600 ");
        for (k = 0; k < depth; k++)
            buf[n++] = '(';
        for (k = 0; k < depth; k++)
            buf[n++] = ')';
        buf[n] = '\0';
        int rc = parse(buf, &dt, &e);
        if (depth <= MW_HDR_MAX_COMMENT_DEPTH) {
            assert_int_equal(rc, MW_OK);
        } else {
            assert_int_equal(rc, MW_E_DEPTH);
            assert_int_equal(e.offset, 27);
        }
    }
}

static void test_nul_bytes(void **state)
{
    mw_hdr_datetime dt;
    mw_error e;
    (void)state;
    static const char a[] = "21 Nov\0 1997 09:55:06 +0000";
    assert_int_equal(parse_n(a, sizeof(a) - 1, &dt, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 6);
    static const char b[] = "21 Nov 1997 09:55:06 +0000\0";
    assert_int_equal(parse_n(b, sizeof(b) - 1, &dt, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 26);
    static const char c[] = "\0" "21 Nov 1997 09:55:06 +0000";
    assert_int_equal(parse_n(c, sizeof(c) - 1, &dt, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 0);
    static const char d[] = "21 Nov 1997 09:5\0:06 +0000";
    assert_int_equal(parse_n(d, sizeof(d) - 1, &dt, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 15);
    /* inside a comment a NUL is skipped with the comment (lexer policy:
     * obs-qp allows an escaped NUL there, and a comment carries no data) */
    static const char f[] = "21 Nov 1997 09:55:06 +0000 (a\0b)";
    assert_int_equal(parse_n(f, sizeof(f) - 1, &dt, &e), MW_OK);
    assert_true(dt.epoch == 880106106);
}

/* Every prefix of a valid date must parse or fail cleanly; only complete
 * ones (and prefixes that are themselves dates) may succeed. */
static void test_truncation(void **state)
{
    static const char *v[] = {
        "Fri, 21 Nov 1997 09:55:06 -0600",
        A5_DATE,
        " Fri, 21 Nov 1997 09(comment):   55  :  06 -0600",
        "21 Nov 97 09:55:06 GMT",
        "Sat, 31 Dec 2016 23:59:60 +0000 ((nested) comment)",
    };
    mw_hdr_datetime dt;
    mw_error e;
    size_t i, n;
    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        size_t len = strlen(v[i]);
        size_t ok = 0;
        for (n = 0; n <= len; n++) {
            int rc = parse_n(v[i], n, &dt, &e);
            assert_true(rc == MW_OK || rc == MW_E_SYNTAX || rc == MW_E_DATE);
            if (rc == MW_OK)
                ok++;
        }
        assert_int_equal(parse_n(v[i], len, &dt, &e), MW_OK);
        assert_true(ok >= 1);
    }
    /* the prefixes of "... GMT" that parse are "... G" (military, unknown)
     * and "... GM" (unknown 2-letter zone) and the whole */
    assert_int_equal(parse_n("21 Nov 97 09:55:06 GMT", 20, &dt, &e), MW_OK);
    assert_int_equal(dt.flags, NOWD | OBSY | OBSZ | UNKZ);
    /* "-060" is not a zone */
    assert_int_equal(parse_n("Fri, 21 Nov 1997 09:55:06 -0600", 30, &dt, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 26);
}

/* Dates spread over 1950-2049 with assorted zones; the epoch values come
 * from Python's datetime. */
static void test_epoch_spot_checks(void **state)
{
    static const struct {
        const char *in;
        int64_t epoch;
        int zone;
    } v[] = {
        {"Sun, 11 Jul 1954 07:55:22 -1200", -488347478LL, -720},
        {"Fri, 1 Nov 2047 16:13:57 +1400", 2456187237LL, 840},
        {"Sat, 4 Aug 2046 02:16:04 +0530", 2416941964LL, 330},
        {"Sun, 26 Aug 2046 14:13:54 +0100", 2418902034LL, 60},
        {"Tue, 18 May 2038 17:44:50 +0000", 2157817490LL, 0},
        {"Thu, 24 Apr 2036 15:52:23 +0100", 2092661543LL, 60},
        {"Thu, 23 Oct 1997 00:29:59 +0530", 877546799LL, 330},
        {"Mon, 10 Jul 1989 17:37:22 -0330", 616108042LL, -210},
        {"Sun, 20 Sep 1992 09:02:34 +0545", 716959054LL, 345},
        {"Thu, 12 Dec 2002 15:22:18 +0000", 1039706538LL, 0},
        {"Mon, 16 Jul 1962 02:49:38 -1200", -235473022LL, -720},
        {"Mon, 7 Dec 1964 06:09:48 +1400", -159954612LL, 840},
        {"Wed, 15 Nov 2006 06:42:11 +0000", 1163572931LL, 0},
        {"Wed, 30 Dec 1964 12:57:28 +1400", -157942952LL, 840},
        {"Sun, 8 Sep 1957 00:41:21 -0700", -388599519LL, -420},
        {"Sat, 8 Jun 2013 22:25:32 -0500", 1370748332LL, -300},
        {"Mon, 5 May 1986 21:10:53 +0100", 515707853LL, 60},
        {"Thu, 4 Jun 2020 23:56:28 +0545", 1591294288LL, 345},
        {"Fri, 3 Jun 1966 14:07:04 +0200", -112967576LL, 120},
        {"Tue, 1 Mar 1955 22:41:12 -0100", -468202728LL, -60},
        {"Sat, 9 Nov 1968 06:13:30 +0530", -36112590LL, 330},
        {"Sun, 25 Jul 1971 00:32:35 +1400", 49199555LL, 840},
        {"Tue, 2 Jan 2046 20:17:46 +1400", 2398486666LL, 840},
        {"Sun, 15 Apr 2001 13:39:13 -0100", 987345553LL, -60},
        {"Fri, 31 Dec 2049 23:59:59 +0000", 2524607999LL, 0},
        {"Sun, 1 Jan 1950 00:00:00 +0000", -631152000LL, 0},
        {"Thu, 26 Nov 2026 05:16:19 +0000", 1795670179LL, 0},
    };
    mw_hdr_datetime dt, back;
    mw_error e;
    char buf[MW_HDR_DATE_LEN];
    size_t i, n;
    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        int rc = parse(v[i].in, &dt, &e);
        if (rc != MW_OK)
            fail_msg("\"%s\": %d at %zu (%s)", v[i].in, rc, e.offset, e.reason);
        if (dt.epoch != v[i].epoch)
            fail_msg("\"%s\": epoch %lld, expected %lld", v[i].in, (long long)dt.epoch,
                     (long long)v[i].epoch);
        assert_int_equal(dt.zone, v[i].zone);
        /* epoch + zone gives back the same calendar fields */
        assert_int_equal(mw_hdr_datetime_from_epoch(v[i].epoch, v[i].zone, &back), MW_OK);
        assert_int_equal(back.year, dt.year);
        assert_int_equal(back.month, dt.month);
        assert_int_equal(back.day, dt.day);
        assert_int_equal(back.hour, dt.hour);
        assert_int_equal(back.minute, dt.minute);
        assert_int_equal(back.second, dt.second);
        assert_int_equal(back.wday, dt.wday);
        /* formatting and parsing again keeps everything */
        assert_int_equal(mw_hdr_format_date(&dt, buf, sizeof(buf), &n), MW_OK);
        assert_int_equal(n, MW_HDR_DATE_LEN);
        assert_int_equal(parse_n(buf, n, &back, &e), MW_OK);
        assert_true(back.epoch == dt.epoch);
        assert_int_equal(back.zone, dt.zone);
        assert_int_equal(back.flags, 0);
    }
}

static void test_format_date(void **state)
{
    mw_hdr_datetime dt;
    char buf[64];
    size_t n = 99;
    (void)state;

    assert_int_equal(mw_hdr_datetime_from_epoch(1795670179LL, 0, &dt), MW_OK);
    dt.wday = 3; /* ignored: the weekday is computed */
    /* cap-1, cap, cap+1 */
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(mw_hdr_format_date(&dt, buf, MW_HDR_DATE_LEN - 1, &n), MW_E_NOSPACE);
    assert_int_equal(n, MW_HDR_DATE_LEN);
    assert_int_equal(buf[0], 'x');
    assert_int_equal(mw_hdr_format_date(&dt, NULL, 0, &n), MW_E_NOSPACE);
    assert_int_equal(mw_hdr_format_date(&dt, buf, MW_HDR_DATE_LEN, &n), MW_OK);
    assert_int_equal(n, 31);
    assert_memory_equal(buf, "Thu, 26 Nov 2026 05:16:19 +0000", 31);
    assert_int_equal(buf[31], 'x'); /* no NUL written */
    assert_int_equal(mw_hdr_format_date(&dt, buf, MW_HDR_DATE_LEN + 1, NULL), MW_OK);

    /* one-digit day padded; negative zone with minutes */
    memset(&dt, 0, sizeof(dt));
    dt.year = 1969;
    dt.month = 2;
    dt.day = 3;
    dt.hour = 3;
    dt.minute = 2;
    dt.second = 1;
    dt.zone = -210;
    assert_int_equal(mw_hdr_format_date(&dt, buf, sizeof(buf), &n), MW_OK);
    assert_memory_equal(buf, "Mon, 03 Feb 1969 03:02:01 -0330", 31);
    assert_int_equal(mw_hdr_format_rfc3339(&dt, buf, sizeof(buf), &n), MW_OK);
    assert_int_equal(n, MW_HDR_RFC3339_LEN);
    assert_memory_equal(buf, "1969-02-03T03:02:01-03:30", 25);

    /* "-0000": no information about local time */
    dt.zone = 0;
    dt.flags = MW_HDR_DATE_UNKNOWN_ZONE;
    assert_int_equal(mw_hdr_format_date(&dt, buf, sizeof(buf), &n), MW_OK);
    assert_memory_equal(buf + 26, "-0000", 5);
    assert_int_equal(mw_hdr_format_rfc3339(&dt, buf, sizeof(buf), &n), MW_OK);
    assert_memory_equal(buf + 19, "-00:00", 6);
    dt.flags = 0;
    assert_int_equal(mw_hdr_format_date(&dt, buf, sizeof(buf), &n), MW_OK);
    assert_memory_equal(buf + 26, "+0000", 5);

    /* widest zones */
    dt.zone = 5999;
    assert_int_equal(mw_hdr_format_date(&dt, buf, sizeof(buf), &n), MW_OK);
    assert_memory_equal(buf + 26, "+9959", 5);
    dt.zone = -5999;
    assert_int_equal(mw_hdr_format_date(&dt, buf, sizeof(buf), &n), MW_OK);
    assert_memory_equal(buf + 26, "-9959", 5);
    dt.zone = 6000;
    assert_int_equal(mw_hdr_format_date(&dt, buf, sizeof(buf), &n), MW_E_INVAL);

    /* invalid fields */
    dt.zone = 0;
    dt.month = 13;
    assert_int_equal(mw_hdr_format_date(&dt, buf, sizeof(buf), &n), MW_E_INVAL);
    dt.month = 0;
    assert_int_equal(mw_hdr_format_date(&dt, buf, sizeof(buf), &n), MW_E_INVAL);
    dt.month = 2;
    dt.day = 29; /* 1969 is not a leap year */
    assert_int_equal(mw_hdr_format_date(&dt, buf, sizeof(buf), &n), MW_E_INVAL);
    dt.day = 28;
    dt.year = 1899;
    assert_int_equal(mw_hdr_format_date(&dt, buf, sizeof(buf), &n), MW_E_INVAL);
    dt.year = 10000;
    assert_int_equal(mw_hdr_format_date(&dt, buf, sizeof(buf), &n), MW_E_INVAL);
    dt.year = 2000;
    dt.hour = 24;
    assert_int_equal(mw_hdr_format_date(&dt, buf, sizeof(buf), &n), MW_E_INVAL);
    dt.hour = 0;
    dt.second = 61;
    assert_int_equal(mw_hdr_format_date(&dt, buf, sizeof(buf), &n), MW_E_INVAL);
    dt.second = 60;
    assert_int_equal(mw_hdr_format_date(&dt, buf, sizeof(buf), &n), MW_OK);
    assert_memory_equal(buf, "Mon, 28 Feb 2000 00:02:60 +0000", 31);
}

static void test_format_rfc3339(void **state)
{
    mw_hdr_datetime dt;
    char buf[64];
    size_t n;
    (void)state;
    assert_int_equal(mw_hdr_datetime_from_epoch(1795670179LL, 0, &dt), MW_OK);
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(mw_hdr_format_rfc3339(&dt, buf, MW_HDR_RFC3339_LEN - 1, &n), MW_E_NOSPACE);
    assert_int_equal(n, MW_HDR_RFC3339_LEN);
    assert_int_equal(buf[0], 'x');
    assert_int_equal(mw_hdr_format_rfc3339(&dt, buf, MW_HDR_RFC3339_LEN, &n), MW_OK);
    assert_memory_equal(buf, "2026-11-26T05:16:19+00:00", 25);
    assert_int_equal(buf[25], 'x');
    assert_int_equal(mw_hdr_format_rfc3339(&dt, buf, MW_HDR_RFC3339_LEN + 1, &n), MW_OK);

    /* RFC 3339 offsets stop at 23:59 */
    assert_int_equal(mw_hdr_datetime_from_epoch(0, 1439, &dt), MW_OK);
    assert_int_equal(mw_hdr_format_rfc3339(&dt, buf, sizeof(buf), &n), MW_OK);
    assert_memory_equal(buf, "1970-01-01T23:59:00+23:59", 25);
    assert_int_equal(mw_hdr_datetime_from_epoch(0, -1439, &dt), MW_OK);
    assert_int_equal(mw_hdr_format_rfc3339(&dt, buf, sizeof(buf), &n), MW_OK);
    assert_memory_equal(buf, "1969-12-31T00:01:00-23:59", 25);
    assert_int_equal(mw_hdr_datetime_from_epoch(0, 1440, &dt), MW_OK);
    assert_int_equal(mw_hdr_format_rfc3339(&dt, buf, sizeof(buf), &n), MW_E_INVAL);
    assert_int_equal(mw_hdr_format_date(&dt, buf, sizeof(buf), &n), MW_OK);
    assert_memory_equal(buf, "Fri, 02 Jan 1970 00:00:00 +2400", 31);

    /* A.1.1 as RFC 3339 */
    mw_error e;
    assert_int_equal(mw_hdr_parse_date("Fri, 21 Nov 1997 09:55:06 -0600", 31, &dt, &e), MW_OK);
    assert_int_equal(mw_hdr_format_rfc3339(&dt, buf, sizeof(buf), &n), MW_OK);
    assert_memory_equal(buf, "1997-11-21T09:55:06-06:00", 25);
}

static void test_from_epoch(void **state)
{
    mw_hdr_datetime dt;
    (void)state;
    assert_int_equal(mw_hdr_datetime_from_epoch(-1, 0, &dt), MW_OK);
    assert_int_equal(dt.year, 1969);
    assert_int_equal(dt.month, 12);
    assert_int_equal(dt.day, 31);
    assert_int_equal(dt.hour, 23);
    assert_int_equal(dt.minute, 59);
    assert_int_equal(dt.second, 59);
    assert_int_equal(dt.wday, 3);
    assert_true(dt.epoch == -1);
    assert_int_equal(dt.flags, 0);

    /* the range ends: 1900-01-01T00:00:00 and 9999-12-31T23:59:59 local */
    assert_int_equal(mw_hdr_datetime_from_epoch(-2208988800LL, 0, &dt), MW_OK);
    assert_int_equal(dt.year, 1900);
    assert_int_equal(dt.wday, 1);
    assert_int_equal(mw_hdr_datetime_from_epoch(-2208988801LL, 0, &dt), MW_E_OVERFLOW);
    assert_int_equal(mw_hdr_datetime_from_epoch(-2208988801LL, 1, &dt), MW_OK);
    assert_int_equal(mw_hdr_datetime_from_epoch(253402300799LL, 0, &dt), MW_OK);
    assert_int_equal(dt.year, 9999);
    assert_int_equal(dt.wday, 5);
    assert_int_equal(dt.second, 59);
    assert_int_equal(mw_hdr_datetime_from_epoch(253402300800LL, 0, &dt), MW_E_OVERFLOW);
    assert_int_equal(mw_hdr_datetime_from_epoch(253402300800LL, -1, &dt), MW_OK);
    assert_int_equal(mw_hdr_datetime_from_epoch(253402660739LL, -5999, &dt), MW_OK);
    assert_int_equal(dt.year, 9999);
    assert_int_equal(mw_hdr_datetime_from_epoch(INT64_MAX, 0, &dt), MW_E_OVERFLOW);
    assert_int_equal(mw_hdr_datetime_from_epoch(INT64_MIN, 0, &dt), MW_E_OVERFLOW);
    assert_int_equal(mw_hdr_datetime_from_epoch(INT64_MAX, -5999, &dt), MW_E_OVERFLOW);
    assert_int_equal(mw_hdr_datetime_from_epoch(INT64_MIN, 5999, &dt), MW_E_OVERFLOW);
    /* zone limits */
    assert_int_equal(mw_hdr_datetime_from_epoch(0, 5999, &dt), MW_OK);
    assert_int_equal(dt.zone, 5999);
    assert_int_equal(mw_hdr_datetime_from_epoch(0, 6000, &dt), MW_E_INVAL);
    assert_int_equal(mw_hdr_datetime_from_epoch(0, -6000, &dt), MW_E_INVAL);

    /* walk the whole range in uneven steps: from_epoch, format, parse
     * gives the same instant */
    int64_t t;
    int z = -5999;
    for (t = -2208988800LL + 360000; t < 253402300799LL - 360000; t += 987654321LL) {
        char buf[MW_HDR_DATE_LEN];
        size_t n;
        mw_hdr_datetime back;
        mw_error e;
        z = (z + 1237) % 6000;
        assert_int_equal(mw_hdr_datetime_from_epoch(t, z, &dt), MW_OK);
        assert_int_equal(mw_hdr_format_date(&dt, buf, sizeof(buf), &n), MW_OK);
        assert_int_equal(mw_hdr_parse_date(buf, n, &back, &e), MW_OK);
        assert_true(back.epoch == t);
        assert_int_equal(back.zone, z);
    }
}

/* Deterministic random edits of valid dates: whatever comes back must be
 * an allowed status, and every date accepted must be complete, in range,
 * and survive formatting and parsing again. */
static void test_mutations(void **state)
{
    static const char *seeds[] = {
        "Fri, 21 Nov 1997 09:55:06 -0600",
        A5_DATE,
        " Fri, 21 Nov 1997 09(comment):   55  :  06 -0600",
        "21 Nov 97 09:55:06 GMT",
        "Sat, 31 Dec 2016 23:59:60 +0000 ((nested) comment)",
        "Mon, 1 Jan 1900 00:00:00 +9959",
    };
    static const char alphabet[] = "0123456789:+-,() \t\r\nAZazJjGMTSunFebDec\\\"\0\x80\xff";
    uint32_t rng = 5322;
    char buf[128];
    int iter;
    (void)state;
    for (iter = 0; iter < 60000; iter++) {
        const char *seed = seeds[iter % (int)(sizeof(seeds) / sizeof(seeds[0]))];
        size_t len = strlen(seed), k, edits;
        mw_hdr_datetime dt, back;
        mw_error e;
        memcpy(buf, seed, len);
        rng = rng * 1103515245u + 12345u;
        edits = 1 + (rng >> 16) % 3;
        for (k = 0; k < edits && len > 0; k++) {
            size_t at, op;
            char c;
            rng = rng * 1103515245u + 12345u;
            at = (rng >> 8) % len;
            op = (rng >> 20) % 4;
            rng = rng * 1103515245u + 12345u;
            c = alphabet[(rng >> 16) % (sizeof(alphabet) - 1)];
            if (op == 0) {
                buf[at] = c; /* replace */
            } else if (op == 1) {
                memmove(buf + at, buf + at + 1, len - at - 1); /* delete */
                len--;
            } else if (len < sizeof(buf) - 1) {
                memmove(buf + at + 1, buf + at, len - at); /* insert */
                buf[at] = op == 2 ? c : buf[at + 1];
                len++;
            }
        }
        int rc = parse_n(buf, len, &dt, &e);
        assert_true(rc == MW_OK || rc == MW_E_SYNTAX || rc == MW_E_DATE || rc == MW_E_DEPTH);
        if (rc == MW_E_DATE && !(dt.flags & MW_HDR_DATE_WDAY_MISMATCH))
            continue;
        if (rc != MW_OK && rc != MW_E_DATE)
            continue;
        assert_true(dt.year >= 1900 && dt.year <= 9999);
        assert_true(dt.month >= 1 && dt.month <= 12);
        assert_true(dt.day >= 1 && dt.day <= 31);
        assert_true(dt.hour <= 23 && dt.minute <= 59 && dt.second <= 60);
        assert_true(dt.zone >= -5999 && dt.zone <= 5999);
        assert_true((dt.wday == -1) == ((dt.flags & MW_HDR_DATE_NO_WDAY) != 0));
        assert_true((dt.second == 60) == ((dt.flags & MW_HDR_DATE_LEAP_SECOND) != 0));
        char out[MW_HDR_DATE_LEN];
        size_t n;
        assert_int_equal(mw_hdr_format_date(&dt, out, sizeof(out), &n), MW_OK);
        assert_int_equal(parse_n(out, n, &back, &e), MW_OK);
        assert_true(back.epoch == dt.epoch);
        assert_int_equal(back.zone, dt.zone);
        assert_int_equal(back.flags & MW_HDR_DATE_UNKNOWN_ZONE,
                         dt.flags & MW_HDR_DATE_UNKNOWN_ZONE);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_appendix_a),
        cmocka_unit_test(test_obs_zones),
        cmocka_unit_test(test_years),
        cmocka_unit_test(test_days_of_month),
        cmocka_unit_test(test_time_and_zone_limits),
        cmocka_unit_test(test_weekday),
        cmocka_unit_test(test_obs_white_space),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_comment_depth),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_epoch_spot_checks),
        cmocka_unit_test(test_format_date),
        cmocka_unit_test(test_format_rfc3339),
        cmocka_unit_test(test_from_epoch),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests_name("hdr_date", tests, NULL, NULL);
}
