/* SPDX-License-Identifier: MIT */
/*
 * Internal interface of the IMAP client machine.
 *
 * Part 1 is what the response parser (lib/imap/client_resp*.c, helper B1)
 * calls: the parser hands every status response, continuation request,
 * capability list and ENABLED list to the machine (lib/imap/client.c),
 * which matches tags to pending commands, applies state changes and the
 * TLS policy, and then calls the application.
 *
 * Part 2 is shared by the machine (client.c) and the command formatters
 * (client_cmd*.c): starting and issuing a command, and the argument
 * writers that pick atom, quoted string or literal.
 */
#ifndef MW_IMAP_CLIENT_INT_H
#define MW_IMAP_CLIENT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "imap/grammar.h"
#include "mailwire/imap.h"
#include "mailwire/imap_response.h"
#include "mailwire/imap_client.h"

/* ---- part 1: called by the response parser ----------------------------- */

/* A status response (greeting, untagged OK/NO/BAD/BYE/PREAUTH, tagged
 * completion). The machine fills st->cmd, st->cmd_flags and st->handle
 * for a tagged one (an unknown tag is reported through the error callback
 * as MW_E_SEQUENCE and the response is not delivered), sets st->greeting
 * for the first untagged status, applies the CAPABILITY code, state
 * changes, the TLS policy and the switch points, then calls cb.status.
 * Returns 0, MW_PAUSED (the callback paused) or negative (fatal: the
 * session is dead; the machine has recorded the error). */
int mw__imap_client_status(mw_imap_client *c, mw_imap_status *st);

/* A continuation request "+ text" (text without "+ "), at stream offset
 * `offset`. The machine consumes it (literal go-ahead, APPEND go-ahead,
 * AUTHENTICATE challenge it drives itself) or hands it to cb.continuation
 * (IDLE's "+ idling", a challenge the application answers). A "+" nobody
 * waits for is reported (MW_E_SEQUENCE) and dropped.
 * Returns as mw__imap_client_status. */
int mw__imap_client_continue(mw_imap_client *c, mw_span text, size_t offset);

/* A capability list (the text after "CAPABILITY " of a CAPABILITY data
 * response or a [CAPABILITY ...] code): replaces the known capabilities. */
void mw__imap_client_caps(mw_imap_client *c, mw_span caps);

/* An ENABLED list (RFC 5161 §3.2, the text after "ENABLED"): the
 * extensions now on (UTF8=ACCEPT, IMAP4rev2, CONDSTORE, QRESYNC). */
void mw__imap_client_enabled(mw_imap_client *c, mw_span list);

/* ---- part 2: machine <-> formatters ------------------------------------ */

