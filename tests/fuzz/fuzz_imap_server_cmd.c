/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the IMAP server's command parser
 * (lib/imap/server_cmd*.c): one complete command frame, as the framer
 * hands it over (literals inline in wire form, no final CRLF).
 *
 * Input: byte 0 = options, the rest = the frame.
 *   bit 0-1  lexflags: UTF8 (bit 0), 8BIT quirk (bit 1)
 *   bit 2-3  search depth limit: default, 1, 4, 16
 *   bit 4-5  arena: 64 KiB, 256, 2 KiB, 0 (none)
 *   bit 6    also run the APPEND step parser on the frame
 *   bit 7    CATENATE offered (MW__IMAP_AP_CATENATE, RFC 4469)
 *
 * Checked:
 * - the status is MW_OK or negative; an error carries the same code in
 *   err, an offset inside the frame and a reason; on error a reported
 *   tag lies in the frame;
 * - on MW_OK every span of the command lies in the frame or in the arena
 *   (or is the static "INBOX"); arrays have their counts; the search-key
 *   tree is consistent (parent links, depth, child counts, OR has two and
 *   NOT one operand, no container deeper than the limit) and has nkeys
 *   nodes; fetch items have known ids and part counts within bounds;
 * - the parse is deterministic (a second parse gives the same status,
 *   offset and id);
 * - a parse that fails for lack of arena never fails with another status
 *   than MW_E_NOSPACE where a large arena succeeds;
 * - mw__imap_cmd_literal_role() answers INLINE or STREAM; the APPEND
 *   step parser, on the frame as a head and as a later segment, gives
 *   known items and ends in a literal, DONE or a negative status with an
 *   offset inside the text;
 * - the streaming APPEND parse agrees with the whole-command parse: the
 *   frame cut into segments as the machine does (a literal whose role is
 *   STREAM ends a segment and its bytes are skipped, an INLINE one stays
 *   in the text) and walked by the step parser succeeds exactly when the
 *   whole frame parses as APPEND, with the same mailbox, message count,
 *   first message (options, sizes, CATENATE part count) and flags.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/frame.h"
#include "imap/grammar.h"
#include "imap/server_cmd.h"

#include "fuzz_util.h"

#define BASE 77u

typedef struct ctx {
    const char *p;
    size_t n;
    const unsigned char *a;
    size_t acap;
} ctx;

static void span_ok(const ctx *c, mw_span s)
{
    const char *q = s.ptr;
    if (q == NULL) {
        CHECK(s.len == 0);
        return;
    }
    if (s.len == 5 && memcmp(q, "INBOX", 5) == 0)
        return; /* may be the lexer's static "INBOX" */
    if (q >= c->p && q <= c->p + c->n) {
        CHECK(s.len <= (size_t)(c->p + c->n - q));
        return;
    }
    CHECK(c->a != NULL);
    CHECK((const unsigned char *)q >= c->a &&
          (const unsigned char *)q <= c->a + c->acap);
    CHECK(s.len <= (size_t)(c->a + c->acap - (const unsigned char *)q));
}

static void mbox_ok(const ctx *c, const mw_imap_mailbox *m)
{
    span_ok(c, m->name);
    CHECK(m->name.ptr != NULL);
    CHECK((m->flags & ~0x0Fu) == 0);
    if (m->flags & MW_IMAP_MBOX_MUTF7)
        CHECK(!(m->flags & MW_IMAP_MBOX_UTF8));
}

static void in_arena(const ctx *c, const void *p, size_t size)
{
    CHECK(c->a != NULL);
    CHECK((const unsigned char *)p >= c->a &&
          (const unsigned char *)p + size <= c->a + c->acap);
}

static void set_ok(const ctx *c, const mw_imap_seqset *s)
{
    if (s->dollar)
        return;
    span_ok(c, s->text);
    CHECK(s->text.len > 0);
    CHECK(s->ranges >= 1);
}

