/* SPDX-License-Identifier: MIT */
/*
 * Header writer (hdr_writer.h): exact output for the RFC 5322 appendix A
 * examples, folding and line lengths, RFC 2047 encoded words (checked by a
 * decoder written here, independently of the library's), all-or-nothing
 * behaviour at exact buffer sizes, and injection attempts in every
 * parameter of every function.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/codec.h"
#include "mailwire/hdr_address.h"
#include "mailwire/hdr_date.h"
#include "mailwire/hdr_decode.h"
#include "mailwire/hdr_fields.h"
#include "mailwire/hdr_split.h"
#include "mailwire/hdr_writer.h"

#define BIG 200000
static char buf[BIG];
static char tmp[BIG];
static char tmp2[BIG];

#define S(lit) (lit), (sizeof(lit) - 1)

/* ---- helpers: independent checks of the output ---- */

typedef struct shape {
    size_t lines;     /* physical lines */
    size_t maxlen;    /* longest line, without CRLF */
    size_t maxew;     /* longest line that holds an encoded word */
    size_t ews;       /* encoded words seen */
} shape;

/* One field: starts with name ':', every line ends in CRLF (no bare CR or
 * LF), continuation lines start with WSP and are not only WSP, no line
 * over 998. */
static shape check_field(const char *f, size_t n, const char *name)
{
    shape s;
    size_t i, start = 0, nl = strlen(name);
    memset(&s, 0, sizeof(s));
    assert_true(n >= nl + 3);
    assert_memory_equal(f, name, nl);
    assert_int_equal(f[nl], ':');
    assert_int_equal(f[n - 2], '\r');
    assert_int_equal(f[n - 1], '\n');
    for (i = 0; i < n; i++) {
        assert_true(f[i] != '\0');
        if (f[i] == '\n')
            assert_true(i > 0 && f[i - 1] == '\r');
        if (f[i] == '\r') {
            size_t len = i - start, k;
            int nonws = 0, ew = 0;
            assert_true(i + 1 < n && f[i + 1] == '\n');
            if (start > 0) {
                assert_true(f[start] == ' ' || f[start] == '\t');
            }
            for (k = start; k < i; k++) {
                if (f[k] != ' ' && f[k] != '\t')
                    nonws = 1;
                if (k + 1 < i && f[k] == '=' && f[k + 1] == '?')
                    ew = 1;
            }
            assert_true(nonws || start == 0);
            assert_true(len <= 998);
            if (len > s.maxlen)
                s.maxlen = len;
            if (ew && len > s.maxew)
                s.maxew = len;
            s.lines++;
            start = i + 2;
            i++;
        }
    }
    assert_int_equal(start, n);
    return s;
}

/* Unfold (RFC 5322 §2.2.3) the body after "Name:" into out; drops the
 * final CRLF. */
static size_t unfold_body(const char *f, size_t n, size_t name_len, char *out)
{
    size_t i, o = 0;
    for (i = name_len + 1; i + 2 <= n; i++) {
        if (f[i] == '\r' && f[i + 1] == '\n') {
            i++;
            continue;
        }
        out[o++] = f[i];
    }
    return o;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Is t[0, n) an encoded word this writer makes? Decode it into out,
 * checking RFC 2047 on the way: at most 75 characters, charset UTF-8,
 * Q text from the allowed set (the phrase set of §5(3) if `phrase`),
 * strict base64, and whole UTF-8 characters. Returns the decoded length,
 * or (size_t)-1 when t is not an encoded word at all. */
static size_t decode_ew(const char *t, size_t n, char *out, int phrase)
{
    size_t i, o = 0, outlen = 0;
    if (n < 12 || memcmp(t, "=?", 2) != 0 || memcmp(t + n - 2, "?=", 2) != 0)
        return (size_t)-1;
    assert_true(n <= 75);
    assert_memory_equal(t, "=?UTF-8?", 8);
    assert_true(t[8] == 'Q' || t[8] == 'B');
    assert_int_equal(t[9], '?');
    if (t[8] == 'B') {
        assert_int_equal(mw_base64_decode(t + 10, n - 12, out, 100, &outlen, 0,
                                          NULL),
                         MW_OK);
        o = outlen;
    } else {
        for (i = 10; i < n - 2; i++) {
            char c = t[i];
            if (c == '_') {
                out[o++] = ' ';
            } else if (c == '=') {
                int h = hexval(t[i + 1]), l = hexval(t[i + 2]);
                assert_true(i + 2 < n - 2 && h >= 0 && l >= 0);
                out[o++] = (char)(h * 16 + l);
                i += 2;
            } else {
                assert_true(c > 0x20 && c < 0x7f && c != '?');
                if (phrase)
                    assert_true((c >= '0' && c <= '9') ||
                                (c >= 'A' && c <= 'Z') ||
                                (c >= 'a' && c <= 'z') || c == '!' ||
                                c == '*' || c == '+' || c == '-' || c == '/');
                out[o++] = c;
            }
        }
    }
    assert_true(o > 0);
    /* each word holds whole characters (RFC 2047 §5) */
    assert_int_equal(mw_utf8_check(out, o, NULL), MW_OK);
    return o;
}

/* RFC 2047 §6.2 decoding of unfolded text: white-space-separated tokens,
 * encoded words decoded, white space between two encoded words dropped,
 * all other text and white space kept. */
static size_t decode_text(const char *v, size_t n, char *out, int phrase,
                          size_t *nwords)
{
    size_t i = 0, o = 0, ws = 0, wsn = 0;
    int prev_ew = 0, any = 0;
    *nwords = 0;
    while (i < n) {
        size_t s = i, d;
        if (v[i] == ' ' || v[i] == '\t') {
            ws = i;
            while (i < n && (v[i] == ' ' || v[i] == '\t'))
                i++;
            wsn = i - ws;
            continue;
        }
        while (i < n && v[i] != ' ' && v[i] != '\t')
            i++;
        d = decode_ew(v + s, i - s, out + o + wsn, phrase);
        if (d != (size_t)-1) {
            if (prev_ew && any) {
                memmove(out + o, out + o + wsn, d); /* drop the space */
            } else {
                memcpy(out + o, v + ws, wsn);
                o += wsn;
            }
            o += d;
            prev_ew = 1;
            (*nwords)++;
        } else {
            memcpy(out + o, v + ws, wsn);
            o += wsn;
            memcpy(out + o, v + s, i - s);
            o += i - s;
            prev_ew = 0;
        }
        any = 1;
        wsn = 0;
    }
    memcpy(out + o, v + ws, wsn);
    return o + wsn;
}

/* Write an unstructured field into a fresh writer, check its shape, and
 * check that it decodes back to exactly `value`. */
static shape subject_roundtrip(const char *value, size_t len, unsigned flags,
                               size_t *ews)
{
    mw_hdr_writer w;
    shape s;
    size_t n, d;
    mw_hdr_writer_init(&w, buf, sizeof(buf), flags);
    assert_int_equal(mw_hdr_write_unstructured(&w, S("Subject"), value, len),
                     MW_OK);
    s = check_field(buf, mw_hdr_writer_len(&w), "Subject");
    n = unfold_body(buf, mw_hdr_writer_len(&w), 7, tmp);
    if (len == 0) {
        assert_int_equal(n, 0);
        *ews = 0;
        return s;
    }
    assert_true(n >= 1 && tmp[0] == ' ');
    d = decode_text(tmp + 1, n - 1, tmp2, 0, ews);
    assert_int_equal(d, len);
    assert_memory_equal(tmp2, value, len);
    return s;
}

static void expect_field(mw_hdr_writer *w, size_t from, const char *want)
{
    size_t n = strlen(want);
    assert_int_equal(mw_hdr_writer_len(w) - from, n);
    assert_memory_equal(buf + from, want, n);
}

/* xorshift: deterministic pseudo-random data */
static uint32_t rng = 2463534242u;
static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* ---- basics ---- */

static void test_init_and_len(void **state)
{
    mw_hdr_writer w;
    size_t item = 9, off = 9;
    const char *reason = "x";
    (void)state;
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_writer_len(&w), 0);
    assert_int_equal(mw_hdr_writer_len(NULL), 0);
    assert_int_equal(mw_hdr_writer_error(&w, &item, &off, &reason), MW_OK);
    assert_int_equal(item, 0);
    assert_int_equal(off, 0);
    assert_null(reason);
    assert_int_equal(mw_hdr_writer_error(NULL, NULL, NULL, NULL), MW_E_INVAL);
    assert_int_equal(mw_hdr_write_unstructured(NULL, S("Subject"), S("x")),
                     MW_E_INVAL);
    assert_int_equal(mw_hdr_write_raw(NULL, S("X"), S("x")), MW_E_INVAL);
    assert_int_equal(mw_hdr_write_addresses(NULL, S("To"), NULL, 0), MW_E_INVAL);
    assert_int_equal(mw_hdr_write_msgids(NULL, S("To"), NULL, 0), MW_E_INVAL);
    assert_int_equal(mw_hdr_write_date(NULL, S("Date"), NULL), MW_E_INVAL);

    /* a zero-capacity writer refuses everything without touching memory */
    mw_hdr_writer_init(&w, NULL, 0, 0);
    assert_int_equal(mw_hdr_write_unstructured(&w, S("Subject"), S("x")),
                     MW_E_NOSPACE);
    assert_int_equal(mw_hdr_writer_len(&w), 0);
}

/* RFC 5322 appendix A.1.1, written field by field. */
static void test_rfc5322_a11(void **state)
{
    mw_hdr_writer w;
    mw_hdr_addr_out from, to;
    mw_hdr_datetime dt;
    mw_span id;
    (void)state;

    memset(&from, 0, sizeof(from));
    from.display = "John Doe";
    from.display_len = 8;
    from.local = "jdoe";
    from.local_len = 4;
    from.domain = "machine.example";
    from.domain_len = 15;
    memset(&to, 0, sizeof(to));
    to.display = "Mary Smith";
    to.display_len = 10;
    to.local = "mary";
    to.local_len = 4;
    to.domain = "example.net";
    to.domain_len = 11;
    memset(&dt, 0, sizeof(dt));
    dt.year = 1997;
    dt.month = 11;
    dt.day = 21;
    dt.hour = 9;
    dt.minute = 55;
    dt.second = 6;
    dt.zone = -360;
    dt.wday = -1;
    id.ptr = "1234@local.machine.example";
    id.len = strlen(id.ptr);

    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_addresses(&w, S("From"), &from, 1), MW_OK);
    assert_int_equal(mw_hdr_write_addresses(&w, S("To"), &to, 1), MW_OK);
    assert_int_equal(mw_hdr_write_unstructured(&w, S("Subject"),
                                               S("Saying Hello")),
                     MW_OK);
    assert_int_equal(mw_hdr_write_date(&w, S("Date"), &dt), MW_OK);
    assert_int_equal(mw_hdr_write_msgids(&w, S("Message-ID"), &id, 1), MW_OK);
    expect_field(&w, 0,
                 "From: John Doe <jdoe@machine.example>\r\n"
                 "To: Mary Smith <mary@example.net>\r\n"
                 "Subject: Saying Hello\r\n"
                 "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
                 "Message-ID: <1234@local.machine.example>\r\n");
}

/* RFC 5322 appendix A.1.2 and A.1.3: quoted display name, an atom with
 * '?', groups. */
