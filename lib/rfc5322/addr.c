/* SPDX-License-Identifier: MIT */
/*
 * Address lists, mailbox lists and Return-Path (RFC 5322 §3.4, §3.6.7, the
 * obsolete forms of §4.4), read from one complete field value with the
 * lexer of lex.h; see hdr_address.h for the contract.
 *
 * The parser reads one entry per call, so a list of any length costs
 * constant memory. An entry is read as a run of words and dots first; what
 * follows the run decides what it was: '<' makes it a display name, ':' a
 * group name, '@' a local part, and a list separator a bare local part.
 * When an entry does not parse, it is salvaged: a second, much simpler
 * scan from the entry's first byte finds the next ',' or ';' outside
 * quotes, comments, angle brackets and domain literals (field-notes §4.9),
 * so one bad address never takes the rest of the list with it. Before all
 * that, a fast path tries the shapes nearly every entry has
 * ("local@domain", "Name <local@domain>") in one plain pass, and hands
 * anything else to the general path, which then starts the entry over.
 * Each byte is therefore read a small, fixed number of times: the fast
 * attempt, parsing, the look-ahead over separators, and at most one
 * salvage scan.
 *
 * Nothing is decoded: spans are reported as they stood, and encoded words
 * are left to the phrase decoder (RFC 2047 §6.2: decode after tokenising).
 */
#include "mailwire/hdr_address.h"

#include "lex.h"
#include "mailwire/codec.h"

/* Iterator states. */
enum { ST_TOP = 0, ST_GROUP_FIRST = 1, ST_GROUP = 2, ST_DONE = 3 };

/* Where an entry stands (parse_entry's ctx). */
#define CTX_GROUP 1u /* member of a group: no nested group */
#define CTX_PATH 2u  /* Return-Path: no display name, no group, "<>" */
#define CTX_SLOW 4u  /* general path only (MW__HDR_ADDR_SLOW) */

/* What parse_entry read. */
enum { ENT_MAILBOX = 0, ENT_GROUP = 1 };

/* Obsolete or lenient forms that STRICT turns into errors. */
#define STRICT_FLAGS                                                          \
    (MW_HDR_ADDR_OBS_ROUTE | MW_HDR_ADDR_OBS_LOCAL | MW_HDR_ADDR_OBS_DOMAIN | \
     MW_HDR_ADDR_OBS_PHRASE | MW_HDR_ADDR_OBS_TEXT | MW_HDR_ADDR_NO_DOMAIN |  \
     MW_HDR_ADDR_SEMICOLON)

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void skip_ws(mw__lex *lx)
{
    while (lx->p < lx->end && is_ws((unsigned char)*lx->p))
        lx->p++;
}

static mw_span span_of(const char *s, const char *e)
{
    return mw__span(s, (size_t)(e - s));
}

/* The span s..e without trailing white space (s is never white space). */
static mw_span trimmed(const char *s, const char *e)
{
    while (e > s && is_ws((unsigned char)e[-1]))
        e--;
    return span_of(s, e);
}

/* ---- runs of words and dots ------------------------------------------ */

/* A run of words (atoms, and quoted strings when allowed) and dots with
 * CFWS between them: a phrase, a local part, or an obs-phrase, which one
 * depends on what follows. */
typedef struct tok_run {
    const char *start, *end; /* first token's first byte, last token's end */
    unsigned words, dots;
    int shape_ok; /* word *("." word): a local part's shape (§3.4.1, §4.4) */
    int adjacent; /* two words with no '.' between them */
    int gap;      /* CFWS between two tokens */
    int quoted;   /* a word is a quoted string */
} tok_run;

/* Read a run, including the CFWS before and after it. Returns MW_OK or the
 * lexer's error (unclosed quote or comment, comments too deep). */
static int read_run(mw__lex *lx, tok_run *r)
{
    int last = 0; /* 0: nothing yet, 1: word, 2: dot */
    r->start = r->end = NULL;
    r->words = r->dots = 0;
    r->adjacent = r->gap = r->quoted = 0;
    for (;;) {
        const char *before = lx->p, *tok;
        mw_span s;
        int kind, rc = mw__lex_cfws(lx);
        if (rc < 0)
            return rc;
        tok = lx->p;
        if (mw__lex_atom(lx, &s)) {
            kind = 1;
        } else if (tok < lx->end && *tok == '"') {
            rc = mw__lex_quoted(lx, &s);
            if (rc < 0)
                return rc;
            kind = 1;
            r->quoted = 1;
        } else if (tok < lx->end && *tok == '.') {
            lx->p++;
            kind = 2;
            r->dots++;
        } else {
            break;
        }
        if (r->start == NULL)
            r->start = tok;
        else if (tok != before)
            r->gap = 1;
        r->end = lx->p;
        if (kind == 1) {
            if (last == 1)
                r->adjacent = 1;
            r->words++;
        }
        last = kind;
    }
    /* word *("." word): with no two words side by side and the last
     * token a word, exactly one dot between each pair of words is the
     * same as dots == words - 1 (a leading or doubled dot adds one). */
    r->shape_ok = r->words > 0 && !r->adjacent && last == 1 &&
                  r->dots + 1 == r->words;
    return MW_OK;
}

/* A run read as a local part: store it and classify it. A run of the wrong
 * shape is recorded as an error, but parsing goes on so that the domain is
 * read too (the entry ends up invalid with its parts filled). */
static void take_local(mw__lex *lx, const tok_run *r, mw_hdr_address *out)
{
    out->local = span_of(r->start, r->end);
    if (r->quoted)
        out->flags |= MW_HDR_ADDR_QUOTED_LOCAL;
    if (!r->shape_ok) {
        (void)mw__lex_error(lx, MW_E_SYNTAX, r->start,
                            r->adjacent ? "local part has words not joined by '.'"
                                        : "local part has an empty part between dots");
        return;
    }
    /* dot-atom allows CFWS only around it; a quoted string only alone. */
    if (r->gap || (r->quoted && r->words > 1))
        out->flags |= MW_HDR_ADDR_OBS_LOCAL;
}

