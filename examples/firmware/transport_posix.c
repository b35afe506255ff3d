/* SPDX-License-Identifier: MIT */
/*
 * transport_posix.c: the firmware example on a host. transport.h over a
 * BSD socket, the message from standard input, and a main():
 *
 *     smtp_send HOST PORT FROM TO < message
 *
 * connects to HOST:PORT, sends the message read from standard input to
 * the one recipient TO with envelope sender FROM ("" for <>), and exits 0
 * when the server accepted it, 1 when it did not, 2 for a usage or
 * connection error. One line on standard error says what happened.
 *
 * Sockets, stdio and the environment live here only; smtp_send.c, the
 * part that runs on a device, has none of them. No TLS: use it on
 * loopback or a trusted network (tests/interop/smtp_sink.py is a sink to
 * try it against).
 */
#define _POSIX_C_SOURCE 200809L

#include "smtp_send.h"
#include "transport.h"

#include <mailwire/core.h>

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

/* Seconds a read or write may block before the session is given up. */
#define IO_TIMEOUT 30

static int sock = -1;

int transport_write(const void *p, size_t n)
{
    const char *b = p;
    int flags = 0;
#ifdef MSG_NOSIGNAL
    flags = MSG_NOSIGNAL; /* a closed peer is an error, not a SIGPIPE */
#endif
    while (n > 0) {
        ssize_t w = send(sock, b, n, flags);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

int transport_read(void *p, size_t cap)
{
    for (;;) {
        ssize_t r = recv(sock, p, cap > INT_MAX ? INT_MAX : cap, 0);
        if (r < 0 && errno == EINTR)
            continue;
        return r < 0 ? -1 : (int)r;
    }
}

/* The message source: standard input, as it comes. */
static int read_stdin(char *buf, size_t cap)
{
    for (;;) {
        ssize_t r = read(0, buf, cap > INT_MAX ? INT_MAX : cap);
        if (r < 0 && errno == EINTR)
            continue;
        return r < 0 ? -1 : (int)r;
    }
}

static int connect_to(const char *host, const char *port)
{
    struct addrinfo hints, *res, *ai;
    struct timeval tv;
    int rc, s = -1;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "smtp_send: %s:%s: %s\n", host, port, gai_strerror(rc));
        return -1;
    }
    tv.tv_sec = IO_TIMEOUT;
    tv.tv_usec = 0;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        int one = 1;
        s = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (s < 0)
            continue;
        (void)setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        (void)setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        /* The machine hands over a BDAT line and its chunk in two calls,
         * then waits for the reply: without this, Nagle's algorithm holds
         * the chunk until the server's delayed ACK (40 ms a chunk). */
        (void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(s, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(s);
        s = -1;
    }
    freeaddrinfo(res);
    if (s < 0)
        fprintf(stderr, "smtp_send: cannot connect to %s:%s: %s\n", host,
                port, strerror(errno));
    return s;
}

int main(int argc, char **argv)
{
    smtp_send_job job;
    smtp_send_result res;
    int rc;

    if (argc != 5) {
        fputs("usage: smtp_send HOST PORT FROM TO < message\n", stderr);
        return 2;
    }
    sock = connect_to(argv[1], argv[2]);
    if (sock < 0)
        return 2;

    job.helo = "localhost";
    job.from = argv[3];
    job.to = argv[4];
    job.read_message = read_stdin;
    rc = smtp_send(&job, &res);
    close(sock);

    fprintf(stderr, "smtp_send: %s, reply %u: %s\n", mw_status_name(rc),
            res.code, res.reason);
    return rc == MW_OK ? 0 : 1;
}
