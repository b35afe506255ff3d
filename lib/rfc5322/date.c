/* SPDX-License-Identifier: MIT */
/*
 * RFC 5322 date-time (§3.3 and the obsolete forms of §4.3): the parser for
 * Date:, Resent-Date: and the date after a Received: field's last ';', the
 * §3.3 formatter the header writer uses, RFC 3339 output, and the
 * conversion from epoch seconds. Calendar arithmetic comes from
 * calendar.h; nothing here touches <time.h> or the C library's locale.
 *
 * The parser is a single left-to-right pass over the grammar
 *
 *   date-time = [ day-of-week "," ] date time [CFWS]
 *
 * with CFWS allowed between every pair of tokens (the obsolete grammar puts
 * [CFWS] around each of day-name, day, year, hour, minute and second). At
 * each gap it notes whether the current grammar would have allowed what
 * was there, so that obsolete input is accepted and flagged, not guessed.
 */
#include "mailwire/hdr_date.h"

#include "calendar.h"
#include "lex.h"

static const char wday_names[7][4] = {"Sun", "Mon", "Tue", "Wed",
                                      "Thu", "Fri", "Sat"};
static const char month_names[12][4] = {"Jan", "Feb", "Mar", "Apr",
                                        "May", "Jun", "Jul", "Aug",
                                        "Sep", "Oct", "Nov", "Dec"};

/* What the current syntax (§3.3) allows in a gap between two tokens; the
 * obsolete syntax (§4.3) allows CFWS or nothing in all of them. */
enum gap_kind {
    GAP_NONE, /* nothing: around ':' and before the comma */
    GAP_OPT,  /* [FWS]: before the day name and before the day */
    GAP_REQ,  /* FWS: after the day and after the month */
    GAP_CFWS  /* [CFWS]: after the zone */
};

typedef struct dparse {
    mw__lex lx;
    unsigned flags;
    int any;     /* the last gap was not empty */
    int comment; /* the last gap held a comment */
} dparse;

