/* SPDX-License-Identifier: MIT */
/*
 * The POP3 server machine: RFC 1939 with CAPA and response codes
 * (RFC 2449), AUTH (RFC 5034), STLS (RFC 2595), SYS/AUTH codes (RFC 3206)
 * and UTF8 (RFC 6856). See include/mailwire/pop3.h for the API.
 *
 * Commands come from the core line framer one at a time; the machine
 * checks syntax, state (AUTHORIZATION / TRANSACTION, RFC 1939 §3) and the
 * configured options, answers what is wrong by itself, and hands the rest
 * to the application, then reads nothing more until the application has
 * answered: replies stay in order however deeply the client pipelines
 * (RFC 2449 §6.6). Multi-line bodies go through the core dot-stuffer,
 * straight from the application's chunks to `send`.
 *
 * STLS: once the application accepts it, the framer is reset and every
 * byte fed before mw_pop3_server_tls_done() is dropped and reported, never
 * parsed (CVE-2011-0411 and its many successors, field-notes §4.1).
 */
#include "core/framing.h"
#include "mailwire/codec.h"
#include "pop3/grammar.h"

/* What the machine does with input (s->io). */
enum {
    IO_READY = 0, /* read the next command */
    IO_PENDING,   /* a command awaits the application's reply */
    IO_MULTI,     /* a multi-line answer is being written */
    IO_SASL,      /* a challenge was sent; the next line is a response */
    IO_TLS        /* STLS accepted; waiting for tls_done */
};

/* Kinds of multi-line answer (s->multi). */
enum { M_NONE = 0, M_BODY, M_LIST, M_UIDL, M_LANG };

/* TOP progress (s->top). */
enum { T_NONE = 0, T_HDR, T_BODY, T_DONE };

static const char crlf[] = "\r\n";

/* ---- output ----------------------------------------------------------- */

static int fatal_(mw_pop3_server *s, int code, const char *reason)
{
    s->phase = MW_POP3_STATE_CLOSED;
    (void)mw__fail(&s->err, code, mw__line_offset(&s->line), reason);
    return code;
}
#define fatal(s, code, reason) fatal_((s), (code), MW__TEXT(reason))

static int send_raw(mw_pop3_server *s, const char *p, size_t n)
{
    if (s->cb.send(s, s->user, p, n) < 0)
        return fatal(s, MW_E_CALLBACK, "send callback failed");
    return MW_OK;
}

/* An empty line in s->out. */
static void out_init(mw_pop3_server *s, mw__pop3_buf *b)
{
    b->p = s->out;
    b->len = 0;
    b->cap = sizeof s->out;
    b->overflow = 0;
}

/* A reply text: NULL or no CR/LF; without a code it must not look like
 * one (RFC 2449 §8: text after the status starting with "[" is a code);
 * it must not start with a space either, which readers (ours included)
 * take as part of the separator. */
static int text_ok(const char *text, int rcode)
{
    if (text == NULL)
        return 1;
    if (!mw__pop3_text_ok(text, strlen(text)) || text[0] == ' ')
        return 0;
    return !(rcode == MW_POP3_RC_NONE && text[0] == '[');
}

/* Build "+OK"/"-ERR" [ " [CODE]" ] [ " " text ] CRLF in s->out. */
static int build_status(mw_pop3_server *s, mw__pop3_buf *b, int ok,
                        int rcode, const char *text)
{
    if (rcode < MW_POP3_RC_NONE || rcode >= MW_POP3_RC_OTHER ||
        !text_ok(text, rcode))
        return MW_E_INVAL;
    out_init(s, b);
    mw__pop3_puts(b, ok ? "+OK" : "-ERR");
    if (rcode != MW_POP3_RC_NONE) {
        mw__pop3_puts(b, " [");
        mw__pop3_puts(b, mw_pop3_rcode_name(rcode));
        mw__pop3_puts(b, "]");
    }
    if (text != NULL && text[0] != '\0') {
        mw__pop3_puts(b, " ");
        mw__pop3_puts(b, text);
    }
    return MW_OK;
}

static int finish_line(mw_pop3_server *s, mw__pop3_buf *b)
{
    mw__pop3_put(b, crlf, 2);
    if (b->overflow)
        return MW_E_TOO_LONG;
    return send_raw(s, b->p, b->len);
}

static int send_status(mw_pop3_server *s, int ok, int rcode, const char *text)
{
    mw__pop3_buf b;
    int r = build_status(s, &b, ok, rcode, text);
    if (r != MW_OK)
        return r;
    return finish_line(s, &b);
}

/* ---- configuration ---------------------------------------------------- */

void mw_pop3_server_config_init(mw_pop3_server_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_line = MW_POP3_CMD_LINE_MAX;
    cfg->max_auth_line = MW_POP3_AUTH_LINE_DEFAULT;
    cfg->max_bad_commands = MW_POP3_MAX_BAD_COMMANDS_DEFAULT;
    cfg->flags = MW_POP3_SERVER_USER | MW_POP3_SERVER_TOP |
                 MW_POP3_SERVER_UIDL | MW_POP3_SERVER_PIPELINING |
                 MW_POP3_SERVER_RESP_CODES | MW_POP3_SERVER_AUTH_RESP_CODE;
    cfg->newline = MW_NEWLINE_REJECT;
    cfg->body_newline = MW_NEWLINE_ACCEPT;
}

size_t mw_pop3_server_sizeof(void)
{
    return sizeof(mw_pop3_server);
}

static int policy_ok(mw_newline_policy p)
{
    return p == MW_NEWLINE_REJECT || p == MW_NEWLINE_ACCEPT ||
           p == MW_NEWLINE_PASS;
}

/* A configuration string that goes into a CAPA line after a tag. */
static int cfg_string_ok(const char *v)
{
    size_t n;
    if (v == NULL)
        return 1;
    n = strlen(v);
    return n < MW_POP3_REPLY_LINE_MAX - 20u && mw__pop3_text_ok(v, n);
}

/* LOGIN-DELAY and EXPIRE arguments (RFC 2449 §6.5, §6.7): checked with the
 * parser a client uses, so that the CAPA answer always reads back. */
static int cfg_capa_value_ok(const char *v, uint32_t id)
{
    mw_pop3_capa_line l;
    mw_pop3_capa scratch;
    if (v == NULL)
        return 1;
    if (!cfg_string_ok(v))
        return 0;
    memset(&l, 0, sizeof l);
    memset(&scratch, 0, sizeof scratch);
    l.id = id;
    l.params = mw__span(v, strlen(v));
    return mw__pop3_capa_apply(&scratch, &l) == MW_OK;
}

