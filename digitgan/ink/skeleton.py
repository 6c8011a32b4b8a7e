"""A digit image's pen strokes: its skeleton (one pixel wide) traced into polylines.

    strokes = trace(image)      # [array (n, 2) of (x, y) pixel centres, ...]

The skeleton is a graph of pixels; a stroke runs from an end or a junction to the next end
or junction, and a closed loop with neither is one stroke round it. Diagonal steps are
links only where no two straight steps join the same pixels, so a corner is not a triangle.
"""
import numpy
from skimage.morphology import skeletonize

STRAIGHT = [(-1, 0), (1, 0), (0, -1), (0, 1)]
DIAGONAL = [(-1, -1), (-1, 1), (1, -1), (1, 1)]


def neighbours(mask):
    """{(row, col): [linked (row, col), ...]} for the True pixels of mask."""
    h, w = mask.shape
    on = lambda r, c: 0 <= r < h and 0 <= c < w and mask[r, c]  # noqa: E731
    links = {}
    for r, c in zip(*numpy.nonzero(mask)):
        r, c = int(r), int(c)
        near = [(r + dr, c + dc) for dr, dc in STRAIGHT if on(r + dr, c + dc)]
        near += [(r + dr, c + dc) for dr, dc in DIAGONAL
                 if on(r + dr, c + dc) and not on(r + dr, c) and not on(r, c + dc)]
        links[(r, c)] = near
    return links


def trace(image, threshold=0.35, shortest=2):
    """Strokes of a (H, W) image with ink high: a list of (n, 2) float arrays of (x, y)
    pixel coordinates. Strokes of fewer than `shortest` pixels are dropped unless the
    skeleton has nothing else (a dot)."""
    links = neighbours(skeletonize(numpy.asarray(image) > threshold))
    used = set()

    def walk(start, step):
        path = [start]
        previous, current = start, step
        while True:
            used.add(frozenset((previous, current)))
            path.append(current)
            if len(links[current]) != 2:        # an end or a junction
                break
            ahead = [p for p in links[current]
                     if p != previous and frozenset((current, p)) not in used]
            if not ahead:
                break
            previous, current = current, ahead[0]
        return path

    strokes = []
    # ends first, then junctions, then what is left (loops with neither)
    order = sorted(links, key=lambda p: {1: 0, 2: 2}.get(len(links[p]), 1))
    for start in order:
        for step in links[start]:
            if frozenset((start, step)) not in used:
                strokes.append(walk(start, step))
    strokes += [[p] for p in links if not links[p]]                  # lone pixels
    as_xy = [numpy.array([(c, r) for r, c in path], numpy.float64) for path in strokes]
    long_enough = [s for s in as_xy if len(s) >= shortest]
    return long_enough or as_xy
