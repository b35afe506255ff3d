/* SPDX-License-Identifier: MIT */
/*
 * SMTP / LMTP client machine (lib/smtp/client.c, client_msg.c) and the
 * role-neutral reply and EHLO parsers (lib/smtp/reply.c).
 *
 * The RFC scenarios come first (RFC 5321 Appendix D, RFC 2920 §4, RFC
 * 3030 §4, RFC 2033 §4.2): the server lines are fed to the client through
 * the replay helper (whole, per byte, every split) and the client's
 * output must be exactly the transcript's client lines. Then the EHLO
 * capability sets of real servers (field-notes §3), security cases
 * (response injection after STARTTLS, TLS downgrade, CR/LF/NUL in every
 * argument, smuggling vectors in message data), limits at cap-1/cap/cap+1,
 * AUTH, the transaction helper, and pipelining at scale.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "mailwire/codec.h"
#include "smtp/reply.h"
#include "reason.h"
#include "smtp_client_harness.h"

#define S_(lit) lit, sizeof(lit) - 1
#define SPAN(lit) sch_span(lit, sizeof(lit) - 1)

/* ====================================================================
 * Reply lines
 * ==================================================================== */

static void test_reply_line_forms(void **state)
{
    mw_smtp_reply_line l;
    mw_error e;
    (void)state;

    assert_int_equal(mw_smtp_reply_line_parse(S_("250 OK"), 0, &l, &e), MW_OK);
    assert_int_equal(l.code, 250);
    assert_int_equal(l.more, 0);
    assert_int_equal(l.text.len, 2);
    assert_memory_equal(l.text.ptr, "OK", 2);

    assert_int_equal(mw_smtp_reply_line_parse(S_("250-foo.com greets"), 0, &l, &e),
                     MW_OK);
    assert_int_equal(l.more, 1);
    assert_int_equal(l.text.len, 14);

    /* The code alone, and with an empty text, end a reply (RFC 5321 §4.2). */
    assert_int_equal(mw_smtp_reply_line_parse(S_("354"), 0, &l, &e), MW_OK);
    assert_int_equal(l.code, 354);
    assert_int_equal(l.more, 0);
    assert_int_equal(l.text.len, 0);
    assert_int_equal(mw_smtp_reply_line_parse(S_("250 "), 0, &l, &e), MW_OK);
    assert_int_equal(l.text.len, 0);
    assert_int_equal(mw_smtp_reply_line_parse(S_("250-"), 0, &l, &e), MW_OK);
    assert_int_equal(l.more, 1);

    /* Enhanced status codes (RFC 2034 §4), only with the flag, only of
     * the same class. */
    assert_int_equal(mw_smtp_reply_line_parse(S_("550 5.1.1 User unknown"),
                                              MW_SMTP_REPLY_ESC, &l, &e),
                     MW_OK);
    assert_int_equal(l.has_esc, 1);
    assert_int_equal(l.esc.cls, 5);
    assert_int_equal(l.esc.subject, 1);
    assert_int_equal(l.esc.detail, 1);
    assert_int_equal(l.detail.len, 12);
    assert_memory_equal(l.detail.ptr, "User unknown", 12);
    assert_int_equal(l.text.len, 18);
    assert_int_equal(mw_smtp_reply_line_parse(S_("550 5.1.1 User unknown"), 0,
                                              &l, &e),
                     MW_OK);
    assert_int_equal(l.has_esc, 0);
    assert_int_equal(l.detail.len, 18);
    assert_int_equal(mw_smtp_reply_line_parse(S_("250 5.1.1 odd"),
                                              MW_SMTP_REPLY_ESC, &l, &e),
                     MW_OK);
    assert_int_equal(l.has_esc, 0);
    assert_int_equal(mw_smtp_reply_line_parse(S_("220 2.0.0"),
                                              MW_SMTP_REPLY_ESC, &l, &e),
                     MW_OK);
    assert_int_equal(l.has_esc, 1);
    assert_int_equal(l.detail.len, 0);
    assert_int_equal(mw_smtp_reply_line_parse(S_("452 4.5.3 Too many"),
                                              MW_SMTP_REPLY_ESC, &l, &e),
                     MW_OK);
    assert_int_equal(l.esc.cls, 4);
    assert_int_equal(l.esc.subject, 5);
    assert_int_equal(l.esc.detail, 3);
    /* Not a code: "2.0" or "2.0.0x" */
    assert_int_equal(mw_smtp_reply_line_parse(S_("250 2.0 x"),
                                              MW_SMTP_REPLY_ESC, &l, &e),
                     MW_OK);
    assert_int_equal(l.has_esc, 0);
    assert_int_equal(mw_smtp_reply_line_parse(S_("250 2.0.0x"),
                                              MW_SMTP_REPLY_ESC, &l, &e),
                     MW_OK);
    assert_int_equal(l.has_esc, 0);
    /* 8-bit text is taken (SMTPUTF8 servers). */
    assert_int_equal(mw_smtp_reply_line_parse(S_("250 caf\xc3\xa9"), 0, &l, &e),
                     MW_OK);
}

static void test_reply_line_errors(void **state)
{
    static const struct {
        const char *in;
        size_t len, off;
        int code;
    } bad[] = {
        {"", 0, 0, MW_E_SYNTAX},
        {"2", 1, 1, MW_E_SYNTAX},
        {"25", 2, 2, MW_E_SYNTAX},
        {"150 x", 5, 0, MW_E_SYNTAX},  /* first digit 2..5 */
        {"650 x", 5, 0, MW_E_SYNTAX},
        {"260 x", 5, 1, MW_E_SYNTAX},  /* second digit 0..5 */
        {"25x x", 5, 2, MW_E_SYNTAX},
        {"250x", 4, 3, MW_E_SYNTAX},   /* separator */
        {"250\tx", 5, 3, MW_E_SYNTAX},
        {"250 a\rb", 7, 5, MW_E_SYNTAX},
        {"250 a\nb", 7, 5, MW_E_SYNTAX},
        {"250 ab\0", 7, 6, MW_E_NUL},
        {"250-\0\r", 6, 4, MW_E_NUL},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mw_smtp_reply_line l;
        mw_error e;
        memset(&e, 0, sizeof e);
        assert_int_equal(mw_smtp_reply_line_parse(bad[i].in, bad[i].len, 0, &l, &e),
                         bad[i].code);
        assert_int_equal(e.code, bad[i].code);
        assert_int_equal(e.offset, bad[i].off);
        assert_non_null(e.reason);
    }
    assert_int_equal(mw_smtp_reply_line_parse(NULL, 1, 0, NULL, NULL), MW_E_INVAL);
}

static void test_reply_check_whole(void **state)
{
    mw_smtp_reply_line l;
    mw_error e;
    unsigned n = 0;
    (void)state;
    assert_int_equal(mw__smtp_reply_check(S_("250-a\r\n250-b\r\n250 c\r\n"), 0,
                                          &l, &n, NULL, &e),
                     MW_OK);
    assert_int_equal(n, 3);
    assert_int_equal(l.text.len, 1);
    assert_int_equal(l.text.ptr[0], 'c');
    /* A code that changes between lines (RFC 5321 §4.2.1: the same code on
     * every line). */
    assert_int_equal(mw__smtp_reply_check(S_("250-a\r\n251-b\r\n250 c\r\n"), 0,
                                          &l, &n, NULL, &e),
                     MW_E_SYNTAX);
    assert_int_equal(e.offset, 7);
    assert_int_equal(mw__smtp_reply_check(S_("250-a\r\n250-b\r\n"), 0, &l, &n,
                                          NULL, &e),
                     MW_E_INCOMPLETE);
    assert_int_equal(mw__smtp_reply_check(S_("250-a\n250 b\r\n"), 0, &l, &n,
                                          NULL, &e),
                     MW_E_BARE_LF);
    assert_int_equal(e.offset, 5);
    assert_int_equal(mw__smtp_reply_check(S_("250 a\rx\r\n"), 0, &l, &n, NULL, &e),
                     MW_E_BARE_CR);
    assert_int_equal(e.offset, 5);
    assert_int_equal(mw__smtp_reply_check(S_("250 a\r\n250 b\r\n"), 0, &l, &n,
                                          NULL, &e),
                     MW_E_SYNTAX);
    assert_int_equal(e.offset, 7);
}

/* ====================================================================
 * EHLO capability sets (field-notes §3)
 * ==================================================================== */

static void parse_ehlo(const char *reply, size_t n, mw_smtp_caps *caps)
{
    mw_error e;
    memset(&e, 0, sizeof e);
    if (mw__smtp_reply_check(reply, n, 0, NULL, NULL, caps, &e) != MW_OK)
        fail_msg("EHLO reply refused at %zu: %s", e.offset, e.reason);
}

static void expect_auth_names(const mw_smtp_caps *caps, const char *want)
{
    char got[256];
    size_t pos = 0, gl = 0;
    mw_span m;
    while (mw_smtp_caps_next_auth(caps, &pos, &m)) {
        if (gl)
            got[gl++] = ' ';
        memcpy(got + gl, m.ptr, m.len);
        gl += m.len;
    }
    got[gl] = '\0';
    assert_string_equal(got, want);
}

static void expect_other(const mw_smtp_caps *caps, const char *want)
{
    char got[512];
    size_t pos = 0, gl = 0;
    mw_span k, p;
    while (mw_smtp_caps_next(caps, &pos, &k, &p)) {
        gl += (size_t)snprintf(got + gl, sizeof got - gl, "%s%.*s[%.*s]",
                               gl ? ";" : "", (int)k.len, k.ptr, (int)p.len,
                               p.ptr);
    }
    got[gl] = '\0';
    assert_string_equal(got, want);
}

static void test_caps_postfix(void **state)
{
    mw_smtp_caps caps;
    (void)state;
    /* Postfix defaults, with broken_sasl_auth_clients (both AUTH forms). */
    parse_ehlo(S_("250-mail.example.com\r\n"
                  "250-PIPELINING\r\n"
                  "250-SIZE 10240000\r\n"
                  "250-VRFY\r\n"
                  "250-ETRN\r\n"
                  "250-STARTTLS\r\n"
                  "250-AUTH PLAIN LOGIN\r\n"
                  "250-AUTH=PLAIN LOGIN\r\n"
                  "250-ENHANCEDSTATUSCODES\r\n"
                  "250-8BITMIME\r\n"
                  "250-DSN\r\n"
                  "250-SMTPUTF8\r\n"
                  "250 CHUNKING\r\n"),
               &caps);
    assert_int_equal(caps.ext,
                     MW_SMTP_EXT_PIPELINING | MW_SMTP_EXT_SIZE | MW_SMTP_EXT_VRFY |
                         MW_SMTP_EXT_ETRN | MW_SMTP_EXT_STARTTLS |
                         MW_SMTP_EXT_AUTH | MW_SMTP_EXT_ENHANCEDSTATUSCODES |
                         MW_SMTP_EXT_8BITMIME | MW_SMTP_EXT_DSN |
                         MW_SMTP_EXT_SMTPUTF8 | MW_SMTP_EXT_CHUNKING);
    assert_int_equal(caps.size, 10240000);
    assert_int_equal(caps.auth, MW_SMTP_AUTH_PLAIN | MW_SMTP_AUTH_LOGIN);
    expect_auth_names(&caps, "PLAIN LOGIN");
    expect_other(&caps, "");
    assert_int_equal(caps.dropped, 0);
    assert_true(mw_smtp_caps_has(&caps, S_("etrn")));
    assert_false(mw_smtp_caps_has(&caps, S_("BINARYMIME")));
    assert_true(mw_smtp_caps_has_auth(&caps, S_("login")));
    assert_false(mw_smtp_caps_has_auth(&caps, S_("XOAUTH2")));
}

static void test_caps_gmail(void **state)
{
    mw_smtp_caps caps;
    (void)state;
    /* smtp.gmail.com:587 before TLS. */
    parse_ehlo(S_("250-smtp.gmail.com at your service, [203.0.113.5]\r\n"
                  "250-SIZE 35882577\r\n"
                  "250-8BITMIME\r\n"
                  "250-STARTTLS\r\n"
                  "250-ENHANCEDSTATUSCODES\r\n"
                  "250-PIPELINING\r\n"
                  "250-CHUNKING\r\n"
                  "250 SMTPUTF8\r\n"),
               &caps);
    assert_int_equal(caps.ext, MW_SMTP_EXT_SIZE | MW_SMTP_EXT_8BITMIME |
                                   MW_SMTP_EXT_STARTTLS |
                                   MW_SMTP_EXT_ENHANCEDSTATUSCODES |
                                   MW_SMTP_EXT_PIPELINING |
                                   MW_SMTP_EXT_CHUNKING | MW_SMTP_EXT_SMTPUTF8);
    assert_int_equal(caps.size, 35882577);
    assert_int_equal(caps.auth, 0);
    expect_auth_names(&caps, "");
    /* After TLS: no STARTTLS; AUTH with Google's mechanisms. */
    parse_ehlo(S_("250-smtp.gmail.com at your service, [203.0.113.5]\r\n"
                  "250-SIZE 35882577\r\n"
                  "250-8BITMIME\r\n"
                  "250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH\r\n"
                  "250-ENHANCEDSTATUSCODES\r\n"
                  "250-PIPELINING\r\n"
                  "250-CHUNKING\r\n"
                  "250 SMTPUTF8\r\n"),
               &caps);
    assert_int_equal(caps.ext, MW_SMTP_EXT_SIZE | MW_SMTP_EXT_8BITMIME |
                                   MW_SMTP_EXT_AUTH |
                                   MW_SMTP_EXT_ENHANCEDSTATUSCODES |
                                   MW_SMTP_EXT_PIPELINING |
                                   MW_SMTP_EXT_CHUNKING | MW_SMTP_EXT_SMTPUTF8);
    assert_int_equal(caps.auth, MW_SMTP_AUTH_LOGIN | MW_SMTP_AUTH_PLAIN |
                                    MW_SMTP_AUTH_XOAUTH2 |
                                    MW_SMTP_AUTH_PLAIN_CLIENTTOKEN |
                                    MW_SMTP_AUTH_OAUTHBEARER |
                                    MW_SMTP_AUTH_XOAUTH);
    expect_auth_names(&caps,
                      "LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH");
    /* Gmail MX. */
    parse_ehlo(S_("250-mx.google.com at your service, [198.51.100.9]\r\n"
                  "250-SIZE 157286400\r\n"
                  "250-8BITMIME\r\n"
                  "250-STARTTLS\r\n"
                  "250-ENHANCEDSTATUSCODES\r\n"
                  "250-PIPELINING\r\n"
                  "250-CHUNKING\r\n"
                  "250 SMTPUTF8\r\n"),
               &caps);
    assert_int_equal(caps.size, 157286400);
    assert_int_equal(caps.ext, MW_SMTP_EXT_SIZE | MW_SMTP_EXT_8BITMIME |
                                   MW_SMTP_EXT_STARTTLS |
                                   MW_SMTP_EXT_ENHANCEDSTATUSCODES |
                                   MW_SMTP_EXT_PIPELINING |
                                   MW_SMTP_EXT_CHUNKING | MW_SMTP_EXT_SMTPUTF8);
}

static void test_caps_m365(void **state)
{
    mw_smtp_caps caps;
    (void)state;
    parse_ehlo(S_("250-AM0PR02CA0001.outlook.office365.com Hello [198.51.100.7]\r\n"
                  "250-SIZE 157286400\r\n"
                  "250-PIPELINING\r\n"
                  "250-DSN\r\n"
                  "250-ENHANCEDSTATUSCODES\r\n"
                  "250-STARTTLS\r\n"
                  "250-8BITMIME\r\n"
                  "250-BINARYMIME\r\n"
                  "250-CHUNKING\r\n"
                  "250 SMTPUTF8\r\n"),
               &caps);
    assert_int_equal(caps.ext, MW_SMTP_EXT_SIZE | MW_SMTP_EXT_PIPELINING |
                                   MW_SMTP_EXT_DSN |
                                   MW_SMTP_EXT_ENHANCEDSTATUSCODES |
                                   MW_SMTP_EXT_STARTTLS | MW_SMTP_EXT_8BITMIME |
                                   MW_SMTP_EXT_BINARYMIME |
                                   MW_SMTP_EXT_CHUNKING | MW_SMTP_EXT_SMTPUTF8);
    assert_int_equal(caps.size, 157286400);
    parse_ehlo(S_("250-AM0PR02CA0001.outlook.office365.com Hello [198.51.100.7]\r\n"
                  "250-SIZE 157286400\r\n"
                  "250-PIPELINING\r\n"
                  "250-DSN\r\n"
                  "250-ENHANCEDSTATUSCODES\r\n"
                  "250-AUTH LOGIN XOAUTH2\r\n"
                  "250-8BITMIME\r\n"
                  "250-BINARYMIME\r\n"
                  "250-CHUNKING\r\n"
                  "250 SMTPUTF8\r\n"),
               &caps);
    assert_int_equal(caps.ext & MW_SMTP_EXT_STARTTLS, 0);
    assert_int_equal(caps.auth, MW_SMTP_AUTH_LOGIN | MW_SMTP_AUTH_XOAUTH2);
    expect_auth_names(&caps, "LOGIN XOAUTH2");
}

