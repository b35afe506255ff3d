/* SPDX-License-Identifier: MIT */
/**
 * @file imap.h
 * @brief IMAP4rev1 (RFC 3501) and IMAP4rev2 (RFC 9051): the types and the
 *        grammar both roles share, and the role headers of this build.
 *
 * This header is the IMAP umbrella. It defines what the server machine
 * (imap_server.h, with the parsed commands of imap_command.h) and the
 * client machine (imap_client.h, with the parsed responses of
 * imap_response.h) have in common, and includes the role headers that the
 * build contains (`MW_ENABLE_IMAP_SERVER`, `MW_ENABLE_IMAP_CLIENT` in
 * features.h):
 *
 * - the conventions for IMAP strings in spans (NIL, atoms, quoted strings,
 *   literals);
 * - sequence sets (::mw_imap_seqset, RFC 9051 §9 `sequence-set`), kept as
 *   validated text and iterated without allocation;
 * - flag lists (::mw_imap_flags) with the system flags as bits;
 * - date-times (::mw_imap_datetime, RFC 9051 §9 `date-time`);
 * - capabilities as bits (::mw_imap_caps);
 * - the ENVELOPE (::mw_imap_envelope) and BODYSTRUCTURE (::mw_imap_body)
 *   values, which the client parses into and the server formats from;
 * - response codes (::mw_imap_code, RFC 9051 §7.1 and the extensions);
 * - modified UTF-7 mailbox names (RFC 3501 §5.1.3).
 *
 * ## Strings
 *
 * Every IMAP string value (atom, quoted string, literal) is handed over as
 * an ::mw_span holding its content: quotes and the backslash escapes of a
 * quoted string removed, the `{n}` prefix of a literal removed. NIL is a
 * span whose `ptr` is NULL (and `len` 0); the empty string "" has a
 * non-NULL `ptr` and `len` 0. A literal's content may hold any byte
 * including CR, LF and NUL (literal8, RFC 3516): treat values as bytes with
 * a length, never as C strings.
 *
 * Nothing here allocates. Structured values that need memory (ENVELOPE,
 * BODYSTRUCTURE, search keys) are built in an arena the caller gives the
 * machine; they stay valid until the callback that carries them returns.
 *
 * ## Helpers
 *
 * The grammar pieces are also public, for applications that handle the
 * values the machines deliver or build the ones they send:
 * mw_imap_seqset_parse() and mw_imap_seq_next() (sequence sets),
 * mw_imap_flags_parse() and mw_imap_flags_next() (flag lists),
 * mw_imap_datetime_parse(), mw_imap_date_parse() and their _format()
 * counterparts, mw_imap_caps_parse() (capabilities to bits),
 * mw_imap_mutf7_decode() / mw_imap_mutf7_encode() (mailbox names), and the
 * names of command and response code ids. None of them keeps state.
 *
 * @code
 * mw_imap_seqset set;
 * mw_imap_seq_iter it;
 * uint32_t lo, hi;
 * if (mw_imap_seqset_parse("1:5,9,20:*", 10, &set, NULL) == MW_OK) {
 *     mw_imap_seq_iter_init(&it, &set, highest_uid);
 *     while (mw_imap_seq_next(&it, &lo, &hi))
 *         mark_range(lo, hi);            // lo <= hi, "*" = highest_uid
 * }
 *
 * char name[256];
 * size_t n;
 * // "~peter/mail/&U,BTFw-/&ZeVnLIqe-" (RFC 3501 §5.1.3) -> UTF-8
 * if (mw_imap_mutf7_decode(wire, wire_len, name, sizeof name, &n, NULL)
 *     == MW_OK)
 *     show(name, n);
 * @endcode
 */
#ifndef MAILWIRE_IMAP_H
#define MAILWIRE_IMAP_H

#include "core.h"
#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================== */
/** @name Limits (defaults of the machines' configurations)
 *  @{ */
/** Longest command line a server accepts, literals excluded (RFC 7162
 *  §4 recommends at least 8192 octets). */
#define MW_IMAP_COMMAND_LINE_DEFAULT 8192u
/** Longest response text a client keeps for parsing, inline literals
 *  included (a FETCH of ENVELOPE and BODYSTRUCTURE of one message).
 *  Body sections and APPEND data are streamed and do not count. */
#define MW_IMAP_RESPONSE_DEFAULT 65536u
/** Deepest nesting of parenthesised lists (BODYSTRUCTURE, search keys,
 *  THREAD, extension data). */
#define MW_IMAP_DEPTH_DEFAULT 64u
/** Largest literal a server accepts inside a command other than APPEND
 *  (a mailbox name, a password, a search string). */
#define MW_IMAP_LITERAL_DEFAULT 4096u
/** Largest non-synchronising literal of RFC 7888 §4 (LITERAL-). */
#define MW_IMAP_LITERAL_MINUS_MAX 4096u
/** Longest tag kept by the machines. */
#define MW_IMAP_TAG_MAX 64u
/** @} */

/* ====================================================================== */
/**
 * @brief Status of a status response (RFC 9051 §7.1).
 */
typedef enum mw_imap_result {
    MW_IMAP_OK = 0,      /**< OK */
    MW_IMAP_NO = 1,      /**< NO */
    MW_IMAP_BAD = 2,     /**< BAD */
    MW_IMAP_PREAUTH = 3, /**< PREAUTH (greeting only) */
    MW_IMAP_BYE = 4      /**< BYE */
} mw_imap_result;

/**
 * @brief Connection states (RFC 9051 §3).
 */
typedef enum mw_imap_state {
    MW_IMAP_STATE_GREETING = 0,       /**< before the greeting (client) */
    MW_IMAP_STATE_NOT_AUTHENTICATED = 1, /**< Not Authenticated */
    MW_IMAP_STATE_AUTHENTICATED = 2,  /**< Authenticated */
    MW_IMAP_STATE_SELECTED = 3,       /**< Selected */
    MW_IMAP_STATE_LOGOUT = 4          /**< Logout: the connection ends */
} mw_imap_state;

/* ====================================================================== */
/**
 * @brief Command identifiers, shared by the server's parsed commands and
 *        the client's completions. Values are part of the ABI.
 *
 * A UID command (UID FETCH, UID SEARCH...) has the id of the command it
 * wraps and the #MW_IMAP_CMDF_UID flag where a flags field exists.
 */
