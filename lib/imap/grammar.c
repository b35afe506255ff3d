/* SPDX-License-Identifier: MIT */
/*
 * IMAP grammar pieces above the basic tokens (lib/imap/grammar.h):
 * sequence sets, flag lists, dates and date-times, and skipping a value of
 * unknown shape (RFC 4466 extension data) without recursion; with the
 * public helpers of mailwire/imap.h that wrap them.
 */
#include <string.h>

#include "imap/grammar.h"

/* ---- sequence sets (RFC 9051 §9 sequence-set, RFC 5182 "$") ---------- */

/* One seq-number: nz-number (32-bit, RFC 9051 §9) or "*". */
static int seq_number(mw__imap_lex *L, int *star)
{
    uint32_t v;
    if (mw__imap_lex_accept(L, '*')) {
        *star = 1;
        return MW_OK;
    }
    if (mw__imap_lex_peek(L) == '0')
        return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                 "0 is not a sequence number");
    return mw__imap_lex_nz_number(L, &v);
}

int mw__imap_lex_seqset(mw__imap_lex *L, mw_imap_seqset *out)
{
    const char *start = L->p;
    uint32_t ranges = 0;
    int star = 0;
    if (L->status != MW_OK)
        return L->status;
    memset(out, 0, sizeof(*out));
    if (mw__imap_lex_accept(L, '$')) {
        out->text.ptr = start + 1;
        out->text.len = 0;
        out->dollar = 1;
        return MW_OK;
    }
    if (mw__imap_lex_peek(L) != '*' &&
        (mw__imap_lex_peek(L) < '0' || mw__imap_lex_peek(L) > '9'))
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "sequence set expected");
    for (;;) {
        if (seq_number(L, &star) != MW_OK)
            return L->status;
        if (mw__imap_lex_accept(L, ':') && seq_number(L, &star) != MW_OK)
            return L->status;
        if (ranges == UINT32_MAX)
            return mw__imap_lex_fail(L, MW_E_LIMIT,
                                     "too many ranges in sequence set");
        ranges++;
        if (!mw__imap_lex_accept(L, ','))
            break;
    }
    out->text.ptr = start;
    out->text.len = (size_t)(L->p - start);
    out->ranges = ranges;
    out->has_star = (uint8_t)star;
    return MW_OK;
}

int mw_imap_seqset_parse(const char *text, size_t n, mw_imap_seqset *out,
                         mw_error *err)
{
    mw__imap_lex L;
    mw_imap_seqset s;
    if (text == NULL && n > 0)
        return mw__fail(err, MW_E_INVAL, 0, "NULL text");
    if (text == NULL)
        text = "";
    mw__imap_lex_init(&L, text, n, 0, NULL, 0);
    if (mw__imap_lex_seqset(&L, &s) == MW_OK)
        (void)mw__imap_lex_end(&L);
    if (L.status != MW_OK)
        return mw__fail(err, L.status, L.err_offset, L.reason);
    if (out != NULL)
        *out = s;
    return MW_OK;
}

int mw_imap_seqset_from_text(const char *text, size_t n, mw_imap_seqset *out,
                             mw_error *err)
{
    return mw_imap_seqset_parse(text, n, out, err);
}

void mw_imap_seq_iter_init(mw_imap_seq_iter *it, const mw_imap_seqset *set,
                           uint32_t star)
{
    it->p = set->text.ptr;
    it->end = set->text.ptr != NULL ? set->text.ptr + set->text.len : NULL;
    it->star = star;
    it->reserved_ = 0;
}

/* A validated seq-number at *pp. */
static uint32_t iter_number(const char **pp, const char *end, uint32_t star)
{
    const char *p = *pp;
    uint32_t v = 0;
    if (p < end && *p == '*') {
        *pp = p + 1;
        return star;
    }
    while (p < end && (unsigned char)(*p - '0') <= 9u) {
        uint32_t d = (uint32_t)(*p - '0');
        v = (v > (UINT32_MAX - d) / 10u) ? UINT32_MAX : v * 10u + d;
        p++;
    }
    *pp = p;
    return v;
}

