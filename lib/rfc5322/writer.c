/* SPDX-License-Identifier: MIT */
/*
 * The RFC 5322 header writer (hdr_writer.h): whole fields, folded, with
 * RFC 2047 encoded words where the text needs them.
 *
 * Every field is produced twice by the same code. The first pass only
 * counts (buf == NULL): it validates every input and learns the exact
 * size. The second pass runs only when that size fits, and writes. So a
 * call that fails, for whatever reason, never touches the caller's buffer
 * and never leaves half a field behind.
 *
 * Folding model: a field is a sequence of pieces, each of which starts
 * with one white space byte (the separator) or is glued to the piece
 * before it. The only place a CRLF is inserted is right before such a
 * separator, so unfolding (RFC 5322 §2.2.3: remove every CRLF that is
 * followed by WSP) restores the value byte for byte, and a continuation
 * line always starts with WSP and holds at least one non-WSP byte.
 */
#include "mailwire/hdr_writer.h"
#include "mailwire/codec.h"
#include "mailwire/hdr_date.h"
#include "lex.h"

/* RFC 5322 §2.1.1: lines SHOULD stay within 78 bytes and MUST within 998.
 * RFC 2047 §2: an encoded word is at most 75 characters, and a line that
 * holds one is at most 76. */
#define SOFT_LINE 78u
#define EW_LINE 76u
#define HARD_LINE 998u
#define EW_MAX 75u
#define EW_OVERHEAD 12u /* "=?UTF-8?Q?" and "?=" */
#define EW_TEXT_MAX (EW_MAX - EW_OVERHEAD)
/* Do not start an encoded word in less room than this (unless the rest of
 * the text fits): tiny words waste the 12-byte overhead. */
#define EW_MIN_FILL 24u

/* Where output goes while a field is produced. */
typedef struct out {
    char *buf;      /* NULL in the counting pass */
    size_t cap;     /* room at buf (write pass) */
    size_t n;       /* bytes produced */
    size_t col;     /* bytes on the current line */
    size_t maxcol;  /* longest line so far */
    int ew;         /* the current line holds an encoded word */
    unsigned flags; /* MW_HDR_WRITE_* */
    /* the first error */
    size_t item;
    size_t off;
    const char *reason;
} out;

static int fail_(out *o, int code, size_t item, size_t off, const char *reason)
{
    o->item = item;
    o->off = off;
    o->reason = reason;
    return code;
}
#define fail(o, code, item, off, reason)                                     \
    fail_((o), (code), (item), (off), MW__TEXT(reason))

static void put(out *o, const char *p, size_t n)
{
    if (n == 0)
        return;
    /* The write pass repeats the counting pass exactly, so the room check
     * can only fail on a bug; it keeps such a bug inside the buffer. */
    if (o->buf != NULL && n <= o->cap - o->n)
        memcpy(o->buf + o->n, p, n);
    o->n += n;
    o->col += n;
    if (o->col > o->maxcol)
        o->maxcol = o->col;
}

static void put1(out *o, char c)
{
    put(o, &c, 1);
}

