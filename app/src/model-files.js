/**
 * Downloading a converted model's files with byte progress, and telling failures apart.
 *
 * WebDNN.load fetches its files itself, through an XMLHttpRequest whose progress it never
 * reports for weights, and it turns every failure (no network, a 404, an HTML page instead
 * of a model) into "No backend is available". So the page fetches the files itself, then
 * hands WebDNN blob: URLs of what arrived (its transformUrlDelegate option). No DOM.
 */

/**
 * Why loading failed, for the page to say in words: 'network' (no answer at all),
 * 'missing' (HTTP 404: the build has no models), 'server' (another HTTP error),
 * 'invalid' (an answer that is not the model file, e.g. an HTML page), 'unsupported'
 * (this browser runs none of the backends).
 */
export class LoadError extends Error {
  constructor(kind, message, detail = '') {
    super(message);
    this.name = 'LoadError';
    this.kind = kind;
    this.detail = detail;       // the URL or browser message, for the console and developers
  }
}

/**
 * The files WebDNN reads for one backend, relative to the model's folder. WebDNN's WebGL
 * runner asks for the 4096 variant on every GPU (its MAX_TEXTURE_SIZE getter returns 4096
 * for any size >= 4096), so the 8192 and 16384 files are never fetched.
 */
export const BACKEND_FILES = {
  webassembly: { graph: 'graph_webassembly.json', weights: 'weight_webassembly.bin',
    code: ['kernels_webassembly.js', 'kernels_webassembly.wasm'] },
  webgl: { graph: 'graph_webgl_4096.json', weights: 'weight_webgl_4096.bin', code: [] },
};

const TYPES = { json: 'application/json', js: 'text/javascript', wasm: 'application/wasm' };
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** Absolute URL of `path` (relative to the page), the form WebDNN's URLs are compared in. */
export const absolute = (path) => new URL(path, document.baseURI).href;

// Answers that early-downloads.js asked for before the page's own code ran, by absolute URL:
// a pending fetch() promise, or null once the page has asked for that URL itself.
const EARLY = '__dcganEarlyFetches';

/**
 * Start fetching `url` ahead of the page's own code (early-downloads.js); nothing is done
 * when the page has already asked for it, so no file is downloaded twice.
 */
export function fetchEarly(url) {
  const table = window[EARLY] || (window[EARLY] = new Map());
  const key = absolute(url);
  if (table.has(key)) return;
  const answer = fetch(url);
  answer.catch(() => {});     // a failure is reported when the page takes the answer
  table.set(key, answer);
}

/** The early fetch() of `url`, once (a retry fetches again); null when there is none. */
function takeEarly(url) {
  const table = window[EARLY];
  if (!table) return null;
  const key = absolute(url);
  const answer = table.get(key) || null;
  table.set(key, null);
  return answer;
}

/**
 * fetch() that names the failure: a LoadError of kind network, missing or server.
 * @returns {Promise<Response>}
 */
export async function fetchChecked(url) {
  let response;
  try {
    response = await (takeEarly(url) || fetch(url));
  } catch (err) {
    throw new LoadError('network', 'the network connection failed', `${url}: ${err.message}`);
  }
  if (response.status === 404 || response.status === 410) {
    throw new LoadError('missing', 'the model files are not on this server',
      `${url}: HTTP ${response.status}`);
  }
  if (!response.ok) {
    throw new LoadError('server', `the server answered with an error (HTTP ${response.status})`,
      url);
  }
  return response;
}

/** An answer that is a web page or a JSON error where a model file was asked for. */
function checkNotAPage(response, url) {
  const type = response.headers.get('Content-Type') || '';
  if (/text\/html/i.test(type)) {
    throw new LoadError('invalid', 'the server sent a web page instead of the model files',
      `${url}: Content-Type ${type}`);
  }
}

/** contract.json as an object; a LoadError when it cannot be had or read. */
export async function fetchJson(url) {
  const response = await fetchChecked(url);
  checkNotAPage(response, url);
  const text = await response.text().catch((err) => {
    throw new LoadError('network', 'the download was interrupted', `${url}: ${err.message}`);
  });
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new LoadError('invalid', 'the server sent something other than the model files',
      `${url}: ${err.message}`);
  }
}

