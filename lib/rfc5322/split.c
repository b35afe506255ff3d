/* SPDX-License-Identifier: MIT */
/*
 * The streaming RFC 5322 header splitter (hdr_split.h): cuts a header
 * section fed in arbitrary chunks into fields, keeps each field's raw bytes
 * and unfolds its value, and finds where the body starts.
 *
 * The fast path is line-at-a-time: memchr() finds the next LF, one
 * word-at-a-time pass over the line looks for NUL, CR and 8-bit bytes, and
 * the byte after the LF says whether the field goes on (RFC 5322 §2.2.3:
 * a continuation line starts with SP or HTAB). There is no per-byte state
 * machine. A unit ("field or would-be field": a line plus its continuation
 * lines) that lies whole in the chunk is handed out in place; only a unit
 * cut by the end of a chunk is copied into the caller's buffer, where it
 * is completed by the next chunks.
 */
#include <string.h>
#if (defined(__SSE2__) || defined(_M_X64)) && !defined(MW_NO_SIMD)
#include <emmintrin.h>
#endif

#include "core/internal.h"
#include "mailwire/codec.h"
#include "mailwire/hdr_split.h"

/* Parser states (mw_hdr_parser::state). */
enum {
    ST_LINE = 0,     /* at the start of a line, no unit pending */
    ST_LINE_CR = 1,  /* a CR began a line; is it CRLF (end of header)? */
    ST_UNIT = 2,     /* inside a line of the current unit */
    ST_UNIT_EOL = 3, /* the unit's line ended; is the next a continuation? */
    ST_DROP = 4,     /* inside a line of a unit dropped as too long */
    ST_DROP_EOL = 5, /* a line of the dropped unit ended */
    ST_DONE = 6      /* the header has ended */
};

#define KNOWN_FLAGS (MW_HDR_MBOX_FROM | MW_HDR_LENIENT_LINES)

