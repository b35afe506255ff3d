/* SPDX-License-Identifier: MIT */
/*
 * FETCH and STORE arguments for the IMAP server's command parser: fetch
 * attributes with body sections (part numbers, HEADER, HEADER.FIELDS
 * (.NOT) lists, TEXT, MIME), partial ranges, BINARY (RFC 3516), the
 * macros ALL/FAST/FULL, the CONDSTORE/QRESYNC fetch modifiers (RFC 7162
 * §3.1.4, §3.2.6) and STORE with UNCHANGEDSINCE (RFC 7162 §3.1.3).
 *
 * The items end up as one contiguous array in the arena (front). The
 * names of a header-field list are collected on the stack while the list
 * is read and then stored in the arena's back end (where unescaped
 * strings go), so that nothing is allocated between two items; a list of
 * more than FIELDS_ON_STACK names is read a second time once the items
 * are complete.
 */
#include <string.h>

#include "imap/server_cmd_int.h"

/* RFC 9051 §9 fetch-att names, RFC 3501 §9 RFC822*, RFC 7162 MODSEQ,
 * RFC 8474, RFC 8514, RFC 8970, Gmail's X-GM-*. */
static const mw__imap_kw atts[] = {
    {"UID", 3, MW_IMAP_FA_UID},
    {"BODY", 4, MW_IMAP_FA_BODY},
    {"FLAGS", 5, MW_IMAP_FA_FLAGS},
    {"RFC822", 6, MW_IMAP_FA_RFC822},
    {"MODSEQ", 6, MW_IMAP_FA_MODSEQ},
    {"BINARY", 6, MW_IMAP_FA_BINARY},
    {"EMAILID", 7, MW_IMAP_FA_EMAILID},
    {"PREVIEW", 7, MW_IMAP_FA_PREVIEW},
    {"ENVELOPE", 8, MW_IMAP_FA_ENVELOPE},
    {"THREADID", 8, MW_IMAP_FA_THREADID},
    {"SAVEDATE", 8, MW_IMAP_FA_SAVEDATE},
    {"BODY.PEEK", 9, MW_IMAP_FA_BODY_SECTION},
    {"X-GM-MSGID", 10, MW_IMAP_FA_X_GM_MSGID},
    {"X-GM-THRID", 10, MW_IMAP_FA_X_GM_THRID},
    {"RFC822.SIZE", 11, MW_IMAP_FA_RFC822_SIZE},
    {"RFC822.TEXT", 11, MW_IMAP_FA_RFC822_TEXT},
    {"BINARY.PEEK", 11, MW_IMAP_FA_BINARY},
    {"BINARY.SIZE", 11, MW_IMAP_FA_BINARY_SIZE},
    {"X-GM-LABELS", 11, MW_IMAP_FA_X_GM_LABELS},
    {"INTERNALDATE", 12, MW_IMAP_FA_INTERNALDATE},
    {"BODYSTRUCTURE", 13, MW_IMAP_FA_BODYSTRUCTURE},
    {"RFC822.HEADER", 13, MW_IMAP_FA_RFC822_HEADER},
};

/* First index in atts[] of each name length 3..13 (14: the end). */
static const uint8_t att_at[15] = {0, 0, 0, 0, 1, 2, 3, 6, 8, 11, 12,
                                   14, 19, 20, 22};

static unsigned att_lookup(mw_span w, const char *end)
{
    unsigned i;
    if (w.len < 3 || w.len > 13)
        return 0;
    for (i = att_at[w.len]; i < att_at[w.len + 1]; i++) {
        if (mw__imap_sc_kweq(w.ptr, w.len, atts[i].kw, end))
            return atts[i].val;
    }
    return 0;
}

#if MW_ENABLE_FAST_PATHS
/* The fetch attribute that is the word at p (p < e; lo: the frame
 * start): its value, *len its length; 0 when none. The same answer as
 * att_lookup() of the word, without reading the word first. Only for
 * speed (features.h): without it the word is read and looked up. */