static void test_caps_unknown_and_odd(void **state)
{
    mw_smtp_caps caps;
    mw_error e;
    (void)state;
    /* Unknown keywords are kept as written; known ones with parameters
     * keep their line too; case does not matter; runs of spaces are
     * tolerated; the legacy AUTH= form is AUTH. */
    parse_ehlo(S_("250-x.example\r\n"
                  "250-X-EXPS GSSAPI NTLM\r\n"
                  "250-pipelining\r\n"
                  "250-LIMITS RCPTMAX=100 MAILMAX=1000\r\n"
                  "250-auth=login  cram-md5 \r\n"
                  "250-X-FOO\r\n"
                  "250-SIZE\r\n"
                  "250 AUTH SCRAM-SHA-256 X-UNKNOWN-MECH LOGIN\r\n"),
               &caps);
    assert_int_equal(caps.ext, MW_SMTP_EXT_PIPELINING | MW_SMTP_EXT_LIMITS |
                                   MW_SMTP_EXT_AUTH | MW_SMTP_EXT_SIZE);
    assert_int_equal(caps.size, 0); /* SIZE alone: no fixed limit */
    assert_int_equal(caps.auth, MW_SMTP_AUTH_LOGIN | MW_SMTP_AUTH_CRAM_MD5 |
                                    MW_SMTP_AUTH_SCRAM_SHA_256);
    expect_auth_names(&caps, "login cram-md5 SCRAM-SHA-256 X-UNKNOWN-MECH");
    expect_other(&caps,
                 "X-EXPS[GSSAPI NTLM];LIMITS[RCPTMAX=100 MAILMAX=1000];X-FOO[]");
    assert_true(mw_smtp_caps_has(&caps, S_("x-exps")));
    assert_true(mw_smtp_caps_has(&caps, S_("X-FOO")));
    assert_false(mw_smtp_caps_has(&caps, S_("X-FO")));
    assert_true(mw_smtp_caps_has_auth(&caps, S_("x-unknown-mech")));
    assert_false(mw_smtp_caps_has_auth(&caps, S_("PLAIN")));

    /* Lines that are not ehlo-lines. */
    mw_smtp_caps_init(&caps);
    assert_int_equal(mw_smtp_caps_parse_line(&caps, S_("-BAD"), &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 0);
    assert_int_equal(mw_smtp_caps_parse_line(&caps, S_("FOO=bar"), &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 3);
    assert_int_equal(mw_smtp_caps_parse_line(&caps, S_("AUTH PLAIN\x01"), &e),
                     MW_E_SYNTAX);
    assert_int_equal(e.offset, 10);
    assert_int_equal(mw_smtp_caps_parse_line(&caps, S_("X-A\tB"), &e), MW_E_SYNTAX);
    assert_int_equal(mw_smtp_caps_parse_line(&caps, S_("SIZE 12a"), &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 5);
    assert_true(caps.ext & MW_SMTP_EXT_SIZE);
    assert_int_equal(caps.size, 0);
    assert_int_equal(mw_smtp_caps_parse_line(&caps, S_("SIZE 18446744073709551615"),
                                             &e),
                     MW_OK);
    assert_true(caps.size == UINT64_MAX);
    assert_int_equal(mw_smtp_caps_parse_line(&caps, S_("SIZE 18446744073709551616"),
                                             &e),
                     MW_E_OVERFLOW);
    assert_int_equal(caps.size, 0);
    assert_int_equal(caps.auth, 0);
    assert_int_equal(caps.other_len, 0);
}

static void test_caps_bounds(void **state)
{
    mw_smtp_caps caps;
    char line[MW_SMTP_CAPS_OTHER_MAX + 8];
    size_t k;
    (void)state;
    /* The unknown-line store: a line of exactly the store's size (with its
     * LF) fits; one byte more is dropped and flagged. */
    for (k = MW_SMTP_CAPS_OTHER_MAX - 1; k <= MW_SMTP_CAPS_OTHER_MAX + 1; k++) {
        mw_smtp_caps_init(&caps);
        memset(line, 'X', k - 1);
        line[0] = 'Q';
        assert_int_equal(mw_smtp_caps_parse_line(&caps, line, k - 1, NULL), MW_OK);
        if (k <= MW_SMTP_CAPS_OTHER_MAX) {
            assert_int_equal(caps.dropped, 0);
            assert_int_equal(caps.other_len, k);
        } else {
            assert_int_equal(caps.dropped, MW_SMTP_CAPS_OTHER_DROPPED);
            assert_int_equal(caps.other_len, 0);
        }
    }
    /* The AUTH name store: names are kept while they fit; known ones keep
     * their bit even when the name is dropped. */
    for (k = MW_SMTP_CAPS_AUTH_MAX - 1; k <= MW_SMTP_CAPS_AUTH_MAX + 1; k++) {
        char a[MW_SMTP_CAPS_AUTH_MAX + 16];
        mw_smtp_caps_init(&caps);
        memcpy(a, "AUTH ", 5);
        memset(a + 5, 'M', k);
        assert_int_equal(mw_smtp_caps_parse_line(&caps, a, 5 + k, NULL), MW_OK);
        assert_int_equal(mw_smtp_caps_parse_line(&caps, S_("AUTH PLAIN"), NULL),
                         MW_OK);
        assert_int_equal(caps.auth, MW_SMTP_AUTH_PLAIN);
        assert_true(mw_smtp_caps_has_auth(&caps, S_("PLAIN")));
        if (k <= MW_SMTP_CAPS_AUTH_MAX) {
            assert_true(mw_smtp_caps_has_auth(&caps, a + 5, k));
        } else {
            assert_false(mw_smtp_caps_has_auth(&caps, a + 5, k));
            assert_true(caps.dropped & MW_SMTP_CAPS_AUTH_DROPPED);
        }
    }
}

/* ====================================================================
 * RFC 5321 Appendix D, through the replay helper
 * ==================================================================== */

static void test_rfc5321_d1(void **state)
{
    /* D.1 A Typical SMTP Transaction Scenario. The transcript's second
     * data line starts with "." (an ellipsis in the RFC); on the wire a
     * conforming client doubles it (RFC 5321 §4.5.2). */
    static const char *const script[] = {
        "EHLO bar.com",                  /* after the greeting */
        "MAIL Smith@bar.com",            /* after EHLO */
        "RCPT Jones@foo.com",            /* after MAIL */
        "RCPT Green@foo.com",            /* after RCPT 0 */
        "RCPT Brown@foo.com",            /* after RCPT 1 (550) */
        "DATA",                          /* after RCPT 2 */
        "WRITE Blah blah blah...\r\n|WRITE ...etc. etc. etc.\r\n|FINISH",
        "QUIT",                          /* after the message */
    };
    static const char tr[] =
        "S: 220 foo.com Simple Mail Transfer Service Ready\n"
        "C: EHLO bar.com\n"
        "S: 250-foo.com greets bar.com\n"
        "S: 250-8BITMIME\n"
        "S: 250-SIZE\n"
        "S: 250-DSN\n"
        "S: 250 HELP\n"
        "C: MAIL FROM:<Smith@bar.com>\n"
        "S: 250 OK\n"
        "C: RCPT TO:<Jones@foo.com>\n"
        "S: 250 OK\n"
        "C: RCPT TO:<Green@foo.com>\n"
        "S: 550 No such user here\n"
        "C: RCPT TO:<Brown@foo.com>\n"
        "S: 250 OK\n"
        "C: DATA\n"
        "S: 354 Start mail input; end with <CRLF>.<CRLF>\n"
        "C: Blah blah blah...\n"
        "C: ....etc. etc. etc.\n"
        "C: .\n"
        "S: 250 OK\n"
        "C: QUIT\n"
        "S: 221 foo.com Service closing transmission channel";
    sch t;
    evlog whole;
    (void)state;
    sch_setup(&t);
    t.script = script;
    t.nscript = sizeof script / sizeof script[0];
    evlog_init(&whole);
    sch_transcript(&t, tr, &whole);
    SCH_HAS(&whole, "R RCPT 550 i=1");
    SCH_HAS(&whole, "R RCPT 250 i=2");
    SCH_HAS(&whole, "R MESSAGE 250");
    SCH_HAS(&whole, "R QUIT 221");
    SCH_HAS(&whole, "replay: done at");
    SCH_LACKS(&whole, "\nE ");
    SCH_LACKS(&whole, "\nA ");
    assert_int_equal(mw_smtp_client_want(&t.c), MW_SMTP_CLIENT_WANT_CLOSED);
    /* SIZE without a number: offered, no fixed limit. */
    assert_true(mw_smtp_client_caps(&t.c)->ext & MW_SMTP_EXT_SIZE);
    assert_int_equal(mw_smtp_client_caps(&t.c)->size, 0);
    evlog_free(&whole);
    sch_teardown(&t);
}

static void test_rfc5321_d2(void **state)
{
    /* D.2 Aborted SMTP Transaction Scenario. */
    static const char *const script[] = {
        "EHLO bar.com", "MAIL Smith@bar.com", "RCPT Jones@foo.com",
        "RCPT Green@foo.com", "RSET", "QUIT",
    };
    static const char tr[] =
        "S: 220 foo.com Simple Mail Transfer Service Ready\n"
        "C: EHLO bar.com\n"
        "S: 250-foo.com greets bar.com\n"
        "S: 250-8BITMIME\n"
        "S: 250-SIZE\n"
        "S: 250-DSN\n"
        "S: 250 HELP\n"
        "C: MAIL FROM:<Smith@bar.com>\n"
        "S: 250 OK\n"
        "C: RCPT TO:<Jones@foo.com>\n"
        "S: 250 OK\n"
        "C: RCPT TO:<Green@foo.com>\n"
        "S: 550 No such user here\n"
        "C: RSET\n"
        "S: 250 OK\n"
        "C: QUIT\n"
        "S: 221 foo.com Service closing transmission channel";
    sch t;
    evlog whole;
    (void)state;
    sch_setup(&t);
    t.script = script;
    t.nscript = sizeof script / sizeof script[0];
    evlog_init(&whole);
    sch_transcript(&t, tr, &whole);
    SCH_HAS(&whole, "R RSET 250");
    SCH_LACKS(&whole, "\nA ");
    evlog_free(&whole);
    sch_teardown(&t);
}

static void test_rfc5321_d3(void **state)
{
    /* D.3 Relayed Mail Scenario, both steps. Step 2 has a one-line EHLO
     * reply (no extensions). */
    static const char *const script1[] = {
        "EHLO bar.com", "MAIL JQP@bar.com", "RCPT Jones@XYZ.COM", "DATA",
        "WRITE Date: Thu, 21 May 1998 05:33:29 -0700\r\n"
        "From: John Q. Public <JQP@bar.com>\r\n"
        "Subject: The Next Meeting of the Board\r\n"
        "To: Jones@xyz.com\r\n"
        "\r\n"
        "Bill:\r\n"
        "The next meeting of the board of directors will be\r\n"
        "on Tuesday.\r\n"
        "John.\r\n|FINISH",
        "QUIT",
    };
    static const char tr1[] =
        "S: 220 foo.com Simple Mail Transfer Service Ready\n"
        "C: EHLO bar.com\n"
        "S: 250-foo.com greets bar.com\n"
        "S: 250-8BITMIME\n"
        "S: 250-SIZE\n"
        "S: 250-DSN\n"
        "S: 250 HELP\n"
        "C: MAIL FROM:<JQP@bar.com>\n"
        "S: 250 OK\n"
        "C: RCPT TO:<Jones@XYZ.COM>\n"
        "S: 250 OK\n"
        "C: DATA\n"
        "S: 354 Start mail input; end with <CRLF>.<CRLF>\n"
        "C: Date: Thu, 21 May 1998 05:33:29 -0700\n"
        "C: From: John Q. Public <JQP@bar.com>\n"
        "C: Subject: The Next Meeting of the Board\n"
        "C: To: Jones@xyz.com\n"
        "C:\n"
        "C: Bill:\n"
        "C: The next meeting of the board of directors will be\n"
        "C: on Tuesday.\n"
        "C: John.\n"
        "C: .\n"
        "S: 250 OK\n"
        "C: QUIT\n"
        "S: 221 foo.com Service closing transmission channel";
    static const char *const script2[] = {
        "EHLO foo.com", "MAIL JQP@bar.com", "RCPT Jones@XYZ.COM", "DATA",
        /* The body in two writes, the second without its final CRLF: the
         * client adds it before the dot. */
        "WRITE Received: from bar.com by foo.com ; Thu, 21 May 1998\r\n"
        "    05:33:29 -0700\r\n"
        "Date: Thu, 21 May 1998 05:33:22 -0700\r\n"
        "From: John Q. Public <JQP@bar.com>\r\n"
        "Subject:  The Next Meeting of the Board\r\n"
        "To: Jones@xyz.com\r\n"
        "\r\n"
        "Bill:\r\n"
        "The next meeting of the board of directors will be\r\n"
        "on Tuesday.\r\n|LAST                         John.",
        "QUIT",
    };
    static const char tr2[] =
        "S: 220 xyz.com Simple Mail Transfer Service Ready\n"
        "C: EHLO foo.com\n"
        "S: 250 xyz.com is on the air\n"
        "C: MAIL FROM:<JQP@bar.com>\n"
        "S: 250 OK\n"
        "C: RCPT TO:<Jones@XYZ.COM>\n"
        "S: 250 OK\n"
        "C: DATA\n"
        "S: 354 Start mail input; end with <CRLF>.<CRLF>\n"
        "C: Received: from bar.com by foo.com ; Thu, 21 May 1998\n"
        "C:     05:33:29 -0700\n"
        "C: Date: Thu, 21 May 1998 05:33:22 -0700\n"
        "C: From: John Q. Public <JQP@bar.com>\n"
        "C: Subject:  The Next Meeting of the Board\n"
        "C: To: Jones@xyz.com\n"
        "C:\n"
        "C: Bill:\n"
        "C: The next meeting of the board of directors will be\n"
        "C: on Tuesday.\n"
        "C:                         John.\n"
        "C: .\n"
        "S: 250 OK\n"
        "C: QUIT\n"
        "S: 221 foo.com Service closing transmission channel";
    sch t;
    evlog whole;
    (void)state;
    sch_setup(&t);
    evlog_init(&whole);
    t.script = script1;
    t.nscript = sizeof script1 / sizeof script1[0];
    sch_transcript(&t, tr1, &whole);
    SCH_LACKS(&whole, "\nA ");
    t.script = script2;
    t.nscript = sizeof script2 / sizeof script2[0];
    sch_transcript(&t, tr2, &whole);
    SCH_LACKS(&whole, "\nA ");
    /* One-line EHLO reply: an ESMTP server without extensions. */
    assert_int_equal(mw_smtp_client_caps(&t.c)->ext, 0);
    evlog_free(&whole);
    sch_teardown(&t);
}

static void test_rfc5321_d4(void **state)
{
    /* D.4 Verifying and Sending Scenario. */
    static const char *const script[] = {
        "EHLO bar.com", "VRFY Crispin", "MAIL EAK@bar.com",
        "RCPT Admin.MRC@foo.com", "DATA",
        "WRITE Blah blah blah...\r\n...etc. etc. etc.\r\n|FINISH", "QUIT",
    };
    static const char tr[] =
        "S: 220 foo.com Simple Mail Transfer Service Ready\n"
        "C: EHLO bar.com\n"
        "S: 250-foo.com greets bar.com\n"
        "S: 250-8BITMIME\n"
        "S: 250-SIZE\n"
        "S: 250-DSN\n"
        "S: 250-VRFY\n"
        "S: 250 HELP\n"
        "C: VRFY Crispin\n"
        "S: 250 Mark Crispin <Admin.MRC@foo.com>\n"
        "C: MAIL FROM:<EAK@bar.com>\n"
        "S: 250 OK\n"
        "C: RCPT TO:<Admin.MRC@foo.com>\n"
        "S: 250 OK\n"
        "C: DATA\n"
        "S: 354 Start mail input; end with <CRLF>.<CRLF>\n"
        "C: Blah blah blah...\n"
        "C: ....etc. etc. etc.\n"
        "C: .\n"
        "S: 250 OK\n"
        "C: QUIT\n"
        "S: 221 foo.com Service closing transmission channel";
    sch t;
    evlog whole;
    (void)state;
    sch_setup(&t);
    t.script = script;
    t.nscript = sizeof script / sizeof script[0];
    evlog_init(&whole);
    sch_transcript(&t, tr, &whole);
    SCH_HAS(&whole, "R VRFY 250");
    SCH_LACKS(&whole, "\nA ");
    evlog_free(&whole);
    sch_teardown(&t);
}

/* ====================================================================
 * RFC 2920 §4 (PIPELINING), RFC 3030 §4 (CHUNKING), RFC 2033 §4.2 (LMTP)
 * ==================================================================== */

static void test_rfc2920_examples(void **state)
{
    /* The pipelined example: MAIL, three RCPT and DATA in one group; the
     * message content, "." and QUIT in the next. */
    static const char *const script1[] = {
        "EHLO dbc.mtview.ca.us",
        ("MAIL mrose@dbc.mtview.ca.us|RCPT ned@innosoft.com|"
         "RCPT dan@innosoft.com|RCPT kvc@innosoft.com|DATA"),
        "-", "-", "-", "-",
        "LAST Hello.\r\n|QUIT",
    };
    static const char tr1[] =
        "S: 220 innosoft.com SMTP service ready\n"
        "C: EHLO dbc.mtview.ca.us\n"
        "S: 250-innosoft.com\n"
        "S: 250 PIPELINING\n"
        "C: MAIL FROM:<mrose@dbc.mtview.ca.us>\n"
        "C: RCPT TO:<ned@innosoft.com>\n"
        "C: RCPT TO:<dan@innosoft.com>\n"
        "C: RCPT TO:<kvc@innosoft.com>\n"
        "C: DATA\n"
        "S: 250 sender <mrose@dbc.mtview.ca.us> OK\n"
        "S: 250 recipient <ned@innosoft.com> OK\n"
        "S: 250 recipient <dan@innosoft.com> OK\n"
        "S: 250 recipient <kvc@innosoft.com> OK\n"
        "S: 354 enter mail, end with line containing only \".\"\n"
        "C: Hello.\n"
        "C: .\n"
        "C: QUIT\n"
        "S: 250 message sent\n"
        "S: 221 goodbye";
    /* The failure example: after the first message the next transaction is
     * pipelined behind the dot; its only recipient is refused and DATA
     * answered 554 (RFC 2920 §3.1: check every status). */
    static const char *const script2[] = {
        "EHLO dbc.mtview.ca.us",
        ("MAIL mrose@dbc.mtview.ca.us|RCPT ned@innosoft.com|"
         "RCPT dan@innosoft.com|RCPT kvc@innosoft.com|DATA"),
        "-", "-", "-", "-",
        "LAST Hello.\r\n|MAIL mrose@dbc.mtview.ca.us|RCPT fred@innosoft.com|DATA",
        "-", "-", "-", "QUIT",
    };
    static const char tr2[] =
        "S: 220 innosoft.com SMTP service ready\n"
        "C: EHLO dbc.mtview.ca.us\n"
        "S: 250-innosoft.com\n"
        "S: 250 PIPELINING\n"
        "C: MAIL FROM:<mrose@dbc.mtview.ca.us>\n"
        "C: RCPT TO:<ned@innosoft.com>\n"
        "C: RCPT TO:<dan@innosoft.com>\n"
        "C: RCPT TO:<kvc@innosoft.com>\n"
        "C: DATA\n"
        "S: 250 sender <mrose@dbc.mtview.ca.us> OK\n"
        "S: 250 recipient <ned@innosoft.com> OK\n"
        "S: 250 recipient <dan@innosoft.com> OK\n"
        "S: 250 recipient <kvc@innosoft.com> OK\n"
        "S: 354 enter mail, end with line containing only \".\"\n"
        "C: Hello.\n"
        "C: .\n"
        "C: MAIL FROM:<mrose@dbc.mtview.ca.us>\n"
        "S: 250 message sent\n"
        "C: RCPT TO:<fred@innosoft.com>\n"
        "C: DATA\n"
        "S: 250 sender <mrose@dbc.mtview.ca.us> OK\n"
        "S: 550 remote mail to <fred@innosoft.com> not allowed\n"
        "S: 554 no valid recipients given\n"
        "C: QUIT\n"
        "S: 221 goodbye";
    sch t;
    evlog whole;
    (void)state;
    sch_setup(&t);
    evlog_init(&whole);
    t.script = script1;
    t.nscript = sizeof script1 / sizeof script1[0];
    sch_transcript(&t, tr1, &whole);
    SCH_HAS(&whole, "R RCPT 250 i=2");
    SCH_HAS(&whole, "R DATA 354");
    SCH_HAS(&whole, "R MESSAGE 250");
    SCH_LACKS(&whole, "\nA ");
    t.script = script2;
    t.nscript = sizeof script2 / sizeof script2[0];
    sch_transcript(&t, tr2, &whole);
    SCH_HAS(&whole, "R MESSAGE 250");
    SCH_HAS(&whole, "R RCPT 550 i=0");
    SCH_HAS(&whole, "R DATA 554");
    SCH_LACKS(&whole, "\nA ");
    evlog_free(&whole);
    sch_teardown(&t);
}

/* RFC 3030 §4.1 up to the message data */
#define RFC3030_41_ENVELOPE                                                  \
    "S: 220 cnri.reston.va.us SMTP service ready\n" \
    "C: EHLO ymir.claremont.edu\n" \
    "S: 250-cnri.reston.va.us says hello\n" \
    "S: 250 CHUNKING\n" \
    "C: MAIL FROM:<Sam@Random.com>\n" \
    "S: 250 <Sam@Random.com>... Sender ok\n" \
    "C: RCPT TO:<Susan@Random.com>\n" \
    "S: 250 <Susan@random.com>... Recipient ok\n"

#if MW_ENABLE_SMTP_CHUNKING
static void test_rfc3030_examples(void **state)
{
    /* §4.1 Simple Chunking: the whole message in one "BDAT 86 LAST". */
    static const char *const script1[] = {
        "EHLO ymir.claremont.edu", "MAIL Sam@Random.com", "RCPT Susan@Random.com",
        ("DATA|LAST To: Susan@random.com\r\nFrom: Sam@random.com\r\n"
         "Subject: This is a bodyless test message\r\n"),
        "QUIT",
    };
    static const char tr1[] =
        RFC3030_41_ENVELOPE
        "C: BDAT 86 LAST\n"
        "C: To: Susan@random.com\n"
        "C: From: Sam@random.com\n"
        "C: Subject: This is a bodyless test message\n"
        "S: 250 Message OK, 86 octets received\n"
        "C: QUIT\n"
        "S: 221 Goodbye";
    /* §4.2 Pipelining BINARYMIME: MAIL with BODY=BINARYMIME, RCPT and two
     * BDAT chunks in one group; the binary data goes untouched. */
    static const char *const script2[] = {
        "EHLO ymir.claremont.edu",
        ("MAILP ned@ymir.claremont.edu|RCPT gvaudre@cnri.reston.va.us|DATA|"
         "BLOB 0 100000|BLOBLAST 100000 324"),
        "-", "-", "-", "QUIT",
    };
    static const char head[] =
        "S: 220 cnri.reston.va.us SMTP service ready\n"
        "C: EHLO ymir.claremont.edu\n"
        "S: 250-cnri.reston.va.us says hello\n"
        "S: 250-PIPELINING\n"
        "S: 250-BINARYMIME\n"
        "S: 250 CHUNKING\n"
        "C: MAIL FROM:<ned@ymir.claremont.edu> BODY=BINARYMIME\n"
        "C: RCPT TO:<gvaudre@cnri.reston.va.us>\n"
        "C: BDAT 100000";
    static const char tail[] =
        "S: 250 <ned@YMIR.CLAREMONT.EDU>... Sender and BINARYMIME ok\n"
        "S: 250 <gvaudre@CNRI.RESTON.VA.US>... Recipient ok\n"
        "S: 250 100000 bytes received OK.\n"
        "S: 250 Message OK, 100324 octets received\n"
        "C: QUIT\n"
        "S: 221 Goodbye";
    sch t;
    evlog whole;
    sch_buf s = {0}, c = {0};
    char *blob;
    size_t i;
    uint32_t x = 12345;
    (void)state;
    sch_setup(&t);
    evlog_init(&whole);
    t.script = script1;
    t.nscript = sizeof script1 / sizeof script1[0];
    sch_transcript(&t, tr1, &whole);
    SCH_LACKS(&whole, "\nA ");

    /* Binary data with every byte value, bare CR, bare LF and dots. */
    blob = malloc(100324);
    assert_non_null(blob);
    for (i = 0; i < 100324; i++) {
        x = x * 1103515245u + 12345u;
        blob[i] = (char)(x >> 16);
    }
    memcpy(blob + 10, "\n.\n", 3);
    memcpy(blob + 100000 - 1, "\r", 1);
    t.blob = blob;
    t.mail.present = MW_SMTP_MAIL_BODY;
    t.mail.body = MW_SMTP_BODY_BINARYMIME;
    t.script = script2;
    t.nscript = sizeof script2 / sizeof script2[0];
    t.quiet_data = 1;
    sch_split(head, &s, &c);
    sch_buf_put(&c, blob, 100000);
    sch_buf_put(&c, "BDAT 324 LAST\r\n", 15);
    sch_buf_put(&c, blob + 100000, 324);
    sch_split(tail, &s, &c);
    sch_run(&t, s.p, s.n, c.p, c.n, &whole);
    SCH_HAS(&whole, "R BDAT 250 i=0");
    SCH_HAS(&whole, "R MESSAGE 250");
    SCH_LACKS(&whole, "\nA ");
    free(blob);
    sch_buf_free(&s);
    sch_buf_free(&c);
    evlog_free(&whole);
    sch_teardown(&t);
}
#else
static void test_rfc3030_examples(void **state)
{
    /* CHUNKING compiled out (features.h): the §4.1 server offers it, the
     * client sends the message with DATA all the same... */
    static const char *const script1[] = {
        "EHLO ymir.claremont.edu", "MAIL Sam@Random.com", "RCPT Susan@Random.com",
        "DATA",
        ("LAST To: Susan@random.com\r\nFrom: Sam@random.com\r\n"
         "Subject: This is a bodyless test message\r\n"),
        "QUIT",
    };
    static const char tr1[] =
        RFC3030_41_ENVELOPE
        "C: DATA\n"
        "S: 354 go ahead\n"
        "C: To: Susan@random.com\n"
        "C: From: Sam@random.com\n"
        "C: Subject: This is a bodyless test message\n"
        "C: .\n"
        "S: 250 Message OK\n"
        "C: QUIT\n"
        "S: 221 Goodbye";
    /* ... and the §4.2 BODY=BINARYMIME, which needs BDAT, is refused
     * before anything is sent. */
    static const char *const script2[] = {
        "EHLO ymir.claremont.edu", "MAILP ned@ymir.claremont.edu|QUIT",
    };
    static const char tr2[] =
        "S: 220 cnri.reston.va.us SMTP service ready\n"
        "C: EHLO ymir.claremont.edu\n"
        "S: 250-cnri.reston.va.us says hello\n"
        "S: 250-PIPELINING\n"
        "S: 250-BINARYMIME\n"
        "S: 250 CHUNKING\n"
        "C: QUIT\n"
        "S: 221 Goodbye";
    sch t;
    evlog whole;
    (void)state;
    sch_setup(&t);
    evlog_init(&whole);
    t.script = script1;
    t.nscript = sizeof script1 / sizeof script1[0];
    sch_transcript(&t, tr1, &whole);
    SCH_LACKS(&whole, "\nA ");
    SCH_LACKS(&whole, "BDAT");
    SCH_HAS(&whole, "R MESSAGE 250");
    t.mail.present = MW_SMTP_MAIL_BODY;
    t.mail.body = MW_SMTP_BODY_BINARYMIME;
    t.script = script2;
    t.nscript = sizeof script2 / sizeof script2[0];
    sch_transcript(&t, tr2, &whole);
    SCH_HAS(&whole, "A MAILP -> MW_E_UNSUPPORTED");
    evlog_free(&whole);
    sch_teardown(&t);
}
#endif

static void test_rfc2033_example(void **state)
{
    /* RFC 2033 §4.2: one reply per accepted recipient after the data. */
    static const char *const script[] = {
        "EHLO foo.edu", "MAIL chris@bar.com", "RCPT pat@foo.edu",
        "RCPT jones@foo.edu", "RCPT green@foo.edu", "DATA",
        "WRITE Blah blah blah...\r\n...etc. etc. etc.\r\n|FINISH", "-", "QUIT",
    };
    static const char tr[] =
        "S: 220 foo.edu LMTP server ready\n"
        "C: LHLO foo.edu\n"
        "S: 250-foo.edu\n"
        "S: 250-PIPELINING\n"
        "S: 250 SIZE\n"
        "C: MAIL FROM:<chris@bar.com>\n"
        "S: 250 OK\n"
        "C: RCPT TO:<pat@foo.edu>\n"
        "S: 250 OK\n"
        "C: RCPT TO:<jones@foo.edu>\n"
        "S: 550 No such user here\n"
        "C: RCPT TO:<green@foo.edu>\n"
        "S: 250 OK\n"
        "C: DATA\n"
        "S: 354 Start mail input; end with <CRLF>.<CRLF>\n"
        "C: Blah blah blah...\n"
        "C: ....etc. etc. etc.\n"
        "C: .\n"
        "S: 250 OK\n"
        "S: 452 <green@foo.edu> is temporarily over quota\n"
        "C: QUIT\n"
        "S: 221 foo.edu closing connection";
    sch t;
    evlog whole;
    (void)state;
    sch_setup(&t);
    t.cfg.lmtp = 1;
    t.script = script;
    t.nscript = sizeof script / sizeof script[0];
    evlog_init(&whole);
    sch_transcript(&t, tr, &whole);
    SCH_HAS(&whole, "R LHLO 250");
    SCH_HAS(&whole, "R MESSAGE 250 i=0");
    SCH_HAS(&whole, "R MESSAGE 452 i=1");
    SCH_LACKS(&whole, "\nA ");
    evlog_free(&whole);
    sch_teardown(&t);
}


/* ====================================================================
 * Direct drives (no replay: API calls between feeds)
 * ==================================================================== */

static int feed_str(sch *t, const char *s, size_t *used)
{
    size_t u = 0;
    int rc = mw_smtp_client_feed(&t->c, s, strlen(s), &u);
    if (used != NULL)
        *used = u;
    return rc;
}

static void expect_out(sch *t, const char *want)
{
    sch_expect_bytes("client output", t->out.p ? t->out.p : "", t->out.n, want,
                     strlen(want));
    t->out.n = 0;
    if (t->out.p)
        t->out.p[0] = '\0';
}

static const char *const ready_script[] = {"EHLO client.example"};

/* A client that has had its greeting and EHLO answered with `ehlo`
 * (the whole reply), output cleared. */
static void ready(sch *t, const char *ehlo)
{
    t->script = ready_script;
    t->nscript = 1;
    sch_start(t, &t->own);
    assert_int_equal(feed_str(t, "220 srv.example ESMTP\r\n", NULL), MW_OK);
    assert_int_equal(feed_str(t, ehlo, NULL), MW_OK);
    t->script = NULL;
    t->nscript = 0;
    expect_out(t, "EHLO client.example\r\n");
}

#define EHLO_ALL                                                             \
    "250-srv.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n" \
    "250-DSN\r\n250-SMTPUTF8\r\n250-ETRN\r\n250-REQUIRETLS\r\n"              \
    "250-MT-PRIORITY\r\n250-ENHANCEDSTATUSCODES\r\n"                         \
    "250-AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER X-TEST\r\n250 STARTTLS\r\n"
#define EHLO_PLAIN "250-srv.example\r\n250 8BITMIME\r\n"

static void test_helo_fallback(void **state)
{
    static const char *const script[] = {"EHLO bar.com", "MAIL a@bar.com",
                                         "QUIT"};
    static const char tr[] =
        "S: 220 old.example ready\n"
        "C: EHLO bar.com\n"
        "S: 500 Command unrecognized\n"
        "C: HELO bar.com\n"
        "S: 250 old.example\n"
        "C: MAIL FROM:<a@bar.com>\n"
        "S: 250 OK\n"
        "C: QUIT\n"
        "S: 221 bye";
    sch t;
    evlog whole;
    (void)state;
    sch_setup(&t);
    evlog_init(&whole);
    t.script = script;
    t.nscript = 3;
    sch_transcript(&t, tr, &whole);
    SCH_HAS(&whole, "R HELO 250");
    SCH_LACKS(&whole, "R EHLO");
    SCH_LACKS(&whole, "\nA ");

    /* Switched off: the refusal is the application's. */
    t.cfg.helo_fallback = 0;
    t.script = NULL;
    ready(&t, "250 x\r\n");
    assert_int_equal(mw_smtp_client_ehlo(&t.c, SPAN("bar.com")), MW_OK);
    t.out.n = 0;
    assert_int_equal(feed_str(&t, "502 5.5.2 no\r\n", NULL), MW_OK);
    expect_out(&t, "");
    SCH_HAS(&t.own, "R EHLO 502");
    /* After HELO no extension may be used. */
    assert_int_equal(mw_smtp_client_helo(&t.c, SPAN("bar.com")), MW_OK);
    assert_int_equal(feed_str(&t, "250 hi\r\n", NULL), MW_OK);
    t.mail.present = MW_SMTP_MAIL_BODY;
    t.mail.body = MW_SMTP_BODY_8BITMIME;
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), &t.mail),
                     MW_E_STATE);

    /* LMTP has no HELO: a refused LHLO is final. */
    t.cfg = (mw_smtp_client_config){0};
    mw_smtp_client_config_init(&t.cfg);
    t.cfg.lmtp = 1;
    t.script = ready_script;
    t.nscript = 1;
    sch_start(&t, &t.own);
    assert_int_equal(feed_str(&t, "220 lmtp\r\n", NULL), MW_OK);
    assert_int_equal(feed_str(&t, "500 no\r\n", NULL), MW_OK);
    expect_out(&t, "LHLO client.example\r\n");
    assert_int_equal(mw_smtp_client_helo(&t.c, SPAN("x.example")), MW_E_STATE);
    evlog_free(&whole);
    sch_teardown(&t);
}