static int is_wsp(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/* ftext, RFC 5322 §3.6.8: printable US-ASCII except ":". A table, since
 * every byte of every field name is tested. */
#define FT16 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
static const unsigned char ftext[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20: SP no */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, /* 0x30: ':' no */
    FT16, FT16, FT16,                               /* 0x40-0x6f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* 0x70: DEL no */
    /* 0x80-0xff: 0 */
};
#undef FT16

static int is_ftext(unsigned char c)
{
    return ftext[c];
}

void mw_hdr_config_init(mw_hdr_config *cfg)
{
    cfg->max_line = MW_HDR_MAX_LINE;
    cfg->max_field = MW_HDR_MAX_FIELD;
    cfg->max_fields = MW_HDR_MAX_FIELDS;
    cfg->max_header = MW_HDR_MAX_HEADER;
    cfg->flags = 0;
}

size_t mw_hdr_parser_sizeof(void)
{
    return sizeof(mw_hdr_parser);
}

static void clear_state(mw_hdr_parser *p)
{
    p->ubase = p->buf;
    p->pos = 0;
    p->nfields = 0;
    p->ustart = 0;
    p->ulen = 0;
    p->line_off = 0;
    p->line1_len = 0;
    p->off_long = p->off_lf = p->off_cr = p->off_nul = 0;
    p->err_off = 0;
    p->err_reason = NULL;
    p->err = 0;
    p->uflags = 0;
    p->state = ST_LINE;
    p->eol = 0;
    p->buffered = 0;
    p->pause = 0;
    p->busy = 0;
}

int mw_hdr_parser_init(mw_hdr_parser *p, const mw_hdr_config *cfg,
                       const mw_hdr_callbacks *cb, void *user, char *buf,
                       size_t buflen)
{
    mw_hdr_config c;

    if (p == NULL || buf == NULL)
        return MW_E_INVAL;
    if (cfg != NULL)
        c = *cfg;
    else
        mw_hdr_config_init(&c);
    if ((c.flags & ~KNOWN_FLAGS) != 0u)
        return MW_E_INVAL;
    /* MW_HDR_BUFLEN() must not wrap. */
    if (c.max_field > (SIZE_MAX - 2u) / 2u)
        return MW_E_INVAL;
    if (buflen < MW_HDR_BUFLEN(c.max_field))
        return MW_E_NOSPACE;
    memset(p, 0, sizeof(*p));
    p->cfg = c;
    if (cb != NULL)
        p->cb = *cb;
    p->user = user;
    p->buf = buf;
    p->buflen = buflen;
    clear_state(p);
    return MW_OK;
}

int mw_hdr_parser_reset(mw_hdr_parser *p)
{
    if (p == NULL)
        return MW_E_INVAL;
    if (p->busy)
        return MW_E_STATE;
    clear_state(p);
    return MW_OK;
}

int mw_hdr_parser_error(const mw_hdr_parser *p, mw_error *err)
{
    if (p == NULL)
        return MW_E_INVAL;
    if (p->err == 0)
        return mw__fail(err, MW_OK, p->pos, "no error");
    return mw__fail(err, p->err, p->err_off, p->err_reason);
}

/* ---- events ------------------------------------------------------------ */

static int set_err_(mw_hdr_parser *p, int code, size_t off, const char *why)
{
    p->err = code;
    p->err_off = off;
    p->err_reason = why;
    return code;
}
#define set_err(p, code, off, why) set_err_((p), (code), (off), MW__TEXT(why))

/* A callback's answer: 0 goes on, MW_PAUSED pauses at the next unit
 * boundary, negative aborts for good. Other positive values go on. */
static int cb_result(mw_hdr_parser *p, int r, size_t off)
{
    if (r < 0)
        return set_err(p, MW_E_CALLBACK, off, "a callback aborted the parse");
    if (r == MW_PAUSED)
        p->pause = 1;
    return 0;
}

static int emit_defect_(mw_hdr_parser *p, int kind, int code, size_t off,
                        const char *reason, const char *bytes, size_t n)
{
    mw_hdr_defect d;
    int r;

    if (p->cb.defect == NULL)
        return 0;
    d.code = code;
    d.kind = kind;
    d.offset = off;
    d.reason = reason;
    d.bytes = mw__span(bytes, n);
    p->busy = 1;
    r = p->cb.defect(p, p->user, &d);
    p->busy = 0;
    return cb_result(p, r, p->ustart);
}
#define emit_defect(p, kind, code, off, reason, bytes, n)                    \
    emit_defect_((p), (kind), (code), (off), MW__TEXT(reason), (bytes), (n))

/* The empty line: report a bare LF, then `end`. `lf` points at its LF. */
static int header_end(mw_hdr_parser *p, const char *lf, size_t lf_off,
                      size_t body)
{
    int r;

    p->state = ST_DONE;
    if (lf != NULL && p->cb.defect != NULL) {
        mw_hdr_defect d;
        d.code = MW_E_BARE_LF;
        d.kind = MW_HDR_D_BARE_LF;
        d.offset = lf_off;
        d.reason = MW__TEXT("the empty line ending the header is a bare LF");
        d.bytes = mw__span(lf, 1);
        p->busy = 1;
        r = p->cb.defect(p, p->user, &d);
        p->busy = 0;
        if (r < 0)
            return set_err(p, MW_E_CALLBACK, lf_off,
                           "a callback aborted the parse");
    }
    if (p->cb.end != NULL) {
        p->busy = 1;
        r = p->cb.end(p, p->user, body);
        p->busy = 0;
        if (r < 0)
            return set_err(p, MW_E_CALLBACK, body,
                           "a callback aborted the parse");
    }
    return MW_DONE;
}

/* ---- line statistics ---------------------------------------------------- */

/* Byte by byte: NUL, bare CR (the caller passes line content, so every CR
 * here is bare) and 8-bit bytes. */
static void scan_bytes(mw_hdr_parser *p, const unsigned char *s, size_t n,
                       size_t off)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == 0) {
            if (!(p->uflags & MW_HDR_F_NUL)) {
                p->uflags |= MW_HDR_F_NUL;
                p->off_nul = off + i;
            }
        } else if (c == '\r') {
            if (!(p->uflags & MW_HDR_F_BARE_CR)) {
                p->uflags |= MW_HDR_F_BARE_CR;
                p->off_cr = off + i;
            }
        } else if (c >= 0x80) {
            p->uflags |= MW_HDR_F_8BIT;
        }
    }
}

