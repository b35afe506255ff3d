/* SPDX-License-Identifier: MIT */
/*
 * The CRLF line framer that SMTP (RFC 5321 §2.3.8, §4.5.3.1.4), POP3
 * (RFC 1939 §3) and IMAP (RFC 3501 §2.2) readers share. See
 * lib/core/framing.h for the contract; the notes here say how it is met.
 *
 * A line that lies whole in the input is found with memchr and passed as a
 * span into the input. Only when the input ends inside a line are its bytes
 * copied into the caller's buffer, and the line is completed there by the
 * next inputs. Searches are limited to a window of max + 2 bytes from the
 * start of the line: within max + 2 bytes either the line has ended or it
 * is certainly over-long (the last of them may be the CR of a CRLF, so
 * max + 1 would not do). So no byte is searched more than a fixed number of
 * times, and a peer that never sends a line end costs O(max) per report,
 * then a skip at memchr speed.
 */
#include "core/framing.h"

/* Values of mw_line.skip. */
#define SKIP_NONE 0u
#define SKIP_LINE 1u   /* skipping an over-long line up to its end */
#define SKIP_LF 2u     /* ACCEPT: the skipped line ended by a CR at the end
                          of an input; a LF next is part of that end */

int mw__line_init(mw_line *l, char *buf, size_t size, size_t max,
                  mw_newline_policy policy)
{
    if (l == NULL || buf == NULL || max > SIZE_MAX - 2u || size < max + 2u ||
        (policy != MW_NEWLINE_REJECT && policy != MW_NEWLINE_ACCEPT &&
         policy != MW_NEWLINE_PASS))
        return MW_E_INVAL;
    memset(l, 0, sizeof(*l));
    l->buf = buf;
    l->size = size;
    l->max = max;
    l->policy = (uint8_t)policy;
    return MW_OK;
}

void mw__line_reset(mw_line *l)
{
    l->held = 0;
    l->skip = SKIP_NONE;
    l->skip_cr = 0;
}

/* Fill *ev for a complete line c[0..n) that started at `start` and ended
 * with `end` (a MW__LINE_* end flag) at absolute offset `end_off`. The
 * content is searched for NUL, CR and LF (memchr, O(n)). Returns 1 or the
 * line's error status. */
static int emit(const mw_line *l, mw__line_ev *ev, const char *c, size_t n,
                size_t start, unsigned end, size_t end_off)
{
    unsigned flags = end;
    int status = MW_OK;
    size_t err = start;
    const char *nul = NULL, *cr = NULL, *lf = NULL;

    if (n > 0) {
        nul = (const char *)memchr(c, '\0', n);
        /* Under ACCEPT a CR or LF always ends a line, so none is inside;
         * under REJECT a LF always does. */
        if (l->policy != MW_NEWLINE_ACCEPT)
            cr = (const char *)memchr(c, '\r', n);
        if (l->policy == MW_NEWLINE_PASS)
            lf = (const char *)memchr(c, '\n', n);
    }
    if (nul != NULL)
        flags |= MW__LINE_NUL;
    if (cr != NULL)
        flags |= MW__LINE_BARE_CR;
    if (lf != NULL)
        flags |= MW__LINE_BARE_LF;

    if (l->policy == MW_NEWLINE_REJECT && end == MW__LINE_LF) {
        status = MW_E_BARE_LF;
        err = end_off;
    } else if (l->policy == MW_NEWLINE_REJECT && cr != NULL) {
        status = MW_E_BARE_CR;
        err = start + (size_t)(cr - c);
    } else if (nul != NULL) {
        status = MW_E_NUL;
        err = start + (size_t)(nul - c);
    }
    ev->line = mw__span(c, n);
    ev->offset = start;
    ev->err_offset = err;
    ev->flags = flags;
    ev->status = status;
    return status == MW_OK ? 1 : status;
}

/* The over-long line event: its first max bytes are at p. */
static int too_long(const mw_line *l, mw__line_ev *ev, const char *p,
                    size_t start)
{
    ev->line = mw__span(p, l->max);
    ev->offset = start;
    ev->err_offset = start;
    ev->flags = MW__LINE_TOO_LONG;
    ev->status = MW_E_TOO_LONG;
    return MW_E_TOO_LONG;
}


