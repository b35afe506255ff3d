/* SPDX-License-Identifier: MIT */
/*
 * Header parsing side by side: mailwire, libetpan and GMime over the same
 * header blocks (tests/bench/corpus.c, seed 42 as bench_hdr uses) in the
 * same run, next to memchr and memcpy over the same bytes. Each parser does
 * the same work: every field split off (name and value), the address
 * fields (From, Sender, Reply-To, To, Cc, Bcc), the Date and the message
 * ids (Message-ID, In-Reply-To, References) parsed, the Subject decoded to
 * UTF-8. Each pass counts what it got; the counts are printed and must
 * equal those of the first parser pass run, or the pass is marked failed.
 * Exactly what each pass calls is in the `what` lines below (and in
 * PEERS.md).
 *
 *   bench_peer_hdr [--mb N] [--reps N] [--only PASS]
 *   tests/bench/callgrind_bench.sh BUILD bench_peer_hdr memchr mailwire \
 *       etpan gmime -- --mb 2
 * Built only where libetpan or GMime 3 is installed (peers/CMakeLists.txt);
 * a peer that is missing has no pass. Timing is informative only.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mailwire/mailwire.h>

#include "corpus.h"
#include "peer_run.h"

#if MW_PEER_ETPAN
#include <libetpan/libetpan.h>
#endif
#if MW_PEER_GMIME
#include <gmime/gmime.h>
#endif

/* The header blocks (fields and the blank line, no body) back to back, so
 * that the baselines read exactly the bytes the parsers read. */
static char *hdrs;
static size_t hdrs_len, nmsgs;
static size_t *off; /* nmsgs + 1 offsets into hdrs */

/* What a pass found. The first parser pass to finish sets the reference
 * the others must match. */
typedef struct found {
    size_t messages, addresses, dates, ids, subject_bytes, errors;
} found;

static found got, ref;
static int have_ref;

static int note_found(char *note, size_t cap)
{
    int same;
    if (!have_ref && got.messages == nmsgs && got.errors == 0) {
        ref = got;
        have_ref = 1;
    }
    same = have_ref && memcmp(&got, &ref, sizeof got) == 0;
    snprintf(note, cap, "%zu messages: %zu addresses, %zu dates, %zu ids, "
                        "%zu subject bytes, %zu errors%s",
             got.messages, got.addresses, got.dates, got.ids,
             got.subject_bytes, got.errors,
             same ? "" : " (differs from the first parser pass)");
    return !same;
}

static void clear_found(void)
{
    memset(&got, 0, sizeof got);
}

/* ---- mailwire -------------------------------------------------------------- */

enum kind { K_OTHER, K_ADDR, K_DATE, K_IDS, K_SUBJECT };

/* The fields the pass parses, found without comparing every name: length
 * and first letter hash to a slot (collision-free for these names, checked
 * at start-up), one case-insensitive compare settles it. */
typedef struct known {
    const char *name;
    enum kind kind;
} known;

static const known wanted[] = {
    {"From", K_ADDR},      {"Sender", K_ADDR},     {"Reply-To", K_ADDR},
    {"To", K_ADDR},        {"Cc", K_ADDR},         {"Bcc", K_ADDR},
    {"Date", K_DATE},      {"Message-ID", K_IDS},  {"In-Reply-To", K_IDS},
    {"References", K_IDS}, {"Subject", K_SUBJECT}};

static const known *slots[64];

static size_t slot_of(size_t len, char first)
{
    return (len * 31u + (unsigned char)(first | 0x20)) & 63u;
}

static void index_fields(void)
{
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        size_t s = slot_of(strlen(wanted[i].name), wanted[i].name[0]);
        if (slots[s] != NULL) {
            fprintf(stderr, "field slots collide: %s\n", wanted[i].name);
            exit(1);
        }
        slots[s] = &wanted[i];
    }
}

static enum kind kind_of(const mw_hdr_field *f)
{
    const known *k;
    if (f->name.len == 0)
        return K_OTHER;
    k = slots[slot_of(f->name.len, f->name.ptr[0])];
    return k != NULL && mw_hdr_name_is(f, k->name) ? k->kind : K_OTHER;
}

static char utf8[4 * MW_HDR_MAX_FIELD];

static int on_field(mw_hdr_parser *p, void *user, const mw_hdr_field *f)
{
    const char *v = f->value.ptr;
    size_t n = f->value.len;
    (void)p;
    (void)user;
    switch (kind_of(f)) {
    case K_ADDR: {
        mw_hdr_addr_iter it;
        mw_hdr_address a;
        mw_hdr_addr_iter_init(&it, v, n, 0);
        while (mw_hdr_addr_next(&it, &a) == MW_OK)
            got.addresses++;
        break;
    }
    case K_DATE: {
        mw_hdr_datetime dt;
        if (mw_hdr_parse_date(v, n, &dt, NULL) == MW_OK)
            got.dates++;
        break;
    }
    case K_IDS: {
        mw_hdr_msgid_iter it;
        mw_span id;
        unsigned flags;
        mw_hdr_msgid_iter_init(&it, v, n);
        while (mw_hdr_msgid_next(&it, &id, &flags, NULL) == MW_OK)
            got.ids++;
        break;
    }
    case K_SUBJECT: {
        size_t len = 0;
        got.errors += mw_hdr_decode_unstructured(v, n, NULL, utf8, sizeof utf8,
                                                 &len, NULL) != MW_OK;
        got.subject_bytes += len;
        break;
    }
    case K_OTHER:
        break;
    }
    return 0;
}

