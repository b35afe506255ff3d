/* SPDX-License-Identifier: MIT */
/*
 * The SMTP sender (include/mailwire/smtp_sender.h): one message, one
 * command at a time, in the order of RFC 5321 §3.3 (transaction), §3.1
 * (greeting) and §4.1.1.10 (QUIT), with STARTTLS (RFC 3207) and AUTH
 * PLAIN/LOGIN (RFC 4954) before the transaction.
 *
 * It is the firmware's SMTP client, kept small on purpose: it reuses the
 * library's line framer, reply-line parser, dot-stuffer, path and domain
 * checks and SASL encoders, and keeps only the few EHLO keywords it acts
 * on (one byte of flags instead of a capability set). Every reply is read
 * whole before the next command goes out (no PIPELINING), so the state is
 * just "the step whose reply is awaited".
 *
 * One caller buffer serves reply lines and commands. That is safe because
 * a command is only formatted when a reply has just ended: the framer
 * then holds no partial line (mw__line_next() has handed the line out and
 * emptied its buffer), and the text of the line is no longer needed.
 */
#include <string.h>

#include "core/framing.h"
#include "smtp/reply.h"
#include "mailwire/codec.h"
#include "mailwire/sasl.h"
#include "mailwire/smtp_sender.h"

/* The step whose reply is awaited (mw_smtp_sender.state). */
enum {
    ST_GREETING,
    ST_EHLO,
    ST_HELO,
    ST_STARTTLS,
    ST_TLS,        /* 220 to STARTTLS came: waiting for tls_done() */
    ST_AUTH_PLAIN, /* AUTH PLAIN with its initial response: 235 awaited */
    ST_AUTH_LOGIN, /* AUTH LOGIN: 334 for the user name awaited */
    ST_AUTH_USER,  /* user name sent: 334 for the password awaited */
    ST_AUTH_PASS,  /* password sent: 235 awaited */
    ST_MAIL,
    ST_RCPT,
    ST_DATA,
    ST_MESSAGE,    /* the data and its "." sent */
    ST_QUIT,
    ST_DONE
};

/* The step each state reports in the result (MW_SMTP_SENDER_*). */
static const unsigned char step_of[ST_DONE] = {
    MW_SMTP_SENDER_GREETING, MW_SMTP_SENDER_EHLO,  MW_SMTP_SENDER_HELO,
    MW_SMTP_SENDER_STARTTLS, MW_SMTP_SENDER_STARTTLS, MW_SMTP_SENDER_AUTH,
    MW_SMTP_SENDER_AUTH,     MW_SMTP_SENDER_AUTH,  MW_SMTP_SENDER_AUTH,
    MW_SMTP_SENDER_MAIL,     MW_SMTP_SENDER_RCPT,  MW_SMTP_SENDER_DATA,
    MW_SMTP_SENDER_MESSAGE,  MW_SMTP_SENDER_QUIT};

/* EHLO keywords the sender acts on (mw_smtp_sender.caps). */
#define CAP_STARTTLS 0x01u
#define CAP_8BITMIME 0x02u
#define CAP_SMTPUTF8 0x04u
#define CAP_SIZE 0x08u
#define CAP_PLAIN 0x10u
#define CAP_LOGIN 0x20u

/* mw_smtp_sender.flags */
#define F_UTF8 0x01u /* a path is UTF-8: SMTPUTF8 needed (RFC 6531 §3.4) */

#define MAX_RCPT 1000u

/* ---- ending the session ----------------------------------------------- */

/* Record the outcome (the first decision is kept: a failure after an
 * accepted message does not undo the acceptance). */
static void decide(mw_smtp_sender *s, int status, unsigned code,
                   const char *reason)
{
    if (s->res.status != MW_E_INCOMPLETE)
        return;
    s->res.status = status;
    s->res.cmd = s->state < ST_DONE ? step_of[s->state] : 0;
    s->res.code = code;
    s->res.reason = reason;
}

/* The session is dead: no QUIT, nothing more is read. */
static int fatal(mw_smtp_sender *s, int status, size_t offset,
                 const char *reason)
{
    if (s->res.status == MW_E_INCOMPLETE)
        s->res.offset = offset;
    decide(s, status, 0, reason);
    s->state = ST_DONE;
    return MW_DONE;
}

