"""Every bad input to the training scripts: one stderr line 'error: ...', exit code 2, no
traceback, and nothing already saved in --out is touched (same bytes, same mtimes). Also
cli.run's quiet exit when the reader of a script's output goes away."""
import os
import subprocess
import sys

import pytest

from digitgan import cli
from digitgan.data.catalog import MNIST
from script_helpers import (ROOT, assert_ok, assert_one_line_error, data_dir_or_fail,
                            folder_state, run_script, script_env)
import train_gan
import train_recognizer

SCRIPTS = {'gan': 'train_gan.py', 'recogniser': 'train_recognizer.py'}


@pytest.fixture(scope='module')
def data(mnist_dir):
    return data_dir_or_fail(mnist_dir)


GAN_ARGS = ['--gen-ch', 16, '--dis-ch', 8]   # the saved GAN is small, to keep this quick


@pytest.fixture(scope='module')
def saved(data, tmp_path_factory):
    """Finished short runs of both trainers: the 'already saved' work that must survive."""
    base = tmp_path_factory.mktemp('saved')
    common = ['--gpu', -1, '--iterations', 2, '--batchsize', 8, '--snapshot-interval', 2,
              '--data-dir', data]
    runs = {'gan': str(base / 'gan'), 'recogniser': str(base / 'recogniser'),
            'gan_args': GAN_ARGS}
    assert_ok(run_script('train_gan.py', *common, *GAN_ARGS, '--out', runs['gan']))
    assert_ok(run_script('train_recognizer.py', *common, '--test-limit', 20,
                         '--out', runs['recogniser']))
    return runs


@pytest.fixture
def unchanged(saved):
    """Asserts after the test that neither saved run folder changed in any way."""
    before = {kind: folder_state(saved[kind]) for kind in SCRIPTS}
    yield
    for kind in SCRIPTS:
        assert folder_state(saved[kind]) == before[kind], kind + ' run folder was changed'


def fail(kind, data, out, *args):
    return run_script(SCRIPTS[kind], '--gpu', -1, '--iterations', 2, '--batchsize', 8,
                      '--data-dir', data, '--out', out, *args)


# -- device ----------------------------------------------------------------------------

@pytest.mark.parametrize('kind', sorted(SCRIPTS))
def test_gpu_without_cuda(kind, data, saved, unchanged):
    done = fail(kind, data, saved[kind], '--gpu', 0)
    line = assert_one_line_error(done, '--gpu 0', 'CuPy', '--gpu -1')
    assert 'cupy-cuda' in line


def test_gpu_with_a_cupy_that_chainer_cannot_use(saved, tmp_path, unchanged):
    """A CuPy that is installed but fails to load (no driver, wrong CUDA): say so, with the
    reason, instead of telling the user to install CuPy."""
    package = tmp_path / 'site' / 'cupy'
    package.mkdir(parents=True)
    (package / '__init__.py').write_text(
        "raise ImportError('libcudart.so.13: cannot open shared object file')\n")
    done = run_script('train_gan.py', '--gpu', 0, '--out', saved['gan'],
                      env={'PYTHONPATH': str(tmp_path / 'site')})
    assert_one_line_error(done, '--gpu 0', 'CuPy is installed but chainer cannot use it',
                          'libcudart.so.13', '--gpu -1')


# -- data ------------------------------------------------------------------------------

def test_data_dir_without_the_files(saved, tmp_path, unchanged):
    empty = tmp_path / 'empty'
    empty.mkdir()
    done = fail('gan', str(empty), saved['gan'], *saved['gan_args'])
    assert_one_line_error(done, '--data-dir', 'train-images-idx3-ubyte.gz', str(empty))


def test_data_dir_that_does_not_exist(saved, tmp_path, unchanged):
    done = fail('recogniser', str(tmp_path / 'nowhere'), saved['recogniser'])
    assert_one_line_error(done, '--data-dir', str(tmp_path / 'nowhere'))


@pytest.mark.parametrize('kind, broken', [('gan', 'train-labels-idx1-ubyte.gz'),
                                          ('recogniser', 't10k-images-idx3-ubyte.gz')])
def test_data_dir_with_a_corrupt_file(kind, broken, data, saved, tmp_path, unchanged):
    folder = tmp_path / 'mnist'
    folder.mkdir()
    for name in MNIST.files:
        if name == broken:
            with open(os.path.join(data, name), 'rb') as f:
                content = bytearray(f.read())
            content[-10] ^= 0x55
            (folder / name).write_bytes(bytes(content))
        else:
            os.symlink(os.path.join(data, name), folder / name)
    extra = saved['gan_args'] if kind == 'gan' else []
    done = fail(kind, str(folder), saved[kind], *extra)
    assert_one_line_error(done, str(folder / broken), 'corrupt')