static void put_str(out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* End the line. Only called right before a white space byte is put. */
static void fold(out *o)
{
    if (o->buf != NULL && 2 <= o->cap - o->n) {
        o->buf[o->n] = '\r';
        o->buf[o->n + 1] = '\n';
    }
    o->n += 2;
    o->col = 0;
    o->ew = 0;
}

static size_t soft_limit(const out *o)
{
    return o->ew ? EW_LINE : SOFT_LINE;
}

/* Before a piece of `need` bytes (its leading white space byte, its text
 * and whatever is glued after it): fold when it would overrun `limit`.
 * A fresh line always helps because the current one is never empty here
 * (it holds at least the field name or one earlier piece). */
static void fold_if(out *o, size_t need, size_t limit)
{
    if (o->col > 0 && o->col + need > limit)
        fold(o);
}

static int is_wsp(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/* C0 controls other than tab, and DEL: never written raw. */
static int is_ctl(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* atext (RFC 5322 §3.2.3), with UTF-8 only when the transport allows it
 * (RFC 6532 §3.2). The input has been checked to be UTF-8 already. */
static int is_atext(unsigned char c, unsigned flags)
{
    if (c >= 0x80)
        return (flags & MW_HDR_WRITE_UTF8) != 0;
    return mw__is(c, MW__C_ATEXT);
}

/* dtext (RFC 5322 §3.4.1) without the obsolete controls. */
static int is_dtext(unsigned char c, unsigned flags)
{
    if (c >= 0x80)
        return (flags & MW_HDR_WRITE_UTF8) != 0;
    return (c >= 33 && c <= 90) || (c >= 94 && c <= 126);
}

/* Length of the UTF-8 sequence a lead byte starts (input is valid). */
static size_t u8len(unsigned char c)
{
    return c < 0x80 ? 1u : c < 0xe0 ? 2u : c < 0xf0 ? 3u : 4u;
}

/* ---- input checks ---- */

/* Offset of the first CR, LF or NUL in p[0, n), or n. */
static size_t find_crlfnul(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\r' || c == '\n' || c == 0)
            return i;
    }
    return n;
}

/* The messages of one input, so errors say which input is at fault. A
 * static initializer cannot use MW__TEXT (not a constant expression): in a
 * build without error texts PART() leaves the texts out itself. */
typedef struct part {
    const char *null_reason;
    const char *crlf_reason;
    const char *utf8_reason;
} part;
#if MW_ENABLE_ERROR_TEXT
#define PART(null_reason, crlf_reason, utf8_reason)                          \
    {null_reason, crlf_reason, utf8_reason}
#else
#define PART(null_reason, crlf_reason, utf8_reason) {"", "", ""}
#endif

static const part P_VALUE = PART("value is NULL with a non-zero length",
                                 "CR, LF or NUL in the value",
                                 "value is not UTF-8");
static const part P_DISPLAY = PART("display name is NULL with a non-zero length",
                                   "CR, LF or NUL in the display name",
                                   "display name is not UTF-8");
static const part P_LOCAL = PART("local part is NULL with a non-zero length",
                                 "CR, LF or NUL in the local part",
                                 "local part is not UTF-8");
static const part P_DOMAIN = PART("domain is NULL with a non-zero length",
                                  "CR, LF or NUL in the domain",
                                  "domain is not UTF-8");
static const part P_GROUP = PART("group name is NULL with a non-zero length",
                                 "CR, LF or NUL in the group name",
                                 "group name is not UTF-8");
static const part P_MSGID = PART("message identifier is NULL with a non-zero length",
                                 "CR, LF or NUL in the message identifier",
                                 "message identifier is not UTF-8");

/* NULL, then CR/LF/NUL (injection), then UTF-8. */
static int check_bytes(out *o, size_t item, const char *p, size_t n,
                       const part *what)
{
    size_t bad;
    if (p == NULL && n > 0)
        return fail(o, MW_E_INVAL, item, 0, what->null_reason);
    bad = find_crlfnul(p, n);
    if (bad < n)
        return fail(o, MW_E_INVAL, item, bad, what->crlf_reason);
    if (n > 0 && mw_utf8_check(p, n, &bad) != MW_OK)
        return fail(o, MW_E_UTF8, item, bad, what->utf8_reason);
    return MW_OK;
}

/* dot-atom-text (RFC 5322 §3.4.1): atext runs joined by single dots.
 * 1 when p[0, n) is one; else 0 with *bad at the first offending byte
 * (n, where a byte is missing, for an empty or dot-ended text). */
static int dot_atom_ok(const char *p, size_t n, unsigned flags, size_t *bad)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '.' ? (i == 0 || p[i - 1] == '.') : !is_atext(c, flags)) {
            *bad = i;
            return 0;
        }
    }
    if (n == 0 || p[n - 1] == '.') {
        *bad = n == 0 ? 0 : n - 1;
        return 0;
    }
    return 1;
}

/* "[" *dtext "]" (RFC 5322 §3.4.1 domain-literal without FWS, which is
 * also the no-fold-literal of §3.6.4). Same convention. */
static int literal_ok(const char *p, size_t n, unsigned flags, size_t *bad)
{
    size_t i;
    if (n < 2 || p[0] != '[') {
        *bad = 0;
        return 0;
    }
    for (i = 1; i + 1 < n; i++) {
        if (!is_dtext((unsigned char)p[i], flags)) {
            *bad = i;
            return 0;
        }
    }
    if (p[n - 1] != ']') {
        *bad = n - 1;
        return 0;
    }
    return 1;
}

/* ---- RFC 2047 encoded words ---- */

/* Bytes that stand for themselves in "Q" encoded text. In a phrase only
 * letters, digits and "!*+-/" may (RFC 2047 §5(3)); elsewhere any
 * printable ASCII but "=", "?" and "_" (§4.2 rule 3). */
static int q_plain(unsigned char c, int phrase)
{
    if (phrase)
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
               (c >= 'a' && c <= 'z') || c == '!' || c == '*' || c == '+' ||
               c == '-' || c == '/';
    return c > 0x20 && c < 0x7f && c != '=' && c != '?' && c != '_';
}

/* Q length of one byte: itself, "_" for a space (§4.2 rule 2), or =XX. */
static size_t q_len(unsigned char c, int phrase)
{
    return (c == ' ' || q_plain(c, phrase)) ? 1u : 3u;
}

