/* SPDX-License-Identifier: MIT */
/*
 * The IMAP4 server machine (RFC 3501, RFC 9051 and the extensions of
 * imap_command.h). See include/mailwire/imap_server.h for the API.
 *
 * Bytes go through the framer (frame.h) first: lines and literals are
 * cut before anything is parsed, so a frame that fails is skipped whole
 * and the bytes of a dropped literal are never taken for commands
 * (field-notes §4.8, the Dovecot 2.2.1 CATENATE class). Complete frames
 * go to the command parser (server_cmd.h); the machine checks the tag,
 * the connection state (RFC 9051 §3) and the capabilities offered,
 * answers what is wrong itself, and hands the rest to the application,
 * then reads nothing more until the application has answered: replies
 * stay in command order.
 *
 * Literals (RFC 9051 §4.3, RFC 7888): the machine decides for each
 * announcement whether its bytes join the command text (small literals),
 * stream to the application (APPEND messages, never buffered), are
 * refused (a synchronising literal the client must not send) or are read
 * and dropped (a non-synchronising literal over a limit).
 *
 * STARTTLS and COMPRESS: once the application accepts, the framer is reset
 * and every byte fed before tls_done/compress_done is dropped and
 * reported, never parsed (CVE-2011-0411 and its successors, field-notes
 * §4.1).
 */
#include "imap/server_int.h"
#include "imap/frame.h"
#include "imap/server_cmd.h"
#include "mailwire/codec.h"

/* Which segment of a command frame the framer is in (s->fmode). */
enum {
    FM_CMD = 0,   /* the first segment of a command */
    FM_APPEND = 1 /* after a streamed APPEND message */
};

#define CAP(s, bit) (((s)->caps & (bit)) != 0)

/* The parser's flags: the session's lexer flags, and CATENATE syntax
 * only while the capability is offered (RFC 4469 §2). */
static unsigned parse_flags(const mw_imap_server *s)
{
    return s->lexflags |
           (CAP(s, MW_IMAP_CAP_CATENATE) ? MW__IMAP_AP_CATENATE : 0u);
}

/* ---- configuration ---------------------------------------------------- */

void mw_imap_server_config_init(mw_imap_server_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_line = MW_IMAP_COMMAND_LINE_DEFAULT;
    cfg->max_literal = MW_IMAP_LITERAL_DEFAULT;
    cfg->max_append = 0;
    cfg->max_depth = MW_IMAP_DEPTH_DEFAULT;
    cfg->max_bad_commands = MW_IMAP_SERVER_MAX_BAD_DEFAULT;
    cfg->flags = 0;
    cfg->caps = MW_IMAP_CAP_IMAP4REV1 | MW_IMAP_CAP_LITERAL_MINUS |
                MW_IMAP_CAP_IDLE;
    cfg->auth = 0;
    cfg->caps_extra = NULL;
    cfg->newline = MW_NEWLINE_REJECT;
}

size_t mw_imap_server_sizeof(void)
{
    return sizeof(mw_imap_server);
}

int mw_imap_server_init(mw_imap_server *s, const mw_imap_server_config *cfg,
                        const mw_imap_server_callbacks *cb, void *user,
                        char *buf, size_t buf_len)
{
    mw_imap_server_config def;
    size_t pad;

    if (s == NULL || cb == NULL || cb->send == NULL || buf == NULL)
        return MW_E_INVAL;
    if (cfg == NULL) {
        mw_imap_server_config_init(&def);
        cfg = &def;
    }
    if (cfg->max_line < 64 || cfg->max_literal > cfg->max_line ||
        cfg->max_depth == 0 || cfg->max_depth > MW_IMAP_SERVER_DEPTH_MAX ||
        (cfg->newline != MW_NEWLINE_REJECT &&
         cfg->newline != MW_NEWLINE_ACCEPT) ||
        !mw__imaps_caps_extra_ok(cfg->caps_extra))
        return MW_E_INVAL;
    /* The arena starts at the first aligned byte after the frame buffer. */
    pad = (size_t)((16u - ((uintptr_t)(buf + cfg->max_line) & 15u)) & 15u);
    if (buf_len < cfg->max_line || buf_len - cfg->max_line < pad ||
        buf_len - cfg->max_line - pad < MW_IMAP_SERVER_ARENA_MIN)
        return MW_E_INVAL;
    memset(s, 0, sizeof(*s));
    mw__imap_framer_init(&s->fr, buf, cfg->max_line, cfg->max_line,
                         cfg->newline);
    mw__imap_framer_sync_ends_frame(&s->fr);
    mw__imap_arena_init(&s->arena, buf + cfg->max_line + pad,
                        buf_len - cfg->max_line - pad);
    s->cb = *cb;
    s->user = user;
    s->caps_extra =
        (cfg->caps_extra != NULL && cfg->caps_extra[0] != '\0') ? cfg->caps_extra
                                                                : NULL;
    s->caps = cfg->caps;
    s->auth = cfg->auth;
    s->flags = cfg->flags;
    s->max_line = cfg->max_line;
    s->max_literal = cfg->max_literal;
    s->max_append = cfg->max_append;
    s->max_depth = cfg->max_depth;
    s->max_bad = cfg->max_bad_commands;
    s->tls = (cfg->flags & MW_IMAP_SERVER_TLS_ACTIVE) != 0;
    /* A server that offers only IMAP4rev2 speaks it from the start
     * (RFC 9051 §6.3.1: ENABLE IMAP4rev2 is for servers that offer both). */
    s->rev2 = CAP(s, MW_IMAP_CAP_IMAP4REV2) && !CAP(s, MW_IMAP_CAP_IMAP4REV1);
    s->lexflags = s->rev2 ? MW__IMAP_LEX_UTF8 : 0u;
    s->phase = MW_IMAP_STATE_GREETING;
    s->io = MW__IMAPS_IO_READY;
    s->fmode = FM_CMD;
    return MW_OK;
}

/* ---- greeting --------------------------------------------------------- */

int mw_imap_server_start(mw_imap_server *s, int result,
                         const mw_imap_code *code, const char *text)
{
    int r;
    if (s == NULL)
        return MW_E_INVAL;
    if (s->started)
        return MW_E_STATE;
    if (result != MW_IMAP_OK && result != MW_IMAP_PREAUTH &&
        result != MW_IMAP_BYE)
        return MW_E_INVAL;
    /* The state first: a CAPABILITY code lists what it allows. */
    s->phase = result == MW_IMAP_PREAUTH ? MW_IMAP_STATE_AUTHENTICATED
                                         : MW_IMAP_STATE_NOT_AUTHENTICATED;
    s->started = 1;
    r = mw__imaps_status_line(s, NULL, 0, result, code, text);
    if (r == MW_E_INVAL) {
        s->started = 0;
        s->phase = MW_IMAP_STATE_GREETING;
        return r;
    }
    if (r == MW_OK && result == MW_IMAP_BYE) {
        /* RFC 9051 §7.1.5: the server refuses the connection. */
        s->io = MW__IMAPS_IO_CLOSED;
        s->phase = MW_IMAP_STATE_LOGOUT;
    }
    return r;
}

/* ---- errors the machine answers --------------------------------------- */

