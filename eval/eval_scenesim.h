/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eval_scenesim.h -- recut-eval --scene-sim: does learning a viewer's taste
 * for what is in scenes (lib/core/taste.h) give them better cuts?  Simulated
 * viewers act on the scenes of four movies and get a cut of a fifth, scored
 * by their true (hidden) liking; see recut-eval(1), SCENE SIMULATION.
 */
#ifndef RECUT_EVAL_SCENESIM_H
#define RECUT_EVAL_SCENESIM_H

#include <stdio.h>

#include "conf.h"

struct eval_scenesim_opts {
    unsigned long long seed;
    size_t catalogs; /* generated catalogs of 5 movies each */
    size_t viewers;  /* simulated viewers per catalog */
    size_t scenes;   /* scenes per movie */
    double flip;     /* share of actions turned into their opposite */
    double act;      /* share of scenes a viewer acts on */
    double budget;   /* budget as a share of the fifth movie's duration */
};

void eval_scenesim_defaults(struct eval_scenesim_opts *o);

/* Run it and print the table (or one JSON object).  0, or -1 with errstr. */
int eval_scenesim_run(const struct recut_config *cfg, const struct eval_scenesim_opts *o, int json,
                      FILE *out, char *errstr, size_t errstr_size);

#endif
