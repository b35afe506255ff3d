/* SPDX-License-Identifier: MIT */
/*
 * SEARCH, SORT and THREAD arguments for the IMAP server's command parser:
 * RETURN options (ESEARCH RFC 4731 §3.1, SEARCHRES RFC 5182 §2, ESORT
 * RFC 5267), CHARSET, sort criteria and thread algorithm (RFC 5256), and
 * the search-key grammar (RFC 9051 §6.4.4 and §9 `search-key`, RFC 3501
 * NEW/OLD/RECENT, RFC 7162 MODSEQ, RFC 5032 OLDER/YOUNGER, RFC 8474
 * EMAILID/THREADID, RFC 8514 SAVED*).
 *
 * The key tree is built in the arena without recursion: the parser keeps
 * the open container (the root AND, a parenthesised group, an OR or a NOT
 * waiting for its operands) and its last child, goes down when a key
 * opens a container and walks up the parent links when one is complete.
 * Containers deeper than the depth limit are MW_E_DEPTH, so 10,000 "("
 * cost one failed key, not a stack.
 */
#include <string.h>

#include "imap/server_cmd_int.h"

typedef mw_imap_search_key node;

/* Argument shapes of the search keys. */
enum {
    A_NONE = 0,
    A_ASTRING,   /* SP astring */
    A_DATE,      /* SP date */
    A_NUM64,     /* SP number64 */
    A_HEADER,    /* SP header-fld-name SP astring */
    A_FLAG,      /* SP flag-keyword */
    A_SET,       /* SP sequence-set */
    A_MODSEQ,    /* [SP entry-name SP entry-type-req] SP mod-sequence-valzer */
    A_NZ,        /* SP nz-number */
    A_OBJID,     /* SP objectid */
    A_OR,        /* SP search-key SP search-key */
    A_NOT        /* SP search-key */
};

typedef struct skw {
    char kw[MW__SC_KWLEN];
    uint8_t len;
    uint8_t kind;
    uint8_t arg;
} skw;

#define K(name, kind, arg) {name, (uint8_t)(sizeof(name) - 1u), kind, arg}

static const skw k_a[] = {K("ALL", MW_IMAP_SK_ALL, A_NONE),
                          K("ANSWERED", MW_IMAP_SK_ANSWERED, A_NONE)};
static const skw k_b[] = {K("BCC", MW_IMAP_SK_BCC, A_ASTRING),
                          K("BEFORE", MW_IMAP_SK_BEFORE, A_DATE),
                          K("BODY", MW_IMAP_SK_BODY, A_ASTRING)};
static const skw k_c[] = {K("CC", MW_IMAP_SK_CC, A_ASTRING)};
static const skw k_d[] = {K("DELETED", MW_IMAP_SK_DELETED, A_NONE),
                          K("DRAFT", MW_IMAP_SK_DRAFT, A_NONE)};
static const skw k_e[] = {K("EMAILID", MW_IMAP_SK_EMAILID, A_OBJID)};
static const skw k_f[] = {K("FLAGGED", MW_IMAP_SK_FLAGGED, A_NONE),
                          K("FROM", MW_IMAP_SK_FROM, A_ASTRING)};
static const skw k_h[] = {K("HEADER", MW_IMAP_SK_HEADER, A_HEADER)};
static const skw k_k[] = {K("KEYWORD", MW_IMAP_SK_KEYWORD, A_FLAG)};
static const skw k_l[] = {K("LARGER", MW_IMAP_SK_LARGER, A_NUM64)};
static const skw k_m[] = {K("MODSEQ", MW_IMAP_SK_MODSEQ, A_MODSEQ)};
static const skw k_n[] = {K("NOT", MW_IMAP_SK_NOT, A_NOT),
                          K("NEW", MW_IMAP_SK_NEW, A_NONE)};
static const skw k_o[] = {K("OR", MW_IMAP_SK_OR, A_OR),
                          K("ON", MW_IMAP_SK_ON, A_DATE),
                          K("OLD", MW_IMAP_SK_OLD, A_NONE),
                          K("OLDER", MW_IMAP_SK_OLDER, A_NZ)};
