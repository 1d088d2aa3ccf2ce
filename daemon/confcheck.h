/* SPDX-License-Identifier: Apache-2.0 */
/* confcheck.h -- what start-up would refuse beyond conf_validate (which
 * knows only the table): the addresses recutd binds and connects to, and
 * the [librdkafka] keys, checked the same way for start-up, -t and reload. */
#ifndef RECUTD_CONFCHECK_H
#define RECUTD_CONFCHECK_H

#include <stddef.h>

#include "conf.h"

/* 0, or -1 with "file:line: reason" (or "--set key: reason"). */
int confcheck_run(const struct recut_config *cfg, char *errstr, size_t errstr_size);

#endif
