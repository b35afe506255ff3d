/* SPDX-License-Identifier: MIT */
/*
 * Runner for the side-by-side benchmarks (see peer_run.h). Times are CPU
 * time of the process, best of --reps runs, so that neighbours on a shared
 * machine distort them less; the baselines are timed the same way in the
 * same process.
 */
#define _POSIX_C_SOURCE 200809L
#include "peer_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *input;
static size_t input_len;
static char *copy;
static volatile size_t sink;

void peer_set_input(const char *p, size_t n)
{
    input = p;
    input_len = n;
    free(copy);
    copy = malloc(n + 1);
    if (copy == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    memset(copy, 0, n + 1); /* fault the pages in before any timing */
}

/* Not inlined, and named so that callgrind_bench.sh can count them. */
__attribute__((noinline)) void bench_pass_memchr(void)
{
    const char *p = input, *end = input + input_len;
    size_t lines = 0;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        p++;
        lines++;
    }
    sink += lines;
}

__attribute__((noinline)) void bench_pass_memcpy(void)
{
    memcpy(copy, input, input_len);
    sink += (unsigned char)copy[input_len / 2];
}

void peer_parse_args(int argc, char **argv, peer_opts *o)
{
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v != NULL && !strcmp(a, "--mb"))
            o->mb = (size_t)strtoul(v, NULL, 10);
        else if (v != NULL && !strcmp(a, "--msgs"))
            o->msgs = (size_t)strtoul(v, NULL, 10);
        else if (v != NULL && !strcmp(a, "--reps"))
            o->reps = atoi(v);
        else if (v != NULL && !strcmp(a, "--only"))
            o->only = v;
        else {
            fprintf(stderr, "usage: %s [--mb N] [--msgs N] [--reps N] "
                            "[--only PASS]\n", argv[0]);
            exit(2);
        }
    }
    if (o->reps < 1)
        o->reps = 1;
}

static double time_pass(const peer_pass *p, int reps, char *note, size_t cap,
                        int *bad)
{
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0, t;
        if (p->prepare != NULL)
            p->prepare();
        t0 = cpu_seconds();
        p->run();
        t = cpu_seconds() - t0;
        if (t < best)
            best = t;
        if (p->finish != NULL && p->finish(note, cap) != 0)
            *bad = 1;
    }
    return best;
}

int peer_run(const peer_pass *passes, size_t n, size_t bytes,
             const peer_opts *o)
{
    double *secs = calloc(n, sizeof *secs);
    int failed = 0;
    if (secs == NULL)
        return 1;
    printf("%-14s %10s %10s %12s\n", "pass", "ms", "MB/s", "vs baseline");
    for (size_t i = 0; i < n; i++) {
        const peer_pass *p = &passes[i];
        char note[256] = "";
        int bad = 0;
        if (o->only != NULL && strcmp(o->only, p->name) != 0)
            continue;
        secs[i] = time_pass(p, o->reps, note, sizeof note, &bad);
        printf("%-14s %10.2f %10.1f", p->name, secs[i] * 1e3,
               (double)bytes / secs[i] / 1e6);
        for (size_t j = 0; p->baseline != NULL && j < i; j++)
            if (secs[j] > 0 && !strcmp(passes[j].name, p->baseline))
                printf("  %5.1fx %s", secs[i] / secs[j], p->baseline);
        printf("%s\n", bad ? "  CHECK FAILED" : "");
        if (note[0] != '\0')
            printf("    %s\n", note);
        printf("%s_bytes=%zu\n", p->name, bytes);
        failed |= bad;
    }
    free(copy);
    copy = NULL;
    printf("\npasses:\n");
    for (size_t i = 0; i < n; i++)
        printf("  %-12s %s\n", passes[i].name, passes[i].what);
    free(secs);
    return failed;
}
