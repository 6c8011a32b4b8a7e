#!/usr/bin/env python
"""Does 8-bit weight encoding cost generated-digit quality? The shipped generator's float32
and 8-bit WebDNN descriptors (webassembly, batch-100 where converted) generate the same
digits (same z, same labels) in headless Chromium; evaluate.py --samples then measures both
sets with the recogniser, and the recogniser's readings of the two sets are compared digit
by digit.

    python bench/eightbit_quality.py [--per-label 500]    # bench/run.py calls it too
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

import digitgan  # noqa: E402,F401
import numpy  # noqa: E402

import run as bench  # noqa: E402

CHUNK = 1000          # digits per browser call


def to_base64(array):
    return base64.b64encode(numpy.ascontiguousarray(array, '<f4').tobytes()).decode('ascii')


def from_base64(text):
    return numpy.frombuffer(base64.b64decode(text), '<f4')


def browser_samples(site, base, folders, inputs):
    """{name: images (N, 28, 28)} from bench/pages/webdnn.html on each models folder."""
    chunks = [to_base64(inputs[i:i + CHUNK]) for i in range(0, len(inputs), CHUNK)]
    jobs = [{'name': name, 'cold': 1, 'sampleChunks': chunks,
             'url': base + 'bench/pages/webdnn.html?backend=webassembly&batched=1&models='
             + '../../%s/models' % folder} for name, folder in folders.items()]
    report = bench.run_browser(jobs)
    out = {}
    for result in report['results']:
        if 'error' in result:
            sys.exit('error: %s: %s' % (result['name'], result['error'][:2000]))
        out[result['name']] = numpy.concatenate(
            [from_base64(text) for text in result['samples']]).reshape(-1, 28, 28)
    return out


def evaluate(samples_path, json_path, real):
    done = subprocess.run([sys.executable, os.path.join(ROOT, 'evaluate.py'), '--samples',
                           samples_path, '--json', json_path, '--grid',
                           json_path[:-5] + '.png', '--real', str(real)],
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit('error: evaluate.py failed:\n%s' % (done.stdout + done.stderr)[-3000:])
    with open(json_path) as f:
        return json.load(f)


def predictions(images, recogniser_npz):
    import chainer
    from digitgan import checkpoints
    rec = checkpoints.load_network('recogniser', recogniser_npz)
    out = []
    with chainer.using_config('train', False), chainer.using_config('enable_backprop', False):
        for i in range(0, len(images), 500):
            out.append(rec(images[i:i + 500, None]).array.argmax(axis=1))
    return numpy.concatenate(out)


def measure(contract, per_label=500, real=2000, seed=0, log=bench.log):
    from digitgan import checkpoints
    from digitgan import webdnn_export
    net = checkpoints.load_network('generator', bench.source_npz(contract, 'generator'))
    labels = numpy.repeat(numpy.arange(net.n_classes), per_label)
    z = numpy.random.RandomState(seed).standard_normal(
        (len(labels), net.n_hidden)).astype(numpy.float32)
    inputs = net.make_input(z, labels)
    eightbit = bench.eightbit_models(contract)
    site = tempfile.mkdtemp(prefix='dcgan-bench-quality-')
    try:
        os.symlink(os.path.join(ROOT, 'dist'), os.path.join(site, 'app'))
        os.makedirs(os.path.join(site, 'app8'))
        os.symlink(eightbit, os.path.join(site, 'app8', 'models'))
        os.makedirs(os.path.join(site, 'bench'))
        os.symlink(os.path.join(HERE, 'pages'), os.path.join(site, 'bench', 'pages'))
        os.symlink(os.path.join(ROOT, 'node_modules'), os.path.join(site, 'node_modules'))
        server, base = bench.serve_folder(site)
        try:
            log('8-bit quality: %d digits from the float32 and the 8-bit descriptors'
                % len(labels))
            images = browser_samples(site, base, {'float32': 'app', 'eightbit': 'app8'}, inputs)
        finally:
            server.shutdown()
        reference = webdnn_export.reference_output('generator', net, inputs).reshape(-1, 28, 28)
        result = {'digits': int(len(labels)), 'per_label': per_label, 'real_test_digits': real}
        rec_npz = bench.source_npz(contract, 'recogniser')
        readings = {}
        for name, array in images.items():
            path = os.path.join(site, name + '.npz')
            numpy.savez_compressed(path, images=numpy.clip(array, 0, 1), labels=labels)
            log('8-bit quality: evaluate.py --samples (%s)' % name)
            evaluation = evaluate(path, os.path.join(site, name + '.json'), real)
            readings[name] = predictions(array, rec_npz)
            result[name] = {
                'conditional_accuracy': evaluation['metrics']['conditional_accuracy'],
                'frechet_distance': evaluation['metrics']['frechet_distance'],
                'diversity_ratio': evaluation['metrics']['diversity_ratio'],
                'max_abs_diff_from_chainer': float(numpy.abs(array - reference).max()),
                'mean_abs_diff_from_chainer': float(numpy.abs(array - reference).mean()),
            }
        result['accuracy_drop_points'] = 100 * (result['float32']['conditional_accuracy']
                                               - result['eightbit']['conditional_accuracy'])
        result['same_reading_share'] = float((readings['float32'] == readings['eightbit']).mean())
        return result
    finally:
        import shutil
        shutil.rmtree(site, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--per-label', type=int, default=500)
    parser.add_argument('--real', type=int, default=2000,
                        help='real MNIST test digits for evaluate.py (default %(default)s)')
    args = parser.parse_args()
    print(json.dumps(measure(bench.shipped_contract(), args.per_label, args.real), indent=2))


if __name__ == '__main__':
    main()
