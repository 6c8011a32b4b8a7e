"""What resuming must never do: write weight files an uninterrupted run would not (pushing the
real ones out), lose the moving average of G, run code from a planted snapshot, or give up
when the newest snapshot is corrupt and an older one is whole; and a full disk while saving
is one line that leaves every snapshot whole."""
import os
import shutil
import subprocess
import sys

import numpy
import pytest

from digitgan import networks
from digitgan.training import ema, runs
from script_helpers import (ROOT, CreatesAFile, assert_ok, assert_one_line_error,
                            data_dir_or_fail, expected_files, folder_state, numbered_files,
                            run_script, script_env, snapshot_iterations)

INTERVAL = 5
GAN = ['--gen-ch', 16, '--dis-ch', 8]     # small networks: quick runs
EMA_BETA = 0.999                         # train_gan.py's default --ema


def gan_args(mnist_dir, out, iterations):
    return ['--gpu', -1, '--batchsize', 8, '--iterations', iterations,
            '--snapshot-interval', INTERVAL, '--preview-interval', 1000, *GAN,
            '--data-dir', data_dir_or_fail(mnist_dir), '--out', out]


@pytest.fixture(scope='module')
def finished(mnist_dir, tmp_path_factory):
    """A finished run of 10 iterations: snapshots and weights at 5 and 10."""
    out = str(tmp_path_factory.mktemp('finished') / 'out')
    assert_ok(run_script('train_gan.py', *gan_args(mnist_dir, out, 10)))
    assert snapshot_iterations(out) == [5, 10]
    assert numbered_files(out) == expected_files(5, 10)
    return out


@pytest.fixture
def copy_of(finished, tmp_path):
    out = str(tmp_path / 'out')
    shutil.copytree(finished, out)
    return out


def test_a_resumed_and_extended_run_writes_no_extra_weight_files(copy_of, mnist_dir):
    """Resumed at 10 and run to 14: the files of 10 and 14, as without the pause (the
    writers' triggers used to fire again at 11 and push gen_iter_10.npz out)."""
    done = run_script('train_gan.py', *gan_args(mnist_dir, copy_of, 14))
    assert_ok(done)
    assert 'resumed from %s at iteration 10' % os.path.join(copy_of, 'snapshot_iter_10') \
        in done.stdout
    assert numbered_files(copy_of) == expected_files(10, 14)
    assert snapshot_iterations(copy_of) == [10, 14]


def test_a_run_resumed_past_its_end_writes_nothing(copy_of, mnist_dir):
    before = folder_state(copy_of)
    done = run_script('train_gan.py', *gan_args(mnist_dir, copy_of, 8))
    assert_ok(done)
    assert 'at iteration 10' in done.stdout
    after = folder_state(copy_of)
    assert set(after) == set(before)
    # only generator_args.json is written again (same content)
    assert {name for name in before if after[name] != before[name]} <= {'generator_args.json'}
    assert after['generator_args.json'][0] == before['generator_args.json'][0]


def test_the_moving_average_is_restored_on_resume(copy_of, mnist_dir):
    """Iteration 11 after a resume at 10 averages on from the snapshot's average:
    average_11 = d * average_10 + (1 - d) * gen_11, d = ema_decay(beta, 11)."""
    assert_ok(run_script('train_gan.py', *gan_args(mnist_dir, copy_of, 11)))
    at_10 = runs.read_snapshot(os.path.join(copy_of, 'snapshot_iter_10'))
    at_11 = runs.read_snapshot(os.path.join(copy_of, 'snapshot_iter_11'))
    decay = ema.ema_decay(EMA_BETA, 11)
    names = [name.lstrip('/') for name, _ in networks.Generator(ch=16).namedparams()]
    for name in names:
        average_10 = at_10['extensions/gen_ema/average/' + name]
        expected = average_10 * numpy.float32(decay) + \
            numpy.float32(1 - decay) * at_11['updater/model:gen/' + name]
        numpy.testing.assert_allclose(at_11['extensions/gen_ema/average/' + name], expected,
                                      rtol=1e-5, atol=1e-7, err_msg=name)
    assert numbered_files(copy_of) == expected_files(10, 11)