/* ---- commands ----------------------------------------------------------- */

/* Send buf[0..n) plus CRLF as one command and wait for `next`'s reply.
 * The state is set first: a failing send reports the command it was
 * sending. */
static int send_cmd(mw_smtp_sender *s, size_t n, int next)
{
    s->buf[n++] = '\r';
    s->buf[n++] = '\n';
    s->state = (uint8_t)next;
    if (s->m->send(s->m->send_user, s->buf, n) < 0)
        return fatal(s, MW_E_CALLBACK, s->lines.total,
                     MW__TEXT("send function failed"));
    return MW_OK;
}

/* Append `len` bytes to the command being built at buf[*n]; 0 when they
 * do not fit with the CRLF. */
static int put(mw_smtp_sender *s, size_t *n, const char *p, size_t len)
{
    if (len > s->cap - 2u - *n)
        return 0;
    memcpy(s->buf + *n, p, len);
    *n += len;
    return 1;
}

static int put_str(mw_smtp_sender *s, size_t *n, const char *p)
{
    return put(s, n, p, strlen(p));
}

/* The outcome is known: record it, then QUIT (RFC 5321 §4.1.1.10), unless
 * the server said it is closing (421, §3.8). */
static int finish(mw_smtp_sender *s, int status, unsigned code,
                  const char *reason)
{
    size_t n = 0;
    decide(s, status, code, reason);
    if (code == 421) {
        s->state = ST_DONE;
        return MW_DONE;
    }
    (void)put_str(s, &n, "QUIT");
    return send_cmd(s, n, ST_QUIT);
}

static int too_long(mw_smtp_sender *s)
{
    return finish(s, MW_E_TOO_LONG, 0,
                  MW__TEXT("command longer than the buffer"));
}

static int send_hello(mw_smtp_sender *s, int helo)
{
    size_t n = 0;
    s->caps = 0;
    s->state = helo ? ST_HELO : ST_EHLO; /* the step a failure reports */
    if (!put_str(s, &n, helo ? "HELO " : "EHLO ") ||
        !put_str(s, &n, s->m->ehlo_domain))
        return too_long(s);
    return send_cmd(s, n, helo ? ST_HELO : ST_EHLO);
}

/* MAIL FROM:<path> [BODY=8BITMIME] [SMTPUTF8] [SIZE=n] (RFC 5321
 * §4.1.1.2, RFC 6152 §2, RFC 6531 §3.4, RFC 1870 §6). */
static int send_mail(mw_smtp_sender *s)
{
    const mw_smtp_sender_message *m = s->m;
    size_t n = 0;
    s->state = ST_MAIL; /* the step a failure below reports */
    if (m->eight_bit && !(s->caps & CAP_8BITMIME))
        return finish(s, MW_E_UNSUPPORTED, 0,
                      MW__TEXT("8-bit message; no 8BITMIME"));
    if ((s->flags & F_UTF8) && !(s->caps & CAP_SMTPUTF8))
        return finish(s, MW_E_UNSUPPORTED, 0,
                      MW__TEXT("UTF-8 address; no SMTPUTF8"));
    if (!put_str(s, &n, "MAIL FROM:<") || !put_str(s, &n, m->from) ||
        !put(s, &n, ">", 1) ||
        (m->eight_bit && !put_str(s, &n, " BODY=8BITMIME")) ||
        ((s->flags & F_UTF8) && !put_str(s, &n, " SMTPUTF8")))
        return too_long(s);
    if (m->size > 0 && (s->caps & CAP_SIZE)) {
        char num[MW__U64_DIGITS];
        size_t k = mw__fmt_u64(num, m->size);
        if (!put_str(s, &n, " SIZE=") || !put(s, &n, num, k))
            return too_long(s);
    }
    return send_cmd(s, n, ST_MAIL);
}

static int send_rcpt(mw_smtp_sender *s)
{
    size_t n = 0;
    s->state = ST_RCPT;
    if (!put_str(s, &n, "RCPT TO:<") ||
        !put_str(s, &n, s->m->rcpt[s->rcpt_next]) || !put(s, &n, ">", 1))
        return too_long(s);
    s->rcpt_next++;
    return send_cmd(s, n, ST_RCPT);
}

/* One base64 line: the SASL initial response after "AUTH PLAIN " (RFC
 * 4954 §4), or a LOGIN step on a line of its own. */
