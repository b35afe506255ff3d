/* SPDX-License-Identifier: MIT */
/*
 * RFC 2047 encoded words and the decoding of header text for display:
 * unstructured values (§5(1)), comments (§5(2)) and phrases (§5(3)); see
 * hdr_decode.h.
 *
 * How a value is decoded without a heap and in one pass: an "emitter"
 * writes the output left to right into the caller's buffer. A run of
 * adjacent encoded words in one charset (only white space between them) is
 * decoded to raw bytes straight into the output buffer at the current
 * position, and converted to UTF-8 in place when the run ends; joining the
 * run's bytes first is what puts back a character some mail programs split
 * over two words (RFC 2047 §5 forbids the split, real mail has it). The
 * white space between two adjacent words is not written unless the second
 * word turns out to be undecodable, in which case it is written together
 * with the word as it stood (RFC 2047 §6.2 and §6.3). If a run does not
 * convert as a whole, its words are converted one by one (a second pass
 * over the run's bytes, so every byte is read a bounded number of times).
 */
#include "hdr_internal.h"
#include "lex.h"
#include "mailwire/codec.h"

/* ---- characters -------------------------------------------------------- */

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 2047 §2 token: any CHAR except SPACE, CTLs and especials. */
static int is_token(unsigned char c)
{
    return (mw__lex_scan[c] & MW__S_EW_TOKEN) != 0;
}


static int span_ieq2(mw_span a, mw_span b)
{
    size_t i;
    if (a.len != b.len)
        return 0;
    for (i = 0; i < a.len; i++)
        if (mw__lower((unsigned char)a.ptr[i]) != mw__lower((unsigned char)b.ptr[i]))
            return 0;
    return 1;
}

/* ---- the encoded-word grammar ----------------------------------------- */

/*
 * Parse an encoded word at p, reading no further than end:
 *   "=?" charset ["*" language] "?" encoding "?" encoded-text "?="
 * (RFC 2047 §2, RFC 2231 §5). encoded-text is printable ASCII except '?'
 * (and, in a comment, except "(", ")" and '"', §5(2)); it may be empty here
 * (flagged). Returns the end of the word, or NULL when there is none.
 * Reads at most up to the third '?' after p, which keeps repeated attempts
 * ("=?=?=?...") linear overall.
 */
static const char *ew_parse(const char *p, const char *end, int comment,
                            mw_hdr_ew_segment *seg)
{
    const char *s = p, *cs, *star = NULL, *enc, *txt;

    if (end - p < 2 || p[0] != '=' || p[1] != '?')
        return NULL;
    p += 2;
    cs = p;
    while (p < end && is_token((unsigned char)*p)) {
        if (*p == '*') {
            if (star != NULL)
                return NULL; /* "*" inside the language */
            star = p;
        }
        p++;
    }
    if (p == cs || p >= end || *p != '?')
        return NULL;
    if (star != NULL && (star == cs || star + 1 == p))
        return NULL; /* empty charset or empty language */
    seg->charset = mw__span(cs, (size_t)((star ? star : p) - cs));
    seg->language = star ? mw__span(star + 1, (size_t)(p - star - 1))
                         : mw__span(NULL, 0);
    enc = ++p;
    while (p < end && is_token((unsigned char)*p))
        p++;
    if (p == enc || p >= end || *p != '?')
        return NULL;
    txt = ++p;
    if (!comment) {
        /* printable ASCII but '?': what may stand before the closing "?=" */
        while (p < end && (mw__lex_scan[(unsigned char)*p] & MW__S_EW_TEXT))
            p++;
        if (p < end && *p != '?')
            return NULL;
    } else {
        while (p < end && *p != '?') {
            unsigned char c = (unsigned char)*p;
            if (c <= 0x20 || c >= 0x7f)
                return NULL;
            if (c == '(' || c == ')' || c == '"')
                return NULL;
            p++;
        }
    }
    if (end - p < 2 || p[1] != '=')
        return NULL;
    seg->text = mw__span(txt, (size_t)(p - txt));
    p += 2;

    seg->kind = MW_HDR_SEG_WORD;
    seg->raw = mw__span(s, (size_t)(p - s));
    seg->flags = 0;
    if (txt - 1 - enc == 1) {
        unsigned char c = (unsigned char)*enc;
        seg->encoding = (char)((c >= 'a' && c <= 'z') ? c - 32 : c);
        if (seg->encoding != 'B' && seg->encoding != 'Q')
            seg->flags |= MW_HDR_EW_BAD_ENCODING;
    } else {
        seg->encoding = 0;
        seg->flags |= MW_HDR_EW_BAD_ENCODING;
    }
    if (seg->raw.len > MW_HDR_EW_MAX_LEN)
        seg->flags |= MW_HDR_EW_TOO_LONG;
    if (seg->text.len == 0)
        seg->flags |= MW_HDR_EW_EMPTY;
    else if (seg->encoding == 'B' && seg->text.len % 4 != 0)
        seg->flags |= MW_HDR_EW_UNPADDED;
    return p;
}

