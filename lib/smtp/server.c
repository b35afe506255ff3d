/* SPDX-License-Identifier: MIT */
/*
 * The SMTP/LMTP server machine (include/mailwire/smtp_server.h): commands
 * of RFC 5321 §4.1 and the extensions read from the line framer
 * (lib/core/line.c), checked against the grammar (lib/smtp/grammar.c) and
 * the session state, handed to the application one at a time; replies
 * formatted here; DATA read through the dot-unstuffer (lib/core/dot.c),
 * BDAT chunks by count (RFC 3030).
 *
 * Order of replies (RFC 2920 §3) comes for free: after handing over a
 * command the machine reads nothing more until that command is answered.
 * The machine answers by itself everything that is protocol rather than
 * policy: syntax (501), sequence (503), unknown commands and over-long
 * lines (500), limits (452, 552) and the cancellation of an AUTH exchange.
 */
#include "core/framing.h"
#include "smtp/grammar.h"

#include "mailwire/codec.h"
#include "mailwire/smtp_server.h"

/* ---- states (mw_smtp_server.state) ---- */
enum {
    ST_INIT = 0, /* not started */
    ST_CMD,      /* reading command lines */
    ST_REPLY,    /* the application owes a reply (pending) */
    ST_DATA,     /* reading a DATA body */
    ST_BDAT,     /* reading a BDAT chunk */
    ST_AUTH,     /* reading a SASL response line */
    ST_TLS,      /* STARTTLS accepted: discarding until tls_done */
    ST_CLOSED,   /* the session is over */
    ST_DEAD      /* a callback failed */
};

/* Pending replies besides the verbs (mw_smtp_server.pending). */
#define P_NONE 0u
#define P_DATA_END 100u /* the end of a message (DATA or BDAT LAST) */
#define P_SASL 101u     /* a SASL response */

/* ---- session flags (mw_smtp_server.sflags) ---- */
#define SF_GREETED 0x001u /* HELO, EHLO or LHLO accepted */
#define SF_EHLO 0x002u    /* ... and it was EHLO or LHLO */
#define SF_MAIL 0x004u    /* a transaction is open */
#define SF_UTF8 0x008u    /* MAIL had SMTPUTF8 */
#define SF_AUTHED 0x010u  /* AUTH succeeded */
#define SF_TLS 0x020u     /* under TLS */
#define SF_REFUSED 0x040u /* 554 greeting: only QUIT is served */
#define SF_BDAT 0x080u    /* BDAT used in this transaction */
#define SF_CLOSING 0x100u /* the session closed during this feed */
#define SF_TLS_CUT 0x200u /* STARTTLS accepted during this feed: the rest
                             of its input is plaintext, even if the
                             handshake is done before feed returns */

/* ---- BDAT chunk fates (mw_smtp_server.bdat_mode) ---- */
#define BD_TAKE 0u    /* part of the message */
#define BD_NOMAIL 1u  /* no transaction: 503 after the chunk */
#define BD_NORCPT 2u  /* no recipients: 554 (LMTP 503) after the chunk */

static const char crlf[] = "\r\n";

#if MW_ENABLE_SMTP_CHUNKING
static int bdat_step(mw_smtp_server *s, const char *in, size_t len,
                     size_t *used);
#endif

/* ====================================================================
 * Replies
 * ==================================================================== */

/* The reply line being built (on the stack: the context stays small). */
typedef struct rline {
    char b[MW_SMTP_MAX_REPLY_LINE];
    size_t n;
    int over;
} rline;

static void rl_add(rline *r, const char *p, size_t n)
{
    if (n > sizeof(r->b) - 2u - r->n) {
        r->over = 1;
        return;
    }
    memcpy(r->b + r->n, p, n);
    r->n += n;
}

static void rl_begin(rline *r, unsigned code, char sep)
{
    r->b[0] = (char)('0' + code / 100);
    r->b[1] = (char)('0' + code / 10 % 10);
    r->b[2] = (char)('0' + code % 10);
    r->b[3] = sep;
    r->n = 4;
    r->over = 0;
}


static int dead(mw_smtp_server *s)
{
    s->state = ST_DEAD;
    s->fatal = MW_E_CALLBACK;
    return MW_E_CALLBACK;
}

/* Hand a finished line to `send`. A line that does not fit is refused
 * before anything is sent. */
static int rl_send(mw_smtp_server *s, rline *r)
{
    if (r->over)
        return MW_E_TOO_LONG;
    if (r->n == 4 && r->b[3] == ' ')
        r->n = 3; /* "250" alone: no trailing space */
    memcpy(r->b + r->n, crlf, 2);
    r->n += 2;
    if (s->cb.send(s, s->user, r->b, r->n) < 0)
        return dead(s);
    return MW_OK;
}

/* Enhanced status codes go on this reply (RFC 2034 §3: every 2xx, 4xx and
 * 5xx reply once the client used EHLO, except to HELO/EHLO itself). */
static int esc_on(const mw_smtp_server *s, unsigned code)
{
    return (s->ext & MW_SMTP_EXT_ENHANCEDSTATUSCODES) &&
           (s->sflags & SF_EHLO) && code / 100 != 3 &&
           s->pending != MW_SMTP_CMD_EHLO && s->pending != MW_SMTP_CMD_LHLO &&
           s->pending != MW_SMTP_CMD_HELO;
}

/* A reply line the machine writes: code, enhanced code (used when on),
 * text. */
static int mreply(mw_smtp_server *s, unsigned code, char sep, const char *esc,
                  const char *text)
{
    rline r;
    rl_begin(&r, code, sep);
    if (esc != NULL && esc_on(s, code)) {
        rl_add(&r, esc, strlen(esc));
        rl_add(&r, " ", 1);
    }
    rl_add(&r, text, strlen(text));
    return rl_send(s, &r);
}

/* Report an error to the application (after it has been answered). */
static int report_(mw_smtp_server *s, int status, size_t offset,
                   const char *reason)
{
    s->err_code = status;
    s->err_offset = offset;
    s->err_reason = reason;
    if (s->cb.error != NULL) {
        int r = s->cb.error(s, s->user, status, offset, reason);
        if (r < 0)
            return dead(s);
        if (r == MW_PAUSED)
            s->paused = 1;
    }
    return MW_OK;
}
#define report(a, b, c, d) report_((a), (b), (c), MW__TEXT(d))

static void close_session(mw_smtp_server *s)
{
    s->state = ST_CLOSED;
    s->sflags |= SF_CLOSING;
}

/* A command the machine refuses: the reply, the bad-command count (over
 * the limit: 421 and close), the report. */
static int refuse_(mw_smtp_server *s, unsigned code, const char *esc,
                   const char *text, int bad, int status, size_t offset,
                   const char *reason)
{
    int r;
    if (bad && ++s->bad > s->max_bad) {
        rline l;
        rl_begin(&l, 421, ' ');
        if (esc_on(s, 421))
            rl_add(&l, "4.7.0 ", 6);
        rl_add(&l, s->hostname, strlen(s->hostname));
        rl_add(&l, " Too many errors, closing connection", 36);
        if ((r = rl_send(s, &l)) != MW_OK)
            return r;
        close_session(s);
        return report(s, MW_E_LIMIT, offset, "too many bad commands");
    }
    if ((r = mreply(s, code, ' ', esc, text)) != MW_OK)
        return r;
    return report(s, status, offset, reason);
}
#define refuse(a, b, c, d, e, f, g, h) refuse_((a), (b), (c), (d), (e), (f), (g), MW__TEXT(h))

/* ---- the transaction ---- */

static void reset_transaction(mw_smtp_server *s)
{
    s->sflags &= ~(SF_MAIL | SF_UTF8 | SF_BDAT);
    s->rcpts = 0;
    s->body = 0;
    s->msg_size = 0;
    s->doom = 0;
}

/* ====================================================================
 * Setup
 * ==================================================================== */

void mw_smtp_server_config_init(mw_smtp_server_config *cfg)
{
    if (cfg == NULL)
        return;
    memset(cfg, 0, sizeof(*cfg));
    cfg->extensions = MW_SMTP_EXT_PIPELINING | MW_SMTP_EXT_8BITMIME |
                      MW_SMTP_EXT_ENHANCEDSTATUSCODES;
    cfg->hostname = "localhost";
    cfg->auth_mechanisms = "";
    cfg->max_command_line = MW_SMTP_MAX_COMMAND_LINE;
    cfg->max_text_line = MW_SMTP_MAX_TEXT_LINE;
    cfg->max_auth_line = MW_SMTP_SERVER_AUTH_LINE;
    cfg->max_recipients = MW_SMTP_MAX_RECIPIENTS;
    cfg->max_bad_commands = 20;
    cfg->command_newlines = MW_NEWLINE_REJECT;
    cfg->data_newlines = MW_NEWLINE_REJECT;
}

size_t mw_smtp_server_sizeof(void)
{
    return sizeof(mw_smtp_server);
}

/* A CR or LF in a NUL-terminated config text (a loop, not strpbrk(): the
 * embedded build imports only mem* and strlen from the C library). */
static int bad_text(const char *t)
{
    if (t == NULL)
        return 0;
    for (; *t != '\0'; t++)
        if (*t == '\r' || *t == '\n')
            return 1;
    return 0;
}

/* Words of printable ASCII (%d33-126) separated by single spaces, as the
 * ehlo-params of RFC 5321 §4.1.1.1 must be; `first_is_keyword` also asks
 * for an ehlo-keyword first. The EHLO reply is built from these config
 * strings: anything else would make it unreadable to a strict client. */
