/* SPDX-License-Identifier: MIT */
/*
 * The IMAP server's command parser: tag, command name, dispatch, the
 * commands with simple arguments (LOGIN, AUTHENTICATE, RENAME, COPY/MOVE,
 * UID EXPUNGE, GETQUOTA, COMPRESS, the argument-less ones, unknown
 * commands), APPEND (whole, or head/next around streamed messages), the
 * literal role decision, the command/state table, and the small lexer
 * helpers the other server_cmd*.c files share (mailbox names with their
 * modified UTF-7 / UTF-8 flags, strings without literal8).
 *
 * Grammar: RFC 9051 §9 with RFC 3501 §9 and the extension RFCs cited at
 * each command. Strict: exactly one SP between tokens, no CR/LF/NUL
 * outside literals, every error with a specific reason at the byte that
 * is wrong.
 */
#include <string.h>

#include "imap/server_cmd_int.h"

/* ---- shared helpers ---------------------------------------------------- */

int mw__imap_sc_fail_at_(mw__imap_lex *L, const char *at, int status,
                         const char *reason)
{
    if (L->status == MW_OK) {
        L->status = status;
        L->err_offset = L->base_offset + (size_t)(at - L->base);
        L->reason = reason;
    }
    return L->status;
}

/* Keyword characters: letters, digits, '.', '-', '_', '='. Enough for
 * every keyword of the command grammar (command names, fetch attributes,
 * search keys, options); a keyword is then compared whole. */
const unsigned char mw__imap_sc_wordch[256] = {
    ['-'] = 1, ['.'] = 1, ['_'] = 1, ['='] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
    ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
    ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
    ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
    ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
    ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,
};


/* Every array element built with mw__imap_sc_push() has a size that is a
 * multiple of 8 (the arena's alignment) on every platform, so that
 * elements allocated one after another are contiguous. */
#define SIZE_CHECK(name, T) \
    typedef char mw__sc_size_##name[(sizeof(T) % 8u == 0u) ? 1 : -1]
SIZE_CHECK(span, mw_span);
SIZE_CHECK(mailbox, mw_imap_mailbox);
SIZE_CHECK(fetch, mw_imap_fetch_req);
SIZE_CHECK(sort, mw_imap_sort_criterion);
SIZE_CHECK(id, mw_imap_id_param);
SIZE_CHECK(quota, mw_imap_quota_limit);
SIZE_CHECK(meta, mw_imap_metadata_item);

/* Before a string: refuse literal8 and note the literal's kind in the
 * command flags. Returns 0 to go on, else the (sticky) status. */
static int string_prefix(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    const char *q;
    if (L->status != MW_OK)
        return L->status;
    if (L->p >= L->end)
        return 0;
    if (*L->p == '~') {
        if (L->p + 1 < L->end && L->p[1] == '{')
            return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                     "literal8 not allowed here "
                                     "(RFC 3516 §4.2)");
        return 0;
    }
    if (*L->p != '{')
        return 0;
    P->cmd->flags |= MW_IMAP_CMDF_LITERAL;
    for (q = L->p + 1; q < L->end && (unsigned char)(*q - '0') <= 9u; q++)
        ;
    if (q < L->end && *q == '+')
        P->cmd->flags |= MW_IMAP_CMDF_NONSYNC;
    return 0;
}

/* "~" starts an atom unless "{" follows (then it is literal8, refused
 * by string_prefix): "~/Mail/" is a mailbox name of RFC 3501 §6.3.8.
 * Returns 1 when it took the atom (or failed), 0 to let the lexer go. */
static int tilde_atom(mw__imap_cmdp *P, unsigned mask, mw_span *out)
{
    mw__imap_lex *L = &P->L;
    if (L->status != MW_OK || L->p >= L->end || *L->p != '~')
        return 0;
    if (L->flags & MW__IMAP_LEX_8BIT)
        mask |= MW__IMAP_C_8BIT;
    (void)mw__imap_lex_class(L, mask, out);
    return 1;
}

int mw__imap_sc_astring_slow(mw__imap_cmdp *P, mw_span *out)
{
    if (string_prefix(P) != 0)
        return P->L.status;
    if (tilde_atom(P, MW__IMAP_C_ASTRING, out))
        return P->L.status;
    return mw__imap_lex_astring(&P->L, out);
}

int mw__imap_sc_string(mw__imap_cmdp *P, mw_span *out)
{
    if (string_prefix(P) != 0)
        return P->L.status;
    return mw__imap_lex_string(&P->L, out);
}

int mw__imap_sc_nstring(mw__imap_cmdp *P, mw_span *out)
{
    if (string_prefix(P) != 0)
        return P->L.status;
    return mw__imap_lex_nstring(&P->L, out);
}

/* ---- mailbox names ------------------------------------------------------ */

/* Modified BASE64 alphabet of RFC 3501 §5.1.3 (RFC 2152 with "," for
 * "/"): value + 1, 0 for other bytes. */
static const unsigned char mb64[256] = {
    ['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6,
    ['G'] = 7, ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12,
    ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18,
    ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26,
    ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
    ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38,
    ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44,
    ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49, ['x'] = 50,
    ['y'] = 51, ['z'] = 52,
    ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57, ['5'] = 58,
    ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, [','] = 64,
};

/* Whether a 7-bit name is valid modified UTF-7 (RFC 3501 §5.1.3): "&-"
 * for "&"; otherwise "&" + modified BASE64 of UTF-16BE + "-", with no
 * printable US-ASCII encoded, surrogates paired, no leftover bits, no
 * null shift ("-&" right after a shift sequence). Sets *shifted when a
 * "&" appears. Linear, no output. */
static int mutf7_valid(const unsigned char *q, const unsigned char *e,
                       int *shifted)
{
    int prev_shift = 0;
    *shifted = 0;
    while (q < e) {
        uint32_t bits = 0;
        unsigned nbits = 0, units = 0;
        unsigned high = 0; /* pending high surrogate */
        if (*q != '&') {
            q++;
            prev_shift = 0;
            continue;
        }
        *shifted = 1;
        q++;
        if (q < e && *q == '-') { /* "&-" is "&" */
            q++;
            prev_shift = 0;
            continue;
        }
        if (prev_shift)
            return 0; /* "-&": a null shift between two sequences */
        while (q < e && mb64[*q] != 0) {
            bits = ((bits << 6) | (uint32_t)(mb64[*q] - 1u)) & 0x3FFFFFu;
            nbits += 6;
            q++;
            if (nbits >= 16) {
                unsigned u = (unsigned)(bits >> (nbits - 16)) & 0xFFFFu;
                nbits -= 16;
                units++;
                if (high != 0) {
                    if (u < 0xDC00 || u > 0xDFFF)
                        return 0; /* high surrogate not followed by low */
                    high = 0;
                } else if (u >= 0xD800 && u <= 0xDBFF) {
                    high = u;
                } else if (u >= 0xDC00 && u <= 0xDFFF) {
                    return 0; /* lone low surrogate */
                } else if (u >= 0x20 && u <= 0x7E) {
                    return 0; /* printable ASCII must represent itself */
                }
            }
        }
        if (q >= e || *q != '-')
            return 0; /* no implicit shift back to US-ASCII */
        if (units == 0 || high != 0)
            return 0;
        if (nbits >= 6 || (bits & ((1u << nbits) - 1u)) != 0)
            return 0; /* a wasted character or non-zero padding bits */
        q++;
        prev_shift = 1;
    }
    return 1;
}

/* UTF-8 validity (RFC 3629): no overlongs, no surrogates, <= U+10FFFF. */
static int utf8_valid(const unsigned char *q, const unsigned char *e)
{
    while (q < e) {
        unsigned c = *q;
        size_t need, i;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80) {
            q++;
            continue;
        }
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
        if ((size_t)(e - q) <= need || q[1] < lo || q[1] > hi)
            return 0;
        for (i = 2; i <= need; i++)
            if (q[i] < 0x80 || q[i] > 0xBF)
                return 0;
        q += need + 1;
    }
    return 1;
}

/* Bytes of a mailbox name that need a closer look: controls, DEL, '&'
 * and 8-bit. */
static const unsigned char mbspecial[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};