static void test_fatal_replies(void **state)
{
    static const char *const script[] = {"EHLO bar.com"};
    sch t;
    evlog whole;
    mw_error e;
    size_t used;
    (void)state;
    sch_setup(&t);
    evlog_init(&whole);
    t.script = script;
    t.nscript = 1;

    /* RFC 5321 §4.2.1: every line of a reply has the same code. */
    sch_run(&t, S_("220 x\r\n250-a\r\n251 b\r\n"), S_("EHLO bar.com\r\n"), &whole);
    SCH_HAS(&whole, "E MW_E_SYNTAX @14 " R_("reply line code differs"));
    SCH_HAS(&whole, "replay: feed MW_E_CLOSED");
    assert_int_equal(mw_smtp_client_error(&t.c, &e), MW_E_SYNTAX);
    assert_int_equal(e.offset, 14);
    assert_int_equal(mw_smtp_client_want(&t.c), MW_SMTP_CLIENT_WANT_CLOSED);
    assert_int_equal(feed_str(&t, "250 b\r\n", NULL), MW_E_CLOSED);
    assert_int_equal(mw_smtp_client_noop(&t.c), MW_E_CLOSED);

    /* A reply nobody asked for. */
    sch_run(&t, S_("220 x\r\n250 ok\r\n250 extra\r\n"), S_("EHLO bar.com\r\n"),
            &whole);
    SCH_HAS(&whole, "E MW_E_SEQUENCE @15 " R_("a reply with no command awaiting it"));
    /* ...but a 421 closes the session (RFC 5321 §3.8). */
    sch_run(&t, S_("220 x\r\n250 ok\r\n421 4.3.2 shutting down\r\n"),
            S_("EHLO bar.com\r\n"), &whole);
    SCH_HAS(&whole, "R UNSOLICITED 421");
    SCH_HAS(&whole, "replay: done at 40");

    /* Malformed lines, NUL, bare LF (strict by default). */
    sch_run(&t, S_("220 x\r\n25O ok\r\n"), S_("EHLO bar.com\r\n"), &whole);
    SCH_HAS(&whole, "E MW_E_SYNTAX @9 " R_("third digit"));
    sch_run(&t, S_("220 x\r\n250 o\0k\r\n"), S_("EHLO bar.com\r\n"), &whole);
    SCH_HAS(&whole, "E MW_E_NUL @12");
    sch_run(&t, S_("220 x\r\n250 ok\n"), S_("EHLO bar.com\r\n"), &whole);
    SCH_HAS(&whole, "E MW_E_BARE_LF @13");
    sch_run(&t, S_("220 x\r\n250 o\rk\r\n"), S_("EHLO bar.com\r\n"), &whole);
    SCH_HAS(&whole, "E MW_E_BARE_CR @12");
    /* ... and taken with reply_newlines ACCEPT. */
    t.cfg.reply_newlines = MW_NEWLINE_ACCEPT;
    sch_run(&t, S_("220 x\n250-a\r251 b\n"), S_("EHLO bar.com\r\n"), &whole);
    SCH_HAS(&whole, "E MW_E_SYNTAX @12 " R_("reply line code differs"));
    sch_run(&t, S_("220 x\n250 ok\n"), S_("EHLO bar.com\r\n"), &whole);
    SCH_HAS(&whole, "R EHLO 250");
    SCH_LACKS(&whole, "\nE ");
    t.cfg.reply_newlines = MW_NEWLINE_REJECT;

    /* The server closes with a reply cut off, or a reply owed. */
    sch_start(&t, &t.own);
    assert_int_equal(feed_str(&t, "220 x\r\n250-a\r\n", &used), MW_OK);
    assert_int_equal(mw_smtp_client_eof(&t.c), MW_E_INCOMPLETE);
    assert_int_equal(mw_smtp_client_want(&t.c), MW_SMTP_CLIENT_WANT_CLOSED);
    sch_start(&t, &t.own);
    assert_int_equal(mw_smtp_client_eof(&t.c), MW_E_INCOMPLETE);
    t.script = NULL;
    sch_start(&t, &t.own);
    assert_int_equal(feed_str(&t, "220 x\r\n", &used), MW_OK);
    assert_int_equal(mw_smtp_client_eof(&t.c), MW_OK);
    evlog_free(&whole);
    sch_teardown(&t);
}

