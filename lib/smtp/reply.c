/* SPDX-License-Identifier: MIT */
/*
 * SMTP reply lines (RFC 5321 §4.2) and EHLO capability sets (RFC 5321
 * §4.1.1.1 and the extension RFCs), read the way a client must read them:
 * strictly where a mistake could desynchronise the session (the code and
 * its separator, CR/LF/NUL inside a line, multi-line code consistency),
 * tolerantly where real servers differ harmlessly (runs of spaces, the
 * legacy "AUTH=" form, 8-bit reply text).
 *
 * Built with either role: the client machine reads replies with it, and
 * the server's tests read back what the server formats.
 */
#include "smtp/reply.h"

#include "smtp/grammar.h"

/* ====================================================================
 * Reply lines
 * ==================================================================== */

int mw__smtp_ieq(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i;
    if (an != bn)
        return 0;
    for (i = 0; i < an; i++)
        if (mw__lower((unsigned char)a[i]) != mw__lower((unsigned char)b[i]))
            return 0;
    return 1;
}

int mw_smtp_reply_line_parse(const char *p, size_t n, unsigned flags,
                             mw_smtp_reply_line *out, mw_error *err)
{
    int rc = mw__smtp_reply_line(p, n, 1, out, err);
    if (rc == MW_OK && (flags & MW_SMTP_REPLY_ESC))
        mw__smtp_reply_esc(out);
    return rc;
}

int mw__smtp_reply_line(const char *p, size_t n, int scan,
                        mw_smtp_reply_line *out, mw_error *err)
{
    const char *bad;
    size_t i, tn;
    const char *t;

    if (out == NULL || (p == NULL && n > 0))
        return mw__fail(err, MW_E_INVAL, 0, "NULL argument");
    /* Reply-code = %x32-35 %x30-35 %x30-39 (RFC 5321 §4.2). */
    if (n < 1 || p[0] < '2' || p[0] > '5')
        return mw__fail(err, MW_E_SYNTAX, 0,
                        "reply code must start with 2, 3, 4 or 5");
    if (n < 2 || p[1] < '0' || p[1] > '5')
        return mw__fail(err, MW_E_SYNTAX, 1,
                        "second digit of the reply code must be 0-5");
    if (n < 3 || p[2] < '0' || p[2] > '9')
        return mw__fail(err, MW_E_SYNTAX, 2,
                        "third digit of the reply code must be 0-9");
    memset(out, 0, sizeof(*out));
    out->code = (unsigned)(p[0] - '0') * 100u + (unsigned)(p[1] - '0') * 10u +
                (unsigned)(p[2] - '0');
    if (n > 3) {
        if (p[3] == '-')
            out->more = 1;
        else if (p[3] != ' ')
            return mw__fail(err, MW_E_SYNTAX, 3,
                            "reply code must be followed by SP or \"-\"");
    }
    t = n > 4 ? p + 4 : p + n;
    tn = n > 4 ? n - 4 : 0;
    /* textstring is HT, SP and printable US-ASCII; 8-bit text is taken
     * (SMTPUTF8 servers, and many others, send it), but CR, LF and NUL
     * never: they would make the line mean something else. */
    if (tn > 0 && scan) {
        if ((bad = (const char *)memchr(t, '\0', tn)) != NULL)
            return mw__fail(err, MW_E_NUL, (size_t)(bad - p),
                            "NUL in reply text");
        i = mw__find_cr_or_lf(t, tn);
        if (i < tn)
            return mw__fail(err, MW_E_SYNTAX, (size_t)(t - p) + i,
                            "CR or LF in reply text");
    }
    out->text = mw__span(t, tn);
    out->detail = out->text;
    return MW_OK;
}