typedef enum mw_imap_cmd_id {
    MW_IMAP_CMD_NONE = 0,        /**< no command (greeting, unsolicited) */
    MW_IMAP_CMD_CAPABILITY = 1,  /**< CAPABILITY (RFC 9051 §6.1.1) */
    MW_IMAP_CMD_NOOP = 2,        /**< NOOP (§6.1.2) */
    MW_IMAP_CMD_LOGOUT = 3,      /**< LOGOUT (§6.1.3) */
    MW_IMAP_CMD_STARTTLS = 4,    /**< STARTTLS (§6.2.1) */
    MW_IMAP_CMD_AUTHENTICATE = 5, /**< AUTHENTICATE (§6.2.2, SASL-IR RFC 4959) */
    MW_IMAP_CMD_LOGIN = 6,       /**< LOGIN (§6.2.3) */
    MW_IMAP_CMD_ENABLE = 7,      /**< ENABLE (RFC 5161) */
    MW_IMAP_CMD_SELECT = 8,      /**< SELECT (§6.3.2) */
    MW_IMAP_CMD_EXAMINE = 9,     /**< EXAMINE (§6.3.3) */
    MW_IMAP_CMD_CREATE = 10,     /**< CREATE (§6.3.4) */
    MW_IMAP_CMD_DELETE = 11,     /**< DELETE (§6.3.5) */
    MW_IMAP_CMD_RENAME = 12,     /**< RENAME (§6.3.6) */
    MW_IMAP_CMD_SUBSCRIBE = 13,  /**< SUBSCRIBE (§6.3.7) */
    MW_IMAP_CMD_UNSUBSCRIBE = 14, /**< UNSUBSCRIBE (§6.3.8) */
    MW_IMAP_CMD_LIST = 15,       /**< LIST (§6.3.9, RFC 5258, RFC 5819) */
    MW_IMAP_CMD_LSUB = 16,       /**< LSUB (RFC 3501 §6.3.9) */
    MW_IMAP_CMD_NAMESPACE = 17,  /**< NAMESPACE (§6.3.10, RFC 2342) */
    MW_IMAP_CMD_STATUS = 18,     /**< STATUS (§6.3.11) */
    MW_IMAP_CMD_APPEND = 19,     /**< APPEND (§6.3.12, MULTIAPPEND RFC 3502) */
    MW_IMAP_CMD_IDLE = 20,       /**< IDLE (§6.3.13, RFC 2177) */
    MW_IMAP_CMD_CHECK = 21,      /**< CHECK (RFC 3501 §6.4.1) */
    MW_IMAP_CMD_CLOSE = 22,      /**< CLOSE (§6.4.1) */
    MW_IMAP_CMD_UNSELECT = 23,   /**< UNSELECT (§6.4.2, RFC 3691) */
    MW_IMAP_CMD_EXPUNGE = 24,    /**< EXPUNGE and UID EXPUNGE (§6.4.3, RFC 4315) */
    MW_IMAP_CMD_SEARCH = 25,     /**< SEARCH (§6.4.4, ESEARCH RFC 4731) */
    MW_IMAP_CMD_FETCH = 26,      /**< FETCH (§6.4.5) */
    MW_IMAP_CMD_STORE = 27,      /**< STORE (§6.4.6) */
    MW_IMAP_CMD_COPY = 28,       /**< COPY (§6.4.7) */
    MW_IMAP_CMD_MOVE = 29,       /**< MOVE (§6.4.8, RFC 6851) */
    MW_IMAP_CMD_UID = 30,        /**< reserved: UID forms carry their own id */
    MW_IMAP_CMD_ID = 31,         /**< ID (RFC 2971) */
    MW_IMAP_CMD_COMPRESS = 32,   /**< COMPRESS (RFC 4978) */
    MW_IMAP_CMD_GETQUOTA = 33,   /**< GETQUOTA (RFC 9208) */
    MW_IMAP_CMD_GETQUOTAROOT = 34, /**< GETQUOTAROOT (RFC 9208) */
    MW_IMAP_CMD_SETQUOTA = 35,   /**< SETQUOTA (RFC 9208) */
    MW_IMAP_CMD_SORT = 36,       /**< SORT (RFC 5256) */
    MW_IMAP_CMD_THREAD = 37,     /**< THREAD (RFC 5256) */
    MW_IMAP_CMD_GETMETADATA = 38, /**< GETMETADATA (RFC 5464) */
    MW_IMAP_CMD_SETMETADATA = 39, /**< SETMETADATA (RFC 5464) */
    MW_IMAP_CMD_DONE = 40,       /**< DONE, the end of IDLE (not tagged) */
    MW_IMAP_CMD_OTHER = 63       /**< a command the library does not know */
} mw_imap_cmd_id;

/**
 * @brief Name of a command id ("FETCH"), "?" for an unknown id.
 * @param id an ::mw_imap_cmd_id.
 * @return a static string, never NULL.
 */
MW_API const char *mw_imap_cmd_name(int id);

/* ====================================================================== */
/** @name Command flags (::mw_imap_cmd::flags on the server,
 *        ::mw_imap_status::cmd_flags on the client)
 *  @{ */
/** The command came in its UID form (RFC 9051 §6.4.9). */
#define MW_IMAP_CMDF_UID 0x0001u
/** The command line held a literal (any kind). */
#define MW_IMAP_CMDF_LITERAL 0x0002u
/** The command line held a non-synchronising literal (RFC 7888). */
#define MW_IMAP_CMDF_NONSYNC 0x0004u
/** The command line held a literal8 (RFC 3516 `~{n}`). */
#define MW_IMAP_CMDF_LITERAL8 0x0008u
/** @} */

/* ====================================================================== */
/** @name STATUS items as bits (RFC 9051 §6.3.11, RFC 7162, RFC 8438,
 *        RFC 7889, RFC 8474, RFC 9208): the items a STATUS command asks
 *        for (server) and those a STATUS response holds (client,
 *        ::mw_imap_mbox_status::has)
 *  @{ */
#define MW_IMAP_STATUS_MESSAGES 0x0001u      /**< MESSAGES */
#define MW_IMAP_STATUS_RECENT 0x0002u        /**< RECENT (IMAP4rev1) */
#define MW_IMAP_STATUS_UIDNEXT 0x0004u       /**< UIDNEXT */
#define MW_IMAP_STATUS_UIDVALIDITY 0x0008u   /**< UIDVALIDITY */
#define MW_IMAP_STATUS_UNSEEN 0x0010u        /**< UNSEEN */
#define MW_IMAP_STATUS_DELETED 0x0020u       /**< DELETED (RFC 9051) */
#define MW_IMAP_STATUS_SIZE 0x0040u          /**< SIZE (RFC 8438) */
#define MW_IMAP_STATUS_HIGHESTMODSEQ 0x0080u /**< HIGHESTMODSEQ (RFC 7162) */
#define MW_IMAP_STATUS_APPENDLIMIT 0x0100u   /**< APPENDLIMIT (RFC 7889) */
#define MW_IMAP_STATUS_MAILBOXID 0x0200u     /**< MAILBOXID (RFC 8474) */
#define MW_IMAP_STATUS_DELETED_STORAGE 0x0400u /**< DELETED-STORAGE (RFC 9208) */
#define MW_IMAP_STATUS_OTHER 0x8000u         /**< an item not known by name (see raw) */
/** @} */

/* ====================================================================== */
/**
 * @brief A sequence set (RFC 9051 §9 `sequence-set`), or `$` (RFC 5182).
 *
 * The parser validates the text and keeps it; iterate the ranges with
 * mw_imap_seq_iter_init() and mw_imap_seq_next(). `*` stands for the
 * largest number in use, which the application supplies when iterating.
 */
typedef struct mw_imap_seqset {
    mw_span text;     /**< the validated text, e.g. "1:5,7,10:*" (empty for `$`) */
    uint32_t ranges;  /**< number of comma-separated elements */
    uint8_t dollar;   /**< 1 for `$`: the saved search result (SEARCHRES) */
    uint8_t has_star; /**< 1 when an element uses `*` */
    uint8_t reserved_[2]; /**< reserved, 0 */
} mw_imap_seqset;

/**
 * @brief Iterator over the ranges of an ::mw_imap_seqset.
 */
typedef struct mw_imap_seq_iter {
    const char *p;    /**< @private next element */
    const char *end;  /**< @private end of the text */
    uint32_t star;    /**< the value `*` stands for */
    uint32_t reserved_; /**< reserved */
} mw_imap_seq_iter;

