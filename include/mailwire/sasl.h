/* SPDX-License-Identifier: MIT */
/**
 * @file sasl.h
 * @brief SASL mechanisms and the digests they need: MD5 (RFC 1321),
 *        HMAC-MD5 (RFC 2104), POP3 APOP (RFC 1939 §7), CRAM-MD5
 *        (RFC 2195), PLAIN (RFC 4616), LOGIN
 *        (draft-murchison-sasl-login), XOAUTH2 (Google/Microsoft) and
 *        OAUTHBEARER (RFC 7628), plus the hook type through which the
 *        SMTP, POP3 and IMAP client machines run any other mechanism.
 *
 * The protocol machines carry SASL messages as base64 (RFC 4954 §4,
 * RFC 5034 §4, RFC 3501 §6.2.2). The encoders here produce that base64
 * text directly (never a NUL terminator; no CR or LF ever appears in it);
 * the parsers take the base64 text as received (strict RFC 4648 §4: no
 * white space, correct padding) and decode it into a caller scratch
 * buffer, returning spans that point into that scratch buffer.
 *
 * Conventions for every function in this file:
 * - Output goes to caller memory: `out` with capacity `cap`; `*outlen`
 *   receives the number of bytes written on #MW_OK and the number needed
 *   on #MW_E_NOSPACE. Encoders then write nothing; decoders may have
 *   filled the buffer with a prefix. No NUL is appended.
 * - Inputs are pointer and length and may contain any byte; what each
 *   function does with NUL, CR, LF (and 0x01 for the OAuth mechanisms) is
 *   stated in its documentation.
 * - Parsers fill the optional `mw_error *err` (may be NULL). Its offset
 *   counts characters of the base64 text given to the parser; for a
 *   problem found after decoding, it is the offset of the base64
 *   character that carries the first bit of the offending decoded byte
 *   (byte `d` of the decoded message starts in character `4*d/3`).
 * - Nothing allocates; everything is linear in its input.
 *
 * Secrets are compared in constant time (no early exit on the first
 * differing byte). Nothing here retains or clears caller memory: wiping
 * passwords from the caller's buffers is the caller's business.
 */
#ifndef MAILWIRE_SASL_H
#define MAILWIRE_SASL_H

#include "core.h"
#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Size of an MD5 digest and an HMAC-MD5 MAC in bytes. */
#define MW_MD5_LEN 16
/** Size of an MD5 digest written as hexadecimal digits (no NUL). */
#define MW_MD5_HEX_LEN 32
/** MD5's block size in bytes (RFC 1321 §3.4; RFC 2104 §2 "B"). */
#define MW_MD5_BLOCK 64

/* ------------------------------------------------------------------ */
/** @name MD5 and HMAC-MD5
 *  MD5 survives here only because APOP and CRAM-MD5 are defined with it;
 *  it is broken for collision resistance and MUST NOT be used for anything
 *  new. Portable C99: the byte order of the host does not matter.
 *
 *  In a build without CRAM-MD5 and APOP (MW_ENABLE_SASL_CRAM_MD5 0,
 *  features.h) these functions stay but compute nothing: the digests
 *  and MACs they write are 16 zero bytes. Test the macro before relying
 *  on them.
 *  @{ */

/**
 * @brief A streaming MD5 computation (RFC 1321 §3).
 *
 * Placed by the caller (on the stack is fine); all fields are private.
 * Holds no pointers, so a context may be copied by assignment to fork a
 * computation (hash a common prefix once, finish two messages).
 * Contains message-dependent state: callers hashing secrets may wipe it
 * after mw_md5_final().
 */
typedef struct mw_md5 {
    /** @cond PRIVATE */
    uint32_t st[4];       /* A, B, C, D */
    uint64_t nbytes;      /* message length so far, in bytes */
    uint8_t buf[MW_MD5_BLOCK]; /* partial block */
    /** @endcond */
} mw_md5;

/**
 * @brief The size of ::mw_md5 in bytes, for bindings and
 *        callers that place it without the struct definition.
 * @return sizeof(mw_md5).
 */
MW_API size_t mw_md5_sizeof(void);