static void test_rfc5322_a12_a13(void **state)
{
    mw_hdr_writer w;
    mw_hdr_addr_out a[4];
    (void)state;
    memset(a, 0, sizeof(a));

    a[0].display = "Joe Q. Public";
    a[0].display_len = 13;
    a[0].local = "john.q.public";
    a[0].local_len = 13;
    a[0].domain = "example.com";
    a[0].domain_len = 11;
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_addresses(&w, S("From"), a, 1), MW_OK);
    expect_field(&w, 0, "From: \"Joe Q. Public\" <john.q.public@example.com>\r\n");

    memset(a, 0, sizeof(a));
    a[0].display = "Mary Smith";
    a[0].display_len = 10;
    a[0].local = "mary";
    a[0].local_len = 4;
    a[0].domain = "x.test";
    a[0].domain_len = 6;
    a[1].local = "jdoe";
    a[1].local_len = 4;
    a[1].domain = "example.org";
    a[1].domain_len = 11;
    a[2].display = "Who?";
    a[2].display_len = 4;
    a[2].local = "one";
    a[2].local_len = 3;
    a[2].domain = "y.test";
    a[2].domain_len = 6;
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_addresses(&w, S("To"), a, 3), MW_OK);
    expect_field(&w, 0,
                 "To: Mary Smith <mary@x.test>, jdoe@example.org, "
                 "Who? <one@y.test>\r\n");

    /* A.1.3 */
    memset(a, 0, sizeof(a));
    a[0].group = a[1].group = a[2].group = "A Group";
    a[0].group_len = a[1].group_len = a[2].group_len = 7;
    a[0].display = "Ed Jones";
    a[0].display_len = 8;
    a[0].local = "c";
    a[0].local_len = 1;
    a[0].domain = "a.test";
    a[0].domain_len = 6;
    a[1].local = "joe";
    a[1].local_len = 3;
    a[1].domain = "where.test";
    a[1].domain_len = 10;
    a[2].display = "John";
    a[2].display_len = 4;
    a[2].local = "jdoe";
    a[2].local_len = 4;
    a[2].domain = "one.test";
    a[2].domain_len = 8;
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_addresses(&w, S("To"), a, 3), MW_OK);
    expect_field(&w, 0,
                 "To: A Group: Ed Jones <c@a.test>, joe@where.test, "
                 "John <jdoe@one.test>;\r\n");

    memset(a, 0, sizeof(a));
    a[0].group = "Undisclosed recipients";
    a[0].group_len = 22;
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_addresses(&w, S("Cc"), a, 1), MW_OK);
    expect_field(&w, 0, "Cc: Undisclosed recipients:;\r\n");
}

/* ---- unstructured ---- */

static void test_unstructured_simple(void **state)
{
    mw_hdr_writer w;
    size_t ews;
    (void)state;
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_unstructured(&w, S("Subject"), S("Hello world")),
                     MW_OK);
    expect_field(&w, 0, "Subject: Hello world\r\n");

    /* empty value: no trailing white space */
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_unstructured(&w, S("Subject"), NULL, 0), MW_OK);
    expect_field(&w, 0, "Subject:\r\n");
    subject_roundtrip("", 0, 0, &ews);

    /* white space kept exactly: runs, tabs, leading and trailing */
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_unstructured(&w, S("Subject"),
                                               S("a  b\tc  ")),
                     MW_OK);
    expect_field(&w, 0, "Subject: a  b\tc  \r\n");
    subject_roundtrip(S("  lead and trail  "), 0, &ews);
    assert_int_equal(ews, 0);
    subject_roundtrip(S("   "), 0, &ews);
    assert_int_equal(ews, 0);
}

/* Long ASCII text folds at white space within 78 bytes, and unfolds back
 * to exactly the input. */
static void test_unstructured_fold_ascii(void **state)
{
    static const char v[] =
        "This is a rather long subject line that will certainly need to be "
        "folded somewhere because it goes on and on well past seventy-eight "
        "columns, as subjects written by people tend to do";
    mw_hdr_writer w;
    shape s;
    size_t ews;
    (void)state;
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_unstructured(&w, S("Subject"), S(v)), MW_OK);
    s = check_field(buf, mw_hdr_writer_len(&w), "Subject");
    assert_true(s.lines >= 3);
    assert_true(s.maxlen <= 78);
    s = subject_roundtrip(S(v), 0, &ews);
    assert_int_equal(ews, 0);
    /* the first line is filled as far as it can be */
    assert_memory_equal(buf,
                        "Subject: This is a rather long subject line that will "
                        "certainly need to be\r\n folded",
                        83);
}

/* 5000 bytes of words of random lengths: every line within 78. */
static void test_unstructured_5000(void **state)
{
    static char v[5000];
    size_t i = 0, ews;
    shape s;
    (void)state;
    while (i < sizeof(v)) {
        size_t wl = 1 + next_rand() % 15, k;
        for (k = 0; k < wl && i < sizeof(v); k++)
            v[i++] = (char)('a' + next_rand() % 26);
        if (i < sizeof(v) - 1)
            v[i++] = ' ';
    }
    v[sizeof(v) - 1] = 'z';
    s = subject_roundtrip(v, sizeof(v), 0, &ews);
    assert_int_equal(ews, 0);
    assert_true(s.maxlen <= 78);
    assert_true(s.lines >= 5000 / 78);
}

/* One word of 997 bytes fits a line after its space (998): written as is
 * on its own line. 998 does not: encoded words. */
static void test_unstructured_long_word(void **state)
{
    static char v[1200];
    mw_hdr_writer w;
    size_t ews;
    shape s;
    (void)state;
    memset(v, 'x', sizeof(v));

    /* 80: longer than 78, on its own line, not encoded */
    s = subject_roundtrip(v, 80, 0, &ews);
    assert_int_equal(ews, 0);
    assert_int_equal(s.lines, 2);
    assert_int_equal(s.maxlen, 81);

    s = subject_roundtrip(v, 997, 0, &ews);
    assert_int_equal(ews, 0);
    assert_int_equal(s.maxlen, 998);

    s = subject_roundtrip(v, 998, 0, &ews);
    assert_true(ews >= 16);
    assert_true(s.maxlen <= 76);

    s = subject_roundtrip(v, 1000, 0, &ews);
    assert_true(ews >= 16);
    assert_true(s.maxlen <= 76);
    assert_int_equal(s.maxew, s.maxlen);

    /* a long word between short ones: only it is encoded, and the words
     * around it stay plain */
    memcpy(v, "before ", 7);
    memcpy(v + 7 + 1000, " after", 6);
    s = subject_roundtrip(v, 1013, 0, &ews);
    assert_true(s.maxlen <= 78);
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_unstructured(&w, S("Subject"), v, 1013), MW_OK);
    assert_memory_equal(buf, "Subject: before =?UTF-8?Q?xxx", 29);
    assert_memory_equal(buf + mw_hdr_writer_len(&w) - 10, "?= after\r\n", 10);

    /* 2000 spaces between two words cannot stay literal: encoded, exact */
    memset(v, ' ', 1100);
    v[0] = 'a';
    v[1099] = 'b';
    s = subject_roundtrip(v, 1100, 0, &ews);
    assert_true(ews > 0);
    assert_true(s.maxlen <= 78);
    /* the same run at the end, and as the whole value */
    v[1099] = ' ';
    s = subject_roundtrip(v, 1100, 0, &ews);
    assert_true(ews > 0);
    s = subject_roundtrip(v + 1, 1099, 0, &ews);
    assert_true(ews > 0);
}

static void test_unstructured_utf8(void **state)
{
    mw_hdr_writer w;
    size_t ews;
    (void)state;

    /* Q and B, whichever is shorter (independently computed) */
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_unstructured(&w, S("Subject"),
                                               S("Stra\xc3\x9f" "e")),
                     MW_OK);
    expect_field(&w, 0, "Subject: =?UTF-8?Q?Stra=C3=9Fe?=\r\n");

    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_unstructured(&w, S("Subject"),
                                               S("na\xc3\xafve caf\xc3\xa9")),
                     MW_OK);
    expect_field(&w, 0, "Subject: =?UTF-8?B?bmHDr3ZlIGNhZsOp?=\r\n");

    /* plain words stay plain; each encoded run keeps its outer spaces */
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_unstructured(&w, S("Subject"),
                                               S("Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln")),
                     MW_OK);
    expect_field(&w, 0,
                 "Subject: =?UTF-8?B?R3LDvMOfZQ==?= aus =?UTF-8?B?S8O2bG4=?=\r\n");
    subject_roundtrip(S("Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln"), 0, &ews);
    assert_int_equal(ews, 2);

    /* UTF-8 transport: raw */
    mw_hdr_writer_init(&w, buf, sizeof(buf), MW_HDR_WRITE_UTF8);
    assert_int_equal(mw_hdr_write_unstructured(&w, S("Subject"),
                                               S("Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln")),
                     MW_OK);
    expect_field(&w, 0, "Subject: Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln\r\n");
    subject_roundtrip(S("Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln"),
                      MW_HDR_WRITE_UTF8, &ews);
    assert_int_equal(ews, 0);
}

/* Text that a reader would take for an encoded word, and control
 * characters, are encoded (in both modes). */
static void test_unstructured_lookalike_and_controls(void **state)
{
    mw_hdr_writer w;
    size_t ews;
    unsigned m;
    (void)state;
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_unstructured(&w, S("Subject"),
                                               S("=?iso-8859-1?q?x?=")),
                     MW_OK);
    expect_field(&w, 0, "Subject: =?UTF-8?B?PT9pc28tODg1OS0xP3E/eD89?=\r\n");
    for (m = 0; m <= MW_HDR_WRITE_UTF8; m++) {
        subject_roundtrip(S("what is 2+2=? four"), m, &ews);
        assert_int_equal(ews, 1);
        subject_roundtrip(S("esc \x1b[31mred\x1b[0m and bell\x07 or del\x7f"), m,
                          &ews);
        assert_int_equal(ews, 3);
        /* consecutive words that need encoding make one run */
        subject_roundtrip(S("esc \x1b[31mred\x1b[0m bell\x07 del\x7f"), m, &ews);
        assert_int_equal(ews, 1);
        subject_roundtrip(S("a=?b?q?c?=d"), m, &ews);
        assert_int_equal(ews, 1);
    }
    /* '=' or '?' alone are fine */
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_unstructured(&w, S("Subject"), S("1+1=2? ?= =")),
                     MW_OK);
    expect_field(&w, 0, "Subject: 1+1=2? ?= =\r\n");
}

/* Long non-ASCII subjects: encoded words of at most 75, lines of at most
 * 76, never a UTF-8 character split (decode_ew checks each word alone),
 * for every alignment of 1- to 4-byte characters. */
