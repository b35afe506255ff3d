/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer round-trip target for the header writer
 * (include/mailwire/hdr_writer.h).
 *
 * Input:
 *   byte 0     bit 0: MW_HDR_WRITE_UTF8; bit 1: a second address entry;
 *              bit 2: the date is taken field by field from the bytes
 *              (mostly out of range) instead of from an epoch;
 *   byte 1     capacity of the shared writer (see below);
 *   bytes 2-9  the date (epoch and zone, or raw fields);
 *   the rest   pieces separated by 0xFF (never in UTF-8): field name,
 *              subject text, display name, local part, domain, group name,
 *              two message identifiers, a raw value.
 *
 * Each field is written on its own into a large buffer. When that
 * succeeds, the output is read back with the splitter (exactly one field,
 * no defect, the same name, no line over 998 bytes, every line ending in
 * CRLF, no white-space-only line, ASCII only without MW_HDR_WRITE_UTF8) and
 * with the matching parser:
 *   unstructured: mw_hdr_decode_unstructured(raw) == " " + text;
 *   addresses:    strict parse, one entry per member (or one empty group),
 *                 addr-spec == the canonical form of local and domain,
 *                 decoded display name and group name == the inputs;
 *   msg-ids:      the same identifiers, byte for byte;
 *   date:         same epoch and zone;
 *   raw:          raw unfolded == " " + value.
 * A failed write leaves the buffer and the length exactly as they were
 * (the whole buffer is compared with a snapshot). The same fields are then
 * written one after another into one writer of a small capacity: each call
 * appends exactly what the lone write produced, or fails (MW_E_NOSPACE
 * where the lone write succeeded) leaving everything untouched; a
 * capacity one byte short of a field always gives MW_E_NOSPACE.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/codec.h"
#include "mailwire/hdr_address.h"
#include "mailwire/hdr_date.h"
#include "mailwire/hdr_decode.h"
#include "mailwire/hdr_fields.h"
#include "mailwire/hdr_split.h"
#include "mailwire/hdr_writer.h"

#include "fuzz_util.h"

static void fail_text(const char *what, const char *a, size_t an,
                      const char *b, size_t bn)
{
    fprintf(stderr, "%s:\n  got  [%.*s] (%zu)\n  want [%.*s] (%zu)\n", what,
            (int)an, a, an, (int)bn, b, bn);
    abort();
}

/* ---- reading a written field back ---- */

typedef struct readback {
    int fields, defects, ended;
    char *name, *raw;
    size_t name_len, raw_len;
} readback;

static int rb_field(mw_hdr_parser *p, void *user, const mw_hdr_field *f)
{
    readback *r = (readback *)user;
    (void)p;
    r->fields++;
    if (r->fields == 1) {
        r->name = xmalloc(f->name.len);
        memcpy(r->name, f->name.ptr, f->name.len);
        r->name_len = f->name.len;
        r->raw = xmalloc(f->raw.len);
        if (f->raw.len)
            memcpy(r->raw, f->raw.ptr, f->raw.len);
        r->raw_len = f->raw.len;
    }
    return 0;
}

static int rb_defect(mw_hdr_parser *p, void *user, const mw_hdr_defect *d)
{
    (void)p;
    (void)d;
    ((readback *)user)->defects++;
    return 0;
}

static int rb_end(mw_hdr_parser *p, void *user, size_t body)
{
    (void)p;
    (void)body;
    ((readback *)user)->ended++;
    return 0;
}