static int bad_ehlo_words(const char *t, int first_is_keyword)
{
    const char *w = t;
    size_t n;
    if (t == NULL)
        return 0;
    for (;;) {
        for (n = 0; w[n] != '\0' && w[n] != ' '; n++)
            if ((unsigned char)w[n] < 33 || (unsigned char)w[n] > 126)
                return 1;
        if (n == 0)
            return w != t || first_is_keyword || *w != '\0'; /* "" only alone */
        if (w == t && first_is_keyword &&
            mw_smtp_ehlo_keyword_check(w, n, NULL) != MW_OK)
            return 1;
        if (w[n] == '\0')
            return 0;
        w += n + 1;
    }
}

int mw_smtp_server_init(mw_smtp_server *s, const mw_smtp_server_config *cfg,
                        const mw_smtp_server_callbacks *cb, void *user,
                        char *linebuf, size_t linebuf_len)
{
    mw_smtp_server_config def;
    size_t need, auth, maxl;
    const char *const *e;

    if (s == NULL || cb == NULL || cb->send == NULL || linebuf == NULL)
        return MW_E_INVAL;
    if (cfg == NULL) {
        mw_smtp_server_config_init(&def);
        cfg = &def;
    }
    if (cfg->max_command_line < MW_SMTP_MAX_COMMAND_LINE ||
        cfg->max_auth_line < 12 || cfg->max_auth_line > SIZE_MAX / 2u ||
        cfg->max_command_line > SIZE_MAX / 2u ||
        (cfg->command_newlines != MW_NEWLINE_REJECT &&
         cfg->command_newlines != MW_NEWLINE_ACCEPT) ||
        (cfg->data_newlines != MW_NEWLINE_REJECT &&
         cfg->data_newlines != MW_NEWLINE_ACCEPT &&
         cfg->data_newlines != MW_NEWLINE_PASS) ||
        cfg->hostname == NULL || bad_text(cfg->hostname) ||
        strlen(cfg->hostname) > 255 || bad_ehlo_words(cfg->auth_mechanisms, 0) ||
        (cfg->auth_mechanisms != NULL && strlen(cfg->auth_mechanisms) > 400))
        return MW_E_INVAL;
    for (e = cfg->ehlo_lines; e != NULL && *e != NULL; e++)
        if (bad_ehlo_words(*e, 1) || strlen(*e) > MW_SMTP_MAX_REPLY_LINE - 6u)
            return MW_E_INVAL;
    auth = cfg->max_auth_line;
    need = MW_SMTP_SERVER_LINEBUF_FOR(auth);
    if (need < cfg->max_command_line)
        need = cfg->max_command_line;
    if (linebuf_len < need)
        return MW_E_INVAL;

    memset(s, 0, sizeof(*s));
    s->cb = *cb;
    s->user = user;
    s->linebuf = linebuf;
    s->linebuf_len = linebuf_len;
    s->hostname = cfg->hostname;
    s->auth_mechanisms = cfg->auth_mechanisms != NULL ? cfg->auth_mechanisms : "";
    s->ehlo_lines = cfg->ehlo_lines;
    s->max_size = cfg->max_message_size;
    s->max_cmd = cfg->max_command_line - 2u;
    s->max_text = cfg->max_text_line;
    s->max_auth = auth - 2u;
    s->ext = cfg->extensions;
#if !MW_ENABLE_SMTP_CHUNKING
    /* Compiled out (features.h): never offered, so BDAT is refused as an
     * unknown extension's command; BINARYMIME needs it (RFC 3030 §3). */
    s->ext &= ~(unsigned long)(MW_SMTP_EXT_CHUNKING | MW_SMTP_EXT_BINARYMIME);
#endif
    s->max_rcpt = cfg->max_recipients;
    s->max_bad = cfg->max_bad_commands;
    s->flags = cfg->flags;
    s->data_policy = (uint8_t)cfg->data_newlines;
    if (s->flags & MW_SMTP_SERVER_TLS_ACTIVE)
        s->sflags |= SF_TLS;
    maxl = s->max_cmd > s->max_auth ? s->max_cmd : s->max_auth;
    if (mw__line_init(&s->line, linebuf, linebuf_len, maxl,
                      cfg->command_newlines) != MW_OK)
        return MW_E_INVAL;
    s->state = ST_INIT;
    return MW_OK;
}

static int greet(mw_smtp_server *s, unsigned code, const char *text,
                 const char *deftext)
{
    rline r;
    int rc;
    if (s == NULL)
        return MW_E_INVAL;
    if (s->state == ST_DEAD)
        return s->fatal;
    if (s->state != ST_INIT)
        return MW_E_STATE;
    if (bad_text(text))
        return MW_E_INVAL;
    if (text == NULL)
        text = deftext;
    rl_begin(&r, code, ' ');
    rl_add(&r, s->hostname, strlen(s->hostname));
    if (*text != '\0') {
        rl_add(&r, " ", 1);
        rl_add(&r, text, strlen(text));
    }
    if ((rc = rl_send(s, &r)) != MW_OK)
        return rc;
    s->state = ST_CMD;
    return MW_OK;
}

int mw_smtp_server_start(mw_smtp_server *s, const char *text)
{
    return greet(s, 220, text,
                 s != NULL && (s->flags & MW_SMTP_SERVER_LMTP) ? "LMTP" : "ESMTP");
}

int mw_smtp_server_refuse(mw_smtp_server *s, const char *text)
{
    int r = greet(s, 554, text, "No SMTP service here");
    if (r == MW_OK)
        s->sflags |= SF_REFUSED;
    return r;
}

/* ====================================================================
 * Replies from the application
 * ==================================================================== */

/* The extension lines of the EHLO reply, in a fixed order, then the
 * caller's lines. Returns how many there are; fills kw[] and par[]. */
#define MAX_EHLO_LINES 64
typedef struct ehlo_line {
    const char *kw;
    const char *par; /* parameters as text, or NULL */
    int num;         /* parameter is s->max_size / s->max_rcpt */
} ehlo_line;

/* The order of the EHLO lines: Postfix's, which clients have met for
 * decades (the order carries no meaning, RFC 5321 §4.1.1.1). */
static const unsigned long ehlo_order[] = {
    MW_SMTP_EXT_PIPELINING, MW_SMTP_EXT_SIZE, MW_SMTP_EXT_VRFY,
    MW_SMTP_EXT_ETRN, MW_SMTP_EXT_EXPN, MW_SMTP_EXT_STARTTLS,
    MW_SMTP_EXT_AUTH, MW_SMTP_EXT_ENHANCEDSTATUSCODES, MW_SMTP_EXT_8BITMIME,
    MW_SMTP_EXT_DSN, MW_SMTP_EXT_SMTPUTF8, MW_SMTP_EXT_BINARYMIME,
    MW_SMTP_EXT_CHUNKING, MW_SMTP_EXT_REQUIRETLS, MW_SMTP_EXT_MT_PRIORITY,
    MW_SMTP_EXT_DELIVERBY, MW_SMTP_EXT_FUTURERELEASE, MW_SMTP_EXT_RRVS,
    MW_SMTP_EXT_MTRK, MW_SMTP_EXT_BURL, MW_SMTP_EXT_ATRN,
    MW_SMTP_EXT_NO_SOLICITING, MW_SMTP_EXT_CONPERM, MW_SMTP_EXT_CONNEG,
    MW_SMTP_EXT_LIMITS, MW_SMTP_EXT_XCLIENT, MW_SMTP_EXT_SUBMITTER,
    MW_SMTP_EXT_HELP};

static size_t ehlo_list(const mw_smtp_server *s, ehlo_line *l)
{
    size_t n = 0, i;
    const char *const *e;
    int tls = (s->sflags & SF_TLS) != 0;

    for (i = 0; i < sizeof(ehlo_order) / sizeof(ehlo_order[0]); i++) {
        unsigned long bit = ehlo_order[i];
        if (!(s->ext & bit))
            continue;
        if ((bit == MW_SMTP_EXT_STARTTLS && tls) ||
            (bit == MW_SMTP_EXT_REQUIRETLS && !tls))
            continue;
        l[n].kw = mw_smtp_ext_name(bit);
        l[n].par = NULL;
        l[n].num = 0;
        if (bit == MW_SMTP_EXT_SIZE && s->max_size > 0)
            l[n].num = 1;
        else if (bit == MW_SMTP_EXT_LIMITS)
            l[n].num = 2;
        else if (bit == MW_SMTP_EXT_AUTH)
            l[n].par = s->auth_mechanisms;
        n++;
    }
    for (e = s->ehlo_lines; e != NULL && *e != NULL && n < MAX_EHLO_LINES; e++) {
        l[n].kw = *e;
        l[n].par = NULL;
        l[n].num = 0;
        n++;
    }
    return n;
}

static int send_ehlo_lines(mw_smtp_server *s, unsigned code)
{
    ehlo_line l[MAX_EHLO_LINES];
    size_t n = ehlo_list(s, l), i;
    int r;
    for (i = 0; i < n; i++) {
        rline x;
        char num[32];
        rl_begin(&x, code, i + 1 == n ? ' ' : '-');
        rl_add(&x, l[i].kw, strlen(l[i].kw));
        if (l[i].par != NULL && *l[i].par != '\0') {
            rl_add(&x, " ", 1);
            rl_add(&x, l[i].par, strlen(l[i].par));
        } else if (l[i].num == 1) {
            size_t k = mw__fmt_u64(num, s->max_size); /* fill num first */
            rl_add(&x, " ", 1);
            rl_add(&x, num, k);
        } else if (l[i].num == 2) {
            size_t k = mw__fmt_u64(num, s->max_rcpt);
            rl_add(&x, " RCPTMAX=", 9);
            rl_add(&x, num, k);
        }
        if ((r = rl_send(s, &x)) != MW_OK)
            return r;
    }
    return MW_OK;
}

