// Benchmark driver: headless Chromium (Debian's /usr/bin/chromium through playwright-core)
// measures each engine page given as JSON on stdin and prints one JSON object on stdout.
//
// Input: {jobs: [{name, url, hook: 'dcganBench'|'dcganTest', cold, runs, warmup,
//                 grids, gridBatches, parity: {zs, labels}, sampleChunks}]}
// (sampleChunks: base64 float32 generator inputs; the job then only returns the outputs.)
// A job with `strokes` ([{digit, points: [[x, y], ...] in pad units}]) is the recogniser
// page instead: `warmup` strokes, then each stroke drawn with the mouse, and the page's
// verdict and handwriting row (settled(): shown, ms from pen-up to the row drawn), and the
// page's own input -> painted samples (feltLatency()); `restMs`: the pen held still that
// long before it lifts.
// A job with `presses` is the generator page: after `warmup` presses, `presses` mouse clicks
// on `selector`, spaced by a random `spacingMs` [min, max] (seeded), then `morphMs` of the
// morph animation; returns the page's feltLatency() and the morph's frames per second.
// Per job: `cold` navigations, each in a fresh browser context (empty HTTP cache), timed
// from navigation start to the page's performance mark 'first-digit', with every request
// started before that mark and its body size (workers' requests included); then, on the
// last page: `warmup` + `runs` single digits (median ms), `grids` 10x10 grids per batch
// size (median ms), and the outputs for the parity inputs.
import { chromium } from 'playwright-core';
import fs from 'node:fs';

const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function coldLoad(job) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(String(err)));
  context.on('requestfinished', (request) => requests.push(request));
  await page.goto(job.url);
  await page.waitForSelector('body[data-state="ready"], body[data-state="error"]',
    { timeout: job.timeout || 120000 });
  const state = await page.evaluate(() => ({
    state: document.body.dataset.state,
    status: (document.querySelector('#status') || {}).textContent,
    timeOrigin: performance.timeOrigin,
    firstDigit: (performance.getEntriesByName('first-digit')[0] || {}).startTime,
  }));
  if (state.state !== 'ready') throw new Error(`${job.name}: ${state.status} ${errors.join(' | ')}`);
  const firstDigitEpoch = state.timeOrigin + state.firstDigit;
  const transferred = [];
  for (const request of requests) {
    const timing = request.timing();
    if (timing.startTime > firstDigitEpoch) continue;   // e.g. the app's recogniser, later
    const sizes = await request.sizes().catch(() => null);
    const response = await request.response();
    transferred.push({ url: request.url(), status: response ? response.status() : null,
      bytes: sizes ? sizes.responseBodySize : null,
      // ms after navigation start: request sent, response fully received
      startMs: Math.round(timing.startTime - state.timeOrigin),
      endMs: Math.round(timing.startTime - state.timeOrigin + timing.responseEnd) });
  }
  const marks = await page.evaluate(() => Object.fromEntries(
    performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)])
      .concat([['domContentLoaded', Math.round(performance.getEntriesByType('navigation')[0]
        .domContentLoadedEventEnd)]])));
  return { context, page, errors, firstDigitMs: state.firstDigit, transferred, marks };
}

async function measure(job) {
  const hook = job.hook || 'dcganBench';
  const cold = [];
  let last = null;
  for (let i = 0; i < (job.cold || 3); i++) {
    if (last) await last.context.close();
    last = await coldLoad(job);
    cold.push(last.firstDigitMs);
  }
  const { page } = last;
  const call = (body, arg) => page.evaluate(body, arg);
  const result = { name: job.name, url: job.url, coldMs: cold, transferred: last.transferred };
  result.timeline = { marks: last.marks, requests: last.transferred.map((t) => ({
    path: new URL(t.url).pathname, startMs: t.startMs, endMs: t.endMs })) };
  if (hook === 'dcganTest') await call('window.dcganTest.extrasLoaded && window.dcganTest.extrasLoaded()');
  result.info = await call(`window.${hook}.info ? window.${hook}.info() : ({backend: window.${hook}.backend,
    batchSizes: window.${hook}.batchSizes ? window.${hook}.batchSizes() : []})`);
  if (job.sampleChunks) {          // outputs only (bench/eightbit_quality.py), no timings
    result.samples = [];
    for (const chunk of job.sampleChunks) {
      result.samples.push(await call((text) => window.dcganBench.runBase64(text), chunk));
    }
    result.consoleErrors = last.errors;
    await last.context.close();
    return result;
  }
  const timeDigit = hook === 'dcganTest' ? 'timeGenerator' : 'timeDigit';
  await call(`window.${hook}.${timeDigit}(${job.warmup || 20})`);
  result.digitMs = await call(`window.${hook}.${timeDigit}(${job.runs || 200})`);
  result.gridMs = {};
  for (const batch of job.gridBatches || [1]) {
    const times = [];
    for (let i = 0; i < (job.grids || 5) + 1; i++) {
      const ms = await call(`window.${hook}.timeGrid(${hook === 'dcganTest' ? '' : batch})`);
      if (ms === null) break;
      if (i > 0) times.push(ms);                          // the first grid is a warm-up
    }
    if (times.length) result.gridMs[batch] = { median: median(times), all: times };
  }
  if (job.parity) {
    result.outputs = [];
    for (let i = 0; i < job.parity.zs.length; i++) {
      result.outputs.push(await call(
        ([name, z, label]) => window[name].generate(z, label),
        [hook, job.parity.zs[i], job.parity.labels[i]]));
    }
    if (hook === 'dcganBench') {
      result.batchOutputs = await call(
        ([zs, labels]) => window.dcganBench.generateBatch(zs, labels), [job.parity.zs, job.parity.labels]);
    }
  }
  result.consoleErrors = last.errors;
  await last.context.close();
  return result;
}