/* The shape of the lines, then the splitter. */
static void read_back(const char *out, size_t n, const char *name,
                      size_t name_len, unsigned wflags, readback *r)
{
    mw_hdr_config cfg;
    mw_hdr_callbacks cb;
    mw_hdr_parser p;
    size_t i, line = 0, used = 0, buflen;
    char *buf;
    int first = 1, r0;

    /* lines: CRLF-terminated, at most 998 bytes, continuation lines start
     * with WSP and are not white space only */
    CHECK(n >= 2 && out[n - 2] == '\r' && out[n - 1] == '\n');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];
        CHECK(c != '\0');
        if (!(wflags & MW_HDR_WRITE_UTF8))
            CHECK(c < 0x80);
        if (c == '\r') {
            size_t k, ws = 1;
            CHECK(i + 1 < n && out[i + 1] == '\n');
            CHECK(i - line <= 998);
            for (k = line; k < i; k++)
                if (out[k] != ' ' && out[k] != '\t')
                    ws = 0;
            CHECK(!ws);
            if (first)
                CHECK(i - line > name_len && memcmp(out, name, name_len) == 0 &&
                      out[name_len] == ':');
            else
                CHECK(out[line] == ' ' || out[line] == '\t');
            first = 0;
            i++;
            line = i + 1;
        } else {
            CHECK(c != '\n');
        }
    }

    memset(r, 0, sizeof *r);
    mw_hdr_config_init(&cfg);
    cfg.max_field = n; /* the field is shorter: a small buffer, fast runs */
    memset(&cb, 0, sizeof cb);
    cb.field = rb_field;
    cb.defect = rb_defect;
    cb.end = rb_end;
    buflen = MW_HDR_BUFLEN(cfg.max_field);
    buf = xmalloc(buflen);
    CHECK(mw_hdr_parser_init(&p, &cfg, &cb, r, buf, buflen) == MW_OK);
    r0 = mw_hdr_parser_feed(&p, out, n, &used);
    CHECK(r0 == MW_OK && used == n);
    CHECK(mw_hdr_parser_finish(&p) == MW_OK);
    free(buf);
    CHECK(r->fields == 1 && r->ended == 1);
    if (r->defects != 0) {
        fprintf(stderr, "written field has defects: %.*s\n", (int)n, out);
        abort();
    }
    CHECK(r->name_len == name_len && memcmp(r->name, name, name_len) == 0);
}

static void rb_free(readback *r)
{
    free(r->name);
    free(r->raw);
}

/* raw with its folding CRLFs removed */
static size_t unfold(const char *raw, size_t n, char *out)
{
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        if (raw[i] == '\r' && i + 1 < n && raw[i + 1] == '\n') {
            i++;
            continue;
        }
        out[o++] = raw[i];
    }
    return o;
}

/* ---- the pieces ---- */

enum {
    P_NAME,
    P_SUBJECT,
    P_DISPLAY,
    P_LOCAL,
    P_DOMAIN,
    P_GROUP,
    P_ID1,
    P_ID2,
    P_RAW,
    P_COUNT
};

typedef struct piece {
    const char *p;
    size_t n;
} piece;

/* ---- expected addr-spec ---- */

