"""Browser inference speed: the generator in every engine in headless Chromium.

    result = browser_benchmark(weights, eightbit_folder, quick=False)   # results.json's 'browser'

Per engine: cold start (fresh browser context, so an empty cache), ms per digit, ms per
10x10 grid, bytes transferred before the first digit, and the largest difference from
Chainer's eval-mode output on 10 fixed (z, label) pairs.
"""
import gzip
import json
import os
import statistics
import tempfile
import urllib.parse

import numpy

from digitgan import checkpoints
from digitgan.generation.sampling import generate

from browser_site import run_browser, served_site
from common import file_bytes, log
from peer_models import write_peer_models

PARITY_SEED = 0     # z of the 10 (z, label) pairs compared with Chainer


CLOTHES = 'fashion-mnist'


def browser_jobs(base, quick, parity, datasets=()):
    """One job per engine for bench/browser.mjs; fewer repetitions with `quick`. The app's
    other data sets (`datasets`: contract.json's names) get a job each on webassembly."""
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
        slow = 'webgl' in job['name']       # SwiftShader: ~30x slower per run
        job.update(runs=runs, cold=max(2, cold - 2) if slow else cold, warmup=10 if slow else 20,
                   grids=max(1, grids - 2) if slow else grids, parity=parity)
    for name in datasets:        # its own weights: no parity with the digits' Chainer output
        jobs.append(dict(app, name='WebDNN webassembly (app, %s)' % name, runs=runs, cold=cold,
                         warmup=20, grids=grids, parity=None,
                         url=base + 'app/?dataset=%s&backend=webassembly&seed=1' % name))
    return jobs


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
        if item['url'].startswith('blob:'):
            continue        # a model file already downloaded, read again from memory
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


def max_difference(outputs, reference):
    if outputs is None:
        return None
    got = numpy.asarray(outputs, numpy.float32).reshape(reference.shape)
    return float(numpy.abs(got - reference).max())


def result_row(result, base, site, reference):
    """One engine's row of results.json from the driver's result."""
    if 'error' in result:
        return {'engine': result['name'], 'error': result['error'][:2000]}
    grids = {int(k): v['median'] for k, v in result['gridMs'].items()}
    best_batch = min(grids, key=grids.get) if grids else None
    app_batches = (result.get('info') or {}).get('batchSizes')
    if app_batches is not None:      # the app picks its own batch (the largest loaded)
        best_batch = max(app_batches, default=1)
        grids = {best_batch: grids[1]} if 1 in grids else grids
    return {
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
    }


def browser_benchmark(weights, eightbit_folder, quick=False, generator_npz=None):
    """Every engine on the generator weights['generator']; `generator_npz`: the name shown
    for it (contract.json's, default the path)."""
    net = checkpoints.load_network('generator', weights['generator'])
    labels = numpy.arange(net.n_classes, dtype=numpy.int32)
    z = net.make_hidden(len(labels), rng=numpy.random.RandomState(PARITY_SEED))
    reference = generate(net, z, labels).reshape(len(labels), -1)
    parity = {'zs': z.tolist(), 'labels': labels.tolist()}
    with tempfile.TemporaryDirectory(prefix='dcgan-bench-peers-') as peers:
        write_peer_models(net, peers)
        with served_site(eightbit_folder, peers) as (site, base):
            with open(os.path.join(site, 'app', 'models', 'contract.json')) as f:
                datasets = [n for n in json.load(f).get('datasets', {}) if n != 'mnist']
            jobs = browser_jobs(base, quick, parity, datasets)
            log('browser: %d engines in headless Chromium on %s' % (len(jobs), base))
            report = run_browser(jobs)
            rows = [result_row(result, base, site, reference) for result in report['results']]
    return {'browser': report['browser'], 'rows': rows,
            'generator': {'npz': generator_npz or weights['generator'],
                          'parameters': int(sum(p.size for p in net.params()))}}
