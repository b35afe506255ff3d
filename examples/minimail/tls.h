/* SPDX-License-Identifier: MIT */
/*
 * minimail's TLS transport (OpenSSL), used for STARTTLS and STLS.
 *
 * This is how a transport plugs in under mailwire: the library never
 * sees a socket, so the same SMTP and POP3 machines run over plain TCP
 * or over TLS. net.c reads and writes through these functions once a
 * connection has switched; the machines are only told when the switch
 * happened (mw_smtp_server_tls_done(), mw_pop3_server_tls_done()).
 *
 * Built only when CMake finds OpenSSL (MM_HAVE_TLS). Without it
 * minimail never offers STARTTLS or STLS.
 */
#ifndef MINIMAIL_TLS_H
#define MINIMAIL_TLS_H

#include <stddef.h>

typedef struct mm_tls mm_tls;

/* Load the server certificate chain and key (PEM files). Returns 0, or -1
 * with a message on stderr. */
int mm_tls_setup(const char *cert_file, const char *key_file);
/* Whether mm_tls_setup() succeeded. */
int mm_tls_configured(void);
/* Start a server-side TLS session on a connected non-blocking socket. */
mm_tls *mm_tls_new(int fd);
/* Drive the handshake: 1 done, 0 in progress, -1 failed. */
int mm_tls_handshake(mm_tls *t);
/* The last call could not go on until the socket is writable. */
int mm_tls_wants_write(const mm_tls *t);
/* Read: > 0 bytes, 0 the peer closed, -1 nothing now, -2 error. */
long mm_tls_read(mm_tls *t, char *buf, size_t n);
/* Write: > 0 bytes taken, -1 not now, -2 error. */
long mm_tls_write(mm_tls *t, const char *p, size_t n);
/* Bytes already decrypted inside the TLS session, waiting to be read
 * (poll() cannot see them). */
size_t mm_tls_pending(const mm_tls *t);
/* The protocol and cipher, for the log. */
const char *mm_tls_describe(const mm_tls *t, char *buf, size_t cap);
void mm_tls_free(mm_tls *t);
void mm_tls_cleanup(void);

#endif /* MINIMAIL_TLS_H */
