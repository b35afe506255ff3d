/* SPDX-License-Identifier: MIT */
/**
 * @file imap_command.h
 * @brief IMAP server side: a parsed client command (::mw_imap_cmd) with the
 *        typed arguments of every IMAP4rev1 (RFC 3501) and IMAP4rev2
 *        (RFC 9051) command and of the extensions the server machine
 *        knows.
 *
 * The server machine (imap_server.h) parses each complete command and
 * hands it to the application as an ::mw_imap_cmd. The command's `id`
 * (::mw_imap_cmd_id) says which member of the union `u` holds its
 * arguments:
 *
 * | id | member |
 * |----|--------|
 * | LOGIN | mw_imap_cmd::u .login |
 * | AUTHENTICATE | .authenticate |
 * | ENABLE | .enable |
 * | SELECT, EXAMINE | .select |
 * | CREATE, DELETE, SUBSCRIBE, UNSUBSCRIBE, GETQUOTAROOT | .mailbox |
 * | RENAME | .rename |
 * | LIST, LSUB | .list |
 * | STATUS | .status |
 * | APPEND | .append |
 * | EXPUNGE (UID EXPUNGE) | .expunge |
 * | SEARCH, SORT, THREAD | .search |
 * | FETCH | .fetch |
 * | STORE | .store |
 * | COPY, MOVE | .copy |
 * | ID | .id |
 * | COMPRESS | .compress |
 * | GETQUOTA, SETQUOTA | .quota |
 * | GETMETADATA, SETMETADATA | .metadata |
 * | OTHER | .other |
 *
 * Commands without arguments (CAPABILITY, NOOP, LOGOUT, STARTTLS,
 * NAMESPACE, IDLE, CHECK, CLOSE, UNSELECT, EXPUNGE) use no member. A UID
 * command (UID FETCH, UID STORE, UID SEARCH, UID COPY, UID MOVE, UID SORT,
 * UID THREAD, UID EXPUNGE) has the id of the command it wraps and
 * #MW_IMAP_CMDF_UID in mw_imap_cmd::flags.
 *
 * ## Lifetimes
 *
 * Every span (tag, strings, mailbox names, raw texts) points either into
 * the frame text the machine parsed (the caller's input or the machine's
 * frame buffer) or into the machine's arena (unescaped quoted strings,
 * lists, search-key trees, fetch items). All of it stays valid until the
 * callback that carries the command returns, or, when the application
 * answers later, until it has answered (the machine does not read on
 * before). Strings follow the span conventions of imap.h: NIL has a NULL
 * `ptr`; a literal's content may hold CR, LF and (literal8) NUL.
 *
 * ## Mailbox names
 *
 * A mailbox name (::mw_imap_mailbox) is given as its raw bytes (astring
 * content, "INBOX" in any case normalised to "INBOX") plus flags: whether
 * it is valid modified UTF-7 (RFC 3501 §5.1.3; decode with
 * mw_imap_mutf7_decode() when #MW_IMAP_MBOX_SHIFTED is set) or holds
 * UTF-8 (only accepted after ENABLE UTF8=ACCEPT or IMAP4rev2, RFC 6855
 * §3, RFC 9051 §5.1). LIST patterns keep their text ("inbox" stays
 * "inbox"; the INBOX flag says what it means). Control characters in a
 * name (which only a literal can carry) are refused (RFC 9051 §5.1).
 *
 * ## Lists and trees
 *
 * Lists (fetch items, LIST patterns, ENABLE names, ID pairs, sort
 * criteria, quota limits, metadata entries, header-field names) are
 * arrays: a pointer and a count. Search keys are a tree of
 * ::mw_imap_search_key nodes linked by `first`, `next` and `parent`, so
 * that it can be walked without recursion:
 *
 * @code
 * const mw_imap_search_key *k = cmd->u.search.root;
 * while (k != NULL) {
 *     visit(k);                       // k->depth says how deep
 *     if (k->first != NULL) { k = k->first; continue; }
 *     while (k != NULL && k->next == NULL)
 *         k = k->parent;              // leave finished containers
 *     if (k != NULL)
 *         k = k->next;
 * }
 * @endcode
 *
 * ## Strictness
 *
 * The grammar is applied as written (RFC 9051 §9): exactly one SP between
 * tokens, no SP at the end, tags of ASTRING-CHARs without "+", no CR, LF
 * or NUL outside literals (NUL only in literal8), literal8 only where the
 * grammar allows it (APPEND data, RFC 5464 values), numbers within 32
 * bits (63 bits for mod-sequences, sizes and partial ranges), unknown
 * options of LIST, SELECT, FETCH and STORE refused (RFC 5258 §3, RFC 4466).
 * A command that breaks it is answered `BAD` by the machine with the
 * reason and byte offset of the first problem.
 */
#ifndef MAILWIRE_IMAP_COMMAND_H
#define MAILWIRE_IMAP_COMMAND_H

#include "core.h"
#include "imap.h"

