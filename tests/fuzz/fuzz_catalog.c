/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_catalog.c -- libFuzzer harness for the catalog parser.
 *
 * Catalog entries come from a Kafka topic and from PUT /v1/movies/{id}:
 * written by other teams' tools, so any byte string must give either a
 * valid entry or a clear error, and never a crash, a leak or undefined
 * behaviour.  An accepted entry is also put into a catalog, replaced by a
 * second parse of the same bytes, and looked up, so that the catalog's own
 * ownership rules run too. */
#include "config.h"
#include "catalog.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    struct catalog_movie *cm = catalog_movie_parse((const char *)data, size, NULL, err, sizeof err);
    if (!cm) {
        if (!err[0])
            abort(); /* a refusal must say why */
        return 0;
    }
    struct catalog c;
    catalog_init(&c);
    const char *id = cm->m.id;
    char idcopy[256];
    snprintf(idcopy, sizeof idcopy, "%s", id);
    if (catalog_put(&c, cm) == 0) {
        struct catalog_movie *again =
            catalog_movie_parse((const char *)data, size, idcopy, err, sizeof err);
        if (!again)
            abort(); /* the same bytes with their own id must parse again */
        if (catalog_put(&c, again) != 0)
            catalog_movie_free(again);
        if (!catalog_get(&c, idcopy))
            abort();
    } else {
        catalog_movie_free(cm);
    }
    catalog_free(&c);
    return 0;
}
