/**
 * Recogniser page (draw.html): DOM wiring only. The user draws on #draw with any pointer;
 * while drawing (throttled) and at the end of each stroke the drawing is preprocessed
 * MNIST-style and classified; ten bars show the probabilities, the top one highlighted.
 *
 * URL: ?backend=webassembly|webgl forces a backend. Tests drive window.dcganTest.
 */
import { classify } from './models.js';
import { attachPen, clearCanvas, drawDigit, readImageData } from './drawing.js';
import { centreOfMass, inkFromImageData, preprocess } from './preprocess.js';
import { byId, formatMs, loadModels, readParams, setStatus, showError } from './page.js';

const ui = byId(['status', 'backend', 'timing', 'draw', 'clear', 'prediction', 'confidence',
  'bars', 'preview']);
const PROMPT = 'Draw a digit in the box';
const THROTTLE_MS = 100;
// Pen width over canvas width: a digit drawn over most of the box shrinks about 10x to
// 20 px, leaving strokes 2-3 px wide like MNIST's.
const PEN_WIDTH_FRACTION = 1 / 10;

let recogniser = null;
let busy = false;             // a prediction is running
let again = false;            // the drawing changed while it ran
let lastStart = -Infinity;
let bars = [];

function showPrompt() {
  ui.prediction.textContent = PROMPT;
  ui.prediction.dataset.empty = 'true';
  ui.confidence.textContent = '';
  clearCanvas(ui.preview);
  for (const bar of bars) {
    bar.row.classList.remove('top');
    bar.fill.style.width = '0%';
    bar.value.textContent = '';
  }
}

function showResult(result) {
  ui.prediction.textContent = String(result.label);
  ui.prediction.dataset.empty = 'false';
  ui.confidence.textContent = `${(100 * result.confidence).toFixed(1)} % sure`;
  bars.forEach((bar, i) => {
    const p = result.probabilities[i];
    bar.row.classList.toggle('top', i === result.index);
    bar.fill.style.width = `${(100 * p).toFixed(1)}%`;
    bar.value.textContent = `${Math.round(100 * p)} %`;
  });
}

function makeBars(labels) {
  bars = labels.map((label) => {
    const row = document.createElement('li');
    row.innerHTML = '<span class="bar-label"></span><span class="bar"><span class="fill"></span>'
      + '</span><span class="bar-value"></span>';
    row.querySelector('.bar-label').textContent = String(label);
    ui.bars.append(row);
    return { row, fill: row.querySelector('.fill'), value: row.querySelector('.bar-value') };
  });
}

/** Preprocess the drawing and classify it; null when the canvas is empty. */
async function predict() {
  const image = preprocess(inkFromImageData(readImageData(ui.draw)), ui.draw.width, ui.draw.height);
  if (!image) {
    showPrompt();
    return null;
  }
  drawDigit(ui.preview, image);
  const start = performance.now();
  const result = await classify(recogniser, image);
  ui.timing.textContent = `${formatMs(performance.now() - start)} per prediction`;
  showResult(result);
  return result;
}

/** At most one prediction running and one every THROTTLE_MS; the last change always counts. */
async function schedule() {
  if (busy) {
    again = true;
    return;
  }
  busy = true;
  try {
    do {
      again = false;
      const wait = lastStart + THROTTLE_MS - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      lastStart = performance.now();
      await predict();
    } while (again);
  } catch (err) {
    showError(ui.status, err);
  } finally {
    busy = false;
  }
}

// The pure preprocessing is testable before (and without) the model.
window.dcganTest = {
  preprocess: (ink, width, height) => {
    const out = preprocess(Float32Array.from(ink), width, height);
    return out && Array.from(out);
  },
  centreOfMass: (image, width, height) => centreOfMass(image, width, height),
};

async function main() {
  clearCanvas(ui.draw);
  clearCanvas(ui.preview);
  let contract;
  try {
    ({ contract, models: { recogniser } } = await loadModels(['recogniser'], {
      backend: readParams().backend,
      onProgress: (text) => setStatus(ui.status, 'loading', text),
    }));
  } catch (err) {
    showError(ui.status, err);
    return;
  }
  const spec = contract.recogniser;
  makeBars(spec.labels || [...Array(spec.n_classes).keys()]);
  showPrompt();
  ui.backend.textContent = recogniser.backend;

  attachPen(ui.draw, {
    lineWidth: Math.round(ui.draw.width * PEN_WIDTH_FRACTION),
    onDraw: schedule,
    onEnd: schedule,
  });
  ui.clear.addEventListener('click', () => {
    clearCanvas(ui.draw);
    schedule();
  });
  ui.clear.disabled = false;

  Object.assign(window.dcganTest, {
    contract,
    backend: recogniser.backend,
    /** Classify a 784-value image (ink = 1): {label, confidence, probabilities}. */
    classify: async (image) => {
      const r = await classify(recogniser, Float32Array.from(image));
      return { label: r.label, confidence: r.confidence, probabilities: Array.from(r.probabilities) };
    },
    /** Wait for pending predictions, then return what the page shows. */
    settled: async () => {
      while (busy) await new Promise((resolve) => setTimeout(resolve, 20));
      return { prediction: ui.prediction.textContent, empty: ui.prediction.dataset.empty === 'true' };
    },
  });
  setStatus(ui.status, 'ready', `Ready: the recogniser runs on ${recogniser.backend}.`);
}

main().catch((err) => showError(ui.status, err));
