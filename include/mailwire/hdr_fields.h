/* SPDX-License-Identifier: MIT */
/**
 * @file hdr_fields.h
 * @brief RFC 5322 identification, trace and keyword fields: Message-ID,
 *        In-Reply-To and References (§3.6.4, obsolete §4.5.4), Received
 *        (§3.6.7 and RFC 5321 §4.4) and Keywords (§3.6.5, obsolete §4.5.5).
 *
 * Each function works on one complete field value (the body after the
 * colon), raw with folding CRLFs or unfolded; CR and LF count as folding
 * white space. Output spans point into that value and stay valid as long
 * as the caller keeps it. Nothing is copied, nothing is allocated, and
 * every function runs in one pass over its input.
 */
#ifndef MAILWIRE_HDR_FIELDS_H
#define MAILWIRE_HDR_FIELDS_H

#include "core.h"
#include "config.h"
#include "hdr_date.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * Message identifiers
 * ====================================================================== */

/** @name Flags of one msg-id (mw_hdr_msgid_next())
 *  @{ */
/** Phrase words (atoms, quoted strings, '.') were skipped before this
 *  msg-id, as obs-in-reply-to and obs-references allow (§4.5.4: "the
 *  phrases ... are ignored"). At #MW_DONE: words after the last msg-id. */
#define MW_HDR_MSGID_OBS_PHRASE 0x01u
/** The left side is obs-id-left (a local-part): a quoted string, or CFWS
 *  between its words and dots. */
#define MW_HDR_MSGID_OBS_LEFT 0x02u
/** The right side is obs-id-right (a domain): CFWS between its atoms and
 *  dots, or a domain literal with FWS, quoted-pairs or control
 *  characters. */
#define MW_HDR_MSGID_OBS_RIGHT 0x04u
/** The right side is a domain literal ("[192.0.2.1]"). */
#define MW_HDR_MSGID_LITERAL 0x08u
/** A comment appeared around or (obsolete) inside the msg-id. */
#define MW_HDR_MSGID_COMMENTS 0x10u
/** The msg-id holds bytes >= 0x80 (RFC 6532 UTF-8). */
#define MW_HDR_MSGID_8BIT 0x20u
/** @} */

/**
 * @brief Iterator over the msg-ids of an In-Reply-To: or References: value.
 *
 * Fields are private. Initialise with mw_hdr_msgid_iter_init(); the value
 * must stay unchanged and in place while the iterator is used.
 */
typedef struct mw_hdr_msgid_iter {
    /** @cond PRIVATE */
    const char *base; /* start of the value (offsets count from here) */
    const char *p;    /* next byte to read */
    const char *end;
    const char *open; /* the "<" of the last msg-id returned */
    /** @endcond */
} mw_hdr_msgid_iter;

/**
 * @brief The size of ::mw_hdr_msgid_iter in bytes, for bindings and
 *        callers that place it without the struct definition.
 * @return sizeof(mw_hdr_msgid_iter).
 */
MW_API size_t mw_hdr_msgid_iter_sizeof(void);

/**
 * @brief Start iterating over the msg-ids of a field value.
 * @param it     the iterator (caller-owned).
 * @param value  the field value; not NUL-terminated; any bytes.
 * @param len    its length.
 */
MW_API void mw_hdr_msgid_iter_init(mw_hdr_msgid_iter *it, const char *value,
                                   size_t len);

/**
 * @brief The next msg-id of an In-Reply-To:, References: or Message-ID:
 *        value (RFC 5322 §3.6.4; obsolete syntax §4.5.4).
 *
 * Grammar: *(phrase / msg-id), each msg-id `[CFWS] "<" id-left "@" id-right
 * ">" [CFWS]`. Phrase words between msg-ids are skipped (§4.5.4) and
 * reported by #MW_HDR_MSGID_OBS_PHRASE. id-left may be a local-part and
 * id-right a domain or domain literal (obsolete, flagged). A msg-id
 * without "@" is an error, as the grammar has no such form.
 *
 * The returned span is what lies between "<" and ">", without CFWS at its
 * two ends. For the current syntax that is the whole identifier, to be
 * compared byte for byte. For the obsolete forms (flags #MW_HDR_MSGID_OBS_LEFT
 * or #MW_HDR_MSGID_OBS_RIGHT) it may still hold CFWS, which §4.5.4 says is
 * not part of the identifier: use mw_hdr_msgid_normalize() before
 * comparing.
 *
 * Errors are recoverable: after one, the iterator has moved on to the next
 * "<" after the problem, so a lenient caller may call again to collect the
 * msg-ids that follow (as threading code usually wants); a strict caller
 * stops. An unclosed comment or quoted string swallows the rest of the
 * value, so after such an error the next call returns #MW_DONE.
 *
 * @param it     the iterator.
 * @param id     receives the identifier (a span into the value) on #MW_OK.
 * @param flags  optional: receives MW_HDR_MSGID_* for this msg-id on
 *               #MW_OK, or #MW_HDR_MSGID_OBS_PHRASE / 0 on #MW_DONE.
 * @param err    optional: on error, the status, the offset into the value
 *               and a reason.
 * @return #MW_OK with one msg-id; #MW_DONE when there are no more;
 *         #MW_E_SYNTAX for a malformed msg-id or a byte that can start
 *         neither a phrase word nor a msg-id (e.g. ',' or ':'), reasons
 *         such as "msg-id has no '@'", "'>' expected at the end of the
 *         msg-id", "unexpected character between msg-ids"; #MW_E_DEPTH for
 *         comments nested deeper than #MW_HDR_MAX_COMMENT_DEPTH.
 */