/* ---- domains and routes ---------------------------------------------- */

/* domain = dot-atom / domain-literal / obs-domain (§3.4.1, §4.4), with the
 * CFWS around it. Flags go to *flags. */
static int read_domain(mw__lex *lx, mw_span *dom, uint32_t *flags)
{
    const char *start, *end;
    mw_span s;
    int rc = mw__lex_cfws(lx);
    if (rc < 0)
        return rc;
    *dom = mw__span(lx->p, 0); /* always set, even when reading fails */
    if (mw__lex_peek(lx) == '[') {
        unsigned saved = lx->flags;
        lx->flags &= ~MW__LEX_QPAIR;
        rc = mw__lex_domain_literal(lx, dom);
        if (rc < 0)
            return rc;
        *flags |= MW_HDR_ADDR_DOMAIN_LITERAL;
        if (lx->flags & MW__LEX_QPAIR) /* obs-dtext (§4.4) */
            *flags |= MW_HDR_ADDR_OBS_DOMAIN;
        lx->flags |= saved;
        return mw__lex_cfws(lx);
    }
    start = lx->p;
    if (!mw__lex_atom(lx, &s))
        return mw__lex_error(lx, MW_E_SYNTAX, lx->p,
                             mw__lex_peek(lx) == '.' ? "empty label in domain"
                                                     : "domain is missing");
    /* The usual labels, '.' and an atom with no CFWS around the dot: the
     * general loop below would read them the same way and raise no flag. */
    mw__lex_dot_atom_rest(lx);
    end = lx->p;
    *dom = span_of(start, end); /* kept if a later label fails */
    for (;;) {
        const char *before = lx->p;
        rc = mw__lex_cfws(lx);
        if (rc < 0)
            return rc;
        if (mw__lex_peek(lx) != '.')
            break;
        if (lx->p != before)
            *flags |= MW_HDR_ADDR_OBS_DOMAIN;
        lx->p++;
        before = lx->p;
        rc = mw__lex_cfws(lx);
        if (rc < 0)
            return rc;
        if (lx->p != before)
            *flags |= MW_HDR_ADDR_OBS_DOMAIN;
        if (!mw__lex_atom(lx, &s))
            return mw__lex_error(lx, MW_E_SYNTAX, lx->p, "empty label in domain");
        end = lx->p;
        *dom = span_of(start, end);
    }
    return MW_OK;
}

/* obs-route = obs-domain-list ":" ;
 * obs-domain-list = *(CFWS / ",") "@" domain *("," [CFWS] ["@" domain])
 * (§4.4). Called just inside '<' when the next byte is '@' or ','. */
static int read_route(mw__lex *lx, mw_hdr_address *out)
{
    const char *start, *last;
    mw_span d;
    uint32_t f = 0; /* flags of the route's domains are not the address's */
    int rc;
    for (;;) {
        rc = mw__lex_cfws(lx);
        if (rc < 0)
            return rc;
        if (mw__lex_peek(lx) != ',')
            break;
        lx->p++;
    }
    if (mw__lex_peek(lx) != '@')
        return mw__lex_error(lx, MW_E_SYNTAX, lx->p, "expected '@' in route");
    start = lx->p;
    for (;;) {
        int more = 0;
        lx->p++; /* '@' */
        rc = read_domain(lx, &d, &f);
        if (rc < 0)
            return rc;
        last = d.ptr + d.len;
        for (;;) {
            rc = mw__lex_cfws(lx);
            if (rc < 0)
                return rc;
            if (mw__lex_peek(lx) != ',')
                break;
            lx->p++;
            rc = mw__lex_cfws(lx);
            if (rc < 0)
                return rc;
            if (mw__lex_peek(lx) == '@') {
                more = 1;
                break;
            }
        }
        if (!more)
            break;
    }
    if (mw__lex_peek(lx) != ':')
        return mw__lex_error(lx, MW_E_SYNTAX, lx->p, "expected ':' after route");
    lx->p++;
    out->route = span_of(start, last);
    out->flags |= MW_HDR_ADDR_OBS_ROUTE;
    return MW_OK;
}

/* angle-addr = [CFWS] "<" addr-spec ">" [CFWS] / obs-angle-addr (§3.4),
 * and in a path also "<" [CFWS] ">" (§3.6.7). At '<'. */
static int read_angle(mw__lex *lx, mw_hdr_address *out, int path)
{
    const char *open = lx->p;
    tok_run r;
    int c, rc;
    lx->p++;
    out->flags |= MW_HDR_ADDR_ANGLE;
    rc = mw__lex_cfws(lx);
    if (rc < 0)
        return rc;
    c = mw__lex_peek(lx);
    if (c == '>') {
        lx->p++;
        if (path)
            out->flags |= MW_HDR_ADDR_NULL;
        else
            (void)mw__lex_error(lx, MW_E_SYNTAX, open, "empty address \"<>\"");
        return MW_OK;
    }
    if (c == '@' || c == ',') {
        rc = read_route(lx, out);
        if (rc < 0)
            return rc;
    }
    rc = read_run(lx, &r);
    if (rc < 0)
        return rc;
    c = mw__lex_peek(lx);
    if (c == '@' && r.words > 0) {
        take_local(lx, &r, out);
        lx->p++;
        rc = read_domain(lx, &out->domain, &out->flags);
        if (rc < 0)
            return rc;
    } else if (r.words > 0) {
        take_local(lx, &r, out); /* "<postmaster>" */
        out->flags |= MW_HDR_ADDR_NO_DOMAIN;
    } else if (c < 0) {
        return mw__lex_error(lx, MW_E_SYNTAX, open, "'<' is not closed");
    } else {
        return mw__lex_error(lx, MW_E_SYNTAX, lx->p,
                             c == '@' ? "local part is missing"
                                      : "expected an address after '<'");
    }
    c = mw__lex_peek(lx);
    if (c == '>') {
        lx->p++;
        return MW_OK;
    }
    if (c < 0)
        return mw__lex_error(lx, MW_E_SYNTAX, open, "'<' is not closed");
    return mw__lex_error(lx, MW_E_SYNTAX, lx->p,
                         c == '@' ? "more than one '@'" : "expected '>'");
}

