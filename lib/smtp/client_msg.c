/* SPDX-License-Identifier: MIT */
/*
 * The SMTP client's transaction helper: mw_smtp_client_send_message()
 * takes a small descriptor and issues EHLO, STARTTLS, AUTH, MAIL, RCPT...,
 * DATA or BDAT, the message data and QUIT through the same public command
 * functions an application would call, each when the replies so far allow
 * it (so PIPELINING groups form by themselves: without it every command
 * waits for the previous reply). It adds the MAIL parameters a message
 * needs when the server offers them: SIZE (RFC 1870), BODY=8BITMIME
 * (RFC 6152) for 8-bit data, SMTPUTF8 (RFC 6531) for UTF-8 addresses.
 *
 * It runs inside the client's callbacks: after every reply
 * (mw__smtpc_msg_reply() then mw__smtpc_msg_step()), after TLS comes up,
 * and when the session ends (mw__smtpc_msg_abort()).
 */
#include "smtp/client_int.h"

static mw_span str(const char *s)
{
    return mw__span(s, s != NULL ? strlen(s) : 0);
}

/* mw_is_fatal() without the call: core.h defines the fatal statuses as
 * -100 (MW_E_CALLBACK) and below. */
static int fatal(int rc)
{
    return rc <= MW_E_CALLBACK;
}

static int has_8bit(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if ((unsigned char)p[i] >= 0x80)
            return 1;
    return 0;
}

/* Remember the reply that decides (or may decide) the outcome. */
static void keep_reply(mw_smtp_client *c, const mw_smtp_client_reply *r)
{
    c->res.cmd = r != NULL ? r->cmd : 0;
    c->res.code = r != NULL ? r->code : 0;
    c->res.has_esc = r != NULL ? r->has_esc : 0;
    if (r != NULL)
        c->res.esc = r->esc;
    else
        memset(&c->res.esc, 0, sizeof c->res.esc);
}

/* The outcome is known: keep it (the first decision wins). With
 * `use_reply` the deciding reply is `r` (NULL: none, a local failure);
 * without, the one kept before (the last refused RCPT, say). */
static void decide_(mw_smtp_client *c, int status, int use_reply,
                    const mw_smtp_client_reply *r, const char *reason)
{
    if (c->msg_flags & MW__SC_MF_DECIDED)
        return;
    c->msg_flags |= MW__SC_MF_DECIDED;
    c->res.status = status;
    if (use_reply)
        keep_reply(c, r);
    c->res.reason = reason;
}
#define decide(a, b, c, d, e) decide_((a), (b), (c), (d), MW__TEXT(e))

static void refuse_(mw_smtp_client *c, const mw_smtp_client_reply *r,
                    const char *reason)
{
    decide(c, MW_E_STATE, 1, r, reason);
    if (c->msg_stage < MW__SC_M_CLOSE)
        c->msg_stage = MW__SC_M_CLOSE;
}
#define refuse(a, b, c) refuse_((a), (b), MW__TEXT(c))

/* A local step failed (bad descriptor value, the server lacks what the
 * message needs): the message is off; close (or RSET) when possible. */
static void local_fail_(mw_smtp_client *c, int status, int cmd,
                        const char *reason)
{
    decide(c, status, 1, NULL, reason);
    c->res.cmd = cmd;
    if (c->msg_stage < MW__SC_M_CLOSE)
        c->msg_stage = MW__SC_M_CLOSE;
}

/* Report the result and let go of the descriptor. */
static int done(mw_smtp_client *c)
{
    int r = MW_OK;
    if (c->msg == NULL)
        return MW_OK;
    if (!(c->msg_flags & MW__SC_MF_DECIDED))
        decide(c, MW_E_CLOSED, 1, NULL, "the session ended first");
    c->msg = NULL;
    c->msg_stage = 0;
    if (c->cb.done != NULL)
        r = c->cb.done(c, c->user, &c->res);
    if (r == MW_PAUSED) {
        c->flags |= MW__SC_F_PAUSE;
        return MW_OK;
    }
    if (r < 0 && c->state != MW__SC_ST_DEAD) {
        c->state = MW__SC_ST_DEAD;
        mw__smtpc_fail(c, MW_E_CALLBACK, 0, "a callback aborted the session");
        return MW_E_CALLBACK;
    }
    return MW_OK;
}

void mw__smtpc_msg_abort_(mw_smtp_client *c, int status, const char *reason)
{
    if (c->msg == NULL)
        return;
    decide(c, status, 1, NULL, reason);
    (void)done(c);
}