/* ---- the segment iterator ---------------------------------------------- */

static void iter_range(mw_hdr_ew_iter *it, const char *base, const char *start,
                       const char *end, unsigned flags)
{
    it->base_ = base;
    it->start_ = start;
    it->p_ = start;
    it->end_ = end;
    it->flags_ = flags;
    it->prev_word_ = 0;
}

size_t mw_hdr_ew_iter_sizeof(void)
{
    return sizeof(mw_hdr_ew_iter);
}

void mw_hdr_ew_iter_init(mw_hdr_ew_iter *it, const char *value, size_t len,
                         unsigned flags)
{
    if (it == NULL)
        return;
    if (value == NULL) {
        value = "";
        len = 0;
    }
    iter_range(it, value, value, value + len, flags);
}

static int iter_delim(const mw_hdr_ew_iter *it, unsigned char c)
{
    return is_ws(c) ||
           ((it->flags_ & MW_HDR_DECODE_COMMENT) && (c == '(' || c == ')'));
}

/* End of the token (run of non-delimiters) at q; in a comment a backslash
 * takes the next byte with it (quoted-pair). */
static const char *token_end(const mw_hdr_ew_iter *it, const char *q)
{
    int comment = (it->flags_ & MW_HDR_DECODE_COMMENT) != 0;
    if (!comment) {
        while (q < it->end_ && !(mw__lex_scan[(unsigned char)*q] & MW__S_FWS))
            q++;
        return q;
    }
    while (q < it->end_ && !iter_delim(it, (unsigned char)*q)) {
        if (comment && *q == '\\' && it->end_ - q > 1)
            q++;
        q++;
    }
    return q;
}

/* An encoded word at q as the iterator's mode allows it: the whole token
 * (RFC 2047 §5), or anywhere with MW_HDR_DECODE_GLUED. */
static const char *word_at(const mw_hdr_ew_iter *it, const char *q,
                           mw_hdr_ew_segment *seg)
{
    int comment = (it->flags_ & MW_HDR_DECODE_COMMENT) != 0;
    const char *e;

    if (it->end_ - q < 2 || q[0] != '=' || q[1] != '?')
        return NULL;
    if (it->flags_ & MW_HDR_DECODE_GLUED) {
        e = ew_parse(q, it->end_, comment, seg);
        if (e == NULL)
            return NULL;
        if (!(q == it->start_ || iter_delim(it, (unsigned char)q[-1])) ||
            !(e == it->end_ || iter_delim(it, (unsigned char)*e)))
            seg->flags |= MW_HDR_EW_GLUED;
        return e;
    }
    {
        const char *t = token_end(it, q);
        e = ew_parse(q, t, comment, seg);
        return e == t ? e : NULL;
    }
}

