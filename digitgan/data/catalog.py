"""The data sets --dataset names, each an IdxSet (idx_files.py).

    mnist          handwritten digits; downloaded into ~/.cache/dcgan-mnist when not given
    fashion-mnist  Zalando's clothes, same format; Debian's dataset-fashion-mnist installs it
    idx            any other IDX set of 28x28 images in --data-dir (no md5 known; label names
                   from a labels.txt beside the files, one per line, else their numbers)
"""
import os

from digitgan.cli import UserError
from digitgan.data.idx_files import IdxSet, LABEL_MAGIC, SPLITS, read_idx

MNIST = IdxSet(
    name='mnist', title='Digits', labels=tuple(str(d) for d in range(10)),
    files={  # the .gz md5s published with the original distribution
        'train-images-idx3-ubyte.gz': ('f68b3c2dcbeaaa9fbdd348bbdeb94873',),
        'train-labels-idx1-ubyte.gz': ('d53e105ee54ea40749a09fcbcd1e9432',),
        't10k-images-idx3-ubyte.gz': ('9fb629c4189551a2d022fa330f9573f3',),
        't10k-labels-idx1-ubyte.gz': ('ec29112dd5afa0611ce80d1b7f02629c',),
    },
    # yann.lecun.com has been unreliable for years; the others are the copies most tools use.
    mirrors=('https://ossci-datasets.s3.amazonaws.com/mnist/',
             'https://storage.googleapis.com/cvdf-datasets/mnist/',
             'http://yann.lecun.com/exdb/mnist/'),
    env_var='MNIST_DATA_DIR', cache_name='dcgan-mnist')

FASHION_MNIST = IdxSet(
    name='fashion-mnist', title='Clothes',
    labels=('T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt',
            'Sneaker', 'Bag', 'Ankle boot'),
    files={  # as published by Zalando Research, then as Debian's package recompressed them
        'train-images-idx3-ubyte.gz': ('8d4fb7e6c68d591d4c3dfef9ec88bf0d',
                                       'cf8536b0aa1a6ac5fa3f23001093305c'),
        'train-labels-idx1-ubyte.gz': ('25c81989df183df01b3e8a0aad5dffbe',
                                       '10bea18fdb374794d4bb42e356e600c9'),
        't10k-images-idx3-ubyte.gz': ('bef4ecab320f06d8554ea6380940ec79',
                                      'f78720b4224f21cce2f2ccf2d7a94c9a'),
        't10k-labels-idx1-ubyte.gz': ('bb300cfdad3c16e7a12a480ee83cd310',
                                      '0d30e22e447f3c33dab9ed536400ac01'),
    },
    mirrors=('http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
             'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/'
             'fashion/'),
    env_var='FASHION_MNIST_DATA_DIR', system_dirs=('/usr/share/datasets/fashion-mnist',),
    cache_name='dcgan-fashion-mnist',
    install='install it with `sudo apt-get install dataset-fashion-mnist` (Debian, Ubuntu)')

SETS = {s.name: s for s in (MNIST, FASHION_MNIST)}
ANY_IDX = 'idx'
NAMES = tuple(SETS) + (ANY_IDX,)


def load_mnist(split='train', data_dir=None):
    """MNIST's (images, labels): float32 (N, 1, 28, 28) in [0, 1] with ink = 1, int32 (N,)."""
    return MNIST.load(split, data_dir)


def idx_set(name, data_dir=None):
    """The IdxSet called `name`; for 'idx', one made from the files in `data_dir`."""
    if name in SETS:
        return SETS[name]
    if name != ANY_IDX:
        raise UserError("no data set called '%s'; choose from %s, or train on your own images "
                        'with --image-folder DIR' % (name, ', '.join(NAMES)))
    if not data_dir:
        raise UserError('--dataset idx reads the four *-ubyte.gz files of an IDX set from '
                        '--data-dir DIR: pass it')
    return IdxSet(name=os.path.basename(os.path.normpath(data_dir)) or 'idx',
                  title=os.path.basename(os.path.normpath(data_dir)) or 'Images',
                  labels=label_names_in(data_dir),
                  files={name: None for pair in SPLITS.values() for name in pair})


def label_names_in(data_dir):
    """labels.txt's lines, else 0..N-1 for the N labels the training labels use."""
    listed = os.path.join(data_dir, 'labels.txt')
    if os.path.isfile(listed):
        with open(listed, encoding='utf-8') as f:
            names = [line.strip() for line in f if line.strip()]
        if len(set(names)) != len(names) or len(names) < 2:
            raise UserError('%s must name at least two labels, one per line, each once'
                            % listed)
        return tuple(names)
    path = os.path.join(data_dir, SPLITS['train'][1])
    if not os.path.isfile(path):
        raise UserError('%s is missing from %s; --dataset idx needs the four *-ubyte.gz files '
                        'of an IDX set there' % (SPLITS['train'][1], data_dir))
    return tuple(str(n) for n in range(int(read_idx(path, LABEL_MAGIC, 0).max()) + 1))
