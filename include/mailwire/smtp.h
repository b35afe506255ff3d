/* SPDX-License-Identifier: MIT */
/**
 * @file smtp.h
 * @brief SMTP and LMTP (RFC 5321, RFC 2033): the types and the grammar both
 *        roles share, and the role headers of this build.
 *
 * This header is the SMTP umbrella. It defines what the server machine
 * (smtp_server.h), the client machine (smtp_client.h) and the send-only
 * sender for devices (smtp_sender.h) have in common, and includes the role
 * headers that the build contains (`MW_ENABLE_SMTP_SERVER`,
 * `MW_ENABLE_SMTP_CLIENT`, `MW_ENABLE_SMTP_SENDER` in features.h):
 *
 * - reply codes (::mw_smtp_reply_code, RFC 5321 §4.2.3) and enhanced
 *   status codes (::mw_smtp_esc, RFC 3463) with their parser and formatter;
 * - command verbs (::mw_smtp_verb, RFC 5321 §4.1 and the extensions);
 * - service extensions as bits (`MW_SMTP_EXT_*`), used by the server to
 *   build its EHLO reply and by the client for the capabilities it read;
 * - paths (::mw_smtp_path, RFC 5321 §4.1.2, with the address literals of
 *   §4.1.3 and the UTF-8 forms of RFC 6531 §3.3) and their parser;
 * - ESMTP parameters (::mw_smtp_param) and the typed MAIL and RCPT
 *   parameters of the extensions (::mw_smtp_mail_params,
 *   ::mw_smtp_rcpt_params);
 * - xtext (RFC 3461 §4) encoding and decoding.
 *
 * Nothing here allocates. Parsers return spans into the caller's input,
 * valid for as long as that input is. Every value that was decoded (xtext,
 * base64) may hold any byte: treat it as bytes with a length, never as a
 * C string (field-notes §4.3).
 */
#ifndef MAILWIRE_SMTP_H
#define MAILWIRE_SMTP_H

#include "core.h"
#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================== */
/** @name Limits of RFC 5321 §4.5.3.1 (defaults of the machines' configs)
 *  @{ */
/** Longest command line, including CRLF (RFC 5321 §4.5.3.1.4). */
#define MW_SMTP_MAX_COMMAND_LINE 512u
/** Longest reply line, including CRLF (RFC 5321 §4.5.3.1.5). */
#define MW_SMTP_MAX_REPLY_LINE 512u
/** Longest text line of a message, including CRLF (RFC 5321 §4.5.3.1.6). */
#define MW_SMTP_MAX_TEXT_LINE 1000u
/** Recipients a server must be able to take per message
 *  (RFC 5321 §4.5.3.1.8). */
#define MW_SMTP_MAX_RECIPIENTS 100u
/** Longest domain name (RFC 5321 §4.5.3.1.2). */
#define MW_SMTP_MAX_DOMAIN 255u
/** @} */

/* ====================================================================== */
/**
 * @brief Reply codes of RFC 5321 §4.2.3 and the extensions.
 *
 * The first digit is the class: 2 positive completion, 3 positive
 * intermediate, 4 transient negative, 5 permanent negative (§4.2.1).
 * Replies are plain `unsigned` numbers in the API; these names are for
 * readability.
 */
