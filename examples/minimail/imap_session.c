/* SPDX-License-Identifier: MIT */
/*
 * minimail's IMAP side: one mw_imap_server machine per connection,
 * serving the users' Maildirs (RFC 3501 IMAP4rev1 with IDLE, NAMESPACE,
 * ID, ENABLE, UNSELECT, UIDPLUS, MOVE, LITERAL+, SASL-IR, CHILDREN,
 * MULTIAPPEND, APPENDLIMIT; STARTTLS when TLS is configured).
 *
 * What the machine does (imap_server.h): it frames lines and literals,
 * parses every command into an mw_imap_cmd, checks the connection state
 * (RFC 9051 §3) and the capabilities offered, answers CAPABILITY, bad
 * syntax and commands out of place by itself, streams APPEND messages to
 * us in chunks, runs the AUTHENTICATE and IDLE exchanges, formats every
 * response (strings as atom, quoted or literal as their bytes need,
 * mailbox names in modified UTF-7), and reads nothing more until we have
 * answered the command in hand, so responses stay in order.
 *
 * What this file decides: whose password is right, what a mailbox holds,
 * what a message's structure, flags and UID are, what matches a SEARCH.
 * The storage is imap_store.c (folders, flags in Maildir file names,
 * UIDs from maildir.c's .uidlist); a message's MIME structure, ENVELOPE,
 * BODYSTRUCTURE and sections come from imap_mime.c.
 *
 * FETCH streams: each body section is a literal whose size is announced
 * first (mw_imap_server_fetch_body_begin) and whose bytes are read from
 * the file in 64 KB pieces (mw_imap_server_fetch_body_data) as long as the
 * connection's output queue is short. When it is long we return, the
 * machine keeps the command unanswered, and net.c calls imap_resume()
 * once the client has read enough. A 50 MB message costs a few hundred
 * KB of queue, like a POP3 RETR.
 *
 * Several sessions may have the same mailbox open. Every change one of
 * them makes (flags, expunge, new messages) marks the others "dirty";
 * a session brings its view up to date (EXISTS, EXPUNGE, FETCH FLAGS)
 * before its next tagged response where RFC 9051 §7.4.1 allows it, and
 * at once when it is in IDLE. SMTP deliveries reach IDLE sessions the
 * same way, through mm_imap_notify().
 */
#define _POSIX_C_SOURCE 200809L

#include "minimail.h"
#include "imap_mime.h"
#include "imap_store.h"
#include "maildir.h"
#include "users.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#if MM_IMAP

/* The machine's buffer: a command line of RFC 7162 §4's recommended 8 KB
 * plus the arena its parser builds lists and search trees in. */
#define IMAP_LINE MW_IMAP_COMMAND_LINE_DEFAULT
#define IMAP_ARENA (16u * 1024u)

#define V_GONE 0x1000u /* in a view: the file vanished, EXPUNGE not told yet */

/* A FETCH being answered (it may outlive the command callback: big
 * bodies are streamed while the output queue allows). */
typedef struct fetch_job {
    int uid;                  /* UID FETCH */
    mw_imap_fetch_req *items; /* the items, copied from the command */
    size_t nitems;
    mm_arena copies;          /* the copied section texts and field names */
    uint32_t *seqs;           /* the messages, in ascending order */
    size_t nseqs, pos;
    /* the message being answered */
    int open;                 /* its "* n FETCH (" is out */
    size_t item;              /* next item */
    int seen_set;             /* this FETCH set \Seen: send FLAGS too */
    int want_flags;           /* FLAGS is among the items */
    mm_msg msg;
    int msg_open;
    mm_arena arena;           /* ENVELOPE, BODYSTRUCTURE of this message */
    /* the body literal being streamed */
    int body_open;
    uint64_t left;
    mm_reader *rd;
    char *mem;                /* HEADER.FIELDS: the bytes, prepared */
    size_t memlen, mempos;
    int failed;               /* a message could not be read */
} fetch_job;

/* APPEND messages received, kept in tmp/ until the command is complete
 * (RFC 3502: all of them or none). */
typedef struct append_msg {
    st_writer w;
    unsigned flags;
    time_t date;
} append_msg;

typedef struct imap_sess imap_sess;
struct imap_sess {
    mw_imap_server m;
    char buf[IMAP_LINE + IMAP_ARENA];
    mm_conn *c;
    imap_sess *prev, *next; /* every IMAP session, for notifications */
    mm_user *user;          /* logged in as */
    /* the selected mailbox */
    int selected;
    int readonly;           /* EXAMINE */
    int dirty;              /* another session or SMTP changed it */
    char *dir;              /* its Maildir */
    char name[ST_NAME_MAX + 1];
    st_snap v;              /* our view: message n is v.msgs[n - 1] */
    int idling;
    fetch_job *fj;
    /* APPEND in progress */
    append_msg *app;
    size_t napp, capp;
    append_msg *cur_app;    /* the message being received */
    char *app_dir;          /* the Maildir they go to */
    /* the last message whose structure we parsed */
    char *cache_file;
    mm_mime cache;
    int cache_full;         /* the whole structure, not only the header */
};

static imap_sess *sessions; /* all of them */
static char chunk[64 * 1024]; /* one read of a message file */

/* ====================================================================
 * Small helpers
 * ==================================================================== */

static int pace(imap_sess *s, int r)
{
    if (r < 0)
        return r;
    return mm_conn_full(s->c) ? MW_PAUSED : 0;
}

static int reply(imap_sess *s, int result, const char *text)
{
    return mw_imap_server_reply(&s->m, result, NULL, text);
}

static int reply_code(imap_sess *s, int result, int code, const char *text)
{
    return mw_imap_server_reply_code(&s->m, result, code, text);
}

static mw_span span_of(const char *p, size_t n)
{
    mw_span sp;
    sp.ptr = p;
    sp.len = n;
    return sp;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static time_t epoch_of(const mw_imap_datetime *d)
{
    int64_t t = days_from_civil(d->year, d->month, d->day) * 86400 +
                d->hour * 3600 + d->minute * 60 + d->second -
                (int64_t)d->zone * 60;
    return (time_t)t;
}

/* An internal date as IMAP writes it (in UTC: minimail keeps no zone). */
static void datetime_of(time_t t, mw_imap_datetime *d)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    d->year = tm.tm_year + 1900;
    d->month = tm.tm_mon + 1;
    d->day = tm.tm_mday;
    d->hour = tm.tm_hour;
    d->minute = tm.tm_min;
    d->second = tm.tm_sec > 59 ? 59 : tm.tm_sec;
    d->zone = 0;
    d->zone_unknown = 0;
}

/* The folder a command names: its Maildir and its UTF-8 name. Returns 0,
 * or -1 when the name cannot be a folder here. */
static int mailbox_dir(imap_sess *s, const mw_imap_mailbox *mb, char *dir,
                       size_t cap, char *name, size_t ncap)
{
    size_t n = mb->name.len;
    if (mb->flags & MW_IMAP_MBOX_INBOX) {
        snprintf(name, ncap, "INBOX");
        return st_folder_dir(s->user->maildir, NULL, 0, 1, dir, cap);
    }
    if (mb->flags & MW_IMAP_MBOX_SHIFTED) {
        /* modified UTF-7 (RFC 3501 §5.1.3) to the UTF-8 we store */
        if (!(mb->flags & MW_IMAP_MBOX_MUTF7) ||
            mw_imap_mutf7_decode(mb->name.ptr, mb->name.len, name, ncap - 1, &n,
                                 NULL) != MW_OK)
            return -1;
    } else {
        if (!(mb->flags & (MW_IMAP_MBOX_MUTF7 | MW_IMAP_MBOX_UTF8)) ||
            n >= ncap)
            return -1;
        memcpy(name, mb->name.ptr, n);
    }
    name[n] = '\0';
    return st_folder_dir(s->user->maildir, name, n, 0, dir, cap);
}

/* ====================================================================
 * The view of the selected mailbox, and keeping it up to date
 * ==================================================================== */

static void view_close(imap_sess *s)
{
    st_snap_free(&s->v);
    s->selected = 0;
    s->dirty = 0;
    free(s->dir);
    s->dir = NULL;
}

static mw_imap_flags flags_of(unsigned f)
{
    mw_imap_flags fl;
    memset(&fl, 0, sizeof fl);
    fl.system = f & (ST_STORED | ST_RECENT);
    return fl;
}

/* Tell every other session that has `dir` selected that it changed; a
 * session in IDLE is brought up to date at once (RFC 2177). */
static int view_sync(imap_sess *s, int expunge_ok);

static void notify(const char *dir, imap_sess *except)
{
    imap_sess *o;
    for (o = sessions; o != NULL; o = o->next) {
        if (o == except || !o->selected || strcmp(o->dir, dir) != 0)
            continue;
        o->dirty = 1;
        if (o->idling && o->fj == NULL)
            view_sync(o, 1);
    }
}

void mm_imap_notify(const char *maildir)
{
    notify(maildir, NULL);
}

/* Compare our view with the Maildir now and tell the client (RFC 9051
 * §7.4.1, §7.5): EXPUNGE for messages gone (only where allowed: not
 * during FETCH, STORE, SEARCH), FETCH FLAGS for flags changed by someone
 * else, EXISTS (and RECENT) for new messages. */
