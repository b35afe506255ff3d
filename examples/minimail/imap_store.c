/* SPDX-License-Identifier: MIT */
/*
 * minimail's IMAP mailboxes on Maildir (see imap_store.h for the layout
 * and the rules). Everything here is POSIX file handling: folders are
 * directories, flags are letters in file names, a copy is a hard link,
 * and every new file is written under tmp/ and renamed into cur/, so
 * that no reader ever sees half a message.
 */
#define _POSIX_C_SOURCE 200809L

#include "imap_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* ====================================================================
 * Names
 * ==================================================================== */

int st_name_ok(const char *name, size_t len)
{
    size_t i, level = 0;
    if (len == 0 || len > ST_NAME_MAX)
        return 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        /* '/' and '\\' would make paths; '*' and '%' are LIST's
         * wildcards (RFC 9051 §5.1: names SHOULD NOT hold them) */
        if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '*' ||
            c == '%')
            return 0;
        if (c == '.') {
            /* an empty level ("a..b", ".a", "a."), or "." and ".." as
             * levels, cannot be a directory name part */
            if (level == 0)
                return 0;
            level = 0;
            continue;
        }
        level++;
    }
    if (level == 0)
        return 0;
    /* "INBOX" in any case is INBOX, never a folder of that name */
    if (len == 5 && strncasecmp(name, "INBOX", 5) == 0)
        return 0;
    return 1;
}

int st_folder_dir(const char *userdir, const char *name, size_t len,
                  int inbox, char *out, size_t cap)
{
    if (inbox)
        return snprintf(out, cap, "%s", userdir) < (int)cap ? 0 : -1;
    if (!st_name_ok(name, len))
        return -1;
    return snprintf(out, cap, "%s/.%.*s", userdir, (int)len, name) < (int)cap
               ? 0
               : -1;
}

