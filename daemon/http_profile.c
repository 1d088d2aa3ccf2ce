/* SPDX-License-Identifier: Apache-2.0 */
/* http_profile.c -- GET /v1/users/{id}/profile: what recut's models learned
 * about one viewer, as a person can read it (the strongest liked and
 * disliked features, affect, group, factors, SVM).  It only reads a loaded
 * viewer, so it lives apart from the routing and I/O of http.c. */
#include "config.h"
#include "http_profile.h"
#include "daemon.h"
#include "groups.h"
#include "svm_scorer.h"
#include "taste.h"
#include "viewer_fields.h"

#include <stdlib.h>
#include <string.h>

static int http_profile_feature_cmp(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    double dx = json_real_value(json_object_get(x, "log_odds"));
    double dy = json_real_value(json_object_get(y, "log_odds"));
    return dx < dy   ? 1
           : dx > dy ? -1
                     : strcmp(json_string_value(json_object_get(x, "feature")),
                              json_string_value(json_object_get(y, "feature")));
}

json_t *http_profile_doc(struct recutd *d, const recut_viewer *v)
{
    /* what the Naive Bayes model learned, strongest first */
    size_t it = 0, n = 0;
    struct strmap_entry *e;
    json_t **feats = calloc(v->nb.len + 1, sizeof *feats);
    struct strmap seenf;
    strmap_init(&seenf);
    while (feats && (e = strmap_next(&v->nb, &it))) {
        enum viewer_field_kind kind;
        enum viewer_class cls;
        const char *f = NULL;
        if (viewer_field_parse(e->key, e->len, &kind, &cls, &f) < 0 || kind != VIEWER_FIELD_FEATURE)
            continue;
        if (strmap_get(&seenf, f))
            continue;
        strmap_put(&seenf, f);
        feats[n++] = json_pack("{s:s,s:f}", "feature", f, "log_odds", viewer_feature(v, f));
    }
    strmap_clear(&seenf, NULL);
    if (feats)
        qsort(feats, n, sizeof *feats, http_profile_feature_cmp);
    json_t *likes = json_array(), *dislikes = json_array();
    for (size_t i = 0; i < n; i++) {
        double lo = json_real_value(json_object_get(feats[i], "log_odds"));
        if (lo > 0 && json_array_size(likes) < 20)
            json_array_append(likes, feats[i]);
        json_decref(feats[i]);
    }
    free(feats);
    /* dislikes: most negative first */
    json_t *all = json_array();
    it = 0;
    while ((e = strmap_next(&v->nb, &it))) {
        enum viewer_field_kind kind;
        enum viewer_class cls;
        const char *f;
        if (viewer_field_parse(e->key, e->len, &kind, &cls, &f) < 0 ||
            kind != VIEWER_FIELD_FEATURE || cls != VIEWER_DISLIKE)
            continue;
        double lo = viewer_feature(v, f);
        if (lo < 0)
            json_array_append_new(all, json_pack("{s:s,s:f}", "feature", f, "log_odds", lo));
    }
    size_t na = json_array_size(all);
    json_t **arr = calloc(na + 1, sizeof *arr);
    for (size_t i = 0; arr && i < na; i++)
        arr[i] = json_array_get(all, i);
    if (arr)
        qsort(arr, na, sizeof *arr, http_profile_feature_cmp);
    for (size_t i = na; arr && i-- > 0 && json_array_size(dislikes) < 20;)
        json_array_append(dislikes, arr[i]);
    free(arr);
    json_decref(all);
    double pa, pv;
    int has_aff = viewer_affect(v, &pa, &pv) == 0;
    json_t *hist = json_array();
    for (size_t i = 0; i < v->n_hist && i < 20; i++)
        json_array_append_new(hist, json_string(v->hist[i]));
    json_t *doc = json_pack("{s:s,s:I,s:b,s:{s:f,s:f},s:I,s:o,s:o,s:o}", "user", viewer_id(v),
                            "events", (json_int_t)v->events, "emotion_consent", v->consent,
                            "naive_bayes", "like_weight", v->n_like, "dislike_weight", v->n_dislike,
                            "movies_seen", (json_int_t)v->seen.len, "likes", likes, "dislikes",
                            dislikes, "recent_positives", hist);
    if (has_aff)
        json_object_set_new(doc, "affect", json_pack("{s:f,s:f}", "arousal", pa, "valence", pv));
    else
        json_object_set_new(doc, "affect", json_null());
    json_t *cluster, *factors;
    groups_profile(d->groups, v, &cluster, &factors);
    json_object_set_new(doc, "cluster", cluster);
    json_object_set_new(doc, "factors", factors);
    json_object_set_new(doc, "svm", svm_scorer_profile(v));
    /* the taste for scene content (taste.h): the weight of the actions it
     * rests on and the learned weight of each content dimension */
    double theta[TASTE_DIM], tw = taste_theta(v, TASTE_PRIOR, theta);
    json_t *taste = json_null();
    if (tw > 0) {
        taste = json_pack("{s:f}", "weight", tw);
        for (int k = 1; taste && k < TASTE_DIM; k++)
            json_object_set_new(taste, taste_dim_names[k], json_real(theta[k]));
    }
    json_object_set_new(doc, "scene_taste", taste ? taste : json_null());
    return doc;
}
