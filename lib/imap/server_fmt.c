/* SPDX-License-Identifier: MIT */
/*
 * IMAP server response formatting, part 1: the output stager, the
 * argument checks, the string writers (atom / quoted / literal, mailbox
 * names in modified UTF-7 or UTF-8), status responses with response codes
 * (RFC 9051 §7.1), and the untagged data responses of RFC 9051 §7.2-§7.4
 * and the extensions (CAPABILITY, ENABLED, LIST/LSUB, STATUS, SEARCH,
 * ESEARCH, FLAGS, EXISTS, RECENT, EXPUNGE, VANISHED, NAMESPACE, ID,
 * QUOTA, QUOTAROOT). FETCH is in server_fmt_fetch.c.
 *
 * Every public formatter checks all its arguments before it writes a
 * byte (CR, LF and NUL outside literals, atoms, sets, numbers), so a
 * refused call sends nothing (field-notes §4.3: builders cannot be made
 * to inject a line).
 */
#include "imap/server_int.h"
#include "mailwire/codec.h"

/* ---- character classes -------------------------------------------------
 * Own table (RFC 9051 §9): the formatter's output rules must not move
 * with the parser's tolerances. */
#define C_ATOM 0x01u  /* ATOM-CHAR */
#define C_AST 0x02u   /* ASTRING-CHAR (ATOM-CHAR or "]") */
#define C_QSAFE 0x04u /* TEXT-CHAR that needs no escape in a quoted string */
#define C_QESC 0x08u  /* '"' and '\': escaped in a quoted string */
#define C_8BIT 0x10u
#define C_CRLF 0x20u
#define C_NUL 0x40u
#define C_TEXT 0x80u  /* TEXT-CHAR: 0x01-0x7F but CR and LF */

static const unsigned char cls[256] = {
    0x40, 0x84, 0x84, 0x84, 0x84, 0x84, 0x84, 0x84, 0x84, 0x84, 0x20, 0x84, 0x84, 0x20, 0x84, 0x84,
    0x84, 0x84, 0x84, 0x84, 0x84, 0x84, 0x84, 0x84, 0x84, 0x84, 0x84, 0x84, 0x84, 0x84, 0x84, 0x84,
    0x84, 0x87, 0x88, 0x87, 0x87, 0x84, 0x87, 0x87, 0x84, 0x84, 0x84, 0x87, 0x87, 0x87, 0x87, 0x87,
    0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87,
    0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87,
    0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x88, 0x86, 0x87, 0x87,
    0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87,
    0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x84, 0x87, 0x87, 0x87, 0x84,
    0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
    0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
    0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
    0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
    0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
    0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
    0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
    0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
};

#define CLS(c) cls[(unsigned char)(c)]

/* A quoted string longer than this goes out as a literal (the same
 * threshold as the client's command builder, grammar.h). */
#define QUOTED_MAX 1024u

/* ---- output stager ----------------------------------------------------- */

int mw__imaps_fatal_(mw_imap_server *s, int code, const char *reason)
{
    s->io = MW__IMAPS_IO_CLOSED;
    s->phase = MW_IMAP_STATE_LOGOUT;
    s->ost = code;
    s->olen = 0;
    (void)mw__fail(&s->err, code, mw__imap_framer_offset(&s->fr), reason);
    return code;
}

static void send_now(mw_imap_server *s, const char *p, size_t n)
{
    if (s->ost != MW_OK || n == 0)
        return;
    if (s->cb.send(s, s->user, p, n) < 0)
        (void)mw__imaps_fatal(s, MW_E_CALLBACK, "send callback failed");
}

int mw__imaps_can_write(const mw_imap_server *s)
{
    if (!s->started || s->io == MW__IMAPS_IO_CLOSED ||
        s->io == MW__IMAPS_IO_TLS || s->io == MW__IMAPS_IO_COMPRESS ||
        s->open != MW__IMAPS_OPEN_NONE)
        return MW_E_STATE;
    return MW_OK;
}

void mw__imaps_flush(mw_imap_server *s)
{
    size_t n = s->olen;
    s->olen = 0;
    send_now(s, s->out, n);
}

void mw__imaps_put(mw_imap_server *s, const char *p, size_t n)
{
    if (s->ost != MW_OK || n == 0)
        return;
    if (n <= sizeof s->out - s->olen) {
        memcpy(s->out + s->olen, p, n);
        s->olen += n;
        return;
    }
    mw__imaps_flush(s);
    if (n <= sizeof s->out) {
        memcpy(s->out, p, n);
        s->olen = n;
    } else {
        send_now(s, p, n);
    }
}

void mw__imaps_put_direct(mw_imap_server *s, const char *p, size_t n)
{
    /* Small pieces are staged (one send per response where possible);
     * anything larger than the free space goes out from the caller's
     * memory as it is. */
    if (n <= sizeof s->out - s->olen) {
        mw__imaps_put(s, p, n);
        return;
    }
    mw__imaps_flush(s);
    send_now(s, p, n);
}

void mw__imaps_puts(mw_imap_server *s, const char *z)
{
    mw__imaps_put(s, z, strlen(z));
}

void mw__imaps_putc(mw_imap_server *s, char c)
{
    if (s->ost != MW_OK)
        return;
    if (s->olen == sizeof s->out)
        mw__imaps_flush(s);
    if (s->ost == MW_OK)
        s->out[s->olen++] = c;
}

void mw__imaps_put_u64(mw_imap_server *s, uint64_t v)
{
    char tmp[MW__U64_DIGITS];
    size_t n = mw__fmt_u64(tmp, v); /* the digits first, then the copy */
    mw__imaps_put(s, tmp, n);
}

int mw__imaps_end(mw_imap_server *s)
{
    mw__imaps_flush(s);
    return s->ost;
}

/* ---- checks ----------------------------------------------------------- */

int mw__imaps_utf8(const mw_imap_server *s)
{
    return s->utf8 || s->rev2;
}

/* Length of the valid UTF-8 sequence at p[0..n) (RFC 3629: shortest
 * form, no surrogates, at most U+10FFFF), 0 when invalid; *cp receives
 * the code point. */
static size_t utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
    uint32_t c = p[0], min;
    size_t len, i;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        c &= 0x1Fu;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        c &= 0x0Fu;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        c &= 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xC0u) != 0x80u)
            return 0;
        c = (c << 6) | (p[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFFu || (c >= 0xD800u && c <= 0xDFFFu))
        return 0;
    *cp = c;
    return len;
}

static int utf8_ok(const char *p, size_t n)
{
    return mw_utf8_check(p, n, NULL) == MW_OK;
}

int mw__imaps_text_len(const mw_imap_server *s, const char *text,
                       int has_code, size_t *len)
{
    size_t n;
    unsigned all = 0;
    *len = 0;
    if (text == NULL)
        return 1;
    if (text[0] == '[' && !has_code)
        return 0; /* would read as a response code (RFC 9051 §7.1) */
    /* one pass to the NUL: the classes of all bytes seen */
    for (n = 0; text[n] != '\0'; n++)
        all |= CLS(text[n]);
    *len = n;
    if (all & C_CRLF)
        return 0;
    /* RFC 9051 §9: text is TEXT-CHAR, plus UTF-8 in IMAP4rev2 (and under
     * UTF8=ACCEPT, RFC 6855 §3). */
    if ((all & C_8BIT) && (!mw__imaps_utf8(s) || !utf8_ok(text, n)))
        return 0;
    return 1;
}

int mw__imaps_text_ok(const mw_imap_server *s, const char *text,
                      int has_code)
{
    size_t n;
    return mw__imaps_text_len(s, text, has_code, &n);
}

int mw__imaps_atom_ok(const char *p, size_t n)
{
    size_t i;
    if (p == NULL || n == 0)
        return 0;
    for (i = 0; i < n; i++)
        if (!(CLS(p[i]) & C_ATOM))
            return 0;
    return 1;
}