/**
 * @brief Start an MD5 computation (RFC 1321 §3.3).
 * @param c the context; MUST NOT be NULL. Any previous state is discarded.
 */
MW_API void mw_md5_init(mw_md5 *c);

/**
 * @brief Add bytes to an MD5 computation.
 *
 * Any split of the message over any number of calls gives the same digest
 * as one call with the whole message. Messages up to 2^61 - 1 bytes are
 * hashed exactly (RFC 1321 §3.2 keeps the bit length modulo 2^64).
 *
 * @param c the context, initialised with mw_md5_init() and not finalised
 *          since; MUST NOT be NULL.
 * @param p the bytes (any byte values); may be NULL when `n` is 0.
 * @param n number of bytes at `p`.
 */
MW_API void mw_md5_update(mw_md5 *c, const void *p, size_t n);

/**
 * @brief Finish an MD5 computation and write the 16-byte digest
 *        (RFC 1321 §3.5: A, B, C, D, each low-order byte first).
 *
 * Afterwards the context holds no useful state; mw_md5_init() it again to
 * reuse it.
 *
 * @param c      the context; MUST NOT be NULL.
 * @param digest receives #MW_MD5_LEN bytes; MUST NOT be NULL.
 */
MW_API void mw_md5_final(mw_md5 *c, uint8_t digest[MW_MD5_LEN]);

/**
 * @brief MD5 of one buffer: mw_md5_init(), mw_md5_update(),
 *        mw_md5_final() in one call.
 *
 * (Named `_sum` because `mw_md5` is the context type.)
 *
 * @param p      the bytes; may be NULL when `n` is 0.
 * @param n      number of bytes.
 * @param digest receives #MW_MD5_LEN bytes; MUST NOT be NULL.
 */
MW_API void mw_md5_sum(const void *p, size_t n, uint8_t digest[MW_MD5_LEN]);

/**
 * @brief HMAC-MD5 (RFC 2104 §2, with MD5 as H, B = 64, L = 16), as
 *        CRAM-MD5 (RFC 2195 §2) uses it.
 *
 * A key longer than 64 bytes is first replaced by its MD5 digest, as
 * RFC 2104 §2 requires; any key length, including 0, is accepted.
 *
 * @param key    the key (any bytes); may be NULL when `keylen` is 0.
 * @param keylen key length in bytes.
 * @param msg    the message (any bytes); may be NULL when `n` is 0.
 * @param n      message length in bytes.
 * @param mac    receives #MW_MD5_LEN bytes; MUST NOT be NULL.
 */
MW_API void mw_hmac_md5(const void *key, size_t keylen, const void *msg,
                        size_t n, uint8_t mac[MW_MD5_LEN]);

/**
 * @brief Write bytes as lower-case hexadecimal digits, high nibble first.
 * @param in  the bytes; may be NULL when `n` is 0.
 * @param n   number of bytes.
 * @param out receives exactly 2 * `n` characters ('0'-'9', 'a'-'f'); no
 *            NUL is appended. MUST NOT overlap `in`.
 */
MW_API void mw_hex_lower(const uint8_t *in, size_t n, char *out);

/** @} */

/* ------------------------------------------------------------------ */
/** @name APOP (RFC 1939 §7)
 *
 * In a build without CRAM-MD5 and APOP (MW_ENABLE_SASL_CRAM_MD5 0,
 * features.h) every function here returns #MW_E_UNSUPPORTED and does
 * nothing else.
 *
 * The server's greeting carries a timestamp "<...>" in the syntax of an
 * RFC 822 msg-id; the client sends "APOP name digest" where digest is
 * MD5(timestamp || shared secret) in 32 lower-case hex digits.
 *
 * Timestamp rule used throughout (the "APOP timestamp" below): '<', then
 * one or more bytes in 0x21..0x7E other than '<' and '>', containing an
 * '@' that is neither the first nor the last of them, then '>'. This is
 * the msg-id shape every server sends ("<1896.697170952@dbc.mtview.ca.us>")
 * restricted to printable ASCII. The restriction matters: the 2007 APOP
 * attacks (Leurent; Sasaki et al.) recover the secret by having a fake
 * server send chosen binary "timestamps" that produce MD5 collisions;
 * a client that hashes only printable msg-ids is not open to them in that
 * form. Both the client side (mw_sasl_apop_digest()) and the greeting
 * scanner enforce the rule.
 *  @{ */

