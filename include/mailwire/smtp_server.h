/* SPDX-License-Identifier: MIT */
/**
 * @file smtp_server.h
 * @brief The SMTP and LMTP server machine (RFC 5321, RFC 2033) with
 *        ESMTP extensions: PIPELINING, SIZE, 8BITMIME, STARTTLS, AUTH,
 *        ENHANCEDSTATUSCODES, DSN, SMTPUTF8, CHUNKING/BDAT, BINARYMIME,
 *        REQUIRETLS, MT-PRIORITY, ETRN.
 *
 * The machine reads the bytes a client sent, parses each command to the
 * RFC 5321 grammar, enforces the order of commands, and hands every valid
 * command to the application, which decides policy (accept this sender,
 * this recipient, these credentials) and answers with a reply code. The
 * machine formats every reply line and passes it to the `send` callback.
 * Syntax errors, bad sequences, unknown commands, over-long lines and
 * exceeded limits are answered by the machine itself (and reported to the
 * `error` callback); the application never sees them.
 *
 * # Lifecycle
 *
 * 1. **Init.** Place an ::mw_smtp_server (static, stack, heap: its size is
 *    sizeof(mw_smtp_server) or mw_smtp_server_sizeof()) and a line buffer
 *    of #MW_SMTP_SERVER_LINEBUF_SIZE bytes. Fill an
 *    ::mw_smtp_server_config with mw_smtp_server_config_init(), change
 *    what you need (extensions, host name, limits), and call
 *    mw_smtp_server_init(). The machine keeps pointers to the line buffer
 *    and to the config's strings; it copies the config and callbacks
 *    structs themselves.
 * 2. **Greeting.** When the connection is up, mw_smtp_server_start() sends
 *    "220 host text" (or mw_smtp_server_refuse() sends 554, RFC 5321
 *    §3.1).
 * 3. **Feed.** Pass every chunk received to mw_smtp_server_feed(). For
 *    each command it calls `command`; the application answers with
 *    mw_smtp_server_reply() (or mw_smtp_server_reply_default()), inside
 *    the callback or later. While a reply is owed the machine reads no
 *    further command: feed returns #MW_PAUSED and says in `*consumed` how
 *    far it got; feed the rest after replying (PIPELINING, RFC 2920:
 *    replies always leave in command order).
 * 4. **Message data.** After a 354 reply to DATA, the body arrives through
 *    `data` in chunks, unstuffed (RFC 5321 §4.5.2), then `data_end` with
 *    a status; reply 250 (LMTP: one reply per accepted recipient,
 *    RFC 2033 §4.2). BDAT chunks (RFC 3030) arrive the same way; the
 *    machine acknowledges chunks without LAST itself. A message broken by
 *    the machine's rules (a bare LF, over the size limit) is still read to
 *    its end; `data_end` then gets the reason and the machine rejects it.
 * 5. **Pause.** Any callback may return #MW_PAUSED: feed stops right
 *    after that event and returns #MW_PAUSED; feed the rest later.
 * 6. **STARTTLS.** `command` gets #MW_SMTP_CMD_STARTTLS; reply 220 to
 *    accept. From then on every byte fed is discarded and reported
 *    (`error` with #MW_E_TLS_LEFTOVER, mw_smtp_server_discarded() counts them;
 *    CVE-2011-0411) until the
 *    application has done the TLS handshake and calls
 *    mw_smtp_server_tls_done(); the machine then forgets HELO/EHLO, AUTH
 *    and the transaction (RFC 3207 §4.2) and expects a new EHLO.
 * 7. **End.** QUIT answered (221), a 421 reply, or too many bad commands:
 *    mw_smtp_server_want() says #MW_SMTP_SERVER_WANT_CLOSED and feed
 *    returns #MW_DONE, then #MW_E_CLOSED. When the peer goes away, call
 *    mw_smtp_server_eof().
 *
 * Errors: callbacks return 0 to go on, #MW_PAUSED to pause, a negative
 * value to abort: the machine is then dead and every call returns
 * #MW_E_CALLBACK. Recoverable protocol errors never make feed fail.
 *
 * # Example
 *
 * @code
 * static int on_send(mw_smtp_server *s, void *u, const char *p, size_t n)
 * {
 *     return write_all(*(int *)u, p, n) == 0 ? 0 : -1;
 * }
 * static int on_command(mw_smtp_server *s, void *u, const mw_smtp_cmd *c)
 * {
 *     if (c->verb == MW_SMTP_CMD_RCPT && !known_user(c->path.mailbox))
 *         return mw_smtp_server_reply(s, 550, "5.1.1 No such user");
 *     return mw_smtp_server_reply_default(s); // 250, 354, 221 ...
 * }
 * static int on_data(mw_smtp_server *s, void *u, const char *p, size_t n)
 * {
 *     return spool_write(p, n);
 * }
 * static int on_data_end(mw_smtp_server *s, void *u, int status)
 * {
 *     if (status != MW_OK) // the machine rejects the message itself
 *         return spool_discard();
 *     return mw_smtp_server_reply(s, 250, "Queued");
 * }
 *
 * mw_smtp_server srv;
 * char line[MW_SMTP_SERVER_LINEBUF_SIZE];
 * mw_smtp_server_config cfg;
 * mw_smtp_server_callbacks cb = {0};
 * int fd = accept_connection();
 * mw_smtp_server_config_init(&cfg);
 * cfg.hostname = "mx.example.org";
 * cfg.extensions |= MW_SMTP_EXT_SIZE;
 * cfg.max_message_size = 25u << 20;
 * cb.send = on_send; cb.command = on_command;
 * cb.data = on_data; cb.data_end = on_data_end;
 * mw_smtp_server_init(&srv, &cfg, &cb, &fd, line, sizeof line);
 * mw_smtp_server_start(&srv, "ESMTP ready");
 * for (;;) {
 *     char buf[4096];
 *     size_t off = 0, used;
 *     long n = read(fd, buf, sizeof buf);
 *     if (n <= 0) { mw_smtp_server_eof(&srv); break; }
 *     while (off < (size_t)n) {
 *         int r = mw_smtp_server_feed(&srv, buf + off, (size_t)n - off, &used);
 *         off += used;
 *         if (r == MW_DONE || r < 0) goto out;
 *         // r == MW_PAUSED: a reply is owed (asynchronous application) or
 *         // a callback paused; reply, then go on feeding from buf + off.
 *     }
 * }
 * out:;
 * @endcode
 */