/* Skip the rest of an over-long line. Returns the bytes consumed; clears
 * l->skip when the line end was found among them. */
static size_t skip_rest(mw_line *l, const char *in, size_t len)
{
    if (l->skip == SKIP_LF) {
        l->skip = SKIP_NONE;
        return in[0] == '\n' ? 1u : 0u;
    }
    if (l->policy == MW_NEWLINE_ACCEPT) {
        size_t e = mw__find_cr_or_lf(in, len);
        if (e == len)
            return len;
        if (in[e] == '\n') {
            l->skip = SKIP_NONE;
            return e + 1;
        }
        if (e + 1 == len) {
            l->skip = SKIP_LF;
            return len;
        }
        l->skip = SKIP_NONE;
        return e + 1 + (in[e + 1] == '\n');
    }
    {
        size_t from = 0;
        const char *p;
        while ((p = (const char *)memchr(in + from, '\n', len - from)) != NULL) {
            size_t e = (size_t)(p - in);
            int crlf = e > 0 ? in[e - 1] == '\r' : l->skip_cr != 0;
            if (l->policy == MW_NEWLINE_REJECT || crlf) {
                l->skip = SKIP_NONE;
                l->skip_cr = 0;
                return e + 1;
            }
            from = e + 1;
        }
        l->skip_cr = in[len - 1] == '\r';
        return len;
    }
}

/* Search in[0..w) for the end of a line whose first `held` bytes are in
 * the buffer (prev: the byte before in[0] within the line, or -1). Sets
 * *e to the index of the line end's last byte (LF, or a CR under ACCEPT),
 * *endlen to the bytes of the line end within `in` before *e's byte is
 * counted (1 for the CR of a CRLF that lies in `in`, 0 otherwise), and
 * *flag to the MW__LINE_* end flag. Returns 0 when w holds no line end.
 * An ACCEPT CR is reported with MW__LINE_CR; whether LF follows is the
 * caller's business. */
static int find_end(const mw_line *l, const char *in, size_t w, int prev,
                    size_t *e, size_t *crlen, unsigned *flag)
{
    if (l->policy == MW_NEWLINE_ACCEPT) {
        size_t k = mw__find_cr_or_lf(in, w);
        if (k == w)
            return 0;
        *e = k;
        *crlen = 0;
        *flag = in[k] == '\n' ? MW__LINE_LF : MW__LINE_CR;
        return 1;
    }
    {
        size_t from = 0;
        const char *p;
        while ((p = (const char *)memchr(in + from, '\n', w - from)) != NULL) {
            size_t k = (size_t)(p - in);
            int before = k > 0 ? (unsigned char)in[k - 1] : prev;
            if (before == '\r') {
                *e = k;
                *crlen = k > 0 ? 1u : 0u;
                *flag = MW__LINE_CRLF;
                return 1;
            }
            if (l->policy == MW_NEWLINE_REJECT) {
                *e = k;
                *crlen = 0;
                *flag = MW__LINE_LF;
                return 1;
            }
            from = k + 1; /* PASS: a bare LF is content */
        }
        return 0;
    }
}

/* A line starting at in[0] (nothing held). *used is set. */
static int fresh_line(mw_line *l, const char *in, size_t len, size_t base,
                      size_t *used, mw__line_ev *ev)
{
    size_t w = len < l->max + 2u ? len : l->max + 2u;
    size_t e, crlen, n;
    unsigned flag;

    if (!find_end(l, in, w, -1, &e, &crlen, &flag)) {
        if (w == l->max + 2u) {
            /* max + 2 bytes and no line end: certainly over-long. */
            l->skip = SKIP_LINE;
            l->skip_cr = in[w - 1] == '\r';
            *used = w;
            return too_long(l, ev, in, base);
        }
        /* The input ends inside the line: hold it (fits: w < max + 2). */
        memcpy(l->buf, in, len);
        l->held = len;
        l->start = base;
        *used = len;
        return 0;
    }
    n = e - crlen;
    *used = e + 1;
    if (flag == MW__LINE_CR) {
        if (e + 1 < len) {
            if (in[e + 1] == '\n') {
                flag = MW__LINE_CRLF;
                *used = e + 2;
            }
        } else if (n > l->max) {
            l->skip = SKIP_LF; /* a LF next would be part of this end */
        } else {
            /* CR at the end of the input: wait for the next byte. */
            memcpy(l->buf, in, e + 1);
            l->held = e + 1;
            l->start = base;
            return 0;
        }
    }
    if (n > l->max)
        return too_long(l, ev, in, base);
    return emit(l, ev, in, n, base, flag, base + e);
}

