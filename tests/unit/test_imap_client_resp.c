/* SPDX-License-Identifier: MIT */
/* The IMAP client's response parser (lib/imap/client_resp*.c), driven
 * through the public client machine (mw_imap_client_feed): every response
 * example of RFC 3501 and RFC 9051 (§7, §8 and the command examples) read
 * from tests/vectors/imap/responses_*.txt with the events each must give,
 * replayed whole, per byte and at every split; the captured shapes of
 * Dovecot, Gmail, Exchange and Yahoo with each quirk switch on and off;
 * then hostile input: 10,000 nested parentheses, a BODYSTRUCTURE of
 * 10,000 parts against the arena, a literal of 2^63 bytes, a 100 MB SEARCH
 * streamed through a small frame buffer, NUL in a quoted string, a
 * response cut at every byte; and the limits (depth, arena, frame) at
 * cap-1, cap and cap+1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evlog.h"
#include "replay.h"
#include "testdata.h"
#include "reason.h"

#include "mailwire/imap.h"

/* ---- a growable string for log lines ----------------------------------- */

typedef struct sb {
    char *p;
    size_t n, cap;
} sb;

static void sb_add(sb *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        b->p = realloc(b->p, cap);
        assert_non_null(b->p);
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_printf(sb *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void sb_printf(sb *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof(tmp));
    sb_add(b, tmp, (size_t)n);
}

/* An IMAP-like rendering of a string: NIL, or "..." with \" \\ and
 * \xHH for bytes outside printable ASCII. */
static void sb_str(sb *b, mw_span s)
{
    size_t i;
    if (s.ptr == NULL) {
        sb_add(b, "NIL", 3);
        return;
    }
    sb_add(b, "\"", 1);
    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            sb_add(b, e, 2);
        } else if (c < 0x20 || c >= 0x7f) {
            sb_printf(b, "\\x%02X", c);
        } else {
            sb_add(b, (const char *)&c, 1);
        }
    }
    sb_add(b, "\"", 1);
}

/* Raw text with CR and LF shown as \r and \n (names holding literals). */
static void sb_esc(sb *b, const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (p[i] == '\r')
            sb_add(b, "\\r", 2);
        else if (p[i] == '\n')
            sb_add(b, "\\n", 2);
        else
            sb_add(b, p + i, 1);
    }
}

static void sb_addrs(sb *b, const mw_imap_address_list *l)
{
    uint32_t i;
    if (l->items == NULL) {
        assert_int_equal(l->count, 0);
        sb_add(b, "NIL", 3);
        return;
    }
    sb_add(b, "(", 1);
    for (i = 0; i < l->count; i++) {
        const mw_imap_address *a = &l->items[i];
        sb_add(b, "(", 1);
        sb_str(b, a->name);
        sb_add(b, " ", 1);
        sb_str(b, a->adl);
        sb_add(b, " ", 1);
        sb_str(b, a->mailbox);
        sb_add(b, " ", 1);
        sb_str(b, a->host);
        sb_add(b, ")", 1);
    }
    sb_add(b, ")", 1);
}

static void sb_env(sb *b, const mw_imap_envelope *e)
{
    sb_add(b, "(", 1);
    sb_str(b, e->date);
    sb_add(b, " ", 1);
    sb_str(b, e->subject);
    sb_add(b, " ", 1);
    sb_addrs(b, &e->from);
    sb_add(b, " ", 1);
    sb_addrs(b, &e->sender);
    sb_add(b, " ", 1);
    sb_addrs(b, &e->reply_to);
    sb_add(b, " ", 1);
    sb_addrs(b, &e->to);
    sb_add(b, " ", 1);
    sb_addrs(b, &e->cc);
    sb_add(b, " ", 1);
    sb_addrs(b, &e->bcc);
    sb_add(b, " ", 1);
    sb_str(b, e->in_reply_to);
    sb_add(b, " ", 1);
    sb_str(b, e->message_id);
    sb_add(b, ")", 1);
}

static void sb_params(sb *b, const mw_imap_param *p, uint32_t n)
{
    uint32_t i;
    if (p == NULL) {
        assert_int_equal(n, 0);
        sb_add(b, "NIL", 3);
        return;
    }
    sb_add(b, "(", 1);
    for (i = 0; i < n; i++) {
        if (i)
            sb_add(b, " ", 1);
        sb_str(b, p[i].name);
        sb_add(b, " ", 1);
        sb_str(b, p[i].value);
    }
    sb_add(b, ")", 1);
}

/* The extension fields after md5 / params. */
static void sb_body_ext(sb *b, const mw_imap_body *n)
{
    if (n->has & MW_IMAP_BODY_HAS_DSP) {
        sb_add(b, " ", 1);
        if (n->disposition.ptr == NULL) {
            sb_add(b, "NIL", 3);
        } else {
            sb_add(b, "(", 1);
            sb_str(b, n->disposition);
            sb_add(b, " ", 1);
            sb_params(b, n->disp_params, n->ndisp_params);
            sb_add(b, ")", 1);
        }
    }
    if (n->has & MW_IMAP_BODY_HAS_LANG) {
        uint32_t i;
        sb_add(b, " ", 1);
        if (n->nlanguages == 0) {
            sb_add(b, "NIL", 3);
        } else {
            sb_add(b, "(", 1);
            for (i = 0; i < n->nlanguages; i++) {
                if (i)
                    sb_add(b, " ", 1);
                sb_str(b, n->languages[i]);
            }
            sb_add(b, ")", 1);
        }
    }
    if (n->has & MW_IMAP_BODY_HAS_LOC) {
        sb_add(b, " ", 1);
        sb_str(b, n->location);
    }
    if (n->has & MW_IMAP_BODY_HAS_EXTENSION) {
        sb_add(b, " ", 1);
        sb_add(b, n->extension.ptr, n->extension.len);
    }
}

static void sb_body(sb *b, const mw_imap_body *n, unsigned depth)
{
    assert_int_equal(n->depth, depth);
    sb_add(b, "(", 1);
    if (n->kind == MW_IMAP_BODY_MULTIPART) {
        const mw_imap_body *p;
        uint32_t k = 0;
        for (p = n->first; p != NULL; p = p->next) {
            sb_body(b, p, depth + 1);
            k++;
        }
        assert_int_equal(k, n->nparts);
        sb_add(b, " ", 1);
        sb_str(b, n->subtype);
        if (n->has & MW_IMAP_BODY_HAS_PARAMS) {
            sb_add(b, " ", 1);
            sb_params(b, n->params, n->nparams);
            sb_body_ext(b, n);
        }
    } else {
        sb_str(b, n->type);
        sb_add(b, " ", 1);
        sb_str(b, n->subtype);
        sb_add(b, " ", 1);
        sb_params(b, n->params, n->nparams);
        sb_add(b, " ", 1);
        sb_str(b, n->id);
        sb_add(b, " ", 1);
        sb_str(b, n->description);
        sb_add(b, " ", 1);
        sb_str(b, n->encoding);
        sb_printf(b, " %llu", (unsigned long long)n->size);
        if (n->kind == MW_IMAP_BODY_MESSAGE) {
            sb_add(b, " ", 1);
            assert_non_null(n->envelope);
            sb_env(b, n->envelope);
            sb_add(b, " ", 1);
            assert_non_null(n->body);
            sb_body(b, n->body, depth + 1);
        }
        if (n->kind == MW_IMAP_BODY_TEXT || n->kind == MW_IMAP_BODY_MESSAGE)
            sb_printf(b, " %lld", (long long)n->lines);
        if (n->has & MW_IMAP_BODY_HAS_MD5) {
            sb_add(b, " ", 1);
            sb_str(b, n->md5);
            sb_body_ext(b, n);
        }
    }
    sb_add(b, ")", 1);
}

static void sb_seq(sb *b, const mw_imap_seqset *s)
{
    if (s->dollar)
        sb_add(b, "$", 1);
    else
        sb_add(b, s->text.ptr, s->text.len);
}

static void sb_flags(sb *b, const mw_imap_flags *f)
{
    sb_printf(b, "sys=0x%02x n=%u (", f->system, (unsigned)f->count);
    sb_add(b, f->text.ptr != NULL ? f->text.ptr : "", f->text.len);
    sb_add(b, ")", 1);
}

static void sb_date(sb *b, const mw_imap_datetime *d)
{
    sb_printf(b, "%04d-%02d-%02d %02d:%02d:%02d ", d->year, d->month,
              d->day, d->hour, d->minute, d->second);
    if (d->zone == 0 && d->zone_unknown)
        sb_add(b, "-0000", 5);
    else
        sb_printf(b, "%+05d", (d->zone / 60) * 100 + (d->zone % 60));
}

/* ---- the test client ---------------------------------------------------- */

#define MAX_CMDS 32

/* The greeting a reset feeds quietly when the input holds none: PREAUTH,
 * so that commands of every state (IDLE) can be issued. */
#define GREETING "* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+ IDLE] hi\r\n"
#define G ((int)sizeof(GREETING) - 1)

