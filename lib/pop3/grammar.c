/* SPDX-License-Identifier: MIT */
/*
 * POP3 syntax shared by the server and client machines: command keywords,
 * status lines and response codes, CAPA lines, listings, token checks.
 * See grammar.h for each function's contract.
 *
 * Grammar sources: RFC 1939 §3 (commands: a keyword of three or four
 * characters, arguments separated by single spaces; responses: "+OK" or
 * "-ERR" and text), RFC 2449 §3 and §9 (response codes, CAPA lines, the
 * 255/512-octet limits), RFC 3206 (SYS/TEMP, SYS/PERM, AUTH), RFC 5034
 * (AUTH), RFC 2595 (STLS), RFC 6856 (UTF8, LANG). Everything here is a
 * single forward pass over its input.
 */
#include "pop3/grammar.h"

/* ---- names ------------------------------------------------------------ */

static const char *const cmd_names[] = {
    "", "USER", "PASS", "APOP", "STAT", "LIST", "RETR", "DELE", "NOOP",
    "RSET", "QUIT", "TOP", "UIDL", "CAPA", "AUTH", "STLS", "UTF8", "LANG"};

#define N_CMDS (sizeof cmd_names / sizeof cmd_names[0])

const char *mw_pop3_cmd_name(int id)
{
    if (id <= 0 || id >= (int)N_CMDS) /* int compare: cppcheck follows it */
        return "";
    return cmd_names[id];
}

static const char *const rcode_names[] = {
    "", "IN-USE", "LOGIN-DELAY", "SYS/TEMP", "SYS/PERM", "AUTH", "UTF8"};

#define N_RCODES (sizeof rcode_names / sizeof rcode_names[0])

const char *mw_pop3_rcode_name(int rcode)
{
    if (rcode <= 0 || rcode >= (int)N_RCODES)
        return "";
    return rcode_names[rcode];
}

int mw__pop3_cmd_lookup(const char *p, size_t n)
{
    size_t i;
    /* RFC 1939 §3: keywords are three or four characters. */
    if (n < 3 || n > 4)
        return MW_POP3_CMD_NONE;
    for (i = 1; i < N_CMDS; i++) {
        if (mw__span_ieq(mw__span(p, n), cmd_names[i]))
            return (int)i;
    }
    return MW_POP3_CMD_NONE;
}

/* Compare p[0..n) case-insensitively with the NUL-terminated kw as a
 * prefix that ends at a level boundary: equal, or followed by '/'. */
static int level_prefix(const char *p, size_t n, const char *kw)
{
    size_t k = strlen(kw);
    if (n < k || !mw__span_ieq(mw__span(p, k), kw))
        return 0;
    return n == k || p[k] == '/';
}

int mw__pop3_rcode_lookup(const char *p, size_t n)
{
    size_t i;
    for (i = 1; i < N_RCODES; i++) {
        if (level_prefix(p, n, rcode_names[i]))
            return (int)i;
    }
    return MW_POP3_RC_OTHER;
}

/* ---- status lines ----------------------------------------------------- */

/* RFC 2449 §9: rchar = %x21-2E / %x30-5C / %x5E-7F (printable, not "/"
 * or "]"); levels separated by "/". Returns the length of the code
 * including both brackets, or 0 when p does not start with one. */
static size_t resp_code_len(const char *p, size_t n)
{
    size_t i;
    int level = 0; /* characters in the current level */
    if (n < 3 || p[0] != '[')
        return 0;
    for (i = 1; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == ']')
            return level > 0 ? i + 1 : 0;
        if (c == '/') {
            if (level == 0)
                return 0;
            level = 0;
            continue;
        }
        if (c < 0x21 || c > 0x7e)
            return 0;
        level++;
    }
    return 0;
}

int mw__pop3_parse_status(const char *p, size_t n, mw__pop3_status *st)
{
    size_t i, k;

    memset(st, 0, sizeof(*st));
    if (n >= 3 && mw__span_ieq(mw__span(p, 3), "+OK")) {
        st->ok = 1;
        i = 3;
    } else if (n >= 4 && mw__span_ieq(mw__span(p, 4), "-ERR")) {
        i = 4;
    } else {
        return MW_E_SYNTAX;
    }
    if (i < n && p[i] != ' ')
        return MW_E_SYNTAX;
    while (i < n && p[i] == ' ')
        i++;
    k = resp_code_len(p + i, n - i);
    if (k > 0) {
        st->code = mw__span(p + i + 1, k - 2);
        st->rcode = mw__pop3_rcode_lookup(st->code.ptr, st->code.len);
        i += k;
        while (i < n && p[i] == ' ')
            i++;
    }
    st->text = mw__span(p + i, n - i);
    return MW_OK;
}

