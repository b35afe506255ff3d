/* SPDX-License-Identifier: MIT */
/**
 * @file smtp_client.h
 * @brief SMTP and LMTP client machine (RFC 5321, RFC 2033) with
 *        PIPELINING, CHUNKING, SIZE, 8BITMIME, SMTPUTF8, DSN, AUTH and
 *        STARTTLS; plus the reply and EHLO parsers both roles can use.
 *
 * The client is a sans-I/O state machine: it never reads or writes a
 * socket. Bytes from the server go in through mw_smtp_client_feed();
 * commands and message data come out through the `send` callback; parsed
 * replies come back through the `reply` callback, each tagged with the
 * command it answers. TLS is the application's business: the machine says
 * when to start it and is told when it is up.
 *
 * @section smtpc_life Lifecycle
 *
 * 1. Place a ::mw_smtp_client anywhere (mw_smtp_client_sizeof() bytes,
 *    about 1.5 KB) and a line buffer of #MW_SMTP_CLIENT_LINEBUF_SIZE bytes.
 *    mw_smtp_client_config_init(), adjust, mw_smtp_client_init().
 * 2. Connect. Feed every byte the server sends to mw_smtp_client_feed().
 *    The greeting arrives as a reply with `cmd` #MW_SMTP_CLIENT_GREETING.
 * 3. Either drive the session yourself, one call per command —
 *    mw_smtp_client_ehlo(), [mw_smtp_client_starttls(),
 *    mw_smtp_client_tls_done()], [mw_smtp_client_auth_plain() ...],
 *    mw_smtp_client_mail(), mw_smtp_client_rcpt() (repeat),
 *    mw_smtp_client_data(), mw_smtp_client_write() (repeat),
 *    mw_smtp_client_finish(), mw_smtp_client_quit() — issuing each from the
 *    `reply` callback of the previous one (or after feed() returns);
 *    or hand a ::mw_smtp_client_message to mw_smtp_client_send_message()
 *    and the machine issues them all itself, reporting the outcome through
 *    the `done` callback.
 * 4. mw_smtp_client_want() says at any time what the machine waits for:
 *    input (#MW_SMTP_CLIENT_WANT_INPUT), a command
 *    (#MW_SMTP_CLIENT_WANT_SEND), message data (#MW_SMTP_CLIENT_WANT_BODY),
 *    the TLS handshake (#MW_SMTP_CLIENT_WANT_TLS), or nothing more
 *    (#MW_SMTP_CLIENT_WANT_CLOSED).
 * 5. After QUIT's reply feed() returns #MW_DONE; close the connection. If
 *    the server closes first, call mw_smtp_client_eof().
 *
 * With PIPELINING offered (and not switched off) the commands of a
 * transaction go out without waiting: MAIL, every RCPT and DATA (or the
 * BDAT chunks) form one group, and the replies are matched to them in
 * order (RFC 2920 §3.1). Without it a command may only be sent when the
 * previous reply is in; calling too early returns #MW_E_STATE and sends
 * nothing.
 *
 * Message data: the machine dot-stuffs it (RFC 5321 §4.5.2), turns every
 * bare CR and bare LF into CRLF (or refuses them, by setting), and ends it
 * with CRLF "." CRLF; with CHUNKING it sends BDAT chunks instead (RFC 3030),
 * one per mw_smtp_client_write(), sized by the application. Data goes to
 * `send` as spans of the application's own buffers (zero-copy).
 *
 * Security (field-notes §4): every argument is checked for CR, LF and NUL
 * before anything is formatted (#MW_E_INVAL, nothing sent); paths are
 * checked against the RFC 5321 grammar; DSN values are xtext-encoded; a
 * byte received after the 220 that accepts STARTTLS is fatal (response
 * injection, CVE-2020-15953); after TLS the capabilities are forgotten and
 * EHLO is sent again (RFC 3207 §4.2); with `require_tls` a missing or
 * refused STARTTLS fails the session instead of going on in clear.
 *
 * Errors: a command function that fails returns a recoverable status and
 * sends nothing. feed() returns a negative status only when the session is
 * dead (a malformed reply, response injection, a callback abort); it is
 * then always #MW_E_CLOSED or #MW_E_CALLBACK, and mw_smtp_client_error()
 * says exactly what happened and where: #MW_E_SYNTAX (a malformed reply
 * line, or codes that differ between the lines of one reply),
 * #MW_E_INJECTION (bytes after the 220 to STARTTLS, before TLS is up),
 * #MW_E_SEQUENCE (a reply nobody asked for), #MW_E_LIMIT (too many lines in a reply), #MW_E_BARE_LF,
 * #MW_E_BARE_CR, #MW_E_NUL (in a reply line), #MW_E_CALLBACK (a callback,
 * `send` included, returned a negative value).
 *
 * @section smtpc_example Example: one message, the few-calls way
 * @code
 * static int on_send(mw_smtp_client *c, void *u, const char *p, size_t n)
 * { (void)c; return sock_write_all(*(int *)u, p, n) == 0 ? 0 : -1; }
 *
 * static const char *rcpts[] = {"ops@example.com"};
 * static const char body[] = "From: dev@example.com\r\n"
 *     "To: ops@example.com\r\nSubject: alarm\r\n\r\nTemperature high.\r\n";
 *
 * mw_smtp_client c;
 * char line[MW_SMTP_CLIENT_LINEBUF_SIZE];
 * mw_smtp_client_callbacks cb = {0};
 * mw_smtp_client_message m = {0};
 * cb.send = on_send;
 * mw_smtp_client_init(&c, NULL, &cb, &sock, line, sizeof line);
 * m.ehlo_domain = "sensor-17.example.com";
 * m.tls = MW_SMTP_CLIENT_TLS_REQUIRED;
 * m.auth = MW_SMTP_CLIENT_AUTH_AUTO;
 * m.user = "dev@example.com"; m.secret = "app-password";
 * m.from = "dev@example.com"; m.rcpt = rcpts; m.rcpt_count = 1;
 * m.body = body; m.body_len = sizeof body - 1;
 * mw_smtp_client_send_message(&c, &m);
 * for (;;) {
 *     unsigned w = mw_smtp_client_want(&c);
 *     if (w & MW_SMTP_CLIENT_WANT_CLOSED) break;
 *     if (w & MW_SMTP_CLIENT_WANT_TLS) {
 *         tls_handshake(sock);          // then read through TLS
 *         mw_smtp_client_tls_done(&c);  // sends EHLO again
 *         continue;
 *     }
 *     char in[512]; size_t got = sock_read(sock, in, sizeof in), used;
 *     if (got == 0) { mw_smtp_client_eof(&c); break; }
 *     if (mw_smtp_client_feed(&c, in, got, &used) < 0) break;
 * }
 * // the `done` callback (if set) told whether the message was accepted
 * @endcode
 */
#ifndef MAILWIRE_SMTP_CLIENT_H
#define MAILWIRE_SMTP_CLIENT_H

#include "core.h"
#include "config.h"
#include "framing.h"
#include "sasl.h"
#include "smtp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================== */
/** @name Sizes
 *  @{ */

/** Ideal size of the line buffer given to mw_smtp_client_init(): a reply
 *  line of RFC 5321 §4.5.3.1.5 (512 octets with CRLF). Longer reply lines
 *  are cut to it (reported, not fatal). */
