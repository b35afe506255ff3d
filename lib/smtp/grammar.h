/* SPDX-License-Identifier: MIT */
/*
 * Internal API of the RFC 5321 grammar that the SMTP server and client
 * share (lib/smtp/grammar.c). The public half (paths, domains, xtext,
 * enhanced status codes, verbs, extension names) is declared in
 * include/mailwire/smtp.h; what is here is for the machines only:
 * character classes, the ESMTP parameter scanner, xtext checking without
 * copying, and the helpers the reply builders use.
 *
 * Offsets in mw_error are relative to the pointer passed in; a machine
 * adds the offset of the line.
 */
#ifndef MW_SMTP_GRAMMAR_H
#define MW_SMTP_GRAMMAR_H

#include "core/internal.h"
#include "mailwire/smtp.h"

/* ---- character classes (one table, grammar.c) ---- */

#define MW__SMTP_ALPHA 0x01u  /* A-Z a-z */
#define MW__SMTP_DIGIT 0x02u  /* 0-9 */
#define MW__SMTP_ATEXT 0x04u  /* RFC 5322 atext (used by RFC 5321 Atom) */
#define MW__SMTP_QTEXT 0x08u  /* qtextSMTP: %d32-33 / %d35-91 / %d93-126 */
#define MW__SMTP_XCHAR 0x10u  /* xtext xchar: %d33-126 except "+" "=" */
#define MW__SMTP_VALUE 0x20u  /* esmtp-value: %d33-60 / %d62-126 */
#define MW__SMTP_DCONT 0x40u  /* dcontent: %d33-90 / %d94-126 */
#define MW__SMTP_HEX 0x80u    /* 0-9 A-F a-f */

extern const uint8_t mw__smtp_cc[256];

static inline int mw__smtp_is(unsigned char c, unsigned cls)
{
    return (mw__smtp_cc[c] & cls) != 0;
}

/* ---- ESMTP parameters (RFC 5321 §4.1.2) ---- */

/* Read the next parameter of a Mail-parameters / Rcpt-parameters list
 * p[*pos..n), where *pos is at the SP that separates it from what came
 * before (the path or the previous parameter). Returns 1 with *out filled
 * and *pos after the parameter; 0 when *pos == n (no more); MW_E_SYNTAX
 * (err offset relative to p) for a missing SP, an empty or bad keyword,
 * "=" without a value or a value octet outside esmtp-value. With `utf8`,
 * well-formed UTF-8 is allowed in values (RFC 6531 §3.3). */
int mw__smtp_param_next(const char *p, size_t n, size_t *pos, int utf8,
                        mw_smtp_param *out, mw_error *err);

/* The MAIL (rcpt 0) and RCPT (rcpt 1) parameters this library knows:
 * RFC 1870 SIZE, RFC 6152/3030 BODY, RFC 6531 SMTPUTF8, RFC 3461 RET,
 * ENVID, NOTIFY and ORCPT, RFC 4954 AUTH, RFC 8689 REQUIRETLS, RFC 6710
 * MT-PRIORITY. The server parses their values; the client writes them
 * from their typed fields only. */
enum { MW__SMTP_K_SIZE = 1, MW__SMTP_K_BODY, MW__SMTP_K_SMTPUTF8,
       MW__SMTP_K_RET, MW__SMTP_K_ENVID, MW__SMTP_K_AUTH,
       MW__SMTP_K_REQUIRETLS, MW__SMTP_K_MTPRIO, MW__SMTP_K_NOTIFY,
       MW__SMTP_K_ORCPT };

/* Which of them the parameter name `n` is (case-insensitive), or 0. */
int mw__smtp_param_kind(mw_span n, int rcpt);

/* ---- xtext (RFC 3461 §4) ---- */

/* Check xtext p[0..n) without decoding it. On MW_OK, *declen is the
 * decoded length and *ctl is set when the decoded bytes hold a control
 * character (%d0-31 or %d127), which no DSN or AUTH= value may carry.
 * MW_E_SYNTAX (offset relative to p) otherwise. */
int mw__smtp_xtext_check(const char *p, size_t n, size_t *declen, int *ctl,
                         mw_error *err);

/* Decode xtext already checked by mw__smtp_xtext_check() into out (may be
 * p itself: the output never passes the input). Returns the length. */
size_t mw__smtp_xtext_decode_checked(const char *p, size_t n, char *out);

/* ---- domains ---- */

/* Parse a Domain, or with MW_SMTP_PARSE_LITERAL an address literal, at the
 * start of p[0..n), stopping at the first byte that cannot continue it.
 * *used gets its length; *pflags gets MW_SMTP_PATH_LITERAL/IPV4/IPV6/
 * GENERAL/UTF8 bits as found (or-ed in). Same statuses as
 * mw_smtp_domain_check(). */
int mw__smtp_domain(const char *p, size_t n, unsigned flags, size_t *used,
                    unsigned *pflags, mw_error *err);

/* ---- reply helpers ---- */

/* Length of an enhanced status code and its following space at the start
 * of a reply text whose class matches `cls` ('2', '4', '5'), or 0. */
size_t mw__smtp_esc_prefix(const char *text, size_t n, char cls);

/* Case-insensitive equality of p[0..n) and an upper-case ASCII word. */
static inline int mw__smtp_word_is(const char *p, size_t n, const char *w)
{
    return mw__span_ieq(mw__span(p, n), w);
}

#endif
