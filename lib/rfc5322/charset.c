/* SPDX-License-Identifier: MIT */
/*
 * Conversion of header text in a declared charset to UTF-8: the three
 * charsets every mail reader meets (UTF-8, US-ASCII, ISO-8859-1) built in,
 * everything else through the application's hook (the library carries no
 * charset tables; field-notes §2.5 "charset conversion: callback hook").
 * Used by the RFC 2047 decoder (decode.c) and the RFC 2231 parameter
 * decoder. Charset names are case-insensitive (RFC 2047 §2, RFC 2978 §2.3);
 * the aliases are those of the IANA character-set registry plus a few
 * spellings seen in real mail ("utf8", "latin-1", "iso8859-1"), with '-'
 * and '_' taken as equal.
 */
#include "hdr_internal.h"
#include "mailwire/codec.h"

static const char *const utf8_names[] = {"utf-8", "utf8", NULL};

static const char *const ascii_names[] = {
    "us-ascii", "ascii", "us", "ansi_x3.4-1968", "ansi_x3.4-1986",
    "iso-ir-6", "iso_646.irv:1991", "iso646-us", "ibm367", "cp367",
    "csascii", NULL};

static const char *const latin1_names[] = {
    "iso-8859-1", "iso-8859-1:1987", "iso8859-1",
    "iso-ir-100", "latin1", "latin-1", "l1", "ibm819", "cp819",
    "csisolatin1", NULL};

/* Names compare without regard to ASCII case, and with '-' and '_' taken
 * as the same: mail programs write the IANA names both ways
 * ("ANSI_X3.4-1968" is registered, Mutt writes "ansi-x3.4-1968";
 * "iso_8859-1" and "iso-8859-1" are both in use). */
static int name_eq(mw_span name, const char *kw)
{
    size_t i;
    for (i = 0; i < name.len; i++) {
        unsigned char a = mw__lower((unsigned char)name.ptr[i]);
        unsigned char b = (unsigned char)kw[i];
        if (b == '\0')
            return 0;
        if (a == '_')
            a = '-';
        if (b == '_')
            b = '-';
        if (a != b)
            return 0;
    }
    return kw[i] == '\0';
}

static int in_list(mw_span name, const char *const *list)
{
    for (; *list != NULL; list++)
        if (name_eq(name, *list))
            return 1;
    return 0;
}

mw_span mw__hdr_charset_name(mw_span charset)
{
    /* RFC 2231 §5: charset ["*" language]. No registered charset name
     * contains '*'. */
    const char *star = charset.len ? memchr(charset.ptr, '*', charset.len) : NULL;
    if (star != NULL)
        charset.len = (size_t)(star - charset.ptr);
    return charset;
}

int mw__hdr_charset_id(mw_span charset)
{
    mw_span name = mw__hdr_charset_name(charset);
    if (in_list(name, utf8_names))
        return MW__CS_UTF8;
    if (in_list(name, ascii_names))
        return MW__CS_ASCII;
    if (in_list(name, latin1_names))
        return MW__CS_LATIN1;
    return MW__CS_OTHER;
}

/* Number of bytes >= 0x80: the extra bytes ISO-8859-1 needs in UTF-8. */
static size_t count_high(const char *p, size_t n)
{
    size_t i, h = 0;
    for (i = 0; i < n; i++)
        h += (unsigned char)p[i] >> 7;
    return h;
}

static int has_high(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if ((unsigned char)p[i] >= 0x80)
            return 1;
    return 0;
}

/* US-ASCII text with 8-bit bytes is mislabelled; read it as UTF-8 when it
 * is well-formed UTF-8, else as ISO-8859-1 (see mw_hdr_to_utf8()). */
static int ascii_as(const char *p, size_t n)
{
    if (!has_high(p, n) || mw_utf8_check(p, n, NULL) == MW_OK)
        return MW__CS_UTF8;
    return MW__CS_LATIN1;
}

