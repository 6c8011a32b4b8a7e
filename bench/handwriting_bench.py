"""The recogniser page's row "in your handwriting": how long after the pen lifts the row of
ten digits is drawn (the encoder, the batch-10 generator and the ten canvases, after the
recogniser's reading), on WebAssembly, in the real bundle (dist/) in headless Chromium.

    result = handwriting_benchmark(quick=False)        # results.json's 'handwriting'

Each stroke is one digit drawn with the mouse (playwright's pointer events, as a person's);
the page times from the pen's lift to the row drawn (test-hooks.js: settled().row.ms).
"""
import math
import statistics

from browser_site import run_browser, served_site
from common import log

URL = 'app/draw.html?backend=webassembly'


def ellipse(cx, cy, rx, ry, start, end, n=24):
    """Points on an ellipse from angle `start` to `end` (degrees; 0 = right, 90 = down)."""
    return [[cx + rx * math.cos(math.radians(start + (end - start) * i / (n - 1))),
             cy + ry * math.sin(math.radians(start + (end - start) * i / (n - 1)))]
            for i in range(n)]


def polyline(*points, n=8):
    """A polyline through `points`, n points per segment."""
    out = [list(points[0])]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        out += [[x0 + (x1 - x0) * t / n, y0 + (y1 - y0) * t / n] for t in range(1, n + 1)]
    return out


# Digits written in one stroke, in units of the pad's side (as tests/browser/drawings.py).
ONE_STROKE_DIGITS = {
    '0': ellipse(0.5, 0.5, 0.2, 0.3, -90, 270, 40),
    '1': polyline([0.5, 0.2], [0.5, 0.8]),
    '2': ellipse(0.5, 0.35, 0.2, 0.15, 180, 380, 16) + polyline([0.68, 0.42], [0.3, 0.8],
                                                                [0.72, 0.8]),
    '3': ellipse(0.48, 0.34, 0.18, 0.14, 200, 450, 20) + ellipse(0.48, 0.64, 0.2, 0.16, -90,
                                                                 160, 20),
    '7': polyline([0.27, 0.2], [0.73, 0.2], [0.45, 0.82]),
}


def strokes(count):
    """`count` one-stroke digits, cycling through the digits at two sizes."""
    out = []
    for i in range(count):
        digit = sorted(ONE_STROKE_DIGITS)[i % len(ONE_STROKE_DIGITS)]
        scale = 1.0 if (i // len(ONE_STROKE_DIGITS)) % 2 == 0 else 0.6
        points = [[0.5 + (x - 0.5) * scale, 0.5 + (y - 0.5) * scale]
                  for x, y in ONE_STROKE_DIGITS[digit]]
        out.append({'digit': digit, 'points': points})
    return out


def handwriting_benchmark(quick=False):
    """{engine, url, pen_up_to_row_ms (median), all_ms, strokes, rows_shown, ...}."""
    drawings = strokes(5 if quick else 20)
    with served_site() as (_, base):
        log('handwriting row: %d strokes on the recogniser page (webassembly)' % len(drawings))
        job = {'name': 'handwriting row (app)', 'url': base + URL, 'strokes': drawings,
               'warmup': 2}
        report = run_browser([job])
    result = report['results'][0]
    if 'error' in result:
        return {'browser': report['browser'], 'error': result['error'][:2000]}
    shown = [row for row in result['rows'] if row['shown']]
    times = [row['ms'] for row in shown]
    verdicts = [row['verdictMs'] for row in result['rows'] if row.get('verdictMs') is not None]
    return {
        'browser': report['browser'], 'engine': 'WebDNN webassembly (app)', 'url': '/' + URL,
        'info': result.get('info'),
        'pen_up_to_row_ms': statistics.median(times) if times else None,
        'all_ms': [round(ms, 2) for ms in times],
        'pen_up_to_verdict_ms': statistics.median(verdicts) if verdicts else None,
        'verdict_p95_ms': sorted(verdicts)[int(0.95 * (len(verdicts) - 1))] if verdicts else None,
        'strokes': len(drawings), 'rows_shown': len(shown),
        'misread': [row for row in result['rows'] if row['prediction'] != row['digit']],
        'console_errors': result.get('consoleErrors', []),
    }