int mw__imap_sc_mailbox(mw__imap_cmdp *P, mw_imap_mailbox *mb, int list)
{
    mw__imap_lex *L = &P->L;
    const char *start = L->p;
    const unsigned char *q, *e;
    unsigned seen = 0;
    int shifted = 0;
    mb->flags = 0;
    mb->reserved_ = 0;
    if (string_prefix(P) != 0)
        return L->status;
    if (!list) {
        if (mw__imap_sc_astring(P, &mb->name) != MW_OK)
            return L->status;
    } else if (tilde_atom(P, MW__IMAP_C_LISTMB, &mb->name)) {
        if (L->status != MW_OK)
            return L->status;
    } else if (mw__imap_lex_list_mailbox(L, &mb->name) != MW_OK) {
        return L->status;
    }
    if (mb->name.len == 5 && mw__span_ieq(mb->name, "INBOX")) {
        /* RFC 9051 §5.1: INBOX in any case is INBOX (patterns keep their
         * text: the flag says it) */
        mb->flags |= MW_IMAP_MBOX_INBOX;
        if (!list)
            mb->name.ptr = "INBOX";
    }
    q = (const unsigned char *)mb->name.ptr;
    e = q + mb->name.len;
    for (; q < e; q++)
        seen |= mbspecial[*q];
    if (seen == 0) {
        mb->flags |= MW_IMAP_MBOX_MUTF7;
        return MW_OK;
    }
    if (seen & 1u)
        /* RFC 9051 §5.1: no control characters in mailbox names (only a
         * literal can carry them this far). */
        return mw__imap_sc_fail_at(L, start, MW_E_SYNTAX,
                                   "control character in mailbox name");
    q = (const unsigned char *)mb->name.ptr;
    if (seen & 4u) {
        /* 8-bit: UTF-8 names need UTF8=ACCEPT / IMAP4rev2 (RFC 6855 §3);
         * the 8BIT quirk lets anything through unflagged. */
        if (!(L->flags & (MW__IMAP_LEX_UTF8 | MW__IMAP_LEX_8BIT)))
            return mw__imap_sc_fail_at(
                L, start, MW_E_SYNTAX,
                "8-bit mailbox name without UTF8=ACCEPT (RFC 6855 §3)");
        if (utf8_valid(q, e))
            mb->flags |= MW_IMAP_MBOX_UTF8;
        else if (!(L->flags & MW__IMAP_LEX_8BIT))
            return mw__imap_sc_fail_at(L, start, MW_E_UTF8,
                                       "invalid UTF-8 in mailbox name");
        if (seen & 2u)
            mb->flags |= MW_IMAP_MBOX_SHIFTED;
        return MW_OK;
    }
    if (mutf7_valid(q, e, &shifted))
        mb->flags |= MW_IMAP_MBOX_MUTF7;
    if (shifted)
        mb->flags |= MW_IMAP_MBOX_SHIFTED;
    return MW_OK;
}

/* sequence-set = (seq-number / seq-range) ["," sequence-set];
 * seq-range = seq-number ":" seq-number; seq-number = nz-number / "*"
 * (RFC 9051 §9), or "$" (RFC 5182 §2). The same validation as the
 * lexer's mw__imap_lex_seqset() in one tight loop: sets are the most
 * frequent argument of a command stream. */
int mw__imap_sc_seqset(mw__imap_cmdp *P, mw_imap_seqset *set, int dollar_ok)
{
    mw__imap_lex *L = &P->L;
    const char *start = L->p, *q = L->p, *e = L->end;
    uint32_t ranges = 0;
    uint8_t star = 0;
    mw__imap_sc_zero(set, sizeof *set);
    if (L->status != MW_OK)
        return L->status;
    if (q < e && *q == '$') {
        if (!dollar_ok)
            return mw__imap_sc_fail_at(L, q, MW_E_SYNTAX,
                                       "\"$\" not allowed here (RFC 5182)");
        set->text = mw__span(q + 1, 0);
        set->dollar = 1;
        L->p = q + 1;
        return MW_OK;
    }
    if (q >= e || (*q != '*' && (unsigned char)(*q - '0') > 9u))
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "sequence set expected");
    for (;;) {
        int half;
        for (half = 0; half < 2; half++) {
            if (q < e && *q == '*') {
                star = 1;
                q++;
            } else if (q < e && (unsigned char)(*q - '1') <= 8u) {
                /* nz-number: 32-bit (RFC 9051 §9). The values are not
                 * kept (the text is), so only the size is checked: up
                 * to 9 digits always fit, 10 digits compare as text
                 * with 4294967295 (no leading zero here). */
                const char *s = q;
                q = mw__imap_sc_digits_end(q + 1, e);
                if (q - s >= 10 &&
                    (q - s > 10 || memcmp(s, "4294967295", 10) > 0))
                    return mw__imap_sc_fail_at(L, s, MW_E_OVERFLOW,
                                               "number too large");
            } else if (q < e && *q == '0') {
                return mw__imap_sc_fail_at(L, q, MW_E_SYNTAX,
                                           "0 is not a sequence number");
            } else {
                return mw__imap_sc_fail_at(L, q, MW_E_SYNTAX,
                                           "number expected");
            }
            if (half == 1 || q >= e || *q != ':')
                break;
            q++;
        }
        if (ranges == UINT32_MAX)
            return mw__imap_sc_fail_at(L, q, MW_E_LIMIT,
                                       "too many ranges in sequence set");
        ranges++;
        if (q >= e || *q != ',')
            break;
        q++;
    }
    set->text = mw__span(start, (size_t)(q - start));
    set->ranges = ranges;
    set->has_star = star;
    L->p = q;
    return MW_OK;
}

int mw__imap_sc_modseq(mw__imap_cmdp *P, uint64_t *out, int nonzero)
{
    mw__imap_lex *L = &P->L;
    const char *start = L->p;
    if (mw__imap_sc_number64(L, out) != MW_OK)
        return L->status;
    if (nonzero && *out == 0)
        return mw__imap_sc_fail_at(L, start, MW_E_SYNTAX,
                                   "mod-sequence must not be 0 (RFC 7162 §7)");
    return MW_OK;
}

/* System flags of a flag (RFC 9051 §2.3.2), 0 for keywords. */
unsigned mw__imap_sc_system_flag(const char *p, size_t n)
{
    mw_span s = mw__span(p, n);
    if (n < 5 || p[0] != '\\')
        return 0;
    s.ptr++;
    s.len--;
    if (MW__SC_IS(s, "SEEN"))
        return MW_IMAP_FLAG_SEEN;
    if (MW__SC_IS(s, "ANSWERED"))
        return MW_IMAP_FLAG_ANSWERED;
    if (MW__SC_IS(s, "FLAGGED"))
        return MW_IMAP_FLAG_FLAGGED;
    if (MW__SC_IS(s, "DELETED"))
        return MW_IMAP_FLAG_DELETED;
    if (MW__SC_IS(s, "DRAFT"))
        return MW_IMAP_FLAG_DRAFT;
    if (MW__SC_IS(s, "RECENT"))
        return MW_IMAP_FLAG_RECENT;
    return 0;
}

/* The flag lists of STORE and APPEND: flags of ATOM-CHARs, "\" before a
 * system flag, one SP between them. Anything else (an error, the 8BIT or
 * TRAILING_SP quirks) is left to the lexer, which reads the list from
 * the start again and gives the same result or the error. */
int mw__imap_sc_flag_list(mw__imap_lex *L, mw_imap_flags *out)
{
    const char *q, *e = L->end, *start;
    uint32_t count = 0;
    unsigned sys = 0;
    if (L->status != MW_OK ||
        (L->flags & (MW__IMAP_LEX_8BIT | MW__IMAP_LEX_TRAILING_SP)) ||
        L->p >= e || *L->p != '(')
        return mw__imap_lex_flag_list(L, 0, out);
    start = q = L->p + 1;
    if (q < e && *q != ')') {
        for (;;) {
            const char *f = q, *a;
            if (*q == '\\')
                q++;
            a = q;
            while (q < e &&
                   (mw__imap_cclass[(unsigned char)*q] & MW__IMAP_C_ATOM))
                q++;
            if (q == a || count == UINT32_MAX)
                return mw__imap_lex_flag_list(L, 0, out);
            if (a != f)
                sys |= mw__imap_sc_system_flag(f, (size_t)(q - f));
            count++;
            if (q + 1 < e && *q == ' ') {
                q++;
                continue;
            }
            break;
        }
    }
    if (q >= e || *q != ')')
        return mw__imap_lex_flag_list(L, 0, out);
    out->text = mw__span(start, (size_t)(q - start));
    out->count = count;
    out->system = sys;
    L->p = q + 1;
    return MW_OK;
}

