/* SPDX-License-Identifier: MIT */
/*
 * The IMAP client machine (RFC 3501, RFC 9051): set-up, the feed loop
 * over the framer's events, tags and the pending-command table, state
 * changes, the continuation requests the machine answers itself
 * (synchronising literals, APPEND, AUTHENTICATE, IDLE), the STARTTLS and
 * COMPRESS switch points, and the TLS policy. Command formatting is in
 * client_cmd*.c, response parsing in client_resp*.c (helper B1). See
 * include/mailwire/imap_client.h.
 *
 * Safety rules (field-notes §4.1, §4.3, §4.8):
 * - a byte received after the tagged OK to STARTTLS or COMPRESS and before
 *   the application says the switch is done is a response injection
 *   (CVE-2020-15953 class): the session ends with MW_E_INJECTION; after
 *   TLS the capabilities are forgotten (RFC 9051 §6.2.1);
 * - with TLS required, a PREAUTH greeting, a CAPABILITY without STARTTLS
 *   and any refusal of STARTTLS end the session (Mutt CVE-2020-14093,
 *   CVE-2020-28896; curl CVE-2021-22946), and nothing but CAPABILITY,
 *   NOOP, LOGOUT and STARTTLS is sent before TLS;
 * - responses are framed before they are parsed (frame.h), so a literal's
 *   bytes are never read as a response;
 * - credentials (LOGIN, AUTHENTICATE) are wiped from the command buffer as
 *   soon as they are sent.
 */
#include <string.h>

#include "imap/client_int.h"
#include "imap/client_resp.h"
#include "imap/frame.h"
#include "mailwire/codec.h"

static const char crlf[] = "\r\n";


/* ---- errors ----------------------------------------------------------- */

static size_t here(const mw_imap_client *c)
{
    return mw__imap_framer_offset(&c->framer);
}

int mw__imapc_report_(mw_imap_client *c, int status, size_t offset,
                      const char *reason)
{
    int r;
    (void)mw__fail(&c->err, status, offset, reason);
    if (c->cb.error == NULL)
        return MW_OK;
    r = c->cb.error(c, c->user, status, offset, reason);
    if (r < 0)
        return mw__imapc_fatal(c, MW_E_CALLBACK, offset,
                               "error callback aborted");
    return r == MW_PAUSED ? MW_PAUSED : MW_OK;
}

int mw__imapc_fatal_(mw_imap_client *c, int status, size_t offset,
                     const char *reason)
{
    if (c->flags & MW__IMAPC_F_CLOSED)
        return c->err.code < 0 ? c->err.code : status;
    c->flags |= MW__IMAPC_F_CLOSED;
    c->flags &= ~(uint32_t)MW__IMAPC_F_CLOSING;
    c->state = MW_IMAP_STATE_LOGOUT;
    c->pstate = MW_IMAP_STATE_LOGOUT;
    c->switching = MW__IMAPC_SW_NONE;
    (void)mw__fail(&c->err, status, offset, reason);
    /* Whatever the command buffer held (credentials among it) is of no
     * use any more. */
    memset(c->cmd, 0, c->cmd_cap);
    c->cmd_len = c->cmd_sent = c->cmd_skip = 0;
    if (c->cb.error != NULL && status != MW_E_CALLBACK)
        (void)c->cb.error(c, c->user, status, offset, reason);
    return status;
}

int mw__imapc_send(mw_imap_client *c, const char *p, size_t n)
{
    if (c->flags & MW__IMAPC_F_CLOSED)
        return MW_E_CLOSED;
    if (c->cb.send(c, c->user, p, n) < 0)
        return mw__imapc_fatal(c, MW_E_CALLBACK, here(c),
                               "send callback failed");
    return MW_OK;
}

/* ---- set-up ----------------------------------------------------------- */

void mw_imap_client_config_init(mw_imap_client_config *cfg)
{
    if (cfg == NULL)
        return;
    memset(cfg, 0, sizeof(*cfg));
    cfg->tag_prefix = "A";
    cfg->tag_start = 1;
    cfg->max_pending = MW_IMAP_CLIENT_PENDING;
    cfg->max_response = 0; /* the frame buffer's size */
    cfg->max_depth = MW_IMAP_DEPTH_DEFAULT;
    cfg->newline = MW_NEWLINE_REJECT;
}

size_t mw_imap_client_sizeof(void)
{
    return sizeof(mw_imap_client);
}

static int prefix_ok(const char *p, size_t *len)
{
    size_t i;
    if (p == NULL)
        return 0;
    for (i = 0; p[i] != '\0'; i++) {
        if (i >= MW_IMAP_CLIENT_PREFIX_MAX)
            return 0;
        if (!(mw__imap_cclass[(unsigned char)p[i]] & MW__IMAP_C_TAG))
            return 0;
    }
    *len = i;
    return i > 0;
}

static unsigned lexflags_for(const mw_imap_client *c)
{
    unsigned f = 0;
    if (c->quirks & MW_IMAP_QUIRK_8BIT_STRINGS)
        f |= MW__IMAP_LEX_8BIT;
    if (c->quirks & MW_IMAP_QUIRK_TRAILING_SPACE)
        f |= MW__IMAP_LEX_TRAILING_SP;
    if (c->enabled &
        (MW_IMAP_CLIENT_ENABLED_UTF8 | MW_IMAP_CLIENT_ENABLED_IMAP4REV2))
        f |= MW__IMAP_LEX_UTF8;
    return f;
}

int mw_imap_client_init(mw_imap_client *c, const mw_imap_client_config *cfg,
                        const mw_imap_client_callbacks *cb, void *user,
                        char *buf, size_t buf_len)
{
    mw_imap_client_config def;
    size_t plen = 0, maxr;

    if (c == NULL || cb == NULL || cb->send == NULL || buf == NULL)
        return MW_E_INVAL;
    if (cfg == NULL) {
        mw_imap_client_config_init(&def);
        cfg = &def;
    }
    maxr = cfg->max_response == 0 ? buf_len : cfg->max_response;
    if (!prefix_ok(cfg->tag_prefix, &plen) || cfg->tag_start == 0 ||
        cfg->max_pending < 1 || cfg->max_pending > MW_IMAP_CLIENT_PENDING ||
        buf_len < 64 || maxr < 64 || maxr > buf_len || cfg->max_depth < 1 ||
        (cfg->newline != MW_NEWLINE_REJECT &&
         cfg->newline != MW_NEWLINE_ACCEPT) ||
        (cfg->arena == NULL && cfg->arena_len > 0) ||
        (cfg->cmdbuf != NULL && cfg->cmdbuf_len < 64) ||
        (cfg->flags & ~(unsigned)(MW_IMAP_CLIENT_NO_LITERAL_PLUS |
                                  MW_IMAP_CLIENT_MAILBOX_RAW |
                                  MW_IMAP_CLIENT_NO_SASL_IR)) != 0)
        return MW_E_INVAL;

    memset(c, 0, sizeof(*c));
    c->cb = *cb;
    c->user = user;
    c->quirks = cfg->quirks;
    c->max_depth = cfg->max_depth;
    mw__imap_arena_init(&c->arena, cfg->arena, cfg->arena_len);
    mw__imap_framer_init(&c->framer, buf, buf_len, maxr, cfg->newline);
    mw__imap_resp_reset(c);
    c->lexflags = lexflags_for(c);
    if (cfg->cmdbuf != NULL) {
        c->cmd = cfg->cmdbuf;
        c->cmd_cap = cfg->cmdbuf_len;
    } else {
        c->cmd = c->cmdbuf;
        c->cmd_cap = sizeof(c->cmdbuf);
    }
    memcpy(c->prefix, cfg->tag_prefix, plen);
    c->prefix_len = (uint8_t)plen;
    c->next_tag = cfg->tag_start;
    c->max_pending = (uint8_t)cfg->max_pending;
    c->flags = (uint32_t)cfg->flags << MW__IMAPC_CFG_SHIFT;
    if (cfg->tls_active)
        c->flags |= MW__IMAPC_F_TLS;
    if (cfg->require_tls)
        c->flags |= MW__IMAPC_F_REQ_TLS;
    c->state = MW_IMAP_STATE_GREETING;
    c->pstate = MW_IMAP_STATE_GREETING;
    return MW_OK;
}