/* ---- one entry ------------------------------------------------------- */

static const char *unexpected(int c)
{
    switch (c) {
    case '>':
        return MW__TEXT("'>' without '<'");
    case ')':
        return MW__TEXT("')' without '('");
    case ']':
        return MW__TEXT("']' without '['");
    case '[':
        return MW__TEXT("domain literal without a local part");
    case '\\':
        return MW__TEXT("'\\' outside a quoted string");
    default:
        return MW__TEXT("unexpected character");
    }
}

/* ---- the fast path --------------------------------------------------- */

/* Speed only: the general path gives the same answers (test_hdr_fastpath.c
 * checks it), so a build without fast paths (features.h) leaves it out. */
#if MW_ENABLE_FAST_PATHS

/* White space, then what ends an entry: ',', ';' or the end. */
static int fast_end(mw__lex *lx)
{
    skip_ws(lx);
    return lx->p == lx->end || *lx->p == ',' || *lx->p == ';';
}

/* What fast_entry() read. */
typedef struct fast_addr {
    mw_span display, local, domain; /* display empty when none */
    uint32_t flags;                 /* 0 or MW_HDR_ADDR_ANGLE */
    const char *raw_end;            /* end of the entry's last token */
} fast_addr;

/*
 * Nearly every entry in real mail is "local@domain" or
 * "[phrase] <local@domain>", both sides dot-atom-text, the phrase atoms and
 * quoted strings with white space between them, and nothing else: no
 * comment, no obsolete form, no error. fast_entry() reads just these, in
 * one pass, without the general machinery of runs and look-ahead, and
 * yields what parse_entry()'s general path yields for them: the same
 * spans, flags, lexer position and lexer flags. At the first byte it does
 * not expect it returns 0, leaving the lexer somewhere in the entry (with
 * flags, and perhaps the error of an unclosed quoted string, recorded):
 * the caller puts it back, and the general path reads the entry from its
 * start, so an entry costs at most one extra pass. test_hdr_fastpath.c
 * compares the two paths (MW__HDR_ADDR_SLOW turns the fast ones off) on
 * generated lists.
 */
static int fast_entry(mw__lex *lx, fast_addr *fa)
{
    const char *start = lx->p, *disp_end = NULL, *local, *at, *dom, *dom_end;
    mw_span w;

    /* The phrase, or the first atom of an addr-spec's local part. */
    for (;;) {
        if (mw__lex_atom(lx, &w)) {
            int c = mw__lex_peek(lx);
            if (disp_end == NULL && (c == '.' || c == '@')) {
                /* addr-spec: local@domain */
                mw__lex_dot_atom_rest(lx);
                if (mw__lex_peek(lx) != '@')
                    return 0;
                at = lx->p++;
                dom = lx->p;
                if (!mw__lex_atom(lx, &w))
                    return 0;
                mw__lex_dot_atom_rest(lx);
                dom_end = lx->p;
                if (!fast_end(lx))
                    return 0;
                fa->display = mw__span(NULL, 0);
                fa->local = span_of(start, at);
                fa->domain = span_of(dom, dom_end);
                fa->flags = 0;
                fa->raw_end = dom_end;
                return 1;
            }
        } else if (mw__lex_peek(lx) == '"') {
            if (mw__lex_quoted(lx, &w) < 0)
                return 0;
        } else {
            break;
        }
        disp_end = lx->p;
        skip_ws(lx);
    }

    /* name-addr: [phrase] "<" local@domain ">" */
    if (mw__lex_peek(lx) != '<')
        return 0;
    lx->p++;
    local = lx->p;
    if (!mw__lex_atom(lx, &w))
        return 0;
    mw__lex_dot_atom_rest(lx);
    if (mw__lex_peek(lx) != '@')
        return 0;
    at = lx->p++;
    dom = lx->p;
    if (!mw__lex_atom(lx, &w))
        return 0;
    mw__lex_dot_atom_rest(lx);
    if (mw__lex_peek(lx) != '>')
        return 0;
    dom_end = lx->p++;
    fa->raw_end = lx->p;
    if (!fast_end(lx))
        return 0;
    fa->display = disp_end != NULL ? span_of(start, disp_end) : mw__span(NULL, 0);
    fa->local = span_of(local, at);
    fa->domain = span_of(dom, dom_end);
    fa->flags = MW_HDR_ADDR_ANGLE;
    return 1;
}
#endif /* MW_ENABLE_FAST_PATHS */

/* address = mailbox / group; mailbox = name-addr / addr-spec (§3.4). Reads
 * one entry up to (not including) the ',' or ';' or end that follows it,
 * or, for a group, up to and including its ':'. Returns MW_OK (possibly
 * with a recorded error: the entry is complete but invalid) or a negative
 * status when the entry could not be read to its end (salvage needed). */
