/* SPDX-License-Identifier: MIT */
/**
 * @file imap_server.h
 * @brief The IMAP4 server machine (RFC 3501, RFC 9051 and the extensions
 *        of imap_command.h) and its response formatters.
 *
 * The machine is sans-IO: the application feeds the bytes it received
 * with mw_imap_server_feed() and sends what the machine hands to its
 * `send` callback. Nothing allocates; the context and its buffer are
 * placed by the caller.
 *
 * ## Lifecycle
 *
 * 1. Place an ::mw_imap_server (mw_imap_server_sizeof() bytes, at most
 *    4 KiB) and a buffer of #MW_IMAP_SERVER_BUF_SIZE bytes (or
 *    ::mw_imap_server_config::max_line plus the arena you want, see
 *    mw_imap_server_init()); mw_imap_server_config_init(), adjust (the
 *    capabilities to offer, limits), mw_imap_server_init().
 * 2. mw_imap_server_start() sends the greeting (`* OK`, `* PREAUTH` or
 *    `* BYE`, RFC 9051 §7.1).
 * 3. Feed received bytes with mw_imap_server_feed(). The machine frames
 *    the bytes (lines and literals) before it parses anything, parses
 *    each complete command, checks the tag, the syntax, the connection
 *    state (RFC 9051 §3) and the capabilities offered, answers every
 *    problem itself (`tag BAD ...`, reported to `error`), answers
 *    CAPABILITY itself from the configuration, and hands every other
 *    command to the `command` callback as an ::mw_imap_cmd.
 * 4. Answer each command: send its untagged data with the formatters
 *    below (mw_imap_server_list(), mw_imap_server_fetch_begin() ...),
 *    then its completion with mw_imap_server_reply() (`tag OK/NO/BAD
 *    [code] text`), inside the callback or later. While a command is
 *    unanswered the machine reads nothing more: feed returns #MW_PAUSED
 *    with `*consumed` at the end of that command (or #MW_OK when it was
 *    the last byte); feed the rest again once you have answered. Replies
 *    therefore stay in the order of the commands however deeply the
 *    client pipelines.
 * 5. Session effects follow the answers: OK to LOGIN or AUTHENTICATE
 *    enters the authenticated state, OK to SELECT/EXAMINE the selected
 *    state, OK to CLOSE/UNSELECT (or NO to SELECT/EXAMINE) leaves it, OK
 *    to LOGOUT sends `* BYE` (unless you sent one) and ends the session
 *    (feed returns #MW_DONE), ENABLED data (mw_imap_server_enabled())
 *    switches UTF-8 mode (RFC 6855) and IMAP4rev2 (RFC 9051 §6.3.1).
 *
 * ## Literals (RFC 9051 §4.3, RFC 7888)
 *
 * Literals other than APPEND messages are taken into the command text
 * when they are no larger than ::mw_imap_server_config::max_literal: for
 * a synchronising literal the machine sends `+ Ready for literal data`
 * itself. A larger synchronising literal is refused with `tag BAD
 * [TOOBIG]` (the client then does not send it); a larger
 * non-synchronising one (`{n+}`) is read and dropped, never parsed
 * (the Dovecot 2.2.1 CATENATE class, field-notes §4.8), and the command
 * is answered `tag BAD [TOOBIG]`. With LITERAL- (or IMAP4rev2) and
 * without LITERAL+, a non-synchronising literal over 4096 octets is
 * treated the same way (RFC 7888 §5). Without LITERAL+, LITERAL- and
 * IMAP4rev2 offered, every non-synchronising literal is dropped and the
 * command refused.
 *
 * An APPEND message (RFC 9051 §6.3.12, MULTIAPPEND RFC 3502) is never
 * buffered. For each message the machine calls `literal` with the
 * command parsed so far (mailbox, flags, date, size: ::mw_imap_append_args)
 * and the application accepts (return 0, or mw_imap_server_literal_accept()
 * later) or refuses (mw_imap_server_reply() with NO, e.g. `[TOOBIG]`, or
 * `[TRYCREATE]`). On acceptance the machine sends `+ Ready for literal
 * data` (synchronising literals only) and streams the message to
 * `append_data` in spans of the fed input (zero-copy), then calls
 * `append_end`. When the command line ends, `command` receives the APPEND
 * command (::mw_imap_append_args::index = the last message) and the
 * application answers it (`OK [APPENDUID ...]`). A message over
 * ::mw_imap_server_config::max_append is refused by the machine with `NO
 * [TOOBIG]` without asking. If the command fails after messages were
 * streamed (a syntax error after a message, a refused later message, the
 * connection closed), `command` is not called for it: the `error`
 * callback reports the failure and the application discards the
 * messages it received for the command (RFC 3502: all or none).
 *
 * ## CATENATE (RFC 4469)
 *
 * With #MW_IMAP_CAP_CATENATE in ::mw_imap_server_config::caps the
 * machine lists CATENATE and accepts `CATENATE (part ...)` in place of a
 * message literal (in any message of a MULTIAPPEND command); without it
 * that form is answered `BAD` like any other syntax error. The events of
 * a CATENATE message, in the order of its parts
 * (::mw_imap_append_args::catenate set, `part` the part's index):
 * - `TEXT {n}`: `literal` (`part_kind` #MW_IMAP_CATPART_TEXT, `size`
 *   n), accepted or refused exactly like a message literal (the same
 *   synchronising / LITERAL+ / LITERAL- rules), then the bytes to
 *   `append_data` (zero-copy); no `append_end` per part;
 * - `URL astring`: `append_url` (`part_kind` #MW_IMAP_CATPART_URL,
 *   `url`). The machine does not fetch or check URLs: the application
 *   resolves it (RFC 4469 §3: the server MUST check it is a valid,
 *   accessible IMAP URL) and may refuse the command at once with
 *   mw_imap_server_reply(): `NO [BADURL url]` (an ::mw_imap_code with id
 *   #MW_IMAP_CODE_BADURL and `arg` the URL as sent, written bare: RFC
 *   4469 §5 `url-resp-text`, erratum 4046; a URL that cannot be written
 *   so, empty or holding "]", is refused: answer a plain NO) or
 *   `NO [TOOBIG]`;
 *   the rest of the frame is then dropped;
 * - after the closing ")": `append_end` (`nparts` the part count).
 * ::mw_imap_server_config::max_append bounds the sum of the TEXT parts of
 * one message (a part that would pass it is refused with `NO [TOOBIG]`
 * like a message); the application adds the URL parts' sizes itself. At
 * most #MW_IMAP_SERVER_CATENATE_PARTS_MAX parts per message (more: `BAD`,
 * #MW_E_LIMIT). A URL may be any astring (atom, quoted string, or a
 * literal taken into the command text within `max_literal`); a literal8
 * in a TEXT or URL part is refused (RFC 4469 §5 defines only `literal`).
 *
 * ## AUTHENTICATE, IDLE, STARTTLS, COMPRESS
 *
 * - AUTHENTICATE (RFC 9051 §6.2.2, SASL-IR RFC 4959): `command` receives
 *   the mechanism and any initial response (checked to be base64). Send
 *   challenges with mw_imap_server_auth_challenge() (the machine encodes
 *   them); each client line reaches `auth` as base64 text (decode it with
 *   the sasl.h helpers); finish with mw_imap_server_reply(). A client `*`
 *   (cancel) or invalid base64 is answered `tag BAD` by the machine and
 *   counts as a bad command (cancel loops end in BYE).
 * - IDLE (RFC 2177, RFC 9051 §6.3.13): answer the IDLE command with
 *   mw_imap_server_idle() (`+ idling`); send updates (EXISTS, EXPUNGE,
 *   FETCH) whenever you like; when the client sends DONE, `command`
 *   receives #MW_IMAP_CMD_DONE with the IDLE's tag: answer it with
 *   mw_imap_server_reply(OK). Any other line ends the IDLE with `tag BAD`.
 * - STARTTLS (RFC 9051 §6.2.1) and COMPRESS (RFC 4978): answer OK; bytes
 *   the client sent behind the command are discarded and reported
 *   (`error` with #MW_E_TLS_LEFTOVER), never parsed (CVE-2011-0411,
 *   field-notes §4.1); mw_imap_server_want() shows
 *   #MW_IMAP_SERVER_WANT_TLS (or #MW_IMAP_SERVER_WANT_COMPRESS) until you
 *   call mw_imap_server_tls_done() (or mw_imap_server_compress_done()).
 *
 * ## Formatters
 *
 * Every response of RFC 9051 §7 has a formatter; none can emit an invalid
 * response. Strings are written as atom, quoted string or literal as
 * their bytes require; mailbox names are given in UTF-8 and written in
 * modified UTF-7 (RFC 3501 §5.1.3) or, once UTF8=ACCEPT or IMAP4rev2 is
 * enabled, in UTF-8. Arguments that would break the response (CR, LF or
 * NUL outside a literal, a text starting with "[" without a code, a bad
 * atom) are refused with #MW_E_INVAL and nothing is sent. A response is
 * passed to `send` in one call when it fits the context's output buffer
 * (#MW_IMAP_SERVER_OUT_SIZE); longer ones (a huge SEARCH, a FETCH with an
 * ENVELOPE of many addresses) go in several calls, and literal bytes are
 * always passed straight from the caller's memory.
 *
 * A FETCH response is built item by item: mw_imap_server_fetch_begin(),
 * any of the item functions, then mw_imap_server_fetch_end(). A body
 * section is a literal whose size is announced first
 * (mw_imap_server_fetch_body_begin()) and whose bytes are written in
 * chunks of any size (mw_imap_server_fetch_body_data(), zero-copy).
 * While a FETCH, SEARCH or ESEARCH response is open no other output is
 * allowed (#MW_E_STATE).
 *
 * ## Errors
 *
 * Recoverable problems of the client (syntax, state, limits) are
 * answered by the machine and reported to `error`; after
 * ::mw_imap_server_config::max_bad_commands of them the machine sends
 * `* BYE` and closes. Feed fails only for fatal problems (a callback
 * aborted, `send` failed): the session is then closed.
 *
 * ## Example
 *
 * @code
 * static int on_send(mw_imap_server *s, void *u, const char *p, size_t n)
 * { (void)s; return write_all(*(int *)u, p, n) == 0 ? 0 : -1; }
 *
 * static int on_command(mw_imap_server *s, void *u, const mw_imap_cmd *c)
 * {
 *     (void)u;
 *     switch (c->id) {
 *     case MW_IMAP_CMD_LOGIN:
 *         if (check_password(&c->u.login))
 *             return mw_imap_server_reply(s, MW_IMAP_OK, NULL, "Logged in");
 *         return mw_imap_server_reply_code(s, MW_IMAP_NO,
 *                                          MW_IMAP_CODE_AUTHENTICATIONFAILED,
 *                                          "Wrong password");
 *     case MW_IMAP_CMD_SELECT:
 *         mw_imap_server_exists(s, 172);
 *         return mw_imap_server_reply_code(s, MW_IMAP_OK,
 *                                          MW_IMAP_CODE_READ_WRITE,
 *                                          "SELECT completed");
 *     case MW_IMAP_CMD_FETCH:                      // one message shown
 *         mw_imap_server_fetch_begin(s, 12);
 *         mw_imap_server_fetch_uid(s, 4827);
 *         mw_imap_server_fetch_body_begin(s, &c->u.fetch.items[0], len, 0);
 *         mw_imap_server_fetch_body_data(s, msg, len); // any chunks
 *         mw_imap_server_fetch_body_end(s);
 *         mw_imap_server_fetch_end(s);
 *         return mw_imap_server_reply(s, MW_IMAP_OK, NULL, "FETCH completed");
 *     case MW_IMAP_CMD_LOGOUT:
 *         return mw_imap_server_reply(s, MW_IMAP_OK, NULL, "LOGOUT completed");
 *     default:
 *         return mw_imap_server_reply(s, MW_IMAP_NO, NULL, "Not supported");
 *     }
 * }
 *
 * mw_imap_server srv;
 * static char buf[MW_IMAP_SERVER_BUF_SIZE];
 * mw_imap_server_config cfg;
 * mw_imap_server_callbacks cb = {0};
 * cb.send = on_send;
 * cb.command = on_command;
 * mw_imap_server_config_init(&cfg);
 * cfg.caps |= MW_IMAP_CAP_IDLE | MW_IMAP_CAP_UIDPLUS;
 * mw_imap_server_init(&srv, &cfg, &cb, &fd, buf, sizeof buf);
 * mw_imap_server_start(&srv, MW_IMAP_OK, NULL, "IMAP4rev1 ready");
 * while (!(mw_imap_server_want(&srv) & MW_IMAP_SERVER_WANT_CLOSED)) {
 *     size_t n = read(fd, in, sizeof in), used;
 *     if (n == 0) { mw_imap_server_eof(&srv); break; }
 *     mw_imap_server_feed(&srv, in, n, &used);  // replies given inline
 * }
 * @endcode
 *
 * Memory: mw_imap_server_sizeof() is at most 4096 bytes; the caller's
 * buffer holds the frame of a command cut by the end of a fed chunk and
 * the arena that lists, search-key trees and unescaped strings are built
 * in.
 */