#if (defined(__SSE2__) || defined(_M_X64)) && !defined(MW_NO_SIMD)
/* Sixteen bytes at a time with SSE2 (part of every x86-64 CPU): one mask
 * of the bytes that are NUL, CR or (until the unit has one) 8-bit; only a
 * block with a set bit goes to scan_bytes(). The last block of a line
 * overlaps the one before it rather than falling back to bytes, so each
 * byte costs well under one instruction. */
static void scan_content(mw_hdr_parser *p, const char *line, size_t n,
                         size_t off)
{
    const __m128i zero = _mm_setzero_si128(), cr = _mm_set1_epi8('\r');
    __m128i hi = (p->uflags & MW_HDR_F_8BIT) ? zero : _mm_set1_epi8((char)0x80);
    size_t i = 0;

    if (n < 16) {
        scan_bytes(p, (const unsigned char *)line, n, off);
        return;
    }
    for (;; i += 16) {
        __m128i v, m;
        if (i + 16 > n)
            i = n - 16; /* the last block overlaps the one before */
        v = _mm_loadu_si128((const __m128i *)(const void *)(line + i));
        m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, zero),
                                      _mm_cmpeq_epi8(v, cr)),
                         _mm_and_si128(v, hi));
        if (_mm_movemask_epi8(m) != 0) {
            /* bytes already scanned in an overlapping block are scanned
             * again: harmless, flags only record the first offset */
            scan_bytes(p, (const unsigned char *)line + i, 16, off + i);
            if (p->uflags & MW_HDR_F_8BIT)
                hi = zero;
        }
        if (i + 16 == n)
            return;
    }
}
#else
#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)
#define CRS UINT64_C(0x0d0d0d0d0d0d0d0d)

/* Portable: eight bytes at a time, drop to scan_bytes() only for a word
 * that holds a NUL, a CR or (until the first one is seen) an 8-bit byte.
 * The zero-byte test (v - 0x01..) & ~v & 0x80.. is exact as a yes/no
 * answer. */
static void scan_content(mw_hdr_parser *p, const char *line, size_t n,
                         size_t off)
{
    const unsigned char *s = (const unsigned char *)line;
    size_t i = 0;
    uint64_t hi = (p->uflags & MW_HDR_F_8BIT) ? 0 : HIGHS;

    while (n - i >= 8) {
        uint64_t w, x;
        memcpy(&w, s + i, 8);
        x = w ^ CRS;
        if (((w & hi) | ((w - ONES) & ~w & HIGHS) | ((x - ONES) & ~x & HIGHS))
            != 0) {
            scan_bytes(p, s + i, 8, off + i);
            hi = (p->uflags & MW_HDR_F_8BIT) ? 0 : HIGHS;
        }
        i += 8;
    }
    scan_bytes(p, s + i, n - i, off + i);
}
#endif

#if (defined(__SSE2__) || defined(_M_X64)) && !defined(MW_NO_SIMD)
static unsigned lowest_bit(unsigned m)
{
    unsigned i = 0;
#if defined(__GNUC__)
    i = (unsigned)__builtin_ctz(m);
#else
    while (!(m & 1u)) {
        m >>= 1;
        i++;
    }
#endif
    return i;
}

/* Find the first LF in c[0, n) and, in the same pass, whether the line's
 * content before it (its CRLF's CR excluded) holds a NUL, a CR or an 8-bit
 * byte: *clean = 1 when it holds none. This replaces memchr() plus a second
 * pass over the line on the fast path. *clean = 0 is always safe (the line
 * is then screened exactly by line_done()). */
