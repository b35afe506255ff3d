/* SPDX-License-Identifier: MIT */
/*
 * Internal interface between the IMAP server machine (server.c) and its
 * response formatters (server_fmt.c, server_fmt_fetch.c): the output
 * stager, the checks every formatter runs before it writes anything, and
 * the string writers that choose atom, quoted string or literal.
 *
 * Output model: a response is staged in the context's `out` buffer and
 * passed to `send` when it ends (one call when it fits). Longer responses
 * are flushed in pieces as the buffer fills, and literal bytes larger
 * than the free space are passed straight from the caller's memory. A
 * formatter validates all its arguments first, so once it writes, only a
 * failing `send` can stop it (fatal: the session closes).
 */
#ifndef MW_IMAP_SERVER_INT_H
#define MW_IMAP_SERVER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "imap/frame.h"
#include "imap/grammar.h"
#include "mailwire/imap_server.h"

/* What the machine does with input (s->io). */
enum {
    MW__IMAPS_IO_READY = 0,   /* read the next command */
    MW__IMAPS_IO_PENDING = 1, /* a command awaits the application's answer */
    MW__IMAPS_IO_LITQ = 2,    /* an APPEND literal's size awaits an answer */
    MW__IMAPS_IO_SASL = 3,    /* a challenge was sent; a response line comes */
    MW__IMAPS_IO_IDLE = 4,    /* "+ idling" sent; DONE comes */
    MW__IMAPS_IO_TLS = 5,     /* STARTTLS accepted; waiting for tls_done */
    MW__IMAPS_IO_COMPRESS = 6, /* COMPRESS accepted; waiting for compress_done */
    MW__IMAPS_IO_CLOSED = 7   /* the session is over */
};

/* Open multi-call responses (s->open). */
enum {
    MW__IMAPS_OPEN_NONE = 0,
    MW__IMAPS_OPEN_FETCH = 1,
    MW__IMAPS_OPEN_BODY = 2,    /* a FETCH with its body literal open */
    MW__IMAPS_OPEN_SEARCH = 3,
    MW__IMAPS_OPEN_ESEARCH = 4
};

/* 2^63 - 1: the largest number64 / mod-sequence (RFC 9051 §9). */
#define MW__IMAPS_N64_MAX 0x7FFFFFFFFFFFFFFFull

/* ---- output stager ----------------------------------------------------- */

/* Fatal: close the session, remember the error; returns code. */
int mw__imaps_fatal_(mw_imap_server *s, int code, const char *reason);
#define mw__imaps_fatal(s, code, reason)                                     \
    mw__imaps_fatal_((s), (code), MW__TEXT(reason))
/* May a new response start now? MW_OK or MW_E_STATE. */
int mw__imaps_can_write(const mw_imap_server *s);
void mw__imaps_put(mw_imap_server *s, const char *p, size_t n);
void mw__imaps_puts(mw_imap_server *s, const char *z);
void mw__imaps_putc(mw_imap_server *s, char c);
void mw__imaps_put_u64(mw_imap_server *s, uint64_t v);
/* Pass the staged bytes to send. */
void mw__imaps_flush(mw_imap_server *s);
/* Flush and return the output status (MW_OK or MW_E_CALLBACK). */
int mw__imaps_end(mw_imap_server *s);
/* Pass bytes to send directly after flushing what is staged (zero-copy
 * literal content). */
void mw__imaps_put_direct(mw_imap_server *s, const char *p, size_t n);

/* ---- checks ----------------------------------------------------------- */

/* UTF-8 allowed in quoted strings and text (UTF8=ACCEPT, IMAP4rev2). */
int mw__imaps_utf8(const mw_imap_server *s);
/* resp-text text: NUL-terminated, no CR/LF, 7-bit or (UTF-8 mode) valid
 * UTF-8; with has_code 0 it must not start with "[". NULL is fine. */
int mw__imaps_text_ok(const mw_imap_server *s, const char *text,
                      int has_code);
/* mw__imaps_text_ok() that also gives the length of the text (0 for
 * NULL). */
int mw__imaps_text_len(const mw_imap_server *s, const char *text,
                       int has_code, size_t *len);