/* Walk the search tree without recursion (parent links). */
static void tree_ok(const ctx *c, const mw_imap_search_args *s,
                    unsigned max_depth)
{
    const mw_imap_search_key *k = s->root;
    uint32_t seen = 0;
    CHECK(k != NULL);
    CHECK(k->kind == MW_IMAP_SK_AND && k->depth == 0 && k->parent == NULL);
    for (;;) {
        const mw_imap_search_key *ch;
        uint32_t n = 0;
        in_arena(c, k, sizeof *k);
        span_ok(c, k->str);
        span_ok(c, k->field);
        CHECK(k->kind >= 1 && k->kind <= 46);
        for (ch = k->first; ch != NULL; ch = ch->next) {
            CHECK(ch->parent == k);
            CHECK(ch->depth == k->depth + 1);
            n++;
        }
        CHECK(n == k->nchildren);
        if (k->kind == MW_IMAP_SK_OR)
            CHECK(n == 2);
        else if (k->kind == MW_IMAP_SK_NOT)
            CHECK(n == 1);
        else if (k->kind == MW_IMAP_SK_AND)
            CHECK(n >= 1);
        else
            CHECK(n == 0);
        if (n > 0 && k != s->root)
            CHECK(k->depth <= max_depth);
        if (k->kind == MW_IMAP_SK_UID || k->kind == MW_IMAP_SK_SEQSET)
            set_ok(c, &k->set);
        /* next node in pre-order */
        if (k->first != NULL) {
            k = k->first;
            seen++;
            continue;
        }
        while (k != NULL && k->next == NULL)
            k = k->parent;
        if (k == NULL)
            break;
        k = k->next;
        seen++;
    }
    CHECK(seen == s->nkeys);
}

