/**
 * Recogniser page (draw.html): DOM wiring only. The user draws on #draw with any pointer
 * (pen.js keeps the strokes); while drawing (throttled, coalesced) the strokes are rendered
 * MNIST-style (strokes.js) and classified, and ten bars show the probabilities. The verdict
 * is a digit, or "?" with a reason when the drawing is not one or the model is unsure
 * (uncertainty.js). Drawing works while the model loads: the strokes are read once it is ready.
 * Once a digit is read, a row shows every digit in the drawing's handwriting (handwriting.js,
 * loaded after the recogniser, so it never delays it); the row links to the generator page.
 *
 * URL: ?backend=webassembly|webgl forces a backend. Tests drive window.dcganTest
 * (test-hooks.js).
 */
import { classify } from './models.js';
import { forcedBackend, labelsOf } from './contract.js';
import { clearCanvas, drawDigit } from './drawing.js';
import { DrawingPad, SCREEN_PEN } from './pen.js';
import { extentOf, modelInput } from './strokes.js';
import { judge } from './uncertainty.js';
import { Coalesced } from './coalesce.js';
import { RuntimeLine, byId, formatMs, keepForOffline, loadModels, loadWithRetry,
  statusArea } from './page.js';
import { HandwritingRow } from './handwriting-row.js';
import { FeltLatency } from './felt-latency.js';
import { handwritingHooks, installTestHooks, preprocessHooks, recogniserPageHooks }
  from './test-hooks.js';

const ui = byId(['draw', 'clear', 'prediction', 'confidence', 'bars', 'preview', 'runtime',
  'backend', 'timing', 'handwriting', 'handwriting-digits']);
const PROMPT = 'Draw a digit in the box';
// While drawing, the strokes are read again as they grow, but readings take at most a third
// of the page's time (a pause of twice the last reading's time between two), and at least
// one per MAX_THROTTLE_MS: on a fast machine every move is read, so when the pen lifts
// (which adds no ink) its verdict is usually on screen already; a slow one is not swamped.
const MAX_THROTTLE_MS = 100;
const throttleAfter = (readingMs) => Math.min(MAX_THROTTLE_MS, 2 * readingMs);

const status = statusArea();
const runtime = new RuntimeLine(ui);
let recogniser = null;
let verdictMs = null;         // the last verdict shown: ms after its drawing changed
let handwriting = null;       // Handwriting, once loaded (none: the page shows no row)
let bars = [];
let changedAt = performance.now();    // the strokes' last change or the pen's lift
const felt = new FeltLatency();       // pen-up -> verdict / row on screen
let afterPaint = Promise.resolve();   // the footer, updated once the verdict is on screen
let reading = { version: -1 };        // the last reading: {version (pad.version), image, result, ms}
const row = new HandwritingRow(ui.handwriting, ui['handwriting-digits']);
const predictor = new Coalesced(predict, { minIntervalMs: MAX_THROTTLE_MS, onError: (err) => status.error(err) });
const pad = new DrawingPad(ui.draw, (lifted, event) => {
  changedAt = performance.now();
  if (lifted) felt.press(event);
  predictor.request({ urgent: lifted });
});

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

/**
 * The row for a drawing read as `label`, or null when there is none to show (no encoder,
 * or a label the generator does not write). A failed run only costs the row.
 */
async function handwritingRow(image, label, since) {
  const labelIndex = handwriting ? handwriting.labels.map(String).indexOf(label) : -1;
  if (labelIndex < 0) return null;
  try {
    const { z, images } = await handwriting.row(image, labelIndex);
    return { images, label, since, href: handwriting.link(z, labelIndex, forcedBackend()) };
  } catch (err) {
    console.warn('no handwriting row:', err);
    return null;
  }
}