typedef enum mw_smtp_reply_code {
    MW_SMTP_SYSTEM_STATUS = 211,        /**< system status, or help reply */
    MW_SMTP_HELP = 214,                 /**< help message */
    MW_SMTP_READY = 220,                /**< service ready (greeting; STARTTLS go-ahead) */
    MW_SMTP_CLOSING = 221,              /**< service closing transmission channel */
    MW_SMTP_AUTH_SUCCESS = 235,         /**< authentication succeeded (RFC 4954) */
    MW_SMTP_OK = 250,                   /**< requested action okay, completed */
    MW_SMTP_WILL_FORWARD = 251,         /**< user not local; will forward */
    MW_SMTP_CANNOT_VRFY = 252,          /**< cannot VRFY user, but will accept */
    MW_SMTP_AUTH_CONTINUE = 334,        /**< SASL challenge (RFC 4954) */
    MW_SMTP_START_INPUT = 354,          /**< start mail input; end with CRLF.CRLF */
    MW_SMTP_UNAVAILABLE = 421,          /**< service not available, closing */
    MW_SMTP_PASSWORD_TRANSITION = 432,  /**< password transition needed (RFC 4954) */
    MW_SMTP_MAILBOX_BUSY = 450,         /**< mailbox unavailable (busy, policy) */
    MW_SMTP_LOCAL_ERROR = 451,          /**< local error in processing */
    MW_SMTP_INSUFFICIENT_STORAGE = 452, /**< insufficient storage; too many recipients */
    MW_SMTP_TEMP_AUTH_FAILURE = 454,    /**< temporary failure (TLS, AUTH) */
    MW_SMTP_PARAMS_UNAVAILABLE = 455,   /**< server unable to accommodate parameters */
    MW_SMTP_SYNTAX_ERROR = 500,         /**< command unrecognised, line too long */
    MW_SMTP_PARAM_SYNTAX = 501,         /**< syntax error in parameters */
    MW_SMTP_NOT_IMPLEMENTED = 502,      /**< command not implemented */
    MW_SMTP_BAD_SEQUENCE = 503,         /**< bad sequence of commands */
    MW_SMTP_PARAM_NOT_IMPLEMENTED = 504, /**< command parameter not implemented */
    MW_SMTP_AUTH_REQUIRED = 530,        /**< authentication required (RFC 4954) */
    MW_SMTP_AUTH_TOO_WEAK = 534,        /**< mechanism too weak (RFC 4954) */
    MW_SMTP_AUTH_INVALID = 535,         /**< credentials invalid (RFC 4954) */
    MW_SMTP_ENCRYPTION_REQUIRED = 538,  /**< encryption required (RFC 4954) */
    MW_SMTP_MAILBOX_UNAVAILABLE = 550,  /**< mailbox unavailable, or policy */
    MW_SMTP_USER_NOT_LOCAL = 551,       /**< user not local */
    MW_SMTP_EXCEEDED_STORAGE = 552,     /**< exceeded storage allocation (size) */
    MW_SMTP_NAME_NOT_ALLOWED = 553,     /**< mailbox name not allowed */
    MW_SMTP_TRANSACTION_FAILED = 554,   /**< transaction failed; no valid recipients */
    MW_SMTP_PARAMS_NOT_RECOGNIZED = 555 /**< MAIL/RCPT parameters not recognised */
} mw_smtp_reply_code;

/* ====================================================================== */
/**
 * @brief An enhanced mail system status code, "class.subject.detail"
 *        (RFC 3463 §2, used in replies by RFC 2034).
 *
 * class is 2, 4 or 5; subject and detail are 0..999 (1 to 3 digits).
 */
typedef struct mw_smtp_esc {
    unsigned char cls;      /**< 2 (success), 4 (persistent transient), 5 (permanent) */
    unsigned short subject; /**< 0..999, e.g. 1 for addressing (X.1.X) */
    unsigned short detail;  /**< 0..999 */
} mw_smtp_esc;

/** Longest formatted enhanced status code: "5.999.999". */
#define MW_SMTP_ESC_MAX 9u

/**
 * @brief Parse an enhanced status code at the start of `p` (RFC 3463 §2:
 *        class "." 1*3digit "." 1*3digit).
 *
 * The code must be followed by the end of the input or a space (as in a
 * reply text, RFC 2034 §4); the space is not consumed. Leading zeros are
 * accepted ("5.01.001") as RFC 3463 allows them.
 *
 * @param p    the bytes; may be NULL when `n` is 0.
 * @param n    number of bytes at `p`.
 * @param out  receives the code on #MW_OK. Not NULL.
 * @param used receives the length of the code on #MW_OK (5 to 9). May be
 *             NULL.
 * @param err  optional: on #MW_E_SYNTAX, the offset in `p` and a reason.
 * @return #MW_OK;
 *         #MW_E_SYNTAX when `p` does not start with a valid code (class not
 *         2/4/5, a missing or over-long number, no space or end after it);
 *         #MW_E_INVAL when `out` is NULL, or `p` is NULL with `n` > 0.
 */
