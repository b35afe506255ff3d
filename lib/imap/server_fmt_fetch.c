/* SPDX-License-Identifier: MIT */
/*
 * IMAP server response formatting, part 2: FETCH responses (RFC 9051
 * §7.5.2) built item by item, with the ENVELOPE and BODY/BODYSTRUCTURE
 * writers (from the same mw_imap_envelope / mw_imap_body structures the
 * client parses into) and body sections as literals whose bytes the
 * application writes in chunks, passed to `send` untouched (zero-copy).
 *
 * BODYSTRUCTURE is walked twice without recursion: once to check every
 * field (nothing is written for an invalid tree) and once to write, both
 * with an explicit stack bounded by MW_IMAP_SERVER_DEPTH_MAX
 * (field-notes §4.6).
 */
#include "imap/server_int.h"

/* ---- FETCH framing ------------------------------------------------------ */

/* An item may be added: a FETCH is open and no body literal is. */
static int item_begin(mw_imap_server *s)
{
    if (s == NULL)
        return MW_E_INVAL;
    if (s->open != MW__IMAPS_OPEN_FETCH || s->io == MW__IMAPS_IO_CLOSED)
        return MW_E_STATE;
    return MW_OK;
}

/* The space before every item but the first. */
static void item_sep(mw_imap_server *s)
{
    if (s->nitems != 0)
        mw__imaps_putc(s, ' ');
    s->nitems = 1;
}

int mw_imap_server_fetch_begin(mw_imap_server *s, uint32_t seq)
{
    int r;
    if (s == NULL || seq == 0)
        return MW_E_INVAL;
    r = mw__imaps_can_write(s);
    if (r != MW_OK)
        return r;
    mw__imaps_puts(s, "* ");
    mw__imaps_put_u64(s, seq);
    mw__imaps_puts(s, " FETCH (");
    s->open = MW__IMAPS_OPEN_FETCH;
    s->nitems = 0;
    return s->ost;
}

int mw_imap_server_fetch_end(mw_imap_server *s)
{
    int r = item_begin(s);
    if (r != MW_OK)
        return r;
    /* RFC 9051 §9 msg-att: at least one item; "* n FETCH ()" is invalid.
     * The FETCH stays open for an item to be added. */
    if (s->nitems == 0)
        return MW_E_INVAL;
    mw__imaps_puts(s, ")\r\n");
    s->open = MW__IMAPS_OPEN_NONE;
    return mw__imaps_end(s);
}

static int name_number(mw_imap_server *s, const char *name, uint64_t v)
{
    item_sep(s);
    mw__imaps_puts(s, name);
    mw__imaps_putc(s, ' ');
    mw__imaps_put_u64(s, v);
    return s->ost;
}

int mw_imap_server_fetch_uid(mw_imap_server *s, uint32_t uid)
{
    int r = item_begin(s);
    if (r != MW_OK)
        return r;
    if (uid == 0)
        return MW_E_INVAL;
    return name_number(s, "UID", uid);
}

int mw_imap_server_fetch_flags(mw_imap_server *s, const mw_imap_flags *f)
{
    int r = item_begin(s);
    if (r != MW_OK)
        return r;
    /* flag-fetch (RFC 9051 §9): no "\*". */
    if (f == NULL ||
        (f->text.ptr != NULL ? !mw__imaps_flags_ok(f->text.ptr, f->text.len, 0)
                             : (f->system & ~0x3Fu) != 0))
        return MW_E_INVAL;
    item_sep(s);
    mw__imaps_puts(s, "FLAGS (");
    mw__imaps_put_flags(s, f, 0);
    mw__imaps_putc(s, ')');
    return s->ost;
}

int mw_imap_server_fetch_internaldate(mw_imap_server *s,
                                      const mw_imap_datetime *d)
{
    char tmp[MW_IMAP_DATETIME_LEN];
    int r = item_begin(s);
    if (r != MW_OK)
        return r;
    /* RFC 9051 §9 date-time, in double quotes; the one formatter of the
     * library validates every field first. */
    if (mw_imap_datetime_format(d, tmp, sizeof tmp, NULL) != MW_OK)
        return MW_E_INVAL;
    item_sep(s);
    mw__imaps_puts(s, "INTERNALDATE \"");
    mw__imaps_put(s, tmp, sizeof tmp);
    mw__imaps_putc(s, '"');
    return s->ost;
}

