"""Faster CPU arithmetic for Chainer's convolution, deconvolution and leaky ReLU.

Design note
-----------
Chainer's CPU convolution keeps images channels-first (N, C, H, W): its im2col writes
(N, C, kh, kw, H', W') columns, the product is a `tensordot` whose result must be transposed
back into (N, C', H', W') with a copy, and col2im adds per-pixel rows. Measured on the GAN
step (bench/train_bench.py --profile), those copies, not the products, were most of the time.

Here the same operations keep their data *channels-last in memory* while Chainer still sees
the usual (N, C, H, W) shape: an array of shape (N, C, H, W) whose strides are those of an
(N, H, W, C) array. Then
  * im2col is one copy of an `as_strided` window view into (N*H'*W', kh*kw*C) rows,
  * every product is one BLAS call on contiguous (or plainly transposed) 2-D arrays, and
    its (N*H'*W', C') result *is* the (N, C', H', W') output, with no copy after it,
  * col2im is kh*kw strided adds of contiguous C-vectors.
NumPy's element-wise functions keep the memory order of their input, so BatchNorm, ReLU,
sigmoid and the adds between layers pass the layout on without knowing it; a `reshape` to
(N, -1) (before a Linear) copies into Chainer's order, as it must.

Each operation is a `chainer.FunctionNode` whose backward is written with the others
(the gradient of a convolution is a deconvolution and vice versa), as Chainer's own are, so
double back-propagation works. The column matrix of a forward convolution is kept for its
weight gradient instead of being rebuilt.

`enable()` routes `F.convolution_2d`, `F.deconvolution_2d` and `F.leaky_relu` (and the links
that call them) here for NumPy float32 arrays of the supported kinds (groups 1, dilation 1,
no cover_all); anything else, CuPy arrays included, goes to Chainer's own functions
unchanged. `disable()` restores them. The trainers call `enable()` on the CPU unless
DIGITGAN_CPU_KERNELS=0 is set (documented in the README), so that the bench can show both.

Exactness: the same sums as Chainer's in another order (float32 round-off, ~1e-6 relative);
tests/test_cpu_kernels.py checks values and gradients against Chainer's functions for every
layer shape of the project's networks.
"""
import concurrent.futures
import ctypes
import ctypes.util
import os

import chainer
from chainer import function_node
import chainer.functions
from chainer.functions.activation import leaky_relu as chainer_leaky_relu_module
from chainer.functions.connection import convolution_2d as chainer_conv_module
from chainer.functions.connection import deconvolution_2d as chainer_deconv_module
from chainer.utils import type_check
import numpy
from numpy.lib.stride_tricks import as_strided

ENVIRONMENT_SWITCH = 'DIGITGAN_CPU_KERNELS'   # '0' turns the kernels off
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3     # mallopt() parameters, glibc's malloc.h
_KEEP_BYTES = 512 * 1024 * 1024 // 2               # largest block kept (mallopt's int)


def _pair(value):
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


def threads():
    """Threads for this module's own loops: OMP_NUM_THREADS when set (NumPy's BLAS reads
    the same variable), else the CPUs this process may run on."""
    try:
        return max(1, int(os.environ['OMP_NUM_THREADS']))
    except (KeyError, ValueError):
        return len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') \
            else os.cpu_count() or 1


_pool = None