static void test_unstructured_utf8_boundaries(void **state)
{
    static const char *chars[] = {"\xf0\x9f\x98\x80", "\xe6\x97\xa5", "\xc3\xa9",
                                  "a", " "};
    static char v[4000];
    size_t shift, ews;
    unsigned c;
    (void)state;
    for (c = 0; c < 4; c++) {
        for (shift = 0; shift < 8; shift++) {
            size_t n = 0, k, cl = strlen(chars[c]);
            shape s;
            for (k = 0; k < shift; k++)
                v[n++] = 'x';
            while (n + cl <= 1500) {
                memcpy(v + n, chars[c], cl);
                n += cl;
            }
            s = subject_roundtrip(v, n, 0, &ews);
            assert_true(ews > 1);
            assert_true(s.maxlen <= 76);
            assert_true(s.maxew <= 76);
        }
    }
    /* mixed text, random words, both modes */
    for (c = 0; c < 200; c++) {
        size_t n = 0, target = 1 + next_rand() % 600;
        unsigned m = c & 1 ? MW_HDR_WRITE_UTF8 : 0;
        shape s;
        while (n < target) {
            const char *ch = chars[next_rand() % 5];
            size_t cl = strlen(ch);
            memcpy(v + n, ch, cl);
            n += cl;
            /* keep words short enough to fold */
            if (next_rand() % 8 == 0)
                v[n++] = ' ';
        }
        s = subject_roundtrip(v, n, m, &ews);
        if (ews > 0)
            assert_true(s.maxew <= 76);
        if (m == 0)
            assert_true(s.maxlen <= 78);
    }
}

static void test_unstructured_bad_utf8(void **state)
{
    static const struct {
        const char *v;
        size_t n, off;
    } bad[] = {
        {"ab\xc3", 3, 2},                 /* truncated */
        {"ab\xc0\xafz", 5, 2},            /* overlong */
        {"x \xed\xa0\x80", 5, 2},         /* surrogate */
        {"\xf4\x90\x80\x80", 4, 0},       /* > U+10FFFF */
        {"ok \x80", 4, 3},                /* stray continuation */
        {"\xff", 1, 0},
    };
    mw_hdr_writer w;
    size_t i, item, off;
    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unsigned m;
        for (m = 0; m <= MW_HDR_WRITE_UTF8; m++) {
            memset(buf, 0xa5, 64);
            mw_hdr_writer_init(&w, buf, sizeof(buf), m);
            assert_int_equal(mw_hdr_write_unstructured(&w, S("Subject"), bad[i].v,
                                                       bad[i].n),
                             MW_E_UTF8);
            assert_int_equal(mw_hdr_writer_len(&w), 0);
            assert_int_equal(mw_hdr_writer_error(&w, &item, &off, NULL),
                             MW_E_UTF8);
            assert_int_equal(off, bad[i].off);
            assert_int_equal((unsigned char)buf[0], 0xa5);
        }
    }
}

/* A long field name leaves no room on the first line: the value starts on
 * a continuation line, encoded words included. */
static void test_long_name(void **state)
{
    static char name[1000];
    mw_hdr_writer w;
    shape s;
    (void)state;
    memset(name, 'N', sizeof(name));
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_unstructured(&w, name, 70, S("Gr\xc3\xbc\xc3\x9f" "e")),
                     MW_OK);
    assert_memory_equal(buf + 70, ":\r\n =?UTF-8?B?R3LDvMOfZQ==?=\r\n", 29);
    /* 997 is the longest name: "Name:" is 998 */
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_unstructured(&w, name, 997, S("x")), MW_OK);
    name[997] = '\0';
    s = check_field(buf, mw_hdr_writer_len(&w), name);
    name[997] = 'N';
    assert_int_equal(s.maxlen, 998);
    assert_int_equal(s.lines, 2);
    assert_int_equal(mw_hdr_write_unstructured(&w, name, 998, S("x")),
                     MW_E_TOO_LONG);
    assert_int_equal(mw_hdr_write_raw(&w, name, 998, S("x")), MW_E_TOO_LONG);
}

/* A white-space-only value never goes on a line of its own: that line would
 * be white space only (RFC 5322 §3.2.2). The fuzz_hdr_writer find
 * (corpus regress-ws-only-value-long-name): a 98-byte name and a tab. */
static void test_ws_only_value(void **state)
{
    static char name[1000], v[1000];
    mw_hdr_writer w;
    mw_error err;
    shape s;
    size_t n;
    (void)state;
    memset(name, 'N', sizeof(name));
    memset(v, ' ', sizeof(v));

    /* past the 78-byte soft limit: stays on the name's line */
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_unstructured(&w, name, 98, S("\t")), MW_OK);
    assert_int_equal(mw_hdr_writer_len(&w), 98 + 5);
    assert_memory_equal(buf + 98, ": \t\r\n", 5);
    name[98] = '\0';
    s = check_field(buf, mw_hdr_writer_len(&w), name);
    name[98] = 'N';
    assert_int_equal(s.lines, 1);
    assert_int_equal(mw_hdr_decode_unstructured(buf + 99, 2, NULL, tmp,
                                                sizeof(tmp), &n, &err),
                     MW_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(tmp, " \t", 2);

    /* unstructured: 998 bytes exactly on one line (cap), one more is
     * encoded after a fold and still decodes to the same white space */
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_unstructured(&w, name, 900, v, 96), MW_OK);
    name[900] = '\0';
    s = check_field(buf, mw_hdr_writer_len(&w), name);
    assert_int_equal(s.lines, 1);
    assert_int_equal(s.maxlen, 998);
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_unstructured(&w, name, 900, v, 97), MW_OK);
    s = check_field(buf, mw_hdr_writer_len(&w), name);
    assert_true(s.lines >= 2 && s.maxew > 0 && s.maxew <= 76);
    n = unfold_body(buf, mw_hdr_writer_len(&w), 900, tmp2);
    assert_int_equal(mw_hdr_decode_unstructured(tmp2, n, NULL, tmp,
                                                sizeof(tmp), &n, &err),
                     MW_OK);
    assert_int_equal(n, 98);
    assert_memory_equal(tmp, v, 98);

    /* raw: cannot encode, so one byte over the line is MW_E_TOO_LONG and
     * leaves the writer as it was */
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_raw(&w, name, 900, v, 96), MW_OK);
    s = check_field(buf, mw_hdr_writer_len(&w), name);
    name[900] = 'N';
    assert_int_equal(s.lines, 1);
    assert_int_equal(s.maxlen, 998);
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_raw(&w, name, 900, v, 97), MW_E_TOO_LONG);
    assert_int_equal(mw_hdr_writer_len(&w), 0);
}

static void test_field_names(void **state)
{
    static const char *bad[] = {"", "Sub ject", "Sub:ject", "Sub\tject",
                                "Sub\x7fject", "Sub\xc3\xa9ject", ":"};
    static const size_t off[] = {0, 3, 3, 3, 3, 3, 0};
    mw_hdr_writer w;
    size_t i, o;
    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mw_hdr_writer_init(&w, buf, sizeof(buf), MW_HDR_WRITE_UTF8);
        assert_int_equal(mw_hdr_write_unstructured(&w, bad[i], strlen(bad[i]),
                                                   S("x")),
                         MW_E_INVAL);
        assert_int_equal(mw_hdr_writer_error(&w, NULL, &o, NULL), MW_E_INVAL);
        assert_int_equal(o, off[i]);
        assert_int_equal(mw_hdr_writer_len(&w), 0);
    }
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_unstructured(&w, NULL, 3, S("x")), MW_E_INVAL);
    /* every ftext byte is accepted */
    for (i = 33; i <= 126; i++) {
        char n1 = (char)i;
        if (i == ':')
            continue;
        mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
        assert_int_equal(mw_hdr_write_raw(&w, &n1, 1, S("v")), MW_OK);
    }
}

/* ---- exact fit and all-or-nothing ---- */

typedef int (*write_fn)(mw_hdr_writer *w);

static int wr_subject(mw_hdr_writer *w)
{
    return mw_hdr_write_unstructured(w, S("Subject"),
                                     S("A subject with \xc3\xbcmlauts and a "
                                       "rather long tail of words to fold ok"));
}

static int wr_raw(mw_hdr_writer *w)
{
    return mw_hdr_write_raw(w, S("Content-Type"), S("text/plain; charset=utf-8"));
}

static mw_hdr_addr_out two[2] = {
    {"J\xc3\xb6rg M\xc3\xbcller", 13, "joerg", 5, "example.de", 10, NULL, 0},
    {NULL, 0, "a", 1, "b.example", 9, "G", 1},
};

static int wr_addrs(mw_hdr_writer *w)
{
    return mw_hdr_write_addresses(w, S("To"), two, 2);
}

static int wr_ids(mw_hdr_writer *w)
{
    static const mw_span ids[2] = {{"a@b", 3}, {"c.d@[1.2.3.4]", 13}};
    return mw_hdr_write_msgids(w, S("References"), ids, 2);
}

static int wr_date(mw_hdr_writer *w)
{
    mw_hdr_datetime dt;
    memset(&dt, 0, sizeof(dt));
    dt.year = 2026;
    dt.month = 2;
    dt.day = 28;
    dt.hour = 23;
    dt.minute = 59;
    dt.second = 60;
    dt.zone = 330;
    return mw_hdr_write_date(w, S("Date"), &dt);
}

static void test_exact_fit(void **state)
{
    static const write_fn fns[] = {wr_subject, wr_raw, wr_addrs, wr_ids, wr_date};
    static char ref[4096];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        mw_hdr_writer w;
        size_t need, pre;
        /* the reference, after a first field */
        mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
        assert_int_equal(mw_hdr_write_raw(&w, S("X-A"), S("1")), MW_OK);
        pre = mw_hdr_writer_len(&w);
        assert_int_equal(fns[i](&w), MW_OK);
        need = mw_hdr_writer_len(&w);
        memcpy(ref, buf, need);

        /* cap exactly: fits */
        memset(buf, 0xa5, need + 16);
        mw_hdr_writer_init(&w, buf, need, 0);
        assert_int_equal(mw_hdr_write_raw(&w, S("X-A"), S("1")), MW_OK);
        assert_int_equal(fns[i](&w), MW_OK);
        assert_int_equal(mw_hdr_writer_len(&w), need);
        assert_memory_equal(buf, ref, need);
        assert_int_equal((unsigned char)buf[need], 0xa5);

        /* one byte less: refused, length and every byte unchanged */
        memset(buf, 0xa5, need + 16);
        mw_hdr_writer_init(&w, buf, need - 1, 0);
        assert_int_equal(mw_hdr_write_raw(&w, S("X-A"), S("1")), MW_OK);
        memcpy(tmp, buf, need + 16);
        assert_int_equal(fns[i](&w), MW_E_NOSPACE);
        assert_int_equal(mw_hdr_writer_len(&w), pre);
        assert_memory_equal(buf, tmp, need + 16);
        assert_int_equal(mw_hdr_writer_error(&w, NULL, NULL, NULL), MW_E_NOSPACE);
        /* and the writer stays usable */
        assert_int_equal(mw_hdr_write_raw(&w, S("X"), S("")), MW_OK);
        assert_int_equal(mw_hdr_writer_error(&w, NULL, NULL, NULL), MW_OK);
    }
}

/* ---- injection: CR, LF, NUL, CRLF+"Bcc: x" in every parameter ---- */

static const struct {
    const char *p;
    size_t n;
} payloads[] = {
    {"\r", 1}, {"\n", 1}, {"\0", 1}, {"\r\nBcc: x", 8}, {"\r\n Bcc: x", 9},
};

/* Build `base` with payload k inserted at position pos into out. */
static size_t inject(char *out, const char *base, size_t pos, size_t k)
{
    size_t bl = strlen(base);
    memcpy(out, base, pos);
    memcpy(out + pos, payloads[k].p, payloads[k].n);
    memcpy(out + pos + payloads[k].n, base + pos, bl - pos);
    return bl + payloads[k].n;
}

