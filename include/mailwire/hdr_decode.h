/* SPDX-License-Identifier: MIT */
/**
 * @file hdr_decode.h
 * @brief Decoding header text for display: RFC 2047 encoded words
 *        ("=?charset?B?...?=", "=?charset?Q?...?="), unstructured values
 *        (Subject, Comments, X- fields), phrases (display names), comments,
 *        and conversion of the decoded bytes to UTF-8.
 *
 * Layers, from the bottom up:
 *
 * - mw_hdr_to_utf8() converts bytes in a named charset to UTF-8. UTF-8,
 *   US-ASCII and ISO-8859-1 are built in; any other charset goes to a
 *   ::mw_hdr_charset_fn hook the caller supplies (the library carries no
 *   charset tables: iconv, ICU or a table of the application's choosing
 *   sit behind the hook).
 * - ::mw_hdr_ew_iter splits a value into plain text and encoded words
 *   (RFC 2047 §2 syntax, with the RFC 2231 §5 language suffix) without
 *   decoding anything; mw_hdr_ew_decode() turns one encoded word into its
 *   raw bytes (B: base64, RFC 2047 §4.1; Q: RFC 2047 §4.2).
 * - mw_hdr_decode_unstructured(), mw_hdr_decode_phrase() and
 *   mw_hdr_decode_comment() do the whole job for one value: unfold, find the
 *   encoded words where RFC 2047 §5 allows them, decode them, drop the white
 *   space between adjacent encoded words (§6.2), and convert to UTF-8.
 *
 * Decoded text is for display and for applications, never for re-parsing:
 * decode only after the structure of a field has been parsed (RFC 2047
 * §6.2; an encoded "<" or "," must never become syntax).
 *
 * CR, LF and NUL: an encoded word can carry any byte ("=?utf-8?q?a=0D=0Ab?="
 * decodes to "a", CR, LF, "b"; cpython#121650 used this to inject header
 * lines). The decoders return such bytes as they are, so their output is
 * (pointer, length) bytes that MAY contain CR, LF and NUL. A caller that
 * writes decoded text into a header, a log line or a C string passes
 * #MW_HDR_DECODE_SAFE, which turns each of them into a space.
 *
 * Output: every function writes into memory the caller passes, with its
 * capacity, and never adds a NUL terminator. Input and output MUST NOT
 * overlap. With the built-in charsets the output of a value of `len` bytes
 * is never longer than #MW_HDR_DECODED_MAX(len).
 *
 * Cost: every function is linear in the length of its input (100,000
 * encoded words, "=?" runs and unterminated words included); nothing
 * recurses on the input and nothing is allocated.
 */
#ifndef MAILWIRE_HDR_DECODE_H
#define MAILWIRE_HDR_DECODE_H

#include "core.h"
#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Charset converter supplied by the application, for the charsets
 *        the library does not know (anything but UTF-8, US-ASCII and
 *        ISO-8859-1 and their aliases).
 *
 * @param user    the pointer given with the hook (mw_hdr_decode_opts::user).
 * @param charset the charset name as written in the message (any case),
 *                without an RFC 2231 "*language" suffix. Not NUL-terminated.
 * @param in      the bytes to convert (`n` of them); not NUL-terminated,
 *                may contain any byte.
 * @param n       number of bytes at `in`.
 * @param out     where the UTF-8 text goes; never overlaps `in`.
 * @param cap     capacity of `out`.
 * @param outlen  receives the number of bytes written on #MW_OK.
 * @return #MW_OK when all of `in` was converted (the output MUST be valid
 *         UTF-8; the library checks it and treats invalid output like
 *         #MW_E_UTF8);
 *         #MW_E_NOSPACE when `cap` is too small (the library gives up and
 *         returns #MW_E_NOSPACE to its caller);
 *         #MW_E_CHARSET when the hook does not know the charset, or another
 *         recoverable status (-1..-99, e.g. #MW_E_UTF8 for bytes invalid in
 *         the charset): the library then treats the text as undecodable
 *         (decoders leave the encoded word as it stood) and reports that
 *         status;
 *         a fatal status (-100 and below) or a positive value: the library
 *         stops and returns #MW_E_CALLBACK.
 */
