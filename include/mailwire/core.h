/* SPDX-License-Identifier: MIT */
/**
 * @file core.h
 * @brief What every mailwire module shares: the export macro, status codes,
 *        spans, error details and the version query.
 *
 * Conventions used by every public function in mailwire:
 *
 * - A function that can fail returns an `int` status: #MW_OK (0) or another
 *   non-negative value (#MW_PAUSED, #MW_DONE) on success, a negative
 *   `MW_E_*` code on failure. mw_strerror() names any of them.
 * - Statuses from -1 to -99 are recoverable: the object that reported one is
 *   still usable. Statuses at -100 and below are fatal for that object
 *   (mw_is_fatal()); it must be re-initialised.
 * - Text is passed as ::mw_span (pointer and length), never NUL-terminated
 *   unless a parameter says so. A span handed to a callback points into the
 *   caller's input or into a buffer the caller gave the library; it is valid
 *   only until the callback returns, unless the function says otherwise.
 * - Nothing in mailwire allocates memory, reads a clock, or does I/O.
 */
#ifndef MAILWIRE_CORE_H
#define MAILWIRE_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "version.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * MW_API marks exported functions. The build defines MW_BUILDING_SHARED when
 * it compiles the shared library; a program that links the static library on
 * Windows defines MW_STATIC. Everything not marked is hidden.
 */
#if defined(MW_STATIC) && defined(MW_BUILDING_SHARED)
#error "MW_STATIC and MW_BUILDING_SHARED contradict each other"
#endif
#if defined(_WIN32) || defined(__CYGWIN__)
#if defined(MW_BUILDING_SHARED)
#define MW_API __declspec(dllexport)
#elif defined(MW_STATIC)
#define MW_API
#else
#define MW_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#define MW_API __attribute__((visibility("default")))
#else
#define MW_API
#endif

/**
 * The one list of status codes: X(name, value, message).
 *
 * Values are part of the ABI: they never change and are never reused.
 * Non-negative values are successes; -1..-99 are recoverable errors;
 * -100 and below are fatal for the object that returned them.
 */
#define MW_STATUS_LIST(X)                                                     \
    X(MW_OK, 0, "success")                                                    \
    X(MW_PAUSED, 1, "stopped early: paused by a callback or awaiting a reply")\
    X(MW_DONE, 2, "finished: the input after this point is not for this parser")\
    X(MW_E_SYNTAX, -1, "syntax error")                                        \
    X(MW_E_TOO_LONG, -2, "line or item too long")                             \
    X(MW_E_SEQUENCE, -3, "bad sequence of commands")                          \
    X(MW_E_LIMIT, -4, "configured limit exceeded")                            \
    X(MW_E_STATE, -5, "not valid in the current state")                       \
    X(MW_E_INVAL, -6, "invalid argument")                                     \
    X(MW_E_NOSPACE, -7, "output buffer too small")                            \
    X(MW_E_BARE_LF, -8, "bare LF where CRLF is required")                     \
    X(MW_E_BARE_CR, -9, "bare CR where CRLF is required")                     \
    X(MW_E_NUL, -10, "NUL byte in input")                                     \
    X(MW_E_OVERFLOW, -11, "number out of range")                              \
    X(MW_E_BASE64, -12, "invalid base64")                                     \
    X(MW_E_UTF8, -13, "invalid UTF-8")                                        \
    X(MW_E_DEPTH, -14, "nesting too deep")                                    \
    X(MW_E_INCOMPLETE, -15, "input ended before the item was complete")       \
    X(MW_E_CHARSET, -16, "unsupported charset")                               \
    X(MW_E_LINE_TOO_LONG, -17, "line longer than the line limit")             \
    X(MW_E_FIELD_TOO_LONG, -18, "header field longer than the field limit")   \
    X(MW_E_TOO_MANY_FIELDS, -19, "more header fields than the field limit")   \
    X(MW_E_HEADER_TOO_LONG, -20, "header block longer than the header limit") \
    X(MW_E_ENCODED_WORD, -21, "malformed RFC 2047 encoded word")              \
    X(MW_E_DATE, -22, "date is not valid")                                    \
    X(MW_E_NOT_FOUND, -23, "no such item")                                    \
    X(MW_E_CALLBACK, -100, "a callback aborted the operation")                \
    X(MW_E_CLOSED, -101, "closed: no more input is accepted")                 \
    X(MW_E_INTERNAL, -102, "internal error")