#ifndef MAILWIRE_SMTP_SERVER_H
#define MAILWIRE_SMTP_SERVER_H

#include "core.h"
#include "config.h"
#include "framing.h"
#include "smtp.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest AUTH line by default, including CRLF: an AUTH command with an
 *  initial response, or a response to a 334 challenge. RFC 4954 §4 asks
 *  servers to accept 12288 octets; set `max_auth_line` to that (and give
 *  a line buffer of MW_SMTP_SERVER_LINEBUF_FOR(12288) bytes) when clients
 *  send large OAuth tokens (XOAUTH2, OAUTHBEARER). The default keeps a
 *  session within 2 KB. */
#ifndef MW_SMTP_SERVER_AUTH_LINE
#define MW_SMTP_SERVER_AUTH_LINE 512u
#endif

/** Most ESMTP parameters that the machine does not know and passes on in
 *  mw_smtp_cmd::params (the parameters it knows do not count). A command
 *  with more is answered 501 by the machine. The array lives on the stack
 *  of mw_smtp_server_feed(). */
#ifndef MW_SMTP_SERVER_MAX_PARAMS
#define MW_SMTP_SERVER_MAX_PARAMS 16u
#endif

/**
 * @brief The line buffer needed for AUTH lines of up to `auth_line` octets
 *        (including CRLF): the line, plus room for its decoded base64
 *        (3 bytes per 4 characters), so that both stay valid during the
 *        callback. At least a command line (#MW_SMTP_MAX_COMMAND_LINE).
 */
#define MW_SMTP_SERVER_LINEBUF_FOR(auth_line)                                \
    (((auth_line) - 2u + 3u * (((auth_line) - 2u + 3u) / 4u)) >              \
             MW_SMTP_MAX_COMMAND_LINE                                        \
         ? ((auth_line) - 2u + 3u * (((auth_line) - 2u + 3u) / 4u))          \
         : MW_SMTP_MAX_COMMAND_LINE)

