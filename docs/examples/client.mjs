// SPDX-License-Identifier: Apache-2.0
// docs/examples/client.mjs -- a recutd client in JavaScript with nothing but
// Node's built-in fetch (Node 18 or later), to show that the HTTP API
// (docs/openapi.yaml) needs no SDK: store a catalog entry, send a few
// events, read recommendations and a personal cut.  The same steps and
// output as client.py.
//
//   node client.mjs [BASE_URL]      (default http://127.0.0.1:8080)
//   RECUT_TOKEN=...  a bearer token with the read and write scopes, when
//                    recutd has [http] tokens_file
// tests/integration/openapi.sh runs it against a live recutd.
const BASE = (process.argv[2] || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const TOKEN = process.env.RECUT_TOKEN;

// One request; the decoded JSON answer (or text).  Every error is
// {"error": "..."} with a 4xx or 5xx status: it ends the program.
async function call(method, path, body, ctype = 'application/json') {
  const headers = { Accept: 'application/json' };
  if (TOKEN) headers.Authorization = `Bearer ${TOKEN}`;
  if (body !== undefined) {
    headers['Content-Type'] = ctype; // recutd refuses a body that does not say JSON (415)
    if (typeof body !== 'string') body = JSON.stringify(body);
  }
  const res = await fetch(BASE + path, { method, headers, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  const json = (res.headers.get('content-type') || '').startsWith('application/json');
  return json ? JSON.parse(text) : text;
}

const q = encodeURIComponent;
const g = (x) => String(Number(x)); // numbers printed like Python's %g for these values

function movie(id, title, genres, n = 12, duration = 1200.0) {
  const step = duration / n;
  const scenes = [];
  for (let i = 0; i < n; i++)
    scenes.push({ start: i * step, end: (i + 1) * step,
                  labels: [i % 3 === 0 ? 'action' : 'dialogue'],
                  arousal: (i % 4) / 4, valence: ((i % 5) - 2) / 2 });
  return { id, title, duration, genres, scenes };
}

async function main() {
  const viewer = 'demo-viewer', other = 'demo-other';
  for (const m of [movie('demo-1', 'The First Demo', ['Drama']),
                   movie('demo-2', 'The Second Demo', ['Drama', 'Action'])]) {
    const r = await call('PUT', `/v1/movies/${q(m.id)}`, m);
    console.log(`stored movie ${r.id}: ${r.scenes} scenes, ${g(r.duration)} s`);
  }

  // events as NDJSON, one per line; ids make a resend harmless (deduplicated)
  const now = Date.now();
  const events = [
    { user: viewer, type: 'rating', movie: 'demo-1', value: 5, ts: now, id: `js-${now}-1` },
    { user: viewer, type: 'like', movie: 'demo-1', scene: 3, ts: now + 1, id: `js-${now}-2` },
    { user: other, type: 'rating', movie: 'demo-2', value: 4.5, ts: now + 2, id: `js-${now}-3` },
  ];
  const ndjson = events.map((e) => JSON.stringify(e) + '\n').join('');
  const r = await call('POST', '/v1/events', ndjson, 'application/x-ndjson');
  console.log(`events: ${r.accepted} accepted, ${r.rejected.length} rejected`);

  const recs = await call('GET', `/v1/users/${q(viewer)}/recommendations?n=5`);
  const items = recs.items.map((it) => `${it.movie}(${it.score.toFixed(3)})`).join(' ');
  console.log(`recommendations for ${recs.user}: ${items || '(none)'}`);

  const cut = await call('GET', `/v1/users/${q(viewer)}/cuts/${q('demo-1')}?budget=25%25`);
  console.log(`cut of ${cut.movie} for ${cut.viewer} by ${cut.editor}: ${cut.scenes.length} scenes, ` +
              `${g(cut.duration)} s of a ${g(cut.budget)} s budget`);
  for (const s of cut.scenes) console.log(`  scene ${s.index}: ${g(s.start)}-${g(s.end)}`);
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
