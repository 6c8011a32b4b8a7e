// Bundles the two pages into dist/: index.html (generator) and draw.html (recogniser),
// with the shared CSS and the converted models (app/models/, written by 2pack.py) copied
// to dist/models/, and sw.js, the service worker that keeps them for offline use
// (app/build/offline-plugin.js). `npm run build` runs it; `npm start` serves dist/.
const path = require('path');
const CopyPlugin = require('copy-webpack-plugin');
const HtmlWebpackPlugin = require('html-webpack-plugin');
const OfflinePlugin = require('./app/build/offline-plugin.js');

const page = (template, chunk) => new HtmlWebpackPlugin({
  template: path.resolve(__dirname, 'app', template),
  filename: template,
  chunks: [chunk],
});

module.exports = {
  entry: {
    generator: './app/src/generator-page.js',
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
  ],
  optimization: {
    splitChunks: { chunks: 'all' },          // webdnn and numjs shared by both pages
  },
  performance: {
    // Model weights are large on purpose; only the code is held to the size budget.
    assetFilter: (file) => file.endsWith('.js') && !file.startsWith('models/'),
    maxEntrypointSize: 600 * 1024,
    maxAssetSize: 600 * 1024,
  },
};
