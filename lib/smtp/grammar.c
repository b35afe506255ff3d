/* SPDX-License-Identifier: MIT */
/*
 * The RFC 5321 syntax that the SMTP server and client share: paths with
 * their source routes, quoted local parts and address literals (§4.1.2,
 * §4.1.3), the UTF-8 forms of RFC 6531 §3.3, domains, ESMTP parameters,
 * xtext (RFC 3461 §4), enhanced status codes (RFC 3463 §2), command verbs
 * and EHLO keywords. Declared in include/mailwire/smtp.h (public) and
 * lib/smtp/grammar.h (internal).
 *
 * Everything is a single forward pass over the input with a bounded number
 * of looks at each byte; nothing recurses and nothing is copied except
 * where a function writes decoded output.
 */
#include "smtp/grammar.h"

#include "mailwire/codec.h"

/* Classes of each octet, MW__SMTP_* bits (grammar.h). Rows of 16. Built
 * from the ABNF of RFC 5321 §4.1.2 (atext from RFC 5322 §3.2.3; qtextSMTP,
 * dcontent), RFC 3461 §4 (xchar) and §4.1.2 esmtp-value; the unit tests
 * rebuild it from those rules and compare. */
const uint8_t mw__smtp_cc[256] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x08, 0x7c, 0x70, 0x7c, 0x7c, 0x7c, 0x7c, 0x7c, 0x78, 0x78, 0x7c, 0x6c, 0x78, 0x7c, 0x78, 0x7c,
    0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0x78, 0x78, 0x78, 0x4c, 0x78, 0x7c,
    0x78, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d,
    0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x38, 0x30, 0x38, 0x7c, 0x7c,
    0x7c, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d,
    0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7d, 0x7c, 0x7c, 0x7c, 0x7c, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

#define ALNUM (MW__SMTP_ALPHA | MW__SMTP_DIGIT)

static int is_alnum(unsigned char c)
{
    return mw__smtp_is(c, ALNUM);
}

/* Length of the well-formed UTF-8 sequence (non-ASCII) at p[0..n), or 0. */
static size_t utf8_seq(const char *p, size_t n)
{
    unsigned char c = (unsigned char)p[0];
    size_t k = c >= 0xF0 ? 4u : c >= 0xE0 ? 3u : c >= 0xC0 ? 2u : 0u;
    if (k == 0 || k > n || mw_utf8_check(p, k, NULL) != MW_OK)
        return 0;
    return k;
}

/* An octet above 127 at p[0]: with utf8 allowed, its sequence's length
 * (>= 2) or MW_E_UTF8; without, MW_E_SYNTAX. Fills err. */
static int eight_bit(const char *p, size_t n, int utf8, size_t off,
                     mw_error *err)
{
    size_t k;
    if (!utf8)
        return mw__fail(err, MW_E_SYNTAX, off,
                        "octet above 127 (needs SMTPUTF8)");
    k = utf8_seq(p, n);
    if (k == 0)
        return mw__fail(err, MW_E_UTF8, off, "ill-formed UTF-8");
    return (int)k;
}

/* ====================================================================
 * Domains and address literals (RFC 5321 §4.1.2, §4.1.3)
 * ==================================================================== */

/* Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str]
 * (RFC 6531 §3.3 adds U-labels). Labels at most 63 octets (RFC 1035
 * §2.3.4), the domain at most 255 (RFC 5321 §4.5.3.1.2). */
static int domain_name(const char *p, size_t n, int utf8, size_t *used,
                       unsigned *pflags, mw_error *err)
{
    size_t i = 0;

    for (;;) {
        size_t start = i;
        for (;;) {
            unsigned char c;
            /* the common case first: a run of letters and digits */
            while (i < n && is_alnum((unsigned char)p[i]))
                i++;
            if (i >= n)
                break;
            c = (unsigned char)p[i];
            if (c == '-' && i > start) {
                i++;
            } else if (c >= 0x80) {
                int k = eight_bit(p + i, n - i, utf8, i, err);
                if (k < 0)
                    return k;
                *pflags |= MW_SMTP_PATH_UTF8;
                i += (size_t)k;
            } else {
                break;
            }
        }
        if (i == start)
            return mw__fail(err, MW_E_SYNTAX, i,
                            "expected a letter or digit in the domain");
        if (p[i - 1] == '-')
            return mw__fail(err, MW_E_SYNTAX, i - 1,
                            "domain label ends with '-'");
        if (i - start > 63)
            return mw__fail(err, MW_E_TOO_LONG, start,
                            "domain label longer than 63 octets");
        if (i < n && p[i] == '.') {
            i++;
            continue;
        }
        break;
    }
    if (i > MW_SMTP_MAX_DOMAIN)
        return mw__fail(err, MW_E_TOO_LONG, 0,
                        "domain longer than 255 octets");
    *used = i;
    return MW_OK;
}

