/* SPDX-License-Identifier: MIT */
/*
 * The IMAP client's response parser, part 2: status responses (RFC 9051
 * §7.1: the greeting, untagged OK/NO/BAD/BYE/PREAUTH, tagged completions),
 * their response codes with typed arguments (RFC 9051 §7.1, RFC 4315
 * UIDPLUS, RFC 7162 CONDSTORE/QRESYNC, RFC 5530, RFC 5464, RFC 8474...),
 * and continuation requests (RFC 9051 §7.5).
 *
 * A status response is handed to the client machine (client.c), which
 * matches its tag, applies the state change and calls the application.
 * Losing a tagged completion would leave its command pending forever, so a
 * response code whose typed argument is malformed does not drop the
 * response: the grammar's generic alternative
 *   resp-text-code =/ atom [SP 1*<any TEXT-CHAR except "]">]
 * still matches, and the code is delivered as MW_IMAP_CODE_OTHER with its
 * raw text after the error callback has named the defect.
 */
#include <string.h>

#include "imap/client_resp.h"
#include "imap/client_int.h"

int mw__imap_rp_cond(mw_span w)
{
    switch (w.len) {
    case 2:
        if (mw__imap_rp_kw(w.ptr, w.len, "OK", 2))
            return MW_IMAP_OK;
        if (mw__imap_rp_kw(w.ptr, w.len, "NO", 2))
            return MW_IMAP_NO;
        break;
    case 3:
        if (mw__imap_rp_kw(w.ptr, w.len, "BAD", 3))
            return MW_IMAP_BAD;
        if (mw__imap_rp_kw(w.ptr, w.len, "BYE", 3))
            return MW_IMAP_BYE;
        break;
    case 7:
        if (mw__imap_rp_kw(w.ptr, w.len, "PREAUTH", 7))
            return MW_IMAP_PREAUTH;
        break;
    default:
        break;
    }
    return -1;
}

/* `text` (RFC 9051 §9): 1*(TEXT-CHAR / UTF8-2 / UTF8-3 / UTF8-4), the
 * 8-bit forms only after ENABLE IMAP4rev2 / UTF8=ACCEPT (or under the
 * 8-bit quirk). NUL, CR and LF never. Consumes to the end of the frame. */
static int rest_text(mw__imap_lex *L, mw_span *out)
{
    const unsigned char *q = (const unsigned char *)L->p;
    const unsigned char *e = (const unsigned char *)L->end;
    unsigned ok = MW__IMAP_C_TEXT;
    if (L->status != MW_OK)
        return L->status;
    if (L->flags & (MW__IMAP_LEX_UTF8 | MW__IMAP_LEX_8BIT))
        ok |= MW__IMAP_C_8BIT;
    while (q < e && (mw__imap_cclass[*q] & ok))
        q++;
    if (q != e) {
        L->p = (const char *)q;
        /* a NUL, CR or LF has a status of its own, as in the lexer */
        if (*q == 0)
            return mw__imap_lex_fail(L, MW_E_NUL, "NUL in response text");
        if (*q == '\r')
            return mw__imap_lex_fail(L, MW_E_BARE_CR, "CR in response text");
        if (*q == '\n')
            return mw__imap_lex_fail(L, MW_E_BARE_LF, "LF in response text");
        return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                 "8-bit byte in response text");
    }
    out->ptr = L->p;
    out->len = (size_t)((const char *)q - L->p);
    L->p = (const char *)q;
    return MW_OK;
}

/* The argument of a response code: 1*<any TEXT-CHAR except "]">. Under
 * MW_IMAP_QUIRK_LOOSE_CODE, quoted strings (which may hold "]") and
 * balanced brackets are taken as well (Exchange's [Error="..."],
 * net-imap#597). Leaves L at the closing "]". */
