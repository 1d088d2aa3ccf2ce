/* SPDX-License-Identifier: Apache-2.0 */
/* test_update.c -- the update rules (event -> operations): a like writes the
 * viewer's NB fields as viewer_fields.h spells them, and an emotion reading
 * is placed on the circumplex by lib/models/emotion's one table. */
#include "config.h"

#include "emotion.h"
#include "expect.h"
#include "update.h"
#include "viewer.h"

#include <math.h>
#include <string.h>

static const struct update_op *find(const struct update *u, const char *field)
{
    for (size_t i = 0; i < u->n_ops; i++)
        if (strcmp(u->ops[i].field, field) == 0)
            return &u->ops[i];
    return NULL;
}

static int parse(struct vevent *ev, const char *msg)
{
    char err[256];
    enum vevent_error rc = vevent_parse(ev, msg, strlen(msg), NULL, 0, 1 << 16, err, sizeof err);
    EXPECT(rc == VEVENT_OK, "%s: %s", msg, err);
    return rc == VEVENT_OK ? 0 : -1;
}

static void test_like(const struct recut_config *cfg, const struct catalog *cat)
{
    struct vevent ev;
    struct update u;
    update_init(&u);
    if (parse(&ev, "{\"user\":\"u1\",\"type\":\"like\",\"ts\":1,\"movie\":\"m1\"}") < 0)
        return;
    EXPECT_TRUE(update_compute(&u, cfg, cat, &ev, NULL, NULL) == 0);
    double w = cfg->weight[CFG_EV_LIKE];
    EXPECT_TRUE(u.n_ops == 4 && u.positive && u.has_seen);
    const struct update_op *op = find(&u, "n:like");
    EXPECT_TRUE(op && op->code == UPD_NB && op->value == w);
    op = find(&u, "f:like:genre:sci:fi");
    EXPECT_TRUE(op && op->code == UPD_NB && op->value == w);
    op = find(&u, "f:like:genre:comedy");
    EXPECT_TRUE(op && op->code == UPD_NB && op->value == w);
    op = find(&u, "t:like");
    EXPECT_TRUE(op && op->code == UPD_NB && op->value == 2 * w);
    /* every field parses back as the layout */
    for (size_t i = 0; i < u.n_ops; i++) {
        enum viewer_field_kind kind;
        enum viewer_class cls;
        const char *f;
        EXPECT(viewer_field_parse(u.ops[i].field, strlen(u.ops[i].field), &kind, &cls, &f) == 0 &&
                   cls == VIEWER_LIKE,
               "op %s", u.ops[i].field);
    }
    vevent_clear(&ev);
    if (parse(&ev, "{\"user\":\"u1\",\"type\":\"dislike\",\"ts\":2,\"movie\":\"m1\"}") == 0) {
        EXPECT_TRUE(update_compute(&u, cfg, cat, &ev, NULL, NULL) == 0);
        EXPECT_TRUE(u.n_ops == 4 && find(&u, "n:dislike") && find(&u, "t:dislike") &&
                    find(&u, "f:dislike:genre:comedy") && !find(&u, "n:like"));
        vevent_clear(&ev);
    }
    update_free(&u);
}

static void test_emotion(const struct recut_config *cfg, const struct catalog *cat)
{
    struct emotion_va fear, calm;
    EXPECT_TRUE(emotion_lookup("fear", &fear) == 0 && emotion_lookup("calm", &calm) == 0);
    /* the table's points (Russell's anchors: distress at 135 degrees,
     * relaxation at 315) */
    EXPECT_NEAR(fear.valence, -0.70, 1e-12);
    EXPECT_NEAR(calm.valence, 0.50, 1e-12);
    EXPECT_NEAR(calm.arousal, 0.15, 1e-12);

    struct vevent ev;
    struct update u;
    update_init(&u);
    if (parse(&ev, "{\"user\":\"u1\",\"type\":\"emotion\",\"ts\":1,\"movie\":\"m1\","
                   "\"emotion\":{\"Fear\":0.25,\"calm\":0.5,\"mystery\":0.25}}") < 0)
        return;
    EXPECT_TRUE(update_compute(&u, cfg, cat, &ev, NULL, NULL) == 0);
    double v = (0.25 * fear.valence + 0.5 * calm.valence) / 0.75;
    double a = (0.25 * fear.arousal + 0.5 * calm.arousal) / 0.75;
    const struct update_op *op = find(&u, "v");
    EXPECT_TRUE(op && op->code == UPD_EMO);
    EXPECT_NEAR(op ? op->value : NAN, v, 1e-15);
    op = find(&u, "a");
    EXPECT_NEAR(op ? op->value : NAN, a, 1e-15);
    op = find(&u, "m:m1:v");
    EXPECT_NEAR(op ? op->value : NAN, v, 1e-15);
    EXPECT_TRUE((op = find(&u, "n")) && op->value == 1);
    EXPECT_TRUE((op = find(&u, "e:mystery")) && op->value == 0.25);
    vevent_clear(&ev);

    /* synonyms of the table count */
    if (parse(&ev, "{\"user\":\"u1\",\"type\":\"emotion\",\"ts\":2,\"movie\":\"m1\","
                   "\"emotion\":{\"scared\":1}}") == 0) {
        EXPECT_TRUE(update_compute(&u, cfg, cat, &ev, NULL, NULL) == 0);
        EXPECT_TRUE((op = find(&u, "v")) && op->value == fear.valence);
        vevent_clear(&ev);
    }
    /* a reading of unknown labels only changes nothing */
    if (parse(&ev, "{\"user\":\"u1\",\"type\":\"emotion\",\"ts\":3,\"movie\":\"m1\","
                   "\"emotion\":{\"schadenfreude\":1}}") == 0) {
        EXPECT_TRUE(update_compute(&u, cfg, cat, &ev, NULL, NULL) == 0 && u.n_ops == 0);
        vevent_clear(&ev);
    }
    update_free(&u);
}

