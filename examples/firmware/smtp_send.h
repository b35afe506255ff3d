/* SPDX-License-Identifier: MIT */
/*
 * smtp_send.h: the core of the firmware example, one call that sends one
 * message over transport.h. See smtp_send.c.
 */
#ifndef SMTP_SEND_H
#define SMTP_SEND_H

#include <stddef.h>

/* What to send. Every string is NUL-terminated and must stay valid until
 * smtp_send() returns. */
typedef struct smtp_send_job {
    const char *helo; /* this device's name for EHLO: a domain, or an
                         address literal such as "[192.0.2.7]" */
    const char *from; /* envelope sender, "" for the null path <> */
    const char *to;   /* the one envelope recipient */
    /* The message (header, empty line, body), pulled in pieces: store up
     * to `cap` bytes at `buf` and return how many; 0 at the end of the
     * message; negative to abandon it (the connection is then dropped,
     * the only way to end DATA without sending a cut message). CRLF line
     * ends are sent as they are; a bare LF or CR is sent as CRLF. */
    int (*read_message)(char *buf, size_t cap);
} smtp_send_job;

/* What became of it. */
typedef struct smtp_send_result {
    int status;         /* MW_OK: the server accepted the message */
    unsigned code;      /* the SMTP reply that decided, 0 when nothing did */
    const char *reason; /* static English text, never NULL */
} smtp_send_result;

/*
 * Connect-time work is the caller's: the transport must already be
 * connected to an SMTP server (port 25 or 587; no TLS in this example).
 * smtp_send() reads the greeting, sends EHLO (HELO if EHLO is refused),
 * MAIL, RCPT, DATA, the message and QUIT, one command per reply, and
 * returns when the session is over.
 *
 * Not reentrant: the sender context and its buffers are static.
 *
 * Returns MW_OK when the message was accepted, else a negative mailwire
 * status (also in res->status; res->code and res->reason say more).
 */
int smtp_send(const smtp_send_job *job, smtp_send_result *res);

/* Static RAM the core uses besides the stack, in bytes (for the size
 * report; the sender context, its buffer and the two I/O buffers). */
size_t smtp_send_ram(void);

#endif