/* Snum 3("." Snum), all of p[0..n); Snum is 1*3DIGIT up to 255. */
static int ipv4(const char *p, size_t n, size_t base, mw_error *err)
{
    size_t i = 0;
    int part;
    for (part = 0; part < 4; part++) {
        size_t s = i;
        unsigned v = 0;
        if (part > 0) {
            if (i >= n || p[i] != '.')
                return mw__fail(err, MW_E_SYNTAX, base + i,
                                "expected '.' in the IPv4 address");
            s = ++i;
        }
        while (i < n && i - s < 3 && mw__smtp_is((unsigned char)p[i], MW__SMTP_DIGIT))
            v = v * 10u + (unsigned)(p[i++] - '0');
        if (i == s)
            return mw__fail(err, MW_E_SYNTAX, base + i,
                            "expected a number in the IPv4 address");
        if (v > 255)
            return mw__fail(err, MW_E_SYNTAX, base + s,
                            "IPv4 number above 255");
    }
    if (i != n)
        return mw__fail(err, MW_E_SYNTAX, base + i,
                        "unexpected octet in the IPv4 address");
    return MW_OK;
}

/* IPv6-addr of RFC 5321 §4.1.3, all of p[0..n): 8 groups, or at most 6
 * with one "::" (which stands for at least two); an IPv4 address may
 * stand for the last two groups. */
static int ipv6(const char *p, size_t n, size_t base, mw_error *err)
{
    size_t i = 0, groups = 0;
    int dcolon = 0;

    if (n >= 2 && p[0] == ':' && p[1] == ':') {
        dcolon = 1;
        i = 2;
    } else if (n > 0 && p[0] == ':') {
        return mw__fail(err, MW_E_SYNTAX, base, "IPv6 address starts with ':'");
    }
    while (i < n) {
        size_t j = i, h = 0;
        int dot = 0;
        while (j < n && p[j] != ':') {
            if (p[j] == '.')
                dot = 1;
            j++;
        }
        if (dot) {
            int r;
            if (j != n)
                return mw__fail(err, MW_E_SYNTAX, base + j,
                                "IPv4 part must end the IPv6 address");
            if ((r = ipv4(p + i, n - i, base + i, err)) != MW_OK)
                return r;
            groups += 2;
            break; /* the IPv4 part ends the address (j == n) */
        }
        for (h = i; h < j; h++)
            if (!mw__smtp_is((unsigned char)p[h], MW__SMTP_HEX))
                return mw__fail(err, MW_E_SYNTAX, base + h,
                                "expected a hex digit in the IPv6 address");
        if (j == i || j - i > 4)
            return mw__fail(err, MW_E_SYNTAX, base + i,
                            "IPv6 group of 1 to 4 hex digits expected");
        groups++;
        i = j;
        if (i == n)
            break;
        /* at ':' */
        if (i + 1 < n && p[i + 1] == ':') {
            if (dcolon)
                return mw__fail(err, MW_E_SYNTAX, base + i,
                                "second '::' in the IPv6 address");
            dcolon = 1;
            i += 2;
            continue;
        }
        i++;
        if (i == n)
            return mw__fail(err, MW_E_SYNTAX, base + i - 1,
                            "IPv6 address ends with ':'");
    }
    if (dcolon ? groups > 6 : groups != 8)
        return mw__fail(err, MW_E_SYNTAX, base,
                        "wrong number of groups in the IPv6 address");
    return MW_OK;
}

