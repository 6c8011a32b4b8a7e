"""Drawings as the recogniser page keeps them: a drawing is a list of strokes, a stroke a
list of [x, y] points in units of the drawing pad's side (0..1, y down). Digits written
with simple strokes, and shapes that are not digits, for tests/test_pages_*.py.

    digit_drawing('7')                         # a 7 over most of the pad
    digit_drawing('7', scale=0.2, at=(0.15, 0.8))  # small, in the bottom-left corner
    non_digits(numpy.random.RandomState(0), per_kind=50)   # {kind: [drawing, ...]}
"""
import math

import numpy


def arc(cx, cy, rx, ry, start, end, n=24):
    """Points on an ellipse from angle `start` to `end` (degrees; 0 = right, 90 = down)."""
    return [[cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a))]
            for a in numpy.linspace(start, end, n)]


def line(*points, n=8):
    """A polyline through `points`, n points per segment."""
    out = [list(points[0])]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        out += [[x0 + (x1 - x0) * t / n, y0 + (y1 - y0) * t / n] for t in range(1, n + 1)]
    return out


# Each digit drawn once, the way many people write it, in a box of about 0.2..0.8.
DIGITS = {
    '0': [arc(0.5, 0.5, 0.2, 0.3, -90, 270, 40)],
    '1': [line([0.5, 0.2], [0.5, 0.8])],
    '2': [arc(0.5, 0.35, 0.2, 0.15, 180, 380, 16) + line([0.68, 0.42], [0.3, 0.8], [0.72, 0.8])],
    '3': [arc(0.48, 0.34, 0.18, 0.14, 200, 450, 20) + arc(0.48, 0.64, 0.2, 0.16, -90, 160, 20)],
    '4': [line([0.6, 0.2], [0.28, 0.62], [0.74, 0.62]), line([0.62, 0.4], [0.62, 0.82])],
    '5': [line([0.7, 0.2], [0.36, 0.2], [0.34, 0.46]) + arc(0.5, 0.62, 0.2, 0.18, -120, 150, 20)],
    '6': [arc(0.62, 0.45, 0.3, 0.3, -100, -180, 10) + arc(0.5, 0.63, 0.18, 0.17, 180, 540, 30)],
    '7': [line([0.27, 0.2], [0.73, 0.2], [0.45, 0.82])],
    '8': [[[0.5 + 0.17 * math.sin(2 * t), 0.5 - 0.3 * math.cos(t)]
           for t in numpy.linspace(0, 2 * math.pi, 60)]],
    '9': [arc(0.48, 0.36, 0.18, 0.16, 0, 360, 30) + line([0.66, 0.36], [0.62, 0.82])],
}


def transform(drawing, scale=1.0, at=(0.5, 0.5), angle=0.0, squash=1.0):
    """The drawing about its centre: scaled, rotated (degrees), squashed in x, moved to `at`."""
    points = numpy.array([p for stroke in drawing for p in stroke], float)
    centre = (points.min(0) + points.max(0)) / 2
    out = []
    for stroke in drawing:
        p = (numpy.array(stroke, float) - centre) * [squash * scale, scale] @ rotation(angle)
        out.append((p + at).tolist())
    return out


def digit_drawing(digit, scale=1.0, at=(0.5, 0.5), angle=0.0, squash=1.0):
    return transform(DIGITS[digit], scale, at, angle, squash)


def jitter(drawing, rng, amount):
    return [(numpy.array(stroke) + rng.normal(0, amount, (len(stroke), 2))).tolist()
            for stroke in drawing]


def random_digits(rng, per_digit):
    """Each digit `per_digit` times: random size (0.15-1 of the template), place, slant."""
    drawings = []
    for digit in DIGITS:
        for _ in range(per_digit):
            scale = rng.uniform(0.15, 1.1)
            half = 0.35 * scale
            at = rng.uniform(0.5 - (0.5 - half), 0.5 + (0.5 - half), 2)
            drawing = digit_drawing(digit, scale, at, rng.uniform(-12, 12), rng.uniform(0.8, 1.2))
            drawings.append((digit, jitter(drawing, rng, 0.003 * scale)))
    return drawings


def rotation(degrees):
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return numpy.array([[c, s], [-s, c]])