/* ---- queries ---------------------------------------------------------- */

int mw_imap_client_error(const mw_imap_client *c, mw_error *err)
{
    if (c == NULL || err == NULL)
        return MW_E_INVAL;
    *err = c->err;
    return c->err.code;
}

int mw_imap_client_state(const mw_imap_client *c)
{
    return c == NULL ? MW_IMAP_STATE_LOGOUT : (int)c->state;
}

const mw_imap_caps *mw_imap_client_caps(const mw_imap_client *c)
{
    if (c == NULL || !(c->flags & MW__IMAPC_F_CAPS))
        return NULL;
    return &c->caps;
}

unsigned mw_imap_client_enabled(const mw_imap_client *c)
{
    return c == NULL ? 0u : (unsigned)c->enabled;
}

unsigned mw_imap_client_pending(const mw_imap_client *c)
{
    return c == NULL ? 0u : (unsigned)c->npending;
}

unsigned mw_imap_client_want(const mw_imap_client *c)
{
    unsigned w;
    if (c == NULL || (c->flags & MW__IMAPC_F_CLOSED))
        return MW_IMAP_CLIENT_WANT_CLOSED;
    if (c->switching == MW__IMAPC_SW_TLS)
        return MW_IMAP_CLIENT_WANT_TLS;
    if (c->switching == MW__IMAPC_SW_COMPRESS)
        return MW_IMAP_CLIENT_WANT_COMPRESS;
    w = MW_IMAP_CLIENT_WANT_INPUT;
    if (mw__imapc_check(c, MW_IMAP_CMD_NOOP) == MW_OK)
        w |= MW_IMAP_CLIENT_WANT_SEND;
    if ((c->flags & MW__IMAPC_F_APPEND_DATA) && c->lit_left > 0)
        w |= MW_IMAP_CLIENT_WANT_LITERAL;
    return w;
}

/* ---- the pending table ------------------------------------------------ */

static int find_pending(const mw_imap_client *c, uint32_t num)
{
    unsigned i;
    for (i = 0; i < c->npending; i++)
        if (c->pending[i].num == num)
            return (int)i;
    return -1;
}

static void remove_pending(mw_imap_client *c, unsigned i)
{
    c->npending--;
    if (i != c->npending)
        c->pending[i] = c->pending[c->npending];
}

/* The tag number of a tagged response: our prefix, then a decimal number
 * without leading zeros that fits 32 bits. */
static int tag_number(const mw_imap_client *c, mw_span tag, uint32_t *num)
{
    size_t i, k;
    uint64_t v = 0;
    if (tag.ptr == NULL || tag.len <= c->prefix_len ||
        memcmp(tag.ptr, c->prefix, c->prefix_len) != 0)
        return 0;
    k = tag.len - c->prefix_len;
    if (k > 10 || tag.ptr[c->prefix_len] == '0')
        return 0;
    for (i = c->prefix_len; i < tag.len; i++) {
        unsigned d = (unsigned)(unsigned char)tag.ptr[i] - '0';
        if (d > 9)
            return 0;
        v = v * 10u + d;
    }
    if (v > UINT32_MAX)
        return 0;
    *num = (uint32_t)v;
    return 1;
}

/* ---- sending a command ------------------------------------------------ */

int mw__imapc_nonsync(const mw_imap_client *c, uint64_t n)
{
    if ((c->flags >> MW__IMAPC_CFG_SHIFT) & MW_IMAP_CLIENT_NO_LITERAL_PLUS)
        return 0;
    if (!(c->flags & MW__IMAPC_F_CAPS))
        return 0;
    if (c->caps.bits & MW_IMAP_CAP_LITERAL_PLUS)
        return 1;
    /* LITERAL- (RFC 7888 §5): non-synchronising literals of at most 4096
     * octets. IMAP4rev2 includes it (RFC 9051 §4.3) once enabled. */
    if ((c->caps.bits & MW_IMAP_CAP_LITERAL_MINUS) ||
        (c->enabled & MW_IMAP_CLIENT_ENABLED_IMAP4REV2))
        return n <= MW_IMAP_LITERAL_MINUS_MAX;
    return 0;
}

/* Where the next piece to send ends: at the line end of the next
 * synchronising literal announcement (return 1) or at the end of the
 * command (return 0). The command text outside literals holds no CR or LF
 * but the line ends of announcements, so every LF seen is one; literal
 * contents are skipped by their size, never scanned. */
static int next_stop(mw_imap_client *c, size_t pos, size_t *end)
{
    const char *b = c->cmd;
    /* Resuming after a "+": the literal's bytes come first. */
    pos += c->cmd_skip;
    c->cmd_skip = 0;
    for (;;) {
        const char *lf =
            (const char *)memchr(b + pos, '\n', c->cmd_len - pos);
        size_t k, j, size = 0;
        int plus = 0;
        if (lf == NULL) { /* cannot happen: commands end with CRLF */
            *end = c->cmd_len;
            return 0;
        }
        k = (size_t)(lf - b);
        if (k + 1 == c->cmd_len) {
            *end = c->cmd_len;
            return 0;
        }
        /* b[k-1] == '\r', b[k-2] == '}' */
        j = k - 2;
        if (b[j - 1] == '+') {
            plus = 1;
            j--;
        }
        {
            size_t d = j, mul = 1;
            while (d > 0 && b[d - 1] >= '0' && b[d - 1] <= '9') {
                size += (size_t)(b[d - 1] - '0') * mul;
                mul *= 10u;
                d--;
            }
        }
        if (!plus) {
            *end = k + 1;
            c->cmd_skip = size;
            return 1;
        }
        pos = k + 1 + size;
    }
}

