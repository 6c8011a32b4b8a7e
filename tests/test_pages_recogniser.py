"""The recogniser page in headless Chromium: "?" with a reason for drawings that are not
digits; small digits drawn in a corner; strokes drawn while the model loads are kept and
read; the pad at the screen's pixel density and a phone's full width, touch drawing, a tap
on *clear* right after a stroke, no browser menu on right-click; the live region."""
import os

from browser.drawings import digit_drawing, line

READY = 'body[data-state="ready"]'
SETTLED = 'async () => window.dcganTest.settled()'
PHONE = {'viewport': {'width': 390, 'height': 844}, 'deviceScaleFactor': 2, 'isMobile': True,
         'hasTouch': True}


def draw(drawing, touch=False):
    """Steps drawing each stroke (pad units) with the mouse or a finger, then settling."""
    key = 'touchStroke' if touch else 'stroke'
    return [{key: ['#draw', stroke], 'units': True} for stroke in drawing] + [{'eval': SETTLED}]


def scribble():
    """Back and forth twenty times over the middle of the pad: crossing something out."""
    xs = [0.25 if i % 2 else 0.75 for i in range(21)]
    ys = [0.25 + 0.5 * i / 20 for i in range(21)]
    return [line(*zip(xs, ys), n=4)]


DOT = [[[0.5, 0.5]]]
FLAT_LINE = [line([0.2, 0.52], [0.8, 0.48])]


def test_non_digits_get_a_question_mark_and_a_reason(site, static_server, browser, artifacts_dir):
    url = static_server(site['dist'])
    steps = [{'goto': url + 'draw.html'}, {'waitFor': READY}]
    for drawing in (DOT, FLAT_LINE, scribble()):
        steps += draw(drawing) + [{'click': '#clear'}]
    steps += draw(scribble()) + [
        {'screenshot': os.path.join(artifacts_dir, 'recogniser-uncertain.png'), 'fullPage': False},
        {'eval': """async () => ({
          verdictLive: document.querySelector('#prediction').closest('[aria-live]') !== null,
          barsLive: document.querySelector('#bars').closest('[aria-live]') !== null
                    || document.querySelector('#bars [aria-live]') !== null,
          preview: document.querySelector('#preview').getAttribute('aria-label'),
          bars: [...document.querySelectorAll('#bars .bar-value')].map((v) => v.textContent)})"""}]
    r = browser(steps)
    dot, flat, scribbled = r[3], r[6], r[9]
    assert dot['prediction'] == '?' and 'too small' in dot['reason'], dot
    not_a_digit = 'not a digit: draw one digit'
    assert flat['prediction'] == '?' and flat['reason'] == not_a_digit, flat
    assert scribbled['prediction'] == '?' and scribbled['reason'] == not_a_digit, scribbled
    page = r[-1]
    assert page['verdictLive'] and not page['barsLive']
    assert 'what the recogniser sees' in page['preview']
    assert all(value.endswith('%') for value in page['bars'])   # the bars still show the guess


def test_small_digits_in_a_corner_are_read(site, static_server, browser):
    url = static_server(site['dist'])
    cases = [('7', (0.15, 0.15)), ('1', (0.85, 0.2)), ('4', (0.2, 0.82)), ('3', (0.82, 0.82))]
    steps = [{'goto': url + 'draw.html'}, {'waitFor': READY}]
    for digit, corner in cases:
        drawing = digit_drawing(digit, scale=0.22, at=corner)
        steps += draw(drawing) + [{'click': '#clear'}]
    r = browser(steps)
    at = 2
    for digit, corner in cases:
        at += len(digit_drawing(digit))
        assert r[at]['prediction'] == digit, (digit, corner, r[at])
        at += 2


def test_strokes_drawn_while_the_model_loads_are_read_when_it_is_ready(site, static_server,
                                                                      browser):
    url = static_server(site['dist'])
    r = browser([
        {'route': '**/recogniser/weight_*.bin', 'action': 'delay', 'ms': 4000},
        {'goto': url + 'draw.html'},
        {'eval': "async () => document.body.dataset.state"},
        *draw(digit_drawing('7')),
        {'waitFor': READY, 'timeout': 60000}, {'eval': SETTLED},
    ])
    assert r[2] == 'loading'
    waiting = r[4]
    assert waiting['strokes'] == 1 and 'loading' in waiting['reason'], waiting
    assert r[6]['prediction'] == '7', r[6]


def test_phone_pad_density_touch_and_clear(site, static_server, browser, artifacts_dir):
    url = static_server(site['dist'])
    size = """async () => { const pad = document.querySelector('#draw');
      const panel = pad.parentElement; const style = getComputedStyle(panel);
      return {backing: pad.width, surface: pad.clientWidth, css: pad.getBoundingClientRect().width,
              room: panel.clientWidth - parseFloat(style.paddingLeft)
                    - parseFloat(style.paddingRight)}; }"""
    blank = """async () => { const pad = document.querySelector('#draw');
      const data = pad.getContext('2d').getImageData(0, 0, pad.width, pad.height).data;
      return data.every((v) => v === 255); }"""
    r = browser({'context': PHONE, 'steps': [
        {'goto': url + 'draw.html'}, {'waitFor': READY}, {'eval': size},
        *draw(digit_drawing('1'), touch=True),
        {'screenshot': os.path.join(artifacts_dir, 'recogniser-phone-touch.png')},
        {'touchStroke': ['#draw', digit_drawing('4')[0]], 'units': True}, {'tap': '#clear'},
        {'eval': SETTLED}, {'eval': blank},
    ]})
    pad = r[2]
    assert pad['backing'] == round(2 * pad['surface']), pad      # devicePixelRatio 2
    assert abs(pad['css'] - pad['room']) < 1 and pad['css'] > 320, pad
    assert r[4]['prediction'] == '1', r[4]
    cleared = r[8]
    assert cleared['empty'] and cleared['strokes'] == 0, cleared
    assert r[9], 'the pad still shows ink after clear'


def test_right_click_opens_no_menu_and_draws_nothing(site, static_server, browser):
    url = static_server(site['dist'])
    r = browser([
        {'goto': url + 'draw.html'}, {'waitFor': READY},
        {'eval': "async () => { document.addEventListener('contextmenu', "
                 "(e) => { window.menuPrevented = e.defaultPrevented; }); }"},
        {'rightClick': '#draw'}, {'eval': SETTLED},
        {'eval': 'async () => window.menuPrevented'},
    ])
    assert r[5] is True and r[4]['strokes'] == 0 and r[4]['empty']
