"""A picture of one digit, from a file, as an ink image for preprocess.mnist_style (the SPEC):
numpy and Pillow only; recognize.py uses it.

    gray = read_gray(path)      # any image Pillow reads -> 2-D float32 in [0, 1]
    ink = to_ink(gray)          # photos, scans, drawings -> ink high, background 0
    x = prepare(path)           # both, then mnist_style: the recogniser's (28, 28) input

They handle EXIF orientation, transparency, polarity (dark ink on light paper or light on
dark), uneven lighting, paper texture, specks and stray marks, and strokes far thinner than
MNIST's.
"""
import numpy
from PIL import Image, ImageOps

from digitgan.preprocess import NoDigit, mnist_style

WORK_SIZE = 1024      # photos are shrunk (area averaging) to at most this many pixels a side


def read_gray(path):
    """Luminance in [0, 1] of the image in `path`, upright, transparency flattened.

    Raises OSError (PIL.UnidentifiedImageError included) when Pillow cannot read it."""
    with Image.open(path) as image:
        if max(image.size) > 2 * WORK_SIZE:
            image.draft('L', (2 * WORK_SIZE, 2 * WORK_SIZE))   # JPEG: decode smaller, faster
        image = ImageOps.exif_transpose(image)
        image.load()
    if image.mode.startswith('I') or image.mode == 'F':   # 16/32-bit grayscale
        gray = numpy.asarray(image, numpy.float64)
        return (gray / (65535.0 if gray.max() > 255 else 255.0)).clip(0, 1).astype('f')
    if 'A' in image.mode or 'transparency' in image.info:
        rgba = numpy.asarray(image.convert('RGBA'), numpy.float32) / 255
        alpha = rgba[..., 3]
        gray = rgba[..., :3] @ numpy.float32([0.299, 0.587, 0.114])
        # Strokes on a transparent canvas: flatten onto the opposite of their own colour.
        opaque = alpha > 0.5
        under = 0.0 if opaque.any() and alpha.min() < 0.5 and gray[opaque].mean() > 0.5 \
            else 1.0
        return (alpha * gray + (1 - alpha) * under).astype('f')
    return numpy.asarray(image.convert('L'), numpy.float32) / 255


def to_ink(gray):
    """Photo, scan or drawing (2-D, [0, 1]) -> ink high in [0, 1], background exactly 0."""
    x = shrink(numpy.asarray(gray, numpy.float32), WORK_SIZE)
    border = numpy.concatenate([x[0], x[-1], x[:, 0], x[:, -1]])
    level = numpy.median(border)
    smooth = box_mean(x, 1)
    if level - smooth.min() > smooth.max() - level:     # dark ink on light paper
        x = 1 - x
    # First against a smooth paper surface (gradients, vignetting), then, knowing the stroke
    # width, against the local paper level (sharp shadows, table edges, large stains).
    r, low, kept, size = find_digit(x - background(x))
    stroke = stroke_width(box_mean(kept, 1) > 0.5)
    try:
        r, low, kept, size = find_digit(x - local_background(x, stroke))
    except NoDigit:
        pass
    keep = dilate(kept, max(2, round(0.015 * size)))  # the soft edges around the core
    ink = numpy.percentile(r[kept], 90)                 # the digit's own ink level
    v = numpy.clip((r - low) / (ink - low), 0, 1) * keep
    return thicken(v, size)


def find_digit(r):
    """Paper-subtracted ink-high image -> (r with paper at 0, noise threshold, the digit's
    core mask, the digit's size in pixels), or NoDigit."""
    sigma = noise(r)
    r = r - numpy.median(r[numpy.abs(r) < 3 * sigma + 0.02])   # paper at 0 even if ink is most
    smooth = box_mean(r, 1)
    if not (smooth > 3 * sigma + 0.02).any():
        raise NoDigit('no digit found')
    ink = numpy.percentile(smooth, 99.95)   # first guess: lines, texture fainter, specks tiny
    if ink < max(0.04, 4 * sigma):
        raise NoDigit('no digit found (too little contrast)')
    low = max(4 * sigma, 0.08 * ink)
    kept, size = digit_mask(r > max(low, 0.45 * ink), r)
    if size < max(2, 0.02 * min(r.shape)):
        raise NoDigit('no digit found (only specks)')
    return r, low, kept, size


