/* SPDX-License-Identifier: MIT */
/**
 * @file imap_client.h
 * @brief IMAP4rev1/IMAP4rev2 client machine (RFC 3501, RFC 9051): command
 *        formatting, tags, pipelining, literals (RFC 7888 LITERAL+ and
 *        LITERAL-), STARTTLS, COMPRESS (RFC 4978), AUTHENTICATE with
 *        SASL-IR (RFC 4959), IDLE (RFC 2177) and APPEND streaming
 *        (MULTIAPPEND, RFC 3502; CATENATE, RFC 4469).
 *
 * The client is a sans-I/O state machine: it never reads or writes a
 * socket. Bytes from the server go in through mw_imap_client_feed();
 * commands come out through the `send` callback; parsed responses come
 * back through the callbacks of ::mw_imap_client_callbacks (described in
 * imap_response.h). Every command function formats one command, gives it
 * a tag "<prefix><n>" and returns a handle (the number n); the tagged
 * completion reaches the `status` callback with that handle and the
 * command's id, so the application always knows which command finished.
 *
 * @section imapc_life Lifecycle
 *
 * 1. Place an ::mw_imap_client (mw_imap_client_sizeof() bytes, about
 *    2 KB), a frame buffer of #MW_IMAP_CLIENT_BUF_SIZE bytes (the longest
 *    response kept for parsing; FETCH body sections and SEARCH results do
 *    not count) and an arena (for ENVELOPE and BODYSTRUCTURE values; see
 *    ::mw_imap_client_config::arena). mw_imap_client_config_init(),
 *    adjust, mw_imap_client_init().
 * 2. Connect. Feed every byte the server sends to mw_imap_client_feed().
 *    The greeting arrives at `status` with `greeting` set; then
 *    mw_imap_client_state() is #MW_IMAP_STATE_NOT_AUTHENTICATED (or
 *    #MW_IMAP_STATE_AUTHENTICATED after PREAUTH).
 * 3. Issue commands with the `mw_imap_client_*` command functions, from a
 *    callback or after feed() returns. Commands may be pipelined (up to
 *    ::mw_imap_client_config::max_pending awaiting completion), except
 *    that nothing may follow STARTTLS, AUTHENTICATE, IDLE, COMPRESS,
 *    LOGOUT or an APPEND before they complete or, for APPEND, before the
 *    message data is written (the function returns #MW_E_STATE and sends
 *    nothing). mw_imap_client_want() has #MW_IMAP_CLIENT_WANT_SEND when a
 *    command may be issued.
 * 4. Each command's tagged OK/NO/BAD reaches `status` with `cmd` and
 *    `handle`; its untagged data reaches `data`, `search` or the FETCH
 *    callbacks as it arrives.
 * 5. mw_imap_client_logout(); feed() returns #MW_DONE after its tagged
 *    completion (or after a BYE the server sends on its own). Close the
 *    connection. If the server closes first, call mw_imap_client_eof().
 *
 * @section imapc_strings Arguments
 *
 * The formatter picks the wire form of every string: an atom when the
 * grammar allows one and the value is made of atom characters, else a
 * quoted string, else a literal (values with CR, LF or 8-bit bytes, or
 * longer than 1024 bytes). Literals are synchronising (the machine sends
 * the command up to "{n}", waits for the server's "+", then sends the
 * rest) unless the server offers LITERAL+ (then "{n+}" always) or
 * LITERAL- (then "{n+}" for literals of at most 4096 bytes, RFC 7888
 * §5). NUL is never allowed in a string (#MW_E_INVAL). Arguments that
 * cannot be strings (flags, keywords, capability names, charsets, sequence
 * sets, header field names) are checked against their grammar, and CR, LF
 * and NUL in them are refused with #MW_E_INVAL: a command function that
 * fails sends nothing at all.
 *
 * Mailbox names are given in UTF-8. The machine encodes them in modified
 * UTF-7 (RFC 3501 §5.1.3) unless UTF8=ACCEPT (RFC 6855) or IMAP4rev2 has
 * been enabled with mw_imap_client_enable(), when they go as UTF-8; with
 * #MW_IMAP_CLIENT_MAILBOX_RAW they are sent as given (already encoded,
 * e.g. copied from a LIST response). Control characters (0x00-0x1F,
 * 0x7F) are refused in every mailbox name (#MW_E_INVAL; RFC 9051 §5.1),
 * invalid UTF-8 with #MW_E_UTF8.
 *
 * Structured arguments come from builders that cannot produce invalid
 * syntax: ::mw_imap_seqbuf (sequence sets from numbers and ranges),
 * ::mw_imap_query (search keys with NOT, OR and parentheses checked for
 * completeness), ::mw_imap_items (FETCH items and body sections). Each
 * writes into a caller buffer and keeps the first error (sticky), which
 * the command function then returns.
 *
 * @section imapc_literal APPEND
 *
 * mw_imap_client_append() sends the command up to the message literal.
 * When the server says "+" (at once with LITERAL+), the `literal_ready`
 * callback fires and #MW_IMAP_CLIENT_WANT_LITERAL is set: write exactly
 * `size` bytes with mw_imap_client_append_data() in chunks of any size
 * (each chunk goes to `send` as it is: no copy), then either
 * mw_imap_client_append_next() (another message, MULTIAPPEND) or
 * mw_imap_client_append_end(). A tagged NO before the "+" ends the
 * APPEND without data.
 *
 * A message may also be built by the server from parts (CATENATE,
 * RFC 4469): mw_imap_client_catenate() starts the command up to
 * `CATENATE (` (mw_imap_client_catenate_next() starts such a message
 * after another one, MULTIAPPEND); then, in order, any mix of at least
 * one mw_imap_client_catenate_url() (`URL "url"`, an IMAP URL the server
 * fetches: sent at once, nothing to wait for) and
 * mw_imap_client_catenate_text() (`TEXT {n}`: a literal accepted exactly
 * like a message's, with `literal_ready` and
 * mw_imap_client_append_data(), NUL not allowed); then
 * mw_imap_client_append_next(), mw_imap_client_catenate_next() or
 * mw_imap_client_append_end(), which write the closing ")". The machine
 * sets no limit on the number of parts (a mailwire server takes
 * #MW_IMAP_SERVER_CATENATE_PARTS_MAX per message). A server refuses a
 * URL with `NO [BADURL url]` (code #MW_IMAP_CODE_BADURL, `arg` the URL
 * as the server wrote it, up to "]") and a message too large with
 * `NO [TOOBIG]`.
 *
 * A server may answer an APPEND before it has the whole command (a
 * CATENATE URL refused as soon as it is read, while the parts after it
 * travel as LITERAL+ literals). Between two pieces of the command (no
 * literal data owed) the APPEND is then over: the machine sends the CRLF
 * that ends it, `status` hears the answer, and the APPEND functions
 * return #MW_E_STATE. While literal data is still owed, such an answer
 * ends the session (#MW_E_SEQUENCE): the rest of the data could be read
 * as commands.
 *
 * @section imapc_tls STARTTLS, COMPRESS and the TLS policy
 *
 * After the tagged OK to STARTTLS (RFC 9051 §6.2.1) feed() stops with
 * #MW_IMAP_CLIENT_WANT_TLS: do the handshake, then call
 * mw_imap_client_tls_done(). Any byte received after that OK and before
 * tls_done() — in the same chunk or a later feed() — is a response
 * injection (CVE-2020-15953): the session fails with #MW_E_INJECTION.
 * After TLS the capabilities are forgotten (issue CAPABILITY again).
 * COMPRESS DEFLATE works the same way with #MW_IMAP_CLIENT_WANT_COMPRESS
 * and mw_imap_client_compress_done(): from then on the application
 * inflates what it feeds and deflates what `send` gives it.
 *
 * With ::mw_imap_client_config::require_tls set and the connection not
 * yet TLS, the session fails (field-notes §4.1) on a PREAUTH greeting, on
 * a CAPABILITY response without STARTTLS, on mw_imap_client_starttls()
 * when the known capabilities lack STARTTLS, and on any answer to
 * STARTTLS but OK; and every command but CAPABILITY, NOOP, LOGOUT and
 * STARTTLS is refused locally (#MW_E_STATE), so credentials never go out
 * in clear.
 *
 * @section imapc_errors Errors
 *
 * A command function returns #MW_OK, or an error and sends nothing:
 * #MW_E_INVAL (a bad argument, CR/LF/NUL where not allowed),
 * #MW_E_UTF8 (a mailbox name that is not UTF-8),
 * #MW_E_STATE (not valid in the state the session will be in once the
 * commands already sent complete, another command is being sent, the TLS
 * policy forbids it), #MW_E_LIMIT (the pending table is full),
 * #MW_E_NOSPACE (the command does not fit the command buffer),
 * #MW_E_CLOSED (the session is over), #MW_E_CALLBACK (`send` failed: the
 * session is over).
 *
 * feed() returns #MW_OK (all consumed), #MW_PAUSED (a callback paused;
 * `*consumed` says where to resume), #MW_DONE (the session ended: LOGOUT
 * completed or the server said BYE), or a negative status when the
 * session is dead: #MW_E_INJECTION (bytes after the STARTTLS or COMPRESS
 * go-ahead), #MW_E_STATE (the TLS policy failed), #MW_E_SYNTAX (a
 * greeting that is not OK, PREAUTH or BYE), #MW_E_SEQUENCE (a tagged
 * response before the greeting), #MW_E_CALLBACK (a callback aborted),
 * #MW_E_CLOSED (fed after the end). Responses that cannot be parsed,
 * unknown tags and "+" requests nobody waits for are recoverable: the
 * `error` callback hears them and the machine goes on.
 * mw_imap_client_error() tells the last error with its stream offset.
 *
 * @section imapc_example Example
 * @code
 * static int on_send(mw_imap_client *c, void *u, const char *p, size_t n)
 * { (void)c; return sock_write_all(*(int *)u, p, n) == 0 ? 0 : -1; }
 *
 * static int on_status(mw_imap_client *c, void *u, const mw_imap_status *st)
 * {
 *     (void)u;
 *     if (st->greeting && st->result == MW_IMAP_OK)
 *         return mw_imap_client_login(c, "bob", 3, "secret", 6, NULL);
 *     if (st->cmd == MW_IMAP_CMD_LOGIN && st->result == MW_IMAP_OK)
 *         return mw_imap_client_select(c, "INBOX", 5, NULL, NULL);
 *     if (st->cmd == MW_IMAP_CMD_SELECT && st->result == MW_IMAP_OK) {
 *         char ib[64];
 *         mw_imap_items it;
 *         mw_imap_seqset all;
 *         mw_imap_seqset_all(&all);                 // "1:*"
 *         mw_imap_items_init(&it, ib, sizeof ib);
 *         mw_imap_items_add(&it, MW_IMAP_ITEM_UID);
 *         mw_imap_items_add(&it, MW_IMAP_ITEM_ENVELOPE);
 *         return mw_imap_client_fetch(c, &all, &it, NULL, NULL);
 *     }
 *     if (st->cmd == MW_IMAP_CMD_FETCH)
 *         return mw_imap_client_logout(c, NULL);
 *     return 0;
 * }
 *
 * mw_imap_client c;
 * static char frame[MW_IMAP_CLIENT_BUF_SIZE];
 * static unsigned char arena[16384];
 * mw_imap_client_config cfg;
 * mw_imap_client_callbacks cb = {0};
 * cb.send = on_send;
 * cb.status = on_status;
 * cb.fetch_item = on_item;                          // your FETCH handler
 * mw_imap_client_config_init(&cfg);
 * cfg.arena = arena; cfg.arena_len = sizeof arena;
 * cfg.tls_active = 1;                               // port 993
 * mw_imap_client_init(&c, &cfg, &cb, &sock, frame, sizeof frame);
 * for (;;) {
 *     char in[4096]; size_t got = sock_read(sock, in, sizeof in), used;
 *     if (got == 0) { mw_imap_client_eof(&c); break; }
 *     if (mw_imap_client_feed(&c, in, got, &used) != MW_OK) break;
 * }
 * @endcode
 */
