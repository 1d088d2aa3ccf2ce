/* SPDX-License-Identifier: Apache-2.0 */
/* mockkafka_offsets.h -- `recut-mockkafka offsets`: a consumer group's
 * committed offsets and the end offsets of a topic, for tests and bench. */
#ifndef RECUT_MOCKKAFKA_OFFSETS_H
#define RECUT_MOCKKAFKA_OFFSETS_H

/* recut-mockkafka offsets BOOTSTRAPS GROUP TOPIC
 *
 * Prints one line per partition, "PARTITION COMMITTED END" (COMMITTED is -1
 * when the group has no commit for it), then "total COMMITTED END" with
 * partitions without a commit counted as 0.  It never joins the group (it
 * only sends OffsetFetch and ListOffsets), so it does not disturb the
 * members.  Returns the process exit status: 0, or 1 with a message on
 * stderr. */
int mockkafka_offsets_main(int argc, char **argv);

#endif
