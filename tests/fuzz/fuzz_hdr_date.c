/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the RFC 5322 date-time parser and formatters
 * (include/mailwire/hdr_date.h).
 *
 * The whole input is one Date: value. Checked:
 * - errors carry their own code, an offset inside the value and a reason;
 * - a parsed date (MW_OK, or MW_E_DATE with WDAY_MISMATCH, which also
 *   fills everything) has every field in range and an epoch that agrees
 *   with the calendar fields (recomputed here by days-from-civil);
 * - mw_hdr_format_date() writes exactly MW_HDR_DATE_LEN bytes that parse
 *   back, in the current syntax, to the same fields, zone and epoch;
 * - mw_hdr_format_rfc3339() succeeds exactly for zones within +-23:59 and
 *   has the RFC 3339 shape;
 * - mw_hdr_datetime_from_epoch(epoch, zone) gives the same calendar fields
 *   back (except for a leap second, which the epoch folds into the next
 *   minute);
 * - too-small buffers give MW_E_NOSPACE and are left untouched.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/hdr_date.h"

#include "fuzz_util.h"

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (the usual era-based formula). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int64_t y, unsigned m)
{
    static const unsigned d[12] = {31, 28, 31, 30, 31, 30,
                                   31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29u : d[m - 1];
}

static int weekday(const mw_hdr_datetime *dt)
{
    int64_t days = days_from_civil(dt->year, dt->month, dt->day);
    int64_t w = (days + 4) % 7; /* 1970-01-01 was a Thursday */
    return (int)(w < 0 ? w + 7 : w);
}

static void check_fields(const mw_hdr_datetime *dt)
{
    int64_t secs;
    CHECK(dt->year >= MW_HDR_DATE_YEAR_MIN && dt->year <= MW_HDR_DATE_YEAR_MAX);
    CHECK(dt->month >= 1 && dt->month <= 12);
    CHECK(dt->day >= 1 && dt->day <= month_days(dt->year, dt->month));
    CHECK(dt->hour <= 23 && dt->minute <= 59 && dt->second <= 60);
    CHECK(dt->zone >= -MW_HDR_DATE_ZONE_MAX && dt->zone <= MW_HDR_DATE_ZONE_MAX);
    CHECK(dt->wday >= -1 && dt->wday <= 6);
    CHECK((dt->wday == -1) == ((dt->flags & MW_HDR_DATE_NO_WDAY) != 0));
    CHECK(((dt->flags & MW_HDR_DATE_LEAP_SECOND) != 0) == (dt->second == 60));
    if (dt->flags & MW_HDR_DATE_UNKNOWN_ZONE)
        CHECK(dt->zone == 0);
    secs = days_from_civil(dt->year, dt->month, dt->day) * 86400 +
           dt->hour * 3600 + dt->minute * 60 + dt->second -
           (int64_t)dt->zone * 60;
    CHECK(dt->epoch == secs);
}

static void check_format(const mw_hdr_datetime *dt)
{
    char buf[MW_HDR_DATE_LEN + 1], small[MW_HDR_DATE_LEN];
    size_t len = 0, i;
    mw_hdr_datetime back;
    mw_error err;
    unsigned keep = MW_HDR_DATE_UNKNOWN_ZONE | MW_HDR_DATE_LEAP_SECOND;
    int r;

    buf[MW_HDR_DATE_LEN] = '#';
    CHECK(mw_hdr_format_date(dt, buf, sizeof buf, &len) == MW_OK);
    CHECK(len == MW_HDR_DATE_LEN && buf[MW_HDR_DATE_LEN] == '#');
    memset(&back, 0, sizeof back);
    r = mw_hdr_parse_date(buf, len, &back, &err);
    if (r != MW_OK) {
        fprintf(stderr, "formatted date does not parse: %.*s (%s at %zu)\n",
                (int)len, buf, err.reason, err.offset);
        abort();
    }
    CHECK(back.year == dt->year && back.month == dt->month &&
          back.day == dt->day && back.hour == dt->hour &&
          back.minute == dt->minute && back.second == dt->second &&
          back.zone == dt->zone && back.epoch == dt->epoch);
    CHECK(back.wday == weekday(dt));
    CHECK(back.flags == (dt->flags & keep));

    /* Too small: nothing written, the size needed reported. */
    memset(small, '#', sizeof small);
    len = 0;
    CHECK(mw_hdr_format_date(dt, small, sizeof small - 1, &len) ==
          MW_E_NOSPACE);
    CHECK(len == MW_HDR_DATE_LEN);
    for (i = 0; i < sizeof small; i++)
        CHECK(small[i] == '#');
}

static void check_rfc3339(const mw_hdr_datetime *dt)
{
    char buf[MW_HDR_RFC3339_LEN + 1];
    size_t len = 0;
    int r;
    int ok_zone = dt->zone >= -1439 && dt->zone <= 1439;

    buf[MW_HDR_RFC3339_LEN] = '#';
    r = mw_hdr_format_rfc3339(dt, buf, MW_HDR_RFC3339_LEN, &len);
    if (!ok_zone) {
        CHECK(r == MW_E_INVAL);
        return;
    }
    CHECK(r == MW_OK);
    CHECK(len == MW_HDR_RFC3339_LEN && buf[MW_HDR_RFC3339_LEN] == '#');
    CHECK(buf[4] == '-' && buf[7] == '-' && buf[10] == 'T' && buf[13] == ':' &&
          buf[16] == ':' && (buf[19] == '+' || buf[19] == '-') &&
          buf[22] == ':');
    {
        unsigned y = (unsigned)(buf[0] - '0') * 1000u +
                     (unsigned)(buf[1] - '0') * 100u +
                     (unsigned)(buf[2] - '0') * 10u + (unsigned)(buf[3] - '0');
        unsigned zh = (unsigned)(buf[20] - '0') * 10u +
                      (unsigned)(buf[21] - '0');
        unsigned zm = (unsigned)(buf[23] - '0') * 10u +
                      (unsigned)(buf[24] - '0');
        int z = (int)(zh * 60u + zm);
        CHECK((int32_t)y == dt->year);
        if (buf[19] == '-')
            z = -z;
        CHECK(z == dt->zone);
        if (dt->flags & MW_HDR_DATE_UNKNOWN_ZONE)
            CHECK(buf[19] == '-');
        else if (dt->zone == 0)
            CHECK(buf[19] == '+');
    }
    CHECK(mw_hdr_format_rfc3339(dt, buf, MW_HDR_RFC3339_LEN - 1, &len) ==
          MW_E_NOSPACE);
    CHECK(len == MW_HDR_RFC3339_LEN);
}

static void check_from_epoch(const mw_hdr_datetime *dt)
{
    mw_hdr_datetime e;
    memset(&e, 0, sizeof e);
    CHECK(mw_hdr_datetime_from_epoch(dt->epoch, dt->zone, &e) == MW_OK ||
          dt->second == 60);
    if (dt->second == 60)
        return; /* the epoch names the next minute; may leave 9999 */
    CHECK(e.year == dt->year && e.month == dt->month && e.day == dt->day &&
          e.hour == dt->hour && e.minute == dt->minute &&
          e.second == dt->second && e.zone == dt->zone &&
          e.epoch == dt->epoch && e.flags == 0);
    CHECK(e.wday == weekday(dt));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *v = malloc(size ? size : 1);
    mw_hdr_datetime dt;
    mw_error err;
    int r;

    if (v == NULL)
        return 0;
    if (size)
        memcpy(v, data, size);
    memset(&dt, 0, sizeof dt);
    memset(&err, 0, sizeof err);
    r = mw_hdr_parse_date(v, size, &dt, &err);
    if (r != MW_OK) {
        CHECK(r == MW_E_SYNTAX || r == MW_E_DEPTH || r == MW_E_DATE);
        CHECK(err.code == r && err.offset <= size && err.reason != NULL);
        /* A NULL err is allowed and changes nothing. */
        CHECK(mw_hdr_parse_date(v, size, &dt, NULL) == r);
    }
    if (r == MW_OK || (r == MW_E_DATE && (dt.flags & MW_HDR_DATE_WDAY_MISMATCH))) {
        check_fields(&dt);
        if (r == MW_OK && dt.wday >= 0)
            CHECK(dt.wday == weekday(&dt));
        if (r == MW_E_DATE)
            CHECK(dt.wday >= 0 && dt.wday != weekday(&dt));
        check_format(&dt);
        check_rfc3339(&dt);
        check_from_epoch(&dt);
    }
    free(v);
    return 0;
}