/**
 * @brief Parse and validate a sequence set (RFC 9051 §9 `sequence-set`:
 *        `seq-number` or `seq-range`, comma-separated; `*` allowed) or the
 *        saved result `$` (RFC 5182).
 *
 * Numbers are `nz-number`: 1..4294967295, no leading zero. Ranges may be
 * written either way round ("5:1" is the same as "1:5", RFC 9051 §9).
 * The whole of `text` must be the set (no spaces, nothing after it).
 *
 * @param text  the set, not NUL-terminated; may be NULL when `n` is 0.
 * @param n     its length.
 * @param out   optional: receives the set; `out->text` points into `text`
 *              (valid as long as `text` is).
 * @param err   optional: offset (into `text`) and reason of an error.
 * @return #MW_OK; #MW_E_SYNTAX (empty, a bad character, 0, a leading zero,
 *         a missing number around ':' or ','); #MW_E_OVERFLOW (a number
 *         above 4294967295); #MW_E_INVAL (`text` NULL with `n` > 0).
 */
MW_API int mw_imap_seqset_parse(const char *text, size_t n,
                                mw_imap_seqset *out, mw_error *err);

/**
 * @brief The same as mw_imap_seqset_parse() (the set is kept as text, so
 *        parsing is all that "from text" takes).
 * @param text  the set.
 * @param n     its length.
 * @param out   optional: receives the set (points into `text`).
 * @param err   optional: error details.
 * @return as mw_imap_seqset_parse().
 */
MW_API int mw_imap_seqset_from_text(const char *text, size_t n,
                                    mw_imap_seqset *out, mw_error *err);

/**
 * @brief Start iterating the ranges of a set.
 * @param it    the iterator to set up.
 * @param set   a set filled by mw_imap_seqset_parse() (or by a machine's
 *              parser); it must stay valid, with the text it points to,
 *              while the iterator is used. `$` has no ranges.
 * @param star  the value `*` stands for (the largest number in use: the
 *              message count or the highest UID).
 */
MW_API void mw_imap_seq_iter_init(mw_imap_seq_iter *it,
                                  const mw_imap_seqset *set, uint32_t star);

/**
 * @brief The next range of the set, normalised so that lo <= hi, with `*`
 *        replaced by the iterator's star value. A single number gives
 *        lo == hi. Ranges come in the order written; they may overlap
 *        (the RFC allows it), and nothing is merged.
 * @param it  the iterator.
 * @param lo  optional: receives the low end.
 * @param hi  optional: receives the high end.
 * @return 1 with a range, 0 at the end.
 */
MW_API int mw_imap_seq_next(mw_imap_seq_iter *it, uint32_t *lo, uint32_t *hi);

/* ====================================================================== */
/** @name System flags as bits (::mw_imap_flags::system)
 *  @{ */
#define MW_IMAP_FLAG_SEEN 0x01u      /**< \\Seen */
#define MW_IMAP_FLAG_ANSWERED 0x02u  /**< \\Answered */
#define MW_IMAP_FLAG_FLAGGED 0x04u   /**< \\Flagged */
#define MW_IMAP_FLAG_DELETED 0x08u   /**< \\Deleted */
#define MW_IMAP_FLAG_DRAFT 0x10u     /**< \\Draft */
#define MW_IMAP_FLAG_RECENT 0x20u    /**< \\Recent (IMAP4rev1 only) */
#define MW_IMAP_FLAG_WILDCARD 0x40u  /**< \\* in PERMANENTFLAGS: new keywords allowed */
/** @} */

/** @name Mailbox attributes of LIST/LSUB responses as bits
 *  (::mw_imap_list::attrs on the client, ::mw_imap_list_reply::attrs on
 *  the server): RFC 9051 §7.3.1, RFC 5258 §3, RFC 3348, RFC 6154 §2,
 *  RFC 8457, Gmail XLIST. The server writes the bits up to
 *  #MW_IMAP_LIST_IMPORTANT; the Gmail XLIST bits and #MW_IMAP_LIST_OTHER
 *  are only reported by the client (a server sends others through
 *  ::mw_imap_list_reply::other_attrs).
 *  @{ */
#define MW_IMAP_LIST_NOINFERIORS 0x00000001u   /**< \\Noinferiors */
#define MW_IMAP_LIST_NOSELECT 0x00000002u      /**< \\Noselect */
#define MW_IMAP_LIST_MARKED 0x00000004u        /**< \\Marked */
#define MW_IMAP_LIST_UNMARKED 0x00000008u      /**< \\Unmarked */
#define MW_IMAP_LIST_NONEXISTENT 0x00000010u   /**< \\NonExistent (RFC 5258) */
#define MW_IMAP_LIST_SUBSCRIBED 0x00000020u    /**< \\Subscribed (RFC 5258) */
#define MW_IMAP_LIST_REMOTE 0x00000040u        /**< \\Remote (RFC 5258) */
#define MW_IMAP_LIST_HASCHILDREN 0x00000080u   /**< \\HasChildren (RFC 3348) */
#define MW_IMAP_LIST_HASNOCHILDREN 0x00000100u /**< \\HasNoChildren (RFC 3348) */
#define MW_IMAP_LIST_ALL 0x00000200u           /**< \\All (RFC 6154) */
#define MW_IMAP_LIST_ARCHIVE 0x00000400u       /**< \\Archive (RFC 6154) */
#define MW_IMAP_LIST_DRAFTS 0x00000800u        /**< \\Drafts (RFC 6154) */
#define MW_IMAP_LIST_FLAGGED 0x00001000u       /**< \\Flagged (RFC 6154) */
#define MW_IMAP_LIST_JUNK 0x00002000u          /**< \\Junk (RFC 6154) */
#define MW_IMAP_LIST_SENT 0x00004000u          /**< \\Sent (RFC 6154) */
#define MW_IMAP_LIST_TRASH 0x00008000u         /**< \\Trash (RFC 6154) */
#define MW_IMAP_LIST_IMPORTANT 0x00010000u     /**< \\Important (RFC 8457) */
#define MW_IMAP_LIST_INBOX 0x00020000u         /**< \\Inbox (Gmail XLIST) */
#define MW_IMAP_LIST_ALLMAIL 0x00040000u       /**< \\AllMail (Gmail XLIST; mapped also to \\All) */
#define MW_IMAP_LIST_SPAM 0x00080000u          /**< \\Spam (Gmail XLIST; mapped also to \\Junk) */
#define MW_IMAP_LIST_STARRED 0x00100000u       /**< \\Starred (Gmail XLIST; mapped also to \\Flagged) */
#define MW_IMAP_LIST_OTHER 0x80000000u         /**< an attribute not known by name (see attr_text) */
/** @} */

/**
 * @brief A flag list (RFC 9051 §9 `flag-list`, `flag-fetch`,
 *        `flag-perm`): system flags as bits, every flag (system flags,
 *        keywords and other `\\` extensions) in the kept text.
 *
 * Iterate the individual flags with mw_imap_flags_next().
 */
typedef struct mw_imap_flags {
    mw_span text;     /**< the flags inside the parentheses, separated by SP */
    uint32_t count;   /**< number of flags */
    unsigned system;  /**< MW_IMAP_FLAG_* bits of the system flags present */
} mw_imap_flags;