/* Go on with the line held in the buffer. *used is set. */
static int held_line(mw_line *l, const char *in, size_t len, size_t base,
                     size_t *used, mw__line_ev *ev)
{
    size_t room = l->max + 2u - l->held; /* >= 1: held <= max + 1 */
    size_t w = len < room ? len : room;
    size_t e, crlen, n;
    unsigned flag;
    int prev = (unsigned char)l->buf[l->held - 1];

    if (l->policy == MW_NEWLINE_ACCEPT && prev == '\r') {
        /* A line ended by a CR at the end of the last input. */
        int lf = in[0] == '\n';
        n = l->held - 1;
        l->held = 0;
        *used = lf ? 1u : 0u;
        return emit(l, ev, l->buf, n, l->start,
                    lf ? MW__LINE_CRLF : MW__LINE_CR, base - 1);
    }

    if (!find_end(l, in, w, prev, &e, &crlen, &flag)) {
        if (w == room) {
            if (l->held < l->max)
                memcpy(l->buf + l->held, in, l->max - l->held);
            l->held = 0;
            l->skip = SKIP_LINE;
            l->skip_cr = in[w - 1] == '\r';
            *used = w;
            return too_long(l, ev, l->buf, l->start);
        }
        memcpy(l->buf + l->held, in, len);
        l->held += len;
        *used = len;
        return 0;
    }

    /* Content: the held bytes and in[0..e - crlen), less a held CR when
     * the CRLF straddles the two. */
    n = l->held + e - crlen;
    if (flag == MW__LINE_CRLF && crlen == 0)
        n--; /* e == 0: the CR is the last held byte */
    *used = e + 1;
    if (flag == MW__LINE_CR) {
        if (e + 1 < len) {
            if (in[e + 1] == '\n') {
                flag = MW__LINE_CRLF;
                *used = e + 2;
            }
        } else if (n > l->max) {
            l->skip = SKIP_LF;
        } else {
            memcpy(l->buf + l->held, in, e + 1);
            l->held += e + 1;
            return 0;
        }
    }
    if (n > l->max) {
        if (l->held < l->max)
            memcpy(l->buf + l->held, in, l->max - l->held);
        l->held = 0;
        return too_long(l, ev, l->buf, l->start);
    }
    if (n > l->held)
        memcpy(l->buf + l->held, in, n - l->held);
    l->held = 0;
    return emit(l, ev, l->buf, n, l->start, flag, base + e);
}

int mw__line_next(mw_line *l, const char *in, size_t len, size_t *used,
                  mw__line_ev *ev)
{
    size_t pos = 0, n = 0;
    int r;

    *used = 0;
    if (len == 0)
        return 0;
    if (l->skip != SKIP_NONE) {
        pos = skip_rest(l, in, len);
        if (pos == len) {
            l->total += len;
            *used = len;
            return 0;
        }
    }
    if (l->held > 0)
        r = held_line(l, in + pos, len - pos, l->total + pos, &n, ev);
    else
        r = fresh_line(l, in + pos, len - pos, l->total + pos, &n, ev);
    *used = pos + n;
    l->total += pos + n;
    return r;
}

int mw__line_finish(mw_line *l, mw__line_ev *ev)
{
    int r = 0;

    if (l->held > 0) {
        if (l->policy == MW_NEWLINE_ACCEPT && l->buf[l->held - 1] == '\r') {
            r = emit(l, ev, l->buf, l->held - 1, l->start, MW__LINE_CR,
                     l->total - 1);
        } else {
            ev->line = mw__span(l->buf, l->held);
            ev->offset = l->start;
            ev->err_offset = l->total;
            ev->flags = 0;
            ev->status = MW_E_INCOMPLETE;
            r = MW_E_INCOMPLETE;
        }
    }
    mw__line_reset(l);
    return r;
}