#ifndef MAILWIRE_IMAP_CLIENT_H
#define MAILWIRE_IMAP_CLIENT_H

#include "core.h"
#include "config.h"
#include "sasl.h"
#include "imap.h"
#include "imap_response.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================== */
/** @name Sizes
 *  @{ */

/** Ideal size of the frame buffer given to mw_imap_client_init(): the
 *  default response limit (#MW_IMAP_RESPONSE_DEFAULT). */
#define MW_IMAP_CLIENT_BUF_SIZE MW_IMAP_RESPONSE_DEFAULT

/** Commands that can await their tagged completion at once (the size of
 *  the pending table inside the context; the configured limit is
 *  ::mw_imap_client_config::max_pending). Define before including to
 *  change it; it changes the context size. */
#ifndef MW_IMAP_CLIENT_PENDING
#define MW_IMAP_CLIENT_PENDING 16
#endif

/** Bytes of the command buffer inside the context, used unless the
 *  configuration gives a larger one (::mw_imap_client_config::cmdbuf). It
 *  holds one command with its inline literals, and an AUTHENTICATE
 *  exchange's responses (an OAuth token of more than ~700 bytes needs a
 *  larger caller buffer). Define before including to change it; it
 *  changes the context size. */
#ifndef MW_IMAP_CLIENT_CMDBUF_SIZE
#define MW_IMAP_CLIENT_CMDBUF_SIZE 1024
#endif

/** Longest tag prefix (::mw_imap_client_config::tag_prefix). With the
 *  10 digits of the counter a tag stays well under #MW_IMAP_TAG_MAX. */
#define MW_IMAP_CLIENT_PREFIX_MAX 16

/** @} */

/* ====================================================================== */
/** @name mw_imap_client_want() bits
 *  The same values as every mailwire machine's `WANT` bits.
 *  @{ */
#define MW_IMAP_CLIENT_WANT_INPUT 0x01u    /**< responses may come: feed input */
#define MW_IMAP_CLIENT_WANT_TLS 0x04u      /**< do the TLS handshake, then mw_imap_client_tls_done() */
#define MW_IMAP_CLIENT_WANT_CLOSED 0x08u   /**< the session is over (LOGOUT, BYE, or dead) */
#define MW_IMAP_CLIENT_WANT_SEND 0x10u     /**< a command may be issued now */
#define MW_IMAP_CLIENT_WANT_LITERAL 0x20u  /**< APPEND message data may be written now */
#define MW_IMAP_CLIENT_WANT_COMPRESS 0x40u /**< start DEFLATE, then mw_imap_client_compress_done() */
/** @} */

/** @name Configuration flags (::mw_imap_client_config::flags)
 *  @{ */
/** Never send non-synchronising literals, even when the server offers
 *  LITERAL+ or LITERAL-. */
#define MW_IMAP_CLIENT_NO_LITERAL_PLUS 0x01u
/** Mailbox names are passed as they go on the wire (modified UTF-7 already
 *  applied), not as UTF-8 to encode. */
#define MW_IMAP_CLIENT_MAILBOX_RAW 0x02u
/** Never send a SASL initial response with AUTHENTICATE, even when the
 *  server offers SASL-IR (wait for the first "+" instead). */
#define MW_IMAP_CLIENT_NO_SASL_IR 0x04u
/** @} */

/** @name Extensions enabled (mw_imap_client_enabled())
 *  Set by the server's ENABLED response (RFC 5161 §3.2).
 *  @{ */
#define MW_IMAP_CLIENT_ENABLED_UTF8 0x01u      /**< UTF8=ACCEPT (RFC 6855) */
#define MW_IMAP_CLIENT_ENABLED_IMAP4REV2 0x02u /**< IMAP4rev2 (RFC 9051) */
#define MW_IMAP_CLIENT_ENABLED_CONDSTORE 0x04u /**< CONDSTORE (RFC 7162) */
#define MW_IMAP_CLIENT_ENABLED_QRESYNC 0x08u   /**< QRESYNC (RFC 7162) */
/** @} */

/* ====================================================================== */
/**
 * @brief Client configuration. Fill with mw_imap_client_config_init(),
 *        then change what you need.
 */
typedef struct mw_imap_client_config {
    /** Tag prefix: 1 to #MW_IMAP_CLIENT_PREFIX_MAX tag characters (RFC 9051
     *  §9 `tag`: ASTRING-CHAR except "+"). Tags are the prefix followed by
     *  a decimal counter. Default "A". Copied at init. */
    const char *tag_prefix;
    /** First counter value (the first command's handle), >= 1. Default 1. */
    uint32_t tag_start;
    /** Commands awaiting completion at once, 1..#MW_IMAP_CLIENT_PENDING.
     *  Default #MW_IMAP_CLIENT_PENDING; 1 turns pipelining off. */
    unsigned max_pending;
    /** Longest response text kept for parsing, literals inline included
     *  (body sections and SEARCH numbers are streamed and do not count);
     *  0 = the frame buffer's size. At least 64 and at most the frame
     *  buffer's size. Default 0 (with a frame buffer of
     *  #MW_IMAP_CLIENT_BUF_SIZE bytes: #MW_IMAP_RESPONSE_DEFAULT). */
    size_t max_response;
    /** Deepest nesting of parenthesised lists in responses (BODYSTRUCTURE,
     *  THREAD, extension data), >= 1. Default #MW_IMAP_DEPTH_DEFAULT. */
    unsigned max_depth;
    /** MW_IMAP_QUIRK_* switches (imap.h): real server defects to tolerate.
     *  Default 0. */
    unsigned quirks;
    /** Line ends in responses: #MW_NEWLINE_REJECT (default: a bare LF is
     *  an error and the response is skipped) or #MW_NEWLINE_ACCEPT. */
    mw_newline_policy newline;
    /** Memory for structured response values (ENVELOPE, BODYSTRUCTURE,
     *  unescaped strings), reused for every response; NULL with
     *  `arena_len` 0 for none (such responses are then skipped with
     *  #MW_E_NOSPACE). Must outlive the client. */
    void *arena;
    size_t arena_len;      /**< bytes at `arena` */
    /** A command buffer to use instead of the context's
     *  #MW_IMAP_CLIENT_CMDBUF_SIZE bytes (long sequence sets, large OAuth
     *  tokens); NULL for the internal one. At least 64 bytes. Must outlive
     *  the client. */
    char *cmdbuf;
    size_t cmdbuf_len;     /**< bytes at `cmdbuf` */
    /** 1: TLS is mandatory (see @ref imapc_tls). Default 0. */
    int require_tls;
    /** 1: the connection is already TLS (implicit TLS, RFC 8314 port
     *  993). Default 0. */
    int tls_active;
    /** MW_IMAP_CLIENT_NO_LITERAL_PLUS, MW_IMAP_CLIENT_MAILBOX_RAW,
     *  MW_IMAP_CLIENT_NO_SASL_IR. Default 0. */
    unsigned flags;
} mw_imap_client_config;

/* ====================================================================== */
/** @name Builders: sequence sets (RFC 9051 §9 `sequence-set`)
 *  @{ */

/** The `*` of a sequence set (the largest number in use) in
 *  mw_imap_seqbuf_add(): 0 is never a valid message number or UID. */
#define MW_IMAP_STAR 0u

/**
 * @brief A sequence set under construction, written into a caller buffer.
 *
 * Errors are sticky: the first one is kept and returned by
 * mw_imap_seqbuf_get() (and so by the command that uses the set).
 */
typedef struct mw_imap_seqbuf {
    /** @cond PRIVATE */
    char *buf;
    size_t cap;
    size_t len;
    uint32_t ranges;
    int status;
    uint32_t run_lo, run_hi;   /* mw_imap_seqbuf_num(): the open run */
    int run_open;
    /** @endcond */
} mw_imap_seqbuf;

/**
 * @brief Start an empty sequence set in `buf`.
 * @param sb  the builder. Not NULL.
 * @param buf where the text goes (not NUL-terminated); must outlive the
 *            set made from it.
 * @param cap bytes at `buf`.
 */
MW_API void mw_imap_seqbuf_init(mw_imap_seqbuf *sb, char *buf, size_t cap);

/**
 * @brief Add a range lo:hi, or one number when `lo` == `hi`.
 *
 * #MW_IMAP_STAR (0) stands for `*`. The range is written as given; the
 * server takes "5:2" as "2:5" (RFC 9051 §9), but some servers refuse
 * descending ranges (field-notes §3), so they are written ascending here.
 *
 * @param sb the builder. Not NULL.
 * @param lo first number or #MW_IMAP_STAR.
 * @param hi last number or #MW_IMAP_STAR.
 * @return #MW_OK; #MW_E_NOSPACE (the buffer is full; sticky).
 */
MW_API int mw_imap_seqbuf_add(mw_imap_seqbuf *sb, uint32_t lo, uint32_t hi);

/**
 * @brief Add numbers one at a time; consecutive ascending numbers are
 *        merged into ranges ("1,2,3,7" becomes "1:3,7").
 * @param sb  the builder. Not NULL.
 * @param num a message number or UID, >= 1.
 * @return #MW_OK; #MW_E_INVAL for 0; #MW_E_NOSPACE (sticky).
 */
MW_API int mw_imap_seqbuf_num(mw_imap_seqbuf *sb, uint32_t num);

