/* SPDX-License-Identifier: MIT */
/*
 * The runner shared by the side-by-side benchmarks in this folder: command
 * line, CPU-time measurement (best of N), and the result table. Each pass
 * is a function bench_pass_<name> so that tests/bench/callgrind_bench.sh
 * can count its instructions alone; the runner prints "<name>_bytes=N"
 * after each pass for that script.
 */
#ifndef MW_BENCH_PEER_RUN_H
#define MW_BENCH_PEER_RUN_H

#include <stddef.h>

typedef struct peer_pass {
    const char *name;       /* --only selects it; bench_pass_<name> runs it */
    const char *what;       /* one line: what exactly is measured */
    void (*prepare)(void);  /* untimed set-up before each run; may be NULL */
    void (*run)(void);      /* the measured work */
    /* Untimed check after each run: fills `note` with what the pass
     * produced (counts to compare between passes); returns 0 when the
     * run was good. May be NULL. */
    int (*finish)(char *note, size_t cap);
    const char *baseline;   /* pass to compare with ("x of memchr"); NULL */
} peer_pass;

typedef struct peer_opts {
    size_t mb;        /* --mb: input size in MiB (meaning up to the bench) */
    size_t msgs;      /* --msgs: message count (meaning up to the bench) */
    int reps;         /* --reps: runs per pass, the best counts */
    const char *only; /* --only: run this pass alone (for callgrind) */
} peer_opts;

/* The baselines every bench prints next to its parsers, over the bytes
 * given to peer_set_input(): memchr for every LF (what any line-based
 * parser must at least do) and one memcpy of them all. `what` names the
 * bytes for the legend. */
void peer_set_input(const char *p, size_t n);
void bench_pass_memchr(void);
void bench_pass_memcpy(void);
#define PEER_BASELINES(what)                                                 \
    {"memchr", "memchr for every LF over " what " (baseline)", NULL,         \
     bench_pass_memchr, NULL, NULL},                                         \
    {"memcpy", "one memcpy of " what " (baseline)", NULL, bench_pass_memcpy, \
     NULL, "memchr"}

/* Parse --mb, --msgs, --reps, --only over the defaults already in `o`.
 * Exits with a usage line on anything else. */
void peer_parse_args(int argc, char **argv, peer_opts *o);

/* Run the passes (or the one --only names) over `bytes` input bytes each,
 * print the table, the notes and the "what" legend. Returns 0, or 1 when
 * a pass failed its check. */
int peer_run(const peer_pass *passes, size_t n, size_t bytes,
             const peer_opts *o);

#endif