/* ---- CAPA ------------------------------------------------------------- */

static const struct {
    const char *name;
    uint32_t bit;
} capa_tags[] = {
    {"TOP", MW_POP3_CAPA_TOP},
    {"USER", MW_POP3_CAPA_USER},
    {"SASL", MW_POP3_CAPA_SASL},
    {"RESP-CODES", MW_POP3_CAPA_RESP_CODES},
    {"LOGIN-DELAY", MW_POP3_CAPA_LOGIN_DELAY},
    {"PIPELINING", MW_POP3_CAPA_PIPELINING},
    {"EXPIRE", MW_POP3_CAPA_EXPIRE},
    {"UIDL", MW_POP3_CAPA_UIDL},
    {"IMPLEMENTATION", MW_POP3_CAPA_IMPLEMENTATION},
    {"STLS", MW_POP3_CAPA_STLS},
    {"AUTH-RESP-CODE", MW_POP3_CAPA_AUTH_RESP_CODE},
    {"UTF8", MW_POP3_CAPA_UTF8},
    {"LANG", MW_POP3_CAPA_LANG},
};

int mw__pop3_parse_capa(const char *p, size_t n, mw_pop3_capa_line *out)
{
    size_t i = 0, j;

    memset(out, 0, sizeof(*out));
    /* capa-tag = 1*cchar: printable ASCII. A tag never starts with '.'
     * (cchar excludes it): the caller has removed the stuffed dot. */
    while (i < n && p[i] != ' ') {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x21 || c > 0x7e)
            return MW_E_SYNTAX;
        i++;
    }
    if (i == 0)
        return MW_E_SYNTAX;
    out->tag = mw__span(p, i);
    while (i < n && p[i] == ' ')
        i++;
    j = n;
    while (j > i && (p[j - 1] == ' ' || p[j - 1] == '\t'))
        j--; /* trailing white space (field-notes §3) */
    out->params = mw__span(p + i, j - i);
    for (j = 0; j < sizeof capa_tags / sizeof capa_tags[0]; j++) {
        if (mw__span_ieq(out->tag, capa_tags[j].name)) {
            out->id = capa_tags[j].bit;
            break;
        }
    }
    return MW_OK;
}

uint32_t mw__pop3_sasl_bit(const char *p, size_t n)
{
    mw_span s = mw__span(p, n);
    if (mw__span_ieq(s, "PLAIN"))
        return MW_POP3_SASL_PLAIN;
    if (mw__span_ieq(s, "LOGIN"))
        return MW_POP3_SASL_LOGIN;
    if (mw__span_ieq(s, "XOAUTH2"))
        return MW_POP3_SASL_XOAUTH2;
    if (mw__span_ieq(s, "OAUTHBEARER"))
        return MW_POP3_SASL_OAUTHBEARER;
    if (mw__span_ieq(s, "CRAM-MD5"))
        return MW_POP3_SASL_CRAM_MD5;
    if (mw__span_ieq(s, "EXTERNAL"))
        return MW_POP3_SASL_EXTERNAL;
    if (mw__span_ieq(s, "GSSAPI"))
        return MW_POP3_SASL_GSSAPI;
    if (n > 6 && mw__span_ieq(mw__span(p, 6), "SCRAM-"))
        return MW_POP3_SASL_SCRAM;
    return MW_POP3_SASL_OTHER;
}

/* Next space-separated word of s[*i..n). */
static mw_span next_word(const char *s, size_t n, size_t *i)
{
    size_t start;
    while (*i < n && s[*i] == ' ')
        (*i)++;
    start = *i;
    while (*i < n && s[*i] != ' ')
        (*i)++;
    return mw__span(s + start, *i - start);
}

/* "value [USER]" of LOGIN-DELAY and EXPIRE (RFC 2449 §6.5, §6.7). */
static int value_user(mw_span params, int never_ok, uint32_t *value,
                      int *user)
{
    size_t i = 0;
    mw_span v = next_word(params.ptr, params.len, &i);
    mw_span u = next_word(params.ptr, params.len, &i);
    mw_span extra = next_word(params.ptr, params.len, &i);
    uint32_t x;

    if (v.len == 0 || extra.len != 0)
        return MW_E_SYNTAX;
    if (u.len != 0 && !mw__span_ieq(u, "USER"))
        return MW_E_SYNTAX;
    if (never_ok && mw__span_ieq(v, "NEVER")) {
        x = MW_POP3_EXPIRE_NEVER;
    } else {
        /* Values beyond 32 bits are clamped: a delay or retention that
         * long means "forever" for any client. EXPIRE keeps UINT32_MAX
         * for NEVER; LOGIN-DELAY has all 32 bits. */
        uint32_t max = never_ok ? UINT32_MAX - 1u : UINT32_MAX;
        int r = mw__parse_u32(v.ptr, v.len, max, &x);
        if (r == MW_E_OVERFLOW)
            x = max;
        else if (r != MW_OK)
            return MW_E_SYNTAX;
    }
    *value = x;
    *user = u.len != 0;
    return MW_OK;
}

