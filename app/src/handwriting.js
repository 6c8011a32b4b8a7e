/**
 * "Your handwriting in every digit": the encoder (contract.json `encoder`) maps a drawn
 * digit and its label to a z for the shipped generator, and the generator writes every
 * digit from that z, so the row 0-9 takes the drawing's style. No DOM; the recogniser page
 * imports this module on demand, after its recogniser is ready (it pulls in numjs, through
 * generator.js, which the page needs for nothing else).
 */
import { LoadError, Model, sizeOf } from './models.js';
import { DigitGenerator } from './generator.js';
import { format } from './share-link.js';

/**
 * The encoder's single input (networks.Encoder.make_input): the 28x28 image (ink = 1) as
 * plane 0, then one plane per class, all ones on the label's plane and zeros elsewhere.
 * @returns {Float32Array} (1 + nClasses) * 784 values
 */
export function encoderInput(image, labelIndex, nClasses) {
  const plane = image.length;
  if (!(Number.isInteger(labelIndex) && labelIndex >= 0 && labelIndex < nClasses)) {
    throw new Error(`label index must be an integer in [0, ${nClasses}), got ${labelIndex}`);
  }
  const input = new Float32Array((1 + nClasses) * plane);
  input.set(image, 0);
  input.fill(1, (1 + labelIndex) * plane, (2 + labelIndex) * plane);
  return input;
}

export class Handwriting {
  /**
   * @param {Model} encoder contract.encoder
   * @param {DigitGenerator} generator the generator the encoder was trained against
   */
  constructor(encoder, generator) {
    Object.assign(this, { encoder, generator });
    this.nClasses = encoder.spec.n_classes;
  }

  /**
   * Load the encoder and the generator (and the batch-10 generator, for a row in one run)
   * on `backend`, and warm them up. Throws a LoadError when the contract has no encoder or
   * the encoder was trained against other generator weights than the shipped ones.
   */
  static async load(contract, backend) {
    const spec = contract.encoder;
    if (!spec) throw new LoadError('build', 'models/contract.json has no "encoder" entry');
    const generatorSha = contract.generator && contract.generator.source
      && contract.generator.source.sha256;
    // An encoder only makes sense with the generator it was trained against: with other
    // weights its z would write someone else's handwriting, or no digit at all.
    if (spec.generator_sha256 && spec.generator_sha256 !== generatorSha) {
      throw new LoadError('build', 'the encoder was trained for another generator '
        + `(${spec.generator_sha256.slice(0, 12)}… is not ${String(generatorSha).slice(0, 12)}…)`);
    }
    if (sizeOf(spec.output_shape) !== contract.generator.n_hidden) {
      throw new LoadError('build', `the encoder writes ${sizeOf(spec.output_shape)} values, `
        + `the generator reads ${contract.generator.n_hidden}`);
    }
    const encoder = await Model.load(spec, [backend]);
    const generator = new DigitGenerator(await Model.load(contract.generator, [backend]));
    await encoder.warmUp();
    await generator.single.warmUp();
    await generator.loadBatched(contract, ['generator_b10']);   // a row: one run, no grid
    return new Handwriting(encoder, generator);
  }

  get backend() { return this.encoder.backend; }

  get labels() { return this.generator.labels; }

  /** z for a 784-value image (ink = 1) that reads as the label at `labelIndex`. */
  encode(image, labelIndex) {
    return this.encoder.run(encoderInput(image, labelIndex, this.nClasses));
  }

  /**
   * The digits 0-9 in the handwriting of `image`: {z, images (one 784-value image per
   * label, ink = 1), ms (encoder and generator runs)}.
   */
  async row(image, labelIndex) {
    const start = performance.now();
    const z = await this.encode(image, labelIndex);
    const { images } = await this.generator.allDigits(z);
    return { z, images, ms: performance.now() - start };
  }

  /** The generator page's address that draws this row: index.html?digit=…&z=…&view=row. */
  link(z, labelIndex, backend = null) {
    const state = { digit: labelIndex, seed: null, z, view: 'row', grid: null };
    return `index.html${format(state, this.labels, backend)}`;
  }
}
