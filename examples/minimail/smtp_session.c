/* SPDX-License-Identifier: MIT */
/*
 * minimail's SMTP side: one mw_smtp_server machine per connection,
 * receiving mail for local users into their Maildirs.
 *
 * How the pieces meet:
 *
 *   socket bytes --net.c--> smtp_input() --> mw_smtp_server_feed()
 *        |                                      |  callbacks:
 *        |                                      |  on_command  (policy: which
 *        |                                      |    sender, recipients, AUTH)
 *        |                                      |  on_data     (message bytes
 *        |                                      |    to the tmp file)
 *        |                                      |  on_data_end (rename to new/)
 *   socket <--net.c-- mm_conn_send() <-- on_send (each reply line)
 *
 * The machine handles the protocol: command syntax, order, PIPELINING
 * (it stops after each command until we reply, so replies stay in order),
 * SIZE, 8BITMIME, SMTPUTF8 parameters, BDAT chunk counting, dot
 * unstuffing, bare-LF rejection (no SMTP smuggling), AUTH base64. This
 * file only decides: who is a local user, whether a password is right,
 * where a message goes. Every reply we give is in the callbacks, at once,
 * but the 250 after a message, which waits for the group commit (below);
 * when the client pipelines faster than it reads our replies, the
 * command callback returns MW_PAUSED and net.c stops reading it.
 *
 * A message is streamed to DIR/<user>/tmp as it arrives, never held in
 * memory, and renamed into new/ only after the final "." or BDAT LAST,
 * when our 250 reply promises delivery (RFC 5321 §6.1).
 */
#define _POSIX_C_SOURCE 200809L

#include "minimail.h"
#include "maildir.h"
#include "users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if MW_ENABLE_SMTP_SERVER

#define MAX_RCPT MW_SMTP_MAX_RECIPIENTS

enum { AUTH_NONE, AUTH_PLAIN, AUTH_LOGIN_USER, AUTH_LOGIN_PASS };

typedef struct smtp_sess {
    mw_smtp_server m;
    char line[MW_SMTP_SERVER_LINEBUF_SIZE]; /* the machine's line buffer */
    mm_conn *c;
    char helo[256];       /* the client's EHLO/HELO name, for Received */
    int esmtp;            /* greeted with EHLO */
    const mm_user *authed; /* AUTH succeeded as this user */
    int auth_step;        /* AUTH exchange in progress */
    char login_name[256]; /* AUTH LOGIN: the user name given */
    /* the transaction */
    char from[MW_SMTP_MAX_COMMAND_LINE]; /* reverse-path, "" for <> (it fits:
                             it came in a command line) */
    int utf8;             /* MAIL ... SMTPUTF8 */
    mm_user *rcpt[MAX_RCPT];
    unsigned nrcpt;
    char rcpt0[MW_SMTP_MAX_COMMAND_LINE]; /* the first recipient, for Received */
    int dlv_open;
    int dlv_broken;       /* the file could not be opened or written */
    md_delivery dlv;
    unsigned messages;    /* delivered in this session */
    /* group commit (see commit_round): the message has ended and waits,
     * its 250 owed, on the list of this round's messages */
    int committing;
    struct smtp_sess *next_commit;
} smtp_sess;

/* ====================================================================
 * Small helpers
 * ==================================================================== */

static int span_ieq(mw_span s, const char *lit)
{
    size_t i, n = strlen(lit);
    if (s.len != n)
        return 0;
    for (i = 0; i < n; i++) {
        char a = s.ptr[i];
        if (a >= 'a' && a <= 'z')
            a = (char)(a - 'a' + 'A');
        if (a != lit[i])
            return 0;
    }
    return 1;
}

static void copy_span(char *dst, size_t cap, mw_span s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    if (n > 0)
        memcpy(dst, s.ptr, n);
    dst[n] = '\0';
}