int mw__imap_sc_flag_run(mw__imap_cmdp *P, mw_imap_flags *out)
{
    mw__imap_lex *L = &P->L;
    const char *start = L->p;
    memset(out, 0, sizeof *out);
    for (;;) {
        const char *f = L->p;
        mw_span atom;
        if (L->status != MW_OK)
            return L->status;
        if (L->p < L->end && *L->p == '\\')
            L->p++;
        /* flag-keyword / flag-extension: "\" atom or atom (RFC 9051 §9) */
        if (L->p >= L->end ||
            !(mw__imap_cclass[(unsigned char)*L->p] & MW__IMAP_C_ATOM))
            return mw__imap_lex_fail(L, MW_E_SYNTAX, "flag expected");
        if (mw__imap_lex_atom(L, &atom) != MW_OK)
            return L->status;
        out->count++;
        out->system |= mw__imap_sc_system_flag(f, (size_t)(L->p - f));
        if (L->p >= L->end)
            break;
        if (mw__imap_sc_sp(L) != MW_OK)
            return L->status;
    }
    out->text = mw__span(start, (size_t)(L->p - start));
    return MW_OK;
}

/* ---- command names ------------------------------------------------------ */

typedef struct cmdname {
    char kw[MW__SC_KWLEN];
    uint8_t len;
    uint8_t id;
} cmdname;

const unsigned char mw__imap_sc_mask[16] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                            0xFF, 0xFF, 0xFF};

/* Grouped by length so a lookup compares only same-length names. */
static const cmdname names[] = {
    {"ID", 2, MW_IMAP_CMD_ID},
    {"UID", 3, MW_IMAP_CMD_UID},
    {"NOOP", 4, MW_IMAP_CMD_NOOP},
    {"LIST", 4, MW_IMAP_CMD_LIST},
    {"LSUB", 4, MW_IMAP_CMD_LSUB},
    {"IDLE", 4, MW_IMAP_CMD_IDLE},
    {"COPY", 4, MW_IMAP_CMD_COPY},
    {"MOVE", 4, MW_IMAP_CMD_MOVE},
    {"SORT", 4, MW_IMAP_CMD_SORT},
    {"DONE", 4, MW_IMAP_CMD_DONE},
    {"FETCH", 5, MW_IMAP_CMD_FETCH},
    {"STORE", 5, MW_IMAP_CMD_STORE},
    {"LOGIN", 5, MW_IMAP_CMD_LOGIN},
    {"CHECK", 5, MW_IMAP_CMD_CHECK},
    {"CLOSE", 5, MW_IMAP_CMD_CLOSE},
    {"SEARCH", 6, MW_IMAP_CMD_SEARCH},
    {"SELECT", 6, MW_IMAP_CMD_SELECT},
    {"STATUS", 6, MW_IMAP_CMD_STATUS},
    {"APPEND", 6, MW_IMAP_CMD_APPEND},
    {"LOGOUT", 6, MW_IMAP_CMD_LOGOUT},
    {"ENABLE", 6, MW_IMAP_CMD_ENABLE},
    {"CREATE", 6, MW_IMAP_CMD_CREATE},
    {"DELETE", 6, MW_IMAP_CMD_DELETE},
    {"RENAME", 6, MW_IMAP_CMD_RENAME},
    {"THREAD", 6, MW_IMAP_CMD_THREAD},
    {"EXPUNGE", 7, MW_IMAP_CMD_EXPUNGE},
    {"EXAMINE", 7, MW_IMAP_CMD_EXAMINE},
    {"UNSELECT", 8, MW_IMAP_CMD_UNSELECT},
    {"STARTTLS", 8, MW_IMAP_CMD_STARTTLS},
    {"COMPRESS", 8, MW_IMAP_CMD_COMPRESS},
    {"GETQUOTA", 8, MW_IMAP_CMD_GETQUOTA},
    {"SETQUOTA", 8, MW_IMAP_CMD_SETQUOTA},
    {"SUBSCRIBE", 9, MW_IMAP_CMD_SUBSCRIBE},
    {"NAMESPACE", 9, MW_IMAP_CMD_NAMESPACE},
    {"CAPABILITY", 10, MW_IMAP_CMD_CAPABILITY},
    {"UNSUBSCRIBE", 11, MW_IMAP_CMD_UNSUBSCRIBE},
    {"GETMETADATA", 11, MW_IMAP_CMD_GETMETADATA},
    {"SETMETADATA", 11, MW_IMAP_CMD_SETMETADATA},
    {"AUTHENTICATE", 12, MW_IMAP_CMD_AUTHENTICATE},
    {"GETQUOTAROOT", 12, MW_IMAP_CMD_GETQUOTAROOT},
};

/* First index of each name length 0..12 in names[] (13 = end). */
static const uint8_t name_at[14] = {0, 0, 0, 1, 2, 10, 15, 25, 27, 32, 34,
                                     35, 38, 40};

#if MW_ENABLE_FAST_PATHS
/* The command whose name is the word at p (p < e; lo: the frame start),
 * or 0; *len its length. The same answer as lookup_name() of the word,
 * without reading the word first: candidates by first letter, each a
 * compare with constants. Only for speed (features.h): without it the
 * word is read and looked up in names[]. */
static int find_name(const char *p, const char *e, const char *lo,
                     size_t *len)
{
#define N(kw, id)                                                          \
    if (MW__SC_KWIS(p, e, lo, kw)) {                                       \
        *len = sizeof(kw) - 1u;                                            \
        return (id);                                                       \
    }
    switch (*p | 0x20) {
    case 'a':
        N("APPEND", MW_IMAP_CMD_APPEND)
        N("AUTHENTICATE", MW_IMAP_CMD_AUTHENTICATE)
        break;
    case 'c':
        N("CAPABILITY", MW_IMAP_CMD_CAPABILITY)
        N("COPY", MW_IMAP_CMD_COPY)
        N("CHECK", MW_IMAP_CMD_CHECK)
        N("CLOSE", MW_IMAP_CMD_CLOSE)
        N("CREATE", MW_IMAP_CMD_CREATE)
        N("COMPRESS", MW_IMAP_CMD_COMPRESS)
        break;
    case 'd':
        N("DELETE", MW_IMAP_CMD_DELETE)
        N("DONE", MW_IMAP_CMD_DONE)
        break;
    case 'e':
        N("EXPUNGE", MW_IMAP_CMD_EXPUNGE)
        N("EXAMINE", MW_IMAP_CMD_EXAMINE)
        N("ENABLE", MW_IMAP_CMD_ENABLE)
        break;
    case 'f': N("FETCH", MW_IMAP_CMD_FETCH) break;
    case 'g':
        N("GETQUOTA", MW_IMAP_CMD_GETQUOTA)
        N("GETQUOTAROOT", MW_IMAP_CMD_GETQUOTAROOT)
        N("GETMETADATA", MW_IMAP_CMD_GETMETADATA)
        break;
    case 'i':
        N("IDLE", MW_IMAP_CMD_IDLE)
        N("ID", MW_IMAP_CMD_ID)
        break;
    case 'l':
        N("LIST", MW_IMAP_CMD_LIST)
        N("LOGIN", MW_IMAP_CMD_LOGIN)
        N("LOGOUT", MW_IMAP_CMD_LOGOUT)
        N("LSUB", MW_IMAP_CMD_LSUB)
        break;
    case 'm': N("MOVE", MW_IMAP_CMD_MOVE) break;
    case 'n':
        N("NOOP", MW_IMAP_CMD_NOOP)
        N("NAMESPACE", MW_IMAP_CMD_NAMESPACE)
        break;
    case 'r': N("RENAME", MW_IMAP_CMD_RENAME) break;
    case 's':
        N("STORE", MW_IMAP_CMD_STORE)
        N("SEARCH", MW_IMAP_CMD_SEARCH)
        N("SELECT", MW_IMAP_CMD_SELECT)
        N("STATUS", MW_IMAP_CMD_STATUS)
        N("SORT", MW_IMAP_CMD_SORT)
        N("STARTTLS", MW_IMAP_CMD_STARTTLS)
        N("SUBSCRIBE", MW_IMAP_CMD_SUBSCRIBE)
        N("SETQUOTA", MW_IMAP_CMD_SETQUOTA)
        N("SETMETADATA", MW_IMAP_CMD_SETMETADATA)
        break;
    case 't': N("THREAD", MW_IMAP_CMD_THREAD) break;
    case 'u':
        N("UID", MW_IMAP_CMD_UID)
        N("UNSELECT", MW_IMAP_CMD_UNSELECT)
        N("UNSUBSCRIBE", MW_IMAP_CMD_UNSUBSCRIBE)
        break;
    default:
        break;
    }
#undef N
    return 0;
}
#endif /* MW_ENABLE_FAST_PATHS */