/**
 * @brief Finish: the set as an ::mw_imap_seqset for the command functions.
 * @param sb  the builder. Not NULL.
 * @param out receives the set; its text points into the builder's buffer.
 * @return #MW_OK; #MW_E_INVAL for an empty set; the builder's sticky error.
 */
MW_API int mw_imap_seqbuf_get(mw_imap_seqbuf *sb, mw_imap_seqset *out);

/**
 * @brief The set "1:*" (every message).
 * @param out receives the set (static text). Not NULL.
 */
MW_API void mw_imap_seqset_all(mw_imap_seqset *out);

/**
 * @brief The set "$": the saved search result (RFC 5182 SEARCHRES).
 * @param out receives the set. Not NULL.
 */
MW_API void mw_imap_seqset_saved(mw_imap_seqset *out);

/** @} */

/* ====================================================================== */
/** @name Builders: search keys (RFC 9051 §6.4.4 `search-key`)
 *  @{ */

/** Search keys (mw_imap_query_key() and friends). Values are part of the
 *  ABI. */
typedef enum mw_imap_query_kind {
    /* without argument: mw_imap_query_key() */
    MW_IMAP_QUERY_ALL = 1,          /**< ALL */
    MW_IMAP_QUERY_ANSWERED = 2,     /**< ANSWERED */
    MW_IMAP_QUERY_DELETED = 3,      /**< DELETED */
    MW_IMAP_QUERY_DRAFT = 4,        /**< DRAFT */
    MW_IMAP_QUERY_FLAGGED = 5,      /**< FLAGGED */
    MW_IMAP_QUERY_NEW = 6,          /**< NEW (IMAP4rev1) */
    MW_IMAP_QUERY_OLD = 7,          /**< OLD (IMAP4rev1) */
    MW_IMAP_QUERY_RECENT = 8,       /**< RECENT (IMAP4rev1) */
    MW_IMAP_QUERY_SEEN = 9,         /**< SEEN */
    MW_IMAP_QUERY_UNANSWERED = 10,  /**< UNANSWERED */
    MW_IMAP_QUERY_UNDELETED = 11,   /**< UNDELETED */
    MW_IMAP_QUERY_UNDRAFT = 12,     /**< UNDRAFT */
    MW_IMAP_QUERY_UNFLAGGED = 13,   /**< UNFLAGGED */
    MW_IMAP_QUERY_UNSEEN = 14,      /**< UNSEEN */
    MW_IMAP_QUERY_SAVEDATESUPPORTED = 15, /**< SAVEDATESUPPORTED (RFC 8514) */
    /* with a string: mw_imap_query_string() */
    MW_IMAP_QUERY_BCC = 32,         /**< BCC string */
    MW_IMAP_QUERY_BODY = 33,        /**< BODY string */
    MW_IMAP_QUERY_CC = 34,          /**< CC string */
    MW_IMAP_QUERY_FROM = 35,        /**< FROM string */
    MW_IMAP_QUERY_SUBJECT = 36,     /**< SUBJECT string */
    MW_IMAP_QUERY_TEXT = 37,        /**< TEXT string */
    MW_IMAP_QUERY_TO = 38,          /**< TO string */
    MW_IMAP_QUERY_KEYWORD = 39,     /**< KEYWORD flag-keyword (an atom) */
    MW_IMAP_QUERY_UNKEYWORD = 40,   /**< UNKEYWORD flag-keyword (an atom) */
    MW_IMAP_QUERY_EMAILID = 41,     /**< EMAILID objectid (RFC 8474) */
    MW_IMAP_QUERY_THREADID = 42,    /**< THREADID objectid (RFC 8474) */
    MW_IMAP_QUERY_X_GM_RAW = 43,    /**< X-GM-RAW string (Gmail) */
    /* with a date: mw_imap_query_date() */
    MW_IMAP_QUERY_BEFORE = 64,      /**< BEFORE date */
    MW_IMAP_QUERY_ON = 65,          /**< ON date */
    MW_IMAP_QUERY_SINCE = 66,       /**< SINCE date */
    MW_IMAP_QUERY_SENTBEFORE = 67,  /**< SENTBEFORE date */
    MW_IMAP_QUERY_SENTON = 68,      /**< SENTON date */
    MW_IMAP_QUERY_SENTSINCE = 69,   /**< SENTSINCE date */
    MW_IMAP_QUERY_SAVEDBEFORE = 70, /**< SAVEDBEFORE date (RFC 8514) */
    MW_IMAP_QUERY_SAVEDON = 71,     /**< SAVEDON date (RFC 8514) */
    MW_IMAP_QUERY_SAVEDSINCE = 72,  /**< SAVEDSINCE date (RFC 8514) */
    /* with a number: mw_imap_query_number() */
    MW_IMAP_QUERY_LARGER = 96,      /**< LARGER n */
    MW_IMAP_QUERY_SMALLER = 97,     /**< SMALLER n */
    MW_IMAP_QUERY_OLDER = 98,       /**< OLDER seconds (RFC 5032), n >= 1 */
    MW_IMAP_QUERY_YOUNGER = 99,     /**< YOUNGER seconds (RFC 5032), n >= 1 */
    MW_IMAP_QUERY_MODSEQ = 100,     /**< MODSEQ n (RFC 7162 §3.1.5) */
    MW_IMAP_QUERY_X_GM_MSGID = 101, /**< X-GM-MSGID n (Gmail) */
    MW_IMAP_QUERY_X_GM_THRID = 102  /**< X-GM-THRID n (Gmail) */
} mw_imap_query_kind;

/** Operators and parentheses the query builder can hold open at once
 *  (nesting of NOT, OR and "(" together). */
#define MW_IMAP_QUERY_DEPTH 32

/**
 * @brief A search program under construction (the keys after SEARCH),
 *        written into a caller buffer.
 *
 * Keys are written in prefix order, as on the wire: mw_imap_query_or()
 * then its two operands; mw_imap_query_not() then its operand;
 * mw_imap_query_open(), keys, mw_imap_query_close(). The builder counts
 * operands, so a search program that lacks one (an OR with one operand,
 * an empty or unclosed parenthesis) is refused by the command (#MW_E_INVAL),
 * never sent. Strings that need a literal are written as one; the
 * command turns it into a LITERAL+ one when the server allows.
 * Errors are sticky.
 */
typedef struct mw_imap_query {
    /** @cond PRIVATE */
    char *buf;
    size_t cap;
    size_t len;
    int status;
    uint32_t keys;        /* complete top-level operands */
    unsigned depth;       /* entries on the stack */
    unsigned char need[MW_IMAP_QUERY_DEPTH]; /* operands still owed; 0xFF = "(" */
    unsigned char got[MW_IMAP_QUERY_DEPTH];  /* keys inside a "(" */
    uint8_t utf8;         /* a string holds 8-bit bytes: CHARSET UTF-8 needed in rev1 */
    uint8_t open;         /* the last token was "(" (no SP before the next) */
    uint8_t reserved_[2];
    /** @endcond */
} mw_imap_query;

/**
 * @brief Start an empty search program in `buf`.
 * @param q   the builder. Not NULL.
 * @param buf where the text goes; must outlive the command call.
 * @param cap bytes at `buf`.
 */
MW_API void mw_imap_query_init(mw_imap_query *q, char *buf, size_t cap);

/**
 * @brief Add a key without argument (MW_IMAP_QUERY_ALL ...
 *        MW_IMAP_QUERY_SAVEDATESUPPORTED).
 * @param q   the builder. Not NULL.
 * @param key the key.
 * @return #MW_OK; #MW_E_INVAL for a key that takes an argument;
 *         #MW_E_NOSPACE; any earlier error (sticky).
 */
MW_API int mw_imap_query_key(mw_imap_query *q, int key);

/**
 * @brief Add a key with a string (BCC, BODY, CC, FROM, SUBJECT, TEXT, TO,
 *        X-GM-RAW: any bytes but NUL, sent as atom, quoted string or
 *        literal) or an atom (KEYWORD, UNKEYWORD: a flag keyword; EMAILID,
 *        THREADID: an objectid of 1..255 letters, digits, "-" and "_").
 * @param q   the builder. Not NULL.
 * @param key the key.
 * @param s   the value; may be NULL when `n` is 0.
 * @param n   its length.
 * @return #MW_OK; #MW_E_INVAL (wrong key kind, NUL in a string, a bad
 *         keyword or objectid); #MW_E_NOSPACE; any earlier error.
 */
MW_API int mw_imap_query_string(mw_imap_query *q, int key, const char *s,
                                size_t n);

/**
 * @brief Add HEADER field-name string (RFC 9051 §6.4.4).
 * @param q     the builder. Not NULL.
 * @param name  the header field name (RFC 5322 ftext: printable ASCII
 *              but ":"), non-empty.
 * @param nlen  its length.
 * @param value the string to look for (may be empty: any message with
 *              the field); may be NULL when `vlen` is 0.
 * @param vlen  its length.
 * @return #MW_OK; #MW_E_INVAL; #MW_E_NOSPACE; any earlier error.
 */
MW_API int mw_imap_query_header(mw_imap_query *q, const char *name,
                                size_t nlen, const char *value, size_t vlen);

/**
 * @brief Add a key with a date (BEFORE ... SAVEDSINCE), written
 *        "d-Mon-yyyy" (RFC 9051 §9 `date`); the time and zone of `d` are
 *        ignored.
 * @param q   the builder. Not NULL.
 * @param key the key.
 * @param d   the date (year 1..9999, a valid month and day). Not NULL.
 * @return #MW_OK; #MW_E_INVAL; #MW_E_NOSPACE; any earlier error.
 */
MW_API int mw_imap_query_date(mw_imap_query *q, int key,
                              const mw_imap_datetime *d);

/**
 * @brief Add a key with a number: LARGER and SMALLER (number64 in
 *        IMAP4rev2; values above 2^32-1 need it), OLDER and YOUNGER
 *        (nz-number), MODSEQ (mod-sequence-valzer, < 2^63), X-GM-MSGID
 *        and X-GM-THRID.
 * @param q   the builder. Not NULL.
 * @param key the key.
 * @param n   the number.
 * @return #MW_OK; #MW_E_INVAL (kind, or a number out of the key's range);
 *         #MW_E_NOSPACE; any earlier error.
 */
MW_API int mw_imap_query_number(mw_imap_query *q, int key, uint64_t n);

/**
 * @brief Add a sequence set key: message numbers, or "UID set".
 * @param q   the builder. Not NULL.
 * @param uid 1 for the UID key, 0 for message sequence numbers.
 * @param set the set (checked against the grammar). Not NULL.
 * @return #MW_OK; #MW_E_INVAL; #MW_E_NOSPACE; any earlier error.
 */
MW_API int mw_imap_query_set(mw_imap_query *q, int uid,
                             const mw_imap_seqset *set);