static const skw k_r[] = {K("RECENT", MW_IMAP_SK_RECENT, A_NONE)};
static const skw k_s[] = {K("SEEN", MW_IMAP_SK_SEEN, A_NONE),
                          K("SINCE", MW_IMAP_SK_SINCE, A_DATE),
                          K("SUBJECT", MW_IMAP_SK_SUBJECT, A_ASTRING),
                          K("SMALLER", MW_IMAP_SK_SMALLER, A_NUM64),
                          K("SENTON", MW_IMAP_SK_SENTON, A_DATE),
                          K("SENTSINCE", MW_IMAP_SK_SENTSINCE, A_DATE),
                          K("SENTBEFORE", MW_IMAP_SK_SENTBEFORE, A_DATE),
                          K("SAVEDON", MW_IMAP_SK_SAVEDON, A_DATE),
                          K("SAVEDSINCE", MW_IMAP_SK_SAVEDSINCE, A_DATE),
                          K("SAVEDBEFORE", MW_IMAP_SK_SAVEDBEFORE, A_DATE),
                          K("SAVEDATESUPPORTED", MW_IMAP_SK_SAVEDATESUPPORTED,
                            A_NONE)};
static const skw k_t[] = {K("TO", MW_IMAP_SK_TO, A_ASTRING),
                          K("TEXT", MW_IMAP_SK_TEXT, A_ASTRING),
                          K("THREADID", MW_IMAP_SK_THREADID, A_OBJID)};
static const skw k_u[] = {K("UID", MW_IMAP_SK_UID, A_SET),
                          K("UNSEEN", MW_IMAP_SK_UNSEEN, A_NONE),
                          K("UNDELETED", MW_IMAP_SK_UNDELETED, A_NONE),
                          K("UNFLAGGED", MW_IMAP_SK_UNFLAGGED, A_NONE),
                          K("UNANSWERED", MW_IMAP_SK_UNANSWERED, A_NONE),
                          K("UNDRAFT", MW_IMAP_SK_UNDRAFT, A_NONE),
                          K("UNKEYWORD", MW_IMAP_SK_UNKEYWORD, A_FLAG)};
static const skw k_y[] = {K("YOUNGER", MW_IMAP_SK_YOUNGER, A_NZ)};

/* The keyword table entry of w, or NULL. */
static const skw *lookup_key(mw_span w, const char *end)
{
    const skw *t;
    size_t n, i;
    unsigned char c;
    if (w.len == 0)
        return NULL;
    c = (unsigned char)w.ptr[0];
    if ((unsigned char)(c - 'a') < 26u)
        c = (unsigned char)(c - 32u);
#define T(arr) t = arr; n = sizeof(arr) / sizeof(arr[0]); break
    switch (c) {
    case 'A': T(k_a);
    case 'B': T(k_b);
    case 'C': T(k_c);
    case 'D': T(k_d);
    case 'E': T(k_e);
    case 'F': T(k_f);
    case 'H': T(k_h);
    case 'K': T(k_k);
    case 'L': T(k_l);
    case 'M': T(k_m);
    case 'N': T(k_n);
    case 'O': T(k_o);
    case 'R': T(k_r);
    case 'S': T(k_s);
    case 'T': T(k_t);
    case 'U': T(k_u);
    case 'Y': T(k_y);
    default: return NULL;
    }
#undef T
    for (i = 0; i < n; i++) {
        if (t[i].len == w.len && mw__imap_sc_kweq(w.ptr, w.len, t[i].kw, end))
            return &t[i];
    }
    return NULL;
}

#if MW_ENABLE_FAST_PATHS
/* The search key that is the word at p (p < e; lo: the frame start): 1
 * with its kind, argument shape and length, else 0. The same answer as
 * lookup_key() of the word, without reading the word first: candidates by
 * first letter, each a compare with constants. Only for speed
 * (features.h): without it the word is read and looked up. */
