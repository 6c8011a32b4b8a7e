"""Channels-last memory for Chainer's (N, C, H, W) arrays, and im2col/col2im over it (see
the package's note)."""
import numpy
from numpy.lib.stride_tricks import as_strided


def pair(value):
    return (value, value) if numpy.isscalar(value) else tuple(value)


def channels_last(x):
    """(N, C, H, W) -> a C-contiguous (N, H, W, C) array; free when `x` already has
    channels-last memory (the outputs of this module do)."""
    return numpy.ascontiguousarray(x.transpose(0, 2, 3, 1))


def as_channels_first(x_nhwc):
    """A (N, H, W, C) array seen as (N, C, H, W): a view, no copy."""
    return x_nhwc.transpose(0, 3, 1, 2)


def _windows(out_size, in_size, k, s, p):
    """For each kernel offset i: the output range [lo, hi) whose input rows s*o + i - p
    fall inside the image (0 <= row < in_size), and the first such input row."""
    ranges = []
    for i in range(k):
        lo = max(0, -((i - p) // s))
        hi = min(out_size, (in_size - 1 - i + p) // s + 1)
        ranges.append((lo, max(lo, hi), s * lo + i - p))
    return ranges


def im2col(x_nhwc, kh, kw, sy, sx, ph, pw, out_h, out_w):
    """(N, H, W, C) -> columns (N*out_h*out_w, kh*kw*C), rows in (n, y, x) order and
    columns in (ky, kx, c) order; zero where the window reaches into the padding."""
    n, h, w, c = x_nhwc.shape
    col = numpy.empty((n, out_h, out_w, kh, kw, c), dtype=x_nhwc.dtype)
    if ph == 0 and pw == 0 and (out_h - 1) * sy + kh <= h and (out_w - 1) * sx + kw <= w:
        sn, sh, sw, sc = x_nhwc.strides
        view = as_strided(x_nhwc, (n, out_h, out_w, kh, kw, c),
                          (sn, sy * sh, sx * sw, sh, sw, sc))
        numpy.copyto(col, view)
        return col.reshape(n * out_h * out_w, kh * kw * c)
    rows, cols = _windows(out_h, h, kh, sy, ph), _windows(out_w, w, kw, sx, pw)

    col[...] = 0
    for ky, (y0, y1, iy) in enumerate(rows):
        for kx, (x0, x1, ix) in enumerate(cols):
            if y1 > y0 and x1 > x0:
                col[:, y0:y1, x0:x1, ky, kx, :] = x_nhwc[
                    :, iy:iy + sy * (y1 - y0 - 1) + 1:sy, ix:ix + sx * (x1 - x0 - 1) + 1:sx, :]
    return col.reshape(n * out_h * out_w, kh * kw * c)


def col2im(col, n, h, w, c, kh, kw, sy, sx, ph, pw, out_h, out_w):
    """The adjoint of im2col: columns (N*out_h*out_w, kh*kw*C) summed back into a
    C-contiguous (N, H, W, C) image. Each stride phase of the image (the pixels with
    y % sy == ry and x % sx == rx) is first *written* by a kernel offset that covers it
    whole, where there is one, and the other offsets are added: no zero fill, a quarter
    fewer read-modify-write passes for 4x4 kernels of stride 2."""
    col = col.reshape(n, out_h, out_w, kh, kw, c)
    image = numpy.empty((n, h, w, c), dtype=col.dtype)
    rows, cols = _windows(out_h, h, kh, sy, ph), _windows(out_w, w, kw, sx, pw)

    def covers(window, size, stride):       # covers all of its phase's pixels?
        lo, hi, first = window
        return hi > lo and first < stride and hi - lo == len(range(first, size, stride))

    def target(ky, kx):
        (y0, y1, iy), (x0, x1, ix) = rows[ky], cols[kx]
        return (slice(iy, iy + sy * (y1 - y0 - 1) + 1, sy),
                slice(ix, ix + sx * (x1 - x0 - 1) + 1, sx))

    def source(ky, kx):
        (y0, y1, _), (x0, x1, _) = rows[ky], cols[kx]
        return (slice(y0, y1), slice(x0, x1), ky, kx)

    first, zeroed = [], []
    for ry in range(sy):
        for rx in range(sx):
            full = [(ky, kx) for ky in range(kh) if covers(rows[ky], h, sy) and rows[ky][2] == ry
                    for kx in range(kw) if covers(cols[kx], w, sx) and cols[kx][2] == rx]
            (first.append(full[0]) if full else zeroed.append((ry, rx)))
    rest = [(ky, kx) for ky in range(kh) for kx in range(kw) if (ky, kx) not in first
            and rows[ky][1] > rows[ky][0] and cols[kx][1] > cols[kx][0]]

    for ry, rx in zeroed:
        image[:, ry::sy, rx::sx, :] = 0
    for ky, kx in first:
        image[(slice(None),) + target(ky, kx)] = col[(slice(None),) + source(ky, kx)]
    for ky, kx in rest:
        image[(slice(None),) + target(ky, kx)] += col[(slice(None),) + source(ky, kx)]
    return image
