/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the IMAP client's response parser
 * (lib/imap/client_resp*.c) behind the client machine: the server's
 * response stream.
 *
 * Input: byte 0 picks options:
 *   bits 0-1 frame buffer: 64 KiB, 4 KiB, 256 bytes, 64 bytes (64 makes
 *            FULL/release and SKIPPED happen all the time)
 *   bits 2-3 arena: 64 KiB, 2 KiB, 256 bytes, none
 *   bit 4    depth limit 3 instead of 64
 *   bit 5    lexer UTF-8 on (as after ENABLE UTF8=ACCEPT)
 *   bit 6    bare LF accepted as a line end
 *   bit 7    commands A1..A4 pending (so tagged completions match)
 * byte 1 is the quirk switches (MW_IMAP_QUIRK_*, bits 0-7), byte 2 bit 0-2
 * the three remaining ones, byte 3 seeds the chunking; the rest is what
 * the server sends (a PREAUTH greeting is fed first).
 *
 * The stream is fed whole, in pseudo-random chunks (each an exact-size
 * heap copy freed after its feed, so a span kept into an old chunk is
 * caught by ASan) and byte by byte; the event logs (every field of every
 * event, body bytes joined, errors with offsets, the final status) must be
 * identical. Also checked: body_data is never empty and a body section's
 * bytes add up to its announced size (or the frame ended in an error);
 * every span handed over lies in the current chunk, the frame buffer or
 * the arena; nested structures respect the depth limit; SEARCH numbers
 * are never 0.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/mailwire.h"
#include "mailwire/imap.h"

#include "fuzz_util.h"

static void log_u64(blog *b, uint64_t v)
{
    log_num(b, v);
}

static void log_tag(blog *b, char t)
{
    log_put(b, &t, 1);
}

typedef struct run {
    mw_imap_client c;
    char *buf;
    size_t buflen;
    unsigned char *arena;
    size_t arenalen;
    unsigned max_depth;
    const char *chunk;
    size_t chunk_len;
    blog log;
    int in_body;
    uint64_t body_left;
} run;

/* A span must lie in the chunk fed, the frame buffer, the arena, or be a
 * static string of the library ("INBOX"). */
static void span_ok(const run *r, mw_span s)
{
    const char *p = s.ptr;
    if (p == NULL) {
        CHECK(s.len == 0);
        return;
    }
    if (p >= r->chunk && p + s.len <= r->chunk + r->chunk_len)
        return;
    if (p >= r->buf && p + s.len <= r->buf + r->buflen)
        return;
    if (r->arena != NULL && (const unsigned char *)p >= r->arena &&
        (const unsigned char *)p + s.len <= r->arena + r->arenalen)
        return;
    CHECK((s.len == 5 && memcmp(p, "INBOX", 5) == 0) ||
          (s.len == 9 && memcmp(p, "MULTIPART", 9) == 0));
}

static void log_span(run *r, mw_span s)
{
    span_ok(r, s);
    log_u64(&r->log, s.ptr == NULL ? UINT64_MAX : (uint64_t)s.len);
    if (s.ptr != NULL)
        log_put(&r->log, s.ptr, s.len);
}

static int c_send(mw_imap_client *c, void *u, const char *p, size_t n)
{
    (void)c;
    (void)u;
    CHECK(n >= 2 && p[n - 2] == '\r' && p[n - 1] == '\n');
    return 0;
}

static void log_code(run *r, const mw_imap_code *k)
{
    log_u64(&r->log, (uint64_t)k->id);
    if (k->id == MW_IMAP_CODE_NONE)
        return;
    log_span(r, k->name);
    log_span(r, k->arg);
    log_u64(&r->log, k->num);
    log_u64(&r->log, k->modseq);
    log_span(r, k->set.text);
    log_span(r, k->set2.text);
    log_span(r, k->flags.text);
    log_u64(&r->log, k->flags.system);
}

static int c_status(mw_imap_client *c, void *u, const mw_imap_status *st)
{
    run *r = u;
    (void)c;
    log_tag(&r->log, 'S');
    log_u64(&r->log, (uint64_t)st->result);
    log_span(r, st->tag);
    log_u64(&r->log, st->handle);
    log_u64(&r->log, st->offset);
    log_code(r, &st->code);
    log_span(r, st->text);
    return 0;
}

static int c_cont(mw_imap_client *c, void *u, mw_span text)
{
    run *r = u;
    (void)c;
    log_tag(&r->log, '+');
    log_span(r, text);
    return 0;
}

static void log_addrs(run *r, const mw_imap_address_list *l)
{
    uint32_t i;
    log_u64(&r->log, l->count);
    CHECK((l->items == NULL) == (l->count == 0));
    for (i = 0; i < l->count; i++) {
        log_span(r, l->items[i].name);
        log_span(r, l->items[i].adl);
        log_span(r, l->items[i].mailbox);
        log_span(r, l->items[i].host);
    }
}

