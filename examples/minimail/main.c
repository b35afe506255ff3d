/* SPDX-License-Identifier: MIT */
/*
 * minimail: a small, real mail server on mailwire.
 *
 * One process, one poll() loop, any number of concurrent connections, no
 * threads. It receives mail by SMTP for its local users into their
 * Maildirs and serves those Maildirs by POP3 and IMAP.
 *
 * Where to read what:
 *
 *   main.c          options, the table of protocols, signals, startup
 *   net.c           sockets: listeners, the poll loop, output queues and
 *                   backpressure (no mail protocol in there)
 *   smtp_session.c  the SMTP server machine (smtp_server.h) at work
 *   pop3_session.c  the POP3 server machine (pop3.h) at work
 *   imap_session.c  the IMAP server machine (imap_server.h) at work, with
 *                   imap_store.c (folders, flags, UIDs on Maildir) and
 *                   imap_mime.c (MIME structure, ENVELOPE, sections)
 *   maildir.c       delivery into tmp/ and new/, snapshots with UIDs
 *   users.c         users and passwords
 *   tls.c           STARTTLS/STLS over OpenSSL, when the build has it
 *
 * A protocol is an mm_proto (four functions) bound to a port in the
 * `protocols` table below; adding one is one more file and one more row.
 */
#define _POSIX_C_SOURCE 200809L

#include "minimail.h"
#include "maildir.h"
#include "users.h"
#ifdef MM_HAVE_TLS
#include "tls.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

mm_settings mm_cfg;

/* The protocols this build serves: name (for --NAME-port and the log),
 * the session functions, and the default port. A NULL entry is a
 * protocol the program knows of but this build does not have. */
static struct {
    const char *name;
    const mm_proto *proto;
    const char *port; /* a number, 0 (any free port) or "off" */
} protocols[] = {
#if MW_ENABLE_SMTP_SERVER
    {"smtp", &mm_smtp_proto, "2525"},
#else
    {"smtp", NULL, "off"},
#endif
#if MW_ENABLE_POP3_SERVER
    {"pop3", &mm_pop3_proto, "1110"},
#else
    {"pop3", NULL, "off"},
#endif
#if MM_IMAP
    {"imap", &mm_imap_proto, "1143"},
#else
    {"imap", NULL, "off"},
#endif
};
#define NPROTO (sizeof protocols / sizeof protocols[0])

static volatile int stop_flag;
static int wake_pipe[2] = {-1, -1};

/* SIGINT, SIGTERM: set the flag and wake poll() through the self-pipe
 * (only async-signal-safe calls here). */
static void on_signal(int sig)
{
    int saved = errno;
    char b = 1;
    (void)sig;
    stop_flag = 1;
    if (write(wake_pipe[1], &b, 1) < 0) {
        /* the pipe is full: poll() wakes anyway */
    }
    errno = saved;
}

static void usage(FILE *f)
{
    fputs(
        "usage: minimail --maildir DIR [options]\n"
        "\n"
        "A small mail server: SMTP in, POP3 and IMAP out, over Maildirs,\n"
        "in one process. Mail for user NAME lands in DIR/NAME/new.\n"
        "\n"
        "  --maildir DIR         where the users' Maildirs live (created)\n"
        "  --listen ADDR         address to listen on (default 127.0.0.1)\n"
        "  --smtp-port N         SMTP port (default 2525)\n"
        "  --pop3-port N         POP3 port (default 1110)\n"
        "  --imap-port N         IMAP port (default 1143)\n"
        "                        a port of 0 takes any free port (see the log),\n"
        "                        \"off\" serves no such protocol\n"
        "  --user NAME:PASSWORD  a user (repeat for more; default demo:demo)\n"
#if MW_ENABLE_SASL_CRAM_MD5
        "  --apop                POP3: offer APOP (MD5; off by default)\n"
#endif
        "  --hostname NAME       our name in greetings (default: host name)\n"
        "  --max-size BYTES      largest message accepted (default 52428800)\n"
#ifdef MM_HAVE_TLS
        "  --tls-cert FILE       PEM certificate chain: offer STARTTLS\n"
        "                        (SMTP, IMAP) and STLS (POP3)\n"
        "  --tls-key FILE        its PEM private key\n"
#endif
        "  --timeout SECONDS     close connections idle this long (default:\n"
        "                        SMTP 300, POP3 600, IMAP 1800, as RFC 5321,\n"
        "                        1939 and 9051 ask)\n"
        "  --no-fsync            do not fsync deliveries (benchmarks only)\n"
        "  -v, --verbose         log every command (never passwords)\n"
        "  -h, --help            this text\n"
        "\n"
        "Stops cleanly on SIGINT or SIGTERM. One log line per session event\n"
        "goes to standard error.\n",
        f);
}

static int parse_port(const char *s, const char *opt)
{
    char *end;
    unsigned long v;
    if (strcmp(s, "off") == 0)
        return -1;
    v = strtoul(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v > 65535) {
        fprintf(stderr, "minimail: %s wants a port number or \"off\"\n", opt);
        exit(2);
    }
    return (int)v;
}

