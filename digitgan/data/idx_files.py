"""Labelled image sets in the IDX format (MNIST's), from a folder of the four .gz files or
downloaded from mirrors.

    images, labels = MNIST.load('train', data_dir)   # (N, 1, 28, 28) float32 in [0, 1], (N,)

Where an `IdxSet`'s files come from, in order: `data_dir` (the scripts' --data-dir), its
environment variable, the folders a system package installs them in, else a cache folder
(~/.cache/<cache_name>, or under $XDG_CACHE_HOME) filled from its mirrors. Every file's md5
is checked each time it is read, against every published form of the file (Debian
recompresses some: same images, other .gz bytes).
"""
import dataclasses
import gzip
import hashlib
import http.client
import os
import urllib.request

import numpy

from digitgan.cli import UserError, atomic_path

SPLITS = {'train': ('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'),
          'test': ('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz')}
IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049
SIDE = 28                  # the networks draw and read 28x28 images


def cache_root():
    return os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')


def md5_of(path):
    with open(path, 'rb') as f:
        return hashlib.file_digest(f, 'md5').hexdigest()


@dataclasses.dataclass
class IdxSet:
    """One IDX data set: its four files and where they may be found."""
    name: str                  # what --dataset calls it
    title: str                 # what a page's menu calls it
    labels: tuple              # the label names, by index
    files: dict                # file name: accepted md5s of the .gz; None: not checked
    mirrors: tuple = ()
    env_var: str = None
    system_dirs: tuple = ()    # where a system package puts the files
    cache_name: str = None
    install: str = ''          # how to get the files when they are nowhere

    def help(self):
        where = 'pass --data-dir DIR%s to a folder holding the four %s *-ubyte.gz files' % (
            ' (or set %s)' % self.env_var if self.env_var else '', self.name)
        return '%s%s' % (self.install + ', or ' if self.install else '', where)

    def cache_dir(self):
        return os.path.join(cache_root(), self.cache_name) if self.cache_name else None

    def download(self, name, folder, mirrors=None, timeout=30):
        """Fetch one file into `folder`, trying each mirror (default: self.mirrors) in turn;
        the md5 must match. A failed or wrong download leaves nothing behind; a good one is
        renamed into place."""
        mirrors = self.mirrors if mirrors is None else mirrors
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as error:
            raise UserError('cannot create the download folder %s (%s); %s'
                            % (folder, error.strerror, self.help()))
        target = os.path.join(folder, name)
        failures = []
        for mirror in mirrors:
            try:
                with atomic_path(target) as tmp:
                    with urllib.request.urlopen(mirror + name, timeout=timeout) as response, \
                            open(tmp, 'wb') as out:
                        out.write(response.read())
                    if md5_of(tmp) not in self.files[name]:
                        raise ValueError('md5 mismatch')
                return target
            except PermissionError as error:
                raise UserError('cannot write to the download folder %s (%s); %s'
                                % (folder, error.strerror, self.help()))
            except (OSError, ValueError, http.client.HTTPException) as error:
                failures.append('%s (%s)' % (mirror, getattr(error, 'reason', None) or error))
        raise UserError('could not download %s from any mirror [%s]; if this machine is '
                        'offline, %s' % (name, '; '.join(failures) or 'none known',
                                         self.help()))

    def locate(self, name, data_dir=None):
        """Path of a verified copy of `name`, downloading into the cache if needed."""
        folder = data_dir or (os.environ.get(self.env_var) if self.env_var else None)
        chosen = bool(folder)
        if not folder:
            folder = next((d for d in self.system_dirs
                           if os.path.isfile(os.path.join(d, name))), None)
        if folder:
            path = os.path.join(folder, name)
            if not os.path.isfile(path):
                raise UserError('%s is missing from %s; %s' % (name, folder, self.help()))
        else:
            folder = self.cache_dir()
            if not folder:
                raise UserError('the %s files are not installed; %s' % (self.name, self.help()))
            path = os.path.join(folder, name)
            if not os.path.isfile(path):
                print('downloading %s to %s' % (name, folder), flush=True)
                self.download(name, folder)
        accepted = self.files.get(name)
        if accepted is not None:
            actual = md5_of(path)
            if actual not in accepted:
                raise UserError('%s is corrupt (md5 %s, expected %s); %s' % (
                    path, actual, ' or '.join(accepted),
                    'replace it with a good copy, or point --data-dir at another folder'
                    if chosen else 'delete it so that it is downloaded again'
                    if folder == self.cache_dir() else 'reinstall the package that holds it'))
        return path

    def load(self, split='train', data_dir=None):
        """(images, labels): float32 (N, 1, 28, 28) in [0, 1] with ink = 1, int32 (N,)."""
        if split not in SPLITS:
            raise ValueError('split must be one of %s' % sorted(SPLITS))
        images_name, labels_name = SPLITS[split]
        images = read_idx(self.locate(images_name, data_dir), IMAGE_MAGIC, 2)
        labels = read_idx(self.locate(labels_name, data_dir), LABEL_MAGIC, 0)
        if images.shape[1:] != (SIDE, SIDE):
            raise UserError('%s holds %d x %d images; the networks draw %d x %d ones: resize '
                            'them, or save them as a folder of images for --image-folder'
                            % (images_name, images.shape[2], images.shape[1], SIDE, SIDE))
        if len(images) != len(labels):
            raise UserError('%s has %d images but %d labels'
                            % (split, len(images), len(labels)))
        if labels.size and labels.max() >= len(self.labels):
            raise UserError('%s has label %d, but %s names only %d labels' % (
                labels_name, labels.max(), self.name, len(self.labels)))
        return (images[:, None].astype(numpy.float32) / 255.0, labels.astype(numpy.int32))


def read_idx(path, magic, dimensions):
    """The array of an IDX file of unsigned bytes with `dimensions` per item (0: labels)."""
    try:
        with gzip.open(path, 'rb') as f:
            data = f.read()
    except (OSError, EOFError) as error:
        raise UserError('%s is not a readable gzip file (%s)' % (path, error))
    header = numpy.frombuffer(data[:4 * (2 + dimensions)], '>i4')
    if len(header) != 2 + dimensions or header[0] != magic:
        raise UserError('%s is not an IDX file of %s' % (
            path, 'images' if dimensions else 'labels'))
    shape = tuple(int(n) for n in header[1:])
    if len(data) != 4 * len(header) + int(numpy.prod(shape)):
        raise UserError('%s is not an IDX file of the expected layout (its size does not '
                        'match its header)' % path)
    return numpy.frombuffer(data, numpy.uint8, offset=4 * len(header)).reshape(shape)
