/* SPDX-License-Identifier: MIT */
/*
 * The IMAP server's command parser (internal): turns one complete command
 * frame into an mw_imap_cmd (include/mailwire/imap_command.h). The server
 * machine (server.c) calls these for each framer event; they never see
 * partial frames, never allocate (structured values go into the arena)
 * and never recurse.
 *
 * Grammar: RFC 9051 §9 (IMAP4rev2) with the IMAP4rev1 commands of RFC 3501
 * §9 and the extensions listed in imap_command.h. Strict: exactly one SP
 * between tokens, tags of ASTRING-CHAR without "+", no CR/LF/NUL outside
 * literals.
 */
#ifndef MW_IMAP_SERVER_CMD_H
#define MW_IMAP_SERVER_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "imap/grammar.h"
#include "mailwire/imap.h"
#include "mailwire/imap_command.h"

/*
 * Parse one complete command frame: p[0..n) is the frame text without the
 * final CRLF, literals inline in wire form ("{n}\r\n" + bytes). offset is
 * the stream offset of p[0]; a (reset by the caller) receives lists, trees
 * and unescaped strings; lexflags are MW__IMAP_LEX_* (UTF8 after ENABLE
 * UTF8=ACCEPT / IMAP4rev2); max_depth bounds search-key nesting
 * (MW_E_DEPTH beyond; 0 means MW_IMAP_DEPTH_DEFAULT).
 *
 * Returns MW_OK with *cmd filled, or a negative status with err filled
 * (offset = stream offset of the problem, reason static). On error,
 * cmd->tag, cmd->id and cmd->name are filled as far as they were read
 * (tag.ptr NULL when the tag itself is missing or invalid).
 *
 * APPEND frames are parsed item by item by the append functions below
 * (their message literals are streamed); an APPEND frame whose literals
 * were all inlined is parsed here too, with the first message in
 * cmd->u.append (nmessages: all of them).
 */
int mw__imap_cmd_parse(const char *p, size_t n, size_t offset,
                       mw__imap_arena *a, unsigned lexflags,
                       unsigned max_depth, mw_imap_cmd *cmd, mw_error *err);

/*
 * The role of the literal a LITERAL framer event announces. p[0..n) is the
 * segment text so far, ending with the announcement ("{n}", "{n+}",
 * "~{n}"). Returns MW__IMAP_TAKE_STREAM when the literal is an APPEND
 * message: after "tag APPEND mailbox [SP flag-list] [SP date-time] SP",
 * or, in a segment that starts with SP or ")" (the text after a streamed
 * message; ")" closes "UTF8 (", RFC 6855 §4), after "SP [flag-list SP]
 * [date-time SP]" (the next MULTIAPPEND message), or a CATENATE TEXT
 * part (RFC 4469 §5). Otherwise MW__IMAP_TAKE_INLINE (the machine applies
 * its small literal limit): the mailbox given as a literal ("tag APPEND
 * {n}"), a CATENATE part "URL {n}" (its astring; a mailbox literal's
 * bytes never count as one, nor does a mailbox named URL), any literal
 * of another command. Cheap: only the text needed is looked at; the
 * syntax is the parsers' business.
 */
int mw__imap_cmd_literal_role(const char *p, size_t n);

/*
 * Lexer flag bit (beside the MW__IMAP_LEX_* of grammar.h, far from
 * them): the server offers CATENATE (RFC 4469), so an APPEND message may
 * be `"CATENATE" SP "(" cat-part *(SP cat-part) ")"`. Without it the
 * parsers treat "CATENATE" as before (a message literal expected).
 */
#define MW__IMAP_AP_CATENATE 0x8000u

/*
 * APPEND item by item (RFC 9051 §6.3.12, MULTIAPPEND RFC 3502, CATENATE
 * RFC 4469 §5). The machine starts on each segment of an APPEND frame
 * (head = 1: "tag APPEND mailbox ..."; head = 0: the segment after a
 * streamed literal, the state taken from cmd->u.append: after a plain
 * message its UTF8 ")" then the next message or the end, after a TEXT
 * part the rest of the cat-part list) and pulls items until the segment
 * is used up:
 *   LITERAL  the segment ends with a literal announcement: a plain
 *            message (u.append.catenate 0) or a CATENATE TEXT part
 *            (catenate 1, part_kind TEXT, part); size/nonsync/binary set.
 *   PART     a cat-part whose value is in the text: a URL (part_kind URL,
 *            url) or, in a whole frame only, an inline TEXT literal (data).
 *   END      a CATENATE message's ")" (nparts: its parts).
 *   DONE     the command ended (the frame's last segment).
 * Each message start resets the per-message members (index counts
 * messages from 0, flags, date...). Negative status: a syntax error (err
 * filled, offset of the problem); no further step. Never recursive; the
 * parts of one message are bounded by MW_IMAP_SERVER_CATENATE_PARTS_MAX
 * (MW_E_LIMIT).
 */
enum {
    MW__IMAP_AP_LITERAL = 1,
    MW__IMAP_AP_PART = 2,
    MW__IMAP_AP_END = 3,
    MW__IMAP_AP_DONE = 4
};

typedef struct mw__imap_apstep {
    mw__imap_lex L;      /* position in the segment */
    mw__imap_arena *a;
    mw_imap_cmd *cmd;
    int phase;
} mw__imap_apstep;

int mw__imap_append_start(mw__imap_apstep *st, const char *p, size_t n,
                          size_t offset, mw__imap_arena *a, unsigned lexflags,
                          mw_imap_cmd *cmd, int head, mw_error *err);
int mw__imap_append_step(mw__imap_apstep *st, mw_error *err);

/*
 * The connection states in which a command is valid (RFC 9051 §6,
 * RFC 3501 §6): bits (1u << mw_imap_state). OTHER and unknown ids: 0
 * (the machine answers BAD). DONE is not a command of any state (IDLE
 * consumes it).
 */
int mw__imap_cmd_states(int id);

#endif