/**
 * @brief Find the APOP timestamp in a POP3 greeting (RFC 1939 §7).
 *
 * Scans for the first substring that satisfies the APOP timestamp rule
 * (see the group description). Linear by construction: each byte is
 * examined once (unlike the regular expression behind Python's
 * CVE-2018-1060).
 *
 * @param greeting the greeting line as received, typically
 *                 "+OK ... <ts@host>"; with or without the CRLF (CR, LF,
 *                 NUL and any other byte outside 0x21..0x7E simply cannot
 *                 be part of a timestamp). May be NULL when `len` is 0.
 * @param len      its length.
 * @param ts       receives the timestamp including the angle brackets; it
 *                 points into `greeting`. Left unchanged unless #MW_OK.
 *                 MUST NOT be NULL.
 * @return #MW_OK;
 *         #MW_E_NOT_FOUND when the greeting holds no APOP timestamp (the
 *         server does not offer APOP, or offers one this library refuses
 *         to hash);
 *         #MW_E_INVAL when `greeting` is NULL with `len` > 0 or `ts` is
 *         NULL.
 */
MW_API int mw_sasl_apop_find_timestamp(const char *greeting, size_t len,
                                       mw_span *ts);

/**
 * @brief Compute the APOP digest: lower-case hex of
 *        MD5(timestamp || secret) (RFC 1939 §7).
 *
 * @param timestamp the timestamp including '<' and '>', e.g. from
 *                  mw_sasl_apop_find_timestamp(); MUST satisfy the APOP
 *                  timestamp rule (checked).
 * @param tlen      its length.
 * @param secret    the shared secret; any bytes (it is hashed, never sent).
 *                  May be NULL when `slen` is 0.
 * @param slen      its length.
 * @param out       receives exactly #MW_MD5_HEX_LEN characters, no NUL.
 * @return #MW_OK;
 *         #MW_E_SYNTAX when the timestamp breaks the APOP timestamp rule
 *         (nothing is written);
 *         #MW_E_INVAL when `timestamp` or `out` is NULL, or `secret` is
 *         NULL with `slen` > 0.
 */
MW_API int mw_sasl_apop_digest(const char *timestamp, size_t tlen,
                               const char *secret, size_t slen,
                               char out[MW_MD5_HEX_LEN]);

/**
 * @brief Server side: check the digest of an APOP command.
 *
 * Computes MD5(timestamp || secret) and compares it with the digest the
 * client sent, in constant time (every byte is compared; the time does not
 * depend on where they differ). RFC 1939 §7 says the digest is sent in
 * lower case; upper-case hex digits are accepted too, because the case
 * carries no information and refusing it would only fail clients that
 * format with "%02X".
 *
 * @param timestamp the timestamp this server put in its greeting,
 *                  including '<' and '>'; MUST satisfy the APOP timestamp
 *                  rule (checked).
 * @param tlen      its length.
 * @param secret    the shared secret of the user named in the command; may
 *                  be NULL when `slen` is 0.
 * @param slen      its length.
 * @param digest_hex the digest argument of the APOP command.
 * @param dlen      its length.
 * @return #MW_OK when the digest matches;
 *         #MW_E_AUTH when it is well-formed and does not match (wrong
 *         secret);
 *         #MW_E_INVAL when a pointer argument is NULL (with a non-zero
 *         length);
 *         #MW_E_SYNTAX when `digest_hex` is not exactly 32 hex digits or
 *         the timestamp breaks the APOP timestamp rule.
 */
MW_API int mw_sasl_apop_check(const char *timestamp, size_t tlen,
                              const char *secret, size_t slen,
                              const char *digest_hex, size_t dlen);

/** @} */