/* address-literal = "[" ( IPv4 / "IPv6:" IPv6 / tag ":" 1*dcontent ) "]" */
static int address_literal(const char *p, size_t n, size_t *used,
                           unsigned *pflags, mw_error *err)
{
    const char *close = n > 1 ? (const char *)memchr(p + 1, ']', n - 1) : NULL;
    const char *colon;
    size_t len, i;
    int r;

    if (close == NULL)
        return mw__fail(err, MW_E_SYNTAX, n, "address literal without ']'");
    len = (size_t)(close - (p + 1)); /* content p[1..1+len) */
    colon = (const char *)memchr(p + 1, ':', len);
    if (colon == NULL) {
        r = ipv4(p + 1, len, 1, err);
        *pflags |= MW_SMTP_PATH_LITERAL | MW_SMTP_PATH_IPV4;
    } else {
        size_t tag = (size_t)(colon - (p + 1));
        if (mw__smtp_word_is(p + 1, tag, "IPV6")) {
            r = ipv6(colon + 1, len - tag - 1, tag + 2, err);
            *pflags |= MW_SMTP_PATH_LITERAL | MW_SMTP_PATH_IPV6;
        } else {
            /* Standardized-tag = Ldh-str (ends with a letter or digit) */
            if (tag == 0 || !is_alnum((unsigned char)p[tag]))
                return mw__fail(err, MW_E_SYNTAX, 1 + tag,
                                "bad address literal tag");
            for (i = 1; i <= tag; i++)
                if (!is_alnum((unsigned char)p[i]) && p[i] != '-')
                    return mw__fail(err, MW_E_SYNTAX, i,
                                    "bad address literal tag");
            if (tag + 1 == len)
                return mw__fail(err, MW_E_SYNTAX, 1 + len,
                                "empty general address literal");
            for (i = tag + 2; i <= len; i++)
                if (!mw__smtp_is((unsigned char)p[i], MW__SMTP_DCONT))
                    return mw__fail(err, MW_E_SYNTAX, i,
                                    "octet not allowed in an address literal");
            r = MW_OK;
            *pflags |= MW_SMTP_PATH_LITERAL | MW_SMTP_PATH_GENERAL;
        }
    }
    if (r != MW_OK)
        return r;
    *used = len + 2;
    return MW_OK;
}

int mw__smtp_domain(const char *p, size_t n, unsigned flags, size_t *used,
                    unsigned *pflags, mw_error *err)
{
    if (n > 0 && p[0] == '[') {
        if (!(flags & MW_SMTP_PARSE_LITERAL))
            return mw__fail(err, MW_E_SYNTAX, 0,
                            "address literal not allowed here");
        return address_literal(p, n, used, pflags, err);
    }
    return domain_name(p, n, (flags & MW_SMTP_PARSE_UTF8) != 0, used, pflags,
                       err);
}

int mw_smtp_domain_check(const char *p, size_t n, unsigned flags,
                         mw_error *err)
{
    size_t used = 0;
    unsigned pf = 0;
    int r;
    if (p == NULL && n > 0) /* err filled on every failure */
        return mw__fail(err, MW_E_INVAL, 0, "NULL domain");
    r = mw__smtp_domain(p, n, flags, &used, &pf, err);
    if (r != MW_OK)
        return r;
    if (used != n)
        return mw__fail(err, MW_E_SYNTAX, used,
                        "unexpected octet after the domain");
    return MW_OK;
}

/* ====================================================================
 * Paths (RFC 5321 §4.1.2)
 * ==================================================================== */