int mw_imap_seq_next(mw_imap_seq_iter *it, uint32_t *lo, uint32_t *hi)
{
    uint32_t a, b;
    if (it->p == NULL || it->p >= it->end)
        return 0;
    a = iter_number(&it->p, it->end, it->star);
    b = a;
    if (it->p < it->end && *it->p == ':') {
        it->p++;
        b = iter_number(&it->p, it->end, it->star);
    }
    if (it->p < it->end && *it->p == ',')
        it->p++;
    if (a > b) {
        uint32_t t = a;
        a = b;
        b = t;
    }
    if (lo != NULL)
        *lo = a;
    if (hi != NULL)
        *hi = b;
    return 1;
}

/* ---- flag lists (RFC 9051 §9 flag-list, flag-perm, flag-fetch) ------- */

static unsigned system_flag(mw_span name)
{
    /* name without the backslash */
    switch (name.len) {
    case 4:
        if (mw__span_ieq(name, "Seen")) return MW_IMAP_FLAG_SEEN;
        break;
    case 5:
        if (mw__span_ieq(name, "Draft")) return MW_IMAP_FLAG_DRAFT;
        break;
    case 6:
        if (mw__span_ieq(name, "Recent")) return MW_IMAP_FLAG_RECENT;
        break;
    case 7:
        if (mw__span_ieq(name, "Flagged")) return MW_IMAP_FLAG_FLAGGED;
        if (mw__span_ieq(name, "Deleted")) return MW_IMAP_FLAG_DELETED;
        break;
    case 8:
        if (mw__span_ieq(name, "Answered")) return MW_IMAP_FLAG_ANSWERED;
        break;
    default:
        break;
    }
    return 0;
}

/* Flags separated by single SP up to `close` (')' or, for 0, the end of
 * the text). */
static int flag_seq(mw__imap_lex *L, int perm, int close, mw_imap_flags *out)
{
    const char *start = L->p;
    uint32_t count = 0;
    unsigned sys = 0;
    int first = 1;
    for (;;) {
        int c;
        mw_span a;
        if (close == ')')
            (void)mw__imap_lex_sp_opt(L);
        c = mw__imap_lex_peek(L);
        if (L->status != MW_OK)
            return L->status;
        if ((close == ')' && c == ')') || (close == 0 && c < 0))
            break;
        if (!first && mw__imap_lex_sp(L) != MW_OK)
            return L->status;
        first = 0;
        if (mw__imap_lex_accept(L, '\\')) {
            if (perm && mw__imap_lex_accept(L, '*')) {
                sys |= MW_IMAP_FLAG_WILDCARD;
            } else {
                if (mw__imap_lex_atom(L, &a) != MW_OK)
                    return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                             "flag name expected after '\\'");
                sys |= system_flag(a);
            }
        } else if (mw__imap_lex_atom(L, &a) != MW_OK) {
            return L->status;
        }
        if (count == UINT32_MAX)
            return mw__imap_lex_fail(L, MW_E_LIMIT, "too many flags");
        count++;
    }
    out->text.ptr = start;
    out->text.len = (size_t)(L->p - start);
    out->count = count;
    out->system = sys;
    return MW_OK;
}

int mw__imap_lex_flag_list(mw__imap_lex *L, int perm, mw_imap_flags *out)
{
    if (mw__imap_lex_expect(L, '(') != MW_OK)
        return L->status;
    if (flag_seq(L, perm, ')', out) != MW_OK)
        return L->status;
    /* Trailing spaces skipped under the quirk are not part of the text. */
    while (out->text.len > 0 && out->text.ptr[out->text.len - 1] == ' ')
        out->text.len--;
    return mw__imap_lex_expect(L, ')');
}

