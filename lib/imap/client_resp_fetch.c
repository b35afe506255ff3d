/* SPDX-License-Identifier: MIT */
/*
 * The IMAP client's response parser, part 4: FETCH responses (RFC 9051
 * §7.5.2 `msg-att`, RFC 3501 §7.4.2) with the items of the extensions
 * (RFC 7162 MODSEQ, RFC 8474 EMAILID/THREADID, RFC 8970 PREVIEW, RFC 8514
 * SAVEDATE, RFC 3516 BINARY, Gmail's X-GM-*), and the decision the framer
 * asks for at each literal announcement inside a FETCH: is this the
 * content of a body section (stream it to the application, never hold it)
 * or a string inside another item (take it into the frame text)?
 *
 * The decision is made on the text before the announcement, outside any
 * literal already taken in: a body section value follows `BODY[...]`,
 * `BODY[...]<n>`, `BINARY[...]`, `BINARY[...]<n>`, `RFC822`,
 * `RFC822.HEADER` or `RFC822.TEXT` and a SP. Only then is the segment
 * parsed (once): its items are delivered, body_begin is called and the
 * literal is streamed; after the literal the frame goes on in a new
 * segment (mw__imap_rp_fetch_cont). So every byte of a FETCH is parsed
 * once, whatever literals it holds.
 */
#include <string.h>

#include "imap/client_resp.h"

#define ARENA_FULL(L, what) \
    mw__imap_lex_fail((L), MW_E_NOSPACE, "arena full (" what ")")

/* A parsed item name (msg-att names, RFC 9051 §9). */
typedef struct item_name {
    int id;             /* mw_imap_fetch_id */
    int is_section;     /* a body section: content follows */
    mw_span name;       /* as sent, section and origin included */
    mw_span section;    /* inside the brackets */
    uint32_t origin;
    int has_origin;
} item_name;

/* ---- item names -------------------------------------------------------- */

static int ieq(const char *p, size_t n, const char *kw, size_t kn)
{
    return mw__imap_rp_kw(p, n, kw, kn);
}