static int view_sync(imap_sess *s, int expunge_ok)
{
    st_snap fresh;
    st_msg *out;
    size_t i = 0, j = 0, n = 0, added = 0, rec = 0;
    int r = MW_OK;

    if (!s->selected)
        return MW_OK;
    if (st_snapshot(s->dir, &fresh, NULL) != 0) {
        st_snap_free(&fresh);
        return MW_OK; /* try again next time */
    }
    s->dirty = 0;
    out = calloc(s->v.count + fresh.count + 1, sizeof *out);
    if (out == NULL) {
        st_snap_free(&fresh);
        return MW_OK;
    }
    /* both are in UID order; a UID never comes back */
    for (i = 0; i < s->v.count; i++) {
        st_msg *o = &s->v.msgs[i];
        while (j < fresh.count && fresh.msgs[j].uid < o->uid)
            j++;
        if (j < fresh.count && fresh.msgs[j].uid == o->uid) {
            st_msg *f = &fresh.msgs[j++];
            int changed = (o->flags & ST_STORED) != (f->flags & ST_STORED);
            free(o->file);
            o->file = f->file; /* the name changes with the flags */
            f->file = NULL;
            o->flags = (f->flags & ST_STORED) | (o->flags & ST_RECENT);
            out[n++] = *o;
            if (changed && r == MW_OK) {
                mw_imap_flags fl = flags_of(o->flags);
                r = mw_imap_server_fetch_begin(&s->m, (uint32_t)n);
                if (r == MW_OK)
                    r = mw_imap_server_fetch_flags(&s->m, &fl);
                if (r == MW_OK)
                    r = mw_imap_server_fetch_end(&s->m);
            }
        } else if (expunge_ok) {
            /* its number now: the ones before it that stay, plus one */
            free(o->file);
            if (r == MW_OK)
                r = mw_imap_server_expunge(&s->m, (uint32_t)n + 1);
        } else {
            o->flags |= V_GONE; /* told later */
            out[n++] = *o;
        }
    }
    for (; j < fresh.count; j++) {
        if (s->v.count > 0 && fresh.msgs[j].uid <= s->v.msgs[s->v.count - 1].uid)
            continue;
        out[n++] = fresh.msgs[j];
        fresh.msgs[j].file = NULL;
        added++;
    }
    free(s->v.msgs);
    s->v.msgs = out;
    s->v.count = n;
    s->v.uidnext = fresh.uidnext;
    s->v.uidvalidity = fresh.uidvalidity;
    st_snap_free(&fresh);
    if (added > 0) {
        for (i = 0; i < n; i++)
            rec += (out[i].flags & ST_RECENT) != 0;
        if (r == MW_OK)
            r = mw_imap_server_exists(&s->m, (uint32_t)n);
        if (r == MW_OK)
            r = mw_imap_server_recent(&s->m, (uint32_t)rec);
    }
    return r;
}

/* Before a tagged response: catch up if something changed meanwhile. */
static int catch_up(imap_sess *s, int expunge_ok)
{
    if (s->selected && s->dirty && s->fj == NULL)
        return view_sync(s, expunge_ok);
    return MW_OK;
}

/* The message numbers a set names, in ascending order, each once. With
 * `uid` the set holds UIDs (RFC 9051 §6.4.9: UIDs without a message are
 * ignored); otherwise a number beyond the last message is an error
 * (returns -1). The ranges are turned into index ranges, sorted and
 * merged, so that a set of thousands of overlapping ranges costs no more
 * than its length and the mailbox's size. */
typedef struct span_idx {
    size_t a, b; /* indexes [a, b) */
} span_idx;

static int cmp_span(const void *x, const void *y)
{
    const span_idx *p = x, *q = y;
    return p->a < q->a ? -1 : p->a > q->a;
}

/* The first message with a UID >= u. */
static size_t uid_index(const imap_sess *s, uint32_t u)
{
    size_t a = 0, b = s->v.count;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (s->v.msgs[mid].uid < u)
            a = mid + 1;
        else
            b = mid;
    }
    return a;
}

static int resolve(imap_sess *s, const mw_imap_seqset *set, int uid,
                   uint32_t **out, size_t *nout)
{
    mw_imap_seq_iter it;
    uint32_t lo, hi, star;
    size_t count = s->v.count, nr = 0, i, k, n = 0, end = 0;
    span_idx *r;
    *out = NULL;
    *nout = 0;
    if (set->dollar)
        return -1; /* SEARCHRES is not offered */
    if (!uid && count == 0)
        return -1;
    r = malloc((set->ranges + 1) * sizeof *r);
    *out = malloc((count + 1) * sizeof **out);
    if (r == NULL || *out == NULL) {
        free(r);
        free(*out);
        *out = NULL;
        return -1;
    }
    star = uid ? (count > 0 ? s->v.msgs[count - 1].uid : 0) : (uint32_t)count;
    mw_imap_seq_iter_init(&it, set, star);
    while (nr < set->ranges && mw_imap_seq_next(&it, &lo, &hi)) {
        if (!uid && hi > count) {
            free(r);
            free(*out);
            *out = NULL;
            return -1;
        }
        r[nr].a = uid ? uid_index(s, lo) : lo - 1u;
        r[nr].b = uid ? (hi == UINT32_MAX ? count : uid_index(s, hi + 1u)) : hi;
        if (r[nr].a < r[nr].b)
            nr++;
    }
    qsort(r, nr, sizeof *r, cmp_span);
    for (i = 0; i < nr; i++)
        for (k = r[i].a > end ? r[i].a : end; k < r[i].b; k++, end = k)
            (*out)[n++] = (uint32_t)k + 1;
    free(r);
    *nout = n;
    return 0;
}

static int bad_set(imap_sess *s)
{
    return reply(s, MW_IMAP_BAD, "Invalid message sequence number");
}

/* ====================================================================
 * Login: LOGIN and AUTHENTICATE PLAIN (RFC 4616). Passwords are checked
 * and forgotten: never logged, never kept.
 * ==================================================================== */

static int login_result(imap_sess *s, const char *name, size_t nlen,
                        const char *pw, size_t plen)
{
    mm_user *u = users_find(name, nlen);
    if (u == NULL || !users_check(u, pw, plen)) {
        char shown[80];
        mm_log(s->c, "login failed for \"%s\"",
               mm_printable(name, nlen, shown, sizeof shown));
        return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_AUTHENTICATIONFAILED,
                          "Invalid user name or password");
    }
    if (md_create(u->maildir) != 0) {
        mm_log(s->c, "cannot use %s", u->maildir);
        return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_UNAVAILABLE,
                          "Mailbox not available");
    }
    s->user = u;
    mm_log(s->c, "login %s", u->name);
    return reply(s, MW_IMAP_OK, "Logged in");
}

/* Passwords in clear only on loopback, or when no TLS exists to protect
 * them (RFC 9051 §6.2.3, §11.1). */
static int clear_allowed(imap_sess *s)
{
    return !mm_tls_available() || mm_conn_tls(s->c) || mm_conn_loopback(s->c);
}

static int auth_plain(imap_sess *s, const char *b64, size_t n)
{
    char scratch[1024];
    mw_span authzid, authcid, passwd;
    int r;
    if (mw_sasl_plain_decode(b64, n, MW_SASL_PLAIN_MAX_PART, scratch,
                             sizeof scratch, &authzid, &authcid, &passwd,
                             NULL) != MW_OK)
        return reply(s, MW_IMAP_BAD, "Cannot decode the PLAIN response");
    /* nobody may act for somebody else (RFC 4616 §2) */
    if (authzid.len > 0 && (authzid.len != authcid.len ||
                            memcmp(authzid.ptr, authcid.ptr, authcid.len) != 0))
        r = reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_AUTHORIZATIONFAILED,
                       "Authorization identity refused");
    else
        r = login_result(s, authcid.ptr, authcid.len, passwd.ptr, passwd.len);
    memset(scratch, 0, sizeof scratch);
    return r;
}

static int on_authenticate(imap_sess *s, const mw_imap_authenticate_args *a)
{
    if (!clear_allowed(s))
        return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_PRIVACYREQUIRED,
                          "STARTTLS first");
    if (!a->has_initial) /* RFC 9051 §6.2.2: "+ " and wait */
        return mw_imap_server_auth_challenge(&s->m, NULL, 0);
    if (a->initial.len == 1 && a->initial.ptr[0] == '=') /* RFC 4959 §3 */
        return reply(s, MW_IMAP_BAD, "An empty PLAIN response");
    return auth_plain(s, a->initial.ptr, a->initial.len);
}

/* ====================================================================
 * Mailboxes: SELECT, STATUS, LIST, CREATE, DELETE, RENAME, SUBSCRIBE
 * ==================================================================== */

static int send_code(imap_sess *s, int id, uint32_t num, const char *text)
{
    mw_imap_code c;
    memset(&c, 0, sizeof c);
    c.id = id;
    c.num = num;
    return mw_imap_server_status(&s->m, MW_IMAP_OK, &c, text);
}

static int on_select(imap_sess *s, const mw_imap_cmd *cmd)
{
    char dir[MD_PATH_MAX], name[ST_NAME_MAX + 1];
    mw_imap_flags fl;
    mw_imap_code c;
    size_t recent = 0, i;
    uint32_t unseen = 0;
    int r;

    view_close(s); /* RFC 9051 §6.3.2: the old one is deselected anyway */
    if (mailbox_dir(s, &cmd->u.select.mailbox, dir, sizeof dir, name,
                    sizeof name) != 0 ||
        !st_exists(dir))
        return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_NONEXISTENT,
                          "No such mailbox");
    if (st_snapshot(dir, &s->v, &recent) != 0) {
        st_snap_free(&s->v);
        return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_UNAVAILABLE,
                          "Cannot read the mailbox");
    }
    s->dir = strdup(dir);
    if (s->dir == NULL) {
        st_snap_free(&s->v);
        return reply(s, MW_IMAP_NO, "Out of memory");
    }
    snprintf(s->name, sizeof s->name, "%s", name);
    s->selected = 1;
    s->readonly = cmd->id == MW_IMAP_CMD_EXAMINE;
    for (i = 0; i < s->v.count && unseen == 0; i++)
        if (!(s->v.msgs[i].flags & ST_SEEN))
            unseen = (uint32_t)i + 1;
    fl = flags_of(ST_STORED);
    r = mw_imap_server_flags(&s->m, &fl);
    if (r == MW_OK)
        r = mw_imap_server_exists(&s->m, (uint32_t)s->v.count);
    if (r == MW_OK)
        r = mw_imap_server_recent(&s->m, (uint32_t)recent);
    if (r == MW_OK && unseen > 0)
        r = send_code(s, MW_IMAP_CODE_UNSEEN, unseen, "First unseen");
    if (r == MW_OK) {
        memset(&c, 0, sizeof c);
        c.id = MW_IMAP_CODE_PERMANENTFLAGS;
        c.flags = flags_of(s->readonly ? 0 : ST_STORED);
        r = mw_imap_server_status(&s->m, MW_IMAP_OK, &c, "Flags kept");
    }
    if (r == MW_OK)
        r = send_code(s, MW_IMAP_CODE_UIDVALIDITY, s->v.uidvalidity, "UIDs valid");
    if (r == MW_OK)
        r = send_code(s, MW_IMAP_CODE_UIDNEXT, s->v.uidnext, "Predicted next UID");
    if (r != MW_OK)
        return r;
    if (mm_verbose || cmd->id == MW_IMAP_CMD_SELECT)
        mm_log(s->c, "%s %s: %lu messages", s->readonly ? "examine" : "select",
               name, (unsigned long)s->v.count);
    return reply_code(s, MW_IMAP_OK,
                      s->readonly ? MW_IMAP_CODE_READ_ONLY : MW_IMAP_CODE_READ_WRITE,
                      s->readonly ? "EXAMINE completed" : "SELECT completed");
}