static const char *find_line(const char *c, size_t n, int *clean)
{
    const __m128i lfv = _mm_set1_epi8('\n'), crv = _mm_set1_epi8('\r');
    const __m128i zero = _mm_setzero_si128(), hi = _mm_set1_epi8((char)0x80);
    unsigned seen = 0, prev = 0; /* specials of earlier blocks / the last */
    size_t i = 0;

    *clean = 0;
    if (n < 16) {
        return n > 0 ? memchr(c, '\n', n) : NULL;
    }
    for (;; i += 16) {
        unsigned skip = 0, mlf, msp;
        __m128i v;
        if (i + 16 > n) {
            if (i == n)
                return NULL;
            skip = (unsigned)(i - (n - 16)); /* bits already looked at */
            i = n - 16;
        }
        v = _mm_loadu_si128((const __m128i *)(const void *)(c + i));
        mlf = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lfv)) >> skip << skip;
        msp = (unsigned)_mm_movemask_epi8(_mm_or_si128(
                  _mm_or_si128(_mm_cmpeq_epi8(v, zero), _mm_cmpeq_epi8(v, crv)),
                  _mm_and_si128(v, hi))) >> skip << skip;
        if (mlf != 0) {
            unsigned at = lowest_bit(mlf);
            msp &= (1u << at) - 1u;
            if (at > 0 && c[i + at - 1] == '\r')
                msp &= ~(1u << (at - 1)); /* CRLF's CR */
            else if (at == 0 && i > 0 && c[i - 1] == '\r')
                prev &= 0x7fffu; /* CRLF's CR, last bit of the last block */
            *clean = (seen | prev | msp) == 0;
            return c + i + at;
        }
        seen |= prev;
        prev = msp;
    }
}
#else
static const char *find_line(const char *c, size_t n, int *clean)
{
    *clean = 0;
    return n > 0 ? memchr(c, '\n', n) : NULL;
}
#endif

/* The current line, ubase[line_off, ulen), is complete: it ends with its
 * LF when `have_eol`, else (end of input) it has no line end. Records the
 * line's flags; `clean` says find_line() already saw that its content has
 * no NUL, CR or 8-bit byte. Returns 1 when the unit is now known to exceed
 * max_field (nothing recorded), else 0. */
static int line_done(mw_hdr_parser *p, int have_eol, int clean)
{
    const char *line = p->ubase + p->line_off;
    size_t n = p->ulen - p->line_off, clen = n, eol = 0;

    if (have_eol) {
        /* The CR right before the LF belongs to the line end (CRLF); a
         * line has at least one byte of content, so it is this line's. */
        eol = (n >= 2 && line[n - 2] == '\r') ? 2u : 1u;
        clen = n - eol;
    }
    if (p->line_off + clen > p->cfg.max_field)
        return 1;
    p->eol = (uint8_t)eol;
    if (p->line_off == 0) {
        p->line1_len = clen;
    } else {
        /* Unfold as the lines arrive (RFC 5322 §2.2.3: remove each line
         * end followed by WSP, i.e. every line end inside the unit): the
         * unfolded copy is the lines' contents end to end, so it costs one
         * memcpy per line and no second search for line ends. It fits:
         * line_off + clen <= max_field was checked above. */
        char *fold = p->buf + p->cfg.max_field + 2u;
        if (!(p->uflags & MW_HDR_F_FOLDED)) {
            memcpy(fold, p->ubase, p->line1_len);
            p->fold_len = p->line1_len;
        }
        memcpy(fold + p->fold_len, line, clen);
        p->fold_len += clen;
        p->uflags |= MW_HDR_F_FOLDED;
        /* A continuation line holds only WSP (RFC 5322 §4.2 obs-FWS) only
         * if its last byte is WSP: test that first, scan only then. */
        if (clen == 0 || is_wsp((unsigned char)line[clen - 1])) {
            size_t i = 0;
            while (i < clen && is_wsp((unsigned char)line[i]))
                i++;
            if (i == clen)
                p->uflags |= MW_HDR_F_OBS_FWS;
        }
    }
    if (eol == 1 && !(p->uflags & MW_HDR_F_BARE_LF)) {
        p->uflags |= MW_HDR_F_BARE_LF;
        p->off_lf = p->ustart + p->ulen - 1;
    }
    if (clen > p->cfg.max_line && !(p->cfg.flags & MW_HDR_LENIENT_LINES)
        && !(p->uflags & MW_HDR_F_LONG_LINE)) {
        p->uflags |= MW_HDR_F_LONG_LINE;
        p->off_long = p->ustart + p->line_off;
    }
    if (!clean)
        scan_content(p, line, clen, p->ustart + p->line_off);
    return 0;
}

