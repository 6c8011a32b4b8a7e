#!/usr/bin/env python
"""Train the recogniser CNN (1x28x28 digit -> 10 classes) on MNIST.

    python train_recognizer.py --gpu -1 --epoch 4
    python train_recognizer.py --iterations 20 --test-limit 500   # a quick smoke run

Writes into --out (default result-recogniser/): log, loss.png, accuracy.png, a trainer
snapshot (resumed automatically), recogniser.npz (the weights 2pack.py and evaluate.py load)
and recogniser_args.json. Training images are shifted by up to --shift pixels at random,
which makes the network tolerant to the imperfect centring of hand-drawn digits.
Validation runs on the 10,000 test images after every epoch (--test-limit N: the first N).
"""
from digitgan import cli, cpu_processes, distributed, training  # first: imports chainer
from digitgan.mnist_data import load_mnist
from digitgan.networks import Recogniser

import chainer
from chainer.training import extensions
import numpy


def random_shift(max_shift, rng=numpy.random):
    """Dataset transform: move the digit by up to max_shift pixels in x and y."""
    def transform(example):
        image, label = example
        dy, dx = rng.randint(-max_shift, max_shift + 1, size=2)
        padded = numpy.pad(image, ((0, 0), (max_shift,) * 2, (max_shift,) * 2))
        h, w = image.shape[1:]
        top, left = max_shift + dy, max_shift + dx
        return padded[:, top:top + h, left:left + w], label
    return transform


def main(argv=None):
    parser = cli.ArgumentParser(description='MNIST recogniser CNN (Chainer)')
    cli.add_training_arguments(parser, out='result-recogniser', epoch=4, batchsize=100)
    parser.add_argument('--shift', type=int, default=2,
                        help='largest random shift in pixels, 0 for none (default %(default)s)')
    parser.add_argument('--test-limit', type=int, default=0,
                        help='validate on the first N test images only, 0 for all 10,000 '
                             '(default %(default)s; smoke runs and tests use a few hundred)')
    distributed.add_arguments(parser)
    cpu_processes.add_arguments(parser)
    args = parser.parse_args(argv)
    cli.check_training_arguments(args)
    distributed.check_arguments(args)
    cpu_processes.check_arguments(args)
    if not 0 <= args.shift <= 8:
        raise cli.UserError('--shift must be between 0 and 8 pixels')
    if args.test_limit < 0:
        raise cli.UserError('--test-limit must be 0 (all test images) or a positive integer')
    status = cpu_processes.spread_over_cores(args, argv)   # both cores of a CPU: mpiexec
    if status is not None:
        raise SystemExit(status)
    comm = distributed.communicator(args)     # None unless --communicator (mpiexec -n N)
    device = training.setup('recogniser', args, comm)

    def load_test():
        test_images, test_labels = load_mnist('test', args.data_dir)
        if args.test_limit:
            test_images, test_labels = test_images[:args.test_limit], test_labels[:args.test_limit]
        return chainer.datasets.TupleDataset(test_images, test_labels)
    # With comm: each process trains and validates on its own slice.
    train = distributed.scatter(
        comm, lambda: chainer.datasets.TupleDataset(*load_mnist('train', args.data_dir)),
        args.seed)
    test = distributed.scatter(comm, load_test, args.seed)

    recogniser = Recogniser()
    model = chainer.links.Classifier(recogniser)  # reports main/loss and main/accuracy
    model.to_device(device)
    optimizer = chainer.optimizers.Adam()
    optimizer.setup(model)
    optimizer = distributed.multi_node(optimizer, comm)

    if args.shift:
        train = chainer.datasets.TransformDataset(train, random_shift(args.shift))
    train_iter = chainer.iterators.SerialIterator(
        train, distributed.process_batchsize(args.batchsize, comm))
    test_iter = chainer.iterators.SerialIterator(test, 500, repeat=False, shuffle=False)
    updater = chainer.training.updaters.StandardUpdater(train_iter, optimizer, device=device)
    trainer = training.make_trainer(updater, args)

    # Evaluator reports under validation/; the training link reports under main/.
    evaluate_every = (1, 'epoch') if not args.iterations else (args.iterations, 'iteration')
    evaluator = extensions.Evaluator(test_iter, model, device=device)
    trainer.extend(distributed.multi_node_evaluator(evaluator, comm), trigger=evaluate_every)
    trainer.extend(extensions.ExponentialShift('alpha', 0.5), trigger=(2, 'epoch'))
    distributed.average_reports(trainer, comm, ['main/loss', 'main/accuracy'])
    writer = distributed.writer(trainer, comm)   # files: process 0 alone writes them
    snapshot = training.add_snapshot_and_log(
        writer, args,
        ['main/loss', 'validation/main/loss', 'main/accuracy', 'validation/main/accuracy'],
        {'loss.png': ['main/loss', 'validation/main/loss'],
         'accuracy.png': ['main/accuracy', 'validation/main/accuracy']})
    end = chainer.training.triggers.ManualScheduleTrigger(*training.stop_trigger(args))
    writer.extend(extensions.snapshot_object(recogniser, 'recogniser.npz'), trigger=end)

    training.resume_and_run(trainer, snapshot, args, recogniser, 'recogniser', comm)


if __name__ == '__main__':
    distributed.run(main)
