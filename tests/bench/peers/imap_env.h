/* SPDX-License-Identifier: MIT */
/*
 * A generated IMAP response stream: the untagged answers to
 * `UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)`
 * (RFC 9051 §7.5.2), as bench_imap_client's "env" pass parses: realistic
 * envelopes (display names, several recipients, some groups and escaped
 * quotes, now and then a literal subject) and body structures (text,
 * multipart/alternative, attachments with dispositions, forwarded
 * message/rfc822 parts with their own envelope). Same seed, same bytes.
 */
#ifndef MW_BENCH_IMAP_ENV_H
#define MW_BENCH_IMAP_ENV_H

#include <stddef.h>

typedef struct imap_env {
    char *data;       /* the "* n FETCH (...)" responses back to back */
    size_t len;
    size_t msgs;      /* FETCH responses */
    size_t addresses; /* address entries of the top-level envelopes,
                         group start and end markers included */
} imap_env;

/* Generate `msgs` FETCH responses from `seed`. Exits on OOM. */
void imap_env_make(imap_env *e, size_t msgs, unsigned seed);
void imap_env_free(imap_env *e);

#endif