static int parse_entry(mw__lex *lx, mw_hdr_address *out, unsigned ctx,
                       int *kind)
{
    tok_run r;
    int c, rc;
    *kind = ENT_MAILBOX;
#if MW_ENABLE_FAST_PATHS
    if (!(ctx & (CTX_PATH | CTX_SLOW))) {
        const char *start = lx->p;
        unsigned flags = lx->flags;
        int err = lx->err;
        size_t err_off = lx->err_off;
        const char *err_reason = lx->err_reason;
        fast_addr fa;
        if (fast_entry(lx, &fa)) {
            out->display = fa.display;
            out->local = fa.local;
            out->domain = fa.domain;
            out->flags |= fa.flags;
            return MW_OK;
        }
        lx->p = start;
        lx->flags = flags;
        lx->err = err;
        lx->err_off = err_off;
        lx->err_reason = err_reason;
    }
#endif
    rc = read_run(lx, &r);
    if (rc < 0)
        return rc;
    c = mw__lex_peek(lx);
    if (c == '<') {
        if (r.start != NULL) {
            out->display = span_of(r.start, r.end);
            if (r.dots)
                out->flags |= MW_HDR_ADDR_OBS_PHRASE;
            if (r.words == 0)
                (void)mw__lex_error(lx, MW_E_SYNTAX, r.start,
                                    "display name has no word");
            if (ctx & CTX_PATH)
                (void)mw__lex_error(lx, MW_E_SYNTAX, r.start,
                                    "display name in a path");
        }
        rc = read_angle(lx, out, (ctx & CTX_PATH) != 0);
        if (rc < 0)
            return rc;
    } else if (c == ':') {
        if (ctx & CTX_GROUP)
            return mw__lex_error(lx, MW_E_SYNTAX, lx->p, "group inside a group");
        if (ctx & CTX_PATH)
            return mw__lex_error(lx, MW_E_SYNTAX, lx->p, "group in a path");
        if (r.start != NULL)
            out->display = span_of(r.start, r.end);
        if (r.dots)
            out->flags |= MW_HDR_ADDR_OBS_PHRASE;
        lx->p++;
        *kind = ENT_GROUP;
        return MW_OK;
    } else if (c == '@') {
        if (r.words == 0)
            return mw__lex_error(lx, MW_E_SYNTAX, lx->p, "local part is missing");
        take_local(lx, &r, out);
        lx->p++;
        rc = read_domain(lx, &out->domain, &out->flags);
        if (rc < 0)
            return rc;
    } else if (c < 0 || c == ',' || c == ';') {
        if (r.words == 0)
            return mw__lex_error(lx, MW_E_SYNTAX, lx->p, "empty address");
        if (r.shape_ok) {
            take_local(lx, &r, out); /* "root" */
            out->flags |= MW_HDR_ADDR_NO_DOMAIN;
        } else {
            /* "John Smith" alone: a phrase, never an address. */
            out->display = span_of(r.start, r.end);
            if (r.dots)
                out->flags |= MW_HDR_ADDR_OBS_PHRASE;
            (void)mw__lex_error(lx, MW_E_SYNTAX, r.start,
                                "display name without an address");
        }
    } else {
        return mw__lex_error(lx, MW_E_SYNTAX, lx->p, unexpected(c));
    }
    rc = mw__lex_cfws(lx);
    if (rc < 0)
        return rc;
    c = mw__lex_peek(lx);
    if (c < 0 || c == ',' || c == ';')
        return MW_OK;
    return mw__lex_error(lx, MW_E_SYNTAX, lx->p,
                         c == '@' ? "more than one '@'"
                                  : "unexpected text after the address");
}

/* The end of a bad entry: the first ',' or ';' from p that is outside
 * quoted strings, comments (nested: counted without bound, since this only
 * skips), domain literals and angle brackets, or the end. */
static const char *salvage_end(const char *p, const char *end)
{
    int angle = 0;
    while (p < end) {
        char c = *p;
        if (c == '"' || c == '[') {
            char close = c == '"' ? '"' : ']';
            p++;
            while (p < end && *p != close) {
                if (*p == '\\' && end - p > 1)
                    p++;
                p++;
            }
            if (p < end)
                p++;
            continue;
        }
        if (c == '(') {
            size_t depth = 0;
            while (p < end) {
                c = *p++;
                if (c == '\\') {
                    if (p < end)
                        p++;
                } else if (c == '(') {
                    depth++;
                } else if (c == ')' && --depth == 0) {
                    break;
                }
            }
            continue;
        }
        if (c == '<')
            angle = 1;
        else if (c == '>')
            angle = 0;
        else if ((c == ',' || c == ';') && !angle)
            return p;
        p++;
    }
    return end;
}

/* Skip white space, ',' and (when top) ';', and comments that stand alone
 * between separators: empty list elements (obs-addr-list, §4.4). A comment
 * followed by anything else belongs to the next entry and is left for it.
 * Returns 1 when a ';' was skipped. */
static int skip_separators(mw__lex *lx, int top)
{
    int semi = 0;
    for (;;) {
        int c;
        skip_ws(lx);
        c = mw__lex_peek(lx);
        if (c == ',') {
            lx->p++;
            continue;
        }
        if (c == ';' && top) {
            lx->p++;
            semi = 1;
            continue;
        }
        if (c == '(') {
            mw__lex look = *lx;
            if (mw__lex_cfws(&look) == MW_OK) {
                int n = mw__lex_peek(&look);
                if (n < 0 || n == ',' || n == ';') {
                    if (lx->comment.ptr == NULL)
                        lx->comment = look.comment;
                    lx->p = look.p;
                    continue;
                }
            }
        }
        return semi;
    }
}

/* ---- checks common to every entry ------------------------------------ */

static void set_err_(mw_hdr_address *out, int code, size_t off,
                     const char *reason)
{
    if (out->error.code == 0) {
        out->error.code = code;
        out->error.offset = off;
        out->error.reason = reason;
    }
}
#define set_err(out, code, off, reason)                                      \
    set_err_((out), (code), (off), MW__TEXT(reason))

/* Offset of the first byte of p..p+n that is not UTF-8, or NULL. */
static const char *utf8_bad(const char *p, size_t n)
{
    size_t bad = 0;
    return mw_utf8_check(p, n, &bad) == MW_OK ? NULL : p + bad;
}

/* Final checks of an entry whose raw span is set: NUL and 8-bit bytes,
 * UTF-8 in the address, obsolete text, strict mode; then the INVALID flag.
 * `lexflags` are the lexer flags gathered while reading the entry. */
