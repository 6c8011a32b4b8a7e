/**
 * Requests coalesced, not queued: a task runs at most once at a time, and when it is asked
 * for while it runs, it runs once more afterwards (so the last request always counts, and
 * five quick clicks cost two runs, not five). Both pages redraw through one of these.
 */
export class Coalesced {
  /**
   * @param {() => Promise<void>} task
   * @param {object} options {minIntervalMs: least time between two starts, onError(err)}
   */
  constructor(task, { minIntervalMs = 0, onError = (err) => console.error(err) } = {}) {
    Object.assign(this, { task, minIntervalMs, onError });
    this.pending = false;
    this.running = null;        // the loop's promise while it runs
    this.lastStart = -Infinity;
    this.urgent = false;
    this.wake = null;           // ends the wait between two runs early (an urgent request)
  }

  get busy() {
    return this.running !== null;
  }

  /**
   * Ask for a run; resolves once a run that started after this call has finished.
   * `urgent`: start it without waiting out minIntervalMs (e.g. the pen lifted: the user
   * waits for the answer now, and no more changes follow to spread out).
   */
  request({ urgent = false } = {}) {
    this.pending = true;
    if (urgent) {
      this.urgent = true;
      if (this.wake) this.wake();
    }
    if (!this.running) this.running = this.loop();
    return this.running;
  }

  async loop() {
    try {
      while (this.pending) {
        const wait = this.lastStart + this.minIntervalMs - performance.now();
        if (wait > 0 && !this.urgent) {
          await new Promise((resolve) => {
            this.wake = resolve;
            setTimeout(resolve, wait);
          });
        }
        this.wake = null;
        this.urgent = false;
        this.pending = false;
        this.lastStart = performance.now();
        try {
          await this.task();
        } catch (err) {
          this.onError(err);
        }
      }
    } finally {
      this.running = null;
    }
  }

  /** Resolves when no run is going on or asked for. */
  async idle() {
    while (this.running) await this.running;
  }
}
