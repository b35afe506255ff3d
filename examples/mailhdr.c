/* SPDX-License-Identifier: MIT */
/*
 * mailhdr: print the header of e-mail messages as JSON.
 *
 * This is the example to read first. It shows the whole RFC 5322 side of
 * mailwire working together:
 *
 *  1. The streaming splitter (hdr_split.h). Each message is read with
 *     fread() in 4 KiB chunks and fed to an mw_hdr_parser; the parser calls
 *     back once per header field (name, raw value, unfolded value) and once
 *     per defect. Each field is printed as soon as it arrives, so the
 *     program never holds the whole message: it stops reading as soon as
 *     the splitter says the body starts (MW_DONE).
 *  2. The structured parsers (hdr_address.h, hdr_date.h, hdr_fields.h,
 *     hdr_mime.h) and the decoders (hdr_decode.h). The callback keeps a
 *     copy of the few fields it interprets (From, To, Date, Subject...);
 *     once the header has ended they are parsed, decoded to UTF-8 and
 *     printed.
 *  3. Error handling. Nothing stops at the first problem: every defect the
 *     splitter reports and every error a field parser returns is collected
 *     with its absolute byte offset and printed in a "defects" list, and the
 *     exit status says whether every message was clean.
 *
 * The library itself never allocates and never does I/O; this program does
 * both (stdio, malloc), to keep copies of the fields it interprets. They
 * are at most the size of the header, which the splitter caps at
 * MW_HDR_MAX_HEADER (10 MiB) by default.
 *
 * Run "mailhdr --help" for the options and the output format;
 * examples/README.md describes every member of the output.
 */
#include <mailwire/mailwire.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 4096 /* bytes per fread(); any size works, even 1 */

/* ======================================================================
 * Small helpers. Running out of memory is not worth recovering from in a
 * command-line tool: say so and exit with status 2.
 * ====================================================================== */

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (p == NULL) {
        fputs("mailhdr: out of memory\n", stderr);
        exit(2);
    }
    return p;
}

static char *xmemdup(const char *p, size_t n)
{
    char *q = xrealloc(NULL, n + 1);
    if (n > 0)
        memcpy(q, p, n);
    q[n] = '\0';
    return q;
}

/* One reusable buffer for decoded text: every value is printed right after
 * it is decoded, so one buffer is enough. */
static char *scratch_buf;
static size_t scratch_cap;