#ifndef MAILWIRE_IMAP_SERVER_H
#define MAILWIRE_IMAP_SERVER_H

#include "core.h"
#include "config.h"
#include "imap.h"
#include "imap_command.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================== */
/** @name Sizes and defaults
 *  @{ */
/** Bytes of the context's output buffer: a response that fits is passed
 *  to `send` in one call. */
#ifndef MW_IMAP_SERVER_OUT_SIZE
#define MW_IMAP_SERVER_OUT_SIZE 2048u
#endif
/** Default arena size: what the caller's buffer holds beyond the command
 *  frame (search-key trees, FETCH item lists, unescaped strings). */
#define MW_IMAP_SERVER_ARENA_DEFAULT 32768u
/** Smallest arena mw_imap_server_init() accepts. */
#define MW_IMAP_SERVER_ARENA_MIN 1024u
/** Ideal size of the caller's buffer with the default limits: a command
 *  of #MW_IMAP_COMMAND_LINE_DEFAULT bytes plus
 *  #MW_IMAP_SERVER_ARENA_DEFAULT bytes of arena. */
#define MW_IMAP_SERVER_BUF_SIZE \
    (MW_IMAP_COMMAND_LINE_DEFAULT + MW_IMAP_SERVER_ARENA_DEFAULT)
/** Default number of bad commands after which the session is closed. */
#ifndef MW_IMAP_SERVER_MAX_BAD_DEFAULT
#define MW_IMAP_SERVER_MAX_BAD_DEFAULT 10u
#endif
/** Deepest BODYSTRUCTURE the formatter writes (nested multiparts and
 *  messages); also the largest ::mw_imap_server_config::max_depth. */
#define MW_IMAP_SERVER_DEPTH_MAX 64u
/** @} */

/* ====================================================================== */
/** @name Bits returned by mw_imap_server_want() (the values every mailwire
 *  machine uses)
 *  @{ */
/** The machine can take input. */
#define MW_IMAP_SERVER_WANT_INPUT 0x01u
/** A command (or an APPEND literal's size) awaits the application's
 *  answer. */