/* The id of a base name (without section). */
#if MW_ENABLE_FAST_PATHS
/* Unrolled by length: the names of every FETCH response. */
static int base_id(const char *p, size_t n, int bracket)
{
    switch (n) {
    case 3:
        if (ieq(p, n, "UID", 3))
            return MW_IMAP_FETCH_UID;
        break;
    case 4:
        if (ieq(p, n, "BODY", 4))
            return bracket ? MW_IMAP_FETCH_BODY_SECTION : MW_IMAP_FETCH_BODY;
        break;
    case 5:
        if (ieq(p, n, "FLAGS", 5))
            return MW_IMAP_FETCH_FLAGS;
        break;
    case 6:
        if (ieq(p, n, "MODSEQ", 6))
            return MW_IMAP_FETCH_MODSEQ;
        if (ieq(p, n, "RFC822", 6))
            return MW_IMAP_FETCH_RFC822;
        if (ieq(p, n, "BINARY", 6))
            return MW_IMAP_FETCH_BINARY;
        break;
    case 7:
        if (ieq(p, n, "EMAILID", 7))
            return MW_IMAP_FETCH_EMAILID;
        if (ieq(p, n, "PREVIEW", 7))
            return MW_IMAP_FETCH_PREVIEW;
        break;
    case 8:
        if (ieq(p, n, "ENVELOPE", 8))
            return MW_IMAP_FETCH_ENVELOPE;
        if (ieq(p, n, "THREADID", 8))
            return MW_IMAP_FETCH_THREADID;
        if (ieq(p, n, "SAVEDATE", 8))
            return MW_IMAP_FETCH_SAVEDATE;
        break;
    case 10:
        if (ieq(p, n, "X-GM-MSGID", 10))
            return MW_IMAP_FETCH_X_GM_MSGID;
        if (ieq(p, n, "X-GM-THRID", 10))
            return MW_IMAP_FETCH_X_GM_THRID;
        break;
    case 11:
        if (ieq(p, n, "RFC822.SIZE", 11))
            return MW_IMAP_FETCH_RFC822_SIZE;
        if (ieq(p, n, "RFC822.TEXT", 11))
            return MW_IMAP_FETCH_RFC822_TEXT;
        if (ieq(p, n, "BINARY.SIZE", 11))
            return MW_IMAP_FETCH_BINARY_SIZE;
        if (ieq(p, n, "X-GM-LABELS", 11))
            return MW_IMAP_FETCH_X_GM_LABELS;
        break;
    case 12:
        if (ieq(p, n, "INTERNALDATE", 12))
            return MW_IMAP_FETCH_INTERNALDATE;
        break;
    case 13:
        if (ieq(p, n, "BODYSTRUCTURE", 13))
            return MW_IMAP_FETCH_BODYSTRUCTURE;
        if (ieq(p, n, "RFC822.HEADER", 13))
            return MW_IMAP_FETCH_RFC822_HEADER;
        break;
    default:
        break;
    }
    return MW_IMAP_FETCH_OTHER;
}
#else
/* The same names in a table searched in order. */
static int base_id(const char *p, size_t n, int bracket)
{
    static const struct {
        const char *name;
        unsigned char id;
    } t[] = {
        {"UID", MW_IMAP_FETCH_UID},
        {"BODY", MW_IMAP_FETCH_BODY},
        {"FLAGS", MW_IMAP_FETCH_FLAGS},
        {"MODSEQ", MW_IMAP_FETCH_MODSEQ},
        {"RFC822", MW_IMAP_FETCH_RFC822},
        {"BINARY", MW_IMAP_FETCH_BINARY},
        {"EMAILID", MW_IMAP_FETCH_EMAILID},
        {"PREVIEW", MW_IMAP_FETCH_PREVIEW},
        {"ENVELOPE", MW_IMAP_FETCH_ENVELOPE},
        {"THREADID", MW_IMAP_FETCH_THREADID},
        {"SAVEDATE", MW_IMAP_FETCH_SAVEDATE},
        {"X-GM-MSGID", MW_IMAP_FETCH_X_GM_MSGID},
        {"X-GM-THRID", MW_IMAP_FETCH_X_GM_THRID},
        {"RFC822.SIZE", MW_IMAP_FETCH_RFC822_SIZE},
        {"RFC822.TEXT", MW_IMAP_FETCH_RFC822_TEXT},
        {"BINARY.SIZE", MW_IMAP_FETCH_BINARY_SIZE},
        {"X-GM-LABELS", MW_IMAP_FETCH_X_GM_LABELS},
        {"INTERNALDATE", MW_IMAP_FETCH_INTERNALDATE},
        {"BODYSTRUCTURE", MW_IMAP_FETCH_BODYSTRUCTURE},
        {"RFC822.HEADER", MW_IMAP_FETCH_RFC822_HEADER},
    };
    size_t i;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        if (ieq(p, n, t[i].name, strlen(t[i].name))) {
            if (t[i].id == MW_IMAP_FETCH_BODY && bracket)
                return MW_IMAP_FETCH_BODY_SECTION;
            return t[i].id;
        }
    }
    return MW_IMAP_FETCH_OTHER;
}
#endif

/* section = "[" [section-spec] "]"
 * section-spec = section-msgtext / (section-part ["." section-text])
 * section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list /
 *                   "TEXT"
 * section-text = section-msgtext / "MIME"
 * section-part = nz-number *("." nz-number)
 * section-binary = "[" [section-part] "]"  (RFC 3516)
 * L after "["; leaves L after "]". */
static int section(mw__imap_lex *L, int binary, mw_span *out)
{
    const char *s = L->p;
    int parts = 0;
    while (L->p < L->end && (unsigned char)(*L->p - '0') <= 9u) {
        uint32_t v = 0;
        if (mw__imap_lex_nz_number(L, &v) != MW_OK)
            return L->status;
        parts++;
        if (!mw__imap_lex_accept(L, '.'))
            break;
        if (L->p < L->end && (unsigned char)(*L->p - '0') <= 9u)
            continue;
        if (binary)
            return mw__imap_lex_fail(L, MW_E_SYNTAX, "part number expected");
        break;
    }
    if (L->p < L->end && *L->p != ']') {
        const char *k = L->p;
        size_t n;
        if (binary || (parts > 0 && k[-1] != '.'))
            return mw__imap_lex_fail(L, MW_E_SYNTAX, "']' expected");
        while (L->p < L->end &&
               ((unsigned char)((*L->p | 0x20) - 'a') < 26u || *L->p == '.'))
            L->p++;
        n = (size_t)(L->p - k);
        if (ieq(k, n, "HEADER", 6) || ieq(k, n, "TEXT", 4) ||
            (parts > 0 && ieq(k, n, "MIME", 4))) {
            /* done */
        } else if (ieq(k, n, "HEADER.FIELDS", 13) ||
                   ieq(k, n, "HEADER.FIELDS.NOT", 17)) {
            /* header-list = "(" header-fld-name *(SP header-fld-name) ")" */
            mw__imap_rp_sp(L);
            mw__imap_rp_expect(L, '(');
            do {
                mw_span h;
                if (mw__imap_lex_astring(L, &h) != MW_OK)
                    return L->status;
            } while (mw__imap_lex_accept(L, ' '));
            if (mw__imap_rp_expect(L, ')') != MW_OK)
                return L->status;
        } else {
            L->p = k;
            return mw__imap_lex_fail(L, MW_E_SYNTAX, "bad section");
        }
    }
    *out = mw__span(s, (size_t)(L->p - s));
    return mw__imap_rp_expect(L, ']');
}

