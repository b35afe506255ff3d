/* SPDX-License-Identifier: MIT */
/*
 * imap_append_peer: the IMAP client machine's APPEND, MULTIAPPEND
 * (RFC 3502) and CATENATE (RFC 4469) against a real server
 * (tests/interop/imap_catenate_dovecot.py runs it against Dovecot).
 *
 * usage: imap_append_peer [-v] [--sync] [--orig FILE] HOST PORT USER PASS
 *
 *   -v      trace what is sent and every status response on stderr
 *   --sync  MW_IMAP_CLIENT_NO_LITERAL_PLUS: every literal waits for "+";
 *           without it the server must offer LITERAL+ and it is used
 *   --orig  the bytes the server must return for message 1 of INBOX
 *
 * The session, one command at a time (each waits for its tagged answer):
 *
 *   LOGIN, [CAPABILITY], SELECT INBOX (UIDVALIDITY)
 *   FETCH 1 (UID BODY.PEEK[]), UID FETCH u (BODY.PEEK[HEADER]), (TEXT)
 *   a. APPEND INBOX (\Seen) {m1}
 *   b. APPEND INBOX {m2} CATENATE (TEXT {t1} URL "/INBOX;..;UID=u"
 *      TEXT {t2}) CATENATE (TEXT {t3} URL "..;SECTION=HEADER"
 *      URL "..;SECTION=TEXT")                      one MULTIAPPEND
 *   c. CATENATE (URL "<no such UID>" TEXT {3}), CATENATE (TEXT {t1}
 *      URL "<no such mailbox>"): NO [BADURL ...], then NOOP
 *   d. UID FETCH n (BODY.PEEK[]) of each APPENDUID, byte for byte
 *   LOGOUT
 *
 * Exit status 0 when everything matched, 1 with a message otherwise, 2
 * for a usage error. Every read is bounded by a socket timeout and every
 * wait by a number of reads: it never hangs.
 */
#define _POSIX_C_SOURCE 200809L

#include <mailwire/mailwire.h>

#include "connect.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROG "imap_append_peer"
#define TIMEOUT 30      /* seconds per socket read or write */
#define MAX_READS 20000 /* reads per wait */

typedef struct peer {
    int fd;
    int verbose;
    mw_imap_client c;
    char frame[MW_IMAP_CLIENT_BUF_SIZE];
    char cmdbuf[4096];
    unsigned char arena[16384];
    int greeted;
    uint32_t uidvalidity;
    /* the command awaited: its tagged answer */
    uint32_t handle;
    int done;
    int result;
    int code;
    uint32_t code_num;
    char code_arg[512];
    char code_set[128];
    /* literals */
    unsigned literals; /* literal_ready calls */
    /* FETCH: the body sections and UID of the answer */
    char *body;
    size_t blen, bcap;
    int nbodies;
    uint32_t fetch_uid;
} peer;