int mw_pop3_server_init(mw_pop3_server *s, const mw_pop3_server_config *cfg,
                        const mw_pop3_server_callbacks *cb, void *user,
                        char *linebuf, size_t linebuf_len)
{
    mw_pop3_server_config def;
    size_t max;

    if (s == NULL || cb == NULL || cb->send == NULL || linebuf == NULL)
        return MW_E_INVAL;
    if (cfg == NULL) {
        mw_pop3_server_config_init(&def);
        cfg = &def;
    }
    if (cfg->max_line < 16 || cfg->max_auth_line < 16 ||
        !policy_ok(cfg->newline) || !policy_ok(cfg->body_newline) ||
        !cfg_string_ok(cfg->sasl) || !cfg_string_ok(cfg->implementation) ||
        !cfg_capa_value_ok(cfg->expire, MW_POP3_CAPA_EXPIRE) ||
        !cfg_capa_value_ok(cfg->login_delay, MW_POP3_CAPA_LOGIN_DELAY))
        return MW_E_INVAL;
    if (cfg->sasl != NULL) {
        /* Every listed mechanism must be a mechanism name. */
        const char *p = cfg->sasl;
        while (*p != '\0') {
            size_t k = 0;
            while (p[k] != '\0' && p[k] != ' ')
                k++;
            if (k > 0 && !mw__pop3_mech_ok(p, k))
                return MW_E_INVAL;
            p += k;
            while (*p == ' ')
                p++;
        }
    }
    max = cfg->max_line > cfg->max_auth_line ? cfg->max_line
                                              : cfg->max_auth_line;
    if (linebuf_len < max)
        return MW_E_INVAL;
    memset(s, 0, sizeof(*s));
    /* The framer's limit counts no line end: max - 2 content bytes. */
    if (mw__line_init(&s->line, linebuf, linebuf_len, max - 2u,
                      cfg->newline) != MW_OK)
        return MW_E_INVAL;
    s->cb = *cb;
    s->user = user;
    s->sasl = (cfg->sasl != NULL && cfg->sasl[0] != '\0') ? cfg->sasl : NULL;
    s->impl = cfg->implementation;
    s->expire = cfg->expire;
    s->login_delay = cfg->login_delay;
    s->max_line = cfg->max_line;
    s->max_auth_line = cfg->max_auth_line;
    s->max_bad = cfg->max_bad_commands;
    s->flags = cfg->flags;
    s->newline = (uint8_t)cfg->newline;
    s->body_newline = (uint8_t)cfg->body_newline;
    s->tls = (cfg->flags & MW_POP3_SERVER_TLS_ACTIVE) != 0;
    s->phase = MW_POP3_STATE_START;
    s->io = IO_READY;
    return MW_OK;
}

/* ---- greeting --------------------------------------------------------- */

int mw_pop3_server_start(mw_pop3_server *s, const char *text)
{
    int r;
    if (s == NULL)
        return MW_E_INVAL;
    if (s->phase != MW_POP3_STATE_START)
        return MW_E_STATE;
    r = send_status(s, 1, MW_POP3_RC_NONE, text);
    if (r == MW_OK)
        s->phase = MW_POP3_STATE_AUTHORIZATION;
    return r;
}

int mw_pop3_server_start_apop(mw_pop3_server *s, const char *text,
                              const char *id, const char *stamp,
                              const char *host)
{
#if MW_ENABLE_SASL_CRAM_MD5
    mw__pop3_buf b;
    size_t ts_start;
    mw_span found;
    int r;

    if (s == NULL)
        return MW_E_INVAL;
    if (s->phase != MW_POP3_STATE_START || !(s->flags & MW_POP3_SERVER_APOP))
        return MW_E_STATE;
    if (id == NULL || stamp == NULL || host == NULL ||
        !mw__pop3_dot_atom_ok(id, strlen(id)) ||
        !mw__pop3_dot_atom_ok(stamp, strlen(stamp)) ||
        !mw__pop3_dot_atom_ok(host, strlen(host)))
        return MW_E_INVAL;
    r = build_status(s, &b, 1, MW_POP3_RC_NONE, text);
    if (r != MW_OK)
        return r;
    /* RFC 1939 §7: "<process-ID.clock@hostname>", a msg-id. */
    mw__pop3_puts(&b, " ");
    ts_start = b.len;
    mw__pop3_puts(&b, "<");
    mw__pop3_puts(&b, id);
    mw__pop3_puts(&b, ".");
    mw__pop3_puts(&b, stamp);
    mw__pop3_puts(&b, "@");
    mw__pop3_puts(&b, host);
    mw__pop3_puts(&b, ">");
    if (b.overflow || b.len + 2 > b.cap)
        return MW_E_TOO_LONG;
    /* The client side (sasl.h) hashes only timestamps that pass its rule;
     * ours must, or APOP could never succeed. */
    if (mw_sasl_apop_find_timestamp(s->out + ts_start, b.len - ts_start,
                                    &found) != MW_OK ||
        found.len != b.len - ts_start)
        return MW_E_INVAL;
    mw_md5_init(&s->apop);
    mw_md5_update(&s->apop, s->out + ts_start, b.len - ts_start);
    r = finish_line(s, &b);
    if (r == MW_OK) {
        s->has_ts = 1;
        s->phase = MW_POP3_STATE_AUTHORIZATION;
    }
    return r;
#else
    /* Compiled out (features.h). */
    (void)s, (void)text, (void)id, (void)stamp, (void)host;
    return MW_E_UNSUPPORTED;
#endif
}

/* ---- errors the machine answers --------------------------------------- */

static int report_(mw_pop3_server *s, int status, size_t offset,
                   const char *reason)
{
    int r = MW_OK;
    (void)mw__fail(&s->err, status, offset, reason);
    if (s->cb.error != NULL) {
        r = s->cb.error(s, s->user, status, offset, reason);
        if (r < 0)
            return fatal(s, MW_E_CALLBACK, "error callback aborted");
        r = r == MW_PAUSED ? MW_PAUSED : MW_OK;
    }
    return r;
}
#define report(s, status, offset, reason)                                    \
    report_((s), (status), (offset), MW__TEXT(reason))

/* Answer a bad command with "-ERR text" and count it; at the limit,
 * answer it with a farewell instead and close (RFC 1939 §3 lets a server
 * close a session it considers abusive). */
