#!/usr/bin/env python
"""Train the conditional DCGAN on MNIST, or on another labelled set of 28x28 images.

    python train_gan.py --gpu -1 --iterations 20      # a CPU smoke run
    python train_gan.py --gpu 0                       # CUDA through CuPy
    python train_gan.py --dataset fashion-mnist --out result-fashion-mnist-dcgan
    python train_gan.py --image-folder my-images --out result-my-images   # a subfolder a label

Writes into --out (default result-dcgan/): log (JSON), loss.png, preview.png and
preview/image<iteration>.png (rows: one z each, columns: the labels), gen_iter_<N>.npz and
dis_iter_<N>.npz weights (the two newest of each; --keep-weights 0 keeps all),
generator_args.json, and a trainer snapshot that the same command resumes from automatically.
"""
from digitgan import checkpoints, cli  # first: chainer
from digitgan.data import sources
from digitgan.networks import CONDITIONINGS, Discriminator, Generator
from digitgan.training import cpu_processes, distributed, runs
from digitgan.training.ema import GeneratorEMA
from digitgan.training.updater import GANUpdater, LOSSES, make_optimizer
from digitgan.training.visualize import out_generated_image

import chainer
from chainer.training import extensions


def parse_args(argv=None):
    parser = cli.ArgumentParser(
        description='Conditional DCGAN on MNIST or your labelled images (Chainer)')
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
    parser.add_argument('--loss', choices=LOSSES, default='nonsaturating',
                        help='GAN loss (default %(default)s)')
    parser.add_argument('--dis-conditioning', choices=CONDITIONINGS, default='planes',
                        help="how D sees the label: 10 planes beside the image, or a "
                             'projection of its features (default %(default)s)')
    parser.add_argument('--spectral-norm', action='store_true',
                        help="spectral normalisation of D's weights (and no BatchNorm in D)")
    parser.add_argument('--dis-layers', type=int, choices=(2, 3), default=2,
                        help="D's convolutions: 2, or 3 with a 3x3 one at 7x7 (default "
                             '%(default)s)')
    parser.add_argument('--dis-minibatch-std', type=int, default=0, metavar='N',
                        help="one more feature map in D: the features' spread over groups of "
                             "N samples, so that D sees when G's digits are too alike "
                             '(Karras et al. 2018; e.g. 4; default 0: off)')
    parser.add_argument('--real-label', type=float, default=0.9,
                        help="D's target for real digits in the non-saturating loss: below 1 "
                             'is one-sided label smoothing (default %(default)s)')
    parser.add_argument('--r1-gamma', type=float, default=0.0,
                        help="R1 gradient penalty on real digits, gamma/2 * |grad D|^2 "
                             '(Mescheder et al. 2018; e.g. 1 to 10; default 0: off)')
    parser.add_argument('--dis-steps', type=int, default=1,
                        help='D updates per G update (default %(default)s)')
    parser.add_argument('--beta1', type=float, default=0.5,
                        help="Adam's beta1 for both networks (default %(default)s)")
    parser.add_argument('--keep-weights', type=int, default=2, metavar='N',
                        help='weights (gen_iter, gen_ema_iter, dis_iter) of the newest N saves '
                             'kept; 0 keeps every one, to evaluate the run\'s curve later '
                             '(default %(default)s)')
    parser.add_argument('--preview-interval', type=int, default=500,
                        help='iterations between preview grids (default %(default)s)')
    distributed.add_arguments(parser)
    cpu_processes.add_arguments(parser)
    args = parser.parse_args(argv)
    cli.check_training_arguments(args)
    distributed.check_arguments(args)
    cpu_processes.check_arguments(args)
    for name in ('n_hidden', 'gen_ch', 'dis_ch', 'preview_interval', 'dis_steps'):
        if getattr(args, name) <= 0:
            raise cli.UserError('--%s must be a positive integer' % name.replace('_', '-'))
    for name in ('gen_lr', 'dis_lr'):
        if not 0 < getattr(args, name) < 1:
            raise cli.UserError('--%s must be between 0 and 1' % name.replace('_', '-'))
    if args.lr_decay_start is not None and not 0 <= args.lr_decay_start < 1:
        raise cli.UserError('--lr-decay-start is a fraction of the run, from 0 to below 1')
    if not 0 <= args.beta1 < 1:
        raise cli.UserError('--beta1 must be from 0 to below 1')
    if args.dis_warmup < 0:
        raise cli.UserError('--dis-warmup must be 0 or a positive number of iterations')
    if not 0.5 <= args.real_label <= 1:
        raise cli.UserError('--real-label must be from 0.5 to 1 (1: no label smoothing)')
    if not 0 <= args.r1_gamma < float('inf'):
        raise cli.UserError('--r1-gamma must be 0 (off) or a positive weight, such as 1 to 10')
    if args.dis_minibatch_std == 1 or args.dis_minibatch_std < 0:
        raise cli.UserError('--dis-minibatch-std must be 0 (off) or a group size of 2 or more, '
                            'such as 4')
    if args.keep_weights < 0:
        raise cli.UserError('--keep-weights must be 0 (keep every one) or a positive count')
    if not 0 <= args.ema < 1:
        raise cli.UserError('--ema must be 0 (off) or a decay below 1, such as 0.999')
    return args


