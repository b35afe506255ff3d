/* SPDX-License-Identifier: MIT */
/*
 * The POP3 client machine: formats commands (RFC 1939, RFC 2449 CAPA,
 * RFC 2595 STLS, RFC 5034 AUTH, RFC 6856 UTF8), matches every reply to the
 * oldest command in flight, parses status lines with their response codes
 * (RFC 2449 §8, RFC 3206), STAT/LIST/UIDL values, CAPA lines, and streams
 * RETR/TOP bodies through the core unstuffer. See include/mailwire/pop3.h.
 *
 * Safety rules (field-notes §4.1, §4.3, §4.8):
 * - every argument is refused when it holds CR, LF or NUL;
 * - a status line that is neither +OK nor -ERR, or a +OK nobody asked for,
 *   means the reply stream is out of step: the session ends;
 * - bytes that arrive behind the +OK to STLS are an injection attempt
 *   (CVE-2020-15953 class): the session ends; after TLS the capabilities
 *   are forgotten (RFC 2595 §4);
 * - a body ends only at CRLF "." CRLF (the core unstuffer's rule), and is
 *   never held whole: the application gets spans of the fed input.
 *
 * Tolerated habits of real servers (field-notes §3): "+OK" with no text
 * (Dovecot before CAPA lines), EXPIRE/LOGIN-DELAY arguments (Gmail),
 * unknown capabilities, trailing spaces, a challenge "+" without a space.
 */
#include "core/framing.h"
#include "mailwire/codec.h"
#include "pop3/grammar.h"

enum {
    IO_STATUS = 0, /* the next line is a status line */
    IO_LISTING,    /* lines of a LIST, UIDL, LANG or CAPA answer */
    IO_BODY,       /* a RETR or TOP body (dot-unstuffed) */
    IO_TLS         /* +OK to STLS read; waiting for tls_done */
};

enum { MECH_NONE = 0, MECH_PLAIN, MECH_LOGIN, MECH_XOAUTH2, MECH_HOOK };

#define Q_HAS_MSG 0x01u
#define Q_HAS_RANGE 0x02u /* LANG with a range: a one-line answer */

/* A SASL response waiting for the server's challenge (c->resp_b64). */
enum { RESP_NONE = 0, RESP_B64, RESP_RAW };

/* Internal bit of c->flags (above the MW_POP3_CLIENT_* config bits): the
 * last command sent is a USER not refused (yet), so PASS may follow it
 * (RFC 1939 §7: PASS only right after a successful USER; with PIPELINING
 * it may be sent before the +OK arrives). */
#define CF_USER_OK 0x80u

static const char crlf[] = "\r\n";

/* ---- errors ----------------------------------------------------------- */

static int report_(mw_pop3_client *c, int status, size_t offset,
                   const char *reason)
{
    int r;
    (void)mw__fail(&c->err, status, offset, reason);
    if (c->cb.error == NULL)
        return MW_OK;
    r = c->cb.error(c, c->user, status, offset, reason);
    if (r < 0) {
        c->phase = MW_POP3_STATE_CLOSED;
        (void)mw__fail(&c->err, MW_E_CALLBACK, offset, "error callback aborted");
        return MW_E_CALLBACK;
    }
    return r == MW_PAUSED ? MW_PAUSED : MW_OK;
}
#define report(c, status, offset, reason)                                    \
    report_((c), (status), (offset), MW__TEXT(reason))

/* End the session: the error callback hears it, the status is returned. */
static int fatal_(mw_pop3_client *c, int status, size_t offset,
                  const char *reason)
{
    if (c->phase == MW_POP3_STATE_CLOSED)
        return status;
    c->phase = MW_POP3_STATE_CLOSED;
    (void)mw__fail(&c->err, status, offset, reason);
    if (c->cb.error != NULL && status != MW_E_CALLBACK)
        (void)c->cb.error(c, c->user, status, offset, reason);
    return status;
}
#define fatal(c, status, offset, reason)                                     \
    fatal_((c), (status), (offset), MW__TEXT(reason))

static int cb_result_(mw_pop3_client *c, int r, const char *what)
{
    if (r < 0)
        return fatal(c, MW_E_CALLBACK, mw__line_offset(&c->line), what);
    return r == MW_PAUSED ? MW_PAUSED : MW_OK;
}
#define cb_result(c, r, what) cb_result_((c), (r), MW__TEXT(what))

static int send_bytes(mw_pop3_client *c, const char *p, size_t n)
{
    if (c->cb.send(c, c->user, p, n) < 0)
        return fatal(c, MW_E_CALLBACK, mw__line_offset(&c->line),
                     "send callback failed");
    return MW_OK;
}

/* ---- set-up ----------------------------------------------------------- */

void mw_pop3_client_config_init(mw_pop3_client_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_line = MW_POP3_REPLY_LINE_MAX;
    cfg->max_auth_line = MW_POP3_AUTH_LINE_DEFAULT;
    cfg->max_pipeline = MW_POP3_CLIENT_PIPELINE_MAX;
    cfg->newline = MW_NEWLINE_REJECT;
    cfg->body_newline = MW_NEWLINE_REJECT;
}

size_t mw_pop3_client_sizeof(void)
{
    return sizeof(mw_pop3_client);
}

static int policy_ok(mw_newline_policy p)
{
    return p == MW_NEWLINE_REJECT || p == MW_NEWLINE_ACCEPT ||
           p == MW_NEWLINE_PASS;
}