void mw__smtpc_msg_policy_(mw_smtp_client *c, const mw_smtp_client_reply *r,
                           const char *reason)
{
    if (c->msg == NULL)
        return;
    decide(c, MW_E_STATE, 1, r, reason);
    /* The machine sends QUIT itself. */
    c->msg_stage = MW__SC_M_QUIT;
}

int mw__smtpc_msg_reply(mw_smtp_client *c, const mw_smtp_client_reply *r)
{
    const mw_smtp_client_message *m = c->msg;
    int ok;
    if (m == NULL)
        return MW_OK;
    ok = r->code >= 200 && r->code < 300;
    if (r->code == MW_SMTP_UNAVAILABLE) {
        refuse(c, r, "the server closed the session (421)");
        return MW_OK;
    }
    /* The greeting and the end of the data first: their kinds (32, 33)
     * would stretch the switch over the verbs into a large jump table. */
    if (r->cmd == MW_SMTP_CLIENT_GREETING) {
        if (!ok)
            refuse(c, r, "the server refused the session");
        return MW_OK;
    }
    if (r->cmd == MW_SMTP_CLIENT_MESSAGE) {
        if (c->opts & MW__SC_LMTP) {
            /* One reply per accepted recipient (RFC 2033 §4.2). */
            if (ok)
                c->res.delivered++;
            else if (!(c->msg_flags & MW__SC_MF_DECIDED))
                keep_reply(c, r);
            if (c->txn != MW__SC_T_NONE)
                return MW_OK; /* not the last */
            if (c->res.delivered > 0)
                decide(c, MW_OK, 1, r, "the message was delivered");
            else
                decide(c, MW_E_STATE, 0, NULL,
                       "the message was refused for every recipient");
        } else if (ok) {
            decide(c, MW_OK, 1, r, "the message was accepted");
            c->res.delivered = c->res.rcpt_accepted;
        } else {
            refuse(c, r, "the message was refused");
        }
        c->msg_stage = MW__SC_M_CLOSE;
        return MW_OK;
    }
    switch (r->cmd) {
    case MW_SMTP_CMD_EHLO:
    case MW_SMTP_CMD_HELO:
    case MW_SMTP_CMD_LHLO:
        if (!ok)
            refuse(c, r, "EHLO refused");
        break;
    case MW_SMTP_CMD_STARTTLS:
        /* Refused: in clear if opportunistic; under REQUIRED the machine
         * has failed the policy already. */
        c->msg_flags |= MW__SC_MF_TLS_TRIED;
        break;
    case MW_SMTP_CMD_AUTH:
        if (!ok)
            refuse(c, r, "authentication failed");
        break;
    case MW_SMTP_CMD_MAIL:
        if (!ok)
            refuse(c, r, "the sender was refused");
        break;
    case MW_SMTP_CMD_RCPT:
        if (ok) {
            c->res.rcpt_accepted++;
        } else {
            c->res.rcpt_rejected++;
            /* Remembered: it decides if no recipient is accepted. */
            if (c->res.rcpt_accepted == 0 &&
                !(c->msg_flags & MW__SC_MF_DECIDED))
                keep_reply(c, r);
        }
        break;
    case MW_SMTP_CMD_DATA:
        if (c->res.rcpt_accepted == 0) {
            decide(c, MW_E_STATE, 0, NULL, "no recipient was accepted");
            /* After an automatic "." the reply to it still comes. */
            c->msg_stage = (c->txn_flags & MW__SC_TF_AUTO_END)
                               ? MW__SC_M_END
                               : MW__SC_M_CLOSE;
        } else if (r->code == MW_SMTP_START_INPUT) {
            c->msg_stage = MW__SC_M_BODY;
        } else {
            refuse(c, r, "DATA refused");
        }
        break;
    case MW_SMTP_CMD_BDAT:
        if (!ok)
            refuse(c, r, "message data refused");
        break;
    case MW_SMTP_CMD_QUIT:
    case MW_SMTP_CMD_RSET:
        if (c->msg_stage == MW__SC_M_QUIT)
            return done(c);
        break;
    default:
        break;
    }
    return MW_OK;
}

