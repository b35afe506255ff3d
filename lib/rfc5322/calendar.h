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

/* The dates here are those a date field can hold: years
 * MW_HDR_DATE_YEAR_MIN .. MW_HDR_DATE_YEAR_MAX (1900..9999), which every
 * caller checks first. Their day counts (and every intermediate value
 * below) fit in 32 bits, so the arithmetic is 32-bit: on a 32-bit target
 * it needs none of libgcc's 64-bit division. */

/* Days since 1970-01-01 of the date y-m-d (m 1..12, d 1..31). The
 * era-based method: count 400-year eras (146097 days each), then the year
 * of the era with March as its first month so that the leap day falls
 * last. */
static inline int32_t mw__days_from_civil(int32_t y, unsigned m, unsigned d)
{
    int32_t yy = y - (m <= 2);
    int32_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int32_t yoe = yy - era * 400;                                 /* 0..399 */
    int32_t mp = (int32_t)m + (m > 2 ? -3 : 9);                   /* 0..11 */
    int32_t doy = (153 * mp + 2) / 5 + (int32_t)d - 1;            /* 0..365 */
    int32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* 0..146096 */
    return era * 146097 + doe - 719468;
}

/* The inverse of mw__days_from_civil. */
static inline void mw__civil_from_days(int32_t z, int32_t *y, unsigned *m,
                                       unsigned *d)
{
    z += 719468;
    int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    int32_t doe = z - era * 146097;
    int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int32_t mp = (5 * doy + 2) / 153;
    int32_t dd = doy - (153 * mp + 2) / 5 + 1;
    int32_t mm = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (mm <= 2);
    *m = (unsigned)mm;
    *d = (unsigned)dd;
}

/* Day of the week (0 = Sunday) of a day count from mw__days_from_civil;
 * 1970-01-01 was a Thursday. */
static inline unsigned mw__weekday(int32_t days)
{
    int32_t w = (days + 4) % 7;
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