int mw_imap_flags_parse(const char *text, size_t n, int perm,
                        mw_imap_flags *out, mw_error *err)
{
    mw__imap_lex L;
    mw_imap_flags f;
    if (text == NULL && n > 0)
        return mw__fail(err, MW_E_INVAL, 0, "NULL text");
    if (text == NULL)
        text = "";
    memset(&f, 0, sizeof(f));
    mw__imap_lex_init(&L, text, n, 0, NULL, 0);
    if (n > 0 && text[0] == '(') {
        if (mw__imap_lex_flag_list(&L, perm, &f) == MW_OK)
            (void)mw__imap_lex_end(&L);
    } else {
        (void)flag_seq(&L, perm, 0, &f);
    }
    if (L.status != MW_OK)
        return mw__fail(err, L.status, L.err_offset, L.reason);
    if (out != NULL)
        *out = f;
    return MW_OK;
}

int mw_imap_flags_next(const mw_imap_flags *f, size_t *pos, mw_span *flag)
{
    size_t i = *pos, j;
    const char *t = f->text.ptr;
    size_t n = f->text.len;
    while (i < n && t[i] == ' ')
        i++;
    if (t == NULL || i >= n) {
        *pos = n;
        return 0;
    }
    j = i;
    while (j < n && t[j] != ' ')
        j++;
    if (flag != NULL) {
        flag->ptr = t + i;
        flag->len = j - i;
    }
    *pos = j;
    return 1;
}

/* ---- dates (RFC 9051 §9 date-time, date) ----------------------------- */

static const char month_names[12][4] = {"Jan", "Feb", "Mar", "Apr",
                                        "May", "Jun", "Jul", "Aug",
                                        "Sep", "Oct", "Nov", "Dec"};

static int days_in_month(int year, int month)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30,
                                          31, 31, 30, 31, 30, 31};
    /* month_year() only yields 1..12; say so, so that no path (nor the
     * analyzer's view of one) indexes outside the table. */
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 &&
        ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return 29;
    return dim[month - 1];
}

static int digit_at(const mw__imap_lex *L, size_t k)
{
    if ((size_t)(L->end - L->p) <= k)
        return -1;
    if ((unsigned char)(L->p[k] - '0') > 9u)
        return -1;
    return L->p[k] - '0';
}

/* Exactly `count` digits. */
static int fixed_digits_(mw__imap_lex *L, int count, int *out,
                         const char *what)
{
    int v = 0, i;
    for (i = 0; i < count; i++) {
        int d = digit_at(L, (size_t)i);
        if (d < 0)
            return mw__imap_lex_fail(L, MW_E_SYNTAX, what);
        v = v * 10 + d;
    }
    L->p += count;
    *out = v;
    return MW_OK;
}
#define fixed_digits(L, count, out, what)                                    \
    fixed_digits_((L), (count), (out), MW__TEXT(what))

/* "-" date-month "-" date-year, after the day. */
static int month_year(mw__imap_lex *L, mw_imap_datetime *d)
{
    int m;
    if (mw__imap_lex_expect(L, '-') != MW_OK)
        return L->status;
    if (L->end - L->p < 3)
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "month name expected");
    for (m = 0; m < 12; m++) {
        if (mw__lower((unsigned char)L->p[0]) ==
                mw__lower((unsigned char)month_names[m][0]) &&
            mw__lower((unsigned char)L->p[1]) ==
                (unsigned char)month_names[m][1] &&
            mw__lower((unsigned char)L->p[2]) ==
                (unsigned char)month_names[m][2])
            break;
    }
    if (m == 12)
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "month name expected");
    L->p += 3;
    d->month = m + 1;
    if (mw__imap_lex_expect(L, '-') != MW_OK)
        return L->status;
    return fixed_digits(L, 4, &d->year, "four-digit year expected");
}

