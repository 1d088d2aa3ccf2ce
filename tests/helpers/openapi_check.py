#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# tests/helpers/openapi_check.py -- hold docs/openapi.yaml to what a live
# recutd really does, so the spec cannot drift from daemon/http*.c unseen.
#
#   openapi_check.py routes SPEC HTTPPATH_H
#       every path the daemon routes (the comments of enum httppath_route in
#       lib/core/httppath.h) is a path of the spec, and the other way round
#   openapi_check.py open SPEC BASE_URL
#       real requests to a recutd without tokens, covering every path and
#       method of the spec and some errors; every answer is checked
#   openapi_check.py tokens SPEC BASE_URL READ WRITE ADMIN
#       the same checks with [http] tokens_file set: 401, 403 and each scope
#
# Each answer must have the status the scenario expects, its path and method
# must be in the spec, the status must be documented for that operation, the
# Content-Type must be one the spec lists, and a JSON body must validate
# against the documented schema (JSON Schema 2020-12, python3-jsonschema);
# a JSON request body the daemon took must conform to the request schema.
# Standard library plus Debian's python3-yaml and python3-jsonschema.
# Exit 0 when every check passed, 1 otherwise; one line per check.
import json
import re
import sys
import urllib.error
import urllib.request

import jsonschema
import yaml