def _place(rng, points, size):
    """Points (centred near 0) scaled to `size` and put somewhere on the pad."""
    p = numpy.array(points, float) * size
    room = (0.5 - size / 2) * 0.8
    return (p + rng.uniform(0.5 - room, 0.5 + room, 2)).tolist()


def non_digits(rng, per_kind):
    """{kind: [drawing, ...]}: shapes that are not digits, each `per_kind` times."""
    pen = 0.05                                   # the page's screen pen (pen.js SCREEN_PEN)
    kinds = {}

    def dot():
        centre = rng.uniform(0.2, 0.8, 2)
        taps = rng.randint(1, 4)
        return [[(centre + rng.normal(0, 0.2 * pen, 2)).tolist()] for _ in range(taps)]

    def flat_line():
        a, length = math.radians(rng.uniform(-25, 25)), rng.uniform(0.15, 0.8)
        d = numpy.array([math.cos(a), math.sin(a)]) / 2
        return [_place(rng, line(-d, d), length)]

    def scribble():
        # back and forth over an area, as one crosses something out
        n, size = rng.randint(8, 25), rng.uniform(0.3, 0.8)
        x = numpy.where(numpy.arange(n) % 2, 0.5, -0.5) + rng.normal(0, 0.08, n)
        y = numpy.linspace(-0.5, 0.5, n) + rng.normal(0, 0.03, n)
        return [_place(rng, line(*numpy.c_[x, y] @ rotation(rng.uniform(-40, 40)), n=4), size)]

    def random_curve():
        n = rng.randint(8, 20)
        pts = numpy.cumsum(rng.normal(0, 1, (n, 2)), 0)
        pts = (pts - pts.mean(0)) / max(numpy.ptp(pts, 0).max(), 1e-6)
        return [_place(rng, line(*pts, n=4), rng.uniform(0.3, 0.8))]

    def circle_with_tail():
        a = rng.choice([0, 180]) + rng.uniform(-20, 20)           # a tail out to the side
        ring = arc(0, 0, 0.25, 0.25, a, a + 360, 30)
        tail = line(ring[-1], [ring[-1][0] + 0.55 * math.cos(math.radians(a)),
                               ring[-1][1] + 0.55 * math.sin(math.radians(a))])
        return [_place(rng, ring + tail, rng.uniform(0.3, 0.8))]

    def cross():
        a = math.radians(rng.choice([0, 45]) + rng.uniform(-10, 10))
        d1 = numpy.array([math.cos(a), math.sin(a)]) / 2
        d2 = numpy.array([-d1[1], d1[0]])
        size = rng.uniform(0.3, 0.8)
        centre = rng.uniform(0.5 - (0.5 - size / 2) * 0.8, 0.5 + (0.5 - size / 2) * 0.8, 2)
        return [(numpy.array(line(-d, d)) * size + centre).tolist() for d in (d1, d2)]

    def spiral():
        t = numpy.linspace(0, rng.uniform(3, 5) * math.pi, 60)
        return [_place(rng, numpy.c_[t * numpy.cos(t), t * numpy.sin(t)] / (2.2 * t[-1]),
                       rng.uniform(0.3, 0.8))]

    def hash_sign():
        size, offset = rng.uniform(0.3, 0.8), rng.uniform(0.12, 0.2)
        centre = rng.uniform(0.5 - (0.5 - size / 2) * 0.8, 0.5 + (0.5 - size / 2) * 0.8, 2)
        bars = [line([-0.5, -offset], [0.5, -offset]), line([-0.5, offset], [0.5, offset]),
                line([-offset, -0.5], [-offset, 0.5]), line([offset, -0.5], [offset, 0.5])]
        return [(numpy.array(b) * size + centre).tolist() for b in bars]

    def wave():
        x = numpy.linspace(-0.5, 0.5, 40)
        y = 0.12 * numpy.sin(x * rng.uniform(2, 4) * 2 * math.pi)
        return [_place(rng, numpy.c_[x, y], rng.uniform(0.3, 0.8))]

    def square():
        size = rng.uniform(0.3, 0.8)
        return [_place(rng, line([-.5, -.5], [.5, -.5], [.5, .5], [-.5, .5], [-.5, -.5]), size)]

    for kind in (dot, flat_line, scribble, random_curve, circle_with_tail, cross, spiral,
                 hash_sign, wave, square):
        kinds[kind.__name__] = [jitter(kind(), rng, 0.002) for _ in range(per_kind)]
    return kinds
