/**
 * MNIST-style preprocessing: a drawing -> the recogniser's 1x28x28 input. Pure functions,
 * no DOM; preprocess.py implements the same steps in Python and the two must stay equal.
 *
 *   1. ink in [0, 1], ink high (inkFromImageData: 1 - luminance over white, times alpha)
 *   2. ink pixels are those > 0.1 * max; none (or max == 0) -> null ("empty")
 *   3. crop to the bounding box of the ink pixels
 *   4. resize so the longer side is BOX_SIZE (20) px, keeping the aspect ratio (shorter
 *      side rounded half to even like Python's round, at least 1 px): area averaging
 *      (Pillow's BOX) to shrink, bilinear to enlarge, computed as Pillow computes them
 *   5. paste into a 28x28 zero image so the intensity-weighted centre of mass lands on
 *      pixel-index coordinates (CENTRE, CENTRE) = (14, 14), where MNIST's own digits have
 *      it: whole-pixel shift floor(CENTRE - centre + 0.5), the centre snapped to 1/1024 px
 *      first, clamped so the digit stays inside the frame
 *   6. values in [0, 1], ink = 1 (MNIST's convention): divided by the maximum
 */

export const IMAGE_SIZE = 28;
export const BOX_SIZE = 20;
export const INK_THRESHOLD = 0.1;
// MNIST's mean centre of mass (test set: rows 13.99, columns 14.01), not the frame's middle
// (13.5): the recogniser learnt digits placed there.
export const CENTRE = 14;

/**
 * Ink of an RGBA ImageData-like object ({data, width, height}) drawn dark on white:
 * 1 - luminance, with transparent pixels counting as white paper.
 * @returns {Float32Array} height*width values in [0, 1], row-major
 */
export function inkFromImageData({ data, width, height }) {
  const ink = new Float32Array(width * height);
  for (let i = 0; i < ink.length; i++) {
    const r = data[4 * i], g = data[4 * i + 1], b = data[4 * i + 2], a = data[4 * i + 3] / 255;
    const luminance = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    ink[i] = a * (1 - luminance);
  }
  return ink;
}

/** Bounding box {x0, y0, x1, y1} (x1, y1 exclusive) of pixels > threshold, or null. */
export function inkBoundingBox(ink, width, height, threshold) {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

// Resampling filters as Pillow defines them (support in input pixels at scale 1).
const FILTERS = {
  box: { support: 0.5, weight: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: { support: 1, weight: (x) => Math.max(0, 1 - Math.abs(x)) },
};

/**
 * Pillow's resampling coefficients for n input pixels -> m output pixels: output pixel j
 * is centred on input coordinate (j + 0.5) * n / m; when shrinking, the filter widens by
 * n / m, so BOX averages the input pixels whose centres fall in the output pixel's span.
 * @returns {Array<{first: number, weights: number[]}>} normalised weights per output pixel
 */
function resampleWeights(n, m, filter) {
  const scale = n / m;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const coefficients = [];
  for (let j = 0; j < m; j++) {
    const centre = (j + 0.5) * scale;
    const first = Math.max(0, Math.trunc(centre - support + 0.5));
    const last = Math.min(n, Math.trunc(centre + support + 0.5));
    const weights = [];
    for (let i = first; i < last; i++) weights.push(filter.weight((i - centre + 0.5) / filterScale));
    const total = weights.reduce((a, b) => a + b, 0);
    coefficients.push({ first, weights: total ? weights.map((w) => w / total) : weights });
  }
  return coefficients;
}

/**
 * Resize a (height x width) image to (newHeight x newWidth) the way Pillow resizes a
 * float ('F') image: a horizontal pass, then a vertical one, each skipped when its size
 * is unchanged, with float32 results.
 * @param {'box'|'bilinear'} filterName box (area averaging) to shrink, bilinear to enlarge
 */
export function resize(image, width, height, newWidth, newHeight, filterName) {
  const filter = FILTERS[filterName];
  let current = image;
  if (newWidth !== width) {
    const cx = resampleWeights(width, newWidth, filter);
    const out = new Float32Array(height * newWidth);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < newWidth; x++) {
        const { first, weights } = cx[x];
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += current[y * width + first + k] * weights[k];
        out[y * newWidth + x] = sum;
      }
    }
    current = out;
  }
  if (newHeight !== height) {
    const cy = resampleWeights(height, newHeight, filter);
    const out = new Float32Array(newHeight * newWidth);
    for (let y = 0; y < newHeight; y++) {
      const { first, weights } = cy[y];
      for (let x = 0; x < newWidth; x++) {
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += current[(first + k) * newWidth + x] * weights[k];
        out[y * newWidth + x] = sum;
      }
    }
    current = out;
  }
  return Float32Array.from(current);
}

