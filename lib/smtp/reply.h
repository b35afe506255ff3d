/* SPDX-License-Identifier: MIT */
/*
 * Internal API of the SMTP reply reader (lib/smtp/reply.c): the pieces of
 * reply parsing that are not public. The public half (one reply line, the
 * EHLO capability set) is declared in include/mailwire/smtp_client.h;
 * reply.c is built with either role so that the server's tests can read
 * back the replies the server formats with the same code the client uses.
 */
#ifndef MW_SMTP_REPLY_H
#define MW_SMTP_REPLY_H

#include "core/internal.h"
#include "mailwire/smtp.h"
#include "mailwire/smtp_client.h"

/* Read one whole reply p[0..n): one or more lines, each ended by CRLF
 * (RFC 5321 §4.2), every line with the same code, every line but the last
 * marked "NNN-", nothing after the last line. Parses each line with
 * mw_smtp_reply_line_parse(flags). When `caps` is not NULL it is emptied
 * and every line after the first is added to it with
 * mw_smtp_caps_parse_line() (an EHLO reply; a line it refuses makes the
 * whole check fail with its status). `last` (may be NULL) receives the
 * last line, `nlines` (may be NULL) the number of lines. Offsets in `err`
 * count from p. Returns MW_OK, MW_E_SYNTAX (bad line, code mismatch, a
 * "-" on the last line, missing CRLF, bytes after the reply), MW_E_NUL,
 * MW_E_BARE_LF, MW_E_BARE_CR, MW_E_INCOMPLETE (input ends inside the
 * reply), or a caps status. */
int mw__smtp_reply_check(const char *p, size_t n, unsigned flags,
                         mw_smtp_reply_line *last, unsigned *nlines,
                         mw_smtp_caps *caps, mw_error *err);

/* mw_smtp_reply_line_parse() without the enhanced status code (flags 0),
 * with `scan` 0 for a line the core framer has already checked for CR, LF
 * and NUL (skips that scan). Kept apart from the status-code parser so
 * that a reader that never wants one (the sender) does not link it. */
int mw__smtp_reply_line(const char *p, size_t n, int scan,
                        mw_smtp_reply_line *out, mw_error *err);

/* MW_SMTP_REPLY_ESC for a line parsed by mw__smtp_reply_line(): when its
 * text starts with an RFC 3463 status code of the reply's class, set
 * `has_esc`, `esc` and `detail` (RFC 2034 §4). */
void mw__smtp_reply_esc(mw_smtp_reply_line *l);

/* The MW_SMTP_AUTH_* bit of a mechanism name (any case), 0 if unknown. */
unsigned mw__smtp_auth_bit(const char *p, size_t n);

/* Case-insensitive equality of two byte runs (ASCII folding). */
int mw__smtp_ieq(const char *a, size_t an, const char *b, size_t bn);

#endif