static void finish_entry(mw_hdr_address *out, const char *base,
                         unsigned lexflags, int lexed_all, unsigned opts)
{
    const char *nul = NULL;
    int eight = (lexflags & MW__LEX_8BIT) != 0;
    /* No token the lexer reads holds a NUL except a quoted string, comment
     * or domain literal, which flag it: search only when the lexer did, or
     * when a salvaged entry's tail was skipped unread. */
    if (out->raw.len > 0 && (!lexed_all || (lexflags & MW__LEX_NUL)))
        nul = memchr(out->raw.ptr, 0, out->raw.len);
    /* The lexer saw every byte of an entry it read to the end; a salvaged
     * entry's tail was skipped unread, so look at its bytes here. */
    if (!lexed_all && !eight) {
        const unsigned char *p = (const unsigned char *)out->raw.ptr;
        for (size_t i = 0; i < out->raw.len && !eight; i++)
            eight = p[i] >= 0x80;
    }
    /* A NUL byte is never part of an address (not even obs-qtext), and C
     * code downstream would cut the address there: report it, ahead of
     * any later error it caused. */
    if (nul != NULL) {
        size_t off = (size_t)(nul - base);
        if (out->error.code == 0 || off <= out->error.offset) {
            out->error.code = MW_E_NUL;
            out->error.offset = off;
            out->error.reason = MW__TEXT("NUL byte in address");
        }
    }
    if (eight)
        out->flags |= MW_HDR_ADDR_8BIT;
    if (out->flags & MW_HDR_ADDR_8BIT) {
        /* RFC 6532 §3.2: UTF-8 only. An invalid sequence could hide an
         * overlong '@' or '.' from a later UTF-8 decoder. */
        const char *bad = NULL;
        if (out->local.len > 0)
            bad = utf8_bad(out->local.ptr, out->local.len);
        if (bad == NULL && out->domain.len > 0)
            bad = utf8_bad(out->domain.ptr, out->domain.len);
        if (bad != NULL)
            set_err(out, MW_E_UTF8, (size_t)(bad - base),
                    "address is not valid UTF-8");
    }
    if (lexflags & MW__LEX_OBS_CTL)
        out->flags |= MW_HDR_ADDR_OBS_TEXT;
    if ((opts & MW_HDR_ADDR_STRICT) && (out->flags & STRICT_FLAGS)) {
        uint32_t f = out->flags;
        set_err(out, MW_E_SYNTAX, out->offset,
                (f & MW_HDR_ADDR_OBS_ROUTE)    ? "obsolete route (strict)"
                : (f & MW_HDR_ADDR_OBS_LOCAL)  ? "obsolete local part (strict)"
                : (f & MW_HDR_ADDR_OBS_DOMAIN) ? "obsolete domain (strict)"
                : (f & MW_HDR_ADDR_OBS_PHRASE) ? "obsolete phrase (strict)"
                : (f & MW_HDR_ADDR_OBS_TEXT)   ? "obsolete control character (strict)"
                : (f & MW_HDR_ADDR_NO_DOMAIN)  ? "address has no domain (strict)"
                                               : "';' outside a group (strict)");
    }
    if (out->error.code != 0)
        out->flags |= MW_HDR_ADDR_INVALID;
}

/* Start a fresh entry on the lexer: its flags, comment and error. */
static void lex_reset_entry(mw__lex *lx)
{
    lx->flags = 0;
    lx->comment = mw__span(NULL, 0);
    lx->err = 0;
    lx->err_off = 0;
    lx->err_reason = NULL;
}

/* ---- the iterator ---------------------------------------------------- */

size_t mw_hdr_addr_iter_sizeof(void)
{
    return sizeof(mw_hdr_addr_iter);
}

void mw_hdr_addr_iter_init(mw_hdr_addr_iter *it, const char *value,
                           size_t len, unsigned opts)
{
    memset(it, 0, sizeof(*it));
    /* "" rather than NULL: no arithmetic on a null pointer later. */
    it->base_ = value != NULL ? value : "";
    it->len_ = value != NULL ? len : 0;
    it->opts_ = opts;
    it->state_ = ST_TOP;
}

/* After a group's ';': skip the CFWS that may follow (§3.4 group) and note
 * whether a ',' (or the end) comes next, as the list syntax requires. */
static void after_group(mw_hdr_addr_iter *it, mw__lex *lx)
{
    mw__lex look = *lx;
    int c;
    if (mw__lex_cfws(&look) == MW_OK)
        lx->p = look.p;
    c = mw__lex_peek(lx);
    if (c >= 0 && c != ',' && c != ';')
        it->pending_ |= MW_HDR_ADDR_SEMICOLON;
    it->state_ = ST_TOP;
}

/* Enter a group whose name and ':' parse_entry just read. */
static void open_group(mw_hdr_addr_iter *it, mw__lex *lx, const char *start,
                       const mw_hdr_address *g)
{
    const char *p;
    it->group_ = g->display;
    it->group_comment_ = lx->comment;
    it->group_off_ = (size_t)(start - lx->base);
    it->group_colon_ = mw__lex_off(lx) - 1;
    it->group_flags_ = MW_HDR_ADDR_IN_GROUP | (g->flags & MW_HDR_ADDR_OBS_PHRASE);
    if (lx->flags & MW__LEX_OBS_CTL)
        it->group_flags_ |= MW_HDR_ADDR_OBS_TEXT;
    it->group_err_ = NULL;
    it->group_err_code_ = 0;
    it->group_err_off_ = 0;
    for (p = start; p < lx->p; p++) {
        if (*p == 0 && it->group_err_ == NULL) {
            it->group_err_ = MW__TEXT("NUL byte in group name");
            it->group_err_code_ = MW_E_NUL;
            it->group_err_off_ = (size_t)(p - lx->base);
        } else if ((unsigned char)*p >= 0x80) {
            it->group_flags_ |= MW_HDR_ADDR_8BIT;
        }
    }
    if (it->group_err_ == NULL) {
        if (it->opts_ & MW_HDR_ADDR_MAILBOX_LIST)
            it->group_err_ = MW__TEXT("group not allowed in a mailbox list");
        else if (g->display.len == 0)
            it->group_err_ = MW__TEXT("group has no name");
        if (it->group_err_ != NULL) {
            it->group_err_code_ = MW_E_SYNTAX;
            it->group_err_off_ = it->group_off_;
        }
    }
    it->state_ = ST_GROUP_FIRST;
}