int mw_imap_server_fetch_size(mw_imap_server *s, uint64_t size)
{
    int r = item_begin(s);
    if (r != MW_OK)
        return r;
    if (size > MW__IMAPS_N64_MAX)
        return MW_E_INVAL;
    return name_number(s, "RFC822.SIZE", size);
}

int mw_imap_server_fetch_modseq(mw_imap_server *s, uint64_t modseq)
{
    int r = item_begin(s);
    if (r != MW_OK)
        return r;
    if (modseq == 0 || modseq > MW__IMAPS_N64_MAX)
        return MW_E_INVAL;
    /* RFC 7162 §3.1.4: MODSEQ (permsg-modsequence) */
    item_sep(s);
    mw__imaps_puts(s, "MODSEQ (");
    mw__imaps_put_u64(s, modseq);
    mw__imaps_putc(s, ')');
    return s->ost;
}

static int name_ok(const char *name)
{
    return name != NULL && mw__imaps_atom_ok(name, strlen(name));
}

int mw_imap_server_fetch_number(mw_imap_server *s, const char *name,
                                uint64_t value)
{
    int r = item_begin(s);
    if (r != MW_OK)
        return r;
    if (!name_ok(name) || value > MW__IMAPS_N64_MAX)
        return MW_E_INVAL;
    return name_number(s, name, value);
}

int mw_imap_server_fetch_nstring(mw_imap_server *s, const char *name,
                                 mw_span value)
{
    int r = item_begin(s);
    if (r != MW_OK)
        return r;
    if (!name_ok(name) ||
        (value.ptr != NULL && !mw__imaps_string_ok(value.ptr, value.len)))
        return MW_E_INVAL;
    item_sep(s);
    mw__imaps_puts(s, name);
    mw__imaps_putc(s, ' ');
    mw__imaps_put_nstring(s, value);
    return s->ost;
}

int mw_imap_server_fetch_objectid(mw_imap_server *s, const char *name,
                                  mw_span id)
{
    int r = item_begin(s);
    if (r != MW_OK)
        return r;
    if (!name_ok(name) ||
        (id.ptr != NULL && !mw__imaps_objectid_ok(id.ptr, id.len)))
        return MW_E_INVAL;
    item_sep(s);
    mw__imaps_puts(s, name);
    if (id.ptr == NULL) {
        mw__imaps_puts(s, " NIL");
    } else {
        mw__imaps_puts(s, " (");
        mw__imaps_put(s, id.ptr, id.len);
        mw__imaps_putc(s, ')');
    }
    return s->ost;
}

/* ---- ENVELOPE (RFC 9051 §7.5.2, §9 `envelope`) ------------------------- */

static int nstr_ok(mw_span v)
{
    return v.ptr == NULL || mw__imaps_string_ok(v.ptr, v.len);
}

static int addrs_ok(const mw_imap_address_list *l)
{
    uint32_t i;
    if (l->count > 0 && l->items == NULL)
        return 0;
    for (i = 0; i < l->count; i++) {
        const mw_imap_address *a = &l->items[i];
        if (!nstr_ok(a->name) || !nstr_ok(a->adl) || !nstr_ok(a->mailbox) ||
            !nstr_ok(a->host))
            return 0;
    }
    return 1;
}

static int envelope_ok(const mw_imap_envelope *e)
{
    return e != NULL && nstr_ok(e->date) && nstr_ok(e->subject) &&
           addrs_ok(&e->from) && addrs_ok(&e->sender) &&
           addrs_ok(&e->reply_to) && addrs_ok(&e->to) && addrs_ok(&e->cc) &&
           addrs_ok(&e->bcc) && nstr_ok(e->in_reply_to) &&
           nstr_ok(e->message_id);
}