static int send_auth(mw_smtp_sender *s, int next)
{
    const mw_smtp_sender_message *m = s->m;
    size_t n = 0, k = 0, room;
    int rc;
    if (next == ST_AUTH_PLAIN)
        (void)put_str(s, &n, "AUTH PLAIN ");
    room = s->cap - 2u - n;
    if (next == ST_AUTH_PLAIN)
        rc = mw_sasl_plain_encode(NULL, 0, m->user, strlen(m->user),
                                  m->secret, strlen(m->secret), s->buf + n,
                                  room, &k);
    else
        rc = mw_sasl_login_encode(next == ST_AUTH_USER ? m->user : m->secret,
                                  strlen(next == ST_AUTH_USER ? m->user
                                                              : m->secret),
                                  s->buf + n, room, &k);
    /* mw_smtp_sender_init() refused every credential the encoders
     * would (empty, not UTF-8): only the length can fail here. */
    if (rc != MW_OK)
        return too_long(s);
    return send_cmd(s, n + k, next);
}

/* After EHLO (or after STARTTLS was refused or not wanted): AUTH when
 * asked, else the transaction. */
static int after_tls(mw_smtp_sender *s)
{
    const mw_smtp_sender_message *m = s->m;
    size_t n = 0;
    if (m->user == NULL)
        return send_mail(s);
    s->state = ST_AUTH_PLAIN; /* the step a refusal below reports */
    if (!s->tls_on && !m->auth_without_tls)
        return finish(s, MW_E_STATE, 0,
                      MW__TEXT("AUTH without TLS refused"));
    if (s->caps & CAP_PLAIN)
        return send_auth(s, ST_AUTH_PLAIN);
    if (!(s->caps & CAP_LOGIN))
        return finish(s, MW_E_STATE, 0,
                      MW__TEXT("no AUTH PLAIN or LOGIN offered"));
    (void)put_str(s, &n, "AUTH LOGIN");
    return send_cmd(s, n, ST_AUTH_LOGIN);
}

static int after_ehlo(mw_smtp_sender *s)
{
    const mw_smtp_sender_message *m = s->m;
    size_t n = 0;
    if (!s->tls_on && (m->tls == MW_SMTP_SENDER_TLS_OPPORTUNISTIC ||
                       m->tls == MW_SMTP_SENDER_TLS_REQUIRED)) {
        if (s->caps & CAP_STARTTLS) {
            (void)put_str(s, &n, "STARTTLS");
            return send_cmd(s, n, ST_STARTTLS);
        }
        if (m->tls == MW_SMTP_SENDER_TLS_REQUIRED) {
            s->state = ST_STARTTLS;
            return finish(s, MW_E_STATE, 0,
                          MW__TEXT("TLS required; no STARTTLS"));
        }
    }
    return after_tls(s);
}

/* ---- replies ------------------------------------------------------------ */

/* One EHLO keyword line (RFC 5321 §4.1.1.1 ehlo-line): note the few
 * extensions the sender uses. AUTH mechanisms may also come in the legacy
 * "AUTH=PLAIN LOGIN" form. */
static void ehlo_line(mw_smtp_sender *s, const char *p, size_t n)
{
    size_t i = 0, w;
    while (i < n && p[i] != ' ' && p[i] != '=')
        i++;
    if (mw__span_ieq(mw__span(p, i), "STARTTLS"))
        s->caps |= CAP_STARTTLS;
    else if (mw__span_ieq(mw__span(p, i), "8BITMIME"))
        s->caps |= CAP_8BITMIME;
    else if (mw__span_ieq(mw__span(p, i), "SMTPUTF8"))
        s->caps |= CAP_SMTPUTF8;
    else if (mw__span_ieq(mw__span(p, i), "SIZE"))
        s->caps |= CAP_SIZE;
    else if (mw__span_ieq(mw__span(p, i), "AUTH")) {
        while (i < n) {
            i++; /* the SP or "=" */
            for (w = i; i < n && p[i] != ' '; i++)
                ;
            if (mw__span_ieq(mw__span(p + w, i - w), "PLAIN"))
                s->caps |= CAP_PLAIN;
            else if (mw__span_ieq(mw__span(p + w, i - w), "LOGIN"))
                s->caps |= CAP_LOGIN;
        }
    }
}

