/* SPDX-License-Identifier: Apache-2.0 */
/* test-emotion.c -- emotion table, readings, decay, storage, blob versions. */
#include "config.h"

#include "blob.h"
#include "emotion.h"
#include "expect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS (86400 * 1000LL)

static void test_table(void)
{
    size_t n;
    const struct emotion_point *t = emotion_table(&n);
    EXPECT_TRUE(n >= 10);
    for (size_t i = 0; i < n; i++) {
        EXPECT_TRUE(t[i].va.valence >= -1 && t[i].va.valence <= 1);
        EXPECT_TRUE(t[i].va.arousal >= 0 && t[i].va.arousal <= 1);
        if (i)
            EXPECT_TRUE(strcmp(t[i - 1].label, t[i].label) < 0);
    }
    struct emotion_va a, b;
    EXPECT_TRUE(emotion_lookup("Joy", &a) == 0 && a.valence > 0.5);
    EXPECT_TRUE(emotion_lookup("sadness", &b) == 0 && b.valence < 0 && b.arousal < 0.5);
    EXPECT_TRUE(emotion_lookup("calm", &a) == 0 && emotion_lookup("excitement", &b) == 0 &&
                a.arousal < b.arousal);
    EXPECT_TRUE(emotion_lookup("anger", &a) == 0 && a.valence < 0 && a.arousal > 0.5);
    EXPECT_TRUE(emotion_lookup("schadenfreude", &a) == -1);
    EXPECT_TRUE(emotion_lookup(NULL, &a) == -1);
}

static void test_reading(void)
{
    const char *labels[] = { "joy", "mystery-label", "sadness" };
    const double p[] = { 0.6, 0.3, 0.2 };
    struct emotion_va va, joy, sad;
    double mass;
    char err[128];
    emotion_lookup("joy", &joy);
    emotion_lookup("sadness", &sad);
    EXPECT_TRUE(emotion_from_reading(labels, p, 3, &va, &mass, err, sizeof err) == 0);
    EXPECT_NEAR(mass, 0.8, 1e-15);
    EXPECT_NEAR(va.valence, (0.6 * joy.valence + 0.2 * sad.valence) / 0.8, 1e-15);
    EXPECT_NEAR(va.arousal, (0.6 * joy.arousal + 0.2 * sad.arousal) / 0.8, 1e-15);
    const char *unk[] = { "foo", "bar" };
    EXPECT_TRUE(emotion_from_reading(unk, p, 2, &va, &mass, err, sizeof err) == 0 && mass == 0);
    const double badp[] = { 0.5, NAN };
    EXPECT_TRUE(emotion_from_reading(labels, badp, 2, &va, &mass, err, sizeof err) == -1);
    const double negp[] = { -0.5 };
    EXPECT_TRUE(emotion_from_reading(labels, negp, 1, &va, &mass, err, sizeof err) == -1);

    /* a reading of unknown labels leaves the state alone */
    struct emotion_config cfg;
    emotion_config_default(&cfg);
    struct emotion_state st;
    emotion_state_init(&st);
    EXPECT_TRUE(emotion_observe_reading(&st, &cfg, EMOTION_SCOPE_SCENE, 1000, unk, p, 2, err,
                                        sizeof err) == 0);
    EXPECT_TRUE(emotion_state_estimate(&st, &va) == -1 && va.valence == 0 && va.arousal == 0.5);
    EXPECT_TRUE(emotion_observe_reading(&st, &cfg, EMOTION_SCOPE_SCENE, 1000, labels, p, 3, err,
                                        sizeof err) == 0);
    EXPECT_TRUE(emotion_state_estimate(&st, &va) == 0);
    EXPECT_NEAR(va.valence, (0.6 * joy.valence + 0.2 * sad.valence) / 0.8, 1e-15);
    /* the two-step form (reduce once, apply to several states) is the same */
    struct emotion_state st2;
    emotion_state_init(&st2);
    struct emotion_va r;
    EXPECT_TRUE(emotion_from_reading(labels, p, 3, &r, &mass, err, sizeof err) == 0);
    EXPECT_TRUE(emotion_observe_va(&st2, &cfg, EMOTION_SCOPE_SCENE, 1000, &r, mass) == 0);
    EXPECT_TRUE(memcmp(&st, &st2, sizeof st) == 0);
    EXPECT_TRUE(emotion_observe_va(&st2, &cfg, EMOTION_SCOPE_SCENE, 1000, &r, NAN) == -1);
}

