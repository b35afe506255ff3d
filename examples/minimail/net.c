/* SPDX-License-Identifier: MIT */
/*
 * minimail's socket layer: one poll() loop for every listener and every
 * client, non-blocking sockets, no threads.
 *
 * Reading: whatever a socket has is read into one buffer shared by all
 * connections (so an idle connection costs no input buffer) and given to
 * the protocol at once. mailwire's machines work on the bytes where they
 * lie (zero-copy); only what a machine did not take yet (it paused) is
 * copied into a small per-connection "kept" buffer, and the socket is not
 * read again until that is used up.
 *
 * Writing: a session's output is queued and written when poll() says the
 * socket can take it. A queue above MM_OUT_HIGH makes the session pause
 * (it returns MM_WAIT), and the socket is not read meanwhile; when the
 * queue falls under MM_OUT_LOW the session's `resume` runs. A POP3 RETR
 * streams a 100 MB message through a few hundred KB this way, and a client
 * that pipelines commands but never reads replies only fills its own
 * queue up to the mark.
 */
#define _POSIX_C_SOURCE 200809L

#include "net.h"
#ifdef MM_HAVE_TLS
#include "tls.h"
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

int mm_verbose;

#define READ_CHUNK (64u * 1024u) /* one read(); the shared buffer */
#define ACCEPT_BURST 64          /* accepts per listener per round */

/* TLS states of a connection */
enum { T_NONE, T_START, T_SHAKE, T_UP };

struct mm_conn {
    int fd;
    unsigned long id;
    const mm_proto *proto;
    void *session;
    char peer[64];
    int loopback;       /* the peer is 127.0.0.0/8 or ::1 */
    time_t last;        /* last progress either way (idle timeout) */
    int state;          /* MM_GO or MM_WAIT: what the session said last */
    int woken;          /* mm_conn_wake(): resume in this round */
    int closing;        /* MM_CLOSE: flush, then close */
    int eof;            /* the peer closed its side */
    const char *dead;   /* non-NULL: close now, this is why */
    /* output queue: out[head .. head+len) */
    char *out;
    size_t out_head, out_len, out_cap;
    /* input the session did not take yet: keep[koff .. klen) */
    char *keep;
    size_t koff, klen, kcap;
#ifdef MM_HAVE_TLS
    mm_tls *tls;
#endif
    int tls_state;
};

static char rbuf[READ_CHUNK];
static unsigned long next_id = 1;

#define MAX_HOOKS 4
static int (*round_hooks[MAX_HOOKS])(void);
static size_t nhooks;

/* ====================================================================
 * Logging
 * ==================================================================== */

const char *mm_printable(const char *p, size_t n, char *buf, size_t cap)
{
    size_t i, k = 0;
    for (i = 0; i < n && k + 4 < cap; i++) {
        unsigned char b = (unsigned char)p[i];
        buf[k++] = b >= 0x20 && b < 0x7f ? (char)b : '?';
    }
    if (i < n && cap >= 4) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    buf[k] = '\0';
    return buf;
}

/* The line is put together first and written with one call: stderr is
 * unbuffered, and three fprintf()s would be three write()s per line (under
 * load, a third of minimail's system calls), and lines could interleave
 * with another writer's. */
void mm_log(const mm_conn *c, const char *fmt, ...)
{
    char head[128], text[1024], line[sizeof head + sizeof text];
    time_t now = time(NULL);
    struct tm tm;
    size_t hn, tn;
    int k;
    va_list ap;
    gmtime_r(&now, &tm);
    hn = strftime(head, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (c != NULL)
        k = snprintf(head + hn, sizeof head - 32, " minimail %s#%lu: ",
                     c->proto->name, c->id);
    else
        k = snprintf(head + hn, sizeof head - 32, " minimail: ");
    hn += k < 0 ? 0 : (size_t)k < sizeof head - 32 ? (size_t)k
                                                    : sizeof head - 33;
    va_start(ap, fmt);
    k = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    tn = k < 0 ? 0 : (size_t)k < sizeof text ? (size_t)k : sizeof text - 1;
    if (k > 0 && (size_t)k >= sizeof text) /* cut: say so */
        memcpy(text + tn - 3, "...", 3);
    memcpy(line, head, hn);
    memcpy(line + hn, text, tn);
    line[hn + tn] = '\n';
    fwrite(line, 1, hn + tn + 1, stderr);
}

/* ====================================================================
 * Listeners
 * ==================================================================== */

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL, 0);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int mm_listen(mm_listener *l, const mm_proto *p, const char *addr,
              unsigned port)
{
    struct addrinfo hints, *res = NULL, *ai;
    char service[16];
    int fd = -1, one = 1, rc;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(service, sizeof service, "%u", port);
    rc = getaddrinfo(addr, service, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "minimail: %s: %s\n", addr, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
            listen(fd, 128) == 0 && set_nonblock(fd) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        fprintf(stderr, "minimail: cannot listen on %s port %u for %s: %s\n",
                addr, port, p->name, strerror(errno));
        return -1;
    }
    {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        unsigned bound = port;
        if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
            if (ss.ss_family == AF_INET)
                bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
            else if (ss.ss_family == AF_INET6)
                bound = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        }
        l->port = bound;
    }
    l->fd = fd;
    l->proto = p;
    return 0;
}