/** The line buffer for the default limits (894 bytes). */
#define MW_SMTP_SERVER_LINEBUF_SIZE                                          \
    MW_SMTP_SERVER_LINEBUF_FOR(MW_SMTP_SERVER_AUTH_LINE)

/** @name Bits of mw_smtp_server_want()
 *  The same values in every mailwire machine.
 *  @{ */
/** The machine can take input (feed). */
#define MW_SMTP_SERVER_WANT_INPUT 0x01u
/** A reply is owed by the application (mw_smtp_server_reply()). */
#define MW_SMTP_SERVER_WANT_REPLY 0x02u
/** STARTTLS was accepted: do the TLS handshake, then
 *  mw_smtp_server_tls_done(). */
#define MW_SMTP_SERVER_WANT_TLS 0x04u
/** The session is over: close the connection. */
#define MW_SMTP_SERVER_WANT_CLOSED 0x08u
/** @} */

/** @name Bits of mw_smtp_server_config::flags
 *  @{ */
/** Speak LMTP (RFC 2033): LHLO instead of HELO/EHLO (which are answered
 *  500), and one reply per accepted recipient at the end of the data. */
#define MW_SMTP_SERVER_LMTP 0x01u
/** Lenient: accept spaces between "FROM:" / "TO:" and the path
 *  ("MAIL FROM: <a@b>", sent by some Outlook versions, field-notes §3)
 *  and at the end of MAIL and RCPT lines. Off by default: RFC 5321
 *  §4.1.2 has no space there. */
#define MW_SMTP_SERVER_LENIENT_PATH_SPACE 0x02u
/** Lenient: accept any argument without spaces or control characters
 *  after HELO, EHLO and LHLO (clients that send "EHLO my_pc"), instead
 *  of a domain or address literal only (RFC 5321 §4.1.1.1). */
#define MW_SMTP_SERVER_LENIENT_HELO 0x04u
/** The session is under TLS from the start (implicit TLS, RFC 8314):
 *  STARTTLS is neither offered nor accepted, REQUIRETLS is. */
#define MW_SMTP_SERVER_TLS_ACTIVE 0x08u
/** @} */

/**
 * @brief Settings of a server session. Fill with
 *        mw_smtp_server_config_init() first; fields added in later
 *        versions then keep safe defaults.
 *
 * The strings are NUL-terminated, must not contain CR or LF, and must
 * outlive the session (the machine keeps the pointers).
 */