/**
 * @brief Parse a flag list (RFC 9051 §9 `flag-list`; with `perm`,
 *        `flag-perm` elements as in PERMANENTFLAGS).
 *
 * `text` is either the whole list with its parentheses, "(\\Seen $Junk)",
 * or only what is between them, "\\Seen $Junk" (an empty text is an empty
 * list). Flags are separated by exactly one SP. Each flag is
 * `"\\" atom` (a system flag or a flag extension; `\\Recent` is taken
 * for IMAP4rev1 FETCH responses) or an atom (a keyword); `\\*` only with
 * `perm`. System flag names are case-insensitive.
 *
 * @param text  the list, not NUL-terminated; may be NULL when `n` is 0.
 * @param n     its length.
 * @param perm  nonzero to allow `\\*` (#MW_IMAP_FLAG_WILDCARD).
 * @param out   optional: receives the flags; `out->text` is the part
 *              between the parentheses and points into `text`.
 * @param err   optional: offset (into `text`) and reason of an error.
 * @return #MW_OK; #MW_E_SYNTAX (a character that is not an ATOM-CHAR, two
 *         spaces, a missing parenthesis, `\\*` without `perm`);
 *         #MW_E_INVAL (`text` NULL with `n` > 0).
 */
MW_API int mw_imap_flags_parse(const char *text, size_t n, int perm,
                               mw_imap_flags *out, mw_error *err);

/**
 * @brief Iterate the flags of a list, one at a time, as written
 *        (`\\Seen`, `$Forwarded`, `\\*`).
 * @param f     the flags (from mw_imap_flags_parse() or a parser).
 * @param pos   the position: 0 before the first call; updated.
 * @param flag  optional: receives the flag (points into `f->text`).
 * @return 1 with a flag, 0 at the end.
 */
MW_API int mw_imap_flags_next(const mw_imap_flags *f, size_t *pos,
                              mw_span *flag);

/* ====================================================================== */
/**
 * @brief A date-time (RFC 9051 §9 `date-time`: "dd-Mon-yyyy hh:mm:ss
 *        +zzzz") or a date (`date`: "d-Mon-yyyy", time fields 0).
 */
typedef struct mw_imap_datetime {
    int year;         /**< four digits */
    int month;        /**< 1..12 */
    int day;          /**< 1..31 (checked against the month) */
    int hour;         /**< 0..23 */
    int minute;       /**< 0..59 */
    int second;       /**< 0..60 */
    int zone;         /**< offset from UTC in minutes, -1439..1439 */
    int zone_unknown; /**< 1 when the zone was written "-0000": 0 minutes,
                       *   but no claim about local time (the reading RFC
                       *   5322 §3.3 gives it). The parsers set it, and
                       *   mw_imap_datetime_format() writes "-0000" for it
                       *   when `zone` is 0 (it is ignored otherwise). */
} mw_imap_datetime;

/** Length of a date-time written by mw_imap_datetime_format(), without
 *  the quotes: "dd-Mon-yyyy hh:mm:ss +zzzz". */
#define MW_IMAP_DATETIME_LEN 26u
/** Longest date written by mw_imap_date_format(): "dd-Mon-yyyy". */
#define MW_IMAP_DATE_LEN 11u

/**
 * @brief Parse a date-time (RFC 9051 §9 `date-time`), with or without its
 *        double quotes: "17-Jul-1996 02:44:25 -0700" or " 7-Jul-1996 ...".
 *
 * The day is two digits or SP and one digit (`date-day-fixed`); month
 * names are case-insensitive; the year has four digits; time and zone are
 * exactly as in the grammar. The values are then checked: a day that
 * exists in that month (leap years), hour 0..23, minute 0..59, second
 * 0..60, zone hours 0..23 and minutes 0..59.
 *
 * @param text  the date-time; may be NULL when `n` is 0.
 * @param n     its length.
 * @param out   optional: receives the fields (zone in minutes east of UTC).
 * @param err   optional: offset (into `text`) and reason of an error.
 * @return #MW_OK; #MW_E_SYNTAX for the shape; #MW_E_DATE for a value out
 *         of range; #MW_E_INVAL (`text` NULL with `n` > 0).
 */
MW_API int mw_imap_datetime_parse(const char *text, size_t n,
                                  mw_imap_datetime *out, mw_error *err);

/**
 * @brief Parse a date (RFC 9051 §9 `date`: "1-Feb-1994", one or two day
 *        digits, with or without double quotes), as in SEARCH keys. The
 *        time fields and zone of `out` are 0.
 * @param text  the date; may be NULL when `n` is 0.
 * @param n     its length.
 * @param out   optional: receives the date.
 * @param err   optional: offset (into `text`) and reason of an error.
 * @return #MW_OK; #MW_E_SYNTAX; #MW_E_DATE (no such day); #MW_E_INVAL.
 */
MW_API int mw_imap_date_parse(const char *text, size_t n,
                              mw_imap_datetime *out, mw_error *err);

/**
 * @brief Write a date-time as RFC 9051 §9 `date-time` without the quotes,
 *        "05-Jan-2024 09:03:07 +0100" (two-digit day). No NUL is written.
 * @param d       the date-time: year 0..9999, a day that exists in that
 *                month, hour 0..23, minute 0..59, second 0..60, zone
 *                -1439..1439.
 * @param out     where to write; may be NULL when `cap` is 0.
 * @param cap     capacity; #MW_IMAP_DATETIME_LEN is enough.
 * @param outlen  optional: the bytes written (or needed, on
 *                #MW_E_NOSPACE).
 * @return #MW_OK; #MW_E_INVAL for a field out of range (nothing written);
 *         #MW_E_NOSPACE when `cap` is too small (nothing written).
 */
MW_API int mw_imap_datetime_format(const mw_imap_datetime *d, char *out,
                                   size_t cap, size_t *outlen);

/**
 * @brief Write a date as RFC 9051 §9 `date-text`, "5-Jan-2024" (no
 *        leading zero), as SEARCH keys take it. No NUL is written.
 * @param d       the date: year 0..9999 and a day that exists in that
 *                month (time fields ignored).
 * @param out     where to write; may be NULL when `cap` is 0.
 * @param cap     capacity; #MW_IMAP_DATE_LEN is enough.
 * @param outlen  optional: the bytes written (or needed, on
 *                #MW_E_NOSPACE).
 * @return #MW_OK; #MW_E_INVAL (nothing written); #MW_E_NOSPACE (nothing
 *         written).
 */
MW_API int mw_imap_date_format(const mw_imap_datetime *d, char *out,
                               size_t cap, size_t *outlen);

/* ====================================================================== */
/** @name Capabilities as bits (::mw_imap_caps::bits)
 *  @{ */
