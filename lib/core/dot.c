/* SPDX-License-Identifier: MIT */
/*
 * Dot-stuffing in both directions: the transparency procedure of RFC 5321
 * §4.5.2 (SMTP DATA) and the multi-line responses of RFC 1939 §3 (POP3
 * RETR, TOP, LIST, UIDL). See lib/core/framing.h for the contract.
 *
 * The body ends only at "." CRLF at a line start, and a line starts only at
 * the body start or after CRLF. Bare CR and bare LF never start a line
 * under any policy: that one rule is the whole defence against SMTP
 * smuggling (CVE-2023-51764, -51765, -51766), where two hops disagree on
 * "LF . LF", "LF . CRLF", "CR . CR" and the like.
 *
 * Both directions scan for the next CR or LF with memchr and pass the
 * bytes between as spans of the caller's input; the few bytes they insert
 * or stand in for come from static storage.
 */
#include "core/framing.h"

static const char crlf_bytes[] = "\r\n";
static const char dot_end[] = ".\r\n";
static const char crlf_dot_end[] = "\r\n.\r\n";


static int valid_policy(mw_newline_policy policy)
{
    return policy == MW_NEWLINE_REJECT || policy == MW_NEWLINE_ACCEPT ||
           policy == MW_NEWLINE_PASS;
}

/* ====================================================================
 * Unstuffing (receive side)
 * ==================================================================== */

/* Where the reader is. Bytes named in a state have been consumed. */
enum {
    U_LINE_START = 0, /* at a line start (the body start, or after CRLF) */
    U_DATA,           /* inside a line */
    U_CR,             /* inside a line, after a CR already passed on */
    U_DOT,            /* a line start "." (never passed on) */
    U_DOT_CR,         /* a line start ".\r" (neither passed on) */
    U_END             /* the terminator was read */
};

int mw__dot_unstuff_init(mw_dot_unstuff *u, mw_newline_policy policy,
                         size_t base)
{
    if (u == NULL || !valid_policy(policy))
        return MW_E_INVAL;
    memset(u, 0, sizeof(*u));
    u->total = base;
    u->state = U_LINE_START;
    u->policy = (uint8_t)policy;
    return MW_OK;
}

/* Finish a call: count what was consumed. */
static int commit(mw_dot_unstuff *u, size_t pos, size_t *used, int r)
{
    u->total += pos;
    *used = pos;
    return r;
}

static int data(mw__dot_ev *ev, const char *p, size_t n, size_t off)
{
    ev->data = mw__span(p, n);
    ev->offset = off;
    return MW__DOT_DATA;
}