int mw_hdr_ew_next(mw_hdr_ew_iter *it, mw_hdr_ew_segment *seg)
{
    const char *start, *x, *e;

    if (it == NULL || seg == NULL)
        return MW_E_INVAL;
    if (it->p_ >= it->end_)
        return MW_DONE;
    memset(seg, 0, sizeof(*seg));

    /* After a word: is the next token another word, with only white space
     * between (RFC 2047 §6.2)? */
    if (it->prev_word_) {
        const char *q = it->p_;
        while (q < it->end_ && is_ws((unsigned char)*q))
            q++;
        if (q < it->end_ && (e = word_at(it, q, seg)) != NULL) {
            seg->adjacent = 1;
            seg->ws_between = mw__span(it->p_, (size_t)(q - it->p_));
            seg->offset = (size_t)(q - it->base_);
            it->p_ = e;
            return MW_OK;
        }
        memset(seg, 0, sizeof(*seg));
        it->prev_word_ = 0;
    }

    /* Text up to the next word, or a word right here. */
    start = x = it->p_;
    e = NULL;
    if (it->flags_ & MW_HDR_DECODE_GLUED) {
        int comment = (it->flags_ & MW_HDR_DECODE_COMMENT) != 0;
        while (x < it->end_) {
            if (comment && *x == '\\') {
                x += (it->end_ - x > 1) ? 2 : 1;
                continue;
            }
            if (*x == '=' && (e = word_at(it, x, seg)) != NULL)
                break;
            x++;
        }
    } else if (!(it->flags_ & MW_HDR_DECODE_COMMENT)) {
        /* Unstructured text: a word is a whole token, delimited by white
         * space, and starts with '='. Going from one '=' to the next finds
         * the same first word as going token by token, with the C
         * library's memchr doing the walking. (In a comment a backslash
         * can hide a delimiter, so tokens are walked below.) */
        for (;;) {
            const char *q = memchr(x, '=', (size_t)(it->end_ - x));
            if (q == NULL) {
                x = it->end_;
                break;
            }
            if ((q == start || is_ws((unsigned char)q[-1])) &&
                (e = word_at(it, q, seg)) != NULL) {
                x = q;
                break;
            }
            x = q + 1;
        }
    } else {
        while (x < it->end_) {
            if (iter_delim(it, (unsigned char)*x)) {
                x++;
                continue;
            }
            if (*x == '=' && (e = word_at(it, x, seg)) != NULL)
                break;
            x = token_end(it, x);
        }
    }
    if (e != NULL && x == start) {
        seg->offset = (size_t)(x - it->base_);
        it->p_ = e;
        it->prev_word_ = 1;
        return MW_OK;
    }
    /* Text; a word found after it is found again by the next call. */
    memset(seg, 0, sizeof(*seg));
    seg->kind = MW_HDR_SEG_TEXT;
    seg->raw = mw__span(start, (size_t)(x - start));
    seg->offset = (size_t)(start - it->base_);
    it->p_ = x;
    return MW_OK;
}

/* ---- decoding one word to bytes ---------------------------------------- */

/* Decode seg's encoded text to out (cap bytes). On MW_E_ENCODED_WORD,
 * *eoff is the offset of the problem from the start of the word. Problems
 * in the text are reported before a lack of space. */
static int ew_bytes(const mw_hdr_ew_segment *seg, char *out, size_t cap,
                    size_t *outlen, size_t *eoff, const char **reason)
{
    size_t toff = (size_t)(seg->text.ptr - seg->raw.ptr);
    const char *t = seg->text.ptr;
    size_t i, n = seg->text.len, o = 0;

    *outlen = 0;
    if (seg->encoding == 'B') {
        mw_error e;
        size_t ol = 0;
        int rc;
        e.offset = 0;
        e.reason = NULL;
        /* RFC 2047 §4.1 is RFC 2045 base64 with its padding; missing
         * padding is common and harmless, so the lenient decoder is used
         * (the text holds no white space for it to skip). */
        rc = mw_base64_decode(t, n, out, cap, &ol, MW_BASE64_LENIENT, &e);
        if (rc == MW_OK) {
            *outlen = ol;
            return MW_OK;
        }
        if (rc == MW_E_NOSPACE)
            return MW_E_NOSPACE;
        *eoff = toff + (rc == MW_E_BASE64 ? e.offset : 0);
        *reason = (rc == MW_E_BASE64 && e.reason != NULL)
                      ? e.reason
                      : MW__TEXT("invalid base64 in encoded word");
        return MW_E_ENCODED_WORD;
    }
    if (seg->encoding == 'Q') {
        /* RFC 2047 §4.2. Lower-case hex is accepted (§4.2(1) only says
         * upper case "should" be used). */
        for (i = 0; i < n; i++) {
            unsigned char c = (unsigned char)t[i];
            if (c == '_') {
                c = 0x20;
            } else if (c == '=') {
                int hi = (n - i > 2) ? mw__hexval((unsigned char)t[i + 1]) : -1;
                int lo = (n - i > 2) ? mw__hexval((unsigned char)t[i + 2]) : -1;
                if (hi < 0 || lo < 0) {
                    *eoff = toff + i;
                    *reason = MW__TEXT("'=' not followed by two hex digits in Q encoded word");
                    return MW_E_ENCODED_WORD;
                }
                c = (unsigned char)(hi * 16 + lo);
                i += 2;
            }
            if (o < cap)
                out[o] = (char)c;
            o++;
        }
        if (o > cap)
            return MW_E_NOSPACE;
        *outlen = o;
        return MW_OK;
    }
    /* The encoding token sits just before "?" encoded-text. */
    {
        const char *q = seg->text.ptr - 1; /* the '?' */
        while (q > seg->raw.ptr && q[-1] != '?')
            q--;
        *eoff = (size_t)(q - seg->raw.ptr);
    }
    *reason = MW__TEXT("unknown encoding in encoded word (not B or Q)");
    return MW_E_ENCODED_WORD;
}

