/* SPDX-License-Identifier: MIT */
/*
 * A growable text for test programs and fuzz targets: bytes appended at
 * the end, always NUL-terminated so that it can be printed and searched
 * with the string functions. Appending never fails: running out of memory
 * ends the program (abort), which fails the test or the fuzz run.
 * Header-only (static inline) so every harness can include it.
 */
#ifndef MW_TEST_TEXTBUF_H
#define MW_TEST_TEXTBUF_H

#include <stdlib.h>
#include <string.h>

typedef struct mw_textbuf {
    char *p;        /* NULL until the first append */
    size_t n, cap;  /* bytes held (the NUL not counted), bytes allocated */
} mw_textbuf;

/* Append n bytes (p may be NULL when n is 0). */
static inline void mw_textbuf_put(mw_textbuf *b, const void *p, size_t n)
{
    if (b->cap - b->n < n + 1) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->n < n + 1)
            cap *= 2;
        b->p = (char *)realloc(b->p, cap);
        if (b->p == NULL)
            abort();
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
}

/* Release the memory; the buffer is empty and reusable. */
static inline void mw_textbuf_free(mw_textbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

#endif