/* resp-text-code argument: 1*<any TEXT-CHAR except "]"> (RFC 9051 §9). */
static int code_arg_ok(mw_span a)
{
    size_t i;
    if (a.len > 0 && a.ptr == NULL)
        return 0;
    for (i = 0; i < a.len; i++) {
        unsigned char c = (unsigned char)a.ptr[i];
        if (!(CLS(c) & C_TEXT) || c == ']')
            return 0;
    }
    return 1;
}

int mw__imaps_flags_ok(const char *p, size_t n, int perm)
{
    size_t i = 0;
    if (n == 0)
        return 1;
    if (p == NULL)
        return 0;
    for (;;) {
        size_t start;
        if (i < n && p[i] == '\\') {
            i++;
            if (perm && i < n && p[i] == '*') {
                i++; /* "\*" (RFC 9051 §9 flag-perm) */
                goto sep;
            }
        }
        start = i;
        while (i < n && (CLS(p[i]) & C_ATOM))
            i++;
        if (i == start)
            return 0;
    sep:
        if (i == n)
            return 1;
        if (p[i] != ' ' || i + 1 == n)
            return 0;
        i++;
    }
}

/* nz-number of a set: 1-4294967295 without leading zero. */
static size_t set_number(const char *p, size_t n)
{
    size_t i = 0;
    uint64_t v = 0;
    if (n == 0 || p[0] < '1' || p[0] > '9')
        return 0;
    while (i < n && p[i] >= '0' && p[i] <= '9') {
        v = v * 10u + (uint64_t)(p[i] - '0');
        if (v > 0xFFFFFFFFull)
            return 0;
        i++;
    }
    return i;
}

int mw__imaps_set_ok(const char *p, size_t n)
{
    size_t i = 0;
    if (p == NULL || n == 0)
        return 0;
    for (;;) {
        size_t k = set_number(p + i, n - i);
        if (k == 0)
            return 0;
        i += k;
        if (i < n && p[i] == ':') {
            i++;
            k = set_number(p + i, n - i);
            if (k == 0)
                return 0;
            i += k;
        }
        if (i == n)
            return 1;
        if (p[i] != ',')
            return 0;
        i++;
    }
}

int mw__imaps_tag_ok(const char *p, size_t n)
{
    size_t i;
    if (p == NULL || n == 0 || n > MW_IMAP_TAG_MAX)
        return 0;
    for (i = 0; i < n; i++)
        if (!(CLS(p[i]) & C_AST) || p[i] == '+')
            return 0;
    return 1;
}

size_t mw__imaps_tag_len(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && (CLS(p[i]) & C_AST) && p[i] != '+')
        i++;
    if (i == 0 || i > MW_IMAP_TAG_MAX || (i < n && p[i] != ' '))
        return 0;
    return i;
}

int mw__imaps_b64_ok(const char *p, size_t n)
{
    size_t i, pad = 0;
    if (n % 4u != 0)
        return 0;
    for (i = 0; i < n; i++) {
        char c = p[i];
        if (c == '=') {
            if (i + 2 < n)
                return 0; /* "=" only in the last two positions */
            pad++;
            continue;
        }
        if (pad > 0)
            return 0;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '+' || c == '/'))
            return 0;
    }
    return 1;
}

int mw__imaps_caps_extra_ok(const char *z)
{
    size_t n, i = 0;
    if (z == NULL)
        return 1;
    n = strlen(z);
    if (n > 1024)
        return 0;
    if (n == 0)
        return 1;
    for (;;) {
        size_t start = i;
        while (i < n && (CLS(z[i]) & C_ATOM))
            i++;
        if (i == start)
            return 0;
        if (i == n)
            return 1;
        if (z[i] != ' ' || i + 1 == n)
            return 0;
        i++;
    }
}

int mw__imaps_string_ok(const char *p, size_t n)
{
    if (n == 0)
        return 1;
    if (p == NULL)
        return 0;
    return memchr(p, '\0', n) == NULL;
}

