/* SPDX-License-Identifier: MIT */
/*
 * MD5 (RFC 1321) and HMAC-MD5 (RFC 2104), for the two mail mechanisms
 * still defined with them: POP3 APOP (RFC 1939 §7) and CRAM-MD5
 * (RFC 2195). Written from the RFC's description in §3: the message is
 * processed in 64-byte blocks read as sixteen little-endian 32-bit words;
 * bytes are assembled and split with shifts, never by casting pointers,
 * so the code is independent of the host's byte order and alignment.
 */
#include "core/internal.h"
#include "mailwire/sasl.h"

#if MW_ENABLE_SASL_CRAM_MD5
/* RFC 1321 §3.4: T[i] is the integer part of 4294967296 * abs(sin(i)),
 * i = 1..64 (radians), listed here as T[0]..T[63]. */
static const uint32_t md5_t[64] = {
    0xd76aa478u, 0xe8c7b756u, 0x242070dbu, 0xc1bdceeeu,
    0xf57c0fafu, 0x4787c62au, 0xa8304613u, 0xfd469501u,
    0x698098d8u, 0x8b44f7afu, 0xffff5bb1u, 0x895cd7beu,
    0x6b901122u, 0xfd987193u, 0xa679438eu, 0x49b40821u,
    0xf61e2562u, 0xc040b340u, 0x265e5a51u, 0xe9b6c7aau,
    0xd62f105du, 0x02441453u, 0xd8a1e681u, 0xe7d3fbc8u,
    0x21e1cde6u, 0xc33707d6u, 0xf4d50d87u, 0x455a14edu,
    0xa9e3e905u, 0xfcefa3f8u, 0x676f02d9u, 0x8d2a4c8au,
    0xfffa3942u, 0x8771f681u, 0x6d9d6122u, 0xfde5380cu,
    0xa4beea44u, 0x4bdecfa9u, 0xf6bb4b60u, 0xbebfbc70u,
    0x289b7ec6u, 0xeaa127fau, 0xd4ef3085u, 0x04881d05u,
    0xd9d4d039u, 0xe6db99e5u, 0x1fa27cf8u, 0xc4ac5665u,
    0xf4292244u, 0x432aff97u, 0xab9423a7u, 0xfc93a039u,
    0x655b59c3u, 0x8f0ccc92u, 0xffeff47du, 0x85845dd1u,
    0x6fa87e4fu, 0xfe2ce6e0u, 0xa3014314u, 0x4e0811a1u,
    0xf7537e82u, 0xbd3af235u, 0x2ad7d2bbu, 0xeb86d391u
};

/* Left-rotation amounts, four per round (§3.4, rounds 1..4). */
static const unsigned char md5_s[4][4] = {
    { 7, 12, 17, 22 }, { 5, 9, 14, 20 }, { 4, 11, 16, 23 }, { 6, 10, 15, 21 }
};

static uint32_t rotl(uint32_t x, unsigned s)
{
    return (uint32_t)((x << s) | (x >> (32u - s)));
}

static uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static void store_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v & 0xffu);
    p[1] = (uint8_t)((v >> 8) & 0xffu);
    p[2] = (uint8_t)((v >> 16) & 0xffu);
    p[3] = (uint8_t)((v >> 24) & 0xffu);
}

/* One 64-byte block (§3.4). Step i uses auxiliary function F, G, H or I
 * by round, message word k(i) and rotation s; the four registers rotate
 * roles after each step, which the assignments at the end express. */
static void md5_block(uint32_t st[4], const uint8_t *blk)
{
    uint32_t x[16];
    uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
    unsigned i;

    for (i = 0; i < 16; i++)
        x[i] = load_le32(blk + 4 * i);
    for (i = 0; i < 64; i++) {
        uint32_t f, tmp;
        unsigned k, round = i / 16;

        switch (round) {
        case 0: /* F(X,Y,Z) = XY v not(X) Z */
            f = (b & c) | (~b & d);
            k = i;
            break;
        case 1: /* G(X,Y,Z) = XZ v Y not(Z) */
            f = (b & d) | (c & ~d);
            k = (5 * i + 1) % 16;
            break;
        case 2: /* H(X,Y,Z) = X xor Y xor Z */
            f = b ^ c ^ d;
            k = (3 * i + 5) % 16;
            break;
        default: /* I(X,Y,Z) = Y xor (X v not(Z)) */
            f = c ^ (b | ~d);
            k = (7 * i) % 16;
            break;
        }
        tmp = d;
        d = c;
        c = b;
        b = b + rotl(a + f + x[k] + md5_t[i], md5_s[round][i % 4]);
        a = tmp;
    }
    st[0] += a;
    st[1] += b;
    st[2] += c;
    st[3] += d;
}

size_t mw_md5_sizeof(void)
{
    return sizeof(mw_md5);
}