def in_parallel(work, n, min_items=2):
    """work(lo, hi) over slices of range(n), one per thread. NumPy releases the GIL in its
    copy and arithmetic loops, so the slices run on all cores at once."""
    global _pool
    count = min(threads(), n // max(1, min_items) or 1)
    if count <= 1:
        work(0, n)
        return
    if _pool is None or _pool._max_workers < count - 1:
        _pool = concurrent.futures.ThreadPoolExecutor(count - 1,
                                                      thread_name_prefix='cpu_kernels')
    bounds = [n * i // count for i in range(count + 1)]
    futures = [_pool.submit(work, bounds[i], bounds[i + 1]) for i in range(1, count)]
    work(bounds[0], bounds[1])
    for future in futures:
        future.result()


def elementwise(function, out, *arrays):
    """function(*slices, out=out slice) over batch slices in parallel; returns out."""
    def work(lo, hi):
        function(*(a[lo:hi] for a in arrays), out=out[lo:hi])
    in_parallel(work, len(out))
    return out


def im2col(x_nhwc, kh, kw, sy, sx, ph, pw, out_h, out_w):
    """(N, H, W, C) -> columns (N*out_h*out_w, kh*kw*C), rows in (n, y, x) order and
    columns in (ky, kx, c) order; zero where the window reaches into the padding."""
    n, h, w, c = x_nhwc.shape
    col = numpy.empty((n, out_h, out_w, kh, kw, c), dtype=x_nhwc.dtype)
    if ph == 0 and pw == 0 and (out_h - 1) * sy + kh <= h and (out_w - 1) * sx + kw <= w:
        sn, sh, sw, sc = x_nhwc.strides
        view = as_strided(x_nhwc, (n, out_h, out_w, kh, kw, c),
                          (sn, sy * sh, sx * sw, sh, sw, sc))
        in_parallel(lambda lo, hi: numpy.copyto(col[lo:hi], view[lo:hi]), n)
        return col.reshape(n * out_h * out_w, kh * kw * c)
    rows, cols = _windows(out_h, h, kh, sy, ph), _windows(out_w, w, kw, sx, pw)

    def work(lo, hi):
        col[lo:hi] = 0
        for ky, (y0, y1, iy) in enumerate(rows):
            for kx, (x0, x1, ix) in enumerate(cols):
                if y1 > y0 and x1 > x0:
                    col[lo:hi, y0:y1, x0:x1, ky, kx, :] = x_nhwc[
                        lo:hi, iy:iy + sy * (y1 - y0 - 1) + 1:sy,
                        ix:ix + sx * (x1 - x0 - 1) + 1:sx, :]
    in_parallel(work, n)
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

    def work(lo, hi):
        part, columns = image[lo:hi], col[lo:hi]
        for ry, rx in zeroed:
            part[:, ry::sy, rx::sx, :] = 0
        for ky, kx in first:
            part[(slice(None),) + target(ky, kx)] = columns[(slice(None),) + source(ky, kx)]
        for ky, kx in rest:
            part[(slice(None),) + target(ky, kx)] += columns[(slice(None),) + source(ky, kx)]
    in_parallel(work, n)
    return image


def _conv_out(size, k, s, p):
    return (size + 2 * p - k) // s + 1


def _conv_weight_rows(W):
    """Convolution weight (C', C, kh, kw) -> (kh*kw*C, C'), matching im2col's columns."""
    return W.transpose(2, 3, 1, 0).reshape(-1, W.shape[0])


def _deconv_weight_rows(W):
    """Deconvolution weight (C, C', kh, kw) -> (C, kh*kw*C'), matching col2im's columns."""
    return W.transpose(0, 2, 3, 1).reshape(W.shape[0], -1)


class Convolution2D(function_node.FunctionNode):
    """y = conv(x, W) + b on channels-last memory (see the module's note)."""

    def __init__(self, stride, pad):
        self.sy, self.sx = stride
        self.ph, self.pw = pad
        self.col = None

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 'W') + (('b',) if len(in_types) == 3 else ()))
        x_type, w_type = in_types[:2]
        type_check.expect(x_type.dtype == numpy.float32, w_type.dtype == numpy.float32,
                          x_type.ndim == 4, w_type.ndim == 4,
                          x_type.shape[1] == w_type.shape[1])

    def forward_cpu(self, inputs):
        x, W = inputs[:2]
        self.retain_inputs((0, 1))
        n, c, h, w = x.shape
        out_c, _, kh, kw = W.shape
        out_h, out_w = _conv_out(h, kh, self.sy, self.ph), _conv_out(w, kw, self.sx, self.pw)
        self.col = im2col(channels_last(x), kh, kw, self.sy, self.sx, self.ph, self.pw,
                          out_h, out_w)
        y = self.col @ _conv_weight_rows(W)
        if len(inputs) == 3:
            y += inputs[2]
        return as_channels_first(y.reshape(n, out_h, out_w, out_c)),

    def backward(self, indexes, grad_outputs):
        x, W = self.get_retained_inputs()
        gy, = grad_outputs
        grads = []
        if 0 in indexes:
            grads.append(Deconvolution2D((self.sy, self.sx), (self.ph, self.pw),
                                         x.shape[2:]).apply((gy, W))[0])
        if 1 in indexes:
            grads.append(Convolution2DGradW(self, W.shape).apply((x, gy))[0])
        if 2 in indexes:
            grads.append(chainer.functions.sum(gy, axis=(0, 2, 3)))
        return grads