static int on_status(imap_sess *s, const mw_imap_status_args *a)
{
    char dir[MD_PATH_MAX], name[ST_NAME_MAX + 1];
    mw_imap_status_reply st;
    st_snap snap;
    const st_snap *use;
    size_t recent = 0, i;
    int r;

    if (mailbox_dir(s, &a->mailbox, dir, sizeof dir, name, sizeof name) != 0 ||
        !st_exists(dir))
        return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_NONEXISTENT,
                          "No such mailbox");
    memset(&snap, 0, sizeof snap);
    if (s->selected && strcmp(dir, s->dir) == 0) {
        /* our own view, not a new snapshot that would take the \Recent
         * messages away from us */
        r = view_sync(s, 1);
        if (r != MW_OK)
            return r;
        use = &s->v;
        for (i = 0; i < s->v.count; i++)
            recent += (s->v.msgs[i].flags & ST_RECENT) != 0;
    } else {
        if (st_snapshot(dir, &snap, &recent) != 0) {
            st_snap_free(&snap);
            return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_UNAVAILABLE,
                              "Cannot read the mailbox");
        }
        use = &snap;
    }
    memset(&st, 0, sizeof st);
    st.mailbox = span_of(name, strlen(name));
    st.items = a->items & (MW_IMAP_STATUS_MESSAGES | MW_IMAP_STATUS_RECENT |
                           MW_IMAP_STATUS_UIDNEXT | MW_IMAP_STATUS_UIDVALIDITY |
                           MW_IMAP_STATUS_UNSEEN | MW_IMAP_STATUS_DELETED |
                           MW_IMAP_STATUS_SIZE);
    st.messages = (uint32_t)use->count;
    st.recent = (uint32_t)recent;
    st.uidnext = use->uidnext;
    st.uidvalidity = use->uidvalidity;
    for (i = 0; i < use->count; i++) {
        st.unseen += !(use->msgs[i].flags & ST_SEEN);
        st.deleted += (use->msgs[i].flags & ST_DELETED) != 0;
        st.size += use->msgs[i].size;
    }
    st_snap_free(&snap);
    r = mw_imap_server_mailbox_status(&s->m, &st);
    if (r != MW_OK)
        return r;
    return reply(s, MW_IMAP_OK, "STATUS completed");
}

/* LIST pattern matching (RFC 9051 §6.3.9): "*" matches anything, "%"
 * anything but the delimiter. Dynamic programming over the two strings,
 * so that no pattern can make it slow. */
static int match(const char *name, const char *pat, int inbox)
{
    size_t n = strlen(name), m = strlen(pat), i, j;
    unsigned char *prev, *cur;
    int ok;
    prev = calloc(m + 1, 1);
    cur = calloc(m + 1, 1);
    if (prev == NULL || cur == NULL) {
        free(prev);
        free(cur);
        return 0;
    }
    prev[0] = 1;
    for (j = 1; j <= m; j++)
        prev[j] = prev[j - 1] && (pat[j - 1] == '*' || pat[j - 1] == '%');
    for (i = 1; i <= n; i++) {
        char c = name[i - 1];
        cur[0] = 0;
        for (j = 1; j <= m; j++) {
            char p = pat[j - 1];
            if (p == '*')
                cur[j] = cur[j - 1] || prev[j];
            else if (p == '%')
                cur[j] = cur[j - 1] || (prev[j] && c != '.');
            else if (inbox)
                cur[j] = prev[j - 1] && (c == p || (c >= 'A' && c <= 'Z' &&
                                                    c + 32 == p));
            else
                cur[j] = prev[j - 1] && c == p;
        }
        memcpy(prev, cur, m + 1);
    }
    ok = prev[m];
    free(prev);
    free(cur);
    return ok;
}

/* Pattern text as UTF-8 (decoded from modified UTF-7). */
static int pattern_utf8(const mw_imap_mailbox *mb, char *out, size_t cap)
{
    size_t n = mb->name.len;
    if ((mb->flags & MW_IMAP_MBOX_SHIFTED) && (mb->flags & MW_IMAP_MBOX_MUTF7)) {
        if (mw_imap_mutf7_decode(mb->name.ptr, mb->name.len, out, cap - 1, &n,
                                 NULL) != MW_OK)
            return -1;
    } else {
        if (n >= cap)
            return -1;
        memcpy(out, mb->name.ptr, n);
    }
    out[n] = '\0';
    return 0;
}

static int list_one(imap_sess *s, const char *name, unsigned attrs, int lsub)
{
    mw_imap_list_reply l;
    memset(&l, 0, sizeof l);
    l.attrs = attrs;
    l.lsub = lsub;
    l.delimiter = '.';
    l.mailbox = span_of(name, strlen(name));
    return mw_imap_server_list(&s->m, &l);
}

static int has_child(char **names, size_t n, const char *name)
{
    size_t i, len = strlen(name);
    for (i = 0; i < n; i++)
        if (strncmp(names[i], name, len) == 0 && names[i][len] == '.')
            return 1;
    return 0;
}

static int on_list(imap_sess *s, const mw_imap_cmd *cmd)
{
    const mw_imap_list_args *a = &cmd->u.list;
    int lsub = cmd->id == MW_IMAP_CMD_LSUB, r = MW_OK;
    char ref[ST_NAME_MAX * 2 + 2], pat[ST_NAME_MAX * 4 + 8];
    char full[sizeof ref + sizeof pat];
    char **names = NULL, **subs = NULL;
    size_t n = 0, nsubs = 0, p, i, k;

    if (pattern_utf8(&a->reference, ref, sizeof ref) != 0)
        return reply(s, MW_IMAP_NO, "Reference name not usable here");
    if (st_list(s->user->maildir, &names, &n) != 0)
        return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_UNAVAILABLE,
                          "Cannot read the mailboxes");
    if (lsub && st_subs_load(s->user->maildir, &subs, &nsubs) != 0)
        nsubs = 0;
    for (p = 0; p < a->npatterns && r == MW_OK; p++) {
        if (pattern_utf8(&a->patterns[p], pat, sizeof pat) != 0)
            continue;
        if (pat[0] == '\0' && !lsub) {
            /* RFC 9051 §6.3.9: the delimiter and the root */
            r = list_one(s, "", MW_IMAP_LIST_NOSELECT, 0);
            continue;
        }
        snprintf(full, sizeof full, "%s%s", ref, pat);
        for (i = 0; i < n && r == MW_OK; i++) {
            const char *nm = names[i];
            int inbox = i == 0, sub = 1;
            unsigned attrs;
            if (!match(nm, full, inbox))
                continue;
            if (lsub) {
                sub = inbox;
                for (k = 0; k < nsubs && !sub; k++)
                    sub = strcmp(subs[k], nm) == 0;
                if (!sub)
                    continue;
            }
            attrs = has_child(names, n, nm) ? MW_IMAP_LIST_HASCHILDREN
                                             : MW_IMAP_LIST_HASNOCHILDREN;
            if (inbox)
                attrs = MW_IMAP_LIST_HASNOCHILDREN;
            r = list_one(s, nm, attrs, lsub);
        }
        if (strchr(full, '%') != NULL) {
            /* levels above folders that are no folder themselves, where
             * "%" stops (RFC 9051 §6.3.9: \Noselect) */
            for (i = 1; i < n && r == MW_OK; i++) {
                char parent[ST_NAME_MAX + 1];
                const char *dot = names[i];
                while ((dot = strchr(dot, '.')) != NULL && r == MW_OK) {
                    size_t len = (size_t)(dot - names[i]), q;
                    int known = 0;
                    memcpy(parent, names[i], len);
                    parent[len] = '\0';
                    dot++;
                    for (q = 0; q < n && !known; q++)
                        known = strcmp(names[q], parent) == 0;
                    for (q = 1; q < i && !known; q++) /* told already */
                        known = strncmp(names[q], parent, len) == 0 &&
                                names[q][len] == '.';
                    if (!known && match(parent, full, 0))
                        r = list_one(s, parent, MW_IMAP_LIST_NOSELECT |
                                                    MW_IMAP_LIST_HASCHILDREN,
                                     lsub);
                }
            }
        }
    }
    st_free_names(names, n);
    st_free_names(subs, nsubs);
    if (r != MW_OK)
        return r;
    return reply(s, MW_IMAP_OK, lsub ? "LSUB completed" : "LIST completed");
}

static int on_folder(imap_sess *s, const mw_imap_cmd *cmd)
{
    char dir[MD_PATH_MAX], name[ST_NAME_MAX + 1];
    char dir2[MD_PATH_MAX], name2[ST_NAME_MAX + 1];
    const mw_imap_mailbox *mb = cmd->id == MW_IMAP_CMD_RENAME
                                    ? &cmd->u.rename.from
                                    : &cmd->u.mailbox.mailbox;
    int rc;

    if (mailbox_dir(s, mb, dir, sizeof dir, name, sizeof name) != 0) {
        /* CREATE "a." means "a", to hold folders below (RFC 9051 §6.3.4) */
        size_t len = mb->name.len;
        if (cmd->id == MW_IMAP_CMD_CREATE && len > 1 &&
            mb->name.ptr[len - 1] == '.') {
            mw_imap_mailbox trimmed = *mb;
            trimmed.name.len--;
            if (mailbox_dir(s, &trimmed, dir, sizeof dir, name, sizeof name) ==
                0)
                goto named;
        }
        return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_CANNOT,
                          "Not a usable mailbox name");
    }
named:
    if ((mb->flags & MW_IMAP_MBOX_INBOX) && cmd->id != MW_IMAP_CMD_SUBSCRIBE &&
        cmd->id != MW_IMAP_CMD_UNSUBSCRIBE)
        return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_CANNOT,
                          "INBOX cannot be created, deleted or renamed");
    switch (cmd->id) {
    case MW_IMAP_CMD_CREATE:
        rc = st_create(s->user->maildir, name);
        if (rc != 0)
            return errno == EEXIST
                       ? reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_ALREADYEXISTS,
                                    "Mailbox exists")
                       : reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_SERVERBUG,
                                    "Cannot create the mailbox");
        mm_log(s->c, "create %s", name);
        return reply(s, MW_IMAP_OK, "CREATE completed");
    case MW_IMAP_CMD_DELETE:
        if (s->selected && strcmp(dir, s->dir) == 0)
            return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_INUSE,
                              "The mailbox is selected");
        rc = st_delete(s->user->maildir, name);
        if (rc != 0)
            return errno == ENOENT
                       ? reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_NONEXISTENT,
                                    "No such mailbox")
                   : errno == ENOTEMPTY
                       ? reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_HASCHILDREN,
                                    "The mailbox has children")
                       : reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_SERVERBUG,
                                    "Cannot delete the mailbox");
        mm_log(s->c, "delete %s", name);
        return reply(s, MW_IMAP_OK, "DELETE completed");
    case MW_IMAP_CMD_RENAME:
        if (mailbox_dir(s, &cmd->u.rename.to, dir2, sizeof dir2, name2,
                        sizeof name2) != 0 ||
            (cmd->u.rename.to.flags & MW_IMAP_MBOX_INBOX))
            return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_CANNOT,
                              "Not a usable mailbox name");
        rc = st_rename(s->user->maildir, name, name2);
        if (rc != 0)
            return errno == ENOENT
                       ? reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_NONEXISTENT,
                                    "No such mailbox")
                   : errno == EEXIST
                       ? reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_ALREADYEXISTS,
                                    "The new name exists")
                       : reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_SERVERBUG,
                                    "Cannot rename the mailbox");
        mm_log(s->c, "rename %s to %s", name, name2);
        return reply(s, MW_IMAP_OK, "RENAME completed");
    default: /* SUBSCRIBE, UNSUBSCRIBE */
        if (st_subs_set(s->user->maildir, name,
                        cmd->id == MW_IMAP_CMD_SUBSCRIBE) != 0)
            return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_SERVERBUG,
                              "Cannot change the subscriptions");
        return reply(s, MW_IMAP_OK, NULL);
    }
}

