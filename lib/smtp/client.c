/* SPDX-License-Identifier: MIT */
/*
 * The SMTP / LMTP client machine (RFC 5321, RFC 2033): session state,
 * reply reading and matching, command formatting, message data (DATA with
 * dot-stuffing, or BDAT chunks, RFC 3030), AUTH (RFC 4954) and STARTTLS
 * (RFC 3207). The transaction helper that drives all of it from a
 * descriptor is in client_msg.c.
 *
 * How replies are matched to commands: every command pushes an entry on a
 * small queue (kind, count, transaction generation) before it is sent, and
 * every complete reply pops one (RCPT runs and BDAT runs share an entry
 * with a count; in LMTP the end of the data expects one reply per
 * accepted recipient). PIPELINING (RFC 2920 §3.1) decides when a command
 * may join a group that is still unanswered: MAIL, RCPT, RSET and BDAT
 * may; EHLO, DATA, VRFY, EXPN, HELP, NOOP, QUIT, STARTTLS, AUTH and ETRN
 * only end a group. The generation tells replies to an abandoned
 * transaction (RSET pipelined behind it) from replies to the current one.
 *
 * Reply lines come from the core line framer (mw__line_*) and are parsed
 * by reply.c; message data goes through the core dot-stuffer
 * (mw__dot_stuff_*) straight from the application's buffers to `send`.
 * Nothing is copied but command lines (into the context's buffer) and
 * reply lines cut by a chunk boundary (into the caller's line buffer).
 */
#include "smtp/client_int.h"

#include "mailwire/codec.h"
#include "smtp/grammar.h"

#define Q MW_SMTP_CLIENT_QUEUE

/* ====================================================================
 * Small helpers
 * ==================================================================== */

/* An output buffer that remembers it overflowed (checked once at the
 * end, so formatting code needs no error path per piece), and where the
 * argument being written starts, so that a line too long is reported at
 * the first octet of that argument that does not fit. */
typedef struct obuf {
    char *p;
    size_t cap, len;
    size_t arg; /* start of the current argument in the line */
    int over;
} obuf;

static void ob_init(obuf *o, char *p, size_t cap)
{
    o->p = p;
    o->cap = cap;
    o->len = 0;
    o->arg = 0;
    o->over = 0;
}

/* An argument starts here (kept once the line overflowed: the error
 * names the argument that did not fit). */
static void ob_arg(obuf *o)
{
    if (!o->over)
        o->arg = o->len;
}