/* Default detail of an automatic enhanced status code. */
static const char *auto_esc(const mw_smtp_server *s, unsigned code)
{
    switch (code / 100) {
    case 2:
        if (s->pending == MW_SMTP_CMD_MAIL)
            return "2.1.0";
        if (s->pending == MW_SMTP_CMD_RCPT)
            return "2.1.5";
        if (s->pending == P_DATA_END)
            return "2.6.0";
        return "2.0.0";
    case 4:
        return "4.0.0";
    default:
        return "5.0.0";
    }
}

static int reply_allowed(const mw_smtp_server *s, unsigned code)
{
    if (code < 200 || code > 599)
        return 0;
    if (code == 334)
        return 0; /* mw_smtp_server_auth_challenge() */
    if (code == 354)
        return s->pending == MW_SMTP_CMD_DATA;
    if (code == 220)
        return s->pending == MW_SMTP_CMD_STARTTLS;
    if (code / 100 == 3)
        return 0;
    return 1;
}

/* Build and send one application reply line (last or not). `esc` is the
 * enhanced code to use when they are on (NULL: the text's own, or the
 * automatic one). */
static int app_line(mw_smtp_server *s, unsigned code, const char *esc,
                    const char *text, int last)
{
    rline r;
    size_t tl;
    int ehlo = (s->pending == MW_SMTP_CMD_EHLO || s->pending == MW_SMTP_CMD_LHLO) &&
               code / 100 == 2;
    int rc;

    if (text == NULL)
        text = "";
    tl = strlen(text);
    rl_begin(&r, code, (last && !ehlo) ? ' ' : '-');
    if (esc_on(s, code)) {
        char cls = (char)('0' + code / 100);
        if (esc != NULL) {
            rl_add(&r, esc, strlen(esc));
            if (tl > 0)
                rl_add(&r, " ", 1);
        } else if (mw__smtp_esc_prefix(text, tl, cls) == 0) {
            mw_smtp_esc e;
            if (tl >= 5 && text[1] == '.' &&
                mw_smtp_esc_parse(text, tl, &e, NULL, NULL) == MW_OK)
                return MW_E_INVAL; /* a code of another class */
            rl_add(&r, auto_esc(s, code), 5);
            if (tl > 0)
                rl_add(&r, " ", 1);
        }
    }
    rl_add(&r, text, tl);
    if ((rc = rl_send(s, &r)) != MW_OK)
        return rc;
    if (last && ehlo)
        return send_ehlo_lines(s, code);
    return MW_OK;
}

/* The effect of a final reply on the session. */
static void after_reply(mw_smtp_server *s, unsigned code)
{
    unsigned p = s->pending;
    int ok = code / 100 == 2;

    s->more_code = 0;
    if (code == 421) {
        /* RFC 5321 §3.8: the server closes after a 421, whatever was
         * pending (LMTP recipients not yet answered included) */
        s->pending = P_NONE;
        s->owed = 0;
        close_session(s);
        return;
    }
    if (p == P_DATA_END && s->owed > 1) {
        s->owed--;
        return; /* LMTP: more recipients to answer */
    }
    s->pending = P_NONE;
    s->owed = 0;
    s->state = ST_CMD;
    switch (p) {
    case MW_SMTP_CMD_HELO:
    case MW_SMTP_CMD_EHLO:
    case MW_SMTP_CMD_LHLO:
        if (ok) {
            reset_transaction(s);
            s->sflags |= SF_GREETED;
            if (p == MW_SMTP_CMD_HELO)
                s->sflags &= ~SF_EHLO;
            else
                s->sflags |= SF_EHLO;
        }
        break;
    case MW_SMTP_CMD_MAIL:
        if (ok) {
            s->sflags |= SF_MAIL | (s->next_utf8 ? SF_UTF8 : 0u);
            s->body = s->next_body;
        }
        break;
    case MW_SMTP_CMD_RCPT:
        if (ok)
            s->rcpts++;
        break;
    case MW_SMTP_CMD_DATA:
        if (code == 354) {
            s->state = ST_DATA;
            s->msg_size = 0;
            s->text_len = 0;
            s->doom = 0;
            mw__dot_unstuff_init(&s->dot, (mw_newline_policy)s->data_policy,
                                 mw__line_offset(&s->line));
        }
        break;
    case MW_SMTP_CMD_QUIT:
        close_session(s);
        break;
    case MW_SMTP_CMD_STARTTLS:
        if (code == 220) {
            s->state = ST_TLS;
            mw__line_reset(&s->line);
            if (s->in_feed)
                s->sflags |= SF_TLS_CUT;
        }
        break;
    case MW_SMTP_CMD_AUTH:
    case P_SASL:
        if (code == 235)
            s->sflags |= SF_AUTHED;
        break;
    case P_DATA_END:
        reset_transaction(s);
        break;
    default:
        break;
    }
}

static int check_reply(mw_smtp_server *s, unsigned code, const char *text)
{
    if (s == NULL)
        return MW_E_INVAL;
    if (s->state == ST_DEAD)
        return s->fatal;
    if (s->state != ST_REPLY)
        return MW_E_STATE;
    if (!reply_allowed(s, code) || bad_text(text) ||
        (s->more_code != 0 && s->more_code != code))
        return MW_E_INVAL;
    return MW_OK;
}

static int reply_esc(mw_smtp_server *s, unsigned code, const char *esc,
                     const char *text)
{
    /* the machine's own texts (esc given) need no checking */
    int r = esc != NULL ? (s->more_code != 0 && s->more_code != code ? MW_E_INVAL : MW_OK)
                        : check_reply(s, code, text);
    if (r != MW_OK)
        return r;
    if ((r = app_line(s, code, esc, text, 1)) != MW_OK)
        return r;
    after_reply(s, code);
    return MW_OK;
}

/* The default "250 OK", whole lines ready to send: the reply a busy
 * server gives most (one per RCPT). `line` is "250 X.Y.Z OK\r\n". */
static int ok_reply(mw_smtp_server *s, const char *line)
{
    int on;
    if (s->more_code != 0 && s->more_code != 250)
        return MW_E_INVAL;
    on = esc_on(s, 250);
    if (s->cb.send(s, s->user, on ? line : "250 OK\r\n", on ? 14u : 8u) < 0)
        return dead(s);
    after_reply(s, 250);
    return MW_OK;
}

int mw_smtp_server_reply(mw_smtp_server *s, unsigned code, const char *text)
{
    return reply_esc(s, code, NULL, text);
}

int mw_smtp_server_reply_more(mw_smtp_server *s, unsigned code,
                              const char *text)
{
    int r = check_reply(s, code, text);
    if (r != MW_OK)
        return r;
    if (code == 354 || code == 220)
        return MW_E_INVAL;
    /* For EHLO, these lines come first and the extension lines after the
     * last one. */
    if ((r = app_line(s, code, NULL, text, 0)) != MW_OK)
        return r;
    s->more_code = (uint16_t)code;
    return MW_OK;
}

int mw_smtp_server_reply_default(mw_smtp_server *s)
{
    int r;
    if (s == NULL)
        return MW_E_INVAL;
    if (s->state == ST_DEAD)
        return s->fatal;
    if (s->state != ST_REPLY)
        return MW_E_STATE;
    switch (s->pending) {
    case MW_SMTP_CMD_HELO:
    case MW_SMTP_CMD_EHLO:
    case MW_SMTP_CMD_LHLO:
        return reply_esc(s, 250, NULL, s->hostname);
    case MW_SMTP_CMD_DATA:
        return reply_esc(s, 354, NULL, "End data with <CR><LF>.<CR><LF>");
    case MW_SMTP_CMD_QUIT:
        return reply_esc(s, 221, "2.0.0", "Bye");
    case MW_SMTP_CMD_VRFY:
        return reply_esc(s, 252, "2.5.0", "Cannot VRFY user, but will accept message");
    case MW_SMTP_CMD_HELP:
        return reply_esc(s, 214, "2.0.0", "See RFC 5321");
    case MW_SMTP_CMD_EXPN:
    case MW_SMTP_CMD_ETRN:
        return reply_esc(s, 502, "5.5.1", "Command not implemented");
    case MW_SMTP_CMD_AUTH:
        return reply_esc(s, 504, "5.5.4", "Unrecognized authentication type");
    case MW_SMTP_CMD_STARTTLS:
        return reply_esc(s, 454, "4.7.0", "TLS not available");
    case P_SASL:
        return reply_esc(s, 535, "5.7.8", "Authentication credentials invalid");
    case P_DATA_END:
        do {
            r = ok_reply(s, "250 2.6.0 OK\r\n");
        } while (r == MW_OK && s->pending == P_DATA_END);
        return r;
    case MW_SMTP_CMD_MAIL:
        return ok_reply(s, "250 2.1.0 OK\r\n");
    case MW_SMTP_CMD_RCPT:
        return ok_reply(s, "250 2.1.5 OK\r\n");
    default: /* RSET */
        return ok_reply(s, "250 2.0.0 OK\r\n");
    }
}