static int key_find(const char *p, const char *e, const char *lo,
                    unsigned *kind, unsigned *arg, size_t *len)
{
#define S(kw, k, a)                                                        \
    if (MW__SC_KWIS(p, e, lo, kw)) {                                       \
        *kind = (k);                                                       \
        *arg = (a);                                                        \
        *len = sizeof(kw) - 1u;                                            \
        return 1;                                                          \
    }
    switch (*p | 0x20) {
    case 'a':
        S("ALL", MW_IMAP_SK_ALL, A_NONE)
        S("ANSWERED", MW_IMAP_SK_ANSWERED, A_NONE)
        break;
    case 'b':
        S("BODY", MW_IMAP_SK_BODY, A_ASTRING)
        S("BEFORE", MW_IMAP_SK_BEFORE, A_DATE)
        S("BCC", MW_IMAP_SK_BCC, A_ASTRING)
        break;
    case 'c': S("CC", MW_IMAP_SK_CC, A_ASTRING) break;
    case 'd':
        S("DELETED", MW_IMAP_SK_DELETED, A_NONE)
        S("DRAFT", MW_IMAP_SK_DRAFT, A_NONE)
        break;
    case 'e': S("EMAILID", MW_IMAP_SK_EMAILID, A_OBJID) break;
    case 'f':
        S("FROM", MW_IMAP_SK_FROM, A_ASTRING)
        S("FLAGGED", MW_IMAP_SK_FLAGGED, A_NONE)
        break;
    case 'h': S("HEADER", MW_IMAP_SK_HEADER, A_HEADER) break;
    case 'k': S("KEYWORD", MW_IMAP_SK_KEYWORD, A_FLAG) break;
    case 'l': S("LARGER", MW_IMAP_SK_LARGER, A_NUM64) break;
    case 'm': S("MODSEQ", MW_IMAP_SK_MODSEQ, A_MODSEQ) break;
    case 'n':
        S("NOT", MW_IMAP_SK_NOT, A_NOT)
        S("NEW", MW_IMAP_SK_NEW, A_NONE)
        break;
    case 'o':
        S("OR", MW_IMAP_SK_OR, A_OR)
        S("ON", MW_IMAP_SK_ON, A_DATE)
        S("OLD", MW_IMAP_SK_OLD, A_NONE)
        S("OLDER", MW_IMAP_SK_OLDER, A_NZ)
        break;
    case 'r': S("RECENT", MW_IMAP_SK_RECENT, A_NONE) break;
    case 's':
        S("SEEN", MW_IMAP_SK_SEEN, A_NONE)
        S("SINCE", MW_IMAP_SK_SINCE, A_DATE)
        S("SUBJECT", MW_IMAP_SK_SUBJECT, A_ASTRING)
        S("SMALLER", MW_IMAP_SK_SMALLER, A_NUM64)
        S("SENTSINCE", MW_IMAP_SK_SENTSINCE, A_DATE)
        S("SENTBEFORE", MW_IMAP_SK_SENTBEFORE, A_DATE)
        S("SENTON", MW_IMAP_SK_SENTON, A_DATE)
        S("SAVEDON", MW_IMAP_SK_SAVEDON, A_DATE)
        S("SAVEDSINCE", MW_IMAP_SK_SAVEDSINCE, A_DATE)
        S("SAVEDBEFORE", MW_IMAP_SK_SAVEDBEFORE, A_DATE)
        S("SAVEDATESUPPORTED", MW_IMAP_SK_SAVEDATESUPPORTED, A_NONE)
        break;
    case 't':
        S("TO", MW_IMAP_SK_TO, A_ASTRING)
        S("TEXT", MW_IMAP_SK_TEXT, A_ASTRING)
        S("THREADID", MW_IMAP_SK_THREADID, A_OBJID)
        break;
    case 'u':
        S("UID", MW_IMAP_SK_UID, A_SET)
        S("UNSEEN", MW_IMAP_SK_UNSEEN, A_NONE)
        S("UNDELETED", MW_IMAP_SK_UNDELETED, A_NONE)
        S("UNFLAGGED", MW_IMAP_SK_UNFLAGGED, A_NONE)
        S("UNANSWERED", MW_IMAP_SK_UNANSWERED, A_NONE)
        S("UNDRAFT", MW_IMAP_SK_UNDRAFT, A_NONE)
        S("UNKEYWORD", MW_IMAP_SK_UNKEYWORD, A_FLAG)
        break;
    case 'y': S("YOUNGER", MW_IMAP_SK_YOUNGER, A_NZ) break;
    default:
        break;
    }
#undef S
    return 0;
}
#endif /* MW_ENABLE_FAST_PATHS */

