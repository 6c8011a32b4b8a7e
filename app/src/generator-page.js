/**
 * Generator page (index.html): DOM wiring only. The page's state is a digit, a handwriting
 * (a seed, or z itself) and a view (one digit, all digits, a 10x10 grid); it lives in the
 * address (share-link.js), and every change redraws what it touches through one coalesced
 * renderer, so clicks during a run are merged rather than queued. *generate* picks a new
 * seed; the digit menu and keys 0-9 keep the handwriting. Generation is generator.js's.
 * The data set (digits, clothes, ...: datasets.js) is chosen by ?dataset= and the menu, which
 * reloads the page so that only the chosen data set's models are downloaded.
 *
 * Tests drive window.dcganTest (test-hooks.js; installed once the generator is ready).
 */
import { classify } from './models.js';
import { DigitGenerator } from './generator.js';
import { Morph } from './morph.js';
import { noiseFromSeed, noiseVector, randomSeed } from './noise.js';
import { drawDigit, downloadPng } from './drawing.js';
import { Sheet } from './sheet.js';
import { format, parse } from './share-link.js';
import { DIGITS, chosenDataset, datasetsOf, fileSafe, itemWord } from './datasets.js';
import { Coalesced } from './coalesce.js';
import { RuntimeLine, byId, formatMs, keepForOffline, loadModels, loadWithRetry, statusArea }
  from './page.js';
import { generatorPageHooks, installTestHooks } from './test-hooks.js';
import { FeltLatency } from './felt-latency.js';
import { Ahead } from './ahead.js';

const ui = byId(['digit', 'generate', 'output', 'seed', 'share', 'download', 'morph-to', 'morph',
  'check', 'check-note', 'check-result', 'one-digit', 'all-digits', 'grid', 'sheet', 'cells',
  'notice', 'digit-panel', 'sheet-panel', 'runtime', 'backend', 'timing', 'dataset',
  'dataset-choice', 'digit-word']);
const VIEW_BUTTONS = { digit: ui['one-digit'], row: ui['all-digits'], grid: ui.grid };
const GRID_ROWS = 10;

const status = statusArea();
const runtime = new RuntimeLine(ui);
let generator = null;         // DigitGenerator
let dataset = null;           // the chosen data set: {name, title, labels, generator, ...}
let word = 'digit';           // what one generated image is called
let recogniser = null;
let backend = null;           // ?backend=..., kept in links
let state = null;             // {digit, seed, z, view, grid}: see share-link.js
let noise = null;             // z of the state (numjs)
let shown = { key: null, image: null };   // what #output holds
let checking = Promise.resolve();
let extras = null;            // loading what the first digit did not need
const renderer = new Coalesced(render, { onError: report });
const sheet = new Sheet(ui.sheet, ui.cells, pickCell);
let morph = null;
// Counted for tests: clicks are coalesced; `prepared`: pictures that were ready at the press.
const drawn = { digit: 0, row: 0, grid: 0, prepared: 0 };
const felt = new FeltLatency();   // press -> new picture on screen, shown in the footer
let afterPaint = Promise.resolve();   // the footer and the address, updated once painted
const ahead = new Ahead();    // pictures prepared before they are asked for
let nextSeed = randomSeed();  // what *generate* picks next (prepared ahead)

const gridSeed = () => state.grid ?? state.seed;
// What is drawn, by handwriting: the keys of what #output and the sheet show, and of Ahead.
const seedKey = (seed) => `seed ${seed}`;
const noiseKey = () => (state.seed !== null ? seedKey(state.seed) : `z ${noise.tolist().join()}`);
const digitKey = (zKey, digit) => `${zKey} digit ${digit}`;
const rowKey = (zKey) => `row ${zKey}`;
const gridKey = (first) => `grid ${first}`;

function report(err) {
  console.error(err);
  ui['check-result'].textContent = `Error: ${err.message}`;
}

/**
 * Apply `change` to the state; a running morph stops first, so the user's action wins.
 * `event`: the input that asked for it, timed from its press to the new picture on screen.
 */
function update(change, event = null) {
  if (morph.running) stopMorph();
  if (event) felt.press(event);
  change(state);
  if (state.seed === null && state.z === null) state.seed = randomSeed();
  noise = state.seed !== null ? noiseFromSeed(state.seed, generator.nHidden) : noiseVector(state.z);
  if (state.view === 'grid' && gridSeed() === null) state.grid = randomSeed();
  showControls();
  return renderer.request();
}

