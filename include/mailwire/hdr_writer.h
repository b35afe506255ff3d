/* SPDX-License-Identifier: MIT */
/**
 * @file hdr_writer.h
 * @brief RFC 5322 header writer: complete, folded header fields
 *        ("Name: value" CRLF) written into a caller buffer, for those who
 *        send mail.
 *
 * Each field writer formats one whole field or nothing. It validates every
 * input first: a CR, LF or NUL byte anywhere in any argument is refused
 * with #MW_E_INVAL and nothing is written (field-notes §4.3: the smtplib,
 * PHPMailer CVE-2015-8476 and MimeKit header-injection class). On any
 * error the writer and its buffer are exactly as before the call: not
 * even the bytes after mw_hdr_writer_len() are touched.
 *
 * Output rules, for every field:
 * - every line ends with CRLF, every continuation line starts with a space
 *   or tab, and no line consists of white space only (RFC 5322 §2.2.3,
 *   §3.2.2);
 * - folding only ever inserts CRLF before an existing white space
 *   character (or before the separating space the writer itself adds), so
 *   unfolding (removing the CRLFs) gives back exactly the value written;
 * - lines are kept to 78 bytes where the value allows it, never longer
 *   than 998 (RFC 5322 §2.1.1), and a line that holds an RFC 2047 encoded
 *   word is kept to 76 (RFC 2047 §2). Lengths count bytes (octets), also
 *   for raw UTF-8 (RFC 6532 §3.4);
 * - an encoded word is "=?UTF-8?Q?...?=" or "=?UTF-8?B?...?=", whichever
 *   is shorter for the text it carries, at most 75 characters (RFC 2047
 *   §2), holds whole UTF-8 characters only (RFC 2047 §5), and adjacent
 *   encoded words carry the white space between them inside their text,
 *   because a reader drops white space between two encoded words
 *   (RFC 2047 §6.2).
 *
 * Status codes shared by every field writer:
 * - #MW_E_INVAL: NULL writer; a pointer that is NULL while its length is
 *   not 0; a CR, LF or NUL in any input; a field name that is empty or not
 *   ftext; any other argument the field's grammar does not allow (details
 *   per function).
 * - #MW_E_UTF8: text that must be UTF-8 is not well-formed (RFC 3629).
 * - #MW_E_TOO_LONG: an item that cannot be folded does not fit in a
 *   998-byte line (a field name longer than 997 bytes, an addr-spec
 *   longer than 993 bytes as written, a message identifier longer than
 *   995 bytes, a raw value with an unbreakable run longer than 997 bytes).
 * - #MW_E_NOSPACE: the field does not fit in the rest of the buffer.
 * mw_hdr_writer_error() tells which item and byte caused the last error.
 */
#ifndef MAILWIRE_HDR_WRITER_H
#define MAILWIRE_HDR_WRITER_H

#include "core.h"
#include "config.h"
#include "hdr_date.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Writer flag: the transport carries raw UTF-8 in headers (RFC 6532, an
 * SMTPUTF8 session per RFC 6531). Non-ASCII text is then written as is
 * (UTF-8 counts as atext and qtext, RFC 6532 §3.2) instead of as RFC 2047
 * encoded words, and non-ASCII local parts, domains and message
 * identifiers are accepted. Without it, the output is pure ASCII.
 */
#define MW_HDR_WRITE_UTF8 0x01u

/**
 * @brief A header writer: a caller buffer and how much of it is filled.
 *
 * Place it anywhere (stack, static, inside another struct) and set it up
 * with mw_hdr_writer_init(). All fields are private; read the length with
 * mw_hdr_writer_len() and errors with mw_hdr_writer_error().
 */
