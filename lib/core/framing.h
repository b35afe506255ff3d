/* SPDX-License-Identifier: MIT */
/*
 * Internal API of the stream readers every line protocol uses (SMTP, POP3,
 * IMAP): the CRLF line framer (line.c) and dot-stuffing in both directions
 * (dot.c). Their state structs live in the public mailwire/framing.h so that
 * protocol contexts can embed them; the functions are internal (mw__).
 *
 * Offsets: every reader counts the bytes fed to it, so the offsets in its
 * events are absolute positions in the stream (from the first byte fed
 * after init, plus the base given at init where there is one).
 *
 * ---------------------------------------------------------------------
 * Line framer
 * ---------------------------------------------------------------------
 * A pull reader: mw__line_next() returns at most one line per call and
 * says how much input it used, so a protocol machine can stop after any
 * line (pipelining: a command is not read before the previous one is
 * answered) and feed the rest later.
 *
 *   size_t used;
 *   mw__line_ev ev;
 *   while (len > 0) {
 *       int r = mw__line_next(&l, in, len, &used, &ev);
 *       in += used; len -= used;
 *       if (r == 0) break;           // all used; a partial line is held
 *       handle(&ev);                 // r == 1: a line; r < 0: a bad one
 *   }
 *
 * Zero-copy: a line that lies whole in the input given to one call is
 * passed as a span into that input. Only a line cut by the end of an input
 * is copied, piece by piece, into the caller's buffer (given at init), and
 * passed from there. Either way ev.line is valid until the next call on the
 * framer (and, for a span into the input, while the input is).
 *
 * Line ends by policy (mw_newline_policy, core.h):
 *   REJECT (default)  a line ends at LF. "CRLF" is the line end; an LF
 *                     without CR ends the line too but the event is
 *                     MW_E_BARE_LF; a CR not followed by LF is content and
 *                     makes the line's event MW_E_BARE_CR.
 *   ACCEPT            a line ends at CRLF, at a bare LF or at a bare CR
 *                     (flagged, not errors). A CR at the end of an input
 *                     is held until the next byte shows whether LF follows
 *                     (CR | LF across two inputs is one CRLF).
 *   PASS              only CRLF ends a line; bare CR and LF are content
 *                     (flagged, not errors).
 * A NUL in a line makes the event MW_E_NUL under every policy (flagged; the
 * event still carries the line so that the caller may decide).
 * When a line has several problems, the status is the first of
 * MW_E_TOO_LONG, MW_E_BARE_LF, MW_E_BARE_CR, MW_E_NUL; the flags list all.
 *
 * Over-long lines: a line longer than `max` (line end not counted) is
 * reported once, as soon as that is certain (after at most max + 2 bytes of
 * it, so a peer that never sends a line end is caught too): status
 * MW_E_TOO_LONG, flags MW__LINE_TOO_LONG only, ev.line the first `max`
 * bytes, ev.offset = ev.err_offset = where the line started. The rest of
 * the line is skipped up to its line end (by the policy's rules), without
 * copying and without another event; framing then resumes.
 *
 * Cost: O(line length) per line; line ends, NULs and CRs are found with
 * memchr, never by a byte-at-a-time state machine, and no byte of the
 * input is searched more than a bounded number of times.
 */
#ifndef MW_CORE_FRAMING_H
#define MW_CORE_FRAMING_H

#include "core/internal.h"
#include "mailwire/framing.h"

/* Flags of a line event. */
#define MW__LINE_CRLF 0x01u     /* ended by CRLF */
#define MW__LINE_LF 0x02u       /* ended by a bare LF (REJECT, ACCEPT) */
#define MW__LINE_CR 0x04u       /* ended by a bare CR (ACCEPT) */
#define MW__LINE_BARE_CR 0x08u  /* a bare CR inside (REJECT, PASS) */
#define MW__LINE_BARE_LF 0x10u  /* a bare LF inside (PASS) */
#define MW__LINE_NUL 0x20u      /* a NUL inside */
#define MW__LINE_TOO_LONG 0x40u /* over-long: line holds its first max bytes */

