"""Helpers for the tests of the command-line scripts (generate, evaluate, recognize)."""
import json
import os
import subprocess
import sys

import chainer
import numpy
import pytest

import checkpoints
import cli
from networks import Generator


def run_script(root, script, *args, cwd=None):
    """Run `python script args` as a user would; returns the CompletedProcess."""
    env = dict(os.environ, OMP_NUM_THREADS='1')
    return subprocess.run([sys.executable, os.path.join(root, script)] + [str(a) for a in args],
                          capture_output=True, text=True, cwd=cwd or root, env=env, timeout=300)


def tiny_generator(folder, seed=0):
    """An untrained, small generator saved the way train_gan.py saves one; its path."""
    numpy.random.seed(seed)
    gen = Generator(n_hidden=6, ch=8)
    chainer.serializers.save_npz(os.path.join(folder, 'gen_iter_7.npz'), gen)
    with open(os.path.join(folder, 'generator_args.json'), 'w') as f:
        json.dump(gen.model_args(), f)
    return os.path.join(folder, 'gen_iter_7.npz')


def shipped_generator():
    try:
        return checkpoints.newest_generator()
    except cli.UserError as error:
        pytest.fail('the shipped generator is missing (%s); it is committed as '
                    'result-dcgan/gen_iter_<N>.npz with generator_args.json' % error)


def shipped_recogniser():
    """The committed recogniser; these tests measure it, so they cannot run without it."""
    for path in (checkpoints.RECOGNISER,
                 os.path.join(os.path.dirname(checkpoints.RECOGNISER), 'recogniser_args.json')):
        if not os.path.isfile(path):
            pytest.fail('the shipped recogniser file %s is missing; it is committed to the '
                        'repository (python train_recognizer.py makes a new one)' % path)
    return checkpoints.RECOGNISER
