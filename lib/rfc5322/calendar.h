/* SPDX-License-Identifier: MIT */
/*
 * Proleptic Gregorian calendar arithmetic without <time.h>: the library has
 * no clock and must not depend on the C library's time zone state. Used by
 * the date parser (to compute epoch seconds and check the day of the week)
 * and by the header writer (to name the day of the week).
 */
#ifndef MW_RFC5322_CALENDAR_H
#define MW_RFC5322_CALENDAR_H

#include <stdint.h>

/* Days since 1970-01-01 of the date y-m-d (m 1..12, d 1..31); valid for any
 * year representable in int32_t. The era-based method: count 400-year eras
 * (146097 days each), then the year of the era with March as its first
 * month so that the leap day falls last. */
static inline int64_t mw__days_from_civil(int32_t y, unsigned m, unsigned d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;                                 /* 0..399 */
    int64_t mp = (int64_t)m + (m > 2 ? -3 : 9);                   /* 0..11 */
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;            /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* 0..146096 */
    return era * 146097 + doe - 719468;
}

/* The inverse of mw__days_from_civil. */
static inline void mw__civil_from_days(int64_t z, int32_t *y, unsigned *m,
                                       unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int32_t)(yoe + era * 400 + (mm <= 2));
    *m = (unsigned)mm;
    *d = (unsigned)dd;
}

/* Day of the week (0 = Sunday) of a day count from mw__days_from_civil;
 * 1970-01-01 was a Thursday. */
static inline unsigned mw__weekday(int64_t days)
{
    int64_t w = (days + 4) % 7;
    return (unsigned)(w < 0 ? w + 7 : w);
}

static inline int mw__is_leap(int32_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static inline unsigned mw__days_in_month(int32_t y, unsigned m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30,
                                          31, 31, 30, 31, 30, 31};
    return m == 2 ? 28u + (unsigned)mw__is_leap(y) : dim[(m - 1) % 12];
}

#endif