static int report_(mw_imap_server *s, int status, size_t offset,
                   const char *reason)
{
    int r = MW_OK;
    (void)mw__fail(&s->err, status, offset, reason);
    if (s->cb.error != NULL) {
        r = s->cb.error(s, s->user, status, offset, reason);
        if (r < 0)
            return mw__imaps_fatal(s, MW_E_CALLBACK, "error callback aborted");
        r = r == MW_PAUSED ? MW_PAUSED : MW_OK;
    }
    return r;
}
#define report(s, status, offset, reason)                                    \
    report_((s), (status), (offset), MW__TEXT(reason))

static void close_session(mw_imap_server *s)
{
    s->io = MW__IMAPS_IO_CLOSED;
    s->phase = MW_IMAP_STATE_LOGOUT;
    s->pending = 0;
}

/* The reply to a command (or frame) with the saved tag, or untagged. */
static int send_tagged(mw_imap_server *s, int tagged, int result, int code,
                       const char *text)
{
    mw_imap_code c;
    memset(&c, 0, sizeof c);
    c.id = code;
    if (tagged && s->tag_len > 0)
        return mw__imaps_status_line(s, s->tag, s->tag_len, result, &c, text);
    return mw__imaps_status_line(s, NULL, 0, result, &c, text);
}

/* A command or frame the machine refuses: answer it, count it, and at
 * the limit say BYE and close (RFC 9051 §7.1.5 lets a server close a
 * connection it considers abusive; field-notes §4.11: floods of cheap bad
 * commands and AUTHENTICATE cancel loops). */
static int refuse_(mw_imap_server *s, int tagged, int result, int code,
                   const char *text, int status, size_t offset,
                   const char *reason)
{
    int r = send_tagged(s, tagged, result, code, text);
    if (r < 0 && r != MW_E_INVAL && r != MW_E_STATE)
        return r;
    s->pending = 0;
    s->bad++;
    if (s->max_bad != 0 && s->bad >= s->max_bad) {
        r = mw__imaps_status_line(s, NULL, 0, MW_IMAP_BYE, NULL,
                                  "Too many invalid commands");
        if (r < 0 && r != MW_E_STATE)
            return r;
        close_session(s);
        return report(s, MW_E_LIMIT, offset, "too many bad commands");
    }
    return report(s, status, offset, reason);
}
#define refuse(s, tagged, result, code, text, status, offset, reason)       \
    refuse_((s), (tagged), (result), (code), (text), (status), (offset),     \
            MW__TEXT(reason))

/* ---- frames ----------------------------------------------------------- */

static void frame_done(mw_imap_server *s)
{
    s->fmode = FM_CMD;
    s->answered = 0;
    s->prechecked = 0;
    s->appending = 0;
}

static int nonsync_ok(const mw_imap_server *s, uint64_t size, int *toobig)
{
    /* RFC 7888 §4 LITERAL+: any size; §5 LITERAL- (and IMAP4rev2, RFC
     * 9051 §4.3): at most 4096 octets; neither: none at all. */
    *toobig = 0;
    if (CAP(s, MW_IMAP_CAP_LITERAL_PLUS))
        return 1;
    if (CAP(s, MW_IMAP_CAP_LITERAL_MINUS) || CAP(s, MW_IMAP_CAP_IMAP4REV2)) {
        if (size <= MW_IMAP_LITERAL_MINUS_MAX)
            return 1;
        *toobig = 1;
    }
    return 0;
}

/* Refuse the literal the framer announced: a synchronising one is never
 * sent by the client (REFUSE, the frame ends), a non-synchronising one is
 * read and dropped with the rest of its frame (DISCARD). The command is
 * answered now; the frame's end will not answer again. */
static int refuse_literal_(mw_imap_server *s, int sync, int tagged, int result,
                           int code, const char *text, int status,
                           size_t offset, const char *reason)
{
    mw__imap_framer_take(&s->fr,
                         sync ? MW__IMAP_TAKE_REFUSE : MW__IMAP_TAKE_DISCARD,
                         status, reason);
    if (sync)
        frame_done(s);
    else
        s->answered = 1;
    if (s->io == MW__IMAPS_IO_SASL || s->io == MW__IMAPS_IO_IDLE)
        s->io = MW__IMAPS_IO_READY;
    return refuse(s, tagged, result, code, text, status, offset, reason);
}
#define refuse_literal(s, sync, tagged, result, code, text, status, offset, \
                       reason)                                               \
    refuse_literal_((s), (sync), (tagged), (result), (code), (text),         \
                    (status), (offset), MW__TEXT(reason))

/* An APPEND message sent as "UTF8 (~{n}" without UTF8=ACCEPT offered
 * (RFC 6855 §4): BAD, the message not read. */
static int refuse_utf8(mw_imap_server *s, int sync, size_t offset)
{
    return refuse_literal(s, sync, 1, MW_IMAP_BAD, 0,
                          "UTF8 APPEND data not offered", MW_E_SYNTAX,
                          offset, "UTF8 APPEND data without UTF8=ACCEPT");
}

/* ---- command checks --------------------------------------------------- */

/* Commands of extensions need the capability offered (IMAP4rev2 includes
 * IDLE, NAMESPACE, ENABLE, UNSELECT, MOVE, UIDPLUS: RFC 9051 §1.4). */
static int offered(const mw_imap_server *s, const mw_imap_cmd *c)
{
    int v2 = CAP(s, MW_IMAP_CAP_IMAP4REV2);
    switch (c->id) {
    case MW_IMAP_CMD_APPEND:
        /* RFC 6855 §4: the UTF8 data extension comes with UTF8=ACCEPT
         * (UTF8=ONLY implies it, §6) */
        return !c->u.append.utf8 || CAP(s, MW_IMAP_CAP_UTF8_ACCEPT) ||
               CAP(s, MW_IMAP_CAP_UTF8_ONLY);
    case MW_IMAP_CMD_STARTTLS:
        return CAP(s, MW_IMAP_CAP_STARTTLS);
    case MW_IMAP_CMD_IDLE:
        return CAP(s, MW_IMAP_CAP_IDLE) || v2;
    case MW_IMAP_CMD_NAMESPACE:
        return CAP(s, MW_IMAP_CAP_NAMESPACE) || v2;
    case MW_IMAP_CMD_ID:
        return CAP(s, MW_IMAP_CAP_ID);
    case MW_IMAP_CMD_ENABLE:
        return CAP(s, MW_IMAP_CAP_ENABLE) || v2;
    case MW_IMAP_CMD_UNSELECT:
        return CAP(s, MW_IMAP_CAP_UNSELECT) || v2;
    case MW_IMAP_CMD_MOVE:
        return CAP(s, MW_IMAP_CAP_MOVE) || v2;
    case MW_IMAP_CMD_EXPUNGE:
        return !(c->flags & MW_IMAP_CMDF_UID) || CAP(s, MW_IMAP_CAP_UIDPLUS) ||
               v2;
    case MW_IMAP_CMD_COMPRESS:
        return CAP(s, MW_IMAP_CAP_COMPRESS_DEFLATE);
    case MW_IMAP_CMD_GETQUOTA:
    case MW_IMAP_CMD_GETQUOTAROOT:
    case MW_IMAP_CMD_SETQUOTA:
        return CAP(s, MW_IMAP_CAP_QUOTA);
    case MW_IMAP_CMD_SORT:
        return CAP(s, MW_IMAP_CAP_SORT);
    case MW_IMAP_CMD_THREAD:
        return CAP(s, MW_IMAP_CAP_THREAD);
    case MW_IMAP_CMD_GETMETADATA:
    case MW_IMAP_CMD_SETMETADATA:
        return CAP(s, MW_IMAP_CAP_METADATA);
    case MW_IMAP_CMD_LSUB:
    case MW_IMAP_CMD_CHECK:
        return CAP(s, MW_IMAP_CAP_IMAP4REV1); /* gone in IMAP4rev2 */
    default:
        return 1;
    }
}