static int is_alpha(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_fws_byte(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Length of the run of bytes of character class cls (MW__C_DIGIT or
 * MW__C_ALPHA: ASCII digits, ASCII letters) at the lexer's position. */
static size_t run_of(const mw__lex *lx, unsigned cls)
{
    const char *p = lx->p;
    while (p < lx->end && mw__is((unsigned char)*p, cls))
        p++;
    return (size_t)(p - lx->p);
}

/* Index of a three-letter name in a table, case-insensitively; -1 if it
 * is not there or the run is not three letters long. */
static int lookup3(const char *p, size_t n, const char (*table)[4], int count)
{
    int i;
    if (n != 3)
        return -1;
    for (i = 0; i < count; i++) {
        if (mw__lower((unsigned char)p[0]) == mw__lower((unsigned char)table[i][0]) &&
            mw__lower((unsigned char)p[1]) == (unsigned char)table[i][1] &&
            mw__lower((unsigned char)p[2]) == (unsigned char)table[i][2])
            return i;
    }
    return -1;
}

/* 2 digits as a number; the caller checked they are digits. */
static unsigned two(const char *p)
{
    return (unsigned)(p[0] - '0') * 10u + (unsigned)(p[1] - '0');
}

static int lex_fail(const dparse *d, mw_error *err)
{
    return mw__fail(err, d->lx.err, d->lx.err_off, d->lx.err_reason);
}

static int syntax_(const dparse *d, const char *at, const char *reason,
                   mw_error *err)
{
    return mw__fail_(err, MW_E_SYNTAX, (size_t)(at - d->lx.base), reason);
}
#define syntax(d, at, reason, err) syntax_((d), (at), MW__TEXT(reason), (err))

/* hour, minute and second (RFC 5322 §3.3) are exactly two digits: read one
 * at the lexer's position into *out and step past it. */
static int two_digits_(dparse *d, const char *missing, const char *not_two,
                       unsigned *out, mw_error *err)
{
    const char *at = d->lx.p;
    size_t n = run_of(&d->lx, MW__C_DIGIT);
    if (n == 0)
        return syntax_(d, at, missing, err);
    if (n != 2)
        return syntax_(d, at, not_two, err);
    *out = two(at);
    d->lx.p += 2;
    return MW_OK;
}
#define two_digits(d, missing, not_two, out, err)                             \
    two_digits_((d), MW__TEXT(missing), MW__TEXT(not_two), (out), (err))

/* Skip the CFWS between two tokens and flag what the current syntax would
 * not have allowed there: the general case of gap(). */
static int gap_cfws(dparse *d, enum gap_kind kind)
{
    const char *s = d->lx.p;
    unsigned before = d->lx.flags;
    int rc;

    d->lx.flags &= ~MW__LEX_COMMENT;
    rc = mw__lex_cfws(&d->lx);
    d->comment = (d->lx.flags & MW__LEX_COMMENT) != 0;
    d->lx.flags |= before;
    d->any = d->lx.p != s;
    if (rc != MW_OK)
        return rc;
    if (d->comment)
        d->flags |= MW_HDR_DATE_COMMENTS;
    switch (kind) {
    case GAP_NONE:
        if (d->any)
            d->flags |= MW_HDR_DATE_OBS_CFWS;
        break;
    case GAP_OPT:
        if (d->comment)
            d->flags |= MW_HDR_DATE_OBS_CFWS;
        break;
    case GAP_REQ:
        if (!d->any || d->comment)
            d->flags |= MW_HDR_DATE_OBS_CFWS;
        break;
    case GAP_CFWS:
        break;
    }
    return MW_OK;
}

/* The gap between two tokens. Nearly every one is empty or a single space
 * before the next token: those are settled here, inline and without the
 * lexer. Holding no comment, they can only be obsolete by their length:
 * white space where none is allowed, or none where FWS is required. */
static inline int gap(dparse *d, enum gap_kind kind)
{
    const char *s = d->lx.p, *end = d->lx.end;
    int any;

    if (s == end || !(mw__lex_scan[(unsigned char)*s] & MW__S_CFWS))
        any = 0;
    else if (*s == ' ' &&
             (end - s == 1 || !(mw__lex_scan[(unsigned char)s[1]] & MW__S_CFWS)))
        any = 1;
    else
        return gap_cfws(d, kind);
    d->lx.p = s + any;
    d->any = any;
    d->comment = 0;
    if ((kind == GAP_NONE && any) || (kind == GAP_REQ && !any))
        d->flags |= MW_HDR_DATE_OBS_CFWS;
    return MW_OK;
}

/* The obsolete alphabetic zones of §4.3. Military letters other than Z
 * carry no information: RFC 822 gave them with the wrong sign (RFC 1123
 * §5.2.14), so §4.3 says to read them as "-0000". Z was +0000 under either
 * sign, and unknown multi-letter names are "-0000" too. */
static int alpha_zone(const char *p, size_t n, int *zone, unsigned *flags)
{
    static const struct {
        char name[4];
        short minutes;
    } named[] = {{"UT", 0},       {"GMT", 0},      {"EST", -5 * 60},
                 {"EDT", -4 * 60}, {"CST", -6 * 60}, {"CDT", -5 * 60},
                 {"MST", -7 * 60}, {"MDT", -6 * 60}, {"PST", -8 * 60},
                 {"PDT", -7 * 60}};
    size_t i;

    *flags |= MW_HDR_DATE_OBS_ZONE;
    *zone = 0;
    if (n == 1) {
        unsigned char c = mw__lower((unsigned char)p[0]);
        if (c == 'j')
            return -1; /* J was never a zone (§4.3 skips %d74 and %d106) */
        if (c != 'z')
            *flags |= MW_HDR_DATE_UNKNOWN_ZONE;
        return 0;
    }
    for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        if (mw__span_ieq(mw__span(p, n), named[i].name)) {
            *zone = named[i].minutes;
            return 0;
        }
    }
    if (n > 5)
        return -2;
    *flags |= MW_HDR_DATE_UNKNOWN_ZONE;
    return 0;
}

int mw_hdr_parse_date(const char *value, size_t len, mw_hdr_datetime *out,
                      mw_error *err)
{
    dparse d;
    const char *tok, *wday_at = NULL, *day_at, *year_at, *hour_at, *min_at;
    const char *sec_at = NULL, *zone_at;
    size_t n;
    int rc, wday = -1, month, zone = 0, year_ok = 1;
    unsigned day, hour, minute, second = 0, zone_min = 0;
    uint32_t year = 0;
    int32_t days;

    memset(out, 0, sizeof(*out));
    out->wday = -1;
    if (value == NULL)
        value = ""; /* an empty span may have a NULL pointer (core.h) */
    mw__lex_init(&d.lx, value, len);
    d.flags = 0;
    d.any = d.comment = 0;

    /* [ day-of-week "," ] */
    if (gap(&d, GAP_OPT) != MW_OK)
        return lex_fail(&d, err);
    if (is_alpha(mw__lex_peek(&d.lx))) {
        tok = d.lx.p;
        n = run_of(&d.lx, MW__C_ALPHA);
        wday = lookup3(tok, n, wday_names, 7);
        if (wday < 0)
            return syntax(&d, tok, "day of the week expected", err);
        wday_at = tok;
        d.lx.p += n;
        if (gap(&d, GAP_NONE) != MW_OK)
            return lex_fail(&d, err);
        if (mw__lex_peek(&d.lx) != ',')
            return syntax(&d, d.lx.p, "',' expected after the day of the week", err);
        d.lx.p++;
        if (gap(&d, GAP_OPT) != MW_OK)
            return lex_fail(&d, err);
    } else {
        d.flags |= MW_HDR_DATE_NO_WDAY;
    }

    /* day = ([FWS] 1*2DIGIT FWS) / obs-day */
    day_at = d.lx.p;
    n = run_of(&d.lx, MW__C_DIGIT);
    if (n == 0)
        return syntax(&d, day_at, "day of the month expected", err);
    if (n > 2)
        return syntax(&d, day_at, "day of the month has more than 2 digits", err);
    day = n == 1 ? (unsigned)(day_at[0] - '0') : two(day_at);
    d.lx.p += n;
    if (gap(&d, GAP_REQ) != MW_OK)
        return lex_fail(&d, err);

    /* month */
    tok = d.lx.p;
    n = run_of(&d.lx, MW__C_ALPHA);
    month = lookup3(tok, n, month_names, 12);
    if (month < 0)
        return syntax(&d, tok, "month name expected", err);
    d.lx.p += n;
    if (gap(&d, GAP_REQ) != MW_OK)
        return lex_fail(&d, err);

    /* year = (FWS 4*DIGIT FWS) / obs-year; obs-year = [CFWS] 2*DIGIT [CFWS] */
    year_at = d.lx.p;
    n = run_of(&d.lx, MW__C_DIGIT);
    if (n == 0)
        return syntax(&d, year_at, "year expected", err);
    if (n == 1)
        return syntax(&d, year_at, "year has only 1 digit", err);
    if (n < 4) {
        /* §4.3: 00-49 -> 2000-2049, 50-99 and any 3-digit year -> +1900 */
        year = n == 2 ? two(year_at) : two(year_at) * 10u + (unsigned)(year_at[2] - '0');
        year += (n == 2 && year < 50) ? 2000u : 1900u;
        d.flags |= MW_HDR_DATE_OBS_YEAR;
    } else if (n == 4) {
        year = two(year_at) * 100u + two(year_at + 2); /* never > 9999 */
    } else if (mw__parse_u32(year_at, n, MW_HDR_DATE_YEAR_MAX, &year) != MW_OK) {
        year_ok = 0; /* more than 9999: reported after the syntax */
    }
    d.lx.p += n;
    if (gap(&d, GAP_REQ) != MW_OK)
        return lex_fail(&d, err);

    /* time-of-day = hour ":" minute [ ":" second ] */
    hour_at = d.lx.p;
    if ((rc = two_digits(&d, "hour expected", "hour must be 2 digits", &hour, err)) != MW_OK)
        return rc;
    if (gap(&d, GAP_NONE) != MW_OK)
        return lex_fail(&d, err);
    if (mw__lex_peek(&d.lx) != ':')
        return syntax(&d, d.lx.p, "':' expected after the hour", err);
    d.lx.p++;
    if (gap(&d, GAP_NONE) != MW_OK)
        return lex_fail(&d, err);
    min_at = d.lx.p;
    if ((rc = two_digits(&d, "minute expected", "minute must be 2 digits", &minute,
                         err)) != MW_OK)
        return rc;
    /* Whether this gap was obsolete depends on what follows: nothing is
     * allowed before ':', FWS before a numeric zone. */
    if (gap(&d, GAP_CFWS) != MW_OK)
        return lex_fail(&d, err);
    if (mw__lex_peek(&d.lx) == ':') {
        if (d.any)
            d.flags |= MW_HDR_DATE_OBS_CFWS;
        d.lx.p++;
        if (gap(&d, GAP_NONE) != MW_OK)
            return lex_fail(&d, err);
        sec_at = d.lx.p;
        if ((rc = two_digits(&d, "second expected", "second must be 2 digits", &second,
                             err)) != MW_OK)
            return rc;
        if (gap(&d, GAP_CFWS) != MW_OK)
            return lex_fail(&d, err);
    } else {
        d.flags |= MW_HDR_DATE_NO_SECONDS;
    }

    /* zone = (FWS ( "+" / "-" ) 4DIGIT) / obs-zone */
    zone_at = d.lx.p;
    if (mw__lex_peek(&d.lx) == '+' || mw__lex_peek(&d.lx) == '-') {
        /* FWS must come right before the sign, in both grammars: the CFWS
         * of obs-second ends before the zone's own FWS. */
        if (!d.any || !is_fws_byte(zone_at[-1]))
            return syntax(&d, zone_at, "white space expected before the zone", err);
        if (d.comment)
            d.flags |= MW_HDR_DATE_OBS_CFWS;
        d.lx.p++;
        n = run_of(&d.lx, MW__C_DIGIT);
        if (n != 4)
            return syntax(&d, zone_at, "zone must be a sign and 4 digits", err);
        zone_min = two(zone_at + 3);
        zone = (int)(two(zone_at + 1) * 60u + zone_min);
        if (*zone_at == '-') {
            if (zone == 0)
                d.flags |= MW_HDR_DATE_UNKNOWN_ZONE;
            zone = -zone;
        }
        d.lx.p += 4;
    } else if (is_alpha(mw__lex_peek(&d.lx))) {
        n = run_of(&d.lx, MW__C_ALPHA);
        rc = alpha_zone(zone_at, n, &zone, &d.flags);
        if (rc == -1)
            return syntax(&d, zone_at, "'J' is not a zone", err);
        if (rc == -2)
            return syntax(&d, zone_at, "zone name longer than 5 letters", err);
        d.lx.p += n;
    } else if (mw__lex_eof(&d.lx)) {
        return syntax(&d, zone_at, "date ends before the zone", err);
    } else {
        return syntax(&d, zone_at, "zone expected", err);
    }

    if (gap(&d, GAP_CFWS) != MW_OK)
        return lex_fail(&d, err);
    if (!mw__lex_eof(&d.lx))
        return syntax(&d, d.lx.p, "unexpected text after the date", err);

    out->year = (int32_t)year;
    out->month = (uint8_t)(month + 1);
    out->day = (uint8_t)day;
    out->hour = (uint8_t)hour;
    out->minute = (uint8_t)minute;
    out->second = (uint8_t)second;
    out->wday = (int8_t)wday;
    out->zone = (int16_t)zone;
    out->flags = d.flags;

    /* §3.3: "A date-time specification MUST be semantically valid." */
    if (!year_ok || year < MW_HDR_DATE_YEAR_MIN)
        return mw__fail(err, MW_E_DATE, (size_t)(year_at - value), "year out of range");
    if (day < 1 || day > mw__days_in_month((int32_t)year, (unsigned)month + 1))
        return mw__fail(err, MW_E_DATE, (size_t)(day_at - value),
                        "day of month out of range");
    if (hour > 23)
        return mw__fail(err, MW_E_DATE, (size_t)(hour_at - value), "hour out of range");
    if (minute > 59)
        return mw__fail(err, MW_E_DATE, (size_t)(min_at - value), "minute out of range");
    if (second > 60)
        return mw__fail(err, MW_E_DATE, (size_t)(sec_at - value), "second out of range");
    if (second == 60)
        out->flags |= MW_HDR_DATE_LEAP_SECOND;
    if (zone_min > 59)
        return mw__fail(err, MW_E_DATE, (size_t)(zone_at - value), "zone out of range");

    days = mw__days_from_civil((int32_t)year, (unsigned)month + 1, day);
    out->epoch = (int64_t)days * 86400 + (int64_t)hour * 3600 + (int64_t)minute * 60 +
                 (int64_t)second - (int64_t)zone * 60;
    if (wday >= 0 && (unsigned)wday != mw__weekday(days)) {
        out->flags |= MW_HDR_DATE_WDAY_MISMATCH;
        return mw__fail(err, MW_E_DATE, (size_t)(wday_at - value),
                        "day of week does not match date");
    }
    return MW_OK;
}

/* ---- output ---- */

static int fields_valid(const mw_hdr_datetime *dt)
{
    return dt->year >= MW_HDR_DATE_YEAR_MIN && dt->year <= MW_HDR_DATE_YEAR_MAX &&
           dt->month >= 1 && dt->month <= 12 && dt->day >= 1 &&
           dt->day <= mw__days_in_month(dt->year, dt->month) && dt->hour <= 23 &&
           dt->minute <= 59 && dt->second <= 60 && dt->zone >= -MW_HDR_DATE_ZONE_MAX &&
           dt->zone <= MW_HDR_DATE_ZONE_MAX;
}

static char *put2(char *p, unsigned v)
{
    *p++ = (char)('0' + v / 10 % 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

static char *put4(char *p, unsigned v)
{
    p = put2(p, v / 100);
    return put2(p, v % 100);
}

static char zone_sign(const mw_hdr_datetime *dt)
{
    if (dt->zone < 0 || (dt->zone == 0 && (dt->flags & MW_HDR_DATE_UNKNOWN_ZONE)))
        return '-';
    return '+';
}

static int room(size_t need, size_t cap, size_t *outlen)
{
    if (outlen != NULL)
        *outlen = need;
    return cap < need ? MW_E_NOSPACE : MW_OK;
}

int mw_hdr_format_date(const mw_hdr_datetime *dt, char *out, size_t cap,
                       size_t *outlen)
{
    char *p = out;
    unsigned z;
    int rc;

    if (outlen != NULL)
        *outlen = 0;
    if (!fields_valid(dt))
        return MW_E_INVAL;
    if ((rc = room(MW_HDR_DATE_LEN, cap, outlen)) != MW_OK)
        return rc;
    z = (unsigned)(dt->zone < 0 ? -dt->zone : dt->zone);
    memcpy(p, wday_names[mw__weekday(mw__days_from_civil(dt->year, dt->month, dt->day))], 3);
    p += 3;
    *p++ = ',';
    *p++ = ' ';
    p = put2(p, dt->day);
    *p++ = ' ';
    memcpy(p, month_names[dt->month - 1], 3);
    p += 3;
    *p++ = ' ';
    p = put4(p, (unsigned)dt->year);
    *p++ = ' ';
    p = put2(p, dt->hour);
    *p++ = ':';
    p = put2(p, dt->minute);
    *p++ = ':';
    p = put2(p, dt->second);
    *p++ = ' ';
    *p++ = zone_sign(dt);
    p = put2(p, z / 60);
    put2(p, z % 60);
    return MW_OK;
}

int mw_hdr_format_rfc3339(const mw_hdr_datetime *dt, char *out, size_t cap,
                          size_t *outlen)
{
    char *p = out;
    unsigned z;
    int rc;

    if (outlen != NULL)
        *outlen = 0;
    /* RFC 3339 §5.6: time-numoffset = ("+" / "-") time-hour ":" time-minute,
     * with time-hour 00-23. */
    if (!fields_valid(dt) || dt->zone < -(23 * 60 + 59) || dt->zone > 23 * 60 + 59)
        return MW_E_INVAL;
    if ((rc = room(MW_HDR_RFC3339_LEN, cap, outlen)) != MW_OK)
        return rc;
    z = (unsigned)(dt->zone < 0 ? -dt->zone : dt->zone);
    p = put4(p, (unsigned)dt->year);
    *p++ = '-';
    p = put2(p, dt->month);
    *p++ = '-';
    p = put2(p, dt->day);
    *p++ = 'T';
    p = put2(p, dt->hour);
    *p++ = ':';
    p = put2(p, dt->minute);
    *p++ = ':';
    p = put2(p, dt->second);
    *p++ = zone_sign(dt);
    p = put2(p, z / 60);
    *p++ = ':';
    put2(p, z % 60);
    return MW_OK;
}

/* The instants at the ends of the year range, in UTC; the zone can move the
 * local time up to 99:59 further either way. */
#define EPOCH_MIN (-2208988800LL)   /* 1900-01-01T00:00:00Z */
#define EPOCH_MAX 253402300799LL    /* 9999-12-31T23:59:59Z */

int mw_hdr_datetime_from_epoch(int64_t epoch, int zone_minutes,
                               mw_hdr_datetime *out)
{
    int64_t local;
    int32_t days, secs;
    uint32_t q;
    int32_t y;
    unsigned m, d;

    if (zone_minutes < -MW_HDR_DATE_ZONE_MAX || zone_minutes > MW_HDR_DATE_ZONE_MAX)
        return MW_E_INVAL;
    /* Check before adding, so that no extreme epoch can overflow. */
    if (epoch < EPOCH_MIN - (int64_t)MW_HDR_DATE_ZONE_MAX * 60 ||
        epoch > EPOCH_MAX + (int64_t)MW_HDR_DATE_ZONE_MAX * 60)
        return MW_E_OVERFLOW;
    local = epoch + (int64_t)zone_minutes * 60;
    if (local < EPOCH_MIN || local > EPOCH_MAX)
        return MW_E_OVERFLOW;
    /* Floor division by 86400 without a 64-bit division: counted from
     * EPOCH_MIN (a whole day, -25567 days) local is 0 .. < 2^38, so
     * local >> 7 fits 32 bits and 86400 = 128 * 675 finishes it. */
    q = (uint32_t)((uint64_t)(local - EPOCH_MIN) >> 7) / 675u;
    secs = (int32_t)((uint64_t)(local - EPOCH_MIN) - (uint64_t)q * 86400u);
    days = (int32_t)q + (int32_t)(EPOCH_MIN / 86400);
    mw__civil_from_days(days, &y, &m, &d);
    memset(out, 0, sizeof(*out));
    out->year = y;
    out->month = (uint8_t)m;
    out->day = (uint8_t)d;
    out->hour = (uint8_t)(secs / 3600);
    out->minute = (uint8_t)(secs / 60 % 60);
    out->second = (uint8_t)(secs % 60);
    out->wday = (int8_t)mw__weekday(days);
    out->zone = (int16_t)zone_minutes;
    out->flags = 0;
    out->epoch = epoch;
    return MW_OK;
}
