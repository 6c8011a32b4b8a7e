#!/usr/bin/env python
"""Train the Encoder that finds the z of a drawn digit, against a frozen trained generator.

    python train_encoder.py --gpu -1                   # against the shipped generator
    python train_encoder.py --iterations 20 --out /tmp/enc    # a smoke run

G(E(x, y), y) then redraws the digit x, and G(E(x, y), y') writes y' in the same hand
(generate.py --like, the recogniser page's "in your handwriting" row). The loss mixes four
terms (digitgan/training/inversion.py), each weighted by a flag, 0 switching it off.

Writes into --out (default result-encoder/): log, loss.png, preview.png (ten MNIST test
digits, each followed by 0-9 in its handwriting), trainer snapshots (resumed
automatically), encoder.npz and encoder_args.json, which records the generator's SHA-256:
an encoder is only valid with the generator it was trained against.
"""
import os

from digitgan import checkpoints, cli  # first: chainer
from digitgan.data import sources
from digitgan.export import webdnn_export as export
from digitgan.generation import handwriting
from digitgan.generation.sampling import save_png
from digitgan.networks import Encoder
from digitgan.training import cpu_processes, distributed, runs
from digitgan.training.inversion import DEFAULT_WEIGHTS, EncoderUpdater, LOSS_TERMS

import chainer
from chainer.training import extensions
import numpy



def parse_args(argv=None):
    parser = cli.ArgumentParser(description='Train the Encoder (digit image -> z) against a '
                                            'frozen generator')
    cli.add_training_arguments(parser, out='result-encoder', epoch=3, batchsize=100)
    parser.add_argument('--generator', default=None,
                        help='the frozen generator (default: the newest gen_iter_<N>.npz in '
                             'result-dcgan/, the shipped one)')
    parser.add_argument('--recogniser', default=checkpoints.JUDGE,
                        help='recogniser for the feature loss (default: the judge, '
                             'result-judge/recogniser.npz)')
    parser.add_argument('--lr', type=float, default=1e-3,
                        help="Adam's step size, decayed linearly to 0 over the second half "
                             '(default %(default)s)')
    for term in LOSS_TERMS:
        parser.add_argument('--%s-weight' % term, type=float, default=DEFAULT_WEIGHTS[term],
                            help='weight of the %s loss, 0 for none (default %%(default)s)'
                                 % term)
    distributed.add_arguments(parser)
    cpu_processes.add_arguments(parser)
    args = parser.parse_args(argv)
    cli.check_training_arguments(args)
    distributed.check_arguments(args)
    cpu_processes.check_arguments(args)
    weights = {term: getattr(args, '%s_weight' % term) for term in LOSS_TERMS}
    if any(not 0 <= w < float('inf') for w in weights.values()):
        raise cli.UserError('loss weights must be 0 or positive numbers')
    if not any(weights.values()):
        raise cli.UserError('every loss weight is 0: give at least one term a positive weight')
    if not 0 < args.lr < 1:
        raise cli.UserError('--lr must be between 0 and 1, not %g' % args.lr)
    args.weights = weights
    args.generator = args.generator or checkpoints.newest_generator()
    return args


def preview_digits(source):
    """The first test image of each label: what preview.png restyles."""
    images, labels = source.split('test')
    first = [int(numpy.flatnonzero(labels == label)[0]) for label in range(source.n_classes)
             if (labels == label).any()]
    return images[first, 0], labels[first]


def write_preview(gen, enc, digits):
    @chainer.training.make_extension()
    def preview(trainer):
        images, labels = digits
        sheet = handwriting.like_sheet(images, handwriting.restyle(
            gen, enc, images, labels, numpy.arange(gen.n_classes)))
        save_png(sheet, os.path.join(trainer.out, 'preview.png'), scale=2)
    return preview


def main(argv=None):
    args = parse_args(argv)
    status = cpu_processes.spread_over_cores(args, argv)   # both cores of a CPU: mpiexec
    if status is not None:
        raise SystemExit(status)
    comm = distributed.communicator(args)     # None unless --communicator (mpiexec -n N)
    gen = checkpoints.load_generator(args.generator)
    rec = checkpoints.load_recogniser(args.recogniser)
    source = sources.from_args(args)
    if gen.n_classes != source.n_classes:
        raise cli.UserError('the generator %s draws %d labels; %s has %d: pass the data set it '
                            'was trained on' % (args.generator, gen.n_classes, source.name,
                                                source.n_classes))
    device = runs.setup('encoder for %s' % os.path.basename(args.generator), args, comm)
    train = distributed.scatter(  # with comm: this process's slice
        comm, lambda: chainer.datasets.TupleDataset(*source.split('train')), args.seed)
    enc = Encoder(n_hidden=gen.n_hidden, n_classes=gen.n_classes)
    for net in (gen, rec, enc):
        net.to_device(device)

    optimizer = chainer.optimizers.Adam(alpha=args.lr)
    optimizer.setup(enc)
    optimizer = distributed.multi_node(optimizer, comm)
    iterator = chainer.iterators.SerialIterator(
        train, distributed.process_batchsize(args.batchsize, comm))
    updater = EncoderUpdater(iterator, optimizer, gen, rec, args.weights, device=device)
    trainer = runs.make_trainer(updater, args)
    n_train = len(train) * distributed.world_size(comm)
    end = args.iterations or args.epoch * -(-n_train // args.batchsize)
    trainer.extend(extensions.LinearShift('alpha', (args.lr, 0.0), (end // 2, end), optimizer),
                   name='lr_decay')
    terms = ['encoder/' + term for term in LOSS_TERMS if args.weights[term]]
    distributed.average_reports(trainer, comm, ['encoder/loss'] + terms)
    writer = distributed.writer(trainer, comm)   # files: process 0 alone writes them
    snapshot = runs.add_snapshot_and_log(writer, args, ['encoder/loss'] + terms,
                                         {'loss.png': terms})
    writer.extend(extensions.snapshot_object(enc, 'encoder.npz'), name='encoder_weights',
                  trigger=runs.snapshot_trigger(args))
    if distributed.is_writer(comm):
        writer.extend(write_preview(gen, enc, preview_digits(source)),
                      trigger=runs.snapshot_trigger(args))
    generator = {'npz': os.path.basename(args.generator),
                 'sha256': export.sha256_of(args.generator)}
    runs.resume_and_run(trainer, snapshot, args, enc, 'encoder', comm,
                        extra_args={'generator': generator, 'loss_weights': args.weights},
                        dataset=source.describe())


if __name__ == '__main__':
    distributed.run(main)
