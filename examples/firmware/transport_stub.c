/* SPDX-License-Identifier: MIT */
/*
 * transport_stub.c: the firmware example without a network. transport.h
 * over a scripted SMTP server held in flash, and a main() that sends one
 * alarm message through smtp_send.c and checks every byte it wrote.
 *
 * This is what tests/embedded/size_table.sh links for a Cortex-M4 (with
 * newlib-nano's nosys stubs), to prove the example builds for a device and
 * to measure it; on a real board transport_read/transport_write would
 * drive the TCP stack or the modem instead. On the host it runs as the
 * ctest test firmware_smtp_send_stub: exit status 0 when the sender sent
 * exactly the bytes RFC 5321 asks for, 1 otherwise. No stdio, no heap.
 *
 * The sender sends one command per reply (it never pipelines), so each
 * transport_read() returns the reply to the command just sent.
 */
#include "smtp_send.h"
#include "transport.h"

#include <mailwire/core.h>

#include <string.h>

/* ---- the server's side: one reply per read ---------------------------- */

static const char *const script[] = {
    "220 stub.example ESMTP\r\n",         /* greeting */
    "250-stub.example\r\n250 8BITMIME\r\n", /* EHLO */
    "250 2.1.0 Ok\r\n",                   /* MAIL */
    "250 2.1.5 Ok\r\n",                   /* RCPT */
    "354 End data with <CR><LF>.<CR><LF>\r\n", /* DATA */
    "250 2.0.0 Ok: queued\r\n",           /* the message */
    "221 2.0.0 Bye\r\n",                  /* QUIT */
};
static size_t script_next, script_pos;

int transport_read(void *p, size_t cap)
{
    const char *r;
    size_t n;
    if (script_next == sizeof script / sizeof script[0])
        return 0; /* the server has closed */
    r = script[script_next] + script_pos;
    n = strlen(r);
    if (n > cap)
        n = cap;
    memcpy(p, r, n);
    script_pos += n;
    if (r[n] == '\0') {
        script_next++;
        script_pos = 0;
    }
    return (int)n;
}

/* ---- the sender's side: everything written is kept -------------------- */

static char wire[1024];
static size_t wire_len;

int transport_write(const void *p, size_t n)
{
    if (n > sizeof wire - wire_len)
        return -1;
    memcpy(wire + wire_len, p, n);
    wire_len += n;
    return 0;
}

/* ---- the message: lines that start with "." need stuffing ------------- */

static const char message[] =
    "From: sensor-17@example.com\r\n"
    "To: ops@example.com\r\n"
    "Subject: temperature alarm\r\n"
    "\r\n"
    "Cold room 3 is at 9 C.\r\n"
    ".\r\n"
    "..two dots\r\n"
    ".one dot\r\n";
static size_t message_pos;

/* Hands the message out 7 bytes at a time, so that the dot-stuffer sees
 * line starts at every position of a piece. */
static int read_message(char *buf, size_t cap)
{
    size_t n = sizeof message - 1 - message_pos;
    if (n > 7)
        n = 7;
    if (n > cap)
        n = cap;
    memcpy(buf, message + message_pos, n);
    message_pos += n;
    return (int)n;
}

/* What RFC 5321 says the client must send: §4.1.1 commands, the data
 * dot-stuffed (§4.5.2: a line starting with "." gets one more), ended by
 * CRLF "." CRLF (§4.1.1.4). */
static const char expected[] =
    "EHLO sensor-17.example.com\r\n"
    "MAIL FROM:<sensor-17@example.com>\r\n"
    "RCPT TO:<ops@example.com>\r\n"
    "DATA\r\n"
    "From: sensor-17@example.com\r\n"
    "To: ops@example.com\r\n"
    "Subject: temperature alarm\r\n"
    "\r\n"
    "Cold room 3 is at 9 C.\r\n"
    "..\r\n"
    "...two dots\r\n"
    "..one dot\r\n"
    ".\r\n"
    "QUIT\r\n";

int main(void)
{
    smtp_send_job job;
    smtp_send_result res;
    int rc;

    job.helo = "sensor-17.example.com";
    job.from = "sensor-17@example.com";
    job.to = "ops@example.com";
    job.read_message = read_message;
    rc = smtp_send(&job, &res);
    if (rc != MW_OK || res.code != 250)
        return 1;
    if (wire_len != sizeof expected - 1 ||
        memcmp(wire, expected, wire_len) != 0)
        return 1;
    if (script_next != sizeof script / sizeof script[0])
        return 1; /* a reply was left unread */
    return 0;
}