static int code_arg(mw__imap_rp *rp, mw_span *out)
{
    mw__imap_lex *L = &rp->L;
    const unsigned char *q = (const unsigned char *)L->p;
    const unsigned char *e = (const unsigned char *)L->end;
    int loose = (rp->c->quirks & MW_IMAP_QUIRK_LOOSE_CODE) != 0;
    unsigned depth = 0;
    unsigned ok = MW__IMAP_C_TEXT;
    if (L->flags & (MW__IMAP_LEX_UTF8 | MW__IMAP_LEX_8BIT))
        ok |= MW__IMAP_C_8BIT;
    for (; q < e; q++) {
        if (*q == ']') {
            if (depth == 0)
                break;
            depth--;
            continue;
        }
        if (!(mw__imap_cclass[*q] & ok))
            break;
        if (!loose)
            continue;
        if (*q == '[') {
            if (depth >= rp->c->max_depth)
                break;
            depth++;
        } else if (*q == '"') {
            for (q++; q < e && *q != '"'; q++) {
                if (*q == '\\' && q + 1 < e)
                    q++;
                if (!(mw__imap_cclass[*q] & ok))
                    break;
            }
            if (q >= e || *q != '"')
                break;
        }
    }
    if (q >= e || *q != ']') {
        L->p = (const char *)(q < e ? q : e);
        return mw__imap_lex_fail(L, MW_E_SYNTAX,
                                 q < e ? "bad character in response code"
                                       : "unterminated response code");
    }
    if ((const char *)q == L->p)
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "empty response code argument");
    out->ptr = L->p;
    out->len = (size_t)((const char *)q - L->p);
    L->p = (const char *)q;
    return MW_OK;
}

/* capability *(SP capability), atoms (RFC 9051 §9). */
static int cap_list(mw__imap_lex *S)
{
    mw_span a;
    do {
        if (mw__imap_lex_atom(S, &a) != MW_OK)
            return S->status;
    } while (mw__imap_lex_accept(S, ' ') && !mw__imap_lex_eof(S));
    return mw__imap_lex_end(S);
}

/* Typed argument of a known code, parsed from code->arg. Returns MW_OK or
 * the error recorded in S. */