typedef struct mw__line_ev {
    mw_span line;      /* the line without its line end */
    size_t offset;     /* absolute offset of the line's first byte */
    size_t err_offset; /* when status < 0: the offending byte (the line
                          start for MW_E_TOO_LONG); else == offset */
    unsigned flags;    /* MW__LINE_* */
    int status;        /* MW_OK or the negative status returned */
} mw__line_ev;

/* Set up a framer. `buf` (size bytes, at least MW_LINE_BUFSIZE(max)) must
 * outlive it. Returns MW_OK, or MW_E_INVAL (buf NULL, size too small, an
 * unknown policy). */
int mw__line_init(mw_line *l, char *buf, size_t size, size_t max,
                  mw_newline_policy policy);

/* Read the next line from in[0..len). Sets *used to the bytes consumed
 * (through the line end of the reported line; possibly 0 when the line
 * was complete before this input, e.g. an ACCEPT line ended by a CR held
 * from the previous input) and returns:
 *    1  a line: *ev filled, ev->status == MW_OK;
 *    0  no complete line: all of `in` was consumed (*used == len) and a
 *       partial line, if any, is held;
 *   <0  a line with a problem (MW_E_TOO_LONG, MW_E_BARE_LF, MW_E_BARE_CR,
 *       MW_E_NUL): *ev filled as for 1, with that status. The framer stays
 *       usable; call again for the next line.
 * `in` may be NULL when len is 0. */
int mw__line_next(mw_line *l, const char *in, size_t len, size_t *used,
                  mw__line_ev *ev);

/* End of the stream. Returns 1 with *ev when an ACCEPT line ended by a CR
 * was waiting for its next byte (the line is complete); MW_E_INCOMPLETE
 * with *ev describing the partial line when one was held (flags 0, line =
 * its raw bytes, at most max + 1 of them, err_offset = the end of the
 * stream); else 0 (also after an over-long line, already reported).
 * Either way the framer is then empty (as after mw__line_reset). */
int mw__line_finish(mw_line *l, mw__line_ev *ev);

/* Drop any partial line and the skipping of an over-long line; the
 * offset count goes on. Use when the bytes that follow are no longer read
 * as lines of this stream (after STARTTLS, the plaintext behind the
 * command must not be parsed: CVE-2011-0411). */
void mw__line_reset(mw_line *l);

/* Bytes of a partial line held in the buffer (0 when a line would start
 * at the next byte fed). */
static inline size_t mw__line_held(const mw_line *l)
{
    return l->held;
}

/* Absolute offset of the next byte to be fed. */
static inline size_t mw__line_offset(const mw_line *l)
{
    return l->total;
}

/* Count n bytes that another reader consumed from the same stream (a DATA
 * body, an IMAP literal), so that later offsets stay absolute. Only while
 * no partial line is held. */
static inline void mw__line_skip(mw_line *l, size_t n)
{
    l->total += n;
}

/* ---------------------------------------------------------------------
 * Dot-unstuffing (receive side): RFC 5321 §4.5.2 and §4.1.1.4, RFC 1939
 * §3. The body is fed in chunks; the reader hands back the unstuffed body
 * as data spans, then the end. The body begins at a line start (just after
 * the line that started it, e.g. after "354"), and ends only at a line
 * "." CRLF where a line starts only after CRLF: the CRLF before the "." is
 * the last line end of the body and is part of the data, and an empty
 * body is just ".\r\n". A '.' that starts any other line is removed
 * ("..x" -> ".x", ".x" -> "x").
 *
 * Never a line start, under every policy: the position after a bare LF or
 * a bare CR. So "LF . LF", "LF . CRLF", "CRLF . LF", "CR . CR", "CRLF .
 * CR x" and the like are body content and never end the data (SMTP
 * smuggling, CVE-2023-51764/51765/51766).
 *   REJECT  the first bare CR or LF of the body is reported (MW_E_BARE_CR
 *           / MW_E_BARE_LF with its offset), once; its bytes stay in the
 *           data unchanged, and reading goes on to the real end so that a
 *           server answers at the right place.
 *   ACCEPT  each bare LF and bare CR is replaced by CRLF in the data (so
 *           the data never holds a bare one), without starting a line.
 *   PASS    bytes are passed through unchanged.
 *
 * Zero-copy: data spans point into the input; only bytes that stand for
 * input consumed by an earlier call (a "\r" after a line-start ".") or that
 * ACCEPT adds (the CR or LF that completes a bare one) come from static
 * storage. A span is valid until the next call (and while the input is).
 */