#define EHLO_TLS "250-srv.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n"

static void test_starttls_injection(void **state)
{
    sch t;
    mw_error e;
    size_t used = 0;
    (void)state;
    sch_setup(&t);

    /* The 220 and more bytes in the same read: fatal, before anything
     * is delivered (no TLS event: the handshake must not start). */
    ready(&t, EHLO_TLS);
    assert_int_equal(mw_smtp_client_starttls(&t.c), MW_OK);
    expect_out(&t, "STARTTLS\r\n");
    evlog_reset(&t.own);
    assert_int_equal(feed_str(&t, "220 2.0.0 Ready\r\n250-fake\r\n250 AUTH PLAIN\r\n",
                              &used),
                     MW_E_CLOSED);
    assert_int_equal(used, 17);
    assert_int_equal(mw_smtp_client_error(&t.c, &e), MW_E_INJECTION);
    assert_int_equal(e.offset, 23 + 47 + 17);
    assert_int_equal(t.ntls, 0);
    SCH_LACKS(&t.own, "R STARTTLS");
    SCH_HAS(&t.own, R_("response injection"));
    assert_int_equal(mw_smtp_client_want(&t.c), MW_SMTP_CLIENT_WANT_CLOSED);
    assert_int_equal(mw_smtp_client_tls_done(&t.c), MW_E_STATE);

    /* One byte behind the 220 is enough. */
    ready(&t, EHLO_TLS);
    assert_int_equal(mw_smtp_client_starttls(&t.c), MW_OK);
    assert_int_equal(feed_str(&t, "220 Ready\r\nX", &used), MW_E_CLOSED);
    assert_int_equal(used, 11);

    /* The 220 alone, then bytes before TLS is up: fatal too. */
    ready(&t, EHLO_TLS);
    assert_int_equal(mw_smtp_client_starttls(&t.c), MW_OK);
    evlog_reset(&t.own);
    assert_int_equal(feed_str(&t, "220 2.0.0 Ready\r\n", &used), MW_OK);
    SCH_HAS(&t.own, "R STARTTLS 220");
    SCH_HAS(&t.own, "TLS");
    assert_int_equal(mw_smtp_client_want(&t.c), MW_SMTP_CLIENT_WANT_TLS);
    assert_int_equal(mw_smtp_client_noop(&t.c), MW_E_STATE);
    assert_int_equal(feed_str(&t, "", &used), MW_OK);
    assert_int_equal(feed_str(&t, "2", &used), MW_E_CLOSED);
    assert_int_equal(used, 0);
    assert_int_equal(mw_smtp_client_error(&t.c, &e), MW_E_INJECTION);
    assert_int_equal(e.offset, 23 + 47 + 17);

    /* The 220 cut anywhere, with a byte after it in the last piece. */
    for (size_t cut = 1; cut < 17; cut++) {
        static const char in[] = "220 2.0.0 Ready\r\nZ";
        ready(&t, EHLO_TLS);
        assert_int_equal(mw_smtp_client_starttls(&t.c), MW_OK);
        assert_int_equal(mw_smtp_client_feed(&t.c, in, cut, &used), MW_OK);
        assert_int_equal(mw_smtp_client_feed(&t.c, in + cut, 18 - cut, &used),
                         MW_E_CLOSED);
        assert_int_equal(used, 17 - cut);
    }

    /* Done right: TLS up, capabilities forgotten, EHLO again. */
    ready(&t, EHLO_TLS);
    assert_int_equal(mw_smtp_client_starttls(&t.c), MW_OK);
    assert_int_equal(feed_str(&t, "220 go\r\n", &used), MW_OK);
    t.out.n = 0;
    assert_int_equal(mw_smtp_client_tls_done(&t.c), MW_OK);
    expect_out(&t, "EHLO client.example\r\n");
    assert_int_equal(mw_smtp_client_caps(&t.c)->ext, 0);
    assert_int_equal(mw_smtp_client_want(&t.c), MW_SMTP_CLIENT_WANT_INPUT);
    assert_int_equal(feed_str(&t, "250-srv.example\r\n250 AUTH PLAIN\r\n", &used),
                     MW_OK);
    assert_int_equal(mw_smtp_client_caps(&t.c)->ext, MW_SMTP_EXT_AUTH);
    assert_int_equal(mw_smtp_client_starttls(&t.c), MW_E_STATE);
    sch_teardown(&t);
}

static void test_require_tls(void **state)
{
    static const char *const script[] = {"EHLO bar.com", "MAIL a@bar.com"};
    static const char *const script_tls[] = {"EHLO bar.com", "STARTTLS"};
    sch t;
    evlog whole;
    (void)state;
    sch_setup(&t);
    evlog_init(&whole);
    t.cfg.require_tls = 1;

    /* No STARTTLS offered: fail, QUIT, never MAIL. */
    t.script = script;
    t.nscript = 2;
    sch_run(&t, S_("220 x\r\n250-x\r\n250 PIPELINING\r\n221 bye\r\n"),
            S_("EHLO bar.com\r\nQUIT\r\n"), &whole);
    SCH_HAS(&whole, "E MW_E_STATE @7 " R_("TLS is required and the server does "
                                          "not offer STARTTLS"));
    SCH_HAS(&whole, "A MAIL -> MW_E_STATE");
    SCH_HAS(&whole, "R QUIT 221");

    /* STARTTLS refused (454): QUIT. */
    t.script = script_tls;
    t.nscript = 2;
    sch_run(&t, S_("220 x\r\n250-x\r\n250 STARTTLS\r\n454 4.7.0 TLS not "
                   "available\r\n221 bye\r\n"),
            S_("EHLO bar.com\r\nSTARTTLS\r\nQUIT\r\n"), &whole);
    SCH_HAS(&whole, "E MW_E_STATE @28 " R_("TLS is required and the server refused STARTTLS"));
    SCH_HAS(&whole, "R QUIT 221");
    /* A success code other than 220 is no go-ahead either. */
    sch_run(&t, S_("220 x\r\n250-x\r\n250 STARTTLS\r\n250 ok\r\n221 bye\r\n"),
            S_("EHLO bar.com\r\nSTARTTLS\r\nQUIT\r\n"), &whole);
    SCH_HAS(&whole, "E MW_E_STATE @28 " R_("TLS is required and the server refused STARTTLS"));

    /* EHLO refused: no HELO fallback (HELO cannot lead to TLS). */
    t.script = script;
    sch_run(&t, S_("220 x\r\n502 no\r\n221 bye\r\n"), S_("EHLO bar.com\r\nQUIT\r\n"),
            &whole);
    SCH_HAS(&whole, "E MW_E_STATE @7 " R_("TLS is required and the server refused EHLO"));
    /* HELO by hand: refused too. */
    t.script = NULL;
    sch_start(&t, &t.own);
    assert_int_equal(feed_str(&t, "220 x\r\n", NULL), MW_OK);
    assert_int_equal(mw_smtp_client_helo(&t.c, SPAN("bar.com")), MW_OK);
    assert_int_equal(feed_str(&t, "250 ok\r\n", NULL), MW_OK);
    SCH_HAS(&t.own, "E MW_E_STATE @7 " R_("TLS is required and the server only took HELO"));

    /* Before TLS: MAIL, VRFY, EXPN, ETRN and AUTH are refused. */
    ready(&t, EHLO_ALL);
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), NULL),
                     MW_E_STATE);
    assert_int_equal(mw_smtp_client_vrfy(&t.c, SPAN("x")), MW_E_STATE);
    assert_int_equal(mw_smtp_client_expn(&t.c, SPAN("x")), MW_E_STATE);
    assert_int_equal(mw_smtp_client_etrn(&t.c, SPAN("b.example")), MW_E_STATE);
    assert_int_equal(mw_smtp_client_auth_plain(&t.c, SPAN(""), SPAN("u"),
                                               SPAN("p")),
                     MW_E_STATE);
    expect_out(&t, "");
    /* After TLS they go. */
    assert_int_equal(mw_smtp_client_starttls(&t.c), MW_OK);
    assert_int_equal(feed_str(&t, "220 go\r\n", NULL), MW_OK);
    assert_int_equal(mw_smtp_client_tls_done(&t.c), MW_OK);
    assert_int_equal(feed_str(&t, EHLO_ALL, NULL), MW_OK);
    t.out.n = 0;
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), NULL), MW_OK);

    /* Implicit TLS satisfies the policy. */
    t.cfg.tls_active = 1;
    ready(&t, "250 x\r\n");
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), NULL), MW_OK);
    /* Without the policy, AUTH still waits for TLS by default. */
    t.cfg.require_tls = 0;
    t.cfg.tls_active = 0;
    ready(&t, EHLO_ALL);
    assert_int_equal(mw_smtp_client_auth_plain(&t.c, SPAN(""), SPAN("u"),
                                               SPAN("p")),
                     MW_E_STATE);
    t.cfg.auth_without_tls = 1;
    ready(&t, EHLO_ALL);
    assert_int_equal(mw_smtp_client_auth_plain(&t.c, SPAN(""), SPAN("u"),
                                               SPAN("p")),
                     MW_OK);
    evlog_free(&whole);
    sch_teardown(&t);
}

static int nop_step(void *user, const char *ch, size_t clen, char *out,
                    size_t cap, size_t *rlen)
{
    (void)user;
    (void)ch;
    (void)clen;
    (void)out;
    (void)cap;
    *rlen = 0;
    return MW_PAUSED;
}

/* CR, LF and NUL at offset 1 of every argument of every formatter:
 * MW_E_INVAL, the offset, nothing sent. */
static void test_ctl_in_every_argument(void **state)
{
    static const char ctl[] = {'\r', '\n', '\0'};
    sch t;
    size_t k;
    (void)state;
    sch_setup(&t);
    t.cfg.tls_active = 1;
    ready(&t, EHLO_ALL);
    for (k = 0; k < 3; k++) {
        char bad_dom[] = "ab.example", bad_box[] = "ab@b.example";
        char bad_txt[] = "abc", bad_tok[] = "ya29token";
        mw_span d = SPAN(bad_dom), m = SPAN(bad_box), x = SPAN(bad_txt);
        mw_span tok = SPAN(bad_tok), ok = SPAN("ok");
        mw_smtp_param prm;
        mw_error e;
        int i, rc = 0;
        bad_dom[1] = bad_box[1] = bad_txt[1] = bad_tok[1] = ctl[k];
        for (i = 0; i < 22; i++) {
            memset(&t.mail, 0, sizeof t.mail);
            memset(&t.rcpt, 0, sizeof t.rcpt);
            prm.name = SPAN("X-P");
            prm.value = SPAN("v");
            switch (i) {
            case 0: rc = mw_smtp_client_ehlo(&t.c, d); break;
            case 1: rc = mw_smtp_client_helo(&t.c, d); break;
            case 2: rc = mw_smtp_client_mail(&t.c, m, NULL); break;
            case 3:
                t.mail.present = MW_SMTP_MAIL_ENVID;
                t.mail.envid = x;
                rc = mw_smtp_client_mail(&t.c, SPAN("a@b.example"), &t.mail);
                break;
            case 4:
                t.mail.present = MW_SMTP_MAIL_AUTH;
                t.mail.auth = m;
                rc = mw_smtp_client_mail(&t.c, SPAN("a@b.example"), &t.mail);
                break;
            case 5:
                prm.name = x;
                rc = mw_smtp_client_mail_ext(&t.c, SPAN("a@b.example"), NULL,
                                             &prm, 1);
                break;
            case 6:
                prm.value = x;
                rc = mw_smtp_client_mail_ext(&t.c, SPAN("a@b.example"), NULL,
                                             &prm, 1);
                break;
            case 7: rc = mw_smtp_client_vrfy(&t.c, x); break;
            case 8: rc = mw_smtp_client_expn(&t.c, x); break;
            case 9: rc = mw_smtp_client_help(&t.c, x); break;
            case 10: rc = mw_smtp_client_etrn(&t.c, d); break;
            case 11: rc = mw_smtp_client_auth_plain(&t.c, x, ok, ok); break;
            case 12: rc = mw_smtp_client_auth_plain(&t.c, ok, x, ok); break;
            case 13: rc = mw_smtp_client_auth_plain(&t.c, ok, ok, x); break;
            case 14: rc = mw_smtp_client_auth_login(&t.c, x, ok); break;
            case 15: rc = mw_smtp_client_auth_login(&t.c, ok, x); break;
            case 16: rc = mw_smtp_client_auth_xoauth2(&t.c, m, SPAN("tok")); break;
            case 17: rc = mw_smtp_client_auth_xoauth2(&t.c, ok, tok); break;
            case 18:
                rc = mw_smtp_client_auth_oauthbearer(&t.c, m, ok, 587, SPAN("tok"));
                break;
            case 19:
                rc = mw_smtp_client_auth_oauthbearer(&t.c, ok, d, 587, SPAN("tok"));
                break;
            case 20:
                rc = mw_smtp_client_auth_oauthbearer(&t.c, ok, ok, 587, tok);
                break;
            case 21: {
                char mech[] = "XXTEST";
                mech[1] = ctl[k];
                rc = mw_smtp_client_auth_sasl(&t.c, sch_span(mech, 6), nop_step,
                                              NULL);
                break;
            }
            }
#if !MW_ENABLE_SASL_OAUTH
            if (i >= 16 && i <= 20) {
                /* compiled out: refused whatever the arguments, unsent */
                assert_int_equal(rc, MW_E_UNSUPPORTED);
                assert_int_equal(t.out.n, 0);
                continue;
            }
#endif
            if (rc != MW_E_INVAL)
                fail_msg("argument case %d, ctl %d: %s", i, (int)k,
                         mw_status_name(rc));
            mw_smtp_client_error(&t.c, &e);
            if (e.offset != 1)
                fail_msg("argument case %d, ctl %d: offset %zu", i, (int)k,
                         e.offset);
            assert_int_equal(t.out.n, 0);
        }
        /* RCPT and its parameters, in a transaction. */
        assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), NULL),
                         MW_OK);
        t.out.n = 0;
        for (i = 0; i < 5; i++) {
            memset(&t.rcpt, 0, sizeof t.rcpt);
            prm.name = SPAN("X-P");
            prm.value = SPAN("v");
            switch (i) {
            case 0: rc = mw_smtp_client_rcpt(&t.c, m, NULL); break;
            case 1:
                t.rcpt.present = MW_SMTP_RCPT_ORCPT;
                t.rcpt.orcpt = m;
                rc = mw_smtp_client_rcpt(&t.c, SPAN("c@d.example"), &t.rcpt);
                break;
            case 2:
                t.rcpt.present = MW_SMTP_RCPT_ORCPT;
                t.rcpt.orcpt = SPAN("c@d.example");
                t.rcpt.orcpt_type = x;
                rc = mw_smtp_client_rcpt(&t.c, SPAN("c@d.example"), &t.rcpt);
                break;
            case 3:
                prm.name = x;
                rc = mw_smtp_client_rcpt_ext(&t.c, SPAN("c@d.example"), NULL,
                                             &prm, 1);
                break;
            case 4:
                prm.value = x;
                rc = mw_smtp_client_rcpt_ext(&t.c, SPAN("c@d.example"), NULL,
                                             &prm, 1);
                break;
            }
            if (rc != MW_E_INVAL)
                fail_msg("rcpt case %d, ctl %d: %s", i, (int)k, mw_status_name(rc));
            mw_smtp_client_error(&t.c, &e);
            assert_int_equal(e.offset, 1);
            assert_int_equal(t.out.n, 0);
        }
        assert_int_equal(mw_smtp_client_rset(&t.c), MW_OK);
        assert_int_equal(feed_str(&t, "250 ok\r\n250 ok\r\n", NULL), MW_OK);
        t.out.n = 0;
    }
    /* Control characters in xtext values are refused even though xtext
     * could carry them (Exim CVE-2020-28021). */
    t.mail.present = MW_SMTP_MAIL_ENVID;
    t.mail.envid = SPAN("a\tb");
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), &t.mail),
                     MW_E_INVAL);
    sch_teardown(&t);
}

/* ---- message data ---- */

/* An independent model of the data on the wire after DATA: bare CR and
 * bare LF become CRLF, a '.' at a line start is doubled, the end is
 * CRLF "." CRLF (RFC 5321 §4.5.2). */
static void model_dot(const char *p, size_t n, sch_buf *out)
{
    int start = 1;
    size_t i;
    for (i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < n && p[i + 1] == '\n')
                i++;
            sch_buf_put(out, "\r\n", 2);
            start = 1;
            continue;
        }
        if (start && c == '.')
            sch_buf_put(out, ".", 1);
        sch_buf_put(out, &c, 1);
        start = 0;
    }
    if (!start)
        sch_buf_put(out, "\r\n", 2);
    sch_buf_put(out, ".\r\n", 3);
}

/* The same without stuffing: what BDAT carries. */
static void model_bdat(const char *p, size_t n, sch_buf *out)
{
    int start = 1;
    size_t i;
    for (i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < n && p[i + 1] == '\n')
                i++;
            sch_buf_put(out, "\r\n", 2);
            start = 1;
            continue;
        }
        sch_buf_put(out, &c, 1);
        start = 0;
    }
    if (!start)
        sch_buf_put(out, "\r\n", 2);
}

/* Undo BDAT framing: the concatenated chunk data, checking that each
 * header counts its bytes and that only the last says LAST. */
static void unframe_bdat(const char *p, size_t n, sch_buf *data)
{
    size_t pos = 0;
    int last = 0;
    while (pos < n) {
        char *end;
        unsigned long len;
        assert_false(last);
        assert_true(n - pos > 7 && memcmp(p + pos, "BDAT ", 5) == 0);
        len = strtoul(p + pos + 5, &end, 10);
        if (strncmp(end, " LAST", 5) == 0) {
            last = 1;
            end += 5;
        }
        assert_true(end[0] == '\r' && end[1] == '\n');
        pos = (size_t)(end + 2 - p);
        assert_true(len <= n - pos);
        sch_buf_put(data, p + pos, len);
        pos += len;
    }
    assert_true(last);
}

static const char *const bodies[] = {
    "", ".", "..", ".\r\n", "..\r\n", "\r\n", "x", "abc\r\n",
    ".x\r\nfoo\r\n.\r\n..\r\n", "a\r\n.\r\n.\r\nb",
    /* SMTP smuggling vectors (CVE-2023-51764/5/6) */
    "a\n.\nb", "a\n.\r\nb", "a\r\n.\nb", "a\r.\rb", "a\r\n.\rb", "a\r\n.\r",
    "\r", "\n", "\r\r\n\n", "\n.", "line\r\n.\r\n\r\n.\r\nmore\r\n",
    "caf\xc3\xa9 \x80\xff\r\n.\x01\r\n",
};

