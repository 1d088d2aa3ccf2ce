#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Generate a small MovieLens-layout directory with a planted structure for
recut-eval's test (test-eval.sh):

    test-eval-gen.py OUT_DIR [SEED]

Six taste groups of viewers, each liking the movies of its own cluster (one
genre and one tag per cluster); clusters differ in size, so the most popular
movies overall are those of the big clusters, and a viewer of a small
cluster gets nothing from popularity.  Every viewer also rates a few movies
of other clusters low.  Titles carry commas and double quotes, one title a
newline, so the CSV reader's quoting is exercised."""
import csv, os, random, sys

out = sys.argv[1]
rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 11)
os.makedirs(out, exist_ok=True)

genres = ["Action", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi"]
sizes = [40, 30, 25, 20, 15, 12]          # movies per cluster
viewers_per = [20, 16, 14, 12, 10, 8]     # viewers per cluster
movies = []                               # (id, cluster)
mid = 1
for c, n in enumerate(sizes):
    for _ in range(n):
        movies.append((mid, c))
        mid += 7                          # ids not contiguous
cluster_movies = [[m for m, c in movies if c == k] for k in range(len(sizes))]

with open(os.path.join(out, "movies.csv"), "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["movieId", "title", "genres"])
    for m, c in movies:
        title = 'Film %d, the "%s" one (20%02d)' % (m, genres[c], m % 100)
        if m == movies[3][0]:
            title = "Two\nlines, \"quoted\""
        w.writerow([m, title, genres[c] + ("|Thriller" if m % 3 == 0 else "")])

ratings, tags = [], []
ts = 1_500_000_000
uid = 1
for c, nv in enumerate(viewers_per):
    for _ in range(nv):
        own = rnd.sample(cluster_movies[c], min(len(cluster_movies[c]), rnd.randint(8, 12)))
        other = [m for m, k in movies if k != c]
        bad = rnd.sample(other, 3)
        events = [(m, rnd.choice([4.0, 4.5, 5.0])) for m in own] + [(m, rnd.choice([1.0, 1.5, 2.0])) for m in bad]
        rnd.shuffle(events)
        start = ts + rnd.randint(0, 5_000_000)
        for i, (m, r) in enumerate(events):
            ratings.append((uid, m, r, start + 60 * i))
        tags.append((uid, own[0], "cluster%d" % c, start + 30))
        uid += 1
ratings.sort(key=lambda r: (r[0], r[1]))  # MovieLens files are by user, movie
with open(os.path.join(out, "ratings.csv"), "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["userId", "movieId", "rating", "timestamp"])
    for u, m, r, t in ratings:
        w.writerow([u, m, "%.1f" % r, t])
with open(os.path.join(out, "tags.csv"), "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["userId", "movieId", "tag", "timestamp"])
    for u, m, t, s in tags:
        w.writerow([u, m, t, s])
