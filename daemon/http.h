/* SPDX-License-Identifier: Apache-2.0 */
/* http.h -- the HTTP API (README's table, recutd(8)).  Nothing calls into
 * it but recutd.c, which starts and stops it. */
#ifndef RECUTD_HTTP_H
#define RECUTD_HTTP_H

#include <stddef.h>

#include "daemon.h"

struct http *http_new(struct recutd *d, char *errstr, size_t errstr_size);
void http_free(struct http *h);
/* After SIGHUP, from the running configuration: read [http] tls_cert and
 * tls_key again (new connections get the new certificate; a file that does
 * not load is logged and the running one kept), and re-read allowed_hosts,
 * allowed_origins and tokens_file (on error the old ones stay, -1). */
int http_reload(struct http *h, char *errstr, size_t errstr_size);
/* Drop the answers kept about user ([http] answer_cache_ms): an event of
 * theirs was applied. */
void http_users_forget(struct http *h, const char *user);

#endif