typedef struct tc {
    mw_imap_client c;
    char *buf;
    size_t buflen;
    unsigned char *arena;
    size_t arenalen;
    evlog *log;
    evlog own;
    int quiet;
    /* the configuration of every reset */
    unsigned quirks;
    unsigned lexflags;
    unsigned max_depth;
    size_t max_response;
    int greeting_in_input;
    char prefix[32];
    uint32_t tag_start;
    char cmds[MAX_CMDS][128];
    size_t ncmds;
    /* SEARCH counting instead of logging (the 100 MB test) */
    int count_search;
    uint64_t nums, sum, last;
    int ended;
    /* pause: return MW_PAUSED from the nth event */
    int pause_every;
    int events;
    /* fail: return -1 from the nth event */
    int fail_at;
} tc;

static int ev(tc *x)
{
    x->events++;
    if (x->fail_at > 0 && x->events == x->fail_at)
        return -1;
    if (x->pause_every > 0 && x->events % x->pause_every == 0)
        return MW_PAUSED;
    return 0;
}

static void logline(tc *x, sb *b)
{
    if (!x->quiet)
        evlog_printf(x->log, "%s", b->p != NULL ? b->p : "");
    free(b->p);
}

static int c_send(mw_imap_client *c, void *u, const char *p, size_t n)
{
    (void)c;
    (void)u;
    (void)p;
    (void)n;
    return 0;
}

static void issue_cmds(tc *x)
{
    size_t i;
    for (i = 0; i < x->ncmds; i++) {
        const char *t = strchr(x->cmds[i], ' ');
        int r;
        assert_non_null(t);
        t++;
        if (strncmp(t, "logout", 6) == 0 || strncmp(t, "LOGOUT", 6) == 0)
            r = mw_imap_client_logout(&x->c, NULL);
        else if (strcmp(t, "IDLE") == 0)
            r = mw_imap_client_idle(&x->c, NULL);
        else
            r = mw_imap_client_command(&x->c, t, strlen(t), MW_IMAP_CMD_OTHER,
                                       NULL);
        if (r != MW_OK)
            fail_msg("command %s: %s", x->cmds[i], mw_status_name(r));
    }
}

static int c_status(mw_imap_client *c, void *u, const mw_imap_status *st)
{
    tc *x = u;
    sb b = {0};
    static const char *const res[] = {"OK", "NO", "BAD", "PREAUTH", "BYE"};
    assert_ptr_equal(c, &x->c);
    sb_printf(&b, "status %s", res[st->result]);
    if (!st->untagged) {
        sb_add(&b, " tag=", 5);
        sb_add(&b, st->tag.ptr, st->tag.len);
    }
    if (st->greeting)
        sb_add(&b, " greeting", 9);
    if (st->code.id != MW_IMAP_CODE_NONE) {
        sb_printf(&b, " [%s", mw_imap_code_name(st->code.id));
        if (st->code.id == MW_IMAP_CODE_OTHER) {
            sb_add(&b, " ", 1);
            sb_add(&b, st->code.name.ptr, st->code.name.len);
        }
        switch (st->code.id) {
        case MW_IMAP_CODE_UIDNEXT:
        case MW_IMAP_CODE_UIDVALIDITY:
        case MW_IMAP_CODE_UNSEEN:
            sb_printf(&b, " num=%u", (unsigned)st->code.num);
            break;
        case MW_IMAP_CODE_HIGHESTMODSEQ:
            sb_printf(&b, " modseq=%llu", (unsigned long long)st->code.modseq);
            break;
        case MW_IMAP_CODE_APPENDUID:
            sb_printf(&b, " num=%u set=", (unsigned)st->code.num);
            sb_seq(&b, &st->code.set);
            break;
        case MW_IMAP_CODE_COPYUID:
            sb_printf(&b, " num=%u set=", (unsigned)st->code.num);
            sb_seq(&b, &st->code.set);
            sb_add(&b, " set2=", 6);
            sb_seq(&b, &st->code.set2);
            break;
        case MW_IMAP_CODE_MODIFIED:
            sb_add(&b, " set=", 5);
            sb_seq(&b, &st->code.set);
            break;
        case MW_IMAP_CODE_PERMANENTFLAGS:
            sb_add(&b, " ", 1);
            sb_flags(&b, &st->code.flags);
            break;
        case MW_IMAP_CODE_METADATA:
            sb_printf(&b, " num=%u", (unsigned)st->code.num);
            break;
        default:
            break;
        }
        if (st->code.arg.ptr != NULL &&
            (st->code.id == MW_IMAP_CODE_OTHER ||
             st->code.id == MW_IMAP_CODE_BADCHARSET ||
             st->code.id == MW_IMAP_CODE_CAPABILITY ||
             st->code.id == MW_IMAP_CODE_REFERRAL ||
             st->code.id == MW_IMAP_CODE_BADURL ||
             st->code.id == MW_IMAP_CODE_MAILBOXID ||
             st->code.id == MW_IMAP_CODE_INPROGRESS ||
             (st->code.id < MW_IMAP_CODE_UIDNEXT &&
              st->code.id != MW_IMAP_CODE_PERMANENTFLAGS))) {
            sb_add(&b, " arg=", 5);
            sb_str(&b, st->code.arg);
        }
        sb_add(&b, "]", 1);
    }
    sb_add(&b, " text=", 6);
    sb_str(&b, st->text);
    logline(x, &b);
    if (st->greeting && x->greeting_in_input)
        issue_cmds(x);
    return ev(x);
}

static int c_cont(mw_imap_client *c, void *u, mw_span text)
{
    tc *x = u;
    sb b = {0};
    (void)c;
    sb_add(&b, "cont ", 5);
    sb_str(&b, text);
    logline(x, &b);
    return ev(x);
}

static const char *kind_name(int k)
{
    static const char *const n[] = {
        "OTHER",    "CAPABILITY", "ENABLED",  "LIST",      "LSUB",
        "STATUS",   "ESEARCH",    "FLAGS",    "EXISTS",    "RECENT",
        "EXPUNGE",  "VANISHED",   "NAMESPACE", "ID",       "QUOTA",
        "QUOTAROOT", "METADATA",  "THREAD"};
    return k >= 0 && (size_t)k < sizeof(n) / sizeof(n[0]) ? n[k] : "?";
}

static void sb_nslist(sb *b, const mw_imap_namespace_list *l)
{
    uint32_t i;
    if (l->nil) {
        sb_add(b, "NIL", 3);
        return;
    }
    sb_add(b, "(", 1);
    for (i = 0; i < l->count; i++) {
        sb_add(b, "(", 1);
        sb_str(b, l->items[i].prefix);
        sb_add(b, " ", 1);
        sb_str(b, l->items[i].delimiter);
        if (l->items[i].extension.len > 0) {
            sb_add(b, " ext=", 5);
            sb_str(b, l->items[i].extension);
        }
        sb_add(b, ")", 1);
    }
    sb_add(b, ")", 1);
}

