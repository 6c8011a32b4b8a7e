"""Both pages, built (dist/) and served, in headless Chromium with the real models.

The generator page must draw exactly Chainer's output for the same z and label (one grey
level of tolerance), on webassembly and, with ?backend=webgl, on WebGL, and also through the
batched generators (2pack.py --batch10 / --batch100) that draw "all digits" and the grid;
the recogniser page must read clear mouse-drawn digits; without models both pages must say
how to fix it. Screenshots go to test-artifacts/, measured speeds to
test-artifacts/browser-figures.json.
"""
import gzip
import json
import math
import os
import shutil

import numpy
import pytest

import digitgan  # noqa: F401  (before chainer)
import chainer
from digitgan import networks


READY = 'body[data-state="ready"]'
PHONE = [390, 844]
NO_HORIZONTAL_SCROLL = ('async () => document.documentElement.scrollWidth <= '
                        'document.documentElement.clientWidth')


def read_canvas(selector):
    """Browser step: once the page has settled, a canvas's size and each pixel's grey level."""
    return {'eval': """async () => {
  await window.dcganTest.settled();
  const canvas = document.querySelector('%s');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  return {width: canvas.width, height: canvas.height,
          grey: Array.from({length: canvas.width * canvas.height}, (_, i) => data[4 * i])};
}""" % selector}


def record(artifacts_dir, **figures):
    """Merge measured figures into test-artifacts/browser-figures.json and print them."""
    path = os.path.join(artifacts_dir, 'browser-figures.json')
    saved = {}
    if os.path.exists(path):
        with open(path) as f:
            saved = json.load(f)
    saved.update(figures)
    with open(path, 'w') as f:
        json.dump(saved, f, indent=2)
    print(json.dumps(figures, indent=2))


@pytest.fixture(scope='module')
def chainer_generator(site, root):
    """networks.Generator with the weights contract.json names, and its forward function."""
    spec = site['contract']['generator']
    npz = os.path.join(root, spec['source']['npz'])
    if not os.path.isfile(npz):
        pytest.fail('%s (named by app/models/contract.json) is missing: re-run python 2pack.py'
                    % spec['source']['npz'])
    gen = networks.Generator(**spec['source']['args'])
    chainer.serializers.load_npz(npz, gen)

    def forward(z, label):
        x = gen.make_input(numpy.asarray(z, numpy.float32)[None], numpy.array([label]))
        with chainer.using_config('train', False), chainer.no_backprop_mode():
            return gen(x).array[0, 0]            # (28, 28), ink = 1
    return spec, forward


def grey_tolerance(spec):
    # float32 weights match Chainer to ~1e-6; 8-bit weights differ by up to ~0.04.
    return 1 if spec['weight_encoding'] == 'raw' else 0.05 * 255


def test_generator_page_draws_chainers_digits(site, static_server, browser, chainer_generator,
                                              artifacts_dir):
    spec, forward = chainer_generator
    url = static_server(site['dist'])
    rng = numpy.random.RandomState(0)
    zs = rng.standard_normal((len(spec['labels']), spec['n_hidden'])).astype(numpy.float32)
    steps = [{'goto': url + '?seed=1'}, {'waitFor': READY},
             {'eval': '''async () => ({backend: document.querySelector('#backend').textContent,
                 hook: window.dcganTest.backend, status: document.querySelector('#status').textContent,
                 buttons: Object.fromEntries([...document.querySelectorAll('button, select')]
                   .map((b) => [b.id, b.disabled])),
                 firstDigitMs: performance.getEntriesByName('first-digit')[0].startTime})'''}]
    for label, z in enumerate(zs):
        steps += [{'eval': 'async () => window.dcganTest.setNoise(%s)' % json.dumps(z.tolist())},
                  {'select': ['#digit', str(label)]}, {'click': '#generate'},
                  read_canvas('#output')]
    steps += [{'click': '#all-digits'}, {'eval': 'async () => window.dcganTest.settled()'},
              {'screenshot': os.path.join(artifacts_dir, 'generator-page.png')},
              {'eval': 'async () => window.dcganTest.timeGenerator(100)'},
              {'eval': 'async () => window.dcganTest.timeGrid()'},
              {'click': '#morph'}, {'eval': 'async () => window.dcganTest.settled()'},
              {'eval': "async () => document.querySelector('#timing').textContent"},
              {'click': '#check'}, {'eval': 'async () => window.dcganTest.settled()'},
              {'eval': "async () => document.querySelector('#check-result').textContent"},
              {'eval': "async () => document.querySelector('nav a[href=\"draw.html\"]') !== null"},
              {'viewport': PHONE}, {'eval': NO_HORIZONTAL_SCROLL},
              {'screenshot': os.path.join(artifacts_dir, 'generator-page-phone.png')}]
    results = browser(steps)

    page = results[2]
    assert page['backend'] == page['hook'] == 'webassembly', page
    assert 'ready' in page['status'].lower()
    # #check waits for the recogniser, which loads after the generator is ready.
    still_disabled = [name for name, disabled in page['buttons'].items() if disabled]
    assert set(still_disabled) <= {'check'}, still_disabled
    for label, z in enumerate(zs):
        drawn = results[3 + 4 * label + 3]
        assert (drawn['width'], drawn['height']) == (28, 28)
        grey = numpy.array(drawn['grey'], numpy.float64).reshape(28, 28)
        assert grey.min() < 128, 'digit %d: the canvas is blank' % label
        expected = 255 - 255 * forward(z, label)      # dark ink on white paper
        worst = numpy.abs(grey - expected).max()
        assert worst <= grey_tolerance(spec), 'digit %d differs from Chainer by %.1f grey levels' \
            % (label, worst)
    rest = results[3 + 4 * len(zs):]
    ms_digit, ms_grid, timing_text, check_text, has_nav, fits_phone = \
        rest[3], rest[4], rest[7], rest[10], rest[11], rest[13]
    assert 'morph' in timing_text
    assert 'recogniser reads' in check_text
    assert has_nav and fits_phone
    record(artifacts_dir, webassembly_ms_per_digit=round(ms_digit, 2),
           webassembly_ms_per_grid=round(ms_grid, 1),
           navigation_to_first_digit_ms=round(page['firstDigitMs'], 1))