static void check_wire_clean(const char *p, size_t n)
{
    size_t i;
    /* No bare CR or LF, and CRLF "." CRLF only at the very end. */
    for (i = 0; i < n; i++) {
        if (p[i] == '\r')
            assert_true(i + 1 < n && p[i + 1] == '\n');
        if (p[i] == '\n')
            assert_true(i > 0 && p[i - 1] == '\r');
    }
    for (i = 0; i + 5 <= n; i++)
        if (memcmp(p + i, "\r\n.\r\n", 5) == 0)
            assert_int_equal(i + 5, n);
}

static void data_ready(sch *t, int chunking)
{
    ready(t, chunking ? "250-srv\r\n250-PIPELINING\r\n250 CHUNKING\r\n"
                      : "250-srv\r\n250 PIPELINING\r\n");
    assert_int_equal(mw_smtp_client_mail(&t->c, SPAN("a@b.example"), NULL), MW_OK);
    assert_int_equal(mw_smtp_client_rcpt(&t->c, SPAN("c@d.example"), NULL), MW_OK);
    assert_int_equal(mw_smtp_client_data(&t->c), MW_OK);
    if (chunking) {
        assert_int_equal(feed_str(t, "250 ok\r\n250 ok\r\n", NULL), MW_OK);
        expect_out(t, "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n");
    } else {
        assert_int_equal(feed_str(t, "250 ok\r\n250 ok\r\n354 go\r\n", NULL), MW_OK);
        expect_out(t, "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n"
                      "DATA\r\n");
    }
    assert_true(mw_smtp_client_want(&t->c) & MW_SMTP_CLIENT_WANT_BODY);
}

static void test_data_stuffing_and_newlines(void **state)
{
    sch t;
    size_t b;
    (void)state;
    sch_setup(&t);
    t.quiet_data = 1;
    for (b = 0; b < sizeof bodies / sizeof bodies[0]; b++) {
        const char *body = bodies[b];
        size_t n = strlen(body), k;
        int chunking;
        if (b == sizeof bodies / sizeof bodies[0] - 1)
            n = strlen(body); /* 8-bit passes as it is */
        /* BDAT only with CHUNKING compiled in (features.h); without,
         * test_rfc3030_examples checks that DATA is used instead. */
        for (chunking = 0; chunking <= MW_ENABLE_SMTP_CHUNKING; chunking++) {
            sch_buf want = {0};
            if (chunking)
                model_bdat(body, n, &want);
            else
                model_dot(body, n, &want);
            /* Every chunk size, and every way of ending (FINISH after the
             * last write, or the last bytes with write_last). */
            for (k = 1; k <= (n ? n : 1); k++) {
                int how;
                for (how = 0; how < 2; how++) {
                    size_t pos = 0;
                    data_ready(&t, chunking);
                    while (pos < n) {
                        size_t m = n - pos < k ? n - pos : k;
                        if (how == 1 && pos + m == n)
                            break;
                        assert_int_equal(mw_smtp_client_write(&t.c, body + pos, m),
                                         MW_OK);
                        pos += m;
                    }
                    if (how == 1)
                        assert_int_equal(mw_smtp_client_write_last(&t.c, body + pos,
                                                                   n - pos),
                                         MW_OK);
                    else
                        assert_int_equal(mw_smtp_client_finish(&t.c), MW_OK);
                    if (chunking) {
                        sch_buf got = {0};
                        unframe_bdat(t.out.p ? t.out.p : "", t.out.n, &got);
                        sch_expect_bytes("BDAT data", got.p ? got.p : "", got.n,
                                         want.p ? want.p : "", want.n);
                        sch_buf_free(&got);
                    } else {
                        sch_expect_bytes("DATA stream", t.out.p, t.out.n, want.p,
                                         want.n);
                        check_wire_clean(t.out.p, t.out.n);
                    }
                    assert_int_equal(mw_smtp_client_want(&t.c),
                                     MW_SMTP_CLIENT_WANT_INPUT |
                                         MW_SMTP_CLIENT_WANT_SEND);
                    evlog_reset(&t.own);
                    /* One reply per BDAT chunk, the last for the message. */
                    if (chunking) {
                        const char *q = t.out.p;
                        while ((q = strstr(q, "BDAT ")) != NULL) {
                            q++;
                            assert_int_equal(feed_str(&t, "250 ok\r\n", NULL),
                                             MW_OK);
                        }
                    } else {
                        assert_int_equal(feed_str(&t, "250 queued\r\n", NULL),
                                         MW_OK);
                    }
                    SCH_HAS(&t.own, "R MESSAGE 250");
                    if (mw_smtp_client_want(&t.c) != MW_SMTP_CLIENT_WANT_SEND)
                        fail_msg("body %zu chunk %zu how %d chunking %d: want %x",
                                 b, k, how, chunking,
                                 mw_smtp_client_want(&t.c));
                }
            }
            sch_buf_free(&want);
        }
    }
    sch_teardown(&t);
}

static void test_data_reject_newlines(void **state)
{
    sch t;
    mw_error e;
    int chunking;
    (void)state;
    sch_setup(&t);
    t.cfg.body_newlines = MW_NEWLINE_REJECT;
    for (chunking = 0; chunking <= MW_ENABLE_SMTP_CHUNKING; chunking++) {
        data_ready(&t, chunking);
        /* A bare LF: refused, nothing of the write sent. */
        assert_int_equal(mw_smtp_client_write(&t.c, S_("ab\r\ncd\nef")),
                         MW_E_BARE_LF);
        mw_smtp_client_error(&t.c, &e);
        assert_int_equal(e.offset, 6);
        expect_out(&t, "");
        assert_int_equal(mw_smtp_client_write(&t.c, S_("ab\rc")), MW_E_BARE_CR);
        mw_smtp_client_error(&t.c, &e);
        assert_int_equal(e.offset, 2);
        /* Good data goes on; a CR at the end of a write waits for the
         * next byte. */
        assert_int_equal(mw_smtp_client_write(&t.c, S_("ab\r")), MW_OK);
        assert_int_equal(mw_smtp_client_write(&t.c, S_("\ncd\r")), MW_OK);
        assert_int_equal(mw_smtp_client_write(&t.c, S_("x")), MW_E_BARE_CR);
        mw_smtp_client_error(&t.c, &e);
        assert_int_equal(e.offset, 6); /* the CR, counted from the start */
        /* The CR was dropped: the data goes on without it. */
        assert_int_equal(mw_smtp_client_write(&t.c, S_("x\r")), MW_OK);
        assert_int_equal(mw_smtp_client_finish(&t.c), MW_E_BARE_CR);
        mw_smtp_client_error(&t.c, &e);
        assert_int_equal(e.offset, 8);
        assert_int_equal(mw_smtp_client_finish(&t.c), MW_OK);
        if (chunking) {
            sch_buf got = {0};
            unframe_bdat(t.out.p, t.out.n, &got);
            sch_expect_bytes("BDAT data", got.p, got.n, S_("ab\r\ncdx\r\n"));
            sch_buf_free(&got);
        } else {
            expect_out(&t, "ab\r\ncdx\r\n.\r\n");
        }
    }
    sch_teardown(&t);
}

static void test_pipelining_rules(void **state)
{
    sch t;
    size_t i;
    (void)state;
    sch_setup(&t);

    /* No PIPELINING: one command at a time. */
    ready(&t, "250-srv\r\n250 SIZE\r\n");
    assert_int_equal(mw_smtp_client_want(&t.c), MW_SMTP_CLIENT_WANT_SEND);
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), NULL), MW_OK);
    assert_int_equal(mw_smtp_client_want(&t.c), MW_SMTP_CLIENT_WANT_INPUT);
    assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("c@d.example"), NULL),
                     MW_E_STATE);
    assert_int_equal(feed_str(&t, "250 ok\r\n", NULL), MW_OK);
    assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("c@d.example"), NULL), MW_OK);
    assert_int_equal(mw_smtp_client_data(&t.c), MW_E_STATE);
    assert_int_equal(feed_str(&t, "250 ok\r\n", NULL), MW_OK);
    assert_int_equal(mw_smtp_client_data(&t.c), MW_OK);
    assert_int_equal(mw_smtp_client_write(&t.c, S_("x")), MW_E_STATE);
    expect_out(&t, "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n");

    /* PIPELINING: MAIL, RCPT... and DATA in one group; nothing after
     * DATA until its reply; RSET anywhere. */
    ready(&t, "250-srv\r\n250 PIPELINING\r\n");
    assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("c@d.example"), NULL),
                     MW_E_STATE); /* no MAIL */
    assert_int_equal(mw_smtp_client_data(&t.c), MW_E_STATE);
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), NULL), MW_OK);
    assert_int_equal(mw_smtp_client_data(&t.c), MW_E_STATE); /* no RCPT */
    for (i = 0; i < 3; i++)
        assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("c@d.example"), NULL),
                         MW_OK);
    assert_int_equal(mw_smtp_client_want(&t.c),
                     MW_SMTP_CLIENT_WANT_INPUT | MW_SMTP_CLIENT_WANT_SEND);
    assert_int_equal(mw_smtp_client_data(&t.c), MW_OK);
    assert_int_equal(mw_smtp_client_want(&t.c), MW_SMTP_CLIENT_WANT_INPUT);
    assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("e@d.example"), NULL),
                     MW_E_STATE);
    assert_int_equal(mw_smtp_client_noop(&t.c), MW_E_STATE);
    assert_int_equal(mw_smtp_client_rset(&t.c), MW_E_STATE);
    assert_int_equal(feed_str(&t, "250 a\r\n250 b\r\n550 c\r\n250 d\r\n354 e\r\n",
                              NULL),
                     MW_OK);
    SCH_HAS(&t.own, "R RCPT 550 i=1");
    SCH_HAS(&t.own, "R RCPT 250 i=2");
    assert_int_equal(mw_smtp_client_want(&t.c), MW_SMTP_CLIENT_WANT_BODY);
    assert_int_equal(mw_smtp_client_noop(&t.c), MW_E_STATE); /* in the data */
    assert_int_equal(mw_smtp_client_quit(&t.c), MW_E_STATE);
    assert_int_equal(mw_smtp_client_finish(&t.c), MW_OK);
    /* After the data a new group may start at once. */
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), NULL), MW_OK);
    assert_int_equal(mw_smtp_client_rset(&t.c), MW_OK);
    assert_int_equal(mw_smtp_client_quit(&t.c), MW_OK);
    assert_int_equal(mw_smtp_client_noop(&t.c), MW_E_STATE);
    assert_int_equal(feed_str(&t, "250 queued\r\n250 ok\r\n250 ok\r\n221 bye\r\n",
                              NULL),
                     MW_DONE);
    SCH_HAS(&t.own, "R MESSAGE 250");
    SCH_HAS(&t.own, "R RSET 250");

    /* The queue: RCPT runs share one entry; other commands take one each
     * (MW_SMTP_CLIENT_QUEUE of them). */
    ready(&t, "250-srv\r\n250 PIPELINING\r\n");
    for (i = 0; i < MW_SMTP_CLIENT_QUEUE; i++)
        assert_int_equal(mw_smtp_client_rset(&t.c), MW_OK);
    assert_int_equal(mw_smtp_client_rset(&t.c), MW_E_STATE);
    for (i = 0; i < MW_SMTP_CLIENT_QUEUE; i++)
        assert_int_equal(feed_str(&t, "250 ok\r\n", NULL), MW_OK);
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), NULL), MW_OK);
    for (i = 0; i < 1000; i++)
        assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("c@d.example"), NULL),
                         MW_OK);
    sch_teardown(&t);
}

static void test_data_no_recipient(void **state)
{
    sch t;
    (void)state;
    sch_setup(&t);
    /* RFC 2920 §3.1: DATA accepted although every RCPT failed: the client
     * sends the lone dot itself; writing is refused. */
    ready(&t, "250-srv\r\n250 PIPELINING\r\n");
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), NULL), MW_OK);
    assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("c@d.example"), NULL), MW_OK);
    assert_int_equal(mw_smtp_client_data(&t.c), MW_OK);
    t.out.n = 0;
    assert_int_equal(feed_str(&t, "250 ok\r\n550 no\r\n354 go\r\n", NULL), MW_OK);
    expect_out(&t, ".\r\n");
    assert_int_equal(mw_smtp_client_write(&t.c, S_("x")), MW_E_STATE);
    assert_int_equal(feed_str(&t, "554 5.5.1 no valid recipients\r\n", NULL),
                     MW_OK);
    SCH_HAS(&t.own, "R MESSAGE 554");
    assert_int_equal(mw_smtp_client_want(&t.c), MW_SMTP_CLIENT_WANT_SEND);
    /* Without PIPELINING DATA is refused locally when no RCPT took. */
    ready(&t, "250 srv\r\n");
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), NULL), MW_OK);
    assert_int_equal(feed_str(&t, "250 ok\r\n", NULL), MW_OK);
    assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("c@d.example"), NULL), MW_OK);
    assert_int_equal(feed_str(&t, "550 no\r\n", NULL), MW_OK);
    assert_int_equal(mw_smtp_client_data(&t.c), MW_E_STATE);
    /* MAIL refused: RCPT refused locally too. */
    assert_int_equal(mw_smtp_client_rset(&t.c), MW_OK);
    assert_int_equal(feed_str(&t, "250 ok\r\n", NULL), MW_OK);
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), NULL), MW_OK);
    assert_int_equal(feed_str(&t, "550 no\r\n", NULL), MW_OK);
    assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("c@d.example"), NULL),
                     MW_E_STATE);
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), NULL), MW_OK);
    sch_teardown(&t);
}


/* ---- AUTH ---- */

typedef struct hook {
    int calls;
    int first;        /* status of the first call */
    const char *ir;   /* initial response */
    const char *resp; /* response to every challenge */
    int resp_status;
    char seen[128];
    size_t seen_len;
} hook;

static int hook_step(void *user, const char *ch, size_t clen, char *out,
                     size_t cap, size_t *rlen)
{
    hook *h = user;
    const char *r;
    h->calls++;
    if (ch == NULL) {
        if (h->first != MW_OK && h->first != MW_DONE)
            return h->first;
        r = h->ir;
    } else {
        assert_true(clen < sizeof h->seen);
        memcpy(h->seen, ch, clen);
        h->seen_len = clen;
        if (h->resp_status != MW_OK && h->resp_status != MW_DONE)
            return h->resp_status;
        r = h->resp;
    }
    *rlen = strlen(r);
    if (*rlen > cap)
        return MW_E_NOSPACE;
    memcpy(out, r, *rlen);
    return ch == NULL ? h->first : h->resp_status;
}

#if !MW_ENABLE_SASL_OAUTH
/* OAuth compiled out (features.h): both mechanisms are refused with
 * MW_E_UNSUPPORTED, recorded, nothing sent, and the session goes on. */
static void oauth_compiled_out(sch *t, mw_span token)
{
    mw_error e;
    ready(t, EHLO_ALL);
    assert_int_equal(mw_smtp_client_auth_xoauth2(&t->c, SPAN("a@b.example"),
                                                 token),
                     MW_E_UNSUPPORTED);
    mw_smtp_client_error(&t->c, &e);
    assert_int_equal(e.code, MW_E_UNSUPPORTED);
    assert_int_equal(mw_smtp_client_auth_oauthbearer(&t->c, SPAN("a@b.example"),
                                                     SPAN(""), 0, token),
                     MW_E_UNSUPPORTED);
    expect_out(t, "");
    assert_int_equal(mw_smtp_client_auth_xoauth2(NULL, SPAN("a"), token),
                     MW_E_INVAL);
    assert_int_equal(mw_smtp_client_auth_login(&t->c, SPAN("user"),
                                               SPAN("pass")),
                     MW_OK);
    expect_out(t, "AUTH LOGIN\r\n");
}
#endif

