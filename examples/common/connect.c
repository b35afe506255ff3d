/* SPDX-License-Identifier: MIT */
#define _POSIX_C_SOURCE 200112L
#include "connect.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

int ex_connect(const char *prog, const char *host, const char *port,
               int timeout)
{
    struct addrinfo hints, *res = NULL, *ai;
    struct timeval tv;
    int fd = -1, rc;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, host, gai_strerror(rc));
        return -1;
    }
    /* a peer that stops answering must not hang the program */
    tv.tv_sec = timeout;
    tv.tv_usec = 0;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(fd);
        fd = -1;
    }
    if (fd < 0)
        fprintf(stderr, "%s: cannot connect to %s port %s: %s\n", prog, host,
                port, strerror(errno));
    freeaddrinfo(res);
    return fd;
}