/* ---- units -------------------------------------------------------------- */

static void unit_begin(mw_hdr_parser *p, const char *base, size_t start,
                       size_t len, int buffered)
{
    p->ubase = base;
    p->ustart = start;
    p->ulen = len;
    p->line_off = 0;
    p->line1_len = 0;
    p->uflags = 0;
    p->fold_len = 0;
    p->eol = 0;
    p->buffered = (uint8_t)buffered;
}

/* `field-name *WSP ":"` at the start of the first line (RFC 5322 §3.6.8,
 * §4.5 obs-optional). Sets *name_len and *colon (the index where the scan
 * stopped: the colon, or the first offending byte). */
static int field_shape(const unsigned char *u, size_t l1, size_t *name_len,
                       size_t *colon)
{
    size_t i = 0, k;

    while (i + 4 <= l1 && (ftext[u[i]] & ftext[u[i + 1]] & ftext[u[i + 2]]
                           & ftext[u[i + 3]]))
        i += 4;
    while (i < l1 && is_ftext(u[i]))
        i++;
    k = i;
    while (i < l1 && is_wsp(u[i]))
        i++;
    *name_len = k;
    *colon = i;
    return k > 0 && i < l1 && u[i] == ':';
}

/* The mbox envelope line (RFC 4155), accepted only as the input's first
 * line and only when it is not a well-formed field. */
static int is_mbox(const mw_hdr_parser *p, const unsigned char *u, size_t l1)
{
    return (p->cfg.flags & MW_HDR_MBOX_FROM) && p->ustart == 0 && l1 >= 5
           && memcmp(u, "From ", 5) == 0;
}

static int report_too_long(mw_hdr_parser *p)
{
    return emit_defect(p, MW_HDR_D_FIELD_TOO_LONG, MW_E_FIELD_TOO_LONG,
                       p->ustart, "header field longer than max_field; dropped",
                       p->ubase, p->cfg.max_field);
}

/* The unfolded value of a field whose raw body starts at raw_off and is
 * n - raw_off bytes long: for a folded unit the copy line_done() built,
 * else raw itself; SP/HTAB trimmed on both sides. */
static mw_span field_value(mw_hdr_parser *p, size_t raw_off, size_t n)
{
    const char *v, *e;

    if (p->uflags & MW_HDR_F_FOLDED) {
        v = p->buf + p->cfg.max_field + 2u;
        e = v + p->fold_len;
        v += raw_off;
    } else {
        v = p->ubase + raw_off;
        e = p->ubase + n;
    }
    while (v < e && is_wsp((unsigned char)*v))
        v++;
    while (e > v && is_wsp((unsigned char)e[-1]))
        e--;
    return mw__span(v, (size_t)(e - v));
}

/* Deliver the current unit (n content bytes) as a field whose name is its
 * first name_len bytes and whose raw body starts at raw_off. */