int mw_pop3_client_init(mw_pop3_client *c, const mw_pop3_client_config *cfg,
                        const mw_pop3_client_callbacks *cb, void *user,
                        char *linebuf, size_t linebuf_len)
{
    mw_pop3_client_config def;
    size_t f;

    if (c == NULL || cb == NULL || cb->send == NULL || linebuf == NULL)
        return MW_E_INVAL;
    if (cfg == NULL) {
        mw_pop3_client_config_init(&def);
        cfg = &def;
    }
    if (cfg->max_line < 16 || cfg->max_auth_line < 16 ||
        cfg->max_pipeline < 1 ||
        cfg->max_pipeline > MW_POP3_CLIENT_PIPELINE_MAX ||
        !policy_ok(cfg->newline) || !policy_ok(cfg->body_newline))
        return MW_E_INVAL;
    f = cfg->max_line > cfg->max_auth_line ? cfg->max_line
                                            : cfg->max_auth_line;
    if (linebuf_len < f)
        return MW_E_INVAL;
    memset(c, 0, sizeof(*c));
    if (mw__line_init(&c->line, linebuf, f, f - 2u, cfg->newline) != MW_OK)
        return MW_E_INVAL;
    c->cb = *cb;
    c->user = user;
    c->abuf = linebuf + f;
    c->abuf_len = linebuf_len - f;
    c->max_line = cfg->max_line;
    c->max_auth_line = cfg->max_auth_line;
    c->qmax = (uint8_t)cfg->max_pipeline;
    c->flags = (uint8_t)(cfg->flags & ~CF_USER_OK);
    c->newline = (uint8_t)cfg->newline;
    c->body_newline = (uint8_t)cfg->body_newline;
    c->tls = (cfg->flags & MW_POP3_CLIENT_TLS_ACTIVE) != 0;
    c->phase = MW_POP3_STATE_START;
    c->io = IO_STATUS;
    return MW_OK;
}

/* ---- the queue of commands in flight ---------------------------------- */


static mw__pop3_pending *front(mw_pop3_client *c)
{
    return c->qcount > 0 ? &c->q[c->qhead] : NULL;
}

static void pop(mw_pop3_client *c)
{
    mw__pop3_pending *p = &c->q[c->qhead];
    if (p->cmd == MW_POP3_CMD_PASS || p->cmd == MW_POP3_CMD_APOP)
        c->auth_inflight--;
    c->qhead = (uint8_t)((c->qhead + 1u) % MW_POP3_CLIENT_PIPELINE_MAX);
    c->qcount--;
}

static void push(mw_pop3_client *c, int cmd, unsigned flags, uint32_t msg)
{
    mw__pop3_pending *p =
        &c->q[(c->qhead + c->qcount) % MW_POP3_CLIENT_PIPELINE_MAX];
    p->cmd = (uint8_t)cmd;
    p->flags = (uint8_t)flags;
    p->msg = msg;
    c->qcount++;
    if (cmd == MW_POP3_CMD_PASS || cmd == MW_POP3_CMD_APOP)
        c->auth_inflight++;
    if (cmd == MW_POP3_CMD_USER)
        c->flags |= CF_USER_OK;
    else
        c->flags &= (uint8_t)~CF_USER_OK;
}

/* STLS or AUTH in flight: nothing may follow them (RFC 2595 §4: the
 * client must not pipeline after STLS; SASL exchanges are lock-step). */
static int exclusive_inflight(const mw_pop3_client *c)
{
    unsigned i;
    if (c->mech != MECH_NONE)
        return 1;
    for (i = 0; i < c->qcount; i++) {
        unsigned cmd =
            c->q[(c->qhead + i) % MW_POP3_CLIENT_PIPELINE_MAX].cmd;
        if (cmd == MW_POP3_CMD_STLS || cmd == MW_POP3_CMD_AUTH)
            return 1;
    }
    return 0;
}

static int pipelining(const mw_pop3_client *c)
{
    return (c->capa.flags & MW_POP3_CAPA_PIPELINING) &&
           !(c->flags & MW_POP3_CLIENT_NO_PIPELINING);
}

/* May command `id` be sent now? */
static int can_send(const mw_pop3_client *c, int id)
{
    if (c->phase == MW_POP3_STATE_CLOSED || c->phase == MW_POP3_STATE_START ||
        c->io == IO_TLS)
        return 0;
    if (c->qcount > 0) {
        if (!pipelining(c) || c->qcount >= c->qmax || exclusive_inflight(c))
            return 0;
        if (id == MW_POP3_CMD_STLS || id == MW_POP3_CMD_AUTH)
            return 0;
    }
    switch (id) {
    case MW_POP3_CMD_USER:
    case MW_POP3_CMD_PASS:
    case MW_POP3_CMD_APOP:
    case MW_POP3_CMD_AUTH:
        if ((c->flags & MW_POP3_CLIENT_REQUIRE_TLS) && !c->tls)
            return 0; /* no credentials in clear (field-notes §4.1) */
        if (id == MW_POP3_CMD_PASS && !(c->flags & CF_USER_OK))
            return 0; /* the server would refuse it */
        return c->phase == MW_POP3_STATE_AUTHORIZATION;
    case MW_POP3_CMD_STLS:
        return c->phase == MW_POP3_STATE_AUTHORIZATION && !c->tls;
    case MW_POP3_CMD_UTF8:
        return c->phase == MW_POP3_STATE_AUTHORIZATION;
    case MW_POP3_CMD_CAPA:
    case MW_POP3_CMD_QUIT:
        return 1;
    case MW_POP3_CMD_LANG: /* RFC 6856 §3.1: both states */
        return c->phase == MW_POP3_STATE_AUTHORIZATION ||
               c->phase == MW_POP3_STATE_TRANSACTION;
    default:
        /* TRANSACTION commands; pipelined behind a PASS or APOP they
         * wait for its outcome at the server. */
        return c->phase == MW_POP3_STATE_TRANSACTION ||
               (c->phase == MW_POP3_STATE_AUTHORIZATION &&
                c->auth_inflight > 0);
    }
}

/* ---- commands --------------------------------------------------------- */

/* Format and send "KW [a] [b]" CRLF, then queue it. */
static int issue(mw_pop3_client *c, int id, unsigned qflags, uint32_t msg,
                 const char *a, size_t an, const char *b, size_t bn)
{
    mw__pop3_buf out;
    int r;

    if (c == NULL)
        return MW_E_INVAL;
    if ((a != NULL && (an == 0 || !mw__pop3_text_ok(a, an))) ||
        (b != NULL && (bn == 0 || !mw__pop3_text_ok(b, bn))))
        return MW_E_INVAL;
    /* RFC 6856 §2: in UTF-8 mode user names and passwords are UTF-8 (the
     * server machine refuses anything else). */
    if (c->utf8 && (id == MW_POP3_CMD_USER || id == MW_POP3_CMD_PASS) &&
        mw_utf8_check(a, an, NULL) != MW_OK)
        return MW_E_INVAL;
    if (!can_send(c, id))
        return MW_E_STATE;
    out.p = c->out;
    out.len = 0;
    out.cap = MW_POP3_CMD_LINE_MAX;
    out.overflow = 0;
    mw__pop3_puts(&out, mw_pop3_cmd_name(id));
    if (a != NULL) {
        mw__pop3_put(&out, " ", 1);
        mw__pop3_put(&out, a, an);
    }
    if (b != NULL) {
        mw__pop3_put(&out, " ", 1);
        mw__pop3_put(&out, b, bn);
    }
    mw__pop3_put(&out, crlf, 2);
    if (out.overflow)
        return MW_E_TOO_LONG;
    r = send_bytes(c, out.p, out.len);
    if (r != MW_OK)
        return r;
    push(c, id, qflags, msg);
    return MW_OK;
}