int mw__imap_lex_datetime(mw__imap_lex *L, mw_imap_datetime *out)
{
    mw_imap_datetime d;
    const char *start = L->p, *zp;
    int zh, zm, sign;
    if (L->status != MW_OK)
        return L->status;
    memset(&d, 0, sizeof(d));
    if (mw__imap_lex_expect(L, '"') != MW_OK)
        return L->status;
    /* date-day-fixed = (SP DIGIT) / 2DIGIT */
    if (mw__imap_lex_accept(L, ' ')) {
        if (fixed_digits(L, 1, &d.day, "day expected") != MW_OK)
            return L->status;
    } else if (fixed_digits(L, 2, &d.day, "two-digit day expected") !=
               MW_OK) {
        return L->status;
    }
    if (month_year(L, &d) != MW_OK || mw__imap_lex_sp(L) != MW_OK ||
        fixed_digits(L, 2, &d.hour, "hour expected") != MW_OK ||
        mw__imap_lex_expect(L, ':') != MW_OK ||
        fixed_digits(L, 2, &d.minute, "minute expected") != MW_OK ||
        mw__imap_lex_expect(L, ':') != MW_OK ||
        fixed_digits(L, 2, &d.second, "second expected") != MW_OK ||
        mw__imap_lex_sp(L) != MW_OK)
        return L->status;
    zp = L->p;
    if (mw__imap_lex_accept(L, '+'))
        sign = 1;
    else if (mw__imap_lex_accept(L, '-'))
        sign = -1;
    else
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "zone sign expected");
    if (fixed_digits(L, 2, &zh, "four-digit zone expected") != MW_OK ||
        fixed_digits(L, 2, &zm, "four-digit zone expected") != MW_OK)
        return L->status;
    if (mw__imap_lex_expect(L, '"') != MW_OK)
        return L->status;
    if (d.day < 1 || d.day > days_in_month(d.year, d.month))
        return mw__imap_lex_fail_at(L, start, MW_E_DATE,
                                    "no such day in that month");
    if (d.hour > 23 || d.minute > 59 || d.second > 60)
        return mw__imap_lex_fail_at(L, start, MW_E_DATE,
                                    "time out of range");
    if (zh > 23 || zm > 59)
        return mw__imap_lex_fail_at(L, zp, MW_E_DATE, "zone out of range");
    d.zone = sign * (zh * 60 + zm);
    d.zone_unknown = sign < 0 && d.zone == 0; /* "-0000" kept as written */
    *out = d;
    return MW_OK;
}

int mw__imap_lex_date(mw__imap_lex *L, mw_imap_datetime *out)
{
    mw_imap_datetime d;
    const char *start = L->p;
    int quoted;
    if (L->status != MW_OK)
        return L->status;
    memset(&d, 0, sizeof(d));
    quoted = mw__imap_lex_accept(L, '"');
    /* date-day = 1*2DIGIT */
    if (fixed_digits(L, 1, &d.day, "day expected") != MW_OK)
        return L->status;
    if (digit_at(L, 0) >= 0) {
        d.day = d.day * 10 + digit_at(L, 0);
        L->p++;
    }
    if (month_year(L, &d) != MW_OK)
        return L->status;
    if (quoted && mw__imap_lex_expect(L, '"') != MW_OK)
        return L->status;
    if (d.day < 1 || d.day > days_in_month(d.year, d.month))
        return mw__imap_lex_fail_at(L, start, MW_E_DATE,
                                    "no such day in that month");
    *out = d;
    return MW_OK;
}

int mw_imap_datetime_parse(const char *text, size_t n, mw_imap_datetime *out,
                           mw_error *err)
{
    mw__imap_lex L;
    mw_imap_datetime d;
    char tmp[32];
    size_t adj = 0;
    if (text == NULL && n > 0)
        return mw__fail(err, MW_E_INVAL, 0, "NULL text");
    if (text == NULL)
        text = "";
    if (n == 0 || text[0] != '"') {
        /* Without the quotes: lex "text" and shift offsets back by one. */
        if (n > sizeof(tmp) - 2)
            return mw__fail(err, MW_E_SYNTAX, n > 0 ? 26 : 0,
                            "date-time too long");
        tmp[0] = '"';
        memcpy(tmp + 1, text, n);
        tmp[n + 1] = '"';
        mw__imap_lex_init(&L, tmp, n + 2, 0, NULL, 0);
        adj = 1;
    } else {
        mw__imap_lex_init(&L, text, n, 0, NULL, 0);
    }
    if (mw__imap_lex_datetime(&L, &d) == MW_OK)
        (void)mw__imap_lex_end(&L);
    if (L.status != MW_OK) {
        size_t off = L.err_offset >= adj ? L.err_offset - adj : 0;
        if (off > n)
            off = n;
        return mw__fail(err, L.status, off, L.reason);
    }
    if (out != NULL)
        *out = d;
    return MW_OK;
}