static int start_auth(mw_smtp_client *c, const mw_smtp_client_message *m)
{
    const mw_smtp_caps *caps = &c->caps;
    mw_span user = str(m->user), secret = str(m->secret);
    switch (m->auth) {
    case MW_SMTP_CLIENT_AUTH_AUTO:
        if (caps->auth & MW_SMTP_AUTH_PLAIN)
            return mw_smtp_client_auth_plain(c, mw__span(NULL, 0), user,
                                             secret);
        if (caps->auth & MW_SMTP_AUTH_LOGIN)
            return mw_smtp_client_auth_login(c, user, secret);
        return mw__smtpc_fail(c, MW_E_STATE, 0,
                              "the server offers neither PLAIN nor LOGIN");
    case MW_SMTP_CLIENT_AUTH_PLAIN:
        return mw_smtp_client_auth_plain(c, mw__span(NULL, 0), user, secret);
    case MW_SMTP_CLIENT_AUTH_LOGIN:
        return mw_smtp_client_auth_login(c, user, secret);
    case MW_SMTP_CLIENT_AUTH_XOAUTH2:
        return mw_smtp_client_auth_xoauth2(c, user, secret);
    case MW_SMTP_CLIENT_AUTH_OAUTHBEARER:
        return mw_smtp_client_auth_oauthbearer(c, user, mw__span(NULL, 0), 0,
                                               secret);
    default:
        return mw_smtp_client_auth_sasl(c, str(m->sasl_mech), m->sasl_step,
                                        m->sasl_user);
    }
}

static int send_mail(mw_smtp_client *c, const mw_smtp_client_message *m)
{
    mw_smtp_mail_params p;
    size_t i;
    int utf8;
    if (m->mail != NULL)
        p = *m->mail;
    else
        memset(&p, 0, sizeof p);
    if (!(p.present & MW_SMTP_MAIL_SIZE) && m->body != NULL &&
        (c->caps.ext & MW_SMTP_EXT_SIZE)) {
        p.present |= MW_SMTP_MAIL_SIZE;
        p.size = m->body_len;
    }
    if (!(p.present & MW_SMTP_MAIL_BODY) && m->body != NULL &&
        has_8bit(m->body, m->body_len)) {
        p.present |= MW_SMTP_MAIL_BODY;
        p.body = MW_SMTP_BODY_8BITMIME;
    }
    /* The sender (i == 0), then each recipient. */
    utf8 = 0;
    for (i = 0; i <= m->rcpt_count && !utf8; i++) {
        const char *a = i == 0 ? m->from : m->rcpt[i - 1];
        utf8 = has_8bit(a, strlen(a));
    }
    if (utf8)
        p.present |= MW_SMTP_MAIL_SMTPUTF8;
    return mw_smtp_client_mail(c, str(m->from), &p);
}

/* Write the message data, as far as possible now. */
static int pump(mw_smtp_client *c, const mw_smtp_client_message *m)
{
    int rc;
    if (m->body != NULL) {
        if (!mw__smtpc_can_write(c))
            return MW_OK;
        rc = mw_smtp_client_write_last(c, m->body, m->body_len);
        if (rc < 0 && fatal(rc))
            return rc;
        if (rc < 0)
            goto broken;
        c->msg_stage = MW__SC_M_END;
        return MW_OK;
    }
    if (m->read == NULL)
        return MW_OK; /* the application writes it */
    while (c->msg_stage == MW__SC_M_BODY && mw__smtpc_can_write(c)) {
        const char *chunk = NULL;
        size_t n = 0;
        if (m->read(m->read_user, &chunk, &n) < 0) {
            rc = MW_E_CALLBACK;
            goto broken;
        }
        rc = n == 0 ? mw_smtp_client_finish(c)
                    : mw_smtp_client_write(c, chunk, n);
        if (rc < 0 && fatal(rc))
            return rc;
        if (rc < 0)
            goto broken;
        if (n == 0)
            c->msg_stage = MW__SC_M_END;
    }
    return MW_OK;

broken:
    /* The data cannot be ended without sending a cut message: the only
     * safe way out is to drop the connection. */
    decide(c, rc, 1, NULL,
           rc == MW_E_CALLBACK ? "the message reader failed"
                               : "the message data was refused locally");
    c->state = MW__SC_ST_DEAD;
    mw__smtpc_fail(c, rc, 0, c->res.reason);
    if (c->cb.error != NULL)
        (void)c->cb.error(c, c->user, rc, 0, c->res.reason);
    (void)done(c);
    return MW_E_CLOSED;
}

