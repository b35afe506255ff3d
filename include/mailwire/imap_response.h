/* SPDX-License-Identifier: MIT */
/**
 * @file imap_response.h
 * @brief IMAP client: the parsed server responses (RFC 9051 §7, RFC 3501
 *        §7 and the extensions) and the callbacks that deliver them.
 *
 * The client machine (imap_client.h) cuts the server's byte stream into
 * frames, parses each frame with the RFC 9051 / RFC 3501 grammar and hands
 * the result to the application through the callbacks of
 * ::mw_imap_client_callbacks:
 *
 * | response                                   | callback |
 * |--------------------------------------------|----------|
 * | greeting, `* OK/NO/BAD/BYE/PREAUTH`, tagged completions | `status` (::mw_imap_status) |
 * | `+ ...` continuation not used by the machine | `continuation` |
 * | `* SEARCH`, `* SORT` numbers, one at a time  | `search` (::mw_imap_search_ev) |
 * | `* n FETCH (...)`                            | `fetch_begin`, `fetch_item` per item, `body_begin` / `body_data` / `body_end` per body section, `fetch_end` |
 * | every other untagged response (CAPABILITY, LIST, STATUS, ESEARCH, ...; unknown ones as ::MW_IMAP_DATA_OTHER) | `data` (::mw_imap_data) |
 * | a response that cannot be parsed, an arena too small, a frame too long | `error` |
 *
 * ## Lifetimes
 *
 * Everything a callback receives (spans, structures, arrays) points into
 * the frame text (the caller's input chunk or the machine's frame buffer)
 * or into the caller's arena, and stays valid until the callback returns.
 * Copy what you keep.
 *
 * ## Callback results
 *
 * Every callback returns 0 to go on, #MW_PAUSED to make mw_imap_client_feed()
 * return (feed again with the rest of the input to resume), or a negative
 * value to abort (the machine fails with #MW_E_CALLBACK). A response is
 * parsed whole once its last byte is in, so a pause asked for by one of its
 * events takes effect after the response's remaining events; a pause from
 * `body_data` takes effect at once (the rest of the literal is read by the
 * next feed).
 *
 * ## Memory
 *
 * ENVELOPE, BODYSTRUCTURE and the lists of NAMESPACE, ID, QUOTA,
 * QUOTAROOT, METADATA, THREAD and X-GM-LABELS are built in the arena of
 * the client configuration; quoted strings with backslash escapes are
 * unescaped there. The arena is reused for every item, so it needs to hold
 * the largest single item only: about 260 bytes per body part, 40 per
 * address, 32 per parameter. Body sections and SEARCH numbers need no
 * memory at all: they are streamed.
 *
 * ## Example
 *
 * @code
 * static int on_item(mw_imap_client *c, void *user,
 *                    const mw_imap_fetch_item *it)
 * {
 *     if (it->id == MW_IMAP_FETCH_ENVELOPE && it->envelope->subject.ptr)
 *         show_subject(user, it->msg, it->envelope->subject.ptr,
 *                      it->envelope->subject.len);
 *     return 0;
 * }
 * static int on_body(mw_imap_client *c, void *user, const char *p, size_t n)
 * {
 *     return write_to_file(user, p, n) == 0 ? 0 : -1;
 * }
 * ...
 * mw_imap_client_callbacks cb = {0};
 * cb.send = on_send;
 * cb.fetch_item = on_item;
 * cb.body_data = on_body;
 * @endcode
 *
 * ## Errors in responses
 *
 * A response that does not follow the grammar is skipped whole (its frame,
 * literals included, never from the point of failure): the `error`
 * callback receives the status (#MW_E_SYNTAX, #MW_E_DEPTH, #MW_E_NOSPACE
 * when an ENVELOPE or BODYSTRUCTURE does not fit the arena, #MW_E_TOO_LONG,
 * #MW_E_OVERFLOW...), the stream offset of the offending byte and a short
 * reason, and the machine goes on with the next response. Events already
 * delivered for the frame before the error (the items of a FETCH before a
 * streamed body section, the numbers of a SEARCH released at the frame
 * limit) stand; the frame's closing event (`fetch_end`, the search END
 * event) is then not delivered.
 *
 * ## Quirks
 *
 * Real servers break the grammar in known ways (field-notes §3). Each
 * tolerated defect has a switch (MW_IMAP_QUIRK_* in imap.h, the client
 * configuration's `quirks`), all off by default: without its switch a
 * defect is an error like any other. Where the parser honours them:
 *
 * | switch | tolerated |
 * |--------|-----------|
 * | #MW_IMAP_QUIRK_NEGATIVE_LINES | `-n` as body-fld-lines (lines < 0 in ::mw_imap_body) |
 * | #MW_IMAP_QUIRK_NIL_PARAM | NIL as a body-fld-param value |
 * | #MW_IMAP_QUIRK_NIL_ENCODING | NIL as body-fld-enc |
 * | #MW_IMAP_QUIRK_TRAILING_SPACE | extra SP before the line end or ")" (CAPABILITY, ENABLED, ID, SEARCH, SORT, STATUS, FETCH, BODYSTRUCTURE lists, X-GM-LABELS, QUOTAROOT, ESEARCH) |
 * | #MW_IMAP_QUIRK_CODE_WITHOUT_TEXT | no effect: "[code]" right before the line end is always accepted (Gmail; RFC 9051's own MOVE and CONTACTADMIN examples; its erratum on Appendix E item 23) |
 * | #MW_IMAP_QUIRK_BARE_PLUS | "+" alone on a line |
 * | #MW_IMAP_QUIRK_QUOTED_BODY | 8-bit bytes in a body section sent as a quoted string (a quoted body section itself is valid RFC 9051 `nstring` and always accepted) |
 * | #MW_IMAP_QUIRK_SPACE_BETWEEN_PARTS | SP between the parts of a multipart BODYSTRUCTURE |
 * | #MW_IMAP_QUIRK_LOOSE_CODE | quoted strings (holding "]") and nested brackets in a response code argument, and a quoted string glued to the code atom |
 * | #MW_IMAP_QUIRK_EMPTY_LISTS | `* ID ()` (an empty `STATUS ... ()` is valid and always accepted) |
 * | #MW_IMAP_QUIRK_8BIT_STRINGS | 8-bit bytes in atoms and quoted strings without UTF8=ACCEPT (set by the machine in the lexer flags) |
 */