static void put_addrs(mw_imap_server *s, const mw_imap_address_list *l)
{
    uint32_t i;
    if (l->count == 0) {
        mw__imaps_puts(s, "NIL");
        return;
    }
    /* "(" 1*address ")": no space between the addresses. */
    mw__imaps_putc(s, '(');
    for (i = 0; i < l->count; i++) {
        const mw_imap_address *a = &l->items[i];
        mw__imaps_putc(s, '(');
        mw__imaps_put_nstring(s, a->name);
        mw__imaps_putc(s, ' ');
        mw__imaps_put_nstring(s, a->adl);
        mw__imaps_putc(s, ' ');
        mw__imaps_put_nstring(s, a->mailbox);
        mw__imaps_putc(s, ' ');
        mw__imaps_put_nstring(s, a->host);
        mw__imaps_putc(s, ')');
    }
    mw__imaps_putc(s, ')');
}

static void put_envelope(mw_imap_server *s, const mw_imap_envelope *e)
{
    mw__imaps_putc(s, '(');
    mw__imaps_put_nstring(s, e->date);
    mw__imaps_putc(s, ' ');
    mw__imaps_put_nstring(s, e->subject);
    mw__imaps_putc(s, ' ');
    put_addrs(s, &e->from);
    mw__imaps_putc(s, ' ');
    put_addrs(s, &e->sender);
    mw__imaps_putc(s, ' ');
    put_addrs(s, &e->reply_to);
    mw__imaps_putc(s, ' ');
    put_addrs(s, &e->to);
    mw__imaps_putc(s, ' ');
    put_addrs(s, &e->cc);
    mw__imaps_putc(s, ' ');
    put_addrs(s, &e->bcc);
    mw__imaps_putc(s, ' ');
    mw__imaps_put_nstring(s, e->in_reply_to);
    mw__imaps_putc(s, ' ');
    mw__imaps_put_nstring(s, e->message_id);
    mw__imaps_putc(s, ')');
}

int mw_imap_server_fetch_envelope(mw_imap_server *s,
                                  const mw_imap_envelope *e)
{
    int r = item_begin(s);
    if (r != MW_OK)
        return r;
    if (!envelope_ok(e))
        return MW_E_INVAL;
    item_sep(s);
    mw__imaps_puts(s, "ENVELOPE ");
    put_envelope(s, e);
    return s->ost;
}

/* ---- BODY / BODYSTRUCTURE (RFC 9051 §9 `body`) -------------------------- */

/* Extension levels of a part, in the order RFC 9051 §9 body-ext-1part /
 * body-ext-mpart write them. */
enum { X_NONE = 0, X_FIRST, X_DSP, X_LANG, X_LOC, X_EXT };

/* The highest extension field present (the fields before it are written
 * as NIL). For a single part the first field is the MD5, for a multipart
 * the parameters. */
static int ext_level(const mw_imap_body *b)
{
    unsigned h = b->has;
    if (h & MW_IMAP_BODY_HAS_EXTENSION)
        return X_EXT;
    if (h & MW_IMAP_BODY_HAS_LOC)
        return X_LOC;
    if (h & MW_IMAP_BODY_HAS_LANG)
        return X_LANG;
    if (h & MW_IMAP_BODY_HAS_DSP)
        return X_DSP;
    if (h & (b->kind == MW_IMAP_BODY_MULTIPART ? MW_IMAP_BODY_HAS_PARAMS
                                               : MW_IMAP_BODY_HAS_MD5))
        return X_FIRST;
    return X_NONE;
}

static int params_ok(const mw_imap_param *p, uint32_t n)
{
    uint32_t i;
    if (n > 0 && p == NULL)
        return 0;
    for (i = 0; i < n; i++)
        if (p[i].name.ptr == NULL || p[i].value.ptr == NULL ||
            !mw__imaps_string_ok(p[i].name.ptr, p[i].name.len) ||
            !mw__imaps_string_ok(p[i].value.ptr, p[i].value.len))
            return 0;
    return 1;
}

/* body-extension text: values (atoms, numbers, quoted strings, NIL,
 * parenthesised lists) separated by single spaces, depth bounded, no
 * literal (the writer cannot know its bytes are whole). */
