// Bundles the two pages into dist/: index.html (generator) and draw.html (recogniser),
// with the shared CSS and the converted models (app/models/, written by 2pack.py) copied
// to dist/models/, and sw.js, the service worker that keeps them for offline use
// (app/build/offline-plugin.js). `npm run build` runs it; `npm start` serves dist/.
const fs = require('fs');
const path = require('path');
const webpack = require('webpack');
const CopyPlugin = require('copy-webpack-plugin');
const HtmlWebpackPlugin = require('html-webpack-plugin');
const OfflinePlugin = require('./app/build/offline-plugin.js');

// Each page gets its early-downloads script first (`<name>-early`: it fetches the first
// model while the page's own, larger scripts arrive), then its code.
const page = (template, chunk) => new HtmlWebpackPlugin({
  template: path.resolve(__dirname, 'app', template),
  filename: template,
  chunks: [`${chunk}-early`, chunk],
  chunksSortMode: 'manual',
});
const isEarly = (chunk) => /-early$/.test(chunk.name || '');

/**
 * What the early scripts need of app/models/contract.json (the same file the build copies
 * into the site): each model's folders and backends, and the data sets' entries; null
 * without models.
 */
function modelsAtBuild() {
  const file = path.resolve(__dirname, 'app', 'models', 'contract.json');
  if (!fs.existsSync(file)) return null;
  const contract = JSON.parse(fs.readFileSync(file, 'utf8'));
  const kept = {};
  for (const [key, value] of Object.entries(contract)) {
    if (key === 'datasets') kept[key] = value;
    else if (value && value.folder) {
      const { folder, backends, weights_folder: weightsFolder, labels, n_classes: nClasses } = value;
      kept[key] = { folder, backends, weights_folder: weightsFolder, labels, n_classes: nClasses };
    }
  }
  return kept;
}

module.exports = {
  entry: {
    'generator-early': './app/src/generator-early.js',
    generator: './app/src/generator-page.js',
    'draw-early': './app/src/draw-early.js',
    draw: './app/src/draw-page.js',
  },
  output: {
    path: path.resolve(__dirname, 'dist'),
    filename: '[name].[contenthash:8].js',
    clean: true,
    compareBeforeEmit: false,   // always rewrite, so make and the tests see a fresh mtime
  },
  resolve: {
    // numjs reaches for Node's path and buffer; these are their browser versions.
    fallback: {
      path: require.resolve('path-browserify'),
      buffer: require.resolve('buffer/'),
    },
  },
  plugins: [
    page('index.html', 'generator'),
    page('draw.html', 'draw'),
    new CopyPlugin({
      patterns: [
        { from: 'app/style.css' },
        // Missing models still build: the pages then say to run python 2pack.py.
        { from: 'app/models', to: 'models', noErrorOnMissing: true },
      ],
    }),
    new OfflinePlugin(),
    new webpack.DefinePlugin({ MODELS_AT_BUILD: JSON.stringify(modelsAtBuild()) }),
  ],
  optimization: {
    // webdnn and numjs shared by both pages; an early script stays one small file.
    splitChunks: { chunks: (chunk) => !isEarly(chunk) },
  },
  performance: {
    // Model weights are large on purpose; only the code is held to the size budget.
    assetFilter: (file) => file.endsWith('.js') && !file.startsWith('models/'),
    maxEntrypointSize: 600 * 1024,
    maxAssetSize: 600 * 1024,
  },
};