static int literal_ready(mw_imap_client *c)
{
    int r;
    c->flags |= MW__IMAPC_F_APPEND_DATA;
    if (c->cb.literal_ready == NULL)
        return MW_OK;
    r = c->cb.literal_ready(c, c->user, c->cur, c->lit_size);
    if (r < 0)
        return mw__imapc_fatal(c, MW_E_CALLBACK, here(c),
                               "literal_ready callback aborted");
    return r == MW_PAUSED ? MW_PAUSED : MW_OK;
}

int mw__imapc_pump(mw_imap_client *c)
{
    int r;
    while (c->cmd_sent < c->cmd_len) {
        size_t end;
        int stop = next_stop(c, c->cmd_sent, &end);
        r = mw__imapc_send(c, c->cmd + c->cmd_sent, end - c->cmd_sent);
        if (r != MW_OK)
            return r;
        c->cmd_sent = end;
        if (stop) {
            c->wait = MW__IMAPC_W_LITERAL;
            return MW_OK;
        }
    }
    if (c->flags & MW__IMAPC_F_SECRET) {
        memset(c->cmd, 0, c->cmd_len);
        c->flags &= ~(uint32_t)MW__IMAPC_F_SECRET;
    }
    c->cmd_len = c->cmd_sent = 0;
    if (c->flags & MW__IMAPC_F_APPEND_LIT) {
        c->flags &= ~(uint32_t)MW__IMAPC_F_APPEND_LIT;
        if (c->flags & MW__IMAPC_F_APPEND_SYNC) {
            c->wait = MW__IMAPC_W_APPEND;
            return MW_OK;
        }
        return literal_ready(c);
    }
    return MW_OK;
}

/* ---- APPEND pieces ---------------------------------------------------- */

int mw__imapc_append_idle(const mw_imap_client *c)
{
    if (!(c->flags & MW__IMAPC_F_APPEND) ||
        (c->flags & MW__IMAPC_F_APPEND_LIT) || c->wait == MW__IMAPC_W_APPEND)
        return 0;
    /* A CATENATE message has lit_left 0 between its parts (and before
     * the first); a plain one is complete once its data is written. */
    if (c->flags & MW__IMAPC_F_APPEND_CAT)
        return c->lit_left == 0;
    return (c->flags & MW__IMAPC_F_APPEND_DATA) && c->lit_left == 0;
}

void mw__imapc_append_out(mw_imap_client *c, mw__imap_out *o)
{
    mw__imap_out_init(o, c->cmd + c->cmd_len, c->cmd_cap - c->cmd_len);
}

int mw__imapc_append_more(mw_imap_client *c, const mw__imap_out *o)
{
    int r;
    if (o->status != MW_OK)
        return o->status;
    c->cmd_len += o->len;
    /* The head of the command may still wait for the "+" of a literal in
     * the mailbox name: the pump sends this piece after it. */
    if (c->wait != MW__IMAPC_W_NONE)
        return MW_OK;
    r = mw__imapc_pump(c);
    return r < 0 ? r : MW_OK;
}

/* The states (bits 1 << mw_imap_state) in which a command is valid
 * (RFC 9051 §6, RFC 3501 §6 and the extensions' own sections). */
#define S_NA (1u << MW_IMAP_STATE_NOT_AUTHENTICATED)
#define S_AU (1u << MW_IMAP_STATE_AUTHENTICATED)
#define S_SE (1u << MW_IMAP_STATE_SELECTED)

static unsigned cmd_states(int id)
{
    switch (id) {
    case MW_IMAP_CMD_STARTTLS:
    case MW_IMAP_CMD_AUTHENTICATE:
    case MW_IMAP_CMD_LOGIN:
        return S_NA;
    case MW_IMAP_CMD_ENABLE: /* RFC 5161 §3.1: authenticated state only */
        return S_AU;
    case MW_IMAP_CMD_SELECT:
    case MW_IMAP_CMD_EXAMINE:
    case MW_IMAP_CMD_CREATE:
    case MW_IMAP_CMD_DELETE:
    case MW_IMAP_CMD_RENAME:
    case MW_IMAP_CMD_SUBSCRIBE:
    case MW_IMAP_CMD_UNSUBSCRIBE:
    case MW_IMAP_CMD_LIST:
    case MW_IMAP_CMD_LSUB:
    case MW_IMAP_CMD_NAMESPACE:
    case MW_IMAP_CMD_STATUS:
    case MW_IMAP_CMD_APPEND:
    case MW_IMAP_CMD_IDLE:
    case MW_IMAP_CMD_GETQUOTA:
    case MW_IMAP_CMD_GETQUOTAROOT:
    case MW_IMAP_CMD_SETQUOTA:
    case MW_IMAP_CMD_GETMETADATA:
    case MW_IMAP_CMD_SETMETADATA:
        return S_AU | S_SE;
    case MW_IMAP_CMD_CHECK:
    case MW_IMAP_CMD_CLOSE:
    case MW_IMAP_CMD_UNSELECT:
    case MW_IMAP_CMD_EXPUNGE:
    case MW_IMAP_CMD_SEARCH:
    case MW_IMAP_CMD_FETCH:
    case MW_IMAP_CMD_STORE:
    case MW_IMAP_CMD_COPY:
    case MW_IMAP_CMD_MOVE:
    case MW_IMAP_CMD_SORT:
    case MW_IMAP_CMD_THREAD:
        return S_SE;
    default: /* CAPABILITY, NOOP, LOGOUT, ID, COMPRESS, OTHER */
        return S_NA | S_AU | S_SE;
    }
}

static int exclusive(int id)
{
    return id == MW_IMAP_CMD_STARTTLS || id == MW_IMAP_CMD_AUTHENTICATE ||
           id == MW_IMAP_CMD_IDLE || id == MW_IMAP_CMD_COMPRESS ||
           id == MW_IMAP_CMD_LOGOUT;
}

int mw__imapc_check(const mw_imap_client *c, int id)
{
    if (c == NULL)
        return MW_E_INVAL;
    if (c->flags & MW__IMAPC_F_CLOSED)
        return MW_E_CLOSED;
    if (c->state == MW_IMAP_STATE_GREETING || c->switching ||
        c->cmd_len > 0 || c->wait != MW__IMAPC_W_NONE ||
        (c->flags & (MW__IMAPC_F_EXCL | MW__IMAPC_F_APPEND |
                     MW__IMAPC_F_CLOSING)))
        return MW_E_STATE;
    if (c->pstate > MW_IMAP_STATE_SELECTED ||
        !(cmd_states(id) & (1u << c->pstate)))
        return MW_E_STATE;
    /* TLS required and not up: nothing that could carry credentials or
     * private data goes out (field-notes §4.1). */
    if ((c->flags & MW__IMAPC_F_REQ_TLS) && !(c->flags & MW__IMAPC_F_TLS) &&
        id != MW_IMAP_CMD_CAPABILITY && id != MW_IMAP_CMD_NOOP &&
        id != MW_IMAP_CMD_LOGOUT && id != MW_IMAP_CMD_STARTTLS)
        return MW_E_STATE;
    /* STARTTLS and COMPRESS change the byte stream: the go-ahead must be
     * the last response before the switch, so nothing may be pending. */
    if ((id == MW_IMAP_CMD_STARTTLS || id == MW_IMAP_CMD_COMPRESS) &&
        c->npending > 0)
        return MW_E_STATE;
    if (c->npending >= c->max_pending)
        return MW_E_LIMIT;
    return MW_OK;
}