/* objectid = 1*255(ALPHA / DIGIT / "_" / "-") (RFC 8474 §7) */
static int objectid(mw__imap_lex *L, mw_span *out)
{
    const char *s = L->p, *q = L->p;
    while (q < L->end) {
        unsigned char c = (unsigned char)*q;
        if (!((unsigned char)((c | 0x20) - 'a') < 26u ||
              (unsigned char)(c - '0') < 10u || c == '_' || c == '-'))
            break;
        q++;
    }
    if (q == s)
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "objectid expected");
    if (q - s > 255)
        return mw__imap_lex_fail(L, MW_E_TOO_LONG,
                                 "objectid longer than 255 (RFC 8474 §7)");
    out->ptr = s;
    out->len = (size_t)(q - s);
    L->p = q;
    return MW_OK;
}

/* MODSEQ [SP entry-name SP entry-type-req] SP mod-sequence-valzer
 * (RFC 7162 §3.1.5, §7): entry-name = DQUOTE "/flags/" attr-flag DQUOTE,
 * entry-type-req = "priv" / "shared" / "all". */
static int modseq_key(mw__imap_cmdp *P, node *n)
{
    mw__imap_lex *L = &P->L;
    if (mw__imap_sc_at(L, '"')) {
        const char *at = L->p;
        mw_span t, pre;
        if (mw__imap_lex_quoted(L, &n->field) != MW_OK)
            return L->status;
        pre = mw__span(n->field.ptr, n->field.len < 7 ? n->field.len : 7);
        if (n->field.len < 8 || !MW__SC_IS(pre, "/FLAGS/"))
            return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                       "MODSEQ entry name must be "
                                       "\"/flags/<flag>\" (RFC 7162 §7)");
        if (mw__imap_sc_sp(L) != MW_OK)
            return L->status;
        at = L->p;
        t = mw__imap_sc_word(L);
        if (MW__SC_IS(t, "PRIV"))
            n->entry_type = MW_IMAP_ENTRY_PRIV;
        else if (MW__SC_IS(t, "SHARED"))
            n->entry_type = MW_IMAP_ENTRY_SHARED;
        else if (MW__SC_IS(t, "ALL"))
            n->entry_type = MW_IMAP_ENTRY_ALL;
        else
            return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                       "entry type must be priv, shared "
                                       "or all (RFC 7162 §7)");
        if (mw__imap_sc_sp(L) != MW_OK)
            return L->status;
    }
    return mw__imap_sc_modseq(P, &n->num, 0);
}

/* date = date-text / DQUOTE date-text DQUOTE; date-text = date-day "-"
 * date-month "-" date-year (RFC 9051 §9). The usual forms "d-Mon-yyyy"
 * and "dd-Mon-yyyy" (quoted or not) with a valid day here; anything else
 * goes to the lexer (grammar.h mw__imap_lex_date), which gives the same
 * value or the error. Without fast paths (features.h) the lexer alone. */
