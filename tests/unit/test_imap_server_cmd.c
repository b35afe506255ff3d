/* SPDX-License-Identifier: MIT */
/* The IMAP server's command parser (lib/imap/server_cmd*.c): every
 * client command of RFC 3501's and RFC 9051's examples (§6, §7 and the §8
 * sample session, byte for byte; shapes near them that no RFC shows in a
 * table of their own; test_imap_server.c replays the RFC 9051 ones through
 * the machine at every split) and of the extension RFCs the parser
 * implements (the UTF8 APPEND data of RFC 6855 §4 among them), parsed to
 * the expected values; errors checked for status AND byte offset (the frames
 * are parsed at stream offset 1000, so offsets are stream offsets);
 * limits at cap-1 / cap / cap+1; hostile input (10,000 nested search
 * parentheses, NUL in a quoted string, CVE-2019-11500, literal8 where only
 * a literal may go); mailbox-name flags (modified UTF-7, UTF-8); APPEND
 * item by item (the step parser: literal role, head and later segments,
 * MULTIAPPEND, UTF8, CATENATE parts, errors with offsets); the
 * command/state table; every example cut at every byte.
 *
 * Each parsed command is printed in a canonical text form (dump() below,
 * written from imap_command.h, not from the parser) and compared with the
 * expected text, so one line states every value the parser produced. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/frame.h"
#include "imap/grammar.h"
#include "imap/server_cmd.h"
#include "imap/server_cmd_int.h"
#include "reason.h"

#define S_(lit) lit, sizeof(lit) - 1
#define BASE 1000u

static unsigned char arena_mem[1u << 16];
static mw__imap_arena arena;
static mw_imap_cmd cmd;
static mw_error err;

/* ---- canonical dump ----------------------------------------------------- */

typedef struct sb {
    char buf[16384];
    size_t len;
} sb;

static void sb_add(sb *b, const char *fmt, ...)
{
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(b->buf + b->len, sizeof b->buf - b->len, fmt, ap);
    va_end(ap);
    assert_true(k >= 0 && (size_t)k < sizeof b->buf - b->len);
    b->len += (size_t)k;
}

/* A string value: NIL, or quoted with \xHH for anything not printable. */
static void sb_str(sb *b, mw_span s)
{
    size_t i;
    if (s.ptr == NULL) {
        sb_add(b, "NIL");
        return;
    }
    sb_add(b, "\"");
    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c == '"' || c == '\\')
            sb_add(b, "\\%c", c);
        else if (c < 0x20 || c > 0x7e)
            sb_add(b, "\\x%02x", c);
        else
            sb_add(b, "%c", c);
    }
    sb_add(b, "\"");
}

static void sb_raw(sb *b, mw_span s)
{
    sb_add(b, "%.*s", (int)s.len, s.ptr != NULL ? s.ptr : "");
}

static void sb_mbox(sb *b, const mw_imap_mailbox *m)
{
    sb_str(b, m->name);
    sb_add(b, "/%s%s%s%s", (m->flags & MW_IMAP_MBOX_INBOX) ? "I" : "",
           (m->flags & MW_IMAP_MBOX_MUTF7) ? "7" : "",
           (m->flags & MW_IMAP_MBOX_SHIFTED) ? "S" : "",
           (m->flags & MW_IMAP_MBOX_UTF8) ? "8" : "");
}

static void sb_set(sb *b, const mw_imap_seqset *s)
{
    if (s->dollar)
        sb_add(b, "$");
    else
        sb_raw(b, s->text);
}

static void sb_date(sb *b, const mw_imap_datetime *d, int with_time)
{
    sb_add(b, "%04d-%02d-%02d", d->year, d->month, d->day);
    if (with_time) {
        int z = d->zone < 0 ? -d->zone : d->zone;
        sb_add(b, "T%02d:%02d:%02d%c%02d%02d", d->hour, d->minute, d->second,
               d->zone < 0 ? '-' : '+', z / 60, z % 60);
    }
}

static void sb_flags(sb *b, const mw_imap_flags *f)
{
    sb_add(b, "(");
    sb_raw(b, f->text);
    sb_add(b, ")#%u/%02x", (unsigned)f->count, f->system);
}

static const char *const sk_names[] = {
    "?", "AND", "OR", "NOT", "ALL", "ANSWERED", "BCC", "BEFORE", "BODY", "CC",
    "DELETED", "DRAFT", "FLAGGED", "FROM", "HEADER", "KEYWORD", "LARGER",
    "NEW", "OLD", "ON", "RECENT", "SEEN", "SENTBEFORE", "SENTON",
    "SENTSINCE", "SINCE", "SMALLER", "SUBJECT", "TEXT", "TO", "UID",
    "UNANSWERED", "UNDELETED", "UNDRAFT", "UNFLAGGED", "UNKEYWORD", "UNSEEN",
    "SET", "MODSEQ", "OLDER", "YOUNGER", "EMAILID", "THREADID",
    "SAVEDBEFORE", "SAVEDON", "SAVEDSINCE", "SAVEDATESUPPORTED"};

/* The key tree as an S-expression; checks the links on the way (parent,
 * depth, nchildren). Test code: recursion over a tree the test built. */
static void sb_key(sb *b, const mw_imap_search_key *k, unsigned *count)
{
    const mw_imap_search_key *c;
    uint32_t n = 0;
    (*count)++;
    assert_true(k->kind >= 1 && k->kind <= 46);
    switch (k->kind) {
    case MW_IMAP_SK_AND: case MW_IMAP_SK_OR: case MW_IMAP_SK_NOT:
        sb_add(b, "(%s", sk_names[k->kind]);
        for (c = k->first; c != NULL; c = c->next) {
            assert_ptr_equal(c->parent, k);
            assert_int_equal(c->depth, k->depth + 1);
            sb_add(b, " ");
            sb_key(b, c, count);
            n++;
        }
        assert_int_equal(n, k->nchildren);
        if (k->kind == MW_IMAP_SK_OR)
            assert_int_equal(n, 2);
        if (k->kind == MW_IMAP_SK_NOT)
            assert_int_equal(n, 1);
        sb_add(b, ")");
        return;
    case MW_IMAP_SK_BCC: case MW_IMAP_SK_BODY: case MW_IMAP_SK_CC:
    case MW_IMAP_SK_FROM: case MW_IMAP_SK_SUBJECT: case MW_IMAP_SK_TEXT:
    case MW_IMAP_SK_TO: case MW_IMAP_SK_KEYWORD: case MW_IMAP_SK_UNKEYWORD:
    case MW_IMAP_SK_EMAILID: case MW_IMAP_SK_THREADID:
        sb_add(b, "%s:", sk_names[k->kind]);
        sb_str(b, k->str);
        break;
    case MW_IMAP_SK_HEADER:
        sb_add(b, "HEADER:");
        sb_str(b, k->field);
        sb_add(b, "=");
        sb_str(b, k->str);
        break;
    case MW_IMAP_SK_BEFORE: case MW_IMAP_SK_ON: case MW_IMAP_SK_SINCE:
    case MW_IMAP_SK_SENTBEFORE: case MW_IMAP_SK_SENTON:
    case MW_IMAP_SK_SENTSINCE: case MW_IMAP_SK_SAVEDBEFORE:
    case MW_IMAP_SK_SAVEDON: case MW_IMAP_SK_SAVEDSINCE:
        sb_add(b, "%s:", sk_names[k->kind]);
        sb_date(b, &k->date, 0);
        break;
    case MW_IMAP_SK_LARGER: case MW_IMAP_SK_SMALLER:
    case MW_IMAP_SK_OLDER: case MW_IMAP_SK_YOUNGER:
        sb_add(b, "%s:%llu", sk_names[k->kind], (unsigned long long)k->num);
        break;
    case MW_IMAP_SK_UID: case MW_IMAP_SK_SEQSET:
        sb_add(b, "%s:", sk_names[k->kind]);
        sb_set(b, &k->set);
        break;
    case MW_IMAP_SK_MODSEQ:
        sb_add(b, "MODSEQ:");
        if (k->entry_type != MW_IMAP_ENTRY_NONE) {
            sb_str(b, k->field);
            sb_add(b, "/%s/", k->entry_type == MW_IMAP_ENTRY_PRIV ? "priv"
                            : k->entry_type == MW_IMAP_ENTRY_SHARED ? "shared"
                                                                    : "all");
        }
        sb_add(b, "%llu", (unsigned long long)k->num);
        break;
    default:
        sb_add(b, "%s", sk_names[k->kind]);
        break;
    }
    assert_null(k->first);
    assert_int_equal(k->nchildren, 0);
}

static const char *const fa_names[] = {
    "?", "FLAGS", "UID", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY",
    "BODYSTRUCTURE", "MODSEQ", "EMAILID", "THREADID", "PREVIEW", "SAVEDATE",
    "BINARY.SIZE", "X-GM-MSGID", "X-GM-THRID", "X-GM-LABELS", "BINARY",
    "RFC822", "RFC822.HEADER", "RFC822.TEXT", "BODY[]"};
static const char *const sect_names[] = {"", "HEADER", "HEADER.FIELDS",
                                         "HEADER.FIELDS.NOT", "TEXT", "MIME"};

static void sb_item(sb *b, const mw_imap_fetch_req *it)
{
    unsigned i;
    assert_true(it->att >= 1 && it->att <= 21);
    sb_add(b, "%s", fa_names[it->att]);
    if (it->peek)
        sb_add(b, ".PEEK");
    if (it->lazy)
        sb_add(b, "(LAZY)");
    if (it->att == MW_IMAP_FA_BODY_SECTION || it->att == MW_IMAP_FA_BINARY ||
        it->att == MW_IMAP_FA_BINARY_SIZE) {
        sb_add(b, "{");
        for (i = 0; i < it->nparts; i++)
            sb_add(b, "%s%u", i ? "." : "", (unsigned)it->parts[i]);
        if (it->section != 0)
            sb_add(b, "%s%s", it->nparts ? "." : "", sect_names[it->section]);
        if (it->nfields > 0) {
            sb_add(b, " ");
            for (i = 0; i < it->nfields; i++) {
                if (i)
                    sb_add(b, ",");
                sb_str(b, it->fields[i]);
            }
        }
        sb_add(b, "|");
        sb_raw(b, it->section_text);
        sb_add(b, "}");
        if (it->has_partial)
            sb_add(b, "<%llu.%llu>", (unsigned long long)it->origin,
                   (unsigned long long)it->length);
    } else {
        assert_int_equal(it->nparts, 0);
        assert_int_equal(it->nfields, 0);
        assert_int_equal(it->has_partial, 0);
    }
}

static const char *const sort_names[] = {"?", "ARRIVAL", "CC", "DATE",
                                         "FROM", "SIZE", "SUBJECT", "TO",
                                         "DISPLAYFROM", "DISPLAYTO"};

static void dump_search(sb *b, const mw_imap_cmd *c)
{
    const mw_imap_search_args *s = &c->u.search;
    unsigned count = 0;
    uint32_t i;
    if (c->id == MW_IMAP_CMD_THREAD) {
        sb_add(b, " alg=");
        sb_raw(b, s->algorithm);
    }
    if (s->has_return)
        sb_add(b, " ret=%02x", s->return_opts);
    if (c->id == MW_IMAP_CMD_SORT) {
        sb_add(b, " sort=");
        for (i = 0; i < s->nsort; i++)
            sb_add(b, "%s%s%s", i ? "," : "", s->sort[i].reverse ? "-" : "",
                   sort_names[s->sort[i].key]);
    }
    if (s->charset.ptr != NULL) {
        sb_add(b, " charset=");
        sb_str(b, s->charset);
    }
    sb_add(b, " ");
    assert_non_null(s->root);
    assert_null(s->root->parent);
    assert_int_equal(s->root->depth, 0);
    assert_int_equal(s->root->kind, MW_IMAP_SK_AND);
    sb_key(b, s->root, &count);
    assert_int_equal(count, s->nkeys + 1u);
}

static const char *const cmd_names[] = {
    "NONE", "CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "AUTHENTICATE",
    "LOGIN", "ENABLE", "SELECT", "EXAMINE", "CREATE", "DELETE", "RENAME",
    "SUBSCRIBE", "UNSUBSCRIBE", "LIST", "LSUB", "NAMESPACE", "STATUS",
    "APPEND", "IDLE", "CHECK", "CLOSE", "UNSELECT", "EXPUNGE", "SEARCH",
    "FETCH", "STORE", "COPY", "MOVE", "UID", "ID", "COMPRESS", "GETQUOTA",
    "GETQUOTAROOT", "SETQUOTA", "SORT", "THREAD", "GETMETADATA",
    "SETMETADATA", "DONE"};

static const char *dump(const mw_imap_cmd *c)
{
    static sb b;
    uint32_t i;
    b.len = 0;
    b.buf[0] = '\0';
    if (c->id == MW_IMAP_CMD_OTHER)
        sb_add(&b, "OTHER");
    else
        sb_add(&b, "%s", cmd_names[c->id]);
    if (c->flags & MW_IMAP_CMDF_UID)
        sb_add(&b, " UID");
    if (c->flags & (MW_IMAP_CMDF_LITERAL | MW_IMAP_CMDF_NONSYNC |
                    MW_IMAP_CMDF_LITERAL8))
        sb_add(&b, " lit=%s%s%s", (c->flags & MW_IMAP_CMDF_LITERAL) ? "L" : "",
               (c->flags & MW_IMAP_CMDF_NONSYNC) ? "+" : "",
               (c->flags & MW_IMAP_CMDF_LITERAL8) ? "8" : "");
    switch (c->id) {
    case MW_IMAP_CMD_LOGIN:
        sb_add(&b, " ");
        sb_str(&b, c->u.login.user);
        sb_add(&b, " ");
        sb_str(&b, c->u.login.password);
        break;
    case MW_IMAP_CMD_AUTHENTICATE:
        sb_add(&b, " ");
        sb_raw(&b, c->u.authenticate.mechanism);
        if (c->u.authenticate.has_initial) {
            sb_add(&b, " ir=");
            sb_raw(&b, c->u.authenticate.initial);
        } else {
            assert_null(c->u.authenticate.initial.ptr);
        }
        break;
    case MW_IMAP_CMD_ENABLE:
        for (i = 0; i < c->u.enable.count; i++) {
            sb_add(&b, " ");
            sb_raw(&b, c->u.enable.caps[i]);
        }
        sb_add(&b, " known=%02x", c->u.enable.known);
        break;
    case MW_IMAP_CMD_SELECT: case MW_IMAP_CMD_EXAMINE: {
        const mw_imap_select_args *s = &c->u.select;
        sb_add(&b, " ");
        sb_mbox(&b, &s->mailbox);
        if (s->condstore)
            sb_add(&b, " CONDSTORE");
        if (s->qresync) {
            sb_add(&b, " QRESYNC(%u,%llu", (unsigned)s->uidvalidity,
                   (unsigned long long)s->modseq);
            if (s->has_known_uids) {
                sb_add(&b, ",uids=");
                sb_set(&b, &s->known_uids);
            }
            if (s->has_seq_match) {
                sb_add(&b, ",match=");
                sb_set(&b, &s->known_seqs);
                sb_add(&b, "=");
                sb_set(&b, &s->known_seq_uids);
            }
            sb_add(&b, ")");
        }
        break;
    }
    case MW_IMAP_CMD_CREATE: case MW_IMAP_CMD_DELETE:
    case MW_IMAP_CMD_SUBSCRIBE: case MW_IMAP_CMD_UNSUBSCRIBE:
    case MW_IMAP_CMD_GETQUOTAROOT:
        sb_add(&b, " ");
        sb_mbox(&b, &c->u.mailbox.mailbox);
        if (c->u.mailbox.use.ptr != NULL) {
            sb_add(&b, " USE(");
            sb_raw(&b, c->u.mailbox.use);
            sb_add(&b, ")#%u", (unsigned)c->u.mailbox.nuse);
        }
        break;
    case MW_IMAP_CMD_RENAME:
        sb_add(&b, " ");
        sb_mbox(&b, &c->u.rename.from);
        sb_add(&b, " ");
        sb_mbox(&b, &c->u.rename.to);
        break;
    case MW_IMAP_CMD_LIST: case MW_IMAP_CMD_LSUB: {
        const mw_imap_list_args *l = &c->u.list;
        if (l->has_select)
            sb_add(&b, " sel=%02x", l->select_opts);
        sb_add(&b, " ");
        sb_mbox(&b, &l->reference);
        sb_add(&b, " [");
        for (i = 0; i < l->npatterns; i++) {
            if (i)
                sb_add(&b, " ");
            sb_mbox(&b, &l->patterns[i]);
        }
        sb_add(&b, "]");
        if (l->has_return)
            sb_add(&b, " ret=%02x", l->return_opts);
        if (l->status_items)
            sb_add(&b, " status=%03x", l->status_items);
        if (l->extended)
            sb_add(&b, " ext");
        break;
    }
    case MW_IMAP_CMD_STATUS:
        sb_add(&b, " ");
        sb_mbox(&b, &c->u.status.mailbox);
        sb_add(&b, " items=%03x#%u", c->u.status.items,
               (unsigned)c->u.status.count);
        break;
    case MW_IMAP_CMD_APPEND: {
        const mw_imap_append_args *a = &c->u.append;
        sb_add(&b, " ");
        sb_mbox(&b, &a->mailbox);
        sb_add(&b, " #%u/%u", (unsigned)a->index, (unsigned)a->nmessages);
        if (a->has_flags) {
            sb_add(&b, " ");
            sb_flags(&b, &a->flags);
        }
        if (a->has_date) {
            sb_add(&b, " ");
            sb_date(&b, &a->date, 1);
        }
        if (a->catenate) /* RFC 4469 §5; size: its TEXT parts' total */
            sb_add(&b, " CATENATE/%u", (unsigned)a->nparts);
        sb_add(&b, " %s%s%s{%llu}", a->utf8 ? "UTF8 " : "",
               a->binary ? "~" : "", a->nonsync ? "+" : "",
               (unsigned long long)a->size);
        if (a->data.ptr != NULL) {
            assert_int_equal(a->data.len, a->size);
        }
        break;
    }
    case MW_IMAP_CMD_EXPUNGE:
        if (c->u.expunge.has_set) {
            sb_add(&b, " ");
            sb_set(&b, &c->u.expunge.set);
        }
        break;
    case MW_IMAP_CMD_SEARCH: case MW_IMAP_CMD_SORT: case MW_IMAP_CMD_THREAD:
        dump_search(&b, c);
        break;
    case MW_IMAP_CMD_FETCH: {
        const mw_imap_fetch_args *f = &c->u.fetch;
        sb_add(&b, " ");
        sb_set(&b, &f->set);
        if (f->macro)
            sb_add(&b, " macro=%u", (unsigned)f->macro);
        sb_add(&b, " [");
        for (i = 0; i < f->nitems; i++) {
            if (i)
                sb_add(&b, " ");
            sb_item(&b, &f->items[i]);
        }
        sb_add(&b, "]");
        if (f->has_changedsince)
            sb_add(&b, " CHANGEDSINCE=%llu",
                   (unsigned long long)f->changedsince);
        if (f->vanished)
            sb_add(&b, " VANISHED");
        break;
    }
    case MW_IMAP_CMD_STORE: {
        const mw_imap_store_args *s = &c->u.store;
        sb_add(&b, " ");
        sb_set(&b, &s->set);
        if (s->has_unchangedsince)
            sb_add(&b, " UNCHANGEDSINCE=%llu",
                   (unsigned long long)s->unchangedsince);
        sb_add(&b, " %sFLAGS%s%s ",
               s->mode == MW_IMAP_STORE_ADD ? "+"
               : s->mode == MW_IMAP_STORE_REMOVE ? "-" : "",
               s->silent ? ".SILENT" : "", s->parenthesised ? "" : " bare");
        sb_flags(&b, &s->flags);
        break;
    }
    case MW_IMAP_CMD_COPY: case MW_IMAP_CMD_MOVE:
        sb_add(&b, " ");
        sb_set(&b, &c->u.copy.set);
        sb_add(&b, " ");
        sb_mbox(&b, &c->u.copy.mailbox);
        break;
    case MW_IMAP_CMD_ID:
        if (c->u.id.nil) {
            sb_add(&b, " NIL");
            assert_int_equal(c->u.id.count, 0);
        }
        for (i = 0; i < c->u.id.count; i++) {
            sb_add(&b, " ");
            sb_str(&b, c->u.id.params[i].field);
            sb_add(&b, "=");
            sb_str(&b, c->u.id.params[i].value);
        }
        break;
    case MW_IMAP_CMD_COMPRESS:
        sb_add(&b, " ");
        sb_raw(&b, c->u.compress.mechanism);
        sb_add(&b, c->u.compress.deflate ? " deflate" : " other");
        break;
    case MW_IMAP_CMD_GETQUOTA: case MW_IMAP_CMD_SETQUOTA:
        sb_add(&b, " ");
        sb_str(&b, c->u.quota.root);
        if (c->id == MW_IMAP_CMD_SETQUOTA) {
            sb_add(&b, " (");
            for (i = 0; i < c->u.quota.nlimits; i++) {
                sb_add(&b, "%s", i ? " " : "");
                sb_raw(&b, c->u.quota.limits[i].resource);
                sb_add(&b, "=%llu",
                       (unsigned long long)c->u.quota.limits[i].limit);
            }
            sb_add(&b, ")");
        }
        break;
    case MW_IMAP_CMD_GETMETADATA: case MW_IMAP_CMD_SETMETADATA: {
        const mw_imap_metadata_args *m = &c->u.metadata;
        if (m->has_maxsize)
            sb_add(&b, " MAXSIZE=%u", (unsigned)m->maxsize);
        if (m->has_depth)
            sb_add(&b, " DEPTH=%u", (unsigned)m->depth);
        sb_add(&b, " ");
        sb_mbox(&b, &m->mailbox);
        for (i = 0; i < m->count; i++) {
            sb_add(&b, " ");
            sb_str(&b, m->entries[i].entry);
            if (c->id == MW_IMAP_CMD_SETMETADATA) {
                sb_add(&b, "=%s", m->entries[i].binary ? "~" : "");
                sb_str(&b, m->entries[i].value);
            }
        }
        break;
    }
    case MW_IMAP_CMD_OTHER:
        sb_add(&b, " ");
        sb_raw(&b, c->u.other.name);
        sb_add(&b, " args=");
        sb_str(&b, c->u.other.args);
        break;
    default:
        break;
    }
    return b.buf;
}