/* Fill what every member of the open group shares. */
static void group_member(const mw_hdr_addr_iter *it, mw_hdr_address *out)
{
    out->group = it->group_;
    out->flags |= it->group_flags_;
    if (it->group_err_ != NULL)
        set_err(out, it->group_err_code_, it->group_err_off_, it->group_err_);
}

/* The one entry of a group with no member, at its ';' or at the end. */
static void empty_group(mw_hdr_addr_iter *it, mw__lex *lx, mw_hdr_address *out)
{
    const char *start = lx->base + it->group_off_;
    memset(out, 0, sizeof(*out));
    out->offset = it->group_off_;
    out->comment = lx->comment;
    out->flags = MW_HDR_ADDR_GROUP_EMPTY | MW_HDR_ADDR_GROUP_END | it->pending_;
    it->pending_ = 0;
    group_member(it, out);
    if (mw__lex_peek(lx) == ';') {
        lx->p++;
        out->raw = span_of(start, lx->p);
        after_group(it, lx);
    } else {
        out->raw = trimmed(start, lx->end);
        set_err(out, MW_E_SYNTAX, it->group_colon_, "group is not closed (no ';')");
        it->state_ = ST_DONE;
    }
    finish_entry(out, lx->base, 0, 0, it->opts_);
}

/* Read one entry at lx->p (not a separator, not the end). Returns 1 when
 * it was a group's name (the group is now open, nothing in *out), 0 when
 * *out holds an entry. */
static int read_entry(mw_hdr_addr_iter *it, mw__lex *lx, mw_hdr_address *out)
{
    int in_group = it->state_ != ST_TOP;
    const char *start = lx->p;
    unsigned lexflags;
    int kind, rc, c;

    lex_reset_entry(lx);
    memset(out, 0, sizeof(*out));
    rc = parse_entry(lx, out,
                     (in_group ? CTX_GROUP : 0u) |
                         ((it->opts_ & MW__HDR_ADDR_SLOW) ? CTX_SLOW : 0u),
                     &kind);
    if (rc >= 0 && kind == ENT_GROUP) {
        open_group(it, lx, start, out);
        return 1;
    }
    if (rc < 0)
        lx->p = salvage_end(start, lx->end);
    lexflags = lx->flags;
    out->raw = trimmed(start, lx->p);
    out->offset = (size_t)(start - lx->base);
    out->comment = lx->comment;
    if (lx->err != 0)
        set_err(out, lx->err, lx->err_off, lx->err_reason);
    out->flags |= it->pending_;
    it->pending_ = 0;

    c = mw__lex_peek(lx);
    if (!in_group) {
        if (c == ';') { /* not the end of any group: a stray separator */
            out->flags |= MW_HDR_ADDR_SEMICOLON;
            it->pending_ |= MW_HDR_ADDR_SEMICOLON;
            lx->p++;
        } else if (c == ',') {
            lx->p++;
        }
    } else {
        int closed = 0, unclosed = 0;
        group_member(it, out);
        if (c == ';') {
            lx->p++;
            closed = 1;
        } else if (c < 0) {
            unclosed = 1;
        } else {
            /* ',' : look past empty elements for the ';' that would make
             * this the group's last member. */
            mw__lex look = *lx;
            look.p++;
            (void)skip_separators(&look, 0);
            c = mw__lex_peek(&look);
            if (c == ';') {
                lx->p = look.p + 1;
                closed = 1;
            } else if (c < 0) {
                lx->p = look.p;
                unclosed = 1;
            } else {
                lx->p++;
                it->state_ = ST_GROUP;
            }
        }
        if (closed) {
            out->flags |= MW_HDR_ADDR_GROUP_END;
            after_group(it, lx);
        } else if (unclosed) {
            out->flags |= MW_HDR_ADDR_GROUP_END;
            set_err(out, MW_E_SYNTAX, it->group_colon_,
                    "group is not closed (no ';')");
            it->state_ = ST_DONE;
        }
    }
    finish_entry(out, lx->base, lexflags, rc >= 0, it->opts_);
    return 0;
}

#if MW_ENABLE_FAST_PATHS
/*
 * The common call of mw_hdr_addr_next(), in one piece: outside any group,
 * nothing pending, plain separators (white space and ','), then an entry
 * fast_entry() reads. Fills *out as read_entry() would and returns 1; or
 * returns 0 having changed nothing, for the general path to take over.
 */
static int fast_next(mw_hdr_addr_iter *it, mw_hdr_address *out)
{
    const char *base = it->base_, *end = base + it->len_, *p = base + it->pos_;
    mw__lex lx;
    fast_addr fa;

    /* what skip_separators() would skip without noting anything */
    while (p < end && (is_ws((unsigned char)*p) || *p == ','))
        p++;
    if (p == end)
        return 0;
    mw__lex_init(&lx, base, it->len_);
    lx.p = p;
    if (!fast_entry(&lx, &fa))
        return 0;
    if (lx.p < end && *lx.p == ';')
        return 0; /* a stray ';' raises flags: the general path notes them */
    out->raw = span_of(p, fa.raw_end);
    out->display = fa.display;
    out->local = fa.local;
    out->domain = fa.domain;
    out->route = mw__span(NULL, 0);
    out->comment = mw__span(NULL, 0);
    out->group = mw__span(NULL, 0);
    out->flags = fa.flags;
    out->offset = (size_t)(p - base);
    out->error.code = MW_OK;
    out->error.offset = 0;
    out->error.reason = NULL;
    /* finish_entry() has nothing to do unless the lexer saw a byte that
     * raises a flag (8-bit text, NUL or a control in a quoted string) or
     * strict mode is on. */
    if ((lx.flags & (MW__LEX_8BIT | MW__LEX_NUL | MW__LEX_OBS_CTL)) ||
        (it->opts_ & MW_HDR_ADDR_STRICT))
        finish_entry(out, base, lx.flags, 1, it->opts_);
    if (lx.p < end) /* at the ',' */
        lx.p++;
    it->pos_ = (size_t)(lx.p - base);
    return 1;
}
#endif /* MW_ENABLE_FAST_PATHS */