void mw__smtp_reply_esc(mw_smtp_reply_line *l)
{
    const char *t = l->text.ptr;
    size_t tn = l->text.len, used = 0;
    /* RFC 2034 §4: status-code SP text; the class equals the reply code's
     * first digit. */
    if (tn == 0 || (unsigned)(t[0] - '0') != l->code / 100u)
        return;
    if (mw_smtp_esc_parse(t, tn, &l->esc, &used, NULL) == MW_OK) {
        l->has_esc = 1;
        if (used < tn)
            used++; /* the space */
        l->detail = mw__span(t + used, tn - used);
    } else {
        memset(&l->esc, 0, sizeof(l->esc));
    }
}

int mw__smtp_reply_check(const char *p, size_t n, unsigned flags,
                         mw_smtp_reply_line *last, unsigned *nlines,
                         mw_smtp_caps *caps, mw_error *err)
{
    size_t pos = 0;
    unsigned count = 0, code = 0;
    mw_smtp_reply_line l;
    int rc;

    if (p == NULL && n > 0)
        return mw__fail(err, MW_E_INVAL, 0, "NULL argument");
    if (caps != NULL)
        mw_smtp_caps_init(caps);
    for (;;) {
        const char *lf;
        size_t e, len;
        if (pos == n)
            return mw__fail(err, MW_E_INCOMPLETE, pos,
                            "reply ends before its last line");
        lf = (const char *)memchr(p + pos, '\n', n - pos);
        if (lf == NULL)
            return mw__fail(err, MW_E_INCOMPLETE, n, "reply line without CRLF");
        e = (size_t)(lf - p);
        if (e == pos || p[e - 1] != '\r')
            return mw__fail(err, MW_E_BARE_LF, e, "reply line ended by a bare LF");
        len = e - 1 - pos;
        if ((rc = mw_smtp_reply_line_parse(p + pos, len, flags, &l, err)) < 0) {
            if (err != NULL) {
                err->offset += pos;
                /* A CR inside the line is a bare CR here. */
                if (rc == MW_E_SYNTAX && p[err->offset] == '\r')
                    err->code = rc = MW_E_BARE_CR;
            }
            return rc;
        }
        if (count == 0)
            code = l.code;
        else if (l.code != code)
            return mw__fail(err, MW_E_SYNTAX, pos,
                            "reply line code differs from the first line's");
        if (caps != NULL && count > 0) {
            if ((rc = mw_smtp_caps_parse_line(caps, l.text.ptr, l.text.len,
                                              err)) < 0) {
                if (err != NULL)
                    err->offset += (size_t)(l.text.ptr - p);
                return rc;
            }
        }
        count++;
        pos = e + 1;
        if (!l.more)
            break;
    }
    if (pos != n)
        return mw__fail(err, MW_E_SYNTAX, pos, "bytes after the last reply line");
    if (last != NULL)
        *last = l;
    if (nlines != NULL)
        *nlines = count;
    return MW_OK;
}

/* ====================================================================
 * EHLO capabilities
 * ==================================================================== */

static const struct {
    const char *name;
    unsigned bit;
} auth_mechs[] = {
    {"PLAIN", MW_SMTP_AUTH_PLAIN},
    {"LOGIN", MW_SMTP_AUTH_LOGIN},
    {"XOAUTH2", MW_SMTP_AUTH_XOAUTH2},
    {"OAUTHBEARER", MW_SMTP_AUTH_OAUTHBEARER},
    {"CRAM-MD5", MW_SMTP_AUTH_CRAM_MD5},
    {"EXTERNAL", MW_SMTP_AUTH_EXTERNAL},
    {"SCRAM-SHA-1", MW_SMTP_AUTH_SCRAM_SHA_1},
    {"SCRAM-SHA-256", MW_SMTP_AUTH_SCRAM_SHA_256},
    {"GSSAPI", MW_SMTP_AUTH_GSSAPI},
    {"NTLM", MW_SMTP_AUTH_NTLM},
    {"ANONYMOUS", MW_SMTP_AUTH_ANONYMOUS},
    {"DIGEST-MD5", MW_SMTP_AUTH_DIGEST_MD5},
    {"XOAUTH", MW_SMTP_AUTH_XOAUTH},
    {"PLAIN-CLIENTTOKEN", MW_SMTP_AUTH_PLAIN_CLIENTTOKEN},
};

