#!/usr/bin/env python
"""`make bench`: the shipped generator in every browser engine, and the training step in
Chainer and PyTorch, side by side. Prints a table and writes bench/results.json.

    python bench/run.py                 # everything (~6-9 minutes on 2 cores)
    python bench/run.py --quick         # fewer runs, to check that everything works
    python bench/run.py --only browser  # or: --only training

Browser: headless Chromium loads each engine from 127.0.0.1 (a fresh browser context, so an
empty cache, for every cold start): the real bundle (dist/, `npm run build`) with the real
descriptors (app/models/, `python 2pack.py`), the same bundle with 8-bit weights
(2pack.py --eightbit into a cache folder), and pages under bench/pages/ for WebDNN's bare
runner, onnxruntime-web (the ONNX export, `2pack.py --onnx`'s onnx_export.py) and
TensorFlow.js (wasm), all on the weights that app/models/contract.json names.
Training: bench/train_bench.py (interleaved subprocesses, 1 and 2 threads).
"""
import argparse
import datetime
import gzip
import hashlib
import http.server
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

import digitgan  # noqa: E402,F401  (before chainer and webdnn)
import numpy  # noqa: E402

import serve  # noqa: E402
import train_bench  # noqa: E402

CACHE = os.path.join(HERE, '.cache')
RESULTS = os.path.join(HERE, 'results.json')
NPM_PACKAGES = ('webdnn', 'onnxruntime-web', '@tensorflow/tfjs-core',
                '@tensorflow/tfjs-backend-wasm', 'playwright-core', 'numjs', 'webpack')
PY_PACKAGES = ('chainer', 'numpy', 'webdnn', 'torch', 'onnx', 'onnxruntime')
# Targets from the issue; checked against this run's figures at the end.
TARGETS = {'digit_ms': 1.0, 'grid_ms': 30.0, 'cold_ms': 300.0, 'model_kb_8bit': 300.0,
           'webdnn_over_best_peer': 1.0, 'chainer_over_pytorch': 1.5}


def log(text):
    print(text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- what ran where

def command_output(command):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60,
                              cwd=ROOT).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def cpu_model():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gb():
    try:
        with open('/proc/meminfo') as f:
            for line in f:
                if line.startswith('MemTotal'):
                    return round(int(line.split()[1]) / 1024 ** 2, 1)
    except OSError:
        return None


def machine_info():
    from importlib import metadata
    python_packages = {}
    for name in PY_PACKAGES:
        try:
            python_packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            python_packages[name] = None
    npm_packages = {}
    for name in NPM_PACKAGES:
        try:
            with open(os.path.join(ROOT, 'node_modules', name, 'package.json')) as f:
                npm_packages[name] = json.load(f)['version']
        except OSError:
            npm_packages[name] = None
    blas = None
    try:
        blas = numpy.__config__.CONFIG['Build Dependencies']['blas']
        blas = '%s %s' % (blas.get('name'), blas.get('version'))
    except (AttributeError, KeyError, TypeError):
        pass
    emcc = command_output(['em++', '--version'])
    return {
        'date': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
        'cpu': cpu_model(), 'cores': os.cpu_count(), 'memory_gb': memory_gb(),
        'gpu': 'none used: this benchmark runs on the CPU only (no GPU on this machine)',
        'os': platform.platform(), 'python': platform.python_version(),
        'node': command_output(['node', '--version']),
        'emscripten': emcc.splitlines()[0] if emcc else None,
        'blas': blas,
        'openblas_coretype': os.environ.get('OPENBLAS_CORETYPE'),
        'python_packages': python_packages, 'npm_packages': npm_packages,
        'load_average_at_start': os.getloadavg(),
    }


# ---------------------------------------------------------------- models

def sha256_text(*parts):
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode())
    return digest.hexdigest()[:16]


def file_bytes(path):
    with open(path, 'rb') as f:
        return f.read()


def shipped_contract():
    path = os.path.join(ROOT, 'app', 'models', 'contract.json')
    if not os.path.isfile(path):
        sys.exit('error: app/models/contract.json is missing: run python 2pack.py, then '
                 'npm run build')
    with open(path) as f:
        contract = json.load(f)
    built = os.path.join(ROOT, 'dist', 'models', 'contract.json')
    if not os.path.isfile(built) or json.load(open(built)) != contract:
        sys.exit('error: dist/ is missing or older than app/models: run npm run build')
    return contract


