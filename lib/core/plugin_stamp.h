/* SPDX-License-Identifier: Apache-2.0 */
/* plugin_stamp.h -- the one check of a plugin's stamp (struct recut_plugin's
 * magic, ABI version, build signature and struct size), shared by recutd's
 * loader and the test host of tests/plugins, so that the tests check the
 * rule recutd applies and not a copy of it.
 *
 * The rule: the magic, the ABI version and the build signature must equal
 * the host's; struct_size must be at least the host's
 * sizeof(struct recut_plugin).  Within one ABI version fields are only
 * appended (recut/plugin.h), so a plugin built against a newer minor
 * header (a larger struct) still has every field the host reads, at the
 * same offsets, and the host never reads past its own struct; a smaller
 * struct lacks fields the host would read and is refused.  Like Redis'
 * module API version, and unlike nginx's exact module signature, a newer
 * plugin of the same ABI runs on an older host. */
#ifndef RECUT_PLUGIN_STAMP_H
#define RECUT_PLUGIN_STAMP_H

#include <stddef.h>

#include "recut/plugin.h"

/* 0 if recutd may read p (after its stamp: name, kind, functions), else -1
 * with the reason in errstr, which says "not binary compatible". */
int plugin_stamp_check(const struct recut_plugin *p, char *errstr, size_t errstr_size);

#endif
