/**
 * Recogniser page (draw.html): DOM wiring only. The user draws on #draw with any pointer
 * (pen.js keeps the strokes); while drawing (throttled, coalesced) the strokes are rendered
 * MNIST-style (strokes.js) and classified, and ten bars show the probabilities. The verdict
 * is a digit, or "?" with a reason when the drawing is not one or the model is unsure
 * (uncertainty.js). Drawing works while the model loads: the strokes are read once it is ready.
 *
 * URL: ?backend=webassembly|webgl forces a backend. Tests drive window.dcganTest
 * (test-hooks.js).
 */
import { classify, labelsOf } from './models.js';
import { clearCanvas, drawDigit } from './drawing.js';
import { DrawingPad, SCREEN_PEN } from './pen.js';
import { extentOf, modelInput } from './strokes.js';
import { judge } from './uncertainty.js';
import { Coalesced } from './coalesce.js';
import { RuntimeLine, byId, formatMs, keepForOffline, loadModels, loadWithRetry, statusArea }
  from './page.js';
import { installTestHooks, preprocessHooks, recogniserPageHooks } from './test-hooks.js';

const ui = byId(['draw', 'clear', 'prediction', 'confidence', 'bars', 'preview', 'runtime',
  'backend', 'timing']);
const PROMPT = 'Draw a digit in the box';
const THROTTLE_MS = 100;

const status = statusArea();
const runtime = new RuntimeLine(ui);
let recogniser = null;
let bars = [];
const predictor = new Coalesced(predict, { minIntervalMs: THROTTLE_MS, onError: (err) => status.error(err) });
const pad = new DrawingPad(ui.draw, () => predictor.request());

function showVerdict(text, detail, empty) {
  ui.prediction.textContent = text;
  ui.prediction.dataset.empty = String(empty);
  ui.confidence.textContent = detail;
}

function showBars(result) {
  bars.forEach((bar, i) => {
    const p = result ? result.probabilities[i] : 0;
    bar.row.classList.toggle('top', !!result && i === result.index);
    bar.fill.style.width = `${(100 * p).toFixed(1)}%`;
    bar.value.textContent = result ? `${Math.round(100 * p)} %` : '';
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

/** Read the strokes drawn so far: the verdict, the bars and what the model saw. */
async function predict() {
  if (pad.empty) {
    showVerdict(recogniser ? PROMPT : `${PROMPT} (the recogniser is loading)`, '', true);
    showBars(null);
    clearCanvas(ui.preview);
    return;
  }
  if (!recogniser) {
    showVerdict('…', 'the recogniser is loading: your drawing is read as soon as it is ready', true);
    return;
  }
  const strokes = pad.strokes.map((stroke) => stroke.slice());
  const clears = pad.clears;
  const image = modelInput(strokes);
  drawDigit(ui.preview, image);
  const start = performance.now();
  const result = await classify(recogniser, image);
  if (pad.clears !== clears) return;     // cleared meanwhile: the next run shows the prompt
  runtime.showTiming(`${formatMs(performance.now() - start)} per prediction`);
  const verdict = judge(result, image, extentOf(strokes) / SCREEN_PEN);
  showVerdict(verdict.label === null ? '?' : verdict.label, verdict.reason, false);
  ui.prediction.dataset.unsure = String(verdict.label === null);
  showBars(result);
}

/** Wait for pending predictions, then return what the page shows. */
async function settled() {
  await predictor.idle();
  return {
    prediction: ui.prediction.textContent,
    reason: ui.confidence.textContent,
    empty: ui.prediction.dataset.empty === 'true',
    strokes: pad.strokes.length,
  };
}

ui.clear.addEventListener('click', () => pad.clear());
// A tap right after a stroke, while the page is busy reading it, can reach the browser late
// enough to count as a long press, which fires no click: a finger's pointerup clears too.
ui.clear.addEventListener('pointerup', (event) => {
  if (event.pointerType !== 'mouse') pad.clear();
});
clearCanvas(ui.preview);
predictor.request();
// The pure preprocessing is testable before (and without) the model.
installTestHooks(preprocessHooks());
installTestHooks({ settled });

async function main() {
  const { contract, models } = await loadWithRetry(status, () => loadModels(['recogniser'], status));
  await models.recogniser.warmUp();
  recogniser = models.recogniser;
  makeBars(labelsOf(contract.recogniser));
  runtime.showBackend(recogniser.backend);
  installTestHooks(recogniserPageHooks({ contract, recogniser, settled }));
  status.ready(`Ready: the recogniser runs on ${recogniser.backend}.`);
  await predictor.request();       // strokes drawn while loading are read now
  keepForOffline();
}

main().catch((err) => status.error(err));
