/* SPDX-License-Identifier: MIT */
/*
 * The IMAP grammar both roles share (RFC 9051 §9, RFC 3501 §9): the
 * character classes, a lexer over a complete frame of text, the arena that
 * structured values are built in, and the output builder that chooses atom,
 * quoted string or literal. Internal: never installed.
 *
 * The framer that cuts the byte stream into frames (lines and literals)
 * before any of this runs is in frame.h.
 */
#ifndef MW_IMAP_GRAMMAR_H
#define MW_IMAP_GRAMMAR_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "mailwire/imap.h"

/* ---- character classes (RFC 9051 §9) ---------------------------------- */

/* Bits of mw__imap_cclass[c]. */
#define MW__IMAP_C_ATOM 0x01u    /* ATOM-CHAR: CHAR except atom-specials */
#define MW__IMAP_C_ASTRING 0x02u /* ASTRING-CHAR: ATOM-CHAR or "]" */
#define MW__IMAP_C_TAG 0x04u     /* tag char: ASTRING-CHAR except "+" */
#define MW__IMAP_C_QUOTED 0x08u  /* may appear in a quoted string unescaped:
                                    TEXT-CHAR except '"' and '\' (7-bit) */
#define MW__IMAP_C_LISTMB 0x10u  /* list-mailbox char: ATOM-CHAR, "%", "*", "]" */
#define MW__IMAP_C_DIGIT 0x20u   /* 0-9 */
#define MW__IMAP_C_TEXT 0x40u    /* TEXT-CHAR: any CHAR except CR and LF (7-bit) */
#define MW__IMAP_C_8BIT 0x80u    /* 0x80..0xFF */

extern const unsigned char mw__imap_cclass[256];

/* ---- arena --------------------------------------------------------------
 * Caller memory that structured values (ENVELOPE, BODYSTRUCTURE, search
 * keys, unescaped quoted strings) are built in. Structures are taken from
 * the front (aligned), string bytes from the back, so that the items of one
 * flat list (addresses, parameters) stay contiguous while strings are
 * unescaped between them. Reset per frame. */
/* struct mw__imap_arena is in mailwire/imap.h (contexts embed it). */

void mw__imap_arena_init(mw__imap_arena *a, void *mem, size_t cap);
void mw__imap_arena_reset(mw__imap_arena *a);
/* size bytes aligned for any struct of the library (pointer/uint64
 * alignment), zeroed; NULL when full. */
void *mw__imap_arena_alloc(mw__imap_arena *a, size_t size);
/* n bytes for string content (no alignment); NULL when full. */
char *mw__imap_arena_bytes(mw__imap_arena *a, size_t n);
/* The front pointer right now: items allocated one after another with
 * mw__imap_arena_alloc() of the same size and nothing else in between are
 * contiguous from here. */
void *mw__imap_arena_top(mw__imap_arena *a);
/* Bytes still free (between the front and the back). */
size_t mw__imap_arena_room(const mw__imap_arena *a);

/* ---- lexer --------------------------------------------------------------
 * Works over one complete frame of text (the framer guarantees it): a
 * response or command with its literals inline in wire form "{n}\r\n" +
 * n bytes (also "{n+}" of RFC 7888, and "~{n}" for literal8; "{n}\n"
 * when the framer accepts bare LF), without the final CRLF. Errors are sticky: the first one is recorded
 * (status, offset, reason) and every later call fails at once, so parsers
 * can chain calls and test once. */
typedef struct mw__imap_lex {
    const char *p;        /* next byte */
    const char *end;      /* end of the frame text */
    const char *base;     /* start of the frame text (for offsets) */
    size_t base_offset;   /* stream offset of base */
    mw__imap_arena *arena; /* for unescaping quoted strings; may be NULL */
    unsigned flags;       /* MW__IMAP_LEX_* */
    int status;           /* MW_OK or the first error */
    size_t err_offset;    /* stream offset of the first error */
    const char *reason;   /* static text of the first error */
} mw__imap_lex;

#define MW__IMAP_LEX_UTF8 0x01u      /* 8-bit UTF-8 allowed in quoted
                                        strings (UTF8=ACCEPT, IMAP4rev2) */
