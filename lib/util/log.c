/* SPDX-License-Identifier: Apache-2.0 */
/* log.c -- stderr logger with levels and rate limiting.  Lines carry a
 * syslog priority prefix ("<6>") so journald keeps the level when recutd runs
 * under systemd; on a terminal a timestamp is printed instead. */
#include "config.h"
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/time.h>
#include <pthread.h>

static int log_level = LOG_LVL_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const log_names[] = {
    [LOG_LVL_ERR] = "err",   [LOG_LVL_WARNING] = "warning", [LOG_LVL_NOTICE] = "notice",
    [LOG_LVL_INFO] = "info", [LOG_LVL_DEBUG] = "debug",
};

void log_set_level(int level)
{
    log_level = level;
}
int log_get_level(void)
{
    return log_level;
}

int log_level_parse(const char *name)
{
    for (int i = LOG_LVL_ERR; i <= LOG_LVL_DEBUG; i++)
        if (strcmp(name, log_names[i]) == 0)
            return i;
    if (strcmp(name, "error") == 0)
        return LOG_LVL_ERR;
    if (strcmp(name, "warn") == 0)
        return LOG_LVL_WARNING;
    return -1;
}

const char *log_level_name(int level)
{
    if (level < LOG_LVL_ERR || level > LOG_LVL_DEBUG)
        return "?";
    return log_names[level];
}

void log_vmsg(int level, const char *prefix, const char *fmt, va_list ap)
{
    if (level > log_level)
        return;
    char line[2048];
    int off;
    if (isatty(STDERR_FILENO)) {
        struct timeval tv;
        gettimeofday(&tv, NULL);
        struct tm tm;
        localtime_r(&tv.tv_sec, &tm);
        char ts[32];
        strftime(ts, sizeof ts, "%H:%M:%S", &tm);
        off = snprintf(line, sizeof line, "%s.%03d %-7s ", ts, (int)(tv.tv_usec / 1000),
                       log_level_name(level));
    } else {
        off = snprintf(line, sizeof line, "<%d>", level);
    }
    if (prefix && off < (int)sizeof line)
        off += snprintf(line + off, sizeof line - (size_t)off, "%s: ", prefix);
    if (off < (int)sizeof line)
        off += vsnprintf(line + off, sizeof line - (size_t)off, fmt, ap);
    if (off >= (int)sizeof line - 1)
        off = (int)sizeof line - 2;
    /* keep one message on one line */
    for (int i = 0; i < off; i++)
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';
    line[off] = '\n';
    line[off + 1] = '\0';
    pthread_mutex_lock(&log_lock);
    fputs(line, stderr);
    pthread_mutex_unlock(&log_lock);
}

void log_msg(int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, NULL, fmt, ap);
    va_end(ap);
}

void log_limited(struct log_ratelimit *rl, int level, const char *fmt, ...)
{
    time_t now = time(NULL);
    if (now - rl->window_start >= (time_t)rl->interval) {
        if (rl->suppressed)
            log_msg(level, "(%u similar messages suppressed in the last %us)", rl->suppressed,
                    rl->interval);
        rl->window_start = now;
        rl->printed = 0;
        rl->suppressed = 0;
    }
    if (rl->printed >= rl->burst) {
        rl->suppressed++;
        return;
    }
    rl->printed++;
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, NULL, fmt, ap);
    va_end(ap);
}
