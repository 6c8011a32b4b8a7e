"""compat's conversion-time webdnn shims: MaxPoolingND (chainer >= 5 records max_pooling_2d
as it) and skipping the asm.js build that today's emscripten cannot make without
closure-compiler. Each is also checked to be needed: a fresh interpreter without the shim
fails the same conversion."""
import os
import subprocess
import sys
import textwrap

import chainer
import chainer.functions as F
import chainer.links as L
import numpy
import pytest

from digitgan.export import webdnn_export, webdnn_patches

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WASM_FILES = {'graph_webassembly.json', 'kernels_webassembly.js', 'kernels_webassembly.wasm',
              'weight_webassembly.bin'}


def linear_graph():
    from webdnn.frontend.chainer import ChainerConverter
    x = chainer.Variable(numpy.zeros((1, 4), numpy.float32))
    linear = L.Linear(4, 3)  # alive during conversion: the graph holds its weights weakly
    return ChainerConverter().convert([x], [linear(x)])


def pooling_graph(x):
    from webdnn.frontend.chainer import ChainerConverter
    x = chainer.Variable(x)
    return ChainerConverter().convert([x], [F.max_pooling_2d(x, 2, 2)])


def run_fresh(script, **env):
    """Run `script` in a new interpreter that has only compat's import-time shims."""
    return subprocess.run([sys.executable, '-c', textwrap.dedent(script)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, OMP_NUM_THREADS='1', **env))


@pytest.fixture
def emscripten(monkeypatch):
    problem = webdnn_export.webassembly_toolchain_problem()
    if problem:
        pytest.fail(problem + ' (scripts/install-system-deps.sh does that)')
    for name in ('EMCC_CFLAGS', 'NODE_PATH'):  # restored after the test
        monkeypatch.setenv(name, os.environ.get(name, ''))
    webdnn_export.set_emscripten_environment()


def test_max_pooling_2d_converts_to_webdnn_max_pooling():
    from webdnn.graph import traverse
    from webdnn.graph.operators.max_pooling_2d import MaxPooling2D
    assert webdnn_patches.patch_webdnn_max_pooling_nd()
    graph = pooling_graph(numpy.zeros((1, 2, 6, 6), numpy.float32))
    pools = [op for op in traverse.listup_operators(graph) if isinstance(op, MaxPooling2D)]
    assert len(pools) == 1
    assert (pools[0].ksize, pools[0].stride, pools[0].padding) == ((2, 2), (2, 2), (0, 0))
    assert pools[0].cover_all is True
    assert list(graph.outputs[0].shape) == [1, 2, 3, 3]


def test_max_pooling_of_three_dimensions_is_still_refused():
    from webdnn.frontend.chainer import ChainerConverter
    assert webdnn_patches.patch_webdnn_max_pooling_nd()
    x = chainer.Variable(numpy.zeros((1, 1, 4, 4, 4), numpy.float32))
    with pytest.raises(NotImplementedError, match='2D only'):
        ChainerConverter().convert([x], [F.max_pooling_nd(x, 2)])


def test_without_the_shim_max_pooling_does_not_convert():
    done = run_fresh('''
        import digitgan, chainer, numpy, chainer.functions as F
        from webdnn.frontend.chainer import ChainerConverter
        x = chainer.Variable(numpy.zeros((1, 2, 6, 6), numpy.float32))
        try:
            ChainerConverter().convert([x], [F.max_pooling_2d(x, 2, 2)])
        except NotImplementedError as error:
            print('refused:', error)
        ''')
    assert 'refused: [ChainerConverter] MaxPoolingND is not supported' in done.stdout, \
        done.stderr[-2000:]


def test_webassembly_save_completes_without_closure_compiler(tmp_path, monkeypatch,
                                                             emscripten):
    from webdnn.backend import generate_descriptor
    monkeypatch.setenv('EM_CLOSURE_COMPILER', 'no-such-closure-compiler')
    assert webdnn_patches.patch_webdnn_asmjs_fallback()
    generate_descriptor('webassembly', linear_graph()).save(str(tmp_path))
    files = set(os.listdir(tmp_path))
    assert WASM_FILES <= files
    assert not [name for name in files if 'asmjs' in name]


def test_without_the_shim_webassembly_save_fails(tmp_path, emscripten):
    done = run_fresh('''
        import digitgan, subprocess, sys
        from test_compat_webdnn import linear_graph
        from webdnn.backend import generate_descriptor
        try:
            generate_descriptor('webassembly', linear_graph()).save(sys.argv[-1])
        except subprocess.CalledProcessError as error:
            print('asm.js build failed:', 'WASM=0' in error.cmd)
        '''.replace('sys.argv[-1]', repr(str(tmp_path))),
        EM_CLOSURE_COMPILER='no-such-closure-compiler', PYTHONPATH=os.path.join(ROOT, 'tests'))
    assert 'asm.js build failed: True' in done.stdout, done.stderr[-2000:]
    # the WebAssembly build before it succeeded; only the fallback is missing
    assert WASM_FILES <= set(os.listdir(tmp_path))


def test_asmjs_build_is_kept_where_closure_compiler_exists():
    done = run_fresh('''
        from digitgan.export import webdnn_patches
        from webdnn.backend.webassembly.generator import GraphExecutionData
        print(webdnn_patches.patch_webdnn_asmjs_fallback(),
              GraphExecutionData._compile_fallback_asmjs.__module__)
        ''', EM_CLOSURE_COMPILER=sys.executable)  # any executable stands in for it
    assert done.stdout.split() == ['False', 'webdnn.backend.webassembly.generator'], \
        done.stderr[-2000:]
