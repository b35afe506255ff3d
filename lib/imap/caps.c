/* SPDX-License-Identifier: MIT */
/*
 * Capability lists (RFC 9051 §7.2.2) to bits (mailwire/imap.h). The list
 * is advice about what the server offers, so tokens that are not known
 * are counted rather than refused; each known name comes from the RFC
 * that defines it (see the MW_IMAP_CAP_* comments).
 */
#include <string.h>

#include "imap/grammar.h"

typedef struct cap_name {
    const char *name;
    uint64_t bit;
} cap_name;

static const cap_name cap_names[] = {
    {"IMAP4REV1", MW_IMAP_CAP_IMAP4REV1},
    {"IMAP4REV2", MW_IMAP_CAP_IMAP4REV2},
    {"STARTTLS", MW_IMAP_CAP_STARTTLS},
    {"LOGINDISABLED", MW_IMAP_CAP_LOGINDISABLED},
    {"LITERAL+", MW_IMAP_CAP_LITERAL_PLUS},
    {"LITERAL-", MW_IMAP_CAP_LITERAL_MINUS},
    {"IDLE", MW_IMAP_CAP_IDLE},
    {"NAMESPACE", MW_IMAP_CAP_NAMESPACE},
    {"ID", MW_IMAP_CAP_ID},
    {"ENABLE", MW_IMAP_CAP_ENABLE},
    {"UIDPLUS", MW_IMAP_CAP_UIDPLUS},
    {"MOVE", MW_IMAP_CAP_MOVE},
    {"UNSELECT", MW_IMAP_CAP_UNSELECT},
    {"SASL-IR", MW_IMAP_CAP_SASL_IR},
    {"CONDSTORE", MW_IMAP_CAP_CONDSTORE},
    {"QRESYNC", MW_IMAP_CAP_QRESYNC},
    {"ESEARCH", MW_IMAP_CAP_ESEARCH},
    {"SEARCHRES", MW_IMAP_CAP_SEARCHRES},
    {"SPECIAL-USE", MW_IMAP_CAP_SPECIAL_USE},
    {"LIST-EXTENDED", MW_IMAP_CAP_LIST_EXTENDED},
    {"LIST-STATUS", MW_IMAP_CAP_LIST_STATUS},
    {"BINARY", MW_IMAP_CAP_BINARY},
    {"MULTIAPPEND", MW_IMAP_CAP_MULTIAPPEND},
    {"UTF8=ACCEPT", MW_IMAP_CAP_UTF8_ACCEPT},
    {"UTF8=ONLY", MW_IMAP_CAP_UTF8_ONLY | MW_IMAP_CAP_UTF8_ACCEPT},
    {"COMPRESS=DEFLATE", MW_IMAP_CAP_COMPRESS_DEFLATE},
    {"QUOTA", MW_IMAP_CAP_QUOTA},
    {"QUOTA=RES-STORAGE", MW_IMAP_CAP_QUOTA_RES_STORAGE},
    {"QUOTA=RES-MESSAGE", MW_IMAP_CAP_QUOTA_RES_MESSAGE},
    {"SORT", MW_IMAP_CAP_SORT},
    {"SORT=DISPLAY", MW_IMAP_CAP_SORT_DISPLAY},
    {"CHILDREN", MW_IMAP_CAP_CHILDREN},
    {"METADATA", MW_IMAP_CAP_METADATA},
    {"OBJECTID", MW_IMAP_CAP_OBJECTID},
    {"STATUS=SIZE", MW_IMAP_CAP_STATUS_SIZE},
    {"SAVEDATE", MW_IMAP_CAP_SAVEDATE},
    {"PREVIEW", MW_IMAP_CAP_PREVIEW},
    {"APPENDLIMIT", MW_IMAP_CAP_APPENDLIMIT},
    {"X-GM-EXT-1", MW_IMAP_CAP_X_GM_EXT_1},
    {"XLIST", MW_IMAP_CAP_XLIST},
    {"ACL", MW_IMAP_CAP_ACL},
    {"NOTIFY", MW_IMAP_CAP_NOTIFY},
    {"LOGIN-REFERRALS", MW_IMAP_CAP_LOGIN_REFERRALS},
    {"ESORT", MW_IMAP_CAP_ESORT},
    {"WITHIN", MW_IMAP_CAP_WITHIN},
    {"CATENATE", MW_IMAP_CAP_CATENATE},
};

typedef struct auth_name {
    const char *name;
    unsigned bit;
} auth_name;

static const auth_name auth_names[] = {
    {"PLAIN", MW_IMAP_AUTH_PLAIN},
    {"LOGIN", MW_IMAP_AUTH_LOGIN},
    {"CRAM-MD5", MW_IMAP_AUTH_CRAM_MD5},
    {"XOAUTH2", MW_IMAP_AUTH_XOAUTH2},
    {"OAUTHBEARER", MW_IMAP_AUTH_OAUTHBEARER},
    {"EXTERNAL", MW_IMAP_AUTH_EXTERNAL},
    {"ANONYMOUS", MW_IMAP_AUTH_ANONYMOUS},
    {"SCRAM-SHA-1", MW_IMAP_AUTH_SCRAM_SHA_1},
    {"SCRAM-SHA-256", MW_IMAP_AUTH_SCRAM_SHA_256},
};

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
            for (i = 0; i < sizeof(auth_names) / sizeof(auth_names[0]); i++)
                if (mw__span_ieq(m, auth_names[i].name))
                    bit = auth_names[i].bit;
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
        for (i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++) {
            if (mw__span_ieq(t, cap_names[i].name)) {
                out->bits |= cap_names[i].bit;
                known = 1;
                break;
            }
        }
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