/* An item name with its section and origin. */
static int item_name_parse(mw__imap_lex *L, item_name *it)
{
    const unsigned char *q = (const unsigned char *)L->p;
    const unsigned char *e = (const unsigned char *)L->end;
    const char *s = L->p;
    int bracket;
    /* Every field is set before any failure, so that no path leaves
     * one undefined (callers look at them only after MW_OK). */
    it->id = MW_IMAP_FETCH_OTHER;
    it->name = mw__span(s, 0);
    it->is_section = 0;
    it->has_origin = 0;
    it->origin = 0;
    it->section = mw__span(NULL, 0);
    while (q < e && (mw__imap_cclass[*q] & MW__IMAP_C_ATOM))
        q++;
    /* "[" is an ATOM-CHAR: the base name ends at the first one */
    {
        const unsigned char *b = (const unsigned char *)s;
        while (b < q && *b != '[')
            b++;
        q = b;
    }
    if ((const char *)q == s)
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "FETCH item expected");
    bracket = q < e && *q == '[';
    it->id = base_id(s, (size_t)((const char *)q - s), bracket);
    L->p = (const char *)q;
    switch (it->id) {
    case MW_IMAP_FETCH_BODY_SECTION:
    case MW_IMAP_FETCH_BINARY:
        if (!bracket)
            return mw__imap_lex_fail(L, MW_E_SYNTAX, "'[' expected");
        L->p++;
        if (section(L, it->id == MW_IMAP_FETCH_BINARY, &it->section) != MW_OK)
            return L->status;
        /* ["<" number ">"] */
        if (mw__imap_lex_accept(L, '<')) {
            mw__imap_rp_number(L, &it->origin);
            if (mw__imap_rp_expect(L, '>') != MW_OK)
                return L->status;
            it->has_origin = 1;
        }
        it->is_section = 1;
        break;
    case MW_IMAP_FETCH_BINARY_SIZE:
        if (!bracket)
            return mw__imap_lex_fail(L, MW_E_SYNTAX, "'[' expected");
        L->p++;
        if (section(L, 1, &it->section) != MW_OK)
            return L->status;
        break;
    case MW_IMAP_FETCH_RFC822:
    case MW_IMAP_FETCH_RFC822_HEADER:
    case MW_IMAP_FETCH_RFC822_TEXT:
        it->is_section = 1;
        /* fall through */
    default:
        if (bracket) {
            /* an unknown item with a section-like part: keep it raw */
            mw_span v;
            const char *b = L->p;
            unsigned depth = 0;
            for (; L->p < L->end; L->p++) {
                if (*L->p == '[')
                    depth++;
                else if (*L->p == ']' && --depth == 0)
                    break;
                else if (*L->p == '\r' || *L->p == '\n' || *L->p == '"')
                    break;
            }
            if (L->p >= L->end || *L->p != ']') {
                L->p = b;
                return mw__imap_lex_fail(L, MW_E_SYNTAX, "']' expected");
            }
            L->p++;
            (void)v;
            it->id = MW_IMAP_FETCH_OTHER;
            it->is_section = 0;
            while (L->p < L->end && (mw__imap_cclass[(unsigned char)*L->p] &
                                     MW__IMAP_C_ATOM))
                L->p++;
        }
        break;
    }
    it->name = mw__span(s, (size_t)(L->p - s));
    return MW_OK;
}

/* ---- values ------------------------------------------------------------ */

#if MW_ENABLE_FAST_PATHS
/* FLAGS of a FETCH, the common shape decided here: "(" [flag *(SP flag)]
 * ")" with flags of ATOM-CHARs, "\" before system flags. Anything else
 * (8-bit bytes under the quirk, extra spaces, errors) is left to
 * mw__imap_lex_flag_list(), which gives the same result for what both
 * accept (RFC 9051 §9 flag-fetch). */