/* ====================================================================
 * Connections
 * ==================================================================== */

/* The peer's address as accept() gave it (no getpeername() call). */
static void peer_name(const struct sockaddr_storage *ss, socklen_t sl,
                      char *out, size_t cap, int *loopback)
{
    char host[INET6_ADDRSTRLEN];
    unsigned port = 0;
    snprintf(out, cap, "?");
    if (sl == 0 || sl > (socklen_t)sizeof *ss)
        return;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        port = ntohs(a->sin_port);
        snprintf(out, cap, "%s:%u", host, port);
        *loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        port = ntohs(a->sin6_port);
        snprintf(out, cap, "[%s]:%u", host, port);
        *loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
    }
}

void mm_conn_wake(mm_conn *c) { c->woken = 1; }

int mm_add_round_hook(int (*fn)(void))
{
    if (nhooks == MAX_HOOKS)
        return -1;
    round_hooks[nhooks++] = fn;
    return 0;
}

void mm_conn_set_session(mm_conn *c, void *session) { c->session = session; }
void *mm_conn_session(const mm_conn *c) { return c->session; }
const char *mm_conn_peer(const mm_conn *c) { return c->peer; }
unsigned long mm_conn_id(const mm_conn *c) { return c->id; }
int mm_conn_loopback(const mm_conn *c) { return c->loopback; }
size_t mm_conn_queued(const mm_conn *c) { return c->out_len; }
int mm_conn_full(const mm_conn *c) { return c->out_len >= MM_OUT_HIGH; }
int mm_conn_tls(const mm_conn *c) { return c->tls_state == T_UP; }

int mm_tls_available(void)
{
#ifdef MM_HAVE_TLS
    return mm_tls_configured();
#else
    return 0;
#endif
}

void mm_conn_start_tls(mm_conn *c)
{
    if (c->tls_state == T_NONE)
        c->tls_state = T_START;
}

int mm_conn_send(mm_conn *c, const void *p, size_t n)
{
    if (n == 0)
        return 0;
    if (c->out_len == 0)
        c->out_head = 0;
    if (c->out_head + c->out_len + n > c->out_cap) {
        /* Slide down first; grow only when that is not enough. */
        if (c->out_head > 0) {
            memmove(c->out, c->out + c->out_head, c->out_len);
            c->out_head = 0;
        }
        if (c->out_len + n > c->out_cap) {
            size_t cap = c->out_cap ? c->out_cap : 4096;
            char *q;
            while (cap < c->out_len + n)
                cap *= 2;
            q = realloc(c->out, cap);
            if (q == NULL) {
                c->dead = "out of memory";
                return -1;
            }
            c->out = q;
            c->out_cap = cap;
        }
    }
    memcpy(c->out + c->out_head + c->out_len, p, n);
    c->out_len += n;
    return 0;
}

/* Write what the socket takes now. */
static void flush(mm_conn *c)
{
    while (c->out_len > 0 && c->dead == NULL) {
        long k;
#ifdef MM_HAVE_TLS
        if (c->tls_state == T_UP) {
            k = mm_tls_write(c->tls, c->out + c->out_head, c->out_len);
            if (k == -1)
                return;
            if (k < 0) {
                c->dead = "tls write error";
                return;
            }
        } else
#endif
        {
            k = (long)send(c->fd, c->out + c->out_head, c->out_len,
                           MSG_NOSIGNAL);
            if (k < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                    return;
                c->dead = "write error";
                return;
            }
        }
        c->out_head += (size_t)k;
        c->out_len -= (size_t)k;
        c->last = time(NULL);
    }
    if (c->out_len == 0 && c->out != NULL) {
        /* Drained: an idle connection keeps no output buffer (thousands
         * of idle sessions should cost only their machines). */
        free(c->out);
        c->out = NULL;
        c->out_cap = 0;
        c->out_head = 0;
    }
}