int main(int argc, char **argv)
{
    static char host[256];
    const char *maildir = NULL, *listen_addr = "127.0.0.1";
    const char *cert = NULL, *key = NULL;
    unsigned long timeout = 0; /* each protocol's own */
    mm_listener ls[NPROTO];
    size_t nls = 0, i;
    struct sigaction sa;
    int a, rc;

    mm_cfg.max_size = 50u * 1024u * 1024u;
    for (a = 1; a < argc; a++) {
        const char *o = argv[a];
        const char *v = a + 1 < argc ? argv[a + 1] : NULL;
        int took = 1, matched = 0;
        if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(o, "-v") == 0 || strcmp(o, "--verbose") == 0) {
            mm_verbose = 1;
            continue;
        }
        if (strcmp(o, "--apop") == 0) {
#if MW_ENABLE_SASL_CRAM_MD5
            mm_cfg.apop = 1;
            continue;
#else
            /* APOP needs MD5, left out of this build (features.h) */
            fprintf(stderr, "minimail: --apop: this build of mailwire has "
                            "no APOP (MW_WITH_SASL_CRAM_MD5=OFF)\n");
            return 2;
#endif
        }
        if (strcmp(o, "--no-fsync") == 0) {
            md_fsync = 0;
            continue;
        }
        if (v == NULL) {
            fprintf(stderr, "minimail: unknown option or missing value: %s\n"
                            "Try 'minimail --help'.\n", o);
            return 2;
        }
        for (i = 0; i < NPROTO; i++) {
            char name[32];
            snprintf(name, sizeof name, "--%s-port", protocols[i].name);
            if (strcmp(o, name) == 0) {
                parse_port(v, o);
                protocols[i].port = v;
                matched = 1;
            }
        }
        if (matched)
            took = 1;
        else if (strcmp(o, "--maildir") == 0)
            maildir = v;
        else if (strcmp(o, "--listen") == 0)
            listen_addr = v;
        else if (strcmp(o, "--user") == 0) {
            if (users_add(v) != 0)
                return 2;
        } else if (strcmp(o, "--hostname") == 0)
            mm_cfg.hostname = v;
        else if (strcmp(o, "--max-size") == 0)
            mm_cfg.max_size = strtoull(v, NULL, 10);
        else if (strcmp(o, "--timeout") == 0)
            timeout = strtoul(v, NULL, 10);
#ifdef MM_HAVE_TLS
        else if (strcmp(o, "--tls-cert") == 0)
            cert = v;
        else if (strcmp(o, "--tls-key") == 0)
            key = v;
#endif
        else
            took = 0;
        if (!took) {
            fprintf(stderr, "minimail: unknown option %s\nTry 'minimail --help'.\n",
                    o);
            return 2;
        }
        a++;
    }
    if (maildir == NULL) {
        fputs("minimail: --maildir DIR is required\nTry 'minimail --help'.\n",
              stderr);
        return 2;
    }
    if ((cert == NULL) != (key == NULL)) {
        fputs("minimail: --tls-cert and --tls-key go together\n", stderr);
        return 2;
    }
    if (mm_cfg.hostname == NULL) {
        if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
            strcpy(host, "localhost");
        mm_cfg.hostname = host;
    }
    if (users_count() == 0 && users_add("demo:demo") != 0)
        return 2;
    if (users_setup(maildir) != 0)
        return 1;
#ifdef MM_HAVE_TLS
    if (cert != NULL && mm_tls_setup(cert, key) != 0)
        return 1;
#else
    (void)cert;
    (void)key;
#endif

    /* Signals: a self-pipe wakes the loop; SIGPIPE is ignored so that a
     * client closing under us is a write error, not our death. */
    if (pipe(wake_pipe) != 0) {
        perror("minimail: pipe");
        return 1;
    }
    fcntl(wake_pipe[0], F_SETFL, O_NONBLOCK);
    fcntl(wake_pipe[1], F_SETFL, O_NONBLOCK);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);

    for (i = 0; i < NPROTO; i++) {
        int port = parse_port(protocols[i].port, protocols[i].name);
        if (port < 0)
            continue;
        if (protocols[i].proto == NULL) {
            mm_log(NULL, "%s: not available in this version, port %s unused",
                   protocols[i].name, protocols[i].port);
            continue;
        }
        if (mm_listen(&ls[nls], protocols[i].proto, listen_addr,
                      (unsigned)port) != 0)
            return 1;
        mm_log(NULL, "%s listening on %s port %u", protocols[i].name,
               listen_addr, ls[nls].port);
        nls++;
    }
    if (nls == 0) {
        fputs("minimail: no protocol to serve\n", stderr);
        return 2;
    }
    mm_log(NULL, "ready: %lu user%s, mail in %s, mailwire %s%s",
           (unsigned long)users_count(), users_count() == 1 ? "" : "s",
           maildir, mw_version_string(),
           mm_tls_available() ? ", STARTTLS on" : "");

    rc = mm_run(ls, nls, &stop_flag, wake_pipe[0], (unsigned)timeout);

    for (i = 0; i < nls; i++)
        close(ls[i].fd);
    close(wake_pipe[0]);
    close(wake_pipe[1]);
    users_free();
#ifdef MM_HAVE_TLS
    mm_tls_cleanup();
#endif
    mm_log(NULL, "stopped");
    return rc == 0 ? 0 : 1;
}