int mw_smtp_server_auth_challenge(mw_smtp_server *s, const void *data,
                                  size_t len)
{
    rline r;
    size_t b;
    if (s == NULL || (data == NULL && len > 0))
        return MW_E_INVAL;
    if (s->state == ST_DEAD)
        return s->fatal;
    if (s->state != ST_REPLY ||
        (s->pending != MW_SMTP_CMD_AUTH && s->pending != P_SASL))
        return MW_E_STATE;
    if (s->more_code != 0)
        return MW_E_INVAL;
    if (mw_base64_encoded_len(len) > sizeof(r.b) - 6u)
        return MW_E_TOO_LONG;
    rl_begin(&r, 334, ' ');
    if (mw_base64_encode(data, len, r.b + 4, sizeof(r.b) - 6u, &b) != MW_OK)
        return MW_E_TOO_LONG;
    /* "334 " keeps its space even with an empty challenge (RFC 4954 §4) */
    r.n += b;
    memcpy(r.b + r.n, crlf, 2);
    r.n += 2;
    if (s->cb.send(s, s->user, r.b, r.n) < 0)
        return dead(s);
    s->pending = P_NONE;
    s->state = ST_AUTH;
    return MW_OK;
}

/* ====================================================================
 * Commands
 * ==================================================================== */

/* Call the application with a command (or give the default reply). */
static int deliver(mw_smtp_server *s, mw_smtp_cmd *c)
{
    int r;
    s->state = ST_REPLY;
    s->pending = (uint8_t)c->verb;
    s->more_code = 0;
    if (s->cb.command == NULL)
        return mw_smtp_server_reply_default(s);
    r = s->cb.command(s, s->user, c);
    if (r < 0)
        return dead(s);
    if (r == MW_PAUSED)
        s->paused = 1;
    return MW_OK;
}

/* The argument after the verb: "VERB" alone gives an empty span; "VERB "
 * gives what follows the single space. `has` is set when there was a
 * space. */
static mw_span arg_of(mw_span line, size_t vlen, int *has)
{
    if (line.len > vlen) {
        *has = 1;
        return mw__span(line.ptr + vlen + 1, line.len - vlen - 1);
    }
    *has = 0;
    return mw__span(line.ptr + line.len, 0);
}

static int has_ctl(mw_span a)
{
    size_t i;
    for (i = 0; i < a.len; i++) {
        unsigned char c = (unsigned char)a.ptr[i];
        if (c < 0x20 || c == 0x7f)
            return 1;
    }
    return 0;
}

/* HELO / EHLO / LHLO */
static int cmd_hello(mw_smtp_server *s, mw_smtp_cmd *c, size_t off)
{
    int has, r;
    mw_error e = {0, 0, NULL};
    mw_span a = arg_of(c->line, 4, &has);
    int lmtp = (s->flags & MW_SMTP_SERVER_LMTP) != 0;

    if (lmtp != (c->verb == MW_SMTP_CMD_LHLO))
        return refuse(s, 500, "5.5.1", lmtp ? "Use LHLO" : "Command unrecognized",
                      1, MW_E_SEQUENCE, off,
                      lmtp ? "HELO/EHLO in LMTP" : "LHLO outside LMTP");
    if (a.len == 0)
        return refuse(s, 501, "5.5.4", "Domain name required", 1, MW_E_SYNTAX,
                      off + c->line.len, "missing domain");
    if (s->flags & MW_SMTP_SERVER_LENIENT_HELO) {
        if (has_ctl(a) || memchr(a.ptr, ' ', a.len) != NULL)
            return refuse(s, 501, "5.5.4", "Invalid domain name", 1,
                          MW_E_SYNTAX, off + 5, "control character in domain");
    } else {
        r = mw_smtp_domain_check(a.ptr, a.len,
                                 MW_SMTP_PARSE_LITERAL |
                                     ((s->ext & MW_SMTP_EXT_SMTPUTF8) ? MW_SMTP_PARSE_UTF8 : 0u),
                                 &e);
        if (r != MW_OK)
            return refuse(s, 501, "5.5.4", "Invalid domain name", 1, r,
                          off + 5 + e.offset, e.reason);
    }
    c->arg = a;
    /* A new greeting ends any transaction (RFC 5321 §4.1.4); the reply
     * decides whether the session is greeted. */
    reset_transaction(s);
    return deliver(s, c);
}

/* Known MAIL parameter keywords. */
static unsigned long param_ext(int k)
{
    switch (k) {
    case MW__SMTP_K_SIZE: return MW_SMTP_EXT_SIZE;
    case MW__SMTP_K_BODY: return MW_SMTP_EXT_8BITMIME | MW_SMTP_EXT_BINARYMIME;
    case MW__SMTP_K_SMTPUTF8: return MW_SMTP_EXT_SMTPUTF8;
    case MW__SMTP_K_RET: case MW__SMTP_K_ENVID: case MW__SMTP_K_NOTIFY: case MW__SMTP_K_ORCPT: return MW_SMTP_EXT_DSN;
    case MW__SMTP_K_AUTH: return MW_SMTP_EXT_AUTH;
    case MW__SMTP_K_REQUIRETLS: return MW_SMTP_EXT_REQUIRETLS;
    default: return MW_SMTP_EXT_MT_PRIORITY;
    }
}

/* Decode an xtext value in place (the line is in the line buffer when any
 * value holds a '+'; see cmd_path). Refuses control characters (a decoded
 * CR LF would let the value inject lines downstream: Exim
 * CVE-2020-28021) and values longer than max. */
static int xtext_value(mw_smtp_server *s, mw_span line, mw_span *v,
                       size_t max, mw_error *e)
{
    size_t dl = 0;
    int ctl = 0, r;
    r = mw__smtp_xtext_check(v->ptr, v->len, &dl, &ctl, e);
    if (r != MW_OK)
        return r;
    if (ctl) {
        e->offset = 0;
        e->reason = MW__TEXT("decoded value holds a control character (CR, LF, NUL...)");
        return MW_E_SYNTAX;
    }
    if (dl > max) {
        e->offset = 0;
        e->reason = MW__TEXT("decoded value too long");
        return MW_E_TOO_LONG;
    }
    if (dl != v->len) {
        char *w = s->linebuf + (v->ptr - line.ptr);
        v->len = mw__smtp_xtext_decode_checked(v->ptr, v->len, w);
    }
    return MW_OK;
}

/* MT-PRIORITY value: [+-] DIGIT, -9..9 (RFC 6710 §3). */
static int mt_priority(mw_span v, int *out)
{
    size_t i = 0;
    int neg = 0;
    if (v.len > 0 && (v.ptr[0] == '-' || v.ptr[0] == '+')) {
        neg = v.ptr[0] == '-';
        i = 1;
    }
    if (v.len != i + 1 || v.ptr[i] < '0' || v.ptr[i] > '9')
        return MW_E_SYNTAX;
    *out = neg ? -(v.ptr[i] - '0') : v.ptr[i] - '0';
    return MW_OK;
}

/* NOTIFY = "NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" ) (RFC 3461 §4.1) */
static int notify(mw_span v, unsigned *out)
{
    size_t i = 0;
    unsigned bits = 0;
    if (v.len == 0)
        return MW_E_SYNTAX;
    if (mw__span_ieq(v, "NEVER")) {
        *out = MW_SMTP_NOTIFY_NEVER;
        return MW_OK;
    }
    while (i <= v.len) {
        const char *c = (const char *)memchr(v.ptr + i, ',', v.len - i);
        size_t e = c != NULL ? (size_t)(c - v.ptr) : v.len;
        mw_span w = mw__span(v.ptr + i, e - i);
        unsigned b = mw__span_ieq(w, "SUCCESS") ? MW_SMTP_NOTIFY_SUCCESS
                     : mw__span_ieq(w, "FAILURE") ? MW_SMTP_NOTIFY_FAILURE
                     : mw__span_ieq(w, "DELAY")   ? MW_SMTP_NOTIFY_DELAY
                                                  : 0u;
        if (b == 0 || (bits & b))
            return MW_E_SYNTAX;
        bits |= b;
        i = e + 1;
    }
    *out = bits;
    return MW_OK;
}

