/**
 * What every engine page of the benchmark shares (bench/pages/*.html): seeded noise, the
 * generator input concat(z, one_hot(label)), drawing digits with putImageData, and the
 * hook the driver (bench/browser.mjs) calls: window.dcganBench.
 *
 * An engine page defines `engine = {name, load(), run(input, batch) -> Float32Array}` and
 * calls startBench(engine). Timings include building the input and copying the output out,
 * as the app's own timings do.
 */
const N_HIDDEN = 100;
const N_CLASSES = 10;
const SIZE = 28;
const PIXELS = SIZE * SIZE;

function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6D2B79F5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const uniform = mulberry32(1);

/** z ~ N(0, 1)^N_HIDDEN by Box-Muller. */
function sampleNormal() {
  const z = new Float32Array(N_HIDDEN);
  for (let i = 0; i < N_HIDDEN; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const a = 2 * Math.PI * uniform();
    z[i] = r * Math.cos(a);
    if (i + 1 < N_HIDDEN) z[i + 1] = r * Math.sin(a);
  }
  return z;
}

/** Rows of concat(z, one_hot(label)) for each (z, label) pair, as one Float32Array. */
function makeInput(pairs) {
  const width = N_HIDDEN + N_CLASSES;
  const input = new Float32Array(pairs.length * width);
  pairs.forEach(([z, label], i) => {
    input.set(z, i * width);
    input[i * width + N_HIDDEN + label] = 1;
  });
  return input;
}

/** Draw `count` 28x28 images (ink = 1) from `pixels` as dark ink on white, `columns` a row. */
function drawDigits(canvas, pixels, count, columns) {
  const rows = Math.ceil(count / columns);
  if (canvas.width !== columns * SIZE || canvas.height !== rows * SIZE) {
    canvas.width = columns * SIZE;
    canvas.height = rows * SIZE;
  }
  const context = canvas.getContext('2d');
  const image = context.createImageData(SIZE, SIZE);
  for (let n = 0; n < count; n++) {
    for (let i = 0; i < PIXELS; i++) {
      const grey = 255 - 255 * pixels[n * PIXELS + i];
      image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = grey;
      image.data[4 * i + 3] = 255;
    }
    context.putImageData(image, (n % columns) * SIZE, Math.floor(n / columns) * SIZE);
  }
}

const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function startBench(engine) {
  const status = document.getElementById('status');
  const canvas = document.getElementById('output');
  const sheet = document.getElementById('sheet');
  try {
    await engine.load();
    const first = await engine.run(makeInput([[sampleNormal(), 0]]), 1);
    drawDigits(canvas, first, 1, 1);
    performance.mark('first-digit');
    if (engine.loadMore) await engine.loadMore();   // what the first digit did not need
  } catch (err) {
    console.error(err);
    status.textContent = `Error: ${err.message}`;
    document.body.dataset.state = 'error';
    return;
  }
  const z = sampleNormal();
  const batches = engine.batches || [1];
  window.dcganBench = {
    engine: engine.name,
    info: () => (engine.info ? engine.info() : {}),
    /** Output (784 numbers) for one z and label. */
    generate: async (noise, label) =>
      Array.from(await engine.run(makeInput([[Float32Array.from(noise), label]]), 1)),
    /** Outputs of one batched run (n x 784 numbers), or null if the engine has no such batch. */
    generateBatch: async (noises, labels) => {
      if (!batches.includes(noises.length)) return null;
      const out = await engine.run(makeInput(noises.map((n, i) => [Float32Array.from(n), labels[i]])),
        noises.length);
      return Array.from(out);
    },
    /** Outputs for many generator inputs at once, float32 little-endian in base64 both ways
     * (bench/eightbit_quality.py): runs of `batch` rows, the largest batch loaded by default. */
    runBase64: async (inputBase64, batch = Math.max(...batches)) => {
      const bytes = Uint8Array.from(atob(inputBase64), (c) => c.charCodeAt(0));
      const input = new Float32Array(bytes.buffer);
      const width = N_HIDDEN + N_CLASSES;
      const rows = input.length / width;
      const output = new Float32Array(rows * PIXELS);
      for (let i = 0; i < rows; i += batch) {
        const n = Math.min(batch, rows - i);
        const size = batches.includes(n) ? n : 1;
        for (let j = i; j < i + n; j += size) {
          output.set(await engine.run(input.subarray(j * width, (j + size) * width), size), j * PIXELS);
        }
      }
      const out = new Uint8Array(output.buffer);
      let text = '';
      for (let i = 0; i < out.length; i += 0x8000) text += String.fromCharCode(...out.subarray(i, i + 0x8000));
      return btoa(text);
    },
    /** Median ms over `runs` single-digit generations (input built, output copied). */
    timeDigit: async (runs = 200) => {
      const times = [];
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        await engine.run(makeInput([[z, i % N_CLASSES]]), 1);
        times.push(performance.now() - start);
      }
      return median(times);
    },
    /** ms for a 10x10 grid (fresh z per row, digits 0-9 across), generated and drawn, as one
     * run of batch `batch` repeated 100 / batch times. */
    timeGrid: async (batch = 1) => {
      if (!batches.includes(batch)) return null;
      const start = performance.now();
      const pairs = [];
      for (let row = 0; row < 10; row++) {
        const noise = sampleNormal();
        for (let label = 0; label < N_CLASSES; label++) pairs.push([noise, label]);
      }
      const pixels = new Float32Array(100 * PIXELS);
      for (let i = 0; i < 100; i += batch) {
        pixels.set(await engine.run(makeInput(pairs.slice(i, i + batch)), batch), i * PIXELS);
      }
      drawDigits(sheet, pixels, 100, 10);
      return performance.now() - start;
    },
  };
  status.textContent = `Ready: ${engine.name}`;
  document.body.dataset.state = 'ready';
}
