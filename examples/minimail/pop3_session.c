/* SPDX-License-Identifier: MIT */
/*
 * minimail's POP3 side: one mw_pop3_server machine per connection,
 * serving a user's Maildir (RFC 1939 with CAPA, RFC 2449; STLS, RFC 2595,
 * when TLS is configured).
 *
 * The machine parses commands, enforces the RFC 1939 states (USER/PASS
 * or APOP before anything else), answers CAPA and bad commands itself,
 * and does the byte work of multi-line answers: dot-stuffing, CRLF line
 * ends, the final ".", TOP's "header plus n lines". This file decides:
 * whose password is right, which messages exist, what gets deleted.
 *
 * RETR and TOP stream the message file: reply_begin, then the file in
 * 64 KB pieces through mw_pop3_server_write() as long as the connection's
 * output queue is short; when it is long, we return and net.c calls
 * pop3_resume() once the client has read enough. The machine meanwhile
 * owes a reply, so it reads no further command: pipelined commands wait
 * their turn (RFC 2449 §6.6). A 100 MB message costs the same memory as
 * a 1 KB one.
 */
#define _POSIX_C_SOURCE 200809L

#include "minimail.h"
#include "maildir.h"
#include "users.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if MW_ENABLE_POP3_SERVER

/* Our only SASL-free command lines are short: RFC 2449 §4's 255 octets.
 * The machine needs max(max_line, max_auth_line) bytes of buffer. */
#define LINE_MAX_POP3 MW_POP3_CMD_LINE_MAX

typedef struct pop3_sess {
    mw_pop3_server m;
    char line[LINE_MAX_POP3];
    mm_conn *c;
    char user_name[65];  /* from USER */
    mm_user *user;       /* logged in as; holds user->locked */
    md_box box;          /* snapshot taken at login */
    int box_open;
    int fd;              /* RETR/TOP being streamed, or -1 */
    size_t streaming;    /* its index + 1, or 0 */
    unsigned retrieved;  /* RETR done in this session */
} pop3_sess;

static char chunk[64 * 1024]; /* one read() of a message file */

/* ====================================================================
 * The maildrop
 * ==================================================================== */

/* Message number (1-based, RFC 1939 §5) to index, if it names a message
 * that is not marked deleted. */
static int msg_index(pop3_sess *s, uint32_t msg, size_t *i)
{
    if (msg == 0 || msg > s->box.count || s->box.msgs[msg - 1].deleted)
        return 0;
    *i = msg - 1;
    return 1;
}

static int no_such(pop3_sess *s)
{
    return mw_pop3_server_reply(&s->m, 0, 0, "no such message");
}

/* The UIDL of a message: UID and UIDVALIDITY in hex, stable for as long
 * as the Maildir's .uidlist lives (RFC 1939 §7: a unique-id never
 * changes and is never reused within the maildrop). */
static void uidl_of(const pop3_sess *s, size_t i, char out[24])
{
    snprintf(out, 24, "%08lx%08lx", (unsigned long)s->box.msgs[i].uid,
             (unsigned long)s->box.uidvalidity);
}

/* Login after USER/PASS or APOP: lock the maildrop (RFC 1939 §4: an
 * exclusive-access lock) and take the snapshot. */
static int login(pop3_sess *s, mm_user *u)
{
    char text[80];
    uint64_t octets = 0;
    size_t i;
    if (u->locked) {
        mm_log(s->c, "login %s refused: maildrop in use", u->name);
        return mw_pop3_server_reply(&s->m, 0, MW_POP3_RC_IN_USE,
                                    "maildrop already locked");
    }
    if (md_box_open(&s->box, u->maildir) != 0) {
        mm_log(s->c, "cannot read %s", u->maildir);
        md_box_close(&s->box);
        return mw_pop3_server_reply(&s->m, 0, MW_POP3_RC_SYS_TEMP,
                                    "cannot open the maildrop");
    }
    s->box_open = 1;
    u->locked = 1;
    s->user = u;
    for (i = 0; i < s->box.count; i++)
        octets += s->box.msgs[i].size;
    mm_log(s->c, "login %s: %lu messages, %llu octets", u->name,
           (unsigned long)s->box.count, (unsigned long long)octets);
    snprintf(text, sizeof text, "%s has %lu messages (%llu octets)", u->name,
             (unsigned long)s->box.count, (unsigned long long)octets);
    return mw_pop3_server_reply(&s->m, 1, 0, text);
}

static int refuse_login(pop3_sess *s, const char *name)
{
    char shown[80];
    mm_log(s->c, "login failed for \"%s\"",
           mm_printable(name, strlen(name), shown, sizeof shown));
    return mw_pop3_server_reply(&s->m, 0, MW_POP3_RC_AUTH,
                                "invalid user name or password");
}