int mw__imapc_begin(mw_imap_client *c, mw__imap_out *o, int id,
                    const char *name)
{
    int r = mw__imapc_check(c, id);
    if (r != MW_OK)
        return r;
    mw__imap_out_init(o, c->cmd, c->cmd_cap);
    mw__imap_out_raw(o, c->prefix, c->prefix_len);
    mw__imap_out_u32(o, c->next_tag);
    mw__imap_out_char(o, ' ');
    mw__imap_out_cstr(o, name);
    return o->status;
}

int mw__imapc_issue(mw_imap_client *c, mw__imap_out *o, int id,
                    unsigned pflags, uint32_t *handle)
{
    /* An APPEND ends with its message literal's announcement (and CRLF)
     * or, for CATENATE, with the "(" its parts follow; every other
     * command with CRLF. */
    if (!(c->flags & (MW__IMAPC_F_APPEND_LIT | MW__IMAPC_F_APPEND_CAT)))
        mw__imap_out_raw(o, crlf, 2);
    if (o->status != MW_OK) {
        /* Nothing is sent; the buffer may hold credentials. */
        memset(c->cmd, 0, o->len < c->cmd_cap ? o->len : c->cmd_cap);
        c->flags &= ~(uint32_t)(MW__IMAPC_F_SECRET | MW__IMAPC_F_APPEND |
                                MW__IMAPC_F_APPEND_LIT |
                                MW__IMAPC_F_APPEND_SYNC |
                                MW__IMAPC_F_APPEND_MSG);
        return o->status;
    }
    return mw__imapc_commit(c, id, pflags, o->len, handle);
}

int mw__imapc_commit(mw_imap_client *c, int id, unsigned pflags, size_t len,
                     uint32_t *handle)
{
    mw__imap_pending *e;
    uint32_t h;
    int r;

    h = c->next_tag;
    e = &c->pending[c->npending++];
    e->num = h;
    e->cmd = (uint8_t)id;
    e->flags = (uint8_t)pflags;
    /* The next tag: never 0, never one still pending (after a wrap). */
    do {
        c->next_tag++;
        if (c->next_tag == 0)
            c->next_tag = 1;
    } while (find_pending(c, c->next_tag) >= 0);

    switch (id) {
    case MW_IMAP_CMD_LOGIN:
    case MW_IMAP_CMD_AUTHENTICATE:
        c->pstate = MW_IMAP_STATE_AUTHENTICATED;
        break;
    case MW_IMAP_CMD_SELECT:
    case MW_IMAP_CMD_EXAMINE:
        c->pstate = MW_IMAP_STATE_SELECTED;
        break;
    case MW_IMAP_CMD_CLOSE:
    case MW_IMAP_CMD_UNSELECT:
        c->pstate = MW_IMAP_STATE_AUTHENTICATED;
        break;
    case MW_IMAP_CMD_LOGOUT:
        c->pstate = MW_IMAP_STATE_LOGOUT;
        break;
    default:
        break;
    }
    if (exclusive(id))
        c->flags |= MW__IMAPC_F_EXCL;
    c->cur = h;
    c->cmd_len = len;
    c->cmd_sent = 0;
    if (handle != NULL)
        *handle = h;
    r = mw__imapc_pump(c);
    return r < 0 ? r : MW_OK;
}

/* ---- AUTHENTICATE exchange -------------------------------------------- */

static void sasl_end(mw_imap_client *c)
{
    if (c->mech != MW__IMAPC_M_NONE)
        memset(c->cmd, 0, c->cmd_cap); /* credentials and challenges */
    c->mech = MW__IMAPC_M_NONE;
    c->sasl_step = 0;
    c->sasl_a = c->sasl_b = 0;
    c->step = NULL;
    c->step_user = NULL;
    c->flags &= ~(uint32_t)(MW__IMAPC_F_IR_SENT | MW__IMAPC_F_CHALLENGE |
                            MW__IMAPC_F_SASL_LAST);
    if (c->wait == MW__IMAPC_W_SASL || c->wait == MW__IMAPC_W_SASL_APP)
        c->wait = MW__IMAPC_W_NONE;
}

/* Send buf[off..off+n) and a CRLF (room for it is there) as one line. */
static int send_line_at(mw_imap_client *c, size_t off, size_t n)
{
    int r;
    memcpy(c->cmd + off + n, crlf, 2);
    r = mw__imapc_send(c, c->cmd + off, n + 2);
    memset(c->cmd + off, 0, n + 2);
    return r;
}

static int sasl_cancel(mw_imap_client *c)
{
    return mw__imapc_send(c, "*\r\n", 3); /* RFC 9051 §6.2.2 */
}

/* Decode a challenge into the command buffer at `off` (room `cap`). */
static int decode_challenge(mw_imap_client *c, mw_span b64, size_t off,
                            size_t cap, size_t *dlen)
{
    if (off > c->cmd_cap || cap > c->cmd_cap - off)
        return MW_E_NOSPACE;
    return mw_base64_decode(b64.ptr, b64.len, c->cmd + off, cap, dlen, 0,
                            NULL);
}

/* Raw bytes at [src, src+n) base64-encoded to `dst` and sent as a line. */
static int send_b64_of(mw_imap_client *c, size_t src, size_t n, size_t dst)
{
    size_t w = 0;
    if (dst > c->cmd_cap || c->cmd_cap - dst < 2 ||
        mw_base64_encode(c->cmd + src, n, c->cmd + dst, c->cmd_cap - dst - 2,
                         &w) != MW_OK)
        return MW_E_NOSPACE;
    return send_line_at(c, dst, w);
}

