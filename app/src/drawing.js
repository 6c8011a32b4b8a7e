/**
 * Canvas helpers both pages share: show a 28x28 model image (ink = 1) as dark ink on white
 * paper through WebDNN's image helpers, and a pen that draws with pointer events (mouse,
 * touch, pen). Knows nothing about models or page layout.
 */
import * as WebDNN from 'webdnn';

export const DIGIT_SIZE = 28;

/**
 * Draw one 28x28 image with values in [0, 1], ink = 1, at (x, y) of `canvas`, one canvas
 * pixel per image pixel, as grey = 255 - 255 * ink (dark ink on white).
 * setImageArrayToCanvas needs scale and bias as arrays for GREY (a number gives NaN), and
 * dstW/dstH, or it stretches the image over the whole canvas.
 */
export function drawDigit(canvas, pixels, x = 0, y = 0) {
  WebDNN.Image.setImageArrayToCanvas(pixels, DIGIT_SIZE, DIGIT_SIZE, canvas, {
    color: WebDNN.Image.Color.GREY,
    order: WebDNN.Image.Order.CHW,
    scale: [-255],
    bias: [255],
    dstX: x,
    dstY: y,
    dstW: DIGIT_SIZE,
    dstH: DIGIT_SIZE,
  });
}

/** Draw images as a grid, `columns` per row, each 28x28 with no gap; resizes the canvas. */
export function drawDigitGrid(canvas, images, columns) {
  const rows = Math.ceil(images.length / columns);
  canvas.width = columns * DIGIT_SIZE;
  canvas.height = rows * DIGIT_SIZE;
  images.forEach((image, i) => {
    drawDigit(canvas, image, (i % columns) * DIGIT_SIZE, Math.floor(i / columns) * DIGIT_SIZE);
  });
}

/** Fill the canvas with paper white. */
export function clearCanvas(canvas) {
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
}

export function readImageData(canvas) {
  return canvas.getContext('2d', { willReadFrequently: true })
    .getImageData(0, 0, canvas.width, canvas.height);
}

/**
 * Let the user draw black round strokes on `canvas` with any pointer. The canvas's own
 * pixel size may differ from its CSS size; positions are mapped. The canvas needs CSS
 * `touch-action: none`, or a touch scrolls the page instead of drawing.
 * @param {object} options {lineWidth (canvas pixels), onDraw(), onEnd()}
 * @returns {() => void} detaches the listeners
 */
export function attachPen(canvas, { lineWidth, onDraw = () => {}, onEnd = () => {} }) {
  const context = canvas.getContext('2d', { willReadFrequently: true });
  let last = null;
  let pointerId = null;

  const position = (event) => {
    const rect = canvas.getBoundingClientRect();
    return [(event.clientX - rect.left) * canvas.width / rect.width,
      (event.clientY - rect.top) * canvas.height / rect.height];
  };
  const segment = (from, to) => {
    context.strokeStyle = '#000';
    context.lineWidth = lineWidth;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    context.moveTo(...from);
    context.lineTo(...to);
    context.stroke();
  };

  const down = (event) => {
    if (pointerId !== null || (event.pointerType === 'mouse' && event.button !== 0)) return;
    event.preventDefault();
    pointerId = event.pointerId;
    canvas.setPointerCapture(pointerId);
    last = position(event);
    segment(last, last);                                 // a tap leaves a dot
    onDraw();
  };
  const move = (event) => {
    if (event.pointerId !== pointerId) return;
    event.preventDefault();
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const e of (events.length ? events : [event])) {
      const point = position(e);
      segment(last, point);
      last = point;
    }
    onDraw();
  };
  const up = (event) => {
    if (event.pointerId !== pointerId) return;
    pointerId = null;
    last = null;
    onEnd();
  };

  canvas.addEventListener('pointerdown', down);
  canvas.addEventListener('pointermove', move);
  canvas.addEventListener('pointerup', up);
  canvas.addEventListener('pointercancel', up);
  return () => {
    canvas.removeEventListener('pointerdown', down);
    canvas.removeEventListener('pointermove', move);
    canvas.removeEventListener('pointerup', up);
    canvas.removeEventListener('pointercancel', up);
  };
}
