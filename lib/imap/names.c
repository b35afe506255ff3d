/* SPDX-License-Identifier: MIT */
/*
 * Names of IMAP command ids, STATUS items and response code ids
 * (mailwire/imap.h), and the lookup from a response code atom to its id (RFC 9051 §7.1, RFC 5530
 * and the extensions listed with ::mw_imap_code_id).
 */
#include <string.h>

#include "imap/grammar.h"

const char *mw_imap_cmd_name(int id)
{
    static const char *const names[] = {
        "NONE",        "CAPABILITY",   "NOOP",      "LOGOUT",
        "STARTTLS",    "AUTHENTICATE", "LOGIN",     "ENABLE",
        "SELECT",      "EXAMINE",      "CREATE",    "DELETE",
        "RENAME",      "SUBSCRIBE",    "UNSUBSCRIBE", "LIST",
        "LSUB",        "NAMESPACE",    "STATUS",    "APPEND",
        "IDLE",        "CHECK",        "CLOSE",     "UNSELECT",
        "EXPUNGE",     "SEARCH",       "FETCH",     "STORE",
        "COPY",        "MOVE",         "UID",       "ID",
        "COMPRESS",    "GETQUOTA",     "GETQUOTAROOT", "SETQUOTA",
        "SORT",        "THREAD",       "GETMETADATA", "SETMETADATA",
        "DONE"};
    if (id >= 0 && (size_t)id < sizeof(names) / sizeof(names[0]))
        return names[id];
    if (id == MW_IMAP_CMD_OTHER)
        return "OTHER";
    return "?";
}

/* status-att names (RFC 9051 §6.3.11, RFC 8438, RFC 7162, RFC 7889,
 * RFC 8474, RFC 9208) in MW_IMAP_STATUS_* bit order (imap.h). */
static const char *const status_names[] = {
    "MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "DELETED",
    "SIZE", "HIGHESTMODSEQ", "APPENDLIMIT", "MAILBOXID", "DELETED-STORAGE"};
typedef char status_names_match_imap_h[
    sizeof status_names / sizeof status_names[0] == MW__IMAP_STATUS_COUNT &&
            (MW_IMAP_STATUS_DELETED_STORAGE >> (MW__IMAP_STATUS_COUNT - 1)) ==
                1
        ? 1
        : -1];

const char *mw__imap_status_name(unsigned bit)
{
    return bit < MW__IMAP_STATUS_COUNT ? status_names[bit] : "";
}

/* Indexed by ::mw_imap_code_id. */
static const char *const code_names[] = {
    "NONE",          "OTHER",          "ALERT",
    "BADCHARSET",    "CAPABILITY",     "PARSE",
    "PERMANENTFLAGS", "READ-ONLY",     "READ-WRITE",
    "TRYCREATE",     "UIDNEXT",        "UIDVALIDITY",
    "UNSEEN",        "APPENDUID",      "COPYUID",
    "UIDNOTSTICKY",  "HIGHESTMODSEQ",  "NOMODSEQ",
    "MODIFIED",      "CLOSED",         "UNAVAILABLE",
    "AUTHENTICATIONFAILED", "AUTHORIZATIONFAILED", "EXPIRED",
    "PRIVACYREQUIRED", "CONTACTADMIN", "NOPERM",
    "INUSE",         "EXPUNGEISSUED",  "CORRUPTION",
    "SERVERBUG",     "CLIENTBUG",      "CANNOT",
    "LIMIT",         "OVERQUOTA",      "ALREADYEXISTS",
    "NONEXISTENT",   "REFERRAL",       "COMPRESSIONACTIVE",
    "NOTSAVED",      "HASCHILDREN",    "UNKNOWN-CTE",
    "TOOBIG",        "MAILBOXID",      "METADATA",
    "USEATTR",       "INPROGRESS",     "UIDREQUIRED",
    "BADURL"};

#define NCODES (sizeof(code_names) / sizeof(code_names[0]))

/* One name per ::mw_imap_code_id, up to the last (the server's formatter
 * writes these names too). */
typedef char code_names_match_imap_h[
    NCODES == MW_IMAP_CODE_BADURL + 1 ? 1 : -1];

const char *mw_imap_code_name(int id)
{
    if (id >= 0 && (size_t)id < NCODES)
        return code_names[id];
    return "?";
}

int mw_imap_code_lookup(const char *name, size_t n)
{
    size_t i;
    if (name == NULL || n == 0)
        return MW_IMAP_CODE_NONE;
    /* Real names only: "NONE" and "OTHER" are not codes on the wire. */
    for (i = MW_IMAP_CODE_ALERT; i < NCODES; i++) {
        if (strlen(code_names[i]) == n &&
            mw__span_ieq(mw__span(name, n), code_names[i]))
            return (int)i;
    }
    return MW_IMAP_CODE_OTHER;
}
