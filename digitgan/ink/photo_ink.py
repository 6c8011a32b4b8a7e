"""A picture of one digit as an ink image for preprocess.mnist_style (the SPEC): numpy and
Pillow only; recognize.py uses it on what image_file.read_gray returns.

    ink = to_ink(gray)          # photos, scans, drawings (2-D, [0, 1]) -> ink high, paper 0

It handles polarity (dark ink on light paper or light on dark), uneven lighting, paper
texture, specks and stray marks (ink_parts.py picks the digit's parts), and strokes far
thinner than MNIST's. Sizes are in pixels of the working image (at most WORK_SIZE a side);
"sigma" is the pixel noise that noise() measures.
"""
import collections

import numpy
from PIL import Image

from digitgan.ink.ink_parts import digit_mask, min_part_size
from digitgan.ink.preprocess import NoDigit

WORK_SIZE = 1024      # photos are shrunk (area averaging) to at most this many pixels a side
SMOOTH_RADIUS = 1     # 3 x 3 box mean: single-pixel noise does not decide polarity or cores
MAJORITY = 0.5        # a pixel of a smoothed mask is in when most of its window is
MAD_TO_SIGMA = 1.4826  # median absolute deviation -> standard deviation of Gaussian noise
PAPER_PERCENTILE = 30  # paper level of a block: dark enough to skip ink, bright enough for noise
# Paper: within PAPER_SIGMAS noise deviations (plus PAPER_MARGIN for texture) of its level.
PAPER_SIGMAS = 3
PAPER_MARGIN = 0.02
INK_GUESS_PERCENTILE = 99.95  # first guess of the ink level: specks too small to reach it
MIN_CONTRAST = 0.04   # ink fainter than this (or than NOISE_SIGMAS) is no digit
NOISE_SIGMAS = 4      # ink stands at least this many noise deviations above the paper
LOW_FRACTION = 0.08   # ...and above this fraction of the ink level: the faint edge kept
CORE_FRACTION = 0.45  # above this fraction of the ink level: the stroke's certain core
EDGE_FRACTION = 0.015  # soft stroke edges kept around the core: this fraction of the digit size
MIN_EDGE_PIXELS = 2
INK_PERCENTILE = 90   # the digit's own ink level, from its core: strong, not a lone highlight
BLOCKS_PER_STROKE = 2  # local paper level from blocks half a stroke wide
OPENING_STROKES = 3.5  # radius of the grey opening, in strokes: 7 strokes wide removes strokes
BACKGROUND_GRID = 8   # blocks a side of the smooth paper fit...
MIN_BLOCK_PIXELS = 8  # ...each at least this many pixels a side
MIN_GRID = 3          # fewer blocks a side than this: one paper level for the whole image
FIT_ROUNDS = 5        # rounds of the robust quadratic fit, each dropping outlying blocks
MIN_RESIDUAL = 0.005  # floor of the residual scale: a perfectly even paper is no outlier
OUTLIER_SCALES = 2.5  # blocks this many residual scales above the fit are ink, not paper
MIN_BLOCKS_PER_TERM = 2  # fewer inliers than this per fitted term: fall back to one level
MNIST_STROKE = 0.1    # MNIST strokes are about a tenth of the digit's size
THIN_STROKE = 0.07    # strokes thinner than this fraction of the size are thickened

# What find_digit finds: the paper-subtracted image (paper at 0), the noise threshold below
# which a pixel is paper, the mask of the digit's certain core, the digit's size in pixels.
Found = collections.namedtuple('Found', ['image', 'low', 'core', 'size'])


