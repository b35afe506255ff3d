/* SPDX-License-Identifier: MIT */
/**
 * @file framing.h
 * @brief State of the byte-stream readers every line protocol shares: the
 *        CRLF line framer and the dot-stuffing (SMTP DATA, POP3 multi-line)
 *        encoder and decoder.
 *
 * These structs are defined here, not hidden, only so that the protocol
 * contexts (which the caller places in memory of its choosing) can embed
 * them by value. Their fields are private: they may change in any release,
 * and nothing outside mailwire may read or write them. The functions that
 * drive them are internal to the library; applications use them through
 * the SMTP, POP3 and IMAP machines.
 */
#ifndef MAILWIRE_FRAMING_H
#define MAILWIRE_FRAMING_H

#include "core.h"
#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Bytes the line buffer of a framer needs for lines of up to `max`
 *        bytes: the line plus room for its CRLF.
 *
 * Protocol limits usually count the CRLF already (RFC 5321 §4.5.3.1.4: a
 * command line is at most 512 octets "including the <CRLF>"), so a limit L
 * of that kind means max = L - 2 and a buffer of L bytes.
 */
#define MW_LINE_BUFSIZE(max) ((max) + 2u)

/** @cond PRIVATE */

/* CRLF line framer (lib/core/line.c). Private: fields may change. */
typedef struct mw_line {
    char *buf;        /* caller's buffer: a line cut by a chunk boundary */
    size_t size;      /* its size, at least max + 2 */
    size_t max;       /* longest line accepted, without its line end */
    size_t held;      /* bytes of the current partial line in buf */
    size_t total;     /* absolute offset of the next byte to be fed */
    size_t start;     /* absolute offset where the held line started */
    uint8_t policy;   /* mw_newline_policy */
    uint8_t skip;     /* skipping the rest of an over-long line (line.c) */
    uint8_t skip_cr;  /* while skipping: the previous byte was CR */
    uint8_t reserved_;
} mw_line;

/* Sink for the dot-stuffer's output: return 0 when all n bytes were taken,
 * a negative status to abort. */
typedef int (*mw_dot_sink)(void *user, const char *p, size_t n);

/* Dot-unstuffer, the receive side of SMTP DATA / POP3 multi-line
 * (lib/core/dot.c). Private: fields may change. */
typedef struct mw_dot_unstuff {
    size_t total;     /* absolute offset of the next byte to be fed */
    uint8_t state;
    uint8_t policy;   /* mw_newline_policy */
    uint8_t reported; /* the body's bare CR/LF error has been reported */
    uint8_t reserved_;
} mw_dot_unstuff;

/* Dot-stuffer, the send side (lib/core/dot.c). Private: fields may
 * change. */
typedef struct mw_dot_stuff {
    mw_dot_sink sink;
    void *user;
    size_t total;     /* body bytes fed so far (for error offsets) */
    uint8_t state;
    uint8_t policy;   /* mw_newline_policy */
    uint8_t reserved_[2];
} mw_dot_stuff;

/** @endcond */

#ifdef __cplusplus
}
#endif

#endif /* MAILWIRE_FRAMING_H */