typedef struct mw_smtp_server_config {
    /** `MW_SMTP_SERVER_*` flags. Default 0. */
    unsigned flags;
    /** The extensions to offer in the EHLO reply and to accept
     *  (`MW_SMTP_EXT_*`). A command or parameter of an extension not
     *  offered is refused (502 or 555). Default: PIPELINING, 8BITMIME,
     *  ENHANCEDSTATUSCODES. STARTTLS is offered only before TLS,
     *  REQUIRETLS only under TLS (RFC 8689 §4). */
    unsigned long extensions;
    /** The server's name: first word of the default greeting and of the
     *  default HELO/EHLO reply. Default "localhost". */
    const char *hostname;
    /** The SASL mechanisms to offer after "AUTH" in the EHLO reply
     *  ("PLAIN LOGIN"): words of printable ASCII separated by single
     *  spaces (RFC 5321 §4.1.1.1 ehlo-param); used when #MW_SMTP_EXT_AUTH
     *  is set. Default "". */
    const char *auth_mechanisms;
    /** More EHLO lines, NULL-terminated array; may be NULL. Each must be
     *  an ehlo-line (RFC 5321 §4.1.1.1: an ehlo-keyword, then parameters
     *  of printable ASCII, each after a single space) of at most 506
     *  octets. */
    const char *const *ehlo_lines;
    /** Largest message accepted, in octets: offered as "SIZE n" and
     *  enforced on SIZE= (RFC 1870 §6) and on the data itself. 0: no
     *  limit (offered as "SIZE" alone). Default 0. */
    uint64_t max_message_size;
    /** Longest command line including CRLF (RFC 5321 §4.5.3.1.4).
     *  Default and minimum 512. */
    size_t max_command_line;
    /** Longest text line of a DATA message including CRLF, counted after
     *  unstuffing (RFC 5321 §4.5.3.1.6); a longer line gets the message
     *  rejected at its end. 0: no limit. Default 1000. */
    size_t max_text_line;
    /** Longest AUTH line including CRLF (RFC 4954 §4). Default
     *  #MW_SMTP_SERVER_AUTH_LINE. The line buffer must hold
     *  MW_SMTP_SERVER_LINEBUF_FOR(max_auth_line) bytes. */
    size_t max_auth_line;
    /** Most accepted recipients per message; one more is answered
     *  "452 4.5.3" (RFC 5321 §4.5.3.1.10). Default 100. */
    unsigned max_recipients;
    /** Bad commands (answered 500, 501, 503, 504 or 555 by the machine)
     *  allowed per session; one more is answered "421" and the session is
     *  closed. Default 20. */
    unsigned max_bad_commands;
    /** Bare CR or LF in a command line: #MW_NEWLINE_REJECT (default: the
     *  line is answered 500) or #MW_NEWLINE_ACCEPT (taken as a line end). */
    mw_newline_policy command_newlines;
    /** Bare CR or LF in DATA (never an end of data, SMTP smuggling,
     *  field-notes §4.2): #MW_NEWLINE_REJECT (default: the message is
     *  rejected at its end, `data_end` gets #MW_E_BARE_LF or
     *  #MW_E_BARE_CR), #MW_NEWLINE_ACCEPT (each is passed on as CRLF) or
     *  #MW_NEWLINE_PASS (passed on unchanged). */
    mw_newline_policy data_newlines;
} mw_smtp_server_config;

/**
 * @brief A SASL response as received: the base64 text and its decoded
 *        bytes (RFC 4954 §4).
 *
 * Both spans are valid until the callback returns. `b64` can go straight
 * to the server-side parsers of sasl.h (mw_sasl_plain_decode(),
 * mw_sasl_login_decode(), mw_sasl_xoauth2_parse(),
 * mw_sasl_oauthbearer_parse()); `decoded` is for any other mechanism. The
 * client's "=" (an empty response) gives two empty spans. `decoded` may
 * hold any byte, including NUL, CR and LF.
 */
typedef struct mw_smtp_sasl {
    mw_span b64;     /**< the base64 text, checked (strict RFC 4648 §4) */
    mw_span decoded; /**< the decoded bytes */
} mw_smtp_sasl;

/**
 * @brief A command handed to the application.
 *
 * Every span points into the caller's input or the line buffer and is
 * valid only until the `command` callback returns: copy what you keep.
 * Fields that do not belong to the verb are zero.
 */
typedef struct mw_smtp_cmd {
    mw_smtp_verb verb;   /**< which command */
    size_t offset;       /**< stream offset of the line's first byte */
    mw_span line;        /**< the whole line, without CRLF */
    /** The argument: the domain or address literal of HELO, EHLO and
     *  LHLO; the string of VRFY, EXPN, HELP, NOOP and ETRN (possibly
     *  empty); the mechanism name of AUTH. */
    mw_span arg;
    /** MAIL: the reverse-path; RCPT: the forward-path (RFC 5321 §4.1.2). */
    mw_smtp_path path;
    mw_smtp_mail_params mail; /**< MAIL: the parameters the machine knows */
    mw_smtp_rcpt_params rcpt; /**< RCPT: the parameters the machine knows */
    /** MAIL, RCPT: the parameters the machine does not know, in order,
     *  name and value as written; answer 555 to refuse them. */
    const mw_smtp_param *params;
    size_t nparams;           /**< number of entries in `params` */
    /** AUTH: 1 when an initial response was given (RFC 4954 §4), which is
     *  then in `auth_initial` ("=" gives empty spans). */
    int has_initial;
    mw_smtp_sasl auth_initial; /**< AUTH: the initial response */
} mw_smtp_cmd;

/** A server session (see struct mw_smtp_server). */
typedef struct mw_smtp_server mw_smtp_server;