static int extension_ok(mw_span x)
{
    size_t i = 0;
    unsigned depth = 0;
    int need_value = 1;
    if (x.len == 0)
        return 0;
    if (x.ptr == NULL)
        return 0;
    while (i < x.len) {
        char c = x.ptr[i];
        if (need_value) {
            if (c == '(') {
                if (++depth > MW_IMAP_SERVER_DEPTH_MAX)
                    return 0;
                i++;
                if (i < x.len && x.ptr[i] == ')') {
                    depth--;
                    i++;
                    need_value = 0;
                }
                continue;
            }
            if (c == '"') {
                i++;
                while (i < x.len && x.ptr[i] != '"') {
                    unsigned char q = (unsigned char)x.ptr[i];
                    if (q == '\\') {
                        i++;
                        if (i == x.len ||
                            (x.ptr[i] != '"' && x.ptr[i] != '\\'))
                            return 0;
                    } else if (q == 0 || q == '\r' || q == '\n' || q >= 0x80) {
                        return 0;
                    }
                    i++;
                }
                if (i == x.len)
                    return 0;
                i++;
                need_value = 0;
                continue;
            }
            if (!mw__imaps_atom_ok(&x.ptr[i], 1))
                return 0;
            while (i < x.len && mw__imaps_atom_ok(&x.ptr[i], 1))
                i++;
            need_value = 0;
            continue;
        }
        if (c == ')') {
            if (depth == 0)
                return 0;
            depth--;
            i++;
            continue;
        }
        if (c != ' ')
            return 0;
        i++;
        need_value = 1;
    }
    return depth == 0 && !need_value;
}

static int node_ok(const mw_imap_body *b, int ext)
{
    uint32_t i;
    if (b->kind > MW_IMAP_BODY_MULTIPART || b->subtype.ptr == NULL ||
        !mw__imaps_string_ok(b->subtype.ptr, b->subtype.len))
        return 0;
    if (b->kind == MW_IMAP_BODY_MULTIPART) {
        if (b->first == NULL)
            return 0; /* 1*body */
    } else {
        if (b->type.ptr == NULL || b->encoding.ptr == NULL ||
            !mw__imaps_string_ok(b->type.ptr, b->type.len) ||
            !mw__imaps_string_ok(b->encoding.ptr, b->encoding.len) ||
            !params_ok(b->params, b->nparams) || !nstr_ok(b->id) ||
            !nstr_ok(b->description) || b->size > 0xFFFFFFFFull)
            return 0;
        if (b->kind != MW_IMAP_BODY_BASIC &&
            (b->lines < 0 || (uint64_t)b->lines > MW__IMAPS_N64_MAX))
            return 0;
        if (b->kind == MW_IMAP_BODY_MESSAGE &&
            (b->body == NULL || !envelope_ok(b->envelope)))
            return 0;
    }
    if (!ext)
        return 1;
    if (b->kind == MW_IMAP_BODY_MULTIPART) {
        if (!params_ok(b->params, b->nparams))
            return 0;
    } else if (!nstr_ok(b->md5)) {
        return 0;
    }
    if (!nstr_ok(b->disposition) ||
        !params_ok(b->disp_params, b->ndisp_params) || !nstr_ok(b->location))
        return 0;
    if (b->nlanguages > 0 && b->languages == NULL)
        return 0;
    for (i = 0; i < b->nlanguages; i++)
        if (b->languages[i].ptr == NULL ||
            !mw__imaps_string_ok(b->languages[i].ptr, b->languages[i].len))
            return 0;
    if ((b->has & MW_IMAP_BODY_HAS_EXTENSION) && !extension_ok(b->extension))
        return 0;
    return 1;
}

/* The walk: stage of a node on the stack. */
enum { W_OPEN = 0, W_PARTS, W_INNER };

typedef struct walk_ent {
    const mw_imap_body *b;
    int stage;
} walk_ent;

/* Most nodes of one tree: a cycle in the application's pointers stops
 * here rather than looping. */
#define BODY_NODES_MAX 100000u