/* Throw away the transaction (RSET, a new MAIL or EHLO, the end). */
static void end_transaction(smtp_sess *s)
{
    if (s->dlv_open)
        md_deliver_abort(&s->dlv);
    s->dlv_open = 0;
    s->dlv_broken = 0;
    s->nrcpt = 0;
    s->from[0] = '\0';
    s->utf8 = 0;
}

/* After each reply: pause the machine when our output queue is long, so
 * a client that pipelines and never reads cannot make us buffer without
 * bound (net.c resumes us when the queue drains). */
static int pace(smtp_sess *s, int r)
{
    if (r < 0)
        return r;
    return mm_conn_full(s->c) ? MW_PAUSED : 0;
}

/* The "with" word of Received (RFC 5321 §4.4, RFC 3848, RFC 6531 §3.7.3):
 * SMTP or ESMTP, UTF8SMTP when SMTPUTF8 was used, then S for TLS and A
 * for an authenticated client. */
static const char *with_protocol(const smtp_sess *s, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s%s%s",
             s->utf8 ? "UTF8SMTP" : (s->esmtp ? "ESMTP" : "SMTP"),
             mm_conn_tls(s->c) ? "S" : "", s->authed != NULL ? "A" : "");
    return buf;
}

/* Open the delivery file of the first recipient and write the trace
 * fields every SMTP server must add (RFC 5321 §4.4): Return-Path with
 * the reverse-path (§4.4: added at final delivery) and Received. */
static int open_delivery(smtp_sess *s)
{
    char head[2048], with[32], date[64], peer[80], lit[96];
    char *colon;
    time_t now = time(NULL);
    struct tm tm;
    int n;

    if (s->dlv_open)
        return 0;
    if (md_deliver_begin(&s->dlv, s->rcpt[0]->maildir) != 0) {
        mm_log(s->c, "cannot open a file in %s/tmp", s->rcpt[0]->maildir);
        return -1;
    }
    s->dlv_open = 1;
    localtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S %z", &tm);
    /* TCP-info is an address literal (RFC 5321 §4.4): "[192.0.2.1]" or
     * "[IPv6:2001:db8::1]"; net.c gives "addr:port" or "[addr]:port". */
    snprintf(peer, sizeof peer, "%s", mm_conn_peer(s->c));
    colon = strrchr(peer, ':');
    if (colon != NULL)
        *colon = '\0';
    if (peer[0] == '[') {
        peer[strlen(peer) - 1] = '\0';
        snprintf(lit, sizeof lit, "[IPv6:%s]", peer + 1);
    } else {
        snprintf(lit, sizeof lit, "[%s]", peer);
    }
    n = snprintf(head, sizeof head,
                 "Return-Path: <%s>\r\n"
                 "Received: from %s (%s)\r\n"
                 "\tby %s (minimail) with %s id %s%s%s%s;\r\n"
                 "\t%s\r\n",
                 s->from, s->helo[0] ? s->helo : "unknown", lit,
                 mm_cfg.hostname, with_protocol(s, with, sizeof with),
                 s->dlv.name, s->nrcpt == 1 ? "\r\n\tfor <" : "",
                 s->nrcpt == 1 ? s->rcpt0 : "", s->nrcpt == 1 ? ">" : "",
                 date);
    if (n < 0 || (size_t)n >= sizeof head)
        n = 0;
    return md_deliver_write(&s->dlv, head, (size_t)n);
}

/* ====================================================================
 * AUTH (RFC 4954) with PLAIN (RFC 4616) and LOGIN. The machine decodes
 * the base64 framing; mailwire's sasl.h splits the PLAIN message. The
 * password is compared and forgotten: never logged, never kept.
 * ==================================================================== */

static int auth_result(smtp_sess *s, const char *name, size_t nlen,
                       const char *pw, size_t plen)
{
    const mm_user *u = users_find(name, nlen);
    s->auth_step = AUTH_NONE;
    if (u == NULL || !users_check(u, pw, plen)) {
        char shown[80];
        mm_log(s->c, "AUTH failed for \"%s\"",
               mm_printable(name, nlen, shown, sizeof shown));
        return mw_smtp_server_reply(&s->m, 535,
                                    "5.7.8 Authentication credentials invalid");
    }
    s->authed = u;
    mm_log(s->c, "AUTH ok: %s", u->name);
    return mw_smtp_server_reply(&s->m, 235, "2.7.0 Authentication successful");
}