/* ====================================================================
 * Streaming RETR and TOP
 * ==================================================================== */

static void stop_stream(pop3_sess *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->streaming = 0;
}

/* Write file pieces while the output queue is short. MM_GO when the
 * answer is complete, MM_WAIT when there is more, MM_ABORT on error (a
 * multi-line answer cannot be turned into -ERR halfway: the connection
 * is dropped, and RFC 1939 §6 keeps every message since no QUIT came). */
static int stream(pop3_sess *s)
{
    while (s->streaming) {
        ssize_t n;
        int r;
        if (mm_conn_full(s->c))
            return MM_WAIT;
        n = read(s->fd, chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            mm_log(s->c, "read error: %s", strerror(errno));
            stop_stream(s);
            return MM_ABORT;
        }
        r = n == 0 ? MW_DONE : mw_pop3_server_write(&s->m, chunk, (size_t)n);
        if (r == MW_DONE) { /* end of file, or TOP has its lines */
            stop_stream(s);
            if (mw_pop3_server_reply_end(&s->m) != MW_OK)
                return MM_ABORT;
            break;
        }
        if (r != MW_OK) {
            stop_stream(s);
            return MM_ABORT;
        }
    }
    return MM_GO;
}

static int start_stream(pop3_sess *s, size_t i, int top)
{
    char path[MD_PATH_MAX], text[64];
    if (md_box_path(&s->box, i, path, sizeof path) != 0 ||
        (s->fd = open(path, O_RDONLY)) < 0) {
        s->fd = -1;
        mm_log(s->c, "cannot open message %lu", (unsigned long)i + 1);
        return mw_pop3_server_reply(&s->m, 0, MW_POP3_RC_SYS_TEMP,
                                    "message cannot be read");
    }
    if (top)
        snprintf(text, sizeof text, "top of message follows");
    else
        snprintf(text, sizeof text, "%llu octets",
                 (unsigned long long)s->box.msgs[i].size);
    if (mw_pop3_server_reply_begin(&s->m, text) != MW_OK) {
        stop_stream(s);
        return -1;
    }
    s->streaming = i + 1;
    if (!top)
        s->retrieved++;
    return stream(s) == MM_ABORT ? -1 : 0;
}

/* ====================================================================
 * Commands
 * ==================================================================== */

static int on_stat(pop3_sess *s)
{
    uint32_t n = 0;
    uint64_t octets = 0;
    size_t i;
    for (i = 0; i < s->box.count; i++)
        if (!s->box.msgs[i].deleted) {
            n++;
            octets += s->box.msgs[i].size;
        }
    return mw_pop3_server_reply_stat(&s->m, n, octets);
}

/* LIST and UIDL, with or without a message number. */
static int on_listing(pop3_sess *s, const mw_pop3_cmd *cmd)
{
    char uid[24];
    size_t i;
    int r, uidl = cmd->id == MW_POP3_CMD_UIDL;
    if (cmd->flags & MW_POP3_CMDF_HAS_MSG) {
        if (!msg_index(s, cmd->msg, &i))
            return no_such(s);
        if (!uidl)
            return mw_pop3_server_scan_listing(&s->m, cmd->msg,
                                               s->box.msgs[i].size);
        uidl_of(s, i, uid);
        return mw_pop3_server_uid_listing(&s->m, cmd->msg, uid);
    }
    if ((r = mw_pop3_server_reply_begin(&s->m, NULL)) != MW_OK)
        return r;
    for (i = 0; i < s->box.count; i++) {
        if (s->box.msgs[i].deleted)
            continue;
        if (uidl) {
            uidl_of(s, i, uid);
            r = mw_pop3_server_uid_listing(&s->m, (uint32_t)(i + 1), uid);
        } else {
            r = mw_pop3_server_scan_listing(&s->m, (uint32_t)(i + 1),
                                            s->box.msgs[i].size);
        }
        if (r != MW_OK)
            return r;
    }
    return mw_pop3_server_reply_end(&s->m);
}

/* QUIT in TRANSACTION: the UPDATE state (RFC 1939 §6) removes the
 * messages marked deleted, then the lock goes. */
static int on_quit(pop3_sess *s)
{
    size_t i, gone = 0, failed = 0;
    if (s->user == NULL)
        return mw_pop3_server_reply(&s->m, 1, 0, "bye");
    for (i = 0; i < s->box.count; i++) {
        if (!s->box.msgs[i].deleted)
            continue;
        if (md_box_remove(&s->box, i) == 0)
            gone++;
        else
            failed++;
    }
    mm_log(s->c, "QUIT: %lu retrieved, %lu deleted%s", (unsigned long)s->retrieved,
           (unsigned long)gone, failed ? ", some deletions failed" : "");
    if (failed)
        return mw_pop3_server_reply(&s->m, 0, MW_POP3_RC_SYS_TEMP,
                                    "some deleted messages not removed");
    return mw_pop3_server_reply(&s->m, 1, 0, "bye");
}