typedef struct mw_hdr_writer {
    /** @cond PRIVATE */
    char *buf;              /* the caller's buffer */
    size_t cap;             /* its capacity */
    size_t len;             /* bytes written so far */
    unsigned flags;         /* MW_HDR_WRITE_* */
    int err_code;           /* status of the last call */
    size_t err_item;        /* index of the address / id at fault */
    size_t err_offset;      /* byte offset inside that input */
    const char *err_reason; /* static string, NULL after success */
    /** @endcond */
} mw_hdr_writer;

/**
 * @brief The size of ::mw_hdr_writer in bytes, for bindings and
 *        callers that place it without the struct definition.
 * @return sizeof(mw_hdr_writer).
 */
MW_API size_t mw_hdr_writer_sizeof(void);

/**
 * @brief One entry of an address list for mw_hdr_write_addresses().
 *
 * Every text is a pointer and a length (not NUL-terminated); a NULL
 * pointer with length 0 means "absent". The pointers are only read during
 * the call.
 *
 * - `display`: the display name as it should read (UTF-8, unquoted,
 *   unencoded), or absent for a bare addr-spec.
 * - `local`: the local part as it reads, unquoted ("john..doe", not
 *   "\"john..doe\""). The writer quotes it when it is not a dot-atom.
 * - `domain`: a domain name (dot-atom-text) or a domain literal with its
 *   brackets ("[192.0.2.1]", "[IPv6:2001:db8::1]").
 * - `group`: the display name of the group this entry belongs to, or
 *   absent. Consecutive entries with the same group (byte for byte) form
 *   one group, "Group: a, b;". An entry with a group and no local part
 *   adds no member: alone it writes the empty group "Group:;".
 */
typedef struct mw_hdr_addr_out {
    const char *display; /**< display name (phrase), or NULL */
    size_t display_len;  /**< its length in bytes */
    const char *local;   /**< local part, unquoted */
    size_t local_len;    /**< its length in bytes */
    const char *domain;  /**< domain or [domain literal] */
    size_t domain_len;   /**< its length in bytes */
    const char *group;   /**< group display name, or NULL */
    size_t group_len;    /**< its length in bytes */
} mw_hdr_addr_out;

/**
 * @brief Set up a writer over a caller buffer.
 *
 * Nothing is written and no NUL terminator is ever added. The writer
 * keeps `buf`, which MUST stay valid while the writer is used.
 *
 * @param w     the writer to set up; MUST NOT be NULL.
 * @param buf   where fields go; may be NULL when `cap` is 0 (every field
 *              writer then fails with #MW_E_NOSPACE).
 * @param cap   capacity of `buf` in bytes.
 * @param flags 0 or #MW_HDR_WRITE_UTF8; unknown bits are ignored.
 */
MW_API void mw_hdr_writer_init(mw_hdr_writer *w, char *buf, size_t cap,
                               unsigned flags);

/**
 * @brief Number of bytes written into the buffer so far (whole fields
 *        only).
 * @param w the writer; NULL gives 0.
 * @return the length of the header text in the buffer.
 */
MW_API size_t mw_hdr_writer_len(const mw_hdr_writer *w);

/**
 * @brief Details of the last field writer call's failure.
 *
 * @param w      the writer; NULL gives #MW_E_INVAL.
 * @param item   optional (may be NULL): receives the index, in the array
 *               given to mw_hdr_write_addresses() or mw_hdr_write_msgids(),
 *               of the entry at fault; 0 for the other functions or when
 *               the field name is at fault.
 * @param offset optional: receives the byte offset of the problem inside
 *               the input at fault (the name, the value, or the part of
 *               the entry that `reason` names).
 * @param reason optional: receives a static English string naming the
 *               input at fault and the problem; NULL after a success.
 * @return the status the last field writer returned (#MW_OK when it
 *         succeeded or none was called yet).
 */
MW_API int mw_hdr_writer_error(const mw_hdr_writer *w, size_t *item,
                               size_t *offset, const char **reason);