static int auth_plain(smtp_sess *s, mw_span b64)
{
    char scratch[1024];
    mw_span authzid, authcid, passwd;
    int r = mw_sasl_plain_decode(b64.ptr, b64.len, MW_SASL_PLAIN_MAX_PART,
                                 scratch, sizeof scratch, &authzid, &authcid,
                                 &passwd, NULL);
    if (r != MW_OK) {
        s->auth_step = AUTH_NONE;
        return mw_smtp_server_reply(&s->m, 501,
                                    "5.5.2 Cannot decode the PLAIN response");
    }
    /* We let nobody act for somebody else: an authzid must name the
     * authenticating user itself (RFC 4616 §2). */
    if (authzid.len > 0 &&
        (authzid.len != authcid.len ||
         memcmp(authzid.ptr, authcid.ptr, authcid.len) != 0)) {
        s->auth_step = AUTH_NONE;
        return mw_smtp_server_reply(&s->m, 535,
                                    "5.7.8 Authorization identity refused");
    }
    r = auth_result(s, authcid.ptr, authcid.len, passwd.ptr, passwd.len);
    memset(scratch, 0, sizeof scratch);
    return r;
}

static int auth_login_step(smtp_sess *s, mw_span b64)
{
    char buf[256];
    size_t n = 0;
    int r;
    if (mw_sasl_login_decode(b64.ptr, b64.len, buf, sizeof buf - 1, &n,
                             NULL) != MW_OK) {
        s->auth_step = AUTH_NONE;
        return mw_smtp_server_reply(&s->m, 501, "5.5.2 Cannot decode the response");
    }
    if (s->auth_step == AUTH_LOGIN_USER) {
        memcpy(s->login_name, buf, n);
        s->login_name[n] = '\0';
        s->auth_step = AUTH_LOGIN_PASS;
        return mw_smtp_server_auth_challenge(&s->m, "Password:", 9);
    }
    r = auth_result(s, s->login_name, strlen(s->login_name), buf, n);
    memset(buf, 0, sizeof buf);
    return r;
}

static int on_auth(smtp_sess *s, const mw_smtp_cmd *cmd)
{
    if (s->authed != NULL)
        return mw_smtp_server_reply(&s->m, 503, "5.5.1 Already authenticated");
    /* Passwords in clear only on loopback, or when no TLS exists to
     * protect them (RFC 4954 §4 and §6: 538 asks for STARTTLS first). */
    if (mm_tls_available() && !mm_conn_tls(s->c) && !mm_conn_loopback(s->c))
        return mw_smtp_server_reply(&s->m, 538,
                                    "5.7.11 Encryption required: STARTTLS first");
    if (span_ieq(cmd->arg, "PLAIN")) {
        s->auth_step = AUTH_PLAIN;
        if (cmd->has_initial)
            return auth_plain(s, cmd->auth_initial.b64);
        return mw_smtp_server_auth_challenge(&s->m, NULL, 0);
    }
    if (span_ieq(cmd->arg, "LOGIN")) {
        s->auth_step = AUTH_LOGIN_USER;
        if (cmd->has_initial)
            return auth_login_step(s, cmd->auth_initial.b64);
        return mw_smtp_server_auth_challenge(&s->m, "Username:", 9);
    }
    return mw_smtp_server_reply(&s->m, 504,
                                "5.5.4 Unrecognized authentication type");
}

/* ====================================================================
 * Machine callbacks
 * ==================================================================== */

static int on_send(mw_smtp_server *m, void *user, const char *p, size_t n)
{
    smtp_sess *s = user;
    (void)m;
    return mm_conn_send(s->c, p, n) == 0 ? 0 : -1;
}

