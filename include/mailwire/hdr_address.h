/* SPDX-License-Identifier: MIT */
/**
 * @file hdr_address.h
 * @brief RFC 5322 addresses: address-list and mailbox-list fields (From,
 *        Sender, Reply-To, To, Cc, Bcc and their Resent- forms; §3.4 with
 *        the obsolete forms of §4.4) and the Return-Path path (§3.6.7).
 *
 * The parsers take one complete field value (the body after the colon), raw
 * with its folding CRLFs or already unfolded; CR and LF count as folding
 * white space. They never allocate and never copy: every result is a span
 * pointing into the value, so results are valid for as long as the value
 * is, and no longer.
 *
 * What is reported is structure, read from the raw bytes: display name,
 * local part, domain, obsolete route, first comment and group, each exactly
 * as it stood. Nothing is decoded here: encoded words in a display name
 * (RFC 2047) are decoded afterwards, on the already delimited `display`
 * span, with mw_hdr_decode_phrase() (hdr_decode.h). Deciding what an address
 * is before decoding anything is what keeps an encoded "<" or "@" in a
 * display name from turning into an address (RFC 2047 §6.2; Python
 * CVE-2023-27043).
 *
 * A bad entry does not lose the rest of the list: it is reported as one
 * entry flagged #MW_HDR_ADDR_INVALID whose `raw` span runs up to the next
 * ',' (or ';') that is outside quotes, comments, angle brackets and domain
 * literals, and parsing goes on after it.
 *
 * Every function runs in O(len) time and constant memory, whatever the
 * input: nested comments are counted, not recursed into, and bounded by
 * #MW_HDR_MAX_COMMENT_DEPTH; runs of ',' and ';' are skipped without
 * producing entries.
 */
#ifndef MAILWIRE_HDR_ADDRESS_H
#define MAILWIRE_HDR_ADDRESS_H