static char *scratch(size_t n)
{
    if (n + 1 > scratch_cap) {
        scratch_cap = n + 1;
        scratch_buf = xrealloc(scratch_buf, scratch_cap);
    }
    return scratch_buf;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive comparison of two byte runs. */
static int ieq(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i;
    if (an != bn)
        return 0;
    for (i = 0; i < an; i++)
        if (lower(a[i]) != lower(b[i]))
            return 0;
    return 1;
}

/* ======================================================================
 * A tiny JSON writer. Strings are (pointer, length) byte runs that may hold
 * anything, so they are escaped here:
 *  - '"' and '\' get a backslash; LF, CR and TAB become \n, \r and \t;
 *    other control characters (and DEL) become \u00XX;
 *  - well-formed UTF-8 is copied as it is (mw_utf8_check() finds where it
 *    stops being well-formed);
 *  - each byte of an ill-formed sequence becomes U+FFFD, so the output is
 *    always valid JSON in UTF-8. Such fields carry the "bad-utf8" flag.
 * ====================================================================== */

#define JSON_MAX_DEPTH 16

static struct {
    int pretty;                  /* --pretty: indent by two spaces */
    int depth;                   /* open objects and arrays */
    int empty[JSON_MAX_DEPTH];   /* nothing written yet at this depth */
    int after_key;               /* a key was written, its value is next */
} jw;

static void j_indent(void)
{
    int i;
    putchar('\n');
    for (i = 0; i < jw.depth; i++)
        fputs("  ", stdout);
}

/* Before any value or key: the comma and indentation it needs. */
static void j_sep(void)
{
    if (jw.after_key) {
        jw.after_key = 0;
        return;
    }
    if (jw.depth == 0)
        return;
    if (!jw.empty[jw.depth])
        putchar(',');
    jw.empty[jw.depth] = 0;
    if (jw.pretty)
        j_indent();
}

static void put_escaped(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        switch (c) {
        case '"': fputs("\\\"", stdout); break;
        case '\\': fputs("\\\\", stdout); break;
        case '\n': fputs("\\n", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        case '\t': fputs("\\t", stdout); break;
        default:
            if (c < 0x20 || c == 0x7f)
                printf("\\u%04x", (unsigned)c);
            else
                putchar(c);
        }
    }
}

static void put_string(const char *p, size_t n)
{
    putchar('"');
    while (n > 0) {
        size_t good = n;
        (void)mw_utf8_check(p, n, &good); /* good stays n when all is well */
        put_escaped(p, good);
        if (good == n)
            break;
        fputs("\\ufffd", stdout); /* one ill-formed byte */
        p += good + 1;
        n -= good + 1;
    }
    putchar('"');
}

static void j_open(char c)
{
    j_sep();
    putchar(c);
    if (jw.depth + 1 >= JSON_MAX_DEPTH) {
        fputs("mailhdr: JSON nesting too deep\n", stderr); /* a bug here */
        exit(2);
    }
    jw.depth++;
    jw.empty[jw.depth] = 1;
}

static void j_close(char c)
{
    int was_empty = jw.empty[jw.depth];
    jw.depth--;
    if (jw.pretty && !was_empty)
        j_indent();
    putchar(c);
}

static void j_key_n(const char *k, size_t n)
{
    j_sep();
    put_string(k, n);
    fputs(jw.pretty ? ": " : ":", stdout);
    jw.after_key = 1;
}

static void j_key(const char *k)
{
    j_key_n(k, strlen(k));
}

static void j_str(const char *p, size_t n)
{
    j_sep();
    put_string(p, n);
}

static void j_span(mw_span s)
{
    j_str(s.ptr, s.len);
}

static void j_cstr(const char *s)
{
    j_str(s, strlen(s));
}

static void j_null(void)
{
    j_sep();
    fputs("null", stdout);
}

static void j_bool(int b)
{
    j_sep();
    fputs(b ? "true" : "false", stdout);
}

static void j_size(size_t v)
{
    j_sep();
    printf("%llu", (unsigned long long)v);
}

/* A span in ASCII lower case (MIME types, parameter names, keywords). */
static void j_lower(mw_span s)
{
    char *b = scratch(s.len);
    size_t i;
    for (i = 0; i < s.len; i++)
        b[i] = lower(s.ptr[i]);
    j_str(b, s.len);
}

/* A span with every run of white space and line ends turned into one
 * space, and none at the ends: for raw text that may be folded (address
 * entries, Received clauses). An empty result is null. */
static void j_squeezed(mw_span s)
{
    char *b = scratch(s.len);
    size_t i, n = 0;
    int ws = 0;
    for (i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            ws = 1;
            continue;
        }
        if (ws && n > 0)
            b[n++] = ' ';
        ws = 0;
        b[n++] = c;
    }
    if (n == 0)
        j_null();
    else
        j_str(b, n);
}

/* Flag bits as a list of names. */
struct flag_name {
    unsigned bit;
    const char *name;
};

static void j_flags(const struct flag_name *t, size_t n, unsigned bits)
{
    size_t i;
    j_open('[');
    for (i = 0; i < n; i++)
        if (bits & t[i].bit)
            j_cstr(t[i].name);
    j_close(']');
}

/* ======================================================================
 * What the splitter's callbacks collect for one message.
 * ====================================================================== */

/* The fields mailhdr interprets. "many": every occurrence is used (RFC 5322
 * §3.6 allows any number); otherwise only the first one, as most readers
 * do (the "fields" list still shows every occurrence). */
enum kind {
    K_FROM, K_SENDER, K_REPLY_TO, K_TO, K_CC, K_BCC, K_DATE, K_MESSAGE_ID,
    K_IN_REPLY_TO, K_REFERENCES, K_SUBJECT, K_KEYWORDS, K_CONTENT_TYPE,
    K_CTE, K_CONTENT_DISPOSITION, K_RETURN_PATH, K_RECEIVED, K_COUNT
};

static const struct {
    const char *name; /* field name, compared case-insensitively */
    const char *key;  /* JSON member */
    int many;
} kinds[K_COUNT] = {
    {"From", "from", 0},
    {"Sender", "sender", 0},
    {"Reply-To", "reply_to", 0},
    {"To", "to", 0},
    {"Cc", "cc", 0},
    {"Bcc", "bcc", 0},
    {"Date", "date", 0},
    {"Message-ID", "message_id", 0},
    {"In-Reply-To", "in_reply_to", 0},
    {"References", "references", 0},
    {"Subject", "subject", 0},
    {"Keywords", "keywords", 1},
    {"Content-Type", "content_type", 0},
    {"Content-Transfer-Encoding", "content_transfer_encoding", 0},
    {"Content-Disposition", "content_disposition", 0},
    {"Return-Path", "return_path", 0},
    {"Received", "received", 1},
};

/* A copy of one field mailhdr interprets. The field's spans are valid only
 * during the callback, so the raw value is copied. */
typedef struct kept {
    int kind;
    size_t index; /* position in the "fields" list */
    size_t off;   /* absolute offset of raw[0] in the message */
    char *name;   /* the field name as written */
    char *raw;    /* the raw value (folding included), NUL added */
    size_t len;
} kept;