static void test_auth(void **state)
{
    sch t;
    hook h;
    static char big[8192];
    char tok[3001];
    (void)state;
    sch_setup(&t);
    t.cfg.tls_active = 1;

    /* PLAIN with an initial response: base64 of NUL "a" NUL "p". */
    ready(&t, EHLO_ALL);
    assert_int_equal(mw_smtp_client_auth_plain(&t.c, SPAN(""), SPAN("a"),
                                               SPAN("p")),
                     MW_OK);
    expect_out(&t, "AUTH PLAIN AGEAcA==\r\n");
    assert_int_equal(mw_smtp_client_noop(&t.c), MW_E_STATE); /* ends a group */
    assert_int_equal(feed_str(&t, "235 2.7.0 Authentication successful\r\n", NULL),
                     MW_OK);
    SCH_HAS(&t.own, "R AUTH 235");
    SCH_HAS(&t.own, "esc 2.7.0");
    assert_int_equal(mw_smtp_client_auth_plain(&t.c, SPAN(""), SPAN("a"),
                                               SPAN("p")),
                     MW_E_STATE); /* once per session (RFC 4954 §4) */
    /* An unexpected challenge after PLAIN: cancelled. */
    ready(&t, EHLO_ALL);
    assert_int_equal(mw_smtp_client_auth_plain(&t.c, SPAN("z"), SPAN("a"),
                                               SPAN("p")),
                     MW_OK);
    expect_out(&t, "AUTH PLAIN egBhAHA=\r\n");
    assert_int_equal(feed_str(&t, "334 \r\n", NULL), MW_OK);
    expect_out(&t, "*\r\n");
    assert_int_equal(feed_str(&t, "501 5.7.0 cancelled\r\n", NULL), MW_OK);
    SCH_HAS(&t.own, "R AUTH 501");

    /* LOGIN: the order of the challenges decides, not their text. */
    ready(&t, EHLO_ALL);
    assert_int_equal(mw_smtp_client_auth_login(&t.c, SPAN("user"), SPAN("pass")),
                     MW_OK);
    expect_out(&t, "AUTH LOGIN\r\n");
    assert_int_equal(feed_str(&t, "334 VXNlcm5hbWU6\r\n", NULL), MW_OK);
    expect_out(&t, "dXNlcg==\r\n");
    assert_int_equal(feed_str(&t, "334 UGFzc3dvcmQ6\r\n", NULL), MW_OK);
    expect_out(&t, "cGFzcw==\r\n");
    assert_int_equal(feed_str(&t, "334 more?\r\n", NULL), MW_OK);
    expect_out(&t, "*\r\n");
    SCH_HAS(&t.own, "E MW_E_SEQUENCE");
    assert_int_equal(feed_str(&t, "535 5.7.8 no\r\n", NULL), MW_OK);
    SCH_HAS(&t.own, "R AUTH 535");
    assert_int_equal(mw_smtp_client_want(&t.c), MW_SMTP_CLIENT_WANT_SEND);

#if MW_ENABLE_SASL_OAUTH
    /* XOAUTH2: a 334 carries the JSON error; an empty line answers it. */
    ready(&t, EHLO_ALL);
    assert_int_equal(mw_smtp_client_auth_xoauth2(&t.c, SPAN("a@b.example"),
                                                 SPAN("ya29.tok")),
                     MW_OK);
    expect_out(&t, "AUTH XOAUTH2 dXNlcj1hQGIuZXhhbXBsZQFhdXRoPUJlYXJlciB5YTI5"
                   "LnRvawEB\r\n");
    assert_int_equal(feed_str(&t, "334 eyJzdGF0dXMiOiI0MDEifQ==\r\n", NULL),
                     MW_OK);
    expect_out(&t, "\r\n");
    assert_int_equal(feed_str(&t, "535 5.7.8 Username and Password not "
                                  "accepted\r\n",
                              NULL),
                     MW_OK);
    /* OAUTHBEARER: the error challenge is answered with %x01. */
    ready(&t, EHLO_ALL);
    assert_int_equal(mw_smtp_client_auth_oauthbearer(&t.c, SPAN("a@b.example"),
                                                     SPAN(""), 0, SPAN("tok")),
                     MW_OK);
    t.out.n = 0;
    assert_int_equal(feed_str(&t, "334 eyJzdGF0dXMiOiJpbnZhbGlkIn0=\r\n", NULL),
                     MW_OK);
    expect_out(&t, "AQ==\r\n");
#else
    oauth_compiled_out(&t, SPAN("ya29.tok"));
#endif

    /* The generic hook: initial response, one challenge decoded, the
     * response encoded. */
    ready(&t, EHLO_ALL);
    memset(&h, 0, sizeof h);
    h.first = MW_OK;
    h.ir = "hello";
    h.resp = "resp";
    h.resp_status = MW_DONE;
    assert_int_equal(mw_smtp_client_auth_sasl(&t.c, SPAN("X-TEST"), hook_step, &h),
                     MW_OK);
    expect_out(&t, "AUTH X-TEST aGVsbG8=\r\n");
    assert_int_equal(feed_str(&t, "334 Y2hhbGxlbmdl\r\n", NULL), MW_OK);
    assert_int_equal(h.seen_len, 9);
    assert_memory_equal(h.seen, "challenge", 9);
    expect_out(&t, "cmVzcA==\r\n");
    /* It said that was its last step: another challenge is cancelled. */
    assert_int_equal(feed_str(&t, "334 \r\n", NULL), MW_OK);
    expect_out(&t, "*\r\n");
    assert_int_equal(feed_str(&t, "235 ok\r\n", NULL), MW_OK);
    /* No initial response; an empty one; a cancel; bad base64. */
    ready(&t, EHLO_ALL);
    h.first = MW_PAUSED;
    h.resp_status = MW_OK;
    h.resp = "";
    assert_int_equal(mw_smtp_client_auth_sasl(&t.c, SPAN("X-TEST"), hook_step, &h),
                     MW_OK);
    expect_out(&t, "AUTH X-TEST\r\n");
    assert_int_equal(feed_str(&t, "334\r\n", NULL), MW_OK);
    assert_int_equal(h.seen_len, 0);
    expect_out(&t, "\r\n");
    assert_int_equal(feed_str(&t, "334 !!!!\r\n", NULL), MW_OK);
    expect_out(&t, "*\r\n");
    SCH_HAS(&t.own, "E MW_E_BASE64");
    assert_int_equal(feed_str(&t, "501 cancelled\r\n", NULL), MW_OK);
    ready(&t, EHLO_ALL);
    h.first = MW_OK;
    h.ir = "";
    h.resp_status = MW_E_INVAL;
    assert_int_equal(mw_smtp_client_auth_sasl(&t.c, SPAN("X-TEST"), hook_step, &h),
                     MW_OK);
    expect_out(&t, "AUTH X-TEST =\r\n");
    assert_int_equal(feed_str(&t, "334 YWJj\r\n", NULL), MW_OK);
    expect_out(&t, "*\r\n");
    SCH_HAS(&t.own, "E MW_E_INVAL");
    /* A first call that fails: nothing sent, its status returned. */
    ready(&t, EHLO_ALL);
    h.first = MW_E_NOSPACE;
    assert_int_equal(mw_smtp_client_auth_sasl(&t.c, SPAN("X-TEST"), hook_step, &h),
                     MW_E_NOSPACE);
    assert_int_equal(mw_smtp_client_auth_sasl(&t.c, SPAN("x-test"), hook_step, &h),
                     MW_E_INVAL); /* lower case is not a SASL name */
    assert_int_equal(mw_smtp_client_auth_sasl(&t.c, SPAN("CRAM-MD5"), hook_step,
                                              &h),
                     MW_E_STATE); /* not offered */
    expect_out(&t, "");

    /* Responses of every length encode like mw_base64_encode (the line
     * buffer is encoded in place). */
    for (size_t n = 0; n < 60; n++) {
        char raw[64], b64[128], want[160];
        size_t bl = 0;
        for (size_t i = 0; i < n; i++)
            raw[i] = (char)('A' + (i * 7) % 50);
        raw[n] = '\0';
        ready(&t, EHLO_ALL);
        h.first = MW_OK;
        h.ir = raw;
        assert_int_equal(mw_smtp_client_auth_sasl(&t.c, SPAN("X-TEST"), hook_step,
                                                  &h),
                         MW_OK);
        assert_int_equal(mw_base64_encode(raw, n, b64, sizeof b64, &bl), MW_OK);
        snprintf(want, sizeof want, "AUTH X-TEST %.*s\r\n", (int)(n ? bl : 1),
                 n ? b64 : "=");
        expect_out(&t, want);
    }

    /* A long OAuth token: too long for the command buffer; fine with an
     * AUTH buffer, still one send call. */
    memset(tok, 'a', sizeof tok - 1);
    tok[sizeof tok - 1] = '\0';
#if MW_ENABLE_SASL_OAUTH
    ready(&t, EHLO_ALL);
    assert_int_equal(mw_smtp_client_auth_xoauth2(&t.c, SPAN("a@b.example"),
                                                 sch_span(tok, 3000)),
                     MW_E_NOSPACE);
    expect_out(&t, "");
    t.cfg.auth_buf = big;
    t.cfg.auth_buf_len = sizeof big;
    ready(&t, EHLO_ALL);
    assert_int_equal(mw_smtp_client_auth_xoauth2(&t.c, SPAN("a@b.example"),
                                                 sch_span(tok, 3000)),
                     MW_OK);
    assert_true(t.out.n > 4000);
    assert_int_equal(memcmp(t.out.p, "AUTH XOAUTH2 ", 13), 0);
    assert_int_equal(memcmp(t.out.p + t.out.n - 2, "\r\n", 2), 0);
    assert_null(memchr(t.out.p, '\n', t.out.n - 1));
#else
    t.cfg.auth_buf = big;
    t.cfg.auth_buf_len = sizeof big;
    oauth_compiled_out(&t, sch_span(tok, 3000));
#endif

    /* Not offered / not in TLS / in a transaction. */
    t.cfg.auth_buf = NULL;
    t.cfg.auth_buf_len = 0;
    ready(&t, "250-srv\r\n250 AUTH LOGIN\r\n");
    assert_int_equal(mw_smtp_client_auth_plain(&t.c, SPAN(""), SPAN("a"),
                                               SPAN("p")),
                     MW_E_STATE);
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), NULL), MW_OK);
    assert_int_equal(feed_str(&t, "250 ok\r\n", NULL), MW_OK);
    assert_int_equal(mw_smtp_client_auth_login(&t.c, SPAN("a"), SPAN("p")),
                     MW_E_STATE);
    /* NUL in credentials is refused by every mechanism (above: CR, LF). */
    ready(&t, EHLO_ALL);
    assert_int_equal(mw_smtp_client_auth_plain(&t.c, SPAN(""), SPAN("a\0b"),
                                               SPAN("p")),
                     MW_E_INVAL);
    assert_int_equal(mw_smtp_client_auth_plain(&t.c, SPAN(""), SPAN(""),
                                               SPAN("p")),
                     MW_E_INVAL); /* PLAIN needs a user */
    sch_teardown(&t);
}

/* ---- MAIL and RCPT parameters ---- */

static void test_mail_params(void **state)
{
    sch t;
    mw_smtp_param x[2];
    mw_error e;
    (void)state;
    sch_setup(&t);
    t.cfg.tls_active = 1;
    ready(&t, EHLO_ALL);

    /* Every typed parameter the server offered. */
    t.mail.present = MW_SMTP_MAIL_SIZE | MW_SMTP_MAIL_BODY | MW_SMTP_MAIL_RET |
                     MW_SMTP_MAIL_ENVID | MW_SMTP_MAIL_AUTH |
                     MW_SMTP_MAIL_REQUIRETLS | MW_SMTP_MAIL_MT_PRIORITY;
    t.mail.size = 1000;
    t.mail.body = MW_SMTP_BODY_8BITMIME;
    t.mail.ret = MW_SMTP_RET_HDRS;
    t.mail.envid = SPAN("QQ+x=1 2");
    t.mail.auth = SPAN("e+f@b.example");
    t.mail.mt_priority = -3;
    /* A parameter with a typed field is refused as an extra one (a
     * valueless "auth" would reach the server as a broken AUTH=): the
     * round-trip fuzzer's find. Nothing is sent. */
    x[0].name = SPAN("auth");
    x[0].value = SPAN("");
    assert_int_equal(mw_smtp_client_mail_ext(&t.c, SPAN("<a@b.example>"), &t.mail,
                                             x, 1),
                     MW_E_INVAL);
    x[0].name = SPAN("NOTIFY");
    x[0].value = SPAN("NEVER");
    assert_int_equal(mw_smtp_client_rcpt_ext(&t.c, SPAN("c@d.example"), NULL,
                                             x, 1),
                     MW_E_STATE); /* no MAIL yet: refused by state first */
    expect_out(&t, "");
    x[0].name = SPAN("X-ONE");
    x[0].value = SPAN("v1");
    x[1].name = SPAN("X-TWO");
    x[1].value = SPAN("");
    assert_int_equal(mw_smtp_client_mail_ext(&t.c, SPAN("<a@b.example>"), &t.mail,
                                             x, 2),
                     MW_OK);
    expect_out(&t, "MAIL FROM:<a@b.example> SIZE=1000 BODY=8BITMIME RET=HDRS "
                   "ENVID=QQ+2Bx+3D1+202 AUTH=e+2Bf@b.example REQUIRETLS "
                   "MT-PRIORITY=-3 X-ONE=v1 X-TWO\r\n");
    /* RCPT: NOTIFY lists and ORCPT (xtext; "rfc822" by default). */
    t.rcpt.present = MW_SMTP_RCPT_NOTIFY | MW_SMTP_RCPT_ORCPT;
    t.rcpt.notify = MW_SMTP_NOTIFY_SUCCESS | MW_SMTP_NOTIFY_FAILURE |
                    MW_SMTP_NOTIFY_DELAY;
    t.rcpt.orcpt = SPAN("a+b@c.example");
    assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("c@d.example"), &t.rcpt), MW_OK);
    expect_out(&t, "RCPT TO:<c@d.example> NOTIFY=SUCCESS,FAILURE,DELAY "
                   "ORCPT=rfc822;a+2Bb@c.example\r\n");
    t.rcpt.notify = MW_SMTP_NOTIFY_NEVER;
    t.rcpt.orcpt_type = SPAN("utf-8");
    assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("Postmaster"), &t.rcpt), MW_OK);
    expect_out(&t, "RCPT TO:<Postmaster> NOTIFY=NEVER ORCPT=utf-8;a+2Bb@c.example\r\n");
    x[0].name = SPAN("Notify");
    x[0].value = SPAN("NEVER");
    assert_int_equal(mw_smtp_client_rcpt_ext(&t.c, SPAN("c@d.example"), NULL,
                                             x, 1),
                     MW_E_INVAL);
    expect_out(&t, "");
    t.rcpt.notify = MW_SMTP_NOTIFY_NEVER | MW_SMTP_NOTIFY_DELAY;
    assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("c@d.example"), &t.rcpt),
                     MW_E_INVAL);
    t.rcpt.notify = 0;
    assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("c@d.example"), &t.rcpt),
                     MW_E_INVAL);
    assert_int_equal(mw_smtp_client_rset(&t.c), MW_OK);
    t.out.n = 0;

    /* SIZE at the server's limit goes, one more is refused (RFC 1870 §6). */
    t.mail.present = MW_SMTP_MAIL_SIZE;
    t.mail.size = 1001;
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), &t.mail),
                     MW_E_LIMIT);
    t.mail.size = 999;
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN(""), &t.mail), MW_OK);
    expect_out(&t, "MAIL FROM:<> SIZE=999\r\n");
    assert_int_equal(mw_smtp_client_rset(&t.c), MW_OK);
    /* AUTH=<> as it is; MT-PRIORITY range. */
    t.mail.present = MW_SMTP_MAIL_AUTH;
    t.mail.auth = SPAN("<>");
    t.out.n = 0;
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), &t.mail), MW_OK);
    expect_out(&t, "MAIL FROM:<a@b.example> AUTH=<>\r\n");
    assert_int_equal(mw_smtp_client_rset(&t.c), MW_OK);
    t.mail.present = MW_SMTP_MAIL_MT_PRIORITY;
    t.mail.mt_priority = 10;
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), &t.mail),
                     MW_E_INVAL);
    t.mail.mt_priority = 9;
    t.out.n = 0;
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), &t.mail), MW_OK);
    expect_out(&t, "MAIL FROM:<a@b.example> MT-PRIORITY=9\r\n");
    assert_int_equal(mw_smtp_client_rset(&t.c), MW_OK);
    /* Bad paths and extra parameters. */
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@@b.example"), NULL),
                     MW_E_INVAL);
    mw_smtp_client_error(&t.c, &e);
    assert_int_equal(e.offset, 2);
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("<a@@b.example>"), NULL),
                     MW_E_INVAL);
    mw_smtp_client_error(&t.c, &e);
    assert_int_equal(e.offset, 3);
    x[0].name = SPAN("-X");
    assert_int_equal(mw_smtp_client_mail_ext(&t.c, SPAN("a@b.example"), NULL, x, 1),
                     MW_E_INVAL);
    x[0].name = SPAN("X");
    x[0].value = SPAN("a b");
    assert_int_equal(mw_smtp_client_mail_ext(&t.c, SPAN("a@b.example"), NULL, x, 1),
                     MW_E_INVAL);
    x[0].value = SPAN("a=b");
    assert_int_equal(mw_smtp_client_mail_ext(&t.c, SPAN("a@b.example"), NULL, x, 1),
                     MW_E_INVAL);

    /* SMTPUTF8: added for a UTF-8 sender; a UTF-8 recipient needs it. */
    t.out.n = 0;
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("\xe7\x94\xa8@b.example"), NULL),
                     MW_OK);
    expect_out(&t, "MAIL FROM:<\xe7\x94\xa8@b.example> SMTPUTF8\r\n");
    assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("\xc3\xa9@d.example"), NULL),
                     MW_OK);
    assert_int_equal(mw_smtp_client_rset(&t.c), MW_OK);
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), NULL), MW_OK);
    assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("\xc3\xa9@d.example"), NULL),
                     MW_E_STATE);
    assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("\xc3@d.example"), NULL),
                     MW_E_INVAL); /* not UTF-8 */
    sch_teardown(&t);

    /* A server without the extensions: SIZE, RET, ENVID, AUTH=, NOTIFY,
     * ORCPT and MT-PRIORITY are left out; 8BITMIME, SMTPUTF8, REQUIRETLS
     * and BINARYMIME are refused. */
    sch_setup(&t);
    ready(&t, "250-srv\r\n250 PIPELINING\r\n");
    memset(&t.mail, 0, sizeof t.mail);
    t.mail.present = MW_SMTP_MAIL_SIZE | MW_SMTP_MAIL_RET | MW_SMTP_MAIL_ENVID |
                     MW_SMTP_MAIL_AUTH | MW_SMTP_MAIL_MT_PRIORITY |
                     MW_SMTP_MAIL_BODY;
    t.mail.size = 5;
    t.mail.ret = MW_SMTP_RET_FULL;
    t.mail.envid = SPAN("id");
    t.mail.auth = SPAN("a@b.example");
    t.mail.body = MW_SMTP_BODY_7BIT;
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), &t.mail), MW_OK);
    t.rcpt.present = MW_SMTP_RCPT_NOTIFY | MW_SMTP_RCPT_ORCPT;
    t.rcpt.notify = MW_SMTP_NOTIFY_FAILURE;
    t.rcpt.orcpt = SPAN("c@d.example");
    assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("c@d.example"), &t.rcpt), MW_OK);
    expect_out(&t, "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n");
    assert_int_equal(mw_smtp_client_rset(&t.c), MW_OK);
    memset(&t.mail, 0, sizeof t.mail);
    t.mail.present = MW_SMTP_MAIL_BODY;
    t.mail.body = MW_SMTP_BODY_8BITMIME;
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), &t.mail),
                     MW_E_STATE);
    t.mail.body = MW_SMTP_BODY_BINARYMIME;
    t.out.n = 0;
#if MW_ENABLE_SMTP_CHUNKING
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), &t.mail),
                     MW_E_STATE);
#else
    /* compiled out (features.h): refused before the server's offer counts */
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), &t.mail),
                     MW_E_UNSUPPORTED);
#endif
    expect_out(&t, "");
    t.mail.present = MW_SMTP_MAIL_SMTPUTF8;
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), &t.mail),
                     MW_E_STATE);
    t.mail.present = MW_SMTP_MAIL_REQUIRETLS;
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), &t.mail),
                     MW_E_STATE);
    sch_teardown(&t);
}

/* ---- limits at cap-1, cap, cap+1 ---- */