/* ---- helpers -------------------------------------------------------------- */

static int parse_x(const char *p, size_t n, unsigned lexflags,
                   unsigned depth)
{
    mw__imap_arena_init(&arena, arena_mem, sizeof arena_mem);
    memset(&err, 0, sizeof err);
    return mw__imap_cmd_parse(p, n, BASE, &arena, lexflags, depth, &cmd,
                              &err);
}

/* Parse a frame and compare its dump and tag. */
static void ok_x(const char *p, size_t n, unsigned lexflags,
                 const char *tag, const char *want)
{
    int r = parse_x(p, n, lexflags, 0);
    if (r != MW_OK)
        fail_msg("%.*s: %d %s at %zu", (int)(n > 200 ? 200 : n), p, r,
                 err.reason ? err.reason : "", err.offset);
    assert_int_equal(cmd.offset, BASE);
    assert_int_equal(cmd.tag.len, strlen(tag));
    assert_memory_equal(cmd.tag.ptr, tag, cmd.tag.len);
    if (strcmp(dump(&cmd), want) != 0)
        fail_msg("%.*s\n got:  %s\n want: %s", (int)(n > 200 ? 200 : n), p,
                 dump(&cmd), want);
}
#define OK(lit, tag, want) ok_x(S_(lit), 0, tag, want)
#define OKF(lit, fl, tag, want) ok_x(S_(lit), fl, tag, want)

/* Parse a frame that must fail with code at offset (within the frame);
 * tag: the tag reported (NULL: none). */
static void bad_x(const char *p, size_t n, unsigned lexflags, int code,
                  size_t at, const char *tag)
{
    int r = parse_x(p, n, lexflags, 0);
    if (r != code || err.offset != BASE + at)
        fail_msg("%.*s: got %d at %zu (%s), want %d at %zu",
                 (int)(n > 200 ? 200 : n), p, r, err.offset - BASE,
                 err.reason ? err.reason : "-", code, at);
    assert_int_equal(err.code, code);
    assert_non_null(err.reason);
    if (tag == NULL) {
        assert_null(cmd.tag.ptr);
    } else {
        assert_int_equal(cmd.tag.len, strlen(tag));
        assert_memory_equal(cmd.tag.ptr, tag, cmd.tag.len);
    }
}
#define BAD(lit, code, at, tag) bad_x(S_(lit), 0, code, at, tag)
#define BADF(lit, fl, code, at, tag) bad_x(S_(lit), fl, code, at, tag)

/* APPEND item by item (server_cmd.h mw__imap_append_start/step): start
 * on one segment (head: the command's first; else the text after a
 * streamed literal, state from cmd) and take its items as the machine
 * does (server.c append_items(): up to a literal, the end or an error),
 * written one word each, so one string states the whole walk:
 *   L          a message literal (dump(&cmd) tells its values)
 *   T<i>{n}    CATENATE TEXT part i announced, streamed ("{n+}": nonsync)
 *   T<i>=".."  an inline TEXT part (whole frame): its bytes
 *   U<i>=".."  a URL part: the astring's content
 *   E<n>       the ")" of a CATENATE message of n parts
 *   D          the command ended
 *   STATUS@k   an error (start or step) at stream offset off + k
 * The arena is the caller's (not reset: the tag and mailbox of the head
 * must outlive later segments, as in the machine). */
static mw__imap_apstep apst;

static const char *ap_run(const char *p, size_t n, size_t off,
                          unsigned lexflags, int head)
{
    static sb b;
    const mw_imap_append_args *ap = &cmd.u.append;
    int r, guard = 0;
    b.len = 0;
    b.buf[0] = '\0';
    memset(&err, 0, sizeof err);
    r = mw__imap_append_start(&apst, p, n, off, &arena, lexflags, &cmd,
                              head, &err);
    while (r == MW_OK) {
        assert_true(++guard < 1000);
        r = mw__imap_append_step(&apst, &err);
        if (r < 0)
            break;
        if (b.len != 0)
            sb_add(&b, " ");
        switch (r) {
        case MW__IMAP_AP_LITERAL:
            if (!ap->catenate) {
                assert_int_equal(ap->part_kind, MW_IMAP_CATPART_NONE);
                sb_add(&b, "L");
            } else {
                assert_int_equal(ap->part_kind, MW_IMAP_CATPART_TEXT);
                assert_int_equal(ap->part + 1u, ap->nparts);
                assert_null(ap->data.ptr);
                sb_add(&b, "T%u{%llu%s}", (unsigned)ap->part,
                       (unsigned long long)ap->size, ap->nonsync ? "+" : "");
            }
            assert_null(ap->data.ptr);
            return b.buf;
        case MW__IMAP_AP_PART:
            assert_int_equal(ap->catenate, 1);
            assert_int_equal(ap->part + 1u, ap->nparts);
            if (ap->part_kind == MW_IMAP_CATPART_URL) {
                assert_null(ap->data.ptr);
                sb_add(&b, "U%u=", (unsigned)ap->part);
                sb_str(&b, ap->url);
            } else {
                assert_int_equal(ap->part_kind, MW_IMAP_CATPART_TEXT);
                assert_null(ap->url.ptr);
                assert_int_equal(ap->data.len, ap->size);
                sb_add(&b, "T%u=", (unsigned)ap->part);
                sb_str(&b, ap->data);
            }
            r = MW_OK;
            break;
        case MW__IMAP_AP_END:
            assert_int_equal(ap->catenate, 1);
            assert_int_equal(ap->part_kind, MW_IMAP_CATPART_NONE);
            sb_add(&b, "E%u", (unsigned)ap->nparts);
            r = MW_OK;
            break;
        case MW__IMAP_AP_DONE:
            sb_add(&b, "D");
            return b.buf;
        default:
            fail_msg("append step: %d", r);
        }
    }
    assert_int_equal(err.code, r);
    assert_non_null(err.reason);
    assert_true(err.offset >= off && err.offset <= off + n);
    if (b.len != 0)
        sb_add(&b, " ");
    sb_add(&b, "%s@%zu", mw_status_name(r), err.offset - off);
    /* the error sticks: a step after it repeats it */
    {
        mw_error e2;
        memset(&e2, 0, sizeof e2);
        assert_int_equal(mw__imap_append_step(&apst, &e2), r);
        assert_int_equal(e2.offset, err.offset);
    }
    return b.buf;
}

static void ap_x(const char *p, size_t n, size_t off, unsigned lexflags,
                 int head, const char *want)
{
    const char *got = ap_run(p, n, off, lexflags, head);
    if (strcmp(got, want) != 0)
        fail_msg("%.*s\n got:  %s\n want: %s", (int)(n > 200 ? 200 : n), p,
                 got, want);
}
/* head segment at BASE; AP_NEXT: a later segment at BASE */
#define AP_HEAD(lit, fl, want) ap_x(S_(lit), BASE, fl, 1, want)
#define AP_NEXT(lit, fl, want) ap_x(S_(lit), BASE, fl, 0, want)
#define CAT MW__IMAP_AP_CATENATE

typedef struct vec {
    const char *in;
    size_t n;
    const char *tag;
    const char *want;
} vec;
#define V(lit, tag, want) {lit, sizeof(lit) - 1, tag, want}

static void run_vecs(const vec *v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        ok_x(v[i].in, v[i].n, 0, v[i].tag, v[i].want);
}

/* The RFC 3501 §6.3.11 APPEND message (310 octets). */
#define MSG3501                                                          \
    "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n"                     \
    "From: Fred Foobar <foobar@Blurdybloop.COM>\r\n"                     \
    "Subject: afternoon meeting\r\n"                                     \
    "To: mooch@owatagu.siam.edu\r\n"                                     \
    "Message-Id: <B27397-0100000@Blurdybloop.COM>\r\n"                   \
    "MIME-Version: 1.0\r\n"                                              \
    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"                     \
    "\r\n"                                                               \
    "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n"

/* The RFC 9051 §6.3.12 APPEND message (326 octets). */
#define MSG9051                                                          \
    "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n"                     \
    "From: Fred Foobar <foobar@Blurdybloop.example>\r\n"                 \
    "Subject: afternoon meeting\r\n"                                     \
    "To: mooch@owatagu.siam.edu.example\r\n"                             \
    "Message-Id: <B27397-0100000@Blurdybloop.example>\r\n"               \
    "MIME-Version: 1.0\r\n"                                              \
    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"                     \
    "\r\n"                                                               \
    "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n"

/* The RFC 9051 §6.3.12 LITERAL+ APPEND message (297 octets). */
#define MSG9051B                                                         \
    "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n"                     \
    "From: Fred Foobar <foobar@example.com>\r\n"                         \
    "Subject: afternoon meeting\r\n"                                     \
    "To: mooch@example.com\r\n"                                          \
    "Message-Id: <B27397-0100000@example.com>\r\n"                       \
    "MIME-Version: 1.0\r\n"                                              \
    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"                     \
    "\r\n"                                                               \
    "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n"

/* ---- RFC 3501 ---------------------------------------------------------------- */

/* The client commands the examples of RFC 3501 and RFC 9051 share, byte
 * for byte (section numbers of both RFCs where they differ); each RFC's
 * own ones follow in rfc3501[] and rfc9051[]. */
static const vec rfc_both[] = {
    /* RFC 3501 §6.1.1-§6.1.3 = RFC 9051 §6.1.1-§6.1.3 */
    V("abcd CAPABILITY", "abcd", "CAPABILITY"),
    V("efgh STARTTLS", "efgh", "STARTTLS"),
    V("ijkl CAPABILITY", "ijkl", "CAPABILITY"),
    V("a002 NOOP", "a002", "NOOP"),
    V("a047 NOOP", "a047", "NOOP"),
    V("A023 LOGOUT", "A023", "LOGOUT"),
    /* §6.2.1 (RFC 3501 goes on with LOGIN, RFC 9051 with AUTHENTICATE) */
    V("a001 CAPABILITY", "a001", "CAPABILITY"),
    V("a002 STARTTLS", "a002", "STARTTLS"),
    V("a003 CAPABILITY", "a003", "CAPABILITY"),
    /* §6.2.2, §6.2.3 */
    V("A001 AUTHENTICATE GSSAPI", "A001", "AUTHENTICATE GSSAPI"),
    V("a001 LOGIN SMITH SESAME", "a001", "LOGIN \"SMITH\" \"SESAME\""),
    /* RFC 3501 §6.3.1-§6.3.3 = RFC 9051 §6.3.2-§6.3.4 */
    V("A142 SELECT INBOX", "A142", "SELECT \"INBOX\"/I7"),
    V("A932 EXAMINE blurdybloop", "A932", "EXAMINE \"blurdybloop\"/7"),
    V("A003 CREATE owatagusiam/", "A003", "CREATE \"owatagusiam/\"/7"),
    V("A004 CREATE owatagusiam/blurdybloop", "A004",
      "CREATE \"owatagusiam/blurdybloop\"/7"),
    /* RFC 3501 §6.3.4 = RFC 9051 §6.3.5 */
    V("A682 LIST \"\" *", "A682", "LIST \"\"/7 [\"*\"/7]"),
    V("A683 DELETE blurdybloop", "A683", "DELETE \"blurdybloop\"/7"),
    V("A684 DELETE foo", "A684", "DELETE \"foo\"/7"),
    V("A685 DELETE foo/bar", "A685", "DELETE \"foo/bar\"/7"),
    V("A686 LIST \"\" *", "A686", "LIST \"\"/7 [\"*\"/7]"),
    V("A687 DELETE foo", "A687", "DELETE \"foo\"/7"),
    V("A82 LIST \"\" *", "A82", "LIST \"\"/7 [\"*\"/7]"),
    V("A83 DELETE blurdybloop", "A83", "DELETE \"blurdybloop\"/7"),
    V("A84 DELETE foo", "A84", "DELETE \"foo\"/7"),
    V("A85 LIST \"\" *", "A85", "LIST \"\"/7 [\"*\"/7]"),
    V("A86 LIST \"\" %", "A86", "LIST \"\"/7 [\"%\"/7]"),
    /* RFC 3501 §6.3.5 = RFC 9051 §6.3.6 */
    V("A682 LIST \"\" *", "A682", "LIST \"\"/7 [\"*\"/7]"),
    V("A683 RENAME blurdybloop sarasoop", "A683",
      "RENAME \"blurdybloop\"/7 \"sarasoop\"/7"),
    V("A684 RENAME foo zowie", "A684", "RENAME \"foo\"/7 \"zowie\"/7"),
    V("A685 LIST \"\" *", "A685", "LIST \"\"/7 [\"*\"/7]"),
    V("Z432 LIST \"\" *", "Z432", "LIST \"\"/7 [\"*\"/7]"),
    V("Z433 RENAME INBOX old-mail", "Z433",
      "RENAME \"INBOX\"/I7 \"old-mail\"/7"),
    V("Z434 LIST \"\" *", "Z434", "LIST \"\"/7 [\"*\"/7]"),
    /* RFC 3501 §6.3.6-§6.3.8 = RFC 9051 §6.3.7, §6.3.8, §6.3.9.8 */
    V("A002 SUBSCRIBE #news.comp.mail.mime", "A002",
      "SUBSCRIBE \"#news.comp.mail.mime\"/7"),
    V("A002 UNSUBSCRIBE #news.comp.mail.mime", "A002",
      "UNSUBSCRIBE \"#news.comp.mail.mime\"/7"),
    V("A101 LIST \"\" \"\"", "A101", "LIST \"\"/7 [\"\"/7]"),
    V("A102 LIST #news.comp.mail.misc \"\"", "A102",
      "LIST \"#news.comp.mail.misc\"/7 [\"\"/7]"),
    V("A103 LIST /usr/staff/jones \"\"", "A103",
      "LIST \"/usr/staff/jones\"/7 [\"\"/7]"),
    V("A202 LIST ~/Mail/ %", "A202", "LIST \"~/Mail/\"/7 [\"%\"/7]"),
    /* RFC 3501 §6.3.10 = RFC 9051 §6.3.11 */
    V("A042 STATUS blurdybloop (UIDNEXT MESSAGES)", "A042",
      "STATUS \"blurdybloop\"/7 items=005#2"),
    /* §6.4: CLOSE, EXPUNGE, FETCH, STORE, COPY, UID; RFC 3501 §6.5.1 =
     * RFC 9051 §6.5 */
    V("A341 CLOSE", "A341", "CLOSE"),
    V("A202 EXPUNGE", "A202", "EXPUNGE"),
    V("A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])", "A654",
      "FETCH 2:4 [FLAGS BODY[]{HEADER.FIELDS \"DATE\",\"FROM\"|HEADER.FIELDS "
      "(DATE FROM)}]"),
    V("A003 STORE 2:4 +FLAGS (\\Deleted)", "A003",
      "STORE 2:4 +FLAGS (\\Deleted)#1/08"),
    V("A003 COPY 2:4 MEETING", "A003", "COPY 2:4 \"MEETING\"/7"),
    V("A999 UID FETCH 4827313:4828442 FLAGS", "A999",
      "FETCH UID 4827313:4828442 [FLAGS]"),
    V("a441 CAPABILITY", "a441", "CAPABILITY"),
    V("A442 XPIG-LATIN", "A442", "OTHER XPIG-LATIN args=\"\""),
    /* §7.1.1-§7.1.3; RFC 3501 §7.5 = RFC 9051 §7.6 (the literals
     * synchronising) */
    V("A001 LOGIN fred blurdybloop", "A001", "LOGIN \"fred\" \"blurdybloop\""),
    V("A222 COPY 1:2 owatagusiam", "A222", "COPY 1:2 \"owatagusiam\"/7"),
    V("A223 COPY 3:200 blurdybloop", "A223", "COPY 3:200 \"blurdybloop\"/7"),
    V("A443 EXPUNGE", "A443", "EXPUNGE"),
    V("A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man", "A001",
      "LOGIN lit=L \"FRED FOOBAR\" \"fat man\""),
    /* the end of the §8 sample session (RFC 9051's starts otherwise) */
    V("a002 select inbox", "a002", "SELECT \"INBOX\"/I7"),
    V("a003 fetch 12 full", "a003",
      "FETCH 12 macro=3 [FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY]"),
    V("a004 fetch 12 body[header]", "a004",
      "FETCH 12 [BODY[]{HEADER|header}]"),
    V("a005 store 12 +flags \\deleted", "a005",
      "STORE 12 +FLAGS bare (\\deleted)#1/08"),
    V("a006 logout", "a006", "LOGOUT"),
};

static const vec rfc3501[] = {
    /* §6.2.1 */
    V("a004 LOGIN joe password", "a004", "LOGIN \"joe\" \"password\""),
    /* §6.3.9, §6.3.11 */
    V("A002 LSUB \"#news.\" \"comp.mail.*\"", "A002",
      "LSUB \"#news.\"/7 [\"comp.mail.*\"/7]"),
    V("A003 LSUB \"#news.\" \"comp.%\"", "A003",
      "LSUB \"#news.\"/7 [\"comp.%\"/7]"),
    V("A003 APPEND saved-messages (\\Seen) {310}\r\n" MSG3501, "A003",
      "APPEND lit=L \"saved-messages\"/7 #0/1 (\\Seen)#1/01 {310}"),
    /* §6.4.1 */
    V("FXXZ CHECK", "FXXZ", "CHECK"),
    /* §6.4.4: "XXXXXX" is the RFC's stand-in for 6 octets of UTF-8 */
    V("A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"", "A282",
      "SEARCH (AND FLAGGED SINCE:1994-02-01 (NOT FROM:\"Smith\"))"),
    V("A283 SEARCH TEXT \"string not in mailbox\"", "A283",
      "SEARCH (AND TEXT:\"string not in mailbox\")"),
    V("A284 SEARCH CHARSET UTF-8 TEXT {6}\r\nXXXXXX", "A284",
      "SEARCH lit=L charset=\"UTF-8\" (AND TEXT:\"XXXXXX\")"),
    /* §8 sample session (the rest in rfc_both) */
    V("a001 login mrc secret", "a001", "LOGIN \"mrc\" \"secret\""),
};

static void test_rfc3501_examples(void **state)
{
    (void)state;
    assert_int_equal(sizeof(MSG3501) - 1, 310);
    run_vecs(rfc_both, sizeof rfc_both / sizeof rfc_both[0]);
    run_vecs(rfc3501, sizeof rfc3501 / sizeof rfc3501[0]);
    /* the APPEND message is handed over whole when parsed at once */
    OK("A003 APPEND saved-messages (\\Seen) {310}\r\n" MSG3501, "A003",
       "APPEND lit=L \"saved-messages\"/7 #0/1 (\\Seen)#1/01 {310}");
    assert_memory_equal(cmd.u.append.data.ptr, MSG3501, 310);
}

/* ---- RFC 9051 ---------------------------------------------------------------- */

