"""data/idx_files.py with MNIST's real files: layout, values, md5 checks, download from mirrors,
cache."""
import os
import shutil
import socket

import numpy
import pytest

from digitgan.cli import UserError
from digitgan.data import idx_files
from digitgan.data.catalog import MNIST, load_mnist
from script_helpers import data_dir_or_fail

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
SMALL = 't10k-labels-idx1-ubyte.gz'   # 4.5 kB: the file the download tests move around


@pytest.fixture(scope='module')
def data_dir(mnist_dir):
    return data_dir_or_fail(mnist_dir)


@pytest.fixture(scope='module')
def train(data_dir):
    return load_mnist('train', data_dir)


@pytest.fixture(scope='module')
def test(data_dir):
    return load_mnist('test', data_dir)


@pytest.mark.parametrize('split, counts', [('train', TRAIN_COUNTS), ('test', TEST_COUNTS)])
def test_shapes_types_and_class_counts(split, counts, train, test):
    images, labels = train if split == 'train' else test
    assert images.shape == (sum(counts), 1, 28, 28)
    assert images.dtype == numpy.float32
    assert labels.shape == (sum(counts),)
    assert labels.dtype == numpy.int32
    assert numpy.bincount(labels, minlength=10).tolist() == counts


def test_pixels_are_in_0_1_with_ink_1(train):
    images, _ = train
    assert images.min() == 0.0 and images.max() == 1.0
    # background 0: most pixels, and (almost) all of the outer frame; the ink is central
    assert (images == 0).mean() > 0.75
    frame = numpy.concatenate([images[:, :, [0, -1], :].ravel(), images[:, :, :, [0, -1]].ravel()])
    assert frame.mean() < 1e-3
    assert images[:, :, 10:18, 10:18].mean() > 0.25
    # ink 1: the strokes are saturated, and every image has some
    assert (images == 1).mean() > 0.003 and (images > 0.5).mean() > 0.08
    assert (images.reshape(len(images), -1).max(axis=1) > 0.9).all()
    # 255 -> 1.0 exactly and values are multiples of 1/255
    assert numpy.allclose(images[:100] * 255, numpy.round(images[:100] * 255), atol=1e-4)


def test_images_and_labels_stay_paired(train):
    """Digit 1 is the thinnest: its mean ink is far below the others'; a shuffled pairing
    of images and labels would make every class look the same."""
    images, labels = train
    ink = images.reshape(len(images), -1).mean(axis=1)
    per_class = [ink[labels == digit].mean() for digit in range(10)]
    assert numpy.argmin(per_class) == 1
    assert per_class[1] < 0.6 * numpy.mean(per_class)


def copy_folder(data_dir, tmp_path):
    folder = tmp_path / 'mnist'
    folder.mkdir()
    for name in MNIST.files:
        shutil.copyfile(os.path.join(data_dir, name), folder / name)
    return folder


def test_a_corrupt_file_is_a_user_error_naming_it(data_dir, tmp_path):
    folder = copy_folder(data_dir, tmp_path)
    path = folder / 't10k-images-idx3-ubyte.gz'
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(UserError) as error:
        load_mnist('test', str(folder))
    message = str(error.value)
    assert str(path) in message and 'corrupt' in message and '\n' not in message
    # the other split is untouched and loads
    assert load_mnist('train', str(folder))[0].shape == (60000, 1, 28, 28)


def test_a_missing_file_is_a_user_error_naming_data_dir(data_dir, tmp_path):
    folder = copy_folder(data_dir, tmp_path)
    os.remove(folder / 'train-labels-idx1-ubyte.gz')
    with pytest.raises(UserError) as error:
        load_mnist('train', str(folder))
    message = str(error.value)
    assert 'train-labels-idx1-ubyte.gz' in message and '--data-dir' in message
    assert '\n' not in message


def test_md5_table_matches_the_real_files(data_dir):
    for name, md5s in MNIST.files.items():
        assert idx_files.md5_of(os.path.join(data_dir, name)) in md5s


def closed_port_url():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    return 'http://127.0.0.1:%d/' % port   # nothing listens there any more