int mw__imaps_objectid_ok(const char *p, size_t n)
{
    size_t i;
    if (p == NULL || n == 0 || n > 255)
        return 0;
    for (i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* Mailbox names (RFC 9051 §5.1): the application's UTF-8; no control
 * characters (RFC 9051 §5.1 forbids them; CR, LF and NUL would break
 * the line or the string). */
int mw__imaps_mailbox_ok(const mw_imap_server *s, const char *p, size_t n)
{
    size_t i;
    int eight = 0;
    if (n > 0 && p == NULL)
        return 0;
    if (s->flags & MW_IMAP_SERVER_NAMES_RAW) {
        for (i = 0; i < n; i++)
            if (CLS(p[i]) & (C_CRLF | C_NUL))
                return 0;
        return 1;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c == 0x7F)
            return 0;
        if (c >= 0x80)
            eight = 1;
    }
    return !eight || utf8_ok(p, n);
}

/* ---- response codes --------------------------------------------------- */

/* The names come from mw_imap_code_name() (names.c, built with either
 * role): one table for the parser, the formatter and the application. */
#define CODE_LAST MW_IMAP_CODE_BADURL

static int has_code(const mw_imap_code *c)
{
    return c != NULL && c->id != MW_IMAP_CODE_NONE;
}

static int sys_flags_ok(unsigned bits, int perm)
{
    unsigned all = 0x3Fu | (perm ? MW_IMAP_FLAG_WILDCARD : 0u);
    return (bits & ~all) == 0;
}

static int flags_value_ok(const mw_imap_flags *f, int perm)
{
    if (f == NULL)
        return 0;
    if (f->text.ptr != NULL)
        return mw__imaps_flags_ok(f->text.ptr, f->text.len, perm);
    return sys_flags_ok(f->system, perm);
}

int mw__imaps_code_ok(const mw_imap_server *s, const mw_imap_code *c)
{
    (void)s;
    if (!has_code(c))
        return 1;
    if (c->id < 0 || c->id > CODE_LAST)
        return 0;
    switch (c->id) {
    case MW_IMAP_CODE_OTHER:
        return mw__imaps_atom_ok(c->name.ptr, c->name.len) &&
               code_arg_ok(c->arg);
    case MW_IMAP_CODE_UIDNEXT:
    case MW_IMAP_CODE_UIDVALIDITY:
    case MW_IMAP_CODE_UNSEEN:
        return c->num != 0; /* nz-number (RFC 9051 §9) */
    case MW_IMAP_CODE_HIGHESTMODSEQ:
        return c->modseq != 0 && c->modseq <= MW__IMAPS_N64_MAX;
    case MW_IMAP_CODE_APPENDUID:
        return c->num != 0 &&
               mw__imaps_set_ok(c->set.text.ptr, c->set.text.len);
    case MW_IMAP_CODE_COPYUID:
        return c->num != 0 &&
               mw__imaps_set_ok(c->set.text.ptr, c->set.text.len) &&
               mw__imaps_set_ok(c->set2.text.ptr, c->set2.text.len);
    case MW_IMAP_CODE_MODIFIED:
        return mw__imaps_set_ok(c->set.text.ptr, c->set.text.len);
    case MW_IMAP_CODE_PERMANENTFLAGS:
        return flags_value_ok(&c->flags, 1);
    case MW_IMAP_CODE_BADURL:
        /* RFC 4469 §5 (erratum 4046): "BADURL" SP url-resp-text, one or
         * more TEXT-CHAR but "]", written bare (not quoted) */
    case MW_IMAP_CODE_REFERRAL:
        /* RFC 2221: "REFERRAL" SP 1#<imapurl>: at least one URL (the
         * client's parser refuses an empty one too) */
        return c->arg.len > 0 && code_arg_ok(c->arg);
    default:
        return code_arg_ok(c->arg);
    }
}

void mw__imaps_put_flags(mw_imap_server *s, const mw_imap_flags *f, int perm)
{
    static const struct {
        unsigned bit;
        const char *name;
    } sys[] = {{MW_IMAP_FLAG_ANSWERED, "\\Answered"},
               {MW_IMAP_FLAG_FLAGGED, "\\Flagged"},
               {MW_IMAP_FLAG_DELETED, "\\Deleted"},
               {MW_IMAP_FLAG_SEEN, "\\Seen"},
               {MW_IMAP_FLAG_DRAFT, "\\Draft"},
               {MW_IMAP_FLAG_RECENT, "\\Recent"},
               {MW_IMAP_FLAG_WILDCARD, "\\*"}};
    size_t i;
    int first = 1;
    if (f->text.ptr != NULL) {
        mw__imaps_put(s, f->text.ptr, f->text.len);
        return;
    }
    for (i = 0; i < sizeof sys / sizeof sys[0]; i++) {
        if (!(f->system & sys[i].bit) ||
            (sys[i].bit == MW_IMAP_FLAG_WILDCARD && !perm))
            continue;
        if (!first)
            mw__imaps_putc(s, ' ');
        first = 0;
        mw__imaps_puts(s, sys[i].name);
    }
}

void mw__imaps_put_code(mw_imap_server *s, const mw_imap_code *c)
{
    if (!has_code(c))
        return;
    mw__imaps_putc(s, '[');
    if (c->id == MW_IMAP_CODE_OTHER)
        mw__imaps_put(s, c->name.ptr, c->name.len);
    else
        mw__imaps_puts(s, mw_imap_code_name(c->id));
    switch (c->id) {
    case MW_IMAP_CODE_UIDNEXT:
    case MW_IMAP_CODE_UIDVALIDITY:
    case MW_IMAP_CODE_UNSEEN:
        mw__imaps_putc(s, ' ');
        mw__imaps_put_u64(s, c->num);
        break;
    case MW_IMAP_CODE_HIGHESTMODSEQ:
        mw__imaps_putc(s, ' ');
        mw__imaps_put_u64(s, c->modseq);
        break;
    case MW_IMAP_CODE_APPENDUID:
    case MW_IMAP_CODE_COPYUID:
        /* RFC 4315 §3: uidvalidity SP uid-set [SP uid-set] */
        mw__imaps_putc(s, ' ');
        mw__imaps_put_u64(s, c->num);
        mw__imaps_putc(s, ' ');
        mw__imaps_put(s, c->set.text.ptr, c->set.text.len);
        if (c->id == MW_IMAP_CODE_COPYUID) {
            mw__imaps_putc(s, ' ');
            mw__imaps_put(s, c->set2.text.ptr, c->set2.text.len);
        }
        break;
    case MW_IMAP_CODE_MODIFIED:
        mw__imaps_putc(s, ' ');
        mw__imaps_put(s, c->set.text.ptr, c->set.text.len);
        break;
    case MW_IMAP_CODE_PERMANENTFLAGS:
        mw__imaps_puts(s, " (");
        mw__imaps_put_flags(s, &c->flags, 1);
        mw__imaps_putc(s, ')');
        break;
    case MW_IMAP_CODE_CAPABILITY:
        mw__imaps_putc(s, ' ');
        if (c->arg.len == 0)
            mw__imaps_put_caps(s);
        else
            mw__imaps_put(s, c->arg.ptr, c->arg.len);
        break;
    default:
        if (c->arg.len > 0) {
            mw__imaps_putc(s, ' ');
            mw__imaps_put(s, c->arg.ptr, c->arg.len);
        }
        break;
    }
    mw__imaps_puts(s, "] ");
}

/* ---- capabilities ------------------------------------------------------ */

/* The names come from caps.c (mw__imap_cap_name, mw__imap_auth_name):
 * one table for the client's parser and this list. */

int mw__imaps_mech_offered(const mw_imap_server *s, mw_span mech)
{
    size_t i;
    for (i = 0; i < MW__IMAP_AUTH_COUNT; i++)
        if ((s->auth & (1u << i)) &&
            mw__span_ieq(mech, mw__imap_auth_name((unsigned)i)))
            return 1;
    if (s->caps_extra != NULL) {
        const char *p = s->caps_extra;
        while (*p != '\0') {
            size_t k = 0;
            while (p[k] != '\0' && p[k] != ' ')
                k++;
            if (k == mech.len + 5 && mw__span_ieq(mw__span(p, 5), "AUTH=")) {
                size_t j;
                for (j = 0; j < mech.len; j++)
                    if (mw__lower((unsigned char)p[5 + j]) !=
                        mw__lower((unsigned char)mech.ptr[j]))
                        break;
                if (j == mech.len)
                    return 1;
            }
            p += k;
            while (*p == ' ')
                p++;
        }
    }
    return 0;
}

static void cap_word(mw_imap_server *s, int *first, const char *w, size_t n)
{
    if (!*first)
        mw__imaps_putc(s, ' ');
    *first = 0;
    mw__imaps_put(s, w, n);
}

void mw__imaps_put_caps(mw_imap_server *s)
{
    uint64_t caps = s->caps;
    int first = 1, preauth = s->phase == MW_IMAP_STATE_NOT_AUTHENTICATED;
    size_t i;

    /* IMAP4rev1 / IMAP4rev2 first (RFC 9051 §7.2.2: listed first by
     * custom), then what depends on the state. */
    for (i = 0; i < 2; i++)
        if (caps & (1ull << i))
            cap_word(s, &first, mw__imap_cap_name((unsigned)i),
                     strlen(mw__imap_cap_name((unsigned)i)));
    /* RFC 9051 §6.2.1: STARTTLS only before TLS and login. */
    if ((caps & MW_IMAP_CAP_STARTTLS) && !s->tls && preauth)
        cap_word(s, &first, "STARTTLS", 8);
    if ((caps & MW_IMAP_CAP_LOGINDISABLED) ||
        ((s->flags & MW_IMAP_SERVER_LOGIN_NEEDS_TLS) && !s->tls && preauth))
        cap_word(s, &first, "LOGINDISABLED", 13);
    if (preauth) {
        for (i = 0; i < MW__IMAP_AUTH_COUNT; i++) {
            if (s->auth & (1u << i)) {
                cap_word(s, &first, "AUTH=", 5);
                mw__imaps_puts(s, mw__imap_auth_name((unsigned)i));
            }
        }
    }
    for (i = 4; i < MW__IMAP_CAP_COUNT; i++) {
        uint64_t bit = 1ull << i;
        const char *name = mw__imap_cap_name((unsigned)i);
        if (!(caps & bit) || name[0] == '\0')
            continue;
        /* LITERAL+ includes LITERAL- (RFC 7888 §5): list one. */
        if (bit == MW_IMAP_CAP_LITERAL_MINUS &&
            (caps & MW_IMAP_CAP_LITERAL_PLUS))
            continue;
        if (bit == MW_IMAP_CAP_COMPRESS_DEFLATE && s->compressed)
            continue;
        cap_word(s, &first, name, strlen(name));
        if (bit == MW_IMAP_CAP_APPENDLIMIT && s->max_append != 0 &&
            s->max_append <= 0xFFFFFFFFull) {
            mw__imaps_putc(s, '='); /* RFC 7889 §2: APPENDLIMIT=number */
            mw__imaps_put_u64(s, s->max_append);
        }
    }
    if (s->caps_extra != NULL) {
        const char *p = s->caps_extra;
        while (*p != '\0') {
            size_t k = 0;
            while (p[k] != '\0' && p[k] != ' ')
                k++;
            /* AUTH= mechanisms only before login, like the built-in ones. */
            if (k > 0 && (preauth || k < 5 || !mw__span_ieq(mw__span(p, 5),
                                                              "AUTH=")))
                cap_word(s, &first, p, k);
            p += k;
            while (*p == ' ')
                p++;
        }
    }
}

/* ---- strings ----------------------------------------------------------- */

/* Which form a string value needs (RFC 9051 §4.3). */
enum { F_ATOM = 0, F_QUOTED = 1, F_LITERAL = 2 };

static int string_form(const mw_imap_server *s, const char *p, size_t n,
                       int astring)
{
    size_t i;
    unsigned all = 0xFFu, any = 0;
    for (i = 0; i < n; i++) {
        unsigned c = CLS(p[i]);
        all &= c;
        any |= c;
    }
    if (any & (C_CRLF | C_NUL))
        return F_LITERAL;
    if (any & C_8BIT) {
        if (!mw__imaps_utf8(s) || !utf8_ok(p, n))
            return F_LITERAL;
    }
    if (n > QUOTED_MAX)
        return F_LITERAL;
    /* An atom where an astring may be one, but never "NIL", which a
     * reader of an nstring position would take for NIL. */
    if (astring && n > 0 && (all & C_AST) &&
        !(n == 3 && mw__span_ieq(mw__span(p, 3), "NIL")))
        return F_ATOM;
    return F_QUOTED;
}

static void put_quoted(mw_imap_server *s, const char *p, size_t n)
{
    size_t i = 0, run = 0;
    mw__imaps_putc(s, '"');
    for (i = 0; i < n; i++) {
        if (CLS(p[i]) & C_QESC) {
            mw__imaps_put(s, p + run, i - run);
            mw__imaps_putc(s, '\\');
            run = i;
        }
    }
    mw__imaps_put(s, p + run, n - run);
    mw__imaps_putc(s, '"');
}

static void put_literal(mw_imap_server *s, const char *p, size_t n)
{
    mw__imaps_putc(s, '{');
    mw__imaps_put_u64(s, n);
    mw__imaps_puts(s, "}\r\n");
    mw__imaps_put_direct(s, p, n);
}

static void put_form(mw_imap_server *s, const char *p, size_t n, int astring)
{
    if (p == NULL)
        p = "";
    switch (string_form(s, p, n, astring)) {
    case F_ATOM:
        mw__imaps_put(s, p, n);
        break;
    case F_QUOTED:
        put_quoted(s, p, n);
        break;
    default:
        put_literal(s, p, n);
        break;
    }
}

void mw__imaps_put_string(mw_imap_server *s, const char *p, size_t n)
{
    put_form(s, p, n, 0);
}

void mw__imaps_put_astring(mw_imap_server *s, const char *p, size_t n)
{
    put_form(s, p, n, 1);
}

void mw__imaps_put_nstring(mw_imap_server *s, mw_span v)
{
    if (v.ptr == NULL)
        mw__imaps_puts(s, "NIL");
    else
        put_form(s, v.ptr, v.len, 0);
}

/* ---- modified UTF-7 (RFC 3501 §5.1.3) ----------------------------------
 * Printable US-ASCII but "&" stands for itself, "&" is "&-", and runs of
 * other characters are "&" + modified BASE64 (RFC 2152 with "," for "/",
 * no padding) of their UTF-16 + "-". Written in two passes over the
 * UTF-8 name (length, then bytes) so no buffer limits the name. */

static const char mb64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

typedef struct mutf7_info {
    size_t len;      /* encoded length */
    int atom;        /* every encoded byte is an ASTRING-CHAR */
    int escapes;     /* ASCII part holds '"' or '\\' */
} mutf7_info;

/* Number of UTF-16 units of the non-ASCII run starting at p[i]; *end
 * receives where the run ends. Input was validated. */
static size_t run_units(const char *p, size_t n, size_t i, size_t *end)
{
    size_t units = 0;
    while (i < n) {
        uint32_t cp = 0xFFFDu;
        unsigned char c = (unsigned char)p[i];
        size_t k;
        if (c >= 0x20 && c < 0x7F)
            break;
        k = utf8_seq((const unsigned char *)p + i, n - i, &cp);
        if (k == 0) {
            k = 1; /* not reached for validated input */
            cp = 0xFFFDu;
        }
        units += cp >= 0x10000u ? 2u : 1u;
        i += k;
    }
    *end = i;
    return units;
}

static void mutf7_measure(const char *p, size_t n, mutf7_info *m)
{
    size_t i = 0;
    m->len = 0;
    m->atom = 1;
    m->escapes = 0;
    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c < 0x7F) {
            m->len += c == '&' ? 2u : 1u;
            if (c != '&' && !(CLS(c) & C_AST))
                m->atom = 0;
            if (CLS(c) & C_QESC)
                m->escapes = 1;
            i++;
        } else {
            size_t end, units = run_units(p, n, i, &end);
            m->len += 2u + (units * 16u + 5u) / 6u;
            i = end;
        }
    }
}