def total_iterations(args, n_train):
    """The run's length in iterations (each takes --dis-steps batches)."""
    return args.iterations or -(-args.epoch * n_train // (args.batchsize * args.dis_steps))


def main(argv=None):
    args = parse_args(argv)
    status = cpu_processes.spread_over_cores(args, argv)   # both cores of a CPU: mpiexec
    if status is not None:
        raise SystemExit(status)
    comm = distributed.communicator(args)     # None unless --communicator (mpiexec -n N)
    source = sources.from_args(args)
    device = runs.setup('conditional DCGAN' + ('' if source.name == 'mnist' else ' on %s'
                                                   % source.name), args, comm)

    def training_images():
        images = source.split('train')
        sources.check_batchsize(args.batchsize, images[1])
        return chainer.datasets.TupleDataset(*images)
    train = distributed.scatter(comm, training_images, args.seed)   # with comm: this slice

    if args.init_generator:
        gen = checkpoints.load_generator(args.init_generator)
        if gen.n_classes != source.n_classes:
            raise cli.UserError('--init-generator %s draws %d labels; %s has %d' % (
                args.init_generator, gen.n_classes, source.name, source.n_classes))
    else:
        gen = Generator(n_hidden=args.n_hidden, n_classes=source.n_classes, ch=args.gen_ch)
    dis = Discriminator(n_classes=source.n_classes, ch=args.dis_ch,
                        conditioning=args.dis_conditioning,
                        spectral_norm=args.spectral_norm, layers=args.dis_layers,
                        minibatch_std=args.dis_minibatch_std)
    gen.to_device(device)
    dis.to_device(device)

    iterator = chainer.iterators.SerialIterator(
        train, distributed.process_batchsize(args.batchsize, comm))
    optimizers = {
        'gen': distributed.multi_node(make_optimizer(gen, args.gen_lr, args.beta1), comm),
        'dis': distributed.multi_node(make_optimizer(dis, args.dis_lr, args.beta1), comm)}
    updater = GANUpdater(iterator, optimizers, models=(gen, dis), device=device,
                         loss=args.loss, dis_steps=args.dis_steps, dis_warmup=args.dis_warmup,
                         real_label=args.real_label, r1_gamma=args.r1_gamma)
    trainer = runs.make_trainer(updater, args)
    if args.lr_decay_start is not None:
        end = total_iterations(args, len(train) * distributed.world_size(comm))
        start = int(args.lr_decay_start * end)
        for name, optimizer in optimizers.items():
            trainer.extend(extensions.LinearShift('alpha', (optimizer.alpha, 0.0), (start, end),
                                                  optimizer), name=name + '_lr_decay')
    for name, optimizer in optimizers.items():   # the log shows each learning rate
        trainer.extend(extensions.observe_value(name + '/lr', lambda _, o=optimizer: o.alpha),
                       name=name + '_observe_lr', trigger=(1, 'iteration'))
    log_keys = ['gen/loss', 'dis/loss'] + (['dis/r1'] if args.r1_gamma else [])
    distributed.average_reports(trainer, comm, log_keys)
    writer = distributed.writer(trainer, comm)   # files: process 0 alone writes them
    kept = args.keep_weights or -1          # Chainer's "keep every one"
    if args.ema:
        writer.extend(GeneratorEMA(gen, args.ema, runs.snapshot_trigger(args),
                                   n_retains=kept), name='gen_ema')

    snapshot = runs.add_snapshot_and_log(
        writer, args, log_keys, {'loss.png': ['gen/loss', 'dis/loss']})
    for model, prefix in ((gen, 'gen'), (dis, 'dis')):
        weights = extensions.snapshot_object(model, prefix + '_iter_{.updater.iteration}.npz',
                                             n_retains=kept)
        # Every interval and at the end, statelessly: a resumed run writes no extra file.
        writer.extend(weights, name=prefix + '_weights', trigger=runs.snapshot_trigger(args))
    preview_every = min(args.preview_interval, args.iterations or args.preview_interval)
    # The last preview shows the final weights, whether or not the interval divides the run.
    writer.extend(out_generated_image(gen, rows=10, seed=args.seed),
                   trigger=runs.IntervalOrEndTrigger(preview_every, 'iteration',
                                                     runs.stop_trigger(args)))

    runs.resume_and_run(trainer, snapshot, args, gen, 'generator', comm,
                        dataset=source.describe())


if __name__ == '__main__':
    distributed.run(main)