static int c_data(mw_imap_client *c, void *u, const mw_imap_data *d)
{
    tc *x = u;
    sb b = {0};
    uint32_t i;
    (void)c;
    sb_printf(&b, "data %s", kind_name(d->kind));
    switch (d->kind) {
    case MW_IMAP_DATA_CAPABILITY:
    case MW_IMAP_DATA_ENABLED:
        sb_add(&b, " ", 1);
        sb_str(&b, d->raw);
        break;
    case MW_IMAP_DATA_LIST:
    case MW_IMAP_DATA_LSUB: {
        const mw_imap_list *l = &d->u.list;
        sb_printf(&b, " attrs=0x%x (", l->attrs);
        sb_add(&b, l->attr_text.ptr, l->attr_text.len);
        sb_add(&b, ") ", 2);
        sb_str(&b, l->delimiter);
        sb_add(&b, " ", 1);
        sb_str(&b, l->mailbox);
        if (l->mutf7)
            sb_add(&b, " mutf7", 6);
        if (l->childinfo.len > 0) {
            sb_add(&b, " childinfo=", 11);
            sb_str(&b, l->childinfo);
        }
        if (l->oldname.ptr != NULL) {
            sb_add(&b, " oldname=", 9);
            sb_str(&b, l->oldname);
        }
        if (l->extended.len > 0) {
            sb_add(&b, " ext=", 5);
            sb_str(&b, l->extended);
        }
        break;
    }
    case MW_IMAP_DATA_STATUS: {
        const mw_imap_mbox_status *s = &d->u.status;
        sb_add(&b, " ", 1);
        sb_str(&b, s->mailbox);
        if (s->has & MW_IMAP_STATUS_MESSAGES)
            sb_printf(&b, " MESSAGES=%u", (unsigned)s->messages);
        if (s->has & MW_IMAP_STATUS_RECENT)
            sb_printf(&b, " RECENT=%u", (unsigned)s->recent);
        if (s->has & MW_IMAP_STATUS_UIDNEXT)
            sb_printf(&b, " UIDNEXT=%u", (unsigned)s->uidnext);
        if (s->has & MW_IMAP_STATUS_UIDVALIDITY)
            sb_printf(&b, " UIDVALIDITY=%u", (unsigned)s->uidvalidity);
        if (s->has & MW_IMAP_STATUS_UNSEEN)
            sb_printf(&b, " UNSEEN=%u", (unsigned)s->unseen);
        if (s->has & MW_IMAP_STATUS_DELETED)
            sb_printf(&b, " DELETED=%u", (unsigned)s->deleted);
        if (s->has & MW_IMAP_STATUS_SIZE)
            sb_printf(&b, " SIZE=%llu", (unsigned long long)s->size);
        if (s->has & MW_IMAP_STATUS_HIGHESTMODSEQ)
            sb_printf(&b, " HIGHESTMODSEQ=%llu",
                      (unsigned long long)s->highestmodseq);
        if (s->has & MW_IMAP_STATUS_APPENDLIMIT) {
            if (s->appendlimit_nil)
                sb_add(&b, " APPENDLIMIT=NIL", 16);
            else
                sb_printf(&b, " APPENDLIMIT=%llu",
                          (unsigned long long)s->appendlimit);
        }
        if (s->has & MW_IMAP_STATUS_MAILBOXID) {
            sb_add(&b, " MAILBOXID=", 11);
            sb_add(&b, s->mailboxid.ptr, s->mailboxid.len);
        }
        if (s->has & MW_IMAP_STATUS_DELETED_STORAGE)
            sb_printf(&b, " DELETED-STORAGE=%llu",
                      (unsigned long long)s->deleted_storage);
        if (s->has & MW_IMAP_STATUS_OTHER)
            sb_add(&b, " +other", 7);
        break;
    }
    case MW_IMAP_DATA_ESEARCH: {
        const mw_imap_esearch *e = &d->u.esearch;
        if (e->tag.ptr != NULL) {
            sb_add(&b, " tag=", 5);
            sb_str(&b, e->tag);
        }
        if (e->uid)
            sb_add(&b, " UID", 4);
        if (e->has & MW_IMAP_ESEARCH_MIN)
            sb_printf(&b, " MIN=%u", (unsigned)e->min);
        if (e->has & MW_IMAP_ESEARCH_MAX)
            sb_printf(&b, " MAX=%u", (unsigned)e->max);
        if (e->has & MW_IMAP_ESEARCH_COUNT)
            sb_printf(&b, " COUNT=%u", (unsigned)e->count);
        if (e->has & MW_IMAP_ESEARCH_ALL) {
            sb_add(&b, " ALL=", 5);
            if (e->all_streamed)
                sb_add(&b, "(streamed)", 10);
            else
                sb_seq(&b, &e->all);
        }
        if (e->has & MW_IMAP_ESEARCH_MODSEQ)
            sb_printf(&b, " MODSEQ=%llu", (unsigned long long)e->modseq);
        if (e->has & MW_IMAP_ESEARCH_PARTIAL) {
            sb_add(&b, " PARTIAL=", 9);
            sb_str(&b, e->partial);
        }
        if (e->has & MW_IMAP_ESEARCH_OTHER)
            sb_add(&b, " +other", 7);
        break;
    }
    case MW_IMAP_DATA_FLAGS:
        sb_add(&b, " ", 1);
        sb_flags(&b, &d->u.flags);
        break;
    case MW_IMAP_DATA_EXISTS:
    case MW_IMAP_DATA_RECENT:
    case MW_IMAP_DATA_EXPUNGE:
        sb_printf(&b, " %u", (unsigned)d->u.num);
        break;
    case MW_IMAP_DATA_VANISHED:
        if (d->u.vanished.earlier)
            sb_add(&b, " EARLIER", 8);
        sb_add(&b, " ", 1);
        sb_seq(&b, &d->u.vanished.uids);
        break;
    case MW_IMAP_DATA_NAMESPACE:
        sb_add(&b, " ", 1);
        sb_nslist(&b, &d->u.ns.personal);
        sb_add(&b, " ", 1);
        sb_nslist(&b, &d->u.ns.other);
        sb_add(&b, " ", 1);
        sb_nslist(&b, &d->u.ns.shared);
        break;
    case MW_IMAP_DATA_ID:
        if (d->u.id.nil) {
            sb_add(&b, " NIL", 4);
            break;
        }
        sb_add(&b, " (", 2);
        if (d->u.id.count > 0)
            sb_params(&b, d->u.id.params, d->u.id.count);
        sb_add(&b, ")", 1);
        break;
    case MW_IMAP_DATA_QUOTA:
        sb_add(&b, " ", 1);
        sb_str(&b, d->u.quota.root);
        sb_add(&b, " (", 2);
        for (i = 0; i < d->u.quota.count; i++) {
            const mw_imap_quota_resource *q = &d->u.quota.resources[i];
            if (i)
                sb_add(&b, " ", 1);
            sb_add(&b, q->name.ptr, q->name.len);
            sb_printf(&b, " %llu %llu", (unsigned long long)q->usage,
                      (unsigned long long)q->limit);
        }
        sb_add(&b, ")", 1);
        break;
    case MW_IMAP_DATA_QUOTAROOT:
        sb_add(&b, " ", 1);
        sb_str(&b, d->u.quotaroot.mailbox);
        for (i = 0; i < d->u.quotaroot.count; i++) {
            sb_add(&b, " ", 1);
            sb_str(&b, d->u.quotaroot.roots[i]);
        }
        break;
    case MW_IMAP_DATA_METADATA:
        sb_add(&b, " ", 1);
        sb_str(&b, d->u.metadata.mailbox);
        sb_add(&b, d->u.metadata.names_only ? " names" : " (", 
               d->u.metadata.names_only ? 6 : 2);
        for (i = 0; i < d->u.metadata.count; i++) {
            sb_add(&b, " ", 1);
            sb_str(&b, d->u.metadata.entries[i].name);
            if (!d->u.metadata.names_only) {
                sb_add(&b, "=", 1);
                sb_str(&b, d->u.metadata.entries[i].value);
            }
        }
        if (!d->u.metadata.names_only)
            sb_add(&b, " )", 2);
        break;
    case MW_IMAP_DATA_THREAD:
        for (i = 0; i < d->u.thread.count; i++) {
            const mw_imap_thread_node *t = &d->u.thread.nodes[i];
            sb_printf(&b, " %u<%u", (unsigned)t->num,
                      t->parent ? (unsigned)d->u.thread.nodes[t->parent - 1].num
                                : 0u);
        }
        break;
    default:
        sb_add(&b, " ", 1);
        sb_add(&b, d->name.ptr, d->name.len);
        if (d->u.other.has_num)
            sb_printf(&b, " num=%u", (unsigned)d->u.other.num);
        sb_add(&b, " ", 1);
        sb_str(&b, d->raw);
        break;
    }
    logline(x, &b);
    return ev(x);
}

static int c_search(mw_imap_client *c, void *u, const mw_imap_search_ev *e)
{
    tc *x = u;
    sb b = {0};
    (void)c;
    if (x->count_search) {
        if (e->ev == MW_IMAP_SEARCH_NUM) {
            x->nums++;
            x->sum += e->lo;
            assert_true(e->lo > x->last);
            x->last = e->lo;
        } else if (e->ev == MW_IMAP_SEARCH_END) {
            assert_int_equal(e->lo, x->nums);
            x->ended = 1;
        }
        return 0;
    }
    switch (e->ev) {
    case MW_IMAP_SEARCH_BEGIN:
        sb_add(&b, "search BEGIN", 12);
        break;
    case MW_IMAP_SORT_BEGIN:
        sb_add(&b, "sort BEGIN", 10);
        break;
    case MW_IMAP_SEARCH_NUM:
        sb_printf(&b, "%s %llu", e->sort ? "sort" : "search",
                  (unsigned long long)e->lo);
        break;
    case MW_IMAP_SEARCH_MODSEQ:
        sb_printf(&b, "%s MODSEQ %llu", e->sort ? "sort" : "search",
                  (unsigned long long)e->lo);
        break;
    case MW_IMAP_SEARCH_RANGE:
        sb_printf(&b, "esearch range %llu:%llu", (unsigned long long)e->lo,
                  (unsigned long long)e->hi);
        break;
    default:
        sb_printf(&b, "%s END %llu", e->sort ? "sort" : "search",
                  (unsigned long long)e->lo);
        break;
    }
    logline(x, &b);
    return ev(x);
}

static int c_fetch_begin(mw_imap_client *c, void *u, uint32_t msg)
{
    tc *x = u;
    sb b = {0};
    (void)c;
    sb_printf(&b, "fetch %u", (unsigned)msg);
    logline(x, &b);
    return ev(x);
}