/* Local-part = Dot-string / Quoted-string, at p[0..n). */
static int local_part(const char *p, size_t n, int utf8, size_t *used,
                      unsigned *pflags, mw_error *err)
{
    size_t i = 0;

    if (n > 0 && p[0] == '"') {
        i = 1;
        for (;;) {
            unsigned char c;
            if (i >= n)
                return mw__fail(err, MW_E_SYNTAX, i,
                                "quoted local part without closing '\"'");
            c = (unsigned char)p[i];
            if (c == '"')
                break;
            if (c == '\\') {
                if (i + 1 >= n || (unsigned char)p[i + 1] < 32 ||
                    (unsigned char)p[i + 1] > 126)
                    return mw__fail(err, MW_E_SYNTAX, i + 1,
                                    "bad quoted-pair in the local part");
                i += 2;
            } else if (mw__smtp_is(c, MW__SMTP_QTEXT)) {
                i++;
            } else if (c >= 0x80) {
                int k = eight_bit(p + i, n - i, utf8, i, err);
                if (k < 0)
                    return k;
                *pflags |= MW_SMTP_PATH_UTF8;
                i += (size_t)k;
            } else {
                return mw__fail(err, MW_E_SYNTAX, i,
                                "octet not allowed in a quoted local part");
            }
        }
        *pflags |= MW_SMTP_PATH_QUOTED;
        *used = i + 1;
        return MW_OK;
    }
    /* Dot-string = Atom *("." Atom) */
    for (;;) {
        size_t start = i;
        while (i < n) {
            unsigned char c = (unsigned char)p[i];
            if (mw__smtp_is(c, MW__SMTP_ATEXT)) {
                i++;
                while (i < n && mw__smtp_is((unsigned char)p[i], MW__SMTP_ATEXT))
                    i++;
            } else if (c >= 0x80) {
                int k = eight_bit(p + i, n - i, utf8, i, err);
                if (k < 0)
                    return k;
                *pflags |= MW_SMTP_PATH_UTF8;
                i += (size_t)k;
            } else {
                break;
            }
        }
        if (i == start)
            return mw__fail(err, MW_E_SYNTAX, i,
                            i == 0 ? "empty local part"
                                   : "empty atom in the local part ('..' or a final '.')");
        if (i < n && p[i] == '.') {
            i++;
            continue;
        }
        break;
    }
    *used = i;
    return MW_OK;
}

/* Mailbox = Local-part "@" ( Domain / address-literal ) at p[0..n). */
static int mailbox(const char *p, size_t n, unsigned flags, size_t *used,
                   mw_smtp_path *out, mw_error *err)
{
    size_t l = 0, d = 0;
    unsigned pf = 0;
    int r;

    r = local_part(p, n, (flags & MW_SMTP_PARSE_UTF8) != 0, &l, &pf, err);
    if (r != MW_OK)
        return r;
    if (l >= n || p[l] != '@')
        return mw__fail(err, MW_E_SYNTAX, l, "expected '@' after the local part");
    r = mw__smtp_domain(p + l + 1, n - l - 1,
                        (flags & MW_SMTP_PARSE_UTF8) | MW_SMTP_PARSE_LITERAL,
                        &d, &pf, err);
    if (r != MW_OK) {
        if (err != NULL)
            err->offset += l + 1;
        return r;
    }
    out->mailbox = mw__span(p, l + 1 + d);
    out->local = mw__span(p, l);
    out->domain = mw__span(p + l + 1, d);
    out->flags |= pf;
    *used = l + 1 + d;
    return MW_OK;
}

int mw_smtp_path_parse(const char *p, size_t n, unsigned flags,
                       mw_smtp_path *out, size_t *used, mw_error *err)
{
    size_t i = 1, m = 0;
    int r;

    if (out == NULL || (p == NULL && n > 0))
        return MW_E_INVAL;
    memset(out, 0, sizeof(*out));
    if (n == 0 || p[0] != '<')
        return mw__fail(err, MW_E_SYNTAX, 0, "expected '<' to start the path");
    if (n > 1 && p[1] == '>') {
        if (!(flags & MW_SMTP_PARSE_NULL_PATH))
            return mw__fail(err, MW_E_SYNTAX, 1, "null path not allowed here");
        out->flags = MW_SMTP_PATH_NULL;
        out->mailbox = out->local = out->domain = mw__span(p + 1, 0);
        if (used != NULL)
            *used = 2;
        return MW_OK;
    }
    if (n > 1 && p[1] == '@') {
        /* A-d-l = At-domain *( "," At-domain ) ":"  -- checked, dropped */
        for (;;) {
            size_t d = 0;
            unsigned pf = 0;
            if (i >= n || p[i] != '@')
                return mw__fail(err, MW_E_SYNTAX, i,
                                "expected '@' in the source route");
            i++;
            r = domain_name(p + i, n - i, (flags & MW_SMTP_PARSE_UTF8) != 0,
                            &d, &pf, err);
            if (r != MW_OK) {
                if (err != NULL)
                    err->offset += i;
                return r;
            }
            i += d;
            if (i < n && p[i] == ',') {
                i++;
                continue;
            }
            if (i < n && p[i] == ':') {
                i++;
                break;
            }
            return mw__fail(err, MW_E_SYNTAX, i,
                            "expected ',' or ':' in the source route");
        }
        out->flags |= MW_SMTP_PATH_ROUTE;
    }
    /* <Postmaster> (RCPT only) */
    if ((flags & MW_SMTP_PARSE_POSTMASTER) && !(out->flags & MW_SMTP_PATH_ROUTE) &&
        n - i > 10 && p[i + 10] == '>' && mw__smtp_word_is(p + i, 10, "POSTMASTER")) {
        out->flags |= MW_SMTP_PATH_POSTMASTER;
        out->mailbox = out->local = mw__span(p + i, 10);
        out->domain = mw__span(p + i + 10, 0);
        if (used != NULL)
            *used = i + 11;
        return MW_OK;
    }
    r = mailbox(p + i, n - i, flags, &m, out, err);
    if (r != MW_OK) {
        if (err != NULL)
            err->offset += i;
        return r;
    }
    i += m;
    if (i >= n || p[i] != '>')
        return mw__fail(err, MW_E_SYNTAX, i, "expected '>' to end the path");
    if (used != NULL)
        *used = i + 1;
    return MW_OK;
}

