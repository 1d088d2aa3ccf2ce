/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_json.h -- the catalog entry (docs/events.md, "Catalog entries"). */
#ifndef ANALYZE_JSON_H
#define ANALYZE_JSON_H
#include <stddef.h>

#include "analyze.h"

struct analyze_json_meta {
    const char *id, *title;
    const char *genres, *tags; /* comma-separated, may be NULL */
};

/* Returns a malloc'ed, newline-terminated JSON text, or NULL. */
char *analyze_json_dump(const struct analyze_movie *m, const struct analyze_json_meta *meta,
                        char *errstr, size_t errstr_size);

#endif
