/**
 * WebDNN's WebAssembly runner in the page's own thread. WebDNN runs its kernels in a Web
 * Worker: each run is a message there and a message back. Chromium holds messages from
 * workers back after a discrete input (a click, a key, the pen's lift) until the next frame
 * has been drawn (the scheduler's DeferRendererTasksAfterInput, on by default), so an
 * answer computed in 4 ms reached the screen a frame later than it could (traced on the
 * recogniser page: the reply waited 7 ms for a frame with nothing to draw). A model whose
 * run is short enough to block the page for it runs here instead: the same kernels file,
 * the same messages, delivered as microtasks, which are never deferred.
 * No DOM.
 */

/** A stand-in for `new Worker(url)` that evaluates the worker's script in this thread. */
export class SameThreadWorker {
  constructor(url) {
    this.onmessage = null;
    this.onerror = null;
    this.handler = null;          // the script's onmessage, once evaluated
    this.queued = [];             // messages posted before the script was ready
    this.terminated = false;
    this.ready = fetch(url).then((response) => response.text()).then((source) => {
      // The script assigns `onmessage` and calls `postMessage`: both stay in this scope.
      // eslint-disable-next-line no-new-func
      const start = new Function('postMessage', 'self',
        `var onmessage;\n${source}\n;return function (data) { onmessage({ data: data }); };`);
      this.handler = start((data) => this.reply(data), {});
      for (const data of this.queued.splice(0)) this.deliver(data);
    }).catch((err) => this.fail(err));
  }

  /** The page posts to the "worker": handled in a microtask, as soon as the script runs. */
  postMessage(data) {
    if (this.terminated) return;
    if (this.handler) this.deliver(data);
    else this.queued.push(data);
  }

  deliver(data) {
    queueMicrotask(() => {
      if (this.terminated) return;
      try {
        this.handler(data);
      } catch (err) {
        this.fail(err);
      }
    });
  }

  /** The "worker" posts back: the page's onmessage in a microtask. */
  reply(data) {
    queueMicrotask(() => {
      if (!this.terminated && this.onmessage) this.onmessage({ data });
    });
  }

  fail(err) {
    if (this.onerror) this.onerror(err);
    else console.error(err);
  }

  terminate() {
    this.terminated = true;
  }
}

let loading = Promise.resolve();

/**
 * Run `load` (a WebDNN.load call) after every load started before it; with `inThisThread`,
 * with `window.Worker` replaced by SameThreadWorker meanwhile, so that the runner it creates
 * works in this thread. Every load goes through here, so none sees another's replacement.
 */
export function loadRunner(load, inThisThread) {
  const run = loading.then(async () => {
    const original = window.Worker;
    if (inThisThread) window.Worker = SameThreadWorker;
    try {
      return await load();
    } finally {
      window.Worker = original;
    }
  });
  loading = run.catch(() => {});
  return run;
}
