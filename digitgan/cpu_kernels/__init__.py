"""Faster CPU arithmetic for Chainer's convolution, deconvolution, BatchNorm and leaky ReLU.

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
NumPy's element-wise functions keep the memory order of their input, so ReLU, sigmoid and
the adds between layers pass the layout on without knowing it; a `reshape` to (N, -1)
(before a Linear) copies into Chainer's order, as it must. BatchNorm over channels-last
memory is a problem of (M, C) rows: its per-channel sums are BLAS matrix-vector products.
Leaky ReLU's derivative is a float32 factor (NumPy's `where` with a mask is ~10x slower).
glibc's malloc is asked to keep freed blocks: a step frees and allocates the same 1-20 MB
arrays every iteration, and fresh pages cost a fault each (20 % of a step).

    layout.py        channels-last views, im2col/col2im
    convolution.py   Convolution2D, its weight gradient, Deconvolution2D
    batch_norm.py    training-mode BatchNormalization and its gradient
    activation.py    LeakyReLU

Each operation is a `chainer.FunctionNode` whose backward is written with the others
(the gradient of a convolution is a deconvolution and vice versa), as Chainer's own are, so
double back-propagation works. The column matrix of a forward convolution is kept for its
weight gradient instead of being rebuilt.

`enable()` routes `F.convolution_2d`, `F.deconvolution_2d`, `F.leaky_relu` and
`F.batch_normalization` (and the links that call them) here for NumPy float32 arrays of the
supported kinds (groups 1, dilation 1, no cover_all; BatchNorm over channels-last memory);
anything else, CuPy arrays included, goes to Chainer's own functions unchanged. `disable()`
restores them. The trainers call `enable_for(device)` (training/runs.py, setup): on the CPU unless
DIGITGAN_CPU_KERNELS=0 is set (documented in the README), so that the bench can show both.

Exactness: the same sums as Chainer's in another order (float32 round-off, ~1e-6 relative);
tests/test_cpu_kernels.py checks values and gradients against Chainer's functions for every
layer shape of the project's networks.
"""
import ctypes
import ctypes.util
import os

import chainer
import chainer.functions
from chainer.functions.activation import leaky_relu as chainer_leaky_relu_module
from chainer.functions.connection import convolution_2d as chainer_conv_module
from chainer.functions.connection import deconvolution_2d as chainer_deconv_module
import numpy

from digitgan.cpu_kernels.activation import LeakyReLU
from digitgan.cpu_kernels.batch_norm import BatchNormalization, has_channels_last_memory
from digitgan.cpu_kernels.convolution import Convolution2D, Deconvolution2D
from digitgan.cpu_kernels.layout import col2im, im2col, pair

__all__ = ['BatchNormalization', 'Convolution2D', 'Deconvolution2D', 'LeakyReLU', 'col2im',
           'disable', 'enable', 'enable_for', 'enabled', 'im2col', 'switched_on']

ENVIRONMENT_SWITCH = 'DIGITGAN_CPU_KERNELS'   # '0' turns the kernels off
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3     # mallopt() parameters, glibc's malloc.h
_KEEP_BYTES = 256 * 1024 * 1024                    # the largest block kept for reuse

# ---- routing ----------------------------------------------------------------------------

_ORIGINALS = {}


def _is_cpu_float32(*arrays):
    return all(isinstance(a, numpy.ndarray) and a.dtype == numpy.float32
               for a in arrays if a is not None)


def _data(v):
    return v.array if isinstance(v, chainer.Variable) else v


def convolution_2d(x, W, b=None, stride=1, pad=0, cover_all=False, **kwargs):
    dilate, groups = kwargs.get('dilate', 1), kwargs.get('groups', 1)
    if (cover_all or pair(dilate) != (1, 1) or groups != 1
            or not _is_cpu_float32(_data(x), _data(W), _data(b)) or _data(x).ndim != 4):
        return _ORIGINALS['convolution_2d'](x, W, b, stride, pad, cover_all, **kwargs)
    inputs = (x, W) if b is None else (x, W, b)
    return Convolution2D(pair(stride), pair(pad)).apply(inputs)[0]


def deconvolution_2d(x, W, b=None, stride=1, pad=0, outsize=None, **kwargs):
    dilate, groups = kwargs.get('dilate', 1), kwargs.get('groups', 1)
    if (pair(dilate) != (1, 1) or groups != 1
            or not _is_cpu_float32(_data(x), _data(W), _data(b)) or _data(x).ndim != 4):
        return _ORIGINALS['deconvolution_2d'](x, W, b, stride, pad, outsize, **kwargs)
    (sy, sx), (ph, pw) = pair(stride), pair(pad)
    _, _, kh, kw = _data(W).shape
    h, w = _data(x).shape[2:]
    natural = (sy * (h - 1) + kh - 2 * ph, sx * (w - 1) + kw - 2 * pw)
    outsize = natural if outsize is None else tuple(
        n if o is None else o for o, n in zip(pair(outsize), natural))
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
            or not has_channels_last_memory(data)
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
