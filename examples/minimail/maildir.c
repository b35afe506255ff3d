/* SPDX-License-Identifier: MIT */
/*
 * Maildir storage: delivery (tmp/, then rename into new/), snapshots for
 * readers with UIDs that survive restarts, and the CRLF wire size of a
 * message. See maildir.h for the rules; this file is plain POSIX file
 * handling and has nothing to do with mailwire itself.
 *
 * The .uidlist file is this program's own, deliberately simple format:
 *
 *     minimail-uidlist 1 <uidvalidity> <uidnext>
 *     <uid> <base name>
 *     ...
 *
 * where the base name is the file name up to its ':' (the part that does
 * not change when flags are set). It is rewritten (tmp file and rename)
 * whenever a snapshot finds a message it does not list.
 */
#if defined(__linux__)
#define _GNU_SOURCE /* syncfs(), for md_deliver_commit_all() */
#define MD_HAVE_SYNCFS 1
#else
#define _POSIX_C_SOURCE 200809L
#define MD_HAVE_SYNCFS 0
#endif

#include "maildir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

int md_fsync = 1; /* main.c may turn it off (--no-fsync) for benchmarks */

/* ====================================================================
 * Wire size
 * ==================================================================== */

void md_wire_init(md_wire *w)
{
    w->size = 0;
    w->last = -1;
}

/* A CRLF counts 2, and so does a bare LF or a bare CR: each becomes CRLF
 * on the wire (POP3 and IMAP send lines ended by CRLF). */
void md_wire_add(md_wire *w, const void *p, size_t n)
{
    const unsigned char *s = p;
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char b = s[i];
        if (w->last == '\r' && b != '\n')
            w->size++; /* the LF that completes a bare CR */
        if (b == '\n')
            w->size += w->last == '\r' ? 1u : 2u;
        else
            w->size++;
        w->last = b;
    }
}

/* A message whose last line has no line end gets one on the wire. */
uint64_t md_wire_end(const md_wire *w)
{
    if (w->last == '\r')
        return w->size + 1;
    if (w->last != -1 && w->last != '\n')
        return w->size + 2;
    return w->size;
}

/* ====================================================================
 * Folders and names
 * ==================================================================== */

static int mkdir_p(const char *path)
{
    char buf[MD_PATH_MAX];
    size_t i, n = strlen(path);
    if (n == 0 || n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0700) != 0 && errno != EEXIST)
                return -1;
            buf[i] = c;
        }
    }
    return 0;
}

