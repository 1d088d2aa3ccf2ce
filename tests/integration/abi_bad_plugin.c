/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi_bad_plugin.c -- an editor plugin whose stamp does not match the host,
 * built by tests/integration/abi.sh:
 *
 *   cc -shared -fPIC -I$(top_srcdir)/include -DABI_BAD_VERSION  -> abi_version + 1
 *   cc -shared -fPIC -I$(top_srcdir)/include -DABI_BAD_SIGNATURE -> other signature
 *   cc -shared -fPIC -I$(top_srcdir)/include                     -> a good stamp
 *
 * The editor itself works (it keeps the first scenes that fit the budget),
 * so a host that loaded it anyway would serve cuts with it.
 */
#include <recut/plugin.h>

#ifndef ABI_PLUGIN_NAME
#define ABI_PLUGIN_NAME "abibad"
#endif

#if defined(ABI_BAD_VERSION)
#define ABI_STAMP_VERSION (RECUT_PLUGIN_ABI_VERSION + 1u)
#else
#define ABI_STAMP_VERSION RECUT_PLUGIN_ABI_VERSION
#endif

#if defined(ABI_BAD_SIGNATURE)
#define ABI_STAMP_SIGNATURE "recut:" RECUT_PLUGIN_STR(RECUT_PLUGIN_ABI_VERSION) ":p2:d4:B"
#else
#define ABI_STAMP_SIGNATURE RECUT_PLUGIN_SIGNATURE
#endif

static int abi_bad_edit(void *state, const struct recut_edit_request *req,
                        struct recut_edit_result *out, char *errstr, size_t errstr_size)
{
    (void)state;
    (void)errstr;
    (void)errstr_size;
    double used = 0;
    out->n_scenes = 0;
    for (size_t i = 0; i < req->movie->n_scenes; i++) {
        double len = req->movie->scenes[i].end - req->movie->scenes[i].start;
        if (used + len > req->budget)
            break;
        out->scenes[out->n_scenes++] = i;
        used += len;
    }
    out->score = 0;
    return 0;
}

static const struct recut_plugin abi_bad_plugin = {
    .magic = RECUT_PLUGIN_MAGIC,
    .abi_version = ABI_STAMP_VERSION,
    .signature = ABI_STAMP_SIGNATURE,
    .struct_size = sizeof(struct recut_plugin),
    .name = ABI_PLUGIN_NAME,
    .description = "test plugin with a chosen ABI stamp",
    .kind = RECUT_PLUGIN_EDITOR,
    .u.editor = { .edit = abi_bad_edit },
};

RECUT_PLUGIN_EXPORT const struct recut_plugin *recut_plugin_entry(void)
{
    return &abi_bad_plugin;
}