MW_API int mw_hdr_msgid_next(mw_hdr_msgid_iter *it, mw_span *id,
                             unsigned *flags, mw_error *err);

/**
 * @brief Parse all msg-ids of an In-Reply-To: or References: value into an
 *        array.
 *
 * Strict about errors (the first one is returned) and lenient about the
 * obsolete syntax, as mw_hdr_msgid_next(). A value with no msg-id at all
 * (empty, or only phrase words) is valid obsolete syntax and gives
 * `*count == 0`.
 *
 * @param value  the field value.
 * @param len    its length.
 * @param ids    receives up to `cap` spans into `value`; may be NULL when
 *               `cap` is 0.
 * @param cap    capacity of `ids`.
 * @param count  receives the number of msg-ids in the value: on #MW_OK the
 *               number stored; on #MW_E_NOSPACE the number there are (more
 *               than `cap`; the first `cap` were stored), so the caller can
 *               size the array and call again; on a syntax error the number
 *               stored before it.
 * @param err    optional: error details (for #MW_E_NOSPACE the offset of
 *               the "<" of the first msg-id that did not fit).
 * @return #MW_OK; #MW_E_NOSPACE; #MW_E_SYNTAX; #MW_E_DEPTH.
 */
MW_API int mw_hdr_parse_msgids(const char *value, size_t len, mw_span *ids,
                               size_t cap, size_t *count, mw_error *err);

/**
 * @brief Parse a Message-ID: (or Resent-Message-ID:, Content-ID:) value:
 *        exactly one msg-id with optional CFWS around it (§3.6.4,
 *        obs-message-id §4.5.4, which allows no phrase).
 *
 * @param value  the field value.
 * @param len    its length.
 * @param id     receives the identifier as mw_hdr_msgid_next() describes.
 * @param err    optional: error details.
 * @return #MW_OK; #MW_E_SYNTAX ("'<' expected", "msg-id has no '@'",
 *         "unexpected text after the msg-id", ...); #MW_E_DEPTH.
 */
MW_API int mw_hdr_parse_msgid(const char *value, size_t len, mw_span *id,
                              mw_error *err);

/**
 * @brief Remove the CFWS that the obsolete syntax allows inside a msg-id
 *        (§4.5.4: it is not part of the identifier), giving the form to
 *        compare.
 *
 * Spaces, tabs, CR, LF and comments outside quoted strings and domain
 * literals are dropped; quoted strings and domain literals are copied as
 * they are. For an identifier in the current syntax the output equals the
 * input. `id` must be a span returned by mw_hdr_msgid_next() or
 * mw_hdr_parse_msgid() (its comments are balanced).
 *
 * @param id      the identifier.
 * @param out     output buffer; `id.len` bytes are always enough.
 * @param cap     capacity of `out`.
 * @param outlen  receives the bytes written (on #MW_E_NOSPACE: the bytes
 *                that fitted).
 * @return #MW_OK; #MW_E_NOSPACE.
 */
MW_API int mw_hdr_msgid_normalize(mw_span id, char *out, size_t cap,
                                  size_t *outlen);

/* ======================================================================
 * Received
 * ====================================================================== */

/** @name Flags of ::mw_hdr_received
 *  @{ */
/** No ';' at all: the obsolete form without a date (§4.5.7). */
#define MW_HDR_RECEIVED_NO_DATE 0x01u
/** More than one ';' outside comments: the date is taken after the last. */
#define MW_HDR_RECEIVED_MULTI_SEMI 0x02u
/** A comment or quoted string is not closed; the ';' was then looked for
 *  regardless of comments and quotes. */
