/* SPDX-License-Identifier: MIT */
/**
 * @file smtp_sender.h
 * @brief The SMTP sender: a small send-only client that delivers one
 *        message (RFC 5321) with STARTTLS (RFC 3207), AUTH PLAIN/LOGIN
 *        (RFC 4954), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531) and SIZE
 *        (RFC 1870), built for devices.
 *
 * The full client (smtp_client.h) drives any session: PIPELINING,
 * CHUNKING, DSN, LMTP, every command, many messages per connection. A
 * device that sends an alarm mail needs none of that, and pays for it in
 * code. The sender runs one fixed conversation, one command at a time:
 *
 *     greeting, EHLO (HELO when EHLO is refused), [STARTTLS, EHLO],
 *     [AUTH], MAIL, RCPT (per recipient), DATA, the message, QUIT
 *
 * It is a sans-I/O machine like every mailwire machine: bytes from the
 * server go in through mw_smtp_sender_feed(); commands and the message
 * come out through the `send` function of the message descriptor; nothing
 * is allocated. On a Cortex-M4 (-Os) it adds a few kilobytes of code to a
 * firmware (tests/embedded/SIZES.md), and its context is about 100 bytes
 * plus the buffer the caller gives.
 *
 * @section smtps_life Lifecycle
 *
 * 1. Fill a ::mw_smtp_sender_message (zero it first). Give a buffer of at
 *    least #MW_SMTP_SENDER_BUF_MIN bytes (#MW_SMTP_SENDER_BUF_SIZE is what
 *    RFC 5321's 512-byte reply lines need). mw_smtp_sender_init().
 * 2. Connect, then feed every byte the server sends to
 *    mw_smtp_sender_feed() until it returns something other than #MW_OK:
 *    - #MW_PAUSED: the server accepted STARTTLS. Do the TLS handshake on
 *      the connection, call mw_smtp_sender_tls_done(), and go on feeding
 *      what arrives through TLS. (Only with a `tls` mode that asks.)
 *    - #MW_DONE: the session is over; close the connection and read
 *      mw_smtp_sender_outcome().
 *    When the server closes the connection first, call
 *    mw_smtp_sender_eof().
 * 3. mw_smtp_sender_outcome() says whether the message was accepted, and
 *    if not, which reply refused it.
 *
 * The message is sent from inside mw_smtp_sender_feed(), when the 354
 * reply to DATA arrives: `body`, or every chunk `read` gives, is
 * dot-stuffed (RFC 5321 §4.5.2), each bare CR and bare LF is written as
 * CRLF (so no "." line can end the data early: SMTP smuggling), and the
 * data ends with CRLF "." CRLF. Each command goes to `send` in one call;
 * message data goes to it as spans of the caller's own bytes (zero-copy).
 *
 * @section smtps_security Security
 *
 * - Every string of the descriptor is checked before anything is sent:
 *   no control byte (CR, LF, NUL...), DEL, space, "<" or ">" can reach a
 *   command line, and 8-bit bytes must be well-formed UTF-8 (in paths
 *   only; they make the sender ask for SMTPUTF8). The finer grammar of
 *   RFC 5321 §4.1.2 is left to the server (a 501 or 553 reply ends the
 *   session cleanly), which keeps the sender small; a quoted local part
 *   with a space cannot be sent. The full client checks the whole
 *   grammar.
 * - A byte that arrives after the 220 reply to STARTTLS and before TLS is
 *   up ends the session with #MW_E_INJECTION (response injection,
 *   CVE-2020-15953); nothing of it is parsed.
 * - After TLS the capabilities are forgotten and EHLO is sent again (RFC
 *   3207 §4.2).
 * - #MW_SMTP_SENDER_TLS_REQUIRED fails the session (QUIT sent) when the
 *   server does not offer STARTTLS, refuses it, or only speaks HELO.
 * - Credentials are only sent over TLS (after STARTTLS, or with
 *   #MW_SMTP_SENDER_TLS_IMPLICIT), unless `auth_without_tls` is 1.
 * - Replies are read strictly: every line must end in CRLF and hold no
 *   NUL; the lines of one reply must share a code; a reply is at most
 *   #MW_SMTP_SENDER_MAX_REPLY_LINES lines. Replies are matched to
 *   commands in order; bytes after the reply that ends the session are
 *   not read (feed() returns #MW_DONE with `used` short of them).
 *
 * @section smtps_example Example
 * @code
 * static int put(void *u, const char *p, size_t n)
 * { return sock_write_all(*(int *)u, p, n) == 0 ? 0 : -1; }
 *
 * static const char *to[] = {"ops@example.com"};
 * static const char body[] = "From: <dev@example.com>\r\n"
 *     "To: <ops@example.com>\r\nSubject: alarm\r\n\r\nTemperature high.\r\n";
 * static char buf[MW_SMTP_SENDER_BUF_SIZE];
 * static mw_smtp_sender s;
 * mw_smtp_sender_message m = {0};
 * m.ehlo_domain = "sensor-17.example.com";
 * m.from = "dev@example.com";
 * m.rcpt = to;
 * m.rcpt_count = 1;
 * m.body = body;
 * m.body_len = sizeof body - 1;
 * m.send = put;
 * m.send_user = &sock;
 * mw_smtp_sender_init(&s, &m, buf, sizeof buf);
 * for (;;) {
 *     char in[256];
 *     size_t used;
 *     int n = sock_read(sock, in, sizeof in);
 *     if (n <= 0) { mw_smtp_sender_eof(&s); break; }
 *     if (mw_smtp_sender_feed(&s, in, (size_t)n, &used) != MW_OK) break;
 * }
 * if (mw_smtp_sender_outcome(&s)->status == MW_OK) { ... accepted ... }
 * @endcode
 */
