"""Drawings that are not digits, for the recogniser's eleventh output ("not a digit").

    others = non_digits(rng, 500)        # [drawing, ...], kinds in equal shares
    drawing = KINDS['hash'](rng)         # one kind

Each kind is written the way a person might put it on the pad instead of a digit: taps,
lines that lie too flat for a 1, scribbles and coloured-in blobs, polygons and stars,
crosses, # and grids, waves, spirals, faces and capital letters that no
digit resembles. Shapes that a digit can be (a circle or an ellipse is a 0, a steep line a
1, an S a 5) are left out. A drawing is a list of strokes of [x, y] points in pad units.
"""
import math

import numpy


def polyline(*points, n=6):
    """Points along the segments through `points`, n per segment."""
    points = numpy.asarray(points, numpy.float64)
    out = [points[:1]]
    for a, b in zip(points, points[1:]):
        t = numpy.arange(1, n + 1)[:, None] / n
        out.append(a + (b - a) * t)
    return numpy.concatenate(out)


def turned(points, degrees):
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return numpy.asarray(points) @ numpy.array([[c, s], [-s, c]])


def flat_angle(rng):
    """An angle (degrees from horizontal) at least 55 degrees away from an upright 1 (MNIST's
    ones lean up to about 35 degrees)."""
    return rng.uniform(-35, 35)


def dots(rng):
    return [rng.uniform(-1, 1, (1, 2)) for _ in range(rng.randint(1, 5))]


def lines(rng):
    angle = flat_angle(rng)
    count = rng.choice([1, 1, 2, 3])
    shift = 0.6 if count > 1 else 0.0
    return [turned(polyline([-1, 0], [1, 0]) + [0, rng.uniform(-shift, shift)], angle)
            for _ in range(count)]


def scribble(rng):
    turns = rng.randint(5, 26)
    t = numpy.linspace(0, 1, turns * 6)
    x = numpy.sin(t * turns * math.pi) * rng.uniform(0.5, 1)
    y = (t - 0.5) * rng.uniform(0.3, 2) + rng.normal(0, 0.05, len(t))
    return [turned(numpy.stack([x, y], 1), rng.uniform(0, 180))]


def coloured_in(rng):
    """A region filled by hatching back and forth (a blob, a filled square or circle)."""
    rows = rng.randint(6, 16)
    y = numpy.linspace(-1, 1, rows)
    half = numpy.sqrt(1 - y ** 2) if rng.uniform() < 0.5 else numpy.ones(rows)
    xs = numpy.stack([-half, half], 1) * rng.uniform(0.4, 1)
    xs[1::2] = xs[1::2, ::-1]
    points = numpy.stack([xs.ravel(), numpy.repeat(y, 2)], 1)
    return [turned(points, rng.uniform(-20, 20))]


def polygon(rng):
    corners = rng.choice([3, 4])       # five corners and more come close to a 0
    start = rng.uniform(0, 360)
    a = numpy.radians(start + numpy.arange(corners + 1) * 360 / corners)
    points = numpy.stack([numpy.cos(a), numpy.sin(a)], 1) * [rng.uniform(0.5, 1.2), 1]
    return [polyline(*points, n=8)]


def star(rng):
    points = rng.choice([5, 5, 6, 8])
    step = points // 2 if points % 2 else 1
    a = numpy.radians(rng.uniform(0, 360) + numpy.arange(points + 1) * step * 360 / points)
    if points % 2 == 0:      # an outline with inner corners
        r = numpy.where(numpy.arange(points + 1) % 2, 0.45, 1.0)
        return [polyline(*(numpy.stack([numpy.cos(a), numpy.sin(a)], 1) * r[:, None]), n=5)]
    return [polyline(*numpy.stack([numpy.cos(a), numpy.sin(a)], 1), n=8)]


def cross(rng):
    arms = rng.choice([2, 2, 3, 4])
    start = rng.uniform(0, 180)
    return [turned(polyline([-1, 0], [1, 0]), start + k * 180 / arms) for k in range(arms)]


def hash_sign(rng):
    across, down = rng.randint(2, 4), rng.randint(2, 4)
    slant = rng.uniform(-0.3, 0.3)
    out = [polyline([-1, y], [1, y + slant]) for y in numpy.linspace(-0.5, 0.5, across)]
    out += [polyline([x, -1], [x + slant, 1]) for x in numpy.linspace(-0.5, 0.5, down)]
    return [turned(s, rng.uniform(-15, 15)) for s in out]


