/* SPDX-License-Identifier: MIT */
/*
 * The IMAP framer (lib/imap/frame.h): cuts the byte stream into frames,
 * lines and literals (RFC 9051 §4.3, RFC 7888, RFC 3516 literal8), before
 * any semantic parsing.
 *
 * Line ends are found with memchr over the line text only: the bytes of a
 * literal are never looked at (streamed or discarded literals are passed
 * on or skipped by count; inline literals are jumped over). A segment that
 * lies whole in the input is handed over as a span of the input and is not
 * consumed until its event is over (the caller feeds the unconsumed bytes
 * again); only a segment cut by the end of an input is copied into the
 * caller's buffer.
 *
 * Line ends by policy (mw_newline_policy):
 *   REJECT  CRLF ends a line; a bare LF ends it too but drops the frame
 *           (SKIPPED, MW_E_BARE_LF; a literal it announces is still skipped
 *           so that its bytes are never read as commands);
 *   ACCEPT  CRLF or a bare LF ends a line;
 *   PASS    only CRLF ends a line, a bare LF is text.
 * A bare CR is always text: no IMAP token may hold it, so the grammar
 * rejects it where it matters, and literals may carry it.
 *
 * A literal size above 2^63-1 (RFC 9051 number64) cannot be skipped: the
 * frame ends with SKIPPED (MW_E_OVERFLOW) and the framer drops all further
 * input until mw__imap_framer_reset(), since nothing after it can be
 * framed reliably. The machine should close the connection.
 */
#include <string.h>

#include "imap/frame.h"

enum {
    ST_TEXT = 0,       /* reading segment text (lit_left: inline bytes) */
    ST_LITWAIT = 1,    /* LITERAL given, waiting for take() */
    ST_STREAM = 2,     /* DATA events */
    ST_STREAM_END = 3, /* LITERAL_END due */
    ST_FULLWAIT = 4,   /* FULL given, waiting for release() */
    ST_SKIP = 5,       /* dropping the rest of a frame */
    ST_DEAD = 6        /* stream lost (literal size overflow) */
};

/* Recogniser states for a literal announcement at the end of a line
 * while skipping: ['~'] '{' 1*DIGIT ['+'] '}' */
enum { R_NONE = 0, R_TILDE, R_BRACE, R_DIGIT, R_PLUS, R_CLOSE };

#define NUM64_MAX ((uint64_t)INT64_MAX)

static void seg_reset(mw__imap_framer *fr)
{
    fr->held = 0;
    fr->seg_len = 0;
    fr->line_start = 0;
    fr->cr = 0;
    fr->eol = 0;
}

static void frame_end(mw__imap_framer *fr)
{
    seg_reset(fr);
    fr->state = ST_TEXT;
    fr->in_frame = 0;
    fr->lit_left = 0;
    fr->pending = 0;
}

void mw__imap_framer_init(mw__imap_framer *fr, char *buf, size_t cap,
                          size_t max_text, mw_newline_policy newline)
{
    memset(fr, 0, sizeof(*fr));
    fr->buf = buf;
    fr->cap = buf != NULL ? cap : 0;
    fr->max_text = max_text < fr->cap ? max_text : fr->cap;
    fr->newline = (uint8_t)newline;
    fr->state = ST_TEXT;
}

void mw__imap_framer_sync_ends_frame(mw__imap_framer *fr)
{
    fr->sync_ends = 1;
}

void mw__imap_framer_reset(mw__imap_framer *fr)
{
    frame_end(fr);
    fr->release = 0;
    fr->skip_status = MW_OK;
    fr->skip_reason = NULL;
    fr->rec = R_NONE;
    fr->rec_ovf = 0;
}

size_t mw__imap_framer_offset(const mw__imap_framer *fr)
{
    return fr->offset;
}

size_t mw__imap_fev_literal_offset(const mw__imap_fev *ev)
{
    /* The text ends in "{digits[+]}" (announcement() checked it); walk
     * back to the brace, and over the "~" of a literal8. */
    size_t i = ev->n;
    while (i > 0 && ev->p[i - 1] != '{')
        i--;
    if (i > 1 && ev->p[i - 2] == '~')
        i--;
    return ev->offset + (i > 0 ? i - 1 : 0);
}

int mw__imap_framer_idle(const mw__imap_framer *fr)
{
    return fr->state == ST_TEXT && !fr->in_frame && fr->release == 0;
}

