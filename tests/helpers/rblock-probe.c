/* SPDX-License-Identifier: Apache-2.0 */
/* rblock-probe.c -- drives lib/redis/rblock.c for tests/integration/rblock.sh.
 *
 * The client's point is what happens when a cluster changes under a
 * connection that is already open (a slot moved: -MOVED; a slot being
 * moved: -ASK), so a test must run it as one long-lived process and change
 * the cluster between two of its commands.  This program reads one
 * request per line on stdin, answers one line on stdout (flushed), and
 * the shell test moves slots with redis-cli in between:
 *   cmd ARG...            any command, routed by its first key
 *   tx KEY VAL KEY VAL... MULTI, SET each, EXEC in the first key's slot
 *   wbegin KEY            WATCH KEY and GET KEY in its slot: the value
 *   wcommit KEY VAL       MULTI, SET, EXEC there, not redirected (WATCHed)
 *   spread KEY...         one pipeline of GETs over every master
 *   scan PATTERN          SCAN on every master: the number of distinct keys
 *   masters               PING on every master: their number
 *   stats                 redirections followed so far
 * Usage: rblock-probe SEEDS [USER PASSWORD_FILE]; exit 2 when the
 * connection fails (the reason on stderr). */
#include "config.h"
#include "rblock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void probe_print(const redisReply *r)
{
    if (!r) {
        printf("(null)");
        return;
    }
    switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
        printf("%s", r->str);
        break;
    case REDIS_REPLY_ERROR:
        printf("ERR:%s", r->str);
        break;
    case REDIS_REPLY_INTEGER:
        printf(":%lld", r->integer);
        break;
    case REDIS_REPLY_NIL:
        printf("(nil)");
        break;
    case REDIS_REPLY_ARRAY:
        printf("[");
        for (size_t i = 0; i < r->elements; i++) {
            if (i)
                printf(",");
            probe_print(r->element[i]);
        }
        printf("]");
        break;
    default:
        printf("?");
    }
}

struct probe_keys {
    char **v;
    size_t n;
};

static int probe_key(void *arg, const char *key, size_t len)
{
    struct probe_keys *k = arg;
    for (size_t i = 0; i < k->n; i++)
        if (strlen(k->v[i]) == len && memcmp(k->v[i], key, len) == 0)
            return 0;
    char **v = realloc(k->v, (k->n + 1) * sizeof *v);
    if (!v || !(v[k->n] = strndup(key, len)))
        return -1;
    k->v = v;
    k->n++;
    return 0;
}

static int probe_ping(void *arg, redisContext *node, const char *name)
{
    (void)name;
    redisReply *r = redisCommand(node, "PING");
    int ok = r && r->type == REDIS_REPLY_STATUS;
    if (r)
        freeReplyObject(r);
    *(int *)arg += ok;
    return ok ? 0 : -1;
}