static char splitbuf[MW_HDR_BUFLEN_DEFAULT];

__attribute__((noinline)) void bench_pass_mailwire(void)
{
    mw_hdr_parser p;
    mw_hdr_callbacks cb = {0};
    cb.field = on_field;
    mw_hdr_parser_init(&p, NULL, &cb, NULL, splitbuf, sizeof splitbuf);
    for (size_t m = 0; m < nmsgs; m++) {
        size_t used;
        mw_hdr_parser_reset(&p);
        if (mw_hdr_parser_feed(&p, hdrs + off[m], off[m + 1] - off[m],
                               &used) == MW_DONE)
            got.messages++;
        else
            got.errors++;
    }
}

/* ---- libetpan -------------------------------------------------------------- */

#if MW_PEER_ETPAN
static size_t etpan_mailboxes(const struct mailimf_mailbox_list *l)
{
    return l != NULL ? (size_t)clist_count(l->mb_list) : 0;
}

static size_t etpan_addresses(const struct mailimf_address_list *l)
{
    size_t n = 0;
    if (l == NULL)
        return 0;
    for (clistiter *i = clist_begin(l->ad_list); i != NULL; i = clist_next(i)) {
        const struct mailimf_address *a = clist_content(i);
        n += a->ad_type == MAILIMF_ADDRESS_GROUP
                 ? etpan_mailboxes(a->ad_data.ad_group->grp_mb_list)
                 : 1;
    }
    return n;
}

static void etpan_subject(const char *raw)
{
    size_t at = 0;
    char *text = NULL;
    if (mailmime_encoded_phrase_parse("us-ascii", raw, strlen(raw), &at,
                                      "utf-8", &text) != MAILIMF_NO_ERROR) {
        got.errors++;
        return;
    }
    got.subject_bytes += strlen(text);
    free(text);
}

static void etpan_field(const struct mailimf_field *f)
{
    switch (f->fld_type) {
    case MAILIMF_FIELD_FROM:
        got.addresses += etpan_mailboxes(f->fld_data.fld_from->frm_mb_list);
        break;
    case MAILIMF_FIELD_SENDER:
        got.addresses++;
        break;
    case MAILIMF_FIELD_REPLY_TO:
        got.addresses += etpan_addresses(f->fld_data.fld_reply_to->rt_addr_list);
        break;
    case MAILIMF_FIELD_TO:
        got.addresses += etpan_addresses(f->fld_data.fld_to->to_addr_list);
        break;
    case MAILIMF_FIELD_CC:
        got.addresses += etpan_addresses(f->fld_data.fld_cc->cc_addr_list);
        break;
    case MAILIMF_FIELD_BCC:
        got.addresses += etpan_addresses(f->fld_data.fld_bcc->bcc_addr_list);
        break;
    case MAILIMF_FIELD_ORIG_DATE:
        got.dates += f->fld_data.fld_orig_date->dt_date_time != NULL;
        break;
    case MAILIMF_FIELD_MESSAGE_ID:
        got.ids++;
        break;
    case MAILIMF_FIELD_IN_REPLY_TO:
        got.ids += (size_t)clist_count(f->fld_data.fld_in_reply_to->mid_list);
        break;
    case MAILIMF_FIELD_REFERENCES:
        got.ids += (size_t)clist_count(f->fld_data.fld_references->mid_list);
        break;
    case MAILIMF_FIELD_SUBJECT:
        etpan_subject(f->fld_data.fld_subject->sbj_value);
        break;
    default:
        break;
    }
}

__attribute__((noinline)) void bench_pass_etpan(void)
{
    for (size_t m = 0; m < nmsgs; m++) {
        struct mailimf_fields *fields = NULL;
        size_t at = 0;
        if (mailimf_envelope_and_optional_fields_parse(
                hdrs + off[m], off[m + 1] - off[m], &at, &fields) !=
            MAILIMF_NO_ERROR) {
            got.errors++;
            continue;
        }
        for (clistiter *i = clist_begin(fields->fld_list); i != NULL;
             i = clist_next(i))
            etpan_field(clist_content(i));
        mailimf_fields_free(fields);
        got.messages++;
    }
}
#endif

/* ---- GMime ----------------------------------------------------------------- */

#if MW_PEER_GMIME
static GMimeStream *gm_all;  /* a memory stream over hdrs */
static GMimeParser *gm_parser;

static void gmime_ids(GMimeMessage *msg, const char *name)
{
    const char *v = g_mime_object_get_header((GMimeObject *)msg, name);
    GMimeReferences *refs;
    if (v == NULL)
        return;
    refs = g_mime_references_parse(NULL, v);
    if (refs != NULL) {
        got.ids += (size_t)g_mime_references_length(refs);
        g_mime_references_free(refs);
    }
}