static const vec rfc9051[] = {
    /* §6.2.1 */
    V("a004 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=", "a004",
      "AUTHENTICATE PLAIN ir=dGVzdAB0ZXN0AHRlc3Q="),
    /* §6.2.2 */
    V("A01 STARTTLS", "A01", "STARTTLS"),
    V("A02 CAPABILITY", "A02", "CAPABILITY"),
    V("A03 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=", "A03",
      "AUTHENTICATE PLAIN ir=dGVzdAB0ZXN0AHRlc3Q="),
    V("C01 CAPABILITY", "C01", "CAPABILITY"),
    V("A01 AUTHENTICATE PLAIN", "A01", "AUTHENTICATE PLAIN"),
    V("A01 AUTHENTICATE EXTERNAL =", "A01", "AUTHENTICATE EXTERNAL ir=="),
    /* §6.3.1 */
    V("t1 CAPABILITY", "t1", "CAPABILITY"),
    V("t2 ENABLE CONDSTORE X-GOOD-IDEA", "t2",
      "ENABLE CONDSTORE X-GOOD-IDEA known=01"),
    V("t3 CAPABILITY", "t3", "CAPABILITY"),
    V("a1 ENABLE CONDSTORE", "a1", "ENABLE CONDSTORE known=01"),
    /* §6.3.2 - §6.3.4 */
    V("A143 SELECT Drafts", "A143", "SELECT \"Drafts\"/7"),
    V("A005 CREATE NonNormalized", "A005", "CREATE \"NonNormalized\"/7"),
    /* §6.3.6 */
    V("1001 RENAME X Y", "1001", "RENAME \"X\"/7 \"Y\"/7"),
    V("1002 SUBSCRIBE Y", "1002", "SUBSCRIBE \"Y\"/7"),
    V("1003 UNSUBSCRIBE X", "1003", "UNSUBSCRIBE \"X\"/7"),
    /* §6.3.9.8, extended examples 1-11 (a command the RFC breaks over
     * two lines "for editorial clarity" is joined with its SP) */
    V("A01 LIST \"\" \"*\"", "A01", "LIST \"\"/7 [\"*\"/7]"),
    V("A02 LIST (SUBSCRIBED) \"\" \"*\"", "A02",
      "LIST sel=01 \"\"/7 [\"*\"/7] ext"),
    V("A03 LIST () \"\" \"%\" RETURN (CHILDREN)", "A03",
      "LIST sel=00 \"\"/7 [\"%\"/7] ret=02 ext"),
    V("A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)", "A04",
      "LIST sel=02 \"\"/7 [\"%\"/7] ret=02 ext"),
    V("A05 LIST (REMOTE SUBSCRIBED) \"\" \"*\"", "A05",
      "LIST sel=03 \"\"/7 [\"*\"/7] ext"),
    V("A06 LIST (REMOTE) \"\" \"*\" RETURN (SUBSCRIBED)", "A06",
      "LIST sel=02 \"\"/7 [\"*\"/7] ret=01 ext"),
    V("C01 LIST \"\" \"*\"", "C01", "LIST \"\"/7 [\"*\"/7]"),
    V("CA3 LIST \"\" \"%\" RETURN (CHILDREN)", "CA3",
      "LIST \"\"/7 [\"%\"/7] ret=02 ext"),
    V("C02 LIST (SUBSCRIBED) \"\" \"*\"", "C02",
      "LIST sel=01 \"\"/7 [\"*\"/7] ext"),
    V("C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"", "C04",
      "LIST sel=05 \"\"/7 [\"%\"/7] ext"),
    V("C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)",
      "C04", "LIST sel=05 \"\"/7 [\"%\"/7] ret=02 ext"),
    V("D01 LIST \"\" \"*\"", "D01", "LIST \"\"/7 [\"*\"/7]"),
    V("D02 LIST (SUBSCRIBED) \"\" \"*\"", "D02",
      "LIST sel=01 \"\"/7 [\"*\"/7] ext"),
    V("D03 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*2\"", "D03",
      "LIST sel=05 \"\"/7 [\"*2\"/7] ext"),
    V("D03 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*\"", "D03",
      "LIST sel=05 \"\"/7 [\"*\"/7] ext"),
    V("a1 LIST \"\" (\"foo\")", "a1", "LIST \"\"/7 [\"foo\"/7] ext"),
    V("a2 LIST (SUBSCRIBED) \"\" \"foo/*\"", "a2",
      "LIST sel=01 \"\"/7 [\"foo/*\"/7] ext"),
    V("a3 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" foo RETURN (CHILDREN)", "a3",
      "LIST sel=05 \"\"/7 [\"foo\"/7] ret=02 ext"),
    V("a1 LIST (REMOTE) \"\" *", "a1", "LIST sel=02 \"\"/7 [\"*\"/7] ext"),
    V("a2 LIST () \"\" %", "a2", "LIST sel=00 \"\"/7 [\"%\"/7] ext"),
    V("a3 LIST (REMOTE) \"\" %", "a3", "LIST sel=02 \"\"/7 [\"%\"/7] ext"),
    V("a3.1 LIST \"\" (% music/rock)", "a3.1",
      "LIST \"\"/7 [\"%\"/7 \"music/rock\"/7] ext"),
    V("A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))", "A01",
      "LIST \"\"/7 [\"%\"/7] ret=08 status=011 ext"),
    V("A02 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (STATUS "
      "(MESSAGES))",
      "A02", "LIST sel=05 \"\"/7 [\"%\"/7] ret=08 status=001 ext"),
    /* §6.3.10 */
    V("A001 NAMESPACE", "A001", "NAMESPACE"),
    V("A002 CREATE \"INBOX.Sent Mail\"", "A002",
      "CREATE \"INBOX.Sent Mail\"/7"),
    V("A002 LIST (SPECIAL-USE) \"\" \"*\"", "A002",
      "LIST sel=08 \"\"/7 [\"*\"/7] ext"),
    V("A003 LIST (SPECIAL-USE) \"#mh/\" \"*\"", "A003",
      "LIST sel=08 \"#mh/\"/7 [\"*\"/7] ext"),
    V("A004 CREATE \"Sent Mail\"", "A004", "CREATE \"Sent Mail\"/7"),
    V("A005 CREATE \"Delete Items\"", "A005", "CREATE \"Delete Items\"/7"),
    V("A006 CREATE \"#mh/Deleted Items\"", "A006",
      "CREATE \"#mh/Deleted Items\"/7"),
    V("A002 LIST \"\" \"Other Users/%\"", "A002",
      "LIST \"\"/7 [\"Other Users/%\"/7]"),
    V("A002 LIST \"\" \"#Users/%\"", "A002", "LIST \"\"/7 [\"#Users/%\"/7]"),
    V("A003 LIST \"\" \"#Users/Mike/%\"", "A003",
      "LIST \"\"/7 [\"#Users/Mike/%\"/7]"),
    V("A002 LIST \"\" \"~mark/%\"", "A002", "LIST \"\"/7 [\"~mark/%\"/7]"),
    /* §6.3.11, §6.3.12 */
    V("A003 APPEND saved-messages (\\Seen) {326}\r\n" MSG9051, "A003",
      "APPEND lit=L \"saved-messages\"/7 #0/1 (\\Seen)#1/01 {326}"),
    V("A003 APPEND saved-messages (\\Seen) {297+}\r\n" MSG9051B, "A003",
      "APPEND lit=L+ \"saved-messages\"/7 #0/1 (\\Seen)#1/01 +{297}"),
    V("A004 COPY 2:4 meeting", "A004", "COPY 2:4 \"meeting\"/7"),
    V("A005 UID COPY 305:310 meeting", "A005",
      "COPY UID 305:310 \"meeting\"/7"),
    V("A006 COPY 2 funny", "A006", "COPY 2 \"funny\"/7"),
    V("A007 SELECT funny", "A007", "SELECT \"funny\"/7"),
    /* §6.3.13 (the "DONE" lines are continuations, not commands) */
    V("A001 SELECT INBOX", "A001", "SELECT \"INBOX\"/I7"),
    V("A002 IDLE", "A002", "IDLE"),
    V("A003 FETCH 4 ALL", "A003",
      "FETCH 4 macro=1 [FLAGS INTERNALDATE RFC822.SIZE ENVELOPE]"),
    V("A004 IDLE", "A004", "IDLE"),
    V("A005 FETCH 3 ALL", "A005",
      "FETCH 3 macro=1 [FLAGS INTERNALDATE RFC822.SIZE ENVELOPE]"),
    V("A006 IDLE", "A006", "IDLE"),
    /* §6.4.1 - §6.4.3 */
    V("A342 UNSELECT", "A342", "UNSELECT"),
    /* §6.4.4 */
    V("A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM "
      "\"Smith\"",
      "A282",
      "SEARCH ret=09 (AND FLAGGED SINCE:1994-02-01 (NOT FROM:\"Smith\"))"),
    V("A283 SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"",
      "A283",
      "SEARCH ret=04 (AND FLAGGED SINCE:1994-02-01 (NOT FROM:\"Smith\"))"),
    V("A284 SEARCH TEXT \"string not in mailbox\"", "A284",
      "SEARCH (AND TEXT:\"string not in mailbox\")"),
    V("A285 SEARCH CHARSET UTF-8 TEXT {12}\r\n"
      "\xd0\xbe\xd1\x82\xd0\xbf\xd1\x83\xd1\x81\xd0\xba",
      "A285",
      "SEARCH lit=L charset=\"UTF-8\" (AND TEXT:\"\\xd0\\xbe\\xd1\\x82"
      "\\xd0\\xbf\\xd1\\x83\\xd1\\x81\\xd0\\xba\")"),
    V("A284 SEARCH RETURN (MIN) UNSEEN", "A284", "SEARCH ret=01 (AND UNSEEN)"),
    V("A285 UID SEARCH RETURN (MIN MAX) 1:5000", "A285",
      "SEARCH UID ret=03 (AND SET:1:5000)"),
    V("A286 SEARCH RETURN (COUNT) DELETED", "A286",
      "SEARCH ret=08 (AND DELETED)"),
    /* §6.4.4.4, examples 1-10 */
    V("A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994 NOT FROM "
      "\"Smith\"",
      "A282",
      "SEARCH ret=10 (AND FLAGGED SINCE:1994-02-01 (NOT FROM:\"Smith\"))"),
    V("A283 FETCH $ (UID INTERNALDATE FLAGS BODY.PEEK[HEADER])", "A283",
      "FETCH $ [UID INTERNALDATE FLAGS BODY[].PEEK{HEADER|HEADER}]"),
    V("A300 SEARCH RETURN (SAVE) SINCE 1-Jan-2004 NOT FROM \"Smith\"", "A300",
      "SEARCH ret=10 (AND SINCE:2004-01-01 (NOT FROM:\"Smith\"))"),
    V("A301 UID SEARCH UID $ SMALLER 4096", "A301",
      "SEARCH UID (AND UID:$ SMALLER:4096)"),
    V("A301 UID SEARCH $ SMALLER 4096", "A301",
      "SEARCH UID (AND SET:$ SMALLER:4096)"),
    V("P282 SEARCH RETURN (SAVE) SINCE 1-Feb-1994 NOT FROM \"Smith\"", "P282",
      "SEARCH ret=10 (AND SINCE:1994-02-01 (NOT FROM:\"Smith\"))"),
    V("P283 SEARCH CHARSET UTF-8 (OR $ 1,3000:3021) TEXT {8+}\r\n"
      "\xd0\xbc\xd0\xb0\xd1\x82\xd1\x8c",
      "P283", "SEARCH lit=L+ charset=\"UTF-8\" (AND (AND (OR SET:$ "
      "SET:1,3000:3021)) TEXT:\"\\xd0\\xbc\\xd0\\xb0\\xd1\\x82\\xd1\\x8c\")"),
    V("B282 SEARCH RETURN (SAVE) SINCE 1-Feb-1994 NOT FROM \"Smith\"", "B282",
      "SEARCH ret=10 (AND SINCE:1994-02-01 (NOT FROM:\"Smith\"))"),
    /* "XXXX" is the RFC's stand-in for 4 octets of KOI8-R */
    V("B283 SEARCH RETURN (SAVE) CHARSET KOI8-R (OR $ 1,3000:3021) TEXT "
      "{4}\r\nXXXX",
      "B283", "SEARCH lit=L ret=10 charset=\"KOI8-R\" (AND (AND (OR SET:$ "
      "SET:1,3000:3021)) TEXT:\"XXXX\")"),
    V("E282 SEARCH RETURN (SAVE) SINCE 28-Oct-2006 NOT FROM \"Eric\"", "E282",
      "SEARCH ret=10 (AND SINCE:2006-10-28 (NOT FROM:\"Eric\"))"),
    V("E283 COPY $ \"Other Messages\"", "E283", "COPY $ \"Other Messages\"/7"),
    V("F282 SEARCH RETURN (SAVE) KEYWORD $Junk", "F282",
      "SEARCH ret=10 (AND KEYWORD:\"$Junk\")"),
    V("F283 COPY $ \"Junk\"", "F283", "COPY $ \"Junk\"/7"),
    V("F284 STORE $ +FLAGS.Silent (\\Deleted)", "F284",
      "STORE $ +FLAGS.SILENT (\\Deleted)#1/08"),
    V("G282 SEARCH RETURN (SAVE) KEYWORD $Junk", "G282",
      "SEARCH ret=10 (AND KEYWORD:\"$Junk\")"),
    V("G283 SEARCH RETURN (ALL) SINCE 28-Oct-2006 FROM \"Eric\"", "G283",
      "SEARCH ret=04 (AND SINCE:2006-10-28 FROM:\"Eric\")"),
    V("H282 SEARCH RETURN (SAVE) KEYWORD $Junk", "H282",
      "SEARCH ret=10 (AND KEYWORD:\"$Junk\")"),
    V("H283 SEARCH RETURN (SAVE) SINCE 28-Oct-2006 FROM \"Eric\"", "H283",
      "SEARCH ret=10 (AND SINCE:2006-10-28 FROM:\"Eric\")"),
    V("C282 SEARCH RETURN (ALL) SINCE 12-Feb-2006 NOT FROM \"Smith\"", "C282",
      "SEARCH ret=04 (AND SINCE:2006-02-12 (NOT FROM:\"Smith\"))"),
    V("C283 SEARCH RETURN (ALL SAVE) SINCE 12-Feb-2006 NOT FROM \"Smith\"",
      "C283", "SEARCH ret=14 (AND SINCE:2006-02-12 (NOT FROM:\"Smith\"))"),
    V("C284 SEARCH RETURN (SAVE MIN) SINCE 12-Feb-2006 NOT FROM \"Smith\"",
      "C284", "SEARCH ret=11 (AND SINCE:2006-02-12 (NOT FROM:\"Smith\"))"),
    V("C285 SEARCH RETURN (MAX SAVE MIN) SINCE 12-Feb-2006 NOT FROM "
      "\"Smith\"",
      "C285", "SEARCH ret=13 (AND SINCE:2006-02-12 (NOT FROM:\"Smith\"))"),
    V("C286 SEARCH RETURN (MAX SAVE MIN COUNT) SINCE 12-Feb-2006 NOT FROM "
      "\"Smith\"",
      "C286", "SEARCH ret=1b (AND SINCE:2006-02-12 (NOT FROM:\"Smith\"))"),
    V("C286 SEARCH RETURN (ALL SAVE MIN) SINCE 12-Feb-2006 NOT FROM "
      "\"Smith\"",
      "C286", "SEARCH ret=15 (AND SINCE:2006-02-12 (NOT FROM:\"Smith\"))"),
    /* §6.4.5 - §6.4.9, §6.5 */
    V("a UID MOVE 42:69 foo", "a", "MOVE UID 42:69 \"foo\"/7"),
    V("A003 UID EXPUNGE 3000:3002", "A003", "EXPUNGE UID 3000:3002"),
    /* §7.1 (response code examples) */
    V("o356 RENAME this that", "o356", "RENAME \"this\"/7 \"that\"/7"),
    V("b LOGIN \"fred\" \"foo\"", "b", "LOGIN \"fred\" \"foo\""),
    V("c1 AUTHENTICATE PLAIN", "c1", "AUTHENTICATE PLAIN"),
    V("c2 AUTHENTICATE PLAIN", "c2", "AUTHENTICATE PLAIN"),
    V("l create \"///////\"", "l", "CREATE \"///////\"/7"),
    V("k1 select \"/archive/projects/experiment-iv\"", "k1",
      "SELECT \"/archive/projects/experiment-iv\"/7"),
    V("k2 status \"/archive/projects/experiment-iv\" (messages)", "k2",
      "STATUS \"/archive/projects/experiment-iv\"/7 items=001#1"),
    V("e login \"fred\" \"foo\"", "e", "LOGIN \"fred\" \"foo\""),
    V("i select \"/archive/projects/experiment-iv\"", "i",
      "SELECT \"/archive/projects/experiment-iv\"/7"),
    V("d login \"fred\" \"foo\"", "d", "LOGIN \"fred\" \"foo\""),
    V("h search from maria@example.com", "h",
      "SEARCH (AND FROM:\"maria@example.com\")"),
    V("m356 DELETE Notes", "m356", "DELETE \"Notes\"/7"),
    V("g delete \"/archive/projects/experiment-iv\"", "g",
      "DELETE \"/archive/projects/experiment-iv\"/7"),
    V("m STORE 42 FLAGS f1 f2 f3 f4 f5 ... f250", "m",
      "STORE 42 FLAGS bare (f1 f2 f3 f4 f5 ... f250)#7/00"),
    V("p RENAME this that", "p", "RENAME \"this\"/7 \"that\"/7"),
    V("f select \"/archive/projects/experiment-iv\"", "f",
      "SELECT \"/archive/projects/experiment-iv\"/7"),
    V("n1 uid copy 1:* oldmail", "n1", "COPY UID 1:* \"oldmail\"/7"),
    V("n2 uid copy 1:* oldmail", "n2", "COPY UID 1:* \"oldmail\"/7"),
    V("d select inbox", "d", "SELECT \"INBOX\"/I7"),
    V("j select \"/archive/projects/experiment-iv\"", "j",
      "SELECT \"/archive/projects/experiment-iv\"/7"),
    V("a LOGIN \"fred\" \"foo\"", "a", "LOGIN \"fred\" \"foo\""),
    /* §8 sample session (the AUTHENTICATE line joined with its SP) */
    V("a000 starttls", "a000", "STARTTLS"),
    V("A001 AUTHENTICATE SCRAM-SHA-256 "
      "biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=",
      "A001", "AUTHENTICATE SCRAM-SHA-256 "
      "ir=biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8="),
    V("babc ENABLE IMAP4rev2", "babc", "ENABLE IMAP4rev2 known=08"),
};

static void test_rfc9051_examples(void **state)
{
    (void)state;
    assert_int_equal(sizeof(MSG9051) - 1, 326);
    assert_int_equal(sizeof(MSG9051B) - 1, 297);
    run_vecs(rfc_both, sizeof rfc_both / sizeof rfc_both[0]);
    run_vecs(rfc9051, sizeof rfc9051 / sizeof rfc9051[0]);
}

/* ---- shapes near the RFC examples (not RFC examples) ------------------------ */

/* Variants of the RFC 9051 §6.3.9.8 and §6.4.4 examples that no RFC
 * shows: other orders and combinations of the LIST options, several
 * patterns, an unknown CHARSET (the parser takes any charset; refusing it
 * with [BADCHARSET] is the application's call), "$" without UID. */
static const vec near_rfc[] = {
    V("A05 LIST (REMOTE SUBSCRIBED) \"/\" \"*\"", "A05",
      "LIST sel=03 \"/\"/7 [\"*\"/7] ext"),
    V("A06 LIST (SUBSCRIBED REMOTE) \"\" \"*\"", "A06",
      "LIST sel=03 \"\"/7 [\"*\"/7] ext"),
    V("A07 LIST \"\" \"%\" RETURN (SUBSCRIBED)", "A07",
      "LIST \"\"/7 [\"%\"/7] ret=01 ext"),
    V("A08 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"", "A08",
      "LIST sel=05 \"\"/7 [\"%\"/7] ext"),
    V("A09 LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\")", "A09",
      "LIST \"\"/7 [\"INBOX\"/I7 \"Drafts\"/7 \"Sent/%\"/7] ext"),
    V("A10 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)",
      "A10", "LIST sel=05 \"\"/7 [\"%\"/7] ret=02 ext"),
    V("A286 SEARCH CHARSET WHATEVER text \"foo\"", "A286",
      "SEARCH charset=\"WHATEVER\" (AND TEXT:\"foo\")"),
    V("A301 SEARCH $ SMALLER 4096", "A301",
      "SEARCH (AND SET:$ SMALLER:4096)"),
    V("A283 FETCH $ (UID INTERNALDATE FLAGS RFC822.SIZE)", "A283",
      "FETCH $ [UID INTERNALDATE FLAGS RFC822.SIZE]"),
};

static void test_near_rfc_shapes(void **state)
{
    (void)state;
    run_vecs(near_rfc, sizeof near_rfc / sizeof near_rfc[0]);
}

/* ---- extensions ---------------------------------------------------------------- */