MW__SC_ALWAYS_INLINE unsigned att_find(const char *p, const char *e,
                                       const char *lo, size_t *len)
{
#define A(kw, v)                                                           \
    if (MW__SC_KWIS(p, e, lo, kw)) {                                       \
        *len = sizeof(kw) - 1u;                                            \
        return (v);                                                        \
    }
    switch (*p | 0x20) {
    case 'b':
        A("BODY.PEEK", MW_IMAP_FA_BODY_SECTION)
        A("BODYSTRUCTURE", MW_IMAP_FA_BODYSTRUCTURE)
        A("BODY", MW_IMAP_FA_BODY)
        A("BINARY.PEEK", MW_IMAP_FA_BINARY)
        A("BINARY", MW_IMAP_FA_BINARY)
        A("BINARY.SIZE", MW_IMAP_FA_BINARY_SIZE)
        break;
    case 'e':
        A("ENVELOPE", MW_IMAP_FA_ENVELOPE)
        A("EMAILID", MW_IMAP_FA_EMAILID)
        break;
    case 'f': A("FLAGS", MW_IMAP_FA_FLAGS) break;
    case 'i': A("INTERNALDATE", MW_IMAP_FA_INTERNALDATE) break;
    case 'm': A("MODSEQ", MW_IMAP_FA_MODSEQ) break;
    case 'p': A("PREVIEW", MW_IMAP_FA_PREVIEW) break;
    case 'r':
        A("RFC822.SIZE", MW_IMAP_FA_RFC822_SIZE)
        A("RFC822", MW_IMAP_FA_RFC822)
        A("RFC822.HEADER", MW_IMAP_FA_RFC822_HEADER)
        A("RFC822.TEXT", MW_IMAP_FA_RFC822_TEXT)
        break;
    case 's': A("SAVEDATE", MW_IMAP_FA_SAVEDATE) break;
    case 't': A("THREADID", MW_IMAP_FA_THREADID) break;
    case 'u': A("UID", MW_IMAP_FA_UID) break;
    case 'x':
        A("X-GM-MSGID", MW_IMAP_FA_X_GM_MSGID)
        A("X-GM-THRID", MW_IMAP_FA_X_GM_THRID)
        A("X-GM-LABELS", MW_IMAP_FA_X_GM_LABELS)
        break;
    default:
        break;
    }
#undef A
    return 0;
}
#endif /* MW_ENABLE_FAST_PATHS */

/* The fetch attribute at L->p: its value with *w its name, consumed, or
 * 0 with *w the word there (what att_lookup(mw__imap_sc_word(L)) gives). */
static unsigned att_take(mw__imap_lex *L, mw_span *w)
{
#if MW_ENABLE_FAST_PATHS
    size_t len = 0;
    unsigned att = 0;
    if (L->status == MW_OK && L->p < L->end)
        att = att_find(L->p, L->end, L->base, &len);
    if (att != 0) {
        w->ptr = L->p;
        w->len = len;
        L->p += len;
        return att;
    }
#endif
    *w = mw__imap_sc_word(L);
    return att_lookup(*w, L->end);
}

/* section-text / section-msgtext keywords (RFC 9051 §9). */
static const mw__imap_kw sectkw[] = {
    {"TEXT", 4, MW_IMAP_SECTION_TEXT},
    {"MIME", 4, MW_IMAP_SECTION_MIME},
    {"HEADER", 6, MW_IMAP_SECTION_HEADER},
    {"HEADER.FIELDS", 13, MW_IMAP_SECTION_HEADER_FIELDS},
    {"HEADER.FIELDS.NOT", 17, MW_IMAP_SECTION_HEADER_FIELDS_NOT},
};

/* MW__SC_KEYWORD(w, sectkw) by constants. */
static unsigned sect_take(mw__imap_lex *L, mw_span *w)
{
    unsigned r = 0;
    size_t n = 0;
#if MW_ENABLE_FAST_PATHS
    const char *p = L->p, *e = L->end, *lo = L->base;
    if (L->status == MW_OK && p < e) {
        MW__SC_TRY("HEADER.FIELDS", MW_IMAP_SECTION_HEADER_FIELDS)
        MW__SC_TRY("TEXT", MW_IMAP_SECTION_TEXT)
        MW__SC_TRY("HEADER", MW_IMAP_SECTION_HEADER)
        MW__SC_TRY("MIME", MW_IMAP_SECTION_MIME)
        MW__SC_TRY("HEADER.FIELDS.NOT", MW_IMAP_SECTION_HEADER_FIELDS_NOT)
    }
#endif
    return MW__SC_TOOK(w, sectkw);
}

