/* SPDX-License-Identifier: MIT */
/*
 * The IMAP framer: cuts a byte stream into frames before any semantic
 * parsing (field-notes §4.8: a frame that fails to parse is skipped whole,
 * never from the point of failure, so literal bytes are never taken for
 * commands or responses).
 *
 * A frame is one command or response: a line, and when the line ends with
 * a literal announcement ("{n}", "{n+}", "~{n}" before CRLF, RFC 9051 §4.3,
 * RFC 7888, RFC 3516), the literal's n bytes and the line that follows, and
 * so on until a line that ends without one. The framer knows nothing else
 * of the grammar: a quoted string cannot hold CR or LF, so every CRLF ends a
 * line, and a "}" right before it is a literal announcement.
 *
 * The machine pulls one event at a time:
 *   LINE     the frame is complete: its text (from the segment start to the
 *            final CRLF, CRLF excluded), literals inline in wire form.
 *   LITERAL  a line ended with a literal announcement: the text so far (to
 *            and including "}"), the size and kind. The machine MUST answer
 *            with mw__imap_framer_take() before pulling again:
 *              INLINE   the bytes join the frame text (after a synchronising
 *                       literal, a server sends "+ ..." first);
 *              STREAM   the bytes come as DATA events (spans of the input,
 *                       never copied) then LITERAL_END, and the frame goes
 *                       on in a new segment (the text before is released);
 *              DISCARD  the bytes are read and dropped, and so is the rest of
 *                       the frame; SKIPPED comes at its end;
 *              REFUSE   no bytes will come (the server refused a
 *                       synchronising literal): the frame ends here.
 *   DATA / LITERAL_END   a streamed literal's bytes, and its end.
 *   FULL     the segment text reached the frame limit. The machine may
 *            release a prefix it has consumed (a SEARCH response parsed
 *            number by number) with mw__imap_framer_release(); if it
 *            releases nothing the frame is dropped and SKIPPED comes at its
 *            end (status MW_E_TOO_LONG).
 *   SKIPPED  the end of a dropped frame: status and reason say why.
 *
 * Zero-copy: text lies in the caller's input when the segment is whole in
 * the chunk fed; only a segment cut by the end of a chunk is copied into
 * the caller's frame buffer. Text and data spans are valid until the next
 * call of mw__imap_framer_next().
 *
 * Notes for the machines (added by A):
 * - Consumption. A LITERAL or FULL event whose text lies whole in the
 *   input consumes none of it (*used stops before the segment): the bytes
 *   are consumed once take()/release() is answered and next() is called
 *   again with the SAME unconsumed bytes at the start of its input. This
 *   is the ordinary rule (feed the unconsumed rest again, possibly from
 *   another buffer after a pause); nothing is ever rescanned.
 * - Call next() until it returns 0, also with len == 0: LITERAL_END (and
 *   a zero-size streamed literal) comes without needing input.
 * - INLINE only if it fits: mw__imap_framer_fits(). A literal that does
 *   not fit the frame limit is turned into DISCARD with MW_E_TOO_LONG
 *   ("literal does not fit the frame limit"), reported by SKIPPED.
 * - Unanswered events: next() answers a LITERAL with DISCARD
 *   (MW_E_INTERNAL) and a FULL with release(0).
 * - Line ends: REJECT drops the frame on a bare LF (SKIPPED MW_E_BARE_LF
 *   at the frame's end, after skipping any literal the line announced);
 *   ACCEPT takes a bare LF as a line end (an inline literal's header is
 *   then "{n}\n", which mw__imap_lex_literal accepts); PASS ends lines
 *   only at CRLF. A bare CR is always text (the lexer refuses it outside
 *   literals).
 * - Literal size: number64 (RFC 9051 §9), leading zeros allowed. Above
 *   2^63-1 the frame ends with SKIPPED (MW_E_OVERFLOW) and the framer
 *   drops all input until mw__imap_framer_reset() (the stream cannot be
 *   framed any more: close the connection). mw__imap_framer_idle() is 0
 *   meanwhile.
 * - Offsets: LINE/LITERAL/FULL give the stream offset of the segment
 *   start (a frame's first segment starts at the frame; after a STREAMed
 *   literal a new segment starts after the literal; after release(k) the
 *   segment starts k bytes later). SKIPPED gives the frame start.
 * - max_text is clamped to cap; a line of exactly max_text bytes (CRLF
 *   not counted) is a LINE, max_text + 1 is FULL.
 */