static int sasl_challenge(mw_imap_client *c, mw_span text, size_t offset)
{
    const size_t H = MW__IMAPC_AUTH_HDR;
    int r = MW_OK;
    size_t a = c->sasl_a, b = c->sasl_b;

    switch (c->mech) {
    case MW__IMAPC_M_PLAIN:
    case MW__IMAPC_M_XOAUTH2:
    case MW__IMAPC_M_OAUTHBEARER:
        if (!(c->flags & MW__IMAPC_F_IR_SENT)) {
            /* No SASL-IR: the response answers the empty challenge. */
            c->flags |= MW__IMAPC_F_IR_SENT;
            return send_line_at(c, H, a);
        }
        /* RFC 7628 §3.2.3: an error challenge is acknowledged (0x01 for
         * OAUTHBEARER, an empty response for XOAUTH2); the server then
         * fails the exchange. PLAIN has nothing more to say. */
        if (c->mech == MW__IMAPC_M_XOAUTH2)
            return mw__imapc_send(c, crlf, 2);
        if (c->mech == MW__IMAPC_M_OAUTHBEARER)
            return mw__imapc_send(c, "AQ==\r\n", 6);
        return sasl_cancel(c);
    case MW__IMAPC_M_LOGIN:
        /* The order alone decides: user name, then password
         * (draft-murchison-sasl-login). */
        if (c->sasl_step == 0)
            r = send_line_at(c, H, a);
        else if (c->sasl_step == 1)
            r = send_line_at(c, H + a + 2u, b);
        else
            r = sasl_cancel(c);
        c->sasl_step++;
        return r;
    case MW__IMAPC_M_CRAM: {
        /* cmd: [H, H+a) user, [H+a, H+a+b) secret, then the decoded
         * challenge, the raw response, its base64. */
        size_t ch = H + a + b, dlen = 0, rlen = 0, rs;
        size_t room = c->cmd_cap > ch ? c->cmd_cap - ch : 0;
        if (c->sasl_step++ != 0)
            return sasl_cancel(c);
        /* Keep room for the response (user SP 32 hex) and its base64. */
        {
            size_t resp = a + 1u + MW_MD5_HEX_LEN;
            size_t need = resp + mw_base64_encoded_len(resp) + 2u;
            room = room > need ? room - need : 0;
        }
        r = decode_challenge(c, text, ch, room, &dlen);
        if (r != MW_OK) {
            r = mw__imapc_report(c, r == MW_E_NOSPACE ? MW_E_NOSPACE
                                                      : MW_E_BASE64,
                                 offset, "bad CRAM-MD5 challenge");
            return r < 0 ? r : sasl_cancel(c);
        }
        rs = ch + dlen;
        r = mw_sasl_cram_md5_response(c->cmd + H, a, c->cmd + H + a, b,
                                      c->cmd + ch, dlen, c->cmd + rs,
                                      c->cmd_cap - rs, &rlen);
        if (r != MW_OK) {
            r = mw__imapc_report(c, r, offset, "CRAM-MD5 response failed");
            return r < 0 ? r : sasl_cancel(c);
        }
        r = send_b64_of(c, rs, rlen, rs + rlen);
        memset(c->cmd + H, 0, c->cmd_cap - H);
        return r;
    }
    case MW__IMAPC_M_HOOK: {
        size_t rlen = 0, dlen = 0, cap, room;
        int hr;
        if (!(c->flags & MW__IMAPC_F_IR_SENT)) {
            /* The initial response waited for the first "+" (no
             * SASL-IR): it answers that (empty) challenge. */
            c->flags |= MW__IMAPC_F_IR_SENT;
            return send_b64_of(c, H, a, H + a);
        }
        if (c->flags & MW__IMAPC_F_SASL_LAST) {
            r = mw__imapc_report(c, MW_E_SEQUENCE, offset,
                                 "challenge after the mechanism's last step");
            return r < 0 ? r : sasl_cancel(c);
        }
        /* cmd: [H, H+d) decoded challenge, then the response, then its
         * base64 (room for both split evenly by size). */
        room = c->cmd_cap > H ? c->cmd_cap - H : 0;
        if (decode_challenge(c, text, H, room / 2u, &dlen) != MW_OK) {
            r = mw__imapc_report(c, MW_E_BASE64, offset,
                                 "SASL challenge is not base64 or too long");
            return r < 0 ? r : sasl_cancel(c);
        }
        /* The raw response r and its base64 (4 * ceil(r / 3)) and CRLF
         * must fit after the challenge: r <= 3 * (room - 6) / 7. */
        room = c->cmd_cap - H - dlen;
        cap = room > 8u ? ((room - 8u) / 7u) * 3u : 0;
        hr = c->step(c->step_user, c->cmd + H, dlen, c->cmd + H + dlen, cap,
                     &rlen);
        if ((hr != MW_OK && hr != MW_DONE) || rlen > cap) {
            memset(c->cmd + H, 0, c->cmd_cap - H);
            r = mw__imapc_report(c, hr < 0 ? hr : MW_E_INVAL, offset,
                                 "SASL mechanism gave up");
            return r < 0 ? r : sasl_cancel(c);
        }
        if (hr == MW_DONE)
            c->flags |= MW__IMAPC_F_SASL_LAST;
        r = send_b64_of(c, H + dlen, rlen, H + dlen + rlen);
        memset(c->cmd + H, 0, c->cmd_cap - H);
        return r;
    }
    default:
        return sasl_cancel(c);
    }
}

int mw_imap_client_auth_respond(mw_imap_client *c, const char *b64,
                                size_t n)
{
    size_t i;
    int r;
    if (c == NULL || (b64 == NULL && n > 0))
        return MW_E_INVAL;
    if (c->flags & MW__IMAPC_F_CLOSED)
        return MW_E_CLOSED;
    if (c->mech != MW__IMAPC_M_APP || !(c->flags & MW__IMAPC_F_CHALLENGE))
        return MW_E_STATE;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)b64[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
              (ch >= '0' && ch <= '9') || ch == '+' || ch == '/' ||
              ch == '='))
            return MW_E_INVAL;
    }
    if (n + 2u > c->cmd_cap)
        return MW_E_NOSPACE;
    if (n > 0) /* an empty response may come as (NULL, 0): no memcpy */
        memcpy(c->cmd, b64, n);
    c->flags &= ~(uint32_t)MW__IMAPC_F_CHALLENGE;
    r = send_line_at(c, 0, n);
    return r < 0 ? r : MW_OK;
}

int mw_imap_client_auth_cancel(mw_imap_client *c)
{
    int r;
    if (c == NULL)
        return MW_E_INVAL;
    if (c->flags & MW__IMAPC_F_CLOSED)
        return MW_E_CLOSED;
    if (c->mech != MW__IMAPC_M_APP || !(c->flags & MW__IMAPC_F_CHALLENGE))
        return MW_E_STATE;
    c->flags &= ~(uint32_t)MW__IMAPC_F_CHALLENGE;
    r = sasl_cancel(c);
    return r < 0 ? r : MW_OK;
}

/* ---- IDLE ------------------------------------------------------------- */

int mw_imap_client_idle_done(mw_imap_client *c)
{
    int r;
    if (c == NULL)
        return MW_E_INVAL;
    if (c->flags & MW__IMAPC_F_CLOSED)
        return MW_E_CLOSED;
    if (c->wait == MW__IMAPC_W_IDLE &&
        !(c->flags & MW__IMAPC_F_DONE_WANTED)) {
        /* RFC 2177 §3: DONE only after the "+"; send it when it comes. */
        c->flags |= MW__IMAPC_F_DONE_WANTED;
        return MW_OK;
    }
    if (!(c->flags & MW__IMAPC_F_IDLING) ||
        (c->flags & MW__IMAPC_F_DONE_SENT))
        return MW_E_STATE;
    c->flags |= MW__IMAPC_F_DONE_SENT;
    r = mw__imapc_send(c, "DONE\r\n", 6);
    return r < 0 ? r : MW_OK;
}

/* ---- APPEND data ------------------------------------------------------ */