int mw__dot_unstuff_next(mw_dot_unstuff *u, const char *in, size_t len,
                         size_t *used, mw__dot_ev *ev)
{
    size_t pos = 0, start, i;
    int reject = u->policy == MW_NEWLINE_REJECT;
    int accept = u->policy == MW_NEWLINE_ACCEPT;

    *used = 0;
    if (u->state == U_END) {
        ev->data = mw__span(NULL, 0); /* every error fills *ev */
        ev->offset = u->total;
        return MW_E_STATE;
    }

    /* The states that look at one byte before the bulk scan. */
    for (;;) {
        unsigned char c;
        if (pos == len)
            return commit(u, pos, used, 0);
        c = (unsigned char)in[pos];
        if (u->state == U_LINE_START) {
            if (c == '.') {
                u->state = U_DOT;
                pos++;
                continue;
            }
            u->state = U_DATA;
        } else if (u->state == U_DOT) {
            if (c == '\r') {
                u->state = U_DOT_CR;
                pos++;
                continue;
            }
            u->state = U_DATA; /* ".x": the dot is dropped */
        } else if (u->state == U_DOT_CR) {
            if (c == '\n') {
                /* CRLF "." CRLF: the end. The offset is the dot's. */
                pos++;
                u->state = U_END;
                ev->data = mw__span(NULL, 0);
                ev->offset = u->total + pos - 3u;
                return commit(u, pos, used, MW__DOT_END);
            }
            /* ".\r" then not LF: the dot is dropped, the CR is a bare CR
             * of the data. Pass it on, then judge it as any CR. */
            u->state = U_CR;
            return commit(u, pos, used,
                          data(ev, crlf_bytes, 1, u->total + pos - 1u));
        } else if (u->state == U_CR) {
            if (c == '\n') {
                /* CRLF across inputs: the LF is data, a line starts. */
                start = pos;
                pos++;
                if (pos == len || in[pos] == '.') {
                    u->state = U_LINE_START;
                    return commit(u, pos, used,
                                  data(ev, in + start, pos - start,
                                       u->total + start));
                }
                u->state = U_DATA;
                i = pos;
                goto scan;
            }
            /* The CR passed on last was bare. */
            u->state = U_DATA;
            if (reject && !u->reported) {
                u->reported = 1;
                ev->data = mw__span(NULL, 0);
                ev->offset = u->total + pos - 1u;
                return commit(u, pos, used, MW_E_BARE_CR);
            }
            if (accept)
                return commit(u, pos, used,
                              data(ev, crlf_bytes + 1, 1,
                                   u->total + pos - 1u));
        }
        break;
    }
    start = pos;
    i = pos;

scan:
    /* In a line, from i; the data span so far is in[start..i). */
    for (;;) {
        size_t e = i + mw__find_cr_or_lf(in + i, len - i);
        if (e == len) {
            /* u->state is U_DATA */
            pos = len;
            if (pos == start)
                return commit(u, pos, used, 0);
            return commit(u, pos, used,
                          data(ev, in + start, pos - start, u->total + start));
        }
        if (in[e] == '\n') {
            /* A LF not after CR: bare (a CRLF is taken whole below). */
            if ((reject && !u->reported) || accept) {
                if (e > start)
                    return commit(u, e, used,
                                  data(ev, in + start, e - start,
                                       u->total + start));
                if (accept)
                    return commit(u, e + 1, used,
                                  data(ev, crlf_bytes, 2, u->total + e));
                u->reported = 1;
                ev->data = mw__span(NULL, 0);
                ev->offset = u->total + e;
                return commit(u, e, used, MW_E_BARE_LF);
            }
            i = e + 1; /* PASS, or already reported: plain data */
            continue;
        }
        /* A CR at e. */
        if (e + 1 == len) {
            u->state = U_CR;
            return commit(u, len, used,
                          data(ev, in + start, len - start, u->total + start));
        }
        if (in[e + 1] == '\n') {
            i = e + 2; /* a line starts at i */
            if (i == len || in[i] == '.') {
                u->state = U_LINE_START;
                return commit(u, i, used,
                              data(ev, in + start, i - start,
                                   u->total + start));
            }
            continue;
        }
        /* A bare CR. */
        if ((reject && !u->reported) || accept) {
            /* Pass the data through the CR on; U_CR judges it next call
             * (reports it, or adds the LF). */
            u->state = U_CR;
            return commit(u, e + 1, used,
                          data(ev, in + start, e + 1 - start,
                               u->total + start));
        }
        i = e + 1;
    }
}

/* ====================================================================
 * Stuffing (send side)
 * ==================================================================== */

enum {
    S_LINE_START = 0, /* the next byte starts a line */
    S_DATA,           /* inside a line */
    S_CR_HELD,        /* REJECT: a CR at the end of the last input, not
                         written yet */
    S_CR_PASSED,      /* PASS: the last byte written was a CR */
    S_CR_CRLF,        /* ACCEPT: a CR was written as CRLF; a LF next is
                         part of it */
    S_DONE,           /* finished */
    S_CR_HELD_LS      /* REJECT: as S_CR_HELD, and the CR stood at a line
                         start: if it is dropped, the line has not begun */
};

int mw__dot_stuff_init(mw_dot_stuff *s, mw_newline_policy policy,
                       mw_dot_sink sink, void *user)
{
    if (s == NULL || sink == NULL || !valid_policy(policy))
        return MW_E_INVAL;
    memset(s, 0, sizeof(*s));
    s->sink = sink;
    s->user = user;
    s->state = S_LINE_START;
    s->policy = (uint8_t)policy;
    return MW_OK;
}

static int put(mw_dot_stuff *s, const char *p, size_t n)
{
    int r;
    if (n == 0)
        return MW_OK;
    r = s->sink(s->user, p, n);
    return r < 0 ? r : MW_OK;
}