def to_ink(gray):
    """Photo, scan or drawing (2-D, [0, 1]) -> ink high in [0, 1], background exactly 0."""
    x = shrink(numpy.asarray(gray, numpy.float32), WORK_SIZE)
    border = numpy.concatenate([x[0], x[-1], x[:, 0], x[:, -1]])
    level = numpy.median(border)
    smooth = box_mean(x, SMOOTH_RADIUS)
    if level - smooth.min() > smooth.max() - level:     # dark ink on light paper
        x = 1 - x
    # First against a smooth paper surface (gradients, vignetting), then, knowing the stroke
    # width, against the local paper level (sharp shadows, table edges, large stains).
    found = find_digit(x - background(x))
    stroke = stroke_width(box_mean(found.core, SMOOTH_RADIUS) > MAJORITY)
    try:
        found = find_digit(x - local_background(x, stroke))
    except NoDigit:
        pass
    keep = dilate(found.core, max(MIN_EDGE_PIXELS, round(EDGE_FRACTION * found.size)))
    ink = numpy.percentile(found.image[found.core], INK_PERCENTILE)
    v = numpy.clip((found.image - found.low) / (ink - found.low), 0, 1) * keep
    return thicken(v, found.size)


def find_digit(r):
    """Paper-subtracted ink-high image -> Found, or NoDigit."""
    sigma = noise(r)
    paper = PAPER_SIGMAS * sigma + PAPER_MARGIN
    r = r - numpy.median(r[numpy.abs(r) < paper])     # paper at 0 even if ink is most
    smooth = box_mean(r, SMOOTH_RADIUS)
    if not (smooth > paper).any():
        raise NoDigit('no digit found')
    ink = numpy.percentile(smooth, INK_GUESS_PERCENTILE)
    if ink < max(MIN_CONTRAST, NOISE_SIGMAS * sigma):
        raise NoDigit('no digit found (too little contrast)')
    low = max(NOISE_SIGMAS * sigma, LOW_FRACTION * ink)
    core, size = digit_mask(r > max(low, CORE_FRACTION * ink), r)
    if size < min_part_size(r.shape):
        raise NoDigit('no digit found (only specks)')
    return Found(r, low, core, size)


# ---- helpers of to_ink ---------------------------------------------------------------

def shrink(x, limit):
    """Area-average `x` down so that its longer side is at most `limit`."""
    h, w = x.shape
    if max(h, w) <= limit:
        return x
    scale = limit / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return numpy.asarray(Image.fromarray(numpy.ascontiguousarray(x)).resize(size, Image.BOX),
                         numpy.float32)


def mad(a):
    """Robust standard deviation: 1.4826 x median absolute deviation."""
    return MAD_TO_SIGMA * float(numpy.median(numpy.abs(a - numpy.median(a))))


def noise(a):
    """Standard deviation of pixel noise, from differences of pixels two apart (robust to
    edges, which are few, and to ink covering most of the image)."""
    differences = numpy.concatenate([(a[:, 2:] - a[:, :-2]).ravel(),
                                     (a[2:] - a[:-2]).ravel()])
    if not differences.size:
        return 0.0
    return MAD_TO_SIGMA * float(numpy.median(numpy.abs(differences))) / numpy.sqrt(2)


def box_sum(a, radius):
    """Sum over the (2r+1)^2 window around each pixel (zero outside), by integral image."""
    k = 2 * radius + 1
    padded = numpy.pad(a.astype(numpy.float64), radius + 1)[:-1, :-1]
    s = padded.cumsum(0).cumsum(1)
    return s[k:, k:] - s[:-k, k:] - s[k:, :-k] + s[:-k, :-k]


def box_mean(a, radius):
    return (box_sum(a, radius) / box_sum(numpy.ones_like(a), radius)).astype(numpy.float32)


def dilate(mask, radius):
    return box_sum(mask, radius) > 0.5