#define MW_SMTP_CLIENT_LINEBUF_SIZE MW_SMTP_MAX_REPLY_LINE

/** Bytes of the command buffer inside the context: the longest command
 *  line, CRLF included (RFC 5321 §4.5.3.1.4). A command that would not fit
 *  (a long ORCPT, say) fails with #MW_E_NOSPACE. AUTH lines can use a
 *  larger buffer of the caller's (mw_smtp_client_config::auth_buf).
 *  Define before including to change it; it changes the context size. */
#ifndef MW_SMTP_CLIENT_CMDBUF_SIZE
#define MW_SMTP_CLIENT_CMDBUF_SIZE 512
#endif

/** Replies the client can await at once, counting a run of RCPT commands
 *  as one (the queue that matches pipelined replies to commands). */
#ifndef MW_SMTP_CLIENT_QUEUE
#define MW_SMTP_CLIENT_QUEUE 16
#endif

/** Bytes of AUTH mechanism names a ::mw_smtp_caps keeps (every name,
 *  known or not, separated by single spaces). */
#ifndef MW_SMTP_CAPS_AUTH_MAX
#define MW_SMTP_CAPS_AUTH_MAX 96
#endif

/** Bytes of unknown EHLO lines a ::mw_smtp_caps keeps ("KEYWORD params",
 *  each ended by LF). What does not fit is dropped and flagged. */
#ifndef MW_SMTP_CAPS_OTHER_MAX
#define MW_SMTP_CAPS_OTHER_MAX 160
#endif

/** @} */

/* ====================================================================== */
/** @name Reply lines (role-neutral)
 *  The parser of one reply line, RFC 5321 §4.2:
 *  Reply-line = *( Reply-code "-" [ textstring ] CRLF )
 *               Reply-code [ SP textstring ] CRLF,
 *  Reply-code = %x32-35 %x30-35 %x30-39. Built with either role, so a
 *  server's tests can check the replies it formats.
 *  @{ */

/** mw_smtp_reply_line_parse(): look for an enhanced status code (RFC 2034
 *  §4) at the start of the text, of the same class as the reply code. */
#define MW_SMTP_REPLY_ESC 0x01u

/**
 * @brief One parsed reply line. Spans point into the parsed bytes.
 */
typedef struct mw_smtp_reply_line {
    unsigned code;   /**< 200..559 */
    int more;        /**< 1 for "NNN-" (more lines follow), 0 for the last line */
    mw_span text;    /**< everything after the separator, without CRLF; may be empty */
    int has_esc;     /**< 1 when `esc` holds an enhanced status code */
    mw_smtp_esc esc; /**< the enhanced status code (RFC 3463), when `has_esc` */
    mw_span detail;  /**< `text` after the enhanced status code and its space;
                        * equal to `text` when there is none */
} mw_smtp_reply_line;

/**
 * @brief Parse one reply line (RFC 5321 §4.2), without its line end.
 *
 * The code must be three digits in range (first 2..5, second 0..5); it is
 * followed by "-", " " or the end of the line. The text may hold any byte
 * but CR, LF and NUL (8-bit text is allowed: RFC 6531 §3.7.4.2 lets
 * SMTPUTF8 servers send UTF-8). With #MW_SMTP_REPLY_ESC, an enhanced
 * status code "c.s.d" followed by a space or the end is taken off the
 * front of the text when its class equals the reply's first digit.
 *
 * @param p     the line, without CRLF; may be NULL when `n` is 0.
 * @param n     its length.
 * @param flags #MW_SMTP_REPLY_ESC or 0.
 * @param out   receives the line on #MW_OK (spans into `p`). Not NULL.
 * @param err   optional: on #MW_E_SYNTAX or #MW_E_NUL, offset in `p` and
 *              reason.
 * @return #MW_OK;
 *         #MW_E_SYNTAX for a bad code or separator, or a CR or LF inside;
 *         #MW_E_NUL for a NUL byte;
 *         #MW_E_INVAL when `out` is NULL or `p` is NULL with `n` > 0.
 */
MW_API int mw_smtp_reply_line_parse(const char *p, size_t n, unsigned flags,
                                    mw_smtp_reply_line *out, mw_error *err);

/** @} */

/* ====================================================================== */
/** @name EHLO capabilities (role-neutral)
 *  @{ */

/** @name Known SASL mechanisms (bits of mw_smtp_caps::auth)
 *  @{ */
#define MW_SMTP_AUTH_PLAIN 0x0001u             /**< PLAIN (RFC 4616) */
#define MW_SMTP_AUTH_LOGIN 0x0002u             /**< LOGIN (draft-murchison-sasl-login) */
#define MW_SMTP_AUTH_XOAUTH2 0x0004u           /**< XOAUTH2 (Google, Microsoft) */
#define MW_SMTP_AUTH_OAUTHBEARER 0x0008u       /**< OAUTHBEARER (RFC 7628) */
#define MW_SMTP_AUTH_CRAM_MD5 0x0010u          /**< CRAM-MD5 (RFC 2195) */
#define MW_SMTP_AUTH_EXTERNAL 0x0020u          /**< EXTERNAL (RFC 4422 Appendix A) */
#define MW_SMTP_AUTH_SCRAM_SHA_1 0x0040u       /**< SCRAM-SHA-1 (RFC 5802) */
#define MW_SMTP_AUTH_SCRAM_SHA_256 0x0080u     /**< SCRAM-SHA-256 (RFC 7677) */
#define MW_SMTP_AUTH_GSSAPI 0x0100u            /**< GSSAPI (RFC 4752) */
#define MW_SMTP_AUTH_NTLM 0x0200u              /**< NTLM (Microsoft) */
#define MW_SMTP_AUTH_ANONYMOUS 0x0400u         /**< ANONYMOUS (RFC 4505) */
#define MW_SMTP_AUTH_DIGEST_MD5 0x0800u        /**< DIGEST-MD5 (RFC 2831, historic) */
#define MW_SMTP_AUTH_XOAUTH 0x1000u            /**< XOAUTH (Google, obsolete) */
#define MW_SMTP_AUTH_PLAIN_CLIENTTOKEN 0x2000u /**< PLAIN-CLIENTTOKEN (Google) */
/** @} */

/** @name Bits of mw_smtp_caps::dropped
 *  @{ */
/** Some AUTH mechanism names did not fit in the caps' name store (their
 *  bits, for known mechanisms, are still set). */
#define MW_SMTP_CAPS_AUTH_DROPPED 0x01u
/** Some unknown keyword lines did not fit and were dropped. */
#define MW_SMTP_CAPS_OTHER_DROPPED 0x02u
/** @} */

/**
 * @brief The service extensions a server offered in its EHLO (or LHLO)
 *        reply (RFC 5321 §4.1.1.1), with their values.
 *
 * Known keywords become `MW_SMTP_EXT_*` bits (smtp.h); SIZE keeps its
 * number (RFC 1870 §4); AUTH keeps its mechanisms, from "AUTH" lines and
 * from the legacy "AUTH=" form alike (bits for the known ones and every
 * name in `auth_names`); any other keyword line is kept as written in
 * `other`, bounded. Read `ext`, `auth` and `size` directly; walk the
 * stores with mw_smtp_caps_next() and mw_smtp_caps_next_auth().
 */
