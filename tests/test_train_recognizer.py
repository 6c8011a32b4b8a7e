"""train_recognizer.py end to end (a short CPU run as a subprocess) and its data transform."""
import json
import math

import chainer
import numpy
import pytest
from PIL import Image

from digitgan import checkpoints, cli
from digitgan.data.catalog import load_mnist
from digitgan.networks import Recogniser
from digitgan.recognition import verdict
from script_helpers import (assert_final_files_only, assert_quiet_run, data_dir_or_fail,
                            saved_model_args, train)
import train_recognizer

N = 4
ARGS = ['--gpu', -1, '--iterations', N, '--batchsize', 16, '--snapshot-interval', 3,
        '--test-limit', 200, '--train-limit', 100]


@pytest.fixture(scope='module')
def run(mnist_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp('recogniser') / 'out'
    return out, train('train_recognizer.py', out, mnist_dir, *ARGS)


def test_run_prints_header_and_no_errors(run):
    out, done = run
    assert_quiet_run(done, 'recogniser | device: @numpy + cpu_kernels | minibatch: 16 | '
                     '%d iterations' % N)


def test_log_has_training_and_validation_metrics(run):
    out, _ = run
    with open(out / 'log') as f:
        log = json.load(f)
    assert [entry['iteration'] for entry in log] == [3, N]
    last = log[-1]
    for key in ('main/loss', 'main/accuracy', 'validation/main/loss',
                'validation/main/accuracy'):
        assert math.isfinite(last[key]), key
    for key in ('main/accuracy', 'validation/main/accuracy'):
        assert 0 <= last[key] <= 1
    # validated on --test-limit 200 images: accuracy is a multiple of 1/200
    assert last['validation/main/accuracy'] * 200 == pytest.approx(
        round(last['validation/main/accuracy'] * 200), abs=1e-3)


def test_plots_weights_and_snapshot(run):
    out, _ = run
    for name in ('accuracy.png', 'loss.png'):
        with Image.open(out / name) as image:
            image.verify()
            assert image.format == 'PNG'
    assert_final_files_only(out, N)


def test_saved_recogniser_rebuilds_from_its_args(run, mnist_dir):
    out, _ = run
    # ten digits and "not a digit"
    assert saved_model_args(out, 'recogniser') == Recogniser(n_classes=11).model_args()
    recogniser = checkpoints.load_recogniser(str(out / 'recogniser.npz'))
    images, _ = load_mnist('test', data_dir_or_fail(mnist_dir))
    with chainer.using_config('train', False), chainer.using_config('enable_backprop', False):
        y = recogniser(images[:8]).array
    assert y.shape == (8, 11) and numpy.isfinite(y).all()


def test_the_rule_is_tuned_on_digits_it_never_trained_on(run):
    """verdict.json: a temperature and a threshold, with what they did on the tuning set
    (train[55000:], --train-limit of them, drawn and scanned, and as many non-digits)."""
    out, done = run
    with open(out / 'verdict.json') as f:
        rule = json.load(f)
    assert 0.25 <= rule['temperature'] <= 8 and 0 <= rule['min_confidence'] < 1
    tuned = rule['on_tuning_set']
    assert tuned['digits'] == 200 and tuned['non_digits'] == 100
    assert tuned['refused'] <= 0.005 or rule['min_confidence'] == 0
    assert verdict.load_rule(str(out / 'recogniser.npz')) == {
        'temperature': rule['temperature'], 'min_confidence': rule['min_confidence']}
    assert '"?" rule: temperature' in done.stdout


def test_scans_alone_train_ten_classes_without_a_rule(mnist_dir, tmp_path):
    out = tmp_path / 'scans'
    done = train('train_recognizer.py', out, mnist_dir, *ARGS, '--augment', 'scans')
    assert done.returncode == 0, done.stderr[-2000:]
    assert saved_model_args(out, 'recogniser') == Recogniser().model_args()
    assert not (out / 'verdict.json').exists()
    assert verdict.load_rule(str(out / 'recogniser.npz')) == verdict.PLAIN_RULE


def test_init_from_a_ten_class_recogniser(mnist_dir, tmp_path):
    """--init: a ten-digit recogniser's weights, its output rows in the first ten."""
    ten = Recogniser()
    eleven = Recogniser(n_classes=11)
    path = tmp_path / 'ten.npz'
    chainer.serializers.save_npz(str(path), ten)
    before = eleven.l6.W.array[10].copy()
    train_recognizer.start_from(eleven, str(path))
    numpy.testing.assert_array_equal(eleven.l6.W.array[:10], ten.l6.W.array)
    numpy.testing.assert_array_equal(eleven.l6.W.array[10], before)
    numpy.testing.assert_array_equal(eleven.c1.W.array, ten.c1.W.array)


def test_init_from_a_narrower_recogniser_starts_out_the_same(tmp_path):
    """--init into more channels and units (--ch, --n-units): the wider network computes
    what the narrow one did (BatchNorm's running averages included) until it trains."""
    rng = numpy.random.RandomState(3)
    narrow = Recogniser(ch=4, n_units=8, n_classes=11)
    for bn in (narrow.bn1, narrow.bn2, narrow.bn3, narrow.bn4):
        bn.avg_mean[...] = rng.normal(0, 0.3, bn.avg_mean.shape)
        bn.avg_var[...] = rng.uniform(0.5, 2, bn.avg_var.shape)
        bn.gamma.array[...] = rng.uniform(0.5, 2, bn.gamma.shape)
    path = tmp_path / 'narrow.npz'
    chainer.serializers.save_npz(str(path), narrow)
    wide = Recogniser(ch=6, n_units=12, n_classes=11)
    train_recognizer.start_from(wide, str(path))
    images = rng.uniform(0, 1, (5, 1, 28, 28)).astype(numpy.float32)
    with chainer.using_config('train', False):
        expected, got = narrow(images).array, wide(images).array
    assert numpy.abs(expected).max() > 0.1
    numpy.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    assert numpy.abs(wide.c2.W.array[4:]).max() > 0       # the new channels are not dead
    # the other way round is a user mistake: one line, naming the sizes
    with pytest.raises(cli.UserError, match='--ch and --n-units'):
        train_recognizer.start_from(Recogniser(ch=2, n_units=8, n_classes=11), str(path))


def test_random_shift_moves_the_digit_without_losing_ink(mnist_dir):
    images, labels = load_mnist('test', data_dir_or_fail(mnist_dir))
    rng = numpy.random.RandomState(0)
    shift = train_recognizer.random_shift(2, rng)
    moved = 0
    for image, label in zip(images[:50], labels[:50]):
        shifted, same_label = shift((image, label))
        assert shifted.shape == image.shape and shifted.dtype == image.dtype
        assert same_label == label
        # MNIST digits sit in the central 20x20: a 2-pixel shift keeps all of the ink
        assert shifted.sum() == pytest.approx(image.sum(), rel=1e-6)
        found = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                 if numpy.array_equal(numpy.roll(image, (dy, dx), axis=(1, 2)), shifted)]
        assert found, 'not a shift of at most 2 pixels'
        moved += found[0] != (0, 0)
    assert moved > 30
    # --shift 0 means no transform at all
    unshifted = train_recognizer.random_shift(0, rng)((images[0], labels[0]))[0]
    numpy.testing.assert_array_equal(unshifted, images[0])