static void apply(mm_conn *c, int r)
{
    switch (r) {
    case MM_GO:
    case MM_WAIT:
        c->state = r;
        break;
    case MM_CLOSE:
        c->closing = 1;
        break;
    default:
        if (c->dead == NULL)
            c->dead = "aborted";
        break;
    }
}

/* Keep bytes the session did not take. */
static int keep(mm_conn *c, const char *p, size_t n)
{
    if (c->koff > 0 && c->koff == c->klen)
        c->koff = c->klen = 0;
    if (c->klen + n > c->kcap) {
        size_t cap = c->klen + n;
        char *q;
        if (c->koff > 0) {
            memmove(c->keep, c->keep + c->koff, c->klen - c->koff);
            c->klen -= c->koff;
            c->koff = 0;
        }
        if (c->klen + n > c->kcap) {
            q = realloc(c->keep, cap);
            if (q == NULL) {
                c->dead = "out of memory";
                return -1;
            }
            c->keep = q;
            c->kcap = cap;
        }
    }
    memcpy(c->keep + c->klen, p, n);
    c->klen += n;
    return 0;
}

/* Give fresh bytes to the session; keep what it leaves. */
static void deliver(mm_conn *c, const char *p, size_t n)
{
    size_t off = 0;
    while (off < n && c->dead == NULL && !c->closing && c->state == MM_GO) {
        size_t used = 0;
        int r = c->proto->input(c, p + off, n - off, &used);
        off += used;
        apply(c, r);
        if (used == 0 && r == MM_GO)
            break; /* a session that takes nothing must say WAIT */
    }
    if (off < n && c->dead == NULL && !c->closing)
        keep(c, p + off, n - off);
}

/* Feed the kept bytes, if the session can take them. */
static int feed_kept(mm_conn *c)
{
    int progress = 0;
    while (c->koff < c->klen && c->dead == NULL && !c->closing &&
           c->state == MM_GO) {
        size_t used = 0;
        int r = c->proto->input(c, c->keep + c->koff, c->klen - c->koff,
                                &used);
        c->koff += used;
        apply(c, r);
        if (used > 0)
            progress = 1;
        else if (r == MM_GO)
            break;
    }
    if (c->koff == c->klen) {
        c->koff = c->klen = 0;
        if (c->kcap > 65536) {
            free(c->keep);
            c->keep = NULL;
            c->kcap = 0;
        }
    }
    return progress;
}

static size_t kept(const mm_conn *c) { return c->klen - c->koff; }

/* Do everything that can be done without waiting. */
static void service(mm_conn *c)
{
    int rounds;
    for (rounds = 0; rounds < 64 && c->dead == NULL; rounds++) {
        flush(c);
        if (c->dead != NULL)
            break;
#ifdef MM_HAVE_TLS
        if (c->tls_state == T_START && c->out_len == 0) {
            /* The go-ahead is out: everything from here is TLS. */
            c->tls = mm_tls_new(c->fd);
            if (c->tls == NULL) {
                c->dead = "tls setup failed";
                break;
            }
            c->tls_state = T_SHAKE;
        }
        if (c->tls_state == T_SHAKE) {
            int h = mm_tls_handshake(c->tls);
            if (h < 0) {
                c->dead = "tls handshake failed";
                break;
            }
            if (h == 0)
                break;
            c->tls_state = T_UP;
            {
                char d[96];
                mm_log(c, "TLS up: %s", mm_tls_describe(c->tls, d, sizeof d));
            }
            apply(c, c->proto->tls_ready(c));
            continue;
        }
#endif
        if (c->closing) {
            if (c->out_len == 0)
                c->dead = c->eof ? "eof" : "closed";
            break;
        }
        if (c->state == MM_WAIT) {
            size_t queued = c->out_len;
            if (c->out_len >= MM_OUT_LOW)
                break; /* POLLOUT will bring us back */
            apply(c, c->proto->resume(c));
            if (c->state == MM_WAIT && c->out_len == queued && !c->closing)
                break; /* waiting for something else: mm_conn_wake() */
            continue;
        }
        if (kept(c) > 0 && c->out_len < MM_OUT_HIGH) {
            if (feed_kept(c))
                continue;
        }
        if (c->eof && kept(c) == 0) {
            /* The client closed its side and everything it sent has been
             * read: send the replies still queued, then close. */
            c->closing = 1;
            continue;
        }
        break;
    }
}

