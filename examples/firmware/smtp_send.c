/* SPDX-License-Identifier: MIT */
/*
 * smtp_send.c: the core of the firmware example. It sends one e-mail with
 * mailwire's SMTP client machine (smtp_client.h) over the two functions of
 * transport.h, the way a device would: every byte of memory is static (no
 * malloc), there is no stdio, no clock and no operating system call, and
 * the message is streamed through a small buffer, never held whole.
 *
 * RAM: the client context (mw_smtp_client_sizeof(), about 1.4 KB on a
 * 32-bit target), the reply line buffer (512 bytes, RFC 5321
 * §4.5.3.1.5), a receive buffer and a message buffer (SMTP_SEND_RX_SIZE
 * and SMTP_SEND_CHUNK_SIZE below), and a few hundred bytes of stack.
 *
 * How it works:
 *
 *  1. mw_smtp_client_init() with the library's defaults: PIPELINING and
 *     CHUNKING used when the server offers them, HELO when EHLO is
 *     refused, replies that end in a bare LF refused.
 *  2. mw_smtp_client_send_message() with a descriptor that pulls the
 *     message through job->read_message. The machine issues EHLO, MAIL,
 *     RCPT, DATA, the message and QUIT by itself as the replies arrive;
 *     it dot-stuffs the data (RFC 5321 §4.5.2) and ends it with
 *     CRLF "." CRLF, or sends BDAT chunks (RFC 3030).
 *  3. A loop reads what the server sends (transport_read) and feeds it to
 *     the machine, which answers through the `send` callback
 *     (transport_write), until the session is over. The `done` callback
 *     carries the outcome.
 *
 * Build for a host: examples/firmware/CMakeLists.txt (with
 * transport_posix.c, "smtp_send HOST PORT FROM TO < message"). Build for
 * a Cortex-M: tests/embedded/size_table.sh links it with transport_stub.c.
 */
#include "smtp_send.h"
#include "transport.h"

#include <mailwire/smtp_client.h>

/* Bytes per transport_read(). Replies are short; 128 bytes take a typical
 * EHLO reply in a few reads. Any size from 1 works. */
#ifndef SMTP_SEND_RX_SIZE
#define SMTP_SEND_RX_SIZE 128
#endif

/* Bytes of message per read_message() call. With CHUNKING each piece
 * becomes one BDAT chunk, so a larger buffer means fewer round trips. */
#ifndef SMTP_SEND_CHUNK_SIZE
#define SMTP_SEND_CHUNK_SIZE 256
#endif

/* ---- static state (the example is one session at a time) ------------ */

struct session {
    const smtp_send_job *job;
    smtp_send_result *res;
    int done; /* the `done` callback came */
};

static mw_smtp_client client;
static char line[MW_SMTP_CLIENT_LINEBUF_SIZE];
static char rx[SMTP_SEND_RX_SIZE];
static char chunk[SMTP_SEND_CHUNK_SIZE];
static struct session sess;
static mw_smtp_client_callbacks callbacks;
static mw_smtp_client_message msg;
static const char *rcpt[1];

size_t smtp_send_ram(void)
{
    return sizeof client + sizeof line + sizeof rx + sizeof chunk +
           sizeof sess + sizeof callbacks + sizeof msg + sizeof rcpt;
}

/* ---- callbacks -------------------------------------------------------- */

/* Every command line arrives in one call; message data in spans of
 * `chunk` (the machine does not copy it). */
static int on_send(mw_smtp_client *c, void *user, const char *data, size_t len)
{
    (void)c;
    (void)user;
    return transport_write(data, len) == 0 ? 0 : -1;
}

/* The transaction helper settled the message (after QUIT's reply). */
static int on_done(mw_smtp_client *c, void *user,
                   const mw_smtp_client_result *r)
{
    struct session *s = user;
    (void)c;
    s->res->status = r->status;
    s->res->code = r->code;
    s->res->reason = r->reason != NULL ? r->reason : "";
    s->done = 1;
    return 0;
}

/* The message, one piece at a time. The machine uses the piece before it
 * asks for the next, so one buffer is enough. */
static int pull(void *user, const char **p, size_t *len)
{
    struct session *s = user;
    int n = s->job->read_message(chunk, sizeof chunk);
    if (n < 0 || (size_t)n > sizeof chunk)
        return -1;
    *p = chunk;
    *len = (size_t)n;
    return 0;
}

/* ---- the session ------------------------------------------------------ */

/* Feed one received piece; returns MW_OK to go on reading, else the
 * status that ends the session (MW_DONE after QUIT's reply). */
static int feed_all(const char *p, size_t n)
{
    size_t off = 0, used;
    while (off < n) {
        int rc = mw_smtp_client_feed(&client, p + off, n - off, &used);
        off += used;
        if (rc == MW_DONE || rc < 0)
            return rc;
        /* MW_PAUSED only comes from callbacks that ask for it; these do
         * not, but going on is right either way. */
    }
    return MW_OK;
}

int smtp_send(const smtp_send_job *job, smtp_send_result *res)
{
    int rc;

    if (res == NULL)
        return MW_E_INVAL;
    res->status = MW_E_INVAL;
    res->code = 0;
    res->reason = "bad arguments";
    if (job == NULL || job->helo == NULL || job->from == NULL ||
        job->to == NULL || job->read_message == NULL)
        return MW_E_INVAL;

    sess.job = job;
    sess.res = res;
    sess.done = 0;
    callbacks.send = on_send;
    callbacks.done = on_done;
    rc = mw_smtp_client_init(&client, NULL, &callbacks, &sess, line,
                             sizeof line);
    if (rc != MW_OK)
        return res->status = rc;

    rcpt[0] = job->to;
    msg.ehlo_domain = job->helo;
    msg.tls = MW_SMTP_CLIENT_TLS_NONE;
    msg.auth = MW_SMTP_CLIENT_AUTH_NONE;
    msg.from = job->from;
    msg.rcpt = rcpt;
    msg.rcpt_count = 1;
    msg.read = pull;
    msg.read_user = &sess;
    rc = mw_smtp_client_send_message(&client, &msg);
    if (rc != MW_OK) {
        res->reason = "the message descriptor was refused";
        return res->status = rc;
    }

    res->status = MW_E_INCOMPLETE;
    res->reason = "the connection ended first";
    for (;;) {
        unsigned want = mw_smtp_client_want(&client);
        int n;
        if (want & MW_SMTP_CLIENT_WANT_CLOSED)
            break;
        if (want & MW_SMTP_CLIENT_WANT_TLS)
            break; /* never asked for: msg.tls is NONE */
        n = transport_read(rx, sizeof rx);
        if (n <= 0 || (size_t)n > sizeof rx) {
            /* The server went away (or the link failed): a message in
             * progress is reported to `done` as MW_E_CLOSED. */
            (void)mw_smtp_client_eof(&client);
            break;
        }
        rc = feed_all(rx, (size_t)n);
        if (rc == MW_DONE || rc < 0)
            break;
    }
    if (!sess.done && res->status == MW_OK)
        res->status = MW_E_INCOMPLETE;
    return res->status;
}
