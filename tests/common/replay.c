/* SPDX-License-Identifier: MIT */
#include "replay.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mailwire/core.h"

int replay_run(const replay_ops *ops, void *ctx, const char *input, size_t len,
               const size_t *cuts, size_t ncuts, evlog *out)
{
    size_t pos = 0, ci = 0;
    int rc = MW_OK;

    evlog_reset(out);
    ops->reset(ctx, out);
    while (pos < len) {
        size_t end = (ci < ncuts) ? cuts[ci++] : len;
        if (end <= pos || end > len)
            continue;
        while (pos < end) {
            size_t used = 0;
            rc = ops->feed(ctx, input + pos, end - pos, &used);
            if (used > end - pos) {
                evlog_printf(out, "replay: consumed %zu of %zu", used, end - pos);
                return MW_E_INTERNAL;
            }
            pos += used;
            if (rc == MW_DONE) {
                evlog_printf(out, "replay: done at %zu", pos);
                return rc;
            }
            if (rc < 0) {
                evlog_printf(out, "replay: feed %s", mw_status_name(rc));
                if (mw_is_fatal(rc) || used == 0)
                    return rc;
            } else if (used == 0 && rc != MW_PAUSED) {
                evlog_printf(out, "replay: no progress (%s)", mw_status_name(rc));
                return MW_E_INTERNAL;
            }
        }
    }
    if (ops->finish) {
        rc = ops->finish(ctx);
        if (rc != MW_OK)
            evlog_printf(out, "replay: finish %s", mw_status_name(rc));
    }
    return rc;
}

static void compare(const evlog *a, const evlog *b, const char *what)
{
    if (strcmp(evlog_str(a), evlog_str(b)) == 0)
        return;
    /* Print the first differing line of each, then fail. */
    const char *x = evlog_str(a), *y = evlog_str(b);
    size_t i = 0, line = 1, start = 0;
    while (x[i] && x[i] == y[i]) {
        if (x[i] == '\n') {
            line++;
            start = i + 1;
        }
        i++;
    }
    print_error("replay mismatch (%s) at log line %zu\n  whole: %.300s\n  other: %.300s\n",
                what, line, x + start, y + start);
    fail_msg("replay: %s gives different events", what);
}

void replay_check(const replay_ops *ops, void *ctx, const char *input,
                  size_t len, evlog *whole)
{
    evlog other;
    size_t *cuts;
    size_t i;

    evlog_init(&other);
    replay_run(ops, ctx, input, len, NULL, 0, whole);

    /* one byte at a time */
    cuts = malloc((len ? len : 1) * sizeof(*cuts));
    assert_non_null(cuts);
    for (i = 1; i < len; i++)
        cuts[i - 1] = i;
    replay_run(ops, ctx, input, len, cuts, len ? len - 1 : 0, &other);
    compare(whole, &other, "per-byte feeding");

    /* every split point (or a spread of them) */
    size_t step = (len <= 2048) ? 1 : len / 400;
    for (i = 1; i < len; i += step) {
        char what[64];
        replay_run(ops, ctx, input, len, &i, 1, &other);
        snprintf(what, sizeof what, "a split at offset %zu", i);
        compare(whole, &other, what);
    }

    /* a few random multi-way chunkings, reproducible */
    uint32_t seed = 2463534242u ^ (uint32_t)len;
    for (int r = 0; r < 3 && len > 2; r++) {
        size_t n = 0, pos = 0;
        while (pos < len - 1) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            pos += 1 + seed % 97;
            if (pos >= len)
                break;
            cuts[n++] = pos;
        }
        replay_run(ops, ctx, input, len, cuts, n, &other);
        compare(whole, &other, "random chunking");
    }
    free(cuts);
    evlog_free(&other);
}