/* Does the line text t[ls..te) end with a literal announcement?
 * 0: no; 1: yes (*size, *flags); -1: yes but the size overflows. */
static int announcement(const char *t, size_t ls, size_t te, uint64_t *size,
                        unsigned *flags)
{
    size_t q, d;
    uint64_t v = 0;
    unsigned fl = 0;
    if (te < ls + 3 || t[te - 1] != '}')
        return 0;
    q = te - 1;
    if (t[q - 1] == '+') {
        fl |= MW__IMAP_LIT_NONSYNC;
        q--;
    }
    d = q;
    while (d > ls && (unsigned char)(t[d - 1] - '0') <= 9u)
        d--;
    if (d == q || d == ls || t[d - 1] != '{')
        return 0;
    if (d - 1 > ls && t[d - 2] == '~')
        fl |= MW__IMAP_LIT_BINARY;
    for (; d < q; d++) {
        unsigned dg = (unsigned)(unsigned char)(t[d] - '0');
        /* v * 10 + dg <= NUM64_MAX without a run-time 64-bit division
         * (a libgcc call on 32-bit targets), as in mw__parse_u64() */
        if (v > NUM64_MAX / 10u)
            return -1;
        v *= 10u;
        if (v > NUM64_MAX - dg)
            return -1;
        v += dg;
    }
    *size = v;
    *flags = fl;
    return 1;
}

/* Feed line bytes to the recogniser (skipping a dropped frame). A CR is
 * held back in fr->cr until the next byte shows whether it ends the
 * line. */
static void rec_feed(mw__imap_framer *fr, const unsigned char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned c = p[i];
        if (fr->cr) {
            fr->cr = 0;
            fr->rec = R_NONE; /* the CR was text */
        }
        if (c == '\r') {
            fr->cr = 1;
            continue;
        }
        if (c - '0' <= 9u) {
            if (fr->rec == R_BRACE || fr->rec == R_DIGIT) {
                /* lit_size * 10 + digit <= NUM64_MAX, without a run-time
                 * 64-bit division (see announcement()) */
                if (fr->lit_size > NUM64_MAX / 10u ||
                    fr->lit_size * 10u > NUM64_MAX - (c - '0'))
                    fr->rec_ovf = 1;
                else
                    fr->lit_size = fr->lit_size * 10u + (c - '0');
                fr->rec = R_DIGIT;
            } else {
                fr->rec = R_NONE;
            }
            continue;
        }
        switch (c) {
        case '~':
            fr->rec = R_TILDE;
            break;
        case '{':
            fr->rec_bin = (uint8_t)(fr->rec == R_TILDE);
            fr->rec = R_BRACE;
            fr->lit_size = 0;
            fr->rec_ovf = 0;
            break;
        case '+':
            fr->rec = fr->rec == R_DIGIT ? R_PLUS : R_NONE;
            break;
        case '}':
            fr->rec_plus = (uint8_t)(fr->rec == R_PLUS);
            fr->rec = (fr->rec == R_DIGIT || fr->rec == R_PLUS) ? R_CLOSE
                                                                : R_NONE;
            break;
        default:
            fr->rec = R_NONE;
            break;
        }
    }
}

static void ev_skipped_(mw__imap_framer *fr, mw__imap_fev *ev, int status,
                        const char *reason)
{
    memset(ev, 0, sizeof(*ev));
    ev->type = MW__IMAP_FEV_SKIPPED;
    ev->offset = fr->frame_offset;
    ev->status = status;
    ev->reason = reason;
}
#define ev_skipped(fr, ev, status, reason)                                   \
    ev_skipped_((fr), (ev), (status), MW__TEXT(reason))

/* Drop the frame from here on: the rest of the current line is fed to the
 * recogniser by the SKIP state. */
static void start_skip_(mw__imap_framer *fr, int status, const char *reason)
{
    fr->state = ST_SKIP;
    fr->skip_status = status;
    fr->skip_reason = reason;
    fr->rec = R_NONE;
    fr->rec_ovf = 0;
    fr->lit_size = 0;
    fr->pending = 0;
}
#define start_skip(fr, status, reason)                                       \
    start_skip_((fr), (status), MW__TEXT(reason))

static void go_dead(mw__imap_framer *fr, mw__imap_fev *ev)
{
    ev_skipped(fr, ev, MW_E_OVERFLOW, "literal size out of range");
    seg_reset(fr);
    fr->state = ST_DEAD;
    fr->in_frame = 0;
    fr->pending = 0;
}