static void put_params(mw_imap_server *s, const mw_imap_param *p, uint32_t n)
{
    uint32_t i;
    if (n == 0) {
        mw__imaps_puts(s, "NIL");
        return;
    }
    mw__imaps_putc(s, '(');
    for (i = 0; i < n; i++) {
        if (i > 0)
            mw__imaps_putc(s, ' ');
        mw__imaps_put_string(s, p[i].name.ptr, p[i].name.len);
        mw__imaps_putc(s, ' ');
        mw__imaps_put_string(s, p[i].value.ptr, p[i].value.len);
    }
    mw__imaps_putc(s, ')');
}

static void put_ext(mw_imap_server *s, const mw_imap_body *b)
{
    int lvl = ext_level(b);
    uint32_t i;
    if (lvl == X_NONE)
        return;
    mw__imaps_putc(s, ' ');
    if (b->kind == MW_IMAP_BODY_MULTIPART) {
        if (b->has & MW_IMAP_BODY_HAS_PARAMS)
            put_params(s, b->params, b->nparams);
        else
            mw__imaps_puts(s, "NIL");
    } else {
        mw__imaps_put_nstring(s, (b->has & MW_IMAP_BODY_HAS_MD5)
                                     ? b->md5
                                     : mw__span(NULL, 0));
    }
    if (lvl < X_DSP)
        return;
    /* body-fld-dsp = "(" string SP body-fld-param ")" / nil */
    mw__imaps_putc(s, ' ');
    if ((b->has & MW_IMAP_BODY_HAS_DSP) && b->disposition.ptr != NULL) {
        mw__imaps_putc(s, '(');
        mw__imaps_put_string(s, b->disposition.ptr, b->disposition.len);
        mw__imaps_putc(s, ' ');
        put_params(s, b->disp_params, b->ndisp_params);
        mw__imaps_putc(s, ')');
    } else {
        mw__imaps_puts(s, "NIL");
    }
    if (lvl < X_LANG)
        return;
    /* body-fld-lang = nstring / "(" string *(SP string) ")" */
    mw__imaps_putc(s, ' ');
    if (!(b->has & MW_IMAP_BODY_HAS_LANG) || b->nlanguages == 0) {
        mw__imaps_puts(s, "NIL");
    } else if (b->nlanguages == 1) {
        mw__imaps_put_string(s, b->languages[0].ptr, b->languages[0].len);
    } else {
        mw__imaps_putc(s, '(');
        for (i = 0; i < b->nlanguages; i++) {
            if (i > 0)
                mw__imaps_putc(s, ' ');
            mw__imaps_put_string(s, b->languages[i].ptr,
                                 b->languages[i].len);
        }
        mw__imaps_putc(s, ')');
    }
    if (lvl < X_LOC)
        return;
    mw__imaps_putc(s, ' ');
    mw__imaps_put_nstring(s, (b->has & MW_IMAP_BODY_HAS_LOC)
                                 ? b->location
                                 : mw__span(NULL, 0));
    if (lvl < X_EXT)
        return;
    mw__imaps_putc(s, ' ');
    mw__imaps_put(s, b->extension.ptr, b->extension.len);
}

/* Fields of a single part up to and including body-fld-octets. */
static void put_fields(mw_imap_server *s, const mw_imap_body *b)
{
    mw__imaps_put_string(s, b->type.ptr, b->type.len);
    mw__imaps_putc(s, ' ');
    mw__imaps_put_string(s, b->subtype.ptr, b->subtype.len);
    mw__imaps_putc(s, ' ');
    put_params(s, b->params, b->nparams);
    mw__imaps_putc(s, ' ');
    mw__imaps_put_nstring(s, b->id);
    mw__imaps_putc(s, ' ');
    mw__imaps_put_nstring(s, b->description);
    mw__imaps_putc(s, ' ');
    mw__imaps_put_string(s, b->encoding.ptr, b->encoding.len);
    mw__imaps_putc(s, ' ');
    mw__imaps_put_u64(s, b->size);
}

