/**
 * The status area both pages share: a #status line (loading / ready / error, mirrored on
 * <body data-state> for styles and tests), a <progress> bar with the bytes downloaded, and
 * errors in words with a *retry* button. Hints for developers (run 2pack.py, build) appear
 * only where the page is served from this machine, as `make demo` and the tests serve it.
 */
import { LoadError } from './model-files.js';

const DEVELOPMENT_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

export const isDevelopmentHost = (hostname = window.location.hostname) =>
  DEVELOPMENT_HOSTS.includes(hostname);

/** What each kind of failure means to a visitor, and whether trying again can help. */
const EXPLAIN = {
  network: { text: 'Could not download the models: the network connection failed. '
    + 'Check that you are online, then retry.', retry: true },
  server: { text: 'The server failed while sending the models. Retry in a moment.', retry: true },
  missing: { text: 'The models are missing from this site.', retry: true,
    developer: 'run python 2pack.py, then npm run build' },
  invalid: { text: 'The server sent a web page or another file instead of the models.',
    retry: true, developer: 'serve the built dist/ folder (python serve.py); models/ must be in it' },
  build: { text: 'The models on this site do not match this page.', retry: false,
    developer: 're-run python 2pack.py, then npm run build' },
  unsupported: { text: 'This browser cannot run the models: it needs WebAssembly (with web '
    + 'workers) or WebGL. Try a current Firefox, Chrome, Safari or Edge.', retry: false },
  usage: { text: 'The address is wrong.', retry: false },
};

/** One-line explanation of `err` for this page's visitor: {text, retry}. */
export function explain(err, developer = isDevelopmentHost()) {
  const known = err instanceof LoadError ? EXPLAIN[err.kind] : null;
  if (!known) return { text: `Something went wrong: ${err.message}.`, retry: true };
  let text = known.text;
  if (err.kind === 'usage' || err.kind === 'build') text += ` (${capitalised(err.message)}.)`;
  if (developer) {
    if (err.detail) text += ` [${err.detail}]`;
    if (known.developer) text += ` To fix it: ${known.developer}.`;
  }
  return { text, retry: known.retry };
}

const capitalised = (text) => text.charAt(0).toUpperCase() + text.slice(1);

/** Megabytes for people: 0.4 MB, 1.9 MB. */
const megabytes = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

export class StatusArea {
  /** @param {object} ui {status, progress (a <progress>), progressText, retry} elements */
  constructor({ status, progress, progressText, retry }) {
    Object.assign(this, { status, progress, progressText, retry });
    this.onRetry = null;
    retry.addEventListener('click', () => {
      const again = this.onRetry;
      this.onRetry = null;
      if (again) again();
    });
  }

  set(state, text) {
    this.status.textContent = text;
    this.status.dataset.state = state;
    document.body.dataset.state = state;
    if (state !== 'error') this.retry.hidden = true;
  }

  showProgress(visible) {
    this.progress.hidden = !visible;
    this.progressText.hidden = !visible;
  }

  /** Loading `text`; with byte counts, the bar and "0.8 of 1.9 MB (42 %)". */
  loading(text, loaded = 0, total = 0) {
    this.set('loading', text);
    this.showProgress(total > 0 || loaded > 0);
    if (total > 0) {
      this.progress.max = total;
      this.progress.value = Math.min(loaded, total);
      this.progressText.textContent = `${megabytes(loaded)} of ${megabytes(total)} `
        + `(${Math.floor(100 * loaded / total)} %)`;
    } else {
      this.progress.removeAttribute('value');     // indeterminate until the sizes are known
      this.progressText.textContent = loaded > 0 ? megabytes(loaded) : '';
    }
  }

  ready(text) {
    this.showProgress(false);
    this.set('ready', text);
  }

  /** Show `err` in words; with `onRetry`, a retry button that calls it (once). */
  error(err, onRetry = null) {
    console.error(err);
    const { text, retry } = explain(err);
    this.showProgress(false);
    this.set('error', text);
    this.status.dataset.kind = err instanceof LoadError ? err.kind : 'other';
    this.onRetry = retry ? onRetry : null;
    this.retry.hidden = !this.onRetry;
  }
}
