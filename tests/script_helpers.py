"""Running the project's scripts as a user does (a subprocess), the weights they read, and
the checks on what they print."""
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

import pytest

import digitgan  # noqa: F401  (first: makes chainer and webdnn import)
import chainer
import numpy

from digitgan import checkpoints, cli, networks

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def script_env(**extra):
    """The scripts' environment in tests: one BLAS thread and one process per training run
    (DIGITGAN_CPU_PROCESSES; the default of two processes on a 2-core CPU has tests of its
    own in test_distributed.py), unless `extra` says otherwise."""
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONDONTWRITEBYTECODE='1',
               PYTHONUNBUFFERED='1', DIGITGAN_CPU_PROCESSES='1')
    env.update(extra)
    return env


def command(script, *args):
    return [sys.executable, os.path.join(ROOT, script)] + [str(arg) for arg in args]


def run_script(script, *args, cwd=None, timeout=300, env=None):
    """Run ROOT/script with args, from `cwd` (default ROOT), with `env`'s extra variables;
    returns the CompletedProcess (text)."""
    return subprocess.run(command(script, *args), cwd=cwd or ROOT,
                          env=script_env(**(env or {})), capture_output=True, text=True,
                          timeout=timeout)


# Runs the command it is given and writes that child's peak resident memory (KiB) to a file.
# The launcher is needed because Linux counts, in a forked child's peak, the memory it shared
# with its parent before exec: a child forked straight from a large test process would report
# the test process's size. The launcher is small, so its own child's figure is the script's.
PEAK_LAUNCHER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
with open(sys.argv[1], 'w') as f:
    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def run_measured(script, *args, timeout=120):
    """Run ROOT/script like run_script; returns (CompletedProcess, the script's own peak
    resident memory in bytes, wall seconds)."""
    with tempfile.TemporaryFile('w+') as out, tempfile.TemporaryFile('w+') as err, \
            tempfile.NamedTemporaryFile('r') as peak:
        start = time.monotonic()
        process = subprocess.Popen([sys.executable, '-c', PEAK_LAUNCHER, peak.name]
                                   + command(script, *args), cwd=ROOT, env=script_env(),
                                   stdout=out, stderr=err, text=True, start_new_session=True)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)     # the launcher and the script
            process.wait()
            raise
        seconds = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(process.args, process.returncode, out.read(),
                                           err.read())
        kib = int(peak.read() or 0)
    return done, kib * 1024, seconds


