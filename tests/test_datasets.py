"""The data sets as one family (digitgan/data/): Fashion-MNIST from Debian's package, any
IDX set, folders of your own labelled images, and every bad input as one line."""
import gzip
import os
import shutil

import numpy
import pytest
from PIL import Image

from digitgan.cli import UserError
from digitgan.data import catalog, image_folder, sources
from digitgan.data.catalog import FASHION_MNIST
from image_folders import NAMES, write_image_folder
from script_helpers import data_dir_or_fail

FASHION_DIR = FASHION_MNIST.system_dirs[0]


@pytest.fixture(scope='module')
def fashion():
    if not os.path.isdir(FASHION_DIR):
        pytest.fail('Fashion-MNIST is missing: run scripts/install-system-deps.sh (make test '
                    'does)')
    return FASHION_MNIST.load('train'), FASHION_MNIST.load('test')


def test_fashion_mnist_comes_from_the_debian_package_with_names(fashion, monkeypatch):
    (train_x, train_y), (test_x, test_y) = fashion
    assert train_x.shape == (60000, 1, 28, 28) and test_x.shape == (10000, 1, 28, 28)
    assert numpy.bincount(train_y).tolist() == [6000] * 10
    assert numpy.bincount(test_y).tolist() == [1000] * 10
    assert train_x.dtype == numpy.float32 and 0 == train_x.min() and train_x.max() == 1
    # ink = 1 on 0: half the pixels are background; trousers (1) are thinner than pullovers
    assert (train_x == 0).mean() > 0.4
    ink = train_x.reshape(len(train_x), -1).mean(axis=1)
    assert ink[train_y == 1].mean() < 0.7 * ink[train_y == 2].mean()
    assert FASHION_MNIST.labels[9] == 'Ankle boot' and len(FASHION_MNIST.labels) == 10
    source = sources.idx_source('fashion-mnist')
    assert source.title == 'Clothes' and source.describe()['labels'][0] == 'T-shirt/top'


def test_fashion_mnist_not_installed_names_the_package(tmp_path, monkeypatch):
    monkeypatch.setattr(FASHION_MNIST, 'system_dirs', (str(tmp_path / 'nowhere'),))
    monkeypatch.setattr(FASHION_MNIST, 'mirrors', ())
    monkeypatch.delenv(FASHION_MNIST.env_var, raising=False)
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    with pytest.raises(UserError) as error:
        FASHION_MNIST.load('test')
    message = str(error.value)
    assert 'apt-get install dataset-fashion-mnist' in message and '\n' not in message
    assert not os.listdir(tmp_path / 'cache' / 'dcgan-fashion-mnist')


def test_a_corrupt_fashion_file_is_named(fashion, tmp_path):
    for name in FASHION_MNIST.files:
        shutil.copyfile(os.path.join(FASHION_DIR, name), tmp_path / name)
    path = tmp_path / 't10k-labels-idx1-ubyte.gz'
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(UserError, match='corrupt') as error:
        FASHION_MNIST.load('test', str(tmp_path))
    assert str(path) in str(error.value)


def test_an_unknown_dataset_lists_the_known_ones():
    with pytest.raises(UserError) as error:
        sources.idx_source('kmnist')
    assert all(name in str(error.value) for name in catalog.NAMES)
    assert '--image-folder' in str(error.value)


def write_idx(folder, split, images, labels):
    names = catalog.SPLITS[split]
    with gzip.open(folder / names[0], 'wb') as f:
        f.write(numpy.array([2051, len(images)] + list(images.shape[1:]), '>i4').tobytes())
        f.write(images.astype(numpy.uint8).tobytes())
    with gzip.open(folder / names[1], 'wb') as f:
        f.write(numpy.array([2049, len(labels)], '>i4').tobytes())
        f.write(labels.astype(numpy.uint8).tobytes())


def test_any_idx_set_with_or_without_label_names(tmp_path, mnist_dir):
    images, labels = catalog.load_mnist('test', data_dir_or_fail(mnist_dir))
    keep = labels < 3
    pixels = numpy.round(images[keep][:, 0] * 255)
    write_idx(tmp_path, 'train', pixels[:300], labels[keep][:300])
    write_idx(tmp_path, 'test', pixels[300:400], labels[keep][300:400])
    source = sources.idx_source('idx', str(tmp_path))
    assert source.labels == ('0', '1', '2')
    x, y = source.split('train')
    assert x.shape == (300, 1, 28, 28) and numpy.array_equal(y, labels[keep][:300])
    assert numpy.allclose(x, images[keep][:300], atol=1e-6)
    (tmp_path / 'labels.txt').write_text('nought\none\ntwo\n')
    assert sources.idx_source('idx', str(tmp_path)).labels == ('nought', 'one', 'two')
    (tmp_path / 'labels.txt').write_text('nought\none\n')      # label 2 has no name
    with pytest.raises(UserError, match='names only 2 labels'):
        sources.idx_source('idx', str(tmp_path)).split('train')
    with pytest.raises(UserError, match='--data-dir'):
        sources.idx_source('idx')


