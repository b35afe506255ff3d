/* SPDX-License-Identifier: MIT */
/*
 * IMAP client command formatting, part 1: the argument writers (strings as
 * atom, quoted string or literal; mailbox names in modified UTF-7 or
 * UTF-8; sequence sets, flags, dates checked against their grammar) and
 * the builders of sequence sets, search programs and FETCH items
 * (RFC 9051 §9, RFC 3501 §9). Nothing here can produce invalid syntax:
 * every value is checked or encoded, and CR, LF and NUL never reach the
 * wire outside a literal (field-notes §4.3).
 */
#include <string.h>

#include "imap/client_int.h"
#include "mailwire/codec.h"

/* Upper bound of a mod-sequence value (RFC 7162 §7: 63-bit). */
#define MODSEQ_MAX 0x7FFFFFFFFFFFFFFFull

static int utf8_on(const mw_imap_client *c)
{
    return (c->enabled & (MW_IMAP_CLIENT_ENABLED_UTF8 |
                          MW_IMAP_CLIENT_ENABLED_IMAP4REV2)) != 0;
}

static void set_err(mw__imap_out *o, int status)
{
    if (o->status == MW_OK)
        o->status = status;
}

static int all_class(const char *p, size_t n, unsigned mask)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!(mw__imap_cclass[(unsigned char)p[i]] & mask))
            return 0;
    return 1;
}

static int is_nil(const char *p, size_t n)
{
    return n == 3 && mw__span_ieq(mw__span(p, n), "NIL");
}

/* ---- strings ---------------------------------------------------------- */

void mw__imapc_literal(mw_imap_client *c, mw__imap_out *o, const char *p,
                       size_t n)
{
    /* RFC 9051 §4.3 literal; RFC 7888 "{n+}" when the server allows. */
    mw__imap_out_char(o, '{');
    mw__imap_out_u64(o, (uint64_t)n);
    if (mw__imapc_nonsync(c, (uint64_t)n))
        mw__imap_out_char(o, '+');
    mw__imap_out_raw(o, "}\r\n", 3);
    mw__imap_out_raw(o, p, n);
}

void mw__imapc_string(mw_imap_client *c, mw__imap_out *o, const char *p,
                      size_t n, unsigned sflags)
{
    if (o->status != MW_OK)
        return;
    if (p == NULL && n > 0) {
        set_err(o, MW_E_INVAL);
        return;
    }
    if (n > 0 && memchr(p, 0, n) != NULL) {
        set_err(o, MW_E_INVAL); /* no literal of IMAP may hold NUL */
        return;
    }
    if (utf8_on(c))
        sflags |= MW__IMAP_STR_UTF8;
    switch (mw__imap_str_form(p, n, sflags)) {
    case MW__IMAP_FORM_ATOM:
    case MW__IMAP_FORM_QUOTED:
        mw__imap_out_string(o, p, n, sflags);
        break;
    case MW__IMAP_FORM_LITERAL:
        mw__imapc_literal(c, o, p, n);
        break;
    default:
        set_err(o, MW_E_INVAL);
        break;
    }
}

/* Bytes that modified UTF-7 must encode: everything outside printable
 * US-ASCII, and "&" (RFC 3501 §5.1.3). Control characters are refused
 * before this is asked. */
static int needs_mutf7(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch > 0x7E || ch == '&')
            return 1;
    }
    return 0;
}

/* Encode p as modified UTF-7 straight into the output buffer (one byte
 * after the current end, leaving room for an opening quote), then give it
 * its form in place: an atom, a quoted string (escapes inserted from the
 * right), or a literal (the text moved right by the announcement). */
static void put_mutf7(mw_imap_client *c, mw__imap_out *o, const char *p,
                      size_t n, unsigned cls)
{
    size_t start = o->len, m = 0, e = 0, i;
    char *enc;
    int r;
    if (o->cap - start < 2) {
        set_err(o, MW_E_NOSPACE);
        return;
    }
    r = mw_imap_mutf7_encode(p, n, o->buf + start + 1, o->cap - start - 1,
                             &m, NULL);
    if (r != MW_OK) {
        set_err(o, r == MW_E_NOSPACE ? MW_E_NOSPACE : MW_E_UTF8);
        return;
    }
    enc = o->buf + start + 1;
    if (m > 0 && all_class(enc, m, cls) && !is_nil(enc, m)) {
        memmove(o->buf + start, enc, m);
        o->len = start + m;
        return;
    }
    for (i = 0; i < m; i++)
        if (enc[i] == '"' || enc[i] == '\\')
            e++;
    if (m <= 1024u) {
        size_t need = m + e + 2u, j;
        if (need > o->cap - start) {
            set_err(o, MW_E_NOSPACE);
            return;
        }
        i = m;
        j = m + e;
        while (i > 0) {
            char ch = enc[--i];
            enc[--j] = ch;
            if (ch == '"' || ch == '\\')
                enc[--j] = '\\';
        }
        o->buf[start] = '"';
        o->buf[start + 1 + m + e] = '"';
        o->len = start + need;
        return;
    }
    {
        char hdr[32];
        mw__imap_out h;
        mw__imap_out_init(&h, hdr, sizeof hdr);
        mw__imap_out_char(&h, '{');
        mw__imap_out_u64(&h, (uint64_t)m);
        if (mw__imapc_nonsync(c, (uint64_t)m))
            mw__imap_out_char(&h, '+');
        mw__imap_out_raw(&h, "}\r\n", 3);
        if (h.len + m > o->cap - start) {
            set_err(o, MW_E_NOSPACE);
            return;
        }
        memmove(o->buf + start + h.len, enc, m);
        memcpy(o->buf + start, hdr, h.len);
        o->len = start + h.len + m;
    }
}