/* Feedback on one scene teaches its labels and its tags (recut-analyze's
 * subtitle words), not the movie's genres. */
static void test_scene_tags(const struct recut_config *cfg, const struct catalog *cat)
{
    struct vevent ev;
    struct update u;
    update_init(&u);
    if (parse(&ev, "{\"user\":\"u1\",\"type\":\"rewatch\",\"ts\":1,\"movie\":\"m2\","
                   "\"scene\":1}") < 0)
        return;
    EXPECT_TRUE(update_compute(&u, cfg, cat, &ev, NULL, NULL) == 0);
    double w = cfg->weight[CFG_EV_REWATCH];
    const struct update_op *op = find(&u, "f:like:label:dialogue");
    EXPECT_TRUE(op && op->code == UPD_NB && op->value == w);
    op = find(&u, "f:like:tag:lighthouse");
    EXPECT_TRUE(op && op->code == UPD_NB && op->value == w);
    EXPECT_TRUE(find(&u, "f:like:tag:treasure") != NULL);
    EXPECT_TRUE(find(&u, "f:like:tag:storm") == NULL); /* scene 0's */
    EXPECT_TRUE(find(&u, "f:like:genre:drama") == NULL);
    EXPECT_TRUE((op = find(&u, "n:like")) && op->value == w);
    vevent_clear(&ev);
    /* a scene with tags and no labels still learns, a skip as dislike */
    if (parse(&ev, "{\"user\":\"u1\",\"type\":\"skip\",\"ts\":2,\"movie\":\"m2\","
                   "\"t\":5}") == 0) {
        EXPECT_TRUE(update_compute(&u, cfg, cat, &ev, NULL, NULL) == 0);
        EXPECT_TRUE(find(&u, "f:dislike:tag:storm") && find(&u, "n:dislike") &&
                    find(&u, "t:dislike") && !find(&u, "f:dislike:tag:lighthouse"));
        vevent_clear(&ev);
    }
    update_free(&u);
}

int main(void)
{
    struct recut_config cfg;
    EXPECT_TRUE(conf_init(&cfg) == 0);
    struct catalog cat;
    catalog_init(&cat);
    const char *movie = "{\"id\":\"m1\",\"title\":\"M\",\"duration\":600,"
                        "\"genres\":[\"Comedy\",\"Sci:Fi\"],\"tags\":[],\"scenes\":[]}";
    char err[256];
    struct catalog_movie *cm = catalog_movie_parse(movie, strlen(movie), NULL, err, sizeof err);
    EXPECT(cm != NULL, "catalog entry: %s", err);
    if (cm && catalog_put(&cat, cm) == 0) {
        test_like(&cfg, &cat);
        test_emotion(&cfg, &cat);
    }
    const char *m2 = "{\"id\":\"m2\",\"duration\":20,\"genres\":[\"Drama\"],\"scenes\":["
                     "{\"start\":0,\"end\":10,\"tags\":[\"Storm\"]},"
                     "{\"start\":10,\"end\":20,\"labels\":[\"dialogue\"],"
                     "\"tags\":[\"treasure\",\"lighthouse\"]}]}";
    cm = catalog_movie_parse(m2, strlen(m2), NULL, err, sizeof err);
    EXPECT(cm != NULL, "catalog entry with scene tags: %s", err);
    if (cm && catalog_put(&cat, cm) == 0)
        test_scene_tags(&cfg, &cat);
    const char *bad = "{\"id\":\"m3\",\"duration\":20,\"scenes\":["
                      "{\"start\":0,\"end\":10,\"tags\":[3]}]}";
    EXPECT_TRUE(catalog_movie_parse(bad, strlen(bad), NULL, err, sizeof err) == NULL &&
                strstr(err, "scenes[0].tags") != NULL);
    catalog_free(&cat);
    conf_free(&cfg);
    return expect_report();
}
