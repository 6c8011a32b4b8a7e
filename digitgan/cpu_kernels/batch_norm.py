"""Training-mode BatchNormalization over channels-last memory, as (M, C) rows whose
per-channel sums are BLAS matrix-vector products."""
import chainer
from chainer import function_node
import numpy

from digitgan.cpu_kernels.layout import as_channels_first, channels_last


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


def has_channels_last_memory(x):
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
