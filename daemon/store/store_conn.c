/* SPDX-License-Identifier: Apache-2.0 */
/* store_conn.c -- the life of the store's Redis connection.
 *
 * A connection is only "up" (store_connected, /v1/health, recut_redis_up)
 * once Redis answered its handshake: AUTH when configured, the scripts and
 * a PING.  A TCP connection alone proves nothing: a Redis stuck in a long
 * command accepts connections it does not serve.
 *
 * Every way a connection can end -- an I/O error, an error reply that made
 * the store re-apply its batches, a command left unanswered for longer than
 * [redis] timeout_ms -- ends in a reconnect, with a delay that starts at
 * 100 ms and doubles up to 5 s so a Redis refusing our writes is not
 * hammered; the delay starts again once a batch went through.  Only
 * store_free ends a connection for good.
 *
 * hiredis's asynchronous context has no command timeout, so a watchdog
 * timer does it: when commands are waiting and no reply arrived for
 * timeout_ms, the connection is dropped and counted. */
#include "config.h"
#include "store-internal.h"
#include "store_lua.h"
#include "secret.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int store_creds_get(char *argv[3]);
static void store_creds_put(char *argv[3], int n);

#define STORE_BACKOFF_MIN_MS 100
#define STORE_BACKOFF_MAX_MS 5000

void store_replied(struct store *s)
{
    if (s->pending)
        s->pending--;
    s->replies++;
}

void store_schedule_reconnect(struct store *s)
{
    if (!s->reconnect_ev || event_pending(s->reconnect_ev, EV_TIMEOUT, NULL))
        return;
    int ms = s->backoff_ms ? s->backoff_ms : STORE_BACKOFF_MIN_MS;
    s->backoff_ms = ms * 2 > STORE_BACKOFF_MAX_MS ? STORE_BACKOFF_MAX_MS : ms * 2;
    log_info("redis: reconnecting in %d ms", ms);
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    event_add(s->reconnect_ev, &tv);
}

void store_backoff_reset(struct store *s)
{
    s->backoff_ms = 0;
}

void store_drop(struct store *s)
{
    if (s->route) {
        store_route_drop(s);
        return;
    }
    redisAsyncContext *ac = s->ac;
    s->connected = 0;
    if (!ac)
        return;
    s->ac = NULL;
    if (ac->c.flags & (REDIS_DISCONNECTING | REDIS_FREEING))
        return; /* hiredis is ending it already: its disconnect callback follows */
    if (!(ac->c.flags & REDIS_CONNECTED)) {
        /* still connecting: hiredis calls no callback for this one */
        redisAsyncSetDisconnectCallback(ac, NULL);
        redisAsyncFree(ac);
        s->pending = 0;
        store_schedule_reconnect(s);
        return;
    }
    /* the unanswered callbacks get NULL, then store_on_disconnect runs
     * (at once, or when the callback we may be in returns) */
    redisAsyncFree(ac);
}

/* ---- the watchdog ------------------------------------------------------ */
static long store_ms_since(const struct timeval *t)
{
    struct timeval now;
    evutil_gettimeofday(&now, NULL);
    return (long)(now.tv_sec - t->tv_sec) * 1000 + (long)(now.tv_usec - t->tv_usec) / 1000;
}

static void store_watchdog_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct store *s = arg;
    /* waiting: commands unanswered, or a connection not through its handshake */
    int waiting = (s->ac || s->route) && (s->pending > 0 || !s->connected);
    if (!waiting || !s->busy || s->replies != s->replies_seen) {
        s->busy = waiting;
        s->replies_seen = s->replies;
        evutil_gettimeofday(&s->busy_since, NULL);
        return;
    }
    long ms = store_ms_since(&s->busy_since);
    if (ms < s->d->cfg.redis_timeout_ms)
        return;
    log_warn("redis: no reply for %ld ms (timeout_ms %d, %zu commands waiting); dropping the "
             "connection",
             ms, s->d->cfg.redis_timeout_ms, s->pending);
    metrics_inc(M_REDIS_TIMEOUTS, 1);
    s->busy = 0;
    if (s->wait_head || s->queue_head)
        store_batch_reset(s, "command timed out"); /* drops the connection */
    else
        store_drop(s);
}

int store_watchdog_start(struct store *s)
{
    int t = s->d->cfg.redis_timeout_ms / 4;
    if (t > 250)
        t = 250;
    if (t < 10)
        t = 10;
    s->timeout_ev = event_new(s->d->base, -1, EV_PERSIST, store_watchdog_tick, s);
    struct timeval tv = { t / 1000, (t % 1000) * 1000 };
    return s->timeout_ev && event_add(s->timeout_ev, &tv) == 0 ? 0 : -1;
}

void store_watchdog_stop(struct store *s)
{
    if (s->timeout_ev)
        event_free(s->timeout_ev);
    s->timeout_ev = NULL;
}

/* ---- counting failures ------------------------------------------------- */
/* recut_redis_errors_total counts failures, not their echoes: a lost
 * connection fails every command in flight (hundreds of viewer loads, each
 * of which would reset the store), so only the first count after a
 * connection attempt or a handshake is taken. */
void store_count_error(struct store *s)
{
    if (s->err_counted)
        return;
    s->err_counted = 1;
    metrics_inc(M_REDIS_ERRORS, 1);
}

