// SPDX-License-Identifier: Apache-2.0
// console.js -- the recut console: every page drawn in the browser from
// recutd's own public API (the same routes, scopes and tokens as any other
// client), so the console can show nothing a client could not see.  No
// framework and no build step: it has to be readable as shipped, load in
// well under 200 KB and make no request beyond the recutd that served it.
// Text from the API only ever enters the page as text nodes (never as
// HTML), and styles are set through the CSSOM, as the page's
// Content-Security-Policy requires.
'use strict';

const app = document.getElementById('app');
let timers = [];
let gen = 0; // bumped on every navigation: late answers of a left page are dropped

// ---- DOM helpers -----------------------------------------------------------
function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of kids.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}
const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...kids) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined) e.setAttribute(k, String(v));
  for (const c of kids) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
function fmt(x, d = 2) { return typeof x === 'number' ? x.toFixed(d) : String(x); }
function secs(t) { const m = Math.floor(t / 60); return m + ':' + String(Math.floor(t % 60)).padStart(2, '0'); }
function link(path, text) { return h('a', { href: path, 'data-nav': true }, text); }
function enc(id) { return encodeURIComponent(id); }

// ---- the API, with the token this tab was given -----------------------------
function token() { return sessionStorage.getItem('recut-token') || ''; }
let tokenWaiters = [];
function askToken(why) {
  const f = document.getElementById('token-form');
  f.hidden = false;
  document.getElementById('token-error').textContent = why || '';
  document.getElementById('token').focus();
  return new Promise((resolve) => tokenWaiters.push(resolve));
}
document.getElementById('token-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const v = document.getElementById('token').value.trim();
  if (!v) return;
  sessionStorage.setItem('recut-token', v);
  document.getElementById('token').value = '';
  ev.target.hidden = true;
  const w = tokenWaiters;
  tokenWaiters = [];
  w.forEach((r) => r());
});

class ApiError extends Error {
  constructor(status, msg) { super(msg); this.status = status; }
}

// GET path: JSON (or text with asText).  A 401 asks for a token and retries.
async function api(path, asText) {
  for (let tries = 0; tries < 5; tries++) {
    const headers = {};
    if (token()) headers.Authorization = 'Bearer ' + token();
    const r = await fetch(path, { headers, cache: 'no-store' });
    if (r.status === 401) {
      await askToken(token() ? 'that token was refused' : '');
      continue;
    }
    const body = asText ? await r.text() : await r.json().catch(() => null);
    if (!r.ok) throw new ApiError(r.status, (body && body.error) || r.statusText);
    return body;
  }
  throw new ApiError(401, 'no valid token');
}

function fail(where, e) {
  where.append(h('p', { class: 'error' }, e.status ? `${e.status}: ${e.message}` : String(e)));
}

// ---- routing ---------------------------------------------------------------
function route() {
  timers.forEach(clearInterval);
  timers = [];
  gen++;
  const p = decodeURIComponent(location.pathname).replace(/^\/ui\/?/, '');
  app.replaceChildren();
  let m;
  if ((m = p.match(/^viewers\/(.+?)\/?$/))) viewerPage(m[1]);
  else if ((m = p.match(/^movies\/(.+?)\/?$/))) moviePage(m[1]);
  else if (/^experiments\/?$/.test(p)) experimentsPage();
  else overviewPage();
}
function go(path) {
  history.pushState(null, '', path);
  route();
}
document.addEventListener('click', (ev) => {
  const a = ev.target.closest('a[data-nav]');
  if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
  ev.preventDefault();
  go(a.getAttribute('href'));
});
window.addEventListener('popstate', route);
for (const [form, base] of [['goto-viewer', '/ui/viewers/'], ['goto-movie', '/ui/movies/']]) {
  document.getElementById(form).addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = ev.target.id.value.trim();
    if (v) go(base + enc(v));
  });
}