/** Status codes returned by mailwire functions (see ::MW_STATUS_LIST). */
typedef enum mw_status {
#define MW_STATUS_ENUM_(name, value, msg) name = value,
    MW_STATUS_LIST(MW_STATUS_ENUM_)
#undef MW_STATUS_ENUM_
    MW_STATUS_ENUM_END_ = -32767 /* keeps the enum int-sized; never returned */
} mw_status;

/**
 * @brief A run of bytes: pointer and length. Not NUL-terminated.
 *
 * An empty span has `len == 0`; its `ptr` may be NULL. Spans may contain any
 * byte, including NUL, CR and LF, where a function says a value is raw or
 * decoded; callers must not treat them as C strings.
 */
typedef struct mw_span {
    const char *ptr; /**< first byte */
    size_t len;      /**< number of bytes */
} mw_span;

/**
 * @brief Details of a parse error, filled by functions that take one.
 *
 * `reason` points to a static string (never freed, always valid);
 * `offset` counts bytes from the start of the input the function was given
 * (for streaming parsers: from the first byte ever fed).
 */
typedef struct mw_error {
    int code;           /**< the status, as returned */
    size_t offset;      /**< byte offset of the problem */
    const char *reason; /**< short, specific description in English */
} mw_error;

/**
 * @brief Name a status code.
 * @param status any value; unknown values are allowed.
 * @return a static, NUL-terminated English message, "unknown status" for a
 *         value not in ::MW_STATUS_LIST. Never NULL.
 */
MW_API const char *mw_strerror(int status);

/**
 * @brief The identifier of a status code, such as "MW_E_SYNTAX".
 * @return a static string, "MW_E_UNKNOWN" for an unknown value. Never NULL.
 */
MW_API const char *mw_status_name(int status);

/**
 * @brief Whether a status is fatal for the object that returned it.
 * @return 1 for statuses of -100 and below, 0 otherwise.
 */
MW_API int mw_is_fatal(int status);

/**
 * @brief The version of the library linked at run time.
 * @return MW_VERSION_NUM of the library as built (0xMMmmpp).
 */
MW_API unsigned long mw_version(void);

/**
 * @brief The version of the library linked at run time, as a string.
 * @return a static string "MAJOR.MINOR.PATCH". Never NULL.
 */
MW_API const char *mw_version_string(void);

/**
 * @brief Policy for a bare LF or a bare CR where a protocol requires CRLF.
 *
 * Used by every line-oriented reader in mailwire. The default everywhere is
 * #MW_NEWLINE_REJECT. Anything else weakens the defence against SMTP
 * smuggling and command injection (field-notes §4.2) and exists for peers
 * known to send bare line ends.
 */
typedef enum mw_newline_policy {
    /** A bare LF ends the line but the line is reported as an error
     *  (#MW_E_BARE_LF); a bare CR inside a line makes that line an error
     *  (#MW_E_BARE_CR). Nothing is silently accepted. */
    MW_NEWLINE_REJECT = 0,
    /** A bare LF ends the line like CRLF; a bare CR also ends it. Both are
     *  flagged on the line, not reported as errors. Lenient. */
    MW_NEWLINE_ACCEPT = 1,
    /** Only CRLF ends a line; a bare CR or LF is ordinary line content.
     *  Lenient (and the only policy under which the content can carry
     *  them). */
    MW_NEWLINE_PASS = 2
} mw_newline_policy;

#ifdef __cplusplus
}
#endif

#endif /* MAILWIRE_CORE_H */