static int bad_command_rc_(mw_pop3_server *s, int status, size_t offset,
                           const char *reason, int rcode, const char *text)
{
    int r;
    s->bad++;
    if (s->max_bad != 0 && s->bad >= s->max_bad) {
        r = send_status(s, 0, MW_POP3_RC_NONE,
                        "Too many bad commands, closing connection");
        if (r < 0)
            return r;
        s->phase = MW_POP3_STATE_CLOSED;
        return report(s, MW_E_LIMIT, offset, "too many bad commands");
    }
    r = send_status(s, 0, rcode, text);
    if (r < 0)
        return r;
    return report(s, status, offset, reason);
}
#define bad_command_rc(s, status, offset, reason, rcode, text)               \
    bad_command_rc_((s), (status), (offset), MW__TEXT(reason), (rcode), (text))

static int bad_command_(mw_pop3_server *s, int status, size_t offset,
                        const char *reason, const char *text)
{
    return bad_command_rc(s, status, offset, reason, MW_POP3_RC_NONE, text);
}
#define bad_command(s, status, offset, reason, text)                         \
    bad_command_((s), (status), (offset), MW__TEXT(reason), (text))

/* ---- CAPA and the bare AUTH list ------------------------------------- */

static int auth_allowed(const mw_pop3_server *s)
{
    return s->tls || !(s->flags & MW_POP3_SERVER_AUTH_NEEDS_TLS);
}

static int capa_line(mw_pop3_server *s, const char *tag, const char *value)
{
    mw__pop3_buf b;
    out_init(s, &b);
    mw__pop3_puts(&b, tag);
    if (value != NULL && value[0] != '\0') {
        mw__pop3_puts(&b, " ");
        mw__pop3_puts(&b, value);
    }
    return finish_line(s, &b);
}

/* RFC 2449 §5: the capabilities in force for the current state. The order
 * follows the examples of RFC 2449 §5 and RFC 5034 §6. */
static int send_capa(mw_pop3_server *s)
{
    unsigned f = s->flags;
    int r = send_status(s, 1, MW_POP3_RC_NONE, "Capability list follows");
#define CAPA(cond, tag, value)                                               \
    if (r == MW_OK && (cond))                                                \
    r = capa_line(s, tag, value)
    CAPA(f & MW_POP3_SERVER_TOP, "TOP", NULL);
    CAPA((f & MW_POP3_SERVER_USER) && auth_allowed(s), "USER", NULL);
    CAPA(s->sasl != NULL && auth_allowed(s), "SASL", s->sasl);
    CAPA(f & MW_POP3_SERVER_RESP_CODES, "RESP-CODES", NULL);
    CAPA(f & MW_POP3_SERVER_AUTH_RESP_CODE, "AUTH-RESP-CODE", NULL);
    CAPA(s->login_delay != NULL, "LOGIN-DELAY", s->login_delay);
    CAPA(f & MW_POP3_SERVER_PIPELINING, "PIPELINING", NULL);
    CAPA(s->expire != NULL, "EXPIRE", s->expire);
    CAPA(f & MW_POP3_SERVER_UIDL, "UIDL", NULL);
    CAPA((f & MW_POP3_SERVER_STLS) && !s->tls &&
             s->phase == MW_POP3_STATE_AUTHORIZATION,
         "STLS", NULL);
    CAPA(f & MW_POP3_SERVER_UTF8, "UTF8",
         (f & MW_POP3_SERVER_UTF8_USER) ? "USER" : NULL);
    CAPA(f & MW_POP3_SERVER_LANG, "LANG", NULL);
    CAPA(s->impl != NULL, "IMPLEMENTATION", s->impl);
#undef CAPA
    if (r == MW_OK)
        r = send_raw(s, ".\r\n", 3);
    return r;
}

/* "AUTH" without a mechanism: the list of mechanisms, one per line, as
 * older Microsoft clients expect (RFC 1734's successors dropped it; most
 * servers still answer it). */
static int send_mech_list(mw_pop3_server *s)
{
    const char *p = s->sasl;
    int r = send_status(s, 1, MW_POP3_RC_NONE, NULL);
    while (r == MW_OK && *p != '\0') {
        size_t k = 0;
        while (p[k] != '\0' && p[k] != ' ')
            k++;
        if (k > 0) {
            memcpy(s->out, p, k);
            memcpy(s->out + k, crlf, 2);
            r = send_raw(s, s->out, k + 2);
        }
        p += k;
        while (*p == ' ')
            p++;
    }
    if (r == MW_OK)
        r = send_raw(s, ".\r\n", 3);
    return r;
}

/* ---- command parsing -------------------------------------------------- */

/* Commands allowed per state (RFC 1939 §4-7, RFC 2449, RFC 5034, RFC 2595,
 * RFC 6856 §2-3: UTF8 in AUTHORIZATION, LANG in both). */
static int allowed(int phase, int id)
{
    switch (id) {
    case MW_POP3_CMD_USER:
    case MW_POP3_CMD_PASS:
    case MW_POP3_CMD_APOP:
    case MW_POP3_CMD_AUTH:
    case MW_POP3_CMD_STLS:
    case MW_POP3_CMD_UTF8:
        return phase == MW_POP3_STATE_AUTHORIZATION;
    case MW_POP3_CMD_CAPA:
    case MW_POP3_CMD_QUIT:
        return 1;
    case MW_POP3_CMD_LANG: /* RFC 6856 §3.1: both states */
        return phase == MW_POP3_STATE_AUTHORIZATION ||
               phase == MW_POP3_STATE_TRANSACTION;
    default:
        return phase == MW_POP3_STATE_TRANSACTION;
    }
}

/* Options that switch a command on. */
static int enabled(const mw_pop3_server *s, int id)
{
    switch (id) {
    case MW_POP3_CMD_USER:
    case MW_POP3_CMD_PASS:
        return (s->flags & MW_POP3_SERVER_USER) != 0;
    case MW_POP3_CMD_APOP:
        return (s->flags & MW_POP3_SERVER_APOP) && s->has_ts;
    case MW_POP3_CMD_TOP:
        return (s->flags & MW_POP3_SERVER_TOP) != 0;
    case MW_POP3_CMD_UIDL:
        return (s->flags & MW_POP3_SERVER_UIDL) != 0;
    case MW_POP3_CMD_STLS:
        return (s->flags & MW_POP3_SERVER_STLS) != 0;
    case MW_POP3_CMD_UTF8:
        return (s->flags & MW_POP3_SERVER_UTF8) != 0;
    case MW_POP3_CMD_LANG:
        return (s->flags & MW_POP3_SERVER_LANG) != 0;
    case MW_POP3_CMD_AUTH:
        return s->sasl != NULL;
    default:
        return 1;
    }
}