/* ------------------------------------------------------------------ */
/** @name CRAM-MD5 (RFC 2195)
 *
 * In a build without CRAM-MD5 and APOP (MW_ENABLE_SASL_CRAM_MD5 0,
 * features.h) every function here returns #MW_E_UNSUPPORTED (the parser
 * fills `err` with it) and does nothing else.
 *
 * The server sends a challenge (decoded: a msg-id-like string), the client
 * answers "user SP digest" where digest is the lower-case hex of
 * HMAC-MD5(key = secret, message = challenge). The machines do the
 * base64 framing; these functions work on the decoded bytes.
 *  @{ */

/**
 * @brief Client side: build the decoded CRAM-MD5 response
 *        "user SP hex(HMAC-MD5(secret, challenge))" (RFC 2195 §2).
 *
 * @param user      the user name; MUST be non-empty and contain no NUL,
 *                  CR or LF (a space is allowed: the server splits at the
 *                  last one).
 * @param ulen      its length.
 * @param secret    the shared secret (the HMAC key); any bytes; may be
 *                  NULL when `slen` is 0.
 * @param slen      its length.
 * @param challenge the decoded server challenge; any bytes; may be NULL
 *                  when `clen` is 0.
 * @param clen      its length.
 * @param out       receives `ulen` + 1 + 32 bytes (raw, to be
 *                  base64-encoded by the caller or machine).
 * @param cap       capacity of `out`.
 * @param outlen    receives the length written, or needed on #MW_E_NOSPACE;
 *                  may be NULL.
 * @return #MW_OK; #MW_E_NOSPACE (nothing written); #MW_E_INVAL for an
 *         empty user, NUL/CR/LF in it, or NULL pointers with non-zero
 *         lengths.
 */
MW_API int mw_sasl_cram_md5_response(const char *user, size_t ulen,
                                     const char *secret, size_t slen,
                                     const char *challenge, size_t clen,
                                     char *out, size_t cap, size_t *outlen);

/**
 * @brief Server side: split a decoded CRAM-MD5 response into user name
 *        and digest (RFC 2195 §2), splitting at the last space.
 *
 * @param resp   the decoded response.
 * @param n      its length.
 * @param user   receives the user name (non-empty; no NUL, CR or LF);
 *               points into `resp`.
 * @param digest receives the 32 hex digits; points into `resp`.
 * @param err    optional; offset counts bytes of `resp` here.
 * @return #MW_OK; #MW_E_SYNTAX (no space, empty user, digest not exactly
 *         32 hex digits; NUL, CR or LF anywhere); #MW_E_INVAL for NULL
 *         pointers.
 */
MW_API int mw_sasl_cram_md5_parse(const char *resp, size_t n, mw_span *user,
                                  mw_span *digest, mw_error *err);

/**
 * @brief Server side: check a CRAM-MD5 digest in constant time.
 *
 * Upper-case hex digits are accepted, as for mw_sasl_apop_check().
 *
 * @param challenge  the decoded challenge this server sent.
 * @param clen       its length.
 * @param secret     the user's shared secret; may be NULL when `slen` is 0.
 * @param slen       its length.
 * @param digest_hex the digest from mw_sasl_cram_md5_parse().
 * @param dlen       its length.
 * @return #MW_OK when it matches; #MW_E_AUTH when it does not;
 *         #MW_E_INVAL for NULL pointers; #MW_E_SYNTAX when `digest_hex` is
 *         not 32 hex digits.
 */
MW_API int mw_sasl_cram_md5_check(const char *challenge, size_t clen,
                                  const char *secret, size_t slen,
                                  const char *digest_hex, size_t dlen);

/** @} */

/* ------------------------------------------------------------------ */
/** @name PLAIN (RFC 4616)
 *
 * message = [authzid] NUL authcid NUL passwd (RFC 4616 §2), each part
 * UTF-8 without NUL; authcid and passwd non-empty; an empty authzid means
 * "act as authcid". RFC 4616's SAFE characters include CR and LF, so they
 * are allowed inside the parts (they are base64-encoded and cannot break
 * the protocol line); servers that pass the parts to systems that treat
 * them specially must check for themselves.
 *  @{ */