/* Call fails with MW_E_INVAL at `off` of item `item`; buffer untouched. */
static void expect_refused(mw_hdr_writer *w, int rc, size_t pre, size_t item,
                           size_t off)
{
    size_t it, o;
    assert_int_equal(rc, MW_E_INVAL);
    assert_int_equal(mw_hdr_writer_len(w), pre);
    assert_memory_equal(buf, tmp2, pre + 256);
    assert_int_equal(mw_hdr_writer_error(w, &it, &o, NULL), MW_E_INVAL);
    assert_int_equal(it, item);
    assert_int_equal(o, off);
}

static size_t prime(mw_hdr_writer *w, unsigned flags)
{
    memset(buf, 0x5a, 4096);
    mw_hdr_writer_init(w, buf, sizeof(buf), flags);
    assert_int_equal(mw_hdr_write_raw(w, S("X-First"), S("kept")), MW_OK);
    memcpy(tmp2, buf, 4096);
    return mw_hdr_writer_len(w);
}

static void test_injection_text_functions(void **state)
{
    static const char *base = "Hello there";
    static char val[64], nm[64];
    size_t k, pos;
    (void)state;
    for (k = 0; k < sizeof(payloads) / sizeof(payloads[0]); k++) {
        for (pos = 0; pos <= 11; pos += 5) {
            unsigned m;
            for (m = 0; m <= MW_HDR_WRITE_UTF8; m++) {
                mw_hdr_writer w;
                size_t pre, vn = inject(val, base, pos, k), nn;
                pre = prime(&w, m);
                expect_refused(&w, mw_hdr_write_unstructured(&w, S("Subject"), val, vn),
                               pre, 0, pos);
                expect_refused(&w, mw_hdr_write_raw(&w, S("X-Raw"), val, vn), pre, 0,
                               pos);
                /* the same in the field name */
                nn = inject(nm, "X-Name", pos > 6 ? 6 : pos, k);
                expect_refused(&w, mw_hdr_write_unstructured(&w, nm, nn, S("v")), pre,
                               0, pos > 6 ? 6 : pos);
                expect_refused(&w, mw_hdr_write_raw(&w, nm, nn, S("v")), pre, 0,
                               pos > 6 ? 6 : pos);
                expect_refused(&w, mw_hdr_write_addresses(&w, nm, nn, two, 1), pre, 0,
                               pos > 6 ? 6 : pos);
                expect_refused(&w, mw_hdr_write_msgids(&w, nm, nn, NULL, 0), pre, 0,
                               pos > 6 ? 6 : pos);
                expect_refused(&w, mw_hdr_write_date(&w, nm, nn, NULL), pre, 0,
                               pos > 6 ? 6 : pos);
            }
        }
    }
}

static void test_injection_addresses(void **state)
{
    static char t[64];
    size_t k, part, pos;
    (void)state;
    for (k = 0; k < sizeof(payloads) / sizeof(payloads[0]); k++) {
        for (part = 0; part < 4; part++) {
            for (pos = 0; pos <= 4; pos += 2) {
                mw_hdr_writer w;
                mw_hdr_addr_out a[3];
                size_t pre, n;
                unsigned m;
                memset(a, 0, sizeof(a));
                a[0].local = "first";
                a[0].local_len = 5;
                a[0].domain = "ok.example";
                a[0].domain_len = 10;
                /* the poisoned entry is the second one */
                a[1].display = "Dis Play";
                a[1].display_len = 8;
                a[1].local = "loc.al";
                a[1].local_len = 6;
                a[1].domain = "dom.example";
                a[1].domain_len = 11;
                a[1].group = "Grp";
                a[1].group_len = 3;
                a[2] = a[0];
                switch (part) {
                case 0:
                    n = inject(t, "Dis Play", pos, k);
                    a[1].display = t;
                    a[1].display_len = n;
                    break;
                case 1:
                    n = inject(t, "loc.al", pos, k);
                    a[1].local = t;
                    a[1].local_len = n;
                    break;
                case 2:
                    n = inject(t, "dom.example", pos, k);
                    a[1].domain = t;
                    a[1].domain_len = n;
                    break;
                default:
                    n = inject(t, "Grp", pos > 3 ? 3 : pos, k);
                    a[1].group = t;
                    a[1].group_len = n;
                    break;
                }
                for (m = 0; m <= MW_HDR_WRITE_UTF8; m++) {
                    pre = prime(&w, m);
                    expect_refused(&w, mw_hdr_write_addresses(&w, S("To"), a, 3), pre,
                                   1, part == 3 && pos > 3 ? 3 : pos);
                }
            }
        }
    }
}

static void test_injection_msgids(void **state)
{
    static char t[64];
    size_t k, pos;
    (void)state;
    for (k = 0; k < sizeof(payloads) / sizeof(payloads[0]); k++) {
        for (pos = 0; pos <= 13; pos++) {
            mw_hdr_writer w;
            mw_span ids[3];
            size_t pre;
            ids[0].ptr = ids[2].ptr = "ok@example";
            ids[0].len = ids[2].len = 10;
            ids[1].ptr = t;
            ids[1].len = inject(t, "left@right.ex", pos, k);
            pre = prime(&w, 0);
            expect_refused(&w, mw_hdr_write_msgids(&w, S("References"), ids, 3), pre,
                           1, pos);
        }
    }
}

/* ---- addresses ---- */

static void addr1(mw_hdr_addr_out *a, const char *display, const char *local,
                  const char *domain)
{
    memset(a, 0, sizeof(*a));
    a->display = display;
    a->display_len = display ? strlen(display) : 0;
    a->local = local;
    a->local_len = local ? strlen(local) : 0;
    a->domain = domain;
    a->domain_len = domain ? strlen(domain) : 0;
}

static int write1(mw_hdr_writer *w, unsigned flags, const char *display,
                  const char *local, const char *domain)
{
    mw_hdr_addr_out a;
    addr1(&a, display, local, domain);
    mw_hdr_writer_init(w, buf, sizeof(buf), flags);
    return mw_hdr_write_addresses(w, S("From"), &a, 1);
}

static void test_addr_quoting(void **state)
{
    static const struct {
        const char *display, *local, *domain, *want;
    } ok[] = {
        {NULL, "john", "example.com", "From: john@example.com\r\n"},
        {"", "john", "example.com", "From: john@example.com\r\n"},
        {"Last, First", "a", "b.c", "From: \"Last, First\" <a@b.c>\r\n"},
        {"a\"b", "a", "b.c", "From: \"a\\\"b\" <a@b.c>\r\n"},
        {"back\\slash", "a", "b.c", "From: \"back\\\\slash\" <a@b.c>\r\n"},
        {"(paren)", "a", "b.c", "From: \"(paren)\" <a@b.c>\r\n"},
        {"Dr.  Who", "a", "b.c", "From: \"Dr.  Who\" <a@b.c>\r\n"},
        {" lead", "a", "b.c", "From: \" lead\" <a@b.c>\r\n"},
        {"tab\there", "a", "b.c", "From: \"tab\there\" <a@b.c>\r\n"},
        {"it's !#$%&'*+-/=^?_`{|}~ ok", "a", "b.c",
         "From: it's !#$%&'*+-/=^?_`{|}~ ok <a@b.c>\r\n"},
        {NULL, "john..doe", "example.com", "From: \"john..doe\"@example.com\r\n"},
        {NULL, "a b", "example.com", "From: \"a b\"@example.com\r\n"},
        {NULL, ".a", "x", "From: \".a\"@x\r\n"},
        {NULL, "a.", "x", "From: \"a.\"@x\r\n"},
        {NULL, "q\"uo\\te", "x", "From: \"q\\\"uo\\\\te\"@x\r\n"},
        {NULL, "(c)<>@,;:[]", "x", "From: \"(c)<>@,;:[]\"@x\r\n"},
        {NULL, "!#$%&'*+-/=?^_`{|}~.a", "x", "From: !#$%&'*+-/=?^_`{|}~.a@x\r\n"},
        {"N", "a", "[192.0.2.1]", "From: N <a@[192.0.2.1]>\r\n"},
        {NULL, "a", "[IPv6:2001:db8::1]", "From: a@[IPv6:2001:db8::1]\r\n"},
        {NULL, "a", "[]", "From: a@[]\r\n"},
        {"Tsch\xc3\xbcss, Welt", "a", "b.c",
         "From: =?UTF-8?Q?Tsch=C3=BCss=2C_Welt?= <a@b.c>\r\n"},
        {"Ferdinand M\xc3\xbcller-L\xc3\xbc" "denscheidt", "a", "b.c",
         "From: =?UTF-8?Q?Ferdinand_M=C3=BCller-L=C3=BCdenscheidt?= <a@b.c>\r\n"},
        {"J\xc3\xb6rg M\xc3\xbcller", "a", "b.c",
         "From: =?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <a@b.c>\r\n"},
        {"=?utf-8?q?evil?=", "a", "b.c",
         "From: =?UTF-8?B?PT91dGYtOD9xP2V2aWw/PQ==?= <a@b.c>\r\n"},
        {"bell\x07", "a", "b.c", "From: =?UTF-8?Q?bell=07?= <a@b.c>\r\n"},
    };
    static const struct {
        const char *display, *local, *domain, *want;
    } utf8[] = {
        {"J\xc3\xb6rg M\xc3\xbcller", "j\xc3\xb6rg", "b\xc3\xbc.example",
         "From: J\xc3\xb6rg M\xc3\xbcller <j\xc3\xb6rg@b\xc3\xbc.example>\r\n"},
        {"M\xc3\xbcller, J\xc3\xb6rg", "a b\xc3\xa9", "b.c",
         "From: \"M\xc3\xbcller, J\xc3\xb6rg\" <\"a b\xc3\xa9\"@b.c>\r\n"},
        {"=?utf-8?q?evil?=", "a", "b.c",
         "From: =?UTF-8?B?PT91dGYtOD9xP2V2aWw/PQ==?= <a@b.c>\r\n"},
    };
    mw_hdr_writer w;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_int_equal(write1(&w, 0, ok[i].display, ok[i].local, ok[i].domain),
                         MW_OK);
        expect_field(&w, 0, ok[i].want);
    }
    for (i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++) {
        assert_int_equal(write1(&w, MW_HDR_WRITE_UTF8, utf8[i].display,
                                utf8[i].local, utf8[i].domain),
                         MW_OK);
        expect_field(&w, 0, utf8[i].want);
    }
}

