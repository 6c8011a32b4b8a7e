/**
 * Canvas helpers both pages share: show 28x28 model images (ink = 1) as dark ink on white
 * paper through WebDNN's image helpers, one or a sheet of them, and save a canvas as a PNG.
 * Knows nothing about models or page layout.
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

/**
 * Save `canvas` as a PNG named `filename`, each pixel `scale` x `scale` (a 28 px digit is
 * too small to see in an image viewer; nearest-neighbour keeps it crisp).
 */
export function downloadPng(canvas, filename, scale = 8) {
  const big = document.createElement('canvas');
  big.width = canvas.width * scale;
  big.height = canvas.height * scale;
  const context = big.getContext('2d');
  context.imageSmoothingEnabled = false;
  context.drawImage(canvas, 0, 0, big.width, big.height);
  const link = document.createElement('a');
  link.download = filename;
  link.href = big.toDataURL('image/png');
  link.click();
}