int mw__dot_stuff_write(mw_dot_stuff *s, const char *in, size_t len,
                        size_t *used, mw_error *err)
{
    size_t pos = 0, start = 0;
    /* Where the current line started in this input (SIZE_MAX: before it).
     * A bare CR or LF dropped there (REJECT) leaves the position at a
     * line start, so a '.' after it must still be doubled: otherwise
     * "\n.\r\n" in the body would end the data early (SMTP smuggling). */
    size_t ls = SIZE_MAX;
    int r = MW_OK;

    if (used != NULL)
        *used = 0;
    if (s == NULL || (in == NULL && len > 0))
        return MW_E_INVAL;
    if (s->state == S_DONE)
        return MW_E_STATE;

    while (pos < len) {
        unsigned char c = (unsigned char)in[pos];
        size_t e;

        switch (s->state) {
        case S_LINE_START:
            ls = pos;
            s->state = S_DATA;
            if (c == '.') {
                /* RFC 5321 §4.5.2: double it. The input's dot follows in
                 * the next span. */
                if ((r = put(s, in + start, pos - start)) < 0 ||
                    (r = put(s, dot_end, 1)) < 0)
                    goto out;
                start = pos;
            }
            continue;
        case S_CR_CRLF:
            s->state = S_LINE_START;
            if (c == '\n') {
                /* The LF of a CRLF whose CR was written as CRLF. */
                if ((r = put(s, in + start, pos - start)) < 0)
                    goto out;
                start = ++pos;
            }
            continue;
        case S_CR_PASSED:
            s->state = S_DATA;
            if (c == '\n') {
                pos++;
                s->state = S_LINE_START;
            }
            continue;
        case S_CR_HELD:
        case S_CR_HELD_LS:
            /* Only ever at pos 0: a CR ended the last input. */
            if (c == '\n') {
                if ((r = put(s, crlf_bytes, 1)) < 0)
                    goto out;
                pos++;
                s->state = S_LINE_START;
                continue;
            }
            s->state = s->state == S_CR_HELD_LS ? S_LINE_START : S_DATA;
            r = mw__fail(err, MW_E_BARE_CR, s->total - 1u,
                         "bare CR in the message body");
            goto out;
        default: /* S_DATA */
            break;
        }

        e = pos + mw__find_cr_or_lf(in + pos, len - pos);
        if (e == len) {
            pos = len;
            break;
        }
        if (in[e] == '\n') {
            /* A bare LF. */
            if (s->policy == MW_NEWLINE_PASS) {
                pos = e + 1;
                continue;
            }
            if ((r = put(s, in + start, e - start)) < 0)
                goto out;
            if (s->policy == MW_NEWLINE_REJECT) {
                pos = e + 1; /* consumed, dropped */
                if (e == ls)
                    s->state = S_LINE_START;
                r = mw__fail(err, MW_E_BARE_LF, s->total + e,
                             "bare LF in the message body");
                goto out;
            }
            if ((r = put(s, crlf_bytes, 2)) < 0)
                goto out;
            start = pos = e + 1;
            s->state = S_LINE_START;
            continue;
        }
        /* A CR at e. */
        if (e + 1 < len && in[e + 1] == '\n') {
            pos = e + 2;
            s->state = S_LINE_START;
            continue;
        }
        if (e + 1 == len) {
            /* Whether a LF follows is not known yet. */
            if (s->policy == MW_NEWLINE_REJECT) {
                if ((r = put(s, in + start, e - start)) < 0)
                    goto out;
                start = pos = len;
                s->state = e == ls ? S_CR_HELD_LS : S_CR_HELD;
            } else if (s->policy == MW_NEWLINE_ACCEPT) {
                if ((r = put(s, in + start, len - start)) < 0 ||
                    (r = put(s, crlf_bytes + 1, 1)) < 0)
                    goto out;
                start = pos = len;
                s->state = S_CR_CRLF;
            } else {
                pos = len;
                s->state = S_CR_PASSED;
            }
            break;
        }
        /* A bare CR with a byte after it. */
        if (s->policy == MW_NEWLINE_PASS) {
            pos = e + 1;
            continue;
        }
        if (s->policy == MW_NEWLINE_REJECT) {
            if ((r = put(s, in + start, e - start)) < 0)
                goto out;
            pos = e + 1;
            if (e == ls)
                s->state = S_LINE_START;
            r = mw__fail(err, MW_E_BARE_CR, s->total + e,
                         "bare CR in the message body");
            goto out;
        }
        if ((r = put(s, in + start, e + 1 - start)) < 0 ||
            (r = put(s, crlf_bytes + 1, 1)) < 0)
            goto out;
        start = pos = e + 1;
        s->state = S_LINE_START;
    }
    r = put(s, in + start, pos - start);

out:
    s->total += pos;
    if (used != NULL)
        *used = pos;
    return r;
}

int mw__dot_stuff_finish(mw_dot_stuff *s, mw_error *err)
{
    int r;

    if (s == NULL)
        return MW_E_INVAL;
    switch (s->state) {
    case S_DONE:
        return MW_E_STATE;
    case S_CR_HELD:
    case S_CR_HELD_LS:
        s->state = s->state == S_CR_HELD_LS ? S_LINE_START : S_DATA;
        return mw__fail(err, MW_E_BARE_CR, s->total - 1u,
                        "bare CR at the end of the message body");
    case S_LINE_START:
    case S_CR_CRLF:
        r = put(s, dot_end, 3);
        break;
    default: /* S_DATA, S_CR_PASSED */
        r = put(s, crlf_dot_end, 5);
        break;
    }
    s->state = S_DONE;
    return r;
}