#define MW__IMAP_LEX_8BIT 0x02u      /* any 8-bit byte tolerated in atoms
                                        and quoted strings (quirk) */
#define MW__IMAP_LEX_TRAILING_SP 0x04u /* mw__imap_lex_sp_opt() and the
                                        end-of-frame checks skip extra SP */

void mw__imap_lex_init(mw__imap_lex *L, const char *p, size_t n,
                       size_t stream_offset, mw__imap_arena *arena,
                       unsigned flags);
/* Record an error at the current position (first one wins); returns the
 * status for tail calls. Called through the macro, which passes the
 * reason through MW__TEXT. */
int mw__imap_lex_fail_(mw__imap_lex *L, int status, const char *reason);
#define mw__imap_lex_fail(L, status, reason)                                 \
    mw__imap_lex_fail_((L), (status), MW__TEXT(reason))
/* The same at a given position inside the frame (the start of
 * the token at fault). */
int mw__imap_lex_fail_at_(mw__imap_lex *L, const char *at, int status,
                          const char *reason);
#define mw__imap_lex_fail_at(L, at, status, reason)                          \
    mw__imap_lex_fail_at_((L), (at), (status), MW__TEXT(reason))
/* The small readers below are static inline (same names and signatures
 * as declared originally; changed by A for speed: they run once per token
 * in the response and command parsers). */
/* Stream offset of the current position. */
static inline size_t mw__imap_lex_offset(const mw__imap_lex *L)
{
    return L->base_offset + (size_t)(L->p - L->base);
}
static inline int mw__imap_lex_eof(const mw__imap_lex *L) /* 1 at the end */
{
    return L->p >= L->end;
}
/* The error path of mw__imap_lex_expect() (out of line); it tests the
 * byte itself, so it is also the whole of mw__imap_lex_expect(). */
int mw__imap_lex_expect_fail(mw__imap_lex *L, char c);
#if MW_ENABLE_FAST_PATHS
/* Next byte, or -1 at the end or after an error. */
static inline int mw__imap_lex_peek(const mw__imap_lex *L)
{
    if (L->status != MW_OK || L->p >= L->end)
        return -1;
    return (unsigned char)*L->p;
}
/* Consume exactly the byte c, else MW_E_SYNTAX ("SP expected", "')'
 * expected"...). */
static inline int mw__imap_lex_expect(mw__imap_lex *L, char c)
{
    if (L->status == MW_OK && L->p < L->end && *L->p == c) {
        L->p++;
        return MW_OK;
    }
    return mw__imap_lex_expect_fail(L, c);
}
#else
/* Without the fast paths: one copy of each, out of line (lex.c). */
int mw__imap_lex_peek(const mw__imap_lex *L);
static inline int mw__imap_lex_expect(mw__imap_lex *L, char c)
{
    return mw__imap_lex_expect_fail(L, c);
}
#endif
static inline int mw__imap_lex_sp(mw__imap_lex *L) /* exactly one SP */
{
    return mw__imap_lex_expect(L, ' ');
}
/* Under MW__IMAP_LEX_TRAILING_SP, skip a run of SP when it is
 * followed by ")" or by the end of the frame (the quirk's trailing spaces)
 * and return how many; without the flag, or before anything else, skip
 * nothing and return 0. Never an error. */
int mw__imap_lex_sp_opt(mw__imap_lex *L);
/* 1 and consumed when the next byte is c, else 0 (no error). */
#if MW_ENABLE_FAST_PATHS
static inline int mw__imap_lex_accept(mw__imap_lex *L, char c)
{
    if (L->status != MW_OK || L->p >= L->end || *L->p != c)
        return 0;
    L->p++;
    return 1;
}
#else
int mw__imap_lex_accept(mw__imap_lex *L, char c); /* lex.c */
#endif
/* Case-insensitive keyword followed by a non-ATOM-CHAR (or end): 1 and
 * consumed, else 0 (no error). */
int mw__imap_lex_keyword(mw__imap_lex *L, const char *kw);
/* Case-insensitive prefix, no boundary check ("BODY" before
 * "[", "BODY.PEEK"): 1 and consumed, else 0 (no error). */