static int fast_flags(mw__imap_lex *L, mw_imap_flags *out)
{
    const unsigned char *q = (const unsigned char *)L->p;
    const unsigned char *e = (const unsigned char *)L->end, *s;
    unsigned sys = 0;
    uint32_t count = 0;
    if (q >= e || *q != '(')
        return mw__imap_lex_flag_list(L, 0, out);
    s = ++q;
    if (q < e && *q != ')') {
        for (;;) {
            const unsigned char *a;
            int bs = q < e && *q == '\\';
            q += bs;
            a = q;
            while (q < e && (mw__imap_cclass[*q] & MW__IMAP_C_ATOM))
                q++;
            if (q == a)
                return mw__imap_lex_flag_list(L, 0, out);
            if (bs) {
                const char *f = (const char *)a;
                size_t n = (size_t)(q - a);
                if (mw__imap_rp_kw(f, n, "SEEN", 4))
                    sys |= MW_IMAP_FLAG_SEEN;
                else if (mw__imap_rp_kw(f, n, "ANSWERED", 8))
                    sys |= MW_IMAP_FLAG_ANSWERED;
                else if (mw__imap_rp_kw(f, n, "FLAGGED", 7))
                    sys |= MW_IMAP_FLAG_FLAGGED;
                else if (mw__imap_rp_kw(f, n, "DELETED", 7))
                    sys |= MW_IMAP_FLAG_DELETED;
                else if (mw__imap_rp_kw(f, n, "DRAFT", 5))
                    sys |= MW_IMAP_FLAG_DRAFT;
                else if (mw__imap_rp_kw(f, n, "RECENT", 6))
                    sys |= MW_IMAP_FLAG_RECENT;
            }
            count++;
            if (q < e && *q == ' ' && q + 1 < e && q[1] != ' ' && q[1] != ')') {
                q++;
                continue;
            }
            break;
        }
    }
    if (q >= e || *q != ')')
        return mw__imap_lex_flag_list(L, 0, out);
    out->text.ptr = (const char *)s;
    out->text.len = (size_t)(q - s);
    out->count = count;
    out->system = sys;
    L->p = (const char *)q + 1;
    return MW_OK;
}

/* INTERNALDATE's date-time in the form servers send: DQUOTE 2DIGIT "-"
 * Mon "-" 4DIGIT SP 2DIGIT ":" 2DIGIT ":" 2DIGIT SP ("+"/"-") 4DIGIT
 * DQUOTE, the month in its canonical case, every value in range. Anything
 * else (a space before a one-digit day, another case, an error) is left
 * to mw__imap_lex_datetime(), which accepts a superset and gives the same
 * result here. */
static int fast_datetime(mw__imap_lex *L, mw_imap_datetime *out)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30,
                                          31, 31, 30, 31, 30, 31};
    const unsigned char *q = (const unsigned char *)L->p;
    int i, m, day, year, hour, min, sec, zh, zm, leap, days;
#define D_(k) ((unsigned)(q[k] - '0') <= 9u)
#define V2_(k) ((q[k] - '0') * 10 + (q[(k) + 1] - '0'))
    if (L->end - L->p < 28 || q[0] != '"' || !D_(1) || !D_(2) || q[3] != '-' ||
        q[7] != '-' || !D_(8) || !D_(9) || !D_(10) || !D_(11) ||
        q[12] != ' ' || !D_(13) || !D_(14) || q[15] != ':' || !D_(16) ||
        !D_(17) || q[18] != ':' || !D_(19) || !D_(20) || q[21] != ' ' ||
        (q[22] != '+' && q[22] != '-') || !D_(23) || !D_(24) || !D_(25) ||
        !D_(26) || q[27] != '"')
        return mw__imap_lex_datetime(L, out);
    for (i = 0, m = -1; i < 12; i++)
        if (q[4] == (unsigned char)months[3 * i] &&
            q[5] == (unsigned char)months[3 * i + 1] &&
            q[6] == (unsigned char)months[3 * i + 2]) {
            m = i;
            break;
        }
    day = V2_(1);
    year = V2_(8) * 100 + V2_(10);
    hour = V2_(13);
    min = V2_(16);
    sec = V2_(19);
    zh = V2_(23);
    zm = V2_(25);