/* The close of a node: what comes after its children, then ")". */
static void put_close(mw_imap_server *s, const mw_imap_body *b, int ext)
{
    if (b->kind == MW_IMAP_BODY_MULTIPART) {
        mw__imaps_putc(s, ' ');
        mw__imaps_put_string(s, b->subtype.ptr, b->subtype.len);
    } else if (b->kind != MW_IMAP_BODY_BASIC) {
        mw__imaps_putc(s, ' ');
        mw__imaps_put_u64(s, (uint64_t)b->lines);
    }
    if (ext)
        put_ext(s, b);
    mw__imaps_putc(s, ')');
}

/* One walk over the tree; with write 0 it only checks. Only nodes not
 * yet opened are on top of the stack; below them, multiparts whose parts
 * are being written (W_PARTS) and messages whose body is (W_INNER).
 * Returns MW_OK, MW_E_INVAL or MW_E_DEPTH. */
static int walk(mw_imap_server *s, const mw_imap_body *root, int ext,
                int write)
{
    walk_ent st[MW_IMAP_SERVER_DEPTH_MAX];
    size_t sp = 0;
    uint32_t nodes = 0;

    st[sp].b = root;
    st[sp].stage = W_OPEN;
    sp++;
    while (sp > 0) {
        walk_ent *t = &st[sp - 1];
        const mw_imap_body *b = t->b, *child = NULL;

        if (!write && (++nodes > BODY_NODES_MAX || !node_ok(b, ext)))
            return MW_E_INVAL;
        if (write)
            mw__imaps_putc(s, '(');
        if (b->kind == MW_IMAP_BODY_MULTIPART) {
            /* body-type-mpart = 1*body SP media-subtype: the parts
             * follow each other without spaces. */
            t->stage = W_PARTS;
            child = b->first;
        } else {
            if (write)
                put_fields(s, b);
            if (b->kind == MW_IMAP_BODY_MESSAGE) {
                /* body-type-msg: ... SP envelope SP body SP lines */
                if (write) {
                    mw__imaps_putc(s, ' ');
                    put_envelope(s, b->envelope);
                    mw__imaps_putc(s, ' ');
                }
                t->stage = W_INNER;
                child = b->body;
            }
        }
        if (child != NULL) {
            if (sp == MW_IMAP_SERVER_DEPTH_MAX)
                return MW_E_DEPTH;
            st[sp].b = child;
            st[sp].stage = W_OPEN;
            sp++;
            continue;
        }
        /* b is complete: close it, then every parent it completes. */
        if (write)
            put_close(s, b, ext);
        sp--;
        while (sp > 0) {
            walk_ent *p = &st[sp - 1];
            if (p->stage == W_PARTS && b->next != NULL) {
                st[sp].b = b->next; /* sp < MAX: b's slot is free */
                st[sp].stage = W_OPEN;
                sp++;
                break;
            }
            b = p->b;
            if (write)
                put_close(s, b, ext);
            sp--;
        }
    }
    return MW_OK;
}

int mw_imap_server_fetch_body_structure(mw_imap_server *s,
                                        const mw_imap_body *b, int extensible)
{
    int r = item_begin(s);
    if (r != MW_OK)
        return r;
    if (b == NULL)
        return MW_E_INVAL;
    r = walk(s, b, extensible != 0, 0);
    if (r != MW_OK)
        return r;
    item_sep(s);
    mw__imaps_puts(s, extensible ? "BODYSTRUCTURE " : "BODY ");
    (void)walk(s, b, extensible != 0, 1);
    return s->ost;
}

/* ---- body sections ------------------------------------------------------ */

/* The section text (between the brackets): 7-bit TEXT-CHAR without "]". */
static int section_text_ok(mw_span t)
{
    size_t i;
    if (t.len > 0 && t.ptr == NULL)
        return 0;
    for (i = 0; i < t.len; i++) {
        unsigned char c = (unsigned char)t.ptr[i];
        if (c == 0 || c == '\r' || c == '\n' || c >= 0x80 || c == ']')
            return 0;
    }
    return 1;
}

/* The section is written from the parsed parts (normalised: "HEADER" for
 * a client's "header", RFC 9051 §7.5.2 shows the canonical form); the raw
 * section_text only when nothing else describes it. */
