/* SPDX-License-Identifier: MIT */
/*
 * mailfetch: pull every message of a mailbox into a local Maildir.
 *
 *   mailfetch --maildir DIR [--keep] pop3://USER:PASS@HOST:PORT
 *   mailfetch --maildir DIR [--keep] imap://USER:PASS@HOST:PORT/MAILBOX
 *
 * This file is the program around the protocol: the command line, the URL,
 * the TCP connection, the Maildir every message is streamed into (through
 * examples/minimail/maildir.c: tmp/, then new/), and a progress line when
 * standard error is a terminal. The protocols themselves are in
 * fetch_pop3.c, on mailwire's POP3 client machine (pop3.h), and
 * fetch_imap.c, on its IMAP client machine (imap_client.h).
 *
 * A message is written to disk as its bytes arrive and is deleted from
 * the server only after it is safely in new/ (fsync, rename), so an
 * interrupted run loses nothing: the next run fetches what is left
 * (possibly a message twice, never none).
 */
#define _POSIX_C_SOURCE 200809L

#include "connect.h"
#include "fetch.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#define IO_TIMEOUT 120 /* seconds: every network wait is bounded */

/* ====================================================================
 * The connection
 * ==================================================================== */

int fetch_write(fetch_job *j, const void *p, size_t n)
{
    const char *s = p;
    while (n > 0) {
        ssize_t k = send(j->fd, s, n, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        s += k;
        n -= (size_t)k;
    }
    return 0;
}

long fetch_read(fetch_job *j, void *buf, size_t cap)
{
    for (;;) {
        ssize_t k = recv(j->fd, buf, cap, 0);
        if (k < 0 && errno == EINTR)
            continue;
        return (long)k;
    }
}

/* ====================================================================
 * The Maildir sink
 * ==================================================================== */

int sink_begin(fetch_job *j)
{
    if (md_deliver_begin(&j->dlv, j->maildir) != 0) {
        fprintf(stderr, "mailfetch: cannot create a file in %s/tmp: %s\n",
                j->maildir, strerror(errno));
        return -1;
    }
    j->dlv_open = 1;
    return 0;
}

int sink_write(fetch_job *j, const void *p, size_t n)
{
    if (!j->dlv_open)
        return -1;
    if (md_deliver_write(&j->dlv, p, n) != 0) {
        fprintf(stderr, "mailfetch: writing to %s/tmp: %s\n", j->maildir,
                strerror(j->dlv.failed));
        return -1;
    }
    j->bytes += n;
    return 0;
}

int sink_commit(fetch_job *j)
{
    j->dlv_open = 0;
    if (md_deliver_commit(&j->dlv, NULL, 0, NULL) != 0) {
        fprintf(stderr, "mailfetch: cannot store a message in %s/new: %s\n",
                j->maildir, strerror(errno));
        return -1;
    }
    return 0;
}

void sink_abort(fetch_job *j)
{
    if (j->dlv_open)
        md_deliver_abort(&j->dlv);
    j->dlv_open = 0;
}

/* ====================================================================
 * Progress
 * ==================================================================== */

void fetch_progress(fetch_job *j, int final)
{
    static uint64_t shown = (uint64_t)-1;
    if (!j->progress)
        return;
    if (!final && shown != (uint64_t)-1 && j->bytes - shown < 256u * 1024u &&
        j->bytes >= shown)
        return; /* redraw every 256 KB, not every chunk */
    shown = j->bytes;
    fprintf(stderr, "\rmailfetch: %lu/%lu messages, %.1f MB%s",
            j->fetched, j->total, (double)j->bytes / (1024.0 * 1024.0),
            final ? "\n" : "   ");
    fflush(stderr);
}

/* ====================================================================
 * The command line
 * ==================================================================== */

static void usage(FILE *f)
{
    fputs(
        "usage: mailfetch --maildir DIR [--keep] [--apop | --sasl-plain] [-v] URL\n"
        "\n"
        "Fetches every message of a mailbox into the Maildir DIR (created),\n"
        "each streamed to DIR/tmp and moved to DIR/new once complete, then\n"
        "deletes it from the server unless --keep.\n"
        "\n"
        "  URL                  pop3://USER:PASS@HOST[:PORT]  (port 110)\n"
        "                       imap://USER:PASS@HOST[:PORT][/MAILBOX]\n"
        "                       (port 143, mailbox INBOX)\n"
        "                       %XX escapes in USER and PASS (%40 for '@')\n"
        "  --maildir DIR        where the messages go\n"
        "  --keep               do not delete the messages on the server\n"
        "                       (IMAP: the mailbox is opened read-only)\n"
#if MW_ENABLE_SASL_CRAM_MD5
        "  --apop               POP3: log in with APOP instead of USER/PASS\n"
#else
        "  --apop               (not in this build of mailwire: no MD5)\n"
#endif
        "  --sasl-plain         POP3: log in with AUTH PLAIN (RFC 5034)\n"
        "  -v, --verbose        print the dialogue (password hidden)\n"
        "  -h, --help           this text\n"
        "\n"
        "Exit status: 0 all fetched; 1 some could not be fetched or stored;\n"
        "2 usage; 3 network or protocol failure; 4 login refused.\n",
        f);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Copy and %XX-decode (RFC 3986 §2.1) a URL part. */
static char *decoded(const char *p, size_t n)
{
    char *out = malloc(n + 1), *o = out;
    size_t i;
    if (out == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        if (p[i] == '%' && i + 2 < n && hexval(p[i + 1]) >= 0 &&
            hexval(p[i + 2]) >= 0) {
            *o++ = (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
            i += 2;
        } else {
            *o++ = p[i];
        }
    }
    *o = '\0';
    return out;
}

/* scheme://USER:PASS@HOST[:PORT][/MAILBOX] (the RFC 1738 §3.1 layout,
 * as RFC 2384 for POP and RFC 5092 for IMAP use it). Fills the job's
 * host, port (NULL: the default), user, pass and mailbox; returns 0, or -1
 * for a malformed URL. */
static int parse_url(const char *url, fetch_job *j, char *scheme, size_t cap)
{
    const char *p = strstr(url, "://"), *at, *hostp, *end, *colon, *slash;
    size_t n;
    if (p == NULL || (size_t)(p - url) >= cap)
        return -1;
    memcpy(scheme, url, (size_t)(p - url));
    scheme[p - url] = '\0';
    p += 3;
    slash = strchr(p, '/');
    end = slash != NULL ? slash : p + strlen(p);
    /* the userinfo ends at the last '@' before the path */
    at = NULL;
    for (hostp = p; hostp < end; hostp++)
        if (*hostp == '@')
            at = hostp;
    if (at == NULL)
        return -1;
    colon = memchr(p, ':', (size_t)(at - p));
    if (colon == NULL || colon == p)
        return -1;
    j->user = decoded(p, (size_t)(colon - p));
    j->pass = decoded(colon + 1, (size_t)(at - colon - 1));
    hostp = at + 1;
    if (*hostp == '[') {
        const char *rb = memchr(hostp, ']', (size_t)(end - hostp));
        if (rb == NULL)
            return -1;
        j->host = decoded(hostp + 1, (size_t)(rb - hostp - 1));
        colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
    } else {
        colon = memchr(hostp, ':', (size_t)(end - hostp));
        n = (size_t)((colon != NULL ? colon : end) - hostp);
        j->host = decoded(hostp, n);
    }
    if (colon != NULL)
        j->port = decoded(colon + 1, (size_t)(end - colon - 1));
    if (slash != NULL && slash[1] != '\0')
        j->mailbox = decoded(slash + 1, strlen(slash + 1));
    if (j->user == NULL || j->pass == NULL || j->host == NULL ||
        j->host[0] == '\0' || j->user[0] == '\0')
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    static fetch_job j;
    const char *url = NULL, *port = NULL;
    char scheme[16];
    int (*run)(fetch_job *) = NULL;
    int i, rc = FX_USAGE;

    for (i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
            usage(stdout);
            return FX_OK;
        } else if (strcmp(o, "--keep") == 0) {
            j.keep = 1;
        } else if (strcmp(o, "--apop") == 0) {
#if !MW_ENABLE_SASL_CRAM_MD5
            /* APOP needs MD5, left out of this build (features.h) */
            fprintf(stderr, "mailfetch: --apop: this build of mailwire has "
                            "no APOP (MW_WITH_SASL_CRAM_MD5=OFF)\n");
            return FX_USAGE;
#endif
            j.apop = 1;
        } else if (strcmp(o, "--sasl-plain") == 0) {
            j.sasl = 1;
        } else if (strcmp(o, "-v") == 0 || strcmp(o, "--verbose") == 0) {
            j.verbose = 1;
        } else if (strcmp(o, "--maildir") == 0 && i + 1 < argc) {
            j.maildir = argv[++i];
        } else if (o[0] != '-' && url == NULL) {
            url = o;
        } else {
            fprintf(stderr, "mailfetch: unknown option or missing value: %s\n"
                            "Try 'mailfetch --help'.\n", o);
            return FX_USAGE;
        }
    }
    if (j.maildir == NULL || url == NULL) {
        fputs("mailfetch: --maildir DIR and a URL are required\n"
              "Try 'mailfetch --help'.\n", stderr);
        return FX_USAGE;
    }
    if (strncmp(url, "imaps://", 8) == 0 || strncmp(url, "pop3s://", 8) == 0) {
        fputs("mailfetch: no TLS in this example (imap:// or pop3:// only)\n",
              stderr);
        return FX_USAGE;
    }
    if (parse_url(url, &j, scheme, sizeof scheme) != 0) {
        fputs("mailfetch: the URL must look like pop3://USER:PASS@HOST:PORT\n"
              "           or imap://USER:PASS@HOST:PORT/MAILBOX\n",
              stderr);
        goto out;
    }
    if (0) {
#if MW_ENABLE_POP3_CLIENT
    } else if (strcmp(scheme, "pop3") == 0 || strcmp(scheme, "pop") == 0) {
        run = fetch_pop3;
        port = "110";
#endif
#if MW_ENABLE_IMAP_CLIENT
    } else if (strcmp(scheme, "imap") == 0) {
        run = fetch_imap;
        port = "143";
#endif
    } else {
        fprintf(stderr, "mailfetch: unknown scheme \"%s\" (%s)\n", scheme,
                MW_ENABLE_POP3_CLIENT && MW_ENABLE_IMAP_CLIENT ? "pop3 or imap"
                : MW_ENABLE_POP3_CLIENT                         ? "pop3"
                                                                : "imap");
        goto out;
    }
    if (md_create(j.maildir) != 0) {
        fprintf(stderr, "mailfetch: cannot create the Maildir %s: %s\n",
                j.maildir, strerror(errno));
        goto out;
    }
    j.progress = isatty(2);
    j.fd = ex_connect("mailfetch", j.host, j.port != NULL ? j.port : port,
                      IO_TIMEOUT);
    if (j.fd < 0) {
        rc = FX_NETWORK;
        goto out;
    }
    rc = run(&j);
    close(j.fd);
    fetch_progress(&j, 1);
    sink_abort(&j);
    if (j.verbose || (rc != FX_OK && j.total > 0))
        fprintf(stderr, "mailfetch: %lu of %lu messages fetched, %lu deleted%s\n",
                j.fetched, j.total, j.deleted, j.keep ? " (--keep)" : "");
out:
    if (j.pass != NULL)
        memset(j.pass, 0, strlen(j.pass));
    free(j.host);
    free(j.port);
    free(j.user);
    free(j.pass);
    free(j.mailbox);
    return rc;
}
