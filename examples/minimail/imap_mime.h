/* SPDX-License-Identifier: MIT */
/*
 * minimail's IMAP view of one stored message: its bytes as IMAP sends
 * them, its MIME structure, and what FETCH and SEARCH ask about it.
 *
 * - Wire form. IMAP counts and sends a message with CRLF line ends
 *   (RFC822.SIZE, BODY[] and every section offset). Files minimail
 *   writes already are in that form and are read as they are; any other
 *   file (bare LF from another program) is converted on the fly, the
 *   same way maildir.c counts its size.
 * - Structure. One pass over the message finds the header and body of
 *   every MIME part (RFC 2045, RFC 2046 §5.1 boundaries, message/rfc822
 *   parts, RFC 2046 §5.1.5 digest defaults) with an explicit stack, no
 *   recursion, bounded depth and part count. Header fields are read with
 *   mailwire's RFC 5322 parser (hdr_split.h, hdr_mime.h, hdr_address.h).
 * - Answers. ENVELOPE and BODYSTRUCTURE as the mw_imap_envelope and
 *   mw_imap_body values the server machine formats; the byte range of a
 *   BODY[section] (RFC 9051 §6.4.5 part numbering); HEADER.FIELDS
 *   subsets; the header fields and body text SEARCH looks at.
 *
 * Nothing here holds a message in memory: bodies are read in chunks.
 * Only header blocks are kept (bounded).
 */
#ifndef MINIMAIL_IMAP_MIME_H
#define MINIMAIL_IMAP_MIME_H

#include <mailwire/mailwire.h>

#include <stddef.h>
#include <stdint.h>

#if MW_ENABLE_IMAP_SERVER && MW_ENABLE_HDR

/* ---- memory for one answer (freed all at once) ---- */

typedef struct mm_arena {
    struct mm_chunk *head;
} mm_arena;

void *mm_alloc(mm_arena *a, size_t n);                 /* zeroed; NULL if out */
char *mm_strndup(mm_arena *a, const char *s, size_t n); /* NUL bytes made ' ' */
void mm_arena_free(mm_arena *a);

/* ---- a message file in wire form ---- */

typedef struct mm_msg {
    int fd;
    uint64_t fsize; /* bytes in the file */
    uint64_t size;  /* bytes in wire form (RFC822.SIZE) */
    int pure;       /* the file is its wire form */
} mm_msg;

/* Open a message. `wire_size` is its CRLF size as the file name says;
 * when the file's size differs, the file is not in wire form and is
 * measured (m->size is then the true wire size). Returns 0 or -1. */
int mm_msg_open(mm_msg *m, const char *path, uint64_t wire_size);
void mm_msg_close(mm_msg *m);

/* Reading the wire form from any offset, in chunks. */
typedef struct mm_reader {
    const mm_msg *m;
    uint64_t woff;       /* wire offset of the next byte given out */
    uint64_t foff;       /* file offset of the next byte read */
    int last;            /* the previous file byte (-1 at the start) */
    char pend[3];        /* bytes produced but not given out yet */
    size_t npend;
    int ended;           /* the line end added at the end is produced */
    size_t inpos, inlen; /* unconverted file bytes in `in` */
    char in[16384];
} mm_reader;

/* Position at wire offset `off` (a file not in wire form is converted
 * from its start up to there). Returns 0 or -1. */
int mm_reader_start(mm_reader *r, const mm_msg *m, uint64_t off);
/* Up to `cap` bytes: > 0 bytes, 0 at the end, -1 on an error. */
long mm_reader_read(mm_reader *r, char *out, size_t cap);

/* ---- structure ---- */

typedef struct mm_part {
    uint64_t hstart, bstart, end; /* header, body, end: wire offsets */
    uint64_t lines;               /* lines of the body */
    char *hdr;                    /* the header block (bounded copy) */
    size_t hlen, hcap;
    int kind;        /* MW_IMAP_BODY_MULTIPART / _MESSAGE / other */
    int parent;      /* index of the enclosing part, -1 for the root */
    int first, last; /* children (a message part: the message inside) */
    int next;        /* next sibling */
    unsigned depth;
    /* while walking */
    int state;
    int digest;      /* multipart/digest: parts default to message/rfc822 */
    char *boundary;
} mm_part;

typedef struct mm_mime {
    mm_part *parts; /* parts[0] is the whole message */
    size_t n, cap;
    uint64_t size;
    size_t kept;    /* header bytes kept, all parts */
} mm_mime;

/* One pass over the message. Returns 0 or -1 (out of memory, read
 * error). */
int mm_mime_parse(mm_mime *mi, const mm_msg *m);
/* Only the top header (parts[0], its body taken as one opaque part):
 * enough for ENVELOPE and the HEADER, TEXT and HEADER.FIELDS sections of
 * the message, without reading its body. Returns 0 or -1. */
int mm_mime_header(mm_mime *mi, const mm_msg *m);
void mm_mime_free(mm_mime *mi);

/* ENVELOPE of the root message (or of part `i` when it is a message
 * inside a message/rfc822 part), built in `a`. */
int mm_envelope(const mm_mime *mi, int i, mm_arena *a, mw_imap_envelope *env);

/* BODYSTRUCTURE (ext 1) or BODY (ext 0) of the message, built in `a`. */
int mm_bodystructure(const mm_mime *mi, mm_arena *a, const mw_imap_body **out);

/* What a BODY[section] names: a byte range, or a header to filter
 * (HEADER.FIELDS, *hdr_filter set, the range is that header). Returns 0,
 * or -1 when the section does not exist in this message. */
int mm_section(const mm_mime *mi, const uint32_t *parts, size_t nparts,
               int section, uint64_t *start, uint64_t *end, int *hdr_filter);

/* The HEADER.FIELDS (.NOT with `not`) subset of the header at
 * [start, end): the matching fields and a final empty line, in a malloc'd
 * buffer. Returns 0 or -1. */
int mm_header_fields(const mm_msg *m, uint64_t start, uint64_t end,
                     const mw_span *names, size_t nnames, int not,
                     char **out, size_t *outlen);

/* ---- SEARCH ---- */

/* The top header block of a message (up to its empty line, at most
 * 1 MB), malloc'd. Returns 0 or -1. */
int mm_read_header(const mm_msg *m, char **blk, size_t *len);
/* Whether a field named `name` (any case) has `needle` in its unfolded
 * value, ASCII case-insensitively; an empty needle matches any such
 * field. */
int mm_header_has(const char *blk, size_t len, const char *name,
                  size_t nlen, const char *needle, size_t n);
/* Whether the wire bytes from `from` on hold `needle` (ASCII
 * case-insensitive), read in chunks. 1 yes, 0 no, -1 error. */
int mm_text_has(const mm_msg *m, uint64_t from, const char *needle, size_t n);
/* The Date: field of a header block as a date (year, month, day as
 * written, RFC 9051 §6.4.4 SENT* keys). Returns 0, -1 when absent or
 * invalid. */
int mm_sent_date(const char *blk, size_t len, int *year, int *month, int *day);

#endif /* MW_ENABLE_IMAP_SERVER && MW_ENABLE_HDR */

#endif /* MINIMAIL_IMAP_MIME_H */