static void cmd_ok(const ctx *c, const mw_imap_cmd *m, unsigned max_depth)
{
    uint32_t i;
    span_ok(c, m->tag);
    span_ok(c, m->name);
    CHECK(m->tag.len >= 1 && m->tag.len <= MW_IMAP_TAG_MAX);
    switch (m->id) {
    case MW_IMAP_CMD_LOGIN:
        span_ok(c, m->u.login.user);
        span_ok(c, m->u.login.password);
        break;
    case MW_IMAP_CMD_AUTHENTICATE:
        span_ok(c, m->u.authenticate.mechanism);
        span_ok(c, m->u.authenticate.initial);
        CHECK(m->u.authenticate.has_initial ==
              (m->u.authenticate.initial.ptr != NULL));
        break;
    case MW_IMAP_CMD_ENABLE:
        CHECK(m->u.enable.count >= 1);
        in_arena(c, m->u.enable.caps, m->u.enable.count * sizeof(mw_span));
        for (i = 0; i < m->u.enable.count; i++)
            span_ok(c, m->u.enable.caps[i]);
        break;
    case MW_IMAP_CMD_SELECT: case MW_IMAP_CMD_EXAMINE:
        mbox_ok(c, &m->u.select.mailbox);
        if (m->u.select.qresync) {
            CHECK(m->u.select.uidvalidity != 0 && m->u.select.modseq != 0);
            if (m->u.select.has_known_uids)
                set_ok(c, &m->u.select.known_uids);
            if (m->u.select.has_seq_match) {
                set_ok(c, &m->u.select.known_seqs);
                set_ok(c, &m->u.select.known_seq_uids);
            }
        }
        break;
    case MW_IMAP_CMD_CREATE: case MW_IMAP_CMD_DELETE:
    case MW_IMAP_CMD_SUBSCRIBE: case MW_IMAP_CMD_UNSUBSCRIBE:
    case MW_IMAP_CMD_GETQUOTAROOT:
        mbox_ok(c, &m->u.mailbox.mailbox);
        span_ok(c, m->u.mailbox.use);
        break;
    case MW_IMAP_CMD_RENAME:
        mbox_ok(c, &m->u.rename.from);
        mbox_ok(c, &m->u.rename.to);
        break;
    case MW_IMAP_CMD_LIST: case MW_IMAP_CMD_LSUB:
        mbox_ok(c, &m->u.list.reference);
        CHECK(m->u.list.npatterns >= 1);
        in_arena(c, m->u.list.patterns,
                 m->u.list.npatterns * sizeof(mw_imap_mailbox));
        for (i = 0; i < m->u.list.npatterns; i++)
            mbox_ok(c, &m->u.list.patterns[i]);
        break;
    case MW_IMAP_CMD_STATUS:
        mbox_ok(c, &m->u.status.mailbox);
        CHECK(m->u.status.count >= 1 && m->u.status.items != 0);
        break;
    case MW_IMAP_CMD_APPEND:
        mbox_ok(c, &m->u.append.mailbox);
        CHECK(m->u.append.nmessages >= 1);
        span_ok(c, m->u.append.data);
        if (m->u.append.catenate) {
            /* RFC 4469 §5: parts, no bytes of its own; size = TEXT total */
            CHECK(m->u.append.data.ptr == NULL);
            CHECK(m->u.append.nparts >= 1 &&
                  m->u.append.nparts <= MW_IMAP_SERVER_CATENATE_PARTS_MAX);
            CHECK(m->u.append.part_kind == MW_IMAP_CATPART_NONE &&
                  m->u.append.url.ptr == NULL);
        } else {
            CHECK(m->u.append.data.len == m->u.append.size);
        }
        break;
    case MW_IMAP_CMD_EXPUNGE:
        if (m->u.expunge.has_set)
            set_ok(c, &m->u.expunge.set);
        break;
    case MW_IMAP_CMD_SEARCH: case MW_IMAP_CMD_SORT: case MW_IMAP_CMD_THREAD:
        span_ok(c, m->u.search.charset);
        span_ok(c, m->u.search.algorithm);
        if (m->id == MW_IMAP_CMD_SORT) {
            CHECK(m->u.search.nsort >= 1);
            in_arena(c, m->u.search.sort,
                     m->u.search.nsort * sizeof(mw_imap_sort_criterion));
            for (i = 0; i < m->u.search.nsort; i++)
                CHECK(m->u.search.sort[i].key >= 1 &&
                      m->u.search.sort[i].key <= 9);
        }
        tree_ok(c, &m->u.search, max_depth);
        break;
    case MW_IMAP_CMD_FETCH:
        set_ok(c, &m->u.fetch.set);
        CHECK(m->u.fetch.nitems >= 1);
        in_arena(c, m->u.fetch.items,
                 m->u.fetch.nitems * sizeof(mw_imap_fetch_req));
        for (i = 0; i < m->u.fetch.nitems; i++) {
            const mw_imap_fetch_req *it = &m->u.fetch.items[i];
            uint32_t k;
            CHECK(it->att >= 1 && it->att <= 21);
            CHECK(it->nparts <= MW_IMAP_SECTION_PARTS_MAX);
            CHECK(it->section <= MW_IMAP_SECTION_MIME);
            span_ok(c, it->section_text);
            for (k = 0; k < it->nparts; k++)
                CHECK(it->parts[k] != 0);
            if (it->nfields > 0) {
                in_arena(c, it->fields, it->nfields * sizeof(mw_span));
                for (k = 0; k < it->nfields; k++)
                    span_ok(c, it->fields[k]);
            }
            if (it->has_partial)
                CHECK(it->length != 0);
        }
        if (m->u.fetch.vanished)
            CHECK(m->u.fetch.has_changedsince &&
                  (m->flags & MW_IMAP_CMDF_UID));
        break;
    case MW_IMAP_CMD_STORE:
        set_ok(c, &m->u.store.set);
        span_ok(c, m->u.store.flags.text);
        CHECK(m->u.store.mode <= MW_IMAP_STORE_REMOVE);
        break;
    case MW_IMAP_CMD_COPY: case MW_IMAP_CMD_MOVE:
        set_ok(c, &m->u.copy.set);
        mbox_ok(c, &m->u.copy.mailbox);
        break;
    case MW_IMAP_CMD_ID:
        CHECK(m->u.id.count <= 30);
        if (m->u.id.count > 0)
            in_arena(c, m->u.id.params,
                     m->u.id.count * sizeof(mw_imap_id_param));
        for (i = 0; i < m->u.id.count; i++) {
            span_ok(c, m->u.id.params[i].field);
            span_ok(c, m->u.id.params[i].value);
            CHECK(m->u.id.params[i].field.ptr != NULL);
        }
        break;
    case MW_IMAP_CMD_COMPRESS:
        span_ok(c, m->u.compress.mechanism);
        break;
    case MW_IMAP_CMD_GETQUOTA: case MW_IMAP_CMD_SETQUOTA:
        span_ok(c, m->u.quota.root);
        if (m->u.quota.nlimits > 0)
            in_arena(c, m->u.quota.limits,
                     m->u.quota.nlimits * sizeof(mw_imap_quota_limit));
        for (i = 0; i < m->u.quota.nlimits; i++)
            span_ok(c, m->u.quota.limits[i].resource);
        break;
    case MW_IMAP_CMD_GETMETADATA: case MW_IMAP_CMD_SETMETADATA:
        mbox_ok(c, &m->u.metadata.mailbox);
        CHECK(m->u.metadata.count >= 1);
        in_arena(c, m->u.metadata.entries,
                 m->u.metadata.count * sizeof(mw_imap_metadata_item));
        for (i = 0; i < m->u.metadata.count; i++) {
            span_ok(c, m->u.metadata.entries[i].entry);
            span_ok(c, m->u.metadata.entries[i].value);
        }
        break;
    case MW_IMAP_CMD_OTHER:
        span_ok(c, m->u.other.name);
        span_ok(c, m->u.other.args);
        break;
    default:
        CHECK(m->id >= MW_IMAP_CMD_CAPABILITY && m->id <= MW_IMAP_CMD_MOVE);
        break;
    }
}