int mw__smtpc_msg_step(mw_smtp_client *c)
{
    const mw_smtp_client_message *m;
    const char *why;
    int rc, cmd;

    while ((m = c->msg) != NULL) {
        if (c->state == MW__SC_ST_DEAD)
            return MW_E_CLOSED;
        if (c->state == MW__SC_ST_CLOSED)
            return done(c);
        if (c->state != MW__SC_ST_READY)
            return MW_OK; /* greeting or TLS handshake due */
        switch (c->msg_stage) {
        case MW__SC_M_CLOSE:
            if (m->keep_open) {
                /* Leave the session usable: reset an open transaction. */
                if (c->txn == MW__SC_T_NONE && c->q_len == 0)
                    return done(c);
                if (c->txn == MW__SC_T_BODY || c->q_len > 0)
                    return MW_OK;
                if ((rc = mw_smtp_client_rset(c)) < 0)
                    return fatal(rc) ? rc : done(c);
                c->msg_stage = MW__SC_M_QUIT;
                return MW_OK;
            }
            if (mw__smtpc_can_send(c, MW_SMTP_CMD_QUIT) != MW_OK)
                return MW_OK; /* replies still out */
            if ((rc = mw_smtp_client_quit(c)) < 0)
                return rc;
            c->msg_stage = MW__SC_M_QUIT;
            return MW_OK;
        case MW__SC_M_QUIT:
        case MW__SC_M_END:
            return MW_OK;
        case MW__SC_M_BODY:
            return pump(c, m);
        default:
            break;
        }

        /* MW__SC_M_RUN: the next command the session state calls for.
         * A command that fails goes to `failed` with `cmd` and `why` (NULL:
         * the command function's own reason). */
        why = NULL;
        if (c->q_len > 0 &&
            mw__smtpc_can_send(c, MW_SMTP_CMD_RCPT) != MW_OK)
            return MW_OK;
        if (c->hello == MW__SC_H_NONE) {
            if (c->q_len > 0)
                return MW_OK;
            cmd = MW_SMTP_CMD_EHLO;
            why = MW__TEXT("EHLO could not be sent");
            if ((rc = mw_smtp_client_ehlo(c, str(m->ehlo_domain))) < 0)
                goto failed;
            return MW_OK;
        }
        if (m->tls != MW_SMTP_CLIENT_TLS_NONE && !(c->opts & MW__SC_TLS) &&
            !(c->msg_flags & MW__SC_MF_TLS_TRIED)) {
            cmd = MW_SMTP_CMD_STARTTLS;
            if (c->caps.ext & MW_SMTP_EXT_STARTTLS) {
                if (c->q_len > 0)
                    return MW_OK;
                c->msg_flags |= MW__SC_MF_TLS_TRIED;
                why = MW__TEXT("STARTTLS could not be sent");
                if ((rc = mw_smtp_client_starttls(c)) < 0)
                    goto failed;
                return MW_OK;
            }
            if (m->tls == MW_SMTP_CLIENT_TLS_REQUIRED) {
                rc = MW_E_STATE;
                why = MW__TEXT("TLS is required and the server does not "
                               "offer STARTTLS");
                goto failed;
            }
            c->msg_flags |= MW__SC_MF_TLS_TRIED;
        }
        if (m->auth != MW_SMTP_CLIENT_AUTH_NONE &&
            !(c->flags & MW__SC_F_AUTHED)) {
            if (c->msg_flags & MW__SC_MF_AUTH_SENT)
                return MW_OK;
            if (c->q_len > 0)
                return MW_OK;
            cmd = MW_SMTP_CMD_AUTH;
            if ((rc = start_auth(c, m)) < 0)
                goto failed;
            c->msg_flags |= MW__SC_MF_AUTH_SENT;
            return MW_OK;
        }
        if (!(c->msg_flags & MW__SC_MF_MAIL_SENT)) {
            cmd = MW_SMTP_CMD_MAIL;
            if ((rc = send_mail(c, m)) < 0)
                goto failed;
            c->msg_flags |= MW__SC_MF_MAIL_SENT;
        }
        cmd = MW_SMTP_CMD_RCPT;
        while (c->msg_next < m->rcpt_count) {
            if (mw__smtpc_can_send(c, MW_SMTP_CMD_RCPT) != MW_OK)
                return MW_OK;
            if (c->txn != MW__SC_T_MAIL)
                return MW_OK; /* MAIL refused: msg_reply decides */
            rc = mw_smtp_client_rcpt(c, str(m->rcpt[c->msg_next]),
                                     m->rcpt_params);
            if (rc < 0)
                goto failed;
            c->msg_next++;
        }
        if (c->msg_stage != MW__SC_M_RUN)
            continue;
        if (!(c->msg_flags & MW__SC_MF_DATA_SENT)) {
            if (c->txn != MW__SC_T_MAIL)
                return MW_OK;
            if (c->rcpt_replied == c->rcpt_sent && c->rcpt_ok == 0) {
                decide(c, MW_E_STATE, 0, NULL, "no recipient was accepted");
                c->msg_stage = MW__SC_M_CLOSE;
                continue;
            }
            if ((c->txn_flags & MW__SC_TF_MAIL_BAD))
                return MW_OK;
            cmd = MW_SMTP_CMD_DATA;
            rc = mw_smtp_client_data(c);
            if (rc == MW_E_STATE)
                return MW_OK; /* replies still out without PIPELINING */
            if (rc < 0)
                goto failed;
            c->msg_flags |= MW__SC_MF_DATA_SENT;
            if (c->txn == MW__SC_T_BDAT) {
                c->msg_stage = MW__SC_M_BODY;
                continue;
            }
        }
        return MW_OK;

    failed:
        /* A fatal status ends everything; otherwise the message is off
         * and the loop goes on to close (or RSET). */
        if (fatal(rc))
            return rc;
        local_fail_(c, rc, cmd, why != NULL ? why : MW__TEXT(c->err.reason));
    }
    return MW_OK;
}