/* MAIL FROM / RCPT TO */
static int cmd_path(mw_smtp_server *s, mw_smtp_cmd *c, size_t off)
{
    int rcpt = c->verb == MW_SMTP_CMD_RCPT;
    const char *kw = rcpt ? "TO:" : "FROM:";
    size_t kl = rcpt ? 3u : 5u, i, used = 0;
    mw_span line = c->line;
    mw_error e = {0, 0, NULL};
    mw_smtp_param extra[MW_SMTP_SERVER_MAX_PARAMS];
    unsigned seen = 0;
    int utf8_ok = (s->ext & MW_SMTP_EXT_SMTPUTF8) != 0;
    int r, lenient = (s->flags & MW_SMTP_SERVER_LENIENT_PATH_SPACE) != 0;
    unsigned pflags;
    size_t end;

    /* sequence first (RFC 5321 §4.1.4) */
    if (!(s->sflags & SF_GREETED))
        return refuse(s, 503, "5.5.1", "Send HELO/EHLO first", 1,
                      MW_E_SEQUENCE, off, "MAIL or RCPT before HELO/EHLO");
    if (!rcpt && (s->sflags & SF_MAIL))
        return refuse(s, 503, "5.5.1", "Nested MAIL command", 1, MW_E_SEQUENCE,
                      off, "MAIL inside a transaction");
    if (rcpt && !(s->sflags & SF_MAIL))
        return refuse(s, 503, "5.5.1", "Need MAIL command", 1, MW_E_SEQUENCE,
                      off, "RCPT without MAIL");
    if (rcpt && s->rcpts >= s->max_rcpt)
        return refuse(s, 452, "4.5.3", "Too many recipients", 0, MW_E_LIMIT,
                      off, "recipient limit reached");

    if (line.len < 5 + kl || line.ptr[4] != ' ' || line.ptr[4 + kl] != ':' ||
        (rcpt ? ((line.ptr[5] | 0x20) != 't' || (line.ptr[6] | 0x20) != 'o')
              : !mw__smtp_word_is(line.ptr + 5, kl, kw)))
        return refuse(s, 501, "5.5.4",
                      rcpt ? "Syntax: RCPT TO:<address>" : "Syntax: MAIL FROM:<address>",
                      1, MW_E_SYNTAX, off + 5, "expected FROM: or TO:");
    i = 5 + kl;
    end = line.len;
    if (lenient) {
        while (i < end && line.ptr[i] == ' ')
            i++;
        while (end > i && line.ptr[end - 1] == ' ')
            end--;
    }
    pflags = (rcpt ? MW_SMTP_PARSE_POSTMASTER : MW_SMTP_PARSE_NULL_PATH) |
             (utf8_ok ? MW_SMTP_PARSE_UTF8 : 0u);
    r = mw_smtp_path_parse(line.ptr + i, end - i, pflags, &c->path, &used, &e);
    if (r != MW_OK)
        return refuse(s, 501, rcpt ? "5.1.3" : "5.1.7",
                      rcpt ? "Bad recipient address syntax" : "Bad sender address syntax",
                      1, r, off + i + e.offset, e.reason);
    i += used;
    /* xtext values are decoded in place: when a parameter may need it,
     * work on a copy of the line in the line buffer (the caller's input
     * is const), the path's spans moved along. */
    if (i < end && line.ptr != s->linebuf &&
        memchr(line.ptr + i, '+', end - i) != NULL) {
        mw_span *sp[3];
        size_t k;
        sp[0] = &c->path.mailbox;
        sp[1] = &c->path.local;
        sp[2] = &c->path.domain;
        memcpy(s->linebuf, line.ptr, line.len);
        for (k = 0; k < 3; k++)
            sp[k]->ptr = s->linebuf + (sp[k]->ptr - line.ptr);
        line.ptr = s->linebuf;
        c->line = line;
    }
    for (;;) {
        mw_smtp_param p;
        int k;
        r = mw__smtp_param_next(line.ptr, end, &i, utf8_ok, &p, &e);
        if (r == 0)
            break;
        if (r < 0)
            return refuse(s, 501, "5.5.4", "Syntax error in parameters", 1, r,
                          off + e.offset, e.reason);
        k = mw__smtp_param_kind(p.name, rcpt);
        if (k == 0) {
            if (c->nparams == MW_SMTP_SERVER_MAX_PARAMS)
                return refuse(s, 501, "5.5.4", "Too many parameters", 1,
                              MW_E_LIMIT, off + (size_t)(p.name.ptr - line.ptr),
                              "too many unknown parameters");
            extra[c->nparams++] = p;
            continue;
        }
        if (!(s->ext & param_ext(k)) ||
            (k == MW__SMTP_K_REQUIRETLS && !(s->sflags & SF_TLS)))
            return refuse(s, 555, "5.5.4", "Parameter not recognized or not implemented",
                          1, MW_E_SYNTAX, off + (size_t)(p.name.ptr - line.ptr),
                          "parameter of an extension not offered");
        if (seen & (1u << k))
            return refuse(s, 501, "5.5.4", "Duplicate parameter", 1,
                          MW_E_SYNTAX, off + (size_t)(p.name.ptr - line.ptr),
                          "parameter given twice");
        seen |= 1u << k;
        e.offset = 0;
        e.reason = MW__TEXT("bad parameter value");
        r = MW_OK;
        switch (k) {
        case MW__SMTP_K_SIZE:
            if (p.value.len == 0 || p.value.len > 20 ||
                mw__parse_u64(p.value.ptr, p.value.len, UINT64_MAX,
                              &c->mail.size) == MW_E_SYNTAX) {
                r = MW_E_SYNTAX;
                e.reason = MW__TEXT("SIZE value is not a number of 1 to 20 digits");
                break;
            }
            if (p.value.len == 20 &&
                mw__parse_u64(p.value.ptr, p.value.len, UINT64_MAX,
                              &c->mail.size) != MW_OK)
                c->mail.size = UINT64_MAX;
            c->mail.present |= MW_SMTP_MAIL_SIZE;
            break;
        case MW__SMTP_K_BODY:
            c->mail.present |= MW_SMTP_MAIL_BODY;
            if (mw__span_ieq(p.value, "7BIT"))
                c->mail.body = MW_SMTP_BODY_7BIT;
            else if (mw__span_ieq(p.value, "8BITMIME") && (s->ext & MW_SMTP_EXT_8BITMIME))
                c->mail.body = MW_SMTP_BODY_8BITMIME;
            else if (mw__span_ieq(p.value, "BINARYMIME") &&
                     (s->ext & MW_SMTP_EXT_BINARYMIME) && (s->ext & MW_SMTP_EXT_CHUNKING))
                c->mail.body = MW_SMTP_BODY_BINARYMIME;
            else
                r = MW_E_SYNTAX;
            break;
        case MW__SMTP_K_SMTPUTF8:
        case MW__SMTP_K_REQUIRETLS:
            if (p.value.len != 0) {
                r = MW_E_SYNTAX;
                e.reason = MW__TEXT("parameter takes no value");
            }
            c->mail.present |= k == MW__SMTP_K_SMTPUTF8 ? MW_SMTP_MAIL_SMTPUTF8
                                               : MW_SMTP_MAIL_REQUIRETLS;
            break;
        case MW__SMTP_K_RET:
            c->mail.present |= MW_SMTP_MAIL_RET;
            if (mw__span_ieq(p.value, "FULL"))
                c->mail.ret = MW_SMTP_RET_FULL;
            else if (mw__span_ieq(p.value, "HDRS"))
                c->mail.ret = MW_SMTP_RET_HDRS;
            else
                r = MW_E_SYNTAX;
            break;
        case MW__SMTP_K_ENVID:
            /* RFC 3461 §4.4: at most 100 characters */
            c->mail.envid = p.value;
            r = p.value.len == 0 ? MW_E_SYNTAX
                                 : xtext_value(s, line, &c->mail.envid, 100, &e);
            c->mail.present |= MW_SMTP_MAIL_ENVID;
            break;
        case MW__SMTP_K_AUTH:
            c->mail.auth = p.value;
            r = p.value.len == 0 ? MW_E_SYNTAX
                                 : xtext_value(s, line, &c->mail.auth, 512, &e);
            c->mail.present |= MW_SMTP_MAIL_AUTH;
            break;
        case MW__SMTP_K_MTPRIO:
            r = mt_priority(p.value, &c->mail.mt_priority);
            c->mail.present |= MW_SMTP_MAIL_MT_PRIORITY;
            break;
        case MW__SMTP_K_NOTIFY:
            r = notify(p.value, &c->rcpt.notify);
            c->rcpt.present |= MW_SMTP_RCPT_NOTIFY;
            break;
        case MW__SMTP_K_ORCPT: {
            /* ORCPT = addr-type ";" xtext (RFC 3461 §4.2), at most 500 */
            const char *semi = p.value.len > 0
                                   ? (const char *)memchr(p.value.ptr, ';', p.value.len)
                                   : NULL;
            size_t tl = semi != NULL ? (size_t)(semi - p.value.ptr) : 0, j;
            r = MW_OK;
            if (semi == NULL || tl == 0 || tl + 1 == p.value.len) {
                r = MW_E_SYNTAX;
                e.reason = MW__TEXT("ORCPT is not addr-type;address");
                break;
            }
            for (j = 0; j < tl; j++)
                if (!mw__smtp_is((unsigned char)p.value.ptr[j], MW__SMTP_ATEXT))
                    r = MW_E_SYNTAX;
            if (r != MW_OK) {
                e.reason = MW__TEXT("bad ORCPT address type");
                break;
            }
            c->rcpt.orcpt_type = mw__span(p.value.ptr, tl);
            c->rcpt.orcpt = mw__span(semi + 1, p.value.len - tl - 1);
            r = xtext_value(s, line, &c->rcpt.orcpt, 500, &e);
            if (r != MW_OK)
                e.offset += tl + 1; /* from the value's start */
            c->rcpt.present |= MW_SMTP_RCPT_ORCPT;
            break;
        }
        default:
            break;
        }
        if (r != MW_OK) {
            /* where the value is, or would be (right after the name) */
            size_t at = p.value.len > 0 ? (size_t)(p.value.ptr - line.ptr)
                                        : (size_t)(p.name.ptr - line.ptr) + p.name.len;
            return refuse(s, 501, "5.5.4", "Syntax error in parameter value", 1,
                          r, off + at + e.offset, e.reason);
        }
    }
    c->params = c->nparams > 0 ? extra : NULL;

    if (!rcpt) {
        if ((c->mail.present & MW_SMTP_MAIL_SIZE) && s->max_size > 0 &&
            c->mail.size > s->max_size)
            return refuse(s, 552, "5.3.4",
                          "Message size exceeds fixed maximum message size", 0,
                          MW_E_LIMIT, off, "declared SIZE over the limit");
        if ((c->path.flags & MW_SMTP_PATH_UTF8) &&
            !(c->mail.present & MW_SMTP_MAIL_SMTPUTF8))
            return refuse(s, 553, "5.6.7",
                          "Non-ASCII address needs SMTPUTF8", 0, MW_E_UTF8,
                          off, "UTF-8 path without SMTPUTF8");
        s->next_utf8 = (c->mail.present & MW_SMTP_MAIL_SMTPUTF8) != 0;
        s->next_body = (uint8_t)c->mail.body;
    } else if ((c->path.flags & MW_SMTP_PATH_UTF8) && !(s->sflags & SF_UTF8)) {
        return refuse(s, 553, "5.6.7", "Non-ASCII address needs SMTPUTF8", 0,
                      MW_E_UTF8, off, "UTF-8 path without SMTPUTF8");
    }
    return deliver(s, c);
}

