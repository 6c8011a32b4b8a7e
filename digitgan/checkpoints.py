"""Find and load trained weights: the one place that rebuilds a network from its files.

    gen = load_generator(newest_generator())        # result-dcgan/gen_iter_<highest N>.npz
    rec = load_recogniser()                         # result-recogniser/recogniser.npz
    net = load_network('generator', path)           # the same, by kind (2pack.py, bench/)

Every .npz is rebuilt from the *_args.json that its training script wrote beside it, so no
hyperparameter is repeated here, and checked against it, naming the first parameter that does
not fit or holds NaN or infinity. Files are read without unpickling (load_arrays, also used
for trainer snapshots), so none can run code. Defaults are the shipped files of this
repository, found relative to this file (not the current folder). Problems are UserErrors
naming the file.
"""

import inspect
import os
import re
import zipfile
import zlib

import chainer
import numpy

from digitgan import networks
from digitgan.cli import UserError, read_json

# The repository (the package's parent): where the shipped weights are.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENERATOR_DIR = os.path.join(ROOT, 'result-dcgan')
RECOGNISER = os.path.join(ROOT, 'result-recogniser', 'recogniser.npz')
# The judge of generated digits (evaluate.py, the encoder's feature term): the recogniser as
# trained on MNIST scans alone, frozen so that quality figures stay comparable when the
# page's recogniser (RECOGNISER) is retrained.
JUDGE = os.path.join(ROOT, 'result-judge', 'recogniser.npz')
ENCODER = os.path.join(ROOT, 'result-encoder', 'encoder.npz')
# The shipped weights of each data set: its generator's folder and the classifier that
# judges it (evaluate.py) and checks it on the page.
SHIPPED = {
    'mnist': {'generator': GENERATOR_DIR, 'classifier': JUDGE},
    'fashion-mnist': {
        'generator': os.path.join(ROOT, 'result-fashion-mnist-dcgan'),
        'classifier': os.path.join(ROOT, 'result-fashion-mnist-classifier', 'recogniser.npz')},
}
ARGS_FILES = {'generator': 'generator_args.json', 'recogniser': 'recogniser_args.json',
              'encoder': 'encoder_args.json'}
GENERATOR_FILE = re.compile(r'gen_iter_(\d+)\.npz')   # what train_gan.py writes


def newest_numbered(folder, pattern):
    """The file in `folder` whose name `pattern` (a regex with one group of digits) matches
    with the highest number, or None."""
    try:
        names = os.listdir(folder)
    except OSError:      # no such folder yet, or not a folder
        return None
    found = []
    for name in names:
        match = pattern.fullmatch(name)
        path = os.path.join(folder, name)
        if match and os.path.isfile(path):
            found.append((int(match.group(1)), path))
    return max(found)[1] if found else None


def generator_iteration(path):
    """The training iteration in a gen_iter_<N>.npz name, or None for another name."""
    match = GENERATOR_FILE.fullmatch(os.path.basename(path))
    return int(match.group(1)) if match else None


def newest_generator(folder=GENERATOR_DIR):
    """gen_iter_<N>.npz in `folder` with the highest N."""
    path = newest_numbered(folder, GENERATOR_FILE)
    if not path:
        raise UserError('no gen_iter_<N>.npz in %s yet: train with `python train_gan.py` '
                        '(it writes one every 1000 iterations) or pass --generator PATH' % folder)
    return path


# What numpy raises for a file that is not a complete .npz: truncated, bad CRC, bad header.
NPZ_ERRORS = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error, KeyError)


# Trainer snapshots here are under 10 MB unpacked; a generous ceiling still stops zip bombs.
MAX_NPZ_BYTES = 512 << 20


class UnreadableNpz(Exception):
    """Not a complete, readable .npz file; the message says why."""


class PickledNpz(Exception):
    """An .npz entry (the message names it) holds pickled Python objects: loading those can
    run any code, and nothing this project writes contains one."""


def load_arrays(path):
    """Every array of the .npz `path`, read with allow_pickle=False, so that no file, however
    crafted, runs code when loaded. Raises UnreadableNpz or PickledNpz."""
    # numpy.load reads a non-zip file as .npy or, failing that, as a pickle: refuse it first.
    if not zipfile.is_zipfile(path):
        raise UnreadableNpz('not a complete .npz (zip) file')
    try:
        with numpy.load(path, allow_pickle=False) as npz:   # reads no entry yet
            # zipfile never inflates an entry past its declared size: check those first,
            # as a zip bomb would exhaust memory before any later check
            unpacked = sum(info.file_size for info in npz.zip.infolist())
            if unpacked > MAX_NPZ_BYTES:
                raise UnreadableNpz('it unpacks to %d MB, more than the %d MB any snapshot '
                                    'of this project needs'
                                    % (unpacked >> 20, MAX_NPZ_BYTES >> 20))
            arrays = {}
            for key in npz.files:
                try:
                    arrays[key] = npz[key]
                except ValueError as error:
                    if 'allow_pickle' not in str(error):
                        raise
                    raise PickledNpz(key)
            return arrays
    except NPZ_ERRORS as error:
        raise UnreadableNpz('%s: %s' % (type(error).__name__,
                                        str(error).strip()[:200] or 'no detail'))


