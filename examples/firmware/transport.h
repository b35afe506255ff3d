/* SPDX-License-Identifier: MIT */
/*
 * transport.h: the two functions a board gives the firmware example.
 *
 * mailwire never touches a socket; the example's core (smtp_send.c) does
 * not either. It moves bytes through these two functions, which a device
 * implements over whatever carries its TCP stream: a socket of lwIP or
 * another embedded stack, a cellular modem's AT socket on a UART, a TLS
 * library's record layer. transport_posix.c implements them with BSD
 * sockets for a host; transport_stub.c with a scripted server, so that the
 * Cortex-M build links and the host can run the same core without a
 * network.
 *
 * Both are blocking. The core calls them from one thread, never at the
 * same time, and never from an interrupt.
 */
#ifndef SMTP_SEND_TRANSPORT_H
#define SMTP_SEND_TRANSPORT_H

#include <stddef.h>

/*
 * Send all `n` bytes at `p` to the server (a command line, or a span of
 * message data). Return 0 when every byte was handed over, a negative
 * value when the connection failed (the core then gives up).
 */
int transport_write(const void *p, size_t n);

/*
 * Wait for bytes from the server and store up to `cap` of them at `p`
 * (`cap` is small: the core's receive buffer). Return the number stored
 * (1..cap), 0 when the server closed the connection, a negative value on
 * an error or a time-out.
 */
int transport_read(void *p, size_t cap);

#endif