def test_download_with_unreachable_mirrors_is_a_one_line_user_error(tmp_path):
    mirrors = [closed_port_url(), closed_port_url()]
    with pytest.raises(UserError) as error:
        MNIST.download(SMALL, str(tmp_path / 'cache'), mirrors=mirrors, timeout=5)
    message = str(error.value)
    assert '\n' not in message
    assert '--data-dir' in message and SMALL in message
    assert all(mirror in message for mirror in mirrors)
    assert os.listdir(tmp_path / 'cache') == []


def test_download_falls_back_to_a_working_mirror(data_dir, tmp_path, static_server):
    served = tmp_path / 'served'
    served.mkdir()
    shutil.copyfile(os.path.join(data_dir, SMALL), served / SMALL)
    cache = tmp_path / 'cache'
    path = MNIST.download(SMALL, str(cache),
                               mirrors=[closed_port_url(), static_server(str(served))],
                               timeout=5)
    assert path == str(cache / SMALL)
    assert idx_files.md5_of(path) in MNIST.files[SMALL]
    assert os.listdir(cache) == [SMALL]        # no temporary file left beside it


def test_a_mirror_serving_a_wrong_file_is_rejected_and_leaves_nothing(
        data_dir, tmp_path, static_server):
    wrong = tmp_path / 'wrong'
    wrong.mkdir()
    (wrong / SMALL).write_bytes(b'<html>not the file</html>' * 100)
    cache = tmp_path / 'cache'
    with pytest.raises(UserError) as error:
        MNIST.download(SMALL, str(cache), mirrors=[static_server(str(wrong))], timeout=5)
    assert 'md5' in str(error.value)
    assert os.listdir(cache) == []


def test_a_mirror_without_the_file_is_skipped(data_dir, tmp_path, static_server):
    empty, good = tmp_path / 'empty', tmp_path / 'good'
    empty.mkdir()
    good.mkdir()
    shutil.copyfile(os.path.join(data_dir, SMALL), good / SMALL)
    cache = tmp_path / 'cache'
    mirrors = [static_server(str(empty)), static_server(str(good))]   # 404, then the file
    assert MNIST.download(SMALL, str(cache), mirrors=mirrors, timeout=5) == \
        str(cache / SMALL)


def test_cache_folder_honours_xdg_cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'xdg'))
    assert MNIST.cache_dir() == str(tmp_path / 'xdg' / 'dcgan-mnist')
    monkeypatch.delenv('XDG_CACHE_HOME')
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    assert MNIST.cache_dir() == str(tmp_path / 'home' / '.cache' / 'dcgan-mnist')


def test_without_data_dir_files_come_from_the_cache_and_are_downloaded_there(
        data_dir, tmp_path, monkeypatch, static_server):
    """No --data-dir and no MNIST_DATA_DIR: the loader uses $XDG_CACHE_HOME/dcgan-mnist and
    fills it from the mirrors (here a local server; no network is used)."""
    monkeypatch.delenv(MNIST.env_var, raising=False)
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'xdg'))
    cache = tmp_path / 'xdg' / 'dcgan-mnist'
    cache.mkdir(parents=True)
    shutil.copyfile(os.path.join(data_dir, 't10k-images-idx3-ubyte.gz'),
                    cache / 't10k-images-idx3-ubyte.gz')          # already cached
    served = tmp_path / 'served'
    served.mkdir()
    shutil.copyfile(os.path.join(data_dir, SMALL), served / SMALL)   # to be downloaded
    monkeypatch.setattr(MNIST, 'mirrors', (closed_port_url(), static_server(str(served))))
    images, labels = load_mnist('test')
    assert images.shape == (10000, 1, 28, 28) and len(labels) == 10000
    assert sorted(os.listdir(cache)) == sorted(['t10k-images-idx3-ubyte.gz', SMALL])


def test_env_var_is_used_when_no_data_dir_is_given(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv(MNIST.env_var, str(tmp_path / 'empty'))
    with pytest.raises(UserError) as error:
        load_mnist('test')
    assert str(tmp_path / 'empty') in str(error.value)
    monkeypatch.setenv(MNIST.env_var, data_dir)
    assert len(load_mnist('test')[1]) == 10000