/** Type of the `send` member of ::mw_smtp_server_callbacks. */
typedef int (*mw_smtp_server_send_fn)(mw_smtp_server *s, void *user,
                                      const char *data, size_t len);

/** Type of the `command` member of ::mw_smtp_server_callbacks. */
typedef int (*mw_smtp_server_command_fn)(mw_smtp_server *s, void *user,
                                         const mw_smtp_cmd *cmd);

/** Type of the `data` member of ::mw_smtp_server_callbacks. */
typedef int (*mw_smtp_server_data_fn)(mw_smtp_server *s, void *user,
                                      const char *data, size_t len);

/** Type of the `data_end` member of ::mw_smtp_server_callbacks. */
typedef int (*mw_smtp_server_data_end_fn)(mw_smtp_server *s, void *user,
                                          int status);

/** Type of the `auth_response` member of ::mw_smtp_server_callbacks. */
typedef int (*mw_smtp_server_auth_response_fn)(mw_smtp_server *s, void *user,
                                               const mw_smtp_sasl *r);

/** Type of the `error` member of ::mw_smtp_server_callbacks. */
typedef int (*mw_smtp_server_error_fn)(mw_smtp_server *s, void *user,
                                       int status, size_t offset,
                                       const char *reason);

/**
 * @brief The application's callbacks. Zero-initialise and set what you
 *        need; mw_smtp_server_init() copies the struct.
 *
 * Every callback returns 0 to go on, #MW_PAUSED to make
 * mw_smtp_server_feed() return right after this event, or a negative
 * value to abort the session (the machine then returns #MW_E_CALLBACK
 * from every call).
 */
typedef struct mw_smtp_server_callbacks {
    /** Required. Bytes to send to the client: each reply line whole, with
     *  its CRLF, in one call. Must take all `len` bytes. */
    mw_smtp_server_send_fn send;
    /** A valid command in a valid state. Answer it with
     *  mw_smtp_server_reply() (now or later). NULL: every command gets
     *  mw_smtp_server_reply_default(). NOOP never comes here (the machine
     *  answers 250), nor do BDAT chunks (see `data`). */
    mw_smtp_server_command_fn command;
    /** Message bytes (DATA unstuffed; BDAT chunks as sent), in order, in
     *  pieces of any size; `data` may point into the caller's input. Not
     *  called for a message already rejected. May be NULL. */
    mw_smtp_server_data_fn data;
    /** The end of a message (DATA's "." line, BDAT LAST). `status` is
     *  #MW_OK: answer with mw_smtp_server_reply() (LMTP: once per accepted
     *  recipient, in RCPT order). Otherwise the machine has rejected the
     *  message and answers itself (do not reply): #MW_E_BARE_LF or
     *  #MW_E_BARE_CR (DATA with #MW_NEWLINE_REJECT), #MW_E_LIMIT (larger
     *  than max_message_size), #MW_E_TOO_LONG (a text line over
     *  max_text_line); its rejection has been sent when this is called.
     *  NULL: a message with #MW_OK gets 250. */
    mw_smtp_server_data_end_fn data_end;
    /** A response to a 334 challenge (mw_smtp_server_auth_challenge()).
     *  Answer with another challenge or a final reply (235, 535...).
     *  "*" (cancel) and bad base64 never come here: the machine answers
     *  501 and ends the exchange (RFC 4954 §4). NULL: answered 535. */
    mw_smtp_server_auth_response_fn auth_response;
    /** An error the machine has already dealt with (answered, or bytes
     *  discarded): the status, the stream offset where it is and a static
     *  English reason. Bytes discarded after STARTTLS are reported with
     *  #MW_E_TLS_LEFTOVER at the offset of the first one, once per feed call;
     *  mw_smtp_server_discarded() counts them. May be NULL. */
    mw_smtp_server_error_fn error;
} mw_smtp_server_callbacks;

/**
 * @brief A server session. Place it anywhere; all fields are private
 *        (they may change in any release). Use sizeof(mw_smtp_server) or
 *        mw_smtp_server_sizeof().
 */