int md_create(const char *dir)
{
    static const char *const sub[] = {"tmp", "new", "cur"};
    char p[MD_PATH_MAX];
    size_t i;
    if (mkdir_p(dir) != 0)
        return -1;
    for (i = 0; i < 3; i++) {
        if (snprintf(p, sizeof p, "%s/%s", dir, sub[i]) >= (int)sizeof p) {
            errno = ENAMETOOLONG;
            return -1;
        }
        if (mkdir(p, 0700) != 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

/* The host part of unique names: '/' and ':' are not allowed in it
 * (they would break the path or the info part), so anything but letters,
 * digits, '-' and '.' becomes '_'. */
static const char *host_part(void)
{
    static char host[40];
    size_t i;
    if (host[0] != '\0')
        return host;
    if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
        strcpy(host, "localhost");
    host[sizeof host - 1] = '\0';
    for (i = 0; host[i] != '\0'; i++) {
        char c = host[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '.'))
            host[i] = '_';
    }
    return host;
}

/* time.M<usec>P<pid>Q<counter><tag>.host: unique within this host as
 * long as the clock does not go back within the same process and second;
 * the O_EXCL open of each writer catches the rest. The microseconds are
 * zero-padded so that names sort in arrival order (UIDs are given in that
 * order). */
void md_unique_name(char *out, size_t cap, const char *tag)
{
    static unsigned long counter;
    static long pid; /* asked once: getpid() is a system call each time */
    struct timeval tv;
    if (pid == 0)
        pid = (long)getpid();
    gettimeofday(&tv, NULL);
    snprintf(out, cap, "%lld.M%06ldP%ldQ%lu%s.%s", (long long)tv.tv_sec,
             (long)tv.tv_usec, pid, ++counter, tag, host_part());
}

/* ====================================================================
 * Delivery
 * ==================================================================== */

int md_open_unique(const char *dir, const char *tag, char *name, size_t cap)
{
    char path[MD_PATH_MAX];
    int tries, fd;
    for (tries = 0; tries < 10; tries++) {
        md_unique_name(name, cap, tag);
        if (snprintf(path, sizeof path, "%s/tmp/%s", dir, name) >=
            (int)sizeof path) {
            errno = ENAMETOOLONG;
            break;
        }
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST)
            break;
    }
    name[0] = '\0';
    return -1;
}

int md_write_all(int fd, const void *p, size_t n)
{
    const char *s = p;
    while (n > 0) {
        ssize_t k = write(fd, s, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        s += k;
        n -= (size_t)k;
    }
    return 0;
}

int md_deliver_begin(md_delivery *d, const char *dir)
{
    memset(d, 0, sizeof *d);
    md_wire_init(&d->wire);
    d->dir = dir;
    d->fd = md_open_unique(dir, "", d->name, sizeof d->name);
    return d->fd >= 0 ? 0 : -1;
}

int md_deliver_write(md_delivery *d, const void *p, size_t n)
{
    if (d->fd < 0 || d->failed)
        return -1;
    md_wire_add(&d->wire, p, n);
    d->failed = md_write_all(d->fd, p, n);
    if (d->failed)
        return -1;
    d->bytes += n;
    return 0;
}

static int tmp_path(const md_delivery *d, char *out, size_t cap)
{
    return snprintf(out, cap, "%s/tmp/%s", d->dir, d->name) < (int)cap ? 0 : -1;
}

void md_deliver_abort(md_delivery *d)
{
    char p[MD_PATH_MAX];
    if (d->fd >= 0) {
        close(d->fd);
        d->fd = -1;
    }
    if (d->name[0] != '\0' && tmp_path(d, p, sizeof p) == 0)
        unlink(p);
    d->name[0] = '\0';
}

void md_sync_dir(const char *dir, const char *sub)
{
    char p[MD_PATH_MAX];
    int fd;
    if (!md_fsync || snprintf(p, sizeof p, "%s/%s", dir, sub) >= (int)sizeof p)
        return;
    fd = open(p, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int md_copy_file(const char *from, const char *to)
{
    char buf[65536];
    int in = open(from, O_RDONLY), out;
    ssize_t k;
    if (in < 0)
        return -1;
    out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (out < 0) {
        close(in);
        return -1;
    }
    while ((k = read(in, buf, sizeof buf)) > 0)
        if (md_write_all(out, buf, (size_t)k) != 0)
            goto fail;
    if (k < 0 || (md_fsync && fsync(out) != 0))
        goto fail;
    close(in);
    if (close(out) == 0)
        return 0;
    unlink(to);
    return -1;
fail:
    close(in);
    close(out);
    unlink(to);
    return -1;
}

/* Put a copy of the tmp file into another Maildir's new/. In a group
 * commit (`group`), a hard link needs no flush of its own: it is on the
 * file system of the message, which the group's syncfs() covers; a copy
 * (another file system) is flushed alone as usual. */
static int deliver_more(const md_delivery *d, const char *src,
                        const char *dir, uint64_t size, int group)
{
    int linked;
    char name[256], tmp[MD_PATH_MAX], dst[MD_PATH_MAX];
    md_unique_name(name, sizeof name, "");
    if (snprintf(tmp, sizeof tmp, "%s/tmp/%s", dir, name) >= (int)sizeof tmp ||
        snprintf(dst, sizeof dst, "%s/new/%s,S=%llu", dir, name,
                 (unsigned long long)size) >= (int)sizeof dst)
        return -1;
    (void)d;
    linked = link(src, tmp) == 0;
    if (!linked && md_copy_file(src, tmp) != 0)
        return -1;
    if (rename(tmp, dst) != 0) {
        unlink(tmp);
        return -1;
    }
    if (!group || !linked)
        md_sync_dir(dir, "new");
    return 0;
}

/* md_deliver_commit(); `group`: the file's data is already durable and
 * the caller makes the renames durable (md_deliver_commit_all). */
static int commit(md_delivery *d, const char *const *more, size_t nmore,
                  char *name_out, int group)
{
    char src[MD_PATH_MAX], dst[MD_PATH_MAX], final[MD_NAME_MAX];
    uint64_t size = md_wire_end(&d->wire);
    size_t i;
    int fd = d->fd;

    d->fd = -1;
    if (fd < 0 || d->failed || (md_fsync && !group && fsync(fd) != 0)) {
        if (fd >= 0)
            close(fd);
        md_deliver_abort(d);
        return -1;
    }
    if (close(fd) != 0 || tmp_path(d, src, sizeof src) != 0) {
        md_deliver_abort(d);
        return -1;
    }
    snprintf(final, sizeof final, "%s,S=%llu", d->name,
             (unsigned long long)size);
    if (snprintf(dst, sizeof dst, "%s/new/%s", d->dir, final) >=
        (int)sizeof dst) {
        md_deliver_abort(d);
        return -1;
    }
    /* The other recipients first, while the tmp file still exists. A
     * failure there is logged by the caller as a whole failure: the
     * message is refused with 451 and the client retries, so nobody
     * loses it (some may get it twice, which RFC 5321 §6.1 prefers to
     * losing it). */
    for (i = 0; i < nmore; i++)
        if (deliver_more(d, src, more[i], size, group) != 0) {
            md_deliver_abort(d);
            return -1;
        }
    if (rename(src, dst) != 0) {
        md_deliver_abort(d);
        return -1;
    }
    if (!group)
        md_sync_dir(d->dir, "new");
    if (name_out != NULL)
        memcpy(name_out, final, strlen(final) + 1);
    d->name[0] = '\0';
    return 0;
}

int md_deliver_commit(md_delivery *d, const char *const *more, size_t nmore,
                      char *name_out)
{
    return commit(d, more, nmore, name_out, 0);
}

#if MD_HAVE_SYNCFS
/* The file systems of one group commit: a descriptor kept open on each
 * (for the second syncfs(), after the tmp files are closed) and how its
 * first syncfs() went. Few: every Maildir of a server is usually on one. */
#define MD_GROUP_FS 8
typedef struct group_fs {
    dev_t dev;
    int fd;
    int err; /* errno of the first syncfs(), 0 if it worked */
} group_fs;

/* Which entry of fs[] the delivery's file system is, after making its
 * data durable (once per file system); -1 when fs[] is full or the
 * file cannot be looked at (the caller commits that one alone). */
static int group_sync(const md_delivery *d, group_fs *fs, size_t *nfs)
{
    struct stat st;
    size_t k;
    if (fstat(d->fd, &st) != 0)
        return -1;
    for (k = 0; k < *nfs; k++)
        if (fs[k].dev == st.st_dev)
            return (int)k;
    if (*nfs == MD_GROUP_FS)
        return -1;
    fs[k].dev = st.st_dev;
    fs[k].fd = dup(d->fd);
    if (fs[k].fd < 0)
        return -1;
    fs[k].err = syncfs(d->fd) == 0 ? 0 : errno;
    (*nfs)++;
    return (int)k;
}
#endif

void md_deliver_commit_all(md_commit *c, size_t n)
{
    size_t i;
#if MD_HAVE_SYNCFS
    if (md_fsync && n > 1) {
        group_fs fs[MD_GROUP_FS];
        size_t nfs = 0;
        /* 1. the data of every file, one syncfs() per file system */
        for (i = 0; i < n; i++) {
            md_delivery *d = c[i].d;
            int k;
            if (d->fd < 0 || d->failed) {
                c[i].result = commit(d, c[i].more, c[i].nmore, c[i].name_out, 0);
                continue;
            }
            k = group_sync(d, fs, &nfs);
            if (k < 0) /* alone, flushed as usual */
                c[i].result = commit(d, c[i].more, c[i].nmore, c[i].name_out, 0);
            else if (fs[k].err != 0) {
                d->failed = fs[k].err;
                c[i].result = commit(d, c[i].more, c[i].nmore, c[i].name_out, 0);
            } else
                c[i].result = 1; /* to rename below */
        }
        /* 2. into new/ */
        for (i = 0; i < n; i++)
            if (c[i].result == 1)
                c[i].result = commit(c[i].d, c[i].more, c[i].nmore,
                                     c[i].name_out, 1);
        /* 3. the renames: one more syncfs() per file system (its errors
         * are ignored as md_sync_dir() ignores those of fsync() on new/: the
         * message is in new/ by now) */
        for (i = 0; i < nfs; i++) {
            if (fs[i].err == 0 && syncfs(fs[i].fd) != 0) {
                /* nothing more to do: see above */
            }
            close(fs[i].fd);
        }
        return;
    }
#endif
    for (i = 0; i < n; i++)
        c[i].result = commit(c[i].d, c[i].more, c[i].nmore, c[i].name_out, 0);
}

/* ====================================================================
 * Snapshots
 * ==================================================================== */

typedef struct uid_entry {
    uint32_t uid;
    char *base;
} uid_entry;

static int cmp_entry_base(const void *a, const void *b)
{
    return strcmp(((const uid_entry *)a)->base, ((const uid_entry *)b)->base);
}

static int cmp_msg_uid(const void *a, const void *b)
{
    uint32_t x = ((const md_msg *)a)->uid, y = ((const md_msg *)b)->uid;
    return x < y ? -1 : x > y;
}

static int cmp_msg_file(const void *a, const void *b)
{
    return strcmp(((const md_msg *)a)->file, ((const md_msg *)b)->file);
}

size_t md_base_len(const char *file)
{
    const char *colon = strchr(file, ':');
    return colon != NULL ? (size_t)(colon - file) : strlen(file);
}

/* The ",S=<n>" our deliveries put in the base name, or -1. */
static int size_from_name(const char *file, uint64_t *size)
{
    size_t n = md_base_len(file), i;
    const char *s = NULL;
    for (i = 0; i + 3 <= n; i++)
        if (file[i] == ',' && file[i + 1] == 'S' && file[i + 2] == '=')
            s = file + i + 3;
    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    *size = 0;
    while (*s >= '0' && *s <= '9' && s < file + n) {
        *size = *size * 10u + (uint64_t)(*s - '0');
        s++;
    }
    return 0;
}

static int measure(const char *path, uint64_t *size)
{
    char buf[65536];
    md_wire w;
    ssize_t k;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    md_wire_init(&w);
    while ((k = read(fd, buf, sizeof buf)) > 0)
        md_wire_add(&w, buf, (size_t)k);
    close(fd);
    if (k < 0)
        return -1;
    *size = md_wire_end(&w);
    return 0;
}

/* new/X -> cur/X:2, (RFC-less but universal Maildir convention: a message
 * a reader has seen lives in cur/ with an info part). */
static void move_new(const char *dir)
{
    char from[MD_PATH_MAX], to[MD_PATH_MAX];
    DIR *dh;
    struct dirent *e;
    snprintf(from, sizeof from, "%s/new", dir);
    dh = opendir(from);
    if (dh == NULL)
        return;
    while ((e = readdir(dh)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (snprintf(from, sizeof from, "%s/new/%s", dir, e->d_name) >=
                (int)sizeof from ||
            snprintf(to, sizeof to, "%s/cur/%s%s", dir, e->d_name,
                     strchr(e->d_name, ':') ? "" : ":2,") >= (int)sizeof to)
            continue;
        rename(from, to);
    }
    closedir(dh);
}

static void free_entries(uid_entry *v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        free(v[i].base);
    free(v);
}

/* Read .uidlist; a missing or unreadable one starts a new UID space. */
static uid_entry *read_uidlist(const char *dir, size_t *n, uint32_t *validity,
                               uint32_t *next)
{
    char path[MD_PATH_MAX], line[1024];
    uid_entry *v = NULL;
    size_t cap = 0;
    unsigned long a, b;
    FILE *f;
    *n = 0;
    *validity = 0;
    *next = 1;
    snprintf(path, sizeof path, "%s/.uidlist", dir);
    f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    if (fgets(line, sizeof line, f) == NULL ||
        sscanf(line, "minimail-uidlist 1 %lu %lu", &a, &b) != 2 || a == 0 ||
        b == 0 || a > 0xFFFFFFFFul || b > 0xFFFFFFFFul) {
        fclose(f);
        return NULL;
    }
    *validity = (uint32_t)a;
    *next = (uint32_t)b;
    while (fgets(line, sizeof line, f) != NULL) {
        char *sp = strchr(line, ' '), *nl;
        unsigned long uid;
        if (sp == NULL)
            continue;
        *sp = '\0';
        uid = strtoul(line, NULL, 10);
        nl = strchr(sp + 1, '\n');
        if (nl != NULL)
            *nl = '\0';
        if (uid == 0 || uid >= *next)
            continue;
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            uid_entry *q = realloc(v, nc * sizeof *v);
            if (q == NULL)
                break;
            v = q;
            cap = nc;
        }
        v[*n].uid = (uint32_t)uid;
        v[*n].base = strdup(sp + 1);
        if (v[*n].base == NULL)
            break;
        (*n)++;
    }
    fclose(f);
    return v;
}

static int write_uidlist(const md_box *b)
{
    char path[MD_PATH_MAX], tmp[MD_PATH_MAX];
    FILE *f;
    size_t i;
    if (snprintf(path, sizeof path, "%s/.uidlist", b->dir) >= (int)sizeof path ||
        snprintf(tmp, sizeof tmp, "%s/.uidlist.tmp", b->dir) >= (int)sizeof tmp)
        return -1;
    f = fopen(tmp, "w");
    if (f == NULL)
        return -1;
    fprintf(f, "minimail-uidlist 1 %lu %lu\n", (unsigned long)b->uidvalidity,
            (unsigned long)b->uidnext);
    for (i = 0; i < b->count; i++)
        fprintf(f, "%lu %.*s\n", (unsigned long)b->msgs[i].uid,
                (int)md_base_len(b->msgs[i].file), b->msgs[i].file);
    if (fflush(f) != 0 || (md_fsync && fsync(fileno(f)) != 0)) {
        fclose(f);
        unlink(tmp);
        return -1;
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

int md_box_open(md_box *b, const char *dir)
{
    char path[MD_PATH_MAX];
    uid_entry *list;
    size_t nlist, cap = 0, i;
    int changed = 0;
    DIR *dh;
    struct dirent *e;

    memset(b, 0, sizeof *b);
    b->dir = dir;
    move_new(dir);

    snprintf(path, sizeof path, "%s/cur", dir);
    dh = opendir(path);
    if (dh == NULL)
        return -1;
    while ((e = readdir(dh)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (b->count == cap) {
            size_t nc = cap ? cap * 2 : 64;
            md_msg *q = realloc(b->msgs, nc * sizeof *q);
            if (q == NULL)
                break;
            b->msgs = q;
            cap = nc;
        }
        memset(&b->msgs[b->count], 0, sizeof b->msgs[b->count]);
        b->msgs[b->count].file = strdup(e->d_name);
        if (b->msgs[b->count].file == NULL)
            break;
        b->count++;
    }
    closedir(dh);

    list = read_uidlist(dir, &nlist, &b->uidvalidity, &b->uidnext);
    if (b->uidvalidity == 0) {
        b->uidvalidity = (uint32_t)time(NULL);
        b->uidnext = 1;
        changed = 1;
    }
    if (nlist > 1)
        qsort(list, nlist, sizeof *list, cmp_entry_base);
    /* Known messages keep their UID; new ones get the next UIDs in name
     * order, which for Maildir names (seconds first) is arrival order. */
    if (b->count > 1)
        qsort(b->msgs, b->count, sizeof *b->msgs, cmp_msg_file);
    for (i = 0; i < b->count; i++) {
        md_msg *m = &b->msgs[i];
        char base[512];
        size_t bl = md_base_len(m->file);
        uid_entry key, *hit;
        if (bl >= sizeof base)
            bl = sizeof base - 1;
        memcpy(base, m->file, bl);
        base[bl] = '\0';
        key.base = base;
        hit = nlist > 0 ? bsearch(&key, list, nlist, sizeof *list,
                                  cmp_entry_base)
                        : NULL;
        if (hit != NULL) {
            m->uid = hit->uid;
        } else {
            m->uid = b->uidnext++;
            changed = 1;
        }
        if (size_from_name(m->file, &m->size) != 0) {
            if (md_box_path(b, i, path, sizeof path) != 0 ||
                measure(path, &m->size) != 0)
                m->size = 0;
        }
    }
    if (nlist != b->count)
        changed = 1; /* messages went away: drop them from the list */
    free_entries(list, nlist);
    if (b->count > 1)
        qsort(b->msgs, b->count, sizeof *b->msgs, cmp_msg_uid);
    if (changed && write_uidlist(b) != 0)
        return -1;
    return 0;
}

int md_box_path(const md_box *b, size_t i, char *out, size_t cap)
{
    if (i >= b->count)
        return -1;
    return snprintf(out, cap, "%s/cur/%s", b->dir, b->msgs[i].file) <
                   (int)cap
               ? 0
               : -1;
}

int md_box_remove(md_box *b, size_t i)
{
    char p[MD_PATH_MAX];
    if (md_box_path(b, i, p, sizeof p) != 0)
        return -1;
    if (unlink(p) != 0 && errno != ENOENT)
        return -1;
    return 0;
}

void md_box_close(md_box *b)
{
    size_t i;
    for (i = 0; i < b->count; i++)
        free(b->msgs[i].file);
    free(b->msgs);
    b->msgs = NULL;
    b->count = 0;
}