static int issue_msg(mw_pop3_client *c, int id, uint32_t msg, int optional)
{
    char num[20];
    size_t n;
    if (c == NULL)
        return MW_E_INVAL;
    if (msg == 0) {
        if (!optional)
            return MW_E_INVAL;
        return issue(c, id, 0, 0, NULL, 0, NULL, 0);
    }
    n = mw__pop3_fmt_u64(num, msg);
    return issue(c, id, Q_HAS_MSG, msg, num, n, NULL, 0);
}

int mw_pop3_client_user(mw_pop3_client *c, const char *name, size_t n)
{
    if (name == NULL)
        return MW_E_INVAL;
    /* Servers drop trailing spaces of USER (ours does): the name would
     * not arrive as given. */
    if (n > 0 && name[n - 1] == ' ')
        return MW_E_INVAL;
    return issue(c, MW_POP3_CMD_USER, 0, 0, name, n, NULL, 0);
}

int mw_pop3_client_pass(mw_pop3_client *c, const char *pass, size_t n)
{
    if (pass == NULL)
        return MW_E_INVAL;
    return issue(c, MW_POP3_CMD_PASS, 0, 0, pass, n, NULL, 0);
}

int mw_pop3_client_apop(mw_pop3_client *c, const char *name, size_t n,
                        const void *secret, size_t slen)
{
#if MW_ENABLE_SASL_CRAM_MD5
    mw_md5 m;
    uint8_t d[MW_MD5_LEN];
    char hex[MW_MD5_HEX_LEN];
    int r;

    if (c == NULL || name == NULL || (secret == NULL && slen > 0))
        return MW_E_INVAL;
    /* Servers split "APOP name digest" at the first space. */
    if (n == 0 || memchr(name, ' ', n) != NULL ||
        !mw__pop3_text_ok(name, n))
        return MW_E_INVAL;
    if (!c->has_ts)
        return MW_E_STATE;
    /* RFC 1939 §7: MD5(timestamp || secret), the timestamp's state kept
     * from the greeting. */
    m = c->apop;
    mw_md5_update(&m, secret, slen);
    mw_md5_final(&m, d);
    mw_hex_lower(d, MW_MD5_LEN, hex);
    memset(&m, 0, sizeof m);
    r = issue(c, MW_POP3_CMD_APOP, 0, 0, name, n, hex, sizeof hex);
    memset(hex, 0, sizeof hex);
    return r;
#else
    /* Compiled out (features.h). */
    (void)c, (void)name, (void)n, (void)secret, (void)slen;
    return MW_E_UNSUPPORTED;
#endif
}

int mw_pop3_client_stat(mw_pop3_client *c)
{
    return issue(c, MW_POP3_CMD_STAT, 0, 0, NULL, 0, NULL, 0);
}

int mw_pop3_client_list(mw_pop3_client *c, uint32_t msg)
{
    return issue_msg(c, MW_POP3_CMD_LIST, msg, 1);
}

int mw_pop3_client_retr(mw_pop3_client *c, uint32_t msg)
{
    return issue_msg(c, MW_POP3_CMD_RETR, msg, 0);
}

int mw_pop3_client_dele(mw_pop3_client *c, uint32_t msg)
{
    return issue_msg(c, MW_POP3_CMD_DELE, msg, 0);
}

int mw_pop3_client_noop(mw_pop3_client *c)
{
    return issue(c, MW_POP3_CMD_NOOP, 0, 0, NULL, 0, NULL, 0);
}

int mw_pop3_client_rset(mw_pop3_client *c)
{
    return issue(c, MW_POP3_CMD_RSET, 0, 0, NULL, 0, NULL, 0);
}

int mw_pop3_client_quit(mw_pop3_client *c)
{
    return issue(c, MW_POP3_CMD_QUIT, 0, 0, NULL, 0, NULL, 0);
}

int mw_pop3_client_top(mw_pop3_client *c, uint32_t msg, uint32_t lines)
{
    char num[20], ln[20];
    size_t n, l;
    if (c == NULL)
        return MW_E_INVAL;
    if (msg == 0)
        return MW_E_INVAL;
    n = mw__pop3_fmt_u64(num, msg);
    l = mw__pop3_fmt_u64(ln, lines);
    return issue(c, MW_POP3_CMD_TOP, Q_HAS_MSG, msg, num, n, ln, l);
}

int mw_pop3_client_uidl(mw_pop3_client *c, uint32_t msg)
{
    return issue_msg(c, MW_POP3_CMD_UIDL, msg, 1);
}

int mw_pop3_client_capa(mw_pop3_client *c)
{
    return issue(c, MW_POP3_CMD_CAPA, 0, 0, NULL, 0, NULL, 0);
}

int mw_pop3_client_stls(mw_pop3_client *c)
{
    return issue(c, MW_POP3_CMD_STLS, 0, 0, NULL, 0, NULL, 0);
}

int mw_pop3_client_lang(mw_pop3_client *c, const char *range, size_t n)
{
    if (range == NULL || n == 0)
        return issue(c, MW_POP3_CMD_LANG, 0, 0, NULL, 0, NULL, 0);
    if (!mw__pop3_lang_ok(range, n, 1))
        return MW_E_INVAL;
    return issue(c, MW_POP3_CMD_LANG, Q_HAS_RANGE, 0, range, n, NULL, 0);
}

int mw_pop3_client_utf8(mw_pop3_client *c)
{
    return issue(c, MW_POP3_CMD_UTF8, 0, 0, NULL, 0, NULL, 0);
}