def start_script(script, *args, stdout=None, env=None):
    return subprocess.Popen(command(script, *args), cwd=ROOT, env=script_env(**(env or {})),
                            stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def wait_for(predicate, process, timeout=180, what='condition'):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if process.poll() is not None:
            pytest.fail('the script ended (rc %s) before %s:\n%s'
                        % (process.returncode, what, process.stderr.read()[-3000:]))
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    pytest.fail('timed out waiting for ' + what)


def data_dir_or_fail(mnist_dir):
    """The folder with the four MNIST files: MNIST_DATA_DIR (the mnist_dir fixture), else the
    loader's download cache, filled from the mirrors if needed."""
    if mnist_dir:
        return mnist_dir
    from digitgan.data.catalog import MNIST
    from digitgan.cli import UserError
    try:
        for name in MNIST.files:
            MNIST.locate(name)
    except UserError as error:
        pytest.fail('MNIST is needed: set MNIST_DATA_DIR (make test does) or go online (%s)'
                    % error)
    return MNIST.cache_dir()


def train(script, out, mnist_dir, *args):
    """A finished training run of `script` into `out` (flags `args`, MNIST from mnist_dir);
    the CompletedProcess."""
    done = run_script(script, *args, '--data-dir', data_dir_or_fail(mnist_dir), '--out', out)
    assert_ok(done)
    return done


def assert_quiet_run(done, header):
    """The run printed `header` first and nothing that looks like a problem on stderr."""
    assert done.stdout.startswith(header), done.stdout[:300]
    assert 'Traceback' not in done.stderr and 'error' not in done.stderr.lower(), done.stderr


def snapshot_iterations(out):
    """The iterations of the trainer snapshots in `out`, in increasing order."""
    return sorted(int(name[len('snapshot_iter_'):]) for name in os.listdir(out)
                  if name.startswith('snapshot_iter_'))


def numbered_files(out):
    """The GAN's weight files in `out` whose names carry an iteration."""
    return {name for name in os.listdir(out)
            if re.fullmatch(r'(gen|dis|gen_ema)_iter_\d+\.npz', name)}


def expected_files(*iterations):
    """numbered_files() of a GAN run that saved at `iterations` (and kept them)."""
    return {'%s_iter_%d.npz' % (prefix, i) for prefix in ('gen', 'dis', 'gen_ema')
            for i in iterations}


class CreatesAFile:
    """Unpickling this calls os.mkdir(path): the folder shows whether a loader unpickled."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return os.mkdir, (self.path,)


def assert_final_files_only(out, iteration):
    """The final trainer snapshot is the newest in `out`, at most one is kept before it (a
    fallback should the newest be cut short), and no temporary files are left over."""
    iterations = snapshot_iterations(out)
    assert iterations[-1] == iteration and len(iterations) <= 2, iterations
    assert not [name for name in os.listdir(out) if name.startswith(('tmp', '.'))]


def saved_model_args(out, kind):
    """The hyperparameters in the *_args.json a training run wrote into `out`, after checking
    the model contract and the data set (MNIST) saved with them."""
    with open(os.path.join(out, checkpoints.ARGS_FILES[kind])) as f:
        args = json.load(f)
    assert args.pop('contract') == networks.MODEL_CONTRACT
    assert args.pop('dataset') == {'name': 'mnist', 'title': 'Digits',
                                   'labels': networks.MODEL_CONTRACT['labels']}
    return args


def assert_ok(done):
    assert done.returncode == 0, 'rc %d\nstdout: %s\nstderr: %s' % (
        done.returncode, done.stdout[-3000:], done.stderr[-3000:])


def assert_one_line_error(done, *fragments):
    """A user mistake: exit code 2, exactly one stderr line 'error: ...', no traceback."""
    lines = done.stderr.splitlines()
    assert done.returncode == 2, 'rc %d, stderr: %s' % (done.returncode, done.stderr[-3000:])
    assert len(lines) == 1, done.stderr[-3000:]
    assert lines[0].startswith('error: '), lines[0]
    assert 'Traceback' not in done.stderr + done.stdout
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def folder_state(path):
    """{relative path: (sha1, mtime_ns, mode)} of everything under path, folders included."""
    state = {}
    for folder, dirs, files in os.walk(path):
        for name in dirs + files:
            full = os.path.join(folder, name)
            info = os.stat(full)
            digest = None
            if os.path.isfile(full):
                with open(full, 'rb') as f:
                    digest = hashlib.sha1(f.read()).hexdigest()
            state[os.path.relpath(full, path)] = (digest, info.st_mtime_ns, info.st_mode)
    return state


def save_snapshot(net, folder, npz_name, args_name, **extra_args):
    """`net` saved as the training scripts save it: weights and *_args.json (with
    `extra_args`); the npz path."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, npz_name)
    chainer.serializers.save_npz(path, net)
    with open(os.path.join(folder, args_name), 'w') as f:
        json.dump(dict(net.model_args(), contract=networks.MODEL_CONTRACT, **extra_args), f)
    return path


def tiny_generator(folder, seed=0):
    """An untrained, small generator saved the way train_gan.py saves one; its path."""
    numpy.random.seed(seed)
    return save_snapshot(networks.Generator(n_hidden=6, ch=8), str(folder), 'gen_iter_7.npz',
                         'generator_args.json')


def shipped_generator():
    try:
        return checkpoints.newest_generator()
    except cli.UserError as error:
        pytest.fail('the shipped generator is missing (%s); it is committed as '
                    'result-dcgan/gen_iter_<N>.npz with generator_args.json' % error)


def shipped_recogniser():
    """The committed recogniser; these tests measure it, so they cannot run without it."""
    for path in (checkpoints.RECOGNISER,
                 os.path.join(os.path.dirname(checkpoints.RECOGNISER),
                              checkpoints.ARGS_FILES['recogniser'])):
        if not os.path.isfile(path):
            pytest.fail('the shipped recogniser file %s is missing; it is committed to the '
                        'repository (python train_recognizer.py makes a new one)' % path)
    return checkpoints.RECOGNISER