/* The message data, after 354 (RFC 5321 §4.1.1.4), dot-stuffed with every
 * bare CR and LF written as CRLF (§4.5.2; smuggling). */
static int sink(void *user, const char *p, size_t n)
{
    const mw_smtp_sender *s = user;
    return s->m->send(s->m->send_user, p, n) < 0 ? MW_E_CALLBACK : MW_OK;
}

static int send_message(mw_smtp_sender *s)
{
    const mw_smtp_sender_message *m = s->m;
    mw_dot_stuff d;
    const char *p = m->body;
    size_t n = m->body_len;
    s->state = ST_MESSAGE;
    (void)mw__dot_stuff_init(&d, MW_NEWLINE_ACCEPT, sink, s);
    for (;;) {
        if (m->body == NULL) {
            p = NULL;
            n = 0;
            if (m->read(m->read_user, &p, &n) < 0 || (p == NULL && n > 0))
                return fatal(s, MW_E_CALLBACK, s->lines.total,
                             MW__TEXT("read function failed"));
        }
        if (n == 0)
            break;
        if (mw__dot_stuff_write(&d, p, n, NULL, NULL) != MW_OK)
            return fatal(s, MW_E_CALLBACK, s->lines.total,
                         MW__TEXT("send function failed"));
        if (m->body != NULL)
            break;
    }
    if (mw__dot_stuff_finish(&d, NULL) != MW_OK)
        return fatal(s, MW_E_CALLBACK, s->lines.total,
                     MW__TEXT("send function failed"));
    return MW_OK;
}

/* A whole reply has come: its code decides the next step. */
static int on_reply(mw_smtp_sender *s, unsigned code)
{
    unsigned cls = code / 100u;
    switch (s->state) {
    case ST_GREETING:
        if (cls == 2)
            return send_hello(s, 0);
        return finish(s, MW_E_STATE, code, MW__TEXT("greeting refused"));
    case ST_EHLO:
        if (cls == 2)
            return after_ehlo(s);
        /* RFC 5321 §3.2: a server that does not know EHLO answers 5xx
         * (500, 502); HELO then, without any extension. Not after TLS,
         * and not when the session needs an extension. */
        if (cls == 5 && code != 554 &&
            !(s->tls_on && s->m->tls != MW_SMTP_SENDER_TLS_IMPLICIT) &&
            s->m->tls != MW_SMTP_SENDER_TLS_REQUIRED && s->m->user == NULL)
            return send_hello(s, 1);
        return finish(s, MW_E_STATE, code, MW__TEXT("EHLO refused"));
    case ST_HELO:
        if (cls == 2)
            return send_mail(s);
        return finish(s, MW_E_STATE, code, MW__TEXT("HELO refused"));
    case ST_STARTTLS:
        if (code == 220) {
            s->state = ST_TLS;
            return MW_PAUSED;
        }
        /* Refused. A 421 means the server is closing (RFC 5321 §3.8): no
         * more commands, whatever the TLS mode. */
        if (s->m->tls == MW_SMTP_SENDER_TLS_REQUIRED || code == 421)
            return finish(s, MW_E_STATE, code, MW__TEXT("STARTTLS refused"));
        return after_tls(s); /* opportunistic: go on in clear */
    case ST_AUTH_PLAIN:
    case ST_AUTH_PASS:
        if (code == 235)
            return send_mail(s);
        return finish(s, cls == 5 ? MW_E_AUTH : MW_E_STATE, code,
                      MW__TEXT("authentication failed"));
    case ST_AUTH_LOGIN:
    case ST_AUTH_USER:
        if (code == 334)
            return send_auth(s, s->state == ST_AUTH_LOGIN ? ST_AUTH_USER
                                                          : ST_AUTH_PASS);
        return finish(s, cls == 5 ? MW_E_AUTH : MW_E_STATE, code,
                      MW__TEXT("authentication failed"));
    case ST_MAIL:
        if (cls == 2)
            return send_rcpt(s);
        return finish(s, MW_E_STATE, code, MW__TEXT("MAIL refused"));
    case ST_RCPT:
        if (cls == 2)
            s->res.rcpt_accepted++;
        else
            s->res.rcpt_rejected++;
        if (code == 421)
            return finish(s, MW_E_STATE, code, MW__TEXT("RCPT refused"));
        if (s->rcpt_next < s->m->rcpt_count)
            return send_rcpt(s);
        if (s->res.rcpt_accepted == 0)
            return finish(s, MW_E_STATE, code,
                          MW__TEXT("every recipient refused"));
        {
            size_t n = 0;
            (void)put_str(s, &n, "DATA");
            return send_cmd(s, n, ST_DATA);
        }
    case ST_DATA:
        if (code == 354)
            return send_message(s);
        return finish(s, MW_E_STATE, code, MW__TEXT("DATA refused"));
    case ST_MESSAGE:
        if (cls == 2) {
            return finish(s, MW_OK, code, MW__TEXT("message accepted"));
        }
        return finish(s, MW_E_STATE, code, MW__TEXT("message refused"));
    default: /* ST_QUIT: any reply ends the session */
        s->state = ST_DONE;
        return MW_DONE;
    }
}