/* ---- AUTH ------------------------------------------------------------- */

static void auth_reset(mw_pop3_client *c)
{
    /* The SASL buffer held credentials: wipe what was used. */
    size_t used = c->resp2_off + c->resp2_len;
    if (c->resp_off + c->resp_len > used)
        used = c->resp_off + c->resp_len;
    if (used > 0)
        used += 2; /* the CRLF written after a response */
    if (used > c->abuf_len)
        used = c->abuf_len;
    if (used > 0)
        memset(c->abuf, 0, used);
    c->mech = MECH_NONE;
    c->sasl_step = 0;
    c->sasl_last = 0;
    c->resp_b64 = 0;
    c->resp_off = c->resp_len = c->resp2_off = c->resp2_len = 0;
    c->step = NULL;
    c->step_user = NULL;
}

/* Send abuf[off..off+len) + CRLF (room for the CRLF was kept), then wipe
 * it: the credentials stay in the buffer no longer than needed. */
static int send_abuf_line(mw_pop3_client *c, size_t off, size_t len)
{
    int r;
    memcpy(c->abuf + off + len, crlf, 2);
    r = send_bytes(c, c->abuf + off, len + 2);
    memset(c->abuf + off, 0, len + 2);
    return r;
}

/* Encode raw bytes abuf[0..n) into the line buffer (free at this point:
 * no partial line is held) after `prefix`, and send it as one line. */
static int send_raw_response(mw_pop3_client *c, const char *prefix, size_t n)
{
    size_t p = prefix != NULL ? strlen(prefix) : 0, w = 0;
    char *line = c->line.buf;
    if (p > 0)
        memcpy(line, prefix, p);
    if (mw_base64_encode(c->abuf, n, line + p, c->line.size - p - 2u, &w) !=
        MW_OK)
        return MW_E_NOSPACE;
    memcpy(line + p + w, crlf, 2);
    {
        int r = send_bytes(c, line, p + w + 2);
        memset(line, 0, p + w + 2);
        return r;
    }
}

static int auth_precheck(mw_pop3_client *c, const char *mech)
{
    if (c == NULL || mech == NULL)
        return MW_E_INVAL;
    if (!mw__pop3_mech_ok(mech, strlen(mech)))
        return MW_E_INVAL;
    if (!can_send(c, MW_POP3_CMD_AUTH) || c->qcount > 0 ||
        mw__line_held(&c->line) > 0)
        return MW_E_STATE;
    return MW_OK;
}

/* AUTH with a base64 initial response already at abuf[P..P+n), where P is
 * the length of "AUTH mech ". RFC 5034 §4: use the initial response only
 * when the command fits 255 octets; else wait for the "+". */
static int auth_with_b64(mw_pop3_client *c, const char *mech, int kind,
                         size_t n)
{
    size_t p = 6u + strlen(mech);
    int r;
    if (p + n + 2u <= MW_POP3_CMD_LINE_MAX) {
        memcpy(c->abuf, "AUTH ", 5);
        memcpy(c->abuf + 5, mech, p - 6u);
        c->abuf[p - 1u] = ' ';
        r = send_abuf_line(c, 0, p + n);
    } else {
        r = issue(c, MW_POP3_CMD_AUTH, 0, 0, mech, p - 6u, NULL, 0);
        if (r != MW_OK)
            return r;
        c->resp_off = p;
        c->resp_len = n;
        c->resp_b64 = RESP_B64;
        c->mech = (uint8_t)kind;
        return MW_OK;
    }
    if (r != MW_OK)
        return r;
    push(c, MW_POP3_CMD_AUTH, 0, 0);
    c->mech = (uint8_t)kind;
    return MW_OK;
}

/* Room in abuf for base64 after "AUTH mech " and before CRLF, limited by
 * max_auth_line. */
static size_t b64_room(const mw_pop3_client *c, size_t prefix)
{
    size_t lim = c->max_auth_line;
    size_t cap = c->abuf_len < lim ? c->abuf_len : lim;
    return cap > prefix + 2u ? cap - prefix - 2u : 0;
}

int mw_pop3_client_auth_plain(mw_pop3_client *c, const char *authzid,
                              size_t zlen, const char *user, size_t ulen,
                              const char *pass, size_t plen)
{
    size_t p, n = 0;
    int r = auth_precheck(c, "PLAIN");
    if (r != MW_OK)
        return r;
    p = 6u + 5u;
    r = mw_sasl_plain_encode(authzid, zlen, user, ulen, pass, plen,
                             c->abuf + (c->abuf_len > p ? p : 0),
                             b64_room(c, p), &n);
    if (r != MW_OK)
        return r;
    return auth_with_b64(c, "PLAIN", MECH_PLAIN, n);
}

int mw_pop3_client_auth_xoauth2(mw_pop3_client *c, const char *user,
                                size_t ulen, const char *token, size_t tlen)
{
#if MW_ENABLE_SASL_OAUTH
    size_t p, n = 0;
    int r = auth_precheck(c, "XOAUTH2");
    if (r != MW_OK)
        return r;
    p = 6u + 7u;
    r = mw_sasl_xoauth2_encode(user, ulen, token, tlen,
                               c->abuf + (c->abuf_len > p ? p : 0),
                               b64_room(c, p), &n);
    if (r != MW_OK)
        return r;
    return auth_with_b64(c, "XOAUTH2", MECH_XOAUTH2, n);
#else
    /* Compiled out (features.h), whatever the state. */
    (void)c, (void)user, (void)ulen, (void)token, (void)tlen;
    return MW_E_UNSUPPORTED;
#endif
}

int mw_pop3_client_auth_login(mw_pop3_client *c, const char *user,
                              size_t ulen, const char *pass, size_t plen)
{
    size_t a = 0, b = 0, room;
    int r = auth_precheck(c, "LOGIN");
    if (r != MW_OK)
        return r;
    if (user == NULL || pass == NULL || ulen == 0)
        return MW_E_INVAL;
    /* abuf: user's base64, CRLF room, password's base64, CRLF room. */
    room = b64_room(c, 0);
    r = mw_sasl_login_encode(user, ulen, c->abuf, room, &a);
    if (r != MW_OK)
        return r;
    room = c->abuf_len > a + 2u ? b64_room(c, a + 2u) : 0;
    r = mw_sasl_login_encode(pass, plen, room ? c->abuf + a + 2u : NULL,
                             room, &b);
    if (r != MW_OK) {
        memset(c->abuf, 0, a);
        return r;
    }
    r = issue(c, MW_POP3_CMD_AUTH, 0, 0, "LOGIN", 5, NULL, 0);
    if (r != MW_OK) {
        memset(c->abuf, 0, a + 2u + b);
        return r;
    }
    c->mech = MECH_LOGIN;
    c->resp_off = 0;
    c->resp_len = a;
    c->resp2_off = a + 2u;
    c->resp2_len = b;
    c->resp_b64 = RESP_B64;
    return MW_OK;
}