/** The length each PLAIN part MUST be accepted up to (RFC 4616 §2). Pass
 *  it as `max_part` to mw_sasl_plain_decode() for the RFC limit. */
#define MW_SASL_PLAIN_MAX_PART 255

/**
 * @brief Client side: base64 of authzid NUL authcid NUL passwd
 *        (RFC 4616 §2), ready to send.
 *
 * @param authzid authorization identity; may be empty (len 0, ptr may be
 *                NULL).
 * @param zlen    its length.
 * @param authcid authentication identity (user name); MUST be non-empty.
 * @param clen    its length.
 * @param passwd  password; MUST be non-empty.
 * @param plen    its length.
 * @param out     receives the base64 text (no NUL); may be NULL when
 *                `cap` is 0 to ask for the size.
 * @param cap     capacity of `out`.
 * @param outlen  receives the length written, or needed on #MW_E_NOSPACE;
 *                may be NULL.
 * @return #MW_OK;
 *         #MW_E_NOSPACE (nothing written; `*outlen` = needed);
 *         #MW_E_INVAL when a part contains NUL, authcid or passwd is
 *         empty, a part is not valid UTF-8 (RFC 4616 §2), the total
 *         overflows, or a pointer is NULL with a non-zero length.
 *         Lengths above #MW_SASL_PLAIN_MAX_PART are allowed (servers may
 *         accept more, e.g. OAuth tokens as passwords).
 */
MW_API int mw_sasl_plain_encode(const char *authzid, size_t zlen,
                                const char *authcid, size_t clen,
                                const char *passwd, size_t plen, char *out,
                                size_t cap, size_t *outlen);

/**
 * @brief Server side: decode and split a PLAIN message (RFC 4616 §2).
 *
 * Decodes `b64` (strict base64) into `scratch`, then requires exactly two
 * NULs, a non-empty authcid and passwd, each part no longer than
 * `max_part` bytes, and each part valid UTF-8. An empty `b64` (the
 * client's "=" empty response, which the machines pass as length 0) is a
 * syntax error: PLAIN has no empty message.
 *
 * @param b64      the base64 text as received (no CRLF).
 * @param n        its length.
 * @param max_part longest accepted part in bytes: #MW_SASL_PLAIN_MAX_PART
 *                 for RFC 4616's minimum, more to allow longer passwords
 *                 or tokens, SIZE_MAX for no limit but `cap`.
 * @param scratch  receives the decoded message; MUST NOT overlap `b64`.
 *                 The spans point into it and stay valid as long as it
 *                 is unchanged. Needs 3 * n / 4 bytes at most.
 * @param cap      capacity of `scratch`.
 * @param authzid  receives the authorization identity (may be empty).
 * @param authcid  receives the authentication identity (non-empty).
 * @param passwd   receives the password (non-empty).
 * @param err      optional error details (see the file description for
 *                 offsets).
 * @return #MW_OK;
 *         #MW_E_BASE64 invalid base64;
 *         #MW_E_NOSPACE decoded message larger than `cap`;
 *         #MW_E_SYNTAX not exactly two NULs, or empty authcid or passwd;
 *         #MW_E_TOO_LONG a part longer than `max_part`;
 *         #MW_E_UTF8 a part is not valid UTF-8 (offset: its first bad
 *         byte);
 *         #MW_E_INVAL NULL pointers (with non-zero lengths).
 *         The spans are set only on #MW_OK.
 */
MW_API int mw_sasl_plain_decode(const char *b64, size_t n, size_t max_part,
                                char *scratch, size_t cap, mw_span *authzid,
                                mw_span *authcid, mw_span *passwd,
                                mw_error *err);

/** @} */

/* ------------------------------------------------------------------ */
/** @name LOGIN (draft-murchison-sasl-login-00)
 *
 * Obsolete but widespread. The server sends two challenges, by custom the
 * base64 of "Username:" and "Password:" (#MW_SASL_LOGIN_USERNAME_B64,
 * #MW_SASL_LOGIN_PASSWORD_B64); the client answers each with the base64 of
 * the user name and of the password. Clients MUST NOT depend on the
 * challenge text (some servers send "User Name\0"); the order alone
 * decides. Some clients send the user name as an initial response
 * ("AUTH LOGIN dXNlcg=="); servers then skip the first challenge.
 *  @{ */