int mw__pop3_capa_apply(mw_pop3_capa *set, const mw_pop3_capa_line *l)
{
    uint32_t v;
    int user;
    size_t i;

    switch (l->id) {
    case 0:
        return MW_OK;
    case MW_POP3_CAPA_LOGIN_DELAY:
        if (value_user(l->params, 0, &v, &user) != MW_OK)
            return MW_E_SYNTAX;
        set->login_delay = v;
        set->flags |= MW_POP3_CAPA_LOGIN_DELAY |
                      (user ? MW_POP3_CAPA_LOGIN_DELAY_USER : 0u);
        return MW_OK;
    case MW_POP3_CAPA_EXPIRE:
        if (value_user(l->params, 1, &v, &user) != MW_OK)
            return MW_E_SYNTAX;
        set->expire = v;
        set->flags |= MW_POP3_CAPA_EXPIRE |
                      (user ? MW_POP3_CAPA_EXPIRE_USER : 0u);
        return MW_OK;
    case MW_POP3_CAPA_SASL:
        i = 0;
        for (;;) {
            mw_span m = next_word(l->params.ptr, l->params.len, &i);
            if (m.len == 0)
                break;
            set->sasl |= mw__pop3_sasl_bit(m.ptr, m.len);
        }
        set->flags |= MW_POP3_CAPA_SASL;
        return MW_OK;
    case MW_POP3_CAPA_UTF8:
        i = 0;
        {
            mw_span a = next_word(l->params.ptr, l->params.len, &i);
            if (a.len != 0 && mw__span_ieq(a, "USER"))
                set->flags |= MW_POP3_CAPA_UTF8_USER;
        }
        set->flags |= MW_POP3_CAPA_UTF8;
        return MW_OK;
    default:
        set->flags |= l->id;
        return MW_OK;
    }
}

/* ---- numbers and listings --------------------------------------------- */

int mw__pop3_parse_msg(const char *p, size_t n, uint32_t *out)
{
    uint32_t v;
    int r = mw__parse_u32(p, n, UINT32_MAX, &v);
    if (r != MW_OK)
        return r;
    if (v == 0)
        return MW_E_SYNTAX;
    *out = v;
    return MW_OK;
}

/* Length of the run of digits at p. */
static size_t digits(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && p[i] >= '0' && p[i] <= '9')
        i++;
    return i;
}

/* "a SP b" where both are numbers; b's end must be the end or a SP. */
static int two_numbers(const char *p, size_t n, uint64_t amax, uint64_t *a,
                       uint64_t *b, int zero_a)
{
    size_t i = digits(p, n), j;
    if (i == 0 || i >= n || p[i] != ' ')
        return MW_E_SYNTAX;
    if (mw__parse_u64(p, i, amax, a) != MW_OK || (!zero_a && *a == 0))
        return MW_E_SYNTAX;
    j = i + 1 + digits(p + i + 1, n - i - 1);
    if (j == i + 1 || (j < n && p[j] != ' '))
        return MW_E_SYNTAX;
    if (mw__parse_u64(p + i + 1, j - i - 1, UINT64_MAX, b) != MW_OK)
        return MW_E_SYNTAX;
    return MW_OK;
}

int mw__pop3_parse_scan(const char *p, size_t n, uint32_t *msg,
                        uint64_t *octets)
{
    uint64_t a;
    int r = two_numbers(p, n, UINT32_MAX, &a, octets, 0);
    if (r == MW_OK)
        *msg = (uint32_t)a;
    return r;
}

int mw__pop3_parse_stat(const char *p, size_t n, uint32_t *count,
                        uint64_t *octets)
{
    uint64_t a;
    int r = two_numbers(p, n, UINT32_MAX, &a, octets, 1);
    if (r == MW_OK)
        *count = (uint32_t)a;
    return r;
}