/* Under MW_NEWLINE_REJECT a message with a bare CR or LF is refused
 * before anything is sent (it could not be ended cleanly later). */
static int body_has_bare(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t k = i + mw__find_cr_or_lf(p + i, n - i);
        if (k == n)
            return 0;
        if (p[k] == '\n')
            return MW_E_BARE_LF;
        if (k + 1 == n || p[k + 1] != '\n')
            return MW_E_BARE_CR;
        i = k + 2;
    }
    return 0;
}

int mw_smtp_client_send_message(mw_smtp_client *c,
                                const mw_smtp_client_message *m)
{
    size_t i;
    int rc;
    if (c == NULL)
        return MW_E_INVAL;
    if (m == NULL || m->ehlo_domain == NULL || m->from == NULL ||
        m->rcpt == NULL || m->rcpt_count == 0 ||
        (m->body == NULL && m->body_len > 0) || m->tls < 0 ||
        m->tls > MW_SMTP_CLIENT_TLS_REQUIRED || m->auth < 0 ||
        m->auth > MW_SMTP_CLIENT_AUTH_SASL)
        return mw__smtpc_fail(c, MW_E_INVAL, 0, "incomplete message descriptor");
    for (i = 0; i < m->rcpt_count; i++)
        if (m->rcpt[i] == NULL)
            return mw__smtpc_fail(c, MW_E_INVAL, i, "NULL recipient");
    if (m->auth != MW_SMTP_CLIENT_AUTH_NONE &&
        (m->auth == MW_SMTP_CLIENT_AUTH_SASL
             ? (m->sasl_mech == NULL || m->sasl_step == NULL)
             : (m->secret == NULL ||
                (m->user == NULL &&
                 m->auth != MW_SMTP_CLIENT_AUTH_OAUTHBEARER))))
        return mw__smtpc_fail(c, MW_E_INVAL, 0, "AUTH without credentials");
    if (m->body != NULL && c->body_policy == MW_NEWLINE_REJECT &&
        (rc = body_has_bare(m->body, m->body_len)) < 0)
        return mw__smtpc_fail(c, rc, 0, "bare CR or LF in the message");
    if (c->state == MW__SC_ST_DEAD || c->state == MW__SC_ST_CLOSED)
        return mw__smtpc_fail(c, MW_E_CLOSED, 0, "the session is over");
    if (c->msg != NULL || c->state == MW__SC_ST_TLS || c->q_len > 0 ||
        c->txn != MW__SC_T_NONE)
        return mw__smtpc_fail(c, MW_E_STATE, 0, "the session is busy");
    memset(&c->res, 0, sizeof c->res);
    c->msg = m;
    c->msg_next = 0;
    c->msg_stage = MW__SC_M_RUN;
    c->msg_flags = 0;
    if (m->tls == MW_SMTP_CLIENT_TLS_REQUIRED)
        c->opts |= MW__SC_REQ_TLS;
    rc = mw__smtpc_msg_step(c);
    if (rc < 0 && c->msg == m) {
        c->msg = NULL;
        c->msg_stage = 0;
    }
    return rc;
}
