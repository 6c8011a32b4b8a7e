#!/usr/bin/env python3
"""Serve the built site (dist/) on 127.0.0.1; standard library only.

    python3 serve.py [--port 8000] [--dir dist]

The tests start the same server (make_server) on a free port.
"""
import argparse
import functools
import http.server
import os
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))


class Handler(http.server.SimpleHTTPRequestHandler):
    # WebAssembly.instantiateStreaming requires this exact type.
    extensions_map = dict(http.server.SimpleHTTPRequestHandler.extensions_map,
                          **{'.wasm': 'application/wasm', '.js': 'text/javascript',
                             '.json': 'application/json'})

    def log_message(self, *args):
        if not getattr(self.server, 'quiet', False):
            super().log_message(*args)


def make_server(directory, port=0, quiet=False):
    server = http.server.ThreadingHTTPServer(
        ('127.0.0.1', port), functools.partial(Handler, directory=directory))
    server.quiet = quiet
    return server


def serve_in_background(directory, quiet=True):
    """Start a server on a free port; returns (server, base_url). Call server.shutdown()."""
    server = make_server(directory, 0, quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, 'http://127.0.0.1:%d/' % server.server_address[1]


def main():
    parser = argparse.ArgumentParser(description='Serve the built pages on 127.0.0.1')
    parser.add_argument('--port', type=int, default=int(os.environ.get('PORT', 8000)),
                        help='TCP port (default: $PORT or 8000)')
    parser.add_argument('--dir', default=os.path.join(HERE, 'dist'),
                        help='folder to serve (default: dist/, made by npm run build)')
    args = parser.parse_args()
    if not os.path.isfile(os.path.join(args.dir, 'index.html')):
        sys.exit('error: %s has no index.html; build the site first with `npm run build` '
                 '(or run `make demo`)' % args.dir)
    try:
        server = make_server(args.dir, args.port)
    except OSError as error:
        sys.exit('error: cannot listen on 127.0.0.1:%d (%s); choose another with PORT=...'
                 % (args.port, error.strerror))
    print('Serving the digit generator at http://127.0.0.1:%d/ '
          '(recogniser: http://127.0.0.1:%d/draw.html); Ctrl-C stops' % (args.port, args.port),
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