/* One entry of the "defects" list. */
typedef struct defect {
    size_t offset;      /* absolute byte offset in the message */
    size_t seq;         /* order found, to keep the sort stable */
    int code;           /* MW_E_* status */
    const char *kind;   /* splitter defect kind, "value" or "stopped" */
    const char *reason; /* static text from the library */
    long field;         /* index in "fields", or -1 */
    char *name;         /* that field's name, or NULL */
    char *bytes;        /* start of a skipped or dropped unit, or NULL */
    size_t nbytes;
} defect;

typedef struct msg {
    size_t nfields;     /* field events so far */
    kept *kept;
    size_t nkept, capkept;
    int seen[K_COUNT];  /* a single-occurrence kind was kept already */
    defect *defects;
    size_t ndefects, capdefects;
    size_t unattached;  /* first splitter defect not yet tied to a field */
    int ended;          /* the end event came */
    size_t body_offset;
} msg;

/* Options shared by every decoder call (--lenient sets the flags). A
 * charset hook could go here: the library knows only UTF-8, US-ASCII and
 * ISO-8859-1, and reports MW_E_CHARSET for the others. */
static mw_hdr_decode_opts decode_opts;

static defect *add_defect(msg *m, int code, const char *kind, size_t offset,
                          const char *reason)
{
    defect *d;
    if (m->ndefects == m->capdefects) {
        m->capdefects = m->capdefects ? 2 * m->capdefects : 16;
        m->defects = xrealloc(m->defects, m->capdefects * sizeof *m->defects);
    }
    d = &m->defects[m->ndefects];
    memset(d, 0, sizeof *d);
    d->offset = offset;
    d->seq = m->ndefects++;
    d->code = code;
    d->kind = kind;
    d->reason = reason ? reason : "";
    d->field = -1;
    return d;
}

/* An error from a structured parser or decoder. `base` is the absolute
 * offset of the text the function was given, so that every offset in the
 * output counts from the start of the message. */
static void value_error(msg *m, const kept *k, size_t base,
                        const mw_error *e)
{
    defect *d = add_defect(m, e->code, "value", base + e->offset, e->reason);
    d->field = (long)k->index;
    d->name = xmemdup(k->name, strlen(k->name));
}

/* Offset of a pointer into k->raw, as an absolute offset. */
static size_t abs_off(const kept *k, const char *p)
{
    return k->off + (size_t)(p - k->raw);
}

/* ---- the splitter's callbacks ----------------------------------------- */

static const struct flag_name field_flags[] = {
    {MW_HDR_F_FOLDED, "folded"},       {MW_HDR_F_BARE_LF, "bare-lf"},
    {MW_HDR_F_BARE_CR, "bare-cr"},     {MW_HDR_F_NUL, "nul"},
    {MW_HDR_F_8BIT, "8bit"},           {MW_HDR_F_BAD_UTF8, "bad-utf8"},
    {MW_HDR_F_OBS_WSP, "obs-wsp"},     {MW_HDR_F_OBS_FWS, "obs-fws"},
    {MW_HDR_F_LONG_LINE, "long-line"}, {MW_HDR_F_MBOX_FROM, "mbox-from"},
    {MW_HDR_F_NO_EOL, "no-eol"},
};

static int on_field(mw_hdr_parser *p, void *user, const mw_hdr_field *f)
{
    msg *m = user;
    int k;
    (void)p;

    /* The defects reported since the last field were about this one
     * (a unit's defects come just before its field). */
    for (; m->unattached < m->ndefects; m->unattached++) {
        defect *d = &m->defects[m->unattached];
        d->field = (long)m->nfields;
        d->name = xmemdup(f->name.ptr, f->name.len);
    }

    /* Print the field right away: its spans die when we return. */
    j_open('{');
    j_key("name");
    j_span(f->name);
    j_key("offset");
    j_size(f->offset);
    j_key("raw");
    j_span(f->raw);
    j_key("value");
    j_span(f->value);
    j_key("flags");
    j_flags(field_flags, sizeof field_flags / sizeof field_flags[0],
            f->flags);
    j_close('}');

    /* Keep a copy if it is one we interpret. mw_hdr_name_is() ignores
     * case (RFC 5322 §1.2.2) and never matches the mbox "From " line. */
    for (k = 0; k < K_COUNT; k++) {
        kept *c;
        if (!mw_hdr_name_is(f, kinds[k].name))
            continue;
        if (m->seen[k] && !kinds[k].many)
            break;
        m->seen[k] = 1;
        if (m->nkept == m->capkept) {
            m->capkept = m->capkept ? 2 * m->capkept : 16;
            m->kept = xrealloc(m->kept, m->capkept * sizeof *m->kept);
        }
        c = &m->kept[m->nkept++];
        c->kind = k;
        c->index = m->nfields;
        /* name and raw lie in the same memory: the distance between them
         * turns raw's position into an absolute offset. */
        c->off = f->offset + (size_t)(f->raw.ptr - f->name.ptr);
        c->name = xmemdup(f->name.ptr, f->name.len);
        c->raw = xmemdup(f->raw.ptr, f->raw.len);
        c->len = f->raw.len;
        break;
    }
    m->nfields++;
    return 0;
}

