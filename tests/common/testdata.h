/* SPDX-License-Identifier: MIT */
/* Reading test inputs: files of the repository and Python's email test
 * messages, which are on the machine and read at test time, never copied. */
#ifndef MW_TEST_TESTDATA_H
#define MW_TEST_TESTDATA_H

#include <stddef.h>

/* Read a whole file (malloc'd, NUL-terminated beyond len); NULL if absent. */
char *mw_test_read_file(const char *path, size_t *len);

/* Read a file relative to the repository root (MW_TEST_SRCDIR). */
char *mw_test_read_repo_file(const char *relpath, size_t *len);

/* Directory holding CPython's Lib/test/test_email/data, or NULL when no
 * Python test suite is installed. MW_PY_EMAIL_DATA overrides the search. */
const char *mw_test_python_email_dir(void);

#endif