typedef int (*mw_hdr_charset_fn)(void *user, mw_span charset, const char *in,
                                 size_t n, char *out, size_t cap,
                                 size_t *outlen);

/**
 * @brief Convert bytes in a named charset to UTF-8.
 *
 * Built in (names compared without regard to ASCII case; an RFC 2231
 * "*language" suffix on the name, as in "us-ascii*en", is ignored):
 * - UTF-8 ("utf-8", "utf8"): copied after checking it is well-formed
 *   (RFC 3629; overlongs, surrogates and truncated sequences are refused).
 * - ISO-8859-1 ("iso-8859-1", "iso_8859-1", "iso_8859-1:1987", "iso8859-1",
 *   "iso-ir-100", "latin1", "latin-1", "l1", "ibm819", "cp819",
 *   "csisolatin1"): each byte becomes the code point of the same value.
 *   Bytes 0x80..0x9F become the C1 controls U+0080..U+009F, as the
 *   standard says (WHATWG's mapping of the label to windows-1252 is not
 *   applied).
 * - US-ASCII ("us-ascii", "ascii", "us", "ansi_x3.4-1968",
 *   "ansi_x3.4-1986", "iso-ir-6", "iso_646.irv:1991", "iso646-us",
 *   "ibm367", "cp367", "csascii"): 7-bit bytes are copied. 8-bit bytes
 *   under this label are common in real mail (a mislabelled word): rather
 *   than fail, the text is taken as UTF-8 when it is well-formed UTF-8 and
 *   as ISO-8859-1 otherwise, so the result is always UTF-8 and never an
 *   error.
 *
 * Any other charset goes to `hook`; without a hook it is #MW_E_CHARSET.
 *
 * @param charset the charset name; not NUL-terminated.
 * @param in      the bytes; may be NULL when `n` is 0.
 * @param n       number of bytes.
 * @param out     where the UTF-8 goes; MUST NOT overlap `in`; may be NULL
 *                when `cap` is 0.
 * @param cap     capacity of `out`. ISO-8859-1 needs up to 2 * `n`.
 * @param outlen  receives the bytes written on #MW_OK; on #MW_E_NOSPACE
 *                the bytes written before the space ran out (a prefix of
 *                the result). May be NULL.
 * @param hook    converter for other charsets, or NULL.
 * @param user    passed to `hook`.
 * @return #MW_OK;
 *         #MW_E_CHARSET for an unknown charset without a hook (or when the
 *         hook says so);
 *         #MW_E_UTF8 when a UTF-8 text is not well-formed, or the hook's
 *         output is not;
 *         #MW_E_NOSPACE when `cap` is too small;
 *         #MW_E_INVAL when `in` is NULL with `n` > 0 or `out` is NULL with
 *         `cap` > 0;
 *         any other recoverable status the hook returns;
 *         #MW_E_CALLBACK when the hook returns a fatal or positive status.
 */
MW_API int mw_hdr_to_utf8(mw_span charset, const char *in, size_t n,
                          char *out, size_t cap, size_t *outlen,
                          mw_hdr_charset_fn hook, void *user);

/** @name Options of the decoders (mw_hdr_decode_opts::flags)
 *  @{ */
/** Turn CR, LF and NUL in the output into spaces, so the output can go into
 *  a header line, a log or a C string. Without it the output may contain
 *  them (from encoded words, or bare ones in the raw value). */
#define MW_HDR_DECODE_SAFE 0x0001u
/** Lenient: also decode encoded words that RFC 2047 §5 does not allow
 *  because they are not delimited by white space (or, in comments, by
 *  parentheses): "Re:=?utf-8?q?x?=", "=?utf-8?q?a?==?utf-8?q?b?=", and in
 *  phrases words whose encoded text holds specials ("=?utf-8?q?Doe,_J?=").
 *  Common in real mail; such words carry #MW_HDR_EW_GLUED. */
#define MW_HDR_DECODE_GLUED 0x0002u
/** Lenient, for phrases and MIME parameter values: decode encoded words
 *  inside quoted strings ("\"=?utf-8?q?J=C3=B6rg?=\"" in a display name,
 *  filename="=?utf-8?B?...?=" in mw_hdr_param_get()), which RFC 2047 §5(3)
 *  and RFC 2231 forbid but many mail programs write. */
