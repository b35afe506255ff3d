/* SPDX-License-Identifier: MIT */
/*
 * mailfetch's POP3 part, on mailwire's POP3 client machine (pop3.h).
 *
 * The session, as the replies drive it:
 *
 *   greeting -> CAPA -> USER/PASS (or APOP, or AUTH PLAIN when asked or
 *   when the server lists SASL PLAIN and no USER) -> STAT -> for each message:
 *   RETR n (body streamed to the Maildir) -> DELE n once stored -> QUIT
 *
 * The machine formats every command, matches every reply to its command
 * (also when several are in flight: with PIPELINING in CAPA, DELE n and
 * RETR n+1 go out together, RFC 2449 §6.6), parses STAT's numbers, and
 * hands over each RETR body unstuffed (RFC 1939 §3) in chunks, as spans
 * of the bytes we read from the socket: they go straight to the file.
 *
 * Deletions are only sent for messages that are in new/; the server
 * performs them at QUIT (RFC 1939 §6). A lost connection deletes nothing.
 */
#define _POSIX_C_SOURCE 200809L

#include "fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if MW_ENABLE_POP3_CLIENT

enum { P_GREETING, P_CAPA, P_LOGIN, P_STAT, P_FETCH, P_QUIT, P_DONE, P_FAILED };

typedef struct pop3_run {
    fetch_job *j;
    mw_pop3_client c;
    char buf[MW_POP3_CLIENT_LINEBUF_SIZE]; /* the machine's line buffer */
    int phase;
    int result;          /* FX_ status once decided */
    uint32_t next_retr;  /* next message number to fetch */
    int retr_busy;       /* a RETR answer is in progress */
    uint32_t *dele;      /* stored messages, to delete in order */
    size_t ndele, dele_sent;
    int hangup;          /* give up without waiting for the server */
} pop3_run;

static void fail(pop3_run *r, int status, const char *what,
                 const mw_pop3_reply *rep)
{
    if (r->phase == P_FAILED)
        return;
    r->phase = P_FAILED;
    r->result = status;
    if (rep != NULL)
        fprintf(stderr, "mailfetch: %s: %s %s%.*s%s%.*s\n", what,
                rep->ok ? "+OK" : "-ERR", rep->code_text.len ? "[" : "",
                (int)rep->code_text.len, rep->code_text.ptr,
                rep->code_text.len ? "] " : "", (int)rep->text.len,
                rep->text.ptr);
    else
        fprintf(stderr, "mailfetch: %s\n", what);
    /* Leave politely: QUIT ends the session without deleting anything we
     * have not stored (only stored messages were ever marked). When even
     * that cannot be sent now, just hang up. */
    if (mw_pop3_client_quit(&r->c) != MW_OK)
        r->hangup = 1;
}

/* Storing failed: stop at once. Returning -1 from the callback kills the
 * machine, so no QUIT: the server deletes nothing (RFC 1939 §6). */
static int broken(pop3_run *r)
{
    r->phase = P_FAILED;
    r->result = FX_PARTIAL;
    r->hangup = 1;
    return -1;
}

/* Log in, once the capabilities are known (or CAPA was refused). */
static void login(pop3_run *r)
{
    fetch_job *j = r->j;
    const mw_pop3_capa *capa = mw_pop3_client_capabilities(&r->c);
    size_t ul = strlen(j->user), pl = strlen(j->pass);
    int rc;
    r->phase = P_LOGIN;
    if (j->apop)
        rc = mw_pop3_client_apop(&r->c, j->user, ul, j->pass, pl);
    else if (j->sasl || ((capa->flags & MW_POP3_CAPA_KNOWN) &&
                         !(capa->flags & MW_POP3_CAPA_USER) &&
                         (capa->sasl & MW_POP3_SASL_PLAIN)))
        rc = mw_pop3_client_auth_plain(&r->c, NULL, 0, j->user, ul, j->pass, pl);
    else
        rc = mw_pop3_client_user(&r->c, j->user, ul);
    if (rc != MW_OK)
        fail(r, FX_REFUSED,
             rc == MW_E_STATE && j->apop
                 ? "the server offers no APOP (no timestamp in its greeting)"
                 : "cannot send the login (bad user name or password?)",
             NULL);
}