static size_t b_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

static void put_q(out *o, const char *p, size_t n, int phrase)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == ' ') {
            put1(o, '_');
        } else if (q_plain(c, phrase)) {
            put1(o, (char)c);
        } else {
            char e[3];
            e[0] = '=';
            e[1] = hex[c >> 4];
            e[2] = hex[c & 15];
            put(o, e, 3);
        }
    }
}

static void put_b(out *o, const char *p, size_t n)
{
    size_t len = b_len(n);
    if (o->buf != NULL && len <= o->cap - o->n)
        (void)mw_base64_encode(p, n, o->buf + o->n, len, NULL);
    o->n += len;
    o->col += len;
    if (o->col > o->maxcol)
        o->maxcol = o->col;
}

/*
 * Write p[0, n) (n > 0, valid UTF-8) as encoded words: the first one after
 * the literal white space byte `sep`, the next ones after a space each.
 * Every word holds whole characters (RFC 2047 §5) and at most 63 bytes of
 * encoded text; the first word is sized to the room left on the current
 * line. `glue` bytes will follow the last word on its line. The encoding
 * (Q or B) is chosen once for the run, whichever is shorter, Q on a tie.
 */
static void put_ew_run(out *o, char sep, const char *p, size_t n, int phrase,
                       size_t glue)
{
    size_t qtotal = 0, qdone = 0, i;
    int b64;

    for (i = 0; i < n; i++)
        qtotal += q_len((unsigned char)p[i], phrase);
    b64 = b_len(n) < qtotal;

    i = 0;
    while (i < n) {
        size_t rem = b64 ? b_len(n - i) : qtotal - qdone;
        size_t used = o->col + 1 + EW_OVERHEAD;
        size_t room = used < EW_LINE ? EW_LINE - used : 0;
        size_t j, enc;

        if (room > EW_TEXT_MAX)
            room = EW_TEXT_MAX;
        if (rem + glue > room && room < EW_MIN_FILL + glue) {
            fold(o);
            room = EW_TEXT_MAX;
        }
        if (rem + glue <= room) {
            j = n;
            enc = rem;
        } else {
            /* As many whole characters as fit. room >= EW_MIN_FILL + glue
             * here, more than the 12 bytes any one character needs. */
            size_t cap = room - glue;
            j = i;
            enc = 0;
            while (j < n) {
                size_t cl = u8len((unsigned char)p[j]), k, e;
                if (b64) {
                    e = b_len(j + cl - i);
                } else {
                    e = enc;
                    for (k = 0; k < cl; k++)
                        e += q_len((unsigned char)p[j + k], phrase);
                }
                if (e > cap)
                    break;
                enc = e;
                j += cl;
            }
        }

        put1(o, sep);
        put_str(o, b64 ? "=?UTF-8?B?" : "=?UTF-8?Q?");
        if (b64)
            put_b(o, p + i, j - i);
        else
            put_q(o, p + i, j - i, phrase);
        put(o, "?=", 2);
        o->ew = 1;
        if (!b64)
            qdone += enc;
        i = j;
        sep = ' ';
    }
}

/* ---- white-space-separated units ---- */

/* A unit is a run of white space followed by a run of other bytes; the
 * last unit also takes any white space after its word, so that white space
 * at the end never has to start a line of its own. */
typedef struct unit {
    size_t ws_end;   /* end of the leading white space */
    size_t word_end; /* end of the word */
    size_t end;      /* end of the unit */
} unit;

static void next_unit(const char *v, size_t n, size_t i, unit *u)
{
    size_t k = i;
    while (k < n && is_wsp((unsigned char)v[k]))
        k++;
    u->ws_end = k;
    while (k < n && !is_wsp((unsigned char)v[k]))
        k++;
    u->word_end = k;
    while (k < n && is_wsp((unsigned char)v[k]))
        k++;
    u->end = k == n ? n : u->word_end;
}

/* "=?" anywhere would let a reader take the text for an encoded word. */
static int has_ew_start(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i + 1 < n; i++)
        if (p[i] == '=' && p[i + 1] == '?')
            return 1;
    return 0;
}

/* Must this unstructured unit be encoded? `first` adds the space the
 * writer puts after the colon. */
static int unit_needs_ew(const char *v, size_t i, const unit *u, int first,
                         unsigned flags)
{
    size_t k;
    if ((size_t)first + (u->end - i) > HARD_LINE)
        return 1;
    for (k = u->ws_end; k < u->word_end; k++) {
        unsigned char c = (unsigned char)v[k];
        if (is_ctl(c) || (c >= 0x80 && !(flags & MW_HDR_WRITE_UTF8)))
            return 1;
    }
    return has_ew_start(v + u->ws_end, u->word_end - u->ws_end);
}

