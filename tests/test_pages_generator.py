"""The generator page in headless Chromium: *generate* draws new handwriting while the digit
menu and keys 0-9 keep it; the address is a link that draws the same pixels in a fresh
browser; bad links are explained; *download PNG* saves what is shown; the morph between
two digits loops until stopped without losing what the user chose meanwhile; clicks during
a run are coalesced; a grid cell hands over its handwriting."""
import io
import os

import numpy
from PIL import Image

from browser.steps import read_canvas

READY = 'body[data-state="ready"]'
SETTLED = 'async () => window.dcganTest.settled()'


def page_state():
    return {'eval': """async () => { await window.dcganTest.settled(); return {
  search: location.search, seed: document.querySelector('#seed').textContent,
  share: document.querySelector('#share').getAttribute('href'),
  focus: document.activeElement.id, digit: document.querySelector('#digit').value,
  label: document.querySelector('#output').getAttribute('aria-label'),
  sheetHidden: document.querySelector('#sheet').hidden}; }"""}


def grey(result):
    return numpy.array(result['grey'], numpy.uint8).reshape(result['height'], result['width'])


def query(search):
    return dict(item.split('=') for item in search.lstrip('?').split('&'))


def test_generate_changes_handwriting_digit_and_keys_keep_it(site, static_server, browser):
    url = static_server(site['dist'])
    r = browser([
        {'goto': url + '?seed=5&digit=3'}, {'waitFor': READY}, page_state(),
        read_canvas('#output'),
        {'click': '#generate'}, page_state(), read_canvas('#output'),
        {'select': ['#digit', '8']}, page_state(),
        {'focus': '#generate'}, {'press': '2'}, page_state(),
        {'click': '#all-digits'}, page_state(), read_canvas('#sheet'),
        {'click': '#generate'}, page_state(), read_canvas('#sheet'),
        {'click': '#grid'}, read_canvas('#sheet'), {'click': '#generate'}, page_state(),
        read_canvas('#sheet'),
        {'click': '#one-digit'}, page_state(),
    ])
    first, second = r[2], r[5]
    assert first['search'] == '?digit=3&seed=5' and first['seed'] == 'seed 5'
    assert first['share'] == first['search'] and first['label'] == 'generated 3'
    assert query(second['search'])['seed'] != '5', 'generate must draw a new z'
    assert (grey(r[3]) != grey(r[6])).any()
    chosen, keyed = r[8], r[11]
    assert query(chosen['search']) == dict(query(second['search']), digit='8')
    assert query(keyed['search']) == dict(query(second['search']), digit='2')
    assert keyed['focus'] == 'generate' and keyed['digit'] == '2'
    row, new_row = r[13], r[16]
    assert query(row['search'])['view'] == 'row' and not row['sheetHidden']
    # generate refreshes everything shown: the row (and below, the grid) follow the new z
    assert query(new_row['search'])['seed'] != query(row['search'])['seed']
    assert (grey(r[14]) != grey(r[17])).any()
    assert (grey(r[19]) != grey(r[22])).any() and query(r[21]['search'])['view'] == 'grid'
    assert r[24]['sheetHidden'] and 'view' not in query(r[24]['search'])


def test_links_draw_the_same_pixels_in_a_fresh_browser(site, static_server, browser):
    url = static_server(site['dist'])
    z = numpy.random.RandomState(4).standard_normal(100).round(4).tolist()
    r = browser([
        {'goto': url + '?seed=77'}, {'waitFor': READY}, {'eval': SETTLED},
        {'click': '#grid'}, {'eval': 'async () => window.dcganTest.extrasLoaded()'},
        {'click': '#cells button:nth-child(47)'},           # row 5, digit 6
        page_state(), read_canvas('#output'), read_canvas('#sheet'),
        {'eval': 'async () => window.dcganTest.setNoise(%s)' % z}, {'click': '#all-digits'},
        page_state(), read_canvas('#output'), read_canvas('#sheet'),
    ])
    grid_link, z_link = r[6]['search'], r[11]['search']
    assert query(grid_link) == {'digit': '6', 'seed': '81', 'view': 'grid', 'grid': '77'}
    assert r[6]['label'] == 'generated 6'
    assert 'z' in query(z_link) and r[11]['seed'] == 'handwriting from the link'
    again = browser([{'goto': url + grid_link}, {'waitFor': READY}, read_canvas('#output'),
                     read_canvas('#sheet'), {'goto': url + z_link}, {'waitFor': READY},
                     read_canvas('#output'), read_canvas('#sheet')])
    # The same pixels; the grid may come from the batch-100 graph in one browser and from
    # single runs in the other (not loaded yet), whose float sums differ by a grey level.
    for name, before, after in (('digit', r[7], again[2]), ('grid', r[8], again[3]),
                                ('z digit', r[12], again[6]), ('z row', r[13], again[7])):
        worst = numpy.abs(grey(before).astype(int) - grey(after)).max()
        assert worst <= 1, (name, worst)