#undef D_
#undef V2_
    if (m < 0)
        return mw__imap_lex_datetime(L, out);
    leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    days = dim[m] + (m == 1 && leap);
    if (day < 1 || day > days || hour > 23 || min > 59 || sec > 60 ||
        zh > 23 || zm > 59)
        return mw__imap_lex_datetime(L, out); /* the error */
    out->year = year;
    out->month = m + 1;
    out->day = day;
    out->hour = hour;
    out->minute = min;
    out->second = sec;
    out->zone = (q[22] == '-' ? -1 : 1) * (zh * 60 + zm);
    out->zone_unknown = q[22] == '-' && out->zone == 0;
    L->p += 28;
    return MW_OK;
}
#endif

/* objectid = 1*255(ALPHA / DIGIT / "_" / "-") (RFC 8474 §7) */
static int objectid(mw__imap_lex *L, mw_span *out)
{
    const char *s = L->p;
    while (L->p < L->end) {
        unsigned char ch = (unsigned char)*L->p;
        if ((unsigned char)((ch | 0x20) - 'a') < 26u ||
            (unsigned char)(ch - '0') <= 9u || ch == '_' || ch == '-')
            L->p++;
        else
            break;
    }
    if (L->p == s || L->p - s > 255)
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "objectid expected");
    *out = mw__span(s, (size_t)(L->p - s));
    return MW_OK;
}

int mw__imap_rp_astring_list(mw__imap_rp *rp, const mw_span **items,
                             uint32_t *count)
{
    mw__imap_lex *L = &rp->L;
    mw_span *first = NULL;
    uint32_t n = 0;
    /* "(" [label *(SP label)] ")"; label = astring / "\" atom (Gmail's
     * system labels such as \Inbox and \Important). */
    if (mw__imap_rp_expect(L, '(') != MW_OK)
        return L->status;
    if (mw__imap_lex_peek(L) != ')') {
        do {
            mw_span *s = (mw_span *)mw__imap_arena_alloc(L->arena, sizeof(*s));
            if (s == NULL)
                return ARENA_FULL(L, "X-GM-LABELS");
            if (first == NULL)
                first = s;
            n++;
            if (mw__imap_lex_peek(L) == '\\') {
                const char *b = L->p++;
                mw_span a;
                if (mw__imap_lex_atom(L, &a) != MW_OK)
                    return L->status;
                *s = mw__span(b, (size_t)(L->p - b));
            } else if (mw__imap_lex_astring(L, s) != MW_OK) {
                return L->status;
            }
            if (mw__imap_lex_sp_opt(L) > 0)
                break;
        } while (mw__imap_lex_accept(L, ' '));
    }
    *items = first;
    *count = n;
    return mw__imap_rp_expect(L, ')');
}

