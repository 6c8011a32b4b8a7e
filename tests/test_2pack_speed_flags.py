"""2pack.py's flags for speed and for other runtimes: --onnx (generator.onnx, checked against
Chainer), --batch100 (the 10x10 grid in one run, weights shared with generator/), WebAssembly
SIMD (default) and webdnn_patches' faster Col2Im and Im2Col kernels, which must compute what
WebDNN's did."""
import os
import subprocess

import numpy
import pytest

pytest.register_assert_rewrite('export_fixtures')  # before the import below
from export_fixtures import convert  # noqa: E402
from digitgan import checkpoints  # noqa: E402
from digitgan.export import webdnn_patches  # noqa: E402
from digitgan.export import webdnn_export  # noqa: E402

pytest_plugins = ['export_fixtures']


@pytest.fixture(scope='module')
def converted_fast(export_snapshots, tmp_path_factory):
    return convert(export_snapshots, tmp_path_factory.mktemp('fast') / 'models',
                   '--onnx', '--batch10', '--batch100', '--backends', 'webassembly')


def test_onnx_generator_is_written_and_checked(converted_fast, export_snapshots):
    import onnx
    from digitgan.export import onnx_export
    entry = converted_fast.contract['generator_onnx']
    path = os.path.join(converted_fast.out, entry['file'])
    assert entry['bytes'] == os.path.getsize(path)
    assert entry['max_abs_difference_from_chainer'] <= 1e-5
    assert entry['input_shape'] == ['batch', 110] and entry['opset'] == onnx_export.OPSET
    net = checkpoints.load_generator(export_snapshots.generator_npz)
    z = numpy.random.RandomState(3).standard_normal((7, net.n_hidden)).astype(numpy.float32)
    x = net.make_input(z, numpy.arange(7))
    got = onnx_export.run_reference(onnx.load(path), x)
    assert numpy.abs(got - webdnn_export.reference_output('generator', net, x)).max() <= 1e-5


def test_batched_generators_share_the_single_ones_weights(converted_fast):
    contract = converted_fast.contract
    assert contract['webassembly_simd'] is True
    for key, batch in (('generator_b10', 10), ('generator_b100', 100)):
        assert contract[key]['input_shape'] == [batch, 110]
        assert contract[key]['weights_folder'] == {'webassembly': 'generator'}
        with open(os.path.join(converted_fast.out, contract[key]['folder'],
                               'weight_webassembly.bin'), 'rb') as f:
            with open(os.path.join(converted_fast.out, 'generator',
                                   'weight_webassembly.bin'), 'rb') as g:
                assert f.read() == g.read()
    with open(os.path.join(converted_fast.out, 'generator', 'kernels_webassembly.cpp')) as f:
        assert 'kh += SH' in f.read(), 'webdnn_patches.COL2IM_WEBASSEMBLY was not used'
    with open(os.path.join(converted_fast.out, 'recogniser', 'kernels_webassembly.cpp')) as f:
        source = f.read()
    assert 'col += C1' in source and 'gid / C1' not in source, 'IM2COL_WEBASSEMBLY was not used'


def test_simd_flags_are_set_and_removed(monkeypatch):
    if webdnn_export.webassembly_toolchain_problem():
        pytest.skip('no em++ here')
    monkeypatch.setenv('EMCC_CFLAGS', '-O2')
    webdnn_export.set_emscripten_environment(simd=True)
    flags = os.environ['EMCC_CFLAGS'].split()
    assert set(webdnn_export.WASM_SIMD_FLAGS) <= set(flags) and '-O2' in flags
    webdnn_export.set_emscripten_environment(simd=False)
    flags = os.environ['EMCC_CFLAGS'].split()
    assert not set(webdnn_export.WASM_SIMD_FLAGS) & set(flags) and '-O2' in flags


HARNESS = r'''
#include <cstdio>
#include <cmath>
static float buffer[%(size)d];
static int meta[1];
#define SOURCE (buffer)
#define TARGET (buffer + %(source_size)d)
%(kernel)s
int main() {
    for (int i = 0; i < %(source_size)d; i++) SOURCE[i] = std::sin(0.37f * i) + 0.01f * (i %% 7);
    %(name)s(meta);
    for (int i = 0; i < %(target_size)d; i++) printf("%%.9g\n", TARGET[i]);
    return 0;
}
'''


def run_kernel(template, name, buffers, values, source_shape, target_size, tmp_path,
               monkeypatch):
    """Compile WebDNN kernel `template` as 2pack.py builds it (em++, SIMD flags), run it in
    Node on a smooth wave of `source_shape`: (the input, the output as float32)."""
    problem = webdnn_export.webassembly_toolchain_problem()
    if problem:
        pytest.fail(problem)
    source_size = int(numpy.prod(source_shape))
    kernel = template.replace('%%FUNC_NAME%%', name).replace('%%META_BUFFER%%', 'meta_buffer') \
        .replace('%%%%LOAD_BUFFER(%s)%%%%' % buffers[0], 'SOURCE') \
        .replace('%%%%LOAD_BUFFER(%s)%%%%' % buffers[1], 'TARGET')
    for key, value in values.items():
        kernel = kernel.replace('%%%%LOAD_BUFFER(%s_%s)%%%%' % (name, key), str(value))
    assert '%%' not in kernel
    source = tmp_path / (name + '.cpp')
    source.write_text(HARNESS % {'size': source_size + target_size, 'source_size': source_size,
                                 'target_size': target_size, 'kernel': kernel, 'name': name})
    for variable in ('EMCC_CFLAGS', 'NODE_PATH'):
        monkeypatch.setenv(variable, os.environ.get(variable, ''))
    webdnn_export.set_emscripten_environment(simd=True)       # as 2pack.py builds it
    out = tmp_path / (name + '.js')
    subprocess.run(['em++', '-O3', str(source), '-o', str(out), '-s', 'SINGLE_FILE=1',
                    '-s', 'ENVIRONMENT=node'], check=True, capture_output=True, timeout=300)
    done = subprocess.run(['node', str(out)], check=True, capture_output=True, text=True,
                          timeout=60)
    i = numpy.arange(source_size, dtype=numpy.float32)
    wave = numpy.sin(numpy.float32(0.37) * i) \
        + numpy.float32(0.01) * (numpy.arange(source_size) % 7)
    return (wave.astype(numpy.float32).reshape(source_shape),
            numpy.array(done.stdout.split(), numpy.float32))