#define MW_IMAP_SERVER_WANT_REPLY 0x02u
/** STARTTLS was accepted: start TLS, then call mw_imap_server_tls_done(). */
#define MW_IMAP_SERVER_WANT_TLS 0x04u
/** The session is over; feed returns #MW_E_CLOSED. */
#define MW_IMAP_SERVER_WANT_CLOSED 0x08u
/** COMPRESS was accepted: start DEFLATE on both directions, then call
 *  mw_imap_server_compress_done(). */
#define MW_IMAP_SERVER_WANT_COMPRESS 0x20u
/** @} */

/* ====================================================================== */
/** @name Server options (::mw_imap_server_config::flags)
 *  @{ */
/** The connection is protected by TLS from the start (port 993):
 *  STARTTLS is neither listed nor accepted. */
#define MW_IMAP_SERVER_TLS_ACTIVE 0x0001u
/** LOGIN is refused (`NO [PRIVACYREQUIRED]`) and LOGINDISABLED listed
 *  until TLS is active (RFC 9051 §6.2.3). */
#define MW_IMAP_SERVER_LOGIN_NEEDS_TLS 0x0002u
/** Commands the library does not know (#MW_IMAP_CMD_OTHER) are handed to
 *  the application in the authenticated and selected states instead of
 *  being answered `BAD` by the machine. */
#define MW_IMAP_SERVER_DELIVER_OTHER 0x0004u
/** Mailbox names passed to the formatters are already in the wire form
 *  (modified UTF-7 or UTF-8 as the session requires) and are written as
 *  they are (checked for CR, LF, NUL only). */
#define MW_IMAP_SERVER_NAMES_RAW 0x0008u
/** @} */

/**
 * @brief Server configuration. Fill with mw_imap_server_config_init(),
 *        then change what you need. mw_imap_server_init() copies it; the
 *        string it points to MUST outlive the server.
 */
typedef struct mw_imap_server_config {
    /** Longest command text in bytes, the final CRLF excluded and the
     *  literals taken into the text (not APPEND messages) included.
     *  Default #MW_IMAP_COMMAND_LINE_DEFAULT (8192, RFC 7162 §4). At
     *  least 64. A longer command is answered `BAD` and skipped. */
    size_t max_line;
    /** Largest literal in a command other than an APPEND message.
     *  Default #MW_IMAP_LITERAL_DEFAULT (4096). At most `max_line`. */
    size_t max_literal;
    /** Largest APPEND message; 0 for no limit of the machine's own.
     *  Listed as APPENDLIMIT=n when #MW_IMAP_CAP_APPENDLIMIT is offered
     *  (RFC 7889). Default 0. */
    uint64_t max_append;
    /** Deepest nesting of search keys and lists in a command, 1 to
     *  #MW_IMAP_SERVER_DEPTH_MAX. Default #MW_IMAP_DEPTH_DEFAULT. */
    unsigned max_depth;
    /** Bad commands (answered BAD or refused by the machine, AUTHENTICATE
     *  cancels included) after which the session ends with `* BYE`; 0 for
     *  no limit. Default #MW_IMAP_SERVER_MAX_BAD_DEFAULT. */
    unsigned max_bad_commands;
    /** MW_IMAP_SERVER_* option bits. Default 0. */
    unsigned flags;
    /** Capabilities offered (MW_IMAP_CAP_* bits of imap.h). They are
     *  listed by CAPABILITY and decide which commands the machine accepts
     *  (IDLE needs #MW_IMAP_CAP_IDLE, MOVE #MW_IMAP_CAP_MOVE... or
     *  #MW_IMAP_CAP_IMAP4REV2 which includes them) and how literals are
     *  taken (LITERAL+ / LITERAL-). #MW_IMAP_CAP_THREAD only enables the
     *  THREAD command: name the algorithms in `caps_extra`.
     *  Default IMAP4rev1, LITERAL-, IDLE. */
    uint64_t caps;
    /** SASL mechanisms offered (MW_IMAP_AUTH_* bits, listed as AUTH=...
     *  before login and accepted by AUTHENTICATE). Default 0. */
    unsigned auth;
    /** Further capabilities, listed as they are after the ones above:
     *  atoms separated by single spaces, NUL-terminated ("THREAD=REFERENCES
     *  AUTH=GSSAPI XAPPLEPUSHSERVICE"), or NULL. An "AUTH=name" token also
     *  makes AUTHENTICATE accept that mechanism. */
    const char *caps_extra;
    /** Line ends of commands. Default #MW_NEWLINE_REJECT: a command ended
     *  by a bare LF is answered `* BAD` and skipped. */
    mw_newline_policy newline;
} mw_imap_server_config;

/** @cond PRIVATE */
struct mw_imap_server;
/** @endcond */
/** The server machine (see struct mw_imap_server; fields private). */
typedef struct mw_imap_server mw_imap_server;

/** Type of the `send` member of ::mw_imap_server_callbacks. */
typedef int (*mw_imap_server_send_fn)(mw_imap_server *s, void *user,
                                      const char *data, size_t len);

/** Type of the `command` member of ::mw_imap_server_callbacks. */
typedef int (*mw_imap_server_command_fn)(mw_imap_server *s, void *user,
                                         const mw_imap_cmd *cmd);

/** Type of the `literal` member of ::mw_imap_server_callbacks. */
typedef int (*mw_imap_server_literal_fn)(mw_imap_server *s, void *user,
                                         const mw_imap_cmd *cmd);

/** Type of the `append_data` member of ::mw_imap_server_callbacks. */
typedef int (*mw_imap_server_append_data_fn)(mw_imap_server *s, void *user,
                                             const char *data, size_t len);

/** Type of the `append_end` member of ::mw_imap_server_callbacks. */
typedef int (*mw_imap_server_append_end_fn)(mw_imap_server *s, void *user,
                                            const mw_imap_cmd *cmd);

/** Type of the `append_url` member of ::mw_imap_server_callbacks. */
typedef int (*mw_imap_server_append_url_fn)(mw_imap_server *s, void *user,
                                            const mw_imap_cmd *cmd);

/** Type of the `auth` member of ::mw_imap_server_callbacks. */
typedef int (*mw_imap_server_auth_fn)(mw_imap_server *s, void *user,
                                      const char *b64, size_t len);

/** Type of the `error` member of ::mw_imap_server_callbacks. */
typedef int (*mw_imap_server_error_fn)(mw_imap_server *s, void *user,
                                       int status, size_t offset,
                                       const char *reason);

/**
 * @brief Server callbacks. mw_imap_server_init() copies the struct; every
 *        member but `send` may be NULL.
 *
 * Each returns 0 to go on, #MW_PAUSED to make mw_imap_server_feed() return
 * after the current event, or a negative value to abort (feed then returns
 * #MW_E_CALLBACK and the session is closed). Spans passed to a callback
 * point into the fed input or the caller's buffer: see imap_command.h for
 * how long a command's spans stay valid (if you answer after feed has
 * returned, keep the input you fed unchanged until then, or copy what you
 * need).
 */