/* A value that is not a body section; delivered with fetch_item. */
static int item_value(mw__imap_rp *rp, const item_name *nm, uint32_t msg)
{
    mw__imap_lex *L = &rp->L;
    mw_imap_client *c = rp->c;
    mw_imap_fetch_item it;
    const char *vs = L->p;
    memset(&it, 0, sizeof(it));
    it.id = nm->id;
    it.msg = msg;
    it.name = nm->name;
    switch (nm->id) {
    case MW_IMAP_FETCH_FLAGS:
#if MW_ENABLE_FAST_PATHS
        fast_flags(L, &it.flags);
#else
        mw__imap_lex_flag_list(L, 0, &it.flags);
#endif
        break;
    case MW_IMAP_FETCH_UID: {
        uint32_t v = 0;
        /* uniqueid = nz-number */
        if (mw__imap_rp_number(L, &v) == MW_OK && v == 0) {
            L->p = vs;
            mw__imap_lex_fail(L, MW_E_SYNTAX, "UID 0");
        }
        it.num = v;
        break;
    }
    case MW_IMAP_FETCH_INTERNALDATE:
#if MW_ENABLE_FAST_PATHS
        fast_datetime(L, &it.date);
#else
        mw__imap_lex_datetime(L, &it.date);
#endif
        break;
    case MW_IMAP_FETCH_SAVEDATE:
        /* RFC 8514: date-time / nil */
        if (mw__imap_lex_keyword(L, "NIL"))
            it.nil = 1;
        else
            mw__imap_lex_datetime(L, &it.date);
        break;
    case MW_IMAP_FETCH_RFC822_SIZE:
        /* RFC 9051 §9: "RFC822.SIZE" SP number64 */
        mw__imap_rp_number64(L, &it.num);
        break;
    case MW_IMAP_FETCH_BINARY_SIZE: {
        /* RFC 3516 §4.2 and RFC 9051 §9: "BINARY.SIZE" section-binary SP
         * number, a 32-bit number (unlike RFC822.SIZE): the server side
         * formats no more (mw_imap_server_fetch_binary_size()) */
        uint32_t v = 0;
        if (mw__imap_rp_number(L, &v) == MW_OK)
            it.num = v;
        it.section = nm->section;
        break;
    }
    case MW_IMAP_FETCH_MODSEQ:
        /* RFC 7162 §7: "MODSEQ" SP "(" permsg-modsequence ")" */
        mw__imap_rp_expect(L, '(');
        mw__imap_lex_number64(L, &it.num);
        mw__imap_rp_expect(L, ')');
        break;
    case MW_IMAP_FETCH_X_GM_MSGID:
    case MW_IMAP_FETCH_X_GM_THRID:
        mw__imap_lex_number64(L, &it.num);
        break;
    case MW_IMAP_FETCH_EMAILID:
        mw__imap_rp_expect(L, '(');
        objectid(L, &it.str);
        mw__imap_rp_expect(L, ')');
        break;
    case MW_IMAP_FETCH_THREADID:
        if (mw__imap_lex_keyword(L, "NIL")) {
            it.nil = 1;
            break;
        }
        mw__imap_rp_expect(L, '(');
        objectid(L, &it.str);
        mw__imap_rp_expect(L, ')');
        break;
    case MW_IMAP_FETCH_PREVIEW:
        /* RFC 8970 §5: "PREVIEW" SP nstring */
        mw__imap_rp_nstring(L, &it.str);
        it.nil = it.str.ptr == NULL && L->status == MW_OK;
        break;
    case MW_IMAP_FETCH_ENVELOPE: {
        mw_imap_envelope *e = NULL;
        mw__imap_rp_envelope(rp, &e);
        it.envelope = e;
        break;
    }
    case MW_IMAP_FETCH_BODY:
    case MW_IMAP_FETCH_BODYSTRUCTURE: {
        mw_imap_body *b = NULL;
        mw__imap_rp_body(rp, nm->id == MW_IMAP_FETCH_BODYSTRUCTURE, &b);
        it.body = b;
        break;
    }
    case MW_IMAP_FETCH_X_GM_LABELS:
        mw__imap_rp_astring_list(rp, &it.labels, &it.nlabels);
        break;
    default: {
        /* RFC 4466 style: any value, kept raw */
        mw_span v;
        it.id = MW_IMAP_FETCH_OTHER;
        mw__imap_lex_skip_value(L, c->max_depth, &v);
        break;
    }
    }
    if (L->status != MW_OK)
        return L->status;
    it.raw = mw__span(vs, (size_t)(L->p - vs));
    if (c->cb.fetch_item != NULL)
        mw__imap_rp_cb(rp, c->cb.fetch_item(c, c->user, &it));
    /* What the item built is valid during its callback only. */
    mw__imap_arena_reset(&c->arena);
    return MW_OK;
}

static int body_begin(mw__imap_rp *rp, const item_name *nm, uint32_t msg,
                      int form, uint64_t size)
{
    mw_imap_client *c = rp->c;
    mw_imap_body_section s;
    memset(&s, 0, sizeof(s));
    s.item = nm->id;
    s.form = form;
    s.msg = msg;
    s.origin = nm->origin;
    s.has_origin = (uint8_t)nm->has_origin;
    s.nil = form == MW_IMAP_BODY_NIL;
    s.size = size;
    s.name = nm->name;
    s.section = nm->section.ptr != NULL ? nm->section : mw__span(nm->name.ptr, 0);
    if (c->cb.body_begin == NULL)
        return MW_OK;
    return mw__imap_rp_cb(rp, c->cb.body_begin(c, c->user, &s));
}

/* A body section's value inside the frame text: quoted string, NIL, or a
 * literal taken inline. One body_data span, then body_end. */