/* ====================================================================
 * APPEND (RFC 9051 §6.3.12, MULTIAPPEND RFC 3502, UIDPLUS RFC 4315)
 * ==================================================================== */

static void append_discard(imap_sess *s)
{
    size_t i;
    for (i = 0; i < s->napp; i++)
        st_writer_abort(&s->app[i].w);
    s->napp = 0;
    s->cur_app = NULL;
}

/* A message literal is announced: accept it (return 0) or refuse. */
static int on_literal(mw_imap_server *m, void *user, const mw_imap_cmd *cmd)
{
    imap_sess *s = user;
    const mw_imap_append_args *a = &cmd->u.append;
    char dir[MD_PATH_MAX], name[ST_NAME_MAX + 1];
    append_msg *am;
    (void)m;
    if (a->index == 0)
        append_discard(s); /* a new command */
    if (s->user == NULL)
        return reply(s, MW_IMAP_NO, "Log in first");
    if (mailbox_dir(s, &a->mailbox, dir, sizeof dir, name, sizeof name) != 0 ||
        !st_exists(dir)) {
        append_discard(s);
        return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_TRYCREATE,
                          "No such mailbox");
    }
    if (s->napp == s->capp) {
        size_t nc = s->capp ? s->capp * 2 : 4;
        append_msg *q = realloc(s->app, nc * sizeof *q);
        if (q == NULL) {
            append_discard(s);
            return reply(s, MW_IMAP_NO, "Out of memory");
        }
        s->app = q;
        s->capp = nc;
    }
    am = &s->app[s->napp];
    memset(am, 0, sizeof *am);
    if (st_writer_begin(&am->w, dir) != 0) {
        mm_log(s->c, "cannot write to %s/tmp: %s", dir, strerror(errno));
        append_discard(s);
        return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_SERVERBUG,
                          "Cannot store the message");
    }
    s->napp++;
    am->flags = a->has_flags ? (a->flags.system & ST_STORED) : 0;
    am->date = a->has_date ? epoch_of(&a->date) : 0;
    s->cur_app = am;
    if (s->app_dir == NULL || strcmp(s->app_dir, dir) != 0) {
        free(s->app_dir);
        s->app_dir = strdup(dir);
        if (s->app_dir == NULL) {
            append_discard(s);
            return reply(s, MW_IMAP_NO, "Out of memory");
        }
    }
    return 0;
}

static int on_append_data(mw_imap_server *m, void *user, const char *p,
                          size_t n)
{
    imap_sess *s = user;
    (void)m;
    if (s->cur_app != NULL)
        st_writer_write(&s->cur_app->w, p, n); /* a failure shows at the end */
    return 0;
}

static int on_append_end(mw_imap_server *m, void *user, const mw_imap_cmd *cmd)
{
    imap_sess *s = user;
    (void)m;
    (void)cmd;
    if (s->cur_app != NULL && st_writer_close(&s->cur_app->w) != 0)
        s->cur_app->w.failed = s->cur_app->w.failed ? s->cur_app->w.failed : EIO;
    s->cur_app = NULL;
    return 0;
}

/* The UIDs of files just put into `dir`, by base name, from a snapshot
 * (maildir.c gives them). Returns the UIDVALIDITY, 0 on failure. */
static uint32_t uids_of(const char *dir, char (*bases)[200], size_t n,
                        uint32_t *uids)
{
    st_snap snap;
    size_t i, k;
    uint32_t validity;
    if (st_snapshot(dir, &snap, NULL) != 0) {
        st_snap_free(&snap);
        return 0;
    }
    for (i = 0; i < n; i++) {
        size_t bl = strlen(bases[i]);
        uids[i] = 0;
        for (k = 0; k < snap.count; k++)
            if (md_base_len(snap.msgs[k].file) == bl &&
                memcmp(snap.msgs[k].file, bases[i], bl) == 0)
                uids[i] = snap.msgs[k].uid;
    }
    validity = snap.uidvalidity;
    st_snap_free(&snap);
    for (i = 0; i < n; i++)
        if (uids[i] == 0)
            return 0;
    return validity;
}

/* A sequence set text of UIDs in the given order: runs of consecutive
 * numbers as ranges. */
static char *uid_text(const uint32_t *u, size_t n)
{
    char *t = malloc(n * 22 + 1);
    size_t i = 0, k = 0;
    if (t == NULL)
        return NULL;
    while (i < n) {
        size_t j = i;
        while (j + 1 < n && u[j + 1] == u[j] + 1)
            j++;
        if (j > i)
            k += (size_t)sprintf(t + k, "%s%lu:%lu", k ? "," : "",
                                 (unsigned long)u[i], (unsigned long)u[j]);
        else
            k += (size_t)sprintf(t + k, "%s%lu", k ? "," : "",
                                 (unsigned long)u[i]);
        i = j + 1;
    }
    t[k] = '\0';
    return t;
}

static int on_append(imap_sess *s, const mw_imap_cmd *cmd)
{
    char (*bases)[200] = NULL;
    uint32_t *uids = NULL, validity = 0;
    char *set = NULL;
    size_t i, n = s->napp;
    int r, failed = 0;
    (void)cmd;
    if (n == 0)
        return reply(s, MW_IMAP_NO, "No message");
    for (i = 0; i < n; i++)
        if (s->app[i].w.failed || s->app[i].w.fd >= 0)
            failed = 1;
    bases = calloc(n, sizeof *bases);
    uids = calloc(n, sizeof *uids);
    if (failed || bases == NULL || uids == NULL) {
        append_discard(s);
        free(bases);
        free(uids);
        return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_SERVERBUG,
                          "Cannot store the message");
    }
    for (i = 0; i < n; i++)
        if (st_writer_commit(&s->app[i].w, s->app[i].flags, s->app[i].date,
                             bases[i]) != 0)
            failed = 1;
    append_discard(s); /* what did not commit is removed */
    if (!failed)
        validity = uids_of(s->app_dir, bases, n, uids);
    if (validity != 0)
        set = uid_text(uids, n);
    free(bases);
    free(uids);
    notify(s->app_dir, s);
    if (s->selected && strcmp(s->app_dir, s->dir) == 0)
        s->dirty = 1;
    if (failed) {
        free(set);
        return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_SERVERBUG,
                          "Cannot store the message");
    }
    mm_log(s->c, "append: %lu message%s stored in %s", (unsigned long)n,
           n == 1 ? "" : "s", s->app_dir);
    r = catch_up(s, 1);
    if (r != MW_OK) {
        free(set);
        return r;
    }
    if (set != NULL) {
        mw_imap_code c;
        memset(&c, 0, sizeof c);
        c.id = MW_IMAP_CODE_APPENDUID;
        c.num = validity;
        if (mw_imap_seqset_parse(set, strlen(set), &c.set, NULL) == MW_OK) {
            r = mw_imap_server_reply(&s->m, MW_IMAP_OK, &c, "APPEND completed");
            free(set);
            return r;
        }
    }
    free(set);
    return reply(s, MW_IMAP_OK, "APPEND completed");
}

/* ====================================================================
 * STORE, EXPUNGE, COPY, MOVE
 * ==================================================================== */

static int on_store(imap_sess *s, const mw_imap_cmd *cmd)
{
    const mw_imap_store_args *a = &cmd->u.store;
    int uid = (cmd->flags & MW_IMAP_CMDF_UID) != 0, r = MW_OK, failed = 0;
    unsigned f = a->flags.system & ST_STORED;
    uint32_t *seqs;
    size_t n, i, changed = 0;

    if (s->readonly)
        return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_READ_ONLY,
                          "The mailbox is read-only");
    if (resolve(s, &a->set, uid, &seqs, &n) != 0)
        return bad_set(s);
    for (i = 0; i < n && r == MW_OK; i++) {
        st_msg *m = &s->v.msgs[seqs[i] - 1];
        unsigned old = m->flags & ST_STORED, now;
        if (m->flags & V_GONE)
            continue;
        now = a->mode == MW_IMAP_STORE_ADD      ? old | f
              : a->mode == MW_IMAP_STORE_REMOVE ? old & ~f
                                                : f;
        if (now != old) {
            if (st_set_flags(s->dir, &m->file, now) != 0) {
                failed = 1;
                continue;
            }
            m->flags = (m->flags & ~ST_STORED) | now;
            changed++;
        }
        if (!a->silent) {
            mw_imap_flags fl = flags_of(m->flags);
            r = mw_imap_server_fetch_begin(&s->m, seqs[i]);
            if (r == MW_OK && uid)
                r = mw_imap_server_fetch_uid(&s->m, m->uid);
            if (r == MW_OK)
                r = mw_imap_server_fetch_flags(&s->m, &fl);
            if (r == MW_OK)
                r = mw_imap_server_fetch_end(&s->m);
        }
    }
    free(seqs);
    if (changed > 0)
        notify(s->dir, s);
    if (r != MW_OK)
        return r;
    if ((r = catch_up(s, 0)) != MW_OK)
        return r;
    if (failed)
        return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_SERVERBUG,
                          "Some flags could not be stored");
    return reply(s, MW_IMAP_OK, "STORE completed");
}

/* Remove the messages marked \Deleted (those of `only` with UID
 * EXPUNGE), telling the client unless `quiet` (CLOSE). */