typedef struct mw_imap_server_callbacks {
    /** Bytes to send to the client: a whole response in one call when it
     *  fits the output buffer, else in pieces; literal bytes straight from
     *  the caller's memory. Must take all `len` bytes or fail. */
    mw_imap_server_send_fn send;
    /** A command to answer (see ::mw_imap_cmd). Without this callback
     *  the machine answers LOGOUT `OK` and every other command `NO`. */
    mw_imap_server_command_fn command;
    /** An APPEND message literal is announced: `cmd->u.append` holds the
     *  mailbox, this message's flags, date, size and index. Return 0 to
     *  accept it (unless you refused it inside the callback with
     *  mw_imap_server_reply()), or #MW_PAUSED to decide later with
     *  mw_imap_server_literal_accept() or mw_imap_server_reply(). NULL
     *  accepts every message within ::mw_imap_server_config::max_append. */
    mw_imap_server_literal_fn literal;
    /** Bytes of the accepted APPEND message, in order, as spans of the fed
     *  input (zero-copy; any byte values, any chunking). */
    mw_imap_server_append_data_fn append_data;
    /** The APPEND message announced by the last `literal` call is
     *  complete; for a CATENATE message (RFC 4469), its part list closed
     *  (`cmd->u.append.catenate`, `nparts`). */
    mw_imap_server_append_end_fn append_end;
    /** A client line answering a continuation request: during
     *  AUTHENTICATE a SASL response (RFC 9051 §6.2.2), base64 text,
     *  checked (may be empty: an empty response), answered with
     *  mw_imap_server_auth_challenge() or mw_imap_server_reply(); after
     *  mw_imap_server_continue() the line as it is. Without this callback
     *  the machine answers `NO`. */
    mw_imap_server_auth_fn auth;
    /** A problem the machine already answered (or, for STARTTLS/COMPRESS
     *  leftovers, dropped): the status, the stream offset and a static
     *  reason. The offset is that of the byte at fault where the machine
     *  knows it: for a refused literal (#MW_E_LITERAL, an APPEND over
     *  the limit) the `{` or `~{` of its announcement; for a syntax
     *  error the token that failed. Informational: the return value only
     *  pauses or aborts. */
    mw_imap_server_error_fn error;
    /** A URL part of a CATENATE message (RFC 4469 §5 `url`), in order
     *  with the TEXT parts: `cmd->u.append` holds the message's mailbox,
     *  flags, date and index, `part` and `url` (the astring's content,
     *  valid during the call only: copy it to resolve it later). Return 0
     *  or #MW_PAUSED (feed returns once the URLs of the text read so far
     *  are passed), or refuse the whole command inside the callback with
     *  mw_imap_server_reply() (`NO [BADURL url]`, RFC 4469 §4.1); the
     *  machine then passes nothing more of it. NULL: nobody can
     *  resolve a URL, so the machine refuses the command at its first URL
     *  part with `NO [BADURL url]`. Added after `error`: a
     *  zero-initialised struct leaves it NULL. */
    mw_imap_server_append_url_fn append_url;
} mw_imap_server_callbacks;

/** @cond PRIVATE */
struct mw_imap_server {
    mw__imap_framer fr;
    mw__imap_arena arena;
    mw_imap_server_callbacks cb;
    void *user;
    const char *caps_extra;
    uint64_t caps;
    uint64_t max_append;
    uint64_t body_left;   /* bytes of the open FETCH body literal */
    size_t max_line, max_literal, discarded;
    mw_error err;
    mw_imap_cmd cmd;      /* the command being handled */
    unsigned auth, flags, max_depth, max_bad, bad;
    unsigned lexflags, enabled;
    uint32_t nsearch;
    uint8_t phase, io, fmode, answered;
    uint8_t tls, compressed, utf8, rev2;
    uint8_t open, nitems, bye_sent, discarded_now;
    uint8_t lit_sync, prechecked, appending, started;
    uint8_t tag_len, pending, reserved_[6];
    char tag[MW_IMAP_TAG_MAX];
    size_t olen;
    int ost;
    char out[MW_IMAP_SERVER_OUT_SIZE];
    uint64_t cat_total;   /* TEXT bytes of the current CATENATE message */
};
/** @endcond */

/* ====================================================================== */
/**
 * @brief Size of ::mw_imap_server, for bindings that cannot include the
 *        struct definition.
 * @return sizeof(mw_imap_server) (at most 4096).
 */
MW_API size_t mw_imap_server_sizeof(void);

/**
 * @brief Fill a configuration with the defaults: 8192-byte commands,
 *        4096-byte literals, no APPEND limit, depth 64, 10 bad commands,
 *        capabilities IMAP4rev1, LITERAL-, IDLE; no SASL mechanism.
 * @param cfg the configuration; MUST NOT be NULL.
 */
MW_API void mw_imap_server_config_init(mw_imap_server_config *cfg);

/**
 * @brief Set up a server machine.
 *
 * The buffer is split: the first `max_line` bytes hold a command cut by
 * the end of a fed chunk, the rest is the arena that the command parser
 * builds lists, trees and unescaped strings in (at least
 * #MW_IMAP_SERVER_ARENA_MIN bytes; a command that does not fit is
 * answered `BAD`).
 *
 * @param s       the context (caller memory).
 * @param cfg     configuration, copied; NULL for the defaults. Its
 *                `caps_extra` string MUST outlive `s`.
 * @param cb      callbacks, copied; `send` is required.
 * @param user    passed to every callback.
 * @param buf     the buffer (see above); MUST outlive `s`.
 * @param buf_len its size: at least `max_line` +
 *                #MW_IMAP_SERVER_ARENA_MIN (#MW_IMAP_SERVER_BUF_SIZE with
 *                the defaults).
 * @return #MW_OK; #MW_E_INVAL for NULL pointers, a missing `send`, a
 *         buffer too small, `max_line` below 64, `max_literal` above
 *         `max_line`, `max_depth` 0 or above #MW_IMAP_SERVER_DEPTH_MAX,
 *         an unknown newline policy, or a `caps_extra` that is not atoms
 *         separated by single spaces (or longer than 1024 bytes).
 */
MW_API int mw_imap_server_init(mw_imap_server *s,
                               const mw_imap_server_config *cfg,
                               const mw_imap_server_callbacks *cb, void *user,
                               char *buf, size_t buf_len);

/**
 * @brief Send the greeting (RFC 9051 §7.1.1, §7.1.4, §7.1.5):
 *        `* OK`, `* PREAUTH` (the session starts authenticated) or
 *        `* BYE` (the server refuses the connection; the session ends).
 * @param s      the server, initialised and not started.
 * @param result #MW_IMAP_OK, #MW_IMAP_PREAUTH or #MW_IMAP_BYE.
 * @param code   a response code or NULL (see mw_imap_server_reply(); a
 *               CAPABILITY code with an empty `arg` lists the configured
 *               capabilities).
 * @param text   the text (NUL-terminated) or NULL for a default.
 * @return #MW_OK; #MW_E_STATE when already started; #MW_E_INVAL for a
 *         bad result, code or text (nothing sent); #MW_E_CALLBACK when
 *         `send` failed (the session is closed).
 */
MW_API int mw_imap_server_start(mw_imap_server *s, int result,
                                const mw_imap_code *code, const char *text);

/**
 * @brief Feed bytes received from the client.
 *
 * Frames and parses commands one at a time and hands each to the
 * `command` callback (APPEND messages to `literal`/`append_data`/
 * `append_end`, SASL lines to `auth`); parses nothing further until the
 * command is answered.
 *
 * @param s        the server, started.
 * @param in       the bytes (any values); may be NULL when `len` is 0.
 * @param len      their number.
 * @param consumed receives how many bytes were used (always set); feed the
 *                 rest again later.
 * @return #MW_OK when all bytes were used (an answer may still be owed:
 *         see mw_imap_server_want());
 *         #MW_PAUSED when it stopped early: an answer is owed or a
 *         callback returned #MW_PAUSED;
 *         #MW_DONE when the session ended (LOGOUT answered, BYE sent,
 *         too many bad commands); the bytes after that point are not used;
 *         #MW_E_CLOSED when the session was already over;
 *         #MW_E_STATE before mw_imap_server_start(), or while a FETCH,
 *         SEARCH or ESEARCH response the application opened is
 *         unfinished (finish it, then feed again; nothing was lost);
 *         #MW_E_INVAL for NULL pointers;
 *         #MW_E_CALLBACK when a callback aborted or `send` failed (the
 *         session is closed).
 */
