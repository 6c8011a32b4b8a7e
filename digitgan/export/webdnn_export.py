"""Chainer networks -> WebDNN graph descriptors: the reusable part of 2pack.py (bench imports it).

to_graph() traces a network (checkpoints.load_network() builds it from its files) in eval mode,
so BatchNorm uses its running statistics; write_descriptor() writes one backend;
contract.py describes the written graphs for the app (contract.json).
"""

import hashlib
import os
import shutil
import subprocess
import time
import warnings

import numpy

from digitgan import networks
from digitgan.cli import UserError
from digitgan.export import webdnn_patches

BACKENDS = ('webassembly', 'webgl', 'webgpu')  # in order of preference
DEFAULT_BACKENDS = ('webassembly', 'webgl')
# Names a user might try that WebDNN has but that cannot serve these networks.
UNUSABLE_BACKENDS = {'fallback': "WebDNN's fallback backend cannot convert Deconvolution2D"}
EMSCRIPTEN_INSTALL = 'scripts/install-system-deps.sh (or apt install emscripten libeigen3-dev)'
# The graph JSON each backend writes (webgl writes one per texture size, all alike in names).
GRAPH_FILES = {'webassembly': 'graph_webassembly.json', 'webgl': 'graph_webgl_4096.json',
               'webgpu': 'graph_webgpu.json'}
# The weight files WebDNN's runtime may fetch per backend (webgl: the one for the device's
# texture size limit).
WEIGHT_FILES = {'webassembly': ('weight_webassembly.bin',),
                'webgl': tuple('weight_webgl_%d.bin' % size for size in (4096, 8192, 16384)),
                'webgpu': ('weight_webgpu.bin',)}


def webdnn_version():
    from importlib import metadata
    return metadata.version('webdnn')


def sha256_of(path):
    with open(path, 'rb') as f:
        return hashlib.file_digest(f, 'sha256').hexdigest()


def input_shape(kind, net, batch):
    if kind == 'generator':
        return (batch, net.n_hidden + net.n_classes)
    if kind == 'encoder':
        return (batch, 1 + net.n_classes) + networks.IMAGE_SHAPE[1:]
    return (batch,) + networks.IMAGE_SHAPE


# The recogniser network returns logits; its converted graph ends in the softmax that its
# training wrapper (L.Classifier) computed inside the loss, so the app gets probabilities.
APPEND_SOFTMAX = True


def outputs_logits(kind):
    """Whether the converted graph of `kind` outputs logits that still need a softmax."""
    return kind == 'recogniser' and not APPEND_SOFTMAX


def eval_forward(kind, net, x):
    """The function that is converted: eval mode; see APPEND_SOFTMAX."""
    import chainer
    import chainer.functions as F
    with chainer.using_config('train', False):
        y = net(x)
        return F.softmax(y) if kind == 'recogniser' and APPEND_SOFTMAX else y


def reference_output(kind, net, x):
    """Chainer's eval-mode output for a numpy batch: what the descriptors must reproduce."""
    import chainer
    with chainer.using_config('enable_backprop', False):
        return eval_forward(kind, net, numpy.asarray(x, numpy.float32)).array


def to_graph(kind, net, batch=1):
    import chainer
    from webdnn.frontend.chainer import ChainerConverter
    webdnn_patches.patch_webdnn_max_pooling_nd()
    x = chainer.Variable(numpy.zeros(input_shape(kind, net, batch), numpy.float32))
    y = eval_forward(kind, net, x)
    return ChainerConverter().convert([x], [y])


def eigen_include_dir():
    for folder in (os.environ.get('EIGEN3_INCLUDE_DIR'), '/usr/include/eigen3',
                   '/usr/local/include/eigen3'):
        if folder and os.path.isfile(os.path.join(folder, 'Eigen', 'Dense')):
            return folder
    return None