void mw__imapc_mailbox(mw_imap_client *c, mw__imap_out *o, const char *p,
                       size_t n, int pattern)
{
    unsigned cls = pattern ? MW__IMAP_C_LISTMB : MW__IMAP_C_ASTRING;
    int raw = ((c->flags >> MW__IMAPC_CFG_SHIFT) &
               MW_IMAP_CLIENT_MAILBOX_RAW) != 0;
    if (o->status != MW_OK)
        return;
    if (p == NULL && n > 0) {
        set_err(o, MW_E_INVAL);
        return;
    }
    /* No mailbox name holds control characters (RFC 9051 §5.1; RFC 6855
     * §3 asks Net-Unicode of UTF-8 names): CR, LF and NUL least of all. */
    {
        size_t i;
        for (i = 0; i < n; i++) {
            unsigned char ch = (unsigned char)p[i];
            if (ch < 0x20 || ch == 0x7F) {
                set_err(o, MW_E_INVAL);
                return;
            }
        }
    }
    if (!raw && !utf8_on(c) && needs_mutf7(p, n)) {
        put_mutf7(c, o, p, n, cls);
        return;
    }
    if (!raw && utf8_on(c) && mw_utf8_check(p, n, NULL) != MW_OK) {
        set_err(o, MW_E_UTF8);
        return;
    }
    if (pattern && n > 0 && all_class(p, n, cls) && !is_nil(p, n)) {
        mw__imap_out_raw(o, p, n); /* list-mailbox: 1*list-char */
        return;
    }
    mw__imapc_string(c, o, p, n, MW__IMAP_STR_ASTRING);
}

void mw__imapc_atom(mw__imap_out *o, const char *p, size_t n)
{
    if (o->status != MW_OK)
        return;
    if (p == NULL || n == 0 || !all_class(p, n, MW__IMAP_C_ATOM)) {
        set_err(o, MW_E_INVAL);
        return;
    }
    mw__imap_out_raw(o, p, n);
}

/* ---- sequence sets ---------------------------------------------------- */

/* seq-number = nz-number / "*" at p[*i]; nz-number fits 32 bits. */
static int seq_number(const char *p, size_t n, size_t *i)
{
    uint64_t v = 0;
    size_t k = *i;
    if (k < n && p[k] == '*') {
        *i = k + 1;
        return 1;
    }
    if (k >= n || p[k] < '1' || p[k] > '9')
        return 0;
    while (k < n && p[k] >= '0' && p[k] <= '9') {
        v = v * 10u + (uint64_t)(p[k] - '0');
        if (v > UINT32_MAX)
            return 0;
        k++;
    }
    *i = k;
    return 1;
}

int mw__imapc_seqset_ok(const mw_imap_seqset *s)
{
    const char *p;
    size_t n, i = 0;
    if (s == NULL)
        return 0;
    if (s->dollar)
        return 1;
    p = s->text.ptr;
    n = s->text.len;
    if (p == NULL || n == 0)
        return 0;
    if (n == 1 && p[0] == '$')
        return 1;
    for (;;) {
        if (!seq_number(p, n, &i))
            return 0;
        if (i < n && p[i] == ':') {
            i++;
            if (!seq_number(p, n, &i))
                return 0;
        }
        if (i == n)
            return 1;
        if (p[i] != ',')
            return 0;
        i++;
    }
}

void mw__imapc_seqset(mw__imap_out *o, const mw_imap_seqset *s)
{
    if (o->status != MW_OK)
        return;
    if (!mw__imapc_seqset_ok(s)) {
        set_err(o, MW_E_INVAL);
        return;
    }
    if (s->dollar)
        mw__imap_out_char(o, '$');
    else
        mw__imap_out_raw(o, s->text.ptr, s->text.len);
}

void mw_imap_seqbuf_init(mw_imap_seqbuf *sb, char *buf, size_t cap)
{
    if (sb == NULL)
        return;
    memset(sb, 0, sizeof(*sb));
    sb->buf = buf;
    sb->cap = buf != NULL ? cap : 0;
}