/* Raw response capacity for the hook: what fits one SASL line once
 * base64-encoded, and the SASL buffer. */
static size_t hook_cap(const mw_pop3_client *c)
{
    size_t lim = c->max_auth_line < c->line.size ? c->max_auth_line
                                                 : c->line.size;
    size_t cap = lim > 2u ? ((lim - 2u) / 4u) * 3u : 0;
    return cap < c->abuf_len ? cap : c->abuf_len;
}

int mw_pop3_client_auth(mw_pop3_client *c, const char *mech,
                        mw_sasl_step_fn step, void *step_user)
{
    size_t rlen = 0, cap, mlen, enc;
    int r = auth_precheck(c, mech), hr;
    if (r != MW_OK)
        return r;
    if (step == NULL)
        return MW_E_INVAL;
    cap = hook_cap(c);
    if (cap == 0)
        return MW_E_NOSPACE;
    mlen = strlen(mech);
    hr = step(step_user, NULL, 0, c->abuf, cap, &rlen);
    if (hr != MW_OK && hr != MW_DONE && hr != MW_PAUSED) {
        memset(c->abuf, 0, cap);
        return hr < 0 ? hr : MW_E_INVAL;
    }
    if (rlen > cap) {
        memset(c->abuf, 0, cap);
        return MW_E_INVAL;
    }
    if (hr == MW_PAUSED)
        rlen = 0;
    enc = rlen > 0 ? mw_base64_encoded_len(rlen) : 1u; /* "=" when empty */
    if (hr != MW_PAUSED && 6u + mlen + enc + 2u <= MW_POP3_CMD_LINE_MAX) {
        /* "AUTH mech ir" in one line (RFC 5034 §4). The line buffer is
         * free: nothing is held and no reply is awaited. */
        char *line = c->line.buf;
        size_t p = 6u + mlen, w = 1;
        memcpy(line, "AUTH ", 5);
        memcpy(line + 5, mech, mlen);
        line[p - 1u] = ' ';
        if (rlen == 0)
            line[p] = '=';
        else
            mw_base64_encode(c->abuf, rlen, line + p, c->line.size - p - 2u,
                             &w);
        memcpy(line + p + w, crlf, 2);
        r = send_bytes(c, line, p + w + 2);
        memset(line, 0, p + w + 2);
        memset(c->abuf, 0, rlen);
        if (r != MW_OK)
            return r;
        push(c, MW_POP3_CMD_AUTH, 0, 0);
    } else {
        /* No initial response, or one too long for the command line: it
         * answers the server's first (empty) challenge. */
        r = issue(c, MW_POP3_CMD_AUTH, 0, 0, mech, mlen, NULL, 0);
        if (r != MW_OK) {
            memset(c->abuf, 0, rlen);
            return r;
        }
        if (hr != MW_PAUSED) {
            c->resp_off = 0;
            c->resp_len = rlen;
            c->resp_b64 = RESP_RAW;
        }
    }
    c->step = step;
    c->step_user = step_user;
    c->mech = MECH_HOOK;
    c->sasl_last = (uint8_t)(hr == MW_DONE);
    return MW_OK;
}

/* ---- replies ---------------------------------------------------------- */

/* Decode a challenge's base64 into the line buffer, in place: each group
 * of four characters is copied out before its three bytes are written, and
 * writes (at 3g/4) never pass the next unread group (at g + 4). Strict
 * RFC 4648: padding only in the last group. */
static int decode_challenge(mw_pop3_client *c, mw_span b64, size_t *dlen,
                            size_t *bad)
{
    char *buf = c->line.buf;
    size_t g, o = 0, n = b64.len;

    memmove(buf, b64.ptr, n);
    if (n % 4u != 0) {
        *bad = n;
        return MW_E_BASE64;
    }
    for (g = 0; g < n; g += 4) {
        char tmp[4];
        size_t w = 0;
        mw_error e;
        memcpy(tmp, buf + g, 4);
        e.offset = 0;
        if (mw_base64_decode(tmp, 4, buf + o, 3, &w, 0, &e) != MW_OK) {
            *bad = g + e.offset;
            return MW_E_BASE64;
        }
        if (w < 3 && g + 4 < n) {
            *bad = g;
            return MW_E_BASE64;
        }
        o += w;
    }
    *dlen = o;
    return MW_OK;
}

static int cancel_auth(mw_pop3_client *c)
{
    return send_bytes(c, "*\r\n", 3); /* RFC 5034 §4 */
}

