/* SPDX-License-Identifier: MIT */
/* Security regression suite for the RFC 5322 header parsers and writer
 * (issue 8): one test per attack class of field-notes §4, each named
 * after the CVE or the class it guards against (cve_<id>_... /
 * class_<what>_...).
 *
 * Covered elsewhere and only extended here:
 *  - test_hdr_writer.c test_injection_text_functions, _addresses,
 *    _msgids: CR/LF/NUL refused. Added: the first, a middle and the last
 *    byte of every text of every writer function, and the buffer left
 *    untouched.
 *  - test_hdr_decode.c test_safe_flag / test_hostile: SAFE removes CR, LF
 *    and NUL. Added: the decision pinned down for all three decoders
 *    (without SAFE the decoded bytes come back as they are, as data; with
 *    SAFE each becomes one space), and the round trip that matters
 *    (cpython#121650): text decoded from an encoded word and written back
 *    by the writer can never add a header line.
 *  - test_hdr_address.c test_cve_2019_16056_multiple_at and
 *    test_cve_2023_27043_display_name_as_address: hand-picked forms.
 *    Added: every list of up to 4 tokens from a hostile set, checked for
 *    the properties those CVEs broke.
 *  - test_hdr_address.c test_runs_of_separators (Mutt CVE-2021-3181,
 *    100,000 ';' or ','). Added: runs inside and right after a group,
 *    1,000,000 long, with the entries around them.
 *  - test_hdr_address.c test_many_addresses, test_hdr_split.c
 *    test_hostile_100000_fields (Dovecot CVE-2024-23184). Added: the two
 *    together, 100,000 address fields through the splitter each parsed;
 *    time growth is measured by tests/bench/bench_growth.c, never here.
 *  - test_hdr_lex.c test_ten_thousand_nested_comments and the depth tests
 *    of test_hdr_address.c / test_hdr_date.c. Added: every structured
 *    parser at depth MW_HDR_MAX_COMMENT_DEPTH, one more, and 1,000,000.
 *  - test_hdr_date.c (a 26-digit day) and test_hdr_mime.c (section
 *    999999999). Added: the 2^32 and 2^64 boundaries of every numeric
 *    date field, and RFC 2231 section numbers that would wrap onto
 *    section 0 or 1 if they were parsed modulo 2^32.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/features.h"
#include "security_util.h"

#if MW_ENABLE_HDR
#include "mailwire/rfc5322.h"

/* S_, NELEM, sec_ctl_*: security_util.h */

static char *repeat(const char *head, const char *unit, size_t times, const char *tail,
                    size_t *len)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail), i;
    char *s = malloc(hl + ul * times + tl + 1);
    assert_non_null(s);
    memcpy(s, head, hl);
    for (i = 0; i < times; i++)
        memcpy(s + hl + i * ul, unit, ul);
    memcpy(s + hl + ul * times, tail, tl + 1);
    *len = hl + ul * times + tl;
    return s;
}

/* ---- a splitter run over a whole header -------------------------------- */

typedef struct split_count {
    size_t fields, defects;
    int (*each)(struct split_count *sc, const mw_hdr_field *f);
    size_t addresses, bad;
    char first_value[256];
} split_count;

static int on_field(mw_hdr_parser *p, void *u, const mw_hdr_field *f)
{
    split_count *sc = u;
    (void)p;
    if (sc->fields == 0) {
        size_t n = f->value.len < sizeof sc->first_value - 1 ? f->value.len
                                                             : sizeof sc->first_value - 1;
        memcpy(sc->first_value, f->value.ptr, n);
        sc->first_value[n] = '\0';
    }
    sc->fields++;
    return sc->each != NULL ? sc->each(sc, f) : 0;
}

static int on_defect(mw_hdr_parser *p, void *u, const mw_hdr_defect *d)
{
    split_count *sc = u;
    (void)p;
    (void)d;
    sc->defects++;
    return 0;
}

/* Split `text` (ended by an empty line) in chunks of `chunk` bytes. */
static int split_all(const char *text, size_t n, size_t chunk, const mw_hdr_config *cfg,
                     split_count *sc)
{
    static char buf[MW_HDR_BUFLEN_DEFAULT];
    mw_hdr_parser *p = malloc(mw_hdr_parser_sizeof());
    mw_hdr_callbacks cb;
    size_t pos = 0;
    int r = MW_OK;
    assert_non_null(p);
    memset(&cb, 0, sizeof cb);
    cb.field = on_field;
    cb.defect = on_defect;
    assert_int_equal(mw_hdr_parser_init(p, cfg, &cb, sc, buf, sizeof buf), MW_OK);
    while (pos < n) {
        size_t used = 0, k = n - pos < chunk ? n - pos : chunk;
        r = mw_hdr_parser_feed(p, text + pos, k, &used);
        pos += used;
        if (r < 0 || r == MW_DONE)
            break;
    }
    if (r >= 0 && r != MW_DONE)
        r = mw_hdr_parser_finish(p);
    free(p);
    return r;
}

