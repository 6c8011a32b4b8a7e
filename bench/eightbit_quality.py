#!/usr/bin/env python
"""Does 8-bit weight encoding cost generated-digit quality? The float32 and the 8-bit WebDNN
descriptors (webassembly, batch-100 where converted) of the shipped generator generate the
same digits (same z, same labels) in headless Chromium; evaluate.py --samples then measures
both sets with the recogniser, and the recogniser's readings of the two sets are compared
digit by digit.

    python bench/eightbit_quality.py [--per-label 500] [--generator NPZ] [--recogniser NPZ]

bench/run.py runs the same measure() as one of its steps.
"""
import base64
import json
import os
import subprocess
import sys
import tempfile

import numpy

from digitgan import checkpoints, cli
from digitgan.generation.sampling import generate

from browser_site import run_browser, served_site
from common import (ROOT, add_weight_arguments, eightbit_models, log, shipped_contract,
                    source_weights)

CHUNK = 1000          # digits per call into the page (keeps each message small)
RECOGNISER_BATCH = 500


def to_base64(array):
    return base64.b64encode(numpy.ascontiguousarray(array, '<f4').tobytes()).decode('ascii')


def from_base64(text):
    return numpy.frombuffer(base64.b64decode(text), '<f4')


def browser_samples(eightbit_folder, inputs):
    """{'float32': images, 'eightbit': images} (N, 28, 28) from bench/pages/webdnn.html on
    the app's models (dist/models) and on `eightbit_folder`, for generator `inputs`."""
    chunks = [to_base64(inputs[i:i + CHUNK]) for i in range(0, len(inputs), CHUNK)]
    folders = {'float32': 'app', 'eightbit': 'app8'}
    with served_site(eightbit_folder) as (_, base):
        jobs = [{'name': name, 'cold': 1, 'sampleChunks': chunks,
                 'url': base + 'bench/pages/webdnn.html?backend=webassembly&batched=1&models='
                 + '../../%s/models' % folder} for name, folder in folders.items()]
        report = run_browser(jobs)
    out = {}
    for result in report['results']:
        if 'error' in result:
            log(result['error'][:2000])
            raise cli.UserError('%s digits could not be generated in the browser (the '
                                'error is above)' % result['name'])
        out[result['name']] = numpy.concatenate(
            [from_base64(text) for text in result['samples']]).reshape(-1, 28, 28)
    return out


def evaluate(samples_path, json_path, recogniser, real):
    """evaluate.py --samples with `recogniser`: its JSON as a dict."""
    done = subprocess.run([sys.executable, os.path.join(ROOT, 'evaluate.py'), '--samples',
                           samples_path, '--judge', recogniser, '--drawn', '0',
                           '--json', json_path,
                           '--grid', json_path[:-5] + '.png', '--real', str(real)],
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        log((done.stdout + done.stderr)[-3000:])
        raise cli.UserError('evaluate.py --samples failed (its output is above)')
    with open(json_path) as f:
        return json.load(f)


def readings(images, recogniser):
    """The digit the recogniser reads in each image (N, 28, 28)."""
    import chainer
    rec = checkpoints.load_network('recogniser', recogniser)
    out = []
    with chainer.using_config('train', False), chainer.using_config('enable_backprop', False):
        for i in range(0, len(images), RECOGNISER_BATCH):
            out.append(rec(images[i:i + RECOGNISER_BATCH, None]).array.argmax(axis=1))
    return numpy.concatenate(out)


def measure(weights, eightbit_folder, per_label=500, real=2000, seed=0):
    """weights: {'generator': npz, 'recogniser': npz} (common.source_weights);
    eightbit_folder: those weights converted with 2pack.py --eightbit. Returns results.json's
    'eightbit_quality'."""
    net = checkpoints.load_network('generator', weights['generator'])
    labels = numpy.repeat(numpy.arange(net.n_classes, dtype=numpy.int32), per_label)
    z = net.make_hidden(len(labels), rng=numpy.random.RandomState(seed))
    log('8-bit quality: %d digits from the float32 and the 8-bit descriptors' % len(labels))
    images = browser_samples(eightbit_folder, net.make_input(z, labels))
    reference = generate(net, z, labels).reshape(-1, 28, 28)
    result = {'digits': int(len(labels)), 'per_label': per_label, 'real_test_digits': real}
    read = {}
    with tempfile.TemporaryDirectory(prefix='dcgan-bench-quality-') as scratch:
        for name, array in images.items():
            path = os.path.join(scratch, name + '.npz')
            numpy.savez_compressed(path, images=numpy.clip(array, 0, 1), labels=labels)
            log('8-bit quality: evaluate.py --samples (%s)' % name)
            evaluation = evaluate(path, os.path.join(scratch, name + '.json'),
                                  weights['recogniser'], real)
            read[name] = readings(array, weights['recogniser'])
            result[name] = {
                'conditional_accuracy': evaluation['metrics']['conditional_accuracy'],
                'frechet_distance': evaluation['metrics']['frechet_distance'],
                'diversity_ratio': evaluation['metrics']['diversity_ratio'],
                'max_abs_diff_from_chainer': float(numpy.abs(array - reference).max()),
                'mean_abs_diff_from_chainer': float(numpy.abs(array - reference).mean()),
            }
    result['accuracy_drop_points'] = 100 * (result['float32']['conditional_accuracy']
                                           - result['eightbit']['conditional_accuracy'])
    result['same_reading_share'] = float((read['float32'] == read['eightbit']).mean())
    return result


def main():
    parser = cli.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--per-label', type=int, default=500)
    parser.add_argument('--real', type=int, default=2000,
                        help='real MNIST test digits for evaluate.py (default %(default)s)')
    add_weight_arguments(parser)
    args = parser.parse_args()
    if args.per_label <= 0 or args.real < 2:
        raise cli.UserError('--per-label must be positive and --real at least 2')
    contract = shipped_contract()
    weights = source_weights(contract, args.generator, args.recogniser)
    print(json.dumps(measure(weights, eightbit_models(contract, weights), args.per_label,
                             args.real), indent=2))


if __name__ == '__main__':
    cli.run(main)