static int built(const mw_imap_fetch_req *it)
{
    return it->nparts > 0 || it->section != MW_IMAP_SECTION_NONE ||
           it->section_text.ptr == NULL;
}

static int item_ok(const mw_imap_fetch_req *it, int binary_size)
{
    uint32_t i;
    if (it == NULL)
        return 0;
    if (binary_size) {
        if (it->att != MW_IMAP_FA_BINARY_SIZE && it->att != MW_IMAP_FA_BINARY)
            return 0;
    } else {
        switch (it->att) {
        case MW_IMAP_FA_BODY_SECTION:
        case MW_IMAP_FA_BINARY:
        case MW_IMAP_FA_RFC822:
        case MW_IMAP_FA_RFC822_HEADER:
        case MW_IMAP_FA_RFC822_TEXT:
            break;
        default:
            return 0;
        }
    }
    if (it->att == MW_IMAP_FA_RFC822 || it->att == MW_IMAP_FA_RFC822_HEADER ||
        it->att == MW_IMAP_FA_RFC822_TEXT)
        return 1;
    if (!built(it))
        return section_text_ok(it->section_text);
    if (it->nparts > MW_IMAP_SECTION_PARTS_MAX ||
        it->section > MW_IMAP_SECTION_MIME)
        return 0;
    for (i = 0; i < it->nparts; i++)
        if (it->parts[i] == 0)
            return 0;
    if (it->section == MW_IMAP_SECTION_MIME && it->nparts == 0)
        return 0; /* RFC 9051 §6.4.5: MIME needs a part number */
    if (it->att != MW_IMAP_FA_BODY_SECTION &&
        it->section != MW_IMAP_SECTION_NONE)
        return 0; /* BINARY takes part numbers only (RFC 3516 §4.2) */
    if (it->section == MW_IMAP_SECTION_HEADER_FIELDS ||
        it->section == MW_IMAP_SECTION_HEADER_FIELDS_NOT) {
        if (it->nfields == 0 || it->fields == NULL)
            return 0;
        for (i = 0; i < it->nfields; i++)
            if (it->fields[i].ptr == NULL || it->fields[i].len == 0 ||
                !mw__imaps_string_ok(it->fields[i].ptr, it->fields[i].len) ||
                memchr(it->fields[i].ptr, '\r', it->fields[i].len) != NULL ||
                memchr(it->fields[i].ptr, '\n', it->fields[i].len) != NULL)
                return 0;
    }
    return 1;
}

/* "BODY[section]<origin>" / "BINARY[...]" / "BINARY.SIZE[...]" / RFC822. */
static void put_item_name(mw_imap_server *s, const mw_imap_fetch_req *it,
                          int binary_size)
{
    static const char *const kinds[] = {"",     "HEADER", "HEADER.FIELDS",
                                        "HEADER.FIELDS.NOT", "TEXT", "MIME"};
    uint32_t i;
    switch (it->att) {
    case MW_IMAP_FA_RFC822:
        mw__imaps_puts(s, "RFC822");
        return;
    case MW_IMAP_FA_RFC822_HEADER:
        mw__imaps_puts(s, "RFC822.HEADER");
        return;
    case MW_IMAP_FA_RFC822_TEXT:
        mw__imaps_puts(s, "RFC822.TEXT");
        return;
    default:
        break;
    }
    if (binary_size)
        mw__imaps_puts(s, "BINARY.SIZE[");
    else if (it->att == MW_IMAP_FA_BINARY)
        mw__imaps_puts(s, "BINARY[");
    else
        mw__imaps_puts(s, "BODY[");
    if (!built(it)) {
        mw__imaps_put(s, it->section_text.ptr, it->section_text.len);
    } else {
        for (i = 0; i < it->nparts; i++) {
            if (i > 0)
                mw__imaps_putc(s, '.');
            mw__imaps_put_u64(s, it->parts[i]);
        }
        if (it->section != MW_IMAP_SECTION_NONE) {
            if (it->nparts > 0)
                mw__imaps_putc(s, '.');
            mw__imaps_puts(s, kinds[it->section]);
        }
        if (it->section == MW_IMAP_SECTION_HEADER_FIELDS ||
            it->section == MW_IMAP_SECTION_HEADER_FIELDS_NOT) {
            mw__imaps_puts(s, " (");
            for (i = 0; i < it->nfields; i++) {
                if (i > 0)
                    mw__imaps_putc(s, ' ');
                /* astring; but a "]" is quoted, so that a reader that
                 * looks for the end of the section cannot be misled */
                if (memchr(it->fields[i].ptr, ']', it->fields[i].len) != NULL)
                    mw__imaps_put_string(s, it->fields[i].ptr,
                                         it->fields[i].len);
                else
                    mw__imaps_put_astring(s, it->fields[i].ptr,
                                          it->fields[i].len);
            }
            mw__imaps_putc(s, ')');
        }
    }
    mw__imaps_putc(s, ']');
    /* RFC 9051 §7.5.2: the origin of a partial fetch, never the length. */
    if (!binary_size && it->has_partial) {
        mw__imaps_putc(s, '<');
        mw__imaps_put_u64(s, it->origin);
        mw__imaps_putc(s, '>');
    }
}