MW_API int mw_smtp_esc_parse(const char *p, size_t n, mw_smtp_esc *out,
                             size_t *used, mw_error *err);

/**
 * @brief Format an enhanced status code as "c.s.d" (no space, no NUL).
 * @param esc    the code. Not NULL.
 * @param out    where the characters go (at most #MW_SMTP_ESC_MAX).
 * @param cap    capacity of `out`.
 * @param outlen receives the number of characters written. May be NULL.
 * @return #MW_OK;
 *         #MW_E_INVAL when `esc` or `out` is NULL or the code is out of
 *         range (class not 2/4/5, subject or detail above 999);
 *         #MW_E_NOSPACE when it does not fit in `cap` (nothing written).
 */
MW_API int mw_smtp_esc_format(const mw_smtp_esc *esc, char *out, size_t cap,
                              size_t *outlen);

/* ====================================================================== */
/**
 * @brief SMTP and LMTP commands (RFC 5321 §4.1.1 and the extensions).
 */
typedef enum mw_smtp_verb {
    MW_SMTP_CMD_UNKNOWN = 0,   /**< not a command this library knows */
    MW_SMTP_CMD_HELO = 1,      /**< RFC 5321 §4.1.1.1 */
    MW_SMTP_CMD_EHLO = 2,      /**< RFC 5321 §4.1.1.1 */
    MW_SMTP_CMD_MAIL = 3,      /**< RFC 5321 §4.1.1.2 */
    MW_SMTP_CMD_RCPT = 4,      /**< RFC 5321 §4.1.1.3 */
    MW_SMTP_CMD_DATA = 5,      /**< RFC 5321 §4.1.1.4 */
    MW_SMTP_CMD_RSET = 6,      /**< RFC 5321 §4.1.1.5 */
    MW_SMTP_CMD_NOOP = 7,      /**< RFC 5321 §4.1.1.9 */
    MW_SMTP_CMD_QUIT = 8,      /**< RFC 5321 §4.1.1.10 */
    MW_SMTP_CMD_VRFY = 9,      /**< RFC 5321 §4.1.1.6 */
    MW_SMTP_CMD_EXPN = 10,     /**< RFC 5321 §4.1.1.7 */
    MW_SMTP_CMD_HELP = 11,     /**< RFC 5321 §4.1.1.8 */
    MW_SMTP_CMD_AUTH = 12,     /**< RFC 4954 §4 */
    MW_SMTP_CMD_STARTTLS = 13, /**< RFC 3207 §4 */
    MW_SMTP_CMD_BDAT = 14,     /**< RFC 3030 §2 */
    MW_SMTP_CMD_LHLO = 15,     /**< RFC 2033 §4.1 */
    MW_SMTP_CMD_ETRN = 16      /**< RFC 1985 §3 */
} mw_smtp_verb;

/**
 * @brief The command word of a verb ("EHLO", "STARTTLS"...).
 * @param verb any value.
 * @return a static upper-case string; "" for #MW_SMTP_CMD_UNKNOWN and
 *         values that are not verbs. Never NULL.
 */
MW_API const char *mw_smtp_verb_name(mw_smtp_verb verb);

/**
 * @brief The verb named by a command word, compared without regard to
 *        ASCII case (RFC 5321 §2.4).
 * @param p the word (no spaces); may be NULL when `n` is 0.
 * @param n its length.
 * @return the verb, #MW_SMTP_CMD_UNKNOWN when it names none.
 */
MW_API mw_smtp_verb mw_smtp_verb_lookup(const char *p, size_t n);

/* ====================================================================== */
/** @name Service extensions (EHLO keywords, RFC 5321 §4.1.1.1)
 *  Bits of an extension set. A server advertises the set of its config in
 *  its EHLO reply; a client reads the set the server offered. The comment
 *  of each names the keyword as it appears on the wire.
 *  @{ */
