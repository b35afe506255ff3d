/* SPDX-License-Identifier: MIT */
/**
 * @file hdr_mime.h
 * @brief MIME header fields: Content-Type (RFC 2045 §5.1), Content-Transfer-
 *        Encoding (RFC 2045 §6.1), Content-Disposition (RFC 2183), their
 *        parameters (RFC 2045 §5.1) and RFC 2231 parameter values (charsets,
 *        languages and continuations).
 *
 * Each parser reads ONE complete field value: the bytes after the colon,
 * either raw (with folding CRLFs) or unfolded. Comments and folding white
 * space may appear between any two tokens (RFC 2045 §5.1 and §6.1 refer to
 * RFC 822's structured-field rules). Nothing is allocated: parameters go
 * into an array the caller passes with its capacity, and every span points
 * into the value the caller passed (or, where a function says so, into
 * static storage), so spans stay valid as long as that value does.
 *
 * Parsing and decoding are separate steps. The parsers only split a field
 * into type, subtype and raw parameters (name, raw value, RFC 2231 section
 * and form); mw_hdr_param_get() then finds one parameter by name, joins its
 * RFC 2231 sections in section order, removes quoting and percent-encoding
 * and converts the result to UTF-8.
 *
 * Cost: every function is linear in its input. The parsers stop at the
 * caller's capacity (CVE-2026-27859 was a Dovecot CPU exhaustion through
 * thousands of RFC 2231 parameters); mw_hdr_param_get() makes one pass over
 * the parameters plus one over a fixed table of #MW_HDR_MAX_PARAMS sections.
 * Duplicate parameters are therefore reported by mw_hdr_param_get() for the
 * name it looks up, not by the parsers (which would need a pairwise
 * comparison of every parameter).
 */
#ifndef MAILWIRE_HDR_MIME_H
#define MAILWIRE_HDR_MIME_H

