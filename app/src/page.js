/**
 * What both pages' UI shares: elements by id, URL parameters, the #status line (with a
 * data-state marker on it and on <body>: loading / ready / error), and loading the models
 * named in contract.json with progress shown in #status.
 */
import { Model, ModelError, backendOrder, loadContract } from './models.js';

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

/** ?backend=webassembly|webgl forces a backend; ?seed=N makes the noise reproducible. */
export function readParams(search = window.location.search) {
  const params = new URLSearchParams(search);
  const seed = params.get('seed');
  return {
    backend: params.get('backend') || null,
    seed: seed !== null && /^\d+$/.test(seed) ? Number(seed) : null,
  };
}

/** Show `text` in #status and mark the page's state for people, styles and tests. */
export function setStatus(status, state, text) {
  status.textContent = text;
  status.dataset.state = state;
  document.body.dataset.state = state;
}

/** Report a failure in words: what happened and how to fix it. */
export function showError(status, err) {
  console.error(err);
  const hint = err instanceof ModelError && err.hint ? ` To fix it: ${err.hint}.` : '';
  setStatus(status, 'error', `Error: ${err.message}.${hint}`);
}

/**
 * Read contract.json and load the named models (in order, one runner each).
 * @param {string[]} names keys of contract.json, e.g. ['generator']
 * @param {object} options {backend: forced backend or null, onProgress(text)}
 * @returns {Promise<{contract, models: object}>}
 */
export async function loadModels(names, { backend = null, onProgress = () => {} } = {}) {
  onProgress('Loading the models…');
  const contract = await loadContract();
  const models = {};
  for (const name of names) {
    const spec = contract[name];
    if (!spec) throw new ModelError(`models/contract.json has no "${name}" entry`);
    onProgress(`Loading the ${name}…`);
    models[name] = await Model.load(spec, backendOrder(backend, spec.backends), (loaded, total) => {
      if (total > 0) onProgress(`Loading the ${name}… ${Math.round(100 * loaded / total)} %`);
    });
  }
  return { contract, models };
}

/** Format milliseconds for people: 2.3 ms, 41 ms, 1.2 s. */
export function formatMs(ms) {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}
