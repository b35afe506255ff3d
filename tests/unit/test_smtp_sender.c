/* SPDX-License-Identifier: MIT */
/*
 * The SMTP sender (include/mailwire/smtp_sender.h, lib/smtp/sender.c).
 *
 * A small scripted server comes first: a test describes the message
 * (a fixture), gives the whole reply script the server would send, and
 * the helper feeds it whole, byte by byte and cut in two at every offset
 * (the sender sends each next command from inside feed(), so one script
 * fed at once is a whole session). Every run must write the same bytes,
 * log the same reply lines and end with the same outcome; the test then
 * checks the whole run against the bytes RFC 5321 (and RFC 3207, 4954,
 * 6152, 6531, 1870) say a client writes.
 *
 * Feed chunks, `read` pieces and the caller's buffer are exact-size heap
 * blocks, so a sanitizer build catches any read or write past their end
 * and any pointer kept into an old chunk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mailwire/features.h"

#if MW_ENABLE_SMTP_SENDER

#include "mailwire/smtp_sender.h"
#include "reason.h"
#include "textbuf.h"

#define S_(lit) lit, sizeof(lit) - 1

/* ====================================================================
 * The scripted server
 * ==================================================================== */

/* What a test sends and how the callbacks behave. Zero is the default. */
typedef struct fx {
    mw_smtp_sender_message m; /* callbacks and their users are set by the
                               * helper; the test fills the rest */
    size_t cap;               /* buffer size; 0: MW_SMTP_SENDER_BUF_SIZE */
    unsigned send_fail;       /* the n-th send call returns -1 (1-based) */
    unsigned reply_fail;      /* the n-th reply line callback returns -1 */
    int no_reply_cb;          /* leave `reply` NULL */
    /* `read` instead of `body` when src is not NULL */
    const char *src;
    size_t src_len;
    size_t piece;             /* bytes per read; 0: 1, 2, ..., 7, 1, ... */
    int read_fail;            /* read returns -1 once read_fail_at bytes
                               * were given */
    size_t read_fail_at;
    int read_null;            /* read gives NULL with a length */
} fx;

#define MAX_CALLS 4096

/* One session against the script. */
typedef struct run {
    const fx *f;
    mw_smtp_sender_message m;
    mw_smtp_sender s;
    char *buf;
    mw_textbuf out;     /* every byte `send` got, in order */
    mw_textbuf log;     /* "<STEP> <code> <text>\n" per reply line */
    size_t calls[MAX_CALLS]; /* length of each send call */
    unsigned ncalls;
    unsigned nreplies;
    size_t rpos;        /* `read`: bytes given so far */
    unsigned rcalls;
    char *rpiece;       /* the piece handed out last (freed at the next) */
    int init_rc;
    int rc;             /* the last feed() or tls_done() status */
    size_t used;        /* bytes feed() consumed, over all calls */
    unsigned pauses;    /* MW_PAUSED returns */
} run;

/* The step names, from the header's values: a wrong `cmd` shows up as a
 * wrong name in the log. */
static const char *step_name(int cmd)
{
    switch (cmd) {
    case MW_SMTP_SENDER_GREETING: return "GREETING";
    case MW_SMTP_SENDER_HELO: return "HELO";
    case MW_SMTP_SENDER_EHLO: return "EHLO";
    case MW_SMTP_SENDER_MAIL: return "MAIL";
    case MW_SMTP_SENDER_RCPT: return "RCPT";
    case MW_SMTP_SENDER_DATA: return "DATA";
    case MW_SMTP_SENDER_QUIT: return "QUIT";
    case MW_SMTP_SENDER_AUTH: return "AUTH";
    case MW_SMTP_SENDER_STARTTLS: return "STARTTLS";
    case MW_SMTP_SENDER_MESSAGE: return "MESSAGE";
    default: return "?";
    }
}

static int t_send(void *u, const char *p, size_t n)
{
    run *r = (run *)u;
    assert_non_null(p);
    assert_true(n > 0);
    if (r->f->send_fail != 0 && r->ncalls + 1 == r->f->send_fail) {
        r->ncalls++;
        return -1;
    }
    mw_textbuf_put(&r->out, p, n);
    if (r->ncalls < MAX_CALLS)
        r->calls[r->ncalls] = n;
    r->ncalls++;
    return 0;
}

static int t_read(void *u, const char **chunk, size_t *len)
{
    run *r = (run *)u;
    const fx *f = r->f;
    size_t k = f->piece ? f->piece : 1u + r->rcalls % 7u;
    r->rcalls++;
    free(r->rpiece); /* the last piece is no longer valid */
    r->rpiece = NULL;
    if (f->read_fail && r->rpos >= f->read_fail_at)
        return -1;
    if (f->read_null) {
        *chunk = NULL;
        *len = 1;
        return 0;
    }
    if (k > f->src_len - r->rpos)
        k = f->src_len - r->rpos;
    if (k == 0) {
        *chunk = NULL;
        *len = 0;
        return 0;
    }
    r->rpiece = (char *)malloc(k);
    assert_non_null(r->rpiece);
    memcpy(r->rpiece, f->src + r->rpos, k);
    r->rpos += k;
    *chunk = r->rpiece;
    *len = k;
    return 0;
}

static int t_reply(void *u, int cmd, unsigned code, const char *text,
                   size_t len)
{
    run *r = (run *)u;
    char head[32];
    int n = snprintf(head, sizeof head, "%s %u ", step_name(cmd), code);
    assert_true(len == 0 || text != NULL);
    mw_textbuf_put(&r->log, head, (size_t)n);
    mw_textbuf_put(&r->log, text, len);
    mw_textbuf_put(&r->log, "\n", 1);
    return ++r->nreplies == r->f->reply_fail ? -1 : 0;
}

/* Start a session for `f` (init's status in r->init_rc). */
static void run_start(run *r, const fx *f)
{
    size_t cap = f->cap ? f->cap : MW_SMTP_SENDER_BUF_SIZE;
    memset(r, 0, sizeof *r);
    r->f = f;
    r->m = f->m;
    r->m.send = t_send;
    r->m.send_user = r;
    r->m.reply = f->no_reply_cb ? NULL : t_reply;
    r->m.reply_user = r;
    if (f->src != NULL) {
        r->m.body = NULL;
        r->m.body_len = 0;
        r->m.read = t_read;
        r->m.read_user = r;
    }
    r->buf = (char *)malloc(cap);
    assert_non_null(r->buf);
    r->init_rc = mw_smtp_sender_init(&r->s, &r->m, r->buf, cap);
    r->rc = MW_OK;
}

static void run_free(run *r)
{
    mw_textbuf_free(&r->out);
    mw_textbuf_free(&r->log);
    free(r->rpiece);
    free(r->buf);
    r->rpiece = NULL;
    r->buf = NULL;
}

/* Feed p[0..n) from an exact-size heap copy; returns feed()'s status. */
static int run_feed(run *r, const char *p, size_t n)
{
    char *c = (char *)malloc(n ? n : 1);
    size_t used = 12345;
    int rc;
    assert_non_null(c);
    if (n)
        memcpy(c, p, n);
    rc = mw_smtp_sender_feed(&r->s, c, n, &used);
    free(c);
    assert_true(used <= n);
    r->used += used;
    r->rc = rc;
    if (rc == MW_PAUSED)
        r->pauses++;
    return rc;
}

/* Feed the script: pieces of `step` bytes (0: as few as possible), also
 * cut at cut1 and cut2 (0: none). A pause (the 220 to STARTTLS at the
 * end of a piece) is answered with tls_done(), as the caller would once
 * the handshake is over; feeding stops when the session is over. */
static void run_script(run *r, const fx *f, const char *p, size_t len,
                       size_t step, size_t cut1, size_t cut2)
{
    size_t pos = 0;
    run_start(r, f);
    while (pos < len) {
        size_t end = len, before = r->used;
        int rc;
        if (step != 0 && end - pos > step)
            end = pos + step;
        if (cut1 > pos && cut1 < end)
            end = cut1;
        if (cut2 > pos && cut2 < end)
            end = cut2;
        rc = run_feed(r, p + pos, end - pos);
        if (rc == MW_DONE)
            break;
        if (rc == MW_PAUSED) {
            /* Only a pause at the very end of a piece is a pause; bytes
             * behind it would have ended the session. */
            assert_int_equal(r->used - before, end - pos);
            r->rc = mw_smtp_sender_tls_done(&r->s);
            if (r->rc == MW_DONE)
                break;
            assert_int_equal(r->rc, MW_OK);
        } else {
            assert_int_equal(rc, MW_OK);
            assert_int_equal(r->used - before, end - pos);
        }
        pos = end;
    }
}

static const char *out_str(const run *r)
{
    return r->out.p != NULL ? r->out.p : "";
}

static const char *log_str(const run *r)
{
    return r->log.p != NULL ? r->log.p : "";
}

/* Two runs of one script must agree in everything they show. */
static void assert_same_run(const run *a, const run *b, size_t step,
                            size_t cut)
{
    const mw_smtp_sender_result *x = mw_smtp_sender_outcome(&a->s);
    const mw_smtp_sender_result *y = mw_smtp_sender_outcome(&b->s);
    if (a->out.n != b->out.n || strcmp(out_str(a), out_str(b)) != 0 ||
        strcmp(log_str(a), log_str(b)) != 0 || x->status != y->status ||
        x->cmd != y->cmd || x->code != y->code ||
        x->rcpt_accepted != y->rcpt_accepted ||
        x->rcpt_rejected != y->rcpt_rejected || x->offset != y->offset ||
        a->used != b->used || a->rc != b->rc || a->pauses != b->pauses) {
        print_message("run with step %zu cut %zu differs from the whole run\n"
                      "whole: status %d cmd %d code %u off %zu used %zu rc %d\n"
                      "other: status %d cmd %d code %u off %zu used %zu rc %d\n"
                      "whole wrote:\n%s\nother wrote:\n%s\n",
                      step, cut, x->status, x->cmd, x->code, x->offset,
                      a->used, a->rc, y->status, y->cmd, y->code, y->offset,
                      b->used, b->rc, out_str(a), out_str(b));
        fail();
    }
}

/* Run the script whole (cut only at tls_at, where the handshake goes;
 * 0: no TLS), byte by byte, and in two pieces at every offset; every run
 * must be the same. The whole run is left in *whole (run_free() it). */
static void check_script(const fx *f, const char *p, size_t len,
                         size_t tls_at, run *whole)
{
    run other;
    size_t k;
    run_script(whole, f, p, len, 0, tls_at, 0);
    run_script(&other, f, p, len, 1, 0, 0);
    assert_same_run(whole, &other, 1, 0);
    run_free(&other);
    for (k = 1; k < len; k++) {
        run_script(&other, f, p, len, 0, k, tls_at);
        assert_same_run(whole, &other, 0, k);
        run_free(&other);
    }
}

static void expect_outcome(const run *r, int status, int cmd, unsigned code)
{
    const mw_smtp_sender_result *o = mw_smtp_sender_outcome(&r->s);
    assert_non_null(o);
    if (o->status != status || o->cmd != cmd || o->code != code)
        print_message("outcome: status %d cmd %s code %u (%s)\n", o->status,
                      step_name(o->cmd), o->code,
                      o->reason != NULL ? o->reason : "(null)");
    assert_int_equal(o->status, status);
    assert_int_equal(o->cmd, cmd);
    assert_int_equal(o->code, code);
    assert_reason_given(o->reason);
}

static void expect_out(const run *r, const char *want)
{
    assert_string_equal(out_str(r), want);
    assert_int_equal(r->out.n, strlen(want));
}

/* ---- common fixtures ---- */

static const char *const one_rcpt[] = {"b@foo.com"};

/* A plain session: one recipient, a one-line message. */
static void fx_plain(fx *f)
{
    memset(f, 0, sizeof *f);
    f->m.ehlo_domain = "bar.com";
    f->m.from = "a@bar.com";
    f->m.rcpt = one_rcpt;
    f->m.rcpt_count = 1;
    f->m.body = "Hi\r\n";
    f->m.body_len = 4;
}