int mw_imap_client_append_data(mw_imap_client *c, const char *p, size_t n)
{
    int r;
    if (c == NULL || (p == NULL && n > 0))
        return MW_E_INVAL;
    if (c->flags & MW__IMAPC_F_CLOSED)
        return MW_E_CLOSED;
    if (!(c->flags & MW__IMAPC_F_APPEND_DATA))
        return MW_E_STATE;
    if ((uint64_t)n > c->lit_left)
        return MW_E_INVAL;
    /* A literal (not literal8) cannot carry NUL (RFC 9051 §4.3). */
    if (!(c->flags & MW__IMAPC_F_APPEND_BIN) && n > 0 &&
        memchr(p, 0, n) != NULL)
        return MW_E_INVAL;
    if (n == 0)
        return MW_OK;
    r = mw__imapc_send(c, p, n);
    if (r != MW_OK)
        return r;
    c->lit_left -= n;
    return MW_OK;
}

int mw_imap_client_append_end(mw_imap_client *c)
{
    mw__imap_out o;
    if (c == NULL)
        return MW_E_INVAL;
    if (c->flags & MW__IMAPC_F_CLOSED)
        return MW_E_CLOSED;
    /* RFC 4469 §5: a CATENATE message has at least one part. */
    if (!mw__imapc_append_idle(c) ||
        (c->flags & (MW__IMAPC_F_APPEND_CAT | MW__IMAPC_F_APPEND_PART)) ==
            MW__IMAPC_F_APPEND_CAT)
        return MW_E_STATE;
    mw__imapc_append_out(c, &o);
    /* RFC 6855 §4 "UTF8 (" literal8 ")", RFC 4469 §5 "CATENATE (" ... ")" */
    if (c->flags & (MW__IMAPC_F_APPEND_UTF8 | MW__IMAPC_F_APPEND_CAT))
        mw__imap_out_char(&o, ')');
    mw__imap_out_raw(&o, crlf, 2);
    if (o.status == MW_OK)
        c->flags &= ~(uint32_t)(MW__IMAPC_F_APPEND | MW__IMAPC_F_APPEND_DATA |
                                MW__IMAPC_F_APPEND_MSG);
    return mw__imapc_append_more(c, &o);
}

/* ---- responses (called by the parser) --------------------------------- */

void mw__imap_client_caps(mw_imap_client *c, mw_span caps)
{
    (void)mw_imap_caps_parse(caps.ptr, caps.len, &c->caps);
    c->flags |= MW__IMAPC_F_CAPS;
}

void mw__imap_client_enabled(mw_imap_client *c, mw_span list)
{
    size_t i = 0;
    while (i < list.len) {
        size_t j = i;
        mw_span w;
        while (j < list.len && list.ptr[j] != ' ')
            j++;
        w = mw__span(list.ptr + i, j - i);
        if (mw__span_ieq(w, "UTF8=ACCEPT") || mw__span_ieq(w, "UTF8=ONLY"))
            c->enabled |= MW_IMAP_CLIENT_ENABLED_UTF8;
        else if (mw__span_ieq(w, "IMAP4rev2"))
            c->enabled |= MW_IMAP_CLIENT_ENABLED_IMAP4REV2;
        else if (mw__span_ieq(w, "CONDSTORE"))
            c->enabled |= MW_IMAP_CLIENT_ENABLED_CONDSTORE;
        else if (mw__span_ieq(w, "QRESYNC")) /* implies CONDSTORE (RFC 7162 §3.2.3) */
            c->enabled |= MW_IMAP_CLIENT_ENABLED_QRESYNC |
                          MW_IMAP_CLIENT_ENABLED_CONDSTORE;
        i = j + 1;
    }
    c->lexflags = lexflags_for(c);
}

static int deliver(mw_imap_client *c, const mw_imap_status *st)
{
    int r;
    if (c->cb.status == NULL)
        return MW_OK;
    r = c->cb.status(c, c->user, st);
    if (r < 0)
        return mw__imapc_fatal(c, MW_E_CALLBACK, st->offset,
                               "status callback aborted");
    return r == MW_PAUSED ? MW_PAUSED : MW_OK;
}

/* The command `e` completed with `st`: apply what it changes. */
static int completed(mw_imap_client *c, const mw__imap_pending *e,
                     const mw_imap_status *st)
{
    int ok = st->result == MW_IMAP_OK, cut = 0, r;

    /* A command whose synchronising literal the server refused (tagged
     * NO/BAD instead of "+"): the rest of it is never sent. */
    if (e->num == c->cur && c->cmd_len > 0) {
        cut = 1;
        if (c->flags & MW__IMAPC_F_SECRET)
            memset(c->cmd, 0, c->cmd_len);
        c->cmd_len = c->cmd_sent = c->cmd_skip = 0;
        c->flags &= ~(uint32_t)(MW__IMAPC_F_SECRET | MW__IMAPC_F_APPEND_LIT |
                                MW__IMAPC_F_APPEND_SYNC);
        if (c->wait == MW__IMAPC_W_LITERAL)
            c->wait = MW__IMAPC_W_NONE;
    }
    if (exclusive(e->cmd))
        c->flags &= ~(uint32_t)MW__IMAPC_F_EXCL;

    switch (e->cmd) {
    case MW_IMAP_CMD_LOGIN:
        if (ok)
            c->state = MW_IMAP_STATE_AUTHENTICATED;
        break;
    case MW_IMAP_CMD_AUTHENTICATE:
        sasl_end(c);
        if (ok)
            c->state = MW_IMAP_STATE_AUTHENTICATED;
        break;
    case MW_IMAP_CMD_SELECT:
    case MW_IMAP_CMD_EXAMINE:
        /* RFC 9051 §6.3.2: a failed SELECT leaves no mailbox selected. */
        if (ok)
            c->state = MW_IMAP_STATE_SELECTED;
        else if (st->result == MW_IMAP_NO &&
                 c->state == MW_IMAP_STATE_SELECTED)
            c->state = MW_IMAP_STATE_AUTHENTICATED;
        break;
    case MW_IMAP_CMD_CLOSE:
    case MW_IMAP_CMD_UNSELECT:
        if (ok)
            c->state = MW_IMAP_STATE_AUTHENTICATED;
        break;
    case MW_IMAP_CMD_LOGOUT:
        c->state = MW_IMAP_STATE_LOGOUT;
        c->flags |= MW__IMAPC_F_CLOSING;
        break;
    case MW_IMAP_CMD_STARTTLS:
        if (ok)
            c->switching = MW__IMAPC_SW_TLS;
        else if (c->flags & MW__IMAPC_F_REQ_TLS)
            return mw__imapc_fatal(c, MW_E_STATE, st->offset,
                                   "STARTTLS refused and TLS is required");
        break;
    case MW_IMAP_CMD_COMPRESS:
        if (ok)
            c->switching = MW__IMAPC_SW_COMPRESS;
        break;
    case MW_IMAP_CMD_IDLE:
        if (c->wait == MW__IMAPC_W_IDLE)
            c->wait = MW__IMAPC_W_NONE;
        c->flags &= ~(uint32_t)(MW__IMAPC_F_IDLING | MW__IMAPC_F_DONE_WANTED |
                                MW__IMAPC_F_DONE_SENT);
        break;
    case MW_IMAP_CMD_APPEND:
        if (e->num != c->cur)
            break;
        if (c->wait == MW__IMAPC_W_APPEND || cut) {
            /* Refused instead of the "+" of a literal (a message's, a
             * CATENATE TEXT part's, one in the mailbox name): the server
             * ends the command there; nothing more of it goes out. */
            c->wait = MW__IMAPC_W_NONE;
            c->flags &= ~(uint32_t)(MW__IMAPC_F_APPEND |
                                    MW__IMAPC_F_APPEND_DATA |
                                    MW__IMAPC_F_APPEND_MSG);
        } else if (c->flags & MW__IMAPC_F_APPEND) {
            /* The server ended the command while message data was still
             * owed: what we would send next could be read as commands. */
            if ((c->flags & MW__IMAPC_F_APPEND_DATA) && c->lit_left > 0)
                return mw__imapc_fatal(c, MW_E_SEQUENCE, st->offset,
                                       "APPEND completed before its data "
                                       "was sent");
            /* Answered between two pieces of the command: a server may
             * refuse a CATENATE URL as soon as it has read it (RFC 4469
             * §4.1, NO [BADURL]) while the rest travels as LITERAL+
             * literals; it then skips to the command's end. Only the
             * CRLF that ends it goes out, no more parts or messages. */
            c->flags &= ~(uint32_t)(MW__IMAPC_F_APPEND |
                                    MW__IMAPC_F_APPEND_DATA |
                                    MW__IMAPC_F_APPEND_MSG);
            r = mw__imapc_send(c, crlf, 2);
            if (r < 0)
                return r;
        }
        break;
    case MW_IMAP_CMD_CAPABILITY:
        if (ok && (c->flags & MW__IMAPC_F_REQ_TLS) &&
            !(c->flags & MW__IMAPC_F_TLS) &&
            !((c->flags & MW__IMAPC_F_CAPS) &&
              (c->caps.bits & MW_IMAP_CAP_STARTTLS)))
            return mw__imapc_fatal(c, MW_E_STATE, st->offset,
                                   "server does not offer STARTTLS and TLS "
                                   "is required");
        break;
    default:
        break;
    }
    if (c->npending == 0)
        c->pstate = c->state;
    return MW_OK;
}