#define MW_HDR_RECEIVED_UNBALANCED 0x04u
/** @} */

/**
 * @brief A Received: field split into its tokens and its date.
 */
typedef struct mw_hdr_received {
    /** Everything before the last ';' (the whole value when there is none),
     *  without white space at its ends. Walk it with
     *  mw_hdr_received_iter_init(). */
    mw_span tokens;
    /** Everything after the last ';', as given to mw_hdr_parse_date();
     *  empty when there is no ';'. */
    mw_span date_raw;
    /** The parsed date; valid when `date_status` is #MW_OK (and complete
     *  with #MW_HDR_DATE_WDAY_MISMATCH, see mw_hdr_parse_date()). */
    mw_hdr_datetime date;
    /** What mw_hdr_parse_date() returned for `date_raw`, or
     *  #MW_E_INCOMPLETE when there is no ';' (then `flags` has
     *  #MW_HDR_RECEIVED_NO_DATE and mw_hdr_parse_received() returns
     *  #MW_OK). Otherwise the same as the return value. */
    int date_status;
    /** MW_HDR_RECEIVED_* */
    unsigned flags;
} mw_hdr_received;

/**
 * @brief Split a Received: value at its last ';' and parse the date.
 *
 * RFC 5322 §3.6.7: `received = "Received:" *received-token ";" date-time`;
 * RFC 5321 §4.4 gives the tokens their structure (from, by, via, with,
 * id, for clauses). Real Received: fields break both grammars in many
 * ways, so the token part is never rejected: it is returned as a span for
 * mw_hdr_received_next() to walk. The date is the text after the last ';'
 * that is outside comments and quoted strings (or, if those are not
 * balanced, after the last ';' of all).
 *
 * @param value  the field value (raw or unfolded).
 * @param len    its length.
 * @param out    receives the split and the date; always filled, whatever
 *               the return value.
 * @param err    optional: details of a date error, with the offset
 *               counted from the start of `value`.
 * @return #MW_OK when the date parsed, and also when there is no ';' at
 *         all: that is the obsolete date-less form (RFC 5322 §4.5.6), which
 *         readers accept; it is flagged #MW_HDR_RECEIVED_NO_DATE with
 *         `out->date_status` #MW_E_INCOMPLETE. Otherwise what
 *         mw_hdr_parse_date() returned for the text after the ';'
 *         (#MW_E_SYNTAX, #MW_E_DEPTH, #MW_E_DATE), also stored in
 *         `out->date_status`.
 */
MW_API int mw_hdr_parse_received(const char *value, size_t len,
                                 mw_hdr_received *out, mw_error *err);

/**
 * @brief One clause of a Received: field's tokens, e.g. name "from", value
 *        "mail.example.org", comment "mail.example.org [192.0.2.1]".
 *
 * All spans point into the tokens given to mw_hdr_received_iter_init().
 */
typedef struct mw_hdr_received_clause {
    /** The keyword as written: "from", "by", "via", "with", "id" or "for"
     *  (RFC 5321 §4.4), in any case. Empty for text before the first
     *  keyword (e.g. qmail's "(qmail 1234 invoked by uid 0)"). */
    mw_span name;
    /** From the first to the last token after the keyword that is not a
     *  comment (any comments between them included); empty if none. May
     *  hold several words ("Microsoft SMTP Server") and folding. */
    mw_span value;
    /** The contents of the clause's first comment, without the
     *  parentheses; empty if it has none. */
    mw_span comment;
    /** The whole clause from its keyword to its last token or comment. */
    mw_span raw;
} mw_hdr_received_clause;

/**
 * @brief Iterator over the clauses of a Received: field. Fields private.
 */
typedef struct mw_hdr_received_iter {
    /** @cond PRIVATE */
    const char *p;
    const char *end;
    /** @endcond */
} mw_hdr_received_iter;

/**
 * @brief The size of ::mw_hdr_received_iter in bytes, for bindings and
 *        callers that place it without the struct definition.
 * @return sizeof(mw_hdr_received_iter).
 */
MW_API size_t mw_hdr_received_iter_sizeof(void);

/**
 * @brief Start walking the clauses of Received: tokens.
 * @param it      the iterator (caller-owned).
 * @param tokens  usually `mw_hdr_received.tokens`; any bytes; must stay in
 *                place while the iterator is used.
 * @param len     its length.
 */
MW_API void mw_hdr_received_iter_init(mw_hdr_received_iter *it,
                                      const char *tokens, size_t len);