static int c_fetch_item(mw_imap_client *c, void *u, const mw_imap_fetch_item *it)
{
    tc *x = u;
    sb b = {0};
    uint32_t i;
    (void)c;
    sb_add(&b, "  ", 2);
    sb_add(&b, it->name.ptr, it->name.len);
    switch (it->id) {
    case MW_IMAP_FETCH_FLAGS:
        sb_add(&b, " ", 1);
        sb_flags(&b, &it->flags);
        break;
    case MW_IMAP_FETCH_UID:
    case MW_IMAP_FETCH_RFC822_SIZE:
    case MW_IMAP_FETCH_MODSEQ:
    case MW_IMAP_FETCH_X_GM_MSGID:
    case MW_IMAP_FETCH_X_GM_THRID:
        sb_printf(&b, " %llu", (unsigned long long)it->num);
        break;
    case MW_IMAP_FETCH_BINARY_SIZE:
        sb_printf(&b, " [%.*s] %llu", (int)it->section.len,
                  it->section.ptr != NULL ? it->section.ptr : "",
                  (unsigned long long)it->num);
        break;
    case MW_IMAP_FETCH_INTERNALDATE:
    case MW_IMAP_FETCH_SAVEDATE:
        sb_add(&b, " ", 1);
        if (it->nil)
            sb_add(&b, "NIL", 3);
        else
            sb_date(&b, &it->date);
        break;
    case MW_IMAP_FETCH_ENVELOPE:
        sb_add(&b, " ", 1);
        sb_env(&b, it->envelope);
        break;
    case MW_IMAP_FETCH_BODY:
    case MW_IMAP_FETCH_BODYSTRUCTURE:
        sb_add(&b, " ", 1);
        sb_body(&b, it->body, 0);
        break;
    case MW_IMAP_FETCH_EMAILID:
    case MW_IMAP_FETCH_THREADID:
    case MW_IMAP_FETCH_PREVIEW:
        sb_add(&b, " ", 1);
        if (it->nil) {
            assert_null(it->str.ptr);
            sb_add(&b, "NIL", 3);
        } else {
            sb_str(&b, it->str);
        }
        break;
    case MW_IMAP_FETCH_X_GM_LABELS:
        sb_add(&b, " (", 2);
        for (i = 0; i < it->nlabels; i++) {
            if (i)
                sb_add(&b, " ", 1);
            sb_str(&b, it->labels[i]);
        }
        sb_add(&b, ")", 1);
        break;
    default:
        sb_add(&b, " other=", 7);
        sb_str(&b, it->raw);
        break;
    }
    logline(x, &b);
    return ev(x);
}

static int c_body_begin(mw_imap_client *c, void *u, const mw_imap_body_section *s)
{
    tc *x = u;
    sb b = {0};
    static const char *const form[] = {"literal", "literal8", "quoted", "nil"};
    (void)c;
    sb_add(&b, "  ", 2);
    sb_esc(&b, s->name.ptr, s->name.len);
    sb_add(&b, " section=[", 10);
    sb_esc(&b, s->section.ptr != NULL ? s->section.ptr : "", s->section.len);
    sb_add(&b, "]", 1);
    if (s->has_origin)
        sb_printf(&b, " origin=%u", (unsigned)s->origin);
    sb_printf(&b, " %s size=%llu", form[s->form], (unsigned long long)s->size);
    logline(x, &b);
    return ev(x);
}

static int c_body_data(mw_imap_client *c, void *u, const char *p, size_t n)
{
    tc *x = u;
    (void)c;
    assert_true(n > 0);
    if (!x->quiet)
        evlog_data(x->log, "  data", p, n);
    return ev(x);
}

static int c_body_end(mw_imap_client *c, void *u)
{
    tc *x = u;
    (void)c;
    if (!x->quiet)
        evlog_printf(x->log, "  end");
    return ev(x);
}

static int c_fetch_end(mw_imap_client *c, void *u, uint32_t msg)
{
    tc *x = u;
    (void)c;
    if (!x->quiet)
        evlog_printf(x->log, "fetch_end %u", (unsigned)msg);
    return ev(x);
}

static int c_error(mw_imap_client *c, void *u, int status, size_t off,
                   const char *reason)
{
    tc *x = u;
    (void)c;
    if (!x->quiet)
        evlog_printf(x->log, "error %s @%zu %s", mw_status_name(status), off,
                     reason);
    return ev(x);
}

static const mw_imap_client_callbacks cbs = {
    c_send,       c_status,   c_cont,      c_data,
    c_search,     c_fetch_begin, c_fetch_item, c_body_begin,
    c_body_data,  c_body_end, c_fetch_end, NULL,
    c_error};

static void tc_setup(tc *x, size_t buflen, size_t arenalen)
{
    memset(x, 0, sizeof(*x));
    x->buflen = buflen;
    x->buf = malloc(buflen);
    x->arenalen = arenalen;
    x->arena = arenalen ? malloc(arenalen) : NULL;
    assert_non_null(x->buf);
    x->max_depth = MW_IMAP_DEPTH_DEFAULT;
    strcpy(x->prefix, "A");
    x->tag_start = 1;
    evlog_init(&x->own);
    x->log = &x->own;
}

static void tc_teardown(tc *x)
{
    free(x->buf);
    free(x->arena);
    evlog_free(&x->own);
}

static void r_reset(void *ctx, evlog *log)
{
    tc *x = ctx;
    mw_imap_client_config cfg;
    int r;
    x->log = log;
    x->events = 0;
    x->nums = x->sum = x->last = 0;
    x->ended = 0;
    mw_imap_client_config_init(&cfg);
    cfg.tag_prefix = x->prefix;
    cfg.tag_start = x->tag_start;
    cfg.quirks = x->quirks;
    cfg.max_depth = x->max_depth;
    cfg.max_response = x->max_response;
    cfg.arena = x->arena;
    cfg.arena_len = x->arenalen;
    r = mw_imap_client_init(&x->c, &cfg, &cbs, x, x->buf, x->buflen);
    assert_int_equal(r, MW_OK);
    if (!x->greeting_in_input) {
        static const char g[] = GREETING;
        size_t used = 0;
        int q = x->quiet, pe = x->pause_every, fa = x->fail_at;
        x->quiet = 1;
        x->pause_every = x->fail_at = 0;
        r = mw_imap_client_feed(&x->c, g, sizeof(g) - 1, &used);
        assert_int_equal(r, MW_OK);
        issue_cmds(x);
        x->quiet = q;
        x->pause_every = pe;
        x->fail_at = fa;
        x->events = 0;
    }
    x->c.lexflags |= x->lexflags;
}

static int r_feed(void *ctx, const char *p, size_t n, size_t *used)
{
    tc *x = ctx;
    return mw_imap_client_feed(&x->c, p, n, used);
}

static const replay_ops ops = {r_reset, r_feed, NULL};

/* Tags of the commands: "a001" -> prefix "a00", start 1. */
static void set_cmds(tc *x, const char *const *cmds, size_t n)
{
    size_t i;
    x->ncmds = n;
    for (i = 0; i < n; i++) {
        assert_true(strlen(cmds[i]) < sizeof(x->cmds[i]));
        strcpy(x->cmds[i], cmds[i]);
    }
    if (n > 0) {
        const char *t = cmds[0], *sp = strchr(t, ' ');
        const char *d = sp;
        assert_non_null(sp);
        while (d > t && d[-1] >= '0' && d[-1] <= '9')
            d--;
        while (d < sp - 1 && *d == '0')
            d++;
        memcpy(x->prefix, t, (size_t)(d - t));
        x->prefix[d - t] = '\0';
        x->tag_start = (uint32_t)strtoul(d, NULL, 10);
    } else {
        strcpy(x->prefix, "A");
        x->tag_start = 1;
    }
}

/* Replay `in` every way and compare with `want` (NULL: no check). */
static void check(tc *x, const char *in, size_t n, const char *want0)
{
    evlog whole;
    char *want = NULL;
    evlog_init(&whole);
    replay_check(&ops, x, in, n, &whole);
    if (want0 != NULL) {
        /* the error lines as a build without error texts logs them */
        size_t wn = strlen(want0) + 1;
        want = malloc(wn);
        assert_non_null(want);
        memcpy(want, want0, wn);
        reason_drop_lines(want, "error ");
    }
    if (want != NULL && strcmp(evlog_str(&whole), want) != 0) {
        /* print from the line where they part */
        const char *g = evlog_str(&whole), *w = want, *lg = g, *lw = w;
        while (*g != '\0' && *g == *w) {
            if (*g == '\n') {
                lg = g + 1;
                lw = w + 1;
            }
            g++;
            w++;
        }
        fail_msg("events differ\n--- want (from the first difference)\n%.1500s"
                 "\n--- got\n%.1500s", lw, lg);
    }
    free(want);
    evlog_free(&whole);
}

/* One run, whole; the log as a malloc'd string. */
static char *run_once(tc *x, const char *in, size_t n)
{
    evlog log;
    char *s;
    evlog_init(&log);
    (void)replay_run(&ops, x, in, n, NULL, 0, &log);
    s = strdup(evlog_str(&log));
    evlog_free(&log);
    return s;
}

#define S_(lit) lit, sizeof(lit) - 1