static int on_command(mw_pop3_server *m, void *user, const mw_pop3_cmd *cmd)
{
    pop3_sess *s = user;
    mm_user *u;
    size_t i;
    int r;

    if (mm_verbose) {
        if (cmd->id == MW_POP3_CMD_PASS) /* never the password */
            mm_log(s->c, "C: PASS ****");
        else if (cmd->id == MW_POP3_CMD_TOP)
            mm_log(s->c, "C: TOP %lu %lu", (unsigned long)cmd->msg,
                   (unsigned long)cmd->lines);
        else if (cmd->msg != 0)
            mm_log(s->c, "C: %s %lu", mw_pop3_cmd_name(cmd->id),
                   (unsigned long)cmd->msg);
        else {
            char shown[80];
            mm_log(s->c, "C: %s%s%s", mw_pop3_cmd_name(cmd->id),
                   cmd->arg.len ? " " : "",
                   mm_printable(cmd->arg.ptr, cmd->arg.len, shown, sizeof shown));
        }
    }
    switch (cmd->id) {
    case MW_POP3_CMD_USER:
        /* Always +OK: whether a name exists is not told before the
         * password (RFC 1939 §13 worries about probing). */
        if (cmd->arg.len >= sizeof s->user_name)
            s->user_name[0] = '\0';
        else {
            memcpy(s->user_name, cmd->arg.ptr, cmd->arg.len);
            s->user_name[cmd->arg.len] = '\0';
        }
        r = mw_pop3_server_reply(m, 1, 0, "send your password");
        break;
    case MW_POP3_CMD_PASS:
        u = users_find(s->user_name, strlen(s->user_name));
        if (u == NULL || !users_check(u, cmd->arg.ptr, cmd->arg.len))
            r = refuse_login(s, s->user_name);
        else
            r = login(s, u);
        break;
    case MW_POP3_CMD_APOP:
        u = users_find(cmd->arg.ptr, cmd->arg.len);
        if (u == NULL || mw_pop3_server_apop_check(m, u->password,
                                                   strlen(u->password)) != MW_OK) {
            char name[65];
            size_t n = cmd->arg.len < 64 ? cmd->arg.len : 64;
            memcpy(name, cmd->arg.ptr, n);
            name[n] = '\0';
            r = refuse_login(s, name);
        } else {
            r = login(s, u);
        }
        break;
    case MW_POP3_CMD_STAT:
        r = on_stat(s);
        break;
    case MW_POP3_CMD_LIST:
    case MW_POP3_CMD_UIDL:
        r = on_listing(s, cmd);
        break;
    case MW_POP3_CMD_RETR:
    case MW_POP3_CMD_TOP:
        if (!msg_index(s, cmd->msg, &i))
            r = no_such(s);
        else
            r = start_stream(s, i, cmd->id == MW_POP3_CMD_TOP);
        break;
    case MW_POP3_CMD_DELE:
        if (!msg_index(s, cmd->msg, &i)) {
            r = no_such(s);
        } else {
            s->box.msgs[i].deleted = 1;
            r = mw_pop3_server_reply(m, 1, 0, "marked to be deleted");
        }
        break;
    case MW_POP3_CMD_RSET:
        for (i = 0; i < s->box.count; i++)
            s->box.msgs[i].deleted = 0;
        r = mw_pop3_server_reply(m, 1, 0, NULL);
        break;
    case MW_POP3_CMD_NOOP:
        r = mw_pop3_server_reply(m, 1, 0, NULL);
        break;
    case MW_POP3_CMD_QUIT:
        r = on_quit(s);
        break;
    case MW_POP3_CMD_STLS:
        /* Listed only when TLS is configured; the +OK goes out, then
         * net.c does the handshake and calls pop3_tls_ready(). */
        r = mw_pop3_server_reply(m, 1, 0, "begin TLS negotiation");
        if (r == MW_OK)
            mm_conn_start_tls(s->c);
        break;
    default:
        r = mw_pop3_server_reply(m, 0, 0, "not supported");
        break;
    }
    if (r < 0)
        return -1;
    /* Stop feeding while a message streams or the queue is long. */
    return s->streaming || mm_conn_full(s->c) ? MW_PAUSED : 0;
}

static int on_send(mw_pop3_server *m, void *user, const char *p, size_t n)
{
    pop3_sess *s = user;
    (void)m;
    return mm_conn_send(s->c, p, n) == 0 ? 0 : -1;
}