#ifndef MAILWIRE_IMAP_RESPONSE_H
#define MAILWIRE_IMAP_RESPONSE_H

#include "imap.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The typedef of the client context lives here because the callbacks
 * below need it and imap.h includes this header before imap_client.h.
 * imap_client.h defines `struct mw_imap_client`; if it repeats the
 * typedef it must use the same guard (C99 forbids a duplicate typedef). */
#ifndef MW_IMAP_CLIENT_TYPEDEF_
/** @cond PRIVATE */
#define MW_IMAP_CLIENT_TYPEDEF_
/** @endcond */
/**
 * @brief The client machine (its context is defined in imap_client.h).
 */
typedef struct mw_imap_client mw_imap_client;
#endif

/* ====================================================================== */
/**
 * @brief A status response (RFC 9051 §7.1): the greeting, an untagged
 *        OK/NO/BAD/BYE/PREAUTH or a tagged completion.
 *
 * `resp-text = ["[" resp-text-code "]" SP] [text]`: the code is in `code`
 * (id ::MW_IMAP_CODE_NONE when absent), the human-readable text in `text`.
 * Spans point into the frame text and are valid during the callback.
 */
typedef struct mw_imap_status {
    int result;         /**< ::mw_imap_result */
    mw_span tag;        /**< the tag of a tagged completion; empty (NULL ptr) when untagged */
    int cmd;            /**< ::mw_imap_cmd_id of the completed command (NONE when untagged) */
    unsigned cmd_flags; /**< MW_IMAP_CMDF_* of the completed command (UID form...) */
    uint32_t handle;    /**< the handle the command got when it was formatted (0 when untagged) */
    uint8_t untagged;   /**< 1 for `* OK/NO/BAD/BYE/PREAUTH` */
    uint8_t greeting;   /**< 1 for the server greeting */
    uint8_t reserved_[2]; /**< reserved, 0 */
    mw_imap_code code;  /**< response code (RFC 9051 §7.1) */
    mw_span text;       /**< the text after the code (may be empty) */
    size_t offset;      /**< stream offset of the response's first byte */
} mw_imap_status;

/* ====================================================================== */
/** @brief Kinds of ::mw_imap_token. */
typedef enum mw_imap_token_kind {
    MW_IMAP_TOKEN_ATOM = 1,     /**< an atom (also `\\Flag`, `BODY[1]<0>`: any run of ATOM-CHARs, "\\", "]") */
    MW_IMAP_TOKEN_NUMBER = 2,   /**< digits only */
    MW_IMAP_TOKEN_QUOTED = 3,   /**< a quoted string: `text` is its content, escapes still in */
    MW_IMAP_TOKEN_LITERAL = 4,  /**< a literal (or literal8): `text` is its content */
    MW_IMAP_TOKEN_NIL = 5,      /**< NIL (`text` has a NULL ptr) */
    MW_IMAP_TOKEN_OPEN = 6,     /**< "(" */
    MW_IMAP_TOKEN_CLOSE = 7     /**< ")" */
} mw_imap_token_kind;

/**
 * @brief One token of a response's raw text (RFC 4466 §2.1
 *        `tagged-ext-val` shapes), as given by mw_imap_tokens_next().
 */
typedef struct mw_imap_token {
    int kind;        /**< ::mw_imap_token_kind */
    unsigned depth;  /**< parentheses open around the token (an OPEN and its CLOSE have the depth outside the list) */
    mw_span text;    /**< the token's text (see the kinds); points into the raw text */
    int escaped;     /**< QUOTED: 1 when the content holds backslash escapes */
} mw_imap_token;

