/* SPDX-License-Identifier: Apache-2.0 */
/* hash.h -- the one keyed string hash of recut.
 *
 * Hash tables here are keyed by viewer, movie and feature ids that arrive
 * from Kafka and HTTP, so anyone can choose them.  An unkeyed hash would let
 * a sender pick ids that all land in one probe chain and turn every lookup
 * into a scan.  util_hash mixes a per-process random seed (from getrandom,
 * drawn once on first use) into xxHash's XXH3, so colliding ids cannot be
 * computed from outside.  Its values differ from process to process: never
 * store them or let an output's order depend on them. */
#ifndef RECUT_UTIL_HASH_H
#define RECUT_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

/* The hash of data[0..len) under this process's seed. */
uint64_t util_hash(const void *data, size_t len);

/* The same hash under an explicit seed (util_hash uses util_hash_seed()). */
uint64_t util_hash_keyed(const void *data, size_t len, uint64_t seed);

/* This process's seed; drawn on the first call, thread-safely. */
uint64_t util_hash_seed(void);

#endif
