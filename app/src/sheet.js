/**
 * The generator page's sheet: a row (the digits 0-9 in one handwriting) or a 10x10 grid
 * drawn on one canvas, with a transparent button over each cell so that a cell can be
 * picked with a click, a tap or the keyboard, and has a name ("generated 7, row 3").
 */
import { drawDigitGrid } from './drawing.js';

export class Sheet {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {HTMLElement} cells the container laid over the canvas
   * @param {(row: number, column: number, event: Event) => void} onPick
   */
  constructor(canvas, cells, onPick) {
    Object.assign(this, { canvas, cells, onPick });
    this.shown = null;          // the key of what is drawn (see show)
  }

  /**
   * Draw `images` (row-major, `labels.length` per row) and name each cell's button.
   * @param {string} key what is drawn, for the caller to compare (this.shown)
   * @param {(row: number) => string} rowName added to a cell's name ('' for a single row)
   */
  show(key, images, labels, rowName = () => '') {
    const columns = labels.length;
    this.columns = columns;
    const rows = Math.ceil(images.length / columns);
    drawDigitGrid(this.canvas, images, columns);
    this.canvas.hidden = false;
    this.cells.hidden = false;
    this.cells.style.gridTemplateColumns = `repeat(${columns}, 1fr)`;
    if (this.cells.childElementCount !== images.length) {
      this.cells.replaceChildren(...images.map((_, i) => {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'cell';
        button.addEventListener('click', (event) => this.onPick(Math.floor(i / columns), i % columns, event));
        return button;
      }));
    }
    [...this.cells.children].forEach((button, i) => {
      const row = Math.floor(i / columns);
      const label = `generated ${labels[i % columns]}${rowName(row)}`;
      button.setAttribute('aria-label', label);
      button.title = `${label}: use this handwriting`;
    });
    this.cells.setAttribute('aria-label', rows > 1 ? 'grid of generated digits' : 'generated digits 0-9');
    this.shown = key;
  }

  /** Mark the cell of the current digit and handwriting (none: row -1). */
  mark(row, column) {
    [...this.cells.children].forEach((button, i) => {
      const current = Math.floor(i / this.columns) === row && i % this.columns === column;
      button.classList.toggle('current', current);
      if (current) button.setAttribute('aria-current', 'true');
      else button.removeAttribute('aria-current');
    });
  }

  hide() {
    this.canvas.hidden = true;
    this.cells.hidden = true;
    this.shown = null;
  }
}