/**
 * @brief Write an unstructured field such as Subject or Comments
 *        (RFC 5322 §3.2.5, §3.6.5), folded, with RFC 2047 encoded words
 *        where the text needs them.
 *
 * The value is the text as it should read, in UTF-8. It is written after
 * "Name: " and folded at its white space to keep lines within 78 bytes; a
 * word longer than that goes on a line of its own. A word is written as
 * an encoded word (RFC 2047 §5(1)) when it holds non-ASCII text (unless
 * #MW_HDR_WRITE_UTF8), a control character, or "=?" (so that a reader
 * cannot mistake it for an encoded word), or when it cannot fit in a
 * 998-byte line with the white space before it; consecutive such words
 * form one run of encoded words. The first white space character before
 * a run stays literal; the rest of the run's white space is encoded, so
 * a decoder gives back the exact text. An empty value gives "Name:" CRLF.
 * Leading white space is kept, but readers usually drop white space
 * right after the colon.
 *
 * @param w        the writer.
 * @param name     field name (ftext: printable ASCII except ':',
 *                 RFC 5322 §3.6.8), 1 to 997 bytes.
 * @param name_len its length.
 * @param value    the text, UTF-8; may be NULL when `len` is 0.
 * @param len      its length in bytes.
 * @return #MW_OK; #MW_E_INVAL (CR, LF or NUL, bad name, NULL pointer);
 *         #MW_E_UTF8 (value not UTF-8); #MW_E_TOO_LONG (name);
 *         #MW_E_NOSPACE.
 */
MW_API int mw_hdr_write_unstructured(mw_hdr_writer *w, const char *name,
                                     size_t name_len, const char *value,
                                     size_t len);

/**
 * @brief Write an address-list field such as From, To, Cc, Bcc, Reply-To
 *        or Sender (RFC 5322 §3.4, §3.6.2, §3.6.3).
 *
 * Entries are separated by ", " and the field folds at those separators
 * (and, for a long display name, between its words).
 *
 * Display names and group names (RFC 5322 §3.2.5 phrase): written as is
 * when they are atoms separated by single spaces; otherwise as one
 * quoted-string with '"' and '\' escaped (folded at its white space if
 * needed); as RFC 2047 encoded words (restricted "Q" alphabet of §5(3),
 * or "B") when they hold non-ASCII text (unless #MW_HDR_WRITE_UTF8), a
 * control character other than tab, or "=?", or when a quoted form could
 * not fit in 998-byte lines. An empty display name means none.
 *
 * Local part: written as is when it is a dot-atom (RFC 5322 §3.4.1),
 * otherwise as a quoted-string (RFC 5321 §4.1.2: bytes 32-126, '"' and
 * '\' escaped). Tab and other control characters are refused (SMTP cannot
 * carry them); non-ASCII needs #MW_HDR_WRITE_UTF8 (RFC 6531), since an
 * encoded word may not appear in an addr-spec (RFC 2047 §5(3)).
 *
 * Domain: a dot-atom-text (RFC 5322 §3.4.1; non-ASCII labels only with
 * #MW_HDR_WRITE_UTF8, otherwise give A-labels) or a domain literal
 * "[...]" of dtext (printable ASCII except '[', ']', '\'). No length
 * limits of RFC 5321 §4.5.3.1 are applied.
 *
 * With `n` == 0 the field is written with an empty body, "Name:" CRLF,
 * which RFC 5322 §3.6.3 allows for Bcc only.
 *
 * @param w        the writer.
 * @param name     field name, as for mw_hdr_write_unstructured().
 * @param name_len its length.
 * @param addrs    the entries; may be NULL when `n` is 0.
 * @param n        number of entries.
 * @return #MW_OK; #MW_E_INVAL (CR, LF or NUL anywhere, bad name, entry
 *         with neither local part nor group, local part without domain
 *         or the reverse, bad local part or domain, NULL pointer);
 *         #MW_E_UTF8 (a text not UTF-8); #MW_E_TOO_LONG (an addr-spec
 *         longer than 993 bytes as written, quotes and escapes included,
 *         so that with "<", ">", a space and ";," it fits a line; or the
 *         name);
 *         #MW_E_NOSPACE.
 */