/* Up to `max` space-separated words of r; returns how many there were
 * (which may exceed max: the caller refuses those). */
static size_t words(mw_span r, mw_span *w, size_t max)
{
    size_t i = 0, n = 0;
    for (;;) {
        size_t start;
        while (i < r.len && r.ptr[i] == ' ')
            i++;
        if (i == r.len)
            return n;
        start = i;
        while (i < r.len && r.ptr[i] != ' ')
            i++;
        if (n < max)
            w[n] = mw__span(r.ptr + start, i - start);
        n++;
    }
}


/* Deliver the parsed command (or answer it when nobody listens). */
static int deliver(mw_pop3_server *s, mw_pop3_cmd *cmd)
{
    int r;
    s->io = IO_PENDING;
    s->cmd = (uint8_t)cmd->id;
    s->cmd_flags = (uint8_t)cmd->flags;
    s->lines = cmd->lines;
    if (cmd->id == MW_POP3_CMD_QUIT &&
        s->phase == MW_POP3_STATE_TRANSACTION)
        s->phase = MW_POP3_STATE_UPDATE; /* RFC 1939 §6 */
    if (s->cb.command == NULL) {
        if (cmd->id == MW_POP3_CMD_QUIT)
            return mw_pop3_server_reply(s, 1, 0, NULL);
        return mw_pop3_server_reply(s, 0, 0, "Command not implemented");
    }
    r = s->cb.command(s, s->user, cmd);
    if (r < 0)
        return fatal(s, MW_E_CALLBACK, "command callback aborted");
    return r == MW_PAUSED ? MW_PAUSED : MW_OK;
}

static int on_command(mw_pop3_server *s, const mw__line_ev *ev,
                      int was_user_ok)
{
    mw_span line = ev->line, rest, w[3];
    mw_pop3_cmd cmd;
    size_t kw = 0, nw;
    int id, r;
    uint32_t v;

    memset(&cmd, 0, sizeof cmd);
    cmd.offset = ev->offset;
    if (s->utf8)
        cmd.flags |= MW_POP3_CMDF_UTF8;
    while (kw < line.len && line.ptr[kw] != ' ')
        kw++;
    id = mw__pop3_cmd_lookup(line.ptr, kw);
    if (id == MW_POP3_CMD_NONE || !enabled(s, id))
        return bad_command(s, MW_E_SYNTAX, ev->offset, "unknown command",
                           "Unknown command");
    if (!allowed(s->phase, id))
        return bad_command(s, MW_E_STATE, ev->offset,
                           "command not valid in this state",
                           "Command not valid in this state");
    cmd.id = id;
    rest = kw < line.len ? mw__span(line.ptr + kw + 1, line.len - kw - 1)
                         : mw__span(line.ptr + kw, 0);
    nw = words(rest, w, 3);

    switch (id) {
    case MW_POP3_CMD_USER:
    case MW_POP3_CMD_PASS:
        if (!auth_allowed(s))
            return bad_command(s, MW_E_STATE, ev->offset,
                               "authentication before TLS",
                               "Authentication requires STLS first");
        if (id == MW_POP3_CMD_PASS && !was_user_ok)
            return bad_command(s, MW_E_SEQUENCE, ev->offset,
                               "PASS without a successful USER",
                               "PASS must follow a successful USER");
        /* RFC 1939 §7: PASS has exactly one argument, so spaces in it are
         * part of the password; USER is taken the same way. Only USER
         * loses trailing spaces. */
        cmd.arg = rest;
        if (id == MW_POP3_CMD_USER)
            while (cmd.arg.len > 0 && cmd.arg.ptr[cmd.arg.len - 1] == ' ')
                cmd.arg.len--;
        if (cmd.arg.len == 0)
            return bad_command(s, MW_E_SYNTAX, ev->offset,
                               "missing argument", "Missing argument");
        if (s->utf8 && mw_utf8_check(cmd.arg.ptr, cmd.arg.len, NULL) != MW_OK)
            return bad_command_rc(s, MW_E_UTF8, ev->offset, "invalid UTF-8",
                                  MW_POP3_RC_UTF8, "Invalid UTF-8");
        break;
    case MW_POP3_CMD_APOP: {
        size_t sp, i;
        if (!auth_allowed(s))
            return bad_command(s, MW_E_STATE, ev->offset,
                               "authentication before TLS",
                               "Authentication requires STLS first");
        /* "APOP name digest": the digest is the last word, so a name may
         * hold spaces. */
        sp = rest.len;
        while (sp > 0 && rest.ptr[sp - 1] == ' ')
            sp--;
        cmd.arg2.len = 0;
        while (sp > 0 && rest.ptr[sp - 1] != ' ') {
            sp--;
            cmd.arg2.len++;
        }
        cmd.arg2.ptr = rest.ptr + sp;
        cmd.arg = mw__span(rest.ptr, sp);
        while (cmd.arg.len > 0 && cmd.arg.ptr[cmd.arg.len - 1] == ' ')
            cmd.arg.len--;
        if (cmd.arg.len == 0 || cmd.arg2.len != 32)
            return bad_command(s, MW_E_SYNTAX, ev->offset,
                               "APOP needs a name and a 32-digit digest",
                               "Syntax: APOP name digest");
        for (i = 0; i < 16; i++) {
            int hi = mw__hexval((unsigned char)cmd.arg2.ptr[2 * i]);
            int lo = mw__hexval((unsigned char)cmd.arg2.ptr[2 * i + 1]);
            if (hi < 0 || lo < 0)
                return bad_command(s, MW_E_SYNTAX, ev->offset,
                                   "APOP digest is not hexadecimal",
                                   "Syntax: APOP name digest");
            s->digest[i] = (uint8_t)(hi * 16 + lo);
        }
        break;
    }
    case MW_POP3_CMD_AUTH:
        if (!auth_allowed(s))
            return bad_command(s, MW_E_STATE, ev->offset,
                               "authentication before TLS",
                               "Authentication requires STLS first");
        if (nw == 0) {
            r = send_mech_list(s);
            return r < 0 ? r : MW_OK;
        }
        if (nw > 2 || !mw__pop3_mech_ok(w[0].ptr, w[0].len))
            return bad_command(s, MW_E_SYNTAX, ev->offset,
                               "malformed AUTH command",
                               "Syntax: AUTH mechanism [initial-response]");
        if (!mw__pop3_word_listed(s->sasl, w[0].ptr, w[0].len)) {
            r = send_status(s, 0, MW_POP3_RC_NONE,
                            "Unsupported authentication mechanism");
            if (r < 0)
                return r;
            return report(s, MW_E_INVAL, ev->offset,
                          "unsupported SASL mechanism");
        }
        cmd.arg = w[0];
        if (nw == 2) {
            /* RFC 5034 §4: "=" is an empty initial response. */
            cmd.flags |= MW_POP3_CMDF_HAS_IR;
            if (w[1].len == 1 && w[1].ptr[0] == '=')
                cmd.arg2 = mw__span(w[1].ptr, 0);
            else if (mw__pop3_b64_chars_ok(w[1].ptr, w[1].len))
                cmd.arg2 = w[1];
            else
                return bad_command(s, MW_E_BASE64, ev->offset,
                                   "initial response is not base64",
                                   "Invalid base64");
        }
        break;
    case MW_POP3_CMD_LIST:
    case MW_POP3_CMD_UIDL:
    case MW_POP3_CMD_RETR:
    case MW_POP3_CMD_DELE:
    case MW_POP3_CMD_TOP: {
        size_t need = id == MW_POP3_CMD_TOP ? 2u : 1u;
        int optional = id == MW_POP3_CMD_LIST || id == MW_POP3_CMD_UIDL;
        if (nw > need || (nw < need && !(optional && nw == 0)))
            return bad_command(s, MW_E_SYNTAX, ev->offset,
                               "wrong number of arguments",
                               id == MW_POP3_CMD_TOP
                                   ? "Syntax: TOP msg n"
                                   : "Syntax: command [msg]");
        if (nw >= 1) {
            r = mw__pop3_parse_msg(w[0].ptr, w[0].len, &cmd.msg);
            if (r != MW_OK)
                return bad_command(s, r, ev->offset,
                                   "invalid message number",
                                   "Invalid message number");
            cmd.flags |= MW_POP3_CMDF_HAS_MSG;
        }
        if (id == MW_POP3_CMD_TOP) {
            r = mw__parse_u32(w[1].ptr, w[1].len, UINT32_MAX, &v);
            if (r == MW_E_OVERFLOW)
                v = UINT32_MAX; /* more lines than any message has */
            else if (r != MW_OK)
                return bad_command(s, MW_E_SYNTAX, ev->offset,
                                   "invalid line count",
                                   "Invalid line count");
            cmd.lines = v;
        }
        break;
    }
    case MW_POP3_CMD_LANG:
        /* RFC 6856 §3.2: "LANG" asks for the listing, "LANG range" for a
         * language; which ranges exist is the application's answer. */
        if (nw > 1 || (nw == 1 && !mw__pop3_lang_ok(w[0].ptr, w[0].len, 1)))
            return bad_command(s, MW_E_SYNTAX, ev->offset,
                               "malformed language range",
                               "Syntax: LANG [language-range]");
        if (nw == 1) {
            cmd.arg = w[0];
            cmd.flags |= MW_POP3_CMDF_HAS_RANGE;
        }
        break;
    case MW_POP3_CMD_STLS:
        if (s->tls)
            return bad_command(s, MW_E_STATE, ev->offset,
                               "STLS with TLS already active",
                               "Command not permitted when TLS active");
        /* fall through */
    default:
        /* STAT NOOP RSET QUIT CAPA UTF8: no arguments (trailing spaces
         * are tolerated). */
        if (nw != 0)
            return bad_command(s, MW_E_SYNTAX, ev->offset,
                               "unexpected argument",
                               "This command takes no argument");
        if (id == MW_POP3_CMD_CAPA) {
            r = send_capa(s);
            return r < 0 ? r : MW_OK;
        }
        break;
    }
    return deliver(s, &cmd);
}