#ifdef __cplusplus
extern "C" {
#endif


/* ====================================================================== */
/** @name Mailbox name flags (::mw_imap_mailbox::flags)
 *  @{ */
/** The name is INBOX (any case; `name` is then "INBOX"). */
#define MW_IMAP_MBOX_INBOX 0x01u
/** The name is 7-bit and valid modified UTF-7 (RFC 3501 §5.1.3). A
 *  7-bit name without this flag holds a malformed "&" sequence: an
 *  IMAP4rev1 server should refuse it (RFC 3501 §5.1.3 "MUST NOT"). */
#define MW_IMAP_MBOX_MUTF7 0x02u
/** The name holds at least one "&...-" shift sequence ("&-" included):
 *  with #MW_IMAP_MBOX_MUTF7, mw_imap_mutf7_decode() gives its UTF-8 form;
 *  without the shift flag the name is plain ASCII and is its own UTF-8. */
#define MW_IMAP_MBOX_SHIFTED 0x04u
/** The name holds 8-bit bytes, validated as UTF-8 (only with UTF8=ACCEPT
 *  or IMAP4rev2 enabled, RFC 6855 §3; otherwise such a name is a syntax
 *  error). */
#define MW_IMAP_MBOX_UTF8 0x08u
/** @} */

/**
 * @brief A mailbox name as sent (RFC 9051 §9 `mailbox`).
 */
typedef struct mw_imap_mailbox {
    mw_span name;   /**< raw bytes of the astring's content ("INBOX" normalised) */
    unsigned flags; /**< MW_IMAP_MBOX_* */
    unsigned reserved_; /**< reserved (zero) */
} mw_imap_mailbox;

/* ====================================================================== */
/** @brief LOGIN user password (RFC 9051 §6.2.3). */
typedef struct mw_imap_login_args {
    mw_span user;     /**< userid (astring content; may hold any byte of a literal) */
    mw_span password; /**< password (astring content) */
} mw_imap_login_args;

/** @brief AUTHENTICATE mechanism [initial-response] (RFC 9051 §6.2.2,
 *         SASL-IR RFC 4959). */
typedef struct mw_imap_authenticate_args {
    mw_span mechanism;  /**< the SASL mechanism name (atom, as sent) */
    mw_span initial;    /**< initial response: base64 text as sent (not
                           * decoded); NULL ptr when absent; "=" stands for
                           * an empty response (RFC 4959 §3) */
    int has_initial;    /**< 1 when an initial response was sent */
    int reserved_; /**< reserved (zero) */
} mw_imap_authenticate_args;

/** @name ENABLE capabilities known by name (::mw_imap_enable_args::known)
 *  @{ */
#define MW_IMAP_ENABLE_CONDSTORE 0x01u   /**< CONDSTORE (RFC 7162 §3.1) */
#define MW_IMAP_ENABLE_QRESYNC 0x02u     /**< QRESYNC (RFC 7162 §3.2) */
#define MW_IMAP_ENABLE_UTF8_ACCEPT 0x04u /**< UTF8=ACCEPT (RFC 6855 §3) */
#define MW_IMAP_ENABLE_IMAP4REV2 0x08u   /**< IMAP4rev2 (RFC 9051 §6.3.1) */
#define MW_IMAP_ENABLE_METADATA 0x10u    /**< METADATA (RFC 5464) */
#define MW_IMAP_ENABLE_METADATA_SERVER 0x20u /**< METADATA-SERVER (RFC 5464) */
#define MW_IMAP_ENABLE_UTF8_ONLY 0x40u   /**< UTF8=ONLY (RFC 6855) */
/** @} */

/** @brief ENABLE capability... (RFC 5161 §3.1, RFC 9051 §6.3.1). */
typedef struct mw_imap_enable_args {
    const mw_span *caps; /**< each capability name as sent */
    uint32_t count;      /**< number of names (at least one) */
    unsigned known;      /**< MW_IMAP_ENABLE_* of the names known (any case) */
} mw_imap_enable_args;

/* ====================================================================== */
/** @brief SELECT / EXAMINE mailbox [(params)] (RFC 9051 §6.3.2,
 *         CONDSTORE and QRESYNC parameters RFC 7162 §3.1.8, §3.2.5). */
typedef struct mw_imap_select_args {
    mw_imap_mailbox mailbox;    /**< the mailbox */
    uint8_t condstore;          /**< CONDSTORE parameter present */
    uint8_t qresync;            /**< QRESYNC parameter present */
    uint8_t has_known_uids;     /**< QRESYNC: known-uids present */
    uint8_t has_seq_match;      /**< QRESYNC: seq-match-data present */
    uint32_t uidvalidity;       /**< QRESYNC: last known UIDVALIDITY */
    uint64_t modseq;            /**< QRESYNC: last known mod-sequence */
    mw_imap_seqset known_uids;  /**< QRESYNC: known UIDs (optional) */
    mw_imap_seqset known_seqs;  /**< QRESYNC seq-match-data: message numbers */
    mw_imap_seqset known_seq_uids; /**< QRESYNC seq-match-data: their UIDs */
} mw_imap_select_args;

/** @brief One mailbox argument: CREATE, DELETE, SUBSCRIBE, UNSUBSCRIBE,
 *         GETQUOTAROOT (RFC 9051 §6.3.4-§6.3.8, RFC 9208 §4.3). */
typedef struct mw_imap_mailbox_args {
    mw_imap_mailbox mailbox; /**< the mailbox */
    mw_span use;             /**< CREATE (USE (attrs)) of RFC 6154 §3:
                                * the attributes inside the parentheses
                                * (NULL ptr when absent) */
    uint32_t nuse;           /**< number of USE attributes */
    uint32_t reserved_; /**< reserved (zero) */
} mw_imap_mailbox_args;

/** @brief RENAME existing new (RFC 9051 §6.3.6). */
typedef struct mw_imap_rename_args {
    mw_imap_mailbox from; /**< existing mailbox */
    mw_imap_mailbox to;   /**< new name */
} mw_imap_rename_args;


/** @brief STATUS mailbox (items) (RFC 9051 §6.3.11). */
typedef struct mw_imap_status_args {
    mw_imap_mailbox mailbox; /**< the mailbox */
    unsigned items;          /**< MW_IMAP_STATUS_* requested */
    uint32_t count;          /**< number of items as sent (repeats counted) */
} mw_imap_status_args;

/* ====================================================================== */
/** @name LIST selection options (RFC 5258 §3, RFC 6154 §5.1)
 *  @{ */
#define MW_IMAP_LISTSEL_SUBSCRIBED 0x01u     /**< SUBSCRIBED */
#define MW_IMAP_LISTSEL_REMOTE 0x02u         /**< REMOTE */
#define MW_IMAP_LISTSEL_RECURSIVEMATCH 0x04u /**< RECURSIVEMATCH */
#define MW_IMAP_LISTSEL_SPECIAL_USE 0x08u    /**< SPECIAL-USE (RFC 6154) */
/** @} */

/** @name LIST return options (RFC 5258 §3, RFC 5819, RFC 6154)
 *  @{ */
#define MW_IMAP_LISTRET_SUBSCRIBED 0x01u  /**< SUBSCRIBED */
#define MW_IMAP_LISTRET_CHILDREN 0x02u    /**< CHILDREN */
#define MW_IMAP_LISTRET_SPECIAL_USE 0x04u /**< SPECIAL-USE (RFC 6154) */
#define MW_IMAP_LISTRET_STATUS 0x08u      /**< STATUS (items) (RFC 5819) */
#define MW_IMAP_LISTRET_MYRIGHTS 0x10u    /**< MYRIGHTS (RFC 8440) */
/** @} */

/**
 * @brief LIST / LSUB (RFC 9051 §6.3.9, RFC 3501 §6.3.8-9, LIST-EXTENDED
 *        RFC 5258 §3, LIST-STATUS RFC 5819 §2).
 */
typedef struct mw_imap_list_args {
    mw_imap_mailbox reference;   /**< reference name (may be empty) */
    const mw_imap_mailbox *patterns; /**< one or more list-mailbox patterns */
    uint32_t npatterns;          /**< number of patterns (1 unless LIST-EXTENDED) */
    uint8_t extended;            /**< 1 when the LIST-EXTENDED syntax was used
                                    * (selection options, a pattern list or
                                    * return options) */
    uint8_t has_select;          /**< a selection-option list "(...)" was sent */
    uint8_t has_return;          /**< RETURN (...) was sent */
    uint8_t reserved_; /**< reserved (zero) */
    unsigned select_opts;        /**< MW_IMAP_LISTSEL_* */
    unsigned return_opts;        /**< MW_IMAP_LISTRET_* */
    unsigned status_items;       /**< RETURN (STATUS (...)): MW_IMAP_STATUS_* */
} mw_imap_list_args;

/* ====================================================================== */
/**
 * @brief APPEND: one message of the command (RFC 9051 §6.3.12,
 *        MULTIAPPEND RFC 3502 §6.3.11, literal8 RFC 3516 §4.4, the UTF8
 *        data extension RFC 6855 §4).
 *
 * The server machine parses the text before each message literal and
 * streams the message bytes to the application; `index` counts the
 * messages of a MULTIAPPEND command from 0.
 *
 * A message sent as `UTF8 (~{n}<bytes>)` (RFC 6855 §4 `utf8-literal`)
 * arrives like any other (`binary` is 1: it is a literal8), with `utf8`
 * set; the closing ")" is required after the bytes. The server machine
 * takes this form only while it advertises UTF8=ACCEPT or UTF8=ONLY (the
 * RFC offers the extension with the capability, ENABLE or not); without
 * the capability such an APPEND gets BAD. RFC 6855 §4 leaves the
 * contents to the application: 8-bit header fields in a message of a
 * client that has not sent ENABLE UTF8=ACCEPT must be refused with NO.
 *
 * A message sent as `CATENATE (part ...)` (RFC 4469 §5, accepted only
 * while the server offers #MW_IMAP_CAP_CATENATE) has `catenate` set and
 * is described part by part: each `TEXT {n}` part is announced like a
 * message literal (`literal` with `part_kind` TEXT and `size` the part's
 * size) and streamed to `append_data`; each `URL astring` part is passed
 * to `append_url` (`url`); `append_end` follows the closing ")" (see
 * imap_server.h). A literal8 is not accepted in a TEXT part (RFC 4469
 * §5: `text-literal = "TEXT" SP literal`). When a whole APPEND frame is
 * parsed at once, a CATENATE message has `size` the sum of its TEXT
 * parts, `nparts` its part count and `data` NULL.
 */
typedef struct mw_imap_append_args {
    mw_imap_mailbox mailbox; /**< destination (kept for every message) */
    uint32_t index;          /**< which message of the command, from 0 */
    uint8_t has_flags;       /**< a flag list was sent */
    uint8_t has_date;        /**< a date-time was sent */
    uint8_t binary;          /**< the message is a literal8 "~{n}" */
    uint8_t nonsync;         /**< the literal is non-synchronising "{n+}" */
    mw_imap_flags flags;     /**< the message's flags (count 0 when absent) */
    mw_imap_datetime date;   /**< the message's date-time (when has_date) */
    uint64_t size;           /**< the literal's announced size */
    mw_span data;            /**< the message bytes when the whole command
                                * was parsed at once (its literal inline);
                                * NULL ptr when the machine streams them */
    uint32_t nmessages;      /**< messages of the command seen so far (all
                                * of them when parsed at once) */
    uint8_t utf8;            /**< the message came as `UTF8 (~{n}...)`
                                * (RFC 6855 §4): UTF-8 header fields */
    uint8_t reserved2_[3]; /**< reserved (zero) */
    /* Added for CATENATE (RFC 4469); the members above keep their place. */
    uint8_t catenate;        /**< the message is `CATENATE (parts)` (RFC
                                * 4469 §5): built by the application from
                                * its parts, in order */
    uint8_t part_kind;       /**< ::mw_imap_catpart_kind of the part the
                                * current event is about (`literal`: TEXT,
                                * `append_url`: URL); NONE otherwise */
    uint8_t reserved3_[2];   /**< reserved (zero) */
    uint32_t part;           /**< CATENATE: index of that part in its
                                * message, from 0 */
    uint32_t nparts;         /**< CATENATE: parts of the message seen so
                                * far (at `append_end` and in the final
                                * command: all of them) */
    uint32_t reserved4_;     /**< reserved (zero) */
    mw_span url;             /**< CATENATE URL part: the astring's content
                                * as sent (an IMAP URL, RFC 5092, not
                                * checked by the machine); NULL ptr for
                                * other events. Valid during the
                                * `append_url` callback only. */
} mw_imap_append_args;

/** Most parts (TEXT and URL) in one CATENATE message (RFC 4469 §5
 *  `cat-part`); more is answered `BAD` (#MW_E_LIMIT). RFC 4469 sets no
 *  number; 64 is far above what a client composing a message needs
 *  (a few parts per forwarded attachment) and keeps the work the machine
 *  does for one message bounded. */
#ifndef MW_IMAP_SERVER_CATENATE_PARTS_MAX
#define MW_IMAP_SERVER_CATENATE_PARTS_MAX 64u
#endif

/** @brief Kinds of CATENATE parts (RFC 4469 §5 `cat-part`;
 *         ::mw_imap_append_args::part_kind). */
typedef enum mw_imap_catpart_kind {
    MW_IMAP_CATPART_NONE = 0, /**< not a part event */
    MW_IMAP_CATPART_TEXT = 1, /**< `TEXT literal`: bytes streamed like a message */
    MW_IMAP_CATPART_URL = 2   /**< `URL astring`: an IMAP URL the application resolves */
} mw_imap_catpart_kind;

/* ====================================================================== */
/** @brief UID EXPUNGE set (RFC 4315 §2.1, RFC 9051 §6.4.9). Plain EXPUNGE
 *         has no arguments (`has_set` 0). */
typedef struct mw_imap_expunge_args {
    mw_imap_seqset set; /**< the UIDs */
    int has_set;        /**< 1 for UID EXPUNGE */
    int reserved_; /**< reserved (zero) */
} mw_imap_expunge_args;

/** @brief COPY / MOVE set mailbox (RFC 9051 §6.4.7, §6.4.8, RFC 6851). */
typedef struct mw_imap_copy_args {
    mw_imap_seqset set;      /**< messages (UIDs with #MW_IMAP_CMDF_UID) */
    mw_imap_mailbox mailbox; /**< destination */
} mw_imap_copy_args;

/* ====================================================================== */
/** @brief STORE modes (RFC 9051 §6.4.6). */
typedef enum mw_imap_store_mode {
    MW_IMAP_STORE_REPLACE = 0, /**< FLAGS */
    MW_IMAP_STORE_ADD = 1,     /**< +FLAGS */
    MW_IMAP_STORE_REMOVE = 2   /**< -FLAGS */
} mw_imap_store_mode;

/** @brief STORE set [(UNCHANGEDSINCE n)] [+|-]FLAGS[.SILENT] flags
 *         (RFC 9051 §6.4.6, RFC 7162 §3.1.3). */
typedef struct mw_imap_store_args {
    mw_imap_seqset set;        /**< messages */
    uint8_t mode;              /**< ::mw_imap_store_mode */
    uint8_t silent;            /**< .SILENT */
    uint8_t has_unchangedsince; /**< UNCHANGEDSINCE modifier present */
    uint8_t parenthesised;     /**< the flags came as "(...)" (else a SP list) */
    uint64_t unchangedsince;   /**< mod-sequence (0 allowed: RFC 7162 §3.1.3) */
    mw_imap_flags flags;       /**< the flags (may be empty) */
} mw_imap_store_args;

/* ====================================================================== */
/** @brief FETCH attributes a command asks for (RFC 9051 §6.4.5, §9
 *         `fetch-att`). The values equal the client's FETCH item ids
 *         (MW_IMAP_FETCH_* of imap_response.h) for the same item. */
typedef enum mw_imap_fetch_att {
    MW_IMAP_FA_FLAGS = 1,          /**< FLAGS */
    MW_IMAP_FA_UID = 2,            /**< UID */
    MW_IMAP_FA_INTERNALDATE = 3,   /**< INTERNALDATE */
    MW_IMAP_FA_RFC822_SIZE = 4,    /**< RFC822.SIZE */
    MW_IMAP_FA_ENVELOPE = 5,       /**< ENVELOPE */
    MW_IMAP_FA_BODY = 6,           /**< BODY (no section: the structure) */
    MW_IMAP_FA_BODYSTRUCTURE = 7,  /**< BODYSTRUCTURE */
    MW_IMAP_FA_MODSEQ = 8,         /**< MODSEQ (RFC 7162 §3.1.4) */
    MW_IMAP_FA_EMAILID = 9,        /**< EMAILID (RFC 8474 §5.1) */
    MW_IMAP_FA_THREADID = 10,      /**< THREADID (RFC 8474 §5.2) */
    MW_IMAP_FA_PREVIEW = 11,       /**< PREVIEW [(LAZY)] (RFC 8970 §3) */
    MW_IMAP_FA_SAVEDATE = 12,      /**< SAVEDATE (RFC 8514 §4.3) */
    MW_IMAP_FA_BINARY_SIZE = 13,   /**< BINARY.SIZE[part] (RFC 3516 §4.2) */
    MW_IMAP_FA_X_GM_MSGID = 14,    /**< X-GM-MSGID (Gmail) */
    MW_IMAP_FA_X_GM_THRID = 15,    /**< X-GM-THRID (Gmail) */
    MW_IMAP_FA_X_GM_LABELS = 16,   /**< X-GM-LABELS (Gmail) */
    MW_IMAP_FA_BINARY = 17,        /**< BINARY[part]\<partial\> / BINARY.PEEK (RFC 3516 §4.2) */
    MW_IMAP_FA_RFC822 = 18,        /**< RFC822 (IMAP4rev1) */
    MW_IMAP_FA_RFC822_HEADER = 19, /**< RFC822.HEADER (IMAP4rev1) */
    MW_IMAP_FA_RFC822_TEXT = 20,   /**< RFC822.TEXT (IMAP4rev1) */
    MW_IMAP_FA_BODY_SECTION = 21   /**< BODY[section]\<partial\> / BODY.PEEK[...] */
} mw_imap_fetch_att;

/** @brief Section text kinds (RFC 9051 §9 `section-msgtext`,
 *         `section-text`). */
typedef enum mw_imap_section_kind {
    MW_IMAP_SECTION_NONE = 0,          /**< "[]" or only part numbers "[1.2]" */
    MW_IMAP_SECTION_HEADER = 1,        /**< HEADER */
    MW_IMAP_SECTION_HEADER_FIELDS = 2, /**< HEADER.FIELDS (list) */
    MW_IMAP_SECTION_HEADER_FIELDS_NOT = 3, /**< HEADER.FIELDS.NOT (list) */
    MW_IMAP_SECTION_TEXT = 4,          /**< TEXT */
    MW_IMAP_SECTION_MIME = 5           /**< MIME (only after part numbers) */
} mw_imap_section_kind;

/** Most part numbers in one section specifier ("1.2.3..."); deeper is
 *  MW_E_LIMIT. */
#define MW_IMAP_SECTION_PARTS_MAX 16

/**
 * @brief One FETCH item a command asks for (RFC 9051 §9 `fetch-att`).
 *
 * For BODY[...] / BINARY[...] / BINARY.SIZE[...]: the section's part
 * numbers, its text kind, the header-field names and the partial range.
 * (Named `_req`, the item requested: `mw_imap_fetch_item` is the client's
 * parsed FETCH response item in imap_response.h.)
 */
typedef struct mw_imap_fetch_req {
    uint8_t att;         /**< ::mw_imap_fetch_att */
    uint8_t peek;        /**< BODY.PEEK / BINARY.PEEK */
    uint8_t section;     /**< ::mw_imap_section_kind */
    uint8_t has_partial; /**< "<origin.length>" present */
    uint8_t nparts;      /**< number of part numbers in `parts` */
    uint8_t lazy;        /**< PREVIEW (LAZY) (RFC 8970 §3) */
    uint8_t reserved_[2]; /**< reserved (zero) */
    uint32_t parts[MW_IMAP_SECTION_PARTS_MAX]; /**< part numbers, nz-number each */
    mw_span section_text; /**< raw text between "[" and "]" (empty for "[]") */
    const mw_span *fields; /**< HEADER.FIELDS(.NOT): the field names (astring contents) */
    uint32_t nfields;    /**< number of fields */
    uint64_t origin;     /**< partial: first octet */
    uint64_t length;     /**< partial: number of octets (nz) */
} mw_imap_fetch_req;

/** @name FETCH macros (::mw_imap_fetch_args::macro)
 *  @{ */
#define MW_IMAP_FETCH_MACRO_NONE 0u /**< an item or item list was sent */
#define MW_IMAP_FETCH_MACRO_ALL 1u  /**< ALL: FLAGS INTERNALDATE RFC822.SIZE ENVELOPE */
#define MW_IMAP_FETCH_MACRO_FAST 2u /**< FAST: FLAGS INTERNALDATE RFC822.SIZE */
#define MW_IMAP_FETCH_MACRO_FULL 3u /**< FULL: FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY */
/** @} */

/** @brief FETCH set items [(modifiers)] (RFC 9051 §6.4.5, RFC 7162
 *         §3.1.4 CHANGEDSINCE, §3.2.6 VANISHED). A macro is expanded
 *         into `items` and also reported in `macro`. */
typedef struct mw_imap_fetch_args {
    mw_imap_seqset set;               /**< messages */
    const mw_imap_fetch_req *items;     /**< the items, in order */
    uint32_t nitems;                  /**< number of items (at least one) */
    uint8_t macro;                    /**< MW_IMAP_FETCH_MACRO_* */
    uint8_t has_changedsince;         /**< CHANGEDSINCE modifier present */
    uint8_t vanished;                 /**< VANISHED modifier (UID FETCH only) */
    uint8_t reserved_; /**< reserved (zero) */
    uint64_t changedsince;            /**< mod-sequence */
} mw_imap_fetch_args;

/* ====================================================================== */
/** @brief Search keys (RFC 9051 §6.4.4, §9 `search-key`, RFC 3501,
 *         RFC 7162 MODSEQ, RFC 5032 WITHIN, RFC 8474, RFC 8514). */
typedef enum mw_imap_search_kind {
    MW_IMAP_SK_AND = 1,        /**< all children must match: the root and "( ... )" */
    MW_IMAP_SK_OR = 2,         /**< OR key1 key2: exactly two children */
    MW_IMAP_SK_NOT = 3,        /**< NOT key: exactly one child */
    MW_IMAP_SK_ALL = 4,        /**< ALL */
    MW_IMAP_SK_ANSWERED = 5,   /**< ANSWERED */
    MW_IMAP_SK_BCC = 6,        /**< BCC string */
    MW_IMAP_SK_BEFORE = 7,     /**< BEFORE date */
    MW_IMAP_SK_BODY = 8,       /**< BODY string */
    MW_IMAP_SK_CC = 9,         /**< CC string */
    MW_IMAP_SK_DELETED = 10,   /**< DELETED */
    MW_IMAP_SK_DRAFT = 11,     /**< DRAFT */
    MW_IMAP_SK_FLAGGED = 12,   /**< FLAGGED */
    MW_IMAP_SK_FROM = 13,      /**< FROM string */
    MW_IMAP_SK_HEADER = 14,    /**< HEADER field-name string */
    MW_IMAP_SK_KEYWORD = 15,   /**< KEYWORD flag-keyword */
    MW_IMAP_SK_LARGER = 16,    /**< LARGER number64 */
    MW_IMAP_SK_NEW = 17,       /**< NEW (IMAP4rev1) */
    MW_IMAP_SK_OLD = 18,       /**< OLD (IMAP4rev1) */
    MW_IMAP_SK_ON = 19,        /**< ON date */
    MW_IMAP_SK_RECENT = 20,    /**< RECENT (IMAP4rev1) */
    MW_IMAP_SK_SEEN = 21,      /**< SEEN */
    MW_IMAP_SK_SENTBEFORE = 22, /**< SENTBEFORE date */
    MW_IMAP_SK_SENTON = 23,    /**< SENTON date */
    MW_IMAP_SK_SENTSINCE = 24, /**< SENTSINCE date */
    MW_IMAP_SK_SINCE = 25,     /**< SINCE date */
    MW_IMAP_SK_SMALLER = 26,   /**< SMALLER number64 */
    MW_IMAP_SK_SUBJECT = 27,   /**< SUBJECT string */
    MW_IMAP_SK_TEXT = 28,      /**< TEXT string */
    MW_IMAP_SK_TO = 29,        /**< TO string */
    MW_IMAP_SK_UID = 30,       /**< UID sequence-set (or $) */
    MW_IMAP_SK_UNANSWERED = 31, /**< UNANSWERED */
    MW_IMAP_SK_UNDELETED = 32, /**< UNDELETED */
    MW_IMAP_SK_UNDRAFT = 33,   /**< UNDRAFT */
    MW_IMAP_SK_UNFLAGGED = 34, /**< UNFLAGGED */
    MW_IMAP_SK_UNKEYWORD = 35, /**< UNKEYWORD flag-keyword */
    MW_IMAP_SK_UNSEEN = 36,    /**< UNSEEN */
    MW_IMAP_SK_SEQSET = 37,    /**< a sequence-set (or $, RFC 5182) */
    MW_IMAP_SK_MODSEQ = 38,    /**< MODSEQ [entry-name entry-type] mod-sequence (RFC 7162 §3.1.5) */
    MW_IMAP_SK_OLDER = 39,     /**< OLDER seconds (RFC 5032) */
    MW_IMAP_SK_YOUNGER = 40,   /**< YOUNGER seconds (RFC 5032) */
    MW_IMAP_SK_EMAILID = 41,   /**< EMAILID objectid (RFC 8474) */
    MW_IMAP_SK_THREADID = 42,  /**< THREADID objectid (RFC 8474) */
    MW_IMAP_SK_SAVEDBEFORE = 43, /**< SAVEDBEFORE date (RFC 8514) */
    MW_IMAP_SK_SAVEDON = 44,   /**< SAVEDON date (RFC 8514) */
    MW_IMAP_SK_SAVEDSINCE = 45, /**< SAVEDSINCE date (RFC 8514) */
    MW_IMAP_SK_SAVEDATESUPPORTED = 46 /**< SAVEDATESUPPORTED (RFC 8514) */
} mw_imap_search_kind;

/** @brief MODSEQ entry types (RFC 7162 §3.1.5 `entry-type-req`). */
typedef enum mw_imap_entry_type {
    MW_IMAP_ENTRY_NONE = 0,   /**< no entry name was given */
    MW_IMAP_ENTRY_PRIV = 1,   /**< "priv" */
    MW_IMAP_ENTRY_SHARED = 2, /**< "shared" */
    MW_IMAP_ENTRY_ALL = 3     /**< "all" */
} mw_imap_entry_type;

/**
 * @brief One node of a search-key tree, built in the machine's arena.
 *
 * The tree's root is an #MW_IMAP_SK_AND node holding the top-level keys
 * (RFC 9051 §6.4.4: keys separated by SP are ANDed). A node's children
 * are `first`, then each child's `next`. Which value member a leaf uses
 * depends on its kind: `str` (string keys, KEYWORD/UNKEYWORD flag,
 * HEADER value, EMAILID/THREADID), `field` (HEADER field name, MODSEQ
 * entry name), `num` (LARGER/SMALLER size, MODSEQ value, OLDER/YOUNGER
 * seconds), `date` (date keys; time fields 0), `set` (UID, sequence set).
 * Nesting deeper than the machine's depth limit is #MW_E_DEPTH; the tree
 * is built without recursion and may be walked with the `depth` member.
 */
typedef struct mw_imap_search_key {
    uint8_t kind;        /**< ::mw_imap_search_kind */
    uint8_t entry_type;  /**< MODSEQ: ::mw_imap_entry_type */
    uint16_t depth;      /**< 0 for the root */
    uint32_t nchildren;  /**< number of children (AND, OR, NOT) */
    const struct mw_imap_search_key *first; /**< first child */
    const struct mw_imap_search_key *next;  /**< next sibling */
    const struct mw_imap_search_key *parent; /**< parent (NULL for the root) */
    mw_span str;         /**< string value (astring content) */
    mw_span field;       /**< HEADER field name; MODSEQ entry name */
    uint64_t num;        /**< number value */
    mw_imap_datetime date; /**< date value */
    mw_imap_seqset set;  /**< UID / sequence set value */
} mw_imap_search_key;

/** @name SEARCH RETURN options (RFC 4731 §3.1, RFC 5182 §2, RFC 9051
 *        §6.4.4)
 *  @{ */
#define MW_IMAP_SEARCHRET_MIN 0x01u   /**< MIN */
#define MW_IMAP_SEARCHRET_MAX 0x02u   /**< MAX */
#define MW_IMAP_SEARCHRET_ALL 0x04u   /**< ALL (also what "RETURN ()" means) */
#define MW_IMAP_SEARCHRET_COUNT 0x08u /**< COUNT */
#define MW_IMAP_SEARCHRET_SAVE 0x10u  /**< SAVE (RFC 5182) */
/** @} */

/** @brief Sort criteria (RFC 5256 §3 `sort-key`, RFC 5957 DISPLAY). */
typedef enum mw_imap_sort_key {
    MW_IMAP_SORT_ARRIVAL = 1,     /**< ARRIVAL */
    MW_IMAP_SORT_CC = 2,          /**< CC */
    MW_IMAP_SORT_DATE = 3,        /**< DATE */
    MW_IMAP_SORT_FROM = 4,        /**< FROM */
    MW_IMAP_SORT_SIZE = 5,        /**< SIZE */
    MW_IMAP_SORT_SUBJECT = 6,     /**< SUBJECT */
    MW_IMAP_SORT_TO = 7,          /**< TO */
    MW_IMAP_SORT_DISPLAYFROM = 8, /**< DISPLAYFROM (RFC 5957) */
    MW_IMAP_SORT_DISPLAYTO = 9    /**< DISPLAYTO (RFC 5957) */
} mw_imap_sort_key;

/** @brief One sort criterion: [REVERSE] key. */
typedef struct mw_imap_sort_criterion {
    uint8_t key;     /**< ::mw_imap_sort_key */
    uint8_t reverse; /**< REVERSE */
    uint8_t reserved_[6]; /**< reserved (zero) */
} mw_imap_sort_criterion;

/**
 * @brief SEARCH / SORT / THREAD (RFC 9051 §6.4.4, ESEARCH RFC 4731,
 *        SEARCHRES RFC 5182, RFC 5256).
 *
 * SEARCH [RETURN (opts)] [CHARSET c] keys; SORT (criteria) charset keys;
 * THREAD algorithm charset keys.
 */
typedef struct mw_imap_search_args {
    mw_span charset;      /**< CHARSET (astring content); NULL ptr when absent */
    const mw_imap_search_key *root; /**< the AND node of the top-level keys */
    uint32_t nkeys;       /**< nodes in the tree, the root excluded */
    uint8_t has_return;   /**< RETURN (...) was sent (ESEARCH response wanted) */
    uint8_t reserved_[3]; /**< reserved (zero) */
    unsigned return_opts; /**< MW_IMAP_SEARCHRET_* */
    const mw_imap_sort_criterion *sort; /**< SORT: the criteria */
    uint32_t nsort;       /**< SORT: number of criteria */
    uint32_t reserved2_; /**< reserved (zero) */
    mw_span algorithm;    /**< THREAD: the algorithm atom (ORDEREDSUBJECT, REFERENCES...) */
} mw_imap_search_args;

/* ====================================================================== */
/** @brief One ID field and value (RFC 2971 §3.3). */
typedef struct mw_imap_id_param {
    mw_span field; /**< field name (string content) */
    mw_span value; /**< value (nstring: NULL ptr for NIL) */
} mw_imap_id_param;

/** @brief ID (params) / ID NIL (RFC 2971 §3.1). At most 30 pairs
 *         (RFC 2971 §3.3). */
typedef struct mw_imap_id_args {
    const mw_imap_id_param *params; /**< pairs; NULL with count 0 for NIL */
    uint32_t count;                 /**< number of pairs */
    uint32_t nil;                   /**< 1 for "ID NIL" */
} mw_imap_id_args;

/** @brief COMPRESS mechanism (RFC 4978 §3). */
typedef struct mw_imap_compress_args {
    mw_span mechanism; /**< the mechanism atom as sent ("DEFLATE") */
    int deflate;       /**< 1 when it is DEFLATE (any case) */
    int reserved_; /**< reserved (zero) */
} mw_imap_compress_args;

/** @brief One SETQUOTA resource limit (RFC 9208 §4.2). */
typedef struct mw_imap_quota_limit {
    mw_span resource; /**< resource name atom (STORAGE, MESSAGE, ...) */
    uint64_t limit;   /**< number64 */
} mw_imap_quota_limit;

/** @brief GETQUOTA root / SETQUOTA root (limits) (RFC 9208 §4.1, §4.2). */
typedef struct mw_imap_quota_args {
    mw_span root;                     /**< quota root (astring content) */
    const mw_imap_quota_limit *limits; /**< SETQUOTA: the limits */
    uint32_t nlimits;                 /**< SETQUOTA: number of limits (may be 0) */
    uint32_t reserved_; /**< reserved (zero) */
} mw_imap_quota_args;

/** @brief One SETMETADATA entry and value (RFC 5464 §4.3). */
typedef struct mw_imap_metadata_item {
    mw_span entry;  /**< entry name (astring content) */
    mw_span value;  /**< value (nstring or literal8; NULL ptr for NIL) */
    int binary;     /**< the value came as a literal8 */
    int reserved_; /**< reserved (zero) */
} mw_imap_metadata_item;

/** @brief GETMETADATA [(options)] mailbox entries / SETMETADATA mailbox
 *         (entry value ...) (RFC 5464 §4.2, §4.3). The mailbox "" is the
 *         server. */
typedef struct mw_imap_metadata_args {
    mw_imap_mailbox mailbox;   /**< mailbox ("" for server annotations) */
    const mw_imap_metadata_item *entries; /**< GET: names only (value NIL); SET: pairs */
    uint32_t count;            /**< number of entries */
    uint8_t has_maxsize;       /**< GETMETADATA MAXSIZE option */
    uint8_t has_depth;         /**< GETMETADATA DEPTH option */
    uint8_t depth;             /**< 0, 1, or 255 for "infinity" */
    uint8_t reserved_; /**< reserved (zero) */
    uint32_t maxsize;          /**< MAXSIZE value */
    uint32_t reserved2_; /**< reserved (zero) */
} mw_imap_metadata_args;

/** @brief A command the library does not know (RFC 4466 style): its name
 *         and the raw text of its arguments. */
typedef struct mw_imap_other_args {
    mw_span name; /**< the command name as sent */
    mw_span args; /**< everything after the name and its SP (may be empty) */
} mw_imap_other_args;

/* ====================================================================== */
/**
 * @brief A parsed command.
 *
 * `tag`, `id` and `name` are filled as far as they were read even when
 * parsing fails, so the machine can answer "tag BAD reason" (or "* BAD"
 * when the tag itself is invalid: `tag.ptr` NULL).
 */
typedef struct mw_imap_cmd {
    int id;            /**< ::mw_imap_cmd_id (MW_IMAP_CMD_NONE before the name was read) */
    unsigned flags;    /**< MW_IMAP_CMDF_* */
    mw_span tag;       /**< the tag (NULL ptr when not read or invalid) */
    mw_span name;      /**< the command name as sent ("UID FETCH" gives "FETCH") */
    size_t offset;     /**< stream offset of the command's first byte */
    /** The arguments: which member is used depends on `id` (see the
     *  table in the file description). */
    union {
        mw_imap_login_args login;               /**< LOGIN */
        mw_imap_authenticate_args authenticate; /**< AUTHENTICATE */
        mw_imap_enable_args enable;             /**< ENABLE */
        mw_imap_select_args select;             /**< SELECT, EXAMINE */
        mw_imap_mailbox_args mailbox;           /**< CREATE, DELETE, SUBSCRIBE, UNSUBSCRIBE, GETQUOTAROOT */
        mw_imap_rename_args rename;             /**< RENAME */
        mw_imap_list_args list;                 /**< LIST, LSUB */
        mw_imap_status_args status;             /**< STATUS */
        mw_imap_append_args append;             /**< APPEND */
        mw_imap_expunge_args expunge;           /**< EXPUNGE, UID EXPUNGE */
        mw_imap_search_args search;             /**< SEARCH, SORT, THREAD */
        mw_imap_fetch_args fetch;               /**< FETCH */
        mw_imap_store_args store;               /**< STORE */
        mw_imap_copy_args copy;                 /**< COPY, MOVE */
        mw_imap_id_args id;                     /**< ID */
        mw_imap_compress_args compress;         /**< COMPRESS */
        mw_imap_quota_args quota;               /**< GETQUOTA, SETQUOTA */
        mw_imap_metadata_args metadata;         /**< GETMETADATA, SETMETADATA */
        mw_imap_other_args other;               /**< OTHER */
    } u;
} mw_imap_cmd;

#ifdef __cplusplus
}
#endif

#endif
