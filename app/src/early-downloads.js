/**
 * A head start for a page's first model. The pages' own scripts (WebDNN and numjs among
 * them, ~380 kB) take a few hundred ms to arrive and compile before they ask for
 * contract.json and then for the model; this small script runs as soon as the HTML is
 * parsed and asks for both at once, so that the downloads overlap the page's code. It must
 * not wait for contract.json: the page's scripts hold the main thread once they arrive, so
 * a callback would run only after them. It reads the models' folders from the contract as
 * it was at build time instead (webpack.config.js puts them in as MODELS_AT_BUILD; the build
 * copies that same contract into the site). The answers wait in model-files.js's table,
 * where the page's fetchChecked takes them; errors are the page's to report, so nothing
 * here throws or shows anything.
 *
 * Only the WebAssembly files are fetched ahead: the page tries that backend first
 * (contract.js BACKEND_ORDER) wherever WebDNN can run it (webassemblyAvailable).
 */
import { MODELS_URL, forcedBackend, webassemblyAvailable } from './contract.js';
import { fetchEarly, modelFileUrls } from './model-files.js';

/* global MODELS_AT_BUILD */
const BACKEND = 'webassembly';

/**
 * Fetch contract.json and the files of the models `firstModels(contract)` names (contract
 * keys: those the page loads before it can show anything).
 * @returns {string[]} the URLs asked for
 */
export function startEarlyDownloads(firstModels, search = window.location.search,
  contract = typeof MODELS_AT_BUILD === 'object' ? MODELS_AT_BUILD : null) {
  const forced = forcedBackend(search);
  if ((forced && forced !== BACKEND) || !webassemblyAvailable()) {
    return [];
  }
  const urls = [`${MODELS_URL}/contract.json`];
  if (contract) {
    for (const name of firstModels(contract)) {
      const spec = contract[name];
      if (!spec || !spec.folder || !(spec.backends || []).includes(BACKEND)) continue;
      urls.push(...modelFileUrls(spec, BACKEND, MODELS_URL).map(([, url]) => url));
    }
  }
  urls.forEach(fetchEarly);
  return urls;
}
