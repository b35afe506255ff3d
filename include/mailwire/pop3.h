/* SPDX-License-Identifier: MIT */
/**
 * @file pop3.h
 * @brief POP3 (RFC 1939) server and client machines, with CAPA and the
 *        extended response codes (RFC 2449), AUTH (RFC 5034), STLS
 *        (RFC 2595), the SYS and AUTH codes (RFC 3206) and UTF8 (RFC 6856).
 *
 * Both machines are sans-IO: the application feeds the bytes it received
 * with a `feed` function and sends what the machine hands to its `send`
 * callback. Nothing allocates; contexts are placed by the caller.
 *
 * The first part of this header (command and response-code enums, the
 * capability set, limits, `want` bits) is shared by both roles. The server
 * part is present when the build has the server (`MW_ENABLE_POP3_SERVER` in
 * features.h), the client part when it has the client
 * (`MW_ENABLE_POP3_CLIENT`): a program that uses a role the library was
 * built without fails to compile rather than to link.
 *
 * ## Server lifecycle
 *
 * 1. Place an ::mw_pop3_server (or mw_pop3_server_sizeof() bytes) and a
 *    line buffer of #MW_POP3_SERVER_LINEBUF_SIZE bytes (or the
 *    ::mw_pop3_server_config::max_auth_line you configure);
 *    mw_pop3_server_config_init(), adjust, mw_pop3_server_init().
 * 2. mw_pop3_server_start() (or mw_pop3_server_start_apop()) sends the
 *    greeting.
 * 3. Feed received bytes with mw_pop3_server_feed(). Each command reaches
 *    the `command` callback; answer it with one of the reply functions,
 *    inside the callback or later. While a reply is owed, feed consumes
 *    nothing more and returns #MW_PAUSED (or #MW_OK when it had used all its
 *    input); feed the rest again once you have answered. Commands that are
 *    malformed, unknown or not allowed in the current state are answered by
 *    the machine with `-ERR` and reported to the `error` callback. CAPA is
 *    answered by the machine from the configuration.
 * 4. Multi-line answers (RETR, TOP, LIST, UIDL): mw_pop3_server_reply_begin()
 *    then mw_pop3_server_write() the message in chunks of any size (or
 *    mw_pop3_server_scan_listing() / mw_pop3_server_uid_listing() per
 *    entry), then mw_pop3_server_reply_end(). The machine dot-stuffs, ends
 *    every line with CRLF and sends the final ".". For TOP, write the whole
 *    message: the machine sends the header, the blank line and the
 *    requested number of body lines, and mw_pop3_server_write() returns
 *    #MW_DONE once it needs no more.
 * 5. STLS: answer `+OK`; bytes the client sent behind the command are
 *    discarded and reported (`error` with #MW_E_TLS_LEFTOVER); mw_pop3_server_want() shows
 *    #MW_POP3_WANT_TLS until you call mw_pop3_server_tls_done().
 * 6. After QUIT is answered, feed returns #MW_DONE; the session is over
 *    (#MW_POP3_WANT_CLOSED).
 *
 * @code
 * static int on_send(mw_pop3_server *s, void *u, const char *p, size_t n)
 * { (void)s; return write_all(*(int *)u, p, n) == 0 ? 0 : -1; }
 *
 * static int on_command(mw_pop3_server *s, void *u, const mw_pop3_cmd *c)
 * {
 *     (void)u;
 *     switch (c->id) {
 *     case MW_POP3_CMD_USER: return mw_pop3_server_reply(s, 1, 0, NULL);
 *     case MW_POP3_CMD_PASS: return mw_pop3_server_reply(s, 1, 0, "ready");
 *     case MW_POP3_CMD_STAT: return mw_pop3_server_reply_stat(s, 1, 120);
 *     case MW_POP3_CMD_RETR:
 *         mw_pop3_server_reply_begin(s, "120 octets");
 *         mw_pop3_server_write(s, msg, msg_len);   // any number of chunks
 *         return mw_pop3_server_reply_end(s);
 *     case MW_POP3_CMD_QUIT: return mw_pop3_server_reply(s, 1, 0, "bye");
 *     default: return mw_pop3_server_reply(s, 0, 0, "not supported");
 *     }
 * }
 *
 * mw_pop3_server srv;
 * char line[MW_POP3_SERVER_LINEBUF_SIZE];
 * mw_pop3_server_config cfg;
 * mw_pop3_server_callbacks cb = {0};
 * cb.send = on_send;
 * cb.command = on_command;
 * mw_pop3_server_config_init(&cfg);
 * mw_pop3_server_init(&srv, &cfg, &cb, &fd, line, sizeof line);
 * mw_pop3_server_start(&srv, "POP3 ready");
 * while (!(mw_pop3_server_want(&srv) & MW_POP3_WANT_CLOSED)) {
 *     size_t n = read(fd, buf, sizeof buf), used;
 *     if (n == 0) { mw_pop3_server_eof(&srv); break; }
 *     mw_pop3_server_feed(&srv, buf, n, &used);   // replies given inline
 * }
 * @endcode
 *
 * ## Client lifecycle
 *
 * 1. Place an ::mw_pop3_client and a buffer of
 *    #MW_POP3_CLIENT_LINEBUF_SIZE bytes; mw_pop3_client_config_init(),
 *    mw_pop3_client_init().
 * 2. Feed what the server sends with mw_pop3_client_feed(). The greeting
 *    and every reply's status line reach the `reply` callback (with STAT,
 *    LIST n and UIDL n values parsed); lines of multi-line answers reach
 *    `listing` (LIST, UIDL) or `capability` (CAPA); RETR and TOP bodies
 *    reach `data`, unstuffed, in chunks; `end` closes each multi-line
 *    answer.
 * 3. Send commands with the mw_pop3_client_* command functions when
 *    mw_pop3_client_want() has #MW_POP3_WANT_SEND. Without PIPELINING in
 *    the server's CAPA, one command at a time; with it, up to
 *    ::mw_pop3_client_config::max_pipeline, and replies are matched in
 *    order.
 * 4. STLS: after `+OK`, call mw_pop3_client_tls_done() once TLS is up,
 *    then CAPA again (the capabilities were forgotten). Bytes that arrive
 *    behind the `+OK` end the session (response injection).
 *
 * @code
 * static int on_reply(mw_pop3_client *c, void *u, const mw_pop3_reply *r)
 * {
 *     (void)u;
 *     if (r->cmd == MW_POP3_CMD_NONE && r->ok)      // the greeting
 *         return mw_pop3_client_user(c, "bob", 3);
 *     if (r->cmd == MW_POP3_CMD_USER && r->ok)
 *         return mw_pop3_client_pass(c, "secret", 6);
 *     if (r->cmd == MW_POP3_CMD_PASS && r->ok)
 *         return mw_pop3_client_retr(c, 1);
 *     return 0;
 * }
 * static int on_data(mw_pop3_client *c, void *u, const char *p, size_t n)
 * { (void)c; return fwrite(p, 1, n, (FILE *)u) == n ? 0 : -1; }
 * static int on_end(mw_pop3_client *c, void *u, int cmd)
 * { (void)u; return cmd == MW_POP3_CMD_RETR ? mw_pop3_client_quit(c) : 0; }
 *
 * mw_pop3_client cl;
 * char buf[MW_POP3_CLIENT_LINEBUF_SIZE];
 * mw_pop3_client_callbacks cb = {0};
 * cb.send = on_send_client; cb.reply = on_reply;
 * cb.data = on_data; cb.end = on_end;
 * mw_pop3_client_init(&cl, NULL, &cb, out_file, buf, sizeof buf);
 * // then: mw_pop3_client_feed(&cl, received, n, &used) for each read
 * @endcode
 *
 * Memory: a server context is at most 1 KiB and a client context at most
 * 1 KiB (mw_pop3_server_sizeof(), mw_pop3_client_sizeof()); the line
 * buffer the caller gives adds its own size (see the LINEBUF macros).
 */
#ifndef MAILWIRE_POP3_H
#define MAILWIRE_POP3_H

#include "core.h"
#include "config.h"
#include "framing.h"
#include "sasl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================== */
/** @name Limits (defaults of the configs)
 *  @{ */

/** Longest command line, including CRLF (RFC 2449 §4: 255 octets). */
#define MW_POP3_CMD_LINE_MAX 255u

/** Longest first line of a response, including CRLF (RFC 2449 §4: 512
 *  octets); also the longest line of a CAPA, LIST or UIDL answer. */
#define MW_POP3_REPLY_LINE_MAX 512u

/** Default limit of a SASL line (a client response, a server challenge),
 *  including CRLF. RFC 5034 §4 sets none ("clients and servers MUST be
 *  able to handle the maximum encoded size of challenges and responses
 *  generated by their supported authentication mechanisms"); 4096 holds
 *  PLAIN with long passwords and most OAuth tokens. Raise it for large
 *  JWT tokens or GSSAPI. */