/* ---- delivering to the application ------------------------------------ */

/* The tag of a parsed command: the parser reports one only when it is
 * 1 to MW_IMAP_TAG_MAX tag characters (ASTRING-CHAR but "+": the same
 * class as mw__imaps_tag_ok(), checked byte by byte in
 * tests/unit/test_imap_server.c), so it is only copied. */
static int keep_tag(mw_imap_server *s, mw_span tag, size_t avail)
{
    if (tag.ptr == NULL || tag.len == 0 || tag.len > MW_IMAP_TAG_MAX) {
        s->tag_len = 0;
        return 0;
    }
    if (tag.len <= 16 && avail >= 16)
        memcpy(s->tag, tag.ptr, 16); /* a short tag: one fixed-size copy */
    else
        memcpy(s->tag, tag.ptr, tag.len);
    s->tag_len = (uint8_t)tag.len;
    return 1;
}

static int call_command(mw_imap_server *s, const mw_imap_cmd *cmd)
{
    int r;
    s->io = MW__IMAPS_IO_PENDING;
    s->pending = 1;
    if (s->cb.command == NULL) {
        if (cmd->id == MW_IMAP_CMD_LOGOUT || cmd->id == MW_IMAP_CMD_DONE)
            return mw_imap_server_reply(s, MW_IMAP_OK, NULL, NULL);
        return mw_imap_server_reply(s, MW_IMAP_NO, NULL,
                                    "Command not implemented");
    }
    r = s->cb.command(s, s->user, cmd);
    if (r < 0)
        return mw__imaps_fatal(s, MW_E_CALLBACK, "command callback aborted");
    return r == MW_PAUSED ? MW_PAUSED : MW_OK;
}

/* CAPABILITY is answered from the configuration (RFC 9051 §6.1.1). */
static int answer_capability(mw_imap_server *s)
{
    int r = mw_imap_server_capability(s);
    if (r != MW_OK)
        return r;
    return mw__imaps_status_line(s, s->tag, s->tag_len, MW_IMAP_OK, NULL,
                                 "CAPABILITY completed");
}

static int append_items(mw_imap_server *s, const char *p, size_t n,
                        size_t offset, int head, const mw__imap_fev *ev,
                        int sync);

static int on_command(mw_imap_server *s, const char *p, size_t n,
                      size_t offset)
{
    mw_imap_cmd *c = &s->cmd;
    mw_error e;
    int r;

    mw__imap_arena_reset(&s->arena);
    e.code = MW_E_SYNTAX;
    e.offset = offset;
    e.reason = MW__TEXT("syntax error");
    /* (the parser clears *c first) */
    r = mw__imap_cmd_parse(p, n, offset, &s->arena, parse_flags(s),
                           s->max_depth, c, &e);
    if (c->tag.ptr != NULL && c->tag.len > MW_IMAP_TAG_MAX)
        return refuse(s, 0, MW_IMAP_BAD, 0, "Tag too long", MW_E_TOO_LONG,
                      offset, "tag too long");
    /* the tag starts the frame: n bytes may be read from it */
    keep_tag(s, c->tag, c->tag.ptr == p ? n : 0);
    if (r != MW_OK) {
        const char *text = e.reason;
        if (text == NULL || !mw__imaps_text_ok(s, text, 0))
            text = "Syntax error";
        return refuse(s, 1, MW_IMAP_BAD, 0, text, r, e.offset,
                      e.reason != NULL ? e.reason : "syntax error");
    }
    if (s->tag_len == 0)
        return refuse(s, 0, MW_IMAP_BAD, 0, "Invalid tag", MW_E_SYNTAX,
                      offset, "invalid tag");
    if (c->id == MW_IMAP_CMD_OTHER || c->id == MW_IMAP_CMD_NONE) {
        if ((s->flags & MW_IMAP_SERVER_DELIVER_OTHER) &&
            (s->phase == MW_IMAP_STATE_AUTHENTICATED ||
             s->phase == MW_IMAP_STATE_SELECTED))
            return call_command(s, c);
        return refuse(s, 1, MW_IMAP_BAD, 0, "Unknown command", MW_E_SYNTAX,
                      offset, "unknown command");
    }
    if (!offered(s, c))
        return refuse(s, 1, MW_IMAP_BAD, 0, "Unknown command", MW_E_SYNTAX,
                      offset, "command of an extension not offered");
    if (!(mw__imap_cmd_states(c->id) & (1 << s->phase)))
        return refuse(s, 1, MW_IMAP_BAD, 0, "Command not valid in this state",
                      MW_E_STATE, offset, "command not valid in this state");
    switch (c->id) {
    case MW_IMAP_CMD_CAPABILITY:
        r = answer_capability(s);
        return r < 0 ? r : MW_OK;
    case MW_IMAP_CMD_STARTTLS:
        if (s->tls)
            return refuse(s, 1, MW_IMAP_BAD, 0, "TLS is already active",
                          MW_E_STATE, offset, "STARTTLS with TLS active");
        break;
    case MW_IMAP_CMD_LOGIN:
        /* RFC 9051 §6.2.3: LOGINDISABLED. */
        if (((s->flags & MW_IMAP_SERVER_LOGIN_NEEDS_TLS) && !s->tls) ||
            CAP(s, MW_IMAP_CAP_LOGINDISABLED))
            return refuse(s, 1, MW_IMAP_NO, MW_IMAP_CODE_PRIVACYREQUIRED,
                          "LOGIN is disabled", MW_E_STATE, offset,
                          "LOGIN while LOGINDISABLED");
        break;
    case MW_IMAP_CMD_AUTHENTICATE: {
        const mw_imap_authenticate_args *a = &c->u.authenticate;
        if (!mw__imaps_mech_offered(s, a->mechanism))
            return refuse(s, 1, MW_IMAP_NO, 0,
                          "Unsupported authentication mechanism",
                          MW_E_INVAL, offset, "SASL mechanism not offered");
        if (a->has_initial) {
            /* RFC 4959 §3: only with SASL-IR; "=" is an empty response. */
            if (!CAP(s, MW_IMAP_CAP_SASL_IR) &&
                !CAP(s, MW_IMAP_CAP_IMAP4REV2))
                return refuse(s, 1, MW_IMAP_BAD, 0,
                              "Initial response not supported", MW_E_SYNTAX,
                              offset, "SASL-IR not offered");
            if (!(a->initial.len == 1 && a->initial.ptr[0] == '=') &&
                !mw__imaps_b64_ok(a->initial.ptr, a->initial.len))
                return refuse(s, 1, MW_IMAP_BAD, 0, "Invalid base64",
                              MW_E_BASE64, offset,
                              "initial response is not base64");
        }
        break;
    }
    case MW_IMAP_CMD_COMPRESS:
        if (s->compressed)
            return refuse(s, 1, MW_IMAP_NO, MW_IMAP_CODE_COMPRESSIONACTIVE,
                          "Compression is already active", MW_E_STATE, offset,
                          "COMPRESS twice");
        if (!c->u.compress.deflate)
            return refuse(s, 1, MW_IMAP_NO, 0,
                          "Unsupported compression mechanism", MW_E_INVAL,
                          offset, "COMPRESS mechanism not DEFLATE");
        break;
    case MW_IMAP_CMD_APPEND:
        /* A whole APPEND line: only CATENATE messages of URL parts come
         * this way (every message or TEXT literal is streamed). Their
         * parts go through the same events as in a streamed frame. */
        return append_items(s, p, n, offset, 1, NULL, 0);
    default:
        break;
    }
    return call_command(s, c);
}

