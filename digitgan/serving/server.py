"""The static file server for the built site (serve.py is its command line).

    server = make_server('dist', port=0)                 # 127.0.0.1 only; port 0: any free one
    server, url = serve_in_background('dist')            # tests and bench/; server.shutdown()

Standard library only. What it adds to http.server's SimpleHTTPRequestHandler:
- a per-connection socket timeout, so a client that connects and sends nothing (or half a
  request) is dropped after IDLE_TIMEOUT_S instead of holding a thread forever;
- `Cache-Control: no-cache` with ETag / Last-Modified on every file: names such as
  models/generator/weight_*.bin and models/contract.json stay the same from one build to
  the next, so the browser must revalidate (a 304 costs a round trip, no body);
- the MIME types WebAssembly and the pages need, and optional extra headers (bench/ adds
  CROSS_ORIGIN_ISOLATION for multi-threaded WebAssembly).
"""
import datetime
import email.utils
import functools
import http.server
import os
import threading
import urllib.parse
from http import HTTPStatus

HOST = '127.0.0.1'      # never another interface: the pages are for this machine's browser
IDLE_TIMEOUT_S = 5.0    # a browser sends its request at once; idle pre-connects may wait
# Headers that make a page cross-origin isolated (SharedArrayBuffer, wasm threads).
CROSS_ORIGIN_ISOLATION = {'Cross-Origin-Opener-Policy': 'same-origin',
                          'Cross-Origin-Embedder-Policy': 'require-corp'}


def entity_tag(stat):
    """A strong validator from size and modification time (as nginx makes them): a rebuilt
    file gets a new tag; reading the file to hash it is not needed."""
    return '"%x-%x"' % (stat.st_mtime_ns, stat.st_size)


def tag_matches(header, tag):
    """If-None-Match: '*' or a comma-separated list of tags; weak comparison (W/ ignored),
    as RFC 9110 asks for If-None-Match."""
    if header.strip() == '*':
        return True
    return any(item.strip().removeprefix('W/') == tag for item in header.split(','))


def unmodified_since(header, stat):
    """If-Modified-Since: True when the file is not newer than the date (whole seconds)."""
    try:
        since = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError, OverflowError):
        return False   # an unreadable date is ignored: the full file is sent
    if since.tzinfo is None:    # the obsolete formats without a zone mean UTC
        since = since.replace(tzinfo=datetime.timezone.utc)
    return int(stat.st_mtime) <= since.timestamp()


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    # WebAssembly.instantiateStreaming requires application/wasm exactly.
    extensions_map = dict(http.server.SimpleHTTPRequestHandler.extensions_map,
                          **{'.wasm': 'application/wasm', '.js': 'text/javascript',
                             '.mjs': 'text/javascript', '.json': 'application/json'})

    def setup(self):
        # StreamRequestHandler.setup applies self.timeout to the socket: every read and write
        # of this connection, request line and headers included.
        self.timeout = self.server.idle_timeout
        super().setup()

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) and urllib.parse.urlsplit(self.path).path.endswith('/'):
            path = os.path.join(path, 'index.html')
        if not os.path.isfile(path) or path.endswith('/'):
            return super().send_head()   # redirects to folder/, listings, 404s: http.server's
        try:
            f = open(path, 'rb')
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, 'File not found')
            return None
        try:
            stat = os.fstat(f.fileno())
            tag = entity_tag(stat)
            if 'If-None-Match' in self.headers:      # takes precedence over the date
                unchanged = tag_matches(self.headers['If-None-Match'], tag)
            else:
                unchanged = unmodified_since(self.headers.get('If-Modified-Since'), stat)
            self.send_response(HTTPStatus.NOT_MODIFIED if unchanged else HTTPStatus.OK)
            self.send_header('ETag', tag)
            self.send_header('Last-Modified', self.date_time_string(stat.st_mtime))
            if unchanged:
                self.end_headers()
                f.close()
                return None
            self.send_header('Content-Type', self.guess_type(path))
            self.send_header('Content-Length', str(stat.st_size))
            self.end_headers()
            return f
        except BaseException:
            f.close()
            raise

    def end_headers(self):
        # Every response: the browser may keep a copy but must ask before using it.
        self.send_header('Cache-Control', 'no-cache')
        for name, value in self.server.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_error(self, format, *args):
        # A dropped idle connection is the timeout doing its job, not an error to show.
        if not format.startswith('Request timed out'):
            super().log_error(format, *args)

    def log_message(self, format, *args):
        if not self.server.quiet:
            super().log_message(format, *args)


class StaticServer(http.server.ThreadingHTTPServer):
    daemon_threads = True   # a connection still open never keeps the process alive
    # Connections waiting to be accepted. socketserver's 5 overflows when a page opens its
    # parallel requests while the accepting thread waits for the GIL: Linux then drops the
    # SYN and the browser retries a second later (41 connects took 6 s with 5, 60 ms with 64).
    request_queue_size = 64

    def __init__(self, directory, port, quiet, idle_timeout, extra_headers):
        self.quiet = quiet
        self.idle_timeout = idle_timeout
        self.extra_headers = dict(extra_headers or {})
        super().__init__((HOST, port), functools.partial(StaticHandler, directory=directory))

    @property
    def port(self):
        """The port really listened on (port 0 asks the system for a free one)."""
        return self.server_address[1]

    @property
    def url(self):
        return 'http://%s:%d/' % (HOST, self.port)


def make_server(directory, port=0, quiet=False, idle_timeout=IDLE_TIMEOUT_S,
                extra_headers=None):
    """A server for `directory` on 127.0.0.1:port, bound but not yet serving; raises OSError
    when the port cannot be had (errno EADDRINUSE when it is taken)."""
    return StaticServer(os.path.abspath(directory), port, quiet, idle_timeout, extra_headers)


def serve_in_background(directory, quiet=True, extra_headers=None,
                        idle_timeout=IDLE_TIMEOUT_S):
    """Serve `directory` on a free port from a daemon thread: (server, base URL ending in /).
    Stop it with server.shutdown() and server.server_close()."""
    server = make_server(directory, 0, quiet, idle_timeout, extra_headers)
    threading.Thread(target=server.serve_forever, daemon=True,
                     name='static-server-%d' % server.port).start()
    return server, server.url
