"""Make chainer 7.8.1 and webdnn 1.2.11 import and run on today's Python, NumPy and CuPy.

Both libraries are unmaintained; every workaround for that lives here and nowhere else.
Every entry point imports this module before chainer or webdnn:

    import compat  # noqa: F401  (must come first)

Each shim is applied only when the thing it replaces is missing, so on an old stack this
module changes nothing. tests/test_compat.py removes each missing piece and checks that
the shim brings back what chainer/webdnn need.
"""
import collections
import collections.abc
import importlib.abc
import importlib.machinery
import importlib.util
import os
import shutil
import sys
import types
import warnings

import numpy

# chainer warns at import that CuPy > 7 "may not be compatible"; the project checks CuPy
# itself (tests, GPU notes in the README), so the warning is noise for users.
os.environ.setdefault('CHAINER_WARN_VERSION_MISMATCH', '0')

# Aliases removed from `collections` in Python 3.10; webdnn does
# `from collections import Collection`.
COLLECTIONS_ABC_NAMES = ('Collection', 'Iterable', 'Mapping', 'MutableMapping',
                         'Sequence', 'MutableSequence', 'Set', 'Callable')


def patch_collections():
    for name in COLLECTIONS_ABC_NAMES:
        if not hasattr(collections, name):
            setattr(collections, name, getattr(collections.abc, name))


def patch_numpy_aliases():
    """Scalar aliases removed in NumPy 1.24 (webdnn's JSON encoder) and `sctypes`,
    removed in NumPy 2 (chainer.functions.as_strided reads it at import)."""
    for name, value in (('int', int), ('float', float), ('bool', bool), ('object', object)):
        if name not in numpy.__dict__:
            setattr(numpy, name, value)
    if 'sctypes' not in numpy.__dict__:
        numpy.sctypes = {
            'int': [numpy.int8, numpy.int16, numpy.int32, numpy.int64],
            'uint': [numpy.uint8, numpy.uint16, numpy.uint32, numpy.uint64],
            'float': [numpy.float16, numpy.float32, numpy.float64],
            'complex': [numpy.complex64, numpy.complex128],
            'others': [bool, object, bytes, str, numpy.void],
        }


def patch_numpy_distutils():
    """numpy.distutils is gone on Python >= 3.12 and deprecated before; chainer's
    environment check imports it only to ask whether macOS Accelerate is NumPy's BLAS.
    Where it cannot be imported, an empty `get_info` skips that advice (Accelerate is not
    a target here). Where it can, the real module is left in place (its deprecation
    warning is silenced: chainer, not this project, asks for it)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            import numpy.distutils.system_info  # noqa: F401
        return
    except Exception:  # ImportError, or whatever a half-working numpy.distutils raises
        pass
    distutils = types.ModuleType('numpy.distutils')
    system_info = types.ModuleType('numpy.distutils.system_info')
    system_info.get_info = lambda name, notfound_action=0: {}
    distutils.system_info = system_info
    sys.modules['numpy.distutils'] = distutils
    sys.modules['numpy.distutils.system_info'] = system_info


def patch_pkg_resources():
    """setuptools >= 81 has no pkg_resources; chainer uses it to compare optional
    dependency versions and webdnn to read its own version. importlib.metadata does both."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')  # setuptools 67-80 deprecates pkg_resources
            import pkg_resources  # noqa: F401
        return
    except ImportError:
        pass
    from importlib import metadata

    module = types.ModuleType('pkg_resources')

    class DistributionNotFound(Exception):
        pass

    class VersionConflict(Exception):
        pass

    class Distribution:
        def __init__(self, name):
            try:
                self.version = metadata.version(name)
            except metadata.PackageNotFoundError:
                raise DistributionNotFound(name)

    def require(requirement):
        # Only the name is checked: version ranges were advice for CuPy 7.
        name = requirement
        for separator in '<>=!~ ;[':
            name = name.split(separator)[0]
        return [Distribution(name)]

    module.DistributionNotFound = DistributionNotFound
    module.VersionConflict = VersionConflict
    module.require = require
    module.get_distribution = lambda name: Distribution(name)
    sys.modules['pkg_resources'] = module


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