/* ====================================================================
 * Header writer: CR, LF and NUL refused everywhere
 * ==================================================================== */

/* Cases 3..6 put the value into one part of an address: display name,
 * local part, domain, group name. */
static int write_case(mw_hdr_writer *w, int which, const char *v, size_t n)
{
    mw_hdr_addr_out a;
    mw_span id;
    const char **part[4];
    size_t *part_len[4];
    memset(&a, 0, sizeof a);
    a.local = "john";
    a.local_len = 4;
    a.domain = "example.com";
    a.domain_len = 11;
    part[0] = &a.display;
    part_len[0] = &a.display_len;
    part[1] = &a.local;
    part_len[1] = &a.local_len;
    part[2] = &a.domain;
    part_len[2] = &a.domain_len;
    part[3] = &a.group;
    part_len[3] = &a.group_len;
    switch (which) {
    case 0: return mw_hdr_write_unstructured(w, S_("Subject"), v, n);
    case 1: return mw_hdr_write_raw(w, S_("X-Raw"), v, n);
    case 2: return mw_hdr_write_unstructured(w, v, n, S_("text"));
    case 3:
    case 4:
    case 5:
    case 6:
        *part[which - 3] = v;
        *part_len[which - 3] = n;
        return mw_hdr_write_addresses(w, S_("To"), &a, 1);
    default:
        id.ptr = v;
        id.len = n;
        return mw_hdr_write_msgids(w, S_("References"), &id, 1);
    }
}

/* Every text of every writer function with CR, LF or NUL at its first, a
 * middle and its last byte: MW_E_INVAL, the length unchanged and every
 * byte of the buffer untouched (CVE-2015-8476 / bpo-39073 class: a
 * header builder must never let a value start a new field). */
static void class_writer_crlf_nul_refused_every_position(void **state)
{
    static const char *const base[8] = {"Hello world", "text/plain; x=1", "X-Name",
                                        "Joe Q. Public", "john.q", "mail.example.com",
                                        "Friends", "1234@local.machine.example"};
    char buf[512], shadow[512];
    (void)state;
    for (int which = 0; which < 8; which++) {
        size_t len = strlen(base[which]);
        mw_hdr_writer w;
        /* the clean value is written */
        mw_hdr_writer_init(&w, buf, sizeof buf, 0);
        if (write_case(&w, which, base[which], len) != MW_OK)
            fail_msg("case %d: the clean value is refused", which);
        for (size_t k = 0; k < 3; k++)
            for (size_t q = 0; q < 3; q++) {
                char v[64];
                size_t before, pos = sec_ctl_taint(v, sizeof v, base[which], k, q);
                int rc;
                memset(buf, 0x5a, sizeof buf);
                mw_hdr_writer_init(&w, buf, sizeof buf, MW_HDR_WRITE_UTF8);
                assert_int_equal(mw_hdr_write_unstructured(&w, S_("X-First"), S_("kept")),
                                 MW_OK);
                before = mw_hdr_writer_len(&w);
                memcpy(shadow, buf, sizeof buf);
                rc = write_case(&w, which, v, len);
                if (rc != MW_E_INVAL)
                    fail_msg("case %d, byte %d at %zu: %s", which, sec_ctl_byte(k), pos,
                             mw_status_name(rc));
                assert_int_equal(mw_hdr_writer_len(&w), before);
                assert_memory_equal(buf, shadow, sizeof buf);
            }
    }
}

/* ====================================================================
 * RFC 2047: decoded values holding CR, LF or NUL
 * ==================================================================== */

/* The decision: an encoded word is decoded to the bytes it encodes, CR,
 * LF and NUL included (they are data: the caller gets bytes and a length,
 * field-notes §4.3); MW_HDR_DECODE_SAFE turns each of them into one
 * space, for output that goes into a header line, a log or a C string.
 * What must never happen is the writer putting decoded text back into a
 * header as a line break (cpython#121650): it refuses the raw decoded
 * text, and the SAFE text is written, read back as one field, and decodes
 * to itself. The same through a display name (address parser, phrase
 * decoder, address writer). */
