/* SPDX-License-Identifier: MIT */
/*
 * What mailfetch's protocol parts share with its main program: the job
 * (where to connect, as whom, where the mail goes), the connection, the
 * Maildir sink every message is streamed into, and the progress line.
 *
 * One file per protocol, fetch_pop3.c and fetch_imap.c, each exporting
 * one function that runs a whole session and returns an exit status.
 */
#ifndef MAILFETCH_FETCH_H
#define MAILFETCH_FETCH_H

#include <mailwire/mailwire.h>

#include <stddef.h>
#include <stdint.h>

#include "maildir.h"

/* Exit statuses */
#define FX_OK 0       /* every message fetched */
#define FX_PARTIAL 1  /* some messages could not be fetched or stored */
#define FX_USAGE 2    /* bad command line */
#define FX_NETWORK 3  /* cannot connect, connection lost, protocol failure */
#define FX_REFUSED 4  /* the server refused the login or the mailbox */

typedef struct fetch_job {
    /* from the URL */
    char *host, *port, *user, *pass, *mailbox; /* mailbox: IMAP only */
    /* options */
    const char *maildir;
    int keep;     /* leave the messages on the server */
    int apop;     /* POP3: log in with APOP */
    int sasl;     /* POP3: log in with AUTH PLAIN (RFC 5034) */
    int verbose;  /* print the dialogue (passwords hidden) */
    int progress; /* standard error is a terminal: show a progress line */
    /* the connection */
    int fd;
    /* the message being stored */
    md_delivery dlv;
    int dlv_open;
    /* counts */
    unsigned long total, fetched, failed, deleted;
    uint64_t bytes;
} fetch_job;

/* The connection: write everything, or read what is there. */
int fetch_write(fetch_job *j, const void *p, size_t n);
long fetch_read(fetch_job *j, void *buf, size_t cap);

/* The Maildir sink: one message at a time, streamed to tmp/, renamed
 * into new/ by commit. Each returns 0 or -1 (with a message printed). */
int sink_begin(fetch_job *j);
int sink_write(fetch_job *j, const void *p, size_t n);
int sink_commit(fetch_job *j);
void sink_abort(fetch_job *j);

/* Redraw the progress line (only on a terminal). */
void fetch_progress(fetch_job *j, int final);

#if MW_ENABLE_POP3_CLIENT
/* Run a POP3 session (fetch_pop3.c): returns an FX_ status. */
int fetch_pop3(fetch_job *j);
#endif
#if MW_ENABLE_IMAP_CLIENT
/* Run an IMAP session (fetch_imap.c): returns an FX_ status. */
int fetch_imap(fetch_job *j);
#endif

#endif /* MAILFETCH_FETCH_H */