int mw_hdr_addr_next(mw_hdr_addr_iter *it, mw_hdr_address *out)
{
    mw__lex lx;
    if (it == NULL || out == NULL)
        return MW_E_INVAL;
    if (it->state_ == ST_DONE)
        return MW_DONE;
#if MW_ENABLE_FAST_PATHS
    if (it->state_ == ST_TOP && it->pending_ == 0 &&
        !(it->opts_ & MW__HDR_ADDR_SLOW) && fast_next(it, out))
        return MW_OK;
#endif
    mw__lex_init(&lx, it->base_, it->len_);
    lx.p = it->base_ + it->pos_;
    for (;;) {
        int c;
        if (it->state_ == ST_DONE)
            break;
        if (it->state_ == ST_TOP) {
            if (skip_separators(&lx, 1))
                it->pending_ |= MW_HDR_ADDR_SEMICOLON;
            if (mw__lex_eof(&lx))
                break;
            if (read_entry(it, &lx, out))
                continue; /* a group opened: read its first member */
            it->pos_ = mw__lex_off(&lx);
            return MW_OK;
        }
        /* inside a group */
        if (it->state_ == ST_GROUP_FIRST) {
            lx.comment = it->group_comment_;
            (void)skip_separators(&lx, 0);
            c = mw__lex_peek(&lx);
            if (c < 0 || c == ';') {
                empty_group(it, &lx, out);
                it->pos_ = mw__lex_off(&lx);
                return MW_OK;
            }
        } else {
            (void)skip_separators(&lx, 0);
            c = mw__lex_peek(&lx);
            if (c == ';') { /* only after a member the look-ahead missed */
                lx.p++;
                after_group(it, &lx);
                continue;
            }
            if (c < 0)
                break;
        }
        (void)read_entry(it, &lx, out);
        it->pos_ = mw__lex_off(&lx);
        return MW_OK;
    }
    it->state_ = ST_DONE;
    it->pos_ = it->len_;
    return MW_DONE;
}

int mw_hdr_parse_addresses(const char *value, size_t len, unsigned opts,
                           mw_hdr_address *out, size_t cap, size_t *count,
                           mw_error *err)
{
    mw_hdr_addr_iter it;
    const mw_hdr_address *bad = NULL;
    size_t n = 0;
    if (count == NULL)
        return mw__fail(err, MW_E_INVAL, 0, "count is NULL");
    *count = 0;
    if ((out == NULL && cap > 0) || (value == NULL && len > 0))
        return mw__fail(err, MW_E_INVAL, 0, "NULL buffer with a length");
    mw_hdr_addr_iter_init(&it, value, len, opts);
    for (;;) {
        if (n == cap) {
            mw_hdr_address extra;
            if (mw_hdr_addr_next(&it, &extra) == MW_DONE)
                break;
            *count = n;
            return mw__fail(err, MW_E_NOSPACE, extra.offset,
                            "more addresses than the array holds");
        }
        if (mw_hdr_addr_next(&it, &out[n]) == MW_DONE)
            break;
        if (bad == NULL && (out[n].flags & MW_HDR_ADDR_INVALID))
            bad = &out[n];
        n++;
    }
    *count = n;
    if (bad != NULL)
        return mw__fail(err, MW_E_SYNTAX, bad->error.offset, bad->error.reason);
    return MW_OK;
}

/* ---- Return-Path ----------------------------------------------------- */

int mw_hdr_parse_return_path(const char *value, size_t len, mw_hdr_address *out,
                             mw_error *err)
{
    mw__lex lx;
    const char *start;
    int kind, rc, c;
    if (out == NULL || (value == NULL && len > 0))
        return mw__fail(err, MW_E_INVAL, 0, "NULL argument");
    memset(out, 0, sizeof(*out));
    if (value == NULL)
        value = "";
    mw__lex_init(&lx, value, len);
    skip_ws(&lx);
    start = lx.p;
    out->offset = (size_t)(start - value);
    if (mw__lex_eof(&lx)) {
        set_err(out, MW_E_SYNTAX, out->offset, "empty path");
        out->flags |= MW_HDR_ADDR_INVALID;
        out->raw = mw__span(start, 0);
        return mw__fail(err, MW_E_SYNTAX, out->offset, out->error.reason);
    }
    lex_reset_entry(&lx);
    rc = parse_entry(&lx, out, CTX_PATH, &kind);
    if (rc >= 0) {
        c = mw__lex_peek(&lx);
        if (c >= 0)
            (void)mw__lex_error(&lx, MW_E_SYNTAX, lx.p,
                                c == ',' ? "more than one address in a path"
                                         : "unexpected text after the path");
    }
    /* A path is one address: the whole value is the entry. */
    out->raw = trimmed(start, lx.end);
    out->comment = lx.comment;
    if (lx.err != 0)
        set_err(out, lx.err, lx.err_off, lx.err_reason);
    finish_entry(out, value, lx.flags, lx.err == 0 && lx.p == lx.end, 0);
    if (out->flags & MW_HDR_ADDR_INVALID)
        return mw__fail(err, MW_E_SYNTAX, out->error.offset, out->error.reason);
    return MW_OK;
}

/* ---- canonical addr-spec --------------------------------------------- */

/* Output with counting: writes what fits, counts everything, and tracks
 * whether the content written so far is dot-atom-text (§3.2.3). */
