"""Shared fixtures: MNIST location, the repository root, a static server and the browser."""
import json
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import compat  # noqa: E402,F401  (before anything imports chainer or webdnn)
import serve  # noqa: E402


@pytest.fixture(scope='session')
def mnist_dir():
    """MNIST_DATA_DIR when set (make test sets it where a local copy exists), else None:
    the loader then uses or fills its download cache."""
    return os.environ.get('MNIST_DATA_DIR') or None


@pytest.fixture(scope='session')
def root():
    return ROOT


@pytest.fixture
def static_server():
    """Start servers on free ports: static_server(directory) -> base URL ending in '/'."""
    servers = []

    def start(directory):
        server, url = serve.serve_in_background(directory)
        servers.append(server)
        return url
    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture(scope='session')
def browser():
    """browser(steps) -> results list; fails the test on page errors or console errors
    unless allow_errors=True. Steps are documented in tests/browser/drive.mjs."""
    if not shutil.which(os.environ.get('CHROMIUM', 'chromium')):
        pytest.fail('Chromium is missing: run scripts/install-system-deps.sh (make test does)')

    def run(steps, allow_errors=False, timeout=180):
        done = subprocess.run(['node', os.path.join(ROOT, 'tests', 'browser', 'drive.mjs')],
                              input=json.dumps(steps), capture_output=True, text=True,
                              cwd=ROOT, timeout=timeout)
        assert done.returncode == 0, done.stderr[-3000:]
        report = json.loads(done.stdout)
        assert report['failure'] is None, report['failure']
        if not allow_errors:
            assert report['consoleErrors'] == [], report['consoleErrors']
        return report['results'] if not allow_errors else report
    return run


@pytest.fixture(scope='session')
def artifacts_dir():
    """Folder for screenshots and other files a person may want to look at after a run."""
    path = os.path.join(ROOT, 'test-artifacts')
    os.makedirs(path, exist_ok=True)
    return path
