/* SPDX-License-Identifier: MIT */
/* The RFC 5321 grammar both SMTP roles share (lib/smtp/grammar.c): the
 * character table rebuilt from the ABNF; paths (null, Postmaster, quoted
 * local parts, IPv4/IPv6/general address literals, source routes,
 * SMTPUTF8) with error codes and offsets; label and domain lengths at
 * cap-1/cap/cap+1; domains and mailboxes; ESMTP parameters; xtext (RFC 3461
 * §4) both ways, every byte; enhanced status codes (RFC 3463); verbs and
 * EHLO keywords. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/grammar.h"

#define S_(lit) lit, sizeof(lit) - 1

/* ---- the character table, rebuilt from the ABNF ---- */

static void test_char_table(void **state)
{
    (void)state;
    for (int c = 0; c < 256; c++) {
        int alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        int digit = c >= '0' && c <= '9';
        /* RFC 5322 §3.2.3 atext */
        int atext = alpha || digit || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
        /* RFC 5321 §4.1.2 qtextSMTP = %d32-33 / %d35-91 / %d93-126 */
        int qtext = c == 32 || c == 33 || (c >= 35 && c <= 91) || (c >= 93 && c <= 126);
        /* RFC 3461 §4 xchar: "!" .. "~" except "+" and "=" */
        int xchar = c >= 33 && c <= 126 && c != '+' && c != '=';
        /* RFC 5321 §4.1.2 esmtp-value: %d33-60 / %d62-126 */
        int value = (c >= 33 && c <= 60) || (c >= 62 && c <= 126);
        /* RFC 5321 §4.1.3 dcontent: %d33-90 / %d94-126 */
        int dcont = (c >= 33 && c <= 90) || (c >= 94 && c <= 126);
        int hex = digit || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
        unsigned want = (alpha ? MW__SMTP_ALPHA : 0) | (digit ? MW__SMTP_DIGIT : 0) |
                        (atext ? MW__SMTP_ATEXT : 0) | (qtext ? MW__SMTP_QTEXT : 0) |
                        (xchar ? MW__SMTP_XCHAR : 0) | (value ? MW__SMTP_VALUE : 0) |
                        (dcont ? MW__SMTP_DCONT : 0) | (hex ? MW__SMTP_HEX : 0);
        if (mw__smtp_cc[c] != want)
            fail_msg("class of byte %d: table %02x, ABNF %02x", c, mw__smtp_cc[c], want);
    }
}

/* ---- paths ---- */

typedef struct path_case {
    const char *in;
    unsigned flags;   /* parse options */
    int status;
    size_t used;      /* on MW_OK */
    const char *mailbox, *local, *domain;
    unsigned pflags;
    size_t err_off;   /* on error */
} path_case;

static void check_path(const path_case *c)
{
    mw_smtp_path p;
    mw_error e = {0, 0, NULL};
    size_t used = 999;
    int r = mw_smtp_path_parse(c->in, strlen(c->in), c->flags, &p, &used, &e);
    if (r != c->status)
        fail_msg("%s: status %s, want %s (%s @%zu)", c->in, mw_status_name(r),
                 mw_status_name(c->status), e.reason ? e.reason : "", e.offset);
    if (r != MW_OK) {
        assert_int_equal(e.code, r);
        if (e.offset != c->err_off)
            fail_msg("%s: error offset %zu, want %zu (%s)", c->in, e.offset,
                     c->err_off, e.reason);
        assert_non_null(e.reason);
        return;
    }
    assert_int_equal(used, c->used);
    assert_int_equal(p.flags, c->pflags);
    assert_int_equal(p.mailbox.len, strlen(c->mailbox));
    assert_memory_equal(p.mailbox.ptr, c->mailbox, p.mailbox.len);
    assert_int_equal(p.local.len, strlen(c->local));
    assert_memory_equal(p.local.ptr, c->local, p.local.len);
    assert_int_equal(p.domain.len, strlen(c->domain));
    assert_memory_equal(p.domain.ptr, c->domain, p.domain.len);
}

#define NUL_OK MW_SMTP_PARSE_NULL_PATH
#define PM_OK MW_SMTP_PARSE_POSTMASTER
#define U8 MW_SMTP_PARSE_UTF8
#define LIT (MW_SMTP_PATH_LITERAL)