static int lookup_name(mw_span w, const char *end)
{
    unsigned i;
    if (w.len < 2 || w.len > 12)
        return MW_IMAP_CMD_OTHER;
    for (i = name_at[w.len]; i < name_at[w.len + 1]; i++) {
        if (mw__imap_sc_kweq(w.ptr, w.len, names[i].kw, end))
            return names[i].id;
    }
    return MW_IMAP_CMD_OTHER;
}

/* ---- simple commands ---------------------------------------------------- */

/* SASL initial response (RFC 4959 §3: base64 or "="): strict base64 of
 * RFC 4648 §4, length a multiple of 4, "=" padding only at the end. */
static int sasl_ir(mw__imap_cmdp *P, mw_span *out)
{
    mw__imap_lex *L = &P->L;
    const char *s = L->p, *q = L->p;
    size_t pad = 0;
    if (q < L->end && *q == '=' && q + 1 == L->end) {
        out->ptr = q;
        out->len = 1;
        L->p = L->end;
        return MW_OK;
    }
    for (; q < L->end; q++) {
        unsigned char c = (unsigned char)*q;
        if (c == '=') {
            pad++;
            continue;
        }
        if (pad != 0 || !((mb64[c] != 0 && c != ',') || c == '/'))
            return mw__imap_sc_fail_at(
                L, q, MW_E_BASE64,
                "invalid base64 in initial response (RFC 4959 §3)");
    }
    if (q == s)
        return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                 "initial response expected");
    if (((size_t)(q - s)) % 4u != 0 || pad > 2)
        return mw__imap_sc_fail_at(L, s, MW_E_BASE64,
                                   "base64 length is not a multiple of 4");
    out->ptr = s;
    out->len = (size_t)(q - s);
    L->p = q;
    return MW_OK;
}

static int parse_authenticate(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_authenticate_args *a = &P->cmd->u.authenticate;
    /* RFC 9051 §9: authenticate = "AUTHENTICATE" SP auth-type
     * [SP initial-resp]; auth-type = atom. */
    if (mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_lex_atom(L, &a->mechanism) != MW_OK)
        return L->status;
    if (L->p < L->end) {
        if (mw__imap_sc_sp(L) != MW_OK || sasl_ir(P, &a->initial) != MW_OK)
            return L->status;
        a->has_initial = 1;
    }
    return mw__imap_sc_end(L);
}

static int parse_login(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    /* login = "LOGIN" SP userid SP password (RFC 9051 §9) */
    if (mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_sc_astring(P, &P->cmd->u.login.user) != MW_OK ||
        mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_sc_astring(P, &P->cmd->u.login.password) != MW_OK)
        return L->status;
    return mw__imap_sc_end(L);
}

static int parse_one_mailbox(mw__imap_cmdp *P, mw_imap_mailbox *mb)
{
    mw__imap_lex *L = &P->L;
    if (mw__imap_sc_sp(L) != MW_OK || mw__imap_sc_mailbox(P, mb, 0) != MW_OK)
        return L->status;
    return mw__imap_sc_end(L);
}

static int parse_rename(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    /* rename = "RENAME" SP mailbox SP mailbox (RFC 9051 §6.3.6) */
    if (mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_sc_mailbox(P, &P->cmd->u.rename.from, 0) != MW_OK ||
        mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_sc_mailbox(P, &P->cmd->u.rename.to, 0) != MW_OK)
        return L->status;
    return mw__imap_sc_end(L);
}

static int parse_copy(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    /* copy = "COPY" SP sequence-set SP mailbox; move likewise (RFC 6851) */
    if (mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_sc_seqset(P, &P->cmd->u.copy.set, 1) != MW_OK ||
        mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_sc_mailbox(P, &P->cmd->u.copy.mailbox, 0) != MW_OK)
        return L->status;
    return mw__imap_sc_end(L);
}

static int parse_expunge(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    if (!(P->cmd->flags & MW_IMAP_CMDF_UID))
        return mw__imap_sc_end(L);
    /* uid-expunge = "UID" SP "EXPUNGE" SP sequence-set (RFC 4315 §2.1) */
    if (mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_sc_seqset(P, &P->cmd->u.expunge.set, 1) != MW_OK)
        return L->status;
    P->cmd->u.expunge.has_set = 1;
    return mw__imap_sc_end(L);
}

static int parse_getquota(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    /* getquota = "GETQUOTA" SP quota-root-name (RFC 9208 §4.1);
     * quota-root-name = astring */
    if (mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_sc_astring(P, &P->cmd->u.quota.root) != MW_OK)
        return L->status;
    return mw__imap_sc_end(L);
}

static int parse_compress(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_compress_args *c = &P->cmd->u.compress;
    /* compress = "COMPRESS" SP algorithm; algorithm = "DEFLATE"
     * (RFC 4978 §5); other atoms are left to the application (NO). */
    if (mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_lex_atom(L, &c->mechanism) != MW_OK)
        return L->status;
    c->deflate = MW__SC_IS(c->mechanism, "DEFLATE");
    return mw__imap_sc_end(L);
}

static int parse_other(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_other_args *o = &P->cmd->u.other;
    o->name = P->cmd->name;
    o->args = mw__span(L->p, 0);
    if (L->p >= L->end)
        return MW_OK;
    if (mw__imap_sc_sp(L) != MW_OK)
        return L->status;
    /* Raw arguments (RFC 4466 §2.1 generic extension syntax is not
     * checked: the machine answers BAD anyway unless the application
     * takes the command). The framer guarantees no CRLF outside
     * literals; one SP between tokens still holds at both ends. */
    if (L->p >= L->end || *L->p == ' ')
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "argument expected");
    if (L->end[-1] == ' ' && !(L->flags & MW__IMAP_LEX_TRAILING_SP))
        return mw__imap_sc_fail_at(L, L->end - 1, MW_E_SYNTAX,
                                   "trailing SP");
    o->args = mw__span(L->p, (size_t)(L->end - L->p));
    L->p = L->end;
    return MW_OK;
}

/* ---- APPEND --------------------------------------------------------------- */

/* After "UTF8 (" only a literal8 may come (RFC 6855 §4 utf8-literal). */
static int utf8_needs_literal8(mw__imap_lex *L, const mw_imap_append_args *ap)
{
    if (ap->utf8 && L->status == MW_OK && (L->p >= L->end || *L->p != '~'))
        return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                 "literal8 expected after \"UTF8 (\" (RFC "
                                 "6855 §4)");
    return L->status;
}

/* Consume the byte c of "UTF8 (" literal8 ")" (RFC 6855 §4), else fail
 * with the reason given (more telling than mw__imap_lex_expect()'s). */
static int utf8_byte_(mw__imap_lex *L, char c, const char *reason)
{
    if (L->status != MW_OK)
        return L->status;
    if (L->p >= L->end || *L->p != c)
        return mw__imap_lex_fail(L, MW_E_SYNTAX, reason);
    L->p++;
    return MW_OK;
}
#define utf8_byte(L, c, reason) utf8_byte_((L), (c), MW__TEXT(reason))

/* The ")" that closes "UTF8 (" after the message (RFC 6855 §4). */
static int utf8_close(mw__imap_lex *L, const mw_imap_append_args *ap)
{
    if (!ap->utf8)
        return L->status;
    return utf8_byte(L, ')',
                     "\")\" expected after the UTF8 literal8 (RFC 6855 §4)");
}

/* ---- CATENATE (RFC 4469) ------------------------------------------------- */

/* "CATENATE" SP "(" at L->p, when the server offers CATENATE (the
 * MW__IMAP_AP_CATENATE bit of the lexer flags): consumed, 1. Otherwise
 * nothing is consumed and the caller goes on as without the extension
 * (RFC 4469 §5 `append-data =/ "CATENATE" SP "(" ...`). */
