/* SPDX-License-Identifier: MIT */
/*
 * Declarations shared by the RFC 5322 sources (the .c files of
 * lib/rfc5322) and their tests, never installed: charset conversion to
 * UTF-8 (charset.c), used by the RFC 2047 decoder (decode.c) and by the
 * RFC 2231 parameter decoder.
 * Everything here is prefixed mw__ and hidden from the shared library.
 */
#ifndef MW_RFC5322_HDR_INTERNAL_H
#define MW_RFC5322_HDR_INTERNAL_H

#include "core/internal.h"
#include "mailwire/hdr_decode.h"

/* Built-in charsets, as recognised by mw__hdr_charset_id(). */
#define MW__CS_OTHER 0  /* not built in: needs the hook */
#define MW__CS_UTF8 1
#define MW__CS_ASCII 2
#define MW__CS_LATIN1 3

/* Which built-in charset a name denotes (ASCII case ignored, an RFC 2231
 * "*language" suffix ignored); MW__CS_OTHER when none. */
int mw__hdr_charset_id(mw_span charset);

/* The charset name without an RFC 2231 "*language" suffix. */
mw_span mw__hdr_charset_name(mw_span charset);

/*
 * Convert n bytes at `in`, in `charset`, to UTF-8 at `out` (cap bytes; MUST
 * NOT overlap `in`; may be NULL when cap is 0). Built in: UTF-8 (validated),
 * US-ASCII (8-bit bytes taken as UTF-8 when well-formed, else as
 * ISO-8859-1), ISO-8859-1 and their aliases; anything else goes to `hook`
 * (which gets the name without the language suffix), and without a hook is
 * MW_E_CHARSET. *outlen (may be NULL) receives the bytes written, also on
 * MW_E_NOSPACE (a prefix). Returns MW_OK, MW_E_CHARSET, MW_E_UTF8,
 * MW_E_NOSPACE, a recoverable status of the hook, MW_E_CALLBACK (the hook
 * returned a fatal or positive status), or MW_E_INVAL (NULL pointers with
 * non-zero sizes). The hook's output is checked to be UTF-8.
 */
int mw__hdr_to_utf8(mw_span charset, const char *in, size_t n, char *out,
                    size_t cap, size_t *outlen, mw_hdr_charset_fn hook,
                    void *hook_user);

/*
 * The same conversion in place: buf[0, n) holds the input, buf has room for
 * cap >= n bytes, and the UTF-8 result replaces the input at buf[0,
 * *outlen). Built-in charsets need no room beyond the result itself, so
 * MW_E_NOSPACE from them means the result is longer than cap. For the hook
 * the input is first moved to the end of buf, so the hook gets cap - n
 * bytes of room. On an error other than MW_E_NOSPACE buf's contents are
 * unspecified. *outlen is always set (0 on errors).
 */
int mw__hdr_to_utf8_inplace(mw_span charset, char *buf, size_t n, size_t cap,
                            size_t *outlen, mw_hdr_charset_fn hook,
                            void *hook_user);

#endif