#define MW_SMTP_EXT_SIZE 0x00000001u                /**< SIZE (RFC 1870) */
#define MW_SMTP_EXT_PIPELINING 0x00000002u          /**< PIPELINING (RFC 2920) */
#define MW_SMTP_EXT_8BITMIME 0x00000004u            /**< 8BITMIME (RFC 6152) */
#define MW_SMTP_EXT_STARTTLS 0x00000008u            /**< STARTTLS (RFC 3207) */
#define MW_SMTP_EXT_AUTH 0x00000010u                /**< AUTH (RFC 4954) */
#define MW_SMTP_EXT_ENHANCEDSTATUSCODES 0x00000020u /**< ENHANCEDSTATUSCODES (RFC 2034) */
#define MW_SMTP_EXT_DSN 0x00000040u                 /**< DSN (RFC 3461) */
#define MW_SMTP_EXT_SMTPUTF8 0x00000080u            /**< SMTPUTF8 (RFC 6531) */
#define MW_SMTP_EXT_CHUNKING 0x00000100u            /**< CHUNKING (RFC 3030) */
#define MW_SMTP_EXT_BINARYMIME 0x00000200u          /**< BINARYMIME (RFC 3030) */
#define MW_SMTP_EXT_VRFY 0x00000400u                /**< VRFY (advertised by Postfix) */
#define MW_SMTP_EXT_EXPN 0x00000800u                /**< EXPN */
#define MW_SMTP_EXT_HELP 0x00001000u                /**< HELP */
#define MW_SMTP_EXT_ETRN 0x00002000u                /**< ETRN (RFC 1985) */
#define MW_SMTP_EXT_REQUIRETLS 0x00004000u          /**< REQUIRETLS (RFC 8689) */
#define MW_SMTP_EXT_MT_PRIORITY 0x00008000u         /**< MT-PRIORITY (RFC 6710) */
#define MW_SMTP_EXT_DELIVERBY 0x00010000u           /**< DELIVERBY (RFC 2852) */
#define MW_SMTP_EXT_FUTURERELEASE 0x00020000u       /**< FUTURERELEASE (RFC 4865) */
#define MW_SMTP_EXT_RRVS 0x00040000u                /**< RRVS (RFC 7293) */
#define MW_SMTP_EXT_MTRK 0x00080000u                /**< MTRK (RFC 3885) */
#define MW_SMTP_EXT_BURL 0x00100000u                /**< BURL (RFC 4468) */
#define MW_SMTP_EXT_ATRN 0x00200000u                /**< ATRN (RFC 2645) */
#define MW_SMTP_EXT_NO_SOLICITING 0x00400000u       /**< NO-SOLICITING (RFC 3865) */
#define MW_SMTP_EXT_CONPERM 0x00800000u             /**< CONPERM (RFC 4141) */
#define MW_SMTP_EXT_CONNEG 0x01000000u              /**< CONNEG (RFC 4141) */
#define MW_SMTP_EXT_LIMITS 0x02000000u              /**< LIMITS (RFC 9422) */
#define MW_SMTP_EXT_XCLIENT 0x04000000u             /**< XCLIENT (Postfix) */
#define MW_SMTP_EXT_SUBMITTER 0x08000000u           /**< SUBMITTER (RFC 4405) */
/** @} */

/**
 * @brief The EHLO keyword of one extension bit.
 * @param ext exactly one `MW_SMTP_EXT_*` bit.
 * @return a static upper-case keyword ("8BITMIME", "MT-PRIORITY"); "" when
 *         `ext` is not exactly one known bit. Never NULL.
 */
MW_API const char *mw_smtp_ext_name(unsigned long ext);

/**
 * @brief The extension bit of an EHLO keyword, compared without regard to
 *        ASCII case (RFC 5321 §4.1.1.1: keywords are case-insensitive).
 * @param p the keyword alone (no parameters); may be NULL when `n` is 0.
 * @param n its length.
 * @return one `MW_SMTP_EXT_*` bit; 0 when the keyword is not one of them.
 */
MW_API unsigned long mw_smtp_ext_lookup(const char *p, size_t n);

