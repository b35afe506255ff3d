/* SPDX-License-Identifier: MIT */
#define _POSIX_C_SOURCE 200809L
#include "testdata.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *mw_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

char *mw_test_read_repo_file(const char *relpath, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", MW_TEST_SRCDIR, relpath);
    return mw_test_read_file(path, len);
}

const char *mw_test_python_email_dir(void)
{
    static char found[4096];
    static const char *patterns[] = {
        "/usr/lib/python3*/test/test_email/data",
        "/usr/local/lib/python3*/test/test_email/data",
        "/root/.pyenv/versions/*/lib/python3*/test/test_email/data",
        "/opt/*/lib/python3*/test/test_email/data",
    };
    const char *env = getenv("MW_PY_EMAIL_DATA");
    struct stat st;

    if (env && stat(env, &st) == 0)
        return env;
    if (found[0])
        return found;
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        glob_t g;
        if (glob(patterns[i], 0, NULL, &g) == 0 && g.gl_pathc > 0) {
            snprintf(found, sizeof found, "%s", g.gl_pathv[g.gl_pathc - 1]);
            globfree(&g);
            return found;
        }
        globfree(&g);
    }
    return NULL;
}