typedef struct mw_smtp_caps {
    unsigned long ext;  /**< `MW_SMTP_EXT_*` bits offered */
    unsigned auth;      /**< `MW_SMTP_AUTH_*` bits of the known mechanisms offered */
    uint64_t size;      /**< SIZE limit in octets; 0 when absent or "no fixed limit" */
    unsigned char dropped; /**< `MW_SMTP_CAPS_*_DROPPED` bits */
    /** @cond PRIVATE */
    uint16_t auth_len;  /* bytes used in auth_names */
    uint16_t other_len; /* bytes used in other */
    char auth_names[MW_SMTP_CAPS_AUTH_MAX];
    char other[MW_SMTP_CAPS_OTHER_MAX];
    /** @endcond */
} mw_smtp_caps;

/**
 * @brief The size of ::mw_smtp_caps in bytes, for bindings and
 *        callers that place it without the struct definition.
 * @return sizeof(mw_smtp_caps).
 */
MW_API size_t mw_smtp_caps_sizeof(void);

/**
 * @brief Empty a capability set (no extensions: what HELO gives).
 * @param caps the set. Not NULL.
 */
MW_API void mw_smtp_caps_init(mw_smtp_caps *caps);

/**
 * @brief Add one EHLO keyword line to a capability set (RFC 5321
 *        §4.1.1.1: ehlo-line = ehlo-keyword *( SP ehlo-param )).
 *
 * `p` is the text of one reply line after "250-" or "250 ", for every
 * line but the first (which names the server). Keywords are matched
 * without regard to case. "AUTH=" followed by names (the pre-RFC 2554
 * form some servers still send) is taken as AUTH. "SIZE" with a number
 * sets `size`; without one, or with 0, it means no fixed limit. A keyword
 * this library does not know is kept in `other` when it fits.
 *
 * @param caps the set. Not NULL.
 * @param p    the line text; may be NULL when `n` is 0.
 * @param n    its length.
 * @param err  optional: offset in `p` and reason of an error.
 * @return #MW_OK (the line was taken);
 *         #MW_E_SYNTAX for a line that is not an ehlo-line (bad keyword,
 *         an ehlo-param byte outside 33..126, or SIZE with a value that is
 *         not a number); nothing is added, except that for SIZE the
 *         extension bit is still set (with `size` 0);
 *         #MW_E_OVERFLOW for a SIZE number above 2^64-1 (bit set, size 0);
 *         #MW_E_INVAL when `caps` is NULL or `p` is NULL with `n` > 0.
 */
MW_API int mw_smtp_caps_parse_line(mw_smtp_caps *caps, const char *p,
                                   size_t n, mw_error *err);

/**
 * @brief Whether a keyword was offered, known or not.
 * @param caps the set. Not NULL.
 * @param kw   the keyword, any case; may be NULL when `n` is 0.
 * @param n    its length.
 * @return 1 when offered (and, for unknown keywords, kept), else 0.
 */
MW_API int mw_smtp_caps_has(const mw_smtp_caps *caps, const char *kw,
                            size_t n);

/**
 * @brief Whether an AUTH mechanism was offered.
 * @param caps the set. Not NULL.
 * @param mech the mechanism name, any case ("PLAIN", "SCRAM-SHA-256");
 *             may be NULL when `n` is 0.
 * @param n    its length.
 * @return 1 when offered, else 0.
 */
MW_API int mw_smtp_caps_has_auth(const mw_smtp_caps *caps, const char *mech,
                                 size_t n);

/**
 * @brief Walk the unknown keyword lines kept in a capability set.
 *
 * @code
 * size_t pos = 0; mw_span kw, params;
 * while (mw_smtp_caps_next(caps, &pos, &kw, &params)) ...
 * @endcode
 * @param caps   the set. Not NULL.
 * @param pos    cursor: 0 to start; updated. Not NULL.
 * @param kw     receives the keyword as the server wrote it. Not NULL.
 * @param params receives the rest of the line after the keyword and its
 *               space (empty when none). Not NULL.
 * @return 1 with the next line, 0 at the end. Spans point into `caps`.
 */
MW_API int mw_smtp_caps_next(const mw_smtp_caps *caps, size_t *pos,
                             mw_span *kw, mw_span *params);

/**
 * @brief Walk the AUTH mechanism names kept in a capability set, in the
 *        order the server listed them (each once).
 * @param caps the set. Not NULL.
 * @param pos  cursor: 0 to start; updated. Not NULL.
 * @param mech receives the name. Not NULL.
 * @return 1 with the next name, 0 at the end. Spans point into `caps`.
 */
MW_API int mw_smtp_caps_next_auth(const mw_smtp_caps *caps, size_t *pos,
                                  mw_span *mech);

/** @} */

/* ====================================================================== */
/** @name Client: what a reply answers
 *  Values of mw_smtp_client_reply::cmd besides the ::mw_smtp_verb values
 *  (#MW_SMTP_CMD_EHLO, #MW_SMTP_CMD_RCPT... for replies to those
 *  commands; #MW_SMTP_CMD_DATA for the reply to the DATA command itself,
 *  354 or a refusal; #MW_SMTP_CMD_BDAT for a chunk that is not the last).
 *  @{ */
/** A reply nobody asked for (only a 421 is taken; it closes the session). */
#define MW_SMTP_CLIENT_UNSOLICITED 0
/** The server's greeting (RFC 5321 §3.1). */
#define MW_SMTP_CLIENT_GREETING 32
/** The reply to the end of the message data: CRLF "." CRLF after DATA, or
 *  the BDAT chunk marked LAST. In LMTP mode there is one per accepted
 *  recipient (RFC 2033 §4.2). */
#define MW_SMTP_CLIENT_MESSAGE 33
/** @} */

/**
 * @brief A complete reply, as handed to the `reply` callback.
 *
 * The spans are valid only during the callback.
 */
typedef struct mw_smtp_client_reply {
    int cmd;         /**< a ::mw_smtp_verb or #MW_SMTP_CLIENT_GREETING,
                        * #MW_SMTP_CLIENT_MESSAGE, #MW_SMTP_CLIENT_UNSOLICITED */
    unsigned code;   /**< the reply code, 200..559 */
    int has_esc;     /**< 1 when `esc` holds the last line's enhanced status code */
    mw_smtp_esc esc; /**< enhanced status code (RFC 2034), when `has_esc` */
    mw_span text;    /**< text of the last line (after "NNN "), without CRLF */
    mw_span detail;  /**< `text` after the enhanced status code */
    unsigned lines;  /**< number of lines of the reply */
    size_t index;    /**< RCPT: 0-based number of the RCPT in its transaction;
                        * BDAT: 0-based chunk number; MESSAGE in LMTP mode:
                        * 0-based number among the accepted recipients (in
                        * RCPT order); 0 otherwise */
    size_t offset;   /**< stream offset of the reply's first byte */
} mw_smtp_client_reply;

/* ====================================================================== */
/** @name Client: mw_smtp_client_want() bits
 *  The same values as every mailwire machine's `WANT` bits.
 *  @{ */
#define MW_SMTP_CLIENT_WANT_INPUT 0x01u  /**< replies are awaited: feed input */
#define MW_SMTP_CLIENT_WANT_TLS 0x04u    /**< do the TLS handshake, then mw_smtp_client_tls_done() */
#define MW_SMTP_CLIENT_WANT_CLOSED 0x08u /**< the session is over (QUIT done, 421, or dead) */
#define MW_SMTP_CLIENT_WANT_SEND 0x10u   /**< a command may be sent now */
#define MW_SMTP_CLIENT_WANT_BODY 0x20u   /**< message data may be written now */
/** @} */