static void test_limits(void **state)
{
    sch t;
    char big[600], dom[300];
    size_t n, i;
    int k;
    (void)state;
    sch_setup(&t);

    /* Lines per reply. */
    t.cfg.max_reply_lines = 3;
    for (k = 2; k <= 4; k++) {
        char r[128] = "";
        for (i = 1; i < (size_t)k; i++)
            strcat(r, "250-x\r\n");
        strcat(r, "250 y\r\n");
        t.script = ready_script;
        t.nscript = 1;
        sch_start(&t, &t.own);
        assert_int_equal(feed_str(&t, "220 x\r\n", NULL), MW_OK);
        assert_int_equal(feed_str(&t, r, NULL), k <= 3 ? MW_OK : MW_E_CLOSED);
    }
    t.cfg.max_reply_lines = 128;

    /* Reply line length: 510 bytes fit the 512-byte buffer; longer lines
     * are cut (reported, not fatal), whole or split. */
    for (n = 509; n <= 512; n++) {
        size_t cut;
        for (cut = 0; cut < 2; cut++) {
            ready(&t, "250 x\r\n");
            assert_int_equal(mw_smtp_client_noop(&t.c), MW_OK);
            memset(big, 'a', n);
            memcpy(big, "250 ", 4);
            memcpy(big + n, "\r\n", 3);
            evlog_reset(&t.own);
            if (cut) {
                assert_int_equal(mw_smtp_client_feed(&t.c, big, 100, &i), MW_OK);
                assert_int_equal(mw_smtp_client_feed(&t.c, big + 100, n + 2 - 100,
                                                     &i),
                                 MW_OK);
            } else {
                assert_int_equal(feed_str(&t, big, NULL), MW_OK);
            }
            SCH_HAS(&t.own, "R NOOP 250");
            if (n <= 510)
                SCH_LACKS(&t.own, "E MW_E_TOO_LONG");
            else
                SCH_HAS(&t.own, "E MW_E_TOO_LONG");
        }
    }

    /* An over-long line is still screened for NUL. */
    ready(&t, "250 x\r\n");
    assert_int_equal(mw_smtp_client_noop(&t.c), MW_OK);
    memset(big, 'a', 520);
    memcpy(big, "250 a\0", 6);
    memcpy(big + 520, "\r\n", 2);
    assert_int_equal(mw_smtp_client_feed(&t.c, big, 522, &i), MW_E_CLOSED);

    /* The command line: 512 octets with CRLF (RFC 5321 §4.5.3.1.4). */
    for (n = 504; n <= 506; n++) {
        ready(&t, "250 x\r\n");
        memset(big, 'v', n);
        assert_int_equal(mw_smtp_client_vrfy(&t.c, sch_span(big, n)),
                         n <= 505 ? MW_OK : MW_E_NOSPACE);
        assert_int_equal(t.out.n, n <= 505 ? 5 + n + 2 : 0);
    }

    /* EHLO's domain: 255 octets (RFC 5321 §4.5.3.1.2). */
    for (n = 254; n <= 256; n++) {
        for (i = 0; i < n; i++)
            dom[i] = (i % 50 == 49) ? '.' : 'd';
        dom[n - 1] = 'x';
        ready(&t, "250 x\r\n");
        assert_int_equal(mw_smtp_client_ehlo(&t.c, sch_span(dom, n)),
                         n <= 255 ? MW_OK : MW_E_INVAL);
    }

    /* SASL mechanism names: 20 characters (RFC 4422 §3.1). */
    t.cfg.tls_active = 1;
    for (n = 19; n <= 21; n++) {
        char ehlo[128], mech[32];
        hook h;
        memset(mech, 'M', n);
        mech[n] = '\0';
        snprintf(ehlo, sizeof ehlo, "250-x\r\n250 AUTH %s\r\n", mech);
        memset(&h, 0, sizeof h);
        h.first = MW_PAUSED;
        ready(&t, ehlo);
        assert_int_equal(mw_smtp_client_auth_sasl(&t.c, sch_span(mech, n),
                                                  hook_step, &h),
                         n <= 20 ? MW_OK : MW_E_INVAL);
    }
    t.cfg.tls_active = 0;

    /* The line buffer and AUTH buffer sizes at init. */
    {
        mw_smtp_client_callbacks cb;
        mw_smtp_client_config cfg;
        char lb[64];
        memset(&cb, 0, sizeof cb);
        cb.send = sch_send;
        mw_smtp_client_config_init(&cfg);
        assert_int_equal(mw_smtp_client_init(&t.c, &cfg, &cb, &t, lb, 63),
                         MW_E_INVAL);
        assert_int_equal(mw_smtp_client_init(&t.c, &cfg, &cb, &t, lb, 64), MW_OK);
        assert_int_equal(mw_smtp_client_init(&t.c, NULL, &cb, &t, lb, 64), MW_OK);
        cfg.auth_buf = big;
        cfg.auth_buf_len = 63;
        assert_int_equal(mw_smtp_client_init(&t.c, &cfg, &cb, &t, lb, 64),
                         MW_E_INVAL);
        cfg.auth_buf_len = 64;
        assert_int_equal(mw_smtp_client_init(&t.c, &cfg, &cb, &t, lb, 64), MW_OK);
        cfg.body_newlines = MW_NEWLINE_PASS;
        assert_int_equal(mw_smtp_client_init(&t.c, &cfg, &cb, &t, lb, 64),
                         MW_E_INVAL);
        mw_smtp_client_config_init(&cfg);
        cfg.max_reply_lines = 0;
        assert_int_equal(mw_smtp_client_init(&t.c, &cfg, &cb, &t, lb, 64),
                         MW_E_INVAL);
        cb.send = NULL;
        assert_int_equal(mw_smtp_client_init(&t.c, NULL, &cb, &t, lb, 64),
                         MW_E_INVAL);
    }
    /* The context with its ideal line buffer fits in 2 KB. */
    assert_true(mw_smtp_client_sizeof() + MW_SMTP_CLIENT_LINEBUF_SIZE <= 2048);
    sch_teardown(&t);
}

static void test_lmtp_bdat_pipelined(void **state)
{
    sch t;
    (void)state;
    sch_setup(&t);
    t.cfg.lmtp = 1;
    t.script = ready_script;
    t.nscript = 1;
    sch_start(&t, &t.own);
    assert_int_equal(feed_str(&t, "220 lmtp\r\n", NULL), MW_OK);
    assert_int_equal(feed_str(&t, "250-lmtp\r\n250-PIPELINING\r\n250 CHUNKING\r\n",
                              NULL),
                     MW_OK);
    t.out.n = 0;
    /* BDAT LAST goes before any RCPT reply: how many replies it gets is
     * known only when they are in. */
    assert_int_equal(mw_smtp_client_mail(&t.c, SPAN("a@b.example"), NULL), MW_OK);
    assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("p@d.example"), NULL), MW_OK);
    assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("q@d.example"), NULL), MW_OK);
    assert_int_equal(mw_smtp_client_rcpt(&t.c, SPAN("r@d.example"), NULL), MW_OK);
    assert_int_equal(mw_smtp_client_data(&t.c), MW_OK);
#if MW_ENABLE_SMTP_CHUNKING
    assert_int_equal(mw_smtp_client_write_last(&t.c, S_("hi\r\n")), MW_OK);
    expect_out(&t, "MAIL FROM:<a@b.example>\r\nRCPT TO:<p@d.example>\r\n"
                   "RCPT TO:<q@d.example>\r\nRCPT TO:<r@d.example>\r\n"
                   "BDAT 4 LAST\r\nhi\r\n");
    assert_int_equal(mw_smtp_client_noop(&t.c), MW_E_STATE);
    evlog_reset(&t.own);
    assert_int_equal(feed_str(&t, "250 a\r\n250 p\r\n550 q\r\n250 r\r\n"
                                  "250 2.0.0 p ok\r\n",
                              NULL),
                     MW_OK);
#else
    /* CHUNKING compiled out (features.h): offered, but DATA ends the
     * group; the data waits for 354, the replies per recipient are the
     * same. */
    assert_int_equal(mw_smtp_client_write_last(&t.c, S_("hi\r\n")),
                     MW_E_STATE);
    expect_out(&t, "MAIL FROM:<a@b.example>\r\nRCPT TO:<p@d.example>\r\n"
                   "RCPT TO:<q@d.example>\r\nRCPT TO:<r@d.example>\r\n"
                   "DATA\r\n");
    evlog_reset(&t.own);
    assert_int_equal(feed_str(&t, "250 a\r\n250 p\r\n550 q\r\n250 r\r\n"
                                  "354 go\r\n",
                              NULL),
                     MW_OK);
    assert_int_equal(mw_smtp_client_write_last(&t.c, S_("hi\r\n")), MW_OK);
    expect_out(&t, "hi\r\n.\r\n");
    assert_int_equal(mw_smtp_client_noop(&t.c), MW_E_STATE);
    assert_int_equal(feed_str(&t, "250 2.0.0 p ok\r\n", NULL), MW_OK);
#endif
    assert_int_equal(mw_smtp_client_noop(&t.c), MW_E_STATE);
    assert_int_equal(feed_str(&t, "452 4.2.2 r over quota\r\n", NULL), MW_OK);
    SCH_HAS(&t.own, "R MESSAGE 250 i=0");
    SCH_HAS(&t.own, "R MESSAGE 452 i=1");
    assert_int_equal(mw_smtp_client_want(&t.c), MW_SMTP_CLIENT_WANT_SEND);
    sch_teardown(&t);
}

/* ---- 100,000 pipelined recipients: constant memory, every reply
 * matched ---- */

typedef struct many {
    size_t replies, rcpt_ok, last_index, sent;
    int data354;
} many;

static int many_send(mw_smtp_client *c, void *u, const char *p, size_t n)
{
    (void)c;
    (void)p;
    ((many *)u)->sent += n;
    return 0;
}

static int many_reply(mw_smtp_client *c, void *u, const mw_smtp_client_reply *r)
{
    many *m = u;
    (void)c;
    m->replies++;
    if (r->cmd == MW_SMTP_CMD_RCPT) {
        assert_int_equal(r->index, m->rcpt_ok);
        m->rcpt_ok++;
        m->last_index = r->index;
    }
    if (r->cmd == MW_SMTP_CMD_DATA && r->code == 354)
        m->data354 = 1;
    return 0;
}

static void test_100k_rcpt(void **state)
{
    mw_smtp_client c;
    char line[MW_SMTP_CLIENT_LINEBUF_SIZE];
    mw_smtp_client_callbacks cb;
    many m;
    char *in;
    size_t i, pos = 0, used, total;
    (void)state;
    memset(&cb, 0, sizeof cb);
    memset(&m, 0, sizeof m);
    cb.send = many_send;
    cb.reply = many_reply;
    assert_int_equal(mw_smtp_client_init(&c, NULL, &cb, &m, line, sizeof line),
                     MW_OK);
    assert_int_equal(mw_smtp_client_feed(&c, S_("220 x\r\n"), &used), MW_OK);
    assert_int_equal(mw_smtp_client_ehlo(&c, SPAN("a.example")), MW_OK);
    assert_int_equal(mw_smtp_client_feed(&c, S_("250-x\r\n250 PIPELINING\r\n"),
                                         &used),
                     MW_OK);
    assert_int_equal(mw_smtp_client_mail(&c, SPAN("a@b.example"), NULL), MW_OK);
    for (i = 0; i < 100000; i++)
        assert_int_equal(mw_smtp_client_rcpt(&c, SPAN("user@d.example"), NULL),
                         MW_OK);
    assert_int_equal(mw_smtp_client_data(&c), MW_OK);
    total = 8 + 100000 * 8 + 8;
    in = malloc(total + 1);
    assert_non_null(in);
    memcpy(in, "250 ok\r\n", 8);
    for (i = 0; i < 100000; i++)
        memcpy(in + 8 + i * 8, "250 ok\r\n", 8);
    memcpy(in + 8 + 100000 * 8, "354 go\r\n", 8);
    while (pos < total) {
        size_t n = total - pos < 65536 ? total - pos : 65536;
        assert_int_equal(mw_smtp_client_feed(&c, in + pos, n, &used), MW_OK);
        assert_int_equal(used, n);
        pos += n;
    }
    assert_int_equal(m.rcpt_ok, 100000);
    assert_int_equal(m.last_index, 99999);
    assert_true(m.data354);
    assert_int_equal(mw_smtp_client_want(&c), MW_SMTP_CLIENT_WANT_BODY);
    free(in);
}


/* ---- the transaction helper ---- */

static const char body1[] = "From: dev@example.com\r\nTo: ops@example.com\r\n"
                            "Subject: alarm\r\n\r\nTemperature high.\r\n";
static const char *const rc_ops[] = {"ops@example.com"};
static const char *const rc_two[] = {"ops@example.com", "nobody@example.com"};

static void msg_init(mw_smtp_client_message *m)
{
    memset(m, 0, sizeof(*m));
    m->ehlo_domain = "dev.example";
    m->from = "dev@example.com";
    m->rcpt = rc_ops;
    m->rcpt_count = 1;
    m->body = body1;
    m->body_len = sizeof body1 - 1;
}

static void b64(const char *raw, size_t n, char *out)
{
    size_t ol = 0;
    assert_int_equal(mw_base64_encode(raw, n, out, 256, &ol), MW_OK);
    out[ol] = '\0';
}

/* How the helper sends a message of n bytes (no line starts with a dot)
 * to a server that offers CHUNKING, and what the server answers before
 * the message's reply (GO_AHEAD). With CHUNKING compiled out
 * (features.h) the helper uses DATA all the same. */
#if MW_ENABLE_SMTP_CHUNKING
#define GO_AHEAD ""
#else
#define GO_AHEAD "354 Go ahead\r\n"
#endif
static void want_data(sch_buf *want, const char *body, size_t n)
{
#if MW_ENABLE_SMTP_CHUNKING
    char cmd[64];
    snprintf(cmd, sizeof cmd, "BDAT %zu LAST\r\n", n);
    sch_buf_put(want, cmd, strlen(cmd));
    sch_buf_put(want, body, n);
#else
    sch_buf_put(want, "DATA\r\n", 6);
    sch_buf_put(want, body, n);
    sch_buf_put(want, ".\r\n", 3);
#endif
}

static void test_helper_gmail(void **state)
{
    /* Submission the way Gmail answers it: STARTTLS, EHLO again, AUTH
     * PLAIN, then MAIL, RCPT and one BDAT LAST in one pipelined group. */
    static const char pre[] =
        "220 smtp.gmail.com ESMTP x - gsmtp\r\n"
        "250-smtp.gmail.com at your service, [203.0.113.5]\r\n"
        "250-SIZE 35882577\r\n250-8BITMIME\r\n250-STARTTLS\r\n"
        "250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-CHUNKING\r\n"
        "250 SMTPUTF8\r\n"
        "220 2.0.0 Ready to start TLS\r\n";
    static const char post[] =
        "250-smtp.gmail.com at your service, [203.0.113.5]\r\n"
        "250-SIZE 35882577\r\n250-8BITMIME\r\n"
        "250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH\r\n"
        "250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-CHUNKING\r\n"
        "250 SMTPUTF8\r\n"
        "235 2.7.0 Accepted\r\n"
        "250 2.1.0 OK x - gsmtp\r\n"
        "250 2.1.5 OK x - gsmtp\r\n" GO_AHEAD
        "250 2.0.0 OK  1700000000 x - gsmtp\r\n"
        "221 2.0.0 closing connection x - gsmtp\r\n";
    mw_smtp_client_message m;
    sch t;
    evlog whole;
    sch_buf want = {0};
    char plain[256], line[512];
    (void)state;
    sch_setup(&t);
    evlog_init(&whole);
    msg_init(&m);
    m.tls = MW_SMTP_CLIENT_TLS_REQUIRED;
    m.auth = MW_SMTP_CLIENT_AUTH_AUTO;
    m.user = "dev@example.com";
    m.secret = "app-pass";
    t.msg = &m;
    t.pre = pre;
    t.prelen = sizeof pre - 1;
    t.tls_auto = 1;
    b64("\0dev@example.com\0app-pass", 25, plain);
    snprintf(line, sizeof line,
             "EHLO dev.example\r\nSTARTTLS\r\nEHLO dev.example\r\n"
             "AUTH PLAIN %s\r\nMAIL FROM:<dev@example.com> SIZE=%zu\r\n"
             "RCPT TO:<ops@example.com>\r\n",
             plain, sizeof body1 - 1);
    sch_buf_put(&want, line, strlen(line));
    want_data(&want, body1, sizeof body1 - 1);
    sch_buf_put(&want, "QUIT\r\n", 6);
    sch_run(&t, post, sizeof post - 1, want.p, want.n, &whole);
    SCH_HAS(&whole, "DONE MW_OK cmd=MESSAGE code=250 acc=1 rej=0 dlv=1");
    SCH_HAS(&whole, "replay: done at");
    assert_int_equal(t.ndone, 1);
    assert_int_equal(t.res.esc.cls, 2);
    assert_int_equal(mw_smtp_client_want(&t.c), MW_SMTP_CLIENT_WANT_CLOSED);
    sch_buf_free(&want);
    evlog_free(&whole);
    sch_teardown(&t);
}

static void test_helper_m365(void **state)
{
    /* Microsoft 365: AUTH LOGIN (AUTO picks it: no PLAIN), two recipients
     * of which one is refused, BDAT. */
    static const char pre[] =
        "220 x.outlook.office365.com Microsoft ESMTP MAIL Service ready\r\n"
        "250-x.outlook.office365.com Hello [198.51.100.7]\r\n"
        "250-SIZE 157286400\r\n250-PIPELINING\r\n250-DSN\r\n"
        "250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250-8BITMIME\r\n"
        "250-BINARYMIME\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n"
        "220 2.0.0 SMTP server ready\r\n";
    static const char post[] =
        "250-x.outlook.office365.com Hello [198.51.100.7]\r\n"
        "250-SIZE 157286400\r\n250-PIPELINING\r\n250-DSN\r\n"
        "250-ENHANCEDSTATUSCODES\r\n250-AUTH LOGIN XOAUTH2\r\n250-8BITMIME\r\n"
        "250-BINARYMIME\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n"
        "334 VXNlcm5hbWU6\r\n"
        "334 UGFzc3dvcmQ6\r\n"
        "235 2.7.0 Authentication successful\r\n"
        "250 2.1.0 Sender OK\r\n"
        "250 2.1.5 Recipient OK\r\n"
        "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found\r\n" GO_AHEAD
        "250 2.0.0 OK <id@x.prod.outlook.com> [Hostname=x]\r\n"
        "221 2.0.0 Service closing transmission channel\r\n";
    mw_smtp_client_message m;
    sch t;
    evlog whole;
    sch_buf want = {0};
    char u[64], pw[64], line[512];
    (void)state;
    sch_setup(&t);
    evlog_init(&whole);
    msg_init(&m);
    m.rcpt = rc_two;
    m.rcpt_count = 2;
    m.tls = MW_SMTP_CLIENT_TLS_OPPORTUNISTIC;
    m.auth = MW_SMTP_CLIENT_AUTH_AUTO;
    m.user = "dev@example.com";
    m.secret = "pw";
    t.msg = &m;
    t.pre = pre;
    t.prelen = sizeof pre - 1;
    t.tls_auto = 1;
    b64("dev@example.com", 15, u);
    b64("pw", 2, pw);
    snprintf(line, sizeof line,
             "EHLO dev.example\r\nSTARTTLS\r\nEHLO dev.example\r\n"
             "AUTH LOGIN\r\n%s\r\n%s\r\nMAIL FROM:<dev@example.com> SIZE=%zu\r\n"
             "RCPT TO:<ops@example.com>\r\nRCPT TO:<nobody@example.com>\r\n",
             u, pw, sizeof body1 - 1);
    sch_buf_put(&want, line, strlen(line));
    want_data(&want, body1, sizeof body1 - 1);
    sch_buf_put(&want, "QUIT\r\n", 6);
    sch_run(&t, post, sizeof post - 1, want.p, want.n, &whole);
    SCH_HAS(&whole, "R RCPT 550 i=1");
    SCH_HAS(&whole, "esc 5.1.10");
    SCH_HAS(&whole, "DONE MW_OK cmd=MESSAGE code=250 acc=1 rej=1 dlv=1");
    sch_buf_free(&want);
    evlog_free(&whole);
    sch_teardown(&t);
}