static int seqbuf_put(mw_imap_seqbuf *sb, uint32_t lo, uint32_t hi)
{
    char tmp[24];
    mw__imap_out o;
    mw__imap_out_init(&o, tmp, sizeof tmp);
    if (sb->len > 0)
        mw__imap_out_char(&o, ',');
    /* Ascending, "*" last: some servers refuse "5:2" (field-notes §3). */
    if (lo == MW_IMAP_STAR && hi != MW_IMAP_STAR) {
        lo = hi;
        hi = MW_IMAP_STAR;
    } else if (lo != MW_IMAP_STAR && hi != MW_IMAP_STAR && lo > hi) {
        uint32_t t = lo;
        lo = hi;
        hi = t;
    }
    if (lo == MW_IMAP_STAR)
        mw__imap_out_char(&o, '*');
    else
        mw__imap_out_u32(&o, lo);
    if (hi != lo) {
        mw__imap_out_char(&o, ':');
        if (hi == MW_IMAP_STAR)
            mw__imap_out_char(&o, '*');
        else
            mw__imap_out_u32(&o, hi);
    }
    if (o.len > sb->cap - sb->len) {
        sb->status = MW_E_NOSPACE;
        return MW_E_NOSPACE;
    }
    memcpy(sb->buf + sb->len, tmp, o.len);
    sb->len += o.len;
    sb->ranges++;
    return MW_OK;
}

static int seqbuf_flush(mw_imap_seqbuf *sb)
{
    if (!sb->run_open)
        return MW_OK;
    sb->run_open = 0;
    return seqbuf_put(sb, sb->run_lo, sb->run_hi);
}

int mw_imap_seqbuf_add(mw_imap_seqbuf *sb, uint32_t lo, uint32_t hi)
{
    if (sb == NULL)
        return MW_E_INVAL;
    if (sb->status != MW_OK)
        return sb->status;
    if (seqbuf_flush(sb) != MW_OK)
        return sb->status;
    return seqbuf_put(sb, lo, hi);
}

int mw_imap_seqbuf_num(mw_imap_seqbuf *sb, uint32_t num)
{
    if (sb == NULL)
        return MW_E_INVAL;
    if (sb->status != MW_OK)
        return sb->status;
    if (num == 0) {
        sb->status = MW_E_INVAL;
        return MW_E_INVAL;
    }
    if (sb->run_open && sb->run_hi != UINT32_MAX && num == sb->run_hi + 1u) {
        sb->run_hi = num;
        return MW_OK;
    }
    if (seqbuf_flush(sb) != MW_OK)
        return sb->status;
    sb->run_open = 1;
    sb->run_lo = sb->run_hi = num;
    return MW_OK;
}

int mw_imap_seqbuf_get(mw_imap_seqbuf *sb, mw_imap_seqset *out)
{
    size_t i;
    if (sb == NULL || out == NULL)
        return MW_E_INVAL;
    if (sb->status == MW_OK)
        (void)seqbuf_flush(sb);
    if (sb->status != MW_OK)
        return sb->status;
    if (sb->len == 0) {
        sb->status = MW_E_INVAL;
        return MW_E_INVAL;
    }
    memset(out, 0, sizeof(*out));
    out->text = mw__span(sb->buf, sb->len);
    out->ranges = sb->ranges;
    for (i = 0; i < sb->len; i++)
        if (sb->buf[i] == '*')
            out->has_star = 1;
    return MW_OK;
}

void mw_imap_seqset_all(mw_imap_seqset *out)
{
    if (out == NULL)
        return;
    memset(out, 0, sizeof(*out));
    out->text = mw__span("1:*", 3);
    out->ranges = 1;
    out->has_star = 1;
}

void mw_imap_seqset_saved(mw_imap_seqset *out)
{
    if (out == NULL)
        return;
    memset(out, 0, sizeof(*out));
    out->dollar = 1;
}

/* ---- flags and dates -------------------------------------------------- */

static int keyword_ok(const char *k)
{
    size_t n;
    if (k == NULL)
        return 0;
    n = strlen(k);
    /* flag-keyword = atom; flag-extension = "\" atom (RFC 9051 §9). */
    if (n > 0 && k[0] == '\\')
        return n > 1 && all_class(k + 1, n - 1, MW__IMAP_C_ATOM);
    return n > 0 && all_class(k, n, MW__IMAP_C_ATOM);
}

void mw__imapc_flags(mw__imap_out *o, const mw_imap_flag_set *f)
{
    static const struct {
        unsigned bit;
        const char *name;
    } sys[] = {{MW_IMAP_FLAG_SEEN, "\\Seen"},
               {MW_IMAP_FLAG_ANSWERED, "\\Answered"},
               {MW_IMAP_FLAG_FLAGGED, "\\Flagged"},
               {MW_IMAP_FLAG_DELETED, "\\Deleted"},
               {MW_IMAP_FLAG_DRAFT, "\\Draft"}};
    size_t i;
    int any = 0;
    const unsigned allowed = MW_IMAP_FLAG_SEEN | MW_IMAP_FLAG_ANSWERED |
                             MW_IMAP_FLAG_FLAGGED | MW_IMAP_FLAG_DELETED |
                             MW_IMAP_FLAG_DRAFT;
    if (o->status != MW_OK)
        return;
    if ((f->system & ~allowed) != 0 ||
        (f->keywords == NULL && f->nkeywords > 0)) {
        set_err(o, MW_E_INVAL);
        return;
    }
    mw__imap_out_char(o, '(');
    for (i = 0; i < sizeof sys / sizeof sys[0]; i++) {
        if (f->system & sys[i].bit) {
            if (any)
                mw__imap_out_char(o, ' ');
            mw__imap_out_cstr(o, sys[i].name);
            any = 1;
        }
    }
    for (i = 0; i < f->nkeywords; i++) {
        if (!keyword_ok(f->keywords[i])) {
            set_err(o, MW_E_INVAL);
            return;
        }
        if (any)
            mw__imap_out_char(o, ' ');
        mw__imap_out_cstr(o, f->keywords[i]);
        any = 1;
    }
    mw__imap_out_char(o, ')');
}