#define MW_IMAP_CAP_IMAP4REV1 (1ull << 0)      /**< IMAP4rev1 */
#define MW_IMAP_CAP_IMAP4REV2 (1ull << 1)      /**< IMAP4rev2 */
#define MW_IMAP_CAP_STARTTLS (1ull << 2)       /**< STARTTLS */
#define MW_IMAP_CAP_LOGINDISABLED (1ull << 3)  /**< LOGINDISABLED */
#define MW_IMAP_CAP_LITERAL_PLUS (1ull << 4)   /**< LITERAL+ (RFC 7888) */
#define MW_IMAP_CAP_LITERAL_MINUS (1ull << 5)  /**< LITERAL- (RFC 7888) */
#define MW_IMAP_CAP_IDLE (1ull << 6)           /**< IDLE (RFC 2177) */
#define MW_IMAP_CAP_NAMESPACE (1ull << 7)      /**< NAMESPACE (RFC 2342) */
#define MW_IMAP_CAP_ID (1ull << 8)             /**< ID (RFC 2971) */
#define MW_IMAP_CAP_ENABLE (1ull << 9)         /**< ENABLE (RFC 5161) */
#define MW_IMAP_CAP_UIDPLUS (1ull << 10)       /**< UIDPLUS (RFC 4315) */
#define MW_IMAP_CAP_MOVE (1ull << 11)          /**< MOVE (RFC 6851) */
#define MW_IMAP_CAP_UNSELECT (1ull << 12)      /**< UNSELECT (RFC 3691) */
#define MW_IMAP_CAP_SASL_IR (1ull << 13)       /**< SASL-IR (RFC 4959) */
#define MW_IMAP_CAP_CONDSTORE (1ull << 14)     /**< CONDSTORE (RFC 7162) */
#define MW_IMAP_CAP_QRESYNC (1ull << 15)       /**< QRESYNC (RFC 7162) */
#define MW_IMAP_CAP_ESEARCH (1ull << 16)       /**< ESEARCH (RFC 4731) */
#define MW_IMAP_CAP_SEARCHRES (1ull << 17)     /**< SEARCHRES (RFC 5182) */
#define MW_IMAP_CAP_SPECIAL_USE (1ull << 18)   /**< SPECIAL-USE (RFC 6154) */
#define MW_IMAP_CAP_LIST_EXTENDED (1ull << 19) /**< LIST-EXTENDED (RFC 5258) */
#define MW_IMAP_CAP_LIST_STATUS (1ull << 20)   /**< LIST-STATUS (RFC 5819) */
#define MW_IMAP_CAP_BINARY (1ull << 21)        /**< BINARY (RFC 3516) */
#define MW_IMAP_CAP_MULTIAPPEND (1ull << 22)   /**< MULTIAPPEND (RFC 3502) */
#define MW_IMAP_CAP_UTF8_ACCEPT (1ull << 23)   /**< UTF8=ACCEPT (RFC 6855) */
#define MW_IMAP_CAP_UTF8_ONLY (1ull << 24)     /**< UTF8=ONLY (RFC 6855) */
#define MW_IMAP_CAP_COMPRESS_DEFLATE (1ull << 25) /**< COMPRESS=DEFLATE (RFC 4978) */
#define MW_IMAP_CAP_QUOTA (1ull << 26)         /**< QUOTA (RFC 9208) */
#define MW_IMAP_CAP_SORT (1ull << 27)          /**< SORT (RFC 5256) */
#define MW_IMAP_CAP_THREAD (1ull << 28)        /**< any THREAD=algorithm (RFC 5256) */
#define MW_IMAP_CAP_CHILDREN (1ull << 29)      /**< CHILDREN (RFC 3348) */
#define MW_IMAP_CAP_METADATA (1ull << 30)      /**< METADATA (RFC 5464) */
#define MW_IMAP_CAP_OBJECTID (1ull << 31)      /**< OBJECTID (RFC 8474) */
#define MW_IMAP_CAP_STATUS_SIZE (1ull << 32)   /**< STATUS=SIZE (RFC 8438) */
#define MW_IMAP_CAP_SAVEDATE (1ull << 33)      /**< SAVEDATE (RFC 8514) */
#define MW_IMAP_CAP_PREVIEW (1ull << 34)       /**< PREVIEW (RFC 8970) */
#define MW_IMAP_CAP_APPENDLIMIT (1ull << 35)   /**< APPENDLIMIT (RFC 7889) */
#define MW_IMAP_CAP_X_GM_EXT_1 (1ull << 36)    /**< X-GM-EXT-1 (Gmail) */
#define MW_IMAP_CAP_XLIST (1ull << 37)         /**< XLIST (obsolete Gmail) */
#define MW_IMAP_CAP_ACL (1ull << 38)           /**< ACL (RFC 4314) */
#define MW_IMAP_CAP_NOTIFY (1ull << 39)        /**< NOTIFY (RFC 5465) */
#define MW_IMAP_CAP_LOGIN_REFERRALS (1ull << 40) /**< LOGIN-REFERRALS (RFC 2221) */
#define MW_IMAP_CAP_SORT_DISPLAY (1ull << 41)  /**< SORT=DISPLAY (RFC 5957) */
#define MW_IMAP_CAP_ESORT (1ull << 42)         /**< ESORT (RFC 5267) */
#define MW_IMAP_CAP_WITHIN (1ull << 43)        /**< WITHIN (RFC 5032) */
#define MW_IMAP_CAP_CATENATE (1ull << 44)      /**< CATENATE (RFC 4469) */
#define MW_IMAP_CAP_QUOTA_RES_STORAGE (1ull << 45) /**< QUOTA=RES-STORAGE (RFC 9208) */
#define MW_IMAP_CAP_QUOTA_RES_MESSAGE (1ull << 46) /**< QUOTA=RES-MESSAGE (RFC 9208) */
/** @} */

/** @name SASL mechanisms in AUTH= capabilities (::mw_imap_caps::auth)
 *  @{ */
#define MW_IMAP_AUTH_PLAIN 0x01u        /**< AUTH=PLAIN */
#define MW_IMAP_AUTH_LOGIN 0x02u        /**< AUTH=LOGIN */
#define MW_IMAP_AUTH_CRAM_MD5 0x04u     /**< AUTH=CRAM-MD5 */
#define MW_IMAP_AUTH_XOAUTH2 0x08u      /**< AUTH=XOAUTH2 */
#define MW_IMAP_AUTH_OAUTHBEARER 0x10u  /**< AUTH=OAUTHBEARER */
#define MW_IMAP_AUTH_EXTERNAL 0x20u     /**< AUTH=EXTERNAL */
#define MW_IMAP_AUTH_ANONYMOUS 0x40u    /**< AUTH=ANONYMOUS */
#define MW_IMAP_AUTH_SCRAM_SHA_1 0x80u  /**< AUTH=SCRAM-SHA-1 */
#define MW_IMAP_AUTH_SCRAM_SHA_256 0x100u /**< AUTH=SCRAM-SHA-256 */
#define MW_IMAP_AUTH_OTHER 0x8000u      /**< any other AUTH= mechanism */
/** @} */

/**
 * @brief A capability list (RFC 9051 §7.2.2) as bits. Capability names
 *        are case-insensitive (QQ sends "IMAP4REV1"); unknown ones are
 *        counted and left in the text the caller kept.
 */
typedef struct mw_imap_caps {
    uint64_t bits;        /**< MW_IMAP_CAP_* */
    unsigned auth;        /**< MW_IMAP_AUTH_* */
    unsigned unknown;     /**< number of capabilities not known by name */
    uint64_t appendlimit; /**< APPENDLIMIT=n; 0 when absent or without value */
} mw_imap_caps;

/**
 * @brief Parse a capability list (RFC 9051 §7.2.2 `capability-data`
 *        without the leading "CAPABILITY": tokens separated by SP) into
 *        bits.
 *
 * Names are compared case-insensitively. "AUTH=mech" sets an
 * MW_IMAP_AUTH_* bit (#MW_IMAP_AUTH_OTHER for a mechanism not listed);
 * "APPENDLIMIT=n" sets #MW_IMAP_CAP_APPENDLIMIT and `appendlimit` (a bare
 * APPENDLIMIT leaves it 0); any "THREAD=alg" sets #MW_IMAP_CAP_THREAD;
 * "SORT" and "SORT=DISPLAY", "COMPRESS=DEFLATE", "UTF8=ACCEPT",
 * "UTF8=ONLY" (which implies UTF8=ACCEPT, RFC 6855 §6), "STATUS=SIZE",
 * "QUOTA=RES-STORAGE/MESSAGE" (and QUOTA) have their bits; every other
 * token is counted in `unknown`. Extra spaces are tolerated (real servers
 * send trailing ones). Tokens with characters outside ATOM-CHAR are
 * counted as unknown, not refused: capabilities are advice.
 *
 * @param text  the list; may be NULL when `n` is 0.
 * @param n     its length.
 * @param out   receives the bits (zeroed first).
 * @return #MW_OK; #MW_E_INVAL when `out` is NULL or `text` NULL with
 *         `n` > 0.
 */