static void ob_put(obuf *o, const char *s, size_t n)
{
    if (o->over || n > o->cap - o->len) {
        o->over = 1;
        return;
    }
    if (n > 0)
        memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void ob_str(obuf *o, const char *s)
{
    ob_put(o, s, strlen(s));
}

/* " " and p[0..n), which starts an argument. */
static void ob_sp_arg(obuf *o, const char *p, size_t n)
{
    ob_put(o, " ", 1);
    ob_arg(o);
    ob_put(o, p, n);
}

static void ob_u64(obuf *o, uint64_t v)
{
    char t[MW__U64_DIGITS];
    size_t n = mw__fmt_u64(t, v); /* the digits first, then the copy */
    ob_put(o, t, n);
}

int mw__smtpc_fail_(mw_smtp_client *c, int code, size_t offset,
                    const char *reason)
{
    c->err.code = code;
    c->err.offset = offset;
    c->err.reason = reason;
    return code;
}

static int cls2(unsigned code)
{
    return code >= 200 && code < 300;
}

static int pipelining(const mw_smtp_client *c)
{
    return (c->opts & MW__SC_PIPE) && c->hello == MW__SC_H_EHLO &&
           (c->caps.ext & MW_SMTP_EXT_PIPELINING);
}

static int chunking(const mw_smtp_client *c)
{
#if MW_ENABLE_SMTP_CHUNKING
    return (c->opts & MW__SC_CHUNK) && c->hello == MW__SC_H_EHLO &&
           (c->caps.ext & MW_SMTP_EXT_CHUNKING);
#else
    (void)c; /* compiled out (features.h): message data goes with DATA */
    return 0;
#endif
}

/* The session is over for good. `cause` and `reason` say why (kept for
 * mw_smtp_client_error()); `ret` is what the caller returns. */
static int die_(mw_smtp_client *c, int cause, size_t offset, const char *reason,
                int ret)
{
    if (c->state == MW__SC_ST_DEAD)
        return ret;
    c->state = MW__SC_ST_DEAD;
    mw__smtpc_fail(c, cause, offset, reason);
    if (c->cb.error != NULL)
        (void)c->cb.error(c, c->user, cause, offset, reason);
    mw__smtpc_msg_abort(c, ret, reason);
    return ret;
}
#define die(a, b, c, d, e) die_((a), (b), (c), MW__TEXT(d), (e))

/* A callback's answer: 0 go on, MW_PAUSED stop feed() after this reply,
 * negative abort. */
static int cbret(mw_smtp_client *c, int r)
{
    if (r == MW_PAUSED) {
        c->flags |= MW__SC_F_PAUSE;
        return MW_OK;
    }
    if (r < 0)
        return die(c, MW_E_CALLBACK, mw__line_offset(&c->line),
                   "a callback aborted the session", MW_E_CALLBACK);
    return MW_OK;
}

/* A recoverable problem: recorded and reported, the session goes on. */
static int note_(mw_smtp_client *c, int status, size_t offset,
                 const char *reason)
{
    mw__smtpc_fail(c, status, offset, reason);
    if (c->cb.error != NULL)
        return cbret(c, c->cb.error(c, c->user, status, offset, reason));
    return MW_OK;
}
#define note(a, b, c, d) note_((a), (b), (c), MW__TEXT(d))

static int raw_send(mw_smtp_client *c, const char *p, size_t n)
{
    if (n == 0)
        return MW_OK;
    if (c->cb.send(c, c->user, p, n) < 0)
        return die(c, MW_E_CALLBACK, mw__line_offset(&c->line),
                   "the send callback failed", MW_E_CALLBACK);
    return MW_OK;
}

/* The dot-stuffer's sink: message data straight to `send`. */
static int dot_sink(void *user, const char *p, size_t n)
{
    return raw_send((mw_smtp_client *)user, p, n);
}

/* ====================================================================
 * The queue of awaited replies
 * ==================================================================== */

static unsigned q_at(const mw_smtp_client *c, unsigned i)
{
    return (unsigned)(c->q_head + i) % Q;
}

static int q_mergeable(const mw_smtp_client *c, unsigned kind)
{
    unsigned t;
    if (c->q_len == 0 || (kind != MW_SMTP_CMD_RCPT && kind != MW_SMTP_CMD_BDAT))
        return 0;
    t = q_at(c, (unsigned)c->q_len - 1u);
    return c->q_kind[t] == kind && c->q_gen[t] == c->gen &&
           c->q_count[t] < UINT32_MAX;
}

static void q_push(mw_smtp_client *c, unsigned kind, uint32_t count)
{
    unsigned t;
    if (q_mergeable(c, kind)) {
        c->q_count[q_at(c, (unsigned)c->q_len - 1u)]++;
        return;
    }
    t = q_at(c, c->q_len);
    c->q_kind[t] = (uint8_t)kind;
    c->q_count[t] = count;
    c->q_gen[t] = c->gen;
    c->q_len++;
}

static void q_pop(mw_smtp_client *c)
{
    if (c->q_count[c->q_head] > 1u) {
        c->q_count[c->q_head]--;
        return;
    }
    c->q_head = (uint8_t)((c->q_head + 1u) % Q);
    c->q_len--;
    if (c->q_len == 0)
        c->group_closed = 0;
}

/* Commands after which nothing may be pipelined until every reply is in
 * (RFC 2920 §3.1 item 6, plus AUTH and STARTTLS, RFC 4954 §4, RFC 3207
 * §4.2). */
static int ends_group(unsigned kind)
{
    switch (kind) {
    case MW_SMTP_CMD_MAIL:
    case MW_SMTP_CMD_RCPT:
    case MW_SMTP_CMD_RSET:
    case MW_SMTP_CMD_BDAT:
    case MW__SC_Q_MESSAGE:
        return 0;
    default:
        return 1;
    }
}

/* ====================================================================
 * When a command may be sent
 * ==================================================================== */

static int check_send(const mw_smtp_client *c, unsigned kind,
                      const char **why)
{
    if (c->state == MW__SC_ST_DEAD || c->state == MW__SC_ST_CLOSED) {
        *why = MW__TEXT("the session is over");
        return MW_E_CLOSED;
    }
    *why = NULL;
    if (c->state == MW__SC_ST_GREETING) {
        *why = MW__TEXT("the server's greeting has not arrived");
    } else if (c->state == MW__SC_ST_TLS) {
        *why = MW__TEXT("the TLS handshake is due");
    } else if ((c->flags & MW__SC_F_GREET_BAD) && kind != MW_SMTP_CMD_QUIT) {
        *why = MW__TEXT("the server refused the session: only QUIT is possible");
    } else if (c->txn == MW__SC_T_BODY) {
        *why = MW__TEXT("message data is open: end it first");
    } else if (c->txn == MW__SC_T_BDAT && kind != MW_SMTP_CMD_BDAT &&
               kind != MW_SMTP_CMD_RSET && kind != MW_SMTP_CMD_QUIT) {
        *why = MW__TEXT("message data is open: end it, or RSET");
    } else if (c->q_len > 0) {
        if (!pipelining(c))
            *why = MW__TEXT("a reply is awaited (no PIPELINING)");
        else if (c->group_closed)
            *why = MW__TEXT("the replies to a pipelined group are awaited");
        else if (c->q_len >= Q && !q_mergeable(c, kind))
            *why = MW__TEXT("too many replies awaited");
    }
    return *why != NULL ? MW_E_STATE : MW_OK;
}

int mw__smtpc_can_send(const mw_smtp_client *c, unsigned kind)
{
    const char *why;
    return check_send(c, kind, &why);
}

/* check_send(), recording the reason of a refusal. */
static int can_send(mw_smtp_client *c, unsigned kind)
{
    const char *why;
    int rc = check_send(c, kind, &why);
    if (rc < 0)
        return mw__smtpc_fail(c, rc, 0, why);
    return MW_OK;
}

/* The TLS policy guard for commands that must not go out in clear. */
static int tls_guard(mw_smtp_client *c)
{
    if ((c->opts & MW__SC_REQ_TLS) && !(c->opts & MW__SC_TLS))
        return mw__smtpc_fail(c, MW_E_STATE, 0,
                              "TLS is required and not active");
    return MW_OK;
}

/* Is the transaction hopeless already (MAIL refused, or every recipient
 * answered and none accepted)? */
static const char *txn_hopeless(const mw_smtp_client *c)
{
    if (c->txn_flags & MW__SC_TF_MAIL_BAD)
        return MW__TEXT("MAIL was refused");
    if (c->rcpt_replied == c->rcpt_sent && c->rcpt_ok == 0 && c->rcpt_sent > 0)
        return MW__TEXT("no recipient was accepted");
    return NULL;
}

int mw__smtpc_can_write(const mw_smtp_client *c)
{
    const char *why;
    if (c->txn == MW__SC_T_BODY)
        return 1;
    if (c->txn != MW__SC_T_BDAT || (c->txn_flags & MW__SC_TF_BDAT_BAD) ||
        txn_hopeless(c) != NULL)
        return 0;
    return check_send(c, MW_SMTP_CMD_BDAT, &why) == MW_OK;
}

/* ====================================================================
 * Argument checks
 * ==================================================================== */

/* CR, LF and NUL never go into a command (field-notes §4.3). */
static int check_ctl(mw_smtp_client *c, mw_span a)
{
    const char *nul;
    size_t e;
    if (a.len > 0 && a.ptr == NULL)
        return mw__smtpc_fail(c, MW_E_INVAL, 0, "NULL argument");
    if (a.len == 0)
        return MW_OK;
    e = mw__find_cr_or_lf(a.ptr, a.len);
    nul = (const char *)memchr(a.ptr, '\0', e);
    if (nul != NULL)
        return mw__smtpc_fail(c, MW_E_INVAL, (size_t)(nul - a.ptr),
                              "NUL in an argument");
    if (e < a.len)
        return mw__smtpc_fail(c, MW_E_INVAL, e,
                              a.ptr[e] == '\r' ? "CR in an argument"
                                               : "LF in an argument");
    return MW_OK;
}

/* A free-text argument (VRFY, EXPN, HELP, ETRN): no control characters. */
static int check_text(mw_smtp_client *c, mw_span a, int may_be_empty)
{
    size_t i;
    int rc = check_ctl(c, a);
    if (rc < 0)
        return rc;
    if (a.len == 0 && !may_be_empty)
        return mw__smtpc_fail(c, MW_E_INVAL, 0, "empty argument");
    for (i = 0; i < a.len; i++) {
        unsigned char ch = (unsigned char)a.ptr[i];
        if (ch < 0x20 || ch == 0x7f)
            return mw__smtpc_fail(c, MW_E_INVAL, i,
                                  "control character in an argument");
    }
    return MW_OK;
}

/* Values that are xtext-encoded (ENVID, ORCPT, AUTH=) must not carry
 * control characters either: a receiver that decodes them would get them
 * back (Exim CVE-2020-28021). */
static int check_xvalue(mw_smtp_client *c, mw_span a)
{
    size_t i;
    if (a.len > 0 && a.ptr == NULL)
        return mw__smtpc_fail(c, MW_E_INVAL, 0, "NULL argument");
    for (i = 0; i < a.len; i++) {
        unsigned char ch = (unsigned char)a.ptr[i];
        if (ch < 0x20 || ch == 0x7f)
            return mw__smtpc_fail(c, MW_E_INVAL, i,
                                  ch == '\r'   ? "CR in a parameter value"
                                  : ch == '\n' ? "LF in a parameter value"
                                  : ch == 0    ? "NUL in a parameter value"
                                               : "control character in a "
                                                 "parameter value");
    }
    return MW_OK;
}

/* An xtext parameter value (ENVID, AUTH=, ORCPT): check_xvalue(), then
 * check_ctl() of `also` (ORCPT's address type; NULL for the others), not
 * empty, at most `max` octets. */
static int check_xparam(mw_smtp_client *c, const mw_span *v,
                        const mw_span *also, size_t max, const char *empty,
                        const char *too_long)
{
    int rc;
    if ((rc = check_xvalue(c, *v)) < 0 ||
        (also != NULL && (rc = check_ctl(c, *also)) < 0))
        return rc;
    if (v->len == 0)
        return mw__smtpc_fail_(c, MW_E_INVAL, 0, empty);
    if (v->len > max)
        return mw__smtpc_fail_(c, MW_E_INVAL, max, too_long);
    return MW_OK;
}

static int check_domain(mw_smtp_client *c, mw_span d)
{
    mw_error e;
    int rc = check_ctl(c, d);
    if (rc < 0)
        return rc;
    if (d.len == 0)
        return mw__smtpc_fail(c, MW_E_INVAL, 0, "empty domain");
    if (d.len > MW_SMTP_MAX_DOMAIN)
        return mw__smtpc_fail(c, MW_E_INVAL, MW_SMTP_MAX_DOMAIN,
                              "domain longer than 255 octets");
    if (mw_smtp_domain_check(d.ptr, d.len, MW_SMTP_PARSE_LITERAL, &e) < 0)
        return mw__smtpc_fail(c, MW_E_INVAL, e.offset, e.reason);
    return MW_OK;
}

/* A path argument: "a@b" or "<a@b>"; the content without brackets is
 * returned in *inner, and *skip is 1 when a bracket was dropped. */
static mw_span strip_brackets(mw_span a, size_t *skip)
{
    *skip = 0;
    if (a.len >= 2 && a.ptr[0] == '<' && a.ptr[a.len - 1] == '>') {
        *skip = 1;
        return mw__span(a.ptr + 1, a.len - 2);
    }
    return a;
}

/* The checks MAIL and RCPT begin with, in this order: the argument (no
 * CR, LF or NUL), the session state, the TLS policy. */
static int path_cmd_check(mw_smtp_client *c, mw_span a, unsigned kind)
{
    int rc;
    if ((rc = check_ctl(c, a)) < 0 || (rc = can_send(c, kind)) < 0)
        return rc;
    return tls_guard(c);
}

/* The mailbox of a MAIL or RCPT path (brackets stripped: `skip` is 1
 * when one was), checked into *path. */
static int check_mailbox(mw_smtp_client *c, mw_span in, size_t skip,
                         mw_smtp_path *path)
{
    mw_error e;
    if (mw_smtp_mailbox_check(in.ptr, in.len, MW_SMTP_PARSE_UTF8, path, &e) < 0)
        return mw__smtpc_fail(c, MW_E_INVAL, e.offset + skip, e.reason);
    return MW_OK;
}

/* Extra ESMTP parameters (RFC 5321 §4.1.2 esmtp-param). */
static int put_extra(mw_smtp_client *c, obuf *o, const mw_smtp_param *x,
                     size_t nx, int rcpt)
{
    size_t i, k;
    if (nx > 0 && x == NULL)
        return mw__smtpc_fail(c, MW_E_INVAL, 0, "NULL parameter list");
    for (i = 0; i < nx; i++) {
        mw_error e;
        int rc;
        if ((rc = check_ctl(c, x[i].name)) < 0 ||
            (rc = check_ctl(c, x[i].value)) < 0)
            return rc;
        if (mw_smtp_ehlo_keyword_check(x[i].name.ptr, x[i].name.len, &e) < 0)
            return mw__smtpc_fail(c, MW_E_INVAL, e.offset,
                                  "bad ESMTP parameter name");
        /* A known parameter comes from its typed field, checked there:
         * an extra one would be a second copy or an unchecked value. */
        if (mw__smtp_param_kind(x[i].name, rcpt) != 0)
            return mw__smtpc_fail(c, MW_E_INVAL, 0,
                                  "parameter has a typed field: use it");
        for (k = 0; k < x[i].value.len; k++)
            if (!mw__smtp_is((unsigned char)x[i].value.ptr[k], MW__SMTP_VALUE))
                return mw__smtpc_fail(c, MW_E_INVAL, k,
                                      "bad byte in an ESMTP parameter value");
        ob_sp_arg(o, x[i].name.ptr, x[i].name.len);
        if (x[i].value.len > 0) {
            ob_put(o, "=", 1);
            ob_put(o, x[i].value.ptr, x[i].value.len);
        }
    }
    return MW_OK;
}

static void put_xtext(obuf *o, mw_span v)
{
    size_t used = 0;
    if (o->over)
        return;
    if (mw_smtp_xtext_encode(v.ptr, v.len, o->p + o->len, o->cap - o->len,
                             &used) != MW_OK) {
        o->over = 1;
        return;
    }
    o->len += used;
}

/* ====================================================================
 * Sending commands
 * ==================================================================== */

/* " " and an ESMTP parameter's keyword (the start of an argument). */
static void ob_param(obuf *o, const char *kw)
{
    ob_sp_arg(o, kw, strlen(kw));
}

/* MW_E_NOSPACE at the first octet of the current argument that does not
 * fit with the CRLF after it. */
static int ob_nospace(mw_smtp_client *c, const obuf *o)
{
    size_t room = o->cap - 2;
    return mw__smtpc_fail(c, MW_E_NOSPACE, room > o->arg ? room - o->arg : 0,
                          "command does not fit the command buffer");
}

/* Does the line so far fit, with the CRLF still to come? */
static int ob_fits(const obuf *o)
{
    return !o->over && o->len + 2 <= o->cap;
}

/* "MAIL FROM:" or "RCPT TO:" and the path, always in brackets. */
static void ob_path(obuf *o, mw_smtp_client *c, const char *verb, mw_span in)
{
    ob_init(o, c->cmd, sizeof c->cmd);
    ob_str(o, verb);
    ob_arg(o);
    ob_put(o, "<", 1);
    ob_put(o, in.ptr, in.len);
    ob_put(o, ">", 1);
}

/* The extra parameters end a MAIL or RCPT line: MW_OK when the line
 * still fits. */
static int end_params(mw_smtp_client *c, obuf *o, const mw_smtp_param *x,
                      size_t nx, int rcpt)
{
    int rc = put_extra(c, o, x, nx, rcpt);
    if (rc < 0)
        return rc;
    return ob_fits(o) ? MW_OK : ob_nospace(c, o);
}

/* End the line in `o` (the command buffer or the AUTH buffer) with CRLF,
 * queue `kind` (unless 0: a continuation line) and send it. */
static int send_line(mw_smtp_client *c, obuf *o, unsigned kind, uint32_t count)
{
    ob_put(o, "\r\n", 2);
    if (o->over)
        return ob_nospace(c, o);
    if (o->p == c->cmd)
        c->cmd_len = (uint16_t)o->len;
    if (kind != 0) {
        q_push(c, kind, count);
        if (ends_group(kind))
            c->group_closed = 1;
    }
    return raw_send(c, o->p, o->len);
}

/* A command without arguments. */
static int simple(mw_smtp_client *c, unsigned kind)
{
    obuf o;
    int rc = can_send(c, kind);
    if (rc < 0)
        return rc;
    ob_init(&o, c->cmd, sizeof c->cmd);
    ob_str(&o, mw_smtp_verb_name((mw_smtp_verb)kind));
    return send_line(c, &o, kind, 1);
}

/* A new transaction generation: replies still awaited for the previous
 * one no longer change the current one. */
static void new_txn(mw_smtp_client *c, uint8_t txn)
{
    c->gen++;
    c->txn = txn;
    c->txn_flags = 0;
    c->rcpt_sent = c->rcpt_replied = c->rcpt_ok = c->rcpt_bad = 0;
    c->bdat_sent = c->bdat_replied = c->lmtp_seen = c->delivered = 0;
    c->body_total = 0;
    c->tail = MW__SC_TAIL_START;
}

static int hello(mw_smtp_client *c, mw_span domain, unsigned kind)
{
    obuf o;
    int rc;
    if ((rc = check_domain(c, domain)) < 0 ||
        (rc = can_send(c, kind)) < 0)
        return rc;
    ob_init(&o, c->cmd, sizeof c->cmd);
    ob_str(&o, mw_smtp_verb_name((mw_smtp_verb)kind));
    ob_sp_arg(&o, domain.ptr, domain.len);
    if (!ob_fits(&o))
        return ob_nospace(c, &o);
    /* EHLO resets the session (RFC 5321 §4.1.4): no extensions, no
     * transaction, until the reply says otherwise. */
    if (domain.ptr != c->ehlo)
        memmove(c->ehlo, domain.ptr, domain.len);
    c->ehlo_len = (uint8_t)domain.len;
    mw_smtp_caps_init(&c->caps);
    c->hello = MW__SC_H_NONE;
    new_txn(c, MW__SC_T_NONE);
    return send_line(c, &o, kind, 1);
}

int mw_smtp_client_ehlo(mw_smtp_client *c, mw_span domain)
{
    if (c == NULL)
        return MW_E_INVAL;
    return hello(c, domain, (c->opts & MW__SC_LMTP) ? MW_SMTP_CMD_LHLO
                                                    : MW_SMTP_CMD_EHLO);
}

int mw_smtp_client_helo(mw_smtp_client *c, mw_span domain)
{
    if (c == NULL)
        return MW_E_INVAL;
    if (c->opts & MW__SC_LMTP)
        return mw__smtpc_fail(c, MW_E_STATE, 0, "LMTP has no HELO");
    return hello(c, domain, MW_SMTP_CMD_HELO);
}

int mw_smtp_client_mail_ext(mw_smtp_client *c, mw_span from,
                            const mw_smtp_mail_params *pm,
                            const mw_smtp_param *extra, size_t nextra)
{
    mw_smtp_mail_params none;
    mw_smtp_path path;
    mw_span in;
    size_t skip;
    uint8_t tf = 0;
    obuf o;
    int rc, utf8;
    unsigned long ext;

    if (c == NULL)
        return MW_E_INVAL;
    if (pm == NULL) {
        memset(&none, 0, sizeof none);
        pm = &none;
    }
    if ((rc = path_cmd_check(c, from, MW_SMTP_CMD_MAIL)) < 0)
        return rc;
    if (c->hello == MW__SC_H_NONE)
        return mw__smtpc_fail(c, MW_E_STATE, 0, "EHLO or HELO first");
    if (c->txn != MW__SC_T_NONE && c->txn != MW__SC_T_END)
        return mw__smtpc_fail(c, MW_E_STATE, 0,
                              "a transaction is open: RSET first");
    in = strip_brackets(from, &skip);
    memset(&path, 0, sizeof path);
    if (in.len > 0 && (rc = check_mailbox(c, in, skip, &path)) < 0)
        return rc;
    ext = c->caps.ext;
    utf8 = (path.flags & MW_SMTP_PATH_UTF8) ||
           (pm->present & MW_SMTP_MAIL_SMTPUTF8);

    ob_path(&o, c, "MAIL FROM:", in);
    if ((pm->present & MW_SMTP_MAIL_SIZE) && (ext & MW_SMTP_EXT_SIZE)) {
        /* RFC 1870 §6: do not send what the server said it will refuse. */
        if (c->caps.size != 0 && pm->size > c->caps.size)
            return mw__smtpc_fail(c, MW_E_LIMIT, 0,
                                  "message larger than the server's SIZE");
        ob_param(&o, "SIZE=");
        ob_u64(&o, pm->size);
    }
    if (pm->present & MW_SMTP_MAIL_BODY) {
        switch (pm->body) {
        case MW_SMTP_BODY_NONE:
            break;
        case MW_SMTP_BODY_7BIT:
            if (ext & MW_SMTP_EXT_8BITMIME)
                ob_param(&o, "BODY=7BIT");
            break;
        case MW_SMTP_BODY_8BITMIME:
            if (!(ext & MW_SMTP_EXT_8BITMIME))
                return mw__smtpc_fail(c, MW_E_STATE, 0,
                                      "the server does not offer 8BITMIME");
            ob_param(&o, "BODY=8BITMIME");
            break;
        case MW_SMTP_BODY_BINARYMIME:
            /* RFC 3030 §3: BINARYMIME data goes with BDAT only. */
            if (!MW_ENABLE_SMTP_CHUNKING)
                return mw__smtpc_fail(c, MW_E_UNSUPPORTED, 0,
                                      "CHUNKING is compiled out");
            if (!(ext & MW_SMTP_EXT_BINARYMIME) || !chunking(c))
                return mw__smtpc_fail(c, MW_E_STATE, 0,
                                      "BINARYMIME needs BINARYMIME and "
                                      "CHUNKING offered and in use");
            ob_param(&o, "BODY=BINARYMIME");
            tf |= MW__SC_TF_BINARY;
            break;
        default:
            return mw__smtpc_fail(c, MW_E_INVAL, 0, "unknown BODY value");
        }
    }
    if (utf8) {
        if (!(ext & MW_SMTP_EXT_SMTPUTF8))
            return mw__smtpc_fail(c, MW_E_STATE, 0,
                                  "the server does not offer SMTPUTF8");
        ob_param(&o, "SMTPUTF8");
        tf |= MW__SC_TF_UTF8;
    }
    if ((pm->present & MW_SMTP_MAIL_RET) && (ext & MW_SMTP_EXT_DSN)) {
        if (pm->ret == MW_SMTP_RET_FULL)
            ob_param(&o, "RET=FULL");
        else if (pm->ret == MW_SMTP_RET_HDRS)
            ob_param(&o, "RET=HDRS");
        else
            return mw__smtpc_fail(c, MW_E_INVAL, 0, "unknown RET value");
    }
    if (pm->present & MW_SMTP_MAIL_ENVID) {
        /* RFC 3461 §4.4: at most 100 characters; the server machine
         * refuses a longer one (501), so it is never sent. */
        if ((rc = check_xparam(c, &pm->envid, NULL, 100,
                               MW__TEXT("empty ENVID"),
                               MW__TEXT("ENVID longer than 100 octets"))) < 0)
            return rc;
        if (ext & MW_SMTP_EXT_DSN) {
            ob_param(&o, "ENVID=");
            put_xtext(&o, pm->envid);
        }
    }
    if (pm->present & MW_SMTP_MAIL_AUTH) {
        if ((rc = check_xparam(c, &pm->auth, NULL, SIZE_MAX,
                               MW__TEXT("empty AUTH= value"), NULL)) < 0)
            return rc;
        if (ext & MW_SMTP_EXT_AUTH) {
            /* RFC 4954 §5: "<>" stands for an unknown submitter and is
             * written as it is; a mailbox is xtext. */
            ob_param(&o, "AUTH=");
            if (pm->auth.len == 2 && pm->auth.ptr[0] == '<' &&
                pm->auth.ptr[1] == '>')
                ob_str(&o, "<>");
            else
                put_xtext(&o, pm->auth);
        }
    }
    if (pm->present & MW_SMTP_MAIL_REQUIRETLS) {
        if (!(ext & MW_SMTP_EXT_REQUIRETLS) || !(c->opts & MW__SC_TLS))
            return mw__smtpc_fail(c, MW_E_STATE, 0,
                                  "REQUIRETLS needs the extension and TLS");
        ob_param(&o, "REQUIRETLS");
    }
    if (pm->present & MW_SMTP_MAIL_MT_PRIORITY) {
        if (pm->mt_priority < -9 || pm->mt_priority > 9)
            return mw__smtpc_fail(c, MW_E_INVAL, 0,
                                  "MT-PRIORITY out of -9..9");
        if (ext & MW_SMTP_EXT_MT_PRIORITY) {
            char t[2];
            ob_param(&o, "MT-PRIORITY=");
            if (pm->mt_priority < 0)
                ob_put(&o, "-", 1);
            t[0] = (char)('0' + (pm->mt_priority < 0 ? -pm->mt_priority
                                                      : pm->mt_priority));
            ob_put(&o, t, 1);
        }
    }
    if ((rc = end_params(c, &o, extra, nextra, 0)) < 0)
        return rc;
    new_txn(c, MW__SC_T_MAIL);
    c->txn_flags = tf;
    return send_line(c, &o, MW_SMTP_CMD_MAIL, 1);
}

int mw_smtp_client_mail(mw_smtp_client *c, mw_span from,
                        const mw_smtp_mail_params *params)
{
    return mw_smtp_client_mail_ext(c, from, params, NULL, 0);
}

int mw_smtp_client_rcpt_ext(mw_smtp_client *c, mw_span to,
                            const mw_smtp_rcpt_params *pr,
                            const mw_smtp_param *extra, size_t nextra)
{
    mw_smtp_path path;
    mw_span in;
    size_t skip;
    obuf o;
    int rc;
    unsigned long ext;

    if (c == NULL)
        return MW_E_INVAL;
    if ((rc = path_cmd_check(c, to, MW_SMTP_CMD_RCPT)) < 0)
        return rc;
    if (c->txn != MW__SC_T_MAIL)
        return mw__smtpc_fail(c, MW_E_STATE, 0, "RCPT needs MAIL first");
    if (c->txn_flags & MW__SC_TF_MAIL_BAD)
        return mw__smtpc_fail(c, MW_E_STATE, 0, "MAIL was refused");
    if (c->rcpt_sent == UINT32_MAX)
        return mw__smtpc_fail(c, MW_E_LIMIT, 0, "too many recipients");
    in = strip_brackets(to, &skip);
    memset(&path, 0, sizeof path);
    if (!mw__span_ieq(in, "postmaster")) {
        if (in.len == 0)
            return mw__smtpc_fail(c, MW_E_INVAL, skip, "empty recipient");
        if ((rc = check_mailbox(c, in, skip, &path)) < 0)
            return rc;
        if ((path.flags & MW_SMTP_PATH_UTF8) &&
            !(c->txn_flags & MW__SC_TF_UTF8))
            return mw__smtpc_fail(c, MW_E_STATE, 0,
                                  "a UTF-8 address needs SMTPUTF8 in MAIL");
    }
    ext = c->caps.ext;
    ob_path(&o, c, "RCPT TO:", in);
    if (pr != NULL && (pr->present & MW_SMTP_RCPT_NOTIFY)) {
        /* RFC 3461 §4.1: NEVER alone, or a list of the others. */
        unsigned n = pr->notify;
        if (n == 0 || (n & ~0x0fu) ||
            ((n & MW_SMTP_NOTIFY_NEVER) && n != MW_SMTP_NOTIFY_NEVER))
            return mw__smtpc_fail(c, MW_E_INVAL, 0, "bad NOTIFY value");
        if (ext & MW_SMTP_EXT_DSN) {
            /* In bit order (NEVER is alone, checked above). */
            static const char *const kw[4] = {"NEVER", "SUCCESS", "FAILURE",
                                              "DELAY"};
            const char *sep = "=";
            unsigned k;
            ob_param(&o, "NOTIFY");
            for (k = 0; k < 4; k++) {
                if (n & (1u << k)) {
                    ob_str(&o, sep);
                    ob_str(&o, kw[k]);
                    sep = ",";
                }
            }
        }
    }
    if (pr != NULL && (pr->present & MW_SMTP_RCPT_ORCPT)) {
        mw_span type = pr->orcpt_type;
        size_t k;
        /* RFC 3461 §4.2: at most 500 characters (the server machine's
         * limit too). */
        if ((rc = check_xparam(c, &pr->orcpt, &type, 500,
                               MW__TEXT("empty ORCPT"),
                               MW__TEXT("ORCPT longer than 500 octets"))) < 0)
            return rc;
        if (type.len == 0)
            type = mw__span("rfc822", 6);
        /* addr-type is an atom (RFC 3461 §4.2, RFC 3464 §2.1.2), inside
         * an esmtp-value, which has no "=" (RFC 5321 §4.1.2). */
        for (k = 0; k < type.len; k++)
            if (!mw__smtp_is((unsigned char)type.ptr[k], MW__SMTP_ATEXT) ||
                type.ptr[k] == '=')
                return mw__smtpc_fail(c, MW_E_INVAL, k,
                                      "bad ORCPT address type");
        if (ext & MW_SMTP_EXT_DSN) {
            ob_param(&o, "ORCPT=");
            ob_put(&o, type.ptr, type.len);
            ob_put(&o, ";", 1);
            put_xtext(&o, pr->orcpt);
        }
    }
    if ((rc = end_params(c, &o, extra, nextra, 1)) < 0)
        return rc;
    c->rcpt_sent++;
    return send_line(c, &o, MW_SMTP_CMD_RCPT, 1);
}

int mw_smtp_client_rcpt(mw_smtp_client *c, mw_span to,
                        const mw_smtp_rcpt_params *params)
{
    return mw_smtp_client_rcpt_ext(c, to, params, NULL, 0);
}

int mw_smtp_client_rset(mw_smtp_client *c)
{
    int rc;
    if (c == NULL)
        return MW_E_INVAL;
    if ((rc = can_send(c, MW_SMTP_CMD_RSET)) < 0)
        return rc;
    new_txn(c, MW__SC_T_NONE);
    return simple(c, MW_SMTP_CMD_RSET);
}

int mw_smtp_client_noop(mw_smtp_client *c)
{
    if (c == NULL)
        return MW_E_INVAL;
    return simple(c, MW_SMTP_CMD_NOOP);
}

int mw_smtp_client_quit(mw_smtp_client *c)
{
    int rc;
    if (c == NULL)
        return MW_E_INVAL;
    if ((rc = can_send(c, MW_SMTP_CMD_QUIT)) < 0)
        return rc;
    if (c->txn == MW__SC_T_BDAT)
        new_txn(c, MW__SC_T_NONE);
    return simple(c, MW_SMTP_CMD_QUIT);
}

static int with_arg(mw_smtp_client *c, unsigned kind, mw_span arg,
                    int may_be_empty)
{
    obuf o;
    int rc;
    if (c == NULL)
        return MW_E_INVAL;
    if ((rc = check_text(c, arg, may_be_empty)) < 0 ||
        (rc = can_send(c, kind)) < 0)
        return rc;
    if (kind != MW_SMTP_CMD_HELP && (rc = tls_guard(c)) < 0)
        return rc;
    ob_init(&o, c->cmd, sizeof c->cmd);
    ob_str(&o, mw_smtp_verb_name((mw_smtp_verb)kind));
    if (arg.len > 0)
        ob_sp_arg(&o, arg.ptr, arg.len);
    return send_line(c, &o, kind, 1);
}

int mw_smtp_client_vrfy(mw_smtp_client *c, mw_span what)
{
    return with_arg(c, MW_SMTP_CMD_VRFY, what, 0);
}

int mw_smtp_client_expn(mw_smtp_client *c, mw_span list)
{
    return with_arg(c, MW_SMTP_CMD_EXPN, list, 0);
}

int mw_smtp_client_help(mw_smtp_client *c, mw_span topic)
{
    return with_arg(c, MW_SMTP_CMD_HELP, topic, 1);
}

int mw_smtp_client_etrn(mw_smtp_client *c, mw_span node)
{
    mw_error e;
    mw_span d;
    int rc;
    if (c == NULL)
        return MW_E_INVAL;
    memset(&e, 0, sizeof e);
    if ((rc = check_ctl(c, node)) < 0)
        return rc;
    /* RFC 1985 §3: [ "@" / "#" ] domain; "#" names a queue. */
    d = node;
    if (d.len > 0 && (d.ptr[0] == '@' || d.ptr[0] == '#'))
        d = mw__span(d.ptr + 1, d.len - 1);
    if (node.len > 0 && node.ptr[0] == '#') {
        if ((rc = check_text(c, d, 0)) < 0)
            return rc;
    } else if (d.len == 0 ||
               mw_smtp_domain_check(d.ptr, d.len, 0, &e) < 0) {
        return mw__smtpc_fail(c, MW_E_INVAL, node.len - d.len +
                                  (d.len == 0 ? 0 : e.offset),
                              "ETRN needs a domain");
    }
    if (!(c->caps.ext & MW_SMTP_EXT_ETRN))
        return mw__smtpc_fail(c, MW_E_STATE, 0,
                              "the server does not offer ETRN");
    /* Not inside a mail transaction: servers refuse it there (503 from
     * the server machine, and from Postfix), so it would never work. */
    if (c->txn != MW__SC_T_NONE && c->txn != MW__SC_T_END)
        return mw__smtpc_fail(c, MW_E_STATE, 0,
                              "ETRN inside a mail transaction");
    return with_arg(c, MW_SMTP_CMD_ETRN, node, 0);
}

/* ====================================================================
 * Message data
 * ==================================================================== */

int mw_smtp_client_data(mw_smtp_client *c)
{
    const char *why;
    int rc;
    if (c == NULL)
        return MW_E_INVAL;
    if (c->state == MW__SC_ST_DEAD || c->state == MW__SC_ST_CLOSED)
        return mw__smtpc_fail(c, MW_E_CLOSED, 0, "the session is over");
    if (c->txn != MW__SC_T_MAIL || c->rcpt_sent == 0)
        return mw__smtpc_fail(c, MW_E_STATE, 0,
                              "DATA needs MAIL and RCPT first");
    if ((why = txn_hopeless(c)) != NULL)
        return mw__smtpc_fail(c, MW_E_STATE, 0, why);
    if (chunking(c)) {
        /* RFC 3030 §2: BDAT replaces DATA; nothing to send yet. */
        c->txn = MW__SC_T_BDAT;
        c->tail = MW__SC_TAIL_START;
        c->body_total = 0;
        return MW_OK;
    }
    if ((rc = can_send(c, MW_SMTP_CMD_DATA)) < 0)
        return rc;
    c->txn = MW__SC_T_DATA_WAIT;
    return simple(c, MW_SMTP_CMD_DATA);
}

/* Under MW_NEWLINE_REJECT: find the first bare CR or LF of p[0..n) as it
 * continues the data so far (a CR held at the end of the last write needs
 * a LF first). Returns MW_OK, or the status with *at the offset in p (-1
 * for the held CR). */
static int find_bare(const mw_smtp_client *c, const char *p, size_t n,
                     int last, long *at)
{
    size_t i = 0;
    if (c->txn_flags & MW__SC_TF_CR) {
        if (n == 0 ? last : p[0] != '\n') {
            *at = -1;
            return MW_E_BARE_CR;
        }
        i = n > 0 ? 1u : 0u;
    }
    while (i < n) {
        size_t k = i + mw__find_cr_or_lf(p + i, n - i);
        if (k == n)
            break;
        if (p[k] == '\n') {
            *at = (long)k;
            return MW_E_BARE_LF;
        }
        if (k + 1 == n) {
            if (last) {
                *at = (long)k;
                return MW_E_BARE_CR;
            }
            break; /* held: the next write says */
        }
        if (p[k + 1] != '\n') {
            *at = (long)k;
            return MW_E_BARE_CR;
        }
        i = k + 2;
    }
    return MW_OK;
}

static int bare_error(mw_smtp_client *c, int rc, long at)
{
    uint64_t off = at < 0 ? c->body_total - 1u : c->body_total + (uint64_t)at;
    return mw__smtpc_fail(c, rc, (size_t)off,
                          rc == MW_E_BARE_LF ? "bare LF in the message data"
                                             : "bare CR in the message data");
}

#if MW_ENABLE_SMTP_CHUNKING
/* One pass over a BDAT chunk p[0..n) (last: it ends the message): with
 * `emit` 0 count the bytes it becomes, with 1 send them. Bare CR and LF
 * become CRLF (ACCEPT; REJECT has already refused them); a CR at the end
 * of a chunk that is not the last is held until the next one shows
 * whether a LF follows; the last chunk gets a CRLF when the data does not
 * end with one. BINARYMIME data goes as it is. *tail receives how the
 * output ends. */
static int bdat_pass(mw_smtp_client *c, const char *p, size_t n, int last,
                     int emit, uint64_t *out, uint8_t *tail, int *held,
                     size_t *ins)
{
    size_t i = 0, start = 0, end = n;
    int rc;
    uint8_t t = c->tail;
    char lastc = 0;

#define EMIT(s, len)                                                         \
    do {                                                                     \
        size_t len_ = (len);                                                 \
        if (len_ > 0) {                                                      \
            *out += len_;                                                    \
            lastc = (s)[len_ - 1];                                           \
            if (emit && (rc = raw_send(c, (s), len_)) < 0)                   \
                return rc;                                                   \
        }                                                                    \
    } while (0)
    /* Bytes that are not the application's (CR or LF completing a bare
     * one, the CRLF at the end). */
#define INS(s, len)                                                          \
    do {                                                                     \
        *ins += (len);                                                       \
        EMIT(s, len);                                                        \
    } while (0)

    *out = 0;
    *held = 0;
    *ins = 0;
    if (c->txn_flags & MW__SC_TF_BINARY) {
        EMIT(p, n);
        *tail = n > 0 ? MW__SC_TAIL_DATA : t;
        return MW_OK;
    }
    if (c->txn_flags & MW__SC_TF_CR) {
        /* The CR held back from the last chunk. */
        if (n > 0 && p[0] == '\n') {
            INS("\r", 1);
        } else if (n > 0 || last) {
            INS("\r\n", 2);
        } else {
            *held = 1;
        }
        if (n > 0 && p[0] == '\n')
            i = 1; /* completes that CRLF */
    }
    while (i < n) {
        size_t k = i + mw__find_cr_or_lf(p + i, n - i);
        if (k == n)
            break;
        if (p[k] == '\n') {
            EMIT(p + start, k - start);
            INS("\r", 1);
            start = k; /* the LF goes with the next span */
            i = k + 1;
            continue;
        }
        if (k + 1 < n) {
            if (p[k + 1] == '\n') {
                i = k + 2;
                continue;
            }
            EMIT(p + start, k + 1 - start);
            INS("\n", 1);
            start = i = k + 1;
            continue;
        }
        /* A CR ends the chunk. */
        if (!last) {
            end = k;
            *held = 1;
        } else {
            EMIT(p + start, n - start);
            INS("\n", 1);
            start = end = n;
        }
        break;
    }
    EMIT(p + start, end - start);
    if (*out > 0)
        t = (uint8_t)(lastc == '\n' ? MW__SC_TAIL_START : MW__SC_TAIL_DATA);
    if (last && t == MW__SC_TAIL_DATA) {
        INS("\r\n", 2);
        t = MW__SC_TAIL_START;
    }
    *tail = t;
    return MW_OK;
#undef INS
#undef EMIT
}

static int bdat_chunk(mw_smtp_client *c, const char *p, size_t n, int last)
{
    uint64_t len = 0, sent = 0;
    uint8_t tail = 0;
    size_t ins = 0;
    int held = 0, rc;
    const char *why;
    obuf o;

    if (c->txn_flags & MW__SC_TF_BDAT_BAD)
        return mw__smtpc_fail(c, MW_E_STATE, 0,
                              "a BDAT chunk was refused: RSET");
    if ((why = txn_hopeless(c)) != NULL)
        return mw__smtpc_fail(c, MW_E_STATE, 0, why);
    if ((rc = can_send(c, MW_SMTP_CMD_BDAT)) < 0)
        return rc;
    if (!(c->txn_flags & MW__SC_TF_BINARY) &&
        c->body_policy == MW_NEWLINE_REJECT) {
        long at = 0;
        if ((rc = find_bare(c, p, n, last, &at)) < 0) {
            if (at < 0)
                c->txn_flags &= (uint8_t)~MW__SC_TF_CR; /* dropped */
            return bare_error(c, rc, at);
        }
    }
    (void)bdat_pass(c, p, n, last, 0, &len, &tail, &held, &ins);
    if (len == 0 && !last) {
        /* Only a held CR: nothing to send yet. */
        c->txn_flags |= MW__SC_TF_CR;
        c->body_total += n;
        return MW_OK;
    }
    ob_init(&o, c->cmd, sizeof c->cmd);
    ob_str(&o, "BDAT ");
    ob_u64(&o, len);
    if (last)
        ob_str(&o, " LAST");
    if (last) {
        c->txn = MW__SC_T_END;
        if (c->opts & MW__SC_LMTP) {
            /* One reply per accepted recipient; while RCPT replies are
             * still out the number is not known yet (0: decided at the
             * first reply). */
            uint32_t k = c->rcpt_replied == c->rcpt_sent
                             ? (c->rcpt_ok > 0 ? c->rcpt_ok : 1u)
                             : 0u;
            rc = send_line(c, &o, MW__SC_Q_MESSAGE, k);
            c->group_closed = 1;
        } else {
            rc = send_line(c, &o, MW__SC_Q_MESSAGE, 1);
        }
    } else {
        c->bdat_sent++;
        rc = send_line(c, &o, MW_SMTP_CMD_BDAT, 1);
    }
    if (rc < 0)
        return rc;
    /* Nothing to insert (the usual case): the chunk is the application's
     * bytes from the start, in one span; no second scan. */
    if (ins == 0)
        rc = raw_send(c, p, (size_t)len);
    else
        rc = bdat_pass(c, p, n, last, 1, &sent, &tail, &held, &ins);
    if (rc < 0)
        return rc;
    c->tail = tail;
    if (held)
        c->txn_flags |= MW__SC_TF_CR;
    else
        c->txn_flags &= (uint8_t)~MW__SC_TF_CR;
    c->body_total += n;
    return MW_OK;
}
#endif

/* The dot-stuffer failed: its sink (raw_send) has killed the session
 * already when `send` failed; anything else is a bug. */
static int stuffer_failed(mw_smtp_client *c)
{
    return c->state == MW__SC_ST_DEAD
               ? MW_E_CALLBACK
               : die(c, MW_E_INTERNAL, 0, "dot-stuffer failed", MW_E_CLOSED);
}

static int dot_write(mw_smtp_client *c, const char *p, size_t n)
{
    size_t used = 0;
    int rc;
    if (n == 0)
        return MW_OK;
    if (c->body_policy == MW_NEWLINE_REJECT) {
        long at = 0;
        if ((rc = find_bare(c, p, n, 0, &at)) < 0) {
            if (at < 0) {
                /* Let the stuffer drop the CR it holds: it sees a byte
                 * that is not LF, reports it and writes nothing. */
                (void)mw__dot_stuff_write(&c->dot, p, 1, &used, NULL);
                c->txn_flags &= (uint8_t)~MW__SC_TF_CR;
            }
            return bare_error(c, rc, at);
        }
    }
    rc = mw__dot_stuff_write(&c->dot, p, n, &used, NULL);
    if (rc < 0)
        return stuffer_failed(c);
    if (p[n - 1] == '\r')
        c->txn_flags |= MW__SC_TF_CR;
    else
        c->txn_flags &= (uint8_t)~MW__SC_TF_CR;
    c->body_total += n;
    return MW_OK;
}

static int body(mw_smtp_client *c, const void *vp, size_t n, int last)
{
    const char *p = (const char *)vp;
    int rc;
    if (c == NULL || (p == NULL && n > 0))
        return c == NULL ? MW_E_INVAL
                         : mw__smtpc_fail(c, MW_E_INVAL, 0, "NULL data");
    if (c->state == MW__SC_ST_DEAD || c->state == MW__SC_ST_CLOSED)
        return mw__smtpc_fail(c, MW_E_CLOSED, 0, "the session is over");
#if MW_ENABLE_SMTP_CHUNKING
    if (c->txn == MW__SC_T_BDAT) {
        if (n == 0 && !last)
            return MW_OK;
        rc = bdat_chunk(c, p, n, last);
    } else
#endif
    if (c->txn == MW__SC_T_BODY) {
        if ((rc = dot_write(c, p, n)) < 0 || !last)
            return rc;
        if (c->body_policy == MW_NEWLINE_REJECT &&
            (c->txn_flags & MW__SC_TF_CR)) {
            /* The data ends with a bare CR: dropped, reported; the next
             * finish ends the message without it. */
            (void)mw__dot_stuff_finish(&c->dot, NULL);
            c->txn_flags &= (uint8_t)~MW__SC_TF_CR;
            return mw__smtpc_fail(c, MW_E_BARE_CR, (size_t)(c->body_total - 1u),
                                  "bare CR at the end of the message data");
        }
        c->txn = MW__SC_T_END;
        q_push(c, MW__SC_Q_MESSAGE,
               (c->opts & MW__SC_LMTP) ? c->rcpt_ok : 1u);
        if (c->opts & MW__SC_LMTP)
            c->group_closed = 1;
        rc = mw__dot_stuff_finish(&c->dot, NULL);
        if (rc < 0)
            return stuffer_failed(c);
    } else {
        return mw__smtpc_fail(c, MW_E_STATE, 0,
                              c->txn == MW__SC_T_DATA_WAIT
                                  ? "the reply to DATA has not arrived"
                                  : "no message data is open");
    }
    if (rc == MW_OK && last && c->msg != NULL &&
        c->msg_stage == MW__SC_M_BODY)
        c->msg_stage = MW__SC_M_END;
    return rc;
}

int mw_smtp_client_write(mw_smtp_client *c, const void *p, size_t len)
{
    return body(c, p, len, 0);
}

int mw_smtp_client_write_last(mw_smtp_client *c, const void *p, size_t len)
{
    return body(c, p, len, 1);
}

int mw_smtp_client_finish(mw_smtp_client *c)
{
    return body(c, NULL, 0, 1);
}

/* ====================================================================
 * AUTH (RFC 4954)
 * ==================================================================== */

static char *auth_buf(mw_smtp_client *c, size_t *cap)
{
    if (c->auth_buf != NULL) {
        *cap = c->auth_buf_len;
        return c->auth_buf;
    }
    *cap = sizeof c->cmd;
    return c->cmd;
}

static int auth_check(mw_smtp_client *c, const char *mech, size_t mlen)
{
    int rc;
    if ((rc = can_send(c, MW_SMTP_CMD_AUTH)) < 0 ||
        (rc = tls_guard(c)) < 0)
        return rc;
    if (!(c->opts & MW__SC_TLS) && !(c->opts & MW__SC_AUTH_CLEAR))
        return mw__smtpc_fail(c, MW_E_STATE, 0,
                              "AUTH before TLS is not allowed");
    if (c->flags & MW__SC_F_AUTHED)
        return mw__smtpc_fail(c, MW_E_STATE, 0, "already authenticated");
    if (c->txn != MW__SC_T_NONE)
        return mw__smtpc_fail(c, MW_E_STATE, 0,
                              "AUTH is not allowed in a mail transaction");
    if (!(c->caps.ext & MW_SMTP_EXT_AUTH) ||
        !mw_smtp_caps_has_auth(&c->caps, mech, mlen))
        return mw__smtpc_fail(c, MW_E_STATE, 0,
                              "the server does not offer this mechanism");
    return MW_OK;
}

/* Base64 of p[0..n) written over itself: 4*ceil(n/3) bytes from p.
 * Backwards, so every input group is read before anything is written
 * over it (output group g starts at 4g, input group g at 3g). */
static size_t b64_in_place(char *p, size_t n)
{
    size_t g = (n + 2) / 3, total = g * 4;
    while (g-- > 0) {
        char t[3], o[4];
        size_t k = n - 3 * g < 3 ? n - 3 * g : 3, ol = 0;
        memcpy(t, p + 3 * g, k);
        (void)mw_base64_encode(t, k, o, sizeof o, &ol);
        memcpy(p + 4 * g, o, 4);
    }
    return total;
}

/* Raw bytes that fit in `room` bytes once base64-encoded. */
static size_t b64_raw_cap(size_t room)
{
    return room / 4 * 3;
}

/* A SASL encoder's or step's failure. MW_E_NOSPACE: the response did
 * not fit the `room` octets left in the AUTH line, so its first octet
 * that does not fit is at `room`. */
static int sasl_status_(mw_smtp_client *c, int r, size_t room,
                        const char *what)
{
    if (r == MW_E_NOSPACE)
        return mw__smtpc_fail(c, MW_E_NOSPACE, room,
                              "AUTH line does not fit its buffer");
    return mw__smtpc_fail(c, r < 0 ? r : MW_E_INVAL, 0, what);
}
#define sasl_status(a, b, r, c) sasl_status_((a), (b), (r), MW__TEXT(c))

/* AUTH arguments: never CR, LF or NUL (the encoders would take some of
 * them, base64-encoded; servers mishandle them). */
static int check_cred(mw_smtp_client *c, mw_span a)
{
    return check_ctl(c, a);
}

static void auth_start(mw_smtp_client *c, uint8_t mech)
{
    c->auth_mech = mech;
    c->auth_step = 0;
}

int mw_smtp_client_auth_plain(mw_smtp_client *c, mw_span authzid,
                              mw_span user, mw_span pass)
{
    size_t cap, used = 0;
    char *b;
    obuf o;
    int rc;
    if (c == NULL)
        return MW_E_INVAL;
    if ((rc = check_cred(c, authzid)) < 0 || (rc = check_cred(c, user)) < 0 ||
        (rc = check_cred(c, pass)) < 0 || (rc = auth_check(c, "PLAIN", 5)) < 0)
        return rc;
    b = auth_buf(c, &cap);
    ob_init(&o, b, cap);
    ob_str(&o, "AUTH PLAIN ");
    rc = mw_sasl_plain_encode(authzid.ptr, authzid.len, user.ptr, user.len,
                              pass.ptr, pass.len, b + o.len, cap - o.len - 2,
                              &used);
    if (rc < 0)
        return sasl_status(c, rc, cap - o.len - 2,
                           "credentials not valid for PLAIN");
    o.len += used;
    auth_start(c, MW__SC_A_PLAIN);
    return send_line(c, &o, MW_SMTP_CMD_AUTH, 1);
}

int mw_smtp_client_auth_login(mw_smtp_client *c, mw_span user, mw_span pass)
{
    obuf o;
    int rc;
    if (c == NULL)
        return MW_E_INVAL;
    if ((rc = check_cred(c, user)) < 0 || (rc = check_cred(c, pass)) < 0 ||
        (rc = auth_check(c, "LOGIN", 5)) < 0)
        return rc;
    c->cred[0] = user.ptr;
    c->cred_len[0] = user.len;
    c->cred[1] = pass.ptr;
    c->cred_len[1] = pass.len;
    ob_init(&o, c->cmd, sizeof c->cmd);
    ob_str(&o, "AUTH LOGIN");
    auth_start(c, MW__SC_A_LOGIN);
    return send_line(c, &o, MW_SMTP_CMD_AUTH, 1);
}

int mw_smtp_client_auth_xoauth2(mw_smtp_client *c, mw_span user,
                                mw_span token)
{
#if MW_ENABLE_SASL_OAUTH
    size_t cap, used = 0;
    char *b;
    obuf o;
    int rc;
    if (c == NULL)
        return MW_E_INVAL;
    if ((rc = check_cred(c, user)) < 0 || (rc = check_cred(c, token)) < 0 ||
        (rc = auth_check(c, "XOAUTH2", 7)) < 0)
        return rc;
    b = auth_buf(c, &cap);
    ob_init(&o, b, cap);
    ob_str(&o, "AUTH XOAUTH2 ");
    rc = mw_sasl_xoauth2_encode(user.ptr, user.len, token.ptr, token.len,
                                b + o.len, cap - o.len - 2, &used);
    if (rc < 0)
        return sasl_status(c, rc, cap - o.len - 2,
                           "credentials not valid for XOAUTH2");
    o.len += used;
    auth_start(c, MW__SC_A_XOAUTH2);
    return send_line(c, &o, MW_SMTP_CMD_AUTH, 1);
#else
    (void)user, (void)token;
    if (c == NULL)
        return MW_E_INVAL;
    return mw__smtpc_fail(c, MW_E_UNSUPPORTED, 0, "XOAUTH2 is compiled out");
#endif
}

int mw_smtp_client_auth_oauthbearer(mw_smtp_client *c, mw_span authzid,
                                    mw_span host, unsigned port,
                                    mw_span token)
{
#if MW_ENABLE_SASL_OAUTH
    size_t cap, used = 0;
    char *b;
    obuf o;
    int rc;
    if (c == NULL)
        return MW_E_INVAL;
    if ((rc = check_cred(c, authzid)) < 0 || (rc = check_cred(c, host)) < 0 ||
        (rc = check_cred(c, token)) < 0 ||
        (rc = auth_check(c, "OAUTHBEARER", 11)) < 0)
        return rc;
    b = auth_buf(c, &cap);
    ob_init(&o, b, cap);
    ob_str(&o, "AUTH OAUTHBEARER ");
    rc = mw_sasl_oauthbearer_encode(authzid.ptr, authzid.len, host.ptr,
                                    host.len, port, token.ptr, token.len,
                                    b + o.len, cap - o.len - 2, &used);
    if (rc < 0)
        return sasl_status(c, rc, cap - o.len - 2,
                           "credentials not valid for OAUTHBEARER");
    o.len += used;
    auth_start(c, MW__SC_A_OAUTHBEARER);
    return send_line(c, &o, MW_SMTP_CMD_AUTH, 1);
#else
    (void)authzid, (void)host, (void)port, (void)token;
    if (c == NULL)
        return MW_E_INVAL;
    return mw__smtpc_fail(c, MW_E_UNSUPPORTED, 0, "OAUTHBEARER is compiled out");
#endif
}

int mw_smtp_client_auth_sasl(mw_smtp_client *c, mw_span mech,
                             mw_sasl_step_fn step, void *user)
{
    size_t cap, i, rlen = 0, room;
    char *b;
    obuf o;
    int rc, r;
    if (c == NULL)
        return MW_E_INVAL;
    if (step == NULL)
        return mw__smtpc_fail(c, MW_E_INVAL, 0, "NULL mechanism");
    if ((rc = check_ctl(c, mech)) < 0)
        return rc;
    /* RFC 4422 §3.1: 1*20 of upper-case letters, digits, "-" and "_". */
    if (mech.len == 0 || mech.len > 20)
        return mw__smtpc_fail(c, MW_E_INVAL, 0,
                              "mechanism name must be 1 to 20 characters");
    for (i = 0; i < mech.len; i++) {
        char ch = mech.ptr[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_'))
            return mw__smtpc_fail(c, MW_E_INVAL, i,
                                  "bad character in a mechanism name");
    }
    if ((rc = auth_check(c, mech.ptr, mech.len)) < 0)
        return rc;
    b = auth_buf(c, &cap);
    ob_init(&o, b, cap);
    ob_str(&o, "AUTH ");
    ob_arg(&o);
    ob_put(&o, mech.ptr, mech.len);
    ob_put(&o, " ", 1);
    if (!ob_fits(&o))
        return ob_nospace(c, &o);
    room = b64_raw_cap(cap - o.len - 2);
    r = step(user, NULL, 0, b + o.len, room, &rlen);
    if (r == MW_PAUSED) {
        o.len--; /* no initial response: drop the space */
    } else if (r == MW_OK || r == MW_DONE) {
        if (rlen > room)
            return mw__smtpc_fail(c, MW_E_NOSPACE, room,
                                  "mechanism response too long");
        if (rlen == 0)
            ob_put(&o, "=", 1); /* RFC 4954 §4: an empty initial response */
        else
            o.len += b64_in_place(b + o.len, rlen);
    } else {
        return sasl_status(c, r, room, "the mechanism failed to start");
    }
    c->sasl_fn = step;
    c->sasl_user = user;
    auth_start(c, MW__SC_A_SASL);
    if (r == MW_DONE)
        c->auth_step = MW__SC_A_LAST;
    return send_line(c, &o, MW_SMTP_CMD_AUTH, 1);
}

/* Decode the text of a 334 into the line buffer (free between lines:
 * the framer holds nothing once it has returned a line). Group by group,
 * each copied before anything is written, so a challenge that itself lies
 * in the line buffer (at or after its offset 4) is read before it is
 * overwritten. */
static int decode_challenge(mw_smtp_client *c, mw_span t, size_t *outlen)
{
    size_t g, o = 0, groups;
    if (t.len % 4 != 0)
        return MW_E_BASE64;
    groups = t.len / 4;
    for (g = 0; g < groups; g++) {
        char in[4];
        size_t k = 0;
        memcpy(in, t.ptr + 4 * g, 4);
        if (g + 1 < groups && memchr(in, '=', 4) != NULL)
            return MW_E_BASE64;
        if (mw_base64_decode(in, 4, c->line.buf + o, 3, &k, 0, NULL) != MW_OK)
            return MW_E_BASE64;
        o += k;
    }
    *outlen = o;
    return MW_OK;
}

/* Answer a 334 challenge (the AUTH entry stays queued). */
static int auth_continue(mw_smtp_client *c, const mw_smtp_reply_line *l,
                         size_t offset)
{
    size_t cap, used = 0;
    char *b = auth_buf(c, &cap);
    const char *why = MW__TEXT("unexpected challenge");
    int status = MW_E_SEQUENCE;
    obuf o;
    mw_span cred;

    ob_init(&o, b, cap);
    switch (c->auth_mech) {
    case MW__SC_A_LOGIN:
        /* The order alone decides (the prompts vary between servers). */
        if (c->auth_step < 2) {
            cred = mw__span(c->cred[c->auth_step], c->cred_len[c->auth_step]);
            if (mw_sasl_login_encode(cred.ptr, cred.len, b, cap - 2, &used) ==
                MW_OK) {
                c->auth_step++;
                o.len = used;
                return send_line(c, &o, 0, 0);
            }
            why = MW__TEXT("LOGIN response does not fit its buffer");
            status = MW_E_NOSPACE;
        }
        break;
    case MW__SC_A_XOAUTH2:
        /* The JSON error challenge; an empty response makes the server
         * send its final 535. */
        if (c->auth_step++ == 0)
            return send_line(c, &o, 0, 0);
        break;
    case MW__SC_A_OAUTHBEARER:
        /* RFC 7628 §3.2.3: answer the error challenge with %x01. */
        if (c->auth_step++ == 0) {
            ob_str(&o, "AQ==");
            return send_line(c, &o, 0, 0);
        }
        break;
    case MW__SC_A_SASL:
        if (!(c->auth_step & MW__SC_A_LAST)) {
            size_t clen = 0, rlen = 0, room = b64_raw_cap(cap - 2);
            int r;
            if (decode_challenge(c, l->text, &clen) < 0) {
                why = MW__TEXT("challenge is not valid base64");
                status = MW_E_BASE64;
                break;
            }
            r = c->sasl_fn(c->sasl_user, c->line.buf, clen, b, room, &rlen);
            if ((r == MW_OK || r == MW_DONE) && rlen <= room) {
                if (r == MW_DONE)
                    c->auth_step |= MW__SC_A_LAST;
                o.len = b64_in_place(b, rlen);
                return send_line(c, &o, 0, 0);
            }
            why = MW__TEXT("the mechanism cancelled the exchange");
            status = r < 0 ? r : MW_E_CALLBACK;
        }
        break;
    default:
        break;
    }
    /* RFC 4954 §4: "*" cancels; the server answers 501. */
    ob_str(&o, "*");
    {
        int rc = send_line(c, &o, 0, 0);
        if (rc < 0)
            return rc;
    }
    return note(c, status, offset, why);
}

/* ====================================================================
 * STARTTLS (RFC 3207)
 * ==================================================================== */

int mw_smtp_client_starttls(mw_smtp_client *c)
{
    int rc;
    if (c == NULL)
        return MW_E_INVAL;
    if ((rc = can_send(c, MW_SMTP_CMD_STARTTLS)) < 0)
        return rc;
    if (c->opts & MW__SC_TLS)
        return mw__smtpc_fail(c, MW_E_STATE, 0, "TLS is already up");
    if (!(c->caps.ext & MW_SMTP_EXT_STARTTLS))
        return mw__smtpc_fail(c, MW_E_STATE, 0,
                              "the server does not offer STARTTLS");
    if (c->txn != MW__SC_T_NONE)
        return mw__smtpc_fail(c, MW_E_STATE, 0,
                              "STARTTLS is not allowed in a transaction");
    return simple(c, MW_SMTP_CMD_STARTTLS);
}

int mw_smtp_client_tls_done(mw_smtp_client *c)
{
    int rc;
    if (c == NULL)
        return MW_E_INVAL;
    if (c->state != MW__SC_ST_TLS)
        return mw__smtpc_fail(c, MW_E_STATE, 0, "no TLS handshake is due");
    /* RFC 3207 §4.2: forget everything learnt in clear. */
    c->state = MW__SC_ST_READY;
    c->opts |= MW__SC_TLS;
    c->flags &= (uint8_t)~MW__SC_F_AUTHED;
    c->auth_mech = MW__SC_A_NONE;
    mw__line_reset(&c->line);
    rc = hello(c, mw__span(c->ehlo, c->ehlo_len),
               (c->opts & MW__SC_LMTP) ? MW_SMTP_CMD_LHLO : MW_SMTP_CMD_EHLO);
    if (rc < 0)
        return rc;
    return mw__smtpc_msg_step(c);
}

/* ====================================================================
 * Replies
 * ==================================================================== */

/* The TLS policy failed: report, and end the session politely. */
static int policy_fail_(mw_smtp_client *c, const mw_smtp_client_reply *r,
                        const char *reason)
{
    obuf o;
    int rc;
    c->flags |= MW__SC_F_POLICY;
    if ((rc = note(c, MW_E_STATE, r != NULL ? r->offset : 0, reason)) < 0)
        return rc;
    mw__smtpc_msg_policy(c, r, reason);
    if (c->state != MW__SC_ST_READY || c->q_len > 0)
        return MW_OK;
    ob_init(&o, c->cmd, sizeof c->cmd);
    ob_str(&o, "QUIT");
    return send_line(c, &o, MW_SMTP_CMD_QUIT, 1);
}
#define policy_fail(a, b, c) policy_fail_((a), (b), MW__TEXT(c))

static int deliver(mw_smtp_client *c, const mw_smtp_client_reply *r)
{
    if (c->cb.reply != NULL)
        return cbret(c, c->cb.reply(c, c->user, r));
    return MW_OK;
}

static int after_reply(mw_smtp_client *c, const mw_smtp_client_reply *r)
{
    int rc;
    if (c->state == MW__SC_ST_DEAD)
        return MW_E_CLOSED;
    if ((rc = mw__smtpc_msg_reply(c, r)) < 0)
        return rc;
    return mw__smtpc_msg_step(c);
}

/* A complete reply: match it, update the state, act, deliver. */
static int complete(mw_smtp_client *c, const mw_smtp_reply_line *l,
                    size_t remaining)
{
    mw_smtp_client_reply rep;
    unsigned kind, h;
    int stale, rc, ok;
    const char *policy = NULL;

    memset(&rep, 0, sizeof rep);
    rep.code = l->code;
    rep.has_esc = l->has_esc;
    rep.esc = l->esc;
    rep.text = l->text;
    rep.detail = l->detail;
    rep.lines = c->r_lines;
    rep.offset = c->r_offset;
    c->r_lines = 0;
    ok = cls2(l->code);

    if (c->state == MW__SC_ST_GREETING) {
        rep.cmd = MW_SMTP_CLIENT_GREETING;
        c->state = MW__SC_ST_READY;
        if (!ok)
            c->flags |= MW__SC_F_GREET_BAD;
        if (l->code == MW_SMTP_UNAVAILABLE)
            c->state = MW__SC_ST_CLOSED;
        goto out;
    }
    if (c->q_len == 0) {
        /* RFC 5321 §3.8: a server may send 421 and close at any time. */
        if (l->code != MW_SMTP_UNAVAILABLE)
            return die(c, MW_E_SEQUENCE, rep.offset,
                       "a reply with no command awaiting it", MW_E_CLOSED);
        rep.cmd = MW_SMTP_CLIENT_UNSOLICITED;
        c->state = MW__SC_ST_CLOSED;
        goto out;
    }

    h = c->q_head;
    kind = c->q_kind[h];
    stale = c->q_gen[h] != c->gen;
    if (kind == MW_SMTP_CMD_AUTH && l->code == MW_SMTP_AUTH_CONTINUE)
        return auth_continue(c, l, rep.offset);
    if (kind == MW_SMTP_CMD_STARTTLS && l->code == MW_SMTP_READY &&
        remaining > 0)
        /* Bytes after the go-ahead, in the same read: the server (or a
         * man in the middle) sent them in clear before TLS; taking them
         * after the handshake would let plaintext pose as protected
         * replies (CVE-2020-15953). */
        return die(c, MW_E_INJECTION, mw__line_offset(&c->line),
                   "bytes after the 220 reply to STARTTLS (response injection)",
                   MW_E_CLOSED);

    rep.cmd = kind == MW__SC_Q_MESSAGE ? MW_SMTP_CLIENT_MESSAGE : (int)kind;
    switch (kind) {
    case MW_SMTP_CMD_RCPT:
        if (!stale) {
            rep.index = c->rcpt_replied++;
            if (ok)
                c->rcpt_ok++;
            else
                c->rcpt_bad++;
        }
        break;
    case MW_SMTP_CMD_BDAT:
        if (!stale) {
            rep.index = c->bdat_replied++;
            if (!ok)
                c->txn_flags |= MW__SC_TF_BDAT_BAD;
        }
        break;
    case MW__SC_Q_MESSAGE:
        if (c->opts & MW__SC_LMTP) {
            if (c->q_count[h] == 0) /* BDAT LAST sent before the RCPT replies */
                c->q_count[h] = c->rcpt_ok > 0 ? c->rcpt_ok : 1u;
            rep.index = c->lmtp_seen++;
            if (ok)
                c->delivered++;
        }
        break;
    default:
        break;
    }
    q_pop(c);

    switch (kind) {
    case MW_SMTP_CMD_EHLO:
    case MW_SMTP_CMD_LHLO:
        if (l->code == MW_SMTP_OK) {
            c->hello = MW__SC_H_EHLO;
            if ((c->opts & MW__SC_REQ_TLS) && !(c->opts & MW__SC_TLS) &&
                !(c->caps.ext & MW_SMTP_EXT_STARTTLS))
                policy = MW__TEXT("TLS is required and the server does "
                                  "not offer STARTTLS");
        } else if (kind == MW_SMTP_CMD_EHLO && l->code / 100 == 5 &&
                   (c->opts & MW__SC_HELO_FB)) {
            /* RFC 5321 §3.2: an old server; go on with HELO (unless TLS
             * is required: HELO cannot lead to STARTTLS). */
            if ((c->opts & MW__SC_REQ_TLS) && !(c->opts & MW__SC_TLS)) {
                policy =
                    MW__TEXT("TLS is required and the server refused EHLO");
            } else {
                obuf o;
                ob_init(&o, c->cmd, sizeof c->cmd);
                ob_str(&o, "HELO ");
                ob_put(&o, c->ehlo, c->ehlo_len);
                return send_line(c, &o, MW_SMTP_CMD_HELO, 1);
            }
        }
        break;
    case MW_SMTP_CMD_HELO:
        if (l->code == MW_SMTP_OK) {
            c->hello = MW__SC_H_HELO;
            if ((c->opts & MW__SC_REQ_TLS) && !(c->opts & MW__SC_TLS))
                policy = MW__TEXT(
                    "TLS is required and the server only took HELO");
        }
        break;
    case MW_SMTP_CMD_MAIL:
        if (!stale) {
            c->txn_flags |= ok ? MW__SC_TF_MAIL_OK : MW__SC_TF_MAIL_BAD;
            if (!ok && c->q_len == 0 && c->txn == MW__SC_T_MAIL)
                c->txn = MW__SC_T_NONE;
        }
        break;
    case MW_SMTP_CMD_DATA:
        if (!stale && c->txn == MW__SC_T_DATA_WAIT) {
            if (l->code != MW_SMTP_START_INPUT) {
                /* The server keeps the envelope (RFC 5321 §4.1.1.4
                 * clears it only at the end of the data): RSET, or add
                 * recipients and try DATA again. */
                c->txn = (uint8_t)((c->txn_flags & MW__SC_TF_MAIL_BAD)
                                       ? MW__SC_T_NONE
                                       : MW__SC_T_MAIL);
            } else if (txn_hopeless(c) != NULL) {
                /* RFC 2920 §3.1: DATA accepted although no recipient was:
                 * send the lone dot; the server fails the transaction. */
                c->txn = MW__SC_T_END;
                c->txn_flags |= MW__SC_TF_AUTO_END;
                q_push(c, MW__SC_Q_MESSAGE, 1);
                if ((rc = raw_send(c, ".\r\n", 3)) < 0)
                    return rc;
            } else {
                c->txn = MW__SC_T_BODY;
                c->txn_flags &= (uint8_t)~MW__SC_TF_CR;
                c->body_total = 0;
                (void)mw__dot_stuff_init(&c->dot,
                                         (mw_newline_policy)c->body_policy,
                                         dot_sink, c);
            }
        }
        break;
    case MW__SC_Q_MESSAGE:
        if (!stale && c->txn == MW__SC_T_END &&
            (!(c->opts & MW__SC_LMTP) || c->q_len == 0 ||
             c->q_head != h))
            c->txn = MW__SC_T_NONE;
        break;
    case MW_SMTP_CMD_STARTTLS:
        if (l->code == MW_SMTP_READY)
            c->state = MW__SC_ST_TLS;
        else if (c->opts & MW__SC_REQ_TLS)
            policy = MW__TEXT(
                "TLS is required and the server refused STARTTLS");
        break;
    case MW_SMTP_CMD_AUTH:
        c->cred[0] = c->cred[1] = NULL;
        c->cred_len[0] = c->cred_len[1] = 0;
        if (ok)
            c->flags |= MW__SC_F_AUTHED;
        c->auth_mech = MW__SC_A_NONE;
        break;
    case MW_SMTP_CMD_QUIT:
        c->state = MW__SC_ST_CLOSED;
        break;
    default:
        break;
    }
    if (l->code == MW_SMTP_UNAVAILABLE)
        c->state = MW__SC_ST_CLOSED;

out: /* the greeting and an unsolicited 421 join here (no TLS, no policy) */
    if ((rc = deliver(c, &rep)) < 0)
        return rc;
    if (c->state == MW__SC_ST_TLS && c->cb.starttls != NULL &&
        (rc = cbret(c, c->cb.starttls(c, c->user))) < 0)
        return rc;
    if (policy != NULL && (rc = policy_fail(c, &rep, policy)) < 0)
        return rc;
    return after_reply(c, &rep);
}

static const char *line_error(int status)
{
    switch (status) {
    case MW_E_BARE_LF:
        return MW__TEXT("reply line ended by a bare LF");
    case MW_E_BARE_CR:
        return MW__TEXT("bare CR in a reply line");
    case MW_E_NUL:
        return MW__TEXT("NUL in a reply line");
    default:
        return MW__TEXT("bad reply line");
    }
}

static int on_line(mw_smtp_client *c, const mw__line_ev *ev, int r,
                   size_t remaining)
{
    mw_smtp_reply_line l;
    mw_error e;
    unsigned kind;
    unsigned flags = MW_SMTP_REPLY_ESC;
    int rc;

    if (r < 0) {
        if (ev->status != MW_E_TOO_LONG)
            return die(c, ev->status, ev->err_offset, line_error(ev->status),
                       MW_E_CLOSED);
        /* Over-long: read what fits (the code is at its start); the rest
         * of the line is skipped by the framer. */
        if ((rc = note(c, MW_E_TOO_LONG, ev->offset,
                       "reply line longer than the line buffer: cut")) < 0)
            return rc;
    }
    if (c->state == MW__SC_ST_GREETING)
        kind = MW_SMTP_CLIENT_GREETING;
    else if (c->q_len > 0)
        kind = c->q_kind[c->q_head];
    else
        kind = MW_SMTP_CLIENT_UNSOLICITED;
    /* RFC 2034 §3: no enhanced codes in the greeting and HELO/EHLO. */
    if (kind == MW_SMTP_CLIENT_GREETING || kind == MW_SMTP_CMD_EHLO ||
        kind == MW_SMTP_CMD_HELO || kind == MW_SMTP_CMD_LHLO)
        flags = 0;
    /* The framer has refused CR, LF and NUL in a line it reports as
     * good (under ACCEPT a CR or LF ends a line, never sits in one); an
     * over-long line was not screened. */
    rc = mw__smtp_reply_line(ev->line.ptr, ev->line.len, r < 0, &l, &e);
    if (rc < 0)
        return die(c, rc, ev->offset + e.offset, e.reason, MW_E_CLOSED);
    if (flags & MW_SMTP_REPLY_ESC)
        mw__smtp_reply_esc(&l);
    if (c->r_lines == 0) {
        c->r_code = l.code;
        c->r_offset = ev->offset;
    } else if (l.code != c->r_code) {
        return die(c, MW_E_SYNTAX, ev->offset,
                   "reply line code differs from the first line's",
                   MW_E_CLOSED);
    }
    if (c->r_lines >= c->max_lines)
        return die(c, MW_E_LIMIT, ev->offset, "reply has too many lines",
                   MW_E_CLOSED);
    c->r_lines++;
    if ((kind == MW_SMTP_CMD_EHLO || kind == MW_SMTP_CMD_LHLO) &&
        l.code == MW_SMTP_OK && c->r_lines > 1) {
        if (mw_smtp_caps_parse_line(&c->caps, l.text.ptr, l.text.len, &e) < 0 &&
            (rc = note(c, e.code, ev->offset + 4 + e.offset, e.reason)) < 0)
            return rc;
    }
    if (c->cb.reply_line != NULL &&
        (rc = cbret(c, c->cb.reply_line(c, c->user, &l, ev->offset))) < 0)
        return rc;
    if (l.more)
        return MW_OK;
    return complete(c, &l, remaining);
}

int mw_smtp_client_feed(mw_smtp_client *c, const void *in, size_t len,
                        size_t *consumed)
{
    const char *p = (const char *)in;
    size_t pos = 0;

    if (consumed != NULL)
        *consumed = 0;
    if (c == NULL || consumed == NULL || (in == NULL && len > 0))
        return MW_E_INVAL;
    if (c->state == MW__SC_ST_DEAD || c->state == MW__SC_ST_CLOSED)
        return MW_E_CLOSED;
    if (c->state == MW__SC_ST_TLS) {
        if (len == 0)
            return MW_OK;
        return die(c, MW_E_INJECTION, mw__line_offset(&c->line),
                   "bytes received before TLS after the 220 reply to "
                   "STARTTLS (response injection)",
                   MW_E_CLOSED);
    }
    c->flags &= (uint8_t)~MW__SC_F_PAUSE;
    while (pos < len) {
        mw__line_ev ev;
        size_t used = 0;
        int r = mw__line_next(&c->line, p + pos, len - pos, &used, &ev);
        int rc;
        pos += used;
        if (r == 0)
            break;
        rc = on_line(c, &ev, r, len - pos);
        *consumed = pos;
        if (rc < 0)
            return rc;
        if (c->state == MW__SC_ST_DEAD)
            return MW_E_CLOSED;
        if (c->state == MW__SC_ST_CLOSED)
            return MW_DONE;
        if (c->flags & MW__SC_F_PAUSE) {
            c->flags &= (uint8_t)~MW__SC_F_PAUSE;
            return MW_PAUSED;
        }
    }
    *consumed = pos;
    return MW_OK;
}

int mw_smtp_client_eof(mw_smtp_client *c)
{
    int pending;
    if (c == NULL)
        return MW_E_INVAL;
    if (c->state == MW__SC_ST_DEAD)
        return MW_E_CLOSED;
    pending = c->state == MW__SC_ST_GREETING || c->q_len > 0 ||
              c->r_lines > 0 || mw__line_held(&c->line) > 0;
    if (c->state == MW__SC_ST_CLOSED)
        return MW_OK;
    c->state = MW__SC_ST_CLOSED;
    mw__smtpc_msg_abort(c, MW_E_CLOSED, "the server closed the connection");
    if (pending)
        return mw__smtpc_fail(c, MW_E_INCOMPLETE, mw__line_offset(&c->line),
                              "the server closed the connection while "
                              "replies were awaited");
    return MW_OK;
}

unsigned mw_smtp_client_want(const mw_smtp_client *c)
{
    unsigned w = 0;
    const char *why;
    if (c == NULL || c->state == MW__SC_ST_DEAD || c->state == MW__SC_ST_CLOSED)
        return MW_SMTP_CLIENT_WANT_CLOSED;
    if (c->state == MW__SC_ST_TLS)
        return MW_SMTP_CLIENT_WANT_TLS;
    if (c->state == MW__SC_ST_GREETING || c->q_len > 0 || c->r_lines > 0)
        w |= MW_SMTP_CLIENT_WANT_INPUT;
    if (c->txn == MW__SC_T_BODY || c->txn == MW__SC_T_BDAT) {
        if (mw__smtpc_can_write(c))
            w |= MW_SMTP_CLIENT_WANT_BODY;
    } else if (check_send(c, MW_SMTP_CMD_NOOP, &why) == MW_OK) {
        w |= MW_SMTP_CLIENT_WANT_SEND;
    }
    return w;
}

int mw_smtp_client_error(const mw_smtp_client *c, mw_error *err)
{
    if (c == NULL || err == NULL)
        return MW_E_INVAL;
    *err = c->err;
    return c->err.code;
}

const mw_smtp_caps *mw_smtp_client_caps(const mw_smtp_client *c)
{
    return c != NULL ? &c->caps : NULL;
}

/* ====================================================================
 * Setting up
 * ==================================================================== */

void mw_smtp_client_config_init(mw_smtp_client_config *cfg)
{
    if (cfg == NULL)
        return;
    memset(cfg, 0, sizeof(*cfg));
    cfg->pipelining = 1;
    cfg->chunking = 1;
    cfg->helo_fallback = 1;
    cfg->body_newlines = MW_NEWLINE_ACCEPT;
    cfg->reply_newlines = MW_NEWLINE_REJECT;
    cfg->max_reply_lines = 128;
}

size_t mw_smtp_client_sizeof(void)
{
    return sizeof(mw_smtp_client);
}

int mw_smtp_client_init(mw_smtp_client *c, const mw_smtp_client_config *cfg,
                        const mw_smtp_client_callbacks *cb, void *user,
                        char *linebuf, size_t linebuf_len)
{
    mw_smtp_client_config def;
    if (c == NULL || cb == NULL || cb->send == NULL || linebuf == NULL ||
        linebuf_len < 64)
        return MW_E_INVAL;
    if (cfg == NULL) {
        mw_smtp_client_config_init(&def);
        cfg = &def;
    }
    if ((cfg->body_newlines != MW_NEWLINE_ACCEPT &&
         cfg->body_newlines != MW_NEWLINE_REJECT) ||
        (cfg->reply_newlines != MW_NEWLINE_ACCEPT &&
         cfg->reply_newlines != MW_NEWLINE_REJECT) ||
        cfg->max_reply_lines == 0 ||
        (cfg->auth_buf != NULL && cfg->auth_buf_len < 64))
        return MW_E_INVAL;
    memset(c, 0, sizeof(*c));
    if (mw__line_init(&c->line, linebuf, linebuf_len, linebuf_len - 2,
                      cfg->reply_newlines) != MW_OK)
        return MW_E_INVAL;
    c->cb = *cb;
    c->user = user;
    c->auth_buf = cfg->auth_buf;
    c->auth_buf_len = cfg->auth_buf != NULL ? cfg->auth_buf_len : 0;
    c->max_lines = (uint16_t)(cfg->max_reply_lines > 65535u
                                  ? 65535u
                                  : cfg->max_reply_lines);
    c->body_policy = (uint8_t)cfg->body_newlines;
    c->opts = (uint8_t)((cfg->lmtp ? MW__SC_LMTP : 0u) |
                        (cfg->pipelining ? MW__SC_PIPE : 0u) |
                        (cfg->chunking ? MW__SC_CHUNK : 0u) |
                        (cfg->helo_fallback ? MW__SC_HELO_FB : 0u) |
                        (cfg->require_tls ? MW__SC_REQ_TLS : 0u) |
                        (cfg->tls_active ? MW__SC_TLS : 0u) |
                        (cfg->auth_without_tls ? MW__SC_AUTH_CLEAR : 0u));
    c->state = MW__SC_ST_GREETING;
    return MW_OK;
}
