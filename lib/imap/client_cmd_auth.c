/* SPDX-License-Identifier: MIT */
/*
 * IMAP client command formatting, part 3: AUTHENTICATE (RFC 9051 §6.2.2)
 * with SASL-IR (RFC 4959) for PLAIN (RFC 4616), LOGIN, XOAUTH2,
 * OAUTHBEARER (RFC 7628), CRAM-MD5 (RFC 2195), a mechanism hook
 * (mw_sasl_step_fn) and application-driven exchanges. The SASL encoders
 * are those of include/mailwire/sasl.h.
 *
 * The command buffer is laid out as:
 *   [0, MW__IMAPC_AUTH_HDR)   the command line "tag AUTHENTICATE MECH"
 *   [MW__IMAPC_AUTH_HDR, ...) the responses (base64, or raw for CRAM-MD5
 *                            and the hook) waiting for the server's "+"
 * With SASL-IR the initial response is moved next to the command line and
 * sent with it. The machine (client.c) answers the challenges and wipes
 * the buffer when the exchange ends.
 */
#include <string.h>

#include "imap/client_int.h"
#include "mailwire/codec.h"

/* SASL-IR (RFC 4959) is offered, or part of IMAP4rev2 (RFC 9051 §6.2.2). */
static int sasl_ir(const mw_imap_client *c)
{
    return (c->flags & MW__IMAPC_F_CAPS) &&
           (c->caps.bits & (MW_IMAP_CAP_SASL_IR | MW_IMAP_CAP_IMAP4REV2)) &&
           !((c->flags >> MW__IMAPC_CFG_SHIFT) & MW_IMAP_CLIENT_NO_SASL_IR);
}

/* sasl-mech = 1*20mech-char; mech-char = UPPER-ALPHA / DIGIT / HYPHEN /
 * UNDERSCORE (RFC 4422 §3.1). */