MW_API int mw_imap_caps_parse(const char *text, size_t n, mw_imap_caps *out);

/**
 * @brief Iterate the tokens of a capability list one by one (to look at
 *        the ones counted as unknown, or at the THREAD= algorithms).
 * @param text   the list.
 * @param n      its length.
 * @param pos    the position: 0 before the first call; updated.
 * @param token  optional: receives the next token (points into `text`).
 * @return 1 with a token, 0 at the end.
 */
MW_API int mw_imap_caps_next(const char *text, size_t n, size_t *pos,
                             mw_span *token);

/**
 * @brief Whether a capability list holds a token, case-insensitively
 *        ("IDLE", "AUTH=PLAIN", "THREAD=REFERENCES").
 * @param text  the list.
 * @param n     its length.
 * @param name  the token, NUL-terminated.
 * @return 1 when present, 0 otherwise.
 */
MW_API int mw_imap_caps_has(const char *text, size_t n, const char *name);

/* ====================================================================== */
/**
 * @brief One address of an ENVELOPE (RFC 9051 §9 `address`).
 *
 * RFC 9051 §7.5.2: a group starts with an entry whose host is NIL and
 * mailbox is the group name, and ends with an entry whose host and
 * mailbox are both NIL. Each member is an ::mw_span string (NIL = NULL
 * ptr).
 */
typedef struct mw_imap_address {
    mw_span name;     /**< addr-name: display name (not decoded) */
    mw_span adl;      /**< addr-adl: source route (obsolete) */
    mw_span mailbox;  /**< addr-mailbox: local part, or group name */
    mw_span host;     /**< addr-host: domain; NIL for a group marker */
} mw_imap_address;

/**
 * @brief An address list: a NIL list has `count` 0 and `items` NULL.
 */
typedef struct mw_imap_address_list {
    const mw_imap_address *items; /**< `count` contiguous addresses */
    uint32_t count;               /**< number of entries, group markers included */
    uint32_t reserved_;           /**< reserved, 0 */
} mw_imap_address_list;

/**
 * @brief An ENVELOPE (RFC 9051 §7.5.2): ten fields in the RFC's order.
 */
typedef struct mw_imap_envelope {
    mw_span date;               /**< env-date (nstring, not parsed) */
    mw_span subject;            /**< env-subject (nstring, not decoded) */
    mw_imap_address_list from;     /**< env-from */
    mw_imap_address_list sender;   /**< env-sender */
    mw_imap_address_list reply_to; /**< env-reply-to */
    mw_imap_address_list to;       /**< env-to */
    mw_imap_address_list cc;       /**< env-cc */
    mw_imap_address_list bcc;      /**< env-bcc */
    mw_span in_reply_to;        /**< env-in-reply-to (nstring) */
    mw_span message_id;         /**< env-message-id (nstring) */
} mw_imap_envelope;

/**
 * @brief A body parameter (`body-fld-param` element): an attribute and
 *        its value. The value may be NIL under the #MW_IMAP_QUIRK_NIL_PARAM
 *        quirk.
 */
typedef struct mw_imap_param {
    mw_span name;   /**< attribute */
    mw_span value;  /**< value */
} mw_imap_param;

/** @brief Kinds of ::mw_imap_body (RFC 9051 §9 `body-type-*`). */
typedef enum mw_imap_body_kind {
    MW_IMAP_BODY_BASIC = 0,     /**< body-type-basic */
    MW_IMAP_BODY_TEXT = 1,      /**< body-type-text (type "TEXT") */
    MW_IMAP_BODY_MESSAGE = 2,   /**< body-type-msg (MESSAGE/RFC822 or MESSAGE/GLOBAL) */
    MW_IMAP_BODY_MULTIPART = 3  /**< body-type-mpart */
} mw_imap_body_kind;

/** @name Which optional parts an ::mw_imap_body carries (::mw_imap_body::has)
 *  @{ */
#define MW_IMAP_BODY_HAS_MD5 0x01u         /**< body-fld-md5 present (single part) */
#define MW_IMAP_BODY_HAS_DSP 0x02u         /**< body-fld-dsp present */
#define MW_IMAP_BODY_HAS_LANG 0x04u        /**< body-fld-lang present */
#define MW_IMAP_BODY_HAS_LOC 0x08u         /**< body-fld-loc present */
#define MW_IMAP_BODY_HAS_EXTENSION 0x10u   /**< further body-extension data present */
#define MW_IMAP_BODY_HAS_PARAMS 0x20u      /**< multipart: body-fld-param present (extension) */
/** @} */

/**
 * @brief A BODY or BODYSTRUCTURE node (RFC 9051 §7.5.2), linked as a
 *        tree: a multipart's parts are `first`, then each part's `next`.
 *
 * Strings follow the span conventions of this header (NIL = NULL ptr).
 * Members that do not apply to the node's kind are zero / NIL.
 */
typedef struct mw_imap_body {
    uint8_t kind;          /**< ::mw_imap_body_kind */
    uint8_t has;           /**< MW_IMAP_BODY_HAS_* */
    uint16_t depth;        /**< 0 for the top node */
    uint32_t nparts;       /**< multipart: number of parts */
    mw_span type;          /**< media type ("MULTIPART" for a multipart) */
    mw_span subtype;       /**< media subtype */
    const mw_imap_param *params; /**< body-fld-param (multipart: extension) */
    uint32_t nparams;      /**< number of params */
    uint32_t nlanguages;   /**< number of languages */
    mw_span id;            /**< body-fld-id */
    mw_span description;   /**< body-fld-desc */
    mw_span encoding;      /**< body-fld-enc (NIL under #MW_IMAP_QUIRK_NIL_ENCODING) */
    uint64_t size;         /**< body-fld-octets */
    int64_t lines;         /**< body-fld-lines (text and message); -1 only under #MW_IMAP_QUIRK_NEGATIVE_LINES */
    const struct mw_imap_envelope *envelope; /**< message: the envelope */
    const struct mw_imap_body *body;         /**< message: the encapsulated body */
    const struct mw_imap_body *first;        /**< multipart: the first part */
    const struct mw_imap_body *next;         /**< the next sibling part, or NULL */
    mw_span md5;           /**< body-fld-md5 */
    mw_span disposition;   /**< body-fld-dsp type ("attachment"), NIL when absent */
    const mw_imap_param *disp_params; /**< body-fld-dsp parameters */
    uint32_t ndisp_params; /**< number of disp_params */
    uint32_t reserved_;    /**< reserved, 0 */
    const mw_span *languages; /**< body-fld-lang: one or more language tags */
    mw_span location;      /**< body-fld-loc */
    mw_span extension;     /**< raw text of body-extension data after the known fields */
} mw_imap_body;

/* ====================================================================== */
/**
 * @brief Response codes (RFC 9051 §7.1, RFC 5530 and the extensions).
 *        Values are part of the ABI.
 */