int mw_smtp_mailbox_check(const char *p, size_t n, unsigned flags,
                          mw_smtp_path *out, mw_error *err)
{
    mw_smtp_path tmp;
    size_t m = 0;
    int r;

    if (p == NULL && n > 0) /* err filled on every failure */
        return mw__fail(err, MW_E_INVAL, 0, "NULL mailbox");
    if (out == NULL)
        out = &tmp;
    memset(out, 0, sizeof(*out));
    r = mailbox(p, n, flags & MW_SMTP_PARSE_UTF8, &m, out, err);
    if (r != MW_OK)
        return r;
    if (m != n)
        return mw__fail(err, MW_E_SYNTAX, m, "unexpected octet after the mailbox");
    return MW_OK;
}

int mw_smtp_unquote(mw_span local, char *out, size_t cap, size_t *outlen)
{
    size_t i, o = 0, n = local.len;
    const char *p = local.ptr;

    if ((p == NULL && n > 0) || (out == NULL && cap > 0))
        return MW_E_INVAL;
    if (n == 0 || p[0] != '"') {
        if (outlen != NULL)
            *outlen = n;
        if (n > cap)
            return MW_E_NOSPACE;
        if (n > 0)
            memcpy(out, p, n);
        return MW_OK;
    }
    if (n < 2 || p[n - 1] != '"')
        return MW_E_SYNTAX;
    /* count first, so that nothing is written on MW_E_NOSPACE */
    for (i = 1; i < n - 1; i++, o++) {
        if (p[i] == '"')
            return MW_E_SYNTAX;
        if (p[i] == '\\') {
            if (++i >= n - 1)
                return MW_E_SYNTAX;
        }
    }
    if (outlen != NULL)
        *outlen = o;
    if (o > cap)
        return MW_E_NOSPACE;
    for (i = 1, o = 0; i < n - 1; i++) {
        if (p[i] == '\\')
            i++;
        out[o++] = p[i];
    }
    return MW_OK;
}

/* ====================================================================
 * ESMTP parameters (RFC 5321 §4.1.2)
 * ==================================================================== */

int mw__smtp_param_next(const char *p, size_t n, size_t *pos, int utf8,
                        mw_smtp_param *out, mw_error *err)
{
    size_t i = *pos, ks, vs;

    if (i >= n)
        return 0;
    if (p[i] != ' ')
        return mw__fail(err, MW_E_SYNTAX, i, "expected a space before the parameter");
    ks = ++i;
    if (i >= n || !is_alnum((unsigned char)p[i]))
        return mw__fail(err, MW_E_SYNTAX, i, "expected a parameter keyword");
    while (i < n && (is_alnum((unsigned char)p[i]) || p[i] == '-'))
        i++;
    out->name = mw__span(p + ks, i - ks);
    out->value = mw__span(NULL, 0);
    if (i < n && p[i] == '=') {
        vs = ++i;
        while (i < n) {
            unsigned char c = (unsigned char)p[i];
            if (mw__smtp_is(c, MW__SMTP_VALUE)) {
                i++;
            } else if (c >= 0x80) {
                int k = eight_bit(p + i, n - i, utf8, i, err);
                if (k < 0)
                    return k;
                i += (size_t)k;
            } else if (c == ' ') {
                break;
            } else {
                return mw__fail(err, MW_E_SYNTAX, i,
                                "octet not allowed in a parameter value");
            }
        }
        if (i == vs)
            return mw__fail(err, MW_E_SYNTAX, i, "empty parameter value");
        out->value = mw__span(p + vs, i - vs);
    }
    if (i < n && p[i] != ' ')
        return mw__fail(err, MW_E_SYNTAX, i,
                        "octet not allowed in a parameter keyword");
    *pos = i;
    return 1;
}

