/* SPDX-License-Identifier: MIT */
/*
 * The SMTP sender (include/mailwire/smtp_sender.h, lib/smtp/sender.c).
 *
 * A small scripted server comes first: a case describes the message (a
 * fixture), gives the whole reply script the server would send, and the
 * driver feeds it whole, byte by byte and cut in two at every offset
 * (the sender sends each next command from inside feed(), so one script
 * fed at once is a whole session). Every run must write the same bytes,
 * log the same reply lines and end with the same outcome, and each run is
 * checked against the bytes RFC 5321 (and RFC 3207, 4954, 6152, 6531,
 * 1870) say a client writes.
 *
 * Most of the file is tables of such cases. A row (struct scase) holds:
 *   - a name, which is also the cmocka test's name (one test per row);
 *   - the descriptor: an fx whose members left 0 take fx_plain's values
 *     (client bar.com, a@bar.com to b@foo.com, the message "Hi\r\n");
 *   - the server script (IN("...")), and where the TLS handshake goes;
 *   - what must come out: the exact client bytes, the outcome (status,
 *     step, code; reason given), and, when asked for, the recipient
 *     counts, the error offset, the reply log, the send calls.
 * run_case() runs a row whole, byte by byte and cut at every offset (with
 * `pieces`, also with the message pulled through `read`). Each run is
 * checked against the row and against the whole run; then, on every run,
 * the end of the session is checked to be final (more input is not read,
 * eof() and tls_done() change nothing), and the whole run is repeated
 * without a reply callback (same bytes, same outcome). A failure prints
 * the row, the variant and the chunking ("helo_refused: cut at 17").
 *
 * Tests of another shape stay functions (STARTTLS pause and injection,
 * limits built at run time, init arguments, the end of the connection
 * during TLS, API edges); those that run a script build a row at run time
 * and use the same driver.
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

/* What the driver is running, for failure messages: "row: chunking". */
static char where[200];

#define CHECK(cond, ...)                                                      \
    do {                                                                      \
        if (!(cond)) {                                                        \
            if (where[0] != '\0')                                             \
                print_error("%s: ", where);                                   \
            print_error(__VA_ARGS__);                                         \
            fail();                                                           \
        }                                                                     \
    } while (0)

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
    case 0: return "-";
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
        /* Only a pause at the very end of a piece is a pause; bytes
         * behind it would have ended the session. */
        CHECK(rc == MW_OK || rc == MW_PAUSED,
              "feed of bytes %zu..%zu returned %d\n", pos, end, rc);
        CHECK(r->used - before == end - pos,
              "feed of bytes %zu..%zu used %zu (status %d)\n", pos, end,
              r->used - before, rc);
        if (rc == MW_PAUSED) {
            r->rc = mw_smtp_sender_tls_done(&r->s);
            if (r->rc == MW_DONE)
                break;
            CHECK(r->rc == MW_OK, "tls_done() returned %d\n", r->rc);
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

/* Bytes for a failure message, with CR, LF and the rest escaped. */
static void print_bytes(const char *label, const char *p, size_t n)
{
    size_t i;
    print_error("%s (%zu bytes):\n  \"", label, n);
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch == '\r')
            print_error("\\r");
        else if (ch == '\n')
            print_error(i + 1 < n ? "\\n\"\n  \"" : "\\n");
        else if (ch < 0x20 || ch >= 0x7f)
            print_error("\\x%02x", ch);
        else if (ch == '"' || ch == '\\')
            print_error("\\%c", ch);
        else
            print_error("%c", ch);
    }
    print_error("\"\n");
}

/* Two runs of one script must agree in everything they show. */
static void assert_same_run(const run *a, const run *b)
{
    const mw_smtp_sender_result *x = mw_smtp_sender_outcome(&a->s);
    const mw_smtp_sender_result *y = mw_smtp_sender_outcome(&b->s);
    if (a->out.n != b->out.n || strcmp(out_str(a), out_str(b)) != 0 ||
        strcmp(log_str(a), log_str(b)) != 0 || x->status != y->status ||
        x->cmd != y->cmd || x->code != y->code ||
        x->rcpt_accepted != y->rcpt_accepted ||
        x->rcpt_rejected != y->rcpt_rejected || x->offset != y->offset ||
        a->used != b->used || a->rc != b->rc || a->pauses != b->pauses) {
        print_error("whole: status %d cmd %d code %u off %zu used %zu rc %d\n"
                    "this:  status %d cmd %d code %u off %zu used %zu rc %d\n",
                    x->status, x->cmd, x->code, x->offset, a->used, a->rc,
                    y->status, y->cmd, y->code, y->offset, b->used, b->rc);
        print_bytes("whole wrote", out_str(a), a->out.n);
        print_bytes("this wrote", out_str(b), b->out.n);
        CHECK(0, "this run differs from the whole run\n");
    }
}

/* For the function tests. */
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

/* What a member left 0 means: a plain session, one recipient, a
 * one-line message. */
static void fx_defaults(fx *f)
{
    if (f->m.ehlo_domain == NULL)
        f->m.ehlo_domain = "bar.com";
    if (f->m.from == NULL)
        f->m.from = "a@bar.com";
    if (f->m.rcpt == NULL) {
        f->m.rcpt = one_rcpt;
        f->m.rcpt_count = 1;
    }
    if (f->m.body == NULL) {
        f->m.body = "Hi\r\n";
        f->m.body_len = 4;
    }
}

static void fx_plain(fx *f)
{
    memset(f, 0, sizeof *f);
    fx_defaults(f);
}

#define GREET "220 foo.com ESMTP\r\n"
/* The replies to MAIL, RCPT, DATA, the message and QUIT of fx_plain. */
#define TAIL_S "250 OK\r\n250 OK\r\n354 go\r\n250 OK\r\n221 bye\r\n"
#define TAIL_C                                                                \
    "MAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\nDATA\r\nHi\r\n.\r\n"     \
    "QUIT\r\n"
#define TXN_C "RCPT TO:<b@foo.com>\r\nDATA\r\nHi\r\n.\r\nQUIT\r\n"
#define OK_SCRIPT GREET "250 foo.com\r\n" TAIL_S
#define OK_BYE "250 OK\r\n221 bye\r\n" /* the last two replies of TAIL_S */
#define UP_TO_DATA                                                            \
    "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\nDATA\r\n"

/* ====================================================================
 * The table row and its driver
 * ==================================================================== */

#define UNREAD_ANY ((size_t)-1)

typedef struct scase {
    const char *name;
    fx f;            /* the descriptor; members left 0: fx_defaults() */
    int pieces;      /* also pull the message through `read` (run_case) */
    int refused;     /* init refuses f (expect_refused_in(), with `in`) */
    int whole_only;  /* a long script: the whole run only */
    const char *in;  /* the server script and its length (IN()) */
    size_t in_len;
    size_t tls_at;   /* the end of the 220 to STARTTLS, where the
                      * handshake goes (in every cut run too); 0: none */
    int eof;         /* the server closes the connection after `in` */
    int running;     /* `in` ends before the session (last status MW_OK) */
    const char *out; /* exactly what the client writes; NULL: any */
    int status, cmd; /* the outcome (ENDS()) */
    unsigned code;
    int counts;      /* RCPTS(): the recipients accepted and refused */
    size_t acc, rej;
    int has_offset;  /* AT(): the outcome's offset (within what was read) */
    size_t offset;
    size_t unread;   /* bytes at the end of `in` left unread (after the
                      * session ended); UNREAD_ANY: not checked */
    const char *log; /* the reply log; NULL: not checked */
    unsigned ncalls; /* send calls, a failed one included; 0: any */
    void (*inspect)(const run *r); /* more checks on every run, or NULL */
} scase;

#define IN(lit) .in = lit, .in_len = sizeof(lit) - 1
#define ENDS(st, step, c) .status = st, .cmd = MW_SMTP_SENDER_##step, .code = c
#define RCPTS(a, r) .counts = 1, .acc = a, .rej = r
#define AT(o) .has_offset = 1, .offset = o
#define TLS(mode) .f.m.tls = MW_SMTP_SENDER_TLS_##mode
#define AUTH .f.m.user = "user", .f.m.secret = "pass"
#define BODY(lit) .f.m.body = lit, .f.m.body_len = sizeof(lit) - 1
#define RCPT_LIST(list)                                                       \
    .f.m.rcpt = list, .f.m.rcpt_count = sizeof list / sizeof list[0]
/* the server closes after `lit`: the session ends there (MW_E_CLOSED at
 * the end of the script) */
#define CLOSED_AFTER(lit) IN(lit), .eof = 1, AT(sizeof(lit) - 1)

/* init refuses `f`: MW_E_INVAL, the outcome says so, and the session
 * never starts (nothing of `in` is read, nothing is sent). */
static void expect_refused_in(const fx *f, const char *in, size_t len)
{
    run r;
    size_t used = 7;
    run_start(&r, f);
    assert_int_equal(r.init_rc, MW_E_INVAL);
    expect_outcome(&r, MW_E_INVAL, 0, 0);
    assert_int_equal(mw_smtp_sender_feed(&r.s, in, len, &used), MW_DONE);
    assert_int_equal(used, 0);
    assert_int_equal(mw_smtp_sender_tls_done(&r.s), MW_E_STATE);
    assert_int_equal(mw_smtp_sender_eof(&r.s), MW_DONE);
    expect_outcome(&r, MW_E_INVAL, 0, 0);
    assert_int_equal(r.ncalls, 0);
    assert_int_equal(r.nreplies, 0);
    run_free(&r);
}

#define expect_refused(f) expect_refused_in(f, S_(GREET "250 foo.com\r\n"))

/* What a run wrote (or logged) against what the row wants (NULL: any). */
static void check_text(const char *what, const char *got, size_t n,
                       const char *want)
{
    if (want == NULL || (n == strlen(want) && memcmp(got, want, n) == 0))
        return;
    print_bytes(what, got, n);
    print_bytes("want", want, strlen(want));
    CHECK(0, "other bytes %s\n", what);
}