#define FIELDS_ON_STACK 32u

/* header-list = "(" header-fld-name *(SP header-fld-name) ")": the names
 * go to store[] while they fit in cap (all of them when cap is the
 * count); *count is the number of names. */
#ifdef MW__SC_SSE2
/* The stops (non-ASTRING-CHARs) of the sixteen bytes at base (base < e),
 * none past e: the last bytes of the frame (16 bytes or more: checked by
 * the caller) are read by a load that ends at e. */
static inline unsigned names_block(const char *base, const char *e)
{
    if (e - base >= 16)
        return mw__imap_sc_stop16(
            _mm_loadu_si128((const __m128i *)(const void *)base),
            MW__SC_ASTR);
    return mw__imap_sc_stop16(
               _mm_loadu_si128((const __m128i *)(const void *)(e - 16)),
               MW__SC_ASTR) >>
           (16 - (e - base));
}
#endif

/* The usual header list, "(" then names of ASTRING-CHARs (none starting
 * with "~") separated by single SP, then ")", at most cap names: stored,
 * *count set, L->p after ")", 1. Anything else: 0 and nothing changed
 * (header_list() reads it then). The stops of sixteen bytes are found at
 * once and walked bit by bit, so a name costs a few instructions. */
static int header_list_fast(mw__imap_cmdp *P, uint32_t *count,
                            mw_span *store, uint32_t cap)
{
#ifdef MW__SC_SSE2
    mw__imap_lex *L = &P->L;
    const char *e = L->end, *lo = L->base, *s, *base;
    unsigned bits;
    uint32_t k = 0;
    if (L->status != MW_OK || (L->flags & MW__IMAP_LEX_8BIT) ||
        L->p >= e || *L->p != '(' || e - lo < 16)
        return 0;
    s = base = L->p + 1;
    bits = base < e ? names_block(base, e) : 0u;
    for (;;) {
        const char *d;
        while (bits == 0) {
            base += 16;
            if (base >= e)
                return 0;
            bits = names_block(base, e);
        }
        d = base + mw__imap_sc_ctz16(bits);
        bits &= bits - 1u;
        if (d == s || *s == '~' || k == cap)
            return 0;
        store[k].ptr = s;
        store[k].len = (size_t)(d - s);
        k++;
        if (*d == ')') {
            L->p = d + 1;
            *count = k;
            return 1;
        }
        if (*d != ' ')
            return 0;
        s = d + 1;
    }
#else
    (void)P;
    (void)count;
    (void)store;
    (void)cap;
    return 0;
#endif
}

static int header_list(mw__imap_cmdp *P, uint32_t *count, mw_span *store,
                       uint32_t cap)
{
    mw__imap_lex *L = &P->L;
    uint32_t k = 0;
    if (header_list_fast(P, count, store, cap))
        return MW_OK;
    if (mw__imap_sc_expect(L, '(') != MW_OK)
        return L->status;
    for (;;) {
        mw_span name;
        if (mw__imap_sc_astring(P, &name) != MW_OK)
            return L->status;
        if (k < cap)
            store[k] = name;
        if (k == UINT32_MAX)
            return mw__imap_lex_fail(L, MW_E_LIMIT, "too many header fields");
        k++;
        if (mw__imap_sc_accept(L, ')'))
            break;
        if (mw__imap_sc_sp(L) != MW_OK)
            return L->status;
    }
    *count = k;
    return MW_OK;
}