/* What a line end means (normal mode). */
enum { ACT_LINE, ACT_LITERAL, ACT_SKIPPED, ACT_SKIPLIT, ACT_DEAD };

static int line_end(mw__imap_framer *fr, const char *t, size_t te, int bare,
                    mw__imap_fev *ev)
{
    uint64_t size = 0;
    unsigned flags = 0;
    int a = announcement(t, fr->line_start, te, &size, &flags);
    if (a < 0) {
        go_dead(fr, ev);
        return ACT_DEAD;
    }
    if (bare && fr->newline == MW_NEWLINE_REJECT) {
        start_skip(fr, MW_E_BARE_LF, "bare LF line end");
        /* A synchronising literal on a server: the client waits for a
         * "+" that will not come (mw__imap_framer_sync_ends_frame()). */
        if (a > 0 && !(fr->sync_ends && !(flags & MW__IMAP_LIT_NONSYNC))) {
            fr->lit_left = size;
            return ACT_SKIPLIT;
        }
        ev_skipped(fr, ev, fr->skip_status, fr->skip_reason);
        frame_end(fr);
        return ACT_SKIPPED;
    }
    /* every member set (no memset: this runs once per response/command) */
    ev->p = t;
    ev->n = te;
    ev->offset = fr->seg_offset;
    ev->lit_size = 0;
    ev->lit_flags = 0;
    ev->status = MW_OK;
    ev->reason = NULL;
    if (a == 0) {
        ev->type = MW__IMAP_FEV_LINE;
        frame_end(fr);
        return ACT_LINE;
    }
    ev->type = MW__IMAP_FEV_LITERAL;
    ev->lit_size = size;
    ev->lit_flags = flags;
    fr->lit_size = size;
    fr->lit_flags = (uint8_t)flags;
    fr->state = ST_LITWAIT;
    fr->pending = 1;
    return ACT_LITERAL;
}

static void ev_full(mw__imap_framer *fr, const char *t, mw__imap_fev *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->type = MW__IMAP_FEV_FULL;
    ev->p = t;
    ev->n = fr->max_text;
    ev->offset = fr->seg_offset;
    fr->state = ST_FULLWAIT;
    fr->pending = 1;
}

/* Copy n bytes to the held text. The callers keep held <= max_text. */
static void hold(mw__imap_framer *fr, const char *p, size_t n)
{
    if (n == 0)
        return;
    memcpy(fr->buf + fr->held, p, n);
    fr->held += n;
    fr->seg_len = fr->held;
}

/* ST_TEXT with the segment starting at in[*pos] (nothing held). */
static int text_zero_copy(mw__imap_framer *fr, const char *in, size_t len,
                          size_t *pos, mw__imap_fev *ev)
{
    const char *s = in + *pos;
    size_t avail = len - *pos;
    size_t max = fr->max_text;

    if (fr->seg_len > avail)
        fr->seg_len = avail; /* caller did not feed the bytes again */
    if (fr->lit_left > 0) {
        if (fr->lit_left <= (uint64_t)(avail - fr->seg_len)) {
            fr->seg_len += (size_t)fr->lit_left;
            fr->lit_left = 0;
        } else {
            /* The literal goes past this input: hold what there is. */
            fr->lit_left -= (uint64_t)(avail - fr->seg_len);
            fr->seg_len = 0;
            hold(fr, s, avail);
            *pos = len;
            return 0;
        }
    }
    for (;;) {
        size_t win = avail < max + 2 ? avail : max + 2;
        const char *lf = NULL;
        size_t i, te;
        int has_cr;
        if (fr->seg_len < win)
            lf = (const char *)memchr(s + fr->seg_len, '\n',
                                      win - fr->seg_len);
        if (lf == NULL) {
            if (avail >= max + 2 || (avail == max + 1 && s[max] != '\r')) {
                fr->seg_len = max;
                ev_full(fr, s, ev);
                return 1;
            }
            /* Cut by the end of the input: hold it (a final CR of the
             * line text is remembered, not stored, so that a line of
             * exactly max_text bytes fits). */
            fr->seg_len = 0;
            if (avail > fr->line_start && s[avail - 1] == '\r') {
                hold(fr, s, avail - 1);
                fr->cr = 1;
            } else {
                hold(fr, s, avail);
            }
            *pos = len;
            return 0;
        }
        i = (size_t)(lf - s);
        has_cr = i > fr->line_start && s[i - 1] == '\r';
        if (!has_cr && fr->newline == MW_NEWLINE_PASS) {
            fr->seg_len = i + 1; /* a bare LF is text */
            continue;
        }
        te = has_cr ? i - 1 : i;
        if (te > max) {
            fr->seg_len = max;
            ev_full(fr, s, ev);
            return 1;
        }
        switch (line_end(fr, s, te, !has_cr, ev)) {
        case ACT_LITERAL:
            fr->seg_len = te;
            fr->eol = (uint8_t)(i + 1 - te);
            return 1; /* nothing consumed until take() */
        case ACT_SKIPLIT:
            *pos += i + 1;
            return -1; /* go on in ST_SKIP */
        default:
            *pos += i + 1;
            return 1;
        }
    }
}

