/* SPDX-License-Identifier: MIT */
/*
 * mailfetch's IMAP part, on mailwire's IMAP client machine
 * (imap_client.h, responses in imap_response.h).
 *
 * The session, as the tagged responses drive it:
 *
 *   greeting -> LOGIN -> SELECT mailbox (EXAMINE with --keep)
 *   -> UID FETCH 1:* (UID RFC822.SIZE)          the list of messages
 *   -> for each: UID FETCH uid (BODY.PEEK[])     body streamed to the Maildir
 *   -> UID STORE stored +FLAGS.SILENT (\Deleted) (unless --keep)
 *      and UID EXPUNGE stored (RFC 4315; plain EXPUNGE without UIDPLUS)
 *   -> LOGOUT
 *
 * The machine formats every command (tags, strings as atom, quoted
 * string or literal, the sets built with mw_imap_seqbuf), matches each
 * tagged response to its command (`status` with the command's id and
 * handle), parses the FETCH responses item by item, and hands a body
 * section over as spans of the bytes we read from the socket, however
 * large the literal: they go straight to the file (BODY.PEEK, so that
 * fetching does not set \Seen, RFC 9051 §6.4.5).
 *
 * Messages are marked \Deleted only once they are in new/, and only at
 * the end: a run that is interrupted deletes nothing (the next run
 * fetches everything again, never loses a message).
 */
#define _POSIX_C_SOURCE 200809L

#include "fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if MW_ENABLE_IMAP_CLIENT

enum { I_GREETING, I_LOGIN, I_SELECT, I_LIST, I_FETCH, I_DELETE, I_LOGOUT,
       I_DONE, I_FAILED };

/* UIDs per STORE / UID EXPUNGE command: a set of 500 UIDs is at most
 * 5.5 KB of command, well inside the command buffer below. */
#define BATCH 500

typedef struct imap_item {
    uint32_t uid;
    uint64_t size;
} imap_item;

typedef struct imap_run {
    fetch_job *j;
    mw_imap_client c;
    char frame[MW_IMAP_CLIENT_BUF_SIZE]; /* a response cut by a read */
    char cmdbuf[16384];                  /* commands with long UID sets */
    unsigned char arena[4096];           /* ENVELOPE/BODYSTRUCTURE: unused */
    int phase;
    int result;            /* FX_ status once decided */
    /* the list of messages (UID FETCH 1:* (UID RFC822.SIZE)) */
    imap_item *items;
    size_t n, cap;
    uint32_t cur_uid;      /* the FETCH response being read */
    uint64_t cur_size;
    int cur_has_uid;
    /* fetching */
    size_t next;           /* next item to fetch */
    int busy;              /* a body FETCH is in flight */
    int got_body;          /* ... and its body arrived */
    uint32_t *stored;      /* UIDs in new/ */
    size_t nstored;
    /* deleting */
    size_t del_pos, del_end; /* the batch being marked \Deleted */
    int uidplus;
    int verbose_login;     /* the LOGIN command is being sent */
    int hangup;
} imap_run;

static void fail(imap_run *r, int status, const char *what,
                 const mw_imap_status *st)
{
    if (r->phase == I_FAILED)
        return;
    r->phase = I_FAILED;
    r->result = status;
    if (st != NULL)
        fprintf(stderr, "mailfetch: %s: %s %s%.*s%s%.*s\n", what,
                st->result == MW_IMAP_OK ? "OK" : st->result == MW_IMAP_NO ? "NO"
                                              : st->result == MW_IMAP_BYE ? "BYE"
                                                                          : "BAD",
                st->code.name.len ? "[" : "", (int)st->code.name.len,
                st->code.name.ptr, st->code.name.len ? "] " : "",
                (int)st->text.len, st->text.ptr);
    else
        fprintf(stderr, "mailfetch: %s\n", what);
    /* Leave politely; nothing was marked \Deleted that is not stored. */
    if (mw_imap_client_logout(&r->c, NULL) != MW_OK)
        r->hangup = 1;
}

