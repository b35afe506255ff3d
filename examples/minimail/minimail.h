/* SPDX-License-Identifier: MIT */
/*
 * What minimail's protocol sessions share: the server settings from the
 * command line, and the protocol entries main.c puts in its table.
 *
 * A protocol is one file (smtp_session.c, pop3_session.c,
 * imap_session.c) exporting one mm_proto. Adding a protocol means adding
 * its file, its line here and its entry in main.c's table.
 */
#ifndef MINIMAIL_H
#define MINIMAIL_H

#include <mailwire/mailwire.h>

#include <stdint.h>

#include "net.h"

typedef struct mm_settings {
    const char *hostname; /* our name in greetings and Received fields */
    uint64_t max_size;    /* largest message accepted (SMTP SIZE) */
    int apop;             /* POP3: offer APOP */
} mm_settings;

extern mm_settings mm_cfg;

#if MW_ENABLE_SMTP_SERVER
extern const mm_proto mm_smtp_proto; /* smtp_session.c */
#endif
#if MW_ENABLE_POP3_SERVER
extern const mm_proto mm_pop3_proto; /* pop3_session.c */
#endif
/* IMAP needs the IMAP server machine and the RFC 5322 parser (for
 * ENVELOPE, BODYSTRUCTURE and SEARCH). */
#define MM_IMAP (MW_ENABLE_IMAP_SERVER && MW_ENABLE_HDR)
#if MM_IMAP
extern const mm_proto mm_imap_proto; /* imap_session.c */
/* New mail in the Maildir `dir` (an SMTP delivery): IMAP sessions that
 * have it selected catch up, at once when they are in IDLE. */
void mm_imap_notify(const char *dir);
#else
#define mm_imap_notify(dir) ((void)(dir))
#endif

#endif /* MINIMAIL_H */