/* ---- vector files -------------------------------------------------------
 * tests/vectors/imap/responses_*.txt:
 *   == name              starts a vector
 *   # ...                comment
 *   Q: NAME[,NAME]       quirk switches (MW_IMAP_QUIRK_ without prefix)
 *   O: UTF8 / GREETING   lexer UTF-8 on / the S: lines hold the greeting
 *   C: tag text          a command to issue (tags consecutive)
 *   S: text             a server line (CRLF appended)
 *   E: text             an expected event line, in order
 */

static unsigned quirk_bit(const char *n, size_t len)
{
    static const struct {
        const char *name;
        unsigned bit;
    } q[] = {{"NEGATIVE_LINES", MW_IMAP_QUIRK_NEGATIVE_LINES},
             {"NIL_PARAM", MW_IMAP_QUIRK_NIL_PARAM},
             {"NIL_ENCODING", MW_IMAP_QUIRK_NIL_ENCODING},
             {"TRAILING_SPACE", MW_IMAP_QUIRK_TRAILING_SPACE},
             {"CODE_WITHOUT_TEXT", MW_IMAP_QUIRK_CODE_WITHOUT_TEXT},
             {"BARE_PLUS", MW_IMAP_QUIRK_BARE_PLUS},
             {"QUOTED_BODY", MW_IMAP_QUIRK_QUOTED_BODY},
             {"SPACE_BETWEEN_PARTS", MW_IMAP_QUIRK_SPACE_BETWEEN_PARTS},
             {"LOOSE_CODE", MW_IMAP_QUIRK_LOOSE_CODE},
             {"EMPTY_LISTS", MW_IMAP_QUIRK_EMPTY_LISTS},
             {"8BIT_STRINGS", MW_IMAP_QUIRK_8BIT_STRINGS}};
    size_t i;
    for (i = 0; i < sizeof(q) / sizeof(q[0]); i++)
        if (strlen(q[i].name) == len && memcmp(q[i].name, n, len) == 0)
            return q[i].bit;
    fail_msg("unknown quirk %.*s", (int)len, n);
    return 0;
}

typedef struct vec {
    char name[128];
    sb in, want;
    const char *cmds[MAX_CMDS];
    char cmdbuf[MAX_CMDS][128];
    size_t ncmds;
    unsigned quirks;
    int utf8, greeting;
} vec;

static void run_vec(vec *v, int *count)
{
    tc x;
    tc_setup(&x, 65536, 65536);
    x.quirks = v->quirks;
    x.lexflags = v->utf8 ? 0x01u /* MW__IMAP_LEX_UTF8 */ : 0;
    x.greeting_in_input = v->greeting;
    set_cmds(&x, v->cmds, v->ncmds);
    print_message("  vector %s\n", v->name);
    if (getenv("MW_VEC_DUMP") != NULL) {
        /* maintenance aid: print what the parser gives, check nothing */
        char *got = run_once(&x, v->in.p, v->in.n);
        print_message("== %s\n%s", v->name, got);
        free(got);
    } else {
        check(&x, v->in.p, v->in.n, v->want.p != NULL ? v->want.p : "");
    }
    tc_teardown(&x);
    (*count)++;
}

static int run_vector_file(const char *rel)
{
    size_t len = 0;
    char *text = mw_test_read_repo_file(rel, &len);
    char *line, *end;
    vec *v = NULL;
    int count = 0;
    if (text == NULL)
        fail_msg("cannot read %s", rel);
    for (line = text; line < text + len; line = end + 1) {
        size_t n;
        end = memchr(line, '\n', (size_t)(text + len - line));
        if (end == NULL)
            end = text + len;
        n = (size_t)(end - line);
        if (n > 0 && line[n - 1] == '\r')
            n--;
        if (n >= 3 && memcmp(line, "== ", 3) == 0) {
            if (v != NULL) {
                run_vec(v, &count);
                free(v->in.p);
                free(v->want.p);
                free(v);
            }
            v = calloc(1, sizeof(*v));
            assert_non_null(v);
            memcpy(v->name, line + 3, n - 3 < 127 ? n - 3 : 127);
            continue;
        }
        if (n == 0 || line[0] == '#' || v == NULL)
            continue;
        assert_true(n >= 2 && line[1] == ':');
        {
            const char *arg = line + 2;
            size_t an = n - 2;
            if (an > 0 && *arg == ' ') {
                arg++;
                an--;
            }
            switch (line[0]) {
            case 'S':
                sb_add(&v->in, arg, an);
                sb_add(&v->in, "\r\n", 2);
                break;
            case 'E':
                sb_add(&v->want, arg, an);
                sb_add(&v->want, "\n", 1);
                break;
            case 'C':
                assert_true(v->ncmds < MAX_CMDS && an < 127);
                memcpy(v->cmdbuf[v->ncmds], arg, an);
                v->cmds[v->ncmds] = v->cmdbuf[v->ncmds];
                v->ncmds++;
                break;
            case 'Q': {
                const char *q = arg, *qe = arg + an;
                while (q < qe) {
                    const char *c = memchr(q, ',', (size_t)(qe - q));
                    if (c == NULL)
                        c = qe;
                    v->quirks |= quirk_bit(q, (size_t)(c - q));
                    q = c + 1;
                }
                break;
            }
            case 'O':
                if (an == 4 && memcmp(arg, "UTF8", 4) == 0)
                    v->utf8 = 1;
                else if (an == 8 && memcmp(arg, "GREETING", 8) == 0)
                    v->greeting = 1;
                else
                    fail_msg("unknown option %.*s", (int)an, arg);
                break;
            default:
                fail_msg("bad vector line %.*s", (int)n, line);
            }
        }
    }
    if (v != NULL) {
        run_vec(v, &count);
        free(v->in.p);
        free(v->want.p);
        free(v);
    }
    free(text);
    return count;
}

static void test_vectors_rfc3501(void **state)
{
    int n;
    (void)state;
    n = run_vector_file("tests/vectors/imap/responses_rfc3501.txt");
    assert_true(n >= 20);
}

static void test_vectors_rfc9051(void **state)
{
    int n;
    (void)state;
    n = run_vector_file("tests/vectors/imap/responses_rfc9051.txt");
    assert_true(n >= 20);
}

static void test_vectors_servers(void **state)
{
    int n;
    (void)state;
    n = run_vector_file("tests/vectors/imap/responses_servers.txt");
    assert_true(n >= 10);
}

static void test_vectors_stream(void **state)
{
    int n;
    (void)state;
    n = run_vector_file("tests/vectors/imap/responses_stream.txt");
    assert_true(n >= 7);
}

static void test_vectors_errors(void **state)
{
    int n;
    (void)state;
    n = run_vector_file("tests/vectors/imap/responses_errors.txt");
    assert_true(n >= 10);
}

/* ---- hostile input and limits ------------------------------------------- */

/* 10,000 nested parentheses in a BODYSTRUCTURE, in a THREAD and in an
 * unknown FETCH item: MW_E_DEPTH each, the frame skipped, the next
 * response parsed. */
static void test_deep_nesting(void **state)
{
    tc x;
    sb in = {0};
    char *got;
    int i;
    (void)state;
    tc_setup(&x, 65536, 65536);
    sb_add(&in, S_("* 1 FETCH (BODYSTRUCTURE "));
    for (i = 0; i < 10000; i++)
        sb_add(&in, "(", 1);
    sb_add(&in, S_(")\r\n* THREAD "));
    for (i = 0; i < 10000; i++)
        sb_add(&in, "(", 1);
    sb_add(&in, S_("1)\r\n* 2 FETCH (X-FOO "));
    for (i = 0; i < 10000; i++)
        sb_add(&in, "(", 1);
    sb_add(&in, S_(")\r\n* 3 EXISTS\r\n"));
    got = run_once(&x, in.p, in.n);
    /* depth 64: the 65th "(" is refused; offsets are stream offsets (the
     * quiet greeting of the reset is G bytes). */
    {
        char want[1024];
        /* lines: BODYSTRUCTURE 25 + 10000 + 3, THREAD 9 + 10000 + 4 */
        size_t g = (size_t)G, t = g + 25 + 10000 + 3, u = t + 9 + 10000 + 4;
        snprintf(want, sizeof(want),
                 "fetch 1\n"
                 "error MW_E_DEPTH @%zu " R_("BODYSTRUCTURE nested too deeply") "\n"
                 "error MW_E_DEPTH @%zu " R_("THREAD nested too deeply") "\n"
                 "fetch 2\n"
                 "error MW_E_DEPTH @%zu %s\n"
                 "data EXISTS 3\n",
                 g + 25 + 64, t + 9 + 64, u + 17 + 64,
                 R_("lists nested too deep"));
        if (strcmp(got, want) != 0)
            fail_msg("want\n%s\ngot\n%s", want, got);
    }
    free(got);
    free(in.p);
    tc_teardown(&x);
}

/* The depth limit at cap-1, cap, cap+1 for BODYSTRUCTURE (multipart in
 * multipart ... around one text part). */
