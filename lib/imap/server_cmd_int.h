/* SPDX-License-Identifier: MIT */
/*
 * Shared between the files of the IMAP server's command parser
 * (server_cmd.c: dispatch and the simple commands; server_cmd_fetch.c:
 * FETCH items and STORE; server_cmd_search.c: SEARCH, SORT, THREAD;
 * server_cmd_mbox.c: LIST, STATUS, SELECT, ENABLE, ID, QUOTA, METADATA).
 * Internal: never installed.
 *
 * Every parser here works on the lexer of grammar.h over one complete
 * frame; errors are sticky in the lexer (first one wins) so a parser can
 * chain steps and test once. Nothing recurses.
 */
#ifndef MW_IMAP_SERVER_CMD_INT_H
#define MW_IMAP_SERVER_CMD_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "imap/frame.h"
#include "imap/grammar.h"
#include "imap/server_cmd.h"

/* The state of one command parse. */
typedef struct mw__imap_cmdp {
    mw__imap_lex L;
    mw__imap_arena *a;
    mw_imap_cmd *cmd;
    unsigned max_depth;
} mw__imap_cmdp;

/* ---- small lexer helpers (server_cmd.c) -------------------------------- */

/* Fail at a given position of the frame (first error wins). */
int mw__imap_sc_fail_at(mw__imap_lex *L, const char *at, int status,
                        const char *reason);

/* Keyword characters: letters, digits, '.', '-', '_', '=' (server_cmd.c). */
extern const unsigned char mw__imap_sc_wordch[256];

/* A run of keyword characters, case kept; 0 length when none (no
 * error). */
static inline mw_span mw__imap_sc_word(mw__imap_lex *L)
{
    const char *q = L->p;
    mw_span w;
    if (L->status == MW_OK) {
        while (q < L->end && mw__imap_sc_wordch[(unsigned char)*q])
            q++;
    }
    w.ptr = L->p;
    w.len = (size_t)(q - L->p);
    L->p = q;
    return w;
}

/* Case-insensitive equality of a word with an upper-case ASCII keyword of
 * length n. */
static inline int mw__imap_sc_is(mw_span w, const char *kw, size_t n)
{
    size_t i;
    if (w.len != n)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w.ptr[i];
        if ((unsigned char)(c - 'a') < 26u)
            c = (unsigned char)(c - 32u);
        if (c != (unsigned char)kw[i])
            return 0;
    }
    return 1;
}
#define MW__SC_IS(w, kw) mw__imap_sc_is((w), (kw), sizeof(kw) - 1u)

/* Keywords in tables are stored upper-case in MW__SC_KWLEN bytes, zero
 * padded, so that they can be compared 8 bytes at a time. */
#define MW__SC_KWLEN 24

/* 0xFF x 8 then 0x00 x 8: 8 bytes loaded from (mask + 8 - k) keep the
 * first k bytes in memory order, on any endianness (server_cmd.c). */
extern const unsigned char mw__imap_sc_mask[16];