class Convolution2DGradW(function_node.FunctionNode):
    """gW = sum over positions of col(x) (x) gy: the weight gradient of Convolution2D."""

    def __init__(self, conv, w_shape):
        self.sy, self.sx, self.ph, self.pw = conv.sy, conv.sx, conv.ph, conv.pw
        self.w_shape = w_shape
        self.col = conv.col         # the forward pass's columns, when they are of this x
        conv.col = None             # used once: the memory goes with this node

    def forward_cpu(self, inputs):
        x, gy = inputs
        self.retain_inputs((0, 1))
        out_c, c, kh, kw = self.w_shape
        n, _, out_h, out_w = gy.shape
        col = self.col
        if col is None:
            col = im2col(channels_last(x), kh, kw, self.sy, self.sx, self.ph, self.pw,
                         out_h, out_w)
        self.col = None
        gw_rows = col.T @ channels_last(gy).reshape(-1, out_c)        # (kh*kw*C, C')
        return numpy.ascontiguousarray(
            gw_rows.reshape(kh, kw, c, out_c).transpose(3, 2, 0, 1)),

    def backward(self, indexes, grad_outputs):
        x, gy = self.get_retained_inputs()
        ggW, = grad_outputs
        grads = []
        if 0 in indexes:
            grads.append(Deconvolution2D((self.sy, self.sx), (self.ph, self.pw),
                                         x.shape[2:]).apply((gy, ggW))[0])
        if 1 in indexes:
            grads.append(Convolution2D((self.sy, self.sx),
                                       (self.ph, self.pw)).apply((x, ggW))[0])
        return grads


class Deconvolution2D(function_node.FunctionNode):
    """y = deconv(x, W) + b (the transpose of Convolution2D) on channels-last memory."""

    def __init__(self, stride, pad, outsize):
        self.sy, self.sx = stride
        self.ph, self.pw = pad
        self.outsize = tuple(outsize)

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 'W') + (('b',) if len(in_types) == 3 else ()))
        x_type, w_type = in_types[:2]
        type_check.expect(x_type.dtype == numpy.float32, w_type.dtype == numpy.float32,
                          x_type.ndim == 4, w_type.ndim == 4,
                          x_type.shape[1] == w_type.shape[0])

    def forward_cpu(self, inputs):
        x, W = inputs[:2]
        self.retain_inputs((0, 1))
        n, c, h, w = x.shape
        _, out_c, kh, kw = W.shape
        out_h, out_w = self.outsize
        col = channels_last(x).reshape(-1, c) @ _deconv_weight_rows(W)
        y = col2im(col, n, out_h, out_w, out_c, kh, kw, self.sy, self.sx, self.ph, self.pw,
                   h, w)
        if len(inputs) == 3:
            y += inputs[2]
        return as_channels_first(y),

    def backward(self, indexes, grad_outputs):
        x, W = self.get_retained_inputs()
        gy, = grad_outputs
        grads = []
        # gx is conv(gy, W); the columns of gy it builds serve the weight gradient too.
        conv = Convolution2D((self.sy, self.sx), (self.ph, self.pw))
        if 0 in indexes:
            grads.append(conv.apply((gy, W))[0])
        if 1 in indexes:
            # deconv(x, W) = conv^T: its weight gradient is the convolution's with the roles
            # of image and output gradient swapped.
            grads.append(Convolution2DGradW(conv, W.shape).apply((gy, x))[0])
        if 2 in indexes:
            grads.append(chainer.functions.sum(gy, axis=(0, 2, 3)))
        return grads


