/**
 * Generator page (index.html): DOM wiring only. Draws the chosen digit from the current
 * noise z, all ten digits in one handwriting, a 10x10 grid, a morph between two z, and
 * checks a generated digit with the recogniser.
 *
 * URL: ?backend=webassembly|webgl forces a backend, ?seed=N makes the noise reproducible.
 * Tests drive window.dcganTest (set once the generator is ready).
 */
import nj from 'numjs';

import { Model, classify } from './models.js';
import { generatorInput, sampleNormal, slerp, uniformSource } from './noise.js';
import { drawDigit, drawDigitGrid } from './drawing.js';
import { byId, formatMs, loadModels, readParams, setStatus, showError } from './page.js';

const ui = byId(['status', 'backend', 'timing', 'digit', 'generate', 'new-noise', 'morph',
  'check', 'check-result', 'all-digits', 'grid', 'output', 'sheet']);
const MORPH_MS = 1500;

const params = readParams();
const uniform = uniformSource(params.seed);
let generator = null;
let recogniser = null;
const batched = {};           // batch size -> Model (contract generator_b10 / generator_b100)
let spec = null;              // contract.generator
let z = null;                 // current noise, nj array of n_hidden
let shown = null;             // the image in #output (Float32Array, ink = 1)
let sheet = 'none';           // what #sheet shows: none, row (all digits), grid
let morphing = false;
let actions = Promise.resolve();   // the latest button action, for dcganTest.settled()
let extras = null;                 // loading what the first digit did not need

const newNoise = () => sampleNormal(spec.n_hidden, uniform);
const selectedLabel = () => Number(ui.digit.value);

/** Run the generator on (z, label index); returns {image, ms}. */
async function generate(noise, label) {
  const start = performance.now();
  const image = await generator.run(generatorInput(noise, label, spec.n_classes));
  return { image, ms: performance.now() - start };
}

/**
 * Images for (z, label) pairs, in order: one run of a batched generator when one of exactly
 * that size is loaded, else one run each. Returns {images, ms}.
 */
async function generateMany(pairs) {
  const model = batched[pairs.length];
  if (!model) {
    const images = [];
    let ms = 0;
    for (const [noise, label] of pairs) {
      const one = await generate(noise, label);
      images.push(one.image);
      ms += one.ms;
    }
    return { images, ms };
  }
  const start = performance.now();
  const width = spec.n_hidden + spec.n_classes;
  const input = new Float32Array(pairs.length * width);
  pairs.forEach(([noise, label], i) => input.set(generatorInput(noise, label, spec.n_classes), i * width));
  const output = await model.run(input);
  const size = output.length / pairs.length;
  const images = pairs.map((_, i) => output.subarray(i * size, (i + 1) * size));
  return { images, ms: performance.now() - start };
}

const labelIndexes = () => [...Array(spec.n_classes).keys()];

async function showDigit(noise = z) {
  const { image, ms } = await generate(noise, selectedLabel());
  drawDigit(ui.output, image);
  shown = image;
  ui['check-result'].textContent = '';
  ui.timing.textContent = `${formatMs(ms)} per digit`;
}

async function showAllDigits() {
  const { images, ms: total } = await generateMany(labelIndexes().map((label) => [z, label]));
  drawDigitGrid(ui.sheet, images, spec.n_classes);
  ui.sheet.hidden = false;
  sheet = 'row';
  ui.timing.textContent = `all digits: ${formatMs(total)} (${formatMs(total / images.length)} per digit)`;
}

/** Rows: one fresh z each (the first is the current z); columns: the digits. */
async function showGrid() {
  const pairs = [];
  for (let row = 0; row < 10; row++) {
    const noise = row === 0 ? z : newNoise();
    for (const label of labelIndexes()) pairs.push([noise, label]);
  }
  let images = [];
  let total = 0;
  if (batched[pairs.length]) {
    ({ images, ms: total } = await generateMany(pairs));
  } else {                        // a row per run (batch-10 generator or single runs)
    for (let i = 0; i < pairs.length; i += spec.n_classes) {
      const row = await generateMany(pairs.slice(i, i + spec.n_classes));
      images = images.concat(row.images);
      total += row.ms;
    }
  }
  drawDigitGrid(ui.sheet, images, spec.n_classes);
  ui.sheet.hidden = false;
  sheet = 'grid';
  ui.timing.textContent = `${formatMs(total)} per 10×10 grid (${formatMs(total / images.length)} per digit)`;
}

async function refreshNoise() {
  z = newNoise();
  await showDigit();
  if (sheet === 'row') await showAllDigits();
}