def test_webgl_backend_when_asked(site, static_server, browser, chainer_generator, artifacts_dir):
    spec, forward = chainer_generator
    url = static_server(site['dist'])
    z = numpy.random.RandomState(1).standard_normal(spec['n_hidden']).astype(numpy.float32)
    results = browser([
        {'goto': url + '?backend=webgl&seed=2'}, {'waitFor': READY, 'timeout': 60000},
        {'eval': "async () => document.querySelector('#backend').textContent"},
        {'eval': 'async () => window.dcganTest.generate(%s, 3)' % json.dumps(z.tolist())},
        {'eval': 'async () => window.dcganTest.timeGenerator(20)'},
        {'eval': 'async () => window.dcganTest.timeGrid()'},
    ], timeout=240)
    assert results[2] == 'webgl'
    image = numpy.array(results[3], numpy.float32).reshape(28, 28)
    assert numpy.abs(image - forward(z, 3)).max() <= grey_tolerance(spec) / 255
    record(artifacts_dir, webgl_ms_per_digit=round(results[4], 2),
           webgl_ms_per_grid=round(results[5], 1))


def test_all_digits_and_grid_use_the_batched_generators(site, static_server, browser,
                                                        chainer_generator):
    contract = site['contract']
    batches = sorted(contract[key]['batch'] for key in ('generator_b10', 'generator_b100')
                     if key in contract)
    if not batches:
        pytest.skip('app/models has no batched generator (2pack.py --batch10 --batch100)')
    spec, forward = chainer_generator
    z = numpy.random.RandomState(5).standard_normal(spec['n_hidden']).astype(numpy.float32)
    url = static_server(site['dist'])
    results = browser([
        {'goto': url + '?seed=3'}, {'waitFor': READY},
        {'eval': 'async () => { await window.dcganTest.extrasLoaded(); '
                 'return window.dcganTest.batchSizes(); }'},
        {'eval': 'async () => window.dcganTest.setNoise(%s)' % json.dumps(z.tolist())},
        {'click': '#all-digits'}, read_canvas('#sheet'),
        {'eval': "async () => document.querySelector('#timing').textContent"},
        {'eval': 'async () => window.dcganTest.timeGrid()'},
        {'eval': "async () => [document.querySelector('#sheet').width, "
                 "document.querySelector('#sheet').height]"},
    ])
    assert sorted(results[2]) == batches
    sheet = results[5]
    assert (sheet['width'], sheet['height']) == (28 * spec['n_classes'], 28)
    grey = numpy.array(sheet['grey'], numpy.float64).reshape(28, 28 * spec['n_classes'])
    for label in range(spec['n_classes']):
        expected = 255 - 255 * forward(z, label)
        worst = numpy.abs(grey[:, 28 * label:28 * (label + 1)] - expected).max()
        assert worst <= grey_tolerance(spec), 'digit %d differs from Chainer by %.1f grey ' \
            'levels' % (label, worst)
    assert 'all digits' in results[6]
    assert results[7] > 0 and results[8] == [280, 280]


