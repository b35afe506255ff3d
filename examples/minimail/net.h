/* SPDX-License-Identifier: MIT */
/*
 * minimail's socket layer: listeners, accepted connections, the single
 * poll() loop, and per-connection output queues with backpressure.
 *
 * Nothing here knows a mail protocol. A protocol is a table of four
 * functions (mm_proto); main.c binds each one to a listening port. The
 * loop reads what a socket has into one shared buffer and hands it to the
 * protocol's `input`, which feeds it to a mailwire machine. What the
 * protocol cannot take yet (the machine paused) is kept for later; what
 * it sends is queued and written when the socket can take it. When a
 * connection's queue is long, the loop stops reading from that client
 * and tells the protocol to wait: that is the whole of the backpressure.
 */
#ifndef MINIMAIL_NET_H
#define MINIMAIL_NET_H

#include <stddef.h>
#include <stdint.h>

/* What a protocol's `input` and `resume` return. */
#define MM_GO 0     /* ready for more input */
#define MM_WAIT 1   /* do not feed me: call `resume` once output drained */
#define MM_CLOSE 2  /* the session is over: send what is queued, close */
#define MM_ABORT -1 /* drop the connection now */

/* Output queue marks: above HIGH a session is asked to wait, and
 * `resume` is called once the queue is back under LOW. */
#define MM_OUT_HIGH (256u * 1024u)
#define MM_OUT_LOW (64u * 1024u)

typedef struct mm_conn mm_conn;

/* One protocol served on a port. */
typedef struct mm_proto {
    const char *name; /* "smtp", "pop3", "imap": used in log lines */
    unsigned idle_timeout; /* seconds of silence before we hang up */
    /* A client connected: set up a session (mm_conn_set_session) and
     * send the greeting. Return MM_GO, or MM_ABORT to drop it. */
    int (*open)(mm_conn *c);
    /* Bytes arrived: feed them, set *used to the number taken. */
    int (*input)(mm_conn *c, const char *p, size_t n, size_t *used);
    /* The session had said MM_WAIT and the output queue is now short:
     * go on (stream the next piece of a message, answer the next
     * command). Then the loop feeds what input was kept back. */
    int (*resume)(mm_conn *c);
    /* TLS is up after the session called mm_conn_start_tls(). May be
     * NULL for protocols that never call it. */
    int (*tls_ready)(mm_conn *c);
    /* The connection is going away (`why`: "eof", "timeout",
     * "shutdown", "error"...): release the session. Called exactly once. */
    void (*close)(mm_conn *c, const char *why);
} mm_proto;

/* A listening socket and what it serves. */
typedef struct mm_listener {
    const mm_proto *proto;
    int fd;
    unsigned port; /* the port actually bound (after port 0) */
} mm_listener;

extern int mm_verbose;

/* Open a TCP listener on addr:port (port 0: the kernel picks one). Returns
 * 0, or -1 with a message printed. */
int mm_listen(mm_listener *l, const mm_proto *p, const char *addr,
              unsigned port);

/* Run the loop until *stop becomes non-zero (set by a signal handler,
 * which also writes a byte to wake_fd's pipe). Closes every connection
 * before returning. idle_timeout: 0 for each protocol's own, else the
 * seconds of silence after which any connection is closed. */
int mm_run(mm_listener *ls, size_t nls, volatile int *stop, int wake_fd,
           unsigned idle_timeout);

/* Queue bytes for the client. Returns 0, or -1 when out of memory (the
 * connection is then dropped by the loop). */
int mm_conn_send(mm_conn *c, const void *p, size_t n);
/* Bytes queued and not yet written. */
size_t mm_conn_queued(const mm_conn *c);
/* Whether the queue is above MM_OUT_HIGH: the session should pause. */
int mm_conn_full(const mm_conn *c);

/* A session that said MM_WAIT for a reason of its own (not a long output
 * queue) is ready to go on: its `resume` runs in this round of the loop. */
void mm_conn_wake(mm_conn *c);

/* Work a protocol batches over one round of the loop (the SMTP side
 * commits the messages that ended in a round to disk together): `fn` runs
 * after every connection was served and before poll() waits, and says how
 * many sessions it woke (mm_conn_wake); it runs again, after those were
 * served, until it wakes none. At most 4 hooks; returns 0, or -1 when
 * they are taken. */
int mm_add_round_hook(int (*fn)(void));

void mm_conn_set_session(mm_conn *c, void *session);
void *mm_conn_session(const mm_conn *c);
/* "127.0.0.1:45678" */
const char *mm_conn_peer(const mm_conn *c);
unsigned long mm_conn_id(const mm_conn *c);
/* Whether the client connected from the loopback interface. */
int mm_conn_loopback(const mm_conn *c);

/* Whether this build can do TLS and a certificate was given. */
int mm_tls_available(void);
/* After the queued go-ahead (SMTP 220, POP3 +OK) is written, run the TLS
 * handshake on this connection; `tls_ready` is called when it is up. */
void mm_conn_start_tls(mm_conn *c);
/* Whether the connection is under TLS. */
int mm_conn_tls(const mm_conn *c);

/* A client's bytes made safe for a log line: printable ASCII kept, any
 * other byte shown as '?', cut to fit `cap` (with "..." when cut). */
const char *mm_printable(const char *p, size_t n, char *buf, size_t cap);

/* A log line on stderr: time, protocol, connection id, peer, text. c may
 * be NULL for lines about the server itself. */
void mm_log(const mm_conn *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif /* MINIMAIL_NET_H */
