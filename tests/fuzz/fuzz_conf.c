/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_conf.c -- libFuzzer harness for the configuration parser.
 *
 * A configuration file is written by people, often by hand under
 * pressure; whatever it holds, recutd must stop with `file:line: reason`
 * or accept it, and never crash.  The harness writes its input to a file
 * (the parser takes a path, as recutd does), loads it, validates it, dumps
 * it and frees it. */
#include "config.h"
#include "conf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_conf_path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fuzz_conf_path[0]) {
        snprintf(fuzz_conf_path, sizeof fuzz_conf_path, "%s/recut-fuzz-conf.%ld",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
    }
    FILE *f = fopen(fuzz_conf_path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    struct recut_config cfg;
    if (conf_init(&cfg) != 0)
        abort();
    char err[512] = "";
    if (conf_load_file(&cfg, fuzz_conf_path, err, sizeof err) == 0) {
        if (conf_validate(&cfg, err, sizeof err) == 0) {
            FILE *null = fopen("/dev/null", "w");
            if (null) {
                conf_dump(&cfg, null);
                fclose(null);
            }
        }
    } else if (!strstr(err, fuzz_conf_path)) {
        abort(); /* an error must name the file */
    }
    conf_free(&cfg);
    unlink(fuzz_conf_path);
    return 0;
}