#ifndef MW_POP3_AUTH_LINE_DEFAULT
#define MW_POP3_AUTH_LINE_DEFAULT 4096u
#endif

/** Default number of bad commands (unknown, malformed, out of state) after
 *  which the server machine closes the session. */
#ifndef MW_POP3_MAX_BAD_COMMANDS_DEFAULT
#define MW_POP3_MAX_BAD_COMMANDS_DEFAULT 10u
#endif

/** Most client commands in flight at once (the client context's queue;
 *  commands are queued only when the server offers PIPELINING). */
#ifndef MW_POP3_CLIENT_PIPELINE_MAX
#define MW_POP3_CLIENT_PIPELINE_MAX 16u
#endif

/** Longest unique-id of a UIDL answer (RFC 1939 §7: 1 to 70 characters in
 *  0x21..0x7E). */
#define MW_POP3_UID_MAX 70u

/** @} */

/* ====================================================================== */
/** @name Bits returned by mw_pop3_server_want() and mw_pop3_client_want()
 *  (the same values as the other mailwire machines)
 *  @{ */
/** The machine can take input (feed it what arrives). */
#define MW_POP3_WANT_INPUT 0x01u
/** Server: a command awaits the application's reply. */
#define MW_POP3_WANT_REPLY 0x02u
/** STLS was accepted: start TLS, then call the `tls_done` function. */
#define MW_POP3_WANT_TLS 0x04u
/** The session is over; feed returns #MW_E_CLOSED. */
#define MW_POP3_WANT_CLOSED 0x08u
/** Client: a command may be sent now. */
#define MW_POP3_WANT_SEND 0x10u
/** @} */

/**
 * @brief POP3 commands (RFC 1939 §4-7, RFC 2449 §5, RFC 5034 §4,
 *        RFC 2595 §4, RFC 6856 §2). Values are part of the ABI.
 */
typedef enum mw_pop3_cmd_id {
    MW_POP3_CMD_NONE = 0,  /**< no command: the greeting, or unsolicited */
    MW_POP3_CMD_USER = 1,  /**< USER name (RFC 1939 §7) */
    MW_POP3_CMD_PASS = 2,  /**< PASS string (RFC 1939 §7) */
    MW_POP3_CMD_APOP = 3,  /**< APOP name digest (RFC 1939 §7) */
    MW_POP3_CMD_STAT = 4,  /**< STAT (RFC 1939 §5) */
    MW_POP3_CMD_LIST = 5,  /**< LIST [msg] (RFC 1939 §5) */
    MW_POP3_CMD_RETR = 6,  /**< RETR msg (RFC 1939 §5) */
    MW_POP3_CMD_DELE = 7,  /**< DELE msg (RFC 1939 §5) */
    MW_POP3_CMD_NOOP = 8,  /**< NOOP (RFC 1939 §5) */
    MW_POP3_CMD_RSET = 9,  /**< RSET (RFC 1939 §5) */
    MW_POP3_CMD_QUIT = 10, /**< QUIT (RFC 1939 §4, §6) */
    MW_POP3_CMD_TOP = 11,  /**< TOP msg n (RFC 1939 §7) */
    MW_POP3_CMD_UIDL = 12, /**< UIDL [msg] (RFC 1939 §7) */
    MW_POP3_CMD_CAPA = 13, /**< CAPA (RFC 2449 §5) */
    MW_POP3_CMD_AUTH = 14, /**< AUTH mechanism [initial-response] (RFC 5034 §4) */
    MW_POP3_CMD_STLS = 15, /**< STLS (RFC 2595 §4) */
    MW_POP3_CMD_UTF8 = 16, /**< UTF8 (RFC 6856 §2) */
    MW_POP3_CMD_LANG = 17, /**< LANG [language-range] (RFC 6856 §3) */
    /** Server only: a client's SASL response line during AUTH (RFC 5034
     *  §4), delivered through the `command` callback like a command. */
    MW_POP3_CMD_AUTH_RESPONSE = 32
} mw_pop3_cmd_id;

/**
 * @brief Extended response codes: the bracketed word after "+OK " or
 *        "-ERR " (RFC 2449 §3, §8). Values are part of the ABI.
 */
typedef enum mw_pop3_rcode {
    MW_POP3_RC_NONE = 0,        /**< no response code */
    MW_POP3_RC_IN_USE = 1,      /**< [IN-USE]: the maildrop is locked by another session (RFC 2449 §8.1.2) */
    MW_POP3_RC_LOGIN_DELAY = 2, /**< [LOGIN-DELAY]: logged in too soon after the last time (RFC 2449 §8.1.1) */
    MW_POP3_RC_SYS_TEMP = 3,    /**< [SYS/TEMP]: a temporary system problem; retry later (RFC 3206 §4) */
    MW_POP3_RC_SYS_PERM = 4,    /**< [SYS/PERM]: a permanent system problem (RFC 3206 §4) */
    MW_POP3_RC_AUTH = 5,        /**< [AUTH]: the credentials are the problem (RFC 3206 §5) */
    MW_POP3_RC_UTF8 = 6,        /**< [UTF8]: registered by RFC 6856 for failures tied to UTF-8 mode */
    MW_POP3_RC_OTHER = 7        /**< client only: a code this library does not know (see ::mw_pop3_reply::code_text) */
} mw_pop3_rcode;

/**
 * @brief The RFC 1939 §3 session states, plus the ends.
 */
typedef enum mw_pop3_state {
    MW_POP3_STATE_START = 0,         /**< before the greeting */
    MW_POP3_STATE_AUTHORIZATION = 1, /**< after the greeting, until a login succeeds */
    MW_POP3_STATE_TRANSACTION = 2,   /**< logged in */
    MW_POP3_STATE_UPDATE = 3,        /**< server: QUIT in TRANSACTION, awaiting the application's reply */
    MW_POP3_STATE_CLOSED = 4         /**< the session is over */
} mw_pop3_state;

/**
 * @brief The keyword of a command ("USER", "AUTH"...).
 * @param id a ::mw_pop3_cmd_id value; any int is allowed.
 * @return a static upper-case string; "" for #MW_POP3_CMD_NONE,
 *         #MW_POP3_CMD_AUTH_RESPONSE and unknown values. Never NULL.
 */
MW_API const char *mw_pop3_cmd_name(int id);

/**
 * @brief The text of a response code as it appears between the brackets
 *        ("IN-USE", "SYS/TEMP"...).
 * @param rcode a ::mw_pop3_rcode value; any int is allowed.
 * @return a static string; "" for #MW_POP3_RC_NONE, #MW_POP3_RC_OTHER and
 *         unknown values. Never NULL.
 */
MW_API const char *mw_pop3_rcode_name(int rcode);

/* ====================================================================== */
/** @name Capabilities (RFC 2449 §6, RFC 2595 §4, RFC 3206 §6,
 *  RFC 6856 §2-3): bits of ::mw_pop3_capa::flags
 *  @{ */
#define MW_POP3_CAPA_TOP 0x0001u            /**< TOP */
#define MW_POP3_CAPA_USER 0x0002u           /**< USER (USER and PASS) */
#define MW_POP3_CAPA_SASL 0x0004u           /**< SASL mechanisms (AUTH) */
#define MW_POP3_CAPA_RESP_CODES 0x0008u     /**< RESP-CODES */
#define MW_POP3_CAPA_LOGIN_DELAY 0x0010u    /**< LOGIN-DELAY seconds */
#define MW_POP3_CAPA_PIPELINING 0x0020u     /**< PIPELINING */
#define MW_POP3_CAPA_EXPIRE 0x0040u         /**< EXPIRE days or NEVER */
#define MW_POP3_CAPA_UIDL 0x0080u           /**< UIDL */
#define MW_POP3_CAPA_IMPLEMENTATION 0x0100u /**< IMPLEMENTATION text */
#define MW_POP3_CAPA_STLS 0x0200u           /**< STLS */
#define MW_POP3_CAPA_AUTH_RESP_CODE 0x0400u /**< AUTH-RESP-CODE */
#define MW_POP3_CAPA_UTF8 0x0800u           /**< UTF8 */
#define MW_POP3_CAPA_UTF8_USER 0x1000u      /**< UTF8 USER: UTF-8 user names and passwords */
#define MW_POP3_CAPA_LANG 0x2000u           /**< LANG (RFC 6856 §3) */
#define MW_POP3_CAPA_LOGIN_DELAY_USER 0x4000u /**< LOGIN-DELAY with "USER": the value may change after login */
#define MW_POP3_CAPA_EXPIRE_USER 0x8000u    /**< EXPIRE with "USER": the value may change after login */
/** A CAPA answer was received (and not forgotten since, as STLS does). */
#define MW_POP3_CAPA_KNOWN 0x80000000u
/** @} */