/* ST_TEXT with part of the segment held in buf. */
static int text_held(mw__imap_framer *fr, const char *in, size_t len,
                     size_t *pos, mw__imap_fev *ev)
{
    size_t max = fr->max_text;

    if (fr->lit_left > 0) {
        size_t k = len - *pos;
        if ((uint64_t)k > fr->lit_left)
            k = (size_t)fr->lit_left;
        hold(fr, in + *pos, k);
        *pos += k;
        fr->lit_left -= k;
        if (fr->lit_left > 0)
            return 0;
    }
    if (*pos >= len)
        return 0;
    if (fr->cr) {
        if (in[*pos] == '\n') {
            /* CRLF across two inputs. */
            *pos += 1;
            fr->cr = 0;
            switch (line_end(fr, fr->buf, fr->held, 0, ev)) {
            case ACT_LITERAL:
                fr->seg_len = fr->held;
                fr->eol = 2;
                return 1;
            case ACT_SKIPLIT:
                return -1;
            default:
                return 1;
            }
        }
        if (fr->held >= max) {
            ev_full(fr, fr->buf, ev);
            return 1;
        }
        fr->cr = 0;
        fr->buf[fr->held++] = '\r';
        fr->seg_len = fr->held;
    }
    for (;;) {
        const char *s = in + *pos;
        size_t avail = len - *pos;
        size_t room = max + 2 - fr->held; /* held <= max */
        size_t win = avail < room ? avail : room;
        const char *lf = win > 0 ? (const char *)memchr(s, '\n', win) : NULL;
        size_t j, te;
        int has_cr;
        if (lf == NULL) {
            size_t total = fr->held + avail;
            if (total >= max + 2 ||
                (total == max + 1 && s[avail - 1] != '\r')) {
                size_t k = max - fr->held;
                hold(fr, s, k);
                *pos += k;
                ev_full(fr, fr->buf, ev);
                return 1;
            }
            if (avail > 0 && s[avail - 1] == '\r') {
                hold(fr, s, avail - 1);
                fr->cr = 1;
            } else {
                hold(fr, s, avail);
            }
            *pos = len;
            return 0;
        }
        j = (size_t)(lf - s);
        if (j > 0)
            has_cr = fr->held + j - 1 >= fr->line_start && s[j - 1] == '\r';
        else
            has_cr = 0; /* a held CR would be in fr->cr */
        if (!has_cr && fr->newline == MW_NEWLINE_PASS) {
            /* A bare LF is text: keep it and look further. */
            if (fr->held + j + 1 > max) {
                size_t k = max - fr->held;
                hold(fr, s, k);
                *pos += k;
                ev_full(fr, fr->buf, ev);
                return 1;
            }
            hold(fr, s, j + 1);
            *pos += j + 1;
            continue;
        }
        te = fr->held + j - (has_cr ? 1u : 0u);
        if (te > max) {
            size_t k = max - fr->held;
            hold(fr, s, k);
            *pos += k;
            ev_full(fr, fr->buf, ev);
            return 1;
        }
        hold(fr, s, j - (has_cr ? 1u : 0u));
        *pos += j + 1;
        switch (line_end(fr, fr->buf, te, !has_cr, ev)) {
        case ACT_LITERAL:
            fr->seg_len = te;
            fr->eol = (uint8_t)(has_cr ? 2 : 1);
            return 1;
        case ACT_SKIPLIT:
            return -1;
        default:
            return 1;
        }
    }
}

