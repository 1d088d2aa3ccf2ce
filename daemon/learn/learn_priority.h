/* SPDX-License-Identifier: Apache-2.0 */
/* learn_priority.h -- training threads give way to serving.
 *
 * The SVM trainer and the group fitter run beside the event loop that
 * answers requests and applies the stream.  On a busy machine they took a
 * core from it, and requests waited for the CPU: each training thread lowers
 * its own priority (Linux keeps a nice value per thread), so it uses what
 * the loop leaves. */
#ifndef RECUTD_LEARN_PRIORITY_H
#define RECUTD_LEARN_PRIORITY_H

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LEARN_NICE 10

static inline void learn_lower_priority(void)
{
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), LEARN_NICE);
}

#endif