/**
 * @brief A walk over raw response text (see mw_imap_tokens_init()).
 *        Fields private.
 */
typedef struct mw_imap_tokens {
    const char *p;   /**< @private the text */
    size_t n;        /**< @private its length */
    size_t pos;      /**< @private the next byte */
    unsigned depth;  /**< @private parentheses open */
    unsigned reserved_; /**< reserved, 0 */
} mw_imap_tokens;

/**
 * @brief Start walking the raw text of an unknown response
 *        (::MW_IMAP_DATA_OTHER's `raw`), of an unknown FETCH item's value
 *        or of a response code argument as a token stream, without memory.
 * @param t the walk. Not NULL.
 * @param p the text; it must stay valid during the walk (a callback's
 *          spans are valid during that callback). May be NULL when `n` is 0.
 * @param n its length.
 */
MW_API void mw_imap_tokens_init(mw_imap_tokens *t, const char *p, size_t n);

/**
 * @brief The next token of the walk.
 *
 * Tokens are separated by SP (extra spaces are skipped); parentheses must
 * balance; literals `{n}` CRLF and `~{n}` CRLF are read by their announced
 * size.
 *
 * @param t   the walk. Not NULL.
 * @param tok receives the token; its `text` points into the walked text.
 *            Not NULL.
 * @return 1 with a token; 0 at the end of the text; #MW_E_SYNTAX (an
 *         unterminated string or literal, an unbalanced parenthesis, a
 *         byte that starts no token; the walk stays at it and fails
 *         again); #MW_E_INVAL for NULL arguments.
 */
MW_API int mw_imap_tokens_next(mw_imap_tokens *t, mw_imap_token *tok);

/* ====================================================================== */
/** @name SEARCH / SORT stream events (::mw_imap_client_callbacks::search)
 *  @{ */
/** A `* SEARCH` response starts (RFC 9051 §7.3.5 / RFC 3501 §7.2.5). */
#define MW_IMAP_SEARCH_BEGIN 1
/** A `* SORT` response starts (RFC 5256 §4). */
#define MW_IMAP_SORT_BEGIN 2
/** One number (message sequence number or UID) in `lo` (== `hi`). */
#define MW_IMAP_SEARCH_NUM 3
/** The `(MODSEQ n)` that ends a SEARCH or SORT (RFC 7162 §3.1.5) in `lo`. */
#define MW_IMAP_SEARCH_MODSEQ 4
/** The response ended: `lo` is the number of numbers delivered. */
#define MW_IMAP_SEARCH_END 5
/** One range `lo`..`hi` (as sent: `lo` may exceed `hi`) of an ESEARCH
 *  `ALL` set too long for the frame limit (RFC 4731 §3.1): such a set is
 *  streamed range by range, then the ::MW_IMAP_DATA_ESEARCH data event
 *  follows with ::mw_imap_esearch::all_streamed set. */
#define MW_IMAP_SEARCH_RANGE 6
/** @} */

/**
 * @brief One SEARCH/SORT event: a response is streamed as BEGIN, any
 *        number of NUM, an optional MODSEQ, then END.
 *
 * A `* SEARCH` line of any length is parsed number by number: the machine
 * releases the frame text it has parsed when it reaches its frame limit,
 * so a 100 MB SEARCH needs no 100 MB buffer. If the response turns out to
 * be malformed after numbers were delivered, the `error` callback is
 * called instead of END.
 */
typedef struct mw_imap_search_ev {
    int ev;         /**< MW_IMAP_SEARCH_BEGIN, SORT_BEGIN, NUM, MODSEQ, END, RANGE */
    int sort;       /**< 1 within a `* SORT` response, 0 within `* SEARCH` or `* ESEARCH` */
    uint64_t lo;    /**< the number / modseq / count; RANGE: the first number */
    uint64_t hi;    /**< equals lo; RANGE: the second number */
} mw_imap_search_ev;

/**
 * @brief A LIST or LSUB response (RFC 9051 §7.3.1, RFC 3501 §7.2.3,
 *        LIST-EXTENDED RFC 5258 §3.5).
 */
typedef struct mw_imap_list {
    unsigned attrs;      /**< MW_IMAP_LIST_* bits (imap.h) */
    uint8_t mutf7;       /**< 1 when `mailbox` holds '&' and is modified UTF-7
                            * (decode with mw_imap_mutf7_decode()); 0 when it is
                            * plain ASCII or UTF-8 (UTF8=ACCEPT) */
    uint8_t reserved_[3]; /**< reserved, 0 */
    mw_span attr_text;   /**< raw attributes inside the parentheses */
    mw_span delimiter;   /**< hierarchy delimiter (one char); NIL (NULL ptr) for a flat name space */
    mw_span mailbox;     /**< the mailbox name as sent (astring content; "INBOX" in any case is "INBOX") */
    mw_span childinfo;   /**< raw text inside `("CHILDINFO" (...))`'s inner list (RFC 5258); empty when absent */
    mw_span oldname;     /**< OLDNAME value (RFC 9051 §6.3.9.7); NULL ptr when absent */
    mw_span extended;    /**< raw text of all `mbox-list-extended` items; empty when none */
} mw_imap_list;