int mw_hdr_ew_decode(const mw_hdr_ew_segment *seg, char *out, size_t cap,
                     size_t *outlen, mw_error *err)
{
    size_t ol = 0, eoff = 0;
    const char *reason = NULL;
    char dummy;
    int rc;

    if (seg == NULL || seg->kind != MW_HDR_SEG_WORD ||
        (out == NULL && cap > 0) || (seg->text.ptr == NULL && seg->text.len > 0))
        return mw__fail(err, MW_E_INVAL, 0, "not an encoded word segment");
    if (out == NULL)
        out = &dummy;
    rc = ew_bytes(seg, out, cap, &ol, &eoff, &reason);
    if (rc == MW_E_NOSPACE)
        return mw__fail(err, rc, seg->offset, "output buffer too small");
    if (rc != MW_OK)
        return mw__fail(err, rc, seg->offset + eoff, reason);
    if (outlen != NULL)
        *outlen = ol;
    return MW_OK;
}

/* ---- the emitter ------------------------------------------------------- */

enum { CP_LITERAL, CP_UNFOLD, CP_QUOTED };

typedef struct emitter {
    char *out;
    size_t cap, pos;
    const char *base; /* offsets count from here */
    const char *vend; /* end of the value: limit of the unfolding look-ahead */
    unsigned flags;
    mw_hdr_charset_fn hook;
    void *user;
    int single_sep;   /* phrase: a separator is one space */
    int nogroup;      /* converting a failed run word by word */
    int last_decoded; /* the last thing written was a decoded word */

    /* The open run of adjacent words in one charset: decoded bytes at
     * out[pos, pos + glen), source from gstart to gend. */
    int gopen;
    mw_span gcharset;
    const char *gstart, *gend;
    size_t glen, gcount;
    mw_span glead;     /* separator before the run, not written yet */
    int glead_pending; /* ... and written only if the run fails */

    int code; /* first recoverable problem */
    size_t off;
    const char *reason;
    int stop; /* MW_E_NOSPACE or MW_E_CALLBACK: output incomplete */
    size_t stop_off;
} emitter;

static void em_init(emitter *m, const char *base, const char *vend,
                    const mw_hdr_decode_opts *opts, char *out, size_t cap)
{
    memset(m, 0, sizeof(*m));
    m->out = out;
    m->cap = cap;
    m->base = base;
    m->vend = vend;
    if (opts != NULL) {
        m->flags = opts->flags;
        m->hook = opts->hook;
        m->user = opts->user;
    }
}

static void em_problem(emitter *m, int code, size_t off, const char *reason)
{
    if (m->code == 0 || off < m->off) {
        m->code = code;
        m->off = off;
        m->reason = reason;
    }
}

static void em_stop(emitter *m, int code, const char *at)
{
    if (m->stop == 0) {
        m->stop = code;
        m->stop_off = (size_t)(at - m->base);
    }
}

/* Replace CR, LF and NUL with spaces (MW_HDR_DECODE_SAFE). */
static void em_scrub(emitter *m, size_t from)
{
    size_t i;
    if (!(m->flags & MW_HDR_DECODE_SAFE))
        return;
    for (i = from; i < m->pos; i++)
        if (m->out[i] == '\r' || m->out[i] == '\n' || m->out[i] == '\0')
            m->out[i] = ' ';
}

