/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: IMAP client <-> server round trips with random values
 * (format, parse, compare).
 *
 * Input: byte 0 picks options:
 *   bit 0    the server offers LITERAL+ (else LITERAL-)
 *   bit 1    UTF8=ACCEPT is enabled before the operations
 *   bit 2    the client's command buffer is small (256 bytes)
 *   bit 3    the client sends only synchronising literals
 *            (MW_IMAP_CLIENT_NO_LITERAL_PLUS), each after its "+"
 * then a sequence of operations, each a selector byte followed by the
 * bytes its values are cut from (a length byte, then that many bytes):
 *   0 LOGIN user password      (client -> server; any bytes but NUL)
 *   1 CREATE mailbox           (client -> server; UTF-8 names, compared
 *                               after modified UTF-7 decoding)
 *   2 ID field value           (client -> server)
 *   3 SEARCH program           (client -> server; keys, NOT, OR and
 *                               parentheses from the bytes; the leaves of
 *                               the parsed tree must come back in order)
 *   4 APPEND message           (client -> server; flags and data)
 *   5 LIST reply               (server -> client; mailbox name)
 *   6 SEARCH reply             (server -> client; numbers)
 *   7 FETCH ENVELOPE reply     (server -> client; subject and address)
 *   8 STATUS reply             (server -> client; numbers)
 *   9 MULTIAPPEND with CATENATE (client -> server): a count byte (1 + its
 *                               bits 0-1 messages), then per message a
 *                               byte (bit 0 CATENATE, bit 1 \Seen, bits
 *                               2-4 parts - 1) and its data: a plain
 *                               message's bytes, or per part a byte (bit
 *                               0: URL, else TEXT) and the URL (refused
 *                               by the client unless 1-1024 bytes of
 *                               0x20-0x7E: the part is then skipped) or
 *                               the TEXT bytes (NUL made "@"). A message
 *                               whose parts were all skipped gets an
 *                               empty TEXT part. The server sees the same
 *                               messages, flags, parts, URLs and TEXT
 *                               bytes in order; it refuses a URL that
 *                               starts with "!" with NO [BADURL url] (a
 *                               plain NO when the URL holds "]"), which
 *                               the client must get with the URL as
 *                               `arg`, the server having seen a prefix
 *                               of the parts ending at that URL.
 * A formatter may refuse a value (#MW_E_INVAL, #MW_E_UTF8, #MW_E_NOSPACE):
 * it must then send nothing. A value it accepts must be parsed back by the
 * other side to the same value, and neither side may report an error.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/mailwire.h"
#include "mailwire/imap.h"

#include "fuzz_util.h"

#if MW_ENABLE_IMAP_SERVER && MW_ENABLE_IMAP_CLIENT

/* The values of the operation in progress, as given. */
typedef struct leaf {
    int kind;            /* MW_IMAP_SK_* */
    const char *p;
    size_t n;
    uint64_t num;
} leaf;

typedef struct rt {
    mw_imap_client c;
    mw_imap_server s;
    char cframe[8192];
    unsigned char carena[16384];
    char cmdbuf[4096];
    char sbuf[MW_IMAP_SERVER_BUF_SIZE];
    char *c2s;
    size_t c2s_len, c2s_pos, c2s_cap;
    char *s2c;
    size_t s2c_len, s2c_pos, s2c_cap;
    int op;              /* operation in progress */
    int seen;            /* the other side delivered it */
    const char *a, *b;   /* the op's values */
    size_t an, bn;
    leaf leaves[64];
    int nleaves, gotleaves;
    uint32_t nums[32];
    int nnums, gotnums;
    char app[512];
    size_t applen;
    uint32_t status_vals[3];
    /* op 9: the messages and parts as the client sent them (exp) and as
     * the server saw them (act), one record each (rec_*) */
    unsigned char exp[8192], act[8192];
    size_t explen, actlen;
    size_t act_lenpos;   /* length of the open 'M'/'T' record in act */
    int act_open;        /* a record of act takes append_data ... */
    int act_kind;        /* ... 'M' or 'T' ... */
    uint64_t act_size;   /* ... up to this many bytes */
    uint32_t act_msgs;   /* messages the server has ended */
    uint32_t act_parts;  /* parts of the current CATENATE message */
    char cat[4096];      /* TEXT bytes as sent (NUL made "@") */
    size_t catlen;
    int refused;         /* the server refused a URL ... */
    int refused_coded;   /* ... with NO [BADURL url] (else plain NO) */
    char rurl[1100];     /* ... this one */
    size_t rurllen;
    int append_done;     /* the client has the APPEND's completion */
} rt;

/* op 9 records: 'M' (plain message data), 'T' (TEXT part data), 'U' (URL):
 * kind, 2-byte length, bytes; 'E' (end of a message): kind, number of
 * parts, bits (1 CATENATE, 2 \Seen). */
static void rec_put(unsigned char *buf, size_t *len, size_t cap, int kind,
                    const char *p, size_t n)
{
    CHECK(*len + 3 + n <= cap && n <= 0xFFFF);
    buf[(*len)++] = (unsigned char)kind;
    buf[(*len)++] = (unsigned char)(n >> 8);
    buf[(*len)++] = (unsigned char)n;
    if (n > 0)
        memcpy(buf + *len, p, n);
    *len += n;
}

static void rec_end(unsigned char *buf, size_t *len, size_t cap,
                    unsigned nparts, unsigned bits)
{
    CHECK(*len + 3 <= cap && nparts <= 0xFF);
    buf[(*len)++] = 'E';
    buf[(*len)++] = (unsigned char)nparts;
    buf[(*len)++] = (unsigned char)bits;
}

static void grow(char **buf, size_t *cap, size_t need)
{
    if (*cap >= need)
        return;
    while (*cap < need)
        *cap = *cap ? *cap * 2 : 4096;
    *buf = realloc(*buf, *cap);
    CHECK(*buf != NULL);
}

static int c_send(mw_imap_client *c, void *u, const char *p, size_t n)
{
    rt *t = u;
    (void)c;
    grow(&t->c2s, &t->c2s_cap, t->c2s_len + n);
    memcpy(t->c2s + t->c2s_len, p, n);
    t->c2s_len += n;
    return 0;
}

static int s_send(mw_imap_server *s, void *u, const char *p, size_t n)
{
    rt *t = u;
    (void)s;
    grow(&t->s2c, &t->s2c_cap, t->s2c_len + n);
    memcpy(t->s2c + t->s2c_len, p, n);
    t->s2c_len += n;
    return 0;
}

static int span_is(mw_span s, const char *p, size_t n)
{
    return s.ptr != NULL && s.len == n && (n == 0 || memcmp(s.ptr, p, n) == 0);
}

/* INBOX in any case is INBOX, which the server passes as "INBOX" (RFC
 * 9051 §5.1); in UTF-8 mode (UTF8=ACCEPT enabled) other names are UTF-8
 * as sent; else modified UTF-7 to decode (RFC 6855 §3, RFC 3501
 * §5.1.3). */
static int mbox_is(const mw_imap_mailbox *m, const char *p, size_t n,
                   int utf8)
{
    char tmp[1024];
    size_t k = 0;
    if (m->flags & MW_IMAP_MBOX_INBOX)
        return span_is(m->name, "INBOX", 5) && n == 5 &&
               (p[0] | 0x20) == 'i' && (p[1] | 0x20) == 'n' &&
               (p[2] | 0x20) == 'b' && (p[3] | 0x20) == 'o' &&
               (p[4] | 0x20) == 'x';
    if (!utf8 && (m->flags & MW_IMAP_MBOX_MUTF7)) {
        if (mw_imap_mutf7_decode(m->name.ptr, m->name.len, tmp, sizeof tmp,
                                 &k, NULL) != MW_OK)
            return 0;
        return k == n && memcmp(tmp, p, n) == 0;
    }
    return span_is(m->name, p, n);
}

/* Leaves of the parsed search tree, in prefix order (explicit stack). */
static void check_leaves(rt *t, const mw_imap_search_key *root)
{
    const mw_imap_search_key *stack[128];
    int sp = 0;
    stack[sp++] = root;
    while (sp > 0) {
        const mw_imap_search_key *k = stack[--sp], *ch;
        const mw_imap_search_key *kids[64];
        int nk = 0;
        if (k->kind == MW_IMAP_SK_AND || k->kind == MW_IMAP_SK_OR ||
            k->kind == MW_IMAP_SK_NOT) {
            for (ch = k->first; ch != NULL && nk < 64; ch = ch->next)
                kids[nk++] = ch;
            while (nk > 0) {
                CHECK(sp < 128);
                stack[sp++] = kids[--nk];
            }
            continue;
        }
        CHECK(t->gotleaves < t->nleaves);
        {
            const leaf *l = &t->leaves[t->gotleaves++];
            CHECK(k->kind == l->kind);
            if (l->kind == MW_IMAP_SK_LARGER)
                CHECK(k->num == l->num);
            else if (l->kind != MW_IMAP_SK_SEEN)
                CHECK(span_is(k->str, l->p, l->n));
        }
    }
}

static int s_command(mw_imap_server *s, void *u, const mw_imap_cmd *cmd)
{
    rt *t = u;
    switch (t->op) {
    case -1: /* set-up: LOGIN u p, ENABLE */
        if (cmd->id == MW_IMAP_CMD_ENABLE)
            CHECK(mw_imap_server_enabled(s, cmd->u.enable.caps,
                                         cmd->u.enable.count) == MW_OK);
        break;
    case 0:
        CHECK(cmd->id == MW_IMAP_CMD_LOGIN);
        CHECK(span_is(cmd->u.login.user, t->a, t->an));
        CHECK(span_is(cmd->u.login.password, t->b, t->bn));
        t->seen = 1;
        return mw_imap_server_reply(s, MW_IMAP_NO, NULL, NULL);
    case 1:
        CHECK(cmd->id == MW_IMAP_CMD_CREATE);
        CHECK(mbox_is(&cmd->u.mailbox.mailbox, t->a, t->an,
                      (mw_imap_client_enabled(&t->c) &
                       MW_IMAP_CLIENT_ENABLED_UTF8) != 0));
        t->seen = 1;
        break;
    case 2:
        CHECK(cmd->id == MW_IMAP_CMD_ID);
        CHECK(cmd->u.id.count == 1);
        CHECK(span_is(cmd->u.id.params[0].field, t->a, t->an));
        CHECK(span_is(cmd->u.id.params[0].value, t->b, t->bn));
        t->seen = 1;
        break;
    case 3:
        CHECK(cmd->id == MW_IMAP_CMD_SEARCH);
        t->gotleaves = 0;
        check_leaves(t, cmd->u.search.root);
        CHECK(t->gotleaves == t->nleaves);
        t->seen = 1;
        break;
    case 4:
        CHECK(cmd->id == MW_IMAP_CMD_APPEND);
        CHECK(t->applen == t->bn && memcmp(t->app, t->b, t->bn) == 0);
        t->seen = 1;
        break;
    case 9:
        /* every message ended, with every part, as sent */
        CHECK(cmd->id == MW_IMAP_CMD_APPEND);
        CHECK(!t->refused && !t->act_open);
        CHECK(cmd->u.append.nmessages == t->act_msgs);
        CHECK(cmd->u.append.index + 1 == t->act_msgs);
        CHECK(t->actlen == t->explen &&
              memcmp(t->act, t->exp, t->explen) == 0);
        t->seen = 1;
        break;
    case 5: {
        mw_imap_list_reply l;
        memset(&l, 0, sizeof l);
        l.delimiter = '/';
        l.mailbox.ptr = t->a;
        l.mailbox.len = t->an;
        if (mw_imap_server_list(s, &l) == MW_OK)
            t->seen = -1; /* the client must see it */
        break;
    }
    case 6: {
        int i;
        if (mw_imap_server_search_begin(s, 0) != MW_OK)
            break;
        for (i = 0; i < t->nnums; i++)
            CHECK(mw_imap_server_search_add(s, t->nums[i]) == MW_OK);
        CHECK(mw_imap_server_search_end(s, 0) == MW_OK);
        t->seen = -1;
        break;
    }
    case 7: {
        mw_imap_envelope e;
        mw_imap_address a;
        memset(&e, 0, sizeof e);
        memset(&a, 0, sizeof a);
        e.subject.ptr = t->a;
        e.subject.len = t->an;
        a.name.ptr = t->b;
        a.name.len = t->bn;
        a.mailbox.ptr = "x";
        a.mailbox.len = 1;
        a.host.ptr = "example.com";
        a.host.len = 11;
        e.from.items = &a;
        e.from.count = 1;
        CHECK(mw_imap_server_fetch_begin(s, 1) == MW_OK);
        if (mw_imap_server_fetch_envelope(s, &e) == MW_OK)
            t->seen = -1;
        else /* refused (NUL): a FETCH needs at least one item */
            CHECK(mw_imap_server_fetch_uid(s, 7) == MW_OK);
        CHECK(mw_imap_server_fetch_end(s) == MW_OK);
        break;
    }
    case 8: {
        mw_imap_status_reply st;
        memset(&st, 0, sizeof st);
        st.mailbox.ptr = "INBOX";
        st.mailbox.len = 5;
        st.items = MW_IMAP_STATUS_MESSAGES | MW_IMAP_STATUS_UIDNEXT |
                   MW_IMAP_STATUS_UNSEEN;
        st.messages = t->status_vals[0];
        st.uidnext = t->status_vals[1];
        st.unseen = t->status_vals[2];
        CHECK(mw_imap_server_mailbox_status(s, &st) == MW_OK);
        t->seen = -1;
        break;
    }
    default:
        break;
    }
    return mw_imap_server_reply(s, MW_IMAP_OK, NULL, NULL);
}

static int s_literal(mw_imap_server *s, void *u, const mw_imap_cmd *cmd)
{
    rt *t = u;
    const mw_imap_append_args *a = &cmd->u.append;
    (void)s;
    if (t->op != 9)
        return 0;
    CHECK(cmd->id == MW_IMAP_CMD_APPEND && !t->act_open && !t->refused);
    CHECK(a->index == t->act_msgs);
    if (a->catenate) {
        CHECK(a->part_kind == MW_IMAP_CATPART_TEXT);
        CHECK(a->part == t->act_parts);
        t->act_parts++;
    } else {
        CHECK(a->part_kind == MW_IMAP_CATPART_NONE);
    }
    t->act_lenpos = t->actlen + 1;
    t->act_kind = a->catenate ? 'T' : 'M';
    t->act_size = a->size;
    rec_put(t->act, &t->actlen, sizeof t->act, t->act_kind, NULL, 0);
    /* a TEXT part has no append_end of its own: it is over with its
     * last byte (at once when empty) */
    t->act_open = !(a->catenate && a->size == 0);
    return 0;
}

/* The URL parts of op 9; one that starts with "!" is refused. */
static int s_append_url(mw_imap_server *s, void *u, const mw_imap_cmd *cmd)
{
    rt *t = u;
    const mw_imap_append_args *a = &cmd->u.append;
    int r;
    CHECK(t->op == 9 && cmd->id == MW_IMAP_CMD_APPEND);
    CHECK(!t->act_open && !t->refused);
    CHECK(a->catenate && a->part_kind == MW_IMAP_CATPART_URL);
    CHECK(a->index == t->act_msgs && a->part == t->act_parts);
    CHECK(a->url.ptr != NULL);
    t->act_parts++;
    rec_put(t->act, &t->actlen, sizeof t->act, 'U', a->url.ptr, a->url.len);
    if (a->url.len == 0 || a->url.ptr[0] != '!')
        return 0;
    /* RFC 4469 §4.1: NO [BADURL url], the URL bare (erratum 4046); a
     * URL holding "]" cannot be written so (MW_E_INVAL, nothing sent) */
    t->refused = 1;
    CHECK(a->url.len <= sizeof t->rurl);
    memcpy(t->rurl, a->url.ptr, a->url.len);
    t->rurllen = a->url.len;
    {
        mw_imap_code code;
        memset(&code, 0, sizeof code);
        code.id = MW_IMAP_CODE_BADURL;
        code.arg = a->url;
        r = mw_imap_server_reply(s, MW_IMAP_NO, &code, "URL refused");
        if (r == MW_E_INVAL) {
            CHECK(memchr(a->url.ptr, ']', a->url.len) != NULL);
            r = mw_imap_server_reply(s, MW_IMAP_NO, NULL, "URL refused");
        } else {
            CHECK(memchr(a->url.ptr, ']', a->url.len) == NULL);
            t->refused_coded = 1;
        }
    }
    CHECK(r == MW_OK);
    return 0;
}

static int s_append_end(mw_imap_server *s, void *u, const mw_imap_cmd *cmd)
{
    rt *t = u;
    const mw_imap_append_args *a = &cmd->u.append;
    unsigned bits = 0;
    (void)s;
    if (t->op != 9)
        return 0;
    CHECK(a->index == t->act_msgs && !t->refused);
    if (a->catenate) {
        CHECK(!t->act_open);
        CHECK(a->nparts == t->act_parts);
        bits |= 1;
    } else {
        CHECK(t->act_open && t->act_kind == 'M');
        CHECK(t->actlen - t->act_lenpos - 2 == t->act_size);
    }
    if (a->has_flags) {
        CHECK(a->flags.count == 1 && a->flags.system == MW_IMAP_FLAG_SEEN);
        bits |= 2;
    }
    t->act_open = 0;
    rec_end(t->act, &t->actlen, sizeof t->act, t->act_parts, bits);
    t->act_msgs++;
    t->act_parts = 0;
    return 0;
}

static int s_append_data(mw_imap_server *s, void *u, const char *p, size_t n)
{
    rt *t = u;
    (void)s;
    if (t->op == 9) {
        size_t len;
        CHECK(t->act_open);
        CHECK(t->actlen + n <= sizeof t->act);
        memcpy(t->act + t->actlen, p, n);
        t->actlen += n;
        len = t->actlen - t->act_lenpos - 2;
        CHECK(len <= 0xFFFF && len <= t->act_size);
        t->act[t->act_lenpos] = (unsigned char)(len >> 8);
        t->act[t->act_lenpos + 1] = (unsigned char)len;
        if (t->act_kind == 'T' && len == t->act_size)
            t->act_open = 0;
        return 0;
    }
    CHECK(t->applen + n <= sizeof t->app);
    memcpy(t->app + t->applen, p, n);
    t->applen += n;
    return 0;
}

static int s_error(mw_imap_server *s, void *u, int status, size_t offset,
                   const char *reason)
{
    rt *t = u;
    size_t i;
    (void)s;
    fprintf(stderr, "server error %d @%zu %s\nclient sent:\n", status,
            offset, reason);
    for (i = 0; i < t->c2s_len; i++) {
        unsigned char ch = (unsigned char)t->c2s[i];
        if (ch == '\n' || (ch >= 0x20 && ch < 0x7F))
            fputc(ch, stderr);
        else
            fprintf(stderr, "\\x%02x", ch);
    }
    fputc('\n', stderr);
    abort();
}

static int c_error(mw_imap_client *c, void *u, int status, size_t offset,
                   const char *reason)
{
    rt *t = u;
    (void)c;
    fprintf(stderr, "client error %d @%zu %s\nserver sent:\n%.*s\n", status,
            offset, reason, (int)t->s2c_len, t->s2c);
    abort();
}

/* op 9: the APPEND's completion, OK, or NO for a refused URL (then the
 * server has seen a prefix of what was sent, ending at that URL). */
static int c_status(mw_imap_client *c, void *u, const mw_imap_status *st)
{
    rt *t = u;
    (void)c;
    if (t->op != 9 || st->untagged || st->cmd != MW_IMAP_CMD_APPEND)
        return 0;
    CHECK(!t->append_done);
    t->append_done = 1;
    if (!t->refused) {
        CHECK(st->result == MW_IMAP_OK && t->seen == 1);
        return 0;
    }
    CHECK(st->result == MW_IMAP_NO);
    if (t->refused_coded) {
        CHECK(st->code.id == MW_IMAP_CODE_BADURL);
        CHECK(span_is(st->code.arg, t->rurl, t->rurllen));
    } else {
        CHECK(st->code.id == MW_IMAP_CODE_NONE);
    }
    CHECK(t->actlen >= 3 + t->rurllen && t->actlen <= t->explen &&
          memcmp(t->act, t->exp, t->actlen) == 0);
    CHECK(t->act[t->actlen - 3 - t->rurllen] == 'U');
    t->seen = 1;
    return 0;
}

static int c_data(mw_imap_client *c, void *u, const mw_imap_data *d)
{
    rt *t = u;
    if (t->op == 5 && d->kind == MW_IMAP_DATA_LIST) {
        char tmp[1024];
        size_t k = 0;
        if (d->u.list.mutf7 && !(mw_imap_client_enabled(c) &
                                 MW_IMAP_CLIENT_ENABLED_UTF8)) {
            CHECK(mw_imap_mutf7_decode(d->u.list.mailbox.ptr,
                                       d->u.list.mailbox.len, tmp, sizeof tmp,
                                       &k, NULL) == MW_OK);
            CHECK(k == t->an && memcmp(tmp, t->a, k) == 0);
        } else if (!(t->an == 5 && d->u.list.mailbox.len == 5 &&
                     memcmp(d->u.list.mailbox.ptr, "INBOX", 5) == 0)) {
            CHECK(span_is(d->u.list.mailbox, t->a, t->an));
        }
        t->seen = 1;
    } else if (t->op == 8 && d->kind == MW_IMAP_DATA_STATUS) {
        CHECK(d->u.status.messages == t->status_vals[0]);
        CHECK(d->u.status.uidnext == t->status_vals[1]);
        CHECK(d->u.status.unseen == t->status_vals[2]);
        t->seen = 1;
    }
    return 0;
}

static int c_search(mw_imap_client *c, void *u, const mw_imap_search_ev *ev)
{
    rt *t = u;
    (void)c;
    if (ev->ev == MW_IMAP_SEARCH_NUM) {
        CHECK(t->gotnums < t->nnums);
        CHECK(ev->lo == t->nums[t->gotnums]);
        t->gotnums++;
    } else if (ev->ev == MW_IMAP_SEARCH_END) {
        CHECK(t->gotnums == t->nnums);
        t->seen = 1;
    }
    return 0;
}

static int c_item(mw_imap_client *c, void *u, const mw_imap_fetch_item *it)
{
    rt *t = u;
    (void)c;
    if (t->op == 7 && it->id == MW_IMAP_FETCH_ENVELOPE) {
        CHECK(span_is(it->envelope->subject, t->a, t->an));
        CHECK(it->envelope->from.count == 1);
        CHECK(span_is(it->envelope->from.items[0].name, t->b, t->bn));
        t->seen = 1;
    }
    return 0;
}

static void pump(rt *t)
{
    int moved = 1;
    while (moved) {
        moved = 0;
        if (t->c2s_pos < t->c2s_len) {
            size_t used = 0;
            int r = mw_imap_server_feed(&t->s, t->c2s + t->c2s_pos,
                                        t->c2s_len - t->c2s_pos, &used);
            CHECK(r >= 0);
            moved |= used > 0;
            t->c2s_pos += used;
        }
        if (t->s2c_pos < t->s2c_len) {
            size_t used = 0;
            int r = mw_imap_client_feed(&t->c, t->s2c + t->s2c_pos,
                                        t->s2c_len - t->s2c_pos, &used);
            CHECK(r >= 0);
            moved |= used > 0;
            t->s2c_pos += used;
        }
    }
}

/* The input, consumed as the operations need it. */
typedef struct src {
    const uint8_t *p;
    size_t n;
} src;

static int take_byte(src *s, uint8_t *b)
{
    if (s->n == 0)
        return 0;
    *b = *s->p++;
    s->n--;
    return 1;
}

static void take_bytes(src *s, const char **p, size_t *n, size_t max)
{
    uint8_t len = 0;
    (void)take_byte(s, &len);
    *n = len % (max + 1);
    if (*n > s->n)
        *n = s->n;
    *p = (const char *)s->p;
    s->p += *n;
    s->n -= *n;
}

static int no_nul(const char *p, size_t n)
{
    return n == 0 || memchr(p, 0, n) == NULL;
}

/* What mw_imap_client_catenate_url() takes: 1-1024 bytes of 0x20-0x7E. */
static int url_ok(const char *p, size_t n)
{
    size_t i;
    if (n == 0 || n > 1024)
        return 0;
    for (i = 0; i < n; i++)
        if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] > 0x7E)
            return 0;
    return 1;
}