/* c->flags */
#define MW__IMAPC_F_CLOSED 0x0001u    /* no more input or commands */
#define MW__IMAPC_F_CLOSING 0x0002u   /* closed after the current event */
#define MW__IMAPC_F_TLS 0x0004u       /* the connection is TLS */
#define MW__IMAPC_F_REQ_TLS 0x0008u   /* TLS required */
#define MW__IMAPC_F_CAPS 0x0010u      /* c->caps is known */
#define MW__IMAPC_F_EXCL 0x0020u      /* STARTTLS/AUTHENTICATE/IDLE/COMPRESS/LOGOUT pending: nothing may follow */
#define MW__IMAPC_F_SECRET 0x0040u    /* the command buffer holds credentials: wipe after sending */
#define MW__IMAPC_F_APPEND 0x0080u    /* an APPEND command is open (until its CRLF) */
#define MW__IMAPC_F_APPEND_LIT 0x0100u /* the command in the buffer ends with the message literal */
#define MW__IMAPC_F_APPEND_SYNC 0x0200u /* ... which is synchronising */
#define MW__IMAPC_F_APPEND_DATA 0x0400u /* message data may be written */
#define MW__IMAPC_F_APPEND_BIN 0x0800u /* the message is literal8 */
#define MW__IMAPC_F_IDLING 0x1000u    /* IDLE's "+" came */
#define MW__IMAPC_F_DONE_WANTED 0x2000u /* DONE asked for before the "+" */
#define MW__IMAPC_F_DONE_SENT 0x4000u /* DONE sent */
#define MW__IMAPC_F_IR_SENT 0x8000u   /* AUTHENTICATE: the initial response went out */
#define MW__IMAPC_F_CHALLENGE 0x10000u /* AUTHENTICATE: a challenge awaits the application */
#define MW__IMAPC_F_BYE 0x20000u      /* the server said BYE */
#define MW__IMAPC_F_COMPRESSED 0x40000u /* COMPRESS is on */
#define MW__IMAPC_F_SASL_LAST 0x80000u /* hook: the last step was taken */
#define MW__IMAPC_F_IN_FEED 0x100000u /* inside mw_imap_client_feed() */
#define MW__IMAPC_F_APPEND_UTF8 0x200000u /* the message is "UTF8 (~{n}": ")" owed after it */
#define MW__IMAPC_F_APPEND_CAT 0x400000u /* the message is "CATENATE (": parts, then ")" */
#define MW__IMAPC_F_APPEND_PART 0x800000u /* ... and has at least one part */
/* what describes the current APPEND message (cleared with it) */
#define MW__IMAPC_F_APPEND_MSG                                               \
    (MW__IMAPC_F_APPEND_BIN | MW__IMAPC_F_APPEND_UTF8 |                      \
     MW__IMAPC_F_APPEND_CAT | MW__IMAPC_F_APPEND_PART)
/* configuration flags (MW_IMAP_CLIENT_*) are kept shifted by 24 */
#define MW__IMAPC_CFG_SHIFT 24

/* mw__imap_pending.flags */
#define MW__IMAPC_PF_UID 0x01u        /* the UID form (MW_IMAP_CMDF_UID) */

/* c->wait: what the next "+" is for */
enum {
    MW__IMAPC_W_NONE = 0,
    MW__IMAPC_W_LITERAL = 1,  /* a synchronising literal of the command */
    MW__IMAPC_W_APPEND = 2,   /* the APPEND message literal */
    MW__IMAPC_W_SASL = 3,     /* AUTHENTICATE run by the machine */
    MW__IMAPC_W_SASL_APP = 4, /* AUTHENTICATE run by the application */
    MW__IMAPC_W_IDLE = 5      /* IDLE's "+" */
};

/* c->mech: the SASL mechanisms the machine runs itself */
enum {
    MW__IMAPC_M_NONE = 0,
    MW__IMAPC_M_PLAIN,       /* one response (the initial one) */
    MW__IMAPC_M_LOGIN,       /* user name, then password */
    MW__IMAPC_M_XOAUTH2,     /* initial response; an error challenge gets "" */
    MW__IMAPC_M_OAUTHBEARER, /* initial response; an error challenge gets 0x01 */
    MW__IMAPC_M_CRAM,        /* the challenge is answered with the HMAC */
    MW__IMAPC_M_HOOK,        /* the application's mw_sasl_step_fn */
    MW__IMAPC_M_APP          /* the application answers each challenge */
};

/* c->switching */
enum { MW__IMAPC_SW_NONE = 0, MW__IMAPC_SW_TLS = 1, MW__IMAPC_SW_COMPRESS = 2 };

/* Room kept in front of AUTHENTICATE responses in the command buffer for
 * the command line itself. */
#define MW__IMAPC_AUTH_HDR 96u

/* Check that command `id` may be issued now (state, TLS policy, nothing
 * exclusive in flight, pending table) and start it in the command buffer:
 * "<tag> <name>". Returns MW_OK or the error to return (nothing sent). */
int mw__imapc_begin(mw_imap_client *c, mw__imap_out *o, int id,
                    const char *name);
/* The checks of mw__imapc_begin without writing anything. */
int mw__imapc_check(const mw_imap_client *c, int id);
/* End the command (CRLF), enter it in the pending table and send it (up
 * to the first synchronising literal). On a formatting error (o->status)
 * nothing is sent and the status is returned. pflags: MW__IMAPC_PF_*. */