/* How many bytes from p come before the first CR or LF (n when none).
 * Short runs, such as the white space between words, are scanned here;
 * long ones by mw__find_cr_or_lf() with the C library's memchr. */
static size_t plain_run(const char *p, size_t n)
{
    size_t i;
    if (n >= 32)
        return mw__find_cr_or_lf(p, n);
    for (i = 0; i < n && p[i] != '\r' && p[i] != '\n'; i++)
        ;
    return i;
}

/* Copy source bytes to the output: as they are, unfolded (a CRLF or LF
 * before a space or tab, or at the end of the value, is dropped: RFC 5322
 * §2.2.3), or unfolded with quoted-pairs resolved (§3.2.1). */
static void em_put(emitter *m, const char *p, size_t n, int mode)
{
    const char *end, *vend = m->vend;
    size_t from = m->pos;

    if (m->stop || n == 0)
        return;
    end = p + n;
    while (p < end) {
        char c;
        /* Bytes copied as they stand go in one memcpy: all of them as
         * they are, those before the next CR or LF when unfolding. */
        if (mode != CP_QUOTED) {
            size_t run = (size_t)(end - p), room = m->cap - m->pos;
            if (mode == CP_UNFOLD)
                run = plain_run(p, run);
            if (run > room) {
                memcpy(m->out + m->pos, p, room);
                m->pos += room;
                em_stop(m, MW_E_NOSPACE, p + room);
                break;
            }
            memcpy(m->out + m->pos, p, run);
            m->pos += run;
            p += run;
            if (p == end)
                break;
        }
        c = *p;
        if (mode != CP_LITERAL) {
            if (c == '\r' && end - p > 1 && p[1] == '\n' &&
                (vend - p == 2 || p[2] == ' ' || p[2] == '\t')) {
                p += 2;
                continue;
            }
            if (c == '\n' && (vend - p == 1 || p[1] == ' ' || p[1] == '\t')) {
                p++;
                continue;
            }
            if (mode == CP_QUOTED && c == '\\' && end - p > 1) {
                p++;
                c = *p;
            }
        }
        if (m->pos == m->cap) {
            em_stop(m, MW_E_NOSPACE, p);
            break;
        }
        m->out[m->pos++] = c;
        p++;
    }
    em_scrub(m, from);
}

/* A separator: raw white space (unfolded), or in a phrase one space. */
static void em_sep(emitter *m, mw_span sep)
{
    if (sep.len == 0)
        return;
    if (!m->single_sep) {
        em_put(m, sep.ptr, sep.len, CP_UNFOLD);
        return;
    }
    /* One space for the whole separator; when it does not fit, the stop
     * offset is the separator's place in the input (the space written
     * comes from no input byte). */
    if (m->stop)
        return;
    if (m->pos == m->cap) {
        em_stop(m, MW_E_NOSPACE, sep.ptr);
        return;
    }
    m->out[m->pos++] = ' ';
}

static const char *problem_reason(int rc)
{
    switch (rc) {
    case MW_E_CHARSET:
        return MW__TEXT("unknown charset in encoded word");
    case MW_E_UTF8:
        return MW__TEXT("encoded word is not valid in its charset");
    default:
        return MW__TEXT("charset hook could not convert the encoded word");
    }
}

static void em_word(emitter *m, const mw_hdr_ew_segment *seg, mw_span sep,
                    int adjacent);