/* ---- APPEND messages ---------------------------------------------------- */

/* An APPEND message literal is announced (s->cmd holds its arguments). */
static int message_literal(mw_imap_server *s, const mw__imap_fev *ev,
                           int sync)
{
    uint64_t size = ev->lit_size;
    int toobig, r;

    if (!sync && !nonsync_ok(s, size, &toobig))
        return refuse_literal(s, 0, 1, MW_IMAP_BAD,
                              toobig ? MW_IMAP_CODE_TOOBIG : 0,
                              toobig ? "Non-synchronizing literal too large"
                                     : "Non-synchronizing literals not supported",
                              MW_E_LITERAL, mw__imap_fev_literal_offset(ev),
                              "non-synchronizing literal refused");
    /* CATENATE (RFC 4469 §5): the limit bounds the sum of the TEXT parts
     * of one message (URL parts are the application's to add). */
    uint64_t have = s->cmd.u.append.catenate ? s->cat_total : 0u;
    if (s->max_append != 0 &&
        (size > s->max_append || have > s->max_append - size)) {
        /* RFC 7889 §4: NO [TOOBIG] for a message over APPENDLIMIT. Not a
         * bad command: the client may not know the limit. */
        mw__imap_framer_take(&s->fr,
                             sync ? MW__IMAP_TAKE_REFUSE : MW__IMAP_TAKE_DISCARD,
                             MW_E_LIMIT, "APPEND message too large");
        if (sync)
            frame_done(s);
        else
            s->answered = 1;
        s->pending = 0;
        r = send_tagged(s, 1, MW_IMAP_NO, MW_IMAP_CODE_TOOBIG,
                        "Message too large");
        if (r < 0)
            return r;
        return report(s, MW_E_LIMIT, mw__imap_fev_literal_offset(ev),
                      "APPEND message too large");
    }
    if (s->cmd.u.append.catenate)
        s->cat_total = have > UINT64_MAX - size ? UINT64_MAX : have + size;
    s->io = MW__IMAPS_IO_LITQ;
    s->lit_sync = (uint8_t)sync;
    r = MW_OK;
    if (s->cb.literal != NULL) {
        r = s->cb.literal(s, s->user, &s->cmd);
        if (r < 0)
            return mw__imaps_fatal(s, MW_E_CALLBACK, "literal callback aborted");
    }
    if (s->io != MW__IMAPS_IO_LITQ)
        return r == MW_PAUSED ? MW_PAUSED : MW_OK; /* answered inside */
    if (r == MW_PAUSED)
        return MW_PAUSED; /* the application decides later */
    return mw_imap_server_literal_accept(s);
}

int mw_imap_server_literal_accept(mw_imap_server *s)
{
    if (s == NULL)
        return MW_E_INVAL;
    if (s->io != MW__IMAPS_IO_LITQ || s->open != MW__IMAPS_OPEN_NONE)
        return MW_E_STATE;
    s->io = MW__IMAPS_IO_READY;
    if (s->lit_sync) {
        /* RFC 9051 §7.6: the command continuation request. */
        mw__imaps_puts(s, "+ Ready for literal data\r\n");
        if (mw__imaps_end(s) != MW_OK)
            return s->ost;
    }
    mw__imap_framer_take(&s->fr, MW__IMAP_TAKE_STREAM, 0, NULL);
    return MW_OK;
}

/* A URL part of a CATENATE message (RFC 4469 §5) to the application.
 * Without `append_url` nobody can resolve it: NO [BADURL url] (RFC 4469
 * §4.1), or a plain NO when the URL cannot be written as url-resp-text
 * (empty, or holding "]" or 8-bit bytes). */
static int deliver_url(mw_imap_server *s)
{
    int r;
    if (s->cb.append_url == NULL) {
        mw_imap_code c;
        memset(&c, 0, sizeof c);
        c.id = MW_IMAP_CODE_BADURL;
        c.arg = s->cmd.u.append.url;
        r = mw_imap_server_reply(s, MW_IMAP_NO, &c, "URL not supported");
        if (r == MW_E_INVAL)
            r = mw_imap_server_reply(s, MW_IMAP_NO, NULL,
                                     "URL not supported");
        return r;
    }
    r = s->cb.append_url(s, s->user, &s->cmd);
    if (r < 0)
        return mw__imaps_fatal(s, MW_E_CALLBACK, "append_url callback aborted");
    return r == MW_PAUSED ? MW_PAUSED : MW_OK;
}

/* One segment of an APPEND frame, item by item (server_cmd.h): the
 * command's head (head 1) or the text after a streamed literal. `ev` is
 * the framer's LITERAL event the segment ends with (NULL for the frame's
 * last line). The whole segment is checked first, so that a syntax error
 * anywhere in it is answered before any of its parts reaches the
 * application (and in the same order as before CATENATE: syntax, state,
 * then the UTF8 extension). */