MW_API int mw_imap_server_feed(mw_imap_server *s, const void *in, size_t len,
                               size_t *consumed);

/**
 * @brief Complete the pending command: `tag OK|NO|BAD [code] text`
 *        (RFC 9051 §7.1).
 *
 * Also answers a pending APPEND literal (NO/BAD refuse it; the machine
 * discards a non-synchronising literal that follows), an AUTHENTICATE
 * exchange, an IDLE (after DONE, or to end it from the server side) and
 * DONE. Session effects: see the lifecycle in the file description.
 *
 * A response code is written from its `id`: the typed members for the
 * codes that have them (UIDNEXT, UIDVALIDITY, UNSEEN: `num`;
 * HIGHESTMODSEQ: `modseq`; APPENDUID: `num` and `set`; COPYUID: `num`,
 * `set`, `set2`; MODIFIED: `set`; PERMANENTFLAGS: `flags`, "\*" allowed;
 * CAPABILITY: the configured list when `arg` is empty), `arg` as it is
 * for the others (no CR, LF, NUL or "]"), and `name` for
 * #MW_IMAP_CODE_OTHER (an atom).
 *
 * @param s      the server.
 * @param result #MW_IMAP_OK, #MW_IMAP_NO or #MW_IMAP_BAD.
 * @param code   response code or NULL.
 * @param text   text (NUL-terminated; no CR, LF or NUL; 8-bit only as
 *               UTF-8 in UTF-8 mode; must not start with "[" without a
 *               code) or NULL for a default ("Completed", "Failed",
 *               "Bad command").
 * @return #MW_OK; #MW_E_STATE when no command is pending (or output is
 *         open); #MW_E_INVAL for a bad argument (nothing sent);
 *         #MW_E_CALLBACK when `send` failed.
 */
MW_API int mw_imap_server_reply(mw_imap_server *s, int result,
                                const mw_imap_code *code, const char *text);

/**
 * @brief mw_imap_server_reply() with a response code that has no
 *        argument (ALERT, READ-WRITE, TRYCREATE, AUTHENTICATIONFAILED...).
 * @param s      the server.
 * @param result #MW_IMAP_OK, #MW_IMAP_NO or #MW_IMAP_BAD.
 * @param code   an ::mw_imap_code_id other than #MW_IMAP_CODE_OTHER, or 0.
 * @param text   as for mw_imap_server_reply().
 * @return as mw_imap_server_reply().
 */
MW_API int mw_imap_server_reply_code(mw_imap_server *s, int result, int code,
                                     const char *text);

/**
 * @brief An untagged status response `* OK|NO|BAD [code] text`
 *        (RFC 9051 §7.1.1-§7.1.3), at any time after the greeting.
 * @param s      the server.
 * @param result #MW_IMAP_OK, #MW_IMAP_NO or #MW_IMAP_BAD.
 * @param code   response code or NULL (as for mw_imap_server_reply()).
 * @param text   text or NULL (as for mw_imap_server_reply()).
 * @return #MW_OK; #MW_E_STATE when not started, closed or output is open;
 *         #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_status(mw_imap_server *s, int result,
                                 const mw_imap_code *code, const char *text);

/**
 * @brief `* BYE [code] text` (RFC 9051 §7.1.5): the server closes the
 *        connection. When LOGOUT is pending, the session stays open for
 *        its tagged OK (which then sends no second BYE); otherwise it ends
 *        now and a pending command stays unanswered.
 * @param s    the server.
 * @param code response code or NULL.
 * @param text text or NULL ("Closing connection").
 * @return #MW_OK; #MW_E_STATE (not started, closed, output open);
 *         #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_bye(mw_imap_server *s, const mw_imap_code *code,
                              const char *text);

/**
 * @brief A continuation request `+ text` (RFC 9051 §7.6) for an
 *        exchange the application drives itself (a command handed over
 *        with #MW_IMAP_SERVER_DELIVER_OTHER). The client's next line is
 *        passed to the `auth` callback as it is (without its CRLF; not
 *        checked to be base64); answer it with another continuation or
 *        with mw_imap_server_reply(). The machine sends its own
 *        continuations for literals, AUTHENTICATE and IDLE.
 * @param s    the server, with a command pending.
 * @param text text or NULL (sent as "+ " with an empty text).
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_continue(mw_imap_server *s, const char *text);

/**
 * @brief Accept the pending APPEND message literal (after the `literal`
 *        callback returned #MW_PAUSED): sends `+ Ready for literal data`
 *        for a synchronising literal; the message then streams to
 *        `append_data`. Feed again afterwards.
 * @param s the server.
 * @return #MW_OK; #MW_E_STATE when no literal awaits an answer (or a
 *         response the application opened is unfinished);
 *         #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_literal_accept(mw_imap_server *s);

/**
 * @brief Send a SASL challenge `+ base64` during AUTHENTICATE
 *        (RFC 9051 §6.2.2) and wait for the client's response line (the
 *        `auth` callback).
 * @param s    the server, with AUTHENTICATE pending.
 * @param data the raw challenge (encoded by the machine); may be NULL
 *             when `len` is 0 (an empty challenge, "+ ").
 * @param len  its length.
 * @return #MW_OK; #MW_E_STATE when no AUTHENTICATE is pending;
 *         #MW_E_INVAL for NULL data with `len` > 0; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_auth_challenge(mw_imap_server *s, const void *data,
                                         size_t len);

/**
 * @brief Accept a pending IDLE: `+ text` (RFC 2177 §3); the machine then
 *        waits for DONE.
 * @param s    the server, with IDLE pending.
 * @param text text or NULL ("idling").
 * @return #MW_OK; #MW_E_STATE when IDLE is not pending; #MW_E_INVAL;
 *         #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_idle(mw_imap_server *s, const char *text);

/**
 * @brief TLS is up after STARTTLS: the session goes on in the not
 *        authenticated state with TLS active (RFC 9051 §6.2.1).
 * @param s the server, waiting for TLS (#MW_IMAP_SERVER_WANT_TLS).
 * @return #MW_OK; #MW_E_STATE when not waiting for TLS.
 */
MW_API int mw_imap_server_tls_done(mw_imap_server *s);

/**
 * @brief DEFLATE is on after COMPRESS (RFC 4978 §3): feed inflated bytes
 *        from now on.
 * @param s the server, waiting (#MW_IMAP_SERVER_WANT_COMPRESS).
 * @return #MW_OK; #MW_E_STATE when not waiting for compression.
 */
MW_API int mw_imap_server_compress_done(mw_imap_server *s);

/**
 * @brief The client closed the connection. A partial command, literal or
 *        APPEND message is reported to `error` (#MW_E_INCOMPLETE); the
 *        session ends.
 * @param s the server.
 * @return #MW_OK; #MW_E_INCOMPLETE when a command was cut.
 */
MW_API int mw_imap_server_eof(mw_imap_server *s);

/**
 * @brief What the machine waits for.
 * @param s the server.
 * @return MW_IMAP_SERVER_WANT_* bits.
 */
MW_API unsigned mw_imap_server_want(const mw_imap_server *s);

/**
 * @brief The connection state (RFC 9051 §3).
 * @param s the server.
 * @return an ::mw_imap_state value (#MW_IMAP_STATE_GREETING before
 *         mw_imap_server_start(), #MW_IMAP_STATE_LOGOUT when over).
 */