# --generator / --recogniser: a copy of the weights contract.json names, kept elsewhere
# (training keeps only its newest gen_iter_<N>.npz files). Checked by sha256 all the same.
WEIGHT_OVERRIDES = {}


def source_npz(contract, kind):
    entry = contract[kind]['source']
    path = WEIGHT_OVERRIDES.get(kind) or os.path.join(ROOT, entry['npz'])
    if not os.path.isfile(path):
        sys.exit('error: %s (the %s weights app/models/contract.json names) is missing: '
                 're-run python 2pack.py with weights that exist, or pass a copy with --%s'
                 % (entry['npz'], kind, kind))
    if hashlib.sha256(file_bytes(path)).hexdigest() != entry['sha256']:
        sys.exit('error: %s is not the file 2pack.py converted (sha256 differs): re-run '
                 'python 2pack.py' % path)
    return path


def shipped_2pack_flags(contract):
    """The 2pack.py flags that reproduce app/models' set of graphs."""
    flags = []
    if 'generator_b10' in contract:
        flags.append('--batch10')
    if 'generator_b100' in contract:
        flags.append('--batch100')
    simd = contract.get('webassembly_simd')
    if simd is not None:
        flags.append('--wasm-simd' if simd else '--no-wasm-simd')
    return flags


def eightbit_models(contract):
    """app/models converted again with --eightbit (cached by inputs): the models folder."""
    generator, recogniser = source_npz(contract, 'generator'), source_npz(contract, 'recogniser')
    flags = ['--eightbit'] + shipped_2pack_flags(contract)
    key = sha256_text(file_bytes(generator), file_bytes(recogniser), ' '.join(flags),
                      file_bytes(os.path.join(ROOT, '2pack.py')),
                      file_bytes(os.path.join(ROOT, 'checkpoints.py')),
                      file_bytes(os.path.join(ROOT, 'webdnn_export.py')))
    out = os.path.join(CACHE, 'eightbit-' + key, 'models')
    if not os.path.isfile(os.path.join(out, 'contract.json')):
        log('converting the shipped weights with 2pack.py %s (cached in %s)'
            % (' '.join(flags), os.path.relpath(out, ROOT)))
        for name in os.listdir(CACHE) if os.path.isdir(CACHE) else []:
            if name.startswith('eightbit-'):          # older weights or flags: not needed
                shutil.rmtree(os.path.join(CACHE, name), ignore_errors=True)
        os.makedirs(os.path.dirname(out))
        done = subprocess.run([sys.executable, os.path.join(ROOT, '2pack.py'), '--generator',
                               generator, '--recogniser', recogniser, '--out', out] + flags,
                              cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit('error: 2pack.py --eightbit failed:\n%s' % (done.stdout + done.stderr)[-3000:])
    return out


def write_tfjs_weights(net, folder):
    """The generator's weights for bench/pages/tfjs.html: float32, the Linear layer's outputs
    (and bn0) permuted from (c, y, x) to (y, x, c) so that they reshape straight to NHWC;
    deconvolution filters as tfjs's [kh, kw, out, in]."""
    os.makedirs(folder, exist_ok=True)
    ch, width = net.ch, net.bottom_width
    perm = numpy.arange(ch * width * width).reshape(ch, width, width).transpose(1, 2, 0).ravel()
    tensors = {
        'l0.W': net.l0.W.array[perm].T, 'l0.b': net.l0.b.array[perm],
        'dc1.W': net.dc1.W.array.transpose(2, 3, 1, 0), 'dc1.b': net.dc1.b.array,
        'dc2.W': net.dc2.W.array.transpose(2, 3, 1, 0), 'dc2.b': net.dc2.b.array,
    }
    for name, bn, order in (('bn0', net.bn0, perm), ('bn1', net.bn1, slice(None))):
        tensors.update({name + '.gamma': bn.gamma.array[order], name + '.beta': bn.beta.array[order],
                        name + '.mean': bn.avg_mean[order], name + '.var': bn.avg_var[order]})
    entries, blobs, offset = [], [], 0
    for name, value in tensors.items():
        blob = numpy.ascontiguousarray(value, numpy.float32).tobytes()
        entries.append({'name': name, 'shape': list(value.shape), 'offset': offset,
                        'size': int(value.size)})
        blobs.append(blob)
        offset += len(blob)
    with open(os.path.join(folder, 'generator.bin'), 'wb') as f:
        f.write(b''.join(blobs))
    with open(os.path.join(folder, 'generator.json'), 'w') as f:
        json.dump({'weights': 'generator.bin', 'tensors': entries, 'ch': ch,
                   'bottom_width': width, 'eps': {'bn0': net.bn0.eps, 'bn1': net.bn1.eps}}, f)


def peer_models(net, folder):
    """generator.onnx (onnx_export.py, as 2pack.py --onnx writes it) and tfjs weights."""
    from digitgan import onnx_export
    os.makedirs(folder, exist_ok=True)
    onnx_export.save_generator(net, os.path.join(folder, 'generator.onnx'))
    write_tfjs_weights(net, os.path.join(folder, 'tfjs'))


# ---------------------------------------------------------------- serving

class IsolatedHandler(serve.Handler):
    """serve.py's handler plus the two headers that make a page cross-origin isolated, which
    multi-threaded WebAssembly (SharedArrayBuffer) needs; everything is same-origin here."""

    def end_headers(self):
        self.send_header('Cross-Origin-Opener-Policy', 'same-origin')
        self.send_header('Cross-Origin-Embedder-Policy', 'require-corp')
        super().end_headers()


def serve_folder(folder):
    import functools
    server = http.server.ThreadingHTTPServer(
        ('127.0.0.1', 0), functools.partial(IsolatedHandler, directory=folder))
    server.quiet = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, 'http://127.0.0.1:%d/' % server.server_address[1]


def build_site(site, eightbit_folder, peer_folder):
    """The served tree: app/ (dist/), app8/ (dist/ with 8-bit models), bench/pages/,
    node_modules/ and models/ (the peer engines' files)."""
    os.symlink(os.path.join(ROOT, 'dist'), os.path.join(site, 'app'))
    app8 = os.path.join(site, 'app8')
    shutil.copytree(os.path.join(ROOT, 'dist'), app8, ignore=shutil.ignore_patterns('models'))
    os.symlink(eightbit_folder, os.path.join(app8, 'models'))
    os.makedirs(os.path.join(site, 'bench'))
    os.symlink(os.path.join(HERE, 'pages'), os.path.join(site, 'bench', 'pages'))
    os.symlink(os.path.join(ROOT, 'node_modules'), os.path.join(site, 'node_modules'))
    os.symlink(peer_folder, os.path.join(site, 'models'))


def served_file(site, url):
    path = urllib.parse.unquote(urllib.parse.urlparse(url).path).lstrip('/')
    full = os.path.join(site, path)
    if os.path.isdir(full):
        full = os.path.join(full, 'index.html')
    return full if os.path.isfile(full) else None


def transfer_summary(site, transferred):
    """Bytes of every response before the first digit, raw (as served) and gzip -9."""
    raw = gz = model_raw = model_gz = 0
    files = []
    for item in transferred:
        path = served_file(site, item['url'])
        size = item['bytes'] if item['bytes'] is not None else (
            os.path.getsize(path) if path else 0)
        packed = len(gzip.compress(file_bytes(path), 9)) if path else size
        is_model = '/models/' in urllib.parse.urlparse(item['url']).path
        raw += size
        gz += packed
        if is_model:
            model_raw += size
            model_gz += packed
        files.append({'path': urllib.parse.urlparse(item['url']).path, 'bytes': size,
                      'gzip': packed, 'model': is_model})
    return {'raw': raw, 'gzip': gz, 'model_raw': model_raw, 'model_gzip': model_gz,
            'requests': len(files), 'files': files}


# ---------------------------------------------------------------- browser

def browser_jobs(base, quick, parity):
    runs, cold, grids = (50, 2, 2) if quick else (200, 5, 5)
    app = {'hook': 'dcganTest', 'gridBatches': [1]}
    jobs = [
        dict(app, name='WebDNN webassembly (app)', url=base + 'app/?backend=webassembly&seed=1'),
        dict(app, name='WebDNN webassembly 8-bit (app)',
             url=base + 'app8/?backend=webassembly&seed=1'),
        dict(app, name='WebDNN webgl (app)', url=base + 'app/?backend=webgl&seed=1'),
        dict(app, name='WebDNN webgl 8-bit (app)', url=base + 'app8/?backend=webgl&seed=1'),
        {'name': 'WebDNN webassembly (bench page)', 'gridBatches': [1, 10, 100],
         'url': base + 'bench/pages/webdnn.html?backend=webassembly&batched=1'},
        {'name': 'onnxruntime-web wasm, 1 thread', 'gridBatches': [1, 100],
         'url': base + 'bench/pages/ort.html?threads=1'},
        {'name': 'onnxruntime-web wasm, 2 threads', 'gridBatches': [1, 100],
         'url': base + 'bench/pages/ort.html?threads=2'},
        {'name': 'TensorFlow.js wasm, 1 thread', 'gridBatches': [1, 100],
         'url': base + 'bench/pages/tfjs.html?threads=1'},
    ]
    for job in jobs:
        slow = 'webgl' in job['name']
        job.update(runs=runs, cold=max(2, cold - 2) if slow else cold, warmup=10 if slow else 20,
                   grids=max(1, grids - 2) if slow else grids, parity=parity)
    return jobs


def run_browser(jobs):
    done = subprocess.run(['node', os.path.join(HERE, 'browser.mjs')],
                          input=json.dumps({'jobs': jobs}), capture_output=True, text=True,
                          cwd=ROOT, timeout=1800)
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        sys.exit('error: the browser driver failed (exit %d)' % done.returncode)
    return json.loads(done.stdout)


def max_difference(outputs, reference):
    if outputs is None:
        return None
    got = numpy.asarray(outputs, numpy.float32).reshape(reference.shape)
    return float(numpy.abs(got - reference).max())


def browser_benchmark(contract, quick):
    from digitgan import checkpoints
    from digitgan import webdnn_export
    net = checkpoints.load_network('generator', source_npz(contract, 'generator'))
    rng = numpy.random.RandomState(0)
    n = net.n_classes
    zs = rng.standard_normal((n, net.n_hidden)).astype(numpy.float32)
    labels = numpy.arange(n)
    reference = webdnn_export.reference_output('generator', net, net.make_input(zs, labels))
    reference = reference.reshape(n, -1)
    parity = {'zs': zs.tolist(), 'labels': labels.tolist()}

    eightbit = eightbit_models(contract)
    site = tempfile.mkdtemp(prefix='dcgan-bench-site-')
    try:
        peer_models(net, os.path.join(site, '.peer-models'))
        build_site(site, eightbit, os.path.join(site, '.peer-models'))
        server, base = serve_folder(site)
        try:
            log('browser: %d engines in headless Chromium on %s' % (8, base))
            report = run_browser(browser_jobs(base, quick, parity))
        finally:
            server.shutdown()
        rows = []
        for result in report['results']:
            if 'error' in result:
                rows.append({'engine': result['name'], 'error': result['error'][:2000]})
                continue
            grids = {int(k): v['median'] for k, v in result['gridMs'].items()}
            best_batch = min(grids, key=grids.get) if grids else None
            app_batches = (result.get('info') or {}).get('batchSizes')
            if app_batches is not None:      # the app picks its own batch (the largest loaded)
                best_batch = max(app_batches, default=1)
                grids = {best_batch: grids[1]} if 1 in grids else grids
            rows.append({
                'engine': result['name'], 'url': result['url'].replace(base, '/'),
                'info': result.get('info'),
                'cold_start_ms': statistics.median(result['coldMs']),
                'cold_start_all_ms': result['coldMs'],
                'cold_start_timeline': result.get('timeline'),
                'digit_ms': result['digitMs'],
                'grid_ms': grids[best_batch] if grids else None,
                'grid_batch': best_batch, 'grid_ms_by_batch': grids,
                'transfer': transfer_summary(site, result['transferred']),
                'max_abs_diff': max_difference(result.get('outputs'), reference),
                'max_abs_diff_batched': max_difference(result.get('batchOutputs'), reference),
                'console_errors': result.get('consoleErrors', []),
            })
    finally:
        shutil.rmtree(site, ignore_errors=True)
    return {'browser': report['browser'], 'rows': rows,
            'generator': {'npz': contract['generator']['source']['npz'],
                          'parameters': int(sum(p.size for p in net.params()))}}


# ---------------------------------------------------------------- report

def fmt(value, digits=2):
    if value is None:
        return '-'
    if isinstance(value, str):
        return value
    return ('%.' + str(digits) + 'f') % value


def comparisons(browser, training, quality=None):
    out = {}
    if quality:
        out['eightbit_accuracy_drop_points'] = quality['accuracy_drop_points']
    if browser:
        rows = {row['engine']: row for row in browser['rows'] if 'error' not in row}
        peers = [row for name, row in rows.items() if not name.startswith('WebDNN')]
        app = rows.get('WebDNN webassembly (app)')
        app8 = rows.get('WebDNN webassembly 8-bit (app)')
        if app and peers:
            best_digit = min(peers, key=lambda r: r['digit_ms'])
            best_grid = min(peers, key=lambda r: r['grid_ms'])
            out['webdnn_digit_over_best_peer'] = app['digit_ms'] / best_digit['digit_ms']
            out['best_peer_digit'] = best_digit['engine']
            out['webdnn_grid_over_best_peer'] = app['grid_ms'] / best_grid['grid_ms']
            out['best_peer_grid'] = best_grid['engine']
        if app:
            out['digit_ms'] = app['digit_ms']
            out['grid_ms'] = app['grid_ms']
            out['cold_ms'] = app['cold_start_ms']
        if app8:
            out['model_kb_8bit'] = app8['transfer']['model_raw'] / 1000
            out['model_kb_8bit_gzip'] = app8['transfer']['model_gzip'] / 1000
            out['cold_ms_8bit'] = app8['cold_start_ms']
    if training:
        out['chainer_over_pytorch'] = {threads: summary['chainer_over_pytorch']
                                       for threads, summary in training.items()}
    checks = {}
    if 'digit_ms' in out:
        checks['one digit <= 1 ms (webassembly)'] = out['digit_ms'] <= TARGETS['digit_ms']
        checks['10x10 grid <= 30 ms (webassembly)'] = out['grid_ms'] <= TARGETS['grid_ms']
        checks['cold start <= 300 ms'] = out['cold_ms'] <= TARGETS['cold_ms']
    if 'webdnn_digit_over_best_peer' in out:
        checks['WebDNN digit time <= best peer'] = out['webdnn_digit_over_best_peer'] <= 1.0
        checks['WebDNN grid time <= best peer'] = out['webdnn_grid_over_best_peer'] <= 1.0
    if quality:
        checks['8-bit conditional accuracy drop <= 0.2 points'] = \
            quality['accuracy_drop_points'] <= 0.2
    if 'model_kb_8bit' in out:
        checks['8-bit model download <= 300 kB'] = out['model_kb_8bit'] <= TARGETS['model_kb_8bit']
    if training:
        checks['Chainer step <= 1.5x PyTorch (1 thread)'] = \
            training['1']['chainer_over_pytorch'] <= TARGETS['chainer_over_pytorch'] \
            if '1' in training else None
    out['targets_met'] = checks
    return out


def print_report(results):
    info = results['machine']
    print('\nBenchmark %s | %s, %d cores | %s | no GPU (CPU only)' % (
        info['date'], info['cpu'], info['cores'], results.get('browser', {}).get('browser', '')
        and 'Chromium ' + results['browser']['browser']))
    browser = results.get('browser')
    if browser:
        print('\nBrowser inference: generator %s (%d parameters), headless Chromium %s'
              % (browser['generator']['npz'], browser['generator']['parameters'],
                 browser['browser']))
        header = ('engine', 'cold ms', 'digit ms', 'grid ms', '(batch)', 'kB raw', 'kB gz',
                  'model kB', 'model gz', 'max|diff|')
        print('%-34s %8s %9s %8s %7s %8s %7s %8s %8s %9s' % header)
        for row in browser['rows']:
            if 'error' in row:
                print('%-34s failed: %s' % (row['engine'], row['error'].splitlines()[0][:100]))
                continue
            t = row['transfer']
            print('%-34s %8.0f %9.3f %8.1f %7s %8.0f %7.0f %8.0f %8.0f %9.1e' % (
                row['engine'], row['cold_start_ms'], row['digit_ms'], row['grid_ms'],
                row['grid_batch'], t['raw'] / 1000, t['gzip'] / 1000, t['model_raw'] / 1000,
                t['model_gzip'] / 1000, row['max_abs_diff']))
        print('cold: navigation -> first digit drawn (median of fresh-cache loads); digit: '
              'median of single runs after warm-up; grid: 100 digits generated + drawn '
              '(median), in runs of (batch); kB: responses before the first digit; '
              'max|diff|: vs Chainer eval mode')
    quality = results.get('eightbit_quality')
    if quality:
        print('\n8-bit weights, same %d digits (z, label) from the float32 and the 8-bit '
              'descriptors, evaluate.py --samples:' % quality['digits'])
        for name in ('float32', 'eightbit'):
            q = quality[name]
            print('  %-9s conditional accuracy %.4f, Frechet %.2f, max|diff| from Chainer %.3f'
                  % (name, q['conditional_accuracy'], q['frechet_distance'],
                     q['max_abs_diff_from_chainer']))
        print('  accuracy drop %.2f points; the recogniser reads %.2f %% of the digit pairs alike'
              % (quality['accuracy_drop_points'], 100 * quality['same_reading_share']))
    training = results.get('training')
    if training:
        print('\nTraining: full G+D step, batch 100, CPU (interleaved subprocesses; no GPU)')
        print('%-8s %-17s %10s %10s %12s %10s' % ('threads', 'framework', 's/step', 'images/s',
                                                  'peak RSS MB', 'params'))
        for threads, summary in training.items():
            for name in train_bench.VARIANTS:
                s = summary[name]
                print('%-8s %-17s %10.3f %10.0f %12.0f %10d' % (
                    threads, name, s['seconds_per_step'], s['images_per_second'],
                    s['peak_rss_mb'], sum(s['parameters'].values())))
            print('%-8s Chainer / PyTorch = %.2fx (before update_from: %.2fx)' % (
                '', summary['chainer_over_pytorch'],
                summary['chainer-backward']['seconds_per_step']
                / summary['pytorch']['seconds_per_step']))
        print('chainer-backward: the updater before this benchmark (full loss.backward())')
    summary = results['summary']
    print('\nTargets:')
    for name, met in summary['targets_met'].items():
        print('  %-45s %s' % (name, {True: 'met', False: 'MISSED', None: '-'}[met]))
    for key in ('webdnn_digit_over_best_peer', 'webdnn_grid_over_best_peer'):
        if key in summary:
            print('  %-45s %.2f (best peer: %s)' % (
                key.replace('_', ' '), summary[key],
                summary['best_peer_' + key.split('_')[1]]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--quick', action='store_true',
                        help='fewer runs and rounds: checks the benchmark, not the machine')
    parser.add_argument('--only', choices=('browser', 'training'))
    parser.add_argument('--out', default=RESULTS, help='JSON results (default: %(default)s)')
    for kind in ('generator', 'recogniser'):
        parser.add_argument('--' + kind, metavar='NPZ',
                            help='a copy of the %s weights that app/models/contract.json names '
                                 '(same sha256), if the original is gone' % kind)
    args = parser.parse_args()
    WEIGHT_OVERRIDES.update({kind: os.path.abspath(getattr(args, kind))
                             for kind in ('generator', 'recogniser') if getattr(args, kind)})

    results = {'machine': machine_info()}
    contract = None
    if args.only != 'training':
        import eightbit_quality
        contract = shipped_contract()
        results['browser'] = browser_benchmark(contract, args.quick)
        results['machine']['chromium'] = results['browser']['browser']
        results['eightbit_quality'] = eightbit_quality.measure(
            contract, per_label=100 if args.quick else 500, real=1000 if args.quick else 2000)
    if args.only != 'browser':
        log('training: Chainer vs PyTorch, full G+D step at batch 100 (no GPU: CPU only)')
        results['training'] = train_bench.run(
            threads=(1, 2), rounds=1 if args.quick else 3, iterations=4 if args.quick else 12,
            warmup=2 if args.quick else 3, log=log)
    results['summary'] = comparisons(results.get('browser'), results.get('training'),
                                     results.get('eightbit_quality'))
    results['machine']['load_average_at_end'] = os.getloadavg()
    with open(args.out, 'w') as f:
        json.dump(results, f, indent=1)
        f.write('\n')
    print_report(results)
    print('\nwrote %s' % os.path.relpath(args.out))


if __name__ == '__main__':
    main()