static int append_items(mw_imap_server *s, const char *p, size_t n,
                        size_t offset, int head, const mw__imap_fev *ev,
                        int sync)
{
    mw__imap_apstep st;
    mw_error e;
    mw_imap_cmd saved;
    mw__imap_arena arena = s->arena;
    int r, item, paused = 0;

    e.code = MW_E_SYNTAX;
    e.offset = offset;
    e.reason = MW__TEXT("syntax error");
    saved = s->cmd;
    /* dry run: the syntax of the whole segment */
    r = mw__imap_append_start(&st, p, n, offset, &s->arena, parse_flags(s),
                              &s->cmd, head, &e);
    item = 0;
    while (r == MW_OK) {
        item = mw__imap_append_step(&st, &e);
        if (item < 0 || item == MW__IMAP_AP_LITERAL ||
            item == MW__IMAP_AP_DONE)
            break;
    }
    if (r == MW_OK && item > 0 && (item == MW__IMAP_AP_LITERAL) != (ev != NULL))
        item = mw__fail(&e, MW_E_INTERNAL, offset, "APPEND segment mismatch");
    if (r != MW_OK || item < 0) {
        int st_ = r != MW_OK ? r : item;
        const char *text = head ? e.reason : "Invalid APPEND arguments";
        if (text == NULL || !mw__imaps_text_ok(s, text, 0))
            text = "Syntax error";
        if (!head && ev == NULL && s->cmd.u.append.catenate == 0 &&
            !saved.u.append.catenate)
            e.reason = MW__TEXT("APPEND failed after a message");
        if (ev != NULL)
            return refuse_literal(s, sync, 1, MW_IMAP_BAD, 0, text,
                                  st_ < 0 ? st_ : MW_E_SYNTAX, e.offset,
                                  e.reason != NULL ? e.reason
                                                   : "APPEND syntax error");
        return refuse(s, 1, MW_IMAP_BAD, 0, text, st_ < 0 ? st_ : MW_E_SYNTAX,
                      e.offset,
                      e.reason != NULL ? e.reason : "APPEND syntax error");
    }
    if (head && ev != NULL &&
        !(mw__imap_cmd_states(MW_IMAP_CMD_APPEND) & (1 << s->phase)))
        return refuse_literal(s, sync, 1, MW_IMAP_BAD, 0,
                              "Command not valid in this state", MW_E_STATE,
                              ev->offset, "command not valid in this state");
    /* the real run, with the events */
    s->cmd = saved;
    s->arena = arena;
    if (mw__imap_append_start(&st, p, n, offset, &s->arena, parse_flags(s),
                              &s->cmd, head, &e) != MW_OK)
        return mw__imaps_fatal(s, MW_E_INTERNAL, "APPEND reparse failed");
    if (head) {
        s->cat_total = 0;
        s->pending = 1;
        if (ev != NULL)
            s->appending = 1;
    }
    for (;;) {
        item = mw__imap_append_step(&st, &e);
        if (item < 0)
            return mw__imaps_fatal(s, MW_E_INTERNAL, "APPEND reparse failed");
        switch (item) {
        case MW__IMAP_AP_PART:
            if (s->cmd.u.append.part_kind != MW_IMAP_CATPART_URL)
                break;
            r = deliver_url(s);
            if (r < 0)
                return r;
            if (r == MW_PAUSED)
                paused = 1;
            break;
        case MW__IMAP_AP_END:
            s->cat_total = 0;
            if (s->cb.append_end != NULL) {
                r = s->cb.append_end(s, s->user, &s->cmd);
                if (r < 0)
                    return mw__imaps_fatal(s, MW_E_CALLBACK,
                                           "append_end callback aborted");
                if (r == MW_PAUSED)
                    paused = 1;
            }
            break;
        case MW__IMAP_AP_LITERAL:
            /* Only a segment that ends in a literal announcement (ev) can
             * step to one; a whole line (ev NULL) never does. */
            if (ev == NULL)
                return mw__imaps_fatal(s, MW_E_INTERNAL,
                                       "APPEND literal without its frame");
            if (!offered(s, &s->cmd))
                return refuse_utf8(s, sync, mw__imap_fev_literal_offset(ev));
            r = message_literal(s, ev, sync);
            return r == MW_OK && paused ? MW_PAUSED : r;
        default: /* DONE: all messages received */
            r = call_command(s, &s->cmd);
            return r == MW_OK && paused ? MW_PAUSED : r;
        }
        if (!s->pending || s->answered || s->io != MW__IMAPS_IO_READY) {
            /* The application answered the command (NO [BADURL ...]):
             * the rest of the frame is not wanted; a literal the segment
             * announced is refused or dropped. */
            if (ev != NULL) {
                mw__imap_framer_take(&s->fr,
                                     sync ? MW__IMAP_TAKE_REFUSE
                                          : MW__IMAP_TAKE_DISCARD,
                                     MW_E_LITERAL, "command already answered");
                if (sync)
                    frame_done(s);
                else
                    s->answered = 1;
            }
            return paused ? MW_PAUSED : MW_OK;
        }
    }
}

/* ---- framer events ---------------------------------------------------- */

static int on_literal(mw_imap_server *s, const mw__imap_fev *ev)
{
    int sync = !(ev->lit_flags & MW__IMAP_LIT_NONSYNC), toobig;

    if (s->io == MW__IMAPS_IO_SASL || s->io == MW__IMAPS_IO_IDLE)
        return refuse_literal(s, sync, 1, MW_IMAP_BAD, 0,
                              s->io == MW__IMAPS_IO_SASL ? "Invalid base64"
                                                         : "Expected DONE",
                              MW_E_LITERAL, mw__imap_fev_literal_offset(ev),
                              "literal where a line was expected");
    if (s->answered) {
        /* The command is already answered (APPEND refused or aborted by
         * the application): the rest of its frame is not wanted. */
        mw__imap_framer_take(&s->fr,
                             sync ? MW__IMAP_TAKE_REFUSE : MW__IMAP_TAKE_DISCARD,
                             MW_E_LITERAL, "command already answered");
        if (sync)
            frame_done(s);
        return MW_OK;
    }
    if (s->fmode == FM_APPEND) {
        /* The next MULTIAPPEND message (RFC 3502 §6.3.11) or CATENATE
         * part (RFC 4469 §5); a URL part's literal joins the text. */
        if (mw__imap_cmd_literal_role(ev->p, ev->n) == MW__IMAP_TAKE_STREAM)
            return append_items(s, ev->p, ev->n, ev->offset, 0, ev, sync);
        goto inline_literal;
    }
    if (!s->prechecked) {
        s->prechecked = 1;
        s->tag_len = 0;
        {
            size_t k = mw__imaps_tag_len(ev->p, ev->n);
            if (k > 0) {
                memcpy(s->tag, ev->p, k);
                s->tag_len = (uint8_t)k;
            }
        }
    }
    if (s->tag_len == 0)
        return refuse_literal(s, sync, 0, MW_IMAP_BAD, 0, "Invalid tag",
                              MW_E_SYNTAX, ev->offset, "invalid tag");
    if (mw__imap_cmd_literal_role(ev->p, ev->n) == MW__IMAP_TAKE_STREAM) {
        /* The first message of an APPEND: parse what precedes it. */
        mw__imap_arena_reset(&s->arena);
        memset(&s->cmd, 0, sizeof s->cmd);
        return append_items(s, ev->p, ev->n, ev->offset, 1, ev, sync);
    }
inline_literal:
    /* A literal inside the command text. */
    if (!sync && !nonsync_ok(s, ev->lit_size, &toobig))
        return refuse_literal(s, 0, 1, MW_IMAP_BAD,
                              toobig ? MW_IMAP_CODE_TOOBIG : 0,
                              toobig ? "Non-synchronizing literal too large"
                                     : "Non-synchronizing literals not supported",
                              MW_E_LITERAL, mw__imap_fev_literal_offset(ev),
                              "non-synchronizing literal refused");
    if (ev->lit_size > s->max_literal ||
        !mw__imap_framer_fits(&s->fr, ev->lit_size))
        return refuse_literal(s, sync, 1, MW_IMAP_BAD, MW_IMAP_CODE_TOOBIG,
                              "Literal too large", MW_E_LITERAL,
                              mw__imap_fev_literal_offset(ev),
                              "literal over the limit");
    if (sync) {
        mw__imaps_puts(s, "+ Ready for literal data\r\n");
        if (mw__imaps_end(s) != MW_OK)
            return s->ost;
    }
    mw__imap_framer_take(&s->fr, MW__IMAP_TAKE_INLINE, 0, NULL);
    return MW_OK;
}

