"""Find and load trained weights for evaluate.py, generate.py and recognize.py.

    gen = load_generator(newest_generator())        # result-dcgan/gen_iter_<highest N>.npz
    rec = load_recogniser(RECOGNISER)               # result-recogniser/recogniser.npz

Every .npz is rebuilt from the *_args.json that its training script wrote beside it, so no
hyperparameter is repeated here. Defaults are the shipped files of this repository, found
relative to this file (not the current folder). Problems are UserErrors naming the file.
"""
import glob
import os
import pickle
import re
import zipfile

import chainer

from cli import UserError, read_json
from networks import Generator, Recogniser

ROOT = os.path.dirname(os.path.abspath(__file__))
GENERATOR_DIR = os.path.join(ROOT, 'result-dcgan')
RECOGNISER = os.path.join(ROOT, 'result-recogniser', 'recogniser.npz')


def newest_generator(folder=GENERATOR_DIR):
    """Path of gen_iter_<N>.npz with the highest N in `folder`."""
    found = []
    for path in glob.glob(os.path.join(folder, 'gen_iter_*.npz')):
        match = re.fullmatch(r'gen_iter_(\d+)\.npz', os.path.basename(path))
        if match:
            found.append((int(match.group(1)), path))
    if not found:
        raise UserError('no generator snapshot gen_iter_<N>.npz in %s; train one with '
                        'python train_gan.py or pass --generator PATH' % folder)
    return max(found)[1]


def load_model(cls, path, args_name):
    """A `cls` built from <folder of path>/<args_name> with the weights in `path`."""
    what = cls.__name__.lower()
    if not os.path.isfile(path):
        raise UserError('%s weights %s: no such file' % (what, path))
    args_path = os.path.join(os.path.dirname(path), args_name)
    args = read_json(args_path, '%s arguments' % what)
    if not isinstance(args, dict):
        raise UserError('%s does not describe a %s' % (args_path, what))
    args = {key: value for key, value in args.items() if key != 'contract'}
    try:
        model = cls(**args)
    except (TypeError, ValueError) as error:
        raise UserError('%s does not describe a %s (%s)' % (args_path, what, error))
    try:
        chainer.serializers.load_npz(path, model)
    except (KeyError, ValueError, OSError, EOFError, zipfile.BadZipFile,
            pickle.UnpicklingError) as error:
        raise UserError('%s is not %s weights matching %s (%s: %s)'
                        % (path, what, args_path, type(error).__name__,
                           str(error).strip("'")[:200]))
    return model


def load_generator(path):
    return load_model(Generator, path, 'generator_args.json')


def load_recogniser(path=RECOGNISER):
    return load_model(Recogniser, path, 'recogniser_args.json')
