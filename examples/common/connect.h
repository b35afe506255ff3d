/* SPDX-License-Identifier: MIT */
/*
 * The TCP connection of the example clients (mailsend, mailfetch): the
 * socket side, which mailwire leaves to its caller.
 */
#ifndef MW_EXAMPLES_CONNECT_H
#define MW_EXAMPLES_CONNECT_H

/* Connect to host:port (every address getaddrinfo() gives, in its order),
 * with every later read and write on the socket bounded by `timeout`
 * seconds. Returns the socket, or -1 after a message on stderr that
 * starts with `prog`. */
int ex_connect(const char *prog, const char *host, const char *port,
               int timeout);

#endif