// ---- bars ------------------------------------------------------------------
function bars(items, label, value, max) {
  const m = max || Math.max(1e-9, ...items.map((x) => Math.abs(value(x))));
  return h('ul', { class: 'bars' }, items.map((x) => {
    const v = value(x);
    const b = h('span', { class: 'bar' + (v < 0 ? ' neg' : '') });
    b.style.width = (100 * Math.min(1, Math.abs(v) / m)).toFixed(1) + '%';
    return h('li', {}, h('span', { class: 'name', title: label(x) }, label(x)), h('span', {}, b), h('span', {}, fmt(v)));
  }));
}

// ---- overview --------------------------------------------------------------
function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line[0] === '#') continue;
    const m = line.match(/^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/);
    if (!m) continue;
    const labels = {};
    (m[3] || '').replace(/(\w+)="((?:[^"\\]|\\.)*)"/g, (_, k, v) => { labels[k] = v; });
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}
function sum(ms, name) { return ms.filter((x) => x.name === name).reduce((a, x) => a + x.value, 0); }

function overviewPage() {
  const my = gen;
  app.append(h('h1', {}, 'Overview'));
  const box = h('div', { class: 'grid' });
  const more = h('div');
  app.append(box, more);
  let last = null, busy = false;
  async function tick() {
    if (busy) return; // still waiting (for a token, or a slow answer)
    busy = true;
    try {
      await refresh();
    } finally {
      busy = false;
    }
  }
  async function refresh() {
    let health, ms = null, err = null;
    try {
      health = await api('/v1/health');
    } catch (e) {
      health = null;
      err = e;
    }
    try {
      ms = parseMetrics(await api('/metrics', true));
    } catch (e) {
      err = err || e;
    }
    if (my !== gen) return;
    const now = performance.now() / 1000;
    const applied = ms ? sum(ms, 'recut_events_applied_total') : 0;
    const rate = last && ms ? (applied - last.applied) / (now - last.t) : null;
    if (ms) last = { t: now, applied };
    const card = (title, ...body) => h('div', { class: 'card' }, h('h2', {}, title), ...body);
    const up = (b) => h('span', { class: b ? 'ok' : 'bad' }, b ? 'up' : 'down');
    const cards = [
      card('Ingest', h('div', { class: 'big', id: 'ingest-rate' }, rate === null ? '…' : fmt(rate, 1) + ' /s'),
        h('div', { class: 'muted' }, ms ? `${applied} events applied, ${sum(ms, 'recut_events_received_total')} received` : '')),
      card('Consumer lag', h('div', { class: 'big' }, ms ? String(sum(ms, 'recut_kafka_consumer_lag')) : '–'),
        h('div', { class: 'muted' }, health && !health.kafka ? 'no Kafka consumer' : 'messages behind')),
      card('Backends', h('div', {}, 'Redis: ', health ? up(health.redis) : up(false)),
        h('div', {}, 'Kafka: ', health ? (health.kafka ? up(true) : h('span', { class: 'muted' }, 'not configured')) : '–'),
        h('div', { class: 'muted' }, health ? `${health.status}, ${health.movies} movies, recutd ${health.version} (${health.instance})` : '')),
    ];
    box.replaceChildren(...cards);
    more.replaceChildren();
    if (err) fail(more, err);
    if (ms) {
      const dl = ms.filter((x) => x.name === 'recut_events_dead_letter_total');
      more.append(h('h2', {}, 'Dead letters by reason'),
        dl.some((x) => x.value > 0) ? bars(dl.filter((x) => x.value > 0), (x) => x.labels.reason, (x) => x.value)
          : h('p', { class: 'muted' }, 'none'));
      const models = ms.filter((x) => /svm_trained|svm_skipped|groups|cooc_compactions|refresh|reloads|catalog_updates/.test(x.name));
      more.append(h('h2', {}, 'Model refreshes'), h('table', {}, models.map((x) =>
        h('tr', {}, h('td', {}, x.name + (Object.keys(x.labels).length ? JSON.stringify(x.labels) : '')), h('td', {}, String(x.value))))));
    }
    if (health && Array.isArray(health.plugins)) {
      more.append(h('h2', {}, 'Plugins'), h('table', { id: 'plugins' },
        h('tr', {}, h('th', {}, 'name'), h('th', {}, 'kind'), h('th', {}, 'what it does')),
        health.plugins.map((p) => h('tr', {}, h('td', {}, p.name), h('td', {}, p.kind || ''), h('td', {}, p.description || '')))));
    }
  }
  tick();
  timers.push(setInterval(tick, 3000));
}