/* ST_SKIP: literal bytes by count, line text through the recogniser. */
static int skip_run(mw__imap_framer *fr, const char *in, size_t len,
                    size_t *pos, mw__imap_fev *ev)
{
    while (*pos < len) {
        const char *s, *lf;
        size_t avail;
        if (fr->lit_left > 0) {
            size_t k = len - *pos;
            if ((uint64_t)k > fr->lit_left)
                k = (size_t)fr->lit_left;
            *pos += k;
            fr->lit_left -= k;
            continue;
        }
        s = in + *pos;
        avail = len - *pos;
        lf = (const char *)memchr(s, '\n', avail);
        if (lf == NULL) {
            rec_feed(fr, (const unsigned char *)s, avail);
            *pos = len;
            return 0;
        }
        rec_feed(fr, (const unsigned char *)s, (size_t)(lf - s));
        *pos += (size_t)(lf - s) + 1;
        if (!fr->cr && fr->newline == MW_NEWLINE_PASS) {
            fr->rec = R_NONE; /* a bare LF is text */
            continue;
        }
        fr->cr = 0;
        if (fr->rec == R_CLOSE && fr->sync_ends && !fr->rec_plus) {
            /* A server dropping this frame has already answered it; the
             * client waits for a "+" that never comes and sends the
             * literal's bytes only if it gets one. Skipping n bytes here
             * would eat its next commands and could run a command hidden
             * in a message it sends next (literal confusion). */
            fr->rec = R_NONE;
            fr->lit_size = 0;
            ev_skipped(fr, ev, fr->skip_status, fr->skip_reason);
            frame_end(fr);
            return 1;
        }
        if (fr->rec == R_CLOSE) {
            fr->rec = R_NONE;
            if (fr->rec_ovf) {
                go_dead(fr, ev);
                return 1;
            }
            fr->lit_left = fr->lit_size;
            fr->lit_size = 0;
            continue;
        }
        ev_skipped(fr, ev, fr->skip_status, fr->skip_reason);
        frame_end(fr);
        return 1;
    }
    return 0;
}

int mw__imap_framer_next(mw__imap_framer *fr, const char *in, size_t len,
                         size_t *used, mw__imap_fev *ev)
{
    size_t pos = 0;
    size_t off0 = fr->offset;
    int r = 0;

    if (in == NULL) {
        in = ""; /* no arithmetic on a null pointer */
        len = 0;
    }
    if (fr->release > 0) {
        size_t k = fr->release < len ? fr->release : len;
        pos = k;
        fr->release -= k;
    }
    /* An event left unanswered: the safe answer. */
    if (fr->state == ST_LITWAIT)
        mw__imap_framer_take(fr, MW__IMAP_TAKE_DISCARD, MW_E_INTERNAL,
                             "literal not answered");
    else if (fr->state == ST_FULLWAIT)
        mw__imap_framer_release(fr, 0);
    if (fr->release > 0) {
        size_t k = fr->release < len - pos ? fr->release : len - pos;
        pos += k;
        fr->release -= k;
    }

    for (;;) {
        switch (fr->state) {
        case ST_TEXT:
            if (pos >= len && fr->held == 0 && !fr->cr) {
                r = 0;
                goto out;
            }
            if (!fr->in_frame) {
                fr->in_frame = 1;
                fr->frame_offset = off0 + pos;
                fr->seg_offset = off0 + pos;
            } else if (fr->held == 0 && fr->seg_len == 0 &&
                       fr->lit_left == 0 && !fr->cr) {
                fr->seg_offset = off0 + pos;
            }
            if (fr->held == 0 && !fr->cr && pos < len)
                r = text_zero_copy(fr, in, len, &pos, ev);
            else
                r = text_held(fr, in, len, &pos, ev);
            if (r < 0)
                continue; /* now skipping a literal of a dropped frame */
            goto out;
        case ST_STREAM:
            if (pos >= len) {
                r = 0;
                goto out;
            }
            {
                size_t k = len - pos;
                if ((uint64_t)k > fr->lit_left)
                    k = (size_t)fr->lit_left;
                memset(ev, 0, sizeof(*ev));
                ev->type = MW__IMAP_FEV_DATA;
                ev->p = in + pos;
                ev->n = k;
                ev->offset = off0 + pos;
                pos += k;
                fr->lit_left -= k;
                if (fr->lit_left == 0)
                    fr->state = ST_STREAM_END;
            }
            r = 1;
            goto out;
        case ST_STREAM_END:
            memset(ev, 0, sizeof(*ev));
            ev->type = MW__IMAP_FEV_LITERAL_END;
            ev->offset = off0 + pos;
            seg_reset(fr);
            fr->state = ST_TEXT;
            r = 1;
            goto out;
        case ST_SKIP:
            r = skip_run(fr, in, len, &pos, ev);
            goto out;
        case ST_DEAD:
            pos = len;
            r = 0;
            goto out;
        default: /* LITWAIT/FULLWAIT answered above; cannot happen */
            r = 0;
            goto out;
        }
    }
out:
    fr->offset = off0 + pos;
    if (used != NULL)
        *used = pos;
    return r;
}

