#!/usr/bin/env python
"""Train the conditional DCGAN on MNIST.

    python train_gan.py --gpu -1 --iterations 20      # a CPU smoke run
    python train_gan.py --gpu 0                       # CUDA through CuPy

Writes into --out (default result-dcgan/): log (JSON), loss.png, preview.png and
preview/image<iteration>.png (rows: one z each, columns: digits 0-9), gen_iter_<N>.npz and
dis_iter_<N>.npz weights, generator_args.json, and a trainer snapshot that the same command
resumes from automatically.
"""
import compat  # noqa: F401  (must come first: makes chainer import on today's stack)

import chainer
from chainer.training import extensions

import cli
from mnist_data import load_mnist
from networks import Discriminator, Generator
import training
from updater import GANUpdater
from visualize import out_generated_image


def parse_args(argv=None):
    parser = cli.ArgumentParser(description='Conditional DCGAN on MNIST (Chainer)')
    cli.add_training_arguments(parser, out='result-dcgan', epoch=20, batchsize=100)
    parser.add_argument('--n-hidden', '-n', type=int, default=100,
                        help='size of the noise vector z (default %(default)s)')
    parser.add_argument('--gen-ch', type=int, default=64,
                        help="generator channels at 7x7 (default %(default)s)")
    parser.add_argument('--dis-ch', type=int, default=64,
                        help="discriminator's first-layer channels (default %(default)s)")
    parser.add_argument('--preview-interval', type=int, default=500,
                        help='iterations between preview grids (default %(default)s)')
    args = parser.parse_args(argv)
    cli.check_training_arguments(args)
    for name in ('n_hidden', 'gen_ch', 'dis_ch', 'preview_interval'):
        if getattr(args, name) <= 0:
            raise cli.UserError('--%s must be a positive integer' % name.replace('_', '-'))
    return args


def make_optimizer(model, alpha=2e-4, beta1=0.5):
    optimizer = chainer.optimizers.Adam(alpha=alpha, beta1=beta1)
    optimizer.setup(model)
    return optimizer


def main(argv=None):
    args = parse_args(argv)
    device = training.setup('conditional DCGAN', args)
    train = chainer.datasets.TupleDataset(*load_mnist('train', args.data_dir))

    gen = Generator(n_hidden=args.n_hidden, ch=args.gen_ch)
    dis = Discriminator(ch=args.dis_ch)
    gen.to_device(device)
    dis.to_device(device)

    iterator = chainer.iterators.SerialIterator(train, args.batchsize)
    updater = GANUpdater(iterator, {'gen': make_optimizer(gen), 'dis': make_optimizer(dis)},
                         models=(gen, dis), device=device)
    trainer = training.make_trainer(updater, args)

    snapshot = training.add_snapshot_and_log(
        trainer, args, ['gen/loss', 'dis/loss'], {'loss.png': ['gen/loss', 'dis/loss']})
    for model, prefix in ((gen, 'gen'), (dis, 'dis')):
        weights = extensions.snapshot_object(model, prefix + '_iter_{.updater.iteration}.npz',
                                             n_retains=2)
        # Triggers keep state: each extension needs its own, or only the first one fires.
        trainer.extend(weights, name=prefix + '_weights', trigger=chainer.training.triggers
                       .IntervalTrigger(args.snapshot_interval, 'iteration'))
        trainer.extend(weights, name=prefix + '_final_weights', trigger=chainer.training
                       .triggers.ManualScheduleTrigger(*training.stop_trigger(args)))
    preview_every = min(args.preview_interval, args.iterations or args.preview_interval)
    # The last preview shows the final weights, whether or not the interval divides the run.
    trainer.extend(out_generated_image(gen, rows=10, seed=args.seed),
                   trigger=training.IntervalOrEndTrigger(preview_every, 'iteration',
                                                         training.stop_trigger(args)))

    training.resume_and_run(trainer, snapshot, args, gen, 'generator')


if __name__ == '__main__':
    cli.run(main)