/* op 9: the data of the literal just announced, once it may be written
 * (after the "+" of a synchronising one). 0 when the server ended the
 * APPEND instead (a refused URL before it). */
static int lit_data(rt *t, const char *p, size_t n)
{
    if (!(mw_imap_client_want(&t->c) & MW_IMAP_CLIENT_WANT_LITERAL))
        pump(t);
    if (t->append_done)
        return 0;
    if (n == 0)
        return 1;
    CHECK(mw_imap_client_want(&t->c) & MW_IMAP_CLIENT_WANT_LITERAL);
    CHECK(mw_imap_client_append_data(&t->c, p, n) == MW_OK);
    return 1;
}

/* op 9: MULTIAPPEND of plain and CATENATE messages (see the top). Returns
 * the status of the command's first call; the rest must succeed until
 * the server ends the command (a refused URL). */
static int op_multiappend(rt *t, src *in)
{
    mw_imap_flag_set seen;
    uint8_t nm = 0;
    unsigned i;
    int started = 0, r;
    memset(&seen, 0, sizeof seen);
    seen.system = MW_IMAP_FLAG_SEEN;
    (void)take_byte(in, &nm);
    nm = (uint8_t)(1 + (nm & 3));
    for (i = 0; i < nm && !t->append_done; i++) {
        uint8_t mk = 0;
        const mw_imap_flag_set *fl;
        (void)take_byte(in, &mk);
        fl = (mk & 2) ? &seen : NULL;
        if (!(mk & 1)) {
            mw_imap_append_msg m;
            memset(&m, 0, sizeof m);
            take_bytes(in, &t->b, &t->bn, 255);
            m.flags = fl;
            m.size = t->bn;
            m.binary = !no_nul(t->b, t->bn);
            r = started ? mw_imap_client_append_next(&t->c, &m)
                        : mw_imap_client_append(&t->c, "INBOX", 5, &m, NULL);
            if (!started && r != MW_OK)
                return r;
            CHECK(r == MW_OK);
            started = 1;
            if (!lit_data(t, t->b, t->bn))
                break;
            rec_put(t->exp, &t->explen, sizeof t->exp, 'M', t->b, t->bn);
            rec_end(t->exp, &t->explen, sizeof t->exp, 0, fl ? 2u : 0u);
        } else {
            unsigned j, np = 1u + ((mk >> 2) & 7u), sent = 0;
            int over = 0;
            r = started ? mw_imap_client_catenate_next(&t->c, fl, NULL)
                        : mw_imap_client_catenate(&t->c, "INBOX", 5, fl, NULL,
                                                  NULL);
            if (!started && r != MW_OK)
                return r;
            CHECK(r == MW_OK);
            started = 1;
            for (j = 0; j <= np && !over; j++) {
                uint8_t pk = 0;
                const char *p;
                size_t n, k, before = t->c2s_len;
                if (j == np) {
                    if (sent > 0)
                        break;
                    n = 0; /* no part went out: an empty TEXT part */
                    p = t->cat + t->catlen;
                } else {
                    (void)take_byte(in, &pk);
                    take_bytes(in, &p, &n, (pk & 1) ? 60 : 100);
                }
                if (pk & 1) {
                    r = mw_imap_client_catenate_url(&t->c, p, n);
                    if (!url_ok(p, n)) {
                        CHECK(r == MW_E_INVAL && t->c2s_len == before);
                        continue;
                    }
                    CHECK(r == MW_OK);
                    rec_put(t->exp, &t->explen, sizeof t->exp, 'U', p, n);
                    sent++;
                    continue;
                }
                /* TEXT: a literal, which may not hold NUL */
                CHECK(t->catlen + n <= sizeof t->cat);
                for (k = 0; k < n; k++)
                    t->cat[t->catlen + k] = p[k] != '\0' ? p[k] : '@';
                p = t->cat + t->catlen;
                t->catlen += n;
                CHECK(mw_imap_client_catenate_text(&t->c, n) == MW_OK);
                if (!lit_data(t, p, n)) {
                    over = 1;
                    break;
                }
                rec_put(t->exp, &t->explen, sizeof t->exp, 'T', p, n);
                sent++;
            }
            if (over)
                break;
            rec_end(t->exp, &t->explen, sizeof t->exp, sent,
                    1u | (fl ? 2u : 0u));
        }
    }
    if (!t->append_done)
        CHECK(mw_imap_client_append_end(&t->c) == MW_OK);
    return MW_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static rt t;
    mw_imap_client_config cc;
    mw_imap_client_callbacks ccb;
    mw_imap_server_config sc;
    mw_imap_server_callbacks scb;
    mw_imap_code cap;
    src in;
    uint8_t opt, sel;
    char *c2s = t.c2s, *s2c = t.s2c;
    size_t c2s_cap = t.c2s_cap, s2c_cap = t.s2c_cap;
    int ops = 0;

    if (size < 1)
        return 0;
    opt = data[0];
    in.p = data + 1;
    in.n = size - 1;
    memset(&t, 0, sizeof t);
    t.c2s = c2s;
    t.c2s_cap = c2s_cap;
    t.s2c = s2c;
    t.s2c_cap = s2c_cap;

    mw_imap_client_config_init(&cc);
    cc.arena = t.carena;
    cc.arena_len = sizeof t.carena;
    cc.cmdbuf = t.cmdbuf;
    cc.cmdbuf_len = (opt & 4) ? 256 : sizeof t.cmdbuf;
    if (opt & 8)
        cc.flags |= MW_IMAP_CLIENT_NO_LITERAL_PLUS;
    memset(&ccb, 0, sizeof ccb);
    ccb.send = c_send;
    ccb.data = c_data;
    ccb.search = c_search;
    ccb.fetch_item = c_item;
    ccb.status = c_status;
    ccb.error = c_error;
    CHECK(mw_imap_client_init(&t.c, &cc, &ccb, &t, t.cframe,
                              sizeof t.cframe) == MW_OK);
    mw_imap_server_config_init(&sc);
    sc.caps = MW_IMAP_CAP_IMAP4REV1 | MW_IMAP_CAP_ENABLE | MW_IMAP_CAP_ID |
              MW_IMAP_CAP_MULTIAPPEND | MW_IMAP_CAP_UTF8_ACCEPT |
              MW_IMAP_CAP_BINARY | MW_IMAP_CAP_CATENATE |
              ((opt & 1) ? MW_IMAP_CAP_LITERAL_PLUS
                         : MW_IMAP_CAP_LITERAL_MINUS);
    memset(&scb, 0, sizeof scb);
    scb.send = s_send;
    scb.command = s_command;
    scb.literal = s_literal;
    scb.append_data = s_append_data;
    scb.append_end = s_append_end;
    scb.append_url = s_append_url;
    scb.error = s_error;
    CHECK(mw_imap_server_init(&t.s, &sc, &scb, &t, t.sbuf, sizeof t.sbuf) ==
          MW_OK);
    memset(&cap, 0, sizeof cap);
    cap.id = MW_IMAP_CODE_CAPABILITY;
    CHECK(mw_imap_server_start(&t.s, MW_IMAP_OK, &cap, "hi") == MW_OK);
    t.op = -1;
    pump(&t);
    CHECK(mw_imap_client_state(&t.c) == MW_IMAP_STATE_NOT_AUTHENTICATED);

    while (take_byte(&in, &sel) && ops++ < 16) {
        size_t before;
        int r = MW_OK;
        /* LOGIN is tried before authentication; every other operation
         * needs the authenticated state (log in once, then ENABLE). */
        if (sel % 10 != 0 &&
            mw_imap_client_state(&t.c) == MW_IMAP_STATE_NOT_AUTHENTICATED) {
            t.op = -1;
            CHECK(mw_imap_client_login(&t.c, "u", 1, "p", 1, NULL) == MW_OK);
            pump(&t);
            CHECK(mw_imap_client_state(&t.c) == MW_IMAP_STATE_AUTHENTICATED);
            if (opt & 2) {
                static const char *const u8[] = {"UTF8=ACCEPT"};
                CHECK(mw_imap_client_enable(&t.c, u8, 1, NULL) == MW_OK);
                pump(&t);
            }
            CHECK(mw_imap_client_select(&t.c, "INBOX", 5, NULL, NULL) ==
                  MW_OK);
            pump(&t);
            CHECK(mw_imap_client_state(&t.c) == MW_IMAP_STATE_SELECTED);
        }
        before = t.c2s_len;
        t.op = sel % 10;
        t.seen = 0;
        switch (t.op) {
        case 0:
            take_bytes(&in, &t.a, &t.an, 200);
            take_bytes(&in, &t.b, &t.bn, 200);
            r = mw_imap_client_login(&t.c, t.a, t.an, t.b, t.bn, NULL);
            if (mw_imap_client_state(&t.c) != MW_IMAP_STATE_NOT_AUTHENTICATED) {
                CHECK(r == MW_E_STATE);
                CHECK(t.c2s_len == before);
                continue;
            }
            if (!no_nul(t.a, t.an) || !no_nul(t.b, t.bn))
                CHECK(r == MW_E_INVAL);
            break;
        case 1:
            take_bytes(&in, &t.a, &t.an, 100);
            r = mw_imap_client_create(&t.c, t.a, t.an, NULL);
            break;
        case 2:
            take_bytes(&in, &t.a, &t.an, 40);
            take_bytes(&in, &t.b, &t.bn, 100);
            {
                mw_span f, v;
                f.ptr = t.a;
                f.len = t.an;
                v.ptr = t.b;
                v.len = t.bn;
                r = mw_imap_client_id(&t.c, &f, &v, 1, NULL);
            }
            break;
        case 3: {
            char qb[2048];
            mw_imap_query q;
            uint8_t nk = 0, k;
            int i;
            mw_imap_query_init(&q, qb, sizeof qb);
            t.nleaves = 0;
            (void)take_byte(&in, &nk);
            for (i = 0; i < (nk & 15) && t.nleaves < 64; i++) {
                if (!take_byte(&in, &k))
                    break;
                switch (k % 6) {
                case 0:
                    take_bytes(&in, &t.leaves[t.nleaves].p,
                               &t.leaves[t.nleaves].n, 30);
                    if (mw_imap_query_string(&q, MW_IMAP_QUERY_FROM,
                                             t.leaves[t.nleaves].p,
                                             t.leaves[t.nleaves].n) == MW_OK) {
                        t.leaves[t.nleaves].kind = MW_IMAP_SK_FROM;
                        t.nleaves++;
                    }
                    break;
                case 1:
                    if (mw_imap_query_key(&q, MW_IMAP_QUERY_SEEN) == MW_OK) {
                        t.leaves[t.nleaves].kind = MW_IMAP_SK_SEEN;
                        t.nleaves++;
                    }
                    break;
                case 2:
                    t.leaves[t.nleaves].num = (uint64_t)k * 1000003u;
                    if (mw_imap_query_number(&q, MW_IMAP_QUERY_LARGER,
                                             t.leaves[t.nleaves].num) ==
                        MW_OK) {
                        t.leaves[t.nleaves].kind = MW_IMAP_SK_LARGER;
                        t.nleaves++;
                    }
                    break;
                case 3:
                    (void)mw_imap_query_not(&q);
                    break;
                case 4:
                    (void)mw_imap_query_or(&q);
                    break;
                default:
                    if (k & 0x80)
                        (void)mw_imap_query_open(&q);
                    else
                        (void)mw_imap_query_close(&q);
                    break;
                }
            }
            r = mw_imap_client_search(&t.c, &q, NULL, NULL);
            break;
        }
        case 4: {
            mw_imap_append_msg m;
            memset(&m, 0, sizeof m);
            take_bytes(&in, &t.b, &t.bn, 255);
            m.size = t.bn;
            m.binary = !no_nul(t.b, t.bn);
            t.applen = 0;
            r = mw_imap_client_append(&t.c, "INBOX", 5, &m, NULL);
            if (r == MW_OK) {
                pump(&t);
                CHECK(mw_imap_client_append_data(&t.c, t.b, t.bn) == MW_OK);
                CHECK(mw_imap_client_append_end(&t.c) == MW_OK);
            }
            break;
        }
        case 5:
            take_bytes(&in, &t.a, &t.an, 100);
            r = mw_imap_client_noop(&t.c, NULL);
            break;
        case 6: {
            uint8_t n = 0, b;
            int i;
            (void)take_byte(&in, &n);
            t.nnums = 0;
            t.gotnums = 0;
            for (i = 0; i < (n & 31); i++) {
                uint32_t v = 0;
                int j;
                for (j = 0; j < 4 && take_byte(&in, &b); j++)
                    v = (v << 8) | b;
                if (v == 0)
                    v = 1;
                t.nums[t.nnums++] = v;
            }
            r = mw_imap_client_noop(&t.c, NULL);
            break;
        }
        case 7:
            take_bytes(&in, &t.a, &t.an, 100);
            take_bytes(&in, &t.b, &t.bn, 50);
            r = mw_imap_client_noop(&t.c, NULL);
            break;
        case 9:
            t.explen = t.actlen = 0;
            t.act_open = 0;
            t.act_msgs = t.act_parts = 0;
            t.catlen = 0;
            t.refused = t.refused_coded = 0;
            t.append_done = 0;
            r = op_multiappend(&t, &in);
            break;
        default: {
            uint8_t b = 0;
            int i;
            for (i = 0; i < 3; i++) {
                uint32_t v = 0;
                int j;
                for (j = 0; j < 4 && take_byte(&in, &b); j++)
                    v = (v << 8) | b;
                t.status_vals[i] = v;
            }
            /* UIDNEXT is an nz-number (RFC 9051 §9 status-att-val); the
             * server formatter does not refuse 0 (reported to its owner). */
            if (t.status_vals[1] == 0)
                t.status_vals[1] = 1;
            r = mw_imap_client_noop(&t.c, NULL);
            break;
        }
        }
        if (r != MW_OK) {
            /* refused: nothing was sent */
            CHECK(r == MW_E_INVAL || r == MW_E_UTF8 || r == MW_E_NOSPACE ||
                  r == MW_E_DEPTH);
            CHECK(t.c2s_len == before);
            continue;
        }
        pump(&t);
        /* accepted values came through on the other side */
        CHECK(t.seen != -1);
        if (t.op <= 4 || t.op == 9)
            CHECK(t.seen == 1);
        if (t.op == 9)
            CHECK(t.append_done);
        CHECK(mw_imap_client_pending(&t.c) == 0);
    }
    return 0;
}

#else

MW_FUZZ_NOTHING_TO_FUZZ

#endif