/* A line while a SASL exchange waits for the client (RFC 5034 §4). */
static int on_sasl_line(mw_pop3_server *s, const mw__line_ev *ev, int lr)
{
    mw_pop3_cmd cmd;
    s->io = IO_READY;
    if (lr < 0 || ev->line.len > s->max_auth_line - 2u)
        return bad_command(s, lr < 0 ? lr : MW_E_TOO_LONG, ev->err_offset,
                           "bad SASL response line",
                           "Authentication failed: bad response line");
    if (ev->line.len == 1 && ev->line.ptr[0] == '*')
        /* The client cancels: the server MUST reject the AUTH command.
         * It counts as a bad command, or a loop of AUTH / "*" would run
         * for ever (field-notes §4.11). */
        return bad_command(s, MW_E_SYNTAX, ev->offset,
                           "AUTH cancelled by the client",
                           "Authentication cancelled");
    if (!mw__pop3_b64_chars_ok(ev->line.ptr, ev->line.len))
        return bad_command(s, MW_E_BASE64, ev->offset,
                           "SASL response is not base64",
                           "Authentication failed: invalid base64");
    memset(&cmd, 0, sizeof cmd);
    cmd.id = MW_POP3_CMD_AUTH_RESPONSE;
    cmd.arg = ev->line;
    cmd.offset = ev->offset;
    return deliver(s, &cmd);
}

static int on_line(mw_pop3_server *s, const mw__line_ev *ev, int lr)
{
    int was_user_ok = s->user_ok;
    if (s->io == IO_SASL)
        return on_sasl_line(s, ev, lr);
    /* RFC 1939 §7: PASS only immediately after a successful USER; any
     * other line in between, even a rejected one, ends that. */
    s->user_ok = 0;
    if (lr < 0) {
        switch (lr) {
        case MW_E_TOO_LONG:
            return bad_command(s, lr, ev->err_offset, "command line too long",
                               "Command line too long");
        case MW_E_BARE_LF:
            return bad_command(s, lr, ev->err_offset,
                               "command ended by a bare LF",
                               "Commands must end with CRLF");
        case MW_E_BARE_CR:
            return bad_command(s, lr, ev->err_offset,
                               "bare CR in a command",
                               "Bare CR in command");
        default:
            return bad_command(s, lr, ev->err_offset, "NUL in a command",
                               "NUL in command");
        }
    }
    /* RFC 2449 §4: 255 octets including CRLF (the framer's own limit is
     * the larger SASL one). */
    if (ev->line.len > s->max_line - 2u)
        return bad_command(s, MW_E_TOO_LONG, ev->offset,
                           "command line too long", "Command line too long");
    return on_command(s, ev, was_user_ok);
}

/* ---- feed ------------------------------------------------------------- */