def local_background(x, stroke):
    """Local paper level of ink-high `x`: a grey opening about 7 strokes wide (which removes
    the strokes and keeps steps such as a shadow's edge), computed on the 30th percentiles
    of blocks half a stroke wide; then each pixel takes the highest level within a block,
    so that no sliver of a step is left over to look like a stroke."""
    b = max(1, int(stroke // BLOCKS_PER_STROKE))
    h, w = x.shape
    gh, gw = -(-h // b), -(-w // b)
    blocks = numpy.pad(x, ((0, gh * b - h), (0, gw * b - w)), mode='edge')
    low = numpy.percentile(blocks.reshape(gh, b, gw, b), PAPER_PERCENTILE,
                           axis=(1, 3)).astype(numpy.float32)
    radius = int(numpy.ceil(OPENING_STROKES * stroke / b))
    opened = grey_filter(grey_filter(low, radius, numpy.minimum), radius, numpy.maximum)
    level = numpy.repeat(numpy.repeat(opened, b, axis=0), b, axis=1)[:h, :w]
    return grey_filter(level, b, numpy.maximum)


def grey_filter(a, radius, op):
    """Square min or max filter (op = numpy.minimum / maximum), edges repeated."""
    for axis in (0, 1):
        padded = numpy.pad(a, [(radius, radius) if i == axis else (0, 0) for i in (0, 1)],
                           mode='edge')
        n = a.shape[axis]
        a = padded.take(numpy.arange(n), axis=axis)
        for k in range(1, 2 * radius + 1):
            op(a, padded.take(numpy.arange(k, k + n), axis=axis), out=a)
    return a


def stroke_width(mask):
    """Typical stroke width of a mask: twice its area over its number of edge pixels."""
    area = mask.sum()
    inside = mask[1:-1, 1:-1] & mask[:-2, 1:-1] & mask[2:, 1:-1] & mask[1:-1, :-2] & \
        mask[1:-1, 2:]
    return 2.0 * area / max(area - inside.sum(), 1)


def background(x, grid=BACKGROUND_GRID):
    """Smooth paper level of ink-high `x`: a quadratic surface fitted robustly to the
    30th percentile of each block of a grid x grid tiling (ink-heavy blocks rejected)."""
    h, w = x.shape
    gy, gx = min(grid, h // MIN_BLOCK_PIXELS), min(grid, w // MIN_BLOCK_PIXELS)
    if gy < MIN_GRID or gx < MIN_GRID:
        return numpy.float32(numpy.percentile(x, PAPER_PERCENTILE))
    ys, xs = numpy.linspace(0, h, gy + 1).astype(int), numpy.linspace(0, w, gx + 1).astype(int)
    values, centres = [], []
    for i in range(gy):
        for j in range(gx):
            values.append(numpy.percentile(x[ys[i]:ys[i + 1], xs[j]:xs[j + 1]],
                                           PAPER_PERCENTILE))
            centres.append(((ys[i] + ys[i + 1]) / h - 1, (xs[j] + xs[j + 1]) / w - 1))
    values, (v, u) = numpy.array(values), numpy.array(centres).T

    def terms(v, u):
        return [numpy.ones_like(v * u), u, v, u * u, u * v, v * v]
    design = numpy.stack(terms(v, u), axis=1)
    inliers = values <= numpy.median(values)
    for _ in range(FIT_ROUNDS):
        coef = numpy.linalg.lstsq(design[inliers], values[inliers], rcond=None)[0]
        residual = values - design @ coef
        scale = max(mad(residual[inliers]), MIN_RESIDUAL)
        inliers = residual < OUTLIER_SCALES * scale
        if inliers.sum() < MIN_BLOCKS_PER_TERM * design.shape[1]:
            return numpy.float32(numpy.percentile(x, PAPER_PERCENTILE))
    v = (numpy.arange(h) + 0.5)[:, None] / h * 2 - 1
    u = (numpy.arange(w) + 0.5)[None, :] / w * 2 - 1
    return sum(c * t for c, t in zip(coef, terms(v, u))).astype(numpy.float32)


def thicken(v, size):
    """Grey-dilate strokes far thinner than MNIST's (about a tenth of the digit's size),
    as from a fine pen on a large canvas: the recogniser only knows MNIST's strokes."""
    width = stroke_width(box_mean(v, SMOOTH_RADIUS) > MAJORITY)   # noise makes edges ragged
    radius = int(round((MNIST_STROKE * size - width) / 2))
    if width >= THIN_STROKE * size or radius < 1:
        return v
    return grey_filter(v, radius, numpy.maximum)