/* Storing failed: stop at once without deleting anything. */
static int broken(imap_run *r)
{
    r->phase = I_FAILED;
    r->result = FX_PARTIAL;
    r->hangup = 1;
    return -1;
}

/* ====================================================================
 * The steps
 * ==================================================================== */

static void logout(imap_run *r)
{
    r->phase = I_LOGOUT;
    if (mw_imap_client_logout(&r->c, NULL) != MW_OK)
        r->hangup = 1;
}

/* UID STORE +FLAGS.SILENT (\Deleted) on the next batch of stored
 * messages (RFC 9051 §6.4.6), followed by UID EXPUNGE of the same batch
 * when the server has UIDPLUS (RFC 4315 §2.1: only these messages go,
 * not others someone else marked); without UIDPLUS one EXPUNGE ends it. */
static void delete_next(imap_run *r)
{
    char text[BATCH * 12];
    mw_imap_seqbuf sb;
    mw_imap_seqset set;
    mw_imap_store_params sp;
    size_t i;
    if (r->del_pos >= r->nstored) {
        if (!r->uidplus && r->nstored > 0) {
            if (mw_imap_client_expunge(&r->c, NULL) != MW_OK)
                fail(r, FX_NETWORK, "cannot send EXPUNGE", NULL);
            r->del_end = r->nstored; /* the EXPUNGE's answer ends it */
            r->del_pos = r->nstored + 1;
            return;
        }
        logout(r);
        return;
    }
    r->del_end = r->del_pos + BATCH < r->nstored ? r->del_pos + BATCH
                                                 : r->nstored;
    mw_imap_seqbuf_init(&sb, text, sizeof text);
    for (i = r->del_pos; i < r->del_end; i++)
        mw_imap_seqbuf_num(&sb, r->stored[i]);
    memset(&sp, 0, sizeof sp);
    sp.uid = 1;
    sp.mode = MW_IMAP_CLIENT_STORE_ADD;
    sp.silent = 1;
    sp.flags.system = MW_IMAP_FLAG_DELETED;
    if (mw_imap_seqbuf_get(&sb, &set) != MW_OK ||
        mw_imap_client_store(&r->c, &set, &sp, NULL) != MW_OK ||
        (r->uidplus && mw_imap_client_uid_expunge(&r->c, &set, NULL) != MW_OK))
        fail(r, FX_NETWORK, "cannot send STORE", NULL);
}

/* The next body, one message at a time. */
static void step(imap_run *r)
{
    fetch_job *j = r->j;
    char ib[64], sbuf[16];
    mw_imap_items items;
    mw_imap_section sec;
    mw_imap_seqbuf sb;
    mw_imap_seqset set;
    mw_imap_fetch_params fp;
    if (r->phase != I_FETCH || r->busy ||
        !(mw_imap_client_want(&r->c) & MW_IMAP_CLIENT_WANT_SEND))
        return;
    if (r->next >= r->n) {
        if (!j->keep && r->nstored > 0) {
            r->phase = I_DELETE;
            r->uidplus = (mw_imap_client_caps(&r->c)->bits &
                          (MW_IMAP_CAP_UIDPLUS | MW_IMAP_CAP_IMAP4REV2)) != 0;
            delete_next(r);
        } else {
            logout(r);
        }
        return;
    }
    /* UID FETCH uid (BODY.PEEK[]) */
    mw_imap_seqbuf_init(&sb, sbuf, sizeof sbuf);
    mw_imap_seqbuf_num(&sb, r->items[r->next].uid);
    mw_imap_items_init(&items, ib, sizeof ib);
    memset(&sec, 0, sizeof sec);
    sec.item = MW_IMAP_SECT_BODY_PEEK;
    sec.text = MW_IMAP_SECT_ALL;
    mw_imap_items_section(&items, &sec);
    memset(&fp, 0, sizeof fp);
    fp.uid = 1;
    if (mw_imap_seqbuf_get(&sb, &set) != MW_OK ||
        mw_imap_client_fetch(&r->c, &set, &items, &fp, NULL) != MW_OK) {
        fail(r, FX_NETWORK, "cannot send FETCH", NULL);
        return;
    }
    r->busy = 1;
    r->got_body = 0;
    r->next++;
}