def wave(rng):
    periods = rng.uniform(2, 5)
    t = numpy.linspace(-1, 1, int(periods * 16))
    points = numpy.stack([t, rng.uniform(0.1, 0.4) * numpy.sin(t * periods * math.pi)], 1)
    if rng.uniform() < 0.4:                                   # zigzag instead
        points[:, 1] = numpy.sign(points[:, 1]) * abs(points[:, 1]).max()
    return [turned(points, flat_angle(rng) * 0.6)]


def spiral(rng):
    turns = rng.uniform(1.75, 4)
    a = numpy.linspace(0, turns * 2 * math.pi, int(turns * 30)) * rng.choice([-1, 1])
    r = numpy.linspace(0.05, 1, len(a))
    return [numpy.stack([r * numpy.cos(a), r * numpy.sin(a)], 1)]


def face(rng):
    a = numpy.linspace(0, 2 * math.pi, 40)
    ring = numpy.stack([numpy.cos(a), numpy.sin(a)], 1)
    smile = a[:12] / 2 + 0.3
    mouth = numpy.stack([0.5 * numpy.cos(smile), 0.2 + 0.4 * numpy.sin(smile)], 1)
    eyes = [numpy.array([[-0.35, -0.3]]), numpy.array([[0.35, -0.3]])]
    return [ring, mouth] + eyes


LETTERS = {     # capitals no digit resembles, on a box of -1..1
    'A': [[[-0.7, 1], [0, -1], [0.7, 1]], [[-0.4, 0.3], [0.4, 0.3]]],
    'E': [[[0.7, -1], [-0.6, -1], [-0.6, 1], [0.7, 1]], [[-0.6, 0], [0.4, 0]]],
    'F': [[[0.7, -1], [-0.6, -1], [-0.6, 1]], [[-0.6, 0], [0.4, 0]]],
    'H': [[[-0.7, -1], [-0.7, 1]], [[0.7, -1], [0.7, 1]], [[-0.7, 0], [0.7, 0]]],
    'K': [[[-0.6, -1], [-0.6, 1]], [[0.6, -1], [-0.6, 0.1], [0.7, 1]]],
    'M': [[[-0.8, 1], [-0.7, -1], [0, 0.4], [0.7, -1], [0.8, 1]]],
    'N': [[[-0.7, 1], [-0.7, -1], [0.7, 1], [0.7, -1]]],
    'W': [[[-1, -1], [-0.5, 1], [0, -0.2], [0.5, 1], [1, -1]]],
    'R': [[[-0.6, 1], [-0.6, -1], [0.4, -1], [0.6, -0.5], [0.4, 0], [-0.6, 0], [0.6, 1]]],
}


def letter(rng):
    strokes = LETTERS[sorted(LETTERS)[rng.randint(len(LETTERS))]]
    return [turned(polyline(*s), rng.uniform(-12, 12)) * [rng.uniform(0.6, 1), 1]
            for s in strokes]


KINDS = {'dots': dots, 'lines': lines, 'scribble': scribble, 'coloured_in': coloured_in,
         'polygon': polygon, 'star': star, 'cross': cross, 'hash': hash_sign, 'wave': wave,
         'spiral': spiral, 'face': face, 'letter': letter}


ALL = sorted(KINDS)


def placed(strokes, rng, jitter=0.01):
    """Strokes drawn in a box of about -1..1 -> pad units: random size and place, a shaky
    hand (jitter in units of the shape's size)."""
    points = numpy.concatenate(strokes)
    low, high = points.min(0), points.max(0)
    span = max(float((high - low).max()), 1e-6)
    size = rng.uniform(0.15, 0.9)
    at = rng.uniform(size / 2, 1 - size / 2, 2)
    out = []
    for s in strokes:
        p = (numpy.asarray(s, numpy.float64) - (low + high) / 2) / span
        p = p + rng.normal(0, jitter, p.shape)
        out.append((p * size + at).tolist())
    return out


def non_digits(rng, count, kinds=None):
    """`count` drawings, the kinds taking turns."""
    names = sorted(kinds) if kinds else ALL
    return [placed(KINDS[names[i % len(names)]](rng), rng) for i in range(count)]
