/* SPDX-License-Identifier: Apache-2.0 */
/* errbuf.h -- filling the caller's error buffer (errstr, errstr_size),
 * shared by every model. */
#ifndef RECUT_ERRBUF_H
#define RECUT_ERRBUF_H

#include <stddef.h>

/* printf into errstr; nothing when errstr is NULL or size is 0. */
void errbuf_printf(char *errstr, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