static void nested_body(sb *in, int depth)
{
    int i;
    sb_add(in, S_("* 1 FETCH (BODYSTRUCTURE "));
    for (i = 1; i < depth; i++)
        sb_add(in, "(", 1);
    sb_add(in, S_("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)"));
    for (i = 1; i < depth; i++)
        sb_add(in, S_(" \"MIXED\")"));
    sb_add(in, S_(")\r\n"));
}

static void test_depth_limit(void **state)
{
    unsigned caps[] = {1, 2, 5, 64};
    size_t k;
    (void)state;
    for (k = 0; k < sizeof(caps) / sizeof(caps[0]); k++) {
        unsigned cap = caps[k];
        int d;
        for (d = (int)cap - 1; d <= (int)cap + 1; d++) {
            tc x;
            sb in = {0};
            char *got;
            if (d < 1)
                continue;
            tc_setup(&x, 65536, 65536);
            x.max_depth = cap;
            nested_body(&in, d);
            got = run_once(&x, in.p, in.n);
            if ((unsigned)d <= cap) {
                assert_non_null(strstr(got, "  BODYSTRUCTURE ("));
                assert_non_null(strstr(got, "fetch_end 1"));
                assert_null(strstr(got, "error"));
            } else {
                assert_non_null(strstr(got, "error MW_E_DEPTH"));
                assert_null(strstr(got, "fetch_end"));
            }
            free(got);
            free(in.p);
            tc_teardown(&x);
        }
    }
}

/* A multipart of `n` text parts. */
static void many_parts(sb *in, int n)
{
    int i;
    sb_add(in, S_("* 7 FETCH (UID 9 BODYSTRUCTURE ("));
    for (i = 0; i < n; i++)
        sb_add(in, S_("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)"));
    sb_add(in, S_(" \"MIXED\") FLAGS ())\r\n* 8 EXISTS\r\n"));
}

/* BODYSTRUCTURE of 10,000 parts: too big for a 64 KB arena (MW_E_NOSPACE,
 * frame skipped after the items before it), fits a large one. The arena
 * limit at cap-1/cap/cap+1 is found by measuring. */
static void test_many_parts_arena(void **state)
{
    tc x;
    sb in = {0};
    char *got;
    size_t need, lo, hi;
    (void)state;
    many_parts(&in, 10000);
    /* frame limit large enough for the 400 KB response */
    tc_setup(&x, 1u << 20, 65536);
    got = run_once(&x, in.p, in.n);
    assert_non_null(strstr(got, "fetch 7\n  UID 9\nerror MW_E_NOSPACE @"));
    assert_null(strstr(got, "fetch_end"));
    assert_non_null(strstr(got, "data EXISTS 8"));
    free(got);
    tc_teardown(&x);

    tc_setup(&x, 1u << 20, 16u << 20);
    got = run_once(&x, in.p, in.n);
    assert_non_null(strstr(got, "fetch_end 7"));
    assert_null(strstr(got, "error"));
    free(got);
    tc_teardown(&x);

    /* The least arena that works, by bisection; then cap-1 fails. */
    free(in.p);
    memset(&in, 0, sizeof(in));
    many_parts(&in, 100);
    lo = 64;
    hi = 1u << 20;
    while (lo + 1 < hi) {
        size_t mid = (lo + hi) / 2;
        tc_setup(&x, 65536, mid);
        got = run_once(&x, in.p, in.n);
        if (strstr(got, "fetch_end 7") != NULL)
            hi = mid;
        else
            lo = mid;
        free(got);
        tc_teardown(&x);
    }
    need = hi;
    tc_setup(&x, 65536, need);
    got = run_once(&x, in.p, in.n);
    assert_non_null(strstr(got, "fetch_end 7"));
    free(got);
    tc_teardown(&x);
    tc_setup(&x, 65536, need + 1);
    got = run_once(&x, in.p, in.n);
    assert_non_null(strstr(got, "fetch_end 7"));
    free(got);
    tc_teardown(&x);
    tc_setup(&x, 65536, need - 1);
    got = run_once(&x, in.p, in.n);
    assert_non_null(strstr(got, "error MW_E_NOSPACE"));
    assert_non_null(strstr(got, "data EXISTS 8"));
    free(got);
    tc_teardown(&x);
    /* 100 parts of ~260 bytes each: the arena holds nodes, not text */
    assert_true(need > 100 * sizeof(mw_imap_body));
    assert_true(need < 100 * (sizeof(mw_imap_body) + 64) + 4096);
    free(in.p);
}

/* A literal announced as 2^63 bytes in body position and elsewhere, and
 * one past 2^64: never allocated; body streaming starts for the body
 * section (the server would then have to send 2^63 bytes); elsewhere the
 * frame is dropped. */
static void test_huge_literal(void **state)
{
    tc x;
    char *got, want[64];
    (void)state;
    tc_setup(&x, 65536, 65536);
    /* 2^63 - 1, the largest number64 (RFC 9051 §9): a body section is
     * streamed, never allocated */
    got = run_once(&x, S_("* 1 FETCH (BODY[] {9223372036854775807}\r\nabc"));
    assert_string_equal(got, "fetch 1\n"
                             "  BODY[] section=[] literal size=9223372036854775807\n"
                             "  data: abc\n");
    free(got);
    /* the same size elsewhere: the frame is dropped with its literal */
    got = run_once(&x, S_("* 1 FETCH (ENVELOPE ({9223372036854775807}\r\n"
                          "abc\r\n* 2 EXISTS\r\n"));
    assert_string_equal(got, "");
    free(got);
    /* 2^63 and 2^64: out of range, the frame fails at once */
    got = run_once(&x, S_("* 1 FETCH (BODY[] {9223372036854775808}\r\n"
                          "* 2 EXISTS\r\n"));
    snprintf(want, sizeof(want), "error MW_E_OVERFLOW @%d", G);
    assert_non_null(strstr(got, want));
    assert_null(strstr(got, "fetch 1"));
    free(got);
    got = run_once(&x, S_("* 1 FETCH (BODY[] {18446744073709551616}\r\n"
                          "* 2 EXISTS\r\n"));
    snprintf(want, sizeof(want), "error MW_E_OVERFLOW @%d", G);
    assert_non_null(strstr(got, want));
    free(got);
    tc_teardown(&x);
}

/* BINARY.SIZE is a 32-bit number (RFC 3516 §4.2, RFC 9051 §9), the same
 * range the server formats; RFC822.SIZE is a number64. */
static void test_binary_size_range(void **state)
{
    tc x;
    char *got, want[64];
    (void)state;
    tc_setup(&x, 65536, 65536);
    got = run_once(&x, S_("* 1 FETCH (BINARY.SIZE[1.2] 4294967295)\r\n"));
    assert_non_null(strstr(got, "[1.2] 4294967295\n"));
    assert_null(strstr(got, "error"));
    free(got);
    got = run_once(&x, S_("* 1 FETCH (BINARY.SIZE[1.2] 4294967296)\r\n"
                          "* 2 EXISTS\r\n"));
    snprintf(want, sizeof(want), "error MW_E_OVERFLOW @%d",
             G + (int)strlen("* 1 FETCH (BINARY.SIZE[1.2] "));
    assert_non_null(strstr(got, want));
    assert_null(strstr(got, "4294967296"));
    assert_non_null(strstr(got, "data EXISTS 2"));
    free(got);
    got = run_once(&x, S_("* 1 FETCH (RFC822.SIZE 4294967296)\r\n"));
    assert_non_null(strstr(got, " 4294967296\n"));
    assert_null(strstr(got, "error"));
    free(got);
    tc_teardown(&x);
}

/* A SEARCH of about 100 MB through a 4 KB frame buffer, fed in 64 KB
 * chunks: every number delivered once, in order, END with the count. */
static void test_search_100mb(void **state)
{
    tc x;
    const size_t chunk = 65536;
    char *buf = malloc(chunk + 32);
    size_t fill = 0, total = 0;
    uint32_t n = 1;
    uint64_t want_sum = 0, want_n = 0;
    int r;
    (void)state;
    assert_non_null(buf);
    tc_setup(&x, 4096, 0);
    x.count_search = 1;
    x.quiet = 1;
    r_reset(&x, &x.own);
    memcpy(buf, "* SEARCH", 8);
    fill = 8;
    while (total < 100u * 1000u * 1000u) {
        int k = snprintf(buf + fill, 16, " %u", (unsigned)n);
        want_sum += n;
        want_n++;
        n += 3;
        fill += (size_t)k;
        if (fill >= chunk) {
            size_t used = 0;
            r = mw_imap_client_feed(&x.c, buf, fill, &used);
            assert_int_equal(r, MW_OK);
            assert_int_equal(used, fill);
            total += fill;
            fill = 0;
        }
    }
    memcpy(buf + fill, " (MODSEQ 77)\r\n* 5 EXISTS\r\n", 26);
    fill += 26;
    {
        size_t used = 0;
        r = mw_imap_client_feed(&x.c, buf, fill, &used);
        assert_int_equal(r, MW_OK);
    }
    assert_int_equal(x.nums, want_n);
    assert_true(x.sum == want_sum);
    assert_int_equal(x.ended, 1);
    free(buf);
    tc_teardown(&x);
}