static const vec extensions[] = {
    /* LITERAL+ (RFC 7888 §3) */
    V("A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man", "A001",
      "LOGIN lit=L+ \"FRED FOOBAR\" \"fat man\""),
    /* IDLE (RFC 2177), NAMESPACE (RFC 2342), UNSELECT (RFC 3691) */
    V("A002 IDLE", "A002", "IDLE"),
    V("A001 NAMESPACE", "A001", "NAMESPACE"),
    V("A342 UNSELECT", "A342", "UNSELECT"),
    /* ID (RFC 2971 §3.3) */
    V("a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" "
      "\"Pink Floyd Music Limited\")",
      "a023",
      "ID \"name\"=\"sodr\" \"version\"=\"19.34\" \"vendor\"=\"Pink Floyd "
      "Music Limited\""),
    V("a024 ID NIL", "a024", "ID NIL"),
    V("a025 ID ()", "a025", "ID"),
    V("a026 ID (\"os\" NIL)", "a026", "ID \"os\"=NIL"),
    /* ENABLE (RFC 5161 §3.1) */
    V("t2 ENABLE CONDSTORE X-GOOD-IDEA", "t2",
      "ENABLE CONDSTORE X-GOOD-IDEA known=01"),
    V("t3 ENABLE UTF8=ACCEPT IMAP4rev2 QRESYNC", "t3",
      "ENABLE UTF8=ACCEPT IMAP4rev2 QRESYNC known=0e"),
    /* UIDPLUS (RFC 4315), MOVE (RFC 6851) */
    V("A003 UID EXPUNGE 3000:3002", "A003", "EXPUNGE UID 3000:3002"),
    V("a UID MOVE 42:69 foo", "a", "MOVE UID 42:69 \"foo\"/7"),
    V("b MOVE 1:* Trash", "b", "MOVE 1:* \"Trash\"/7"),
    /* SASL-IR (RFC 4959 §3) */
    V("a001 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=", "a001",
      "AUTHENTICATE PLAIN ir=dGVzdAB0ZXN0AHRlc3Q="),
    V("a002 AUTHENTICATE EXTERNAL =", "a002", "AUTHENTICATE EXTERNAL ir=="),
    /* SPECIAL-USE (RFC 6154 §5) */
    V("t1 LIST \"\" \"%\" RETURN (SPECIAL-USE)", "t1",
      "LIST \"\"/7 [\"%\"/7] ret=04 ext"),
    V("t1 LIST (SPECIAL-USE) \"\" \"*\"", "t1",
      "LIST sel=08 \"\"/7 [\"*\"/7] ext"),
    V("t1 CREATE MySpecial (USE (\\Drafts \\Sent))", "t1",
      "CREATE \"MySpecial\"/7 USE(\\Drafts \\Sent)#2"),
    V("t1 CREATE Empty (USE ())", "t1", "CREATE \"Empty\"/7 USE()#0"),
    /* LIST-STATUS (RFC 5819 §2) */
    V("A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))", "A01",
      "LIST \"\"/7 [\"%\"/7] ret=08 status=011 ext"),
    V("A02 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (STATUS "
      "(MESSAGES))",
      "A02", "LIST sel=05 \"\"/7 [\"%\"/7] ret=08 status=001 ext"),
    /* CONDSTORE (RFC 7162 §3.1) */
    V("A142 SELECT INBOX (CONDSTORE)", "A142",
      "SELECT \"INBOX\"/I7 CONDSTORE"),
    V("a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT "
      "(\\Deleted)",
      "a103",
      "STORE UID 6,4,8 UNCHANGEDSINCE=12121230045 +FLAGS.SILENT "
      "(\\Deleted)#1/08"),
    V("a104 STORE * (UNCHANGEDSINCE 0) +FLAGS.SILENT ($NoJunk)", "a104",
      "STORE * UNCHANGEDSINCE=0 +FLAGS.SILENT ($NoJunk)#1/00"),
    V("s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)", "s100",
      "FETCH UID 1:* [FLAGS] CHANGEDSINCE=12345"),
    V("a FETCH 1:* (FLAGS MODSEQ)", "a", "FETCH 1:* [FLAGS MODSEQ]"),
    V("a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338", "a",
      "SEARCH (AND MODSEQ:\"/flags/\\\\draft\"/all/620162338)"),
    V("t SEARCH OR NOT MODSEQ 720162338 LARGER 50000", "t",
      "SEARCH (AND (OR (NOT MODSEQ:720162338) LARGER:50000))"),
    V("a STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ)", "a",
      "STATUS \"blurdybloop\"/7 items=085#3"),
    /* QRESYNC (RFC 7162 §3.2.5, §3.2.6) */
    V("A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 "
      "41,43:211,214:541))",
      "A02",
      "SELECT \"INBOX\"/I7 QRESYNC(67890007,20050715194045000,"
      "uids=41,43:211,214:541)"),
    V("B02 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))",
      "B02",
      "SELECT \"INBOX\"/I7 QRESYNC(67890007,90060115194045000,"
      "uids=41:211,214:541)"),
    V("A03 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 "
      "(5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979,"
      "29982,29985,29988,29991,29994,29997)))",
      "A03",
      "SELECT \"INBOX\"/I7 QRESYNC(67890007,90060115194045000,uids=1:29997,"
      "match=5000,7500,9000,9990:9999=15000,22500,27000,29970,29973,29976,"
      "29979,29982,29985,29988,29991,29994,29997)"),
    V("A04 EXAMINE INBOX (QRESYNC (1 1))", "A04",
      "EXAMINE \"INBOX\"/I7 QRESYNC(1,1)"),
    V("A05 SELECT INBOX (QRESYNC (1 2 (3 4)) CONDSTORE)", "A05",
      "SELECT \"INBOX\"/I7 CONDSTORE QRESYNC(1,2,match=3=4)"),
    V("s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)", "s100",
      "FETCH UID 300:500 [FLAGS] CHANGEDSINCE=12345 VANISHED"),
    /* ESEARCH (RFC 4731 §3.1) */
    V("A282 SEARCH RETURN (MIN MAX) FLAGGED", "A282",
      "SEARCH ret=03 (AND FLAGGED)"),
    V("A283 UID SEARCH RETURN (ALL COUNT) UNSEEN", "A283",
      "SEARCH UID ret=0c (AND UNSEEN)"),
    /* SEARCHRES (RFC 5182 §2.1) */
    V("A300 SEARCH RETURN (SAVE) SINCE 1-Jan-2004 NOT FROM \"Smith\"", "A300",
      "SEARCH ret=10 (AND SINCE:2004-01-01 (NOT FROM:\"Smith\"))"),
    V("A301 UID SEARCH UID $ SMALLER 4096", "A301",
      "SEARCH UID (AND UID:$ SMALLER:4096)"),
    V("A302 UID FETCH $ (UID FLAGS)", "A302", "FETCH UID $ [UID FLAGS]"),
    V("A303 UID COPY $ Other", "A303", "COPY UID $ \"Other\"/7"),
    V("A304 UID STORE $ +FLAGS (\\Seen)", "A304",
      "STORE UID $ +FLAGS (\\Seen)#1/01"),
    /* BINARY (RFC 3516 §4) */
    V("t FETCH 1 (BINARY[1])", "t", "FETCH 1 [BINARY{1|1}]"),
    V("t FETCH 1 (BINARY.PEEK[1.2]<0.4096> BINARY.SIZE[1.2])", "t",
      "FETCH 1 [BINARY.PEEK{1.2|1.2}<0.4096> BINARY.SIZE{1.2|1.2}]"),
    V("t FETCH 1 BINARY[]", "t", "FETCH 1 [BINARY{|}]"),
    V("A003 APPEND Drafts ~{5}\r\na\x00\xff\r\n", "A003",
      "APPEND lit=L8 \"Drafts\"/7 #0/1 ~{5}"),
    /* the UTF8 data extension (RFC 6855 §4 utf8-literal), alone, after
     * flags and date, in MULTIAPPEND, non-synchronising (RFC 7888) */
    V("A1 APPEND INBOX UTF8 (~{5}\r\nh\xc3\xa9y!)", "A1",
      "APPEND lit=L8 \"INBOX\"/I7 #0/1 UTF8 ~{5}"),
    V("A2 append Drafts (\\Draft) \"07-Feb-1994 21:52:25 -0800\" utf8 "
      "(~{3+}\r\n\xc3\xa9x)",
      "A2",
      "APPEND lit=L+8 \"Drafts\"/7 #0/1 (\\Draft)#1/10 "
      "1994-02-07T21:52:25-0800 UTF8 ~+{3}"),
    V("A3 APPEND INBOX UTF8 (~{1}\r\na) {1}\r\nb UTF8 (~{1}\r\nc)", "A3",
      "APPEND lit=L8 \"INBOX\"/I7 #0/3 UTF8 ~{1}"),
    /* MULTIAPPEND (RFC 3502 §6.3.11) */
    V("A003 APPEND saved-messages (\\Seen) {3}\r\nabc (\\Seen \\Draft) "
      "\"14-Jul-2003 02:44:25 -0700\" {2}\r\nde",
      "A003", "APPEND lit=L \"saved-messages\"/7 #0/2 (\\Seen)#1/01 {3}"),
    /* COMPRESS (RFC 4978 §3) */
    V("a COMPRESS DEFLATE", "a", "COMPRESS DEFLATE deflate"),
    V("b compress x-other", "b", "COMPRESS x-other other"),
    /* QUOTA (RFC 9208 §4) */
    V("G0001 GETQUOTA \"!partition/sda4\"", "G0001",
      "GETQUOTA \"!partition/sda4\""),
    V("G0002 GETQUOTAROOT INBOX", "G0002", "GETQUOTAROOT \"INBOX\"/I7"),
    V("S0000 SETQUOTA \"#user/alice\" (STORAGE 510)", "S0000",
      "SETQUOTA \"#user/alice\" (STORAGE=510)"),
    V("S0001 SETQUOTA \"!partition/sda4\" (STORAGE 99999999 MESSAGE 500)",
      "S0001", "SETQUOTA \"!partition/sda4\" (STORAGE=99999999 MESSAGE=500)"),
    V("S0002 SETQUOTA \"\" ()", "S0002", "SETQUOTA \"\" ()"),
    V("a STATUS INBOX (MESSAGES DELETED DELETED-STORAGE SIZE)", "a",
      "STATUS \"INBOX\"/I7 items=461#4"),
    /* METADATA (RFC 5464 §4) */
    V("a GETMETADATA \"\" /shared/comment", "a",
      "GETMETADATA \"\"/7 \"/shared/comment\""),
    V("a GETMETADATA INBOX /private/comment", "a",
      "GETMETADATA \"INBOX\"/I7 \"/private/comment\""),
    V("a GETMETADATA INBOX (/shared/comment /private/comment)", "a",
      "GETMETADATA \"INBOX\"/I7 \"/shared/comment\" \"/private/comment\""),
    V("a GETMETADATA (MAXSIZE 1024) INBOX /private/comment", "a",
      "GETMETADATA MAXSIZE=1024 \"INBOX\"/I7 \"/private/comment\""),
    V("a GETMETADATA (DEPTH 1) INBOX (/private/filters/values)", "a",
      "GETMETADATA DEPTH=1 \"INBOX\"/I7 \"/private/filters/values\""),
    V("a GETMETADATA (MAXSIZE 1024 DEPTH infinity) INBOX /private", "a",
      "GETMETADATA MAXSIZE=1024 DEPTH=255 \"INBOX\"/I7 \"/private\""),
    V("a SETMETADATA INBOX (/private/comment \"My new comment\")", "a",
      "SETMETADATA \"INBOX\"/I7 \"/private/comment\"=\"My new comment\""),
    V("a SETMETADATA INBOX (/private/comment {33}\r\nMy new comment "
      "across\r\ntwo lines.)",
      "a",
      "SETMETADATA lit=L \"INBOX\"/I7 \"/private/comment\"=\"My new comment "
      "across\\x0d\\x0atwo lines.\""),
    V("a SETMETADATA INBOX (/private/comment NIL)", "a",
      "SETMETADATA \"INBOX\"/I7 \"/private/comment\"=NIL"),
    V("a SETMETADATA \"\" (/shared/vendor/x ~{2}\r\n\x00\x01 /shared/y \"\")",
      "a",
      "SETMETADATA lit=L8 \"\"/7 \"/shared/vendor/x\"=~\"\\x00\\x01\" "
      "\"/shared/y\"=\"\""),
    /* SORT and THREAD (RFC 5256 §3, §4) */
    V("A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994", "A282",
      "SORT sort=SUBJECT charset=\"UTF-8\" (AND SINCE:1994-02-01)"),
    V("A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL", "A283",
      "SORT sort=SUBJECT,-DATE charset=\"UTF-8\" (AND ALL)"),
    V("A284 SORT (SUBJECT) US-ASCII TEXT \"not in mailbox\"", "A284",
      "SORT sort=SUBJECT charset=\"US-ASCII\" (AND TEXT:\"not in mailbox\")"),
    V("A285 UID SORT (REVERSE ARRIVAL CC FROM SIZE TO DISPLAYFROM "
      "DISPLAYTO) UTF-8 UNSEEN",
      "A285",
      "SORT UID sort=-ARRIVAL,CC,FROM,SIZE,TO,DISPLAYFROM,DISPLAYTO "
      "charset=\"UTF-8\" (AND UNSEEN)"),
    V("A286 SORT RETURN (MIN) (DATE) UTF-8 ALL", "A286",
      "SORT ret=01 sort=DATE charset=\"UTF-8\" (AND ALL)"),
    V("A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000", "A283",
      "THREAD alg=ORDEREDSUBJECT charset=\"UTF-8\" (AND SINCE:2000-03-05)"),
    V("A284 THREAD ORDEREDSUBJECT US-ASCII TEXT \"gewp\"", "A284",
      "THREAD alg=ORDEREDSUBJECT charset=\"US-ASCII\" (AND TEXT:\"gewp\")"),
    V("A285 UID THREAD REFERENCES US-ASCII ALL", "A285",
      "THREAD UID alg=REFERENCES charset=\"US-ASCII\" (AND ALL)"),
    /* WITHIN (RFC 5032), OBJECTID (RFC 8474), SAVEDATE (RFC 8514),
     * PREVIEW (RFC 8970), Gmail */
    V("a SEARCH YOUNGER 3600 OLDER 60", "a",
      "SEARCH (AND YOUNGER:3600 OLDER:60)"),
    V("a SEARCH EMAILID M6d99ac3275bb4e THREADID T64b478a75b7ea9", "a",
      "SEARCH (AND EMAILID:\"M6d99ac3275bb4e\" THREADID:\"T64b478a75b7ea9\")"),
    V("a SEARCH SAVEDBEFORE 1-Jan-2020 SAVEDON 2-Jan-2020 SAVEDSINCE "
      "3-Jan-2020 SAVEDATESUPPORTED",
      "a",
      "SEARCH (AND SAVEDBEFORE:2020-01-01 SAVEDON:2020-01-02 "
      "SAVEDSINCE:2020-01-03 SAVEDATESUPPORTED)"),
    V("a FETCH 1 (EMAILID THREADID SAVEDATE PREVIEW)", "a",
      "FETCH 1 [EMAILID THREADID SAVEDATE PREVIEW]"),
    V("a FETCH 1:3 (PREVIEW (LAZY))", "a", "FETCH 1:3 [PREVIEW(LAZY)]"),
    V("a FETCH 1:3 PREVIEW (CHANGEDSINCE 5)", "a",
      "FETCH 1:3 [PREVIEW] CHANGEDSINCE=5"),
    V("a FETCH 1 (X-GM-MSGID X-GM-THRID X-GM-LABELS)", "a",
      "FETCH 1 [X-GM-MSGID X-GM-THRID X-GM-LABELS]"),
};

static void test_extension_examples(void **state)
{
    (void)state;
    run_vecs(extensions, sizeof extensions / sizeof extensions[0]);
}

/* ---- FETCH items in detail -------------------------------------------------- */

static void test_fetch_items(void **state)
{
    (void)state;
    OK("a FETCH 1 ALL", "a",
       "FETCH 1 macro=1 [FLAGS INTERNALDATE RFC822.SIZE ENVELOPE]");
    OK("a FETCH 1 fast", "a", "FETCH 1 macro=2 [FLAGS INTERNALDATE RFC822.SIZE]");
    OK("a FETCH 1 FULL (CHANGEDSINCE 7)", "a",
       "FETCH 1 macro=3 [FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY] "
       "CHANGEDSINCE=7");
    OK("a FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE "
       "BODYSTRUCTURE)",
       "a",
       "FETCH 1:* [UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE]");
    OK("a FETCH 1 (RFC822 RFC822.HEADER RFC822.TEXT BODY)", "a",
       "FETCH 1 [RFC822 RFC822.HEADER RFC822.TEXT BODY]");
    OK("a FETCH 1 (BODY[] BODY.PEEK[]<0.1024>)", "a",
       "FETCH 1 [BODY[]{|} BODY[].PEEK{|}<0.1024>]");
    OK("a FETCH 1 BODY[1.2.3.MIME]", "a", "FETCH 1 [BODY[]{1.2.3.MIME|1.2.3.MIME}]");
    OK("a FETCH 1 BODY[4.2.TEXT]<10.20>", "a",
       "FETCH 1 [BODY[]{4.2.TEXT|4.2.TEXT}<10.20>]");
    OK("a FETCH 1 BODY[2.HEADER.FIELDS.NOT (Received \"X-Spam\" {3}\r\nA-B)]",
       "a",
       "FETCH lit=L 1 [BODY[]{2.HEADER.FIELDS.NOT \"Received\",\"X-Spam\","
       "\"A-B\"|2.HEADER.FIELDS.NOT (Received \"X-Spam\" {3}\r\nA-B)}]");
    OK("a FETCH 1 (BODY.PEEK[HEADER.FIELDS (A)] BODY[HEADER.FIELDS (B C)] "
       "FLAGS BODY.PEEK[HEADER.FIELDS.NOT (D)])",
       "a",
       "FETCH 1 [BODY[].PEEK{HEADER.FIELDS \"A\"|HEADER.FIELDS (A)} "
       "BODY[]{HEADER.FIELDS \"B\",\"C\"|HEADER.FIELDS (B C)} FLAGS "
       "BODY[].PEEK{HEADER.FIELDS.NOT \"D\"|HEADER.FIELDS.NOT (D)}]");
    /* the field arrays are each item's own */
    assert_int_equal(cmd.u.fetch.items[0].nfields, 1);
    assert_int_equal(cmd.u.fetch.items[1].nfields, 2);
    assert_int_equal(cmd.u.fetch.items[3].nfields, 1);
    assert_memory_equal(cmd.u.fetch.items[3].fields[0].ptr, "D", 1);
    /* partial with 63-bit numbers (RFC 9051 number64) */
    OK("a FETCH 1 BODY[]<9223372036854775807.1>", "a",
       "FETCH 1 [BODY[]{|}<9223372036854775807.1>]");
    /* lower case everywhere */
    OK("a uid fetch 1 (body.peek[header.fields (from)] binary.peek[1] "
       "rfc822.size)",
       "a",
       "FETCH UID 1 [BODY[].PEEK{HEADER.FIELDS \"from\"|header.fields "
       "(from)} BINARY.PEEK{1|1} RFC822.SIZE]");
    OK("a UID FETCH 1 (UID) (VANISHED CHANGEDSINCE 3)", "a",
       "FETCH UID 1 [UID] CHANGEDSINCE=3 VANISHED");
    /* ... but VANISHED only with UID FETCH: the check is above */

    /* header-field lists of 32 names (kept on the stack) and of 33 (read
     * again after the items): the same names either way, each item with
     * its own array */
    {
        static char buf[4096];
        unsigned nf, i;
        for (nf = 31; nf <= 34; nf++) {
            size_t k = (size_t)snprintf(buf, sizeof buf,
                                        "a FETCH 1 (UID BODY.PEEK[HEADER.FIELDS (");
            for (i = 0; i < nf; i++)
                k += (size_t)snprintf(buf + k, sizeof buf - k, "%sX-F%u",
                                      i ? " " : "", i);
            k += (size_t)snprintf(buf + k, sizeof buf - k,
                                  ")] BODY[HEADER.FIELDS (\"Q\\\"\" R)] FLAGS)");
            assert_int_equal(parse_x(buf, k, 0, 0), MW_OK);
            assert_int_equal(cmd.u.fetch.nitems, 4);
            assert_int_equal(cmd.u.fetch.items[1].nfields, nf);
            for (i = 0; i < nf; i++) {
                char name[16];
                int m = snprintf(name, sizeof name, "X-F%u", i);
                assert_int_equal(cmd.u.fetch.items[1].fields[i].len, (size_t)m);
                assert_memory_equal(cmd.u.fetch.items[1].fields[i].ptr, name,
                                    (size_t)m);
            }
            assert_int_equal(cmd.u.fetch.items[2].nfields, 2);
            assert_int_equal(cmd.u.fetch.items[2].fields[0].len, 2);
            assert_memory_equal(cmd.u.fetch.items[2].fields[0].ptr, "Q\"", 2);
            assert_memory_equal(cmd.u.fetch.items[2].fields[1].ptr, "R", 1);
            assert_int_equal(cmd.u.fetch.items[3].att, MW_IMAP_FA_FLAGS);
        }
    }
}

/* ---- search keys in detail -------------------------------------------------- */