/**
 * @brief Add NOT: the next complete key is negated.
 * @param q the builder. Not NULL.
 * @return #MW_OK; #MW_E_DEPTH (more than #MW_IMAP_QUERY_DEPTH open);
 *         #MW_E_NOSPACE; any earlier error.
 */
MW_API int mw_imap_query_not(mw_imap_query *q);

/**
 * @brief Add OR: the next two complete keys are its operands.
 * @param q the builder. Not NULL.
 * @return as mw_imap_query_not().
 */
MW_API int mw_imap_query_or(mw_imap_query *q);

/**
 * @brief Open a parenthesised list of keys (all must match).
 * @param q the builder. Not NULL.
 * @return as mw_imap_query_not().
 */
MW_API int mw_imap_query_open(mw_imap_query *q);

/**
 * @brief Close the innermost open parenthesis.
 * @param q the builder. Not NULL.
 * @return #MW_OK; #MW_E_INVAL when no parenthesis is open, it is empty,
 *         or a NOT/OR inside it lacks an operand; #MW_E_NOSPACE; any
 *         earlier error.
 */
MW_API int mw_imap_query_close(mw_imap_query *q);

/** @} */

/* ====================================================================== */
/** @name Builders: FETCH items (RFC 9051 §6.4.5 `fetch-att`)
 *  @{ */

/** FETCH items without section (mw_imap_items_add()). Values are part
 *  of the ABI. */
typedef enum mw_imap_item {
    MW_IMAP_ITEM_ALL = 1,           /**< macro ALL (alone) */
    MW_IMAP_ITEM_FAST = 2,          /**< macro FAST (alone) */
    MW_IMAP_ITEM_FULL = 3,          /**< macro FULL (alone) */
    MW_IMAP_ITEM_FLAGS = 4,         /**< FLAGS */
    MW_IMAP_ITEM_UID = 5,           /**< UID */
    MW_IMAP_ITEM_INTERNALDATE = 6,  /**< INTERNALDATE */
    MW_IMAP_ITEM_RFC822_SIZE = 7,   /**< RFC822.SIZE */
    MW_IMAP_ITEM_ENVELOPE = 8,      /**< ENVELOPE */
    MW_IMAP_ITEM_BODY = 9,          /**< BODY (structure, no extension data) */
    MW_IMAP_ITEM_BODYSTRUCTURE = 10, /**< BODYSTRUCTURE */
    MW_IMAP_ITEM_RFC822 = 11,       /**< RFC822 (IMAP4rev1) */
    MW_IMAP_ITEM_RFC822_HEADER = 12, /**< RFC822.HEADER (IMAP4rev1) */
    MW_IMAP_ITEM_RFC822_TEXT = 13,  /**< RFC822.TEXT (IMAP4rev1) */
    MW_IMAP_ITEM_MODSEQ = 14,       /**< MODSEQ (RFC 7162) */
    MW_IMAP_ITEM_EMAILID = 15,      /**< EMAILID (RFC 8474) */
    MW_IMAP_ITEM_THREADID = 16,     /**< THREADID (RFC 8474) */
    MW_IMAP_ITEM_SAVEDATE = 17,     /**< SAVEDATE (RFC 8514) */
    MW_IMAP_ITEM_PREVIEW = 18,      /**< PREVIEW (RFC 8970) */
    MW_IMAP_ITEM_PREVIEW_LAZY = 19, /**< PREVIEW (LAZY) (RFC 8970) */
    MW_IMAP_ITEM_X_GM_MSGID = 20,   /**< X-GM-MSGID (Gmail) */
    MW_IMAP_ITEM_X_GM_THRID = 21,   /**< X-GM-THRID (Gmail) */
    MW_IMAP_ITEM_X_GM_LABELS = 22   /**< X-GM-LABELS (Gmail) */
} mw_imap_item;

/** Body section items (::mw_imap_section::item). */
typedef enum mw_imap_sect_item {
    MW_IMAP_SECT_BODY = 0,        /**< BODY[...] (sets \\Seen) */
    MW_IMAP_SECT_BODY_PEEK = 1,   /**< BODY.PEEK[...] */
    MW_IMAP_SECT_BINARY = 2,      /**< BINARY[...] (RFC 3516) */
    MW_IMAP_SECT_BINARY_PEEK = 3, /**< BINARY.PEEK[...] (RFC 3516) */
    MW_IMAP_SECT_BINARY_SIZE = 4  /**< BINARY.SIZE[...] (RFC 3516) */
} mw_imap_sect_item;

/** What part of a body section (::mw_imap_section::text). */
typedef enum mw_imap_sect_text {
    MW_IMAP_SECT_ALL = 0,        /**< the whole part (no section-text) */
    MW_IMAP_SECT_HEADER = 1,     /**< HEADER */
    MW_IMAP_SECT_FIELDS = 2,     /**< HEADER.FIELDS (fields) */
    MW_IMAP_SECT_FIELDS_NOT = 3, /**< HEADER.FIELDS.NOT (fields) */
    MW_IMAP_SECT_TEXT = 4,       /**< TEXT */
    MW_IMAP_SECT_MIME = 5        /**< MIME (needs a part number) */
} mw_imap_sect_text;

/**
 * @brief A body section to fetch: BODY[1.2.HEADER.FIELDS (Subject)]<0.100>
 *        and the like (RFC 9051 §6.4.5, RFC 3516).
 */
typedef struct mw_imap_section {
    int item;                  /**< ::mw_imap_sect_item */
    const uint32_t *part;      /**< part numbers (each >= 1), e.g. {1, 2} for "1.2"; may be NULL when `nparts` is 0 */
    size_t nparts;             /**< number of part numbers (at most 64) */
    int text;                  /**< ::mw_imap_sect_text; BINARY items allow only #MW_IMAP_SECT_ALL */
    const char *const *fields; /**< header field names for HEADER.FIELDS(.NOT), NUL-terminated */
    size_t nfields;            /**< number of names, >= 1 for HEADER.FIELDS(.NOT) */
    int partial;               /**< 1: fetch `<origin.length>` only (not for BINARY.SIZE) */
    uint64_t origin;           /**< first octet (partial) */
    uint32_t length;           /**< number of octets, >= 1 (partial) */
} mw_imap_section;

/**
 * @brief FETCH items under construction, written into a caller buffer.
 *        Errors are sticky.
 */
typedef struct mw_imap_items {
    /** @cond PRIVATE */
    char *buf;
    size_t cap;
    size_t len;
    int status;
    uint32_t count;
    int macro;          /* a macro was added */
    /** @endcond */
} mw_imap_items;

/**
 * @brief Start an empty item list in `buf`.
 * @param it  the builder. Not NULL.
 * @param buf where the text goes; must outlive the command call.
 * @param cap bytes at `buf`.
 */
MW_API void mw_imap_items_init(mw_imap_items *it, char *buf, size_t cap);

/**
 * @brief Add an item without section. A macro (ALL, FAST, FULL) must be
 *        the only item.
 * @param it   the builder. Not NULL.
 * @param item an ::mw_imap_item.
 * @return #MW_OK; #MW_E_INVAL (unknown item, a macro with other items);
 *         #MW_E_NOSPACE; any earlier error.
 */
MW_API int mw_imap_items_add(mw_imap_items *it, int item);

/**
 * @brief Add a body section item.
 * @param it the builder. Not NULL.
 * @param s  the section. Not NULL. Field names must be RFC 5322 ftext
 *           (printable ASCII but ":"), non-empty.
 * @return #MW_OK; #MW_E_INVAL (a part number 0, MIME without part, a
 *         section text with BINARY, no fields for HEADER.FIELDS, a bad
 *         field name, partial with BINARY.SIZE or length 0, a macro in
 *         the list); #MW_E_NOSPACE; any earlier error.
 */
MW_API int mw_imap_items_section(mw_imap_items *it, const mw_imap_section *s);

/** @} */

/* ====================================================================== */
/** @name Command parameters
 *  @{ */

/**
 * @brief SELECT/EXAMINE parameters (RFC 7162 §3.1.8 CONDSTORE, §3.2.5
 *        QRESYNC). Zero-initialise; NULL for none.
 */
typedef struct mw_imap_select_params {
    int condstore;          /**< 1: "(CONDSTORE)" */
    int qresync;            /**< 1: "(QRESYNC (uidvalidity modseq ...))" */
    uint32_t uidvalidity;   /**< QRESYNC: the last known UIDVALIDITY (>= 1) */
    uint64_t modseq;        /**< QRESYNC: the last known HIGHESTMODSEQ (>= 1, < 2^63) */
    const mw_imap_seqset *known_uids; /**< QRESYNC: known UIDs, or NULL */
    const mw_imap_seqset *match_seqs; /**< QRESYNC: sequence match data: message numbers (with `match_uids`, needs `known_uids`), or NULL */
    const mw_imap_seqset *match_uids; /**< QRESYNC: the UIDs matching `match_seqs`, or NULL */
} mw_imap_select_params;

/** @name LIST selection options (::mw_imap_list_params::select, RFC 5258 §3.1, RFC 6154 §5.3)
 *  @{ */
#define MW_IMAP_CLIENT_LISTSEL_SUBSCRIBED 0x01u     /**< SUBSCRIBED */
#define MW_IMAP_CLIENT_LISTSEL_REMOTE 0x02u         /**< REMOTE */
#define MW_IMAP_CLIENT_LISTSEL_RECURSIVEMATCH 0x04u /**< RECURSIVEMATCH (needs another option) */
#define MW_IMAP_CLIENT_LISTSEL_SPECIAL_USE 0x08u    /**< SPECIAL-USE (RFC 6154) */
/** @} */

/** @name LIST return options (::mw_imap_list_params::ret, RFC 5258 §3.2, RFC 5819, RFC 6154)
 *  @{ */
#define MW_IMAP_CLIENT_LISTRET_SUBSCRIBED 0x01u  /**< SUBSCRIBED */
#define MW_IMAP_CLIENT_LISTRET_CHILDREN 0x02u    /**< CHILDREN */
#define MW_IMAP_CLIENT_LISTRET_SPECIAL_USE 0x04u /**< SPECIAL-USE (RFC 6154) */
#define MW_IMAP_CLIENT_LISTRET_STATUS 0x08u      /**< STATUS (items) (RFC 5819); items from `status_items` */
/** @} */

/**
 * @brief LIST-EXTENDED parameters (RFC 5258, RFC 5819). Zero-initialise;
 *        NULL for a plain LIST.
 */
