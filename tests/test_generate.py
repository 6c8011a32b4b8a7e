"""generate.py end to end: the PNG grids, the npz arrays, repeatability, one-line errors."""
import os

import numpy
from PIL import Image
import pytest

from script_helpers import assert_one_line_error, run_script, shipped_generator, tiny_generator


def test_npz_holds_k_images_per_digit(root, tmp_path):
    gen = tiny_generator(tmp_path)
    done = run_script('generate.py', '--generator', gen, '--per-digit', 3,
                      '--npz', tmp_path / 'a.npz', '--seed', 1)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / 'generated.png').exists() and not os.path.exists(
        os.path.join(root, 'generated.png'))
    with numpy.load(tmp_path / 'a.npz') as data:
        images, labels = data['images'], data['labels']
    assert images.shape == (30, 28, 28) and images.dtype == numpy.float32
    assert labels.shape == (30,) and labels.dtype == numpy.int64
    assert 0 <= images.min() and images.max() <= 1
    assert list(numpy.bincount(labels)) == [3] * 10
    assert len(numpy.unique(images.reshape(30, -1), axis=0)) == 30   # own z each

    run_script('generate.py', '--generator', gen, '--per-digit', 3,
               '--npz', tmp_path / 'b.npz', '--seed', 1)
    run_script('generate.py', '--generator', gen, '--per-digit', 3,
               '--npz', tmp_path / 'c.npz', '--seed', 2)
    with numpy.load(tmp_path / 'b.npz') as b, numpy.load(tmp_path / 'c.npz') as c:
        assert numpy.array_equal(b['images'], images)
        assert not numpy.array_equal(c['images'], images)


def test_png_grids(tmp_path):
    gen = tiny_generator(tmp_path)
    done = run_script('generate.py', '--generator', gen, '--digit', 7, '--n', 5,
                      '--out', tmp_path / 'sevens.png', '--seed', 0)
    assert done.returncode == 0, done.stderr
    sevens = numpy.asarray(Image.open(tmp_path / 'sevens.png'))
    assert sevens.shape == (2 * 28, 3 * 28)            # 5 images: 3 columns, 2 rows
    assert (sevens[28:, 56:] == 255).all()             # the unused cell is white paper

    done = run_script('generate.py', '--generator', gen, '--digit', 'all', '--n', 2,
                      '--scale', 2, '--out', tmp_path / 'all.png')
    assert done.returncode == 0, done.stderr
    with Image.open(tmp_path / 'all.png') as image:
        assert image.mode == 'L' and image.size == (10 * 28 * 2, 2 * 28 * 2)


@pytest.mark.parametrize('args, message', [
    (['--digit', '12'], "--digit must be 'all' or one of the generator's labels (0, 1"),
    (['--n', '0'], '--n must be a positive integer'),
    (['--out', 'no/such/folder/x.png'], 'no such folder'),
    (['--generator', 'missing.npz'], 'no such file'),
])
def test_errors_are_one_line(tmp_path, args, message):
    done = run_script('generate.py', *args, cwd=tmp_path)
    assert_one_line_error(done, message)


def test_shipped_generator_by_default(tmp_path):
    shipped_generator()
    done = run_script('generate.py', '--digit', 3, '--n', 4, '--out', 'threes.png',
                      '--seed', 0, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    threes = numpy.asarray(Image.open(tmp_path / 'threes.png'), numpy.float32) / 255
    assert threes.shape == (56, 56)
    assert 0.03 < (threes < 0.5).mean() < 0.5          # dark ink on white, not blank or grey
    assert numpy.median(threes) > 0.9
