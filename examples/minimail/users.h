/* SPDX-License-Identifier: MIT */
/*
 * minimail's users: names, passwords and where their mail lives.
 *
 * Users come from the command line (--user NAME:PASSWORD, or the demo
 * user). Each has a Maildir at <maildir>/<name>. The table is fixed once
 * the server runs; the only mutable bit is the per-user POP3 lock
 * (RFC 1939 §4: one session at a time holds a maildrop).
 */
#ifndef MINIMAIL_USERS_H
#define MINIMAIL_USERS_H

#include <stddef.h>

typedef struct mm_user {
    char *name;
    char *password;
    char *maildir; /* <maildir>/<name> */
    int locked;    /* a POP3 session holds the maildrop */
} mm_user;

/* Add "NAME:PASSWORD". NAME: 1 to 64 of letters, digits, '.', '_', '-'
 * (it becomes a folder name), not starting with '.'. Returns 0, or -1
 * with a message on stderr. */
int users_add(const char *spec);
/* Create every user's Maildir under `root`. Returns 0 or -1. */
int users_setup(const char *root);
size_t users_count(void);
mm_user *users_get(size_t i);
/* Look a user up by name, compared without regard to ASCII case (mail
 * local parts are usually case-insensitive in practice). NULL if none. */
mm_user *users_find(const char *name, size_t len);
/* Check a password in time that does not depend on where it differs.
 * Returns 1 when it matches. */
int users_check(const mm_user *u, const char *pw, size_t len);
void users_free(void);

#endif /* MINIMAIL_USERS_H */