static void log_env(run *r, const mw_imap_envelope *e)
{
    CHECK(e != NULL);
    log_span(r, e->date);
    log_span(r, e->subject);
    log_addrs(r, &e->from);
    log_addrs(r, &e->sender);
    log_addrs(r, &e->reply_to);
    log_addrs(r, &e->to);
    log_addrs(r, &e->cc);
    log_addrs(r, &e->bcc);
    log_span(r, e->in_reply_to);
    log_span(r, e->message_id);
}

static void log_params(run *r, const mw_imap_param *p, uint32_t n)
{
    uint32_t i;
    log_u64(&r->log, n);
    for (i = 0; i < n; i++) {
        log_span(r, p[i].name);
        log_span(r, p[i].value);
    }
}

/* Depth-first walk with an explicit stack (the tree's depth is bounded by
 * the configured limit, checked here). */
static void log_body(run *r, const mw_imap_body *root)
{
    const mw_imap_body *stack[80];
    size_t sp = 0;
    CHECK(root != NULL);
    stack[sp++] = root;
    while (sp > 0) {
        const mw_imap_body *b = stack[--sp], *p;
        uint32_t i, k = 0;
        CHECK(b->depth < r->max_depth);
        log_u64(&r->log, b->kind);
        log_u64(&r->log, b->has);
        log_u64(&r->log, b->depth);
        log_span(r, b->type);
        log_span(r, b->subtype);
        log_params(r, b->params, b->nparams);
        log_span(r, b->id);
        log_span(r, b->description);
        log_span(r, b->encoding);
        log_u64(&r->log, b->size);
        log_u64(&r->log, (uint64_t)b->lines);
        log_span(r, b->md5);
        log_span(r, b->disposition);
        log_params(r, b->disp_params, b->ndisp_params);
        log_u64(&r->log, b->nlanguages);
        for (i = 0; i < b->nlanguages; i++)
            log_span(r, b->languages[i]);
        log_span(r, b->location);
        log_span(r, b->extension);
        if (b->kind == MW_IMAP_BODY_MESSAGE) {
            log_env(r, b->envelope);
            CHECK(b->body != NULL && b->body->depth == b->depth + 1);
            CHECK(sp < 80);
            stack[sp++] = b->body;
        }
        if (b->kind == MW_IMAP_BODY_MULTIPART) {
            /* push the parts in reverse so they come out in order */
            const mw_imap_body *parts[80];
            for (p = b->first; p != NULL; p = p->next) {
                CHECK(p->depth == b->depth + 1);
                CHECK(k < 80);
                parts[k++] = p;
            }
            CHECK(k == b->nparts && k > 0);
            while (k > 0) {
                CHECK(sp < 80);
                stack[sp++] = parts[--k];
            }
        }
    }
}

static int c_data(mw_imap_client *c, void *u, const mw_imap_data *d)
{
    run *r = u;
    uint32_t i;
    (void)c;
    log_tag(&r->log, 'D');
    log_u64(&r->log, (uint64_t)d->kind);
    log_u64(&r->log, d->offset);
    log_span(r, d->name);
    log_span(r, d->raw);
    switch (d->kind) {
    case MW_IMAP_DATA_LIST:
    case MW_IMAP_DATA_LSUB:
        log_u64(&r->log, d->u.list.attrs);
        log_span(r, d->u.list.mailbox);
        log_span(r, d->u.list.delimiter);
        CHECK(d->u.list.delimiter.ptr == NULL || d->u.list.delimiter.len == 1);
        log_span(r, d->u.list.childinfo);
        log_span(r, d->u.list.oldname);
        log_span(r, d->u.list.extended);
        break;
    case MW_IMAP_DATA_STATUS:
        log_span(r, d->u.status.mailbox);
        log_u64(&r->log, d->u.status.has);
        log_u64(&r->log, d->u.status.messages);
        log_u64(&r->log, d->u.status.size);
        log_u64(&r->log, d->u.status.highestmodseq);
        break;
    case MW_IMAP_DATA_ESEARCH:
        log_span(r, d->u.esearch.tag);
        log_u64(&r->log, d->u.esearch.has);
        log_u64(&r->log, d->u.esearch.min);
        log_span(r, d->u.esearch.all.text);
        break;
    case MW_IMAP_DATA_FLAGS:
        log_span(r, d->u.flags.text);
        log_u64(&r->log, d->u.flags.system);
        break;
    case MW_IMAP_DATA_NAMESPACE: {
        const mw_imap_namespace_list *ls[3] = {&d->u.ns.personal,
                                               &d->u.ns.other,
                                               &d->u.ns.shared};
        int k;
        for (k = 0; k < 3; k++) {
            log_u64(&r->log, ls[k]->count);
            for (i = 0; i < ls[k]->count; i++) {
                log_span(r, ls[k]->items[i].prefix);
                log_span(r, ls[k]->items[i].delimiter);
                log_span(r, ls[k]->items[i].extension);
            }
        }
        break;
    }
    case MW_IMAP_DATA_ID:
        log_params(r, d->u.id.params, d->u.id.count);
        break;
    case MW_IMAP_DATA_QUOTA:
        log_span(r, d->u.quota.root);
        for (i = 0; i < d->u.quota.count; i++) {
            log_span(r, d->u.quota.resources[i].name);
            log_u64(&r->log, d->u.quota.resources[i].limit);
        }
        break;
    case MW_IMAP_DATA_QUOTAROOT:
        for (i = 0; i < d->u.quotaroot.count; i++)
            log_span(r, d->u.quotaroot.roots[i]);
        break;
    case MW_IMAP_DATA_METADATA:
        for (i = 0; i < d->u.metadata.count; i++) {
            log_span(r, d->u.metadata.entries[i].name);
            log_span(r, d->u.metadata.entries[i].value);
        }
        break;
    case MW_IMAP_DATA_THREAD:
        for (i = 0; i < d->u.thread.count; i++) {
            const mw_imap_thread_node *t = &d->u.thread.nodes[i];
            CHECK(t->parent <= i && t->num != 0);
            CHECK(t->depth >= 1 && t->depth <= r->max_depth);
            log_u64(&r->log, t->num);
            log_u64(&r->log, t->parent);
        }
        break;
    default:
        log_u64(&r->log, d->u.num);
        break;
    }
    return 0;
}