static void mutf7_write(mw_imap_server *s, const char *p, size_t n,
                        int quoted)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c < 0x7F) {
            if (quoted && (CLS(c) & C_QESC))
                mw__imaps_putc(s, '\\');
            mw__imaps_putc(s, (char)c);
            if (c == '&')
                mw__imaps_putc(s, '-');
            i++;
            continue;
        }
        {
            uint32_t bits = 0;
            unsigned nbits = 0;
            mw__imaps_putc(s, '&');
            while (i < n) {
                uint32_t cp = 0, u[2];
                size_t k, j, nu;
                c = (unsigned char)p[i];
                if (c >= 0x20 && c < 0x7F)
                    break;
                k = utf8_seq((const unsigned char *)p + i, n - i, &cp);
                if (k == 0) {
                    k = 1;
                    cp = 0xFFFDu;
                }
                i += k;
                if (cp >= 0x10000u) {
                    cp -= 0x10000u;
                    u[0] = 0xD800u | (cp >> 10);
                    u[1] = 0xDC00u | (cp & 0x3FFu);
                    nu = 2;
                } else {
                    u[0] = cp;
                    nu = 1;
                }
                for (j = 0; j < nu; j++) {
                    bits = (bits << 16) | u[j];
                    nbits += 16;
                    while (nbits >= 6) {
                        nbits -= 6;
                        mw__imaps_putc(s, mb64[(bits >> nbits) & 0x3Fu]);
                    }
                    bits &= (1u << nbits) - 1u;
                }
            }
            if (nbits > 0)
                mw__imaps_putc(s, mb64[(bits << (6 - nbits)) & 0x3Fu]);
            mw__imaps_putc(s, '-');
        }
    }
}

void mw__imaps_put_mailbox(mw_imap_server *s, const char *p, size_t n,
                           int as_string)
{
    mutf7_info m;
    if (p == NULL)
        p = "";
    if ((s->flags & MW_IMAP_SERVER_NAMES_RAW) || mw__imaps_utf8(s)) {
        /* UTF-8 names (RFC 6855 §3, RFC 9051 §5.1) or the caller's own
         * wire form. */
        put_form(s, p, n, !as_string);
        return;
    }
    mutf7_measure(p, n, &m);
    if (m.len > QUOTED_MAX) {
        mw__imaps_putc(s, '{');
        mw__imaps_put_u64(s, m.len);
        mw__imaps_puts(s, "}\r\n");
        mutf7_write(s, p, n, 0);
    } else if (!as_string && m.atom && m.len > 0 &&
               !(n == 3 && mw__span_ieq(mw__span(p, 3), "NIL"))) {
        mutf7_write(s, p, n, 0);
    } else {
        mw__imaps_putc(s, '"');
        mutf7_write(s, p, n, 1);
        mw__imaps_putc(s, '"');
    }
}

/* ---- status responses ------------------------------------------------- */

static const char *result_word(int result)
{
    switch (result) {
    case MW_IMAP_OK:
        return "OK";
    case MW_IMAP_NO:
        return "NO";
    case MW_IMAP_BAD:
        return "BAD";
    case MW_IMAP_PREAUTH:
        return "PREAUTH";
    case MW_IMAP_BYE:
        return "BYE";
    default:
        return NULL;
    }
}

static const char *default_text(int result)
{
    switch (result) {
    case MW_IMAP_OK:
        return "Completed";
    case MW_IMAP_NO:
        return "Failed";
    case MW_IMAP_BAD:
        return "Bad command";
    case MW_IMAP_PREAUTH:
        return "Logged in";
    default:
        return "Closing connection";
    }
}

int mw__imaps_status_line(mw_imap_server *s, const char *tag, size_t taglen,
                          int result, const mw_imap_code *code,
                          const char *text)
{
    size_t textlen;
    if (result_word(result) == NULL || !mw__imaps_code_ok(s, code) ||
        !mw__imaps_text_len(s, text, has_code(code), &textlen))
        return MW_E_INVAL;
    return mw__imaps_status_line_checked(s, tag, taglen, result, code, text,
                                         textlen);
}

