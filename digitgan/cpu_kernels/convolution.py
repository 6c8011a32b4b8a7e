"""Convolution2D, its weight gradient and Deconvolution2D as FunctionNodes on channels-last
memory; each one's gradient is written with the others, so double back-propagation works."""
import chainer
from chainer import function_node
from chainer.utils import type_check
import numpy

from digitgan.cpu_kernels.layout import as_channels_first, channels_last, col2im, im2col


def _conv_out(size, k, s, p):
    return (size + 2 * p - k) // s + 1


def _conv_weight_rows(W):
    """Convolution weight (C', C, kh, kw) -> (kh*kw*C, C'), matching im2col's columns."""
    return W.transpose(2, 3, 1, 0).reshape(-1, W.shape[0])


def _deconv_weight_rows(W):
    """Deconvolution weight (C, C', kh, kw) -> (C, kh*kw*C'), matching col2im's columns."""
    return W.transpose(0, 2, 3, 1).reshape(W.shape[0], -1)


def _check_image_and_weight(in_types, weight_in_axis):
    """float32 (N, C, H, W) image, 4-D weight whose axis `weight_in_axis` is C, bias or not."""
    type_check._argname(in_types, ('x', 'W') + (('b',) if len(in_types) == 3 else ()))
    x_type, w_type = in_types[:2]
    type_check.expect(x_type.dtype == numpy.float32, w_type.dtype == numpy.float32,
                      x_type.ndim == 4, w_type.ndim == 4,
                      x_type.shape[1] == w_type.shape[weight_in_axis])


class Convolution2D(function_node.FunctionNode):
    """y = conv(x, W) + b on channels-last memory (see the module's note)."""

    def __init__(self, stride, pad):
        self.sy, self.sx = stride
        self.ph, self.pw = pad
        self.col = None

    def check_type_forward(self, in_types):
        _check_image_and_weight(in_types, weight_in_axis=1)

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
        _check_image_and_weight(in_types, weight_in_axis=0)

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