/* ---- the search program builder --------------------------------------- */

#define Q_PAREN 0xFFu

enum { QK_NONE = 0, QK_FLAG, QK_STRING, QK_KEYWORD, QK_OBJID, QK_DATE,
       QK_NUM64, QK_NZ, QK_MODSEQ, QK_NUM };

/* Every key with its name and argument kind: a table searched in order
 * (smaller than a switch; query building is not a hot path). */
static const struct {
    unsigned char key, kind;
    const char *name;
} query_keys[] = {
    {MW_IMAP_QUERY_ALL, QK_FLAG, "ALL"},
    {MW_IMAP_QUERY_ANSWERED, QK_FLAG, "ANSWERED"},
    {MW_IMAP_QUERY_DELETED, QK_FLAG, "DELETED"},
    {MW_IMAP_QUERY_DRAFT, QK_FLAG, "DRAFT"},
    {MW_IMAP_QUERY_FLAGGED, QK_FLAG, "FLAGGED"},
    {MW_IMAP_QUERY_NEW, QK_FLAG, "NEW"},
    {MW_IMAP_QUERY_OLD, QK_FLAG, "OLD"},
    {MW_IMAP_QUERY_RECENT, QK_FLAG, "RECENT"},
    {MW_IMAP_QUERY_SEEN, QK_FLAG, "SEEN"},
    {MW_IMAP_QUERY_UNANSWERED, QK_FLAG, "UNANSWERED"},
    {MW_IMAP_QUERY_UNDELETED, QK_FLAG, "UNDELETED"},
    {MW_IMAP_QUERY_UNDRAFT, QK_FLAG, "UNDRAFT"},
    {MW_IMAP_QUERY_UNFLAGGED, QK_FLAG, "UNFLAGGED"},
    {MW_IMAP_QUERY_UNSEEN, QK_FLAG, "UNSEEN"},
    {MW_IMAP_QUERY_SAVEDATESUPPORTED, QK_FLAG, "SAVEDATESUPPORTED"},
    {MW_IMAP_QUERY_BCC, QK_STRING, "BCC"},
    {MW_IMAP_QUERY_BODY, QK_STRING, "BODY"},
    {MW_IMAP_QUERY_CC, QK_STRING, "CC"},
    {MW_IMAP_QUERY_FROM, QK_STRING, "FROM"},
    {MW_IMAP_QUERY_SUBJECT, QK_STRING, "SUBJECT"},
    {MW_IMAP_QUERY_TEXT, QK_STRING, "TEXT"},
    {MW_IMAP_QUERY_TO, QK_STRING, "TO"},
    {MW_IMAP_QUERY_X_GM_RAW, QK_STRING, "X-GM-RAW"},
    {MW_IMAP_QUERY_KEYWORD, QK_KEYWORD, "KEYWORD"},
    {MW_IMAP_QUERY_UNKEYWORD, QK_KEYWORD, "UNKEYWORD"},
    {MW_IMAP_QUERY_EMAILID, QK_OBJID, "EMAILID"},
    {MW_IMAP_QUERY_THREADID, QK_OBJID, "THREADID"},
    {MW_IMAP_QUERY_BEFORE, QK_DATE, "BEFORE"},
    {MW_IMAP_QUERY_ON, QK_DATE, "ON"},
    {MW_IMAP_QUERY_SINCE, QK_DATE, "SINCE"},
    {MW_IMAP_QUERY_SENTBEFORE, QK_DATE, "SENTBEFORE"},
    {MW_IMAP_QUERY_SENTON, QK_DATE, "SENTON"},
    {MW_IMAP_QUERY_SENTSINCE, QK_DATE, "SENTSINCE"},
    {MW_IMAP_QUERY_SAVEDBEFORE, QK_DATE, "SAVEDBEFORE"},
    {MW_IMAP_QUERY_SAVEDON, QK_DATE, "SAVEDON"},
    {MW_IMAP_QUERY_SAVEDSINCE, QK_DATE, "SAVEDSINCE"},
    {MW_IMAP_QUERY_LARGER, QK_NUM64, "LARGER"},
    {MW_IMAP_QUERY_SMALLER, QK_NUM64, "SMALLER"},
    {MW_IMAP_QUERY_OLDER, QK_NZ, "OLDER"},
    {MW_IMAP_QUERY_YOUNGER, QK_NZ, "YOUNGER"},
    {MW_IMAP_QUERY_MODSEQ, QK_MODSEQ, "MODSEQ"},
    {MW_IMAP_QUERY_X_GM_MSGID, QK_NUM, "X-GM-MSGID"},
    {MW_IMAP_QUERY_X_GM_THRID, QK_NUM, "X-GM-THRID"},
};