/* RCPT: a local user by the local part of the address, whatever the
 * domain (minimail never relays: every recipient it accepts is one of its
 * Maildirs). "<Postmaster>" goes to the first user (RFC 5321 §4.5.1). */
static int on_rcpt(smtp_sess *s, const mw_smtp_cmd *cmd)
{
    char local[256];
    size_t n = 0;
    mm_user *u;
    unsigned i;

    if (cmd->path.flags & MW_SMTP_PATH_POSTMASTER) {
        u = users_get(0);
    } else {
        if (mw_smtp_unquote(cmd->path.local, local, sizeof local, &n) != MW_OK)
            n = 0;
        u = users_find(local, n);
        if (u == NULL && span_ieq(cmd->path.local, "POSTMASTER"))
            u = users_get(0);
    }
    if (u == NULL) {
        char shown[320];
        mm_log(s->c, "RCPT refused: <%s>",
               mm_printable(cmd->path.mailbox.ptr, cmd->path.mailbox.len,
                            shown, sizeof shown));
        return mw_smtp_server_reply(&s->m, 550,
                                    "5.1.1 No such user here");
    }
    for (i = 0; i < s->nrcpt; i++)
        if (s->rcpt[i] == u) /* the same mailbox twice: deliver once */
            return mw_smtp_server_reply_default(&s->m);
    if (s->nrcpt == MAX_RCPT)
        return mw_smtp_server_reply(&s->m, 452, "4.5.3 Too many recipients");
    if (s->nrcpt == 0)
        copy_span(s->rcpt0, sizeof s->rcpt0, cmd->path.mailbox);
    s->rcpt[s->nrcpt++] = u;
    return mw_smtp_server_reply_default(&s->m);
}

static void log_command(smtp_sess *s, const mw_smtp_cmd *cmd)
{
    char shown[320];
    if (!mm_verbose)
        return;
    if (cmd->verb == MW_SMTP_CMD_AUTH) /* never the credentials */
        mm_log(s->c, "C: AUTH %s%s",
               mm_printable(cmd->arg.ptr, cmd->arg.len, shown, sizeof shown),
               cmd->has_initial ? " [initial response]" : "");
    else
        mm_log(s->c, "C: %s",
               mm_printable(cmd->line.ptr, cmd->line.len, shown, sizeof shown));
}

static int on_command(mw_smtp_server *m, void *user, const mw_smtp_cmd *cmd)
{
    smtp_sess *s = user;
    int r;
    log_command(s, cmd);
    switch (cmd->verb) {
    case MW_SMTP_CMD_EHLO:
    case MW_SMTP_CMD_HELO:
        /* A new greeting resets the transaction (RFC 5321 §4.1.4). */
        end_transaction(s);
        copy_span(s->helo, sizeof s->helo, cmd->arg);
        s->esmtp = cmd->verb == MW_SMTP_CMD_EHLO;
        r = mw_smtp_server_reply_default(m);
        break;
    case MW_SMTP_CMD_MAIL:
        end_transaction(s);
        copy_span(s->from, sizeof s->from, cmd->path.mailbox);
        s->utf8 = (cmd->mail.present & MW_SMTP_MAIL_SMTPUTF8) != 0;
        r = mw_smtp_server_reply_default(m);
        break;
    case MW_SMTP_CMD_RCPT:
        r = on_rcpt(s, cmd);
        break;
    case MW_SMTP_CMD_DATA:
        /* Open the file now so that a full disk is a 451 before the
         * client sends megabytes (BDAT opens it at the first chunk). */
        if (open_delivery(s) != 0) {
            if (s->dlv_open) /* a retried DATA starts afresh */
                md_deliver_abort(&s->dlv);
            s->dlv_open = 0;
            r = mw_smtp_server_reply(m, 451, "4.3.0 Cannot store the message now");
        } else {
            r = mw_smtp_server_reply_default(m); /* 354 */
        }
        break;
    case MW_SMTP_CMD_RSET:
        end_transaction(s);
        r = mw_smtp_server_reply_default(m);
        break;
    case MW_SMTP_CMD_AUTH:
        r = on_auth(s, cmd);
        break;
    case MW_SMTP_CMD_STARTTLS:
        /* Offered only when TLS is configured. The 220 goes out, then
         * net.c runs the handshake; tls_ready() tells the machine. */
        r = mw_smtp_server_reply(m, 220, "2.0.0 Ready to start TLS");
        if (r == MW_OK)
            mm_conn_start_tls(s->c);
        break;
    case MW_SMTP_CMD_QUIT:
        r = mw_smtp_server_reply_default(m); /* 221 */
        break;
    default:
        r = mw_smtp_server_reply_default(m);
        break;
    }
    return pace(s, r);
}