#define GREET "220 foo.com ESMTP\r\n"
/* The replies to MAIL, RCPT, DATA, the message and QUIT of fx_plain. */
#define TAIL_S "250 OK\r\n250 OK\r\n354 go\r\n250 OK\r\n221 bye\r\n"
#define TAIL_C                                                                \
    "MAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\nDATA\r\nHi\r\n.\r\n"     \
    "QUIT\r\n"
#define TXN_C "RCPT TO:<b@foo.com>\r\nDATA\r\nHi\r\n.\r\nQUIT\r\n"

/* ====================================================================
 * The session of RFC 5321 Appendix D.1
 * ==================================================================== */

static const char *const d1_rcpt[] = {"Jones@foo.com", "Green@foo.com",
                                      "Brown@foo.com"};

/* D.1's message, plus what the sender must repair: a line that starts
 * with "." (D.1's own "...etc."), a bare LF, a lone "." line ended by a
 * bare CR, another bare CR, and no line end at the end. */
static const char d1_body[] = "Blah blah blah...\r\n"
                              "...etc. etc. etc.\n"
                              ".\r"
                              "bare CR\r"
                              "end";
/* RFC 5321 §4.5.2: a leading "." doubled; each bare CR and LF as CRLF;
 * CRLF "." CRLF after the last line. */
static const char d1_data[] = "Blah blah blah...\r\n"
                              "....etc. etc. etc.\r\n"
                              "..\r\n"
                              "bare CR\r\n"
                              "end\r\n"
                              ".\r\n";

static const char d1_server[] =
    "220 foo.com Simple Mail Transfer Service Ready\r\n"
    "250-foo.com greets bar.com\r\n"
    "250-8BITMIME\r\n"
    "250-SIZE\r\n"
    "250-DSN\r\n"
    "250 HELP\r\n"
    "250 OK\r\n"
    "250 OK\r\n"
    "550 No such user here\r\n"
    "250 OK\r\n"
    "354 Start mail input; end with <CRLF>.<CRLF>\r\n"
    "250 OK\r\n"
    "221 foo.com Service closing transmission channel\r\n";

static const char d1_client_cmds[] = "EHLO bar.com\r\n"
                                     "MAIL FROM:<Smith@bar.com>\r\n"
                                     "RCPT TO:<Jones@foo.com>\r\n"
                                     "RCPT TO:<Green@foo.com>\r\n"
                                     "RCPT TO:<Brown@foo.com>\r\n"
                                     "DATA\r\n";

static const char d1_log[] =
    "GREETING 220 foo.com Simple Mail Transfer Service Ready\n"
    "EHLO 250 foo.com greets bar.com\n"
    "EHLO 250 8BITMIME\n"
    "EHLO 250 SIZE\n"
    "EHLO 250 DSN\n"
    "EHLO 250 HELP\n"
    "MAIL 250 OK\n"
    "RCPT 250 OK\n"
    "RCPT 550 No such user here\n"
    "RCPT 250 OK\n"
    "DATA 354 Start mail input; end with <CRLF>.<CRLF>\n"
    "MESSAGE 250 OK\n"
    "QUIT 221 foo.com Service closing transmission channel\n";

static void fx_d1(fx *f)
{
    memset(f, 0, sizeof *f);
    f->m.ehlo_domain = "bar.com";
    f->m.from = "Smith@bar.com";
    f->m.rcpt = d1_rcpt;
    f->m.rcpt_count = 3;
    f->m.body = d1_body;
    f->m.body_len = sizeof d1_body - 1;
}

static void expect_d1(const run *r)
{
    const mw_smtp_sender_result *o = mw_smtp_sender_outcome(&r->s);
    mw_textbuf want = {0};
    mw_textbuf_put(&want, S_(d1_client_cmds));
    mw_textbuf_put(&want, S_(d1_data));
    mw_textbuf_put(&want, S_("QUIT\r\n"));
    expect_out(r, want.p);
    mw_textbuf_free(&want);
    expect_outcome(r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
    assert_int_equal(o->rcpt_accepted, 2);
    assert_int_equal(o->rcpt_rejected, 1);
    assert_int_equal(r->rc, MW_DONE);
    assert_int_equal(r->used, sizeof d1_server - 1);
}

static void test_d1_session(void **state)
{
    fx f;
    run r;
    (void)state;
    fx_d1(&f);
    check_script(&f, S_(d1_server), 0, &r);
    expect_d1(&r);
    assert_string_equal(log_str(&r), d1_log);
    /* Each command is one send call (the header's promise), the first
     * six and QUIT. */
    assert_true(r.ncalls >= 8);
    assert_int_equal(r.calls[0], strlen("EHLO bar.com\r\n"));
    assert_int_equal(r.calls[1], strlen("MAIL FROM:<Smith@bar.com>\r\n"));
    assert_int_equal(r.calls[2], strlen("RCPT TO:<Jones@foo.com>\r\n"));
    assert_int_equal(r.calls[5], strlen("DATA\r\n"));
    assert_int_equal(r.calls[r.ncalls - 1], strlen("QUIT\r\n"));
    run_free(&r);

    /* Without a reply callback the session is the same. */
    f.no_reply_cb = 1;
    run_script(&r, &f, S_(d1_server), 0, 0, 0);
    expect_d1(&r);
    assert_int_equal(r.log.n, 0);
    run_free(&r);
}

/* The message pulled through `read`, in pieces of 1 to 7 bytes and in
 * the cycling 1, 2, ..., 7 pattern: the bytes sent are the same. */
static void test_d1_read_pieces(void **state)
{
    fx f;
    run r;
    size_t piece;
    (void)state;
    for (piece = 0; piece <= 7; piece++) {
        fx_d1(&f);
        f.src = d1_body;
        f.src_len = sizeof d1_body - 1;
        f.piece = piece;
        if (piece == 3)
            check_script(&f, S_(d1_server), 0, &r);
        else
            run_script(&r, &f, S_(d1_server), 0, 0, 0);
        expect_d1(&r);
        run_free(&r);
    }
}

/* ====================================================================
 * The message data (RFC 5321 §4.5.2, §4.1.1.4)
 * ==================================================================== */

/* The data for `body` (whole, and read in pieces of 1 to 7 bytes and
 * cycling) must be exactly `data`. */
static void check_data(const char *body, size_t blen, const char *data)
{
    mw_textbuf want = {0};
    size_t piece;
    mw_textbuf_put(&want, S_("EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\n"
                             "RCPT TO:<b@foo.com>\r\nDATA\r\n"));
    mw_textbuf_put(&want, data, strlen(data));
    mw_textbuf_put(&want, S_("QUIT\r\n"));
    for (piece = 0; piece <= 8; piece++) {
        fx f;
        run r;
        fx_plain(&f);
        f.m.body = body;
        f.m.body_len = blen;
        if (piece < 8) {
            f.src = body;
            f.src_len = blen;
            f.piece = piece;
        }
        run_script(&r, &f, S_(GREET "250 foo.com\r\n" TAIL_S), 0, 0, 0);
        expect_out(&r, want.p);
        expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
        run_free(&r);
    }
    mw_textbuf_free(&want);
}

static void test_data_forms(void **state)
{
    (void)state;
    /* Ends with CRLF: no CRLF added before ".". */
    check_data(S_("x\r\n"), "x\r\n.\r\n");
    /* No line end at the end: CRLF added. */
    check_data(S_("x"), "x\r\n.\r\n");
    /* Empty message: just the "." line. */
    check_data(S_(""), ".\r\n");
    /* Dots at line starts only; the first line counts. */
    check_data(S_(".a\r\nb.c\r\n..\r\n."), "..a\r\nb.c\r\n...\r\n..\r\n.\r\n");
    /* A message that holds its own terminator: stuffed, so it is data. */
    check_data(S_("a\r\n.\r\nMAIL FROM:<x@y.z>\r\n"),
               "a\r\n..\r\nMAIL FROM:<x@y.z>\r\n.\r\n");
    /* Bare LF and bare CR become CRLF, and CR LF stays one line end;
     * "\r\r\n" is a bare CR then CRLF. */
    check_data(S_("a\nb\rc\r\r\nd\n\n"), "a\r\nb\r\nc\r\n\r\nd\r\n\r\n.\r\n");
    /* A message ending with a bare CR or LF: that line end is the last. */
    check_data(S_("a\r"), "a\r\n.\r\n");
    check_data(S_("a\n"), "a\r\n.\r\n");
    /* 8-bit bytes pass through (the sender does not judge them). */
    check_data(S_("caf\xc3\xa9\r\n"), "caf\xc3\xa9\r\n.\r\n");
}

/* The data part of what a session wrote: after "DATA\r\n", before the
 * final "QUIT\r\n". */
static void data_part(const run *r, const char **p, size_t *n)
{
    const char *d = strstr(out_str(r), "DATA\r\n");
    assert_non_null(d);
    d += 6;
    *p = d;
    *n = r->out.n - (size_t)(d - r->out.p);
    assert_true(*n >= 6);
    assert_memory_equal(d + *n - 6, "QUIT\r\n", 6);
    *n -= 6;
}

/* SMTP smuggling (CVE-2023-51764 and kin): whatever line ends a message
 * holds, the data must never contain CRLF "." CRLF but at its very end,
 * and never a bare CR or LF a server could take for a line end. */
static void test_smuggling(void **state)
{
    static const char *const vectors[] = {
        "a\n.\nMAIL FROM:<evil@x.y>\r\n",
        "a\r.\rMAIL FROM:<evil@x.y>\r\n",
        "a\r\n.\nMAIL FROM:<evil@x.y>\r\n",
        "a\n.\r\nMAIL FROM:<evil@x.y>\r\n",
        "a\r.\r\nb",
        "a\r\n.\rb",
        ".\n.\r.\r\n.",
        "\n.\n",
        "\r.\r",
        "a\r\n.\r\n",
    };
    size_t v;
    (void)state;
    for (v = 0; v < sizeof vectors / sizeof vectors[0]; v++) {
        size_t blen = strlen(vectors[v]), piece;
        for (piece = 0; piece <= 8; piece++) {
            fx f;
            run r;
            const char *d, *hit;
            size_t n, i;
            fx_plain(&f);
            f.m.body = vectors[v];
            f.m.body_len = blen;
            if (piece < 8) {
                f.src = vectors[v];
                f.src_len = blen;
                f.piece = piece;
            }
            run_script(&r, &f, S_(GREET "250 foo.com\r\n" TAIL_S), 0, 0, 0);
            expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
            data_part(&r, &d, &n);
            /* ends with the terminator, exactly once */
            assert_true(n >= 5 || (n == 3 && memcmp(d, ".\r\n", 3) == 0));
            if (n >= 5)
                assert_memory_equal(d + n - 5, "\r\n.\r\n", 5);
            hit = strstr(d, "\r\n.\r\n");
            assert_true(hit == NULL || hit == d + n - 5);
            /* a data line that is a lone "." is only the last one */
            assert_false(n > 3 && memcmp(d, ".\r\n", 3) == 0);
            for (i = 0; i < n; i++) {
                if (d[i] == '\r')
                    assert_true(i + 1 < n && d[i + 1] == '\n');
                if (d[i] == '\n')
                    assert_true(i > 0 && d[i - 1] == '\r');
            }
            run_free(&r);
        }
    }
}

/* ====================================================================
 * EHLO and the HELO fallback (RFC 5321 §3.2, §4.1.1.1)
 * ==================================================================== */

static void test_helo_fallback(void **state)
{
    static const unsigned codes[] = {500, 502, 504, 550};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        fx f;
        run r;
        char script[256];
        int n;
        fx_plain(&f);
        n = snprintf(script, sizeof script,
                     GREET "%u Command not recognized\r\n250 foo.com\r\n" TAIL_S,
                     codes[i]);
        check_script(&f, script, (size_t)n, 0, &r);
        expect_out(&r, "EHLO bar.com\r\nHELO bar.com\r\n" TAIL_C);
        expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
        assert_int_equal(r.rc, MW_DONE);
        run_free(&r);
    }
}