static const char *const defect_kinds[] = {
    "?", "long-line", "bare-lf", "bare-cr", "nul", "bad-utf8", "no-eol",
    "field-too-long", "no-colon", "bad-name", "cont-first",
};

static int on_defect(mw_hdr_parser *p, void *user, const mw_hdr_defect *d)
{
    msg *m = user;
    int kind = d->kind;
    defect *x;
    (void)p;

    if (kind < 1 || kind > MW_HDR_D_CONT_FIRST)
        kind = 0;
    x = add_defect(m, d->code, defect_kinds[kind], d->offset, d->reason);
    if (kind >= MW_HDR_D_FIELD_TOO_LONG) {
        /* A dropped or skipped unit: no field follows for it, so its
         * defects stay unattached. Keep its first bytes to show what was
         * lost. */
        x->nbytes = d->bytes.len < 64 ? d->bytes.len : 64;
        x->bytes = xmemdup(d->bytes.ptr, x->nbytes);
        m->unattached = m->ndefects;
    }
    return 0;
}

static int on_end(mw_hdr_parser *p, void *user, size_t body_offset)
{
    msg *m = user;
    (void)p;
    m->ended = 1;
    m->body_offset = body_offset;
    m->unattached = m->ndefects; /* e.g. a bare LF ending the header */
    return 0;
}

/* ======================================================================
 * The structured values, printed from the kept copies once the header has
 * ended. Every parser takes the raw value (with its folding); offsets in
 * their errors count from its first byte.
 * ====================================================================== */

typedef int (*decode_fn)(const char *, size_t, const mw_hdr_decode_opts *,
                         char *, size_t, size_t *, mw_error *);

/* Decode text for display (RFC 2047 encoded words, quoted strings,
 * comments) to UTF-8 and print it. A decoding problem is a defect, but the
 * output is still complete: undecodable words stay as they were written. */
static void j_decoded(msg *m, const kept *k, decode_fn fn, const char *p,
                      size_t n, unsigned extra_flags)
{
    mw_hdr_decode_opts o = decode_opts;
    size_t cap = MW_HDR_DECODED_MAX(n), len = 0;
    char *out = scratch(cap);
    mw_error e;
    int rc;

    o.flags |= extra_flags;
    rc = fn(p, n, &o, out, cap, &len, &e);
    if (rc != MW_OK)
        value_error(m, k, abs_off(k, p), &e);
    j_str(out, len);
}

/* A date-time as {"rfc3339": ..., "epoch": ...}. */
static void j_datetime(const mw_hdr_datetime *dt)
{
    char s[MW_HDR_RFC3339_LEN];
    size_t n = 0;
    int rc = mw_hdr_format_rfc3339(dt, s, sizeof s, &n);
    if (rc == MW_E_INVAL) {
        /* RFC 3339 offsets stop at 23:59 but RFC 5322 zones go up to
         * 99:59: give such a date in UTC. */
        mw_hdr_datetime utc;
        rc = mw_hdr_datetime_from_epoch(dt->epoch, 0, &utc);
        if (rc == MW_OK)
            rc = mw_hdr_format_rfc3339(&utc, s, sizeof s, &n);
    }
    j_open('{');
    j_key("rfc3339");
    if (rc == MW_OK)
        j_str(s, n);
    else
        j_null();
    j_key("epoch");
    j_sep();
    printf("%lld", (long long)dt->epoch);
    j_close('}');
}

/* From, Sender, Reply-To, To, Cc, Bcc (RFC 5322 §3.6.2, §3.6.3). */
static void print_addresses(msg *m, const kept *k)
{
    unsigned opts = (k->kind == K_FROM || k->kind == K_SENDER)
                        ? MW_HDR_ADDR_MAILBOX_LIST : 0u;
    mw_hdr_addr_iter it;
    mw_hdr_address a;

    /* The iterator yields one entry at a time in constant memory; the
     * spans it returns point into k->raw. */
    mw_hdr_addr_iter_init(&it, k->raw, k->len, opts);
    j_open('[');
    while (mw_hdr_addr_next(&it, &a) == MW_OK) {
        int invalid = (a.flags & MW_HDR_ADDR_INVALID) != 0;
        j_open('{');
        /* Decode the display name only now that the structure is known:
         * an encoded "<" or "," must never become syntax (RFC 2047 §6.2). */
        j_key("display");
        if (a.display.len > 0)
            j_decoded(m, k, mw_hdr_decode_phrase, a.display.ptr,
                      a.display.len, 0);
        else
            j_null();
        j_key("address");
        if (invalid || (a.flags & MW_HDR_ADDR_GROUP_EMPTY)) {
            j_null();
        } else {
            size_t cap = a.local.len + a.domain.len + 3, len = 0;
            char *out = scratch(cap);
            if (mw_hdr_addr_spec(&a, out, cap, &len) == MW_OK)
                j_str(out, len);
            else
                j_null();
        }
        j_key("group");
        if (a.group.len > 0)
            j_decoded(m, k, mw_hdr_decode_phrase, a.group.ptr, a.group.len,
                      0);
        else
            j_null();
        j_key("invalid");
        j_bool(invalid);
        j_key("raw");
        j_squeezed(a.raw);
        j_close('}');
        if (invalid)
            value_error(m, k, k->off, &a.error);
    }
    j_close(']');
}

