/* SPDX-License-Identifier: MIT */
/*
 * mailsend: send one message by SMTP, read from standard input.
 *
 *   mailsend --server HOST:PORT [--user U --password P] [--starttls]
 *            --from ADDR --to ADDR [--to ADDR]... [-v] < message
 *
 * The SMTP client machine (smtp_client.h) does the protocol. We hand it
 * one descriptor (mw_smtp_client_message: who, to whom, how to read the
 * message) and mw_smtp_client_send_message() issues EHLO, STARTTLS, AUTH,
 * MAIL, RCPT..., DATA or BDAT, the data and QUIT by itself as the replies
 * come in: pipelined when the server offers PIPELINING (RFC 2920), in
 * BDAT chunks when it offers CHUNKING (RFC 3030), dot-stuffed and with
 * CRLF line ends otherwise (RFC 5321 §4.5.2). What is left here:
 *
 *   - the socket: connect, then read -> mw_smtp_client_feed() until the
 *     machine says the session is over (the `send` callback writes);
 *   - TLS when the machine asks for it (WANT_TLS), with OpenSSL;
 *   - the message, pulled by the machine through `read_chunk`, 64 KB at a
 *     time from standard input: never whole in memory;
 *   - telling the user what happened: every refusal with the server's own
 *     words, and an exit status (see --help).
 */
#define _POSIX_C_SOURCE 200809L

#include <mailwire/mailwire.h>

#include "connect.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#ifdef MS_HAVE_TLS
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#endif

/* Exit statuses */
#define EX_SENT 0      /* accepted for every recipient */
#define EX_PARTIAL 1   /* accepted, but some recipients were refused */
#define EX_USAGE 2     /* bad command line, unreadable input */
#define EX_NETWORK 3   /* cannot connect, connection lost, TLS failed */
#define EX_REFUSED 4   /* the server refused (greeting, AUTH, MAIL, ...) */

#define CHUNK (64u * 1024u)
#define IO_TIMEOUT 120 /* seconds: every wait on the network is bounded */

typedef struct app {
    int fd;
    int verbose;
#ifdef MS_HAVE_TLS
    SSL_CTX *tls_ctx;
    SSL *tls;
    const char *cafile;
#endif
    const char *host;
    const char *const *rcpt;
    size_t nrcpt;
    /* what -v shows of our side (credentials and message data hidden) */
    int sasl_next;        /* a 334 came: the next line is a SASL response */
    int in_data;          /* between 354 and the end of the message */
    uint64_t data_bytes;  /* bytes of message data sent so far */
    uint64_t bdat_left;   /* bytes of the current BDAT chunk still to come */
    /* the message */
    int input_known;      /* standard input is a file we scanned */
    uint64_t input_size;
    int input_8bit;
    mw_smtp_mail_params params;
    /* the outcome */
    int done;
    mw_smtp_client_result result;
    char refusal[600];    /* the last refusing reply, as the server said it */
    int net_error;
} app;

static char chunk_buf[CHUNK];

/* ====================================================================
 * The transport: plain TCP, or TLS after STARTTLS
 * ==================================================================== */