static int section_value(mw__imap_rp *rp, const item_name *nm, uint32_t msg)
{
    mw__imap_lex *L = &rp->L;
    mw_imap_client *c = rp->c;
    mw_span v = {NULL, 0}; /* the lexers leave it unwritten on failure */
    int form, ch = mw__imap_lex_peek(L);
    if (ch == '"') {
        /* RFC 9051 nstring allows it; Yahoo's quoted sections may hold
         * 8-bit text (MW_IMAP_QUIRK_QUOTED_BODY). */
        unsigned saved = L->flags;
        if (c->quirks & MW_IMAP_QUIRK_QUOTED_BODY)
            L->flags |= MW__IMAP_LEX_8BIT;
        mw__imap_lex_quoted(L, &v);
        L->flags = saved;
        form = MW_IMAP_BODY_QUOTED;
    } else if (ch == '{' || ch == '~') {
        int bin = 0;
        if (ch == '~' && nm->id != MW_IMAP_FETCH_BINARY)
            return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                     "literal8 outside BINARY");
        mw__imap_lex_literal(L, &v, &bin);
        form = bin ? MW_IMAP_BODY_LITERAL8 : MW_IMAP_BODY_LITERAL;
    } else {
        mw__imap_rp_nstring(L, &v);
        if (L->status == MW_OK && v.ptr != NULL)
            return mw__imap_lex_fail(L, MW_E_SYNTAX, "body section value expected");
        form = MW_IMAP_BODY_NIL;
    }
    if (L->status != MW_OK)
        return L->status;
    if (body_begin(rp, nm, msg, form, v.len) != MW_OK)
        return rp->abort;
    if (v.len > 0 && c->cb.body_data != NULL &&
        mw__imap_rp_cb(rp, c->cb.body_data(c, c->user, v.ptr, v.len)) != MW_OK)
        return rp->abort;
    if (c->cb.body_end != NULL &&
        mw__imap_rp_cb(rp, c->cb.body_end(c, c->user)) != MW_OK)
        return rp->abort;
    mw__imap_arena_reset(&c->arena);
    return MW_OK;
}

/* ---- the item list ----------------------------------------------------- */

/* Parse items from L. at_open: L at "(" of the list; else L right after a
 * value (continuation). stop: the position of a literal announcement that
 * must turn out to be a body section value (LITERAL event), or NULL.
 * Returns MW_OK and sets *streamed when the stop was reached; at the
 * list's end (no stop) delivers fetch_end. */
static int items(mw__imap_rp *rp, uint32_t msg, int at_open, const char *stop,
                 uint64_t size, unsigned lit_flags, int *streamed)
{
    mw__imap_lex *L = &rp->L;
    mw_imap_client *c = rp->c;
    item_name nm;
    if (at_open) {
        if (mw__imap_rp_expect(L, '(') != MW_OK)
            return L->status;
        goto item;
    }
    for (;;) {
        /* after a value: SP item / ")" (extra SP before ")" only under
         * the trailing-space quirk) */
        if (L->p < L->end && *L->p == ' ') {
            if (!(L->flags & MW__IMAP_LEX_TRAILING_SP) ||
                mw__imap_lex_sp_opt(L) == 0) {
                L->p++;
                goto item;
            }
        }
        if (mw__imap_rp_expect(L, ')') != MW_OK)
            return L->status;
        if (stop != NULL) {
            L->p = stop;
            return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                     "literal after the end of FETCH");
        }
        if (mw__imap_lex_end(L) != MW_OK)
            return L->status;
        c->resp.mode = MW__IMAP_RS_NONE;
        if (c->cb.fetch_end != NULL)
            mw__imap_rp_cb(rp, c->cb.fetch_end(c, c->user, msg));
        return MW_OK;
    item:
        if (rp->abort != 0)
            return rp->abort;
        if (item_name_parse(L, &nm) != MW_OK || mw__imap_rp_sp(L) != MW_OK)
            return L->status;
        if (!nm.is_section) {
            if (item_value(rp, &nm, msg) != MW_OK)
                return L->status;
            continue;
        }
        if (stop != NULL && L->p == stop) {
            /* The body section's literal: stream it. */
            int bin = (lit_flags & MW__IMAP_LIT_BINARY) != 0;
            if (bin && nm.id != MW_IMAP_FETCH_BINARY)
                return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                         "literal8 outside BINARY");
            if (body_begin(rp, &nm, msg,
                           bin ? MW_IMAP_BODY_LITERAL8 : MW_IMAP_BODY_LITERAL,
                           size) != MW_OK)
                return rp->abort;
            c->resp.mode = MW__IMAP_RS_BODY;
            c->resp.body_left = size;
            c->resp.msg = msg;
            *streamed = 1;
            return MW_OK;
        }
        if (section_value(rp, &nm, msg) != MW_OK)
            return L->status != MW_OK ? L->status : rp->abort;
    }
}

int mw__imap_rp_fetch(mw__imap_rp *rp, uint32_t msg)
{
    mw__imap_lex *L = &rp->L;
    mw_imap_client *c = rp->c;
    int streamed = 0;
    /* message-data = nz-number SP "FETCH" SP msg-att */
    if (mw__imap_rp_sp(L) != MW_OK)
        return L->status;
    c->resp.msg = msg;
    if (c->cb.fetch_begin != NULL &&
        mw__imap_rp_cb(rp, c->cb.fetch_begin(c, c->user, msg)) != MW_OK)
        return rp->abort;
    return items(rp, msg, 1, NULL, 0, 0, &streamed);
}