static int code_typed(mw__imap_rp *rp, mw_imap_code *code, mw__imap_lex *S)
{
    const int has_arg = code->arg.ptr != NULL;
    const char *set_at;
    uint64_t v64 = 0;
    switch (code->id) {
    case MW_IMAP_CODE_BADCHARSET:
        /* ["(" charset *(SP charset) ")"], charset = atom / quoted */
        if (!has_arg)
            return MW_OK;
        mw__imap_lex_expect(S, '(');
        do {
            mw_span cs;
            mw__imap_lex_astring(S, &cs);
        } while (S->status == MW_OK && mw__imap_lex_accept(S, ' '));
        mw__imap_lex_expect(S, ')');
        return mw__imap_lex_end(S);
    case MW_IMAP_CODE_CAPABILITY:
        if (!has_arg)
            return mw__imap_lex_fail(S, MW_E_SYNTAX, "capabilities expected");
        return cap_list(S);
    case MW_IMAP_CODE_PERMANENTFLAGS:
        if (!has_arg)
            return mw__imap_lex_fail(S, MW_E_SYNTAX, "flag list expected");
        mw__imap_lex_flag_list(S, 1, &code->flags);
        return mw__imap_lex_end(S);
    case MW_IMAP_CODE_UIDNEXT:
    case MW_IMAP_CODE_UIDVALIDITY:
    case MW_IMAP_CODE_UNSEEN:
        if (!has_arg)
            return mw__imap_lex_fail(S, MW_E_SYNTAX, "number expected");
        mw__imap_lex_nz_number(S, &code->num);
        return mw__imap_lex_end(S);
    case MW_IMAP_CODE_APPENDUID:
    case MW_IMAP_CODE_COPYUID:
        /* RFC 4315 §4: nz-number SP append-uid / nz-number SP uid-set SP
         * uid-set. uid-set never holds "*". */
        if (!has_arg)
            return mw__imap_lex_fail(S, MW_E_SYNTAX, "UIDVALIDITY expected");
        mw__imap_lex_nz_number(S, &code->num);
        mw__imap_lex_sp(S);
        set_at = S->p;
        mw__imap_lex_seqset(S, &code->set);
        if (S->status == MW_OK && (code->set.has_star || code->set.dollar)) {
            S->p = set_at;
            return mw__imap_lex_fail(S, MW_E_SYNTAX, "'*' in a uid-set");
        }
        if (code->id == MW_IMAP_CODE_COPYUID) {
            mw__imap_lex_sp(S);
            set_at = S->p;
            mw__imap_lex_seqset(S, &code->set2);
            if (S->status == MW_OK &&
                (code->set2.has_star || code->set2.dollar)) {
                S->p = set_at;
                return mw__imap_lex_fail(S, MW_E_SYNTAX, "'*' in a uid-set");
            }
        }
        return mw__imap_lex_end(S);
    case MW_IMAP_CODE_HIGHESTMODSEQ:
        /* RFC 7162 §7: mod-sequence-value (1*DIGIT, < 2^63). */
        if (!has_arg)
            return mw__imap_lex_fail(S, MW_E_SYNTAX, "mod-sequence expected");
        mw__imap_lex_number64(S, &code->modseq);
        return mw__imap_lex_end(S);
    case MW_IMAP_CODE_MODIFIED:
        if (!has_arg)
            return mw__imap_lex_fail(S, MW_E_SYNTAX, "sequence set expected");
        mw__imap_lex_seqset(S, &code->set);
        return mw__imap_lex_end(S);
    case MW_IMAP_CODE_METADATA:
        /* RFC 5464 §4.2.1: LONGENTRIES n / MAXSIZE n / TOOMANY / NOPRIVATE */
        if (!has_arg)
            return mw__imap_lex_fail(S, MW_E_SYNTAX, "METADATA code argument expected");
        if (mw__imap_lex_keyword(S, "LONGENTRIES") ||
            mw__imap_lex_keyword(S, "MAXSIZE")) {
            mw__imap_lex_sp(S);
            mw__imap_lex_number(S, &code->num);
        } else if (!mw__imap_lex_keyword(S, "TOOMANY") &&
                   !mw__imap_lex_keyword(S, "NOPRIVATE")) {
            return mw__imap_lex_fail(S, MW_E_SYNTAX, "unknown METADATA code");
        }
        return mw__imap_lex_end(S);
    case MW_IMAP_CODE_MAILBOXID: {
        /* RFC 8474 §7: "(" objectid ")" */
        mw_span id;
        if (!has_arg)
            return mw__imap_lex_fail(S, MW_E_SYNTAX, "objectid expected");
        mw__imap_lex_expect(S, '(');
        mw__imap_lex_atom(S, &id);
        if (S->status == MW_OK && (id.len > 255))
            return mw__imap_lex_fail(S, MW_E_SYNTAX, "objectid too long");
        mw__imap_lex_expect(S, ')');
        return mw__imap_lex_end(S);
    }
    case MW_IMAP_CODE_REFERRAL:
        if (!has_arg)
            return mw__imap_lex_fail(S, MW_E_SYNTAX, "URL expected");
        return MW_OK;
    case MW_IMAP_CODE_BADURL:
        /* RFC 4469 §5 with erratum 4046: "BADURL" SP url-resp-text, the
         * bare text up to "]" (not an astring: a '"' is part of it). */
        if (!has_arg)
            return mw__imap_lex_fail(S, MW_E_SYNTAX, "URL expected");
        return MW_OK;
    default:
        /* Codes without a defined argument (ALERT, READ-ONLY, RFC 5530...)
         * and unknown codes: an argument, if any, stays raw. */
        (void)rp;
        (void)v64;
        return MW_OK;
    }
}