#ifndef MAILWIRE_SMTP_SENDER_H
#define MAILWIRE_SMTP_SENDER_H

#include "core.h"
#include "config.h"
#include "framing.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @name Sizes and limits
 *  @{ */
/** The smallest buffer mw_smtp_sender_init() takes: reply lines and
 *  commands share it, so it bounds both (a longer reply line fails the
 *  session with #MW_E_TOO_LONG; a longer command is refused before it is
 *  sent). */
#define MW_SMTP_SENDER_BUF_MIN 128u
/** The buffer that RFC 5321 §4.5.3.1.5 asks for: reply lines of 512
 *  bytes with their CRLF. Commands (§4.5.3.1.4) fit in it too. */
#define MW_SMTP_SENDER_BUF_SIZE 514u
/** Most lines in one reply; more fails the session (#MW_E_LIMIT). An EHLO
 *  reply of a large server has 10 to 20. */
#define MW_SMTP_SENDER_MAX_REPLY_LINES 64u
/** @} */

/** @name TLS modes (the `tls` member of ::mw_smtp_sender_message)
 *  @{ */
#define MW_SMTP_SENDER_TLS_NONE 0          /**< never STARTTLS */
#define MW_SMTP_SENDER_TLS_OPPORTUNISTIC 1 /**< STARTTLS when offered; go on in clear otherwise */
#define MW_SMTP_SENDER_TLS_REQUIRED 2      /**< STARTTLS or fail */
#define MW_SMTP_SENDER_TLS_IMPLICIT 3      /**< the connection already is TLS (RFC 8314, port 465) */
/** @} */

/** @name Steps of the conversation (the `cmd` of ::mw_smtp_sender_result)
 *  The SMTP command values are those of ::mw_smtp_verb (smtp.h); the
 *  greeting and the end of the data have the values the full client uses.
 *  @{ */
#define MW_SMTP_SENDER_GREETING 32 /**< the server's greeting (RFC 5321 §3.1) */
#define MW_SMTP_SENDER_HELO 1      /**< HELO (after a refused EHLO) */
#define MW_SMTP_SENDER_EHLO 2      /**< EHLO (before or after TLS) */
#define MW_SMTP_SENDER_MAIL 3      /**< MAIL FROM */
#define MW_SMTP_SENDER_RCPT 4      /**< RCPT TO */
#define MW_SMTP_SENDER_DATA 5      /**< the DATA command (354 or a refusal) */
#define MW_SMTP_SENDER_QUIT 8      /**< QUIT */
#define MW_SMTP_SENDER_AUTH 12     /**< AUTH */
#define MW_SMTP_SENDER_STARTTLS 13 /**< STARTTLS */
#define MW_SMTP_SENDER_MESSAGE 33  /**< the message data and its final "." */
/** @} */

/** Type of the `send` member of ::mw_smtp_sender_message: write all `len`
 *  bytes to the server; return 0, or a negative value to end the session
 *  (the result is then #MW_E_CALLBACK). */
typedef int (*mw_smtp_sender_send_fn)(void *user, const char *data,
                                      size_t len);

/** Type of the `read` member of ::mw_smtp_sender_message: set `*chunk`
 *  and `*len` to the next piece of the message (valid until the next
 *  call), `*len` 0 at its end; return 0, or a negative value to abandon
 *  the message (the result is then #MW_E_CALLBACK; the connection must be
 *  closed, since the data cannot be ended cleanly). */
typedef int (*mw_smtp_sender_read_fn)(void *user, const char **chunk,
                                      size_t *len);

/** Type of the `reply` member of ::mw_smtp_sender_message: one reply line
 *  (without its CRLF; `text` is what follows "NNN " or "NNN-") as it
 *  arrives, for logs. `cmd` is the step it answers. The text is valid only
 *  during the call. Return 0, or negative to end the session
 *  (#MW_E_CALLBACK). */
typedef int (*mw_smtp_sender_reply_fn)(void *user, int cmd, unsigned code,
                                       const char *text, size_t len);

/**
 * @brief What to send and how. Zero-initialise, then fill. The descriptor
 *        and everything it points to must stay valid while the session
 *        runs (mw_smtp_sender_init() keeps a pointer to it).
 *
 * Strings are NUL-terminated.
 */
typedef struct mw_smtp_sender_message {
    const char *ehlo_domain; /**< the client's name for EHLO/HELO: a domain
                                * or an address literal ("[192.0.2.7]");
                                * required */
    int tls;                 /**< `MW_SMTP_SENDER_TLS_*`; 0 is NONE */
    const char *user;        /**< AUTH user name; NULL: no AUTH. The
                                * mechanism is PLAIN when the server offers
                                * it, else LOGIN; neither offered fails the
                                * session. */
    const char *secret;      /**< the password (with `user`) */
    int auth_without_tls;    /**< 1: AUTH even when the connection is not
                                * TLS (credentials in clear). Default 0: such
                                * a session fails at AUTH with #MW_E_STATE. */
    const char *from;        /**< reverse-path mailbox without "<>"; "" for
                                * the null path */
    const char *const *rcpt; /**< forward-path mailboxes, without "<>" */
    size_t rcpt_count;       /**< their number, 1 to 1000 */
    int eight_bit;           /**< 1: the message has 8-bit bytes: BODY=8BITMIME
                                * is sent, and a server that does not offer
                                * 8BITMIME fails the session (#MW_E_UNSUPPORTED,
                                * RFC 6152 §3) */
    uint64_t size;           /**< the message's size in bytes when known
                                * (SIZE=, RFC 1870), else 0 */
    const char *body;        /**< the whole message (header and body) ... */
    size_t body_len;         /**< ... and its length; or NULL and `read` */
    mw_smtp_sender_read_fn read; /**< pull the message in pieces (when `body`
                                * is NULL) */
    void *read_user;         /**< passed to `read` */
    mw_smtp_sender_send_fn send; /**< write to the server; required */
    void *send_user;         /**< passed to `send` */
    mw_smtp_sender_reply_fn reply; /**< optional: every reply line, for logs */
    void *reply_user;        /**< passed to `reply` */
} mw_smtp_sender_message;

/**
 * @brief How the session ended (mw_smtp_sender_outcome()).
 */
typedef struct mw_smtp_sender_result {
    int status;          /**< #MW_OK: the server accepted the message (for
                            * `rcpt_accepted` recipients); #MW_E_STATE: a
                            * reply refused it, or a policy said no (TLS,
                            * AUTH in clear, no common AUTH mechanism: `code`
                            * 0); #MW_E_AUTH: the server refused the
                            * credentials (a 5xx to AUTH; a 4xx is
                            * #MW_E_STATE); #MW_E_UNSUPPORTED: the message
                            * needs 8BITMIME or SMTPUTF8 and the server does
                            * not offer it; #MW_E_CLOSED: the connection
                            * ended first; #MW_E_INVAL / #MW_E_TOO_LONG: the
                            * descriptor (nothing was sent for it);
                            * #MW_E_SYNTAX, #MW_E_BARE_LF, #MW_E_BARE_CR,
                            * #MW_E_NUL, #MW_E_TOO_LONG, #MW_E_LIMIT,
                            * #MW_E_SEQUENCE, #MW_E_INJECTION: the server
                            * broke the protocol at `offset`;
                            * #MW_E_CALLBACK: `send`, `read` or `reply`
                            * returned a negative value; #MW_E_INCOMPLETE:
                            * still running */
    int cmd;             /**< the step that decided (`MW_SMTP_SENDER_*`
                            * steps); 0 while running */
    unsigned code;       /**< the reply code of that step; 0 when no reply
                            * decided */
    size_t rcpt_accepted; /**< recipients the server accepted at RCPT */
    size_t rcpt_rejected; /**< recipients it refused (any refused recipient
                            * is counted here; the message still goes to the
                            * others) */
    size_t offset;       /**< for a protocol error: the offset of the bad
                            * byte in the stream fed (counting every byte
                            * since mw_smtp_sender_init()); for a refused
                            * recipient string at init: its index */
    const char *reason;  /**< a static English description, never NULL ("" in a
                            * build without error texts) */
} mw_smtp_sender_result;

/** A sender context. Place it anywhere (mw_smtp_sender_sizeof() bytes);
 *  all fields are private. */
typedef struct mw_smtp_sender {
    /** @cond PRIVATE */
    const mw_smtp_sender_message *m;
    mw_smtp_sender_result res;
    mw_line lines;          /* reply framer over the caller's buffer */
    char *buf;              /* the caller's buffer: reply lines, commands */
    size_t cap;
    size_t rcpt_next;       /* next recipient to send */
    uint16_t reply_lines;   /* lines of the reply being read */
    uint16_t reply_code;    /* its code (from the first line) */
    uint8_t state;          /* the step whose reply is awaited */
    uint8_t tls_on;         /* the connection is TLS */
    uint8_t caps;           /* SENDER_CAP_* bits of the last EHLO reply */
    uint8_t flags;          /* SENDER_F_* */
    /** @endcond */
} mw_smtp_sender;

/**
 * @brief The size of ::mw_smtp_sender, for bindings.
 * @return sizeof(mw_smtp_sender).
 */
MW_API size_t mw_smtp_sender_sizeof(void);

/**
 * @brief Start a session: check the descriptor and wait for the greeting.
 *
 * Nothing is sent yet (SMTP starts with the server's greeting).
 *
 * @param s    the context; it needs no preparation.
 * @param m    the message; kept by pointer until the session ends.
 * @param buf  a buffer of `cap` bytes for reply lines and commands; must
 *             outlive the session.
 * @param cap  at least #MW_SMTP_SENDER_BUF_MIN; #MW_SMTP_SENDER_BUF_SIZE
 *             for every reply line RFC 5321 allows.
 * @return #MW_OK; #MW_E_INVAL (a NULL argument, `cap` too small, no
 *         `send`, no `body` or `read`, `rcpt_count` 0 or over 1000, an
 *         unknown `tls` mode, `user` without `secret`, an empty user name
 *         or password or one that is not UTF-8, or a string a
 *         command line cannot carry: the outcome says which); on
 *         #MW_E_INVAL `s` is still set up so that mw_smtp_sender_outcome()
 *         can be read, and feed() returns #MW_DONE.
 */
MW_API int mw_smtp_sender_init(mw_smtp_sender *s,
                               const mw_smtp_sender_message *m, char *buf,
                               size_t cap);

/**
 * @brief Feed bytes received from the server.
 *
 * Replies are read as they complete; each one sends the next command (or
 * the message) through `send` before feed() goes on.
 *
 * @param s     the context.
 * @param data  the bytes; may be NULL when `len` is 0.
 * @param len   their number; any chunking gives the same session.
 * @param used  optional: bytes consumed. Less than `len` only with
 *              #MW_PAUSED (the rest, if any, was not read: it arrived
 *              before TLS and is injection unless `len - used` is 0) and
 *              #MW_DONE (what follows the session's end).
 * @return #MW_OK: all consumed, more input wanted; #MW_PAUSED: do the TLS
 *         handshake, then mw_smtp_sender_tls_done(); #MW_DONE: the session
 *         is over (mw_smtp_sender_outcome()); #MW_E_INVAL (NULL `s`, or
 *         `data` NULL with `len` > 0); #MW_E_STATE (TLS is awaited: call
 *         mw_smtp_sender_tls_done() first).
 */
MW_API int mw_smtp_sender_feed(mw_smtp_sender *s, const char *data,
                               size_t len, size_t *used);

/**
 * @brief TLS is up after #MW_PAUSED: forget what was read in clear and
 *        send EHLO again (RFC 3207 §4.2).
 * @param s the context.
 * @return #MW_OK; #MW_E_STATE when no TLS handshake was asked for;
 *         #MW_DONE when `send` failed (the result says so).
 */
MW_API int mw_smtp_sender_tls_done(mw_smtp_sender *s);

/**
 * @brief The server closed the connection. A session that was not over
 *        ends with #MW_E_CLOSED (a message whose data was accepted stays
 *        accepted: a missing reply to QUIT changes nothing).
 * @param s the context.
 * @return #MW_DONE, or #MW_E_INVAL for a NULL `s`.
 */
MW_API int mw_smtp_sender_eof(mw_smtp_sender *s);

/**
 * @brief The outcome so far; final once feed() returned #MW_DONE.
 * @param s the context.
 * @return a pointer into `s` (valid as long as it is); `status`
 *         #MW_E_INCOMPLETE while the session runs. NULL for a NULL `s`.
 */
MW_API const mw_smtp_sender_result *
mw_smtp_sender_outcome(const mw_smtp_sender *s);

#ifdef __cplusplus
}
#endif

#endif