static int expunge(imap_sess *s, const mw_imap_seqset *only, int quiet,
                   size_t *gone)
{
    uint32_t *named = NULL;
    size_t i, k = 0, nnamed = 0, q = 0;
    int r = MW_OK;
    *gone = 0;
    if (only != NULL && resolve(s, only, 1, &named, &nnamed) != 0)
        return MW_OK; /* nothing named can be found */
    for (i = 0; i < s->v.count; i++) {
        st_msg *m = &s->v.msgs[i];
        int take = (m->flags & ST_DELETED) != 0;
        if (only != NULL) { /* named by UID EXPUNGE (ascending numbers) */
            while (q < nnamed && named[q] < i + 1)
                q++;
            take = take && q < nnamed && named[q] == i + 1;
        }
        if (take) {
            char p[MD_PATH_MAX];
            if (st_path(s->dir, m->file, p, sizeof p) != 0 ||
                (unlink(p) != 0 && errno != ENOENT))
                take = 0;
        }
        if (!take) {
            s->v.msgs[k++] = *m;
            continue;
        }
        free(m->file);
        (*gone)++;
        /* its number now: the ones before it that stay, plus one */
        if (!quiet && r == MW_OK)
            r = mw_imap_server_expunge(&s->m, (uint32_t)k + 1);
    }
    s->v.count = k;
    free(named);
    if (*gone > 0)
        notify(s->dir, s);
    return r;
}

static int on_expunge(imap_sess *s, const mw_imap_cmd *cmd)
{
    size_t gone;
    int r;
    if (s->readonly)
        return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_READ_ONLY,
                          "The mailbox is read-only");
    if ((r = catch_up(s, 1)) != MW_OK)
        return r;
    r = expunge(s, cmd->u.expunge.has_set ? &cmd->u.expunge.set : NULL, 0,
                &gone);
    if (r != MW_OK)
        return r;
    if (gone > 0)
        mm_log(s->c, "expunge %s: %lu message%s", s->name, (unsigned long)gone,
               gone == 1 ? "" : "s");
    return reply(s, MW_IMAP_OK, "EXPUNGE completed");
}

static int on_copy(imap_sess *s, const mw_imap_cmd *cmd)
{
    const mw_imap_copy_args *a = &cmd->u.copy;
    int uid = (cmd->flags & MW_IMAP_CMDF_UID) != 0;
    int move = cmd->id == MW_IMAP_CMD_MOVE, r = MW_OK, failed = 0;
    char dir[MD_PATH_MAX], name[ST_NAME_MAX + 1];
    char (*bases)[200];
    uint32_t *seqs, *src, *dst, validity = 0;
    size_t n, i, done = 0;
    mw_imap_code code;
    char *srcset = NULL, *dstset = NULL;

    if (move && s->readonly)
        return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_READ_ONLY,
                          "The mailbox is read-only");
    if (mailbox_dir(s, &a->mailbox, dir, sizeof dir, name, sizeof name) != 0 ||
        !st_exists(dir))
        return reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_TRYCREATE,
                          "No such mailbox");
    if (resolve(s, &a->set, uid, &seqs, &n) != 0)
        return bad_set(s);
    if (n == 0) {
        free(seqs);
        return reply(s, MW_IMAP_OK, move ? "MOVE completed" : "COPY completed");
    }
    bases = calloc(n, sizeof *bases);
    src = calloc(n, sizeof *src);
    dst = calloc(n, sizeof *dst);
    if (bases == NULL || src == NULL || dst == NULL) {
        free(bases);
        free(src);
        free(dst);
        free(seqs);
        return reply(s, MW_IMAP_NO, "Out of memory");
    }
    for (i = 0; i < n; i++) {
        st_msg *m = &s->v.msgs[seqs[i] - 1];
        if ((m->flags & V_GONE) ||
            st_copy(s->dir, m, dir, m->flags & ST_STORED, move, bases[done]) != 0) {
            failed = 1;
            continue;
        }
        src[done++] = m->uid;
        if (move)
            m->flags |= V_GONE | ST_DELETED;
    }
    if (done > 0)
        validity = uids_of(dir, bases, done, dst);
    if (validity != 0) {
        srcset = uid_text(src, done);
        dstset = uid_text(dst, done);
    }
    memset(&code, 0, sizeof code);
    if (srcset != NULL && dstset != NULL &&
        mw_imap_seqset_parse(srcset, strlen(srcset), &code.set, NULL) == MW_OK &&
        mw_imap_seqset_parse(dstset, strlen(dstset), &code.set2, NULL) == MW_OK) {
        code.id = MW_IMAP_CODE_COPYUID;
        code.num = validity;
    }
    if (done > 0) {
        notify(dir, s);
        if (s->selected && strcmp(dir, s->dir) == 0)
            s->dirty = 1;
        mm_log(s->c, "%s %lu message%s from %s to %s", move ? "move" : "copy",
               (unsigned long)done, done == 1 ? "" : "s", s->name, name);
    }
    if (move && done > 0) {
        /* RFC 6851 §4.3: COPYUID in an untagged OK, then the EXPUNGEs */
        size_t k = 0, gone = 0;
        if (code.id != 0)
            r = mw_imap_server_status(&s->m, MW_IMAP_OK, &code, "Moved");
        for (i = 0; i < s->v.count; i++) {
            st_msg *m = &s->v.msgs[i];
            if ((m->flags & (V_GONE | ST_DELETED)) == (V_GONE | ST_DELETED) &&
                m->file != NULL) {
                int was = 0;
                size_t q;
                for (q = 0; q < done && !was; q++)
                    was = src[q] == m->uid;
                if (was) {
                    free(m->file);
                    gone++;
                    if (r == MW_OK)
                        r = mw_imap_server_expunge(&s->m, (uint32_t)k + 1);
                    continue;
                }
            }
            s->v.msgs[k++] = *m;
        }
        s->v.count = k;
        notify(s->dir, s);
    }
    free(bases);
    free(src);
    free(dst);
    free(seqs);
    if (r == MW_OK)
        r = catch_up(s, 1);
    if (r == MW_OK) {
        if (failed && done == 0)
            r = reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_SERVERBUG,
                           move ? "Cannot move the messages"
                                : "Cannot copy the messages");
        else if (move)
            r = reply(s, MW_IMAP_OK, failed ? "Some messages were not moved"
                                            : "MOVE completed");
        else if (code.id != 0) /* code.set points into srcset and dstset */
            r = mw_imap_server_reply(&s->m, MW_IMAP_OK, &code,
                                     failed ? "Some messages were not copied"
                                            : "COPY completed");
        else
            r = reply(s, MW_IMAP_OK, "COPY completed");
    }
    free(srcset);
    free(dstset);
    return r;
}

/* ====================================================================
 * SEARCH (RFC 9051 §6.4.4): a reasonable subset of the keys, evaluated
 * over the key tree without recursion
 * ==================================================================== */

typedef struct search_msg {
    imap_sess *s;
    st_msg *m;
    uint32_t seq;
    int opened;         /* tried to open the file */
    mm_msg msg;
    int ok;             /* the file is open */
    char *hdr;          /* top header block, when a key needs it */
    size_t hlen;
    int have_hdr;
} search_msg;

static int sm_open(search_msg *e)
{
    char p[MD_PATH_MAX];
    if (!e->opened) {
        e->opened = 1;
        e->ok = !(e->m->flags & V_GONE) &&
                st_path(e->s->dir, e->m->file, p, sizeof p) == 0 &&
                mm_msg_open(&e->msg, p, e->m->size) == 0;
    }
    return e->ok;
}

static int sm_header(search_msg *e)
{
    if (!e->have_hdr) {
        e->have_hdr = 1;
        if (sm_open(e) && mm_read_header(&e->msg, &e->hdr, &e->hlen) != 0)
            e->hdr = NULL;
    }
    return e->hdr != NULL;
}

static int in_set(const mw_imap_seqset *set, uint32_t v, uint32_t star)
{
    mw_imap_seq_iter it;
    uint32_t lo, hi;
    if (set->dollar)
        return 0;
    mw_imap_seq_iter_init(&it, set, star);
    while (mw_imap_seq_next(&it, &lo, &hi))
        if (v >= lo && v <= hi)
            return 1;
    return 0;
}

static int64_t key_day(const mw_imap_datetime *d)
{
    return days_from_civil(d->year, d->month, d->day);
}

static int header_key(search_msg *e, const char *field, mw_span str)
{
    return sm_header(e) &&
           mm_header_has(e->hdr, e->hlen, field, strlen(field), str.ptr,
                         str.len);
}

static int leaf(search_msg *e, const mw_imap_search_key *k)
{
    st_msg *m = e->m;
    unsigned f = m->flags;
    imap_sess *s = e->s;
    uint32_t maxuid = s->v.count ? s->v.msgs[s->v.count - 1].uid : 0;
    int64_t day;
    int y, mo, d;
    switch (k->kind) {
    case MW_IMAP_SK_AND:
    case MW_IMAP_SK_ALL:
        return 1;
    case MW_IMAP_SK_ANSWERED: return (f & ST_ANSWERED) != 0;
    case MW_IMAP_SK_DELETED: return (f & ST_DELETED) != 0;
    case MW_IMAP_SK_DRAFT: return (f & ST_DRAFT) != 0;
    case MW_IMAP_SK_FLAGGED: return (f & ST_FLAGGED) != 0;
    case MW_IMAP_SK_SEEN: return (f & ST_SEEN) != 0;
    case MW_IMAP_SK_RECENT: return (f & ST_RECENT) != 0;
    case MW_IMAP_SK_NEW: return (f & ST_RECENT) && !(f & ST_SEEN);
    case MW_IMAP_SK_OLD: return !(f & ST_RECENT);
    case MW_IMAP_SK_UNANSWERED: return !(f & ST_ANSWERED);
    case MW_IMAP_SK_UNDELETED: return !(f & ST_DELETED);
    case MW_IMAP_SK_UNDRAFT: return !(f & ST_DRAFT);
    case MW_IMAP_SK_UNFLAGGED: return !(f & ST_FLAGGED);
    case MW_IMAP_SK_UNSEEN: return !(f & ST_SEEN);
    case MW_IMAP_SK_KEYWORD: return 0;   /* no keywords are kept */
    case MW_IMAP_SK_UNKEYWORD: return 1;
    case MW_IMAP_SK_LARGER: return m->size > k->num;
    case MW_IMAP_SK_SMALLER: return m->size < k->num;
    case MW_IMAP_SK_UID: return in_set(&k->set, m->uid, maxuid);
    case MW_IMAP_SK_SEQSET:
        return in_set(&k->set, e->seq, (uint32_t)s->v.count);
    case MW_IMAP_SK_BEFORE:
    case MW_IMAP_SK_ON:
    case MW_IMAP_SK_SINCE:
        /* the internal date, in UTC like INTERNALDATE */
        day = (int64_t)st_date(s->dir, m->file) / 86400;
        return k->kind == MW_IMAP_SK_BEFORE ? day < key_day(&k->date)
               : k->kind == MW_IMAP_SK_ON   ? day == key_day(&k->date)
                                            : day >= key_day(&k->date);
    case MW_IMAP_SK_SENTBEFORE:
    case MW_IMAP_SK_SENTON:
    case MW_IMAP_SK_SENTSINCE:
        /* the Date: field's date, its time and zone disregarded */
        if (!sm_header(e) || mm_sent_date(e->hdr, e->hlen, &y, &mo, &d) != 0)
            return 0;
        day = days_from_civil(y, mo, d);
        return k->kind == MW_IMAP_SK_SENTBEFORE ? day < key_day(&k->date)
               : k->kind == MW_IMAP_SK_SENTON   ? day == key_day(&k->date)
                                                : day >= key_day(&k->date);
    case MW_IMAP_SK_FROM: return header_key(e, "From", k->str);
    case MW_IMAP_SK_TO: return header_key(e, "To", k->str);
    case MW_IMAP_SK_CC: return header_key(e, "Cc", k->str);
    case MW_IMAP_SK_BCC: return header_key(e, "Bcc", k->str);
    case MW_IMAP_SK_SUBJECT: return header_key(e, "Subject", k->str);
    case MW_IMAP_SK_HEADER:
        return sm_header(e) && mm_header_has(e->hdr, e->hlen, k->field.ptr,
                                             k->field.len, k->str.ptr,
                                             k->str.len);
    case MW_IMAP_SK_BODY:
        return sm_header(e) &&
               mm_text_has(&e->msg, e->hlen, k->str.ptr, k->str.len) == 1;
    case MW_IMAP_SK_TEXT:
        return sm_open(e) && mm_text_has(&e->msg, 0, k->str.ptr, k->str.len) == 1;
    default:
        return 0; /* keys of extensions not offered */
    }
}

