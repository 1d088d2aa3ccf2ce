// SPDX-License-Identifier: Apache-2.0
// console.mjs -- the console in a real browser (run by
// tests/integration/console.sh, which starts recutd and passes what the API
// answered in the environment): Debian's chromium, headless, driven by
// playwright-core.  Each check prints "ok" or "not ok"; exit 1 if any
// failed.  Every request the page makes is watched: one to anything but
// 127.0.0.1 is refused and fails the run, and each page load's bytes are
// summed (the console promises less than 200 KB a load).
import { chromium } from 'playwright-core';

const env = process.env;
const BASE = env.BASE;
const LIMIT = 200 * 1024;
let fails = 0;
function ok(cond, what) {
  console.log((cond ? 'ok: ' : 'not ok: ') + what);
  if (!cond) fails++;
}

const browser = await chromium.launch({
  executablePath: env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--disable-gpu'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
page.setDefaultTimeout(20000);

const outside = [];
await context.route('**/*', (route) => {
  const u = new URL(route.request().url());
  if (u.protocol === 'blob:' || u.protocol === 'data:' || u.hostname === '127.0.0.1') return route.continue();
  outside.push(u.href);
  return route.abort();
});
if (env.DEBUG) {
  page.on('request', (r) => console.log('# > ' + r.method() + ' ' + r.url()));
  page.on('response', (r) => console.log('# < ' + r.status() + ' ' + r.url()));
  page.on('requestfailed', (r) => console.log('# failed ' + r.url() + ' ' + r.failure().errorText));
}
const problems = [];
page.on('pageerror', (e) => problems.push('page error: ' + e.message));
page.on('console', (m) => {
  if (m.type() === 'error' && !/status of (401|404)/.test(m.text())) problems.push('console error: ' + m.text());
});

// bytes of every response during fn(), the video's excepted (it streams)
let counting = null;
page.on('requestfinished', async (req) => {
  if (!counting || req.url().includes('/media')) return;
  const c = counting;
  c.pending++;
  try {
    const s = await req.sizes();
    c.bytes += s.responseBodySize + s.responseHeadersSize;
  } catch {
    c.bytes += 0;
  }
  c.pending--;
});
const weights = [];
async function load(what, fn, ready) {
  counting = { bytes: 0, pending: 0 };
  await fn();
  await page.waitForSelector(ready);
  await page.waitForTimeout(500); // the page's last requests
  while (counting.pending) await new Promise((r) => setTimeout(r, 50));
  weights.push([what, counting.bytes]);
  ok(counting.bytes > 0 && counting.bytes < LIMIT, `${what}: page load ${counting.bytes} bytes (< ${LIMIT})`);
  counting = null;
}
// page.waitForFunction evaluates a string in the page, which the console's
// CSP (no 'unsafe-eval') forbids: poll with page.evaluate instead
async function until(fn, arg, what, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await page.evaluate(fn, arg)) return;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await page.waitForTimeout(100);
  }
}
const shot = (name) => page.screenshot({ path: `${env.SHOT_DIR}/console-${name}.png`, fullPage: true });

const mediaStatus = [];
page.on('response', (r) => { if (r.url().includes('/media')) mediaStatus.push(r.status()); });

// A recutd without tokens: the page asks for none, and the <video> streams
// the file itself with byte ranges (206)
async function openRun() {
  const want = (env.CUT_SCENES || '').split(',').filter(Boolean).map(Number);
  await load('movie (no tokens)', () => page.goto(`${BASE}/ui/movies/${encodeURIComponent(env.MOVIE)}?viewer=${encodeURIComponent(env.VIEWER)}&editor=${env.EDITOR}&budget=${env.BUDGET}`), '#cut-scenes li');
  ok(await page.locator('#token-form').isHidden(), 'without tokens the page asks for none');
  ok(await page.locator('svg .scene.kept').count() === want.length, 'the cut is highlighted');
  await page.click('#play-cut');
  await until((t) => {
    const v = document.getElementById('player');
    return v && !v.paused && v.currentTime > t + 0.5;
  }, 3.0 * Math.min(...want), 'the video to play');
  ok(true, 'the <video> plays the cut from /v1/movies/ID/media');
  ok(mediaStatus.includes(206), `the <video> asked for byte ranges (statuses ${[...new Set(mediaStatus)]})`);
  await shot('movie-open');

  // this recutd runs the experiment "blend": the viewer's arm, and the arms'
  // counts with their intervals
  await load('viewer (experiment)', () => page.goto(`${BASE}/ui/viewers/${encodeURIComponent(env.VIEWER)}`), '#experiment-arm');
  const armText = await page.textContent('#experiment-arm');
  ok(armText.includes(`blend: arm ${env.ARM}`), `the viewer page shows the viewer's arm (${armText}; API: ${env.ARM})`);
  await load('experiments (configured)', () => page.goto(BASE + '/ui/experiments'), 'table.arms');
  const rows = await page.locator('table.arms tr').evaluateAll((trs) => trs.slice(1).map((tr) => [...tr.cells].map((c) => c.textContent)));
  ok(rows.length === 2 && rows[0][0] === 'a' && rows[1][0] === 'b', `the arms a and b are listed (${JSON.stringify(rows)})`);
  const mine = rows.find((r) => r[0] === env.ARM);
  ok(mine && Number(mine[2]) >= 1, `the viewer's arm counts exposures (${mine && mine[2]})`);
  ok(await page.locator('table.arms .ci span').count() === 2, 'each arm has its interval drawn');
  const cmp = await page.locator('table.comparisons tr').allTextContents();
  ok(cmp.length === 2 && cmp[1].startsWith('ba'), `b is compared with a (${JSON.stringify(cmp[1])})`);
  await shot('experiments');
}