/* BDAT chunk-size [SP "LAST"] (RFC 3030 §2). A malformed line changes
 * nothing (zeek#3556): everything is checked before any state moves. */
static int cmd_bdat(mw_smtp_server *s, mw_smtp_cmd *c, size_t off)
{
#if MW_ENABLE_SMTP_CHUNKING
    mw_span line = c->line;
    size_t i = 5, d;
    uint64_t size = 0;
    int last = 0;

    if (!(s->ext & MW_SMTP_EXT_CHUNKING))
#else
    /* Compiled out (features.h): as when CHUNKING is not offered. */
    (void)c;
#endif
        return refuse(s, 502, "5.5.1", "Command not implemented", 1,
                      MW_E_SEQUENCE, off, "BDAT without CHUNKING");
#if MW_ENABLE_SMTP_CHUNKING
    if (line.len < 6 || line.ptr[4] != ' ')
        return refuse(s, 501, "5.5.4", "Syntax: BDAT size [LAST]", 1,
                      MW_E_SYNTAX, off + 4, "BDAT without a size");
    d = i;
    while (i < line.len && line.ptr[i] >= '0' && line.ptr[i] <= '9')
        i++;
    if (i == d || mw__parse_u64(line.ptr + d, i - d, UINT64_MAX, &size) != MW_OK)
        return refuse(s, 501, "5.5.4", "Syntax: BDAT size [LAST]", 1,
                      MW_E_SYNTAX, off + d, "bad BDAT chunk size");
    if (i < line.len) {
        if (line.len - i != 5 || line.ptr[i] != ' ' ||
            !mw__smtp_word_is(line.ptr + i + 1, 4, "LAST"))
            return refuse(s, 501, "5.5.4", "Syntax: BDAT size [LAST]", 1,
                          MW_E_SYNTAX, off + i, "junk after the BDAT size");
        last = 1;
    }
    /* Valid: from here on the chunk is read, whatever its fate. */
    s->bdat_left = size;
    s->bdat_last = (uint8_t)last;
    s->bdat_size = size;
    s->bdat_off = off;
    if (!(s->sflags & SF_MAIL)) {
        s->bdat_mode = BD_NOMAIL;
    } else if (s->rcpts == 0) {
        s->bdat_mode = BD_NORCPT;
    } else {
        s->bdat_mode = BD_TAKE;
        if (!(s->sflags & SF_BDAT)) {
            s->sflags |= SF_BDAT;
            s->msg_size = 0;
            s->doom = 0;
        }
    }
    s->state = ST_BDAT;
    if (size == 0) {
        size_t u;
        return bdat_step(s, line.ptr, 0, &u);
    }
    return MW_OK;
#endif
}

/* AUTH mechanism [SP initial-response] (RFC 4954 §4) */
static int sasl_line(mw_smtp_server *s, mw_span b64, mw_span line,
                     mw_smtp_sasl *out, mw_error *e)
{
    size_t dl = 0, room;
    char *dst;
    int r;

    out->b64 = b64;
    out->decoded = mw__span(b64.ptr, 0);
    if (b64.len == 1 && b64.ptr[0] == '=') {
        out->b64 = mw__span(b64.ptr, 0);
        return MW_OK;
    }
    /* decode into the line buffer, after the line when the line is there */
    if (line.ptr == s->linebuf) {
        dst = s->linebuf + line.len;
        room = s->linebuf_len - line.len;
    } else {
        dst = s->linebuf;
        room = s->linebuf_len;
    }
    r = mw_base64_decode(b64.ptr, b64.len, dst, room, &dl, 0, e);
    if (r != MW_OK)
        return r == MW_E_NOSPACE ? MW_E_TOO_LONG : r;
    out->decoded = mw__span(dst, dl);
    return MW_OK;
}

static int cmd_auth(mw_smtp_server *s, mw_smtp_cmd *c, size_t off)
{
    mw_span line = c->line, mech;
    size_t i = 5, m;
    mw_error e = {0, 0, NULL};
    int r;

    if (!(s->ext & MW_SMTP_EXT_AUTH))
        return refuse(s, 502, "5.5.1", "Command not implemented", 1,
                      MW_E_SEQUENCE, off, "AUTH not offered");
    if (!(s->sflags & SF_EHLO))
        return refuse(s, 503, "5.5.1", "Send EHLO first", 1, MW_E_SEQUENCE,
                      off, "AUTH before EHLO");
    if (s->sflags & SF_AUTHED)
        return refuse(s, 503, "5.5.1", "Already authenticated", 1,
                      MW_E_SEQUENCE, off, "second AUTH");
    if (s->sflags & SF_MAIL)
        return refuse(s, 503, "5.5.1", "AUTH not permitted during a mail transaction",
                      1, MW_E_SEQUENCE, off, "AUTH inside a transaction");
    if (line.len < 6 || line.ptr[4] != ' ')
        return refuse(s, 501, "5.5.4", "Syntax: AUTH mechanism [initial-response]",
                      1, MW_E_SYNTAX, off + 4, "AUTH without a mechanism");
    /* sasl-mech = 1*20 (ALPHA / DIGIT / "-" / "_") (RFC 4422 §3.1; any
     * case accepted) */
    m = i;
    while (i < line.len && (mw__smtp_is((unsigned char)line.ptr[i],
                                        MW__SMTP_ALPHA | MW__SMTP_DIGIT) ||
                            line.ptr[i] == '-' || line.ptr[i] == '_'))
        i++;
    if (i == m || i - m > 20 || (i < line.len && line.ptr[i] != ' '))
        return refuse(s, 501, "5.5.4", "Invalid mechanism name", 1,
                      MW_E_SYNTAX, off + i, "bad SASL mechanism name");
    mech = mw__span(line.ptr + m, i - m);
    c->arg = mech;
    if (i < line.len) {
        r = sasl_line(s, mw__span(line.ptr + i + 1, line.len - i - 1), line,
                      &c->auth_initial, &e);
        if (r != MW_OK)
            return refuse(s, 501, "5.5.2", "Invalid base64 data", 1, r,
                          off + i + 1 + e.offset,
                          e.reason != NULL ? e.reason : "bad initial response");
        c->has_initial = 1;
    }
    return deliver(s, c);
}

/* A command that takes no argument has one: refuse it (501). */
static int extra_args(const mw_smtp_cmd *c)
{
    size_t vl = c->verb == MW_SMTP_CMD_STARTTLS ? 8u : 4u;
    return c->line.len != vl;
}

static int refuse_args(mw_smtp_server *s, const mw_smtp_cmd *c, size_t off)
{
    size_t vl = c->verb == MW_SMTP_CMD_STARTTLS ? 8u : 4u;
    return refuse(s, 501, "5.5.4", "Syntax error: no parameters allowed", 1,
                  MW_E_SYNTAX, off + vl, "unexpected parameters");
}