/* An unstructured value (RFC 5322 §3.2.5) after "Name:", already checked
 * for CR/LF/NUL and UTF-8. */
static void put_unstructured(out *o, const char *v, size_t n)
{
    size_t i = 0;
    int first = 1;

    while (i < n) {
        unit u;
        next_unit(v, n, i, &u);
        if (u.ws_end == u.word_end) {
            /* White space only (only a whole value can be: the last unit
             * takes the white space after its word). Folding would leave
             * a white-space-only line, which a reader may take for the end
             * of the header (RFC 5322 §3.2.2); the value stays on the
             * name's line, or is encoded where that would pass 998. */
            if (o->col + 1 + n <= HARD_LINE) {
                put1(o, ' ');
                put(o, v, n);
            } else {
                put_ew_run(o, ' ', v, n, 0, 0);
            }
            return;
        }
        if (!unit_needs_ew(v, i, &u, first, o->flags)) {
            fold_if(o, (size_t)first + (u.end - i), soft_limit(o));
            if (first)
                put1(o, ' ');
            put(o, v + i, u.end - i);
            i = u.end;
        } else {
            /* A run: this unit and every following one that also needs
             * encoding. White space between them goes inside the encoded
             * text (a decoder drops it between encoded words, §6.2). */
            size_t e = u.end;
            while (e < n) {
                unit x;
                next_unit(v, n, e, &x);
                if (!unit_needs_ew(v, e, &x, 0, o->flags))
                    break;
                e = x.end;
            }
            if (first)
                put_ew_run(o, ' ', v, e, 0, 0);
            else
                put_ew_run(o, v[i], v + i + 1, e - i - 1, 0, 0);
            i = e;
        }
        first = 0;
    }
}

/* ---- phrases: display names and group names ---- */

enum { PH_ATOMS, PH_QUOTED, PH_EW };

static int needs_escape(unsigned char c)
{
    return c == '"' || c == '\\';
}

static size_t esc_len(const char *p, size_t n)
{
    size_t i, len = n;
    for (i = 0; i < n; i++)
        if (needs_escape((unsigned char)p[i]))
            len++;
    return len;
}

static void put_esc(out *o, const char *p, size_t n)
{
    size_t i, start = 0;
    for (i = 0; i < n; i++) {
        if (needs_escape((unsigned char)p[i])) {
            put(o, p + start, i - start);
            put1(o, '\\');
            start = i;
        }
    }
    put(o, p + start, n - start);
}

/*
 * How a phrase of n > 0 bytes (checked: no CR/LF/NUL, UTF-8) is written,
 * and its length when written on one line (*len, without the separator
 * and glue; unused for PH_EW). `glue` bytes follow it.
 */
static int phrase_kind(const char *p, size_t n, unsigned flags, size_t glue,
                       size_t *len)
{
    size_t i, word = 0, longest = 0;
    int atoms = 1;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (is_ctl(c) || (c >= 0x80 && !(flags & MW_HDR_WRITE_UTF8)))
            return PH_EW;
        if (c == ' ') {
            if (i == 0 || i + 1 == n || p[i - 1] == ' ')
                atoms = 0;
            word = 0;
        } else if (!is_atext(c, flags)) {
            atoms = 0;
        } else if (++word > longest) {
            longest = word;
        }
    }
    if (has_ew_start(p, n))
        return PH_EW;
    if (atoms) {
        if (1 + longest + glue > HARD_LINE)
            return PH_EW;
        *len = n;
        return PH_ATOMS;
    }

    /* Quoted: every unit must fit on a line, the first one with the
     * separator and the opening quote, the last with the closing quote
     * and the glue. */
    i = 0;
    while (i < n) {
        unit u;
        size_t ulen;
        next_unit(p, n, i, &u);
        /* the first unit keeps its leading white space inside the quotes */
        ulen = esc_len(p + i, u.end - i) + (i == 0 ? 2u : 0u);
        if (u.end == n)
            ulen += 1 + glue;
        if (ulen > HARD_LINE)
            return PH_EW;
        i = u.end;
    }
    *len = 2 + esc_len(p, n);
    return PH_QUOTED;
}