/** @name SASL mechanisms a server lists: bits of ::mw_pop3_capa::sasl
 *  @{ */
#define MW_POP3_SASL_PLAIN 0x01u       /**< PLAIN (RFC 4616) */
#define MW_POP3_SASL_LOGIN 0x02u       /**< LOGIN (draft-murchison-sasl-login) */
#define MW_POP3_SASL_XOAUTH2 0x04u     /**< XOAUTH2 */
#define MW_POP3_SASL_OAUTHBEARER 0x08u /**< OAUTHBEARER (RFC 7628) */
#define MW_POP3_SASL_CRAM_MD5 0x10u    /**< CRAM-MD5 (RFC 2195) */
#define MW_POP3_SASL_EXTERNAL 0x20u    /**< EXTERNAL (RFC 4422 App. A) */
#define MW_POP3_SASL_GSSAPI 0x40u      /**< GSSAPI (RFC 4752) */
#define MW_POP3_SASL_SCRAM 0x80u       /**< any SCRAM-* (RFC 5802, RFC 7677) */
#define MW_POP3_SASL_OTHER 0x100u      /**< any other mechanism */
/** @} */

/** ::mw_pop3_capa::expire value for "EXPIRE NEVER". */
#define MW_POP3_EXPIRE_NEVER 0xFFFFFFFFu

/**
 * @brief A server's capabilities as read from its CAPA answer
 *        (RFC 2449 §5-6). All zero until a CAPA answer arrives.
 *
 * The free-text values (IMPLEMENTATION, unknown capabilities, the SASL
 * mechanism names) are not kept: they reach the client's `capability`
 * callback.
 */
typedef struct mw_pop3_capa {
    uint32_t flags;       /**< MW_POP3_CAPA_* bits */
    uint32_t sasl;        /**< MW_POP3_SASL_* bits of the SASL capability */
    uint32_t login_delay; /**< LOGIN-DELAY seconds (when #MW_POP3_CAPA_LOGIN_DELAY); larger values are clamped to 4294967295 */
    uint32_t expire;      /**< EXPIRE days, or #MW_POP3_EXPIRE_NEVER (when #MW_POP3_CAPA_EXPIRE); day counts are clamped to 4294967294 */
} mw_pop3_capa;

/**
 * @brief One line of a CAPA answer (RFC 2449 §5), as the client reads
 *        it.
 */
typedef struct mw_pop3_capa_line {
    uint32_t id;     /**< the MW_POP3_CAPA_* bit of a known tag, or 0 */
    mw_span tag;     /**< the capability name as sent */
    mw_span params;  /**< everything after the name and one space (may be empty) */
    size_t offset;   /**< stream offset of the line */
} mw_pop3_capa_line;

/* ====================================================================== */
/* Server                                                                  */
/* ====================================================================== */
#if !defined(MW_ENABLE_POP3_SERVER) || MW_ENABLE_POP3_SERVER

/** @name Server options: bits of ::mw_pop3_server_config::flags
 *  @{ */
/** USER and PASS are accepted (and USER is listed in CAPA). Default on. */
#define MW_POP3_SERVER_USER 0x0001u
/** APOP is accepted; the greeting must come from
 *  mw_pop3_server_start_apop(). Default off: APOP rests on MD5
 *  (field-notes §4.10). */
#define MW_POP3_SERVER_APOP 0x0002u
/** TOP is accepted and listed. Default on. */
#define MW_POP3_SERVER_TOP 0x0004u
/** UIDL is accepted and listed. Default on. */
#define MW_POP3_SERVER_UIDL 0x0008u
/** STLS is accepted and listed (the application can start TLS). Off by
 *  default. */
#define MW_POP3_SERVER_STLS 0x0010u
/** UTF8 is accepted and listed (RFC 6856). Off by default. */
#define MW_POP3_SERVER_UTF8 0x0020u
/** CAPA lists "UTF8 USER": UTF-8 user names and passwords are accepted
 *  after the UTF8 command. */
#define MW_POP3_SERVER_UTF8_USER 0x0040u
/** PIPELINING is listed. Default on (the machine always answers pipelined
 *  commands in order). */
#define MW_POP3_SERVER_PIPELINING 0x0080u
/** RESP-CODES is listed. Default on. */
#define MW_POP3_SERVER_RESP_CODES 0x0100u
/** AUTH-RESP-CODE is listed (RFC 3206 §6). Default on. */
#define MW_POP3_SERVER_AUTH_RESP_CODE 0x0200u
/** The connection is already protected by TLS (port 995): STLS is refused
 *  and not listed. */
#define MW_POP3_SERVER_TLS_ACTIVE 0x0400u
/** USER, PASS, APOP and AUTH are refused (and USER and SASL not listed)
 *  until TLS is active. */
#define MW_POP3_SERVER_AUTH_NEEDS_TLS 0x0800u
/** LANG is accepted and listed (RFC 6856 §3): the application answers
 *  with mw_pop3_server_reply_lang() or a listing. Off by default. */
#define MW_POP3_SERVER_LANG 0x1000u
/** @} */

/**
 * @brief Server configuration. Fill with mw_pop3_server_config_init(),
 *        then change what you need. mw_pop3_server_init() copies it; the
 *        strings it points to MUST outlive the server.
 */
typedef struct mw_pop3_server_config {
    /** Longest command line, CRLF included. Default #MW_POP3_CMD_LINE_MAX
     *  (255, RFC 2449 §4). At least 16. */
    size_t max_line;
    /** Longest SASL response line of an AUTH exchange, CRLF included.
     *  Default #MW_POP3_AUTH_LINE_DEFAULT. At least 16. */
    size_t max_auth_line;
    /** Bad commands after which the session is closed; 0 for no limit.
     *  Default #MW_POP3_MAX_BAD_COMMANDS_DEFAULT. */
    unsigned max_bad_commands;
    /** MW_POP3_SERVER_* bits. Default USER, TOP, UIDL, PIPELINING,
     *  RESP-CODES, AUTH-RESP-CODE. */
    unsigned flags;
    /** Line ends of commands. Default #MW_NEWLINE_REJECT: a command ended
     *  by a bare LF is answered -ERR. */
    mw_newline_policy newline;
    /** What mw_pop3_server_write() does with a bare CR or LF in a message.
     *  Default #MW_NEWLINE_ACCEPT: each becomes CRLF, so the client always
     *  gets CRLF lines. #MW_NEWLINE_REJECT makes them an error;
     *  #MW_NEWLINE_PASS sends them as they are (not recommended). */
    mw_newline_policy body_newline;
    /** SASL mechanisms offered, separated by single spaces ("PLAIN
     *  LOGIN"); NULL or "" for none (then AUTH is not accepted). Listed in
     *  CAPA as "SASL ..." and in the answer to a bare "AUTH". */
    const char *sasl;
    /** IMPLEMENTATION text for CAPA, or NULL. */
    const char *implementation;
    /** EXPIRE argument(s) for CAPA ("NEVER", "0", "31 USER"), or NULL:
     *  days or NEVER, then optionally USER (RFC 2449 §6.7). */
    const char *expire;
    /** LOGIN-DELAY argument(s) for CAPA ("900", "300 USER"), or NULL:
     *  seconds, then optionally USER (RFC 2449 §6.5). */
    const char *login_delay;
} mw_pop3_server_config;

/** Ideal size of the server's line buffer with the default limits: the
 *  longer of a command line and a SASL line. */
#define MW_POP3_SERVER_LINEBUF_SIZE MW_POP3_AUTH_LINE_DEFAULT

/** @name Bits of ::mw_pop3_cmd::flags
 *  @{ */
/** LIST or UIDL named a message (::mw_pop3_cmd::msg is set). */
#define MW_POP3_CMDF_HAS_MSG 0x01u
/** AUTH carried an initial response (::mw_pop3_cmd::arg2; empty when the
 *  client sent "="). */
#define MW_POP3_CMDF_HAS_IR 0x02u
/** The session is in UTF-8 mode (RFC 6856): arguments were checked to be
 *  valid UTF-8. */
#define MW_POP3_CMDF_UTF8 0x04u
/** LANG named a language range (::mw_pop3_cmd::arg). Without it, LANG
 *  asks for the language listing (RFC 6856 §3.2). */
#define MW_POP3_CMDF_HAS_RANGE 0x08u
/** @} */

/**
 * @brief A command as the server machine parsed it.
 *
 * Spans point into the fed input or into the server's line buffer and are
 * valid only during the `command` callback. They may hold any byte but CR,
 * LF and NUL (a password may hold spaces and 8-bit bytes).
 */