/* n spans in the arena's back end, aligned for mw_span. */
static mw_span *back_spans(mw__imap_cmdp *P, uint32_t n)
{
    size_t size = (size_t)n * sizeof(mw_span);
    char *b = P->a != NULL ? mw__imap_arena_bytes(P->a, size + 7u) : NULL;
    uintptr_t u;
    if (b == NULL) {
        (void)mw__imap_lex_fail(&P->L, MW_E_NOSPACE,
                                "arena full (header field names)");
        return NULL;
    }
    u = ((uintptr_t)b + 7u) & ~(uintptr_t)7u;
    return (mw_span *)u;
}

/* section = "[" [section-spec] "]"; binary=1: section-binary =
 * "[" [section-part] "]" (RFC 3516 §4.2). */
static int section(mw__imap_cmdp *P, mw_imap_fetch_req *it, int binary)
{
    mw__imap_lex *L = &P->L;
    const char *open = L->p;
    if (mw__imap_sc_expect(L, '[') != MW_OK)
        return L->status;
    if (mw__imap_sc_accept(L, ']')) {
        it->section_text = mw__span(open + 1, 0);
        return MW_OK;
    }
    /* section-part = nz-number *("." nz-number) */
    if (L->p < L->end && (unsigned char)(*L->p - '0') <= 9u) {
        for (;;) {
            uint32_t part;
            if (it->nparts >= MW_IMAP_SECTION_PARTS_MAX)
                return mw__imap_lex_fail(L, MW_E_LIMIT,
                                         "too many section part numbers");
            if (mw__imap_sc_nz_number(L, &part) != MW_OK)
                return L->status;
            it->parts[it->nparts++] = part;
            if (!mw__imap_sc_at(L, '.'))
                break;
            L->p++;
            if (L->p >= L->end || (unsigned char)(*L->p - '0') > 9u)
                break; /* "." section-text */
        }
        if (L->p[-1] != '.')
            goto close;
    }
    {
        const char *kwp = L->p;
        mw_span w;
        unsigned kind = sect_take(L, &w);
        if (binary)
            return mw__imap_sc_fail_at(L, kwp, MW_E_SYNTAX,
                                       "BINARY sections take part numbers "
                                       "only (RFC 3516 §4.2)");
        if (kind == 0)
            return mw__imap_sc_fail_at(L, kwp, MW_E_SYNTAX,
                                       "unknown section text");
        if (kind == MW_IMAP_SECTION_MIME && it->nparts == 0)
            return mw__imap_sc_fail_at(L, kwp, MW_E_SYNTAX,
                                       "MIME needs part numbers "
                                       "(RFC 9051 §6.4.5)");
        it->section = (uint8_t)kind;
        if (kind == MW_IMAP_SECTION_HEADER_FIELDS ||
            kind == MW_IMAP_SECTION_HEADER_FIELDS_NOT) {
            mw_span tmp[FIELDS_ON_STACK];
            if (mw__imap_sc_sp(L) != MW_OK ||
                header_list(P, &it->nfields, tmp, FIELDS_ON_STACK) != MW_OK)
                return L->status;
            if (it->nfields <= FIELDS_ON_STACK) {
                mw_span *arr = back_spans(P, it->nfields);
                if (arr == NULL)
                    return L->status;
                memcpy(arr, tmp, it->nfields * sizeof(mw_span));
                it->fields = arr;
            } else {
                P->fill_fields = 1; /* read again by fill_fields() */
            }
        }
    }
close:
    if (mw__imap_sc_expect(L, ']') != MW_OK)
        return L->status;
    it->section_text = mw__span(open + 1, (size_t)(L->p - open - 2));
    return MW_OK;
}

/* partial = "<" number64 "." nz-number64 ">" (RFC 9051 §9; RFC 3501 had
 * 32-bit numbers) */
static int partial(mw__imap_cmdp *P, mw_imap_fetch_req *it)
{
    mw__imap_lex *L = &P->L;
    const char *len_at;
    if (!mw__imap_sc_accept(L, '<'))
        return MW_OK;
    if (mw__imap_sc_number64(L, &it->origin) != MW_OK ||
        mw__imap_sc_expect(L, '.') != MW_OK)
        return L->status;
    len_at = L->p;
    if (mw__imap_sc_number64(L, &it->length) != MW_OK)
        return L->status;
    if (it->length == 0)
        return mw__imap_sc_fail_at(L, len_at, MW_E_SYNTAX,
                                   "partial length must not be 0");
    if (mw__imap_sc_expect(L, '>') != MW_OK)
        return L->status;
    it->has_partial = 1;
    return MW_OK;
}

