/* SPDX-License-Identifier: MIT */
/*
 * The RFC 5322 lexical layer (§3.2) shared by every structured field parser:
 * character classes, CFWS (folding white space and nested comments, skipped
 * iteratively with a depth bound), atoms, dot-atoms, quoted strings and
 * domain literals. It works on one complete field value, raw (with folding
 * CRLFs) or unfolded; CR and LF are treated as folding white space.
 *
 * Every function that reads a token returns 1 when it read one, 0 when the
 * input does not start with that token (nothing consumed), or a negative
 * MW_E_* status when the token started but is malformed (the error is also
 * recorded in the lexer with its offset and reason).
 */
#ifndef MW_RFC5322_LEX_H
#define MW_RFC5322_LEX_H

#include "core/internal.h"

/* Character classes (bits of mw__hdr_ctype[]). Bytes >= 0x80 count as
 * atext, qtext, ctext and dtext (RFC 6532 UTF8-non-ascii); the obsolete
 * control characters (obs-NO-WS-CTL) count as qtext, ctext and dtext. */
#define MW__C_ATEXT 0x01u
#define MW__C_SPECIAL 0x02u
#define MW__C_WSP 0x04u
#define MW__C_QTEXT 0x08u
#define MW__C_CTEXT 0x10u
#define MW__C_DTEXT 0x20u
#define MW__C_DIGIT 0x40u
#define MW__C_ALPHA 0x80u

extern const uint8_t mw__hdr_ctype[256];

static inline int mw__is(unsigned char c, unsigned cls)
{
    return (mw__hdr_ctype[c] & cls) != 0;
}

/* Scanning classes (bits of mw__lex_scan[]) for the hot loops: each bit
 * holds the bytes a loop may step over without any other work, so the
 * loop tests one table bit per byte and leaves every other byte (a
 * delimiter, a quoted-pair, a byte that raises a flag) to slower code.
 * None of them holds a byte >= 0x80, NUL or a control other than FWS. */
#define MW__S_ATOM 0x01u    /* ASCII atext */
#define MW__S_QUOTED 0x02u  /* ASCII qtext without obs-qtext, and FWS */
#define MW__S_COMMENT 0x04u /* ASCII ctext without obs-ctext, and FWS */
#define MW__S_LITERAL 0x08u /* ASCII dtext without obs-dtext, and FWS */
#define MW__S_FWS 0x10u     /* SP, HT, CR, LF */
#define MW__S_CFWS 0x20u    /* what CFWS starts with: FWS and '(' */
#define MW__S_EW_TOKEN 0x40u /* RFC 2047 token (charset, encoding) */
#define MW__S_EW_TEXT 0x80u  /* RFC 2047 encoded-text outside comments */

extern const uint8_t mw__lex_scan[256];

/* Flags the lexer raises as it goes (never cleared by it). */
#define MW__LEX_COMMENT 0x01u  /* a comment was skipped */
#define MW__LEX_8BIT 0x02u     /* a byte >= 0x80 was read */
#define MW__LEX_OBS_CTL 0x04u  /* an obsolete control character was read */
#define MW__LEX_NUL 0x08u      /* a NUL byte was seen, inside a quoted
                                  string or comment: never in an atom */
#define MW__LEX_QPAIR 0x10u    /* a quoted-pair was read */

typedef struct mw__lex {
    const char *base; /* start of the value; offsets count from here */
    const char *p;    /* next byte to read */
    const char *end;
    unsigned max_depth; /* comment nesting bound */
    unsigned flags;     /* MW__LEX_* seen so far */
    mw_span comment;    /* contents of the first comment seen (no parens) */
    int err;            /* first error: status, offset, reason */
    size_t err_off;
    const char *err_reason;
} mw__lex;

static inline void mw__lex_init(mw__lex *lx, const char *p, size_t n)
{
    lx->base = p;
    lx->p = p;
    lx->end = p + n;
    lx->max_depth = MW_HDR_MAX_COMMENT_DEPTH;
    lx->flags = 0;
    lx->comment = mw__span(NULL, 0);
    lx->err = 0;
    lx->err_off = 0;
    lx->err_reason = NULL;
}

static inline int mw__lex_eof(const mw__lex *lx)
{
    return lx->p >= lx->end;
}

/* Next byte, or -1 at the end. */
static inline int mw__lex_peek(const mw__lex *lx)
{
    return lx->p < lx->end ? (unsigned char)*lx->p : -1;
}

static inline size_t mw__lex_off(const mw__lex *lx)
{
    return (size_t)(lx->p - lx->base);
}

/* Record an error (the first one wins) and return its code. Called through
 * the macro, which passes the reason through MW__TEXT. */