static int on_auth_response(mw_smtp_server *m, void *user,
                            const mw_smtp_sasl *resp)
{
    smtp_sess *s = user;
    (void)m;
    if (s->auth_step == AUTH_PLAIN)
        return pace(s, auth_plain(s, resp->b64));
    return pace(s, auth_login_step(s, resp->b64));
}

static int on_data(mw_smtp_server *m, void *user, const char *p, size_t n)
{
    smtp_sess *s = user;
    (void)m;
    if (s->dlv_broken)
        return 0; /* refused at the end: the machine reads the data on */
    if ((!s->dlv_open && open_delivery(s) != 0) ||
        md_deliver_write(&s->dlv, p, n) != 0)
        s->dlv_broken = 1;
    return 0;
}

/* The message is committed (`ok`, as `name` in new/) or could not be:
 * log it, tell IMAP, answer the end of data. */
static int answer_delivery(smtp_sess *s, int ok, const char *name)
{
    char text[400], list[512];
    unsigned i;
    size_t used = 0;
    int r;

    s->dlv_open = 0;
    if (!ok) {
        end_transaction(s);
        mm_log(s->c, "delivery failed");
        return mw_smtp_server_reply(&s->m, 451,
                                    "4.3.0 Could not store the message");
    }
    list[0] = '\0';
    for (i = 0; i < s->nrcpt && used + 70 < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                 i ? "," : "", s->rcpt[i]->name);
    mm_log(s->c, "delivered <%s> to %s: %llu bytes, %s", s->from, list,
           (unsigned long long)s->dlv.bytes, name);
    for (i = 0; i < s->nrcpt; i++) /* IMAP sessions in IDLE learn of it */
        mm_imap_notify(s->rcpt[i]->maildir);
    s->messages++;
    end_transaction(s);
    snprintf(text, sizeof text, "2.0.0 Ok: queued as %.200s", name);
    r = mw_smtp_server_reply(&s->m, 250, text);
    return r;
}

/* ====================================================================
 * Group commit. With fsync on (the default), a 250 after the data
 * promises the message is on disk (RFC 5321 §6.1). Forcing each message
 * to disk alone takes milliseconds during which this one-thread server
 * serves nobody: a hundred clients would queue for a disk flush each.
 * So on_data_end() does not answer at once: it puts the session on the
 * list of this round's messages and returns MW_PAUSED (the machine owes
 * the reply and reads nothing more from that client meanwhile; net.c
 * keeps its input). Once per round of the loop, after every connection
 * was served, commit_round() commits every message on the list together
 * (md_deliver_commit_all: two disk flushes for the lot), answers each
 * one, and wakes its connection. This is mailwire's "reply later": the
 * machine does not care when the reply comes.
 * ==================================================================== */

static smtp_sess *commit_list; /* this round's messages */
static int hooked;             /* commit_round() is net.c's round hook */

/* One item of a group: the delivery, its other recipients' Maildirs
 * (into `more`, MAX_RCPT entries) and where its name goes. */
