/* SPDX-License-Identifier: Apache-2.0 */
/* plugin_stamp.c -- a plugin's stamp against the host's (see
 * plugin_stamp.h for the rule and why a larger struct is accepted). */
#include "config.h"
#include "plugin_stamp.h"

#include <stdio.h>
#include <string.h>

int plugin_stamp_check(const struct recut_plugin *p, char *errstr, size_t errstr_size)
{
    if (!p) {
        snprintf(errstr, errstr_size, "plugin is not binary compatible (%s() returned NULL)",
                 RECUT_PLUGIN_ENTRY);
        return -1;
    }
    if (p->magic != RECUT_PLUGIN_MAGIC) {
        snprintf(errstr, errstr_size,
                 "plugin is not binary compatible (bad magic 0x%08x: not a recut plugin)",
                 (unsigned)p->magic);
        return -1;
    }
    if (p->abi_version != RECUT_PLUGIN_ABI_VERSION || !p->signature ||
        strcmp(p->signature, RECUT_PLUGIN_SIGNATURE) != 0) {
        snprintf(errstr, errstr_size,
                 "plugin is not binary compatible (plugin ABI %u, signature \"%s\"; recutd ABI "
                 "%u, signature \"%s\")",
                 (unsigned)p->abi_version, p->signature ? p->signature : "(none)",
                 RECUT_PLUGIN_ABI_VERSION, RECUT_PLUGIN_SIGNATURE);
        return -1;
    }
    if (p->struct_size < sizeof(struct recut_plugin)) {
        snprintf(errstr, errstr_size,
                 "plugin is not binary compatible (struct recut_plugin of %zu bytes; recutd "
                 "reads %zu)",
                 p->struct_size, sizeof(struct recut_plugin));
        return -1;
    }
    return 0;
}
