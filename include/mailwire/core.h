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

/**
 * @def MW_API
 * @brief Marks a function exported from the shared library.
 *
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
 * @brief Status codes returned by mailwire functions.
 *
 * Values are part of the ABI: they never change and are never reused.
 * Non-negative values are successes; -1..-99 are recoverable errors (the
 * object that returned one stays usable); -100 and below are fatal for the
 * object that returned them (mw_is_fatal()). mw_strerror() gives each one's
 * message (the text after each value below), mw_status_name() its name.
 * lib/core/status.c keeps both in tables whose sizes it checks against
 * this list at compile time.
 *
 * #MW_E_UNSUPPORTED is what a public function returns when the feature it
 * belongs to was switched off when the library was built
 * (MW_ENABLE_SASL_OAUTH, ... in features.h): the symbol stays, so every
 * build exports the same functions, but it does nothing else.
 */
typedef enum mw_status {
    MW_OK = 0, /**< success */
    MW_PAUSED = 1, /**< stopped early: paused by a callback or awaiting a reply */
    MW_DONE = 2, /**< finished: the input after this point is not for this parser */
    MW_E_SYNTAX = -1, /**< syntax error */
    MW_E_TOO_LONG = -2, /**< line or item too long */
    MW_E_SEQUENCE = -3, /**< bad sequence of commands */
    MW_E_LIMIT = -4, /**< configured limit exceeded */
    MW_E_STATE = -5, /**< not valid in the current state */
    MW_E_INVAL = -6, /**< invalid argument */
    MW_E_NOSPACE = -7, /**< output buffer too small */
    MW_E_BARE_LF = -8, /**< bare LF where CRLF is required */
    MW_E_BARE_CR = -9, /**< bare CR where CRLF is required */
    MW_E_NUL = -10, /**< NUL byte in input */
    MW_E_OVERFLOW = -11, /**< number out of range */
    MW_E_BASE64 = -12, /**< invalid base64 */
    MW_E_UTF8 = -13, /**< invalid UTF-8 */
    MW_E_DEPTH = -14, /**< nesting too deep */
    MW_E_INCOMPLETE = -15, /**< input ended before the item was complete */
    MW_E_CHARSET = -16, /**< unsupported charset */
    MW_E_LINE_TOO_LONG = -17, /**< line longer than the line limit */
    MW_E_FIELD_TOO_LONG = -18, /**< header field longer than the field limit */
    MW_E_TOO_MANY_FIELDS = -19, /**< more header fields than the field limit */
    MW_E_HEADER_TOO_LONG = -20, /**< header block longer than the header limit */
    MW_E_ENCODED_WORD = -21, /**< malformed RFC 2047 encoded word */
    MW_E_DATE = -22, /**< date is not valid */
    MW_E_NOT_FOUND = -23, /**< no such item */
    MW_E_AUTH = -24, /**< authentication failed */
    MW_E_TLS_LEFTOVER = -25, /**< bytes received behind STARTTLS/STLS were discarded, never parsed */
    MW_E_CANCELLED = -26, /**< the peer cancelled the exchange (SASL "*") */
    MW_E_LITERAL = -27, /**< literal refused: larger than the limit, or not allowed here */
    MW_E_UNSUPPORTED = -28, /**< feature compiled out */
    /* fatal codes: -100 and below */
    MW_E_CALLBACK = -100, /**< a callback aborted the operation */
    MW_E_CLOSED = -101, /**< closed: no more input is accepted */
    MW_E_INTERNAL = -102, /**< internal error */
    MW_E_INJECTION = -103, /**< bytes arrived past the TLS switch point (response injection) */
    MW_STATUS_ENUM_END_ = -32767 /**< @private keeps the enum int-sized; never returned */
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
 * `reason` points to a static string (never freed, always valid, never
 * NULL; "" in a build without error texts, MW_ENABLE_ERROR_TEXT 0);
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
 *         value that is not a ::mw_status. Never NULL. In a build without
 *         error texts (MW_ENABLE_ERROR_TEXT 0 in features.h) the message
 *         is the status's name, as mw_status_name() returns it, and
 *         "MW_E_UNKNOWN" for an unknown value.
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