def webassembly_toolchain_problem():
    """None when em++ can build WebDNN's kernels, else what is missing and how to install it."""
    if not shutil.which('em++'):
        return ('em++ (emscripten) is not installed; install emscripten and Eigen with %s'
                % EMSCRIPTEN_INSTALL)
    if not eigen_include_dir():
        return ("the Eigen headers that WebDNN's kernels include are missing; install them "
                "with %s (or set EIGEN3_INCLUDE_DIR)" % EMSCRIPTEN_INSTALL)
    return None


# em++ flags for WebAssembly SIMD (128-bit) kernels: -msimd128 lets clang vectorise the loops,
# and allowing sums to be reassociated (no -ffast-math: infinities and NaNs keep their
# meaning) lets it vectorise dot products too, which halves the generator's Linear layer.
# Every current browser runs SIMD (Chrome/Edge 91+, Firefox 89+, Safari 16.4+); one without it
# cannot load the kernels at all, so 2pack.py --no-wasm-simd leaves these out.
WASM_SIMD_FLAGS = ('-msimd128', '-fassociative-math', '-fno-signed-zeros', '-fno-trapping-math')


def set_emscripten_environment(simd=False):
    """Debian's em++ needs the Eigen include path, and its optimizer needs Debian's acorn,
    which node finds only through NODE_PATH; `simd` adds or removes WASM_SIMD_FLAGS.
    Set in EMCC_CFLAGS, which the em++ child processes inherit."""
    include = '-I' + eigen_include_dir()
    flags = [flag for flag in os.environ.get('EMCC_CFLAGS', '').split()
             if flag not in WASM_SIMD_FLAGS]
    if include not in flags:
        flags.append(include)
    if simd:
        flags.extend(WASM_SIMD_FLAGS)
    os.environ['EMCC_CFLAGS'] = ' '.join(flags)
    debian_node_modules = '/usr/share/nodejs'
    paths = [p for p in os.environ.get('NODE_PATH', '').split(os.pathsep) if p]
    if os.path.isdir(debian_node_modules) and debian_node_modules not in paths:
        os.environ['NODE_PATH'] = os.pathsep.join(paths + [debian_node_modules])


def write_descriptor(graph, backend, folder, eightbit=False, wasm_simd=False):
    """Write one backend's descriptor files into `folder`; returns
    {'seconds', 'files': {name: bytes}, 'note'}. `wasm_simd`: webassembly kernels built
    with WebAssembly SIMD."""
    from webdnn.backend import generate_descriptor
    started = time.perf_counter()
    before = set(os.listdir(folder)) if os.path.isdir(folder) else set()
    note = None
    if backend == 'webassembly':
        set_emscripten_environment(wasm_simd)
        webdnn_patches.patch_webdnn_col2im_webassembly()
        webdnn_patches.patch_webdnn_im2col_webassembly()
        if webdnn_patches.patch_webdnn_asmjs_fallback():
            note = ('asm.js fallback not built (needs closure-compiler; WebDNN loads it only '
                    'in browsers without WebAssembly)')
    kwargs = {'constant_encoder_name': 'eightbit'} if eightbit else {}
    with warnings.catch_warnings():
        # webgpu: Metal sources cannot be validated off macOS, which is no news here.
        warnings.filterwarnings('ignore', message=r".*'xcrun' command is not found")
        descriptor = generate_descriptor(backend, graph, **kwargs)
    try:
        descriptor.save(folder)
    except (subprocess.CalledProcessError, OSError) as error:
        raise UserError('%s descriptor could not be written (%s); em++ messages, if any, are '
                        'above' % (backend, error))
    files = {name: os.path.getsize(os.path.join(folder, name))
             for name in sorted(set(os.listdir(folder)) - before)}
    return {'seconds': time.perf_counter() - started, 'files': files, 'note': note}


def written_backends(folder):
    """The backends whose graph descriptor is in `folder` (none when it does not exist)."""
    return [backend for backend in BACKENDS
            if os.path.isfile(os.path.join(folder, GRAPH_FILES[backend]))]
