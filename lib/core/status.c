/* SPDX-License-Identifier: MIT */
/*
 * Status names and messages, and the version query. Both tables are expanded
 * from MW_STATUS_LIST so that a code can never exist without its text.
 */
#include "mailwire/core.h"

const char *mw_strerror(int status)
{
    switch (status) {
#define MW_STATUS_MSG_(name, value, msg)                                      \
    case value:                                                               \
        return msg;
        MW_STATUS_LIST(MW_STATUS_MSG_)
#undef MW_STATUS_MSG_
    default:
        return "unknown status";
    }
}

const char *mw_status_name(int status)
{
    switch (status) {
#define MW_STATUS_NAME_(name, value, msg)                                     \
    case value:                                                               \
        return #name;
        MW_STATUS_LIST(MW_STATUS_NAME_)
#undef MW_STATUS_NAME_
    default:
        return "MW_E_UNKNOWN";
    }
}

int mw_is_fatal(int status)
{
    return status <= -100;
}

unsigned long mw_version(void)
{
    return (unsigned long)MW_VERSION_NUM;
}

const char *mw_version_string(void)
{
    return MW_VERSION_STRING;
}