/* One run of the row's script (pieces of `step`, cut at `cut` and where
 * TLS goes; then the end of the connection when the row says so),
 * checked against the row. */
static void run_checked(const scase *c, const fx *f, run *r, size_t step,
                        size_t cut)
{
    const mw_smtp_sender_result *o;
    run_script(r, f, c->in, c->in_len, step, cut, c->tls_at);
    if (c->eof) {
        CHECK(r->rc == MW_OK, "status %d before the connection ended\n",
              r->rc);
        CHECK(mw_smtp_sender_eof(&r->s) == MW_DONE, "eof() did not end it\n");
        r->rc = MW_DONE;
    }
    o = mw_smtp_sender_outcome(&r->s);
    CHECK(r->init_rc == MW_OK, "init returned %d\n", r->init_rc);
    check_text("written", out_str(r), r->out.n, c->out);
    CHECK(o->status == c->status && o->cmd == c->cmd && o->code == c->code,
          "outcome status %d step %s code %u (%s); want status %d step %s "
          "code %u\n",
          o->status, step_name(o->cmd), o->code,
          o->reason != NULL ? o->reason : "(null)", c->status,
          step_name(c->cmd), c->code);
    CHECK(o->reason != NULL &&
              (o->reason[0] != '\0') == (MW_ENABLE_ERROR_TEXT != 0),
          "no reason in the outcome\n");
    CHECK(!c->counts || (o->rcpt_accepted == c->acc &&
                         o->rcpt_rejected == c->rej),
          "recipients accepted %zu rejected %zu; want %zu and %zu\n",
          o->rcpt_accepted, o->rcpt_rejected, c->acc, c->rej);
    CHECK(!c->has_offset || (o->offset == c->offset && o->offset <= r->used),
          "offset %zu (%zu bytes read); want %zu\n", o->offset, r->used,
          c->offset);
    CHECK(r->rc == (c->running ? MW_OK : MW_DONE), "last status %d\n", r->rc);
    CHECK(c->unread == UNREAD_ANY || r->used == c->in_len - c->unread,
          "read %zu of the %zu bytes; want %zu\n", r->used, c->in_len,
          c->in_len - c->unread);
    CHECK(r->pauses == (c->tls_at != 0 ? 1u : 0u), "%u pauses for TLS\n",
          r->pauses);
    check_text("logged", log_str(r), r->log.n, c->log);
    CHECK(c->ncalls == 0 || r->ncalls == c->ncalls,
          "%u send calls; want %u\n", r->ncalls, c->ncalls);
    if (c->inspect != NULL)
        c->inspect(r);
}

/* A session that is over stays over: more input (what the script holds
 * after the end, else a reply) is not read, eof() and tls_done() change
 * nothing, nothing more is sent. */
static void check_after_end(const scase *c, run *r)
{
    const mw_smtp_sender_result was = *mw_smtp_sender_outcome(&r->s);
    const mw_smtp_sender_result *o = mw_smtp_sender_outcome(&r->s);
    size_t used = r->used, wrote = r->out.n;
    int rc = used < c->in_len ? run_feed(r, c->in + used, c->in_len - used)
                              : run_feed(r, S_("250 OK\r\n"));
    CHECK(rc == MW_DONE && r->used == used,
          "input after the end: status %d, read %zu\n", rc, r->used - used);
    CHECK(mw_smtp_sender_eof(&r->s) == MW_DONE &&
              mw_smtp_sender_tls_done(&r->s) == MW_E_STATE,
          "eof() or tls_done() after the end\n");
    CHECK(o->status == was.status && o->cmd == was.cmd &&
              o->code == was.code && o->offset == was.offset &&
              o->rcpt_accepted == was.rcpt_accepted &&
              o->rcpt_rejected == was.rcpt_rejected && r->out.n == wrote,
          "the outcome changed after the end (status %d cmd %d code %u), "
          "or more was sent\n",
          o->status, o->cmd, o->code);
}

/* The row with descriptor `f`: whole, byte by byte, cut at every offset
 * (each against the row and the whole run), then whole again without a
 * reply callback. */
static void run_variant(const scase *c, const fx *f, const char *variant)
{
    run whole, other;
    size_t k;
    snprintf(where, sizeof where, "%s%s: whole", c->name, variant);
    run_checked(c, f, &whole, 0, 0);
    for (k = 0; !c->whole_only && k < c->in_len; k++) {
        if (k == 0)
            snprintf(where, sizeof where, "%s%s: byte by byte", c->name,
                     variant);
        else
            snprintf(where, sizeof where, "%s%s: cut at %zu", c->name,
                     variant, k);
        run_checked(c, f, &other, k == 0 ? 1 : 0, k);
        assert_same_run(&whole, &other);
        if (!c->running)
            check_after_end(c, &other);
        run_free(&other);
    }
    if (f->reply_fail == 0 && !f->no_reply_cb) {
        fx quiet = *f;
        scase c2 = *c;
        quiet.no_reply_cb = 1;
        c2.log = NULL;
        snprintf(where, sizeof where, "%s%s: whole, no reply callback",
                 c->name, variant);
        run_checked(&c2, &quiet, &other, 0, 0);
        CHECK(other.log.n == 0, "logged without a callback\n");
        run_free(&other);
    }
    snprintf(where, sizeof where, "%s%s: whole", c->name, variant);
    if (!c->running)
        check_after_end(c, &whole);
    run_free(&whole);
}

static void run_case(const scase *c)
{
    fx f = c->f;
    size_t piece;
    fx_defaults(&f);
    snprintf(where, sizeof where, "%s", c->name);
    if (c->refused && c->in != NULL)
        expect_refused_in(&f, c->in, c->in_len);
    else if (c->refused)
        expect_refused(&f);
    else if (!c->pieces)
        run_variant(c, &f, "");
    /* with `pieces`: the message pulled through `read` (piece 0: pieces
     * of 1, 2, ..., 7, 1, ...), then as `body` */
    for (piece = 0; !c->refused && c->pieces && piece <= 8; piece++) {
        fx p = f;
        char label[48] = " [message as body]";
        if (piece < 8) {
            p.src = f.m.body;
            p.src_len = f.m.body_len;
            p.piece = piece;
            snprintf(label, sizeof label, " [read in pieces of %zu%s]",
                     piece ? piece : 1, piece ? "" : "..7");
        }
        run_variant(c, &p, label);
    }
    where[0] = '\0';
}

/* A row built at run time: `c` with this name and script (freed). */
static void run_built(scase c, const char *name, mw_textbuf *in)
{
    c.name = name;
    c.in = in->p;
    c.in_len = in->n;
    run_case(&c);
    mw_textbuf_free(in);
}

/* A table row as a cmocka test (its state is the row). */
static void test_row(void **state)
{
    run_case((const scase *)*state);
}

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
#define D1_DATA                                                               \
    "Blah blah blah...\r\n"                                                   \
    "....etc. etc. etc.\r\n"                                                  \
    "..\r\n"                                                                  \
    "bare CR\r\n"                                                             \
    "end\r\n"                                                                 \
    ".\r\n"

#define D1_SERVER                                                             \
    "220 foo.com Simple Mail Transfer Service Ready\r\n"                      \
    "250-foo.com greets bar.com\r\n"                                          \
    "250-8BITMIME\r\n"                                                        \
    "250-SIZE\r\n"                                                            \
    "250-DSN\r\n"                                                             \
    "250 HELP\r\n"                                                            \
    "250 OK\r\n"                                                              \
    "250 OK\r\n"                                                              \
    "550 No such user here\r\n"                                               \
    "250 OK\r\n"                                                              \
    "354 Start mail input; end with <CRLF>.<CRLF>\r\n"                        \
    "250 OK\r\n"                                                              \
    "221 foo.com Service closing transmission channel\r\n"

#define D1_CMDS                                                               \
    "EHLO bar.com\r\n"                                                        \
    "MAIL FROM:<Smith@bar.com>\r\n"                                           \
    "RCPT TO:<Jones@foo.com>\r\n"                                             \
    "RCPT TO:<Green@foo.com>\r\n"                                             \
    "RCPT TO:<Brown@foo.com>\r\n"                                             \
    "DATA\r\n"

#define D1_MSG                                                                \
    .f.m.from = "Smith@bar.com", RCPT_LIST(d1_rcpt), .f.m.body = d1_body,     \
    .f.m.body_len = sizeof d1_body - 1
/* D.1 as the client must write it, and how it ends */
#define D1_OK .out = D1_CMDS D1_DATA "QUIT\r\n", ENDS(MW_OK, MESSAGE, 250), \
              RCPTS(2, 1)

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

/* Each command is one send call (the header's promise): the first six
 * and QUIT. */
static void d1_calls(const run *r)
{
    CHECK(r->ncalls >= 8, "%u send calls\n", r->ncalls);
    CHECK(r->calls[0] == strlen("EHLO bar.com\r\n") &&
              r->calls[1] == strlen("MAIL FROM:<Smith@bar.com>\r\n") &&
              r->calls[2] == strlen("RCPT TO:<Jones@foo.com>\r\n") &&
              r->calls[5] == strlen("DATA\r\n") &&
              r->calls[r->ncalls - 1] == strlen("QUIT\r\n"),
          "a command was not one send call\n");
}

/* ====================================================================
 * The message data (RFC 5321 §4.5.2, §4.1.1.4)
 * ==================================================================== */

/* The data for `body` (whole, and read in pieces of 1 to 7 bytes and
 * cycling) must be exactly `data`. */
#define DATA_ROW(name, body, data)                                            \
    {name, BODY(body), .pieces = 1, IN(OK_SCRIPT),                           \
     .out = UP_TO_DATA data "QUIT\r\n", ENDS(MW_OK, MESSAGE, 250)}

/* The data part of what a session wrote: after "DATA\r\n", before the
 * final "QUIT\r\n". */