/** Slerp from the current z to a new one over MORPH_MS, one generation per frame. */
async function morph() {
  morphing = true;
  ui.morph.disabled = true;
  const from = z, to = newNoise();
  const start = performance.now();
  let frames = 0;
  for (;;) {
    const t = Math.min(1, (performance.now() - start) / MORPH_MS);
    await showDigit(slerp(from, to, t));
    frames++;
    if (t >= 1) break;
    await new Promise(requestAnimationFrame);
  }
  z = to;
  ui.timing.textContent += ` · morph: ${frames} frames in ${formatMs(performance.now() - start)}`;
  morphing = false;
  ui.morph.disabled = false;
  if (sheet === 'row') await showAllDigits();
}

async function check() {
  const result = await classify(recogniser, shown);
  const wanted = spec.labels ? spec.labels[selectedLabel()] : selectedLabel();
  const verdict = String(result.label) === String(wanted) ? '✓' : `✗ (asked for ${wanted})`;
  ui['check-result'].textContent =
    `The recogniser reads ${result.label} (${(100 * result.confidence).toFixed(1)} %) ${verdict}`;
}

/** Button handlers report failures in #check-result rather than throwing into the void. */
function on(element, event, handler) {
  element.addEventListener(event, () => {
    const action = handler().catch((err) => {
      console.error(err);
      ui['check-result'].textContent = `Error: ${err.message}`;
    });
    actions = Promise.all([actions, action]);
  });
}

function fillDigitChoices() {
  const labels = spec.labels || [...Array(spec.n_classes).keys()];
  ui.digit.replaceChildren(...labels.map((label, index) => new Option(String(label), index)));
}

/** The batched generators contract.json lists, on the backend the single one runs on. */
async function loadBatched(contract, backend) {
  for (const key of ['generator_b10', 'generator_b100']) {
    const entry = contract[key];
    if (!entry || !(entry.backends || []).includes(backend)) continue;
    try {
      batched[entry.batch] = await Model.load(entry, [backend]);
    } catch (err) {
      console.warn(`${key} unavailable, drawing one digit per run:`, err);
    }
  }
}

async function loadRecogniser(backend) {
  try {
    ({ models: { recogniser } } = await loadModels(['recogniser'], { backend }));
    ui.check.disabled = false;
  } catch (err) {
    console.warn('recogniser unavailable:', err);
    ui.check.title = `The recogniser could not be loaded: ${err.message}`;
  }
}

async function main() {
  let contract;
  try {
    ({ contract, models: { generator } } = await loadModels(['generator'], {
      backend: params.backend,
      onProgress: (text) => setStatus(ui.status, 'loading', text),
    }));
  } catch (err) {
    showError(ui.status, err);
    return;
  }
  spec = contract.generator;
  fillDigitChoices();
  ui.backend.textContent = generator.backend;
  z = newNoise();
  await showDigit();
  performance.mark('first-digit');

  on(ui.generate, 'click', () => showDigit());
  on(ui.digit, 'change', () => showDigit());
  on(ui['new-noise'], 'click', refreshNoise);
  on(ui['all-digits'], 'click', showAllDigits);
  on(ui.grid, 'click', showGrid);
  on(ui.morph, 'click', () => (morphing ? Promise.resolve() : morph()));
  on(ui.check, 'click', check);
  for (const id of ['digit', 'generate', 'new-noise', 'morph', 'all-digits', 'grid']) {
    ui[id].disabled = false;
  }

  window.dcganTest = {
    contract,
    backend: generator.backend,
    /** Resolves once every action started so far (clicks, changes) has finished. */
    settled: async () => { let seen; do { seen = actions; await seen; } while (seen !== actions); },
    /** Generator output (784 numbers) for z (n_hidden numbers) and a label index. */
    generate: async (noise, label) => Array.from((await generate(nj.array(noise), label)).image),
    /** Replace the current noise (then click #generate to draw with it). */
    setNoise: (noise) => {
      if (noise.length !== spec.n_hidden) throw new Error(`z needs ${spec.n_hidden} values`);
      z = nj.array(noise, 'float64');
    },
    noise: () => z.tolist(),
    /** Median milliseconds per generation over `runs` runs. */
    timeGenerator: async (runs = 50) => {
      const times = [];
      for (let i = 0; i < runs; i++) times.push((await generate(z, i % spec.n_classes)).ms);
      return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
    },
    timeGrid: async () => { const t = performance.now(); await showGrid(); return performance.now() - t; },
    /** Resolves once the batched generators and the recogniser have loaded (or failed to). */
    extrasLoaded: () => extras,
    /** Batch sizes of the loaded batched generators. */
    batchSizes: () => Object.keys(batched).map(Number),
  };
  setStatus(ui.status, 'ready', `Ready: the generator runs on ${generator.backend}.`);
  // After the first digit: the batched generators (rows and the grid), then the recogniser.
  extras = loadBatched(contract, generator.backend).then(() => loadRecogniser(generator.backend));
}

main().catch((err) => showError(ui.status, err));