def read_npz(path):
    """All arrays of an .npz as a dict; anything unreadable or unsafe is a UserError."""
    if not os.path.isfile(path):
        raise UserError('%s: no such file' % path)
    try:
        return load_arrays(path)
    except PickledNpz as error:
        raise UserError(pickled_message(path, error))
    except UnreadableNpz as error:
        raise UserError('%s is not a readable .npz snapshot (%s)' % (path, error))


def pickled_message(path, error):
    return ('%s: entry %s holds a pickled Python object, which could run code when loaded, '
            'so the file is refused (this project never writes one): use a file you trust'
            % (path, error))


def check_finite(arrays, npz_path):
    """A UserError naming the first parameter with NaN or infinite values: such weights
    (a diverged run) draw blank images instead of failing."""
    for key in sorted(arrays):
        value = arrays[key]
        if value.dtype.kind in 'fc' and not numpy.isfinite(value).all():
            raise UserError('%s: parameter %s holds NaN or infinite values (training '
                            'diverged); use an earlier snapshot' % (npz_path, key))


def expected_shapes(net):
    """{npz key: shape} that chainer.serializers.save_npz writes for `net`."""
    serializer = chainer.serializers.DictionarySerializer()
    serializer.save(net)
    return {key: numpy.shape(value) for key, value in serializer.target.items()}


def check_architecture(kind, net, arrays, npz_path, args_path):
    """A UserError naming the first parameter in which `arrays` and `net` differ, if any."""
    expected = expected_shapes(net)
    missing = sorted(set(expected) - set(arrays))
    unexpected = sorted(set(arrays) - set(expected))
    if missing or unexpected:
        guess = ''
        for other, network in networks.NETWORKS.items():
            if other != kind and set(arrays) == set(expected_shapes(network())):
                guess = '; it holds a %s' % other
        if any(key.startswith('updater/') for key in arrays):
            guess = '; it is a trainer snapshot, use gen_iter_<N>.npz or the model .npz'
        which = ('has no parameter %s' % missing[0] if missing
                 else 'has parameter %s, which a %s does not' % (unexpected[0], kind))
        raise UserError('%s is not a %s snapshot: it %s%s' % (npz_path, kind, which, guess))
    for key in sorted(expected):
        if arrays[key].shape != expected[key]:
            raise UserError(
                '%s does not fit the %s that %s describes (%s): parameter %s has shape %s in '
                'the snapshot but %s is expected' % (
                    npz_path, kind, os.path.basename(args_path),
                    ', '.join('%s=%s' % item for item in sorted(net.model_args().items())),
                    key, tuple(arrays[key].shape), tuple(expected[key])))


def read_args(npz_path, kind, with_path=False):
    """The *_args.json dict written beside the weights of `kind` in `npz_path`."""
    folder = os.path.dirname(os.path.abspath(npz_path))
    args_path = os.path.join(folder, ARGS_FILES[kind])
    if not os.path.isfile(npz_path):
        raise UserError('%s snapshot %s: no such file' % (kind, npz_path))
    if not os.path.isfile(args_path):
        others = [other for other, name in ARGS_FILES.items()
                  if other != kind and os.path.isfile(os.path.join(folder, name))]
        hint = ' (its folder has %s: is it a %s?)' % (ARGS_FILES[others[0]], others[0]) \
            if others else ''
        raise UserError('%s: no %s beside it, so the %s architecture is unknown%s; training '
                        'writes that file next to the weights'
                        % (npz_path, ARGS_FILES[kind], kind, hint))
    args = read_json(args_path, '%s hyperparameter file' % kind)
    if not isinstance(args, dict):
        raise UserError('%s should hold a JSON object of hyperparameters' % args_path)
    return (args, args_path) if with_path else args


def load_network(kind, npz_path):
    """The network of `kind` (a key of networks.NETWORKS) that `npz_path` and the *_args.json
    beside it describe, on the CPU."""
    args, args_path = read_args(npz_path, kind, with_path=True)
    network = networks.NETWORKS[kind]
    accepted = inspect.signature(network).parameters
    kwargs = {key: value for key, value in args.items() if key in accepted}
    try:
        net = network(**kwargs)
    except (TypeError, ValueError) as error:
        raise UserError('%s: unusable hyperparameters %s (%s)' % (args_path, kwargs, error))
    arrays = read_npz(npz_path)
    check_architecture(kind, net, arrays, npz_path, args_path)
    check_finite(arrays, npz_path)
    chainer.serializers.NpzDeserializer(arrays).load(net)
    net.dataset = dataset_of(args)
    net.labels = tuple(net.dataset['labels'])
    return net


def dataset_of(args):
    """The data set an *_args.json dict was trained on: name, title, label names (files
    written before data sets had names: MNIST)."""
    from digitgan.data import catalog, sources
    dataset = dict(args.get('dataset') or {'name': 'mnist', 'title': catalog.MNIST.title})
    dataset['labels'] = list(sources.labels_of(args))
    return dataset


def shipped(dataset, what):
    """The shipped `what` ('generator': its newest weights, 'classifier') of `dataset`."""
    if dataset not in SHIPPED:
        raise UserError("no shipped weights for the data set '%s'; choose from %s, or pass "
                        'the weights you trained' % (dataset, ', '.join(SHIPPED)))
    if what == 'generator':
        return newest_generator(SHIPPED[dataset]['generator'])
    return SHIPPED[dataset][what]


def load_generator(path):
    return load_network('generator', path)


def load_recogniser(path=RECOGNISER):
    return load_network('recogniser', path)


def load_encoder(path=ENCODER):
    return load_network('encoder', path)