static int on_error(mw_pop3_server *m, void *user, int status, size_t offset,
                    const char *reason)
{
    pop3_sess *s = user;
    (void)m;
    if (mm_verbose || status == MW_E_TLS_LEFTOVER)
        mm_log(s->c, "protocol error at byte %lu: %s (%s)",
               (unsigned long)offset, reason, mw_status_name(status));
    return 0;
}

/* ====================================================================
 * The mm_proto entry points
 * ==================================================================== */

/* An APOP timestamp part must be atext and dots (mailwire checks it):
 * use the host name only when it qualifies. */
static const char *apop_host(void)
{
    const char *h = mm_cfg.hostname;
    size_t i;
    for (i = 0; h[i] != '\0'; i++) {
        char c = h[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '.'))
            return "localhost";
    }
    return i > 0 && h[0] != '.' && h[i - 1] != '.' ? h : "localhost";
}

static int pop3_open(mm_conn *c)
{
    mw_pop3_server_config cfg;
    mw_pop3_server_callbacks cb;
    pop3_sess *s = calloc(1, sizeof *s);
    int r;
    if (s == NULL)
        return MM_ABORT;
    s->c = c;
    s->fd = -1;
    mm_conn_set_session(c, s);

    mw_pop3_server_config_init(&cfg);
    cfg.max_line = LINE_MAX_POP3;
    cfg.max_auth_line = LINE_MAX_POP3; /* no SASL offered */
    cfg.implementation = "minimail";
    if (mm_cfg.apop)
        cfg.flags |= MW_POP3_SERVER_APOP;
    if (mm_tls_available()) {
        cfg.flags |= MW_POP3_SERVER_STLS;
        /* Passwords in clear only on loopback when TLS could protect
         * them (RFC 2595 §2.2 recommends exactly this). */
        if (!mm_conn_loopback(c))
            cfg.flags |= MW_POP3_SERVER_AUTH_NEEDS_TLS;
    }
    memset(&cb, 0, sizeof cb);
    cb.send = on_send;
    cb.command = on_command;
    cb.error = on_error;
    if (mw_pop3_server_init(&s->m, &cfg, &cb, s, s->line, sizeof s->line) !=
        MW_OK)
        return MM_ABORT;
    if (mm_cfg.apop) {
        /* RFC 1939 §7: the timestamp must differ for every greeting. The
         * library has no clock: we give it the process id, the time and
         * the connection number, which never repeat together. */
        char id[24], stamp[48];
        snprintf(id, sizeof id, "%ld", (long)getpid());
        snprintf(stamp, sizeof stamp, "%lld.%lu", (long long)time(NULL),
                 mm_conn_id(c));
        r = mw_pop3_server_start_apop(&s->m, "minimail POP3 ready", id, stamp,
                                      apop_host());
    } else {
        r = mw_pop3_server_start(&s->m, "minimail POP3 ready");
    }
    return r == MW_OK ? MM_GO : MM_ABORT;
}

static int pop3_input(mm_conn *c, const char *p, size_t n, size_t *used)
{
    pop3_sess *s = mm_conn_session(c);
    int r = mw_pop3_server_feed(&s->m, p, n, used);
    if (r == MW_OK)
        return s->streaming ? MM_WAIT : MM_GO;
    if (r == MW_PAUSED)
        return MM_WAIT;
    if (r == MW_DONE)
        return MM_CLOSE;
    mm_log(c, "session ended: %s", mw_strerror(r));
    return MM_ABORT;
}

static int pop3_resume(mm_conn *c)
{
    pop3_sess *s = mm_conn_session(c);
    if (s->streaming)
        return stream(s);
    return MM_GO;
}

static int pop3_tls_ready(mm_conn *c)
{
    pop3_sess *s = mm_conn_session(c);
    s->user_name[0] = '\0';
    return mw_pop3_server_tls_done(&s->m) == MW_OK ? MM_GO : MM_ABORT;
}

static void pop3_close(mm_conn *c, const char *why)
{
    pop3_sess *s = mm_conn_session(c);
    if (s == NULL)
        return;
    /* No QUIT, no UPDATE: nothing is deleted (RFC 1939 §6). */
    if (!(mw_pop3_server_want(&s->m) & MW_POP3_WANT_CLOSED))
        (void)mw_pop3_server_eof(&s->m);
    stop_stream(s);
    if (s->user != NULL)
        s->user->locked = 0;
    if (s->box_open)
        md_box_close(&s->box);
    mm_log(c, "close (%s)", why);
    free(s);
}

/* RFC 1939 §3: an autologout timer of at least 10 minutes. */
const mm_proto mm_pop3_proto = {"pop3",       600,          pop3_open,
                                pop3_input,   pop3_resume,  pop3_tls_ready,
                                pop3_close};

#else
typedef int minimail_pop3_session_unused; /* ISO C: no empty file */
#endif /* MW_ENABLE_POP3_SERVER */