static int catenate_open(mw__imap_lex *L)
{
    if (!(L->flags & MW__IMAP_AP_CATENATE) || L->status != MW_OK ||
        !MW__SC_KWIS(L->p, L->end, L->base, "CATENATE"))
        return 0;
    L->p += 8;
    if (mw__imap_sc_sp(L) == MW_OK)
        (void)mw__imap_sc_expect(L, '(');
    return 1;
}

/* One cat-part (RFC 4469 §5): "TEXT" SP literal, or "URL" SP astring.
 * For TEXT only the announcement is read when it ends the text (the
 * machine streams the part, *kind = TEXT, ap->size set); an inline
 * literal (a whole frame) is read with its bytes (ap->data). A literal8
 * is refused: RFC 4469 §5 defines `text-literal = "TEXT" SP literal` and
 * no standard adds literal8 to it. The part count is bounded by
 * #MW_IMAP_SERVER_CATENATE_PARTS_MAX. */
/* "{" number ["+"] "}" (RFC 9051 §4.3, RFC 7888 LITERAL+/-): the size
 * and whether it is non-synchronising, marked in the command's flags. */
static int literal_announce(mw__imap_cmdp *P, mw_imap_append_args *ap)
{
    mw__imap_lex *L = &P->L;
    if (mw__imap_sc_expect(L, '{') != MW_OK ||
        mw__imap_sc_number64(L, &ap->size) != MW_OK)
        return L->status;
    ap->nonsync = (uint8_t)mw__imap_sc_accept(L, '+');
    if (mw__imap_sc_expect(L, '}') != MW_OK)
        return L->status;
    P->cmd->flags |= MW_IMAP_CMDF_LITERAL;
    if (ap->nonsync)
        P->cmd->flags |= MW_IMAP_CMDF_NONSYNC;
    return MW_OK;
}

/* The SP after a part's keyword, and no literal8 after it: RFC 4469 §5
 * gives TEXT a `literal` and URL an `astring`, neither a `~{n}`. `reason`
 * comes through MW__TEXT at the call site. */
static int sp_no_literal8(mw__imap_lex *L, const char *reason)
{
    if (mw__imap_sc_sp(L) != MW_OK)
        return L->status;
    if (L->p < L->end && *L->p == '~')
        return mw__imap_lex_fail_(L, MW_E_SYNTAX, reason);
    return MW_OK;
}

static int cat_part(mw__imap_cmdp *P, mw_imap_append_args *ap, int *streamed)
{
    mw__imap_lex *L = &P->L;
    *streamed = 0;
    if (L->status != MW_OK)
        return L->status;
    if (ap->nparts >= MW_IMAP_SERVER_CATENATE_PARTS_MAX)
        return mw__imap_lex_fail(L, MW_E_LIMIT, "too many CATENATE parts");
    ap->part = ap->nparts;
    ap->part_kind = MW_IMAP_CATPART_NONE; /* until a part is read whole */
    ap->url = mw__span(NULL, 0);
    ap->data = mw__span(NULL, 0);
    if (MW__SC_KWIS(L->p, L->end, L->base, "URL")) {
        L->p += 3;
        if (sp_no_literal8(L, MW__TEXT("literal8 in a CATENATE URL (RFC "
                                       "4469 §5: astring)")) != MW_OK)
            return L->status;
        if (mw__imap_sc_astring(P, &ap->url) != MW_OK)
            return L->status;
        ap->part_kind = MW_IMAP_CATPART_URL;
        ap->nparts++;
        return MW_OK;
    }
    if (MW__SC_KWIS(L->p, L->end, L->base, "TEXT")) {
        const char *lit;
        L->p += 4;
        if (sp_no_literal8(L, MW__TEXT("literal8 in a CATENATE TEXT part "
                                       "(RFC 4469 §5: literal)")) != MW_OK)
            return L->status;
        if (L->p >= L->end || *L->p != '{')
            return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                     "literal expected after TEXT (RFC "
                                     "4469 §5)");
        ap->part_kind = MW_IMAP_CATPART_TEXT;
        ap->binary = 0;
        lit = L->p;
        if (literal_announce(P, ap) != MW_OK)
            return L->status;
        ap->nparts++;
        if (L->p == L->end) {
            *streamed = 1; /* the machine streams the bytes */
            return MW_OK;
        }
        /* inline (a whole frame): the bytes follow the announcement */
        L->p = lit;
        {
            int bin = 0;
            if (mw__imap_lex_literal(L, &ap->data, &bin) != MW_OK)
                return L->status;
            ap->size = ap->data.len;
        }
        return MW_OK;
    }
    return mw__imap_lex_fail(L, MW_E_SYNTAX,
                             "TEXT or URL expected (RFC 4469 §5 cat-part)");
}

/* The rest of a cat-part list after a part: SP cat-part or ")". Returns
 * 1 when the list closed, 0 when another part was read (streamed set for
 * a TEXT announcement at the end), or the error. */
static int cat_next(mw__imap_cmdp *P, mw_imap_append_args *ap, int *streamed)
{
    mw__imap_lex *L = &P->L;
    *streamed = 0;
    if (L->status != MW_OK)
        return L->status;
    if (mw__imap_sc_accept(L, ')')) {
        ap->part_kind = MW_IMAP_CATPART_NONE;
        return 1;
    }
    if (mw__imap_sc_sp(L) != MW_OK)
        return L->status;
    return cat_part(P, ap, streamed);
}

/* A literal announcement at the very end of a head segment: "{n}",
 * "{n+}" or "~{n}" (RFC 9051 §4.3, RFC 7888, RFC 3516). */
static int literal_head(mw__imap_cmdp *P, mw_imap_append_args *ap)
{
    mw__imap_lex *L = &P->L;
    if (utf8_needs_literal8(L, ap) != MW_OK)
        return L->status;
    ap->binary = (uint8_t)mw__imap_sc_accept(L, '~');
    if (literal_announce(P, ap) != MW_OK)
        return L->status;
    if (ap->binary)
        P->cmd->flags |= MW_IMAP_CMDF_LITERAL8;
    return mw__imap_sc_end(L);
}

/* [SP flag-list] [SP date-time] SP ["UTF8" SP "("], up to the message
 * literal (RFC 9051 §6.3.12, RFC 3502 §6.3.11 append-opts, RFC 6855 §4
 * utf8-literal). */
static int append_opts(mw__imap_cmdp *P, mw_imap_append_args *ap)
{
    mw__imap_lex *L = &P->L;
    ap->has_flags = 0;
    ap->has_date = 0;
    ap->utf8 = 0;
    ap->catenate = 0;
    memset(&ap->flags, 0, sizeof ap->flags);
    memset(&ap->date, 0, sizeof ap->date);
    if (mw__imap_sc_sp(L) != MW_OK)
        return L->status;
    if (mw__imap_sc_at(L, '(')) {
        if (mw__imap_sc_flag_list(L, &ap->flags) != MW_OK ||
            mw__imap_sc_sp(L) != MW_OK)
            return L->status;
        ap->has_flags = 1;
    }
    if (mw__imap_sc_at(L, '"')) {
        if (mw__imap_lex_datetime(L, &ap->date) != MW_OK ||
            mw__imap_sc_sp(L) != MW_OK)
            return L->status;
        ap->has_date = 1;
    }
    if (L->status == MW_OK && MW__SC_KWIS(L->p, L->end, L->base, "UTF8")) {
        L->p += 4;
        if (mw__imap_sc_sp(L) != MW_OK ||
            utf8_byte(L, '(', "\"(\" expected after UTF8 (RFC 6855 §4)") !=
                MW_OK)
            return L->status;
        ap->utf8 = 1;
        return utf8_needs_literal8(L, ap);
    }
    if (catenate_open(L)) {
        ap->catenate = 1; /* RFC 4469 §5: the cat-part list follows */
        return L->status;
    }
    if (L->status == MW_OK && L->p < L->end && *L->p != '{' && *L->p != '~')
        return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                 "message literal expected (RFC 9051 "
                                 "§6.3.12)");
    return L->status;
}

