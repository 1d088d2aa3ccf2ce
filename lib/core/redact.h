/* SPDX-License-Identifier: Apache-2.0 */
/*
 * redact.h -- what of a refused event may go to the dead-letter topic.
 *
 * Emotion readings are accepted only from viewers who consented, and the
 * dead-letter path cannot know a viewer's consent (the event may not even
 * parse, and consent lives in Redis).  So the rule is one that is safe
 * without knowing it: a message that is, or may be, an emotion event --
 * its "type" is "emotion" or it has an "emotion" member, or it does not
 * parse as a JSON object and its bytes name "emotion" or hold a \u escape
 * that could spell it -- is never forwarded verbatim.  It is replaced by a
 * small JSON object holding only its metadata (user, type, ts, id, movie,
 * scene, when present and of a plain type), the original size and a note;
 * the readings and any comment text are gone.  Every other message goes
 * verbatim, so it can be replayed.
 */
#ifndef RECUT_REDACT_H
#define RECUT_REDACT_H

#include <stddef.h>

/* The note of a redacted dead letter (its "redacted" member). */
#define REDACT_NOTE "emotion readings withheld: never forwarded to the dead-letter topic"

/* Decide for payload (len bytes): 0 if it may go verbatim; 1 with *out
 * (malloc'd, to free) and *out_len the redacted JSON to send instead; -1
 * without memory. */
int redact_dead_letter(const char *payload, size_t len, char **out, size_t *out_len);

#endif