/* Write a phrase after a separating space, then `glue`. */
static void put_phrase(out *o, const char *p, size_t n, int kind,
                       const char *glue)
{
    size_t glen = strlen(glue), i = 0;
    int quoted = kind == PH_QUOTED;

    if (kind == PH_EW) {
        /* An encoded word must be separated from a following special
         * (the group's ":") by white space (RFC 2047 §5(3)). */
        put_ew_run(o, ' ', p, n, 1, glen + (glen > 0));
        if (glen > 0) {
            put1(o, ' ');
            put(o, glue, glen);
        }
        return;
    }
    while (i < n) {
        unit u;
        size_t body, need;
        next_unit(p, n, i, &u);
        body = quoted ? esc_len(p + i, u.end - i) : u.end - i;
        need = body + (i == 0 ? 1u + (size_t)quoted : 0u) +
               (u.end == n ? (size_t)quoted + glen : 0u);
        fold_if(o, need, soft_limit(o));
        if (i == 0)
            put(o, quoted ? " \"" : " ", quoted ? 2u : 1u);
        if (quoted)
            put_esc(o, p + i, u.end - i);
        else
            put(o, p + i, u.end - i);
        i = u.end;
    }
    if (quoted)
        put1(o, '"');
    put(o, glue, glen);
}

/* ---- addresses ---- */

typedef struct addrs_arg {
    const mw_hdr_addr_out *a;
    size_t n;
} addrs_arg;

static int has_local(const mw_hdr_addr_out *a)
{
    return a->local_len > 0;
}

static int has_group(const mw_hdr_addr_out *a)
{
    return a->group_len > 0;
}

static int same_group(const mw_hdr_addr_out *a, const mw_hdr_addr_out *b)
{
    return a->group_len == b->group_len &&
           memcmp(a->group, b->group, a->group_len) == 0;
}

/* Longest addr-spec as written: with "<", ">", a separating space and up
 * to two glue bytes (";,") it still fits in a 998-byte line. */
#define ADDR_MAX (HARD_LINE - 5u)

/* Length of the local part as written: as is when a dot-atom, else
 * quoted (RFC 5322 §3.4.1, RFC 5321 §4.1.2). */
static size_t local_written_len(const char *p, size_t n, unsigned flags,
                                int *quote)
{
    size_t bad;
    *quote = !dot_atom_ok(p, n, flags, &bad);
    return *quote ? 2 + esc_len(p, n) : n;
}

static int check_entry(out *o, const mw_hdr_addr_out *a, size_t item)
{
    unsigned flags = o->flags;
    size_t i, bad;
    int rc, quote;

    if ((rc = check_bytes(o, item, a->display, a->display_len, &P_DISPLAY)) ||
        (rc = check_bytes(o, item, a->local, a->local_len, &P_LOCAL)) ||
        (rc = check_bytes(o, item, a->domain, a->domain_len, &P_DOMAIN)) ||
        (rc = check_bytes(o, item, a->group, a->group_len, &P_GROUP)))
        return rc;

    if (!has_local(a)) {
        if (!has_group(a))
            return fail(o, MW_E_INVAL, item, 0,
                        "entry has neither a local part nor a group");
        if (a->domain_len > 0)
            return fail(o, MW_E_INVAL, item, 0, "domain without a local part");
        if (a->display_len > 0)
            return fail(o, MW_E_INVAL, item, 0,
                        "display name without a local part");
        return MW_OK;
    }

    /* Local part: RFC 5321 §4.1.2 quoted strings carry bytes 32-126 only;
     * UTF-8 needs SMTPUTF8 (RFC 6531 §3.3); encoded words are not allowed
     * in an addr-spec (RFC 2047 §5(3)). */
    for (i = 0; i < a->local_len; i++) {
        unsigned char c = (unsigned char)a->local[i];
        if (c >= 0x80 && !(flags & MW_HDR_WRITE_UTF8))
            return fail(o, MW_E_INVAL, item, i,
                        "non-ASCII local part needs MW_HDR_WRITE_UTF8");
        if (c < 0x20 || c == 0x7f)
            return fail(o, MW_E_INVAL, item, i,
                        "control character in the local part");
    }

    if (a->domain_len == 0)
        return fail(o, MW_E_INVAL, item, 0, "local part without a domain");
    if (a->domain[0] == '[') {
        if (!literal_ok(a->domain, a->domain_len, flags, &bad))
            return fail(o, MW_E_INVAL, item, bad,
                        "domain literal is not \"[\" *dtext \"]\"");
    } else if (!dot_atom_ok(a->domain, a->domain_len, flags, &bad)) {
        return fail(o, MW_E_INVAL, item, bad,
                    (unsigned char)a->domain[bad] >= 0x80
                        ? "non-ASCII domain needs MW_HDR_WRITE_UTF8 "
                          "(or give A-labels)"
                        : "domain is not a dot-atom");
    }

    if (local_written_len(a->local, a->local_len, flags, &quote) + 1 +
            a->domain_len > ADDR_MAX)
        return fail(o, MW_E_TOO_LONG, item, 0,
                    "address too long for a 998-byte line");
    return MW_OK;
}