static void test_search_keys(void **state)
{
    (void)state;
    OK("a SEARCH ALL ANSWERED BCC b BEFORE 1-Jan-2000 BODY x CC c DELETED "
       "DRAFT FLAGGED FROM f HEADER X-H v KEYWORD $Forwarded LARGER 10 NEW "
       "OLD ON 31-Dec-1999 RECENT SEEN SENTBEFORE 2-Feb-2002 SENTON "
       "3-Mar-2003 SENTSINCE 4-Apr-2004 SINCE 5-May-2005 SMALLER 20 SUBJECT "
       "s TEXT t TO to UID 1:5,7 UNANSWERED UNDELETED UNDRAFT UNFLAGGED "
       "UNKEYWORD Junk UNSEEN 1,2:*",
       "a",
       "SEARCH (AND ALL ANSWERED BCC:\"b\" BEFORE:2000-01-01 BODY:\"x\" "
       "CC:\"c\" DELETED DRAFT FLAGGED FROM:\"f\" HEADER:\"X-H\"=\"v\" "
       "KEYWORD:\"$Forwarded\" LARGER:10 NEW OLD ON:1999-12-31 RECENT SEEN "
       "SENTBEFORE:2002-02-02 SENTON:2003-03-03 SENTSINCE:2004-04-04 "
       "SINCE:2005-05-05 SMALLER:20 SUBJECT:\"s\" TEXT:\"t\" TO:\"to\" "
       "UID:1:5,7 UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNKEYWORD:\"Junk\" "
       "UNSEEN SET:1,2:*)");
    OK("a SEARCH OR (FROM \"a\" SUBJECT \"b\") (TO c HEADER \"X-Foo\" \"\")",
       "a",
       "SEARCH (AND (OR (AND FROM:\"a\" SUBJECT:\"b\") (AND TO:\"c\" "
       "HEADER:\"X-Foo\"=\"\")))");
    OK("a SEARCH NOT NOT (OR OR SEEN DRAFT NOT DELETED ((ALL)))", "a",
       "SEARCH (AND (NOT (NOT (AND (OR (OR SEEN DRAFT) (NOT DELETED)) (AND "
       "(AND ALL))))))");
    OK("a SEARCH OR SEEN (DELETED) UNSEEN", "a",
       "SEARCH (AND (OR SEEN (AND DELETED)) UNSEEN)");
    OK("a SEARCH BEFORE \"1-Feb-1994\" SENTSINCE \"01-Feb-1994\"", "a",
       "SEARCH (AND BEFORE:1994-02-01 SENTSINCE:1994-02-01)");
    OK("a SEARCH LARGER 9223372036854775807", "a",
       "SEARCH (AND LARGER:9223372036854775807)");
    OK("a SEARCH MODSEQ \"/flags/$Label1\" priv 0", "a",
       "SEARCH (AND MODSEQ:\"/flags/$Label1\"/priv/0)");
    OK("a SEARCH MODSEQ \"/FLAGS/x\" SHARED 9223372036854775807", "a",
       "SEARCH (AND MODSEQ:\"/FLAGS/x\"/shared/9223372036854775807)");
    OK("a SEARCH SUBJECT {5+}\r\nhe)(o", "a",
       "SEARCH lit=L+ (AND SUBJECT:\"he)(o\")");
    /* 8-bit in a quoted string only with UTF8=ACCEPT (RFC 6855 §3) */
    BAD("a SEARCH CHARSET \"UTF-8\" SUBJECT \"caf\xc3\xa9\"", MW_E_SYNTAX,
        37, "a");
    OKF("a SEARCH CHARSET \"UTF-8\" SUBJECT \"caf\xc3\xa9\"",
        MW__IMAP_LEX_UTF8, "a",
        "SEARCH charset=\"UTF-8\" (AND SUBJECT:\"caf\\xc3\\xa9\")");
    /* a key that happens to be a keyword's prefix is not that keyword */
    BAD("a SEARCH UNSEENX", MW_E_SYNTAX, 9, "a");
    BAD("a SEARCH CHARSETX x ALL", MW_E_SYNTAX, 9, "a");
}

/* ---- the fast scanners and keyword matchers (server_cmd_int.h) -------------- */

/* What ends a run of each kind, from the tables (not from the SIMD code
 * under test). */
static int ref_stop(unsigned char c, int kind)
{
    switch (kind) {
    case MW__SC_WORD:
        return !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                 (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                 c == '=');
    case MW__SC_ASTR: return !(mw__imap_cclass[c] & MW__IMAP_C_ASTRING);
    case MW__SC_TAG: return !(mw__imap_cclass[c] & MW__IMAP_C_TAG);
    default: return c == ' ' || c == ')' || c == '[';
    }
}

/* Every byte value in every lane: sixteen-byte loads from the start of a
 * run, loads that end at the frame's end (a run starting less than 16
 * bytes before it), and the byte loop of frames under 16 bytes. */
static void test_scanners(void **state)
{
    static const struct {
        size_t flen, qoff;
    } shapes[] = {{40, 0}, {40, 3}, {40, 30}, {40, 39}, {40, 40},
                  {16, 0}, {16, 9}, {17, 16}, {10, 0}, {10, 4}};
    char buf[64];
    int kind;
    unsigned c;
    size_t sh, pos;
    (void)state;
    for (kind = MW__SC_WORD; kind <= MW__SC_TOK; kind++) {
        for (c = 0; c < 256; c++) {
            for (sh = 0; sh < sizeof shapes / sizeof shapes[0]; sh++) {
                for (pos = 0; pos < shapes[sh].flen; pos++) {
                    const char *q = buf + shapes[sh].qoff;
                    const char *e = buf + shapes[sh].flen, *r = q, *got;
                    memset(buf, 'a', sizeof buf);
                    buf[pos] = (char)c;
                    while (r < e && !ref_stop((unsigned char)*r, kind))
                        r++;
                    got = mw__imap_sc_scan(q, e, buf, kind);
                    if (got != r)
                        fail_msg("kind %d byte %02x at %zu (frame %zu, "
                                 "from %zu): got %td, want %td",
                                 kind, c, pos, shapes[sh].flen,
                                 shapes[sh].qoff, got - buf, r - buf);
                }
            }
        }
    }
    /* digits, eight at a time */
    for (c = 0; c < 256; c++) {
        for (pos = 0; pos < 24; pos++) {
            size_t flen;
            for (flen = pos; flen <= 24; flen += 7) {
                const char *r = buf;
                memset(buf, '7', sizeof buf);
                buf[pos] = (char)c;
                while (r < buf + flen && *r >= '0' && *r <= '9')
                    r++;
                assert_ptr_equal(mw__imap_sc_digits_end(buf, buf + flen), r);
            }
        }
    }
}

/* The word at p equals kw (upper case, n bytes) as "read the run of
 * keyword characters, compare without case" does it. */
static int ref_kw(const char *p, const char *e, const char *kw, size_t n)
{
    size_t len = 0, i;
    while (p + len < e && !ref_stop((unsigned char)p[len], MW__SC_WORD))
        len++;
    if (len != n)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch >= 'a' && ch <= 'z')
            ch = (unsigned char)(ch - 32);
        if (ch != (unsigned char)kw[i])
            return 0;
    }
    return 1;
}

static void test_keyword_match(void **state)
{
    static const char *const kws[] = {
        "UID", "BODY", "BODY.PEEK", "BODYSTRUCTURE", "RFC822.SIZE",
        "X-GM-MSGID", "HEADER.FIELDS.NOT", "SAVEDATESUPPORTED", "INTERNALDATE",
        "CC", "OR", "ON", "FLAGS.SILENT", "UNCHANGEDSINCE", "DELETED-STORAGE",
        "GETQUOTAROOT", "ENVELOPE", "A"};
    static const char suffix[] = " )[<>.-_=x0\x80\xff\"(]";
    char buf[96];
    uint32_t rng = 12345;
    size_t k, v, off, sfx, i;
    (void)state;
    for (k = 0; k < sizeof kws / sizeof kws[0]; k++) {
        const char *kw = kws[k];
        size_t n = strlen(kw);
        for (v = 0; v < 64; v++) {
            for (off = 0; off < 24; off++) {
                for (sfx = 0; sfx <= sizeof suffix - 1; sfx++) {
                    /* the frame: off bytes, the candidate, one suffix
                     * byte or none (the frame ends), then more bytes that
                     * lie outside the frame */
                    const char *p = buf + off, *e;
                    memset(buf, 'Z', sizeof buf);
                    for (i = 0; i < n; i++) {
                        char ch = kw[i];
                        rng = rng * 1103515245u + 12345u;
                        if (ch >= 'A' && ch <= 'Z' && ((rng >> 16) & 1u))
                            ch = (char)(ch + 32);
                        buf[off + i] = ch;
                    }
                    if (v >= 32) {
                        /* one byte changed: case bit of any byte, or a
                         * letter for another */
                        size_t at = (v - 32) % n;
                        buf[off + at] = (char)(v & 1 ? buf[off + at] ^ 0x20
                                                     : buf[off + at] + 1);
                    }
                    if (sfx < sizeof suffix - 1) {
                        buf[off + n] = suffix[sfx];
                        e = buf + off + n + 1;
                    } else {
                        e = buf + off + n;
                    }
                    if (mw__imap_sc_kwis(p, e, buf, kw, n) !=
                        ref_kw(p, e, kw, n))
                        fail_msg("%s: variant %zu at %zu, suffix %zu", kw, v,
                                 off, sfx);
                }
            }
        }
    }
}

/* Every name the fast matchers know, in any case, lands where the tables
 * put it. */
static void test_keyword_tables(void **state)
{
    static const struct {
        const char *name;
        int id;
    } cmds[] = {
        {"capability", MW_IMAP_CMD_CAPABILITY}, {"noop", MW_IMAP_CMD_NOOP},
        {"logout", MW_IMAP_CMD_LOGOUT}, {"starttls", MW_IMAP_CMD_STARTTLS},
        {"authenticate", MW_IMAP_CMD_AUTHENTICATE},
        {"login", MW_IMAP_CMD_LOGIN}, {"enable", MW_IMAP_CMD_ENABLE},
        {"select", MW_IMAP_CMD_SELECT}, {"examine", MW_IMAP_CMD_EXAMINE},
        {"create", MW_IMAP_CMD_CREATE}, {"delete", MW_IMAP_CMD_DELETE},
        {"rename", MW_IMAP_CMD_RENAME}, {"subscribe", MW_IMAP_CMD_SUBSCRIBE},
        {"unsubscribe", MW_IMAP_CMD_UNSUBSCRIBE}, {"list", MW_IMAP_CMD_LIST},
        {"lsub", MW_IMAP_CMD_LSUB}, {"namespace", MW_IMAP_CMD_NAMESPACE},
        {"status", MW_IMAP_CMD_STATUS}, {"append", MW_IMAP_CMD_APPEND},
        {"idle", MW_IMAP_CMD_IDLE}, {"check", MW_IMAP_CMD_CHECK},
        {"close", MW_IMAP_CMD_CLOSE}, {"unselect", MW_IMAP_CMD_UNSELECT},
        {"expunge", MW_IMAP_CMD_EXPUNGE}, {"search", MW_IMAP_CMD_SEARCH},
        {"fetch", MW_IMAP_CMD_FETCH}, {"store", MW_IMAP_CMD_STORE},
        {"copy", MW_IMAP_CMD_COPY}, {"move", MW_IMAP_CMD_MOVE},
        {"id", MW_IMAP_CMD_ID}, {"compress", MW_IMAP_CMD_COMPRESS},
        {"getquota", MW_IMAP_CMD_GETQUOTA},
        {"getquotaroot", MW_IMAP_CMD_GETQUOTAROOT},
        {"setquota", MW_IMAP_CMD_SETQUOTA}, {"sort", MW_IMAP_CMD_SORT},
        {"thread", MW_IMAP_CMD_THREAD},
        {"getmetadata", MW_IMAP_CMD_GETMETADATA},
        {"setmetadata", MW_IMAP_CMD_SETMETADATA},
        {"done", MW_IMAP_CMD_OTHER}, {"noopx", MW_IMAP_CMD_OTHER}};
    static const struct {
        const char *name;
        int att;
    } atts[] = {{"uid", MW_IMAP_FA_UID}, {"flags", MW_IMAP_FA_FLAGS},
                {"internaldate", MW_IMAP_FA_INTERNALDATE},
                {"rfc822.size", MW_IMAP_FA_RFC822_SIZE},
                {"envelope", MW_IMAP_FA_ENVELOPE}, {"body", MW_IMAP_FA_BODY},
                {"bodystructure", MW_IMAP_FA_BODYSTRUCTURE},
                {"modseq", MW_IMAP_FA_MODSEQ}, {"emailid", MW_IMAP_FA_EMAILID},
                {"threadid", MW_IMAP_FA_THREADID},
                {"preview", MW_IMAP_FA_PREVIEW},
                {"savedate", MW_IMAP_FA_SAVEDATE},
                {"binary.size[1]", MW_IMAP_FA_BINARY_SIZE},
                {"x-gm-msgid", MW_IMAP_FA_X_GM_MSGID},
                {"x-gm-thrid", MW_IMAP_FA_X_GM_THRID},
                {"x-gm-labels", MW_IMAP_FA_X_GM_LABELS},
                {"binary[1]", MW_IMAP_FA_BINARY},
                {"binary.peek[1]", MW_IMAP_FA_BINARY},
                {"rfc822", MW_IMAP_FA_RFC822},
                {"rfc822.header", MW_IMAP_FA_RFC822_HEADER},
                {"rfc822.text", MW_IMAP_FA_RFC822_TEXT},
                {"body[text]", MW_IMAP_FA_BODY_SECTION},
                {"body.peek[header]", MW_IMAP_FA_BODY_SECTION}};
    static const char *const keys[] = {
        "ALL", "ANSWERED", "BCC x", "BEFORE 1-Jan-2000", "BODY x", "CC x",
        "DELETED", "DRAFT", "EMAILID M1", "FLAGGED", "FROM x", "HEADER a b",
        "KEYWORD k", "LARGER 1", "MODSEQ 1", "NOT ALL", "NEW", "OR ALL ALL",
        "ON 1-Jan-2000", "OLD", "OLDER 1", "RECENT", "SEEN",
        "SINCE 1-Jan-2000", "SUBJECT x", "SMALLER 1", "SENTON 1-Jan-2000",
        "SENTSINCE 1-Jan-2000", "SENTBEFORE 1-Jan-2000",
        "SAVEDON 1-Jan-2000", "SAVEDSINCE 1-Jan-2000",
        "SAVEDBEFORE 1-Jan-2000", "SAVEDATESUPPORTED", "TO x", "TEXT x",
        "THREADID T1", "UID 1", "UNSEEN", "UNDELETED", "UNFLAGGED",
        "UNANSWERED", "UNDRAFT", "UNKEYWORD k", "YOUNGER 1"};
    char buf[128];
    size_t i, j;
    int pass;
    (void)state;
    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
            int n = snprintf(buf, sizeof buf, "t1 %s x", cmds[i].name);
            if (pass == 1)
                for (j = 3; buf[j] != ' '; j++)
                    buf[j] = (char)(buf[j] & ~0x20);
            (void)parse_x(buf, (size_t)n, 0, 0);
            if (cmd.id != cmds[i].id)
                fail_msg("%s: id %d, want %d", buf, cmd.id, cmds[i].id);
        }
        for (i = 0; i < sizeof atts / sizeof atts[0]; i++) {
            int n = snprintf(buf, sizeof buf, "t1 FETCH 1 (%s FLAGS)",
                             atts[i].name);
            if (pass == 1)
                for (j = 0; j < (size_t)n; j++)
                    if (buf[j] >= 'a' && buf[j] <= 'z')
                        buf[j] = (char)(buf[j] - 32);
            if (parse_x(buf, (size_t)n, 0, 0) != MW_OK)
                fail_msg("%s: %s", buf, err.reason);
            assert_int_equal(cmd.u.fetch.nitems, 2);
            assert_int_equal(cmd.u.fetch.items[0].att, atts[i].att);
            assert_int_equal(cmd.u.fetch.items[1].att, MW_IMAP_FA_FLAGS);
        }
        for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            int n = snprintf(buf, sizeof buf, "t1 SEARCH %s SEEN", keys[i]);
            if (pass == 1)
                for (j = 0; j < (size_t)n; j++)
                    if (buf[j] >= 'A' && buf[j] <= 'Z')
                        buf[j] = (char)(buf[j] + 32);
            if (parse_x(buf, (size_t)n, 0, 0) != MW_OK)
                fail_msg("%s: %s", buf, err.reason);
            assert_non_null(cmd.u.search.root->first);
        }
    }
}

/* ---- errors: status and offset ------------------------------------------------ */