typedef enum mw_imap_code_id {
    MW_IMAP_CODE_NONE = 0,            /**< no response code */
    MW_IMAP_CODE_OTHER = 1,           /**< a code not known by name: see name and arg */
    MW_IMAP_CODE_ALERT = 2,           /**< ALERT */
    MW_IMAP_CODE_BADCHARSET = 3,      /**< BADCHARSET [(charsets)] */
    MW_IMAP_CODE_CAPABILITY = 4,      /**< CAPABILITY caps */
    MW_IMAP_CODE_PARSE = 5,           /**< PARSE */
    MW_IMAP_CODE_PERMANENTFLAGS = 6,  /**< PERMANENTFLAGS (flags) */
    MW_IMAP_CODE_READ_ONLY = 7,       /**< READ-ONLY */
    MW_IMAP_CODE_READ_WRITE = 8,      /**< READ-WRITE */
    MW_IMAP_CODE_TRYCREATE = 9,       /**< TRYCREATE */
    MW_IMAP_CODE_UIDNEXT = 10,        /**< UIDNEXT n */
    MW_IMAP_CODE_UIDVALIDITY = 11,    /**< UIDVALIDITY n */
    MW_IMAP_CODE_UNSEEN = 12,         /**< UNSEEN n (IMAP4rev1) */
    MW_IMAP_CODE_APPENDUID = 13,      /**< APPENDUID uidvalidity uid-set (RFC 4315) */
    MW_IMAP_CODE_COPYUID = 14,        /**< COPYUID uidvalidity src dst (RFC 4315) */
    MW_IMAP_CODE_UIDNOTSTICKY = 15,   /**< UIDNOTSTICKY (RFC 4315) */
    MW_IMAP_CODE_HIGHESTMODSEQ = 16,  /**< HIGHESTMODSEQ n (RFC 7162) */
    MW_IMAP_CODE_NOMODSEQ = 17,       /**< NOMODSEQ (RFC 7162) */
    MW_IMAP_CODE_MODIFIED = 18,       /**< MODIFIED set (RFC 7162) */
    MW_IMAP_CODE_CLOSED = 19,         /**< CLOSED (RFC 7162) */
    MW_IMAP_CODE_UNAVAILABLE = 20,    /**< UNAVAILABLE (RFC 5530) */
    MW_IMAP_CODE_AUTHENTICATIONFAILED = 21, /**< AUTHENTICATIONFAILED (RFC 5530) */
    MW_IMAP_CODE_AUTHORIZATIONFAILED = 22,  /**< AUTHORIZATIONFAILED (RFC 5530) */
    MW_IMAP_CODE_EXPIRED = 23,        /**< EXPIRED (RFC 5530) */
    MW_IMAP_CODE_PRIVACYREQUIRED = 24, /**< PRIVACYREQUIRED (RFC 5530) */
    MW_IMAP_CODE_CONTACTADMIN = 25,   /**< CONTACTADMIN (RFC 5530) */
    MW_IMAP_CODE_NOPERM = 26,         /**< NOPERM (RFC 5530) */
    MW_IMAP_CODE_INUSE = 27,          /**< INUSE (RFC 5530) */
    MW_IMAP_CODE_EXPUNGEISSUED = 28,  /**< EXPUNGEISSUED (RFC 5530) */
    MW_IMAP_CODE_CORRUPTION = 29,     /**< CORRUPTION (RFC 5530) */
    MW_IMAP_CODE_SERVERBUG = 30,      /**< SERVERBUG (RFC 5530) */
    MW_IMAP_CODE_CLIENTBUG = 31,      /**< CLIENTBUG (RFC 5530) */
    MW_IMAP_CODE_CANNOT = 32,         /**< CANNOT (RFC 5530) */
    MW_IMAP_CODE_LIMIT = 33,          /**< LIMIT (RFC 5530) */
    MW_IMAP_CODE_OVERQUOTA = 34,      /**< OVERQUOTA (RFC 5530) */
    MW_IMAP_CODE_ALREADYEXISTS = 35,  /**< ALREADYEXISTS (RFC 5530) */
    MW_IMAP_CODE_NONEXISTENT = 36,    /**< NONEXISTENT (RFC 5530) */
    MW_IMAP_CODE_REFERRAL = 37,       /**< REFERRAL url (RFC 2221) */
    MW_IMAP_CODE_COMPRESSIONACTIVE = 38, /**< COMPRESSIONACTIVE (RFC 4978) */
    MW_IMAP_CODE_NOTSAVED = 39,       /**< NOTSAVED (RFC 5182) */
    MW_IMAP_CODE_HASCHILDREN = 40,    /**< HASCHILDREN (RFC 9051) */
    MW_IMAP_CODE_UNKNOWN_CTE = 41,    /**< UNKNOWN-CTE (RFC 3516) */
    MW_IMAP_CODE_TOOBIG = 42,         /**< TOOBIG (RFC 7889) */
    MW_IMAP_CODE_MAILBOXID = 43,      /**< MAILBOXID (id) (RFC 8474) */
    MW_IMAP_CODE_METADATA = 44,       /**< METADATA LONGENTRIES/MAXSIZE/TOOMANY/NOPRIVATE (RFC 5464) */
    MW_IMAP_CODE_USEATTR = 45,        /**< USEATTR (RFC 6154) */
    MW_IMAP_CODE_INPROGRESS = 46,     /**< INPROGRESS (RFC 9585) */
    MW_IMAP_CODE_UIDREQUIRED = 47,    /**< UIDREQUIRED (RFC 9586) */
    MW_IMAP_CODE_BADURL = 48          /**< BADURL url (RFC 4469 §4.1): `arg` is
                                           the bare url-resp-text, everything up
                                           to "]", not an astring (RFC 4469
                                           erratum 4046); required */
} mw_imap_code_id;

/**
 * @brief A response code as parsed (client) or to format (server).
 *
 * `name` and `arg` always hold the code's atom and the raw text of its
 * argument (empty when none); the typed members are filled for the codes
 * that define them.
 */
typedef struct mw_imap_code {
    int id;              /**< ::mw_imap_code_id */
    mw_span name;        /**< the atom as sent, e.g. "UIDNEXT" */
    mw_span arg;         /**< raw argument text after the atom and its SP */
    uint32_t num;        /**< UIDNEXT, UIDVALIDITY, UNSEEN; APPENDUID/COPYUID: the uidvalidity */
    uint32_t reserved_;  /**< reserved, 0 */
    uint64_t modseq;     /**< HIGHESTMODSEQ */
    mw_imap_seqset set;  /**< APPENDUID: uid-set; COPYUID: source set; MODIFIED: the set */
    mw_imap_seqset set2; /**< COPYUID: destination set */
    mw_imap_flags flags; /**< PERMANENTFLAGS */
} mw_imap_code;

/**
 * @brief Name of a response code id ("UIDNEXT"), "?" for an unknown id.
 * @param id an ::mw_imap_code_id.
 * @return a static string, never NULL.
 */
MW_API const char *mw_imap_code_name(int id);

/**
 * @brief The id of a response code atom ("UIDNEXT", case-insensitive).
 * @param name  the atom as sent, not NUL-terminated.
 * @param n     its length.
 * @return an ::mw_imap_code_id: #MW_IMAP_CODE_OTHER for a name not known,
 *         #MW_IMAP_CODE_NONE for an empty name.
 */
MW_API int mw_imap_code_lookup(const char *name, size_t n);