class BatchNormalization(function_node.FunctionNode):
    """Training-mode batch normalisation over every axis but the channels, for inputs whose
    channels are the last axis in memory: (N, C) rows, or (N, C, H, W) with channels-last
    memory. The per-channel sums are matrix-vector products (BLAS) over (M, C) rows instead
    of NumPy reductions across a small strided axis. The running statistics are updated in
    place as Chainer's own function does."""

    def __init__(self, eps, running_mean, running_var, decay):
        self.eps = eps
        self.running_mean, self.running_var = running_mean, running_var
        self.decay = decay

    def forward_cpu(self, inputs):
        x, gamma, beta = inputs
        self.retain_inputs((0, 1))
        rows = _channel_rows(x)
        m = len(rows)
        ones = numpy.ones(m, dtype=numpy.float32)
        mean = (ones @ rows) / numpy.float32(m)
        centred = rows - mean
        var = (ones @ (centred * centred)) / numpy.float32(m)
        self.inv_std = numpy.float32(1) / numpy.sqrt(var + numpy.float32(self.eps))
        self.x_hat = centred
        self.x_hat *= self.inv_std
        y = self.x_hat * gamma
        y += beta
        if self.running_mean is not None:
            decay = self.decay
            self.running_mean *= decay
            self.running_mean += (1 - decay) * mean
            self.running_var *= decay
            self.running_var += (1 - decay) * (m / max(m - 1., 1.)) * var
        return _like(y, x),

    def backward(self, indexes, grad_outputs):
        x, gamma = self.get_retained_inputs()
        gy, = grad_outputs
        node = BatchNormalizationGrad(self.eps, self.x_hat, self.inv_std)
        return node.apply((x, gamma, gy))


class BatchNormalizationGrad(function_node.FunctionNode):
    """(gx, ggamma, gbeta) of BatchNormalization. Its own backward (double back-propagation,
    e.g. a gradient penalty) recomputes these three with Chainer's functions and
    differentiates them: slower, but exact and only used there."""

    def __init__(self, eps, x_hat, inv_std):
        self.eps, self.x_hat, self.inv_std = eps, x_hat, inv_std

    def forward_cpu(self, inputs):
        x, gamma, gy = inputs
        self.retain_inputs((0, 1, 2))
        rows = _channel_rows(gy)
        m = len(rows)
        ones = numpy.ones(m, dtype=numpy.float32)
        gbeta = ones @ rows
        ggamma = ones @ (rows * self.x_hat)
        # gx = gamma * inv_std * (gy - (x_hat * ggamma + gbeta) / m)
        gx = self.x_hat * (ggamma / numpy.float32(m))
        gx += gbeta / numpy.float32(m)
        numpy.subtract(rows, gx, out=gx)
        gx *= gamma * self.inv_std
        return _like(gx, x), ggamma, gbeta

    def backward(self, indexes, grad_outputs):
        x, gamma, gy = self.get_retained_inputs()
        with chainer.using_config('enable_backprop', True):
            outputs = _batch_normalization_grad_reference(x, gamma, gy, self.eps)
            pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if g is not None]
            inputs = [(x, gamma, gy)[i] for i in indexes]
            grads = chainer.grad([o for o, _ in pairs], inputs,
                                 grad_outputs=[g for _, g in pairs],
                                 enable_double_backprop=True)
        return [g if g is not None else chainer.Variable(numpy.zeros_like(v.array))
                for g, v in zip(grads, inputs)]


def _batch_normalization_grad_reference(x, gamma, gy, eps):
    """BatchNormalizationGrad's outputs as a differentiable composition of Chainer's
    functions (for double back-propagation only)."""
    F = chainer.functions
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    m = x.size // x.shape[1]
    mean = F.mean(x, axis=axes, keepdims=True)
    centred = x - F.broadcast_to(mean, x.shape)
    var = F.mean(centred * centred, axis=axes, keepdims=True)
    inv_std = (var + eps) ** -0.5
    x_hat = centred * F.broadcast_to(inv_std, x.shape)
    gbeta = F.sum(gy, axis=axes)
    ggamma = F.sum(gy * x_hat, axis=axes)
    inner = gy - (x_hat * F.broadcast_to(F.reshape(ggamma, shape), x.shape)
                  + F.broadcast_to(F.reshape(gbeta, shape), x.shape)) / m
    scale = F.reshape(gamma, shape) * inv_std
    gx = F.broadcast_to(scale, x.shape) * inner
    return gx, ggamma, gbeta