// ---- a viewer --------------------------------------------------------------
function featureGroups(list) {
  const g = {};
  for (const f of list || []) {
    const i = f.feature.indexOf(':');
    const kind = i > 0 ? f.feature.slice(0, i) : 'other';
    (g[kind] = g[kind] || []).push({ name: i > 0 ? f.feature.slice(i + 1) : f.feature, v: f.log_odds });
  }
  return g;
}
function scoresBlock(title, x) {
  if (x === null || x === undefined) return h('p', { class: 'muted' }, title + ': none');
  if (typeof x !== 'object') return h('p', {}, title + ': ' + fmt(x));
  const nums = Object.entries(x).filter(([, v]) => typeof v === 'number');
  const arrs = Object.entries(x).filter(([, v]) => Array.isArray(v) && v.every((n) => typeof n === 'number'));
  const rest = Object.entries(x).filter(([, v]) => typeof v !== 'number' && !(Array.isArray(v) && v.every((n) => typeof n === 'number')));
  return h('div', {}, h('h2', {}, title),
    nums.length ? bars(nums, (e) => e[0], (e) => e[1]) : null,
    arrs.map(([k, v]) => h('div', {}, h('div', { class: 'muted' }, k), bars(v.map((n, i) => [k + '[' + i + ']', n]), (e) => e[0], (e) => e[1]))),
    rest.map(([k, v]) => h('div', { class: 'muted' }, k + ': ' + (typeof v === 'object' ? JSON.stringify(v) : String(v)))));
}

function viewerPage(id) {
  const my = gen;
  sessionStorage.setItem('recut-last-viewer', id);
  app.append(h('h1', {}, 'Viewer ', h('span', { id: 'viewer-id' }, id)));
  const left = h('div', { class: 'card' }), right = h('div', { class: 'card' });
  app.append(h('div', { class: 'grid' }, left, right));
  api(`/v1/users/${enc(id)}/recommendations?n=10`).then((r) => {
    if (my !== gen) return;
    right.append(h('h2', {}, 'Recommendations'));
    if (r.experiments) {
      right.append(h('p', { id: 'experiment-arm' }, 'Experiments: ',
        (Array.isArray(r.experiments) ? r.experiments : Object.entries(r.experiments).map(([k, v]) => ({ name: k, arm: v })))
          .map((e) => `${e.name || e.experiment}: arm ${e.arm}`).join(', ')));
    }
    if (!r.items.length) right.append(h('p', { class: 'muted' }, 'nothing to recommend yet'));
    const keys = [...new Set(r.items.flatMap((it) => Object.keys(it.components || {})))];
    right.append(h('div', { class: 'legend' }, keys.map((k, i) => h('span', {}, h('i', { class: 'c' + (i % 6) }), k))));
    right.append(h('table', { id: 'recs' }, r.items.map((it, rank) => {
      const comp = h('div', { class: 'comp', title: JSON.stringify(it.components) });
      const tot = keys.reduce((a, k) => a + Math.abs(it.components[k] || 0), 0) || 1;
      keys.forEach((k, i) => {
        const sp = h('span', { class: 'c' + (i % 6) });
        sp.style.width = (100 * Math.abs(it.components[k] || 0) / tot).toFixed(1) + '%';
        comp.append(sp);
      });
      return h('tr', { class: 'rec', 'data-movie': it.movie },
        h('td', {}, String(rank + 1)),
        h('td', {}, h('div', { class: 'title' }, link(`/ui/movies/${enc(it.movie)}?viewer=${enc(id)}`, it.title || it.movie)),
          h('ul', { class: 'reasons' }, (it.reasons || []).map((x) => h('li', {}, x)))),
        h('td', {}, fmt(it.score, 3), comp));
    })));
  }).catch((e) => my === gen && fail(right, e));
  api(`/v1/users/${enc(id)}/profile`).then((p) => {
    if (my !== gen) return;
    left.append(h('h2', {}, 'What the models learned'),
      h('p', { class: 'muted' }, `${p.events} events, ${p.movies_seen} movies seen`));
    const likes = featureGroups(p.likes), dislikes = featureGroups(p.dislikes);
    for (const kind of ['genre', 'tag', 'label', 'other']) {
      if (likes[kind]) left.append(h('h2', {}, `Liked ${kind}s`), bars(likes[kind], (x) => x.name, (x) => x.v));
      if (dislikes[kind]) left.append(h('h2', {}, `Disliked ${kind}s`), bars(dislikes[kind], (x) => x.name, (x) => x.v));
    }
    left.append(h('h2', {}, 'Emotion'), p.affect
      ? bars([['arousal', p.affect.arousal], ['valence', p.affect.valence]], (e) => e[0], (e) => e[1], 1)
      : h('p', { class: 'muted' }, p.emotion_consent ? 'no reading yet' : 'no consent'));
    left.append(scoresBlock('Cluster', p.cluster), scoresBlock('Factors', p.factors), scoresBlock('SVM', p.svm));
    left.append(h('h2', {}, 'History (recent positives)'),
      h('ol', { id: 'history' }, (p.recent_positives || []).map((m) => h('li', {}, link(`/ui/movies/${enc(m)}?viewer=${enc(id)}`, m)))));
  }).catch((e) => my === gen && fail(left, e));
}