int mw_imap_server_fetch_body_begin(mw_imap_server *s,
                                    const mw_imap_fetch_req *item,
                                    uint64_t size, unsigned flags)
{
    int r = item_begin(s);
    if (r != MW_OK)
        return r;
    if (!item_ok(item, 0) || (flags & ~MW_IMAP_SERVER_LITERAL8) ||
        ((flags & MW_IMAP_SERVER_LITERAL8) && item->att != MW_IMAP_FA_BINARY) ||
        size > MW__IMAPS_N64_MAX)
        return MW_E_INVAL;
    item_sep(s);
    put_item_name(s, item, 0);
    mw__imaps_puts(s, (flags & MW_IMAP_SERVER_LITERAL8) ? " ~{" : " {");
    mw__imaps_put_u64(s, size);
    mw__imaps_puts(s, "}\r\n");
    s->open = MW__IMAPS_OPEN_BODY;
    s->body_left = size;
    return s->ost;
}

int mw_imap_server_fetch_body_data(mw_imap_server *s, const void *data,
                                   size_t len)
{
    if (s == NULL || (data == NULL && len > 0))
        return MW_E_INVAL;
    if (s->open != MW__IMAPS_OPEN_BODY || s->io == MW__IMAPS_IO_CLOSED)
        return MW_E_STATE;
    if ((uint64_t)len > s->body_left)
        return MW_E_INVAL;
    if (len == 0)
        return MW_OK;
    s->body_left -= len;
    mw__imaps_put_direct(s, (const char *)data, len);
    return s->ost;
}

int mw_imap_server_fetch_body_end(mw_imap_server *s)
{
    if (s == NULL)
        return MW_E_INVAL;
    if (s->open != MW__IMAPS_OPEN_BODY || s->io == MW__IMAPS_IO_CLOSED ||
        s->body_left != 0)
        return MW_E_STATE;
    s->open = MW__IMAPS_OPEN_FETCH;
    return MW_OK;
}

int mw_imap_server_fetch_body_nil(mw_imap_server *s,
                                  const mw_imap_fetch_req *item)
{
    int r = item_begin(s);
    if (r != MW_OK)
        return r;
    if (!item_ok(item, 0))
        return MW_E_INVAL;
    item_sep(s);
    put_item_name(s, item, 0);
    mw__imaps_puts(s, " NIL");
    return s->ost;
}

int mw_imap_server_fetch_binary_size(mw_imap_server *s,
                                     const mw_imap_fetch_req *item,
                                     uint64_t size)
{
    int r = item_begin(s);
    if (r != MW_OK)
        return r;
    if (!item_ok(item, 1) || size > 0xFFFFFFFFull)
        return MW_E_INVAL;
    item_sep(s);
    put_item_name(s, item, 1);
    mw__imaps_putc(s, ' ');
    mw__imaps_put_u64(s, size);
    return s->ost;
}