static int is_atext(unsigned char c)
{
    if (c >= 0x80)
        return 1; /* RFC 6532: UTF-8 is atext (validated by the writer) */
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9'))
        return 1;
    return c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static int dot_atom(const char *p, size_t n)
{
    size_t i;
    if (n == 0 || p[0] == '.' || p[n - 1] == '.')
        return 0;
    for (i = 0; i < n; i++) {
        if (p[i] == '.') {
            if (p[i + 1] == '.')
                return 0;
        } else if (!is_atext((unsigned char)p[i])) {
            return 0;
        }
    }
    return 1;
}

static size_t canonical_spec(piece local, piece domain, char *out)
{
    size_t o = 0, i;
    if (dot_atom(local.p, local.n)) {
        memcpy(out, local.p, local.n);
        o = local.n;
    } else {
        out[o++] = '"';
        for (i = 0; i < local.n; i++) {
            if (local.p[i] == '"' || local.p[i] == '\\')
                out[o++] = '\\';
            out[o++] = local.p[i];
        }
        out[o++] = '"';
    }
    out[o++] = '@';
    memcpy(out + o, domain.p, domain.n);
    return o + domain.n;
}

static void expect_phrase(mw_span got, piece want, const char *what)
{
    size_t cap = MW_HDR_DECODED_MAX(got.len) + 1, n = 0;
    char *out = xmalloc(cap);
    mw_error err;
    int r = mw_hdr_decode_phrase(got.ptr, got.len, NULL, out, cap, &n, &err);
    if (r != MW_OK) {
        fprintf(stderr, "%s does not decode: %d (%s) [%.*s]\n", what, r,
                err.reason, (int)got.len, got.ptr);
        abort();
    }
    if (n != want.n || memcmp(out, want.p, n) != 0)
        fail_text(what, out, n, want.p, want.n);
    free(out);
}

/* ---- the fields ---- */

typedef struct job {
    int kind; /* 0 unstructured, 1 addresses, 2 msgids, 3 date, 4 raw */
    piece name;
    piece text;
    mw_hdr_addr_out addrs[2];
    size_t naddrs;
    mw_span ids[2];
    size_t nids;
    mw_hdr_datetime dt;
} job;

static int do_write(mw_hdr_writer *w, const job *j)
{
    switch (j->kind) {
    case 0:
        return mw_hdr_write_unstructured(w, j->name.p, j->name.n, j->text.p,
                                         j->text.n);
    case 1:
        return mw_hdr_write_addresses(w, j->name.p, j->name.n, j->addrs,
                                      j->naddrs);
    case 2:
        return mw_hdr_write_msgids(w, j->name.p, j->name.n, j->ids, j->nids);
    case 3:
        return mw_hdr_write_date(w, j->name.p, j->name.n, &j->dt);
    default:
        return mw_hdr_write_raw(w, j->name.p, j->name.n, j->text.p,
                                j->text.n);
    }
}

static void check_unstructured(const readback *r, piece text)
{
    size_t cap = MW_HDR_DECODED_MAX(r->raw_len) + 1, n = 0;
    char *out = xmalloc(cap), *want = xmalloc(text.n + 1);
    mw_error err;
    int rc = mw_hdr_decode_unstructured(r->raw, r->raw_len, NULL, out, cap, &n,
                                        &err);
    if (rc != MW_OK) {
        fprintf(stderr, "written subject does not decode: %d (%s)\n", rc,
                err.reason);
        abort();
    }
    want[0] = ' ';
    if (text.n)
        memcpy(want + 1, text.p, text.n);
    if (text.n == 0 ? n != 0 : (n != text.n + 1 || memcmp(out, want, n) != 0))
        fail_text("decoded subject", out, n, want, text.n ? text.n + 1 : 0);
    free(out);
    free(want);
}

static void check_raw(const readback *r, piece text)
{
    char *u = xmalloc(r->raw_len);
    size_t n = unfold(r->raw, r->raw_len, u);
    if (text.n == 0) {
        CHECK(n == 0);
    } else if (n != text.n + 1 || u[0] != ' ' ||
               memcmp(u + 1, text.p, text.n) != 0) {
        fail_text("unfolded raw value", u, n, text.p, text.n);
    }
    free(u);
}

static void check_addresses(const readback *r, const job *j)
{
    mw_hdr_address got[3];
    size_t count = 0, k, members = 0;
    mw_error err;
    int rc;
    const mw_hdr_addr_out *a0 = &j->addrs[0];

    rc = mw_hdr_parse_addresses(r->raw, r->raw_len, MW_HDR_ADDR_STRICT, got, 3,
                                &count, &err);
    if (rc != MW_OK) {
        fprintf(stderr, "written addresses do not parse strictly: %d (%s at "
                "%zu) [%.*s]\n", rc, err.reason, err.offset, (int)r->raw_len,
                r->raw);
        abort();
    }
    for (k = 0; k < j->naddrs; k++)
        members += j->addrs[k].local_len > 0;
    if (members == 0) {
        CHECK(count == 1 && (got[0].flags & MW_HDR_ADDR_GROUP_EMPTY));
    } else {
        CHECK(count == members);
    }
    for (k = 0; k < count; k++) {
        const mw_hdr_address *e = &got[k];
        /* every entry here is addrs[0] or a copy of its address */
        if (a0->group_len > 0) {
            piece g = {a0->group, a0->group_len};
            CHECK(e->flags & (MW_HDR_ADDR_IN_GROUP | MW_HDR_ADDR_GROUP_EMPTY));
            expect_phrase(e->group, g, "decoded group name");
        } else {
            CHECK(e->group.len == 0);
        }
        if (e->flags & MW_HDR_ADDR_GROUP_EMPTY)
            continue;
        {
            piece lp = {a0->local, a0->local_len};
            piece dp = {a0->domain, a0->domain_len};
            char *want = xmalloc(2 * lp.n + dp.n + 4);
            char *spec = xmalloc(2 * lp.n + dp.n + 4);
            size_t wn = canonical_spec(lp, dp, want), sn = 0;
            CHECK(mw_hdr_addr_spec(e, spec, 2 * lp.n + dp.n + 4, &sn) == MW_OK);
            if (sn != wn || memcmp(spec, want, sn) != 0)
                fail_text("addr-spec read back", spec, sn, want, wn);
            free(want);
            free(spec);
        }
        if (k == 0 && a0->display_len > 0) {
            piece dn = {a0->display, a0->display_len};
            expect_phrase(e->display, dn, "decoded display name");
        } else {
            CHECK(e->display.len == 0);
        }
    }
}

static void check_msgids(const readback *r, const job *j)
{
    mw_span got[3];
    size_t count = 0, k;
    int rc = mw_hdr_parse_msgids(r->raw, r->raw_len, got, 3, &count, NULL);
    CHECK(rc == MW_OK && count == j->nids);
    for (k = 0; k < count; k++)
        if (got[k].len != j->ids[k].len ||
            memcmp(got[k].ptr, j->ids[k].ptr, got[k].len) != 0)
            fail_text("msg-id read back", got[k].ptr, got[k].len,
                      j->ids[k].ptr, j->ids[k].len);
    {
        mw_hdr_msgid_iter it;
        unsigned fl = 0xFF;
        mw_span id;
        mw_hdr_msgid_iter_init(&it, r->raw, r->raw_len);
        while (mw_hdr_msgid_next(&it, &id, &fl, NULL) == MW_OK)
            CHECK((fl & (MW_HDR_MSGID_OBS_PHRASE | MW_HDR_MSGID_OBS_LEFT |
                         MW_HDR_MSGID_OBS_RIGHT | MW_HDR_MSGID_COMMENTS)) == 0);
    }
}

static void check_date(const readback *r, const job *j)
{
    mw_hdr_datetime back;
    int rc = mw_hdr_parse_date(r->raw, r->raw_len, &back, NULL);
    const mw_hdr_datetime *d = &j->dt;
    CHECK(rc == MW_OK);
    /* the writer formats the calendar fields (the epoch is only filled
     * when the date came from one) */
    CHECK(back.year == d->year && back.month == d->month &&
          back.day == d->day && back.hour == d->hour &&
          back.minute == d->minute && back.second == d->second &&
          back.zone == d->zone);
    if (d->flags & MW_HDR_DATE_UNKNOWN_ZONE && d->zone == 0)
        CHECK(back.flags & MW_HDR_DATE_UNKNOWN_ZONE);
    if (d->epoch != INT64_MIN)
        CHECK(back.epoch == d->epoch);
}

/* Write one field alone: into a canary-filled large buffer behind some
 * earlier content. Returns the status; *out and *outlen get the field. */
static int write_alone(const job *j, unsigned wflags, char **out,
                       size_t *outlen, size_t budget)
{
    size_t cap = budget, pre = 3, k;
    char *buf = xmalloc(cap), *snap = xmalloc(cap);
    mw_hdr_writer w;
    int rc;
    size_t item, off;
    const char *reason;

    for (k = 0; k < cap; k++)
        buf[k] = (char)(0xA5 ^ (k * 7));
    mw_hdr_writer_init(&w, buf, cap, wflags);
    /* some earlier content in the buffer */
    CHECK(mw_hdr_write_raw(&w, "X", 1, "y", 1) == MW_OK);
    pre = mw_hdr_writer_len(&w);
    CHECK(pre == 6);
    memcpy(snap, buf, cap);
    rc = do_write(&w, j);
    CHECK(mw_hdr_writer_error(&w, &item, &off, &reason) == rc);
    *out = NULL;
    *outlen = 0;
    if (rc == MW_OK) {
        size_t n = mw_hdr_writer_len(&w) - pre;
        CHECK(reason == NULL);
        CHECK(memcmp(buf, snap, pre) == 0);
        CHECK(memcmp(buf + pre + n, snap + pre + n, cap - pre - n) == 0);
        *out = xmalloc(n);
        memcpy(*out, buf + pre, n);
        *outlen = n;
    } else {
        CHECK(rc == MW_E_INVAL || rc == MW_E_UTF8 || rc == MW_E_TOO_LONG ||
              rc == MW_E_NOSPACE);
        CHECK(reason != NULL);
        CHECK(mw_hdr_writer_len(&w) == pre);
        CHECK(memcmp(buf, snap, cap) == 0); /* nothing touched */
        if (j->kind == 1 || j->kind == 2)
            CHECK(item < 2);
    }
    free(buf);
    free(snap);
    return rc;
}

static void verify(const job *j, const char *out, size_t n, unsigned wflags)
{
    readback r;
    read_back(out, n, j->name.p, j->name.n, wflags, &r);
    switch (j->kind) {
    case 0:
        check_unstructured(&r, j->text);
        break;
    case 1:
        check_addresses(&r, j);
        break;
    case 2:
        check_msgids(&r, j);
        break;
    case 3:
        check_date(&r, j);
        break;
    default:
        check_raw(&r, j->text);
        break;
    }
    rb_free(&r);
}

/* One byte short of a successful field: MW_E_NOSPACE, nothing touched. */
static void check_short(const job *j, unsigned wflags, size_t n)
{
    char *buf = xmalloc(n), *snap = xmalloc(n);
    mw_hdr_writer w;
    size_t k;
    for (k = 0; k < n; k++)
        buf[k] = (char)(0x5A ^ k);
    memcpy(snap, buf, n);
    mw_hdr_writer_init(&w, n - 1 ? buf : NULL, n - 1, wflags);
    CHECK(do_write(&w, j) == MW_E_NOSPACE);
    CHECK(mw_hdr_writer_len(&w) == 0);
    CHECK(memcmp(buf, snap, n) == 0);
    free(buf);
    free(snap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    piece pc[P_COUNT];
    job jobs[5];
    unsigned wflags;
    size_t np = 0, start, i, budget, shared_cap, k;
    char *rest, *outs[5];
    size_t outlens[5];
    int rcs[5];

    if (size < 10)
        return 0;
    wflags = (data[0] & 1u) ? MW_HDR_WRITE_UTF8 : 0u;
    /* Q encoding triples a byte, quoting doubles one; words and folding
     * add a bounded overhead per line: four times the input is ample. */
    budget = 4 * size + 2048;

    /* the pieces, in one exact-size copy */
    rest = xmalloc(size - 10);
    memcpy(rest, data + 10, size - 10);
    memset(pc, 0, sizeof pc);
    start = 0;
    for (i = 0; i <= size - 10 && np < P_COUNT; i++) {
        if (i == size - 10 || (unsigned char)rest[i] == 0xFF) {
            pc[np].p = rest + start;
            pc[np].n = i - start;
            np++;
            start = i + 1;
        }
    }
    for (i = 0; i < P_COUNT; i++)
        if (pc[i].n == 0)
            pc[i].p = NULL;

    memset(jobs, 0, sizeof jobs);
    for (k = 0; k < 5; k++) {
        jobs[k].kind = (int)k;
        jobs[k].name = pc[P_NAME];
        if (jobs[k].name.n == 0) {
            static const char *const names[5] = {"Subject", "To", "References",
                                                 "Date", "X-Raw"};
            jobs[k].name.p = names[k];
            jobs[k].name.n = strlen(names[k]);
        }
    }
    jobs[0].text = pc[P_SUBJECT];
    jobs[4].text = pc[P_RAW];
    {
        mw_hdr_addr_out *a = &jobs[1].addrs[0];
        a->display = pc[P_DISPLAY].p;
        a->display_len = pc[P_DISPLAY].n;
        a->local = pc[P_LOCAL].p;
        a->local_len = pc[P_LOCAL].n;
        a->domain = pc[P_DOMAIN].p;
        a->domain_len = pc[P_DOMAIN].n;
        a->group = pc[P_GROUP].p;
        a->group_len = pc[P_GROUP].n;
        jobs[1].naddrs = 1;
        if (data[0] & 2u) {
            /* the same address again, without a display name */
            jobs[1].addrs[1] = *a;
            jobs[1].addrs[1].display = NULL;
            jobs[1].addrs[1].display_len = 0;
            jobs[1].naddrs = 2;
        }
    }
    jobs[2].ids[0].ptr = pc[P_ID1].p;
    jobs[2].ids[0].len = pc[P_ID1].n;
    jobs[2].ids[1].ptr = pc[P_ID2].p;
    jobs[2].ids[1].len = pc[P_ID2].n;
    jobs[2].nids = pc[P_ID2].n > 0 ? 2 : 1;
    {
        mw_hdr_datetime *dt = &jobs[3].dt;
        if (data[0] & 4u) {
            dt->year = 1890 + data[2] * 40 + (data[3] & 0x3F);
            dt->month = (uint8_t)(data[4] % 14);
            dt->day = (uint8_t)(data[5] % 33);
            dt->hour = (uint8_t)(data[6] % 25);
            dt->minute = (uint8_t)(data[7] % 61);
            dt->second = (uint8_t)(data[8] % 62);
            dt->zone = (int16_t)((int)(data[9] * 48) - 6100);
            dt->flags = (data[9] & 1u) ? MW_HDR_DATE_UNKNOWN_ZONE : 0u;
            dt->wday = -1;
            dt->epoch = INT64_MIN; /* not known */
        } else {
            int64_t e = 0;
            int zone;
            for (i = 2; i < 8; i++)
                e = (e << 8) | data[i];
            e %= INT64_C(253402300800); /* up to 9999-12-31 */
            e -= INT64_C(2208988800);   /* from 1900-01-01 */
            zone = ((int)data[8] << 8 | data[9]) % (2 * MW_HDR_DATE_ZONE_MAX + 1) -
                   MW_HDR_DATE_ZONE_MAX;
            if (mw_hdr_datetime_from_epoch(e, zone, dt) != MW_OK) {
                dt->month = 0; /* refused: the write must say MW_E_INVAL */
                dt->epoch = INT64_MIN;
            }
        }
    }

    /* each field alone, and read back */
    for (k = 0; k < 5; k++) {
        rcs[k] = write_alone(&jobs[k], wflags, &outs[k], &outlens[k], budget);
        CHECK(rcs[k] != MW_E_NOSPACE); /* the budget is ample */
        if (rcs[k] == MW_OK) {
            verify(&jobs[k], outs[k], outlens[k], wflags);
            check_short(&jobs[k], wflags, outlens[k]);
        }
    }

    /* all of them into one small writer */
    shared_cap = (size_t)data[1] * 8u;
    {
        char *buf = xmalloc(shared_cap), *snap = xmalloc(shared_cap);
        mw_hdr_writer w;
        for (i = 0; i < shared_cap; i++)
            buf[i] = (char)(0x3C ^ i);
        mw_hdr_writer_init(&w, shared_cap ? buf : NULL, shared_cap, wflags);
        for (k = 0; k < 5; k++) {
            size_t before = mw_hdr_writer_len(&w);
            int rc;
            memcpy(snap, buf, shared_cap);
            rc = do_write(&w, &jobs[k]);
            if (rc == MW_OK) {
                CHECK(rcs[k] == MW_OK);
                CHECK(mw_hdr_writer_len(&w) == before + outlens[k]);
                CHECK(memcmp(buf + before, outs[k], outlens[k]) == 0);
                CHECK(memcmp(buf, snap, before) == 0);
                CHECK(memcmp(buf + before + outlens[k],
                             snap + before + outlens[k],
                             shared_cap - before - outlens[k]) == 0);
            } else {
                CHECK(rc == rcs[k] ||
                      (rc == MW_E_NOSPACE && rcs[k] == MW_OK));
                if (rc == MW_E_NOSPACE)
                    CHECK(shared_cap - before < outlens[k]);
                CHECK(mw_hdr_writer_len(&w) == before);
                CHECK(memcmp(buf, snap, shared_cap) == 0);
            }
        }
        free(buf);
        free(snap);
    }
    for (k = 0; k < 5; k++)
        free(outs[k]);
    free(rest);
    return 0;
}