/* One fetch-att appended to the command's item array. */
static int fetch_att_known(mw__imap_cmdp *P, unsigned att, size_t len);

static int fetch_att(mw__imap_cmdp *P)
{
    return fetch_att_known(P, 0, 0);
}

/* fetch_att() when the caller has found the attribute at L->p already
 * (att_find(): att with its length len), else att 0. */
static int fetch_att_known(mw__imap_cmdp *P, unsigned known, size_t len)
{
    mw_imap_fetch_args *f = &P->cmd->u.fetch;
    mw__imap_lex *L = &P->L;
    const char *start = L->p;
    mw_span w;
    unsigned att;
    mw_imap_fetch_req *it;
    if (known != 0 && L->status == MW_OK) {
        att = known;
        w = mw__span(L->p, len);
        L->p += len;
    } else {
        att = att_take(L, &w);
    }
    if (L->status != MW_OK)
        return L->status;
    if (att == 0)
        return mw__imap_sc_fail_at(L, start, MW_E_SYNTAX,
                                   w.len == 0 ? "fetch attribute expected"
                                              : "unknown fetch attribute");
    it = (mw_imap_fetch_req *)mw__imap_sc_push(P, f->items, f->nitems,
                                               sizeof *it,
                                               "arena full (FETCH items)");
    if (it == NULL)
        return L->status;
    if (f->nitems == 0)
        f->items = it;
    f->nitems++;
    it->att = (uint8_t)att;
    switch (att) {
    case MW_IMAP_FA_BODY:
        if (!mw__imap_sc_at(L, '['))
            return MW_OK; /* BODY alone: the structure */
        it->att = MW_IMAP_FA_BODY_SECTION;
        if (section(P, it, 0) != MW_OK)
            return L->status;
        return partial(P, it);
    case MW_IMAP_FA_BODY_SECTION: /* BODY.PEEK */
        it->peek = 1;
        if (section(P, it, 0) != MW_OK)
            return L->status;
        return partial(P, it);
    case MW_IMAP_FA_BINARY:
        it->peek = (uint8_t)(w.len == 11);
        if (section(P, it, 1) != MW_OK)
            return L->status;
        return partial(P, it);
    case MW_IMAP_FA_BINARY_SIZE:
        return section(P, it, 1);
    case MW_IMAP_FA_PREVIEW:
        /* PREVIEW [SP "(" preview-mod *(SP preview-mod) ")"], the only
         * modifier being LAZY (RFC 8970 §7). A "(" that does not start
         * with LAZY belongs to the fetch modifiers. */
        if (L->end - L->p >= 7 && L->p[0] == ' ' && L->p[1] == '(') {
            mw__imap_lex save = *L;
            mw_span m;
            L->p += 2;
            m = mw__imap_sc_word(L);
            if (!MW__SC_IS(m, "LAZY")) {
                *L = save;
                return MW_OK;
            }
            while (mw__imap_sc_at(L, ' ')) {
                L->p++;
                m = mw__imap_sc_word(L);
                if (!MW__SC_IS(m, "LAZY"))
                    return mw__imap_sc_fail_at(L, m.ptr, MW_E_SYNTAX,
                                               "unknown PREVIEW modifier");
            }
            if (mw__imap_sc_expect(L, ')') != MW_OK)
                return L->status;
            it->lazy = 1;
        }
        return MW_OK;
    default:
        return MW_OK;
    }
}

/* The names of each item's header-field list, now that the items are
 * contiguous. */