/** The base64 of "Username:", the customary first LOGIN challenge. */
#define MW_SASL_LOGIN_USERNAME_B64 "VXNlcm5hbWU6"
/** The base64 of "Password:", the customary second LOGIN challenge. */
#define MW_SASL_LOGIN_PASSWORD_B64 "UGFzc3dvcmQ6"

/**
 * @brief Client side: base64 of one LOGIN step (user name or password).
 *
 * @param s      the user name or password; MUST NOT contain NUL (servers
 *               treat the decoded text as a C string, so a NUL would
 *               truncate it silently). CR and LF are allowed: they are
 *               base64-encoded. May be empty.
 * @param n      its length.
 * @param out    receives the base64 text; may be NULL when `cap` is 0.
 * @param cap    capacity of `out`.
 * @param outlen receives the length written, or needed on #MW_E_NOSPACE;
 *               may be NULL.
 * @return #MW_OK; #MW_E_NOSPACE (nothing written); #MW_E_INVAL for a NUL
 *         in `s` or NULL pointers with non-zero lengths.
 */
MW_API int mw_sasl_login_encode(const char *s, size_t n, char *out,
                                size_t cap, size_t *outlen);

/**
 * @brief Server side: decode one LOGIN response (strict base64).
 *
 * The draft fixes no character set; the bytes are returned as sent
 * (UTF-8 is not required, since legacy clients send Latin-1 passwords),
 * except that NUL is refused.
 *
 * @param b64    the base64 text as received.
 * @param n      its length.
 * @param out    receives the decoded bytes; MUST NOT overlap `b64`.
 * @param cap    capacity of `out`.
 * @param outlen receives the decoded length (or needed on #MW_E_NOSPACE);
 *               may be NULL.
 * @param err    optional error details.
 * @return #MW_OK; #MW_E_BASE64; #MW_E_NOSPACE (`out` holds the first
 *         `cap` decoded bytes); #MW_E_NUL (a decoded NUL; offset per the
 *         file description; `out` holds the decoded bytes but they must
 *         not be used); #MW_E_INVAL NULL pointers.
 */
MW_API int mw_sasl_login_decode(const char *b64, size_t n, char *out,
                                size_t cap, size_t *outlen, mw_error *err);

/** @} */

/* ------------------------------------------------------------------ */
/** @name XOAUTH2 and OAUTHBEARER (RFC 7628)
 *
 * In a build without OAuth (MW_ENABLE_SASL_OAUTH 0, features.h) every
 * function here returns #MW_E_UNSUPPORTED (the parsers fill `err` with
 * it) and does nothing else.
 *
 * Both carry an OAuth 2.0 bearer token (RFC 6750) in key=value pairs
 * separated by 0x01 ("kvsep"). Encoders refuse every control character
 * but HTAB (NUL, CR, LF, 0x01 and DEL included) in every value
 * (#MW_E_INVAL): a value can never forge a pair, and what they write is
 * the RFC 7628 §3.1 value grammar the parsers check; the token
 * MUST be an RFC 6750 §2.1 b64token (ALPHA DIGIT "-._~+/" then '='
 * padding). Parsers check the same and return spans into the scratch
 * buffer. Tokens can be several kilobytes (JWTs); SMTP allows 12288-octet
 * AUTH lines for them (RFC 4954 §4).
 *
 * Failure: the server answers a bad token with a challenge holding a JSON
 * error (RFC 7628 §3.2.2); the client MUST reply with a lone 0x01
 * (OAUTHBEARER, "AQ==") or an empty response (XOAUTH2), and the server
 * then fails the exchange. The machines do this framing.
 *  @{ */