static void data_part(const run *r, const char **p, size_t *n)
{
    const char *d = strstr(out_str(r), "DATA\r\n");
    CHECK(d != NULL, "no DATA\n");
    d += 6;
    *p = d;
    *n = r->out.n - (size_t)(d - r->out.p);
    CHECK(*n >= 6 && memcmp(d + *n - 6, "QUIT\r\n", 6) == 0,
          "no QUIT after the data\n");
    *n -= 6;
}

/* SMTP smuggling (CVE-2023-51764 and kin): whatever line ends a message
 * holds, the data must never contain CRLF "." CRLF but at its very end,
 * and never a bare CR or LF a server could take for a line end. */
static void no_smuggling(const run *r)
{
    const char *d, *hit;
    size_t n, i;
    data_part(r, &d, &n);
    /* ends with the terminator, exactly once */
    CHECK(n >= 5 || (n == 3 && memcmp(d, ".\r\n", 3) == 0), "no end\n");
    if (n >= 5)
        CHECK(memcmp(d + n - 5, "\r\n.\r\n", 5) == 0, "no end\n");
    hit = strstr(d, "\r\n.\r\n");
    CHECK(hit == NULL || hit == d + n - 5, "an end before the end\n");
    /* a data line that is a lone "." is only the last one */
    CHECK(!(n > 3 && memcmp(d, ".\r\n", 3) == 0), "a first line \".\"\n");
    for (i = 0; i < n; i++) {
        if (d[i] == '\r')
            CHECK(i + 1 < n && d[i + 1] == '\n', "bare CR at %zu\n", i);
        if (d[i] == '\n')
            CHECK(i > 0 && d[i - 1] == '\r', "bare LF at %zu\n", i);
    }
}

#define SMUGGLING_ROW(name, body)                                             \
    {"smuggling/" name, BODY(body), .pieces = 1, IN(OK_SCRIPT),               \
     ENDS(MW_OK, MESSAGE, 250), .inspect = no_smuggling}

static const scase message_cases[] = {
    {"d1_session", D1_MSG, .pieces = 1, IN(D1_SERVER), D1_OK, .log = d1_log,
     .inspect = d1_calls},

    /* Ends with CRLF: no CRLF added before ".". */
    DATA_ROW("data_forms/crlf_end", "x\r\n", "x\r\n.\r\n"),
    /* No line end at the end: CRLF added. */
    DATA_ROW("data_forms/no_line_end", "x", "x\r\n.\r\n"),
    /* Empty message: just the "." line. */
    DATA_ROW("data_forms/empty", "", ".\r\n"),
    /* Dots at line starts only; the first line counts. */
    DATA_ROW("data_forms/dots", ".a\r\nb.c\r\n..\r\n.",
             "..a\r\nb.c\r\n...\r\n..\r\n.\r\n"),
    /* A message that holds its own terminator: stuffed, so it is data. */
    DATA_ROW("data_forms/own_terminator", "a\r\n.\r\nMAIL FROM:<x@y.z>\r\n",
             "a\r\n..\r\nMAIL FROM:<x@y.z>\r\n.\r\n"),
    /* Bare LF and bare CR become CRLF, and CR LF stays one line end;
     * "\r\r\n" is a bare CR then CRLF. */
    DATA_ROW("data_forms/bare_cr_lf", "a\nb\rc\r\r\nd\n\n",
             "a\r\nb\r\nc\r\n\r\nd\r\n\r\n.\r\n"),
    /* A message ending with a bare CR or LF: that line end is the last. */
    DATA_ROW("data_forms/bare_cr_end", "a\r", "a\r\n.\r\n"),
    DATA_ROW("data_forms/bare_lf_end", "a\n", "a\r\n.\r\n"),
    /* 8-bit bytes pass through (the sender does not judge them). */
    DATA_ROW("data_forms/8bit", "caf\xc3\xa9\r\n", "caf\xc3\xa9\r\n.\r\n"),

    SMUGGLING_ROW("lf_dot_lf", "a\n.\nMAIL FROM:<evil@x.y>\r\n"),
    SMUGGLING_ROW("cr_dot_cr", "a\r.\rMAIL FROM:<evil@x.y>\r\n"),
    SMUGGLING_ROW("crlf_dot_lf", "a\r\n.\nMAIL FROM:<evil@x.y>\r\n"),
    SMUGGLING_ROW("lf_dot_crlf", "a\n.\r\nMAIL FROM:<evil@x.y>\r\n"),
    SMUGGLING_ROW("cr_dot_crlf", "a\r.\r\nb"),
    SMUGGLING_ROW("crlf_dot_cr", "a\r\n.\rb"),
    SMUGGLING_ROW("dots_mixed", ".\n.\r.\r\n."),
    SMUGGLING_ROW("lf_dot_lf_alone", "\n.\n"),
    SMUGGLING_ROW("cr_dot_cr_alone", "\r.\r"),
    SMUGGLING_ROW("crlf_dot_crlf_end", "a\r\n.\r\n"),
};

/* ====================================================================
 * EHLO and the HELO fallback (RFC 5321 §3.2, §4.1.1.1)
 * ==================================================================== */