unsigned mw__smtp_auth_bit(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < sizeof(auth_mechs) / sizeof(auth_mechs[0]); i++)
        if (mw__span_ieq(mw__span(p, n), auth_mechs[i].name))
            return auth_mechs[i].bit;
    return 0;
}

size_t mw_smtp_caps_sizeof(void)
{
    return sizeof(mw_smtp_caps);
}

void mw_smtp_caps_init(mw_smtp_caps *caps)
{
    if (caps != NULL)
        memset(caps, 0, sizeof(*caps));
}

/* ehlo-param = 1*(%d33-126) (RFC 5321 §4.1.1.1). */
static int is_param_char(unsigned char c)
{
    return c >= 33 && c <= 126;
}

/* Is this name already in the AUTH name store? */
static int auth_name_kept(const mw_smtp_caps *caps, const char *p, size_t n)
{
    size_t pos = 0;
    mw_span m;
    while (mw_smtp_caps_next_auth(caps, &pos, &m))
        if (mw__smtp_ieq(m.ptr, m.len, p, n))
            return 1;
    return 0;
}

static void add_auth(mw_smtp_caps *caps, const char *p, size_t n)
{
    size_t need;
    caps->auth |= mw__smtp_auth_bit(p, n);
    if (auth_name_kept(caps, p, n))
        return;
    need = n + (caps->auth_len > 0 ? 1u : 0u);
    if (need > sizeof(caps->auth_names) - caps->auth_len) {
        caps->dropped |= MW_SMTP_CAPS_AUTH_DROPPED;
        return;
    }
    if (caps->auth_len > 0)
        caps->auth_names[caps->auth_len++] = ' ';
    memcpy(caps->auth_names + caps->auth_len, p, n);
    caps->auth_len = (uint16_t)(caps->auth_len + n);
}

int mw_smtp_caps_parse_line(mw_smtp_caps *caps, const char *p, size_t n,
                            mw_error *err)
{
    size_t k = 0, i, ps, pe;
    unsigned long bit;
    int legacy_auth = 0;

    if (caps == NULL || (p == NULL && n > 0))
        return mw__fail(err, MW_E_INVAL, 0, "NULL argument");
    /* ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-") */
    while (k < n && p[k] != ' ' && p[k] != '=')
        k++;
    if (mw_smtp_ehlo_keyword_check(p, k, err) < 0)
        return MW_E_SYNTAX;
    if (k < n && p[k] == '=') {
        /* "AUTH=PLAIN LOGIN": the form RFC 2554 drafts used, still sent
         * for old Outlook clients (Postfix broken_sasl_auth_clients). */
        if (!mw__span_ieq(mw__span(p, k), "AUTH"))
            return mw__fail(err, MW_E_SYNTAX, k,
                            "\"=\" after an EHLO keyword other than AUTH");
        legacy_auth = 1;
    }
    /* The parameters: ehlo-param *( SP ehlo-param ). Runs of spaces and
     * trailing spaces are tolerated (seen in the wild, harmless). */
    ps = k + 1 <= n ? k + 1 : n;
    for (i = ps; i < n; i++) {
        if (p[i] != ' ' && !is_param_char((unsigned char)p[i]))
            return mw__fail(err, MW_E_SYNTAX, i,
                            "EHLO parameter byte outside 33..126");
    }
    while (ps < n && p[ps] == ' ')
        ps++;
    pe = n;
    while (pe > ps && p[pe - 1] == ' ')
        pe--;

    bit = legacy_auth ? MW_SMTP_EXT_AUTH : mw_smtp_ext_lookup(p, k);
    if (bit == MW_SMTP_EXT_SIZE) {
        /* RFC 1870 §4: "SIZE" [SP number]; 0 or none: no fixed limit. */
        uint64_t v = 0;
        int rc;
        caps->ext |= bit;
        caps->size = 0;
        if (ps == pe)
            return MW_OK;
        rc = mw__parse_u64(p + ps, pe - ps, UINT64_MAX, &v);
        if (rc < 0)
            return mw__fail(err, rc, ps,
                            rc == MW_E_OVERFLOW ? "SIZE value too large"
                                                : "SIZE value is not a number");
        caps->size = v;
        return MW_OK;
    }
    if (bit == MW_SMTP_EXT_AUTH) {
        caps->ext |= bit;
        i = ps;
        while (i < pe) {
            size_t s = i;
            while (i < pe && p[i] != ' ')
                i++;
            add_auth(caps, p + s, i - s);
            while (i < pe && p[i] == ' ')
                i++;
        }
        return MW_OK;
    }
    caps->ext |= bit;
    if (bit != 0 && ps == pe)
        return MW_OK;
    /* An unknown keyword, or a known one with parameters (LIMITS,
     * DELIVERBY, MT-PRIORITY...): keep the line as written, whole or not
     * at all. */
    {
        size_t need = k + (ps < pe ? 1u + (pe - ps) : 0u) + 1u;
        char *o;
        if (need > sizeof(caps->other) - caps->other_len) {
            caps->dropped |= MW_SMTP_CAPS_OTHER_DROPPED;
            return MW_OK;
        }
        o = caps->other + caps->other_len;
        memcpy(o, p, k);
        o += k;
        if (ps < pe) {
            *o++ = ' ';
            memcpy(o, p + ps, pe - ps);
            o += pe - ps;
        }
        *o = '\n';
        caps->other_len = (uint16_t)(caps->other_len + need);
    }
    return MW_OK;
}