static void put_mailbox(out *o, const mw_hdr_addr_out *a, const char *glue)
{
    size_t glen = strlen(glue), llen, alen;
    int quote;

    llen = local_written_len(a->local, a->local_len, o->flags, &quote);
    alen = llen + 1 + a->domain_len;

    if (a->display_len > 0) {
        size_t plen = 0;
        int kind = phrase_kind(a->display, a->display_len, o->flags, 0, &plen);
        if (kind != PH_EW) {
            /* Keep "name <addr>," on one line when a fresh line can hold
             * it: fold before the mailbox rather than inside it. */
            size_t total = 1 + plen + 2 + alen + 1 + glen;
            if (o->col + total > soft_limit(o) && total <= soft_limit(o))
                fold(o);
        }
        put_phrase(o, a->display, a->display_len, kind, "");
        fold_if(o, 2 + alen + 1 + glen, soft_limit(o));
        put(o, " <", 2);
    } else {
        fold_if(o, 1 + alen + glen, soft_limit(o));
        put1(o, ' ');
    }
    if (quote) {
        put1(o, '"');
        put_esc(o, a->local, a->local_len);
        put1(o, '"');
    } else {
        put(o, a->local, a->local_len);
    }
    put1(o, '@');
    put(o, a->domain, a->domain_len);
    if (a->display_len > 0)
        put1(o, '>');
    put(o, glue, glen);
}

static int put_addresses(out *o, const void *arg)
{
    const addrs_arg *x = (const addrs_arg *)arg;
    const mw_hdr_addr_out *a = x->a;
    size_t n = x->n, i = 0;
    int rc;

    if (a == NULL && n > 0)
        return fail(o, MW_E_INVAL, 0, 0, "address array is NULL");
    while (i < n) {
        if ((rc = check_entry(o, &a[i], i)) != MW_OK)
            return rc;
        if (has_group(&a[i])) {
            /* RFC 5322 §3.4: group = display-name ":" [group-list] ";" */
            size_t j = i + 1, k, last = n, plen = 0;
            const char *more = "";
            char glue[6];
            int kind;

            while (j < n && same_group(&a[i], &a[j])) {
                if ((rc = check_entry(o, &a[j], j)) != MW_OK)
                    return rc;
                j++;
            }
            for (k = i; k < j; k++)
                if (has_local(&a[k]))
                    last = k;
            if (j < n)
                more = ",";
            glue[0] = ':';
            glue[1] = '\0';
            if (last == n) { /* no members: "Group:;" */
                glue[1] = ';';
                glue[2] = more[0];
                glue[3] = '\0';
            }
            kind = phrase_kind(a[i].group, a[i].group_len, o->flags,
                               strlen(glue), &plen);
            put_phrase(o, a[i].group, a[i].group_len, kind, glue);
            for (k = i; k < j; k++) {
                if (!has_local(&a[k]))
                    continue;
                if (k == last) {
                    glue[0] = ';';
                    glue[1] = more[0];
                    glue[2] = '\0';
                } else {
                    glue[0] = ',';
                    glue[1] = '\0';
                }
                put_mailbox(o, &a[k], glue);
            }
            i = j;
        } else {
            put_mailbox(o, &a[i], i + 1 < n ? "," : "");
            i++;
        }
    }
    return MW_OK;
}

/* ---- the field writers ---- */

typedef int (*emit_fn)(out *o, const void *arg);

typedef struct text_arg {
    const char *p;
    size_t n;
} text_arg;

static int check_name(out *o, const char *name, size_t n)
{
    size_t i;
    if (name == NULL && n > 0)
        return fail(o, MW_E_INVAL, 0, 0, "field name is NULL");
    if (n == 0)
        return fail(o, MW_E_INVAL, 0, 0, "empty field name");
    i = find_crlfnul(name, n);
    if (i < n)
        return fail(o, MW_E_INVAL, 0, i, "CR, LF or NUL in the field name");
    /* RFC 5322 §3.6.8: ftext = %d33-57 / %d59-126 */
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 33 || c > 126 || c == ':')
            return fail(o, MW_E_INVAL, 0, i,
                        "field name byte is not ftext (RFC 5322 3.6.8)");
    }
    if (n + 1 > HARD_LINE)
        return fail(o, MW_E_TOO_LONG, 0, HARD_LINE - 1,
                    "field name too long for a 998-byte line");
    return MW_OK;
}

static void out_init(out *o, unsigned flags, char *buf, size_t cap)
{
    memset(o, 0, sizeof(*o));
    o->flags = flags;
    o->buf = buf;
    o->cap = cap;
}