/* One reply line (RFC 5321 §4.2: Reply-code [ SP / "-" textstring ]). */
static int on_line(mw_smtp_sender *s, const mw__line_ev *ev)
{
    mw_smtp_reply_line rl;
    mw_error e;
    const mw_smtp_sender_message *m = s->m;
    if (mw__smtp_reply_line(ev->line.ptr, ev->line.len, 0, &rl, &e) < 0)
        return fatal(s, e.code, ev->offset + e.offset, e.reason);
    if (s->reply_lines == 0)
        s->reply_code = (uint16_t)rl.code;
    else if (rl.code != s->reply_code)
        return fatal(s, MW_E_SYNTAX, ev->offset,
                     MW__TEXT("reply line code differs from the first line's"));
    if (++s->reply_lines > MW_SMTP_SENDER_MAX_REPLY_LINES)
        return fatal(s, MW_E_LIMIT, ev->offset,
                     MW__TEXT("too many reply lines"));
    if (m->reply != NULL &&
        m->reply(m->reply_user, step_of[s->state], rl.code, rl.text.ptr,
                 rl.text.len) < 0)
        return fatal(s, MW_E_CALLBACK, ev->offset,
                     MW__TEXT("reply function failed"));
    if (s->state == ST_EHLO && s->reply_lines > 1)
        ehlo_line(s, rl.text.ptr, rl.text.len);
    if (rl.more)
        return MW_OK;
    s->reply_lines = 0;
    return on_reply(s, rl.code);
}

/* ---- the public functions ----------------------------------------------- */

size_t mw_smtp_sender_sizeof(void)
{
    return sizeof(mw_smtp_sender);
}

/* A descriptor mistake: the session ends before it starts. */
static int bad(mw_smtp_sender *s, size_t offset, const char *reason)
{
    s->res.offset = offset;
    decide(s, MW_E_INVAL, 0, reason);
    s->state = ST_DONE;
    return MW_E_INVAL;
}

/* An argument that goes into a command line: no byte that could end or
 * split the line or the path (controls, CR, LF, NUL, DEL, space, "<",
 * ">"), and 8-bit bytes only as well-formed UTF-8 (RFC 6531 §3.3), which
 * sets F_UTF8. This is what keeps a command from being smuggled in (field
 * notes §4.2); the finer grammar of RFC 5321 §4.1.2 is left to the server,
 * whose 501 or 553 then ends the session cleanly. (The full client checks
 * the whole grammar; the sender saves the code.) */
static int arg_ok(mw_smtp_sender *s, const char *p, int utf8_ok)
{
    size_t i, n;
    int eight = 0;
    if (p == NULL)
        return 0;
    n = strlen(p);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c <= ' ' || c == 0x7f || c == '<' || c == '>')
            return 0;
        eight |= c >= 0x80;
    }
    if (!eight)
        return 1;
    if (!utf8_ok || mw_utf8_check(p, n, NULL) != MW_OK)
        return 0;
    s->flags |= F_UTF8;
    return 1;
}