/* Post-order walk of the tree (first/next/parent links): each container
 * folds its children's values in acc[depth]. */
static int matches(search_msg *e, const mw_imap_search_key *root)
{
    int acc[MW_IMAP_SERVER_DEPTH_MAX + 2];
    const mw_imap_search_key *k = root->first;
    acc[0] = 1;
    if (k == NULL)
        return 1;
    for (;;) {
        int v;
        if (k->first != NULL && k->depth <= MW_IMAP_SERVER_DEPTH_MAX) {
            acc[k->depth] = k->kind == MW_IMAP_SK_AND;
            k = k->first;
            continue;
        }
        v = leaf(e, k);
        for (;;) {
            const mw_imap_search_key *p = k->parent;
            int *a = &acc[p->depth];
            if (p->kind == MW_IMAP_SK_OR)
                *a = *a || v;
            else if (p->kind == MW_IMAP_SK_NOT)
                *a = v;
            else
                *a = *a && v;
            if (k->next != NULL) {
                k = k->next;
                break;
            }
            v = p->kind == MW_IMAP_SK_NOT ? !*a : *a;
            if (p == root)
                return v;
            k = p;
        }
    }
}

static int on_search(imap_sess *s, const mw_imap_cmd *cmd)
{
    const mw_imap_search_args *a = &cmd->u.search;
    int uid = (cmd->flags & MW_IMAP_CMDF_UID) != 0, r;
    size_t i;
    if (a->charset.ptr != NULL &&
        !(a->charset.len == 5 && strncasecmp(a->charset.ptr, "UTF-8", 5) == 0) &&
        !(a->charset.len == 8 && strncasecmp(a->charset.ptr, "US-ASCII", 8) == 0)) {
        mw_imap_code c;
        memset(&c, 0, sizeof c);
        c.id = MW_IMAP_CODE_BADCHARSET;
        c.arg = span_of("(US-ASCII UTF-8)", 16);
        return mw_imap_server_reply(&s->m, MW_IMAP_NO, &c,
                                    "Charset not supported");
    }
    r = mw_imap_server_search_begin(&s->m, 0);
    for (i = 0; i < s->v.count && r == MW_OK; i++) {
        search_msg e;
        memset(&e, 0, sizeof e);
        e.s = s;
        e.m = &s->v.msgs[i];
        e.seq = (uint32_t)i + 1;
        if (matches(&e, a->root))
            r = mw_imap_server_search_add(&s->m, uid ? e.m->uid : e.seq);
        if (e.ok)
            mm_msg_close(&e.msg);
        free(e.hdr);
    }
    if (r == MW_OK)
        r = mw_imap_server_search_end(&s->m, 0);
    if (r != MW_OK)
        return r;
    if ((r = catch_up(s, uid)) != MW_OK)
        return r;
    return reply(s, MW_IMAP_OK, "SEARCH completed");
}

/* ====================================================================
 * FETCH (RFC 9051 §6.4.5), streamed
 * ==================================================================== */

static void fetch_free(imap_sess *s)
{
    fetch_job *j = s->fj;
    if (j == NULL)
        return;
    if (j->msg_open)
        mm_msg_close(&j->msg);
    mm_arena_free(&j->arena);
    mm_arena_free(&j->copies);
    free(j->rd);
    free(j->mem);
    free(j->items);
    free(j->seqs);
    free(j);
    s->fj = NULL;
}

/* The command's spans point into input net.c will reuse: copy what the
 * streaming may still need after the callback returns. */
static int fetch_copy(fetch_job *j, const mw_imap_fetch_args *a)
{
    size_t i, k;
    j->items = calloc(a->nitems, sizeof *j->items);
    if (j->items == NULL)
        return -1;
    j->nitems = a->nitems;
    for (i = 0; i < a->nitems; i++) {
        mw_imap_fetch_req *it = &j->items[i];
        *it = a->items[i];
        if (it->att == MW_IMAP_FA_FLAGS)
            j->want_flags = 1;
        if (it->section_text.ptr != NULL) {
            char *t = mm_strndup(&j->copies, it->section_text.ptr,
                                 it->section_text.len);
            if (t == NULL)
                return -1;
            it->section_text.ptr = t;
        }
        if (it->nfields > 0) {
            mw_span *f = mm_alloc(&j->copies, it->nfields * sizeof *f);
            if (f == NULL)
                return -1;
            for (k = 0; k < it->nfields; k++) {
                f[k].len = a->items[i].fields[k].len;
                f[k].ptr = mm_strndup(&j->copies, a->items[i].fields[k].ptr,
                                      f[k].len);
                if (f[k].ptr == NULL)
                    return -1;
            }
            it->fields = f;
        }
    }
    return 0;
}

static int is_body_item(const mw_imap_fetch_req *it)
{
    return it->att == MW_IMAP_FA_BODY_SECTION || it->att == MW_IMAP_FA_RFC822 ||
           it->att == MW_IMAP_FA_RFC822_HEADER || it->att == MW_IMAP_FA_RFC822_TEXT;
}

/* The MIME structure of the message being answered (`full`), or only
 * its top header, from the session's cache when it is the same message
 * as last time (FETCH BODYSTRUCTURE, then BODY[2]...). */
static const mm_mime *structure(imap_sess *s, const st_msg *m, int full)
{
    fetch_job *j = s->fj;
    if (s->cache_file != NULL && strcmp(s->cache_file, m->file) == 0 &&
        (s->cache_full || !full))
        return &s->cache;
    free(s->cache_file);
    s->cache_file = NULL;
    mm_mime_free(&s->cache);
    if ((full ? mm_mime_parse(&s->cache, &j->msg)
              : mm_mime_header(&s->cache, &j->msg)) != 0) {
        mm_mime_free(&s->cache);
        return NULL;
    }
    s->cache_full = full;
    s->cache_file = strdup(m->file);
    if (s->cache_file == NULL) {
        mm_mime_free(&s->cache);
        return NULL;
    }
    return &s->cache;
}

/* Send the open body literal while the queue takes it. MM_GO when done,
 * MM_WAIT when the queue is full, MM_ABORT on a send failure. */
static int body_pump(imap_sess *s)
{
    fetch_job *j = s->fj;
    while (j->left > 0) {
        size_t n = j->left < sizeof chunk ? (size_t)j->left : sizeof chunk;
        const char *p = chunk;
        if (mm_conn_full(s->c))
            return MM_WAIT;
        if (j->mem != NULL) {
            p = j->mem + j->mempos;
            j->mempos += n;
        } else {
            long got = mm_reader_read(j->rd, chunk, n);
            if (got <= 0) {
                /* The file changed under us: the literal's size is
                 * promised, so send it padded (and say so at the end). */
                memset(chunk, ' ', n);
                j->failed = 1;
            } else {
                n = (size_t)got;
            }
        }
        if (mw_imap_server_fetch_body_data(&s->m, p, n) != MW_OK)
            return MM_ABORT;
        j->left -= n;
    }
    j->body_open = 0;
    free(j->mem);
    j->mem = NULL;
    return mw_imap_server_fetch_body_end(&s->m) == MW_OK ? MM_GO : MM_ABORT;
}

/* Start a body section item: work out its bytes, announce the literal. */
static int body_item(imap_sess *s, const st_msg *m, const mw_imap_fetch_req *it)
{
    fetch_job *j = s->fj;
    const mm_mime *mi = NULL;
    uint64_t start = 0, end = 0, size;
    int section = it->section, filter = 0, found;

    if (it->att == MW_IMAP_FA_RFC822)
        section = MW_IMAP_SECTION_NONE;
    else if (it->att == MW_IMAP_FA_RFC822_HEADER)
        section = MW_IMAP_SECTION_HEADER;
    else if (it->att == MW_IMAP_FA_RFC822_TEXT)
        section = MW_IMAP_SECTION_TEXT;
    if (it->att == MW_IMAP_FA_BODY_SECTION && it->nparts == 0 &&
        section == MW_IMAP_SECTION_NONE) {
        found = 1; /* BODY[]: the whole message, no parsing needed */
        end = j->msg.size;
    } else {
        mi = structure(s, m, it->att == MW_IMAP_FA_BODY_SECTION &&
                                 it->nparts > 0);
        found = mi != NULL &&
                mm_section(mi, it->att == MW_IMAP_FA_BODY_SECTION ? it->parts
                                                                  : NULL,
                           it->att == MW_IMAP_FA_BODY_SECTION ? it->nparts : 0,
                           section, &start, &end, &filter) == 0;
    }
    if (!found)
        return mw_imap_server_fetch_body_nil(&s->m, it) == MW_OK ? MM_GO
                                                                  : MM_ABORT;
    if (filter) {
        if (mm_header_fields(&j->msg, start, end, it->fields, it->nfields,
                             section == MW_IMAP_SECTION_HEADER_FIELDS_NOT,
                             &j->mem, &j->memlen) != 0)
            return MM_ABORT;
        start = 0;
        end = j->memlen;
    }
    size = end - start;
    if (it->has_partial) { /* RFC 9051 §6.4.5 "<origin.length>" */
        uint64_t o = it->origin < size ? it->origin : size;
        start += o;
        size -= o;
        if (it->length < size)
            size = it->length;
    }
    if (j->mem != NULL) {
        j->mempos = (size_t)start;
    } else {
        if (j->rd == NULL && (j->rd = malloc(sizeof *j->rd)) == NULL)
            return MM_ABORT;
        if (mm_reader_start(j->rd, &j->msg, start) != 0)
            return MM_ABORT;
    }
    if (mw_imap_server_fetch_body_begin(&s->m, it, size, 0) != MW_OK)
        return MM_ABORT;
    j->left = size;
    j->body_open = 1;
    return body_pump(s);
}