/**
 * @brief Check the syntax of an EHLO keyword (RFC 5321 §4.1.1.1:
 *        ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")).
 * @param p the keyword; may be NULL when `n` is 0.
 * @param n its length.
 * @param err optional: on #MW_E_SYNTAX, offset and reason.
 * @return #MW_OK or #MW_E_SYNTAX (also for an empty keyword).
 */
MW_API int mw_smtp_ehlo_keyword_check(const char *p, size_t n, mw_error *err);

/* ====================================================================== */
/** @name Options of the path and domain parsers
 *  @{ */
/** Accept the null reverse-path "<>" (MAIL FROM, RFC 5321 §4.1.1.2). */
#define MW_SMTP_PARSE_NULL_PATH 0x01u
/** Accept "<Postmaster>" without a domain (RCPT TO, RFC 5321 §4.1.1.3);
 *  compared without regard to case. */
#define MW_SMTP_PARSE_POSTMASTER 0x02u
/** Accept UTF-8 (well-formed, non-ASCII) in the local part and the domain,
 *  as RFC 6531 §3.3 allows once SMTPUTF8 is in use. Without it, any octet
 *  above 127 is a syntax error. */
#define MW_SMTP_PARSE_UTF8 0x04u
/** mw_smtp_domain_check(): also accept an address literal ("[192.0.2.1]",
 *  "[IPv6:2001:db8::1]"), as EHLO does (RFC 5321 §4.1.1.1). */
#define MW_SMTP_PARSE_LITERAL 0x08u
/** @} */

/** @name Flags of ::mw_smtp_path (what the parser found)
 *  @{ */
/** The null path "<>": `mailbox`, `local` and `domain` are empty. */
#define MW_SMTP_PATH_NULL 0x001u
/** "<Postmaster>" without a domain: `mailbox` and `local` hold the word as
 *  written, `domain` is empty. */
#define MW_SMTP_PATH_POSTMASTER 0x002u
/** The local part is a Quoted-string; `local` includes the quotes
 *  (mw_smtp_unquote() gives the content). */
#define MW_SMTP_PATH_QUOTED 0x004u
/** The domain is an address literal; `domain` includes the brackets. One
 *  of the next three flags says which kind. */
#define MW_SMTP_PATH_LITERAL 0x008u
/** An IPv4 address literal ("[192.0.2.1]", RFC 5321 §4.1.3). */
#define MW_SMTP_PATH_IPV4 0x010u
/** An IPv6 address literal ("[IPv6:2001:db8::1]", RFC 5321 §4.1.3). */
#define MW_SMTP_PATH_IPV6 0x020u
/** A general address literal ("[tag:content]", RFC 5321 §4.1.3). */
#define MW_SMTP_PATH_GENERAL 0x040u
/** The path holds octets above 127 (well-formed UTF-8; only with
 *  #MW_SMTP_PARSE_UTF8). Such a path needs SMTPUTF8 (RFC 6531). */
#define MW_SMTP_PATH_UTF8 0x080u
/** A source route ("<@a,@b:user@c>", RFC 5321 §4.1.2 A-d-l) came before
 *  the mailbox. It is not in the spans: RFC 5321 §3.3 and Appendix C say
 *  to accept it and ignore it. */
#define MW_SMTP_PATH_ROUTE 0x100u
/** @} */

/**
 * @brief A reverse-path or forward-path (RFC 5321 §4.1.2), as parsed.
 *
 * Every span points into the parsed input, so the path is valid as long as
 * that input is (for paths a machine passes to a callback: until the
 * callback returns). The spans hold the bytes as written: a quoted local
 * part keeps its quotes and backslashes, a domain keeps its case.
 */
typedef struct mw_smtp_path {
    mw_span mailbox; /**< "local@domain" (without the source route); empty for "<>" */
    mw_span local;   /**< the local part as written */
    mw_span domain;  /**< the domain or the address literal with its brackets */
    unsigned flags;  /**< `MW_SMTP_PATH_*` */
} mw_smtp_path;