/* Date (RFC 5322 §3.3). A day of the week that does not match the date is
 * an error, but the date itself is complete and printed. */
static void print_date(msg *m, const kept *k)
{
    mw_hdr_datetime dt;
    mw_error e;
    int rc = mw_hdr_parse_date(k->raw, k->len, &dt, &e);
    if (rc != MW_OK)
        value_error(m, k, k->off, &e);
    if (rc == MW_OK ||
        (rc == MW_E_DATE && (dt.flags & MW_HDR_DATE_WDAY_MISMATCH)))
        j_datetime(&dt);
    else
        j_null();
}

/* A msg-id without its angle brackets, with the white space and comments
 * the obsolete syntax allows inside it removed (RFC 5322 §4.5.4). */
static void j_msgid(mw_span id)
{
    char *out = scratch(id.len);
    size_t len = 0;
    (void)mw_hdr_msgid_normalize(id, out, id.len, &len);
    j_str(out, len);
}

/* Message-ID (RFC 5322 §3.6.4). */
static void print_message_id(msg *m, const kept *k)
{
    mw_span id;
    mw_error e;
    int rc = mw_hdr_parse_msgid(k->raw, k->len, &id, &e);
    if (rc == MW_OK) {
        j_msgid(id);
    } else {
        value_error(m, k, k->off, &e);
        j_null();
    }
}

/* In-Reply-To, References (RFC 5322 §3.6.4): a list of msg-ids. After an
 * error the iterator has moved on, so the ids after a bad one are kept. */
static void print_msgid_list(msg *m, const kept *k)
{
    mw_hdr_msgid_iter it;
    mw_span id;
    mw_error e;
    int rc;

    mw_hdr_msgid_iter_init(&it, k->raw, k->len);
    j_open('[');
    while ((rc = mw_hdr_msgid_next(&it, &id, NULL, &e)) != MW_DONE) {
        if (rc == MW_OK)
            j_msgid(id);
        else
            value_error(m, k, k->off, &e);
    }
    j_close(']');
}

/* Keywords (RFC 5322 §3.6.5): comma-separated phrases, every Keywords
 * field together. */
static void print_keywords(msg *m)
{
    size_t i;
    j_open('[');
    for (i = 0; i < m->nkept; i++) {
        const kept *k = &m->kept[i];
        mw_hdr_keywords_iter it;
        mw_span ph;
        mw_error e;
        int rc;
        if (k->kind != K_KEYWORDS)
            continue;
        mw_hdr_keywords_iter_init(&it, k->raw, k->len);
        while ((rc = mw_hdr_keywords_next(&it, &ph, NULL, &e)) != MW_DONE) {
            if (rc == MW_OK)
                j_decoded(m, k, mw_hdr_decode_phrase, ph.ptr, ph.len, 0);
            else
                value_error(m, k, k->off, &e);
        }
    }
    j_close(']');
}

/* The parameters of Content-Type or Content-Disposition as an object,
 * name (lower case) to value (UTF-8). mw_hdr_param_get() finds every piece
 * of a parameter (RFC 2231 "name*0*", "name*1"...), joins, unquotes,
 * percent-decodes and converts it, so each name is asked for once. */