/* A whole APPEND frame (its literals inline). */
static int parse_append(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_append_args *ap = &P->cmd->u.append;
    mw_imap_append_args next;
    uint32_t count = 0;
    memset(&next, 0, sizeof next); /* later messages: parsed, then dropped */
    if (mw__imap_sc_sp(L) != MW_OK ||
        mw__imap_sc_mailbox(P, &ap->mailbox, 0) != MW_OK)
        return L->status;
    while (L->status == MW_OK && (count == 0 || L->p < L->end)) {
        mw_imap_append_args *m = count == 0 ? ap : &next;
        int bin = 0;
        mw_span data;
        const char *lit = NULL;
        if (append_opts(P, m) != MW_OK)
            return L->status;
        if (m->catenate) {
            /* RFC 4469 §5: the parts, their TEXT literals inline */
            int streamed, closed = 0;
            uint64_t total = 0;
            m->nparts = 0;
            if (cat_part(P, m, &streamed) != MW_OK)
                return L->status;
            for (;;) {
                if (m->part_kind == MW_IMAP_CATPART_TEXT)
                    total += m->size;
                if (closed)
                    break;
                closed = cat_next(P, m, &streamed);
                if (closed < 0)
                    return L->status;
            }
            m->size = total;
            m->data = mw__span(NULL, 0);
            m->part_kind = MW_IMAP_CATPART_NONE;
            m->url = mw__span(NULL, 0);
            if (count == UINT32_MAX)
                return mw__imap_lex_fail(L, MW_E_LIMIT, "too many messages");
            count++;
            continue;
        }
        lit = L->p;
        if (mw__imap_lex_literal(L, &data, &bin) != MW_OK ||
            utf8_close(L, m) != MW_OK)
            return L->status;
        m->binary = (uint8_t)bin;
        m->size = data.len;
        m->nonsync = 0;
        {
            const char *q = lit;
            while (q < L->end && *q != '}')
                q++;
            if (q > lit && q[-1] == '+')
                m->nonsync = 1;
        }
        P->cmd->flags |= MW_IMAP_CMDF_LITERAL;
        if (m->nonsync)
            P->cmd->flags |= MW_IMAP_CMDF_NONSYNC;
        if (bin)
            P->cmd->flags |= MW_IMAP_CMDF_LITERAL8;
        if (count == 0)
            ap->data = data;
        if (count == UINT32_MAX)
            return mw__imap_lex_fail(L, MW_E_LIMIT, "too many messages");
        count++;
    }
    ap->nmessages = count;
    return mw__imap_sc_end(L);
}

/* ---- tag, name, dispatch --------------------------------------------------- */

/* Tag and command name; returns the id or a negative status. */
static int parse_head(mw__imap_cmdp *P)
{
    mw__imap_lex *L = &P->L;
    mw_imap_cmd *cmd = P->cmd;
    const unsigned char *e = (const unsigned char *)L->end;
    const unsigned char *q;
    mw_span w;
    int id;

    /* tag = 1*<any ASTRING-CHAR except "+"> (RFC 9051 §9) */
    q = (const unsigned char *)mw__imap_sc_scan(L->p, L->end, L->base,
                                                MW__SC_TAG);
    if (q < e && *q != ' ') {
        const char *at = (const char *)q;
        if (*q == '+')
            return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                       "'+' in tag (RFC 9051 §9)");
        if (*q == 0)
            return mw__imap_sc_fail_at(L, at, MW_E_NUL, "NUL in tag");
        if (*q == '\r')
            return mw__imap_sc_fail_at(L, at, MW_E_BARE_CR, "CR in tag");
        if (*q == '\n')
            return mw__imap_sc_fail_at(L, at, MW_E_BARE_LF, "LF in tag");
        return mw__imap_sc_fail_at(L, at, MW_E_SYNTAX,
                                   "invalid character in tag");
    }
    if (q == (const unsigned char *)L->p)
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "tag expected");
    if ((size_t)(q - (const unsigned char *)L->p) > MW_IMAP_TAG_MAX)
        return mw__imap_lex_fail(L, MW_E_TOO_LONG, "tag too long");
    cmd->tag = mw__span(L->p, (size_t)((const char *)q - L->p));
    L->p = (const char *)q;
    if (L->p >= L->end)
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "command name expected");
    L->p++; /* the SP checked above */

#if MW_ENABLE_FAST_PATHS
    {
        /* the common case: a known name followed by SP or the end */
        size_t len = 0;
        id = L->p < L->end ? find_name(L->p, L->end, L->base, &len) : 0;
        if (id != 0 && (L->p + len == L->end || L->p[len] == ' ')) {
            w = mw__span(L->p, len);
            L->p += len;
            goto named;
        }
    }
#endif
    w = mw__imap_sc_word(L);
    if (w.len == 0 || (L->p < L->end && *L->p != ' ')) {
        /* not a plain keyword: an extension command is an atom */
        L->p = w.ptr;
        if (mw__imap_lex_atom(L, &w) != MW_OK)
            return mw__imap_lex_fail(L, MW_E_SYNTAX, "command name expected");
    }
    id = lookup_name(w, L->end);
#if MW_ENABLE_FAST_PATHS
named:
#endif
    cmd->name = w;
    if (id == MW_IMAP_CMD_UID) {
        /* uid = "UID" SP (copy / move / fetch / search / store /
         * uid-expunge) (RFC 9051 §9; SORT, THREAD: RFC 5256) */
        cmd->flags |= MW_IMAP_CMDF_UID;
        if (mw__imap_sc_sp(L) != MW_OK)
            return L->status;
#if MW_ENABLE_FAST_PATHS
        {
            size_t len = 0;
            id = L->p < L->end ? find_name(L->p, L->end, L->base, &len) : 0;
            if (id != 0) {
                w = mw__span(L->p, len);
                L->p += len;
            } else {
                w = mw__imap_sc_word(L);
                id = lookup_name(w, L->end);
            }
        }
#else
        w = mw__imap_sc_word(L);
        id = lookup_name(w, L->end);
#endif
        switch (id) {
        case MW_IMAP_CMD_COPY: case MW_IMAP_CMD_MOVE: case MW_IMAP_CMD_FETCH:
        case MW_IMAP_CMD_SEARCH: case MW_IMAP_CMD_STORE:
        case MW_IMAP_CMD_EXPUNGE: case MW_IMAP_CMD_SORT:
        case MW_IMAP_CMD_THREAD:
            break;
        default:
            return mw__imap_sc_fail_at(L, w.ptr, MW_E_SYNTAX,
                                       "UID with a command other than "
                                       "COPY/MOVE/FETCH/SEARCH/STORE/"
                                       "EXPUNGE/SORT/THREAD");
        }
        cmd->name = w;
    } else if (id == MW_IMAP_CMD_DONE) {
        /* DONE ends IDLE untagged (RFC 2177); as a tagged command it is
         * unknown. */
        id = MW_IMAP_CMD_OTHER;
    }
    cmd->id = id;
    return id;
}

static int dispatch(mw__imap_cmdp *P, int id)
{
    mw__imap_lex *L = &P->L;
    switch (id) {
    case MW_IMAP_CMD_CAPABILITY: case MW_IMAP_CMD_NOOP:
    case MW_IMAP_CMD_LOGOUT: case MW_IMAP_CMD_STARTTLS:
    case MW_IMAP_CMD_NAMESPACE: case MW_IMAP_CMD_IDLE:
    case MW_IMAP_CMD_CHECK: case MW_IMAP_CMD_CLOSE:
    case MW_IMAP_CMD_UNSELECT:
        if (L->p < L->end && *L->p == ' ' &&
            !(L->flags & MW__IMAP_LEX_TRAILING_SP))
            return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                     "this command takes no arguments");
        return mw__imap_sc_end(L);
    case MW_IMAP_CMD_EXPUNGE: return parse_expunge(P);
    case MW_IMAP_CMD_AUTHENTICATE: return parse_authenticate(P);
    case MW_IMAP_CMD_LOGIN: return parse_login(P);
    case MW_IMAP_CMD_ENABLE: return mw__imap_sc_enable(P);
    case MW_IMAP_CMD_SELECT: case MW_IMAP_CMD_EXAMINE:
        return mw__imap_sc_select(P);
    case MW_IMAP_CMD_CREATE: return mw__imap_sc_create(P);
    case MW_IMAP_CMD_DELETE: case MW_IMAP_CMD_SUBSCRIBE:
    case MW_IMAP_CMD_UNSUBSCRIBE: case MW_IMAP_CMD_GETQUOTAROOT:
        return parse_one_mailbox(P, &P->cmd->u.mailbox.mailbox);
    case MW_IMAP_CMD_RENAME: return parse_rename(P);
    case MW_IMAP_CMD_LIST: return mw__imap_sc_list(P);
    case MW_IMAP_CMD_LSUB: return mw__imap_sc_lsub(P);
    case MW_IMAP_CMD_STATUS: return mw__imap_sc_status(P);
    case MW_IMAP_CMD_APPEND: return parse_append(P);
    case MW_IMAP_CMD_SEARCH: case MW_IMAP_CMD_SORT:
    case MW_IMAP_CMD_THREAD:
        return mw__imap_sc_search(P);
    case MW_IMAP_CMD_FETCH: return mw__imap_sc_fetch(P);
    case MW_IMAP_CMD_STORE: return mw__imap_sc_store(P);
    case MW_IMAP_CMD_COPY: case MW_IMAP_CMD_MOVE: return parse_copy(P);
    case MW_IMAP_CMD_ID: return mw__imap_sc_id(P);
    case MW_IMAP_CMD_COMPRESS: return parse_compress(P);
    case MW_IMAP_CMD_GETQUOTA: return parse_getquota(P);
    case MW_IMAP_CMD_SETQUOTA: return mw__imap_sc_setquota(P);
    case MW_IMAP_CMD_GETMETADATA: return mw__imap_sc_getmetadata(P);
    case MW_IMAP_CMD_SETMETADATA: return mw__imap_sc_setmetadata(P);
    default: return parse_other(P);
    }
}