#define MW_HDR_DECODE_QUOTED 0x0004u
/** Both leniencies: #MW_HDR_DECODE_GLUED | #MW_HDR_DECODE_QUOTED. */
#define MW_HDR_DECODE_LENIENT (MW_HDR_DECODE_GLUED | MW_HDR_DECODE_QUOTED)
/** Unstructured values and comments: leave out white space (and folding)
 *  at the start and end of the value. Without it leading and trailing
 *  white space is kept as given (a line end at the very end is always
 *  removed as folding). */
#define MW_HDR_DECODE_TRIM 0x0008u
/** Iterator only (mw_hdr_ew_iter_init()): the value is comment text
 *  (RFC 2047 §5(2)): "(" and ")" delimit encoded words like white space,
 *  and a backslash quotes the next byte. mw_hdr_decode_comment() sets it. */
#define MW_HDR_DECODE_COMMENT 0x0010u
/** @} */

/**
 * @brief Options of the decoders. All-zero (or a NULL pointer) means: no
 *        hook, strict RFC 2047, output as decoded.
 */
typedef struct mw_hdr_decode_opts {
    /** Converter for charsets that are not built in, or NULL. */
    mw_hdr_charset_fn hook;
    /** Passed to `hook`. */
    void *user;
    /** MW_HDR_DECODE_* bits; unknown bits are ignored. */
    unsigned flags;
} mw_hdr_decode_opts;

/** Longest encoded word RFC 2047 §2 allows, "=?" to "?=" included. Longer
 *  words are decoded anyway and flagged #MW_HDR_EW_TOO_LONG. */
#define MW_HDR_EW_MAX_LEN 75

/** Upper bound of the decoded length of a value of `len` bytes when only
 *  built-in charsets occur (an ISO-8859-1 "B" word: 4 characters, 3 bytes,
 *  6 bytes of UTF-8). A hook may produce more. */
#define MW_HDR_DECODED_MAX(len) ((len) * 2u)

/** @name Kinds of ::mw_hdr_ew_segment
 *  @{ */
/** Plain text, raw: may hold folding line ends and (in comments)
 *  quoted-pairs. */
#define MW_HDR_SEG_TEXT 1
/** An encoded word. */
#define MW_HDR_SEG_WORD 2
/** @} */

/** @name Flags of an encoded word (mw_hdr_ew_segment::flags)
 *  Deviations from RFC 2047 that are accepted; none stops decoding.
 *  @{ */
/** Longer than #MW_HDR_EW_MAX_LEN (RFC 2047 §2). */
#define MW_HDR_EW_TOO_LONG 0x0001u
/** "B" text whose length is not a multiple of 4: the '=' padding RFC 2045
 *  §6.8 requires is missing or short. Decoded as if it were there. */
#define MW_HDR_EW_UNPADDED 0x0002u
/** Empty encoded text ("=?utf-8?q??="); RFC 2047 §2 requires at least one
 *  character. Decodes to nothing. */
#define MW_HDR_EW_EMPTY 0x0004u
/** Not delimited as RFC 2047 §5 requires; found only because of
 *  #MW_HDR_DECODE_GLUED. */
#define MW_HDR_EW_GLUED 0x0008u
/** The encoding is neither "B" nor "Q" (mw_hdr_ew_segment::encoding is 0
 *  when it is longer than one character); mw_hdr_ew_decode() refuses it. */
#define MW_HDR_EW_BAD_ENCODING 0x0010u
/** @} */

/**
 * @brief One piece of a value: plain text or an encoded word.
 *
 * Every span points into the value given to mw_hdr_ew_iter_init() and is
 * valid as long as that value is.
 */