MW_API int mw_imap_server_state(const mw_imap_server *s);

/**
 * @brief Capabilities the client enabled (RFC 5161) as recorded from
 *        mw_imap_server_enabled().
 * @param s the server.
 * @return MW_IMAP_ENABLE_* bits of imap_command.h.
 */
MW_API unsigned mw_imap_server_enabled_caps(const mw_imap_server *s);

/**
 * @brief The last error the machine reported (to `error` or as a return
 *        value of feed).
 * @param s   the server.
 * @param err receives status, offset and reason (a static string); may be
 *            NULL.
 * @return the status (#MW_OK when there was none).
 */
MW_API int mw_imap_server_error(const mw_imap_server *s, mw_error *err);

/**
 * @brief Bytes dropped after an accepted STARTTLS or COMPRESS since
 *        mw_imap_server_init().
 * @param s the server.
 * @return the count.
 */
MW_API size_t mw_imap_server_discarded(const mw_imap_server *s);

/* ====================================================================== */
/** @name Untagged data (RFC 9051 §7.2-§7.4 and the extensions)
 *
 * Each function sends one complete untagged response. All of them may be
 * called at any time after the greeting (while a command is pending, or
 * unsolicited: during IDLE, between commands) except while a FETCH,
 * SEARCH or ESEARCH response is open or after the session closed
 * (#MW_E_STATE). Invalid arguments give #MW_E_INVAL and nothing is sent;
 * a failing `send` gives #MW_E_CALLBACK and closes the session.
 *  @{ */

/**
 * @brief `* CAPABILITY ...` from the configuration and the session state
 *        (RFC 9051 §7.2.2): STARTTLS only before TLS and login,
 *        LOGINDISABLED while LOGIN needs TLS, AUTH= before login,
 *        COMPRESS=DEFLATE until compression is on. The machine answers the
 *        CAPABILITY command with this itself.
 * @param s the server.
 * @return #MW_OK; #MW_E_STATE; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_capability(mw_imap_server *s);

/**
 * @brief `* ENABLED cap...` (RFC 5161 §3.2): the capabilities the ENABLE
 *        command turned on. UTF8=ACCEPT switches the session to UTF-8
 *        (RFC 6855 §3: quoted strings and mailbox names in UTF-8),
 *        IMAP4rev2 to IMAP4rev2 rules (RFC 9051 §6.3.1).
 * @param s    the server.
 * @param caps the capability names (atoms); may be NULL when `n` is 0
 *             (an empty ENABLED response).
 * @param n    their number.
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL (a name that is not an atom);
 *         #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_enabled(mw_imap_server *s, const mw_span *caps,
                                  size_t n);

/**
 * @brief One LIST or LSUB response to send (RFC 9051 §7.3.1, RFC 3501
 *        §7.2.3, LIST-EXTENDED RFC 5258 §3.5).
 */
typedef struct mw_imap_list_reply {
    unsigned attrs;      /**< MW_IMAP_LIST_* bits (imap.h) up to
                            * #MW_IMAP_LIST_IMPORTANT, written in bit order */
    int lsub;            /**< 1 for `* LSUB` (IMAP4rev1), 0 for `* LIST` */
    mw_span other_attrs; /**< further attributes, each "\\" atom, separated
                            * by single spaces; empty for none */
    char delimiter;      /**< hierarchy delimiter (7-bit, not CR/LF/NUL), or
                            * 0 for NIL (a flat name space) */
    char reserved_[7];   /**< @private padding; set to 0 */
    mw_span mailbox;     /**< the name in UTF-8 (see the file description) */
    mw_span childinfo;   /**< CHILDINFO selection criteria (RFC 5258 §4):
                            * atoms separated by spaces ("SUBSCRIBED"),
                            * written as `("CHILDINFO" ("SUBSCRIBED"))`;
                            * NULL ptr when absent */
    mw_span oldname;     /**< OLDNAME (RFC 9051 §6.3.9.7), UTF-8 name;
                            * NULL ptr when absent */
} mw_imap_list_reply;

/**
 * @brief `* LIST (attrs) "delim" mailbox [extended]` or `* LSUB ...`.
 * @param s the server.
 * @param l the response.
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL (bad attribute text, a name
 *         with control characters or invalid UTF-8, a bad delimiter);
 *         #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_list(mw_imap_server *s, const mw_imap_list_reply *l);

/**
 * @brief The values of a STATUS response (RFC 9051 §7.3.5, RFC 7162,
 *        RFC 8438, RFC 7889, RFC 8474); `items` says which are written,
 *        in the order of their MW_IMAP_STATUS_* bits.
 */
typedef struct mw_imap_status_reply {
    mw_span mailbox;        /**< the name in UTF-8 */
    unsigned items;         /**< MW_IMAP_STATUS_* bits (imap_command.h) */
    uint32_t messages;      /**< MESSAGES */
    uint32_t recent;        /**< RECENT */
    uint32_t uidnext;       /**< UIDNEXT */
    uint32_t uidvalidity;   /**< UIDVALIDITY */
    uint32_t unseen;        /**< UNSEEN */
    uint32_t deleted;       /**< DELETED */
    uint32_t reserved_;     /**< @private padding; set to 0 */
    uint64_t size;          /**< SIZE */
    uint64_t highestmodseq; /**< HIGHESTMODSEQ */
    uint64_t appendlimit;   /**< APPENDLIMIT; UINT64_MAX is written as NIL */
    mw_span mailboxid;      /**< MAILBOXID objectid (RFC 8474 §4: 1-255
                               * characters of A-Z a-z 0-9 _ -) */
} mw_imap_status_reply;

/**
 * @brief `* STATUS mailbox (item value ...)`.
 * @param s  the server.
 * @param st the values.
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL (bad name, a MAILBOXID that is
 *         not an objectid, unknown item bits, UIDNEXT or UIDVALIDITY 0:
 *         both are nz-number, RFC 9051 §9); #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_mailbox_status(mw_imap_server *s,
                                         const mw_imap_status_reply *st);

/** Flag of mw_imap_server_search_begin(): write `* SORT` (RFC 5256 §4)
 *  instead of `* SEARCH`. */
#define MW_IMAP_SERVER_SORT 0x01u

/**
 * @brief Open a `* SEARCH` (or `* SORT`) response whose numbers follow
 *        one by one (any count: the response is sent in pieces as the
 *        output buffer fills).
 * @param s     the server.
 * @param flags 0 or #MW_IMAP_SERVER_SORT.
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL (unknown flags).
 */
MW_API int mw_imap_server_search_begin(mw_imap_server *s, unsigned flags);

/**
 * @brief Append one number to the open SEARCH/SORT response.
 * @param s   the server.
 * @param num message sequence number or UID (non-zero).
 * @return #MW_OK; #MW_E_STATE when none is open; #MW_E_INVAL for 0;
 *         #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_search_add(mw_imap_server *s, uint32_t num);

/**
 * @brief Close the open SEARCH/SORT response, with `(MODSEQ n)`
 *        (RFC 7162 §3.1.5) when `modseq` is not 0.
 * @param s      the server.
 * @param modseq the highest mod-sequence of the results, or 0.
 * @return #MW_OK; #MW_E_STATE when none is open; #MW_E_INVAL when modseq
 *         is set but no number was written or it exceeds 2^63-1;
 *         #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_search_end(mw_imap_server *s, uint64_t modseq);

/**
 * @brief A whole `* SEARCH n...` response (mw_imap_server_search_begin(),
 *        _add() per number, _end()).
 * @param s      the server.
 * @param nums   the numbers (non-zero); may be NULL when `n` is 0.
 * @param n      their count.
 * @param modseq as for mw_imap_server_search_end().
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL (a 0 number; nothing sent);
 *         #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_search(mw_imap_server *s, const uint32_t *nums,
                                 size_t n, uint64_t modseq);

/**
 * @brief An ESEARCH response to send (RFC 4731 §3.1, RFC 9051 §7.3.4,
 *        RFC 7162 §3.1.5).
 */