/* A line while AUTHENTICATE waits for the client (RFC 9051 §6.2.2). */
static int on_sasl_line(mw_imap_server *s, const char *p, size_t n,
                        size_t offset)
{
    int r;
    s->io = MW__IMAPS_IO_READY;
    if (s->cmd.id != MW_IMAP_CMD_AUTHENTICATE) {
        /* The line answering mw_imap_server_continue(): passed on as it
         * is (the framer guarantees no CR or LF in it). */
        s->io = MW__IMAPS_IO_PENDING;
        if (s->cb.auth == NULL)
            return mw_imap_server_reply(s, MW_IMAP_NO, NULL, "Failed");
        r = s->cb.auth(s, s->user, p, n);
        if (r < 0)
            return mw__imaps_fatal(s, MW_E_CALLBACK, "auth callback aborted");
        return r == MW_PAUSED ? MW_PAUSED : MW_OK;
    }
    if (n == 1 && p[0] == '*')
        return refuse(s, 1, MW_IMAP_BAD, 0, "Authentication cancelled",
                      MW_E_CANCELLED, offset, "AUTHENTICATE cancelled");
    if (!mw__imaps_b64_ok(p, n))
        return refuse(s, 1, MW_IMAP_BAD, 0, "Invalid base64", MW_E_BASE64,
                      offset, "SASL response is not base64");
    s->io = MW__IMAPS_IO_PENDING;
    if (s->cb.auth == NULL)
        return mw_imap_server_reply(s, MW_IMAP_NO, NULL,
                                    "Authentication failed");
    r = s->cb.auth(s, s->user, p, n);
    if (r < 0)
        return mw__imaps_fatal(s, MW_E_CALLBACK, "auth callback aborted");
    return r == MW_PAUSED ? MW_PAUSED : MW_OK;
}

/* A line during IDLE: DONE ends it (RFC 2177 §3). */
static int on_idle_line(mw_imap_server *s, const char *p, size_t n,
                        size_t offset)
{
    mw_imap_cmd done;
    s->io = MW__IMAPS_IO_READY;
    if (!mw__span_ieq(mw__span(p, n), "DONE"))
        return refuse(s, 1, MW_IMAP_BAD, 0, "Expected DONE", MW_E_SYNTAX,
                      offset, "IDLE ended by a line other than DONE");
    memset(&done, 0, sizeof done);
    done.id = MW_IMAP_CMD_DONE;
    done.tag = mw__span(s->tag, s->tag_len);
    done.name = mw__span(p, n);
    done.offset = offset;
    return call_command(s, &done);
}

static int on_line(mw_imap_server *s, const mw__imap_fev *ev)
{
    if (s->io == MW__IMAPS_IO_SASL)
        return on_sasl_line(s, ev->p, ev->n, ev->offset);
    if (s->io == MW__IMAPS_IO_IDLE)
        return on_idle_line(s, ev->p, ev->n, ev->offset);
    if (s->fmode == FM_APPEND) {
        int answered = s->answered;
        frame_done(s);
        if (answered)
            return MW_OK;
        /* the frame's last segment: the end of the command, or more
         * parts and messages without a streamed literal */
        return append_items(s, ev->p, ev->n, ev->offset, 0, NULL, 0);
    }
    {
        int answered = s->answered;
        frame_done(s);
        if (answered)
            return MW_OK;
    }
    return on_command(s, ev->p, ev->n, ev->offset);
}

/* The frame outgrew max_line: drop it, answer with the tag read so far. */
static int on_full(mw_imap_server *s, const mw__imap_fev *ev)
{
    int tagged = 1;
    mw__imap_framer_release(&s->fr, 0);
    if (s->answered)
        return MW_OK;
    s->answered = 1;
    if (s->io == MW__IMAPS_IO_SASL || s->io == MW__IMAPS_IO_IDLE) {
        s->io = MW__IMAPS_IO_READY;
    } else if (s->fmode == FM_CMD && !s->prechecked) {
        size_t k = mw__imaps_tag_len(ev->p, ev->n);
        s->tag_len = 0;
        if (k > 0) {
            memcpy(s->tag, ev->p, k);
            s->tag_len = (uint8_t)k;
        }
        tagged = k > 0;
    }
    return refuse(s, tagged, MW_IMAP_BAD, 0, "Command line too long",
                  MW_E_TOO_LONG, ev->offset, "command line too long");
}

/* The end of a frame the framer dropped. */
static int on_skipped(mw_imap_server *s, const mw__imap_fev *ev)
{
    int answered = s->answered, tagged = 0;
    if (s->io == MW__IMAPS_IO_SASL || s->io == MW__IMAPS_IO_IDLE) {
        s->io = MW__IMAPS_IO_READY;
        tagged = 1;
    } else if (s->fmode == FM_APPEND || s->prechecked) {
        tagged = s->tag_len > 0;
    }
    frame_done(s);
    if (ev->status == MW_E_OVERFLOW) {
        /* A literal size beyond 2^63-1: the stream cannot be framed any
         * more (frame.h), so the connection must end. */
        int r = answered ? MW_OK
                         : send_tagged(s, tagged, MW_IMAP_BAD, 0,
                                       "Literal size out of range");
        if (r < 0 && mw_is_fatal(r))
            return r;
        r = mw__imaps_status_line(s, NULL, 0, MW_IMAP_BYE, NULL,
                                  "Cannot continue after this literal");
        if (r < 0 && mw_is_fatal(r))
            return r;
        close_session(s);
        return report(s, MW_E_OVERFLOW, ev->offset,
                      ev->reason != NULL ? ev->reason
                                         : "literal size out of range");
    }
    if (answered)
        return MW_OK;
    return refuse(s, tagged, MW_IMAP_BAD, 0,
                  ev->status == MW_E_BARE_LF ? "Commands must end with CRLF"
                                             : "Invalid command",
                  ev->status < 0 ? ev->status : MW_E_SYNTAX, ev->offset,
                  ev->reason != NULL ? ev->reason : "frame dropped");
}

static int on_event(mw_imap_server *s, const mw__imap_fev *ev)
{
    int r;
    switch (ev->type) {
    case MW__IMAP_FEV_LINE:
        return on_line(s, ev);
    case MW__IMAP_FEV_LITERAL:
        return on_literal(s, ev);
    case MW__IMAP_FEV_DATA:
        if (s->answered || s->cb.append_data == NULL || ev->n == 0)
            return MW_OK;
        r = s->cb.append_data(s, s->user, ev->p, ev->n);
        if (r < 0)
            return mw__imaps_fatal(s, MW_E_CALLBACK,
                                   "append_data callback aborted");
        return r == MW_PAUSED ? MW_PAUSED : MW_OK;
    case MW__IMAP_FEV_LITERAL_END:
        s->fmode = FM_APPEND;
        /* A CATENATE TEXT part ends here, its message at its ")". */
        if (s->answered || s->cb.append_end == NULL ||
            s->cmd.u.append.catenate)
            return MW_OK;
        r = s->cb.append_end(s, s->user, &s->cmd);
        if (r < 0)
            return mw__imaps_fatal(s, MW_E_CALLBACK,
                                   "append_end callback aborted");
        return r == MW_PAUSED ? MW_PAUSED : MW_OK;
    case MW__IMAP_FEV_FULL:
        return on_full(s, ev);
    case MW__IMAP_FEV_SKIPPED:
        return on_skipped(s, ev);
    default:
        return MW_OK;
    }
}

/* ---- feed ------------------------------------------------------------- */