typedef struct sink {
    char *out;
    size_t cap;
    size_t n;
    int escape;   /* inside the quoted form: escape '"' and '\\' */
    int dotatom;  /* content so far is dot-atom-text */
    size_t chars; /* content bytes so far */
    char prev;    /* last content byte */
} sink;

static void put_raw(sink *s, char c)
{
    if (s->n < s->cap)
        s->out[s->n] = c;
    s->n++;
}

/* One byte of local-part content. */
static void put_content(sink *s, char c)
{
    if (c == '.') {
        if (s->chars == 0 || s->prev == '.')
            s->dotatom = 0;
    } else if (!mw__is((unsigned char)c, MW__C_ATEXT)) {
        s->dotatom = 0;
    }
    s->chars++;
    s->prev = c;
    if (s->escape && (c == '"' || c == '\\'))
        put_raw(s, '\\');
    put_raw(s, c);
}

/* The content of a local part: its words' text (quoted strings unquoted,
 * quoted-pairs resolved, folding removed) joined by its dots, without any
 * CFWS. MW_E_SYNTAX when the span is not a local part. */
static int local_content(mw_span local, sink *s)
{
    mw__lex lx;
    mw__lex_init(&lx, local.ptr != NULL ? local.ptr : "", local.len);
    for (;;) {
        mw_span w;
        int c;
        if (mw__lex_cfws(&lx) < 0)
            return MW_E_SYNTAX;
        c = mw__lex_peek(&lx);
        if (c < 0)
            break;
        if (mw__is((unsigned char)c, MW__C_ATEXT)) {
            size_t i;
            (void)mw__lex_atom(&lx, &w);
            for (i = 0; i < w.len; i++)
                put_content(s, w.ptr[i]);
        } else if (c == '"') {
            const char *p, *e;
            if (mw__lex_quoted(&lx, &w) <= 0) /* 0 cannot happen at '"' */
                return MW_E_SYNTAX;
            p = w.ptr + 1;
            e = w.ptr + w.len - 1;
            for (; p < e; p++) {
                char ch = *p;
                if (ch == '\\' && e - p > 1) {
                    ch = *++p;
                    /* An escaped CR, LF or NUL (obs-qp) has no canonical
                     * form: RFC 5321 §4.1.2 quoted-pairSMTP is "\\"
                     * followed by %d32-126, and a raw CR/LF here would
                     * let the address inject a line. */
                    if (ch == '\r' || ch == '\n' || ch == '\0')
                        return MW_E_SYNTAX;
                } else if (ch == '\r' || ch == '\n') {
                    continue; /* §3.2.4: the CRLF of FWS is invisible */
                }
                put_content(s, ch);
            }
        } else if (c == '.') {
            lx.p++;
            put_content(s, '.');
        } else {
            return MW_E_SYNTAX;
        }
    }
    if (s->chars == 0 || s->prev == '.')
        s->dotatom = 0;
    return MW_OK;
}

/* The domain without CFWS: atoms joined by '.', or the literal without
 * white space. */
static int domain_content(mw_span d, sink *s)
{
    mw__lex lx;
    if (d.len > 0 && d.ptr[0] == '[') {
        /* Drop the literal's folding white space, but keep each
         * quoted-pair whole: "\\ " is a space that stays, and an escaped
         * CR, LF or NUL has no canonical form. */
        size_t i;
        for (i = 0; i < d.len; i++) {
            char ch = d.ptr[i];
            if (ch == '\\' && i + 1 < d.len) {
                char q = d.ptr[++i];
                if (q == '\r' || q == '\n' || q == '\0')
                    return MW_E_SYNTAX;
                put_raw(s, '\\');
                put_raw(s, q);
            } else if (!is_ws((unsigned char)ch)) {
                put_raw(s, ch);
            }
        }
        return MW_OK;
    }
    mw__lex_init(&lx, d.ptr != NULL ? d.ptr : "", d.len);
    for (;;) {
        mw_span a;
        int c;
        if (mw__lex_cfws(&lx) < 0)
            return MW_E_SYNTAX;
        c = mw__lex_peek(&lx);
        if (c < 0)
            break;
        if (mw__is((unsigned char)c, MW__C_ATEXT)) {
            size_t i;
            (void)mw__lex_atom(&lx, &a);
            for (i = 0; i < a.len; i++)
                put_raw(s, a.ptr[i]);
        } else if (c == '.') {
            lx.p++;
            put_raw(s, '.');
        } else {
            return MW_E_SYNTAX;
        }
    }
    return MW_OK;
}

int mw_hdr_addr_spec(const mw_hdr_address *a, char *out, size_t cap,
                     size_t *outlen)
{
    sink s;
    int quote;
    if (outlen != NULL)
        *outlen = 0;
    if (a == NULL || (out == NULL && cap > 0))
        return MW_E_INVAL;
    if (a->flags & MW_HDR_ADDR_INVALID)
        return MW_E_SYNTAX;
    if (a->flags & MW_HDR_ADDR_GROUP_EMPTY)
        return MW_E_INVAL;
    if (a->flags & MW_HDR_ADDR_NULL)
        return MW_OK;

    /* First pass: is the content dot-atom-text (written bare) or not
     * (written as one quoted string)? */
    memset(&s, 0, sizeof(s));
    s.dotatom = 1;
    if (local_content(a->local, &s) != MW_OK)
        return MW_E_SYNTAX;
    quote = !s.dotatom;

    memset(&s, 0, sizeof(s));
    s.out = out;
    s.cap = cap;
    if (quote) {
        put_raw(&s, '"');
        s.escape = 1;
    }
    (void)local_content(a->local, &s);
    if (quote) {
        s.escape = 0;
        put_raw(&s, '"');
    }
    if (a->domain.len > 0) {
        put_raw(&s, '@');
        if (domain_content(a->domain, &s) != MW_OK)
            return MW_E_SYNTAX;
    }
    if (outlen != NULL)
        *outlen = s.n;
    return s.n > cap ? MW_E_NOSPACE : MW_OK;
}
