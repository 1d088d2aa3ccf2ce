/* SPDX-License-Identifier: Apache-2.0 */
/* secret.h -- reading a password from a file of its own.
 *
 * Secrets (Redis's ACL password) are never written in recutd.conf, where
 * they would end up in --dump-config, backups and tickets: the config names
 * a file that holds one line.  recutd and recutctl read it the same way
 * here, and wipe their copies when done. */
#ifndef RECUT_UTIL_SECRET_H
#define RECUT_UTIL_SECRET_H

#include <stddef.h>

/* The one-line secret of the file at path (one trailing newline dropped;
 * empty, several lines or over 1023 bytes refused) into *out, to be freed
 * with util_secret_wipe; *out NULL when path is NULL or empty.  `what`
 * names the key in errors ("redis.password_file").  0, or -1 with the
 * reason (never the secret) in errstr. */
int util_secret_read(const char *what, const char *path, char **out, char *errstr,
                     size_t errstr_size);
/* Overwrite and free a secret (NULL is fine). */
void util_secret_wipe(char *secret);

#endif
