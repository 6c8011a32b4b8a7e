"""MNIST with labels, from a local folder of the four original IDX .gz files or downloaded.

    images, labels = load_mnist('train', data_dir)   # (N, 1, 28, 28) float32 in [0, 1], (N,) int32

Where the files come from, in order: `data_dir` (the scripts' --data-dir), the MNIST_DATA_DIR
environment variable, else a cache folder (~/.cache/dcgan-mnist, or $XDG_CACHE_HOME) that is
filled from the mirrors below. Every file's md5 is checked each time it is read.
"""
import gzip
import hashlib
import http.client
import os
import urllib.request

import numpy

from digitgan.cli import UserError, atomic_path

FILES = {  # name: md5 of the .gz, as published with the original distribution
    'train-images-idx3-ubyte.gz': 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
    'train-labels-idx1-ubyte.gz': 'd53e105ee54ea40749a09fcbcd1e9432',
    't10k-images-idx3-ubyte.gz': '9fb629c4189551a2d022fa330f9573f3',
    't10k-labels-idx1-ubyte.gz': 'ec29112dd5afa0611ce80d1b7f02629c',
}
SPLITS = {'train': ('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'),
          'test': ('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz')}
# yann.lecun.com has been unreliable for years; the others are the copies most tools use.
MIRRORS = (
    'https://ossci-datasets.s3.amazonaws.com/mnist/',
    'https://storage.googleapis.com/cvdf-datasets/mnist/',
    'http://yann.lecun.com/exdb/mnist/',
)
ENV_VAR = 'MNIST_DATA_DIR'
HELP = ('pass --data-dir DIR (or set %s) to a folder holding the four MNIST '
        '*-ubyte.gz files' % ENV_VAR)


def default_cache_dir():
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'dcgan-mnist')


def md5_of(path):
    with open(path, 'rb') as f:
        return hashlib.file_digest(f, 'md5').hexdigest()


def download(name, folder, mirrors=None, timeout=30):
    """Fetch one file into `folder`, trying each mirror (default: MIRRORS) in turn; the md5
    must match. A failed or wrong download leaves nothing behind; a good one is renamed into
    place."""
    mirrors = MIRRORS if mirrors is None else mirrors
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise UserError('cannot create the download folder %s (%s); %s'
                        % (folder, error.strerror, HELP))
    target = os.path.join(folder, name)
    failures = []
    for mirror in mirrors:
        try:
            with atomic_path(target) as tmp:
                with urllib.request.urlopen(mirror + name, timeout=timeout) as response, \
                        open(tmp, 'wb') as out:
                    out.write(response.read())
                if md5_of(tmp) != FILES[name]:
                    raise ValueError('md5 mismatch')
            return target
        except PermissionError as error:
            raise UserError('cannot write to the download folder %s (%s); %s'
                            % (folder, error.strerror, HELP))
        except (OSError, ValueError, http.client.HTTPException) as error:
            failures.append('%s (%s)' % (mirror, getattr(error, 'reason', None) or error))
    raise UserError('could not download %s from any mirror [%s]; if this machine is offline, %s'
                    % (name, '; '.join(failures), HELP))


def locate(name, data_dir=None):
    """Path of a verified copy of `name`, downloading into the cache if needed."""
    folder = data_dir or os.environ.get(ENV_VAR)
    if folder:
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            raise UserError('%s is missing from %s; %s' % (name, folder, HELP))
    else:
        folder = default_cache_dir()
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            print('downloading %s to %s' % (name, folder), flush=True)
            download(name, folder)
    actual = md5_of(path)
    if actual != FILES[name]:
        raise UserError('%s is corrupt (md5 %s, expected %s); %s' % (
            path, actual, FILES[name],
            'replace it with a good copy, or point --data-dir at another folder'
            if data_dir or os.environ.get(ENV_VAR)
            else 'delete it so that it is downloaded again'))
    return path


def read_idx(path, magic, item_shape):
    try:
        with gzip.open(path, 'rb') as f:
            data = f.read()
    except (OSError, EOFError) as error:
        raise UserError('%s is not a readable gzip file (%s)' % (path, error))
    header = numpy.frombuffer(data, '>i4', count=2 + len(item_shape))
    count = int(header[1])
    if header[0] != magic or tuple(header[2:]) != item_shape or \
            len(data) != 4 * len(header) + count * int(numpy.prod(item_shape)):
        raise UserError('%s is not an MNIST IDX file of the expected layout' % path)
    return numpy.frombuffer(data, numpy.uint8, offset=4 * len(header)).reshape(
        (count,) + item_shape)


def load_mnist(split='train', data_dir=None):
    """(images, labels): float32 (N, 1, 28, 28) in [0, 1] with ink = 1, int32 (N,)."""
    if split not in SPLITS:
        raise ValueError('split must be one of %s' % sorted(SPLITS))
    images_name, labels_name = SPLITS[split]
    images = read_idx(locate(images_name, data_dir), 2051, (28, 28))
    labels = read_idx(locate(labels_name, data_dir), 2049, ())
    if len(images) != len(labels):
        raise UserError('%s has %d images but %d labels' % (split, len(images), len(labels)))
    return (images[:, None].astype(numpy.float32) / 255.0, labels.astype(numpy.int32))