/* "+ base64" while AUTH is in flight (RFC 5034 §4). */
static int on_challenge(mw_pop3_client *c, const mw__line_ev *ev, int lr,
                        mw_span b64)
{
    size_t dlen = 0, bad = 0, rlen = 0;
    int dr, r = MW_OK, pause = 0, hr;

    if (lr < 0 || ev->line.len > c->max_auth_line - 2u) {
        r = report(c, lr < 0 ? lr : MW_E_TOO_LONG, ev->err_offset,
                   "bad SASL challenge line");
        if (r < 0)
            return r;
        return cancel_auth(c);
    }
    /* A response that waited for this (empty) challenge. */
    if (c->resp_b64 == RESP_RAW) {
        c->resp_b64 = RESP_NONE;
        c->sasl_step++;
        r = send_raw_response(c, NULL, c->resp_len);
        memset(c->abuf, 0, c->resp_len);
        return r;
    }
    if (c->resp_b64 == RESP_B64 && c->mech != MECH_LOGIN) {
        c->resp_b64 = RESP_NONE;
        c->sasl_step++;
        return send_abuf_line(c, c->resp_off, c->resp_len);
    }
    dr = decode_challenge(c, b64, &dlen, &bad);
    if (dr == MW_OK && c->cb.challenge != NULL) {
        r = cb_result(c, c->cb.challenge(c, c->user, c->line.buf, dlen),
                      "challenge callback aborted");
        if (r < 0)
            return r;
        pause = r == MW_PAUSED;
    }
    switch (c->mech) {
    case MECH_LOGIN:
        /* The order alone decides: user name, then password. */
        if (c->sasl_step == 0)
            r = send_abuf_line(c, c->resp_off, c->resp_len);
        else if (c->sasl_step == 1)
            r = send_abuf_line(c, c->resp2_off, c->resp2_len);
        else
            r = cancel_auth(c);
        c->sasl_step++;
        break;
    case MECH_XOAUTH2:
        /* The error challenge (JSON) is answered with an empty line; the
         * server then fails the exchange. */
        r = send_bytes(c, crlf, 2);
        break;
    case MECH_HOOK:
        if (dr != MW_OK) {
            r = report(c, MW_E_BASE64, ev->offset + 2u + bad,
                       "SASL challenge is not base64");
            if (r >= 0)
                r = cancel_auth(c);
            break;
        }
        if (c->sasl_last) {
            r = report(c, MW_E_SEQUENCE, ev->offset,
                       "challenge after the mechanism's last step");
            if (r >= 0)
                r = cancel_auth(c);
            break;
        }
        hr = c->step(c->step_user, c->line.buf, dlen, c->abuf, hook_cap(c),
                     &rlen);
        if ((hr == MW_OK || hr == MW_DONE) && rlen <= hook_cap(c)) {
            c->sasl_last = (uint8_t)(hr == MW_DONE);
            r = send_raw_response(c, NULL, rlen);
            memset(c->abuf, 0, rlen);
        } else {
            r = report(c, hr < 0 ? hr : MW_E_INVAL, ev->offset,
                       "SASL mechanism gave up");
            if (r >= 0)
                r = cancel_auth(c);
        }
        c->sasl_step++;
        break;
    default: /* PLAIN: nothing more to say */
        r = cancel_auth(c);
        break;
    }
    if (r < 0)
        return r;
    return pause ? MW_PAUSED : r;
}

static int is_multi(const mw__pop3_pending *f)
{
    switch (f->cmd) {
    case MW_POP3_CMD_RETR:
    case MW_POP3_CMD_TOP:
    case MW_POP3_CMD_CAPA:
        return 1;
    case MW_POP3_CMD_LIST:
    case MW_POP3_CMD_UIDL:
        return !(f->flags & Q_HAS_MSG);
    case MW_POP3_CMD_LANG:
        return !(f->flags & Q_HAS_RANGE);
    default:
        return 0;
    }
}

static int malformed_(mw_pop3_client *c, mw_pop3_reply *rp, const char *why)
{
    rp->flags |= MW_POP3_REPLY_MALFORMED;
    return report(c, MW_E_SYNTAX, rp->offset, why);
}
#define malformed(c, rp, why) malformed_((c), (rp), MW__TEXT(why))