static void commit_item(smtp_sess *s, md_commit *c, const char **more,
                        char *name)
{
    unsigned i;
    for (i = 1; i < s->nrcpt; i++)
        more[i - 1] = s->rcpt[i]->maildir;
    c->d = &s->dlv;
    c->more = more;
    c->nmore = s->nrcpt - 1;
    c->name_out = name;
    c->result = -1;
}

/* The round hook (net.h): returns the number of sessions answered. */
static int commit_round(void)
{
    smtp_sess *list = commit_list, *s, *next;
    size_t n = 0, i;
    md_commit *c;
    const char **more;
    char(*names)[MD_NAME_MAX];

    if (list == NULL)
        return 0;
    commit_list = NULL;
    for (s = list; s != NULL; s = s->next_commit)
        n++;
    c = malloc(n * sizeof *c);
    more = malloc(n * MAX_RCPT * sizeof *more);
    names = malloc(n * sizeof *names);
    if (c != NULL && more != NULL && names != NULL) {
        for (i = 0, s = list; s != NULL; s = s->next_commit, i++)
            commit_item(s, &c[i], more + i * MAX_RCPT, names[i]);
        md_deliver_commit_all(c, n);
    }
    for (i = 0, s = list; s != NULL; s = next, i++) {
        next = s->next_commit;
        s->next_commit = NULL;
        s->committing = 0;
        if (c != NULL && more != NULL && names != NULL) {
            answer_delivery(s, c[i].result == 0, names[i]);
        } else { /* out of memory: one at a time */
            md_commit one;
            const char *more1[MAX_RCPT];
            char name1[MD_NAME_MAX];
            commit_item(s, &one, more1, name1);
            md_deliver_commit_all(&one, 1);
            answer_delivery(s, one.result == 0, name1);
        }
        mm_conn_wake(s->c);
    }
    free(c);
    free(more);
    free(names);
    return (int)n;
}

static int on_data_end(mw_smtp_server *m, void *user, int status)
{
    smtp_sess *s = user;
    md_commit one;
    const char *more[MAX_RCPT];
    char name[MD_NAME_MAX];

    if (status != MW_OK) {
        /* The machine has refused the message already (bare LF, too big). */
        mm_log(s->c, "message refused: %s", mw_strerror(status));
        end_transaction(s);
        return 0;
    }
    if (s->dlv_broken || (!s->dlv_open && open_delivery(s) != 0)) {
        end_transaction(s);
        return pace(s, mw_smtp_server_reply(m, 451,
                                            "4.3.0 Could not store the message"));
    }
    if (md_fsync && hooked) { /* the reply comes from commit_round() */
        s->committing = 1;
        s->next_commit = commit_list;
        commit_list = s;
        return MW_PAUSED;
    }
    commit_item(s, &one, more, name);
    md_deliver_commit_all(&one, 1);
    return pace(s, answer_delivery(s, one.result == 0, name));
}

static int on_error(mw_smtp_server *m, void *user, int status, size_t offset,
                    const char *reason)
{
    smtp_sess *s = user;
    (void)m;
    if (mm_verbose || status == MW_E_TLS_LEFTOVER)
        mm_log(s->c, "protocol error at byte %lu: %s (%s)",
               (unsigned long)offset, reason, mw_status_name(status));
    return 0;
}

/* ====================================================================
 * The mm_proto entry points
 * ==================================================================== */

