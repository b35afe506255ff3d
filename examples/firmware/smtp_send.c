/* SPDX-License-Identifier: MIT */
/*
 * smtp_send.c: the core of the firmware example. It sends one e-mail with
 * mailwire's SMTP sender (smtp_sender.h: the send-only client made for
 * devices) over the two functions of transport.h, the way a device would:
 * every byte of memory is static (no malloc), there is no stdio, no clock
 * and no operating system call, and the message is streamed through a
 * small buffer, never held whole.
 *
 * RAM: the sender context (mw_smtp_sender_sizeof(), about 100 bytes on a
 * 32-bit target), its buffer for reply lines and commands
 * (MW_SMTP_SENDER_BUF_SIZE, 514 bytes: RFC 5321 §4.5.3.1.5), a receive
 * buffer and a message buffer (SMTP_SEND_RX_SIZE and SMTP_SEND_CHUNK_SIZE
 * below), and a few hundred bytes of stack.
 *
 * How it works:
 *
 *  1. mw_smtp_sender_init() with a descriptor: the EHLO name, the
 *     envelope, the `send` function (transport_write) and a `read`
 *     function that pulls the message through job->read_message.
 *  2. A loop reads what the server sends (transport_read) and feeds it to
 *     the sender, which answers each reply with the next command: EHLO,
 *     MAIL, RCPT, DATA, the message, QUIT. It dot-stuffs the data (RFC
 *     5321 §4.5.2), writes bare CR and LF as CRLF, and ends the data with
 *     CRLF "." CRLF.
 *  3. When feed() returns MW_DONE (or the server closes), the outcome is
 *     read from mw_smtp_sender_outcome().
 *
 * The full client (smtp_client.h: PIPELINING, CHUNKING, DSN, LMTP) does
 * the same job for servers and relays; examples/mailsend uses it.
 *
 * Build for a host: examples/firmware/CMakeLists.txt (with
 * transport_posix.c, "smtp_send HOST PORT FROM TO < message"). Build for
 * a Cortex-M: tests/embedded/size_table.sh links it with transport_stub.c.
 */
#include "smtp_send.h"
#include "transport.h"

#include <mailwire/smtp_sender.h>

/* Bytes per transport_read(). Replies are short; 128 bytes take a typical
 * EHLO reply in a few reads. Any size from 1 works. */
#ifndef SMTP_SEND_RX_SIZE
#define SMTP_SEND_RX_SIZE 128
#endif

/* Bytes of message per read_message() call. */
#ifndef SMTP_SEND_CHUNK_SIZE
#define SMTP_SEND_CHUNK_SIZE 256
#endif

/* ---- static state (the example is one session at a time) ------------ */

static mw_smtp_sender sender;
static char buf[MW_SMTP_SENDER_BUF_SIZE];
static char rx[SMTP_SEND_RX_SIZE];
static char chunk[SMTP_SEND_CHUNK_SIZE];
static mw_smtp_sender_message msg;
static const char *rcpt[1];

size_t smtp_send_ram(void)
{
    return sizeof sender + sizeof buf + sizeof rx + sizeof chunk +
           sizeof msg + sizeof rcpt;
}

/* ---- the two functions the sender calls ------------------------------- */

/* Every command arrives in one call; message data in spans of `chunk`
 * (the sender does not copy it). */
static int put(void *user, const char *data, size_t len)
{
    (void)user;
    return transport_write(data, len) == 0 ? 0 : -1;
}

/* The message, one piece at a time. The sender uses the piece before it
 * asks for the next, so one buffer is enough. */
static int pull(void *user, const char **p, size_t *len)
{
    const smtp_send_job *job = user;
    int n = job->read_message(chunk, sizeof chunk);
    if (n < 0 || (size_t)n > sizeof chunk)
        return -1;
    *p = chunk;
    *len = (size_t)n;
    return 0;
}

/* ---- the session ------------------------------------------------------ */

int smtp_send(const smtp_send_job *job, smtp_send_result *res)
{
    const mw_smtp_sender_result *out;
    int rc;

    if (res == NULL)
        return MW_E_INVAL;
    if (job == NULL || job->read_message == NULL) {
        res->status = MW_E_INVAL;
        res->code = 0;
        res->reason = "bad arguments";
        return MW_E_INVAL;
    }

    rcpt[0] = job->to;
    msg.ehlo_domain = job->helo;
    msg.tls = MW_SMTP_SENDER_TLS_NONE; /* see smtp_send.h */
    msg.from = job->from;
    msg.rcpt = rcpt;
    msg.rcpt_count = 1;
    msg.read = pull;
    msg.read_user = (void *)job;
    msg.send = put;
    /* init() checks every string (domain, paths) before anything is sent;
     * on a bad one the outcome says which. */
    rc = mw_smtp_sender_init(&sender, &msg, buf, sizeof buf);

    while (rc == MW_OK) {
        size_t used;
        int n = transport_read(rx, sizeof rx);
        if (n <= 0 || (size_t)n > sizeof rx) {
            /* The server went away (or the link failed). */
            (void)mw_smtp_sender_eof(&sender);
            break;
        }
        /* MW_OK: more to read; MW_DONE: over. MW_PAUSED (TLS) cannot come:
         * `tls` is NONE. */
        rc = mw_smtp_sender_feed(&sender, rx, (size_t)n, &used);
    }
    out = mw_smtp_sender_outcome(&sender);
    res->status = out->status;
    res->code = out->code;
    res->reason = out->reason;
    return res->status;
}