static int deliver(mw_hdr_parser *p, size_t n, size_t name_len,
                   size_t raw_off, unsigned extra)
{
    const char *u = p->ubase;
    unsigned fl = p->uflags | extra;
    size_t bad = 0;
    mw_hdr_field f;
    int r;

    if (p->nfields >= p->cfg.max_fields)
        return set_err(p, MW_E_TOO_MANY_FIELDS, p->ustart,
                       "more header fields than max_fields");
    /* RFC 6532 §3.2: 8-bit header text must be UTF-8. */
    if ((fl & MW_HDR_F_8BIT)
        && mw_utf8_check(u + raw_off, n - raw_off, &bad) != MW_OK)
        fl |= MW_HDR_F_BAD_UTF8;
    if (p->cb.defect != NULL) {
        r = 0;
        if (fl & MW_HDR_F_LONG_LINE)
            r = emit_defect(p, MW_HDR_D_LONG_LINE, MW_E_LINE_TOO_LONG,
                            p->off_long, "line longer than max_line", u, n);
        if (r == 0 && (fl & MW_HDR_F_BARE_LF))
            r = emit_defect(p, MW_HDR_D_BARE_LF, MW_E_BARE_LF, p->off_lf,
                            "line ends in a bare LF", u, n);
        if (r == 0 && (fl & MW_HDR_F_BARE_CR))
            r = emit_defect(p, MW_HDR_D_BARE_CR, MW_E_BARE_CR, p->off_cr,
                            "CR not followed by LF", u, n);
        if (r == 0 && (fl & MW_HDR_F_NUL))
            r = emit_defect(p, MW_HDR_D_NUL, MW_E_NUL, p->off_nul,
                            "NUL byte in a header field", u, n);
        if (r == 0 && (fl & MW_HDR_F_BAD_UTF8))
            r = emit_defect(p, MW_HDR_D_BAD_UTF8, MW_E_UTF8,
                            p->ustart + raw_off + bad,
                            "8-bit header text that is not UTF-8", u, n);
        if (r == 0 && (fl & MW_HDR_F_NO_EOL))
            r = emit_defect(p, MW_HDR_D_NO_EOL, MW_E_INCOMPLETE,
                            p->ustart + n,
                            "input ended inside the last header line", u, n);
        if (r < 0)
            return r;
    }
    p->nfields++;
    if (p->cb.field == NULL)
        return 0;
    f.name = mw__span(u, name_len);
    f.raw = mw__span(u + raw_off, n - raw_off);
    f.value = field_value(p, raw_off, n);
    f.offset = p->ustart;
    f.flags = fl;
    p->busy = 1;
    r = p->cb.field(p, p->user, &f);
    p->busy = 0;
    return cb_result(p, r, p->ustart);
}

static int skip_(mw_hdr_parser *p, int kind, size_t off, const char *reason,
                 size_t n)
{
    return emit_defect(p, kind, MW_E_SYNTAX, off, reason, p->ubase, n);
}
#define skip(p, kind, off, reason, n)                                        \
    skip_((p), (kind), (off), MW__TEXT(reason), (n))

/* The current unit is complete (its last line end is p->eol bytes long):
 * deliver it as a field, or report it and skip it. */
static int unit_done(mw_hdr_parser *p)
{
    const unsigned char *u = (const unsigned char *)p->ubase;
    size_t n = p->ulen - p->eol, k, i;

    if (is_wsp(u[0]))
        return skip(p, MW_HDR_D_CONT_FIRST, p->ustart,
                    "continuation line with no field before it", n);
    if (field_shape(u, p->line1_len, &k, &i))
        return deliver(p, n, k, i + 1, i > k ? MW_HDR_F_OBS_WSP : 0u);
    if (is_mbox(p, u, p->line1_len))
        return deliver(p, n, 5, 5, MW_HDR_F_MBOX_FROM);
    if (memchr(u, ':', p->line1_len) != NULL)
        return skip(p, MW_HDR_D_BAD_NAME, p->ustart + i,
                    "invalid header field name", n);
    return skip(p, MW_HDR_D_NO_COLON, p->ustart,
                "header line without a colon", n);
}