static void test_paths_valid(void **state)
{
    static const path_case cases[] = {
        /* RFC 5321 §4.1.2 and the examples of Appendix D */
        {"<Smith@bar.com>", 0, MW_OK, 15, "Smith@bar.com", "Smith", "bar.com", 0, 0},
        {"<Jones@foo.com> SIZE=10", 0, MW_OK, 15, "Jones@foo.com", "Jones", "foo.com", 0, 0},
        {"<>", NUL_OK, MW_OK, 2, "", "", "", MW_SMTP_PATH_NULL, 0},
        {"<> BODY=8BITMIME", NUL_OK, MW_OK, 2, "", "", "", MW_SMTP_PATH_NULL, 0},
        {"<Postmaster>", PM_OK, MW_OK, 12, "Postmaster", "Postmaster", "", MW_SMTP_PATH_POSTMASTER, 0},
        {"<pOsTmAsTeR>", PM_OK, MW_OK, 12, "pOsTmAsTeR", "pOsTmAsTeR", "", MW_SMTP_PATH_POSTMASTER, 0},
        {"<Postmaster@foo.com>", PM_OK, MW_OK, 20, "Postmaster@foo.com", "Postmaster", "foo.com", 0, 0},
        /* dot-string with every atext special */
        {"<a.b!#$%&'*+-/=?^_`{|}~c@x.y>", 0, MW_OK, 29,
         "a.b!#$%&'*+-/=?^_`{|}~c@x.y", "a.b!#$%&'*+-/=?^_`{|}~c", "x.y", 0, 0},
        /* quoted local parts: space, quoted-pair */
        {"<\"john smith\"@example.com>", 0, MW_OK, 26, "\"john smith\"@example.com",
         "\"john smith\"", "example.com", MW_SMTP_PATH_QUOTED, 0},
        {"<\"a\\\"b\\\\c\"@x.org>", 0, MW_OK, 17, "\"a\\\"b\\\\c\"@x.org",
         "\"a\\\"b\\\\c\"", "x.org", MW_SMTP_PATH_QUOTED, 0},
        {"<\"\"@x.org>", 0, MW_OK, 10, "\"\"@x.org", "\"\"", "x.org", MW_SMTP_PATH_QUOTED, 0},
        {"<\"<@>,;:\"@x.org>", 0, MW_OK, 16, "\"<@>,;:\"@x.org", "\"<@>,;:\"", "x.org", MW_SMTP_PATH_QUOTED, 0},
        /* address literals (§4.1.3) */
        {"<u@[192.0.2.1]>", 0, MW_OK, 15, "u@[192.0.2.1]", "u", "[192.0.2.1]", LIT | MW_SMTP_PATH_IPV4, 0},
        {"<u@[0.0.0.0]>", 0, MW_OK, 13, "u@[0.0.0.0]", "u", "[0.0.0.0]", LIT | MW_SMTP_PATH_IPV4, 0},
        {"<u@[255.255.255.255]>", 0, MW_OK, 21, "u@[255.255.255.255]", "u", "[255.255.255.255]", LIT | MW_SMTP_PATH_IPV4, 0},
        {"<u@[IPv6:2001:db8::1]>", 0, MW_OK, 22, "u@[IPv6:2001:db8::1]", "u", "[IPv6:2001:db8::1]", LIT | MW_SMTP_PATH_IPV6, 0},
        {"<u@[ipv6:::]>", 0, MW_OK, 13, "u@[ipv6:::]", "u", "[ipv6:::]", LIT | MW_SMTP_PATH_IPV6, 0},
        {"<u@[IPv6:1:2:3:4:5:6:7:8]>", 0, MW_OK, 26, "u@[IPv6:1:2:3:4:5:6:7:8]", "u", "[IPv6:1:2:3:4:5:6:7:8]", LIT | MW_SMTP_PATH_IPV6, 0},
        {"<u@[IPv6:1:2:3::6:7:8]>", 0, MW_OK, 23, "u@[IPv6:1:2:3::6:7:8]", "u", "[IPv6:1:2:3::6:7:8]", LIT | MW_SMTP_PATH_IPV6, 0},
        {"<u@[IPv6:1::]>", 0, MW_OK, 14, "u@[IPv6:1::]", "u", "[IPv6:1::]", LIT | MW_SMTP_PATH_IPV6, 0},
        {"<u@[IPv6:1:2:3:4:5:6:1.2.3.4]>", 0, MW_OK, 30, "u@[IPv6:1:2:3:4:5:6:1.2.3.4]", "u", "[IPv6:1:2:3:4:5:6:1.2.3.4]", LIT | MW_SMTP_PATH_IPV6, 0},
        {"<u@[IPv6:::ffff:192.0.2.1]>", 0, MW_OK, 27, "u@[IPv6:::ffff:192.0.2.1]", "u", "[IPv6:::ffff:192.0.2.1]", LIT | MW_SMTP_PATH_IPV6, 0},
        {"<u@[IPv6:abcd:EF01::]>", 0, MW_OK, 22, "u@[IPv6:abcd:EF01::]", "u", "[IPv6:abcd:EF01::]", LIT | MW_SMTP_PATH_IPV6, 0},
        {"<u@[x-tag:any!thing~]>", 0, MW_OK, 22, "u@[x-tag:any!thing~]", "u", "[x-tag:any!thing~]", LIT | MW_SMTP_PATH_GENERAL, 0},
        /* source routes: checked, dropped (§4.1.2, Appendix C) */
        {"<@ONE,@TWO:JOE@THREE>", 0, MW_OK, 21, "JOE@THREE", "JOE", "THREE", MW_SMTP_PATH_ROUTE, 0},
        {"<@a.example:u@b.example>", 0, MW_OK, 24, "u@b.example", "u", "b.example", MW_SMTP_PATH_ROUTE, 0},
        /* domains: digits, hyphens inside */
        {"<u@1-2.3com>", 0, MW_OK, 12, "u@1-2.3com", "u", "1-2.3com", 0, 0},
        {"<u@x--y.example>", 0, MW_OK, 16, "u@x--y.example", "u", "x--y.example", 0, 0},
        /* SMTPUTF8 (RFC 6531 §3.3) */
        {"<\xce\xb4\xce\xbf\xce\xba@\xcf\x80\xce\xb1.gr>", U8, MW_OK, 16,
         "\xce\xb4\xce\xbf\xce\xba@\xcf\x80\xce\xb1.gr", "\xce\xb4\xce\xbf\xce\xba",
         "\xcf\x80\xce\xb1.gr", MW_SMTP_PATH_UTF8, 0},
        {"<\"\xe2\x82\xac\"@x.org>", U8, MW_OK, 13, "\"\xe2\x82\xac\"@x.org", "\"\xe2\x82\xac\"",
         "x.org", MW_SMTP_PATH_UTF8 | MW_SMTP_PATH_QUOTED, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_path(&cases[i]);
}

static void test_paths_invalid(void **state)
{
    static const path_case cases[] = {
        {"", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 0},
        {"Smith@bar.com", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 0},
        {"<>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 1},            /* null path needs the flag */
        {"<Postmaster>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 11},   /* needs the flag: no '@' */
        {"<Postmaster>", NUL_OK, MW_E_SYNTAX, 0, 0, 0, 0, 0, 11},
        {"<Postmastery>", PM_OK, MW_E_SYNTAX, 0, 0, 0, 0, 0, 12},
        {"<user>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 5},
        {"<user@>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 6},
        {"<@x>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 3},            /* route without ':' */
        {"<.u@x>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 1},
        {"<u.@x>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 3},
        {"<u..v@x>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 3},
        {"<u v@x>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 2},
        {"<u@-x.com>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 3},
        {"<u@x-.com>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 4},
        {"<u@x..com>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 5},
        {"<u@x.com.>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 9},
        {"<u@x_y.com>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 4},
        {"<u@x.com", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 8},
        {"<u@x.com >", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 8},
        {"<u@[256.1.1.1]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 4},
        {"<u@[1.2.3]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 9},
        {"<u@[1.2.3.4.5]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 11},
        {"<u@[1.2.3.1234]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 13},
        {"<u@[1.2.3.4>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 12},
        {"<u@[IPv6:1:2:3:4:5:6:7]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 9},
        {"<u@[IPv6:1:2:3:4:5:6:7:8:9]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 9},
        {"<u@[IPv6:1:2:3:4:5:6:7::]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 9}, /* :: needs 2 groups */
        {"<u@[IPv6:1::2::3]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 13},
        {"<u@[IPv6:12345::]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 9},
        {"<u@[IPv6:1:2:3:4:5:1.2.3.4]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 9},
        {"<u@[IPv6:1.2.3.4:1::]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 16},
        {"<u@[IPv6::1]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 9},
        {"<u@[IPv6:1:]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 10},
        {"<u@[IPv6:g::]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 9},
        {"<u@[x-tag:]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 10},
        {"<u@[:x]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 4},
        {"<u@[tag-:x]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 8},
        {"<u@[t\\g:x]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 5},
        {"<u@[tag:a[b]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 9},
        {"<u@[]>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 4},
        {"<\"abc@x.org>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 12},
        {"<\"a\tb\"@x.org>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 3},
        {"<\"a\\\x01\"@x.org>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 4},
        {"<\"a\"b@x.org>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 4},
        {"<u\r\n@x.org>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 2},
        {"<@a,b:u@x>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 4},
        {"<@a;u@x>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 3},
        {"<@[1.2.3.4]:u@x>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 2},
        /* 8-bit without SMTPUTF8, ill-formed UTF-8 with it */
        {"<\xc3\xa9@x.org>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 1},
        {"<e@x\xc3\xa9.org>", 0, MW_E_SYNTAX, 0, 0, 0, 0, 0, 4},
        {"<\xc3@x.org>", U8, MW_E_UTF8, 0, 0, 0, 0, 0, 1},
        {"<\xc0\xaf@x.org>", U8, MW_E_UTF8, 0, 0, 0, 0, 0, 1},
        {"<\xed\xa0\x80@x.org>", U8, MW_E_UTF8, 0, 0, 0, 0, 0, 1},
        {"<a@b.\xff>", U8, MW_E_UTF8, 0, 0, 0, 0, 0, 5},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_path(&cases[i]);
}

/* Labels of 63 and domains of 255 octets pass; one more fails. */
static void test_domain_lengths(void **state)
{
    char buf[600];
    mw_error e;
    (void)state;
    for (size_t n = 62; n <= 64; n++) {
        memset(buf, 'a', n);
        memcpy(buf + n, ".example", 8);
        int r = mw_smtp_domain_check(buf, n + 8, 0, &e);
        assert_int_equal(r, n <= 63 ? MW_OK : MW_E_TOO_LONG);
        if (r != MW_OK)
            assert_int_equal(e.offset, 0);
    }
    /* 254, 255, 256 octets: labels "aaa...a." of 50 */
    for (size_t total = 254; total <= 256; total++) {
        size_t i = 0;
        while (i < total) {
            size_t lab = total - i > 50 ? 49 : total - i;
            memset(buf + i, 'b', lab);
            i += lab;
            if (i < total)
                buf[i++] = '.';
        }
        assert_true(buf[total - 1] != '.');
        int r = mw_smtp_domain_check(buf, total, 0, &e);
        assert_int_equal(r, total <= 255 ? MW_OK : MW_E_TOO_LONG);
        /* the same domain inside a path */
        char path[600];
        path[0] = '<';
        path[1] = 'u';
        path[2] = '@';
        memcpy(path + 3, buf, total);
        path[3 + total] = '>';
        mw_smtp_path p;
        size_t used;
        r = mw_smtp_path_parse(path, total + 4, 0, &p, &used, &e);
        assert_int_equal(r, total <= 255 ? MW_OK : MW_E_TOO_LONG);
        if (r != MW_OK)
            assert_int_equal(e.offset, 3);
    }
}

static void test_domain_and_mailbox(void **state)
{
    mw_error e;
    mw_smtp_path p;
    (void)state;
    assert_int_equal(mw_smtp_domain_check(S_("bar.com"), 0, &e), MW_OK);
    assert_int_equal(mw_smtp_domain_check(S_("localhost"), 0, &e), MW_OK);
    assert_int_equal(mw_smtp_domain_check(S_("[192.0.2.1]"), 0, &e), MW_E_SYNTAX);
    assert_int_equal(mw_smtp_domain_check(S_("[192.0.2.1]"), MW_SMTP_PARSE_LITERAL, &e), MW_OK);
    assert_int_equal(mw_smtp_domain_check(S_("[IPv6:::1]"), MW_SMTP_PARSE_LITERAL, &e), MW_OK);
    assert_int_equal(mw_smtp_domain_check(S_("[192.0.2.1]x"), MW_SMTP_PARSE_LITERAL, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 11);
    assert_int_equal(mw_smtp_domain_check(S_("bar.com "), 0, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 7);
    assert_int_equal(mw_smtp_domain_check(S_(""), 0, &e), MW_E_SYNTAX);
    assert_int_equal(mw_smtp_domain_check(S_("my_pc"), 0, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 2);
    assert_int_equal(mw_smtp_domain_check(S_("\xe4\xbe\x8b.jp"), 0, &e), MW_E_SYNTAX);
    assert_int_equal(mw_smtp_domain_check(S_("\xe4\xbe\x8b.jp"), MW_SMTP_PARSE_UTF8, &e), MW_OK);
    assert_int_equal(mw_smtp_domain_check(NULL, 3, 0, &e), MW_E_INVAL);

    assert_int_equal(mw_smtp_mailbox_check(S_("user@example.com"), 0, &p, &e), MW_OK);
    assert_int_equal(p.local.len, 4);
    assert_int_equal(p.domain.len, 11);
    assert_int_equal(mw_smtp_mailbox_check(S_("\"a b\"@[1.2.3.4]"), 0, &p, &e), MW_OK);
    assert_int_equal(p.flags, MW_SMTP_PATH_QUOTED | MW_SMTP_PATH_LITERAL | MW_SMTP_PATH_IPV4);
    assert_int_equal(mw_smtp_mailbox_check(S_("<user@example.com>"), 0, NULL, &e), MW_E_SYNTAX);
    assert_int_equal(mw_smtp_mailbox_check(S_("user@example.com>"), 0, NULL, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 16);
    assert_int_equal(mw_smtp_mailbox_check(S_("user@exa\r\nmple.com"), 0, NULL, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 8);
    assert_int_equal(mw_smtp_mailbox_check(S_("us\0er@example.com"), 0, NULL, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 2);
    assert_int_equal(mw_smtp_mailbox_check(S_("Postmaster"), 0, NULL, &e), MW_E_SYNTAX);
}

static void test_unquote(void **state)
{
    char out[32];
    size_t n = 0;
    (void)state;
    assert_int_equal(mw_smtp_unquote(mw__span(S_("\"john smith\"")), out, sizeof out, &n), MW_OK);
    assert_int_equal(n, 10);
    assert_memory_equal(out, "john smith", 10);
    assert_int_equal(mw_smtp_unquote(mw__span(S_("\"a\\\"b\\\\\"")), out, sizeof out, &n), MW_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "a\"b\\", 4);
    assert_int_equal(mw_smtp_unquote(mw__span(S_("plain.local")), out, sizeof out, &n), MW_OK);
    assert_int_equal(n, 11);
    assert_int_equal(mw_smtp_unquote(mw__span(S_("\"\"")), out, sizeof out, &n), MW_OK);
    assert_int_equal(n, 0);
    /* too small: the length needed, nothing written */
    memset(out, 'Z', sizeof out);
    assert_int_equal(mw_smtp_unquote(mw__span(S_("\"abcdef\"")), out, 5, &n), MW_E_NOSPACE);
    assert_int_equal(n, 6);
    assert_int_equal(out[0], 'Z');
    assert_int_equal(mw_smtp_unquote(mw__span(S_("\"abc")), out, sizeof out, &n), MW_E_SYNTAX);
    assert_int_equal(mw_smtp_unquote(mw__span(S_("\"ab\\\"")), out, sizeof out, &n), MW_E_SYNTAX);
    assert_int_equal(mw_smtp_unquote(mw__span(S_("\"a\"b\"")), out, sizeof out, &n), MW_E_SYNTAX);
    assert_int_equal(mw_smtp_unquote(mw__span(NULL, 2), out, sizeof out, &n), MW_E_INVAL);
}

/* ---- ESMTP parameters ---- */

static void test_params(void **state)
{
    const char *s = " SIZE=1000 BODY=8BITMIME X-FOO ENVID=a+2Bb";
    size_t n = strlen(s), pos = 0;
    mw_smtp_param p;
    mw_error e;
    const char *want[][2] = {{"SIZE", "1000"}, {"BODY", "8BITMIME"}, {"X-FOO", ""},
                             {"ENVID", "a+2Bb"}};
    (void)state;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(mw__smtp_param_next(s, n, &pos, 0, &p, &e), 1);
        assert_int_equal(p.name.len, strlen(want[i][0]));
        assert_memory_equal(p.name.ptr, want[i][0], p.name.len);
        assert_int_equal(p.value.len, strlen(want[i][1]));
        if (p.value.len)
            assert_memory_equal(p.value.ptr, want[i][1], p.value.len);
    }
    assert_int_equal(mw__smtp_param_next(s, n, &pos, 0, &p, &e), 0);
    assert_int_equal(pos, n);

    static const struct {
        const char *in;
        int utf8;
        size_t off;
    } bad[] = {
        {"  SIZE=1", 0, 1},   /* two spaces */
        {"SIZE=1", 0, 0},     /* no space */
        {" =1", 0, 1},
        {" -X=1", 0, 1},
        {" SIZE=", 0, 6},
        {" SIZE==1", 0, 6},
        {" SIZE=1\x01", 0, 7},
        {" A_B=1", 0, 2},
        {" X=\xc3\xa9", 0, 3},
        {" X=\xc3", 1, 3},
        {" X=a\tb", 0, 4},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        pos = 0;
        int r = mw__smtp_param_next(bad[i].in, strlen(bad[i].in), &pos, bad[i].utf8, &p, &e);
        if (r >= 0)
            fail_msg("param %zu accepted", i);
        if (e.offset != bad[i].off)
            fail_msg("param %zu: offset %zu want %zu", i, e.offset, bad[i].off);
    }
    pos = 0;
    assert_int_equal(mw__smtp_param_next(S_(" X=\xc3\xa9"), &pos, 1, &p, &e), 1);
    assert_int_equal(p.value.len, 2);
}

/* ---- xtext ---- */

static void test_xtext(void **state)
{
    char out[1024], back[1024];
    size_t n = 0, m = 0;
    mw_error e;
    (void)state;
    /* RFC 3461 §4: "+" and "=" and everything outside "!".."~" */
    assert_int_equal(mw_smtp_xtext_encode(S_("a+b=c d"), out, sizeof out, &n), MW_OK);
    assert_int_equal(n, 13);
    assert_memory_equal(out, "a+2Bb+3Dc+20d", 13);
    assert_int_equal(mw_smtp_xtext_decode(out, n, back, sizeof back, &m, &e), MW_OK);
    assert_int_equal(m, 7);
    assert_memory_equal(back, "a+b=c d", 7);
    /* every byte round trips; only xchars stay literal */
    unsigned char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    assert_int_equal(mw_smtp_xtext_encode(all, 256, out, sizeof out, &n), MW_OK);
    assert_int_equal(n, 92 + 3 * (256 - 92));
    for (size_t i = 0; i < n; i++)
        assert_true(out[i] >= 33 && out[i] <= 126 && out[i] != '=');
    assert_int_equal(mw_smtp_xtext_decode(out, n, back, sizeof back, &m, &e), MW_OK);
    assert_int_equal(m, 256);
    assert_memory_equal(back, all, 256);
    /* in place */
    memcpy(back, "x+0D+0Ay", 8);
    assert_int_equal(mw_smtp_xtext_decode(back, 8, back, 8, &m, &e), MW_OK);
    assert_int_equal(m, 4);
    assert_memory_equal(back, "x\r\ny", 4);
    /* NOSPACE: the size needed */
    assert_int_equal(mw_smtp_xtext_encode(S_("a b"), out, 4, &n), MW_E_NOSPACE);
    assert_int_equal(n, 5);
    assert_int_equal(mw_smtp_xtext_decode(S_("abc+20"), out, 3, &n, &e), MW_E_NOSPACE);
    assert_int_equal(n, 4);
    assert_int_equal(mw_smtp_xtext_encode(NULL, 0, NULL, 0, &n), MW_OK);
    assert_int_equal(n, 0);
    /* errors with offsets */
    static const struct {
        const char *in;
        size_t off;
    } bad[] = {{"a+2b", 1}, {"a+2", 1}, {"+", 0}, {"a=b", 1}, {"a b", 1},
               {"ab+G0", 2}, {"\x7f", 0}, {"\xc3\xa9", 0}, {"+0", 0}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int r = mw_smtp_xtext_decode(bad[i].in, strlen(bad[i].in), out, sizeof out, &n, &e);
        assert_int_equal(r, MW_E_SYNTAX);
        assert_int_equal(e.offset, bad[i].off);
    }
    /* the check without decoding: control characters flagged */
    size_t dl;
    int ctl;
    assert_int_equal(mw__smtp_xtext_check(S_("ab+0Dcd"), &dl, &ctl, &e), MW_OK);
    assert_int_equal(dl, 5);
    assert_int_equal(ctl, 1);
    assert_int_equal(mw__smtp_xtext_check(S_("ab+2Bcd"), &dl, &ctl, &e), MW_OK);
    assert_int_equal(ctl, 0);
    assert_int_equal(mw__smtp_xtext_check(S_("+7F"), &dl, &ctl, &e), MW_OK);
    assert_int_equal(ctl, 1);
    assert_int_equal(mw__smtp_xtext_check(S_("+00"), &dl, &ctl, &e), MW_OK);
    assert_int_equal(ctl, 1);
}

/* ---- enhanced status codes ---- */

static void test_esc(void **state)
{
    mw_smtp_esc c;
    size_t used = 0;
    mw_error e;
    char out[16];
    (void)state;
    assert_int_equal(mw_smtp_esc_parse(S_("5.1.1 No such user"), &c, &used, &e), MW_OK);
    assert_int_equal(c.cls, 5);
    assert_int_equal(c.subject, 1);
    assert_int_equal(c.detail, 1);
    assert_int_equal(used, 5);
    assert_int_equal(mw_smtp_esc_parse(S_("2.0.0"), &c, &used, &e), MW_OK);
    assert_int_equal(used, 5);
    assert_int_equal(mw_smtp_esc_parse(S_("4.999.999 x"), &c, &used, &e), MW_OK);
    assert_int_equal(c.subject, 999);
    assert_int_equal(c.detail, 999);
    assert_int_equal(used, 9);
    assert_int_equal(mw_smtp_esc_parse(S_("5.007.010"), &c, &used, &e), MW_OK);
    assert_int_equal(c.subject, 7);
    assert_int_equal(c.detail, 10);
    static const struct {
        const char *in;
        size_t off;
    } bad[] = {{"3.1.1", 0}, {"5-1.1", 1}, {"5..1", 2}, {"5.1.", 4}, {"5.1000.1", 5},
               {"5.1.1000", 7}, {"5.1.1x", 5}, {"5.1", 3}, {"", 0}, {"5.a.1", 2},
               {"51.1.1", 1}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int r = mw_smtp_esc_parse(bad[i].in, strlen(bad[i].in), &c, &used, &e);
        if (r != MW_E_SYNTAX || e.offset != bad[i].off)
            fail_msg("esc %s: %s @%zu", bad[i].in, mw_status_name(r), e.offset);
    }
    /* format and parse back, every class, edge values */
    static const unsigned vals[] = {0, 1, 9, 10, 99, 100, 999};
    for (unsigned cls = 2; cls <= 5; cls++) {
        if (cls == 3)
            continue;
        for (size_t a = 0; a < 7; a++)
            for (size_t b = 0; b < 7; b++) {
                mw_smtp_esc in = {(unsigned char)cls, (unsigned short)vals[a],
                                  (unsigned short)vals[b]}, back;
                size_t n = 0;
                char expect[16];
                assert_int_equal(mw_smtp_esc_format(&in, out, sizeof out, &n), MW_OK);
                snprintf(expect, sizeof expect, "%u.%u.%u", cls, vals[a], vals[b]);
                assert_int_equal(n, strlen(expect));
                assert_memory_equal(out, expect, n);
                assert_int_equal(mw_smtp_esc_parse(out, n, &back, &used, &e), MW_OK);
                assert_int_equal(back.cls, in.cls);
                assert_int_equal(back.subject, in.subject);
                assert_int_equal(back.detail, in.detail);
            }
    }
    mw_smtp_esc big = {5, 999, 999}, badc = {3, 0, 0}, over = {5, 1000, 0};
    size_t n;
    assert_int_equal(mw_smtp_esc_format(&big, out, 8, &n), MW_E_NOSPACE);
    assert_int_equal(mw_smtp_esc_format(&big, out, 9, &n), MW_OK);
    assert_int_equal(mw_smtp_esc_format(&badc, out, 16, &n), MW_E_INVAL);
    assert_int_equal(mw_smtp_esc_format(&over, out, 16, &n), MW_E_INVAL);
    /* the reply helper: a code of the right class, then a space */
    assert_int_equal(mw__smtp_esc_prefix(S_("5.1.1 x"), '5'), 6);
    assert_int_equal(mw__smtp_esc_prefix(S_("5.1.1"), '5'), 5);
    assert_int_equal(mw__smtp_esc_prefix(S_("5.1.1 x"), '4'), 0);
    assert_int_equal(mw__smtp_esc_prefix(S_("OK"), '2'), 0);
}

/* ---- verbs and keywords ---- */

static void test_verbs(void **state)
{
    (void)state;
    for (int v = 1; v <= MW_SMTP_CMD_ETRN; v++) {
        const char *name = mw_smtp_verb_name((mw_smtp_verb)v);
        char lower[16];
        size_t n = strlen(name);
        assert_true(n == 4 || n == 8);
        assert_int_equal(mw_smtp_verb_lookup(name, n), v);
        for (size_t i = 0; i < n; i++)
            lower[i] = (char)(name[i] | 0x20);
        assert_int_equal(mw_smtp_verb_lookup(lower, n), v);
        /* one byte changed: not the verb */
        for (size_t i = 0; i < n; i++) {
            char w[16];
            memcpy(w, name, n);
            w[i] = (char)(w[i] ^ 0x01);
            assert_int_not_equal(mw_smtp_verb_lookup(w, n), v);
        }
    }
    assert_string_equal(mw_smtp_verb_name(MW_SMTP_CMD_UNKNOWN), "");
    assert_string_equal(mw_smtp_verb_name((mw_smtp_verb)99), "");
    assert_int_equal(mw_smtp_verb_lookup(S_("MAILX")), MW_SMTP_CMD_UNKNOWN);
    assert_int_equal(mw_smtp_verb_lookup(S_("MAI")), MW_SMTP_CMD_UNKNOWN);
    assert_int_equal(mw_smtp_verb_lookup(S_("STARTTLs")), MW_SMTP_CMD_STARTTLS);
    assert_int_equal(mw_smtp_verb_lookup(S_("m\x01il")), MW_SMTP_CMD_UNKNOWN);
    /* bytes that become letters only when 0x20 is added are not letters */
    assert_int_equal(mw_smtp_verb_lookup(S_("MAI\x0c")), MW_SMTP_CMD_UNKNOWN);
    assert_int_equal(mw_smtp_verb_lookup(S_("\xcd\xc1\xc9\xcc")), MW_SMTP_CMD_UNKNOWN);
    assert_int_equal(mw_smtp_verb_lookup(NULL, 0), MW_SMTP_CMD_UNKNOWN);
}

static void test_ext_names(void **state)
{
    (void)state;
    int count = 0;
    for (unsigned long bit = 1; bit != 0 && bit < 0x80000000ul; bit <<= 1) {
        const char *k = mw_smtp_ext_name(bit);
        if (*k == '\0')
            continue;
        count++;
        assert_int_equal(mw_smtp_ext_lookup(k, strlen(k)), bit);
        assert_int_equal(mw_smtp_ehlo_keyword_check(k, strlen(k), NULL), MW_OK);
    }
    assert_int_equal(count, 28);
    assert_string_equal(mw_smtp_ext_name(MW_SMTP_EXT_8BITMIME), "8BITMIME");
    assert_string_equal(mw_smtp_ext_name(MW_SMTP_EXT_MT_PRIORITY), "MT-PRIORITY");
    assert_string_equal(mw_smtp_ext_name(MW_SMTP_EXT_SIZE | MW_SMTP_EXT_DSN), "");
    assert_string_equal(mw_smtp_ext_name(0), "");
    assert_int_equal(mw_smtp_ext_lookup(S_("pipelining")), MW_SMTP_EXT_PIPELINING);
    assert_int_equal(mw_smtp_ext_lookup(S_("Enhancedstatuscodes")), MW_SMTP_EXT_ENHANCEDSTATUSCODES);
    assert_int_equal(mw_smtp_ext_lookup(S_("X-EXPS")), 0);
    assert_int_equal(mw_smtp_ext_lookup(S_("SIZE ")), 0);
    assert_int_equal(mw_smtp_ext_lookup(NULL, 0), 0);
    mw_error e;
    assert_int_equal(mw_smtp_ehlo_keyword_check(S_("X-EXPS"), &e), MW_OK);
    assert_int_equal(mw_smtp_ehlo_keyword_check(S_("-X"), &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 0);
    assert_int_equal(mw_smtp_ehlo_keyword_check(S_("AUTH=LOGIN"), &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 4);
    assert_int_equal(mw_smtp_ehlo_keyword_check(S_(""), &e), MW_E_SYNTAX);
}

/* ABI (issue 9): a binding that cannot read the struct places it in
 * mw_smtp_caps_sizeof() bytes of its own. Here those bytes come from
 * malloc, so that ASan reports a size too small when it is used. */
static void test_caps_sizeof(void **state)
{
    mw_smtp_caps *caps;
    (void)state;
    assert_int_equal(mw_smtp_caps_sizeof(), sizeof(mw_smtp_caps));
    caps = malloc(mw_smtp_caps_sizeof());
    assert_non_null(caps);
    mw_smtp_caps_init(caps);
    assert_int_equal(mw_smtp_caps_parse_line(caps, "SIZE 1000", 9, NULL), MW_OK);
    assert_int_equal(mw_smtp_caps_parse_line(caps, "X-LONG-KEYWORD a", 16, NULL),
                     MW_OK);
    assert_true(mw_smtp_caps_has(caps, "size", 4));
    assert_true(mw_smtp_caps_has(caps, "x-long-keyword", 14));
    assert_true(caps->size == 1000);
    free(caps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_char_table),
        cmocka_unit_test(test_paths_valid),
        cmocka_unit_test(test_paths_invalid),
        cmocka_unit_test(test_domain_lengths),
        cmocka_unit_test(test_domain_and_mailbox),
        cmocka_unit_test(test_unquote),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_xtext),
        cmocka_unit_test(test_esc),
        cmocka_unit_test(test_verbs),
        cmocka_unit_test(test_ext_names),
        cmocka_unit_test(test_caps_sizeof),
    };
    return cmocka_run_group_tests_name("smtp_grammar", tests, NULL, NULL);
}