/* SEARCH through a tiny frame buffer, replayed at every split, gives the
 * same numbers as through a big one. */
static void test_search_small_frame(void **state)
{
    tc x;
    sb in = {0};
    char *want;
    int i;
    (void)state;
    sb_add(&in, S_("* SEARCH"));
    for (i = 1; i <= 300; i++)
        sb_printf(&in, " %d", i * 7919);
    sb_add(&in, S_(" (MODSEQ 917162500)\r\n* SORT 5 3 4 1 2\r\n"
                   "* SEARCH\r\n* 1 EXISTS\r\n"));
    tc_setup(&x, 65536, 0);
    want = run_once(&x, in.p, in.n);
    tc_teardown(&x);
    assert_non_null(strstr(want, "search MODSEQ 917162500\nsearch END 300\n"));
    tc_setup(&x, 64, 0);
    check(&x, in.p, in.n, want);
    tc_teardown(&x);
    free(want);
    free(in.p);
}

/* An ESEARCH ALL set longer than the frame limit: its ranges stream
 * (MW_IMAP_SEARCH_RANGE) before the data event, at every split; the same
 * response through a big frame gives the set as text, whose ranges are
 * the streamed ones. */
static void test_esearch_stream(void **state)
{
    tc x;
    sb in = {0}, want = {0}, text = {0};
    char *got;
    int i;
    (void)state;
    sb_add(&in, S_("* ESEARCH (TAG \"A7\") UID MIN 3 COUNT 450 ALL "));
    sb_add(&want, S_(""));
    for (i = 0; i < 150; i++) {
        unsigned lo = 3 + (unsigned)i * 10, hi = lo + 2;
        sb_printf(&text, "%s%u:%u", i ? "," : "", lo, hi);
        sb_printf(&want, "esearch range %u:%u\n", lo, hi);
    }
    sb_add(&in, text.p, text.n);
    sb_add(&in, S_(" MAX 1495 MODSEQ 99\r\n* 2 EXISTS\r\n"));
    sb_add(&want, S_("data ESEARCH tag=\"A7\" UID MIN=3 MAX=1495 COUNT=450 "
                     "ALL=(streamed) MODSEQ=99\n"
                     "data EXISTS 2\n"));
    tc_setup(&x, 128, 4096);
    check(&x, in.p, in.n, want.p);
    tc_teardown(&x);
    /* through a frame it fits in: the set as text */
    tc_setup(&x, 65536, 4096);
    got = run_once(&x, in.p, in.n);
    assert_non_null(strstr(got, "ALL="));
    assert_non_null(strstr(got, text.p));
    free(got);
    tc_teardown(&x);
    /* without ALL, a long ESEARCH is dropped (MW_E_TOO_LONG) */
    free(in.p);
    memset(&in, 0, sizeof(in));
    sb_add(&in, S_("* ESEARCH (TAG \"A7\") X-FOO ("));
    for (i = 0; i < 100; i++)
        sb_add(&in, S_("abc "));
    sb_add(&in, S_(")\r\n* 2 EXISTS\r\n"));
    tc_setup(&x, 128, 4096);
    got = run_once(&x, in.p, in.n);
    assert_non_null(strstr(got, "error MW_E_TOO_LONG"));
    assert_non_null(strstr(got, "data EXISTS 2"));
    free(got);
    tc_teardown(&x);
    free(in.p);
    free(want.p);
    free(text.p);
}

/* The generic token walk over raw text of unknown responses. */
static void test_tokens(void **state)
{
    static const char raw[] =
        "aps-version \"2\" (a (b \"c\\\"d\") NIL 12 {3}\r\nx y) \\Seen BODY[1]<0> ~{2}\r\n\0\1";
    static const struct {
        int kind;
        unsigned depth;
        const char *text;
    } want[] = {
        {MW_IMAP_TOKEN_ATOM, 0, "aps-version"},
        {MW_IMAP_TOKEN_QUOTED, 0, "2"},
        {MW_IMAP_TOKEN_OPEN, 0, NULL},
        {MW_IMAP_TOKEN_ATOM, 1, "a"},
        {MW_IMAP_TOKEN_OPEN, 1, NULL},
        {MW_IMAP_TOKEN_ATOM, 2, "b"},
        {MW_IMAP_TOKEN_QUOTED, 2, "c\\\"d"},
        {MW_IMAP_TOKEN_CLOSE, 1, NULL},
        {MW_IMAP_TOKEN_NIL, 1, NULL},
        {MW_IMAP_TOKEN_NUMBER, 1, "12"},
        {MW_IMAP_TOKEN_LITERAL, 1, "x y"},
        {MW_IMAP_TOKEN_CLOSE, 0, NULL},
        {MW_IMAP_TOKEN_ATOM, 0, "\\Seen"},
        {MW_IMAP_TOKEN_ATOM, 0, "BODY[1]<0>"},
        {MW_IMAP_TOKEN_LITERAL, 0, "\0\1"},
    };
    mw_imap_tokens t;
    mw_imap_token tok;
    size_t i;
    (void)state;
    mw_imap_tokens_init(&t, raw, sizeof(raw) - 1);
    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        assert_int_equal(mw_imap_tokens_next(&t, &tok), 1);
        assert_int_equal(tok.kind, want[i].kind);
        assert_int_equal(tok.depth, want[i].depth);
        if (want[i].text != NULL) {
            size_t wl = want[i].kind == MW_IMAP_TOKEN_LITERAL &&
                                want[i].text[0] == '\0'
                            ? 2
                            : strlen(want[i].text);
            assert_int_equal(tok.text.len, wl);
            assert_memory_equal(tok.text.ptr, want[i].text, wl);
        }
        assert_int_equal(tok.escaped, i == 6);
    }
    assert_int_equal(mw_imap_tokens_next(&t, &tok), 0);
    assert_int_equal(mw_imap_tokens_next(&t, &tok), 0);
    /* unbalanced, unterminated, literal too short, NUL in quoted */
    {
        static const char *const bad[] = {"(a", "a)", "\"abc", "{5}\r\nab",
                                          "{3}x", "\"a\r\"", "~{x",
                                          "~{3}x"};
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            int r;
            mw_imap_tokens_init(&t, bad[i], strlen(bad[i]));
            while ((r = mw_imap_tokens_next(&t, &tok)) == 1)
                ;
            assert_int_equal(r, MW_E_SYNTAX);
        }
    }
    /* "~" is an ATOM-CHAR (RFC 9051 §9): only "~{" opens a literal8 */
    {
        static const char *const atoms[] = {"~x", "~", "~/Mail/foo", "a~{"};
        for (i = 0; i < sizeof(atoms) / sizeof(atoms[0]); i++) {
            mw_imap_tokens_init(&t, atoms[i], strlen(atoms[i]));
            assert_int_equal(mw_imap_tokens_next(&t, &tok), 1);
            assert_int_equal(tok.kind, MW_IMAP_TOKEN_ATOM);
            assert_int_equal(tok.text.len, strlen(atoms[i]));
            assert_memory_equal(tok.text.ptr, atoms[i], tok.text.len);
            assert_int_equal(mw_imap_tokens_next(&t, &tok), 0);
        }
        mw_imap_tokens_init(&t, S_("(~ ~x)"));
        assert_int_equal(mw_imap_tokens_next(&t, &tok), 1);
        assert_int_equal(mw_imap_tokens_next(&t, &tok), 1);
        assert_int_equal(tok.kind, MW_IMAP_TOKEN_ATOM);
        assert_int_equal(tok.text.len, 1);
        assert_int_equal(mw_imap_tokens_next(&t, &tok), 1);
        assert_int_equal(tok.text.len, 2);
        assert_int_equal(mw_imap_tokens_next(&t, &tok), 1);
        assert_int_equal(tok.kind, MW_IMAP_TOKEN_CLOSE);
    }
    mw_imap_tokens_init(&t, NULL, 0);
    assert_int_equal(mw_imap_tokens_next(&t, &tok), 0);
    assert_int_equal(mw_imap_tokens_next(NULL, &tok), MW_E_INVAL);
}

/* NUL inside a quoted string (CVE-2019-11500): an error at its offset,
 * the frame skipped, nothing written out of bounds (ASan). */
static void test_nul_in_quoted(void **state)
{
    tc x;
    static const char in[] = "* LIST () \"/\" \"a\0b\"\r\n"
                             "* 1 FETCH (ENVELOPE (\"x\0\" NIL NIL NIL NIL "
                             "NIL NIL NIL NIL NIL))\r\n"
                             "* OK te\0xt\r\n"
                             "* 2 EXISTS\r\n";
    char want[512];
    (void)state;
    tc_setup(&x, 65536, 65536);
    snprintf(want, sizeof(want),
             "error MW_E_NUL @%d NUL in quoted string\n"
             "fetch 1\n"
             "error MW_E_NUL @%d NUL in quoted string\n"
             "error MW_E_NUL @%d NUL in response text\n"
             "data EXISTS 2\n",
             G + 16, G + 21 + 23, G + 21 + 65 + 7);
    check(&x, in, sizeof(in) - 1, want);
    tc_teardown(&x);
}

