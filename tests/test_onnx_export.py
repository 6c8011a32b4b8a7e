"""onnx_export.py: the ONNX generator computes what the Chainer generator computes (eval mode)."""
import numpy
import pytest

import digitgan  # noqa: F401  (before chainer)
import chainer
from digitgan import networks
from digitgan.export import onnx_export

TOLERANCE = 1e-5


def trained_looking_generator(seed=0, **kwargs):
    """A Generator whose BatchNorm running statistics and affine parameters are not the
    initial 0/1, so a wrong mean/var/eps/gamma order in the export would show."""
    numpy.random.seed(seed)
    gen = networks.Generator(**kwargs)
    rng = numpy.random.RandomState(seed)
    for bn in (gen.bn0, gen.bn1):
        size = bn.avg_mean.shape[0]
        bn.avg_mean[...] = rng.normal(0, 0.05, size)
        bn.avg_var[...] = rng.uniform(0.01, 0.2, size)
        bn.gamma.array[...] = rng.uniform(0.5, 1.5, size)
        bn.beta.array[...] = rng.normal(0, 0.1, size)
    for link in (gen.l0, gen.dc1, gen.dc2):
        link.b.array[...] = rng.normal(0, 0.05, link.b.shape)
    return gen


def chainer_output(gen, x):
    with chainer.using_config('train', False), chainer.no_backprop_mode():
        return gen(x).array


def inputs(gen, batch, seed=1):
    rng = numpy.random.RandomState(seed)
    z = rng.standard_normal((batch, gen.n_hidden)).astype(numpy.float32)
    return gen.make_input(z, numpy.arange(batch) % gen.n_classes)


@pytest.mark.parametrize('kwargs', [{}, {'n_hidden': 20, 'ch': 16, 'bottom_width': 5}])
def test_onnx_generator_matches_chainer(kwargs):
    gen = trained_looking_generator(**kwargs)
    model = onnx_export.generator_to_onnx(gen)
    for batch in (1, 10):                       # one symbolic batch dimension serves both
        x = inputs(gen, batch)
        got = onnx_export.run_reference(model, x)
        want = chainer_output(gen, x)
        assert got.shape == want.shape == (batch, 1, gen.bottom_width * 4, gen.bottom_width * 4)
        assert numpy.abs(got - want).max() <= TOLERANCE


def test_onnx_file_runs_in_onnxruntime(tmp_path):
    ort = pytest.importorskip('onnxruntime', reason='bench/requirements.txt installs it')
    gen = trained_looking_generator()
    path = tmp_path / 'generator.onnx'
    info = onnx_export.save_generator(gen, str(path))
    assert info['bytes'] == path.stat().st_size
    session = ort.InferenceSession(str(path), providers=['CPUExecutionProvider'])
    x = inputs(gen, 100)
    got = session.run([info['output_name']], {info['input_name']: x})[0]
    assert numpy.abs(got - chainer_output(gen, x)).max() <= TOLERANCE


def test_parameter_count_is_preserved():
    import onnx
    gen = trained_looking_generator()
    model = onnx_export.generator_to_onnx(gen)
    stored = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
    # every Chainer parameter and BatchNorm statistic, plus the reshape target
    expected = sum(p.size for p in gen.params()) + sum(
        bn.avg_mean.size + bn.avg_var.size for bn in (gen.bn0, gen.bn1))
    assert sum(v.size for k, v in stored.items() if k != 'shape0') == expected