/**
 * @brief Client side: base64 of the XOAUTH2 initial response
 *        "user=" user 0x01 "auth=Bearer " token 0x01 0x01.
 *
 * @param user   the account (mail address); non-empty valid UTF-8 with no
 *               control character but HTAB.
 * @param ulen   its length.
 * @param token  the access token; a non-empty RFC 6750 b64token.
 * @param tlen   its length.
 * @param out    receives the base64 text; may be NULL when `cap` is 0.
 * @param cap    capacity of `out`.
 * @param outlen receives the length written, or needed on #MW_E_NOSPACE;
 *               may be NULL.
 * @return #MW_OK; #MW_E_NOSPACE (nothing written); #MW_E_INVAL (empty
 *         user or token, a forbidden byte, a user that is not UTF-8, a
 *         token that is not a b64token, NULL pointers).
 */
MW_API int mw_sasl_xoauth2_encode(const char *user, size_t ulen,
                                  const char *token, size_t tlen, char *out,
                                  size_t cap, size_t *outlen);

/**
 * @brief Server side: decode and parse an XOAUTH2 initial response.
 *
 * Accepts key=value pairs each ended by 0x01, then a final 0x01, with
 * exactly one "user" and one "auth" key (in any order); other keys are
 * ignored. "auth" is "Bearer" (any case), one or more spaces, then a
 * b64token; "user" must be non-empty valid UTF-8 without CR or LF. Other
 * keys are 1*ALPHA and their values follow RFC 7628 §3.1's value grammar
 * (VCHAR, SP, HTAB, CR, LF, plus bytes >= 0x80); NUL is refused
 * everywhere.
 *
 * @param b64     the base64 text as received.
 * @param n       its length.
 * @param scratch receives the decoded message; MUST NOT overlap `b64`;
 *                the spans point into it.
 * @param cap     capacity of `scratch`.
 * @param user    receives the user value.
 * @param token   receives the bearer token.
 * @param err     optional error details.
 * @return #MW_OK; #MW_E_BASE64; #MW_E_NOSPACE; #MW_E_SYNTAX (structure,
 *         missing or repeated key, bad scheme or token, forbidden byte);
 *         #MW_E_UTF8 (user); #MW_E_INVAL NULL pointers.
 */
MW_API int mw_sasl_xoauth2_parse(const char *b64, size_t n, char *scratch,
                                 size_t cap, mw_span *user, mw_span *token,
                                 mw_error *err);

/**
 * @brief Client side: base64 of the OAUTHBEARER initial client response
 *        (RFC 7628 §3.1):
 *        "n," ["a=" authzid] "," 0x01 ["host=" host 0x01]
 *        ["port=" port 0x01] "auth=Bearer " token 0x01 0x01.
 *
 * In the authzid, ',' and '=' are escaped as "=2C" and "=3D" (the GS2
 * header's saslname, RFC 5801 §4). Channel binding is not used ("n").
 *
 * @param authzid the identity to act as (usually the mail address); may
 *                be empty (then "n,,"); valid UTF-8 with no control
 *                character but HTAB.
 * @param alen    its length.
 * @param host    the server host name the client connected to; may be
 *                empty (then omitted); VCHARs only (0x21..0x7E, as
 *                RFC 7628 §3.1 "host" requires), so no NUL, CR, LF,
 *                0x01 or space.
 * @param hlen    its length.
 * @param port    the server port, 1..65535, or 0 to omit it.
 * @param token   the access token; a non-empty RFC 6750 b64token.
 * @param tlen    its length.
 * @param out     receives the base64 text; may be NULL when `cap` is 0.
 * @param cap     capacity of `out`.
 * @param outlen  receives the length written, or needed on #MW_E_NOSPACE;
 *                may be NULL.
 * @return #MW_OK; #MW_E_NOSPACE (nothing written); #MW_E_INVAL (forbidden
 *         byte, invalid UTF-8 authzid, port > 65535, empty or non-b64token
 *         token, NULL pointers).
 */
MW_API int mw_sasl_oauthbearer_encode(const char *authzid, size_t alen,
                                      const char *host, size_t hlen,
                                      unsigned port, const char *token,
                                      size_t tlen, char *out, size_t cap,
                                      size_t *outlen);