/* ====================================================================
 * xtext (RFC 3461 §4)
 * ==================================================================== */

static int upper_hex(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int mw__smtp_xtext_check(const char *p, size_t n, size_t *declen, int *ctl,
                         mw_error *err)
{
    size_t i = 0, d = 0;
    int c_seen = 0;

    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        if (c == '+') {
            int hi, lo, v;
            if (i + 2 >= n)
                return mw__fail(err, MW_E_SYNTAX, i,
                                "'+' without two hex digits in xtext");
            hi = upper_hex((unsigned char)p[i + 1]);
            lo = upper_hex((unsigned char)p[i + 2]);
            if (hi < 0 || lo < 0)
                return mw__fail(err, MW_E_SYNTAX, i,
                                "'+' without two upper-case hex digits in xtext");
            v = hi * 16 + lo;
            if (v < 0x20 || v == 0x7f)
                c_seen = 1;
            i += 3;
        } else if (mw__smtp_is(c, MW__SMTP_XCHAR)) {
            i++;
        } else {
            return mw__fail(err, MW_E_SYNTAX, i, "octet not allowed in xtext");
        }
        d++;
    }
    *declen = d;
    *ctl = c_seen;
    return MW_OK;
}

size_t mw__smtp_xtext_decode_checked(const char *p, size_t n, char *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        if (p[i] == '+') {
            out[o++] = (char)(upper_hex((unsigned char)p[i + 1]) * 16 +
                              upper_hex((unsigned char)p[i + 2]));
            i += 3;
        } else {
            out[o++] = p[i++];
        }
    }
    return o;
}

int mw_smtp_xtext_decode(const char *in, size_t n, char *out, size_t cap,
                         size_t *outlen, mw_error *err)
{
    size_t d = 0;
    int ctl = 0, r;

    if ((in == NULL && n > 0) || (out == NULL && cap > 0))
        return MW_E_INVAL;
    r = mw__smtp_xtext_check(in, n, &d, &ctl, err);
    if (r != MW_OK)
        return r;
    if (outlen != NULL)
        *outlen = d;
    if (d > cap)
        return MW_E_NOSPACE;
    if (d > 0) /* then cap > 0, so out is not NULL */
        mw__smtp_xtext_decode_checked(in, n, out);
    return MW_OK;
}

int mw_smtp_xtext_encode(const void *in, size_t n, char *out, size_t cap,
                         size_t *outlen)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s = (const unsigned char *)in;
    size_t i, need = 0;

    if ((in == NULL && n > 0) || (out == NULL && cap > 0))
        return MW_E_INVAL;
    for (i = 0; i < n; i++)
        need += mw__smtp_is(s[i], MW__SMTP_XCHAR) ? 1u : 3u;
    if (outlen != NULL)
        *outlen = need;
    if (need > cap)
        return MW_E_NOSPACE;
    for (i = 0; i < n; i++) {
        if (mw__smtp_is(s[i], MW__SMTP_XCHAR)) {
            *out++ = (char)s[i];
        } else {
            *out++ = '+';
            *out++ = hex[s[i] >> 4];
            *out++ = hex[s[i] & 15u];
        }
    }
    return MW_OK;
}

/* ====================================================================
 * Enhanced status codes (RFC 3463 §2)
 * ==================================================================== */