static int run(out *o, const char *name, size_t name_len, emit_fn fn,
               const void *arg)
{
    int rc;
    put(o, name, name_len);
    put1(o, ':');
    if ((rc = fn(o, arg)) != MW_OK)
        return rc;
    /* The end of the field: CRLF without a fold (nothing follows). */
    fold(o);
    return MW_OK;
}

static int write_field(mw_hdr_writer *w, const char *name, size_t name_len,
                       emit_fn fn, const void *arg)
{
    out o;
    int rc;

    if (w == NULL)
        return MW_E_INVAL;
    out_init(&o, w->flags, NULL, 0);
    rc = check_name(&o, name, name_len);
    if (rc == MW_OK)
        rc = run(&o, name, name_len, fn, arg);
    if (rc == MW_OK && o.maxcol > HARD_LINE) /* a bug, if ever */
        rc = fail(&o, MW_E_INTERNAL, 0, 0, "a line would exceed 998 bytes");
    if (rc == MW_OK && o.n > w->cap - w->len)
        rc = fail(&o, MW_E_NOSPACE, 0, 0, "field does not fit the buffer");
    if (rc == MW_OK) {
        size_t need = o.n;
        out_init(&o, w->flags, w->buf + w->len, need);
        rc = run(&o, name, name_len, fn, arg);
        if (rc == MW_OK && o.n != need)
            rc = fail(&o, MW_E_INTERNAL, 0, 0, "passes disagree");
        if (rc == MW_OK)
            w->len += need;
    }
    w->err_code = rc;
    w->err_item = rc == MW_OK ? 0 : o.item;
    w->err_offset = rc == MW_OK ? 0 : o.off;
    w->err_reason = rc == MW_OK ? NULL : o.reason;
    return rc;
}

size_t mw_hdr_writer_sizeof(void)
{
    return sizeof(mw_hdr_writer);
}

void mw_hdr_writer_init(mw_hdr_writer *w, char *buf, size_t cap,
                        unsigned flags)
{
    if (w == NULL)
        return;
    memset(w, 0, sizeof(*w));
    w->buf = buf;
    w->cap = buf != NULL ? cap : 0;
    w->flags = flags & MW_HDR_WRITE_UTF8;
}

size_t mw_hdr_writer_len(const mw_hdr_writer *w)
{
    return w != NULL ? w->len : 0;
}

int mw_hdr_writer_error(const mw_hdr_writer *w, size_t *item, size_t *offset,
                        const char **reason)
{
    if (w == NULL)
        return MW_E_INVAL;
    if (item != NULL)
        *item = w->err_item;
    if (offset != NULL)
        *offset = w->err_offset;
    if (reason != NULL)
        *reason = w->err_reason;
    return w->err_code;
}

static int emit_unstructured(out *o, const void *arg)
{
    const text_arg *t = (const text_arg *)arg;
    int rc = check_bytes(o, 0, t->p, t->n, &P_VALUE);
    if (rc != MW_OK)
        return rc;
    put_unstructured(o, t->p, t->n);
    return MW_OK;
}

int mw_hdr_write_unstructured(mw_hdr_writer *w, const char *name,
                              size_t name_len, const char *value, size_t len)
{
    text_arg t;
    t.p = value;
    t.n = len;
    return write_field(w, name, name_len, emit_unstructured, &t);
}

int mw_hdr_write_addresses(mw_hdr_writer *w, const char *name,
                           size_t name_len, const mw_hdr_addr_out *addrs,
                           size_t n)
{
    addrs_arg x;
    x.a = addrs;
    x.n = n;
    return write_field(w, name, name_len, put_addresses, &x);
}

/* ---- dates ---- */

static int emit_date(out *o, const void *arg)
{
    const mw_hdr_datetime *dt = (const mw_hdr_datetime *)arg;
    char text[MW_HDR_DATE_LEN + 8];
    size_t len = 0;
    int rc;

    if (dt == NULL)
        return fail(o, MW_E_INVAL, 0, 0, "date is NULL");
    rc = mw_hdr_format_date(dt, text, sizeof(text), &len);
    if (rc != MW_OK)
        return fail(o, rc, 0, 0, "date cannot be formatted (field out of range)");
    /* The formatter's output is printable ASCII with single spaces (§3.3
     * date-time), so this only folds, and only after a long name. */
    put_unstructured(o, text, len);
    return MW_OK;
}

int mw_hdr_write_date(mw_hdr_writer *w, const char *name, size_t name_len,
                      const mw_hdr_datetime *dt)
{
    return write_field(w, name, name_len, emit_date, dt);
}

/* ---- message identifiers ---- */

typedef struct ids_arg {
    const mw_span *ids;
    size_t n;
} ids_arg;