# -- --resume --------------------------------------------------------------------------

def snapshot_of(saved, kind):
    return os.path.join(saved[kind], 'snapshot_iter_2')


def test_resume_file_that_does_not_exist(data, saved, tmp_path, unchanged):
    missing = str(tmp_path / 'snapshot_iter_7')
    done = fail('gan', data, saved['gan'], '--resume', missing, *saved['gan_args'])
    assert_one_line_error(done, '--resume', missing, 'no such file')


def test_resume_a_folder(data, saved, unchanged):
    done = fail('recogniser', data, saved['recogniser'], '--resume', saved['gan'])
    assert_one_line_error(done, '--resume', 'folder')


@pytest.mark.parametrize('content', [b'', b'this is not a snapshot\n' * 20,
                                     b'PK\x03\x04 a zip that stops here', 'truncated'])
def test_resume_a_file_that_is_not_a_snapshot(content, data, saved, tmp_path, unchanged):
    path = tmp_path / 'bad_snapshot'
    if content == 'truncated':    # the first half of a real snapshot, as a crash could leave
        with open(snapshot_of(saved, 'gan'), 'rb') as f:
            real = f.read()
        content = real[:len(real) // 2]
    path.write_bytes(content)
    done = fail('gan', data, saved['gan'], '--resume', str(path), *saved['gan_args'])
    assert_one_line_error(done, 'cannot resume from %s' % path)


def test_resume_a_recogniser_snapshot_in_train_gan(data, saved, unchanged):
    done = fail('gan', data, saved['gan'], '--resume', snapshot_of(saved, 'recogniser'),
                *saved['gan_args'])
    assert_one_line_error(done, 'cannot resume from %s' % snapshot_of(saved, 'recogniser'),
                          'not a snapshot of this training run')


def test_resume_a_gan_snapshot_in_train_recognizer(data, saved, unchanged):
    done = fail('recogniser', data, saved['recogniser'], '--resume', snapshot_of(saved, 'gan'))
    assert_one_line_error(done, 'cannot resume from %s' % snapshot_of(saved, 'gan'))


def test_resume_weights_instead_of_a_trainer_snapshot(data, saved, unchanged):
    weights = os.path.join(saved['gan'], 'gen_iter_2.npz')
    done = fail('gan', data, saved['gan'], '--resume', weights, *saved['gan_args'])
    assert_one_line_error(done, 'cannot resume from %s' % weights)


@pytest.mark.parametrize('flags', [['--gen-ch', 32, '--dis-ch', 8],
                                   ['--gen-ch', 16, '--dis-ch', 16]])
def test_resume_a_gan_of_another_architecture(flags, data, saved, unchanged):
    """generator_args.json must not be rewritten for a network the weights do not fit."""
    done = fail('gan', data, saved['gan'], '--resume', snapshot_of(saved, 'gan'), *flags)
    assert_one_line_error(done, 'cannot resume from %s' % snapshot_of(saved, 'gan'), '--out')


def test_automatic_resume_of_another_architecture(data, saved, unchanged):
    """The same mistake without --resume: the newest snapshot in --out does not fit."""
    done = fail('gan', data, saved['gan'], '--gen-ch', 16, '--dis-ch', 8, '--n-hidden', 50)
    assert_one_line_error(done, 'cannot resume from %s' % snapshot_of(saved, 'gan'))


# -- --out -----------------------------------------------------------------------------

@pytest.mark.parametrize('kind', sorted(SCRIPTS))
def test_out_below_a_regular_file(kind, data, tmp_path):
    blocker = tmp_path / 'somefile'
    blocker.write_text('keep me\n')
    for out in (blocker / 'sub', blocker):
        done = fail(kind, data, str(out))
        assert_one_line_error(done, 'output folder %s is not writable' % out, '--out')
    assert blocker.read_text() == 'keep me\n'
    assert os.listdir(tmp_path) == ['somefile']


# -- flag values (in-process through cli.run: the same code path, without the start-up) ---

BAD_FLAGS = [
    (['--iterations', '0'], '--iterations must be a positive integer'),
    (['--iterations', '-5'], '--iterations must be a positive integer'),
    (['--batchsize', '0'], '--batchsize must be a positive integer'),
    (['--batchsize', '-1'], '--batchsize must be a positive integer'),
    (['--epoch', '0'], '--epoch must be a positive integer'),
    (['--snapshot-interval', '0'], '--snapshot-interval must be a positive integer'),
    (['--iterations', 'ten'], "invalid int value: 'ten'"),
    (['--batchsize', '1.5'], "invalid int value: '1.5'"),
    (['--no-such-flag'], 'unrecognized arguments: --no-such-flag'),
    (['--out'], 'expected one argument'),
    (['--out', ''], '--out needs a folder name, not an empty string'),
    (['--batchsize', '1000000'],
     '--batchsize must be at most 60000, the number of MNIST training digits, not 1000000'),
    (['--seed', '-1'], '--seed must be from 0 to 4294967295 (NumPy takes 32-bit seeds), not -1'),
    (['--seed', '4294967296'], '--seed must be from 0 to 4294967295'),
]
GAN_FLAGS = [(['--gen-ch', '0'], '--gen-ch must be a positive integer'),
             (['--dis-ch', '-8'], '--dis-ch must be a positive integer'),
             (['--n-hidden', '0'], '--n-hidden must be a positive integer'),
             (['--preview-interval', '0'], '--preview-interval must be a positive integer'),
             (['--lr-decay-start', '1.5'], '--lr-decay-start is a fraction of the run'),
             (['--real-label', '0.2'], '--real-label must be from 0.5 to 1'),
             (['--r1-gamma', '-1'], '--r1-gamma must be 0 (off) or a positive weight'),
             (['--dis-layers', '4'], "argument --dis-layers: invalid choice: 4"),
             (['--dis-minibatch-std', '1'], '--dis-minibatch-std must be 0 (off) or a group'),
             (['--processes', '0'], '--processes must be 1 or more'),
             (['--keep-weights', '-1'], '--keep-weights must be 0 (keep every one)')]
RECOGNISER_FLAGS = [(['--shift', '9'], '--shift must be between 0 and 8'),
                    (['--shift', '-1'], '--shift must be between 0 and 8'),
                    (['--test-limit', '-1'], '--test-limit must be 0'),
                    (['--ch', '0'], '--ch must be 1 to 256'),
                    (['--n-units', '5000'], '--n-units 1 to 4096')]
MAINS = {'gan': train_gan.main, 'recogniser': train_recognizer.main}


@pytest.mark.parametrize('kind, flags, message',
                         [(kind, flags, message) for kind in sorted(SCRIPTS)
                          for flags, message in BAD_FLAGS]
                         + [('gan', flags, message) for flags, message in GAN_FLAGS]
                         + [('recogniser', flags, message)
                            for flags, message in RECOGNISER_FLAGS])
def test_bad_flag_values(kind, flags, message, saved, capsys, unchanged):
    argv = ['--gpu', '-1', '--out', saved[kind]] + flags
    with pytest.raises(SystemExit) as exit_:
        cli.run(lambda: MAINS[kind](argv))
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith('error: '), captured.err
    assert message in lines[0]
    assert captured.out == ''


@pytest.mark.parametrize('flags', [['--iterations', 0], ['--batchsize', 'x']])
def test_bad_flag_values_from_the_command_line(flags, data, saved, unchanged):
    done = run_script('train_gan.py', '--gpu', -1, '--out', saved['gan'], *flags)
    assert_one_line_error(done)
    assert done.stdout == ''


# Mains that write to stdout after the test has closed its end of the pipe: line by line
# (the error comes from print), or one buffered line (it comes from the final flush).
PIPE_WRITERS = {
    'streaming': 'while True:\n        print("7 0.998", flush=True)',
    'buffered': 'sys.stdin.readline()\n    print("7 0.998")',
}


@pytest.mark.parametrize('writer', sorted(PIPE_WRITERS))
def test_closed_output_pipe_exits_quietly(writer):
    """`python recognize.py *.png | head -1`: exit status 141, as for a tool that SIGPIPE
    ended, and nothing on stderr (no traceback, no 'Exception ignored')."""
    code = 'import sys\nfrom digitgan import cli\ndef main():\n    %s\ncli.run(main)' % \
        PIPE_WRITERS[writer]
    # Without PYTHONUNBUFFERED, as from a shell: stdout into a pipe is then block-buffered.
    env = {name: value for name, value in script_env().items() if name != 'PYTHONUNBUFFERED'}
    with subprocess.Popen([sys.executable, '-c', code], cwd=ROOT, env=env,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as process:
        if writer == 'streaming':
            assert process.stdout.readline() == '7 0.998\n'
            process.stdout.close()
        else:
            process.stdout.close()
            process.stdin.write('go\n')
        process.stdin.close()
        assert process.wait(timeout=60) == 141
        assert process.stderr.read() == ''
