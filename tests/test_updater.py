"""updater.py: one GANUpdater step on a small batch of real MNIST digits, on the CPU."""
import math

import chainer
import numpy
import pytest

from digitgan.data.catalog import load_mnist
from digitgan.networks import Discriminator, Generator
from script_helpers import data_dir_or_fail
from digitgan.training import updater as updater_module
from digitgan.training.updater import GANUpdater, make_optimizer

BATCH = 16


@pytest.fixture(scope='module')
def digits(mnist_dir):
    images, labels = load_mnist('test', data_dir_or_fail(mnist_dir))
    return images[:4 * BATCH], labels[:4 * BATCH]


def make_updater(digits, gen, dis, shuffle=False, **options):
    iterator = chainer.iterators.SerialIterator(
        chainer.datasets.TupleDataset(*digits), BATCH, shuffle=shuffle)
    optimizers = {'gen': make_optimizer(gen), 'dis': make_optimizer(dis)}
    return GANUpdater(iterator, optimizers, models=(gen, dis),
                      device=chainer.get_device('@numpy'), **options)


def params(link):
    return {name: param.array.copy() for name, param in link.namedparams()}


def test_one_update_reports_finite_losses_and_moves_both_networks(digits):
    numpy.random.seed(0)
    gen, dis = Generator(), Discriminator()
    updater = make_updater(digits, gen, dis)
    gen_before, dis_before = params(gen), params(dis)

    reporter = chainer.Reporter()
    reporter.add_observer('gen', gen)
    reporter.add_observer('dis', dis)
    observation = {}
    with reporter.scope(observation):
        updater.update()

    assert updater.iteration == 1
    for key in ('gen/loss', 'dis/loss'):
        value = float(chainer.backend.CpuDevice().send(observation[key].array))
        assert math.isfinite(value) and value > 0, key
    gen_after, dis_after = params(gen), params(dis)
    for name, before, after in (('gen', gen_before, gen_after), ('dis', dis_before, dis_after)):
        unchanged = [key for key in before if numpy.array_equal(before[key], after[key])]
        assert not unchanged, '%s parameters that did not move: %s' % (name, unchanged)
        assert all(numpy.isfinite(value).all() for value in after.values())


def test_losses_at_known_logits():
    """With D's logits all 0 (D undecided), the losses have closed forms; the discriminator
    loss uses one-sided label smoothing (targets 0.9 for real, 0 for fake)."""
    updater = GANUpdater.__new__(GANUpdater)
    updater.real_label = 0.9
    updater.loss = 'nonsaturating'
    dis, gen = chainer.Link(), chainer.Link()
    reporter = chainer.Reporter()
    reporter.add_observer('gen', gen)
    reporter.add_observer('dis', dis)
    zero = numpy.zeros((4, 1), numpy.float32)
    observation = {}
    with reporter.scope(observation):
        loss_dis = float(updater.loss_dis(dis, zero, zero).array)
        loss_gen = float(updater.loss_gen(gen, zero).array)
    assert float(observation['dis/loss'].array) == loss_dis
    assert float(observation['gen/loss'].array) == loss_gen
    assert loss_dis == pytest.approx(2 * math.log(2), rel=1e-6)
    assert loss_gen == pytest.approx(math.log(2), rel=1e-6)
    # a confident, correct D: large real logits, very negative fake logits
    real = numpy.full((4, 1), 20, numpy.float32)
    fake = numpy.full((4, 1), -20, numpy.float32)
    with reporter.scope({}):
        loss_dis = float(updater.loss_dis(dis, real, fake).array)
        loss_gen = float(updater.loss_gen(gen, fake).array)
    assert loss_dis == pytest.approx(0.1 * 20, rel=1e-3)     # smoothing: 10 % "fake" on real
    assert loss_gen == pytest.approx(20, rel=1e-3)


def test_training_steps_lower_the_discriminator_loss_on_a_fixed_batch(digits):
    """Not a quality test: a few steps must make D better at its own objective on the
    digits it sees, which fails if gradients flow the wrong way or labels are misused."""
    numpy.random.seed(1)
    gen, dis = Generator(), Discriminator()
    updater = make_updater((digits[0][:BATCH], digits[1][:BATCH]), gen, dis)
    reporter = chainer.Reporter()
    reporter.add_observer('gen', gen)
    reporter.add_observer('dis', dis)
    losses = []
    for _ in range(6):
        observation = {}
        with reporter.scope(observation):
            updater.update()
        losses.append(float(observation['dis/loss'].array))
    assert updater.iteration == 6
    assert losses[-1] < losses[0]


