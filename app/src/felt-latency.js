/**
 * What a person feels: the time from an input event (a press, a key, the pen's lift) to the
 * end of the frame that shows its result on screen, not only the model's run. Both pages
 * time their answers with this, show the figure in the footer, and keep the samples for the
 * bench (bench/felt_latency.py) and the tests. No DOM.
 *
 * "On screen" is measured as the first task after the next frame's paint: a message posted
 * from a requestAnimationFrame callback runs once that frame's rendering is done.
 */

/** Resolves with performance.now() after the next frame has been painted. */
export function afterNextPaint() {
  return new Promise((resolve) => {
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve(performance.now());
      };
      channel.port2.postMessage(null);
    });
  });
}

/** Percentile `q` (0..1) of numbers, nearest rank; null for none. */
export function percentile(values, q) {
  if (!values.length) return null;
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/**
 * Input → painted, per kind of answer ('digit', 'grid', 'verdict', 'row', ...).
 * A page calls press(event) when an input asks for an answer, take() when it starts the
 * work that answers every input so far (inputs merged into one run share it), and
 * painted(since, kind) once it has drawn that answer.
 */
export class FeltLatency {
  constructor(keep = 1000) {
    this.keep = keep;
    this.waiting = null;          // timeStamp of the earliest input not yet answered
    this.samples = {};            // kind -> [ms, ...], the newest `keep`
  }

  /** An input asks for a new answer; its event's timeStamp (same clock as performance.now()). */
  press(event) {
    const at = event && Number.isFinite(event.timeStamp) && event.timeStamp > 0
      ? event.timeStamp : performance.now();
    if (this.waiting === null || at < this.waiting) this.waiting = at;
  }

  /** The earliest unanswered input's time, now being answered (null: none). */
  take() {
    const at = this.waiting;
    this.waiting = null;
    return at;
  }

  /**
   * Wait for the frame that shows an answer drawn just now, and record input → painted.
   * @param {number|null} since take()'s time; null (no input waited) records nothing
   * @returns {Promise<number|null>} the milliseconds, or null
   */
  async painted(since, kind) {
    if (since === null) return null;
    const ms = (await afterNextPaint()) - since;
    const list = this.samples[kind] || (this.samples[kind] = []);
    list.push(ms);
    if (list.length > this.keep) list.shift();
    return ms;
  }

  /** {kind: {count, p50, p95, all}} of what was recorded. */
  summary() {
    return Object.fromEntries(Object.entries(this.samples).map(([kind, all]) => [kind, {
      count: all.length, p50: percentile(all, 0.5), p95: percentile(all, 0.95), all: all.slice(),
    }]));
  }

  /** Forget the samples (a bench's warm-up). */
  clear() {
    this.samples = {};
    this.waiting = null;
  }
}