static void err_ok(int r, const mw_error *e, const mw_imap_cmd *m,
                   const char *p, size_t n)
{
    CHECK(r < 0);
    CHECK(e->code == r);
    CHECK(e->reason != NULL);
    CHECK(e->offset >= BASE && e->offset <= BASE + n);
    if (m->tag.ptr != NULL) {
        CHECK(m->tag.ptr >= p && m->tag.ptr + m->tag.len <= p + n);
    }
}

/* Walk one segment with the step parser as the machine does (server.c
 * append_items()). Returns the last item (LITERAL or DONE) or the error;
 * *first_end: set at the first message's literal or CATENATE ")", with a
 * copy of its arguments in *first; *text: the sizes of its TEXT parts. */
static int walk_segment(const char *p, size_t n, size_t off, mw__imap_arena *a,
                        unsigned lexflags, mw_imap_cmd *cmd, int head,
                        int *first_end, mw_imap_append_args *first,
                        uint64_t *text)
{
    mw__imap_apstep st;
    mw_error e;
    const mw_imap_append_args *ap = &cmd->u.append;
    size_t guard = 0;
    int r;
    memset(&e, 0, sizeof e);
    r = mw__imap_append_start(&st, p, n, off, a, lexflags, cmd, head, &e);
    while (r == MW_OK) {
        CHECK(++guard <= n + 8); /* each item takes text */
        r = mw__imap_append_step(&st, &e);
        if (r < 0)
            break;
        CHECK(r >= MW__IMAP_AP_LITERAL && r <= MW__IMAP_AP_DONE);
        if (r == MW__IMAP_AP_DONE)
            return r;
        CHECK(ap->nmessages == ap->index + 1u);
        if (r == MW__IMAP_AP_PART || (r == MW__IMAP_AP_LITERAL && ap->catenate)) {
            CHECK(ap->catenate);
            CHECK(ap->part + 1u == ap->nparts);
            CHECK(ap->nparts <= MW_IMAP_SERVER_CATENATE_PARTS_MAX);
            CHECK(ap->part_kind == MW_IMAP_CATPART_URL ||
                  ap->part_kind == MW_IMAP_CATPART_TEXT);
            if (ap->part_kind == MW_IMAP_CATPART_TEXT && ap->index == 0 &&
                !*first_end)
                *text += ap->size;
            if (r == MW__IMAP_AP_PART) {
                r = MW_OK;
                continue;
            }
            return r;
        }
        if (r == MW__IMAP_AP_END)
            CHECK(ap->catenate && ap->part_kind == MW_IMAP_CATPART_NONE);
        else
            CHECK(!ap->catenate && ap->part_kind == MW_IMAP_CATPART_NONE);
        if (ap->index == 0 && !*first_end) {
            *first_end = 1;
            *first = *ap;
        }
        if (r == MW__IMAP_AP_LITERAL)
            return r;
        r = MW_OK;
    }
    CHECK(r < 0 && e.code == r && e.reason != NULL);
    CHECK(e.offset >= off && e.offset <= off + n);
    return r;
}

/* The end of a literal announcement "{digits[+]}" that ends p[0..e) (just
 * before a CRLF), with its size; 0 when the line does not end so. */
static int announcement(const char *p, size_t e, uint64_t *size)
{
    size_t i = e, d;
    uint64_t v = 0;
    if (i < 2 || p[i - 1] != '}')
        return 0;
    i--;
    if (p[i - 1] == '+')
        i--;
    d = i;
    while (i > 0 && p[i - 1] >= '0' && p[i - 1] <= '9')
        i--;
    if (i == d || i == 0 || p[i - 1] != '{' || d - i > 19)
        return 0;
    for (; i < d; i++)
        v = v * 10u + (uint64_t)(p[i] - '0');
    *size = v;
    return 1;
}