@pytest.mark.parametrize('shape', [
    # N, H2, W2, C1, KH, KW, SH, SW, PH, PW: the generator's two deconvolutions, and an odd one
    (2, 7, 7, 32, 4, 4, 2, 2, 1, 1),
    (1, 14, 14, 1, 4, 4, 2, 2, 1, 1),
    (1, 5, 3, 3, 3, 2, 2, 1, 1, 0),
])
def test_col2im_kernel_matches_chainer(shape, tmp_path, monkeypatch):
    from chainer.utils import conv
    n, h2, w2, c1, kh, kw, sh, sw, ph, pw = shape
    h1, w1 = sh * (h2 - 1) + kh - 2 * ph, sw * (w2 - 1) + kw - 2 * pw
    values = {'N': n, 'C1': c1, 'H1': h1, 'W1': w1, 'H2': h2, 'W2': w2, 'KH': kh, 'KW': kw,
              'SH': sh, 'SW': sw, 'PH': ph, 'PW': pw}
    col, got = run_kernel(webdnn_patches.COL2IM_WEBASSEMBLY, 'col2im', ('col2im_col', 'col2im_im'),
                          values, (n, h2, w2, kh, kw, c1), n * h1 * w1 * c1, tmp_path,
                          monkeypatch)
    # col (N, H2, W2, KH, KW, C) -> im (N, H1, W1, C), by chainer's col2im_cpu (NCHW)
    want = conv.col2im_cpu(col.transpose(0, 5, 3, 4, 1, 2), sh, sw, ph, pw, h1, w1)
    assert numpy.abs(got.reshape(n, h1, w1, c1) - want.transpose(0, 2, 3, 1)).max() <= 1e-5


@pytest.mark.parametrize('shape', [
    # N, H1, W1, C1, KH, KW, SH, SW, PH, PW, DH, DW: the recogniser's four convolutions, a
    # strided one and a dilated one
    (1, 28, 28, 1, 3, 3, 1, 1, 1, 1, 1, 1),
    (1, 28, 28, 32, 3, 3, 1, 1, 1, 1, 1, 1),
    (2, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1),
    (1, 14, 14, 64, 4, 4, 2, 2, 1, 1, 1, 1),
    (1, 9, 7, 3, 3, 2, 2, 1, 2, 0, 2, 3),
])
def test_im2col_kernel_matches_chainer(shape, tmp_path, monkeypatch):
    from chainer.utils import conv
    n, h1, w1, c1, kh, kw, sh, sw, ph, pw, dh, dw = shape
    h2 = conv.get_conv_outsize(h1, kh, sh, ph, d=dh)
    w2 = conv.get_conv_outsize(w1, kw, sw, pw, d=dw)
    values = {'N': n, 'C1': c1, 'H1': h1, 'W1': w1, 'H2': h2, 'W2': w2, 'KH': kh, 'KW': kw,
              'DH': dh, 'DW': dw, 'SH': sh, 'SW': sw, 'PH': ph, 'PW': pw}
    im, got = run_kernel(webdnn_patches.IM2COL_WEBASSEMBLY, 'im2col', ('im2col_im', 'im2col_col'),
                         values, (n, h1, w1, c1), n * h2 * w2 * kh * kw * c1, tmp_path,
                         monkeypatch)
    # im (N, H1, W1, C) -> col (N, H2, W2, KH, KW, C), by chainer's im2col_cpu (NCHW): a copy
    # (up to the last bit of C++'s sinf against NumPy's in the input wave), zeros outside
    want = conv.im2col_cpu(im.transpose(0, 3, 1, 2), kh, kw, sh, sw, ph, pw, dy=dh, dx=dw)
    want = want.transpose(0, 4, 5, 2, 3, 1)
    got = got.reshape(want.shape)
    assert numpy.abs(got - want).max() <= 1e-6 and ((got == 0) == (want == 0)).all()


@pytest.mark.parametrize('module_name, attribute, patch', [
    ('col2im', 'template', webdnn_patches.patch_webdnn_col2im_webassembly),
    ('im2col', 'template_NHWKKC', webdnn_patches.patch_webdnn_im2col_webassembly),
])
def test_kernel_patches_apply_once_and_only_to_the_known_kernel(module_name, attribute, patch,
                                                                monkeypatch):
    import importlib
    module = importlib.import_module('webdnn.backend.webassembly.kernels.' + module_name)
    monkeypatch.setattr(module, attribute, getattr(module, attribute))   # restored afterwards
    assert patch()
    replaced = getattr(module, attribute)
    assert 'gid /' not in replaced and '%%FUNC_NAME%%' in replaced
    assert patch()                                                      # idempotent
    monkeypatch.setattr(module, attribute, '/* some other WebDNN */')
    assert not patch()
    assert getattr(module, attribute) == '/* some other WebDNN */'