typedef struct mw_imap_list_params {
    unsigned select;        /**< MW_IMAP_CLIENT_LISTSEL_* */
    unsigned ret;           /**< MW_IMAP_CLIENT_LISTRET_* */
    unsigned status_items;  /**< MW_IMAP_STATUS_* (imap_response.h) for #MW_IMAP_CLIENT_LISTRET_STATUS, >= 1 item */
    const mw_span *patterns; /**< more than one pattern: sent as "(p1 p2 ...)" instead of the `pattern` argument */
    size_t npatterns;       /**< number of `patterns`; 0 to use the `pattern` argument */
} mw_imap_list_params;

/** @name SEARCH return options (::mw_imap_search_params::ret, RFC 4731, RFC 5182)
 *  @{ */
#define MW_IMAP_CLIENT_RETURN_MIN 0x01u   /**< MIN */
#define MW_IMAP_CLIENT_RETURN_MAX 0x02u   /**< MAX */
#define MW_IMAP_CLIENT_RETURN_ALL 0x04u   /**< ALL */
#define MW_IMAP_CLIENT_RETURN_COUNT 0x08u /**< COUNT */
#define MW_IMAP_CLIENT_RETURN_SAVE 0x10u  /**< SAVE (RFC 5182 SEARCHRES) */
/** Send "RETURN ()" (ESEARCH with ALL implied) when no other bit is set. */
#define MW_IMAP_CLIENT_RETURN_EMPTY 0x80u
/** @} */

/**
 * @brief SEARCH/SORT/THREAD parameters. Zero-initialise; NULL for plain
 *        SEARCH by message number, no charset.
 */
typedef struct mw_imap_search_params {
    int uid;                /**< 1: UID SEARCH / UID SORT / UID THREAD */
    const char *charset;    /**< CHARSET (an astring, e.g. "UTF-8"), NULL for none; SORT and THREAD default to "UTF-8" */
    unsigned ret;           /**< MW_IMAP_CLIENT_RETURN_* (SEARCH only: ESEARCH) */
} mw_imap_search_params;

/** @name SORT criteria (mw_imap_client_sort(), RFC 5256 §3, RFC 5957)
 *  @{ */
#define MW_IMAP_CLIENT_SORT_ARRIVAL 1     /**< ARRIVAL */
#define MW_IMAP_CLIENT_SORT_CC 2          /**< CC */
#define MW_IMAP_CLIENT_SORT_DATE 3        /**< DATE */
#define MW_IMAP_CLIENT_SORT_FROM 4        /**< FROM */
#define MW_IMAP_CLIENT_SORT_SIZE 5        /**< SIZE */
#define MW_IMAP_CLIENT_SORT_SUBJECT 6     /**< SUBJECT */
#define MW_IMAP_CLIENT_SORT_TO 7          /**< TO */
#define MW_IMAP_CLIENT_SORT_DISPLAYFROM 8 /**< DISPLAYFROM (RFC 5957) */
#define MW_IMAP_CLIENT_SORT_DISPLAYTO 9   /**< DISPLAYTO (RFC 5957) */
#define MW_IMAP_CLIENT_SORT_REVERSE 0x100 /**< OR into a criterion: REVERSE before it */
/** @} */

/**
 * @brief FETCH parameters. Zero-initialise; NULL for a plain FETCH by
 *        message number.
 */
typedef struct mw_imap_fetch_params {
    int uid;                /**< 1: UID FETCH */
    int changedsince;       /**< 1: "(CHANGEDSINCE modseq)" (RFC 7162 §3.1.4) */
    uint64_t modseq;        /**< the CHANGEDSINCE value (< 2^63) */
    int vanished;           /**< 1: also VANISHED (RFC 7162 §3.2.6; needs `uid` and `changedsince`) */
} mw_imap_fetch_params;

/** @name STORE modes (::mw_imap_store_params::mode)
 *  @{ */
#define MW_IMAP_CLIENT_STORE_SET 0    /**< FLAGS: replace */
#define MW_IMAP_CLIENT_STORE_ADD 1    /**< +FLAGS */
#define MW_IMAP_CLIENT_STORE_REMOVE 2 /**< -FLAGS */
/** @} */

/**
 * @brief A set of flags to send (STORE, APPEND): system flags as bits and
 *        keywords by name.
 */
typedef struct mw_imap_flag_set {
    unsigned system;               /**< MW_IMAP_FLAG_SEEN ... MW_IMAP_FLAG_DRAFT (not RECENT or WILDCARD) */
    const char *const *keywords;   /**< keywords (atoms; "$Forwarded"), or other flags starting with "\\" and an atom; NUL-terminated */
    size_t nkeywords;              /**< number of `keywords` */
} mw_imap_flag_set;

/**
 * @brief STORE parameters (RFC 9051 §6.4.6, RFC 7162 §3.1.3).
 */
typedef struct mw_imap_store_params {
    int uid;                  /**< 1: UID STORE */
    int mode;                 /**< MW_IMAP_CLIENT_STORE_SET, _ADD, _REMOVE */
    int silent;               /**< 1: .SILENT */
    mw_imap_flag_set flags;   /**< the flags (may be empty for SET: clears all) */
    int unchangedsince;       /**< 1: "(UNCHANGEDSINCE modseq)" */
    uint64_t modseq;          /**< the UNCHANGEDSINCE value (< 2^63) */
} mw_imap_store_params;

/**
 * @brief One message of an APPEND (RFC 9051 §6.3.12, RFC 3502, RFC 3516,
 *        RFC 6855 §4).
 */
typedef struct mw_imap_append_msg {
    const mw_imap_flag_set *flags;  /**< flags, or NULL for none */
    const mw_imap_datetime *date;   /**< internal date, or NULL for none */
    uint64_t size;                  /**< exact size of the message in bytes (< 2^63) */
    int binary;                     /**< 1: send as literal8 "~{n}" (RFC 3516: may hold NUL) */
    /** 1: send with the UTF8 data extension, `UTF8 (~{n}<bytes>)`
     *  (RFC 6855 §4), for a message with UTF-8 header fields: always a
     *  literal8 (`binary` need not be set); the closing ")" follows the
     *  data (mw_imap_client_append_next() or mw_imap_client_append_end()
     *  writes it). Only when the server advertises UTF8=ACCEPT or
     *  UTF8=ONLY (with the capabilities known, #MW_E_STATE otherwise);
     *  RFC 6855 §4 also wants ENABLE UTF8=ACCEPT before such header
     *  fields are sent (mw_imap_client_enabled()). */
    int utf8;
} mw_imap_append_msg;

/**
 * @brief One resource limit of SETQUOTA (RFC 9208 §4.2).
 */
typedef struct mw_imap_setquota_limit {
    const char *resource;   /**< resource name (an atom: "STORAGE", "MESSAGE"), NUL-terminated */
    uint64_t limit;         /**< the limit (< 2^63) */
} mw_imap_setquota_limit;

/** @} */

/* ====================================================================== */
/** @cond PRIVATE */
typedef struct mw__imap_pending {
    uint32_t num;     /* tag number (= handle) */
    uint8_t cmd;      /* mw_imap_cmd_id */
    uint8_t flags;    /* MW__IMAPC_PF_* */
    uint8_t reserved_[2];
} mw__imap_pending;
/** @endcond */

/**
 * @brief The client context. Place it anywhere (mw_imap_client_sizeof()
 *        bytes); every member is private.
 */
struct mw_imap_client {
    /** @cond PRIVATE */
    /* members the response parser (lib/imap/client_resp*.c) uses */
    mw_imap_client_callbacks cb;
    void *user;
    mw__imap_arena arena;
    mw__imap_framer framer;
    mw__imap_rstate resp;
    unsigned quirks;
    unsigned lexflags;
    unsigned max_depth;

    /* the machine (lib/imap/client.c) */
    mw_imap_caps caps;
    mw_error err;
    char *cmd;            /* command buffer (cmdbuf or the caller's) */
    size_t cmd_cap;
    size_t cmd_len;       /* bytes of the command being sent */
    size_t cmd_sent;      /* of which already sent */
    size_t cmd_skip;      /* literal bytes at cmd_sent (after a "+") */
    uint64_t lit_left;    /* APPEND: message bytes still to write */
    uint64_t lit_size;    /* APPEND: size of the current message */
    size_t sasl_a, sasl_b; /* AUTHENTICATE: stored responses in cmd */
    mw_sasl_step_fn step;
    void *step_user;
    uint32_t next_tag;
    uint32_t cur;         /* handle of the AUTHENTICATE/IDLE/APPEND in progress */
    uint32_t flags;       /* MW__IMAPC_F_* */
    uint8_t state;        /* mw_imap_state */
    uint8_t pstate;       /* the state once the pending commands succeed */
    uint8_t wait;         /* what a "+" is for (MW__IMAPC_W_*) */
    uint8_t mech;         /* AUTHENTICATE mechanism (MW__IMAPC_M_*) */
    uint8_t sasl_step;
    uint8_t enabled;      /* MW_IMAP_CLIENT_ENABLED_* */
    uint8_t npending;
    uint8_t max_pending;
    uint8_t prefix_len;
    uint8_t switching;    /* MW__IMAPC_SW_*: a switch point is due */
    uint8_t reserved_[2];
    char prefix[MW_IMAP_CLIENT_PREFIX_MAX];
    mw__imap_pending pending[MW_IMAP_CLIENT_PENDING];
    char cmdbuf[MW_IMAP_CLIENT_CMDBUF_SIZE];
    /** @endcond */
};

/* ====================================================================== */
/** @name Set-up and input
 *  @{ */

/**
 * @brief Size of ::mw_imap_client, for bindings that cannot include this
 *        header's struct definition.
 * @return sizeof(mw_imap_client).
 */
MW_API size_t mw_imap_client_sizeof(void);

/**
 * @brief Fill a configuration with the defaults (see each member).
 * @param cfg the configuration. Not NULL.
 */
MW_API void mw_imap_client_config_init(mw_imap_client_config *cfg);

/**
 * @brief Start a client session.
 *
 * The machine then waits for the greeting (#MW_IMAP_STATE_GREETING);
 * command functions return #MW_E_STATE until it is in.
 *
 * @param c       the context to fill. Not NULL.
 * @param cfg     the configuration (NULL for the defaults); copied, but
 *                `arena` and `cmdbuf` must outlive the client.
 * @param cb      the callbacks, copied; `send` is required.
 * @param user    passed to every callback.
 * @param buf     the frame buffer: holds a response cut by the end of a
 *                chunk fed; must outlive the client.
 * @param buf_len its size, at least 64 (#MW_IMAP_CLIENT_BUF_SIZE is the
 *                default response limit).
 * @return #MW_OK; #MW_E_INVAL (a NULL argument, no `send`, a bad tag
 *         prefix, a limit out of range, a buffer too small).
 */
MW_API int mw_imap_client_init(mw_imap_client *c,
                               const mw_imap_client_config *cfg,
                               const mw_imap_client_callbacks *cb, void *user,
                               char *buf, size_t buf_len);

