"""serve.py as a user runs it: the URL it prints, the port it really uses, one-line errors
for every bad port, and idle connections dropped after the default timeout."""
import queue
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request

import pytest

from digitgan.serving import server as static_files
from script_helpers import assert_one_line_error, command, run_script, script_env


@pytest.fixture
def site(tmp_path):
    (tmp_path / 'index.html').write_text('<p>generator page</p>')
    return str(tmp_path)


@pytest.fixture
def started(site):
    """serve.py --port 0 running on `site`: (process, port it printed); stopped after."""
    # Ctrl-C as from a terminal: a test run started in the background (`make test &`) has
    # SIGINT ignored, which its children inherit and Python then leaves ignored.
    process = subprocess.Popen(command('serve.py', '--port', 0, '--dir', site),
                               env=script_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines = queue.Queue()
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
    try:
        first = lines.get(timeout=60)
    except queue.Empty:
        process.kill()
        process.communicate(timeout=10)
        pytest.fail('serve.py printed nothing within 60 s')
    found = re.search(r'http://127\.0\.0\.1:(\d+)/ ', first)
    assert found, first
    yield process, int(found.group(1)), first
    if process.poll() is None:
        process.kill()
    process.communicate(timeout=10)      # waits, and closes both pipes


def test_port_0_prints_the_port_it_really_uses(started):
    process, port, first = started
    assert port != 0
    assert 'http://127.0.0.1:%d/draw.html' % port in first
    with urllib.request.urlopen('http://127.0.0.1:%d/' % port, timeout=10) as response:
        assert response.read() == b'<p>generator page</p>'
    process.send_signal(signal.SIGINT)           # Ctrl-C: a normal stop
    assert process.wait(timeout=10) == 0
    log = process.stderr.read()
    assert '"GET / HTTP/1.1" 200' in log and 'Traceback' not in log, log


def test_an_idle_connection_is_closed_after_the_default_timeout(started):
    _, port, _ = started
    with socket.create_connection(('127.0.0.1', port), timeout=30) as idle:
        opened = time.monotonic()
        assert idle.recv(1) == b''               # the server hung up
        waited = time.monotonic() - opened
    assert static_files.IDLE_TIMEOUT_S - 0.5 <= waited <= static_files.IDLE_TIMEOUT_S + 5


@pytest.mark.parametrize('port', ['99999', '65536', 'abc', '-1', '', '80.5'])
def test_a_bad_port_is_one_line(site, port):
    done = run_script('serve.py', '--port', port, '--dir', site, timeout=60)
    assert_one_line_error(done, '--port', '0 for any free port')


def test_a_bad_port_from_the_environment_is_one_line(site):
    done = run_script('serve.py', '--dir', site, env={'PORT': 'abc'}, timeout=60)
    assert_one_line_error(done, "PORT 'abc' is not a port")


def test_a_port_in_use_is_one_line(site):
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_script('serve.py', '--port', port, '--dir', site, timeout=60)
    assert_one_line_error(done, 'port %d' % port, 'already in use')


def test_a_folder_without_the_site_is_one_line(tmp_path):
    done = run_script('serve.py', '--port', 0, '--dir', tmp_path, timeout=60)
    assert_one_line_error(done, 'has no index.html', 'npm run build')