// ---- a movie ---------------------------------------------------------------
function timeline(movie) {
  const W = 1000, dur = movie.duration, sc = movie.scenes || [];
  const x = (t) => (t / dur) * W;
  const hasFaces = sc.some((c) => c.faces !== undefined);
  const isDialogue = (c, i) => (c.labels || []).includes('dialogue') || c.dialogue === true ||
    (movie.features && movie.features[i] && movie.features[i].alternation > 0.5);
  const hasDialogue = sc.some(isDialogue);
  const H = 150 + (hasFaces ? 18 : 0) + (hasDialogue ? 18 : 0);
  const svg = s('svg', { class: 'timeline', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'scene timeline' });
  sc.forEach((c, i) => {
    const r = s('rect', { class: 'scene', 'data-index': i, x: x(c.start), y: 0, width: Math.max(1, x(c.end) - x(c.start)), height: 100 },
      s('title', {}, `scene ${i}: ${secs(c.start)}–${secs(c.end)} ${(c.labels || []).join(', ')}`));
    svg.append(r, s('line', { class: 'boundary', x1: x(c.start), x2: x(c.start), y1: 0, y2: 100 }));
    if (x(c.end) - x(c.start) > 40 && c.labels && c.labels.length)
      svg.append(s('text', { x: x(c.start) + 2, y: 114 }, c.labels.slice(0, 2).join(',')));
  });
  // arousal 0..1 and valence -1..1 as curves through the scenes' middles
  const pts = (f) => sc.filter((c) => typeof f(c) === 'number').map((c) => `${x((c.start + c.end) / 2).toFixed(1)},${(100 - f(c) * 100).toFixed(1)}`).join(' ');
  svg.append(s('polyline', { class: 'arousal', points: pts((c) => c.arousal) }));
  svg.append(s('polyline', { class: 'valence', points: pts((c) => (typeof c.valence === 'number' ? (c.valence + 1) / 2 : undefined)) }));
  let y = 124;
  const laneName = (name, at) => svg.append(s('text', { class: 'lane-name', x: W - 4, y: at + 10 }, name));
  if (hasFaces) {
    laneName('faces', y);
    sc.forEach((c) => { if (c.faces) svg.append(s('rect', { class: 'lane', x: x(c.start), y, width: x(c.end) - x(c.start), height: 12 })); });
    y += 18;
  }
  if (hasDialogue) {
    laneName('dialogue', y);
    sc.forEach((c, i) => { if (isDialogue(c, i)) svg.append(s('rect', { class: 'lane dialogue', x: x(c.start), y, width: x(c.end) - x(c.start), height: 12 })); });
    y += 18;
  }
  svg.append(s('text', { x: 0, y: H - 4 }, '0:00'), s('text', { x: W - 40, y: H - 4 }, secs(dur)));
  const head = s('line', { class: 'playhead', x1: 0, x2: 0, y1: 0, y2: 100 });
  svg.append(head);
  svg.setPlayhead = (t) => { head.setAttribute('x1', x(t)); head.setAttribute('x2', x(t)); };
  return svg;
}

