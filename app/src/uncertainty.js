/**
 * When the recogniser page answers "?" instead of a digit. A softmax always names some
 * digit, often at 95-100 % for things that are not digits at all (a dot, a line), so the
 * page also looks at the drawing: its size in pen widths, the ink's height over width and
 * its total in the model's 28x28 input, then the top probability.
 *
 * Measured with the shipped recogniser (result-recogniser/recogniser.npz, eval mode) on all
 * 10,000 MNIST test digits and on 1,000 non-digit drawings rendered by this page (100 each of
 * dots, flat lines, scribbles, random curves, circles with a tail, crosses, spirals, # signs,
 * waves, squares): MNIST test digits still read as a digit 99.17 % (63 refused as unsure,
 * 14 for ink, 6 as flat; 29 of the 53 the model gets wrong are among them); non-digits
 * refused 55.4 % (dots, lines, waves 100 %, circles with a tail 93 %, scribbles 74 %,
 * random curves 53 %, spirals 20 %, crosses 14 %, squares and # signs 0 %: the model reads
 * them as 0 and 4 at over 99.9 %); 400 drawn digits of every size: none refused, all read
 * right. Details: docs/uncertainty.md; tests/test_pages_uncertainty.py re-measures a sample.
 */
import { IMAGE_SIZE } from './preprocess.js';

export const RULE = {
  /** The drawing spans less than this many screen pen widths: a dot or a tap (dots: at most
   * 0.9; the smallest drawn digits tested, 0.1 of the pad: 1.9). */
  MIN_EXTENT_PENS: 1.2,
  /** Ink height over width in the model's input below this: flat, not a digit (MNIST test:
   * lowest 0.5, 0.1 % below 0.6; flat lines and waves 0.15-0.35). */
  MIN_ASPECT: 0.6,
  /** Total ink in the model's input (sum of 0..1 pixels) above this: a scribble (MNIST test:
   * 99.9 % at most 232, highest 257; scribbles' median 221). */
  MAX_INK: 230,
  /** Top probability below this: the recogniser is unsure (MNIST test: 1 % below 0.87). */
  MIN_CONFIDENCE: 0.8,
  /** Pixels above this count as ink for the aspect (preprocess.js's INK_THRESHOLD). */
  INK_LEVEL: 0.1,
};

/** What the rule looks at in a 28x28 model input (ink = 1): {aspect, ink}. */
export function inkFeatures(image) {
  let x0 = IMAGE_SIZE, y0 = IMAGE_SIZE, x1 = -1, y1 = -1, ink = 0;
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const v = image[y * IMAGE_SIZE + x];
      ink += v;
      if (v > RULE.INK_LEVEL) {
        x0 = Math.min(x0, x); x1 = Math.max(x1, x);
        y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
    }
  }
  const aspect = x1 < 0 ? 0 : (y1 - y0 + 1) / (x1 - x0 + 1);
  return { aspect, ink };
}

/**
 * The verdict for one classified drawing.
 * @param {{label, confidence, probabilities, index}} result classify()'s
 * @param {Float32Array} image the model's input
 * @param {number} extentPens the drawing's longer side in screen pen widths (Infinity for
 *   images that were not drawn)
 * @returns {{label: string|null, reason: string}} label null: "?" with the reason
 */
export function judge(result, image, extentPens = Infinity) {
  const { aspect, ink } = inkFeatures(image);
  if (extentPens < RULE.MIN_EXTENT_PENS) return { label: null, reason: 'too small to read: draw the digit bigger' };
  if (aspect < RULE.MIN_ASPECT) return { label: null, reason: 'too flat for a digit' };
  if (ink > RULE.MAX_INK) return { label: null, reason: 'too much ink: is this a scribble?' };
  if (result.confidence < RULE.MIN_CONFIDENCE) {
    const [first, second] = [...result.probabilities.keys()]
      .sort((a, b) => result.probabilities[b] - result.probabilities[a]);
    const labels = result.labels || [...result.probabilities.keys()];
    return { label: null, reason: `not sure: ${labels[first]} or ${labels[second]}?` };
  }
  return { label: String(result.label), reason: `${(100 * result.confidence).toFixed(1)} % sure` };
}