def _has_channels_last_memory(x):
    """True for (N, C) arrays and for (N, C, H, W) arrays laid out as C-contiguous
    (N, H, W, C), the layout this module's convolutions return."""
    if x.ndim == 2:
        return x.flags.c_contiguous
    return x.ndim == 4 and x.transpose(0, 2, 3, 1).flags.c_contiguous


def _channel_rows(x):
    """(M, C) rows of a 2-D or channels-last 4-D array (a view when possible)."""
    if x.ndim == 2:
        return numpy.ascontiguousarray(x)
    return channels_last(x).reshape(-1, x.shape[1])


def _like(rows, x):
    """(M, C) rows back into x's shape, channels-last in memory."""
    if x.ndim == 2:
        return rows
    n, c, h, w = x.shape
    return as_channels_first(rows.reshape(n, h, w, c))


class LeakyReLU(function_node.FunctionNode):
    """max(x, slope*x) for 0 <= slope <= 1, without Chainer's boolean-mask indexing."""

    def __init__(self, slope):
        self.slope = slope
        self.factor = None

    def forward_cpu(self, inputs):
        x, = inputs
        self.retain_outputs((0,))
        slope = numpy.float32(self.slope)
        return elementwise(lambda x, out: numpy.maximum(x, x * slope, out=out),
                           numpy.empty_like(x), x),

    def backward(self, indexes, grad_outputs):
        if self.factor is None:       # once per node: G's pass reuses D's on the fakes
            y = self.get_retained_outputs()[0].array
            # The derivative as a float32 factor (1 or slope): a product is ~10x faster in
            # NumPy than numpy.where with a boolean mask.
            rise, slope = numpy.float32(1 - self.slope), numpy.float32(self.slope)

            def factor(y, out):
                numpy.greater(y, 0, out=out)      # 1.0 or 0.0
                out *= rise
                out += slope
            self.factor = elementwise(factor, numpy.empty_like(y), y)
        return ScaleBy(self.factor).apply(grad_outputs)


class ScaleBy(function_node.FunctionNode):
    """gy * factor for a constant factor array (leaky ReLU's derivative), in the factor's
    memory layout."""

    def __init__(self, factor):
        self.factor = factor

    def forward_cpu(self, inputs):
        return elementwise(numpy.multiply, numpy.empty_like(self.factor), inputs[0],
                           self.factor),

    def backward(self, indexes, grad_outputs):
        return ScaleBy(self.factor).apply(grad_outputs)


# ---- routing ----------------------------------------------------------------------------

_ORIGINALS = {}


def _is_cpu_float32(*arrays):
    return all(isinstance(a, numpy.ndarray) and a.dtype == numpy.float32
               for a in arrays if a is not None)


def _data(v):
    return v.array if isinstance(v, chainer.Variable) else v


def convolution_2d(x, W, b=None, stride=1, pad=0, cover_all=False, **kwargs):
    dilate, groups = kwargs.get('dilate', 1), kwargs.get('groups', 1)
    if (cover_all or _pair(dilate) != (1, 1) or groups != 1
            or not _is_cpu_float32(_data(x), _data(W), _data(b)) or _data(x).ndim != 4):
        return _ORIGINALS['convolution_2d'](x, W, b, stride, pad, cover_all, **kwargs)
    inputs = (x, W) if b is None else (x, W, b)
    return Convolution2D(_pair(stride), _pair(pad)).apply(inputs)[0]