/**
 * @brief Feed bytes received from the server.
 *
 * Responses are cut into frames (lines and literals) and parsed; the
 * callbacks fire as responses complete (and body sections stream as their
 * bytes arrive). Any chunking gives the same callbacks.
 *
 * @param c        the client. Not NULL.
 * @param in       the bytes; may be NULL when `len` is 0.
 * @param len      their number.
 * @param consumed receives the number of bytes used (always set unless
 *                 `c` is NULL); feed the rest again after #MW_PAUSED.
 *                 May be NULL.
 * @return #MW_OK (all consumed); #MW_PAUSED (a callback paused);
 *         #MW_DONE (the session ended: LOGOUT completed or BYE);
 *         fatal: #MW_E_INJECTION, #MW_E_STATE, #MW_E_SYNTAX,
 *         #MW_E_SEQUENCE, #MW_E_CALLBACK (see @ref imapc_errors);
 *         #MW_E_CLOSED after the end; #MW_E_INVAL for NULL `c`, or `in`
 *         NULL with `len` > 0.
 */
MW_API int mw_imap_client_feed(mw_imap_client *c, const char *in, size_t len,
                               size_t *consumed);

/**
 * @brief The server closed the connection.
 * @param c the client. Not NULL.
 * @return #MW_OK when the session had ended (LOGOUT or BYE);
 *         #MW_E_INCOMPLETE when commands were still pending or a response
 *         was cut (reported to `error`); #MW_E_INVAL for NULL.
 *         The session is over either way.
 */
MW_API int mw_imap_client_eof(mw_imap_client *c);

/**
 * @brief What the machine waits for: MW_IMAP_CLIENT_WANT_* bits.
 * @param c the client. Not NULL.
 * @return the bits (#MW_IMAP_CLIENT_WANT_CLOSED for NULL).
 */
MW_API unsigned mw_imap_client_want(const mw_imap_client *c);

/**
 * @brief The last error recorded (fatal or reported to `error`).
 * @param c   the client. Not NULL.
 * @param err receives code, stream offset and reason (MW_OK when none).
 *            Not NULL.
 * @return the code; #MW_E_INVAL for NULL arguments.
 */
MW_API int mw_imap_client_error(const mw_imap_client *c, mw_error *err);

/**
 * @brief The connection state (RFC 9051 §3) as the responses so far made
 *        it.
 * @param c the client. Not NULL.
 * @return an ::mw_imap_state (#MW_IMAP_STATE_LOGOUT for NULL).
 */
MW_API int mw_imap_client_state(const mw_imap_client *c);

/**
 * @brief The server's capabilities as last announced (CAPABILITY response
 *        or [CAPABILITY] code).
 * @param c the client. Not NULL.
 * @return the capabilities, or NULL when none are known (before any, and
 *         after STARTTLS until the next announcement). Valid until the
 *         next feed or mw_imap_client_tls_done().
 */
MW_API const mw_imap_caps *mw_imap_client_caps(const mw_imap_client *c);

/**
 * @brief The extensions the server reported ENABLED.
 * @param c the client. Not NULL.
 * @return MW_IMAP_CLIENT_ENABLED_* bits (0 for NULL).
 */
MW_API unsigned mw_imap_client_enabled(const mw_imap_client *c);

/**
 * @brief Commands awaiting their tagged completion.
 * @param c the client. Not NULL.
 * @return the count (0 for NULL).
 */
MW_API unsigned mw_imap_client_pending(const mw_imap_client *c);

/**
 * @brief The TLS handshake after STARTTLS succeeded: forget the
 *        capabilities and read on (through TLS).
 * @param c the client. Not NULL.
 * @return #MW_OK; #MW_E_STATE when no handshake is due; #MW_E_INVAL.
 */
MW_API int mw_imap_client_tls_done(mw_imap_client *c);

/**
 * @brief DEFLATE is on after COMPRESS (RFC 4978 §3): read on (inflated).
 * @param c the client. Not NULL.
 * @return #MW_OK; #MW_E_STATE when no switch is due; #MW_E_INVAL.
 */
MW_API int mw_imap_client_compress_done(mw_imap_client *c);

/** @} */

/* ====================================================================== */
/** @name Commands valid in any state (RFC 9051 §6.1)
 *  Every command function takes `handle`: NULL, or where the command's
 *  handle goes (the number in its tag, reported with its completion in
 *  ::mw_imap_status::handle). They return #MW_OK or an error and send
 *  nothing (see @ref imapc_errors).
 *  @{ */

/**
 * @brief CAPABILITY (RFC 9051 §6.1.1).
 * @param c      the client. Not NULL.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_capability(mw_imap_client *c, uint32_t *handle);

/**
 * @brief NOOP (RFC 9051 §6.1.2).
 * @param c      the client. Not NULL.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_noop(mw_imap_client *c, uint32_t *handle);

/**
 * @brief LOGOUT (RFC 9051 §6.1.3). Nothing may follow it.
 * @param c      the client. Not NULL.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_logout(mw_imap_client *c, uint32_t *handle);

/**
 * @brief ID (RFC 2971 §3.1): the client's identification, or NIL.
 * @param c      the client. Not NULL.
 * @param fields field names (strings of at most 30 bytes, no CR/LF/NUL);
 *               may be NULL when `n` is 0.
 * @param values their values (nstring: a NULL `ptr` sends NIL; at most
 *               1024 bytes); may be NULL when `n` is 0.
 * @param n      number of pairs, at most 30; 0 sends "ID NIL".
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_id(mw_imap_client *c, const mw_span *fields,
                             const mw_span *values, size_t n,
                             uint32_t *handle);

/**
 * @brief Any command the library does not format itself: "tag " + `text`
 *        + CRLF.
 *
 * `text` is the command name and its arguments, checked only for CR, LF
 * and NUL (so literals cannot be used). `cmd` is the id reported with the
 * completion and decides state changes as for the library's own
 * formatting; commands that need the machine's help (STARTTLS,
 * AUTHENTICATE, IDLE, COMPRESS, APPEND, LOGOUT) are refused.
 *
 * @param c      the client. Not NULL.
 * @param text   the command text; non-empty.
 * @param n      its length.
 * @param cmd    an ::mw_imap_cmd_id, or #MW_IMAP_CMD_OTHER.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_command(mw_imap_client *c, const char *text,
                                  size_t n, int cmd, uint32_t *handle);

/** @} */

/* ====================================================================== */
/** @name Not authenticated state (RFC 9051 §6.2)
 *  @{ */

/**
 * @brief STARTTLS (RFC 9051 §6.2.1). Only with no other command pending.
 *
 * With `require_tls`, known capabilities without STARTTLS end the session
 * (#MW_E_STATE, fatal). See @ref imapc_tls.
 *
 * @param c      the client. Not NULL.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors; also #MW_E_STATE when TLS is already up
 *         or the server does not offer STARTTLS.
 */
MW_API int mw_imap_client_starttls(mw_imap_client *c, uint32_t *handle);

/**
 * @brief LOGIN user password (RFC 9051 §6.2.3), each as atom, quoted
 *        string or literal.
 *
 * Refused (#MW_E_STATE) when the server announced LOGINDISABLED, or TLS is
 * required and not up.
 *
 * @param c      the client. Not NULL.
 * @param user   the user name (no NUL); may be NULL when `ulen` is 0.
 * @param ulen   its length.
 * @param pass   the password (no NUL); may be NULL when `plen` is 0.
 * @param plen   its length.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_login(mw_imap_client *c, const char *user,
                                size_t ulen, const char *pass, size_t plen,
                                uint32_t *handle);

/**
 * @brief AUTHENTICATE PLAIN (RFC 4616), with SASL-IR when offered.
 * @param c       the client. Not NULL.
 * @param authzid authorization identity (may be empty).
 * @param zlen    its length.
 * @param user    authentication identity, non-empty.
 * @param ulen    its length.
 * @param pass    the password, non-empty.
 * @param plen    its length.
 * @param handle  receives the command's handle; may be NULL.
 * @return see @ref imapc_errors; #MW_E_INVAL as mw_sasl_plain_encode().
 */
MW_API int mw_imap_client_authenticate_plain(mw_imap_client *c,
                                             const char *authzid, size_t zlen,
                                             const char *user, size_t ulen,
                                             const char *pass, size_t plen,
                                             uint32_t *handle);

/**
 * @brief AUTHENTICATE LOGIN: the user name and the password answer the
 *        server's two challenges, in order.
 * @param c      the client. Not NULL.
 * @param user   the user name, non-empty, no NUL.
 * @param ulen   its length.
 * @param pass   the password, no NUL.
 * @param plen   its length.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_authenticate_login(mw_imap_client *c,
                                             const char *user, size_t ulen,
                                             const char *pass, size_t plen,
                                             uint32_t *handle);

/**
 * @brief AUTHENTICATE XOAUTH2 (Google, Microsoft), with SASL-IR when
 *        offered; an error challenge is answered with an empty line.
 * @param c      the client. Not NULL.
 * @param user   the account, non-empty.
 * @param ulen   its length.
 * @param token  the OAuth 2.0 access token (RFC 6750 b64token).
 * @param tlen   its length.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors; #MW_E_INVAL as mw_sasl_xoauth2_encode().
 */
MW_API int mw_imap_client_authenticate_xoauth2(mw_imap_client *c,
                                               const char *user, size_t ulen,
                                               const char *token, size_t tlen,
                                               uint32_t *handle);

/**
 * @brief AUTHENTICATE OAUTHBEARER (RFC 7628), with SASL-IR when offered;
 *        an error challenge is answered with 0x01 ("AQ==").
 * @param c       the client. Not NULL.
 * @param authzid the identity to act as (may be empty).
 * @param alen    its length.
 * @param host    the server host name (may be empty).
 * @param hlen    its length.
 * @param port    the server port, or 0 to omit it.
 * @param token   the access token (RFC 6750 b64token).
 * @param tlen    its length.
 * @param handle  receives the command's handle; may be NULL.
 * @return see @ref imapc_errors; #MW_E_INVAL as
 *         mw_sasl_oauthbearer_encode().
 */
MW_API int mw_imap_client_authenticate_oauthbearer(
    mw_imap_client *c, const char *authzid, size_t alen, const char *host,
    size_t hlen, unsigned port, const char *token, size_t tlen,
    uint32_t *handle);