static int mech_ok(const char *m, size_t *len)
{
    size_t i;
    if (m == NULL)
        return 0;
    for (i = 0; m[i] != '\0'; i++) {
        char ch = m[i];
        if (i >= 20 || !((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                         ch == '-' || ch == '_'))
            return 0;
    }
    *len = i;
    return i > 0;
}

/* "tag AUTHENTICATE MECH" into hdr. */
static size_t auth_header(const mw_imap_client *c, const char *mech,
                          size_t mlen, char *hdr, size_t cap)
{
    mw__imap_out o;
    mw__imap_out_init(&o, hdr, cap);
    mw__imap_out_raw(&o, c->prefix, c->prefix_len);
    mw__imap_out_u32(&o, c->next_tag);
    mw__imap_out_raw(&o, " AUTHENTICATE ", 14);
    mw__imap_out_raw(&o, mech, mlen);
    return o.len; /* at most 16 + 10 + 14 + 20 < MW__IMAPC_AUTH_HDR */
}

static int start(mw_imap_client *c)
{
    int r = mw__imapc_check(c, MW_IMAP_CMD_AUTHENTICATE);
    if (r != MW_OK)
        return r;
    if (c->cmd_cap < MW__IMAPC_AUTH_HDR + 8u)
        return MW_E_NOSPACE;
    return MW_OK;
}

/* Send the command. With `ir` (a base64 initial response of `a` bytes at
 * MW__IMAPC_AUTH_HDR, room for CRLF after it) and SASL-IR, the response
 * goes on the command line ("=" when empty, RFC 4959 §3); otherwise it
 * stays where it is for the first "+". */
static int send_auth(mw_imap_client *c, const char *mech, size_t mlen,
                     int ir, size_t a, int mechkind, uint32_t *handle)
{
    const size_t H = MW__IMAPC_AUTH_HDR;
    char hdr[MW__IMAPC_AUTH_HDR];
    size_t hl = auth_header(c, mech, mlen, hdr, sizeof hdr), len;
    int r, inline_ir = ir && sasl_ir(c);

    if (inline_ir) {
        memcpy(c->cmd, hdr, hl);
        c->cmd[hl] = ' ';
        if (a == 0) {
            c->cmd[hl + 1] = '=';
            len = hl + 2;
        } else {
            memmove(c->cmd + hl + 1, c->cmd + H, a);
            len = hl + 1 + a;
            /* what the move left of the response behind the line */
            memset(c->cmd + len, 0, H + a - len);
        }
        memcpy(c->cmd + len, "\r\n", 2);
        len += 2;
        c->flags |= MW__IMAPC_F_SECRET | MW__IMAPC_F_IR_SENT;
        a = 0;
    } else {
        memcpy(c->cmd, hdr, hl);
        memcpy(c->cmd + hl, "\r\n", 2);
        len = hl + 2;
        if (!ir)
            c->flags |= MW__IMAPC_F_IR_SENT; /* nothing waits for a "+" */
    }
    c->mech = (uint8_t)mechkind;
    c->sasl_step = 0;
    c->sasl_a = a;
    c->wait = mechkind == MW__IMAPC_M_APP ? MW__IMAPC_W_SASL_APP
                                          : MW__IMAPC_W_SASL;
    r = mw__imapc_commit(c, MW_IMAP_CMD_AUTHENTICATE, 0, len, handle);
    return r;
}

static void wipe(mw_imap_client *c)
{
    memset(c->cmd, 0, c->cmd_cap);
    c->flags &= ~(uint32_t)(MW__IMAPC_F_IR_SENT | MW__IMAPC_F_SECRET);
}

/* Room for base64 at MW__IMAPC_AUTH_HDR with a CRLF after it. */
static size_t b64_room(const mw_imap_client *c)
{
    return c->cmd_cap - MW__IMAPC_AUTH_HDR - 2u;
}

int mw_imap_client_authenticate_plain(mw_imap_client *c, const char *authzid,
                                      size_t zlen, const char *user,
                                      size_t ulen, const char *pass,
                                      size_t plen, uint32_t *handle)
{
    size_t a = 0;
    int r = start(c);
    if (r != MW_OK)
        return r;
    r = mw_sasl_plain_encode(authzid, zlen, user, ulen, pass, plen,
                             c->cmd + MW__IMAPC_AUTH_HDR, b64_room(c), &a);
    if (r != MW_OK) {
        wipe(c);
        return r;
    }
    return send_auth(c, "PLAIN", 5, 1, a, MW__IMAPC_M_PLAIN, handle);
}

int mw_imap_client_authenticate_xoauth2(mw_imap_client *c, const char *user,
                                        size_t ulen, const char *token,
                                        size_t tlen, uint32_t *handle)
{
#if MW_ENABLE_SASL_OAUTH
    size_t a = 0;
    int r = start(c);
    if (r != MW_OK)
        return r;
    r = mw_sasl_xoauth2_encode(user, ulen, token, tlen,
                               c->cmd + MW__IMAPC_AUTH_HDR, b64_room(c), &a);
    if (r != MW_OK) {
        wipe(c);
        return r;
    }
    return send_auth(c, "XOAUTH2", 7, 1, a, MW__IMAPC_M_XOAUTH2, handle);
#else
    /* Compiled out (features.h), whatever the state. */
    (void)c, (void)user, (void)ulen, (void)token, (void)tlen, (void)handle;
    return MW_E_UNSUPPORTED;
#endif
}

int mw_imap_client_authenticate_oauthbearer(
    mw_imap_client *c, const char *authzid, size_t alen, const char *host,
    size_t hlen, unsigned port, const char *token, size_t tlen,
    uint32_t *handle)
{
#if MW_ENABLE_SASL_OAUTH
    size_t a = 0;
    int r = start(c);
    if (r != MW_OK)
        return r;
    r = mw_sasl_oauthbearer_encode(authzid, alen, host, hlen, port, token,
                                   tlen, c->cmd + MW__IMAPC_AUTH_HDR,
                                   b64_room(c), &a);
    if (r != MW_OK) {
        wipe(c);
        return r;
    }
    return send_auth(c, "OAUTHBEARER", 11, 1, a, MW__IMAPC_M_OAUTHBEARER,
                     handle);
#else
    /* Compiled out (features.h), whatever the state. */
    (void)c, (void)authzid, (void)alen, (void)host, (void)hlen, (void)port,
        (void)token, (void)tlen, (void)handle;
    return MW_E_UNSUPPORTED;
#endif
}

int mw_imap_client_authenticate_login(mw_imap_client *c, const char *user,
                                      size_t ulen, const char *pass,
                                      size_t plen, uint32_t *handle)
{
    const size_t H = MW__IMAPC_AUTH_HDR;
    size_t a = 0, b = 0, room;
    int r = start(c);
    if (r != MW_OK)
        return r;
    if (user == NULL || ulen == 0 || (pass == NULL && plen > 0))
        return MW_E_INVAL;
    /* [H, H+a) user, CRLF room, [H+a+2, H+a+2+b) password, CRLF room */
    r = mw_sasl_login_encode(user, ulen, c->cmd + H, b64_room(c), &a);
    if (r == MW_OK) {
        room = c->cmd_cap - H - a - 2u;
        room = room > 2u ? room - 2u : 0;
        r = mw_sasl_login_encode(pass, plen, room ? c->cmd + H + a + 2u : NULL,
                                 room, &b);
    }
    if (r != MW_OK) {
        wipe(c);
        return r;
    }
    r = send_auth(c, "LOGIN", 5, 0, a, MW__IMAPC_M_LOGIN, handle);
    c->sasl_b = b;
    return r;
}

int mw_imap_client_authenticate_cram_md5(mw_imap_client *c, const char *user,
                                         size_t ulen, const char *secret,
                                         size_t slen, uint32_t *handle)
{
#if MW_ENABLE_SASL_CRAM_MD5
    const size_t H = MW__IMAPC_AUTH_HDR;
    int r = start(c);
    if (r != MW_OK)
        return r;
    if (user == NULL || ulen == 0 || (secret == NULL && slen > 0) ||
        memchr(user, 0, ulen) != NULL || mw__find_cr_or_lf(user, ulen) < ulen)
        return MW_E_INVAL;
    /* Raw user and secret until the challenge; the response (user SP 32
     * hex digits) and its base64 must fit after them and a challenge. */
    if (ulen + slen + 2u * (ulen + 1u + MW_MD5_HEX_LEN) + 64u >
        c->cmd_cap - H)
        return MW_E_NOSPACE;
    memcpy(c->cmd + H, user, ulen);
    if (slen > 0)
        memcpy(c->cmd + H + ulen, secret, slen);
    r = send_auth(c, "CRAM-MD5", 8, 0, ulen, MW__IMAPC_M_CRAM, handle);
    c->sasl_b = slen;
    return r;
#else
    /* Compiled out (features.h). */
    (void)c, (void)user, (void)ulen, (void)secret, (void)slen, (void)handle;
    return MW_E_UNSUPPORTED;
#endif
}

int mw_imap_client_authenticate(mw_imap_client *c, const char *mech,
                                mw_sasl_step_fn step, void *step_user,
                                uint32_t *handle)
{
    const size_t H = MW__IMAPC_AUTH_HDR;
    size_t mlen = 0, rlen = 0, cap, w = 0;
    int r, hr;
    if (c == NULL || !mech_ok(mech, &mlen))
        return MW_E_INVAL;
    r = start(c);
    if (r != MW_OK)
        return r;
    if (step == NULL)
        return send_auth(c, mech, mlen, 0, 0, MW__IMAPC_M_APP, handle);
    /* The raw initial response at H, its base64 after it: r + 4r/3 + 4 +
     * CRLF must fit. */
    cap = c->cmd_cap - H > 8u ? ((c->cmd_cap - H - 8u) / 7u) * 3u : 0;
    hr = step(step_user, NULL, 0, c->cmd + H, cap, &rlen);
    if (hr < 0 || (hr != MW_OK && hr != MW_DONE && hr != MW_PAUSED) ||
        rlen > cap) {
        wipe(c);
        return hr < 0 ? hr : MW_E_INVAL;
    }
    c->step = step;
    c->step_user = step_user;
    if (hr == MW_PAUSED) /* no initial response */
        return send_auth(c, mech, mlen, 0, 0, MW__IMAPC_M_HOOK, handle);
    if (hr == MW_DONE)
        c->flags |= MW__IMAPC_F_SASL_LAST;
    if (sasl_ir(c)) {
        /* base64 of the raw response, moved to H for send_auth */
        (void)mw_base64_encode(c->cmd + H, rlen, c->cmd + H + rlen,
                               c->cmd_cap - H - rlen - 2u, &w);
        memmove(c->cmd + H, c->cmd + H + rlen, w);
        memset(c->cmd + H + w, 0, rlen);
        return send_auth(c, mech, mlen, 1, w, MW__IMAPC_M_HOOK, handle);
    }
    /* No SASL-IR: the raw response waits at H for the first "+"; mark it
     * as pending (IR not sent). */
    r = send_auth(c, mech, mlen, 1, rlen, MW__IMAPC_M_HOOK, handle);
    return r;
}