/** The controls and the seed line, from the state (no model run). */
function showControls() {
  ui.digit.value = String(state.digit);
  for (const [view, button] of Object.entries(VIEW_BUTTONS)) {
    button.setAttribute('aria-pressed', String(view === state.view));
  }
  ui.seed.textContent = state.seed !== null ? `seed ${state.seed}` : 'handwriting from the link';
}

/**
 * The share link and the address. Not on the press's path: Chromium's replaceState costs
 * 3-11 ms of the main thread (measured), so it runs after the new picture is on screen.
 */
function showLink() {
  const link = format(state, generator.labels, backend, dataset.name);
  ui.share.href = link;
  window.history.replaceState(null, '', link);
}

async function render() {
  const since = felt.take();
  for (const panel of [ui['digit-panel'], ui['sheet-panel']]) panel.setAttribute('aria-busy', 'true');
  try {
    let answer = { kind: null, timing: null };      // what was drawn, and its model time
    const key = digitKey(noiseKey(), state.digit);
    if (shown.key !== key) {
      const { digit } = state;
      const ready = ahead.get(key);
      if (ready) drawn.prepared += 1;
      const { image, ms } = ready || await generator.generate(noise, digit);
      shown = { key, image };
      drawn.digit += 1;
      drawDigit(ui.output, image);
      ui.output.setAttribute('aria-label', `generated ${generator.labels[digit]}`);
      ui['check-result'].textContent = '';
      answer = { kind: 'digit', timing: `${formatMs(ms)} per ${word}` };
    }
    if (state.view === 'digit') sheet.hide();
    else if (state.view === 'row' && sheet.shown !== rowKey(noiseKey())) answer = await showRow();
    else if (state.view === 'grid' && sheet.shown !== gridKey(gridSeed())) answer = await showGrid();
    if (state.view !== 'digit') sheet.mark(currentRow(), state.digit);
    afterPaint = Promise.all([afterPaint, whenPainted(since, answer)]);
  } finally {
    for (const panel of [ui['digit-panel'], ui['sheet-panel']]) panel.setAttribute('aria-busy', 'false');
  }
}

/**
 * Once what render() drew is on screen: the footer's model time and press -> on screen
 * (the same figure bench/felt_latency.py reports), then the address.
 */
async function whenPainted(since, { kind, timing }) {
  const ms = kind ? await felt.painted(since, kind) : null;
  if (timing) {
    runtime.showTiming(ms === null ? timing : `${timing} · on screen ${formatMs(ms)} after the press`);
  }
  showLink();
  if (!morph.running) ahead.prepare(likelyNext());
}

/**
 * What the next press will probably ask for, likeliest first: *generate* (the next seed in
 * this view), then the other labels in this handwriting (keys 0-9, the menu). On WebGL a run
 * costs ~10 ms, so only the first.
 */
function likelyNext() {
  const next = noiseFromSeed(nextSeed, generator.nHidden);
  const digitJob = (z, zKey, digit) => ({ key: digitKey(zKey, digit), run: () => generator.generate(z, digit) });
  const jobs = [digitJob(next, seedKey(nextSeed), state.digit)];
  if (state.view === 'row') {
    jobs.push({ key: rowKey(seedKey(nextSeed)), run: () => generator.allDigits(next) });
  } else if (state.view === 'grid') {
    jobs.push({ key: gridKey(nextSeed), run: () => generator.grid(gridNoise(nextSeed)) });
  }
  if (generator.backend !== 'webassembly') return jobs.slice(0, 1);
  const here = noise;
  const others = generator.labels.map((_, digit) => digit).filter((digit) => digit !== state.digit);
  return jobs.concat(others.map((digit) => digitJob(here, noiseKey(), digit)));
}

/** The row of every label in this handwriting: {kind, timing} for the footer. */
async function showRow() {
  const key = rowKey(noiseKey());
  const { images, ms } = ahead.get(key) || await generator.allDigits(noise);
  sheet.show(key, images, generator.labels);
  drawn.row += 1;
  return { kind: 'row', timing: `all ${word}s: ${formatMs(ms)} (${formatMs(ms / images.length)} per ${word})` };
}

