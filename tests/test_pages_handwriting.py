"""The recogniser page's row "in your handwriting" in headless Chromium: a digit drawn with
the mouse gets a row of ten digits 0-9 drawn by the generator from the encoder's z; "?" and
an empty pad get none; the row is a link (keyboard-reachable) to the generator page, which
draws the same ten digits; the row never holds up recognition while it loads, and a build
without an encoder simply has no row.

Two tests measure the encoder's quality, and so need a trained one:
test_the_row_redraws_the_drawing_at_its_own_label (the smoke model's z hardly depends on the
drawing) and test_each_digit_of_the_row_reads_as_its_column (which a z near the prior's
centre passes too); the other tests hold for any encoder."""
import base64
import json
import os
import shutil

import numpy
import pytest

from browser.drawings import digit_drawing, line
from browser.steps import read_canvas
from digitgan import checkpoints
from digitgan.recognition import digit_files
from digitgan.serving import server as static_files

READY = 'body[data-state="ready"]'
SETTLED = 'async () => window.dcganTest.settled()'
LOADED = 'async () => window.dcganTest.handwritingLoaded()'
NO_WORKERS = {'serviceWorkers': 'block'}
DRAWN = ('3', '7')
N_DIGITS = 10
# Where the row's link is, what it is called, and whether it takes the keyboard's focus.
ROW_ELEMENT = """async () => { const link = document.querySelector('#handwriting');
  link.focus();
  return {tag: link.tagName, hidden: link.hidden, label: link.getAttribute('aria-label'),
  title: link.querySelector('.row-title').textContent, focused: document.activeElement === link,
  canvases: link.querySelectorAll('canvas').length,
  names: [...link.querySelectorAll('canvas')].map((c) => c.getAttribute('aria-label'))}; }"""
GENERATOR_PAGE = """async () => { await window.dcganTest.settled();
  return {path: location.pathname, search: location.search,
          sheetHidden: document.querySelector('#sheet').hidden}; }"""


def draw(drawing):
    """Steps drawing each stroke (pad units) with the mouse, then settling."""
    return [{'stroke': ['#draw', stroke], 'units': True} for stroke in drawing] + [
        {'eval': SETTLED}]


def read_row():
    """Steps reading the row's ten canvases (read_canvas: size and grey levels)."""
    return [read_canvas('#handwriting-digits canvas:nth-child(%d)' % (i + 1))
            for i in range(N_DIGITS)]


def grey(result):
    return numpy.array(result['grey'], numpy.uint8).reshape(result['height'], result['width'])


def scribble():
    """Back and forth over the middle of the pad: crossing something out."""
    xs = [0.25 if i % 2 else 0.75 for i in range(21)]
    ys = [0.25 + 0.5 * i / 20 for i in range(21)]
    return [line(*zip(xs, ys), n=4)]


def query(href):
    return dict(item.split('=', 1) for item in href.split('?', 1)[1].split('&'))


@pytest.fixture(scope='module')
def session(site, browser, artifacts_dir):
    """One visit of the recogniser page: each digit of DRAWN drawn and its row read, then
    a scribble over the last one ("?"), clear, a dot ("?"), the last digit again, and a
    click on its row, which opens the generator page. Returns the named steps' results."""
    steps, names = [], []

    def add(new_steps, name=None):
        """Append steps; the last one's result is kept under `name`."""
        steps.extend(new_steps)
        names.extend([None] * (len(new_steps) - 1) + [name])
    server, url = static_files.serve_in_background(site['dist'])
    try:
        add([{'goto': url + 'draw.html'}, {'waitFor': READY}, {'eval': LOADED}], 'loaded')
        for digit in DRAWN:
            add([{'click': '#clear'}] + draw(digit_drawing(digit)), 'drawn ' + digit)
            add([read_canvas('#preview')], 'preview ' + digit)
            for i, step in enumerate(read_row()):
                add([step], 'row %s %d' % (digit, i))
        add(draw(scribble()), 'scribbled')
        add([{'click': '#clear'}, {'eval': SETTLED}], 'cleared')
        add(draw([[[0.5, 0.5]]]), 'dot')
        add([{'click': '#clear'}] + draw(digit_drawing(DRAWN[-1])), 'again')
        add([{'screenshot': os.path.join(artifacts_dir, 'recogniser-handwriting.png'),
              'fullPage': False}])
        add([{'eval': ROW_ELEMENT}], 'element')
        add([{'click': '#handwriting'}, {'waitFor': READY}, {'eval': GENERATOR_PAGE}],
            'generator page')
        add([read_canvas('#sheet')], 'sheet')
        results = browser({'context': NO_WORKERS, 'steps': steps})
    finally:
        server.shutdown()
        server.server_close()
    return {name: result for name, result in zip(names, results) if name}


def row_images(session, digit):
    """The row drawn for `digit` as model images (N_DIGITS, 28, 28), ink = 1."""
    return numpy.stack([1 - grey(session['row %s %d' % (digit, i)]) / 255.0
                        for i in range(N_DIGITS)]).astype(numpy.float32)