/* ====================================================================== */
/**
 * @brief Settings of a client. Fill with mw_smtp_client_config_init(),
 *        then change what you need. Copied by mw_smtp_client_init().
 */
typedef struct mw_smtp_client_config {
    int lmtp;             /**< 1: LMTP (RFC 2033): LHLO, no HELO fallback,
                             * one reply per accepted recipient after the
                             * data. Default 0. */
    int pipelining;       /**< 1: use PIPELINING when the server offers it
                             * (RFC 2920). Default 1. */
    int chunking;         /**< 1: send the message with BDAT when the server
                             * offers CHUNKING (RFC 3030). Default 1. */
    int helo_fallback;    /**< 1: when EHLO is refused with a 5xx reply, send
                             * HELO (RFC 5321 §3.2) and go on without
                             * extensions. Default 1. */
    int require_tls;      /**< 1: TLS is mandatory: MAIL, AUTH, VRFY, EXPN
                             * and ETRN are refused (#MW_E_STATE) before TLS;
                             * an EHLO reply without STARTTLS, a HELO
                             * fallback, or any reply but 220 to STARTTLS
                             * fails the session (QUIT is sent). Default 0. */
    int tls_active;       /**< 1: the connection is already TLS (implicit
                             * TLS, RFC 8314 port 465). Default 0. */
    int auth_without_tls; /**< 1: allow AUTH before TLS (credentials in
                             * clear). Default 0 (#MW_E_STATE). */
    mw_newline_policy body_newlines; /**< bare CR / bare LF in message data:
                             * #MW_NEWLINE_ACCEPT (default) writes each as
                             * CRLF; #MW_NEWLINE_REJECT refuses the write
                             * (#MW_E_BARE_CR / #MW_E_BARE_LF, nothing of it
                             * sent). #MW_NEWLINE_PASS is not allowed. */
    mw_newline_policy reply_newlines; /**< line ends of replies:
                             * #MW_NEWLINE_REJECT (default): a reply line
                             * ended by a bare LF, or holding a bare CR, is
                             * fatal; #MW_NEWLINE_ACCEPT takes bare LF and
                             * CR as line ends. */
    unsigned max_reply_lines; /**< most lines in one reply; more is fatal
                             * (#MW_E_LIMIT). Default 128. */
    char *auth_buf;       /**< optional buffer for AUTH lines longer than
                             * the command buffer, such as OAuth tokens:
                             * RFC 4954 §4 allows 12288 octets. Must outlive the
                             * client. NULL: use the command buffer. */
    size_t auth_buf_len;  /**< its size */
} mw_smtp_client_config;

/** A client context; see the file description. All fields are private. */
typedef struct mw_smtp_client mw_smtp_client;

/** @name TLS modes of ::mw_smtp_client_message
 *  @{ */
#define MW_SMTP_CLIENT_TLS_NONE 0          /**< never STARTTLS */
#define MW_SMTP_CLIENT_TLS_OPPORTUNISTIC 1 /**< STARTTLS when offered; go on in clear otherwise */
#define MW_SMTP_CLIENT_TLS_REQUIRED 2      /**< STARTTLS or fail (also sets the client's require_tls) */
/** @} */

/** @name AUTH choices of ::mw_smtp_client_message
 *  @{ */
#define MW_SMTP_CLIENT_AUTH_NONE 0        /**< no AUTH */
#define MW_SMTP_CLIENT_AUTH_AUTO 1        /**< PLAIN if offered, else LOGIN */
#define MW_SMTP_CLIENT_AUTH_PLAIN 2       /**< PLAIN (RFC 4616) */
#define MW_SMTP_CLIENT_AUTH_LOGIN 3       /**< LOGIN */
#define MW_SMTP_CLIENT_AUTH_XOAUTH2 4     /**< XOAUTH2; `secret` is the token */
#define MW_SMTP_CLIENT_AUTH_OAUTHBEARER 5 /**< OAUTHBEARER (RFC 7628); `secret` is the token */
#define MW_SMTP_CLIENT_AUTH_SASL 6        /**< `sasl_mech` run by `sasl_step` */
/** @} */

/** Type of the `read` member of ::mw_smtp_client_message. */
typedef int (*mw_smtp_client_message_read_fn)(void *user, const char **chunk,
                                              size_t *len);

/**
 * @brief A message for mw_smtp_client_send_message(): everything the
 *        transaction helper needs. Zero-initialise, then fill.
 *
 * Strings are NUL-terminated and checked like every command argument. The
 * descriptor and everything it points to must stay valid until the `done`
 * callback.
 */
typedef struct mw_smtp_client_message {
    const char *ehlo_domain; /**< the client's name for EHLO/LHLO (a domain
                                * or an address literal such as
                                * "[192.0.2.7]"); required */
    int tls;                 /**< `MW_SMTP_CLIENT_TLS_*` */
    int auth;                /**< `MW_SMTP_CLIENT_AUTH_*` */
    const char *user;        /**< AUTH user name (authcid); for OAUTHBEARER the authzid */
    const char *secret;      /**< password, or the OAuth access token */
    const char *sasl_mech;   /**< #MW_SMTP_CLIENT_AUTH_SASL: the mechanism name */
    mw_sasl_step_fn sasl_step; /**< #MW_SMTP_CLIENT_AUTH_SASL: the mechanism */
    void *sasl_user;         /**< passed to `sasl_step` */
    const char *from;        /**< reverse-path mailbox without "<>"; "" for the null path */
    const char *const *rcpt; /**< forward-path mailboxes */
    size_t rcpt_count;       /**< their number, at least 1 */
    const mw_smtp_mail_params *mail; /**< optional MAIL parameters (SIZE,
                                * BODY, SMTPUTF8 are added by the helper when
                                * needed and offered) */
    const mw_smtp_rcpt_params *rcpt_params; /**< optional, applied to every RCPT */
    const char *body;        /**< the whole message (header and body), or NULL */
    size_t body_len;         /**< its length */
    /** Pull the message in chunks instead of `body`: set `*chunk` and
     *  `*len` (valid until the next call), `*len` 0 at the end; return 0,
     *  or negative to abandon the session. When both `body` and `read` are
     *  NULL the helper stops at the data (#MW_SMTP_CLIENT_WANT_BODY): write
     *  it with mw_smtp_client_write() and mw_smtp_client_finish(). */
    mw_smtp_client_message_read_fn read;
    void *read_user;         /**< passed to `read` */
    int keep_open;           /**< 1: no QUIT at the end (send another message) */
} mw_smtp_client_message;

/**
 * @brief What became of a message sent with mw_smtp_client_send_message().
 */