static const char *query_name(int key, int *kind)
{
    size_t i;
    for (i = 0; i < sizeof(query_keys) / sizeof(query_keys[0]); i++) {
        if (query_keys[i].key == key) {
            *kind = query_keys[i].kind;
            return query_keys[i].name;
        }
    }
    *kind = QK_NONE;
    return NULL;
}

void mw_imap_query_init(mw_imap_query *q, char *buf, size_t cap)
{
    if (q == NULL)
        return;
    memset(q, 0, sizeof(*q));
    q->buf = buf;
    q->cap = buf != NULL ? cap : 0;
}

static void q_out(mw_imap_query *q, mw__imap_out *o)
{
    o->buf = q->buf;
    o->cap = q->cap;
    o->len = q->len;
    o->status = q->status;
}

/* Keep what was written if it all fitted; on error the builder's text
 * stays as it was and the error is sticky. */
static int q_done(mw_imap_query *q, const mw__imap_out *o)
{
    if (o->status != MW_OK) {
        q->status = o->status;
        return q->status;
    }
    q->len = o->len;
    q->open = 0;
    return MW_OK;
}

/* Separator before a new token: none at the start or right after "(".
 * (Not decided by the last byte: a literal's content may end in "(".) */
static void q_sep(const mw_imap_query *q, mw__imap_out *o)
{
    if (q->len > 0 && !q->open)
        mw__imap_out_char(o, ' ');
}

/* A complete search key was written: it fills an operand slot. */
static void q_operand(mw_imap_query *q)
{
    while (q->depth > 0) {
        unsigned d = q->depth - 1u;
        if (q->need[d] == Q_PAREN) {
            q->got[d]++;
            return;
        }
        if (--q->need[d] > 0)
            return;
        q->depth--; /* NOT x / OR x y is complete: an operand itself */
    }
    q->keys++;
}

static int q_fail(mw_imap_query *q, int status)
{
    if (q->status == MW_OK)
        q->status = status;
    return q->status;
}

static int q_pre(mw_imap_query *q)
{
    if (q == NULL)
        return MW_E_INVAL;
    return q->status;
}

/* A search string: quoted (as the RFC examples write it) or, when it
 * holds CR, LF, 8-bit bytes or is long, a literal written in its
 * synchronising form; the command makes it LITERAL+ when allowed. */
static void q_string(mw_imap_query *q, mw__imap_out *o, const char *s,
                     size_t n)
{
    if (s == NULL && n > 0) {
        set_err(o, MW_E_INVAL);
        return;
    }
    if (n > 0 && memchr(s, 0, n) != NULL) {
        set_err(o, MW_E_INVAL);
        return;
    }
    switch (mw__imap_str_form(s, n, MW__IMAP_STR_NO_ATOM)) {
    case MW__IMAP_FORM_QUOTED:
        mw__imap_out_string(o, s, n, MW__IMAP_STR_NO_ATOM);
        break;
    default: {
        size_t i;
        mw__imap_out_char(o, '{');
        mw__imap_out_u64(o, (uint64_t)n);
        mw__imap_out_raw(o, "}\r\n", 3);
        mw__imap_out_raw(o, s, n);
        for (i = 0; i < n; i++)
            if ((unsigned char)s[i] >= 0x80)
                q->utf8 = 1;
        break;
    }
    }
}

int mw_imap_query_key(mw_imap_query *q, int key)
{
    mw__imap_out o;
    int kind, r = q_pre(q);
    const char *name = query_name(key, &kind);
    if (r != MW_OK)
        return r;
    if (name == NULL || kind != QK_FLAG)
        return q_fail(q, MW_E_INVAL);
    q_out(q, &o);
    q_sep(q, &o);
    mw__imap_out_cstr(&o, name);
    if ((r = q_done(q, &o)) == MW_OK)
        q_operand(q);
    return r;
}

