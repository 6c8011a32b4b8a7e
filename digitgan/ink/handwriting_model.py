"""A person's drawing of a digit's strokes: how a hand on a mouse, pen or finger varies them.

    drawing = drawn(skeleton.trace(image), rng)   # [[[x, y], ...], ...] in pad units (0..1)

What varies, each drawn at random per drawing: slant, rotation (up to +-15 degrees) and
width over height; smoothing of the pixel staircase; pen speed (the spacing of the points
the browser reports, 0.5-3 px of a 28 px digit) and its jitter; stroke order and direction;
re-traced strokes beside the first pass (bold and overlapping writing); where on the pad the
digit is and how big (the page scales it to the model's box, so size matters only there).
"""
import math

import numpy

DIGIT_PIXELS = 28.0


def smooth(points, passes):
    """Moving average of each point with its neighbours; the ends stay."""
    for _ in range(passes):
        if len(points) < 3:
            break
        inner = (points[:-2] + points[1:-1] + points[2:]) / 3
        points = numpy.concatenate([points[:1], inner, points[-1:]])
    return points


def resample(points, spacing):
    """Points every `spacing` along the polyline (its ends kept): the pen's sampling."""
    if len(points) < 2:
        return points
    steps = numpy.linalg.norm(numpy.diff(points, axis=0), axis=1)
    along = numpy.concatenate([[0], numpy.cumsum(steps)])
    if along[-1] <= spacing:
        return points[[0, -1]]
    at = numpy.append(numpy.arange(0, along[-1], spacing), along[-1])
    return numpy.stack([numpy.interp(at, along, points[:, 0]),
                        numpy.interp(at, along, points[:, 1])], axis=1)


def affine(rng, max_rotation=15.0, max_slant=0.3):
    angle = math.radians(rng.uniform(-max_rotation, max_rotation))
    c, s = math.cos(angle), math.sin(angle)
    slant = rng.uniform(-max_slant, max_slant)
    aspect = math.exp(rng.uniform(-0.2, 0.2))
    return numpy.array([[c, -s], [s, c]]) @ numpy.array([[aspect, slant], [0, 1]])


def drawn(strokes, rng, retrace=0.25, place=True):
    """The strokes ((n, 2) arrays of (x, y) pixels of a 28 px digit) as one person's drawing:
    a list of strokes of [x, y] points in pad units (0..1, y down)."""
    matrix = affine(rng)
    spacing = rng.uniform(0.5, 3.0)
    wobble = rng.uniform(0.0, 0.35)
    out = []
    for stroke in strokes:
        p = smooth(numpy.asarray(stroke, numpy.float64), rng.randint(0, 3))
        p = resample(p, spacing * rng.uniform(0.7, 1.3))
        passes = 1 + (rng.uniform() < retrace) * rng.randint(1, 3)
        for k in range(passes):
            offset = rng.normal(0, 0.7, 2) if k else 0
            q = p + offset + rng.normal(0, wobble, p.shape)
            out.append(q[::-1] if rng.uniform() < 0.3 else q)
    rng.shuffle(out)
    centre = DIGIT_PIXELS / 2
    out = [(s - centre) @ matrix.T for s in out]
    size = rng.uniform(0.25, 0.9) if place else 1.0     # of the pad, for the digit's 28 px
    scale = size / DIGIT_PIXELS
    half = 0.5 * size
    at = rng.uniform(half, 1 - half, 2) if place else numpy.array([0.5, 0.5])
    return [(s * scale + at).tolist() for s in out]
