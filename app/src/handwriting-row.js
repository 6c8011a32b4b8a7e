/**
 * The recogniser page's row "in your handwriting": ten small canvases, the digits 0-9 the
 * generator writes in the style of the drawing, inside one link that opens the generator
 * page with that handwriting. DOM only: the images and the address come from
 * handwriting.js, and draw-page.js decides when to show or hide the row.
 */
import { clearCanvas, drawDigit, DIGIT_SIZE } from './drawing.js';

export class HandwritingRow {
  /**
   * @param {HTMLAnchorElement} link the row's element, hidden until a row is shown
   * @param {HTMLElement} digits where the canvases go, inside `link`
   */
  constructor(link, digits) {
    Object.assign(this, { link, digits });
    this.canvases = [];
    // What tests and the benchmark read (test-hooks.js): the row shown and when.
    this.state = { shown: false, href: null, label: null, ms: null, drawnAt: null };
  }

  /** One canvas per label, named for screen readers; the link's text is the title. */
  makeCanvases(labels) {
    this.canvases = labels.map((label) => {
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = DIGIT_SIZE;
      canvas.className = 'digit tiny';
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `${label} in your handwriting`);
      clearCanvas(canvas);
      return canvas;
    });
    this.digits.replaceChildren(...this.canvases);
  }

  /**
   * Draw a row.
   * @param {{images: Float32Array[], label, href: string, since: number}} row
   *   `since`: when the drawing it was computed from last changed (performance.now())
   */
  show({ images, label, href, since }) {
    if (this.canvases.length !== images.length) {
      throw new Error(`the row has ${this.canvases.length} places for ${images.length} digits`);
    }
    images.forEach((image, i) => drawDigit(this.canvases[i], image));
    this.link.href = href;
    this.link.setAttribute('aria-label',
      `the digits 0 to 9 in your handwriting, from your ${label}: open them in the generator`);
    this.link.hidden = false;
    const drawnAt = performance.now();
    this.state = { shown: true, href, label, ms: drawnAt - since, drawnAt };
  }

  hide() {
    if (!this.state.shown) return;
    this.link.hidden = true;
    this.link.removeAttribute('href');
    this.state = { shown: false, href: null, label: null, ms: null, drawnAt: null };
  }
}
