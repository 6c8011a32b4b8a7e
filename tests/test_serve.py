"""digitgan/serving/server.py on real sockets (127.0.0.1 only): what it serves and refuses, cache
revalidation, and idle connections that it drops instead of holding a thread each."""
import http.client
import os
import socket
import threading
import time

import pytest

from digitgan.serving import server as static_files

SECRET = 'not for the browser'


@pytest.fixture
def site(tmp_path):
    """A served folder like dist/ (pages, bundle, models) with a secret file beside it."""
    root = tmp_path / 'dist'
    (root / 'models' / 'generator').mkdir(parents=True)
    (root / 'index.html').write_text('<p>generator page</p>')
    (root / 'draw.html').write_text('<p>recogniser page</p>')
    (root / 'style.css').write_text('body {}')
    (root / 'generator.0123abcd.js').write_text('console.log(1)')
    (root / 'models' / 'contract.json').write_text('{"format": 1}')
    (root / 'models' / 'generator' / 'kernels_webassembly.wasm').write_bytes(b'\0asm\1\0\0\0')
    (root / 'models' / 'generator' / 'weight_webassembly.bin').write_bytes(bytes(range(256)))
    (tmp_path / 'secret.txt').write_text(SECRET)
    return root


@pytest.fixture
def serve(site):
    """serve(**make_server options) -> the running server; all stopped after the test."""
    running = []

    def start(**options):
        server = static_files.make_server(str(site), 0, quiet=True, **options)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        running.append(server)
        return server
    yield start
    for server in running:
        server.shutdown()
        server.server_close()


def request(server, path, method='GET', headers=None, host='127.0.0.1'):
    """(status, headers dict, body) of one request on its own connection."""
    connection = http.client.HTTPConnection(host, server.port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_pages_and_models_with_their_types(serve):
    server = serve()
    expected = {'/': 'text/html', '/draw.html': 'text/html', '/style.css': 'text/css',
                '/generator.0123abcd.js': 'text/javascript',
                '/models/contract.json': 'application/json',
                '/models/generator/kernels_webassembly.wasm': 'application/wasm',
                '/models/generator/weight_webassembly.bin': 'application/octet-stream'}
    for path, mime in expected.items():
        status, headers, body = request(server, path)
        assert status == 200, path
        assert headers['Content-Type'] == mime, path
        assert int(headers['Content-Length']) == len(body), path
    assert request(server, '/')[2] == b'<p>generator page</p>'
    assert request(server, '/models/generator/weight_webassembly.bin')[2] == bytes(range(256))
    assert request(server, '/missing.js')[0] == 404


def test_listens_on_127_0_0_1_only(serve):
    server = serve()
    assert server.server_address[0] == '127.0.0.1'
    # 127.0.0.2 is this machine too (loopback): a server bound to every address answers
    # there, one bound to 127.0.0.1 alone refuses.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(('127.0.0.2', server.port), timeout=5).close()


@pytest.mark.parametrize('path', ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt',
                                  '/models/../../secret.txt', '/%2E%2E%2Fsecret.txt',
                                  '//../secret.txt', '/models/%2e%2e/%2e%2e/secret.txt'])
def test_nothing_outside_the_folder(serve, path):
    status, _, body = request(serve(), path)
    assert status == 404
    assert SECRET.encode() not in body


@pytest.mark.parametrize('method', ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])
def test_other_methods_are_not_implemented(serve, method):
    status, _, _ = request(serve(), '/index.html', method=method)
    assert status == 501


def test_head_has_the_headers_without_a_body(serve):
    status, headers, body = request(serve(), '/models/contract.json', method='HEAD')
    assert (status, body) == (200, b'')
    assert headers['Content-Length'] == str(len('{"format": 1}'))


@pytest.mark.parametrize('path', ['/models/contract.json',
                                  '/models/generator/weight_webassembly.bin', '/'])
def test_revalidation_with_etag(serve, path):
    server = serve()
    status, headers, _ = request(server, path)
    assert status == 200
    assert headers['Cache-Control'] == 'no-cache'
    tag = headers['ETag']
    status, headers304, body = request(server, path, headers={'If-None-Match': tag})
    assert (status, body) == (304, b'')
    assert headers304['ETag'] == tag and headers304['Cache-Control'] == 'no-cache'
    assert request(server, path, headers={'If-None-Match': 'W/' + tag})[0] == 304
    assert request(server, path, headers={'If-None-Match': '"other", ' + tag})[0] == 304
    assert request(server, path, headers={'If-None-Match': '*'})[0] == 304
    assert request(server, path, headers={'If-None-Match': '"other"'})[0] == 200


def test_a_rebuilt_file_is_sent_again(serve, site):
    server = serve()
    path = site / 'models' / 'contract.json'
    _, first, _ = request(server, '/models/contract.json')
    path.write_text('{"format": 2}')
    later = time.time() + 10          # a build a few seconds later; mtime is what changes
    os.utime(path, (later, later))
    status, headers, body = request(server, '/models/contract.json',
                                    headers={'If-None-Match': first['ETag']})
    assert (status, body) == (200, b'{"format": 2}')
    assert headers['ETag'] != first['ETag']
    status, _, body = request(server, '/models/contract.json',
                              headers={'If-Modified-Since': first['Last-Modified']})
    assert (status, body) == (200, b'{"format": 2}')


def test_revalidation_with_last_modified(serve):
    server = serve()
    _, headers, _ = request(server, '/models/contract.json')
    since = {'If-Modified-Since': headers['Last-Modified']}
    assert request(server, '/models/contract.json', headers=since)[0] == 304
    old = {'If-Modified-Since': 'Sat, 01 Jan 2000 00:00:00 GMT'}
    assert request(server, '/models/contract.json', headers=old)[0] == 200
    assert request(server, '/models/contract.json',
                   headers={'If-Modified-Since': 'not a date'})[0] == 200
    # If-None-Match wins over the date (RFC 9110): a stale tag means the file is sent.
    both = dict(since, **{'If-None-Match': '"stale"'})
    assert request(server, '/models/contract.json', headers=both)[0] == 200


def test_extra_headers_on_every_response(serve):
    server = serve(extra_headers=static_files.CROSS_ORIGIN_ISOLATION)
    for path in ('/', '/missing'):
        _, headers, _ = request(server, path)
        assert headers['Cross-Origin-Opener-Policy'] == 'same-origin'
        assert headers['Cross-Origin-Embedder-Policy'] == 'require-corp'


def handler_threads():
    return sum(1 for thread in threading.enumerate() if thread.name.startswith('Thread-')
               and 'process_request_thread' in thread.name)


def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_idle_and_half_sent_connections_are_dropped(serve):
    server = serve(idle_timeout=2.0)
    before = handler_threads()
    idle = [socket.create_connection(('127.0.0.1', server.port), timeout=10) for _ in range(40)]
    half = socket.create_connection(('127.0.0.1', server.port), timeout=10)
    half.sendall(b'GET /index.html HTTP/1.1\r\nHost: x\r\n')     # headers never finished
    try:
        assert wait_until(lambda: handler_threads() >= before + 41, 5), handler_threads()
        # Meanwhile the server still answers a real request.
        assert request(server, '/')[0] == 200
        # Each idle connection is closed by the server (recv sees the end), its thread gone.
        for sock in idle + [half]:
            assert sock.recv(1) == b''
        assert wait_until(lambda: handler_threads() <= before, 5), handler_threads()
    finally:
        for sock in idle + [half]:
            sock.close()