/** Rows: the seeds grid, grid + 1, ...; columns: the digits. */
async function showGrid() {
  const first = gridSeed();
  const { images, ms } = ahead.get(gridKey(first)) || await generator.grid(gridNoise(first));
  sheet.show(gridKey(first), images, generator.labels,
    (row) => `, row ${row + 1} (seed ${(first + row) >>> 0})`);
  drawn.grid += 1;
  return { kind: 'grid', timing: `${formatMs(ms)} per ${GRID_ROWS}×${generator.nClasses} grid `
    + `(${formatMs(ms / images.length)} per ${word})` };
}

/** The z of a grid's rows: seeds first, first + 1, ... */
const gridNoise = (first) => [...Array(GRID_ROWS).keys()]
  .map((r) => noiseFromSeed((first + r) >>> 0, generator.nHidden));

/** The sheet's row holding the current handwriting, -1 when the grid does not show it. */
function currentRow() {
  if (state.view === 'row') return 0;
  const row = state.seed === null ? -1 : (state.seed - gridSeed()) >>> 0;
  return row < GRID_ROWS ? row : -1;
}

/** A cell of the row or grid: its digit, and its row's handwriting. */
function pickCell(row, column, event) {
  update((s) => {
    if (s.view === 'grid') {
      s.grid = gridSeed();
      s.seed = (s.grid + row) >>> 0;
      s.z = null;
    }
    s.digit = column;
  }, event);
}

function startMorph() {
  const target = ui['morph-to'].value;
  const from = { z: noise, label: state.digit };
  const to = target === 'noise'
    ? { z: noiseFromSeed(randomSeed(), generator.nHidden), label: state.digit }
    : { z: noise, label: Number(target) };
  ahead.stop();
  ui.morph.textContent = 'stop';
  ui.morph.setAttribute('aria-pressed', 'true');
  morph.start(from, to);
}

/** Stop the loop and draw the state again (the frames replaced #output). */
function stopMorph() {
  morph.stop();
  ui.morph.textContent = 'morph';
  ui.morph.setAttribute('aria-pressed', 'false');
  shown.key = null;
  renderer.request();
}

function drawFrame(image, { fps }) {
  drawDigit(ui.output, image);
  shown.image = image;
  runtime.showTiming(`morph: ${Math.round(fps)} frames/s`);
}

async function check() {
  const result = await classify(recogniser, shown.image);
  const wanted = generator.labels[state.digit];
  const verdict = String(result.label) === String(wanted) ? '✓' : `✗ (asked for ${wanted})`;
  const reader = dataset.name === DIGITS ? 'recogniser' : 'classifier';
  ui['check-result'].textContent =
    `The ${reader} reads ${result.label} (${(100 * result.confidence).toFixed(1)} %) ${verdict}`;
}

function download() {
  const name = state.seed !== null ? `seed-${state.seed}` : 'linked-handwriting';
  const prefix = dataset.name === DIGITS ? '' : `${fileSafe(dataset.name)}-`;
  if (state.view === 'digit') {
    downloadPng(ui.output, `${prefix}${word}-${fileSafe(generator.labels[state.digit])}-${name}.png`);
  } else if (state.view === 'row') {
    downloadPng(ui.sheet, dataset.name === DIGITS ? `digits-0-9-${name}.png` : `${prefix}row-${name}.png`, 4);
  } else downloadPng(ui.sheet, `${prefix}grid-seed-${gridSeed()}.png`, 4);
}

/**
 * Keys 0-9 choose the digit (another data set's label of that index) wherever the focus is,
 * except in a field that takes text.
 */
function onKey(event) {
  if (event.ctrlKey || event.altKey || event.metaKey || !/^[0-9]$/.test(event.key)) return;
  if (event.target.closest && event.target.closest('input, textarea, select, [contenteditable]')) return;
  const named = generator.labels.map(String).indexOf(event.key);
  const index = named >= 0 || dataset.name === DIGITS ? named : Number(event.key);
  if (index >= 0 && index < generator.nClasses) update((s) => { s.digit = index; }, event);
}