/* LOGIN done: SELECT the mailbox, read-only with --keep. */
static void select_mailbox(imap_run *r)
{
    const char *mb = r->j->mailbox != NULL ? r->j->mailbox : "INBOX";
    int rc;
    r->phase = I_SELECT;
    if (r->j->keep)
        rc = mw_imap_client_examine(&r->c, mb, strlen(mb), NULL, NULL);
    else
        rc = mw_imap_client_select(&r->c, mb, strlen(mb), NULL, NULL);
    if (rc != MW_OK)
        fail(r, FX_REFUSED, "cannot select that mailbox (bad name?)", NULL);
}

/* SELECT done: UID FETCH 1:* (UID RFC822.SIZE), the list to fetch. */
static void list_messages(imap_run *r)
{
    char ib[64];
    mw_imap_items items;
    mw_imap_seqset all;
    mw_imap_fetch_params fp;
    r->phase = I_LIST;
    mw_imap_seqset_all(&all);
    mw_imap_items_init(&items, ib, sizeof ib);
    mw_imap_items_add(&items, MW_IMAP_ITEM_UID);
    mw_imap_items_add(&items, MW_IMAP_ITEM_RFC822_SIZE);
    memset(&fp, 0, sizeof fp);
    fp.uid = 1;
    if (mw_imap_client_fetch(&r->c, &all, &items, &fp, NULL) != MW_OK)
        fail(r, FX_NETWORK, "cannot send FETCH", NULL);
}

static void login(imap_run *r)
{
    const mw_imap_caps *caps = mw_imap_client_caps(&r->c);
    fetch_job *j = r->j;
    r->phase = I_LOGIN;
    if (caps->bits & MW_IMAP_CAP_LOGINDISABLED) {
        fail(r, FX_REFUSED, "the server allows LOGIN only over TLS "
                            "(LOGINDISABLED), which mailfetch does not do",
             NULL);
        return;
    }
    r->verbose_login = 1;
    if (mw_imap_client_login(&r->c, j->user, strlen(j->user), j->pass,
                             strlen(j->pass), NULL) != MW_OK)
        fail(r, FX_REFUSED, "cannot send the login (bad user name or password?)",
             NULL);
    r->verbose_login = 0;
}

/* ====================================================================
 * Callbacks of the IMAP client machine
 * ==================================================================== */

static int on_send(mw_imap_client *c, void *user, const char *p, size_t n)
{
    imap_run *r = user;
    (void)c;
    if (r->j->verbose) {
        size_t k = n >= 2 && p[n - 2] == '\r' ? n - 2 : n;
        if (r->verbose_login || r->phase == I_LOGIN) {
            /* the tag and LOGIN, never the name's literal or password */
            const char *sp = memchr(p, ' ', k);
            if (sp != NULL && k - (size_t)(sp - p) > 6 &&
                strncmp(sp, " LOGIN ", 7) == 0)
                fprintf(stderr, "C: %.*s LOGIN %s ****\n", (int)(sp - p), p,
                        r->j->user);
        } else {
            fprintf(stderr, "C: %.*s\n", (int)k, p);
        }
    }
    return fetch_write(r->j, p, n) == 0 ? 0 : -1;
}