int mw_imap_date_parse(const char *text, size_t n, mw_imap_datetime *out,
                       mw_error *err)
{
    mw__imap_lex L;
    mw_imap_datetime d;
    if (text == NULL && n > 0)
        return mw__fail(err, MW_E_INVAL, 0, "NULL text");
    if (text == NULL)
        text = "";
    mw__imap_lex_init(&L, text, n, 0, NULL, 0);
    if (mw__imap_lex_date(&L, &d) == MW_OK)
        (void)mw__imap_lex_end(&L);
    if (L.status != MW_OK)
        return mw__fail(err, L.status, L.err_offset, L.reason);
    if (out != NULL)
        *out = d;
    return MW_OK;
}

static int date_valid(const mw_imap_datetime *d)
{
    return d->year >= 0 && d->year <= 9999 && d->month >= 1 &&
           d->month <= 12 && d->day >= 1 &&
           d->day <= days_in_month(d->year, d->month);
}

static char *put2(char *o, int v)
{
    o[0] = (char)('0' + v / 10);
    o[1] = (char)('0' + v % 10);
    return o + 2;
}

int mw_imap_datetime_format(const mw_imap_datetime *d, char *out, size_t cap,
                            size_t *outlen)
{
    char *o;
    int z;
    if (outlen != NULL)
        *outlen = MW_IMAP_DATETIME_LEN;
    if (d == NULL || !date_valid(d) || d->hour < 0 || d->hour > 23 ||
        d->minute < 0 || d->minute > 59 || d->second < 0 || d->second > 60 ||
        d->zone < -1439 || d->zone > 1439) {
        if (outlen != NULL)
            *outlen = 0;
        return MW_E_INVAL;
    }
    if (out == NULL || cap < MW_IMAP_DATETIME_LEN)
        return MW_E_NOSPACE;
    o = put2(out, d->day);
    *o++ = '-';
    memcpy(o, month_names[d->month - 1], 3);
    o += 3;
    *o++ = '-';
    o = put2(o, d->year / 100);
    o = put2(o, d->year % 100);
    *o++ = ' ';
    o = put2(o, d->hour);
    *o++ = ':';
    o = put2(o, d->minute);
    *o++ = ':';
    o = put2(o, d->second);
    *o++ = ' ';
    z = d->zone;
    *o++ = z < 0 || (z == 0 && d->zone_unknown) ? '-' : '+';
    if (z < 0)
        z = -z;
    o = put2(o, z / 60);
    (void)put2(o, z % 60);
    return MW_OK;
}

int mw_imap_date_format(const mw_imap_datetime *d, char *out, size_t cap,
                        size_t *outlen)
{
    size_t n;
    char *o;
    if (d == NULL || !date_valid(d)) {
        if (outlen != NULL)
            *outlen = 0;
        return MW_E_INVAL;
    }
    n = d->day >= 10 ? 11u : 10u;
    if (outlen != NULL)
        *outlen = n;
    if (out == NULL || cap < n)
        return MW_E_NOSPACE;
    o = out;
    if (d->day >= 10)
        *o++ = (char)('0' + d->day / 10);
    *o++ = (char)('0' + d->day % 10);
    *o++ = '-';
    memcpy(o, month_names[d->month - 1], 3);
    o += 3;
    *o++ = '-';
    o = put2(o, d->year / 100);
    (void)put2(o, d->year % 100);
    return MW_OK;
}

/* ---- skipping a value of unknown shape (RFC 4466) --------------------- */

