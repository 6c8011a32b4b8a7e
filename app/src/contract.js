/**
 * What a page knows of models/contract.json (written by 2pack.py) before any model code is
 * loaded: where it is, the backend order, a model's label names. No WebDNN and no DOM here,
 * so that early-downloads.js can use it before the pages' large scripts have arrived.
 */
import { LoadError, fetchJson } from './model-files.js';

export const MODELS_URL = 'models';
/** webassembly first: on a machine without a GPU, WebGL runs in software and is ~10x slower. */
export const BACKEND_ORDER = ['webassembly', 'webgl'];

/** WebDNN's own test for its WebAssembly backend (DescriptorRunnerWebassembly.checkAvailability). */
export const webassemblyAvailable = () => 'Worker' in window;

/** ?backend=webassembly|webgl forces a backend. */
export const forcedBackend = (search = window.location.search) =>
  new URLSearchParams(search).get('backend') || null;

/**
 * The backend order to try: BACKEND_ORDER, or only `forced` (from ?backend=...).
 * @param {string|null} forced
 * @param {string[]} [available] backends the converted model has (contract.backends)
 */
export function backendOrder(forced, available = BACKEND_ORDER) {
  if (forced) {
    if (!BACKEND_ORDER.includes(forced)) {
      throw new LoadError('usage', `the address asks for an unknown backend "${forced}"; use `
        + `?backend=${BACKEND_ORDER.join(' or ?backend=')}`);
    }
    return [forced];
  }
  return BACKEND_ORDER.filter((name) => available.includes(name));
}

/** The contract of all models: {generator: {...}, recogniser: {...}} from contract.json. */
export function loadContract(base = MODELS_URL) {
  return fetchJson(`${base}/contract.json`);
}

/** A contract entry's labels in output order (contract.json labels, else 0..n_classes-1). */
export const labelsOf = (spec) => spec.labels || [...Array(spec.n_classes).keys()];
