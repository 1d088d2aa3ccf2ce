/* SPDX-License-Identifier: Apache-2.0 */
/* eval_replay.c -- prequential replay and its metrics (see eval_replay.h). */
#include "config.h"
#include "eval_replay.h"
#include "eval_metrics.h"
#include "eval_state.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const eval_method_names[EVAL_N_METHODS] = { "recut", "most_popular", "random" };

typedef size_t (*eval_top_fn)(struct eval_state *s, uint32_t user, uint32_t *out, size_t k);

static const eval_top_fn eval_replay_top[EVAL_N_METHODS] = { eval_state_recut, eval_state_popular,
                                                             eval_state_random };

static double eval_replay_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int eval_replay_run(const struct eval_data *d, const struct recut_config *cfg,
                    const struct eval_opts *o, struct eval_result *r, char *errstr,
                    size_t errstr_size)
{
    memset(r, 0, sizeof *r);
    r->catalog = d->cat.n;
    r->users = d->n_users;
    struct eval_state s;
    if (eval_state_init(&s, d, cfg, o->seed, errstr, errstr_size) < 0)
        return -1;
    s.sentiment = o->sentiment;
    s.sentiment_ctx = o->sentiment_ctx;
    uint64_t *shown[EVAL_N_METHODS] = { 0 }; /* exposure: slots per item */
    uint64_t *genres = calloc(d->cat.n ? d->cat.n : 1, sizeof *genres);
    int rc = genres ? 0 : -1;
    for (int m = 0; m < EVAL_N_METHODS; m++)
        if (!(shown[m] = calloc(d->cat.n ? d->cat.n : 1, sizeof *shown[m])))
            rc = -1;
    if (rc == 0)
        eval_metrics_genre_masks(&d->cat, genres);
    if (rc < 0)
        snprintf(errstr, errstr_size, "out of memory");
    double t0 = eval_replay_cpu();
    size_t k = o->k;
    uint32_t top[64];
    for (size_t i = 0; rc == 0 && i < d->n_events; i++) {
        const struct eval_event *ev = &d->events[i];
        if (o->limit && r->ratings >= o->limit)
            break;
        if (ev->tag >= 0) {
            if (o->comments) {
                rc = eval_state_learn(&s, ev, errstr, errstr_size);
                r->comments++;
            }
            continue;
        }
        r->ratings++;
        if (ev->value >= o->relevant) {
            for (int m = 0; m < EVAL_N_METHODS; m++) {
                struct eval_score *sc = &r->m[m];
                size_t n = eval_replay_top[m](&s, ev->user, top, k);
                sc->n++;
                for (size_t j = 0; j < n; j++) {
                    if (top[j] == ev->movie) {
                        sc->hits++;
                        sc->ndcg += 1.0 / log2((double)j + 2.0);
                    }
                    if (!shown[m][top[j]]++)
                        sc->distinct++;
                    /* popularity as learnt so far, before this event */
                    sc->pop += eval_metrics_pop_percentile(s.pos[top[j]], d->cat.n);
                }
                sc->slots += n;
                double ild = eval_metrics_ild(genres, top, n);
                if (ild >= 0) {
                    sc->ild += ild;
                    sc->ild_n++;
                }
            }
        }
        rc = eval_state_learn(&s, ev, errstr, errstr_size);
    }
    r->seconds = eval_replay_cpu() - t0;
    r->svm_trained = s.svm_trained;
    r->svm_few = s.svm_few;
    r->svm_seconds = s.svm_seconds;
    for (int m = 0; m < EVAL_N_METHODS; m++) {
        if (shown[m])
            r->m[m].gini = eval_metrics_gini(shown[m], d->cat.n);
        free(shown[m]);
    }
    free(genres);
    eval_state_free(&s);
    return rc;
}

int eval_replay_dump(const struct eval_data *d, const struct recut_config *cfg,
                     const struct eval_opts *o, const char *users, FILE *out, char *errstr,
                     size_t errstr_size)
{
    /* resolve the viewers first: an unknown one is an error before any work */
    size_t n_users = 1;
    for (const char *p = users; *p; p++)
        n_users += *p == ',';
    uint32_t *idx = calloc(n_users, sizeof *idx);
    char *list = strdup(users);
    if (!idx || !list) {
        free(idx);
        free(list);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    size_t n = 0;
    int rc = 0;
    char *save = NULL;
    for (char *tok = strtok_r(list, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
        char id[64];
        snprintf(id, sizeof id, "%s%s", tok[0] == 'u' ? "" : "u", tok);
        struct strmap_entry *e = strmap_get(&d->user_index, id);
        if (!e) {
            snprintf(errstr, errstr_size, "--dump-recs: no viewer '%s' in the ratings", tok);
            rc = -1;
        } else {
            idx[n++] = (uint32_t)(e->num - 1);
        }
    }
    free(list);
    if (rc == 0 && n == 0) {
        snprintf(errstr, errstr_size, "--dump-recs: no viewers given");
        rc = -1;
    }
    struct eval_state s;
    if (rc == 0 && eval_state_init(&s, d, cfg, o->seed, errstr, errstr_size) < 0)
        rc = -1;
    if (rc < 0) {
        free(idx);
        return -1;
    }
    s.sentiment = o->sentiment;
    s.sentiment_ctx = o->sentiment_ctx;
    size_t ratings = 0;
    for (size_t i = 0; rc == 0 && i < d->n_events; i++) {
        const struct eval_event *ev = &d->events[i];
        if (o->limit && ratings >= o->limit)
            break;
        if (ev->tag >= 0 && !o->comments)
            continue;
        ratings += ev->tag < 0;
        rc = eval_state_learn(&s, ev, errstr, errstr_size);
    }
    uint32_t top[64];
    for (size_t u = 0; rc == 0 && u < n; u++) {
        size_t got = eval_state_recut(&s, idx[u], top, o->k);
        fprintf(out, "%s\t", d->user_ids[idx[u]]);
        for (size_t j = 0; j < got; j++)
            fprintf(out, "%s%s", j ? "," : "", d->cat.list[top[j]]->m.id);
        fputc('\n', out);
    }
    eval_state_free(&s);
    free(idx);
    return rc;
}
