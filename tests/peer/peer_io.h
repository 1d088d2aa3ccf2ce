/* SPDX-License-Identifier: Apache-2.0 */
/* peer_io.h -- reading the test data the peer scripts write: a matrix file
 * is "n d" on the first line, then n rows of d numbers (Python repr, so
 * every double round-trips exactly).  Exits 2 on malformed input. */
#ifndef RECUT_PEER_IO_H
#define RECUT_PEER_IO_H

#include <stdio.h>
#include <stdlib.h>

static inline void peer_die(const char *what)
{
    fprintf(stderr, "peer: %s\n", what);
    exit(2);
}

/* Returns a malloc'd row-major n x d array. */
static inline double *peer_read_matrix(const char *path, size_t *n, size_t *d)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        peer_die("cannot open data file");
    if (fscanf(fp, "%zu %zu", n, d) != 2 || *n == 0 || *d == 0 || *n > 10000000 / *d)
        peer_die("bad matrix header");
    double *X = malloc(*n * *d * sizeof *X);
    if (!X)
        peer_die("out of memory");
    for (size_t i = 0; i < *n * *d; i++)
        if (fscanf(fp, "%lf", &X[i]) != 1)
            peer_die("short matrix");
    fclose(fp);
    return X;
}

#endif