typedef struct mw_pop3_cmd {
    int id;          /**< ::mw_pop3_cmd_id */
    unsigned flags;  /**< MW_POP3_CMD_* bits */
    uint32_t msg;    /**< message number, >= 1: RETR, DELE, TOP, and LIST or UIDL with #MW_POP3_CMDF_HAS_MSG */
    uint32_t lines;  /**< TOP: number of body lines */
    /** USER: the name; PASS: the password (everything after "PASS ");
     *  APOP: the name; AUTH: the mechanism; AUTH_RESPONSE: the base64 text
     *  (may be empty); LANG: the language range, "*" or
     *  1*8ALPHA *("-" 1*8alphanum) (RFC 4647 §2.1), empty for a listing
     *  request. */
    mw_span arg;
    /** APOP: the 32 hex digits of the digest; AUTH: the initial response
     *  as base64 (empty for "="). */
    mw_span arg2;
    size_t offset;   /**< stream offset of the command line */
} mw_pop3_cmd;

/** @cond PRIVATE */
struct mw_pop3_server;
/** @endcond */
/** The server machine (opaque; see struct mw_pop3_server). */
typedef struct mw_pop3_server mw_pop3_server;

/** Type of the `send` member of ::mw_pop3_server_callbacks. */
typedef int (*mw_pop3_server_send_fn)(mw_pop3_server *s, void *user,
                                      const char *data, size_t len);

/** Type of the `command` member of ::mw_pop3_server_callbacks. */
typedef int (*mw_pop3_server_command_fn)(mw_pop3_server *s, void *user,
                                         const mw_pop3_cmd *cmd);

/** Type of the `error` member of ::mw_pop3_server_callbacks. */
typedef int (*mw_pop3_server_error_fn)(mw_pop3_server *s, void *user,
                                       int status, size_t offset,
                                       const char *reason);

/**
 * @brief Server callbacks. mw_pop3_server_init() copies the struct;
 *        members may be NULL except `send`.
 *
 * Each returns 0 to go on, #MW_PAUSED to make mw_pop3_server_feed() return
 * after the current event, or a negative value to abort (feed then returns
 * #MW_E_CALLBACK and the session is closed).
 */
typedef struct mw_pop3_server_callbacks {
    /** Bytes to send to the client: a whole reply line in one call, or a
     *  piece of a multi-line body. Must take all `len` bytes or fail. */
    mw_pop3_server_send_fn send;
    /** A command to answer (see ::mw_pop3_cmd). Without this callback the
     *  machine answers every command the application should answer with
     *  "-ERR". */
    mw_pop3_server_command_fn command;
    /** A problem the machine already answered (or, for STLS leftovers,
     *  already dropped): the status, the stream offset and a static
     *  reason. Informational: the return value only pauses or aborts. */
    mw_pop3_server_error_fn error;
} mw_pop3_server_callbacks;

/** @cond PRIVATE */
struct mw_pop3_server {
    mw_line line;
    mw_dot_stuff stuff;
    mw_pop3_server_callbacks cb;
    void *user;
    const char *sasl, *impl, *expire, *login_delay;
    size_t max_line, max_auth_line;
    unsigned max_bad, bad, flags;
    mw_error err;
    mw_md5 apop;           /* MD5 state after the greeting's timestamp */
    size_t discarded;      /* plaintext dropped after STLS */
    uint32_t lines;        /* TOP: of the pending command */
    uint32_t top_left;     /* TOP: body lines still to send */
    uint32_t top_len;      /* TOP: bytes of the current output line (capped) */
    uint8_t digest[16];    /* APOP digest the client sent */
    uint8_t phase, io, cmd, cmd_flags;
    uint8_t user_ok, utf8, tls, has_ts;
    uint8_t multi, top, top_cr, discarded_now;
    uint8_t newline, body_newline, reserved_[2];
    char out[MW_POP3_REPLY_LINE_MAX];
};
/** @endcond */

/**
 * @brief Size of ::mw_pop3_server, for bindings that cannot include this
 *        header's struct definition.
 * @return sizeof(mw_pop3_server) (at most 1024).
 */
MW_API size_t mw_pop3_server_sizeof(void);

/**
 * @brief Fill a server configuration with the defaults (RFC 2449 §4
 *        limits, USER, TOP, UIDL, PIPELINING, RESP-CODES, AUTH-RESP-CODE,
 *        no APOP, no STLS, no SASL).
 * @param cfg the configuration; MUST NOT be NULL.
 */
MW_API void mw_pop3_server_config_init(mw_pop3_server_config *cfg);

/**
 * @brief Set up a server machine.
 *
 * @param s       the context (caller memory).
 * @param cfg     configuration, copied; NULL for the defaults. Its strings
 *                are checked (no CR, LF or NUL; each must fit a reply
 *                line) and MUST outlive `s`.
 * @param cb      callbacks, copied; `send` is required.
 * @param user    passed to every callback.
 * @param linebuf buffer for a command cut by the end of a fed chunk; at
 *                least the larger of `max_line` and `max_auth_line` bytes
 *                (#MW_POP3_SERVER_LINEBUF_SIZE with the defaults). MUST
 *                outlive `s`.
 * @param linebuf_len its size.
 * @return #MW_OK; #MW_E_INVAL for NULL pointers, a missing `send`, a
 *         buffer that is too small, a limit below 16, an unknown newline
 *         policy or a configuration string with CR, LF, NUL or too long,
 *         or EXPIRE / LOGIN-DELAY arguments of another form than above.
 */
MW_API int mw_pop3_server_init(mw_pop3_server *s,
                               const mw_pop3_server_config *cfg,
                               const mw_pop3_server_callbacks *cb, void *user,
                               char *linebuf, size_t linebuf_len);

/**
 * @brief Send the greeting "+OK text" and enter the AUTHORIZATION state
 *        (RFC 1939 §4).
 * @param s    the server, initialised and not started.
 * @param text greeting text (NUL-terminated) or NULL; no CR or LF, must
 *             not start with '[' or a space.
 * @return #MW_OK; #MW_E_STATE when already started; #MW_E_INVAL for bad
 *         text; #MW_E_TOO_LONG when the line would exceed 512 octets;
 *         #MW_E_CALLBACK when `send` failed (the session is closed).
 */
MW_API int mw_pop3_server_start(mw_pop3_server *s, const char *text);

/**
 * @brief Send a greeting with an APOP timestamp (RFC 1939 §7):
 *        "+OK text <id.stamp@host>".
 *
 * The library has no clock or randomness: the application supplies the
 * parts. `stamp` MUST differ for every session (a fresh random value, or
 * the time and a counter), or a recorded APOP exchange can be replayed.
 * The timestamp is remembered (as an MD5 state) for
 * mw_pop3_server_apop_check().
 *
 * @param s     the server, initialised with #MW_POP3_SERVER_APOP, not
 *              started.
 * @param text  greeting text or NULL, as for mw_pop3_server_start().
 * @param id    first part, e.g. the process id: 1 or more RFC 5322 atext
 *              characters or dots (no leading, trailing or double dot).
 * @param stamp second part, e.g. clock and counter; same syntax.
 * @param host  the server's host name; same syntax.
 * @return #MW_OK; #MW_E_STATE when already started or APOP is not
 *         enabled; #MW_E_INVAL for a bad part or text; #MW_E_TOO_LONG when
 *         the line would exceed 512 octets; #MW_E_CALLBACK.
 */
MW_API int mw_pop3_server_start_apop(mw_pop3_server *s, const char *text,
                                     const char *id, const char *stamp,
                                     const char *host);

/**
 * @brief Feed bytes received from the client.
 *
 * Parses commands one at a time and passes each to the `command`
 * callback; parses nothing further until the command is answered.
 * Malformed, unknown and out-of-state commands are answered "-ERR" by the
 * machine and reported to `error`; after
 * ::mw_pop3_server_config::max_bad_commands of them the machine answers
 * the last with "-ERR" and closes.
 *
 * @param s        the server, started.
 * @param in       the bytes (any values); may be NULL when `len` is 0.
 * @param len      their number.
 * @param consumed receives how many bytes were used (always set); feed the
 *                 rest again later.
 * @return #MW_OK when all bytes were used (a reply may still be owed: see
 *         mw_pop3_server_want());
 *         #MW_PAUSED when it stopped early: a reply is owed or a callback
 *         returned #MW_PAUSED;
 *         #MW_DONE when the session ended (QUIT answered, or too many bad
 *         commands); the bytes after the last command are not used;
 *         #MW_E_CLOSED when the session was already over;
 *         #MW_E_STATE before mw_pop3_server_start();
 *         #MW_E_INVAL for NULL pointers;
 *         #MW_E_CALLBACK when a callback aborted or `send` failed (the
 *         session is closed).
 */
MW_API int mw_pop3_server_feed(mw_pop3_server *s, const void *in, size_t len,
                               size_t *consumed);

