"""The recogniser page's pen in Python: a drawing (strokes in pad units) -> the model's input.

    x = model_input(drawing)            # (28, 28) float32, ink = 1, as the page makes it

As app/src/strokes.js renders: the drawing is scaled so that its longer side spans the
20 px box less one pen width, stroked MODEL_PEN px wide with round caps and joins at four
times the 28 px scale, then put through preprocess.mnist_style (the page's preprocess.js).
Pillow draws without anti-aliasing where the browser's canvas smooths edges; at four times
the size the box averaging of mnist_style makes the difference small (test_ink.py measures
it against the page). A `pen` other than MODEL_PEN draws thinner or bolder lines for training.
"""
import numpy
from PIL import Image, ImageDraw

from digitgan.ink import preprocess

MODEL_PEN = 2.5          # app/src/strokes.js MODEL_PEN: px at the 20 px box's scale
OVERSAMPLE = 4
BOX_SIZE = 20
RENDER_SIZE = 28 * OVERSAMPLE


def render_ink(drawing, pen=MODEL_PEN):
    """(RENDER_SIZE, RENDER_SIZE) float32 ink image of the drawing at the model's scale."""
    points = numpy.array([p for stroke in drawing for p in stroke], numpy.float64)
    if not len(points):
        raise preprocess.NoDigit('no strokes')
    low, high = points.min(0), points.max(0)
    width = pen * OVERSAMPLE
    longer = float((high - low).max())
    scale = (BOX_SIZE * OVERSAMPLE - width) / longer if longer > 0 else 1.0
    centre = (low + high) / 2
    canvas = Image.new('L', (RENDER_SIZE, RENDER_SIZE), 0)
    draw = ImageDraw.Draw(canvas)
    radius = width / 2
    for stroke in drawing:
        xy = [tuple(RENDER_SIZE / 2 + (numpy.asarray(p) - centre) * scale) for p in stroke]
        if len(xy) > 1:
            draw.line(xy, fill=255, width=max(1, int(round(width))), joint='curve')
        for x, y in (xy[0], xy[-1]) if len(xy) > 1 else xy[:1]:     # round caps, or a dot
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return numpy.asarray(canvas, numpy.float32) / 255


def model_input(drawing, pen=MODEL_PEN):
    """The recogniser's (28, 28) input for a drawing, as the page computes it."""
    return preprocess.mnist_style(render_ink(drawing, pen))