def load_spec(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def norm(path):
    """/v1/users/{id}/cuts/{movie} and /v1/users/USER/cuts/MOVIE -> /v1/users/{}/cuts/{}"""
    return "/".join("{}" if re.fullmatch(r"\{\w+\}|[A-Z_]+", s) else s for s in path.split("/"))


def daemon_routes(header):
    with open(header, encoding="utf-8") as f:
        text = f.read()
    return re.findall(r"HTTPPATH_[A-Z_]+,?\s*/\*\s*(/\S*)\s*\*/", text)


def check_routes(spec, header):
    routes = daemon_routes(header)
    if len(routes) < 5:
        print("not ok: found only %d routes in %s" % (len(routes), header))
        return 1
    in_spec = {norm(p) for p in spec["paths"]}
    in_daemon = {norm(p) for p in routes}
    bad = 0
    for r in sorted(in_daemon - in_spec):
        print("not ok: the daemon routes %s but the spec has no such path" % r)
        bad += 1
    for r in sorted(in_spec - in_daemon):
        print("not ok: the spec lists %s but the daemon routes no such path" % r)
        bad += 1
    if not bad:
        print("ok: the %d routed paths are the spec's paths" % len(routes))
    return bad


class Checker:
    def __init__(self, spec, base):
        self.spec, self.base = spec, base
        self.fails = 0
        self.covered = set()
        self.templates = [(re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(p)) + "$"), p)
                          for p in spec["paths"]]

    def resolve(self, obj):
        while isinstance(obj, dict) and "$ref" in obj and len(obj) == 1:
            node = self.spec
            for part in obj["$ref"].lstrip("#/").split("/"):
                node = node[part]
            obj = node
        return obj

    def schema_check(self, schema, doc):
        # the schema with the spec's components beside it, so that
        # "#/components/schemas/X" resolves within the one resource
        root = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                "components": self.spec["components"], "allOf": [schema]}
        v = jsonschema.Draft202012Validator(root)
        return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(top)", e.message)
                for e in v.iter_errors(doc)]

    def fail(self, what, why):
        print("not ok: %s: %s" % (what, why))
        self.fails += 1

    def req(self, method, path, expect, body=None, ctype=None, token=None, headers=None):
        what = "%s %s" % (method, path)
        if token:
            what += " (token %s)" % token[0]
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token[1]
        data = None
        if body is not None:
            data = body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode()
            h["Content-Type"] = ctype or "application/json"
        r = urllib.request.Request(self.base + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(r, timeout=30) as resp:
                status, rh, raw = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            status, rh, raw = e.code, e.headers, e.read()
        if status != expect:
            return self.fail(what, "status %d, expected %d (%s)" % (status, expect, raw[:200]))
        bare = path.split("?")[0]
        tmpl = next((p for rx, p in self.templates if rx.match(bare)), None)
        if tmpl is None:
            return self.fail(what, "no path of the spec matches %s" % bare)
        op = self.spec["paths"][tmpl].get(method.lower())
        if op is None and status == 405:
            # a method the spec does not list must be refused, with an Error
            errs = self.schema_check({"$ref": "#/components/schemas/Error"},
                                     json.loads(raw.decode("utf-8") or "null"))
            if errs:
                return self.fail(what, "405 body is not an Error: " + "; ".join(errs))
            return print("ok: %s -> 405, a method the spec does not list for %s" % (what, tmpl))
        if op is None:
            return self.fail(what, "the spec has no %s for %s" % (method, tmpl))
        self.covered.add((tmpl, method))
        if isinstance(body, dict) and 200 <= status < 300:
            # a body the daemon took must be one the spec allows
            rb = self.resolve(op.get("requestBody", {})).get("content", {}).get(h["Content-Type"])
            if rb is None:
                return self.fail(what, "the spec takes no %s body here" % h["Content-Type"])
            errs = self.schema_check(rb.get("schema", {}), body)
            if errs:
                return self.fail(what, "a body the daemon took breaks the spec: " + "; ".join(errs[:5]))
        resp = op["responses"].get(str(status))
        if resp is None:
            return self.fail(what, "status %d is not documented for %s %s" % (status, method, tmpl))
        resp = self.resolve(resp)
        content = resp.get("content")
        ct = (rh.get("Content-Type") or "").split(";")[0].strip()
        if content is None:
            return print("ok: %s -> %d (no body documented)" % (what, status))
        if ct not in content:
            return self.fail(what, "Content-Type %r is not one of %s" % (ct, sorted(content)))
        schema = content[ct].get("schema", {})
        if ct == "application/json":
            try:
                doc = json.loads(raw.decode("utf-8"))
            except ValueError as e:
                return self.fail(what, "body is not JSON: %s" % e)
            errs = self.schema_check(schema, doc)
            if errs:
                return self.fail(what, "body does not conform to the spec: " + "; ".join(errs[:5]))
        print("ok: %s -> %d %s" % (what, status, ct))
        return raw


def movie(mid, n=10, dur=600.0, genres=("Drama",)):
    step = dur / max(n, 1)
    return {"id": mid, "title": "Movie " + mid, "duration": dur, "genres": list(genres),
            "tags": ["t"], "scenes": [{"start": i * step, "end": (i + 1) * step,
                                        "labels": ["l%d" % (i % 3)], "arousal": (i % 5) / 5.0,
                                        "valence": ((i % 7) - 3) / 4.0} for i in range(n)]}


def event(user, typ, mid, eid, ts, **kw):
    e = {"user": user, "type": typ, "movie": mid, "id": eid, "ts": ts}
    e.update(kw)
    return e


def scenario_open(c):
    c.req("GET", "/v1/health", 200)
    c.req("GET", "/metrics", 200)
    c.req("GET", "/v1/plugins", 200)
    c.req("GET", "/v1/experiments", 200)
    c.req("POST", "/v1/experiments", 405)
    c.req("PUT", "/v1/movies/m1", 200, movie("m1", genres=("Drama",)))
    c.req("PUT", "/v1/movies/m2", 200, movie("m2", genres=("Drama", "Action")))
    c.req("PUT", "/v1/movies/m3", 200, movie("m3", n=0))
    c.req("GET", "/v1/movies/m1", 200)
    c.req("GET", "/v1/movies/nope", 404)
    c.req("GET", "/v1/movies/m1/media", 404)  # no [http] media_dir here
    c.req("GET", "/v1/movies/nope/media", 404)
    c.req("GET", "/v1/movies/m1/media?segment=r0001-00.ts", 404)
    c.req("PUT", "/v1/movies/m1/media", 405, movie("m1"))
    c.req("GET", "/v1/movies/m1/neighbours?n=5", 200)
    c.req("GET", "/v1/movies/nope/neighbours", 404)
    c.req("GET", "/v1/movies/m1/neighbours?n=0", 400)
    c.req("PUT", "/v1/movies/m1/neighbours", 405, movie("m1"))
    c.req("GET", "/v1/movies/" + "x" * 129, 400)
    c.req("PUT", "/v1/movies/m1", 400, "this is not JSON")
    c.req("PUT", "/v1/movies/m1", 415, movie("m1"), ctype="text/plain")
    c.req("DELETE", "/v1/movies/m1", 405)
    c.req("POST", "/v1/events", 200, event("v", "rating", "m1", "v-1", 1700000001000, value=5))
    ndjson = "\n".join(json.dumps(e) for e in [
        event("w", "rating", "m2", "w-1", 1700000002000, value=5),
        event("w", "rating", "m1", "w-2", 1700000003000, value=4),
        {"type": "rating", "movie": "m1"}]) + "\n"
    c.req("POST", "/v1/events", 200, ndjson, ctype="application/x-ndjson")
    c.req("POST", "/v1/events", 400, "", ctype="application/json")
    c.req("POST", "/v1/events", 400, '{"type":"rating"}')
    c.req("POST", "/v1/events", 415, "user=v", ctype="application/x-www-form-urlencoded")
    c.req("GET", "/v1/events", 405)
    raw = c.req("GET", "/v1/users/v/recommendations?n=5", 200)
    if raw and not json.loads(raw)["items"]:  # else the item schema went untested
        c.fail("GET /v1/users/v/recommendations", "no item to check against the spec")
    c.req("GET", "/v1/users/v/recommendations?n=5&include_seen=1&exclude=m3", 200)
    c.req("GET", "/v1/users/v/recommendations?n=0", 400)
    c.req("GET", "/v1/users/a%01b/recommendations", 400)
    c.req("GET", "/v1/users/v/profile", 200)
    c.req("GET", "/v1/users/nobody/profile", 404)
    c.req("GET", "/v1/users/v/cuts/m1?budget=120", 200)
    c.req("GET", "/v1/users/v/cuts/m1?budget=20%25&format=edl&fps=30", 200)
    c.req("GET", "/v1/users/v/cuts/m1?format=ffconcat&source=m1.mkv", 200)
    c.req("GET", "/v1/users/v/cuts/m1?format=hls", 404)  # no [http] media_dir here
    c.req("GET", "/v1/users/v/cuts/m1?format=xml", 400)
    c.req("GET", "/v1/users/v/cuts/m1?budget=-3", 400)
    c.req("GET", "/v1/users/v/cuts/m3", 400)
    c.req("GET", "/v1/users/v/cuts/nope", 404)
    c.req("GET", "/v1/users/v/cuts/m1?editor=nope", 404)
    c.req("POST", "/v1/users/v/cuts/m1/publish?budget=60", 200)
    c.req("POST", "/v1/users/v/cuts/m1/publish?format=edl", 400)
    c.req("GET", "/v1/users/v/cuts/m1/publish", 405)
    c.req("GET", "/v1/users/w", 405)
    c.req("DELETE", "/v1/users/w", 200)
    c.req("DELETE", "/v1/users/w", 200)
    c.req("GET", "/v1/plugins", 403, headers={"Origin": "https://evil.example"})
    c.req("GET", "/v1/plugins", 421, headers={"Host": "evil.example"})
    missing = [(p, m.upper()) for p, item in c.spec["paths"].items() for m in item
               if m in ("get", "put", "post", "delete") and (p, m.upper()) not in c.covered]
    for p, m in missing:
        c.fail("coverage", "no request exercised %s %s" % (m, p))
    if not missing:
        print("ok: every operation of the spec was exercised (%d)" % len(c.covered))


def scenario_tokens(c, read, write, admin):
    r, w, a = ("read", read), ("write", write), ("admin", admin)
    bad = ("wrong", "not-a-token")
    c.req("GET", "/v1/health", 200)
    c.req("GET", "/v1/plugins", 401)
    c.req("GET", "/v1/plugins", 401, token=bad)
    c.req("GET", "/v1/plugins", 200, token=r)
    c.req("GET", "/metrics", 403, token=r)
    c.req("GET", "/metrics", 200, token=a)
    c.req("PUT", "/v1/movies/t1", 403, movie("t1"), token=r)
    c.req("PUT", "/v1/movies/t1", 200, movie("t1"), token=w)
    c.req("GET", "/v1/movies/t1", 200, token=r)
    c.req("GET", "/v1/movies/t1/media", 401)
    c.req("GET", "/v1/movies/t1/media", 404, token=r)
    c.req("POST", "/v1/events", 401, event("t", "rating", "t1", "t-1", 1700000009000, value=4))
    c.req("POST", "/v1/events", 200, event("t", "rating", "t1", "t-1", 1700000009000, value=4),
          token=w)
    c.req("GET", "/v1/users/t/recommendations", 200, token=r)
    c.req("GET", "/v1/users/t/profile", 403, token=w)
    c.req("GET", "/v1/users/t/cuts/t1", 200, token=r)
    c.req("POST", "/v1/users/t/cuts/t1/publish", 403, token=r)
    c.req("POST", "/v1/users/t/cuts/t1/publish", 200, token=w)
    c.req("DELETE", "/v1/users/t", 403, token=w)
    c.req("DELETE", "/v1/users/t", 200, token=a)


def main(argv):
    if len(argv) < 3:
        print(__doc__ or "usage: openapi_check.py routes|open|tokens SPEC ...", file=sys.stderr)
        return 2
    spec = load_spec(argv[2])
    if argv[1] == "routes":
        return 1 if check_routes(spec, argv[3]) else 0
    c = Checker(spec, argv[3].rstrip("/"))
    if argv[1] == "open":
        scenario_open(c)
    elif argv[1] == "tokens":
        scenario_tokens(c, *argv[4:7])
    else:
        print("unknown mode %s" % argv[1], file=sys.stderr)
        return 2
    return 1 if c.fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