#include "core.h"
#include "config.h"
#include "hdr_decode.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @name Parameter flags (mw_hdr_param::flags)
 *  @{ */
/** The value is a quoted-string; mw_hdr_param::value includes the quotes. */
#define MW_HDR_PARAM_QUOTED 0x0001u
/** The attribute ended in "*" (RFC 2231 §4): the value is percent-encoded,
 *  and in section 0 (or without sections) starts with charset'language'. */
#define MW_HDR_PARAM_EXTENDED 0x0002u
/** The attribute carried a section number "*N" (RFC 2231 §3); see
 *  mw_hdr_param::section. */
#define MW_HDR_PARAM_CONTINUED 0x0004u
/** The parameter breaks the RFC 2045 / RFC 2231 grammar but was kept
 *  (lenient): an unquoted value with tspecials (#MW_HDR_PARAM_TSPECIALS),
 *  an empty unquoted value, a quoted extended value, control characters or
 *  NUL in a quoted value, an attribute with "'" or "%", or an attribute
 *  whose "*" suffix is not a valid section (then the whole attribute,
 *  suffix included, is the name). */
#define MW_HDR_PARAM_INVALID 0x0008u
/** The unquoted value holds tspecials such as '/', '@', '?', '=' or ','
 *  (RFC 2045 §5.1 requires quoting them; very common in practice). */
#define MW_HDR_PARAM_TSPECIALS 0x0010u
/** The value holds bytes >= 0x80 (RFC 6532 UTF-8, or raw 8-bit). */
#define MW_HDR_PARAM_8BIT 0x0020u
/** The value contains "=?", the start of an RFC 2047 encoded word, which
 *  RFC 2047 §5 does not allow inside parameters (common from some mail
 *  programs for file names). */
#define MW_HDR_PARAM_ENCODED_WORD 0x0040u
/** Not in the field: the RFC 2045 §5.2 default "charset=us-ascii" added by
 *  mw_hdr_parse_content_type() to a defaulted type. Its spans point to
 *  static storage. */
#define MW_HDR_PARAM_DEFAULT 0x0080u
/** The unquoted value was empty ("name=" followed by ";" or the end). */
#define MW_HDR_PARAM_EMPTY 0x0100u
/** @} */

/**
 * @brief One parameter of a Content-Type or Content-Disposition field, as
 *        written (RFC 2045 §5.1, RFC 2231 §3-4). Nothing is decoded.
 *
 * All spans point into the field value given to the parser (or to static
 * storage for #MW_HDR_PARAM_DEFAULT) and stay valid as long as it does.
 */
typedef struct mw_hdr_param {
    /** The attribute without its RFC 2231 suffix ("*", "*N" or "*N*"), in
     *  its original case. Compare with case-insensitive functions. */
    mw_span name;
    /** The raw value: a token, or a quoted-string WITH its quotes (and any
     *  quoted-pairs and folding), or an RFC 2231 extended value still
     *  percent-encoded, with its charset'language' prefix in section 0. */
    mw_span value;
    /** The RFC 2231 section number, or -1 when the attribute has none. */
    int section;
    /** MW_HDR_PARAM_* bits. */
    unsigned flags;
    /** Offset of the attribute's first byte from the start of the value
     *  given to the parser. */
    size_t offset;
} mw_hdr_param;

/** @name Field flags (mw_hdr_content_type::flags and
 *  mw_hdr_content_disposition::flags)
 *  @{ */
/** The type could not be read, so the RFC default was filled in:
 *  "text/plain; charset=us-ascii" for Content-Type (RFC 2045 §5.2),
 *  "attachment" for Content-Disposition (RFC 2183 §2.8). The spans point to
 *  static storage. */
#define MW_HDR_MIME_DEFAULTED 0x0001u
/** More parameters than the capacity: the ones that fit were kept and
 *  parsing stopped (#MW_E_LIMIT). */
#define MW_HDR_MIME_TRUNCATED 0x0002u
/** A parameter followed the type or another parameter without ";"
 *  between them; it was kept (#MW_E_SYNTAX). */
#define MW_HDR_MIME_MISSING_SEMI 0x0004u
/** A malformed parameter (no name, no "=", junk after the value, an
 *  unterminated quoted string) was skipped up to the next ";"
 *  (#MW_E_SYNTAX). */
#define MW_HDR_MIME_BAD_PARAM 0x0008u
/** An empty parameter: ";;" or a trailing ";" (tolerated, no error). */
#define MW_HDR_MIME_EMPTY_PARAM 0x0010u
/** The field held at least one comment (skipped). */
#define MW_HDR_MIME_COMMENT 0x0020u
/** @} */

/**
 * @brief A parsed Content-Type field value (RFC 2045 §5.1).
 */
typedef struct mw_hdr_content_type {
    mw_span type;          /**< e.g. "text"; original case */
    mw_span subtype;       /**< e.g. "plain"; original case */
    mw_hdr_param *params;  /**< the caller's array */
    size_t nparams;        /**< entries of params filled, in field order */
    unsigned flags;        /**< MW_HDR_MIME_* bits */
} mw_hdr_content_type;

/**
 * @brief A parsed Content-Disposition field value (RFC 2183 §2).
 */
typedef struct mw_hdr_content_disposition {
    mw_span type;          /**< "inline", "attachment" or another token */
    mw_hdr_param *params;  /**< the caller's array */
    size_t nparams;        /**< entries of params filled, in field order */
    unsigned flags;        /**< MW_HDR_MIME_* bits */
} mw_hdr_content_disposition;

/**
 * @brief Parse a Content-Type field value (RFC 2045 §5.1).
 *
 * Grammar: type "/" subtype *(";" attribute "=" value), CFWS between any
 * two tokens, value = token / quoted-string. Accepted with flags and no
 * error: tspecials in unquoted values, an empty unquoted value, empty
 * parameters (";;", a trailing ";"), 8-bit bytes, comments anywhere.
 *
 * Errors do not leave `out` empty; the parser salvages what it can:
 * - type or subtype missing or invalid: `out` gets the RFC 2045 §5.2
 *   default text/plain with one parameter charset=us-ascii (when `cap` >=
 *   1; flagged #MW_HDR_PARAM_DEFAULT), #MW_HDR_MIME_DEFAULTED is set, the
 *   field's parameters are ignored, and #MW_E_SYNTAX is returned;
 * - a parameter without ";" before it is kept (#MW_HDR_MIME_MISSING_SEMI);
 * - a malformed parameter is skipped up to the next ";"
 *   (#MW_HDR_MIME_BAD_PARAM), and parsing goes on;
 * - beyond `cap` parameters, parsing stops (#MW_HDR_MIME_TRUNCATED).
 * The status and `err` describe the first problem found; `out->flags` tells
 * every kind of problem found.
 *
 * @param value  the field value (after the colon); any bytes.
 * @param len    its length.
 * @param out    receives the result; spans point into `value` (or static
 *               storage when defaulted) and are valid as long as it is.
 * @param params array for the parameters; may be NULL when `cap` is 0.
 * @param cap    entries in `params`; #MW_HDR_MAX_PARAMS is a good size.
 * @param err    optional: on error, the status, the offset in `value` and
 *               a reason.
 * @return #MW_OK;
 *         #MW_E_SYNTAX for a syntax error (see above for what `out` holds);
 *         #MW_E_DEPTH for comments nested deeper than
 *         #MW_HDR_MAX_COMMENT_DEPTH (the comment is skipped);
 *         #MW_E_LIMIT when there are more than `cap` parameters;
 *         #MW_E_INVAL when `value` or `out` is NULL (with `len` > 0), or
 *         `params` is NULL with `cap` > 0.
 */
MW_API int mw_hdr_parse_content_type(const char *value, size_t len,
                                     mw_hdr_content_type *out,
                                     mw_hdr_param *params, size_t cap,
                                     mw_error *err);

/**
 * @brief Parse a Content-Disposition field value (RFC 2183 §2).
 *
 * Grammar: disposition-type *(";" disposition-parm), where the type is
 * "inline", "attachment" or an extension token and the parameters follow
 * RFC 2045 §5.1 (filename, creation-date, modification-date, read-date and
 * size are ordinary parameters here; their values are not checked). The
 * leniency and salvage rules of mw_hdr_parse_content_type() apply, except
 * for a missing or invalid type: then `out->type` is "attachment" (static
 * storage, RFC 2183 §2.8 treats unknown dispositions as attachments),
 * #MW_HDR_MIME_DEFAULTED is set, parameters are still parsed when the
 * value starts with one (`Content-Disposition: filename=a.txt` is seen in
 * the wild), and #MW_E_SYNTAX is returned.
 *
 * @param value  the field value (after the colon); any bytes.
 * @param len    its length.
 * @param out    receives the result; spans point into `value` (or static
 *               storage) and are valid as long as it is.
 * @param params array for the parameters; may be NULL when `cap` is 0.
 * @param cap    entries in `params`.
 * @param err    optional: on error, the status, offset and reason.
 * @return #MW_OK, #MW_E_SYNTAX, #MW_E_DEPTH, #MW_E_LIMIT or #MW_E_INVAL,
 *         as for mw_hdr_parse_content_type().
 */
MW_API int mw_hdr_parse_content_disposition(const char *value, size_t len,
                                            mw_hdr_content_disposition *out,
                                            mw_hdr_param *params, size_t cap,
                                            mw_error *err);

/**
 * @brief Content-Transfer-Encoding mechanisms (RFC 2045 §6.1). Fixed
 *        values.
 */
typedef enum mw_hdr_cte {
    /** No mechanism could be read (with #MW_E_SYNTAX). RFC 2045 §6.4: treat
     *  the body as application/octet-stream. */
    MW_HDR_CTE_INVALID = 0,
    MW_HDR_CTE_7BIT = 1,             /**< "7bit", also the default (§6.1) */
    MW_HDR_CTE_8BIT = 2,             /**< "8bit" */
    MW_HDR_CTE_BINARY = 3,           /**< "binary" */
    MW_HDR_CTE_QUOTED_PRINTABLE = 4, /**< "quoted-printable" (§6.7) */
    MW_HDR_CTE_BASE64 = 5,           /**< "base64" (§6.8) */
    /** Any other token: an x-token or an ietf-token this library does not
     *  know. RFC 2045 §6.4: treat the body as application/octet-stream. */
    MW_HDR_CTE_OTHER = 6
} mw_hdr_cte;

/**
 * @brief Parse a Content-Transfer-Encoding field value (RFC 2045 §6.1).
 *
 * Grammar: CFWS mechanism CFWS, the mechanism being a token compared
 * case-insensitively. A missing field means 7bit; that is the caller's
 * business.
 *
 * @param value    the field value; any bytes.
 * @param len      its length.
 * @param encoding receives a ::mw_hdr_cte value. On #MW_E_SYNTAX it is the
 *                 mechanism of the first token when there was one (junk
 *                 followed it), else #MW_HDR_CTE_INVALID.
 * @param token    optional: receives the mechanism token as written (a
 *                 span into `value`; empty when there is none).
 * @param err      optional: on error, the status, offset and reason.
 * @return #MW_OK;
 *         #MW_E_SYNTAX when the value is not exactly one token (empty, a
 *         quoted string, tspecials, 8-bit bytes, a second token);
 *         #MW_E_DEPTH for comments nested too deeply;
 *         #MW_E_INVAL when `value` is NULL with `len` > 0 or `encoding` is
 *         NULL.
 */
MW_API int mw_hdr_parse_cte(const char *value, size_t len, int *encoding,
                            mw_span *token, mw_error *err);

/**
 * @brief Whether a parsed Content-Type is type/subtype, ASCII
 *        case-insensitively (RFC 2045 §5.1).
 * @param ct      a parsed Content-Type.
 * @param type    NUL-terminated type, e.g. "multipart".
 * @param subtype NUL-terminated subtype, or NULL or "*" for any subtype.
 * @return 1 when it matches, 0 otherwise (also when an argument is NULL).
 */
MW_API int mw_hdr_ct_is(const mw_hdr_content_type *ct, const char *type,
                        const char *subtype);

/**
 * @brief Whether a parsed Content-Disposition has the given type, ASCII
 *        case-insensitively (RFC 2183 §2).
 * @param cd   a parsed Content-Disposition.
 * @param type NUL-terminated type, e.g. "attachment".
 * @return 1 when it matches, 0 otherwise (also when an argument is NULL).
 */
MW_API int mw_hdr_cd_is(const mw_hdr_content_disposition *cd,
                        const char *type);

/** @name Decoded value flags (mw_hdr_param_info::flags)
 *  @{ */
/** The value came from the RFC 2231 form ("name*" or "name*N[*]"). */
#define MW_HDR_PV_RFC2231 0x0001u
/** The value was joined from RFC 2231 sections (mw_hdr_param_info::
 *  sections tells how many). */
#define MW_HDR_PV_JOINED 0x0002u
/** The parameter, or one of its sections, appeared more than once; the
 *  first occurrence in field order was used. A strict reader rejects the
 *  field: different readers picking different copies is a known way to
 *  smuggle attachments past filters. */
#define MW_HDR_PV_DUPLICATE 0x0004u
/** Sections were missing: the value ends at the first missing section
 *  number, and the sections after the gap were ignored. */
#define MW_HDR_PV_GAP 0x0008u
/** Both the plain form ("name=") and the RFC 2231 form were present; the
 *  RFC 2231 form was used (it carries the charset). */
#define MW_HDR_PV_BOTH_FORMS 0x0010u
/** The RFC 2231 form was unusable (missing section 0, malformed, unknown
 *  charset, invalid in its charset), so the plain form was used instead. */
#define MW_HDR_PV_FALLBACK 0x0020u
/** A part that was used broke the grammar but was accepted (a parameter
 *  flagged #MW_HDR_PARAM_INVALID, or a quoted RFC 2231 value). */
#define MW_HDR_PV_LENIENT 0x0040u
/** The output holds bytes >= 0x80 that were not converted (no charset
 *  was declared) and they are valid UTF-8 (RFC 6532). */
#define MW_HDR_PV_UTF8_RAW 0x0080u
/** The output holds bytes >= 0x80 that were not converted (no charset
 *  was declared) and they are NOT valid UTF-8: the caller must decide
 *  what they are (often ISO-8859-1 or Windows-1252). */
#define MW_HDR_PV_NOT_UTF8 0x0100u
/** The value was converted from a charset other than UTF-8 (ISO-8859-1,
 *  a charset of the hook in the decode options, or 8-bit bytes under a
 *  US-ASCII label, which mw_hdr_to_utf8() takes as UTF-8 or ISO-8859-1). */
#define MW_HDR_PV_CONVERTED 0x0200u
/** RFC 2047 encoded words in a plain value were decoded (only with
 *  #MW_HDR_DECODE_QUOTED in the options; lenient). */
#define MW_HDR_PV_EW_DECODED 0x0400u
/** With #MW_HDR_PV_EW_DECODED: at least one encoded word could not be
 *  decoded (malformed, unknown charset) and stays as it was written. */
#define MW_HDR_PV_EW_FAILED 0x0800u
/** @} */

/**
 * @brief What mw_hdr_param_get() found besides the value.
 */
typedef struct mw_hdr_param_info {
    /** RFC 2231 charset of section 0 (empty for a plain value or an
     *  empty charset); points into the field value. */
    mw_span charset;
    /** RFC 2231 language tag of section 0 (RFC 1766/5646; often empty);
     *  points into the field value; not validated. */
    mw_span language;
    /** Number of RFC 2231 sections joined (0 for a value without
     *  sections). */
    size_t sections;
    /** MW_HDR_PV_* bits. */
    unsigned flags;
} mw_hdr_param_info;

/**
 * @brief Find a parameter by name and decode its value to UTF-8
 *        (RFC 2045 §5.1, RFC 2231 §3-4).
 *
 * Looks for `name` ASCII case-insensitively among the parameters, in its
 * plain form ("name"), its RFC 2231 extended form ("name*") and its
 * continued form ("name*0", "name*1*", ...). The RFC 2231 forms win over
 * the plain form (#MW_HDR_PV_BOTH_FORMS), the continued form over "name*".
 *
 * Continuations are joined in SECTION order, not field order (RFC 2231 §3
 * says parameters may be reordered). Section 0 must exist. The value ends
 * at the first missing section number (#MW_HDR_PV_GAP: the later sections
 * are ignored, so a gap can only shorten a value, never splice two). A
 * repeated section or parameter uses its first copy (#MW_HDR_PV_DUPLICATE).
 * At most #MW_HDR_MAX_PARAMS sections (0 .. MW_HDR_MAX_PARAMS-1) are
 * joined.
 *
 * Each section is decoded by its own form: a quoted-string loses its
 * quotes and quoted-pairs, an extended ("*") section is percent-decoded
 * (%XX, either case), a token is taken as it is. The joined bytes are then
 * converted from the charset of section 0 to UTF-8 by mw_hdr_to_utf8()'s
 * rules: UTF-8 is validated, US-ASCII and ISO-8859-1 are built in, other
 * charsets go to the hook in `opts`. A value without a declared charset
 * (the plain form, or an empty RFC 2231 charset) is returned as it is;
 * #MW_HDR_PV_UTF8_RAW or #MW_HDR_PV_NOT_UTF8 say what its 8-bit bytes are.
 *
 * If the RFC 2231 form cannot be decoded (missing section 0, a bad
 * percent escape, no charset'language' prefix, an unknown charset, bytes
 * invalid in their charset, too many sections) and the plain form exists,
 * the plain form is used (#MW_HDR_PV_FALLBACK); otherwise the error is
 * returned. #MW_E_NOSPACE and #MW_E_CALLBACK never fall back.
 *
 * Output buffer: the value is written to `out` without a NUL terminator.
 * The bytes are decoded and converted in `out` itself: built-in charsets
 * need room for the UTF-8 result only (ISO-8859-1 doubles 8-bit bytes);
 * for a hook charset the raw bytes are first moved to the END of `out` and
 * converted into its start, so `out` must hold both. With built-in
 * charsets, twice the length of the field value is always enough, three
 * times with encoded-word decoding (see below).
 *
 * Encoded words: RFC 2047 §5 does not allow them in parameters, but
 * file names like filename="=?utf-8?B?w6l0w6kudHh0?=" are written by many
 * mail programs. With #MW_HDR_DECODE_QUOTED in `opts`, a plain-form value
 * containing "=?" (#MW_HDR_PARAM_ENCODED_WORD) is decoded like an
 * unstructured value by mw_hdr_decode_unstructured() (#MW_HDR_DECODE_GLUED
 * is passed on); a word that cannot be decoded stays as written
 * (#MW_HDR_PV_EW_FAILED, still #MW_OK). This also needs room in `out` for
 * the unquoted value and its decoded form together. RFC 2231 values are
 * never searched for encoded words.
 *
 * NUL, CR and LF: a NUL byte in the decoded value (from a quoted-string,
 * "%00", an encoded word or a charset) is refused with #MW_E_NUL, since
 * file names and boundaries end up as C strings ("evil.exe%00.txt"). CR
 * and LF ("%0D%0A") are returned as they are. With #MW_HDR_DECODE_SAFE in
 * `opts`, all three become spaces instead and #MW_E_NUL is not returned.
 *
 * @param params the parsed parameters (mw_hdr_content_type::params).
 * @param n      how many (mw_hdr_content_type::nparams).
 * @param name   NUL-terminated ASCII parameter name, e.g. "filename".
 * @param opts   optional decoder options (hdr_decode.h): the charset hook
 *               for charsets the library does not know, and the flags
 *               #MW_HDR_DECODE_QUOTED, #MW_HDR_DECODE_GLUED and
 *               #MW_HDR_DECODE_SAFE (others are ignored). May be NULL.
 * @param out    where the UTF-8 value goes; may be NULL when `cap` is 0.
 * @param cap    capacity of `out`.
 * @param outlen optional: receives the length of the value on #MW_OK and
 *               #MW_E_NUL; 0 on other errors.
 * @param info   optional: receives charset, language, section count and
 *               MW_HDR_PV_* flags (also on errors, as far as known).
 * @param err    optional: on error, the status, the offset in the field
 *               value the parameters came from (computed from
 *               mw_hdr_param::offset), and a reason.
 * @return #MW_OK;
 *         #MW_E_NOT_FOUND when no parameter has that name;
 *         #MW_E_SYNTAX for an RFC 2231 form that cannot be decoded (section
 *         0 missing, a bad percent escape, no charset'language' prefix);
 *         #MW_E_CHARSET when the charset is unknown and no hook takes it;
 *         #MW_E_UTF8 when the bytes are invalid in the declared UTF-8;
 *         #MW_E_NOSPACE when `out` is too small (see above);
 *         #MW_E_LIMIT when the sections go on beyond #MW_HDR_MAX_PARAMS;
 *         #MW_E_NUL when the value holds a NUL byte (the value is in `out`);
 *         #MW_E_INVAL for NULL `name`, `params` with `n` > 0, or `out` with
 *         `cap` > 0;
 *         any recoverable status the charset hook returns;
 *         #MW_E_CALLBACK when the hook returns a fatal or positive status.
 */
MW_API int mw_hdr_param_get(const mw_hdr_param *params, size_t n,
                            const char *name,
                            const mw_hdr_decode_opts *opts, char *out,
                            size_t cap, size_t *outlen,
                            mw_hdr_param_info *info, mw_error *err);

#ifdef __cplusplus
}
#endif

#endif /* MAILWIRE_HDR_MIME_H */
