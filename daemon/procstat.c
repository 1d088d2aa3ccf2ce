/* SPDX-License-Identifier: Apache-2.0 */
/* procstat.c -- process_* metrics from /proc/self (Linux), named and typed
 * as the Prometheus client libraries export them, so standard dashboards
 * read recutd as they read any other process. */
#include "config.h"
#include "procstat.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Start time in seconds since the epoch: /proc/self/stat's starttime
 * (ticks after boot) plus /proc/stat's btime; -1 if unknown. */
static double procstat_start_time(void)
{
    char buf[1024];
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    if (!p)
        return -1;
    unsigned long long start = 0;
    int field = 2; /* ")" ends field 2 */
    for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " "))
        if (++field == 22) {
            start = strtoull(tok, NULL, 10);
            break;
        }
    if (field != 22)
        return -1;
    f = fopen("/proc/stat", "r");
    if (!f)
        return -1;
    unsigned long long btime = 0;
    int found = 0;
    while (!found && fgets(buf, sizeof buf, f))
        found = sscanf(buf, "btime %llu", &btime) == 1;
    fclose(f);
    long tck = sysconf(_SC_CLK_TCK);
    if (!found || tck <= 0)
        return -1;
    return (double)btime + (double)start / (double)tck;
}

static long procstat_open_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    if (!dir)
        return -1;
    long n = 0;
    struct dirent *e;
    while ((e = readdir(dir)))
        if (e->d_name[0] != '.')
            n++;
    closedir(dir);
    return n - 1; /* not the descriptor reading the directory */
}

void procstat_render(struct strbuf *b)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        strbuf_printf(b,
                      "# HELP process_cpu_seconds_total Total user and system CPU time spent in "
                      "seconds.\n# TYPE process_cpu_seconds_total counter\n"
                      "process_cpu_seconds_total %.6f\n",
                      (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
                          (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
    unsigned long long vsz, rss;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        long page = sysconf(_SC_PAGESIZE);
        if (fscanf(f, "%llu %llu", &vsz, &rss) == 2 && page > 0)
            strbuf_printf(b,
                          "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
                          "# TYPE process_virtual_memory_bytes gauge\n"
                          "process_virtual_memory_bytes %llu\n"
                          "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
                          "# TYPE process_resident_memory_bytes gauge\n"
                          "process_resident_memory_bytes %llu\n",
                          vsz * (unsigned long long)page, rss * (unsigned long long)page);
        fclose(f);
    }
    long fds = procstat_open_fds();
    if (fds >= 0)
        strbuf_printf(b,
                      "# HELP process_open_fds Number of open file descriptors.\n"
                      "# TYPE process_open_fds gauge\nprocess_open_fds %ld\n",
                      fds);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        strbuf_printf(b,
                      "# HELP process_max_fds Maximum number of open file descriptors.\n"
                      "# TYPE process_max_fds gauge\nprocess_max_fds %llu\n",
                      (unsigned long long)rl.rlim_cur);
    double start = procstat_start_time();
    if (start >= 0)
        strbuf_printf(b,
                      "# HELP process_start_time_seconds Start time of the process since unix "
                      "epoch in seconds.\n# TYPE process_start_time_seconds gauge\n"
                      "process_start_time_seconds %.2f\n",
                      start);
}
