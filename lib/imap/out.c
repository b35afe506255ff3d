/* SPDX-License-Identifier: MIT */
/*
 * The IMAP output builder (lib/imap/grammar.h): appends command and
 * response text to a fixed buffer, and chooses how each string value goes
 * on the wire (atom, quoted string, literal; RFC 9051 §4.3). Errors are
 * sticky so that a formatter can append everything and test once; nothing
 * is ever sent from a buffer whose status is not MW_OK.
 */
#include <string.h>

#include "imap/grammar.h"

/* Longest string sent as a quoted string; longer ones become literals so
 * that no line grows without bound (servers limit lines, RFC 7162 §4). */
#define QUOTED_MAX 1024u

void mw__imap_out_init(mw__imap_out *o, char *buf, size_t cap)
{
    o->buf = buf;
    o->cap = buf != NULL ? cap : 0;
    o->len = 0;
    o->status = MW_OK;
}

static int room(mw__imap_out *o, size_t n)
{
    if (o->status != MW_OK)
        return 0;
    if (n > o->cap - o->len) {
        o->status = MW_E_NOSPACE;
        return 0;
    }
    return 1;
}

void mw__imap_out_raw(mw__imap_out *o, const char *p, size_t n)
{
    if (n == 0 || !room(o, n))
        return;
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

void mw__imap_out_cstr(mw__imap_out *o, const char *s)
{
    mw__imap_out_raw(o, s, strlen(s));
}

void mw__imap_out_char(mw__imap_out *o, char c)
{
    if (!room(o, 1))
        return;
    o->buf[o->len++] = c;
}

void mw__imap_out_u64(mw__imap_out *o, uint64_t v)
{
    char tmp[MW__U64_DIGITS];
    size_t n = mw__fmt_u64(tmp, v); /* the digits first, then the copy */
    mw__imap_out_raw(o, tmp, n);
}

void mw__imap_out_u32(mw__imap_out *o, uint32_t v)
{
    mw__imap_out_u64(o, v);
}

/* Length of a valid UTF-8 sequence at p[0] (>= 0x80), 0 when invalid. */
static size_t utf8_len(const unsigned char *p, const unsigned char *e)
{
    unsigned c = p[0];
    size_t need, i;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if ((size_t)(e - p) <= need || p[1] < lo || p[1] > hi)
        return 0;
    for (i = 2; i <= need; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return need + 1;
}

mw__imap_strform mw__imap_str_form(const char *p, size_t n, unsigned flags)
{
    const unsigned char *q = (const unsigned char *)p;
    const unsigned char *e = q + n;
    unsigned all = 0xFFu;
    int nul = 0, needlit = 0;
    /* One pass: AND of the class bits tells whether every byte is an
     * ASTRING-CHAR / QUOTED; special bytes are looked at one by one. */
    while (q < e) {
        unsigned k = mw__imap_cclass[*q];
        all &= k;
        if (k & MW__IMAP_C_QUOTED) {
            q++;
            continue;
        }
        if (*q == '"' || *q == '\\') {
            q++;
            continue; /* quotable with an escape */
        }
        if (*q == 0) {
            nul = 1;
            q++;
            continue;
        }
        if (*q >= 0x80 && (flags & MW__IMAP_STR_UTF8)) {
            size_t k2 = utf8_len(q, e);
            if (k2 != 0) {
                q += k2;
                continue;
            }
        }
        needlit = 1; /* CR, LF, 8-bit, invalid UTF-8 */
        q++;
    }
    if (nul)
        return MW__IMAP_FORM_LITERAL8;
    if (needlit || n > QUOTED_MAX)
        return MW__IMAP_FORM_LITERAL;
    if ((flags & MW__IMAP_STR_ASTRING) && !(flags & MW__IMAP_STR_NO_ATOM) &&
        n > 0 && (all & MW__IMAP_C_ASTRING) &&
        !(n == 3 && mw__span_ieq(mw__span(p, n), "NIL")))
        return MW__IMAP_FORM_ATOM;
    return MW__IMAP_FORM_QUOTED;
}

static void out_quoted(mw__imap_out *o, const char *p, size_t n)
{
    size_t i, extra = 0;
    char *d;
    for (i = 0; i < n; i++)
        if (p[i] == '"' || p[i] == '\\')
            extra++;
    if (!room(o, n + extra + 2))
        return;
    d = o->buf + o->len;
    *d++ = '"';
    if (extra == 0) {
        memcpy(d, p, n);
        d += n;
    } else {
        for (i = 0; i < n; i++) {
            if (p[i] == '"' || p[i] == '\\')
                *d++ = '\\';
            *d++ = p[i];
        }
    }
    *d++ = '"';
    o->len = (size_t)(d - o->buf);
}

void mw__imap_out_string(mw__imap_out *o, const char *p, size_t n,
                         unsigned flags)
{
    if (o->status != MW_OK)
        return;
    if (p == NULL && n > 0) {
        o->status = MW_E_INVAL;
        return;
    }
    switch (mw__imap_str_form(p, n, flags)) {
    case MW__IMAP_FORM_ATOM:
        mw__imap_out_raw(o, p, n);
        break;
    case MW__IMAP_FORM_QUOTED:
        out_quoted(o, p, n);
        break;
    default:
        o->status = MW_E_INVAL;
        break;
    }
}

void mw__imap_out_nstring(mw__imap_out *o, mw_span s, unsigned flags)
{
    if (s.ptr == NULL) {
        mw__imap_out_raw(o, "NIL", 3);
        return;
    }
    mw__imap_out_string(o, s.ptr, s.len, flags & ~MW__IMAP_STR_ASTRING);
}

void mw__imap_out_nstring_any(mw__imap_out *o, mw_span s, unsigned flags)
{
    mw__imap_strform f;
    if (o->status != MW_OK)
        return;
    if (s.ptr == NULL) {
        mw__imap_out_raw(o, "NIL", 3);
        return;
    }
    f = mw__imap_str_form(s.ptr, s.len, flags & ~MW__IMAP_STR_ASTRING);
    if (f == MW__IMAP_FORM_QUOTED) {
        out_quoted(o, s.ptr, s.len);
        return;
    }
    if (f == MW__IMAP_FORM_LITERAL8) {
        if (!(flags & MW__IMAP_STR_BINARY)) {
            o->status = MW_E_INVAL;
            return;
        }
        mw__imap_out_char(o, '~');
    }
    mw__imap_out_char(o, '{');
    mw__imap_out_u64(o, (uint64_t)s.len);
    mw__imap_out_raw(o, "}\r\n", 3);
    mw__imap_out_raw(o, s.ptr, s.len);
}

void mw__imap_out_seqset(mw__imap_out *o, const mw_imap_seqset *s)
{
    if (s->dollar) {
        mw__imap_out_char(o, '$');
        return;
    }
    if (s->text.len == 0 || s->text.ptr == NULL) {
        if (o->status == MW_OK)
            o->status = MW_E_INVAL;
        return;
    }
    mw__imap_out_raw(o, s->text.ptr, s->text.len);
}

void mw__imap_out_flags(mw__imap_out *o, const mw_imap_flags *f)
{
    size_t i;
    /* The text was validated by the parser, or built by the caller: refuse
     * anything that would break the line. */
    for (i = 0; i < f->text.len; i++) {
        unsigned char c = (unsigned char)f->text.ptr[i];
        if (c == '\r' || c == '\n' || c == 0 || c == '(' || c == ')') {
            if (o->status == MW_OK)
                o->status = MW_E_INVAL;
            return;
        }
    }
    mw__imap_out_char(o, '(');
    mw__imap_out_raw(o, f->text.ptr, f->text.len);
    mw__imap_out_char(o, ')');
}

void mw__imap_out_datetime(mw__imap_out *o, const mw_imap_datetime *d)
{
    char tmp[MW_IMAP_DATETIME_LEN];
    if (o->status != MW_OK)
        return;
    if (mw_imap_datetime_format(d, tmp, sizeof(tmp), NULL) != MW_OK) {
        o->status = MW_E_INVAL;
        return;
    }
    mw__imap_out_char(o, '"');
    mw__imap_out_raw(o, tmp, sizeof(tmp));
    mw__imap_out_char(o, '"');
}

void mw__imap_out_date(mw__imap_out *o, const mw_imap_datetime *d)
{
    char tmp[MW_IMAP_DATE_LEN];
    size_t n = 0;
    if (o->status != MW_OK)
        return;
    if (mw_imap_date_format(d, tmp, sizeof(tmp), &n) != MW_OK) {
        o->status = MW_E_INVAL;
        return;
    }
    mw__imap_out_raw(o, tmp, n);
}