int mw_smtp_esc_parse(const char *p, size_t n, mw_smtp_esc *out, size_t *used,
                      mw_error *err)
{
    unsigned v[2] = {0, 0};
    size_t i = 2;
    int k;

    if (out == NULL || (p == NULL && n > 0))
        return MW_E_INVAL;
    if (n == 0 || (p[0] != '2' && p[0] != '4' && p[0] != '5'))
        return mw__fail(err, MW_E_SYNTAX, 0,
                        "enhanced status code class must be 2, 4 or 5");
    if (n < 2 || p[1] != '.')
        return mw__fail(err, MW_E_SYNTAX, 1, "expected '.' after the class");
    for (k = 0; k < 2; k++) {
        size_t s = i;
        while (i < n && i - s < 3 && mw__smtp_is((unsigned char)p[i], MW__SMTP_DIGIT))
            v[k] = v[k] * 10u + (unsigned)(p[i++] - '0');
        if (i == s)
            return mw__fail(err, MW_E_SYNTAX, i,
                            "expected 1 to 3 digits in the status code");
        if (k == 0) {
            if (i >= n || p[i] != '.')
                return mw__fail(err, MW_E_SYNTAX, i,
                                "expected '.' after the subject");
            i++;
        }
    }
    if (i < n && p[i] != ' ')
        return mw__fail(err, MW_E_SYNTAX, i,
                        "enhanced status code not followed by a space");
    out->cls = (unsigned char)(p[0] - '0');
    out->subject = (unsigned short)v[0];
    out->detail = (unsigned short)v[1];
    if (used != NULL)
        *used = i;
    return MW_OK;
}

static size_t put_num(char *o, unsigned v)
{
    size_t n = 0;
    if (v >= 100)
        o[n++] = (char)('0' + v / 100);
    if (v >= 10)
        o[n++] = (char)('0' + v / 10 % 10);
    o[n++] = (char)('0' + v % 10);
    return n;
}

int mw_smtp_esc_format(const mw_smtp_esc *esc, char *out, size_t cap,
                       size_t *outlen)
{
    char tmp[MW_SMTP_ESC_MAX];
    size_t n = 0;

    if (esc == NULL || out == NULL ||
        (esc->cls != 2 && esc->cls != 4 && esc->cls != 5) ||
        esc->subject > 999 || esc->detail > 999)
        return MW_E_INVAL;
    tmp[n++] = (char)('0' + esc->cls);
    tmp[n++] = '.';
    n += put_num(tmp + n, esc->subject);
    tmp[n++] = '.';
    n += put_num(tmp + n, esc->detail);
    if (n > cap)
        return MW_E_NOSPACE;
    memcpy(out, tmp, n);
    if (outlen != NULL)
        *outlen = n;
    return MW_OK;
}

size_t mw__smtp_esc_prefix(const char *text, size_t n, char cls)
{
    mw_smtp_esc e;
    size_t used = 0;
    if (n < 5 || text[0] != cls || text[1] != '.' ||
        mw_smtp_esc_parse(text, n, &e, &used, NULL) != MW_OK)
        return 0;
    return used < n ? used + 1 : used;
}

/* ====================================================================
 * Verbs and extension keywords
 * ==================================================================== */

static const char *const verb_names[] = {
    "", "HELO", "EHLO", "MAIL", "RCPT", "DATA", "RSET", "NOOP", "QUIT",
    "VRFY", "EXPN", "HELP", "AUTH", "STARTTLS", "BDAT", "LHLO", "ETRN"};

const char *mw_smtp_verb_name(mw_smtp_verb verb)
{
    if ((unsigned)verb >= sizeof(verb_names) / sizeof(verb_names[0]))
        return "";
    return verb_names[verb];
}

/* Four letters folded to lower case as one number: "mail" etc. Bytes that
 * are not letters never fold onto letters (0x20 set on a non-letter gives
 * a non-letter), so a match means the word is those letters. */
#define W4(a, b, c, d)                                                       \
    ((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) |          \
     ((uint32_t)(d) << 24))