/**
 * @brief A STATUS response (RFC 9051 §7.3.5 `status-att-list`).
 */
typedef struct mw_imap_mbox_status {
    mw_span mailbox;        /**< mailbox name as sent */
    uint8_t mutf7;          /**< 1 when the name is modified UTF-7 (holds '&') */
    uint8_t appendlimit_nil; /**< 1 for `APPENDLIMIT NIL` (no limit) */
    uint8_t reserved_[2]; /**< reserved, 0 */
    unsigned has;           /**< MW_IMAP_STATUS_* bits of the items present */
    uint32_t messages;      /**< MESSAGES */
    uint32_t recent;        /**< RECENT */
    uint32_t uidnext;       /**< UIDNEXT */
    uint32_t uidvalidity;   /**< UIDVALIDITY */
    uint32_t unseen;        /**< UNSEEN */
    uint32_t deleted;       /**< DELETED */
    uint64_t size;          /**< SIZE */
    uint64_t highestmodseq; /**< HIGHESTMODSEQ */
    uint64_t appendlimit;   /**< APPENDLIMIT */
    uint64_t deleted_storage; /**< DELETED-STORAGE */
    mw_span mailboxid;      /**< MAILBOXID objectid (inside the parentheses) */
    mw_span raw;            /**< raw item list inside the parentheses */
} mw_imap_mbox_status;

/** @name ESEARCH return data present (::mw_imap_esearch::has)
 *  @{ */
#define MW_IMAP_ESEARCH_MIN 0x01u     /**< MIN */
#define MW_IMAP_ESEARCH_MAX 0x02u     /**< MAX */
#define MW_IMAP_ESEARCH_COUNT 0x04u   /**< COUNT */
#define MW_IMAP_ESEARCH_ALL 0x08u     /**< ALL */
#define MW_IMAP_ESEARCH_MODSEQ 0x10u  /**< MODSEQ (RFC 7162) */
#define MW_IMAP_ESEARCH_PARTIAL 0x20u /**< PARTIAL (RFC 9394) */
#define MW_IMAP_ESEARCH_OTHER 0x80u   /**< return data not known by name */
/** @} */

/**
 * @brief An ESEARCH response (RFC 9051 §7.3.4, RFC 4731).
 */
typedef struct mw_imap_esearch {
    mw_span tag;         /**< search correlator `(TAG "x")`; NULL ptr when absent */
    uint8_t uid;         /**< 1 when the `UID` indicator is present */
    uint8_t all_streamed; /**< 1 when the ALL set was too long for the frame
                            * limit and came as #MW_IMAP_SEARCH_RANGE events
                            * before this one (`all` and `raw` are then empty) */
    uint8_t reserved_[2]; /**< reserved, 0 */
    unsigned has;        /**< MW_IMAP_ESEARCH_* bits */
    uint32_t min;        /**< MIN */
    uint32_t max;        /**< MAX */
    uint32_t count;      /**< COUNT */
    uint32_t reserved2_; /**< reserved, 0 */
    uint64_t modseq;     /**< MODSEQ */
    mw_imap_seqset all;  /**< ALL: a sequence set */
    mw_span partial;     /**< PARTIAL raw value inside its parentheses */
    mw_span raw;         /**< raw text of all return data */
} mw_imap_esearch;

/**
 * @brief One namespace descriptor (RFC 2342 §5, RFC 9051 §7.3.2).
 */
typedef struct mw_imap_namespace {
    mw_span prefix;      /**< the prefix (string) */
    mw_span delimiter;   /**< the hierarchy delimiter; NIL (NULL ptr) when none */
    mw_span extension;   /**< raw `Namespace-Response-Extensions`; empty when none */
} mw_imap_namespace;

/**
 * @brief A list of namespace descriptors; NIL is `count` 0, `nil` 1.
 */
typedef struct mw_imap_namespace_list {
    const mw_imap_namespace *items; /**< `count` contiguous descriptors (in the arena) */
    uint32_t count;                 /**< number of descriptors */
    uint32_t nil;                   /**< 1 when the list was NIL */
} mw_imap_namespace_list;

/**
 * @brief One QUOTA resource (RFC 9208 §5.1 `quota-resource`).
 */
typedef struct mw_imap_quota_resource {
    mw_span name;        /**< resource name ("STORAGE", "MESSAGE"...) */
    uint64_t usage;      /**< current usage */
    uint64_t limit;      /**< limit */
} mw_imap_quota_resource;

/**
 * @brief One METADATA entry (RFC 5464 §4.4).
 */
typedef struct mw_imap_metadata_entry {
    mw_span name;        /**< entry name ("/private/comment") */
    mw_span value;       /**< value (nstring; NIL = NULL ptr); NULL ptr also in the
                            * unsolicited form, which carries names only */
} mw_imap_metadata_entry;

