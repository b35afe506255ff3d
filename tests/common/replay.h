/* SPDX-License-Identifier: MIT */
/*
 * The replay helper: feed one input to a machine whole, one byte at a time,
 * and split in two at every offset (sampled for long inputs), and check that
 * every run logs the same events. Every parser's tests go through it.
 *
 * A machine is described by three functions. `reset` starts a fresh machine
 * that logs into `log`; `feed` passes one chunk and reports how much it took;
 * `finish` (optional) signals the end of input.
 *
 * feed's statuses: MW_OK consumes everything; MW_PAUSED (or *consumed < n)
 * means "feed the rest again" (the replay re-feeds the remainder at once);
 * MW_DONE means the machine wants no more input (logged with its offset);
 * a negative status is logged and, when fatal or when no byte was consumed,
 * ends the run.
 */
#ifndef MW_TEST_REPLAY_H
#define MW_TEST_REPLAY_H

#include <stddef.h>

#include "evlog.h"

typedef struct replay_ops {
    void (*reset)(void *ctx, evlog *log);
    int (*feed)(void *ctx, const char *p, size_t n, size_t *consumed);
    int (*finish)(void *ctx); /* may be NULL */
} replay_ops;

/* Run once with the input cut at the given offsets (ascending, each in
 * 1..len-1); the events go to `out` (reset first). Returns the last status. */
int replay_run(const replay_ops *ops, void *ctx, const char *input, size_t len,
               const size_t *cuts, size_t ncuts, evlog *out);

/* Run whole, per byte, and at every split point (all of them for inputs up
 * to 2048 bytes, 400 spread over longer ones, plus 3 random multi-cuts) and
 * fail the current cmocka test, printing both logs, on any difference.
 * The whole-input log is left in `whole` (caller inits/frees it). */
void replay_check(const replay_ops *ops, void *ctx, const char *input,
                  size_t len, evlog *whole);

#endif