/* msg-id = "<" id-left "@" id-right ">" (RFC 5322 §3.6.4), written with
 * its brackets after a space: the identifier may be 995 bytes. */
#define MSGID_MAX (HARD_LINE - 3u)

static int check_msgid(out *o, mw_span id, size_t item)
{
    size_t at, bad;
    int ok, rc = check_bytes(o, item, id.ptr, id.len, &P_MSGID);
    if (rc != MW_OK)
        return rc;
    if (id.len == 0)
        return fail(o, MW_E_INVAL, item, 0, "empty message identifier");
    for (at = 0; at < id.len && id.ptr[at] != '@'; at++)
        ;
    if (at == id.len)
        return fail(o, MW_E_INVAL, item, id.len,
                    "message identifier has no \"@\"");
    if (!dot_atom_ok(id.ptr, at, o->flags, &bad))
        return fail(o, MW_E_INVAL, item, bad,
                    "id-left is not a dot-atom-text");
    if (at + 1 < id.len && id.ptr[at + 1] == '[')
        ok = literal_ok(id.ptr + at + 1, id.len - at - 1, o->flags, &bad);
    else
        ok = dot_atom_ok(id.ptr + at + 1, id.len - at - 1, o->flags, &bad);
    if (!ok)
        return fail(o, MW_E_INVAL, item, at + 1 + bad,
                    "id-right is not a dot-atom-text or no-fold-literal");
    if (id.len > MSGID_MAX)
        return fail(o, MW_E_TOO_LONG, item, MSGID_MAX,
                    "message identifier too long for a 998-byte line");
    return MW_OK;
}

static int emit_msgids(out *o, const void *arg)
{
    const ids_arg *x = (const ids_arg *)arg;
    size_t i;
    int rc;

    if (x->n == 0)
        return fail(o, MW_E_INVAL, 0, 0, "no message identifiers");
    if (x->ids == NULL)
        return fail(o, MW_E_INVAL, 0, 0, "identifier array is NULL");
    for (i = 0; i < x->n; i++) {
        if ((rc = check_msgid(o, x->ids[i], i)) != MW_OK)
            return rc;
        fold_if(o, 3 + x->ids[i].len, soft_limit(o));
        put(o, " <", 2);
        put(o, x->ids[i].ptr, x->ids[i].len);
        put1(o, '>');
    }
    return MW_OK;
}

int mw_hdr_write_msgids(mw_hdr_writer *w, const char *name, size_t name_len,
                        const mw_span *ids, size_t n)
{
    ids_arg x;
    x.ids = ids;
    x.n = n;
    return write_field(w, name, name_len, emit_msgids, &x);
}

/* ---- raw values ---- */

static int emit_raw(out *o, const void *arg)
{
    const text_arg *t = (const text_arg *)arg;
    const char *v = t->p;
    size_t n = t->n, i;
    int rc, first = 1;

    if (v == NULL && n > 0)
        return fail(o, MW_E_INVAL, 0, 0, P_VALUE.null_reason);
    i = find_crlfnul(v, n);
    if (i < n)
        return fail(o, MW_E_INVAL, 0, i, P_VALUE.crlf_reason);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (is_ctl(c))
            return fail(o, MW_E_INVAL, 0, i, "control character in the value");
        if (c >= 0x80 && !(o->flags & MW_HDR_WRITE_UTF8))
            return fail(o, MW_E_INVAL, 0, i,
                        "non-ASCII value needs MW_HDR_WRITE_UTF8");
    }
    if ((rc = check_bytes(o, 0, v, n, &P_VALUE)) != MW_OK)
        return rc;

    /* As given; folded only where a line would pass 998 bytes. */
    i = 0;
    while (i < n) {
        unit u;
        size_t len;
        next_unit(v, n, i, &u);
        len = (size_t)first + (u.end - i);
        if (len > HARD_LINE)
            return fail(o, MW_E_TOO_LONG, 0, i,
                        "no white space to fold at within 998 bytes");
        /* A white-space-only value cannot start a line of its own (that
         * line would be white space only, RFC 5322 §3.2.2). */
        if (u.ws_end == u.word_end && o->col + len > HARD_LINE)
            return fail(o, MW_E_TOO_LONG, 0, 0,
                        "white-space-only value does not fit on the name's "
                        "998-byte line");
        fold_if(o, len, HARD_LINE);
        if (first)
            put1(o, ' ');
        put(o, v + i, u.end - i);
        i = u.end;
        first = 0;
    }
    return MW_OK;
}

int mw_hdr_write_raw(mw_hdr_writer *w, const char *name, size_t name_len,
                     const char *value, size_t len)
{
    text_arg t;
    t.p = value;
    t.n = len;
    return write_field(w, name, name_len, emit_raw, &t);
}
