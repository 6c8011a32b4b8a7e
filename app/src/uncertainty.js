/**
 * When the recogniser page answers "?" instead of a digit: the drawing is a tap (too small
 * to read on the screen), the recogniser's "not a digit" output is its most probable, or its
 * best digit's probability is below the contract's min_confidence. The recogniser learnt
 * "not a digit" from generated scribbles, shapes, lines, dots and letters, and the threshold
 * was tuned on held-out drawn digits for at most 0.5 % of them refused (train_recognizer.py,
 * digitgan/recognition/verdict.py: the same rule, used by recognize.py). docs/uncertainty.md has the
 * figures, measured on drawings nothing was tuned on; tests/test_pages_uncertainty.py
 * re-measures a sample through this page.
 */
export const RULE = {
  /** The drawing spans less than this many screen pen widths: a dot or a tap (dots: at most
   * 0.9; the smallest drawn digits tested, 0.1 of the pad: 1.9). */
  MIN_EXTENT_PENS: 1.2,
};

/**
 * The verdict for one classified drawing.
 * @param {{label, confidence, probabilities, notADigit, minConfidence}} result classify()'s
 * @param {number} extentPens the drawing's longer side in screen pen widths (Infinity for
 *   images that were not drawn)
 * @returns {{label: string|null, reason: string}} label null: "?" with the reason
 */
export function judge(result, extentPens = Infinity) {
  if (extentPens < RULE.MIN_EXTENT_PENS) return { label: null, reason: 'too small to read: draw the digit bigger' };
  if (result.notADigit) return { label: null, reason: 'not a digit: draw one digit' };
  if (result.confidence < result.minConfidence) {
    const [first, second] = [...result.probabilities.keys()]
      .sort((a, b) => result.probabilities[b] - result.probabilities[a]);
    const labels = result.labels || [...result.probabilities.keys()];
    return { label: null, reason: `not sure: ${labels[first]} or ${labels[second]}?` };
  }
  return { label: String(result.label), reason: `${(100 * result.confidence).toFixed(1)} % sure` };
}
