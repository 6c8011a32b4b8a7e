/**
 * Generation of digits with the converted generator, one at a time or batched: a row of
 * 0-9 in one run of the batch-10 graph, a 10x10 grid in one run of the batch-100 graph
 * (contract.json generator_b10 / generator_b100), one run per digit where none fits.
 * No DOM; the page draws what these methods return.
 */
import { Model } from './models.js';
import { labelsOf } from './contract.js';
import { generatorInput } from './noise.js';

const BATCHED_KEYS = ['generator_b10', 'generator_b100'];

export class DigitGenerator {
  /** @param {Model} single the batch-1 generator (contract.generator) */
  constructor(single) {
    this.single = single;
    this.spec = single.spec;
    this.batched = {};          // batch size -> Model
    this.runs = { single: 0, batched: 0 };    // counted for tests (coalescing clicks)
  }

  get backend() { return this.single.backend; }

  get nHidden() { return this.spec.n_hidden; }

  get nClasses() { return this.spec.n_classes; }

  get labels() { return labelsOf(this.spec); }

  /** Batch sizes of the loaded batched generators. */
  batchSizes() { return Object.keys(this.batched).map(Number); }

  /**
   * Load the batched generators contract.json lists (or those of `keys`), on the backend the
   * single one runs on.
   * One that fails to load is left out (a warning): digits are then drawn one run each.
   */
  async loadBatched(contract, keys = BATCHED_KEYS) {
    // On WebGL, WebDNN's batched graphs draw garbled digits (the batch-100 grid's rows
    // overlap; measured in headless Chromium): digits are drawn one run each there.
    if (this.backend !== 'webassembly') return;
    for (const key of keys) {
      const entry = contract[key];
      if (!entry || !(entry.backends || []).includes(this.backend)) continue;
      try {
        const model = await Model.load(entry, [this.backend]);
        await model.warmUp();
        this.batched[entry.batch] = model;
      } catch (err) {
        console.warn(`${key} unavailable, drawing one digit per run:`, err);
      }
    }
  }

  /** One digit for noise z and a label index: {image: Float32Array (ink = 1), ms}. */
  generate(z, label) {
    return this.generateInput(generatorInput(z, label, this.nClasses));
  }

  /** One digit for a ready-made input (n_hidden + n_classes values): {image, ms}. */
  async generateInput(input) {
    const start = performance.now();
    const image = await this.single.run(input);
    this.runs.single += 1;
    return { image, ms: performance.now() - start };
  }

  /**
   * Digits for [z, label index] pairs, in order: one run of a batched generator of exactly
   * that size when one is loaded, else one run each. Returns {images, ms}.
   */
  async generateMany(pairs) {
    const model = this.batched[pairs.length];
    if (!model) {
      const images = [];
      let ms = 0;
      for (const [z, label] of pairs) {
        const one = await this.generate(z, label);
        images.push(one.image);
        ms += one.ms;
      }
      return { images, ms };
    }
    const start = performance.now();
    const width = this.nHidden + this.nClasses;
    const input = new Float32Array(pairs.length * width);
    pairs.forEach(([z, label], i) => input.set(generatorInput(z, label, this.nClasses), i * width));
    const output = await model.run(input);
    this.runs.batched += 1;
    const size = output.length / pairs.length;
    const images = pairs.map((_, i) => output.subarray(i * size, (i + 1) * size));
    return { images, ms: performance.now() - start };
  }

  /** Every label, in order, drawn from one z: one handwriting. Returns {images, ms}. */
  allDigits(z) {
    return this.generateMany([...Array(this.nClasses).keys()].map((label) => [z, label]));
  }

  /**
   * A grid: one row per z in `rows`, the labels as columns. One run when a batched generator
   * holds the whole grid, else a row per run. Returns {images, ms}.
   */
  async grid(rows) {
    const pairs = rows.flatMap((z) => [...Array(this.nClasses).keys()].map((label) => [z, label]));
    if (this.batched[pairs.length]) return this.generateMany(pairs);
    let images = [];
    let ms = 0;
    for (const z of rows) {
      const row = await this.allDigits(z);
      images = images.concat(row.images);
      ms += row.ms;
    }
    return { images, ms };
  }
}