/* Send what can be sent now: pending deletions, the next RETR, QUIT. */
static void step(pop3_run *r)
{
    fetch_job *j = r->j;
    while (r->phase == P_FETCH &&
           (mw_pop3_client_want(&r->c) & MW_POP3_WANT_SEND)) {
        if (!j->keep && r->dele_sent < r->ndele) {
            if (mw_pop3_client_dele(&r->c, r->dele[r->dele_sent]) != MW_OK)
                break;
            r->dele_sent++;
        } else if (!r->retr_busy && r->next_retr <= j->total) {
            if (mw_pop3_client_retr(&r->c, r->next_retr) != MW_OK)
                break;
            r->next_retr++;
            r->retr_busy = 1;
        } else if (!r->retr_busy) {
            if (mw_pop3_client_quit(&r->c) == MW_OK)
                r->phase = P_QUIT;
            break;
        } else {
            break;
        }
    }
}

/* ====================================================================
 * Callbacks of the POP3 client machine
 * ==================================================================== */

static int on_send(mw_pop3_client *c, void *user, const char *p, size_t n)
{
    pop3_run *r = user;
    (void)c;
    if (r->j->verbose) {
        size_t k = n >= 2 && p[n - 2] == '\r' ? n - 2 : n;
        if (k >= 5 && (strncmp(p, "PASS ", 5) == 0 || strncmp(p, "AUTH ", 5) == 0))
            fprintf(stderr, "C: %.4s ****\n", p);
        else if (k >= 5 && strncmp(p, "APOP ", 5) == 0)
            fprintf(stderr, "C: APOP %s ****\n", r->j->user);
        else if (r->phase != P_LOGIN || k < 5 || strncmp(p, "USER ", 5) == 0)
            fprintf(stderr, "C: %.*s\n", (int)k, p);
        else
            fprintf(stderr, "C: ****\n"); /* a SASL continuation */
    }
    return fetch_write(r->j, p, n) == 0 ? 0 : -1;
}

static int on_reply(mw_pop3_client *c, void *user, const mw_pop3_reply *rep)
{
    pop3_run *r = user;
    fetch_job *j = r->j;
    if (j->verbose)
        fprintf(stderr, "S: %s %.*s\n", rep->ok ? "+OK" : "-ERR",
                (int)rep->text.len, rep->text.ptr);
    if (r->phase == P_FAILED)
        return 0;
    switch (rep->cmd) {
    case MW_POP3_CMD_NONE:
        if (!rep->ok) {
            fail(r, FX_REFUSED, "the server refused the session", rep);
        } else if (r->phase == P_GREETING) {
            r->phase = P_CAPA;
            if (mw_pop3_client_capa(c) != MW_OK)
                login(r);
        }
        break;
    case MW_POP3_CMD_CAPA:
        if (!rep->ok) /* an RFC 1939 server without CAPA */
            login(r);
        break; /* else: login at the end of the list */
    case MW_POP3_CMD_USER:
        if (!rep->ok)
            fail(r, FX_REFUSED, "login refused", rep);
        else if (mw_pop3_client_pass(c, j->pass, strlen(j->pass)) != MW_OK)
            fail(r, FX_REFUSED, "cannot send the password", NULL);
        break;
    case MW_POP3_CMD_PASS:
    case MW_POP3_CMD_APOP:
    case MW_POP3_CMD_AUTH:
        if (!rep->ok) {
            fail(r, FX_REFUSED, "login refused", rep);
        } else {
            r->phase = P_STAT;
            if (mw_pop3_client_stat(c) != MW_OK)
                fail(r, FX_NETWORK, "cannot send STAT", NULL);
        }
        break;
    case MW_POP3_CMD_STAT:
        if (!rep->ok) {
            fail(r, FX_REFUSED, "STAT refused", rep);
            break;
        }
        j->total = rep->count;
        r->next_retr = 1;
        r->dele = calloc(rep->count > 0 ? rep->count : 1, sizeof *r->dele);
        if (r->dele == NULL) {
            fail(r, FX_NETWORK, "out of memory", NULL);
            break;
        }
        r->phase = P_FETCH;
        fetch_progress(j, 0);
        break;
    case MW_POP3_CMD_RETR:
        if (!rep->ok) {
            /* This one is skipped (and kept on the server). */
            fprintf(stderr, "mailfetch: message %lu: %.*s\n",
                    (unsigned long)rep->msg, (int)rep->text.len, rep->text.ptr);
            j->failed++;
            r->retr_busy = 0;
        } else if (sink_begin(j) != 0) {
            return broken(r);
        }
        break;
    case MW_POP3_CMD_DELE:
        if (rep->ok)
            j->deleted++;
        else
            fprintf(stderr, "mailfetch: DELE %lu refused: %.*s\n",
                    (unsigned long)rep->msg, (int)rep->text.len, rep->text.ptr);
        break;
    case MW_POP3_CMD_QUIT:
        if (r->phase == P_QUIT) {
            r->phase = P_DONE;
            if (!rep->ok) {
                /* RFC 1939 §6: the deletions may not all have happened */
                fprintf(stderr, "mailfetch: QUIT: -ERR %.*s\n",
                        (int)rep->text.len, rep->text.ptr);
                j->deleted = 0;
                r->result = FX_PARTIAL;
            }
        }
        break;
    default:
        break;
    }
    return 0;
}