# Source that no longer compiles, per module: (old, new) text replacements made at import.
# Python 3.12's f-string parser (PEP 701) rejects a bare generator inside an f-string
# replacement field that 3.11 accepted; it is only the text of an assertion message.
SOURCE_PATCHES = {
    'webdnn.graph.operators.elementwise': [
        ('{y_shape_dict[a] for a in y_axes}', '{[y_shape_dict[a] for a in y_axes]}'),
    ],
}


class PatchedSourceLoader(importlib.machinery.SourceFileLoader):
    def __init__(self, fullname, path, replacements):
        super().__init__(fullname, path)
        self.replacements = replacements

    def source_to_code(self, data, path, *, _optimize=-1):
        source = importlib.util.decode_source(data)
        for old, new in self.replacements:
            source = source.replace(old, new)
        return compile(source, path, 'exec', dont_inherit=True, optimize=_optimize)


class SourcePatchFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname not in SOURCE_PATCHES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            spec.loader = PatchedSourceLoader(fullname, spec.origin, SOURCE_PATCHES[fullname])
        return spec


def patch_webdnn_sources():
    if sys.version_info >= (3, 12) and not any(
            isinstance(finder, SourcePatchFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, SourcePatchFinder())


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
COL2IM_WEBASSEMBLY = """
void %%FUNC_NAME%%(const int * %%META_BUFFER%%)
{
    const float *col = %%LOAD_BUFFER(col2im_col)%%;
    float *im = %%LOAD_BUFFER(col2im_im)%%;

    const int N = %%LOAD_BUFFER(col2im_N)%%;
    const int C1 = %%LOAD_BUFFER(col2im_C1)%%;
    const int H1 = %%LOAD_BUFFER(col2im_H1)%%;
    const int W1 = %%LOAD_BUFFER(col2im_W1)%%;
    const int H2 = %%LOAD_BUFFER(col2im_H2)%%;
    const int W2 = %%LOAD_BUFFER(col2im_W2)%%;
    const int KH = %%LOAD_BUFFER(col2im_KH)%%;
    const int KW = %%LOAD_BUFFER(col2im_KW)%%;
    const int SH = %%LOAD_BUFFER(col2im_SH)%%;
    const int SW = %%LOAD_BUFFER(col2im_SW)%%;
    const int PH = %%LOAD_BUFFER(col2im_PH)%%;
    const int PW = %%LOAD_BUFFER(col2im_PW)%%;

    for (int n = 0; n < N; n++) {
        for (int h1 = 0; h1 < H1; h1++) {
            for (int w1 = 0; w1 < W1; w1++) {
                float *out = im + ((n * H1 + h1) * W1 + w1) * C1;
                for (int c1 = 0; c1 < C1; c1++) out[c1] = 0;
                for (int kh = (h1 + PH) % SH; kh < KH; kh += SH) {
                    const int h2 = (h1 + PH - kh) / SH;
                    if (h2 < 0 || h2 >= H2) continue;
                    for (int kw = (w1 + PW) % SW; kw < KW; kw += SW) {
                        const int w2 = (w1 + PW - kw) / SW;
                        if (w2 < 0 || w2 >= W2) continue;
                        const float *src = col + ((((n * H2 + h2) * W2 + w2) * KH + kh) * KW + kw) * C1;
                        for (int c1 = 0; c1 < C1; c1++) out[c1] += src[c1];
                    }
                }
            }
        }
    }
}
"""


def patch_webdnn_col2im_webassembly():
    """Call before generating a webassembly descriptor (webdnn_export does): WebDNN's
    Col2Im kernel source is replaced by COL2IM_WEBASSEMBLY. Returns True when in effect,
    False (and changes nothing) for a WebDNN whose kernel is not the one this replaces."""
    from webdnn.backend.webassembly.kernels import col2im
    if col2im.template == COL2IM_WEBASSEMBLY:
        return True
    if COL2IM_WEBASSEMBLY_ORIGINAL not in col2im.template:
        return False
    col2im.template = COL2IM_WEBASSEMBLY
    return True


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


def apply():
    # Conversion of every layer networks.py uses is tested (tests/test_2pack.py).
    warnings.filterwarnings('ignore', message='WebDNN does not support Chainer version')
    patch_collections()
    patch_numpy_aliases()
    patch_numpy_distutils()
    patch_pkg_resources()
    patch_webdnn_sources()


apply()