/**
 * @brief One node of a THREAD response (RFC 5256 §4): a message and its
 *        parent in the thread tree.
 *
 * Nodes are listed in the order the numbers appear; `parent` is the index
 * + 1 of the parent node in the same array, 0 for a thread root (or a
 * node whose parent is a missing message, RFC 5256 §4 "dummy" nesting).
 */
typedef struct mw_imap_thread_node {
    uint32_t num;        /**< message number or UID */
    uint32_t parent;     /**< index + 1 of the parent node; 0 for a root */
    uint32_t depth;      /**< nesting depth of the number in the parentheses (1 = top list) */
    uint32_t reserved_; /**< reserved, 0 */
} mw_imap_thread_node;

/** @brief Kinds of untagged data (::mw_imap_data::kind). */
typedef enum mw_imap_data_kind {
    MW_IMAP_DATA_OTHER = 0,       /**< a response not known by name (RFC 4466): `name`, `raw` (walk it with mw_imap_tokens_init()), `other` */
    MW_IMAP_DATA_CAPABILITY = 1,  /**< CAPABILITY (RFC 9051 §7.2.2): `caps` */
    MW_IMAP_DATA_ENABLED = 2,     /**< ENABLED (RFC 5161 §3.2): `caps` */
    MW_IMAP_DATA_LIST = 3,        /**< LIST (§7.3.1): `list` */
    MW_IMAP_DATA_LSUB = 4,        /**< LSUB (RFC 3501 §7.2.3): `list` */
    MW_IMAP_DATA_STATUS = 5,      /**< STATUS (§7.3.5): `status` */
    MW_IMAP_DATA_ESEARCH = 6,     /**< ESEARCH (§7.3.4): `esearch` */
    MW_IMAP_DATA_FLAGS = 7,       /**< FLAGS (§7.3.5): `flags` */
    MW_IMAP_DATA_EXISTS = 8,      /**< n EXISTS (§7.4.1): `num` */
    MW_IMAP_DATA_RECENT = 9,      /**< n RECENT (RFC 3501 §7.3.2): `num` */
    MW_IMAP_DATA_EXPUNGE = 10,    /**< n EXPUNGE (§7.5.1): `num` */
    MW_IMAP_DATA_VANISHED = 11,   /**< VANISHED [(EARLIER)] set (RFC 7162 §3.2.10): `vanished` */
    MW_IMAP_DATA_NAMESPACE = 12,  /**< NAMESPACE (§7.3.2, RFC 2342): `ns` */
    MW_IMAP_DATA_ID = 13,         /**< ID (RFC 2971 §3.2): `id` */
    MW_IMAP_DATA_QUOTA = 14,      /**< QUOTA (RFC 9208 §5.1): `quota` */
    MW_IMAP_DATA_QUOTAROOT = 15,  /**< QUOTAROOT (RFC 9208 §5.2): `quotaroot` */
    MW_IMAP_DATA_METADATA = 16,   /**< METADATA (RFC 5464 §4.4): `metadata` */
    MW_IMAP_DATA_THREAD = 17      /**< THREAD (RFC 5256 §4): `thread` */
} mw_imap_data_kind;

/**
 * @brief One untagged data response (every one but status responses,
 *        SEARCH/SORT and FETCH): `kind` says which union member is valid.
 *
 * Spans point into the frame text, arrays into the caller's arena; all
 * are valid during the `data` callback only.
 */
