/* SPDX-License-Identifier: Apache-2.0 */
/* log.h -- recut's logger: stderr, one line per message, level filtered,
 * with a per-call-site rate limiter for messages that input can trigger. */
#ifndef RECUT_LOG_H
#define RECUT_LOG_H

#include <stdarg.h>
#include <time.h>

enum log_level {
    LOG_LVL_ERR = 3,
    LOG_LVL_WARNING = 4,
    LOG_LVL_NOTICE = 5,
    LOG_LVL_INFO = 6,
    LOG_LVL_DEBUG = 7
};

void log_set_level(int level);
int log_get_level(void);
/* "err", "warning", "notice", "info", "debug" -> level, or -1. */
int log_level_parse(const char *name);
const char *log_level_name(int level);

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(int level, const char *prefix, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Rate limiter: at most `burst` messages per `interval` seconds per limiter;
 * the first message after a suppressed period reports how many were dropped. */
struct log_ratelimit {
    time_t window_start;
    unsigned interval, burst, printed, suppressed;
};
#define LOG_RATELIMIT_INIT(interval_s, burst_n)                                                    \
    {                                                                                              \
        0, (interval_s), (burst_n), 0, 0                                                           \
    }
void log_limited(struct log_ratelimit *rl, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LVL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