/* Bytes of an atom-like token while skipping: ATOM-CHAR and list-char
 * ("%", "*"), "\" (flags), without "[" and "]", which the caller treats as
 * a bracketed section. */
static int skip_tokch(const mw__imap_lex *L, unsigned char c)
{
    unsigned k = mw__imap_cclass[c];
    if (c == '[' || c == ']')
        return 0;
    if (k & (MW__IMAP_C_ATOM | MW__IMAP_C_LISTMB))
        return 1;
    if (c == '\\')
        return 1;
    if ((k & MW__IMAP_C_8BIT) &&
        (L->flags & (MW__IMAP_LEX_8BIT | MW__IMAP_LEX_UTF8)))
        return 1;
    return 0;
}

int mw__imap_lex_skip_value(mw__imap_lex *L, unsigned max_depth,
                            mw_span *out)
{
    const char *start = L->p;
    unsigned depth = 0;       /* open "(" and "[" */
    unsigned bracket_at = 0;  /* depth just inside the open "[" (0: none) */
    int need = 1;             /* an element is due */
    if (L->status != MW_OK)
        return L->status;
    for (;;) {
        if (need) {
            int c = mw__imap_lex_peek(L);
            if (c == '(') {
                if (depth >= max_depth)
                    return mw__imap_lex_fail(L, MW_E_DEPTH,
                                             "lists nested too deep");
                depth++;
                L->p++;
                if (L->flags & MW__IMAP_LEX_TRAILING_SP)
                    (void)mw__imap_lex_sp_opt(L);
                if (mw__imap_lex_peek(L) != ')')
                    continue; /* first element of the list */
                need = 0;     /* "()": close below */
            } else if (c == '"') {
                mw_span s;
                if (mw__imap_lex_quoted(L, &s) != MW_OK)
                    return L->status;
                need = 0;
            } else if (c == '{' ||
                       (c == '~' && L->end - L->p > 1 && L->p[1] == '{')) {
                mw_span s;
                if (mw__imap_lex_literal(L, &s, NULL) != MW_OK)
                    return L->status;
                need = 0;
            } else {
                const char *t = L->p;
                while (L->p < L->end &&
                       skip_tokch(L, (unsigned char)*L->p))
                    L->p++;
                if (L->p < L->end && *L->p == '[') {
                    if (bracket_at != 0)
                        return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                                 "'[' inside brackets");
                    if (depth >= max_depth)
                        return mw__imap_lex_fail(L, MW_E_DEPTH,
                                                 "lists nested too deep");
                    depth++;
                    bracket_at = depth;
                    L->p++;
                    if (mw__imap_lex_peek(L) != ']')
                        continue;
                    need = 0; /* "[]": close below */
                } else if (L->p == t) {
                    return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                             "value expected");
                } else {
                    need = 0;
                }
            }
        }
        /* After an element: close lists, or separate with SP. */
        if (depth == 0)
            break;
        {
            int c;
            if (L->flags & MW__IMAP_LEX_TRAILING_SP)
                (void)mw__imap_lex_sp_opt(L);
            c = mw__imap_lex_peek(L);
            if (c == ' ') {
                L->p++;
                need = 1;
            } else if (c == ')' && depth != bracket_at) {
                depth--;
                L->p++;
            } else if (c == ']' && depth == bracket_at) {
                depth--;
                bracket_at = 0;
                L->p++;
                /* The atom goes on after the section ("BODY[1]<0.10>"). */
                while (L->p < L->end &&
                       skip_tokch(L, (unsigned char)*L->p))
                    L->p++;
                if (L->p < L->end && *L->p == '[')
                    return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                             "second section");
            } else if (L->status != MW_OK) {
                return L->status;
            } else if (c < 0) {
                return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                         depth == bracket_at
                                             ? "']' expected"
                                             : "')' expected");
            } else {
                return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                         "unexpected character in list");
            }
        }
    }
    if (out != NULL) {
        out->ptr = start;
        out->len = (size_t)(L->p - start);
    }
    return MW_OK;
}