/**
 * @brief Parse a path "<...>" at the start of `p` (RFC 5321 §4.1.2:
 *        Path = "<" [ A-d-l ":" ] Mailbox ">", or "<>").
 *
 * Accepts quoted local parts (§4.1.2 Quoted-string), IPv4, IPv6 and general
 * address literals (§4.1.3; an IPv4 number must be 0..255, an IPv6 address
 * must have 8 groups, or fewer with one "::" standing for at least two),
 * and a source route, which is checked and dropped. Domains are
 * sub-domains of letters, digits and hyphens (no hyphen first or last),
 * each at most 63 octets, the domain at most 255. UTF-8 only with
 * #MW_SMTP_PARSE_UTF8 (RFC 6531 §3.3). Parsing stops at the ">"; what
 * follows is the caller's (ESMTP parameters).
 *
 * @param p     the bytes, starting with "<"; may be NULL when `n` is 0.
 * @param n     number of bytes at `p`.
 * @param flags `MW_SMTP_PARSE_NULL_PATH`, `MW_SMTP_PARSE_POSTMASTER`,
 *              `MW_SMTP_PARSE_UTF8`, or 0.
 * @param out   receives the path on #MW_OK (spans into `p`). Not NULL.
 * @param used  receives the bytes of the path, through its ">", on #MW_OK.
 *              May be NULL.
 * @param err   optional: on #MW_E_SYNTAX or #MW_E_UTF8, the offset in `p`
 *              of the offending byte and a reason.
 * @return #MW_OK;
 *         #MW_E_SYNTAX for anything the grammar does not allow (including
 *         "<>" or "<Postmaster>" without their flag, and an octet above 127
 *         without #MW_SMTP_PARSE_UTF8);
 *         #MW_E_UTF8 for ill-formed UTF-8 with #MW_SMTP_PARSE_UTF8;
 *         #MW_E_TOO_LONG for a label over 63 or a domain over 255 octets;
 *         #MW_E_INVAL when `out` is NULL or `p` is NULL with `n` > 0.
 */
MW_API int mw_smtp_path_parse(const char *p, size_t n, unsigned flags,
                              mw_smtp_path *out, size_t *used, mw_error *err);

/**
 * @brief Check a Mailbox "local@domain" without angle brackets (RFC 5321
 *        §4.1.2), all of `p`; the same rules as mw_smtp_path_parse().
 *
 * Meant for values that go into a path: a client checks the address it is
 * asked to send before formatting "MAIL FROM:<...>".
 *
 * @param p     the mailbox; may be NULL when `n` is 0.
 * @param n     its length.
 * @param flags #MW_SMTP_PARSE_UTF8 or 0.
 * @param out   optional: receives the parts (spans into `p`) on #MW_OK.
 * @param err   optional: offset and reason of an error.
 * @return #MW_OK, #MW_E_SYNTAX, #MW_E_UTF8, #MW_E_TOO_LONG (as for
 *         mw_smtp_path_parse()), #MW_E_INVAL (`p` NULL with `n` > 0).
 */
MW_API int mw_smtp_mailbox_check(const char *p, size_t n, unsigned flags,
                                 mw_smtp_path *out, mw_error *err);

/**
 * @brief Check a domain (RFC 5321 §4.1.2 Domain), all of `p`; with
 *        #MW_SMTP_PARSE_LITERAL an address literal is accepted too (the
 *        argument of EHLO and LHLO).
 * @param p     the domain; may be NULL when `n` is 0.
 * @param n     its length.
 * @param flags #MW_SMTP_PARSE_LITERAL, #MW_SMTP_PARSE_UTF8, or 0.
 * @param err   optional: offset and reason of an error.
 * @return #MW_OK, #MW_E_SYNTAX, #MW_E_UTF8, #MW_E_TOO_LONG (a label over 63
 *         or a domain over 255 octets), #MW_E_INVAL (`p` NULL with `n` > 0).
 */
MW_API int mw_smtp_domain_check(const char *p, size_t n, unsigned flags,
                                mw_error *err);

