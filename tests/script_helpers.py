"""Running the training scripts as a user does (a subprocess), for the pipeline tests."""
import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def script_env(**extra):
    return dict(os.environ, OMP_NUM_THREADS='1', PYTHONDONTWRITEBYTECODE='1',
                PYTHONUNBUFFERED='1', **extra)


def command(script, *args):
    return [sys.executable, os.path.join(ROOT, script)] + [str(arg) for arg in args]


def run_script(script, *args, timeout=300, env=None):
    """Run ROOT/script with args from ROOT (env: extra variables); returns the
    CompletedProcess (text)."""
    return subprocess.run(command(script, *args), cwd=ROOT, env=script_env(**(env or {})),
                          capture_output=True, text=True, timeout=timeout)


def start_script(script, *args, stdout=None):
    return subprocess.Popen(command(script, *args), cwd=ROOT, env=script_env(),
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
    import mnist_data
    from cli import UserError
    try:
        for name in mnist_data.FILES:
            mnist_data.locate(name)
    except UserError as error:
        pytest.fail('MNIST is needed: set MNIST_DATA_DIR (make test does) or go online (%s)'
                    % error)
    return mnist_data.default_cache_dir()


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