int st_exists(const char *dir)
{
    char p[MD_PATH_MAX];
    struct stat st;
    if (snprintf(p, sizeof p, "%s/cur", dir) >= (int)sizeof p)
        return 0;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int st_path(const char *dir, const char *file, char *out, size_t cap)
{
    return snprintf(out, cap, "%s/cur/%s", dir, file) < (int)cap ? 0 : -1;
}

/* ====================================================================
 * Flags in file names (the Maildir "info" part, ":2," then letters in
 * ASCII order)
 * ==================================================================== */

static const struct {
    char letter;
    unsigned flag;
} letters[] = {{'D', ST_DRAFT},
               {'F', ST_FLAGGED},
               {'R', ST_ANSWERED},
               {'S', ST_SEEN},
               {'T', ST_DELETED}};
#define NLETTERS (sizeof letters / sizeof letters[0])

static unsigned letter_flag(char c)
{
    size_t i;
    for (i = 0; i < NLETTERS; i++)
        if (letters[i].letter == c)
            return letters[i].flag;
    return 0;
}

unsigned st_flags_of(const char *file)
{
    const char *info = strstr(file, ":2,");
    unsigned f = 0;
    if (info == NULL)
        return 0;
    for (info += 3; *info != '\0'; info++)
        f |= letter_flag(*info);
    return f;
}

/* The info letters for `flags`, keeping the letters of `old_info` that
 * are not ours (P passed, lowercase keywords of other programs), in
 * ASCII order as the convention asks. */
static void info_letters(unsigned flags, const char *old_info, char *out,
                         size_t cap)
{
    char have[128];
    size_t i, k = 0;
    memset(have, 0, sizeof have);
    if (old_info != NULL)
        for (; *old_info != '\0'; old_info++) {
            unsigned char c = (unsigned char)*old_info;
            if (c < 128 && c > ' ' && letter_flag((char)c) == 0)
                have[c] = 1;
        }
    for (i = 0; i < NLETTERS; i++)
        if (flags & letters[i].flag)
            have[(unsigned char)letters[i].letter] = 1;
    for (i = 33; i < 128 && k + 1 < cap; i++)
        if (have[i])
            out[k++] = (char)i;
    out[k] = '\0';
}

int st_set_flags(const char *dir, char **file, unsigned flags)
{
    char from[MD_PATH_MAX], to[MD_PATH_MAX], info[64], *name;
    const char *old = strstr(*file, ":2,");
    size_t bl = md_base_len(*file);
    int n;
    info_letters(flags & ST_STORED, old != NULL ? old + 3 : NULL, info,
                 sizeof info);
    n = snprintf(to, sizeof to, "%s/cur/%.*s:2,%s", dir, (int)bl, *file, info);
    if (n < 0 || n >= (int)sizeof to || st_path(dir, *file, from, sizeof from))
        return -1;
    if (strcmp(from, to) == 0)
        return 0;
    if (rename(from, to) != 0)
        return -1;
    name = strdup(strrchr(to, '/') + 1);
    if (name == NULL)
        return -1; /* renamed; the next snapshot finds the new name */
    free(*file);
    *file = name;
    return 0;
}

time_t st_date(const char *dir, const char *file)
{
    char p[MD_PATH_MAX];
    struct stat st;
    if (st_path(dir, file, p, sizeof p) != 0 || stat(p, &st) != 0)
        return 0;
    return st.st_mtime;
}

/* ====================================================================
 * Snapshots
 * ==================================================================== */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in DIR/new right now (they become \Recent for whoever moves
 * them). */
static char **new_names(const char *dir, size_t *n)
{
    char p[MD_PATH_MAX];
    char **v = NULL;
    size_t cap = 0;
    DIR *dh;
    struct dirent *e;
    *n = 0;
    if (snprintf(p, sizeof p, "%s/new", dir) >= (int)sizeof p)
        return NULL;
    dh = opendir(p);
    if (dh == NULL)
        return NULL;
    while ((e = readdir(dh)) != NULL) {
        char **q;
        if (e->d_name[0] == '.')
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            q = realloc(v, cap * sizeof *v);
            if (q == NULL)
                break;
            v = q;
        }
        v[*n] = strdup(e->d_name);
        if (v[*n] == NULL)
            break;
        v[*n][md_base_len(v[*n])] = '\0';
        (*n)++;
    }
    closedir(dh);
    if (*n > 1)
        qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

int st_snapshot(const char *dir, st_snap *snap, size_t *recent)
{
    md_box box;
    size_t nnew, i;
    char **fresh = new_names(dir, &nnew);
    int rc = md_box_open(&box, dir);

    memset(snap, 0, sizeof *snap);
    if (recent != NULL)
        *recent = 0;
    if (rc == 0 && box.count > 0) {
        snap->msgs = calloc(box.count, sizeof *snap->msgs);
        if (snap->msgs == NULL)
            rc = -1;
    }
    if (rc == 0) {
        snap->count = box.count;
        snap->uidvalidity = box.uidvalidity;
        snap->uidnext = box.uidnext;
        for (i = 0; i < box.count; i++) {
            st_msg *m = &snap->msgs[i];
            m->file = box.msgs[i].file; /* taken over */
            box.msgs[i].file = NULL;
            m->uid = box.msgs[i].uid;
            m->size = box.msgs[i].size;
            m->flags = st_flags_of(m->file);
            if (nnew > 0) {
                char base[MD_NAME_MAX];
                char *key = base;
                size_t bl = md_base_len(m->file);
                if (bl >= sizeof base)
                    continue;
                memcpy(base, m->file, bl);
                base[bl] = '\0';
                if (bsearch(&key, fresh, nnew, sizeof *fresh, cmp_str)) {
                    m->flags |= ST_RECENT;
                    if (recent != NULL)
                        (*recent)++;
                }
            }
        }
    }
    md_box_close(&box);
    for (i = 0; i < nnew; i++)
        free(fresh[i]);
    free(fresh);
    return rc;
}

void st_snap_free(st_snap *snap)
{
    size_t i;
    for (i = 0; i < snap->count; i++)
        free(snap->msgs[i].file);
    free(snap->msgs);
    memset(snap, 0, sizeof *snap);
}

/* ====================================================================
 * Folders
 * ==================================================================== */

void st_free_names(char **names, size_t count)
{
    size_t i;
    for (i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

static int push_name(char ***v, size_t *n, size_t *cap, const char *s,
                     size_t len)
{
    char *copy;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        char **q = realloc(*v, nc * sizeof **v);
        if (q == NULL)
            return -1;
        *v = q;
        *cap = nc;
    }
    copy = malloc(len + 1);
    if (copy == NULL)
        return -1;
    memcpy(copy, s, len);
    copy[len] = '\0';
    (*v)[(*n)++] = copy;
    return 0;
}

int st_list(const char *userdir, char ***names, size_t *count)
{
    char p[MD_PATH_MAX];
    char **v = NULL;
    size_t n = 0, cap = 0;
    DIR *dh;
    struct dirent *e;
    *names = NULL;
    *count = 0;
    if (push_name(&v, &n, &cap, "INBOX", 5) != 0)
        return -1;
    dh = opendir(userdir);
    if (dh == NULL) {
        st_free_names(v, n);
        return -1;
    }
    while ((e = readdir(dh)) != NULL) {
        const char *nm = e->d_name;
        if (nm[0] != '.' || !st_name_ok(nm + 1, strlen(nm + 1)))
            continue;
        if (snprintf(p, sizeof p, "%s/%s", userdir, nm) >= (int)sizeof p ||
            !st_exists(p))
            continue;
        if (push_name(&v, &n, &cap, nm + 1, strlen(nm + 1)) != 0)
            break;
    }
    closedir(dh);
    if (n > 2)
        qsort(v + 1, n - 1, sizeof *v, cmp_str);
    *names = v;
    *count = n;
    return 0;
}

/* Whether some folder lies below `name` ("name." prefix). */
static int has_children(const char *userdir, const char *name)
{
    char **v;
    size_t n, i, len = strlen(name);
    int found = 0;
    if (st_list(userdir, &v, &n) != 0)
        return 0;
    for (i = 1; i < n; i++)
        if (strncmp(v[i], name, len) == 0 && v[i][len] == '.')
            found = 1;
    st_free_names(v, n);
    return found;
}

int st_create(const char *userdir, const char *name)
{
    char dir[MD_PATH_MAX], p[MD_PATH_MAX];
    int fd;
    if (st_folder_dir(userdir, name, strlen(name), 0, dir, sizeof dir) != 0) {
        errno = EINVAL;
        return -1;
    }
    if (st_exists(dir)) {
        errno = EEXIST;
        return -1;
    }
    if (md_create(dir) != 0)
        return -1;
    /* Maildir++: a file that says "this is a folder, not a user's root" */
    if (snprintf(p, sizeof p, "%s/maildirfolder", dir) < (int)sizeof p &&
        (fd = open(p, O_WRONLY | O_CREAT, 0600)) >= 0)
        close(fd);
    return 0;
}

/* Remove every file of one folder of a Maildir (cur, new or tmp). */
static int empty_sub(const char *dir, const char *sub)
{
    char p[MD_PATH_MAX];
    DIR *dh;
    struct dirent *e;
    int rc = 0;
    if (snprintf(p, sizeof p, "%s/%s", dir, sub) >= (int)sizeof p)
        return -1;
    dh = opendir(p);
    if (dh == NULL)
        return errno == ENOENT ? 0 : -1;
    while ((e = readdir(dh)) != NULL) {
        char f[MD_PATH_MAX];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (snprintf(f, sizeof f, "%s/%s", p, e->d_name) >= (int)sizeof f ||
            unlink(f) != 0)
            rc = -1;
    }
    closedir(dh);
    return rmdir(p) == 0 ? rc : -1;
}

int st_delete(const char *userdir, const char *name)
{
    static const char *const extra[] = {".uidlist", ".uidlist.tmp",
                                        "maildirfolder"};
    char dir[MD_PATH_MAX], p[MD_PATH_MAX];
    size_t i;
    if (st_folder_dir(userdir, name, strlen(name), 0, dir, sizeof dir) != 0) {
        errno = EINVAL;
        return -1;
    }
    if (!st_exists(dir)) {
        errno = ENOENT;
        return -1;
    }
    if (has_children(userdir, name)) {
        errno = ENOTEMPTY;
        return -1;
    }
    if (empty_sub(dir, "cur") != 0 || empty_sub(dir, "new") != 0 ||
        empty_sub(dir, "tmp") != 0)
        return -1;
    for (i = 0; i < sizeof extra / sizeof extra[0]; i++)
        if (snprintf(p, sizeof p, "%s/%s", dir, extra[i]) < (int)sizeof p)
            unlink(p);
    st_subs_set(userdir, name, 0);
    return rmdir(dir);
}

int st_rename(const char *userdir, const char *from, const char *to)
{
    char a[MD_PATH_MAX], b[MD_PATH_MAX];
    char **v;
    size_t n, i, flen = strlen(from);
    if (st_folder_dir(userdir, from, flen, 0, a, sizeof a) != 0 ||
        st_folder_dir(userdir, to, strlen(to), 0, b, sizeof b) != 0) {
        errno = EINVAL;
        return -1;
    }
    if (!st_exists(a)) {
        errno = ENOENT;
        return -1;
    }
    if (st_exists(b)) {
        errno = EEXIST;
        return -1;
    }
    if (rename(a, b) != 0)
        return -1;
    /* the folders below it move along (RFC 9051 §6.3.6) */
    if (st_list(userdir, &v, &n) != 0)
        return 0;
    for (i = 1; i < n; i++) {
        if (strncmp(v[i], from, flen) != 0 || v[i][flen] != '.')
            continue;
        if (snprintf(a, sizeof a, "%s/.%s", userdir, v[i]) < (int)sizeof a &&
            snprintf(b, sizeof b, "%s/.%s%s", userdir, to, v[i] + flen) <
                (int)sizeof b)
            rename(a, b);
    }
    st_free_names(v, n);
    return 0;
}

/* ====================================================================
 * Subscriptions
 * ==================================================================== */

int st_subs_load(const char *userdir, char ***names, size_t *count)
{
    char p[MD_PATH_MAX], line[ST_NAME_MAX + 8];
    size_t cap = 0;
    FILE *f;
    *names = NULL;
    *count = 0;
    if (snprintf(p, sizeof p, "%s/subscriptions", userdir) >= (int)sizeof p)
        return -1;
    f = fopen(p, "r");
    if (f == NULL)
        return errno == ENOENT ? 0 : -1;
    while (fgets(line, sizeof line, f) != NULL) {
        size_t n = strcspn(line, "\r\n");
        if (n > 0 && push_name(names, count, &cap, line, n) != 0)
            break;
    }
    fclose(f);
    return 0;
}

int st_subs_set(const char *userdir, const char *name, int subscribe)
{
    char p[MD_PATH_MAX], tmp[MD_PATH_MAX];
    char **v;
    size_t n, i;
    int found = 0, rc = 0;
    FILE *f;
    if (st_subs_load(userdir, &v, &n) != 0)
        return -1;
    for (i = 0; i < n; i++)
        if (strcmp(v[i], name) == 0)
            found = 1;
    if (found == subscribe) {
        st_free_names(v, n);
        return 0;
    }
    if (snprintf(p, sizeof p, "%s/subscriptions", userdir) >= (int)sizeof p ||
        snprintf(tmp, sizeof tmp, "%s/subscriptions.tmp", userdir) >=
            (int)sizeof tmp ||
        (f = fopen(tmp, "w")) == NULL) {
        st_free_names(v, n);
        return -1;
    }
    for (i = 0; i < n; i++)
        if (strcmp(v[i], name) != 0)
            fprintf(f, "%s\n", v[i]);
    if (subscribe)
        fprintf(f, "%s\n", name);
    if (fclose(f) != 0 || rename(tmp, p) != 0) {
        unlink(tmp);
        rc = -1;
    }
    st_free_names(v, n);
    return rc;
}

/* ====================================================================
 * New messages
 * ==================================================================== */

static void set_mtime(const char *path, time_t t)
{
    struct timespec ts[2];
    if (t == 0)
        return;
    ts[0].tv_sec = t;
    ts[0].tv_nsec = 0;
    ts[1] = ts[0];
    utimensat(AT_FDCWD, path, ts, 0);
}

int st_writer_begin(st_writer *w, const char *dir)
{
    memset(w, 0, sizeof *w);
    md_wire_init(&w->wire);
    if (snprintf(w->dir, sizeof w->dir, "%s", dir) >= (int)sizeof w->dir) {
        w->fd = -1;
        errno = ENAMETOOLONG;
        return -1;
    }
    w->fd = md_open_unique(dir, "I", w->name, sizeof w->name);
    return w->fd >= 0 ? 0 : -1;
}

int st_writer_write(st_writer *w, const void *p, size_t n)
{
    if (w->fd < 0 || w->failed)
        return -1;
    md_wire_add(&w->wire, p, n);
    w->failed = md_write_all(w->fd, p, n);
    return w->failed ? -1 : 0;
}

int st_writer_close(st_writer *w)
{
    int fd = w->fd, rc = 0;
    w->fd = -1;
    if (fd < 0)
        return -1;
    if (w->failed || (md_fsync && fsync(fd) != 0))
        rc = -1;
    if (close(fd) != 0)
        rc = -1;
    return rc;
}

int st_writer_commit(st_writer *w, unsigned flags, time_t mtime, char *base)
{
    char from[MD_PATH_MAX], to[MD_PATH_MAX], info[64];
    int n;
    if (w->name[0] == '\0' || w->fd >= 0 || w->failed)
        return -1;
    info_letters(flags & ST_STORED, NULL, info, sizeof info);
    n = snprintf(base, 200, "%s,S=%llu", w->name,
                 (unsigned long long)md_wire_end(&w->wire));
    if (n < 0 || n >= 200 ||
        snprintf(from, sizeof from, "%s/tmp/%s", w->dir, w->name) >=
            (int)sizeof from ||
        snprintf(to, sizeof to, "%s/cur/%s:2,%s", w->dir, base, info) >=
            (int)sizeof to)
        return -1;
    set_mtime(from, mtime);
    if (rename(from, to) != 0)
        return -1;
    md_sync_dir(w->dir, "cur");
    w->name[0] = '\0';
    return 0;
}

void st_writer_abort(st_writer *w)
{
    char p[MD_PATH_MAX];
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
    if (w->name[0] != '\0' &&
        snprintf(p, sizeof p, "%s/tmp/%s", w->dir, w->name) < (int)sizeof p)
        unlink(p);
    w->name[0] = '\0';
}

/* Copy a file (where a hard link cannot be made: another file system),
 * keeping its modification time: the INTERNALDATE of the copy. */
static int copy_bytes(const char *from, const char *to)
{
    struct stat st;
    if (stat(from, &st) != 0 || md_copy_file(from, to) != 0)
        return -1;
    set_mtime(to, st.st_mtime);
    return 0;
}

int st_copy(const char *srcdir, const st_msg *m, const char *dstdir,
            unsigned flags, int move, char *base)
{
    char src[MD_PATH_MAX], tmp[MD_PATH_MAX], dst[MD_PATH_MAX], info[64];
    char name[128];
    int n;
    /* A new name in the destination, never the old one: a UID that a
     * folder gave once must not come back for another message. */
    md_unique_name(name, sizeof name, "I");
    info_letters(flags & ST_STORED, NULL, info, sizeof info);
    n = snprintf(base, 200, "%s,S=%llu", name, (unsigned long long)m->size);
    if (n < 0 || n >= 200 || st_path(srcdir, m->file, src, sizeof src) != 0 ||
        snprintf(tmp, sizeof tmp, "%s/tmp/%s", dstdir, base) >= (int)sizeof tmp ||
        snprintf(dst, sizeof dst, "%s/cur/%s:2,%s", dstdir, base, info) >=
            (int)sizeof dst)
        return -1;
    if (move) {
        if (rename(src, dst) == 0) {
            md_sync_dir(dstdir, "cur");
            return 0;
        }
        if (errno != EXDEV)
            return -1;
    }
    if (link(src, tmp) != 0 && copy_bytes(src, tmp) != 0)
        return -1;
    if (rename(tmp, dst) != 0) {
        unlink(tmp);
        return -1;
    }
    md_sync_dir(dstdir, "cur");
    if (move)
        unlink(src);
    return 0;
}