static int objid_ok(const char *s, size_t n)
{
    size_t i;
    /* objectid = 1*255(ALPHA / DIGIT / "_" / "-") (RFC 8474 §4). */
    if (s == NULL || n == 0 || n > 255)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
              (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

int mw_imap_query_string(mw_imap_query *q, int key, const char *s, size_t n)
{
    mw__imap_out o;
    int kind, r = q_pre(q);
    const char *name = query_name(key, &kind);
    if (r != MW_OK)
        return r;
    if (name == NULL ||
        (kind != QK_STRING && kind != QK_KEYWORD && kind != QK_OBJID))
        return q_fail(q, MW_E_INVAL);
    if (kind == QK_KEYWORD &&
        (s == NULL || n == 0 || !all_class(s, n, MW__IMAP_C_ATOM)))
        return q_fail(q, MW_E_INVAL);
    if (kind == QK_OBJID && !objid_ok(s, n))
        return q_fail(q, MW_E_INVAL);
    q_out(q, &o);
    q_sep(q, &o);
    mw__imap_out_cstr(&o, name);
    mw__imap_out_char(&o, ' ');
    if (kind == QK_STRING)
        q_string(q, &o, s, n);
    else
        mw__imap_out_raw(&o, s, n);
    if ((r = q_done(q, &o)) == MW_OK)
        q_operand(q);
    return r;
}

int mw_imap_query_header(mw_imap_query *q, const char *name, size_t nlen,
                         const char *value, size_t vlen)
{
    mw__imap_out o;
    size_t i;
    int r = q_pre(q);
    if (r != MW_OK)
        return r;
    /* field-name = 1*ftext; ftext = %d33-57 / %d59-126 (RFC 5322 §3.6.8) */
    if (name == NULL || nlen == 0)
        return q_fail(q, MW_E_INVAL);
    for (i = 0; i < nlen; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch < 33 || ch > 126 || ch == ':')
            return q_fail(q, MW_E_INVAL);
    }
    q_out(q, &o);
    q_sep(q, &o);
    mw__imap_out_raw(&o, "HEADER ", 7);
    mw__imap_out_string(&o, name, nlen, MW__IMAP_STR_ASTRING);
    mw__imap_out_char(&o, ' ');
    q_string(q, &o, value, vlen);
    if ((r = q_done(q, &o)) == MW_OK)
        q_operand(q);
    return r;
}

int mw_imap_query_date(mw_imap_query *q, int key, const mw_imap_datetime *d)
{
    mw__imap_out o;
    char tmp[MW_IMAP_DATE_LEN];
    int kind, r = q_pre(q);
    const char *name = query_name(key, &kind);
    if (r != MW_OK)
        return r;
    if (name == NULL || kind != QK_DATE ||
        mw_imap_date_format(d, tmp, sizeof tmp, NULL) != MW_OK)
        return q_fail(q, MW_E_INVAL);
    q_out(q, &o);
    q_sep(q, &o);
    mw__imap_out_cstr(&o, name);
    mw__imap_out_char(&o, ' ');
    mw__imap_out_date(&o, d);
    if ((r = q_done(q, &o)) == MW_OK)
        q_operand(q);
    return r;
}

int mw_imap_query_number(mw_imap_query *q, int key, uint64_t n)
{
    mw__imap_out o;
    int kind, r = q_pre(q);
    const char *name = query_name(key, &kind);
    if (r != MW_OK)
        return r;
    if (name == NULL)
        return q_fail(q, MW_E_INVAL);
    switch (kind) {
    case QK_NUM64: /* number64 (RFC 9051 §9) */
    case QK_MODSEQ: /* mod-sequence-valzer (RFC 7162 §7) */
        if (n > MODSEQ_MAX)
            return q_fail(q, MW_E_INVAL);
        break;
    case QK_NZ: /* nz-number (RFC 5032) */
        if (n == 0 || n > UINT32_MAX)
            return q_fail(q, MW_E_INVAL);
        break;
    case QK_NUM: /* Gmail's 64-bit ids */
        break;
    default:
        return q_fail(q, MW_E_INVAL);
    }
    q_out(q, &o);
    q_sep(q, &o);
    mw__imap_out_cstr(&o, name);
    mw__imap_out_char(&o, ' ');
    mw__imap_out_u64(&o, n);
    if ((r = q_done(q, &o)) == MW_OK)
        q_operand(q);
    return r;
}

int mw_imap_query_set(mw_imap_query *q, int uid, const mw_imap_seqset *set)
{
    mw__imap_out o;
    int r = q_pre(q);
    if (r != MW_OK)
        return r;
    if (!mw__imapc_seqset_ok(set))
        return q_fail(q, MW_E_INVAL);
    q_out(q, &o);
    q_sep(q, &o);
    if (uid)
        mw__imap_out_raw(&o, "UID ", 4);
    mw__imapc_seqset(&o, set);
    if ((r = q_done(q, &o)) == MW_OK)
        q_operand(q);
    return r;
}

static int q_push(mw_imap_query *q, unsigned char need, const char *tok)
{
    mw__imap_out o;
    int r = q_pre(q);
    if (r != MW_OK)
        return r;
    if (q->depth >= MW_IMAP_QUERY_DEPTH) {
        q->status = MW_E_DEPTH;
        return MW_E_DEPTH;
    }
    q_out(q, &o);
    q_sep(q, &o);
    mw__imap_out_cstr(&o, tok);
    if ((r = q_done(q, &o)) != MW_OK)
        return r;
    q->need[q->depth] = need;
    q->got[q->depth] = 0;
    q->depth++;
    q->open = need == Q_PAREN;
    return MW_OK;
}

int mw_imap_query_not(mw_imap_query *q)
{
    return q_push(q, 1, "NOT");
}

int mw_imap_query_or(mw_imap_query *q)
{
    return q_push(q, 2, "OR");
}

int mw_imap_query_open(mw_imap_query *q)
{
    return q_push(q, Q_PAREN, "(");
}

int mw_imap_query_close(mw_imap_query *q)
{
    mw__imap_out o;
    int r = q_pre(q);
    if (r != MW_OK)
        return r;
    if (q->depth == 0 || q->need[q->depth - 1u] != Q_PAREN ||
        q->got[q->depth - 1u] == 0)
        return q_fail(q, MW_E_INVAL);
    q_out(q, &o);
    mw__imap_out_char(&o, ')');
    if ((r = q_done(q, &o)) != MW_OK)
        return r;
    q->depth--;
    q_operand(q);
    return MW_OK;
}

int mw__imapc_query_complete(const mw_imap_query *q)
{
    return q != NULL && q->status == MW_OK && q->depth == 0 && q->keys > 0;
}

void mw__imapc_query(mw_imap_client *c, mw__imap_out *o,
                     const mw_imap_query *q)
{
    const char *p = q->buf;
    size_t n = q->len, i = 0;
    /* The builder wrote literals as "{n}" CRLF bytes; every LF in its text
     * outside literal contents is such an announcement's. */
    while (i < n && o->status == MW_OK) {
        const char *lf = (const char *)memchr(p + i, '\n', n - i);
        size_t k, j, size = 0, mul = 1;
        if (lf == NULL) {
            mw__imap_out_raw(o, p + i, n - i);
            return;
        }
        k = (size_t)(lf - p);
        j = k - 2; /* the "}" */
        while (j > 0 && p[j - 1] >= '0' && p[j - 1] <= '9') {
            size += (size_t)(p[j - 1] - '0') * mul;
            mul *= 10u;
            j--;
        }
        mw__imap_out_raw(o, p + i, j - i); /* "... {" and the digits */
        mw__imap_out_raw(o, p + j, k - 2 - j);
        if (mw__imapc_nonsync(c, (uint64_t)size))
            mw__imap_out_char(o, '+');
        mw__imap_out_raw(o, "}\r\n", 3);
        mw__imap_out_raw(o, p + k + 1, size);
        i = k + 1 + size;
    }
}

/* ---- the FETCH item builder ------------------------------------------- */

void mw_imap_items_init(mw_imap_items *it, char *buf, size_t cap)
{
    if (it == NULL)
        return;
    memset(it, 0, sizeof(*it));
    it->buf = buf;
    it->cap = buf != NULL ? cap : 0;
}

static const char *item_name(int item)
{
    switch (item) {
    case MW_IMAP_ITEM_ALL: return "ALL";
    case MW_IMAP_ITEM_FAST: return "FAST";
    case MW_IMAP_ITEM_FULL: return "FULL";
    case MW_IMAP_ITEM_FLAGS: return "FLAGS";
    case MW_IMAP_ITEM_UID: return "UID";
    case MW_IMAP_ITEM_INTERNALDATE: return "INTERNALDATE";
    case MW_IMAP_ITEM_RFC822_SIZE: return "RFC822.SIZE";
    case MW_IMAP_ITEM_ENVELOPE: return "ENVELOPE";
    case MW_IMAP_ITEM_BODY: return "BODY";
    case MW_IMAP_ITEM_BODYSTRUCTURE: return "BODYSTRUCTURE";
    case MW_IMAP_ITEM_RFC822: return "RFC822";
    case MW_IMAP_ITEM_RFC822_HEADER: return "RFC822.HEADER";
    case MW_IMAP_ITEM_RFC822_TEXT: return "RFC822.TEXT";
    case MW_IMAP_ITEM_MODSEQ: return "MODSEQ";
    case MW_IMAP_ITEM_EMAILID: return "EMAILID";
    case MW_IMAP_ITEM_THREADID: return "THREADID";
    case MW_IMAP_ITEM_SAVEDATE: return "SAVEDATE";
    case MW_IMAP_ITEM_PREVIEW: return "PREVIEW";
    case MW_IMAP_ITEM_PREVIEW_LAZY: return "PREVIEW (LAZY)";
    case MW_IMAP_ITEM_X_GM_MSGID: return "X-GM-MSGID";
    case MW_IMAP_ITEM_X_GM_THRID: return "X-GM-THRID";
    case MW_IMAP_ITEM_X_GM_LABELS: return "X-GM-LABELS";
    default: return NULL;
    }
}

static int it_fail(mw_imap_items *it, int status)
{
    if (it->status == MW_OK)
        it->status = status;
    return it->status;
}

static int it_put(mw_imap_items *it, const mw__imap_out *o)
{
    if (o->status != MW_OK)
        return it_fail(it, o->status);
    it->len = o->len;
    it->count++;
    return MW_OK;
}

int mw_imap_items_add(mw_imap_items *it, int item)
{
    mw__imap_out o;
    const char *name;
    int macro = item == MW_IMAP_ITEM_ALL || item == MW_IMAP_ITEM_FAST ||
                item == MW_IMAP_ITEM_FULL;
    if (it == NULL)
        return MW_E_INVAL;
    if (it->status != MW_OK)
        return it->status;
    name = item_name(item);
    /* fetch = ... SP ("ALL" / "FULL" / "FAST" / fetch-att /
     * "(" fetch-att *(SP fetch-att) ")"): a macro stands alone. */
    if (name == NULL || it->macro || (macro && it->count > 0))
        return it_fail(it, MW_E_INVAL);
    o.buf = it->buf;
    o.cap = it->cap;
    o.len = it->len;
    o.status = MW_OK;
    if (it->count > 0)
        mw__imap_out_char(&o, ' ');
    mw__imap_out_cstr(&o, name);
    if (it_put(it, &o) != MW_OK)
        return it->status;
    if (macro)
        it->macro = 1;
    return MW_OK;
}

int mw_imap_items_section(mw_imap_items *it, const mw_imap_section *s)
{
    static const char *const names[] = {"BODY", "BODY.PEEK", "BINARY",
                                        "BINARY.PEEK", "BINARY.SIZE"};
    mw__imap_out o;
    size_t i;
    int binary;
    if (it == NULL || s == NULL)
        return MW_E_INVAL;
    if (it->status != MW_OK)
        return it->status;
    if (it->macro || s->item < MW_IMAP_SECT_BODY ||
        s->item > MW_IMAP_SECT_BINARY_SIZE || s->text < MW_IMAP_SECT_ALL ||
        s->text > MW_IMAP_SECT_MIME || s->nparts > 64 ||
        (s->part == NULL && s->nparts > 0))
        return it_fail(it, MW_E_INVAL);
    binary = s->item >= MW_IMAP_SECT_BINARY;
    /* section-binary = "[" [section-part] "]" (RFC 3516 §4.1) */
    if (binary && s->text != MW_IMAP_SECT_ALL)
        return it_fail(it, MW_E_INVAL);
    if (s->text == MW_IMAP_SECT_MIME && s->nparts == 0)
        return it_fail(it, MW_E_INVAL); /* section-text "MIME" follows a part */
    if ((s->text == MW_IMAP_SECT_FIELDS ||
         s->text == MW_IMAP_SECT_FIELDS_NOT) &&
        (s->fields == NULL || s->nfields == 0))
        return it_fail(it, MW_E_INVAL);
    if (s->partial &&
        (s->item == MW_IMAP_SECT_BINARY_SIZE || s->length == 0))
        return it_fail(it, MW_E_INVAL);
    for (i = 0; i < s->nparts; i++)
        if (s->part[i] == 0)
            return it_fail(it, MW_E_INVAL);
    o.buf = it->buf;
    o.cap = it->cap;
    o.len = it->len;
    o.status = MW_OK;
    if (it->count > 0)
        mw__imap_out_char(&o, ' ');
    mw__imap_out_cstr(&o, names[s->item]);
    mw__imap_out_char(&o, '[');
    for (i = 0; i < s->nparts; i++) {
        if (i > 0)
            mw__imap_out_char(&o, '.');
        mw__imap_out_u32(&o, s->part[i]);
    }
    if (s->text != MW_IMAP_SECT_ALL && s->nparts > 0)
        mw__imap_out_char(&o, '.');
    switch (s->text) {
    case MW_IMAP_SECT_HEADER:
        mw__imap_out_raw(&o, "HEADER", 6);
        break;
    case MW_IMAP_SECT_FIELDS:
    case MW_IMAP_SECT_FIELDS_NOT:
        mw__imap_out_cstr(&o, s->text == MW_IMAP_SECT_FIELDS
                                  ? "HEADER.FIELDS ("
                                  : "HEADER.FIELDS.NOT (");
        for (i = 0; i < s->nfields; i++) {
            const char *f = s->fields[i];
            size_t k, fl = f != NULL ? strlen(f) : 0;
            if (fl == 0)
                return it_fail(it, MW_E_INVAL);
            for (k = 0; k < fl; k++) {
                unsigned char ch = (unsigned char)f[k];
                if (ch < 33 || ch > 126 || ch == ':')
                    return it_fail(it, MW_E_INVAL);
            }
            if (i > 0)
                mw__imap_out_char(&o, ' ');
            /* header-fld-name = astring */
            mw__imap_out_string(&o, f, fl, MW__IMAP_STR_ASTRING);
        }
        mw__imap_out_char(&o, ')');
        break;
    case MW_IMAP_SECT_TEXT:
        mw__imap_out_raw(&o, "TEXT", 4);
        break;
    case MW_IMAP_SECT_MIME:
        mw__imap_out_raw(&o, "MIME", 4);
        break;
    default:
        break;
    }
    mw__imap_out_char(&o, ']');
    if (s->partial) {
        /* "<" number "." nz-number ">" (RFC 9051 §6.4.5; origin is a
         * number64 in RFC 9051 §9 partial) */
        if (s->origin > MODSEQ_MAX)
            return it_fail(it, MW_E_INVAL);
        mw__imap_out_char(&o, '<');
        mw__imap_out_u64(&o, s->origin);
        mw__imap_out_char(&o, '.');
        mw__imap_out_u32(&o, s->length);
        mw__imap_out_char(&o, '>');
    }
    return it_put(it, &o);
}