static int fill_fields(mw__imap_cmdp *P, mw_imap_fetch_req *items,
                       uint32_t n)
{
    mw__imap_lex *L = &P->L;
    uint32_t i;
    for (i = 0; i < n && L->status == MW_OK; i++) {
        mw_imap_fetch_req *it = &items[i];
        const char *q, *e;
        mw_span *arr;
        uint32_t k = 0;
        const char *save_p = L->p;
        if (it->nfields == 0 || it->fields != NULL)
            continue;
        arr = (mw_span *)mw__imap_sc_alloc(P->a,
                                              it->nfields * sizeof(mw_span));
        if (arr == NULL)
            return mw__imap_lex_fail(L, MW_E_NOSPACE,
                                     "arena full (header field names)");
        q = it->section_text.ptr;
        e = q + it->section_text.len;
        while (q < e && *q != '(')
            q++;
        L->p = q;
        (void)header_list(P, &k, arr, it->nfields);
        L->p = save_p;
        it->fields = arr;
    }
    return L->status;
}

static const mw__imap_kw macros[] = {
    {"ALL", 3, MW_IMAP_FETCH_MACRO_ALL},
    {"FAST", 4, MW_IMAP_FETCH_MACRO_FAST},
    {"FULL", 4, MW_IMAP_FETCH_MACRO_FULL},
};

/* RFC 9051 §6.4.5: ALL = (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE),
 * FAST = (FLAGS INTERNALDATE RFC822.SIZE), FULL = ALL + BODY. */
static int expand_macro(mw__imap_cmdp *P, unsigned macro)
{
    static const uint8_t list[5] = {MW_IMAP_FA_FLAGS, MW_IMAP_FA_INTERNALDATE,
                                    MW_IMAP_FA_RFC822_SIZE,
                                    MW_IMAP_FA_ENVELOPE, MW_IMAP_FA_BODY};
    unsigned n = macro == MW_IMAP_FETCH_MACRO_FAST ? 3u
               : macro == MW_IMAP_FETCH_MACRO_ALL  ? 4u : 5u;
    unsigned i;
    mw_imap_fetch_req *it;
    it = (mw_imap_fetch_req *)mw__imap_sc_alloc(P->a, n * sizeof *it);
    if (it == NULL)
        return mw__imap_lex_fail(&P->L, MW_E_NOSPACE,
                                 "arena full (FETCH items)");
    for (i = 0; i < n; i++)
        it[i].att = list[i];
    P->cmd->u.fetch.items = it;
    P->cmd->u.fetch.nitems = n;
    P->cmd->u.fetch.macro = (uint8_t)macro;
    return MW_OK;
}

static const mw__imap_kw modifiers[] = {
    {"CHANGEDSINCE", 12, 1},
    {"VANISHED", 8, 2},
};

static unsigned modifier_take(mw__imap_lex *L, mw_span *w)
{
    unsigned r = 0;
    size_t n = 0;
#if MW_ENABLE_FAST_PATHS
    const char *p = L->p, *e = L->end, *lo = L->base;
    if (L->status == MW_OK && p < e) {
        MW__SC_TRY("CHANGEDSINCE", 1)
        MW__SC_TRY("VANISHED", 2)
    }
#endif
    return MW__SC_TOOK(w, modifiers);
}

/* fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"
 * (RFC 4466 §2.4): CHANGEDSINCE mod-sequence-value (RFC 7162 §3.1.4),
 * VANISHED (RFC 7162 §3.2.6). */
static int fetch_modifiers(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_fetch_args *f = &P->cmd->u.fetch;
    if (mw__imap_sc_expect(L, '(') != MW_OK)
        return L->status;
    for (;;) {
        const char *at = L->p;
        mw_span w;
        unsigned mod = modifier_take(L, &w);
        if (mod == 1) { /* CHANGEDSINCE */
            if (f->has_changedsince)
                return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                           "CHANGEDSINCE given twice");
            if (mw__imap_sc_sp(L) != MW_OK ||
                mw__imap_sc_modseq(P, &f->changedsince, 1) != MW_OK)
                return L->status;
            f->has_changedsince = 1;
        } else if (mod == 2) { /* VANISHED */
            if (f->vanished)
                return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                           "VANISHED given twice");
            f->vanished = 1;
        } else {
            return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                       "unknown FETCH modifier");
        }
        if (mw__imap_sc_accept(L, ')'))
            break;
        if (mw__imap_sc_sp(L) != MW_OK)
            return L->status;
    }
    if (f->vanished) {
        /* RFC 7162 §3.2.6: VANISHED only with UID FETCH and
         * CHANGEDSINCE; anything else is answered BAD. */
        if (!(P->cmd->flags & MW_IMAP_CMDF_UID))
            return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                     "VANISHED needs UID FETCH "
                                     "(RFC 7162 §3.2.6)");
        if (!f->has_changedsince)
            return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                     "VANISHED needs CHANGEDSINCE "
                                     "(RFC 7162 §3.2.6)");
    }
    return MW_OK;
}