int mw__imap_lex_iprefix(mw__imap_lex *L, const char *kw);
/* At the end of the frame (extra SP skipped under TRAILING_SP), else
 * MW_E_SYNTAX "trailing garbage". */
int mw__imap_lex_end(mw__imap_lex *L);

int mw__imap_lex_atom(mw__imap_lex *L, mw_span *out);   /* 1*ATOM-CHAR */
/* Run of bytes of a class (MW__IMAP_C_* mask), at least one. */
int mw__imap_lex_class(mw__imap_lex *L, unsigned mask, mw_span *out);
int mw__imap_lex_tag(mw__imap_lex *L, mw_span *out);
/* number (32-bit), nz-number, number64 (63-bit, RFC 9051 §9) with
 * overflow checks (MW_E_OVERFLOW). */
int mw__imap_lex_number(mw__imap_lex *L, uint32_t *out);
int mw__imap_lex_nz_number(mw__imap_lex *L, uint32_t *out);
int mw__imap_lex_number64(mw__imap_lex *L, uint64_t *out);
/* Literal header "{n}" "{n+}" "~{n}" + CRLF, then its n bytes as out.
 * *binary set to 1 for literal8. */
int mw__imap_lex_literal(mw__imap_lex *L, mw_span *out, int *binary);
/* quoted string: content unescaped (into the arena when it holds a
 * backslash escape; MW_E_NOSPACE when the arena is full). NUL, CR, LF and
 * (without UTF8/8BIT flags) 8-bit bytes are MW_E_SYNTAX (CVE-2019-11500). */
int mw__imap_lex_quoted(mw__imap_lex *L, mw_span *out);
int mw__imap_lex_string(mw__imap_lex *L, mw_span *out);  /* quoted / literal (not literal8) */
int mw__imap_lex_nstring(mw__imap_lex *L, mw_span *out); /* string / NIL (ptr NULL) */
int mw__imap_lex_astring(mw__imap_lex *L, mw_span *out); /* 1*ASTRING-CHAR / string */
/* mailbox: astring, with "INBOX" in any case returned as "INBOX". */
int mw__imap_lex_mailbox(mw__imap_lex *L, mw_span *out);
/* list-mailbox (LIST patterns): 1*list-char / string. */
int mw__imap_lex_list_mailbox(mw__imap_lex *L, mw_span *out);
/* sequence-set or "$"; validated, "*" allowed. */
int mw__imap_lex_seqset(mw__imap_lex *L, mw_imap_seqset *out);
/* flag-list "(" [flag *(SP flag)] ")"; perm=1 also allows "\*". */
int mw__imap_lex_flag_list(mw__imap_lex *L, int perm, mw_imap_flags *out);
/* date-time in double quotes / date (RFC 9051 §9 `date`, quoted or not). */
int mw__imap_lex_datetime(mw__imap_lex *L, mw_imap_datetime *out);
int mw__imap_lex_date(mw__imap_lex *L, mw_imap_datetime *out);
/* Skip one balanced value (atom, number, string, NIL, parenthesised list
 * nested up to max_depth, bracketed section) without recursion; its raw
 * text as out. Used for unknown extension data (RFC 4466). */
int mw__imap_lex_skip_value(mw__imap_lex *L, unsigned max_depth,
                            mw_span *out);

/* ---- output -------------------------------------------------------------
 * Formatting into a fixed buffer. Errors are sticky (first wins): overflow
 * is MW_E_NOSPACE, CR/LF/NUL in an argument that cannot carry them is
 * MW_E_INVAL. Nothing partial is ever sent: callers check status before
 * handing the buffer to `send`. */
typedef struct mw__imap_out {
    char *buf;
    size_t cap;
    size_t len;
    int status;
} mw__imap_out;

void mw__imap_out_init(mw__imap_out *o, char *buf, size_t cap);
void mw__imap_out_raw(mw__imap_out *o, const char *p, size_t n);
void mw__imap_out_cstr(mw__imap_out *o, const char *s);
void mw__imap_out_char(mw__imap_out *o, char c);
void mw__imap_out_u32(mw__imap_out *o, uint32_t v);
void mw__imap_out_u64(mw__imap_out *o, uint64_t v);

