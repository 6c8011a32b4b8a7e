"""What a person feels on the two pages, in the real bundle (dist/) in headless Chromium on
WebAssembly: input event -> its answer painted (the pages' own FeltLatency, felt-latency.js,
the figure their footers show), p50 and p95, once on the idle machine and once with one
core kept busy by another process.

    result = felt_benchmark(quick=False)         # results.json's 'felt'

- generator page: *generate* clicked with the mouse (`PRESSES`, 250-450 ms apart, seeded),
  press -> new digit painted; then the morph animation's frames per second;
- recogniser page: one-stroke digits drawn with the mouse (handwriting_bench.strokes),
  pen-up -> verdict painted and pen-up -> row "in your handwriting" painted: lifted right
  after the last move (the worst case), and again held still REST_MS before the lift.
"""
import contextlib
import subprocess
import sys

from browser_site import run_browser, served_site
from common import log
from handwriting_bench import strokes

GENERATOR_URL = 'app/index.html?backend=webassembly&seed=1'
RECOGNISER_URL = 'app/draw.html?backend=webassembly'
PRESSES = 60
STROKES = 50
MORPH_MS = 3000
REST_MS = 60          # a person's pen usually stops before it lifts


@contextlib.contextmanager
def busy_core(busy):
    """While the block runs, one more process spins on a core (when `busy`)."""
    spinner = subprocess.Popen([sys.executable, '-c', 'while True: pass']) if busy else None
    try:
        yield
    finally:
        if spinner:
            spinner.kill()
            spinner.wait()


def figures(samples):
    """{count, p50_ms, p95_ms, max_ms} of a FeltLatency summary entry (None: no samples)."""
    if not samples:
        return None
    return {'count': samples['count'], 'p50_ms': round(samples['p50'], 2),
            'p95_ms': round(samples['p95'], 2), 'max_ms': round(max(samples['all']), 2)}


def one_condition(base, quick):
    presses = 15 if quick else PRESSES
    drawings = strokes(10 if quick else STROKES)
    jobs = [
        {'name': 'generator page: presses', 'url': base + GENERATOR_URL, 'selector': '#generate',
         'presses': presses, 'warmup': 5, 'spacingMs': [250, 450], 'seed': 7,
         'morphMs': MORPH_MS},
        {'name': 'recogniser page: strokes', 'url': base + RECOGNISER_URL,
         'strokes': drawings, 'warmup': 3, 'pauseMs': 300},
        {'name': 'recogniser page: strokes, pen held before the lift',
         'url': base + RECOGNISER_URL, 'strokes': drawings, 'warmup': 3, 'pauseMs': 300,
         'restMs': REST_MS},
    ]
    report = run_browser(jobs)
    presses_result, strokes_result, rested_result = report['results']
    out = {'browser': report['browser']}
    for result in (presses_result, strokes_result, rested_result):
        if 'error' in result:
            out.setdefault('errors', []).append(result['error'][:2000])
        elif result.get('consoleErrors'):
            out.setdefault('console_errors', []).extend(result['consoleErrors'])
    felt_presses = presses_result.get('felt', {})
    felt_strokes = strokes_result.get('felt', {})
    out.update({
        'press_to_digit_painted': figures(felt_presses.get('digit')),
        'morph_fps': presses_result.get('morphFps'),
        'footer': presses_result.get('footer'),
        'pen_up_to_verdict_painted': figures(felt_strokes.get('verdict')),
        'pen_up_to_row_painted': figures(felt_strokes.get('row')),
        'rested_pen_up_to_verdict_painted': figures(rested_result.get('felt', {}).get('verdict')),
        'rested_pen_up_to_row_painted': figures(rested_result.get('felt', {}).get('row')),
        'presses': presses, 'strokes': len(drawings),
    })
    return out


def felt_benchmark(quick=False):
    """{'idle': {...}, 'one_core_busy': {...}}, each as one_condition()."""
    results = {}
    with served_site() as (_, base):
        for name, busy in (('idle', False), ('one_core_busy', True)):
            log('felt latency (%s): presses on the generator page, strokes on the recogniser '
                'page' % name.replace('_', ' '))
            with busy_core(busy):
                results[name] = one_condition(base, quick)
    return results