int mw__lex_error_(mw__lex *lx, int code, const char *at, const char *reason);
#define mw__lex_error(lx, code, at, reason)                                  \
    mw__lex_error_((lx), (code), (at), MW__TEXT(reason))

/* Skip CFWS: spaces, tabs, CR, LF and comments, nested up to max_depth.
 * Returns MW_OK, or MW_E_SYNTAX (comment not closed: the position is left
 * at the end) or MW_E_DEPTH (too deep: the position is left after the
 * whole comment, found by counting, so the caller may go on). */
int mw__lex_cfws_slow(mw__lex *lx);
static inline int mw__lex_cfws(mw__lex *lx)
{
    /* Called before every token: the usual answer is nothing or a little
     * white space; only a comment needs the function call. */
    const char *p = lx->p, *end = lx->end;
    if (p >= end || !(mw__lex_scan[(unsigned char)*p] & MW__S_CFWS))
        return MW_OK;
    while (p < end && (mw__lex_scan[(unsigned char)*p] & MW__S_FWS))
        p++;
    lx->p = p;
    if (p < end && *p == '(')
        return mw__lex_cfws_slow(lx);
    return MW_OK;
}

/* The end of an atom that has reached a byte >= 0x80 at q (see
 * mw__lex_atom); raises MW__LEX_8BIT. */
const char *mw__lex_atom_8bit(mw__lex *lx, const char *q);

/* atext+ ; 1 when read. Inline: every word of every address, msg-id and
 * phrase comes through here. */
static inline int mw__lex_atom(mw__lex *lx, mw_span *out)
{
    const char *s = lx->p, *q, *end = lx->end;
    /* Counting a negative index up to 0 lets the compiler fold the bound
     * check into the increment (one instruction less per byte). */
    ptrdiff_t i = s - end;
    while (i < 0 && (mw__lex_scan[(unsigned char)end[i]] & MW__S_ATOM))
        i++;
    q = end + i;
    /* Bytes >= 0x80 are atext too (RFC 6532) but raise a flag: the ASCII
     * loop stops at them and the rest of the atom is read out of line. */
    if (q < end && (unsigned char)*q >= 0x80)
        q = mw__lex_atom_8bit(lx, q);
    /* *out is set even when there is no atom (to an empty span), which
     * keeps the compiler from seeing a use of it as uninitialised. */
    lx->p = q;
    *out = mw__span(s, (size_t)(q - s));
    return q != s;
}

/* After an atom: the rest of its dot-atom-text, '.' and an atom at a time
 * with nothing between them. A '.' not followed by atext is left unread,
 * and so is CFWS: callers whose grammar allows CFWS around the dots (the
 * obsolete forms) go on with their general loop, which reads what this
 * reads the same way, only slower. */
static inline void mw__lex_dot_atom_rest(mw__lex *lx)
{
    mw_span s;
    while (lx->end - lx->p >= 2 && lx->p[0] == '.' &&
           mw__is((unsigned char)lx->p[1], MW__C_ATEXT)) {
        lx->p++;
        (void)mw__lex_atom(lx, &s);
    }
}

/* dot-atom-text: atext+ *("." atext+). A trailing or doubled dot is not
 * consumed (the caller decides whether obsolete forms apply). */
int mw__lex_dot_atom(mw__lex *lx, mw_span *out);

/* quoted-string from the opening DQUOTE to the closing one; `out` includes
 * both quotes. MW_E_SYNTAX when unterminated (position left at the end). */
int mw__lex_quoted(mw__lex *lx, mw_span *out);

/* domain-literal "[" *dtext "]" with FWS and (obsolete) quoted-pairs;
 * `out` includes the brackets. */
int mw__lex_domain_literal(mw__lex *lx, mw_span *out);

/* word = atom / quoted-string. */
static inline int mw__lex_word(mw__lex *lx, mw_span *out)
{
    if (mw__lex_atom(lx, out))
        return 1;
    return mw__lex_quoted(lx, out);
}

/* Copy the contents of a quoted string (with or without its quotes) into
 * out: quotes dropped, quoted-pairs resolved, folding CRLF/LF removed.
 * Returns MW_OK or MW_E_NOSPACE; *outlen is set either way to the bytes
 * written. */
int mw__unquote(mw_span q, char *out, size_t cap, size_t *outlen);

/* An option bit of mw_hdr_addr_iter_init() for the unit tests: read every
 * entry with the general parser, never the fast path (addr.c), so that
 * both can be compared. It changes no result; the public header documents
 * unknown bits as ignored. */
#define MW__HDR_ADDR_SLOW 0x8000u

#endif
