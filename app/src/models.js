/**
 * Model loading and running: reads models/contract.json (written by 2pack.py), loads a
 * WebDNN runner once with an explicit backend order, and runs one input at a time.
 * No DOM here; the pages show what these functions return or throw.
 */
import * as WebDNN from 'webdnn';

export const MODELS_URL = 'models';
/** webassembly first: on a machine without a GPU, WebGL runs in software and is ~10x slower. */
export const BACKEND_ORDER = ['webassembly', 'webgl'];
export const FIX_HINT = 'run python 2pack.py, then npm run build';

/** A problem the page reports in words; `hint` says how to fix it. */
export class ModelError extends Error {
  constructor(message, hint = FIX_HINT) {
    super(message);
    this.name = 'ModelError';
    this.hint = hint;
  }
}

/**
 * The backend order to try: BACKEND_ORDER, or only `forced` (from ?backend=...).
 * @param {string|null} forced
 * @param {string[]} [available] backends the converted model has (contract.backends)
 */
export function backendOrder(forced, available = BACKEND_ORDER) {
  if (forced) {
    if (!BACKEND_ORDER.includes(forced)) {
      throw new ModelError(`unknown backend "${forced}"`,
        `use ?backend=${BACKEND_ORDER.join(' or ?backend=')}`);
    }
    return [forced];
  }
  return BACKEND_ORDER.filter((name) => available.includes(name));
}

/** The contract of all models: {generator: {...}, recogniser: {...}} from contract.json. */
export async function loadContract(base = MODELS_URL) {
  const url = `${base}/contract.json`;
  let response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new ModelError(`could not fetch ${url} (${err.message})`);
  }
  if (!response.ok) {
    throw new ModelError(`the model files are missing (${url}: HTTP ${response.status})`);
  }
  return response.json();
}

/** Number of elements of a shape list. */
export const sizeOf = (shape) => shape.reduce((a, b) => a * b, 1);

/**
 * One converted network: a WebDNN runner loaded once and reused. Runs are queued, so
 * overlapping calls (an animation frame and a button press) never share the input buffer.
 */
export class Model {
  constructor(runner, spec) {
    this.runner = runner;
    this.spec = spec;
    this.inputSize = sizeOf(spec.input_shape);
    this.outputSize = sizeOf(spec.output_shape);
    this.queue = Promise.resolve();
  }

  /**
   * @param {object} spec this model's entry in contract.json (folder, shapes, backends)
   * @param {string[]} order backends to try, in order
   * @param {(loaded: number, total: number) => void} [onProgress] weight download progress
   */
  static async load(spec, order, onProgress, base = MODELS_URL) {
    const dir = `${base}/${spec.folder}`;
    // A batched generator whose weight file is the single one's (contract: weights_folder)
    // reads it from there, so the browser downloads it once.
    const shared = order.length === 1 && spec.weights_folder && spec.weights_folder[order[0]];
    let runner;
    try {
      runner = await WebDNN.load(dir, {
        backendOrder: order,
        cacheStrategy: 'networkOnly',   // the HTTP cache is enough; no stale IndexedDB copies
        saveCache: false,
        progressCallback: onProgress,
        weightDirectory: shared ? `${base}/${shared}` : undefined,
      });
    } catch (err) {
      throw new ModelError(`no backend could run ${dir} (tried ${order.join(', ')}: ${err.message})`,
        `${FIX_HINT}; if the files are there, try another browser or ?backend=...`);
    }
    return new Model(runner, spec);
  }

  get backend() {
    return this.runner.backendName;
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

/**
 * Classify one 1x28x28 image (ink = 1) with the recogniser.
 * @returns {Promise<{label, index, confidence, probabilities: Float32Array}>}
 */
export async function classify(recogniser, image) {
  const output = await recogniser.run(image);
  // contract.json says whether 2pack.py appended a softmax; accept logits too.
  const isLogits = /logit/i.test(String(recogniser.spec.output || ''));
  const probabilities = isLogits ? softmax(output) : output;
  let index = 0;
  for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[index]) index = i;
  const labels = recogniser.spec.labels || [...probabilities.keys()];
  return { label: labels[index], index, confidence: probabilities[index], probabilities };
}