struct mw_smtp_server {
    /** @cond PRIVATE */
    mw_line line;                 /* command framer (lib/core/line.c) */
    mw_dot_unstuff dot;           /* DATA reader (lib/core/dot.c) */
    mw_smtp_server_callbacks cb;
    void *user;
    char *linebuf;
    size_t linebuf_len;
    const char *hostname;         /* config, as used */
    const char *auth_mechanisms;
    const char *const *ehlo_lines;
    uint64_t max_size;
    size_t max_cmd;               /* without CRLF */
    size_t max_text;              /* with CRLF; 0 = none */
    size_t max_auth;              /* without CRLF */
    unsigned long ext;
    unsigned max_rcpt;
    unsigned max_bad;
    unsigned flags;
    unsigned sflags;              /* session flags (server.c SF_*) */
    uint64_t msg_size;            /* message bytes so far */
    uint64_t bdat_left;           /* bytes of the BDAT chunk still to come */
    uint64_t bdat_size;           /* size of the BDAT chunk */
    size_t bdat_off;              /* stream offset of the BDAT line */
    size_t text_len;              /* DATA: bytes since the last LF */
    size_t discarded;             /* bytes dropped after STARTTLS */
    size_t err_offset;            /* the last error */
    const char *err_reason;
    int err_code;
    int fatal;                    /* sticky fatal status */
    int doom;                     /* why the message will be rejected */
    unsigned rcpts;               /* accepted recipients */
    unsigned owed;                /* LMTP: replies owed at the data end */
    unsigned bad;                 /* bad commands so far */
    uint16_t more_code;           /* code of the reply_more() lines */
    uint8_t state;
    uint8_t pending;              /* what the owed reply answers */
    uint8_t data_policy;
    uint8_t paused;
    uint8_t bdat_last;
    uint8_t bdat_mode;
    uint8_t body;                 /* BODY= of the transaction */
    uint8_t next_body;            /* BODY= of the MAIL awaiting its reply */
    uint8_t next_utf8;            /* SMTPUTF8 of that MAIL */
    uint8_t in_feed;              /* inside mw_smtp_server_feed() */
    /** @endcond */
};

/**
 * @brief Fill a config with the defaults (RFC 5321 limits, PIPELINING,
 *        8BITMIME and ENHANCEDSTATUSCODES offered, everything strict).
 * @param cfg the config to fill. Nothing happens when NULL.
 */
MW_API void mw_smtp_server_config_init(mw_smtp_server_config *cfg);

/**
 * @brief sizeof(mw_smtp_server), for bindings that cannot include this
 *        header's struct definition.
 * @return the size in bytes.
 */
MW_API size_t mw_smtp_server_sizeof(void);

/**
 * @brief Set up a session.
 *
 * @param s           the session to set up (its old state is ignored).
 * @param cfg         settings; NULL for the defaults. Copied, except the
 *                    strings it points to, which must outlive `s`.
 * @param cb          callbacks (copied); `cb->send` is required.
 * @param user        passed to every callback.
 * @param linebuf     the line buffer: a command or AUTH line cut by a
 *                    chunk boundary is assembled here, and base64 is
 *                    decoded here. Must outlive `s`.
 * @param linebuf_len its size: at least
 *                    MW_SMTP_SERVER_LINEBUF_FOR(cfg->max_auth_line) and
 *                    at least cfg->max_command_line.
 * @return #MW_OK;
 *         #MW_E_INVAL for a NULL `s`, `cb`, `cb->send` or `linebuf`, a
 *         buffer too small, a command line limit under 512, an AUTH line
 *         limit under 12, an unknown newline policy, #MW_NEWLINE_PASS for
 *         commands, a string setting with CR or LF, AUTH mechanisms or
 *         an extra EHLO line that is not made of ehlo-params (above).
 */
MW_API int mw_smtp_server_init(mw_smtp_server *s,
                               const mw_smtp_server_config *cfg,
                               const mw_smtp_server_callbacks *cb, void *user,
                               char *linebuf, size_t linebuf_len);