static void test_errors(void **state)
{
    (void)state;
    /* tags */
    BAD("", MW_E_SYNTAX, 0, NULL);
    BAD(" NOOP", MW_E_SYNTAX, 0, NULL);
    BAD("+ NOOP", MW_E_SYNTAX, 0, NULL);
    BAD("a+b NOOP", MW_E_SYNTAX, 1, NULL);
    BAD("a(b NOOP", MW_E_SYNTAX, 1, NULL);
    BAD("a%b NOOP", MW_E_SYNTAX, 1, NULL);
    BAD("a*b NOOP", MW_E_SYNTAX, 1, NULL);
    BAD("a\"b NOOP", MW_E_SYNTAX, 1, NULL);
    BAD("a{b NOOP", MW_E_SYNTAX, 1, NULL);
    /* NUL, CR and LF have statuses of their own (the reason names the
     * place; the status, not the reason's text, tells them apart) */
    BAD("a\x00 NOOP", MW_E_NUL, 1, NULL);
    assert_string_equal(err.reason, R_("NUL in tag"));
    BAD("a\rb NOOP", MW_E_BARE_CR, 1, NULL);
    assert_string_equal(err.reason, R_("CR in tag"));
    BAD("a\nb NOOP", MW_E_BARE_LF, 1, NULL);
    assert_string_equal(err.reason, R_("LF in tag"));
    BAD("a\xc3\xa9 NOOP", MW_E_SYNTAX, 1, NULL);
    /* "]" is an ASTRING-CHAR and therefore a tag char (RFC 9051 §9) */
    OK("a] NOOP", "a]", "NOOP");
    BAD("a1", MW_E_SYNTAX, 2, "a1");
    BAD("a1 ", MW_E_SYNTAX, 3, "a1");
    /* exactly one SP */
    BAD("a1  NOOP", MW_E_SYNTAX, 3, "a1");
    BAD("a1 NOOP ", MW_E_SYNTAX, 7, "a1");
    BAD("a1 LOGIN  u p", MW_E_SYNTAX, 9, "a1");
    BAD("a1 LOGIN u  p", MW_E_SYNTAX, 11, "a1");
    BAD("a1 FETCH 1  FLAGS", MW_E_SYNTAX, 11, "a1");
    BAD("a1 FETCH 1 (FLAGS  UID)", MW_E_SYNTAX, 18, "a1");
    BAD("a1 FETCH 1 ( FLAGS)", MW_E_SYNTAX, 12, "a1");
    BAD("a1 SEARCH ( ALL)", MW_E_SYNTAX, 11, "a1");
    BAD("a1 SEARCH (ALL )", MW_E_SYNTAX, 15, "a1");
    BAD("a1 NOOP\t", MW_E_SYNTAX, 7, "a1");
    /* arguments where none belong, missing arguments */
    BAD("a1 NOOP x", MW_E_SYNTAX, 7, "a1");
    assert_int_equal(cmd.id, MW_IMAP_CMD_NOOP);
    BAD("a1 LOGOUT x", MW_E_SYNTAX, 9, "a1");
    BAD("a1 LOGIN u", MW_E_SYNTAX, 10, "a1");
    assert_int_equal(cmd.id, MW_IMAP_CMD_LOGIN);
    BAD("a1 SELECT", MW_E_SYNTAX, 9, "a1");
    BAD("a1 SELECT INBOX x", MW_E_SYNTAX, 16, "a1");
    BAD("a1 SELECT INBOX (FOO)", MW_E_SYNTAX, 17, "a1");
    BAD("a1 SELECT INBOX (CONDSTORE CONDSTORE)", MW_E_SYNTAX, 27, "a1");
    BAD("a1 SELECT INBOX ()", MW_E_SYNTAX, 17, "a1");
    BAD("a1 SELECT INBOX (QRESYNC (0 1))", MW_E_SYNTAX, 26, "a1");
    BAD("a1 SELECT INBOX (QRESYNC (1 0))", MW_E_SYNTAX, 28, "a1");
    BAD("a1 SELECT INBOX (QRESYNC (1 2 1:*))", MW_E_SYNTAX, 30, "a1");
    BAD("a1 SELECT INBOX (QRESYNC (1 2 $))", MW_E_SYNTAX, 30, "a1");
    /* UID with something else */
    BAD("a1 UID LOGIN a b", MW_E_SYNTAX, 7, "a1");
    assert_int_equal(cmd.flags & MW_IMAP_CMDF_UID, MW_IMAP_CMDF_UID);
    BAD("a1 UID", MW_E_SYNTAX, 6, "a1");
    BAD("a1 UID  FETCH 1 UID", MW_E_SYNTAX, 7, "a1");
    /* FETCH */
    BAD("a1 FETCH 1", MW_E_SYNTAX, 10, "a1");
    BAD("a1 FETCH 0 FLAGS", MW_E_SYNTAX, 9, "a1");
    BAD("a1 FETCH 1 ()", MW_E_SYNTAX, 12, "a1");
    BAD("a1 FETCH 1 (FLAGS", MW_E_SYNTAX, 17, "a1");
    BAD("a1 FETCH 1 FOO", MW_E_SYNTAX, 11, "a1");
    BAD("a1 FETCH 1 (FLAGS FOO)", MW_E_SYNTAX, 18, "a1");
    BAD("a1 FETCH 1 BODY.PEEK", MW_E_SYNTAX, 20, "a1");
    BAD("a1 FETCH 1 BODY[", MW_E_SYNTAX, 16, "a1");
    BAD("a1 FETCH 1 BODY[0]", MW_E_SYNTAX, 16, "a1");
    BAD("a1 FETCH 1 BODY[1.]", MW_E_SYNTAX, 18, "a1");
    BAD("a1 FETCH 1 BODY[FOO]", MW_E_SYNTAX, 16, "a1");
    BAD("a1 FETCH 1 BODY[MIME]", MW_E_SYNTAX, 16, "a1");
    BAD("a1 FETCH 1 BODY[HEADER.FIELDS]", MW_E_SYNTAX, 29, "a1");
    BAD("a1 FETCH 1 BODY[HEADER.FIELDS ()]", MW_E_SYNTAX, 31, "a1");
    BAD("a1 FETCH 1 BINARY[HEADER]", MW_E_SYNTAX, 18, "a1");
    BAD("a1 FETCH 1 BINARY[1.TEXT]", MW_E_SYNTAX, 20, "a1");
    BAD("a1 FETCH 1 BINARY.SIZE[1]<0.1>", MW_E_SYNTAX, 25, "a1");
    BAD("a1 FETCH 1 BODY[]<0.0>", MW_E_SYNTAX, 20, "a1");
    BAD("a1 FETCH 1 BODY[]<1>", MW_E_SYNTAX, 19, "a1");
    BAD("a1 FETCH 1 BODY[]<1.2", MW_E_SYNTAX, 21, "a1");
    BAD("a1 FETCH 1 ALL FLAGS", MW_E_SYNTAX, 15, "a1");
    BAD("a1 FETCH 1 (ALL)", MW_E_SYNTAX, 12, "a1");
    BAD("a1 FETCH 1 FLAGS (FOO 1)", MW_E_SYNTAX, 18, "a1");
    BAD("a1 FETCH 1 FLAGS (CHANGEDSINCE 0)", MW_E_SYNTAX, 31, "a1");
    BAD("a1 FETCH 1 FLAGS (CHANGEDSINCE 1 CHANGEDSINCE 2)", MW_E_SYNTAX, 33,
        "a1");
    BAD("a1 FETCH 1 FLAGS (VANISHED)", MW_E_SYNTAX, 27, "a1");
    BAD("a1 UID FETCH 1 FLAGS (VANISHED)", MW_E_SYNTAX, 31, "a1");
    BAD("a1 FETCH 1 (PREVIEW (FOO))", MW_E_SYNTAX, 20, "a1");
    BAD("a1 FETCH 1 (PREVIEW (LAZY FOO))", MW_E_SYNTAX, 26, "a1");
    /* STORE */
    BAD("a1 STORE 1 FLAGS", MW_E_SYNTAX, 16, "a1");
    BAD("a1 STORE 1 *FLAGS (\\Seen)", MW_E_SYNTAX, 11, "a1");
    BAD("a1 STORE 1 +FLAGS.LOUD (\\Seen)", MW_E_SYNTAX, 12, "a1");
    BAD("a1 STORE 1 +FLAGS (\\Seen", MW_E_SYNTAX, 24, "a1");
    BAD("a1 STORE 1 +FLAGS (\\*)", MW_E_SYNTAX, 20, "a1");
    BAD("a1 STORE 1 +FLAGS \\Seen  \\Draft", MW_E_SYNTAX, 24, "a1");
    BAD("a1 STORE 1 (UNCHANGEDSINCE) +FLAGS x", MW_E_SYNTAX, 26, "a1");
    BAD("a1 STORE 1 (FOO 1) +FLAGS x", MW_E_SYNTAX, 12, "a1");
    /* SEARCH */
    BAD("a1 SEARCH", MW_E_SYNTAX, 9, "a1");
    BAD("a1 SEARCH FOO", MW_E_SYNTAX, 10, "a1");
    BAD("a1 SEARCH ()", MW_E_SYNTAX, 11, "a1");
    BAD("a1 SEARCH (ALL", MW_E_SYNTAX, 14, "a1");
    BAD("a1 SEARCH ALL)", MW_E_SYNTAX, 13, "a1");
    BAD("a1 SEARCH OR ALL", MW_E_SYNTAX, 16, "a1");
    BAD("a1 SEARCH (OR ALL)", MW_E_SYNTAX, 17, "a1");
    BAD("a1 SEARCH NOT", MW_E_SYNTAX, 13, "a1");
    BAD("a1 SEARCH FROM", MW_E_SYNTAX, 14, "a1");
    BAD("a1 SEARCH SINCE 30-Feb-1994", MW_E_DATE, 16, "a1");
    BAD("a1 SEARCH SINCE 1-Foo-1994", MW_E_SYNTAX, 18, "a1");
    BAD("a1 SEARCH LARGER x", MW_E_SYNTAX, 17, "a1");
    BAD("a1 SEARCH UID", MW_E_SYNTAX, 13, "a1");
    BAD("a1 SEARCH UID 0", MW_E_SYNTAX, 14, "a1");
    BAD("a1 SEARCH MODSEQ \"/flags/x\" bogus 5", MW_E_SYNTAX, 28, "a1");
    BAD("a1 SEARCH MODSEQ \"/other/x\" all 5", MW_E_SYNTAX, 17, "a1");
    BAD("a1 SEARCH MODSEQ \"/flags/\" all 5", MW_E_SYNTAX, 17, "a1");
    BAD("a1 SEARCH RETURN (FOO) ALL", MW_E_SYNTAX, 18, "a1");
    BAD("a1 SEARCH RETURN ALL", MW_E_SYNTAX, 17, "a1");
    BAD("a1 SEARCH CHARSET", MW_E_SYNTAX, 10, "a1");
    BAD("a1 SEARCH CHARSET UTF-8", MW_E_SYNTAX, 23, "a1");
    BAD("a1 SEARCH OLDER 0", MW_E_SYNTAX, 16, "a1");
    BAD("a1 SEARCH EMAILID a.b", MW_E_SYNTAX, 19, "a1");
    BAD("a1 SORT (FOO) UTF-8 ALL", MW_E_SYNTAX, 9, "a1");
    BAD("a1 SORT (REVERSE) UTF-8 ALL", MW_E_SYNTAX, 9, "a1");
    BAD("a1 SORT () UTF-8 ALL", MW_E_SYNTAX, 9, "a1");
    BAD("a1 SORT (DATE) ALL", MW_E_SYNTAX, 18, "a1");
    BAD("a1 THREAD REFERENCES UTF-8", MW_E_SYNTAX, 26, "a1");
    /* LIST */
    BAD("a1 LIST \"\"", MW_E_SYNTAX, 10, "a1");
    BAD("a1 LIST (FOO) \"\" *", MW_E_SYNTAX, 9, "a1");
    BAD("a1 LIST (RECURSIVEMATCH) \"\" *", MW_E_SYNTAX, 8, "a1");
    BAD("a1 LIST (REMOTE RECURSIVEMATCH) \"\" *", MW_E_SYNTAX, 8, "a1");
    BAD("a1 LIST \"\" * RETURN (FOO)", MW_E_SYNTAX, 21, "a1");
    BAD("a1 LIST \"\" * RETURN (STATUS ())", MW_E_SYNTAX, 29, "a1");
    BAD("a1 LIST \"\" * RETURN (STATUS (FOO))", MW_E_SYNTAX, 29, "a1");
    BAD("a1 LIST \"\" * RETURN (STATUS (UNSEEN) STATUS (UNSEEN))",
        MW_E_SYNTAX, 37, "a1");
    BAD("a1 LIST \"\" * FOO (X)", MW_E_SYNTAX, 13, "a1");
    BAD("a1 LIST \"\" ()", MW_E_SYNTAX, 12, "a1");
    BAD("a1 LSUB \"\" (a b)", MW_E_SYNTAX, 11, "a1");
    /* STATUS */
    BAD("a1 STATUS INBOX ()", MW_E_SYNTAX, 17, "a1");
    BAD("a1 STATUS INBOX (FOO)", MW_E_SYNTAX, 17, "a1");
    BAD("a1 STATUS INBOX MESSAGES", MW_E_SYNTAX, 16, "a1");
    /* AUTHENTICATE: the initial response is strict base64 */
    BAD("a1 AUTHENTICATE PLAIN abc", MW_E_BASE64, 22, "a1");
    BAD("a1 AUTHENTICATE PLAIN ab=c", MW_E_BASE64, 25, "a1");
    BAD("a1 AUTHENTICATE PLAIN a,bc", MW_E_BASE64, 23, "a1");
    BAD("a1 AUTHENTICATE PLAIN ==", MW_E_BASE64, 22, "a1");
    BAD("a1 AUTHENTICATE PLAIN ", MW_E_SYNTAX, 22, "a1");
    BAD("a1 AUTHENTICATE", MW_E_SYNTAX, 15, "a1");
    /* ENABLE, ID, COMPRESS, QUOTA, METADATA */
    BAD("a1 ENABLE", MW_E_SYNTAX, 9, "a1");
    BAD("a1 ENABLE ", MW_E_SYNTAX, 10, "a1");
    BAD("a1 ID", MW_E_SYNTAX, 5, "a1");
    BAD("a1 ID (\"a\")", MW_E_SYNTAX, 10, "a1");
    BAD("a1 ID (a b)", MW_E_SYNTAX, 7, "a1");
    BAD("a1 ID (\"a\" \"b\"", MW_E_SYNTAX, 14, "a1");
    BAD("a1 COMPRESS", MW_E_SYNTAX, 11, "a1");
    BAD("a1 SETQUOTA r (STORAGE)", MW_E_SYNTAX, 22, "a1");
    BAD("a1 SETQUOTA r (STORAGE x)", MW_E_SYNTAX, 23, "a1");
    BAD("a1 GETMETADATA (DEPTH 2) INBOX /a", MW_E_SYNTAX, 22, "a1");
    BAD("a1 GETMETADATA (MAXSIZE 1 MAXSIZE 2) INBOX /a", MW_E_SYNTAX, 26,
        "a1");
    BAD("a1 GETMETADATA INBOX /a/*", MW_E_SYNTAX, 24, "a1");
    BAD("a1 GETMETADATA INBOX \"/a/%\"", MW_E_SYNTAX, 21, "a1");
    BAD("a1 SETMETADATA INBOX (/a)", MW_E_SYNTAX, 24, "a1");
    BAD("a1 SETMETADATA INBOX ()", MW_E_SYNTAX, 22, "a1");
    BAD("a1 CREATE x (FOO)", MW_E_SYNTAX, 13, "a1");
    BAD("a1 CREATE x (USE (Drafts))", MW_E_SYNTAX, 18, "a1");
    /* APPEND */
    BAD("a1 APPEND INBOX", MW_E_SYNTAX, 15, "a1");
    BAD("a1 APPEND INBOX (\\Seen)", MW_E_SYNTAX, 23, "a1");
    BAD("a1 APPEND INBOX x {1}\r\na", MW_E_SYNTAX, 16, "a1");
    BAD("a1 APPEND INBOX \"bad date\" {1}\r\na", MW_E_SYNTAX, 17, "a1");
    BAD("a1 APPEND INBOX {1}\r\na x", MW_E_SYNTAX, 23, "a1");
    BAD("a1 APPEND INBOX {1}\r\na ", MW_E_SYNTAX, 23, "a1");
    /* RFC 6855 §4 utf8-literal = "UTF8" SP "(" literal8 ")": the ")"
     * required (missing, another byte), only a literal8 inside, the
     * parentheses required, one SP */
    BAD("a1 APPEND INBOX UTF8 (~{1}\r\na", MW_E_SYNTAX, 29, "a1");
    assert_string_equal(err.reason,
                        R_("\")\" expected after the UTF8 literal8 (RFC 6855 "
                           "§4)"));
    BAD("a1 APPEND INBOX UTF8 (~{1}\r\na]", MW_E_SYNTAX, 29, "a1");
    BAD("a1 APPEND INBOX UTF8 (~{1}\r\na) {1}\r\nb)", MW_E_SYNTAX, 37,
        "a1");
    BAD("a1 APPEND INBOX UTF8 ({1}\r\na)", MW_E_SYNTAX, 22, "a1");
    assert_string_equal(err.reason,
                        R_("literal8 expected after \"UTF8 (\" (RFC 6855 §4)"));
    BAD("a1 APPEND INBOX UTF8 (\"a\")", MW_E_SYNTAX, 22, "a1");
    BAD("a1 APPEND INBOX UTF8 ~{1}\r\na", MW_E_SYNTAX, 21, "a1");
    assert_string_equal(err.reason, R_("\"(\" expected after UTF8 (RFC 6855 §4)"));
    BAD("a1 APPEND INBOX UTF8(~{1}\r\na)", MW_E_SYNTAX, 20, "a1");
    BAD("a1 APPEND INBOX UTF8  (~{1}\r\na)", MW_E_SYNTAX, 21, "a1");
    BAD("a1 APPEND INBOX UTF8 (~{1}\r\na))", MW_E_SYNTAX, 30, "a1");
    /* literals: NUL only in literal8 (RFC 9051 §4.3), literal8 only in
     * APPEND and SETMETADATA values */
    BAD("a1 LOGIN {3}\r\na\x00" "b p", MW_E_NUL, 15, "a1");
    assert_string_equal(err.reason, R_("NUL in a literal (only literal8 may)"));
    BAD("a1 LOGIN ~{3}\r\nabc p", MW_E_SYNTAX, 9, "a1");
    BAD("a1 SEARCH TEXT ~{1}\r\nx", MW_E_SYNTAX, 15, "a1");
    BAD("a1 FETCH {1}\r\n1 FLAGS", MW_E_SYNTAX, 9, "a1");
    BAD("a1 LOGIN {3}\r\nab", MW_E_SYNTAX, 14, "a1");
    /* CR, LF and NUL outside literals (the framer never passes CRLF, but
     * a bare CR or LF may still come through) */
    BAD("a1 LOGIN u\rx p", MW_E_BARE_CR, 10, "a1");
    assert_string_equal(err.reason, R_("CR outside a literal"));
    BAD("a1 LOGIN u\nx p", MW_E_BARE_LF, 10, "a1");
    assert_string_equal(err.reason, R_("LF outside a literal"));
    BAD("a1 SELECT \"a\rb\"", MW_E_BARE_CR, 12, "a1");
    assert_string_equal(err.reason, R_("CR in quoted string"));
    BAD("a1 SELECT a\x00", MW_E_NUL, 11, "a1");
    assert_string_equal(err.reason, R_("NUL outside a literal"));
    /* mailbox names */
    BAD("a1 SELECT {3}\r\na\x01" "b", MW_E_SYNTAX, 10, "a1");
    BAD("a1 SELECT {3}\r\na\x7f" "b", MW_E_SYNTAX, 10, "a1");
}

/* ---- unknown commands ------------------------------------------------------- */

static void test_other(void **state)
{
    (void)state;
    OK("a1 XYZZY", "a1", "OTHER XYZZY args=\"\"");
    OK("a1 X-FOO a (b c) {3}\r\nx\ry", "a1",
       "OTHER X-FOO args=\"a (b c) {3}\\x0d\\x0ax\\x0dy\"");
    OK("a1 DONE", "a1", "OTHER DONE args=\"\"");
    OK("a1 GETACL INBOX", "a1", "OTHER GETACL args=\"INBOX\"");
    assert_int_equal(cmd.id, MW_IMAP_CMD_OTHER);
    assert_int_equal(cmd.name.len, 6);
    BAD("a1 X-FOO  a", MW_E_SYNTAX, 9, "a1");
    BAD("a1 (x)", MW_E_SYNTAX, 3, "a1");
    assert_int_equal(cmd.id, MW_IMAP_CMD_NONE);
    /* the name is kept for a known command too */
    OK("a1 fEtCh 1 uid", "a1", "FETCH 1 [UID]");
    assert_int_equal(cmd.name.len, 5);
    assert_memory_equal(cmd.name.ptr, "fEtCh", 5);
    OK("a1 uid fetch 1 uid", "a1", "FETCH UID 1 [UID]");
    assert_memory_equal(cmd.name.ptr, "fetch", 5);
}

/* ---- limits ---------------------------------------------------------------- */