void mw_md5_init(mw_md5 *c)
{
    /* §3.3: word A = 01 23 45 67 (low-order byte first), etc. */
    c->st[0] = 0x67452301u;
    c->st[1] = 0xefcdab89u;
    c->st[2] = 0x98badcfeu;
    c->st[3] = 0x10325476u;
    c->nbytes = 0;
    memset(c->buf, 0, sizeof c->buf);
}

void mw_md5_update(mw_md5 *c, const void *data, size_t n)
{
    const uint8_t *p = (const uint8_t *)data;
    size_t used = (size_t)(c->nbytes % MW_MD5_BLOCK);

    if (n == 0)
        return;
    c->nbytes += (uint64_t)n;
    if (used > 0) {
        size_t take = MW_MD5_BLOCK - used;
        if (take > n)
            take = n;
        memcpy(c->buf + used, p, take);
        p += take;
        n -= take;
        if (used + take < MW_MD5_BLOCK)
            return;
        md5_block(c->st, c->buf);
    }
    while (n >= MW_MD5_BLOCK) {
        md5_block(c->st, p);
        p += MW_MD5_BLOCK;
        n -= MW_MD5_BLOCK;
    }
    if (n > 0)
        memcpy(c->buf, p, n);
}

void mw_md5_final(mw_md5 *c, uint8_t digest[MW_MD5_LEN])
{
    /* §3.1-3.2: a 1 bit, zeros up to 56 mod 64 bytes, then the message
     * length in bits modulo 2^64, low-order byte first. */
    uint64_t bits = c->nbytes << 3;
    size_t used = (size_t)(c->nbytes % MW_MD5_BLOCK);
    unsigned i;

    c->buf[used++] = 0x80;
    if (used > 56) {
        memset(c->buf + used, 0, MW_MD5_BLOCK - used);
        md5_block(c->st, c->buf);
        used = 0;
    }
    memset(c->buf + used, 0, 56 - used);
    for (i = 0; i < 8; i++)
        c->buf[56 + i] = (uint8_t)((bits >> (8 * i)) & 0xffu);
    md5_block(c->st, c->buf);
    for (i = 0; i < 4; i++)
        store_le32(digest + 4 * i, c->st[i]);
}

void mw_md5_sum(const void *p, size_t n, uint8_t digest[MW_MD5_LEN])
{
    mw_md5 c;
    mw_md5_init(&c);
    mw_md5_update(&c, p, n);
    mw_md5_final(&c, digest);
}

void mw_hmac_md5(const void *key, size_t keylen, const void *msg, size_t n,
                 uint8_t mac[MW_MD5_LEN])
{
    /* RFC 2104 §2: H(K XOR opad, H(K XOR ipad, text)), with K zero-padded
     * to B = 64 bytes, after hashing it first if it is longer than B. */
    uint8_t k[MW_MD5_BLOCK];
    uint8_t pad[MW_MD5_BLOCK];
    uint8_t inner[MW_MD5_LEN];
    mw_md5 c;
    unsigned i;

    memset(k, 0, sizeof k);
    if (keylen > MW_MD5_BLOCK)
        mw_md5_sum(key, keylen, k);
    else if (keylen > 0)
        memcpy(k, key, keylen);

    for (i = 0; i < MW_MD5_BLOCK; i++)
        pad[i] = (uint8_t)(k[i] ^ 0x36u);
    mw_md5_init(&c);
    mw_md5_update(&c, pad, sizeof pad);
    mw_md5_update(&c, msg, n);
    mw_md5_final(&c, inner);

    for (i = 0; i < MW_MD5_BLOCK; i++)
        pad[i] = (uint8_t)(k[i] ^ 0x5cu);
    mw_md5_init(&c);
    mw_md5_update(&c, pad, sizeof pad);
    mw_md5_update(&c, inner, sizeof inner);
    mw_md5_final(&c, mac);
}
#else
/* Compiled out (features.h, MW_ENABLE_SASL_CRAM_MD5 0): the functions
 * stay, so every build exports the same symbols, but they return nothing
 * to report MW_E_UNSUPPORTED with: the digest is all zero bytes. */
size_t mw_md5_sizeof(void)
{
    return sizeof(mw_md5);
}

void mw_md5_init(mw_md5 *c)
{
    memset(c, 0, sizeof *c);
}

void mw_md5_update(mw_md5 *c, const void *data, size_t n)
{
    (void)c, (void)data, (void)n;
}

void mw_md5_final(mw_md5 *c, uint8_t digest[MW_MD5_LEN])
{
    (void)c;
    memset(digest, 0, MW_MD5_LEN);
}

void mw_md5_sum(const void *p, size_t n, uint8_t digest[MW_MD5_LEN])
{
    (void)p, (void)n;
    memset(digest, 0, MW_MD5_LEN);
}

void mw_hmac_md5(const void *key, size_t keylen, const void *msg, size_t n,
                 uint8_t mac[MW_MD5_LEN])
{
    (void)key, (void)keylen, (void)msg, (void)n;
    memset(mac, 0, MW_MD5_LEN);
}
#endif

void mw_hex_lower(const uint8_t *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0fu];
    }
}