/* Returned by mw__dot_unstuff_next(). */
#define MW__DOT_DATA 1
#define MW__DOT_END MW_DONE

typedef struct mw__dot_ev {
    mw_span data;  /* MW__DOT_DATA: body bytes, unstuffed */
    size_t offset; /* DATA: offset of the input byte the span starts at (or
                      of the byte synthesised bytes stand for); END: offset
                      of the terminating "."; error: the bare CR or LF */
} mw__dot_ev;

/* Start reading a body. `base` is the absolute offset of the first body
 * byte in the stream (e.g. mw__line_offset() of the framer that read the
 * command). Returns MW_OK or MW_E_INVAL (unknown policy). */
int mw__dot_unstuff_init(mw_dot_unstuff *u, mw_newline_policy policy,
                         size_t base);

/* Read from in[0..len). Sets *used and returns:
 *   MW__DOT_DATA  ev->data holds the next body bytes (may be 0 used);
 *   MW__DOT_END   the terminator was consumed: *used counts through its
 *                 CRLF, and the bytes after it (the next command) are not
 *                 touched. Later calls return MW_E_STATE.
 *   0             all of `in` was consumed, nothing more to report;
 *   MW_E_BARE_LF, MW_E_BARE_CR (REJECT only, once per body): ev->offset
 *                 is where; *used counts only bytes before it that carry
 *                 no data (a stuffed dot); call again to go on. */
int mw__dot_unstuff_next(mw_dot_unstuff *u, const char *in, size_t len,
                         size_t *used, mw__dot_ev *ev);

/* Absolute offset of the next byte to be fed. */
static inline size_t mw__dot_unstuff_offset(const mw_dot_unstuff *u)
{
    return u->total;
}

/* ---------------------------------------------------------------------
 * Dot-stuffing (send side). Body bytes go in; the stuffed body goes to the
 * sink: a '.' at a line start is doubled, and finish() ends the body with
 * CRLF (unless it already ends with one) and ".\r\n". A line starts at the
 * body start and after each CRLF in the output.
 *   REJECT  a bare CR or LF in the body is an error (MW_E_BARE_CR /
 *           MW_E_BARE_LF, mw_error with the offset counted from the first
 *           body byte). Everything before the offending byte has been
 *           written; that byte is consumed and dropped (counted in *used,
 *           or, for a CR that ended the previous input, in that call's),
 *           nothing after it is written. The stuffer stays usable: the
 *           caller may go on at in + *used, or finish() to end the body
 *           cleanly and then abandon the transaction. A CR at the end of
 *           an input is held until the next byte shows it is part of CRLF.
 *   ACCEPT  bare LF and bare CR are each written as CRLF (and start a
 *           line, so a '.' after them is doubled).
 *   PASS    bare CR and LF are written as they are and do not start a
 *           line. Weakens the defence against smuggling when the peer
 *           takes bare LF as a line end; use only with CRLF-only bodies.
 * Zero-copy: the sink gets spans of the input between inserted bytes
 * (from static storage). The sink must take all bytes or return a
 * negative status; that status is returned and the body is then broken
 * (what reached the peer is unknown).
 */

int mw__dot_stuff_init(mw_dot_stuff *s, mw_newline_policy policy,
                       mw_dot_sink sink, void *user);

/* Returns MW_OK (*used == len), MW_E_BARE_LF / MW_E_BARE_CR (REJECT; see
 * above), the sink's negative status, or MW_E_INVAL (bad arguments).
 * `used` and `err` may be NULL. */
int mw__dot_stuff_write(mw_dot_stuff *s, const char *in, size_t len,
                        size_t *used, mw_error *err);

/* End the body: CRLF when the output does not end with one, then ".\r\n".
 * Returns MW_OK, MW_E_BARE_CR (REJECT: the body ended with a CR; it is
 * dropped and nothing is written; calling finish again ends the body), or
 * the sink's status. The stuffer may then be initialised again. */
int mw__dot_stuff_finish(mw_dot_stuff *s, mw_error *err);

#endif