typedef struct mw_imap_esearch_reply {
    unsigned items;   /**< MW_IMAP_SEARCHRET_MIN, _MAX, _COUNT, _ALL bits
                         * (imap_command.h): the return data written, in
                         * the order MIN MAX COUNT ALL */
    int uid;          /**< 1 to write the UID indicator */
    int no_tag;       /**< 1 to omit the `(TAG "...")` correlator */
    mw_span tag;      /**< correlator; NULL ptr for the pending command's tag */
    uint32_t min;     /**< MIN (non-zero) */
    uint32_t max;     /**< MAX (non-zero) */
    uint32_t count;   /**< COUNT */
    uint32_t reserved_; /**< @private padding; set to 0 */
    uint64_t modseq;  /**< MODSEQ, written when not 0 */
    mw_span all;      /**< ALL as sequence-set text ("1:3,7"); with
                         * mw_imap_server_esearch_begin() a NULL ptr means
                         * the ranges follow with _range() */
} mw_imap_esearch_reply;

/**
 * @brief A whole `* ESEARCH ...` response.
 * @param s the server.
 * @param e the data; with #MW_IMAP_SEARCHRET_ALL, `all` is required here.
 *          ALL is omitted when `all` is empty (RFC 4731 §3.1: no ALL for
 *          an empty result).
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL (bad set text, 0 for MIN or
 *         MAX, unknown bits, a bad tag); #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_esearch(mw_imap_server *s,
                                  const mw_imap_esearch_reply *e);

/**
 * @brief Open an ESEARCH response whose ALL set is written range by range
 *        (huge results): writes everything up to ALL; then
 *        mw_imap_server_esearch_range() for each range (at least one) and
 *        mw_imap_server_esearch_end() (which writes MODSEQ).
 * @param s the server.
 * @param e the data; `items` must include #MW_IMAP_SEARCHRET_ALL and
 *          `all` must be a NULL ptr.
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_esearch_begin(mw_imap_server *s,
                                        const mw_imap_esearch_reply *e);

/**
 * @brief Append the range lo:hi (or the number lo when lo == hi) to the
 *        open ESEARCH ALL set.
 * @param s  the server.
 * @param lo first number (non-zero).
 * @param hi last number (>= lo).
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_esearch_range(mw_imap_server *s, uint32_t lo,
                                        uint32_t hi);

/**
 * @brief Close the open ESEARCH response.
 * @param s the server.
 * @return #MW_OK; #MW_E_STATE (none open, or no range was written);
 *         #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_esearch_end(mw_imap_server *s);

/**
 * @brief `* FLAGS (flags)` (RFC 9051 §7.3.6).
 * @param s the server.
 * @param f the flags: `text` when its ptr is not NULL (flags separated by
 *          single spaces, each an atom or "\\" atom), else the system
 *          flags of `system`.
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_flags(mw_imap_server *s, const mw_imap_flags *f);

/**
 * @brief `* n EXISTS` (RFC 9051 §7.4.1).
 * @param s the server.
 * @param n the number of messages.
 * @return #MW_OK; #MW_E_STATE; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_exists(mw_imap_server *s, uint32_t n);

/**
 * @brief `* n RECENT` (RFC 3501 §7.3.2; IMAP4rev1 only).
 * @param s the server.
 * @param n the number of recent messages.
 * @return #MW_OK; #MW_E_STATE; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_recent(mw_imap_server *s, uint32_t n);

/**
 * @brief `* n EXPUNGE` (RFC 9051 §7.5.1).
 * @param s   the server.
 * @param seq the message sequence number (non-zero).
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL for 0; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_expunge(mw_imap_server *s, uint32_t seq);

/**
 * @brief `* VANISHED [(EARLIER)] uids` (RFC 7162 §3.2.10).
 * @param s       the server.
 * @param earlier 1 to write `(EARLIER)`.
 * @param uids    the UID set text ("41,43:116"): numbers and ranges,
 *                no "*"; any length.
 * @param len     its length.
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL (bad set); #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_vanished(mw_imap_server *s, int earlier,
                                   const char *uids, size_t len);

/**
 * @brief One namespace descriptor of a NAMESPACE response (RFC 2342 §5,
 *        RFC 9051 §7.3.2).
 */
typedef struct mw_imap_ns_reply {
    mw_span prefix;  /**< the prefix in UTF-8 (a mailbox name) */
    char delimiter;  /**< the hierarchy delimiter, or 0 for NIL */
    char reserved_[7]; /**< @private padding; set to 0 */
} mw_imap_ns_reply;

/**
 * @brief `* NAMESPACE personal other shared`: each list NIL when its
 *        count is 0.
 * @param s         the server.
 * @param personal  personal namespaces; may be NULL when `npersonal` is 0.
 * @param npersonal their number.
 * @param other     other users' namespaces.
 * @param nother    their number.
 * @param shared    shared namespaces.
 * @param nshared   their number.
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_namespace(mw_imap_server *s,
                                    const mw_imap_ns_reply *personal,
                                    size_t npersonal,
                                    const mw_imap_ns_reply *other,
                                    size_t nother,
                                    const mw_imap_ns_reply *shared,
                                    size_t nshared);

/**
 * @brief `* ID (field value ...)` or `* ID NIL` (RFC 2971 §3.2).
 * @param s      the server.
 * @param params field/value pairs (value NULL ptr for NIL); may be NULL
 *               when `n` is 0 (then `* ID NIL`).
 * @param n      their number, at most 30 (RFC 2971 §3.3); fields at most
 *               30 bytes, values at most 1024.
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL (too many, too long, NUL);
 *         #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_id(mw_imap_server *s, const mw_imap_id_param *params,
                             size_t n);

/**
 * @brief One resource of a QUOTA response (RFC 9208 §5.1).
 */
typedef struct mw_imap_quota_reply {
    mw_span name;   /**< resource name, an atom ("STORAGE", "MESSAGE") */
    uint64_t usage; /**< current usage (at most 2^63-1) */
    uint64_t limit; /**< limit (at most 2^63-1) */
} mw_imap_quota_reply;

/**
 * @brief `* QUOTA root (resource usage limit ...)` (RFC 9208 §5.1).
 * @param s    the server.
 * @param root the quota root (any bytes but NUL; written as a string).
 * @param res  the resources; may be NULL when `n` is 0.
 * @param n    their number.
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_quota(mw_imap_server *s, mw_span root,
                                const mw_imap_quota_reply *res, size_t n);

/**
 * @brief `* QUOTAROOT mailbox root...` (RFC 9208 §5.2).
 * @param s       the server.
 * @param mailbox the mailbox name in UTF-8.
 * @param roots   the quota roots; may be NULL when `n` is 0.
 * @param n       their number.
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_quotaroot(mw_imap_server *s, mw_span mailbox,
                                    const mw_span *roots, size_t n);
/** @} */

/* ====================================================================== */
/** @name FETCH responses (RFC 9051 §7.5.2), built item by item
 *
 * mw_imap_server_fetch_begin() opens `* n FETCH (`; each item function
 * appends one item (separated by a space); mw_imap_server_fetch_end()
 * writes `)` CRLF. Item functions fail with #MW_E_STATE when no FETCH is
 * open or a body literal is unfinished, #MW_E_INVAL for a bad argument
 * (nothing of the item is written) and #MW_E_CALLBACK when `send` failed.
 *  @{ */