/**
 * @brief Answer the pending command with one line: "+OK text" or
 *        "-ERR [CODE] text".
 *
 * Effects on the session follow the answer: +OK to USER allows PASS; +OK
 * to PASS, APOP or AUTH (or an AUTH_RESPONSE) enters TRANSACTION; +OK to
 * STLS waits for TLS; +OK to UTF8 enters UTF-8 mode; any answer to QUIT
 * ends the session (in TRANSACTION the application has done the UPDATE
 * state's deletions before answering, RFC 1939 §6).
 *
 * A "+OK" to STAT, LIST n, UIDL n or LANG with a range must carry the
 * values: use mw_pop3_server_reply_stat(), mw_pop3_server_scan_listing(),
 * mw_pop3_server_uid_listing() or mw_pop3_server_reply_lang(). A "+OK" to
 * RETR, TOP and LIST, UIDL or LANG without argument is multi-line: use
 * mw_pop3_server_reply_begin(). Both are refused here with #MW_E_STATE.
 *
 * @param s     the server.
 * @param ok    non-zero for "+OK", 0 for "-ERR".
 * @param rcode a ::mw_pop3_rcode other than #MW_POP3_RC_OTHER, or 0.
 * @param text  the text (NUL-terminated) or NULL; no CR or LF; must not
 *              start with '[' (it would read as a response code,
 *              RFC 2449 §8) nor with a space (readers take it as part
 *              of the separator).
 * @return #MW_OK; #MW_E_STATE when no command is pending or the reply
 *         must take another form (see above); #MW_E_INVAL for bad text or
 *         code (nothing is sent); #MW_E_TOO_LONG when the line would
 *         exceed 512 octets; #MW_E_CALLBACK when `send` failed.
 */
MW_API int mw_pop3_server_reply(mw_pop3_server *s, int ok, int rcode,
                                const char *text);

/**
 * @brief Answer STAT: "+OK count octets" (RFC 1939 §5, the drop listing).
 * @param s      the server, with STAT pending.
 * @param count  number of messages not marked deleted.
 * @param octets their total size.
 * @return #MW_OK; #MW_E_STATE when STAT is not pending; #MW_E_CALLBACK.
 */
MW_API int mw_pop3_server_reply_stat(mw_pop3_server *s, uint32_t count,
                                     uint64_t octets);

/**
 * @brief Start a positive multi-line answer: "+OK text" (RFC 1939 §3).
 *
 * For RETR and TOP, then mw_pop3_server_write(); for LIST and UIDL without
 * argument, then mw_pop3_server_scan_listing() or
 * mw_pop3_server_uid_listing() per message; for LANG without argument,
 * mw_pop3_server_lang_listing() per language; always finished with
 * mw_pop3_server_reply_end().
 *
 * @param s    the server, with RETR, TOP, or LIST, UIDL or LANG without
 *             argument pending.
 * @param text the text or NULL (same rules as mw_pop3_server_reply()).
 * @return #MW_OK; #MW_E_STATE for any other pending command (or none);
 *         #MW_E_INVAL; #MW_E_TOO_LONG; #MW_E_CALLBACK.
 */
MW_API int mw_pop3_server_reply_begin(mw_pop3_server *s, const char *text);

/**
 * @brief A scan listing "msg octets" (RFC 1939 §5 LIST).
 *
 * With LIST n pending, this is the whole answer "+OK msg octets". Within
 * a multi-line LIST answer (after mw_pop3_server_reply_begin()), it is one
 * line of it.
 *
 * @param s      the server.
 * @param msg    the message number, >= 1.
 * @param octets the message size.
 * @return #MW_OK; #MW_E_STATE when neither form applies; #MW_E_INVAL for
 *         msg 0; #MW_E_CALLBACK.
 */
MW_API int mw_pop3_server_scan_listing(mw_pop3_server *s, uint32_t msg,
                                       uint64_t octets);

/**
 * @brief A unique-id listing "msg uid" (RFC 1939 §7 UIDL).
 *
 * With UIDL n pending, the whole answer "+OK msg uid"; within a multi-line
 * UIDL answer, one line of it.
 *
 * @param s   the server.
 * @param msg the message number, >= 1.
 * @param uid the unique-id: 1 to 70 characters in 0x21..0x7E
 *            (NUL-terminated).
 * @return #MW_OK; #MW_E_STATE when neither form applies; #MW_E_INVAL for
 *         msg 0 or a bad uid; #MW_E_CALLBACK.
 */
MW_API int mw_pop3_server_uid_listing(mw_pop3_server *s, uint32_t msg,
                                      const char *uid);

/**
 * @brief Answer LANG with a language range: "+OK tag text" (RFC 6856
 *        §3.2). The text, in the newly chosen language, is UTF-8.
 *
 * To refuse the language, answer with mw_pop3_server_reply() and ok 0;
 * the language in force stays as it was (the machine keeps no language:
 * choosing the texts is the application's part).
 *
 * @param s    the server, with LANG and a range
 *             (#MW_POP3_CMDF_HAS_RANGE) pending.
 * @param tag  the exact language tag selected (NUL-terminated):
 *             1*8ALPHA *("-" 1*8alphanum), e.g. "es" or "en-boont".
 * @param text the human-readable text, or NULL (same rules as
 *             mw_pop3_server_reply()).
 * @return #MW_OK; #MW_E_STATE when no LANG with a range is pending;
 *         #MW_E_INVAL for a bad tag or text (nothing is sent);
 *         #MW_E_TOO_LONG when the line would exceed 512 octets;
 *         #MW_E_CALLBACK when `send` failed.
 */
MW_API int mw_pop3_server_reply_lang(mw_pop3_server *s, const char *tag,
                                     const char *text);

/**
 * @brief A language listing "tag description" (RFC 6856 §3.2): one line
 *        of the multi-line answer to LANG without argument, after
 *        mw_pop3_server_reply_begin().
 * @param s           the server.
 * @param tag         a language tag the server offers (NUL-terminated),
 *                    1*8ALPHA *("-" 1*8alphanum).
 * @param description the language's name in the language itself (UTF-8,
 *                    NUL-terminated; no CR or LF), or NULL.
 * @return #MW_OK; #MW_E_STATE when no LANG listing is in progress;
 *         #MW_E_INVAL for a bad tag or description; #MW_E_TOO_LONG when
 *         the line would exceed 512 octets; #MW_E_CALLBACK.
 */
MW_API int mw_pop3_server_lang_listing(mw_pop3_server *s, const char *tag,
                                       const char *description);

/**
 * @brief Write part of the message of a RETR or TOP answer.
 *
 * Chunks may be cut anywhere (inside a line, between CR and LF). The
 * machine stuffs a '.' at the start of every line (RFC 1939 §3) with the
 * core stuffer and passes the bytes to `send` in spans of the chunk
 * (zero-copy). Line ends follow ::mw_pop3_server_config::body_newline.
 *
 * TOP: write the whole message from its first byte; the machine sends the
 * header, the blank line and the requested number of body lines (RFC 1939
 * §7), and returns #MW_DONE as soon as it needs nothing more.
 *
 * @param s    the server, after mw_pop3_server_reply_begin() for RETR or
 *             TOP.
 * @param data the bytes (any values); may be NULL when `len` is 0.
 * @param len  their number.
 * @return #MW_OK;
 *         #MW_DONE (TOP) when the requested lines are complete; further
 *         writes are ignored and return #MW_DONE too;
 *         #MW_E_BARE_LF or #MW_E_BARE_CR with #MW_NEWLINE_REJECT: the bytes
 *         before the bad one were sent, the rest of this chunk was not;
 *         write on or end the answer;
 *         #MW_E_STATE when no RETR or TOP answer is in progress;
 *         #MW_E_INVAL for NULL data with `len` > 0;
 *         #MW_E_CALLBACK when `send` failed (the session is closed).
 */
MW_API int mw_pop3_server_write(mw_pop3_server *s, const void *data,
                                size_t len);

/**
 * @brief Finish a multi-line answer: completes the last line with CRLF if
 *        needed and sends the "." line (RFC 1939 §3).
 * @param s the server, with a multi-line answer in progress.
 * @return #MW_OK; #MW_E_STATE when none is in progress; #MW_E_CALLBACK.
 */
MW_API int mw_pop3_server_reply_end(mw_pop3_server *s);

/**
 * @brief Send a SASL challenge "+ base64" during AUTH (RFC 5034 §4) and
 *        wait for the client's response line, which arrives as an
 *        #MW_POP3_CMD_AUTH_RESPONSE command. A client line "*" cancels the
 *        exchange; the machine answers it with "-ERR" itself.
 * @param s    the server, with AUTH or AUTH_RESPONSE pending.
 * @param data the raw challenge (encoded by the machine); may be NULL when
 *             `len` is 0 (an empty challenge, "+ ").
 * @param len  its length. A challenge longer than a reply line is sent in
 *             several `send` calls.
 * @return #MW_OK; #MW_E_STATE when no AUTH exchange is pending;
 *         #MW_E_INVAL; #MW_E_CALLBACK.
 */
