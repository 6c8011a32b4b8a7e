"""Patches on webdnn 1.2.11's converter and code generator, applied by the exporter
(webdnn_export) before it converts: they change what webdnn produces, not whether it imports
(that is compat.py).
"""
import os
import pathlib
import shutil

import numpy


def patch_webdnn_asmjs_fallback():
    """Call before saving a webassembly descriptor (webdnn_export does).

    webdnn's save() builds the kernels twice: WebAssembly, then an asm.js copy that its
    runtime loads only where `WebAssembly` is missing (IE11, iOS 11.2). Today's emscripten
    transpiles that copy to ES5 with closure-compiler; without it em++ fails and save()
    raises after the wasm files are written. Every browser the app targets runs WebAssembly,
    so where closure-compiler is missing the asm.js build is skipped and the descriptor
    object's `asmjs_skipped` says so. Returns True when the skip is in effect."""
    from webdnn.backend.webassembly.generator import GraphExecutionData
    if getattr(GraphExecutionData, 'asmjs_skipped', False):
        return True
    # emscripten's config names 'closure-compiler'; EM_CLOSURE_COMPILER overrides it.
    if shutil.which(os.environ.get('EM_CLOSURE_COMPILER', 'closure-compiler')):
        return False

    def skip_asmjs_build(self, dirname):
        pass
    GraphExecutionData._compile_fallback_asmjs = skip_asmjs_build
    GraphExecutionData.asmjs_skipped = True
    return True


def patch_webdnn_max_pooling_nd():
    """Call before converting a chainer graph (webdnn_export does).

    Since chainer 5, F.max_pooling_2d records a MaxPoolingND node, which webdnn (written
    for chainer < 5) refuses with NotImplementedError. For two spatial dimensions it is
    exactly webdnn's MaxPooling2D, so that node is converted as one. Returns True when the
    converter handles MaxPoolingND through this shim."""
    import chainer
    import chainer.functions as F
    from webdnn.frontend.chainer.converter import ChainerConverter
    from webdnn.frontend.chainer.functions import pooling
    handlers = ChainerConverter._handler_map[ChainerConverter.__name__]
    if handlers.get('MaxPoolingND') is convert_max_pooling_nd:
        return True
    x = chainer.Variable(numpy.zeros((1, 1, 2, 2), numpy.float32))
    if type(F.max_pooling_2d(x, 2).creator).__name__ != 'MaxPoolingND' or \
            handlers.get('MaxPoolingND') is not pooling._convert_max_pooling_nd:
        return False
    handlers['MaxPoolingND'] = convert_max_pooling_nd
    return True


# WebDNN 1.2.11's webassembly Col2Im kernel (the second half of every Deconvolution2D)
# decodes each output index with four integer divisions and then tries all KH*KW filter taps
# with two more divisions each, although only 1/(SH*SW) of them contribute. That was a third
# of the generator's time per digit (bench/README.md). This kernel adds the same terms in the
# same order (so the same float32 result) but visits only the contributing taps, with the
# channel loop innermost over contiguous memory, where em++ vectorises it.
COL2IM_WEBASSEMBLY_ORIGINAL = 'for (int gid = 0; gid < N*H1*W1*C1; gid += 1) {'
COL2IM_WEBASSEMBLY = (pathlib.Path(__file__).with_name('col2im_webassembly.cpp')
                      .read_text())
# Its Im2Col (the first half of every Convolution2D, channels last) decodes each value it
# copies with ten integer divisions: 4 M divisions per reading of the recogniser (402 k
# values). This one copies the same values, C1 contiguous floats per filter tap, with none.
IM2COL_WEBASSEMBLY_ORIGINAL = 'const int kw = gid / C1 % KW;'
IM2COL_WEBASSEMBLY = (pathlib.Path(__file__).with_name('im2col_webassembly.cpp')
                      .read_text())


def _replace_kernel(module, attribute, original, replacement):
    """module.attribute (a kernel's source template) becomes `replacement` if it is the
    WebDNN kernel that holds `original`; True when the replacement is in effect."""
    template = getattr(module, attribute)
    if template == replacement:
        return True
    if original not in template:
        return False
    setattr(module, attribute, replacement)
    return True


def patch_webdnn_col2im_webassembly():
    """Call before generating a webassembly descriptor (webdnn_export does): WebDNN's
    Col2Im kernel source is replaced by COL2IM_WEBASSEMBLY. Returns True when in effect,
    False (and changes nothing) for a WebDNN whose kernel is not the one this replaces."""
    from webdnn.backend.webassembly.kernels import col2im
    return _replace_kernel(col2im, 'template', COL2IM_WEBASSEMBLY_ORIGINAL, COL2IM_WEBASSEMBLY)


def patch_webdnn_im2col_webassembly():
    """The same for the channels-last Im2Col kernel (IM2COL_WEBASSEMBLY)."""
    from webdnn.backend.webassembly.kernels import im2col
    return _replace_kernel(im2col, 'template_NHWKKC', IM2COL_WEBASSEMBLY_ORIGINAL,
                           IM2COL_WEBASSEMBLY)


def convert_max_pooling_nd(converter, c_op):
    from webdnn.graph.operators.max_pooling_2d import MaxPooling2D
    from webdnn.graph.order import OrderNCHW
    if c_op.ndim != 2:
        raise NotImplementedError('[ChainerConverter] MaxPoolingND is supported for 2D only')
    x = converter.get_variable(c_op.inputs[0])
    x.order.unify(OrderNCHW)
    y, = MaxPooling2D(None, ksize=c_op.ksize, stride=c_op.stride, padding=c_op.pad,
                      cover_all=c_op.cover_all)(x)
    converter.set_variable(c_op.outputs[0](), y)