static void test_addr_invalid(void **state)
{
    static const struct {
        unsigned flags;
        const char *display, *local, *domain;
        int rc;
        size_t off;
    } bad[] = {
        {0, NULL, "a", "a..b", MW_E_INVAL, 2},
        {0, NULL, "a", "a b", MW_E_INVAL, 1},
        {0, NULL, "a", "a@b", MW_E_INVAL, 1},
        {0, NULL, "a", ".a", MW_E_INVAL, 0},
        {0, NULL, "a", "a.", MW_E_INVAL, 1},
        {0, NULL, "a", "[a]b", MW_E_INVAL, 2},
        {0, NULL, "a", "[a[b]", MW_E_INVAL, 2},
        {0, NULL, "a", "[a\\]]", MW_E_INVAL, 2},
        {0, NULL, "a", "[a b]", MW_E_INVAL, 2},
        {0, NULL, "a", "[", MW_E_INVAL, 0},
        {0, NULL, "a", "[abc", MW_E_INVAL, 3},
        {0, NULL, "a", "b\xc3\xbc.example", MW_E_INVAL, 1},
        {0, NULL, "a", "", MW_E_INVAL, 0},
        {0, NULL, "a", NULL, MW_E_INVAL, 0},
        {0, NULL, "j\xc3\xb6rg", "b.c", MW_E_INVAL, 1},
        {0, NULL, "a\tb", "b.c", MW_E_INVAL, 1},
        {MW_HDR_WRITE_UTF8, NULL, "a\x01", "b.c", MW_E_INVAL, 1},
        {0, NULL, "a\x7f", "b.c", MW_E_INVAL, 1},
        {0, "x", NULL, "b.c", MW_E_INVAL, 0},
        {0, "x", NULL, NULL, MW_E_INVAL, 0},
        {MW_HDR_WRITE_UTF8, NULL, "a", "b\xc3.c", MW_E_UTF8, 1},
        {0, "J\xc3", "a", "b.c", MW_E_UTF8, 1},
        {0, NULL, "a\xff", "b.c", MW_E_UTF8, 1},
    };
    mw_hdr_writer w;
    size_t i, off, item;
    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(buf, 0xa5, 64);
        assert_int_equal(write1(&w, bad[i].flags, bad[i].display, bad[i].local,
                                bad[i].domain),
                         bad[i].rc);
        assert_int_equal(mw_hdr_writer_len(&w), 0);
        assert_int_equal((unsigned char)buf[0], 0xa5);
        assert_int_equal(mw_hdr_writer_error(&w, &item, &off, NULL), bad[i].rc);
        assert_int_equal(off, bad[i].off);
        assert_int_equal(item, 0);
    }
    /* NULL pointers with lengths, and a NULL array */
    {
        mw_hdr_addr_out a;
        addr1(&a, NULL, "a", "b");
        a.display_len = 3;
        mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
        assert_int_equal(mw_hdr_write_addresses(&w, S("To"), &a, 1), MW_E_INVAL);
        assert_int_equal(mw_hdr_write_addresses(&w, S("To"), NULL, 2), MW_E_INVAL);
    }
}

/* An addr-spec must fit in a line with "<", ">", a space and ";,". */
static void test_addr_too_long(void **state)
{
    static char local[1000];
    mw_hdr_writer w;
    shape s;
    (void)state;
    memset(local, 'l', sizeof(local) - 1);
    local[991] = '\0'; /* 991 + "@x" = 993 */
    assert_int_equal(write1(&w, 0, "N", local, "x"), MW_OK);
    s = check_field(buf, mw_hdr_writer_len(&w), "From");
    assert_true(s.maxlen <= 998);
    local[991] = 'l';
    local[992] = '\0';
    assert_int_equal(write1(&w, 0, "N", local, "x"), MW_E_TOO_LONG);
    assert_int_equal(mw_hdr_writer_len(&w), 0);
    /* the worst case does fit: last member of a group followed by more */
    {
        mw_hdr_addr_out a[2];
        local[991] = '\0';
        addr1(&a[0], "N", local, "x");
        a[0].group = "G";
        a[0].group_len = 1;
        addr1(&a[1], NULL, "b", "c");
        mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
        assert_int_equal(mw_hdr_write_addresses(&w, S("To"), a, 2), MW_OK);
        s = check_field(buf, mw_hdr_writer_len(&w), "To");
        assert_int_equal(s.maxlen, 998);
    }
}

static void test_addr_groups(void **state)
{
    mw_hdr_addr_out a[6];
    mw_hdr_writer w;
    (void)state;

    /* empty group between mailboxes, then a two-member group */
    addr1(&a[0], NULL, "a", "x.test");
    addr1(&a[1], NULL, NULL, NULL);
    a[1].group = "Empty";
    a[1].group_len = 5;
    addr1(&a[2], "B", "b", "x.test");
    a[2].group = "Team, Core";
    a[2].group_len = 10;
    addr1(&a[3], NULL, "c", "x.test");
    a[3].group = "Team, Core";
    a[3].group_len = 10;
    addr1(&a[4], NULL, "d", "x.test");
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_addresses(&w, S("To"), a, 5), MW_OK);
    expect_field(&w, 0,
                 "To: a@x.test, Empty:;, \"Team, Core\": B <b@x.test>, "
                 "c@x.test;, d@x.test\r\n");

    /* same group name again after another entry: a second group;
     * entries without a local part inside a group add nothing */
    addr1(&a[0], NULL, "a", "x");
    a[0].group = "G";
    a[0].group_len = 1;
    addr1(&a[1], NULL, NULL, NULL);
    a[1].group = "G";
    a[1].group_len = 1;
    addr1(&a[2], NULL, "b", "x");
    addr1(&a[3], NULL, "c", "x");
    a[3].group = "G";
    a[3].group_len = 1;
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_addresses(&w, S("To"), a, 4), MW_OK);
    expect_field(&w, 0, "To: G: a@x;, b@x, G: c@x;\r\n");

    /* encoded group name: white space before the ':' (RFC 2047 §5(3)) */
    addr1(&a[0], NULL, NULL, NULL);
    a[0].group = "Gr\xc3\xbcppe";
    a[0].group_len = 7;
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_addresses(&w, S("To"), a, 1), MW_OK);
    expect_field(&w, 0, "To: =?UTF-8?Q?Gr=C3=BCppe?= :;\r\n");

    /* neither local part nor group */
    addr1(&a[0], NULL, "a", "x");
    addr1(&a[1], NULL, NULL, NULL);
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_addresses(&w, S("To"), a, 2), MW_E_INVAL);
    {
        size_t item;
        assert_int_equal(mw_hdr_writer_error(&w, &item, NULL, NULL), MW_E_INVAL);
        assert_int_equal(item, 1);
    }
    /* n == 0: an empty body (Bcc) */
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_addresses(&w, S("Bcc"), NULL, 0), MW_OK);
    expect_field(&w, 0, "Bcc:\r\n");
}

/* 100 addresses fold at the commas, within 78, and unfold to the list
 * joined with ", ". */
static void test_addr_hundred(void **state)
{
    static mw_hdr_addr_out a[100];
    static char names[100][32], locals[100][16];
    mw_hdr_writer w;
    shape s;
    size_t i, n, o = 0;
    (void)state;
    for (i = 0; i < 100; i++) {
        snprintf(names[i], sizeof(names[i]), "Person Number %u", (unsigned)i);
        snprintf(locals[i], sizeof(locals[i]), "p%u", (unsigned)i);
        addr1(&a[i], i % 3 == 0 ? NULL : names[i], locals[i], "example.com");
    }
    /* the expected unfolded text */
    o = 0;
    for (i = 0; i < 100; i++) {
        if (i)
            o += (size_t)snprintf(tmp2 + o, 8, ", ");
        if (i % 3 == 0)
            o += (size_t)snprintf(tmp2 + o, 64, "p%u@example.com", (unsigned)i);
        else
            o += (size_t)snprintf(tmp2 + o, 64, "Person Number %u <p%u@example.com>",
                                  (unsigned)i, (unsigned)i);
    }
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_addresses(&w, S("To"), a, 100), MW_OK);
    s = check_field(buf, mw_hdr_writer_len(&w), "To");
    assert_true(s.maxlen <= 78);
    assert_true(s.lines > 30);
    n = unfold_body(buf, mw_hdr_writer_len(&w), 2, tmp);
    assert_int_equal(n, o + 1);
    assert_int_equal(tmp[0], ' ');
    assert_memory_equal(tmp + 1, tmp2, o);
    /* every line but the last ends at a comma: folds are between
     * addresses, never inside one (these all fit a line) */
    for (i = 0; i + 2 < mw_hdr_writer_len(&w); i++)
        if (buf[i] == '\r' && i + 2 < mw_hdr_writer_len(&w))
            assert_int_equal(buf[i - 1], ',');
}

/* Long display names: ASCII folds inside the quoted string or between
 * atoms; an unbreakable one becomes encoded words; non-ASCII ones are
 * encoded with the phrase alphabet; all decode back. */
static void test_addr_long_display(void **state)
{
    static char d[1500];
    mw_hdr_writer w;
    mw_hdr_addr_out a;
    shape s;
    size_t i, n, dl, ews;
    unsigned variant;
    (void)state;
    for (variant = 0; variant < 4; variant++) {
        size_t len = variant == 1 ? 1200 : 400;
        for (i = 0; i < len; i++)
            d[i] = (char)('a' + i % 26);
        if (variant != 1)
            for (i = 7; i < len; i += 9)
                d[i] = ' ';
        if (variant == 2)
            d[100] = ',';              /* quoted */
        if (variant == 3) {
            memcpy(d + 50, "\xc3\xa9", 2); /* encoded */
            memcpy(d + 300, "\xf0\x9f\x98\x80", 4);
        }
        addr1(&a, NULL, "x", "y.z");
        a.display = d;
        a.display_len = len;
        mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
        assert_int_equal(mw_hdr_write_addresses(&w, S("From"), &a, 1), MW_OK);
        s = check_field(buf, mw_hdr_writer_len(&w), "From");
        assert_true(s.maxlen <= 78);
        assert_true(s.maxew <= 76);
        n = unfold_body(buf, mw_hdr_writer_len(&w), 4, tmp);
        assert_memory_equal(tmp + n - 8, " <x@y.z>", 8);
        n -= 8;
        if (variant == 2) {
            assert_memory_equal(tmp, " \"", 2);
            assert_int_equal(tmp[n - 1], '"');
            assert_int_equal(n - 3, len);
            assert_memory_equal(tmp + 2, d, len);
            continue;
        }
        dl = decode_text(tmp + 1, n - 1, tmp2, 1, &ews);
        assert_int_equal(dl, len);
        assert_memory_equal(tmp2, d, len);
        assert_int_equal(ews > 0, variant == 1 || variant == 3);
    }
}

/* ---- dates ---- */

static void test_date(void **state)
{
    mw_hdr_writer w;
    mw_hdr_datetime dt, back;
    static char name[80];
    (void)state;
    memset(&dt, 0, sizeof(dt));
    dt.year = 2003;
    dt.month = 7;
    dt.day = 1;
    dt.hour = 10;
    dt.minute = 52;
    dt.second = 37;
    dt.zone = 120;
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_date(&w, S("Date"), &dt), MW_OK);
    expect_field(&w, 0, "Date: Tue, 01 Jul 2003 10:52:37 +0200\r\n");
    /* round trip through the project's date parser */
    assert_int_equal(mw_hdr_parse_date(buf + 5, mw_hdr_writer_len(&w) - 7, &back,
                                       NULL),
                     MW_OK);
    assert_int_equal(back.year, 2003);
    assert_int_equal(back.month, 7);
    assert_int_equal(back.day, 1);
    assert_int_equal(back.hour, 10);
    assert_int_equal(back.minute, 52);
    assert_int_equal(back.second, 37);
    assert_int_equal(back.zone, 120);
    assert_int_equal(back.wday, 2);

    /* a long name: the date folds between its tokens within 78 */
    memset(name, 'R', 60);
    name[60] = '\0';
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_date(&w, name, 60, &dt), MW_OK);
    {
        shape s = check_field(buf, mw_hdr_writer_len(&w), name);
        size_t n = unfold_body(buf, mw_hdr_writer_len(&w), 60, tmp);
        assert_int_equal(s.lines, 2);
        assert_true(s.maxlen <= 78);
        assert_int_equal(n, 32);
        assert_memory_equal(tmp, " Tue, 01 Jul 2003 10:52:37 +0200", 32);
        assert_int_equal(mw_hdr_parse_date(tmp, n, &back, NULL), MW_OK);
        assert_int_equal(back.zone, 120);
    }

    /* a date the formatter refuses: nothing written */
    dt.month = 13;
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_date(&w, S("Date"), &dt), MW_E_INVAL);
    assert_int_equal(mw_hdr_writer_len(&w), 0);
    assert_int_equal(mw_hdr_write_date(&w, S("Date"), NULL), MW_E_INVAL);
}

