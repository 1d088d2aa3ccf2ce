/* SPDX-License-Identifier: Apache-2.0 */
/*
 * slow_editor_plugin.c -- an editor that holds recutd's main loop until the
 * test lets it go, built by tests/integration/front.sh:
 *
 *   cc -shared -fPIC -I$(top_srcdir)/include -DSLOW_DIR='"/tmp/x"'
 *
 * edit() creates SLOW_DIR/started, then waits (at most 60 s) until
 * SLOW_DIR/release exists, then keeps the first scene if it fits.
 * While it waits, nothing else runs on the main loop: what the test is
 * answered meanwhile came from the HTTP front thread.
 */
#define _POSIX_C_SOURCE 200809L
#include <recut/plugin.h>

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#ifndef SLOW_DIR
#error "build with -DSLOW_DIR='\"DIR\"'"
#endif

static int slow_edit(void *state, const struct recut_edit_request *req,
                     struct recut_edit_result *out, char *errstr, size_t errstr_size)
{
    (void)state;
    FILE *f = fopen(SLOW_DIR "/started", "w");
    if (!f) {
        snprintf(errstr, errstr_size, "cannot create %s/started", SLOW_DIR);
        return -1;
    }
    fclose(f);
    struct timespec tick = { 0, 10 * 1000 * 1000 };
    for (int i = 0; i < 6000 && access(SLOW_DIR "/release", F_OK) != 0; i++)
        nanosleep(&tick, NULL);
    out->n_scenes = 0; /* the first scene when it fits: the cut is not what is tested */
    if (req->movie->n_scenes > 0 &&
        req->movie->scenes[0].end - req->movie->scenes[0].start <= req->budget)
        out->scenes[out->n_scenes++] = 0;
    out->score = 0;
    return 0;
}

static const struct recut_plugin slow_plugin = {
    .magic = RECUT_PLUGIN_MAGIC,
    .abi_version = RECUT_PLUGIN_ABI_VERSION,
    .signature = RECUT_PLUGIN_SIGNATURE,
    .struct_size = sizeof(struct recut_plugin),
    .name = "slowedit",
    .description = "test editor that waits for the test to release it",
    .kind = RECUT_PLUGIN_EDITOR,
    .u.editor = { .edit = slow_edit },
};

RECUT_PLUGIN_EXPORT const struct recut_plugin *recut_plugin_entry(void)
{
    return &slow_plugin;
}
