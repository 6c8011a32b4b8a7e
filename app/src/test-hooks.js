/**
 * window.dcganTest: the hooks through which tests/ (pytest driving headless Chromium) and
 * bench/browser.mjs drive the pages and time the models. Both pages install theirs here;
 * the names are an interface those callers rely on, so they stay as they are.
 */
// No numjs here: the recogniser page installs these hooks too and does not load numjs.
import { classify } from './models.js';
import { centreOfMass, preprocess } from './preprocess.js';
import { extentOf, modelInput } from './strokes.js';
import { RULE, judge } from './uncertainty.js';
import { SCREEN_PEN } from './pen.js';

/** Add `hooks` to window.dcganTest (a page may install some early and the rest later). */
export function installTestHooks(hooks) {
  window.dcganTest = Object.assign(window.dcganTest || {}, hooks);
}

/** The pure preprocessing of the drawing page: usable before (and without) a model. */
export function preprocessHooks() {
  return {
    /** MNIST-style 28x28 image (784 numbers) of an ink image, or null when it is empty. */
    preprocess: (ink, width, height) => {
      const out = preprocess(Float32Array.from(ink), width, height);
      return out && Array.from(out);
    },
    centreOfMass: (image, width, height) => centreOfMass(image, width, height),
    /**
     * The recogniser's input for drawings as the page renders them: for each drawing (an
     * array of strokes of [x, y] points in units of the pad's side) {image: 784 numbers or
     * null, extentPens}.
     */
    render: (drawings) => drawings.map((strokes) => {
      const image = modelInput(strokes);
      return image && { image: Array.from(image), extentPens: extentOf(strokes) / SCREEN_PEN };
    }),
    /** The constants of the "?" rule (uncertainty.js). */
    rule: RULE,
  };
}

/**
 * The generator page's hooks.
 * @param {object} page {contract, generator: DigitGenerator, felt: FeltLatency, noise(): the current z (numjs),
 *   setNoise(numbers), showGrid(): draws the current grid, drawn(): pictures drawn so far
 *   {digit, row, grid}, settled(): resolves when the
 *   page's drawing and checks have finished, extrasLoaded(): resolves when the batched
 *   generators and the recogniser have loaded or failed to}
 */
export function generatorPageHooks(page) {
  const { generator } = page;
  return {
    contract: page.contract,
    backend: generator.backend,
    /** The data set shown (contract.json datasets key: mnist, fashion-mnist, ...). */
    dataset: page.dataset,
    /** Resolves once every action started so far (clicks, changes) has finished. */
    settled: page.settled,
    /** Model runs so far, {single, batched}, and pictures drawn, {digit, row, grid}. */
    runs: () => ({ ...generator.runs, drawn: page.drawn() }),
    /** Generator output (784 numbers) for z (n_hidden numbers) and a label index. */
    generate: async (z, label) => Array.from((await generator.generate(z, label)).image),
    /** Replace the current noise and draw with it (await settled() for the drawing). */
    setNoise: (z) => {
      if (z.length !== generator.nHidden) throw new Error(`z needs ${generator.nHidden} values`);
      page.setNoise(z);
    },
    noise: () => page.noise().tolist(),
    /** Median milliseconds per generation over `runs` runs, on the current noise. */
    timeGenerator: async (runs = 50) => {
      const times = [];
      for (let i = 0; i < runs; i++) {
        times.push((await generator.generate(page.noise(), i % generator.nClasses)).ms);
      }
      return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
    },
    /** Milliseconds to generate and draw a 10x10 grid as the grid button does. */
    timeGrid: async () => {
      const start = performance.now();
      await page.showGrid();
      return performance.now() - start;
    },
    extrasLoaded: page.extrasLoaded,
    ...feltLatencyHooks(page.felt),
    /** Where each loaded generator runs: {batch size: 'page' | 'worker'}. */
    threads: () => Object.fromEntries([[1, generator.single]].concat(Object.entries(generator.batched))
      .map(([batch, model]) => [batch, model.inPageThread ? 'page' : 'worker'])),
    /** Batch sizes of the loaded batched generators. */
    batchSizes: () => generator.batchSizes(),
  };
}

/** Press -> painted samples of a page's FeltLatency (felt-latency.js). */
function feltLatencyHooks(felt) {
  return {
    /** {kind: {count, p50, p95, all: [ms, ...]}}: input event -> its answer on screen. */
    feltLatency: () => felt.summary(),
    /** Forget the samples so far (a warm-up). */
    clearFeltLatency: () => felt.clear(),
  };
}

/**
 * The recogniser page's hooks.
 * @param {object} page {contract, recogniser: Model, felt: FeltLatency, settled(): resolves, once no
 *   prediction is pending, to what the page shows: {prediction, reason, empty, strokes,
 *   row: {shown, href, label, ms (from the drawing's last change or lift to the row drawn),
 *   drawnAt}}}
 */
export function recogniserPageHooks(page) {
  return {
    contract: page.contract,
    backend: page.recogniser.backend,
    /** Classify a 784-value image (ink = 1): {label, confidence, probabilities}. */
    classify: async (image) => {
      const r = await classify(page.recogniser, Float32Array.from(image));
      return { label: r.label, confidence: r.confidence, probabilities: Array.from(r.probabilities), other: r.other };
    },
    /**
     * The page's verdict for 784-value images (ink = 1), with each drawing's extent in pen
     * widths (render()'s extentPens; none: not drawn): [{label (null for "?"), reason,
     * confidence}].
     */
    judge: async (images, extentsPens = []) => {
      const verdicts = [];
      for (let i = 0; i < images.length; i++) {
        const image = Float32Array.from(images[i]);
        const r = await classify(page.recogniser, image);
        verdicts.push({ ...judge(r, extentsPens[i] ?? Infinity), confidence: r.confidence, other: r.other });
      }
      return verdicts;
    },
    settled: page.settled,
    ...feltLatencyHooks(page.felt),
    /** Where the recogniser runs: 'page' or 'worker'. */
    thread: () => (page.recogniser.inPageThread ? 'page' : 'worker'),
  };
}

/**
 * The recogniser page's row "in your handwriting" (handwriting.js).
 * @param {object} page {loaded: a promise that settles once the encoder and the generator
 *   have loaded or failed to, handwriting(): the Handwriting, or null without one}
 */
export function handwritingHooks(page) {
  const loaded = () => {
    const handwriting = page.handwriting();
    if (!handwriting) throw new Error('the page has no encoder (see the console warning)');
    return handwriting;
  };
  return {
    /** Resolves once loading ended: {loaded: boolean, backend, batchSizes}. */
    handwritingLoaded: async () => {
      await page.loaded;
      const handwriting = page.handwriting();
      return handwriting
        ? { loaded: true, backend: handwriting.backend, batchSizes: handwriting.generator.batchSizes() }
        : { loaded: false, backend: null, batchSizes: [] };
    },
    /** The encoder's z (n_hidden numbers) for a 784-value image (ink = 1) and a label index. */
    encode: async (image, labelIndex) =>
      Array.from(await loaded().encode(Float32Array.from(image), labelIndex)),
    /** The row for an image and a label index: {z, images: 10 arrays of 784 numbers, ms}. */
    handwritingRow: async (image, labelIndex) => {
      const { z, images, ms } = await loaded().row(Float32Array.from(image), labelIndex);
      return { z: Array.from(z), images: images.map((digit) => Array.from(digit)), ms };
    },
  };
}