/* "[" resp-text-code "]" with L at "[". */
static int resp_code(mw__imap_rp *rp, mw_imap_code *code)
{
    mw__imap_lex *L = &rp->L;
    mw__imap_lex S;
    const char *open = L->p;
    L->p++;
    if (mw__imap_lex_atom(L, &code->name) != MW_OK)
        return L->status;
    code->id = mw_imap_code_lookup(code->name.ptr, code->name.len);
    if (mw__imap_lex_accept(L, ' ')) {
        if (code_arg(rp, &code->arg) != MW_OK)
            return L->status;
    } else if ((rp->c->quirks & MW_IMAP_QUIRK_LOOSE_CODE) &&
               mw__imap_lex_peek(L) == '"') {
        /* Exchange: [Error="..." ...], a quoted string glued to the
         * atom; the whole rest is the argument. */
        if (code_arg(rp, &code->arg) != MW_OK)
            return L->status;
    } else if (mw__imap_lex_peek(L) != ']') {
        return mw__imap_lex_fail(L, MW_E_SYNTAX, "']' expected");
    }
    L->p++; /* "]" */
    mw__imap_lex_init(&S, code->arg.ptr != NULL ? code->arg.ptr : L->p,
                      code->arg.len,
                      code->arg.ptr != NULL
                          ? L->base_offset + (size_t)(code->arg.ptr - L->base)
                          : mw__imap_lex_offset(L),
                      L->arena, L->flags);
    if (code_typed(rp, code, &S) != MW_OK) {
        /* Fall back to the generic form (see the file comment). */
        mw_span name = code->name, arg = code->arg;
        (void)open;
        memset(code, 0, sizeof(*code));
        code->id = MW_IMAP_CODE_OTHER;
        code->name = name;
        code->arg = arg;
        if (mw__imap_rp_error(rp, S.status, S.err_offset,
                              S.reason != NULL ? S.reason
                                               : "bad response code argument") !=
            MW_OK)
            return MW_E_CALLBACK;
        return MW_OK;
    }
    if (code->id == MW_IMAP_CODE_CAPABILITY)
        mw__imap_client_caps(rp->c, code->arg);
    return MW_OK;
}

int mw__imap_rp_resp_text(mw__imap_rp *rp, mw_imap_status *st)
{
    mw__imap_lex *L = &rp->L;
    if (mw__imap_lex_peek(L) == '[') {
        if (resp_code(rp, &st->code) != MW_OK || rp->abort != 0)
            return L->status != MW_OK ? L->status : rp->abort;
        if (L->p == L->end) {
            /* RFC 9051 §9 writes "[" resp-text-code "]" SP [text], but its
             * own MOVE and CONTACTADMIN examples end at "]", Gmail does
             * the same (defects#28), and the RFC 9051 erratum on
             * Appendix E item 23 says clients should not require the SP:
             * the missing SP changes nothing. Accepted always. */
            st->text = mw__span(L->p, 0);
            return MW_OK;
        }
        if (mw__imap_lex_sp(L) != MW_OK)
            return L->status;
    }
    return rest_text(L, &st->text);
}

int mw__imap_rp_status(mw__imap_rp *rp, mw_span tag, int result)
{
    mw__imap_lex *L = &rp->L;
    mw_imap_status st;
    memset(&st, 0, sizeof(st));
    st.result = result;
    st.tag = tag;
    st.untagged = tag.ptr == NULL;
    st.offset = rp->start;
    /* resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text, likewise BYE
     * and PREAUTH. */
    if (mw__imap_lex_sp(L) != MW_OK)
        return L->status;
    if (mw__imap_rp_resp_text(rp, &st) != MW_OK || rp->abort != 0)
        return L->status;
    (void)mw__imap_rp_mach(rp, mw__imap_client_status(rp->c, &st));
    return MW_OK;
}

int mw__imap_rp_continue(mw__imap_rp *rp)
{
    mw__imap_lex *L = &rp->L;
    mw_span text = {NULL, 0}; /* rest_text leaves it unwritten on failure */
    /* RFC 9051 §7.5: continue-req = "+" SP (resp-text / base64). The text
     * goes to the machine raw (a challenge is base64; a code stays in the
     * text for the application). */
    if (L->p == L->end) {
        if (!(rp->c->quirks & MW_IMAP_QUIRK_BARE_PLUS))
            return mw__imap_lex_fail(L, MW_E_SYNTAX, "SP expected after '+'");
        text = mw__span(L->p, 0);
    } else {
        if (mw__imap_lex_sp(L) != MW_OK || rest_text(L, &text) != MW_OK)
            return L->status;
    }
    (void)mw__imap_rp_mach(rp, mw__imap_client_continue(rp->c, text,
                                                        rp->start));
    return MW_OK;
}