static void class_rfc2047_decoded_line_breaks(void **state)
{
#define RAW(s) s, sizeof(s) - 1
    static const struct {
        const char *word;
        const char *raw; /* decoded without SAFE */
        size_t raw_len;
    } v[] = {
        {"=?utf-8?q?a=0D=0ABcc:_evil@x.example?=", RAW("a\r\nBcc: evil@x.example")},
        {"=?utf-8?q?a=0Db?=", RAW("a\rb")},
        {"=?utf-8?q?a=0Ab?=", RAW("a\nb")},
        {"=?utf-8?q?a=00b?=", RAW("a\0b")},
        {"=?iso-8859-1?q?=0D=0A=0D=0A?=", RAW("\r\n\r\n")},
        {"=?utf-8?b?YQ0KQmNjOiBldmlsQHguZXhhbXBsZQ==?=", RAW("a\r\nBcc: evil@x.example")},
        {"=?us-ascii?b?AA0K?=", RAW("\0\r\n")},
    };
#undef RAW
    (void)state;
    for (size_t i = 0; i < NELEM(v); i++) {
        char out[256], safe[256], hdr[1024], phr[300];
        size_t ol = 0, sl = 0, wl, pl;
        mw_hdr_decode_opts o;
        mw_hdr_writer w;
        split_count sc;
        mw_hdr_config cfg;
        size_t wlen = strlen(v[i].word);
        memset(&o, 0, sizeof o);
        /* unstructured */
        assert_int_equal(mw_hdr_decode_unstructured(v[i].word, wlen, NULL, out, sizeof out, &ol,
                                                    NULL),
                         MW_OK);
        assert_int_equal(ol, v[i].raw_len);
        assert_memory_equal(out, v[i].raw, ol);
        o.flags = MW_HDR_DECODE_SAFE;
        assert_int_equal(mw_hdr_decode_unstructured(v[i].word, wlen, &o, safe, sizeof safe,
                                                    &sl, NULL),
                         MW_OK);
        assert_int_equal(sl, v[i].raw_len);
        for (size_t k = 0; k < sl; k++) {
            char want = (v[i].raw[k] == '\r' || v[i].raw[k] == '\n' || v[i].raw[k] == '\0')
                            ? ' '
                            : v[i].raw[k];
            assert_int_equal(safe[k], want);
        }
        /* phrase and comment decoders decide the same way (phrases:
         * lenient, as the first word holds specials, RFC 2047 §5(3)) */
        o.flags = MW_HDR_DECODE_LENIENT;
        assert_int_equal(mw_hdr_decode_phrase(v[i].word, wlen, &o, phr, sizeof phr, &pl, NULL),
                         MW_OK);
        assert_int_equal(pl, ol);
        assert_memory_equal(phr, out, ol);
        o.flags = MW_HDR_DECODE_LENIENT | MW_HDR_DECODE_SAFE;
        assert_int_equal(mw_hdr_decode_phrase(v[i].word, wlen, &o, phr, sizeof phr, &pl, NULL),
                         MW_OK);
        assert_memory_equal(phr, safe, sl);
        o.flags = MW_HDR_DECODE_SAFE;
        assert_int_equal(mw_hdr_decode_comment(v[i].word, wlen, &o, phr, sizeof phr, &pl, NULL),
                         MW_OK);
        assert_memory_equal(phr, safe, sl);
        /* written back: the raw text is refused, nothing written */
        mw_hdr_writer_init(&w, hdr, sizeof hdr, 0);
        assert_int_equal(mw_hdr_write_unstructured(&w, S_("Subject"), out, ol), MW_E_INVAL);
        assert_int_equal(mw_hdr_write_raw(&w, S_("Subject"), out, ol), MW_E_INVAL);
        assert_int_equal(mw_hdr_writer_len(&w), 0);
        /* the SAFE text is written, and reads back as one field */
        assert_int_equal(mw_hdr_write_unstructured(&w, S_("Subject"), safe, sl), MW_OK);
        wl = mw_hdr_writer_len(&w);
        memcpy(hdr + wl, "\r\n", 2);
        memset(&sc, 0, sizeof sc);
        mw_hdr_config_init(&cfg);
        assert_true(split_all(hdr, wl + 2, 7, &cfg, &sc) >= 0);
        assert_int_equal(sc.fields, 1);
        assert_int_equal(sc.defects, 0);
        assert_int_equal(count_in(hdr, wl, "\nBcc:"), 0); /* text, not a field */
        {
            char back[256];
            size_t bl = 0;
            assert_int_equal(mw_hdr_decode_unstructured(sc.first_value,
                                                        strlen(sc.first_value), NULL, back,
                                                        sizeof back, &bl, NULL),
                             MW_OK);
            /* the splitter trims the value's ends (RFC 5322 §2.2.3
             * unfolding), so compare without them */
            size_t b0 = 0, b1 = sl;
            while (b0 < b1 && safe[b0] == ' ')
                b0++;
            while (b1 > b0 && safe[b1 - 1] == ' ')
                b1--;
            assert_int_equal(bl, b1 - b0);
            assert_memory_equal(back, safe + b0, bl);
        }
        /* through a display name (a word whose text has no specials:
         * the list is tokenised before decoding, RFC 2047 §6.2) */
        if (strpbrk(v[i].word, ":@") == NULL) {
            char field[300], dn[256];
            size_t fl, dl = 0;
            mw_hdr_address a;
            mw_hdr_addr_iter it;
            mw_hdr_addr_out ao;
            fl = (size_t)snprintf(field, sizeof field, "%s <alice@example.org>", v[i].word);
            mw_hdr_addr_iter_init(&it, field, fl, 0);
            assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
            assert_int_equal(a.flags & MW_HDR_ADDR_INVALID, 0);
            assert_int_equal(mw_hdr_decode_phrase(a.display.ptr, a.display.len, NULL, dn,
                                                  sizeof dn, &dl, NULL),
                             MW_OK);
            assert_memory_equal(dn, v[i].raw, v[i].raw_len);
            memset(&ao, 0, sizeof ao);
            ao.display = dn;
            ao.display_len = dl;
            ao.local = "alice";
            ao.local_len = 5;
            ao.domain = "example.org";
            ao.domain_len = 11;
            mw_hdr_writer_init(&w, hdr, sizeof hdr, 0);
            assert_int_equal(mw_hdr_write_addresses(&w, S_("From"), &ao, 1), MW_E_INVAL);
            assert_int_equal(mw_hdr_decode_phrase(a.display.ptr, a.display.len, &o, dn, sizeof dn,
                                                  &dl, NULL),
                             MW_OK);
            ao.display_len = dl;
            assert_int_equal(mw_hdr_write_addresses(&w, S_("From"), &ao, 1), MW_OK);
            wl = mw_hdr_writer_len(&w);
            memcpy(hdr + wl, "\r\n", 2);
            memset(&sc, 0, sizeof sc);
            assert_true(split_all(hdr, wl + 2, 5, &cfg, &sc) >= 0);
            assert_int_equal(sc.fields, 1);
            mw_hdr_addr_iter_init(&it, sc.first_value, strlen(sc.first_value),
                                  MW_HDR_ADDR_STRICT);
            assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
            assert_int_equal(a.flags & MW_HDR_ADDR_INVALID, 0);
            assert_int_equal(a.domain.len, 11);
            assert_memory_equal(a.domain.ptr, "example.org", 11);
            assert_int_equal(mw_hdr_addr_next(&it, &a), MW_DONE);
        }
    }
}