static int on_data(mw_pop3_client *c, void *user, const char *p, size_t n)
{
    pop3_run *r = user;
    (void)c;
    if (sink_write(r->j, p, n) != 0)
        return broken(r);
    fetch_progress(r->j, 0);
    return 0;
}

static int on_end(mw_pop3_client *c, void *user, int cmd)
{
    pop3_run *r = user;
    fetch_job *j = r->j;
    (void)c;
    if (cmd == MW_POP3_CMD_CAPA && r->phase == P_CAPA) {
        login(r);
    } else if (cmd == MW_POP3_CMD_RETR) {
        r->retr_busy = 0;
        if (sink_commit(j) != 0)
            return broken(r); /* stop before deleting anything */
        j->fetched++;
        r->dele[r->ndele++] = r->next_retr - 1;
        fetch_progress(j, 0);
    }
    return 0;
}

static int on_error(mw_pop3_client *c, void *user, int status, size_t offset,
                    const char *reason)
{
    pop3_run *r = user;
    (void)c;
    if (r->j->verbose || mw_is_fatal(status))
        fprintf(stderr, "mailfetch: %s (%s at byte %lu)\n", reason,
                mw_status_name(status), (unsigned long)offset);
    return 0;
}

/* ====================================================================
 * The session
 * ==================================================================== */

int fetch_pop3(fetch_job *j)
{
    static pop3_run run;
    static char in[64 * 1024];
    pop3_run *r = &run;
    mw_pop3_client_config cfg;
    mw_pop3_client_callbacks cb;
    int rc = MW_OK;

    memset(r, 0, sizeof *r);
    r->j = j;
    r->result = FX_OK;
    mw_pop3_client_config_init(&cfg);
    memset(&cb, 0, sizeof cb);
    cb.send = on_send;
    cb.reply = on_reply;
    cb.data = on_data;
    cb.end = on_end;
    cb.error = on_error;
    if (mw_pop3_client_init(&r->c, &cfg, &cb, r, r->buf, sizeof r->buf) !=
        MW_OK)
        return FX_NETWORK;

    while (!(mw_pop3_client_want(&r->c) & MW_POP3_WANT_CLOSED) && !r->hangup) {
        size_t off = 0;
        long n = fetch_read(j, in, sizeof in);
        if (n <= 0) {
            mw_pop3_client_eof(&r->c);
            break;
        }
        while (off < (size_t)n) {
            size_t used = 0;
            rc = mw_pop3_client_feed(&r->c, in + off, (size_t)n - off, &used);
            off += used;
            if (rc != MW_PAUSED)
                break;
        }
        if (rc < 0 || rc == MW_DONE)
            break;
        step(r); /* commands that became possible with these replies */
    }
    free(r->dele);
    r->dele = NULL;
    if (r->phase == P_FAILED)
        return r->result;
    if (r->phase != P_DONE) {
        mw_error e;
        mw_pop3_client_error(&r->c, &e);
        fprintf(stderr, "mailfetch: the session ended early%s%s\n",
                e.code != MW_OK ? ": " : "",
                e.code != MW_OK && e.reason != NULL ? e.reason : "");
        return FX_NETWORK;
    }
    if (r->result != FX_OK)
        return r->result;
    return j->failed > 0 ? FX_PARTIAL : FX_OK;
}

#else
typedef int mailfetch_pop3_unused; /* ISO C: no empty file */
#endif /* MW_ENABLE_POP3_CLIENT */