int mw_smtp_sender_init(mw_smtp_sender *s, const mw_smtp_sender_message *m,
                        char *buf, size_t cap)
{
    size_t i;
    if (s == NULL)
        return MW_E_INVAL;
    memset(s, 0, sizeof(*s));
    s->m = m;
    s->res.status = MW_E_INCOMPLETE;
    s->res.reason = MW__TEXT("running");
    s->state = ST_DONE; /* until everything is checked */
    if (m == NULL || buf == NULL || cap < MW_SMTP_SENDER_BUF_MIN ||
        m->send == NULL || (m->body == NULL && m->read == NULL) ||
        (m->body == NULL && m->body_len > 0) || m->tls < 0 ||
        m->tls > MW_SMTP_SENDER_TLS_IMPLICIT ||
        (m->user != NULL &&
         (m->secret == NULL || m->user[0] == '\0' || m->secret[0] == '\0' ||
          mw_utf8_check(m->user, strlen(m->user), NULL) != MW_OK ||
          mw_utf8_check(m->secret, strlen(m->secret), NULL) != MW_OK)))
        return bad(s, 0, MW__TEXT("bad argument"));
    if (!arg_ok(s, m->ehlo_domain, 0) || m->ehlo_domain[0] == '\0')
        return bad(s, 0, MW__TEXT("bad EHLO domain"));
    if (!arg_ok(s, m->from, 1))
        return bad(s, 0, MW__TEXT("bad reverse-path"));
    if (m->rcpt == NULL || m->rcpt_count == 0 || m->rcpt_count > MAX_RCPT)
        return bad(s, 0, MW__TEXT("no recipients, or too many"));
    for (i = 0; i < m->rcpt_count; i++)
        if (!arg_ok(s, m->rcpt[i], 1) || m->rcpt[i][0] == '\0')
            return bad(s, i, MW__TEXT("bad forward-path"));
    (void)mw__line_init(&s->lines, buf, cap, cap - 2u, MW_NEWLINE_REJECT);
    s->buf = buf;
    s->cap = cap;
    s->tls_on = m->tls == MW_SMTP_SENDER_TLS_IMPLICIT;
    s->state = ST_GREETING;
    return MW_OK;
}

int mw_smtp_sender_feed(mw_smtp_sender *s, const char *data, size_t len,
                        size_t *used)
{
    size_t off = 0;
    int rc = MW_OK;
    if (used != NULL)
        *used = 0;
    if (s == NULL || (data == NULL && len > 0))
        return MW_E_INVAL;
    if (s->state == ST_TLS)
        return MW_E_STATE;
    while (s->state != ST_DONE && off < len) {
        mw__line_ev ev;
        size_t u = 0;
        int r = mw__line_next(&s->lines, data + off, len - off, &u, &ev);
        off += u;
        if (r == 0)
            break;
        if (r < 0) {
            rc = fatal(s, r, ev.err_offset,
                       r == MW_E_TOO_LONG
                           ? MW__TEXT("reply line too long")
                           : MW__TEXT("bad line end or NUL in a reply"));
            break;
        }
        rc = on_line(s, &ev);
        if (rc == MW_PAUSED && off < len) {
            /* Bytes behind the 220 to STARTTLS came in clear: whoever sent
             * them could be anyone on the path (CVE-2020-15953). */
            rc = fatal(s, MW_E_INJECTION, s->lines.total,
                       MW__TEXT("bytes after the 220 to STARTTLS"));
        }
        if (rc != MW_OK)
            break;
    }
    if (used != NULL)
        *used = off;
    if (s->state == ST_DONE)
        return MW_DONE;
    return rc == MW_PAUSED ? MW_PAUSED : MW_OK;
}

int mw_smtp_sender_tls_done(mw_smtp_sender *s)
{
    if (s == NULL || s->state != ST_TLS)
        return MW_E_STATE;
    /* RFC 3207 §4.2: forget everything learned in clear, EHLO again. */
    mw__line_reset(&s->lines);
    s->tls_on = 1;
    s->state = ST_EHLO;
    return send_hello(s, 0) == MW_DONE ? MW_DONE : MW_OK;
}

int mw_smtp_sender_eof(mw_smtp_sender *s)
{
    if (s == NULL)
        return MW_E_INVAL;
    if (s->state != ST_DONE)
        (void)fatal(s, MW_E_CLOSED, s->lines.total,
                    MW__TEXT("connection closed"));
    return MW_DONE;
}

const mw_smtp_sender_result *mw_smtp_sender_outcome(const mw_smtp_sender *s)
{
    return s != NULL ? &s->res : NULL;
}