/* ---- message identifiers ---- */

static void test_msgids(void **state)
{
    static mw_span ids[40];
    static char store[40][40];
    mw_hdr_writer w;
    shape s;
    size_t i, n;
    (void)state;

    /* RFC 5322 A.1.3 / A.2 */
    ids[0].ptr = "1234@local.machine.example";
    ids[0].len = 26;
    ids[1].ptr = "3456@example.net";
    ids[1].len = 16;
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_msgids(&w, S("References"), ids, 2), MW_OK);
    expect_field(&w, 0,
                 "References: <1234@local.machine.example> <3456@example.net>\r\n");

    /* no-fold-literal on the right */
    ids[0].ptr = "x.y@[192.0.2.7]";
    ids[0].len = 15;
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_msgids(&w, S("Message-ID"), ids, 1), MW_OK);
    expect_field(&w, 0, "Message-ID: <x.y@[192.0.2.7]>\r\n");

    /* many: folded between identifiers */
    for (i = 0; i < 40; i++) {
        ids[i].ptr = store[i];
        ids[i].len = (size_t)snprintf(store[i], sizeof(store[i]),
                                      "msg.%u.abcdef@host%u.example", (unsigned)i,
                                      (unsigned)i);
    }
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_msgids(&w, S("References"), ids, 40), MW_OK);
    s = check_field(buf, mw_hdr_writer_len(&w), "References");
    assert_true(s.maxlen <= 78);
    assert_true(s.lines >= 10);
    n = unfold_body(buf, mw_hdr_writer_len(&w), 10, tmp);
    {
        size_t o = 0;
        for (i = 0; i < 40; i++)
            o += (size_t)snprintf(tmp2 + o, 64, " <%.*s>", (int)ids[i].len,
                                  ids[i].ptr);
        assert_int_equal(n, o);
        assert_memory_equal(tmp, tmp2, o);
    }
}

static void test_msgids_invalid(void **state)
{
    static const struct {
        const char *id;
        unsigned flags;
        int rc;
        size_t off;
    } bad[] = {
        {"", 0, MW_E_INVAL, 0},
        {"nodomain", 0, MW_E_INVAL, 8},
        {"@right", 0, MW_E_INVAL, 0},
        {"left@", 0, MW_E_INVAL, 5},
        {"a..b@c", 0, MW_E_INVAL, 2},
        {"a b@c", 0, MW_E_INVAL, 1},
        {"a@b@c", 0, MW_E_INVAL, 3},
        {"<a@b>", 0, MW_E_INVAL, 0},
        {"a@b.", 0, MW_E_INVAL, 3},
        {"a@[b", 0, MW_E_INVAL, 3},
        {"a@[b]c", 0, MW_E_INVAL, 4},
        {"a@[b c]", 0, MW_E_INVAL, 4},
        {"\"q\"@b", 0, MW_E_INVAL, 0},
        {"a@b(c)", 0, MW_E_INVAL, 3},
        {"\xc3\xa9@b", 0, MW_E_INVAL, 0},
        {"\xc3@b", MW_HDR_WRITE_UTF8, MW_E_UTF8, 0},
    };
    mw_hdr_writer w;
    mw_span id;
    size_t i, off, item;
    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mw_span two_ids[2];
        id.ptr = bad[i].id;
        id.len = strlen(bad[i].id);
        two_ids[0].ptr = "ok@ok";
        two_ids[0].len = 5;
        two_ids[1] = id;
        mw_hdr_writer_init(&w, buf, sizeof(buf), bad[i].flags);
        assert_int_equal(mw_hdr_write_msgids(&w, S("References"), two_ids, 2),
                         bad[i].rc);
        assert_int_equal(mw_hdr_writer_len(&w), 0);
        assert_int_equal(mw_hdr_writer_error(&w, &item, &off, NULL), bad[i].rc);
        assert_int_equal(item, 1);
        assert_int_equal(off, bad[i].off);
    }
    /* UTF-8 identifiers with the flag */
    id.ptr = "\xc3\xa9@b";
    id.len = 4;
    mw_hdr_writer_init(&w, buf, sizeof(buf), MW_HDR_WRITE_UTF8);
    assert_int_equal(mw_hdr_write_msgids(&w, S("Message-ID"), &id, 1), MW_OK);
    expect_field(&w, 0, "Message-ID: <\xc3\xa9@b>\r\n");
    /* none */
    assert_int_equal(mw_hdr_write_msgids(&w, S("References"), &id, 0), MW_E_INVAL);
    assert_int_equal(mw_hdr_write_msgids(&w, S("References"), NULL, 1), MW_E_INVAL);
}

/* " <" id ">" fits a 998-byte line up to 995 bytes of identifier. */
static void test_msgid_length_limit(void **state)
{
    static char id[1000];
    mw_hdr_writer w;
    mw_span s;
    shape sh;
    (void)state;
    memset(id, 'i', sizeof(id));
    id[0] = 'a';
    id[1] = '@';
    s.ptr = id;
    s.len = 995;
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_msgids(&w, S("Message-ID"), &s, 1), MW_OK);
    sh = check_field(buf, mw_hdr_writer_len(&w), "Message-ID");
    assert_int_equal(sh.maxlen, 998);
    s.len = 996;
    assert_int_equal(mw_hdr_write_msgids(&w, S("Message-ID"), &s, 1), MW_E_TOO_LONG);
}

/* ---- raw ---- */

static void test_raw(void **state)
{
    static char v[3000];
    mw_hdr_writer w;
    shape s;
    size_t i, n, off;
    (void)state;
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_raw(&w, S("Content-Type"),
                                      S("text/plain; charset=\"utf-8\"; format=flowed")),
                     MW_OK);
    expect_field(&w, 0,
                 "Content-Type: text/plain; charset=\"utf-8\"; format=flowed\r\n");

    /* not folded at 78 ... */
    memset(v, 'v', 200);
    for (i = 10; i < 200; i += 10)
        v[i] = ' ';
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_raw(&w, S("X-Long"), v, 200), MW_OK);
    s = check_field(buf, mw_hdr_writer_len(&w), "X-Long");
    assert_int_equal(s.lines, 1);
    assert_int_equal(s.maxlen, 208);

    /* ... but within 998, at white space, unfolding to the value */
    memset(v, 'v', sizeof(v));
    for (i = 50; i < sizeof(v); i += 50)
        v[i] = ' ';
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_raw(&w, S("X-Long"), v, sizeof(v)), MW_OK);
    s = check_field(buf, mw_hdr_writer_len(&w), "X-Long");
    assert_true(s.lines >= 4);
    assert_true(s.maxlen > 900);
    n = unfold_body(buf, mw_hdr_writer_len(&w), 6, tmp);
    assert_int_equal(n, sizeof(v) + 1);
    assert_memory_equal(tmp + 1, v, sizeof(v));

    /* an unbreakable run: 997 fits after the space, 998 does not */
    memset(v, 'v', sizeof(v));
    assert_int_equal(mw_hdr_write_raw(&w, S("X"), v, 997), MW_OK);
    n = mw_hdr_writer_len(&w);
    assert_int_equal(mw_hdr_write_raw(&w, S("X"), v, 998), MW_E_TOO_LONG);
    assert_int_equal(mw_hdr_writer_len(&w), n);
    /* trailing white space that would have to go on its own line */
    memset(v + 500, ' ', 600);
    assert_int_equal(mw_hdr_write_raw(&w, S("X"), v, 1100), MW_E_TOO_LONG);

    /* controls, 8-bit */
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_raw(&w, S("X"), S("a\tb")), MW_OK);
    assert_int_equal(mw_hdr_write_raw(&w, S("X"), S("a\x1b" "b")), MW_E_INVAL);
    assert_int_equal(mw_hdr_writer_error(&w, NULL, &off, NULL), MW_E_INVAL);
    assert_int_equal(off, 1);
    assert_int_equal(mw_hdr_write_raw(&w, S("X"), S("ab\x7f")), MW_E_INVAL);
    assert_int_equal(mw_hdr_write_raw(&w, S("X"), S("caf\xc3\xa9")), MW_E_INVAL);
    assert_int_equal(mw_hdr_writer_error(&w, NULL, &off, NULL), MW_E_INVAL);
    assert_int_equal(off, 3);
    assert_int_equal(mw_hdr_write_raw(&w, S("X"), NULL, 1), MW_E_INVAL);
    mw_hdr_writer_init(&w, buf, sizeof(buf), MW_HDR_WRITE_UTF8);
    assert_int_equal(mw_hdr_write_raw(&w, S("X"), S("caf\xc3\xa9")), MW_OK);
    assert_int_equal(mw_hdr_write_raw(&w, S("X"), S("caf\xc3")), MW_E_UTF8);
    expect_field(&w, 0, "X: caf\xc3\xa9\r\n");
}


/* ---- round trips through the project's own parsers ---- */

/* The field body the parsers get: after the colon, before the final
 * CRLF, folding included. */
static const char *body_of(const mw_hdr_writer *w, size_t from,
                           size_t name_len, size_t *len)
{
    *len = mw_hdr_writer_len(w) - from - name_len - 3;
    return buf + from + name_len + 1;
}

/* mw_hdr_decode_unstructured() gives back " " + value (the space after
 * the colon is the writer's; the decoder keeps leading white space). */
static void decode_roundtrip(const char *v, size_t n, unsigned flags)
{
    mw_hdr_writer w;
    const char *b;
    size_t bl, outlen = 0;
    static char out[BIG];
    mw_error err;
    mw_hdr_writer_init(&w, buf, sizeof(buf), flags);
    assert_int_equal(mw_hdr_write_unstructured(&w, S("Subject"), v, n), MW_OK);
    {
        shape sh = check_field(buf, mw_hdr_writer_len(&w), "Subject");
        assert_true(sh.maxew <= 76);
    }
    b = body_of(&w, 0, 7, &bl);
    assert_int_equal(mw_hdr_decode_unstructured(b, bl, NULL, out, sizeof(out),
                                                &outlen, &err),
                     MW_OK);
    if (n == 0) {
        assert_int_equal(outlen, 0);
        return;
    }
    assert_int_equal(outlen, n + 1);
    assert_int_equal(out[0], ' ');
    assert_memory_equal(out + 1, v, n);
}

