/* SPDX-License-Identifier: MIT */
/**
 * @file codec.h
 * @brief Base64 (RFC 4648 §4) encoding and decoding, and UTF-8 validation
 *        (RFC 3629 §3-4).
 *
 * These are the byte-level codecs the protocol machines and the header
 * parsers share: base64 for SASL exchanges (RFC 4954 §4), RFC 2047 "B"
 * encoded words and MIME bodies (RFC 2045 §6.8); UTF-8 validation for
 * RFC 6532 headers, IMAP UTF8=ACCEPT and SMTPUTF8. Nothing here allocates;
 * output goes into caller memory with the capacity passed in.
 */
#ifndef MAILWIRE_CODEC_H
#define MAILWIRE_CODEC_H

#include "core.h"
#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Length of the base64 encoding of `n` bytes, with padding:
 *        4 * ceil(n / 3) (RFC 4648 §4).
 * @param n number of input bytes.
 * @return the number of characters mw_base64_encode() writes (no NUL is
 *         added), or SIZE_MAX when the result does not fit in a size_t.
 */
MW_API size_t mw_base64_encoded_len(size_t n);

/**
 * @brief Encode bytes as base64 (RFC 4648 §4: the standard alphabet,
 *        '=' padding, no line breaks).
 *
 * RFC 2045 §6.8 line breaks are the caller's business (encode 57-byte
 * pieces to get 76-character lines).
 *
 * @param in     the bytes to encode; may be NULL when `n` is 0.
 * @param n      number of bytes at `in`.
 * @param out    where the characters go; no NUL terminator is written.
 *               May be NULL when `cap` is 0 (to ask for the size).
 * @param cap    capacity of `out` in bytes.
 * @param outlen receives the number of characters written on #MW_OK, and
 *               the number needed (mw_base64_encoded_len(n)) on
 *               #MW_E_NOSPACE. May be NULL.
 * @return #MW_OK;
 *         #MW_E_NOSPACE when `cap` is less than mw_base64_encoded_len(n)
 *         (nothing is written);
 *         #MW_E_INVAL when `in` is NULL with `n` > 0, or `out` is NULL with
 *         `cap` > 0.
 */
MW_API int mw_base64_encode(const void *in, size_t n, char *out, size_t cap,
                            size_t *outlen);

/**
 * Flag for mw_base64_decode(): be lenient, as MIME bodies (RFC 2045 §6.8)
 * and some SASL clients need. In this mode:
 * - CR, LF, space and tab anywhere in the input are skipped;
 * - the '=' padding may be missing or short ("QQ", "QQ=" and "QQ==" all
 *   decode to "A"), and whitespace may follow it;
 * - non-zero bits left over in the last character are ignored
 *   (RFC 4648 §3.5 lets a decoder accept them).
 * Any other character outside the alphabet, a '=' before the data ends, a
 * character after the padding, too much padding, and a final group of a
 * single character are still errors.
 */
#define MW_BASE64_LENIENT 1u

/**
 * @brief Decode base64 (RFC 4648 §4, the standard alphabet).
 *
 * Strict by default (flags 0), as RFC 4648 §3.3 and §3.5 recommend and
 * SASL (RFC 4954 §4) needs: the input length is a multiple of 4, every
 * character is in the alphabet, '=' appears only as the final one or two
 * characters ("xx==" or "xxx="), and the bits the padding discards are
 * zero, so every byte string has exactly one accepted encoding. With
 * #MW_BASE64_LENIENT, see that flag. Empty input decodes to zero bytes.
 *
 * @param in     the characters; may be NULL when `n` is 0.
 * @param n      number of characters at `in`.
 * @param out    where the bytes go; may be NULL when `cap` is 0 (to ask for
 *               the size).
 * @param cap    capacity of `out` in bytes.
 * @param outlen receives the number of bytes written on #MW_OK, and the
 *               number the whole decoding needs on #MW_E_NOSPACE. Left
 *               unchanged on other errors. May be NULL.
 * @param flags  0 or #MW_BASE64_LENIENT.
 * @param err    optional (may be NULL): on #MW_E_BASE64 receives the
 *               offset in `in` of the first offending character and a
 *               reason. A character outside the alphabet is reported
 *               where it is even when the input is also truncated; a
 *               strict input whose length is not a multiple of 4 is
 *               otherwise reported at `n` (where a character is missing);
 *               non-zero discarded bits at the last data character; a
 *               lenient final group of one character at that character.
 * @return #MW_OK;
 *         #MW_E_BASE64 for invalid input (the bytes written to `out` so
 *         far are unspecified);
 *         #MW_E_NOSPACE when the decoded bytes do not fit in `cap` (the
 *         input is valid; `out` holds the first `cap` bytes);
 *         #MW_E_INVAL when `in` is NULL with `n` > 0, `out` is NULL with
 *         `cap` > 0, or `flags` has an unknown bit.
 */
MW_API int mw_base64_decode(const char *in, size_t n, void *out, size_t cap,
                            size_t *outlen, unsigned flags, mw_error *err);

/**
 * @brief Check that bytes are well-formed UTF-8 (RFC 3629 §4).
 *
 * Rejects overlong forms (C0, C1, E0 80..9F, F0 80..8F), UTF-16 surrogates
 * (ED A0..BF, i.e. U+D800..U+DFFF), code points above U+10FFFF (F4 90..,
 * F5..FF), a continuation byte where a sequence must start, a sequence cut
 * short by a byte that is not a continuation, and a sequence cut short by
 * the end of the input. NUL (U+0000) is valid UTF-8; callers that must
 * refuse it check for it themselves.
 *
 * @param p          the bytes; may be NULL when `n` is 0.
 * @param n          number of bytes.
 * @param bad_offset optional (may be NULL): on #MW_E_UTF8 receives the
 *                   offset of the first byte of the first ill-formed
 *                   sequence, so that p[0, *bad_offset) is the longest
 *                   well-formed prefix (a stream reader can hold back a
 *                   sequence cut by the end of a chunk this way).
 *                   Unchanged on #MW_OK.
 * @return #MW_OK when all `n` bytes are well-formed UTF-8;
 *         #MW_E_UTF8 otherwise;
 *         #MW_E_INVAL when `p` is NULL with `n` > 0.
 */
MW_API int mw_utf8_check(const char *p, size_t n, size_t *bad_offset);

#ifdef __cplusplus
}
#endif

#endif /* MAILWIRE_CODEC_H */
