/* SPDX-License-Identifier: MIT */
/*
 * Maildir storage for minimail and mailfetch.
 *
 * Delivery follows the Maildir rules: a message is written under tmp/
 * with a unique name, flushed to disk, then renamed into new/, so a
 * reader never sees half a message. Nothing is held in memory: the
 * writer takes the message in chunks as they come off the wire.
 *
 * Reading (POP3 now, IMAP later) works on a snapshot of the mailbox
 * (md_box): new/ is moved to cur/ (the message has been seen by a mail
 * reader), every message gets a UID that stays the same across sessions,
 * kept in a small ".uidlist" file beside new/ and cur/, and messages are
 * listed in UID order, which is arrival order.
 *
 * Sizes are given as the message reads on the wire with CRLF line ends
 * (a bare LF or CR counts as CRLF): that is what POP3 LIST and IMAP
 * RFC822.SIZE must report. Delivered messages carry it in their file
 * name (",S=<size>", the convention Dovecot also uses); other files are
 * measured once when the snapshot is taken.
 */
#ifndef MINIMAIL_MAILDIR_H
#define MINIMAIL_MAILDIR_H

#include <stddef.h>
#include <stdint.h>

#define MD_PATH_MAX 4096
#define MD_NAME_MAX 256 /* a file name in new/ or cur/, with its NUL */

/* 1 (default): fsync each message and its folder before it counts as
 * delivered (RFC 5321 §6.1: a 250 is a promise). 0 for benchmarks. */
extern int md_fsync;

/* Create the Maildir (the folder and its tmp/, new/ and cur/), parents
 * included. Returns 0 or -1 (errno set). */
int md_create(const char *dir);

/* A new unique file name (see maildir.c) at out; `tag` ("" or a letter)
 * goes before the host part and tells which side of minimail wrote it. */
void md_unique_name(char *out, size_t cap, const char *tag);

/* Length of a Maildir file's base name: up to the ':' of its info part. */
size_t md_base_len(const char *file);

/* The file operations both writers of minimail share (the SMTP/LMTP
 * delivery here, IMAP APPEND/COPY in imap_store.c):
 * md_open_unique() creates DIR/tmp/<unique name> (O_EXCL, a few tries),
 * leaves the name at `name` and returns the descriptor, or -1 with errno
 * (name then ""); md_write_all() writes everything, retrying on EINTR,
 * and returns 0 or the errno of the failure; md_copy_file() copies a file
 * to a new one (flushed when md_fsync is on), removing it on failure, 0
 * or -1 (where a hard link cannot be made: another file system);
 * md_sync_dir() flushes DIR/SUB when md_fsync is on. */
int md_open_unique(const char *dir, const char *tag, char *name, size_t cap);
int md_write_all(int fd, const void *p, size_t n);
int md_copy_file(const char *from, const char *to);
void md_sync_dir(const char *dir, const char *sub);

/* Counts the size a message has on the wire (CRLF line ends) as its
 * bytes go by. Zero-initialise. */
typedef struct md_wire {
    uint64_t size;
    int last; /* the previous byte, -1 at the start */
} md_wire;
void md_wire_init(md_wire *w);
void md_wire_add(md_wire *w, const void *p, size_t n);
uint64_t md_wire_end(const md_wire *w);

/* ---- delivery ---- */

typedef struct md_delivery {
    int fd;                   /* -1 when not open */
    int failed;               /* a write failed: errno value */
    uint64_t bytes;           /* bytes written */
    md_wire wire;
    const char *dir;          /* the Maildir (the caller's string) */
    char name[200];           /* the unique name in tmp/ */
} md_delivery;

/* Open DIR/tmp/<unique>. `dir` must stay valid until commit or abort
 * (minimail keeps one string per user for the whole run, so a delivery
 * costs no copy of it). Returns 0 or -1 (errno set). */
int md_deliver_begin(md_delivery *d, const char *dir);
/* Append bytes. On a write error the delivery is marked failed (and the
 * bytes dropped) so that the caller can keep reading the message from the
 * wire and refuse it at its end. Returns 0 or -1. */
int md_deliver_write(md_delivery *d, const void *p, size_t n);
/* Flush to disk and move into new/ of the Maildir given to begin and of
 * each of `more` (extra recipients: a hard link, or a copy where links
 * are impossible). `name_out` (optional, MD_NAME_MAX bytes) receives the file
 * name in new/. Returns 0, or -1 (nothing delivered, tmp file removed). */
int md_deliver_commit(md_delivery *d, const char *const *more, size_t nmore,
                      char *name_out);
/* Give up: remove the tmp file. Safe to call on a closed delivery. */
void md_deliver_abort(md_delivery *d);

/* Group commit. With md_fsync on, md_deliver_commit() forces each message
 * to disk alone: a flush of the file, then one of new/, a few milliseconds
 * each, during which a one-thread server serves nobody. A server with
 * many sessions collects the messages that ended at about the same time
 * and commits them together: on Linux one syncfs() per file system makes
 * every file's data durable, each is renamed into new/, and one more
 * syncfs() makes the renames durable (two flushes for the lot, whatever
 * their number). syncfs() also writes out other programs' dirty data on
 * that file system: on a busy shared disk a batch costs more. Elsewhere,
 * with md_fsync off, or for a batch of one, it is md_deliver_commit() for
 * each. Either way each item's result is md_deliver_commit()'s. */
typedef struct md_commit {
    md_delivery *d;          /* in: a delivery written to its end */
    const char *const *more; /* in: other recipients' Maildirs, as for */
    size_t nmore;            /*     md_deliver_commit() */
    char *name_out;          /* in: MD_NAME_MAX bytes, or NULL */
    int result;              /* out: 0 delivered, -1 not (tmp removed) */
} md_commit;
void md_deliver_commit_all(md_commit *c, size_t n);

/* ---- reading ---- */

typedef struct md_msg {
    char *file;       /* the file name in cur/ */
    uint32_t uid;     /* stable across sessions (.uidlist) */
    uint64_t size;    /* on the wire, CRLF line ends */
    int deleted;      /* marked by the session (POP3 DELE) */
} md_msg;

typedef struct md_box {
    const char *dir;  /* the Maildir (the caller's string, kept) */
    md_msg *msgs;     /* in UID order */
    size_t count;
    uint32_t uidvalidity;
    uint32_t uidnext;
} md_box;

/* Take a snapshot of a Maildir: move new/ to cur/, assign UIDs (and write
 * .uidlist when new ones were given), measure sizes. `dir` must outlive
 * the snapshot. Returns 0 or -1. */
int md_box_open(md_box *b, const char *dir);
/* The path of message i (0-based) into `out`. Returns 0, -1 if too long. */
int md_box_path(const md_box *b, size_t i, char *out, size_t cap);
/* Remove message i from the disk (POP3 UPDATE, IMAP EXPUNGE). Returns 0
 * or -1; a message already gone counts as removed. */
int md_box_remove(md_box *b, size_t i);
void md_box_close(md_box *b);

#endif /* MINIMAIL_MAILDIR_H */