typedef struct mw_smtp_client_result {
    int status;          /**< #MW_OK when the server accepted the message (for
                            * every recipient that was accepted: see the
                            * counts); else #MW_E_STATE when a reply refused
                            * it or the TLS policy failed (`code` says which
                            * reply, 0 for a policy failure), #MW_E_CLOSED
                            * when the session ended first, or the status
                            * of a failed local step */
    int cmd;             /**< the command whose reply decided (as in
                            * mw_smtp_client_reply::cmd); with `code` 0,
                            * the command that could not be sent */
    unsigned code;       /**< that reply's code; 0 for a local failure */
    int has_esc;         /**< 1 when `esc` is set */
    mw_smtp_esc esc;     /**< that reply's enhanced status code */
    size_t rcpt_accepted; /**< recipients the server accepted at RCPT */
    size_t rcpt_rejected; /**< recipients it refused */
    size_t delivered;    /**< LMTP: recipients with a 2xx after the data;
                            * SMTP: `rcpt_accepted` when the message was
                            * accepted, else 0 */
    const char *reason;  /**< static English description */
} mw_smtp_client_result;

/** Type of the `send` member of ::mw_smtp_client_callbacks. */
typedef int (*mw_smtp_client_send_fn)(mw_smtp_client *c, void *user,
                                      const char *data, size_t len);

/** Type of the `reply` member of ::mw_smtp_client_callbacks. */
typedef int (*mw_smtp_client_reply_fn)(mw_smtp_client *c, void *user,
                                       const mw_smtp_client_reply *r);

/** Type of the `reply_line` member of ::mw_smtp_client_callbacks. */
typedef int (*mw_smtp_client_reply_line_fn)(mw_smtp_client *c, void *user,
                                            const mw_smtp_reply_line *line,
                                            size_t offset);

/** Type of the `error` member of ::mw_smtp_client_callbacks. */
typedef int (*mw_smtp_client_error_fn)(mw_smtp_client *c, void *user,
                                       int status, size_t offset,
                                       const char *reason);

/** Type of the `starttls` member of ::mw_smtp_client_callbacks. */
typedef int (*mw_smtp_client_starttls_fn)(mw_smtp_client *c, void *user);

/** Type of the `done` member of ::mw_smtp_client_callbacks. */
typedef int (*mw_smtp_client_done_fn)(mw_smtp_client *c, void *user,
                                      const mw_smtp_client_result *r);

/**
 * @brief Callbacks of a client. Zero-initialise; NULL means not
 *        interested (except `send`). Copied by mw_smtp_client_init().
 *
 * Each returns 0 to go on, #MW_PAUSED to make feed() stop after the
 * current reply (it returns #MW_PAUSED with `*consumed` set), or a
 * negative value to abort the session (#MW_E_CALLBACK, fatal). Command
 * functions may be called from inside `reply`, `starttls` and `done`.
 */
typedef struct mw_smtp_client_callbacks {
    /** Bytes to the server. A command line comes in one call; message data
     *  in spans of the application's buffers. Must take all `len` bytes
     *  (or return negative: the session is dead). Required. */
    mw_smtp_client_send_fn send;
    /** A complete reply and the command it answers. */
    mw_smtp_client_reply_fn reply;
    /** Every reply line as it arrives (before `reply`), with its stream
     *  offset; SASL challenges (334) are seen only here. */
    mw_smtp_client_reply_line_fn reply_line;
    /** A problem: recoverable ones (a reply line cut to the buffer, a
     *  malformed EHLO line, a SASL exchange cancelled) and, just before
     *  the session dies, fatal ones. `reason` is static. */
    mw_smtp_client_error_fn error;
    /** The server accepted STARTTLS: do the handshake, then call
     *  mw_smtp_client_tls_done() (here or later). */
    mw_smtp_client_starttls_fn starttls;
    /** mw_smtp_client_send_message() finished. */
    mw_smtp_client_done_fn done;
} mw_smtp_client_callbacks;

/** @cond PRIVATE */
struct mw_smtp_client {
    /* Everything here is private and may change in any release; the
     * meaning of each field is in lib/smtp/client_int.h. The small fields
     * come first: on a Cortex-M (Thumb) a byte at an offset under 32, or
     * a word under 128, is read and written with a 16-bit instruction,
     * and the state bytes are touched everywhere (some 450 bytes less
     * code than with the buffers first). */
    uint8_t opts, flags, body_policy, state, hello, group_closed, gen;
    uint8_t txn, txn_flags, tail, auth_mech, auth_step;
    uint8_t msg_stage, msg_flags;
    /* replies awaited, in order: kind, count, transaction generation */
    uint8_t q_head, q_len;
    uint8_t q_kind[MW_SMTP_CLIENT_QUEUE];
    uint8_t q_gen[MW_SMTP_CLIENT_QUEUE];
    uint16_t max_lines;
    uint16_t cmd_len;
    uint8_t ehlo_len;
    /* the transaction */
    uint32_t rcpt_sent, rcpt_replied, rcpt_ok, rcpt_bad;
    uint32_t bdat_sent, bdat_replied, lmtp_seen, delivered;
    /* the reply being read */
    size_t r_offset;
    unsigned r_code;
    unsigned r_lines;
    /* transaction helper */
    const mw_smtp_client_message *msg;
    size_t msg_next;
    mw_smtp_client_callbacks cb;
    void *user;
    uint64_t body_total;
    uint32_t q_count[MW_SMTP_CLIENT_QUEUE];
    mw_line line;
    mw_dot_stuff dot;
    char *auth_buf;
    size_t auth_buf_len;
    mw_error err;
    /* authentication */
    mw_sasl_step_fn sasl_fn;
    void *sasl_user;
    const char *cred[2];
    size_t cred_len[2];
    mw_smtp_client_result res;
    mw_smtp_caps caps;
    char ehlo[MW_SMTP_MAX_DOMAIN];
    char cmd[MW_SMTP_CLIENT_CMDBUF_SIZE];
};
/** @endcond */

/* ====================================================================== */
/** @name Client: setting up
 *  @{ */

/**
 * @brief Fill a config with the defaults listed at each field.
 * @param cfg the config. Not NULL.
 */
MW_API void mw_smtp_client_config_init(mw_smtp_client_config *cfg);

/**
 * @brief Size of ::mw_smtp_client in bytes (for placing it in memory of
 *        your choice; it does not count the line buffer).
 * @return sizeof(mw_smtp_client).
 */
MW_API size_t mw_smtp_client_sizeof(void);

/**
 * @brief Start a client session, waiting for the server's greeting.
 *
 * @param c           the context (any memory of mw_smtp_client_sizeof()
 *                    bytes, suitably aligned). Not NULL.
 * @param cfg         settings, copied; NULL for the defaults.
 * @param cb          callbacks, copied; `send` is required.
 * @param user        passed to every callback.
 * @param linebuf     buffer for reply lines cut by chunk boundaries (and
 *                    scratch for SASL challenges); must outlive `c`.
 * @param linebuf_len its size: at least 64 bytes;
 *                    #MW_SMTP_CLIENT_LINEBUF_SIZE is ideal.
 * @return #MW_OK; #MW_E_INVAL for NULL `c`, `cb`, `cb->send` or `linebuf`,
 *         a buffer under 64 bytes, an `auth_buf` under 64 bytes,
 *         `body_newlines` or `reply_newlines` #MW_NEWLINE_PASS or an
 *         unknown policy, or `max_reply_lines` 0.
 */
MW_API int mw_smtp_client_init(mw_smtp_client *c,
                               const mw_smtp_client_config *cfg,
                               const mw_smtp_client_callbacks *cb, void *user,
                               char *linebuf, size_t linebuf_len);

/** @} */

/* ====================================================================== */
/** @name Client: input and state
 *  @{ */

