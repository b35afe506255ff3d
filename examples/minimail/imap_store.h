/* SPDX-License-Identifier: MIT */
/*
 * minimail's IMAP mailboxes on Maildir: folders, message flags in file
 * names, snapshots with UIDs, and the file operations behind APPEND,
 * COPY, MOVE, STORE and EXPUNGE. Plain POSIX file handling; mailwire is
 * not used here (imap_session.c is where the IMAP machine works).
 *
 * Layout (the Maildir++ convention, as Dovecot and Courier use it):
 *
 *   DIR/NAME/              INBOX of user NAME (cur/ new/ tmp/)
 *   DIR/NAME/.Sent/        the folder "Sent"
 *   DIR/NAME/.Lists.ietf/  the folder "Lists.ietf" ("." is the IMAP
 *                          hierarchy delimiter)
 *   DIR/NAME/subscriptions one subscribed folder name per line
 *
 * Folder names are kept in UTF-8 on disk. A message's flags are the
 * letters after ":2," in its file name in cur/ (D Draft, F Flagged,
 * R Replied = \Answered, S Seen, T Trashed = \Deleted; other letters are
 * kept as they are). UIDs come from maildir.c's .uidlist (md_box_open),
 * which also moves new/ into cur/: a message found in new/ is \Recent
 * for the session whose snapshot moved it.
 */
#ifndef MINIMAIL_IMAP_STORE_H
#define MINIMAIL_IMAP_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "maildir.h"

/* Flag bits: the values of mailwire's MW_IMAP_FLAG_* (imap.h). */
#define ST_SEEN 0x01u
#define ST_ANSWERED 0x02u
#define ST_FLAGGED 0x04u
#define ST_DELETED 0x08u
#define ST_DRAFT 0x10u
#define ST_RECENT 0x20u /* session only, never in a file name */
#define ST_STORED (ST_SEEN | ST_ANSWERED | ST_FLAGGED | ST_DELETED | ST_DRAFT)

/* The longest folder name we accept (UTF-8 bytes). */
#define ST_NAME_MAX 200

/* One message of a snapshot. */
typedef struct st_msg {
    char *file;       /* its name in cur/, info part included */
    uint32_t uid;
    uint64_t size;    /* with CRLF line ends (RFC822.SIZE) */
    unsigned flags;   /* ST_* */
} st_msg;

/* A snapshot of a folder, messages in UID order. */
typedef struct st_snap {
    st_msg *msgs;
    size_t count;
    uint32_t uidvalidity;
    uint32_t uidnext;
} st_snap;

/* Whether `name` (UTF-8, len bytes) may be a folder: 1..ST_NAME_MAX bytes,
 * no '/', '\\', '*', '%' or control character, no empty level (so no
 * "." or ".." either), not starting or ending with the delimiter. INBOX
 * is not a folder name here. */
int st_name_ok(const char *name, size_t len);

/* The Maildir of a folder: the user's Maildir for INBOX (inbox != 0),
 * else user/.name. Returns 0, or -1 when the name is not acceptable or
 * too long. */
int st_folder_dir(const char *userdir, const char *name, size_t len,
                  int inbox, char *out, size_t cap);

/* Whether a Maildir exists (has cur/). */
int st_exists(const char *dir);

/* Every folder of a user (INBOX first, then the others sorted), as
 * malloc'd UTF-8 names in a malloc'd array. Returns 0 or -1. */
int st_list(const char *userdir, char ***names, size_t *count);
void st_free_names(char **names, size_t count);

/* Create, delete, rename folders (not INBOX). Return 0, or -1 with errno:
 * EEXIST (exists), ENOENT (no such folder), ENOTEMPTY (has children,
 * for delete), EINVAL (bad name). */
int st_create(const char *userdir, const char *name);
int st_delete(const char *userdir, const char *name);
int st_rename(const char *userdir, const char *from, const char *to);

/* Subscriptions (LSUB): load the list, or add/remove one name. */
int st_subs_load(const char *userdir, char ***names, size_t *count);
int st_subs_set(const char *userdir, const char *name, int subscribe);

/* A snapshot of a Maildir (see the top of the file). `recent`, when not
 * NULL, receives how many messages this call moved out of new/; their
 * ST_RECENT bit is set. Returns 0 or -1. */
int st_snapshot(const char *dir, st_snap *snap, size_t *recent);
void st_snap_free(st_snap *snap);

/* The flags of a file name (its ":2," info part). */
unsigned st_flags_of(const char *file);

/* Path of a message file. Returns 0, -1 if too long. */
int st_path(const char *dir, const char *file, char *out, size_t cap);

/* Rename cur/FILE so that its info part holds `flags` (ST_STORED bits;
 * letters we do not know are kept). On success *file is replaced (the
 * old string freed). Returns 0 or -1 (errno). */
int st_set_flags(const char *dir, char **file, unsigned flags);

/* The internal date of a message: its file's modification time. */
time_t st_date(const char *dir, const char *file);

/* ---- new messages: APPEND, COPY, MOVE ---- */

/* A message being written to DIR/tmp (APPEND), then renamed into
 * DIR/cur with its flags once the whole command succeeded. */
typedef struct st_writer {
    int fd;
    int failed;        /* errno of a failed write, or 0 */
    md_wire wire;      /* CRLF size of what was written */
    char dir[MD_PATH_MAX];
    char name[128];    /* the unique name in tmp/ */
} st_writer;

int st_writer_begin(st_writer *w, const char *dir);
int st_writer_write(st_writer *w, const void *p, size_t n);
/* Flush to disk and close; the file stays in tmp/. Returns 0 or -1. */
int st_writer_close(st_writer *w);
/* Move the closed file into cur/ with `flags` and modification time
 * `mtime` (0: leave it). `base` (at least 200 bytes) receives the base
 * name (the part before ':'), by which its UID is found in the next
 * snapshot. Returns 0 or -1. */
int st_writer_commit(st_writer *w, unsigned flags, time_t mtime, char *base);
/* Remove the file (open or closed, not committed). */
void st_writer_abort(st_writer *w);

/* Put a copy of message `m` of `srcdir` into `dstdir`/cur with `flags`
 * (a hard link; a copy of the bytes where links are impossible). With
 * `move`, the file is renamed instead (the source is gone). `base`
 * receives the new base name. Returns 0 or -1. */
int st_copy(const char *srcdir, const st_msg *m, const char *dstdir,
            unsigned flags, int move, char *base);

#endif /* MINIMAIL_IMAP_STORE_H */