/**
 * @brief AUTHENTICATE CRAM-MD5 (RFC 2195): the server's challenge is
 *        answered with "user HMAC-MD5(secret, challenge)". The secret is
 *        kept in the command buffer until the challenge comes, then wiped.
 * @param c      the client. Not NULL.
 * @param user   the user name, non-empty, no NUL, CR or LF.
 * @param ulen   its length.
 * @param secret the shared secret.
 * @param slen   its length.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_authenticate_cram_md5(mw_imap_client *c,
                                                const char *user, size_t ulen,
                                                const char *secret,
                                                size_t slen, uint32_t *handle);

/**
 * @brief AUTHENTICATE with any mechanism.
 *
 * With a `step` hook (sasl.h ::mw_sasl_step_fn) the machine runs the
 * exchange: the hook is asked for an initial response (sent with SASL-IR
 * when offered, else after the first "+"), then for a response to each
 * decoded challenge. With `step` NULL the application runs it: each
 * challenge reaches the `continuation` callback (base64 text) and is
 * answered with mw_imap_client_auth_respond() or mw_imap_client_auth_cancel().
 *
 * @param c         the client. Not NULL.
 * @param mech      the mechanism name (1..20 upper-case letters, digits,
 *                  "-" and "_", RFC 4422 §3.1), NUL-terminated.
 * @param step      the mechanism hook, or NULL.
 * @param step_user passed to the hook.
 * @param handle    receives the command's handle; may be NULL.
 * @return see @ref imapc_errors; the hook's negative status when it
 *         fails on the first call.
 */
MW_API int mw_imap_client_authenticate(mw_imap_client *c, const char *mech,
                                       mw_sasl_step_fn step, void *step_user,
                                       uint32_t *handle);

/**
 * @brief Answer an AUTHENTICATE challenge (application-driven SASL).
 * @param c   the client. Not NULL.
 * @param b64 the response in base64 (RFC 4648 alphabet), possibly empty.
 * @param n   its length.
 * @return #MW_OK; #MW_E_STATE when no challenge awaits an answer;
 *         #MW_E_INVAL for a character outside base64; #MW_E_CALLBACK.
 */
MW_API int mw_imap_client_auth_respond(mw_imap_client *c, const char *b64,
                                       size_t n);

/**
 * @brief Cancel an AUTHENTICATE exchange ("*", RFC 9051 §6.2.2); the
 *        server answers with a tagged BAD.
 * @param c the client. Not NULL.
 * @return #MW_OK; #MW_E_STATE when no exchange is running; #MW_E_CALLBACK.
 */
MW_API int mw_imap_client_auth_cancel(mw_imap_client *c);

/** @} */

/* ====================================================================== */
/** @name Authenticated state (RFC 9051 §6.3)
 *  @{ */

/**
 * @brief ENABLE (RFC 5161): turn extensions on. The ENABLED response
 *        updates mw_imap_client_enabled() (and for UTF8=ACCEPT and
 *        IMAP4rev2 the way strings are parsed and mailbox names sent).
 * @param c      the client. Not NULL.
 * @param names  capability names (atoms), NUL-terminated. Not NULL.
 * @param n      number of names, >= 1.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_enable(mw_imap_client *c, const char *const *names,
                                 size_t n, uint32_t *handle);

/**
 * @brief SELECT mailbox [(CONDSTORE | QRESYNC (...))] (RFC 9051 §6.3.2,
 *        RFC 7162).
 * @param c      the client. Not NULL.
 * @param mbox   the mailbox name (UTF-8, see @ref imapc_strings).
 * @param mlen   its length.
 * @param p      parameters, or NULL.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_select(mw_imap_client *c, const char *mbox,
                                 size_t mlen, const mw_imap_select_params *p,
                                 uint32_t *handle);

/**
 * @brief EXAMINE: SELECT read-only (RFC 9051 §6.3.3).
 * @param c      the client. Not NULL.
 * @param mbox   the mailbox name.
 * @param mlen   its length.
 * @param p      parameters, or NULL.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_examine(mw_imap_client *c, const char *mbox,
                                  size_t mlen, const mw_imap_select_params *p,
                                  uint32_t *handle);

/**
 * @brief CREATE mailbox (RFC 9051 §6.3.4).
 * @param c      the client. Not NULL.
 * @param mbox   the mailbox name.
 * @param mlen   its length.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_create(mw_imap_client *c, const char *mbox,
                                 size_t mlen, uint32_t *handle);

/**
 * @brief DELETE mailbox (RFC 9051 §6.3.5).
 * @param c      the client. Not NULL.
 * @param mbox   the mailbox name.
 * @param mlen   its length.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_delete(mw_imap_client *c, const char *mbox,
                                 size_t mlen, uint32_t *handle);

/**
 * @brief RENAME old new (RFC 9051 §6.3.6).
 * @param c      the client. Not NULL.
 * @param from   the existing name.
 * @param flen   its length.
 * @param to     the new name.
 * @param tlen   its length.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_rename(mw_imap_client *c, const char *from,
                                 size_t flen, const char *to, size_t tlen,
                                 uint32_t *handle);

/**
 * @brief SUBSCRIBE mailbox (RFC 9051 §6.3.7).
 * @param c      the client. Not NULL.
 * @param mbox   the mailbox name.
 * @param mlen   its length.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_subscribe(mw_imap_client *c, const char *mbox,
                                    size_t mlen, uint32_t *handle);

/**
 * @brief UNSUBSCRIBE mailbox (RFC 9051 §6.3.8).
 * @param c      the client. Not NULL.
 * @param mbox   the mailbox name.
 * @param mlen   its length.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_unsubscribe(mw_imap_client *c, const char *mbox,
                                      size_t mlen, uint32_t *handle);

/**
 * @brief LIST [(selection)] reference pattern(s) [RETURN (options)]
 *        (RFC 9051 §6.3.9, RFC 5258, RFC 5819, RFC 6154).
 *
 * Patterns are mailbox names that may hold the wildcards "%" and "*";
 * they are encoded as mailbox names are.
 *
 * @param c       the client. Not NULL.
 * @param ref     the reference name (often empty).
 * @param rlen    its length.
 * @param pattern the pattern (ignored when `p` gives `patterns`).
 * @param plen    its length.
 * @param p       LIST-EXTENDED parameters, or NULL.
 * @param handle  receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_list(mw_imap_client *c, const char *ref,
                               size_t rlen, const char *pattern, size_t plen,
                               const mw_imap_list_params *p,
                               uint32_t *handle);

/**
 * @brief LSUB reference pattern (RFC 3501 §6.3.9; IMAP4rev1 only).
 * @param c       the client. Not NULL.
 * @param ref     the reference name.
 * @param rlen    its length.
 * @param pattern the pattern.
 * @param plen    its length.
 * @param handle  receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_lsub(mw_imap_client *c, const char *ref,
                               size_t rlen, const char *pattern, size_t plen,
                               uint32_t *handle);

/**
 * @brief NAMESPACE (RFC 9051 §6.3.10, RFC 2342).
 * @param c      the client. Not NULL.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_namespace(mw_imap_client *c, uint32_t *handle);

/**
 * @brief STATUS mailbox (items) (RFC 9051 §6.3.11).
 * @param c      the client. Not NULL.
 * @param mbox   the mailbox name.
 * @param mlen   its length.
 * @param items  MW_IMAP_STATUS_* bits (imap_response.h), at least one, not
 *               #MW_IMAP_STATUS_OTHER.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_status(mw_imap_client *c, const char *mbox,
                                 size_t mlen, unsigned items,
                                 uint32_t *handle);

/**
 * @brief APPEND mailbox [(flags)] [date] {size} — the first message
 *        (RFC 9051 §6.3.12; `UTF8 (~{size}` ... `)` with
 *        ::mw_imap_append_msg::utf8, RFC 6855 §4). See @ref imapc_literal.
 * @param c      the client. Not NULL.
 * @param mbox   the mailbox name.
 * @param mlen   its length.
 * @param m      the message's flags, date and size. Not NULL.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_append(mw_imap_client *c, const char *mbox,
                                 size_t mlen, const mw_imap_append_msg *m,
                                 uint32_t *handle);

/**
 * @brief Write message data of the APPEND in progress (or of its
 *        CATENATE TEXT part): sent as it is, with one `send` call.
 * @param c the client. Not NULL.
 * @param p the bytes; may be NULL when `n` is 0.
 * @param n their number; at most what is left of the message.
 * @return #MW_OK; #MW_E_STATE when no data is due
 *         (no message literal is open); #MW_E_INVAL (more than is
 *         left, NUL in a non-binary message); #MW_E_CALLBACK.
 */
MW_API int mw_imap_client_append_data(mw_imap_client *c, const char *p,
                                      size_t n);

/**
 * @brief After a message's data (or a CATENATE message's last part,
 *        then ")" is written first): another message in the same APPEND
 *        (MULTIAPPEND, RFC 3502).
 * @param c the client. Not NULL.
 * @param m the next message. Not NULL.
 * @return #MW_OK; #MW_E_STATE (data still due, no APPEND, a CATENATE
 *         message without parts, MULTIAPPEND not offered); #MW_E_INVAL;
 *         #MW_E_NOSPACE; #MW_E_CALLBACK.
 */
MW_API int mw_imap_client_append_next(mw_imap_client *c,
                                      const mw_imap_append_msg *m);

/**
 * @brief After the last message's data (or a CATENATE message's last
 *        part, then ")" is written first): end the APPEND command (CRLF).
 * @param c the client. Not NULL.
 * @return #MW_OK; #MW_E_STATE (data still due, no APPEND, a CATENATE
 *         message without parts); #MW_E_NOSPACE (only while the command's
 *         head waits for the "+" of its mailbox name and the command
 *         buffer is full); #MW_E_CALLBACK.
 */
MW_API int mw_imap_client_append_end(mw_imap_client *c);

/**
 * @brief APPEND mailbox [(flags)] [date] CATENATE ( — the first message,
 *        built by the server from the parts that follow (RFC 4469 §5).
 *        See @ref imapc_literal.
 *
 * Sends the command up to the "(" (the rest of it when the server gives
 * the "+" of a mailbox name sent as a synchronising literal; parts may be
 * written meanwhile). Then at least one part
 * (mw_imap_client_catenate_url(), mw_imap_client_catenate_text()); then
 * mw_imap_client_append_next(), mw_imap_client_catenate_next() or
 * mw_imap_client_append_end(), which write the ")".
 *
 * @param c      the client. Not NULL.
 * @param mbox   the mailbox name.
 * @param mlen   its length.
 * @param flags  the message's flags, or NULL for none.
 * @param date   its internal date, or NULL for none.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors; #MW_E_STATE also when the server's
 *         capabilities are known and lack CATENATE (with none known the
 *         command is sent).
 */
MW_API int mw_imap_client_catenate(mw_imap_client *c, const char *mbox,
                                   size_t mlen, const mw_imap_flag_set *flags,
                                   const mw_imap_datetime *date,
                                   uint32_t *handle);

