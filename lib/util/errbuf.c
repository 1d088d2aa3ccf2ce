/* SPDX-License-Identifier: Apache-2.0 */
/* errbuf.c -- see errbuf.h. */
#include "config.h"
#include "errbuf.h"

#include <stdarg.h>
#include <stdio.h>

void errbuf_printf(char *errstr, size_t size, const char *fmt, ...)
{
    if (!errstr || size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr, size, fmt, ap);
    va_end(ap);
}
