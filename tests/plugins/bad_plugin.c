/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bad_plugin.c -- test-only plugins whose stamp does not match the host:
 * built as bad_abi.so (ABI version + 1), bad_sig.so (another build signature)
 * and bad_magic.so.  The stub loader must refuse all three.
 */
#include <stddef.h>

#include "recut/plugin.h"

static int bad_plugin_edit(void *state, const struct recut_edit_request *req,
                           struct recut_edit_result *out, char *errstr, size_t errstr_size)
{
    out->n_scenes = 0;
    return 0;
}

/* The stamp of RECUT_PLUGIN_V1, with one field wrong. */
#if defined(BAD_ABI)
#define BAD_PLUGIN_ABI (RECUT_PLUGIN_ABI_VERSION + 1)
#else
#define BAD_PLUGIN_ABI RECUT_PLUGIN_ABI_VERSION
#endif
#if defined(BAD_SIG)
#define BAD_PLUGIN_SIG "recut:" RECUT_PLUGIN_STR(RECUT_PLUGIN_ABI_VERSION) ":p2:d4:X"
#else
#define BAD_PLUGIN_SIG RECUT_PLUGIN_SIGNATURE
#endif
#if defined(BAD_MAGIC)
#define BAD_PLUGIN_MAGIC 0x4e4f5045u
#else
#define BAD_PLUGIN_MAGIC RECUT_PLUGIN_MAGIC
#endif

static const struct recut_plugin bad_plugin_me = {
    .magic = BAD_PLUGIN_MAGIC,
    .abi_version = BAD_PLUGIN_ABI,
    .signature = BAD_PLUGIN_SIG,
    .struct_size = sizeof(struct recut_plugin),
    .name = "bad",
    .description = "refused by design",
    .kind = RECUT_PLUGIN_EDITOR,
    .u.editor = { .edit = bad_plugin_edit },
};

RECUT_PLUGIN_EXPORT const struct recut_plugin *recut_plugin_entry(void)
{
    return &bad_plugin_me;
}