/**
 * @brief Open `* seq FETCH (`.
 * @param s   the server.
 * @param seq the message sequence number (non-zero).
 * @return #MW_OK; #MW_E_STATE (output open, not started, closed);
 *         #MW_E_INVAL for 0.
 */
MW_API int mw_imap_server_fetch_begin(mw_imap_server *s, uint32_t seq);

/**
 * @brief `UID n`.
 * @param s   the server, with a FETCH open.
 * @param uid the UID (non-zero).
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_fetch_uid(mw_imap_server *s, uint32_t uid);

/**
 * @brief `FLAGS (flags)`.
 * @param s the server, with a FETCH open.
 * @param f the flags (as for mw_imap_server_flags()).
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_fetch_flags(mw_imap_server *s,
                                      const mw_imap_flags *f);

/**
 * @brief `INTERNALDATE "dd-Mon-yyyy hh:mm:ss +zzzz"`.
 * @param s the server, with a FETCH open.
 * @param d the date-time (fields checked: year 0-9999, a valid day of the
 *          month, zone within +-23:59).
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_fetch_internaldate(mw_imap_server *s,
                                             const mw_imap_datetime *d);

/**
 * @brief `RFC822.SIZE n` (RFC 9051: number64).
 * @param s    the server, with a FETCH open.
 * @param size the message size (at most 2^63-1).
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_fetch_size(mw_imap_server *s, uint64_t size);

/**
 * @brief `MODSEQ (n)` (RFC 7162 §3.1.4).
 * @param s      the server, with a FETCH open.
 * @param modseq the mod-sequence (1 to 2^63-1).
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_fetch_modseq(mw_imap_server *s, uint64_t modseq);

/**
 * @brief `name n` for a numeric item of an extension (X-GM-MSGID,
 *        X-GM-THRID, ...).
 * @param s     the server, with a FETCH open.
 * @param name  the item name: an atom (NUL-terminated).
 * @param value the number (at most 2^63-1).
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_fetch_number(mw_imap_server *s, const char *name,
                                       uint64_t value);

/**
 * @brief `name nstring` for a string item (PREVIEW of RFC 8970, ...):
 *        NIL, quoted string or literal as the value requires.
 * @param s     the server, with a FETCH open.
 * @param name  the item name: an atom (NUL-terminated).
 * @param value the value (NULL ptr for NIL; no NUL).
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_fetch_nstring(mw_imap_server *s, const char *name,
                                        mw_span value);

/**
 * @brief `EMAILID (id)` / `THREADID (id)` / `THREADID NIL` (RFC 8474 §5).
 * @param s    the server, with a FETCH open.
 * @param name "EMAILID" or "THREADID" (any atom is accepted).
 * @param id   the objectid (1-255 of A-Z a-z 0-9 _ -), NULL ptr for NIL.
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_fetch_objectid(mw_imap_server *s, const char *name,
                                         mw_span id);

/**
 * @brief `ENVELOPE (...)` (RFC 9051 §7.5.2) from the structure the client
 *        machine parses into. Strings are written NIL / quoted / literal
 *        as their bytes require; CR and LF go into literals, NUL is
 *        refused.
 * @param s the server, with a FETCH open.
 * @param e the envelope.
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL (NUL in a string, a NULL items
 *         pointer with a count); #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_fetch_envelope(mw_imap_server *s,
                                         const mw_imap_envelope *e);

/**
 * @brief `BODY (...)` or `BODYSTRUCTURE (...)` (RFC 9051 §7.5.2) from an
 *        ::mw_imap_body tree, written without recursion.
 *
 * With `extensible`, the extension data present (`has` bits) is written,
 * the fields before the last present one as NIL; without, none is
 * (BODY). The tree is checked before anything is written: type, subtype
 * and encoding must be strings, sizes at most 2^32-1, lines >= 0,
 * messages need an envelope and a body, multiparts at least one part,
 * nesting at most #MW_IMAP_SERVER_DEPTH_MAX, `extension` balanced text
 * without literals.
 *
 * @param s          the server, with a FETCH open.
 * @param b          the top node.
 * @param extensible 1 for BODYSTRUCTURE, 0 for BODY.
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL; #MW_E_DEPTH (too deep);
 *         #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_fetch_body_structure(mw_imap_server *s,
                                               const mw_imap_body *b,
                                               int extensible);

/** Flag of mw_imap_server_fetch_body_begin(): send the section as a
 *  literal8 `~{n}` (RFC 3516 §4.2; BINARY sections that hold NUL). */
#define MW_IMAP_SERVER_LITERAL8 0x01u

/**
 * @brief Open a body section `BODY[section]<origin> {size}` and its
 *        literal; then mw_imap_server_fetch_body_data() exactly `size`
 *        bytes and mw_imap_server_fetch_body_end().
 *
 * The item name comes from `item`: BODY[...] (PEEK dropped, RFC 9051
 * §6.4.5), BINARY[...] (RFC 3516), RFC822, RFC822.HEADER, RFC822.TEXT;
 * the section from `item->section_text` when its ptr is not NULL (7-bit
 * text without CR, LF, NUL or "]"), else built from `parts`, `section`
 * and `fields`; `<origin>` when `has_partial`.
 *
 * @param s     the server, with a FETCH open.
 * @param item  the item as the command asked for it (or built by the
 *              application).
 * @param size  the number of bytes that follow.
 * @param flags 0 or #MW_IMAP_SERVER_LITERAL8 (BINARY only).
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_fetch_body_begin(mw_imap_server *s,
                                           const mw_imap_fetch_req *item,
                                           uint64_t size, unsigned flags);

/**
 * @brief Bytes of the open body literal, passed to `send` as they are
 *        (zero-copy, any byte values, chunks of any size).
 * @param s    the server.
 * @param data the bytes; may be NULL when `len` is 0.
 * @param len  their number; the total must not exceed the announced size.
 * @return #MW_OK; #MW_E_STATE when no body is open; #MW_E_INVAL when the
 *         bytes would exceed the size (nothing sent); #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_fetch_body_data(mw_imap_server *s, const void *data,
                                          size_t len);

/**
 * @brief Close the open body literal.
 * @param s the server.
 * @return #MW_OK; #MW_E_STATE when no body is open or bytes are still
 *         owed (write them, then end again).
 */
MW_API int mw_imap_server_fetch_body_end(mw_imap_server *s);

/**
 * @brief A body section whose content is NIL (`BODY[1] NIL`).
 * @param s    the server, with a FETCH open.
 * @param item the item (as for mw_imap_server_fetch_body_begin()).
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_fetch_body_nil(mw_imap_server *s,
                                         const mw_imap_fetch_req *item);

/**
 * @brief `BINARY.SIZE[part] n` (RFC 3516 §4.2).
 * @param s    the server, with a FETCH open.
 * @param item the item (its part numbers or section text are used).
 * @param size the decoded size (at most 2^32-1).
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_fetch_binary_size(mw_imap_server *s,
                                            const mw_imap_fetch_req *item,
                                            uint64_t size);

/**
 * @brief Close the FETCH response: `)` CRLF.
 * @param s the server, with a FETCH open and no body literal open.
 * @return #MW_OK; #MW_E_STATE; #MW_E_INVAL when no item was written (an
 *         empty `* n FETCH ()` is invalid, RFC 9051 §9 `msg-att`; the
 *         FETCH stays open for an item); #MW_E_CALLBACK.
 */
MW_API int mw_imap_server_fetch_end(mw_imap_server *s);
/** @} */

#ifdef __cplusplus
}
#endif

#endif
