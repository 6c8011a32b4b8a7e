#!/usr/bin/env python
"""Train the recogniser CNN (1x28x28 digit -> 10 digits and "not a digit") on MNIST.

    python train_recognizer.py --gpu -1 --epoch 4
    python train_recognizer.py --iterations 20 --test-limit 500 --train-limit 300   # smoke run
    python train_recognizer.py --dataset fashion-mnist --out result-fashion-mnist-classifier

Writes into --out (default result-recogniser/): log, loss.png, accuracy.png, a trainer
snapshot (resumed automatically), recogniser.npz (the weights 2pack.py and evaluate.py load)
and recogniser_args.json. Training images are shifted by up to --shift pixels at random,
which makes the network tolerant to the imperfect centring of hand-drawn digits.
Validation runs on the 10,000 test images after every epoch (--test-limit N: the first N).

With --augment drawings (the default) it learns what people draw on the recogniser page as
well as scans: MNIST train[:55000] as scanned, the same digits varied (rotated, slanted,
bent, bolder or thinner) and drawn along their skeletons by a model of a hand and the page's
pen, and generated non-digits as an eleventh class (digitgan/ink/). Then the "?" rule is
tuned on train[55000:], which it never trained on, and written as verdict.json
(digitgan/recognition/verdict.py). --augment scans trains ten classes on the scans alone; it is the
only choice for other data sets (--dataset, --image-folder), whose classifier it trains.
"""
from digitgan import checkpoints, cli  # first: chainer
from digitgan.data import sources
from digitgan.ink import drawn_sets
from digitgan.networks import Recogniser
from digitgan.recognition import verdict
from digitgan.recognition.digit_files import logits_of
from digitgan.training import cpu_processes, distributed, runs

import os

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


def training_digits(args, source):
    images, labels = source.split('train')
    if args.augment == 'drawings':      # the rest tunes the "?" rule
        images, labels = images[:drawn_sets.TUNING_START], labels[:drawn_sets.TUNING_START]
    if args.train_limit:
        images, labels = images[:args.train_limit], labels[:args.train_limit]
    return chainer.datasets.TupleDataset(images, labels)


def tune_rule(recogniser, args, source):
    """verdict.json for the trained recogniser, tuned on MNIST digits it never saw."""
    images, labels = source.split('train')
    images, labels = images[drawn_sets.TUNING_START:], labels[drawn_sets.TUNING_START:]
    # A short run (one that sees fewer digits than the 5,000 of the tuning set) is tuned on
    # as many as it saw, at least 200: a smoke run needs no minute of tuning.
    seen = args.iterations * args.batchsize if args.iterations else len(labels)
    count = min(len(labels), max(200, seen), args.train_limit or len(labels))
    images, labels = images[:count], labels[:count]
    recogniser.to_cpu()
    drawn = drawn_sets.drawn_digits(images, args.seed + 100)
    digits = numpy.concatenate([images.reshape(-1, 28, 28), drawn])
    others = drawn_sets.non_digit_images(len(labels), args.seed + 101)
    rule = verdict.calibrate(logits_of(recogniser, digits), numpy.concatenate([labels, labels]),
                             logits_of(recogniser, others))
    cli.write_json(verdict.rule_path(os.path.join(args.out, 'recogniser.npz')), rule)
    tuned = rule['on_tuning_set']
    print('"?" rule: temperature %.3g, answer below %.2f; on the tuning set %.2f %% of %d '
          'digits refused, %.2f %% of %d non-digits' % (
              rule['temperature'], rule['min_confidence'], 100 * tuned['refused'],
              tuned['digits'], 100 * tuned['non_digits_refused'], tuned['non_digits']),
          flush=True)


