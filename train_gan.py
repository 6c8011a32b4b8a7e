#!/usr/bin/env python
"""Train the conditional DCGAN on MNIST.

    python train_gan.py --gpu -1 --iterations 20      # a CPU smoke run
    python train_gan.py --gpu 0                       # CUDA through CuPy

Writes into --out (default result-dcgan/): log (JSON), loss.png, preview.png and
preview/image<iteration>.png (rows: one z each, columns: digits 0-9), gen_iter_<N>.npz and
dis_iter_<N>.npz weights, generator_args.json, and a trainer snapshot that the same command
resumes from automatically.
"""
from digitgan import checkpoints, cli, training  # first: makes chainer importable
from digitgan.mnist_data import load_mnist
from digitgan.networks import Discriminator, Generator
from digitgan.updater import GANUpdater
from digitgan.visualize import out_generated_image
from digitgan.ema import GeneratorEMA

import chainer
from chainer.training import extensions


def parse_args(argv=None):
    parser = cli.ArgumentParser(description='Conditional DCGAN on MNIST (Chainer)')
    cli.add_training_arguments(parser, out='result-dcgan', epoch=20, batchsize=100)
    parser.add_argument('--n-hidden', '-n', type=int, default=100,
                        help='size of the noise vector z (default %(default)s)')
    parser.add_argument('--gen-ch', type=int, default=64,
                        help="generator channels at 7x7 (default %(default)s)")
    parser.add_argument('--dis-ch', type=int, default=64,
                        help="discriminator's first-layer channels (default %(default)s)")
    parser.add_argument('--gen-lr', type=float, default=2e-4,
                        help="generator's Adam learning rate (default %(default)s)")
    parser.add_argument('--dis-lr', type=float, default=2e-4,
                        help="discriminator's Adam learning rate (default %(default)s)")
    parser.add_argument('--lr-decay-start', type=float, default=None, metavar='FRACTION',
                        help='from this fraction of the run on, both learning rates fall '
                             'linearly to 0 at its end (e.g. 0.5; default: constant)')
    parser.add_argument('--ema', type=float, default=0.999,
                        help="decay of the moving average of G's weights saved as "
                             'gen_ema_iter_<N>.npz; 0 turns it off (default %(default)s)')
    parser.add_argument('--init-generator', default=None, metavar='GEN_NPZ',
                        help='start G from these weights (gen_iter_<N>.npz with its '
                             'generator_args.json, whose sizes replace --n-hidden/--gen-ch); '
                             'D starts fresh, so pair it with --dis-warmup')
    parser.add_argument('--dis-warmup', type=int, default=0,
                        help='first iterations in which only D trains (default %(default)s)')
    parser.add_argument('--preview-interval', type=int, default=500,
                        help='iterations between preview grids (default %(default)s)')
    args = parser.parse_args(argv)
    cli.check_training_arguments(args)
    for name in ('n_hidden', 'gen_ch', 'dis_ch', 'preview_interval'):
        if getattr(args, name) <= 0:
            raise cli.UserError('--%s must be a positive integer' % name.replace('_', '-'))
    for name in ('gen_lr', 'dis_lr'):
        if not 0 < getattr(args, name) < 1:
            raise cli.UserError('--%s must be between 0 and 1' % name.replace('_', '-'))
    if args.lr_decay_start is not None and not 0 <= args.lr_decay_start < 1:
        raise cli.UserError('--lr-decay-start is a fraction of the run, from 0 to below 1')
    if args.dis_warmup < 0:
        raise cli.UserError('--dis-warmup must be 0 or a positive number of iterations')
    if not 0 <= args.ema < 1:
        raise cli.UserError('--ema must be 0 (off) or a decay below 1, such as 0.999')
    return args


def total_iterations(args, n_train):
    return args.iterations or -(-args.epoch * n_train // args.batchsize)


def make_optimizer(model, alpha=2e-4, beta1=0.5):
    optimizer = chainer.optimizers.Adam(alpha=alpha, beta1=beta1)
    optimizer.setup(model)
    return optimizer


def main(argv=None):
    args = parse_args(argv)
    device = training.setup('conditional DCGAN', args)
    train = chainer.datasets.TupleDataset(*load_mnist('train', args.data_dir))

    if args.init_generator:
        gen = checkpoints.load_generator(args.init_generator)
    else:
        gen = Generator(n_hidden=args.n_hidden, ch=args.gen_ch)
    dis = Discriminator(ch=args.dis_ch)
    gen.to_device(device)
    dis.to_device(device)

    iterator = chainer.iterators.SerialIterator(train, args.batchsize)
    optimizers = {'gen': make_optimizer(gen, args.gen_lr), 'dis': make_optimizer(dis, args.dis_lr)}
    updater = GANUpdater(iterator, optimizers, models=(gen, dis), device=device,
                         dis_warmup=args.dis_warmup)
    trainer = training.make_trainer(updater, args)
    if args.lr_decay_start is not None:
        end = total_iterations(args, len(train))
        start = int(args.lr_decay_start * end)
        for name, optimizer in optimizers.items():
            trainer.extend(extensions.LinearShift('alpha', (optimizer.alpha, 0.0), (start, end),
                                                  optimizer), name=name + '_lr_decay')
    if args.ema:
        save_every = training.IntervalOrEndTrigger(args.snapshot_interval, 'iteration',
                                                   training.stop_trigger(args))
        trainer.extend(GeneratorEMA(gen, args.ema, save_every), name='gen_ema')

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