def test_a_corrupt_newest_snapshot_falls_back_to_the_one_before(copy_of, mnist_dir):
    newest = os.path.join(copy_of, 'snapshot_iter_10')
    with open(newest, 'r+b') as f:          # a crash halfway through writing it
        f.truncate(os.path.getsize(newest) // 2)
    done = run_script('train_gan.py', *gan_args(mnist_dir, copy_of, 10))
    assert_ok(done)
    warning, = done.stderr.splitlines()
    assert warning.startswith('warning: snapshot %s is corrupt (' % newest)
    assert warning.endswith('); resuming from the one before it, %s'
                            % os.path.join(copy_of, 'snapshot_iter_5'))
    assert 'resumed from %s at iteration 5' % os.path.join(copy_of, 'snapshot_iter_5') \
        in done.stdout
    assert runs.read_snapshot(newest)['updater/iteration'] == 10   # written again, whole
    assert snapshot_iterations(copy_of) == [5, 10]
    assert numbered_files(copy_of) == expected_files(5, 10)


def test_a_pickled_entry_in_a_snapshot_is_refused_and_never_run(copy_of, mnist_dir, tmp_path):
    marker = tmp_path / 'code-ran'
    newest = os.path.join(copy_of, 'snapshot_iter_10')
    with numpy.load(newest, allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    arrays['updater/iteration'] = numpy.array([CreatesAFile(str(marker))], dtype=object)
    with open(newest, 'wb') as f:
        numpy.savez(f, **arrays)
    before = folder_state(copy_of)
    done = run_script('train_gan.py', *gan_args(mnist_dir, copy_of, 12))
    assert_one_line_error(done, 'cannot resume from %s: entry updater/iteration holds a '
                                'pickled Python object' % newest)
    assert not marker.exists()
    assert folder_state(copy_of) == before


# numpy.savez_compressed (what chainer's snapshot writer calls) as on a full disk, for the
# trainer snapshot of one iteration: it writes a little, then fails.
FULL_DISK = '''
import errno, runpy, sys
import numpy
full_at = 'snapshot_iter_' + sys.argv.pop(1)
real = numpy.savez_compressed
def savez_compressed(file, *args, **kwds):
    if getattr(file, 'name', str(file)).endswith(full_at):
        file.write(b'PK\\x03\\x04 the start of a snapshot')
        raise OSError(errno.ENOSPC, 'No space left on device')
    return real(file, *args, **kwds)
numpy.savez_compressed = savez_compressed
sys.argv.pop(0)
runpy.run_path(sys.argv[0], run_name='__main__')
'''


def test_a_full_disk_while_saving_is_one_line_and_keeps_the_snapshots(copy_of, mnist_dir):
    before = folder_state(copy_of)
    done = subprocess.run(
        [sys.executable, '-c', FULL_DISK, '15', os.path.join(ROOT, 'train_gan.py'),
         *map(str, gan_args(mnist_dir, copy_of, 20))],
        cwd=ROOT, env=script_env(), capture_output=True, text=True, timeout=300)
    assert_one_line_error(done, 'cannot write into %s at iteration 15 (No space left on '
                                'device); the last complete snapshot, snapshot_iter_10, is '
                                'intact' % copy_of)
    assert snapshot_iterations(copy_of) == [5, 10]    # none removed for one never written
    assert folder_state(copy_of)['snapshot_iter_10'] == before['snapshot_iter_10']
    assert not [name for name in os.listdir(copy_of) if name.startswith(('tmp', '.'))]
    done = run_script('train_gan.py', *gan_args(mnist_dir, copy_of, 20))   # room again
    assert_ok(done)
    assert 'resumed from %s at iteration 10' % os.path.join(copy_of, 'snapshot_iter_10') \
        in done.stdout
    assert snapshot_iterations(copy_of) == [15, 20]