MW_API int mw_pop3_server_auth_challenge(mw_pop3_server *s, const void *data,
                                         size_t len);

/**
 * @brief Check the digest of the pending APOP command against a secret:
 *        MD5(timestamp || secret) (RFC 1939 §7), compared in constant time.
 * @param s      the server, with APOP pending.
 * @param secret the user's shared secret (any bytes); may be NULL when
 *               `len` is 0.
 * @param len    its length.
 * @return #MW_OK when it matches; #MW_E_INVAL when it does not;
 *         #MW_E_STATE when APOP is not pending.
 */
MW_API int mw_pop3_server_apop_check(mw_pop3_server *s, const void *secret,
                                     size_t len);

/**
 * @brief TLS is up after STLS: the session restarts in AUTHORIZATION with
 *        everything learnt before forgotten (RFC 2595 §4: the USER name,
 *        UTF-8 mode).
 * @param s the server, waiting for TLS (#MW_POP3_WANT_TLS).
 * @return #MW_OK; #MW_E_STATE when not waiting for TLS.
 */
MW_API int mw_pop3_server_tls_done(mw_pop3_server *s);

/**
 * @brief The client closed the connection. A partial command line is
 *        reported to `error` (#MW_E_INCOMPLETE); the session ends without
 *        entering UPDATE (RFC 1939 §6: no QUIT, no deletions).
 * @param s the server.
 * @return #MW_OK; #MW_E_INCOMPLETE when a partial line was pending.
 */
MW_API int mw_pop3_server_eof(mw_pop3_server *s);

/**
 * @brief End the session from the server side (e.g. an inactivity timer,
 *        RFC 1939 §3): sends "-ERR [CODE] text" and closes. Not allowed
 *        while a multi-line answer is in progress.
 * @param s     the server.
 * @param rcode response code or 0.
 * @param text  text or NULL (as for mw_pop3_server_reply()).
 * @return #MW_OK; #MW_E_STATE (multi-line answer in progress, not started,
 *         or already closed); #MW_E_INVAL; #MW_E_TOO_LONG; #MW_E_CALLBACK.
 */
MW_API int mw_pop3_server_bye(mw_pop3_server *s, int rcode, const char *text);

/**
 * @brief What the server machine waits for.
 * @param s the server.
 * @return MW_POP3_WANT_* bits: INPUT, REPLY, TLS, CLOSED.
 */
MW_API unsigned mw_pop3_server_want(const mw_pop3_server *s);

/**
 * @brief The RFC 1939 state of the session.
 * @param s the server.
 * @return a ::mw_pop3_state value.
 */
MW_API int mw_pop3_server_state(const mw_pop3_server *s);

/**
 * @brief The last error the server machine reported (to `error` or as a
 *        return value of feed).
 * @param s   the server.
 * @param err receives status, offset and reason (a static string).
 * @return the status (#MW_OK when there was none).
 */
MW_API int mw_pop3_server_error(const mw_pop3_server *s, mw_error *err);

/**
 * @brief Bytes dropped after an accepted STLS since mw_pop3_server_init()
 *        (the plaintext that a CVE-2011-0411-style attack injects).
 * @param s the server.
 * @return the count.
 */
MW_API size_t mw_pop3_server_discarded(const mw_pop3_server *s);

#endif /* server */

/* ====================================================================== */
/* Client                                                                  */
/* ====================================================================== */
#if !defined(MW_ENABLE_POP3_CLIENT) || MW_ENABLE_POP3_CLIENT

/** @name Client options: bits of ::mw_pop3_client_config::flags
 *  @{ */
/** The connection is protected by TLS from the start (port 995). */
#define MW_POP3_CLIENT_TLS_ACTIVE 0x01u
/** Refuse to send credentials (USER, PASS, APOP, AUTH) before TLS is
 *  active (field-notes §4.1: no silent downgrade). */
#define MW_POP3_CLIENT_REQUIRE_TLS 0x02u
/** Do not pipeline even when the server offers PIPELINING. */
#define MW_POP3_CLIENT_NO_PIPELINING 0x04u
/** @} */

/**
 * @brief Client configuration; fill with mw_pop3_client_config_init().
 */
typedef struct mw_pop3_client_config {
    /** Longest reply line, CRLF included. Default
     *  #MW_POP3_REPLY_LINE_MAX (512, RFC 2449 §4). A longer status line is
     *  delivered cut (#MW_POP3_REPLY_TRUNCATED); a longer line inside a
     *  listing is reported and skipped. At least 16. */
    size_t max_line;
    /** Longest SASL line (a server challenge, a client response), CRLF
     *  included. Default #MW_POP3_AUTH_LINE_DEFAULT. At least 16. */
    size_t max_auth_line;
    /** Most commands in flight when pipelining, 1 to
     *  #MW_POP3_CLIENT_PIPELINE_MAX (the default). */
    unsigned max_pipeline;
    /** MW_POP3_CLIENT_* bits; default 0. */
    unsigned flags;
    /** Line ends of reply lines. Default #MW_NEWLINE_REJECT. */
    mw_newline_policy newline;
    /** Bare CR and LF inside RETR and TOP bodies (core unstuffer policy).
     *  Default #MW_NEWLINE_REJECT: the first one of a body is reported to
     *  `error`, its bytes are delivered unchanged and the body goes on; it
     *  never ends the body. */
    mw_newline_policy body_newline;
} mw_pop3_client_config;

/** Ideal size of the client's buffer with the default limits: a line of
 *  up to #MW_POP3_AUTH_LINE_DEFAULT bytes plus as much again for building
 *  SASL responses. A client that never uses AUTH may give just
 *  #MW_POP3_REPLY_LINE_MAX bytes (with max_auth_line set to 512). */
#define MW_POP3_CLIENT_LINEBUF_SIZE (2u * MW_POP3_AUTH_LINE_DEFAULT)

/** @name Bits of ::mw_pop3_reply::flags
 *  @{ */
/** A multi-line answer follows (listing lines or body data, then `end`). */
#define MW_POP3_REPLY_MULTILINE 0x01u
/** The greeting holds an APOP timestamp (::mw_pop3_reply::timestamp). */
#define MW_POP3_REPLY_TIMESTAMP 0x02u
/** The line was longer than max_line and is cut there. */
#define MW_POP3_REPLY_TRUNCATED 0x04u
/** The values the command calls for (STAT, LIST n, UIDL n) are missing
 *  or malformed (also reported to `error`); they read 0 / empty. */
#define MW_POP3_REPLY_MALFORMED 0x08u
/** @} */

/**
 * @brief A reply's status line, as the client parsed it.
 *
 * Spans point into the fed input or the client's buffer and are valid
 * only during the callback.
 */
typedef struct mw_pop3_reply {
    int cmd;            /**< ::mw_pop3_cmd_id answered; #MW_POP3_CMD_NONE for the greeting or an unsolicited -ERR */
    int ok;             /**< 1 for +OK, 0 for -ERR */
    int code;           /**< ::mw_pop3_rcode */
    unsigned flags;     /**< MW_POP3_REPLY_* bits */
    mw_span code_text;  /**< the response code between the brackets, e.g. "SYS/TEMP" (empty when none) */
    mw_span text;       /**< the text after the status and code (may be empty: Dovecot sends a bare "+OK") */
    uint32_t msg;       /**< the message number the command named (RETR, TOP, DELE, LIST n, UIDL n), else 0 */
    uint32_t count;     /**< STAT: number of messages */
    uint64_t octets;    /**< STAT: maildrop size; LIST n: message size */
    mw_span uid;        /**< UIDL n: the unique-id */
    mw_span timestamp;  /**< greeting: the APOP timestamp with its angle brackets */
    /** +OK to LANG with a range: the language tag the server chose
     *  (RFC 6856 §3.2); `text` then holds what follows it. Empty
     *  otherwise (and #MW_POP3_REPLY_MALFORMED when the tag is missing). */
    mw_span lang;
    size_t offset;      /**< stream offset of the line */
} mw_pop3_reply;

/**
 * @brief One line of a multi-line LIST, UIDL or LANG answer. Spans are
 *        valid during the callback.
 */
typedef struct mw_pop3_listing {
    int cmd;         /**< #MW_POP3_CMD_LIST, #MW_POP3_CMD_UIDL or #MW_POP3_CMD_LANG */
    uint32_t msg;    /**< LIST, UIDL: the message number */
    uint64_t octets; /**< LIST: the size */
    mw_span uid;     /**< UIDL: the unique-id */
    mw_span lang;    /**< LANG: a language tag the server offers (RFC 6856 §3.2) */
    mw_span description; /**< LANG: its description in the language itself (UTF-8; may be empty) */
    size_t offset;   /**< stream offset of the line */
} mw_pop3_listing;