int mw_pop3_server_feed(mw_pop3_server *s, const void *in, size_t len,
                        size_t *consumed)
{
    const char *p = (const char *)in;
    size_t pos = 0;
    int r = MW_OK;

    if (consumed != NULL)
        *consumed = 0;
    if (s == NULL || consumed == NULL || (p == NULL && len > 0))
        return MW_E_INVAL;
    if (s->phase == MW_POP3_STATE_CLOSED)
        return MW_E_CLOSED;
    if (s->phase == MW_POP3_STATE_START)
        return MW_E_STATE;

    while (pos < len) {
        size_t used = 0;
        mw__line_ev ev;
        int lr;

        if (s->io == IO_TLS) {
            /* RFC 2595 §4 / CVE-2011-0411: plaintext behind an accepted
             * STLS is never parsed. Reported once per STLS. */
            size_t n = len - pos;
            if (s->discarded_now == 0)
                r = report(s, MW_E_TLS_LEFTOVER, mw__line_offset(&s->line),
                           "plaintext after STLS discarded");
            s->discarded_now = 1;
            s->discarded += n;
            mw__line_skip(&s->line, n);
            pos = len;
            if (r < 0)
                break;
            r = MW_OK;
            break;
        }
        if (s->io != IO_READY && s->io != IO_SASL) {
            r = MW_PAUSED; /* a reply is owed */
            break;
        }
        lr = mw__line_next(&s->line, p + pos, len - pos, &used, &ev);
        pos += used;
        if (lr == 0)
            break;
        r = on_line(s, &ev, lr);
        if (r < 0 || s->phase == MW_POP3_STATE_CLOSED || r == MW_PAUSED)
            break;
    }
    *consumed = pos;
    /* A `send` that failed inside a callback closed the session even if
     * the callback went on to return 0. */
    if (r >= 0 && s->phase == MW_POP3_STATE_CLOSED &&
        s->err.code == MW_E_CALLBACK)
        r = MW_E_CALLBACK;
    if (r < 0) {
        s->phase = MW_POP3_STATE_CLOSED;
        return r;
    }
    if (s->phase == MW_POP3_STATE_CLOSED)
        return MW_DONE;
    if (r == MW_PAUSED || pos < len)
        return MW_PAUSED;
    return MW_OK;
}

/* ---- replies ---------------------------------------------------------- */

/* The session effects of a completed answer (RFC 1939 §4-6, RFC 2595 §4,
 * RFC 5034 §4, RFC 6856 §2). */
static void answered(mw_pop3_server *s, int ok)
{
    s->io = IO_READY;
    switch (s->cmd) {
    case MW_POP3_CMD_USER:
        s->user_ok = (uint8_t)(ok != 0);
        break;
    case MW_POP3_CMD_PASS:
    case MW_POP3_CMD_APOP:
    case MW_POP3_CMD_AUTH:
    case MW_POP3_CMD_AUTH_RESPONSE:
        if (ok)
            s->phase = MW_POP3_STATE_TRANSACTION;
        break;
    case MW_POP3_CMD_STLS:
        if (ok) {
            s->io = IO_TLS;
            s->discarded_now = 0;
            mw__line_reset(&s->line);
        }
        break;
    case MW_POP3_CMD_UTF8:
        if (ok)
            s->utf8 = 1;
        break;
    case MW_POP3_CMD_QUIT:
        s->phase = MW_POP3_STATE_CLOSED;
        break;
    default:
        break;
    }
    s->cmd = MW_POP3_CMD_NONE;
}

static int pending(const mw_pop3_server *s)
{
    return s->phase != MW_POP3_STATE_CLOSED && s->io == IO_PENDING;
}

/* Whether "+OK" to the pending command is a multi-line answer. */
static int multi_cmd(const mw_pop3_server *s)
{
    switch (s->cmd) {
    case MW_POP3_CMD_RETR:
    case MW_POP3_CMD_TOP:
        return 1;
    case MW_POP3_CMD_LIST:
    case MW_POP3_CMD_UIDL:
        return !(s->cmd_flags & MW_POP3_CMDF_HAS_MSG);
    case MW_POP3_CMD_LANG:
        return !(s->cmd_flags & MW_POP3_CMDF_HAS_RANGE);
    default:
        return 0;
    }
}

int mw_pop3_server_reply(mw_pop3_server *s, int ok, int rcode,
                         const char *text)
{
    int r;
    if (s == NULL)
        return MW_E_INVAL;
    if (!pending(s))
        return MW_E_STATE;
    if (ok && (multi_cmd(s) || s->cmd == MW_POP3_CMD_STAT ||
               s->cmd == MW_POP3_CMD_LIST || s->cmd == MW_POP3_CMD_UIDL ||
               s->cmd == MW_POP3_CMD_LANG))
        return MW_E_STATE;
    r = send_status(s, ok, rcode, text);
    if (r == MW_OK)
        answered(s, ok);
    return r;
}

int mw_pop3_server_reply_stat(mw_pop3_server *s, uint32_t count,
                              uint64_t octets)
{
    mw__pop3_buf b;
    int r;
    if (s == NULL)
        return MW_E_INVAL;
    if (!pending(s) || s->cmd != MW_POP3_CMD_STAT)
        return MW_E_STATE;
    out_init(s, &b);
    mw__pop3_puts(&b, "+OK ");
    mw__pop3_put_u64(&b, count);
    mw__pop3_puts(&b, " ");
    mw__pop3_put_u64(&b, octets);
    r = finish_line(s, &b);
    if (r == MW_OK)
        answered(s, 1);
    return r;
}

static int body_sink(void *user, const char *p, size_t n);

int mw_pop3_server_reply_begin(mw_pop3_server *s, const char *text)
{
    int r;
    if (s == NULL)
        return MW_E_INVAL;
    if (!pending(s) || !multi_cmd(s))
        return MW_E_STATE;
    r = send_status(s, 1, MW_POP3_RC_NONE, text);
    if (r != MW_OK)
        return r;
    s->io = IO_MULTI;
    s->top = T_NONE;
    if (s->cmd == MW_POP3_CMD_LIST) {
        s->multi = M_LIST;
    } else if (s->cmd == MW_POP3_CMD_UIDL) {
        s->multi = M_UIDL;
    } else if (s->cmd == MW_POP3_CMD_LANG) {
        s->multi = M_LANG;
    } else {
        s->multi = M_BODY;
        mw__dot_stuff_init(&s->stuff, (mw_newline_policy)s->body_newline,
                           body_sink, s);
        if (s->cmd == MW_POP3_CMD_TOP) {
            s->top = T_HDR;
            s->top_left = s->lines;
            s->top_len = 0;
            s->top_cr = 0;
        }
    }
    return MW_OK;
}