int mw__imaps_status_line_checked(mw_imap_server *s, const char *tag,
                                  size_t taglen, int result,
                                  const mw_imap_code *code, const char *text,
                                  size_t textlen)
{
    const char *word = result_word(result);
    int r;
    r = mw__imaps_can_write(s);
    if (r != MW_OK)
        return r;
    if (textlen == 0) {
        text = default_text(result);
        textlen = strlen(text);
    }
#if MW_ENABLE_FAST_PATHS
    /* Only for speed (features.h): the pieces below give the same bytes
     * and, with room in the buffer, the same single send. */
    if (!has_code(code) && s->ost == MW_OK) {
        /* The usual reply, "tag OK text", assembled in one go; the tag
         * (from s->tag, MW_IMAP_TAG_MAX bytes) and the word (padded to 8
         * below) go with fixed-size copies when there is room for them. */
        static const char words[5][8] = {"OK", "NO", "BAD", "PREAUTH",
                                         "BYE"}; /* MW_IMAP_OK.. */
        static const unsigned char wlen[5] = {2, 2, 3, 7, 3};
        size_t wl = (result >= MW_IMAP_OK && result <= MW_IMAP_BYE)
                        ? wlen[result]
                        : strlen(word);
        size_t need = (tag != NULL ? taglen : 1u) + wl + textlen + 4u;
        if (need + 24u <= sizeof s->out - s->olen &&
            (tag == NULL || (tag == s->tag && taglen <= 16)) &&
            result >= MW_IMAP_OK && result <= MW_IMAP_BYE) {
            char *o = s->out + s->olen;
            if (tag != NULL)
                memcpy(o, tag, 16);
            else
                *o = '*';
            o += tag != NULL ? taglen : 1u;
            *o++ = ' ';
            memcpy(o, words[result], 8);
            o += wl;
            *o++ = ' ';
            memcpy(o, text, textlen);
            o += textlen;
            *o++ = '\r';
            *o++ = '\n';
            s->olen += need;
            return mw__imaps_end(s);
        }
        if (need <= sizeof s->out - s->olen) {
            char *o = s->out + s->olen;
            if (tag != NULL) {
                memcpy(o, tag, taglen);
                o += taglen;
            } else {
                *o++ = '*';
            }
            *o++ = ' ';
            memcpy(o, word, wl);
            o += wl;
            *o++ = ' ';
            memcpy(o, text, textlen);
            o += textlen;
            *o++ = '\r';
            *o++ = '\n';
            s->olen += need;
            return mw__imaps_end(s);
        }
    }
#endif
    if (tag != NULL)
        mw__imaps_put(s, tag, taglen);
    else
        mw__imaps_putc(s, '*');
    mw__imaps_putc(s, ' ');
    mw__imaps_puts(s, word);
    mw__imaps_putc(s, ' ');
    mw__imaps_put_code(s, code);
    /* RFC 3501 §9 requires text after the code; RFC 9051 makes it
     * optional. Always write some for IMAP4rev1 clients (the default
     * text, chosen above). */
    mw__imaps_put(s, text, textlen);
    mw__imaps_put(s, "\r\n", 2);
    return mw__imaps_end(s);
}

#if MW_ENABLE_FAST_PATHS
int mw__imaps_reply_fast(mw_imap_server *s, int result, const char *text,
                         int *st)
{
    static const char words[3][8] = {"OK", "NO", "BAD"}; /* MW_IMAP_OK.. */
    static const unsigned char wlen[3] = {2, 2, 3};
    size_t taglen = s->tag_len;
    char *o, *end;
    if (s->ost != MW_OK || taglen == 0 || taglen > 16 ||
        result < MW_IMAP_OK || result > MW_IMAP_BAD ||
        sizeof s->out - s->olen < 32u)
        return 0;
    if (text == NULL || text[0] == '\0')
        text = default_text(result);
    else if (text[0] == '[')
        return 0; /* refused there (it would read as a code) */
    o = s->out + s->olen;
    end = s->out + sizeof s->out - 2u;
    memcpy(o, s->tag, 16); /* the tag array holds MW_IMAP_TAG_MAX bytes */
    o += taglen;
    *o++ = ' ';
    memcpy(o, words[result], 8);
    o += wlen[result];
    *o++ = ' ';
    /* copy the text, checking it on the way: CR, LF and 8-bit bytes
     * (which need the UTF-8 check) leave it to the general path, with
     * nothing written (olen is unchanged until the end) */
    for (; *text != '\0'; text++) {
        if (o >= end || (CLS(*text) & (C_CRLF | C_8BIT)))
            return 0;
        *o++ = *text;
    }
    *o++ = '\r';
    *o++ = '\n';
    s->olen = (size_t)(o - s->out);
    *st = mw__imaps_end(s);
    return 1;
}
#endif

int mw_imap_server_status(mw_imap_server *s, int result,
                          const mw_imap_code *code, const char *text)
{
    if (s == NULL)
        return MW_E_INVAL;
    if (result != MW_IMAP_OK && result != MW_IMAP_NO && result != MW_IMAP_BAD)
        return MW_E_INVAL;
    return mw__imaps_status_line(s, NULL, 0, result, code, text);
}

/* ---- untagged data ---------------------------------------------------- */

static int begin(mw_imap_server *s)
{
    if (s == NULL)
        return MW_E_INVAL;
    return mw__imaps_can_write(s);
}

static int finish(mw_imap_server *s)
{
    mw__imaps_puts(s, "\r\n");
    return mw__imaps_end(s);
}

int mw_imap_server_capability(mw_imap_server *s)
{
    int r = begin(s);
    if (r != MW_OK)
        return r;
    mw__imaps_puts(s, "* CAPABILITY ");
    mw__imaps_put_caps(s);
    return finish(s);
}

int mw_imap_server_enabled(mw_imap_server *s, const mw_span *caps, size_t n)
{
    size_t i;
    unsigned en = 0;
    int r;
    if (s == NULL || (caps == NULL && n > 0))
        return MW_E_INVAL;
    for (i = 0; i < n; i++) {
        if (!mw__imaps_atom_ok(caps[i].ptr, caps[i].len))
            return MW_E_INVAL;
        if (mw__span_ieq(caps[i], "UTF8=ACCEPT"))
            en |= MW_IMAP_ENABLE_UTF8_ACCEPT;
        else if (mw__span_ieq(caps[i], "IMAP4rev2"))
            en |= MW_IMAP_ENABLE_IMAP4REV2;
        else if (mw__span_ieq(caps[i], "CONDSTORE"))
            en |= MW_IMAP_ENABLE_CONDSTORE;
        else if (mw__span_ieq(caps[i], "QRESYNC"))
            en |= MW_IMAP_ENABLE_QRESYNC | MW_IMAP_ENABLE_CONDSTORE;
        else if (mw__span_ieq(caps[i], "METADATA"))
            en |= MW_IMAP_ENABLE_METADATA;
        else if (mw__span_ieq(caps[i], "METADATA-SERVER"))
            en |= MW_IMAP_ENABLE_METADATA_SERVER;
        else if (mw__span_ieq(caps[i], "UTF8=ONLY"))
            en |= MW_IMAP_ENABLE_UTF8_ONLY | MW_IMAP_ENABLE_UTF8_ACCEPT;
    }
    r = begin(s);
    if (r != MW_OK)
        return r;
    mw__imaps_puts(s, "* ENABLED");
    for (i = 0; i < n; i++) {
        mw__imaps_putc(s, ' ');
        mw__imaps_put(s, caps[i].ptr, caps[i].len);
    }
    r = finish(s);
    if (r == MW_OK) {
        /* The session changes once the client has been told (RFC 6855
         * §3: UTF-8 from the next command on; RFC 9051 §6.3.1). */
        s->enabled |= en;
        if (en & MW_IMAP_ENABLE_UTF8_ACCEPT)
            s->utf8 = 1;
        if (en & MW_IMAP_ENABLE_IMAP4REV2)
            s->rev2 = 1;
        s->lexflags = mw__imaps_utf8(s) ? MW__IMAP_LEX_UTF8 : 0u;
    }
    return r;
}