__attribute__((noinline)) void bench_pass_gmime(void)
{
    static const GMimeAddressType types[] = {
        GMIME_ADDRESS_TYPE_SENDER, GMIME_ADDRESS_TYPE_FROM,
        GMIME_ADDRESS_TYPE_REPLY_TO, GMIME_ADDRESS_TYPE_TO,
        GMIME_ADDRESS_TYPE_CC, GMIME_ADDRESS_TYPE_BCC};
    for (size_t m = 0; m < nmsgs; m++) {
        GMimeStream *s = g_mime_stream_substream(gm_all, (gint64)off[m],
                                                 (gint64)off[m + 1]);
        GMimeMessage *msg;
        const char *subject;
        g_mime_parser_init_with_stream(gm_parser, s);
        g_object_unref(s);
        msg = g_mime_parser_construct_message(gm_parser, NULL);
        if (msg == NULL) {
            got.errors++;
            continue;
        }
        for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
            InternetAddressList *l = g_mime_message_get_addresses(msg, types[t]);
            got.addresses += (size_t)internet_address_list_length(l);
        }
        got.dates += g_mime_message_get_date(msg) != NULL;
        got.ids += g_mime_message_get_message_id(msg) != NULL;
        gmime_ids(msg, "In-Reply-To");
        gmime_ids(msg, "References");
        subject = g_mime_message_get_subject(msg);
        got.subject_bytes += subject != NULL ? strlen(subject) : 0;
        g_object_unref(msg);
        got.messages++;
    }
}
#endif

/* ---- main ------------------------------------------------------------------ */

static const peer_pass passes[] = {
    PEER_BASELINES("all header bytes"),
    {"mailwire",
     "mw_hdr_parser_feed per header block; From/Sender/Reply-To/To/Cc/Bcc "
     "through mw_hdr_addr_next, Date through mw_hdr_parse_date, "
     "Message-ID/In-Reply-To/References through mw_hdr_msgid_next, Subject "
     "through mw_hdr_decode_unstructured (to UTF-8); no allocation",
     clear_found, bench_pass_mailwire, note_found, "memchr"},
#if MW_PEER_ETPAN
    {"etpan",
     "libetpan mailimf_envelope_and_optional_fields_parse per header block "
     "(Date, From, Sender, Reply-To, To, Cc, Bcc, Message-ID, In-Reply-To, "
     "References, Subject into structures, every other field as name and "
     "value), the structures walked and counted, Subject decoded with "
     "mailmime_encoded_phrase_parse to UTF-8, mailimf_fields_free",
     clear_found, bench_pass_etpan, note_found, "memchr"},
#endif
#if MW_PEER_GMIME
    {"gmime",
     "GMime g_mime_parser_construct_message per header block (a substream "
     "of one memory stream, one parser re-initialised), which parses the "
     "address lists, Date, Message-ID and decodes Subject as it adds the "
     "headers; the six address lists' lengths, date, message id and subject "
     "read back, In-Reply-To and References through g_mime_references_parse; "
     "the message unreferenced",
     clear_found, bench_pass_gmime, note_found, "memchr"},
#endif
};

int main(int argc, char **argv)
{
    peer_opts o = {16, 0, 3, NULL};
    bench_corpus c;
    int rc;

    peer_parse_args(argc, argv, &o);
    bench_corpus_make(&c, o.mb << 20, 42);
    nmsgs = c.count;
    off = malloc((nmsgs + 1) * sizeof *off);
    for (size_t m = 0; m < nmsgs; m++)
        hdrs_len += c.header_len[m];
    hdrs = malloc(hdrs_len + 1);
    if (off == NULL || hdrs == NULL)
        return 1;
    hdrs_len = 0;
    for (size_t m = 0; m < nmsgs; m++) {
        off[m] = hdrs_len;
        memcpy(hdrs + hdrs_len, c.data + c.starts[m], c.header_len[m]);
        hdrs_len += c.header_len[m];
    }
    off[nmsgs] = hdrs_len;
    bench_corpus_free(&c);
    peer_set_input(hdrs, hdrs_len);
    index_fields();

#if MW_PEER_GMIME
    g_mime_init();
    gm_all = g_mime_stream_mem_new_with_buffer(hdrs, hdrs_len);
    gm_parser = g_mime_parser_new();
#endif
    printf("header parsers side by side: %zu header blocks, %zu bytes "
           "(corpus seed 42), CPU time, best of %d\n", nmsgs, hdrs_len,
           o.reps);
    printf("mailwire %s", mw_version_string());
#if MW_PEER_ETPAN
    printf(", libetpan %s", MW_PEER_ETPAN_VERSION);
#endif
#if MW_PEER_GMIME
    printf(", GMime %u.%u.%u", gmime_major_version, gmime_minor_version,
           gmime_micro_version);
#endif
    printf("\n");
    rc = peer_run(passes, sizeof passes / sizeof passes[0], hdrs_len, &o);
#if MW_PEER_GMIME
    g_object_unref(gm_parser);
    g_object_unref(gm_all);
    g_mime_shutdown();
#endif
    free(hdrs);
    free(off);
    return rc;
}