static int search_date(mw__imap_lex *L, mw_imap_datetime *out)
{
#if MW_ENABLE_FAST_PATHS
    const char *p = L->p;
    size_t avail = (size_t)(L->end - p);
    int quoted, day, month, year, dim;
    size_t k;
    if (L->status != MW_OK || avail < 10)
        return mw__imap_lex_date(L, out);
    quoted = *p == '"';
    k = (size_t)quoted;
    if ((unsigned char)(p[k] - '0') > 9u)
        return mw__imap_lex_date(L, out);
    day = p[k++] - '0';
    if ((unsigned char)(p[k] - '0') <= 9u)
        day = day * 10 + (p[k++] - '0');
    /* "-" Mon "-" yyyy [DQUOTE] */
    if (avail < k + 9u + (size_t)quoted || p[k] != '-' || p[k + 4] != '-' ||
        (unsigned char)(p[k + 5] - '0') > 9u ||
        (unsigned char)(p[k + 6] - '0') > 9u ||
        (unsigned char)(p[k + 7] - '0') > 9u ||
        (unsigned char)(p[k + 8] - '0') > 9u ||
        (quoted && p[k + 9] != '"'))
        return mw__imap_lex_date(L, out);
    switch (((uint32_t)mw__lower((unsigned char)p[k + 1]) << 16) |
            ((uint32_t)mw__lower((unsigned char)p[k + 2]) << 8) |
            (uint32_t)mw__lower((unsigned char)p[k + 3])) {
    case 0x6a616e: month = 1; break;  /* jan */
    case 0x666562: month = 2; break;  /* feb */
    case 0x6d6172: month = 3; break;  /* mar */
    case 0x617072: month = 4; break;  /* apr */
    case 0x6d6179: month = 5; break;  /* may */
    case 0x6a756e: month = 6; break;  /* jun */
    case 0x6a756c: month = 7; break;  /* jul */
    case 0x617567: month = 8; break;  /* aug */
    case 0x736570: month = 9; break;  /* sep */
    case 0x6f6374: month = 10; break; /* oct */
    case 0x6e6f76: month = 11; break; /* nov */
    case 0x646563: month = 12; break; /* dec */
    default: return mw__imap_lex_date(L, out);
    }
    year = (p[k + 5] - '0') * 1000 + (p[k + 6] - '0') * 100 +
           (p[k + 7] - '0') * 10 + (p[k + 8] - '0');
    if (month == 2)
        dim = ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0) ? 29
                                                                     : 28;
    else
        dim = (month == 4 || month == 6 || month == 9 || month == 11) ? 30
                                                                      : 31;
    if (day < 1 || day > dim)
        return mw__imap_lex_date(L, out); /* the error, at the lexer's place */
    memset(out, 0, sizeof *out);
    out->day = day;
    out->month = month;
    out->year = year;
    L->p = p + k + 9u + (size_t)quoted;
    return MW_OK;
#else
    return mw__imap_lex_date(L, out);
#endif
}

/* The argument of a leaf key (after its keyword). */
static int leaf_arg(mw__imap_cmdp *P, node *n, unsigned arg)
{
    mw__imap_lex *L = &P->L;
    uint32_t v32;
    if (arg == A_NONE)
        return MW_OK;
    if (mw__imap_sc_sp(L) != MW_OK)
        return L->status;
    switch (arg) {
    case A_ASTRING:
        return mw__imap_sc_astring(P, &n->str);
    case A_DATE:
        return search_date(L, &n->date);
    case A_NUM64:
        return mw__imap_sc_number64(L, &n->num);
    case A_HEADER:
        if (mw__imap_sc_astring(P, &n->field) != MW_OK ||
            mw__imap_sc_sp(L) != MW_OK)
            return L->status;
        return mw__imap_sc_astring(P, &n->str);
    case A_FLAG:
        /* flag-keyword = "$MDNSent" / ... / atom (RFC 9051 §9) */
        return mw__imap_lex_atom(L, &n->str);
    case A_SET:
        return mw__imap_sc_seqset(P, &n->set, 1);
    case A_MODSEQ:
        return modseq_key(P, n);
    case A_NZ:
        if (mw__imap_sc_nz_number(L, &v32) != MW_OK)
            return L->status;
        n->num = v32;
        return MW_OK;
    case A_OBJID:
        return objectid(L, &n->str);
    default:
        return mw__imap_lex_fail(L, MW_E_INTERNAL, "bad key table");
    }
}

/* search-key *(SP search-key) up to the end of the frame, as a tree
 * under a fresh root AND node. The nodes are taken from the arena's
 * front through locals (next: where the next node goes, 0 when the
 * front is not usable that way; the room is read again after anything
 * that may take bytes from the back). */