def test_a_digit_gets_a_row_of_every_digit(session):
    assert session['loaded']['loaded'] and session['loaded']['backend'] == 'webassembly'
    assert session['loaded']['batchSizes'] == [10]     # a row in one run; the grid's not fetched
    for digit in DRAWN:
        shown = session['drawn ' + digit]
        assert shown['prediction'] == digit, shown
        row = shown['row']
        assert row['shown'] and row['label'] == digit, row
        assert row['href'].startswith('index.html?'), row
        link = query(row['href'])
        assert link['digit'] == digit and link['view'] == 'row', link
        z = numpy.frombuffer(base64.urlsafe_b64decode(link['z'] + '=' * (-len(link['z']) % 4)),
                             '<f4')
        assert z.shape == (100,) and numpy.isfinite(z).all()
        assert 0 <= row['ms'] < 5000, row
        for i in range(N_DIGITS):
            canvas = session['row %s %d' % (digit, i)]
            assert (canvas['width'], canvas['height']) == (28, 28)
        images = row_images(session, digit)
        assert images.max(axis=(1, 2)).min() > 0.3, 'a canvas of the row shows no ink'
    # a new drawing, a new handwriting
    assert (row_images(session, DRAWN[0]) != row_images(session, DRAWN[1])).any()


def test_question_marks_and_an_empty_pad_have_no_row(session):
    for name in ('scribbled', 'dot'):
        assert session[name]['prediction'] == '?', session[name]
        assert not session[name]['row']['shown'] and session[name]['row']['href'] is None
    assert session['cleared']['empty'] and not session['cleared']['row']['shown']
    assert session['again']['row']['shown']


def test_the_row_is_a_named_link_to_the_same_digits_on_the_generator_page(session):
    element = session['element']
    assert element['tag'] == 'A' and not element['hidden'] and element['focused'], element
    assert element['title'] == 'in your handwriting' and 'generator' in element['label']
    assert element['canvases'] == N_DIGITS
    assert element['names'] == ['%d in your handwriting' % d for d in range(N_DIGITS)]
    page = session['generator page']
    href = session['again']['row']['href']
    assert page['path'].endswith('/index.html') and page['search'] == href[len('index.html'):]
    assert query(page['search'])['view'] == 'row' and not page['sheetHidden']
    sheet = grey(session['sheet'])
    assert sheet.shape == (28, 28 * N_DIGITS)
    # The same pixels: the row may come from the batch-10 graph on one page and from single
    # runs on the other (before it loads), whose float sums differ by a grey level.
    row = numpy.concatenate([grey(session['row %s %d' % (DRAWN[-1], i)])
                             for i in range(N_DIGITS)], axis=1)
    worst = numpy.abs(sheet.astype(int) - row).max()
    assert worst <= 1, worst


def test_the_row_redraws_the_drawing_at_its_own_label(session):
    """Needs the trained encoder: G(E(x, y), y) is x's handwriting, so the row's digit at
    the drawn label is much nearer what the recogniser saw than the same digit in the
    handwriting of the other drawing (an untrained encoder: about as near)."""
    for digit, other in zip(DRAWN, DRAWN[::-1]):
        seen = 1 - grey(session['preview ' + digit]) / 255.0
        own = abs(row_images(session, digit)[int(digit)] - seen).mean()
        theirs = abs(row_images(session, other)[int(digit)] - seen).mean()
        assert own < 0.7 * theirs, (digit, own, theirs)


def test_each_digit_of_the_row_reads_as_its_column(session):
    """Needs the trained encoder: the recogniser reads the row's k-th canvas as k."""
    recogniser = checkpoints.load_recogniser()
    for digit in DRAWN:
        read, _ = digit_files.recognise(recogniser, row_images(session, digit))
        assert read.tolist() == list(range(N_DIGITS)), (digit, read.tolist())


def test_recognition_does_not_wait_for_the_row_and_enter_opens_it(site, static_server,
                                                                   browser):
    """A slow encoder download: the digit is read at once, its row comes once the encoder
    is there. Enter on the row opens it, on the backend the address forced."""
    url = static_server(site['dist'])
    r = browser({'context': NO_WORKERS, 'steps': [
        {'route': '**/encoder/weight_*.bin', 'action': 'delay', 'ms': 4000},
        {'goto': url + 'draw.html?backend=webassembly'}, {'waitFor': READY},
        *draw(digit_drawing('7')), {'eval': LOADED}, {'eval': SETTLED},
        {'focus': '#handwriting'}, {'press': 'Enter'}, {'waitFor': READY},
        {'eval': GENERATOR_PAGE}]})
    before, loaded, after, opened = r[4], r[5], r[6], r[10]
    assert before['prediction'] == '7' and not before['row']['shown'], before
    assert loaded['loaded'] and after['row']['shown'] and after['row']['label'] == '7', after
    assert query(after['row']['href'])['backend'] == 'webassembly', after['row']
    assert opened['search'] == after['row']['href'][len('index.html'):], opened


def test_a_build_without_an_encoder_has_no_row_and_no_error(site, static_server, browser,
                                                            tmp_path):
    copy = tmp_path / 'site'
    shutil.copytree(site['dist'], copy, ignore=shutil.ignore_patterns('models'))
    (copy / 'models').mkdir()
    for name in os.listdir(os.path.join(site['dist'], 'models')):
        if name != 'contract.json':
            os.symlink(os.path.join(site['dist'], 'models', name), copy / 'models' / name)
    contract = {key: value for key, value in site['contract'].items() if key != 'encoder'}
    (copy / 'models' / 'contract.json').write_text(json.dumps(contract))
    url = static_server(str(copy))
    r = browser({'context': NO_WORKERS, 'steps': [
        {'goto': url + 'draw.html'}, {'waitFor': READY}, *draw(digit_drawing('7')),
        {'eval': LOADED},
        {'eval': "async () => document.querySelector('#handwriting').hidden"}]})
    assert r[3]['prediction'] == '7' and not r[3]['row']['shown'], r[3]
    assert r[4]['loaded'] is False and r[5] is True