/* ---- the feed loop ------------------------------------------------------ */

/*
 * Process s[0, e - s). Returns MW_OK when every byte was consumed and more
 * input is needed, MW_PAUSED or MW_DONE with *used set, or a sticky error.
 * Offsets: byte s[i] is at absolute offset p->pos + i.
 */
static int run(mw_hdr_parser *p, const char *s, const char *e, size_t *used)
{
    const char *c = s;
    const size_t cap = p->cfg.max_field + 2u; /* a unit and its CRLF */
    int r;

#define ABS(ptr) (p->pos + (size_t)((ptr) - s))
    for (;;) {
        switch (p->state) {
        case ST_LINE:
            if (c == e)
                goto more;
            if (*c == '\n') {
                r = header_end(p, c, ABS(c), ABS(c) + 1);
                c++;
                goto out;
            }
            if (*c == '\r') {
                if (e - c < 2) {
                    /* Keep the CR in the state: its next byte decides. */
                    c++;
                    p->state = ST_LINE_CR;
                    goto more;
                }
                if (c[1] == '\n') {
                    r = header_end(p, NULL, 0, ABS(c) + 2);
                    c += 2;
                    goto out;
                }
            }
            unit_begin(p, c, ABS(c), 0, 0);
            p->state = ST_UNIT;
            break;

        case ST_LINE_CR:
            if (c == e)
                goto more;
            if (*c == '\n') {
                r = header_end(p, NULL, 0, ABS(c) + 1);
                c++;
                goto out;
            }
            /* A bare CR starts a unit; that CR came in an earlier chunk. */
            p->buf[0] = '\r';
            unit_begin(p, p->buf, ABS(c) - 1, 1, 1);
            p->state = ST_UNIT;
            break;

        case ST_UNIT: {
            size_t avail = (size_t)(e - c), room = cap - p->ulen, n, k;
            const char *lf;
            int clean;

            /* Never look further than a unit may reach: a line with no LF
             * within max_field + 2 bytes of the unit start is too long. */
            n = avail < room ? avail : room;
            /* A line that starts in this chunk is searched and screened in
             * one pass; the rest of a cut line is screened by line_done(). */
            clean = 0;
            if (p->ulen == p->line_off)
                lf = find_line(c, n, &clean);
            else
                lf = n > 0 ? memchr(c, '\n', n) : NULL;
            if (lf == NULL) {
                if (p->buffered)
                    memcpy(p->buf + p->ulen, c, n);
                p->ulen += n;
                c += n;
                if (n == avail)
                    goto more;
                p->state = ST_DROP;
                if (report_too_long(p) < 0)
                    goto fail;
                break;
            }
            k = (size_t)(lf + 1 - c);
            if (p->buffered)
                memcpy(p->buf + p->ulen, c, k);
            p->ulen += k;
            c = lf + 1;
            if (line_done(p, 1, clean)) {
                p->state = ST_DROP_EOL;
                if (report_too_long(p) < 0)
                    goto fail;
                break;
            }
            p->state = ST_UNIT_EOL;
            if (p->line_off == 0 && is_mbox(p, (const unsigned char *)p->ubase,
                                             p->line1_len)) {
                size_t nl, ci;
                if (!field_shape((const unsigned char *)p->ubase,
                                 p->line1_len, &nl, &ci)) {
                    /* The envelope line is complete at its line end. */
                    p->state = ST_LINE;
                    if (deliver(p, p->ulen - p->eol, 5, 5,
                                MW_HDR_F_MBOX_FROM) < 0)
                        goto fail;
                    if (p->pause)
                        goto paused;
                }
            }
            break;
        }

        case ST_UNIT_EOL:
            if (c == e)
                goto more;
            if (is_wsp((unsigned char)*c)) {
                p->line_off = p->ulen;
                p->state = ST_UNIT;
                break;
            }
            p->state = ST_LINE;
            if (unit_done(p) < 0)
                goto fail;
            if (p->pause)
                goto paused;
            break;

        case ST_DROP: {
            const char *lf = memchr(c, '\n', (size_t)(e - c));
            if (lf == NULL)
                goto more; /* all of the chunk is dropped: *used is e - s */
            c = lf + 1;
            p->state = ST_DROP_EOL;
            break;
        }

        case ST_DROP_EOL:
            if (c == e)
                goto more;
            if (is_wsp((unsigned char)*c)) {
                p->state = ST_DROP;
                break;
            }
            p->state = ST_LINE;
            if (p->pause)
                goto paused;
            break;

        default:
            return set_err(p, MW_E_INTERNAL, ABS(c), "bad parser state");
        }
    }
#undef ABS

more:
    /* The unit goes on in the next chunk: copy what is in this one. */
    if ((p->state == ST_UNIT || p->state == ST_UNIT_EOL) && !p->buffered) {
        memcpy(p->buf, p->ubase, p->ulen);
        p->ubase = p->buf;
        p->buffered = 1;
    }
    *used = (size_t)(e - s);
    return MW_OK;
paused:
    p->pause = 0;
    *used = (size_t)(c - s);
    return MW_PAUSED;
out:
    *used = (size_t)(c - s);
    return r;
fail:
    *used = (size_t)(c - s);
    return p->err;
}

