"""Which connected parts of a picture's ink make up the digit (photo_ink.to_ink uses it):
8-connected components, then the heaviest part that is no speck, no frame drawn around the
digit and not cut by the image border, and every part near it.

    labels, boxes = components(mask)        # labels image; per label ymin, ymax, xmin, xmax
    mask, size = digit_mask(core, weight)   # the digit's parts; its size in pixels

digit_mask compares the parts as whole arrays, so thousands of them take seconds, not hours.
"""
import numpy

MIN_PART_PIXELS = 2   # a part smaller than this many pixels, or than MIN_PART_FRACTION of
MIN_PART_FRACTION = 0.02   # the image's shorter side, is a speck
FRAME_CONTENT = 0.2   # a part boxing in another part at least this fraction of its size frames it
MIN_PART_MASS = 0.05  # parts lighter than this fraction of the main part are stray marks
MAX_GAP = 0.3         # parts nearer than this fraction of the digit's size belong to it
FRAME_BLOCK = 256     # frames_among compares this many parts with the others at a time


def min_part_size(shape):
    return max(MIN_PART_PIXELS, MIN_PART_FRACTION * min(shape))


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
    inner = ids[~border[1:] & (size[1:] >= min_part_size((h, w)))]
    is_frame = numpy.zeros(len(boxes), bool)
    is_frame[frames_among(inner, boxes, size)] = True
    inner = inner[~is_frame[inner]]
    pool = inner if len(inner) else ids
    seed = pool[numpy.argmax(mass[pool])]
    candidates = ids[~is_frame[ids] & ~(mass[ids] < MIN_PART_MASS * mass[seed])]
    # Grow from the seed until no part is near: a part near the digit stays near as the
    # digit grows, so adding all near parts at once ends where adding them one by one does.
    kept = numpy.zeros(len(boxes), bool)
    kept[seed] = True
    box = boxes[seed].copy()
    while True:
        extent = max(box[1] - box[0], box[3] - box[2]) + 1
        c = candidates[~kept[candidates]]
        gap = numpy.max([box[0] - boxes[c, 1], boxes[c, 0] - box[1],
                         box[2] - boxes[c, 3], boxes[c, 2] - box[3]], axis=0)
        near = (gap <= MAX_GAP * extent) & ~(border[c] & (size[c] > extent))
        if not near.any():
            return kept[labels], extent
        kept[c[near]] = True
        box = numpy.array([boxes[kept, 0].min(), boxes[kept, 1].max(),
                           boxes[kept, 2].min(), boxes[kept, 3].max()])


def frames_among(parts, boxes, size):
    """The parts (component ids) that box in another of `parts` at least FRAME_CONTENT of
    their size: a box drawn around the digit. Parts are sorted by their top row, so each
    block of them is compared only with the parts that start within its rows."""
    ordered = parts[numpy.argsort(boxes[parts, 0], kind='stable')]
    b, s = boxes[ordered], size[ordered]
    tops = b[:, 0]
    framing = numpy.zeros(len(ordered), bool)
    for start in range(0, len(ordered), FRAME_BLOCK):
        i = slice(start, start + FRAME_BLOCK)
        first = numpy.searchsorted(tops, b[i, 0].min(), 'right')
        j = slice(first, max(first, numpy.searchsorted(tops, b[i, 1].max(), 'left')))
        inside = (s[None, j] >= FRAME_CONTENT * s[i, None]) & \
            (b[None, j, 0] > b[i, None, 0]) & (b[None, j, 1] < b[i, None, 1]) & \
            (b[None, j, 2] > b[i, None, 2]) & (b[None, j, 3] < b[i, None, 3])
        framing[i] = inside.any(axis=1)
    return numpy.sort(ordered[framing])
