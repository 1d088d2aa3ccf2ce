/* SPDX-License-Identifier: Apache-2.0 */
/* http.h -- the HTTP API (README's table, recutd(8)).  Nothing calls into
 * it but recutd.c, which starts and stops it. */
#ifndef RECUTD_HTTP_H
#define RECUTD_HTTP_H

#include <stddef.h>

#include "daemon.h"

struct http *http_new(struct recutd *d, char *errstr, size_t errstr_size);
/* After a reload: read [http] tls_cert and tls_key again (new connections
 * get the new certificate; a file that does not load is logged and the
 * running one kept). */
void http_reload(struct http *h);
void http_free(struct http *h);

#endif