def start_from(recogniser, path):
    """Copy trained weights into `recogniser`, which may be larger: an output layer with
    fewer classes fills the first rows of ours (a ten-digit recogniser fine-tuned into one
    with "not a digit"), and a narrower network fills the first channels and units of each
    layer (--ch, --n-units). The inputs a layer gains are given zero weights, so the wider
    network starts out computing what the narrower one did and training grows the rest."""
    arrays = checkpoints.read_npz(path)      # unreadable or unsafe: one line
    for name, param in recogniser.namedparams():
        key = name.lstrip('/')
        if key not in arrays:
            raise cli.UserError('--init %s has no parameter %s' % (path, key))
        value = arrays[key]
        if value.ndim != param.ndim or any(
                old > new for old, new in zip(value.shape, param.shape)):
            raise cli.UserError('--init %s: %s is %s, larger than %s here; give --ch and '
                                '--n-units at least its sizes' % (path, key, value.shape,
                                                                  param.shape))
        param.array[tuple(slice(0, n) for n in value.shape)] = value
        if param.ndim >= 2:     # weights (out, in, ...): the inputs a layer gains count 0
            param.array[:, value.shape[1]:] = 0
    for path_in_net, link in recogniser.namedlinks(skipself=True):
        if isinstance(link, chainer.links.BatchNormalization):    # its running averages
            for name in ('avg_mean', 'avg_var'):
                key = '%s/%s' % (path_in_net.lstrip('/'), name)
                if key in arrays:       # no larger than gamma, which was checked above
                    getattr(link, name)[:len(arrays[key])] = arrays[key]