/* ====================================================================== */
/**
 * @brief Decode a modified UTF-7 mailbox name (RFC 3501 §5.1.3) to UTF-8.
 *
 * Strict: printable US-ASCII (0x20..0x7E) stands for itself except "&";
 * "&-" is "&"; "&" + modified BASE64 (`,` for `/`, no padding) + "-" is
 * UTF-16BE. Refused: bytes outside 0x20..0x7E, a run that is not closed
 * by "-", an empty run other than "&-", a run that encodes a printable
 * US-ASCII character or two runs back to back (not the shortest form),
 * left-over bits that are not zero or make a whole character, an unpaired
 * surrogate, U+0000.
 *
 * @param in      the name as sent (the mailbox content, quotes removed).
 * @param n       its length.
 * @param out     where the UTF-8 goes; may be NULL when `cap` is 0.
 * @param cap     capacity of `out`: the UTF-8 is at most n * 9 / 8 + 1
 *                bytes (2 * n is always enough).
 * @param outlen  optional: the bytes written; on #MW_E_NOSPACE, the bytes
 *                needed.
 * @param err     optional: offset (into `in`) and reason of an error.
 * @return #MW_OK; #MW_E_SYNTAX for anything refused above; #MW_E_NOSPACE
 *         when `out` is too small (the rest is still validated);
 *         #MW_E_INVAL (`in` NULL with `n` > 0).
 */
MW_API int mw_imap_mutf7_decode(const char *in, size_t n, char *out,
                                size_t cap, size_t *outlen, mw_error *err);

/**
 * @brief Encode a UTF-8 mailbox name as modified UTF-7 (RFC 3501
 *        §5.1.3), in the shortest form: printable US-ASCII as itself, "&"
 *        as "&-", every other run of characters as one "&...-" run.
 * @param in      the name in UTF-8 (RFC 3629: no overlongs, surrogates or
 *                values above U+10FFFF), without NUL.
 * @param n       its length.
 * @param out     where the result goes; may be NULL when `cap` is 0.
 * @param cap     capacity of `out`: at most 5 bytes per input byte (a
 *                control character alone is "&AAE-"), so 5 * n is always
 *                enough.
 * @param outlen  optional: the bytes written; on #MW_E_NOSPACE, the bytes
 *                needed.
 * @param err     optional: offset (into `in`) and reason of an error.
 * @return #MW_OK; #MW_E_UTF8 for invalid UTF-8 or a NUL; #MW_E_NOSPACE;
 *         #MW_E_INVAL (`in` NULL with `n` > 0).
 */
MW_API int mw_imap_mutf7_encode(const char *in, size_t n, char *out,
                                size_t cap, size_t *outlen, mw_error *err);

/* ====================================================================== */
/** @name Quirk switches (client configuration), each named after a real
 *        server defect it tolerates (field-notes §3). All off by default.
 *  @{ */
/** body-fld-lines of -1 (Dovecot, Exchange; go-imap#534). */
#define MW_IMAP_QUIRK_NEGATIVE_LINES 0x0001u
/** NIL as a body parameter value: ("boundary" NIL) (mail.ru; MailKit#503). */
#define MW_IMAP_QUIRK_NIL_PARAM 0x0002u
/** NIL as body-fld-enc (maddy). */
#define MW_IMAP_QUIRK_NIL_ENCODING 0x0004u
/** Trailing spaces before CRLF or ')' (CAPABILITY, ID, SEARCH, STATUS;
 *  Exchange, qq.com). */
#define MW_IMAP_QUIRK_TRAILING_SPACE 0x0008u
/** A response code without the SP and text after ']' (Gmail's
 *  HIGHESTMODSEQ). Always accepted now (RFC 9051's own examples do it, and
 *  its erratum on Appendix E item 23 says clients should not require the
 *  SP); the bit is kept for compatibility and has no effect. */
#define MW_IMAP_QUIRK_CODE_WITHOUT_TEXT 0x0010u
/** A continuation request "+" without SP or text. */
#define MW_IMAP_QUIRK_BARE_PLUS 0x0020u
/** A body section answered with a quoted string instead of a literal
 *  (Yahoo). */
#define MW_IMAP_QUIRK_QUOTED_BODY 0x0040u
/** Spaces between the parts of a multipart BODYSTRUCTURE
 *  (imap-codec#697). */
#define MW_IMAP_QUIRK_SPACE_BETWEEN_PARTS 0x0080u
/** Quoted strings and brackets inside a response code argument
 *  (Exchange's [Error="..."]; net-imap#597). */
#define MW_IMAP_QUIRK_LOOSE_CODE 0x0100u
/** An empty STATUS attribute list or `* ID ()` (163.com). */
#define MW_IMAP_QUIRK_EMPTY_LISTS 0x0200u
/** 8-bit bytes in atoms and quoted strings without UTF8=ACCEPT. */
#define MW_IMAP_QUIRK_8BIT_STRINGS 0x0400u
/** Every quirk (for a client that must talk to anything). */
#define MW_IMAP_QUIRK_ALL 0x07FFu
/** @} */

/* ====================================================================== */
/** @cond PRIVATE */
/* Embedded in the machines' contexts; see lib/imap/grammar.h and
 * lib/imap/frame.h for what they do. Not part of the API. */
typedef struct mw__imap_arena {
    unsigned char *base;
    size_t cap;
    size_t lo;   /* bytes used from the front (structures) */
    size_t hi;   /* bytes used from the back (string bytes) */
} mw__imap_arena;

/* CHANGED by A: fields added (line_start, release, eol, rec, in_frame,
 * rec_bin, rec_ovf) for inline literals inside a segment, zero-copy FULL
 * releases and literal tracking while a dropped frame is skipped.
 * Private: the machines only embed it and call lib/imap/frame.h. */
typedef struct mw__imap_framer {
    char *buf;            /* caller's buffer for a segment cut by a chunk end */
    size_t cap;
    size_t max_text;      /* longest segment text */
    size_t held;          /* bytes of the current segment held in buf */
    size_t seg_len;       /* text bytes of the current segment so far */
    size_t line_start;    /* where the current line starts in the segment */
    size_t release;       /* bytes at the start of the next input already
                           * dealt with (zero-copy segment given up) */
    size_t offset;        /* stream offset of the next byte */
    size_t seg_offset;    /* stream offset of the segment start */
    size_t frame_offset;  /* stream offset of the frame start */
    uint64_t lit_left;    /* literal bytes still to come */
    uint64_t lit_size;    /* size of the announced literal */
    int skip_status;      /* why the frame is being dropped */
    const char *skip_reason;
    uint8_t state;        /* what the framer is doing */
    uint8_t lit_flags;
    uint8_t newline;      /* mw_newline_policy */
    uint8_t pending;      /* an event awaits the machine's answer */
    uint8_t cr;           /* a CR ended the text held so far (not stored) */
    uint8_t eol;          /* length of the line end after "{n}" (1 or 2) */
    uint8_t rec;          /* skipping: literal-announcement recogniser */
    uint8_t in_frame;     /* a frame has begun */
    uint8_t rec_bin;      /* skipping: "~{" seen */
    uint8_t rec_ovf;      /* skipping: size overflowed */
    uint8_t rec_plus;     /* skipping: the announcement had "+" */
    uint8_t sync_ends;    /* server role: a synchronising literal in a
                           * dropped frame ends it (no bytes will come) */
    uint8_t reserved_[4];
} mw__imap_framer;
/** @endcond */

#ifdef __cplusplus
}
#endif

#if MW_ENABLE_IMAP_SERVER
#include "imap_command.h"
#include "imap_server.h"
#endif
#if MW_ENABLE_IMAP_CLIENT
#include "imap_response.h"
#include "imap_client.h"
#endif

#endif