/**
 * @brief Server side: decode and parse an OAUTHBEARER client response
 *        (RFC 7628 §3.1).
 *
 * Requires the GS2 header "n," or "y," (channel binding "p=" is refused:
 * OAUTHBEARER has no channel binding), an optional "a=" saslname whose
 * "=2C"/"=3D" escapes are decoded in place in `scratch`, then key=value
 * pairs ended by 0x01 with a final 0x01. "auth" is required; "host" and
 * "port" are optional; other keys (1*ALPHA, case-sensitive) are ignored; a
 * known key twice is an error. Values follow RFC 7628 (VCHAR, SP, HTAB,
 * CR, LF; bytes >= 0x80 are tolerated in ignored keys); the known keys
 * are stricter: "host" is VCHARs, "port" 1*DIGIT up to 65535, "auth"
 * "Bearer" 1*SP b64token. The authzid must be valid UTF-8 without NUL,
 * CR, LF or 0x01, and '=' in it must start "=2C" or "=3D".
 *
 * A decoded message of a single 0x01 is the client's reply to an error
 * challenge (RFC 7628 §3.2.3): the function returns #MW_DONE with all
 * spans empty and `*port` 0, and the server then fails the exchange.
 *
 * @param b64     the base64 text as received.
 * @param n       its length.
 * @param scratch receives the decoded message; MUST NOT overlap `b64`; the
 *                spans point into it.
 * @param cap     capacity of `scratch`.
 * @param authzid receives the unescaped authzid (empty when absent).
 * @param host    receives the host value (empty when absent).
 * @param port    receives the port (0 when absent); may be NULL.
 * @param token   receives the bearer token.
 * @param err     optional error details.
 * @return #MW_OK; #MW_DONE (error acknowledgement, see above);
 *         #MW_E_BASE64; #MW_E_NOSPACE; #MW_E_SYNTAX (GS2 header, pairs,
 *         missing auth, repeated key, bad escape, bad scheme or token,
 *         forbidden byte, bad port); #MW_E_UTF8; #MW_E_INVAL NULL pointers.
 */
MW_API int mw_sasl_oauthbearer_parse(const char *b64, size_t n,
                                     char *scratch, size_t cap,
                                     mw_span *authzid, mw_span *host,
                                     unsigned *port, mw_span *token,
                                     mw_error *err);

/** @} */

/* ------------------------------------------------------------------ */
/** @name Generic client mechanism hook
 *  @{ */

/**
 * @brief One step of a client SASL mechanism, supplied by the application
 *        to the SMTP, POP3 and IMAP client machines for mechanisms they do
 *        not build in.
 *
 * The machine calls the hook first with `challenge` == NULL (and `clen` 0)
 * to ask for an initial response (RFC 4954 §4, RFC 5034 §4, RFC 4959),
 * then once per server challenge with the challenge already
 * base64-decoded. The hook writes its response as raw bytes into
 * `response`; the machine base64-encodes it and sends it (an empty
 * response is sent as an empty line, or "=" as an initial response).
 *
 * @param user      the application pointer given to the machine.
 * @param challenge the decoded challenge (any bytes, not NUL-terminated),
 *                  valid only during the call; NULL on the first call.
 *                  An empty challenge has `challenge` != NULL, `clen` 0.
 * @param clen      its length.
 * @param response  where the hook writes its raw response.
 * @param cap       capacity of `response` (what still fits in the
 *                  protocol line once base64-encoded).
 * @param rlen      the hook sets the response length (<= `cap`).
 * @return #MW_OK: send the response; more challenges may follow.
 *         #MW_DONE: send the response; this was the mechanism's last
 *         step, so a further challenge is a server error and the machine
 *         cancels the exchange ("*").
 *         #MW_PAUSED, only on the first call: no initial response; the
 *         machine sends the command without one and waits for a
 *         challenge. (On later calls it is treated as a cancel.)
 *         Negative (e.g. #MW_E_NOSPACE when the response does not fit):
 *         cancel; the machine sends "*" (RFC 4954 §4) and reports the
 *         status. Any other value is treated as a cancel too.
 */
typedef int (*mw_sasl_step_fn)(void *user, const char *challenge,
                               size_t clen, char *response, size_t cap,
                               size_t *rlen);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* MAILWIRE_SASL_H */
