/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nbtext.h -- sentiment of short texts (viewer comments) with naive Bayes.
 *
 * Tokenizer: splits on everything that is not a letter or digit, lowercases
 * ASCII, Latin-1, Latin Extended-A, basic Greek and Cyrillic letters, keeps
 * other multibyte UTF-8 letters intact (never splits a character), treats
 * Unicode punctuation, symbols and emoji as separators, joins an apostrophe
 * inside a word ("don't" -> "dont"), and drops tokens of one character or
 * longer than NBTEXT_MAX_TOKEN bytes.  Invalid UTF-8 bytes are separators.
 *
 * The model is an nb.h multinomial naive Bayes whose features are the
 * tokens and whose classes are "negative", "positive" and optionally
 * "neutral".  Its file format (.nbm) is text:
 *
 *   recut-nbtext 1
 *   alpha <alpha>
 *   classes <n> negative positive [neutral]
 *   samples <S_negative> <S_positive> [<S_neutral>]
 *   features <m>
 *   <count per class ...> <token>        (m lines)
 *   crc32 <8 hex digits: CRC-32 of every byte before this line>
 *
 * A file of a newer version, with a bad checksum or truncated is refused.
 */
#ifndef RECUT_NBTEXT_H
#define RECUT_NBTEXT_H

#include <stddef.h>

#include "nb.h"

#define NBTEXT_MAX_TOKEN 64
#define NBTEXT_FORMAT_VERSION 1

enum nbtext_class {
    NBTEXT_NEGATIVE = 0,
    NBTEXT_POSITIVE = 1,
    NBTEXT_NEUTRAL = 2
};

typedef struct nbtext_model nbtext_model;

/* Called once per token (NUL-terminated, len bytes); return non-zero to
 * stop.  Returns the number of tokens passed to cb. */
typedef int (*nbtext_token_cb)(const char *token, size_t len, void *userdata);
size_t nbtext_tokenize(const char *text, size_t len, nbtext_token_cb cb, void *userdata);

/* with_neutral: 3 classes instead of 2; alpha: smoothing (> 0). */
nbtext_model *nbtext_new(int with_neutral, double alpha, char *errstr, size_t errstr_size);
void nbtext_free(nbtext_model *m);
size_t nbtext_n_classes(const nbtext_model *m);
const nb_model *nbtext_nb(const nbtext_model *m);

/* Add one document of class cls (a document without tokens still counts
 * towards the class prior). */
int nbtext_train(nbtext_model *m, enum nbtext_class cls, const char *text, size_t len, char *errstr,
                 size_t errstr_size);

/* probs[nbtext_n_classes()] (may be NULL): class probabilities, indexed by
 * enum nbtext_class; *cls (may be NULL): the most probable class.  Text
 * without known tokens gets the class prior. */
int nbtext_classify(const nbtext_model *m, const char *text, size_t len, double *probs,
                    enum nbtext_class *cls, char *errstr, size_t errstr_size);
/* P(positive) - P(negative), in -1..1; 0 on error. */
double nbtext_sentiment(const nbtext_model *m, const char *text, size_t len);

/* The .nbm text (malloc'd, NUL-terminated, *len without the NUL). */
int nbtext_format(const nbtext_model *m, char **buf, size_t *len, char *errstr, size_t errstr_size);
nbtext_model *nbtext_parse(const char *buf, size_t len, char *errstr, size_t errstr_size);
/* Write atomically (temporary file in the same directory, then rename). */
int nbtext_save(const nbtext_model *m, const char *path, char *errstr, size_t errstr_size);
nbtext_model *nbtext_load(const char *path, char *errstr, size_t errstr_size);

#endif