def test_an_idx_set_of_another_size_is_refused_with_the_way_out(tmp_path):
    write_idx(tmp_path, 'train', numpy.zeros((4, 32, 32)), numpy.array([0, 1, 0, 1]))
    with pytest.raises(UserError) as error:
        sources.idx_source('idx', str(tmp_path)).split('train')
    assert '32 x 32' in str(error.value) and '--image-folder' in str(error.value)


@pytest.fixture(scope='module')
def folder(tmp_path_factory, mnist_dir):
    root = tmp_path_factory.mktemp('images') / 'my digits'
    digits = write_image_folder(root, data_dir_or_fail(mnist_dir))
    (root / 'seven' / 'notes.txt').write_text('not an image')
    (root / 'one' / 'broken.png').write_bytes(b'\x89PNG\r\n\x1a\n' + b'\0' * 40)
    return root, digits


def test_an_image_folder_reads_both_polarities_formats_and_sizes(folder):
    root, digits = folder
    logged = []
    read = image_folder.read_image_folder(str(root), log=logged.append)
    assert read.labels == tuple(sorted(NAMES)) and read.name == 'my digits'
    assert read.skipped == 2 and '2 files' in logged[0]
    assert len(read.train[1]) + len(read.test[1]) == 300
    assert numpy.bincount(read.test[1]).tolist() == [10, 10, 10]     # every 10th held out
    # Each image comes back as the digit written, ink = 1, whatever its polarity and format.
    one = read.labels.index('one')
    originals = digits['one'][[i for i in range(100) if (i + 1) % 10]]
    back = read.train[0][read.train[1] == one][:, 0]
    errors = numpy.abs(back - originals).mean(axis=(1, 2))
    assert errors.max() < 0.06, errors.max()
    assert numpy.median(errors) < 0.02


def test_an_image_folder_source_for_the_scripts(folder):
    root, _ = folder
    source = sources.image_folder_source(str(root), log=lambda text: None)
    assert source.describe() == {'name': 'my digits', 'title': 'my digits',
                                 'labels': ['one', 'seven', 'zero']}
    assert source.split('test')[0].shape == (30, 1, 28, 28)


def make_folder(root, layout):
    """layout: {label: number of 28x28 PNGs}."""
    for label, count in layout.items():
        (root / label).mkdir(parents=True)
        for i in range(count):
            Image.new('L', (28, 28), 255).save(root / label / ('%d.png' % i))
    return str(root)


@pytest.mark.parametrize('layout, words', [
    ({}, 'no label folders'),
    ({'cat': 3}, 'single label folder (cat)'),
    ({'cat': 3, 'dog': 0}, "label folder 'dog'"),
])
def test_bad_image_folders_are_one_line(tmp_path, layout, words):
    root = make_folder(tmp_path / 'set', layout)
    if not layout:
        os.makedirs(root, exist_ok=True)
    with pytest.raises(UserError) as error:
        image_folder.read_image_folder(root, log=lambda text: None)
    assert words in str(error.value) and '\n' not in str(error.value)


def test_a_missing_folder_and_a_file_are_named(tmp_path):
    with pytest.raises(UserError, match='no such folder'):
        image_folder.read_image_folder(str(tmp_path / 'nope'))
    (tmp_path / 'file.png').write_bytes(b'x')
    with pytest.raises(UserError, match='is a file, not a folder'):
        image_folder.read_image_folder(str(tmp_path / 'file.png'))


def test_too_many_labels_or_files(tmp_path, monkeypatch):
    root = tmp_path / 'many'
    for i in range(image_folder.MAX_LABELS + 1):
        (root / ('label%03d' % i)).mkdir(parents=True)
    with pytest.raises(UserError, match='at most %d' % image_folder.MAX_LABELS):
        image_folder.read_image_folder(str(root))
    monkeypatch.setattr(image_folder, 'MAX_FILES', 5)
    few = make_folder(tmp_path / 'few', {'a': 3, 'b': 3})
    with pytest.raises(UserError, match='more than 5 files'):
        image_folder.read_image_folder(few)


def test_image_folder_goes_alone():
    class Args:
        image_folder, dataset, data_dir = 'x', 'mnist', None
    with pytest.raises(UserError, match='without --dataset'):
        sources.from_args(Args())