/* "a SEARCH " + n "(" + "ALL" + n ")" */
static size_t nested(char *buf, size_t cap, unsigned n, const char *open,
                     const char *leaf, const char *close)
{
    size_t k = 0, i;
    k += (size_t)snprintf(buf + k, cap - k, "a SEARCH ");
    for (i = 0; i < n; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s", open);
    k += (size_t)snprintf(buf + k, cap - k, "%s", leaf);
    for (i = 0; i < n; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s", close);
    assert_true(k < cap);
    return k;
}

static void test_limits(void **state)
{
    static char buf[200000];
    size_t n;
    (void)state;
    /* search depth at cap-1, cap, cap+1 (default 64; and a given limit) */
    n = nested(buf, sizeof buf, MW_IMAP_DEPTH_DEFAULT - 1, "(", "ALL", ")");
    assert_int_equal(parse_x(buf, n, 0, 0), MW_OK);
    n = nested(buf, sizeof buf, MW_IMAP_DEPTH_DEFAULT, "(", "ALL", ")");
    assert_int_equal(parse_x(buf, n, 0, 0), MW_OK);
    assert_int_equal(cmd.u.search.nkeys, MW_IMAP_DEPTH_DEFAULT + 1);
    n = nested(buf, sizeof buf, MW_IMAP_DEPTH_DEFAULT + 1, "(", "ALL", ")");
    assert_int_equal(parse_x(buf, n, 0, 0), MW_E_DEPTH);
    assert_int_equal(err.offset, BASE + 9 + MW_IMAP_DEPTH_DEFAULT);
    assert_string_equal(err.reason, R_("search keys nested too deep"));
    n = nested(buf, sizeof buf, 4, "NOT ", "ALL", "");
    assert_int_equal(parse_x(buf, n, 0, 4), MW_OK);
    n = nested(buf, sizeof buf, 5, "NOT ", "ALL", "");
    assert_int_equal(parse_x(buf, n, 0, 4), MW_E_DEPTH);
    assert_int_equal(err.offset, BASE + 9 + 4 * 4);
    n = nested(buf, sizeof buf, 3, "OR ALL ", "ALL", "");
    assert_int_equal(parse_x(buf, n, 0, 3), MW_OK);
    n = nested(buf, sizeof buf, 4, "OR ALL ", "ALL", "");
    assert_int_equal(parse_x(buf, n, 0, 3), MW_E_DEPTH);
    /* a deep left-nested OR closes every level at once */
    n = nested(buf, sizeof buf, 50, "OR ", "SEEN", " DRAFT");
    assert_int_equal(parse_x(buf, n, 0, 0), MW_OK);
    assert_int_equal(cmd.u.search.nkeys, 50 + 51);
    assert_int_equal(cmd.u.search.root->nchildren, 1);

    /* numbers: 32-bit and 63-bit at their limits */
    OK("a FETCH 4294967295 UID", "a", "FETCH 4294967295 [UID]");
    BAD("a FETCH 4294967296 UID", MW_E_OVERFLOW, 8, "a");
    OK("a FETCH 1 BODY[4294967295]", "a", "FETCH 1 [BODY[]{4294967295|4294967295}]");
    BAD("a FETCH 1 BODY[4294967296]", MW_E_OVERFLOW, 15, "a");
    OK("a SELECT x (QRESYNC (4294967295 9223372036854775807))", "a",
       "SELECT \"x\"/7 QRESYNC(4294967295,9223372036854775807)");
    BAD("a SELECT x (QRESYNC (4294967296 1))", MW_E_OVERFLOW, 21, "a");
    BAD("a SELECT x (QRESYNC (1 9223372036854775808))", MW_E_OVERFLOW, 23,
        "a");
    OK("a FETCH 1 UID (CHANGEDSINCE 9223372036854775807)", "a",
       "FETCH 1 [UID] CHANGEDSINCE=9223372036854775807");
    BAD("a FETCH 1 UID (CHANGEDSINCE 9223372036854775808)", MW_E_OVERFLOW, 28,
        "a");
    OK("a STORE 1 (UNCHANGEDSINCE 9223372036854775807) FLAGS ()", "a",
       "STORE 1 UNCHANGEDSINCE=9223372036854775807 FLAGS ()#0/00");
    BAD("a STORE 1 (UNCHANGEDSINCE 18446744073709551616) FLAGS ()",
        MW_E_OVERFLOW, 26, "a");
    BAD("a SEARCH MODSEQ 9223372036854775808", MW_E_OVERFLOW, 16, "a");
    BAD("a SEARCH LARGER 9223372036854775808", MW_E_OVERFLOW, 16, "a");
    OK("a SEARCH OLDER 4294967295", "a", "SEARCH (AND OLDER:4294967295)");
    BAD("a SEARCH OLDER 4294967296", MW_E_OVERFLOW, 15, "a");
    BAD("a FETCH 1 BODY[]<18446744073709551616.1>", MW_E_OVERFLOW, 17, "a");
    BAD("a SETQUOTA r (STORAGE 9223372036854775808)", MW_E_OVERFLOW, 22, "a");
    OK("a GETMETADATA (MAXSIZE 4294967295) \"\" /a", "a",
       "GETMETADATA MAXSIZE=4294967295 \"\"/7 \"/a\"");
    BAD("a GETMETADATA (MAXSIZE 4294967296) \"\" /a", MW_E_OVERFLOW, 23, "a");
    /* APPEND literal sizes are number64 (messages and CATENATE TEXT) */
    mw__imap_arena_init(&arena, arena_mem, sizeof arena_mem);
    AP_HEAD("a APPEND x {9223372036854775807}", 0, "L");
    assert_int_equal(cmd.u.append.size, 9223372036854775807ull);
    AP_HEAD("a APPEND x {9223372036854775808}", 0, "MW_E_OVERFLOW@12");
    AP_HEAD("a APPEND x CATENATE (TEXT {9223372036854775807+}", CAT,
            "T0{9223372036854775807+}");
    AP_HEAD("a APPEND x CATENATE (TEXT {9223372036854775808}", CAT,
            "MW_E_OVERFLOW@27");

    /* section part numbers: 16 allowed, 17 not */
    OK("a FETCH 1 BODY[1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16]", "a",
       "FETCH 1 [BODY[]{1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16|1.2.3.4.5.6.7."
       "8.9.10.11.12.13.14.15.16}]");
    BAD("a FETCH 1 BODY[1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17]",
        MW_E_LIMIT, 54, "a");

    /* ID: 30 pairs, fields of 30 octets, values of 1024 */
    {
        size_t k = 0;
        int i;
        k += (size_t)snprintf(buf, sizeof buf, "a ID (");
        for (i = 0; i < 30; i++)
            k += (size_t)snprintf(buf + k, sizeof buf - k, "%s\"f%d\" NIL",
                                  i ? " " : "", i);
        k += (size_t)snprintf(buf + k, sizeof buf - k, ")");
        assert_int_equal(parse_x(buf, k, 0, 0), MW_OK);
        assert_int_equal(cmd.u.id.count, 30);
        k -= 1;
        k += (size_t)snprintf(buf + k, sizeof buf - k, " \"f30\" NIL)");
        assert_int_equal(parse_x(buf, k, 0, 0), MW_E_LIMIT);
    }
    OK("a ID (\"123456789012345678901234567890\" \"v\")", "a",
       "ID \"123456789012345678901234567890\"=\"v\"");
    BAD("a ID (\"1234567890123456789012345678901\" \"v\")", MW_E_TOO_LONG, 6,
        "a");
    memcpy(buf, "a ID (\"f\" \"", 11);
    memset(buf + 11, 'v', 1024);
    memcpy(buf + 11 + 1024, "\")", 2);
    assert_int_equal(parse_x(buf, 11 + 1024 + 2, 0, 0), MW_OK);
    buf[11 + 1023] = 'v';
    memcpy(buf + 11 + 1025, "\")", 2);
    buf[11 + 1024] = 'v';
    assert_int_equal(parse_x(buf, 11 + 1025 + 2, 0, 0), MW_E_TOO_LONG);
    assert_int_equal(err.offset, BASE + 10);

    /* tags up to MW_IMAP_TAG_MAX */
    memset(buf, 't', MW_IMAP_TAG_MAX);
    memcpy(buf + MW_IMAP_TAG_MAX, " NOOP", 5);
    assert_int_equal(parse_x(buf, MW_IMAP_TAG_MAX + 5, 0, 0), MW_OK);
    memset(buf, 't', MW_IMAP_TAG_MAX + 1);
    memcpy(buf + MW_IMAP_TAG_MAX + 1, " NOOP", 5);
    assert_int_equal(parse_x(buf, MW_IMAP_TAG_MAX + 6, 0, 0), MW_E_TOO_LONG);
    assert_int_equal(err.offset, BASE);
    assert_null(cmd.tag.ptr);

    /* the arena: too small is MW_E_NOSPACE, never a partial command */
    {
        static unsigned char small[64];
        mw__imap_arena_init(&arena, small, sizeof small);
        assert_int_equal(mw__imap_cmd_parse(S_("a SEARCH ALL SEEN DRAFT"),
                                            BASE, &arena, 0, 0, &cmd, &err),
                         MW_E_NOSPACE);
        mw__imap_arena_init(&arena, NULL, 0);
        assert_int_equal(mw__imap_cmd_parse(S_("a FETCH 1 FLAGS"), BASE,
                                            &arena, 0, 0, &cmd, &err),
                         MW_E_NOSPACE);
        /* commands without lists need no arena at all */
        assert_int_equal(mw__imap_cmd_parse(S_("a LOGIN u p"), BASE, &arena,
                                            0, 0, &cmd, &err),
                         MW_OK);
    }
}

/* ---- hostile input ---------------------------------------------------------- */

static void test_hostile(void **state)
{
    static char buf[2000000];
    size_t n, i;
    (void)state;
    /* 10,000 nested search parentheses: MW_E_DEPTH at the 65th, no stack */
    n = nested(buf, sizeof buf, 10000, "(", "ALL", ")");
    assert_int_equal(parse_x(buf, n, 0, 0), MW_E_DEPTH);
    assert_int_equal(err.offset, BASE + 9 + MW_IMAP_DEPTH_DEFAULT);
    /* ... also with a limit large enough: the tree is built iteratively */
    {
        static unsigned char big[1u << 22];
        mw__imap_arena_init(&arena, big, sizeof big);
        assert_int_equal(mw__imap_cmd_parse(buf, n, BASE, &arena, 0, 20000,
                                            &cmd, &err),
                         MW_OK);
        assert_int_equal(cmd.u.search.nkeys, 10001);
        n = nested(buf, sizeof buf, 10000, "NOT ", "ALL", "");
        mw__imap_arena_init(&arena, big, sizeof big);
        assert_int_equal(mw__imap_cmd_parse(buf, n, BASE, &arena, 0, 20000,
                                            &cmd, &err),
                         MW_OK);
    }
    /* NUL inside a quoted string (Dovecot CVE-2019-11500) */
    BAD("a LOGIN \"us\x00" "er\" p", MW_E_NUL, 11, "a");
    BAD("a SEARCH SUBJECT \"x\x00\"", MW_E_NUL, 19, "a");
    BAD("a SELECT \"\x00\"", MW_E_NUL, 10, "a");
    BAD("a ID (\"a\\\x00\" NIL)", MW_E_SYNTAX, 8, "a");
    /* a sequence set of 100,000 ranges */
    n = (size_t)snprintf(buf, sizeof buf, "a UID FETCH ");
    for (i = 0; i < 100000; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%zu:%zu",
                              i ? "," : "", 2 * i + 1, 2 * i + 2);
    n += (size_t)snprintf(buf + n, sizeof buf - n, " (UID FLAGS)");
    assert_int_equal(parse_x(buf, n, 0, 0), MW_OK);
    assert_int_equal(cmd.u.fetch.set.ranges, 100000);
    /* a quoted string without its end, a literal longer than the frame */
    BAD("a LOGIN \"user p", MW_E_SYNTAX, 15, "a");
    BAD("a LOGIN {99}\r\nuser p", MW_E_SYNTAX, 14, "a");
    BAD("a LOGIN {18446744073709551616}\r\nuser p", MW_E_OVERFLOW, 9, "a");
    /* a literal header without its CRLF inside the frame */
    BAD("a LOGIN {1}x p", MW_E_SYNTAX, 11, "a");
    /* many empty groups and operators in one line */
    n = nested(buf, sizeof buf, 60, "OR (", "ALL", ") ALL");
    assert_int_equal(parse_x(buf, n, 0, 0), MW_E_DEPTH);
}

/* ---- mailbox names: modified UTF-7 and UTF-8 -------------------------------- */

static void test_mailbox_names(void **state)
{
    (void)state;
    /* RFC 3501 §5.1.3 example: "~peter/mail/&U,BTFw-/&ZeVnLIqe-" */
    OK("a SELECT ~peter/mail/&U,BTFw-/&ZeVnLIqe-", "a",
       "SELECT \"~peter/mail/&U,BTFw-/&ZeVnLIqe-\"/7S");
    OK("a SELECT \"&-\"", "a", "SELECT \"&-\"/7S");
    OK("a SELECT \"Entw&APw-rfe\"", "a", "SELECT \"Entw&APw-rfe\"/7S");
    /* a surrogate pair: U+1F600 = D83D DE00 */
    OK("a SELECT &2D3eAA-", "a", "SELECT \"&2D3eAA-\"/7S");
    /* invalid modified UTF-7: flagged, not refused (the application
     * decides, RFC 3501 §5.1.3 says a server should refuse) */
    OK("a SELECT &", "a", "SELECT \"&\"/S");
    OK("a SELECT &Jjo", "a", "SELECT \"&Jjo\"/S");
    OK("a SELECT &Jjo!", "a", "SELECT \"&Jjo!\"/S");
    OK("a SELECT &AGE-", "a", "SELECT \"&AGE-\"/S");   /* encodes "a" */
    OK("a SELECT &2D0-", "a", "SELECT \"&2D0-\"/S");   /* lone high surrogate */
    OK("a SELECT &3gA-", "a", "SELECT \"&3gA-\"/S");   /* lone low surrogate */
    OK("a SELECT &APw-&APw-", "a", "SELECT \"&APw-&APw-\"/S"); /* null shift */
    OK("a SELECT &APx-", "a", "SELECT \"&APx-\"/S");   /* non-zero pad bits */
    OK("a SELECT &APwA-", "a", "SELECT \"&APwA-\"/S"); /* wasted character */
    OK("a SELECT &AP-", "a", "SELECT \"&AP-\"/S");     /* half a unit */
    OK("a SELECT &APw/-", "a", "SELECT \"&APw/-\"/S");
    /* UTF-8 names: only with UTF8=ACCEPT / IMAP4rev2 */
    BAD("a SELECT \"Entw\xc3\xbcrfe\"", MW_E_SYNTAX, 14, "a");
    OKF("a SELECT \"Entw\xc3\xbcrfe\"", MW__IMAP_LEX_UTF8, "a",
        "SELECT \"Entw\\xc3\\xbcrfe\"/8");
    BAD("a SELECT {9}\r\nEntw\xc3\xbcrfe", MW_E_SYNTAX, 9, "a");
    OKF("a SELECT {9}\r\nEntw\xc3\xbcrfe", MW__IMAP_LEX_UTF8, "a",
        "SELECT lit=L \"Entw\\xc3\\xbcrfe\"/8");
    BADF("a SELECT {5}\r\nab\xc3(c", MW__IMAP_LEX_UTF8, MW_E_UTF8, 9, "a");
    BADF("a SELECT {4}\r\n\xed\xa0\x80x", MW__IMAP_LEX_UTF8, MW_E_UTF8, 9, "a");
    /* the 8BIT quirk lets invalid bytes through, unflagged */
    OKF("a SELECT {5}\r\nab\xc3(c", MW__IMAP_LEX_8BIT, "a",
        "SELECT lit=L \"ab\\xc3(c\"/");
    /* UTF-8 with "&" is both */
    OKF("a CREATE \"&-\xc3\xbc\"", MW__IMAP_LEX_UTF8, "a",
        "CREATE \"&-\\xc3\\xbc\"/S8");
    /* "~" starts an atom unless "{" follows (literal8, refused) */
    OK("a SELECT ~", "a", "SELECT \"~\"/7");
    OK("a LIST ~/Mail/ ~%", "a", "LIST \"~/Mail/\"/7 [\"~%\"/7]");
    OK("a LOGIN ~u ~p", "a", "LOGIN \"~u\" \"~p\"");
    BAD("a SELECT ~{1}\r\nx", MW_E_SYNTAX, 9, "a");
    BAD("a LIST \"\" ~{1}\r\nx", MW_E_SYNTAX, 10, "a");
    /* INBOX in any case, in every string form */
    OK("a SELECT \"iNbOx\"", "a", "SELECT \"INBOX\"/I7");
    OK("a SELECT {5}\r\ninbox", "a", "SELECT lit=L \"INBOX\"/I7");
    OK("a LIST \"\" inbox", "a", "LIST \"\"/7 [\"inbox\"/I7]");
    OK("a SELECT INBOX.Sent", "a", "SELECT \"INBOX.Sent\"/7");
    /* quoted escapes are unescaped into the arena */
    OK("a SELECT \"a\\\"b\\\\c\"", "a", "SELECT \"a\\\"b\\\\c\"/7");
    assert_true((const unsigned char *)cmd.u.select.mailbox.name.ptr >=
                    arena_mem &&
                (const unsigned char *)cmd.u.select.mailbox.name.ptr <
                    arena_mem + sizeof arena_mem);
}

/* ---- APPEND around streamed messages ---------------------------------------- */

static void test_append_stream(void **state)
{
    static const char head1[] = "A003 APPEND saved-messages (\\Seen) "
                                "\"14-Jul-2003 02:44:25 -0700\" {310}";
    static char copy[sizeof head1];
    (void)state;
    /* which literal is a message */
    assert_int_equal(mw__imap_cmd_literal_role(S_("a APPEND INBOX {5}")),
                     MW__IMAP_TAKE_STREAM);
    assert_int_equal(mw__imap_cmd_literal_role(S_("a append INBOX ~{5}")),
                     MW__IMAP_TAKE_STREAM);
    assert_int_equal(mw__imap_cmd_literal_role(S_("a APPEND {5}")),
                     MW__IMAP_TAKE_INLINE);
    assert_int_equal(mw__imap_cmd_literal_role(S_("a APPEND {5+}")),
                     MW__IMAP_TAKE_INLINE);
    assert_int_equal(
        mw__imap_cmd_literal_role(S_("a APPEND {5}\r\nINBOX (\\Seen) {7}")),
        MW__IMAP_TAKE_STREAM);
    assert_int_equal(mw__imap_cmd_literal_role(S_(" (\\Seen) {7}")),
                     MW__IMAP_TAKE_STREAM);
    assert_int_equal(mw__imap_cmd_literal_role(S_(" {7+}")),
                     MW__IMAP_TAKE_STREAM);
    assert_int_equal(mw__imap_cmd_literal_role(S_("a LOGIN {5}")),
                     MW__IMAP_TAKE_INLINE);
    assert_int_equal(mw__imap_cmd_literal_role(S_("a SEARCH TEXT {5}")),
                     MW__IMAP_TAKE_INLINE);
    assert_int_equal(mw__imap_cmd_literal_role(S_("a APPENDX x {5}")),
                     MW__IMAP_TAKE_INLINE);
    assert_int_equal(mw__imap_cmd_literal_role(S_("a UID APPEND x {5}")),
                     MW__IMAP_TAKE_INLINE);
    assert_int_equal(mw__imap_cmd_literal_role(S_("")), MW__IMAP_TAKE_INLINE);
    /* fuzz regression: the text ends right after "APPEND " */
    {
        char *p = (char *)malloc(11);
        assert_non_null(p);
        memcpy(p, "A40 APPEND ", 11);
        assert_int_equal(mw__imap_cmd_literal_role(p, 11),
                         MW__IMAP_TAKE_STREAM);
        free(p);
    }

    /* head: the first message of RFC 3502 style APPEND */
    memcpy(copy, head1, sizeof head1);
    mw__imap_arena_init(&arena, arena_mem, sizeof arena_mem);
    ap_x(copy, sizeof head1 - 1, BASE, 0, 1, "L");
    assert_string_equal(dump(&cmd),
                        "APPEND lit=L \"saved-messages\"/7 #0/1 "
                        "(\\Seen)#1/01 2003-07-14T02:44:25-0700 {310}");
    assert_null(cmd.u.append.data.ptr);
    /* the tag and the mailbox survive the release of the head segment
     * (copied into the arena) */
    memset(copy, 'X', sizeof copy);
    assert_int_equal(cmd.tag.len, 4);
    assert_memory_equal(cmd.tag.ptr, "A003", 4);
    assert_memory_equal(cmd.u.append.mailbox.name.ptr, "saved-messages", 14);
    assert_true((const unsigned char *)cmd.tag.ptr >= arena_mem &&
                (const unsigned char *)cmd.tag.ptr < arena_mem + sizeof arena_mem);
    assert_true((const unsigned char *)cmd.u.append.mailbox.name.ptr >=
                    arena_mem &&
                (const unsigned char *)cmd.u.append.mailbox.name.ptr <
                    arena_mem + sizeof arena_mem);
    /* next messages (MULTIAPPEND, RFC 3502 §6.3.11) */
    ap_x(S_(" (\\Seen \\Draft) {99+}"), BASE + 400, 0, 0, "L");
    assert_string_equal(dump(&cmd), "APPEND lit=L+ \"saved-messages\"/7 #1/2 "
                                    "(\\Seen \\Draft)#2/11 +{99}");
    ap_x(S_(" \"01-Jan-2000 00:00:00 +0000\" ~{4}"), BASE + 600, 0, 0, "L");
    assert_string_equal(dump(&cmd),
                        "APPEND lit=L+8 \"saved-messages\"/7 #2/3 "
                        "2000-01-01T00:00:00+0000 ~{4}");
    AP_NEXT(" {1}", 0, "L");
    assert_int_equal(cmd.u.append.has_flags, 0);
    assert_int_equal(cmd.u.append.has_date, 0);
    assert_int_equal(cmd.u.append.index, 3);
    ap_x("", 0, BASE, 0, 0, "D");
    assert_int_equal(cmd.u.append.nmessages, 4);
    /* bad continuation segments */
    AP_NEXT("x {1}", 0, "MW_E_SYNTAX@0");
    AP_NEXT(" ", 0, "MW_E_SYNTAX@1");
    AP_NEXT(" (\\Seen)", 0, "MW_E_SYNTAX@8");
    AP_NEXT(" {1} ", 0, "MW_E_SYNTAX@4");
    /* head errors keep the tag */
    mw__imap_arena_init(&arena, arena_mem, sizeof arena_mem);
    AP_HEAD("t1 APPEND x (\\Seen", 0, "MW_E_SYNTAX@18");
    assert_int_equal(cmd.id, MW_IMAP_CMD_APPEND);
    assert_memory_equal(cmd.tag.ptr, "t1", 2);
    AP_HEAD("t1 APPEND x {5} ", 0, "MW_E_SYNTAX@15");
    AP_HEAD("t1 APPEND x {5", 0, "MW_E_SYNTAX@14");
    AP_HEAD("t1 NOOP", 0, "MW_E_INTERNAL@7");
    /* a UTF-8 mailbox in the head */
    AP_HEAD("t1 APPEND \"Entw\xc3\xbcrfe\" {5}", MW__IMAP_LEX_UTF8, "L");
    assert_int_equal(cmd.u.append.mailbox.flags, MW_IMAP_MBOX_UTF8);

    /* the UTF8 data extension (RFC 6855 §4): the head ends in "UTF8 (~{n}",
     * the segment after the message starts with its ")" */
    assert_int_equal(mw__imap_cmd_literal_role(S_("a APPEND INBOX UTF8 (~{5}")),
                     MW__IMAP_TAKE_STREAM);
    assert_int_equal(mw__imap_cmd_literal_role(S_(") UTF8 (~{5}")),
                     MW__IMAP_TAKE_STREAM);
    mw__imap_arena_init(&arena, arena_mem, sizeof arena_mem);
    AP_HEAD("u1 APPEND INBOX (\\Seen) UTF8 (~{5}", 0, "L");
    assert_string_equal(dump(&cmd), "APPEND lit=L8 \"INBOX\"/I7 #0/1 "
                                    "(\\Seen)#1/01 UTF8 ~{5}");
    /* the ")" ends the command ... */
    ap_x(S_(")"), BASE + 40, 0, 0, "D");
    /* ... and is required: an empty line, or the next message at once */
    ap_x("", 0, BASE + 40, 0, 0, "MW_E_SYNTAX@0");
    ap_x(S_(" {1}"), BASE + 40, 0, 0, "MW_E_SYNTAX@0");
    /* MULTIAPPEND: ")" then the next message, UTF8 or not */
    ap_x(S_(") UTF8 (~{3+}"), BASE + 40, 0, 0, "L");
    assert_string_equal(dump(&cmd), "APPEND lit=L+8 \"INBOX\"/I7 #1/2 "
                                    "UTF8 ~+{3}");
    ap_x(S_(") {2}"), BASE + 60, 0, 0, "L");
    assert_int_equal(cmd.u.append.utf8, 0);
    assert_int_equal(cmd.u.append.binary, 0);
    assert_int_equal(cmd.u.append.index, 2);
    /* after a plain message a ")" is out of place */
    ap_x(S_(")"), BASE + 80, 0, 0, "MW_E_SYNTAX@0");
    /* a synchronising literal, not a literal8, after "UTF8 (" */
    AP_HEAD("u2 APPEND INBOX UTF8 ({5}", 0, "MW_E_SYNTAX@22");
    AP_HEAD("u3 APPEND INBOX UTF8 ~{5}", 0, "MW_E_SYNTAX@21");
}

/* ---- APPEND item by item: the step parser ----------------------------------- */

/* The RFC 4469 §5 example's URLs (after RFC 5092 §7) */
#define U20 "/Drafts;UIDVALIDITY=385759045/;UID=20"

static void test_append_steps(void **state)
{
    static unsigned char small[8];
    static char copy[64];
    (void)state;
    mw__imap_arena_init(&arena, arena_mem, sizeof arena_mem);

    /* a plain APPEND (RFC 9051 §6.3.12): the message literal ends the
     * head; the empty segment after it ends the command */
    AP_HEAD("A003 APPEND saved-messages (\\Seen) {326}", 0, "L");
    assert_string_equal(dump(&cmd), "APPEND lit=L \"saved-messages\"/7 #0/1 "
                                    "(\\Seen)#1/01 {326}");
    assert_int_equal(cmd.u.append.catenate, 0);
    AP_NEXT("", 0, "D");
    assert_int_equal(cmd.u.append.nmessages, 1);
    /* LITERAL+ (RFC 7888) and no options */
    AP_HEAD("A004 APPEND INBOX {297+}", 0, "L");
    assert_string_equal(dump(&cmd), "APPEND lit=L+ \"INBOX\"/I7 #0/1 +{297}");
    /* MULTIAPPEND (RFC 3502 §6.3.11 example) */
    AP_HEAD("A003 APPEND saved-messages (\\Seen) {329}", 0, "L");
    AP_NEXT(" (\\Seen) \" 7-Feb-1994 22:43:04 -0800\" {295}", 0, "L");
    assert_string_equal(dump(&cmd), "APPEND lit=L \"saved-messages\"/7 #1/2 "
                                    "(\\Seen)#1/01 1994-02-07T22:43:04-0800 "
                                    "{295}");
    AP_NEXT("", 0, "D");
    assert_int_equal(cmd.u.append.nmessages, 2);
    /* UTF8 (RFC 6855 §4): "UTF8 (~{n}" then ")" in the next segment */
    AP_HEAD("A1 APPEND INBOX UTF8 (~{5}", 0, "L");
    assert_string_equal(dump(&cmd), "APPEND lit=L8 \"INBOX\"/I7 #0/1 "
                                    "UTF8 ~{5}");
    AP_NEXT(") (\\Draft) UTF8 (~{7+}", 0, "L");
    assert_string_equal(dump(&cmd), "APPEND lit=L+8 \"INBOX\"/I7 #1/2 "
                                    "(\\Draft)#1/10 UTF8 ~+{7}");
    AP_NEXT(")", 0, "D");
    /* "UTF8" is only a keyword where the message starts */
    AP_HEAD("A1 APPEND UTF8 {5}", 0, "L");
    assert_string_equal(dump(&cmd), "APPEND lit=L \"UTF8\"/7 #0/1 {5}");
    AP_HEAD("A1 APPEND INBOX UTF8 (~{5} ", 0, "MW_E_SYNTAX@26");
    AP_HEAD("A1 APPEND INBOX UTF8 ({5}", 0, "MW_E_SYNTAX@22");

    /* CATENATE (RFC 4469 §5 example): URL parts as quoted strings, TEXT
     * parts streamed (each announcement ends its segment) */
    AP_HEAD("A003 APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE (URL \""
            U20 "/;section=HEADER\" TEXT {42}", CAT,
            "U0=\"" U20 "/;section=HEADER\" T1{42}");
    assert_string_equal(dump(&cmd), "APPEND lit=L \"Drafts\"/7 #0/1 "
                                    "(\\Seen \\Draft $MDNSent)#3/11 "
                                    "CATENATE/2 {42}");
    /* the flags outlive the head segment (the parts' events come later) */
    assert_true((const unsigned char *)cmd.u.append.flags.text.ptr >=
                    arena_mem &&
                (const unsigned char *)cmd.u.append.flags.text.ptr <
                    arena_mem + sizeof arena_mem);
    AP_NEXT(" URL \"" U20 "/;section=1.MIME\" URL \"" U20
            "/;section=1\" TEXT {42}", CAT,
            "U2=\"" U20 "/;section=1.MIME\" U3=\"" U20 "/;section=1\" "
            "T4{42}");
    AP_NEXT(" URL \"/Drafts;UIDVALIDITY=385759045/;UID=30\" TEXT {44}", CAT,
            "U5=\"/Drafts;UIDVALIDITY=385759045/;UID=30\" T6{44}");
    AP_NEXT(")", CAT, "E7 D");
    assert_int_equal(cmd.u.append.index, 0);
    assert_int_equal(cmd.u.append.nmessages, 1);
    /* URL as an atom, as a literal (inline: its role is INLINE), as a
     * quoted string with an escape; TEXT inline in a whole frame */
    AP_HEAD("a APPEND x CATENATE (URL " U20 ")", CAT,
            "U0=\"" U20 "\" E1 D");
    AP_HEAD("a APPEND x CATENATE (URL {8}\r\n/a;UID=1 url {2+}\r\n/b) {1}",
            CAT, "U0=\"/a;UID=1\" U1=\"/b\" E2 L");
    assert_int_equal(cmd.u.append.index, 1);
    assert_int_equal(cmd.u.append.catenate, 0);
    assert_int_equal(cmd.u.append.nparts, 0);
    assert_int_equal(cmd.u.append.size, 1);
    AP_HEAD("a APPEND x catenate (url \"/a\\\"b\" text {3}\r\nabc)", CAT,
            "U0=\"/a\\\"b\" T1=\"abc\" E2 D");
    assert_int_equal(cmd.u.append.size, 3);
    /* a TEXT part streamed, then its list goes on in the next segment */
    AP_HEAD("a APPEND x CATENATE (TEXT {3}", CAT, "T0{3}");
    AP_NEXT(" TEXT {4+}", CAT, "T1{4+}");
    AP_NEXT(" URL u)", CAT, "U2=\"u\" E3 D");
    /* MULTIAPPEND of CATENATE and plain messages (RFC 4469 §5 append-data
     * in RFC 3502 append-opts) */
    AP_HEAD("a APPEND x CATENATE (TEXT {3}", CAT, "T0{3}");
    AP_NEXT(") (\\Seen) CATENATE (URL u TEXT {1}", CAT,
            "E1 U0=\"u\" T1{1}");
    assert_int_equal(cmd.u.append.index, 1);
    assert_int_equal(cmd.u.append.has_flags, 1);
    AP_NEXT(") {2}", CAT, "E2 L");
    assert_int_equal(cmd.u.append.index, 2);
    assert_int_equal(cmd.u.append.catenate, 0);
    AP_NEXT(" CATENATE (URL v)", CAT, "U0=\"v\" E1 D");
    assert_int_equal(cmd.u.append.nmessages, 4);
    /* the same frames parsed whole agree (first message, all counted) */
    OKF("a APPEND x CATENATE (URL {8}\r\n/a;UID=1 url {2+}\r\n/b) {1}\r\nz",
        CAT, "a", "APPEND lit=L+ \"x\"/7 #0/2 CATENATE/2 {0}");
    OKF("a APPEND x catenate (url \"/a\\\"b\" text {3}\r\nabc)", CAT, "a",
        "APPEND lit=L \"x\"/7 #0/1 CATENATE/2 {3}");
    /* a mailbox named CATENATE, and CATENATE not offered */
    AP_HEAD("a APPEND CATENATE CATENATE (URL u)", CAT, "U0=\"u\" E1 D");
    AP_HEAD("a APPEND x CATENATE (URL u)", 0, "MW_E_SYNTAX@11");
    /* CATENATE errors, with their offsets */
    AP_HEAD("a APPEND x CATENATE (URL ~{3}", CAT, "MW_E_SYNTAX@25");
    AP_HEAD("a APPEND x CATENATE (TEXT ~{3}", CAT, "MW_E_SYNTAX@26");
    AP_HEAD("a APPEND x CATENATE (TEXT x)", CAT, "MW_E_SYNTAX@26");
    AP_HEAD("a APPEND x CATENATE (FOO x)", CAT, "MW_E_SYNTAX@21");
    AP_HEAD("a APPEND x CATENATE ()", CAT, "MW_E_SYNTAX@21");
    AP_HEAD("a APPEND x CATENATE(URL u)", CAT, "MW_E_SYNTAX@19");
    AP_HEAD("a APPEND x CATENATE  (URL u)", CAT, "MW_E_SYNTAX@20");
    AP_HEAD("a APPEND x CATENATE (URL u", CAT, "U0=\"u\" MW_E_SYNTAX@26");
    AP_HEAD("a APPEND x CATENATE (URL u  URL v)", CAT,
            "U0=\"u\" MW_E_SYNTAX@27");
    AP_HEAD("a APPEND x CATENATE (TEXT {3} URL u)", CAT, "MW_E_SYNTAX@29");
    AP_HEAD("a APPEND x CATENATE (URL u) x", CAT, "U0=\"u\" E1 "
                                                  "MW_E_SYNTAX@28");
    AP_NEXT(" x)", CAT, "MW_E_SYNTAX@1");
    AP_NEXT(") x", CAT, "MW_E_SYNTAX@0"); /* the state: after a plain msg */
    /* the parts of one message: cap-1, cap, cap+1 (MW_E_LIMIT) */
    {
        static char big[32 + 6 * (MW_IMAP_SERVER_CATENATE_PARTS_MAX + 1)];
        static char want[12 * (MW_IMAP_SERVER_CATENATE_PARTS_MAX + 2)];
        unsigned parts, i;
        for (parts = MW_IMAP_SERVER_CATENATE_PARTS_MAX - 1;
             parts <= MW_IMAP_SERVER_CATENATE_PARTS_MAX + 1; parts++) {
            size_t k = (size_t)snprintf(big, sizeof big,
                                        "a APPEND x CATENATE (");
            size_t w = 0;
            for (i = 0; i < parts; i++) {
                k += (size_t)snprintf(big + k, sizeof big - k, "%sURL u",
                                      i ? " " : "");
                if (i < MW_IMAP_SERVER_CATENATE_PARTS_MAX)
                    w += (size_t)snprintf(want + w, sizeof want - w,
                                          "%sU%u=\"u\"", i ? " " : "", i);
            }
            big[k++] = ')';
            if (parts <= MW_IMAP_SERVER_CATENATE_PARTS_MAX)
                (void)snprintf(want + w, sizeof want - w, " E%u D", parts);
            else /* at the part after the cap */
                (void)snprintf(want + w, sizeof want - w, " MW_E_LIMIT@%u",
                               21u + 6u * MW_IMAP_SERVER_CATENATE_PARTS_MAX);
            ap_x(big, k, BASE, CAT, 1, want);
        }
        /* the refused part is not counted */
        assert_int_equal(cmd.u.append.nparts, MW_IMAP_SERVER_CATENATE_PARTS_MAX);
    }

    /* the literal decision (mw__imap_cmd_literal_role): a URL part's
     * literal is command text (RFC 4469 §5 `url = "URL" SP astring`),
     * a TEXT part's or a message's is streamed */
    assert_int_equal(mw__imap_cmd_literal_role(
                         S_("a APPEND x CATENATE (URL {5}")),
                     MW__IMAP_TAKE_INLINE);
    assert_int_equal(mw__imap_cmd_literal_role(
                         S_("a APPEND x catenate (url {5+}")),
                     MW__IMAP_TAKE_INLINE);
    assert_int_equal(mw__imap_cmd_literal_role(
                         S_("a APPEND x CATENATE (TEXT {5}")),
                     MW__IMAP_TAKE_STREAM);
    assert_int_equal(mw__imap_cmd_literal_role(
                         S_("a APPEND x CATENATE (URL u TEXT {5}")),
                     MW__IMAP_TAKE_STREAM);
    assert_int_equal(mw__imap_cmd_literal_role(
                         S_("a APPEND x CATENATE (TEXT {1}")),
                     MW__IMAP_TAKE_STREAM);
    assert_int_equal(mw__imap_cmd_literal_role(
                         S_("a APPEND x CATENATE (URL {3}\r\nabc URL {5}")),
                     MW__IMAP_TAKE_INLINE);
    assert_int_equal(mw__imap_cmd_literal_role(
                         S_("a APPEND x CATENATE (URL {3}\r\nabc TEXT {5}")),
                     MW__IMAP_TAKE_STREAM);
    /* continuation segments (after a streamed TEXT part or message) */
    assert_int_equal(mw__imap_cmd_literal_role(S_(" URL {5}")),
                     MW__IMAP_TAKE_INLINE);
    assert_int_equal(mw__imap_cmd_literal_role(S_(" TEXT {5}")),
                     MW__IMAP_TAKE_STREAM);
    assert_int_equal(mw__imap_cmd_literal_role(S_(") CATENATE (URL {5}")),
                     MW__IMAP_TAKE_INLINE);
    assert_int_equal(mw__imap_cmd_literal_role(S_(") CATENATE (TEXT {5}")),
                     MW__IMAP_TAKE_STREAM);
    assert_int_equal(mw__imap_cmd_literal_role(S_(" xURL {5}")),
                     MW__IMAP_TAKE_STREAM);
    assert_int_equal(mw__imap_cmd_literal_role(S_(" URLx {5}")),
                     MW__IMAP_TAKE_STREAM);
    /* a mailbox named URL is a mailbox: its message is streamed */
    assert_int_equal(mw__imap_cmd_literal_role(S_("a APPEND URL {5}")),
                     MW__IMAP_TAKE_STREAM);
    assert_int_equal(mw__imap_cmd_literal_role(S_("a APPEND url {5+}")),
                     MW__IMAP_TAKE_STREAM);
    assert_int_equal(mw__imap_cmd_literal_role(S_("a APPEND \"URL\" {5}")),
                     MW__IMAP_TAKE_STREAM);
    assert_int_equal(mw__imap_cmd_literal_role(
                         S_("a APPEND URL CATENATE (URL {5}")),
                     MW__IMAP_TAKE_INLINE);
    AP_HEAD("a APPEND URL {5}", CAT, "L");
    assert_string_equal(dump(&cmd), "APPEND lit=L \"URL\"/7 #0/1 {5}");
    /* a mailbox given as a literal: its own announcement is inline, its
     * bytes are never a cat-part (whatever they end with) */
    assert_int_equal(mw__imap_cmd_literal_role(S_("a APPEND {3}")),
                     MW__IMAP_TAKE_INLINE);
    assert_int_equal(mw__imap_cmd_literal_role(S_("a APPEND {3}\r\nURL {5}")),
                     MW__IMAP_TAKE_STREAM);
    assert_int_equal(mw__imap_cmd_literal_role(S_("a APPEND {5}\r\nx URL {5}")),
                     MW__IMAP_TAKE_STREAM);
    assert_int_equal(
        mw__imap_cmd_literal_role(S_("a APPEND {6+}\r\nx (URL {5}")),
        MW__IMAP_TAKE_STREAM);
    assert_int_equal(mw__imap_cmd_literal_role(
                         S_("a APPEND {5}\r\nx URL CATENATE (URL {5}")),
                     MW__IMAP_TAKE_INLINE);
    assert_int_equal(mw__imap_cmd_literal_role(
                         S_("a APPEND {5}\r\nx URL CATENATE (TEXT {5}")),
                     MW__IMAP_TAKE_STREAM);
    /* a literal size beyond the text, or absurd (no such segment comes
     * from the framer, which takes the literal's bytes): read safely */
    assert_int_equal(mw__imap_cmd_literal_role(S_("a APPEND {9}\r\nURL {5}")),
                     MW__IMAP_TAKE_STREAM);
    assert_int_equal(mw__imap_cmd_literal_role(S_(
                         "a APPEND {99999999999999999999999}\r\nURL {5}")),
                     MW__IMAP_TAKE_STREAM);
    AP_HEAD("a APPEND {5}\r\nx URL {5}", CAT, "L");
    assert_string_equal(dump(&cmd), "APPEND lit=L \"x URL\"/7 #0/1 {5}");
    AP_HEAD("a APPEND {5}\r\nx URL CATENATE (URL {1}\r\nu TEXT {2}", CAT,
            "U0=\"u\" T1{2}");
    assert_string_equal(dump(&cmd), "APPEND lit=L \"x URL\"/7 #0/1 "
                                    "CATENATE/2 {2}");

    /* arena: the head copies the tag and mailbox into it (a MULTIAPPEND
     * outlives its head segment); without room: MW_E_NOSPACE */
    memcpy(copy, "t7 APPEND saved-messages {1}", 28);
    mw__imap_arena_init(&arena, arena_mem, sizeof arena_mem);
    ap_x(copy, 28, BASE, 0, 1, "L");
    memset(copy, 'X', sizeof copy);
    assert_memory_equal(cmd.tag.ptr, "t7", 2);
    assert_memory_equal(cmd.u.append.mailbox.name.ptr, "saved-messages", 14);
    AP_NEXT(" {2}", 0, "L"); /* later segments add nothing to keep */
    assert_memory_equal(cmd.u.append.mailbox.name.ptr, "saved-messages", 14);
    mw__imap_arena_init(&arena, small, sizeof small);
    AP_HEAD("t7 APPEND saved-messages {1}", 0, "MW_E_NOSPACE@24");
    assert_memory_equal(cmd.tag.ptr, "t7", 2);
    mw__imap_arena_init(&arena, NULL, 0);
    AP_HEAD("t7 APPEND x {1}", 0, "MW_E_NOSPACE@11");
    mw__imap_arena_init(&arena, arena_mem, sizeof arena_mem);
}

/* ---- states ------------------------------------------------------------------ */

static void test_states(void **state)
{
    const int na = 1 << MW_IMAP_STATE_NOT_AUTHENTICATED;
    const int au = 1 << MW_IMAP_STATE_AUTHENTICATED;
    const int se = 1 << MW_IMAP_STATE_SELECTED;
    (void)state;
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_CAPABILITY), na | au | se);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_NOOP), na | au | se);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_LOGOUT), na | au | se);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_ID), na | au | se);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_STARTTLS), na);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_LOGIN), na);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_AUTHENTICATE), na);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_ENABLE), au);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_SELECT), au | se);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_APPEND), au | se);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_IDLE), au | se);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_COMPRESS), au | se);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_GETQUOTA), au | se);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_SETMETADATA), au | se);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_FETCH), se);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_EXPUNGE), se);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_UNSELECT), se);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_THREAD), se);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_MOVE), se);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_OTHER), 0);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_DONE), 0);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_NONE), 0);
    assert_int_equal(mw__imap_cmd_states(MW_IMAP_CMD_UID), 0);
    assert_int_equal(mw__imap_cmd_states(-1), 0);
    assert_int_equal(mw__imap_cmd_states(999), 0);
    {
        /* nothing is valid in the logout state */
        int id;
        for (id = 0; id < 64; id++)
            assert_int_equal(mw__imap_cmd_states(id) &
                                 (1 << MW_IMAP_STATE_LOGOUT),
                             0);
    }
}