static void on_readable(mm_conn *c)
{
    long n;
#ifdef MM_HAVE_TLS
    if (c->tls_state == T_UP) {
        n = mm_tls_read(c->tls, rbuf, sizeof rbuf);
        if (n == -1)
            return;
        if (n < -1) {
            c->dead = "tls read error";
            return;
        }
    } else
#endif
    {
        n = (long)recv(c->fd, rbuf, sizeof rbuf, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return;
            c->dead = "read error";
            return;
        }
    }
    c->last = time(NULL);
    if (n == 0) {
        c->eof = 1;
        return;
    }
    deliver(c, rbuf, (size_t)n);
}

static mm_conn *conn_new(int fd, const mm_proto *p,
                         const struct sockaddr_storage *ss, socklen_t sl)
{
    mm_conn *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->fd = fd;
    c->id = next_id++;
    c->proto = p;
    c->last = time(NULL);
    c->state = MM_GO;
    peer_name(ss, sl, c->peer, sizeof c->peer, &c->loopback);
    return c;
}

static void conn_free(mm_conn *c, const char *why)
{
    c->proto->close(c, why);
#ifdef MM_HAVE_TLS
    if (c->tls != NULL)
        mm_tls_free(c->tls);
#endif
    close(c->fd);
    free(c->out);
    free(c->keep);
    free(c);
}

/* Whether the connection wants to read now. */
static int wants_input(const mm_conn *c)
{
    return c->dead == NULL && !c->closing && !c->eof && c->state == MM_GO &&
           kept(c) == 0 && c->out_len < MM_OUT_HIGH &&
           (c->tls_state == T_NONE || c->tls_state == T_UP);
}

/* ====================================================================
 * The loop
 * ==================================================================== */

