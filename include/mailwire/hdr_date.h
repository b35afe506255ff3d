/* SPDX-License-Identifier: MIT */
/**
 * @file hdr_date.h
 * @brief RFC 5322 date-time: parsing a Date:, Resent-Date: or Received:
 *        date (§3.3, with the obsolete forms of §4.3), formatting one, and
 *        converting between calendar fields and epoch seconds.
 *
 * Everything here works without <time.h>: the library has no clock and no
 * time zone database. The calendar is the proleptic Gregorian one; epoch
 * seconds count from 1970-01-01T00:00:00Z and, like POSIX time, know no
 * leap seconds.
 *
 * Years are bounded to #MW_HDR_DATE_YEAR_MIN .. #MW_HDR_DATE_YEAR_MAX:
 * RFC 5322 §3.3 says the year is "any numeric year 1900 or later", and four
 * digits are enough for any real message while keeping every computation
 * far from overflow.
 */
#ifndef MAILWIRE_HDR_DATE_H
#define MAILWIRE_HDR_DATE_H

#include "core.h"
#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @name Flags of ::mw_hdr_datetime
 *  What the parser met on the way. None of them is an error by itself;
 *  the obsolete forms (RFC 5322 §4.3) MUST be accepted by a reader but MUST
 *  NOT be generated.
 *  @{ */
/** A two- or three-digit year (§4.3): 00-49 became 2000-2049, 50-99 and
 *  any three-digit year had 1900 added. */
#define MW_HDR_DATE_OBS_YEAR 0x0001u
/** The time had no seconds ("09:55"); `second` is 0. Not obsolete. */
#define MW_HDR_DATE_NO_SECONDS 0x0002u
/** An alphabetic zone (§4.3): UT, GMT, the US zones, a military letter, or
 *  another alphabetic name. */
#define MW_HDR_DATE_OBS_ZONE 0x0004u
/** The zone says nothing about local time: "-0000" (§3.3), a military letter
 *  other than Z, or an unknown alphabetic zone (§4.3 says to treat both as
 *  "-0000"). `zone` is 0 and `epoch` is computed as if it were UTC. */
#define MW_HDR_DATE_UNKNOWN_ZONE 0x0008u
/** No day of the week was given; `wday` is -1. Not obsolete. */
#define MW_HDR_DATE_NO_WDAY 0x0010u
/** At least one comment appeared in the value (a trailing comment such as
 *  "(UTC)" is current syntax; others are obsolete, see
 *  #MW_HDR_DATE_OBS_CFWS). */
#define MW_HDR_DATE_COMMENTS 0x0020u
/** White space or comments where only the obsolete syntax allows them:
 *  around ':' in the time, before the comma, a comment where §3.3 has only
 *  FWS, or missing white space that §3.3 requires ("21Nov97"). */
#define MW_HDR_DATE_OBS_CFWS 0x0040u
/** The day of the week does not match the date: mw_hdr_parse_date()
 *  returned #MW_E_DATE but filled every field (`wday` as written). */
#define MW_HDR_DATE_WDAY_MISMATCH 0x0080u
/** The second was 60 (a leap second, allowed by §3.3); `epoch` counts it as
 *  the first second of the next minute, as POSIX time does. */
#define MW_HDR_DATE_LEAP_SECOND 0x0100u
/** @} */

/** Smallest year mw_hdr_parse_date() and the formatters accept (§3.3). */
#define MW_HDR_DATE_YEAR_MIN 1900
/** Largest year mw_hdr_parse_date() and the formatters accept. */
#define MW_HDR_DATE_YEAR_MAX 9999
/** Largest zone offset in minutes: "+9959" (§3.3). */
#define MW_HDR_DATE_ZONE_MAX (99 * 60 + 59)

/** Length of mw_hdr_format_date() output: "Thu, 26 Nov 2026 05:16:19 +0000".
 *  Always exactly this many bytes (no NUL is written). */
#define MW_HDR_DATE_LEN 31
/** Length of mw_hdr_format_rfc3339() output: "2026-11-26T05:16:19+00:00".
 *  Always exactly this many bytes (no NUL is written). */
#define MW_HDR_RFC3339_LEN 25

/**
 * @brief A date-time: calendar fields as written plus the instant.
 *
 * Plain data: the caller may fill one by hand for the formatters.
 */
typedef struct mw_hdr_datetime {
    int32_t year;   /**< full year, 1900..9999 */
    uint8_t month;  /**< 1..12 */
    uint8_t day;    /**< 1..31 */
    uint8_t hour;   /**< 0..23 */
    uint8_t minute; /**< 0..59 */
    uint8_t second; /**< 0..60 (60: leap second) */
    int8_t wday;    /**< day of the week as written, 0 = Sunday .. 6, or -1
                       * when absent */
    int16_t zone;   /**< offset from UTC in minutes, east positive,
                       * -5999..5999 */
    unsigned flags; /**< MW_HDR_DATE_* */
    int64_t epoch;  /**< seconds since 1970-01-01T00:00:00Z, zone applied */
} mw_hdr_datetime;

/**
 * @brief Parse one complete date-time field value (RFC 5322 §3.3 and the
 *        obsolete syntax of §4.3).
 *
 * `value` is the field body after the colon, raw (with folding CRLFs) or
 * unfolded; CR and LF count as folding white space. Accepted: the current
 * syntax, plus every obsolete form (two- and three-digit years, alphabetic
 * zones, comments and white space between the tokens), each reported by a
 * flag. Names of days and months are case-insensitive. Anything else is an
 * error: no comma after the day name, a one-digit hour, a five-digit zone,
 * text after the date. The parser does not read past `len` and runs in one
 * pass (O(len)).
 *
 * Semantic checks (§3.3 "MUST be semantically valid") come after the
 * syntax, in this order: year (1900..9999), day of the month for that
 * month and year, hour (0..23), minute (0..59), second (0..60), the minutes
 * of the zone (00..59), and last the day of the week.
 *
 * @param value  the field value; need not be NUL-terminated; may contain
 *               any byte.
 * @param len    its length in bytes.
 * @param out    receives the result. On #MW_OK it is complete. On
 *               #MW_E_DATE with #MW_HDR_DATE_WDAY_MISMATCH set it is also
 *               complete (with `wday` as written), so a caller may choose to
 *               use it. After any other error its contents are unspecified.
 * @param err    optional (may be NULL): on error, receives the status, the
 *               byte offset into `value` of the offending token and a short
 *               reason.
 * @return #MW_OK;
 *         #MW_E_SYNTAX when the value is not a date-time (reasons such as
 *         "',' expected after the day of the week", "hour must be 2 digits",
 *         "unexpected text after the date", "comment is not closed");
 *         #MW_E_DEPTH when comments nest deeper than
 *         #MW_HDR_MAX_COMMENT_DEPTH;
 *         #MW_E_DATE when the syntax is right but the date does not exist
 *         ("year out of range", "day of month out of range", "hour out of
 *         range", "minute out of range", "second out of range", "zone out of
 *         range", "day of week does not match date").
 */
MW_API int mw_hdr_parse_date(const char *value, size_t len,
                             mw_hdr_datetime *out, mw_error *err);

/**
 * @brief Format a date-time in the RFC 5322 §3.3 form a message must carry,
 *        e.g. "Thu, 26 Nov 2026 05:16:19 +0000".
 *
 * Uses the calendar fields and `zone` of `dt` (not `epoch`). The day of the
 * week is computed from the date, never taken from `dt->wday`; the day of
 * the month always has two digits. A zone of 0 with
 * #MW_HDR_DATE_UNKNOWN_ZONE set is written "-0000" (§3.3: no information
 * about local time); other flags are ignored. No NUL is written.
 *
 * @param dt      the date-time; year 1900..9999, a day that exists in that
 *                month, hour 0..23, minute 0..59, second 0..60, zone
 *                -5999..5999.
 * @param out     where to write; may be NULL when `cap` is 0.
 * @param cap     capacity of `out` in bytes; #MW_HDR_DATE_LEN is enough.
 * @param outlen  optional: receives the bytes written, or on
 *                #MW_E_NOSPACE the bytes needed.
 * @return #MW_OK; #MW_E_INVAL when a field of `dt` is out of range (nothing
 *         written); #MW_E_NOSPACE when `cap` is smaller than
 *         #MW_HDR_DATE_LEN (nothing written).
 */
MW_API int mw_hdr_format_date(const mw_hdr_datetime *dt, char *out, size_t cap,
                              size_t *outlen);

/**
 * @brief Format a date-time as RFC 3339 (§5.6), e.g.
 *        "2026-11-26T05:16:19+00:00".
 *
 * Uses the calendar fields and `zone` of `dt`, like mw_hdr_format_date().
 * A zone of 0 with #MW_HDR_DATE_UNKNOWN_ZONE is written "-00:00" (RFC 3339
 * §4.3: offset unknown). A leap second is written as second 60, which
 * RFC 3339 allows. RFC 3339 offsets have an hour of 00..23, so a zone
 * beyond ±23:59 (which RFC 5322 allows) cannot be written; convert with
 * mw_hdr_datetime_from_epoch() first. No NUL is written.
 *
 * @param dt      the date-time (same ranges as mw_hdr_format_date(), and
 *                zone -1439..1439).
 * @param out     where to write; may be NULL when `cap` is 0.
 * @param cap     capacity of `out`; #MW_HDR_RFC3339_LEN is enough.
 * @param outlen  optional: receives the bytes written, or on
 *                #MW_E_NOSPACE the bytes needed.
 * @return #MW_OK; #MW_E_INVAL for a field out of range; #MW_E_NOSPACE when
 *         `cap` is smaller than #MW_HDR_RFC3339_LEN (nothing written).
 */
MW_API int mw_hdr_format_rfc3339(const mw_hdr_datetime *dt, char *out,
                                 size_t cap, size_t *outlen);

/**
 * @brief Fill a date-time from epoch seconds and a zone.
 *
 * The calendar fields are the local time at `zone_minutes` east of UTC;
 * `wday` is computed, `flags` is 0 and `epoch` is `epoch`. Use it to
 * produce a Date: field from a clock reading the application supplies.
 *
 * @param epoch         seconds since 1970-01-01T00:00:00Z.
 * @param zone_minutes  offset from UTC in minutes, -5999..5999.
 * @param out           receives the result (untouched on error).
 * @return #MW_OK; #MW_E_INVAL when `zone_minutes` is out of range;
 *         #MW_E_OVERFLOW when the local time falls outside the years
 *         1900..9999.
 */
MW_API int mw_hdr_datetime_from_epoch(int64_t epoch, int zone_minutes,
                                      mw_hdr_datetime *out);

#ifdef __cplusplus
}
#endif

#endif /* MAILWIRE_HDR_DATE_H */
