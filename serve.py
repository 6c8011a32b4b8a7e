#!/usr/bin/env python3
"""Serve the built site (dist/) on 127.0.0.1 until Ctrl-C.

    python serve.py [--port 8000] [--dir dist]     # --port 0: any free port; default $PORT

The server itself is digitgan/serving/server.py (the tests and bench/ start the same one).
"""
import errno
import os

from digitgan import cli
from digitgan.serving import server

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PORT = '8000'


def parse_port(text, source):
    """A TCP port from the command line or $PORT; 0 asks the system for a free one."""
    try:
        port = int(text)
    except ValueError:
        port = None
    if port is None or not 0 <= port <= 65535:
        raise cli.UserError('%s %r is not a port: give a number from 1 to 65535, or 0 for any '
                            'free port' % (source, text))
    return port


def parse_args(argv=None):
    parser = cli.ArgumentParser(description='Serve the built pages on 127.0.0.1')
    parser.add_argument('--port', default=None,
                        help='TCP port; 0 picks any free one (default: $PORT, else %s)'
                        % DEFAULT_PORT)
    parser.add_argument('--dir', default=os.path.join(HERE, 'dist'),
                        help='folder to serve (default: dist/, made by npm run build)')
    args = parser.parse_args(argv)
    if args.port is not None:
        args.port = parse_port(args.port, '--port')
    else:
        args.port = parse_port(os.environ.get('PORT', DEFAULT_PORT), 'PORT')
    if not os.path.isfile(os.path.join(args.dir, 'index.html')):
        raise cli.UserError('%s has no index.html; build the site first with `npm run build` '
                            '(or run `make demo`)' % args.dir)
    return args


def listen(directory, port):
    try:
        return server.make_server(directory, port)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise cli.UserError('port %d on %s is already in use (another server?); choose '
                                'another with --port N (PORT=N make demo), or 0 for any free '
                                'port' % (port, server.HOST))
        raise cli.UserError('cannot listen on %s:%d (%s); choose another port with --port N '
                            '(PORT=N make demo)' % (server.HOST, port, error.strerror))


def main(argv=None):
    args = parse_args(argv)
    site = listen(args.dir, args.port)
    # The real port: with --port 0 the system chose it.
    print('Serving the digit generator at %s (recogniser: %sdraw.html); Ctrl-C stops'
          % (site.url, site.url), flush=True)
    try:
        site.serve_forever()
    except KeyboardInterrupt:
        pass                # Ctrl-C is how a user stops it: no message, exit 0
    finally:
        site.server_close()


if __name__ == '__main__':
    cli.run(main)