typedef struct mw_hdr_ew_segment {
    /** #MW_HDR_SEG_TEXT or #MW_HDR_SEG_WORD. */
    int kind;
    /** Word: MW_HDR_EW_* flags. Text: 0. */
    unsigned flags;
    /** Offset of `raw` from the start of the value. */
    size_t offset;
    /** Text: the text, raw, including the white space around it (which is
     *  displayed). Word: the whole word from "=?" to "?=". */
    mw_span raw;
    /** Word: 1 when the previous segment is an encoded word and only
     *  linear white space (or, with #MW_HDR_DECODE_GLUED, nothing) stands
     *  between them: RFC 2047 §6.2 says that white space is not displayed.
     *  0 otherwise (the white space before the word then ends the previous
     *  text segment). */
    int adjacent;
    /** Word with `adjacent`: the white space between the previous encoded
     *  word and this one (raw, may include folding; may be empty). */
    mw_span ws_between;
    /** Word: the charset name as written, without the language. */
    mw_span charset;
    /** Word: the RFC 2231 §5 language ("=?us-ascii*en?q?...?="), empty when
     *  absent. */
    mw_span language;
    /** Word: 'B' or 'Q' (upper-cased); another upper-cased letter for an
     *  unknown one-letter encoding, 0 for a longer one (both flagged
     *  #MW_HDR_EW_BAD_ENCODING). */
    char encoding;
    /** Word: the encoded text between the third '?' and the final "?=". */
    mw_span text;
} mw_hdr_ew_segment;

/**
 * @brief Iterator over the text and encoded words of a value. Place it
 *        anywhere; all fields are private.
 */
typedef struct mw_hdr_ew_iter {
    /** @cond PRIVATE */
    const char *base_;
    const char *start_;
    const char *p_;
    const char *end_;
    unsigned flags_;
    int prev_word_;
    /** @endcond */
} mw_hdr_ew_iter;

/**
 * @brief The size of ::mw_hdr_ew_iter in bytes, for bindings and
 *        callers that place it without the struct definition.
 * @return sizeof(mw_hdr_ew_iter).
 */
MW_API size_t mw_hdr_ew_iter_sizeof(void);

/**
 * @brief Start splitting a value into text and encoded words.
 *
 * Where words are recognised (RFC 2047 §5): by default a word must be a
 * whole white-space-delimited token of an unstructured value (§5(1));
 * with #MW_HDR_DECODE_COMMENT "(" and ")" delimit too (§5(2)); with
 * #MW_HDR_DECODE_GLUED a word is recognised wherever "=?" starts one.
 * The syntax is RFC 2047 §2 with RFC 2231 §5: "=?" charset ["*" language]
 * "?" encoding "?" encoded-text "?=", where charset, language and encoding
 * are tokens (printable ASCII without specials, §2) and encoded-text is
 * printable ASCII without '?' (nor, in comments, "(", ")" and '"'). A
 * candidate that does not fit is plain text.
 *
 * @param it    the iterator; MUST NOT be NULL.
 * @param value the value, raw or unfolded; any bytes. May be NULL when
 *              `len` is 0. It MUST outlive the iterator and the segments.
 * @param len   its length.
 * @param flags 0, #MW_HDR_DECODE_GLUED, #MW_HDR_DECODE_COMMENT; other bits
 *              are ignored.
 */
MW_API void mw_hdr_ew_iter_init(mw_hdr_ew_iter *it, const char *value,
                                size_t len, unsigned flags);

/**
 * @brief Read the next segment.
 *
 * Text and words alternate, except that adjacent words (only white space
 * between) follow each other directly, with that white space in
 * mw_hdr_ew_segment::ws_between. Joining the raw spans of all segments and
 * the `ws_between` spans gives the value back.
 *
 * @param it  an initialised iterator.
 * @param seg receives the segment on #MW_OK (fully overwritten).
 * @return #MW_OK when a segment was stored; #MW_DONE at the end of the value
 *         (and on every later call); #MW_E_INVAL when `it` or `seg` is NULL.
 */
MW_API int mw_hdr_ew_next(mw_hdr_ew_iter *it, mw_hdr_ew_segment *seg);