/* Run the hook and check what it did. */
static int call_hook(mw_hdr_charset_fn hook, void *user, mw_span name,
                     const char *in, size_t n, char *out, size_t cap,
                     size_t *outlen)
{
    size_t ol = 0;
    int rc;

    *outlen = 0;
    if (hook == NULL)
        return MW_E_CHARSET;
    rc = hook(user, name, in, n, out, cap, &ol);
    if (rc == MW_OK) {
        if (ol > cap)
            return MW_E_CALLBACK; /* it claims to have written past cap */
        if (mw_utf8_check(out, ol, NULL) != MW_OK)
            return MW_E_UTF8;
        *outlen = ol;
        return MW_OK;
    }
    if (rc == MW_E_NOSPACE)
        return MW_E_NOSPACE;
    if (rc < 0 && rc > -100)
        return rc; /* recoverable: the text is undecodable */
    return MW_E_CALLBACK;
}

int mw__hdr_to_utf8(mw_span charset, const char *in, size_t n, char *out,
                    size_t cap, size_t *outlen, mw_hdr_charset_fn hook,
                    void *hook_user)
{
    size_t dummy, i, o = 0;
    int cs;

    if (outlen == NULL)
        outlen = &dummy;
    *outlen = 0;
    if ((in == NULL && n > 0) || (out == NULL && cap > 0))
        return MW_E_INVAL;
    cs = mw__hdr_charset_id(charset);
    if (cs == MW__CS_OTHER)
        return call_hook(hook, hook_user, mw__hdr_charset_name(charset), in,
                         n, out, cap, outlen);
    if (cs == MW__CS_ASCII)
        cs = ascii_as(in, n);
    if (cs == MW__CS_UTF8) {
        if (mw_utf8_check(in, n, NULL) != MW_OK)
            return MW_E_UTF8;
        if (n > cap) {
            if (cap > 0)
                memcpy(out, in, cap);
            *outlen = cap;
            return MW_E_NOSPACE;
        }
        if (n > 0)
            memcpy(out, in, n);
        *outlen = n;
        return MW_OK;
    }
    /* ISO-8859-1: the byte value is the code point (U+0000..U+00FF). */
    for (i = 0; i < n; i++) {
        unsigned char b = (unsigned char)in[i];
        if (b < 0x80) {
            if (o == cap)
                break;
            out[o++] = (char)b;
        } else {
            if (cap - o < 2)
                break;
            out[o++] = (char)(0xC0 | (b >> 6));
            out[o++] = (char)(0x80 | (b & 0x3F));
        }
    }
    *outlen = o;
    return i < n ? MW_E_NOSPACE : MW_OK;
}

int mw__hdr_to_utf8_inplace(mw_span charset, char *buf, size_t n, size_t cap,
                            size_t *outlen, mw_hdr_charset_fn hook,
                            void *hook_user)
{
    int cs = mw__hdr_charset_id(charset);
    size_t need, i, o;

    *outlen = 0;
    if (cs == MW__CS_OTHER) {
        /* The hook never sees overlapping buffers: the input moves to the
         * end of buf and the output goes to its start. */
        if (hook == NULL)
            return MW_E_CHARSET;
        if (n > 0)
            memmove(buf + (cap - n), buf, n);
        return call_hook(hook, hook_user, mw__hdr_charset_name(charset),
                         buf + (cap - n), n, buf, cap - n, outlen);
    }
    if (cs == MW__CS_ASCII)
        cs = ascii_as(buf, n);
    if (cs == MW__CS_UTF8) {
        if (mw_utf8_check(buf, n, NULL) != MW_OK)
            return MW_E_UTF8;
        *outlen = n;
        return MW_OK;
    }
    /* ISO-8859-1 grows by one byte per 8-bit byte; expand from the end so
     * that no byte is overwritten before it is read (o >= i throughout). */
    need = n + count_high(buf, n);
    if (need > cap)
        return MW_E_NOSPACE;
    i = n;
    o = need;
    while (i > 0) {
        unsigned char b = (unsigned char)buf[--i];
        if (b < 0x80) {
            buf[--o] = (char)b;
        } else {
            buf[--o] = (char)(0x80 | (b & 0x3F));
            buf[--o] = (char)(0xC0 | (b >> 6));
        }
    }
    *outlen = need;
    return MW_OK;
}

int mw_hdr_to_utf8(mw_span charset, const char *in, size_t n, char *out,
                   size_t cap, size_t *outlen, mw_hdr_charset_fn hook,
                   void *user)
{
    return mw__hdr_to_utf8(charset, in, n, out, cap, outlen, hook, user);
}