/* ====================================================================
 * Address semantics: CVE-2019-16056 and CVE-2023-27043
 * ==================================================================== */

/* 1 when the span lies inside [lo, hi). */
static int span_in(mw_span s, const char *lo, const char *hi)
{
    return s.len == 0 || (s.ptr >= lo && s.ptr + s.len <= hi);
}

/* Every list of up to 4 tokens from a hostile set (addresses with a good
 * and an evil domain, quotes, angle brackets, comments, '@', ',' and ';')
 * is parsed, and for every entry the parser calls valid:
 *  - with angle brackets, the local part and domain lie between the '<'
 *    and the '>' of the entry, and the display name before the '<': the
 *    display name is never taken as the address (CVE-2023-27043);
 *  - the domain holds no '@' and the unquoted local part none either
 *    (CVE-2019-16056: "a@b@c" is invalid, never "a@b" or "b@c");
 *  - when mw_hdr_addr_spec() succeeds, its output parsed alone (same
 *    options) is one valid entry with the same addr-spec.
 * Entries never overlap and come in order. */
static void cve_2019_16056_cve_2023_27043_generated_lists(void **state)
{
    static const char *const tok[] = {"alice@good.example", "@evil.example", "\"", "<", ">",
                                      "(", ")", ",", ";", "Alice ", "bob", ":", "\\"};
    const size_t nt = NELEM(tok);
    size_t total = 0, valid = 0;
    (void)state;
    for (size_t len = 1; len <= 4; len++) {
        size_t combos = 1;
        for (size_t k = 0; k < len; k++)
            combos *= nt;
        for (size_t c = 0; c < combos; c++) {
            char value[128];
            size_t vl = 0, x = c;
            for (size_t k = 0; k < len; k++) {
                size_t tl = strlen(tok[x % nt]);
                memcpy(value + vl, tok[x % nt], tl);
                vl += tl;
                x /= nt;
            }
            for (unsigned opts = 0; opts <= MW_HDR_ADDR_STRICT; opts += MW_HDR_ADDR_STRICT) {
                mw_hdr_addr_iter it;
                mw_hdr_address a;
                const char *last_end = value;
                int rc;
                mw_hdr_addr_iter_init(&it, value, vl, opts);
                while ((rc = mw_hdr_addr_next(&it, &a)) == MW_OK) {
                    const char *r0 = a.raw.ptr, *r1 = a.raw.ptr + a.raw.len;
                    char spec[160], spec2[160];
                    size_t sl = 0, sl2 = 0;
                    total++;
                    assert_true(r0 >= last_end && r1 <= value + vl);
                    last_end = r1;
                    if (a.flags & (MW_HDR_ADDR_INVALID | MW_HDR_ADDR_GROUP_EMPTY))
                        continue;
                    valid++;
                    assert_true(span_in(a.local, r0, r1) && span_in(a.domain, r0, r1) &&
                                span_in(a.display, r0, r1));
                    if (a.flags & MW_HDR_ADDR_ANGLE) {
                        const char *lt = a.local.ptr;
                        while (lt > r0 && *lt != '<')
                            lt--;
                        if (*lt != '<' || (a.display.len > 0 &&
                                           a.display.ptr + a.display.len > lt))
                            fail_msg("display name not before '<' in [%.*s]", (int)vl, value);
                    }
                    if (a.domain.len > 0 && memchr(a.domain.ptr, '@', a.domain.len) != NULL)
                        fail_msg("'@' in the domain of [%.*s]", (int)vl, value);
                    if (!(a.flags & MW_HDR_ADDR_QUOTED_LOCAL) && a.local.len > 0 &&
                        memchr(a.local.ptr, '@', a.local.len) != NULL)
                        fail_msg("'@' in the local part of [%.*s]", (int)vl, value);
                    rc = mw_hdr_addr_spec(&a, spec, sizeof spec, &sl);
                    if (rc != MW_OK)
                        continue; /* e.g. obsolete text the spec refuses */
                    {
                        mw_hdr_addr_iter it2;
                        mw_hdr_address b;
                        mw_hdr_addr_iter_init(&it2, spec, sl, opts);
                        if (mw_hdr_addr_next(&it2, &b) != MW_OK ||
                            (b.flags & MW_HDR_ADDR_INVALID) ||
                            mw_hdr_addr_spec(&b, spec2, sizeof spec2, &sl2) != MW_OK ||
                            sl2 != sl || memcmp(spec, spec2, sl) != 0 ||
                            mw_hdr_addr_next(&it2, &b) != MW_DONE)
                            fail_msg("addr-spec [%.*s] of [%.*s] does not read back",
                                     (int)sl, spec, (int)vl, value);
                    }
                }
                assert_int_equal(rc, MW_DONE);
            }
        }
    }
    assert_true(total > 10000);
    assert_true(valid > 100);
}