static int on_status(mw_pop3_client *c, const mw__line_ev *ev, int lr,
                     int more)
{
    mw__pop3_pending *f = front(c);
    mw_span line = ev->line;
    mw__pop3_status st;
    mw_pop3_reply rp;
    int r = MW_OK, pause = 0, cmd;

    /* A challenge: "+" alone or "+ " base64 ("+OK" is not one). */
    if (f != NULL && f->cmd == MW_POP3_CMD_AUTH && line.len >= 1 &&
        line.ptr[0] == '+' && (line.len == 1 || line.ptr[1] == ' ')) {
        mw_span b = line.len > 2 ? mw__span(line.ptr + 2, line.len - 2)
                                 : mw__span(line.ptr, 0);
        while (b.len > 0 && b.ptr[b.len - 1] == ' ')
            b.len--;
        return on_challenge(c, ev, lr, b);
    }
    memset(&rp, 0, sizeof rp);
    rp.offset = ev->offset;
    if (lr < 0) {
        /* Still a reply: skipping it would put every later reply out of
         * step. Its problem is reported. */
        if (lr == MW_E_TOO_LONG)
            rp.flags |= MW_POP3_REPLY_TRUNCATED;
        r = report(c, lr, ev->err_offset,
                   lr == MW_E_TOO_LONG ? "reply line too long"
                   : lr == MW_E_NUL    ? "NUL in a reply line"
                                       : "reply line without CRLF");
        if (r < 0)
            return r;
        pause = r == MW_PAUSED;
    }
    if (line.len > c->max_line - 2u) {
        line.len = c->max_line - 2u;
        if (!(rp.flags & MW_POP3_REPLY_TRUNCATED)) {
            rp.flags |= MW_POP3_REPLY_TRUNCATED;
            r = report(c, MW_E_TOO_LONG, ev->offset, "reply line too long");
            if (r < 0)
                return r;
            pause |= r == MW_PAUSED;
        }
    }
    if (mw__pop3_parse_status(line.ptr, line.len, &st) != MW_OK)
        return fatal(c, MW_E_SYNTAX, ev->offset,
                     "reply is neither +OK nor -ERR");
    rp.ok = st.ok;
    rp.code = st.rcode;
    rp.code_text = st.code;
    rp.text = st.text;

    if (f == NULL) {
        if (c->phase == MW_POP3_STATE_START) {
            /* The greeting (RFC 1939 §4), maybe with an APOP timestamp. */
            mw_span ts;
            if (st.ok) {
                c->phase = MW_POP3_STATE_AUTHORIZATION;
                if (mw_sasl_apop_find_timestamp(line.ptr, line.len, &ts) ==
                    MW_OK) {
                    mw_md5_init(&c->apop);
                    mw_md5_update(&c->apop, ts.ptr, ts.len);
                    c->has_ts = 1;
                    rp.timestamp = ts;
                    rp.flags |= MW_POP3_REPLY_TIMESTAMP;
                }
            } else {
                c->phase = MW_POP3_STATE_CLOSED; /* the server refuses */
            }
        } else if (st.ok) {
            return fatal(c, MW_E_SYNTAX, ev->offset, "unsolicited +OK");
        }
        /* else: an unsolicited -ERR, typically before the server closes
         * (an inactivity timeout); delivered with cmd NONE. */
        if (c->cb.reply != NULL) {
            r = cb_result(c, c->cb.reply(c, c->user, &rp),
                          "reply callback aborted");
            if (r < 0)
                return r;
            pause |= r == MW_PAUSED;
        }
        return pause ? MW_PAUSED : MW_OK;
    }

    cmd = f->cmd;
    rp.cmd = cmd;
    rp.msg = f->msg;
    if (cmd == MW_POP3_CMD_USER && !st.ok)
        c->flags &= (uint8_t)~CF_USER_OK;
    if (st.ok) {
        switch (cmd) {
        case MW_POP3_CMD_STAT:
            if (mw__pop3_parse_stat(st.text.ptr, st.text.len, &rp.count,
                                    &rp.octets) != MW_OK)
                r = malformed(c, &rp, "STAT answer without count and size");
            break;
        case MW_POP3_CMD_LIST:
            if (f->flags & Q_HAS_MSG) {
                uint32_t m = 0;
                if (mw__pop3_parse_scan(st.text.ptr, st.text.len, &m,
                                        &rp.octets) != MW_OK || m != f->msg) {
                    rp.octets = 0;
                    r = malformed(c, &rp, "LIST answer is not a scan listing");
                }
            }
            break;
        case MW_POP3_CMD_UIDL:
            if (f->flags & Q_HAS_MSG) {
                uint32_t m = 0;
                if (mw__pop3_parse_uidl(st.text.ptr, st.text.len, &m,
                                        &rp.uid) != MW_OK || m != f->msg) {
                    rp.uid = mw__span(NULL, 0);
                    r = malformed(c, &rp,
                                  "UIDL answer is not a unique-id listing");
                }
            }
            break;
        case MW_POP3_CMD_CAPA:
            memset(&c->capa, 0, sizeof c->capa); /* replaced, not merged */
            break;
        case MW_POP3_CMD_PASS:
        case MW_POP3_CMD_APOP:
        case MW_POP3_CMD_AUTH:
            c->phase = MW_POP3_STATE_TRANSACTION;
            break;
        case MW_POP3_CMD_STLS:
            /* Anything already behind the +OK was sent before TLS and
             * would be read as if it came through it. */
            if (more || mw__line_held(&c->line) > 0)
                return fatal(c, MW_E_INJECTION, mw__line_offset(&c->line),
                             "data after +OK to STLS (response injection)");
            c->io = IO_TLS;
            break;
        case MW_POP3_CMD_UTF8:
            c->utf8 = 1;
            break;
        case MW_POP3_CMD_LANG:
            /* RFC 6856 §3.2: "+OK" SP tag SP text */
            if ((f->flags & Q_HAS_RANGE) &&
                mw__pop3_parse_lang(st.text.ptr, st.text.len, &rp.lang,
                                    &rp.text) != MW_OK)
                r = malformed(c, &rp, "LANG answer without a language tag");
            break;
        default:
            break;
        }
        if (r < 0)
            return r;
        pause |= r == MW_PAUSED;
    }
    if (cmd == MW_POP3_CMD_AUTH)
        auth_reset(c);
    if (st.ok && is_multi(f)) {
        rp.flags |= MW_POP3_REPLY_MULTILINE;
        if (cmd == MW_POP3_CMD_RETR || cmd == MW_POP3_CMD_TOP) {
            c->io = IO_BODY;
            mw__dot_unstuff_init(&c->dot, (mw_newline_policy)c->body_newline,
                                 mw__line_offset(&c->line));
        } else {
            c->io = IO_LISTING;
        }
    } else {
        pop(c);
    }
    if (cmd == MW_POP3_CMD_QUIT)
        c->phase = MW_POP3_STATE_CLOSED; /* RFC 1939 §6: the server closes */
    if (c->cb.reply != NULL) {
        r = cb_result(c, c->cb.reply(c, c->user, &rp),
                      "reply callback aborted");
        if (r < 0)
            return r;
        pause |= r == MW_PAUSED;
    }
    return pause ? MW_PAUSED : MW_OK;
}

static int end_multi(mw_pop3_client *c)
{
    int cmd = front(c)->cmd;
    if (cmd == MW_POP3_CMD_CAPA)
        c->capa.flags |= MW_POP3_CAPA_KNOWN;
    pop(c);
    c->io = IO_STATUS;
    if (c->cb.end == NULL)
        return MW_OK;
    return cb_result(c, c->cb.end(c, c->user, cmd), "end callback aborted");
}

/* A line of a LIST, UIDL, LANG or CAPA answer (RFC 1939 §3: dot-stuffed lines,
 * ended by "."). */
static int on_listing(mw_pop3_client *c, const mw__line_ev *ev, int lr)
{
    mw_span line = ev->line;
    int cmd = front(c)->cmd, r = MW_OK;

    if (lr < 0)
        return report(c, lr, ev->err_offset,
                      "bad line in a multi-line answer (skipped)");
    if (line.len == 1 && line.ptr[0] == '.')
        return end_multi(c);
    if (line.len > 0 && line.ptr[0] == '.') {
        line.ptr++;
        line.len--;
    }
    if (ev->line.len > c->max_line - 2u)
        return report(c, MW_E_TOO_LONG, ev->offset,
                      "line of a multi-line answer too long (skipped)");
    if (cmd == MW_POP3_CMD_CAPA) {
        mw_pop3_capa_line cap;
        if (mw__pop3_parse_capa(line.ptr, line.len, &cap) != MW_OK)
            return report(c, MW_E_SYNTAX, ev->offset,
                          "malformed capability (skipped)");
        cap.offset = ev->offset;
        if (mw__pop3_capa_apply(&c->capa, &cap) != MW_OK) {
            r = report(c, MW_E_SYNTAX, ev->offset,
                       "malformed capability arguments (ignored)");
            if (r < 0)
                return r;
        }
        if (c->cb.capability != NULL) {
            int r2 = cb_result(c, c->cb.capability(c, c->user, &cap),
                               "capability callback aborted");
            if (r2 != MW_OK)
                return r2;
        }
        return r;
    } else {
        mw_pop3_listing l;
        int pr;
        memset(&l, 0, sizeof l);
        l.cmd = cmd;
        l.offset = ev->offset;
        if (cmd == MW_POP3_CMD_LIST)
            pr = mw__pop3_parse_scan(line.ptr, line.len, &l.msg, &l.octets);
        else if (cmd == MW_POP3_CMD_UIDL)
            pr = mw__pop3_parse_uidl(line.ptr, line.len, &l.msg, &l.uid);
        else
            pr = mw__pop3_parse_lang(line.ptr, line.len, &l.lang,
                                     &l.description);
        if (pr != MW_OK)
            return report(c, MW_E_SYNTAX, ev->offset,
                          cmd == MW_POP3_CMD_LIST
                              ? "malformed scan listing (skipped)"
                          : cmd == MW_POP3_CMD_UIDL
                              ? "malformed unique-id listing (skipped)"
                              : "malformed language listing (skipped)");
        if (c->cb.listing == NULL)
            return MW_OK;
        return cb_result(c, c->cb.listing(c, c->user, &l),
                         "listing callback aborted");
    }
}