/* One item of the message being answered (not a body section). */
static int plain_item(imap_sess *s, const st_msg *m, const mw_imap_fetch_req *it)
{
    fetch_job *j = s->fj;
    mw_imap_flags fl;
    mw_imap_datetime dt;
    mw_imap_envelope env;
    const mw_imap_body *b;
    const mm_mime *mi;
    switch (it->att) {
    case MW_IMAP_FA_FLAGS:
        fl = flags_of(m->flags);
        return mw_imap_server_fetch_flags(&s->m, &fl);
    case MW_IMAP_FA_UID:
        return mw_imap_server_fetch_uid(&s->m, m->uid);
    case MW_IMAP_FA_INTERNALDATE:
        datetime_of(st_date(s->dir, m->file), &dt);
        return mw_imap_server_fetch_internaldate(&s->m, &dt);
    case MW_IMAP_FA_RFC822_SIZE:
        return mw_imap_server_fetch_size(&s->m, j->msg_open ? j->msg.size
                                                            : m->size);
    case MW_IMAP_FA_ENVELOPE:
        if (!j->msg_open || (mi = structure(s, m, 0)) == NULL ||
            mm_envelope(mi, 0, &j->arena, &env) != 0)
            return MW_E_INTERNAL;
        return mw_imap_server_fetch_envelope(&s->m, &env);
    case MW_IMAP_FA_BODY:
    case MW_IMAP_FA_BODYSTRUCTURE:
        if (!j->msg_open || (mi = structure(s, m, 1)) == NULL ||
            mm_bodystructure(mi, &j->arena, &b) != 0)
            return MW_E_INTERNAL;
        return mw_imap_server_fetch_body_structure(
            &s->m, b, it->att == MW_IMAP_FA_BODYSTRUCTURE);
    default:
        return MW_OK; /* items of extensions not offered */
    }
}

/* Start answering message j->seqs[j->pos]: open it, set \Seen for a
 * body fetch (RFC 9051 §6.4.5), "* n FETCH (", the UID first for UID
 * FETCH (§6.4.9). Returns 0, 1 to skip this message, -1 on failure. */
static int message_begin(imap_sess *s)
{
    fetch_job *j = s->fj;
    uint32_t seq = j->seqs[j->pos];
    st_msg *m = &s->v.msgs[seq - 1];
    char p[MD_PATH_MAX];
    size_t i;
    int need_file = 0, sets_seen = 0, has_uid = 0;
    for (i = 0; i < j->nitems; i++) {
        const mw_imap_fetch_req *it = &j->items[i];
        if (is_body_item(it) || it->att == MW_IMAP_FA_ENVELOPE ||
            it->att == MW_IMAP_FA_BODY || it->att == MW_IMAP_FA_BODYSTRUCTURE)
            need_file = 1;
        if (is_body_item(it) && !it->peek && it->att != MW_IMAP_FA_RFC822_HEADER)
            sets_seen = 1;
        if (it->att == MW_IMAP_FA_UID)
            has_uid = 1;
    }
    if (need_file) {
        if ((m->flags & V_GONE) || st_path(s->dir, m->file, p, sizeof p) != 0 ||
            mm_msg_open(&j->msg, p, m->size) != 0) {
            j->failed = 1;
            return 1;
        }
        j->msg_open = 1;
    }
    j->seen_set = 0;
    if (sets_seen && !s->readonly && !(m->flags & ST_SEEN) &&
        st_set_flags(s->dir, &m->file, (m->flags & ST_STORED) | ST_SEEN) == 0) {
        m->flags |= ST_SEEN;
        j->seen_set = 1;
        notify(s->dir, s);
    }
    if (mw_imap_server_fetch_begin(&s->m, seq) != MW_OK)
        return -1;
    j->open = 1;
    j->item = 0;
    if (j->uid && !has_uid && mw_imap_server_fetch_uid(&s->m, m->uid) != MW_OK)
        return -1;
    return 0;
}

static void message_done(fetch_job *j)
{
    if (j->msg_open)
        mm_msg_close(&j->msg);
    j->msg_open = 0;
    mm_arena_free(&j->arena);
    j->open = 0;
    j->pos++;
}

/* Go on with the FETCH: MM_GO once it is answered, MM_WAIT when the
 * output queue is full (net.c calls imap_resume() later), MM_ABORT. */
static int fetch_run(imap_sess *s)
{
    fetch_job *j = s->fj;
    int r;
    while (j->pos < j->nseqs) {
        st_msg *m = &s->v.msgs[j->seqs[j->pos] - 1];
        if (j->body_open) {
            r = body_pump(s);
            if (r != MM_GO)
                return r;
        }
        if (!j->open) {
            if (mm_conn_full(s->c))
                return MM_WAIT;
            r = message_begin(s);
            if (r < 0)
                return MM_ABORT;
            if (r > 0) {
                message_done(j);
                continue;
            }
        }
        while (j->item < j->nitems) {
            const mw_imap_fetch_req *it = &j->items[j->item++];
            if (is_body_item(it)) {
                r = body_item(s, m, it);
                if (r != MM_GO)
                    return r;
            } else if (plain_item(s, m, it) != MW_OK) {
                return MM_ABORT;
            }
        }
        if (j->seen_set && !j->want_flags) {
            mw_imap_flags fl = flags_of(m->flags);
            if (mw_imap_server_fetch_flags(&s->m, &fl) != MW_OK)
                return MM_ABORT;
        }
        if (mw_imap_server_fetch_end(&s->m) != MW_OK)
            return MM_ABORT;
        message_done(j);
    }
    r = j->failed;
    fetch_free(s);
    if (catch_up(s, 0) != MW_OK)
        return MM_ABORT;
    if (r)
        r = reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_EXPUNGEISSUED,
                       "Some messages could not be read");
    else
        r = reply(s, MW_IMAP_OK, "FETCH completed");
    return r == MW_OK ? MM_GO : MM_ABORT;
}

static int on_fetch(imap_sess *s, const mw_imap_cmd *cmd)
{
    const mw_imap_fetch_args *a = &cmd->u.fetch;
    fetch_job *j;
    int uid = (cmd->flags & MW_IMAP_CMDF_UID) != 0, r;
    j = calloc(1, sizeof *j);
    if (j == NULL)
        return reply(s, MW_IMAP_NO, "Out of memory");
    s->fj = j;
    j->uid = uid;
    if (resolve(s, &a->set, uid, &j->seqs, &j->nseqs) != 0) {
        fetch_free(s);
        return bad_set(s);
    }
    if (fetch_copy(j, a) != 0) {
        fetch_free(s);
        return reply(s, MW_IMAP_NO, "Out of memory");
    }
    r = fetch_run(s);
    if (r == MM_ABORT)
        return -1;
    return r == MM_WAIT ? MW_PAUSED : 0;
}

/* ====================================================================
 * The machine's callbacks
 * ==================================================================== */

static void log_command(imap_sess *s, const mw_imap_cmd *cmd)
{
    char tag[40], arg[80];
    const char *a = "";
    if (!mm_verbose)
        return;
    mm_printable(cmd->tag.ptr, cmd->tag.len, tag, sizeof tag);
    switch (cmd->id) {
    case MW_IMAP_CMD_LOGIN: /* the user, never the password */
        a = mm_printable(cmd->u.login.user.ptr, cmd->u.login.user.len, arg,
                         sizeof arg);
        mm_log(s->c, "C: %s LOGIN %s ****", tag, a);
        return;
    case MW_IMAP_CMD_SELECT:
    case MW_IMAP_CMD_EXAMINE:
        a = mm_printable(cmd->u.select.mailbox.name.ptr,
                         cmd->u.select.mailbox.name.len, arg, sizeof arg);
        break;
    case MW_IMAP_CMD_AUTHENTICATE:
        a = mm_printable(cmd->u.authenticate.mechanism.ptr,
                         cmd->u.authenticate.mechanism.len, arg, sizeof arg);
        break;
    default:
        break;
    }
    mm_log(s->c, "C: %s %s%s%s%s", tag,
           (cmd->flags & MW_IMAP_CMDF_UID) ? "UID " : "",
           mw_imap_cmd_name(cmd->id), a[0] ? " " : "", a);
}