/**
 * @brief Decode one encoded word to its raw bytes (not charset-converted).
 *
 * "B" is base64 (RFC 2047 §4.1); missing or short '=' padding and non-zero
 * leftover bits are accepted (see #MW_HDR_EW_UNPADDED). "Q" is RFC 2047
 * §4.2: "_" is a space, "=" and two hexadecimal digits (either case) a
 * byte, any other character itself.
 *
 * @param seg    a #MW_HDR_SEG_WORD segment from mw_hdr_ew_next().
 * @param out    where the bytes go (any byte, NUL and CR/LF included); may
 *               be NULL when `cap` is 0.
 * @param cap    capacity of `out`. The text's length is always enough.
 * @param outlen receives the number of bytes on #MW_OK. May be NULL.
 * @param err    optional: on error the status, the offset in the value
 *               (from mw_hdr_ew_segment::offset) and a reason.
 * @return #MW_OK;
 *         #MW_E_ENCODED_WORD for an unknown encoding, bad base64 (a
 *         character outside the alphabet, '=' before the end, a lone final
 *         character) or a bad Q escape ("=" not followed by two hexadecimal
 *         digits);
 *         #MW_E_NOSPACE when `cap` is too small;
 *         #MW_E_INVAL when `seg` is NULL or not a word, or `out` is NULL with
 *         `cap` > 0.
 */
MW_API int mw_hdr_ew_decode(const mw_hdr_ew_segment *seg, char *out,
                            size_t cap, size_t *outlen, mw_error *err);

/**
 * @brief Decode an unstructured value for display (RFC 5322 §3.2.5
 *        unstructured: Subject, Comments, §3.6.5; X- and other fields whose
 *        body is text, RFC 2047 §5(1)).
 *
 * - Unfolding (RFC 5322 §2.2.3): a CRLF or LF followed by a space or tab,
 *   or at the very end of the value, is removed; the white space stays.
 *   Other CR and LF bytes are kept (see #MW_HDR_DECODE_SAFE).
 * - Encoded words delimited by white space or the ends of the value are
 *   decoded (with #MW_HDR_DECODE_GLUED, all of them) and converted to
 *   UTF-8; white space between two adjacent encoded words is dropped
 *   (RFC 2047 §6.2), all other white space is kept as it stands.
 * - Adjacent encoded words in the same charset are joined before charset
 *   conversion, so a character whose bytes are split over two words (as
 *   some mail programs write) comes out whole. If the joined bytes do not
 *   convert, each word is tried alone.
 * - A word that cannot be decoded (unknown encoding, bad base64 or Q,
 *   unknown charset without a hook, bytes invalid in the charset) stays in
 *   the output as it stood, as RFC 2047 §6.3 advises, and counts as text
 *   for the white-space rule; decoding goes on and the first such problem
 *   is returned.
 * - Plain text is copied byte for byte (8-bit bytes included: RFC 6532
 *   allows UTF-8, and other 8-bit bytes are not touched).
 *
 * @param value  the field value after the colon, raw or unfolded; may be
 *               NULL when `len` is 0.
 * @param len    its length.
 * @param opts   hook and flags (#MW_HDR_DECODE_SAFE, #MW_HDR_DECODE_GLUED,
 *               #MW_HDR_DECODE_TRIM); NULL for none.
 * @param out    where the text goes; MUST NOT overlap `value`; may be NULL
 *               when `cap` is 0.
 * @param cap    capacity of `out`. #MW_HDR_DECODED_MAX(len) is always
 *               enough with the built-in charsets. For a hook charset the
 *               buffer must also hold the decoded bytes of a run of
 *               adjacent words beside their converted text.
 * @param outlen receives the output length; on #MW_E_NOSPACE and
 *               #MW_E_CALLBACK the length of the output completed so far (a
 *               prefix of the full output; it may end inside plain text,
 *               never inside a decoded run of words). May be NULL.
 * @param err    optional: on a status other than #MW_OK, the status, the
 *               offset in `value` of the first problem (for bad base64 or
 *               Q, the offending character; for an unknown encoding, the
 *               encoding; for a charset problem, the start of the word; for
 *               #MW_E_NOSPACE, where the output stopped) and a reason.
 * @return #MW_OK;
 *         with the output complete: #MW_E_ENCODED_WORD (malformed word),
 *         #MW_E_CHARSET (charset unknown and no hook, or refused by it),
 *         #MW_E_UTF8 (invalid UTF-8 in a "utf-8" word or from the hook), or
 *         another recoverable status from the hook, whichever problem comes
 *         first in the value;
 *         with the output incomplete: #MW_E_NOSPACE when `cap` is too
 *         small, #MW_E_CALLBACK when the hook returned a fatal or positive
 *         status;
 *         #MW_E_INVAL when `value` is NULL with `len` > 0 or `out` is NULL
 *         with `cap` > 0.
 */