int mw__pop3_parse_uidl(const char *p, size_t n, uint32_t *msg, mw_span *uid)
{
    size_t i = digits(p, n), j;
    if (i == 0 || i >= n || p[i] != ' ')
        return MW_E_SYNTAX;
    if (mw__pop3_parse_msg(p, i, msg) != MW_OK)
        return MW_E_SYNTAX;
    i++;
    j = n;
    while (j > i && p[j - 1] == ' ')
        j--;
    if (!mw__pop3_uid_ok(p + i, j - i))
        return MW_E_SYNTAX;
    *uid = mw__span(p + i, j - i);
    return MW_OK;
}

/* ---- token checks ----------------------------------------------------- */

int mw__pop3_text_ok(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\r' || c == '\n' || c == '\0')
            return 0;
    }
    return 1;
}

/* RFC 6856 §3 names languages with RFC 5646 tags and RFC 4647 §2.1 basic
 * ranges, both 1*8ALPHA *("-" 1*8alphanum) at the level POP3 needs (the
 * finer structure of a tag is the application's business); a range may
 * also be "*". Subtags are counted, so the length is bounded by the line. */
int mw__pop3_lang_ok(const char *p, size_t n, int star)
{
    size_t i, run = 0, sub = 0;
    if (star && n == 1 && p[0] == '*')
        return 1;
    if (n == 0)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = mw__lower((unsigned char)p[i]);
        int alpha = c >= 'a' && c <= 'z', digit = c >= '0' && c <= '9';
        if (c == '-') {
            if (run == 0)
                return 0;
            run = 0;
            sub++;
        } else if ((alpha || (digit && sub > 0)) && run < 8) {
            run++;
        } else {
            return 0;
        }
    }
    return run > 0;
}

int mw__pop3_parse_lang(const char *p, size_t n, mw_span *tag, mw_span *text)
{
    size_t i = 0;
    while (i < n && p[i] != ' ')
        i++;
    if (!mw__pop3_lang_ok(p, i, 0))
        return MW_E_SYNTAX;
    *tag = mw__span(p, i);
    while (i < n && p[i] == ' ')
        i++;
    *text = mw__span(p + i, n - i);
    return MW_OK;
}

int mw__pop3_uid_ok(const char *p, size_t n)
{
    size_t i;
    if (n == 0 || n > MW_POP3_UID_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x21 || c > 0x7e)
            return 0;
    }
    return 1;
}

int mw__pop3_mech_ok(const char *p, size_t n)
{
    size_t i;
    if (n == 0 || n > 20)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = mw__lower((unsigned char)p[i]);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_'))
            return 0;
    }
    return 1;
}

int mw__pop3_b64_chars_ok(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '='))
            return 0;
    }
    return 1;
}

int mw__pop3_word_listed(const char *list, const char *p, size_t n)
{
    size_t i = 0, len;
    if (list == NULL || n == 0)
        return 0;
    len = strlen(list);
    for (;;) {
        mw_span w = next_word(list, len, &i);
        if (w.len == 0)
            return 0;
        if (w.len == n) {
            size_t k;
            for (k = 0; k < n; k++) {
                if (mw__lower((unsigned char)w.ptr[k]) !=
                    mw__lower((unsigned char)p[k]))
                    break;
            }
            if (k == n)
                return 1;
        }
    }
}

/* RFC 5322 §3.2.3 atext. */
static int is_atext(unsigned char c)
{
    /* memchr over the specials, not strchr(): the embedded build imports
     * only mem* and strlen from the C library. */
    static const char specials[] = "!#$%&'*+-/=?^_`{|}~";
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9'))
        return 1;
    return memchr(specials, c, sizeof(specials) - 1) != NULL;
}

int mw__pop3_dot_atom_ok(const char *p, size_t n)
{
    size_t i;
    if (n == 0 || p[0] == '.' || p[n - 1] == '.')
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '.') {
            if (p[i - 1] == '.')
                return 0;
        } else if (!is_atext(c)) {
            return 0;
        }
    }
    return 1;
}

/* ---- line building ---------------------------------------------------- */

void mw__pop3_put(mw__pop3_buf *b, const char *s, size_t n)
{
    if (b->overflow || n > b->cap - b->len) {
        b->overflow = 1;
        return;
    }
    if (n > 0)
        memcpy(b->p + b->len, s, n);
    b->len += n;
}

void mw__pop3_puts(mw__pop3_buf *b, const char *s)
{
    mw__pop3_put(b, s, strlen(s));
}

void mw__pop3_put_u64(mw__pop3_buf *b, uint64_t v)
{
    char tmp[20];
    mw__pop3_put(b, tmp, mw__pop3_fmt_u64(tmp, v));
}