def path_through(points, per_segment=8):
    """Points along the polyline `points`, `per_segment` per segment (CSS pixels)."""
    out = [list(points[0])]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        out += [[x0 + (x1 - x0) * t / per_segment, y0 + (y1 - y0) * t / per_segment]
                for t in range(1, per_segment + 1)]
    return out


ELLIPSE = [[140 + 60 * math.sin(2 * math.pi * t / 40), 140 - 90 * math.cos(2 * math.pi * t / 40)]
           for t in range(41)]
STROKES = {
    '1': path_through([[140, 45], [140, 235]]),
    '0': path_through(ELLIPSE, 2),
    '7': path_through([[75, 55], [205, 55], [125, 235]]),
}
SETTLED = 'async () => window.dcganTest.settled()'


def test_recogniser_page_reads_drawn_digits(site, static_server, browser, artifacts_dir):
    url = static_server(site['dist'])
    steps = [{'goto': url + 'draw.html'}, {'waitFor': READY},
             {'eval': "async () => [document.querySelector('#backend').textContent, "
                      "document.querySelector('#clear').disabled, "
                      "getComputedStyle(document.querySelector('#draw')).touchAction, "
                      "document.querySelector('nav a[href=\"index.html\"]') !== null]"},
             {'eval': SETTLED}]
    for digit, points in STROKES.items():
        steps += [{'stroke': ['#draw', points]}, {'eval': SETTLED}]
        if digit == '7':
            steps.append({'screenshot': os.path.join(artifacts_dir, 'recogniser-page.png')})
        steps += [{'click': '#clear'}, {'eval': SETTLED}]
    steps += [{'viewport': PHONE}, {'stroke': ['#draw', STROKES['7']]}, {'eval': SETTLED},
              {'eval': NO_HORIZONTAL_SCROLL},
              {'screenshot': os.path.join(artifacts_dir, 'recogniser-page-phone.png')}]
    results = browser(steps)

    backend, clear_disabled, touch_action, has_nav = results[2]
    assert backend == 'webassembly' and not clear_disabled and has_nav
    assert touch_action == 'none'
    assert results[3]['empty'], 'an empty canvas must show the prompt, not a guess'
    at = 4
    for digit in STROKES:
        shown = results[at + 1]
        assert not shown['empty'] and shown['prediction'] == digit, (digit, shown)
        at += 3 if digit == '7' else 2
        assert results[at + 1]['empty'], 'after clear the prompt must come back'
        at += 2
    assert results[at + 2]['prediction'] == '7', 'on a phone-sized screen'
    assert results[at + 3], 'the page scrolls sideways on a phone-sized screen'


def test_missing_models_are_explained(site, static_server, browser, tmp_path):
    bare = tmp_path / 'dist'
    shutil.copytree(site['dist'], bare, ignore=shutil.ignore_patterns('models'))
    url = static_server(str(bare))
    report = browser([
        {'goto': url}, {'waitFor': 'body[data-state="error"]'},
        {'eval': "async () => [document.querySelector('#status').textContent, "
                 "document.querySelector('#generate').disabled]"},
        {'goto': url + 'draw.html'}, {'waitFor': 'body[data-state="error"]'},
        {'eval': "async () => [document.querySelector('#status').textContent, "
                 "document.querySelector('#clear').disabled]"},
    ], allow_errors=True)
    for text, disabled in (report['results'][2], report['results'][5]):
        assert 'missing' in text and 'python 2pack.py' in text and 'npm run build' in text, text
        assert disabled
    # The only errors are the browser's own 404 lines for the absent files.
    assert all('404' in line for line in report['consoleErrors'] if 'Error:' not in line), \
        report['consoleErrors']


def test_bundle_size(site, artifacts_dir):
    scripts = [os.path.join(site['dist'], name) for name in os.listdir(site['dist'])
               if name.endswith('.js')]
    raw = sum(os.path.getsize(path) for path in scripts)
    gzipped = 0
    for path in scripts:
        with open(path, 'rb') as f:
            gzipped += len(gzip.compress(f.read(), 9))
    record(artifacts_dir, bundle_js_files=len(scripts), bundle_js_kb=round(raw / 1024, 1),
           bundle_js_gzip_kb=round(gzipped / 1024, 1))
    assert raw < 600 * 1024, 'the JavaScript bundle grew past 600 KiB'