def test_hinge_losses_at_known_logits():
    """Hinge: D pays only for real logits below 1 and fake logits above -1; G's loss is
    minus the mean fake logit."""
    real = numpy.array([[2.0], [0.5], [-1.0], [1.0]], numpy.float32)
    fake = numpy.array([[-3.0], [-0.5], [1.0], [-1.0]], numpy.float32)
    # real: max(0, 1 - y) = 0, 0.5, 2, 0 -> mean 0.625; fake: max(0, 1 + y) = 0, 0.5, 2, 0
    assert float(updater_module.hinge_dis_loss(real, fake).array) == pytest.approx(1.25)
    assert float(updater_module.hinge_gen_loss(fake).array) == pytest.approx(0.875)
    # a D that separates by the margin pays nothing
    assert float(updater_module.hinge_dis_loss(real + 10, fake - 10).array) == 0.0


@pytest.mark.parametrize('loss', ['nonsaturating', 'hinge'])
@pytest.mark.parametrize('conditioning,spectral_norm', [('planes', False),
                                                         ('projection', True)])
def test_step_with_each_loss_and_discriminator(digits, loss, conditioning, spectral_norm):
    numpy.random.seed(0)
    gen = Generator(n_hidden=8, ch=8)
    dis = Discriminator(ch=4, conditioning=conditioning, spectral_norm=spectral_norm)
    updater = make_updater(digits, gen, dis, loss=loss)
    before = params(gen), params(dis)
    with chainer.using_config('train', True):
        updater.update()
    after = params(gen), params(dis)
    for old, new in zip(before, after):
        assert any(not numpy.array_equal(old[k], new[k]) for k in old)
        assert all(numpy.isfinite(v).all() for v in new.values())


def test_dis_steps_and_warmup(digits):
    """dis_steps=2 takes two batches per iteration; during the warm-up G does not move."""
    numpy.random.seed(1)
    gen, dis = Generator(n_hidden=8, ch=8), Discriminator(ch=4)
    updater = make_updater(digits, gen, dis, dis_steps=2, dis_warmup=1)
    gen_before, dis_before = params(gen), params(dis)
    with chainer.using_config('train', True):
        updater.update()
    assert updater.get_iterator('main').current_position == 2 * BATCH
    assert all(numpy.array_equal(gen_before[k], v) for k, v in params(gen).items())
    assert any(not numpy.array_equal(dis_before[k], v) for k, v in params(dis).items())
    with chainer.using_config('train', True):
        updater.update()                                  # past the warm-up: G trains
    assert any(not numpy.array_equal(gen_before[k], v) for k, v in params(gen).items())


@pytest.mark.parametrize('kernels', [True, False])
def test_r1_penalty_is_the_squared_input_gradient_and_trains_d(digits, kernels):
    """dis/r1 is E|grad_x D(x_real)|^2 (checked against a finite difference along a random
    direction), with or without the CPU kernels (their double back-propagation); with
    --r1-gamma D's update differs from the one without it, and G's does not."""
    from digitgan import cpu_kernels
    was_on = cpu_kernels.enabled()
    (cpu_kernels.enable if kernels else cpu_kernels.disable)()
    try:
        numpy.random.seed(2)
        dis = Discriminator(ch=4, layers=3)
        x = digits[0][:BATCH].copy()
        labels = digits[1][:BATCH]
        with chainer.using_config('train', False):     # fixed BN: D is a function of x
            x_var = chainer.Variable(x)
            penalty = float(updater_module.r1_penalty(dis(x_var, labels), x_var).array)
            direction = numpy.random.RandomState(0).standard_normal(x.shape)
            direction = (direction / numpy.linalg.norm(direction)).astype(numpy.float32)
            x_var = chainer.Variable(x)
            y = chainer.functions.sum(dis(x_var, labels))
            gx, = chainer.grad([y], [x_var])
            eps = 1e-2
            plus = float(chainer.functions.sum(dis(x + eps * direction, labels)).array)
            minus = float(chainer.functions.sum(dis(x - eps * direction, labels)).array)
            assert (plus - minus) / (2 * eps) == pytest.approx(
                float((gx.array * direction).sum()), rel=2e-2, abs=1e-4)
            assert penalty == pytest.approx(float((gx.array ** 2).sum()) / BATCH, rel=1e-4)
        results = {}
        for gamma in (0.0, 10.0):
            numpy.random.seed(3)
            gen, dis = Generator(n_hidden=8, ch=8), Discriminator(ch=4)
            updater = make_updater(digits, gen, dis, r1_gamma=gamma)
            reporter, observation = chainer.Reporter(), {}
            reporter.add_observer('dis', dis)
            reporter.add_observer('gen', gen)
            with reporter.scope(observation):
                updater.update()
            assert ('dis/r1' in observation) == bool(gamma)
            results[gamma] = params(gen), params(dis)
        assert any(not numpy.allclose(results[0.0][1][k], results[10.0][1][k])
                   for k in results[0.0][1])
    finally:
        (cpu_kernels.enable if was_on else cpu_kernels.disable)()