/** The data set menu: shown when the models folder holds more than one; a choice reloads. */
function showDatasets(contract) {
  const all = datasetsOf(contract);
  ui['dataset-choice'].hidden = Object.keys(all).length < 2;
  ui.dataset.replaceChildren(...Object.entries(all).map(([name, entry]) => new Option(entry.title, name)));
  ui.dataset.value = dataset.name;
  ui.dataset.addEventListener('change', () => {
    const params = new URLSearchParams();
    if (ui.dataset.value !== DIGITS) params.set('dataset', ui.dataset.value);
    if (backend) params.set('backend', backend);
    window.location.search = `?${params}`;
  });
}

function wire() {
  ui.digit.addEventListener('change', (event) => update((s) => { s.digit = Number(ui.digit.value); }, event));
  ui.generate.addEventListener('click', (event) => update((s) => {
    s.seed = nextSeed;
    nextSeed = randomSeed();
    s.z = null;
    s.grid = null;
  }, event));
  for (const [view, button] of Object.entries(VIEW_BUTTONS)) {
    button.addEventListener('click', (event) => update((s) => { s.view = view; }, event));
  }
  ui.morph.addEventListener('click', () => (morph.running ? stopMorph() : startMorph()));
  ui.download.addEventListener('click', download);
  ui.check.addEventListener('click', () => {
    checking = Promise.all([checking, check().catch(report)]);
  });
  document.addEventListener('keydown', onKey);
  for (const id of ['digit', 'generate', 'download', 'morph-to', 'morph', 'one-digit', 'all-digits', 'grid',
    'dataset']) {
    ui[id].disabled = false;
    ui[id].removeAttribute('aria-describedby');
  }
  ui['check-note'].textContent = 'check: waiting for the recogniser…';
}

async function loadRecogniser() {
  if (!dataset.classifier) {
    ui['check-note'].textContent = `check is off: ${dataset.title} has no classifier.`;
    return;
  }
  try {
    const { models } = await loadModels([dataset.classifier], { loading() {} }, generator.backend);
    recogniser = models[dataset.classifier];
    await recogniser.warmUp();
    ui.check.disabled = false;
    ui['check-note'].hidden = true;
  } catch (err) {
    console.warn('recogniser unavailable:', err);
    ui['check-note'].textContent = 'check is off: the recogniser could not be loaded.';
  }
}

/** Settles once the renderer, a morph's stop and any check have finished. */
async function settled() {
  await renderer.idle();
  await afterPaint;
  await ahead.idle();       // so that timing hooks never wait behind a prepared run
  await checking;
}

async function main() {
  const { contract, models } = await loadWithRetry(status, () => loadModels((all) => {
    dataset = chosenDataset(window.location.search, all);
    return [dataset.generator];
  }, status));
  word = itemWord(dataset.name);
  if (dataset.name !== DIGITS) {
    ui['digit-word'].textContent = 'Label';
    document.title = `${dataset.title}: ${document.title}`;
  }
  generator = new DigitGenerator(models[dataset.generator]);
  await generator.single.warmUp();     // so the first time shown is a real run's
  morph = new Morph(generator, drawFrame, report);
  const labels = generator.labels.map(String);
  ui.digit.replaceChildren(...labels.map((label, index) => new Option(label, index)));
  ui['morph-to'].append(...labels.map((label, index) => new Option(
    dataset.name === DIGITS ? `digit ${label}` : label, index)));
  runtime.showBackend(generator.backend);

  const link = parse(window.location.search, { nHidden: generator.nHidden, labels: generator.labels });
  backend = link.backend;
  showDatasets(contract);
  const problems = (dataset.problem ? [dataset.problem] : []).concat(link.problems);
  ui.notice.hidden = problems.length === 0;
  ui.notice.textContent = problems.map((text) => `The link's ${text}.`).join(' ');
  state = link.state;
  wire();
  await update(() => {});
  performance.mark('first-digit');

  installTestHooks(generatorPageHooks({
    contract, generator, settled, dataset: () => dataset.name,
    showGrid,
    drawn: () => ({ ...drawn }),
    noise: () => noise,
    setNoise: (values) => update((s) => { s.z = Float32Array.from(values); s.seed = null; }),
    extrasLoaded: () => extras,
    felt,
  }));
  status.ready(`Ready: the generator runs on ${generator.backend}.`);
  // After the first digit: the batched generators (rows and the grid), then the recogniser.
  extras = generator.loadBatched(contract, [dataset.row, dataset.grid]).then(loadRecogniser);
  extras.then(keepForOffline);
}

main().catch((err) => status.error(err));