int mw__imap_sc_fetch(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_fetch_args *f = &P->cmd->u.fetch;
    /* fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" /
     *         fetch-att / "(" fetch-att *(SP fetch-att) ")")
     *         [fetch-modifiers]                      (RFC 9051 §9) */
    if (mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_sc_seqset(P, &f->set, 1) != MW_OK ||
        mw__imap_sc_sp(L) != MW_OK)
        return L->status;
    if (mw__imap_sc_accept(L, '(')) {
#if MW_ENABLE_FAST_PATHS
        /* The item list. An attribute without section or modifier
         * followed by SP or ")" is taken here (what fetch_att() does for
         * it) with the arena's front kept in locals: next, the place of
         * the next item, and room, the bytes free. Everything else (and
         * every error) goes to fetch_att(), with the arena up to date. */
        mw__imap_arena *a = P->a;
        const char *q = L->p, *e = L->end, *lo = L->base;
        unsigned char *next = NULL;
        size_t room = 0;
        if (a != NULL && a->base != NULL && (a->lo & 7u) == 0) {
            next = a->base + a->lo;
            room = a->cap - a->hi - a->lo;
        }
        for (;;) {
            size_t len = 0;
            unsigned att = q < e ? att_find(q, e, lo, &len) : 0u;
            const char *after = q + len;
            if (att != 0 && after < e && (*after == ' ' || *after == ')') &&
                att != MW_IMAP_FA_BODY_SECTION && att != MW_IMAP_FA_BINARY &&
                att != MW_IMAP_FA_BINARY_SIZE && att != MW_IMAP_FA_PREVIEW &&
                room >= sizeof(mw_imap_fetch_req) && f->nitems < UINT32_MAX) {
                mw_imap_fetch_req *it = (mw_imap_fetch_req *)(void *)next;
                mw__imap_sc_zero(it, sizeof *it);
                it->att = (uint8_t)att;
                if (f->nitems == 0)
                    f->items = it;
                f->nitems++;
                next += sizeof *it;
                room -= sizeof *it;
                q = after + 1;
                if (*after == ')')
                    break;
                continue;
            }
            /* the general way, from q (with the attribute found) */
            if (next != NULL)
                a->lo = (size_t)(next - a->base);
            L->p = q;
            if (fetch_att_known(P, att, len) != MW_OK)
                return L->status;
            if (next != NULL) {
                next = a->base + a->lo;
                room = a->cap - a->hi - a->lo;
            }
            if (L->p < e && *L->p == ')') {
                q = L->p + 1;
                break;
            }
            if (mw__imap_sc_sp(L) != MW_OK)
                return L->status;
            q = L->p;
        }
        L->p = q;
        if (next != NULL)
            a->lo = (size_t)(next - a->base);
#else
        /* The item list, one fetch_att() each (features.h: the loop
         * above is only for speed). */
        for (;;) {
            if (fetch_att(P) != MW_OK)
                return L->status;
            if (mw__imap_sc_accept(L, ')'))
                break;
            if (mw__imap_sc_sp(L) != MW_OK)
                return L->status;
        }
#endif
        if (P->fill_fields &&
            fill_fields(P, (mw_imap_fetch_req *)(uintptr_t)f->items,
                        f->nitems) != MW_OK)
            return L->status;
    } else {
        const char *at = L->p;
        mw_span w;
        unsigned m = MW__SC_KEYWORD(&w, macros);
        if (m != 0 && (L->p >= L->end || *L->p == ' ')) {
            if (expand_macro(P, m) != MW_OK)
                return L->status;
        } else {
            L->p = at;
            if (fetch_att(P) != MW_OK ||
                fill_fields(P, (mw_imap_fetch_req *)(uintptr_t)f->items,
                            f->nitems) != MW_OK)
                return L->status;
        }
    }
    if (L->p < L->end) {
        if (mw__imap_sc_sp(L) != MW_OK || fetch_modifiers(P) != MW_OK)
            return L->status;
    }
    return mw__imap_sc_end(L);
}