/**
 * @brief Feed bytes received from the server.
 *
 * Replies are parsed line by line (any chunking gives the same events) and
 * each complete reply goes to the `reply` callback, matched to the command
 * it answers. The machine acts on replies itself where the protocol says
 * so: HELO after a refused EHLO, "." after a 354 when no recipient was
 * accepted (RFC 2920 §3.1), SASL responses to 334, QUIT when TLS is
 * required and not possible, and every step of
 * mw_smtp_client_send_message().
 *
 * @param c        the client. Not NULL.
 * @param in       the bytes; may be NULL when `len` is 0.
 * @param len      their number.
 * @param consumed receives the bytes used (always set). Not NULL.
 * @return #MW_OK when all bytes were used;
 *         #MW_PAUSED when a callback paused: feed the rest again later;
 *         #MW_DONE after the reply to QUIT (or a 421): the session is over,
 *         bytes after it are not used;
 *         #MW_E_CLOSED, fatal: the session is dead (malformed reply,
 *         reply with nothing awaited, bytes after the 220 to STARTTLS or
 *         while the TLS handshake is due, a reply over
 *         `max_reply_lines`) or was already over; mw_smtp_client_error()
 *         says why and where (see the file description);
 *         #MW_E_CALLBACK, fatal: a callback (or `send`) returned a negative
 *         value;
 *         #MW_E_INVAL for NULL arguments.
 */
MW_API int mw_smtp_client_feed(mw_smtp_client *c, const void *in, size_t len,
                               size_t *consumed);

/**
 * @brief The server closed the connection.
 * @param c the client. Not NULL.
 * @return #MW_OK when nothing was pending (after QUIT, or idle);
 *         #MW_E_INCOMPLETE when replies were still awaited or a reply was
 *         cut off (the session is over either way; a running
 *         mw_smtp_client_send_message() reports #MW_E_CLOSED to `done`).
 */
MW_API int mw_smtp_client_eof(mw_smtp_client *c);

/**
 * @brief What the client waits for: `MW_SMTP_CLIENT_WANT_*` bits.
 * @param c the client. Not NULL.
 * @return the bits; #MW_SMTP_CLIENT_WANT_CLOSED alone once the session is
 *         over.
 */
MW_API unsigned mw_smtp_client_want(const mw_smtp_client *c);

/**
 * @brief The last error the client met — a command function's refusal
 *        (offset into the bad argument, or into the message data for
 *        bare CR/LF), a recoverable problem reported to `error`, or the
 *        cause of a fatal one (stream offset) — with its reason.
 * @param c   the client. Not NULL.
 * @param err receives a copy. Not NULL. `code` is #MW_OK when none.
 * @return the code of that error (#MW_OK when none).
 */
MW_API int mw_smtp_client_error(const mw_smtp_client *c, mw_error *err);

/**
 * @brief The capabilities from the last successful EHLO or LHLO reply
 *        (empty before, after HELO, and after TLS until the new EHLO).
 * @param c the client. Not NULL.
 * @return a pointer into the client, valid while it is.
 */
MW_API const mw_smtp_caps *mw_smtp_client_caps(const mw_smtp_client *c);

/** @} */

/* ====================================================================== */
/** @name Client: session commands
 *  Every command function checks its arguments (no CR, LF or NUL; the
 *  RFC 5321 grammar), formats the line into the context and sends it
 *  with one `send` call. On failure nothing is sent and the state is
 *  unchanged. Shared statuses:
 *  #MW_OK;
 *  #MW_E_INVAL for a bad argument (mw_smtp_client_error() gives the offset
 *  in that argument and the reason);
 *  #MW_E_STATE when the command is not possible now (a reply is awaited
 *  without PIPELINING or after a command that ends a pipelined group;
 *  message data is being written; the greeting is not in; TLS is due or
 *  required; the server does not offer what it needs);
 *  #MW_E_NOSPACE when the line does not fit the command buffer
 *  (mw_smtp_client_error() gives the offset, in the argument that did
 *  not fit, of its first octet that does not fit with the CRLF);
 *  #MW_E_CLOSED when the session is over;
 *  #MW_E_CALLBACK when `send` failed (fatal: the session is dead).
 *  @{ */

/**
 * @brief Send EHLO (LHLO in LMTP mode) (RFC 5321 §4.1.1.1).
 *
 * Forgets the capabilities and any transaction; the reply fills them. The
 * name is kept for the EHLO after STARTTLS and for the HELO fallback: when
 * the reply is a 5xx and `helo_fallback` is on, the machine sends HELO
 * with the same name at once, and `reply` gets only the reply to HELO
 * (`reply_line` sees the refusal).
 *
 * @param c      the client. Not NULL.
 * @param domain the client's name: a domain or an address literal
 *               ("[192.0.2.1]", "[IPv6:2001:db8::1]"), at most 255 octets.
 * @return the shared statuses.
 */
MW_API int mw_smtp_client_ehlo(mw_smtp_client *c, mw_span domain);

/**
 * @brief Send HELO (RFC 5321 §4.1.1.1): no extensions. Not in LMTP mode.
 * @param c      the client. Not NULL.
 * @param domain as for mw_smtp_client_ehlo().
 * @return the shared statuses.
 */
MW_API int mw_smtp_client_helo(mw_smtp_client *c, mw_span domain);

/**
 * @brief Send MAIL FROM (RFC 5321 §4.1.1.2), starting a transaction.
 *
 * Parameters are written only for extensions the server offered:
 * SIZE (#MW_E_LIMIT when the size is above the server's limit, RFC 1870
 * §6), BODY=8BITMIME and BINARYMIME (#MW_E_STATE when not offered;
 * BINARYMIME also needs CHUNKING in use), SMTPUTF8 (#MW_E_STATE when not
 * offered; added by itself when `from` holds UTF-8), REQUIRETLS
 * (#MW_E_STATE unless offered and TLS is up), and RET, ENVID, AUTH= and
 * MT-PRIORITY, which are left out when their extension (DSN, AUTH,
 * MT-PRIORITY) was not offered. ENVID and AUTH= are xtext-encoded (RFC
 * 3461 §4); they must not hold control characters, and ENVID holds at
 * most 100 octets (RFC 3461 §4.4).
 *
 * @param c      the client. Not NULL.
 * @param from   the reverse-path mailbox without angle brackets ("a@b";
 *               "<a@b>" is accepted too), or empty for the null path "<>".
 * @param params optional typed parameters (`present` bits say which);
 *               NULL for none.
 * In a build without CHUNKING (MW_ENABLE_SMTP_CHUNKING 0, features.h)
 * the client never uses BDAT, whatever the configuration and the server
 * offer, and BODY=BINARYMIME is refused with #MW_E_UNSUPPORTED.
 *
 * @return the shared statuses; #MW_E_LIMIT (SIZE); #MW_E_UNSUPPORTED
 *         (BINARYMIME without CHUNKING compiled in).
 */
MW_API int mw_smtp_client_mail(mw_smtp_client *c, mw_span from,
                               const mw_smtp_mail_params *params);