static int on_status(mw_imap_client *c, void *user, const mw_imap_status *st)
{
    imap_run *r = user;
    fetch_job *j = r->j;
    int ok = st->result == MW_IMAP_OK;
    if (j->verbose)
        fprintf(stderr, "S: %.*s %s %.*s\n",
                st->tag.len ? (int)st->tag.len : 1,
                st->tag.len ? st->tag.ptr : "*",
                ok ? "OK" : st->result == MW_IMAP_NO ? "NO"
                          : st->result == MW_IMAP_BAD ? "BAD"
                          : st->result == MW_IMAP_BYE ? "BYE" : "PREAUTH",
                (int)st->text.len, st->text.ptr);
    if (r->phase == I_FAILED)
        return 0;
    if (st->greeting) {
        if (st->result == MW_IMAP_PREAUTH)
            select_mailbox(r);
        else if (ok)
            login(r);
        else
            fail(r, FX_REFUSED, "the server refused the session", st);
        return 0;
    }
    if (st->untagged) {
        if (st->result == MW_IMAP_BYE && r->phase != I_LOGOUT)
            fail(r, FX_NETWORK, "the server closed the session", st);
        return 0;
    }
    switch (st->cmd) {
    case MW_IMAP_CMD_LOGIN:
        if (!ok)
            fail(r, FX_REFUSED, "login refused", st);
        else
            select_mailbox(r);
        break;
    case MW_IMAP_CMD_SELECT:
    case MW_IMAP_CMD_EXAMINE:
        if (!ok)
            fail(r, FX_REFUSED, "the mailbox cannot be opened", st);
        else
            list_messages(r);
        break;
    case MW_IMAP_CMD_FETCH:
        if (r->phase == I_LIST) {
            if (!ok) {
                fail(r, FX_NETWORK, "the list of messages was refused", st);
                break;
            }
            j->total = r->n;
            r->stored = calloc(r->n > 0 ? r->n : 1, sizeof *r->stored);
            if (r->stored == NULL) {
                fail(r, FX_NETWORK, "out of memory", NULL);
                break;
            }
            r->phase = I_FETCH;
            fetch_progress(j, 0);
        } else if (r->phase == I_FETCH) {
            r->busy = 0;
            if (!ok || !r->got_body) {
                /* this one is skipped (and kept on the server) */
                fprintf(stderr, "mailfetch: message UID %lu: %.*s\n",
                        (unsigned long)r->items[r->next - 1].uid,
                        (int)st->text.len, st->text.ptr);
                j->failed++;
            }
        }
        break;
    case MW_IMAP_CMD_STORE:
        if (!ok) {
            /* not deleted: they stay on the server, no harm done */
            fprintf(stderr, "mailfetch: STORE \\Deleted refused: %.*s\n",
                    (int)st->text.len, st->text.ptr);
            r->result = FX_PARTIAL;
            logout(r);
        } else if (!r->uidplus) {
            r->del_pos = r->del_end;
            delete_next(r);
        }
        break;
    case MW_IMAP_CMD_EXPUNGE:
        if (r->phase != I_DELETE)
            break;
        if (!ok) {
            fprintf(stderr, "mailfetch: EXPUNGE refused: %.*s\n",
                    (int)st->text.len, st->text.ptr);
            r->result = FX_PARTIAL;
            logout(r);
            break;
        }
        if (r->uidplus) {
            j->deleted += r->del_end - r->del_pos;
            r->del_pos = r->del_end;
            delete_next(r);
        } else {
            j->deleted = r->nstored;
            logout(r);
        }
        break;
    case MW_IMAP_CMD_LOGOUT:
        if (r->phase == I_LOGOUT)
            r->phase = I_DONE;
        break;
    default:
        break;
    }
    (void)c;
    return 0;
}

static int on_fetch_begin(mw_imap_client *c, void *user, uint32_t msg)
{
    imap_run *r = user;
    (void)c;
    (void)msg;
    r->cur_uid = 0;
    r->cur_size = 0;
    r->cur_has_uid = 0;
    return 0;
}

static int on_fetch_item(mw_imap_client *c, void *user,
                         const mw_imap_fetch_item *it)
{
    imap_run *r = user;
    (void)c;
    if (it->id == MW_IMAP_FETCH_UID) {
        r->cur_uid = (uint32_t)it->num;
        r->cur_has_uid = 1;
    } else if (it->id == MW_IMAP_FETCH_RFC822_SIZE) {
        r->cur_size = it->num;
    }
    return 0;
}

static int on_fetch_end(mw_imap_client *c, void *user, uint32_t msg)
{
    imap_run *r = user;
    (void)c;
    (void)msg;
    if (r->phase != I_LIST || !r->cur_has_uid)
        return 0; /* unsolicited FLAGS and the like */
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 64;
        imap_item *q = realloc(r->items, nc * sizeof *q);
        if (q == NULL)
            return -1;
        r->items = q;
        r->cap = nc;
    }
    r->items[r->n].uid = r->cur_uid;
    r->items[r->n].size = r->cur_size;
    r->n++;
    return 0;
}