MW_API int mw_hdr_write_addresses(mw_hdr_writer *w, const char *name,
                                  size_t name_len,
                                  const mw_hdr_addr_out *addrs, size_t n);

/**
 * @brief Write a date-time field such as Date or Resent-Date
 *        (RFC 5322 §3.3, §3.6.1).
 *
 * The date text comes from mw_hdr_format_date() (hdr_date.h), so it is
 * exactly what that function makes of `dt`.
 *
 * @param w        the writer.
 * @param name     field name, as for mw_hdr_write_unstructured().
 * @param name_len its length.
 * @param dt       the date; MUST NOT be NULL.
 * @return #MW_OK; #MW_E_INVAL (bad name, NULL `dt`, or a field of `dt`
 *         out of the range mw_hdr_format_date() accepts);
 *         #MW_E_TOO_LONG (name); #MW_E_NOSPACE.
 */
MW_API int mw_hdr_write_date(mw_hdr_writer *w, const char *name,
                             size_t name_len,
                             const mw_hdr_datetime *dt);

/**
 * @brief Write a msg-id list field such as Message-ID, In-Reply-To or
 *        References (RFC 5322 §3.6.4), folded between identifiers.
 *
 * Each identifier is given without its angle brackets and must be
 * id-left "@" id-right: id-left a dot-atom-text, id-right a dot-atom-text
 * or a no-fold-literal "[" *dtext "]". The obsolete forms are not
 * written. Non-ASCII atext needs #MW_HDR_WRITE_UTF8 (RFC 6532 §3.2).
 *
 * @param w        the writer.
 * @param name     field name, as for mw_hdr_write_unstructured().
 * @param name_len its length.
 * @param ids      the identifiers, without "<" and ">"; the spans are only
 *                 read during the call.
 * @param n        number of identifiers, at least 1.
 * @return #MW_OK; #MW_E_INVAL (`n` is 0, CR, LF or NUL, an identifier that
 *         is not id-left "@" id-right, bad name, NULL pointer);
 *         #MW_E_UTF8; #MW_E_TOO_LONG (an identifier longer than 995 bytes,
 *         which with " <" and ">" would pass 998; or the name);
 *         #MW_E_NOSPACE.
 */
MW_API int mw_hdr_write_msgids(mw_hdr_writer *w, const char *name,
                               size_t name_len, const mw_span *ids,
                               size_t n);

/**
 * @brief Write a field whose value the caller has already formatted
 *        (Content-Type with parameters, DKIM-Signature, List-Id, ...).
 *
 * The value is written after "Name: " as given, with no encoding and no
 * folding at 78: a line is folded (CRLF inserted before a white space
 * character) only where it would otherwise exceed 998 bytes. It is
 * checked: no CR, LF or NUL; no other control character except tab
 * (RFC 5322 §4 forbids generating obs-NO-WS-CTL); non-ASCII only with
 * #MW_HDR_WRITE_UTF8 and then well-formed UTF-8.
 *
 * @param w        the writer.
 * @param name     field name, as for mw_hdr_write_unstructured().
 * @param name_len its length.
 * @param value    the value; may be NULL when `len` is 0.
 * @param len      its length in bytes.
 * @return #MW_OK; #MW_E_INVAL (CR, LF, NUL, another control character,
 *         non-ASCII without #MW_HDR_WRITE_UTF8, bad name, NULL pointer);
 *         #MW_E_UTF8; #MW_E_TOO_LONG (a run without white space that
 *         cannot fit in 998 bytes, or white space at the end that would
 *         have to be folded onto a line of its own); #MW_E_NOSPACE.
 */
MW_API int mw_hdr_write_raw(mw_hdr_writer *w, const char *name,
                            size_t name_len, const char *value, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* MAILWIRE_HDR_WRITER_H */