/**
 * @brief Send the greeting "220 <hostname> <text>" (RFC 5321 §4.3.1) and
 *        start reading commands.
 * @param s    the session.
 * @param text NUL-terminated text after the host name ("ESMTP ready");
 *             NULL for "ESMTP" (LMTP: "LMTP"). No CR, LF.
 * @return #MW_OK; #MW_E_STATE when already started; #MW_E_INVAL for CR or
 *         LF in `text`, or NULL `s`; #MW_E_TOO_LONG when the line would
 *         exceed 512 octets; #MW_E_CALLBACK when `send` failed (fatal).
 */
MW_API int mw_smtp_server_start(mw_smtp_server *s, const char *text);

/**
 * @brief Send "554 <hostname> <text>" instead of a greeting: the server
 *        will not serve this client (RFC 5321 §3.1). Every command but
 *        QUIT is then answered "503 5.5.1" (QUIT: 221).
 * @param s    the session.
 * @param text NUL-terminated text; NULL for "No SMTP service here".
 * @return as mw_smtp_server_start().
 */
MW_API int mw_smtp_server_refuse(mw_smtp_server *s, const char *text);

/**
 * @brief Feed bytes received from the client.
 *
 * Parses commands in order and calls the callbacks; stops early when a
 * reply is owed after a command, or when a callback returned #MW_PAUSED.
 * Any chunking of the same bytes gives the same callbacks (data pieces may
 * be cut differently).
 *
 * @param s        the session.
 * @param in       the bytes; may be NULL when `len` is 0.
 * @param len      their number.
 * @param consumed receives the number of bytes used (always set). Bytes
 *                 after that were not looked at: feed them again later.
 * @return #MW_OK: all consumed;
 *         #MW_PAUSED: a reply is owed (whether or not all was
 *         consumed), or a callback paused;
 *         #MW_DONE: the session ended during this call (QUIT, 421);
 *         #MW_E_STATE: not started yet, or called from one of this
 *         session's callbacks;
 *         #MW_E_CLOSED: the session had already ended;
 *         #MW_E_CALLBACK: a callback returned a negative value (fatal);
 *         #MW_E_INVAL: NULL `s` or `consumed`, or `in` NULL with `len` > 0.
 */
MW_API int mw_smtp_server_feed(mw_smtp_server *s, const void *in, size_t len,
                               size_t *consumed);

/**
 * @brief Answer the pending command (or, in LMTP, one of the recipients
 *        owed a reply at the end of the data): the last line of a reply.
 *
 * With ENHANCEDSTATUSCODES offered and the session greeted with EHLO or
 * LHLO, a code is put before the text (RFC 2034 §3) unless the text
 * already starts with one of the same class: 2.1.0 for MAIL, 2.1.5 for
 * RCPT, 2.6.0 at the end of data, X.0.0 otherwise (not on greetings,
 * HELO/EHLO/LHLO replies and 3xx). To an EHLO or LHLO with a 2xx code the
 * machine adds the extension lines of the config. The reply's effect on
 * the session follows its code: e.g. a 2xx to MAIL starts a transaction,
 * 354 to DATA starts the data, 220 to STARTTLS waits for TLS, a reply to
 * QUIT and any 421 close the session.
 *
 * After 220 to STARTTLS, everything fed is discarded until
 * mw_smtp_server_tls_done(), including the rest of the input of a feed
 * call during which the 220 was sent. Bytes received before the handshake
 * that the caller has not fed yet must be fed before tls_done() (they are
 * then discarded) or dropped: never fed after it (CVE-2011-0411).
 *
 * @param s    the session.
 * @param code 200..599 (RFC 5321 §4.2); 334 is for
 *             mw_smtp_server_auth_challenge(); 354 only for DATA; 220
 *             only for STARTTLS.
 * @param text NUL-terminated text, may be empty or NULL; no CR, LF.
 * @return #MW_OK;
 *         #MW_E_STATE: no reply is owed;
 *         #MW_E_INVAL: a code out of range or not allowed for the pending
 *         command, a code different from the reply_more() lines before,
 *         CR or LF in `text`, an enhanced status code of another class;
 *         nothing is sent;
 *         #MW_E_TOO_LONG: the line would exceed 512 octets (nothing sent);
 *         #MW_E_CALLBACK: `send` failed (fatal).
 */
MW_API int mw_smtp_server_reply(mw_smtp_server *s, unsigned code,
                                const char *text);