int mw__imap_client_status(mw_imap_client *c, mw_imap_status *st)
{
    int r;

    if (c->flags & MW__IMAPC_F_CLOSED)
        return c->err.code < 0 ? c->err.code : MW_E_CLOSED;
    if (st->code.id == MW_IMAP_CODE_CAPABILITY)
        mw__imap_client_caps(c, st->code.arg);

    if (st->untagged || st->tag.ptr == NULL) {
        st->cmd = MW_IMAP_CMD_NONE;
        st->cmd_flags = 0;
        st->handle = 0;
        if (c->state == MW_IMAP_STATE_GREETING) {
            /* RFC 9051 §7.1: greeting = "*" SP (resp-cond-auth /
             * resp-cond-bye) CRLF. */
            st->greeting = 1;
            switch (st->result) {
            case MW_IMAP_OK:
                c->state = MW_IMAP_STATE_NOT_AUTHENTICATED;
                break;
            case MW_IMAP_PREAUTH:
                if ((c->flags & MW__IMAPC_F_REQ_TLS) &&
                    !(c->flags & MW__IMAPC_F_TLS))
                    return mw__imapc_fatal(c, MW_E_STATE, st->offset,
                                           "PREAUTH greeting and TLS is "
                                           "required");
                c->state = MW_IMAP_STATE_AUTHENTICATED;
                break;
            case MW_IMAP_BYE:
                c->state = MW_IMAP_STATE_LOGOUT;
                c->flags |= MW__IMAPC_F_BYE | MW__IMAPC_F_CLOSING;
                break;
            default:
                return mw__imapc_fatal(c, MW_E_SYNTAX, st->offset,
                                       "greeting is not OK, PREAUTH or BYE");
            }
            c->pstate = c->state;
        } else {
            st->greeting = 0;
            if (st->result == MW_IMAP_BYE) {
                /* RFC 9051 §7.1.5: the server closes the connection. With
                 * a LOGOUT pending, its tagged OK still follows. */
                unsigned i;
                int logout = 0;
                for (i = 0; i < c->npending; i++)
                    if (c->pending[i].cmd == MW_IMAP_CMD_LOGOUT)
                        logout = 1;
                c->flags |= MW__IMAPC_F_BYE;
                c->state = MW_IMAP_STATE_LOGOUT;
                c->pstate = MW_IMAP_STATE_LOGOUT;
                if (!logout)
                    c->flags |= MW__IMAPC_F_CLOSING;
            }
        }
        return deliver(c, st);
    }

    /* Tagged. */
    {
        uint32_t num = 0;
        int i;
        mw__imap_pending e;
        if (c->state == MW_IMAP_STATE_GREETING)
            return mw__imapc_fatal(c, MW_E_SEQUENCE, st->offset,
                                   "tagged response before the greeting");
        if (!tag_number(c, st->tag, &num) || (i = find_pending(c, num)) < 0)
            return mw__imapc_report(c, MW_E_SEQUENCE, st->offset,
                                    "response with an unknown tag");
        e = c->pending[i];
        remove_pending(c, (unsigned)i);
        st->cmd = e.cmd;
        st->cmd_flags = (e.flags & MW__IMAPC_PF_UID) ? MW_IMAP_CMDF_UID : 0u;
        st->handle = e.num;
        st->greeting = 0;
        r = completed(c, &e, st);
        if (r < 0)
            return r;
        return deliver(c, st);
    }
}

int mw__imap_client_continue(mw_imap_client *c, mw_span text, size_t offset)
{
    int r;
    if (c->flags & MW__IMAPC_F_CLOSED)
        return c->err.code < 0 ? c->err.code : MW_E_CLOSED;
    switch (c->wait) {
    case MW__IMAPC_W_LITERAL:
        c->wait = MW__IMAPC_W_NONE;
        return mw__imapc_pump(c);
    case MW__IMAPC_W_APPEND:
        c->wait = MW__IMAPC_W_NONE;
        return literal_ready(c);
    case MW__IMAPC_W_SASL:
        r = sasl_challenge(c, text, offset);
        if (r < 0 && !(c->flags & MW__IMAPC_F_CLOSED)) {
            /* The response did not fit the command buffer. */
            r = mw__imapc_report(c, r, offset,
                                 "SASL response does not fit the command "
                                 "buffer");
            if (r >= 0)
                r = sasl_cancel(c);
        }
        return r;
    case MW__IMAPC_W_SASL_APP:
        c->flags |= MW__IMAPC_F_CHALLENGE;
        break;
    case MW__IMAPC_W_IDLE:
        c->wait = MW__IMAPC_W_NONE;
        c->flags |= MW__IMAPC_F_IDLING;
        if (c->flags & MW__IMAPC_F_DONE_WANTED) {
            c->flags |= MW__IMAPC_F_DONE_SENT;
            r = mw__imapc_send(c, "DONE\r\n", 6);
            if (r < 0)
                return r;
        }
        break;
    default:
        return mw__imapc_report(c, MW_E_SEQUENCE, offset,
                                "continuation request nobody waits for");
    }
    if (c->cb.continuation != NULL) {
        r = c->cb.continuation(c, c->user, text);
        if (r < 0)
            return mw__imapc_fatal(c, MW_E_CALLBACK, offset,
                                   "continuation callback aborted");
        return r == MW_PAUSED ? MW_PAUSED : MW_OK;
    }
    return MW_OK;
}