/* ---- every example cut at every byte ----------------------------------------- */

static void cut_all(const vec *v, size_t n)
{
    static char buf[1024];
    size_t i, k;
    for (i = 0; i < n; i++) {
        assert_true(v[i].n <= sizeof buf);
        for (k = 0; k < v[i].n; k++) {
            int r;
            /* a private copy, so that ASan sees any read past the end */
            char *p = (char *)malloc(k == 0 ? 1 : k);
            assert_non_null(p);
            memcpy(p, v[i].in, k);
            r = parse_x(p, k, 0, 0);
            if (r != MW_OK) {
                assert_true(r < 0);
                assert_int_equal(err.code, r);
                assert_true(err.offset >= BASE && err.offset <= BASE + k);
                assert_non_null(err.reason);
            }
            free(p);
        }
    }
}

static void test_cut_everywhere(void **state)
{
    (void)state;
    cut_all(rfc_both, sizeof rfc_both / sizeof rfc_both[0]);
    cut_all(rfc3501, sizeof rfc3501 / sizeof rfc3501[0]);
    cut_all(rfc9051, sizeof rfc9051 / sizeof rfc9051[0]);
    cut_all(near_rfc, sizeof near_rfc / sizeof near_rfc[0]);
    cut_all(extensions, sizeof extensions / sizeof extensions[0]);
    /* some prefixes are whole commands; check a few by name */
    assert_int_equal(parse_x(S_("a FETCH 1 UID (CHANGEDSINCE 1)") - 17, 0, 0),
                     MW_OK);
    assert_int_equal(parse_x(S_("a SEARCH SEEN DRAFT") - 6, 0, 0), MW_OK);
    assert_int_equal(parse_x(S_("a SEARCH OR SEEN DRAFT") - 6, 0, 0),
                     MW_E_SYNTAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3501_examples),
        cmocka_unit_test(test_rfc9051_examples),
        cmocka_unit_test(test_near_rfc_shapes),
        cmocka_unit_test(test_extension_examples),
        cmocka_unit_test(test_fetch_items),
        cmocka_unit_test(test_search_keys),
        cmocka_unit_test(test_scanners),
        cmocka_unit_test(test_keyword_match),
        cmocka_unit_test(test_keyword_tables),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_other),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_mailbox_names),
        cmocka_unit_test(test_append_stream),
        cmocka_unit_test(test_append_steps),
        cmocka_unit_test(test_states),
        cmocka_unit_test(test_cut_everywhere),
    };
    return cmocka_run_group_tests_name("imap_server_cmd", tests, NULL, NULL);
}