/* Each connection costs a descriptor (and one more while it delivers a
 * message), and the soft limit is often 1024 where thousands of sessions
 * are the point: take the hard limit. Past it, accept() fails with
 * EMFILE and the loop stops accepting for a second (the clients wait in
 * the listen queue) instead of spinning. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_cur < rl.rlim_max) {
        struct rlimit want = rl;
        want.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &want) == 0)
            rl = want;
    }
    if (rl.rlim_cur != RLIM_INFINITY)
        mm_log(NULL, "open file limit %llu", (unsigned long long)rl.rlim_cur);
}

int mm_run(mm_listener *ls, size_t nls, volatile int *stop, int wake_fd,
           unsigned idle_timeout)
{
    mm_conn **conns = NULL;
    struct pollfd *pfd = NULL;
    size_t nconns = 0, cap = 0, pcap = 0, i;
    time_t accept_pause = 0;
    int busy = 0; /* work left by the round hooks: do not sleep */

    raise_fd_limit();

    while (!*stop) {
        size_t np = 0, base;
        int timeout = busy ? 0 : 1000, n;
        time_t now = time(NULL);

        if (pcap < 1 + nls + nconns) {
            struct pollfd *q;
            pcap = (1 + nls + nconns) * 2;
            q = realloc(pfd, pcap * sizeof *pfd);
            if (q == NULL) {
                mm_log(NULL, "out of memory");
                break;
            }
            pfd = q;
        }
        pfd[np].fd = wake_fd;
        pfd[np].events = POLLIN;
        np++;
        for (i = 0; i < nls; i++) {
            pfd[np].fd = ls[i].fd;
            pfd[np].events = now >= accept_pause ? POLLIN : 0;
            np++;
        }
        base = np;
        for (i = 0; i < nconns; i++) {
            mm_conn *c = conns[i];
            short ev = 0;
            if (wants_input(c))
                ev |= POLLIN;
            if (c->out_len > 0 || c->state == MM_WAIT)
                ev |= POLLOUT;
#ifdef MM_HAVE_TLS
            if (c->tls_state == T_SHAKE)
                ev = mm_tls_wants_write(c->tls) ? POLLOUT : POLLIN;
            else if (c->tls_state == T_UP && mm_tls_wants_write(c->tls))
                ev |= POLLOUT;
            if (c->tls_state == T_UP && wants_input(c) &&
                mm_tls_pending(c->tls) > 0)
                timeout = 0; /* decrypted bytes poll() cannot see */
#endif
            pfd[np].fd = c->fd;
            pfd[np].events = ev;
            pfd[np].revents = 0;
            np++;
        }

        n = poll(pfd, (nfds_t)np, timeout);
        if (n < 0 && errno != EINTR) {
            mm_log(NULL, "poll: %s", strerror(errno));
            break;
        }
        if (*stop)
            break;
        if (n > 0 && (pfd[0].revents & POLLIN)) {
            char junk[64];
            while (read(wake_fd, junk, sizeof junk) > 0) {
            }
        }

        /* Existing connections first (the array may grow below). */
        for (i = 0; i < nconns; i++) {
            mm_conn *c = conns[i];
            short re = n > 0 ? pfd[base + i].revents : 0;
#ifdef MM_HAVE_TLS
            if (c->tls_state == T_UP && wants_input(c) &&
                mm_tls_pending(c->tls) > 0)
                re |= POLLIN;
#endif
            if (re & (POLLOUT | POLLERR))
                flush(c);
            if ((re & (POLLIN | POLLHUP | POLLERR)) && wants_input(c))
                on_readable(c);
            else if ((re & (POLLHUP | POLLERR)) && c->out_len > 0)
                flush(c);
            service(c);
        }

        /* New connections. */
        for (i = 0; i < nls && n > 0; i++) {
            int k;
            if (!(pfd[1 + i].revents & POLLIN))
                continue;
            for (k = 0; k < ACCEPT_BURST; k++) {
                struct sockaddr_storage ss;
                socklen_t sl = sizeof ss;
                int fd = accept(ls[i].fd, (struct sockaddr *)&ss, &sl);
                mm_conn *c;
                if (fd < 0) {
                    if (errno == EMFILE || errno == ENFILE) {
                        mm_log(NULL, "accept: %s; pausing 1s", strerror(errno));
                        accept_pause = time(NULL) + 1;
                    }
                    break;
                }
                /* A new socket has no file status flags to keep (it
                 * does not inherit the listener's O_NONBLOCK on Linux,
                 * and does on BSD): one fcntl() instead of two. */
                if (fcntl(fd, F_SETFL, O_NONBLOCK) != 0 ||
                    (c = conn_new(fd, ls[i].proto, &ss, sl)) == NULL) {
                    close(fd);
                    continue;
                }
                if (nconns == cap) {
                    size_t nc = cap ? cap * 2 : 64;
                    mm_conn **q = realloc(conns, nc * sizeof *conns);
                    if (q == NULL) {
                        close(fd);
                        free(c);
                        break;
                    }
                    conns = q;
                    cap = nc;
                }
                conns[nconns++] = c;
                mm_log(c, "connect from %s", c->peer);
                apply(c, ls[i].proto->open(c));
                service(c);
            }
        }

        /* Work batched over the round (group commit); then the sessions
         * it woke go on. Bounded: what is still pending after that waits
         * for the next round, which then does not sleep in poll(). */
        busy = 0;
        if (nhooks > 0) {
            int pass;
            for (pass = 0; pass < 8; pass++) {
                int woke = 0;
                size_t h;
                for (h = 0; h < nhooks; h++)
                    woke += round_hooks[h]();
                if (woke == 0)
                    break;
                for (i = 0; i < nconns; i++)
                    if (conns[i]->woken) {
                        conns[i]->woken = 0;
                        service(conns[i]);
                    }
            }
            busy = pass == 8;
        }

        /* Reap: closed, dead, idle. */
        now = time(NULL);
        for (i = 0; i < nconns;) {
            mm_conn *c = conns[i];
            unsigned limit = idle_timeout ? idle_timeout : c->proto->idle_timeout;
            if (c->dead == NULL && limit > 0 &&
                (unsigned long)(now - c->last) > limit)
                c->dead = "idle timeout";
            if (c->dead != NULL) {
                conn_free(c, c->dead);
                conns[i] = conns[--nconns];
                continue;
            }
            i++;
        }
    }

    for (i = 0; i < nconns; i++) {
        flush(conns[i]);
        conn_free(conns[i], "shutdown");
    }
    free(conns);
    free(pfd);
    return 0;
}