int mw_smtp_caps_next(const mw_smtp_caps *caps, size_t *pos, mw_span *kw,
                      mw_span *params)
{
    size_t s, e, k;
    if (caps == NULL || pos == NULL || *pos >= caps->other_len)
        return 0;
    s = *pos;
    e = s;
    while (e < caps->other_len && caps->other[e] != '\n')
        e++;
    k = s;
    while (k < e && caps->other[k] != ' ')
        k++;
    if (kw != NULL)
        *kw = mw__span(caps->other + s, k - s);
    if (params != NULL)
        *params = k < e ? mw__span(caps->other + k + 1, e - k - 1)
                        : mw__span(caps->other + e, 0);
    *pos = e + 1;
    return 1;
}

int mw_smtp_caps_next_auth(const mw_smtp_caps *caps, size_t *pos,
                           mw_span *mech)
{
    size_t s, e;
    if (caps == NULL || pos == NULL || *pos >= caps->auth_len)
        return 0;
    s = *pos;
    e = s;
    while (e < caps->auth_len && caps->auth_names[e] != ' ')
        e++;
    if (mech != NULL)
        *mech = mw__span(caps->auth_names + s, e - s);
    *pos = e + 1;
    return 1;
}

int mw_smtp_caps_has(const mw_smtp_caps *caps, const char *kw, size_t n)
{
    unsigned long bit;
    size_t pos = 0;
    mw_span k;
    if (caps == NULL || (kw == NULL && n > 0) || n == 0)
        return 0;
    bit = mw_smtp_ext_lookup(kw, n);
    if (bit != 0 && (caps->ext & bit))
        return 1;
    while (mw_smtp_caps_next(caps, &pos, &k, NULL))
        if (mw__smtp_ieq(k.ptr, k.len, kw, n))
            return 1;
    return 0;
}

int mw_smtp_caps_has_auth(const mw_smtp_caps *caps, const char *mech,
                          size_t n)
{
    unsigned bit;
    if (caps == NULL || (mech == NULL && n > 0) || n == 0)
        return 0;
    bit = mw__smtp_auth_bit(mech, n);
    if (bit != 0)
        return (caps->auth & bit) != 0;
    return auth_name_kept(caps, mech, n);
}