typedef struct mw_imap_data {
    int kind;            /**< ::mw_imap_data_kind */
    uint32_t reserved_; /**< reserved, 0 */
    size_t offset;       /**< stream offset of the response's first byte */
    mw_span name;        /**< the response name as sent ("LIST", "X-FOO"...) */
    mw_span raw;         /**< raw text after the name and its SP (may be empty) */
    /** Per-kind contents. */
    union {
        /** CAPABILITY, ENABLED: capabilities as bits; the tokens are in `raw`
         *  (iterate with mw_imap_caps_next()). */
        mw_imap_caps caps;
        /** LIST, LSUB. */
        mw_imap_list list;
        /** STATUS. */
        mw_imap_mbox_status status;
        /** ESEARCH. */
        mw_imap_esearch esearch;
        /** FLAGS. */
        mw_imap_flags flags;
        /** EXISTS, RECENT, EXPUNGE: the number. */
        uint32_t num;
        /** VANISHED. */
        struct {
            uint8_t earlier;     /**< 1 for `(EARLIER)` */
            uint8_t reserved_[3]; /**< reserved, 0 */
            mw_imap_seqset uids; /**< the expunged UIDs */
        } vanished;
        /** NAMESPACE: personal, other users', shared. */
        struct {
            mw_imap_namespace_list personal; /**< personal namespaces */
            mw_imap_namespace_list other;    /**< other users' namespaces */
            mw_imap_namespace_list shared;   /**< shared namespaces */
        } ns;
        /** ID: field/value pairs (value NIL = NULL ptr). */
        struct {
            const mw_imap_param *params; /**< `count` contiguous pairs in the arena */
            uint32_t count;              /**< number of pairs */
            uint32_t nil;                /**< 1 for `* ID NIL` */
        } id;
        /** QUOTA. */
        struct {
            mw_span root;                            /**< quota root */
            const mw_imap_quota_resource *resources; /**< `count` resources in the arena */
            uint32_t count;                          /**< number of resources */
            uint32_t reserved_; /**< reserved, 0 */
        } quota;
        /** QUOTAROOT. */
        struct {
            mw_span mailbox;      /**< the mailbox */
            const mw_span *roots; /**< `count` quota root names in the arena */
            uint32_t count;       /**< number of roots */
            uint32_t reserved_; /**< reserved, 0 */
        } quotaroot;
        /** METADATA. */
        struct {
            mw_span mailbox;                        /**< the mailbox ("" for server entries) */
            const mw_imap_metadata_entry *entries;  /**< `count` entries in the arena */
            uint32_t count;                         /**< number of entries */
            uint32_t names_only;                    /**< 1 for the unsolicited form (names only) */
        } metadata;
        /** THREAD. */
        struct {
            const mw_imap_thread_node *nodes; /**< `count` nodes in the arena */
            uint32_t count;                   /**< number of nodes */
            uint32_t reserved_; /**< reserved, 0 */
        } thread;
        /** OTHER: an unknown response. `name` and `raw` carry it; when it
         *  started with a number (`* 12 XFOO ...`) that is here. */
        struct {
            uint32_t num;     /**< the leading number */
            uint32_t has_num; /**< 1 when there was a leading number */
        } other;
    } u;
} mw_imap_data;

/* ====================================================================== */
/** @brief FETCH items (::mw_imap_fetch_item::id, ::mw_imap_body_section::item). */
typedef enum mw_imap_fetch_id {
    MW_IMAP_FETCH_OTHER = 0,         /**< an item not known by name: `name` and `raw` */
    MW_IMAP_FETCH_FLAGS = 1,         /**< FLAGS: `flags` */
    MW_IMAP_FETCH_UID = 2,           /**< UID: `num` */
    MW_IMAP_FETCH_INTERNALDATE = 3,  /**< INTERNALDATE: `date` */
    MW_IMAP_FETCH_RFC822_SIZE = 4,   /**< RFC822.SIZE: `num` */
    MW_IMAP_FETCH_ENVELOPE = 5,      /**< ENVELOPE: `envelope` */
    MW_IMAP_FETCH_BODY = 6,          /**< BODY (structure): `body`; BODY[...] is a section */
    MW_IMAP_FETCH_BODYSTRUCTURE = 7, /**< BODYSTRUCTURE: `body` */
    MW_IMAP_FETCH_MODSEQ = 8,        /**< MODSEQ (RFC 7162): `num` */
    MW_IMAP_FETCH_EMAILID = 9,       /**< EMAILID (RFC 8474): `str` */
    MW_IMAP_FETCH_THREADID = 10,     /**< THREADID (RFC 8474): `str` (NIL possible) */
    MW_IMAP_FETCH_PREVIEW = 11,      /**< PREVIEW (RFC 8970): `str` (NIL possible) */
    MW_IMAP_FETCH_SAVEDATE = 12,     /**< SAVEDATE (RFC 8514): `date` (NIL possible) */
    MW_IMAP_FETCH_BINARY_SIZE = 13,  /**< BINARY.SIZE[section] (RFC 3516): `num` (a 32-bit `number`, RFC 9051 §9), `section` */
    MW_IMAP_FETCH_X_GM_MSGID = 14,   /**< X-GM-MSGID (Gmail): `num` */
    MW_IMAP_FETCH_X_GM_THRID = 15,   /**< X-GM-THRID (Gmail): `num` */
    MW_IMAP_FETCH_X_GM_LABELS = 16,  /**< X-GM-LABELS (Gmail): `labels` */
    MW_IMAP_FETCH_BINARY = 17,       /**< BINARY[section]\<origin> (section, RFC 3516) */
    MW_IMAP_FETCH_RFC822 = 18,       /**< RFC822 (section, RFC 3501) */
    MW_IMAP_FETCH_RFC822_HEADER = 19, /**< RFC822.HEADER (section, RFC 3501) */
    MW_IMAP_FETCH_RFC822_TEXT = 20,  /**< RFC822.TEXT (section, RFC 3501) */
    MW_IMAP_FETCH_BODY_SECTION = 21  /**< BODY[section]\<origin> (section) */
} mw_imap_fetch_id;

/**
 * @brief One FETCH item (RFC 9051 §7.5.2 `msg-att`) other than a body
 *        section: `id` says which members are valid.
 *
 * ENVELOPE and BODY/BODYSTRUCTURE are built in the caller's arena (the
 * client configuration's arena); if they do not fit, the response is
 * skipped and `error` reports #MW_E_NOSPACE. All pointers are valid
 * during the `fetch_item` callback only.
 */