/**
 * @brief The content of a Quoted-string local part: the quotes removed and
 *        each quoted-pair replaced by its character (RFC 5321 §4.1.2).
 *
 * A local part that is not quoted is copied as it is.
 *
 * @param local  a local part as ::mw_smtp_path reports it.
 * @param out    where the bytes go; may be NULL when `cap` is 0.
 * @param cap    capacity of `out`.
 * @param outlen receives the length on #MW_OK, the length needed on
 *               #MW_E_NOSPACE. May be NULL.
 * @return #MW_OK; #MW_E_NOSPACE (nothing written); #MW_E_SYNTAX when
 *         `local` starts with a quote but is not a well-formed
 *         Quoted-string; #MW_E_INVAL (`out` NULL with `cap` > 0, or
 *         `local.ptr` NULL with a length).
 */
MW_API int mw_smtp_unquote(mw_span local, char *out, size_t cap,
                           size_t *outlen);

/* ====================================================================== */
/**
 * @brief One ESMTP parameter of MAIL or RCPT (RFC 5321 §4.1.2:
 *        esmtp-keyword ["=" esmtp-value]).
 *
 * Spans into the command line, valid while it is (for a machine: during
 * the callback). `value.len` is 0 when there was no "=" (esmtp-value is
 * never empty).
 */
typedef struct mw_smtp_param {
    mw_span name;  /**< the keyword as written (compare without case) */
    mw_span value; /**< the value as written, or empty */
} mw_smtp_param;

/** Value of the BODY parameter (RFC 6152 §2, RFC 3030 §3). */
typedef enum mw_smtp_body {
    MW_SMTP_BODY_NONE = 0,      /**< no BODY parameter */
    MW_SMTP_BODY_7BIT = 1,      /**< BODY=7BIT */
    MW_SMTP_BODY_8BITMIME = 2,  /**< BODY=8BITMIME */
    MW_SMTP_BODY_BINARYMIME = 3 /**< BODY=BINARYMIME (needs BDAT) */
} mw_smtp_body;

/** Value of the RET parameter (RFC 3461 §4.3). */
typedef enum mw_smtp_ret {
    MW_SMTP_RET_NONE = 0, /**< no RET parameter */
    MW_SMTP_RET_FULL = 1, /**< RET=FULL */
    MW_SMTP_RET_HDRS = 2  /**< RET=HDRS */
} mw_smtp_ret;

/** @name Bits of mw_smtp_mail_params::present
 *  @{ */
#define MW_SMTP_MAIL_SIZE 0x01u        /**< SIZE=n (RFC 1870) */
#define MW_SMTP_MAIL_BODY 0x02u        /**< BODY= (RFC 6152, RFC 3030) */
#define MW_SMTP_MAIL_SMTPUTF8 0x04u    /**< SMTPUTF8 (RFC 6531 §3.4) */
#define MW_SMTP_MAIL_RET 0x08u         /**< RET= (RFC 3461 §4.3) */
#define MW_SMTP_MAIL_ENVID 0x10u       /**< ENVID= (RFC 3461 §4.4) */
#define MW_SMTP_MAIL_AUTH 0x20u        /**< AUTH= (RFC 4954 §5) */
#define MW_SMTP_MAIL_REQUIRETLS 0x40u  /**< REQUIRETLS (RFC 8689 §4.1) */
#define MW_SMTP_MAIL_MT_PRIORITY 0x80u /**< MT-PRIORITY= (RFC 6710 §3) */
/** @} */

/**
 * @brief The MAIL FROM parameters of the extensions, typed.
 *
 * A bit of `present` says a parameter was given; a field whose bit is
 * clear is zero. `envid` and `auth` are xtext-decoded (RFC 3461 §4) and
 * checked: they contain no control character (no CR, LF or NUL; Exim
 * CVE-2020-28021) — they are still bytes with a length, not C strings.
 * `auth` is "<>" when the client sent AUTH=<>.
 */
typedef struct mw_smtp_mail_params {
    unsigned present;   /**< `MW_SMTP_MAIL_*` bits */
    mw_smtp_body body;  /**< BODY= */
    mw_smtp_ret ret;    /**< RET= */
    int mt_priority;    /**< MT-PRIORITY=, -9..9 */
    uint64_t size;      /**< SIZE=, the declared message size in octets */
    mw_span envid;      /**< ENVID=, decoded */
    mw_span auth;       /**< AUTH=, decoded */
} mw_smtp_mail_params;