async function mediaSource(id) {
  // a <video> cannot send a bearer token: with one, the file comes by fetch
  if (!token()) return `/v1/movies/${enc(id)}/media`;
  const r = await fetch(`/v1/movies/${enc(id)}/media`, { headers: { Authorization: 'Bearer ' + token() } });
  if (!r.ok) throw new ApiError(r.status, 'no video for this movie');
  return URL.createObjectURL(await r.blob());
}

function moviePage(id) {
  const my = gen;
  const params = new URLSearchParams(location.search);
  app.append(h('h1', {}, 'Movie ', h('span', { id: 'movie-id' }, id)));
  api(`/v1/movies/${enc(id)}`).then(async (movie) => {
    if (my !== gen) return;
    app.querySelector('h1').append(movie.title ? ' — ' + movie.title : '');
    app.append(h('p', { class: 'muted' }, `${secs(movie.duration)}, ${(movie.scenes || []).length} scenes, ${(movie.genres || []).join(', ')}`));
    app.append(h('div', { class: 'legend' }, h('span', {}, h('i', { class: 'c4' }), 'arousal'), h('span', {}, h('i', { class: 'c0' }), 'valence'),
      h('span', {}, h('i', { class: 'c1' }), 'scenes of the cut')));
    const svg = timeline(movie);
    app.append(svg);
    const viewer = h('input', { id: 'cut-viewer', value: params.get('viewer') || sessionStorage.getItem('recut-last-viewer') || '', placeholder: 'viewer id' });
    const editor = h('select', { id: 'cut-editor' });
    const budget = h('input', { id: 'cut-budget', size: 6, value: params.get('budget') || '', placeholder: 'default', title: 'seconds, or a percentage such as 30%' });
    const status = h('span', { id: 'cut-status', class: 'muted' });
    const video = h('video', { id: 'player', controls: true, preload: 'auto', muted: true, playsinline: true });
    video.muted = true;
    const list = h('ol', { id: 'cut-scenes' });
    let cut = null, playing = -1;
    async function doCut() {
      status.textContent = 'cutting…';
      try {
        const b = budget.value.trim();
        cut = await api(`/v1/users/${enc(viewer.value.trim())}/cuts/${enc(id)}?editor=${enc(editor.value)}` + (b ? `&budget=${enc(b)}` : ''));
      } catch (e) {
        status.textContent = `${e.status || ''} ${e.message}`;
        return;
      }
      const kept = new Set(cut.scenes.map((c) => c.index));
      svg.querySelectorAll('.scene').forEach((r) => r.classList.toggle('kept', kept.has(Number(r.dataset.index))));
      list.replaceChildren(...cut.scenes.map((c) => h('li', { 'data-index': c.index }, `scene ${c.index}: ${secs(c.start)}–${secs(c.end)}`)));
      status.textContent = `${cut.scenes.length} scenes, ${secs(cut.duration)} of ${secs(movie.duration)} (score ${fmt(cut.score)})`;
    }
    function playFrom(k) {
      playing = k;
      svg.querySelectorAll('.scene.playing').forEach((r) => r.classList.remove('playing'));
      if (!cut || k >= cut.scenes.length) { video.pause(); playing = -1; return; }
      const c = cut.scenes[k];
      const r = svg.querySelector(`.scene[data-index="${c.index}"]`);
      if (r) r.classList.add('playing');
      video.currentTime = c.start;
      video.play().catch(() => {});
    }
    video.addEventListener('timeupdate', () => {
      svg.setPlayhead(video.currentTime);
      if (playing >= 0 && cut && video.currentTime >= cut.scenes[playing].end - 0.05) playFrom(playing + 1);
    });
    const playBtn = h('button', { id: 'play-cut', type: 'button', onclick: async () => { if (!cut) await doCut(); if (cut) playFrom(0); } }, 'Play the cut');
    app.append(h('div', { class: 'controls' }, 'Viewer ', viewer, ' editor ', editor, ' budget ', budget,
      h('button', { id: 'make-cut', type: 'button', onclick: doCut }, 'Show the cut'), playBtn, status));
    app.append(h('div', { class: 'grid' }, h('div', {}, video, h('div', { id: 'video-status', class: 'muted' })), h('div', { class: 'card' }, h('h2', {}, 'The cut'), list)));
    try {
      const plugins = await api('/v1/plugins');
      const eds = (Array.isArray(plugins) ? plugins : plugins.plugins || []).filter((p) => p.kind === 'editor');
      editor.replaceChildren(...eds.map((p) => h('option', { value: p.name }, p.name)));
      if (params.get('editor')) editor.value = params.get('editor');
    } catch (e) {
      status.textContent = 'cannot list editors: ' + e.message;
    }
    try {
      video.src = await mediaSource(id);
    } catch (e) {
      document.getElementById('video-status').textContent = e.message;
    }
    video.addEventListener('error', () => { document.getElementById('video-status').textContent = 'no video for this movie'; });
    if (viewer.value && editor.value) doCut();
  }).catch((e) => my === gen && fail(app, e));
}

