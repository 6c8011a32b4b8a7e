/**
 * webpack plugin: writes dist/sw.js, the service worker of app/sw.js preceded by the list of
 * files it keeps for offline use, each with a content hash as its revision:
 *   - the pages, their scripts and style.css;
 *   - models/contract.json and, for each model it lists, the files of its first backend
 *     (webassembly; weights from weights_folder when shared), which is what a browser
 *     without a GPU runs. WebGL's files, and those of data sets other than the digits
 *     (models/datasets/), are cached by sw.js when a page uses them.
 * Without models (2pack.py not run) only the pages are kept.
 */
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const TEMPLATE = path.resolve(__dirname, '..', 'sw.js');
const FIRST_BACKEND_FILES = (folder, weights) => [
  `models/${folder}/graph_webassembly.json`, `models/${folder}/kernels_webassembly.js`,
  `models/${folder}/kernels_webassembly.wasm`, `models/${weights}/weight_webassembly.bin`];

function modelFiles(contractSource) {
  if (!contractSource) return [];
  const contract = JSON.parse(contractSource.toString());
  const files = ['models/contract.json'];
  for (const spec of Object.values(contract)) {
    if (!spec || !spec.folder || !(spec.backends || []).includes('webassembly')) continue;
    // Other data sets (clothes, ...) are not fetched ahead: sw.js keeps their files once used.
    if (spec.folder.startsWith('datasets/')) continue;
    const weights = (spec.weights_folder || {}).webassembly || spec.folder;
    files.push(...FIRST_BACKEND_FILES(spec.folder, weights));
  }
  return files;
}

class OfflinePlugin {
  apply(compiler) {
    const { Compilation, sources } = compiler.webpack;
    compiler.hooks.thisCompilation.tap('OfflinePlugin', (compilation) => {
      compilation.fileDependencies.add(TEMPLATE);
      compilation.hooks.processAssets.tap({
        name: 'OfflinePlugin',
        stage: Compilation.PROCESS_ASSETS_STAGE_OPTIMIZE_TRANSFER,   // after the HTML pages
      }, (assets) => {
        const pages = Object.keys(assets).filter((name) => /^[^/]+\.(html|js|css)$/.test(name));
        const contract = assets['models/contract.json'];
        const wanted = pages.concat(modelFiles(contract && contract.source()));
        const files = {};
        for (const name of wanted.sort()) {
          if (!assets[name]) throw new Error(`OfflinePlugin: ${name} is not in the build`);
          files[name] = crypto.createHash('sha256').update(assets[name].source()).digest('hex').slice(0, 16);
        }
        const build = crypto.createHash('sha256').update(JSON.stringify(files)).digest('hex').slice(0, 16);
        const code = `const PRECACHE = ${JSON.stringify({ build, files }, null, 1)};\n`
          + fs.readFileSync(TEMPLATE, 'utf8');
        compilation.emitAsset('sw.js', new sources.RawSource(code));
      });
    });
  }
}

module.exports = OfflinePlugin;