/**
 * @brief Send one line of a multi-line reply, "code-text" (RFC 5321
 *        §4.2.1); end the reply with mw_smtp_server_reply() and the same
 *        code.
 * @param s    the session.
 * @param code as for mw_smtp_server_reply(); all lines of a reply share it.
 * @param text as for mw_smtp_server_reply().
 * @return as mw_smtp_server_reply().
 */
MW_API int mw_smtp_server_reply_more(mw_smtp_server *s, unsigned code,
                                     const char *text);

/**
 * @brief Answer the pending command with the machine's default reply:
 *        250 to HELO/EHLO/LHLO (with the host name), MAIL, RCPT, RSET and
 *        the end of data; 354 to DATA; 221 to QUIT; 252 to VRFY; 214 to
 *        HELP; 502 to EXPN and ETRN; 504 to AUTH; 454 to STARTTLS; 535 to
 *        a SASL response.
 * @param s the session.
 * @return as mw_smtp_server_reply().
 */
MW_API int mw_smtp_server_reply_default(mw_smtp_server *s);

/**
 * @brief Answer an AUTH command or a SASL response with a challenge:
 *        "334 " and the base64 of `data` (RFC 4954 §4). The next line
 *        from the client is its response (the `auth_response` callback).
 * @param s    the session.
 * @param data the challenge bytes (any bytes); may be NULL when `len` is 0.
 * @param len  their number; at most 378 (the base64 must fit in a reply
 *             line).
 * @return #MW_OK; #MW_E_STATE when no AUTH step is pending;
 *         #MW_E_TOO_LONG; #MW_E_INVAL (`data` NULL with `len` > 0);
 *         #MW_E_CALLBACK.
 */
MW_API int mw_smtp_server_auth_challenge(mw_smtp_server *s, const void *data,
                                         size_t len);

/**
 * @brief The TLS handshake after STARTTLS is done: forget HELO/EHLO, AUTH
 *        and the transaction (RFC 3207 §4.2), and read commands again.
 * @param s the session.
 * @return #MW_OK; #MW_E_STATE when no STARTTLS was accepted.
 */
MW_API int mw_smtp_server_tls_done(mw_smtp_server *s);

/**
 * @brief The client closed the connection.
 *
 * A message in progress is abandoned (`data_end` is not called; the
 * application drops what it received).
 *
 * @param s the session.
 * @return #MW_OK when the session ended cleanly (after QUIT, or between
 *         commands); #MW_E_INCOMPLETE when the connection closed inside a
 *         command line, a message or an AUTH exchange (reported to `error`
 *         too). The session is closed afterwards.
 */
MW_API int mw_smtp_server_eof(mw_smtp_server *s);

/**
 * @brief What the session waits for.
 * @param s the session.
 * @return `MW_SMTP_SERVER_WANT_*` bits (0 before start).
 */
MW_API unsigned mw_smtp_server_want(const mw_smtp_server *s);

/**
 * @brief The verb whose reply is owed, if any.
 * @param s the session.
 * @return the verb; #MW_SMTP_CMD_DATA at the end of a message (also for
 *         BDAT LAST), #MW_SMTP_CMD_AUTH for a SASL response;
 *         #MW_SMTP_CMD_UNKNOWN when no reply is owed.
 */
MW_API mw_smtp_verb mw_smtp_server_pending(const mw_smtp_server *s);

/**
 * @brief Bytes discarded after an accepted STARTTLS since
 *        mw_smtp_server_init() (the plaintext a CVE-2011-0411 attack
 *        injects behind the command).
 * @param s the session.
 * @return the count.
 */
MW_API size_t mw_smtp_server_discarded(const mw_smtp_server *s);

/**
 * @brief The last error the machine dealt with (see the `error` callback).
 * @param s   the session.
 * @param err receives code, offset and reason (reason "" and code MW_OK
 *            when there was none). May be NULL.
 * @return the last error's status, or #MW_OK.
 */
MW_API int mw_smtp_server_error(const mw_smtp_server *s, mw_error *err);

#ifdef __cplusplus
}
#endif

#endif /* MAILWIRE_SMTP_SERVER_H */