typedef struct mw_imap_fetch_item {
    int id;                   /**< ::mw_imap_fetch_id */
    uint8_t nil;              /**< 1 when the value was NIL (THREADID, PREVIEW, SAVEDATE) */
    uint8_t reserved_[3]; /**< reserved, 0 */
    uint32_t msg;             /**< the message sequence number of the FETCH */
    uint32_t nlabels;         /**< X-GM-LABELS: number of labels */
    mw_span name;             /**< the item name as sent */
    mw_span raw;              /**< raw text of the value */
    uint64_t num;             /**< UID, RFC822.SIZE, MODSEQ, BINARY.SIZE, X-GM-MSGID, X-GM-THRID */
    mw_imap_flags flags;      /**< FLAGS */
    mw_imap_datetime date;    /**< INTERNALDATE, SAVEDATE */
    const mw_imap_envelope *envelope; /**< ENVELOPE */
    const mw_imap_body *body; /**< BODY, BODYSTRUCTURE: the root node */
    mw_span str;              /**< EMAILID, THREADID (objectid), PREVIEW (nstring content) */
    mw_span section;          /**< BINARY.SIZE: the section part numbers */
    const mw_span *labels;    /**< X-GM-LABELS: `nlabels` astrings (content) in the arena */
} mw_imap_fetch_item;

/** @name How a body section's content came (::mw_imap_body_section::form)
 *  @{ */
#define MW_IMAP_BODY_LITERAL 0   /**< a literal `{n}`: streamed from the input */
#define MW_IMAP_BODY_LITERAL8 1  /**< a literal8 `~{n}` (BINARY, RFC 3516) */
#define MW_IMAP_BODY_QUOTED 2    /**< a quoted string (one body_data span) */
#define MW_IMAP_BODY_NIL 3       /**< NIL: no body_data */
/** @} */

/**
 * @brief A body section of a FETCH response (RFC 9051 §7.5.2
 *        `"BODY" section ["\<" number ">"] SP nstring`, `BINARY`,
 *        RFC 3501 `RFC822`, `RFC822.HEADER`, `RFC822.TEXT`).
 *
 * Its content follows as body_data calls (any number, spans into the
 * input: a literal is never copied) and ends with body_end, whatever form
 * it came in. Valid during the `body_begin` callback.
 */
typedef struct mw_imap_body_section {
    int item;            /**< MW_IMAP_FETCH_BODY_SECTION, BINARY, RFC822, RFC822_HEADER, RFC822_TEXT */
    int form;            /**< MW_IMAP_BODY_LITERAL, LITERAL8, QUOTED, NIL */
    uint32_t msg;        /**< the message sequence number of the FETCH */
    uint32_t origin;     /**< `<origin>` (partial fetch); 0 when absent */
    uint8_t has_origin;  /**< 1 when `<origin>` was present */
    uint8_t nil;         /**< 1 when the value is NIL (`form` NIL) */
    uint8_t reserved_[6]; /**< reserved, 0 */
    uint64_t size;       /**< bytes that body_data will deliver in total */
    mw_span name;        /**< the item as sent ("BODY[1.2]<0>" without the value) */
    mw_span section;     /**< the text inside the brackets ("1.2.HEADER.FIELDS (FROM)"),
                            * empty for the RFC822 items */
} mw_imap_body_section;

/* ====================================================================== */
/** Type of the `send` member of ::mw_imap_client_callbacks. */
typedef int (*mw_imap_client_send_fn)(mw_imap_client *c, void *user,
                                      const char *data, size_t len);

/** Type of the `status` member of ::mw_imap_client_callbacks. */
typedef int (*mw_imap_client_status_fn)(mw_imap_client *c, void *user,
                                        const mw_imap_status *st);

/** Type of the `continuation` member of ::mw_imap_client_callbacks. */
typedef int (*mw_imap_client_continuation_fn)(mw_imap_client *c, void *user,
                                              mw_span text);

/** Type of the `data` member of ::mw_imap_client_callbacks. */
typedef int (*mw_imap_client_data_fn)(mw_imap_client *c, void *user,
                                      const mw_imap_data *d);

/** Type of the `search` member of ::mw_imap_client_callbacks. */
typedef int (*mw_imap_client_search_fn)(mw_imap_client *c, void *user,
                                        const mw_imap_search_ev *ev);

/** Type of the `fetch_begin` member of ::mw_imap_client_callbacks. */
typedef int (*mw_imap_client_fetch_begin_fn)(mw_imap_client *c, void *user,
                                             uint32_t msg);

/** Type of the `fetch_item` member of ::mw_imap_client_callbacks. */
typedef int (*mw_imap_client_fetch_item_fn)(mw_imap_client *c, void *user,
                                            const mw_imap_fetch_item *it);

/** Type of the `body_begin` member of ::mw_imap_client_callbacks. */
typedef int (*mw_imap_client_body_begin_fn)(mw_imap_client *c, void *user,
                                            const mw_imap_body_section *s);