/* ====================================================================
 * Runs of ';' (Mutt CVE-2021-3181)
 * ==================================================================== */

/* 1,000,000 ';' inside a group, right after it and before the next
 * address: the entries around the run are found, the run adds none, and
 * the array form reports the same count. */
static void cve_2021_3181_semicolon_runs_in_groups(void **state)
{
    static const char *const heads[] = {"G: a@b.example", "G: a@b.example;", "a@b.example, G:"};
    (void)state;
    for (size_t h = 0; h < 3; h++) {
        size_t len, n = 0;
        char *s = repeat(heads[h], ";", 1000000, ", c@d.example", &len);
        mw_hdr_addr_iter it;
        mw_hdr_address a, arr[4];
        size_t count = 0;
        int saw_c = 0;
        mw_hdr_addr_iter_init(&it, s, len, 0);
        while (mw_hdr_addr_next(&it, &a) == MW_OK) {
            n++;
            if (a.domain.len == 9 && memcmp(a.domain.ptr, "d.example", 9) == 0) {
                saw_c = 1;
                assert_int_equal(a.offset, len - strlen("c@d.example"));
                assert_int_equal(a.flags & MW_HDR_ADDR_IN_GROUP, 0);
            }
        }
        assert_true(saw_c);
        /* a@b, c@d, and for "a@b, G:" the empty group */
        assert_int_equal(n, h == 2 ? 3u : 2u);
        assert_int_equal(mw_hdr_parse_addresses(s, len, 0, arr, 4, &count, NULL), MW_OK);
        assert_int_equal(count, n);
        free(s);
    }
}

