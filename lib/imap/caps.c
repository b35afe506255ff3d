/* SPDX-License-Identifier: MIT */
/*
 * Capability lists (RFC 9051 §7.2.2) to bits (mailwire/imap.h). The list
 * is advice about what the server offers, so tokens that are not known
 * are counted rather than refused; each known name comes from the RFC
 * that defines it (see the MW_IMAP_CAP_* comments).
 */
#include <string.h>

#include "imap/grammar.h"

/* Indexed by the bit number of MW_IMAP_CAP_* (imap.h), written as a
 * server lists them and matched without case. THREAD (bit 28) has no name
 * of its own: it is any "THREAD=algorithm". */
static const char *const cap_names[] = {
    "IMAP4rev1", "IMAP4rev2", "STARTTLS", "LOGINDISABLED", "LITERAL+",
    "LITERAL-", "IDLE", "NAMESPACE", "ID", "ENABLE", "UIDPLUS", "MOVE",
    "UNSELECT", "SASL-IR", "CONDSTORE", "QRESYNC", "ESEARCH", "SEARCHRES",
    "SPECIAL-USE", "LIST-EXTENDED", "LIST-STATUS", "BINARY", "MULTIAPPEND",
    "UTF8=ACCEPT", "UTF8=ONLY", "COMPRESS=DEFLATE", "QUOTA", "SORT",
    "" /* THREAD */, "CHILDREN", "METADATA", "OBJECTID", "STATUS=SIZE",
    "SAVEDATE", "PREVIEW", "APPENDLIMIT", "X-GM-EXT-1", "XLIST", "ACL",
    "NOTIFY", "LOGIN-REFERRALS", "SORT=DISPLAY", "ESORT", "WITHIN",
    "CATENATE", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE"};
typedef char cap_names_match_imap_h[
    sizeof cap_names / sizeof cap_names[0] == MW__IMAP_CAP_COUNT &&
            (MW_IMAP_CAP_QUOTA_RES_MESSAGE >> (MW__IMAP_CAP_COUNT - 1)) == 1
        ? 1
        : -1];

/* Indexed by the bit number of MW_IMAP_AUTH_* (without "AUTH="). */
static const char *const auth_names[] = {
    "PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER", "EXTERNAL",
    "ANONYMOUS", "SCRAM-SHA-1", "SCRAM-SHA-256"};
typedef char auth_names_match_imap_h[
    sizeof auth_names / sizeof auth_names[0] == MW__IMAP_AUTH_COUNT &&
            (MW_IMAP_AUTH_SCRAM_SHA_256 >> (MW__IMAP_AUTH_COUNT - 1)) == 1
        ? 1
        : -1];

const char *mw__imap_cap_name(unsigned bit)
{
    return bit < MW__IMAP_CAP_COUNT ? cap_names[bit] : "";
}

const char *mw__imap_auth_name(unsigned bit)
{
    return bit < MW__IMAP_AUTH_COUNT ? auth_names[bit] : "";
}

int mw_imap_caps_next(const char *text, size_t n, size_t *pos,
                      mw_span *token)
{
    size_t i = *pos, j;
    if (text == NULL) {
        *pos = 0;
        return 0;
    }
    while (i < n && text[i] == ' ')
        i++;
    if (i >= n) {
        *pos = n;
        return 0;
    }
    j = i;
    while (j < n && text[j] != ' ')
        j++;
    if (token != NULL) {
        token->ptr = text + i;
        token->len = j - i;
    }
    *pos = j;
    return 1;
}

/* Case-insensitive prefix test of a token. */
static int has_prefix(mw_span t, const char *pre, size_t k)
{
    return t.len >= k && mw__span_ieq(mw__span(t.ptr, k), pre);
}

int mw_imap_caps_parse(const char *text, size_t n, mw_imap_caps *out)
{
    size_t pos = 0, i;
    mw_span t;
    if (out == NULL || (text == NULL && n > 0))
        return MW_E_INVAL;
    memset(out, 0, sizeof(*out));
    while (mw_imap_caps_next(text, n, &pos, &t)) {
        int known = 0;
        if (has_prefix(t, "AUTH=", 5)) {
            mw_span m = mw__span(t.ptr + 5, t.len - 5);
            unsigned bit = MW_IMAP_AUTH_OTHER;
            for (i = 0; i < MW__IMAP_AUTH_COUNT; i++)
                if (mw__span_ieq(m, auth_names[i]))
                    bit = 1u << i;
            out->auth |= bit;
            continue;
        }
        if (has_prefix(t, "APPENDLIMIT=", 12)) {
            uint64_t v = 0;
            /* RFC 7889 §4: a number; a bad one is ignored, not fatal. */
            if (mw__parse_u64(t.ptr + 12, t.len - 12, UINT64_MAX, &v) ==
                MW_OK)
                out->appendlimit = v;
            out->bits |= MW_IMAP_CAP_APPENDLIMIT;
            continue;
        }
        if (has_prefix(t, "THREAD=", 7)) {
            out->bits |= MW_IMAP_CAP_THREAD;
            continue;
        }
        for (i = 0; i < MW__IMAP_CAP_COUNT; i++) {
            if (cap_names[i][0] != '\0' && mw__span_ieq(t, cap_names[i])) {
                out->bits |= 1ull << i;
                known = 1;
                break;
            }
        }
        /* RFC 6855 §6: UTF8=ONLY implies UTF8=ACCEPT. */
        if (out->bits & MW_IMAP_CAP_UTF8_ONLY)
            out->bits |= MW_IMAP_CAP_UTF8_ACCEPT;
        if (known && (out->bits & MW_IMAP_CAP_SORT_DISPLAY))
            out->bits |= MW_IMAP_CAP_SORT;
        if (!known)
            out->unknown++;
    }
    return MW_OK;
}

int mw_imap_caps_has(const char *text, size_t n, const char *name)
{
    size_t pos = 0;
    mw_span t;
    if (name == NULL)
        return 0;
    while (mw_imap_caps_next(text, n, &pos, &t))
        if (t.len == strlen(name) && mw__span_ieq(t, name))
            return 1;
    return 0;
}