MW_API int mw_hdr_decode_unstructured(const char *value, size_t len,
                                      const mw_hdr_decode_opts *opts,
                                      char *out, size_t cap, size_t *outlen,
                                      mw_error *err);

/**
 * @brief Decode a phrase for display: a display name (RFC 5322 §3.4
 *        display-name, e.g. mw_hdr_address::display) or a Keywords entry
 *        (§3.6.5), with the obsolete form of §4.1 (obs-phrase: "." between
 *        words).
 *
 * The phrase is read as RFC 5322 §3.2 tokens: comments are left out;
 * quoted strings are unquoted (quoted-pairs resolved, folding removed,
 * inner white space kept) and NOT searched for encoded words, since
 * RFC 2047 §5(3) says an encoded word is never inside a quoted string
 * (#MW_HDR_DECODE_QUOTED decodes them anyway); an atom that is exactly an
 * encoded word is decoded; a "." is kept. Words are joined by one space
 * where white space or a comment stood between them, and by none where
 * nothing did ("\"John\"Doe" gives "JohnDoe"), except that the white space
 * between two adjacent encoded words is dropped (RFC 2047 §6.2; a comment
 * between them keeps one space). Adjacent words in one charset are joined
 * before conversion, as in mw_hdr_decode_unstructured(), and undecodable
 * words stay as they stood. A byte that cannot start a phrase token (a
 * special such as "," or "<" left in by the caller) is copied and
 * reported.
 *
 * @param raw    the phrase, raw or unfolded; may be NULL when `len` is 0.
 * @param len    its length.
 * @param opts   hook and flags (#MW_HDR_DECODE_SAFE, #MW_HDR_DECODE_GLUED,
 *               #MW_HDR_DECODE_QUOTED); NULL for none.
 * @param out    where the text goes; MUST NOT overlap `raw`; may be NULL
 *               when `cap` is 0.
 * @param cap    capacity of `out` (see mw_hdr_decode_unstructured()).
 * @param outlen as for mw_hdr_decode_unstructured().
 * @param err    as for mw_hdr_decode_unstructured().
 * @return as for mw_hdr_decode_unstructured(), plus, with the output
 *         complete: #MW_E_SYNTAX for a quoted string or comment that is not
 *         closed (the rest of a quoted string is taken as its content, the
 *         rest of a comment is dropped) or a byte that cannot start a token;
 *         #MW_E_DEPTH for comments nested deeper than
 *         #MW_HDR_MAX_COMMENT_DEPTH (the comment is dropped).
 */
MW_API int mw_hdr_decode_phrase(const char *raw, size_t len,
                                const mw_hdr_decode_opts *opts, char *out,
                                size_t cap, size_t *outlen, mw_error *err);

/**
 * @brief Decode comment text for display (RFC 5322 §3.2.2 comment with
 *        RFC 2047 §5(2) encoded words), e.g. "(=?ISO-8859-1?Q?a?= b)"
 *        gives "(a b)".
 *
 * `raw` is a comment with its parentheses, or the text inside one;
 * parentheses (nested or not) are copied, quoted-pairs are resolved,
 * folding is removed, and encoded words delimited by white space or
 * parentheses are decoded with the rules of mw_hdr_decode_unstructured().
 * Unbalanced parentheses are copied as they are.
 *
 * @param raw    the comment; may be NULL when `len` is 0.
 * @param len    its length.
 * @param opts   hook and flags (#MW_HDR_DECODE_SAFE, #MW_HDR_DECODE_GLUED,
 *               #MW_HDR_DECODE_TRIM); NULL for none.
 * @param out    where the text goes; MUST NOT overlap `raw`; may be NULL
 *               when `cap` is 0.
 * @param cap    capacity of `out` (see mw_hdr_decode_unstructured()).
 * @param outlen as for mw_hdr_decode_unstructured().
 * @param err    as for mw_hdr_decode_unstructured().
 * @return as for mw_hdr_decode_unstructured().
 */
MW_API int mw_hdr_decode_comment(const char *raw, size_t len,
                                 const mw_hdr_decode_opts *opts, char *out,
                                 size_t cap, size_t *outlen, mw_error *err);

#ifdef __cplusplus
}
#endif

#endif /* MAILWIRE_HDR_DECODE_H */