mw_smtp_verb mw_smtp_verb_lookup(const char *p, size_t n)
{
    uint32_t w;
    if (n == 8)
        return mw__smtp_word_is(p, n, "STARTTLS") ? MW_SMTP_CMD_STARTTLS
                                                  : MW_SMTP_CMD_UNKNOWN;
    if (n != 4)
        return MW_SMTP_CMD_UNKNOWN;
    w = W4((unsigned char)p[0] | 0x20u, (unsigned char)p[1] | 0x20u,
           (unsigned char)p[2] | 0x20u, (unsigned char)p[3] | 0x20u);
    switch (w) {
    case W4('h', 'e', 'l', 'o'): return MW_SMTP_CMD_HELO;
    case W4('e', 'h', 'l', 'o'): return MW_SMTP_CMD_EHLO;
    case W4('m', 'a', 'i', 'l'): return MW_SMTP_CMD_MAIL;
    case W4('r', 'c', 'p', 't'): return MW_SMTP_CMD_RCPT;
    case W4('d', 'a', 't', 'a'): return MW_SMTP_CMD_DATA;
    case W4('r', 's', 'e', 't'): return MW_SMTP_CMD_RSET;
    case W4('n', 'o', 'o', 'p'): return MW_SMTP_CMD_NOOP;
    case W4('q', 'u', 'i', 't'): return MW_SMTP_CMD_QUIT;
    case W4('v', 'r', 'f', 'y'): return MW_SMTP_CMD_VRFY;
    case W4('e', 'x', 'p', 'n'): return MW_SMTP_CMD_EXPN;
    case W4('h', 'e', 'l', 'p'): return MW_SMTP_CMD_HELP;
    case W4('a', 'u', 't', 'h'): return MW_SMTP_CMD_AUTH;
    case W4('b', 'd', 'a', 't'): return MW_SMTP_CMD_BDAT;
    case W4('l', 'h', 'l', 'o'): return MW_SMTP_CMD_LHLO;
    case W4('e', 't', 'r', 'n'): return MW_SMTP_CMD_ETRN;
    default: return MW_SMTP_CMD_UNKNOWN;
    }
}

static const char *const ext_names[] = {
    "SIZE", "PIPELINING", "8BITMIME", "STARTTLS", "AUTH",
    "ENHANCEDSTATUSCODES", "DSN", "SMTPUTF8", "CHUNKING", "BINARYMIME",
    "VRFY", "EXPN", "HELP", "ETRN", "REQUIRETLS", "MT-PRIORITY",
    "DELIVERBY", "FUTURERELEASE", "RRVS", "MTRK", "BURL", "ATRN",
    "NO-SOLICITING", "CONPERM", "CONNEG", "LIMITS", "XCLIENT", "SUBMITTER"};

#define EXT_COUNT (sizeof(ext_names) / sizeof(ext_names[0]))

const char *mw_smtp_ext_name(unsigned long ext)
{
    size_t i;
    for (i = 0; i < EXT_COUNT; i++)
        if (ext == (1ul << i))
            return ext_names[i];
    return "";
}

unsigned long mw_smtp_ext_lookup(const char *p, size_t n)
{
    size_t i;
    if (p == NULL)
        return 0;
    for (i = 0; i < EXT_COUNT; i++)
        if (mw__smtp_word_is(p, n, ext_names[i]))
            return 1ul << i;
    return 0;
}

int mw_smtp_ehlo_keyword_check(const char *p, size_t n, mw_error *err)
{
    size_t i;
    if (p == NULL && n > 0)
        return MW_E_INVAL;
    if (n == 0 || !is_alnum((unsigned char)p[0]))
        return mw__fail(err, MW_E_SYNTAX, 0,
                        "EHLO keyword must start with a letter or digit");
    for (i = 1; i < n; i++)
        if (!is_alnum((unsigned char)p[i]) && p[i] != '-')
            return mw__fail(err, MW_E_SYNTAX, i,
                            "octet not allowed in an EHLO keyword");
    return MW_OK;
}

/* ---- ESMTP parameters with a meaning of their own ---- */

int mw__smtp_param_kind(mw_span n, int rcpt)
{
    /* In MW__SMTP_K_* order (entry k - 1): MAIL's first, then RCPT's. */
    static const char *const names[] = {
        "SIZE", "BODY", "SMTPUTF8", "RET", "ENVID", "AUTH", "REQUIRETLS",
        "MT-PRIORITY", "NOTIFY", "ORCPT"};
    int k = rcpt ? MW__SMTP_K_NOTIFY : MW__SMTP_K_SIZE;
    int last = rcpt ? MW__SMTP_K_ORCPT : MW__SMTP_K_MTPRIO;
    for (; k <= last; k++)
        if (mw__span_ieq(n, names[k - 1]))
            return k;
    return 0;
}