/** Read the strokes drawn so far: the verdict, the bars, what the model saw and the row. */
async function predict() {
  if (pad.empty) {
    showVerdict(recogniser ? PROMPT : `${PROMPT} (the recogniser is loading)`, '', true);
    showBars(null);
    clearCanvas(ui.preview);
    row.hide();
    return;
  }
  if (!recogniser) {
    showVerdict('…', 'the recogniser is loading: your drawing is read as soon as it is ready', true);
    return;
  }
  const strokes = pad.strokes.map((stroke) => stroke.slice());
  const { clears, version } = pad;
  const since = changedAt;
  const penUp = felt.take();      // the lift this run answers, if any
  // The pen's lift adds no ink: the reading made while drawing is usually the final one
  // already, and the lift is answered without another run (the verdict is on screen).
  if (reading.version !== version) {
    const start = performance.now();
    const image = modelInput(strokes);
    drawDigit(ui.preview, image);
    const result = await classify(recogniser, image);
    reading = { version, image, result, ms: performance.now() - start };
    predictor.minIntervalMs = throttleAfter(reading.ms);
  }
  const { image, result, ms } = reading;
  const verdict = judge(result, extentOf(strokes) / SCREEN_PEN);
  if (pad.clears !== clears) return;     // cleared meanwhile: the next run shows the prompt
  // The verdict is shown at once; the row (a few ms more) follows, and only for the drawing
  // it was computed from: a stroke added meanwhile gets its own run, with its own row.
  showVerdict(verdict.label === null ? '?' : verdict.label, verdict.reason, false);
  ui.prediction.dataset.unsure = String(verdict.label === null);
  showBars(result);
  verdictMs = performance.now() - since;
  const verdictShown = felt.painted(penUp, 'verdict').then((shownMs) => {
    runtime.showTiming(`${formatMs(ms)} per prediction`
      + (shownMs === null ? '' : ` · verdict on screen ${formatMs(shownMs)} after the pen lifted`));
  });
  afterPaint = Promise.all([afterPaint, verdictShown]);
  if (verdict.label === null) {
    row.hide();
    return;
  }
  if (pad.drawing) return;        // the row follows the finished stroke (the lift reads again)
  // The models run in this thread: the row waits for the verdict's frame, not the reverse.
  if (penUp !== null) await verdictShown;
  const digits = await handwritingRow(image, verdict.label, since);
  if (pad.clears !== clears || changedAt !== since) return;
  if (digits) {
    row.show(digits);
    afterPaint = Promise.all([afterPaint, felt.painted(penUp, 'row')]);
  } else row.hide();
}

/** Wait for pending predictions, then return what the page shows. */
async function settled() {
  await predictor.idle();
  await afterPaint;
  return {
    prediction: ui.prediction.textContent,
    reason: ui.confidence.textContent,
    empty: ui.prediction.dataset.empty === 'true',
    strokes: pad.strokes.length,
    row: { ...row.state },
    // ms from the drawing's last change to its verdict on the page
    verdictMs,
  };
}

/**
 * Load the encoder and the generator for the row, on the recogniser's backend. Without
 * them (no encoder in this build, or a failed download) the page works as before, rowless.
 */
async function loadHandwriting(contract) {
  try {
    const { Handwriting } = await import(/* webpackChunkName: "handwriting" */ './handwriting.js');
    handwriting = await Handwriting.load(contract, recogniser.backend);
    row.makeCanvases(handwriting.labels);
    predictor.request();          // a digit already on the pad gets its row now
  } catch (err) {
    console.warn('no "in your handwriting" row:', err);
  }
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
  installTestHooks(recogniserPageHooks({ contract, recogniser, settled, felt }));
  status.ready(`Ready: the recogniser runs on ${recogniser.backend}.`);
  performance.mark('recogniser-ready');
  const reading = predictor.request();       // strokes drawn while loading are read now
  const loading = loadHandwriting(contract);
  installTestHooks(handwritingHooks({ loaded: loading, handwriting: () => handwriting }));
  await reading;
  keepForOffline();
}

main().catch((err) => status.error(err));