def deconvolution_2d(x, W, b=None, stride=1, pad=0, outsize=None, **kwargs):
    dilate, groups = kwargs.get('dilate', 1), kwargs.get('groups', 1)
    if (_pair(dilate) != (1, 1) or groups != 1
            or not _is_cpu_float32(_data(x), _data(W), _data(b)) or _data(x).ndim != 4):
        return _ORIGINALS['deconvolution_2d'](x, W, b, stride, pad, outsize, **kwargs)
    (sy, sx), (ph, pw) = _pair(stride), _pair(pad)
    _, _, kh, kw = _data(W).shape
    h, w = _data(x).shape[2:]
    natural = (sy * (h - 1) + kh - 2 * ph, sx * (w - 1) + kw - 2 * pw)
    outsize = natural if outsize is None else tuple(
        n if o is None else o for o, n in zip(_pair(outsize), natural))
    inputs = (x, W) if b is None else (x, W, b)
    return Deconvolution2D((sy, sx), (ph, pw), outsize).apply(inputs)[0]


def leaky_relu(x, slope=0.2):
    if not (0 <= slope <= 1) or not _is_cpu_float32(_data(x)):
        return _ORIGINALS['leaky_relu'](x, slope)
    return LeakyReLU(slope).apply((x,))[0]


def batch_normalization(x, gamma, beta, **kwargs):
    data = _data(x)
    axis = kwargs.get('axis')
    if (axis is not None and tuple(numpy.atleast_1d(axis)) != (0,) + tuple(range(2, data.ndim))
            or not _is_cpu_float32(data, _data(gamma), _data(beta))
            or not _has_channels_last_memory(data)
            or kwargs.get('running_mean') is not None
            and not _is_cpu_float32(kwargs.get('running_mean'), kwargs.get('running_var'))):
        return _ORIGINALS['batch_normalization'](x, gamma, beta, **kwargs)
    node = BatchNormalization(kwargs.get('eps', 2e-5), kwargs.get('running_mean'),
                              kwargs.get('running_var'), kwargs.get('decay', 0.9))
    return node.apply((x, gamma, beta))[0]


# (module, attribute, replacement): the functions the links and F.* call.
_ROUTES = (
    (chainer_conv_module, 'convolution_2d', convolution_2d),
    (chainer.functions, 'convolution_2d', convolution_2d),
    (chainer_deconv_module, 'deconvolution_2d', deconvolution_2d),
    (chainer.functions, 'deconvolution_2d', deconvolution_2d),
    (chainer_leaky_relu_module, 'leaky_relu', leaky_relu),
    (chainer.functions, 'leaky_relu', leaky_relu),
    (chainer.functions, 'batch_normalization', batch_normalization),
)


def switched_on():
    """False when DIGITGAN_CPU_KERNELS=0 (or 'off', 'false', 'no')."""
    return os.environ.get(ENVIRONMENT_SWITCH, '1').strip().lower() not in (
        '0', 'off', 'false', 'no')


def keep_freed_memory():
    """Ask glibc's malloc to keep freed blocks for reuse instead of returning each large
    array to the kernel (its default above a few MB): a training step allocates and frees
    the same dozens of 1-20 MB arrays every iteration, and a fresh mapping costs a page
    fault per 4 kB on first touch (measured: 20 % of Chainer's CPU step, with or without
    these kernels). The process's memory then stays at its peak instead of dropping
    between steps. No-op where glibc is not the C library."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6')
        libc.mallopt(_M_TRIM_THRESHOLD, _KEEP_BYTES)
        libc.mallopt(_M_MMAP_THRESHOLD, _KEEP_BYTES)
    except (OSError, AttributeError):
        pass


def enable():
    """Route Chainer's functions here (idempotent) and keep freed memory for reuse."""
    keep_freed_memory()
    for module, name, replacement in _ROUTES:
        original = getattr(module, name)
        if original is not replacement:
            _ORIGINALS.setdefault(name, original)
            setattr(module, name, replacement)


def disable():
    for module, name, _ in _ROUTES:
        if name in _ORIGINALS:
            setattr(module, name, _ORIGINALS[name])


def enabled():
    return chainer.functions.convolution_2d is convolution_2d


def enable_for(device):
    """What the trainers call: the kernels on the CPU unless switched off; returns whether
    they are in use."""
    if getattr(device, 'xp', numpy) is numpy and switched_on():
        enable()
        return True
    disable()
    return False