/* End the open run: convert its bytes in place, or fall back. */
static void em_flush(emitter *m)
{
    size_t ol = 0;
    int rc;

    if (!m->gopen || m->stop)
        return;
    m->gopen = 0;
    rc = mw__hdr_to_utf8_inplace(m->gcharset, m->out + m->pos, m->glen,
                                 m->cap - m->pos, &ol, m->hook, m->user);
    if (rc == MW_OK) {
        size_t from = m->pos;
        m->pos += ol;
        em_scrub(m, from);
        m->last_decoded = 1;
        return;
    }
    if (rc == MW_E_NOSPACE || rc == MW_E_CALLBACK) {
        em_stop(m, rc, m->gstart);
        return;
    }
    if (m->gcount == 1) {
        /* Undecodable: the word stays as it stood (RFC 2047 §6.3) and
         * counts as text, so the white space before it is kept. */
        if (m->glead_pending)
            em_sep(m, m->glead);
        em_put(m, m->gstart, (size_t)(m->gend - m->gstart), CP_LITERAL);
        em_problem(m, rc, (size_t)(m->gstart - m->base), problem_reason(rc));
        m->last_decoded = 0;
        m->glead_pending = 0;
        return;
    }
    /* The joined bytes do not convert: convert word by word. The run holds
     * only words and the white space between them, so the glued-mode
     * iterator finds exactly those words again. */
    {
        mw_hdr_ew_iter sub;
        mw_hdr_ew_segment s;
        mw_span lead = m->glead;
        int lead_pending = m->glead_pending, first = 1;

        iter_range(&sub, m->base, m->gstart, m->gend, MW_HDR_DECODE_GLUED);
        m->nogroup = 1;
        while (!m->stop && mw_hdr_ew_next(&sub, &s) == MW_OK) {
            if (s.kind != MW_HDR_SEG_WORD) { /* cannot happen */
                em_put(m, s.raw.ptr, s.raw.len, CP_UNFOLD);
                m->last_decoded = 0;
                continue;
            }
            if (first)
                em_word(m, &s, lead_pending ? lead : mw__span(NULL, 0),
                        lead_pending);
            else
                em_word(m, &s, s.ws_between, 1);
            first = 0;
        }
        m->nogroup = 0;
    }
}

/* Text: ends any run and is written with the separator before it. */
static void em_text(emitter *m, const char *p, size_t n, mw_span sep, int mode)
{
    em_flush(m);
    em_sep(m, sep);
    em_put(m, p, n, mode);
    m->last_decoded = 0;
    m->glead_pending = 0;
}

/* Something that separates words without being written (a comment, the
 * edge of a quoted string): no run or white-space dropping across it. */
static void em_break(emitter *m)
{
    em_flush(m);
    m->last_decoded = 0;
    m->glead_pending = 0;
}

/*
 * An encoded word. `sep` is what stood between it and the previous thing
 * written; `adjacent` says the previous thing may have been an encoded word
 * with only white space between (then `sep` is dropped if both decode).
 */
static void em_word(emitter *m, const mw_hdr_ew_segment *seg, mw_span sep,
                    int adjacent)
{
    size_t at, n = 0, eoff = 0;
    const char *reason = NULL;
    int rc, join;

    if (m->stop)
        return;
    join = m->gopen && adjacent && !m->nogroup &&
           span_ieq2(m->gcharset, seg->charset);
    if (!join) {
        em_flush(m);
        if (m->stop)
            return;
        if (adjacent && m->last_decoded) {
            m->glead = sep; /* dropped if this word decodes */
            m->glead_pending = 1;
        } else {
            em_sep(m, sep);
            m->glead_pending = 0;
            if (m->stop)
                return;
        }
    }
    at = m->pos + (join ? m->glen : 0);
    rc = ew_bytes(seg, m->out + at, m->cap - at, &n, &eoff, &reason);
    if (rc == MW_E_NOSPACE) {
        em_stop(m, rc, seg->raw.ptr);
        return;
    }
    if (rc != MW_OK) {
        /* Malformed: written as it stood, as text. */
        if (join) {
            em_flush(m);
            em_sep(m, sep);
        } else if (m->glead_pending) {
            em_sep(m, m->glead);
        }
        em_put(m, seg->raw.ptr, seg->raw.len, CP_LITERAL);
        em_problem(m, rc, (size_t)(seg->raw.ptr - m->base) + eoff, reason);
        m->last_decoded = 0;
        m->glead_pending = 0;
        return;
    }
    if (join) {
        m->glen += n;
        m->gcount++;
        m->gend = seg->raw.ptr + seg->raw.len;
    } else {
        m->gopen = 1;
        m->gcharset = seg->charset;
        m->gstart = seg->raw.ptr;
        m->gend = seg->raw.ptr + seg->raw.len;
        m->glen = n;
        m->gcount = 1;
    }
    if (m->nogroup)
        em_flush(m);
}