static void die(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, PROG ": FAIL: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* ==================================================================== */
/* Callbacks */

static int on_send(mw_imap_client *c, void *user, const char *p, size_t n)
{
    peer *r = user;
    size_t off = 0;
    (void)c;
    if (r->verbose)
        fprintf(stderr, "C: %.*s%s", (int)n, p,
                n > 0 && p[n - 1] == '\n' ? "" : "\n");
    while (off < n) {
        ssize_t k = write(r->fd, p + off, n - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        off += (size_t)k;
    }
    return 0;
}

static const char *result_name(int result)
{
    switch (result) {
    case MW_IMAP_OK: return "OK";
    case MW_IMAP_NO: return "NO";
    case MW_IMAP_BAD: return "BAD";
    case MW_IMAP_BYE: return "BYE";
    default: return "PREAUTH";
    }
}

static void copy_span(char *dst, size_t cap, mw_span s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    if (n > 0)
        memcpy(dst, s.ptr, n);
    dst[n] = '\0';
}

static int on_status(mw_imap_client *c, void *user, const mw_imap_status *st)
{
    peer *r = user;
    (void)c;
    if (r->verbose)
        fprintf(stderr, "S: %.*s %s %s%.*s%s%.*s%s%.*s\n",
                st->tag.len ? (int)st->tag.len : 1,
                st->tag.len ? st->tag.ptr : "*", result_name(st->result),
                st->code.name.len ? "[" : "", (int)st->code.name.len,
                st->code.name.ptr, st->code.arg.len ? " " : "",
                (int)st->code.arg.len, st->code.arg.ptr,
                st->code.name.len ? "] " : "", (int)st->text.len,
                st->text.ptr);
    if (st->greeting) {
        r->greeted = st->result == MW_IMAP_OK ? 1 : -1;
        return 0;
    }
    if (st->untagged) {
        if (st->code.id == MW_IMAP_CODE_UIDVALIDITY)
            r->uidvalidity = st->code.num;
        return 0;
    }
    if (st->handle == r->handle) {
        r->done = 1;
        r->result = st->result;
        r->code = st->code.id;
        r->code_num = st->code.num;
        copy_span(r->code_arg, sizeof r->code_arg, st->code.arg);
        copy_span(r->code_set, sizeof r->code_set, st->code.set.text);
    }
    return 0;
}

static int on_literal(mw_imap_client *c, void *user, uint32_t handle,
                      uint64_t size)
{
    peer *r = user;
    (void)c;
    (void)handle;
    (void)size;
    r->literals++;
    return 0;
}

static int on_fetch_item(mw_imap_client *c, void *user,
                         const mw_imap_fetch_item *it)
{
    peer *r = user;
    (void)c;
    if (it->id == MW_IMAP_FETCH_UID)
        r->fetch_uid = (uint32_t)it->num;
    return 0;
}

static int on_body_begin(mw_imap_client *c, void *user,
                         const mw_imap_body_section *s)
{
    peer *r = user;
    (void)c;
    (void)s;
    r->nbodies++;
    r->blen = 0;
    return 0;
}

static int on_body_data(mw_imap_client *c, void *user, const char *p, size_t n)
{
    peer *r = user;
    (void)c;
    if (r->blen + n > r->bcap) {
        size_t cap = (r->blen + n) * 2;
        char *q = realloc(r->body, cap);
        if (q == NULL)
            return -1;
        r->body = q;
        r->bcap = cap;
    }
    memcpy(r->body + r->blen, p, n);
    r->blen += n;
    return 0;
}

static int on_error(mw_imap_client *c, void *user, int status, size_t offset,
                    const char *reason)
{
    (void)c;
    (void)user;
    fprintf(stderr, PROG ": %s (%s at byte %lu)\n", reason,
            mw_status_name(status), (unsigned long)offset);
    return 0;
}

/* ==================================================================== */
/* Waiting */

typedef int (*cond_fn)(peer *r);

static int greeted(peer *r) { return r->greeted != 0; }
static int answered(peer *r) { return r->done; }
static int closed(peer *r)
{
    return (mw_imap_client_want(&r->c) & MW_IMAP_CLIENT_WANT_CLOSED) != 0;
}
static int literal_or_answer(peer *r)
{
    return r->done ||
           (mw_imap_client_want(&r->c) & MW_IMAP_CLIENT_WANT_LITERAL) != 0;
}

/* Read and feed until `cond` holds (bounded: MAX_READS reads, each under
 * the socket timeout). */
static void pump(peer *r, cond_fn cond, const char *what)
{
    static char in[65536];
    int i;
    for (i = 0; i < MAX_READS && !cond(r); i++) {
        size_t off = 0;
        ssize_t n = read(r->fd, in, sizeof in);
        int rc = MW_OK;
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            mw_imap_client_eof(&r->c);
            if (cond(r))
                return;
            die("waiting for %s: %s", what,
                n == 0 ? "the server closed the connection"
                       : "no answer (socket timeout)");
        }
        while (off < (size_t)n) {
            size_t used = 0;
            rc = mw_imap_client_feed(&r->c, in + off, (size_t)n - off, &used);
            off += used;
            if (rc != MW_PAUSED)
                break;
        }
        if (rc < 0)
            die("waiting for %s: the session failed (%s)", what,
                mw_status_name(rc));
        if (rc == MW_DONE && !cond(r))
            die("waiting for %s: the session ended", what);
    }
    if (!cond(r))
        die("waiting for %s: no answer after %d reads", what, MAX_READS);
}

/* Before a command: forget the last answer. */
static void expect(peer *r)
{
    r->done = 0;
    r->handle = 0;
    r->code = 0;
    r->code_arg[0] = r->code_set[0] = '\0';
}

static void sent(int rc, const char *what)
{
    if (rc != MW_OK)
        die("%s: the client refused to send it (%s)", what,
            mw_status_name(rc));
}

/* Wait for the tagged answer and require OK. */
static void wait_ok(peer *r, const char *what)
{
    pump(r, answered, what);
    if (r->result != MW_IMAP_OK)
        die("%s: %s [%s %s]", what, result_name(r->result),
            mw_imap_code_name(r->code), r->code_arg);
}

/* A literal opened (message or TEXT part): wait for its "+" (or LITERAL+:
 * at once), then write it in two chunks. */
static void literal(peer *r, const char *p, size_t n, const char *what)
{
    pump(r, literal_or_answer, what);
    if (r->done)
        die("%s: the server answered %s [%s %s] instead of \"+\"", what,
            result_name(r->result), mw_imap_code_name(r->code),
            r->code_arg);
    sent(mw_imap_client_append_data(&r->c, p, n / 2), what);
    sent(mw_imap_client_append_data(&r->c, p + n / 2, n - n / 2), what);
    if (mw_imap_client_want(&r->c) & MW_IMAP_CLIENT_WANT_LITERAL)
        die("%s: the client wants more data than the literal's size", what);
}

/* [UID] FETCH set (UID BODY.PEEK[text]): the body into r->body. */
static void fetch(peer *r, int uid, uint32_t num, int text, const char *what)
{
    char ib[128], sbuf[16];
    mw_imap_items items;
    mw_imap_section sec;
    mw_imap_seqbuf sb;
    mw_imap_seqset set;
    mw_imap_fetch_params fp;
    mw_imap_seqbuf_init(&sb, sbuf, sizeof sbuf);
    mw_imap_seqbuf_num(&sb, num);
    mw_imap_items_init(&items, ib, sizeof ib);
    mw_imap_items_add(&items, MW_IMAP_ITEM_UID);
    memset(&sec, 0, sizeof sec);
    sec.item = MW_IMAP_SECT_BODY_PEEK;
    sec.text = text;
    mw_imap_items_section(&items, &sec);
    memset(&fp, 0, sizeof fp);
    fp.uid = uid;
    r->nbodies = 0;
    r->blen = 0;
    r->fetch_uid = 0;
    expect(r);
    sent(mw_imap_seqbuf_get(&sb, &set), what);
    sent(mw_imap_client_fetch(&r->c, &set, &items, &fp, &r->handle), what);
    wait_ok(r, what);
    if (r->nbodies != 1)
        die("%s: %d body sections in the answer, expected 1", what,
            r->nbodies);
    if (uid && r->fetch_uid != num)
        die("%s: the answer is for UID %lu", what,
            (unsigned long)r->fetch_uid);
}

static void same(peer *r, const char *want, size_t wlen, const char *what)
{
    size_t i;
    if (r->blen == wlen && memcmp(r->body, want, wlen) == 0)
        return;
    for (i = 0; i < wlen && i < r->blen && r->body[i] == want[i]; i++)
        ;
    die("%s: %lu bytes from the server, %lu expected, first difference at "
        "byte %lu:\n  got:  %.60s\n  want: %.60s", what,
        (unsigned long)r->blen, (unsigned long)wlen, (unsigned long)i,
        i < r->blen ? r->body + i : "", i < wlen ? want + i : "");
}

/* The UIDs of an APPENDUID uid-set ("7", "7:9", "7,9"), exactly `n`. */
static void appenduid(peer *r, uint32_t *uids, size_t n, const char *what)
{
    const char *p = r->code_set;
    size_t k = 0;
    if (r->code != MW_IMAP_CODE_APPENDUID)
        die("%s: no APPENDUID in the OK (code %s)", what,
            mw_imap_code_name(r->code));
    if (r->code_num != r->uidvalidity)
        die("%s: APPENDUID's UIDVALIDITY %lu is not the mailbox's %lu", what,
            (unsigned long)r->code_num, (unsigned long)r->uidvalidity);
    while (*p != '\0') {
        char *end;
        unsigned long lo = strtoul(p, &end, 10), hi = lo;
        if (end == p)
            break;
        p = end;
        if (*p == ':') {
            hi = strtoul(p + 1, &end, 10);
            p = end;
        }
        for (; lo <= hi && k < n; lo++)
            uids[k++] = (uint32_t)lo;
        if (lo <= hi)
            k = n + 1;
        if (*p == ',')
            p++;
        else
            break;
    }
    if (k != n || *p != '\0')
        die("%s: APPENDUID set \"%s\" is not %lu UIDs", what, r->code_set,
            (unsigned long)n);
}

static char *dup_body(peer *r, size_t *len)
{
    char *p = malloc(r->blen + 1);
    if (p == NULL)
        die("out of memory");
    memcpy(p, r->body, r->blen);
    *len = r->blen;
    return p;
}

static char *cat3(const char *a, size_t na, const char *b, size_t nb,
                  const char *c, size_t nc, size_t *len)
{
    char *p = malloc(na + nb + nc + 1);
    if (p == NULL)
        die("out of memory");
    memcpy(p, a, na);
    memcpy(p + na, b, nb);
    memcpy(p + na + nb, c, nc);
    *len = na + nb + nc;
    return p;
}

/* ==================================================================== */
/* The messages */

static const char M1[] =
    "From: Peer <peer@example.org>\r\n"
    "To: Demo <demo@example.org>\r\n"
    "Subject: mailwire APPEND\r\n"
    "Message-ID: <append-1@mailwire.example>\r\n"
    "\r\n"
    "a plain message\r\n"
    ".\r\n"
    "..dots\r\n";

static const char M2[] =
    "From: Peer <peer@example.org>\r\n"
    "To: Demo <demo@example.org>\r\n"
    "Subject: mailwire MULTIAPPEND first\r\n"
    "\r\n"
    "the first message of a MULTIAPPEND\r\n";

/* RFC 4469 §5's example shape: a multipart around a forwarded message */
static const char T1[] =
    "From: Peer <peer@example.org>\r\n"
    "To: Demo <demo@example.org>\r\n"
    "Subject: mailwire CATENATE\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"mw-cat\"\r\n"
    "\r\n"
    "--mw-cat\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "the forwarded message follows\r\n"
    "--mw-cat\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n";
static const char T2[] = "\r\n--mw-cat--\r\n";
static const char T3[] = "X-Catenated: header and text by URL\r\n";

#define S_(lit) (lit), (sizeof(lit) - 1)

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    size_t cap = 0, n = 0;
    if (f == NULL)
        die("%s: %s", path, strerror(errno));
    for (;;) {
        size_t k;
        if (n == cap) {
            char *q = realloc(p, cap = cap ? cap * 2 : 65536);
            if (q == NULL)
                die("out of memory");
            p = q;
        }
        k = fread(p + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    fclose(f);
    *len = n;
    return p;
}

int main(int argc, char **argv)
{
    static peer run;
    peer *r = &run;
    mw_imap_client_config cfg;
    mw_imap_client_callbacks cb;
    mw_imap_append_msg m;
    mw_imap_flag_set seen, flagged;
    const mw_imap_caps *caps;
    const char *orig_path = NULL;
    char url[128], url_head[160], url_text[160], bad1[128], bad2[128];
    char *whole, *head, *text, *want;
    size_t lwhole, lhead, ltext, lwant;
    char multi_set[sizeof r->code_set];
    uint32_t src_uid, uid1, uids[3];
    int sync = 0, i, rc;

    memset(r, 0, sizeof *r);
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-v") == 0)
            r->verbose = 1;
        else if (strcmp(argv[i], "--sync") == 0)
            sync = 1;
        else if (strcmp(argv[i], "--orig") == 0 && i + 1 < argc)
            orig_path = argv[++i];
        else
            break;
    }
    if (argc - i != 4) {
        fprintf(stderr, "usage: " PROG
                " [-v] [--sync] [--orig FILE] HOST PORT USER PASS\n");
        return 2;
    }
    r->fd = ex_connect(PROG, argv[i], argv[i + 1], TIMEOUT);
    if (r->fd < 0)
        return 1;

    mw_imap_client_config_init(&cfg);
    cfg.arena = r->arena;
    cfg.arena_len = sizeof r->arena;
    cfg.cmdbuf = r->cmdbuf;
    cfg.cmdbuf_len = sizeof r->cmdbuf;
    cfg.tag_prefix = "cat";
    if (sync)
        cfg.flags |= MW_IMAP_CLIENT_NO_LITERAL_PLUS;
    memset(&cb, 0, sizeof cb);
    cb.send = on_send;
    cb.status = on_status;
    cb.literal_ready = on_literal;
    cb.fetch_item = on_fetch_item;
    cb.body_begin = on_body_begin;
    cb.body_data = on_body_data;
    cb.error = on_error;
    if (mw_imap_client_init(&r->c, &cfg, &cb, r, r->frame, sizeof r->frame) !=
        MW_OK)
        die("mw_imap_client_init");

    pump(r, greeted, "the greeting");
    if (r->greeted != 1)
        die("the server refused the session");
    expect(r);
    sent(mw_imap_client_login(&r->c, argv[i + 2], strlen(argv[i + 2]),
                              argv[i + 3], strlen(argv[i + 3]), &r->handle),
         "LOGIN");
    wait_ok(r, "LOGIN");
    caps = mw_imap_client_caps(&r->c);
    if (!(caps->bits & MW_IMAP_CAP_CATENATE)) {
        /* the capabilities after LOGIN, when the OK did not carry them */
        expect(r);
        sent(mw_imap_client_capability(&r->c, &r->handle), "CAPABILITY");
        wait_ok(r, "CAPABILITY");
        caps = mw_imap_client_caps(&r->c);
    }
    if (!(caps->bits & MW_IMAP_CAP_CATENATE))
        die("the server does not advertise CATENATE");
    if (!(caps->bits & MW_IMAP_CAP_MULTIAPPEND))
        die("the server does not advertise MULTIAPPEND");
    if (!(caps->bits & MW_IMAP_CAP_UIDPLUS))
        die("the server does not advertise UIDPLUS (APPENDUID)");
    if (!sync && !(caps->bits & MW_IMAP_CAP_LITERAL_PLUS))
        die("the server does not offer LITERAL+ (run with --sync)");

    expect(r);
    sent(mw_imap_client_select(&r->c, S_("INBOX"), NULL, &r->handle),
         "SELECT");
    wait_ok(r, "SELECT INBOX");
    if (r->uidvalidity == 0)
        die("SELECT INBOX: no UIDVALIDITY");

    /* the message the URLs reference, and its parts */
    fetch(r, 0, 1, MW_IMAP_SECT_ALL, "FETCH 1 (UID BODY.PEEK[])");
    src_uid = r->fetch_uid;
    if (src_uid == 0)
        die("FETCH 1: no UID");
    whole = dup_body(r, &lwhole);
    if (orig_path != NULL) {
        size_t lorig;
        char *orig = read_file(orig_path, &lorig);
        same(r, orig, lorig, "message 1 against --orig");
        free(orig);
    }
    fetch(r, 1, src_uid, MW_IMAP_SECT_HEADER, "UID FETCH (BODY.PEEK[HEADER])");
    head = dup_body(r, &lhead);
    fetch(r, 1, src_uid, MW_IMAP_SECT_TEXT, "UID FETCH (BODY.PEEK[TEXT])");
    text = dup_body(r, &ltext);
    if (lhead + ltext != lwhole || memcmp(head, whole, lhead) != 0 ||
        memcmp(text, whole + lhead, ltext) != 0)
        die("HEADER + TEXT is not BODY[] for UID %lu", (unsigned long)src_uid);

    snprintf(url, sizeof url, "/INBOX;UIDVALIDITY=%lu/;UID=%lu",
             (unsigned long)r->uidvalidity, (unsigned long)src_uid);
    snprintf(url_head, sizeof url_head, "%s/;SECTION=HEADER", url);
    snprintf(url_text, sizeof url_text, "%s/;SECTION=TEXT", url);
    snprintf(bad1, sizeof bad1, "/INBOX;UIDVALIDITY=%lu/;UID=4000000000",
             (unsigned long)r->uidvalidity);
    snprintf(bad2, sizeof bad2, "/NoSuchMailbox;UIDVALIDITY=1/;UID=1");

    /* a. APPEND INBOX (\Seen) {m1} */
    memset(&seen, 0, sizeof seen);
    seen.system = MW_IMAP_FLAG_SEEN;
    memset(&m, 0, sizeof m);
    m.flags = &seen;
    m.size = sizeof M1 - 1;
    expect(r);
    sent(mw_imap_client_append(&r->c, S_("INBOX"), &m, &r->handle), "APPEND");
    literal(r, S_(M1), "APPEND");
    sent(mw_imap_client_append_end(&r->c), "APPEND end");
    wait_ok(r, "APPEND");
    appenduid(r, &uid1, 1, "APPEND");

    /* b. MULTIAPPEND: a plain message and two CATENATE messages */
    memset(&m, 0, sizeof m);
    m.size = sizeof M2 - 1;
    expect(r);
    sent(mw_imap_client_append(&r->c, S_("INBOX"), &m, &r->handle),
         "MULTIAPPEND");
    literal(r, S_(M2), "MULTIAPPEND message 1");
    sent(mw_imap_client_catenate_next(&r->c, NULL, NULL), "CATENATE 1");
    sent(mw_imap_client_catenate_text(&r->c, sizeof T1 - 1), "TEXT 1");
    literal(r, S_(T1), "CATENATE TEXT 1");
    sent(mw_imap_client_catenate_url(&r->c, url, strlen(url)), "URL");
    sent(mw_imap_client_catenate_text(&r->c, sizeof T2 - 1), "TEXT 2");
    literal(r, S_(T2), "CATENATE TEXT 2");
    memset(&flagged, 0, sizeof flagged);
    flagged.system = MW_IMAP_FLAG_FLAGGED;
    sent(mw_imap_client_catenate_next(&r->c, &flagged, NULL), "CATENATE 2");
    sent(mw_imap_client_catenate_text(&r->c, sizeof T3 - 1), "TEXT 3");
    literal(r, S_(T3), "CATENATE TEXT 3");
    sent(mw_imap_client_catenate_url(&r->c, url_head, strlen(url_head)),
         "URL HEADER");
    sent(mw_imap_client_catenate_url(&r->c, url_text, strlen(url_text)),
         "URL TEXT");
    sent(mw_imap_client_append_end(&r->c), "MULTIAPPEND end");
    wait_ok(r, "MULTIAPPEND with CATENATE");
    appenduid(r, uids, 3, "MULTIAPPEND");
    memcpy(multi_set, r->code_set, sizeof multi_set);

    /* c. URLs the server cannot use: NO [BADURL], the session goes on.
     * First a bad URL with a TEXT part behind it (synchronising: the NO
     * comes instead of the "+"), then a TEXT part and a bad URL last. */
    expect(r);
    sent(mw_imap_client_catenate(&r->c, S_("INBOX"), NULL, NULL, &r->handle),
         "CATENATE bad URL");
    sent(mw_imap_client_catenate_url(&r->c, bad1, strlen(bad1)), "bad URL");
    sent(mw_imap_client_catenate_text(&r->c, 3), "TEXT after a bad URL");
    pump(r, literal_or_answer, "the bad URL's answer or the TEXT's \"+\"");
    if (!r->done) {
        sent(mw_imap_client_append_data(&r->c, "abc", 3), "TEXT data");
        rc = mw_imap_client_append_end(&r->c);
        if (rc != MW_OK && !(rc == MW_E_STATE && r->done))
            die("CATENATE bad URL: append_end: %s", mw_status_name(rc));
    } else if (mw_imap_client_append_end(&r->c) != MW_E_STATE) {
        die("append_end after the APPEND's answer was not MW_E_STATE");
    }
    pump(r, answered, "CATENATE with a bad URL");
    if (r->result != MW_IMAP_NO || r->code != MW_IMAP_CODE_BADURL)
        die("CATENATE %s: %s [%s %s], expected NO [BADURL]", bad1,
            result_name(r->result), mw_imap_code_name(r->code), r->code_arg);
    if (strstr(r->code_arg, "UID=4000000000") == NULL)
        die("BADURL names \"%s\", not the URL sent", r->code_arg);
    printf("BADURL 1: %s\n", r->code_arg);
    expect(r);
    sent(mw_imap_client_noop(&r->c, &r->handle), "NOOP");
    wait_ok(r, "NOOP after BADURL");

    expect(r);
    sent(mw_imap_client_catenate(&r->c, S_("INBOX"), NULL, NULL, &r->handle),
         "CATENATE bad mailbox");
    sent(mw_imap_client_catenate_text(&r->c, sizeof T1 - 1), "TEXT");
    literal(r, S_(T1), "CATENATE TEXT before a bad URL");
    rc = mw_imap_client_catenate_url(&r->c, bad2, strlen(bad2));
    if (rc == MW_OK)
        rc = mw_imap_client_append_end(&r->c);
    if (rc != MW_OK && !(rc == MW_E_STATE && r->done))
        die("CATENATE bad mailbox: %s", mw_status_name(rc));
    pump(r, answered, "CATENATE with a URL of a missing mailbox");
    if (r->result != MW_IMAP_NO || r->code != MW_IMAP_CODE_BADURL)
        die("CATENATE %s: %s [%s %s], expected NO [BADURL]", bad2,
            result_name(r->result), mw_imap_code_name(r->code), r->code_arg);
    printf("BADURL 2: %s\n", r->code_arg);
    expect(r);
    sent(mw_imap_client_noop(&r->c, &r->handle), "NOOP");
    wait_ok(r, "NOOP after the second BADURL");

    /* d. what the server stored, byte for byte */
    fetch(r, 1, uid1, MW_IMAP_SECT_ALL, "UID FETCH the APPENDed message");
    same(r, S_(M1), "APPEND");
    fetch(r, 1, uids[0], MW_IMAP_SECT_ALL, "UID FETCH MULTIAPPEND 1");
    same(r, S_(M2), "MULTIAPPEND message 1");
    want = cat3(T1, sizeof T1 - 1, whole, lwhole, T2, sizeof T2 - 1, &lwant);
    fetch(r, 1, uids[1], MW_IMAP_SECT_ALL, "UID FETCH CATENATE 1");
    same(r, want, lwant, "CATENATE TEXT + URL + TEXT");
    free(want);
    want = cat3(T3, sizeof T3 - 1, head, lhead, text, ltext, &lwant);
    fetch(r, 1, uids[2], MW_IMAP_SECT_ALL, "UID FETCH CATENATE 2");
    same(r, want, lwant, "CATENATE TEXT + URL HEADER + URL TEXT");
    free(want);

    expect(r);
    sent(mw_imap_client_logout(&r->c, &r->handle), "LOGOUT");
    pump(r, closed, "LOGOUT");
    close(r->fd);
    printf("OK: %s literals (%u literal_ready), APPENDUID %lu and %s, "
           "source UID %lu (%lu bytes)\n",
           sync ? "synchronising" : "LITERAL+", r->literals,
           (unsigned long)uid1, multi_set,
           (unsigned long)src_uid, (unsigned long)lwhole);
    free(whole);
    free(head);
    free(text);
    free(r->body);
    return 0;
}