/** @cond PRIVATE */
struct mw_pop3_client;
/** @endcond */
/** The client machine (opaque; see struct mw_pop3_client). */
typedef struct mw_pop3_client mw_pop3_client;

/** Type of the `send` member of ::mw_pop3_client_callbacks. */
typedef int (*mw_pop3_client_send_fn)(mw_pop3_client *c, void *user,
                                      const char *data, size_t len);

/** Type of the `reply` member of ::mw_pop3_client_callbacks. */
typedef int (*mw_pop3_client_reply_fn)(mw_pop3_client *c, void *user,
                                       const mw_pop3_reply *r);

/** Type of the `listing` member of ::mw_pop3_client_callbacks. */
typedef int (*mw_pop3_client_listing_fn)(mw_pop3_client *c, void *user,
                                         const mw_pop3_listing *l);

/** Type of the `capability` member of ::mw_pop3_client_callbacks. */
typedef int (*mw_pop3_client_capability_fn)(mw_pop3_client *c, void *user,
                                            const mw_pop3_capa_line *cap);

/** Type of the `data` member of ::mw_pop3_client_callbacks. */
typedef int (*mw_pop3_client_data_fn)(mw_pop3_client *c, void *user,
                                      const char *p, size_t n);

/** Type of the `end` member of ::mw_pop3_client_callbacks. */
typedef int (*mw_pop3_client_end_fn)(mw_pop3_client *c, void *user, int cmd);

/** Type of the `challenge` member of ::mw_pop3_client_callbacks. */
typedef int (*mw_pop3_client_challenge_fn)(mw_pop3_client *c, void *user,
                                           const char *p, size_t n);

/** Type of the `error` member of ::mw_pop3_client_callbacks. */
typedef int (*mw_pop3_client_error_fn)(mw_pop3_client *c, void *user,
                                       int status, size_t offset,
                                       const char *reason);

/**
 * @brief Client callbacks, copied by mw_pop3_client_init(); members may
 *        be NULL except `send`. Return 0 to go on, #MW_PAUSED to make feed
 *        return after this event, negative to abort (#MW_E_CALLBACK, the
 *        session is closed).
 */
typedef struct mw_pop3_client_callbacks {
    /** Bytes to send to the server: one command line per call (a SASL
     *  response longer than the command buffer may take several). */
    mw_pop3_client_send_fn send;
    /** The greeting, and the status line of each reply. */
    mw_pop3_client_reply_fn reply;
    /** A line of a multi-line LIST, UIDL or LANG answer. */
    mw_pop3_client_listing_fn listing;
    /** A line of a CAPA answer (the capability set is updated first). */
    mw_pop3_client_capability_fn capability;
    /** Unstuffed bytes of a RETR or TOP body, in chunks (a span into the
     *  fed input whenever possible). */
    mw_pop3_client_data_fn data;
    /** The end of a multi-line answer to command `cmd`. */
    mw_pop3_client_end_fn end;
    /** A decoded SASL challenge (for the built-in mechanisms, e.g. the JSON
     *  error of XOAUTH2); informational. */
    mw_pop3_client_challenge_fn challenge;
    /** A recoverable problem (malformed listing line, bare LF in a body,
     *  over-long line...) or the fatal one that ended the session. */
    mw_pop3_client_error_fn error;
} mw_pop3_client_callbacks;

/** @cond PRIVATE */
typedef struct mw__pop3_pending {
    uint32_t msg;
    uint8_t cmd;
    uint8_t flags;
    uint8_t reserved_[2];
} mw__pop3_pending;

struct mw_pop3_client {
    mw_line line;
    mw_dot_unstuff dot;
    mw_pop3_client_callbacks cb;
    void *user;
    char *abuf;             /* SASL scratch: the caller's buffer after the line part */
    size_t abuf_len;
    size_t max_line, max_auth_line;
    mw_sasl_step_fn step;
    void *step_user;
    size_t resp_off, resp_len;   /* a pending SASL response in abuf */
    size_t resp2_off, resp2_len; /* LOGIN: the password's response */
    mw_error err;
    mw_pop3_capa capa;
    mw_md5 apop;            /* MD5 state after the greeting's timestamp */
    mw__pop3_pending q[MW_POP3_CLIENT_PIPELINE_MAX];
    uint8_t qhead, qcount, qmax, phase;
    uint8_t io, flags, has_ts, tls;
    uint8_t mech, sasl_step, resp_b64, auth_inflight;
    uint8_t newline, body_newline, utf8, sasl_last;
    char out[MW_POP3_CMD_LINE_MAX + 1u];
};
/** @endcond */

/**
 * @brief Size of ::mw_pop3_client.
 * @return sizeof(mw_pop3_client) (at most 1024).
 */
MW_API size_t mw_pop3_client_sizeof(void);

/**
 * @brief Fill a client configuration with the defaults (RFC 2449 §4
 *        limits, pipelining when offered, strict line ends).
 * @param cfg the configuration; MUST NOT be NULL.
 */
MW_API void mw_pop3_client_config_init(mw_pop3_client_config *cfg);

/**
 * @brief Set up a client machine, waiting for the greeting.
 *
 * The buffer holds a reply line cut by the end of a fed chunk (its first
 * max(max_line, max_auth_line) bytes); the rest serves AUTH, to build
 * SASL responses (PLAIN, LOGIN, XOAUTH2 and the step hook need up to
 * max_auth_line bytes there; with less, they return #MW_E_NOSPACE).
 *
 * @param c       the context (caller memory).
 * @param cfg     configuration, copied; NULL for the defaults.
 * @param cb      callbacks, copied; `send` is required.
 * @param user    passed to every callback.
 * @param linebuf the buffer; MUST outlive `c`.
 * @param linebuf_len its size: at least max(max_line, max_auth_line)
 *                (#MW_POP3_CLIENT_LINEBUF_SIZE with the defaults and
 *                AUTH).
 * @return #MW_OK; #MW_E_INVAL (NULL pointers, no `send`, bad limits or
 *         policy, buffer too small).
 */
MW_API int mw_pop3_client_init(mw_pop3_client *c,
                               const mw_pop3_client_config *cfg,
                               const mw_pop3_client_callbacks *cb, void *user,
                               char *linebuf, size_t linebuf_len);

/**
 * @brief Feed bytes received from the server.
 *
 * Every reply is matched to the oldest command in flight. A status line
 * that is neither "+OK" nor "-ERR", an unsolicited "+OK", or bytes behind
 * the "+OK" to STLS (response injection, CVE-2020-15953 class) end the
 * session: feed returns a negative status and the context only reports
 * #MW_E_CLOSED afterwards.
 *
 * @param c        the client.
 * @param in       the bytes; may be NULL when `len` is 0.
 * @param len      their number.
 * @param consumed receives the number used (always set).
 * @return #MW_OK (all used); #MW_PAUSED (a callback paused; feed the rest
 *         again); #MW_DONE (the reply to QUIT was read: the session is
 *         over; bytes after it are not used);
 *         #MW_E_SYNTAX (a status line that is neither +OK nor -ERR, an
 *         unsolicited +OK: fatal);
 *         #MW_E_INJECTION (bytes after the +OK to STLS before
 *         mw_pop3_client_tls_done(): fatal, response injection);
 *         #MW_E_CALLBACK (a callback aborted or `send` failed: fatal);
 *         #MW_E_CLOSED (already over); #MW_E_INVAL (NULL pointers).
 */
MW_API int mw_pop3_client_feed(mw_pop3_client *c, const void *in, size_t len,
                               size_t *consumed);

/** @name Client commands
 *
 * Each formats one command line (RFC 1939, RFC 2449, RFC 2595, RFC 5034,
 * RFC 6856), sends it with one `send` call and queues it for its reply.
 * All return #MW_OK, or without sending anything:
 * #MW_E_INVAL for an argument with CR, LF or NUL (command injection,
 * field-notes §4.3), an empty one, a message number 0, or in UTF-8 mode
 * (RFC 6856) a USER or PASS argument that is not UTF-8;
 * #MW_E_TOO_LONG when the line would exceed 255 octets (RFC 2449 §4);
 * #MW_E_STATE when the command may not be sent now: no greeting yet, the
 * wrong RFC 1939 state, another command in flight without PIPELINING (or
 * the queue full, or STLS/AUTH in flight), waiting for TLS, credentials
 * before TLS under #MW_POP3_CLIENT_REQUIRE_TLS, the session closed;
 * #MW_E_CALLBACK when `send` failed (the session is closed).
 * Message numbers are 1-based (RFC 1939 §5).
 *  @{ */

/** @brief USER name (RFC 1939 §7). @param c the client.
 *  @param name the mailbox name; not ending with a space (servers drop
 *  trailing spaces). @param n its length.
 *  @return see the group description. */
