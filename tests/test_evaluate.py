"""evaluate.py and metrics.py: the measures can fail (an untrained generator) and can pass
(real test digits passed as 'generated'), and the Frechet maths is right."""
import json

import numpy
from PIL import Image
import pytest

from digitgan.data.catalog import load_mnist
from digitgan.evaluation.metrics import frechet_distance, spread, weighted_stats
from script_helpers import assert_one_line_error, run_script, shipped_recogniser, tiny_generator


def evaluate(tmp_path, *args):
    done = run_script('evaluate.py', '--json', tmp_path / 'e.json',
                      '--grid', tmp_path / 'e.png', *args)
    assert done.returncode == 0, done.stderr
    with open(tmp_path / 'e.json') as f:
        return json.load(f), done.stdout


def save_samples(path, images, labels):
    numpy.savez(path, images=images[:, 0], labels=labels.astype(numpy.int64))


def test_untrained_generator_fails_every_target(tmp_path):
    shipped_recogniser()
    result, table = evaluate(tmp_path, '--generator', tiny_generator(tmp_path),
                             '--per-label', 20, '--real', 500)
    metrics = result['metrics']
    assert result['n_generated'] == 200 and result['n_real_test'] == 500
    assert metrics['conditional_accuracy'] < 0.3
    assert metrics['frechet_ratio'] > 10
    assert metrics['diversity_ratio'] < 0.5            # nearly one image for every z
    assert metrics['recogniser_accuracy'] > 0.97
    for name in ('conditional_accuracy', 'frechet_ratio', 'diversity_ratio'):
        assert not result['targets'][name]['met']
        assert result['targets'][name]['gap'] != 0
    assert sorted(result['per_label']) == [str(c) for c in range(10)]
    assert table.count('MISSED') >= 3
    with Image.open(tmp_path / 'e.png') as grid:
        assert grid.size == (10 * 28 * 2, 10 * 28 * 2)


def test_real_digits_as_generated_meet_the_targets(tmp_path, mnist_dir):
    from evaluate import real_subset
    shipped_recogniser()
    images, labels = load_mnist('test', mnist_dir)
    reference = real_subset(len(images), 600, seed=0)
    save_samples(tmp_path / 'same.npz', images[reference], labels[reference])
    result, _ = evaluate(tmp_path, '--samples', tmp_path / 'same.npz', '--real', 600)
    metrics = result['metrics']
    assert metrics['conditional_accuracy'] == metrics['recogniser_accuracy']
    assert metrics['frechet_distance'] < 1e-3 * metrics['frechet_floor']
    assert metrics['diversity_ratio'] == pytest.approx(1.0)
    assert result['targets']['frechet_ratio']['met']
    assert result['targets']['diversity_ratio']['met']

    # Other real test digits than the reference ones: within the targets too.
    others = numpy.setdiff1d(numpy.arange(len(images)), reference)
    others = numpy.random.RandomState(1).permutation(others)[:600]
    save_samples(tmp_path / 'other.npz', images[others], labels[others])
    result, _ = evaluate(tmp_path, '--samples', tmp_path / 'other.npz', '--real', 600)
    metrics = result['metrics']
    assert metrics['conditional_accuracy'] > 0.97
    assert metrics['frechet_ratio'] < 2
    assert 0.9 < metrics['diversity_ratio'] < 1.1


def test_bad_samples_file_is_a_one_line_error(tmp_path):
    (tmp_path / 'bad.npz').write_text('not numpy')
    numpy.savez(tmp_path / 'shape.npz', images=numpy.zeros((5, 27, 28)), labels=numpy.zeros(5))
    numpy.save(tmp_path / 'array.npy', numpy.zeros((5, 28, 28)))   # an array, not an archive
    numpy.savez(tmp_path / 'text.npz', images=numpy.array(['a'] * 5), labels=numpy.zeros(5))
    for path in ('bad.npz', 'shape.npz', 'missing.npz', 'array.npy', 'text.npz'):
        done = run_script('evaluate.py', '--samples', tmp_path / path)
        assert assert_one_line_error(done).startswith('error: --samples')


def test_frechet_distance_of_known_gaussians():
    rng = numpy.random.RandomState(0)
    a = rng.normal(size=(500, 6))
    assert frechet_distance(weighted_stats(a, numpy.ones(500)),
                            weighted_stats(a, numpy.ones(500))) == pytest.approx(0, abs=1e-9)
    mean = numpy.arange(6.0)
    # N(0, I) against N(m, 4 I): |m|^2 + trace(I + 4I - 2 * 2I) = |m|^2 + 6
    expected = (mean ** 2).sum() + 6
    assert frechet_distance((numpy.zeros(6), numpy.eye(6)), (mean, 4 * numpy.eye(6))) == \
        pytest.approx(expected)
    rotation = numpy.linalg.qr(rng.normal(size=(6, 6)))[0]
    c1 = rotation @ numpy.diag([1.0, 2, 3, 4, 5, 6]) @ rotation.T
    assert frechet_distance((mean, c1), (mean, c1)) == pytest.approx(0, abs=1e-9)


def test_weighted_stats_and_spread():
    rng = numpy.random.RandomState(1)
    a = rng.normal(size=(50, 3))
    mean, cov = weighted_stats(a, numpy.full(50, 2.0))
    assert numpy.allclose(mean, a.mean(axis=0)) and numpy.allclose(cov, numpy.cov(a.T))
    # Weight 2 on a row is the row counted twice, up to the unbiased normalisation.
    weights = numpy.ones(50)
    weights[0] = 2
    assert numpy.allclose(weighted_stats(a, weights)[0],
                          numpy.concatenate([a, a[:1]]).mean(axis=0))
    assert spread(numpy.array([[0.0, 0], [3, 4]])) == pytest.approx(5)
    assert spread(a[:1]) is None
