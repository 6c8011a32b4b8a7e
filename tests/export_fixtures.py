"""Session fixtures for the 2pack.py tests (loaded with `pytest_plugins`, so both test files
share one conversion: em++ takes seconds per graph).

The snapshots are the default architectures with random weights *and* random BatchNorm
statistics, laid out as the training scripts write them. Random statistics matter: with the
initial ones (mean 0, variance 1) eval mode and train mode give nearly the same output, and
a conversion in train mode would pass unnoticed. The recogniser's last layer is fitted to a
few hundred MNIST images (least squares on the random features), so that its predictions
vary with the input and the effect of 8-bit weights on them can be measured.
"""
import json
import os
import re
import time
import types

import numpy
import pytest

import digitgan  # noqa: F401  (first: makes chainer and webdnn import)
import chainer
import chainer.links as L

from digitgan import networks
from digitgan.data.catalog import load_mnist
from digitgan.export import webdnn_export
from script_helpers import run_script, save_snapshot

GENERATOR_ITERATION = 3
READOUT_IMAGES = 500


def run_2pack(*args, env=None, timeout=600):
    return run_script('2pack.py', *args, env=env, timeout=timeout)


def randomise(net, seed):
    rng = numpy.random.RandomState(seed)
    for link in net.links():
        if isinstance(link, L.BatchNormalization):
            size = link.avg_mean.shape
            link.gamma.array[...] = rng.uniform(0.5, 1.5, size)
            link.beta.array[...] = rng.normal(0, 0.3, size)
            link.avg_mean[...] = rng.normal(0, 0.3, size)
            link.avg_var[...] = rng.uniform(0.5, 2.0, size)
        elif isinstance(link, (L.Linear, L.Convolution2D, L.Deconvolution2D)):
            weights = link.W.array
            # Inputs reaching one output: a stride-2, 4x4 deconvolution sees a quarter of
            # its kernel per output pixel.
            fan_in = (weights.shape[0] * weights[0, 0].size / 4
                      if isinstance(link, L.Deconvolution2D) else weights[0].size)
            weights[...] = rng.normal(0, fan_in ** -0.5, weights.shape)
            if link.b is not None:
                link.b.array[...] = rng.normal(0, 0.1, link.b.shape)
    return net


def fit_readout(recogniser, images, labels, margin=4.0, ridge=1.0):
    """Least-squares l6 on eval-mode features: targets +margin for the label, -margin else."""
    with chainer.using_config('train', False), chainer.using_config('enable_backprop', False):
        features = recogniser.features(images).array
    features = numpy.hstack([features, numpy.ones((len(features), 1), numpy.float32)])
    targets = margin * (2 * numpy.eye(recogniser.n_classes, dtype=numpy.float32)[labels] - 1)
    solution = numpy.linalg.solve(
        features.T @ features + ridge * numpy.eye(features.shape[1]), features.T @ targets)
    recogniser.l6.W.array[...] = solution[:-1].T
    recogniser.l6.b.array[...] = solution[-1]
    return recogniser


@pytest.fixture(scope='session')
def export_snapshots(tmp_path_factory, mnist_dir):
    """Random-weight generator, recogniser and encoder (paired with that generator) saved
    like the training scripts save them."""
    base = str(tmp_path_factory.mktemp('snapshots'))
    generator = randomise(networks.Generator(), seed=1)
    images, labels = load_mnist('train', mnist_dir)
    recogniser = fit_readout(randomise(networks.Recogniser(), seed=2),
                             images[:READOUT_IMAGES], labels[:READOUT_IMAGES])
    generator_npz = save_snapshot(generator, os.path.join(base, 'result-dcgan'),
                                  'gen_iter_%d.npz' % GENERATOR_ITERATION, 'generator_args.json')
    encoder = randomise(networks.Encoder(), seed=3)
    encoder_npz = save_snapshot(encoder, os.path.join(base, 'result-encoder'), 'encoder.npz',
                                'encoder_args.json',
                                generator={'sha256': webdnn_export.sha256_of(generator_npz)})
    return types.SimpleNamespace(
        generator=generator, recogniser=recogniser, encoder=encoder,
        generator_npz=generator_npz, encoder_npz=encoder_npz,
        recogniser_npz=save_snapshot(recogniser, os.path.join(base, 'result-recogniser'),
                                     'recogniser.npz', 'recogniser_args.json'))


STEP_LINE = re.compile(r'\[\d+/\d+\] (\S+): (\S+) descriptor.*\n +([\d.]+) s, ([\d.]+) MB')


def convert(snapshots, out, *flags):
    started = time.perf_counter()
    done = run_2pack('--generator', snapshots.generator_npz,
                     '--recogniser', snapshots.recogniser_npz, '--encoder', snapshots.encoder_npz,
                     '--out', str(out), *flags)
    seconds = time.perf_counter() - started
    assert done.returncode == 0, done.stderr[-3000:]
    with open(os.path.join(str(out), 'contract.json')) as f:
        contract = json.load(f)
    return types.SimpleNamespace(
        out=str(out), stdout=done.stdout, stderr=done.stderr, seconds=seconds,
        contract=contract,
        # (graph folder, backend) -> (seconds, MB) as 2pack.py printed them
        steps={(folder, backend): (float(sec), float(mb))
               for folder, backend, sec, mb in STEP_LINE.findall(done.stdout)})


@pytest.fixture(scope='session')
def converted(export_snapshots, tmp_path_factory):
    """2pack.py's default backends (webassembly, webgl) with float32 weights, less the
    batch-100 generator (its em++ build adds seconds; test_2pack_speed_flags.py has it)."""
    return convert(export_snapshots, tmp_path_factory.mktemp('float32') / 'models',
                   '--no-batch100')


@pytest.fixture(scope='session')
def converted_eightbit(export_snapshots, tmp_path_factory):
    return convert(export_snapshots, tmp_path_factory.mktemp('eightbit') / 'models',
                   '--eightbit', '--no-batch10', '--no-batch100')