static int search_keys(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_search_args *s = &P->cmd->u.search;
    mw__imap_arena *a = P->a;
    node *root, *cont, *last = NULL;
    uint32_t count = 0;
    const unsigned max_depth = P->max_depth;
    const char *e = L->end;

    root = (node *)mw__imap_sc_alloc(a, sizeof *root);
    if (root == NULL)
        return mw__imap_lex_fail(L, MW_E_NOSPACE, "arena full (search keys)");
    root->kind = MW_IMAP_SK_AND;
    cont = root;
    s->root = root;

    for (;;) {
        const char *at = L->p;
        node *n;
        unsigned need = 0; /* operands this key waits for: 0 for a leaf */
        unsigned char c;
        if (L->status != MW_OK)
            return L->status;
        if (at >= e)
            return mw__imap_lex_fail(L, MW_E_SYNTAX, "search key expected");
#if MW_ENABLE_FAST_PATHS
        /* mw__imap_sc_alloc(), its usual case inline */
        if (a != NULL && (a->lo & 7u) == 0 && a->base != NULL &&
            sizeof *n <= a->cap - a->hi - a->lo) {
            n = (node *)(void *)(a->base + a->lo);
            mw__imap_sc_zero(n, sizeof *n);
            a->lo += sizeof *n;
        } else
#endif
        {
            n = (node *)mw__imap_sc_alloc(a, sizeof *n);
            if (n == NULL)
                return mw__imap_lex_fail(L, MW_E_NOSPACE,
                                         "arena full (search keys)");
        }
        if (count == UINT32_MAX)
            return mw__imap_lex_fail(L, MW_E_LIMIT, "too many search keys");
        count++;
        n->parent = cont;
        n->depth = cont->depth < UINT16_MAX ? (uint16_t)(cont->depth + 1u)
                                            : UINT16_MAX;
        if (last != NULL)
            last->next = n;
        else
            cont->first = n;
        cont->nchildren++;
        last = n;

        c = (unsigned char)*at;
        if (c == '(') {
            n->kind = MW_IMAP_SK_AND;
            need = 1;
            L->p = at + 1;
        } else if ((unsigned char)(c - '0') <= 9u || c == '*' || c == '$') {
            n->kind = MW_IMAP_SK_SEQSET;
            if (mw__imap_sc_seqset(P, &n->set, 1) != MW_OK)
                return L->status;
        } else {
            unsigned kind = 0, arg = 0;
#if MW_ENABLE_FAST_PATHS
            size_t len = 0;
            if (key_find(at, e, L->base, &kind, &arg, &len)) {
                L->p = at + len;
            } else
#endif
            {
                mw_span w = mw__imap_sc_word(L);
                const skw *k = lookup_key(w, e);
                if (k == NULL)
                    return mw__imap_sc_fail_at(
                        L, at, MW_E_SYNTAX,
                        w.len == 0 ? "search key expected"
                                   : "unknown search key");
                kind = k->kind;
                arg = k->arg;
            }
            n->kind = (uint8_t)kind;
            if (arg == A_OR || arg == A_NOT) {
                if (mw__imap_sc_sp(L) != MW_OK)
                    return L->status;
                need = 1;
            } else if (arg != A_NONE) {
#if MW_ENABLE_FAST_PATHS
                const char *q = L->p;
                /* the usual string argument: SP and a quoted string
                 * (what leaf_arg() and mw__imap_sc_astring() do) */
                if (arg == A_ASTRING && e - q >= 2 && q[0] == ' ' &&
                    q[1] == '"') {
                    L->p = q + 1;
                    if (mw__imap_lex_quoted(L, &n->str) != MW_OK)
                        return L->status;
                } else
#endif
                if (leaf_arg(P, n, arg) != MW_OK) {
                    return L->status;
                }
            }
        }
        if (need) {
            /* A container: go down (bounded: no recursion, and no more
             * than max_depth open containers). */
            if (n->depth > max_depth)
                return mw__imap_sc_fail_at(L, at, MW_E_DEPTH,
                                           "search keys nested too deep");
            cont = n;
            last = NULL;
            continue;
        }
        /* A complete key: close every container it completes. */
        for (;;) {
            unsigned k = cont->kind;
            if ((k == MW_IMAP_SK_OR && cont->nchildren == 2) ||
                (k == MW_IMAP_SK_NOT && cont->nchildren == 1)) {
                last = cont;
                cont = (node *)(uintptr_t)cont->parent;
                continue;
            }
            if (k == MW_IMAP_SK_AND && cont != root && L->p < e &&
                *L->p == ')') {
                L->p++;
                last = cont;
                cont = (node *)(uintptr_t)cont->parent;
                continue;
            }
            break;
        }
        if (L->p < e && *L->p == ' ') { /* the usual SP */
            L->p++;
            continue;
        }
        if (cont == root && L->p >= e)
            break;
        if (mw__imap_sc_at(L, ')'))
            return mw__imap_lex_fail(
                L, MW_E_SYNTAX,
                cont == root ? "')' without '(' in search keys"
                : cont->kind == MW_IMAP_SK_OR ? "OR needs two search keys"
                : "NOT needs a search key");
        if (L->p >= e)
            return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                     cont->kind == MW_IMAP_SK_AND
                                         ? "')' expected in search keys"
                                         : "search key expected");
        if (mw__imap_sc_sp(L) != MW_OK)
            return L->status;
    }
    s->nkeys = count;
    return MW_OK;
}