/* "msg value" as a single-line answer "+OK msg value" or a listing line. */
static int listing(mw_pop3_server *s, int cmd, int kind, uint32_t msg,
                   uint64_t octets, const char *uid)
{
    mw__pop3_buf b;
    int single, r;

    if (s == NULL)
        return MW_E_INVAL;
    single = pending(s) && s->cmd == cmd &&
             (s->cmd_flags & MW_POP3_CMDF_HAS_MSG);
    if (!single && !(s->phase != MW_POP3_STATE_CLOSED && s->io == IO_MULTI &&
                     s->multi == kind))
        return MW_E_STATE;
    if (msg == 0 || (uid != NULL && !mw__pop3_uid_ok(uid, strlen(uid))))
        return MW_E_INVAL;
    out_init(s, &b);
    if (single)
        mw__pop3_puts(&b, "+OK ");
    mw__pop3_put_u64(&b, msg);
    mw__pop3_puts(&b, " ");
    if (uid != NULL)
        mw__pop3_puts(&b, uid);
    else
        mw__pop3_put_u64(&b, octets);
    r = finish_line(s, &b);
    if (r == MW_OK && single)
        answered(s, 1);
    return r;
}

int mw_pop3_server_scan_listing(mw_pop3_server *s, uint32_t msg,
                                uint64_t octets)
{
    return listing(s, MW_POP3_CMD_LIST, M_LIST, msg, octets, NULL);
}

int mw_pop3_server_uid_listing(mw_pop3_server *s, uint32_t msg,
                               const char *uid)
{
    if (uid == NULL)
        return MW_E_INVAL;
    return listing(s, MW_POP3_CMD_UIDL, M_UIDL, msg, 0, uid);
}

/* Send [prefix] "tag[ SP text]": a LANG answer ("+OK ") or a language
 * listing (RFC 6856 §3.2). The tag starts with a letter, so the line
 * never needs a dot. */
static int send_lang(mw_pop3_server *s, const char *prefix, const char *tag,
                     const char *text)
{
    mw__pop3_buf b;
    if (tag == NULL || !mw__pop3_lang_ok(tag, strlen(tag), 0) ||
        !text_ok(text, MW_POP3_RC_NONE))
        return MW_E_INVAL;
    out_init(s, &b);
    mw__pop3_puts(&b, prefix);
    mw__pop3_puts(&b, tag);
    if (text != NULL && text[0] != '\0') {
        mw__pop3_puts(&b, " ");
        mw__pop3_puts(&b, text);
    }
    return finish_line(s, &b);
}

int mw_pop3_server_reply_lang(mw_pop3_server *s, const char *tag,
                              const char *text)
{
    int r;
    if (s == NULL)
        return MW_E_INVAL;
    if (!pending(s) || s->cmd != MW_POP3_CMD_LANG ||
        !(s->cmd_flags & MW_POP3_CMDF_HAS_RANGE))
        return MW_E_STATE;
    r = send_lang(s, "+OK ", tag, text);
    if (r == MW_OK)
        answered(s, 1);
    return r;
}

int mw_pop3_server_lang_listing(mw_pop3_server *s, const char *tag,
                                const char *description)
{
    if (s == NULL)
        return MW_E_INVAL;
    if (s->phase == MW_POP3_STATE_CLOSED || s->io != IO_MULTI ||
        s->multi != M_LANG)
        return MW_E_STATE;
    return send_lang(s, "", tag, description);
}

/* TOP (RFC 1939 §7): pass the header, the blank line and `lines` body
 * lines, then nothing. Lines are counted on the stuffed output, where
 * every line end is CRLF (a bare LF under MW_NEWLINE_PASS is content, as
 * it is for the dot rules). s->top_len counts the bytes of the current
 * line up to 2: a line of exactly one byte before its LF is "\r", the
 * blank line. */
static int top_sink(mw_pop3_server *s, const char *p, size_t n)
{
    size_t i = 0, cut = n;

    if (s->top == T_DONE)
        return MW_OK;
    while (i < n) {
        const char *nl = (const char *)memchr(p + i, '\n', n - i);
        size_t e, len;
        int cr;
        if (nl == NULL) {
            len = s->top_len + (n - i);
            s->top_len = (uint32_t)(len > 2 ? 2 : len);
            s->top_cr = p[n - 1] == '\r';
            break;
        }
        e = (size_t)(nl - p);
        cr = e > i ? p[e - 1] == '\r' : s->top_cr;
        len = s->top_len + (e - i);
        i = e + 1;
        s->top_cr = 0;
        if (!cr) {
            s->top_len = 2; /* a bare LF is line content */
            continue;
        }
        s->top_len = 0;
        if (s->top == T_HDR) {
            if (len != 1)
                continue;
            s->top = T_BODY;
            if (s->top_left != 0)
                continue;
        } else if (--s->top_left != 0) {
            continue;
        }
        s->top = T_DONE;
        cut = i;
        break;
    }
    if (cut == 0)
        return MW_OK;
    return s->cb.send(s, s->user, p, cut) < 0 ? MW_E_CALLBACK : MW_OK;
}

/* The stuffer's sink: straight to `send` (the RETR fast path). */
static int body_sink(void *user, const char *p, size_t n)
{
    mw_pop3_server *s = (mw_pop3_server *)user;
    if (s->top != T_NONE)
        return top_sink(s, p, n);
    return s->cb.send(s, s->user, p, n) < 0 ? MW_E_CALLBACK : MW_OK;
}

static int body_open(const mw_pop3_server *s)
{
    return s->phase != MW_POP3_STATE_CLOSED && s->io == IO_MULTI &&
           s->multi == M_BODY;
}

int mw_pop3_server_write(mw_pop3_server *s, const void *data, size_t len)
{
    int r;
    if (s == NULL || (data == NULL && len > 0))
        return MW_E_INVAL;
    if (!body_open(s))
        return MW_E_STATE;
    if (s->top == T_DONE)
        return MW_DONE;
    /* The context may have been moved since reply_begin. */
    s->stuff.user = s;
    r = mw__dot_stuff_write(&s->stuff, (const char *)data, len, NULL,
                            &s->err);
    if (r == MW_E_CALLBACK)
        return fatal(s, MW_E_CALLBACK, "send callback failed");
    if (r < 0)
        return r; /* MW_E_BARE_LF / MW_E_BARE_CR under REJECT */
    return s->top == T_DONE ? MW_DONE : MW_OK;
}

