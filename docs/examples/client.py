#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# docs/examples/client.py -- a recutd client in plain Python (urllib only),
# to show that the HTTP API (docs/openapi.yaml) needs no SDK: store a catalog
# entry, send a few events, read recommendations and a personal cut.
#
#   python3 client.py [BASE_URL]      (default http://127.0.0.1:8080)
#   RECUT_TOKEN=...  a bearer token with the read and write scopes, when
#                    recutd has [http] tokens_file
# tests/integration/openapi.sh runs it against a live recutd.
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BASE = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080").rstrip("/")
TOKEN = os.environ.get("RECUT_TOKEN")


def call(method, path, body=None, ctype="application/json"):
    """One request; the decoded JSON answer (or text), or SystemExit on an error."""
    headers = {"Accept": "application/json"}
    if TOKEN:
        headers["Authorization"] = "Bearer " + TOKEN
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        headers["Content-Type"] = ctype  # recutd refuses a body that does not say JSON (415)
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode("utf-8")
            if resp.headers.get_content_type() == "application/json":
                return json.loads(text)
            return text
    except urllib.error.HTTPError as e:  # every error is {"error": "..."}
        raise SystemExit("%s %s: %d %s" % (method, path, e.code, e.read().decode("utf-8", "replace")))


def q(s):
    return urllib.parse.quote(s, safe="")


def movie(mid, title, genres, n=12, duration=1200.0):
    step = duration / n
    return {"id": mid, "title": title, "duration": duration, "genres": genres,
            "scenes": [{"start": i * step, "end": (i + 1) * step,
                        "labels": ["action" if i % 3 == 0 else "dialogue"],
                        "arousal": (i % 4) / 4.0, "valence": (i % 5 - 2) / 2.0}
                       for i in range(n)]}


def main():
    viewer, other = "demo-viewer", "demo-other"
    for m in (movie("demo-1", "The First Demo", ["Drama"]),
              movie("demo-2", "The Second Demo", ["Drama", "Action"])):
        r = call("PUT", "/v1/movies/" + q(m["id"]), m)
        print("stored movie %s: %d scenes, %g s" % (r["id"], r["scenes"], r["duration"]))

    # events as NDJSON, one per line; ids make a resend harmless (deduplicated)
    now = int(time.time() * 1000)
    events = [
        {"user": viewer, "type": "rating", "movie": "demo-1", "value": 5, "ts": now, "id": "py-%d-1" % now},
        {"user": viewer, "type": "like", "movie": "demo-1", "scene": 3, "ts": now + 1, "id": "py-%d-2" % now},
        {"user": other, "type": "rating", "movie": "demo-2", "value": 4.5, "ts": now + 2, "id": "py-%d-3" % now},
    ]
    ndjson = "".join(json.dumps(e) + "\n" for e in events).encode("utf-8")
    r = call("POST", "/v1/events", ndjson, "application/x-ndjson")
    print("events: %d accepted, %d rejected" % (r["accepted"], len(r["rejected"])))

    recs = call("GET", "/v1/users/%s/recommendations?n=5" % q(viewer))
    print("recommendations for %s: %s" % (recs["user"], " ".join(
        "%s(%.3f)" % (it["movie"], it["score"]) for it in recs["items"]) or "(none)"))

    cut = call("GET", "/v1/users/%s/cuts/%s?budget=25%%25" % (q(viewer), q("demo-1")))
    print("cut of %s for %s by %s: %d scenes, %g s of a %g s budget" % (
        cut["movie"], cut["viewer"], cut["editor"], len(cut["scenes"]), cut["duration"], cut["budget"]))
    for s in cut["scenes"]:
        print("  scene %d: %g-%g" % (s["index"], s["start"], s["end"]))


if __name__ == "__main__":
    main()
