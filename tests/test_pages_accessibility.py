"""Accessibility of both pages in headless Chromium: non-text contrast of at least 3:1 for
bars, tracks, borders and the pad (WCAG 1.4.11), names for generated cells and canvases,
the visible reason for a disabled button, and a footer that never shows a placeholder."""

READY = 'body[data-state="ready"]'

# Contrast ratio of the computed colours `a` of element x and `b` of element y (WCAG 2).
CONTRAST = """(pairs) => {
  const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = (colour) => {
    const [r, g, b] = rgb(colour).map((v) => v / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const colour = (selector, property) =>
    getComputedStyle(document.querySelector(selector))[property];
  return Object.fromEntries(pairs.map(([name, x, a, y, b]) => {
    const [l1, l2] = [luminance(colour(x, a)), luminance(colour(y, b))].sort((p, q) => q - p);
    return [name, (l1 + 0.05) / (l2 + 0.05)];
  }));
}"""


def contrast(pairs):
    return {'eval': 'async () => (%s)(%s)' % (CONTRAST, pairs)}


def test_non_text_contrast_is_at_least_3_to_1(site, static_server, browser):
    url = static_server(site['dist'])
    r = browser([
        {'goto': url + 'draw.html'}, {'waitFor': READY},
        {'stroke': ['#draw', [[0.5, 0.2], [0.5, 0.8]]], 'units': True},
        {'eval': 'async () => window.dcganTest.settled()'},
        contrast([['bar fill', '.bars li:not(.top) .fill', 'backgroundColor', '.bar',
                   'backgroundColor'],
                  ['top bar fill', '.bars li.top .fill', 'backgroundColor', '.bar',
                   'backgroundColor'],
                  ['bar track edge', '.bar', 'borderTopColor', '.panel', 'backgroundColor'],
                  ['button edge', '#clear', 'borderTopColor', '.panel', 'backgroundColor'],
                  ['panel edge', '.panel', 'borderTopColor', 'body', 'backgroundColor'],
                  ['drawing pad edge', '#draw', 'borderTopColor', '.panel', 'backgroundColor'],
                  ['preview edge', '#preview', 'borderTopColor', '.panel', 'backgroundColor']]),
        {'goto': url}, {'waitFor': READY},
        contrast([['menu edge', '#digit', 'borderTopColor', '.panel', 'backgroundColor'],
                  ['digit edge', '#output', 'borderTopColor', '.panel', 'backgroundColor']]),
    ])
    ratios = dict(r[4], **r[7])
    assert all(value >= 3 for value in ratios.values()), ratios


def test_names_disabled_reasons_and_footer(site, static_server, browser):
    url = static_server(site['dist'])
    state = """async () => ({
      check: document.querySelector('#check').disabled,
      described: document.querySelector('#check').getAttribute('aria-describedby'),
      note: document.querySelector('#check-note').hidden ? null
            : document.querySelector('#check-note').textContent,
      footer: document.querySelector('footer').innerText.replace(/\\s+/g, ' ').trim(),
      output: document.querySelector('#output').getAttribute('aria-label'),
      cells: [...document.querySelectorAll('#cells button')]
        .map((b) => b.getAttribute('aria-label'))})"""
    r = browser({'context': {'serviceWorkers': 'block'}, 'steps': [
        {'route': '**/models/generator/weight_webassembly.bin', 'action': 'delay', 'ms': 1500},
        {'route': '**/recogniser/weight_*.bin', 'action': 'delay', 'ms': 6000},
        {'goto': url + '?seed=21&digit=7'}, {'eval': state}, {'waitFor': READY},
        {'click': '#all-digits'}, {'eval': 'async () => window.dcganTest.settled()'},
        {'eval': state},
        {'eval': 'async () => window.dcganTest.extrasLoaded()'}, {'click': '#grid'},
        {'eval': 'async () => window.dcganTest.settled()'}, {'eval': state},
    ]})
    loading, waiting, loaded = r[3], r[7], r[11]
    assert 'backend' not in loading['footer'] and '–' not in loading['footer'], loading
    assert waiting['check'] and waiting['described'] == 'check-note'
    assert waiting['note'] and 'waiting for the recogniser' in waiting['note'], waiting
    assert waiting['output'] == 'generated 7'
    assert waiting['cells'] == ['generated %d' % d for d in range(10)]
    assert not loaded['check'] and loaded['note'] is None
    assert loaded['cells'][37] == 'generated 7, row 4 (seed 24)'
    assert loaded['footer'].startswith('backend: webassembly · ') and '–' not in loaded['footer']