/* Fill err from the lexer. A NUL, CR or LF outside a literal has a
 * status of its own (MW_E_NUL, MW_E_BARE_CR, MW_E_BARE_LF): the scanners
 * that know the byte (quoted string, tag, literal) fail with it and a
 * reason naming the place; a generic syntax error that stopped on such a
 * byte is given that status here, with a reason naming the byte. The
 * status decides, never the reason's text (which a build without error
 * texts leaves empty). */
static int finish(mw__imap_cmdp *P, mw_error *err)
{
    mw__imap_lex *L = &P->L;
    const char *reason = L->reason;
    int status = L->status;
    size_t at;
    if (status == MW_OK)
        return MW_OK;
    at = L->err_offset - L->base_offset;
    if (status == MW_E_SYNTAX && at < (size_t)(L->end - L->base)) {
        char c = L->base[at];
        if (c == '\0') {
            status = MW_E_NUL;
            reason = MW__TEXT("NUL outside a literal");
        } else if (c == '\r') {
            status = MW_E_BARE_CR;
            reason = MW__TEXT("CR outside a literal");
        } else if (c == '\n') {
            status = MW_E_BARE_LF;
            reason = MW__TEXT("LF outside a literal");
        }
    }
    if (reason == NULL)
        reason = MW__TEXT("syntax error");
    return mw__fail(err, status, L->err_offset, reason);
}

static void start(mw__imap_cmdp *P, const char *p, size_t n, size_t offset,
                  mw__imap_arena *a, unsigned lexflags, unsigned max_depth,
                  mw_imap_cmd *cmd)
{
    mw__imap_sc_zero(cmd, sizeof *cmd);
    cmd->offset = offset;
    /* mw__imap_lex_init(&P->L, p, n, offset, a, lexflags), inline */
    P->L.p = p;
    P->L.end = p + n;
    P->L.base = p;
    P->L.base_offset = offset;
    P->L.arena = a;
    P->L.flags = lexflags;
    P->L.status = MW_OK;
    P->L.err_offset = 0;
    P->L.reason = NULL;
    P->a = a;
    P->cmd = cmd;
    P->max_depth = max_depth != 0 ? max_depth : MW_IMAP_DEPTH_DEFAULT;
    P->fill_fields = 0;
}

int mw__imap_cmd_parse(const char *p, size_t n, size_t offset,
                       mw__imap_arena *a, unsigned lexflags,
                       unsigned max_depth, mw_imap_cmd *cmd, mw_error *err)
{
    mw__imap_cmdp P;
    int id;
    start(&P, p, n, offset, a, lexflags, max_depth, cmd);
    id = parse_head(&P);
    if (id > 0)
        (void)dispatch(&P, id);
    if (P.L.status == MW_OK)
        return MW_OK;
    return finish(&P, err);
}

/* ---- APPEND around streamed messages ------------------------------------ */

/* The text p..e ends with `"URL" SP "{" number ["+"] "}"` where "URL"
 * follows "(" or SP at or after `from`: the literal is the astring of a
 * CATENATE URL part (RFC 4469 §5 `url = "URL" SP astring`) and joins the
 * command text. `from` is where the APPEND's own arguments start, so
 * that a mailbox named URL followed by a message literal ("tag APPEND
 * URL {5}") stays a message. */
static int url_literal(const char *from, const char *e)
{
    const char *q = e;
    if (q - from < 7 || q[-1] != '}')
        return 0;
    q--;
    if (q[-1] == '+')
        q--;
    while (q > from && (unsigned char)(q[-1] - '0') <= 9u)
        q--;
    if (q == from || q[-1] != '{' || (e - q) < 2)
        return 0;
    q--; /* at "{" */
    if (q - from < 5 || q[-1] != ' ')
        return 0;
    q -= 4; /* at "URL " */
    if ((q[0] | 0x20) != 'u' || (q[1] | 0x20) != 'r' || (q[2] | 0x20) != 'l')
        return 0;
    return q > from && (q[-1] == '(' || q[-1] == ' ');
}

int mw__imap_cmd_literal_role(const char *p, size_t n)
{
    const char *e = p + n, *q = p;
    size_t k;
    if (n == 0)
        return MW__IMAP_TAKE_INLINE;
    if (*p == ' ' || *p == ')')
        return url_literal(p, e) ? MW__IMAP_TAKE_INLINE
                                 : MW__IMAP_TAKE_STREAM; /* after a streamed
                                        message (")" closes "UTF8 (", RFC
                                        6855 §4) or TEXT part */
    /* tag SP "APPEND" SP: anything else is not an APPEND message */
    while (q < e && (mw__imap_cclass[(unsigned char)*q] & MW__IMAP_C_TAG))
        q++;
    if (q == p || q >= e || *q != ' ')
        return MW__IMAP_TAKE_INLINE;
    q++;
    if ((size_t)(e - q) < 7)
        return MW__IMAP_TAKE_INLINE;
    for (k = 0; k < 6; k++) {
        unsigned char c = (unsigned char)q[k];
        if ((unsigned char)(c - 'a') < 26u)
            c = (unsigned char)(c - 32u);
        if (c != (unsigned char)"APPEND"[k])
            return MW__IMAP_TAKE_INLINE;
    }
    q += 6;
    if (*q != ' ')
        return MW__IMAP_TAKE_INLINE;
    q++;
    if (q < e && *q == '{') {
        /* The mailbox is a literal (RFC 9051 §9 `mailbox = astring`). */
        const char *r = q + 1;
        size_t len = 0;
        while (r < e && (unsigned char)(*r - '0') <= 9u) {
            len = len <= (SIZE_MAX - 9u) / 10u
                      ? len * 10u + (size_t)(*r - '0')
                      : SIZE_MAX;
            r++;
        }
        if (r < e && *r == '+')
            r++;
        if (r < e && *r == '}' && r + 1 == e)
            return MW__IMAP_TAKE_INLINE; /* its own announcement */
        /* Its bytes are not cat-parts: "tag APPEND {5}\r\nx URL {3}" is
         * the mailbox "x URL" and a message literal, so the URL test
         * starts after them. */
        if ((size_t)(e - r) >= 3u && r[0] == '}' && r[1] == '\r' &&
            r[2] == '\n' && len <= (size_t)(e - r) - 3u)
            q = r + 3 + len;
    }
    /* Flags and dates are never literals: after the mailbox only a
     * CATENATE URL part's literal is not a message (RFC 4469 §5). */
    if (url_literal(q, e))
        return MW__IMAP_TAKE_INLINE;
    return MW__IMAP_TAKE_STREAM;
}

/* Copy a span into the arena's string area (so it survives the release
 * of the segment it came from). */
static int keep(mw__imap_cmdp *P, mw_span *s)
{
    char *d;
    if (s->ptr == NULL || s->len == 0)
        return MW_OK;
    if (P->a == NULL || (d = mw__imap_arena_bytes(P->a, s->len)) == NULL)
        return mw__imap_lex_fail(&P->L, MW_E_NOSPACE,
                                 "arena full (APPEND mailbox)");
    memcpy(d, s->ptr, s->len);
    s->ptr = d;
    return MW_OK;
}