static int on_body_begin(mw_imap_client *c, void *user,
                         const mw_imap_body_section *s)
{
    imap_run *r = user;
    (void)c;
    if (r->phase != I_FETCH || !r->busy || s->nil)
        return 0;
    if (sink_begin(r->j) != 0)
        return broken(r);
    return 0;
}

static int on_body_data(mw_imap_client *c, void *user, const char *p, size_t n)
{
    imap_run *r = user;
    (void)c;
    if (r->phase != I_FETCH || !r->busy)
        return 0;
    if (sink_write(r->j, p, n) != 0)
        return broken(r);
    fetch_progress(r->j, 0);
    return 0;
}

static int on_body_end(mw_imap_client *c, void *user)
{
    imap_run *r = user;
    fetch_job *j = r->j;
    (void)c;
    if (r->phase != I_FETCH || !r->busy || !j->dlv_open)
        return 0;
    if (sink_commit(j) != 0)
        return broken(r); /* stop before deleting anything */
    j->fetched++;
    r->got_body = 1;
    r->stored[r->nstored++] = r->items[r->next - 1].uid;
    fetch_progress(j, 0);
    return 0;
}

static int on_error(mw_imap_client *c, void *user, int status, size_t offset,
                    const char *reason)
{
    imap_run *r = user;
    (void)c;
    if (r->j->verbose || mw_is_fatal(status))
        fprintf(stderr, "mailfetch: %s (%s at byte %lu)\n", reason,
                mw_status_name(status), (unsigned long)offset);
    return 0;
}

/* ====================================================================
 * The session
 * ==================================================================== */

int fetch_imap(fetch_job *j)
{
    static imap_run run;
    static char in[64 * 1024];
    imap_run *r = &run;
    mw_imap_client_config cfg;
    mw_imap_client_callbacks cb;
    int rc = MW_OK;

    memset(r, 0, sizeof *r);
    r->j = j;
    r->result = FX_OK;
    mw_imap_client_config_init(&cfg);
    cfg.arena = r->arena;
    cfg.arena_len = sizeof r->arena;
    cfg.cmdbuf = r->cmdbuf;
    cfg.cmdbuf_len = sizeof r->cmdbuf;
    cfg.tag_prefix = "mf";
    memset(&cb, 0, sizeof cb);
    cb.send = on_send;
    cb.status = on_status;
    cb.fetch_begin = on_fetch_begin;
    cb.fetch_item = on_fetch_item;
    cb.fetch_end = on_fetch_end;
    cb.body_begin = on_body_begin;
    cb.body_data = on_body_data;
    cb.body_end = on_body_end;
    cb.error = on_error;
    if (mw_imap_client_init(&r->c, &cfg, &cb, r, r->frame, sizeof r->frame) !=
        MW_OK)
        return FX_NETWORK;

    while (!(mw_imap_client_want(&r->c) & MW_IMAP_CLIENT_WANT_CLOSED) &&
           !r->hangup) {
        size_t off = 0;
        long n = fetch_read(j, in, sizeof in);
        if (n <= 0) {
            mw_imap_client_eof(&r->c);
            break;
        }
        while (off < (size_t)n) {
            size_t used = 0;
            rc = mw_imap_client_feed(&r->c, in + off, (size_t)n - off, &used);
            off += used;
            if (rc != MW_PAUSED)
                break;
        }
        if (rc < 0 || rc == MW_DONE)
            break;
        step(r); /* the next FETCH, once the last one is answered */
    }
    free(r->items);
    free(r->stored);
    r->items = NULL;
    r->stored = NULL;
    if (r->phase == I_FAILED)
        return r->result;
    if (r->phase != I_DONE) {
        mw_error e;
        mw_imap_client_error(&r->c, &e);
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
typedef int mailfetch_imap_unused; /* ISO C: no empty file */
#endif /* MW_ENABLE_IMAP_CLIENT */