static inline uint64_t mw__imap_sc_load8(const void *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* w (n bytes of keyword characters or ATOM-CHARs; readable up to end)
 * equals the padded upper-case keyword kw of length n, letters compared
 * without case. Clearing bit 5 of every byte folds the case of letters;
 * among ATOM-CHARs it merges no two bytes that a keyword can hold
 * (letters, digits, '.', '-', '=', '_', '/'), so the comparison is exact.
 * 8 bytes at a time when the frame has the bytes to read. */
static inline int mw__imap_sc_kweq(const char *w, size_t n, const char *kw,
                                   const char *end)
{
    const uint64_t fold = 0xDFDFDFDFDFDFDFDFull;
    size_t i = 0;
    if (n <= MW__SC_KWLEN && (size_t)(end - w) >= ((n + 7u) & ~(size_t)7u)) {
        for (; i + 8u <= n; i += 8u) {
            if (((mw__imap_sc_load8(w + i) ^ mw__imap_sc_load8(kw + i)) &
                 fold) != 0)
                return 0;
        }
        if (i < n) {
            uint64_t m = mw__imap_sc_load8(mw__imap_sc_mask + 8u - (n - i));
            if (((mw__imap_sc_load8(w + i) ^ mw__imap_sc_load8(kw + i)) &
                 fold & m) != 0)
                return 0;
        }
        return 1;
    }
    return mw__imap_sc_is(mw__span(w, n), kw, n);
}

/* A keyword table entry: upper-case name (padded), its length, a value. */
typedef struct mw__imap_kw {
    char kw[MW__SC_KWLEN];
    uint8_t len;
    uint8_t val;
} mw__imap_kw;

/* The value of the entry equal to w (case-insensitive), or 0; end bounds
 * the readable bytes after w. */
static inline unsigned mw__imap_sc_lookup(mw_span w, const char *end,
                                          const mw__imap_kw *t, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (t[i].len == w.len && mw__imap_sc_kweq(w.ptr, w.len, t[i].kw, end))
            return t[i].val;
    }
    return 0;
}
#define MW__SC_LOOKUP(w, tab) \
    mw__imap_sc_lookup((w), L->end, (tab), sizeof(tab) / sizeof((tab)[0]))

/* Inline fast paths of the lexer's single-byte steps (grammar.h): the
 * lexer's function is called only to record the error. */
static inline int mw__imap_sc_sp(mw__imap_lex *L)
{
    if (L->status == MW_OK && L->p < L->end && *L->p == ' ') {
        L->p++;
        return MW_OK;
    }
    return mw__imap_lex_sp(L);
}

static inline int mw__imap_sc_expect(mw__imap_lex *L, char c)
{
    if (L->status == MW_OK && L->p < L->end && *L->p == c) {
        L->p++;
        return MW_OK;
    }
    return mw__imap_lex_expect(L, c);
}

static inline int mw__imap_sc_accept(mw__imap_lex *L, char c)
{
    if (L->status == MW_OK && L->p < L->end && *L->p == c) {
        L->p++;
        return 1;
    }
    return 0;
}

/* The next byte is c (no error either way). */
static inline int mw__imap_sc_at(const mw__imap_lex *L, char c)
{
    return L->status == MW_OK && L->p < L->end && *L->p == c;
}

/* astring / string / nstring that refuse literal8 (RFC 9051 §9: only
 * APPEND data and RFC 5464 values may be literal8) and record the literal
 * flags in the command. */
int mw__imap_sc_astring_slow(mw__imap_cmdp *P, mw_span *out);
int mw__imap_sc_string(mw__imap_cmdp *P, mw_span *out);
int mw__imap_sc_nstring(mw__imap_cmdp *P, mw_span *out);

/* astring: the common case (an atom of ASTRING-CHARs) inline, quoted
 * strings, literals and "~" in mw__imap_sc_astring_slow(). */
static inline int mw__imap_sc_astring(mw__imap_cmdp *P, mw_span *out)
{
    mw__imap_lex *L = &P->L;
    if (L->status == MW_OK && L->p < L->end && *L->p != '~' &&
        (mw__imap_cclass[(unsigned char)*L->p] & MW__IMAP_C_ASTRING)) {
        const unsigned char *q = (const unsigned char *)L->p + 1;
        const unsigned char *e = (const unsigned char *)L->end;
        unsigned mask = MW__IMAP_C_ASTRING;
        if (L->flags & MW__IMAP_LEX_8BIT)
            mask |= MW__IMAP_C_8BIT;
        while (q < e && (mw__imap_cclass[*q] & mask))
            q++;
        out->ptr = L->p;
        out->len = (size_t)((const char *)q - L->p);
        L->p = (const char *)q;
        return MW_OK;
    }
    return mw__imap_sc_astring_slow(P, out);
}

/* A mailbox (RFC 9051 §9 `mailbox`) with its flags (MW_IMAP_MBOX_*);
 * list=1 parses a `list-mailbox` pattern instead. */
int mw__imap_sc_mailbox(mw__imap_cmdp *P, mw_imap_mailbox *mb, int list);