def main(argv=None):
    parser = cli.ArgumentParser(
        description='Recogniser CNN for MNIST, or classifier for another data set (Chainer)')
    cli.add_training_arguments(parser, out='result-recogniser', epoch=4, batchsize=100)
    parser.add_argument('--shift', type=int, default=2,
                        help='largest random shift in pixels, 0 for none (default %(default)s)')
    parser.add_argument('--test-limit', type=int, default=0,
                        help='validate on the first N test images only, 0 for all 10,000 '
                             '(default %(default)s; smoke runs and tests use a few hundred)')
    parser.add_argument('--augment', choices=['drawings', 'scans'], default=None,
                        help='drawings: also drawn, varied and non-digit images, eleven classes, '
                             'and the "?" rule (verdict.json); scans: the images alone, one '
                             'class a label (default: drawings for mnist, else scans)')
    parser.add_argument('--train-limit', type=int, default=0,
                        help='train on the first N MNIST digits only, 0 for all (smoke runs)')
    parser.add_argument('--lr', type=float, default=1e-3,
                        help="Adam's learning rate, halved every 2 epochs (default %(default)s; "
                             'lower to fine-tune from --init)')
    parser.add_argument('--init', default=None, metavar='NPZ',
                        help='start from these recogniser weights (a ten-class one gives its '
                             'rows to the first ten outputs; a narrower one its '
                             'channels to the first ones here)')
    parser.add_argument('--ch', type=int, default=32,
                        help="the recogniser's channels in its first convolutions, twice as "
                             'many in the last two (default %(default)s)')
    parser.add_argument('--n-units', type=int, default=128,
                        help='units of its hidden fully connected layer (default %(default)s)')
    distributed.add_arguments(parser)
    cpu_processes.add_arguments(parser)
    args = parser.parse_args(argv)
    cli.check_training_arguments(args)
    distributed.check_arguments(args)
    cpu_processes.check_arguments(args)
    if not 0 <= args.shift <= 8:
        raise cli.UserError('--shift must be between 0 and 8 pixels')
    if args.train_limit < 0:
        raise cli.UserError('--train-limit must be 0 (all training digits) or a positive integer')
    if args.init is not None and not os.path.isfile(args.init):
        raise cli.UserError('--init %s: no such file' % args.init)
    if not 0 < args.lr < 1:
        raise cli.UserError('--lr must be between 0 and 1, such as 0.001, not %g' % args.lr)
    if not (1 <= args.ch <= 256 and 1 <= args.n_units <= 4096):
        raise cli.UserError('--ch must be 1 to 256 and --n-units 1 to 4096')
    if args.test_limit < 0:
        raise cli.UserError('--test-limit must be 0 (all test images) or a positive integer')
    source = sources.from_args(args)
    if args.augment is None:
        args.augment = 'drawings' if source.name == 'mnist' else 'scans'
    elif args.augment == 'drawings' and source.name != 'mnist':
        raise cli.UserError('--augment drawings makes drawn digits: it is for mnist alone; '
                            'train a %s classifier with --augment scans' % source.name)
    status = cpu_processes.spread_over_cores(args, argv)   # both cores of a CPU: mpiexec
    if status is not None:
        raise SystemExit(status)
    comm = distributed.communicator(args)     # None unless --communicator (mpiexec -n N)
    device = runs.setup('recogniser' if source.name == 'mnist'
                            else 'classifier of %s' % source.name, args, comm)

    def load_test():
        test_images, test_labels = source.split('test')
        if args.test_limit:
            test_images, test_labels = test_images[:args.test_limit], test_labels[:args.test_limit]
        return chainer.datasets.TupleDataset(test_images, test_labels)
    # With comm: each process trains and validates on its own slice.
    train = distributed.scatter(comm, lambda: training_digits(args, source), args.seed)
    if args.augment == 'drawings':     # each process makes its own, from its own digits
        train = drawn_sets.TrainingSet(train, args.seed + (comm.rank if comm else 0))
    test = distributed.scatter(comm, load_test, args.seed)

    recogniser = Recogniser(ch=args.ch, n_units=args.n_units,
                            n_classes=source.n_classes + (args.augment == 'drawings'))
    if args.init:
        start_from(recogniser, args.init)
    model = chainer.links.Classifier(recogniser)  # reports main/loss and main/accuracy
    model.to_device(device)
    optimizer = chainer.optimizers.Adam(alpha=args.lr)
    optimizer.setup(model)
    optimizer = distributed.multi_node(optimizer, comm)

    if args.shift:
        train = chainer.datasets.TransformDataset(train, random_shift(args.shift))
    train_iter = chainer.iterators.SerialIterator(
        train, distributed.process_batchsize(args.batchsize, comm))
    test_iter = chainer.iterators.SerialIterator(test, 500, repeat=False, shuffle=False)
    updater = chainer.training.updaters.StandardUpdater(train_iter, optimizer, device=device)
    trainer = runs.make_trainer(updater, args)

    # Evaluator reports under validation/; the training link reports under main/.
    evaluate_every = (1, 'epoch') if not args.iterations else (args.iterations, 'iteration')
    evaluator = extensions.Evaluator(test_iter, model, device=device)
    trainer.extend(distributed.multi_node_evaluator(evaluator, comm), trigger=evaluate_every)
    trainer.extend(extensions.ExponentialShift('alpha', 0.5), trigger=(2, 'epoch'))
    distributed.average_reports(trainer, comm, ['main/loss', 'main/accuracy'])
    writer = distributed.writer(trainer, comm)   # files: process 0 alone writes them
    snapshot = runs.add_snapshot_and_log(
        writer, args,
        ['main/loss', 'validation/main/loss', 'main/accuracy', 'validation/main/accuracy'],
        {'loss.png': ['main/loss', 'validation/main/loss'],
         'accuracy.png': ['main/accuracy', 'validation/main/accuracy']})
    end = chainer.training.triggers.ManualScheduleTrigger(*runs.stop_trigger(args))
    writer.extend(extensions.snapshot_object(recogniser, 'recogniser.npz'), trigger=end)

    runs.resume_and_run(trainer, snapshot, args, recogniser, 'recogniser', comm,
                        dataset=source.describe())
    if distributed.is_writer(comm) and args.augment == 'drawings':
        tune_rule(recogniser, args, source)


if __name__ == '__main__':
    distributed.run(main)