int mw_pop3_server_reply_end(mw_pop3_server *s)
{
    int r;
    if (s == NULL)
        return MW_E_INVAL;
    if (s->phase == MW_POP3_STATE_CLOSED || s->io != IO_MULTI)
        return MW_E_STATE;
    if (s->multi == M_BODY && s->top != T_DONE) {
        /* The end goes out whole: TOP must not count (and cut) the CRLF
         * that finish may add before the dot. */
        s->top = T_NONE;
        s->stuff.user = s;
        r = mw__dot_stuff_finish(&s->stuff, &s->err);
        if (r == MW_E_BARE_CR) /* REJECT: a final CR is dropped */
            r = mw__dot_stuff_finish(&s->stuff, &s->err);
        if (r < 0)
            return fatal(s, MW_E_CALLBACK, "send callback failed");
    } else {
        /* A listing, or a TOP cut just after a CRLF. */
        r = send_raw(s, ".\r\n", 3);
        if (r < 0)
            return r;
    }
    s->multi = M_NONE;
    s->top = T_NONE;
    answered(s, 1);
    return MW_OK;
}

int mw_pop3_server_auth_challenge(mw_pop3_server *s, const void *data,
                                  size_t len)
{
    const unsigned char *d = (const unsigned char *)data;
    /* Raw bytes per output line piece: 3 * ((512 - 4) / 4). */
    const size_t piece = 3u * ((sizeof s->out - 4u) / 4u);
    size_t at = 0;
    int r;

    if (s == NULL || (data == NULL && len > 0))
        return MW_E_INVAL;
    if (!pending(s) || (s->cmd != MW_POP3_CMD_AUTH &&
                        s->cmd != MW_POP3_CMD_AUTH_RESPONSE))
        return MW_E_STATE;
    /* RFC 5034 §4: "+" SP [base64] CRLF. A long challenge goes out in
     * several pieces of one line. */
    s->out[0] = '+';
    s->out[1] = ' ';
    if (len == 0) {
        s->out[2] = '\r';
        s->out[3] = '\n';
        r = send_raw(s, s->out, 4);
    } else {
        r = MW_OK;
        while (r == MW_OK && at < len) {
            size_t k = len - at < piece ? len - at : piece, off, w = 0;
            off = at == 0 ? 2u : 0u;
            mw_base64_encode(d + at, k, s->out + off, sizeof s->out - off - 2u,
                             &w);
            at += k;
            if (at == len) {
                s->out[off + w] = '\r';
                s->out[off + w + 1] = '\n';
                w += 2;
            }
            r = send_raw(s, s->out, off + w);
        }
    }
    if (r == MW_OK) {
        s->io = IO_SASL;
        s->cmd = MW_POP3_CMD_NONE;
    }
    return r;
}

int mw_pop3_server_apop_check(mw_pop3_server *s, const void *secret,
                              size_t len)
{
#if MW_ENABLE_SASL_CRAM_MD5
    mw_md5 m;
    uint8_t d[MW_MD5_LEN];
    unsigned diff = 0;
    size_t i;

    if (s == NULL || (secret == NULL && len > 0))
        return MW_E_INVAL;
    if (!pending(s) || s->cmd != MW_POP3_CMD_APOP || !s->has_ts)
        return MW_E_STATE;
    /* RFC 1939 §7: MD5(timestamp || secret); the timestamp's state was
     * kept when the greeting was sent. */
    m = s->apop;
    mw_md5_update(&m, secret, len);
    mw_md5_final(&m, d);
    for (i = 0; i < MW_MD5_LEN; i++)
        diff |= (unsigned)(d[i] ^ s->digest[i]);
    memset(&m, 0, sizeof m);
    return diff == 0 ? MW_OK : MW_E_INVAL;
#else
    /* Compiled out (features.h). */
    (void)s, (void)secret, (void)len;
    return MW_E_UNSUPPORTED;
#endif
}

int mw_pop3_server_tls_done(mw_pop3_server *s)
{
    if (s == NULL)
        return MW_E_INVAL;
    if (s->phase == MW_POP3_STATE_CLOSED || s->io != IO_TLS)
        return MW_E_STATE;
    /* RFC 2595 §4: forget what the client said before TLS. */
    s->io = IO_READY;
    s->tls = 1;
    s->user_ok = 0;
    s->utf8 = 0;
    return MW_OK;
}

int mw_pop3_server_eof(mw_pop3_server *s)
{
    mw__line_ev ev;
    int r;
    if (s == NULL)
        return MW_E_INVAL;
    if (s->phase == MW_POP3_STATE_CLOSED)
        return MW_OK;
    r = mw__line_finish(&s->line, &ev);
    s->phase = MW_POP3_STATE_CLOSED;
    if (r == MW_E_INCOMPLETE && s->io != IO_TLS) {
        report(s, MW_E_INCOMPLETE, ev.err_offset,
               "connection closed inside a command line");
        return MW_E_INCOMPLETE;
    }
    return MW_OK;
}

int mw_pop3_server_bye(mw_pop3_server *s, int rcode, const char *text)
{
    int r;
    if (s == NULL)
        return MW_E_INVAL;
    if (s->phase == MW_POP3_STATE_CLOSED || s->phase == MW_POP3_STATE_START ||
        s->io == IO_MULTI)
        return MW_E_STATE;
    r = send_status(s, 0, rcode, text);
    if (r == MW_OK)
        s->phase = MW_POP3_STATE_CLOSED;
    return r;
}

unsigned mw_pop3_server_want(const mw_pop3_server *s)
{
    if (s == NULL || s->phase == MW_POP3_STATE_CLOSED)
        return MW_POP3_WANT_CLOSED;
    if (s->phase == MW_POP3_STATE_START)
        return 0;
    switch (s->io) {
    case IO_TLS:
        return MW_POP3_WANT_TLS;
    case IO_PENDING:
    case IO_MULTI:
        return MW_POP3_WANT_REPLY;
    default:
        return MW_POP3_WANT_INPUT;
    }
}

int mw_pop3_server_state(const mw_pop3_server *s)
{
    return s == NULL ? MW_POP3_STATE_CLOSED : (int)s->phase;
}

int mw_pop3_server_error(const mw_pop3_server *s, mw_error *err)
{
    if (s == NULL)
        return MW_E_INVAL;
    if (err != NULL)
        *err = s->err;
    return s->err.code;
}

size_t mw_pop3_server_discarded(const mw_pop3_server *s)
{
    return s == NULL ? 0 : s->discarded;
}
