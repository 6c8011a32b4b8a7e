/**
 * What both pages' UI shares: elements by id, URL parameters, loading the models named in
 * contract.json with byte progress and a retry on failure (status.js shows both), the
 * footer's backend and timing line, and the service worker that keeps the site for offline use.
 */
import { LoadError, Model } from './models.js';
import { backendOrder, forcedBackend, loadContract } from './contract.js';
import { StatusArea } from './status.js';

/** {id: element} for each id; a missing id is a bug in the HTML, so it throws. */
export function byId(ids) {
  const found = {};
  for (const id of ids) {
    const element = document.getElementById(id);
    if (!element) throw new Error(`the page has no #${id}`);
    found[id] = element;
  }
  return found;
}

/** The status area's elements, the same ids on both pages. */
export const statusArea = () => new StatusArea(Object.assign({},
  byId(['status', 'progress', 'retry']), { progressText: byId(['progress-text'])['progress-text'] }));

/**
 * Run `load` until it succeeds: a failure is shown in words with a retry button, and
 * pressing it runs `load` again (a failure with no retry, e.g. an unsupported browser,
 * leaves the page in its error state).
 */
export async function loadWithRetry(status, load) {
  for (;;) {
    try {
      return await load();
    } catch (err) {
      await new Promise((retry) => status.error(err, retry));
    }
  }
}

const NAMES = { generator: 'generator', recogniser: 'recogniser' };

/**
 * Read contract.json and load the named models (in order, one runner each), showing the
 * bytes downloaded in the status area.
 * @param {string[]|function(object): string[]} names keys of contract.json, e.g.
 *   ['generator'], or a function of the contract that returns them
 * @returns {Promise<{contract, models: object}>} models by key
 */
export async function loadModels(names, status, backend = forcedBackend()) {
  status.loading('Loading the models…');
  const contract = await loadContract();
  const models = {};
  for (const name of (typeof names === 'function' ? names(contract) : names)) {
    const spec = contract[name];
    if (!spec) throw new LoadError('build', `models/contract.json has no "${name}" entry`);
    const text = `Loading the ${NAMES[name] || name.split('/').slice(-2).join(' ')}…`;
    status.loading(text);
    models[name] = await Model.load(spec, backendOrder(backend, spec.backends),
      (loaded, total) => status.loading(text, loaded, total));
  }
  return { contract, models };
}

/** The footer line "backend: webassembly · 0.4 ms per digit", hidden until it has a backend. */
export class RuntimeLine {
  constructor({ runtime, backend, timing }) {
    Object.assign(this, { runtime, backend, timing });
  }

  showBackend(name) {
    this.backend.textContent = name;
    this.runtime.hidden = false;
  }

  showTiming(text) {
    this.timing.textContent = text ? ` · ${text}` : '';
  }
}

/** Format milliseconds for people: 2.3 ms, 41 ms, 1.2 s. */
export function formatMs(ms) {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Register sw.js (webpack writes it; see webpack.config.js), which keeps both pages and
 * their models for use without a network after this visit. Browsers allow it on https and
 * on localhost only; elsewhere the pages simply need the network.
 */
export function keepForOffline() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('sw.js')
    .catch((err) => console.warn('the pages will not work offline:', err));
}