static int net_write(app *a, const char *p, size_t n)
{
    while (n > 0) {
        long k;
#ifdef MS_HAVE_TLS
        if (a->tls != NULL)
            k = SSL_write(a->tls, p, n > 1u << 30 ? 1 << 30 : (int)n);
        else
#endif
            k = (long)send(a->fd, p, n, MSG_NOSIGNAL);
        if (k <= 0) {
            if (k < 0 && errno == EINTR)
                continue;
            return -1;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static long net_read(app *a, char *buf, size_t cap)
{
    for (;;) {
        long k;
#ifdef MS_HAVE_TLS
        if (a->tls != NULL) {
            k = SSL_read(a->tls, buf, (int)cap);
            if (k <= 0 && SSL_get_error(a->tls, (int)k) == SSL_ERROR_ZERO_RETURN)
                return 0;
            return k > 0 ? k : -1;
        }
#endif
        k = (long)recv(a->fd, buf, cap, 0);
        if (k < 0 && errno == EINTR)
            continue;
        return k;
    }
}

#ifdef MS_HAVE_TLS
/* STARTTLS accepted: the handshake on the same socket, verifying the
 * server's certificate and name (RFC 3207 §4.1, RFC 6125). */
static int tls_start(app *a)
{
    a->tls_ctx = SSL_CTX_new(TLS_client_method());
    if (a->tls_ctx == NULL)
        return -1;
    SSL_CTX_set_min_proto_version(a->tls_ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(a->tls_ctx, SSL_VERIFY_PEER, NULL);
    if ((a->cafile != NULL
             ? SSL_CTX_load_verify_locations(a->tls_ctx, a->cafile, NULL)
             : SSL_CTX_set_default_verify_paths(a->tls_ctx)) != 1)
        return -1;
    a->tls = SSL_new(a->tls_ctx);
    if (a->tls == NULL || SSL_set_fd(a->tls, a->fd) != 1)
        return -1;
    {
        /* Check the name we connected to: an IP address against the
         * certificate's IP entries, a host name against its DNS names
         * (and only a host name goes into SNI, RFC 6066 §3). */
        unsigned char ip[16];
        if (inet_pton(AF_INET, a->host, ip) == 1 ||
            inet_pton(AF_INET6, a->host, ip) == 1) {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(a->tls), a->host);
        } else {
            SSL_set_tlsext_host_name(a->tls, a->host);
            SSL_set1_host(a->tls, a->host);
        }
    }
    if (SSL_connect(a->tls) != 1) {
        unsigned long e = ERR_get_error();
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        fprintf(stderr, "mailsend: TLS handshake failed: %s\n", buf);
        return -1;
    }
    if (a->verbose)
        fprintf(stderr, "mailsend: TLS up: %s %s\n", SSL_get_version(a->tls),
                SSL_get_cipher_name(a->tls));
    return 0;
}
#endif

/* ====================================================================
 * The message: pulled from standard input by the machine
 * ==================================================================== */

static int read_chunk(void *user, const char **chunk, size_t *len)
{
    ssize_t k;
    (void)user;
    do
        k = read(0, chunk_buf, sizeof chunk_buf);
    while (k < 0 && errno == EINTR);
    if (k < 0) {
        fprintf(stderr, "mailsend: reading the message: %s\n", strerror(errno));
        return -1;
    }
    *chunk = chunk_buf;
    *len = (size_t)k; /* 0: the end of the message */
    return 0;
}

/* When standard input is a file, read it once ahead (in chunks, as
 * everything here) to learn its size and whether it holds 8-bit bytes:
 * then MAIL can say SIZE= (RFC 1870) and BODY=8BITMIME (RFC 6152)
 * exactly. From a pipe we cannot look ahead: BODY=8BITMIME is declared
 * whenever the server offers it, which RFC 6152 allows for any body. */
static void scan_input(app *a)
{
    struct stat st;
    ssize_t k;
    if (fstat(0, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    a->input_size = 0;
    while ((k = read(0, chunk_buf, sizeof chunk_buf)) > 0) {
        ssize_t i;
        a->input_size += (uint64_t)k;
        for (i = 0; i < k && !a->input_8bit; i++)
            if ((unsigned char)chunk_buf[i] >= 0x80)
                a->input_8bit = 1;
    }
    if (k == 0 && lseek(0, 0, SEEK_SET) == 0)
        a->input_known = 1;
}

/* ====================================================================
 * Callbacks of the SMTP client machine
 * ==================================================================== */

/* Show our side of the dialogue with -v: command lines as they are,
 * except AUTH arguments and SASL responses; message data as a count. */
static void show_sent(app *a, const char *p, size_t n)
{
    if (a->bdat_left > 0) {
        uint64_t take = n < a->bdat_left ? n : a->bdat_left;
        a->bdat_left -= take;
        a->data_bytes += take;
        if (a->bdat_left == 0)
            fprintf(stderr, "C: [%llu octets of message data]\n",
                    (unsigned long long)a->data_bytes);
        return;
    }
    if (a->in_data) {
        a->data_bytes += n;
        return;
    }
    if (n >= 2 && p[n - 2] == '\r')
        n -= 2;
    if (a->sasl_next) {
        a->sasl_next = 0;
        fprintf(stderr, "C: ****\n");
    } else if (n >= 5 && strncmp(p, "AUTH ", 5) == 0) {
        const char *sp = memchr(p + 5, ' ', n - 5);
        fprintf(stderr, "C: %.*s%s\n", (int)(sp ? (size_t)(sp - p) : n), p,
                sp ? " ****" : "");
    } else {
        fprintf(stderr, "C: %.*s\n", (int)n, p);
        if (n > 5 && strncmp(p, "BDAT ", 5) == 0) {
            a->bdat_left = strtoull(p + 5, NULL, 10);
            a->data_bytes = 0;
        }
    }
}

static int on_send(mw_smtp_client *c, void *user, const char *p, size_t n)
{
    app *a = user;
    (void)c;
    if (a->verbose)
        show_sent(a, p, n);
    if (net_write(a, p, n) != 0) {
        a->net_error = errno ? errno : EPIPE;
        return -1;
    }
    return 0;
}

static int on_reply_line(mw_smtp_client *c, void *user,
                         const mw_smtp_reply_line *l, size_t offset)
{
    app *a = user;
    (void)c;
    (void)offset;
    if (a->in_data) {
        /* After a 354 the next reply ends the message data. */
        a->in_data = 0;
        if (a->verbose)
            fprintf(stderr, "C: [%llu octets of message data, then \".\"]\n",
                    (unsigned long long)a->data_bytes);
    }
    if (a->verbose)
        fprintf(stderr, "S: %03u%c%.*s\n", l->code, l->more ? '-' : ' ',
                (int)l->text.len, l->text.ptr);
    if (l->code == 334 && !l->more)
        a->sasl_next = 1;
    return 0;
}

static const char *what(const app *a, const mw_smtp_client_reply *r)
{
    static char buf[300];
    switch (r->cmd) {
    case MW_SMTP_CLIENT_GREETING: return "the greeting";
    case MW_SMTP_CLIENT_MESSAGE: return "the message";
    case MW_SMTP_CMD_RCPT:
        if (r->index < a->nrcpt) {
            snprintf(buf, sizeof buf, "recipient <%.250s>", a->rcpt[r->index]);
            return buf;
        }
        return "a recipient";
    default:
        snprintf(buf, sizeof buf, "%s", mw_smtp_verb_name((mw_smtp_verb)r->cmd));
        return buf;
    }
}

static int on_reply(mw_smtp_client *c, void *user, const mw_smtp_client_reply *r)
{
    app *a = user;
    const mw_smtp_caps *caps;
    if (r->cmd == MW_SMTP_CMD_DATA && r->code == 354) {
        a->in_data = 1;
        a->data_bytes = 0;
    }
    if (r->code >= 400) {
        snprintf(a->refusal, sizeof a->refusal, "%s: %u %.*s", what(a, r),
                 r->code, (int)r->text.len, r->text.ptr);
        if (r->cmd == MW_SMTP_CMD_RCPT)
            fprintf(stderr, "mailsend: refused %s\n", a->refusal);
    }
    /* The EHLO reply is in: now we know what MAIL may say. The machine
     * reads the descriptor's parameters when it sends MAIL, which is
     * after this callback. */
    if ((r->cmd == MW_SMTP_CMD_EHLO) && r->code / 100 == 2) {
        caps = mw_smtp_client_caps(c);
        a->params.present = 0;
        if ((caps->ext & MW_SMTP_EXT_SIZE) && a->input_known) {
            a->params.present |= MW_SMTP_MAIL_SIZE;
            a->params.size = a->input_size;
        }
        if ((caps->ext & MW_SMTP_EXT_8BITMIME) &&
            (a->input_8bit || !a->input_known)) {
            a->params.present |= MW_SMTP_MAIL_BODY;
            a->params.body = MW_SMTP_BODY_8BITMIME;
        }
        if (!(caps->ext & MW_SMTP_EXT_8BITMIME) && a->input_8bit)
            fprintf(stderr, "mailsend: warning: the message has 8-bit data "
                            "and the server does not offer 8BITMIME\n");
    }
    return 0;
}

static int on_error(mw_smtp_client *c, void *user, int status, size_t offset,
                    const char *reason)
{
    app *a = user;
    (void)c;
    if (a->verbose || mw_is_fatal(status))
        fprintf(stderr, "mailsend: %s (%s at byte %lu)\n", reason,
                mw_status_name(status), (unsigned long)offset);
    return 0;
}

static int on_done(mw_smtp_client *c, void *user, const mw_smtp_client_result *r)
{
    app *a = user;
    (void)c;
    a->done = 1;
    a->result = *r;
    return 0;
}

/* ====================================================================
 * Command line and the session loop
 * ==================================================================== */

static void usage(FILE *f)
{
    fputs(
        "usage: mailsend --server HOST:PORT --from ADDR --to ADDR [--to ADDR]...\n"
        "                [--user NAME --password SECRET] [--starttls] [-v]\n"
        "                < message\n"
        "\n"
        "Sends the message on standard input (header and body, RFC 5322; LF\n"
        "or CRLF line ends) by SMTP. PIPELINING and CHUNKING are used when\n"
        "the server offers them.\n"
        "\n"
        "  --server HOST:PORT   the SMTP server ([v6addr]:PORT for IPv6)\n"
        "  --from ADDR          the envelope sender (\"\" for the null path)\n"
        "  --to ADDR            an envelope recipient (repeat for more)\n"
        "  --user NAME          AUTH (PLAIN, or LOGIN) as NAME...\n"
        "  --password SECRET    ...with this password\n"
        "  --starttls           require STARTTLS before anything else\n"
#ifdef MS_HAVE_TLS
        "  --cafile FILE        trust the CA certificates in FILE (PEM)\n"
#endif
        "  --allow-plain-auth   allow AUTH without TLS to a remote server\n"
        "                       (it is always allowed on loopback)\n"
        "  --helo NAME          the name to give in EHLO (default: host name)\n"
        "  --no-pipelining      do not pipeline even if offered\n"
        "  --no-chunking        use DATA even if BDAT is offered\n"
        "  -v, --verbose        print the dialogue (credentials hidden)\n"
        "  -h, --help           this text\n"
        "\n"
        "Exit status: 0 sent to every recipient; 1 sent, some recipients\n"
        "refused; 2 usage; 3 network or TLS failure; 4 refused by the server.\n",
        f);
}

static int is_loopback(const char *host)
{
    return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
           strcmp(host, "::1") == 0;
}

/* "host:port", "[v6]:port" */
static int split_server(char *s, char **host, char **port)
{
    char *colon;
    if (s[0] == '[') {
        char *end = strchr(s, ']');
        if (end == NULL || end[1] != ':' || end[2] == '\0')
            return -1;
        *end = '\0';
        *host = s + 1;
        *port = end + 2;
        return 0;
    }
    colon = strrchr(s, ':');
    if (colon == NULL || colon == s || colon[1] == '\0')
        return -1;
    *colon = '\0';
    *host = s;
    *port = colon + 1;
    return 0;
}

/* A name for EHLO: our host name if it is a valid domain, else an
 * address literal would be right, but "localhost" is what most clients
 * fall back to. */
static const char *helo_name(void)
{
    static char host[256];
    if (gethostname(host, sizeof host - 1) != 0 ||
        mw_smtp_domain_check(host, strlen(host), 0, NULL) != MW_OK)
        return "localhost";
    return host;
}

int main(int argc, char **argv)
{
    static app a;
    static const char *rcpt[256];
    char *server = NULL, *host = NULL, *port = NULL;
    const char *from = NULL, *user = NULL, *password = NULL, *helo = NULL;
    int starttls = 0, allow_plain = 0, i, rc;
    mw_smtp_client_config cfg;
    mw_smtp_client_callbacks cb;
    mw_smtp_client_message m;
    static mw_smtp_client client;
    static char linebuf[MW_SMTP_CLIENT_LINEBUF_SIZE];
    static char in[CHUNK];

    mw_smtp_client_config_init(&cfg);
    for (i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
            usage(stdout);
            return EX_SENT;
        } else if (strcmp(o, "-v") == 0 || strcmp(o, "--verbose") == 0) {
            a.verbose = 1;
        } else if (strcmp(o, "--starttls") == 0) {
            starttls = 1;
        } else if (strcmp(o, "--allow-plain-auth") == 0) {
            allow_plain = 1;
        } else if (strcmp(o, "--no-pipelining") == 0) {
            cfg.pipelining = 0;
        } else if (strcmp(o, "--no-chunking") == 0) {
            cfg.chunking = 0;
        } else if (v == NULL) {
            fprintf(stderr, "mailsend: unknown option or missing value: %s\n", o);
            return EX_USAGE;
        } else {
            if (strcmp(o, "--server") == 0)
                server = argv[i + 1];
            else if (strcmp(o, "--from") == 0)
                from = v;
            else if (strcmp(o, "--to") == 0) {
                if (a.nrcpt == sizeof rcpt / sizeof rcpt[0]) {
                    fputs("mailsend: too many --to\n", stderr);
                    return EX_USAGE;
                }
                rcpt[a.nrcpt++] = v;
            } else if (strcmp(o, "--user") == 0)
                user = v;
            else if (strcmp(o, "--password") == 0)
                password = v;
            else if (strcmp(o, "--helo") == 0)
                helo = v;
#ifdef MS_HAVE_TLS
            else if (strcmp(o, "--cafile") == 0)
                a.cafile = v;
#endif
            else {
                fprintf(stderr, "mailsend: unknown option %s\n", o);
                return EX_USAGE;
            }
            i++;
        }
    }
    if (server == NULL || from == NULL || a.nrcpt == 0 ||
        split_server(server, &host, &port) != 0) {
        fputs("mailsend: --server HOST:PORT, --from and --to are required\n"
              "Try 'mailsend --help'.\n", stderr);
        return EX_USAGE;
    }
    if ((user == NULL) != (password == NULL)) {
        fputs("mailsend: --user and --password go together\n", stderr);
        return EX_USAGE;
    }
#ifndef MS_HAVE_TLS
    if (starttls) {
        fputs("mailsend: this build has no TLS (OpenSSL was not found)\n",
              stderr);
        return EX_USAGE;
    }
#endif
    if (user != NULL && !starttls && !is_loopback(host) && !allow_plain) {
        fputs("mailsend: refusing to send a password without TLS to a remote "
              "server;\nuse --starttls (or --allow-plain-auth)\n", stderr);
        return EX_USAGE;
    }
    /* Check the addresses here (RFC 5321 §4.1.2 Mailbox; UTF-8 allowed,
     * RFC 6531): a typo is a usage error, not something to discover in
     * the middle of a session. */
    for (i = -1; i < (int)a.nrcpt; i++) {
        const char *addr = i < 0 ? from : rcpt[i];
        mw_error e;
        if (i < 0 && addr[0] == '\0')
            continue; /* the null reverse-path <> */
        if (mw_smtp_mailbox_check(addr, strlen(addr), MW_SMTP_PARSE_UTF8, NULL,
                                  &e) != MW_OK) {
            fprintf(stderr, "mailsend: bad address \"%s\": %s\n", addr,
                    e.reason != NULL ? e.reason : "syntax error");
            return EX_USAGE;
        }
    }
    a.host = host;
    a.rcpt = rcpt;
    scan_input(&a);

    /* The machine: config, callbacks, one message descriptor. */
    cfg.auth_without_tls = !starttls; /* checked above */
    memset(&cb, 0, sizeof cb);
    cb.send = on_send;
    cb.reply = on_reply;
    cb.reply_line = on_reply_line;
    cb.error = on_error;
    cb.done = on_done;
    if (mw_smtp_client_init(&client, &cfg, &cb, &a, linebuf, sizeof linebuf) !=
        MW_OK)
        return EX_USAGE;
    memset(&m, 0, sizeof m);
    m.ehlo_domain = helo != NULL ? helo : helo_name();
    m.tls = starttls ? MW_SMTP_CLIENT_TLS_REQUIRED : MW_SMTP_CLIENT_TLS_NONE;
    m.auth = user != NULL ? MW_SMTP_CLIENT_AUTH_AUTO : MW_SMTP_CLIENT_AUTH_NONE;
    m.user = user;
    m.secret = password;
    m.from = from;
    m.rcpt = rcpt;
    m.rcpt_count = a.nrcpt;
    m.mail = &a.params; /* filled when the EHLO reply is in (on_reply) */
    m.read = read_chunk;
    rc = mw_smtp_client_send_message(&client, &m);
    if (rc != MW_OK) {
        mw_error e;
        mw_smtp_client_error(&client, &e);
        fprintf(stderr, "mailsend: %s (%s)\n", e.reason ? e.reason : "",
                mw_strerror(rc));
        return EX_USAGE;
    }

    a.fd = ex_connect("mailsend", host, port, IO_TIMEOUT);
    if (a.fd < 0)
        return EX_NETWORK;
    if (a.verbose)
        fprintf(stderr, "mailsend: connected to %s port %s\n", host, port);

    /* The loop: the machine says what it waits for. */
    for (;;) {
        unsigned want = mw_smtp_client_want(&client);
        size_t off = 0;
        long n;
        if (want & MW_SMTP_CLIENT_WANT_CLOSED)
            break;
        if (want & MW_SMTP_CLIENT_WANT_TLS) {
#ifdef MS_HAVE_TLS
            if (tls_start(&a) != 0) {
                a.net_error = EPROTO;
                break;
            }
            /* forgets the capabilities and sends EHLO again (RFC 3207 §4.2) */
            if (mw_smtp_client_tls_done(&client) < 0)
                break;
            continue;
#else
            break;
#endif
        }
        n = net_read(&a, in, sizeof in);
        if (n <= 0) {
            if (n < 0)
                a.net_error = errno ? errno : EIO;
            mw_smtp_client_eof(&client);
            break;
        }
        while (off < (size_t)n) {
            size_t used = 0;
            rc = mw_smtp_client_feed(&client, in + off, (size_t)n - off, &used);
            off += used;
            if (rc != MW_OK && rc != MW_PAUSED)
                break;
        }
        if (rc < 0 || rc == MW_DONE)
            break;
    }

    /* What happened. */
#ifdef MS_HAVE_TLS
    if (a.tls != NULL) {
        SSL_shutdown(a.tls);
        SSL_free(a.tls);
    }
    if (a.tls_ctx != NULL)
        SSL_CTX_free(a.tls_ctx);
#endif
    close(a.fd);
    if (!a.done) {
        mw_error e;
        mw_smtp_client_error(&client, &e);
        fprintf(stderr, "mailsend: the session ended before the message was "
                        "settled%s%s%s%s\n",
                a.net_error ? ": " : "", a.net_error ? strerror(a.net_error) : "",
                e.code != MW_OK ? ": " : "",
                e.code != MW_OK && e.reason != NULL ? e.reason : "");
        return EX_NETWORK;
    }
    if (a.result.status == MW_OK) {
        if (a.verbose)
            fprintf(stderr, "mailsend: accepted for %lu recipient%s\n",
                    (unsigned long)a.result.delivered,
                    a.result.delivered == 1 ? "" : "s");
        if (a.result.rcpt_rejected > 0) {
            fprintf(stderr, "mailsend: %lu of %lu recipients refused\n",
                    (unsigned long)a.result.rcpt_rejected,
                    (unsigned long)a.nrcpt);
            return EX_PARTIAL;
        }
        return EX_SENT;
    }
    if (a.result.code != 0 && a.refusal[0] != '\0')
        fprintf(stderr, "mailsend: not sent: %s (%s)\n", a.result.reason,
                a.refusal);
    else
        fprintf(stderr, "mailsend: not sent: %s\n", a.result.reason);
    if (a.result.status == MW_E_CLOSED || a.net_error)
        return EX_NETWORK;
    return EX_REFUSED;
}
