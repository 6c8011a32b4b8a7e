/**
 * The morph animation: from one (z, label) to another and back, one generation per frame,
 * looping until stop(). The label is mixed too, so a 3 can turn into an 8 in one
 * handwriting, or one digit into another handwriting. No DOM: frames go to `draw`.
 */
import { morphInput } from './noise.js';

/** One way, from start to end. */
export const MORPH_MS = 1500;

/** Eased 0..1 so the loop lingers on its two ends, where the digits are clean. */
const ease = (t) => t * t * (3 - 2 * t);

export class Morph {
  /**
   * @param {DigitGenerator} generator
   * @param {(image: Float32Array, frame: {t, fps}) => void} draw
   * @param {(err: Error) => void} onError
   */
  constructor(generator, draw, onError) {
    Object.assign(this, { generator, draw, onError });
    this.token = 0;             // a frame of an earlier run (or after stop) draws nothing
    this.running = false;
  }

  /** Loop between from = {z, label} and to = {z, label} (z: numjs vectors). */
  start(from, to) {
    const token = ++this.token;
    this.running = true;
    const begin = performance.now();
    let frames = 0;
    const frame = async () => {
      if (token !== this.token) return;
      const phase = ((performance.now() - begin) / MORPH_MS) % 2;
      const t = ease(phase < 1 ? phase : 2 - phase);
      const input = morphInput(from.z, to.z, from.label, to.label, t, this.generator.nClasses);
      try {
        const { image } = await this.generator.generateInput(input);
        if (token !== this.token) return;
        frames += 1;
        this.draw(image, { t, fps: frames / ((performance.now() - begin) / 1000) });
        requestAnimationFrame(frame);
      } catch (err) {
        this.stop();
        this.onError(err);
      }
    };
    requestAnimationFrame(frame);
  }

  stop() {
    this.token += 1;
    this.running = false;
  }
}