/**
 * @brief After a complete message (its data written, or a CATENATE
 *        message with at least one part): another message in the same
 *        APPEND, built from parts (MULTIAPPEND, RFC 3502; CATENATE,
 *        RFC 4469): writes [")"] [SP (flags)] [SP date] ` CATENATE (`.
 * @param c     the client. Not NULL.
 * @param flags the message's flags, or NULL for none.
 * @param date  its internal date, or NULL for none.
 * @return #MW_OK; #MW_E_STATE (no APPEND, data still due, a CATENATE
 *         message without parts, MULTIAPPEND or CATENATE not offered
 *         while the capabilities are known); #MW_E_INVAL (a bad flag);
 *         #MW_E_NOSPACE; #MW_E_CLOSED; #MW_E_CALLBACK.
 */
MW_API int mw_imap_client_catenate_next(mw_imap_client *c,
                                        const mw_imap_flag_set *flags,
                                        const mw_imap_datetime *date);

/**
 * @brief A URL part of the CATENATE message in progress: `URL "url"`
 *        (RFC 4469 §5). Sent at once; nothing to wait for.
 *
 * The URL is always sent as a quoted string (as in RFC 4469's examples),
 * so it never needs a literal: it must be 1 to 1024 bytes of printable
 * US-ASCII (0x20-0x7E), as an IMAP URL is (RFC 5092 percent-encodes
 * anything else). The machine does not check its syntax: the server
 * answers `NO [BADURL url]` for a URL it cannot use.
 *
 * @param c   the client. Not NULL.
 * @param url the URL (e.g. "/INBOX;UIDVALIDITY=385759045/;UID=20"),
 *            not NUL-terminated.
 * @param len its length.
 * @return #MW_OK; #MW_E_INVAL (NULL, empty, longer than 1024 bytes, a
 *         byte outside 0x20-0x7E: CR, LF, NUL, 8-bit); #MW_E_STATE (no
 *         CATENATE message open, or the TEXT part before still awaits its
 *         "+" or has data due); #MW_E_NOSPACE; #MW_E_CLOSED;
 *         #MW_E_CALLBACK.
 */
MW_API int mw_imap_client_catenate_url(mw_imap_client *c, const char *url,
                                       size_t len);

/**
 * @brief A TEXT part of the CATENATE message in progress: `TEXT {size}`
 *        (RFC 4469 §5), then its bytes.
 *
 * The literal is synchronising or not by the rules of every literal
 * (`{size+}` with LITERAL+, or LITERAL- and at most 4096 bytes, unless
 * #MW_IMAP_CLIENT_NO_LITERAL_PLUS). When the server accepts it (its "+",
 * or at once) `literal_ready` fires with `size` and
 * #MW_IMAP_CLIENT_WANT_LITERAL is set: write exactly `size` bytes with
 * mw_imap_client_append_data(), then the next part or the end of the
 * message. A tagged NO instead of the "+" ends the APPEND. The part is
 * a plain literal, never a literal8 (RFC 4469 §5 defines no other; a
 * mailwire server refuses `TEXT ~{n}`): the bytes may not hold NUL
 * (encode binary content, e.g. base64, in the text).
 *
 * @param c    the client. Not NULL.
 * @param size the part's exact size in bytes (< 2^63; 0 is allowed).
 * @return #MW_OK; #MW_E_INVAL (NULL, size too large); #MW_E_STATE (no
 *         CATENATE message open, or the TEXT part before still awaits its
 *         "+" or has data due); #MW_E_NOSPACE; #MW_E_CLOSED;
 *         #MW_E_CALLBACK.
 */
MW_API int mw_imap_client_catenate_text(mw_imap_client *c, uint64_t size);

/**
 * @brief IDLE (RFC 9051 §6.3.13, RFC 2177). The server's "+" reaches the
 *        `continuation` callback; untagged responses arrive as usual
 *        until mw_imap_client_idle_done().
 * @param c      the client. Not NULL.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_idle(mw_imap_client *c, uint32_t *handle);

/**
 * @brief End IDLE: DONE (sent when the server's "+" has come, else as
 *        soon as it comes). The IDLE's tagged completion follows.
 * @param c the client. Not NULL.
 * @return #MW_OK; #MW_E_STATE when not idling (or DONE was sent);
 *         #MW_E_CALLBACK.
 */
MW_API int mw_imap_client_idle_done(mw_imap_client *c);

/**
 * @brief COMPRESS DEFLATE (RFC 4978). See @ref imapc_tls. Only with no
 *        other command pending.
 * @param c      the client. Not NULL.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_compress(mw_imap_client *c, uint32_t *handle);

/**
 * @brief GETQUOTA root (RFC 9208 §4.2).
 * @param c      the client. Not NULL.
 * @param root   the quota root (may be empty).
 * @param rlen   its length.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_getquota(mw_imap_client *c, const char *root,
                                   size_t rlen, uint32_t *handle);

/**
 * @brief GETQUOTAROOT mailbox (RFC 9208 §4.3).
 * @param c      the client. Not NULL.
 * @param mbox   the mailbox name.
 * @param mlen   its length.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_getquotaroot(mw_imap_client *c, const char *mbox,
                                       size_t mlen, uint32_t *handle);

/**
 * @brief SETQUOTA root (resource limit ...) (RFC 9208 §4.4).
 * @param c      the client. Not NULL.
 * @param root   the quota root (may be empty).
 * @param rlen   its length.
 * @param limits the limits; may be NULL when `n` is 0 (removes them all).
 * @param n      number of limits.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_setquota(mw_imap_client *c, const char *root,
                                   size_t rlen,
                                   const mw_imap_setquota_limit *limits,
                                   size_t n, uint32_t *handle);

/** @} */

/* ====================================================================== */
/** @name Selected state (RFC 9051 §6.4)
 *  @{ */

/**
 * @brief CHECK (RFC 3501 §6.4.1; IMAP4rev1 only).
 * @param c      the client. Not NULL.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_check(mw_imap_client *c, uint32_t *handle);

/**
 * @brief CLOSE (RFC 9051 §6.4.1): expunge and leave the mailbox.
 * @param c      the client. Not NULL.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_close(mw_imap_client *c, uint32_t *handle);

/**
 * @brief UNSELECT (RFC 9051 §6.4.2, RFC 3691): leave without expunging.
 * @param c      the client. Not NULL.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_unselect(mw_imap_client *c, uint32_t *handle);

/**
 * @brief EXPUNGE (RFC 9051 §6.4.3).
 * @param c      the client. Not NULL.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_expunge(mw_imap_client *c, uint32_t *handle);

/**
 * @brief UID EXPUNGE uid-set (RFC 9051 §6.4.9, RFC 4315).
 * @param c      the client. Not NULL.
 * @param uids   the UIDs. Not NULL.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_uid_expunge(mw_imap_client *c,
                                      const mw_imap_seqset *uids,
                                      uint32_t *handle);

/**
 * @brief [UID] SEARCH [RETURN (...)] [CHARSET x] keys (RFC 9051 §6.4.4,
 *        RFC 4731, RFC 5182).
 *
 * Without a charset, a string holding 8-bit bytes makes the command send
 * "CHARSET UTF-8" (IMAP4rev1 requires it), unless UTF8=ACCEPT or
 * IMAP4rev2 is enabled.
 *
 * @param c      the client. Not NULL.
 * @param q      the search program (complete). Not NULL.
 * @param p      parameters, or NULL.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors; #MW_E_INVAL for an incomplete program.
 */
MW_API int mw_imap_client_search(mw_imap_client *c, const mw_imap_query *q,
                                 const mw_imap_search_params *p,
                                 uint32_t *handle);

/**
 * @brief [UID] SORT (criteria) charset keys (RFC 5256 §3).
 * @param c        the client. Not NULL.
 * @param criteria MW_IMAP_CLIENT_SORT_* values, each optionally with
 *                 #MW_IMAP_CLIENT_SORT_REVERSE. Not NULL.
 * @param n        number of criteria, >= 1.
 * @param q        the search program. Not NULL.
 * @param p        parameters (uid, charset; default "UTF-8"), or NULL.
 * @param handle   receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_sort(mw_imap_client *c, const int *criteria,
                               size_t n, const mw_imap_query *q,
                               const mw_imap_search_params *p,
                               uint32_t *handle);

/**
 * @brief [UID] THREAD algorithm charset keys (RFC 5256 §3).
 * @param c         the client. Not NULL.
 * @param algorithm the algorithm atom ("REFERENCES", "ORDEREDSUBJECT"),
 *                  NUL-terminated.
 * @param q         the search program. Not NULL.
 * @param p         parameters (uid, charset; default "UTF-8"), or NULL.
 * @param handle    receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_thread(mw_imap_client *c, const char *algorithm,
                                 const mw_imap_query *q,
                                 const mw_imap_search_params *p,
                                 uint32_t *handle);

/**
 * @brief [UID] FETCH set items [(CHANGEDSINCE n [VANISHED])]
 *        (RFC 9051 §6.4.5, RFC 7162).
 * @param c      the client. Not NULL.
 * @param set    the messages (UIDs with `p->uid`). Not NULL.
 * @param items  the items (at least one). Not NULL.
 * @param p      parameters, or NULL.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_fetch(mw_imap_client *c, const mw_imap_seqset *set,
                                const mw_imap_items *items,
                                const mw_imap_fetch_params *p,
                                uint32_t *handle);

/**
 * @brief [UID] STORE set [(UNCHANGEDSINCE n)] [+|-]FLAGS[.SILENT]
 *        (flags) (RFC 9051 §6.4.6, RFC 7162).
 * @param c      the client. Not NULL.
 * @param set    the messages. Not NULL.
 * @param p      what to store. Not NULL.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_store(mw_imap_client *c, const mw_imap_seqset *set,
                                const mw_imap_store_params *p,
                                uint32_t *handle);

/**
 * @brief [UID] COPY set mailbox (RFC 9051 §6.4.7).
 * @param c      the client. Not NULL.
 * @param uid    1: UID COPY.
 * @param set    the messages. Not NULL.
 * @param mbox   the destination mailbox.
 * @param mlen   its length.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_copy(mw_imap_client *c, int uid,
                               const mw_imap_seqset *set, const char *mbox,
                               size_t mlen, uint32_t *handle);

/**
 * @brief [UID] MOVE set mailbox (RFC 9051 §6.4.8, RFC 6851).
 * @param c      the client. Not NULL.
 * @param uid    1: UID MOVE.
 * @param set    the messages. Not NULL.
 * @param mbox   the destination mailbox.
 * @param mlen   its length.
 * @param handle receives the command's handle; may be NULL.
 * @return see @ref imapc_errors.
 */
MW_API int mw_imap_client_move(mw_imap_client *c, int uid,
                               const mw_imap_seqset *set, const char *mbox,
                               size_t mlen, uint32_t *handle);

/** @} */

#ifdef __cplusplus
}
#endif

#endif
