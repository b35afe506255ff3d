/* SPDX-License-Identifier: MIT */
/*
 * The POP3 syntax both roles share (lib/pop3/grammar.c): command keywords
 * (RFC 1939 §3, RFC 2449 §5, RFC 5034 §4, RFC 2595 §4, RFC 6856 §2),
 * status lines with their extended response codes (RFC 2449 §3 and §8,
 * RFC 3206), CAPA lines (RFC 2449 §5-6), scan and unique-id listings
 * (RFC 1939 §5, §7), and the small token checks and formatters the
 * machines use. Internal: mw__ names, hidden from the shared library.
 */
#ifndef MW_POP3_GRAMMAR_H
#define MW_POP3_GRAMMAR_H

#include "core/internal.h"
#include "mailwire/pop3.h"

/* Keyword of a command line (case-insensitive) to its mw_pop3_cmd_id;
 * 0 when it is not a POP3 command this library knows. */
int mw__pop3_cmd_lookup(const char *p, size_t n);

/* The bracketed text of a response code ("SYS/TEMP") to its mw_pop3_rcode.
 * Codes are hierarchical (RFC 2449 §8: levels separated by "/"): a known
 * code followed by further levels ("SYS/TEMP/QUOTA") is that code.
 * Case-insensitive. Unknown: MW_POP3_RC_OTHER. */
int mw__pop3_rcode_lookup(const char *p, size_t n);

/* A status line without its CRLF: "+OK" or "-ERR", then optionally SP and
 * text that may begin with a response code "[...]" (RFC 2449 §3, §9). */
typedef struct mw__pop3_status {
    int ok;        /* 1 for +OK, 0 for -ERR */
    int rcode;     /* mw_pop3_rcode */
    mw_span code;  /* between the brackets; empty when no code */
    mw_span text;  /* after the status (and code and one SP) */
} mw__pop3_status;

/* Parse a status line. Tolerated: the status in any case, no text at all
 * ("+OK" alone, as Dovecot sends before CAPA lines), several spaces. A
 * "[" that does not open a well-formed code is plain text. Returns MW_OK,
 * or MW_E_SYNTAX when the line does not start with +OK or -ERR followed by
 * the end or a space. */
int mw__pop3_parse_status(const char *p, size_t n, mw__pop3_status *st);

/* A CAPA line (RFC 2449 §5: capa-tag *(SP param)). Fills tag, params
 * (after the tag and its spaces, trailing spaces removed) and id (the
 * MW_POP3_CAPA_* bit of a known tag, else 0). Returns MW_OK or
 * MW_E_SYNTAX (empty tag, a control or 8-bit byte in the tag). */
int mw__pop3_parse_capa(const char *p, size_t n, mw_pop3_capa_line *out);

/* Add a parsed CAPA line to a set: flags, and the values of LOGIN-DELAY,
 * EXPIRE, SASL and UTF8. Returns MW_OK, or MW_E_SYNTAX when a known
 * capability has malformed arguments (the set is left unchanged). */
int mw__pop3_capa_apply(mw_pop3_capa *set, const mw_pop3_capa_line *l);

/* MW_POP3_SASL_* bit of a mechanism name (case-insensitive). */
uint32_t mw__pop3_sasl_bit(const char *p, size_t n);

/* A message number: 1*DIGIT, value 1..UINT32_MAX. Returns MW_OK,
 * MW_E_SYNTAX (empty, non-digit, or 0) or MW_E_OVERFLOW. */
int mw__pop3_parse_msg(const char *p, size_t n, uint32_t *out);

/* A scan listing "msg SP octets" (RFC 1939 §5), possibly followed by SP
 * and anything ("this memo makes no requirement on what follows"). */
int mw__pop3_parse_scan(const char *p, size_t n, uint32_t *msg,
                        uint64_t *octets);

/* A unique-id listing "msg SP uid" (RFC 1939 §7), uid 1..70 characters in
 * 0x21..0x7E; trailing spaces tolerated. */
int mw__pop3_parse_uidl(const char *p, size_t n, uint32_t *msg,
                        mw_span *uid);

/* A drop listing "count SP octets" (RFC 1939 §5 STAT). */
int mw__pop3_parse_stat(const char *p, size_t n, uint32_t *count,
                        uint64_t *octets);

/* Decimal digits of v into out (at least 20 bytes); returns the count.
 * The core formatter (no 64-bit division on 32-bit targets). */
static inline size_t mw__pop3_fmt_u64(char *out, uint64_t v)
{
    return mw__fmt_u64(out, v);
}

/* 1 when p[0..n) has no CR, LF or NUL. */
int mw__pop3_text_ok(const char *p, size_t n);

/* 1 when p[0..n) is a valid unique-id (RFC 1939 §7). */
int mw__pop3_uid_ok(const char *p, size_t n);

/* 1 when p[0..n) is a language tag (RFC 5646, at the level of RFC 6856 §3:
 * 1*8ALPHA *("-" 1*8alphanum)); with star, "*" is taken too (an RFC 4647
 * §2.1 basic language range). */
int mw__pop3_lang_ok(const char *p, size_t n, int star);

/* "tag [SP text]": a line of a LANG listing or the text of a +OK to LANG
 * (RFC 6856 §3.2). MW_E_SYNTAX when it does not start with a tag. */
int mw__pop3_parse_lang(const char *p, size_t n, mw_span *tag, mw_span *text);

/* 1 when p[0..n) is a SASL mechanism name (RFC 4422 §3.1: 1 to 20 of
 * A-Z 0-9 - _; lower case accepted too). */
int mw__pop3_mech_ok(const char *p, size_t n);

/* 1 when p[0..n) holds only base64 characters (RFC 4648 §4 alphabet and
 * '='). Strict decoding is the mechanism's business. */
int mw__pop3_b64_chars_ok(const char *p, size_t n);

/* 1 when the space-separated list `list` (NUL-terminated) holds the word
 * p[0..n), compared case-insensitively. */
int mw__pop3_word_listed(const char *list, const char *p, size_t n);

/* 1 when p[0..n) is a dot-atom-text (RFC 5322 §3.2.3): atext runs
 * separated by single dots. Used for the parts of an APOP timestamp. */
int mw__pop3_dot_atom_ok(const char *p, size_t n);

/* A line under construction in a fixed buffer: appends stop at `cap` and
 * set `overflow`. */
typedef struct mw__pop3_buf {
    char *p;
    size_t len, cap;
    int overflow;
} mw__pop3_buf;

void mw__pop3_put(mw__pop3_buf *b, const char *s, size_t n);
void mw__pop3_puts(mw__pop3_buf *b, const char *s);
void mw__pop3_put_u64(mw__pop3_buf *b, uint64_t v);

#endif