#include "core.h"
#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @name Flags of ::mw_hdr_address
 *  What an entry is and what the parser met in it. Only
 *  #MW_HDR_ADDR_INVALID means the entry is wrong; the obsolete forms
 *  (RFC 5322 §4.4) MUST be accepted by a reader but MUST NOT be generated,
 *  and become invalid only under #MW_HDR_ADDR_STRICT.
 *  @{ */
/** The entry is not a valid address (see `error` for why and where). Only
 *  `raw`, `offset` and `error` are reliable; the other spans hold whatever
 *  could be read before the problem and MUST NOT be used to route, reply
 *  or authorise anything. mw_hdr_addr_spec() refuses such an entry. */
#define MW_HDR_ADDR_INVALID 0x00000001u
/** The address stood in angle brackets ("<a@b>", name-addr, §3.4). */
#define MW_HDR_ADDR_ANGLE 0x00000002u
/** The entry stands for a group with no members ("Undisclosed
 *  recipients:;"): `group` is set, `local` and `domain` are empty. */
#define MW_HDR_ADDR_GROUP_EMPTY 0x00000004u
/** The entry is the last one of its group (set on a lone
 *  #MW_HDR_ADDR_GROUP_EMPTY entry too). */
#define MW_HDR_ADDR_GROUP_END 0x00000008u
/** An obsolete source route came before the address
 *  ("<@node.test:mary@example.net>", §4.4); it is in `route` and is
 *  meant to be ignored. */
#define MW_HDR_ADDR_OBS_ROUTE 0x00000010u
/** The local part is obs-local-part (§4.4): words and dots with white
 *  space or comments between them ("mary . smith"), or quoted strings
 *  joined by dots ("\"john\".\"public\""). */
#define MW_HDR_ADDR_OBS_LOCAL 0x00000020u
/** The domain is obsolete (§4.4): atoms and dots with white space or
 *  comments between them ("machine(comment).  example"), or a domain
 *  literal with quoted-pairs. */
#define MW_HDR_ADDR_OBS_DOMAIN 0x00000040u
/** The display name, or the name of the group the entry belongs to, is an
 *  obs-phrase: it contains '.' ("Joe Q. Public", §4.1). */
#define MW_HDR_ADDR_OBS_PHRASE 0x00000080u
/** The local part is (or, with #MW_HDR_ADDR_OBS_LOCAL, contains) a quoted
 *  string. */
#define MW_HDR_ADDR_QUOTED_LOCAL 0x00000100u
/** The domain is a domain literal ("[192.0.2.1]", "[IPv6:::1]"); `domain`
 *  includes the brackets. */
#define MW_HDR_ADDR_DOMAIN_LITERAL 0x00000200u
/** No "@domain": a bare local part ("root", "<postmaster>"), which RFC 5322
 *  does not allow but old local mailers write. `domain` is empty. */
#define MW_HDR_ADDR_NO_DOMAIN 0x00000400u
/** The entry holds bytes >= 0x80 (RFC 6532 UTF-8, or raw 8-bit text in a
 *  display name or comment). A local part or domain with such bytes has
 *  been checked to be valid UTF-8; a display name or comment has not (it
 *  may be a legacy charset: see mw_hdr_decode_phrase()). */
#define MW_HDR_ADDR_8BIT 0x00000800u
/** Return-Path only: the null path "<>" (§3.6.7, RFC 5321 §4.4). */
#define MW_HDR_ADDR_NULL 0x00001000u
/** Obsolete text (§4.1): a control character in a quoted string, comment
 *  or domain literal (obs-qtext, obs-ctext, obs-dtext). */
#define MW_HDR_ADDR_OBS_TEXT 0x00002000u
/** A ';' outside any group served as a list separator next to this entry
 *  ("a@b; c@d", as some mail programs write), or a group's closing ';' was
 *  not followed by ','. Not RFC 5322 syntax; accepted unless
 *  #MW_HDR_ADDR_STRICT. */
#define MW_HDR_ADDR_SEMICOLON 0x00004000u
/** The entry belongs to a group (`group` holds the group's name). */
#define MW_HDR_ADDR_IN_GROUP 0x00008000u
/** @} */

/** @name Options of mw_hdr_addr_iter_init() and mw_hdr_parse_addresses()
 *  @{ */
/** Parse a mailbox-list (From, Sender's single mailbox, Resent-From) rather
 *  than an address-list: groups are not allowed, and every entry of a
 *  group is flagged #MW_HDR_ADDR_INVALID ("group not allowed in a mailbox
 *  list"), while its parts are still reported. */
#define MW_HDR_ADDR_MAILBOX_LIST 0x0001u
/** Strict RFC 5322 §3.4: an entry using an obsolete form
 *  (#MW_HDR_ADDR_OBS_ROUTE, #MW_HDR_ADDR_OBS_LOCAL, #MW_HDR_ADDR_OBS_DOMAIN,
 *  #MW_HDR_ADDR_OBS_PHRASE, #MW_HDR_ADDR_OBS_TEXT) or one of the lenient
 *  ones (#MW_HDR_ADDR_NO_DOMAIN, #MW_HDR_ADDR_SEMICOLON) is flagged
 *  #MW_HDR_ADDR_INVALID. Empty list elements (",,", obs-addr-list) are
 *  skipped in both modes, since they carry nothing. */
#define MW_HDR_ADDR_STRICT 0x0002u
/** @} */

/**
 * @brief One entry of an address list: a mailbox, an empty group, or a
 *        salvaged bad entry.
 *
 * Every span points into the value given to the parser and is valid as long
 * as that value is. Spans are raw: quotes, quoted-pairs, comments, folding
 * and encoded words are left as they stood. An absent part is an empty span
 * (`len` 0, `ptr` NULL). mw_hdr_addr_spec() gives the canonical
 * "local@domain".
 */
typedef struct mw_hdr_address {
    /** The whole entry, from its first byte that is not white space to its
     *  last (comments included), without the ',' or ';' that ended it. For
     *  an #MW_HDR_ADDR_GROUP_EMPTY entry, the whole group including ';'. */
    mw_span raw;
    /** Display name (the phrase before "<"), from its first word to its
     *  last: comments between words are kept, comments and white space
     *  around it are not. Decode with mw_hdr_decode_phrase(). Empty when
     *  none. */
    mw_span display;
    /** Local part: a dot-atom, a quoted string with its quotes, or an
     *  obs-local-part with its inner white space and comments. */
    mw_span local;
    /** Domain: a dot-atom, a domain literal with its brackets, or an
     *  obs-domain with its inner white space and comments. Empty with
     *  #MW_HDR_ADDR_NO_DOMAIN. */
    mw_span domain;
    /** Obsolete route without its closing ':' ("@node.test" of
     *  "<@node.test:mary@example.net>"); empty when none. */
    mw_span route;
    /** Contents of the first comment in the entry, without its outer
     *  parentheses, raw ("John" of "j@x (John)"); empty when none. */
    mw_span comment;
    /** Name of the group the entry belongs to, raw, as `display` is
     *  trimmed; empty when the entry is not in a group. */
    mw_span group;
    /** MW_HDR_ADDR_* flags. */
    uint32_t flags;
    /** Byte offset of `raw` in the value. */
    size_t offset;
    /** Why the entry is #MW_HDR_ADDR_INVALID: `code` is #MW_OK for a valid
     *  entry (and `reason` NULL); otherwise #MW_E_SYNTAX, #MW_E_DEPTH
     *  (comments nested too deeply), #MW_E_NUL (a NUL byte) or #MW_E_UTF8
     *  (a local part or domain with bytes >= 0x80 that are not UTF-8),
     *  with the byte offset in the value and a static reason. */
    mw_error error;
} mw_hdr_address;

/**
 * @brief Iterator over the entries of one address field value.
 *
 * Placed by the caller (stack, static, anywhere), initialised with
 * mw_hdr_addr_iter_init(); it can be copied to remember a position. All
 * fields are private. It holds a pointer to the value, which MUST stay
 * valid and unchanged while the iterator and the entries it produced are
 * used. Any number of entries is produced in this constant memory.
 */
typedef struct mw_hdr_addr_iter {
    /** @cond PRIVATE */
    const char *base_;
    size_t len_;
    size_t pos_;
    mw_span group_;          /* name of the open group */
    mw_span group_comment_;  /* first comment in the group's name */
    size_t group_off_;       /* offset of the open group's first byte */
    size_t group_colon_;     /* offset of its ':' */
    const char *group_err_;  /* reason every member is invalid, or NULL */
    size_t group_err_off_;   /* ...its offset */
    int group_err_code_;     /* ...and its status */
    uint32_t group_flags_;   /* flags the group passes to its members */
    uint32_t pending_;       /* flags for the next entry */
    unsigned opts_;
    uint8_t state_;
    /** @endcond */
} mw_hdr_addr_iter;

/**
 * @brief The size of ::mw_hdr_addr_iter in bytes, for bindings and
 *        callers that place it without the struct definition.
 * @return sizeof(mw_hdr_addr_iter).
 */
MW_API size_t mw_hdr_addr_iter_sizeof(void);

/**
 * @brief Start iterating over an address-list or mailbox-list value
 *        (RFC 5322 §3.4, obsolete forms §4.4).
 *
 * @param it     the iterator to initialise; MUST NOT be NULL.
 * @param value  the field value after the colon, raw or unfolded; need not
 *               be NUL-terminated; may contain any byte. May be NULL only
 *               when `len` is 0. It MUST outlive the iterator and every
 *               entry read from it.
 * @param len    its length in bytes.
 * @param opts   0, or #MW_HDR_ADDR_MAILBOX_LIST and/or #MW_HDR_ADDR_STRICT;
 *               other bits are ignored.
 */
MW_API void mw_hdr_addr_iter_init(mw_hdr_addr_iter *it, const char *value,
                                  size_t len, unsigned opts);

/**
 * @brief Read the next entry of the list.
 *
 * Entries come in the order they stand. A group yields its members, each
 * with #MW_HDR_ADDR_IN_GROUP and `group` set and the last one with
 * #MW_HDR_ADDR_GROUP_END; a group with no member yields one
 * #MW_HDR_ADDR_GROUP_EMPTY entry. Empty list elements (",,", §4.4) and runs
 * of ';' outside a group yield nothing. A bad entry yields one
 * #MW_HDR_ADDR_INVALID entry (see the file description) and iteration
 * goes on; an invalid entry is never the reason iteration stops.
 *
 * Cost: O(length of the entry and of the separators around it), so the
 * whole list is read in O(len).
 *
 * @param it   an initialised iterator.
 * @param out  receives the entry on #MW_OK (fully overwritten); untouched
 *             otherwise.
 * @return #MW_OK when one entry was stored (valid or not: check
 *         `out->flags`); #MW_DONE when the value has no more entries (and
 *         on every later call); #MW_E_INVAL when `it` or `out` is NULL.
 */
MW_API int mw_hdr_addr_next(mw_hdr_addr_iter *it, mw_hdr_address *out);

/**
 * @brief Parse a whole address-list or mailbox-list into an array.
 *
 * A convenience over mw_hdr_addr_iter_init() and mw_hdr_addr_next(): every
 * entry the iterator yields is stored, in order, the invalid ones too.
 *
 * @param value  the field value, as for mw_hdr_addr_iter_init(); the
 *               stored spans point into it.
 * @param len    its length in bytes.
 * @param opts   #MW_HDR_ADDR_MAILBOX_LIST and/or #MW_HDR_ADDR_STRICT, or 0.
 * @param out    array of `cap` entries; may be NULL when `cap` is 0.
 * @param cap    number of entries `out` holds.
 * @param count  receives the number of entries stored; MUST NOT be NULL.
 * @param err    optional (may be NULL): on #MW_E_SYNTAX, the offset and
 *               reason of the first invalid entry's error (its code is in
 *               that entry's `error`); on #MW_E_NOSPACE, the offset of the
 *               first entry that did not fit.
 * @return #MW_OK when every entry is valid (an empty value gives #MW_OK and
 *         a count of 0); #MW_E_SYNTAX when all entries were stored but at
 *         least one is #MW_HDR_ADDR_INVALID; #MW_E_NOSPACE when there are
 *         more than `cap` entries: the first `cap` are stored and `*count`
 *         is `cap` (this takes precedence over #MW_E_SYNTAX);
 *         #MW_E_INVAL when `count` is NULL, `out` is NULL with `cap` > 0,
 *         or `value` is NULL with `len` > 0.
 */
MW_API int mw_hdr_parse_addresses(const char *value, size_t len,
                                  unsigned opts, mw_hdr_address *out,
                                  size_t cap, size_t *count, mw_error *err);

/**
 * @brief Parse a Return-Path value (RFC 5322 §3.6.7 path).
 *
 * path = angle-addr / ([CFWS] "<" [CFWS] ">" [CFWS]). The null path "<>"
 * gives #MW_HDR_ADDR_NULL with empty `local` and `domain`. An obsolete
 * route is accepted (#MW_HDR_ADDR_OBS_ROUTE). A bare addr-spec without
 * angle brackets, which old software writes, is accepted too: the entry
 * then lacks #MW_HDR_ADDR_ANGLE. A display name, a group, a second address
 * or any text after the path is an error.
 *
 * @param value  the field value after the colon, raw or unfolded; spans in
 *               `out` point into it.
 * @param len    its length in bytes.
 * @param out    receives the path as an entry (always filled, also on
 *               error, then flagged #MW_HDR_ADDR_INVALID with `raw` the
 *               whole trimmed value); MUST NOT be NULL.
 * @param err    optional (may be NULL): on #MW_E_SYNTAX, the offset and
 *               reason of the problem (the specific code is in
 *               `out->error.code`).
 * @return #MW_OK; #MW_E_SYNTAX when the value is not a valid path (empty
 *         value, display name, second address, unclosed '<', comments too
 *         deep, NUL byte...); #MW_E_INVAL when `out` is NULL, or `value` is
 *         NULL with `len` > 0.
 */
MW_API int mw_hdr_parse_return_path(const char *value, size_t len,
                                    mw_hdr_address *out, mw_error *err);

/**
 * @brief Write the canonical addr-spec "local@domain" of an entry.
 *
 * Comments and folding white space are removed from the local part and the
 * domain (RFC 5322 §3.4.1: they are not part of the address). The words of
 * the local part are joined with '.' (obs-local-part normalised); when the
 * result is dot-atom text it is written bare, otherwise as one quoted string
 * with '"' and '\\' escaped ("\"john\".\"public\"" becomes
 * "john.public", "\"a b\".c" becomes "\"a b.c\""). A domain is written as
 * its atoms joined by '.', a domain literal with its brackets and without
 * white space inside. Case is kept. An #MW_HDR_ADDR_NO_DOMAIN entry gives
 * the local part alone; an #MW_HDR_ADDR_NULL entry gives "" (0 bytes).
 * No NUL is written.
 *
 * @param a       an entry from this module's parsers (or filled by hand
 *                with spans in the same syntax).
 * @param out     where to write; may be NULL when `cap` is 0.
 * @param cap     capacity of `out` in bytes; `a->local.len +
 *                a->domain.len + 3` is always enough for an entry from
 *                the parsers.
 * @param outlen  optional: receives the bytes written, or on #MW_E_NOSPACE
 *                the bytes needed; 0 on other errors.
 * @return #MW_OK; #MW_E_NOSPACE when `cap` is too small (the contents of
 *         `out` are then unspecified); #MW_E_SYNTAX when the entry is
 *         #MW_HDR_ADDR_INVALID or its spans do not lex as a local part and
 *         a domain; #MW_E_INVAL when `a` is NULL, `out` is NULL with `cap`
 *         > 0, or the entry is #MW_HDR_ADDR_GROUP_EMPTY (it has no
 *         address).
 */
MW_API int mw_hdr_addr_spec(const mw_hdr_address *a, char *out, size_t cap,
                            size_t *outlen);

#ifdef __cplusplus
}
#endif

#endif /* MAILWIRE_HDR_ADDRESS_H */
