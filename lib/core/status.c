/* SPDX-License-Identifier: MIT */
/*
 * Status names and messages, and the version query. The statuses are
 * three dense runs (0..2, -1..-28, -100..-103), so one small index maps a
 * status to its row of two tables: a switch over the sparse values would
 * make the compiler build a pointer table over the whole range -103..2
 * (four times the entries). Compile-time checks below tie the tables'
 * sizes to the first and last value of each run in core.h, and
 * tests/unit/test_core.c checks every value, name and message.
 *
 * Without error texts (MW_ENABLE_ERROR_TEXT 0) the messages are not in
 * the library: mw_strerror() returns the name.
 */
#include "core/internal.h"

/* The runs of mw_status, and where each starts in the tables. */
#define OK_LAST MW_DONE
#define REC_LAST MW_E_UNSUPPORTED /* the recoverable run: -1 .. REC_LAST */
#define FATAL_FIRST MW_E_CALLBACK
#define FATAL_LAST MW_E_INJECTION
#define N_OK (OK_LAST + 1)
#define N_REC (-(REC_LAST))
#define N_FATAL (FATAL_FIRST - FATAL_LAST + 1)
#define N_ALL (N_OK + N_REC + N_FATAL)

static const char *const names[] = {
    "MW_OK", "MW_PAUSED", "MW_DONE",
    "MW_E_SYNTAX", "MW_E_TOO_LONG", "MW_E_SEQUENCE", "MW_E_LIMIT",
    "MW_E_STATE", "MW_E_INVAL", "MW_E_NOSPACE", "MW_E_BARE_LF",
    "MW_E_BARE_CR", "MW_E_NUL", "MW_E_OVERFLOW", "MW_E_BASE64",
    "MW_E_UTF8", "MW_E_DEPTH", "MW_E_INCOMPLETE", "MW_E_CHARSET",
    "MW_E_LINE_TOO_LONG", "MW_E_FIELD_TOO_LONG", "MW_E_TOO_MANY_FIELDS",
    "MW_E_HEADER_TOO_LONG", "MW_E_ENCODED_WORD", "MW_E_DATE",
    "MW_E_NOT_FOUND", "MW_E_AUTH", "MW_E_TLS_LEFTOVER", "MW_E_CANCELLED",
    "MW_E_LITERAL", "MW_E_UNSUPPORTED",
    "MW_E_CALLBACK", "MW_E_CLOSED", "MW_E_INTERNAL", "MW_E_INJECTION",
};

/* A table with a row per status (a new status without its row, or a row
 * too many, stops the build). */
typedef char names_match_core_h[sizeof names / sizeof names[0] == N_ALL ? 1 : -1];

#if MW_ENABLE_ERROR_TEXT
static const char *const messages[] = {
    "success",
    "stopped early: paused by a callback or awaiting a reply",
    "finished: the input after this point is not for this parser",
    "syntax error",
    "line or item too long",
    "bad sequence of commands",
    "configured limit exceeded",
    "not valid in the current state",
    "invalid argument",
    "output buffer too small",
    "bare LF where CRLF is required",
    "bare CR where CRLF is required",
    "NUL byte in input",
    "number out of range",
    "invalid base64",
    "invalid UTF-8",
    "nesting too deep",
    "input ended before the item was complete",
    "unsupported charset",
    "line longer than the line limit",
    "header field longer than the field limit",
    "more header fields than the field limit",
    "header block longer than the header limit",
    "malformed RFC 2047 encoded word",
    "date is not valid",
    "no such item",
    "authentication failed",
    "bytes received behind STARTTLS/STLS were discarded, never parsed",
    "the peer cancelled the exchange (SASL \"*\")",
    "literal refused: larger than the limit, or not allowed here",
    "feature compiled out",
    "a callback aborted the operation",
    "closed: no more input is accepted",
    "internal error",
    "bytes arrived past the TLS switch point (response injection)",
};
typedef char messages_match_core_h[sizeof messages / sizeof messages[0] == N_ALL ? 1 : -1];
#endif

/* The row of a status, or -1 for a value that is not one. */
static int row(int status)
{
    if (status >= 0 && status <= OK_LAST)
        return status;
    if (status < 0 && status >= REC_LAST)
        return N_OK - 1 - status;
    if (status <= FATAL_FIRST && status >= FATAL_LAST)
        return N_OK + N_REC + (FATAL_FIRST - status);
    return -1;
}

const char *mw_strerror(int status)
{
#if MW_ENABLE_ERROR_TEXT
    int r = row(status);
    return r >= 0 ? messages[r] : "unknown status";
#else
    return mw_status_name(status);
#endif
}

const char *mw_status_name(int status)
{
    int r = row(status);
    return r >= 0 ? names[r] : "MW_E_UNKNOWN";
}

int mw_is_fatal(int status)
{
    return status <= -100;
}

unsigned long mw_version(void)
{
    return (unsigned long)MW_VERSION_NUM;
}

const char *mw_version_string(void)
{
    return MW_VERSION_STRING;
}

/* Out of line on purpose: it is called at some two hundred error sites,
 * none of them hot, and a call is smaller than three guarded stores. */
void mw__fail_set(mw_error *err, int code, size_t offset, const char *reason)
{
    if (err != NULL) {
        err->code = code;
        err->offset = offset;
        err->reason = reason;
    }
}