static int em_finish(emitter *m, size_t *outlen, mw_error *err)
{
    em_flush(m);
    if (outlen != NULL)
        *outlen = m->pos;
    if (m->stop)
        return mw__fail(err, m->stop, m->stop_off,
                        m->stop == MW_E_NOSPACE
                            ? "output buffer too small"
                            : "charset hook failed");
    if (m->code != 0)
        return mw__fail(err, m->code, m->off, m->reason);
    return MW_OK;
}

/* ---- whole values ------------------------------------------------------ */

/* Unstructured text and comments: the iterator does the tokenising. */
static int decode_text(const char *value, size_t len,
                       const mw_hdr_decode_opts *opts, unsigned ctx,
                       char *out, size_t cap, size_t *outlen, mw_error *err)
{
    emitter m;
    mw_hdr_ew_iter it;
    mw_hdr_ew_segment seg;
    const char *start, *end;
    unsigned flags = opts ? opts->flags : 0u;
    int text_mode = (ctx & MW_HDR_DECODE_COMMENT) ? CP_QUOTED : CP_UNFOLD;
    char dummy;

    if (outlen != NULL)
        *outlen = 0;
    if ((value == NULL && len > 0) || (out == NULL && cap > 0))
        return mw__fail(err, MW_E_INVAL, 0, "NULL buffer with a non-zero length");
    if (value == NULL)
        value = "";
    if (out == NULL)
        out = &dummy;
    start = value;
    end = value + len;
    if (flags & MW_HDR_DECODE_TRIM) {
        while (start < end && is_ws((unsigned char)*start))
            start++;
        while (end > start && is_ws((unsigned char)end[-1]))
            end--;
    }
    em_init(&m, value, end, opts, out, cap);
    iter_range(&it, value, start, end, (flags & MW_HDR_DECODE_GLUED) | ctx);
    while (!m.stop && mw_hdr_ew_next(&it, &seg) == MW_OK) {
        if (seg.kind == MW_HDR_SEG_TEXT)
            em_text(&m, seg.raw.ptr, seg.raw.len, mw__span(NULL, 0), text_mode);
        else
            em_word(&m, &seg, seg.ws_between, seg.adjacent);
    }
    return em_finish(&m, outlen, err);
}

int mw_hdr_decode_unstructured(const char *value, size_t len,
                               const mw_hdr_decode_opts *opts, char *out,
                               size_t cap, size_t *outlen, mw_error *err)
{
    return decode_text(value, len, opts, 0u, out, cap, outlen, err);
}

int mw_hdr_decode_comment(const char *raw, size_t len,
                          const mw_hdr_decode_opts *opts, char *out,
                          size_t cap, size_t *outlen, mw_error *err)
{
    return decode_text(raw, len, opts, MW_HDR_DECODE_COMMENT, out, cap, outlen,
                       err);
}

/* Phrase, lenient: a run of atext in which encoded words may sit anywhere
 * (and may hold specials in their text). */
static const char *phrase_glued_run(emitter *m, const char *p, const char *end,
                                    mw_span sep)
{
    const char *run = p, *ts = p;
    mw_hdr_ew_segment seg;

    memset(&seg, 0, sizeof(seg));
    while (p < end) {
        const char *e;
        if (*p == '=' && (e = ew_parse(p, end, 0, &seg)) != NULL) {
            const char *q;
            int exact = (p == run) && (e == end || !mw__is((unsigned char)*e, MW__C_ATEXT));
            for (q = p; exact && q < e; q++)
                exact = mw__is((unsigned char)*q, MW__C_ATEXT);
            if (!exact)
                seg.flags |= MW_HDR_EW_GLUED;
            if (p > ts) {
                em_text(m, ts, (size_t)(p - ts), sep, CP_LITERAL);
                sep = mw__span(NULL, 0);
            }
            seg.offset = (size_t)(p - m->base);
            em_word(m, &seg, sep, 1);
            sep = mw__span(NULL, 0);
            p = ts = e;
            continue;
        }
        if (!mw__is((unsigned char)*p, MW__C_ATEXT))
            break;
        p++;
    }
    if (p > ts)
        em_text(m, ts, (size_t)(p - ts), sep, CP_LITERAL);
    return p;
}