/* ---- input ------------------------------------------------------------ */

static int on_event(mw_imap_client *c, const mw__imap_fev *ev)
{
    switch (ev->type) {
    case MW__IMAP_FEV_LINE:
        return mw__imap_resp_line(c, ev->p, ev->n, ev->offset, 1);
    case MW__IMAP_FEV_LITERAL: {
        int t = mw__imap_resp_literal(c, ev->p, ev->n, ev->offset,
                                      ev->lit_size, ev->lit_flags);
        if (t < 0)
            return t;
        mw__imap_framer_take(&c->framer, t, c->resp.take_status,
                             c->resp.take_reason);
        return mw__imap_resp_status(c);
    }
    case MW__IMAP_FEV_DATA:
        return mw__imap_resp_data(c, ev->p, ev->n);
    case MW__IMAP_FEV_LITERAL_END:
        return mw__imap_resp_literal_end(c);
    case MW__IMAP_FEV_FULL: {
        size_t k = mw__imap_resp_full(c, ev->p, ev->n, ev->offset);
        mw__imap_framer_release(&c->framer, k);
        return mw__imap_resp_status(c);
    }
    case MW__IMAP_FEV_SKIPPED:
        return mw__imap_resp_skipped(c, ev->status, ev->offset, ev->reason);
    default:
        return MW_OK;
    }
}

static int feed(mw_imap_client *c, const char *in, size_t len,
                size_t *consumed)
{
    size_t pos = 0;

    if (c->switching) {
        if (len == 0)
            return MW_OK;
        return mw__imapc_fatal(c, MW_E_INJECTION, here(c),
                               c->switching == MW__IMAPC_SW_TLS
                                   ? "bytes received after the STARTTLS "
                                     "go-ahead, before TLS"
                                   : "bytes received after the COMPRESS "
                                     "go-ahead, before DEFLATE");
    }
    for (;;) {
        mw__imap_fev ev;
        size_t used = 0;
        int got, r;
        got = mw__imap_framer_next(&c->framer, in + pos, len - pos, &used,
                                   &ev);
        pos += used;
        if (!got)
            break;
        r = on_event(c, &ev);
        *consumed = pos;
        if (r < 0) {
            if (!(c->flags & MW__IMAPC_F_CLOSED))
                (void)mw__imapc_fatal(c, MW_E_CALLBACK, ev.offset,
                                      "a callback aborted");
            return c->err.code < 0 ? c->err.code : r;
        }
        if (c->switching) {
            /* The go-ahead was the last thing the server may send in
             * clear: anything after it is an injection (CVE-2020-15953). */
            if (pos < len)
                return mw__imapc_fatal(
                    c, MW_E_INJECTION, here(c),
                    c->switching == MW__IMAPC_SW_TLS
                        ? "bytes received after the STARTTLS go-ahead, "
                          "before TLS"
                        : "bytes received after the COMPRESS go-ahead, "
                          "before DEFLATE");
            return r == MW_PAUSED ? MW_PAUSED : MW_OK;
        }
        if (c->flags & MW__IMAPC_F_CLOSING) {
            c->flags &= ~(uint32_t)MW__IMAPC_F_CLOSING;
            c->flags |= MW__IMAPC_F_CLOSED;
            c->state = c->pstate = MW_IMAP_STATE_LOGOUT;
            return MW_DONE;
        }
        if (r == MW_PAUSED)
            return MW_PAUSED;
        if (c->flags & MW__IMAPC_F_CLOSED)
            return c->err.code < 0 ? c->err.code : MW_E_CLOSED;
    }
    *consumed = pos;
    return MW_OK;
}

int mw_imap_client_feed(mw_imap_client *c, const char *in, size_t len,
                        size_t *consumed)
{
    size_t dummy;
    int r;
    if (consumed == NULL)
        consumed = &dummy;
    *consumed = 0;
    if (c == NULL || (in == NULL && len > 0))
        return MW_E_INVAL;
    if (c->flags & MW__IMAPC_F_CLOSED)
        return MW_E_CLOSED;
    /* While feed runs, the switch points cannot be passed: the bytes
     * after a go-ahead must be looked at first. */
    c->flags |= MW__IMAPC_F_IN_FEED;
    r = feed(c, in, len, consumed);
    c->flags &= ~(uint32_t)MW__IMAPC_F_IN_FEED;
    return r;
}

int mw_imap_client_eof(mw_imap_client *c)
{
    int clean;
    if (c == NULL)
        return MW_E_INVAL;
    if (c->flags & MW__IMAPC_F_CLOSED) {
        return (c->flags & MW__IMAPC_F_BYE) ||
                       c->err.code == MW_OK
                   ? MW_OK
                   : MW_E_INCOMPLETE;
    }
    clean = (c->flags & MW__IMAPC_F_BYE) ||
            (c->npending == 0 && mw__imap_framer_idle(&c->framer) &&
             c->state == MW_IMAP_STATE_LOGOUT);
    if (!clean) {
        (void)mw__imapc_fatal(c, MW_E_INCOMPLETE, here(c),
                              "connection closed before the session ended");
        return MW_E_INCOMPLETE;
    }
    c->flags |= MW__IMAPC_F_CLOSED;
    c->state = c->pstate = MW_IMAP_STATE_LOGOUT;
    return MW_OK;
}

int mw_imap_client_tls_done(mw_imap_client *c)
{
    if (c == NULL)
        return MW_E_INVAL;
    if (c->flags & MW__IMAPC_F_CLOSED)
        return MW_E_CLOSED;
    if (c->switching != MW__IMAPC_SW_TLS ||
        (c->flags & MW__IMAPC_F_IN_FEED))
        return MW_E_STATE;
    c->switching = MW__IMAPC_SW_NONE;
    c->flags |= MW__IMAPC_F_TLS;
    /* RFC 9051 §6.2.1: the capabilities learnt in clear are forgotten. */
    c->flags &= ~(uint32_t)MW__IMAPC_F_CAPS;
    memset(&c->caps, 0, sizeof(c->caps));
    mw__imap_framer_reset(&c->framer);
    mw__imap_resp_reset(c);
    return MW_OK;
}

int mw_imap_client_compress_done(mw_imap_client *c)
{
    if (c == NULL)
        return MW_E_INVAL;
    if (c->flags & MW__IMAPC_F_CLOSED)
        return MW_E_CLOSED;
    if (c->switching != MW__IMAPC_SW_COMPRESS ||
        (c->flags & MW__IMAPC_F_IN_FEED))
        return MW_E_STATE;
    c->switching = MW__IMAPC_SW_NONE;
    c->flags |= MW__IMAPC_F_COMPRESSED;
    mw__imap_framer_reset(&c->framer);
    mw__imap_resp_reset(c);
    return MW_OK;
}