static void test_roundtrip_decode_unstructured(void **state)
{
    static const char *vals[] = {
        "Hello world",
        "",
        ("Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln"),
        "na\xc3\xafve caf\xc3\xa9 and more plain words after it",
        "=?iso-8859-1?q?x?= is not an encoded word here",
        "what is 2+2=? four",
        "esc \x1b[31mred\x1b[0m and bell\x07",
        "a  b\tc  ",
        "  lead",
        "\xf0\x9f\x98\x80\xf0\x9f\x98\x80 emoji \xf0\x9f\x98\x80 party",
        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6\xe5\x90\x8d",
    };
    static char v[6000];
    size_t i, n;
    unsigned m;
    (void)state;
    for (m = 0; m <= MW_HDR_WRITE_UTF8; m++) {
        for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
            decode_roundtrip(vals[i], strlen(vals[i]), m);
        /* long: a 1000-byte word, 5000 bytes of mixed words, emoji runs */
        memset(v, 'w', 1000);
        decode_roundtrip(v, 1000, m);
        for (n = 0; n < 5000;) {
            static const char *parts[] = {"word ", "\xc3\xa9t\xc3\xa9 ",
                                          "\xf0\x9f\x98\x80", "x", "  "};
            const char *pp = parts[next_rand() % 5];
            memcpy(v + n, pp, strlen(pp));
            n += strlen(pp);
        }
        decode_roundtrip(v, n, m);
        memset(v, ' ', 1100);
        v[0] = 'a';
        v[1099] = 'b';
        decode_roundtrip(v, 1100, m);
    }
}

typedef struct rt_addr {
    const char *display, *local, *domain, *group;
    const char *spec; /* expected canonical addr-spec, NULL: empty group */
} rt_addr;

/* Write the entries, parse them back with mw_hdr_parse_addresses(), and
 * compare every display name (mw_hdr_decode_phrase), addr-spec
 * (mw_hdr_addr_spec) and group name. */
static void addr_roundtrip(const rt_addr *t, size_t n, unsigned flags)
{
    static mw_hdr_addr_out a[64];
    static mw_hdr_address got[64];
    static char out[4096];
    mw_hdr_writer w;
    const char *b;
    size_t bl, count = 0, i, k = 0, outlen;
    mw_error err;
    for (i = 0; i < n; i++) {
        addr1(&a[i], t[i].display, t[i].local, t[i].domain);
        a[i].group = t[i].group;
        a[i].group_len = t[i].group ? strlen(t[i].group) : 0;
    }
    mw_hdr_writer_init(&w, buf, sizeof(buf), flags);
    assert_int_equal(mw_hdr_write_addresses(&w, S("To"), a, n), MW_OK);
    {
        /* every token here is short: 78 always holds, 76 with encoded words */
        shape sh = check_field(buf, mw_hdr_writer_len(&w), "To");
        assert_true(sh.maxlen <= 78);
        assert_true(sh.maxew <= 76);
    }
    b = body_of(&w, 0, 2, &bl);
    assert_int_equal(mw_hdr_parse_addresses(b, bl, MW_HDR_ADDR_STRICT, got, 64,
                                            &count, &err),
                     MW_OK);
    for (i = 0; i < n; i++) {
        const mw_hdr_address *g;
        if (t[i].local == NULL && (i + 1 < n && t[i + 1].group == t[i].group))
            continue; /* a marker inside a non-empty group: nothing */
        if (t[i].local == NULL && i > 0 && t[i - 1].group == t[i].group)
            continue;
        assert_true(k < count);
        g = &got[k++];
        assert_int_equal(g->flags & MW_HDR_ADDR_INVALID, 0);
        if (t[i].spec == NULL) {
            assert_true(g->flags & MW_HDR_ADDR_GROUP_EMPTY);
        } else {
            assert_int_equal(mw_hdr_addr_spec(g, out, sizeof(out), &outlen), MW_OK);
            assert_int_equal(outlen, strlen(t[i].spec));
            assert_memory_equal(out, t[i].spec, outlen);
            outlen = 0;
            assert_int_equal(mw_hdr_decode_phrase(g->display.ptr, g->display.len,
                                                  NULL, out, sizeof(out), &outlen,
                                                  NULL),
                             MW_OK);
            assert_int_equal(outlen, t[i].display ? strlen(t[i].display) : 0);
            if (outlen)
                assert_memory_equal(out, t[i].display, outlen);
        }
        if (t[i].group) {
            assert_true(g->flags & MW_HDR_ADDR_IN_GROUP ||
                        g->flags & MW_HDR_ADDR_GROUP_EMPTY);
            outlen = 0;
            assert_int_equal(mw_hdr_decode_phrase(g->group.ptr, g->group.len, NULL,
                                                  out, sizeof(out), &outlen, NULL),
                             MW_OK);
            assert_int_equal(outlen, strlen(t[i].group));
            assert_memory_equal(out, t[i].group, outlen);
        } else {
            assert_int_equal(g->flags & MW_HDR_ADDR_IN_GROUP, 0);
        }
    }
    assert_int_equal(k, count);
}

static void test_roundtrip_addresses(void **state)
{
    static const char *grp = "Team, Core";
    static const char *grp2 = "Gr\xc3\xbcppe";
    static const char *empty = "Undisclosed recipients";
    const rt_addr ascii[] = {
        {NULL, "john", "example.com", NULL, "john@example.com"},
        {"John Smith", "john", "example.com", NULL, "john@example.com"},
        {"Joe Q. Public", "john.q.public", "example.com", NULL,
         "john.q.public@example.com"},
        {"Last, First", "a", "b.c", NULL, "a@b.c"},
        {"a\"b\\c", "a", "b.c", NULL, "a@b.c"},
        {"(paren)", "a", "b.c", NULL, "a@b.c"},
        {"Dr.  Who", "a", "b.c", NULL, "a@b.c"},
        {NULL, "john..doe", "example.com", NULL, "\"john..doe\"@example.com"},
        {"N", "a b", "example.com", NULL, "\"a b\"@example.com"},
        {NULL, "q\"uo\\te", "x", NULL, "\"q\\\"uo\\\\te\"@x"},
        {"Lit", "a", "[192.0.2.1]", NULL, "a@[192.0.2.1]"},
        {"Ed Jones", "c", "a.test", "A Group", "c@a.test"},
        {NULL, "joe", "where.test", "A Group", "joe@where.test"},
        {NULL, NULL, NULL, empty, NULL},
        {"B", "b", "x.test", grp, "b@x.test"},
        {NULL, "c", "x.test", grp, "c@x.test"},
        {"J\xc3\xb6rg M\xc3\xbcller", "joerg", "example.de", NULL,
         "joerg@example.de"},
        {"Tsch\xc3\xbcss, Welt", "a", "b.c", NULL, "a@b.c"},
        {"=?utf-8?q?evil?=", "a", "b.c", NULL, "a@b.c"},
        {"  spaced  out  ", "a", "b.c", NULL, "a@b.c"},
        {NULL, NULL, NULL, grp2, NULL},
        {"\xf0\x9f\x98\x80 Emoji \xf0\x9f\x98\x80", "e", "b.c", grp2, "e@b.c"},
    };
    const rt_addr utf8[] = {
        {"J\xc3\xb6rg M\xc3\xbcller", "j\xc3\xb6rg", "b\xc3\xbc.example", NULL,
         "j\xc3\xb6rg@b\xc3\xbc.example"},
        {"M\xc3\xbcller, J\xc3\xb6rg", "a b\xc3\xa9", "b.c", NULL,
         "\"a b\xc3\xa9\"@b.c"},
        {NULL, "plain", "b.c", grp2, "plain@b.c"},
    };
    static rt_addr many[60];
    static char names[60][40];
    size_t i;
    (void)state;
    /* one at a time, then all in one field */
    for (i = 0; i < sizeof(ascii) / sizeof(ascii[0]); i++)
        addr_roundtrip(&ascii[i], 1, 0);
    addr_roundtrip(ascii, sizeof(ascii) / sizeof(ascii[0]), 0);
    for (i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++)
        addr_roundtrip(&utf8[i], 1, MW_HDR_WRITE_UTF8);
    addr_roundtrip(utf8, sizeof(utf8) / sizeof(utf8[0]), MW_HDR_WRITE_UTF8);
    addr_roundtrip(ascii, sizeof(ascii) / sizeof(ascii[0]), MW_HDR_WRITE_UTF8);
    /* a long list, folded, with long display names of every kind */
    for (i = 0; i < 60; i++) {
        static const char *fmt[] = {"Person Number %u", "Nummer %u, M\xc3\xbcller",
                                    "\xe6\x97\xa5\xe6\x9c\xac %u \xe8\xaa\x9e",
                                    "Somebody With A Quite Long Name Number %u"};
        snprintf(names[i], sizeof(names[i]), fmt[i % 4], (unsigned)i);
        many[i].display = names[i];
        many[i].local = "someone";
        many[i].domain = "example.com";
        many[i].group = i >= 20 && i < 40 ? grp : NULL;
        many[i].spec = "someone@example.com";
    }
    addr_roundtrip(many, 60, 0);
    addr_roundtrip(many, 60, MW_HDR_WRITE_UTF8);
}

static void test_roundtrip_msgids(void **state)
{
    static const char *texts[] = {
        "1234@local.machine.example", "a.b.c@[192.0.2.7]",
        "x!#$%&'*+-/=?^_`{|}~@y",
        "abcdefghijklmnopqrstuvwxyz.0123456789@host.example.org", "z@z"};
    mw_span ids[5];
    static mw_span many[30], back[40];
    mw_hdr_writer w;
    const char *b;
    size_t bl, count, i, rep;
    (void)state;
    for (i = 0; i < 5; i++) {
        ids[i].ptr = texts[i];
        ids[i].len = strlen(texts[i]);
    }
    for (rep = 0; rep < 30; rep++)
        many[rep] = ids[rep % 5];
    mw_hdr_writer_init(&w, buf, sizeof(buf), 0);
    assert_int_equal(mw_hdr_write_msgids(&w, S("References"), many, 30), MW_OK);
    b = body_of(&w, 0, 10, &bl);
    assert_int_equal(mw_hdr_parse_msgids(b, bl, back, 40, &count, NULL), MW_OK);
    assert_int_equal(count, 30);
    for (i = 0; i < 30; i++) {
        assert_int_equal(back[i].len, many[i].len);
        assert_memory_equal(back[i].ptr, many[i].ptr, many[i].len);
    }
    for (i = 0; i < 5; i++) {
        mw_span one;
        size_t from = mw_hdr_writer_len(&w);
        assert_int_equal(mw_hdr_write_msgids(&w, S("Message-ID"), &ids[i], 1), MW_OK);
        b = body_of(&w, from, 10, &bl);
        assert_int_equal(mw_hdr_parse_msgid(b, bl, &one, NULL), MW_OK);
        assert_int_equal(one.len, ids[i].len);
        assert_memory_equal(one.ptr, ids[i].ptr, one.len);
    }
}

/* A whole header made by the writer goes through the splitter with no
 * defect, and every field comes out with the name and body written. */
typedef struct split_log {
    size_t fields, defects;
    char names[32][64];
    size_t name_len[32];
    size_t raw_off[32], raw_len[32];
    unsigned flags[32];
} split_log;

static int on_field(mw_hdr_parser *p, void *user, const mw_hdr_field *f)
{
    split_log *l = (split_log *)user;
    (void)p;
    assert_true(l->fields < 32);
    assert_true(f->name.len < 64);
    memcpy(l->names[l->fields], f->name.ptr, f->name.len);
    l->name_len[l->fields] = f->name.len;
    l->raw_off[l->fields] = (size_t)(f->raw.ptr - buf);
    l->raw_len[l->fields] = f->raw.len;
    l->flags[l->fields] = f->flags;
    l->fields++;
    return 0;
}