/* [SP] "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
 * after the command name (RFC 4731 §3.1, RFC 5182 §2, RFC 9051 §9).
 * Called with L at "RETURN". */
static int return_opts(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_search_args *s = &P->cmd->u.search;
    static const mw__imap_kw opts[] = {
        {"MIN", 3, MW_IMAP_SEARCHRET_MIN},     {"MAX", 3, MW_IMAP_SEARCHRET_MAX},
        {"ALL", 3, MW_IMAP_SEARCHRET_ALL},     {"COUNT", 5, MW_IMAP_SEARCHRET_COUNT},
        {"SAVE", 4, MW_IMAP_SEARCHRET_SAVE},
    };
    (void)mw__imap_sc_word(L); /* "RETURN" */
    if (mw__imap_sc_sp(L) != MW_OK || mw__imap_sc_expect(L, '(') != MW_OK)
        return L->status;
    s->has_return = 1;
    if (mw__imap_sc_accept(L, ')')) {
        /* RFC 4731 §3.1: "RETURN ()" is "RETURN (ALL)" */
        s->return_opts = MW_IMAP_SEARCHRET_ALL;
        return MW_OK;
    }
    for (;;) {
        const char *at = L->p;
        unsigned o = 0;
#if MW_ENABLE_FAST_PATHS
        const char *e = L->end;
        /* the options by their constants first (mw__imap_sc_kwis) */
        if (L->status == MW_OK && at < e) {
#define R(kw, v)                                                           \
    if (o == 0 && MW__SC_KWIS(at, e, L->base, kw)) {                       \
        o = (v);                                                           \
        L->p = at + sizeof(kw) - 1u;                                       \
    }
            R("MIN", MW_IMAP_SEARCHRET_MIN)
            R("MAX", MW_IMAP_SEARCHRET_MAX)
            R("COUNT", MW_IMAP_SEARCHRET_COUNT)
            R("ALL", MW_IMAP_SEARCHRET_ALL)
            R("SAVE", MW_IMAP_SEARCHRET_SAVE)
#undef R
        }
#endif
        if (o == 0) {
            mw_span w = mw__imap_sc_word(L);
            o = MW__SC_LOOKUP(w, opts);
        }
        if (o == 0)
            return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                       "unknown RETURN option");
        s->return_opts |= o;
        if (mw__imap_sc_accept(L, ')'))
            return MW_OK;
        if (mw__imap_sc_sp(L) != MW_OK)
            return L->status;
    }
}

/* Whether the next word is kw followed by SP (no consumption). */
MW__SC_ALWAYS_INLINE int next_is(mw__imap_lex *L, const char *kw, size_t n)
{
    if (L->status != MW_OK || (size_t)(L->end - L->p) <= n)
        return 0;
    return L->p[n] == ' ' && mw__imap_sc_kwis(L->p, L->end, L->base, kw, n);
}