/* ====================================================================
 * 100,000 address fields (Dovecot CVE-2024-23184)
 * ==================================================================== */

static int parse_field_addresses(split_count *sc, const mw_hdr_field *f)
{
    mw_hdr_addr_iter it;
    mw_hdr_address a;
    mw_hdr_addr_iter_init(&it, f->value.ptr, f->value.len, 0);
    while (mw_hdr_addr_next(&it, &a) == MW_OK) {
        if (a.flags & MW_HDR_ADDR_INVALID)
            sc->bad++;
        else
            sc->addresses++;
    }
    return 0;
}

/* Each address field is parsed on its own, with no state carried from
 * the fields before it: 100,000 To/Cc fields of 2 addresses each give
 * 200,000 addresses, fed in 4 KB chunks; a single field with 100,000
 * addresses gives them all, in order. (Linear time: bench_growth.) */
static void cve_2024_23184_100k_address_fields(void **state)
{
    const size_t n = 100000;
    size_t cap = n * 48 + 16, len = 0, i;
    char *text = malloc(cap);
    mw_hdr_config cfg;
    split_count sc;
    (void)state;
    assert_non_null(text);
    for (i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, cap - len, "%s: u%zu@a.example, v@b.example\r\n",
                                i % 2 ? "Cc" : "To", i);
    memcpy(text + len, "\r\n", 2);
    len += 2;
    mw_hdr_config_init(&cfg);
    cfg.max_fields = n;
    memset(&sc, 0, sizeof sc);
    sc.each = parse_field_addresses;
    assert_true(split_all(text, len, 4096, &cfg, &sc) >= 0);
    assert_int_equal(sc.fields, n);
    assert_int_equal(sc.addresses, 2 * n);
    assert_int_equal(sc.bad, 0);
    /* one more field than allowed stops the splitter */
    cfg.max_fields = n - 1;
    memset(&sc, 0, sizeof sc);
    assert_int_equal(split_all(text, len, 4096, &cfg, &sc), MW_E_TOO_MANY_FIELDS);
    free(text);
    /* one field, 100,000 addresses */
    {
        mw_hdr_addr_iter it;
        mw_hdr_address a;
        size_t k = 0, prev = 0;
        text = repeat("", "x@y.example, ", n, "", &len);
        mw_hdr_addr_iter_init(&it, text, len, 0);
        while (mw_hdr_addr_next(&it, &a) == MW_OK) {
            assert_int_equal(a.flags & MW_HDR_ADDR_INVALID, 0);
            assert_true(k == 0 || a.offset > prev);
            prev = a.offset;
            k++;
        }
        assert_int_equal(k, n);
        free(text);
    }
}

/* ====================================================================
 * Deep comment nesting, every structured parser (field-notes §4.6)
 * ==================================================================== */

/* The value `pre` + depth x "(" + "c" + depth x ")" + `post` given to one
 * parser; 1 when it reported MW_E_DEPTH (as its status or as an entry's
 * error), 0 when it parsed, -1 for any other failure. */