/** Python's round(): halves go to the even neighbour (round(2.5) == 2). */
export function roundHalfEven(v) {
  const floor = Math.floor(v);
  const diff = v - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Intensity-weighted centre of mass {x, y} in pixel-index coordinates. */
export function centreOfMass(image, width, height) {
  let total = 0, sx = 0, sy = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = image[y * width + x];
      total += v;
      sx += v * x;
      sy += v * y;
    }
  }
  return { x: sx / total, y: sy / total };
}

/**
 * The full pipeline (steps 2-6) on an ink image.
 * @param {Float32Array|number[]} ink height*width values, ink high
 * @returns {Float32Array|null} 28*28 values in [0, 1] (the recogniser's 1x28x28 input),
 *   or null when there is no ink
 */
export function preprocess(ink, width, height) {
  let max = 0;
  for (let i = 0; i < ink.length; i++) if (ink[i] > max) max = ink[i];
  if (!(max > 0)) return null;
  // float32 threshold, as NumPy compares a float32 image with a Python float
  const box = inkBoundingBox(ink, width, height, Math.fround(INK_THRESHOLD * max));
  if (!box) return null;

  const cropWidth = box.x1 - box.x0, cropHeight = box.y1 - box.y0;
  const crop = new Float32Array(cropWidth * cropHeight);
  for (let y = 0; y < cropHeight; y++) {
    for (let x = 0; x < cropWidth; x++) {
      crop[y * cropWidth + x] = ink[(y + box.y0) * width + x + box.x0];
    }
  }

  const scale = BOX_SIZE / Math.max(cropWidth, cropHeight);
  const newWidth = Math.max(1, roundHalfEven(cropWidth * scale));
  const newHeight = Math.max(1, roundHalfEven(cropHeight * scale));
  const digit = resize(crop, cropWidth, cropHeight, newWidth, newHeight,
    scale < 1 ? 'box' : 'bilinear');
  let top = 0;
  for (let i = 0; i < digit.length; i++) {
    digit[i] = Math.max(0, digit[i]);
    if (digit[i] > top) top = digit[i];
  }
  for (let i = 0; i < digit.length; i++) digit[i] /= top;   // brightest pixel = 1

  // A symmetric digit of even size is exactly half a pixel from any whole-pixel shift;
  // snapping keeps float rounding (ours and NumPy's differ) from breaking that tie.
  const snap = (v) => Math.floor(v * 1024 + 0.5) / 1024;
  const centre = centreOfMass(digit, newWidth, newHeight);
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  const dx = clamp(Math.floor(CENTRE - snap(centre.x) + 0.5), 0, IMAGE_SIZE - newWidth);
  const dy = clamp(Math.floor(CENTRE - snap(centre.y) + 0.5), 0, IMAGE_SIZE - newHeight);

  const out = new Float32Array(IMAGE_SIZE * IMAGE_SIZE);
  for (let y = 0; y < newHeight; y++) {
    for (let x = 0; x < newWidth; x++) {
      out[(y + dy) * IMAGE_SIZE + x + dx] = digit[y * newWidth + x];
    }
  }
  return out;
}
