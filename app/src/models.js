/**
 * Model loading and running: reads models/contract.json (written by 2pack.py), downloads a
 * model's files with progress (model-files.js), loads a WebDNN runner once with an explicit
 * backend order, and runs one input at a time. No DOM; the pages show what these functions
 * return or throw (LoadError, whose `kind` says what went wrong).
 */
import * as WebDNN from 'webdnn';
import { LoadError, absolute, downloadModel, releaseModel } from './model-files.js';
import { MODELS_URL, labelsOf, webassemblyAvailable } from './contract.js';
import { loadRunner } from './same-thread-worker.js';

export { LoadError } from './model-files.js';
/** Number of elements of a shape list. */
export const sizeOf = (shape) => shape.reduce((a, b) => a * b, 1);

/**
 * Models of at most this batch run in the page's thread on WebAssembly (a few ms each, and
 * no worker round trip that Chromium defers after an input: same-thread-worker.js); the
 * batch-100 grid (~30 ms) keeps its worker, so the page never freezes that long.
 */
export const MAX_BATCH_IN_PAGE_THREAD = 10;

/**
 * Whether this browser has `backend`, asked only when the page gets to it: WebDNN's
 * getBackendAvailability() opens a WebGL context to answer for WebGL (10-25 ms of a cold
 * start in Chromium), which a page that runs on WebAssembly never needs.
 */
function backendAvailable(backend) {
  if (backend === 'webassembly') return webassemblyAvailable();
  return Boolean(WebDNN.getBackendAvailability().status[backend]);
}

/**
 * One converted network: a WebDNN runner loaded once and reused. Runs are queued, so
 * overlapping calls (an animation frame and a button press) never share the input buffer.
 */
export class Model {
  constructor(runner, spec, inPageThread = false) {
    this.runner = runner;
    this.spec = spec;
    this.inputSize = sizeOf(spec.input_shape);
    this.outputSize = sizeOf(spec.output_shape);
    this.queue = Promise.resolve();
    this.inPageThread = inPageThread;   // runs in the page's thread (same-thread-worker.js)
  }

  /**
   * Download the model's files for the first backend of `order` this browser has, and load
   * them; a backend that fails to start is skipped for the next one.
   * @param {object} spec this model's entry in contract.json (folder, shapes, backends)
   * @param {string[]} order backends to try, in order
   * @param {(loaded: number, total: number) => void} [onProgress] bytes downloaded so far
   */
  static async load(spec, order, onProgress = () => {}, base = MODELS_URL) {
    const usable = [];
    let failure = null;
    for (const backend of order) {
      if (!backendAvailable(backend)) continue;
      usable.push(backend);
      const urls = await downloadModel(spec, backend, base, onProgress);
      try {
        const inPageThread = backend === 'webassembly'
          && (spec.input_shape || [1])[0] <= MAX_BATCH_IN_PAGE_THREAD;
        const runner = await loadRunner(() => WebDNN.load(`${base}/${spec.folder}`, {
          backendOrder: [backend],
          cacheStrategy: 'networkOnly',   // files come from downloadModel, never IndexedDB
          saveCache: false,
          transformUrlDelegate: (url) => urls.get(absolute(url)) || url,
        }), inPageThread);
        return new Model(runner, spec, inPageThread);
      } catch (err) {
        console.warn(`${spec.folder} did not start on ${backend}:`, err);
        failure = err;
      } finally {
        releaseModel(urls);
      }
    }
    if (!usable.length) {
      throw new LoadError('unsupported', `this browser runs neither ${order.join(' nor ')}`);
    }
    throw new LoadError('unsupported', `this browser could not start the model on ${usable.join(' or ')}`,
      failure && failure.message);
  }

  get backend() {
    return this.runner.backendName;
  }

  /**
   * One run on zeros, not timed: the first run of a runner pays one-off costs (WebGL
   * compiles its shaders, up to hundreds of ms), which must not be shown as the run time.
   */
  async warmUp() {
    await this.run(new Float32Array(this.inputSize));
  }

  /**
   * One forward pass.
   * @param {Float32Array|number[]} input sizeOf(spec.input_shape) values
   * @returns {Promise<Float32Array>} a copy of the output, sizeOf(spec.output_shape) values
   */
  run(input) {
    if (input.length !== this.inputSize) {
      return Promise.reject(new Error(
        `${this.spec.folder} expects ${this.inputSize} input values, got ${input.length}`));
    }
    const job = this.queue.then(async () => {
      this.runner.inputs[0].set(input);
      await this.runner.run();
      return Float32Array.from(this.runner.outputs[0].toActual());
    });
    this.queue = job.catch(() => {});
    return job;
  }
}

/** Softmax of logits. */
export function softmax(logits) {
  const max = Math.max(...logits);
  const exp = Array.from(logits, (v) => Math.exp(v - max));
  const total = exp.reduce((a, b) => a + b, 0);
  return Float32Array.from(exp, (v) => v / total);
}

/** Probabilities raised to `power` and normalised again (a temperature on probabilities). */
function sharpened(probabilities, power) {
  if (power === 1) return probabilities;
  const raised = Array.from(probabilities, (p) => p ** power);
  const total = raised.reduce((a, b) => a + b, 0);
  return Float32Array.from(raised, (v) => v / total);
}

/**
 * Classify one 1x28x28 image (ink = 1) with the recogniser. Its logits are divided by the
 * temperature of the contract's `verdict` (2pack.py copies it from verdict.json, tuned by
 * train_recognizer.py) before the softmax; a recogniser with more outputs than labels has a
 * last one meaning "not a digit" (digitgan/recognition/verdict.py holds the same rule in Python).
 * @returns {Promise<{label, index, confidence, probabilities: Float32Array, labels,
 *   other: number, notADigit: boolean, minConfidence: number}>} probabilities: one per
 *   label; other: the "not a digit" output's (0 without one)
 */
export async function classify(recogniser, image) {
  const { spec } = recogniser;
  // contract.json says whether the graph ends in a softmax (2pack.py appends one) or not.
  if (typeof spec.output_is_logits !== 'boolean') {
    throw new LoadError('build', 'models/contract.json does not say whether the recogniser '
      + 'outputs logits or probabilities (output_is_logits): it was written by an older 2pack.py');
  }
  const verdict = spec.verdict || { temperature: 1, min_confidence: 0 };
  const output = await recogniser.run(image);
  // softmax(logits / T) is p ** (1 / T), normalised: the same from probabilities.
  const all = spec.output_is_logits
    ? softmax(Array.from(output, (v) => v / verdict.temperature))
    : sharpened(output, 1 / verdict.temperature);
  const labels = labelsOf(spec);
  const probabilities = Float32Array.from(all.slice(0, labels.length));
  const other = all.length > labels.length ? all[labels.length] : 0;
  let index = 0;
  for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[index]) index = i;
  return {
    label: labels[index], index, confidence: probabilities[index], probabilities, labels,
    other, notADigit: other > probabilities[index], minConfidence: verdict.min_confidence,
  };
}