static void probe_line(struct rblock *c, char *line)
{
    const char *argv[64];
    int argc = 0;
    for (char *t = strtok(line, " \t\n"); t && argc < 64; t = strtok(NULL, " \t\n"))
        argv[argc++] = t;
    if (argc == 0) {
        printf("\n");
        return;
    }
    if (strcmp(argv[0], "cmd") == 0 && argc > 1) {
        redisReply *r = rblock_command_argv(c, argc - 1, argv + 1, NULL);
        if (r)
            probe_print(r);
        else
            printf("FAIL:%s", rblock_errstr(c));
        if (r)
            freeReplyObject(r);
    } else if (strcmp(argv[0], "tx") == 0 && argc >= 3 && argc % 2 == 1) {
        struct rblock_pipe *p = rblock_pipe_new(c, rblock_tag(argv[1]), 0);
        rblock_pipe_append(p, "MULTI");
        for (int i = 1; i + 1 < argc; i += 2)
            rblock_pipe_append(p, "SET %s %s", argv[i], argv[i + 1]);
        rblock_pipe_append(p, "EXEC");
        if (rblock_pipe_exec(p) < 0)
            printf("FAIL:%s", rblock_errstr(c));
        else
            probe_print(rblock_pipe_reply(p, rblock_pipe_len(p) - 1));
        rblock_pipe_free(p);
    } else if (strcmp(argv[0], "wbegin") == 0 && argc == 2) {
        struct rblock_pipe *p = rblock_pipe_new(c, rblock_tag(argv[1]), 0);
        rblock_pipe_append(p, "WATCH %s", argv[1]);
        rblock_pipe_append(p, "GET %s", argv[1]);
        if (rblock_pipe_exec(p) < 0)
            printf("FAIL:%s", rblock_errstr(c));
        else
            probe_print(rblock_pipe_reply(p, 1));
        rblock_pipe_free(p);
    } else if (strcmp(argv[0], "wcommit") == 0 && argc == 3) {
        struct rblock_pipe *p = rblock_pipe_new(c, rblock_tag(argv[1]), RBLOCK_PIPE_WATCHED);
        rblock_pipe_append(p, "MULTI");
        rblock_pipe_append(p, "SET %s %s", argv[1], argv[2]);
        rblock_pipe_append(p, "EXEC");
        if (rblock_pipe_exec(p) < 0)
            printf("FAIL:%s", rblock_errstr(c));
        else
            probe_print(rblock_pipe_reply(p, 2));
        rblock_pipe_free(p);
    } else if (strcmp(argv[0], "spread") == 0) {
        struct rblock_pipe *p = rblock_pipe_new(c, -1, 0);
        for (int i = 1; i < argc; i++)
            rblock_pipe_append(p, "GET %s", argv[i]);
        if (rblock_pipe_exec(p) < 0) {
            printf("FAIL:%s", rblock_errstr(c));
        } else {
            for (size_t i = 0; i < rblock_pipe_len(p); i++) {
                printf(i ? " " : "");
                probe_print(rblock_pipe_reply(p, i));
            }
        }
        rblock_pipe_free(p);
    } else if (strcmp(argv[0], "scan") == 0 && argc == 2) {
        struct probe_keys k = { NULL, 0 };
        if (rblock_scan(c, argv[1], probe_key, &k) != 0)
            printf("FAIL:%s", rblock_errstr(c));
        else
            printf("%zu", k.n);
        for (size_t i = 0; i < k.n; i++)
            free(k.v[i]);
        free(k.v);
    } else if (strcmp(argv[0], "masters") == 0) {
        int n = 0;
        if (rblock_for_each_master(c, probe_ping, &n) != 0)
            printf("FAIL:%s", rblock_errstr(c));
        else
            printf("%d", n);
    } else if (strcmp(argv[0], "stats") == 0) {
        struct rblock_stats st;
        rblock_stats(c, &st);
        printf("moved=%lu ask=%lu tryagain=%lu cluster=%d", st.moved, st.ask, st.tryagain,
               rblock_is_cluster(c));
    } else {
        printf("BAD REQUEST");
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 4) {
        fprintf(stderr, "usage: rblock-probe SEEDS [USER PASSWORD_FILE]\n");
        return 64;
    }
    char pw[256] = "", err[512];
    if (argc == 4) {
        FILE *f = fopen(argv[3], "r");
        if (!f || !fgets(pw, sizeof pw, f)) {
            fprintf(stderr, "cannot read %s\n", argv[3]);
            return 64;
        }
        fclose(f);
        pw[strcspn(pw, "\r\n")] = '\0';
    }
    struct rblock *c =
        rblock_connect(argv[1], argc == 4 ? argv[2] : NULL, pw, 2000, err, sizeof err);
    if (!c) {
        fprintf(stderr, "rblock: %s\n", err);
        return 2;
    }
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        probe_line(c, line);
        fflush(stdout);
    }
    rblock_free(c);
    return 0;
}
