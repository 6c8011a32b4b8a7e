"""An exponential moving average (EMA) of the generator's weights, as a Trainer extension.

Averaging G's weights over the last few thousand steps smooths out the oscillation of GAN
training (Yazici et al. 2019). The averaged weights never ran a forward pass in training,
so their BatchNorm statistics are recomputed (train-mode passes over fresh z and labels)
before every save: `gen_ema_iter_<N>.npz`, loadable like `gen_iter_<N>.npz`.
"""
import copy
import os
import re

import chainer
import numpy

from digitgan import checkpoints
from digitgan.cli import atomic_path

EMA_FILE = re.compile(r'gen_ema_iter_(\d+)\.npz')
BN_BATCHES = 20     # 2,000 samples: running statistics within ~1 % of the 10,000-sample ones
BN_BATCHSIZE = 100


def ema_decay(beta, iteration):
    """The averaging weight at `iteration` (1-based): `beta`, but smaller early on so that the
    average is not dominated by the random initial weights."""
    return min(beta, (1.0 + iteration) / (10.0 + iteration))


def recompute_batchnorm(gen, batches=BN_BATCHES, batchsize=BN_BATCHSIZE, seed=0):
    """Replace every BatchNormalization's running mean/variance in `gen` with the exact
    average over `batches` train-mode batches of z ~ N(0, 1) and uniform labels."""
    norms = [link for link in gen.links() if isinstance(link, chainer.links.BatchNormalization)]
    decays = [bn.decay for bn in norms]
    rng = numpy.random.RandomState(seed)
    xp = gen.xp
    try:
        with chainer.using_config('train', True), chainer.using_config('enable_backprop', False):
            for k in range(1, batches + 1):
                for bn in norms:
                    bn.decay = 1.0 - 1.0 / k     # running value = mean of the k batches so far
                z = rng.standard_normal((batchsize, gen.n_hidden)).astype(numpy.float32)
                labels = rng.randint(0, gen.n_classes, batchsize).astype(numpy.int32)
                gen(gen.make_input(xp.asarray(z), xp.asarray(labels)))
    finally:
        for bn, decay in zip(norms, decays):
            bn.decay = decay


class GeneratorEMA(chainer.training.Extension):
    """Every iteration: ema = d * ema + (1 - d) * gen, d = ema_decay(beta, iteration).
    Every `save_trigger`: writes gen_ema_iter_<N>.npz (BN recomputed), keeping the newest
    `n_retains` (-1: all, as for Chainer's snapshot_object).
    The average is part of the trainer snapshot, so a resumed run keeps averaging."""

    trigger = 1, 'iteration'
    # Above the snapshot writers (300): a snapshot taken this iteration holds this update.
    priority = chainer.training.PRIORITY_WRITER + 100

    def __init__(self, gen, beta=0.999, save_trigger=None, n_retains=2):
        self.gen = gen
        self.beta = beta
        self.average = copy.deepcopy(gen)
        self.save_trigger = chainer.training.trigger.get_trigger(save_trigger)
        self.n_retains = n_retains

    def __call__(self, trainer):
        decay = ema_decay(self.beta, trainer.updater.iteration)
        for averaged, current in zip(self.average.params(), self.gen.params()):
            averaged.array *= decay
            averaged.array += (1.0 - decay) * current.array
        if self.save_trigger(trainer):
            self.save(trainer.out, trainer.updater.iteration)

    def averaged_generator(self):
        """A copy of the average with BatchNorm statistics recomputed for its weights."""
        gen = copy.deepcopy(self.average)
        recompute_batchnorm(gen)
        return gen

    def save(self, out, iteration):
        path = os.path.join(out, 'gen_ema_iter_%d.npz' % iteration)
        with atomic_path(path) as tmp:
            chainer.serializers.save_npz(tmp, self.averaged_generator())
        self._remove_old(out)

    def _remove_old(self, out):
        if self.n_retains < 0:
            return
        found = sorted((int(m.group(1)), name) for name in os.listdir(out)
                       for m in [EMA_FILE.fullmatch(name)] if m)
        for _, name in found[:-self.n_retains]:
            os.remove(os.path.join(out, name))

    def serialize(self, serializer):
        self.average.serialize(serializer['average'])
        if hasattr(self.save_trigger, 'serialize'):
            self.save_trigger.serialize(serializer['save_trigger'])


def newest_ema(folder):
    return checkpoints.newest_numbered(folder, EMA_FILE)