#ifndef MW_IMAP_FRAME_H
#define MW_IMAP_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "mailwire/imap.h"

enum {
    MW__IMAP_FEV_LINE = 1,
    MW__IMAP_FEV_LITERAL = 2,
    MW__IMAP_FEV_DATA = 3,
    MW__IMAP_FEV_LITERAL_END = 4,
    MW__IMAP_FEV_FULL = 5,
    MW__IMAP_FEV_SKIPPED = 6
};

/* lit_flags */
#define MW__IMAP_LIT_NONSYNC 0x01u  /* "{n+}" (LITERAL+ / LITERAL-) */
#define MW__IMAP_LIT_BINARY 0x02u   /* "~{n}" literal8 */

/* mw__imap_framer_take() */
enum {
    MW__IMAP_TAKE_INLINE = 1,
    MW__IMAP_TAKE_STREAM = 2,
    MW__IMAP_TAKE_DISCARD = 3,
    MW__IMAP_TAKE_REFUSE = 4
};

typedef struct mw__imap_fev {
    int type;              /* MW__IMAP_FEV_* */
    const char *p;         /* LINE, LITERAL, FULL: segment text; DATA: bytes */
    size_t n;
    uint64_t lit_size;     /* LITERAL */
    unsigned lit_flags;    /* LITERAL */
    size_t offset;         /* stream offset of p[0] (SKIPPED: of the frame) */
    int status;            /* SKIPPED: why (MW_E_TOO_LONG, MW_E_BARE_LF,
                              MW_E_OVERFLOW, MW_E_LIMIT for DISCARD...) */
    const char *reason;    /* SKIPPED: static text */
} mw__imap_fev;

/* buf/cap: the caller's frame buffer; max_text: longest segment text
 * (<= cap); newline: MW_NEWLINE_REJECT makes a bare LF line end drop the
 * frame (SKIPPED, MW_E_BARE_LF), ACCEPT takes it as a line end. */
void mw__imap_framer_init(mw__imap_framer *fr, char *buf, size_t cap,
                          size_t max_text, mw_newline_policy newline);
/* Server role: while a frame is being dropped (SKIPPED to come), a line
 * that announces a synchronising literal ends the frame there, because
 * the client sends the literal's bytes only after a "+" the server will
 * never send (RFC 9051 §4.3). Without it (client role) the announced
 * bytes are skipped, as a server always sends them. Call after init. */
void mw__imap_framer_sync_ends_frame(mw__imap_framer *fr);
/* Forget any partial frame (after STARTTLS, COMPRESS). The stream offset
 * keeps counting. */
void mw__imap_framer_reset(mw__imap_framer *fr);
/* Returns 1 with *ev filled, or 0 when in[0..len) is used up without an
 * event (all of it consumed). *used: bytes of in consumed by this call. */
int mw__imap_framer_next(mw__imap_framer *fr, const char *in, size_t len,
                         size_t *used, mw__imap_fev *ev);
/* Answer a LITERAL event (MW__IMAP_TAKE_*). For DISCARD, status/reason
 * are reported by the SKIPPED event at the end of the frame. */
void mw__imap_framer_take_(mw__imap_framer *fr, int how, int status,
                           const char *reason);
#define mw__imap_framer_take(fr, how, status, reason)                        \
    mw__imap_framer_take_((fr), (how), (status), MW__TEXT(reason))
/* Answer a FULL event: the first k bytes of the segment text are consumed
 * and may be forgotten. k == 0 drops the frame. */
void mw__imap_framer_release(mw__imap_framer *fr, size_t k);
/* 1 when a literal of `size` bytes announced by the pending
 * LITERAL event can be taken INLINE (the frame text, its line end and the
 * literal stay within max_text), else 0. */
int mw__imap_framer_fits(const mw__imap_framer *fr, uint64_t size);
/* Stream offset of the next byte the framer will read. */
size_t mw__imap_framer_offset(const mw__imap_framer *fr);
/* Stream offset of the announcement ("{", or "~{" for a literal8) that
 * ends the text of a LITERAL event: where an error about the literal
 * itself (too large, non-synchronising refused) points. */
size_t mw__imap_fev_literal_offset(const mw__imap_fev *ev);
/* 1 when no frame is in progress (between frames). */
int mw__imap_framer_idle(const mw__imap_framer *fr);

#endif