/** Read a response's body in chunks, calling onBytes(newBytes) as they arrive. */
async function readBody(response, url, onBytes) {
  const reader = response.body.getReader();
  const chunks = [];
  for (;;) {
    let part;
    try {
      part = await reader.read();
    } catch (err) {
      throw new LoadError('network', 'the download was interrupted', `${url}: ${err.message}`);
    }
    if (part.done) break;
    chunks.push(part.value);
    onBytes(part.value.length);
  }
  return new Blob(chunks);
}

/** The first bytes of a blob must be `magic` (a .wasm file starts with "\0asm"). */
async function checkMagic(blob, magic, url) {
  const head = new Uint8Array(await blob.slice(0, magic.length).arrayBuffer());
  if (!magic.every((byte, i) => head[i] === byte)) {
    throw new LoadError('invalid', 'the server sent something other than the model files', url);
  }
}

/**
 * The files of `spec` (a contract.json entry) for `backend`: [URL as WebDNN asks for it, URL
 * fetched] pairs. Weights come from spec.weights_folder[backend] when set (a batched
 * generator shares the single one's weights: the browser fetches them once).
 */
export function modelFileUrls(spec, backend, base) {
  const files = BACKEND_FILES[backend];
  const folder = `${base}/${spec.folder}`;
  const weightsFolder = `${base}/${(spec.weights_folder || {})[backend] || spec.folder}`;
  return [[`${folder}/${files.graph}`, `${folder}/${files.graph}`],
    [`${folder}/${files.weights}`, `${weightsFolder}/${files.weights}`],
    ...files.code.map((name) => [`${folder}/${name}`, `${folder}/${name}`])];
}

/**
 * Download the files of `spec` (a contract.json entry) for `backend`, all at once, with
 * progress: onProgress(loadedBytes, totalBytes), totalBytes 0 until every answer has said
 * its size (files as modelFileUrls lists them).
 * @returns {Promise<Map<string, string>>} absolute file URL (as WebDNN asks) -> blob: URL
 */
export async function downloadModel(spec, backend, base, onProgress = () => {}) {
  const wanted = modelFileUrls(spec, backend, base);

  const responses = await Promise.all(wanted.map(([, url]) => fetchChecked(url)));
  responses.forEach((response, i) => checkNotAPage(response, wanted[i][1]));
  const sizes = responses.map((r) => Number(r.headers.get('Content-Length')) || 0);
  const total = sizes.every((size) => size > 0) ? sizes.reduce((a, b) => a + b, 0) : 0;
  let loaded = 0;
  onProgress(loaded, total);
  const blobs = await Promise.all(responses.map((response, i) => readBody(response, wanted[i][1],
    (bytes) => { loaded += bytes; onProgress(loaded, total); })));

  const urls = new Map();
  for (let i = 0; i < wanted.length; i++) {
    const [asked, fetched] = wanted[i];
    const extension = fetched.split('.').pop();
    if (extension === 'wasm') await checkMagic(blobs[i], WASM_MAGIC, fetched);
    if (extension === 'json') await checkJsonStart(blobs[i], fetched);
    const typed = new Blob([blobs[i]], { type: TYPES[extension] || 'application/octet-stream' });
    urls.set(absolute(asked), URL.createObjectURL(typed));
  }
  return urls;
}

/**
 * A graph file must be JSON, which 2pack.py starts with "{" (a captive portal or a fallback
 * route answers 200 with HTML). Checks the first bytes only: WebDNN parses the file later.
 */
async function checkJsonStart(blob, url) {
  const head = (await blob.slice(0, 64).text()).trimStart();
  if (!head.startsWith('{')) {
    throw new LoadError('invalid', 'the server sent something other than the model files', url);
  }
}

/** Free the blob: URLs of downloadModel once WebDNN has read them. */
export function releaseModel(urls) {
  for (const url of urls.values()) URL.revokeObjectURL(url);
}