static void test_helper_plain_server(void **state)
{
    /* An old server: no PIPELINING, no CHUNKING, no STARTTLS
     * (opportunistic TLS goes on in clear); 8-bit data gets
     * BODY=8BITMIME; the data is dot-stuffed. */
    static const char body8[] = "Subject: caf\xc3\xa9\r\n\r\n.hidden\r\nbye";
    static const char tr[] =
        "S: 220 old.example ESMTP\n"
        "C: EHLO dev.example\n"
        "S: 250-old.example\n"
        "S: 250 8BITMIME\n"
        "C: MAIL FROM:<dev@example.com> BODY=8BITMIME\n"
        "S: 250 ok\n"
        "C: RCPT TO:<ops@example.com>\n"
        "S: 250 ok\n"
        "C: DATA\n"
        "S: 354 go\n"
        "C: Subject: caf\xc3\xa9\n"
        "C:\n"
        "C: ..hidden\n"
        "C: bye\n"
        "C: .\n"
        "S: 250 queued\n"
        "C: QUIT\n"
        "S: 221 bye";
    mw_smtp_client_message m;
    sch t;
    evlog whole;
    (void)state;
    sch_setup(&t);
    evlog_init(&whole);
    msg_init(&m);
    m.body = body8;
    m.body_len = sizeof body8 - 1;
    m.tls = MW_SMTP_CLIENT_TLS_OPPORTUNISTIC;
    t.msg = &m;
    sch_transcript(&t, tr, &whole);
    SCH_HAS(&whole, "DONE MW_OK cmd=MESSAGE code=250 acc=1 rej=0 dlv=1");
    /* ...but required TLS fails there, with QUIT. */
    m.tls = MW_SMTP_CLIENT_TLS_REQUIRED;
    sch_run(&t, S_("220 old\r\n250-old\r\n250 8BITMIME\r\n221 bye\r\n"),
            S_("EHLO dev.example\r\nQUIT\r\n"), &whole);
    SCH_HAS(&whole, "DONE MW_E_STATE cmd=EHLO code=250");
    SCH_HAS(&whole, R_("does not offer STARTTLS"));
    evlog_free(&whole);
    sch_teardown(&t);
}

typedef struct reader {
    const char *const *chunks;
    size_t i;
    int fail_at;
} reader;

static int read_chunk(void *user, const char **chunk, size_t *len)
{
    reader *r = user;
    if (r->fail_at >= 0 && (size_t)r->fail_at == r->i)
        return -1;
    if (r->chunks[r->i] == NULL) {
        *len = 0;
        return 0;
    }
    *chunk = r->chunks[r->i];
    *len = strlen(r->chunks[r->i]);
    r->i++;
    return 0;
}

static reader the_reader;

static void reader_reset(void *ctx, evlog *log)
{
    the_reader.i = 0;
    sch_reset(ctx, log);
}

static void test_helper_reader_and_failures(void **state)
{
    static const char *const chunks[] = {"Subject: x\r\n\r\n.a", "\nb\r", "\nc",
                                         NULL};
    static const replay_ops rops = {reader_reset, sch_feed, sch_finish};
    mw_smtp_client_message m;
    sch t;
    evlog whole;
    sch_buf s = {0}, c = {0};
    (void)state;
    sch_setup(&t);
    evlog_init(&whole);
    msg_init(&m);
    m.body = NULL;
    m.body_len = 0;
    the_reader.chunks = chunks;
    the_reader.fail_at = -1;
    m.read = read_chunk;
    m.read_user = &the_reader;
    t.msg = &m;
    sch_split("S: 220 x\n"
              "C: EHLO dev.example\n"
              "S: 250-x\n"
              "S: 250 PIPELINING\n"
              "C: MAIL FROM:<dev@example.com>\n"
              "C: RCPT TO:<ops@example.com>\n"
              "C: DATA\n"
              "S: 250 ok\n"
              "S: 250 ok\n"
              "S: 354 go\n"
              "C: Subject: x\n"
              "C:\n"
              "C: ..a\n"
              "C: b\n"
              "C: c\n"
              "C: .\n"
              "C: QUIT\n"
              "S: 250 ok\n"
              "S: 221 bye",
              &s, &c);
    replay_check(&rops, &t, s.p, s.n, &whole);
    replay_run(&rops, &t, s.p, s.n, NULL, 0, &whole);
    sch_expect_bytes("client output", t.out.p, t.out.n, c.p, c.n);
    SCH_HAS(&whole, "DONE MW_OK");
    sch_buf_free(&s);
    sch_buf_free(&c);

    /* The reader fails in the middle of the data: the message cannot be
     * ended without sending it cut, so the session dies. */
    the_reader.fail_at = 1;
    replay_check(&rops, &t,
                 S_("220 x\r\n250-x\r\n250 PIPELINING\r\n250 ok\r\n250 ok\r\n"
                    "354 go\r\n"),
                 &whole);
    SCH_HAS(&whole, "DONE MW_E_CALLBACK");
    SCH_HAS(&whole, "replay: feed MW_E_CLOSED");
    SCH_LACKS(&whole, "C: QUIT");
    m.read = NULL;

    /* Every recipient refused. Without PIPELINING: no DATA. */
    msg_init(&m);
    m.rcpt = rc_two;
    m.rcpt_count = 2;
    sch_run(&t, S_("220 x\r\n250 x\r\n250 ok\r\n550 5.1.1 no\r\n551 no\r\n221 bye\r\n"),
            S_("EHLO dev.example\r\nMAIL FROM:<dev@example.com>\r\n"
               "RCPT TO:<ops@example.com>\r\nRCPT TO:<nobody@example.com>\r\n"
               "QUIT\r\n"),
            &whole);
    SCH_HAS(&whole, "DONE MW_E_STATE cmd=RCPT code=551 acc=0 rej=2");
    /* With PIPELINING: DATA refused. */
    sch_run(&t, S_("220 x\r\n250-x\r\n250 PIPELINING\r\n250 ok\r\n550 no\r\n"
                   "550 no\r\n554 no valid recipients\r\n221 bye\r\n"),
            NULL, 0, &whole);
    SCH_HAS(&whole, "DONE MW_E_STATE cmd=RCPT code=550 acc=0 rej=2");
    SCH_HAS(&whole, "C: QUIT");
    /* ... or DATA accepted anyway: the lone dot, then QUIT. */
    sch_run(&t, S_("220 x\r\n250-x\r\n250 PIPELINING\r\n250 ok\r\n550 no\r\n"
                   "550 no\r\n354 go\r\n554 no valid recipients\r\n221 bye\r\n"),
            NULL, 0, &whole);
    SCH_HAS(&whole, "C: .\\r\\n");
    SCH_HAS(&whole, "DONE MW_E_STATE cmd=RCPT code=550 acc=0 rej=2");
    /* Sender refused. */
    m.rcpt_count = 1;
    sch_run(&t, S_("220 x\r\n250 x\r\n553 5.7.1 bad sender\r\n221 bye\r\n"),
            S_("EHLO dev.example\r\nMAIL FROM:<dev@example.com>\r\nQUIT\r\n"),
            &whole);
    SCH_HAS(&whole, "DONE MW_E_STATE cmd=MAIL code=553");
    /* AUTH refused. */
    m.auth = MW_SMTP_CLIENT_AUTH_PLAIN;
    m.user = "u";
    m.secret = "p";
    t.cfg.tls_active = 1;
    sch_run(&t, S_("220 x\r\n250-x\r\n250 AUTH PLAIN\r\n535 5.7.8 bad\r\n221 bye\r\n"),
            S_("EHLO dev.example\r\nAUTH PLAIN AHUAcA==\r\nQUIT\r\n"), &whole);
    SCH_HAS(&whole, "DONE MW_E_STATE cmd=AUTH code=535");
    /* No mechanism in common. */
    m.auth = MW_SMTP_CLIENT_AUTH_AUTO;
    sch_run(&t, S_("220 x\r\n250-x\r\n250 AUTH CRAM-MD5\r\n221 bye\r\n"),
            S_("EHLO dev.example\r\nQUIT\r\n"), &whole);
    SCH_HAS(&whole, "DONE MW_E_STATE cmd=AUTH code=0");
    SCH_HAS(&whole, R_("neither PLAIN nor LOGIN"));
    m.auth = MW_SMTP_CLIENT_AUTH_NONE;
    t.cfg.tls_active = 0;
    /* 421 in the middle: no QUIT, the session is over. */
    sch_run(&t, S_("220 x\r\n250 x\r\n421 4.7.0 try later\r\n"),
            S_("EHLO dev.example\r\nMAIL FROM:<dev@example.com>\r\n"), &whole);
    SCH_HAS(&whole, "DONE MW_E_STATE cmd=MAIL code=421");
    SCH_HAS(&whole, "replay: done at");
    /* The connection drops. */
    sch_start(&t, &t.own);
    assert_int_equal(feed_str(&t, "220 x\r\n250 x\r\n", NULL), MW_OK);
    assert_int_equal(mw_smtp_client_eof(&t.c), MW_E_INCOMPLETE);
    assert_int_equal(t.ndone, 1);
    assert_int_equal(t.res.status, MW_E_CLOSED);
    evlog_free(&whole);
    sch_teardown(&t);
}

static void test_helper_keep_open_and_lmtp(void **state)
{
    mw_smtp_client_message m, m2;
    sch t;
    (void)state;
    sch_setup(&t);
    msg_init(&m);
    m.keep_open = 1;
    t.msg = &m;
    sch_start(&t, &t.own);
    assert_int_equal(feed_str(&t, "220 x\r\n250-x\r\n250 PIPELINING\r\n", NULL),
                     MW_OK);
    assert_int_equal(feed_str(&t, "250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n",
                              NULL),
                     MW_OK);
    assert_int_equal(t.ndone, 1);
    assert_int_equal(t.res.status, MW_OK);
    expect_out(&t, "EHLO dev.example\r\nMAIL FROM:<dev@example.com>\r\n"
                   "RCPT TO:<ops@example.com>\r\nDATA\r\n"
                   "From: dev@example.com\r\nTo: ops@example.com\r\n"
                   "Subject: alarm\r\n\r\nTemperature high.\r\n.\r\n");
    assert_int_equal(mw_smtp_client_want(&t.c), MW_SMTP_CLIENT_WANT_SEND);
    /* A second message on the same session: no EHLO again; refused
     * recipient with keep_open: RSET, then done. */
    msg_init(&m2);
    m2.keep_open = 1;
    assert_int_equal(mw_smtp_client_send_message(&t.c, &m2), MW_OK);
    assert_int_equal(mw_smtp_client_send_message(&t.c, &m2), MW_E_STATE);
    expect_out(&t, "MAIL FROM:<dev@example.com>\r\nRCPT TO:<ops@example.com>\r\n"
                   "DATA\r\n");
    assert_int_equal(feed_str(&t, "250 ok\r\n550 no\r\n503 no\r\n", NULL), MW_OK);
    expect_out(&t, "RSET\r\n");
    assert_int_equal(t.ndone, 1);
    assert_int_equal(feed_str(&t, "250 ok\r\n", NULL), MW_OK);
    assert_int_equal(t.ndone, 2);
    assert_int_equal(t.res.status, MW_E_STATE);
    assert_int_equal(t.res.code, 550);
    assert_int_equal(mw_smtp_client_want(&t.c), MW_SMTP_CLIENT_WANT_SEND);

    /* LMTP: per-recipient results. */
    t.cfg.lmtp = 1;
    msg_init(&m);
    m.rcpt = rc_two;
    m.rcpt_count = 2;
    t.msg = &m;
    sch_start(&t, &t.own);
    assert_int_equal(feed_str(&t, "220 x\r\n250-x\r\n250 PIPELINING\r\n"
                                  "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"
                                  "250 2.0.0 delivered\r\n"
                                  "452 4.2.2 over quota\r\n221 bye\r\n",
                              NULL),
                     MW_DONE);
    assert_int_equal(t.res.status, MW_OK);
    assert_int_equal(t.res.delivered, 1);
    assert_int_equal(t.res.rcpt_accepted, 2);
    expect_out(&t, "LHLO dev.example\r\nMAIL FROM:<dev@example.com>\r\n"
                   "RCPT TO:<ops@example.com>\r\nRCPT TO:<nobody@example.com>\r\n"
                   "DATA\r\n"
                   "From: dev@example.com\r\nTo: ops@example.com\r\n"
                   "Subject: alarm\r\n\r\nTemperature high.\r\n.\r\nQUIT\r\n");
    t.cfg.lmtp = 0;

    /* Bad descriptors. */
    t.msg = NULL;
    sch_start(&t, &t.own);
    msg_init(&m);
    m.rcpt_count = 0;
    assert_int_equal(mw_smtp_client_send_message(&t.c, &m), MW_E_INVAL);
    msg_init(&m);
    m.from = NULL;
    assert_int_equal(mw_smtp_client_send_message(&t.c, &m), MW_E_INVAL);
    msg_init(&m);
    m.auth = MW_SMTP_CLIENT_AUTH_PLAIN;
    assert_int_equal(mw_smtp_client_send_message(&t.c, &m), MW_E_INVAL);
    msg_init(&m);
    m.tls = 7;
    assert_int_equal(mw_smtp_client_send_message(&t.c, &m), MW_E_INVAL);
    msg_init(&m);
    m.from = "bad address";
    assert_int_equal(mw_smtp_client_send_message(&t.c, &m), MW_OK);
    assert_int_equal(feed_str(&t, "220 x\r\n250 x\r\n221 bye\r\n", NULL), MW_DONE);
    assert_int_equal(t.res.status, MW_E_INVAL);
    expect_out(&t, "EHLO dev.example\r\nQUIT\r\n");
    /* REJECT policy: a message with a bare LF is refused up front. */
    t.cfg.body_newlines = MW_NEWLINE_REJECT;
    sch_start(&t, &t.own);
    msg_init(&m);
    m.body = "a\nb";
    m.body_len = 3;
    assert_int_equal(mw_smtp_client_send_message(&t.c, &m), MW_E_BARE_LF);
    sch_teardown(&t);
}

static void test_pause_and_split_tls(void **state)
{
    /* Every reply callback pauses: feed() stops after each reply and the
     * replay re-feeds the rest; the events are the same. */
    static const char *const script[] = {"EHLO bar.com", "MAIL a@bar.com", "QUIT"};
    static const char *const tls_script[] = {"EHLO bar.com", "STARTTLS",
                                             "-", "MAIL a@bar.com", "QUIT"};
    sch t;
    evlog whole;
    (void)state;
    sch_setup(&t);
    evlog_init(&whole);
    t.script = script;
    t.nscript = 3;
    t.pause_replies = 1;
    sch_run(&t, S_("220 x\r\n250 x\r\n250 ok\r\n221 bye\r\n"),
            S_("EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nQUIT\r\n"), &whole);
    SCH_HAS(&whole, "R QUIT 221");
    t.pause_replies = 0;

    /* STARTTLS in a replay: the plaintext part up to the 220 is fed at
     * reset (with the handshake "done" in the callback), the rest is
     * replayed. */
    t.script = tls_script;
    t.nscript = 5;
    t.tls_auto = 1;
    t.pre = "220 x\r\n250-x\r\n250 STARTTLS\r\n220 go ahead\r\n";
    t.prelen = strlen(t.pre);
    sch_run(&t, S_("250-x\r\n250 AUTH PLAIN\r\n250 ok\r\n221 bye\r\n"),
            S_("EHLO bar.com\r\nSTARTTLS\r\nEHLO bar.com\r\n"
               "MAIL FROM:<a@bar.com>\r\nQUIT\r\n"),
            &whole);
    SCH_HAS(&whole, "pre -> MW_OK");
    SCH_HAS(&whole, "R EHLO 250");
    evlog_free(&whole);
    sch_teardown(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reply_line_forms),
        cmocka_unit_test(test_reply_line_errors),
        cmocka_unit_test(test_reply_check_whole),
        cmocka_unit_test(test_caps_postfix),
        cmocka_unit_test(test_caps_gmail),
        cmocka_unit_test(test_caps_m365),
        cmocka_unit_test(test_caps_unknown_and_odd),
        cmocka_unit_test(test_caps_bounds),
        cmocka_unit_test(test_rfc5321_d1),
        cmocka_unit_test(test_rfc5321_d2),
        cmocka_unit_test(test_rfc5321_d3),
        cmocka_unit_test(test_rfc5321_d4),
        cmocka_unit_test(test_rfc2920_examples),
        cmocka_unit_test(test_rfc3030_examples),
        cmocka_unit_test(test_rfc2033_example),
        cmocka_unit_test(test_helo_fallback),
        cmocka_unit_test(test_fatal_replies),
        cmocka_unit_test(test_starttls_injection),
        cmocka_unit_test(test_require_tls),
        cmocka_unit_test(test_ctl_in_every_argument),
        cmocka_unit_test(test_data_stuffing_and_newlines),
        cmocka_unit_test(test_data_reject_newlines),
        cmocka_unit_test(test_pipelining_rules),
        cmocka_unit_test(test_data_no_recipient),
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_mail_params),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_lmtp_bdat_pipelined),
        cmocka_unit_test(test_100k_rcpt),
        cmocka_unit_test(test_helper_gmail),
        cmocka_unit_test(test_helper_m365),
        cmocka_unit_test(test_helper_plain_server),
        cmocka_unit_test(test_helper_reader_and_failures),
        cmocka_unit_test(test_helper_keep_open_and_lmtp),
        cmocka_unit_test(test_pause_and_split_tls),
    };
    return cmocka_run_group_tests_name("smtp_client", tests, NULL, NULL);
}