int mw__imap_rp_fetch_cont(mw__imap_rp *rp)
{
    int streamed = 0;
    return items(rp, rp->c->resp.msg, 0, NULL, 0, 0, &streamed);
}

/* Is the literal announced at p[pos] in body-section position? p[from..pos)
 * is the text after the last literal taken into this segment. */
static int body_position(const char *p, size_t from, size_t pos)
{
    size_t i, j;
    if (pos <= from + 1 || p[pos - 1] != ' ')
        return 0;
    i = pos - 1; /* the SP */
    if (p[i - 1] == '>') {
        /* "<" number ">" */
        j = i - 1;
        while (j > from && (unsigned char)(p[j - 1] - '0') <= 9u)
            j--;
        if (j == i - 1 || j <= from + 1 || p[j - 1] != '<')
            return 0;
        i = j - 1;
    }
    if (i > from && p[i - 1] == ']') {
        /* back to the "[" of the section, then BODY / BINARY */
        j = i - 1;
        while (j > from && p[j - 1] != '[')
            j--;
        if (j <= from)
            return 0;
        j--; /* the "[" */
        if (j >= from + 4 && mw__imap_rp_kw(p + j - 4, 4, "BODY", 4) &&
            (j - 4 == from || p[j - 5] == ' ' || p[j - 5] == '('))
            return 1;
        if (j >= from + 6 && mw__imap_rp_kw(p + j - 6, 6, "BINARY", 6) &&
            (j - 6 == from || p[j - 7] == ' ' || p[j - 7] == '('))
            return 1;
        return 0;
    }
    /* RFC822 / RFC822.HEADER / RFC822.TEXT */
    j = i;
    while (j > from && p[j - 1] != ' ' && p[j - 1] != '(')
        j--;
    if (j == from && from != 0)
        return 0;
    return ieq(p + j, i - j, "RFC822", 6) ||
           ieq(p + j, i - j, "RFC822.HEADER", 13) ||
           ieq(p + j, i - j, "RFC822.TEXT", 11);
}

int mw__imap_rp_fetch_literal(mw__imap_rp *rp, int first, size_t lit_pos,
                              uint64_t size, unsigned lit_flags)
{
    mw__imap_lex *L = &rp->L;
    mw_imap_client *c = rp->c;
    mw__imap_rstate *rs = &c->resp;
    size_t from = 0;
    int streamed = 0;
    if (rs->lit_seg == L->base_offset && rs->lit_end <= lit_pos)
        from = rs->lit_end;
    if (!body_position(L->base, from, lit_pos))
        return MW__IMAP_TAKE_INLINE;
    if (first) {
        uint32_t msg = 0;
        /* "* " nz-number SP "FETCH" SP msg-att */
        L->p += 2;
        if (mw__imap_rp_number(L, &msg) != MW_OK ||
            mw__imap_rp_sp(L) != MW_OK)
            return MW__IMAP_TAKE_DISCARD;
        /* "FETCH" SP: checked by the caller (client_resp.c) */
        L->p += 5;
        if (msg == 0) {
            mw__imap_lex_fail(L, MW_E_SYNTAX, "FETCH of message number 0");
            return MW__IMAP_TAKE_DISCARD;
        }
        if (mw__imap_rp_sp(L) != MW_OK)
            return MW__IMAP_TAKE_DISCARD;
        rs->msg = msg;
        if (c->cb.fetch_begin != NULL &&
            mw__imap_rp_cb(rp, c->cb.fetch_begin(c, c->user, msg)) != MW_OK)
            return rp->abort;
        if (items(rp, msg, 1, L->base + lit_pos, size, lit_flags, &streamed) !=
            MW_OK)
            return rp->abort != 0 ? rp->abort : MW__IMAP_TAKE_DISCARD;
    } else {
        if (items(rp, rs->msg, 0, L->base + lit_pos, size, lit_flags,
                  &streamed) != MW_OK)
            return rp->abort != 0 ? rp->abort : MW__IMAP_TAKE_DISCARD;
    }
    if (!streamed) {
        mw__imap_lex_fail(L, MW_E_INTERNAL, "body section not found");
        return MW__IMAP_TAKE_DISCARD;
    }
    return MW__IMAP_TAKE_STREAM;
}
