/* SPDX-License-Identifier: MIT */
/*
 * Status names and messages, and the version query. Both switches cover
 * every value of mw_status with no default, so a status added to core.h
 * without its text is a compile error (-Wswitch, on in -Wall).
 */
#include "mailwire/core.h"

static const char *message(mw_status s)
{
    switch (s) {
    case MW_OK:
        return "success";
    case MW_PAUSED:
        return "stopped early: paused by a callback or awaiting a reply";
    case MW_DONE:
        return "finished: the input after this point is not for this parser";
    case MW_E_SYNTAX:
        return "syntax error";
    case MW_E_TOO_LONG:
        return "line or item too long";
    case MW_E_SEQUENCE:
        return "bad sequence of commands";
    case MW_E_LIMIT:
        return "configured limit exceeded";
    case MW_E_STATE:
        return "not valid in the current state";
    case MW_E_INVAL:
        return "invalid argument";
    case MW_E_NOSPACE:
        return "output buffer too small";
    case MW_E_BARE_LF:
        return "bare LF where CRLF is required";
    case MW_E_BARE_CR:
        return "bare CR where CRLF is required";
    case MW_E_NUL:
        return "NUL byte in input";
    case MW_E_OVERFLOW:
        return "number out of range";
    case MW_E_BASE64:
        return "invalid base64";
    case MW_E_UTF8:
        return "invalid UTF-8";
    case MW_E_DEPTH:
        return "nesting too deep";
    case MW_E_INCOMPLETE:
        return "input ended before the item was complete";
    case MW_E_CHARSET:
        return "unsupported charset";
    case MW_E_LINE_TOO_LONG:
        return "line longer than the line limit";
    case MW_E_FIELD_TOO_LONG:
        return "header field longer than the field limit";
    case MW_E_TOO_MANY_FIELDS:
        return "more header fields than the field limit";
    case MW_E_HEADER_TOO_LONG:
        return "header block longer than the header limit";
    case MW_E_ENCODED_WORD:
        return "malformed RFC 2047 encoded word";
    case MW_E_DATE:
        return "date is not valid";
    case MW_E_NOT_FOUND:
        return "no such item";
    case MW_E_AUTH:
        return "authentication failed";
    case MW_E_TLS_LEFTOVER:
        return "bytes received behind STARTTLS/STLS were discarded, never parsed";
    case MW_E_CANCELLED:
        return "the peer cancelled the exchange (SASL \"*\")";
    case MW_E_LITERAL:
        return "literal refused: larger than the limit, or not allowed here";
    case MW_E_CALLBACK:
        return "a callback aborted the operation";
    case MW_E_CLOSED:
        return "closed: no more input is accepted";
    case MW_E_INTERNAL:
        return "internal error";
    case MW_E_INJECTION:
        return "bytes arrived past the TLS switch point (response injection)";
    case MW_STATUS_ENUM_END_:
        break;
    }
    return "unknown status";
}

static const char *name(mw_status s)
{
    switch (s) {
    case MW_OK:
        return "MW_OK";
    case MW_PAUSED:
        return "MW_PAUSED";
    case MW_DONE:
        return "MW_DONE";
    case MW_E_SYNTAX:
        return "MW_E_SYNTAX";
    case MW_E_TOO_LONG:
        return "MW_E_TOO_LONG";
    case MW_E_SEQUENCE:
        return "MW_E_SEQUENCE";
    case MW_E_LIMIT:
        return "MW_E_LIMIT";
    case MW_E_STATE:
        return "MW_E_STATE";
    case MW_E_INVAL:
        return "MW_E_INVAL";
    case MW_E_NOSPACE:
        return "MW_E_NOSPACE";
    case MW_E_BARE_LF:
        return "MW_E_BARE_LF";
    case MW_E_BARE_CR:
        return "MW_E_BARE_CR";
    case MW_E_NUL:
        return "MW_E_NUL";
    case MW_E_OVERFLOW:
        return "MW_E_OVERFLOW";
    case MW_E_BASE64:
        return "MW_E_BASE64";
    case MW_E_UTF8:
        return "MW_E_UTF8";
    case MW_E_DEPTH:
        return "MW_E_DEPTH";
    case MW_E_INCOMPLETE:
        return "MW_E_INCOMPLETE";
    case MW_E_CHARSET:
        return "MW_E_CHARSET";
    case MW_E_LINE_TOO_LONG:
        return "MW_E_LINE_TOO_LONG";
    case MW_E_FIELD_TOO_LONG:
        return "MW_E_FIELD_TOO_LONG";
    case MW_E_TOO_MANY_FIELDS:
        return "MW_E_TOO_MANY_FIELDS";
    case MW_E_HEADER_TOO_LONG:
        return "MW_E_HEADER_TOO_LONG";
    case MW_E_ENCODED_WORD:
        return "MW_E_ENCODED_WORD";
    case MW_E_DATE:
        return "MW_E_DATE";
    case MW_E_NOT_FOUND:
        return "MW_E_NOT_FOUND";
    case MW_E_AUTH:
        return "MW_E_AUTH";
    case MW_E_TLS_LEFTOVER:
        return "MW_E_TLS_LEFTOVER";
    case MW_E_CANCELLED:
        return "MW_E_CANCELLED";
    case MW_E_LITERAL:
        return "MW_E_LITERAL";
    case MW_E_CALLBACK:
        return "MW_E_CALLBACK";
    case MW_E_CLOSED:
        return "MW_E_CLOSED";
    case MW_E_INTERNAL:
        return "MW_E_INTERNAL";
    case MW_E_INJECTION:
        return "MW_E_INJECTION";
    case MW_STATUS_ENUM_END_:
        break;
    }
    return "MW_E_UNKNOWN";
}

/* Only values inside the enum's range may be converted to it. */
static int in_range(int status)
{
    return status >= -32767 && status <= 32767;
}

const char *mw_strerror(int status)
{
    return in_range(status) ? message((mw_status)status) : "unknown status";
}

const char *mw_status_name(int status)
{
    return in_range(status) ? name((mw_status)status) : "MW_E_UNKNOWN";
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