/* ---- STORE ------------------------------------------------------------- */

static const mw__imap_kw unchangedsince[] = {{"UNCHANGEDSINCE", 14, 1}};
static const mw__imap_kw store_ops[] = {
    {"FLAGS", 5, 1},
    {"FLAGS.SILENT", 12, 2},
};

static unsigned store_op_take(mw__imap_lex *L, mw_span *w)
{
    unsigned r = 0;
    size_t n = 0;
#if MW_ENABLE_FAST_PATHS
    const char *p = L->p, *e = L->end, *lo = L->base;
    if (L->status == MW_OK && p < e) {
        MW__SC_TRY("FLAGS.SILENT", 2)
        MW__SC_TRY("FLAGS", 1)
    }
#endif
    return MW__SC_TOOK(w, store_ops);
}

static unsigned unchangedsince_take(mw__imap_lex *L, mw_span *w)
{
    unsigned r = 0;
    size_t n = 0;
#if MW_ENABLE_FAST_PATHS
    const char *p = L->p, *e = L->end, *lo = L->base;
    if (L->status == MW_OK && p < e)
        MW__SC_TRY("UNCHANGEDSINCE", 1)
#endif
    return MW__SC_TOOK(w, unchangedsince);
}

int mw__imap_sc_store(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_store_args *s = &P->cmd->u.store;
    const char *at;
    mw_span w;
    unsigned op;
    /* store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags
     * store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP
     *                   (flag-list / (flag *(SP flag)))   (RFC 9051 §9)
     * store-modifiers: UNCHANGEDSINCE mod-sequence-valzer (RFC 7162 §7) */
    if (mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_sc_seqset(P, &s->set, 1) != MW_OK ||
        mw__imap_sc_sp(L) != MW_OK)
        return L->status;
    if (mw__imap_sc_accept(L, '(')) {
        for (;;) {
            at = L->p;
            if (unchangedsince_take(L, &w) == 0)
                return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                           "unknown STORE modifier");
            if (s->has_unchangedsince)
                return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                           "UNCHANGEDSINCE given twice");
            if (mw__imap_sc_sp(L) != MW_OK ||
                mw__imap_sc_modseq(P, &s->unchangedsince, 0) != MW_OK)
                return L->status;
            s->has_unchangedsince = 1;
            if (mw__imap_sc_accept(L, ')'))
                break;
            if (mw__imap_sc_sp(L) != MW_OK)
                return L->status;
        }
        if (mw__imap_sc_sp(L) != MW_OK)
            return L->status;
    }
    if (mw__imap_sc_accept(L, '+'))
        s->mode = MW_IMAP_STORE_ADD;
    else if (mw__imap_sc_accept(L, '-'))
        s->mode = MW_IMAP_STORE_REMOVE;
    else
        s->mode = MW_IMAP_STORE_REPLACE;
    at = L->p;
    op = store_op_take(L, &w);
    if (op == 2)
        s->silent = 1;
    else if (op != 1)
        return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                   "FLAGS or FLAGS.SILENT expected");
    if (mw__imap_sc_sp(L) != MW_OK)
        return L->status;
    if (mw__imap_sc_at(L, '(')) {
        s->parenthesised = 1;
        if (mw__imap_sc_flag_list(L, &s->flags) != MW_OK)
            return L->status;
    } else if (mw__imap_sc_flag_run(P, &s->flags) != MW_OK) {
        return L->status;
    }
    return mw__imap_sc_end(L);
}