int mw_imap_server_feed(mw_imap_server *s, const void *in, size_t len,
                        size_t *consumed)
{
    const char *p = (const char *)in;
    size_t pos = 0;
    int r = MW_OK;

    if (consumed != NULL)
        *consumed = 0;
    if (s == NULL || consumed == NULL || (p == NULL && len > 0))
        return MW_E_INVAL;
    if (s->io == MW__IMAPS_IO_CLOSED)
        return MW_E_CLOSED;
    if (!s->started)
        return MW_E_STATE;

    for (;;) {
        size_t used = 0;
        mw__imap_fev ev;

        if (s->io == MW__IMAPS_IO_TLS || s->io == MW__IMAPS_IO_COMPRESS) {
            /* RFC 9051 §6.2.1, RFC 4978 §3 / CVE-2011-0411: what came in
             * behind the command before the switch is never parsed.
             * Reported once per switch. */
            size_t n = len - pos;
            if (n > 0 && !s->discarded_now) {
                r = report(s, MW_E_TLS_LEFTOVER,
                           mw__imap_framer_offset(&s->fr),
                           s->io == MW__IMAPS_IO_TLS
                               ? "plaintext after STARTTLS discarded"
                               : "uncompressed bytes after COMPRESS discarded");
                s->discarded_now = 1;
            }
            s->discarded += n;
            pos = len;
            if (r > 0)
                r = MW_OK;
            break;
        }
        if (s->open != MW__IMAPS_OPEN_NONE) {
            /* A FETCH/SEARCH/ESEARCH response the application opened is
             * unfinished: nothing the machine might write may go into
             * its middle. */
            r = MW_E_STATE;
            break;
        }
        if (s->io == MW__IMAPS_IO_PENDING || s->io == MW__IMAPS_IO_LITQ ||
            s->io == MW__IMAPS_IO_CLOSED) {
            if (pos < len)
                r = MW_PAUSED; /* an answer is owed */
            break;
        }
        /* Also with no input left: a literal's end comes without bytes. */
        if (!mw__imap_framer_next(&s->fr, p + pos, len - pos, &used, &ev)) {
            pos += used;
            break;
        }
        pos += used;
        r = on_event(s, &ev);
        if (r < 0 && !mw_is_fatal(r))
            r = MW_OK; /* answered and reported already */
        if (r < 0 || r == MW_PAUSED || s->io == MW__IMAPS_IO_CLOSED)
            break;
    }
    *consumed = pos;
    /* A `send` that failed inside a callback closed the session even if
     * the callback went on to return 0. */
    if (r >= 0 && s->io == MW__IMAPS_IO_CLOSED && s->ost < 0)
        r = s->ost;
    if (r < 0) {
        if (mw_is_fatal(r))
            close_session(s);
        return r;
    }
    if (s->io == MW__IMAPS_IO_CLOSED)
        return MW_DONE;
    if (r == MW_PAUSED || pos < len)
        return MW_PAUSED;
    return MW_OK;
}

/* ---- replies ---------------------------------------------------------- */

/* The session effects of a tagged completion (RFC 9051 §3, §6). */
static void answered(mw_imap_server *s, int result)
{
    int id = s->cmd.id;
    s->pending = 0;
    s->io = MW__IMAPS_IO_READY;
    if (s->appending)
        s->answered = 1; /* an APPEND aborted while its frame goes on */
    switch (id) {
    case MW_IMAP_CMD_LOGIN:
    case MW_IMAP_CMD_AUTHENTICATE:
        if (result == MW_IMAP_OK)
            s->phase = MW_IMAP_STATE_AUTHENTICATED;
        break;
    case MW_IMAP_CMD_SELECT:
    case MW_IMAP_CMD_EXAMINE:
        /* RFC 9051 §6.3.2: a failed SELECT leaves no mailbox selected. */
        if (result == MW_IMAP_OK)
            s->phase = MW_IMAP_STATE_SELECTED;
        else if (result == MW_IMAP_NO)
            s->phase = MW_IMAP_STATE_AUTHENTICATED;
        break;
    case MW_IMAP_CMD_CLOSE:
    case MW_IMAP_CMD_UNSELECT:
        if (result == MW_IMAP_OK)
            s->phase = MW_IMAP_STATE_AUTHENTICATED;
        break;
    case MW_IMAP_CMD_LOGOUT:
        if (result == MW_IMAP_OK)
            close_session(s);
        break;
    case MW_IMAP_CMD_STARTTLS:
        if (result == MW_IMAP_OK) {
            s->io = MW__IMAPS_IO_TLS;
            s->discarded_now = 0;
            mw__imap_framer_reset(&s->fr);
            frame_done(s);
        }
        break;
    case MW_IMAP_CMD_COMPRESS:
        if (result == MW_IMAP_OK) {
            s->io = MW__IMAPS_IO_COMPRESS;
            s->discarded_now = 0;
            mw__imap_framer_reset(&s->fr);
            frame_done(s);
        }
        break;
    default:
        break;
    }
}

static int can_reply(const mw_imap_server *s)
{
    return s->started && s->pending && s->io != MW__IMAPS_IO_CLOSED &&
           s->io != MW__IMAPS_IO_TLS && s->io != MW__IMAPS_IO_COMPRESS;
}

int mw_imap_server_reply(mw_imap_server *s, int result,
                         const mw_imap_code *code, const char *text)
{
    int r, litq;
    size_t textlen;
    if (s == NULL)
        return MW_E_INVAL;
    if (result != MW_IMAP_OK && result != MW_IMAP_NO && result != MW_IMAP_BAD)
        return MW_E_INVAL;
    if (!can_reply(s) || s->open != MW__IMAPS_OPEN_NONE)
        return MW_E_STATE;
    litq = s->io == MW__IMAPS_IO_LITQ;
    if (litq && result == MW_IMAP_OK)
        return MW_E_STATE; /* accept with mw_imap_server_literal_accept() */
#if MW_ENABLE_FAST_PATHS
    if ((code == NULL || code->id == MW_IMAP_CODE_NONE) && !litq &&
        s->cmd.id != MW_IMAP_CMD_LOGOUT &&
        mw__imaps_reply_fast(s, result, text, &r)) {
        /* the usual reply: what the general path below writes */
        if (r != MW_OK)
            return r;
        answered(s, result);
        return MW_OK;
    }
#endif
    if (!mw__imaps_code_ok(s, code) ||
        !mw__imaps_text_len(s, text, code != NULL && code->id != 0, &textlen))
        return MW_E_INVAL;
    if (s->cmd.id == MW_IMAP_CMD_LOGOUT && result == MW_IMAP_OK &&
        !s->bye_sent && s->io != MW__IMAPS_IO_LITQ) {
        /* RFC 9051 §6.1.3: BYE before the tagged OK. */
        r = mw__imaps_status_line(s, NULL, 0, MW_IMAP_BYE, NULL,
                                  "Logging out");
        if (r != MW_OK)
            return r;
        s->bye_sent = 1;
    }
    if (litq) {
        /* The application refuses the APPEND message (RFC 9051
         * §6.3.12: NO [TRYCREATE], [TOOBIG]...): a synchronising literal
         * will not come; a non-synchronising one is dropped. */
        mw__imap_framer_take(&s->fr,
                             s->lit_sync ? MW__IMAP_TAKE_REFUSE
                                         : MW__IMAP_TAKE_DISCARD,
                             MW_E_LITERAL, "APPEND refused");
        if (s->lit_sync)
            frame_done(s);
        else
            s->answered = 1;
        s->appending = 0;
    }
    r = mw__imaps_status_line_checked(s, s->tag, s->tag_len, result, code,
                                      text, textlen);
    if (r != MW_OK)
        return r;
    answered(s, result);
    return MW_OK;
}