static const char *const attr_names[] = {
    "\\Noinferiors", "\\Noselect", "\\Marked", "\\Unmarked",
    "\\NonExistent", "\\Subscribed", "\\Remote", "\\HasChildren",
    "\\HasNoChildren", "\\All", "\\Archive", "\\Drafts", "\\Flagged",
    "\\Junk", "\\Sent", "\\Trash", "\\Important"};

/* The bits the server writes: MW_IMAP_LIST_NOINFERIORS (bit 0) up to
 * MW_IMAP_LIST_IMPORTANT, one name each (the Gmail XLIST bits above are
 * the client's alone). */
#define ATTR_ALL ((MW_IMAP_LIST_IMPORTANT << 1) - 1u)
typedef char attr_names_match_[sizeof attr_names / sizeof attr_names[0] == 17 &&
                                       MW_IMAP_LIST_IMPORTANT == 1u << 16
                                   ? 1
                                   : -1];

/* "\" atom, separated by single spaces (RFC 9051 §9 flag-extension). */
static int attrs_ok(mw_span a)
{
    size_t i = 0;
    if (a.len == 0)
        return 1;
    if (a.ptr == NULL)
        return 0;
    for (;;) {
        size_t start;
        if (i == a.len || a.ptr[i] != '\\')
            return 0;
        start = ++i;
        while (i < a.len && (CLS(a.ptr[i]) & C_ATOM))
            i++;
        if (i == start)
            return 0;
        if (i == a.len)
            return 1;
        if (a.ptr[i] != ' ')
            return 0;
        i++;
    }
}

/* Atoms separated by single spaces (CHILDINFO criteria). */
static int atoms_ok(mw_span a)
{
    size_t i = 0;
    if (a.ptr == NULL || a.len == 0)
        return 0;
    for (;;) {
        size_t start = i;
        while (i < a.len && (CLS(a.ptr[i]) & C_ATOM))
            i++;
        if (i == start)
            return 0;
        if (i == a.len)
            return 1;
        if (a.ptr[i] != ' ')
            return 0;
        i++;
    }
}

static int delim_ok(char d)
{
    return d == 0 || (CLS(d) & C_TEXT);
}

static void put_delim(mw_imap_server *s, char d)
{
    if (d == 0) {
        mw__imaps_puts(s, "NIL");
        return;
    }
    mw__imaps_putc(s, '"');
    if (CLS(d) & C_QESC)
        mw__imaps_putc(s, '\\');
    mw__imaps_putc(s, d);
    mw__imaps_putc(s, '"');
}

int mw_imap_server_list(mw_imap_server *s, const mw_imap_list_reply *l)
{
    size_t i;
    int first = 1, r;
    if (s == NULL || l == NULL)
        return MW_E_INVAL;
    if ((l->attrs & ~ATTR_ALL) || !attrs_ok(l->other_attrs) ||
        !delim_ok(l->delimiter) ||
        !mw__imaps_mailbox_ok(s, l->mailbox.ptr, l->mailbox.len) ||
        (l->childinfo.ptr != NULL && !atoms_ok(l->childinfo)) ||
        (l->oldname.ptr != NULL &&
         !mw__imaps_mailbox_ok(s, l->oldname.ptr, l->oldname.len)))
        return MW_E_INVAL;
    r = begin(s);
    if (r != MW_OK)
        return r;
    mw__imaps_puts(s, l->lsub ? "* LSUB (" : "* LIST (");
    for (i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++) {
        if (!(l->attrs & (1u << i)))
            continue;
        if (!first)
            mw__imaps_putc(s, ' ');
        first = 0;
        mw__imaps_puts(s, attr_names[i]);
    }
    if (l->other_attrs.len > 0) {
        if (!first)
            mw__imaps_putc(s, ' ');
        mw__imaps_put(s, l->other_attrs.ptr, l->other_attrs.len);
    }
    mw__imaps_puts(s, ") ");
    put_delim(s, l->delimiter);
    mw__imaps_putc(s, ' ');
    mw__imaps_put_mailbox(s, l->mailbox.ptr, l->mailbox.len, 0);
    if (l->childinfo.ptr != NULL || l->oldname.ptr != NULL) {
        /* RFC 5258 §4 / RFC 9051 §6.3.9.7: mbox-list-extended */
        const char *sep = " (";
        if (l->childinfo.ptr != NULL) {
            size_t k = 0;
            mw__imaps_puts(s, sep);
            mw__imaps_puts(s, "\"CHILDINFO\" (");
            while (k < l->childinfo.len) {
                size_t e = k;
                while (e < l->childinfo.len && l->childinfo.ptr[e] != ' ')
                    e++;
                if (k > 0)
                    mw__imaps_putc(s, ' ');
                put_quoted(s, l->childinfo.ptr + k, e - k);
                k = e + 1;
            }
            mw__imaps_putc(s, ')');
            sep = " ";
        }
        if (l->oldname.ptr != NULL) {
            mw__imaps_puts(s, sep);
            mw__imaps_puts(s, "\"OLDNAME\" (");
            mw__imaps_put_mailbox(s, l->oldname.ptr, l->oldname.len, 1);
            mw__imaps_putc(s, ')');
        }
        mw__imaps_putc(s, ')');
    }
    return finish(s);
}

/* What a STATUS response carries: every MW_IMAP_STATUS_* item before
 * DELETED-STORAGE (RFC 9208), which ::mw_imap_status_reply has no field
 * for (names: mw__imap_status_name()). */
#define STATUS_ALL 0x3FFu

int mw_imap_server_mailbox_status(mw_imap_server *s,
                                  const mw_imap_status_reply *st)
{
    unsigned i;
    int first = 1, r;
    if (s == NULL || st == NULL)
        return MW_E_INVAL;
    if ((st->items & ~STATUS_ALL) ||
        !mw__imaps_mailbox_ok(s, st->mailbox.ptr, st->mailbox.len) ||
        /* RFC 9051 §9 status-att-val: UIDNEXT and UIDVALIDITY are
         * nz-number; a 0 makes the whole response invalid. */
        ((st->items & MW_IMAP_STATUS_UIDNEXT) && st->uidnext == 0) ||
        ((st->items & MW_IMAP_STATUS_UIDVALIDITY) && st->uidvalidity == 0) ||
        ((st->items & MW_IMAP_STATUS_SIZE) && st->size > MW__IMAPS_N64_MAX) ||
        ((st->items & MW_IMAP_STATUS_HIGHESTMODSEQ) &&
         st->highestmodseq > MW__IMAPS_N64_MAX) ||
        ((st->items & MW_IMAP_STATUS_APPENDLIMIT) &&
         st->appendlimit != UINT64_MAX && st->appendlimit > 0xFFFFFFFFull) ||
        ((st->items & MW_IMAP_STATUS_MAILBOXID) &&
         !mw__imaps_objectid_ok(st->mailboxid.ptr, st->mailboxid.len)))
        return MW_E_INVAL;
    r = begin(s);
    if (r != MW_OK)
        return r;
    mw__imaps_puts(s, "* STATUS ");
    mw__imaps_put_mailbox(s, st->mailbox.ptr, st->mailbox.len, 0);
    mw__imaps_puts(s, " (");
    for (i = 0; i < MW__IMAP_STATUS_COUNT; i++) {
        unsigned bit = 1u << i;
        uint64_t v = 0;
        if (!(st->items & bit))
            continue;
        if (!first)
            mw__imaps_putc(s, ' ');
        first = 0;
        mw__imaps_puts(s, mw__imap_status_name(i));
        mw__imaps_putc(s, ' ');
        switch (bit) {
        case MW_IMAP_STATUS_MESSAGES: v = st->messages; break;
        case MW_IMAP_STATUS_RECENT: v = st->recent; break;
        case MW_IMAP_STATUS_UIDNEXT: v = st->uidnext; break;
        case MW_IMAP_STATUS_UIDVALIDITY: v = st->uidvalidity; break;
        case MW_IMAP_STATUS_UNSEEN: v = st->unseen; break;
        case MW_IMAP_STATUS_DELETED: v = st->deleted; break;
        case MW_IMAP_STATUS_SIZE: v = st->size; break;
        case MW_IMAP_STATUS_HIGHESTMODSEQ: v = st->highestmodseq; break;
        case MW_IMAP_STATUS_APPENDLIMIT:
            if (st->appendlimit == UINT64_MAX) {
                mw__imaps_puts(s, "NIL"); /* RFC 7889 §3: no limit */
                continue;
            }
            v = st->appendlimit;
            break;
        default:
            mw__imaps_putc(s, '(');
            mw__imaps_put(s, st->mailboxid.ptr, st->mailboxid.len);
            mw__imaps_putc(s, ')');
            continue;
        }
        mw__imaps_put_u64(s, v);
    }
    mw__imaps_putc(s, ')');
    return finish(s);
}