int mw_pop3_client_feed(mw_pop3_client *c, const void *in, size_t len,
                        size_t *consumed)
{
    const char *p = (const char *)in;
    size_t pos = 0;
    int r = MW_OK;

    if (consumed != NULL)
        *consumed = 0;
    if (c == NULL || consumed == NULL || (p == NULL && len > 0))
        return MW_E_INVAL;
    if (c->phase == MW_POP3_STATE_CLOSED)
        return MW_E_CLOSED;

    while (pos < len) {
        size_t used = 0;
        int lr;
        if (c->io == IO_BODY) {
            /* The hot path: the core unstuffer hands back spans of the
             * input; only CRLF "." CRLF ends the body. */
            mw__dot_ev dev;
            int dr = mw__dot_unstuff_next(&c->dot, p + pos, len - pos, &used,
                                          &dev);
            pos += used;
            mw__line_skip(&c->line, used);
            if (dr == 0)
                break;
            if (dr == MW__DOT_DATA) {
                if (c->cb.data != NULL)
                    r = cb_result(c,
                                  c->cb.data(c, c->user, dev.data.ptr,
                                             dev.data.len),
                                  "data callback aborted");
            } else if (dr == MW__DOT_END) {
                r = end_multi(c);
            } else {
                r = report(c, dr, dev.offset,
                           dr == MW_E_BARE_LF ? "bare LF in a message body"
                                              : "bare CR in a message body");
            }
            if (r < 0 || r == MW_PAUSED)
                break;
            continue;
        }
        if (c->io == IO_TLS) {
            r = fatal(c, MW_E_INJECTION, mw__line_offset(&c->line),
                      "data after +OK to STLS (response injection)");
            break;
        }
        {
            mw__line_ev ev;
            lr = mw__line_next(&c->line, p + pos, len - pos, &used, &ev);
            pos += used;
            if (lr == 0)
                break;
            if (c->io == IO_LISTING)
                r = on_listing(c, &ev, lr);
            else
                r = on_status(c, &ev, lr, pos < len);
        }
        if (r < 0 || r == MW_PAUSED || c->phase == MW_POP3_STATE_CLOSED)
            break;
    }
    *consumed = pos;
    /* A `send` that failed inside a callback closed the session even if
     * the callback went on to return 0. */
    if (r >= 0 && c->phase == MW_POP3_STATE_CLOSED &&
        c->err.code == MW_E_CALLBACK)
        r = MW_E_CALLBACK;
    if (r < 0)
        return r;
    if (c->phase == MW_POP3_STATE_CLOSED)
        return MW_DONE;
    if (r == MW_PAUSED || pos < len)
        return MW_PAUSED;
    return MW_OK;
}

int mw_pop3_client_tls_done(mw_pop3_client *c)
{
    if (c == NULL)
        return MW_E_INVAL;
    if (c->phase == MW_POP3_STATE_CLOSED || c->io != IO_TLS)
        return MW_E_STATE;
    /* RFC 2595 §4: capabilities learnt before TLS are forgotten. */
    memset(&c->capa, 0, sizeof c->capa);
    c->io = IO_STATUS;
    c->tls = 1;
    mw__line_reset(&c->line);
    return MW_OK;
}

int mw_pop3_client_eof(mw_pop3_client *c)
{
    int expected;
    if (c == NULL)
        return MW_E_INVAL;
    if (c->phase == MW_POP3_STATE_CLOSED)
        return MW_OK;
    expected = c->qcount > 0 || c->phase == MW_POP3_STATE_START ||
               mw__line_held(&c->line) > 0 || c->io != IO_STATUS;
    if (expected) {
        report(c, MW_E_INCOMPLETE, mw__line_offset(&c->line),
               "connection closed while a reply was expected");
        c->phase = MW_POP3_STATE_CLOSED;
        return MW_E_INCOMPLETE;
    }
    c->phase = MW_POP3_STATE_CLOSED;
    return MW_OK;
}

unsigned mw_pop3_client_want(const mw_pop3_client *c)
{
    unsigned w;
    if (c == NULL || c->phase == MW_POP3_STATE_CLOSED)
        return MW_POP3_WANT_CLOSED;
    if (c->io == IO_TLS)
        return MW_POP3_WANT_TLS;
    w = MW_POP3_WANT_INPUT;
    if (c->phase != MW_POP3_STATE_START && c->mech == MECH_NONE &&
        (c->qcount == 0 || (pipelining(c) && c->qcount < c->qmax &&
                            !exclusive_inflight(c))))
        w |= MW_POP3_WANT_SEND;
    return w;
}

int mw_pop3_client_state(const mw_pop3_client *c)
{
    return c == NULL ? MW_POP3_STATE_CLOSED : (int)c->phase;
}

unsigned mw_pop3_client_in_flight(const mw_pop3_client *c)
{
    return c == NULL ? 0u : c->qcount;
}

const mw_pop3_capa *mw_pop3_client_capabilities(const mw_pop3_client *c)
{
    return c == NULL ? NULL : &c->capa;
}

int mw_pop3_client_error(const mw_pop3_client *c, mw_error *err)
{
    if (c == NULL)
        return MW_E_INVAL;
    if (err != NULL)
        *err = c->err;
    return c->err.code;
}