/** The recogniser page: each stroke drawn on #draw, then what the page shows once settled. */
async function measureStrokes(job) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(String(err)));
  try {
    await page.goto(job.url);
    await page.waitForSelector('body[data-state="ready"]', { timeout: job.timeout || 120000 });
    const info = await page.evaluate(() => window.dcganTest.handwritingLoaded());
    if (!info.loaded) throw new Error(`${job.name}: the page has no handwriting row`);
    const box = await page.locator('#draw').boundingBox();
    const rows = [];
    const warmup = job.strokes.slice(0, job.warmup || 0);
    for (const [i, stroke] of warmup.concat(job.strokes).entries()) {
      await page.click('#clear');
      await page.evaluate(() => window.dcganTest.settled());
      const points = stroke.points.map(([x, y]) => [box.x + x * box.width, box.y + y * box.height]);
      await page.mouse.move(...points[0]);
      await page.mouse.down();
      for (const point of points.slice(1)) await page.mouse.move(...point, { steps: 2 });
      if (job.restMs) await page.waitForTimeout(job.restMs);    // the pen held still, then lifted
      await page.mouse.up();
      const shown = await page.evaluate(() => window.dcganTest.settled());
      if (i === warmup.length - 1) await page.evaluate(() => window.dcganTest.clearFeltLatency());
      if (i >= warmup.length) {
        rows.push({ digit: stroke.digit, prediction: shown.prediction, verdictMs: shown.verdictMs, ...shown.row });
      }
    }
    await page.waitForTimeout(job.pauseMs || 0);
    const felt = await page.evaluate(() => window.dcganTest.feltLatency());
    return { name: job.name, url: job.url, info, rows, felt, consoleErrors: errors };
  } finally {
    await context.close();
  }
}

/** A small seeded generator (mulberry32): the same spacing of presses in every run. */
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6D2B79F5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The generator page: presses with the mouse as a person makes them, then the morph. */
async function measurePresses(job) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(String(err)));
  try {
    await page.goto(job.url);
    await page.waitForSelector('body[data-state="ready"]', { timeout: job.timeout || 120000 });
    await page.evaluate(() => window.dcganTest.extrasLoaded());
    const box = await page.locator(job.selector).boundingBox();
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
    const random = seeded(job.seed || 1);
    const [low, high] = job.spacingMs || [250, 450];
    await page.mouse.move(x, y);
    for (let i = 0; i < (job.warmup || 0) + job.presses; i++) {
      if (i === (job.warmup || 0)) {
        await page.evaluate(() => window.dcganTest.settled());
        await page.evaluate(() => window.dcganTest.clearFeltLatency());
      }
      await page.mouse.click(x, y);
      await page.waitForTimeout(low + (high - low) * random());
    }
    await page.evaluate(() => window.dcganTest.settled());
    const felt = await page.evaluate(() => window.dcganTest.feltLatency());
    const footer = await page.evaluate(() => document.querySelector('#timing').textContent);
    let morphFps = null;
    if (job.morphMs) {
      await page.click('#morph');
      await page.waitForTimeout(job.morphMs);
      const text = await page.evaluate(() => document.querySelector('#timing').textContent);
      const found = /morph: (\d+) frames\/s/.exec(text);
      morphFps = found ? Number(found[1]) : null;
      await page.click('#morph');
    }
    return { name: job.name, url: job.url, felt, footer, morphFps, consoleErrors: errors };
  } finally {
    await context.close();
  }
}

const results = [];
for (const job of input.jobs) {
  try {
    const run = job.strokes ? measureStrokes : job.presses ? measurePresses : measure;
    results.push(await run(job));
  } catch (err) {
    results.push({ name: job.name, url: job.url, error: String(err && err.stack || err) });
  }
  process.stderr.write(`  browser: ${job.name} done (${results.length} of ${input.jobs.length})\n`);
}
const version = browser.version();
await browser.close();
process.stdout.write(JSON.stringify({ browser: version, results }));