int mw_imap_server_reply_code(mw_imap_server *s, int result, int code,
                              const char *text)
{
    mw_imap_code c;
    if (code == MW_IMAP_CODE_OTHER)
        return MW_E_INVAL;
    memset(&c, 0, sizeof c);
    c.id = code;
    return mw_imap_server_reply(s, result, &c, text);
}

int mw_imap_server_bye(mw_imap_server *s, const mw_imap_code *code,
                       const char *text)
{
    int r;
    if (s == NULL)
        return MW_E_INVAL;
    r = mw__imaps_status_line(s, NULL, 0, MW_IMAP_BYE, code, text);
    if (r != MW_OK)
        return r;
    if (s->pending && s->cmd.id == MW_IMAP_CMD_LOGOUT &&
        s->io == MW__IMAPS_IO_PENDING)
        s->bye_sent = 1; /* the tagged OK to LOGOUT follows */
    else
        close_session(s);
    return MW_OK;
}

int mw_imap_server_continue(mw_imap_server *s, const char *text)
{
    int r;
    if (s == NULL)
        return MW_E_INVAL;
    if (!can_reply(s) || s->io != MW__IMAPS_IO_PENDING)
        return MW_E_STATE;
    if (!mw__imaps_text_ok(s, text, 1))
        return MW_E_INVAL;
    r = mw__imaps_can_write(s);
    if (r != MW_OK)
        return r;
    mw__imaps_puts(s, "+ ");
    if (text != NULL)
        mw__imaps_puts(s, text);
    mw__imaps_puts(s, "\r\n");
    r = mw__imaps_end(s);
    if (r == MW_OK)
        s->io = MW__IMAPS_IO_SASL; /* the client's line goes to `auth` */
    return r;
}

int mw_imap_server_auth_challenge(mw_imap_server *s, const void *data,
                                  size_t len)
{
    const unsigned char *p = (const unsigned char *)data;
    int r;
    if (s == NULL || (data == NULL && len > 0))
        return MW_E_INVAL;
    if (!can_reply(s) || s->io != MW__IMAPS_IO_PENDING ||
        s->cmd.id != MW_IMAP_CMD_AUTHENTICATE)
        return MW_E_STATE;
    r = mw__imaps_can_write(s);
    if (r != MW_OK)
        return r;
    /* RFC 9051 §6.2.2: "+" SP base64. Encoded in groups of 3 bytes so a
     * challenge of any length goes through the output buffer. */
    mw__imaps_puts(s, "+ ");
    while (len > 0) {
        char enc[256];
        size_t k = len > 189 ? 189 : len, outlen = 0;
        (void)mw_base64_encode(p, k, enc, sizeof enc, &outlen);
        mw__imaps_put(s, enc, outlen);
        p += k;
        len -= k;
    }
    mw__imaps_puts(s, "\r\n");
    r = mw__imaps_end(s);
    if (r == MW_OK)
        s->io = MW__IMAPS_IO_SASL;
    return r;
}

int mw_imap_server_idle(mw_imap_server *s, const char *text)
{
    int r;
    if (s == NULL)
        return MW_E_INVAL;
    if (!can_reply(s) || s->io != MW__IMAPS_IO_PENDING ||
        s->cmd.id != MW_IMAP_CMD_IDLE)
        return MW_E_STATE;
    if (!mw__imaps_text_ok(s, text, 1))
        return MW_E_INVAL;
    r = mw__imaps_can_write(s);
    if (r != MW_OK)
        return r;
    mw__imaps_puts(s, "+ ");
    mw__imaps_puts(s, (text != NULL && text[0] != '\0') ? text : "idling");
    mw__imaps_puts(s, "\r\n");
    r = mw__imaps_end(s);
    if (r == MW_OK)
        s->io = MW__IMAPS_IO_IDLE;
    return r;
}

int mw_imap_server_tls_done(mw_imap_server *s)
{
    if (s == NULL)
        return MW_E_INVAL;
    if (s->io != MW__IMAPS_IO_TLS)
        return MW_E_STATE;
    /* RFC 9051 §6.2.1: the session stays not authenticated; the client
     * asks for the capabilities again (they change: no STARTTLS,
     * perhaps no LOGINDISABLED). */
    s->io = MW__IMAPS_IO_READY;
    s->tls = 1;
    s->phase = MW_IMAP_STATE_NOT_AUTHENTICATED;
    return MW_OK;
}

int mw_imap_server_compress_done(mw_imap_server *s)
{
    if (s == NULL)
        return MW_E_INVAL;
    if (s->io != MW__IMAPS_IO_COMPRESS)
        return MW_E_STATE;
    s->io = MW__IMAPS_IO_READY;
    s->compressed = 1;
    return MW_OK;
}

int mw_imap_server_eof(mw_imap_server *s)
{
    int cut;
    if (s == NULL)
        return MW_E_INVAL;
    if (s->io == MW__IMAPS_IO_CLOSED)
        return MW_OK;
    cut = s->started && (!mw__imap_framer_idle(&s->fr) || s->appending ||
                         s->io == MW__IMAPS_IO_LITQ);
    close_session(s);
    if (cut) {
        (void)mw__fail(&s->err, MW_E_INCOMPLETE, mw__imap_framer_offset(&s->fr),
                 "connection closed inside a command");
        if (s->cb.error != NULL)
            (void)s->cb.error(s, s->user, MW_E_INCOMPLETE, s->err.offset,
                              s->err.reason);
        return MW_E_INCOMPLETE;
    }
    return MW_OK;
}

/* ---- queries ---------------------------------------------------------- */

unsigned mw_imap_server_want(const mw_imap_server *s)
{
    if (s == NULL)
        return 0;
    switch (s->io) {
    case MW__IMAPS_IO_CLOSED:
        return MW_IMAP_SERVER_WANT_CLOSED;
    case MW__IMAPS_IO_TLS:
        return MW_IMAP_SERVER_WANT_TLS;
    case MW__IMAPS_IO_COMPRESS:
        return MW_IMAP_SERVER_WANT_COMPRESS;
    case MW__IMAPS_IO_PENDING:
    case MW__IMAPS_IO_LITQ:
        return MW_IMAP_SERVER_WANT_REPLY;
    default:
        return s->started ? MW_IMAP_SERVER_WANT_INPUT : 0u;
    }
}

int mw_imap_server_state(const mw_imap_server *s)
{
    if (s == NULL)
        return MW_IMAP_STATE_LOGOUT;
    return s->phase;
}

unsigned mw_imap_server_enabled_caps(const mw_imap_server *s)
{
    return s == NULL ? 0u : s->enabled;
}

int mw_imap_server_error(const mw_imap_server *s, mw_error *err)
{
    if (s == NULL)
        return MW_E_INVAL;
    if (err != NULL)
        *err = s->err;
    return s->err.code;
}

size_t mw_imap_server_discarded(const mw_imap_server *s)
{
    return s == NULL ? 0u : s->discarded;
}