static int depth_try(int parser, size_t depth)
{
    static const char *const pre[] = {"a@b.example ", "Fri, 21 Nov 1997 09:55:06 -0600 ",
                                      "<a@b.example> ", "kw ", "text/plain ",
                                      "attachment ", "", "Joe ",
                                      "from x by y; Fri, 21 Nov 1997 09:55:06 -0600 "};
    size_t pl = strlen(pre[parser]), len = pl + 2 * depth + 1, i;
    char *v = malloc(len + 1);
    int res;
    assert_non_null(v);
    memcpy(v, pre[parser], pl);
    for (i = 0; i < depth; i++) {
        v[pl + i] = '(';
        v[pl + depth + 1 + i] = ')';
    }
    v[pl + depth] = 'c';
    v[len] = '\0';
    switch (parser) {
    case 0: {
        mw_hdr_addr_iter it;
        mw_hdr_address a;
        mw_hdr_addr_iter_init(&it, v, len, 0);
        assert_int_equal(mw_hdr_addr_next(&it, &a), MW_OK);
        res = a.error.code == MW_E_DEPTH ? 1 : (a.flags & MW_HDR_ADDR_INVALID) ? -1 : 0;
        break;
    }
    case 1: {
        mw_hdr_datetime dt;
        int rc = mw_hdr_parse_date(v, len, &dt, NULL);
        res = rc == MW_E_DEPTH ? 1 : rc == MW_OK ? 0 : -1;
        break;
    }
    case 2: {
        mw_span id;
        int rc = mw_hdr_parse_msgid(v, len, &id, NULL);
        res = rc == MW_E_DEPTH ? 1 : rc == MW_OK ? 0 : -1;
        break;
    }
    case 3: {
        mw_span ph[2];
        size_t n = 0;
        int rc = mw_hdr_parse_keywords(v, len, ph, 2, &n, NULL);
        res = rc == MW_E_DEPTH ? 1 : rc == MW_OK ? 0 : -1;
        break;
    }
    case 4:
    case 5: {
        /* content-type and content-disposition: the depth error may also
         * come as the error of a parameter */
        mw_hdr_content_type ct;
        mw_hdr_content_disposition cd;
        mw_hdr_param prm[2];
        mw_error e;
        int rc;
        memset(&e, 0, sizeof e);
        rc = parser == 4 ? mw_hdr_parse_content_type(v, len, &ct, prm, 2, &e)
                         : mw_hdr_parse_content_disposition(v, len, &cd, prm, 2, &e);
        res = rc == MW_E_DEPTH || e.code == MW_E_DEPTH ? 1 : rc == MW_OK ? 0 : -1;
        break;
    }
    case 6: {
        /* the comment decoder copies parentheses as they stand, without
         * tracking depth (no recursion, no limit needed): the output is
         * the input */
        char *out = malloc(2 * len);
        size_t ol = 0;
        int rc;
        assert_non_null(out);
        rc = mw_hdr_decode_comment(v, len, NULL, out, 2 * len, &ol, NULL);
        res = rc == MW_OK && ol == len && memcmp(out, v, len) == 0 ? 0 : -1;
        free(out);
        break;
    }
    case 7: {
        char out[64];
        size_t ol = 0;
        int rc = mw_hdr_decode_phrase(v, len, NULL, out, sizeof out, &ol, NULL);
        res = rc == MW_E_DEPTH ? 1 : rc == MW_OK ? 0 : -1;
        break;
    }
    default: {
        mw_hdr_received r;
        int rc = mw_hdr_parse_received(v, len, &r, NULL);
        res = r.date_status == MW_E_DEPTH ? 1 : (rc == MW_OK && r.date_status == MW_OK) ? 0 : -1;
        break;
    }
    }
    free(v);
    return res;
}

static void class_deep_comment_nesting_every_parser(void **state)
{
    static const char *const names[] = {"address", "date", "msg-id", "keywords",
                                        "content-type", "content-disposition",
                                        "comment decoder", "phrase decoder", "received"};
    const size_t max = MW_HDR_MAX_COMMENT_DEPTH;
    (void)state;
    for (int p = 0; p < 9; p++) {
        size_t at = max;
        int ok = depth_try(p, at), over = depth_try(p, at + 1), deep = depth_try(p, 1000000);
        if (p == 6 ? (ok | over | deep) != 0 : (ok != 0 || over != 1 || deep != 1))
            fail_msg("%s: depth %zu -> %d, %zu -> %d, 1000000 -> %d (0 parsed, 1 "
                     "MW_E_DEPTH)",
                     names[p], at, ok, at + 1, over, deep);
    }
}

/* ====================================================================
 * Integer overflow: date fields and RFC 2231 section numbers
 * ==================================================================== */

/* Each numeric field of "Fri, 21 Nov 1997 09:55:06 -0600" replaced by
 * numbers at and beyond 2^32 and 2^64 (and their residues, which a
 * wrapping parser would accept as the original value): never MW_OK. */
