/* SPDX-License-Identifier: Apache-2.0 */
/* ctl_token.c -- `recutctl token-hash`: the line of recutd's tokens file
 * for a new token.
 *
 * recutd keeps only the SHA-256 of each bearer token ([http] tokens_file),
 * so whoever makes a token needs its hash in the file's format; reading the
 * token from stdin keeps it out of the process list and shell history, and
 * the scopes are checked here as recutd will check them, so a typo shows
 * now and not at the daemon's next start. */
#include "config.h"
#include "ctl.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SCOPE[,SCOPE...] of read, write, admin: 1 if valid. */
static int ctl_token_scopes_ok(const char *s)
{
    size_t n = 0;
    while (*s) {
        size_t l = strcspn(s, ",");
        if (!((l == 4 && strncmp(s, "read", 4) == 0) || (l == 5 && strncmp(s, "write", 5) == 0) ||
              (l == 5 && strncmp(s, "admin", 5) == 0)))
            return 0;
        n++;
        s += l;
        if (*s == ',' && *++s == '\0')
            return 0;
    }
    return n > 0;
}

int ctl_token_hash(int argc, char **argv)
{
    if (argc > 2 || (argc == 2 && !ctl_token_scopes_ok(argv[1]))) {
        ctl_out_err("usage: recutctl token-hash [SCOPE[,SCOPE...]] < TOKEN "
                    "(scopes: read, write, admin)");
        return RECUTCTL_EXIT_USAGE;
    }
    char buf[4096];
    size_t len = fread(buf, 1, sizeof buf - 1, stdin);
    if (ferror(stdin) || !feof(stdin)) {
        ctl_out_err("token-hash: cannot read the token from stdin (at most %zu bytes)",
                    sizeof buf - 2);
        OPENSSL_cleanse(buf, sizeof buf);
        return RECUTCTL_EXIT_SERVER;
    }
    /* one line: a final newline is not part of the token */
    if (len && buf[len - 1] == '\n')
        len--;
    if (len && buf[len - 1] == '\r')
        len--;
    int bad = len == 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)buf[i] <= ' ' || buf[i] == 0x7f)
            bad = 1;
    if (bad) {
        ctl_out_err("token-hash: the token must be one line of printable characters without "
                    "blanks");
        OPENSSL_cleanse(buf, sizeof buf);
        return RECUTCTL_EXIT_USAGE;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    int ok = EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL);
    OPENSSL_cleanse(buf, sizeof buf);
    if (!ok) {
        ctl_out_err("token-hash: SHA-256 failed");
        return RECUTCTL_EXIT_SERVER;
    }
    for (unsigned i = 0; i < mdlen; i++)
        printf("%02x", md[i]);
    if (argc == 2)
        printf(" %s", argv[1]);
    putchar('\n');
    return fflush(stdout) == 0 ? 0 : RECUTCTL_EXIT_SERVER;
}