/* NO [BADURL url] (RFC 4469 §4.1): the named code, `arg` the bare
 * url-resp-text up to "]" (RFC 4469 §5 with erratum 4046: not an astring,
 * so the quotes of the RFC's original example stay in `arg`). Without the
 * URL, the code is malformed: an error, then MW_IMAP_CODE_OTHER (the
 * completion is not lost). Whole, byte by byte and split everywhere. */
static void test_badurl(void **state)
{
    static const char *const cmds[] = {"A003 NOOP", "A004 NOOP", "A005 NOOP"};
    static const char in[] =
        /* RFC 4469 Appendix A, erratum 4046 form */
        "A003 NO [BADURL /INBOX;UIDVALIDITY=785799047/;UID=113330;"
        "section=1.5.9] CATENATE append has failed, one message expunged\r\n"
        /* the RFC's original text: quoted, which the erratum drops */
        "A004 NO [BADURL \"/Drafts;UIDVALIDITY=385759045/;UID=20\"] x\r\n"
        "A005 NO [badurl] y\r\n";
    char want[1024];
    tc x;
    (void)state;
    tc_setup(&x, 65536, 65536);
    set_cmds(&x, cmds, 3);
    snprintf(want, sizeof want,
             "status NO tag=A003 [BADURL arg=\"/INBOX;UIDVALIDITY=785799047/;"
             "UID=113330;section=1.5.9\"] text=\"CATENATE append has failed, "
             "one message expunged\"\n"
             "status NO tag=A004 [BADURL arg=\"\\\"/Drafts;"
             "UIDVALIDITY=385759045/;UID=20\\\"\"] text=\"x\"\n"
             "error MW_E_SYNTAX @%d URL expected\n"
             "status NO tag=A005 [OTHER badurl] text=\"y\"\n",
             G + 122 + 60 + 16); /* just after "[badurl]" */
    check(&x, in, sizeof(in) - 1, want);
    tc_teardown(&x);
    assert_int_equal(mw_imap_code_lookup(S_("BADURL")), MW_IMAP_CODE_BADURL);
}

/* A response cut at every byte: the prefix fed then EOF-free restart; the
 * events of each prefix are a prefix of the whole run's events, and no
 * cut crashes (the replay also splits every complete input). */
static void test_cut_everywhere(void **state)
{
    static const char in[] =
        "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
        "RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "
        "\"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" "
        "\"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" "
        "\"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" "
        "\"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) "
        "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL "
        "\"KLENSIN\" \"MIT.EDU\")) NIL NIL "
        "\"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" "
        "(\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92) BODY[TEXT] "
        "{5}\r\nhello)\r\n";
    tc x;
    char *whole;
    size_t k;
    (void)state;
    tc_setup(&x, 65536, 65536);
    whole = run_once(&x, in, sizeof(in) - 1);
    assert_non_null(strstr(whole, "fetch_end 12"));
    for (k = 0; k < sizeof(in) - 1; k++) {
        char *part = run_once(&x, in, k);
        /* a cut response delivers only events that the whole one does */
        size_t pl = strlen(part);
        if (pl > 0 && strncmp(whole, part, pl - 1) != 0)
            fail_msg("cut at %zu:\n%s\nwhole:\n%s", k, part, whole);
        assert_null(strstr(part, "error"));
        free(part);
    }
    free(whole);
    check(&x, in, sizeof(in) - 1, NULL);
    tc_teardown(&x);
}

/* A body literal of 1 MB streamed through a 256-byte frame buffer: the
 * data arrives in spans of the input (never copied), joined equal. */
static void test_body_stream(void **state)
{
    tc x;
    sb in = {0};
    size_t i, big = 1u << 20;
    char *got;
    (void)state;
    sb_printf(&in, "* 3 FETCH (UID 77 BODY[]<0> {%zu}\r\n", big);
    for (i = 0; i < big; i++) {
        char c = (char)('a' + (i % 26));
        if (i % 100 == 98)
            c = '\r';
        if (i % 100 == 99)
            c = '\n';
        sb_add(&in, &c, 1);
    }
    sb_add(&in, S_(" FLAGS (\\Seen) BINARY[1] ~{3}\r\n\0\1\2 RFC822.SIZE 5)\r\n"));
    tc_setup(&x, 256, 4096);
    got = run_once(&x, in.p, in.n);
    assert_non_null(strstr(got, "  BODY[]<0> section=[] origin=0 literal size=1048576\n  data: abcd"));
    assert_non_null(strstr(got, "  end\n  FLAGS sys=0x01 n=1 (\\Seen)\n"
                                "  BINARY[1] section=[1] literal8 size=3\n"
                                "  data: \\x00\\x01\\x02\n  end\n"
                                "  RFC822.SIZE 5\nfetch_end 3\n"));
    free(got);
    check(&x, in.p, in.n, NULL);
    tc_teardown(&x);
    free(in.p);
}

/* Callbacks that pause at every event: feed returns MW_PAUSED and the
 * rest is fed again; the same events. A callback that fails aborts. */
static void test_pause_and_abort(void **state)
{
    static const char in[] =
        "* 1 FETCH (UID 5 BODY[] {3}\r\nabc FLAGS ())\r\n"
        "* SEARCH 1 2 3\r\n* LIST () \"/\" x\r\n* OK [ALERT] hi\r\n";
    tc x;
    char *a, *b;
    int k;
    (void)state;
    tc_setup(&x, 65536, 65536);
    a = run_once(&x, in, sizeof(in) - 1);
    x.pause_every = 1;
    b = run_once(&x, in, sizeof(in) - 1);
    assert_string_equal(a, b);
    check(&x, in, sizeof(in) - 1, a);
    free(b);
    x.pause_every = 0;
    for (k = 1; k <= 12; k++) {
        x.fail_at = k;
        b = run_once(&x, in, sizeof(in) - 1);
        assert_non_null(strstr(b, "replay: feed MW_E_CALLBACK"));
        free(b);
    }
    free(a);
    tc_teardown(&x);
}

/* The frame limit: a LIST with a mailbox name of limit-n bytes fits at
 * the limit and not one byte over (MW_E_TOO_LONG, skipped). */
static void test_frame_limit(void **state)
{
    size_t lim = 200, k;
    (void)state;
    for (k = lim - 1; k <= lim + 1; k++) {
        tc x;
        sb in = {0};
        char *got;
        size_t i, name = k - strlen("* LIST () \"/\" ");
        tc_setup(&x, 256, 4096);
        x.max_response = lim;
        sb_add(&in, S_("* LIST () \"/\" "));
        for (i = 0; i < name; i++)
            sb_add(&in, "m", 1);
        sb_add(&in, S_("\r\n* 1 EXISTS\r\n"));
        got = run_once(&x, in.p, in.n);
        if (k <= lim)
            assert_non_null(strstr(got, "data LIST"));
        else
            assert_non_null(strstr(got, "error MW_E_TOO_LONG"));
        assert_non_null(strstr(got, "data EXISTS 1"));
        free(got);
        free(in.p);
        tc_teardown(&x);
    }
    /* a literal larger than the frame limit in a string position: read
     * and dropped (never parsed), reported once, the next response fine */
    {
        tc x;
        sb in = {0};
        char *got;
        size_t i;
        tc_setup(&x, 256, 4096);
        x.max_response = lim;
        sb_printf(&in, "* LIST () \"/\" {%zu}\r\n", 2 * lim);
        for (i = 0; i < 2 * lim; i++)
            sb_add(&in, (i % 50) == 49 ? "\n" : "* 9 EXISTS\r", 1);
        sb_add(&in, S_("\r\n* 1 EXISTS\r\n"));
        got = run_once(&x, in.p, in.n);
        assert_string_equal(strstr(got, "error MW_E_TOO_LONG") != NULL
                                ? strstr(got, "data") : "missing",
                            "data EXISTS 1\n");
        assert_null(strstr(strstr(got, "error") + 1, "error"));
        free(got);
        check(&x, in.p, in.n, NULL);
        free(in.p);
        tc_teardown(&x);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_rfc3501),
        cmocka_unit_test(test_vectors_rfc9051),
        cmocka_unit_test(test_vectors_servers),
        cmocka_unit_test(test_vectors_stream),
        cmocka_unit_test(test_vectors_errors),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_many_parts_arena),
        cmocka_unit_test(test_huge_literal),
        cmocka_unit_test(test_search_100mb),
        cmocka_unit_test(test_search_small_frame),
        cmocka_unit_test(test_esearch_stream),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_nul_in_quoted),
        cmocka_unit_test(test_binary_size_range),
        cmocka_unit_test(test_badurl),
        cmocka_unit_test(test_cut_everywhere),
        cmocka_unit_test(test_body_stream),
        cmocka_unit_test(test_pause_and_abort),
        cmocka_unit_test(test_frame_limit),
    };
    return cmocka_run_group_tests_name("imap_client_resp", tests, NULL, NULL);
}