static void print_params(msg *m, const kept *k, const mw_hdr_param *pa,
                         size_t n)
{
    size_t i, j;
    j_open('{');
    for (i = 0; i < n; i++) {
        char *name, *out;
        size_t cap = 3 * k->len + 16, len = 0;
        mw_hdr_param_info info;
        mw_error e = {MW_OK, 0, NULL};
        int rc;

        /* Skip a name already printed. This is quadratic in the number of
         * parameters, which the parser caps at MW_HDR_MAX_PARAMS. */
        for (j = 0; j < i; j++)
            if (ieq(pa[j].name.ptr, pa[j].name.len, pa[i].name.ptr,
                    pa[i].name.len))
                break;
        if (j < i)
            continue;

        name = xmemdup(pa[i].name.ptr, pa[i].name.len);
        for (j = 0; name[j] != '\0'; j++)
            name[j] = lower(name[j]);
        j_key_n(name, pa[i].name.len); /* the key, in lower case */
        out = scratch(cap);
        rc = mw_hdr_param_get(pa, n, name, &decode_opts, out, cap, &len,
                              &info, &e);
        free(name);
        if (rc == MW_OK || rc == MW_E_NUL)
            j_str(out, len);
        else
            j_null();
        if (rc != MW_OK) {
            value_error(m, k, k->off, &e);
        } else if (info.flags & (MW_HDR_PV_DUPLICATE | MW_HDR_PV_GAP)) {
            /* Not errors, but readers that pick another copy (or join
             * the sections differently) see another value: a known way to
             * smuggle attachments past filters. */
            e.code = MW_E_SYNTAX;
            e.offset = pa[i].offset;
            e.reason = (info.flags & MW_HDR_PV_DUPLICATE)
                ? "parameter given more than once; the first one is used"
                : "RFC 2231 sections missing; the value ends at the gap";
            value_error(m, k, k->off, &e);
        }
    }
    j_close('}');
}

static mw_hdr_param params[MW_HDR_MAX_PARAMS];

/* Content-Type (RFC 2045 §5.1). A type that cannot be read becomes the
 * RFC 2045 §5.2 default, text/plain; charset=us-ascii, with a defect. */
static void print_content_type(msg *m, const kept *k)
{
    mw_hdr_content_type ct;
    mw_error e;
    int rc = mw_hdr_parse_content_type(k->raw, k->len, &ct, params,
                                       MW_HDR_MAX_PARAMS, &e);
    if (rc != MW_OK)
        value_error(m, k, k->off, &e);
    j_open('{');
    j_key("type");
    j_lower(ct.type);
    j_key("subtype");
    j_lower(ct.subtype);
    j_key("params");
    print_params(m, k, ct.params, ct.nparams);
    j_close('}');
}

/* Content-Disposition (RFC 2183). */
static void print_content_disposition(msg *m, const kept *k)
{
    mw_hdr_content_disposition cd;
    mw_error e;
    int rc = mw_hdr_parse_content_disposition(k->raw, k->len, &cd, params,
                                              MW_HDR_MAX_PARAMS, &e);
    if (rc != MW_OK)
        value_error(m, k, k->off, &e);
    j_open('{');
    j_key("type");
    j_lower(cd.type);
    j_key("params");
    print_params(m, k, cd.params, cd.nparams);
    j_close('}');
}

/* Content-Transfer-Encoding (RFC 2045 §6.1). */
static void print_cte(msg *m, const kept *k)
{
    static const char *const names[] = {
        NULL, "7bit", "8bit", "binary", "quoted-printable", "base64",
    };
    int enc = MW_HDR_CTE_INVALID;
    mw_span tok = {NULL, 0};
    mw_error e;
    int rc = mw_hdr_parse_cte(k->raw, k->len, &enc, &tok, &e);
    if (rc != MW_OK)
        value_error(m, k, k->off, &e);
    if (enc >= MW_HDR_CTE_7BIT && enc <= MW_HDR_CTE_BASE64)
        j_cstr(names[enc]);
    else if (enc == MW_HDR_CTE_OTHER)
        j_lower(tok);
    else
        j_null();
}

/* Return-Path (RFC 5322 §3.6.7): an address, "" for the null path "<>". */
static void print_return_path(msg *m, const kept *k)
{
    mw_hdr_address a;
    int rc = mw_hdr_parse_return_path(k->raw, k->len, &a, NULL);
    size_t cap = a.local.len + a.domain.len + 3, len = 0;
    char *out = scratch(cap);
    if (rc == MW_OK && mw_hdr_addr_spec(&a, out, cap, &len) == MW_OK) {
        j_str(out, len);
    } else {
        value_error(m, k, k->off, &a.error);
        j_null();
    }
}

/* Received (RFC 5322 §3.6.7, RFC 5321 §4.4): its clauses ("from", "by",
 * "with"...) and its date. */
