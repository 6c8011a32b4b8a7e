"""train_gan.py end to end (a short CPU run as a subprocess) and the preview helpers."""
import json
import math
import os

import chainer
import numpy
import pytest
from PIL import Image

from digitgan import checkpoints
from digitgan.generation import sampling
from digitgan.networks import Discriminator, Generator
from digitgan.training import visualize
from script_helpers import (assert_final_files_only, assert_quiet_run, expected_files,
                            numbered_files, saved_model_args, train)

N = 5            # iterations; snapshots every 2, so the run ends between two intervals
ARGS = ['--gpu', -1, '--iterations', N, '--batchsize', 16, '--snapshot-interval', 2,
        '--preview-interval', 2]


@pytest.fixture(scope='module')
def run(mnist_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp('dcgan') / 'out'
    return out, train('train_gan.py', out, mnist_dir, *ARGS)


def test_run_prints_header_and_no_errors(run):
    out, done = run
    assert_quiet_run(done, 'conditional DCGAN | device: @numpy + cpu_kernels | minibatch: 16 | '
                           '%d iterations' % N)
    assert 'resumed' not in done.stdout


def test_log_has_finite_losses_up_to_the_last_iteration(run):
    out, _ = run
    with open(out / 'log') as f:
        log = json.load(f)
    assert [entry['iteration'] for entry in log] == [2, 4, N]
    for entry in log:
        for key in ('gen/loss', 'dis/loss'):
            assert math.isfinite(entry[key]) and entry[key] > 0, (key, entry)


def test_preview_grids(run):
    out, _ = run
    with Image.open(out / 'preview.png') as image:
        assert image.size == (2 * 280, 2 * 280) and image.mode == 'L'   # 10x10 digits, x2
    names = sorted(os.listdir(out / 'preview'))
    assert names == ['image%08d.png' % i for i in (2, 4, N)]
    for name in names:
        with Image.open(out / 'preview' / name) as image:
            assert image.size == (280, 280) and image.mode == 'L'
    # preview.png is the latest grid, scaled by 2
    with Image.open(out / 'preview.png') as big, \
            Image.open(out / 'preview' / ('image%08d.png' % N)) as last:
        numpy.testing.assert_array_equal(numpy.asarray(big)[::2, ::2], numpy.asarray(last))


def test_loss_plot(run):
    out, _ = run
    with Image.open(out / 'loss.png') as image:
        image.verify()
        assert image.format == 'PNG' and min(image.size) > 100


def test_weights_args_and_snapshot_files(run):
    out, _ = run
    files = set(os.listdir(out))
    # two newest weight files of each network, one trainer snapshot, nothing temporary
    assert {'gen_iter_4.npz', 'gen_iter_%d.npz' % N, 'dis_iter_4.npz',
            'dis_iter_%d.npz' % N} <= files
    assert not {'gen_iter_2.npz', 'dis_iter_2.npz'} & files
    assert_final_files_only(out, N)


def test_keep_weights_0_keeps_every_save_for_the_curve(mnist_dir, tmp_path):
    out = tmp_path / 'curve'
    train('train_gan.py', out, mnist_dir, *ARGS, '--keep-weights', 0)
    assert numbered_files(out) == expected_files(2, 4, N)
    assert_final_files_only(out, N)          # trainer snapshots: still the newest two


def test_generator_args_rebuild_the_saved_generator(run):
    out, _ = run
    assert saved_model_args(out, 'generator') == Generator().model_args()   # the defaults
    gen = checkpoints.load_generator(str(out / ('gen_iter_%d.npz' % N)))
    images = visualize.preview_images(gen, rows=2, seed=0)
    assert images.shape == (20, 1, 28, 28) and 0 <= images.min() and images.max() <= 1
    dis = Discriminator()
    chainer.serializers.load_npz(str(out / ('dis_iter_%d.npz' % N)), dis)
    with chainer.using_config('train', False):
        assert dis(images, numpy.arange(20, dtype=numpy.int32) % 10).shape == (20, 1)


def test_written_files_are_readable_by_others(run):
    """Atomic writes go through mkstemp (mode 0600); the result must get the usual mode."""
    out, _ = run
    umask = os.umask(0o022)
    os.umask(umask)
    for name in ('generator_args.json', 'preview.png'):
        assert os.stat(out / name).st_mode & 0o777 == 0o666 & ~umask, name


# -- visualize.py ----------------------------------------------------------------------

def test_digit_grid_layout_and_colours():
    images = numpy.zeros((6, 1, 28, 28), numpy.float32)
    for k in range(6):
        images[k, 0, k, 0] = 1.0             # a marker pixel, row k of image k
    levels = (numpy.arange(28 * 28) % 256).reshape(28, 28)
    images[5, 0] = levels / numpy.float32(255)      # every grey level, as the data holds them
    grid = sampling.digit_grid(images, rows=2, cols=3)
    assert grid.shape == (56, 84) and grid.dtype == numpy.uint8
    for k in range(4):
        r, c = divmod(k, 3)
        cell = grid[28 * r:28 * (r + 1), 28 * c:28 * (c + 1)]
        assert cell[k, 0] == 0                # ink = 1 is drawn black
        assert (cell == 255).sum() == 28 * 28 - 1   # background 0 is pure white
    numpy.testing.assert_array_equal(grid[28:, 56:], 255 - levels)   # exact, no off-by-one


def test_preview_images_rows_share_z_and_columns_are_digits():
    numpy.random.seed(0)
    gen = Generator(n_hidden=6, ch=8)
    images = visualize.preview_images(gen, rows=3, seed=4)
    assert images.shape == (30, 1, 28, 28) and isinstance(images, numpy.ndarray)
    z = numpy.random.RandomState(4).standard_normal((3, 6)).astype('f')
    for row in range(3):
        for digit in (0, 7):
            expected = sampling.generate(gen, z[row:row + 1],
                                          numpy.array([digit], numpy.int32))
            numpy.testing.assert_allclose(images[row * 10 + digit], expected[0], atol=1e-6)
    # the same seed gives the same grid: previews are comparable across iterations
    numpy.testing.assert_array_equal(visualize.preview_images(gen, rows=3, seed=4), images)


def test_every_recipe_flag_in_one_short_run(tmp_path, mnist_dir):
    """Hinge loss, projection D with spectral norm, two D steps, per-network learning rates
    decaying linearly to 0 at the end, Adam beta1, EMA, and a warm-started G."""
    out = tmp_path / 'recipe'
    init = tmp_path / 'init'
    numpy.random.seed(3)
    init.mkdir()
    gen = Generator(n_hidden=6, ch=8)
    chainer.serializers.save_npz(str(init / 'gen_iter_1.npz'), gen)
    with open(init / 'generator_args.json', 'w') as f:
        json.dump(gen.model_args(), f)
    done = train('train_gan.py', out, mnist_dir, '--gpu', -1, '--iterations', 6,
                 '--batchsize', 8, '--snapshot-interval', 3, '--preview-interval', 3,
                 '--dis-ch', 4, '--loss', 'hinge', '--dis-conditioning', 'projection',
                 '--spectral-norm', '--dis-steps', 2, '--gen-lr', 1e-4, '--dis-lr', 4e-4,
                 '--lr-decay-start', 0.5, '--beta1', 0.0, '--ema', 0.9,
                 '--init-generator', init / 'gen_iter_1.npz', '--dis-warmup', 1)
    assert 'Traceback' not in done.stderr
    with open(out / 'log') as f:
        log = json.load(f)
    by_iteration = {entry['iteration']: entry for entry in log}
    # constant for the first half of the run (the log averages over 3 iterations), then
    # falling, to exactly 0 at the end
    assert by_iteration[3]['gen/lr'] == pytest.approx(1e-4)
    assert by_iteration[3]['dis/lr'] == pytest.approx(4e-4)
    assert 0 < by_iteration[6]['gen/lr'] < 1e-4
    snapshot = numpy.load(out / 'snapshot_iter_6', allow_pickle=False)
    for name in ('gen', 'dis'):
        assert snapshot['extensions/%s_lr_decay/_last_value' % name] == 0.0
    assert saved_model_args(out, 'generator') == gen.model_args()   # sizes from --init
    assert {'gen_ema_iter_3.npz', 'gen_ema_iter_6.npz', 'gen_iter_6.npz'} <= set(os.listdir(out))
    dis = Discriminator(ch=4, conditioning='projection', spectral_norm=True)
    chainer.serializers.load_npz(str(out / 'dis_iter_6.npz'), dis)


def test_deeper_discriminator_r1_penalty_and_real_label(tmp_path, mnist_dir):
    """--dis-layers 3, --r1-gamma (logged as dis/r1), --real-label 1.0 and
    --dis-minibatch-std 4 in one short run."""
    out = tmp_path / 'r1'
    train('train_gan.py', out, mnist_dir, '--gpu', -1, '--iterations', 4, '--batchsize', 8,
          '--snapshot-interval', 2, '--preview-interval', 2, '--gen-ch', 8, '--dis-ch', 4,
          '--dis-layers', 3, '--r1-gamma', 5, '--real-label', 1.0, '--dis-minibatch-std', 4)
    with open(out / 'log') as f:
        log = json.load(f)
    assert all(entry['dis/r1'] > 0 for entry in log), log
    dis = Discriminator(ch=4, layers=3, minibatch_std=4)
    chainer.serializers.load_npz(str(out / 'dis_iter_4.npz'), dis)      # c2, bn2, wider l2
