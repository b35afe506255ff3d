/* SPDX-License-Identifier: MIT */
/*
 * minimail's TLS transport over OpenSSL (1.1 or 3.x), server side only.
 *
 * Non-blocking: every call returns at once and says whether it needs the
 * socket readable or writable; net.c's poll loop waits accordingly. The
 * SMTP and POP3 machines never see any of this: after the handshake they
 * are told with their tls_done() function and get plaintext as before.
 */
#define _POSIX_C_SOURCE 200809L

#include "tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <stdio.h>
#include <stdlib.h>

struct mm_tls {
    SSL *ssl;
    int want_write;
};

static SSL_CTX *ctx;

static void print_errors(const char *what)
{
    unsigned long e;
    char buf[256];
    fprintf(stderr, "minimail: %s\n", what);
    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, buf, sizeof buf);
        fprintf(stderr, "minimail:   %s\n", buf);
    }
}

int mm_tls_setup(const char *cert_file, const char *key_file)
{
    ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) {
        print_errors("TLS: cannot create a context");
        return -1;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
                              SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        print_errors("TLS: cannot load the certificate or key");
        SSL_CTX_free(ctx);
        ctx = NULL;
        return -1;
    }
    return 0;
}

int mm_tls_configured(void) { return ctx != NULL; }

mm_tls *mm_tls_new(int fd)
{
    mm_tls *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->ssl = SSL_new(ctx);
    if (t->ssl == NULL || SSL_set_fd(t->ssl, fd) != 1) {
        mm_tls_free(t);
        return NULL;
    }
    SSL_set_accept_state(t->ssl);
    return t;
}

/* What an SSL_* result means: 1 go on, 0 wait (want_write set), -1 error. */
static int outcome(mm_tls *t, int r)
{
    int e = SSL_get_error(t->ssl, r);
    t->want_write = 0;
    if (e == SSL_ERROR_WANT_READ)
        return 0;
    if (e == SSL_ERROR_WANT_WRITE) {
        t->want_write = 1;
        return 0;
    }
    ERR_clear_error();
    return -1;
}

int mm_tls_handshake(mm_tls *t)
{
    int r = SSL_do_handshake(t->ssl);
    if (r == 1) {
        t->want_write = 0;
        return 1;
    }
    return outcome(t, r);
}

int mm_tls_wants_write(const mm_tls *t) { return t->want_write; }

long mm_tls_read(mm_tls *t, char *buf, size_t n)
{
    int r = SSL_read(t->ssl, buf, n > 1u << 30 ? 1 << 30 : (int)n);
    if (r > 0) {
        t->want_write = 0;
        return r;
    }
    if (SSL_get_error(t->ssl, r) == SSL_ERROR_ZERO_RETURN)
        return 0;
    return outcome(t, r) == 0 ? -1 : -2;
}

long mm_tls_write(mm_tls *t, const char *p, size_t n)
{
    int r = SSL_write(t->ssl, p, n > 1u << 30 ? 1 << 30 : (int)n);
    if (r > 0) {
        t->want_write = 0;
        return r;
    }
    return outcome(t, r) == 0 ? -1 : -2;
}

size_t mm_tls_pending(const mm_tls *t)
{
    int n = SSL_pending(t->ssl);
    return n > 0 ? (size_t)n : 0;
}

const char *mm_tls_describe(const mm_tls *t, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s %s", SSL_get_version(t->ssl),
             SSL_get_cipher_name(t->ssl));
    return buf;
}

void mm_tls_free(mm_tls *t)
{
    if (t == NULL)
        return;
    if (t->ssl != NULL)
        SSL_free(t->ssl);
    free(t);
}

void mm_tls_cleanup(void)
{
    if (ctx != NULL)
        SSL_CTX_free(ctx);
    ctx = NULL;
}