static void class_integer_overflow_date_fields(void **state)
{
    static const char *const fmt[] = {
        "Fri, %s Nov 1997 09:55:06 -0600", "Fri, 21 Nov %s 09:55:06 -0600",
        "Fri, 21 Nov 1997 %s:55:06 -0600", "Fri, 21 Nov 1997 09:%s:06 -0600",
        "Fri, 21 Nov 1997 09:55:%s -0600", "Fri, 21 Nov 1997 09:55:06 -%s",
        "Fri, 21 Nov 1997 09:55:06 +%s"};
    /* 2^32 + 21, 2^64 + 21 and similar: 21 (or 1997, 9, 55, 6, 600)
     * modulo 2^32 / 2^64 */
    static const char *const big[] = {"4294967317", "18446744073709551637",
                                      "4294969293", "18446744073709553613",
                                      "4294967305", "18446744073709551625",
                                      "4294967351", "4294967302", "4294967896",
                                      "99999999999999999999999999999999", "0000000000000000000021"};
    (void)state;
    for (size_t f = 0; f < NELEM(fmt); f++)
        for (size_t b = 0; b < NELEM(big); b++) {
            char v[128];
            mw_hdr_datetime dt;
            int n = snprintf(v, sizeof v, fmt[f], big[b]);
            int rc = mw_hdr_parse_date(v, (size_t)n, &dt, NULL);
            if (rc == MW_OK)
                fail_msg("accepted: %s (year %d day %u %02u:%02u:%02u zone %d)", v,
                         (int)dt.year, dt.day, dt.hour, dt.minute, dt.second, dt.zone);
        }
    /* the largest values that are valid */
    {
        mw_hdr_datetime dt;
        assert_int_equal(mw_hdr_parse_date(S_("Fri, 31 Dec 9999 23:59:60 +9959"), &dt, NULL),
                         MW_OK);
        assert_int_equal(dt.year, 9999);
        assert_int_equal(dt.zone, 5999);
    }
}

/* RFC 2231 §3 section numbers: a number that does not fit (10 digits and
 * more) makes the attribute invalid, it never becomes a wrapped section
 * 0 or 1 that would replace or extend the real value ("t*4294967296"
 * read modulo 2^32 is section 0, first-wins would pick the attacker's). */
static void class_integer_overflow_rfc2231_sections(void **state)
{
    static const char *const nums[] = {"4294967296", "4294967297", "18446744073709551616",
                                       "18446744073709551617", "1000000000", "00",
                                       "99999999999999999999999999"};
    (void)state;
    for (size_t i = 0; i < NELEM(nums); i++)
        for (int order = 0; order < 2; order++) {
            char v[160], out[64];
            mw_hdr_content_type ct;
            mw_hdr_param prm[8];
            size_t ol = 0;
            int n = order ? snprintf(v, sizeof v, "text/plain; t*%s=EVIL; t*0=good; t*1=.txt",
                                     nums[i])
                          : snprintf(v, sizeof v, "text/plain; t*0=good; t*1=.txt; t*%s=EVIL",
                                     nums[i]);
            assert_int_equal(mw_hdr_parse_content_type(v, (size_t)n, &ct, prm, 8, NULL), MW_OK);
            assert_int_equal(ct.nparams, 3);
            if (mw_hdr_param_get(ct.params, ct.nparams, "t", NULL, out, sizeof out, &ol, NULL,
                                 NULL) != MW_OK ||
                ol != 8 || memcmp(out, "good.txt", 8) != 0)
                fail_msg("%s: t = [%.*s]", v, (int)ol, out);
        }
    /* the largest section number is a gap, not section 0 */
    {
        char out[64];
        size_t ol = 0;
        mw_hdr_content_type ct;
        mw_hdr_param prm[4];
        assert_int_equal(mw_hdr_parse_content_type(S_("text/plain; t*999999999=EVIL; t*0=ok"),
                                                   &ct, prm, 4, NULL),
                         MW_OK);
        assert_int_equal(prm[0].section, 999999999);
        assert_int_equal(mw_hdr_param_get(ct.params, ct.nparams, "t", NULL, out, sizeof out,
                                          &ol, NULL, NULL),
                         MW_OK);
        assert_int_equal(ol, 2);
        assert_memory_equal(out, "ok", 2);
    }
}

#endif /* MW_ENABLE_HDR */

int main(void)
{
    const struct CMUnitTest tests[] = {
#if MW_ENABLE_HDR
        cmocka_unit_test(class_writer_crlf_nul_refused_every_position),
        cmocka_unit_test(class_rfc2047_decoded_line_breaks),
        cmocka_unit_test(cve_2019_16056_cve_2023_27043_generated_lists),
        cmocka_unit_test(cve_2021_3181_semicolon_runs_in_groups),
        cmocka_unit_test(cve_2024_23184_100k_address_fields),
        cmocka_unit_test(class_deep_comment_nesting_every_parser),
        cmocka_unit_test(class_integer_overflow_date_fields),
        cmocka_unit_test(class_integer_overflow_rfc2231_sections),
#else
        SEC_NOT_BUILT_TEST("class_hdr_not_built"),
#endif
    };
    return cmocka_run_group_tests_name("security_hdr", tests, NULL, NULL);
}