static void print_received(msg *m, const kept *k)
{
    mw_hdr_received r;
    mw_hdr_received_iter it;
    mw_hdr_received_clause c;
    mw_error e;
    int rc = mw_hdr_parse_received(k->raw, k->len, &r, &e);

    /* No ';' and no date (MW_E_INCOMPLETE) is the obsolete form of RFC 5322
     * §4.5.7, which readers must accept: not a defect. */
    if (rc != MW_OK && rc != MW_E_INCOMPLETE)
        value_error(m, k, k->off, &e);
    j_open('{');
    j_key("clauses");
    j_open('[');
    mw_hdr_received_iter_init(&it, r.tokens.ptr, r.tokens.len);
    while (mw_hdr_received_next(&it, &c) == MW_OK) {
        j_open('{');
        j_key("name");
        if (c.name.len > 0)
            j_lower(c.name);
        else
            j_null();
        j_key("value");
        j_squeezed(c.value);
        j_key("comment");
        j_squeezed(c.comment);
        j_close('}');
    }
    j_close(']');
    j_key("date");
    if (rc == MW_OK ||
        (rc == MW_E_DATE && (r.date.flags & MW_HDR_DATE_WDAY_MISMATCH)))
        j_datetime(&r.date);
    else
        j_null();
    j_close('}');
}

/* Every structured member, in the order of kinds[]. A field that is
 * absent is null (an empty list for Keywords and Received). */
static void print_structured(msg *m)
{
    int kd;
    for (kd = 0; kd < K_COUNT; kd++) {
        const kept *k = NULL;
        size_t i;
        for (i = 0; i < m->nkept && k == NULL; i++)
            if (m->kept[i].kind == kd)
                k = &m->kept[i];
        j_key(kinds[kd].key);
        if (kd == K_KEYWORDS) {
            print_keywords(m);
            continue;
        }
        if (kd == K_RECEIVED) {
            j_open('[');
            for (i = 0; i < m->nkept; i++)
                if (m->kept[i].kind == K_RECEIVED)
                    print_received(m, &m->kept[i]);
            j_close(']');
            continue;
        }
        if (k == NULL) {
            j_null();
            continue;
        }
        switch (kd) {
        case K_DATE: print_date(m, k); break;
        case K_MESSAGE_ID: print_message_id(m, k); break;
        case K_IN_REPLY_TO:
        case K_REFERENCES: print_msgid_list(m, k); break;
        case K_SUBJECT:
            j_decoded(m, k, mw_hdr_decode_unstructured, k->raw, k->len,
                      MW_HDR_DECODE_TRIM);
            break;
        case K_CONTENT_TYPE: print_content_type(m, k); break;
        case K_CTE: print_cte(m, k); break;
        case K_CONTENT_DISPOSITION: print_content_disposition(m, k); break;
        case K_RETURN_PATH: print_return_path(m, k); break;
        default: print_addresses(m, k); break; /* the address fields */
        }
    }
}