int mw_hdr_decode_phrase(const char *raw, size_t len,
                         const mw_hdr_decode_opts *opts, char *out, size_t cap,
                         size_t *outlen, mw_error *err)
{
    emitter m;
    mw__lex lx;
    unsigned flags = opts ? opts->flags : 0u;
    int first = 1;
    char dummy;

    if (outlen != NULL)
        *outlen = 0;
    if ((raw == NULL && len > 0) || (out == NULL && cap > 0))
        return mw__fail(err, MW_E_INVAL, 0, "NULL buffer with a non-zero length");
    if (raw == NULL)
        raw = "";
    if (out == NULL)
        out = &dummy;
    em_init(&m, raw, raw + len, opts, out, cap);
    m.single_sep = 1;
    mw__lex_init(&lx, raw, len);

    while (!m.stop) {
        const char *before = lx.p;
        mw_span sep;
        int c;

        /* RFC 5322 §3.2.2: CFWS between tokens reads as one space; a
         * comment also ends any run of adjacent encoded words. */
        lx.flags &= ~MW__LEX_COMMENT;
        /* Errors are kept in lx and reported below. A comment nested too
         * deeply has been skipped as a whole: go on skipping after it. */
        while (mw__lex_cfws(&lx) == MW_E_DEPTH)
            ;
        if (mw__lex_eof(&lx))
            break;
        if (lx.flags & MW__LEX_COMMENT)
            em_break(&m);
        /* The separator as it stood; single_sep writes it as one space. */
        sep = (!first && lx.p != before) ? mw__span(before, (size_t)(lx.p - before))
                                         : mw__span(NULL, 0);
        first = 0;
        c = mw__lex_peek(&lx);

        if (c == '"') {
            const char *qs = lx.p, *cs, *ce;
            mw_span q;
            if (mw__lex_quoted(&lx, &q) == 1) {
                cs = q.ptr + 1;
                ce = q.ptr + q.len - 1;
            } else {
                cs = qs + 1; /* not closed: the rest is its content */
                ce = lx.end;
                lx.p = lx.end;
            }
            if (flags & MW_HDR_DECODE_QUOTED) {
                /* Lenient: treat the content like unstructured text. */
                mw_hdr_ew_iter it;
                mw_hdr_ew_segment seg;
                em_text(&m, NULL, 0, sep, CP_LITERAL);
                m.single_sep = 0;
                iter_range(&it, raw, cs, ce, flags & MW_HDR_DECODE_GLUED);
                while (!m.stop && mw_hdr_ew_next(&it, &seg) == MW_OK) {
                    if (seg.kind == MW_HDR_SEG_TEXT)
                        em_text(&m, seg.raw.ptr, seg.raw.len, mw__span(NULL, 0),
                                CP_QUOTED);
                    else
                        em_word(&m, &seg, seg.ws_between, seg.adjacent);
                }
                em_break(&m);
                m.single_sep = 1;
            } else {
                /* RFC 2047 §5(3): no encoded words inside quotes. */
                em_text(&m, cs, (size_t)(ce - cs), sep, CP_QUOTED);
            }
        } else if (mw__is((unsigned char)c, MW__C_ATEXT)) {
            if (flags & MW_HDR_DECODE_GLUED) {
                lx.p = phrase_glued_run(&m, lx.p, lx.end, sep);
            } else {
                mw_span a;
                mw_hdr_ew_segment seg;
                (void)mw__lex_atom(&lx, &a);
                memset(&seg, 0, sizeof(seg));
                if (ew_parse(a.ptr, a.ptr + a.len, 0, &seg) == a.ptr + a.len) {
                    seg.offset = (size_t)(a.ptr - raw);
                    em_word(&m, &seg, sep, 1);
                } else {
                    em_text(&m, a.ptr, a.len, sep, CP_LITERAL);
                }
            }
        } else if (c == '.') {
            /* obs-phrase (RFC 5322 §4.1): "John Q. Public". */
            em_text(&m, lx.p, 1, sep, CP_LITERAL);
            lx.p++;
        } else {
            em_problem(&m, MW_E_SYNTAX, mw__lex_off(&lx),
                       MW__TEXT("character that cannot start a word in a phrase"));
            em_text(&m, lx.p, 1, sep, CP_LITERAL);
            lx.p++;
        }
    }
    if (lx.err != 0)
        em_problem(&m, lx.err, lx.err_off, lx.err_reason);
    return em_finish(&m, outlen, err);
}