static void test_decay(void)
{
    EXPECT_NEAR(emotion_decay(0, 7 * DAY_MS, 7 * 86400.0), 0.5, 1e-15);
    EXPECT_NEAR(emotion_decay(0, 14 * DAY_MS, 7 * 86400.0), 0.25, 1e-15);
    EXPECT_TRUE(emotion_decay(5, 3, 100) == 1.0);

    /* two equal-weight observations one half-life apart: 1/3 vs 2/3 */
    struct emotion_state st;
    emotion_state_init(&st);
    EXPECT_TRUE(emotion_state_observe(&st, 1 * DAY_MS, -1, 1, 0.0, 1, 86400) == 0);
    EXPECT_TRUE(emotion_state_observe(&st, 2 * DAY_MS, 1, 1, 1.0, 1, 86400) == 0);
    struct emotion_va va;
    emotion_state_estimate(&st, &va);
    EXPECT_NEAR(va.valence, (-0.5 + 1) / 1.5, 1e-15);
    EXPECT_NEAR(va.arousal, 1 / 1.5, 1e-15);
    EXPECT_NEAR(st.v_weight, 1.5, 1e-15);
    EXPECT_NEAR(emotion_state_weight(&st, 3 * DAY_MS, 86400), 0.75, 1e-15);

    /* arrival order does not matter */
    struct emotion_state a, b;
    emotion_state_init(&a);
    emotion_state_init(&b);
    const int64_t ts[4] = { 5 * DAY_MS, 1 * DAY_MS, 9 * DAY_MS, 3 * DAY_MS };
    const double v[4] = { 0.9, -0.7, 0.1, 0.4 };
    for (int i = 0; i < 4; i++)
        emotion_state_observe(&a, ts[i], v[i], 1, 0.5, 0, 2 * 86400);
    for (int i = 3; i >= 0; i--)
        emotion_state_observe(&b, ts[i], v[i], 1, 0.5, 0, 2 * 86400);
    EXPECT_NEAR(a.valence, b.valence, 1e-12);
    EXPECT_NEAR(a.v_weight, b.v_weight, 1e-12);
    EXPECT_TRUE(a.ts_ms == 9 * DAY_MS && b.ts_ms == 9 * DAY_MS);
    EXPECT_TRUE(a.a_weight == 0 && emotion_state_estimate(&a, &va) == 1 && va.arousal == 0.5);

    /* clamping and rejection */
    emotion_state_init(&st);
    EXPECT_TRUE(emotion_state_observe(&st, 1, 7, 1, -3, 1, 10) == 0);
    EXPECT_TRUE(st.valence == 1 && st.arousal == 0);
    EXPECT_TRUE(emotion_state_observe(&st, 2, NAN, 1, 0, 1, 10) == -1);
    EXPECT_TRUE(emotion_state_observe(&st, 2, 0, -1, 0, 1, 10) == -1);
}

static void test_behaviour(void)
{
    struct emotion_config cfg;
    emotion_config_default(&cfg);
    struct emotion_state st;
    struct emotion_va va;
    emotion_state_init(&st);
    EXPECT_TRUE(emotion_observe_behaviour(&st, &cfg, EMOTION_SCOPE_MOVIE, 1000, EMOTION_SKIP) == 0);
    emotion_state_estimate(&st, &va);
    EXPECT_TRUE(va.valence < 0);
    EXPECT_TRUE(emotion_observe_behaviour(&st, &cfg, EMOTION_SCOPE_MOVIE, 2000, EMOTION_REWATCH) ==
                0);
    EXPECT_TRUE(emotion_observe_behaviour(&st, &cfg, EMOTION_SCOPE_MOVIE, 3000, EMOTION_REWATCH) ==
                0);
    emotion_state_estimate(&st, &va);
    EXPECT_TRUE(va.valence > 0);
    EXPECT_TRUE(emotion_observe_behaviour(&st, &cfg, EMOTION_SCOPE_MOVIE, 3000,
                                          (enum emotion_behaviour)99) == -1);
    emotion_state_init(&st);
    EXPECT_TRUE(emotion_observe_sentiment(&st, &cfg, EMOTION_SCOPE_VIEWER, 1000, -0.8, 1.0) == 0);
    emotion_state_estimate(&st, &va);
    EXPECT_NEAR(va.valence, -0.8, 1e-15);
    EXPECT_TRUE(st.a_weight == 0);
    /* preferred affect follows liked scenes only */
    struct emotion_state pref;
    emotion_state_init(&pref);
    struct emotion_va calm = { 0.5, 0.1 }, intense = { -0.2, 0.9 };
    EXPECT_TRUE(emotion_pref_observe(&pref, &cfg, 1000, &calm, 1.0) == 0);
    EXPECT_TRUE(emotion_pref_observe(&pref, &cfg, 1000, &intense, -1.0) == 0);
    emotion_state_estimate(&pref, &va);
    EXPECT_NEAR(va.arousal, 0.1, 1e-15);
    EXPECT_TRUE(emotion_pref_observe(&pref, &cfg, 1000, &intense, 1.0) == 0);
    emotion_state_estimate(&pref, &va);
    EXPECT_NEAR(va.arousal, 0.5, 1e-15);
}