/* ---- SEARCH / SORT / ESEARCH ------------------------------------------- */

int mw_imap_server_search_begin(mw_imap_server *s, unsigned flags)
{
    int r = begin(s);
    if (r != MW_OK)
        return r;
    if (flags & ~MW_IMAP_SERVER_SORT)
        return MW_E_INVAL;
    mw__imaps_puts(s, (flags & MW_IMAP_SERVER_SORT) ? "* SORT" : "* SEARCH");
    s->open = MW__IMAPS_OPEN_SEARCH;
    s->nsearch = 0;
    return s->ost;
}

int mw_imap_server_search_add(mw_imap_server *s, uint32_t num)
{
    if (s == NULL)
        return MW_E_INVAL;
    if (s->open != MW__IMAPS_OPEN_SEARCH || s->io == MW__IMAPS_IO_CLOSED)
        return MW_E_STATE;
    if (num == 0)
        return MW_E_INVAL;
    mw__imaps_putc(s, ' ');
    mw__imaps_put_u64(s, num);
    if (s->nsearch < UINT32_MAX)
        s->nsearch++;
    return s->ost;
}

int mw_imap_server_search_end(mw_imap_server *s, uint64_t modseq)
{
    if (s == NULL)
        return MW_E_INVAL;
    if (s->open != MW__IMAPS_OPEN_SEARCH || s->io == MW__IMAPS_IO_CLOSED)
        return MW_E_STATE;
    /* RFC 7162 §3.1.5: "(MODSEQ n)" only after at least one number. */
    if (modseq != 0 && (s->nsearch == 0 || modseq > MW__IMAPS_N64_MAX))
        return MW_E_INVAL;
    if (modseq != 0) {
        mw__imaps_puts(s, " (MODSEQ ");
        mw__imaps_put_u64(s, modseq);
        mw__imaps_putc(s, ')');
    }
    s->open = MW__IMAPS_OPEN_NONE;
    return finish(s);
}

int mw_imap_server_search(mw_imap_server *s, const uint32_t *nums, size_t n,
                          uint64_t modseq)
{
    size_t i;
    int r;
    if (s == NULL || (nums == NULL && n > 0))
        return MW_E_INVAL;
    for (i = 0; i < n; i++)
        if (nums[i] == 0)
            return MW_E_INVAL;
    if (modseq != 0 && (n == 0 || modseq > MW__IMAPS_N64_MAX))
        return MW_E_INVAL;
    r = mw_imap_server_search_begin(s, 0);
    for (i = 0; r == MW_OK && i < n; i++)
        r = mw_imap_server_search_add(s, nums[i]);
    if (r == MW_OK)
        r = mw_imap_server_search_end(s, modseq);
    return r;
}

#define ESEARCH_ITEMS                                                       \
    (MW_IMAP_SEARCHRET_MIN | MW_IMAP_SEARCHRET_MAX | MW_IMAP_SEARCHRET_ALL | \
     MW_IMAP_SEARCHRET_COUNT)

/* Everything up to (and with `incremental`, including) "ALL ". */
static int esearch_head(mw_imap_server *s, const mw_imap_esearch_reply *e,
                        int incremental)
{
    int r, tag;
    if (s == NULL || e == NULL)
        return MW_E_INVAL;
    if ((e->items & ~ESEARCH_ITEMS) ||
        ((e->items & MW_IMAP_SEARCHRET_MIN) && e->min == 0) ||
        ((e->items & MW_IMAP_SEARCHRET_MAX) && e->max == 0) ||
        e->modseq > MW__IMAPS_N64_MAX ||
        (e->tag.ptr != NULL && (e->tag.len == 0 ||
                                !mw__imaps_string_ok(e->tag.ptr, e->tag.len))))
        return MW_E_INVAL;
    if (incremental) {
        if (!(e->items & MW_IMAP_SEARCHRET_ALL) || e->all.ptr != NULL)
            return MW_E_INVAL;
    } else if ((e->items & MW_IMAP_SEARCHRET_ALL) &&
               (e->all.ptr == NULL ||
                (e->all.len > 0 && !mw__imaps_set_ok(e->all.ptr, e->all.len)))) {
        return MW_E_INVAL;
    }
    r = begin(s);
    if (r != MW_OK)
        return r;
    /* RFC 4731 §3.1: search-correlator (TAG "tag") names the command. */
    tag = !e->no_tag && (e->tag.ptr != NULL || s->pending);
    mw__imaps_puts(s, "* ESEARCH");
    if (tag) {
        mw__imaps_puts(s, " (TAG ");
        if (e->tag.ptr != NULL)
            mw__imaps_put_string(s, e->tag.ptr, e->tag.len);
        else
            put_quoted(s, s->tag, s->tag_len);
        mw__imaps_putc(s, ')');
    }
    if (e->uid)
        mw__imaps_puts(s, " UID");
    if (e->items & MW_IMAP_SEARCHRET_MIN) {
        mw__imaps_puts(s, " MIN ");
        mw__imaps_put_u64(s, e->min);
    }
    if (e->items & MW_IMAP_SEARCHRET_MAX) {
        mw__imaps_puts(s, " MAX ");
        mw__imaps_put_u64(s, e->max);
    }
    if (e->items & MW_IMAP_SEARCHRET_COUNT) {
        mw__imaps_puts(s, " COUNT ");
        mw__imaps_put_u64(s, e->count);
    }
    if (incremental) {
        mw__imaps_puts(s, " ALL ");
    } else if ((e->items & MW_IMAP_SEARCHRET_ALL) && e->all.len > 0) {
        mw__imaps_puts(s, " ALL ");
        mw__imaps_put(s, e->all.ptr, e->all.len);
    }
    return s->ost;
}

static void esearch_tail(mw_imap_server *s, uint64_t modseq)
{
    if (modseq != 0) {
        mw__imaps_puts(s, " MODSEQ ");
        mw__imaps_put_u64(s, modseq);
    }
}

int mw_imap_server_esearch(mw_imap_server *s, const mw_imap_esearch_reply *e)
{
    int r = esearch_head(s, e, 0);
    if (r != MW_OK)
        return r;
    esearch_tail(s, e->modseq);
    return finish(s);
}

int mw_imap_server_esearch_begin(mw_imap_server *s,
                                 const mw_imap_esearch_reply *e)
{
    int r = esearch_head(s, e, 1);
    if (r != MW_OK)
        return r;
    s->open = MW__IMAPS_OPEN_ESEARCH;
    s->nsearch = 0;
    s->body_left = e->modseq; /* written by esearch_end */
    return s->ost;
}

int mw_imap_server_esearch_range(mw_imap_server *s, uint32_t lo, uint32_t hi)
{
    if (s == NULL)
        return MW_E_INVAL;
    if (s->open != MW__IMAPS_OPEN_ESEARCH || s->io == MW__IMAPS_IO_CLOSED)
        return MW_E_STATE;
    if (lo == 0 || hi < lo)
        return MW_E_INVAL;
    if (s->nsearch > 0)
        mw__imaps_putc(s, ',');
    mw__imaps_put_u64(s, lo);
    if (hi != lo) {
        mw__imaps_putc(s, ':');
        mw__imaps_put_u64(s, hi);
    }
    if (s->nsearch < UINT32_MAX)
        s->nsearch++;
    return s->ost;
}

