/**
 * The drawing pad: strokes drawn with any pointer (mouse, finger, pen) on a canvas that
 * follows its CSS size at the screen's pixel density. The strokes are kept as paths in units
 * of the pad's side (strokes.js), so a resize or a rotation redraws them sharply and the
 * recogniser gets them at its own scale. The canvas needs CSS `touch-action: none`, or a
 * touch scrolls the page instead of drawing.
 */
import { strokePaths } from './strokes.js';

/** Pen width on the screen, as a fraction of the pad's side. */
export const SCREEN_PEN = 0.05;

export class DrawingPad {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {(lifted: boolean, event: PointerEvent) => void} onChange called after every
   *   change of the strokes, and when the pen is lifted (lifted true: the stroke is
   *   finished; `event` the pointerup, timed by the page from the lift to its answer)
   */
  constructor(canvas, onChange = () => {}) {
    this.canvas = canvas;
    this.onChange = onChange;
    this.strokes = [];
    this.clears = 0;             // how many times clear() ran
    this.version = 0;            // changes of the strokes so far: equal versions, equal ink
    this.pointerId = null;       // the pointer drawing now; other pointers are ignored
    this.enabled = true;
    this.listen();
    // The backing store follows the CSS size times devicePixelRatio.
    new ResizeObserver(() => this.fit()).observe(canvas);
    this.fit();
  }

  get empty() {
    return this.strokes.length === 0;
  }

  /** True while a stroke is being drawn (the pen is down). */
  get drawing() {
    return this.pointerId !== null;
  }

  fit() {
    // clientWidth: the drawing surface, inside the canvas's border
    const side = Math.round(this.canvas.clientWidth * window.devicePixelRatio);
    if (side > 0 && side !== this.canvas.width) {
      this.canvas.width = this.canvas.height = side;
      this.redraw();
    }
  }

  redraw() {
    const context = this.canvas.getContext('2d');
    const side = this.canvas.width;
    context.fillStyle = '#fff';
    context.fillRect(0, 0, side, side);
    strokePaths(context, this.strokes, ([x, y]) => [x * side, y * side], SCREEN_PEN * side);
  }

  clear() {
    this.strokes = [];
    this.clears += 1;
    this.version += 1;
    this.pointerId = null;       // a stroke in progress ends here too
    this.redraw();
    this.onChange();
  }

  /** Pointer position in pad units (0..1), from client coordinates. */
  position(event) {
    const { canvas } = this;
    const rect = canvas.getBoundingClientRect();
    return [(event.clientX - rect.left - canvas.clientLeft) / canvas.clientWidth,
      (event.clientY - rect.top - canvas.clientTop) / canvas.clientHeight];
  }

  listen() {
    const { canvas } = this;
    canvas.addEventListener('pointerdown', (event) => {
      if (!this.enabled || this.pointerId !== null) return;
      if (event.pointerType === 'mouse' && event.button !== 0) return;
      event.preventDefault();
      this.pointerId = event.pointerId;
      canvas.setPointerCapture(event.pointerId);
      this.strokes.push([this.position(event)]);         // a tap leaves a dot
      this.version += 1;
      this.redraw();
      this.onChange();
    });
    canvas.addEventListener('pointermove', (event) => {
      if (event.pointerId !== this.pointerId) return;
      event.preventDefault();
      const stroke = this.strokes[this.strokes.length - 1];
      const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
      const before = stroke.length;
      for (const e of (events.length ? events : [event])) {
        const [x, y] = this.position(e);
        const [lastX, lastY] = stroke[stroke.length - 1];
        if (x !== lastX || y !== lastY) stroke.push([x, y]);     // a resting pen adds no ink
      }
      if (stroke.length === before) return;
      this.version += 1;
      this.redraw();
      this.onChange();
    });
    const end = (event) => {
      if (event.pointerId !== this.pointerId) return;
      this.pointerId = null;
      this.onChange(true, event);
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    // A right click (or a long press) on the pad must not open the browser's menu.
    canvas.addEventListener('contextmenu', (event) => event.preventDefault());
  }
}