static int smtp_open(mm_conn *c)
{
    static const char *const no_lines[] = {NULL};
    mw_smtp_server_config cfg;
    mw_smtp_server_callbacks cb;
    smtp_sess *s;
    if (!hooked) /* the group commit runs once per round of the loop */
        hooked = mm_add_round_hook(commit_round) == 0;
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return MM_ABORT;
    s->c = c;
    mm_conn_set_session(c, s);

    mw_smtp_server_config_init(&cfg);
    cfg.hostname = mm_cfg.hostname;
    cfg.extensions = MW_SMTP_EXT_PIPELINING | MW_SMTP_EXT_SIZE |
                     MW_SMTP_EXT_8BITMIME | MW_SMTP_EXT_SMTPUTF8 |
                     MW_SMTP_EXT_CHUNKING | MW_SMTP_EXT_AUTH |
                     MW_SMTP_EXT_ENHANCEDSTATUSCODES;
    if (mm_tls_available())
        cfg.extensions |= MW_SMTP_EXT_STARTTLS;
    cfg.auth_mechanisms = "PLAIN LOGIN";
    cfg.ehlo_lines = no_lines;
    cfg.max_message_size = mm_cfg.max_size;
    /* RFC 5321 §4.5.3.1: "implementation techniques that impose no limits
     * on the length of these objects should be used": long text lines are
     * stored as they come. */
    cfg.max_text_line = 0;
    /* Clients that say "EHLO my_laptop" are common; the name only goes
     * into the Received field. */
    cfg.flags |= MW_SMTP_SERVER_LENIENT_HELO;

    memset(&cb, 0, sizeof cb);
    cb.send = on_send;
    cb.command = on_command;
    cb.data = on_data;
    cb.data_end = on_data_end;
    cb.auth_response = on_auth_response;
    cb.error = on_error;
    if (mw_smtp_server_init(&s->m, &cfg, &cb, s, s->line, sizeof s->line) !=
            MW_OK ||
        mw_smtp_server_start(&s->m, "ESMTP minimail ready") != MW_OK)
        return MM_ABORT;
    return MM_GO;
}

/* What the machine's feed result means for net.c. */
static int outcome(smtp_sess *s, int r)
{
    if (r == MW_OK)
        return MM_GO;
    if (r == MW_PAUSED)
        return MM_WAIT;
    if (r == MW_DONE)
        return MM_CLOSE;
    {
        mw_error e;
        mw_smtp_server_error(&s->m, &e);
        mm_log(s->c, "session ended: %s (%s)", mw_strerror(r),
               e.reason != NULL ? e.reason : "");
    }
    return MM_ABORT;
}

static int smtp_input(mm_conn *c, const char *p, size_t n, size_t *used)
{
    smtp_sess *s = mm_conn_session(c);
    return outcome(s, mw_smtp_server_feed(&s->m, p, n, used));
}

static int smtp_resume(mm_conn *c)
{
    smtp_sess *s = mm_conn_session(c);
    /* We wait for the output queue to drain, or for the group commit
     * (which wakes us when it has answered). */
    return s->committing ? MM_WAIT : MM_GO;
}

static int smtp_tls_ready(mm_conn *c)
{
    smtp_sess *s = mm_conn_session(c);
    /* RFC 3207 §4.2: the session starts over (no EHLO, no AUTH). */
    s->authed = NULL;
    s->helo[0] = '\0';
    end_transaction(s);
    return mw_smtp_server_tls_done(&s->m) == MW_OK ? MM_GO : MM_ABORT;
}

static void smtp_close(mm_conn *c, const char *why)
{
    smtp_sess *s = mm_conn_session(c);
    if (s == NULL)
        return;
    if (!(mw_smtp_server_want(&s->m) & MW_SMTP_SERVER_WANT_CLOSED) &&
        mw_smtp_server_eof(&s->m) == MW_E_INCOMPLETE)
        mm_log(c, "connection lost inside a command or message");
    if (s->committing) { /* gone before the commit: off the list */
        smtp_sess **p = &commit_list;
        while (*p != s)
            p = &(*p)->next_commit;
        *p = s->next_commit;
    }
    end_transaction(s);
    mm_log(c, "close (%s), %u message%s received", why, s->messages,
           s->messages == 1 ? "" : "s");
    free(s);
}

/* RFC 5321 §4.5.3.2.7: a server should wait at least 5 minutes for the
 * next command. */
const mm_proto mm_smtp_proto = {"smtp",       300,          smtp_open,
                                smtp_input,   smtp_resume,  smtp_tls_ready,
                                smtp_close};

#else
typedef int minimail_smtp_session_unused; /* ISO C: no empty file */
#endif /* MW_ENABLE_SMTP_SERVER */