/* sort-criteria = "(" sort-criterion *(SP sort-criterion) ")";
 * sort-criterion = ["REVERSE" SP] sort-key (RFC 5256 §5, DISPLAYFROM and
 * DISPLAYTO RFC 5957 §4). */
static int sort_criteria(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_search_args *s = &P->cmd->u.search;
    static const mw__imap_kw keys[] = {
        {"CC", 2, MW_IMAP_SORT_CC},           {"TO", 2, MW_IMAP_SORT_TO},
        {"DATE", 4, MW_IMAP_SORT_DATE},       {"FROM", 4, MW_IMAP_SORT_FROM},
        {"SIZE", 4, MW_IMAP_SORT_SIZE},       {"ARRIVAL", 7, MW_IMAP_SORT_ARRIVAL},
        {"SUBJECT", 7, MW_IMAP_SORT_SUBJECT}, {"DISPLAYTO", 9, MW_IMAP_SORT_DISPLAYTO},
        {"DISPLAYFROM", 11, MW_IMAP_SORT_DISPLAYFROM},
    };
    if (mw__imap_sc_expect(L, '(') != MW_OK)
        return L->status;
    for (;;) {
        mw_imap_sort_criterion *c;
        const char *at;
        mw_span w;
        unsigned key;
        c = (mw_imap_sort_criterion *)mw__imap_sc_push(
            P, s->sort, s->nsort, sizeof *c, "arena full (sort criteria)");
        if (c == NULL)
            return L->status;
        if (s->nsort == 0)
            s->sort = c;
        if (next_is(L, "REVERSE", 7)) {
            L->p += 8;
            c->reverse = 1;
        }
        at = L->p;
        w = mw__imap_sc_word(L);
        key = MW__SC_LOOKUP(w, keys);
        if (key == 0)
            return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                       "unknown sort key (RFC 5256 §3)");
        c->key = (uint8_t)key;
        s->nsort++;
        if (mw__imap_sc_accept(L, ')'))
            break;
        if (mw__imap_sc_sp(L) != MW_OK)
            return L->status;
    }
    return MW_OK;
}

int mw__imap_sc_search(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_search_args *s = &P->cmd->u.search;
    int id = P->cmd->id;
    if (mw__imap_sc_sp(L) != MW_OK)
        return L->status;
    if (id == MW_IMAP_CMD_THREAD) {
        /* thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria;
         * search-criteria = charset 1*(SP search-key) (RFC 5256 §5) */
        if (mw__imap_lex_atom(L, &s->algorithm) != MW_OK ||
            mw__imap_sc_sp(L) != MW_OK ||
            mw__imap_sc_astring(P, &s->charset) != MW_OK ||
            mw__imap_sc_sp(L) != MW_OK)
            return L->status;
        return search_keys(P);
    }
    if (next_is(L, "RETURN", 6)) {
        if (return_opts(P) != MW_OK || mw__imap_sc_sp(L) != MW_OK)
            return L->status;
    }
    if (id == MW_IMAP_CMD_SORT) {
        /* sort = ["UID" SP] "SORT" [SP sort-return-opts] SP sort-criteria
         *        SP search-criteria (RFC 5256 §5, RFC 5267 §3.2) */
        if (sort_criteria(P) != MW_OK || mw__imap_sc_sp(L) != MW_OK ||
            mw__imap_sc_astring(P, &s->charset) != MW_OK ||
            mw__imap_sc_sp(L) != MW_OK)
            return L->status;
        return search_keys(P);
    }
    /* search = "SEARCH" [search-return-opts] SP search-program;
     * search-program = ["CHARSET" SP charset SP] search-key
     *                  *(SP search-key)          (RFC 9051 §9) */
    if (next_is(L, "CHARSET", 7)) {
        L->p += 8;
        if (mw__imap_sc_astring(P, &s->charset) != MW_OK ||
            mw__imap_sc_sp(L) != MW_OK)
            return L->status;
    }
    return search_keys(P);
}
