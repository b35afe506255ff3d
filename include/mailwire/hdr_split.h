/* SPDX-License-Identifier: MIT */
/**
 * @file hdr_split.h
 * @brief The streaming RFC 5322 header splitter: feed a message in any
 *        chunking, get each header field in order, then the offset where
 *        the body starts.
 *
 * The splitter finds the boundaries of header fields (RFC 5322 §2.2) and of
 * the header section (§2.1, §3.5: the header ends at the first empty line);
 * it does not interpret field bodies (see the structured field parsers for
 * that). For each field it gives the name, the body exactly as it stood
 * ("raw", with its folding line ends) and the unfolded body (§2.2.3).
 *
 * **Lines.** A line ends at CRLF. A bare LF also ends a line (the message
 * is then flagged and a defect reported: RFC 5322 §4.1 allows bare LF only
 * in the obsolete syntax, but nearly every message store on Unix writes
 * LF-only files). A bare CR (CR not followed by LF) never ends a line: it
 * is ordinary content, flagged and reported.
 *
 * **Units.** The header is cut into units: a line that does not start with
 * SP or HTAB, plus every following line that does (its continuation lines,
 * §2.2.3). A line consisting only of SP/HTAB is a continuation line too
 * (obs-FWS, §4.2), never the end of the header. A unit is either
 *  - a field: `field-name *WSP ":" ...` where field-name is 1*ftext
 *    (printable US-ASCII except ":", §3.6.8) and the optional WSP before
 *    the colon is the obsolete form of §4.5 (#MW_HDR_F_OBS_WSP); or
 *  - with #MW_HDR_MBOX_FROM, an mbox envelope line "From ..." (RFC 4155)
 *    as the very first line of the input; or
 *  - not a field: reported as a defect with all of its bytes and skipped
 *    (#MW_HDR_D_NO_COLON, #MW_HDR_D_BAD_NAME, #MW_HDR_D_CONT_FIRST).
 *
 * **End of the header.** The first empty line (CRLF, or a bare LF) ends
 * the header; the body starts at the byte after it. A message that starts
 * with an empty line has no fields. A message may also end without an
 * empty line (RFC 5322 §3.5: the body is optional); mw_hdr_parser_finish()
 * then delivers the last field and reports the end at the total length.
 *
 * **Events.** For each unit, in input order: the unit's defects (in the
 * order of ::mw_hdr_defect_kind), then its field event (if it is a field).
 * After the last unit: the `end` event with the body offset. A unit's
 * events come when the unit is complete, that is when the first byte of
 * the next line is known (to rule out a continuation), or at
 * mw_hdr_parser_finish(). The mbox "From " line is complete at its line
 * end. The same input gives the same events whatever the chunking.
 *
 * **Memory.** The parser is a plain struct that the caller places (its
 * members are private), and it works in a caller-provided buffer of at
 * least MW_HDR_BUFLEN(max_field) bytes. It never allocates.
 *
 * **Zero copy.** A unit that lies whole in one chunk, together with the
 * first byte of the line after it, is delivered with spans into the
 * caller's chunk. A unit cut by a chunk boundary, or whose next line starts
 * in a later chunk, is copied into the buffer and delivered from there.
 * The unfolded value of a folded field is built in the buffer.
 *
 * **Limits.** Each has its own status: a line longer than `max_line` is a
 * defect (#MW_E_LINE_TOO_LONG; the field is kept), a unit longer than
 * `max_field` is dropped with a defect (#MW_E_FIELD_TOO_LONG), more than
 * `max_fields` fields stop the parser (#MW_E_TOO_MANY_FIELDS), and so does
 * a header longer than `max_header` bytes (#MW_E_HEADER_TOO_LONG).
 */