/* How a string value must go on the wire. */
typedef enum mw__imap_strform {
    MW__IMAP_FORM_ATOM = 0,    /* astring atom: only ASTRING-CHARs, not "NIL" */
    MW__IMAP_FORM_QUOTED = 1,  /* quoted string */
    MW__IMAP_FORM_LITERAL = 2, /* needs a literal: CR, LF, 8-bit without
                                  UTF8, or longer than the quoted limit */
    MW__IMAP_FORM_LITERAL8 = 3 /* needs literal8: holds NUL (RFC 3516) */
} mw__imap_strform;

#define MW__IMAP_STR_ASTRING 0x01u /* an astring position: atom allowed */
#define MW__IMAP_STR_UTF8 0x02u    /* UTF-8 allowed in quoted (UTF8=ACCEPT) */
#define MW__IMAP_STR_NO_ATOM 0x04u /* always quote (string positions) */
#define MW__IMAP_STR_BINARY 0x08u  /* added by A: literal8 "~{n}" allowed
                                      (mw__imap_out_nstring_any; BINARY) */
/* The shortest valid form of p[0..n) in a position described by flags.
 * Quoted strings longer than 1024 bytes become literals. */
mw__imap_strform mw__imap_str_form(const char *p, size_t n, unsigned flags);
/* Append p as an atom or quoted string; MW_E_INVAL (sticky) when it needs
 * a literal (the caller handles literals, which need a round trip or a
 * "+" marker). */
void mw__imap_out_string(mw__imap_out *o, const char *p, size_t n,
                         unsigned flags);
/* nstring: NIL for a NULL ptr, else as mw__imap_out_string with the
 * string flags; for the server, which may send a literal inline, use
 * mw__imap_out_nstring_any. */
void mw__imap_out_nstring(mw__imap_out *o, mw_span s, unsigned flags);
/* Server side: any value, as atom/quoted or as an inline literal
 * "{n}\r\n" + bytes (literal8 "~{n}" when it holds NUL and binary is
 * allowed, else MW_E_INVAL). */
void mw__imap_out_nstring_any(mw__imap_out *o, mw_span s, unsigned flags);
void mw__imap_out_seqset(mw__imap_out *o, const mw_imap_seqset *s);
void mw__imap_out_flags(mw__imap_out *o, const mw_imap_flags *f);
void mw__imap_out_datetime(mw__imap_out *o, const mw_imap_datetime *d); /* quoted */
void mw__imap_out_date(mw__imap_out *o, const mw_imap_datetime *d);     /* d-Mon-yyyy */

/* ENVELOPE/BODYSTRUCTURE/response codes are parsed by the client's
 * response parser (client_*.c) and written by the server's formatter
 * (server_*.c); capabilities by the public mw_imap_caps_parse(). */

/* ---- STATUS item names (names.c) -------------------------------------- */

/* The MW_IMAP_STATUS_* bits below MW_IMAP_STATUS_OTHER (imap.h). */
#define MW__IMAP_STATUS_COUNT 11u
/* The status-att name of MW_IMAP_STATUS_* bit `bit` ("MESSAGES"), "" past
 * the last: for the client's STATUS command and the server's response. */
const char *mw__imap_status_name(unsigned bit);

/* ---- capability names (caps.c) --------------------------------------- */

/* The MW_IMAP_CAP_* bits (imap.h) and the MW_IMAP_AUTH_* bits below
 * MW_IMAP_AUTH_OTHER: one name table for the client's parser and the
 * server's CAPABILITY list. */
#define MW__IMAP_CAP_COUNT 47u
#define MW__IMAP_AUTH_COUNT 9u
/* The name of capability bit `bit` as a server writes it ("IMAP4rev1"),
 * "" for THREAD (written as THREAD=algorithm) and for a bit past the
 * last. */
const char *mw__imap_cap_name(unsigned bit);
/* The SASL mechanism of MW_IMAP_AUTH_* bit `bit` ("PLAIN"), "" past the
 * last. */
const char *mw__imap_auth_name(unsigned bit);

#endif
