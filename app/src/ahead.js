/**
 * Answers prepared before they are asked for. A press that waits for a model run waits for
 * a round trip to WebDNN's worker, whose reply Chromium ran after the frame that the press
 * itself caused (traced on the generator page: the reply came 10-13 ms after the press for
 * a 0.5 ms run, so the new digit reached the screen a frame late). So once a picture
 * is on screen the page prepares the likeliest next ones (the next seed's, the other labels
 * in this handwriting) while nobody waits, and a press then draws prepared pixels at once.
 * Prepared answers come from the same runs the page would make on demand: the same pixels.
 * No DOM.
 */
export class Ahead {
  /** @param {number} limit answers kept (the least recently used go first) */
  constructor(limit = 48) {
    this.limit = limit;
    this.answers = new Map();     // key -> value, oldest first
    this.plan = 0;                // a newer plan stops an older one between jobs
    this.working = Promise.resolve();
  }

  /** The prepared answer for `key`, or undefined. */
  get(key) {
    if (!this.answers.has(key)) return undefined;
    const value = this.answers.get(key);
    this.answers.delete(key);           // most recently used last
    this.answers.set(key, value);
    return value;
  }

  put(key, value) {
    this.answers.delete(key);
    this.answers.set(key, value);
    while (this.answers.size > this.limit) this.answers.delete(this.answers.keys().next().value);
  }

  /**
   * Prepare `jobs` ([{key, run: async () => value}], likeliest first) one at a time, so a
   * press waits behind at most one of them; a later prepare() or stop() ends this plan
   * before its next job. A failed job ends the plan (a warning): it was only speculation.
   */
  prepare(jobs) {
    const plan = ++this.plan;
    const previous = this.working;
    this.working = (async () => {
      await previous;
      for (const job of jobs) {
        if (plan !== this.plan) return;
        if (this.answers.has(job.key)) continue;
        try {
          this.put(job.key, await job.run());
        } catch (err) {
          console.warn('preparing the next picture failed:', err);
          return;
        }
      }
    })();
    return this.working;
  }

  /** Stop preparing (the jobs of the current plan that have not started yet). */
  stop() {
    this.plan += 1;
  }

  /** Resolves once no job runs. */
  idle() {
    return this.working;
  }
}
