/* SPDX-License-Identifier: MIT */
/*
 * A deterministic corpus of realistic message headers for the benchmarks:
 * Received chains, DKIM and ARC signatures, long folded recipient lists,
 * encoded words, message ids and MIME fields, each message ending with a
 * blank line and a short body. Same seed, same bytes, on every machine.
 */
#ifndef MW_BENCH_CORPUS_H
#define MW_BENCH_CORPUS_H

#include <stddef.h>

typedef struct bench_corpus {
    char *data;       /* all messages back to back */
    size_t len;
    size_t *starts;   /* offset of each message */
    size_t *header_len; /* bytes of each message's header incl. blank line */
    size_t count;
} bench_corpus;

/* Build about `target_bytes` of messages from `seed`. Exits on OOM. */
void bench_corpus_make(bench_corpus *c, size_t target_bytes, unsigned seed);
void bench_corpus_free(bench_corpus *c);

#endif
