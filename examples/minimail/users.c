/* SPDX-License-Identifier: MIT */
/*
 * minimail's user table: parsed from --user options, one Maildir each.
 * Passwords are compared in constant time so that a client cannot learn
 * a password byte by byte from response times.
 */
#define _POSIX_C_SOURCE 200809L

#include "users.h"
#include "maildir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mm_user *users;
static size_t nusers;

static int name_ok(const char *p, size_t n)
{
    size_t i;
    if (n == 0 || n > 64 || p[0] == '.')
        return 0;
    for (i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static char *dup_n(const char *p, size_t n)
{
    char *q = malloc(n + 1);
    if (q != NULL) {
        memcpy(q, p, n);
        q[n] = '\0';
    }
    return q;
}

int users_add(const char *spec)
{
    const char *colon = strchr(spec, ':');
    mm_user *q;
    size_t n;
    if (colon == NULL || !name_ok(spec, (size_t)(colon - spec)) ||
        colon[1] == '\0') {
        fprintf(stderr,
                "minimail: --user wants NAME:PASSWORD, NAME of letters, "
                "digits, '.', '_', '-' (got \"%s\")\n",
                spec);
        return -1;
    }
    n = (size_t)(colon - spec);
    if (users_find(spec, n) != NULL) {
        fprintf(stderr, "minimail: user %.*s given twice\n", (int)n, spec);
        return -1;
    }
    q = realloc(users, (nusers + 1) * sizeof *users);
    if (q == NULL)
        return -1;
    users = q;
    memset(&users[nusers], 0, sizeof users[nusers]);
    users[nusers].name = dup_n(spec, n);
    users[nusers].password = dup_n(colon + 1, strlen(colon + 1));
    if (users[nusers].name == NULL || users[nusers].password == NULL)
        return -1;
    nusers++;
    return 0;
}

int users_setup(const char *root)
{
    size_t i;
    for (i = 0; i < nusers; i++) {
        size_t n = strlen(root) + 1 + strlen(users[i].name) + 1;
        users[i].maildir = malloc(n);
        if (users[i].maildir == NULL)
            return -1;
        snprintf(users[i].maildir, n, "%s/%s", root, users[i].name);
        if (md_create(users[i].maildir) != 0) {
            fprintf(stderr, "minimail: cannot create %s: %s\n",
                    users[i].maildir, strerror(errno));
            return -1;
        }
    }
    return 0;
}

size_t users_count(void) { return nusers; }

mm_user *users_get(size_t i) { return i < nusers ? &users[i] : NULL; }

mm_user *users_find(const char *name, size_t len)
{
    size_t i, k;
    for (i = 0; i < nusers; i++) {
        const char *u = users[i].name;
        if (strlen(u) != len)
            continue;
        for (k = 0; k < len; k++) {
            char a = u[k], b = name[k];
            if (a >= 'A' && a <= 'Z')
                a = (char)(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z')
                b = (char)(b - 'A' + 'a');
            if (a != b)
                break;
        }
        if (k == len)
            return &users[i];
    }
    return NULL;
}

int users_check(const mm_user *u, const char *pw, size_t len)
{
    size_t n = strlen(u->password), i;
    unsigned char diff = (unsigned char)(n != len);
    /* Walk the given password whatever its length; compare against the
     * stored one cyclically so that the time depends on `len` only. */
    for (i = 0; i < len; i++)
        diff |= (unsigned char)(pw[i] ^ u->password[n ? i % n : 0]);
    return diff == 0 && len > 0;
}

void users_free(void)
{
    size_t i;
    for (i = 0; i < nusers; i++) {
        free(users[i].name);
        free(users[i].password);
        free(users[i].maildir);
    }
    free(users);
    users = NULL;
    nusers = 0;
}