/* Defects in message order (then in the order they were found). */
static int defect_cmp(const void *a, const void *b)
{
    const defect *x = a, *y = b;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

static void print_defects(msg *m)
{
    size_t i;
    if (m->ndefects > 1)
        qsort(m->defects, m->ndefects, sizeof *m->defects, defect_cmp);
    j_open('[');
    for (i = 0; i < m->ndefects; i++) {
        const defect *d = &m->defects[i];
        j_open('{');
        j_key("kind");
        j_cstr(d->kind);
        j_key("code");
        j_cstr(mw_status_name(d->code));
        j_key("offset");
        j_size(d->offset);
        j_key("reason");
        j_cstr(d->reason);
        j_key("field");
        if (d->name)
            j_cstr(d->name);
        else
            j_null();
        j_key("field_index");
        if (d->field >= 0)
            j_size((size_t)d->field);
        else
            j_null();
        if (d->bytes) {
            j_key("bytes");
            j_str(d->bytes, d->nbytes);
        }
        j_close('}');
    }
    j_close(']');
}

static void free_msg(msg *m)
{
    size_t i;
    for (i = 0; i < m->nkept; i++) {
        free(m->kept[i].name);
        free(m->kept[i].raw);
    }
    for (i = 0; i < m->ndefects; i++) {
        free(m->defects[i].name);
        free(m->defects[i].bytes);
    }
    free(m->kept);
    free(m->defects);
}

/* ======================================================================
 * One message: stream it through the splitter, then print the rest.
 * Returns 0 (clean), 1 (defects) or 2 (read error).
 * ====================================================================== */

static int process(const char *label, FILE *in, const mw_hdr_config *cfg,
                   char *buf, size_t buflen)
{
    static const mw_hdr_callbacks cb = {on_field, on_defect, on_end};
    static char chunk[CHUNK];
    mw_hdr_parser p;
    msg m;
    int rc, io_error = 0;

    memset(&m, 0, sizeof m);
    /* The parser is a plain struct on the stack; it works in `buf`,
     * allocated once by main() and reused for every message. */
    rc = mw_hdr_parser_init(&p, cfg, &cb, &m, buf, buflen);
    if (rc != MW_OK) {
        fprintf(stderr, "mailhdr: mw_hdr_parser_init: %s\n", mw_strerror(rc));
        return 2;
    }

    j_open('{');
    j_key("file");
    j_cstr(label);
    j_key("fields");
    j_open('['); /* the field callback prints into this array */
    for (;;) {
        size_t n = fread(chunk, 1, sizeof chunk, in), used;
        if (n == 0) {
            if (ferror(in))
                io_error = 1;
            else
                rc = mw_hdr_parser_finish(&p); /* no empty line at the end */
            break;
        }
        rc = mw_hdr_parser_feed(&p, chunk, n, &used);
        if (rc != MW_OK)
            break; /* MW_DONE: the body starts, stop reading; or an error */
    }
    if (rc < 0) {
        /* The splitter stopped (too many fields, header too long): what was
         * read so far is still printed. */
        mw_error e;
        (void)mw_hdr_parser_error(&p, &e);
        add_defect(&m, e.code, "stopped", e.offset, e.reason);
    }
    j_close(']');

    j_key("body_offset");
    if (m.ended)
        j_size(m.body_offset);
    else
        j_null();
    print_structured(&m);
    j_key("defects");
    print_defects(&m);
    if (io_error) {
        j_key("io_error");
        j_cstr("read error");
        fprintf(stderr, "mailhdr: %s: read error\n", label);
    }
    j_close('}');
    putchar('\n');

    rc = io_error ? 2 : m.ndefects > 0 ? 1 : 0;
    free_msg(&m);
    return rc;
}

static const char usage[] =
    "usage: mailhdr [--mbox] [--lenient] [--pretty] [FILE...]\n"
    "\n"
    "Print the header of each e-mail message FILE as JSON (standard input\n"
    "when no FILE is given, or for \"-\"). Only the header is read.\n"
    "\n"
    "  --mbox     accept an mbox \"From \" envelope line as the first line\n"
    "  --lenient  decode RFC 2047 words that are glued to other text or\n"
    "             inside quoted strings and parameters, and do not report\n"
    "             lines longer than 998 bytes\n"
    "  --pretty   indent the output\n"
    "  --help     show this text\n"
    "\n"
    "Output: one JSON object per message, in the order given, each\n"
    "followed by a newline (JSON Lines; --pretty spreads each object over\n"
    "several lines). Members: file; fields (every field in order: name,\n"
    "offset, raw, value, flags); body_offset; from, sender, reply_to, to,\n"
    "cc, bcc (lists of display, address, group, invalid, raw); date\n"
    "(rfc3339, epoch); message_id; in_reply_to; references; subject;\n"
    "keywords; content_type (type, subtype, params);\n"
    "content_transfer_encoding; content_disposition (type, params);\n"
    "return_path; received (clauses, date); defects (kind, code, offset,\n"
    "reason, field, field_index). An absent field is null. Offsets count\n"
    "bytes from the start of the message. Text is UTF-8: each byte that is\n"
    "not part of well-formed UTF-8 is printed as U+FFFD.\n"
    "\n"
    "Exit status: 0 every message is clean, 1 some message has defects,\n"
    "2 usage or read error.\n";

int main(int argc, char **argv)
{
    mw_hdr_config cfg;
    char *buf;
    size_t buflen;
    int i, files = 0, only_files = 0, status = 0;

    mw_hdr_config_init(&cfg);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_files || a[0] != '-' || strcmp(a, "-") == 0)
            files++;
        else if (strcmp(a, "--") == 0)
            only_files = 1;
        else if (strcmp(a, "--mbox") == 0)
            cfg.flags |= MW_HDR_MBOX_FROM;
        else if (strcmp(a, "--lenient") == 0) {
            cfg.flags |= MW_HDR_LENIENT_LINES;
            decode_opts.flags |= MW_HDR_DECODE_LENIENT;
        } else if (strcmp(a, "--pretty") == 0)
            jw.pretty = 1;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else {
            fprintf(stderr, "mailhdr: unknown option %s\n\n%s", a, usage);
            return 2;
        }
    }

    buflen = MW_HDR_BUFLEN(cfg.max_field);
    buf = xrealloc(NULL, buflen);

    if (files == 0)
        status = process("-", stdin, &cfg, buf, buflen);
    for (i = 1, only_files = 0; i < argc; i++) {
        const char *a = argv[i];
        FILE *f;
        int rc;
        if (!only_files && strcmp(a, "--") == 0) {
            only_files = 1;
            continue;
        }
        if (!only_files && a[0] == '-' && strcmp(a, "-") != 0)
            continue; /* an option */
        if (strcmp(a, "-") == 0) {
            rc = process("-", stdin, &cfg, buf, buflen);
        } else if ((f = fopen(a, "rb")) == NULL) {
            perror(a);
            rc = 2;
        } else {
            rc = process(a, f, &cfg, buf, buflen);
            fclose(f);
        }
        if (rc > status)
            status = rc;
    }

    free(buf);
    free(scratch_buf);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("mailhdr: write error\n", stderr);
        return 2;
    }
    return status;
}