def test_bad_links_are_explained(site, static_server, browser):
    url = static_server(site['dist'])
    steps = []
    for search in ('?seed=abc', '?seed=-1', '?seed=4294967296', '?digit=x&view=wide'):
        steps += [{'goto': url + search}, {'waitFor': READY}, page_state(),
                  {'eval': "async () => document.querySelector('#notice').textContent"}]
    r = browser(steps)
    for (search, at) in zip(('abc', '-1', '4294967296'), (2, 6, 10)):
        assert 'seed=%s is not a seed' % search in r[at + 1], r[at + 1]
        assert 'whole number from 0 to 4294967295' in r[at + 1]
        seed = query(r[at]['search'])['seed']
        assert seed.isdigit() and r[at]['seed'] == 'seed ' + seed
    assert 'digit=x is not a digit' in r[15] and 'view=wide is not one of' in r[15]


def test_download_saves_what_is_shown(site, static_server, browser, tmp_path):
    url = static_server(site['dist'])
    digit_png, grid_png = str(tmp_path / 'digit.png'), str(tmp_path / 'grid.png')
    r = browser([{'goto': url + '?seed=12&digit=4'}, {'waitFor': READY}, read_canvas('#output'),
                 {'download': ['#download', digit_png]},
                 {'click': '#grid'}, read_canvas('#sheet'), {'download': ['#download', grid_png]}])
    assert r[3] == 'digit-4-seed-12.png' and r[6] == 'grid-seed-12.png'
    for shown, path, scale in ((r[2], digit_png, 8), (r[5], grid_png, 4)):
        with open(path, 'rb') as f:
            saved = numpy.asarray(Image.open(io.BytesIO(f.read())).convert('L'))
        assert saved.shape == (scale * shown['height'], scale * shown['width'])
        assert (saved[::scale, ::scale] == grey(shown)).all()


def test_morph_loops_between_digits_until_stopped_and_keeps_choices(site, static_server,
                                                                       browser, artifacts_dir):
    url = static_server(site['dist'])
    frames = """async () => { const seen = new Set();
      const canvas = document.querySelector('#output');
      const start = performance.now();
      while (performance.now() - start < 3600) {
        seen.add(canvas.toDataURL()); await new Promise((r) => setTimeout(r, 60)); }
      return {distinct: seen.size, runs: window.dcganTest.runs().single,
              pressed: document.querySelector('#morph').getAttribute('aria-pressed'),
              text: document.querySelector('#morph').textContent}; }"""
    r = browser([
        {'goto': url + '?seed=3&digit=3'}, {'waitFor': READY}, read_canvas('#output'),
        {'select': ['#morph-to', '8']}, {'click': '#morph'}, {'eval': frames},
        {'screenshot': os.path.join(artifacts_dir, 'generator-morph.png')},
        {'press': '5'}, page_state(), read_canvas('#output'),
        {'eval': 'async () => window.dcganTest.generate(window.dcganTest.noise(), 5)'},
        {'eval': "async () => document.querySelector('#morph').getAttribute('aria-pressed')"},
        {'select': ['#morph-to', 'noise']}, {'click': '#morph'}, {'wait': 500},
        {'click': '#morph'},
        page_state(), read_canvas('#output'),
    ])
    looping = r[5]
    # 3.6 s is past one way and back (1.5 s each): still running, many distinct frames
    assert looping['pressed'] == 'true' and looping['text'] == 'stop'
    assert looping['distinct'] >= 10, looping
    # a key pressed during the morph wins: digit 5 in the same handwriting, focus unmoved
    chosen = r[8]
    assert query(chosen['search']) == {'digit': '5', 'seed': '3'} and chosen['focus'] == 'morph'
    expected = numpy.round(255 - 255 * numpy.array(r[10]).reshape(28, 28))
    assert numpy.abs(grey(r[9]) - expected).max() <= 1
    assert r[11] == 'false'
    # stop: back to the state's digit, focus still on the button
    stopped = r[16]
    assert stopped['focus'] == 'morph' and query(stopped['search']) == {'digit': '5', 'seed': '3'}
    assert (grey(r[17]) == grey(r[9])).all()


def test_clicks_during_a_run_are_coalesced_on_webgl(site, static_server, browser):
    url = static_server(site['dist'])
    clicks = """async () => { await window.dcganTest.extrasLoaded();
      await window.dcganTest.settled();
      const before = window.dcganTest.runs(); const start = performance.now();
      for (let i = 0; i < 5; i++) document.querySelector('#generate').click();
      await window.dcganTest.settled();
      const after = window.dcganTest.runs();
      return {ms: performance.now() - start, grids: after.drawn.grid - before.drawn.grid,
              digits: after.drawn.digit - before.drawn.digit, search: location.search}; }"""
    r = browser([{'goto': url + '?backend=webgl&seed=9&view=grid'},
                 {'waitFor': READY, 'timeout': 90000}, {'eval': clicks}, read_canvas('#sheet')],
                timeout=300)
    runs = r[2]
    # five clicks: the run in progress, then one more for the last click (not five)
    assert runs['grids'] <= 2 and runs['digits'] <= 2, runs
    same_on_wasm = runs['search'].replace('backend=webgl', 'backend=webassembly')
    again = browser([{'goto': url + same_on_wasm},
                     {'waitFor': READY}, read_canvas('#sheet')])
    # what is shown is the last click's grid (WebGL and WebAssembly agree within a grey level)
    assert numpy.abs(grey(r[3]).astype(int) - grey(again[2])).max() <= 1
