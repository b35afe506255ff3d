/* SPDX-License-Identifier: MIT */
/**
 * @file config.h
 * @brief Compile-time defaults. Define any of these before including a
 *        mailwire header (or with -D) to change them.
 *
 * Runtime limits live in each module's config struct; the values here are
 * only the defaults that the `*_config_init()` functions fill in, and the
 * sizes of the few fixed arrays inside contexts.
 */
#ifndef MAILWIRE_CONFIG_H
#define MAILWIRE_CONFIG_H

#include "mailwire/features.h"

/* ---- Features (features.h, generated) ----
 * What the library contains is fixed when it is built, by CMake options
 * written into features.h as 0/1 macros: the modules (MW_WITH_HDR,
 * MW_WITH_SMTP_CLIENT, ... -> MW_ENABLE_HDR, ...) and, for small builds,
 * features inside them, all on by default:
 *   MW_WITH_ERROR_TEXT    -> MW_ENABLE_ERROR_TEXT     reason texts
 *   MW_WITH_SASL_CRAM_MD5 -> MW_ENABLE_SASL_CRAM_MD5  CRAM-MD5, APOP, MD5
 *   MW_WITH_SASL_OAUTH    -> MW_ENABLE_SASL_OAUTH     XOAUTH2, OAUTHBEARER
 *   MW_WITH_SMTP_CHUNKING -> MW_ENABLE_SMTP_CHUNKING  BDAT (RFC 3030)
 *   MW_WITH_FAST_PATHS    -> MW_ENABLE_FAST_PATHS     speed-only code
 * Unlike the defaults below they are not to be defined by the
 * application: a feature switched off keeps its functions, which return
 * MW_E_UNSUPPORTED. features.h says what each one changes. */

/* ---- SIMD ----
 * The line scanners use SSE2 where the compiler targets it (every x86-64
 * CPU) and portable C elsewhere. Define MW_NO_SIMD to force the portable
 * code (CI builds it this way too, so both paths are tested). */

/* ---- RFC 5322 header splitter (mw_hdr_config defaults) ---- */

/** Longest header line, without CRLF. RFC 5322 §2.1.1: 998. */
#ifndef MW_HDR_MAX_LINE
#define MW_HDR_MAX_LINE 998
#endif

/** Longest header field (name, colon, value, folding), in bytes. */
#ifndef MW_HDR_MAX_FIELD
#define MW_HDR_MAX_FIELD 65536
#endif

/** Most header fields in one header block. */
#ifndef MW_HDR_MAX_FIELDS
#define MW_HDR_MAX_FIELDS 10000
#endif

/** Largest header block in bytes (Dovecot's default is 10 MiB). */
#ifndef MW_HDR_MAX_HEADER
#define MW_HDR_MAX_HEADER (10u * 1024u * 1024u)
#endif

/** Deepest nesting of RFC 5322 comments "((...))" the parsers accept. */
#ifndef MW_HDR_MAX_COMMENT_DEPTH
#define MW_HDR_MAX_COMMENT_DEPTH 32
#endif

/** Most RFC 2045/2231 parameters in one Content-Type or Content-Disposition
 *  (Dovecot caps RFC 2231 parameters at 128; CVE-2026-27859). */
#ifndef MW_HDR_MAX_PARAMS
#define MW_HDR_MAX_PARAMS 128
#endif

#endif /* MAILWIRE_CONFIG_H */
