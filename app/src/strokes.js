/**
 * A drawing kept as strokes (paths), rendered for the recogniser the way MNIST's digits were
 * written: whatever its size on the screen, the drawing is scaled so its longer side spans
 * the 20 px box and stroked with a pen MODEL_PEN px wide at that scale, then preprocessed
 * (preprocess.js: crop, 20 px box, centre of mass). So a small digit in a corner keeps thin
 * strokes instead of the screen pen's, which at 20 px would close its loops.
 *
 * A drawing is an array of strokes; a stroke is an array of [x, y] points in units of the
 * drawing area's side (0..1). Uses a canvas (no page elements).
 */
import { BOX_SIZE, inkFromImageData, preprocess } from './preprocess.js';

/**
 * Pen width at the 20 px box scale: MNIST's strokes are 2-3 px wide there (measured on the
 * test set's ink mass against the shipped recogniser: docs/uncertainty.md).
 */
export const MODEL_PEN = 2.5;
/** Oversampling of the render: preprocess's area averaging then smooths the edges. */
const OVERSAMPLE = 4;
const RENDER_SIZE = 28 * OVERSAMPLE;

/** Bounding box {x0, y0, x1, y1} of all points, or null for no points. */
export function pointsBox(strokes) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const stroke of strokes) {
    for (const [x, y] of stroke) {
      x0 = Math.min(x0, x); x1 = Math.max(x1, x);
      y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
  }
  return x1 < x0 ? null : { x0, y0, x1, y1 };
}

/** The longer side of the points' box (0 for a single tap), in drawing-area units. */
export function extentOf(strokes) {
  const box = pointsBox(strokes);
  return box ? Math.max(box.x1 - box.x0, box.y1 - box.y0) : 0;
}

/** Stroke `strokes` with round caps and joins; a one-point stroke is a dot. */
export function strokePaths(context, strokes, map, width) {
  context.lineWidth = width;
  context.lineCap = 'round';
  context.lineJoin = 'round';
  context.strokeStyle = '#000';
  context.fillStyle = '#000';
  for (const stroke of strokes) {
    if (!stroke.length) continue;
    const [sx, sy] = map(stroke[0]);
    if (stroke.length === 1) {
      context.beginPath();
      context.arc(sx, sy, width / 2, 0, 2 * Math.PI);
      context.fill();
      continue;
    }
    context.beginPath();
    context.moveTo(sx, sy);
    for (let i = 1; i < stroke.length; i++) context.lineTo(...map(stroke[i]));
    context.stroke();
  }
}

let renderCanvas = null;

/**
 * Ink image of the drawing at the model's scale: RENDER_SIZE^2 values, ink high.
 * @returns {{ink: Float32Array, width: number, height: number}|null} null for no strokes
 */
export function renderInk(strokes) {
  const box = pointsBox(strokes);
  if (!box) return null;
  renderCanvas = renderCanvas || document.createElement('canvas');
  renderCanvas.width = renderCanvas.height = RENDER_SIZE;
  const context = renderCanvas.getContext('2d', { willReadFrequently: true });
  context.clearRect(0, 0, RENDER_SIZE, RENDER_SIZE);
  const pen = MODEL_PEN * OVERSAMPLE;
  const extent = Math.max(box.x1 - box.x0, box.y1 - box.y0);
  // The points' longer side spans the box less one pen width, so the ink spans the box.
  const scale = extent > 0 ? (BOX_SIZE * OVERSAMPLE - pen) / extent : 1;
  const cx = (box.x0 + box.x1) / 2, cy = (box.y0 + box.y1) / 2;
  const map = ([x, y]) => [RENDER_SIZE / 2 + (x - cx) * scale, RENDER_SIZE / 2 + (y - cy) * scale];
  strokePaths(context, strokes, map, pen);
  const data = context.getImageData(0, 0, RENDER_SIZE, RENDER_SIZE);
  return { ink: inkFromImageData(data), width: RENDER_SIZE, height: RENDER_SIZE };
}

/** The recogniser's 28x28 input (ink = 1) for a drawing, or null when it has no strokes. */
export function modelInput(strokes) {
  const rendered = renderInk(strokes);
  return rendered && preprocess(rendered.ink, rendered.width, rendered.height);
}