static int command_line(mw_smtp_server *s, mw_span line, size_t off)
{
    mw_smtp_cmd c;
    size_t vl = 0;
    int has = 0, r;

    if (line.len >= 4 && (line.len == 4 || line.ptr[4] == ' '))
        vl = 4; /* every verb but STARTTLS */
    else
        while (vl < line.len && line.ptr[vl] != ' ')
            vl++;
    memset(&c, 0, sizeof(c));
    c.verb = mw_smtp_verb_lookup(line.ptr, vl);
    c.line = line;
    c.offset = off;
    if (c.verb == MW_SMTP_CMD_AUTH ? line.len > s->max_auth : line.len > s->max_cmd)
        return c.verb == MW_SMTP_CMD_AUTH
                   ? refuse(s, 500, "5.5.6", "Authentication Exchange line is too long",
                            1, MW_E_TOO_LONG, off, "AUTH line too long")
                   : refuse(s, 500, "5.5.2", "Line too long", 1, MW_E_TOO_LONG,
                            off, "command line too long");
    if (c.verb == MW_SMTP_CMD_UNKNOWN)
        return refuse(s, 500, "5.5.2", "Command unrecognized", 1, MW_E_SYNTAX,
                      off, "unknown command");
    if ((s->sflags & SF_REFUSED) && c.verb != MW_SMTP_CMD_QUIT)
        return refuse(s, 503, "5.5.1", "No SMTP service here", 1,
                      MW_E_SEQUENCE, off, "session refused at the greeting");

    switch (c.verb) {
    case MW_SMTP_CMD_HELO:
    case MW_SMTP_CMD_EHLO:
    case MW_SMTP_CMD_LHLO:
        return cmd_hello(s, &c, off);
    case MW_SMTP_CMD_MAIL:
    case MW_SMTP_CMD_RCPT:
        return cmd_path(s, &c, off);
    case MW_SMTP_CMD_DATA:
        if (extra_args(&c))
            return refuse_args(s, &c, off);
        if (!(s->sflags & SF_MAIL))
            return refuse(s, 503, "5.5.1", "Need MAIL command", 1,
                          MW_E_SEQUENCE, off, "DATA without MAIL");
        if (s->rcpts == 0)
            return (s->flags & MW_SMTP_SERVER_LMTP)
                       ? refuse(s, 503, "5.5.1", "No valid recipients", 1,
                                MW_E_SEQUENCE, off, "DATA without recipients")
                       : refuse(s, 554, "5.5.1", "No valid recipients", 0,
                                MW_E_SEQUENCE, off, "DATA without recipients");
        if (s->body == MW_SMTP_BODY_BINARYMIME || (s->sflags & SF_BDAT))
            return refuse(s, 503, "5.5.1", "Use BDAT for this message", 1,
                          MW_E_SEQUENCE, off, "DATA after BODY=BINARYMIME or BDAT");
        return deliver(s, &c);
    case MW_SMTP_CMD_BDAT:
        return cmd_bdat(s, &c, off);
    case MW_SMTP_CMD_RSET:
    case MW_SMTP_CMD_QUIT:
        if (extra_args(&c))
            return refuse_args(s, &c, off);
        if (c.verb == MW_SMTP_CMD_RSET)
            reset_transaction(s);
        return deliver(s, &c);
    case MW_SMTP_CMD_NOOP:
        if ((r = mreply(s, 250, ' ', "2.0.0", "OK")) != MW_OK)
            return r;
        return MW_OK;
    case MW_SMTP_CMD_VRFY:
    case MW_SMTP_CMD_EXPN:
    case MW_SMTP_CMD_ETRN:
        c.arg = arg_of(line, 4, &has);
        if (c.verb == MW_SMTP_CMD_ETRN && !(s->ext & MW_SMTP_EXT_ETRN))
            return refuse(s, 502, "5.5.1", "Command not implemented", 1,
                          MW_E_SEQUENCE, off, "ETRN not offered");
        if (c.arg.len == 0)
            return refuse(s, 501, "5.5.4", "Argument required", 1, MW_E_SYNTAX,
                          off + line.len, "missing argument");
        if (c.verb == MW_SMTP_CMD_ETRN && (s->sflags & SF_MAIL))
            return refuse(s, 503, "5.5.1", "ETRN not permitted during a mail transaction",
                          1, MW_E_SEQUENCE, off, "ETRN inside a transaction");
        return deliver(s, &c);
    case MW_SMTP_CMD_HELP:
        c.arg = arg_of(line, 4, &has);
        return deliver(s, &c);
    case MW_SMTP_CMD_AUTH:
        return cmd_auth(s, &c, off);
    case MW_SMTP_CMD_STARTTLS:
        if (s->sflags & SF_TLS)
            return refuse(s, 503, "5.5.1", "TLS already active", 1,
                          MW_E_SEQUENCE, off, "STARTTLS under TLS");
        if (!(s->ext & MW_SMTP_EXT_STARTTLS))
            return refuse(s, 502, "5.5.1", "Command not implemented", 1,
                          MW_E_SEQUENCE, off, "STARTTLS not offered");
        if (extra_args(&c))
            return refuse_args(s, &c, off);
        return deliver(s, &c);
    default:
        return refuse(s, 500, "5.5.2", "Command unrecognized", 1, MW_E_SYNTAX,
                      off, "unknown command");
    }
}

/* A line read while a SASL exchange waits for the client's response. */
static int auth_line(mw_smtp_server *s, mw_span line, size_t off)
{
    mw_smtp_sasl resp;
    mw_error e = {0, 0, NULL};
    int r;

    s->state = ST_CMD;
    if (line.len > s->max_auth)
        return refuse(s, 500, "5.5.6", "Authentication Exchange line is too long",
                      1, MW_E_TOO_LONG, off, "AUTH line too long");
    /* A cancel counts as a bad command: a loop of AUTH / "*" would
     * otherwise run for ever (field-notes §4.11). */
    if (line.len == 1 && line.ptr[0] == '*')
        return refuse(s, 501, "5.0.0", "Authentication cancelled", 1,
                      MW_E_SYNTAX, off, "AUTH cancelled by the client");
    if (line.len == 1 && line.ptr[0] == '=')
        r = MW_E_BASE64; /* "=" is for initial responses only */
    else
        r = sasl_line(s, line, line, &resp, &e);
    if (r != MW_OK)
        return refuse(s, 501, "5.5.2", "Invalid base64 data", 1, r,
                      off + e.offset,
                      e.reason != NULL ? e.reason : "bad SASL response");
    s->state = ST_REPLY;
    s->pending = P_SASL;
    s->more_code = 0;
    if (s->cb.auth_response == NULL)
        return mw_smtp_server_reply_default(s);
    r = s->cb.auth_response(s, s->user, &resp);
    if (r < 0)
        return dead(s);
    if (r == MW_PAUSED)
        s->paused = 1;
    return MW_OK;
}

/* A line the framer flagged. */
static int bad_line(mw_smtp_server *s, const mw__line_ev *ev)
{
    int auth = s->state == ST_AUTH;
    const char *reason;

    s->state = ST_CMD;
    switch (ev->status) {
    case MW_E_TOO_LONG:
        /* an AUTH command with a long initial response (RFC 4954 §4) */
        if (auth || (ev->line.len >= 5 && mw__smtp_word_is(ev->line.ptr, 4, "AUTH") &&
                     ev->line.ptr[4] == ' '))
            return refuse(s, 500, "5.5.6", "Authentication Exchange line is too long",
                          1, MW_E_TOO_LONG, ev->err_offset, "AUTH line too long");
        return refuse(s, 500, "5.5.2", "Line too long", 1, MW_E_TOO_LONG,
                      ev->err_offset, "command line too long");
    case MW_E_BARE_LF:
        reason = MW__TEXT("bare LF in a command line");
        break;
    case MW_E_BARE_CR:
        reason = MW__TEXT("bare CR in a command line");
        break;
    default:
        reason = MW__TEXT("NUL in a command line");
        break;
    }
    return refuse(s, auth ? 501 : 500, "5.5.2",
                  auth ? "Invalid base64 data" : "Bad character in command line",
                  1, ev->status, ev->err_offset, reason);
}

/* ====================================================================
 * Message data
 * ==================================================================== */

/* Last LF in p[from..to] (inclusive), or SIZE_MAX. */
static size_t last_lf(const char *p, size_t from, size_t to)
{
    size_t i = to + 1;
    while (i > from) {
        i--;
        if (p[i] == '\n')
            return i;
    }
    return SIZE_MAX;
}

/* Text line limit (RFC 5321 §4.5.3.1.6) over a piece of the unstuffed
 * body. A line may hold max_text - 1 bytes before its LF. Windows are
 * searched backwards from their end, so a long run of short lines costs a
 * short search per max_text bytes. Returns n when every line is within the
 * limit, else the index of the first byte past it. */
static size_t text_lines_check(mw_smtp_server *s, const char *p, size_t n)
{
    size_t start = 0, cur = s->text_len, lim = s->max_text - 1u;
    for (;;) {
        size_t room = lim - cur, lf;
        if (n - start <= room) {
            lf = n > start ? last_lf(p, start, n - 1) : SIZE_MAX;
            s->text_len = lf == SIZE_MAX ? cur + (n - start) : n - lf - 1;
            return n;
        }
        /* the byte at start + room must not be reached without a LF */
        lf = room > 0 ? last_lf(p, start, start + room - 1) : SIZE_MAX;
        if (p[start + room] == '\n') {
            start = start + room + 1;
            cur = 0;
            continue;
        }
        if (lf == SIZE_MAX)
            return start + room;
        start = lf + 1;
        cur = 0;
    }
}

static int doom_(mw_smtp_server *s, int why, size_t offset, const char *reason)
{
    if (s->doom != 0)
        return MW_OK;
    s->doom = why;
    return report(s, why, offset, reason);
}
#define doom(a, b, c, d) doom_((a), (b), (c), MW__TEXT(d))

/* Body bytes of the current message (DATA or BDAT). When a limit is
 * crossed inside the piece, the bytes before the crossing are still
 * delivered, so that what the application sees does not depend on how
 * the input was cut. */
static int body_bytes(mw_smtp_server *s, const char *p, size_t n,
                      size_t offset, int text)
{
    size_t ok = n;
    int why = 0, r;
    if (s->doom != 0 || n == 0)
        return MW_OK;
    if (s->max_size > 0 && n > s->max_size - s->msg_size) {
        ok = (size_t)(s->max_size - s->msg_size);
        why = MW_E_LIMIT;
    }
    if (text && s->max_text > 0) {
        size_t t = text_lines_check(s, p, ok);
        if (t < ok) {
            ok = t;
            why = MW_E_TOO_LONG;
        }
    }
    s->msg_size += ok;
    if (ok > 0 && s->cb.data != NULL) {
        r = s->cb.data(s, s->user, p, ok);
        if (r < 0)
            return dead(s);
        if (r == MW_PAUSED)
            s->paused = 1;
    }
    if (why == MW_E_LIMIT)
        return doom(s, why, offset + ok, "message larger than the size limit");
    if (why == MW_E_TOO_LONG)
        return doom(s, why, offset + ok, "text line longer than the limit");
    return MW_OK;
}