/**
 * @brief The next clause.
 *
 * A clause starts at a keyword (from, by, via, with, id, for; any case)
 * that stands as a word of its own outside comments, quoted strings,
 * angle brackets and domain literals, and runs to the next one. Comments
 * nest to any depth (counted, not recursed); a comment, quoted string,
 * "<...>" or "[...]" left open runs to the end. Never fails.
 *
 * @param it      the iterator.
 * @param clause  receives the clause on #MW_OK.
 * @return #MW_OK or #MW_DONE.
 */
MW_API int mw_hdr_received_next(mw_hdr_received_iter *it,
                                mw_hdr_received_clause *clause);

/* ======================================================================
 * Keywords
 * ====================================================================== */

/** @name Flags of one keyword phrase (mw_hdr_keywords_next())
 *  @{ */
/** Empty list elements ("a,,b", a leading or trailing comma) were skipped
 *  before this phrase (obs-phrase-list, §4.1). At #MW_DONE: a trailing
 *  empty element. */
#define MW_HDR_KEYWORDS_EMPTY 0x01u
/** The phrase holds a '.' (obs-phrase, §4.1). */
#define MW_HDR_KEYWORDS_OBS_PHRASE 0x02u
/** The phrase holds a comment between its words. */
#define MW_HDR_KEYWORDS_COMMENTS 0x04u
/** @} */

/** @brief Iterator over the phrases of a Keywords: value. Fields private. */
typedef struct mw_hdr_keywords_iter {
    /** @cond PRIVATE */
    const char *base;
    const char *p;
    const char *end;
    int after_comma; /* at the start of a list element */
    /** @endcond */
} mw_hdr_keywords_iter;

/**
 * @brief The size of ::mw_hdr_keywords_iter in bytes, for bindings and
 *        callers that place it without the struct definition.
 * @return sizeof(mw_hdr_keywords_iter).
 */
MW_API size_t mw_hdr_keywords_iter_sizeof(void);

/**
 * @brief Start iterating over a Keywords: value.
 * @param it     the iterator.
 * @param value  the field value; must stay in place while iterating.
 * @param len    its length.
 */
MW_API void mw_hdr_keywords_iter_init(mw_hdr_keywords_iter *it,
                                      const char *value, size_t len);

/**
 * @brief The next phrase of a Keywords: value (RFC 5322 §3.6.5:
 *        `phrase *("," phrase)`; obsolete §4.5.5: obs-phrase-list).
 *
 * The span runs from the first to the last word of the phrase: CFWS
 * around it is dropped, but quotes, comments and folding between its
 * words are kept for the phrase decoder (hdr_decode.h) to handle. Empty
 * elements are skipped and flagged.
 *
 * Errors are recoverable: the iterator moves past the next ',' so a
 * lenient caller may call again (after an unclosed comment or quoted
 * string, which swallows the rest of the value, the next call returns
 * #MW_DONE).
 *
 * @param it      the iterator.
 * @param phrase  receives the raw phrase (a span into the value) on #MW_OK.
 * @param flags   optional: MW_HDR_KEYWORDS_* for this phrase (on #MW_DONE:
 *                #MW_HDR_KEYWORDS_EMPTY or 0).
 * @param err     optional: error details, offset into the value.
 * @return #MW_OK; #MW_DONE; #MW_E_SYNTAX (a byte that is not part of a
 *         phrase, a phrase starting with '.', an unclosed quoted string
 *         or comment); #MW_E_DEPTH.
 */
MW_API int mw_hdr_keywords_next(mw_hdr_keywords_iter *it, mw_span *phrase,
                                unsigned *flags, mw_error *err);

/**
 * @brief Parse all phrases of a Keywords: value into an array.
 *
 * @param value    the field value.
 * @param len      its length.
 * @param phrases  receives up to `cap` raw phrase spans; may be NULL when
 *                 `cap` is 0.
 * @param cap      capacity of `phrases`.
 * @param count    receives the count as for mw_hdr_parse_msgids(): stored
 *                 on #MW_OK, the total on #MW_E_NOSPACE, stored so far on a
 *                 syntax error.
 * @param err      optional: error details.
 * @return #MW_OK (also for an empty list, count 0, which §4.1 allows);
 *         #MW_E_NOSPACE; #MW_E_SYNTAX; #MW_E_DEPTH.
 */
MW_API int mw_hdr_parse_keywords(const char *value, size_t len,
                                 mw_span *phrases, size_t cap, size_t *count,
                                 mw_error *err);

#ifdef __cplusplus
}
#endif

#endif /* MAILWIRE_HDR_FIELDS_H */