static int on_command(mw_imap_server *mach, void *user, const mw_imap_cmd *cmd)
{
    imap_sess *s = user;
    int r;
    (void)mach;
    log_command(s, cmd);
    if (cmd->id != MW_IMAP_CMD_DONE)
        s->idling = 0; /* an IDLE the machine ended (a line but DONE) */
    if (cmd->id != MW_IMAP_CMD_APPEND && s->napp > 0)
        append_discard(s); /* an APPEND that failed after its messages */
    switch (cmd->id) {
    case MW_IMAP_CMD_NOOP:
    case MW_IMAP_CMD_CHECK:
        /* RFC 9051 §6.1.2: the way to poll for new messages */
        r = s->selected ? view_sync(s, 1) : MW_OK;
        if (r == MW_OK)
            r = reply(s, MW_IMAP_OK, NULL);
        break;
    case MW_IMAP_CMD_LOGOUT:
        mm_log(s->c, "logout");
        r = reply(s, MW_IMAP_OK, "Logging out"); /* the machine sends BYE */
        break;
    case MW_IMAP_CMD_STARTTLS:
        r = reply(s, MW_IMAP_OK, "Begin TLS negotiation now");
        if (r == MW_OK)
            mm_conn_start_tls(s->c);
        break;
    case MW_IMAP_CMD_LOGIN:
        if (!clear_allowed(s))
            r = reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_PRIVACYREQUIRED,
                           "STARTTLS first");
        else
            r = login_result(s, cmd->u.login.user.ptr, cmd->u.login.user.len,
                             cmd->u.login.password.ptr,
                             cmd->u.login.password.len);
        break;
    case MW_IMAP_CMD_AUTHENTICATE:
        r = on_authenticate(s, &cmd->u.authenticate);
        break;
    case MW_IMAP_CMD_ENABLE:
        /* RFC 5161: nothing here can be enabled; say so */
        r = mw_imap_server_enabled(&s->m, NULL, 0);
        if (r == MW_OK)
            r = reply(s, MW_IMAP_OK, "ENABLE completed");
        break;
    case MW_IMAP_CMD_ID: {
        /* RFC 2971 §3.3 */
        mw_imap_id_param id[3];
        const char *v = mw_version_string();
        id[0].field = span_of("name", 4);
        id[0].value = span_of("minimail", 8);
        id[1].field = span_of("version", 7);
        id[1].value = span_of(v, strlen(v));
        id[2].field = span_of("vendor", 6);
        id[2].value = span_of("mailwire example", 16);
        r = mw_imap_server_id(&s->m, id, 3);
        if (r == MW_OK)
            r = reply(s, MW_IMAP_OK, "ID completed");
        break;
    }
    case MW_IMAP_CMD_NAMESPACE: {
        /* RFC 2342: one personal namespace, "" with "." */
        mw_imap_ns_reply ns;
        memset(&ns, 0, sizeof ns);
        ns.prefix = span_of("", 0);
        ns.delimiter = '.';
        r = mw_imap_server_namespace(&s->m, &ns, 1, NULL, 0, NULL, 0);
        if (r == MW_OK)
            r = reply(s, MW_IMAP_OK, "NAMESPACE completed");
        break;
    }
    case MW_IMAP_CMD_SELECT:
    case MW_IMAP_CMD_EXAMINE:
        r = on_select(s, cmd);
        break;
    case MW_IMAP_CMD_CREATE:
    case MW_IMAP_CMD_DELETE:
    case MW_IMAP_CMD_RENAME:
    case MW_IMAP_CMD_SUBSCRIBE:
    case MW_IMAP_CMD_UNSUBSCRIBE:
        r = on_folder(s, cmd);
        break;
    case MW_IMAP_CMD_LIST:
    case MW_IMAP_CMD_LSUB:
        r = on_list(s, cmd);
        break;
    case MW_IMAP_CMD_STATUS:
        r = on_status(s, &cmd->u.status);
        break;
    case MW_IMAP_CMD_APPEND:
        r = on_append(s, cmd);
        break;
    case MW_IMAP_CMD_IDLE:
        /* catch up first (changes by other programs, too) */
        r = s->selected ? view_sync(s, 1) : MW_OK;
        if (r == MW_OK)
            r = mw_imap_server_idle(&s->m, NULL); /* "+ idling" */
        if (r == MW_OK)
            s->idling = 1;
        break;
    case MW_IMAP_CMD_DONE:
        s->idling = 0;
        r = reply(s, MW_IMAP_OK, "IDLE terminated");
        break;
    case MW_IMAP_CMD_CLOSE:
    case MW_IMAP_CMD_UNSELECT: {
        size_t gone = 0;
        r = MW_OK;
        /* CLOSE expunges without telling (RFC 9051 §6.4.1) */
        if (cmd->id == MW_IMAP_CMD_CLOSE && !s->readonly)
            r = expunge(s, NULL, 1, &gone);
        if (gone > 0)
            mm_log(s->c, "close %s: %lu expunged", s->name, (unsigned long)gone);
        view_close(s);
        if (r == MW_OK)
            r = reply(s, MW_IMAP_OK, NULL);
        break;
    }
    case MW_IMAP_CMD_EXPUNGE:
        r = on_expunge(s, cmd);
        break;
    case MW_IMAP_CMD_SEARCH:
        r = on_search(s, cmd);
        break;
    case MW_IMAP_CMD_FETCH:
        return on_fetch(s, cmd);
    case MW_IMAP_CMD_STORE:
        r = on_store(s, cmd);
        break;
    case MW_IMAP_CMD_COPY:
    case MW_IMAP_CMD_MOVE:
        r = on_copy(s, cmd);
        break;
    default:
        r = reply(s, MW_IMAP_NO, "Not supported");
        break;
    }
    if (r < 0 && mw_is_fatal(r))
        return -1;
    if (r < 0 && s->fj == NULL &&
        (mw_imap_server_want(&s->m) & MW_IMAP_SERVER_WANT_REPLY)) {
        /* A response we built was refused (a bug here, or a value the
         * formatter cannot write): the command must still be answered. */
        mm_log(s->c, "%s: cannot answer (%s)", mw_imap_cmd_name(cmd->id),
               mw_status_name(r));
        r = reply_code(s, MW_IMAP_NO, MW_IMAP_CODE_SERVERBUG, "Internal error");
    }
    return pace(s, r < 0 ? MW_OK : r);
}

/* A SASL line after "+ " (AUTHENTICATE PLAIN without initial response). */
static int on_auth(mw_imap_server *m, void *user, const char *b64, size_t n)
{
    imap_sess *s = user;
    (void)m;
    return pace(s, auth_plain(s, b64, n));
}

static int on_send(mw_imap_server *m, void *user, const char *p, size_t n)
{
    imap_sess *s = user;
    (void)m;
    return mm_conn_send(s->c, p, n) == 0 ? 0 : -1;
}

static int on_error(mw_imap_server *m, void *user, int status, size_t offset,
                    const char *reason)
{
    imap_sess *s = user;
    (void)m;
    s->idling = 0; /* an IDLE ended by anything but DONE is over */
    if (s->napp > 0 || s->cur_app != NULL)
        append_discard(s); /* the APPEND failed: none of its messages stay */
    if (mm_verbose || status == MW_E_TLS_LEFTOVER)
        mm_log(s->c, "protocol error at byte %lu: %s (%s)",
               (unsigned long)offset, reason, mw_status_name(status));
    return 0;
}

/* ====================================================================
 * The mm_proto entry points
 * ==================================================================== */

static int imap_open(mm_conn *c)
{
    mw_imap_server_config cfg;
    mw_imap_server_callbacks cb;
    mw_imap_code greet;
    imap_sess *s = calloc(1, sizeof *s);
    if (s == NULL)
        return MM_ABORT;
    s->c = c;
    mm_conn_set_session(c, s);
    s->next = sessions;
    if (sessions != NULL)
        sessions->prev = s;
    sessions = s;

    mw_imap_server_config_init(&cfg);
    cfg.max_line = IMAP_LINE;
    cfg.max_append = mm_cfg.max_size;
    cfg.caps = MW_IMAP_CAP_IMAP4REV1 | MW_IMAP_CAP_LITERAL_PLUS |
               MW_IMAP_CAP_IDLE | MW_IMAP_CAP_NAMESPACE | MW_IMAP_CAP_ID |
               MW_IMAP_CAP_ENABLE | MW_IMAP_CAP_UIDPLUS | MW_IMAP_CAP_MOVE |
               MW_IMAP_CAP_UNSELECT | MW_IMAP_CAP_SASL_IR |
               MW_IMAP_CAP_CHILDREN | MW_IMAP_CAP_MULTIAPPEND |
               MW_IMAP_CAP_APPENDLIMIT;
    cfg.auth = MW_IMAP_AUTH_PLAIN;
    if (mm_tls_available()) {
        cfg.caps |= MW_IMAP_CAP_STARTTLS;
        /* RFC 9051 §6.2.3: LOGINDISABLED until TLS, except on loopback */
        if (!mm_conn_loopback(c))
            cfg.flags |= MW_IMAP_SERVER_LOGIN_NEEDS_TLS;
    }
    memset(&cb, 0, sizeof cb);
    cb.send = on_send;
    cb.command = on_command;
    cb.literal = on_literal;
    cb.append_data = on_append_data;
    cb.append_end = on_append_end;
    cb.auth = on_auth;
    cb.error = on_error;
    if (mw_imap_server_init(&s->m, &cfg, &cb, s, s->buf, sizeof s->buf) != MW_OK)
        return MM_ABORT;
    /* "* OK [CAPABILITY ...] ...": an empty CAPABILITY code lists the
     * configured capabilities, saving the client a round trip */
    memset(&greet, 0, sizeof greet);
    greet.id = MW_IMAP_CODE_CAPABILITY;
    if (mw_imap_server_start(&s->m, MW_IMAP_OK, &greet,
                             "minimail IMAP ready") != MW_OK)
        return MM_ABORT;
    return MM_GO;
}

static int imap_input(mm_conn *c, const char *p, size_t n, size_t *used)
{
    imap_sess *s = mm_conn_session(c);
    int r = mw_imap_server_feed(&s->m, p, n, used);
    if (r == MW_OK)
        return s->fj != NULL ? MM_WAIT : MM_GO;
    if (r == MW_PAUSED)
        return MM_WAIT;
    if (r == MW_DONE)
        return MM_CLOSE;
    {
        mw_error e;
        mw_imap_server_error(&s->m, &e);
        mm_log(c, "session ended: %s (%s)", mw_strerror(r),
               e.reason != NULL ? e.reason : "");
    }
    return MM_ABORT;
}

static int imap_resume(mm_conn *c)
{
    imap_sess *s = mm_conn_session(c);
    if (s->fj != NULL)
        return fetch_run(s);
    return MM_GO;
}

static int imap_tls_ready(mm_conn *c)
{
    imap_sess *s = mm_conn_session(c);
    return mw_imap_server_tls_done(&s->m) == MW_OK ? MM_GO : MM_ABORT;
}

static void imap_close(mm_conn *c, const char *why)
{
    imap_sess *s = mm_conn_session(c);
    if (s == NULL)
        return;
    if (!(mw_imap_server_want(&s->m) & MW_IMAP_SERVER_WANT_CLOSED) &&
        mw_imap_server_eof(&s->m) == MW_E_INCOMPLETE)
        mm_log(c, "connection lost inside a command");
    fetch_free(s);
    append_discard(s);
    free(s->app);
    free(s->app_dir);
    view_close(s);
    free(s->cache_file);
    mm_mime_free(&s->cache);
    if (s->prev != NULL)
        s->prev->next = s->next;
    else
        sessions = s->next;
    if (s->next != NULL)
        s->next->prev = s->prev;
    mm_log(c, "close (%s)", why);
    free(s);
}

/* RFC 9051 §5.4: an autologout timer of at least 30 minutes. */
const mm_proto mm_imap_proto = {"imap",      1800,         imap_open,
                                imap_input,  imap_resume,  imap_tls_ready,
                                imap_close};

#else
typedef int minimail_imap_session_unused; /* ISO C: no empty file */
#endif /* MM_IMAP */
