"""The folder the benchmark pages are served from, the server, and the browser driver.

    with served_site(eightbit_folder, peer_folder) as (site, base_url):
        report = run_browser(jobs)            # bench/browser.mjs in headless Chromium

The site: app/ (dist/, the real bundle and models), app8/ (the same bundle with the 8-bit
models, when given), bench/pages/, node_modules/ (the engines' runtimes) and models/ (the
peer engines' files, when given). It is served by digitgan/serving/server.py, the app's own server,
with the headers that make pages cross-origin isolated (multi-threaded WebAssembly needs
SharedArrayBuffer).
"""
import contextlib
import json
import os
import shutil
import subprocess
import tempfile

from digitgan.cli import UserError
from digitgan.serving import server as static_files

from common import HERE, ROOT


def build_site(site, eightbit_folder=None, peer_folder=None):
    """Links (and one copy) under `site`; see the module's docstring."""
    os.symlink(os.path.join(ROOT, 'dist'), os.path.join(site, 'app'))
    if eightbit_folder:
        app8 = os.path.join(site, 'app8')
        shutil.copytree(os.path.join(ROOT, 'dist'), app8, ignore=shutil.ignore_patterns('models'))
        os.symlink(eightbit_folder, os.path.join(app8, 'models'))
    os.makedirs(os.path.join(site, 'bench'))
    os.symlink(os.path.join(HERE, 'pages'), os.path.join(site, 'bench', 'pages'))
    os.symlink(os.path.join(ROOT, 'node_modules'), os.path.join(site, 'node_modules'))
    if peer_folder:
        os.symlink(peer_folder, os.path.join(site, 'models'))


@contextlib.contextmanager
def served_site(eightbit_folder=None, peer_folder=None):
    """A fresh site folder, served on 127.0.0.1 while the block runs: (site, base URL)."""
    site = tempfile.mkdtemp(prefix='dcgan-bench-site-')
    server = None
    try:
        build_site(site, eightbit_folder, peer_folder)
        server, base = static_files.serve_in_background(
            site, extra_headers=static_files.CROSS_ORIGIN_ISOLATION)
        yield site, base
    finally:
        if server:
            server.shutdown()
            server.server_close()
        shutil.rmtree(site, ignore_errors=True)


def run_browser(jobs):
    """bench/browser.mjs on `jobs` (see its header): {'browser': version, 'results': [...]}."""
    # stderr passes straight through: each engine's "done" line shows as it finishes (the
    # browser step runs 10-25 minutes and would otherwise look hung).
    done = subprocess.run(['node', os.path.join(HERE, 'browser.mjs')],
                          input=json.dumps({'jobs': jobs}), stdout=subprocess.PIPE, text=True,
                          cwd=ROOT, timeout=1800)
    if done.returncode != 0:
        raise UserError('the browser driver bench/browser.mjs failed (exit %d; its output is '
                        'above)' % done.returncode)
    return json.loads(done.stdout)