#define HELO_FALLBACK(c)                                                      \
    {"helo_fallback/" #c,                                                     \
     IN(GREET #c " Command not recognized\r\n250 foo.com\r\n" TAIL_S),        \
     .out = "EHLO bar.com\r\nHELO bar.com\r\n" TAIL_C,                        \
     ENDS(MW_OK, MESSAGE, 250)}

static const scase ehlo_cases[] = {
    HELO_FALLBACK(500),
    HELO_FALLBACK(502),
    HELO_FALLBACK(504),
    HELO_FALLBACK(550),
    /* HELO refused too: the session ends there. */
    {"helo_refused", IN(GREET "502 no\r\n501 5.5.4 bad domain\r\n221 bye\r\n"),
     .out = "EHLO bar.com\r\nHELO bar.com\r\nQUIT\r\n",
     ENDS(MW_E_STATE, HELO, 501)},
    /* After HELO there are no extensions: a message that needs one
     * fails. */
    {"helo_no_extensions", .f.m.eight_bit = 1,
     IN(GREET "502 no\r\n250 foo.com\r\n221 bye\r\n"),
     .out = "EHLO bar.com\r\nHELO bar.com\r\nQUIT\r\n",
     ENDS(MW_E_UNSUPPORTED, MAIL, 0)},
    /* No HELO when the session needs EHLO: TLS required, AUTH wanted;
     * and not for 554 (no SMTP service here), nor for a 4xx. */
    {"helo_no_fallback/tls_required", TLS(REQUIRED),
     IN(GREET "502 no\r\n221 bye\r\n"), .out = "EHLO bar.com\r\nQUIT\r\n",
     ENDS(MW_E_STATE, EHLO, 502)},
    {"helo_no_fallback/auth", AUTH, .f.m.auth_without_tls = 1,
     IN(GREET "502 no\r\n221 bye\r\n"), .out = "EHLO bar.com\r\nQUIT\r\n",
     ENDS(MW_E_STATE, EHLO, 502)},
    {"helo_no_fallback/554", IN(GREET "554 no\r\n221 bye\r\n"),
     .out = "EHLO bar.com\r\nQUIT\r\n", ENDS(MW_E_STATE, EHLO, 554)},
    {"helo_no_fallback/451", IN(GREET "451 later\r\n221 bye\r\n"),
     .out = "EHLO bar.com\r\nQUIT\r\n", ENDS(MW_E_STATE, EHLO, 451)},
    /* On implicit TLS the session began in TLS: HELO is still allowed
     * (after STARTTLS it is not: starttls_cases). */
    {"helo_fallback/implicit_tls", TLS(IMPLICIT),
     IN(GREET "502 no\r\n250 foo.com\r\n" TAIL_S),
     .out = "EHLO bar.com\r\nHELO bar.com\r\n" TAIL_C,
     ENDS(MW_OK, MESSAGE, 250)},
};

/* ====================================================================
 * STARTTLS (RFC 3207)
 * ==================================================================== */

#define EHLO_TLS_AUTH                                                         \
    "250-foo.com\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"
#define CLEAR_TLS GREET EHLO_TLS_AUTH "220 2.0.0 Ready to start TLS\r\n"
/* the handshake goes after CLEAR_TLS */
#define HANDSHAKE .tls_at = sizeof CLEAR_TLS - 1

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

/* What the server said in clear is forgotten after TLS (RFC 3207 §4.2). */
#define FORGOTTEN CLEAR_TLS "250-foo.com\r\n250 SIZE\r\n221 bye\r\n"
/* The 454 refusal, then the replies a plain session would get. */
#define TLS_454 GREET EHLO_TLS_AUTH "454 4.7.0 TLS not available\r\n" TAIL_S

static const scase starttls_cases[] = {
    /* EHLO refused after STARTTLS: no HELO (it would drop the
     * extensions the session was upgraded for); QUIT */
    {"starttls_then_ehlo_refused", TLS(OPPORTUNISTIC),
     IN(CLEAR_TLS "502 no\r\n221 bye\r\n"), HANDSHAKE,
     .out = "EHLO bar.com\r\nSTARTTLS\r\nEHLO bar.com\r\nQUIT\r\n",
     ENDS(MW_E_STATE, EHLO, 502)},
    /* AUTH offered only before TLS is not used after it ... */
    {"starttls_forgets_caps/auth", TLS(OPPORTUNISTIC), AUTH, IN(FORGOTTEN),
     HANDSHAKE, .out = "EHLO bar.com\r\nSTARTTLS\r\nEHLO bar.com\r\nQUIT\r\n",
     ENDS(MW_E_STATE, AUTH, 0)},
    /* ... and 8BITMIME offered only before is not either. */
    {"starttls_forgets_caps/8bitmime", TLS(REQUIRED), .f.m.eight_bit = 1,
     IN(FORGOTTEN), HANDSHAKE,
     .out = "EHLO bar.com\r\nSTARTTLS\r\nEHLO bar.com\r\nQUIT\r\n",
     ENDS(MW_E_UNSUPPORTED, MAIL, 0)},
    /* A whole TLS session: STARTTLS, EHLO again, AUTH PLAIN, the
     * message. */
    {"starttls_session", TLS(REQUIRED), AUTH,
     IN(CLEAR_TLS "250-foo.com\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n"
                  "235 2.7.0 Authentication successful\r\n" TAIL_S),
     HANDSHAKE,
     .out = "EHLO bar.com\r\nSTARTTLS\r\nEHLO bar.com\r\n"
            "AUTH PLAIN AHVzZXIAcGFzcw==\r\n" TAIL_C,
     ENDS(MW_OK, MESSAGE, 250)},
    {"starttls_required_not_offered", TLS(REQUIRED),
     IN(GREET "250-foo.com\r\n250 8BITMIME\r\n221 bye\r\n"),
     .out = "EHLO bar.com\r\nQUIT\r\n", ENDS(MW_E_STATE, STARTTLS, 0)},
    /* required: fail, QUIT (whose reply is the first "250 OK") */
    {"starttls_refused/required", TLS(REQUIRED), IN(TLS_454),
     .out = "EHLO bar.com\r\nSTARTTLS\r\nQUIT\r\n",
     ENDS(MW_E_STATE, STARTTLS, 454),
     .unread = sizeof TAIL_S - sizeof "250 OK\r\n"},
    /* opportunistic: on in clear */
    {"starttls_refused/opportunistic", TLS(OPPORTUNISTIC), IN(TLS_454),
     .out = "EHLO bar.com\r\nSTARTTLS\r\n" TAIL_C, ENDS(MW_OK, MESSAGE, 250)},
    /* opportunistic, and the server closes (421, RFC 5321 §3.8): no more
     * commands to a server that is going away, not even QUIT */
    {"starttls_refused/421", TLS(OPPORTUNISTIC),
     IN(GREET EHLO_TLS_AUTH "421 4.3.2 going down\r\n" TAIL_S),
     .out = "EHLO bar.com\r\nSTARTTLS\r\n", ENDS(MW_E_STATE, STARTTLS, 421),
     .unread = sizeof TAIL_S - 1},
    /* TLS_NONE: STARTTLS offered, never sent */
    {"starttls_refused/tls_none", IN(GREET EHLO_TLS_AUTH TAIL_S),
     .out = "EHLO bar.com\r\n" TAIL_C, ENDS(MW_OK, MESSAGE, 250)},
};

/* ====================================================================
 * AUTH (RFC 4954, RFC 4616, draft-murchison-sasl-login)
 * ==================================================================== */

/* base64("\0user\0pass") = AHVzZXIAcGFzcw== (RFC 4616 §2), worked by
 * hand: 00 75 73 | 65 72 00 | 70 61 73 | 73. LOGIN sends "user" =
 * dXNlcg== and "pass" = cGFzcw==, each after a 334. */
#define PLAIN_C "EHLO bar.com\r\nAUTH PLAIN AHVzZXIAcGFzcw==\r\n"
#define LOGIN_C "EHLO bar.com\r\nAUTH LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\n"
#define IMPLICIT_AUTH TLS(IMPLICIT), AUTH
#define AUTH_PLAIN_BYE GREET "250-foo.com\r\n250 AUTH PLAIN\r\n221 bye\r\n"
/* no PLAIN or LOGIN the sender can use: QUIT */
#define NO_MECHANISM(name, ehlo)                                              \
    {"auth_no_mechanism/" name, IMPLICIT_AUTH, IN(GREET ehlo "221 bye\r\n"),  \
     .out = "EHLO bar.com\r\nQUIT\r\n", ENDS(MW_E_STATE, AUTH, 0)}

static const scase auth_cases[] = {
    {"auth_plain", IMPLICIT_AUTH,
     IN(GREET "250-foo.com\r\n250 AUTH LOGIN PLAIN\r\n235 ok\r\n" TAIL_S),
     .out = PLAIN_C TAIL_C, ENDS(MW_OK, MESSAGE, 250)},
    {"auth_login", IMPLICIT_AUTH,
     IN(GREET "250-foo.com\r\n250 AUTH LOGIN CRAM-MD5\r\n"
              "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 ok\r\n" TAIL_S),
     .out = LOGIN_C TAIL_C, ENDS(MW_OK, MESSAGE, 250),
     .log = "GREETING 220 foo.com ESMTP\n"
            "EHLO 250 foo.com\n"
            "EHLO 250 AUTH LOGIN CRAM-MD5\n"
            "AUTH 334 VXNlcm5hbWU6\n"
            "AUTH 334 UGFzc3dvcmQ6\n"
            "AUTH 235 ok\n"
            "MAIL 250 OK\n"
            "RCPT 250 OK\n"
            "DATA 354 go\n"
            "MESSAGE 250 OK\n"
            "QUIT 221 bye\n"},
    /* The legacy "AUTH=" form some servers still send. */
    {"auth_legacy_form/plain", IMPLICIT_AUTH,
     IN(GREET "250-foo.com\r\n250 AUTH=LOGIN PLAIN\r\n235 ok\r\n" TAIL_S),
     .out = PLAIN_C TAIL_C, ENDS(MW_OK, MESSAGE, 250)},
    {"auth_legacy_form/login", IMPLICIT_AUTH,
     IN(GREET "250-foo.com\r\n250 auth=login\r\n334 x\r\n334 y\r\n235 ok\r\n"
              TAIL_S),
     .out = LOGIN_C TAIL_C, ENDS(MW_OK, MESSAGE, 250)},

    NO_MECHANISM("cram_xoauth2", "250-foo.com\r\n250 AUTH CRAM-MD5 XOAUTH2\r\n"),
    NO_MECHANISM("no_auth", "250-foo.com\r\n250 8BITMIME\r\n"),
    /* the first line holds no keywords */
    NO_MECHANISM("first_line", "250 foo.com PLAIN LOGIN\r\n"),
    NO_MECHANISM("authplain", "250-foo.com\r\n250 AUTHPLAIN\r\n"),

    {"auth_refused/plain", IMPLICIT_AUTH,
     IN(GREET "250-foo.com\r\n250 AUTH PLAIN\r\n"
              "535 5.7.8 Authentication credentials invalid\r\n221 bye\r\n"),
     .out = PLAIN_C "QUIT\r\n", ENDS(MW_E_AUTH, AUTH, 535)},
    /* LOGIN, refused after the password */
    {"auth_refused/login_password", IMPLICIT_AUTH,
     IN(GREET "250-foo.com\r\n250 AUTH LOGIN\r\n334 a\r\n334 b\r\n535 no\r\n"
              "221 bye\r\n"),
     .out = LOGIN_C "QUIT\r\n", ENDS(MW_E_AUTH, AUTH, 535)},
    /* LOGIN, refused at once (504: mechanism not supported) */
    {"auth_refused/login_at_once", IMPLICIT_AUTH,
     IN(GREET "250-foo.com\r\n250 AUTH LOGIN\r\n504 no\r\n221 bye\r\n"),
     .out = "EHLO bar.com\r\nAUTH LOGIN\r\nQUIT\r\n",
     ENDS(MW_E_AUTH, AUTH, 504)},
    /* LOGIN, a 235 where the password challenge belongs: not a 5xx */
    {"auth_refused/login_early_235", IMPLICIT_AUTH,
     IN(GREET "250-foo.com\r\n250 AUTH LOGIN\r\n334 a\r\n235 early\r\n"
              "221 bye\r\n"),
     .out = "EHLO bar.com\r\nAUTH LOGIN\r\ndXNlcg==\r\nQUIT\r\n",
     ENDS(MW_E_STATE, AUTH, 235)},

    /* PLAIN cannot carry a user name that is not UTF-8, nor an empty one
     * (RFC 4616 §2), and LOGIN no empty one: init refuses them, so
     * nothing at all is sent */
    {"auth_bad_credentials/user_not_utf8", TLS(IMPLICIT), .f.m.user = "\xff",
     .f.m.secret = "pass", .refused = 1, IN(AUTH_PLAIN_BYE)},
    {"auth_bad_credentials/secret_not_utf8", TLS(IMPLICIT), .f.m.user = "user",
     .f.m.secret = "p\xc3", .refused = 1, IN(AUTH_PLAIN_BYE)},
    {"auth_bad_credentials/empty_user", TLS(IMPLICIT), .f.m.user = "",
     .f.m.secret = "pass", .refused = 1, IN(AUTH_PLAIN_BYE)},
    {"auth_bad_credentials/empty_secret", TLS(IMPLICIT), .f.m.user = "user",
     .f.m.secret = "", .refused = 1, IN(AUTH_PLAIN_BYE)},

    /* Credentials go only over TLS unless the caller says otherwise. */
    {"auth_clear_policy/tls_none", AUTH, IN(AUTH_PLAIN_BYE),
     .out = "EHLO bar.com\r\nQUIT\r\n", ENDS(MW_E_STATE, AUTH, 0)},
    /* opportunistic without STARTTLS offered is clear too */
    {"auth_clear_policy/opportunistic", TLS(OPPORTUNISTIC), AUTH,
     IN(AUTH_PLAIN_BYE),
     .out = "EHLO bar.com\r\nQUIT\r\n", ENDS(MW_E_STATE, AUTH, 0)},
    /* opportunistic, STARTTLS refused: still clear */
    {"auth_clear_policy/starttls_refused", TLS(OPPORTUNISTIC), AUTH,
     IN(GREET EHLO_TLS_AUTH "454 no\r\n221 bye\r\n"),
     .out = "EHLO bar.com\r\nSTARTTLS\r\nQUIT\r\n", ENDS(MW_E_STATE, AUTH, 0)},
    {"auth_clear_policy/auth_without_tls", AUTH, .f.m.auth_without_tls = 1,
     IN(GREET "250-foo.com\r\n250 AUTH PLAIN\r\n235 ok\r\n" TAIL_S),
     .out = PLAIN_C TAIL_C, ENDS(MW_OK, MESSAGE, 250)},
    /* TLS_IMPLICIT: the connection is TLS from the start; AUTH is allowed
     * and STARTTLS is never sent even when offered. */
    {"auth_implicit_tls", IMPLICIT_AUTH,
     IN(GREET EHLO_TLS_AUTH "235 ok\r\n" TAIL_S), .out = PLAIN_C TAIL_C,
     ENDS(MW_OK, MESSAGE, 250)},
};

/* Credentials the buffer cannot hold: never sent, not even in part;
 * QUIT. */
static const scase plain_at_cap = {
    "auth_bad_credentials/plain", IMPLICIT_AUTH,
    .f.cap = MW_SMTP_SENDER_BUF_MIN, IN(AUTH_PLAIN_BYE)};

/* The longest PLAIN line that fits is sent whole, in one call. (The
 * "221 bye" then answers AUTH: not 235, so QUIT, whose reply the script
 * does not hold.) */
static void plain_fits(const run *r)
{
    size_t u = strlen(r->m.user);
    CHECK(strstr(out_str(r), "AUTH PLAIN ") != NULL, "no AUTH PLAIN\n");
    CHECK(r->calls[1] == 11 + 4 * ((u + 6 + 2) / 3) + 2 &&
              r->calls[1] <= MW_SMTP_SENDER_BUF_MIN,
          "AUTH PLAIN line of %zu bytes\n", r->calls[1]);
}

static void test_auth_bad_credentials(void **state)
{
    char user[200], name[64];
    size_t k, room;
    (void)state;

    /* "AUTH PLAIN " + base64(NUL user NUL pass) + CRLF in 128 bytes:
     * base64 of 1 + u + 1 + 4 bytes is 4 * ceil((u + 6) / 3) long */
    room = MW_SMTP_SENDER_BUF_MIN - 11 - 2;
    for (k = 0; k < 2; k++) {
        size_t u = room / 4 * 3 - 6 + k; /* the longest that fits, + 1 */
        scase c = plain_at_cap;
        memset(user, 'u', u);
        user[u] = '\0';
        snprintf(name, sizeof name, "%s, user of %zu bytes", c.name, u);
        c.name = name;
        c.f.m.user = user;
        if (k == 0) {
            c.running = 1;
            c.status = MW_E_STATE;
            c.cmd = MW_SMTP_SENDER_AUTH;
            c.code = 221;
            c.inspect = plain_fits;
        } else {
            c.out = "EHLO bar.com\r\nQUIT\r\n";
            c.status = MW_E_TOO_LONG;
            c.cmd = MW_SMTP_SENDER_AUTH;
        }
        run_case(&c);
    }

    /* LOGIN: the password line too long */
    {
        static const scase login = {
            "auth_bad_credentials/login_password", IMPLICIT_AUTH,
            .f.cap = MW_SMTP_SENDER_BUF_MIN,
            IN(GREET "250-foo.com\r\n250 AUTH LOGIN\r\n334 a\r\n334 b\r\n"
                     "221 bye\r\n"),
            .out = "EHLO bar.com\r\nAUTH LOGIN\r\ndXNlcg==\r\nQUIT\r\n",
            ENDS(MW_E_TOO_LONG, AUTH, 0)};
        scase c = login;
        memset(user, 'p', 150);
        user[150] = '\0';
        c.f.m.secret = user;
        run_case(&c);
    }
}

/* ====================================================================
 * MAIL parameters: BODY=8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531), SIZE
 * (RFC 1870)
 * ==================================================================== */

static const char *const utf8_rcpt[] = {"b@foo.com", "j\xc3\xb6rg@foo.com"};

static const scase mail_param_cases[] = {
    {"8bitmime/offered", .f.m.eight_bit = 1,
     IN(GREET "250-foo.com\r\n250 8BITMIME\r\n" TAIL_S),
     .out = "EHLO bar.com\r\nMAIL FROM:<a@bar.com> BODY=8BITMIME\r\n" TXN_C,
     ENDS(MW_OK, MESSAGE, 250)},
    /* not offered: RFC 6152 §3 leaves no way to send it */
    {"8bitmime/not_offered", .f.m.eight_bit = 1,
     IN(GREET "250-foo.com\r\n250 SIZE\r\n221 bye\r\n"),
     .out = "EHLO bar.com\r\nQUIT\r\n", ENDS(MW_E_UNSUPPORTED, MAIL, 0)},
    /* 7-bit message, 8BITMIME offered: no parameter */
    {"8bitmime/7bit", IN(GREET "250-foo.com\r\n250 8BITMIME\r\n" TAIL_S),
     .out = "EHLO bar.com\r\n" TAIL_C, ENDS(MW_OK, MESSAGE, 250)},

    /* a UTF-8 reverse-path */
    {"smtputf8/from", .f.m.from = "\xc3\xa9t\xc3\xa9@bar.com",
     IN(GREET "250-foo.com\r\n250 SMTPUTF8\r\n" TAIL_S),
     .out = "EHLO bar.com\r\nMAIL FROM:<\xc3\xa9t\xc3\xa9@bar.com> "
            "SMTPUTF8\r\n" TXN_C,
     ENDS(MW_OK, MESSAGE, 250)},
    /* only a forward-path is UTF-8: still SMTPUTF8 on MAIL (RFC 6531
     * §3.4) */
    {"smtputf8/rcpt_only", RCPT_LIST(utf8_rcpt),
     IN(GREET "250-foo.com\r\n250-SMTPUTF8\r\n250 8BITMIME\r\n250 OK\r\n"
              "250 OK\r\n250 OK\r\n354 go\r\n250 OK\r\n221 bye\r\n"),
     .out = "EHLO bar.com\r\nMAIL FROM:<a@bar.com> SMTPUTF8\r\n"
            "RCPT TO:<b@foo.com>\r\nRCPT TO:<j\xc3\xb6rg@foo.com>\r\n"
            "DATA\r\nHi\r\n.\r\nQUIT\r\n",
     ENDS(MW_OK, MESSAGE, 250)},
    /* not offered */
    {"smtputf8/not_offered", RCPT_LIST(utf8_rcpt),
     IN(GREET "250-foo.com\r\n250 8BITMIME\r\n221 bye\r\n"),
     .out = "EHLO bar.com\r\nQUIT\r\n", ENDS(MW_E_UNSUPPORTED, MAIL, 0)},
    /* both parameters, in the order the sender documents */
    {"smtputf8/with_8bitmime_and_size", .f.m.from = "\xc3\xa9@bar.com",
     .f.m.eight_bit = 1, .f.m.size = 1234,
     IN(GREET "250-foo.com\r\n250-SMTPUTF8\r\n250-SIZE 0\r\n250 8BITMIME\r\n"
              TAIL_S),
     .out = "EHLO bar.com\r\nMAIL FROM:<\xc3\xa9@bar.com> BODY=8BITMIME "
            "SMTPUTF8 SIZE=1234\r\n" TXN_C,
     ENDS(MW_OK, MESSAGE, 250)},

    /* offered (with or without a limit) and known: SIZE=n */
    {"size/offered", .f.m.size = 4,
     IN(GREET "250-foo.com\r\n250 SIZE 35882577\r\n" TAIL_S),
     .out = "EHLO bar.com\r\nMAIL FROM:<a@bar.com> SIZE=4\r\n" TXN_C,
     ENDS(MW_OK, MESSAGE, 250)},
    {"size/max", .f.m.size = UINT64_MAX,
     IN(GREET "250-foo.com\r\n250 size\r\n" TAIL_S),
     .out = "EHLO bar.com\r\nMAIL FROM:<a@bar.com> "
            "SIZE=18446744073709551615\r\n" TXN_C,
     ENDS(MW_OK, MESSAGE, 250)},
    /* offered, size unknown: nothing */
    {"size/unknown", IN(GREET "250-foo.com\r\n250 SIZE\r\n" TAIL_S),
     .out = "EHLO bar.com\r\n" TAIL_C, ENDS(MW_OK, MESSAGE, 250)},
    /* known, not offered: nothing */
    {"size/not_offered", .f.m.size = 4,
     IN(GREET "250-foo.com\r\n250-SIZES\r\n250 8BITMIME\r\n" TAIL_S),
     .out = "EHLO bar.com\r\n" TAIL_C, ENDS(MW_OK, MESSAGE, 250)},
};

/* ====================================================================
 * Refusals (RFC 5321 §4.2, §3.8)
 * ==================================================================== */

/* 421 at any step: the server is closing, so no QUIT (RFC 5321 §3.8);
 * the session ends at that reply and what follows is not read. */
#define REFUSED_421(before)                                                   \
    IN(before "421-4.3.2 Service shutting down\r\n421 closing channel\r\n"    \
              OK_BYE),                                                     \
        .unread = sizeof OK_BYE - 1

static const char *const two_rcpt[] = {"b@foo.com", "c@foo.com"};

static const scase refusal_cases[] = {
    {"refused_greeting", IN("554 5.3.2 no service for you\r\n221 bye\r\n"),
     .out = "QUIT\r\n", ENDS(MW_E_STATE, GREETING, 554)},

    {"refused_421/greeting", REFUSED_421(""), .out = "",
     ENDS(MW_E_STATE, GREETING, 421)},
    {"refused_421/ehlo", REFUSED_421(GREET), .out = "EHLO bar.com\r\n",
     ENDS(MW_E_STATE, EHLO, 421)},
    {"refused_421/starttls_required", TLS(REQUIRED),
     REFUSED_421(GREET EHLO_TLS_AUTH),
     .out = "EHLO bar.com\r\nSTARTTLS\r\n", ENDS(MW_E_STATE, STARTTLS, 421)},
    {"refused_421/starttls_opportunistic", TLS(OPPORTUNISTIC),
     REFUSED_421(GREET EHLO_TLS_AUTH),
     .out = "EHLO bar.com\r\nSTARTTLS\r\n", ENDS(MW_E_STATE, STARTTLS, 421)},
    /* a 4xx to AUTH is MW_E_STATE (a 5xx would be MW_E_AUTH) */
    {"refused_421/auth", IMPLICIT_AUTH, REFUSED_421(GREET EHLO_TLS_AUTH),
     .out = PLAIN_C, ENDS(MW_E_STATE, AUTH, 421)},
    {"refused_421/mail", REFUSED_421(GREET "250 foo.com\r\n"),
     .out = "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\n",
     ENDS(MW_E_STATE, MAIL, 421)},
    {"refused_421/rcpt", REFUSED_421(GREET "250 foo.com\r\n250 OK\r\n"),
     .out = "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\n",
     ENDS(MW_E_STATE, RCPT, 421)},
    {"refused_421/data",
     REFUSED_421(GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n"),
     .out = UP_TO_DATA, ENDS(MW_E_STATE, DATA, 421)},
    {"refused_421/message",
     REFUSED_421(GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n354 go\r\n"),
     .out = UP_TO_DATA "Hi\r\n.\r\n", ENDS(MW_E_STATE, MESSAGE, 421)},

    {"refused_transaction/mail",
     IN(GREET "250 foo.com\r\n550 5.7.1 not you\r\n221 bye\r\n"),
     .out = "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nQUIT\r\n",
     ENDS(MW_E_STATE, MAIL, 550)},
    /* every RCPT: no DATA */
    {"refused_transaction/every_rcpt", RCPT_LIST(two_rcpt),
     IN(GREET "250 foo.com\r\n250 OK\r\n550 no\r\n452 full\r\n221 bye\r\n"),
     .out = "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\n"
            "RCPT TO:<c@foo.com>\r\nQUIT\r\n",
     ENDS(MW_E_STATE, RCPT, 452), RCPTS(0, 2)},
    /* one of two: the message goes to the other */
    {"refused_transaction/one_rcpt", RCPT_LIST(two_rcpt),
     IN(GREET "250 foo.com\r\n250 OK\r\n450 busy\r\n251 forwarded\r\n"
              "354 go\r\n250 OK\r\n221 bye\r\n"),
     .out = "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\n"
            "RCPT TO:<c@foo.com>\r\nDATA\r\nHi\r\n.\r\nQUIT\r\n",
     ENDS(MW_OK, MESSAGE, 250), RCPTS(1, 1)},
    {"refused_transaction/data",
     IN(GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n"
              "554 5.5.1 No valid recipients\r\n221 bye\r\n"),
     .out = UP_TO_DATA "QUIT\r\n", ENDS(MW_E_STATE, DATA, 554)},
    /* DATA answered with a 250 instead of 354: not an invitation */
    {"refused_transaction/data_250",
     IN(GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n250 what\r\n221 bye\r\n"),
     .out = UP_TO_DATA "QUIT\r\n", ENDS(MW_E_STATE, DATA, 250)},
    {"refused_transaction/message",
     IN(GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n354 go\r\n"
              "552 5.3.4 Message too big\r\n221 bye\r\n"),
     .out = "EHLO bar.com\r\n" TAIL_C, ENDS(MW_E_STATE, MESSAGE, 552),
     RCPTS(1, 0)},
};

/* ====================================================================
 * Protocol errors: exact status and offset; nothing more is sent (no
 * QUIT after a broken reply); the end of the connection changes nothing
 * ==================================================================== */

#define BROKEN(name, lit, st, at, step, wrote)                                \
    {"protocol_error/" name, IN(lit), .out = wrote, ENDS(st, step, 0), AT(at), \
     .unread = UNREAD_ANY}

static const scase error_cases[] = {
    /* a line ended by a bare LF: the LF */
    BROKEN("bare_lf", "220 ok\n", MW_E_BARE_LF, 6, GREETING, ""),
    BROKEN("bare_lf_second_line", "220-a\r\n220 ok\nmore", MW_E_BARE_LF, 13,
           GREETING, ""),
    /* a NUL: the NUL */
    BROKEN("nul", "220 o\0k\r\n", MW_E_NUL, 5, GREETING, ""),
    /* a CR inside a line */
    BROKEN("bare_cr", "220 a\rb\r\n", MW_E_BARE_CR, 5, GREETING, ""),
    /* the lines of one reply with two codes: the second line */
    BROKEN("two_codes", "220-a\r\n221 b\r\n", MW_E_SYNTAX, 7, GREETING, ""),
    /* malformed codes: the bad character */
    BROKEN("code_2x0", "2x0 hi\r\n", MW_E_SYNTAX, 1, GREETING, ""),
    BROKEN("code_120", "120 hi\r\n", MW_E_SYNTAX, 0, GREETING, ""),
    BROKEN("code_220x", "220x\r\n", MW_E_SYNTAX, 3, GREETING, ""),
    BROKEN("empty_line", "\r\n", MW_E_SYNTAX, 0, GREETING, ""),
    /* offsets count every byte since init */
    BROKEN("ehlo_short_code", GREET "250-foo.com\r\n25 x\r\n", MW_E_SYNTAX,
           19 + 13 + 2, EHLO, "EHLO bar.com\r\n"),
    BROKEN("ehlo_code_differs", GREET "250-foo.com\r\n251 x\r\n", MW_E_SYNTAX,
           19 + 13, EHLO, "EHLO bar.com\r\n"),
    BROKEN("mail_nul", GREET "250 foo.com\r\n250 O\0K\r\n", MW_E_NUL,
           19 + 13 + 5, MAIL, "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\n"),

    /* After the message was accepted a broken reply to QUIT changes
     * nothing. */
    {"protocol_error_after_accept",
     IN(GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n354 go\r\n250 OK\r\n"
              "221\nbye"),
     .out = "EHLO bar.com\r\n" TAIL_C, ENDS(MW_OK, MESSAGE, 250),
     .unread = UNREAD_ANY},

    /* The server closes the connection (mw_smtp_sender_eof()); more input
     * is not read, eof again changes nothing (checked on every row). */
    {"eof/before_greeting", CLOSED_AFTER(""), .out = "",
     ENDS(MW_E_CLOSED, GREETING, 0)},
    {"eof/in_greeting", CLOSED_AFTER("22"), .out = "",
     ENDS(MW_E_CLOSED, GREETING, 0)},
    {"eof/in_ehlo_reply", CLOSED_AFTER(GREET "250-foo.com\r\n"),
     .out = "EHLO bar.com\r\n", ENDS(MW_E_CLOSED, EHLO, 0)},
    {"eof/before_data_reply",
     CLOSED_AFTER(GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n"),
     .out = UP_TO_DATA, ENDS(MW_E_CLOSED, DATA, 0)},
    /* the data went out, no answer yet */
    {"eof/after_data",
     CLOSED_AFTER(GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n354 go\r\n"),
     .out = UP_TO_DATA "Hi\r\n.\r\n", ENDS(MW_E_CLOSED, MESSAGE, 0)},
    /* accepted: a missing QUIT reply changes nothing */
    {"eof/accepted",
     IN(GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n354 go\r\n250 OK\r\n"),
     .eof = 1, .out = "EHLO bar.com\r\n" TAIL_C, ENDS(MW_OK, MESSAGE, 250)},
    {"eof/accepted_in_quit_reply",
     IN(GREET "250 foo.com\r\n250 OK\r\n250 OK\r\n354 go\r\n250 OK\r\n22"),
     .eof = 1, .out = "EHLO bar.com\r\n" TAIL_C, ENDS(MW_OK, MESSAGE, 250)},
    /* refused, QUIT sent, no answer */
    {"eof/refused", IN("554 no\r\n"), .eof = 1, .out = "QUIT\r\n",
     ENDS(MW_E_STATE, GREETING, 554)},
};

/* while the TLS handshake runs */
static void test_eof_during_tls(void **state)
{
    fx f;
    run r;
    (void)state;
    fx_plain(&f);
    f.m.tls = MW_SMTP_SENDER_TLS_OPPORTUNISTIC;
    run_start(&r, &f);
    assert_int_equal(run_feed(&r, S_(CLEAR_TLS)), MW_PAUSED);
    assert_int_equal(mw_smtp_sender_eof(&r.s), MW_DONE);
    expect_outcome(&r, MW_E_CLOSED, MW_SMTP_SENDER_STARTTLS, 0);
    assert_int_equal(mw_smtp_sender_tls_done(&r.s), MW_E_STATE);
    run_free(&r);
}

/* ====================================================================
 * Limits: reply lines, reply length, commands, recipients (at the cap
 * and one over)
 * ==================================================================== */

/* A reply line longer than the buffer allows (cap - 2 bytes before its
 * CRLF): MW_E_TOO_LONG at the line's start. */
static void test_line_too_long(void **state)
{
    static const size_t caps[] = {MW_SMTP_SENDER_BUF_MIN, 200,
                                  MW_SMTP_SENDER_BUF_SIZE};
    static const scase fits = {"", .out = "EHLO bar.com\r\n" TAIL_C,
                               ENDS(MW_OK, MESSAGE, 250)};
    static const scase over = {"", .out = "EHLO bar.com\r\n",
                               ENDS(MW_E_TOO_LONG, EHLO, 0), .has_offset = 1,
                               .unread = UNREAD_ANY};
    size_t c, extra;
    (void)state;
    for (c = 0; c < sizeof caps / sizeof caps[0]; c++) {
        for (extra = 0; extra <= 1; extra++) {
            size_t len = caps[c] - 2 + extra; /* the line, without CRLF */
            scase k = extra ? over : fits;
            mw_textbuf in = {0};
            char name[64];
            /* an EHLO keyword line of `len` bytes */
            mw_textbuf_put(&in, S_(GREET "250-foo.com\r\n250 "));
            k.f.cap = caps[c];
            k.offset = in.n - 4; /* checked when over */
            while (in.n - k.offset < len)
                mw_textbuf_put(&in, "X", 1);
            mw_textbuf_put(&in, S_("\r\n" TAIL_S));
            snprintf(name, sizeof name, "line_too_long, cap %zu, line %zu",
                     caps[c], len);
            run_built(k, name, &in);
        }
    }
}

/* A reply of cap - 1 and cap lines is read; cap + 1 is MW_E_LIMIT at the
 * first line over the cap. */
static void test_reply_line_cap(void **state)
{
    static const scase fits = {"", .out = "EHLO bar.com\r\n" TAIL_C,
                               ENDS(MW_OK, MESSAGE, 250)};
    static const scase over = {"", .out = "EHLO bar.com\r\n",
                               ENDS(MW_E_LIMIT, EHLO, 0), .has_offset = 1,
                               .unread = sizeof TAIL_S - 1};
    const size_t cap = MW_SMTP_SENDER_MAX_REPLY_LINES;
    size_t lines, i;
    char name[64];
    mw_textbuf in = {0};
    (void)state;
    for (lines = cap - 1; lines <= cap + 1; lines++) {
        scase c = lines > cap ? over : fits;
        mw_textbuf_put(&in, S_(GREET));
        for (i = 0; i + 1 < lines; i++)
            mw_textbuf_put(&in, S_("250-l\r\n"));
        /* the 65th line is the last one, at 19 + 64 * 7 */
        c.offset = in.n;
        if (lines > cap)
            assert_int_equal(c.offset, 19 + 7 * cap);
        mw_textbuf_put(&in, S_("250 e\r\n" TAIL_S));
        snprintf(name, sizeof name, "reply_line_cap, %zu lines", lines);
        run_built(c, name, &in);
    }
    /* the count starts again with each reply */
    for (i = 0; i + 1 < cap; i++)
        mw_textbuf_put(&in, S_("220-g\r\n"));
    mw_textbuf_put(&in, S_("220 g\r\n"));
    for (i = 0; i + 1 < cap; i++)
        mw_textbuf_put(&in, S_("250-l\r\n"));
    mw_textbuf_put(&in, S_("250 e\r\n" TAIL_S));
    run_built(fits, "reply_line_cap, the cap in two replies", &in);
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
 * session ends with MW_E_TOO_LONG and QUIT (whose reply is the next one in
 * the script). The limit is exact. */
#define CAP_MIN .f.cap = MW_SMTP_SENDER_BUF_MIN
static const scase cmd_fits = {"", CAP_MIN, IN(OK_SCRIPT),
                               ENDS(MW_OK, MESSAGE, 250)};
static const scase cmd_over[] = {
    {"command_too_long, MAIL of cap + 1", CAP_MIN, IN(OK_SCRIPT),
     .out = "EHLO bar.com\r\nQUIT\r\n", ENDS(MW_E_TOO_LONG, MAIL, 0),
     .unread = sizeof TAIL_S - sizeof "250 OK\r\n"},
    {"command_too_long, RCPT of cap + 1", CAP_MIN, IN(OK_SCRIPT),
     .out = "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nQUIT\r\n",
     ENDS(MW_E_TOO_LONG, RCPT, 0),
     .unread = sizeof "354 go\r\n250 OK\r\n221 bye\r\n" - 1},
    /* MAIL parameters count too: it fits without SIZE, not with it */
    {"command_too_long, MAIL with SIZE", CAP_MIN, .f.m.size = 9,
     IN(GREET "250-foo.com\r\n250 SIZE\r\n221 bye\r\n"),
     .out = "EHLO bar.com\r\nQUIT\r\n", ENDS(MW_E_TOO_LONG, MAIL, 0)},
    /* the EHLO domain: the first command */
    {"command_too_long, EHLO", CAP_MIN, IN(GREET "221 bye\r\n"),
     .out = "QUIT\r\n", ENDS(MW_E_TOO_LONG, EHLO, 0)},
};

static void test_command_too_long(void **state)
{
    const size_t cap = MW_SMTP_SENDER_BUF_MIN;
    char box[300], cmd[400], want[600], dom[200];
    const char *rcpt[1];
    size_t extra, i;
    scase c;
    (void)state;
    /* "MAIL FROM:<" + mailbox + ">" + CRLF and "RCPT TO:<" + mailbox +
     * ">" + CRLF must each fit in cap bytes */
    for (extra = 0; extra <= 1; extra++) {
        c = extra ? cmd_over[0] : cmd_fits;
        make_mailbox(box, cap - 11 - 1 - 2 + extra);
        snprintf(cmd, sizeof cmd, "MAIL FROM:<%s>\r\n", box);
        assert_int_equal(strlen(cmd), cap + extra);
        snprintf(want, sizeof want, "EHLO bar.com\r\n%s" TXN_C, cmd);
        c.name = extra ? c.name : "command_too_long, MAIL of cap";
        c.out = extra ? c.out : want;
        c.f.m.from = box;
        run_case(&c);

        c = extra ? cmd_over[1] : cmd_fits;
        make_mailbox(box, cap - 9 - 1 - 2 + extra);
        snprintf(cmd, sizeof cmd, "RCPT TO:<%s>\r\n", box);
        assert_int_equal(strlen(cmd), cap + extra);
        snprintf(want, sizeof want,
                 "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\n%s"
                 "DATA\r\nHi\r\n.\r\nQUIT\r\n",
                 cmd);
        c.name = extra ? c.name : "command_too_long, RCPT of cap";
        c.out = extra ? c.out : want;
        rcpt[0] = box;
        c.f.m.rcpt = rcpt;
        c.f.m.rcpt_count = 1;
        run_case(&c);
    }
    c = cmd_over[2];
    make_mailbox(box, cap - 11 - 1 - 2 - 3);
    c.f.m.from = box;
    run_case(&c);
    /* "EHLO " + domain + CRLF: one byte over */
    for (i = 0; i < cap - 5 - 2 + 1; i++)
        dom[i] = (i % 40 == 39) ? '.' : 'd';
    dom[i] = '\0';
    c = cmd_over[3];
    c.f.m.ehlo_domain = dom;
    run_case(&c);
}

static void test_rcpt_count(void **state)
{
    static const char *rcpt[1001];
    static const scase many = {"rcpt_count, 1000 recipients",
                               .f.m.rcpt_count = 1000, .whole_only = 1,
                               ENDS(MW_OK, MESSAGE, 250), RCPTS(666, 334)};
    fx f;
    scase c = many;
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
    mw_textbuf_put(&in, S_(GREET "250 foo.com\r\n250 OK\r\n"));
    mw_textbuf_put(&want, S_("EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\n"));
    for (i = 0; i < 1000; i++) {
        mw_textbuf_put(&in, i % 3 ? "250 OK\r\n" : "550 no\r\n", 8);
        mw_textbuf_put(&want, S_("RCPT TO:<b@foo.com>\r\n"));
    }
    mw_textbuf_put(&in, S_("354 go\r\n250 OK\r\n221 bye\r\n"));
    mw_textbuf_put(&want, S_("DATA\r\nHi\r\n.\r\nQUIT\r\n"));
    c.f.m.rcpt = rcpt;
    c.in = in.p;
    c.in_len = in.n;
    c.out = want.p;
    run_case(&c);
    mw_textbuf_free(&in);
    mw_textbuf_free(&want);
}

/* ====================================================================
 * Callbacks
 * ==================================================================== */

#define HELLO "Hello\r\nworld\r\n"
#define READ_HELLO .f.src = HELLO, .f.src_len = sizeof HELLO - 1

static const scase callback_cases[] = {
    /* `send` fails at the first command: no QUIT after it */
    {"send_fails/first_command", .f.send_fail = 1, IN(OK_SCRIPT), .out = "",
     ENDS(MW_E_CALLBACK, EHLO, 0), .ncalls = 1,
     .unread = sizeof OK_SCRIPT - sizeof GREET},
    /* the DATA command (call 4): the step is DATA, not RCPT */
    {"send_fails/data_command", .f.send_fail = 4, IN(OK_SCRIPT),
     .out = "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\n",
     ENDS(MW_E_CALLBACK, DATA, 0), .ncalls = 4,
     .unread = sizeof "354 go\r\n" OK_BYE - 1},
    /* STARTTLS (call 2): the step is STARTTLS, not EHLO */
    {"send_fails/starttls", TLS(REQUIRED), .f.send_fail = 2,
     IN(GREET EHLO_TLS_AUTH "220 go\r\n"), .out = "EHLO bar.com\r\n",
     ENDS(MW_E_CALLBACK, STARTTLS, 0), .ncalls = 2,
     .unread = sizeof "220 go\r\n" - 1},
    /* the message data (calls: EHLO, MAIL, RCPT, DATA, then the data) */
    {"send_fails/data", .f.send_fail = 5, IN(OK_SCRIPT), .out = UP_TO_DATA,
     ENDS(MW_E_CALLBACK, MESSAGE, 0), .ncalls = 5,
     .unread = sizeof OK_BYE - 1},
    /* the final "." (call 6): the data cannot be ended, no QUIT */
    {"send_fails/final_dot", .f.send_fail = 6, IN(OK_SCRIPT),
     .out = UP_TO_DATA "Hi\r\n", ENDS(MW_E_CALLBACK, MESSAGE, 0), .ncalls = 6,
     .unread = sizeof OK_BYE - 1},
    /* QUIT after the message was accepted: still accepted */
    {"send_fails/quit_after_accept", .f.send_fail = 7, IN(OK_SCRIPT),
     .out = UP_TO_DATA "Hi\r\n.\r\n", ENDS(MW_OK, MESSAGE, 250),
     .unread = sizeof "221 bye\r\n" - 1},
    /* QUIT after a refusal: the refusal stays */
    {"send_fails/quit_after_refusal", .f.send_fail = 1,
     IN("554 no\r\n221 bye\r\n"), .out = "", ENDS(MW_E_STATE, GREETING, 554),
     .unread = sizeof "221 bye\r\n" - 1},
    /* EHLO after TLS: tls_done() ends the session */
    {"send_fails/ehlo_after_tls", TLS(REQUIRED), .f.send_fail = 3,
     IN(CLEAR_TLS "250 foo.com\r\n"), HANDSHAKE,
     .out = "EHLO bar.com\r\nSTARTTLS\r\n", ENDS(MW_E_CALLBACK, EHLO, 0),
     .unread = sizeof "250 foo.com\r\n" - 1},

    /* `read` fails mid-message: the data cannot be ended; no "." and no
     * QUIT. "Hel", then "lo\r": a CR at the end of a piece is already
     * written as CRLF (a LF after it would be part of it). */
    {"read_fails/mid_message", READ_HELLO, .f.piece = 3, .f.read_fail = 1,
     .f.read_fail_at = 6, IN(OK_SCRIPT), .out = UP_TO_DATA "Hello\r\n",
     ENDS(MW_E_CALLBACK, MESSAGE, 0),
     .unread = sizeof OK_BYE - 1},
    /* at once */
    {"read_fails/at_once", READ_HELLO, .f.read_fail = 1, IN(OK_SCRIPT),
     .out = UP_TO_DATA, ENDS(MW_E_CALLBACK, MESSAGE, 0),
     .unread = sizeof OK_BYE - 1},
    /* a NULL piece with a length */
    {"read_fails/null_piece", READ_HELLO, .f.read_null = 1, IN(OK_SCRIPT),
     .out = UP_TO_DATA, ENDS(MW_E_CALLBACK, MESSAGE, 0),
     .unread = sizeof OK_BYE - 1},

    /* The reply callback sees every line, with its step and code (checked
     * on D.1 above); a negative return ends the session at that line:
     * here the second line of the EHLO reply. */
    {"reply_callback/fails", D1_MSG, .f.reply_fail = 3, IN(D1_SERVER),
     .out = "EHLO bar.com\r\n", ENDS(MW_E_CALLBACK, EHLO, 0),
     .unread = UNREAD_ANY,
     .log = "GREETING 220 foo.com Simple Mail Transfer Service Ready\n"
            "EHLO 250 foo.com greets bar.com\n"
            "EHLO 250 8BITMIME\n"},
    /* a STARTTLS refusal and an AUTH step in the log */
    {"reply_callback/starttls_auth", TLS(OPPORTUNISTIC), AUTH,
     .f.m.auth_without_tls = 1,
     IN(GREET "250-foo.com\r\n250-STARTTLS\r\n250 AUTH LOGIN\r\n454 not now\r\n"
              "334 u\r\n334 p\r\n535 no\r\n221 bye\r\n"),
     .out = "EHLO bar.com\r\nSTARTTLS\r\nAUTH LOGIN\r\ndXNlcg==\r\n"
            "cGFzcw==\r\nQUIT\r\n",
     ENDS(MW_E_AUTH, AUTH, 535),
     .log = "GREETING 220 foo.com ESMTP\n"
            "EHLO 250 foo.com\n"
            "EHLO 250 STARTTLS\n"
            "EHLO 250 AUTH LOGIN\n"
            "STARTTLS 454 not now\n"
            "AUTH 334 u\n"
            "AUTH 334 p\n"
            "AUTH 535 no\n"
            "QUIT 221 bye\n"},
    /* a HELO session in the log */
    {"reply_callback/helo", IN(GREET "500 what\r\n250 foo.com\r\n" TAIL_S),
     .out = "EHLO bar.com\r\nHELO bar.com\r\n" TAIL_C,
     ENDS(MW_OK, MESSAGE, 250),
     .log = "GREETING 220 foo.com ESMTP\n"
            "EHLO 500 what\n"
            "HELO 250 foo.com\n"
            "MAIL 250 OK\n"
            "RCPT 250 OK\n"
            "DATA 354 go\n"
            "MESSAGE 250 OK\n"
            "QUIT 221 bye\n"},
    /* a line with only the code has empty text (the session goes on) */
    {"reply_callback/code_only", IN("220\r\n250\r\n"), .running = 1,
     .out = "EHLO bar.com\r\nMAIL FROM:<a@bar.com>\r\n",
     .status = MW_E_INCOMPLETE, .log = "GREETING 220 \nEHLO 250 \n"},
};

/* ====================================================================
 * The descriptor (init) and the buffer
 * ==================================================================== */

static const scase descriptor_cases[] = {
    {"init_arguments/tls_negative", .f.m.tls = -1, .refused = 1},
    {"init_arguments/tls_unknown", .f.m.tls = MW_SMTP_SENDER_TLS_IMPLICIT + 1,
     .refused = 1},
    {"init_arguments/user_without_secret", .f.m.user = "user", .refused = 1},
    {"init_arguments/rcpt_count_zero", .f.m.rcpt = one_rcpt,
     .f.m.rcpt_count = 0, .refused = 1},
    /* the null reverse-path "" is allowed (RFC 5321 §4.5.5) */
    {"init_arguments/null_reverse_path", .f.m.from = "", IN(OK_SCRIPT),
     .out = "EHLO bar.com\r\nMAIL FROM:<>\r\n" TXN_C,
     ENDS(MW_OK, MESSAGE, 250)},
    /* an address literal for EHLO (RFC 5321 §4.1.3) */
    {"init_arguments/address_literal", .f.m.ehlo_domain = "[192.0.2.7]",
     IN(OK_SCRIPT), .out = "EHLO [192.0.2.7]\r\n" TAIL_C,
     ENDS(MW_OK, MESSAGE, 250)},
    /* the buffer: MW_SMTP_SENDER_BUF_MIN is enough for D.1, one less is
     * refused */
    {"buf_min/too_small", D1_MSG, .f.cap = MW_SMTP_SENDER_BUF_MIN - 1,
     .refused = 1, IN(D1_SERVER)},
    {"buf_min/enough", D1_MSG, .f.cap = MW_SMTP_SENDER_BUF_MIN, IN(D1_SERVER),
     D1_OK},
};

static void test_init_arguments(void **state)
{
    mw_smtp_sender s;
    mw_smtp_sender_message m;
    char buf[MW_SMTP_SENDER_BUF_MIN];
    fx f;
    size_t used = 3;
    int i;
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

    /* NULL members (a table row's NULL means the default): through the
     * helper, which sets send */
    for (i = 0; i < 5; i++) {
        fx_plain(&f);
        switch (i) {
        case 0: /* neither body nor read */
            f.m.body = NULL;
            f.m.body_len = 0;
            break;
        case 1: /* a length without a body */
            f.m.body = NULL;
            break;
        case 2: f.m.rcpt = NULL; break;
        case 3: f.m.ehlo_domain = NULL; break;
        default: f.m.from = NULL; break;
        }
        expect_refused(&f);
    }

    /* every valid tls mode, and a secret alone, are fine */
    for (i = MW_SMTP_SENDER_TLS_NONE; i <= MW_SMTP_SENDER_TLS_IMPLICIT; i++) {
        run r;
        fx_plain(&f);
        f.m.tls = i;
        f.m.secret = "pass";
        run_start(&r, &f);
        assert_int_equal(r.init_rc, MW_OK);
        assert_int_equal(mw_smtp_sender_outcome(&r.s)->status, MW_E_INCOMPLETE);
        assert_int_equal(mw_smtp_sender_outcome(&r.s)->cmd, 0);
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
        "a@bar.com\r\nRCPT TO:<evil@x.y>", "a@bar.com\r", "a@bar.com\n",
        "a@bar.com\r\n", "<a@bar.com>", "a@bar.com>", "<a@bar.com",
        "a@bar.com> SIZE=1", "a b@bar.com", "a@bar.com ", " a@bar.com",
        "a@bar .com",
        "\"a b\"@bar.com", /* valid RFC 5321, but a space: refused */
        "a\t@bar.com", "a\x7f@bar.com", "a\x1b@bar.com",
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

/* ====================================================================
 * The API's edges
 * ==================================================================== */

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

/* ====================================================================
 * The tests: the functions, then one test per table row
 * ==================================================================== */

static int clear_where(void **state)
{
    (void)state;
    where[0] = '\0';
    return 0;
}

#define TABLE(t) {t, sizeof t / sizeof t[0]}

static const struct table {
    const scase *rows;
    size_t n;
} tables[] = {
    TABLE(message_cases),    TABLE(ehlo_cases),    TABLE(starttls_cases),
    TABLE(auth_cases),       TABLE(mail_param_cases), TABLE(refusal_cases),
    TABLE(error_cases),      TABLE(callback_cases), TABLE(descriptor_cases),
};

#endif /* MW_ENABLE_SMTP_SENDER */

int main(void)
{
#if MW_ENABLE_SMTP_SENDER
    static const struct CMUnitTest functions[] = {
        cmocka_unit_test(test_starttls_pause),
        cmocka_unit_test(test_starttls_injection),
        cmocka_unit_test(test_auth_bad_credentials),
        cmocka_unit_test(test_eof_during_tls),
        cmocka_unit_test(test_line_too_long),
        cmocka_unit_test(test_reply_line_cap),
        cmocka_unit_test(test_command_too_long),
        cmocka_unit_test(test_rcpt_count),
        cmocka_unit_test(test_init_arguments),
        cmocka_unit_test(test_init_strings),
        cmocka_unit_test(test_api_edges),
    };
    const size_t nf = sizeof functions / sizeof functions[0];
    struct CMUnitTest *tests;
    size_t n = nf, t, i;
    int rc;
    for (t = 0; t < sizeof tables / sizeof tables[0]; t++)
        n += tables[t].n;
    tests = (struct CMUnitTest *)calloc(n, sizeof *tests);
    if (tests == NULL)
        return 1;
    memcpy(tests, functions, sizeof functions);
    n = nf;
    for (t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        for (i = 0; i < tables[t].n; i++, n++) {
            tests[n].name = tables[t].rows[i].name;
            tests[n].test_func = test_row;
            tests[n].initial_state = (void *)&tables[t].rows[i];
        }
    }
    for (i = 0; i < n; i++)
        tests[i].setup_func = clear_where;
    rc = _cmocka_run_group_tests("smtp_sender", tests, n, NULL, NULL);
    free(tests);
    return rc;
#else
    return 0; /* the sender is not in this build */
#endif
}