/**
 * @brief mw_smtp_client_mail() with extra ESMTP parameters, written after
 *        the typed ones as "name[=value]" (RFC 5321 §4.1.2 esmtp-param).
 * @param c      the client. Not NULL.
 * @param from   as for mw_smtp_client_mail().
 * @param params as for mw_smtp_client_mail().
 * @param extra  `nextra` parameters; names must be esmtp-keywords, values
 *               esmtp-values (or empty for none). A parameter with a typed
 *               field (SIZE, BODY, SMTPUTF8, RET, ENVID, AUTH, REQUIRETLS,
 *               MT-PRIORITY; NOTIFY and ORCPT for RCPT) is refused here
 *               with #MW_E_INVAL: it goes through its field.
 * @param nextra their number.
 * @return as mw_smtp_client_mail().
 */
MW_API int mw_smtp_client_mail_ext(mw_smtp_client *c, mw_span from,
                                   const mw_smtp_mail_params *params,
                                   const mw_smtp_param *extra, size_t nextra);

/**
 * @brief Send RCPT TO (RFC 5321 §4.1.1.3).
 *
 * NOTIFY and ORCPT (RFC 3461 §4) are written when the server offered DSN,
 * left out otherwise. ORCPT's address (at most 500 octets, RFC 3461
 * §4.2) is xtext-encoded; its type defaults to "rfc822". A UTF-8 address
 * needs SMTPUTF8 in the MAIL command.
 *
 * @param c      the client. Not NULL.
 * @param to     the forward-path mailbox without angle brackets, or
 *               "Postmaster".
 * @param params optional typed parameters; NULL for none.
 * @return the shared statuses.
 */
MW_API int mw_smtp_client_rcpt(mw_smtp_client *c, mw_span to,
                               const mw_smtp_rcpt_params *params);

/**
 * @brief mw_smtp_client_rcpt() with extra ESMTP parameters.
 * @param c      the client. Not NULL.
 * @param to     as for mw_smtp_client_rcpt().
 * @param params as for mw_smtp_client_rcpt().
 * @param extra  extra parameters, as for mw_smtp_client_mail_ext().
 * @param nextra their number.
 * @return as mw_smtp_client_rcpt().
 */
MW_API int mw_smtp_client_rcpt_ext(mw_smtp_client *c, mw_span to,
                                   const mw_smtp_rcpt_params *params,
                                   const mw_smtp_param *extra, size_t nextra);

/**
 * @brief Start the message data.
 *
 * With CHUNKING in use nothing is sent: the data goes out in BDAT chunks
 * (RFC 3030 §2) and may be written at once. Otherwise DATA is sent
 * (RFC 5321 §4.1.1.4) and the data may be written after its 354 reply
 * (#MW_SMTP_CLIENT_WANT_BODY). When the 354 comes although no recipient
 * was accepted, the machine ends the data itself with "." (RFC 2920 §3.1)
 * and writes are refused. When DATA is refused, the envelope stays open
 * as the server keeps it (RFC 5321 §4.1.1.4): RSET before the next MAIL,
 * or add recipients and send DATA again.
 *
 * @param c the client. Not NULL.
 * @return the shared statuses (#MW_E_STATE also before any RCPT).
 */
MW_API int mw_smtp_client_data(mw_smtp_client *c);

/**
 * @brief Write message data (header and body, as RFC 5322 text).
 *
 * After DATA: dot-stuffed, bare CR and LF written as CRLF (or refused, by
 * `body_newlines`), sent in spans of `p`. With CHUNKING: one
 * "BDAT <n>" chunk holding these bytes (normalised the same way, so `n`
 * may exceed `len`; with BODY=BINARYMIME the bytes go as they are). Empty
 * writes send nothing.
 *
 * @param c   the client. Not NULL.
 * @param p   the bytes; may be NULL when `len` is 0.
 * @param len their number.
 * @return #MW_OK;
 *         #MW_E_BARE_LF / #MW_E_BARE_CR (policy #MW_NEWLINE_REJECT): the
 *         data holds one; nothing of this write was sent, the offset
 *         (counted from the first byte of the message) is in
 *         mw_smtp_client_error(); the message may go on with other data;
 *         #MW_E_STATE when data cannot be written now (before the 354,
 *         without PIPELINING while a BDAT reply is awaited, after a BDAT
 *         chunk was refused);
 *         #MW_E_INVAL for NULL `p` with `len` > 0;
 *         #MW_E_CLOSED when the session is over;
 *         #MW_E_CALLBACK when `send` failed (fatal).
 */
MW_API int mw_smtp_client_write(mw_smtp_client *c, const void *p, size_t len);

/**
 * @brief Write the last message data and end the message in one go (with
 *        CHUNKING: one "BDAT <n> LAST" chunk).
 * @param c   the client. Not NULL.
 * @param p   the bytes; may be NULL when `len` is 0.
 * @param len their number.
 * @return as mw_smtp_client_write() and mw_smtp_client_finish().
 */
MW_API int mw_smtp_client_write_last(mw_smtp_client *c, const void *p,
                                     size_t len);

/**
 * @brief End the message: CRLF when the data did not end with one (not for
 *        BINARYMIME), then "." CRLF, or "BDAT <n> LAST" with CHUNKING.
 *
 * Its reply comes as #MW_SMTP_CLIENT_MESSAGE (one per accepted recipient
 * in LMTP mode).
 *
 * @param c the client. Not NULL.
 * @return #MW_OK; #MW_E_BARE_CR when #MW_NEWLINE_REJECT and the data ended
 *         with a bare CR (dropped; call again to end the message without
 *         it); #MW_E_STATE when no message data is open;
 *         #MW_E_CLOSED when the session is over; #MW_E_CALLBACK when
 *         `send` failed (fatal).
 */
MW_API int mw_smtp_client_finish(mw_smtp_client *c);

/**
 * @brief Send RSET (RFC 5321 §4.1.1.5): abandon the transaction. It may
 *        be pipelined behind the commands of the transaction it abandons;
 *        their replies are still delivered (with `index` 0) but no longer
 *        count for the new transaction.
 * @param c the client. Not NULL.
 * @return the shared statuses.
 */
MW_API int mw_smtp_client_rset(mw_smtp_client *c);

/**
 * @brief Send NOOP (RFC 5321 §4.1.1.9).
 * @param c the client. Not NULL.
 * @return the shared statuses.
 */
MW_API int mw_smtp_client_noop(mw_smtp_client *c);

/**
 * @brief Send QUIT (RFC 5321 §4.1.1.10). After its reply feed() returns
 *        #MW_DONE.
 * @param c the client. Not NULL.
 * @return the shared statuses. Between BDAT chunks QUIT (and RSET) may be
 *         sent: the message is abandoned. After a 354 the data must be
 *         ended first (#MW_E_STATE): anything sent would be message text.
 */
MW_API int mw_smtp_client_quit(mw_smtp_client *c);

/**
 * @brief Send VRFY (RFC 5321 §4.1.1.6).
 * @param c    the client. Not NULL.
 * @param what the user name or mailbox to verify; printable, non-empty.
 * @return the shared statuses.
 */
MW_API int mw_smtp_client_vrfy(mw_smtp_client *c, mw_span what);

/**
 * @brief Send EXPN (RFC 5321 §4.1.1.7).
 * @param c    the client. Not NULL.
 * @param list the mailing list to expand; printable, non-empty.
 * @return the shared statuses.
 */
MW_API int mw_smtp_client_expn(mw_smtp_client *c, mw_span list);