#ifndef MAILWIRE_HDR_SPLIT_H
#define MAILWIRE_HDR_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @name Configuration flags (mw_hdr_config::flags)
 *  @{ */
/** Accept an mbox envelope line (RFC 4155: "From " sender date) as the
 *  first line of the input: it is delivered as a field named "From "
 *  (five bytes, with the space) flagged #MW_HDR_F_MBOX_FROM. It is
 *  complete at its line end: a following line that starts with WSP is not
 *  its continuation. A first line that is a well-formed field ("From :
 *  x", obsolete WSP before the colon) stays a field; a first line longer
 *  than max_field is dropped like any unit, with the lines after it that
 *  start with WSP. Without this flag such a line is not a field
 *  (#MW_HDR_D_BAD_NAME or #MW_HDR_D_NO_COLON) and is skipped. */
#define MW_HDR_MBOX_FROM 0x01u
/** Lines longer than `max_line` are not a defect and are not flagged;
 *  fields stay bounded by `max_field`. For stores that never fold. */
#define MW_HDR_LENIENT_LINES 0x02u
/** @} */

/**
 * @brief Limits and options of a header splitter.
 *
 * Fill it with mw_hdr_config_init() first, then change what you need, so
 * that members added later keep their defaults.
 */
typedef struct mw_hdr_config {
    /** Longest line in bytes, without its line end (RFC 5322 §2.1.1:
     *  998). A longer line is a defect (#MW_HDR_D_LONG_LINE); the field is
     *  still delivered. Default #MW_HDR_MAX_LINE. */
    size_t max_line;
    /** Longest unit in bytes: from the first byte of the field name to the
     *  last byte before the final line end, folding line ends included
     *  (that is, name, optional WSP, colon and raw). A longer unit is
     *  dropped (#MW_HDR_D_FIELD_TOO_LONG). Sizes the buffer:
     *  MW_HDR_BUFLEN(max_field). Default #MW_HDR_MAX_FIELD. */
    size_t max_field;
    /** Most field events (the mbox "From " line included) in one header.
     *  One more stops the parser with #MW_E_TOO_MANY_FIELDS. Default
     *  #MW_HDR_MAX_FIELDS. */
    size_t max_fields;
    /** Largest header in bytes, counted from the first byte fed to the
     *  first byte of the body (the empty line included). If the header
     *  needs a byte at offset `max_header` or later, the parser stops with
     *  #MW_E_HEADER_TOO_LONG. Default #MW_HDR_MAX_HEADER. */
    size_t max_header;
    /** #MW_HDR_MBOX_FROM, #MW_HDR_LENIENT_LINES. Default 0. */
    unsigned flags;
} mw_hdr_config;

/**
 * @brief Fill a configuration with the defaults of config.h.
 * @param cfg the configuration to fill; MUST NOT be NULL.
 */
MW_API void mw_hdr_config_init(mw_hdr_config *cfg);

/** @name Field flags (mw_hdr_field::flags)
 *  @{ */
/** The field has continuation lines (RFC 5322 §2.2.3). */
#define MW_HDR_F_FOLDED 0x0001u
/** A line of the field (its last one included) ended in a bare LF. */
#define MW_HDR_F_BARE_LF 0x0002u
/** The field contains a CR that is not followed by LF (RFC 5322 §4.1). */
#define MW_HDR_F_BARE_CR 0x0004u
/** The field contains a NUL byte (RFC 5322 §4.1 obs-utext). */
#define MW_HDR_F_NUL 0x0008u
/** The field body contains bytes >= 0x80 (RFC 6532). */
#define MW_HDR_F_8BIT 0x0010u
/** The 8-bit bytes of the body are not well-formed UTF-8, so the field
 *  is not RFC 6532 clean (raw is checked with mw_utf8_check()). */
#define MW_HDR_F_BAD_UTF8 0x0020u
/** White space between the field name and the colon (RFC 5322 §4.5,
 *  §4.5.8 obs-optional and the other obs-fields). It is in neither name
 *  nor raw. */
#define MW_HDR_F_OBS_WSP 0x0040u
/** A continuation line consists only of white space (obs-FWS, RFC 5322
 *  §4.2). */
#define MW_HDR_F_OBS_FWS 0x0080u
/** A line of the field is longer than max_line (never set with
 *  #MW_HDR_LENIENT_LINES). */
#define MW_HDR_F_LONG_LINE 0x0100u
/** This is the mbox envelope line (#MW_HDR_MBOX_FROM); name is "From ". */
#define MW_HDR_F_MBOX_FROM 0x0200u
/** The input ended inside the field's last line: there was no line end
 *  after raw (only from mw_hdr_parser_finish()). */
#define MW_HDR_F_NO_EOL 0x0400u
/** @} */

/**
 * @brief One header field, as given to the `field` callback.
 *
 * Every span is valid only until the callback returns: it points either
 * into the chunk passed to mw_hdr_parser_feed() or into the parser's
 * buffer, which the next unit overwrites. Copy what you keep. Spans may
 * contain any byte, NUL, bare CR and 8-bit included (see `flags`); they
 * are not NUL-terminated.
 */
typedef struct mw_hdr_field {
    /** The field name as it stood (case kept), without the optional white
     *  space before the colon and without the colon. For the mbox line:
     *  the five bytes "From ". Never empty. */
    mw_span name;
    /** Everything after the colon up to, not including, the field's final
     *  line end, exactly as it stood: leading white space, folding line
     *  ends (CRLF or bare LF) and white space-only lines included. For the
     *  mbox line: the bytes after "From ". name and raw always lie in the
     *  same memory (chunk or buffer). */
    mw_span raw;
    /** The field body unfolded (RFC 5322 §2.2.3: each line end that is
     *  followed by WSP is removed, the WSP stays) and with leading and
     *  trailing SP/HTAB removed. It is a sub-span of raw when the trimmed
     *  body has no line end in it (always for unfolded fields), else it
     *  points into the parser's buffer. May be empty. */
    mw_span value;
    /** Absolute offset of the field's first byte, counted from the first
     *  byte ever fed to this parser. */
    size_t offset;
    /** MW_HDR_F_* bits. */
    unsigned flags;
} mw_hdr_field;

/**
 * @brief What a defect is about (mw_hdr_defect::kind). Values are fixed.
 *
 * "Kept" defects concern a field that is still delivered after them;
 * "skipped" and "dropped" units produce no field event, and their bytes
 * are in the defect so that nothing is lost silently.
 */
typedef enum mw_hdr_defect_kind {
    /** Kept. A line is longer than max_line (RFC 5322 §2.1.1). offset: the
     *  first such line. Status #MW_E_LINE_TOO_LONG. */
    MW_HDR_D_LONG_LINE = 1,
    /** Kept. A line of the field ended in a bare LF. offset: the first
     *  bare LF. Also reported, with the LF as bytes, when the empty line
     *  that ends the header is a bare LF. Status #MW_E_BARE_LF. */
    MW_HDR_D_BARE_LF = 2,
    /** Kept. A CR not followed by LF. offset: the first one. Status
     *  #MW_E_BARE_CR. */
    MW_HDR_D_BARE_CR = 3,
    /** Kept. A NUL byte. offset: the first one. Status #MW_E_NUL. */
    MW_HDR_D_NUL = 4,
    /** Kept. The field body is not well-formed UTF-8. offset: the first
     *  byte of the first ill-formed sequence. Status #MW_E_UTF8. */
    MW_HDR_D_BAD_UTF8 = 5,
    /** Kept. The input ended inside the field's last line (only from
     *  mw_hdr_parser_finish()). offset: the end of the input. Status
     *  #MW_E_INCOMPLETE. */
    MW_HDR_D_NO_EOL = 6,
    /** Dropped. The unit is longer than max_field. bytes: its first
     *  max_field bytes; the rest, up to the end of the unit, is discarded.
     *  offset: the unit's first byte. Status #MW_E_FIELD_TOO_LONG. */
    MW_HDR_D_FIELD_TOO_LONG = 7,
    /** Skipped. The unit's first line has no colon. offset: the unit's
     *  first byte. Status #MW_E_SYNTAX. */
    MW_HDR_D_NO_COLON = 8,
    /** Skipped. The unit's first line has a colon, but what precedes it is
     *  not `1*ftext *WSP` (an empty name, a space inside the name, a
     *  control or 8-bit byte...). offset: the first offending byte. Status
     *  #MW_E_SYNTAX. */
    MW_HDR_D_BAD_NAME = 9,
    /** Skipped. Continuation lines with no field before them: the first
     *  line of the input (or the one after the mbox line) starts with SP
     *  or HTAB. offset: the unit's first byte. Status #MW_E_SYNTAX. */
    MW_HDR_D_CONT_FIRST = 10
} mw_hdr_defect_kind;

/**
 * @brief A problem that does not stop the parser, as given to the
 *        `defect` callback.
 */
typedef struct mw_hdr_defect {
    /** The status that names the problem (#MW_E_LINE_TOO_LONG,
     *  #MW_E_FIELD_TOO_LONG, #MW_E_BARE_LF, #MW_E_BARE_CR, #MW_E_NUL,
     *  #MW_E_UTF8, #MW_E_INCOMPLETE, #MW_E_SYNTAX); mw_strerror() gives
     *  its text. */
    int code;
    /** The precise kind: a ::mw_hdr_defect_kind value. */
    int kind;
    /** Absolute offset of the problem (see ::mw_hdr_defect_kind). */
    size_t offset;
    /** A static, specific English description. Never NULL. */
    const char *reason;
    /** The unit the defect is about, from its first byte to the last byte
     *  before its final line end (for #MW_HDR_D_FIELD_TOO_LONG only the
     *  first max_field bytes). Valid only during the callback, like the
     *  spans of ::mw_hdr_field. */
    mw_span bytes;
} mw_hdr_defect;

/** A header splitter. Defined below so that callers can place it; all of
 *  its members are private. */
typedef struct mw_hdr_parser mw_hdr_parser;

/** Type of the `field` member of ::mw_hdr_callbacks. */
typedef int (*mw_hdr_field_fn)(mw_hdr_parser *p, void *user,
                               const mw_hdr_field *f);

/** Type of the `defect` member of ::mw_hdr_callbacks. */
typedef int (*mw_hdr_defect_fn)(mw_hdr_parser *p, void *user,
                                const mw_hdr_defect *d);

/** Type of the `end` member of ::mw_hdr_callbacks. */
typedef int (*mw_hdr_end_fn)(mw_hdr_parser *p, void *user, size_t body_offset);

/**
 * @brief The callbacks of a header splitter. Any may be NULL (not
 *        interested); zero-initialise the struct.
 *
 * Each returns 0 to go on, #MW_PAUSED to make mw_hdr_parser_feed() return
 * #MW_PAUSED once the current unit's events are all delivered, or a
 * negative value to abort: the parser then stops for good and returns
 * #MW_E_CALLBACK. A callback MUST NOT call mw_hdr_parser_feed(),
 * mw_hdr_parser_finish() or mw_hdr_parser_reset() on its own parser
 * (they return #MW_E_STATE); mw_hdr_parser_error() is allowed.
 */
typedef struct mw_hdr_callbacks {
    /** A header field, in input order. */
    mw_hdr_field_fn field;
    /** A defect (see ::mw_hdr_defect_kind). */
    mw_hdr_defect_fn defect;
    /** The header has ended; the body starts at absolute offset
     *  `body_offset` (the total length of the input when the input ended
     *  without an empty line). Called exactly once per message unless the
     *  parser stopped on an error. Its return value can abort (negative)
     *  but not pause: the header is over anyway. */
    mw_hdr_end_fn end;
} mw_hdr_callbacks;

/**
 * @brief Buffer size a parser needs for a given max_field: room for a
 *        unit cut by a chunk boundary (max_field bytes plus its CRLF) and
 *        for the unfolded copy of a folded value (under max_field bytes).
 *
 * The buffer MUST hold at least this many bytes; more is allowed but not
 * used. `max_field` MUST NOT exceed (SIZE_MAX - 2) / 2.
 */
#define MW_HDR_BUFLEN(max_field) (2u * (size_t)(max_field) + 2u)

/** The buffer size for the default #MW_HDR_MAX_FIELD. */
#define MW_HDR_BUFLEN_DEFAULT MW_HDR_BUFLEN(MW_HDR_MAX_FIELD)

/**
 * @brief The splitter's state. Private: use only the functions below.
 *
 * Placed by the caller (static, stack, heap, arena); mw_hdr_parser_sizeof()
 * gives its size to bindings that cannot include this header.
 */
struct mw_hdr_parser {
    /** @cond MW_PRIVATE */
    mw_hdr_config cfg;     /* copy of the configuration */
    mw_hdr_callbacks cb;   /* copy of the callbacks */
    void *user;
    char *buf;             /* caller's buffer: [unit | unfolded value] */
    size_t buflen;
    const char *ubase;     /* the current unit: the buffer, or the chunk
                            * during a feed */
    size_t pos;            /* absolute offset of the next byte */
    size_t nfields;        /* field events delivered */
    size_t ustart;         /* absolute offset of the current unit */
    size_t ulen;           /* bytes of the unit seen so far */
    size_t line_off;       /* start of the current line in the unit */
    size_t line1_len;      /* content length of the unit's first line */
    size_t fold_len;       /* bytes of the unfolded copy built so far */
    size_t off_long, off_lf, off_cr, off_nul; /* first occurrences */
    size_t err_off;
    const char *err_reason;
    int err;               /* sticky error status, 0 if none */
    unsigned uflags;       /* MW_HDR_F_* of the current unit */
    uint8_t state;
    uint8_t eol;           /* length of the last line end of the unit */
    uint8_t buffered;      /* the unit is in buf */
    uint8_t pause;         /* a callback asked to pause */
    uint8_t busy;          /* inside a callback */
    /** @endcond */
};

/**
 * @brief The size of ::mw_hdr_parser, for bindings that allocate it
 *        without the struct definition.
 * @return sizeof(mw_hdr_parser).
 */
MW_API size_t mw_hdr_parser_sizeof(void);

/**
 * @brief Prepare a header splitter for one message.
 *
 * The configuration and the callbacks are copied; `user` and `buf` are
 * stored, so `buf` MUST stay valid and untouched (and `user` valid) for
 * as long as the parser is used. Nothing else is kept.
 *
 * @param p      the parser to initialise; MUST NOT be NULL.
 * @param cfg    limits and flags; NULL for the defaults of
 *               mw_hdr_config_init().
 * @param cb     the callbacks; NULL for none.
 * @param user   passed unchanged to every callback; may be NULL.
 * @param buf    working memory for cut units and unfolded values.
 * @param buflen its size: at least MW_HDR_BUFLEN(cfg->max_field).
 * @return #MW_OK;
 *         #MW_E_INVAL when `p` or `buf` is NULL, `cfg->flags` has an
 *         unknown bit, or `max_field` is too large for MW_HDR_BUFLEN();
 *         #MW_E_NOSPACE when `buflen` is smaller than
 *         MW_HDR_BUFLEN(max_field).
 */
MW_API int mw_hdr_parser_init(mw_hdr_parser *p, const mw_hdr_config *cfg,
                              const mw_hdr_callbacks *cb, void *user,
                              char *buf, size_t buflen);

/**
 * @brief Start over for a new message, keeping the configuration,
 *        callbacks, user pointer and buffer. Offsets restart at 0 and a
 *        sticky error is cleared.
 * @param p an initialised parser.
 * @return #MW_OK; #MW_E_INVAL when `p` is NULL; #MW_E_STATE when called
 *         from one of the parser's callbacks.
 */
MW_API int mw_hdr_parser_reset(mw_hdr_parser *p);

/**
 * @brief Feed the next chunk of the message.
 *
 * Chunks may be cut anywhere; the events are the same for any chunking.
 * Callbacks run inside this call and receive spans into `in` or into the
 * parser's buffer (see ::mw_hdr_field). Once this call returns, the
 * parser holds no pointer into `in`: whatever it still needs was copied.
 *
 * @param p        an initialised parser.
 * @param in       the chunk; may be NULL when `len` is 0.
 * @param len      its length.
 * @param consumed MUST NOT be NULL; receives how many bytes of `in` the
 *                 parser took (on every return).
 * @return #MW_OK: every byte was consumed; feed the next chunk.
 *         #MW_PAUSED: a callback asked to pause; the bytes from
 *         `in + *consumed` on were not consumed and must be fed again.
 *         #MW_DONE: the header ended in this chunk; `*consumed` is the
 *         number of header bytes in it and `in + *consumed` is the first
 *         byte of the body. Later calls return #MW_DONE and consume
 *         nothing.
 *         #MW_E_TOO_MANY_FIELDS: a field beyond max_fields (not
 *         delivered);
 *         #MW_E_HEADER_TOO_LONG: the header needs a byte at offset
 *         max_header or beyond;
 *         #MW_E_CALLBACK (fatal): a callback returned a negative value.
 *         These three are sticky: every later feed() and finish() returns
 *         the same status until mw_hdr_parser_reset(); `*consumed` is the
 *         number of bytes processed before the parser stopped, and
 *         mw_hdr_parser_error() gives the offset and reason.
 *         #MW_E_INVAL when `p` or `consumed` is NULL, or `in` is NULL with
 *         `len` > 0; #MW_E_STATE when called from a callback (neither
 *         changes the parser).
 */
MW_API int mw_hdr_parser_feed(mw_hdr_parser *p, const void *in, size_t len,
                              size_t *consumed);

/**
 * @brief Signal the end of the input.
 *
 * Delivers what is pending: the last unit if the input ended right after
 * it (or inside its last line, which adds #MW_HDR_F_NO_EOL and a
 * #MW_HDR_D_NO_EOL defect), then `end` with body_offset = the total
 * number of bytes fed. A message without an empty line is well-formed when
 * it has no body (RFC 5322 §3.5). #MW_PAUSED from a callback is ignored
 * here. After the header has ended (#MW_DONE) this does nothing.
 *
 * @param p an initialised parser.
 * @return #MW_OK; the sticky status of an earlier error, or
 *         #MW_E_TOO_MANY_FIELDS / #MW_E_CALLBACK raised by the pending
 *         field; #MW_E_INVAL when `p` is NULL; #MW_E_STATE when called
 *         from a callback.
 */
MW_API int mw_hdr_parser_finish(mw_hdr_parser *p);

/**
 * @brief The error that stopped the parser, if any.
 * @param p   the parser.
 * @param err optional (may be NULL): receives the status, the absolute
 *            offset (for #MW_E_HEADER_TOO_LONG: max_header; for
 *            #MW_E_TOO_MANY_FIELDS: the refused field's first byte; for
 *            #MW_E_CALLBACK: the first byte of the unit, or the body
 *            offset, whose callback aborted) and a static reason. With no
 *            error: #MW_OK, the number of bytes consumed so far, and
 *            "no error".
 * @return the sticky status, or #MW_OK; #MW_E_INVAL when `p` is NULL.
 */
MW_API int mw_hdr_parser_error(const mw_hdr_parser *p, mw_error *err);

/**
 * @brief Whether a field has a given name. Field names are compared
 *        without regard to ASCII case (RFC 5322 §1.2.2).
 *
 * @param f    a field, as passed to the `field` callback; MUST NOT be NULL.
 * @param name a NUL-terminated ASCII name without the colon, e.g. "To".
 * @return 1 when the names are equal ignoring case, 0 otherwise (also for
 *         an mbox "From " line, whose name holds the space).
 */
MW_API int mw_hdr_name_is(const mw_hdr_field *f, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* MAILWIRE_HDR_SPLIT_H */
