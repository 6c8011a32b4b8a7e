"""Shared fixtures: MNIST location, the repository root, a static server and the browser."""
import json
import os
import shutil
import subprocess

import pytest

from digitgan.serving import server as static_files  # the package applies chainer's shims first

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Training in tests runs in one process unless a test asks for the default of two
# (test_distributed.py): also for main() called in the test process itself.
os.environ.setdefault('DIGITGAN_CPU_PROCESSES', '1')


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
        server, url = static_files.serve_in_background(directory)
        servers.append(server)
        return url
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


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


def _newest_mtime(paths):
    newest = 0.0
    for path in paths:
        if os.path.isdir(path):
            for folder, _, files in os.walk(path):
                newest = max([newest] + [os.path.getmtime(os.path.join(folder, f)) for f in files])
        elif os.path.exists(path):
            newest = max(newest, os.path.getmtime(path))
    return newest


@pytest.fixture(scope='session')
def site():
    """The built site (dist/) with the converted models: runs `npm run build` when dist/ is
    missing or older than app/ (make test builds first, so this is usually a no-op).
    Returns {'dist': path, 'contract': app/models/contract.json as a dict}."""
    dist = os.path.join(ROOT, 'dist')
    contract_path = os.path.join(ROOT, 'app', 'models', 'contract.json')
    if not os.path.isfile(contract_path):
        pytest.fail('app/models/contract.json is missing: run python 2pack.py '
                    '(then npm run build)')
    built = os.path.join(dist, 'index.html')
    sources = [os.path.join(ROOT, name)
               for name in ('app', 'webpack.config.js', 'package-lock.json')]
    if not os.path.isfile(built) or os.path.getmtime(built) < _newest_mtime(sources):
        done = subprocess.run(['npm', 'run', 'build'], cwd=ROOT, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    with open(contract_path) as f:
        contract = json.load(f)
    with open(os.path.join(dist, 'models', 'contract.json')) as f:
        assert json.load(f) == contract, 'dist/models is stale: run npm run build'
    return {'dist': dist, 'contract': contract}
