"""updater.update_from: differentiating each loss only w.r.t. its own optimizer's parameters
(chainer.grad) gives the same updates as optimizer.update(lossfun), which backpropagated
through everything, and it skips that work (bench/train_bench.py measures how much)."""
import chainer
import numpy

from digitgan.networks import Discriminator, Generator
from digitgan.training import updater as updater_module
from digitgan.training.updater import GANUpdater, make_optimizer

BATCH = 8


def full_backward_update(optimizer, loss):
    """What GANUpdater did before update_from: optimizer.update(lossfun)'s backward pass."""
    optimizer.target.cleargrads()
    loss.backward()
    optimizer.update()


def train(steps, monkeypatch=None, full_backward=False):
    numpy.random.seed(0)
    gen, dis = Generator(), Discriminator()
    rng = numpy.random.RandomState(1)
    images = rng.uniform(0, 1, (2 * BATCH, 1, 28, 28)).astype(numpy.float32)
    labels = rng.randint(0, 10, 2 * BATCH).astype(numpy.int32)
    iterator = chainer.iterators.SerialIterator(
        chainer.datasets.TupleDataset(images, labels), BATCH, shuffle=False)
    optimizers = {'gen': make_optimizer(gen), 'dis': make_optimizer(dis)}
    updater = GANUpdater(iterator, optimizers, models=(gen, dis),
                         device=chainer.get_device('@numpy'))
    if full_backward:
        monkeypatch.setattr(updater_module, 'update_from', full_backward_update)
    numpy.random.seed(2)                          # the z that make_hidden draws
    for _ in range(steps):
        updater.update()
    return ({name: p.array.copy() for name, p in gen.namedparams()},
            {name: p.array.copy() for name, p in dis.namedparams()})


def test_same_updates_as_a_full_backward_pass(monkeypatch):
    new_gen, new_dis = train(3)
    old_gen, old_dis = train(3, monkeypatch, full_backward=True)
    for new, old in ((new_gen, old_gen), (new_dis, old_dis)):
        assert new.keys() == old.keys()
        for name in new:
            numpy.testing.assert_allclose(new[name], old[name], rtol=1e-5, atol=1e-7,
                                          err_msg=name)


def test_only_the_optimizers_own_parameters_get_gradients():
    numpy.random.seed(0)
    gen, dis = Generator(), Discriminator()
    optimizer = chainer.optimizers.Adam()
    optimizer.setup(dis)
    z = gen.make_hidden(4)
    labels = numpy.arange(4)
    x = numpy.random.uniform(0, 1, (4, 1, 28, 28)).astype(numpy.float32)
    loss = chainer.functions.mean(dis(gen(gen.make_input(z, labels)), labels)) + \
        chainer.functions.mean(dis(x, labels))
    gen.cleargrads()
    updater_module.update_from(optimizer, loss)
    assert all(p.grad is not None for p in dis.params())
    assert all(p.grad is None for p in gen.params()), 'the D loss was run back through G'