// ---- experiments -----------------------------------------------------------
function ciBar(ci, lo, hi, mark) {
  const d = h('div', { class: 'ci' });
  if (!Array.isArray(ci)) return d;
  const pos = (v) => (100 * (v - lo) / (hi - lo || 1)).toFixed(1) + '%';
  const sp = h('span');
  sp.style.left = pos(ci[0]);
  sp.style.width = (100 * (ci[1] - ci[0]) / (hi - lo || 1)).toFixed(1) + '%';
  d.append(sp);
  if (typeof mark === 'number') { const b = h('b'); b.style.left = pos(mark); d.append(b); }
  return d;
}
function experimentsPage() {
  const my = gen;
  app.append(h('h1', {}, 'Experiments'));
  api('/v1/experiments').then((doc) => {
    if (my !== gen) return;
    const list = (doc && doc.experiments) || [];
    if (!list.length) { app.append(h('p', { id: 'no-experiments' }, 'no experiments configured')); return; }
    for (const ex of list) {
      app.append(h('h2', {}, ex.name, h('span', { class: 'muted' }, ` (outcome window ${ex.window_s} s)`)));
      app.append(h('table', { class: 'arms' },
        h('tr', {}, ['arm', 'share', 'exposures', 'conversions', 'negatives', 'rate', '95% interval'].map((t) => h('th', {}, t))),
        (ex.arms || []).map((a) => h('tr', {}, h('td', {}, a.name), h('td', {}, fmt(a.share, 0) + ' %'), h('td', {}, String(a.exposures)),
          h('td', {}, String(a.conversions)), h('td', {}, String(a.negatives)), h('td', {}, fmt(a.rate, 3)),
          h('td', {}, ciBar(a.ci, 0, 1, a.rate), Array.isArray(a.ci) ? `${fmt(a.ci[0], 3)} – ${fmt(a.ci[1], 3)}` : '')))));
      if ((ex.comparisons || []).length) {
        app.append(h('table', { class: 'comparisons' },
          h('tr', {}, ['arm', 'vs', 'difference', '95% interval', 'z', 'p'].map((t) => h('th', {}, t))),
          ex.comparisons.map((c) => h('tr', {}, h('td', {}, c.arm), h('td', {}, c.vs), h('td', {}, fmt(c.diff, 3)),
            h('td', {}, ciBar(c.ci, -1, 1, 0), Array.isArray(c.ci) ? `${fmt(c.ci[0], 3)} – ${fmt(c.ci[1], 3)}` : ''),
            h('td', {}, fmt(c.z)), h('td', { class: c.p < 0.05 ? 'ok' : '' }, fmt(c.p, 4))))));
      }
    }
  }).catch((e) => {
    if (my !== gen) return;
    if (e.status === 404) app.append(h('p', { id: 'no-experiments' }, 'no experiments configured'));
    else fail(app, e);
  });
  timers.push(setInterval(() => { if (my === gen && document.visibilityState === 'visible') route(); }, 10000));
}

route();