static int c_search(mw_imap_client *c, void *u, const mw_imap_search_ev *e)
{
    run *r = u;
    (void)c;
    if (e->ev == MW_IMAP_SEARCH_NUM)
        CHECK(e->lo != 0 && e->lo <= UINT32_MAX);
    log_tag(&r->log, 's');
    log_u64(&r->log, (uint64_t)e->ev);
    log_u64(&r->log, e->lo);
    return 0;
}

static int c_fetch_begin(mw_imap_client *c, void *u, uint32_t msg)
{
    run *r = u;
    (void)c;
    CHECK(msg != 0);
    log_tag(&r->log, 'F');
    log_u64(&r->log, msg);
    return 0;
}

static int c_fetch_item(mw_imap_client *c, void *u, const mw_imap_fetch_item *it)
{
    run *r = u;
    uint32_t i;
    (void)c;
    log_tag(&r->log, 'I');
    log_u64(&r->log, (uint64_t)it->id);
    log_span(r, it->name);
    log_span(r, it->raw);
    log_u64(&r->log, it->num);
    log_u64(&r->log, it->nil);
    switch (it->id) {
    case MW_IMAP_FETCH_FLAGS:
        log_span(r, it->flags.text);
        log_u64(&r->log, it->flags.system);
        break;
    case MW_IMAP_FETCH_INTERNALDATE:
    case MW_IMAP_FETCH_SAVEDATE:
        log_put(&r->log, &it->date, sizeof it->date);
        break;
    case MW_IMAP_FETCH_ENVELOPE:
        log_env(r, it->envelope);
        break;
    case MW_IMAP_FETCH_BODY:
    case MW_IMAP_FETCH_BODYSTRUCTURE:
        log_body(r, it->body);
        break;
    case MW_IMAP_FETCH_X_GM_LABELS:
        for (i = 0; i < it->nlabels; i++)
            log_span(r, it->labels[i]);
        break;
    default:
        log_span(r, it->str);
        log_span(r, it->section);
        break;
    }
    return 0;
}

static int c_body_begin(mw_imap_client *c, void *u, const mw_imap_body_section *s)
{
    run *r = u;
    (void)c;
    CHECK(!r->in_body);
    r->in_body = 1;
    r->body_left = s->size;
    log_tag(&r->log, 'B');
    log_u64(&r->log, (uint64_t)s->item);
    log_u64(&r->log, (uint64_t)s->form);
    log_u64(&r->log, s->size);
    log_u64(&r->log, s->origin);
    log_span(r, s->name);
    log_span(r, s->section);
    return 0;
}

static int c_body_data(mw_imap_client *c, void *u, const char *p, size_t n)
{
    run *r = u;
    (void)c;
    CHECK(r->in_body && n > 0 && n <= r->body_left);
    {
        mw_span sp;
        sp.ptr = p;
        sp.len = n;
        span_ok(r, sp);
    }
    r->body_left -= n;
    /* joined: the chunking must not show */
    log_put(&r->log, p, n);
    return 0;
}

static int c_body_end(mw_imap_client *c, void *u)
{
    run *r = u;
    (void)c;
    CHECK(r->in_body && r->body_left == 0);
    r->in_body = 0;
    log_tag(&r->log, 'b');
    return 0;
}