/* The end of a message: reject it (machine) or hand it over (app). */
static int message_end(mw_smtp_server *s)
{
    int status = s->doom, r;
    unsigned n = (s->flags & MW_SMTP_SERVER_LMTP) ? s->rcpts : 1u;

    s->state = ST_REPLY;
    s->pending = P_DATA_END;
    s->owed = n;
    s->more_code = 0;
    if (status != MW_OK) {
        unsigned code = status == MW_E_LIMIT ? 552u : 554u;
        const char *esc = status == MW_E_LIMIT ? "5.3.4" : "5.6.0";
        const char *text =
            status == MW_E_LIMIT ? "Message size exceeds fixed maximum message size"
            : status == MW_E_TOO_LONG ? "Message has a text line that is too long"
            : status == MW_E_BARE_CR  ? "Message contains a bare CR"
                                      : "Message contains a bare LF";
        unsigned i;
        for (i = 0; i < n; i++)
            if ((r = mreply(s, code, ' ', esc, text)) != MW_OK)
                return r;
        s->pending = P_NONE;
        s->owed = 0;
        s->state = ST_CMD;
        reset_transaction(s);
        if (s->cb.data_end != NULL) {
            r = s->cb.data_end(s, s->user, status);
            if (r < 0)
                return dead(s);
            if (r == MW_PAUSED)
                s->paused = 1;
        }
        return MW_OK;
    }
    if (s->cb.data_end == NULL)
        return mw_smtp_server_reply_default(s);
    r = s->cb.data_end(s, s->user, MW_OK);
    if (r < 0)
        return dead(s);
    if (r == MW_PAUSED)
        s->paused = 1;
    return MW_OK;
}

static int data_step(mw_smtp_server *s, const char *in, size_t len,
                     size_t *used)
{
    mw__dot_ev ev;
    int r = mw__dot_unstuff_next(&s->dot, in, len, used, &ev);
    mw__line_skip(&s->line, *used);
    switch (r) {
    case 0:
        return MW_OK;
    case MW__DOT_DATA:
        return body_bytes(s, ev.data.ptr, ev.data.len, ev.offset, 1);
    case MW__DOT_END:
        return message_end(s);
    case MW_E_BARE_LF:
        return doom(s, MW_E_BARE_LF, ev.offset, "bare LF in message data");
    case MW_E_BARE_CR:
        return doom(s, MW_E_BARE_CR, ev.offset, "bare CR in message data");
    default:
        return MW_E_INTERNAL;
    }
}

#if MW_ENABLE_SMTP_CHUNKING
static int bdat_step(mw_smtp_server *s, const char *in, size_t len,
                     size_t *used)
{
    size_t take = s->bdat_left < len ? (size_t)s->bdat_left : len;
    size_t at = mw__line_offset(&s->line);
    int r;
    char num[32], text[64];
    size_t k;

    *used = take;
    mw__line_skip(&s->line, take);
    s->bdat_left -= take;
    if (s->bdat_mode == BD_TAKE && take > 0 &&
        (r = body_bytes(s, in, take, at, 0)) != MW_OK)
        return r;
    if (s->bdat_left > 0)
        return MW_OK;
    /* the chunk is complete */
    s->state = ST_CMD;
    if (s->bdat_mode == BD_NOMAIL)
        return refuse(s, 503, "5.5.1", "Need MAIL command", 1, MW_E_SEQUENCE,
                      s->bdat_off, "BDAT without MAIL");
    if (s->bdat_mode == BD_NORCPT)
        return (s->flags & MW_SMTP_SERVER_LMTP)
                   ? refuse(s, 503, "5.5.1", "No valid recipients", 1,
                            MW_E_SEQUENCE, s->bdat_off, "BDAT without recipients")
                   : refuse(s, 554, "5.5.1", "No valid recipients", 0,
                            MW_E_SEQUENCE, s->bdat_off, "BDAT without recipients");
    if (s->bdat_last)
        return message_end(s);
    if (s->doom == MW_E_LIMIT)
        return mreply(s, 552, ' ', "5.3.4",
                      "Message size exceeds fixed maximum message size");
    k = mw__fmt_u64(num, s->bdat_size);
    memcpy(text, num, k);
    memcpy(text + k, " octets received", 17);
    return mreply(s, 250, ' ', "2.0.0", text);
}
#endif

/* ====================================================================
 * Feed
 * ==================================================================== */

/* RFC 3207 §4.2 / CVE-2011-0411: nothing the client sent before the TLS
 * handshake may be read as a command after it. */
static int discard(mw_smtp_server *s, size_t n)
{
    size_t at = mw__line_offset(&s->line);
    s->discarded += n;
    mw__line_skip(&s->line, n);
    return report(s, MW_E_TLS_LEFTOVER, at, "plaintext after STARTTLS discarded");
}

int mw_smtp_server_feed(mw_smtp_server *s, const void *in, size_t len,
                        size_t *consumed)
{
    const char *p = (const char *)in;
    size_t pos = 0;
    int r = MW_OK;

    if (consumed != NULL)
        *consumed = 0;
    if (s == NULL || consumed == NULL || (in == NULL && len > 0))
        return MW_E_INVAL;
    if (s->state == ST_DEAD)
        return s->fatal;
    if (s->state == ST_CLOSED)
        return MW_E_CLOSED;
    if (s->state == ST_INIT || s->in_feed)
        return MW_E_STATE; /* not started, or called from a callback */
    s->paused = 0;
    s->in_feed = 1;
    s->sflags &= ~SF_CLOSING;

    while (pos < len && r == MW_OK) {
        size_t used = 0;
        if (s->sflags & SF_TLS_CUT) {
            /* STARTTLS was accepted inside this call (perhaps even the
             * handshake done): the rest of this input came in plaintext.
             * Dropped now, even when a callback asked to pause, so that
             * it cannot be fed again after the handshake. */
            r = discard(s, len - pos);
            pos = len;
            break;
        }
        if (s->paused)
            break;
        switch (s->state) {
        case ST_CMD:
        case ST_AUTH: {
            mw__line_ev ev;
            int lr = mw__line_next(&s->line, p + pos, len - pos, &used, &ev);
            pos += used;
            if (lr == 0)
                break;
            if (lr < 0)
                r = bad_line(s, &ev);
            else if (s->state == ST_AUTH)
                r = auth_line(s, ev.line, ev.offset);
            else
                r = command_line(s, ev.line, ev.offset);
            break;
        }
        case ST_DATA:
            r = data_step(s, p + pos, len - pos, &used);
            pos += used;
            break;
#if MW_ENABLE_SMTP_CHUNKING
        case ST_BDAT:
            r = bdat_step(s, p + pos, len - pos, &used);
            pos += used;
            break;
#endif
        case ST_TLS:
            r = discard(s, len - pos);
            pos = len;
            break;
        default: /* ST_REPLY, ST_CLOSED, ST_DEAD */
            goto out;
        }
        if (s->state == ST_DEAD)
            break;
    }
out:
    *consumed = pos;
    s->in_feed = 0;
    s->sflags &= ~SF_TLS_CUT;
    if (s->state == ST_DEAD)
        return s->fatal;
    if (r < 0)
        return r;
    if (s->sflags & SF_CLOSING) {
        s->sflags &= ~SF_CLOSING;
        return MW_DONE;
    }
    if (s->paused || s->state == ST_REPLY)
        return MW_PAUSED;
    return MW_OK;
}

/* ====================================================================
 * The rest
 * ==================================================================== */

int mw_smtp_server_tls_done(mw_smtp_server *s)
{
    if (s == NULL)
        return MW_E_INVAL;
    if (s->state == ST_DEAD)
        return s->fatal;
    if (s->state != ST_TLS)
        return MW_E_STATE;
    /* RFC 3207 §4.2: discard all knowledge from the client (HELO/EHLO,
     * AUTH, the transaction). */
    reset_transaction(s);
    s->sflags = SF_TLS | (s->sflags & SF_TLS_CUT);
    mw__line_reset(&s->line);
    s->state = ST_CMD;
    return MW_OK;
}

int mw_smtp_server_eof(mw_smtp_server *s)
{
    int r = MW_OK;
    if (s == NULL)
        return MW_E_INVAL;
    if (s->state == ST_DEAD)
        return s->fatal;
    if (s->state == ST_DATA || s->state == ST_BDAT || s->state == ST_AUTH ||
        (s->state == ST_CMD && mw__line_held(&s->line) > 0)) {
        r = MW_E_INCOMPLETE;
        report(s, r, mw__line_offset(&s->line),
               s->state == ST_CMD ? "connection closed inside a command line"
               : s->state == ST_AUTH ? "connection closed inside an AUTH exchange"
                                     : "connection closed inside a message");
        if (s->state == ST_DEAD)
            return s->fatal;
    }
    s->state = ST_CLOSED;
    return r;
}

unsigned mw_smtp_server_want(const mw_smtp_server *s)
{
    if (s == NULL)
        return 0;
    switch (s->state) {
    case ST_CMD:
    case ST_DATA:
    case ST_BDAT:
    case ST_AUTH:
        return MW_SMTP_SERVER_WANT_INPUT;
    case ST_REPLY:
        return MW_SMTP_SERVER_WANT_REPLY;
    case ST_TLS:
        return MW_SMTP_SERVER_WANT_TLS;
    case ST_CLOSED:
    case ST_DEAD:
        return MW_SMTP_SERVER_WANT_CLOSED;
    default:
        return 0;
    }
}

mw_smtp_verb mw_smtp_server_pending(const mw_smtp_server *s)
{
    if (s == NULL || s->state != ST_REPLY)
        return MW_SMTP_CMD_UNKNOWN;
    if (s->pending == P_DATA_END)
        return MW_SMTP_CMD_DATA;
    if (s->pending == P_SASL)
        return MW_SMTP_CMD_AUTH;
    return (mw_smtp_verb)s->pending;
}

size_t mw_smtp_server_discarded(const mw_smtp_server *s)
{
    return s != NULL ? s->discarded : 0;
}

int mw_smtp_server_error(const mw_smtp_server *s, mw_error *err)
{
    if (s == NULL)
        return MW_E_INVAL;
    if (err != NULL) {
        err->code = s->err_code;
        err->offset = s->err_offset;
        err->reason = s->err_reason != NULL ? s->err_reason : "";
    }
    return s->err_code;
}