try {
  if (env.MODE === 'open') {
    await openRun();
    throw null; // the rest is the run with tokens
  }
  // overview: /metrics needs a token, so the page asks for one
  await load('overview', () => page.goto(BASE + '/ui/'), '#token-form:not([hidden])');
  ok(true, 'the overview asks for a token');
  await page.fill('#token', env.TOKEN);
  await page.click('#token-form button');
  await until(() => /\/s$/.test(document.querySelector('#ingest-rate')?.textContent || ''), null, 'an ingest rate');
  const overview = await page.textContent('#app');
  ok(/Redis: up/.test(overview), 'the overview says Redis is up');
  ok(/Dead letters by reason/.test(overview), 'the overview lists dead letters');
  ok(await page.locator('#plugins td', { hasText: 'highlights' }).count() > 0, 'the overview lists the plugins');
  await shot('overview');

  // a viewer, typed as a deep link (the token stays in the tab's sessionStorage)
  const reasons = JSON.parse(env.TOP_REASONS || '[]');
  async function checkViewer(how) {
    await page.waitForSelector('#recs tr.rec');
    const first = page.locator('#recs tr.rec').first();
    const title = (await first.locator('.title').textContent()).trim();
    ok(title === env.TOP_TITLE, `${how}: the first recommendation is "${title}" (API: "${env.TOP_TITLE}")`);
    const shown = await first.locator('.reasons li').allTextContents();
    ok(reasons.length > 0 && reasons.every((r) => shown.includes(r)), `${how}: its reasons are shown (${JSON.stringify(shown)})`);
    await page.waitForSelector('text=What the models learned');
    const widths = await page.locator('.bars .bar').evaluateAll((bs) => bs.map((b) => b.getBoundingClientRect().width));
    ok(widths.length > 0 && Math.max(...widths) > 20, `${how}: the profile has bars (${widths.length}, widest ${Math.max(...widths).toFixed(0)} px)`);
  }
  await load('viewer', () => page.goto(`${BASE}/ui/viewers/${encodeURIComponent(env.VIEWER)}`), '#recs tr.rec');
  await checkViewer('viewer page');
  await shot('viewer');
  if (env.SCREENSHOT_OUT) await page.screenshot({ path: env.SCREENSHOT_OUT });
  await load('viewer (reload)', () => page.reload(), '#recs tr.rec');
  await checkViewer('viewer page reloaded');

  // a movie: the cut highlighted on the timeline, then played
  const want = (env.CUT_SCENES || '').split(',').filter(Boolean).map(Number).sort((a, b) => a - b);
  const moviePath = `${BASE}/ui/movies/${encodeURIComponent(env.MOVIE)}?viewer=${encodeURIComponent(env.VIEWER)}&editor=${env.EDITOR}&budget=${env.BUDGET}`;
  await load('movie', () => page.goto(moviePath), '#cut-scenes li');
  const kept = (await page.locator('svg .scene.kept').evaluateAll((rs) => rs.map((r) => Number(r.dataset.index)))).sort((a, b) => a - b);
  ok(want.length > 0 && JSON.stringify(kept) === JSON.stringify(want), `the timeline highlights scenes ${kept} (the cut: ${want})`);
  ok(await page.locator('svg .scene').count() === 8, 'the timeline has the 8 scenes');
  ok(await page.locator('svg polyline.arousal').count() === 1, 'the arousal curve is drawn');
  await page.click('#play-cut');
  const t0 = want.length ? 3.0 * want[0] : 0; // the test film's scenes are 3 s long
  await until((t) => {
    const v = document.getElementById('player');
    return v && !v.paused && v.currentTime > t + 0.5;
  }, t0, 'the video to play').then(() => ok(true, 'the <video> plays the cut (currentTime advances)'),
    (e) => ok(false, 'the <video> does not play: ' + e.message));
  const playing = await page.locator('svg .scene.playing').evaluateAll((rs) => rs.map((r) => Number(r.dataset.index)));
  ok(playing.length === 1 && want.includes(playing[0]), `the scene being played (${playing}) is one of the cut`);
  await shot('movie');
  await load('movie (reload)', () => page.reload(), '#cut-scenes li');
  ok(await page.locator('svg .scene.kept').count() === want.length, 'the movie page reloaded shows the cut again');

  // experiments: none configured here
  await load('experiments', () => page.goto(BASE + '/ui/experiments'), '#no-experiments, table.arms');
  ok((await page.textContent('#no-experiments').catch(() => '')) === 'no experiments configured',
    'the experiments page says "no experiments configured" (GET /v1/experiments: 404)');
  await shot('experiments-none');

  // navigation inside the page: a link to the overview
  await page.click('header nav a[href="/ui/"]');
  await page.waitForSelector('#ingest-rate');
  ok(new URL(page.url()).pathname === '/ui/', 'the overview link navigates without a reload');
} catch (e) {
  if (e !== null) ok(false, 'browser run: ' + e.message);
  if (e !== null) await shot('failure').catch(() => {});
}
ok(outside.length === 0, `no request left 127.0.0.1 (${outside.length}: ${outside.slice(0, 3)})`);
ok(problems.length === 0, `no page errors (${problems.slice(0, 3).join('; ')})`);
console.log('# page weights: ' + weights.map(([w, b]) => `${w} ${(b / 1024).toFixed(1)} KB`).join(', '));
await browser.close();
process.exit(fails ? 1 : 0);