int mw__imapc_issue(mw_imap_client *c, mw__imap_out *o, int id,
                    unsigned pflags, uint32_t *handle);
/* Enter a command of `len` bytes already in the command buffer (CRLF
 * included) in the pending table and send it. */
int mw__imapc_commit(mw_imap_client *c, int id, unsigned pflags, size_t len,
                     uint32_t *handle);
/* Send bytes through the callback; a failure kills the session. */
int mw__imapc_send(mw_imap_client *c, const char *p, size_t n);
/* Send the rest of the command buffer up to the next synchronising
 * literal (then c->wait = W_LITERAL) or its end. */
int mw__imapc_pump(mw_imap_client *c);
/* 1 when a literal of n bytes may be sent non-synchronising. */
int mw__imapc_nonsync(const mw_imap_client *c, uint64_t n);
/* APPEND: 1 when nothing of the current message is due (no literal
 * announced and unanswered or still in the command buffer, no data
 * owed): a plain message is complete; a CATENATE message may take another
 * part, or end once it has one. */
int mw__imapc_append_idle(const mw_imap_client *c);
/* APPEND: where the next piece of the command (a CATENATE part, the next
 * message) is formatted: behind what the command buffer still holds. */
void mw__imapc_append_out(mw_imap_client *c, mw__imap_out *o);
/* ... and send it: at once, or behind a synchronising literal that awaits
 * its "+" (then when it comes). Returns o->status on a formatting error
 * (nothing added), else as mw__imapc_pump (MW_PAUSED counts as MW_OK). */
int mw__imapc_append_more(mw_imap_client *c, const mw__imap_out *o);
/* Record and report a recoverable error / end the session. */
int mw__imapc_report_(mw_imap_client *c, int status, size_t offset,
                      const char *reason);
#define mw__imapc_report(c, status, offset, reason)                          \
    mw__imapc_report_((c), (status), (offset), MW__TEXT(reason))
int mw__imapc_fatal_(mw_imap_client *c, int status, size_t offset,
                     const char *reason);
#define mw__imapc_fatal(c, status, offset, reason)                           \
    mw__imapc_fatal_((c), (status), (offset), MW__TEXT(reason))

/* Argument writers (sticky errors in o->status). */
/* A string value: atom (with MW__IMAP_STR_ASTRING), quoted or literal. NUL
 * is MW_E_INVAL. */
void mw__imapc_string(mw_imap_client *c, mw__imap_out *o, const char *p,
                      size_t n, unsigned sflags);
/* A literal header "{n}" / "{n+}" CRLF and the bytes. */
void mw__imapc_literal(mw_imap_client *c, mw__imap_out *o, const char *p,
                       size_t n);
/* A mailbox name (UTF-8, encoded per the session); pattern=1 for a LIST
 * pattern (wildcards kept bare when possible). */
void mw__imapc_mailbox(mw_imap_client *c, mw__imap_out *o, const char *p,
                       size_t n, int pattern);
/* A sequence set, checked against the grammar. */
void mw__imapc_seqset(mw__imap_out *o, const mw_imap_seqset *s);
int mw__imapc_seqset_ok(const mw_imap_seqset *s);
/* An atom (1*ATOM-CHAR), checked. */
void mw__imapc_atom(mw__imap_out *o, const char *p, size_t n);
/* A flag list "(...)", checked. */
void mw__imapc_flags(mw__imap_out *o, const mw_imap_flag_set *f);
/* "dd-Mon-yyyy hh:mm:ss +zzzz" in double quotes / "d-Mon-yyyy". */
/* A search program from the builder, literals converted to LITERAL+ when
 * allowed. */
void mw__imapc_query(mw_imap_client *c, mw__imap_out *o,
                     const mw_imap_query *q);
/* 1 when the query is complete (every operator has its operands). */
int mw__imapc_query_complete(const mw_imap_query *q);

#endif
