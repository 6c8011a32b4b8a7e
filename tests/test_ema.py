"""digitgan/training/ema.py: the averaging rule, BatchNorm recomputation, saving, and the EMA in a
real (tiny) training run: saved beside the raw weights, restored on resume."""
import json
import os

import chainer
import numpy
import pytest

from digitgan import checkpoints
from digitgan.networks import Generator
from digitgan.training import ema
from script_helpers import assert_ok, data_dir_or_fail, run_script


def small_generator(seed):
    numpy.random.seed(seed)
    return Generator(n_hidden=6, ch=8)


class FakeTrainer:
    """What GeneratorEMA reads from a trainer: updater.iteration and out."""
    def __init__(self, out):
        self.out = str(out)
        self.updater = type('Updater', (), {'iteration': 0})()


def test_decay_warms_up_then_stays_at_beta():
    assert ema.ema_decay(0.999, 1) == pytest.approx(2 / 11)
    assert ema.ema_decay(0.999, 10) == pytest.approx(11 / 20)
    assert ema.ema_decay(0.999, 10 ** 6) == 0.999


def test_average_follows_the_update_rule(tmp_path):
    gen = small_generator(0)
    average = ema.GeneratorEMA(gen, beta=0.9, save_trigger=(10 ** 6, 'iteration'))
    trainer = FakeTrainer(tmp_path)
    expected = {name: p.array.copy() for name, p in gen.namedparams()}
    for iteration in range(1, 40):
        for p in gen.params():                 # stands in for an optimizer step
            p.array += numpy.float32(0.01 * iteration)
        trainer.updater.iteration = iteration
        average(trainer)
        d = ema.ema_decay(0.9, iteration)
        for name, p in gen.namedparams():
            expected[name] = d * expected[name] + (1 - d) * p.array
    for name, p in average.average.namedparams():
        numpy.testing.assert_allclose(p.array, expected[name], rtol=1e-5, atol=1e-6)
        # the average lags behind the current weights, which kept growing
        assert not numpy.allclose(p.array, dict(gen.namedparams())[name].array)


def test_batchnorm_statistics_are_recomputed_for_the_averaged_weights():
    gen = small_generator(1)
    for bn in (gen.bn0, gen.bn1):                  # stale statistics
        bn.avg_mean[...] = 5.0
        bn.avg_var[...] = 7.0
    ema.recompute_batchnorm(gen, batches=4, batchsize=50, seed=3)
    # the exact statistics of the same 200 samples, computed directly
    rng = numpy.random.RandomState(3)
    inputs = []
    for _ in range(4):
        z = rng.standard_normal((50, 6)).astype(numpy.float32)
        labels = rng.randint(0, 10, 50).astype(numpy.int32)
        inputs.append(gen.make_input(z, labels))
    with chainer.using_config('train', False), chainer.using_config('enable_backprop', False):
        h0 = [gen.l0(x).array for x in inputs]
    # bn0's running mean is the mean of the four batch means
    numpy.testing.assert_allclose(gen.bn0.avg_mean, numpy.mean([h.mean(0) for h in h0], 0),
                                  rtol=1e-4, atol=1e-5)
    assert gen.bn0.decay == 0.9                    # restored after the recomputation
    assert numpy.all(gen.bn1.avg_var < 7.0)


def test_saved_average_loads_like_raw_weights_and_keeps_two(tmp_path):
    gen = small_generator(2)
    average = ema.GeneratorEMA(gen, beta=0.99, save_trigger=(2, 'iteration'))
    trainer = FakeTrainer(tmp_path)
    with open(tmp_path / 'generator_args.json', 'w') as f:
        json.dump(gen.model_args(), f)
    for iteration in range(1, 7):
        trainer.updater.iteration = iteration
        average(trainer)
    names = sorted(name for name in os.listdir(tmp_path) if name.startswith('gen_ema'))
    assert names == ['gen_ema_iter_4.npz', 'gen_ema_iter_6.npz']
    loaded = checkpoints.load_generator(str(tmp_path / 'gen_ema_iter_6.npz'))
    for name, p in loaded.namedparams():
        numpy.testing.assert_array_equal(p.array, dict(average.average.namedparams())[name].array)
    assert ema.newest_ema(str(tmp_path)).endswith('gen_ema_iter_6.npz')


def test_training_run_saves_and_resumes_the_average(tmp_path, mnist_dir):
    out = tmp_path / 'run'
    common = ['--gpu', -1, '--batchsize', 8, '--snapshot-interval', 3, '--preview-interval', 3,
              '--gen-ch', 8, '--dis-ch', 4, '--ema', 0.9, '--data-dir',
              data_dir_or_fail(mnist_dir), '--out', out]
    assert_ok(run_script('train_gan.py', '--iterations', 3, *common))
    snapshot = numpy.load(out / 'snapshot_iter_3', allow_pickle=False)
    saved = checkpoints.read_npz(str(out / 'gen_ema_iter_3.npz'))
    # the snapshot holds the average (weights equal to the saved file's)
    numpy.testing.assert_array_equal(snapshot['extensions/gen_ema/average/l0/W'],
                                     saved['l0/W'])
    done = run_script('train_gan.py', '--iterations', 6, *common)
    assert_ok(done)
    assert 'resumed from' in done.stdout
    assert {'gen_ema_iter_3.npz', 'gen_ema_iter_6.npz'} <= set(os.listdir(out))


def test_average_survives_a_snapshot_round_trip(tmp_path):
    gen = small_generator(4)
    average = ema.GeneratorEMA(gen, beta=0.9, save_trigger=(100, 'iteration'))
    trainer = FakeTrainer(tmp_path)
    for iteration in range(1, 5):
        for p in gen.params():
            p.array *= numpy.float32(1.1)
        trainer.updater.iteration = iteration
        average(trainer)
    saved = chainer.serializers.DictionarySerializer()
    average.serialize(saved)
    restored = ema.GeneratorEMA(small_generator(5), beta=0.9, save_trigger=(100, 'iteration'))
    restored.serialize(chainer.serializers.NpzDeserializer(saved.target))
    for (name, p), (_, q) in zip(sorted(average.average.namedparams()),
                                 sorted(restored.average.namedparams())):
        numpy.testing.assert_array_equal(p.array, q.array, err_msg=name)