/** Type of the `body_data` member of ::mw_imap_client_callbacks. */
typedef int (*mw_imap_client_body_data_fn)(mw_imap_client *c, void *user,
                                           const char *p, size_t n);

/** Type of the `body_end` member of ::mw_imap_client_callbacks. */
typedef int (*mw_imap_client_body_end_fn)(mw_imap_client *c, void *user);

/** Type of the `fetch_end` member of ::mw_imap_client_callbacks. */
typedef int (*mw_imap_client_fetch_end_fn)(mw_imap_client *c, void *user,
                                           uint32_t msg);

/** Type of the `literal_ready` member of ::mw_imap_client_callbacks. */
typedef int (*mw_imap_client_literal_ready_fn)(mw_imap_client *c, void *user,
                                               uint32_t handle, uint64_t size);

/** Type of the `error` member of ::mw_imap_client_callbacks. */
typedef int (*mw_imap_client_error_fn)(mw_imap_client *c, void *user,
                                       int status, size_t offset,
                                       const char *reason);

/**
 * @brief The client's callbacks. Zero-initialise and set what you need
 *        (NULL = not interested). The machine copies the struct at init.
 *
 * Every callback returns 0 to go on, #MW_PAUSED to pause mw_imap_client_feed()
 * after this event, or a negative value to abort (#MW_E_CALLBACK).
 * Arguments are valid during the call only (see the file comment).
 */
typedef struct mw_imap_client_callbacks {
    /** Bytes to send to the server: one complete command line per call,
     *  APPEND/literal data in spans of the application's chunks. */
    mw_imap_client_send_fn send;
    /** The greeting, every untagged OK/NO/BAD/BYE/PREAUTH and every tagged
     *  completion (RFC 9051 §7.1). */
    mw_imap_client_status_fn status;
    /** A continuation request `+ text` the machine does not consume itself
     *  (an AUTHENTICATE challenge when the application drives SASL, IDLE's
     *  "+ idling"); `text` without "+ ". */
    mw_imap_client_continuation_fn continuation;
    /** Every untagged data response but status responses, SEARCH, SORT and
     *  FETCH. */
    mw_imap_client_data_fn data;
    /** SEARCH and SORT streamed (::mw_imap_search_ev). */
    mw_imap_client_search_fn search;
    /** `* msg FETCH (` — a FETCH response starts. */
    mw_imap_client_fetch_begin_fn fetch_begin;
    /** One FETCH item other than a body section. */
    mw_imap_client_fetch_item_fn fetch_item;
    /** A body section starts; its content follows in body_data calls. */
    mw_imap_client_body_begin_fn body_begin;
    /** A span of a body section's content (never empty). */
    mw_imap_client_body_data_fn body_data;
    /** The body section ended (all `size` bytes delivered). */
    mw_imap_client_body_end_fn body_end;
    /** The FETCH response `msg` ended (closing parenthesis). */
    mw_imap_client_fetch_end_fn fetch_end;
    /** The server accepts the literal of the command `handle` (a "+" came or
     *  LITERAL+ is in use): stream its `size` bytes with the client's
     *  append-data function. */
    mw_imap_client_literal_ready_fn literal_ready;
    /** A recoverable error: a response skipped, a protocol violation. The
     *  status is an MW_E_* code, offset the stream offset, reason static. */
    mw_imap_client_error_fn error;
} mw_imap_client_callbacks;

/* ====================================================================== */
/** @cond PRIVATE */
/* The response parser's state between the framer events of one frame
 * (lib/imap/client_resp*.c). Embedded in mw_imap_client as `resp`. */
typedef struct mw__imap_rstate {
    uint8_t mode;          /* what the next segment continues (MW__IMAP_RS_*) */
    uint8_t reported;      /* the frame's error has been reported */
    uint8_t after_sp;      /* SEARCH: the released text ended with SP */
    uint8_t sort;          /* streaming a SORT (not a SEARCH) */
    uint32_t msg;          /* FETCH message number */
    int cbstatus;          /* callbacks' verdict of the last literal/full call */
    int take_status;       /* why a literal is DISCARDed */
    const char *take_reason;
    uint64_t body_left;    /* literal bytes still to stream */
    uint64_t count;        /* SEARCH/SORT numbers delivered */
    size_t frame_offset;   /* stream offset of the frame start */
    size_t lit_seg;        /* segment (stream offset) lit_end belongs to */
    size_t lit_end;        /* end of the last inline literal in that segment */
    /* ESEARCH with a streamed ALL set: what came before it */
    uint8_t es_state;      /* 1 inside the ALL set, 2 after it */
    uint8_t es_uid;
    uint8_t es_taglen;     /* tag copied into es_tag; 255: no correlator */
    uint8_t es_comma;      /* the released text ended with "," */
    unsigned es_has;
    uint32_t es_min, es_max, es_count;
    uint64_t es_modseq;
    char es_tag[MW_IMAP_TAG_MAX];
} mw__imap_rstate;
/** @endcond */

#ifdef __cplusplus
}
#endif

#endif