/* The arena's front allocation (grammar.h mw__imap_arena_alloc: 8-byte
 * aligned, zeroed, NULL when full) inline, so that the zeroing of a
 * fixed-size node compiles to a few stores. */
static inline void *mw__imap_sc_alloc(mw__imap_arena *a, size_t size)
{
    size_t start;
    unsigned char *p;
    if (a == NULL || a->base == NULL)
        return NULL;
    start = (a->lo + 7u) & ~(size_t)7u;
    if (start > a->cap - a->hi || size > a->cap - a->hi - start)
        return NULL;
    p = a->base + start;
    memset(p, 0, size);
    a->lo = start + size;
    return p;
}

/* Append one element of `size` bytes (zeroed) to an array that lives in
 * the arena: first_ptr is the array (NULL while count is 0). The
 * elements of one array are allocated one after another with nothing in
 * between, so they are contiguous (sizes are multiples of 8: checked at
 * compile time in server_cmd.c, and here at run time). NULL with
 * MW_E_NOSPACE (or MW_E_INTERNAL) recorded on failure. */
static inline void *mw__imap_sc_push(mw__imap_cmdp *P, const void *first_ptr,
                                     uint32_t count, size_t size,
                                     const char *what)
{
    unsigned char *e;
    if (P->L.status != MW_OK)
        return NULL;
    if (count == UINT32_MAX) {
        (void)mw__imap_lex_fail(&P->L, MW_E_LIMIT, "list too long");
        return NULL;
    }
    e = (unsigned char *)mw__imap_sc_alloc(P->a, size);
    if (e == NULL) {
        (void)mw__imap_lex_fail(&P->L, MW_E_NOSPACE, what);
        return NULL;
    }
    if (count > 0 && e != (const unsigned char *)first_ptr + (size_t)count * size) {
        (void)mw__imap_lex_fail(&P->L, MW_E_INTERNAL,
                                "arena list not contiguous");
        return NULL;
    }
    return e;
}

/* A sequence set, or "$" when dollar_ok (RFC 5182). */
int mw__imap_sc_seqset(mw__imap_cmdp *P, mw_imap_seqset *set,
                       int dollar_ok);

/* mod-sequence-valzer (zero allowed) or mod-sequence-value (nz), 63-bit
 * (RFC 7162 §7). */
int mw__imap_sc_modseq(mw__imap_cmdp *P, uint64_t *out, int nonzero);

/* Flags without parentheses: flag *(SP flag) up to the end of the frame
 * (STORE, RFC 9051 §9 store-att-flags). */
int mw__imap_sc_flag_run(mw__imap_cmdp *P, mw_imap_flags *out);

/* STATUS attribute list "(" status-att *(SP status-att) ")" into bits. */
int mw__imap_sc_status_atts(mw__imap_cmdp *P, unsigned *items,
                            uint32_t *count);

/* ---- the command families (one file each) ----------------------------- */

/* server_cmd_fetch.c */
int mw__imap_sc_fetch(mw__imap_cmdp *P);
int mw__imap_sc_store(mw__imap_cmdp *P);

/* server_cmd_search.c: SEARCH, SORT, THREAD (cmd->id says which). */
int mw__imap_sc_search(mw__imap_cmdp *P);

/* server_cmd_mbox.c */
int mw__imap_sc_select(mw__imap_cmdp *P);
int mw__imap_sc_list(mw__imap_cmdp *P);
int mw__imap_sc_lsub(mw__imap_cmdp *P);
int mw__imap_sc_status(mw__imap_cmdp *P);
int mw__imap_sc_enable(mw__imap_cmdp *P);
int mw__imap_sc_id(mw__imap_cmdp *P);
int mw__imap_sc_create(mw__imap_cmdp *P);
int mw__imap_sc_setquota(mw__imap_cmdp *P);
int mw__imap_sc_getmetadata(mw__imap_cmdp *P);
int mw__imap_sc_setmetadata(mw__imap_cmdp *P);

#endif
