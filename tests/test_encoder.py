"""The Encoder (networks.py), its losses and training step (inversion.py), and the
restyling helpers (handwriting.py), on real networks and real MNIST digits."""
import numpy
import pytest

import digitgan  # noqa: F401  (first: makes chainer import)
import chainer

from digitgan import checkpoints
from digitgan.data.catalog import load_mnist
from digitgan.generation import handwriting
from digitgan.networks import Encoder, Generator, Recogniser
from digitgan.training import inversion
from script_helpers import shipped_generator


def test_input_planes_hold_the_image_and_the_label():
    enc = Encoder()
    images = numpy.random.RandomState(0).uniform(size=(3, 1, 28, 28)).astype(numpy.float32)
    x = enc.make_input(images, numpy.array([0, 4, 9]))
    assert x.shape == (3, 11, 28, 28) and x.dtype == numpy.float32
    assert numpy.array_equal(x[:, 0], images[:, 0])
    for row, label in enumerate([0, 4, 9]):
        assert (x[row, 1 + label] == 1).all()
        assert x[row, 1:].sum() == 28 * 28          # every other label plane is zero
    assert enc(x).shape == (3, 100)


def test_encoder_fits_the_browser_budget():
    parameters = sum(p.size for p in Encoder().params())
    assert parameters * 4 <= 0.5e6, parameters        # float32 bytes: issue 14 says <= 0.5 MB


def test_label_changes_the_code():
    enc = Encoder()
    images = numpy.zeros((2, 1, 28, 28), numpy.float32)
    with chainer.using_config('train', False):
        z = enc(enc.make_input(images, numpy.array([1, 7]))).array
    assert not numpy.allclose(z[0], z[1])


def test_loss_values_on_known_inputs():
    z = numpy.array([[1.0, -1.0], [2.0, 0.0]], numpy.float32)
    # mean squares per row: 1 and 2 -> (1-1)^2 and (2-1)^2 -> mean 0.5
    assert inversion.prior_loss(z).array == pytest.approx(0.5)
    assert inversion.latent_loss(z, numpy.zeros_like(z)).array == pytest.approx(1.5)
    assert inversion.pixel_loss(z, z).array == 0


def small_setup(mnist_dir, weights, batch=8):
    numpy.random.seed(0)
    gen, rec, enc = Generator(n_hidden=6, ch=8), Recogniser(ch=4, n_units=8), \
        Encoder(n_hidden=6, ch=4)
    images, labels = load_mnist('test', mnist_dir)
    data = chainer.datasets.TupleDataset(images[:64], labels[:64])
    optimizer = chainer.optimizers.Adam(alpha=1e-2)
    optimizer.setup(enc)
    updater = inversion.EncoderUpdater(chainer.iterators.SerialIterator(data, batch),
                                       optimizer, gen, rec, weights)
    return gen, rec, enc, updater


def step(updater, enc):
    """One update; what it reported."""
    reporter, reported = chainer.Reporter(), {}
    reporter.add_observer('encoder', enc)
    with reporter.scope(reported):
        updater.update()
    return {key: float(getattr(value, 'array', value)) for key, value in reported.items()}


def parameters(net):
    return {name: p.array.copy() for name, p in net.namedparams()}


def test_a_step_trains_the_encoder_only(mnist_dir):
    weights = {'latent': 1.0, 'pixel': 10.0, 'feature': 0.1, 'prior': 0.1}
    gen, rec, enc, updater = small_setup(mnist_dir, weights)
    before = [parameters(net) for net in (gen, rec, enc)]
    stats_before = gen.bn0.avg_mean.copy()
    reported = step(updater, enc)
    after = [parameters(net) for net in (gen, rec, enc)]
    for frozen in (0, 1):
        for name in before[frozen]:
            assert numpy.array_equal(before[frozen][name], after[frozen][name]), name
    assert numpy.array_equal(stats_before, gen.bn0.avg_mean)  # eval mode: stats untouched
    assert any(not numpy.array_equal(before[2][n], after[2][n]) for n in before[2])
    for term in inversion.LOSS_TERMS:
        assert numpy.isfinite(float(reported['encoder/' + term]))
    total = sum(w * float(reported['encoder/' + t]) for t, w in weights.items())
    assert float(reported['encoder/loss']) == pytest.approx(total, rel=1e-5)


def test_steps_lower_the_reconstruction_error(mnist_dir):
    """Training on 16 real digits (pixel term alone, the shipped generator) brings
    G(E(x, y), y) closer to x: the error of the first steps falls by a third."""
    numpy.random.seed(0)
    gen = checkpoints.load_generator(shipped_generator())
    enc = Encoder()
    optimizer = chainer.optimizers.Adam(alpha=1e-3)
    optimizer.setup(enc)
    images, labels = load_mnist('test', mnist_dir)
    data = chainer.datasets.TupleDataset(images[:16], labels[:16])
    updater = inversion.EncoderUpdater(chainer.iterators.SerialIterator(data, 16),
                                       optimizer, gen, None, {'pixel': 1.0})
    losses = [step(updater, enc)['encoder/pixel'] for _ in range(40)]
    assert numpy.mean(losses[-5:]) < 0.67 * numpy.mean(losses[:3]), losses


def test_unknown_loss_term_is_refused(mnist_dir):
    with pytest.raises(ValueError, match='unknown loss terms: style'):
        small_setup(mnist_dir, {'style': 1.0})


def test_restyle_writes_each_target_from_one_code(mnist_dir):
    numpy.random.seed(1)
    gen, enc = Generator(n_hidden=6, ch=8), Encoder(n_hidden=6, ch=4)
    images, labels = load_mnist('test', mnist_dir)
    out = handwriting.restyle(gen, enc, images[:3, 0], labels[:3], [2, 5])
    assert out.shape == (3, 2, 28, 28)
    z = handwriting.encode(enc, images[:3, 0], labels[:3])
    from digitgan.generation.sampling import generate
    again = generate(gen, z, numpy.full(3, 5))
    assert numpy.allclose(out[:, 1], again[:, 0], atol=1e-6)


def test_like_sheet_puts_each_input_before_its_digits():
    images = numpy.zeros((2, 28, 28), numpy.float32)
    images[1] = 1
    outputs = numpy.zeros((2, 3, 28, 28), numpy.float32)
    sheet = handwriting.like_sheet(images, outputs, gap=4)
    assert sheet.shape == (56, 28 + 4 + 3 * 28)
    assert (sheet[:28, :28] == 255).all() and (sheet[28:, :28] == 0).all()  # ink is dark
    assert (sheet[:, 28:32] == 255).all()
