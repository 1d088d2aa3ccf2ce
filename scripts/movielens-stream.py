#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Turn a MovieLens directory (ml-latest-small layout) into recut's catalog
entries and viewer events, as key<TAB>JSON lines for `kcat -K'\\t'`.

    movielens-stream.py ML_DIR OUT_DIR      -> OUT_DIR/catalog.kv, OUT_DIR/events.kv
    movielens-stream.py --synthetic OUT_DIR -> a small generated stream

Ratings become `rating` events, tags become `comment` events on the same
movie; events are in timestamp order, key = viewer id.  The data is read where
it lies and never copied into the repository."""
import csv, json, os, random, sys, zlib
from collections import defaultdict


def write(path, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for key, doc in rows:
            f.write(key + "\t" + json.dumps(doc, separators=(",", ":"), ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def movielens(ml, out):
    tags = defaultdict(lambda: defaultdict(int))
    events = []
    with open(os.path.join(ml, "tags.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            t = r["tag"].strip()
            if not t:
                continue
            tags[r["movieId"]][t.lower()] += 1
            events.append((int(r["timestamp"]), "u" + r["userId"], {
                "user": "u" + r["userId"], "type": "comment", "ts": int(r["timestamp"]) * 1000,
                "id": "t-%s-%s-%s" % (r["userId"], r["movieId"], zlib.crc32(t.encode())),
                "movie": r["movieId"], "text": t[:4096]}))
    catalog = []
    with open(os.path.join(ml, "movies.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            g = [x for x in r["genres"].split("|") if x and x != "(no genres listed)"]
            top = sorted(tags[r["movieId"]].items(), key=lambda kv: (-kv[1], kv[0]))[:10]
            catalog.append((r["movieId"], {"id": r["movieId"], "title": r["title"],
                                           "duration": 6000.0, "genres": g,
                                           "tags": [t for t, _ in top if len(t) <= 256],
                                           "scenes": []}))
    with open(os.path.join(ml, "ratings.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            events.append((int(r["timestamp"]), "u" + r["userId"], {
                "user": "u" + r["userId"], "type": "rating", "ts": int(r["timestamp"]) * 1000,
                "id": "r-%s-%s" % (r["userId"], r["movieId"]), "movie": r["movieId"],
                "value": float(r["rating"])}))
    events.sort(key=lambda e: (e[0], e[1]))
    write(os.path.join(out, "catalog.kv"), catalog)
    write(os.path.join(out, "events.kv"), [(k, d) for _, k, d in events])


def synthetic(out):
    rnd = random.Random(7)
    genres = ["Action", "Comedy", "Drama", "Romance", "Horror", "Sci-Fi"]
    catalog = [(str(i), {"id": str(i), "title": "Movie %d" % i, "duration": 5400.0,
                         "genres": rnd.sample(genres, 2), "scenes": []}) for i in range(1, 201)]
    events = []
    ts = 1_600_000_000_000
    for u in range(1, 51):
        fav = rnd.choice(genres)
        for _ in range(30):
            m = rnd.randint(1, 200)
            likes = fav in catalog[m - 1][1]["genres"]
            ts += 1000
            events.append(("u%d" % u, {"user": "u%d" % u, "type": "rating", "ts": ts,
                                       "id": "s-%d-%d" % (u, ts), "movie": str(m),
                                       "value": 4.5 if likes else 2.0}))
    write(os.path.join(out, "catalog.kv"), catalog)
    write(os.path.join(out, "events.kv"), events)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--synthetic":
        synthetic(sys.argv[2])
    elif len(sys.argv) == 3:
        movielens(sys.argv[1], sys.argv[2])
    else:
        sys.exit("usage: movielens-stream.py ML_DIR OUT_DIR | --synthetic OUT_DIR")