/* The frame cut as the machine cuts it, each segment walked by the step
 * parser; the result compared with the whole-command parse (r, *whole). */
static void stream_agrees(const char *p, size_t n, unsigned lexflags,
                          unsigned char *mem, size_t cap, int r,
                          const mw_imap_cmd *whole)
{
    mw__imap_arena a;
    mw_imap_cmd cmd;
    mw_imap_append_args first;
    size_t seg = 0, pos = 0;
    int head = 1, first_end = 0, item = MW_OK;
    uint64_t text = 0;
    mw__imap_arena_init(&a, mem, cap);
    memset(&cmd, 0, sizeof cmd);
    memset(&first, 0, sizeof first);
    for (;;) {
        const char *crlf = NULL;
        size_t k;
        uint64_t size;
        for (k = pos; k + 1 < n; k++)
            if (p[k] == '\r' && p[k + 1] == '\n') {
                crlf = p + k;
                break;
            }
        if (crlf == NULL) {
            /* the frame's last segment: the command must end here */
            item = walk_segment(p + seg, n - seg, BASE + seg, &a, lexflags,
                                &cmd, head, &first_end, &first, &text);
            break;
        }
        if (!announcement(p + seg, k - seg, &size) ||
            size > (uint64_t)(n - (k + 2))) {
            item = MW_E_SYNTAX; /* a CRLF outside a literal, or cut */
            break;
        }
        if (mw__imap_cmd_literal_role(p + seg, k - seg) ==
            MW__IMAP_TAKE_STREAM) {
            item = walk_segment(p + seg, k - seg, BASE + seg, &a, lexflags,
                                &cmd, head, &first_end, &first, &text);
            if (item != MW__IMAP_AP_LITERAL)
                break;
            CHECK(cmd.u.append.size == size);
            head = 0;
            seg = pos = k + 2 + (size_t)size;
        } else {
            pos = k + 2 + (size_t)size; /* the literal joins the text */
        }
    }
    if (item == MW__IMAP_AP_DONE) {
        /* every segment took: the whole frame parses as APPEND */
        CHECK(r == MW_OK && whole->id == MW_IMAP_CMD_APPEND);
    } else {
        /* and a frame the machine refuses is no APPEND for the whole
         * parse either */
        CHECK(!(r == MW_OK && whole->id == MW_IMAP_CMD_APPEND));
        return;
    }
    CHECK(first_end);
    CHECK(cmd.u.append.nmessages == whole->u.append.nmessages);
    CHECK(cmd.flags == whole->flags);
    CHECK(cmd.tag.len == whole->tag.len &&
          memcmp(cmd.tag.ptr, whole->tag.ptr, cmd.tag.len) == 0);
    CHECK(cmd.u.append.mailbox.flags == whole->u.append.mailbox.flags);
    CHECK(cmd.u.append.mailbox.name.len == whole->u.append.mailbox.name.len &&
          memcmp(cmd.u.append.mailbox.name.ptr,
                 whole->u.append.mailbox.name.ptr,
                 cmd.u.append.mailbox.name.len) == 0);
    {
        const mw_imap_append_args *w = &whole->u.append;
        CHECK(first.index == 0);
        CHECK(first.has_flags == w->has_flags && first.has_date == w->has_date);
        CHECK(first.flags.count == w->flags.count &&
              first.flags.system == w->flags.system &&
              first.flags.text.len == w->flags.text.len &&
              (first.flags.text.len == 0 ||
               memcmp(first.flags.text.ptr, w->flags.text.ptr,
                      first.flags.text.len) == 0));
        CHECK(memcmp(&first.date, &w->date, sizeof first.date) == 0);
        CHECK(first.utf8 == w->utf8 && first.catenate == w->catenate);
        if (first.catenate) {
            CHECK(first.nparts == w->nparts);
            CHECK(text == w->size);
        } else {
            CHECK(first.size == w->size && first.binary == w->binary &&
                  first.nonsync == w->nonsync);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned depths[4] = {0, 1, 4, 16};
    static const size_t arenas[4] = {65536, 256, 2048, 0};
    unsigned opt, lexflags, max_depth;
    size_t acap, n;
    char *p;
    unsigned char *mem = NULL, *big;
    mw__imap_arena a;
    mw_imap_cmd cmd, cmd2;
    mw_error err, err2;
    int r, r2, role;
    ctx c;

    if (size < 1)
        return 0;
    opt = data[0];
    lexflags = opt & 3u;
    if (opt & 0x80u)
        lexflags |= MW__IMAP_AP_CATENATE;
    max_depth = depths[(opt >> 2) & 3u];
    acap = arenas[(opt >> 4) & 3u];
    n = size - 1;
    p = (char *)malloc(n == 0 ? 1 : n);
    CHECK(p != NULL);
    memcpy(p, data + 1, n);
    if (acap != 0) {
        mem = (unsigned char *)malloc(acap);
        CHECK(mem != NULL);
    }

    memset(&err, 0, sizeof err);
    mw__imap_arena_init(&a, mem, acap);
    r = mw__imap_cmd_parse(p, n, BASE, &a, lexflags, max_depth, &cmd, &err);
    c.p = p;
    c.n = n;
    c.a = a.base;
    c.acap = a.cap;
    if (r == MW_OK) {
        CHECK(cmd.offset == BASE);
        cmd_ok(&c, &cmd,
               max_depth != 0 ? max_depth : MW_IMAP_DEPTH_DEFAULT);
    } else {
        err_ok(r, &err, &cmd, p, n);
    }

    /* deterministic */
    memset(&err2, 0, sizeof err2);
    mw__imap_arena_init(&a, mem, acap);
    r2 = mw__imap_cmd_parse(p, n, BASE, &a, lexflags, max_depth, &cmd2,
                            &err2);
    CHECK(r2 == r);
    CHECK(cmd2.id == cmd.id);
    if (r != MW_OK)
        CHECK(err2.offset == err.offset && err2.reason == err.reason);

    /* a large arena never turns success into another failure */
    big = (unsigned char *)malloc(1u << 20);
    CHECK(big != NULL);
    mw__imap_arena_init(&a, big, 1u << 20);
    r2 = mw__imap_cmd_parse(p, n, BASE, &a, lexflags, max_depth, &cmd2,
                            &err2);
    if (r2 == MW_OK)
        CHECK(r == MW_OK || r == MW_E_NOSPACE);
    if (r == MW_OK)
        CHECK(r2 == MW_OK);

    role = mw__imap_cmd_literal_role(p, n);
    CHECK(role == MW__IMAP_TAKE_INLINE || role == MW__IMAP_TAKE_STREAM);

    if (opt & 0x40u) {
        int fe = 0;
        uint64_t tx = 0;
        mw_imap_append_args first;
        /* the frame as a head segment, then as a later one */
        mw__imap_arena_init(&a, big, 1u << 20);
        memset(&cmd2, 0, sizeof cmd2);
        r2 = walk_segment(p, n, BASE, &a, lexflags, &cmd2, 1, &fe, &first,
                          &tx);
        if (r2 < 0) {
            if (cmd2.tag.ptr != NULL)
                CHECK(cmd2.tag.len <= n);
        } else {
            c.a = a.base;
            c.acap = a.cap;
            CHECK(cmd2.id == MW_IMAP_CMD_APPEND);
            mbox_ok(&c, &cmd2.u.append.mailbox);
            if (r2 == MW__IMAP_AP_LITERAL) {
                /* the same text as a continuation segment */
                uint32_t before = cmd2.u.append.index;
                int cat = cmd2.u.append.catenate;
                r2 = walk_segment(p, n, BASE, &a, lexflags, &cmd2, 0, &fe,
                                  &first, &tx);
                if (r2 == MW__IMAP_AP_LITERAL && !cat &&
                    !cmd2.u.append.catenate)
                    CHECK(cmd2.u.append.index == before + 1u);
            }
        }
        memset(&cmd2, 0, sizeof cmd2);
        r2 = walk_segment(p, n, BASE, &a, lexflags, &cmd2, 0, &fe, &first,
                          &tx);
        if (n == 0)
            CHECK(r2 == MW__IMAP_AP_DONE);
        /* the streaming parse agrees with the whole one (both with
         * room enough in their arenas) */
        {
            unsigned char *big2 = (unsigned char *)malloc(1u << 20);
            CHECK(big2 != NULL);
            mw__imap_arena_init(&a, big, 1u << 20);
            r2 = mw__imap_cmd_parse(p, n, BASE, &a, lexflags, max_depth,
                                    &cmd2, &err2);
            stream_agrees(p, n, lexflags, big2, 1u << 20, r2, &cmd2);
            free(big2);
        }
    }
    free(big);
    free(mem);
    free(p);
    return 0;
}