void mw__imap_framer_take_(mw__imap_framer *fr, int how, int status,
                           const char *reason)
{
    size_t text = fr->seg_len; /* through "}" */
    int zero_copy = fr->held == 0;
    if (fr->state != ST_LITWAIT)
        return;
    fr->pending = 0;
    if (how == MW__IMAP_TAKE_INLINE) {
        uint64_t room = (uint64_t)(fr->max_text - text);
        if ((uint64_t)fr->eol > room ||
            fr->lit_size > room - (uint64_t)fr->eol) {
            how = MW__IMAP_TAKE_DISCARD;
            status = MW_E_TOO_LONG;
            reason = MW__TEXT("literal does not fit the frame limit");
        } else {
            if (zero_copy) {
                fr->seg_len = text + fr->eol;
            } else {
                hold(fr, fr->eol == 2 ? "\r\n" : "\n", fr->eol);
            }
            fr->lit_left = fr->lit_size;
            fr->line_start = fr->seg_len + (size_t)fr->lit_size;
            fr->state = ST_TEXT;
            return;
        }
    }
    /* The text before the literal is given up: consume it (zero-copy: at
     * the next call; held: it was consumed already). */
    fr->release += zero_copy ? text + fr->eol : 0;
    seg_reset(fr);
    switch (how) {
    case MW__IMAP_TAKE_STREAM:
        fr->lit_left = fr->lit_size;
        fr->state = fr->lit_left > 0 ? ST_STREAM : ST_STREAM_END;
        break;
    case MW__IMAP_TAKE_REFUSE:
        frame_end(fr);
        break;
    default: /* DISCARD, and anything unknown */
        fr->lit_left = fr->lit_size;
        start_skip(fr, status != MW_OK ? status : MW_E_LIMIT,
                   reason != NULL ? reason : "literal discarded");
        break;
    }
}

void mw__imap_framer_release(mw__imap_framer *fr, size_t k)
{
    if (fr->state != ST_FULLWAIT)
        return;
    fr->pending = 0;
    if (k > fr->max_text)
        k = fr->max_text;
    if (k == 0) {
        /* Drop the frame. The line so far may end in the beginning of a
         * literal announcement: feed its text to the recogniser. */
        if (fr->held > 0) {
            uint8_t cr = fr->cr; /* a CR after the held text */
            start_skip(fr, MW_E_TOO_LONG, "line too long");
            fr->cr = 0;
            if (fr->held > fr->line_start)
                rec_feed(fr, (const unsigned char *)fr->buf + fr->line_start,
                         fr->held - fr->line_start);
            if (cr) {
                /* the held text ended before it: the recogniser's state
                 * is that of the text, and the CR is still pending */
                if (fr->cr)
                    fr->rec = R_NONE; /* a CR inside the text was text */
                fr->cr = 1;
            }
            fr->held = 0;
            fr->seg_len = 0;
        } else {
            /* Zero-copy: the segment is still at the start of the next
             * input; skip its inline part by count, scan the rest. */
            size_t ls = fr->line_start;
            start_skip(fr, MW_E_TOO_LONG, "line too long");
            fr->cr = 0;
            fr->lit_left = ls;
            fr->seg_len = 0;
        }
        fr->line_start = 0;
        return;
    }
    if (fr->held > 0) {
        memmove(fr->buf, fr->buf + k, fr->held - k);
        fr->held -= k;
        fr->seg_len = fr->held;
        if (fr->cr) {
            fr->buf[fr->held++] = '\r';
            fr->seg_len = fr->held;
            fr->cr = 0;
        }
    } else {
        fr->release += k;
        fr->seg_len = fr->max_text - k;
    }
    fr->line_start = fr->line_start > k ? fr->line_start - k : 0;
    fr->seg_offset += k;
    fr->state = ST_TEXT;
}

int mw__imap_framer_fits(const mw__imap_framer *fr, uint64_t size)
{
    uint64_t room;
    if (fr->state != ST_LITWAIT || fr->seg_len + fr->eol > fr->max_text)
        return 0;
    room = (uint64_t)(fr->max_text - fr->seg_len - fr->eol);
    return size <= room;
}
