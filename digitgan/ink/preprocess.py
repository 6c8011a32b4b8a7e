"""The SPEC that makes an ink image look like an MNIST digit: the recogniser's input.

    x = mnist_style(ink)        # ink high, any size -> (28, 28) float32 in [0, 1], ink = 1

The drawing page implements the same SPEC in JavaScript (app/src/preprocess.js); the two
must stay equal (tests/test_preprocess_js.py compares them):
 1. Input: grayscale with ink high, in [0, 1].
 2. Ink = pixels > 0.1 x max value; no ink (or max == 0) means empty (NoDigit).
 3. Crop to the bounding box of the ink pixels.
 4. Resize the crop so that its longer side is 20 px, keeping the aspect ratio (shorter side
    at least 1 px), with area averaging (Pillow BOX) when shrinking, bilinear when enlarging.
 5. Place it in a 28x28 zero image so that its intensity-weighted centre of mass lands at
    pixel-index coordinates (14.0, 14.0), where MNIST's own digits have it, shifting by whole
    pixels, floor(14 - centre + 0.5) with the centre snapped to 1/1024 px first, and clamping
    the shift so that the resized digit stays fully inside the frame.
 6. Values in [0, 1], ink = 1 (MNIST's convention): the result is divided by its maximum.

Photos, scans and image files get to an ink image through photo_ink.py first.
"""
import numpy
from PIL import Image

# Where the SPEC puts the centre of mass (pixel-index coordinates): where MNIST's own digits
# have it on average (test set: rows 13.99, columns 14.01; std 0.29), not at the frame's
# middle (13.5), so that our inputs sit where the recogniser saw its training digits.
CENTRE = 14.0


class NoDigit(ValueError):
    """The image holds nothing that looks like ink."""



def mnist_style(ink):
    """The SPEC above: ink-high 2-D array -> (28, 28) float32 MNIST-style digit."""
    a = numpy.clip(numpy.asarray(ink, numpy.float32), 0, None)
    peak = float(a.max()) if a.size else 0.0
    if not peak > 0:
        raise NoDigit('no digit found')
    rows, cols = numpy.nonzero(a > 0.1 * peak)
    crop = a[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    h, w = crop.shape
    scale = 20.0 / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    method = Image.BOX if scale < 1 else Image.BILINEAR
    small = numpy.asarray(Image.fromarray(numpy.ascontiguousarray(crop)).resize(size, method),
                          numpy.float32)
    small = numpy.clip(small, 0, None)
    small /= small.max()
    h, w = small.shape
    # A symmetric digit of even size is exactly half a pixel from any whole-pixel shift;
    # snapping keeps float rounding (NumPy's and JavaScript's differ) from breaking that tie.
    cy, cx = (numpy.floor(c * 1024 + 0.5) / 1024 for c in centre_of_mass(small))
    top = min(max(int(numpy.floor(CENTRE - cy + 0.5)), 0), 28 - h)
    left = min(max(int(numpy.floor(CENTRE - cx + 0.5)), 0), 28 - w)
    out = numpy.zeros((28, 28), numpy.float32)
    out[top:top + h, left:left + w] = small
    return out


def centre_of_mass(a):
    """Intensity-weighted centre of mass (row, column) of a 2-D array, in pixel indices."""
    weights = a.sum()
    return ((a.sum(axis=1) @ numpy.arange(a.shape[0])) / weights,
            (a.sum(axis=0) @ numpy.arange(a.shape[1])) / weights)