int mw_hdr_parser_feed(mw_hdr_parser *p, const void *in, size_t len,
                       size_t *consumed)
{
    size_t lim, used = 0;
    int r;

    if (consumed != NULL)
        *consumed = 0;
    if (p == NULL || consumed == NULL || (in == NULL && len > 0))
        return MW_E_INVAL;
    if (p->busy)
        return MW_E_STATE;
    if (p->err != 0)
        return p->err;
    if (p->state == ST_DONE)
        return MW_DONE;
    if (len == 0)
        return MW_OK;
    /* Stop at max_header: the header may not need a byte at that offset. */
    lim = p->cfg.max_header - p->pos;
    if (len < lim)
        lim = len;
    r = run(p, (const char *)in, (const char *)in + lim, &used);
    p->pos += used;
    *consumed = used;
    /* Keep no pointer into the caller's chunk, not even a stale one. */
    if (!p->buffered)
        p->ubase = p->buf;
    if (r == MW_OK && lim < len)
        return set_err(p, MW_E_HEADER_TOO_LONG, p->pos,
                       "header longer than max_header");
    return r;
}

int mw_hdr_parser_finish(mw_hdr_parser *p)
{
    int r = 0;

    if (p == NULL)
        return MW_E_INVAL;
    if (p->busy)
        return MW_E_STATE;
    if (p->err != 0)
        return p->err;
    if (p->state == ST_DONE)
        return MW_OK;
    switch (p->state) {
    case ST_LINE_CR:
        /* A lone CR at the very end: a unit of its own (bare CR). */
        p->buf[0] = '\r';
        unit_begin(p, p->buf, p->pos - 1, 1, 1);
        /* fall through */
    case ST_UNIT:
        /* The input ended inside the unit's last line (always buffered
         * here: feed() copies a unit it cannot finish). */
        if (line_done(p, 0, 0)) {
            r = report_too_long(p);
            break;
        }
        p->uflags |= MW_HDR_F_NO_EOL;
        r = unit_done(p);
        break;
    case ST_UNIT_EOL:
        r = unit_done(p);
        break;
    default: /* ST_LINE, ST_DROP, ST_DROP_EOL: nothing pending */
        break;
    }
    p->pause = 0;
    if (r < 0)
        return r;
    r = header_end(p, NULL, 0, p->pos);
    return r == MW_DONE ? MW_OK : r;
}

int mw_hdr_name_is(const mw_hdr_field *f, const char *name)
{
    return f != NULL && name != NULL && mw__span_ieq(f->name, name);
}