/* ---- APPEND item by item (CATENATE, RFC 4469) ----------------------------- */

/* Phases of mw__imap_apstep (where the next item starts). */
enum {
    APS_FIRST = 1,   /* the first message must follow (after the mailbox) */
    APS_MSG = 2,     /* the command ends here or another message follows */
    APS_PLAIN = 3,   /* after a streamed plain message: its UTF8 ")" */
    APS_CAT_FIRST = 4, /* after "CATENATE (": a cat-part */
    APS_CAT_NEXT = 5,  /* after a cat-part: SP cat-part or ")" */
    APS_FAILED = 6
};

static void step_cmdp(mw__imap_apstep *st, mw__imap_cmdp *P)
{
    P->L = st->L;
    P->a = st->a;
    P->cmd = st->cmd;
    P->max_depth = MW_IMAP_DEPTH_DEFAULT;
    P->fill_fields = 0;
}

int mw__imap_append_start(mw__imap_apstep *st, const char *p, size_t n,
                          size_t offset, mw__imap_arena *a, unsigned lexflags,
                          mw_imap_cmd *cmd, int head, mw_error *err)
{
    mw__imap_cmdp P;
    mw_imap_append_args *ap = &cmd->u.append;
    st->a = a;
    st->cmd = cmd;
    if (head) {
        int id;
        start(&P, p, n, offset, a, lexflags, 0, cmd);
        id = parse_head(&P);
        if (id > 0 && id != MW_IMAP_CMD_APPEND)
            (void)mw__imap_lex_fail(&P.L, MW_E_INTERNAL,
                                    "not an APPEND command");
        if (id > 0 && mw__imap_sc_sp(&P.L) == MW_OK &&
            mw__imap_sc_mailbox(&P, &ap->mailbox, 0) == MW_OK) {
            (void)keep(&P, &cmd->tag);
            (void)keep(&P, &ap->mailbox.name);
        }
        st->phase = APS_FIRST;
    } else {
        mw__imap_lex_init(&P.L, p, n, offset, a, lexflags);
        P.a = a;
        P.cmd = cmd;
        P.max_depth = MW_IMAP_DEPTH_DEFAULT;
        P.fill_fields = 0;
        ap->data = mw__span(NULL, 0);
        st->phase = ap->catenate ? APS_CAT_NEXT : APS_PLAIN;
    }
    st->L = P.L;
    if (P.L.status != MW_OK) {
        st->phase = APS_FAILED;
        return finish(&P, err);
    }
    return MW_OK;
}

int mw__imap_append_step(mw__imap_apstep *st, mw_error *err)
{
    mw__imap_cmdp P;
    mw__imap_lex *L = &P.L;
    mw_imap_append_args *ap = &st->cmd->u.append;
    int streamed = 0, r = MW_OK, item = 0;

    step_cmdp(st, &P);
    while (item == 0 && L->status == MW_OK) {
        switch (st->phase) {
        case APS_PLAIN:
            /* the message before came as "UTF8 (~{n}": its ")" first */
            if (utf8_close(L, ap) != MW_OK)
                break;
            st->phase = APS_MSG;
            break;
        case APS_MSG:
            if (L->p == L->end) {
                item = MW__IMAP_AP_DONE;
                break;
            }
            ap->index++; /* another message (RFC 3502 §6.3.11) */
            st->phase = APS_FIRST;
            break;
        case APS_FIRST:
            ap->part = 0;
            ap->nparts = 0;
            ap->part_kind = MW_IMAP_CATPART_NONE;
            ap->url = mw__span(NULL, 0);
            ap->data = mw__span(NULL, 0);
            ap->size = 0;
            ap->binary = 0;
            ap->nonsync = 0;
            ap->nmessages = ap->index + 1u;
            if (append_opts(&P, ap) != MW_OK)
                break;
            if (ap->catenate) {
                /* the parts' events may come in later segments: the
                 * flags' text must outlive this one */
                if (keep(&P, &ap->flags.text) != MW_OK)
                    break;
                st->phase = APS_CAT_FIRST;
                break;
            }
            /* a plain message: its literal must end the segment (the
             * machine streams every APPEND message) */
            if (literal_head(&P, ap) != MW_OK)
                break;
            st->phase = APS_PLAIN;
            item = MW__IMAP_AP_LITERAL;
            break;
        case APS_CAT_FIRST:
            if (cat_part(&P, ap, &streamed) != MW_OK)
                break;
            st->phase = APS_CAT_NEXT;
            item = streamed ? MW__IMAP_AP_LITERAL : MW__IMAP_AP_PART;
            break;
        case APS_CAT_NEXT:
            r = cat_next(&P, ap, &streamed);
            if (r < 0)
                break;
            if (r == 1) {
                st->phase = APS_MSG;
                item = MW__IMAP_AP_END;
                break;
            }
            item = streamed ? MW__IMAP_AP_LITERAL : MW__IMAP_AP_PART;
            break;
        default:
            (void)mw__imap_lex_fail(L, MW_E_INTERNAL, "APPEND step after "
                                                      "an error");
            break;
        }
    }
    /* a streamed TEXT literal must end the segment too */
    if (L->status == MW_OK && item == MW__IMAP_AP_LITERAL && L->p != L->end)
        (void)mw__imap_sc_end(L);
    st->L = P.L;
    if (L->status != MW_OK) {
        st->phase = APS_FAILED;
        return finish(&P, err);
    }
    return item;
}

/* ---- states -------------------------------------------------------------- */

int mw__imap_cmd_states(int id)
{
    const int na = 1 << MW_IMAP_STATE_NOT_AUTHENTICATED;
    const int au = 1 << MW_IMAP_STATE_AUTHENTICATED;
    const int se = 1 << MW_IMAP_STATE_SELECTED;
    switch (id) {
    /* RFC 9051 §6.1: any state; ID: RFC 2971 §3.1 */
    case MW_IMAP_CMD_CAPABILITY: case MW_IMAP_CMD_NOOP:
    case MW_IMAP_CMD_LOGOUT: case MW_IMAP_CMD_ID:
        return na | au | se;
    /* §6.2: not authenticated */
    case MW_IMAP_CMD_STARTTLS: case MW_IMAP_CMD_AUTHENTICATE:
    case MW_IMAP_CMD_LOGIN:
        return na;
    /* §6.3.1, RFC 5161 §3.1: ENABLE only in the authenticated state */
    case MW_IMAP_CMD_ENABLE:
        return au;
    /* §6.3: authenticated (and selected); RFC 9208, RFC 5464, RFC 4978
     * (command-auth) */
    case MW_IMAP_CMD_SELECT: case MW_IMAP_CMD_EXAMINE:
    case MW_IMAP_CMD_CREATE: case MW_IMAP_CMD_DELETE:
    case MW_IMAP_CMD_RENAME: case MW_IMAP_CMD_SUBSCRIBE:
    case MW_IMAP_CMD_UNSUBSCRIBE: case MW_IMAP_CMD_LIST:
    case MW_IMAP_CMD_LSUB: case MW_IMAP_CMD_NAMESPACE:
    case MW_IMAP_CMD_STATUS: case MW_IMAP_CMD_APPEND:
    case MW_IMAP_CMD_IDLE: case MW_IMAP_CMD_GETQUOTA:
    case MW_IMAP_CMD_GETQUOTAROOT: case MW_IMAP_CMD_SETQUOTA:
    case MW_IMAP_CMD_GETMETADATA: case MW_IMAP_CMD_SETMETADATA:
    case MW_IMAP_CMD_COMPRESS:
        return au | se;
    /* §6.4: selected */
    case MW_IMAP_CMD_CHECK: case MW_IMAP_CMD_CLOSE:
    case MW_IMAP_CMD_UNSELECT: case MW_IMAP_CMD_EXPUNGE:
    case MW_IMAP_CMD_SEARCH: case MW_IMAP_CMD_FETCH:
    case MW_IMAP_CMD_STORE: case MW_IMAP_CMD_COPY:
    case MW_IMAP_CMD_MOVE: case MW_IMAP_CMD_SORT:
    case MW_IMAP_CMD_THREAD:
        return se;
    default:
        return 0;
    }
}