MW_API int mw_pop3_client_user(mw_pop3_client *c, const char *name, size_t n);
/** @brief PASS string (RFC 1939 §7); spaces are allowed. Only right after
 *  a USER that was not refused (#MW_E_STATE otherwise: the server would
 *  refuse it).
 *  @param c the client. @param pass the password. @param n its length.
 *  @return see the group description. */
MW_API int mw_pop3_client_pass(mw_pop3_client *c, const char *pass, size_t n);
/**
 * @brief APOP name digest (RFC 1939 §7), the digest computed from the
 *        greeting's timestamp and the secret.
 * @param c      the client.
 * @param name   the mailbox name; no spaces.
 * @param n      its length.
 * @param secret the shared secret (any bytes; hashed, never sent).
 * @param slen   its length.
 * @return see the group description; #MW_E_STATE also when the greeting
 *         had no valid timestamp (mw_sasl_apop_find_timestamp()).
 */
MW_API int mw_pop3_client_apop(mw_pop3_client *c, const char *name, size_t n,
                               const void *secret, size_t slen);
/** @brief STAT. @param c the client. @return see the group description. */
MW_API int mw_pop3_client_stat(mw_pop3_client *c);
/** @brief LIST, or LIST msg. @param c the client.
 *  @param msg the message number, or 0 for the whole list (multi-line).
 *  @return see the group description. */
MW_API int mw_pop3_client_list(mw_pop3_client *c, uint32_t msg);
/** @brief RETR msg. @param c the client. @param msg the message number.
 *  @return see the group description. */
MW_API int mw_pop3_client_retr(mw_pop3_client *c, uint32_t msg);
/** @brief DELE msg. @param c the client. @param msg the message number.
 *  @return see the group description. */
MW_API int mw_pop3_client_dele(mw_pop3_client *c, uint32_t msg);
/** @brief NOOP. @param c the client. @return see the group description. */
MW_API int mw_pop3_client_noop(mw_pop3_client *c);
/** @brief RSET. @param c the client. @return see the group description. */
MW_API int mw_pop3_client_rset(mw_pop3_client *c);
/** @brief QUIT (any state). @param c the client.
 *  @return see the group description. */
MW_API int mw_pop3_client_quit(mw_pop3_client *c);
/** @brief TOP msg n. @param c the client. @param msg the message number.
 *  @param lines body lines wanted (0 for the header only).
 *  @return see the group description. */
MW_API int mw_pop3_client_top(mw_pop3_client *c, uint32_t msg,
                              uint32_t lines);
/** @brief UIDL, or UIDL msg. @param c the client.
 *  @param msg the message number, or 0 for the whole list.
 *  @return see the group description. */
MW_API int mw_pop3_client_uidl(mw_pop3_client *c, uint32_t msg);
/** @brief CAPA (RFC 2449 §5); the answer replaces the capability set.
 *  @param c the client. @return see the group description. */
MW_API int mw_pop3_client_capa(mw_pop3_client *c);
/** @brief STLS (RFC 2595 §4); only with nothing else in flight.
 *  @param c the client. @return see the group description. */
MW_API int mw_pop3_client_stls(mw_pop3_client *c);
/**
 * @brief LANG (RFC 6856 §3): choose the language of the server's texts,
 *        or ask for the languages it offers.
 *
 * With a range, the +OK reply carries the chosen tag in
 * ::mw_pop3_reply::lang. Without one, the +OK answer is multi-line: each
 * language arrives through the `listing` callback (::mw_pop3_listing::lang
 * and ::mw_pop3_listing::description), then `end`.
 *
 * @param c     the client, in AUTHORIZATION or TRANSACTION.
 * @param range "*" or a basic language range (RFC 4647 §2.1: 1*8ALPHA
 *              *("-" 1*8alphanum)), or NULL for the listing.
 * @param n     the length of range (0 with NULL).
 * @return #MW_OK; #MW_E_INVAL for a malformed range; #MW_E_STATE when it
 *         cannot be sent now; #MW_E_CALLBACK when `send` failed.
 */
MW_API int mw_pop3_client_lang(mw_pop3_client *c, const char *range,
                               size_t n);

/** @brief UTF8 (RFC 6856 §2). @param c the client.
 *  @return see the group description. */
MW_API int mw_pop3_client_utf8(mw_pop3_client *c);

/**
 * @brief AUTH PLAIN (RFC 4616, RFC 5034 §4), encoded with
 *        mw_sasl_plain_encode(); sent as an initial response when the
 *        command fits 255 octets, else after the server's "+".
 * @param c    the client, with nothing in flight.
 * @param authzid authorization identity (may be empty). @param zlen its length.
 * @param user authentication identity. @param ulen its length.
 * @param pass password. @param plen its length.
 * @return see the group description; #MW_E_NOSPACE when the encoded
 *         message does not fit the SASL buffer or max_auth_line.
 */
MW_API int mw_pop3_client_auth_plain(mw_pop3_client *c, const char *authzid,
                                     size_t zlen, const char *user,
                                     size_t ulen, const char *pass,
                                     size_t plen);
/**
 * @brief AUTH LOGIN: the user name and the password answer the server's
 *        two challenges (encoded with mw_sasl_login_encode()).
 * @param c the client. @param user user name. @param ulen its length.
 * @param pass password. @param plen its length.
 * @return see the group description; #MW_E_NOSPACE.
 */
MW_API int mw_pop3_client_auth_login(mw_pop3_client *c, const char *user,
                                     size_t ulen, const char *pass,
                                     size_t plen);
/**
 * @brief AUTH XOAUTH2 (encoded with mw_sasl_xoauth2_encode()). When the
 *        server answers the token with a challenge (its JSON error), the
 *        machine passes it to `challenge` and sends the empty response the
 *        mechanism requires; the server then fails the exchange.
 * @param c the client. @param user the account. @param ulen its length.
 * @param token the access token. @param tlen its length.
 * @return see the group description; #MW_E_NOSPACE.
 */
MW_API int mw_pop3_client_auth_xoauth2(mw_pop3_client *c, const char *user,
                                       size_t ulen, const char *token,
                                       size_t tlen);
/**
 * @brief AUTH with any mechanism, driven by a ::mw_sasl_step_fn hook
 *        (sasl.h): called first for the initial response, then once per
 *        server challenge (decoded); the machine encodes and sends what it
 *        writes, or "*" when it fails.
 * @param c    the client, with nothing in flight.
 * @param mech the mechanism name (NUL-terminated; 1 to 20 characters of
 *             A-Z, 0-9, '-', '_', RFC 4422 §3.1).
 * @param step the hook.
 * @param step_user passed to the hook.
 * @return see the group description; #MW_E_NOSPACE when the SASL buffer
 *         is missing.
 */
MW_API int mw_pop3_client_auth(mw_pop3_client *c, const char *mech,
                               mw_sasl_step_fn step, void *step_user);
/** @} */

/**
 * @brief TLS is up after the +OK to STLS: the capabilities are forgotten
 *        (RFC 2595 §4); send CAPA again.
 * @param c the client, waiting for TLS (#MW_POP3_WANT_TLS).
 * @return #MW_OK; #MW_E_STATE when not waiting for TLS.
 */
MW_API int mw_pop3_client_tls_done(mw_pop3_client *c);

/**
 * @brief The server closed the connection.
 * @param c the client.
 * @return #MW_OK when nothing was expected (after QUIT); #MW_E_INCOMPLETE
 *         when replies were still expected (reported to `error`). The
 *         session is over either way.
 */
MW_API int mw_pop3_client_eof(mw_pop3_client *c);

/**
 * @brief What the client machine waits for.
 * @param c the client.
 * @return MW_POP3_WANT_* bits: INPUT (replies or the greeting expected),
 *         SEND (a command may be sent), TLS, CLOSED.
 */
MW_API unsigned mw_pop3_client_want(const mw_pop3_client *c);

/**
 * @brief The RFC 1939 state of the session as the client knows it.
 * @param c the client.
 * @return a ::mw_pop3_state value.
 */
MW_API int mw_pop3_client_state(const mw_pop3_client *c);

/**
 * @brief Commands sent and not yet answered.
 * @param c the client.
 * @return the count.
 */
MW_API unsigned mw_pop3_client_in_flight(const mw_pop3_client *c);

/**
 * @brief The server's capabilities from its last CAPA answer (all zero
 *        before one, and again after STLS).
 * @param c the client.
 * @return a pointer into the context, valid while it is.
 */
MW_API const mw_pop3_capa *mw_pop3_client_capabilities(const mw_pop3_client *c);

/**
 * @brief The last error the client machine reported.
 * @param c   the client.
 * @param err receives status, offset and reason.
 * @return the status (#MW_OK when there was none).
 */
MW_API int mw_pop3_client_error(const mw_pop3_client *c, mw_error *err);

#endif /* client */

#ifdef __cplusplus
}
#endif

#endif /* MAILWIRE_POP3_H */