static int on_defect(mw_hdr_parser *p, void *user, const mw_hdr_defect *d)
{
    (void)p;
    (void)d;
    ((split_log *)user)->defects++;
    return 0;
}

static void test_roundtrip_splitter(void **state)
{
    static char pbuf[MW_HDR_BUFLEN_DEFAULT];
    static char longv[3000];
    static split_log log;
    static const char *names[] = {"From", "To", "Subject", "Subject", "Date",
                                  "Message-ID", "X-Raw", "Subject"};
    mw_hdr_parser p;
    mw_hdr_callbacks cb;
    mw_hdr_writer w;
    mw_hdr_datetime dt;
    mw_span id = {"1@x", 3};
    size_t starts[9], consumed = 0, i;
    unsigned m;
    (void)state;
    for (i = 0; i < sizeof(longv); i++)
        longv[i] = i % 7 == 6 ? ' ' : (char)('a' + i % 26);
    memset(&dt, 0, sizeof(dt));
    dt.year = 2024;
    dt.month = 2;
    dt.day = 29;
    for (m = 0; m <= MW_HDR_WRITE_UTF8; m++) {
        memset(&log, 0, sizeof(log));
        mw_hdr_writer_init(&w, buf, sizeof(buf), m);
        starts[0] = 0;
        assert_int_equal(mw_hdr_write_addresses(&w, S("From"), two, 2), MW_OK);
        starts[1] = mw_hdr_writer_len(&w);
        assert_int_equal(wr_addrs(&w), MW_OK);
        starts[2] = mw_hdr_writer_len(&w);
        assert_int_equal(mw_hdr_write_unstructured(&w, S("Subject"), longv, 2000),
                         MW_OK);
        starts[3] = mw_hdr_writer_len(&w);
        assert_int_equal(wr_subject(&w), MW_OK);
        starts[4] = mw_hdr_writer_len(&w);
        assert_int_equal(mw_hdr_write_date(&w, S("Date"), &dt), MW_OK);
        starts[5] = mw_hdr_writer_len(&w);
        assert_int_equal(mw_hdr_write_msgids(&w, S("Message-ID"), &id, 1), MW_OK);
        starts[6] = mw_hdr_writer_len(&w);
        assert_int_equal(mw_hdr_write_raw(&w, S("X-Raw"), longv, 3000), MW_OK);
        starts[7] = mw_hdr_writer_len(&w);
        assert_int_equal(mw_hdr_write_unstructured(&w, S("Subject"), NULL, 0), MW_OK);
        starts[8] = mw_hdr_writer_len(&w);
        memcpy(buf + starts[8], "\r\nbody", 6);

        memset(&cb, 0, sizeof(cb));
        cb.field = on_field;
        cb.defect = on_defect;
        assert_int_equal(mw_hdr_parser_init(&p, NULL, &cb, &log, pbuf, sizeof(pbuf)),
                         MW_OK);
        assert_int_equal(mw_hdr_parser_feed(&p, buf, starts[8] + 6, &consumed),
                         MW_DONE);
        assert_int_equal(consumed, starts[8] + 2);
        assert_int_equal(log.defects, 0);
        assert_int_equal(log.fields, 8);
        for (i = 0; i < 8; i++) {
            size_t nl = strlen(names[i]);
            assert_int_equal(log.name_len[i], nl);
            assert_memory_equal(log.names[i], names[i], nl);
            /* raw: everything between the colon and the final CRLF */
            assert_int_equal(log.raw_off[i], starts[i] + nl + 1);
            assert_int_equal(log.raw_len[i], starts[i + 1] - starts[i] - nl - 3);
            assert_int_equal(log.flags[i] & (MW_HDR_F_LONG_LINE | MW_HDR_F_BARE_LF |
                                             MW_HDR_F_BARE_CR | MW_HDR_F_NUL |
                                             MW_HDR_F_OBS_FWS | MW_HDR_F_BAD_UTF8),
                             0);
            if (m == 0)
                assert_int_equal(log.flags[i] & MW_HDR_F_8BIT, 0);
        }
    }
}

/* Random inputs into every writer: either a well-formed field (which
 * for Subject also decodes back exactly) or an error with nothing
 * written. Three in four inputs are well-formed UTF-8 built from
 * interesting characters; the rest are raw random bytes. */
static size_t gen(char *out, size_t max, int clean, const char *const *set,
                  size_t nset)
{
    size_t n = 0, target = next_rand() % max;
    while (n < target) {
        if (clean) {
            const char *c = set[next_rand() % nset];
            size_t cl = strlen(c);
            if (n + cl > max)
                break;
            memcpy(out + n, c, cl);
            n += cl;
        } else {
            out[n++] = (char)(next_rand() & 0xff);
        }
    }
    return n;
}

static void test_random_inputs(void **state)
{
    static const char *const text[] = {
        " ", " ", "\t", "\"", "\\", "(", ")", "<", ">", "@", ",", ";", ":", ".",
        "[", "]", "=", "?", "=?", "_", "a", "Z", "0", "word", "\xc3\xa9",
        "\xe6\x97\xa5", "\xf0\x9f\x98\x80", "\x01", "\x7f", "abcdefghij"};
    static const char *const atom[] = {"a", "b", "z", "0", "-", ".", "+", "x.y",
                                       "\xc3\xa9", "[", "]", " "};
    static const char *const idpart[] = {"a", "b", "0", "-", "+", "x.y",
                                         "\xc3\xa9", "[1]"};
    static char v[4][600], idbuf[64];
    size_t iter, okcount[4] = {0, 0, 0, 0};
    (void)state;
    for (iter = 0; iter < 3000; iter++) {
        mw_hdr_writer w;
        mw_hdr_addr_out a[2];
        mw_span ids[2];
        size_t lens[4], k;
        unsigned m = iter & 1 ? MW_HDR_WRITE_UTF8 : 0;
        int rc[4], clean = next_rand() % 4 != 0;
        lens[0] = gen(v[0], 600, clean, text, sizeof(text) / sizeof(text[0]));
        lens[1] = gen(v[1], 120, clean, text, sizeof(text) / sizeof(text[0]));
        lens[2] = gen(v[2], 30, clean, atom, sizeof(atom) / sizeof(atom[0]));
        lens[3] = gen(v[3], 30, clean, atom, sizeof(atom) / sizeof(atom[0]));
        addr1(&a[0], NULL, NULL, NULL);
        a[0].display = v[1];
        a[0].display_len = lens[1];
        a[0].local = v[2];
        a[0].local_len = lens[2];
        a[0].domain = v[3];
        a[0].domain_len = lens[3];
        a[1] = a[0];
        a[1].group = v[1];
        a[1].group_len = lens[1];
        /* an identifier "left@right" from mostly-atext parts */
        {
            size_t l = gen(idbuf, 30, clean, idpart, 7);
            idbuf[l] = '@';
            ids[0].ptr = ids[1].ptr = idbuf;
            ids[0].len = ids[1].len =
                l + 1 + gen(idbuf + l + 1, 30, clean, idpart, 8);
        }

        memset(buf, 0xa5, 8192);
        mw_hdr_writer_init(&w, buf, sizeof(buf), m);
        rc[0] = mw_hdr_write_unstructured(&w, S("Subject"), v[0], lens[0]);
        if (rc[0] == MW_OK) {
            size_t ews;
            okcount[0]++;
            subject_roundtrip(v[0], lens[0], m, &ews);
            mw_hdr_writer_init(&w, buf, sizeof(buf), m);
            memset(buf, 0xa5, 8192);
        }
        for (k = 1; k < 4; k++) {
            size_t before = mw_hdr_writer_len(&w);
            const char *nm = k == 1 ? "To" : k == 2 ? "References" : "X";
            if (k == 1)
                rc[k] = mw_hdr_write_addresses(&w, S("To"), a, 2);
            else if (k == 2)
                rc[k] = mw_hdr_write_msgids(&w, S("References"), ids, 2);
            else
                rc[k] = mw_hdr_write_raw(&w, S("X"), v[0], lens[0]);
            if (rc[k] == MW_OK) {
                shape sh = check_field(buf + before,
                                       mw_hdr_writer_len(&w) - before, nm);
                okcount[k]++;
                if (k != 3) /* raw text may hold "=?" as given */
                    assert_true(sh.maxew <= 76);
            } else {
                assert_true(rc[k] == MW_E_INVAL || rc[k] == MW_E_UTF8);
                assert_int_equal(mw_hdr_writer_len(&w), before);
                assert_int_equal((unsigned char)buf[before], 0xa5);
            }
        }
    }
    /* every writer succeeded often enough for this to mean something */
    for (iter = 0; iter < 4; iter++)
        assert_true(okcount[iter] > 50);
}

/* ABI (issue 9): a binding that cannot read the struct places it in
 * mw_hdr_writer_sizeof() bytes of its own. Here those bytes come from
 * malloc, so that ASan reports a size too small when it is used. */
static void test_writer_sizeof(void **state)
{
    char out[64];
    mw_hdr_writer *w;
    (void)state;
    assert_int_equal(mw_hdr_writer_sizeof(), sizeof(mw_hdr_writer));
    w = malloc(mw_hdr_writer_sizeof());
    assert_non_null(w);
    mw_hdr_writer_init(w, out, sizeof(out), 0);
    assert_int_equal(mw_hdr_write_unstructured(w, S("Subject"), S("hi")), MW_OK);
    assert_int_equal(mw_hdr_writer_len(w), 13);
    assert_memory_equal(out, "Subject: hi\r\n", 13);
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_and_len),
        cmocka_unit_test(test_rfc5322_a11),
        cmocka_unit_test(test_rfc5322_a12_a13),
        cmocka_unit_test(test_unstructured_simple),
        cmocka_unit_test(test_unstructured_fold_ascii),
        cmocka_unit_test(test_unstructured_5000),
        cmocka_unit_test(test_unstructured_long_word),
        cmocka_unit_test(test_unstructured_utf8),
        cmocka_unit_test(test_unstructured_lookalike_and_controls),
        cmocka_unit_test(test_unstructured_utf8_boundaries),
        cmocka_unit_test(test_unstructured_bad_utf8),
        cmocka_unit_test(test_long_name),
        cmocka_unit_test(test_ws_only_value),
        cmocka_unit_test(test_field_names),
        cmocka_unit_test(test_exact_fit),
        cmocka_unit_test(test_injection_text_functions),
        cmocka_unit_test(test_injection_addresses),
        cmocka_unit_test(test_injection_msgids),
        cmocka_unit_test(test_addr_quoting),
        cmocka_unit_test(test_addr_invalid),
        cmocka_unit_test(test_addr_too_long),
        cmocka_unit_test(test_addr_groups),
        cmocka_unit_test(test_addr_hundred),
        cmocka_unit_test(test_addr_long_display),
        cmocka_unit_test(test_date),
        cmocka_unit_test(test_msgids),
        cmocka_unit_test(test_msgids_invalid),
        cmocka_unit_test(test_msgid_length_limit),
        cmocka_unit_test(test_raw),
        cmocka_unit_test(test_roundtrip_decode_unstructured),
        cmocka_unit_test(test_roundtrip_addresses),
        cmocka_unit_test(test_roundtrip_msgids),
        cmocka_unit_test(test_roundtrip_splitter),
        cmocka_unit_test(test_random_inputs),
        cmocka_unit_test(test_writer_sizeof),
    };
    return cmocka_run_group_tests_name("hdr_writer", tests, NULL, NULL);
}