/**
 * @brief Send HELP (RFC 5321 §4.1.1.8).
 * @param c     the client. Not NULL.
 * @param topic the topic, or empty for plain HELP.
 * @return the shared statuses.
 */
MW_API int mw_smtp_client_help(mw_smtp_client *c, mw_span topic);

/**
 * @brief Send ETRN (RFC 1985 §3).
 * @param c    the client. Not NULL.
 * @param node the queue to start: a domain, or "@domain", or "#queue".
 * @return the shared statuses (#MW_E_STATE when ETRN is not offered, or
 *         inside a mail transaction, where servers refuse it with 503).
 */
MW_API int mw_smtp_client_etrn(mw_smtp_client *c, mw_span node);

/** @} */

/* ====================================================================== */
/** @name Client: STARTTLS (RFC 3207)
 *  @{ */

/**
 * @brief Send STARTTLS.
 *
 * On its 220 reply the machine stops (#MW_SMTP_CLIENT_WANT_TLS, the
 * `starttls` callback): do the handshake on the same connection, then
 * call mw_smtp_client_tls_done(). Any byte received after that 220 and
 * before TLS is up — in the same feed() or a later one — is a response
 * injection (CVE-2020-15953) and kills the session (#MW_E_CLOSED). Any
 * other reply leaves the session in clear, unless `require_tls`.
 *
 * @param c the client. Not NULL.
 * @return the shared statuses (#MW_E_STATE also when STARTTLS was not
 *         offered or TLS is already up).
 */
MW_API int mw_smtp_client_starttls(mw_smtp_client *c);

/**
 * @brief The TLS handshake succeeded: forget the capabilities and any
 *        AUTH state, and send EHLO (LHLO) again with the same name
 *        (RFC 3207 §4.2).
 * @param c the client. Not NULL.
 * @return the statuses of mw_smtp_client_ehlo(); #MW_E_STATE when no
 *         handshake was due.
 */
MW_API int mw_smtp_client_tls_done(mw_smtp_client *c);

/** @} */

/* ====================================================================== */
/** @name Client: AUTH (RFC 4954)
 *  The mechanism must be offered (#MW_E_STATE otherwise, also before TLS
 *  unless `auth_without_tls`). Responses are base64-encoded by the
 *  machine; challenges (334) are decoded; a challenge the mechanism does
 *  not expect, or invalid base64, cancels the exchange with "*" (RFC 4954
 *  §4). The result is the AUTH reply: 235 success, 5xx/4xx failure.
 *  Credentials are checked with the sasl.h encoders (#MW_E_INVAL for a
 *  NUL where the mechanism forbids it).
 *  @{ */

/**
 * @brief AUTH PLAIN with an initial response (RFC 4616).
 * @param c       the client. Not NULL.
 * @param authzid identity to act as; usually empty.
 * @param user    the user name (authcid); non-empty.
 * @param pass    the password; non-empty.
 * @return the shared statuses.
 */
MW_API int mw_smtp_client_auth_plain(mw_smtp_client *c, mw_span authzid,
                                     mw_span user, mw_span pass);

/**
 * @brief AUTH LOGIN: user name and password each answer one challenge.
 * @param c    the client. Not NULL.
 * @param user the user name; no NUL. Must stay valid until the AUTH
 *             reply.
 * @param pass the password; no NUL. Must stay valid until the AUTH reply.
 * @return the shared statuses.
 */
MW_API int mw_smtp_client_auth_login(mw_smtp_client *c, mw_span user,
                                     mw_span pass);

/**
 * @brief AUTH XOAUTH2 with an initial response. A 334 (the server's JSON
 *        error) is answered with an empty line, as the mechanism requires.
 * @param c     the client. Not NULL.
 * @param user  the account.
 * @param token the OAuth 2.0 access token (RFC 6750 b64token).
 * @return the shared statuses; #MW_E_UNSUPPORTED (recorded, nothing sent)
 *         in a build without OAuth (MW_ENABLE_SASL_OAUTH 0, features.h).
 */
MW_API int mw_smtp_client_auth_xoauth2(mw_smtp_client *c, mw_span user,
                                       mw_span token);

/**
 * @brief AUTH OAUTHBEARER with an initial response (RFC 7628). A 334 (the
 *        error challenge) is answered with 0x01 (RFC 7628 §3.2.3).
 * @param c       the client. Not NULL.
 * @param authzid identity (usually the mail address); may be empty.
 * @param host    the server's host name; may be empty.
 * @param port    the server port, or 0.
 * @param token   the access token.
 * @return the shared statuses; #MW_E_UNSUPPORTED (recorded, nothing sent)
 *         in a build without OAuth (MW_ENABLE_SASL_OAUTH 0, features.h).
 */
MW_API int mw_smtp_client_auth_oauthbearer(mw_smtp_client *c, mw_span authzid,
                                           mw_span host, unsigned port,
                                           mw_span token);

/**
 * @brief AUTH with any mechanism, run step by step by a hook
 *        (::mw_sasl_step_fn, sasl.h).
 *
 * The hook is called at once for the initial response (its statuses
 * decide whether one is sent: an empty one is sent as "="), then once per
 * challenge. Its response buffer is the AUTH line buffer (the command
 * buffer, or `auth_buf`), `cap` already reduced to what fits once
 * base64-encoded. The hook and `user` must stay valid until the AUTH
 * reply.
 *
 * @param c    the client. Not NULL.
 * @param mech the mechanism name (RFC 4422 §3.1: 1 to 20 of A-Z 0-9 - _).
 * @param step the mechanism. Not NULL.
 * @param user passed to `step`.
 * @return the shared statuses; a negative status of the hook's first call
 *         (nothing sent).
 */
MW_API int mw_smtp_client_auth_sasl(mw_smtp_client *c, mw_span mech,
                                    mw_sasl_step_fn step, void *user);

/** @} */

/* ====================================================================== */
/** @name Client: the transaction helper
 *  @{ */

/**
 * @brief Send one message from a descriptor: the machine issues
 *        EHLO -> [STARTTLS -> EHLO] -> [AUTH] -> MAIL -> RCPT... -> DATA or
 *        BDAT -> data -> [QUIT] by itself as the replies come in, using
 *        PIPELINING, CHUNKING, SIZE, 8BITMIME and SMTPUTF8 where offered
 *        and needed.
 *
 * May be called before the greeting, or on an idle session (after a
 * previous message with `keep_open`; EHLO, TLS and AUTH already done are
 * not repeated). The application goes on feeding input and handling
 * #MW_SMTP_CLIENT_WANT_TLS; every reply still goes to `reply`. When the
 * message is settled the `done` callback gets the ::mw_smtp_client_result
 * (after QUIT's reply unless `keep_open`). A refused recipient does not
 * stop the message while one is accepted; see the result's counts.
 *
 * @param c the client. Not NULL.
 * @param m the message; it and what it points to must stay valid until
 *          `done`. Not NULL.
 * @return #MW_OK (started; the first command may already be sent);
 *         #MW_E_INVAL for a descriptor without `ehlo_domain`, `from` or
 *         recipients, or with bad values;
 *         #MW_E_STATE when the session is busy (a command awaits its
 *         reply, data is open, another message is running);
 *         the statuses of the first command sent.
 */
MW_API int mw_smtp_client_send_message(mw_smtp_client *c,
                                       const mw_smtp_client_message *m);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* MAILWIRE_SMTP_CLIENT_H */