/* A response code the writer can write (NULL or id NONE: none). */
int mw__imaps_code_ok(const mw_imap_server *s, const mw_imap_code *c);
/* 1*ATOM-CHAR. */
int mw__imaps_atom_ok(const char *p, size_t n);
/* flag list text: flags separated by single SP; perm allows "\*". */
int mw__imaps_flags_ok(const char *p, size_t n, int perm);
/* sequence set of nz-numbers and ranges without "*" (uid-set). */
int mw__imaps_set_ok(const char *p, size_t n);
/* A mailbox name the writer can write in this session. */
int mw__imaps_mailbox_ok(const mw_imap_server *s, const char *p, size_t n);
/* A value that can go out as a string (quoted or literal): no NUL. */
int mw__imaps_string_ok(const char *p, size_t n);
/* A tag (RFC 9051 §9): 1*<any ASTRING-CHAR except "+">, at most
 * MW_IMAP_TAG_MAX bytes (the machine's copy). */
int mw__imaps_tag_ok(const char *p, size_t n);
/* Length of the tag at the start of a frame text (0 when there is no
 * valid tag followed by SP or the end). */
size_t mw__imaps_tag_len(const char *p, size_t n);
/* Strict base64 (RFC 4648 §4): the alphabet, length a multiple of 4,
 * "=" padding only at the end. Empty is valid. */
int mw__imaps_b64_ok(const char *p, size_t n);
/* The SASL mechanism is offered (AUTH= bits or caps_extra tokens). */
int mw__imaps_mech_offered(const mw_imap_server *s, mw_span mech);
/* caps_extra: atoms separated by single spaces, at most 1024 bytes. */
int mw__imaps_caps_extra_ok(const char *z);
/* An RFC 8474 objectid: 1-255 of A-Z a-z 0-9 _ -. */
int mw__imaps_objectid_ok(const char *p, size_t n);

/* ---- writers (call only after the checks) ------------------------------ */

/* "[CODE arg] " when c has a code. */
void mw__imaps_put_code(mw_imap_server *s, const mw_imap_code *c);
/* The capability list for the current state, tokens separated by SP. */
void mw__imaps_put_caps(mw_imap_server *s);
/* A string value: quoted, or a literal when its bytes need one. */
void mw__imaps_put_string(mw_imap_server *s, const char *p, size_t n);
/* astring: an atom when possible, else as put_string. */
void mw__imaps_put_astring(mw_imap_server *s, const char *p, size_t n);
/* nstring: NIL for a NULL ptr, else put_string. */
void mw__imaps_put_nstring(mw_imap_server *s, mw_span v);
/* A mailbox name (UTF-8 in, mUTF-7 or UTF-8 out); as_string 1 forbids
 * the atom form (NAMESPACE prefixes). */
void mw__imaps_put_mailbox(mw_imap_server *s, const char *p, size_t n,
                           int as_string);
/* A flag list's content (without the parentheses). */
void mw__imaps_put_flags(mw_imap_server *s, const mw_imap_flags *f, int perm);
/* One-line status response "tag|* WORD [code] text" CRLF, complete;
 * tag NULL for untagged. Checks first (MW_E_INVAL, nothing sent). */
int mw__imaps_status_line(mw_imap_server *s, const char *tag, size_t taglen,
                          int result, const mw_imap_code *code,
                          const char *text);
/* The usual tagged completion (result OK, NO or BAD; no response code;
 * the command's tag): "tag WORD text" CRLF checked and staged in one
 * pass, then flushed. Returns 1 with *st the output status (MW_OK or
 * MW_E_CALLBACK) when done, 0 when the general path must do it (text
 * with CR, LF, 8-bit bytes or a leading "[", no room, no tag): then
 * nothing was written. The caller has checked everything else that
 * mw_imap_server_reply() checks (state, pending, no LITERAL question,
 * not LOGOUT). Only for speed: built with MW_ENABLE_FAST_PATHS alone
 * (features.h). */
#if MW_ENABLE_FAST_PATHS
int mw__imaps_reply_fast(mw_imap_server *s, int result, const char *text,
                         int *st);
#endif
/* The same after the checks (result a status word, code_ok, text_len
 * passed: textlen is its length, 0 for none or empty). */
int mw__imaps_status_line_checked(mw_imap_server *s, const char *tag,
                                  size_t taglen, int result,
                                  const mw_imap_code *code, const char *text,
                                  size_t textlen);

#endif