static void test_storage(void)
{
    struct emotion_state st = { 0.25, 2.5, 0.75, 1.5, 1700000000123LL }, back;
    double nums[EMOTION_STATE_NUMBERS];
    emotion_state_pack(&st, nums);
    EXPECT_TRUE(emotion_state_unpack(&back, nums) == 0 && memcmp(&st, &back, sizeof st) == 0);
    nums[0] = 3;
    EXPECT_TRUE(emotion_state_unpack(&back, nums) == -1);
    nums[0] = 0.25;
    nums[4] = 1.5;
    EXPECT_TRUE(emotion_state_unpack(&back, nums) == -1);

    unsigned char *buf;
    size_t len;
    char err[256];
    EXPECT_TRUE(emotion_serialize(&st, &buf, &len, err, sizeof err) == 0);
    memset(&back, 0, sizeof back);
    EXPECT_TRUE(emotion_deserialize(buf, len, &back, err, sizeof err) == 0);
    EXPECT_TRUE(memcmp(&st, &back, sizeof st) == 0);
    EXPECT_TRUE(emotion_deserialize(buf, len - 8, &back, err, sizeof err) == BLOB_E_TRUNCATED);
    buf[BLOB_HEADER_SIZE] ^= 0x40;
    EXPECT_TRUE(emotion_deserialize(buf, len, &back, err, sizeof err) == BLOB_E_CRC);
    free(buf);

    /* a version 1 blob (one shared weight) is migrated */
    struct blob_writer w;
    blob_writer_init(&w, BLOB_EMOTION, 1);
    blob_put_f64(&w, -0.5);
    blob_put_f64(&w, 0.3);
    blob_put_f64(&w, 4.0);
    blob_put_u64(&w, 42);
    EXPECT_TRUE(blob_writer_finish(&w, &buf, &len, err, sizeof err) == 0);
    EXPECT_TRUE(emotion_deserialize(buf, len, &back, err, sizeof err) == 0);
    EXPECT_TRUE(back.valence == -0.5 && back.arousal == 0.3 && back.v_weight == 4.0 &&
                back.a_weight == 4.0 && back.ts_ms == 42);
    free(buf);
    /* a version-1 payload under a version-2 header is inconsistent */
    blob_writer_init(&w, BLOB_EMOTION, 2);
    blob_put_f64(&w, -0.5);
    blob_put_f64(&w, 0.3);
    blob_put_f64(&w, 4.0);
    blob_put_u64(&w, 42);
    EXPECT_TRUE(blob_writer_finish(&w, &buf, &len, err, sizeof err) == 0);
    EXPECT_TRUE(emotion_deserialize(buf, len, &back, err, sizeof err) == BLOB_E_FORMAT);
    free(buf);
    /* a future version is refused, not misread */
    blob_writer_init(&w, BLOB_EMOTION, 3);
    for (int i = 0; i < 5; i++)
        blob_put_f64(&w, 0.0);
    EXPECT_TRUE(blob_writer_finish(&w, &buf, &len, err, sizeof err) == 0);
    EXPECT_TRUE(emotion_deserialize(buf, len, &back, err, sizeof err) == BLOB_E_VERSION);
    free(buf);
    /* values out of range are refused even with a good checksum */
    blob_writer_init(&w, BLOB_EMOTION, 2);
    blob_put_f64(&w, 5.0);
    blob_put_f64(&w, 1.0);
    blob_put_f64(&w, 0.5);
    blob_put_f64(&w, 1.0);
    blob_put_u64(&w, 1);
    EXPECT_TRUE(blob_writer_finish(&w, &buf, &len, err, sizeof err) == 0);
    EXPECT_TRUE(emotion_deserialize(buf, len, &back, err, sizeof err) == BLOB_E_FORMAT);
    free(buf);
}

int main(void)
{
    test_table();
    test_reading();
    test_decay();
    test_behaviour();
    test_storage();
    return expect_report();
}
