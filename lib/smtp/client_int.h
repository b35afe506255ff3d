/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the SMTP client's source files: client.c (session,
 * replies, commands, message data, AUTH) and client_msg.c (the
 * transaction helper). The context itself is public (smtp_client.h) so
 * that callers can place it; the meaning of its private fields is here.
 */
#ifndef MW_SMTP_CLIENT_INT_H
#define MW_SMTP_CLIENT_INT_H

#include "core/framing.h"
#include "mailwire/smtp.h"
#include "mailwire/smtp_client.h"
#include "smtp/reply.h"

/* mw_smtp_client.opts: the configuration, and TLS. */
#define MW__SC_LMTP 0x01u
#define MW__SC_PIPE 0x02u       /* use PIPELINING when offered */
#define MW__SC_CHUNK 0x04u      /* use CHUNKING when offered */
#define MW__SC_HELO_FB 0x08u    /* HELO after a refused EHLO */
#define MW__SC_REQ_TLS 0x10u    /* TLS is mandatory */
#define MW__SC_TLS 0x20u        /* TLS is up */
#define MW__SC_AUTH_CLEAR 0x40u /* AUTH allowed without TLS */

/* mw_smtp_client.state */
#define MW__SC_ST_GREETING 0u /* waiting for the greeting */
#define MW__SC_ST_READY 1u    /* greeted (successfully or not) */
#define MW__SC_ST_TLS 2u      /* 220 to STARTTLS: the handshake is due */
#define MW__SC_ST_CLOSED 3u   /* QUIT done, 421, or end of stream */
#define MW__SC_ST_DEAD 4u     /* a fatal error */

/* mw_smtp_client.flags */
#define MW__SC_F_GREET_BAD 0x01u /* the greeting was not 2xx: only QUIT */
#define MW__SC_F_AUTHED 0x02u    /* AUTH succeeded */
#define MW__SC_F_POLICY 0x04u    /* the TLS policy failed: QUIT was sent */
#define MW__SC_F_PAUSE 0x08u     /* a callback asked feed() to pause */

/* mw_smtp_client.hello */
#define MW__SC_H_NONE 0u
#define MW__SC_H_EHLO 1u /* EHLO or LHLO accepted: caps are valid */
#define MW__SC_H_HELO 2u

/* mw_smtp_client.txn: the mail transaction. */
#define MW__SC_T_NONE 0u
#define MW__SC_T_MAIL 1u      /* MAIL sent: envelope open */
#define MW__SC_T_DATA_WAIT 2u /* DATA sent: waiting for 354 */
#define MW__SC_T_BODY 3u      /* after 354: data through the dot-stuffer */
#define MW__SC_T_BDAT 4u      /* CHUNKING: data in BDAT chunks */
#define MW__SC_T_END 5u       /* end of data sent: waiting for its reply */

/* mw_smtp_client.txn_flags */
#define MW__SC_TF_MAIL_OK 0x01u
#define MW__SC_TF_MAIL_BAD 0x02u
#define MW__SC_TF_UTF8 0x04u    /* SMTPUTF8 was in MAIL */
#define MW__SC_TF_BINARY 0x08u  /* BODY=BINARYMIME: data goes as it is */
#define MW__SC_TF_BDAT_BAD 0x10u /* a BDAT chunk was refused */
#define MW__SC_TF_CR 0x20u      /* the data so far ends with a CR not yet
                                   known to be part of CRLF */
#define MW__SC_TF_AUTO_END 0x40u /* the machine ended the data itself */

/* mw_smtp_client.tail (BDAT only): how the data sent so far ends. */
#define MW__SC_TAIL_START 0u /* empty, or ends with CRLF */
#define MW__SC_TAIL_DATA 1u  /* ends inside a line */

/* Queue kinds: a mw_smtp_verb, or this for the end of the data. */
#define MW__SC_Q_MESSAGE 33u

/* mw_smtp_client.auth_mech */
#define MW__SC_A_NONE 0u
#define MW__SC_A_PLAIN 1u
#define MW__SC_A_LOGIN 2u
#define MW__SC_A_XOAUTH2 3u
#define MW__SC_A_OAUTHBEARER 4u
#define MW__SC_A_SASL 5u
#define MW__SC_A_LAST 0x80u /* auth_step: the mechanism said this was its
                               last response */

/* ---- shared between client.c and client_msg.c ---- */

/* Is a command of this kind (a mw_smtp_verb) possible now? MW_OK, or the
 * status a command function would return (nothing recorded). */
int mw__smtpc_can_send(const mw_smtp_client *c, unsigned kind);

/* Can message data be written now? */
int mw__smtpc_can_write(const mw_smtp_client *c);

/* Record a failed call's error and return its code. */
int mw__smtpc_fail_(mw_smtp_client *c, int code, size_t offset,
                    const char *reason);
#define mw__smtpc_fail(a, b, c, d) mw__smtpc_fail_((a), (b), (c), MW__TEXT(d))

/* The transaction helper (client_msg.c): after a reply was delivered,
 * after TLS came up, and after the application ended the data. Return
 * MW_OK or a fatal status. */
int mw__smtpc_msg_reply(mw_smtp_client *c, const mw_smtp_client_reply *r);
int mw__smtpc_msg_step(mw_smtp_client *c);
/* The session ended or died: report the helper's result. */
void mw__smtpc_msg_abort_(mw_smtp_client *c, int status, const char *reason);
#define mw__smtpc_msg_abort(a, b, c) mw__smtpc_msg_abort_((a), (b), MW__TEXT(c))
/* The TLS policy failed at reply r (r may be NULL). */
void mw__smtpc_msg_policy_(mw_smtp_client *c, const mw_smtp_client_reply *r,
                           const char *reason);
#define mw__smtpc_msg_policy(a, b, c) mw__smtpc_msg_policy_((a), (b), MW__TEXT(c))

/* Helper stages (mw_smtp_client.msg_stage) */
#define MW__SC_M_RUN 1u    /* EHLO, TLS, AUTH, envelope: driven by state */
#define MW__SC_M_BODY 2u   /* the data is being written */
#define MW__SC_M_END 3u    /* the data is ended: waiting for its reply */
#define MW__SC_M_CLOSE 4u  /* decided: QUIT (or RSET with keep_open) due */
#define MW__SC_M_QUIT 5u   /* QUIT (or RSET) sent: waiting for its reply */

/* mw_smtp_client.msg_flags */
#define MW__SC_MF_TLS_TRIED 0x01u  /* STARTTLS was sent (or refused) */
#define MW__SC_MF_AUTH_SENT 0x02u
#define MW__SC_MF_MAIL_SENT 0x04u
#define MW__SC_MF_DATA_SENT 0x08u  /* DATA sent, or BDAT mode entered */
#define MW__SC_MF_DECIDED 0x10u    /* res holds the outcome */
#define MW__SC_MF_EOF 0x20u        /* the reader reported the end */

#endif