/** @name Bits of mw_smtp_rcpt_params::notify (RFC 3461 §4.1)
 *  @{ */
#define MW_SMTP_NOTIFY_NEVER 0x01u   /**< NOTIFY=NEVER (alone) */
#define MW_SMTP_NOTIFY_SUCCESS 0x02u /**< SUCCESS */
#define MW_SMTP_NOTIFY_FAILURE 0x04u /**< FAILURE */
#define MW_SMTP_NOTIFY_DELAY 0x08u   /**< DELAY */
/** @} */

/** @name Bits of mw_smtp_rcpt_params::present
 *  @{ */
#define MW_SMTP_RCPT_NOTIFY 0x01u /**< NOTIFY= (RFC 3461 §4.1) */
#define MW_SMTP_RCPT_ORCPT 0x02u  /**< ORCPT= (RFC 3461 §4.2) */
/** @} */

/**
 * @brief The RCPT TO parameters of the extensions, typed.
 *
 * `orcpt` is xtext-decoded (RFC 3461 §4.2) and holds no control character;
 * `orcpt_type` is the addr-type before the ";" ("rfc822", "utf-8"), as
 * written.
 */
typedef struct mw_smtp_rcpt_params {
    unsigned present;   /**< `MW_SMTP_RCPT_*` bits */
    unsigned notify;    /**< `MW_SMTP_NOTIFY_*` bits */
    mw_span orcpt_type; /**< ORCPT= addr-type */
    mw_span orcpt;      /**< ORCPT= address, decoded */
} mw_smtp_rcpt_params;

/* ====================================================================== */
/**
 * @brief Encode bytes as xtext (RFC 3461 §4): "+", "=", and every octet
 *        outside "!".."~" become "+XX" (upper-case hex).
 * @param in     the bytes; may be NULL when `n` is 0.
 * @param n      their number.
 * @param out    where the characters go; may be NULL when `cap` is 0.
 * @param cap    capacity of `out`.
 * @param outlen receives the length written on #MW_OK, the length needed
 *               on #MW_E_NOSPACE. May be NULL.
 * @return #MW_OK; #MW_E_NOSPACE (nothing written); #MW_E_INVAL (`in` NULL
 *         with `n` > 0, `out` NULL with `cap` > 0).
 */
MW_API int mw_smtp_xtext_encode(const void *in, size_t n, char *out,
                                size_t cap, size_t *outlen);

/**
 * @brief Decode xtext (RFC 3461 §4: xchar = "!".."~" except "+" and "=";
 *        hexchar = "+" two upper-case hex digits).
 *
 * The result may hold any byte, including CR, LF and NUL (field-notes
 * §4.3): check it before use. `out` may be `in` (decoding in place is
 * safe: the output never runs ahead of the input).
 *
 * @param in     the characters; may be NULL when `n` is 0.
 * @param n      their number.
 * @param out    where the bytes go; may be NULL when `cap` is 0.
 * @param cap    capacity of `out`.
 * @param outlen receives the length on #MW_OK, the length needed on
 *               #MW_E_NOSPACE. May be NULL.
 * @param err    optional: on #MW_E_SYNTAX, the offset in `in` and a reason.
 * @return #MW_OK; #MW_E_SYNTAX (a character outside xchar, a "+" without
 *         two upper-case hex digits, or "="); #MW_E_NOSPACE (valid input,
 *         `out` too small; nothing promised about `out`); #MW_E_INVAL.
 */
MW_API int mw_smtp_xtext_decode(const char *in, size_t n, char *out,
                                size_t cap, size_t *outlen, mw_error *err);

#ifdef __cplusplus
}
#endif

/* The roles of this build. Each includes this header for the shared types
 * above, so either may be included alone. */
#if MW_ENABLE_SMTP_SERVER
#include "smtp_server.h"
#endif
#if MW_ENABLE_SMTP_CLIENT
#include "smtp_client.h"
#endif
#if MW_ENABLE_SMTP_SENDER
#include "smtp_sender.h"
#endif

#endif /* MAILWIRE_SMTP_H */