int mw_imap_server_esearch_end(mw_imap_server *s)
{
    if (s == NULL)
        return MW_E_INVAL;
    if (s->open != MW__IMAPS_OPEN_ESEARCH || s->io == MW__IMAPS_IO_CLOSED ||
        s->nsearch == 0)
        return MW_E_STATE;
    esearch_tail(s, s->body_left);
    s->body_left = 0;
    s->open = MW__IMAPS_OPEN_NONE;
    return finish(s);
}

/* ---- FLAGS, EXISTS, RECENT, EXPUNGE, VANISHED -------------------------- */

int mw_imap_server_flags(mw_imap_server *s, const mw_imap_flags *f)
{
    int r;
    if (s == NULL || !flags_value_ok(f, 0))
        return MW_E_INVAL;
    r = begin(s);
    if (r != MW_OK)
        return r;
    mw__imaps_puts(s, "* FLAGS (");
    mw__imaps_put_flags(s, f, 0);
    mw__imaps_putc(s, ')');
    return finish(s);
}

static int number_data(mw_imap_server *s, uint32_t n, const char *what)
{
    int r = begin(s);
    if (r != MW_OK)
        return r;
    mw__imaps_puts(s, "* ");
    mw__imaps_put_u64(s, n);
    mw__imaps_puts(s, what);
    return finish(s);
}

int mw_imap_server_exists(mw_imap_server *s, uint32_t n)
{
    return number_data(s, n, " EXISTS");
}

int mw_imap_server_recent(mw_imap_server *s, uint32_t n)
{
    return number_data(s, n, " RECENT");
}

int mw_imap_server_expunge(mw_imap_server *s, uint32_t seq)
{
    if (s != NULL && seq == 0)
        return MW_E_INVAL;
    return number_data(s, seq, " EXPUNGE");
}

int mw_imap_server_vanished(mw_imap_server *s, int earlier, const char *uids,
                            size_t len)
{
    int r;
    if (s == NULL || !mw__imaps_set_ok(uids, len))
        return MW_E_INVAL;
    r = begin(s);
    if (r != MW_OK)
        return r;
    /* RFC 7162 §3.2.10 */
    mw__imaps_puts(s, earlier ? "* VANISHED (EARLIER) " : "* VANISHED ");
    mw__imaps_put(s, uids, len);
    return finish(s);
}

/* ---- NAMESPACE, ID, QUOTA, QUOTAROOT ----------------------------------- */

static int ns_ok(const mw_imap_server *s, const mw_imap_ns_reply *ns,
                 size_t n)
{
    size_t i;
    if (ns == NULL && n > 0)
        return 0;
    for (i = 0; i < n; i++)
        if (!mw__imaps_mailbox_ok(s, ns[i].prefix.ptr, ns[i].prefix.len) ||
            !delim_ok(ns[i].delimiter))
            return 0;
    return 1;
}

static void put_ns(mw_imap_server *s, const mw_imap_ns_reply *ns, size_t n)
{
    size_t i;
    if (n == 0) {
        mw__imaps_puts(s, "NIL");
        return;
    }
    /* RFC 2342 §5 / RFC 9051 §9: "(" 1*namespace-descr ")", no spaces
     * between the descriptors. */
    mw__imaps_putc(s, '(');
    for (i = 0; i < n; i++) {
        mw__imaps_putc(s, '(');
        mw__imaps_put_mailbox(s, ns[i].prefix.ptr, ns[i].prefix.len, 1);
        mw__imaps_putc(s, ' ');
        put_delim(s, ns[i].delimiter);
        mw__imaps_putc(s, ')');
    }
    mw__imaps_putc(s, ')');
}

int mw_imap_server_namespace(mw_imap_server *s,
                             const mw_imap_ns_reply *personal,
                             size_t npersonal, const mw_imap_ns_reply *other,
                             size_t nother, const mw_imap_ns_reply *shared,
                             size_t nshared)
{
    int r;
    if (s == NULL || !ns_ok(s, personal, npersonal) ||
        !ns_ok(s, other, nother) || !ns_ok(s, shared, nshared))
        return MW_E_INVAL;
    r = begin(s);
    if (r != MW_OK)
        return r;
    mw__imaps_puts(s, "* NAMESPACE ");
    put_ns(s, personal, npersonal);
    mw__imaps_putc(s, ' ');
    put_ns(s, other, nother);
    mw__imaps_putc(s, ' ');
    put_ns(s, shared, nshared);
    return finish(s);
}

int mw_imap_server_id(mw_imap_server *s, const mw_imap_id_param *params,
                      size_t n)
{
    size_t i;
    int r;
    if (s == NULL || (params == NULL && n > 0) || n > 30)
        return MW_E_INVAL;
    /* RFC 2971 §3.3: fields at most 30 octets, values at most 1024. */
    for (i = 0; i < n; i++) {
        const mw_imap_id_param *p = &params[i];
        if (p->field.ptr == NULL || p->field.len > 30 ||
            !mw__imaps_string_ok(p->field.ptr, p->field.len) ||
            (p->value.ptr != NULL &&
             (p->value.len > 1024 ||
              !mw__imaps_string_ok(p->value.ptr, p->value.len))))
            return MW_E_INVAL;
    }
    r = begin(s);
    if (r != MW_OK)
        return r;
    if (n == 0) {
        mw__imaps_puts(s, "* ID NIL");
        return finish(s);
    }
    mw__imaps_puts(s, "* ID (");
    for (i = 0; i < n; i++) {
        if (i > 0)
            mw__imaps_putc(s, ' ');
        mw__imaps_put_string(s, params[i].field.ptr, params[i].field.len);
        mw__imaps_putc(s, ' ');
        mw__imaps_put_nstring(s, params[i].value);
    }
    mw__imaps_putc(s, ')');
    return finish(s);
}

int mw_imap_server_quota(mw_imap_server *s, mw_span root,
                         const mw_imap_quota_reply *res, size_t n)
{
    size_t i;
    int r;
    /* RFC 9208 §5.1: quota-list holds at least one resource. */
    if (s == NULL || res == NULL || n == 0 ||
        (root.ptr == NULL && root.len > 0) ||
        !mw__imaps_string_ok(root.ptr, root.len))
        return MW_E_INVAL;
    for (i = 0; i < n; i++)
        if (!mw__imaps_atom_ok(res[i].name.ptr, res[i].name.len) ||
            res[i].usage > MW__IMAPS_N64_MAX ||
            res[i].limit > MW__IMAPS_N64_MAX)
            return MW_E_INVAL;
    r = begin(s);
    if (r != MW_OK)
        return r;
    mw__imaps_puts(s, "* QUOTA ");
    mw__imaps_put_astring(s, root.ptr != NULL ? root.ptr : "", root.len);
    mw__imaps_puts(s, " (");
    for (i = 0; i < n; i++) {
        if (i > 0)
            mw__imaps_putc(s, ' ');
        mw__imaps_put(s, res[i].name.ptr, res[i].name.len);
        mw__imaps_putc(s, ' ');
        mw__imaps_put_u64(s, res[i].usage);
        mw__imaps_putc(s, ' ');
        mw__imaps_put_u64(s, res[i].limit);
    }
    mw__imaps_putc(s, ')');
    return finish(s);
}

int mw_imap_server_quotaroot(mw_imap_server *s, mw_span mailbox,
                             const mw_span *roots, size_t n)
{
    size_t i;
    int r;
    if (s == NULL || (roots == NULL && n > 0) ||
        !mw__imaps_mailbox_ok(s, mailbox.ptr, mailbox.len))
        return MW_E_INVAL;
    for (i = 0; i < n; i++)
        if ((roots[i].ptr == NULL && roots[i].len > 0) ||
            !mw__imaps_string_ok(roots[i].ptr, roots[i].len))
            return MW_E_INVAL;
    r = begin(s);
    if (r != MW_OK)
        return r;
    mw__imaps_puts(s, "* QUOTAROOT ");
    mw__imaps_put_mailbox(s, mailbox.ptr != NULL ? mailbox.ptr : "",
                          mailbox.len, 0);
    for (i = 0; i < n; i++) {
        mw__imaps_putc(s, ' ');
        mw__imaps_put_astring(s, roots[i].ptr != NULL ? roots[i].ptr : "",
                              roots[i].len);
    }
    return finish(s);
}