def prepare(path):
    """A file -> the recogniser's (28, 28) input."""
    return mnist_style(to_ink(read_gray(path)))


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
    return 1.4826 * float(numpy.median(numpy.abs(a - numpy.median(a))))


def noise(a):
    """Standard deviation of pixel noise, from differences of pixels two apart (robust to
    edges, which are few, and to ink covering most of the image)."""
    differences = numpy.concatenate([(a[:, 2:] - a[:, :-2]).ravel(),
                                     (a[2:] - a[:-2]).ravel()])
    if not differences.size:
        return 0.0
    return 1.4826 * float(numpy.median(numpy.abs(differences))) / numpy.sqrt(2)


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
    b = max(1, int(stroke // 2))
    h, w = x.shape
    gh, gw = -(-h // b), -(-w // b)
    blocks = numpy.pad(x, ((0, gh * b - h), (0, gw * b - w)), mode='edge')
    low = numpy.percentile(blocks.reshape(gh, b, gw, b), 30, axis=(1, 3)).astype(numpy.float32)
    radius = int(numpy.ceil(3.5 * stroke / b))
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


def background(x, grid=8):
    """Smooth paper level of ink-high `x`: a quadratic surface fitted robustly to the
    30th percentile of each block of a grid x grid tiling (ink-heavy blocks rejected)."""
    h, w = x.shape
    gy, gx = min(grid, h // 8), min(grid, w // 8)
    if gy < 3 or gx < 3:
        return numpy.float32(numpy.percentile(x, 30))
    ys, xs = numpy.linspace(0, h, gy + 1).astype(int), numpy.linspace(0, w, gx + 1).astype(int)
    values, centres = [], []
    for i in range(gy):
        for j in range(gx):
            values.append(numpy.percentile(x[ys[i]:ys[i + 1], xs[j]:xs[j + 1]], 30))
            centres.append(((ys[i] + ys[i + 1]) / h - 1, (xs[j] + xs[j + 1]) / w - 1))
    values, (v, u) = numpy.array(values), numpy.array(centres).T

    def terms(v, u):
        return [numpy.ones_like(v * u), u, v, u * u, u * v, v * v]
    design = numpy.stack(terms(v, u), axis=1)
    inliers = values <= numpy.median(values)
    for _ in range(5):
        coef = numpy.linalg.lstsq(design[inliers], values[inliers], rcond=None)[0]
        residual = values - design @ coef
        scale = max(mad(residual[inliers]), 0.005)
        inliers = residual < 2.5 * scale
        if inliers.sum() < 2 * design.shape[1]:
            return numpy.float32(numpy.percentile(x, 30))
    v = (numpy.arange(h) + 0.5)[:, None] / h * 2 - 1
    u = (numpy.arange(w) + 0.5)[None, :] / w * 2 - 1
    return sum(c * t for c, t in zip(coef, terms(v, u))).astype(numpy.float32)


def components(mask):
    """8-connected components of a boolean image, by union-find over row runs.
    Returns (labels image with 0 = background, 1..n; per label: ymin, ymax, xmin, xmax)."""
    h, w = mask.shape
    padded = numpy.zeros((h, w + 2), numpy.int8)
    padded[:, 1:-1] = mask
    step = numpy.diff(padded, axis=1)
    ys, starts = numpy.nonzero(step == 1)
    ends = numpy.nonzero(step == -1)[1]              # exclusive; same row-major order
    first = numpy.searchsorted(ys, numpy.arange(h + 1)).tolist()
    s, e = starts.tolist(), ends.tolist()
    parent = list(range(len(s)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    for y in range(1, h):
        i, i_end, j, j_end = first[y - 1], first[y], first[y], first[y + 1]
        while i < i_end and j < j_end:
            if s[i] <= e[j] and s[j] <= e[i]:       # touching, diagonals included
                parent[find(i)] = find(j)
            if e[i] < e[j]:
                i += 1
            elif e[j] < e[i]:
                j += 1
            else:
                i, j = i + 1, j + 1
    roots = numpy.array([find(i) for i in range(len(s))], numpy.int64)
    _, run_label = numpy.unique(roots, return_inverse=True)
    run_label = run_label + 1
    n = int(run_label.max()) if len(run_label) else 0
    delta = numpy.zeros(h * w + 1, numpy.int64)
    numpy.add.at(delta, ys * w + starts, run_label)
    numpy.add.at(delta, ys * w + ends, -run_label)
    labels = delta[:-1].cumsum().reshape(h, w)
    boxes = numpy.array([[h, -1, w, -1]] * (n + 1))
    numpy.minimum.at(boxes[:, 0], run_label, ys)
    numpy.maximum.at(boxes[:, 1], run_label, ys)
    numpy.minimum.at(boxes[:, 2], run_label, starts)
    numpy.maximum.at(boxes[:, 3], run_label, ends - 1)
    return labels, boxes


def digit_mask(core, weight):
    """Which core components make up the digit: the heaviest one that is no speck and does
    not touch the image border (a photo's table or paper edge does), then every part that
    is near it and not tiny. Returns (mask, longer side of the digit's bounding box)."""
    labels, boxes = components(core)
    if len(boxes) == 1:
        return core, 0
    h, w = core.shape
    mass = numpy.bincount(labels.ravel(), weights=weight.ravel(), minlength=len(boxes))
    size = numpy.maximum(boxes[:, 1] - boxes[:, 0], boxes[:, 3] - boxes[:, 2]) + 1
    border = (boxes[:, 0] == 0) | (boxes[:, 1] == h - 1) | (boxes[:, 2] == 0) | \
        (boxes[:, 3] == w - 1)
    ids = numpy.arange(1, len(boxes))
    inner = ids[~border[1:] & (size[1:] >= max(2, 0.02 * min(h, w)))]
    frames = [i for i in inner if any(      # a box drawn around the digit
        j != i and size[j] >= 0.2 * size[i] and boxes[j, 0] > boxes[i, 0] and
        boxes[j, 1] < boxes[i, 1] and boxes[j, 2] > boxes[i, 2] and boxes[j, 3] < boxes[i, 3]
        for j in inner)]
    inner = [i for i in inner if i not in frames]
    pool = numpy.array(inner if len(inner) else ids)
    seed = pool[numpy.argmax(mass[pool])]
    kept, box = {seed}, boxes[seed].copy()
    changed = True
    while changed:
        changed = False
        extent = max(box[1] - box[0], box[3] - box[2]) + 1
        for i in ids:
            if i in kept or i in frames or mass[i] < 0.05 * mass[seed] or \
                    border[i] and size[i] > extent:
                continue
            gap = max(box[0] - boxes[i, 1], boxes[i, 0] - box[1],
                      box[2] - boxes[i, 3], boxes[i, 2] - box[3])
            if gap <= 0.3 * extent:
                kept.add(i)
                box = numpy.array([min(box[0], boxes[i, 0]), max(box[1], boxes[i, 1]),
                                   min(box[2], boxes[i, 2]), max(box[3], boxes[i, 3])])
                changed = True
    extent = max(box[1] - box[0], box[3] - box[2]) + 1
    return numpy.isin(labels, sorted(kept)), extent


def thicken(v, size):
    """Grey-dilate strokes far thinner than MNIST's (about a tenth of the digit's size),
    as from a fine pen on a large canvas: the recogniser only knows MNIST's strokes."""
    width = stroke_width(box_mean(v, 1) > 0.5)     # smoothed: noise makes edges ragged
    radius = int(round((0.1 * size - width) / 2))
    if width >= 0.07 * size or radius < 1:
        return v
    return grey_filter(v, radius, numpy.maximum)