/* HELO refused too: the session ends there. */
static void test_helo_refused(void **state)
{
    fx f;
    run r;
    (void)state;
    fx_plain(&f);
    check_script(&f, S_(GREET "502 no\r\n501 5.5.4 bad domain\r\n221 bye\r\n"),
                 0, &r);
    expect_out(&r, "EHLO bar.com\r\nHELO bar.com\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_HELO, 501);
    assert_int_equal(r.rc, MW_DONE);
    run_free(&r);
}

/* After HELO there are no extensions: a message that needs one fails. */
static void test_helo_no_extensions(void **state)
{
    fx f;
    run r;
    (void)state;
    fx_plain(&f);
    f.m.eight_bit = 1;
    run_script(&r, &f, S_(GREET "502 no\r\n250 foo.com\r\n221 bye\r\n"), 0, 0,
               0);
    expect_out(&r, "EHLO bar.com\r\nHELO bar.com\r\nQUIT\r\n");
    assert_int_equal(mw_smtp_sender_outcome(&r.s)->status, MW_E_UNSUPPORTED);
    run_free(&r);
}

/* No HELO when the session needs EHLO: TLS required, AUTH wanted; and
 * not for 554 (no SMTP service here), nor for a 4xx. */
static void test_helo_no_fallback(void **state)
{
    fx f;
    run r;
    (void)state;

    fx_plain(&f);
    f.m.tls = MW_SMTP_SENDER_TLS_REQUIRED;
    check_script(&f, S_(GREET "502 no\r\n221 bye\r\n"), 0, &r);
    expect_out(&r, "EHLO bar.com\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_EHLO, 502);
    assert_int_equal(r.rc, MW_DONE);
    run_free(&r);

    fx_plain(&f);
    f.m.user = "user";
    f.m.secret = "pass";
    f.m.auth_without_tls = 1;
    check_script(&f, S_(GREET "502 no\r\n221 bye\r\n"), 0, &r);
    expect_out(&r, "EHLO bar.com\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_EHLO, 502);
    run_free(&r);

    fx_plain(&f);
    run_script(&r, &f, S_(GREET "554 no\r\n221 bye\r\n"), 0, 0, 0);
    expect_out(&r, "EHLO bar.com\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_EHLO, 554);
    run_free(&r);

    fx_plain(&f);
    run_script(&r, &f, S_(GREET "451 later\r\n221 bye\r\n"), 0, 0, 0);
    expect_out(&r, "EHLO bar.com\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_EHLO, 451);
    run_free(&r);
}

/* ====================================================================
 * STARTTLS (RFC 3207)
 * ==================================================================== */

#define EHLO_TLS_AUTH                                                         \
    "250-foo.com\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"
#define CLEAR_TLS GREET EHLO_TLS_AUTH "220 2.0.0 Ready to start TLS\r\n"

static void test_starttls_pause(void **state)
{
    fx f;
    run r;
    size_t used = 99;
    const mw_smtp_sender_result *o;
    (void)state;
    fx_plain(&f);
    f.m.tls = MW_SMTP_SENDER_TLS_OPPORTUNISTIC;
    run_start(&r, &f);
    assert_int_equal(r.init_rc, MW_OK);
    /* tls_done() before any STARTTLS */
    assert_int_equal(mw_smtp_sender_tls_done(&r.s), MW_E_STATE);
    assert_int_equal(run_feed(&r, S_(CLEAR_TLS)), MW_PAUSED);
    assert_int_equal(r.used, sizeof CLEAR_TLS - 1);
    expect_out(&r, "EHLO bar.com\r\nSTARTTLS\r\n");
    o = mw_smtp_sender_outcome(&r.s);
    assert_int_equal(o->status, MW_E_INCOMPLETE);
    assert_int_equal(o->cmd, 0);
    /* Nothing may be read before the handshake: not even an empty feed. */
    assert_int_equal(mw_smtp_sender_feed(&r.s, S_("250 x\r\n"), &used),
                     MW_E_STATE);
    assert_int_equal(used, 0);
    assert_int_equal(mw_smtp_sender_feed(&r.s, NULL, 0, &used), MW_E_STATE);
    expect_out(&r, "EHLO bar.com\r\nSTARTTLS\r\n");
    /* TLS is up: EHLO again (RFC 3207 §4.2). */
    assert_int_equal(mw_smtp_sender_tls_done(&r.s), MW_OK);
    expect_out(&r, "EHLO bar.com\r\nSTARTTLS\r\nEHLO bar.com\r\n");
    assert_int_equal(mw_smtp_sender_tls_done(&r.s), MW_E_STATE);
    /* The server offers STARTTLS again after TLS: not sent twice. */
    assert_int_equal(run_feed(&r, S_("250-foo.com\r\n250 STARTTLS\r\n" TAIL_S)),
                     MW_DONE);
    expect_out(&r, "EHLO bar.com\r\nSTARTTLS\r\nEHLO bar.com\r\n" TAIL_C);
    expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
    assert_int_equal(r.used, sizeof CLEAR_TLS - 1 +
                                 sizeof "250-foo.com\r\n250 STARTTLS\r\n" TAIL_S -
                                 1);
    run_free(&r);
}

/* What the server said in clear is forgotten after TLS: AUTH offered only
 * before TLS is not used after it (RFC 3207 §4.2), and 8BITMIME offered
 * only before is not either. */
static void test_starttls_forgets_caps(void **state)
{
    static const char script[] = CLEAR_TLS "250-foo.com\r\n250 SIZE\r\n"
                                           "221 bye\r\n";
    fx f;
    run r;
    (void)state;
    fx_plain(&f);
    f.m.tls = MW_SMTP_SENDER_TLS_OPPORTUNISTIC;
    f.m.user = "user";
    f.m.secret = "pass";
    check_script(&f, S_(script), sizeof CLEAR_TLS - 1, &r);
    expect_out(&r, "EHLO bar.com\r\nSTARTTLS\r\nEHLO bar.com\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_AUTH, 0);
    assert_int_equal(r.pauses, 1);
    run_free(&r);

    fx_plain(&f);
    f.m.tls = MW_SMTP_SENDER_TLS_REQUIRED;
    f.m.eight_bit = 1;
    check_script(&f, S_(script), sizeof CLEAR_TLS - 1, &r);
    expect_out(&r, "EHLO bar.com\r\nSTARTTLS\r\nEHLO bar.com\r\nQUIT\r\n");
    assert_int_equal(mw_smtp_sender_outcome(&r.s)->status, MW_E_UNSUPPORTED);
    run_free(&r);
}

/* A whole TLS session: STARTTLS, EHLO again, AUTH PLAIN, the message. */
static void test_starttls_session(void **state)
{
    static const char script[] =
        CLEAR_TLS "250-foo.com\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n"
                  "235 2.7.0 Authentication successful\r\n" TAIL_S;
    fx f;
    run r;
    (void)state;
    fx_plain(&f);
    f.m.tls = MW_SMTP_SENDER_TLS_REQUIRED;
    f.m.user = "user";
    f.m.secret = "pass";
    check_script(&f, S_(script), sizeof CLEAR_TLS - 1, &r);
    expect_out(&r, "EHLO bar.com\r\nSTARTTLS\r\nEHLO bar.com\r\n"
                   "AUTH PLAIN AHVzZXIAcGFzcw==\r\n" TAIL_C);
    expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
    assert_int_equal(r.pauses, 1);
    assert_int_equal(r.rc, MW_DONE);
    assert_int_equal(r.used, sizeof script - 1);
    run_free(&r);
}

/* Bytes behind the 220 to STARTTLS in the same read: response injection
 * (CVE-2020-15953). Nothing of them is read and nothing more is sent. */
static void test_starttls_injection(void **state)
{
    static const char *const extra[] = {"2", "250 OK\r\n",
                                        "250-foo.com\r\n250 AUTH PLAIN\r\n"};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof extra / sizeof extra[0]; i++) {
        size_t cut;
        /* the 220 line whole, or cut anywhere in it */
        for (cut = sizeof GREET EHLO_TLS_AUTH - 1; cut < sizeof CLEAR_TLS - 1;
             cut++) {
            fx f;
            run r;
            const mw_smtp_sender_result *o;
            mw_textbuf in = {0};
            fx_plain(&f);
            f.m.tls = MW_SMTP_SENDER_TLS_OPPORTUNISTIC;
            mw_textbuf_put(&in, S_(CLEAR_TLS));
            mw_textbuf_put(&in, extra[i], strlen(extra[i]));
            run_start(&r, &f);
            assert_int_equal(run_feed(&r, in.p, cut), MW_OK);
            assert_int_equal(run_feed(&r, in.p + cut, in.n - cut), MW_DONE);
            assert_int_equal(r.used, sizeof CLEAR_TLS - 1);
            expect_out(&r, "EHLO bar.com\r\nSTARTTLS\r\n");
            expect_outcome(&r, MW_E_INJECTION, MW_SMTP_SENDER_STARTTLS, 0);
            o = mw_smtp_sender_outcome(&r.s);
            assert_int_equal(o->offset, sizeof CLEAR_TLS - 1);
            assert_int_equal(mw_smtp_sender_tls_done(&r.s), MW_E_STATE);
            assert_int_equal(run_feed(&r, S_("250 x\r\n")), MW_DONE);
            assert_int_equal(mw_smtp_sender_eof(&r.s), MW_DONE);
            expect_out(&r, "EHLO bar.com\r\nSTARTTLS\r\n");
            assert_int_equal(o->status, MW_E_INJECTION);
            assert_int_equal(o->offset, sizeof CLEAR_TLS - 1);
            run_free(&r);
            mw_textbuf_free(&in);
        }
    }
}

static void test_starttls_required_not_offered(void **state)
{
    fx f;
    run r;
    (void)state;
    fx_plain(&f);
    f.m.tls = MW_SMTP_SENDER_TLS_REQUIRED;
    check_script(&f, S_(GREET "250-foo.com\r\n250 8BITMIME\r\n221 bye\r\n"), 0,
                 &r);
    expect_out(&r, "EHLO bar.com\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_STARTTLS, 0);
    assert_int_equal(r.rc, MW_DONE);
    run_free(&r);
}

static void test_starttls_refused(void **state)
{
    static const char script[] =
        GREET EHLO_TLS_AUTH "454 4.7.0 TLS not available\r\n" TAIL_S;
    fx f;
    run r;
    (void)state;
    /* required: fail, QUIT */
    fx_plain(&f);
    f.m.tls = MW_SMTP_SENDER_TLS_REQUIRED;
    check_script(&f, S_(script), 0, &r);
    expect_out(&r, "EHLO bar.com\r\nSTARTTLS\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_STARTTLS, 454);
    run_free(&r);

    /* opportunistic: on in clear */
    fx_plain(&f);
    f.m.tls = MW_SMTP_SENDER_TLS_OPPORTUNISTIC;
    check_script(&f, S_(script), 0, &r);
    expect_out(&r, "EHLO bar.com\r\nSTARTTLS\r\n" TAIL_C);
    expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
    assert_int_equal(r.pauses, 0);
    run_free(&r);

    /* opportunistic, and the server closes (421, RFC 5321 §3.8): no
     * more commands to a server that is going away, not even QUIT */
    fx_plain(&f);
    f.m.tls = MW_SMTP_SENDER_TLS_OPPORTUNISTIC;
    check_script(&f, S_(GREET EHLO_TLS_AUTH "421 4.3.2 going down\r\n" TAIL_S),
                 0, &r);
    expect_out(&r, "EHLO bar.com\r\nSTARTTLS\r\n");
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_STARTTLS, 421);
    assert_int_equal(r.rc, MW_DONE);
    run_free(&r);

    /* TLS_NONE: STARTTLS offered, never sent */
    fx_plain(&f);
    check_script(&f, S_(GREET EHLO_TLS_AUTH TAIL_S), 0, &r);
    expect_out(&r, "EHLO bar.com\r\n" TAIL_C);
    run_free(&r);
}

/* ====================================================================
 * AUTH (RFC 4954, RFC 4616, draft-murchison-sasl-login)
 * ==================================================================== */

static void fx_auth(fx *f, int tls)
{
    fx_plain(f);
    f->m.tls = tls;
    f->m.user = "user";
    f->m.secret = "pass";
}

/* base64("\0user\0pass") = AHVzZXIAcGFzcw== (RFC 4616 §2), worked by
 * hand: 00 75 73 | 65 72 00 | 70 61 73 | 73. */
static void test_auth_plain(void **state)
{
    fx f;
    run r;
    (void)state;
    fx_auth(&f, MW_SMTP_SENDER_TLS_IMPLICIT);
    check_script(&f, S_(GREET "250-foo.com\r\n250 AUTH LOGIN PLAIN\r\n"
                              "235 ok\r\n" TAIL_S),
                 0, &r);
    expect_out(&r, "EHLO bar.com\r\nAUTH PLAIN AHVzZXIAcGFzcw==\r\n" TAIL_C);
    expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
    run_free(&r);
}

/* LOGIN: the user name and the password in base64, each after a 334;
 * "user" = dXNlcg==, "pass" = cGFzcw==. */
static void test_auth_login(void **state)
{
    static const char script[] =
        GREET "250-foo.com\r\n250 AUTH LOGIN CRAM-MD5\r\n"
              "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 ok\r\n" TAIL_S;
    fx f;
    run r;
    (void)state;
    fx_auth(&f, MW_SMTP_SENDER_TLS_IMPLICIT);
    check_script(&f, S_(script), 0, &r);
    expect_out(&r, "EHLO bar.com\r\nAUTH LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\n" TAIL_C);
    expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
    assert_string_equal(log_str(&r),
                        "GREETING 220 foo.com ESMTP\n"
                        "EHLO 250 foo.com\n"
                        "EHLO 250 AUTH LOGIN CRAM-MD5\n"
                        "AUTH 334 VXNlcm5hbWU6\n"
                        "AUTH 334 UGFzc3dvcmQ6\n"
                        "AUTH 235 ok\n"
                        "MAIL 250 OK\n"
                        "RCPT 250 OK\n"
                        "DATA 354 go\n"
                        "MESSAGE 250 OK\n"
                        "QUIT 221 bye\n");
    run_free(&r);
}

/* The legacy "AUTH=" form some servers still send. */
static void test_auth_legacy_form(void **state)
{
    fx f;
    run r;
    (void)state;
    fx_auth(&f, MW_SMTP_SENDER_TLS_IMPLICIT);
    check_script(&f, S_(GREET "250-foo.com\r\n250 AUTH=LOGIN PLAIN\r\n"
                              "235 ok\r\n" TAIL_S),
                 0, &r);
    expect_out(&r, "EHLO bar.com\r\nAUTH PLAIN AHVzZXIAcGFzcw==\r\n" TAIL_C);
    run_free(&r);

    fx_auth(&f, MW_SMTP_SENDER_TLS_IMPLICIT);
    run_script(&r, &f, S_(GREET "250-foo.com\r\n250 auth=login\r\n"
                                "334 x\r\n334 y\r\n235 ok\r\n" TAIL_S),
               0, 0, 0);
    expect_out(&r, "EHLO bar.com\r\nAUTH LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\n" TAIL_C);
    run_free(&r);
}

static void test_auth_no_mechanism(void **state)
{
    static const char *const ehlo[] = {
        GREET "250-foo.com\r\n250 AUTH CRAM-MD5 XOAUTH2\r\n221 bye\r\n",
        GREET "250-foo.com\r\n250 8BITMIME\r\n221 bye\r\n",
        GREET "250 foo.com PLAIN LOGIN\r\n221 bye\r\n", /* first line: no keywords */
        GREET "250-foo.com\r\n250 AUTHPLAIN\r\n221 bye\r\n",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof ehlo / sizeof ehlo[0]; i++) {
        fx f;
        run r;
        fx_auth(&f, MW_SMTP_SENDER_TLS_IMPLICIT);
        run_script(&r, &f, ehlo[i], strlen(ehlo[i]), 0, 0, 0);
        expect_out(&r, "EHLO bar.com\r\nQUIT\r\n");
        expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_AUTH, 0);
        assert_int_equal(r.rc, MW_DONE);
        run_free(&r);
    }
}

static void test_auth_refused(void **state)
{
    fx f;
    run r;
    (void)state;
    fx_auth(&f, MW_SMTP_SENDER_TLS_IMPLICIT);
    check_script(&f, S_(GREET "250-foo.com\r\n250 AUTH PLAIN\r\n"
                              "535 5.7.8 Authentication credentials invalid\r\n"
                              "221 bye\r\n"),
                 0, &r);
    expect_out(&r, "EHLO bar.com\r\nAUTH PLAIN AHVzZXIAcGFzcw==\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_AUTH, MW_SMTP_SENDER_AUTH, 535);
    run_free(&r);

    /* LOGIN, refused after the password */
    fx_auth(&f, MW_SMTP_SENDER_TLS_IMPLICIT);
    run_script(&r, &f, S_(GREET "250-foo.com\r\n250 AUTH LOGIN\r\n334 a\r\n"
                                "334 b\r\n535 no\r\n221 bye\r\n"),
               0, 0, 0);
    expect_out(&r, "EHLO bar.com\r\nAUTH LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_AUTH, MW_SMTP_SENDER_AUTH, 535);
    run_free(&r);

    /* LOGIN, refused at once (504: mechanism not supported) */
    fx_auth(&f, MW_SMTP_SENDER_TLS_IMPLICIT);
    run_script(&r, &f, S_(GREET "250-foo.com\r\n250 AUTH LOGIN\r\n"
                                "504 no\r\n221 bye\r\n"),
               0, 0, 0);
    expect_out(&r, "EHLO bar.com\r\nAUTH LOGIN\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_AUTH, MW_SMTP_SENDER_AUTH, 504);
    run_free(&r);

    /* LOGIN, a 235 where the password challenge belongs */
    fx_auth(&f, MW_SMTP_SENDER_TLS_IMPLICIT);
    run_script(&r, &f, S_(GREET "250-foo.com\r\n250 AUTH LOGIN\r\n"
                                "334 a\r\n235 early\r\n221 bye\r\n"),
               0, 0, 0);
    expect_out(&r, "EHLO bar.com\r\nAUTH LOGIN\r\ndXNlcg==\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_AUTH, 235); /* not a 5xx */
    run_free(&r);
}

/* Credentials the buffer cannot hold, or PLAIN cannot carry (RFC 4616
 * §2: non-empty, UTF-8): never sent, not even in part; QUIT. */
static void test_auth_bad_credentials(void **state)
{
    static const char plain[] =
        GREET "250-foo.com\r\n250 AUTH PLAIN\r\n221 bye\r\n";
    char user[200];
    fx f;
    run r;
    size_t k, room;
    (void)state;

    /* "AUTH PLAIN " + base64(NUL user NUL pass) + CRLF in 128 bytes:
     * base64 of 1 + u + 1 + 4 bytes is 4 * ceil((u + 6) / 3) long */
    room = MW_SMTP_SENDER_BUF_MIN - 11 - 2;
    for (k = 0; k < 2; k++) {
        size_t u = room / 4 * 3 - 6 + k; /* the longest that fits, + 1 */
        memset(user, 'u', u);
        user[u] = '\0';
        fx_auth(&f, MW_SMTP_SENDER_TLS_IMPLICIT);
        f.cap = MW_SMTP_SENDER_BUF_MIN;
        f.m.user = user;
        run_script(&r, &f, S_(plain), 0, 0, 0);
        if (k == 0) {
            assert_non_null(strstr(out_str(&r), "AUTH PLAIN "));
            assert_int_equal(r.calls[1], 11 + 4 * ((u + 6 + 2) / 3) + 2);
            assert_true(r.calls[1] <= MW_SMTP_SENDER_BUF_MIN);
        } else {
            expect_out(&r, "EHLO bar.com\r\nQUIT\r\n");
            expect_outcome(&r, MW_E_TOO_LONG, MW_SMTP_SENDER_AUTH, 0);
        }
        run_free(&r);
    }

    /* LOGIN: the password line too long */
    memset(user, 'p', 150);
    user[150] = '\0';
    fx_auth(&f, MW_SMTP_SENDER_TLS_IMPLICIT);
    f.cap = MW_SMTP_SENDER_BUF_MIN;
    f.m.secret = user;
    run_script(&r, &f, S_(GREET "250-foo.com\r\n250 AUTH LOGIN\r\n334 a\r\n"
                                "334 b\r\n221 bye\r\n"),
               0, 0, 0);
    expect_out(&r, "EHLO bar.com\r\nAUTH LOGIN\r\ndXNlcg==\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_TOO_LONG, MW_SMTP_SENDER_AUTH, 0);
    run_free(&r);

    /* PLAIN cannot carry a user name that is not UTF-8, nor an empty one
     * (RFC 4616 §2), and LOGIN no empty one: init refuses them, so
     * nothing at all is sent */
    fx_auth(&f, MW_SMTP_SENDER_TLS_IMPLICIT);
    f.m.user = "\xff";
    run_script(&r, &f, S_(plain), 0, 0, 0);
    expect_out(&r, "");
    assert_int_equal(mw_smtp_sender_outcome(&r.s)->status, MW_E_INVAL);
    run_free(&r);
    fx_auth(&f, MW_SMTP_SENDER_TLS_IMPLICIT);
    f.m.user = "";
    run_script(&r, &f, S_(plain), 0, 0, 0);
    expect_out(&r, "");
    assert_int_equal(mw_smtp_sender_outcome(&r.s)->status, MW_E_INVAL);
    run_free(&r);
    fx_auth(&f, MW_SMTP_SENDER_TLS_IMPLICIT);
    f.m.secret = "";
    run_script(&r, &f, S_(plain), 0, 0, 0);
    expect_out(&r, "");
    assert_int_equal(mw_smtp_sender_outcome(&r.s)->status, MW_E_INVAL);
    run_free(&r);
}

/* Credentials go only over TLS unless the caller says otherwise. */
static void test_auth_clear_policy(void **state)
{
    static const char refuse[] =
        GREET "250-foo.com\r\n250 AUTH PLAIN\r\n221 bye\r\n";
    static const char allow[] =
        GREET "250-foo.com\r\n250 AUTH PLAIN\r\n235 ok\r\n" TAIL_S;
    fx f;
    run r;
    (void)state;
    fx_auth(&f, MW_SMTP_SENDER_TLS_NONE);
    check_script(&f, S_(refuse), 0, &r);
    expect_out(&r, "EHLO bar.com\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_AUTH, 0);
    run_free(&r);

    /* opportunistic without STARTTLS offered is clear too */
    fx_auth(&f, MW_SMTP_SENDER_TLS_OPPORTUNISTIC);
    run_script(&r, &f, S_(refuse), 0, 0, 0);
    expect_out(&r, "EHLO bar.com\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_AUTH, 0);
    run_free(&r);

    /* opportunistic, STARTTLS refused: still clear */
    fx_auth(&f, MW_SMTP_SENDER_TLS_OPPORTUNISTIC);
    run_script(&r, &f, S_(GREET EHLO_TLS_AUTH "454 no\r\n221 bye\r\n"), 0, 0,
               0);
    expect_out(&r, "EHLO bar.com\r\nSTARTTLS\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_AUTH, 0);
    run_free(&r);

    fx_auth(&f, MW_SMTP_SENDER_TLS_NONE);
    f.m.auth_without_tls = 1;
    check_script(&f, S_(allow), 0, &r);
    expect_out(&r, "EHLO bar.com\r\nAUTH PLAIN AHVzZXIAcGFzcw==\r\n" TAIL_C);
    expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
    run_free(&r);
}

/* TLS_IMPLICIT: the connection is TLS from the start; AUTH is allowed
 * and STARTTLS is never sent even when offered. */
static void test_auth_implicit_tls(void **state)
{
    fx f;
    run r;
    (void)state;
    fx_auth(&f, MW_SMTP_SENDER_TLS_IMPLICIT);
    check_script(&f, S_(GREET EHLO_TLS_AUTH "235 ok\r\n" TAIL_S), 0, &r);
    expect_out(&r, "EHLO bar.com\r\nAUTH PLAIN AHVzZXIAcGFzcw==\r\n" TAIL_C);
    expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
    assert_int_equal(r.pauses, 0);
    run_free(&r);
}

/* ====================================================================
 * MAIL parameters: BODY=8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531), SIZE
 * (RFC 1870)
 * ==================================================================== */

static void test_8bitmime(void **state)
{
    fx f;
    run r;
    (void)state;
    fx_plain(&f);
    f.m.eight_bit = 1;
    check_script(&f, S_(GREET "250-foo.com\r\n250 8BITMIME\r\n" TAIL_S), 0, &r);
    expect_out(&r, "EHLO bar.com\r\nMAIL FROM:<a@bar.com> BODY=8BITMIME\r\n" TXN_C);
    expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
    run_free(&r);

    /* not offered: RFC 6152 §3 leaves no way to send it */
    fx_plain(&f);
    f.m.eight_bit = 1;
    check_script(&f, S_(GREET "250-foo.com\r\n250 SIZE\r\n221 bye\r\n"), 0, &r);
    expect_out(&r, "EHLO bar.com\r\nQUIT\r\n");
    assert_int_equal(mw_smtp_sender_outcome(&r.s)->status, MW_E_UNSUPPORTED);
    assert_int_equal(mw_smtp_sender_outcome(&r.s)->code, 0);
    run_free(&r);

    /* 7-bit message, 8BITMIME offered: no parameter */
    fx_plain(&f);
    run_script(&r, &f, S_(GREET "250-foo.com\r\n250 8BITMIME\r\n" TAIL_S), 0, 0,
               0);
    expect_out(&r, "EHLO bar.com\r\n" TAIL_C);
    run_free(&r);
}

static const char *const utf8_rcpt[] = {"b@foo.com", "j\xc3\xb6rg@foo.com"};

static void test_smtputf8(void **state)
{
    fx f;
    run r;
    (void)state;
    /* a UTF-8 reverse-path */
    fx_plain(&f);
    f.m.from = "\xc3\xa9t\xc3\xa9@bar.com";
    check_script(&f, S_(GREET "250-foo.com\r\n250 SMTPUTF8\r\n" TAIL_S), 0, &r);
    expect_out(&r, "EHLO bar.com\r\nMAIL FROM:<\xc3\xa9t\xc3\xa9@bar.com> "
                   "SMTPUTF8\r\n" TXN_C);
    expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
    run_free(&r);

    /* only a forward-path is UTF-8: still SMTPUTF8 on MAIL (RFC 6531 §3.4) */
    fx_plain(&f);
    f.m.rcpt = utf8_rcpt;
    f.m.rcpt_count = 2;
    run_script(&r, &f, S_(GREET "250-foo.com\r\n250-SMTPUTF8\r\n250 8BITMIME\r\n"
                                "250 OK\r\n250 OK\r\n250 OK\r\n" "354 go\r\n"
                                "250 OK\r\n221 bye\r\n"),
               0, 0, 0);
    expect_out(&r, "EHLO bar.com\r\nMAIL FROM:<a@bar.com> SMTPUTF8\r\n"
                   "RCPT TO:<b@foo.com>\r\nRCPT TO:<j\xc3\xb6rg@foo.com>\r\n"
                   "DATA\r\nHi\r\n.\r\nQUIT\r\n");
    run_free(&r);

    /* not offered */
    fx_plain(&f);
    f.m.rcpt = utf8_rcpt;
    f.m.rcpt_count = 2;
    check_script(&f, S_(GREET "250-foo.com\r\n250 8BITMIME\r\n221 bye\r\n"), 0,
                 &r);
    expect_out(&r, "EHLO bar.com\r\nQUIT\r\n");
    assert_int_equal(mw_smtp_sender_outcome(&r.s)->status, MW_E_UNSUPPORTED);
    run_free(&r);

    /* both parameters, in the order the sender documents */
    fx_plain(&f);
    f.m.from = "\xc3\xa9@bar.com";
    f.m.eight_bit = 1;
    f.m.size = 1234;
    run_script(&r, &f, S_(GREET "250-foo.com\r\n250-SMTPUTF8\r\n250-SIZE 0\r\n"
                                "250 8BITMIME\r\n" TAIL_S),
               0, 0, 0);
    expect_out(&r, "EHLO bar.com\r\nMAIL FROM:<\xc3\xa9@bar.com> BODY=8BITMIME "
                   "SMTPUTF8 SIZE=1234\r\n" TXN_C);
    run_free(&r);
}

static void test_size(void **state)
{
    fx f;
    run r;
    (void)state;
    /* offered (with or without a limit) and known: SIZE=n */
    fx_plain(&f);
    f.m.size = 4;
    check_script(&f, S_(GREET "250-foo.com\r\n250 SIZE 35882577\r\n" TAIL_S), 0,
                 &r);
    expect_out(&r, "EHLO bar.com\r\nMAIL FROM:<a@bar.com> SIZE=4\r\n" TXN_C);
    run_free(&r);

    fx_plain(&f);
    f.m.size = UINT64_MAX;
    run_script(&r, &f, S_(GREET "250-foo.com\r\n250 size\r\n" TAIL_S), 0, 0, 0);
    expect_out(&r, "EHLO bar.com\r\nMAIL FROM:<a@bar.com> "
                   "SIZE=18446744073709551615\r\n" TXN_C);
    run_free(&r);

    /* offered, size unknown: nothing */
    fx_plain(&f);
    run_script(&r, &f, S_(GREET "250-foo.com\r\n250 SIZE\r\n" TAIL_S), 0, 0, 0);
    expect_out(&r, "EHLO bar.com\r\n" TAIL_C);
    run_free(&r);

    /* known, not offered: nothing */
    fx_plain(&f);
    f.m.size = 4;
    run_script(&r, &f, S_(GREET "250-foo.com\r\n250-SIZES\r\n250 8BITMIME\r\n"
                                TAIL_S),
               0, 0, 0);
    expect_out(&r, "EHLO bar.com\r\n" TAIL_C);
    run_free(&r);
}

/* ====================================================================
 * Refusals (RFC 5321 §4.2, §3.8)
 * ==================================================================== */

static void test_refused_greeting(void **state)
{
    fx f;
    run r;
    (void)state;
    fx_plain(&f);
    check_script(&f, S_("554 5.3.2 no service for you\r\n221 bye\r\n"), 0, &r);
    expect_out(&r, "QUIT\r\n");
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_GREETING, 554);
    assert_int_equal(r.rc, MW_DONE);
    run_free(&r);
}

/* 421 at any step: the server is closing, so no QUIT (RFC 5321 §3.8);
 * the session ends at that reply and what follows is not read. */
static void test_refused_421(void **state)
{
    static const struct {
        int tls;
        int user;
        const char *before; /* the server, up to the 421 */
        const char *wrote;  /* the client, up to then */
        int cmd;
        int status;         /* 0: not checked */
    } steps[] = {
        {0, 0, "", "", MW_SMTP_SENDER_GREETING, MW_E_STATE},
        {0, 0, GREET, "EHLO bar.com\r\n", MW_SMTP_SENDER_EHLO, MW_E_STATE},
        {MW_SMTP_SENDER_TLS_REQUIRED, 0, GREET EHLO_TLS_AUTH,
         "EHLO bar.com\r\nSTARTTLS\r\n", MW_SMTP_SENDER_STARTTLS, MW_E_STATE},
        {MW_SMTP_SENDER_TLS_OPPORTUNISTIC, 0, GREET EHLO_TLS_AUTH,
         "EHLO bar.com\r\nSTARTTLS\r\n", MW_SMTP_SENDER_STARTTLS, MW_E_STATE},
        {MW_SMTP_SENDER_TLS_IMPLICIT, 1, GREET EHLO_TLS_AUTH,
         "EHLO bar.com\r\nAUTH PLAIN AHVzZXIAcGFzcw==\r\n", MW_SMTP_SENDER_AUTH,
         0},
        {0, 0, GREET "250 foo.com\r\n", "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\n",
         MW_SMTP_SENDER_MAIL, MW_E_STATE},
        {0, 0, GREET "250 foo.com\r\n250 OK\r\n",
         "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\n",
         MW_SMTP_SENDER_RCPT, MW_E_STATE},
        {0, 0, GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n",
         "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\n"
         "DATA\r\n",
         MW_SMTP_SENDER_DATA, MW_E_STATE},
        {0, 0, GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n354 go\r\n",
         "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\n"
         "DATA\r\nHi\r\n.\r\n",
         MW_SMTP_SENDER_MESSAGE, MW_E_STATE},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        fx f;
        run r;
        mw_textbuf in = {0};
        size_t upto;
        fx_plain(&f);
        f.m.tls = steps[i].tls;
        if (steps[i].user) {
            f.m.user = "user";
            f.m.secret = "pass";
        }
        mw_textbuf_put(&in, steps[i].before, strlen(steps[i].before));
        mw_textbuf_put(&in, S_("421-4.3.2 Service shutting down\r\n"
                               "421 closing channel\r\n"));
        upto = in.n;
        mw_textbuf_put(&in, S_("250 OK\r\n221 bye\r\n"));
        check_script(&f, in.p, in.n, 0, &r);
        expect_out(&r, steps[i].wrote);
        if (steps[i].status != 0)
            assert_int_equal(mw_smtp_sender_outcome(&r.s)->status,
                             steps[i].status);
        assert_int_equal(mw_smtp_sender_outcome(&r.s)->code, 421);
        assert_int_equal(mw_smtp_sender_outcome(&r.s)->cmd, steps[i].cmd);
        assert_int_equal(r.rc, MW_DONE);
        assert_int_equal(r.used, upto);
        run_free(&r);
        mw_textbuf_free(&in);
    }
}

static const char *const two_rcpt[] = {"b@foo.com", "c@foo.com"};

static void test_refused_transaction(void **state)
{
    fx f;
    run r;
    const mw_smtp_sender_result *o;
    (void)state;

    /* MAIL */
    fx_plain(&f);
    check_script(&f, S_(GREET "250 foo.com\r\n550 5.7.1 not you\r\n221 bye\r\n"),
                 0, &r);
    expect_out(&r, "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_MAIL, 550);
    run_free(&r);

    /* every RCPT: no DATA */
    fx_plain(&f);
    f.m.rcpt = two_rcpt;
    f.m.rcpt_count = 2;
    check_script(&f, S_(GREET "250 foo.com\r\n250 OK\r\n550 no\r\n"
                              "452 full\r\n221 bye\r\n"),
                 0, &r);
    expect_out(&r, "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\n"
                   "RCPT TO:<c@foo.com>\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_RCPT, 452);
    o = mw_smtp_sender_outcome(&r.s);
    assert_int_equal(o->rcpt_accepted, 0);
    assert_int_equal(o->rcpt_rejected, 2);
    run_free(&r);

    /* one of two: the message goes to the other */
    fx_plain(&f);
    f.m.rcpt = two_rcpt;
    f.m.rcpt_count = 2;
    run_script(&r, &f, S_(GREET "250 foo.com\r\n250 OK\r\n450 busy\r\n"
                                "251 forwarded\r\n354 go\r\n250 OK\r\n221 bye\r\n"),
               0, 0, 0);
    expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
    o = mw_smtp_sender_outcome(&r.s);
    assert_int_equal(o->rcpt_accepted, 1);
    assert_int_equal(o->rcpt_rejected, 1);
    run_free(&r);

    /* DATA */
    fx_plain(&f);
    check_script(&f, S_(GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n"
                              "554 5.5.1 No valid recipients\r\n221 bye\r\n"),
                 0, &r);
    expect_out(&r, "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\n"
                   "DATA\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_DATA, 554);
    run_free(&r);

    /* DATA answered with a 250 instead of 354: not an invitation */
    fx_plain(&f);
    run_script(&r, &f, S_(GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n"
                                "250 what\r\n221 bye\r\n"),
               0, 0, 0);
    expect_out(&r, "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\n"
                   "DATA\r\nQUIT\r\n");
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_DATA, 250);
    run_free(&r);

    /* the message */
    fx_plain(&f);
    check_script(&f, S_(GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n354 go\r\n"
                              "552 5.3.4 Message too big\r\n221 bye\r\n"),
                 0, &r);
    expect_out(&r, "EHLO bar.com\r\n" TAIL_C);
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_MESSAGE, 552);
    o = mw_smtp_sender_outcome(&r.s);
    assert_int_equal(o->rcpt_accepted, 1);
    run_free(&r);
}

/* ====================================================================
 * Protocol errors: exact status and offset; nothing more is sent
 * ==================================================================== */

static void test_protocol_errors(void **state)
{
    static const struct {
        const char *in;
        size_t len;
        int status;
        size_t offset;
        int cmd;
        const char *wrote;
    } cases[] = {
        /* a line ended by a bare LF: the LF */
        {S_("220 ok\n"), MW_E_BARE_LF, 6, MW_SMTP_SENDER_GREETING, ""},
        {S_("220-a\r\n220 ok\nmore"), MW_E_BARE_LF, 13, MW_SMTP_SENDER_GREETING,
         ""},
        /* a NUL: the NUL */
        {S_("220 o\0k\r\n"), MW_E_NUL, 5, MW_SMTP_SENDER_GREETING, ""},
        /* a CR inside a line */
        {S_("220 a\rb\r\n"), MW_E_BARE_CR, 5, MW_SMTP_SENDER_GREETING, ""},
        /* the lines of one reply with two codes: the second line */
        {S_("220-a\r\n221 b\r\n"), MW_E_SYNTAX, 7, MW_SMTP_SENDER_GREETING, ""},
        /* malformed codes: the bad character */
        {S_("2x0 hi\r\n"), MW_E_SYNTAX, 1, MW_SMTP_SENDER_GREETING, ""},
        {S_("120 hi\r\n"), MW_E_SYNTAX, 0, MW_SMTP_SENDER_GREETING, ""},
        {S_("220x\r\n"), MW_E_SYNTAX, 3, MW_SMTP_SENDER_GREETING, ""},
        {S_("\r\n"), MW_E_SYNTAX, 0, MW_SMTP_SENDER_GREETING, ""},
        /* offsets count every byte since init */
        {S_(GREET "250-foo.com\r\n25 x\r\n"), MW_E_SYNTAX, 19 + 13 + 2,
         MW_SMTP_SENDER_EHLO, "EHLO bar.com\r\n"},
        {S_(GREET "250-foo.com\r\n251 x\r\n"), MW_E_SYNTAX, 19 + 13,
         MW_SMTP_SENDER_EHLO, "EHLO bar.com\r\n"},
        {S_(GREET "250 foo.com\r\n250 O\0K\r\n"), MW_E_NUL, 19 + 13 + 5,
         MW_SMTP_SENDER_MAIL, "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\n"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fx f;
        run r;
        const mw_smtp_sender_result *o;
        fx_plain(&f);
        check_script(&f, cases[i].in, cases[i].len, 0, &r);
        o = mw_smtp_sender_outcome(&r.s);
        if (o->status != cases[i].status || o->offset != cases[i].offset)
            print_message("case %zu: status %d offset %zu\n", i, o->status,
                          o->offset);
        expect_outcome(&r, cases[i].status, cases[i].cmd, 0);
        assert_int_equal(o->offset, cases[i].offset);
        expect_out(&r, cases[i].wrote); /* no QUIT after a broken reply */
        assert_int_equal(r.rc, MW_DONE);
        assert_true(o->offset <= r.used);
        /* the end of the connection changes nothing of it */
        assert_int_equal(mw_smtp_sender_eof(&r.s), MW_DONE);
        expect_outcome(&r, cases[i].status, cases[i].cmd, 0);
        assert_int_equal(o->offset, cases[i].offset);
        run_free(&r);
    }
}

/* After the message was accepted a broken reply to QUIT changes nothing. */
static void test_protocol_error_after_accept(void **state)
{
    fx f;
    run r;
    (void)state;
    fx_plain(&f);
    check_script(&f, S_(GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n354 go\r\n"
                              "250 OK\r\n221\nbye"),
                 0, &r);
    expect_out(&r, "EHLO bar.com\r\n" TAIL_C);
    expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
    assert_int_equal(r.rc, MW_DONE);
    run_free(&r);
}

/* A reply line longer than the buffer allows (cap - 2 bytes before its
 * CRLF): MW_E_TOO_LONG at the line's start. */
static void test_line_too_long(void **state)
{
    static const size_t caps[] = {MW_SMTP_SENDER_BUF_MIN, 200,
                                  MW_SMTP_SENDER_BUF_SIZE};
    size_t c;
    (void)state;
    for (c = 0; c < sizeof caps / sizeof caps[0]; c++) {
        size_t max = caps[c] - 2, extra;
        for (extra = 0; extra <= 1; extra++) {
            fx f;
            run r;
            mw_textbuf in = {0};
            size_t i, start;
            fx_plain(&f);
            f.cap = caps[c];
            mw_textbuf_put(&in, S_(GREET));
            /* an EHLO keyword line of max + extra bytes */
            mw_textbuf_put(&in, S_("250-foo.com\r\n250 "));
            start = in.n - 4;
            for (i = 4; i < max + extra; i++)
                mw_textbuf_put(&in, "X", 1);
            mw_textbuf_put(&in, S_("\r\n" TAIL_S));
            if (caps[c] == 200)
                check_script(&f, in.p, in.n, 0, &r);
            else
                run_script(&r, &f, in.p, in.n, 0, 0, 0);
            if (extra == 0) {
                expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
            } else {
                expect_outcome(&r, MW_E_TOO_LONG, MW_SMTP_SENDER_EHLO, 0);
                assert_int_equal(mw_smtp_sender_outcome(&r.s)->offset, start);
                expect_out(&r, "EHLO bar.com\r\n");
            }
            run_free(&r);
            mw_textbuf_free(&in);
        }
    }
}

/* A reply of cap - 1 and cap lines is read; cap + 1 is MW_E_LIMIT at the
 * first line over the cap. */
static void test_reply_line_cap(void **state)
{
    size_t lines;
    (void)state;
    for (lines = MW_SMTP_SENDER_MAX_REPLY_LINES - 1;
         lines <= MW_SMTP_SENDER_MAX_REPLY_LINES + 1; lines++) {
        fx f;
        run r;
        mw_textbuf in = {0};
        size_t i, last = 0;
        fx_plain(&f);
        mw_textbuf_put(&in, S_(GREET));
        for (i = 0; i + 1 < lines; i++) {
            last = in.n;
            mw_textbuf_put(&in, S_("250-l\r\n"));
        }
        if (lines > MW_SMTP_SENDER_MAX_REPLY_LINES)
            last = in.n;
        mw_textbuf_put(&in, S_("250 e\r\n" TAIL_S));
        if (lines == MW_SMTP_SENDER_MAX_REPLY_LINES + 1)
            check_script(&f, in.p, in.n, 0, &r);
        else
            run_script(&r, &f, in.p, in.n, 0, 0, 0);
        if (lines <= MW_SMTP_SENDER_MAX_REPLY_LINES) {
            expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
            expect_out(&r, "EHLO bar.com\r\n" TAIL_C);
        } else {
            expect_outcome(&r, MW_E_LIMIT, MW_SMTP_SENDER_EHLO, 0);
            /* the 65th line is the last one, at 19 + 64 * 7 */
            assert_int_equal(last, 19 + 7 * MW_SMTP_SENDER_MAX_REPLY_LINES);
            assert_int_equal(mw_smtp_sender_outcome(&r.s)->offset, last);
            expect_out(&r, "EHLO bar.com\r\n");
        }
        run_free(&r);
        mw_textbuf_free(&in);
    }
    /* the count starts again with each reply */
    {
        fx f;
        run r;
        mw_textbuf in = {0};
        size_t i;
        fx_plain(&f);
        for (i = 0; i + 1 < MW_SMTP_SENDER_MAX_REPLY_LINES; i++)
            mw_textbuf_put(&in, S_("220-g\r\n"));
        mw_textbuf_put(&in, S_("220 g\r\n"));
        for (i = 0; i + 1 < MW_SMTP_SENDER_MAX_REPLY_LINES; i++)
            mw_textbuf_put(&in, S_("250-l\r\n"));
        mw_textbuf_put(&in, S_("250 e\r\n" TAIL_S));
        run_script(&r, &f, in.p, in.n, 0, 0, 0);
        expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
        run_free(&r);
        mw_textbuf_free(&in);
    }
}

/* ====================================================================
 * The buffer
 * ==================================================================== */

static void test_buf_min(void **state)
{
    fx f;
    run r;
    (void)state;
    fx_d1(&f);
    f.cap = MW_SMTP_SENDER_BUF_MIN - 1;
    run_start(&r, &f);
    assert_int_equal(r.init_rc, MW_E_INVAL);
    expect_outcome(&r, MW_E_INVAL, 0, 0);
    assert_int_equal(run_feed(&r, S_(d1_server)), MW_DONE);
    assert_int_equal(r.used, 0);
    assert_int_equal(r.out.n, 0);
    run_free(&r);

    fx_d1(&f);
    f.cap = MW_SMTP_SENDER_BUF_MIN;
    check_script(&f, S_(d1_server), 0, &r);
    assert_int_equal(r.init_rc, MW_OK);
    expect_d1(&r);
    run_free(&r);
}

/* A mailbox of exactly n bytes: "aaa...@bbb.bbb...b.com" (a local part
 * of 60, labels of at most 40: valid for RFC 5321 §4.5.3.1). */
static void make_mailbox(char *out, size_t n)
{
    size_t local = 60, dom = n - local - 1 - 4, i, k = 0;
    assert_true(n > 70 && dom <= 200);
    for (i = 0; i < local; i++)
        out[k++] = 'a';
    out[k++] = '@';
    for (i = 0; i < dom; i++)
        out[k++] = (i % 41 == 40 && i + 1 < dom) ? '.' : 'b';
    memcpy(out + k, ".com", 5);
    assert_int_equal(strlen(out), n);
}

/* A command that does not fit the buffer is never sent in part: the
 * session ends with MW_E_TOO_LONG and QUIT. The limit is exact. */
static void test_command_too_long(void **state)
{
    const size_t cap = MW_SMTP_SENDER_BUF_MIN;
    /* "MAIL FROM:<" + mailbox + ">" + CRLF, "RCPT TO:<" + mailbox + ">"
     * + CRLF, "EHLO " + domain + CRLF must each fit in cap bytes */
    const size_t mail_max = cap - 11 - 1 - 2, rcpt_max = cap - 9 - 1 - 2;
    char box[300], cmd[400];
    const char *rcpt[1];
    size_t extra;
    (void)state;
    for (extra = 0; extra <= 1; extra++) {
        fx f;
        run r;
        make_mailbox(box, mail_max + extra);
        fx_plain(&f);
        f.cap = cap;
        f.m.from = box;
        check_script(&f, S_(GREET "250 foo.com\r\n" TAIL_S), 0, &r);
        if (extra == 0) {
            snprintf(cmd, sizeof cmd, "MAIL FROM:<%s>\r\n", box);
            assert_int_equal(strlen(cmd), cap);
            assert_non_null(strstr(out_str(&r), cmd));
            expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
        } else {
            expect_out(&r, "EHLO bar.com\r\nQUIT\r\n");
            expect_outcome(&r, MW_E_TOO_LONG, MW_SMTP_SENDER_MAIL, 0);
        }
        run_free(&r);

        make_mailbox(box, rcpt_max + extra);
        rcpt[0] = box;
        fx_plain(&f);
        f.cap = cap;
        f.m.rcpt = rcpt;
        run_script(&r, &f, S_(GREET "250 foo.com\r\n" TAIL_S), 0, 0, 0);
        if (extra == 0) {
            snprintf(cmd, sizeof cmd, "RCPT TO:<%s>\r\n", box);
            assert_int_equal(strlen(cmd), cap);
            assert_non_null(strstr(out_str(&r), cmd));
            expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
        } else {
            expect_out(&r, "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nQUIT\r\n");
            expect_outcome(&r, MW_E_TOO_LONG, MW_SMTP_SENDER_RCPT, 0);
        }
        run_free(&r);
    }

    /* MAIL parameters count too: it fits without SIZE, not with it */
    {
        fx f;
        run r;
        make_mailbox(box, mail_max - 3);
        fx_plain(&f);
        f.cap = cap;
        f.m.from = box;
        f.m.size = 9;
        run_script(&r, &f, S_(GREET "250-foo.com\r\n250 SIZE\r\n221 bye\r\n"), 0,
                   0, 0);
        expect_out(&r, "EHLO bar.com\r\nQUIT\r\n");
        expect_outcome(&r, MW_E_TOO_LONG, MW_SMTP_SENDER_MAIL, 0);
        run_free(&r);
    }

    /* the EHLO domain: the first command */
    {
        fx f;
        run r;
        size_t i;
        char dom[200];
        for (i = 0; i < cap - 5 - 2 + 1; i++)
            dom[i] = (i % 40 == 39) ? '.' : 'd';
        dom[i] = '\0';
        fx_plain(&f);
        f.cap = cap;
        f.m.ehlo_domain = dom;
        run_script(&r, &f, S_(GREET "221 bye\r\n"), 0, 0, 0);
        expect_out(&r, "QUIT\r\n");
        assert_int_equal(mw_smtp_sender_outcome(&r.s)->status, MW_E_TOO_LONG);
        assert_int_equal(mw_smtp_sender_outcome(&r.s)->code, 0);
        run_free(&r);
    }
}

/* ====================================================================
 * The descriptor (init)
 * ==================================================================== */

/* init refuses `f`: MW_E_INVAL, the outcome says so, and the session
 * never starts (nothing is read, nothing is sent). */
static void expect_refused(const fx *f)
{
    run r;
    size_t used = 7;
    run_start(&r, f);
    assert_int_equal(r.init_rc, MW_E_INVAL);
    expect_outcome(&r, MW_E_INVAL, 0, 0);
    assert_int_equal(mw_smtp_sender_feed(&r.s, S_(GREET "250 foo.com\r\n"), &used),
                     MW_DONE);
    assert_int_equal(used, 0);
    assert_int_equal(mw_smtp_sender_tls_done(&r.s), MW_E_STATE);
    assert_int_equal(mw_smtp_sender_eof(&r.s), MW_DONE);
    expect_outcome(&r, MW_E_INVAL, 0, 0);
    assert_int_equal(r.ncalls, 0);
    assert_int_equal(r.nreplies, 0);
    run_free(&r);
}

static void test_init_arguments(void **state)
{
    mw_smtp_sender s;
    mw_smtp_sender_message m;
    char buf[MW_SMTP_SENDER_BUF_MIN];
    fx f;
    size_t used = 3;
    (void)state;

    /* NULL context, message, buffer */
    fx_plain(&f);
    m = f.m;
    m.send = t_send;
    assert_int_equal(mw_smtp_sender_init(NULL, &m, buf, sizeof buf), MW_E_INVAL);
    assert_int_equal(mw_smtp_sender_init(&s, NULL, buf, sizeof buf), MW_E_INVAL);
    assert_int_equal(mw_smtp_sender_outcome(&s)->status, MW_E_INVAL);
    assert_reason_given(mw_smtp_sender_outcome(&s)->reason);
    assert_int_equal(mw_smtp_sender_feed(&s, S_(GREET), &used), MW_DONE);
    assert_int_equal(used, 0);
    assert_int_equal(mw_smtp_sender_init(&s, &m, NULL, sizeof buf), MW_E_INVAL);
    assert_int_equal(mw_smtp_sender_outcome(&s)->status, MW_E_INVAL);
    assert_int_equal(mw_smtp_sender_feed(&s, S_(GREET), &used), MW_DONE);
    /* no send */
    m.send = NULL;
    assert_int_equal(mw_smtp_sender_init(&s, &m, buf, sizeof buf), MW_E_INVAL);
    assert_int_equal(mw_smtp_sender_outcome(&s)->status, MW_E_INVAL);

    /* The rest go through the helper (which sets send). */
    fx_plain(&f);
    f.m.body = NULL; /* neither body nor read */
    f.m.body_len = 0;
    expect_refused(&f);
    fx_plain(&f);
    f.m.body = NULL; /* a length without a body */
    expect_refused(&f);
    fx_plain(&f);
    f.m.rcpt_count = 0;
    expect_refused(&f);
    fx_plain(&f);
    f.m.rcpt = NULL;
    expect_refused(&f);
    fx_plain(&f);
    f.m.tls = -1;
    expect_refused(&f);
    fx_plain(&f);
    f.m.tls = MW_SMTP_SENDER_TLS_IMPLICIT + 1;
    expect_refused(&f);
    fx_plain(&f);
    f.m.user = "user"; /* user without secret */
    expect_refused(&f);
    fx_plain(&f);
    f.m.ehlo_domain = NULL;
    expect_refused(&f);
    fx_plain(&f);
    f.m.from = NULL;
    expect_refused(&f);

    /* every valid tls mode, and a secret alone, are fine */
    {
        int t;
        for (t = MW_SMTP_SENDER_TLS_NONE; t <= MW_SMTP_SENDER_TLS_IMPLICIT; t++) {
            run r;
            fx_plain(&f);
            f.m.tls = t;
            f.m.secret = "pass";
            run_start(&r, &f);
            assert_int_equal(r.init_rc, MW_OK);
            assert_int_equal(mw_smtp_sender_outcome(&r.s)->status,
                             MW_E_INCOMPLETE);
            assert_int_equal(mw_smtp_sender_outcome(&r.s)->cmd, 0);
            run_free(&r);
        }
    }
    /* the null reverse-path "" is allowed (RFC 5321 §4.5.5) */
    {
        run r;
        fx_plain(&f);
        f.m.from = "";
        run_script(&r, &f, S_(GREET "250 foo.com\r\n" TAIL_S), 0, 0, 0);
        expect_out(&r, "EHLO bar.com\r\nMAIL FROM:<>\r\n" TXN_C);
        run_free(&r);
    }
    /* an address literal for EHLO (RFC 5321 §4.1.3) */
    {
        run r;
        fx_plain(&f);
        f.m.ehlo_domain = "[192.0.2.7]";
        run_script(&r, &f, S_(GREET "250 foo.com\r\n" TAIL_S), 0, 0, 0);
        expect_out(&r, "EHLO [192.0.2.7]\r\n" TAIL_C);
        run_free(&r);
    }
}

/* CRLF injection and other bad strings: nothing at all is sent. The
 * sender checks bytes, not the whole RFC 5321 §4.1.2 grammar (the header
 * leaves that to the server): no control byte, DEL, space, "<" or ">";
 * 8-bit bytes only as well-formed UTF-8, and only in paths. */
static void test_init_strings(void **state)
{
    static const char *const domains[] = {
        "", "bar .com", "bar.com\r\nMAIL FROM:<x@y.z>", "bar.com\r", "bar.com\n",
        " bar.com", "bar.com ", "bar.com\r\n", "<bar.com>", "bar\t.com",
        "bar\x7f.com", "bar\x01.com", "b\xc3\xa4r.com", "[192.0.2.7] x",
    };
    static const char *const paths[] = {
        "a@bar.com\r\nRCPT TO:<evil@x.y>",
        "a@bar.com\r",
        "a@bar.com\n",
        "a@bar.com\r\n",
        "<a@bar.com>",
        "a@bar.com>",
        "<a@bar.com",
        "a@bar.com> SIZE=1",
        "a b@bar.com",
        "a@bar.com ",
        " a@bar.com",
        "a@bar .com",
        "\"a b\"@bar.com", /* valid RFC 5321, but a space: refused */
        "a\t@bar.com",
        "a\x7f@bar.com",
        "a\x1b@bar.com",
        "\xc3@bar.com",         /* UTF-8 cut short */
        "\xff@bar.com",         /* never UTF-8 */
        "\xc0\xaf@bar.com",     /* overlong */
        "\xed\xa0\x80@bar.com", /* a surrogate */
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof domains / sizeof domains[0]; i++) {
        fx f;
        fx_plain(&f);
        f.m.ehlo_domain = domains[i];
        expect_refused(&f);
    }
    for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        fx f;
        const char *rcpt[2];
        fx_plain(&f);
        f.m.from = paths[i];
        expect_refused(&f);
        /* as the first and as a later recipient */
        fx_plain(&f);
        rcpt[0] = paths[i];
        f.m.rcpt = rcpt;
        expect_refused(&f);
        rcpt[0] = "b@foo.com";
        rcpt[1] = paths[i];
        f.m.rcpt_count = 2;
        expect_refused(&f);
        rcpt[1] = NULL;
        expect_refused(&f);
    }
    /* an empty forward-path (the null path is for MAIL only) */
    {
        fx f;
        const char *rcpt[1] = {""};
        fx_plain(&f);
        f.m.rcpt = rcpt;
        expect_refused(&f);
    }
}

static void test_rcpt_count(void **state)
{
    static const char *rcpt[1001];
    fx f;
    run r;
    mw_textbuf in = {0}, want = {0};
    size_t i;
    (void)state;
    for (i = 0; i < 1001; i++)
        rcpt[i] = "b@foo.com";
    fx_plain(&f);
    f.m.rcpt = rcpt;
    f.m.rcpt_count = 1001;
    expect_refused(&f);

    /* 1000: a whole session with 1000 RCPT */
    f.m.rcpt_count = 1000;
    mw_textbuf_put(&in, S_(GREET "250 foo.com\r\n250 OK\r\n"));
    mw_textbuf_put(&want, S_("EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\n"));
    for (i = 0; i < 1000; i++) {
        mw_textbuf_put(&in, i % 3 ? "250 OK\r\n" : "550 no\r\n", 8);
        mw_textbuf_put(&want, S_("RCPT TO:<b@foo.com>\r\n"));
    }
    mw_textbuf_put(&in, S_("354 go\r\n250 OK\r\n221 bye\r\n"));
    mw_textbuf_put(&want, S_("DATA\r\nHi\r\n.\r\nQUIT\r\n"));
    run_script(&r, &f, in.p, in.n, 0, 0, 0);
    assert_int_equal(r.init_rc, MW_OK);
    expect_out(&r, want.p);
    expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
    assert_int_equal(mw_smtp_sender_outcome(&r.s)->rcpt_accepted, 666);
    assert_int_equal(mw_smtp_sender_outcome(&r.s)->rcpt_rejected, 334);
    run_free(&r);
    mw_textbuf_free(&in);
    mw_textbuf_free(&want);
}

/* ====================================================================
 * Callbacks
 * ==================================================================== */

static void test_send_fails(void **state)
{
    static const char ok[] = GREET "250 foo.com\r\n" TAIL_S;
    fx f;
    run r;
    (void)state;
    /* the first command */
    fx_plain(&f);
    f.send_fail = 1;
    check_script(&f, S_(ok), 0, &r);
    assert_int_equal(mw_smtp_sender_outcome(&r.s)->status, MW_E_CALLBACK);
    assert_reason_given(mw_smtp_sender_outcome(&r.s)->reason);
    assert_int_equal(r.out.n, 0);
    assert_int_equal(r.ncalls, 1); /* no QUIT after it */
    assert_int_equal(r.rc, MW_DONE);
    assert_int_equal(r.used, sizeof GREET - 1);
    run_free(&r);

    /* the message data (calls: EHLO, MAIL, RCPT, DATA, then the data) */
    fx_plain(&f);
    f.send_fail = 5;
    run_script(&r, &f, S_(ok), 0, 0, 0);
    expect_outcome(&r, MW_E_CALLBACK, MW_SMTP_SENDER_MESSAGE, 0);
    expect_out(&r, "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\n"
                   "RCPT TO:<b@foo.com>\r\nDATA\r\n");
    assert_int_equal(r.ncalls, 5);
    assert_int_equal(r.rc, MW_DONE);
    run_free(&r);

    /* the final "." (call 6): the data cannot be ended, no QUIT */
    fx_plain(&f);
    f.send_fail = 6;
    run_script(&r, &f, S_(ok), 0, 0, 0);
    expect_outcome(&r, MW_E_CALLBACK, MW_SMTP_SENDER_MESSAGE, 0);
    expect_out(&r, "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\n"
                   "RCPT TO:<b@foo.com>\r\nDATA\r\nHi\r\n");
    assert_int_equal(r.ncalls, 6);
    run_free(&r);

    /* QUIT after the message was accepted: still accepted */
    fx_plain(&f);
    f.send_fail = 7;
    run_script(&r, &f, S_(ok), 0, 0, 0);
    expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
    expect_out(&r, "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\n"
                   "RCPT TO:<b@foo.com>\r\nDATA\r\nHi\r\n.\r\n");
    assert_int_equal(r.rc, MW_DONE);
    run_free(&r);

    /* QUIT after a refusal: the refusal stays */
    fx_plain(&f);
    f.send_fail = 1;
    run_script(&r, &f, S_("554 no\r\n221 bye\r\n"), 0, 0, 0);
    expect_outcome(&r, MW_E_STATE, MW_SMTP_SENDER_GREETING, 554);
    run_free(&r);

    /* EHLO after TLS */
    fx_plain(&f);
    f.m.tls = MW_SMTP_SENDER_TLS_REQUIRED;
    f.send_fail = 3;
    run_start(&r, &f);
    assert_int_equal(run_feed(&r, S_(CLEAR_TLS)), MW_PAUSED);
    assert_int_equal(mw_smtp_sender_tls_done(&r.s), MW_DONE);
    assert_int_equal(mw_smtp_sender_outcome(&r.s)->status, MW_E_CALLBACK);
    assert_int_equal(run_feed(&r, S_("250 foo.com\r\n")), MW_DONE);
    expect_out(&r, "EHLO bar.com\r\nSTARTTLS\r\n");
    run_free(&r);
}

static void test_read_fails(void **state)
{
    static const char ok[] = GREET "250 foo.com\r\n" TAIL_S;
    static const char body[] = "Hello\r\nworld\r\n";
    fx f;
    run r;
    (void)state;
    /* mid-message: the data cannot be ended; no "." and no QUIT */
    fx_plain(&f);
    f.src = body;
    f.src_len = sizeof body - 1;
    f.piece = 3;
    f.read_fail = 1;
    f.read_fail_at = 6;
    check_script(&f, S_(ok), 0, &r);
    expect_outcome(&r, MW_E_CALLBACK, MW_SMTP_SENDER_MESSAGE, 0);
    /* "Hel", then "lo\r": a CR at the end of a piece is already written
     * as CRLF (a LF after it would be part of it) */
    expect_out(&r, "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\n"
                   "RCPT TO:<b@foo.com>\r\nDATA\r\nHello\r\n");
    assert_int_equal(r.rc, MW_DONE);
    assert_int_equal(r.used, sizeof GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n"
                                         "354 go\r\n" - 1);
    run_free(&r);

    /* at once */
    fx_plain(&f);
    f.src = body;
    f.src_len = sizeof body - 1;
    f.read_fail = 1;
    f.read_fail_at = 0;
    run_script(&r, &f, S_(ok), 0, 0, 0);
    expect_outcome(&r, MW_E_CALLBACK, MW_SMTP_SENDER_MESSAGE, 0);
    expect_out(&r, "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\n"
                   "RCPT TO:<b@foo.com>\r\nDATA\r\n");
    run_free(&r);

    /* a NULL piece with a length */
    fx_plain(&f);
    f.src = body;
    f.src_len = sizeof body - 1;
    f.read_null = 1;
    run_script(&r, &f, S_(ok), 0, 0, 0);
    expect_outcome(&r, MW_E_CALLBACK, MW_SMTP_SENDER_MESSAGE, 0);
    expect_out(&r, "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\n"
                   "RCPT TO:<b@foo.com>\r\nDATA\r\n");
    run_free(&r);
}

/* The reply callback sees every line, with its step and code (checked on
 * D.1 above); a negative return ends the session at that line. */
static void test_reply_callback(void **state)
{
    fx f;
    run r;
    (void)state;
    fx_d1(&f);
    f.reply_fail = 3; /* the second line of the EHLO reply */
    check_script(&f, S_(d1_server), 0, &r);
    expect_outcome(&r, MW_E_CALLBACK, MW_SMTP_SENDER_EHLO, 0);
    expect_out(&r, "EHLO bar.com\r\n");
    assert_string_equal(log_str(&r),
                        "GREETING 220 foo.com Simple Mail Transfer Service Ready\n"
                        "EHLO 250 foo.com greets bar.com\n"
                        "EHLO 250 8BITMIME\n");
    assert_int_equal(r.rc, MW_DONE);
    run_free(&r);

    /* a HELO session, a STARTTLS refusal and an AUTH step in the log */
    fx_auth(&f, MW_SMTP_SENDER_TLS_OPPORTUNISTIC);
    f.m.auth_without_tls = 1;
    run_script(&r, &f, S_(GREET "250-foo.com\r\n250-STARTTLS\r\n250 AUTH LOGIN\r\n"
                                "454 not now\r\n334 u\r\n334 p\r\n535 no\r\n"
                                "221 bye\r\n"),
               0, 0, 0);
    assert_string_equal(log_str(&r), "GREETING 220 foo.com ESMTP\n"
                                     "EHLO 250 foo.com\n"
                                     "EHLO 250 STARTTLS\n"
                                     "EHLO 250 AUTH LOGIN\n"
                                     "STARTTLS 454 not now\n"
                                     "AUTH 334 u\n"
                                     "AUTH 334 p\n"
                                     "AUTH 535 no\n"
                                     "QUIT 221 bye\n");
    run_free(&r);

    fx_plain(&f);
    run_script(&r, &f, S_(GREET "500 what\r\n250 foo.com\r\n" TAIL_S), 0, 0, 0);
    assert_string_equal(log_str(&r), "GREETING 220 foo.com ESMTP\n"
                                     "EHLO 500 what\n"
                                     "HELO 250 foo.com\n"
                                     "MAIL 250 OK\n"
                                     "RCPT 250 OK\n"
                                     "DATA 354 go\n"
                                     "MESSAGE 250 OK\n"
                                     "QUIT 221 bye\n");
    run_free(&r);

    /* a line with only the code has empty text */
    fx_plain(&f);
    run_script(&r, &f, S_("220\r\n250\r\n"), 0, 0, 0);
    assert_string_equal(log_str(&r), "GREETING 220 \nEHLO 250 \n");
    run_free(&r);
}

/* ====================================================================
 * The end of the connection, and the API's edges
 * ==================================================================== */

static void test_eof(void **state)
{
    static const struct {
        const char *in;
        int status;
        int cmd;
        unsigned code;
    } cases[] = {
        {"", MW_E_CLOSED, MW_SMTP_SENDER_GREETING, 0},
        {"22", MW_E_CLOSED, MW_SMTP_SENDER_GREETING, 0},
        {GREET "250-foo.com\r\n", MW_E_CLOSED, MW_SMTP_SENDER_EHLO, 0},
        {GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n", MW_E_CLOSED,
         MW_SMTP_SENDER_DATA, 0},
        /* the data went out, no answer yet */
        {GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n354 go\r\n", MW_E_CLOSED,
         MW_SMTP_SENDER_MESSAGE, 0},
        /* accepted: a missing QUIT reply changes nothing */
        {GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n354 go\r\n250 OK\r\n", MW_OK,
         MW_SMTP_SENDER_MESSAGE, 250},
        {GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n354 go\r\n250 OK\r\n22",
         MW_OK, MW_SMTP_SENDER_MESSAGE, 250},
        /* refused, QUIT sent, no answer */
        {"554 no\r\n", MW_E_STATE, MW_SMTP_SENDER_GREETING, 554},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fx f;
        run r;
        size_t n = strlen(cases[i].in);
        fx_plain(&f);
        run_script(&r, &f, cases[i].in, n, 0, 0, 0);
        assert_int_equal(r.rc, MW_OK);
        assert_int_equal(mw_smtp_sender_eof(&r.s), MW_DONE);
        expect_outcome(&r, cases[i].status, cases[i].cmd, cases[i].code);
        if (cases[i].status == MW_E_CLOSED)
            assert_int_equal(mw_smtp_sender_outcome(&r.s)->offset, n);
        /* over: more input is not read, eof again changes nothing */
        assert_int_equal(run_feed(&r, S_("250 OK\r\n")), MW_DONE);
        assert_int_equal(mw_smtp_sender_eof(&r.s), MW_DONE);
        expect_outcome(&r, cases[i].status, cases[i].cmd, cases[i].code);
        run_free(&r);
    }

    /* while the TLS handshake runs */
    {
        fx f;
        run r;
        fx_plain(&f);
        f.m.tls = MW_SMTP_SENDER_TLS_OPPORTUNISTIC;
        run_start(&r, &f);
        assert_int_equal(run_feed(&r, S_(CLEAR_TLS)), MW_PAUSED);
        assert_int_equal(mw_smtp_sender_eof(&r.s), MW_DONE);
        expect_outcome(&r, MW_E_CLOSED, MW_SMTP_SENDER_STARTTLS, 0);
        assert_int_equal(mw_smtp_sender_tls_done(&r.s), MW_E_STATE);
        run_free(&r);
    }
}

static void test_api_edges(void **state)
{
    fx f;
    run r;
    size_t used = 5;
    (void)state;
    assert_int_equal(mw_smtp_sender_sizeof(), sizeof(mw_smtp_sender));
    assert_null(mw_smtp_sender_outcome(NULL));
    assert_int_equal(mw_smtp_sender_feed(NULL, S_("220\r\n"), &used), MW_E_INVAL);
    assert_int_equal(used, 0);
    assert_int_equal(mw_smtp_sender_eof(NULL), MW_E_INVAL);
    assert_int_equal(mw_smtp_sender_tls_done(NULL), MW_E_STATE);

    fx_plain(&f);
    run_start(&r, &f);
    assert_int_equal(mw_smtp_sender_feed(&r.s, NULL, 1, &used), MW_E_INVAL);
    assert_int_equal(mw_smtp_sender_feed(&r.s, NULL, 0, &used), MW_OK);
    assert_int_equal(used, 0);
    /* `used` is optional */
    assert_int_equal(mw_smtp_sender_feed(&r.s, S_(GREET), NULL), MW_OK);
    expect_out(&r, "EHLO bar.com\r\n");
    /* after the QUIT reply the rest is not consumed */
    assert_int_equal(mw_smtp_sender_feed(&r.s, S_("250 foo.com\r\n" TAIL_S
                                                  "250 extra\r\n"),
                                         &used),
                     MW_DONE);
    assert_int_equal(used, sizeof "250 foo.com\r\n" TAIL_S - 1);
    assert_int_equal(mw_smtp_sender_feed(&r.s, S_("250 extra\r\n"), &used),
                     MW_DONE);
    assert_int_equal(used, 0);
    expect_outcome(&r, MW_OK, MW_SMTP_SENDER_MESSAGE, 250);
    run_free(&r);
}

#endif /* MW_ENABLE_SMTP_SENDER */

int main(void)
{
#if MW_ENABLE_SMTP_SENDER
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_d1_session),
        cmocka_unit_test(test_d1_read_pieces),
        cmocka_unit_test(test_data_forms),
        cmocka_unit_test(test_smuggling),
        cmocka_unit_test(test_helo_fallback),
        cmocka_unit_test(test_helo_refused),
        cmocka_unit_test(test_helo_no_extensions),
        cmocka_unit_test(test_helo_no_fallback),
        cmocka_unit_test(test_starttls_pause),
        cmocka_unit_test(test_starttls_forgets_caps),
        cmocka_unit_test(test_starttls_session),
        cmocka_unit_test(test_starttls_injection),
        cmocka_unit_test(test_starttls_required_not_offered),
        cmocka_unit_test(test_starttls_refused),
        cmocka_unit_test(test_auth_plain),
        cmocka_unit_test(test_auth_login),
        cmocka_unit_test(test_auth_legacy_form),
        cmocka_unit_test(test_auth_no_mechanism),
        cmocka_unit_test(test_auth_refused),
        cmocka_unit_test(test_auth_bad_credentials),
        cmocka_unit_test(test_auth_clear_policy),
        cmocka_unit_test(test_auth_implicit_tls),
        cmocka_unit_test(test_8bitmime),
        cmocka_unit_test(test_smtputf8),
        cmocka_unit_test(test_size),
        cmocka_unit_test(test_refused_greeting),
        cmocka_unit_test(test_refused_421),
        cmocka_unit_test(test_refused_transaction),
        cmocka_unit_test(test_protocol_errors),
        cmocka_unit_test(test_protocol_error_after_accept),
        cmocka_unit_test(test_line_too_long),
        cmocka_unit_test(test_reply_line_cap),
        cmocka_unit_test(test_buf_min),
        cmocka_unit_test(test_command_too_long),
        cmocka_unit_test(test_init_arguments),
        cmocka_unit_test(test_init_strings),
        cmocka_unit_test(test_rcpt_count),
        cmocka_unit_test(test_send_fails),
        cmocka_unit_test(test_read_fails),
        cmocka_unit_test(test_reply_callback),
        cmocka_unit_test(test_eof),
        cmocka_unit_test(test_api_edges),
    };
    return cmocka_run_group_tests_name("smtp_sender", tests, NULL, NULL);
#else
    return 0; /* the sender is not in this build */
#endif
}