/* ---- the handshake ----------------------------------------------------- */
enum {
    STORE_HS_AUTH = 1,
    STORE_HS_SCRIPT,
    STORE_HS_PING
};

static void store_handshake_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store *s = ac->data;
    redisReply *r = reply;
    int step = (int)(intptr_t)priv;
    store_replied(s);
    if (!r || (s->route ? !store_route_knows(s, ac) : ac != s->ac))
        return; /* the connection is going away */
    if (r->type == REDIS_REPLY_ERROR) {
        if (step == STORE_HS_AUTH)
            log_err("redis: AUTH as user %s failed at %s: %s",
                    store_creds_user_name(s->d->cfg.redis_user), s->d->cfg.redis_address, r->str);
        else
            log_warn("redis: %s at %s: %s", step == STORE_HS_PING ? "PING" : "SCRIPT LOAD",
                     s->d->cfg.redis_address, r->str);
        store_count_error(s);
        store_drop(s);
        return;
    }
    if (step != STORE_HS_PING)
        return;
    if (s->route) {
        store_route_handshake_done(s, ac);
        return;
    }
    s->connected = 1;
    s->err_counted = 0;
    log_info("redis: connected to %s", s->d->cfg.redis_address);
    if (!s->queue_head && !s->wait_head)
        store_backoff_reset(s);
    store_batch_connected(s);
}

static void store_handshake_send(struct store *s, redisAsyncContext *ac, int step, int argc,
                                 const char **argv)
{
    if (redisAsyncCommandArgv(ac, store_handshake_cb, (void *)(intptr_t)step, argc, argv, NULL) ==
        REDIS_OK)
        s->pending++;
}

void store_handshake(struct store *s, redisAsyncContext *ac)
{
    char *auth[3];
    int n = store_creds_get(auth);
    if (n > 0) {
        store_handshake_send(s, ac, STORE_HS_AUTH, n, (const char **)auth);
        store_creds_put(auth, n);
    } else if (n < 0) {
        log_err("redis: out of memory for AUTH");
    }
    /* the script cache may be empty after a Redis restart: load them first */
    for (size_t i = 0; i < STORE_N_LUA; i++) {
        const char *argv[] = { "SCRIPT", "LOAD", store_lua_scripts[i] };
        store_handshake_send(s, ac, STORE_HS_SCRIPT, 3, argv);
    }
    const char *ping[] = { "PING" };
    store_handshake_send(s, ac, STORE_HS_PING, 1, ping);
}

/* ---- the credentials -------------------------------------------------- */
/* One set per process: the blocking connections of the worker threads
 * (store_connect_sync) authenticate with them too, hence the lock. */
static pthread_mutex_t store_cred_lock = PTHREAD_MUTEX_INITIALIZER;
static char *store_cred_user, *store_cred_pw;

int store_creds_set(const char *user, const char *password_file, char *errstr, size_t errstr_size)
{
    char *pw, *u = NULL;
    if (util_secret_read("redis.password_file", password_file, &pw, errstr, errstr_size) < 0)
        return -1;
    if (user && user[0] && !(u = strdup(user))) {
        util_secret_wipe(pw);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    pthread_mutex_lock(&store_cred_lock);
    util_secret_wipe(store_cred_pw);
    free(store_cred_user);
    store_cred_pw = pw;
    store_cred_user = u;
    pthread_mutex_unlock(&store_cred_lock);
    return 0;
}

void store_creds_clear(void)
{
    pthread_mutex_lock(&store_cred_lock);
    util_secret_wipe(store_cred_pw);
    free(store_cred_user);
    store_cred_pw = store_cred_user = NULL;
    pthread_mutex_unlock(&store_cred_lock);
}

/* The AUTH command's arguments (argv[0] = "AUTH"), copied; 0 when there is
 * no password.  Free with store_creds_put. */
static int store_creds_get(char *argv[3])
{
    int n = 0;
    pthread_mutex_lock(&store_cred_lock);
    if (store_cred_pw) {
        argv[n++] = strdup("AUTH");
        if (store_cred_user)
            argv[n++] = strdup(store_cred_user);
        argv[n++] = strdup(store_cred_pw);
    }
    pthread_mutex_unlock(&store_cred_lock);
    for (int i = 0; i < n; i++)
        if (!argv[i]) {
            for (int k = 0; k < n; k++)
                util_secret_wipe(argv[k]);
            return -1;
        }
    return n;
}

static void store_creds_put(char *argv[3], int n)
{
    for (int i = 0; i < n; i++)
        util_secret_wipe(argv[i]);
}

const char *store_creds_user_name(const char *user)
{
    return user && user[0] ? user : "default";
}

int store_auth_sync(redisContext *c, const char *address, char *errstr, size_t errstr_size)
{
    char *argv[3];
    int n = store_creds_get(argv);
    if (n == 0)
        return 0;
    if (n < 0) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    const char *user = n == 3 ? argv[1] : "default";
    redisReply *r = redisCommandArgv(c, n, (const char **)argv, NULL);
    if (!r || r->type == REDIS_REPLY_ERROR) {
        snprintf(errstr, errstr_size, "redis: AUTH as user %s failed at %s: %s", user, address,
                 r ? r->str : c->errstr);
        if (r)
            freeReplyObject(r);
        store_creds_put(argv, n);
        return -1;
    }
    freeReplyObject(r);
    store_creds_put(argv, n);
    return 0;
}