static int c_fetch_end(mw_imap_client *c, void *u, uint32_t msg)
{
    run *r = u;
    (void)c;
    CHECK(!r->in_body);
    log_tag(&r->log, 'f');
    log_u64(&r->log, msg);
    return 0;
}

static int c_error(mw_imap_client *c, void *u, int status, size_t off,
                   const char *reason)
{
    run *r = u;
    (void)c;
    CHECK(status < 0 && reason != NULL);
    /* a body cut by an error ends without body_end */
    r->in_body = 0;
    log_tag(&r->log, 'E');
    log_u64(&r->log, (uint64_t)(int64_t)status);
    log_u64(&r->log, off);
    log_put(&r->log, reason, strlen(reason));
    return 0;
}

static const mw_imap_client_callbacks cbs = {
    c_send,       c_status,   c_cont,      c_data,
    c_search,     c_fetch_begin, c_fetch_item, c_body_begin,
    c_body_data,  c_body_end, c_fetch_end, NULL,
    c_error};

static const size_t bufsizes[4] = {65536, 4096, 256, 64};
static const size_t arenasizes[4] = {65536, 2048, 256, 0};

/* The input: option bytes, then the stream. */
typedef struct input {
    const uint8_t *opt;
    const uint8_t *in;
    size_t n;
} input;

/* Feed the stream in the given chunking mode (fuzz_util.h; the chunks
 * here are 1 + a number below min(rest, 300), from an LCG). */
static void do_run(void *user, int mode, blog *out)
{
    static const char greeting[] = "* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n";
    const input *inp = user;
    const uint8_t *opt = inp->opt, *in = inp->in;
    size_t n = inp->n;
    run r;
    mw_imap_client_config cfg;
    uint32_t seed = opt[3] * 2654435761u + 1u;
    size_t pos = 0, used = 0;
    int rc = MW_OK, i;

    memset(&r, 0, sizeof r);
    r.buflen = bufsizes[opt[0] & 3];
    r.buf = malloc(r.buflen);
    r.arenalen = arenasizes[(opt[0] >> 2) & 3];
    r.arena = r.arenalen ? malloc(r.arenalen) : NULL;
    r.max_depth = (opt[0] & 0x10) ? 3 : 64;
    CHECK(r.buf != NULL);
    mw_imap_client_config_init(&cfg);
    cfg.max_depth = r.max_depth;
    cfg.arena = r.arena;
    cfg.arena_len = r.arenalen;
    cfg.quirks = (unsigned)opt[1] | ((unsigned)(opt[2] & 7) << 8);
    cfg.newline = (opt[0] & 0x40) ? MW_NEWLINE_ACCEPT : MW_NEWLINE_REJECT;
    CHECK(mw_imap_client_init(&r.c, &cfg, &cbs, &r, r.buf, r.buflen) == MW_OK);
    r.chunk = greeting;
    r.chunk_len = sizeof greeting - 1;
    CHECK(mw_imap_client_feed(&r.c, greeting, sizeof greeting - 1, &used) ==
          MW_OK);
    if (opt[0] & 0x80)
        for (i = 0; i < 4; i++)
            CHECK(mw_imap_client_command(&r.c, "NOOP", 4, MW_IMAP_CMD_NOOP,
                                         NULL) == MW_OK);
    if (opt[0] & 0x20) {
        /* as ENABLE UTF8=ACCEPT would (MW__IMAP_LEX_UTF8) */
        r.c.lexflags |= 0x01u;
    }
    while (pos < n) {
        size_t k = n - pos;
        char *chunk;
        if (mode == FZ_CHUNKS)
            k = 1 + (fz_lcg(&seed) >> 8) % (k < 300 ? k : 300);
        else if (mode == FZ_BYTES)
            k = 1;
        chunk = fz_dup(in + pos, k);
        r.chunk = chunk;
        r.chunk_len = k;
        used = 0;
        rc = mw_imap_client_feed(&r.c, chunk, k, &used);
        r.chunk = NULL;
        r.chunk_len = 0;
        free(chunk);
        CHECK(used <= k);
        pos += used;
        if (rc < 0 || rc == MW_DONE)
            break;
        CHECK(rc == MW_OK && used == k);
    }
    log_tag(&r.log, 'Z');
    log_u64(&r.log, (uint64_t)(int64_t)rc);
    log_u64(&r.log, pos);
    *out = r.log;
    free(r.buf);
    free(r.arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input inp;
    blog whole;
    if (size < 4)
        return 0;
    inp.opt = data;
    inp.in = data + 4;
    inp.n = size - 4;
    whole = fz_each_mode(do_run, &inp, size - 4, 4095 - 4);
    log_free(&whole);
    return 0;
}
