#!/usr/bin/env python
"""Measure a generator snapshot with the project's recogniser, against stated targets.

    python evaluate.py                                  # newest result-dcgan/gen_iter_<N>.npz
    python evaluate.py --generator result-dcgan/gen_iter_12000.npz --per-label 1000
    python evaluate.py --samples samples.npz            # `images`, `labels` from generate.py
    python evaluate.py --dataset fashion-mnist          # its shipped generator and classifier
    python evaluate.py --generator result-mine/gen_iter_3000.npz --image-folder mine \
        --judge result-mine-classifier/recogniser.npz

Any data set is judged by its own classifier (--judge; the shipped one for mnist and
fashion-mnist) against its own real images; the data set is the generator's (its
generator_args.json), else --dataset. The like and recogniser sections are for digits alone.

Every number comes from the judge (--judge, default result-judge/recogniser.npz: the
recogniser as trained on MNIST's scans, kept fixed so that figures stay comparable)
in eval mode, on N generated digits per label and on the real MNIST test digits:
- conditional accuracy: share of generated digits of label c that the recogniser calls c;
- Frechet distance between generated and real test digits in the recogniser's penultimate
  features, next to its floor: the same distance between as many real *train* digits and the
  same test digits (real statistics are weighted to the generated label mix);
- diversity: per label, mean pairwise feature distance of generated digits over that of real
  test digits, averaged over labels (mode collapse shows as well below 1);
- the recogniser's accuracy on the real test digits;
and the same per label (intra-class Frechet distance against each label's own floor), with the
worst label of each. Targets: digitgan/evaluation/generator_quality.py TARGETS.
With an encoder trained against the generator (--encoder, default result-encoder/encoder.npz),
a `like` section (digitgan/evaluation/likeness.py): --like N MNIST test digits per label go through
image files as generate.py --like reads them and are written as 0-9 in their handwriting;
how often those are read as the digit asked for, and how often a digit's own redrawing is
closer to it than other writers' redrawings. --like 0 skips it.
A `recogniser` section measures the page's recogniser (--recogniser, default
result-recogniser/recogniser.npz, with its "?" rule, verdict.json) on --drawn N MNIST test
digits drawn by the page's pen and as scanned, and on N/2 generated non-digits: read right,
refused ("?"), misread (digitgan/ink/drawn_sets.py); --drawn 0 skips it.
Prints a table, writes it as JSON (--json, default evaluation.json beside the snapshot) and a
grid of samples, one column per digit, as a PNG (--grid, default samples.png beside the JSON).
"""
import os

from digitgan import checkpoints, cli  # first: makes chainer importable
from digitgan.data import sources
from digitgan.evaluation import likeness
from digitgan.evaluation.generator_quality import measure, recognise, table, targets_for, verdicts
from digitgan.generation import handwriting
from digitgan.generation.sampling import digit_grid, generate, save_png, style_rows
from digitgan.ink import drawn_sets
from digitgan.recognition import verdict

import numpy

GRID_ROWS = 10      # rows of the sample grid written beside the JSON
# The floor compares as many real training digits as there are generated ones: 60,000 in all.
MAX_PER_LABEL = 6000


def parse_args(argv=None):
    parser = cli.ArgumentParser(description='Evaluate a conditional generator snapshot')
    source = parser.add_mutually_exclusive_group()
    source.add_argument('--generator', '-g', default=None,
                        help='generator weights, generator_args.json beside them (default: '
                             'newest gen_iter_<N>.npz in result-dcgan/)')
    source.add_argument('--samples', default=None,
                        help='evaluate these images instead: npz with images (N, 28, 28) in '
                             '[0, 1], ink = 1, and labels (N,), as generate.py --npz writes')
    parser.add_argument('--judge', '-j', default=None,
                        help='recogniser that scores generated digits, recogniser_args.json '
                             "beside it (default: the data set's shipped classifier; for "
                             'mnist result-judge/recogniser.npz)')
    parser.add_argument('--recogniser', '-r', default=checkpoints.RECOGNISER,
                        help="the page's recogniser, for the recogniser section (default: "
                             'result-recogniser/recogniser.npz, verdict.json beside it)')
    parser.add_argument('--drawn', type=int, default=2000,
                        help='MNIST test digits drawn for the recogniser section, 0 to skip it '
                             '(default %(default)s)')
    parser.add_argument('--per-label', '-n', type=int, default=1000,
                        help='generated digits per label (default %(default)s)')
    parser.add_argument('--real', type=int, default=10000,
                        help='use N MNIST test digits, drawn at random (default: all '
                             '%(default)s; fewer only to save time)')
    parser.add_argument('--encoder', default=None,
                        help='encoder for the like section (default: '
                             'result-encoder/encoder.npz when it was trained against the '
                             'generator)')
    parser.add_argument('--like', type=int, default=100,
                        help='MNIST test digits per label for the like section, 0 to skip it '
                             '(default %(default)s)')
    parser.add_argument('--json', default=None, help='where to write the results')
    parser.add_argument('--grid', default=None, help='where to write the sample grid PNG')
    parser.add_argument('--seed', type=int, default=0, help='random seed (default 0)')
    sources.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.per_label <= 0 or args.real < 2:
        raise cli.UserError('--per-label must be positive and --real at least 2')
    if not 0 <= args.like <= 500:
        raise cli.UserError('--like must be 0 (skip) to 500 test digits per label, not %d'
                            % args.like)
    if args.per_label > MAX_PER_LABEL:
        raise cli.UserError('--per-label must be at most %d: the floor needs as many real '
                            'training images' % MAX_PER_LABEL)
    cli.check_seed(args.seed)
    if args.samples is None and args.generator is None:
        args.generator = checkpoints.shipped(args.dataset or 'mnist', 'generator')
    args.source = data_source(args)
    if args.judge is None:
        args.judge = checkpoints.shipped(args.source.name, 'classifier') \
            if args.source.name in checkpoints.SHIPPED else None
    if args.judge is None:
        raise cli.UserError('pass --judge: a classifier of %s (train_recognizer.py '
                            '--image-folder ... --augment scans trains one)' % args.source.name)
    source = args.samples or args.generator
    if args.json is None:
        args.json = os.path.join(os.path.dirname(os.path.abspath(source)), 'evaluation.json')
    if args.grid is None:
        args.grid = os.path.join(os.path.dirname(os.path.abspath(args.json)), 'samples.png')
    cli.writable_file(args.json, '--json', 'evaluation.json')
    cli.writable_file(args.grid, '--grid', 'samples.png')
    return args


def data_source(args):
    """The data set the generator was trained on (else --dataset's, mnist unless given)."""
    trained_on = checkpoints.dataset_of(checkpoints.read_args(args.generator, 'generator')) \
        if args.generator else None
    if trained_on and not args.image_folder and not args.dataset:
        if trained_on['name'] not in sources.catalog.SETS:
            raise cli.UserError('%s was trained on %s: pass its images, --image-folder DIR '
                                '(or --dataset idx --data-dir DIR)'
                                % (args.generator, trained_on['name']))
        args.dataset = trained_on['name']
    source = sources.from_args(args)
    if trained_on and tuple(trained_on['labels']) != source.labels:
        raise cli.UserError('%s draws %s; the data set %s has %s: pass the one it was '
                            'trained on' % (args.generator, ', '.join(trained_on['labels']),
                                            source.name, ', '.join(source.labels)))
    return source


def load_samples(path, n_classes):
    """(images (N, 1, 28, 28) float32, labels (N,) int32) from an npz of generate.py's form."""
    if not os.path.isfile(path):
        raise cli.UserError('--samples %s: no such file' % path)
    try:   # the loader of snapshots: it refuses pickles, lone .npy arrays and zip bombs
        arrays = checkpoints.load_arrays(path)
        images, labels = arrays['images'], arrays['labels']
    except checkpoints.PickledNpz as error:
        raise cli.UserError('--samples %s' % checkpoints.pickled_message(path, error))
    except (checkpoints.UnreadableNpz, KeyError) as error:
        raise cli.UserError('--samples %s: not an npz with arrays images and labels (%s)'
                            % (path, error))
    if not (numpy.issubdtype(images.dtype, numpy.number) and
            numpy.issubdtype(labels.dtype, numpy.number) and
            numpy.array_equal(labels, numpy.round(labels))):
        raise cli.UserError('--samples %s: images must be numbers and labels whole numbers'
                            % path)
    images = images.reshape(len(images), 1, 28, 28) if images.size == len(images) * 784 \
        else None
    if images is None or labels.shape != (len(images),) or len(images) < 2 or \
            labels.min() < 0 or labels.max() >= n_classes:
        raise cli.UserError('--samples %s: need images (N, 28, 28) and labels (N,) in 0..%d'
                            % (path, n_classes - 1))
    return numpy.clip(images, 0, 1).astype(numpy.float32), labels.astype(numpy.int32)


def real_subset(count, n, seed):
    """Indices of the n real test digits used: all, or a random choice. (Not the first n:
    MNIST's first 5000 test digits come from other writers than the last 5000.)"""
    if n >= count:
        return numpy.arange(count)
    return numpy.sort(numpy.random.RandomState(seed).permutation(count)[:n])


def make_samples(gen, per_label, rng):
    """per_label digits of each label, each from its own z."""
    labels = numpy.repeat(numpy.arange(gen.n_classes, dtype=numpy.int32), per_label)
    return generate(gen, gen.make_hidden(len(labels), rng=rng), labels), labels


def grid_of(images, labels, n_classes, rows=GRID_ROWS):
    """Column c: the first `rows` samples of label c (blank where there are fewer)."""
    cells = numpy.zeros((rows, n_classes, 1, 28, 28), numpy.float32)
    for c in range(n_classes):
        found = images[labels == c][:rows]
        cells[:len(found), c] = found
    return digit_grid(cells.reshape(-1, 1, 28, 28), rows, n_classes)


def like_section(args, gen, rec):
    """The like section's values, or None when it is skipped (said why)."""
    if gen is None or not args.like or args.source.name != 'mnist':
        return None
    encoder = args.encoder or checkpoints.ENCODER
    if args.encoder is not None:
        handwriting.check_pair(encoder, args.generator)     # asked for: a mismatch is an error
    elif not os.path.isfile(encoder):
        print('like section skipped: no %s (train_encoder.py writes it)'
              % os.path.relpath(encoder))
        return None
    else:
        try:
            handwriting.check_pair(encoder, args.generator)
        except cli.UserError:
            print('like section skipped: %s was trained against another generator'
                  % os.path.relpath(encoder))
            return None
    values = likeness.measure(gen, checkpoints.load_encoder(encoder), rec, args.data_dir,
                              args.like, args.seed)
    lines, checks = likeness.report(values)
    print('\n'.join(lines))
    return dict(values, encoder=os.path.relpath(encoder), targets=checks)


def recogniser_section(args, test_x, test_y):
    """The page's recogniser and "?" rule on held-out drawn digits, scans and non-digits."""
    if not args.drawn or args.source.name != 'mnist':
        return None
    rule = verdict.load_rule(args.recogniser)
    sets = drawn_sets.held_out_figures(checkpoints.load_recogniser(args.recogniser), rule,
                                       test_x, test_y, args.drawn, args.seed)
    print('recogniser %s, "?" below %.2f at temperature %.3g' % (
        os.path.relpath(args.recogniser), rule['min_confidence'], rule['temperature']))
    for name, f in sets.items():
        if f['digits']:
            print('  %-15s %5d: %6.2f %% read right, %5.2f %% refused, %5.2f %% misread' % (
                name, f['digits'], 100 * f['read_right'], 100 * f['refused'],
                100 * f['misread']))
        else:
            print('  %-15s %5d: %6.2f %% refused' % (name, f['non_digits'],
                                                     100 * f['non_digits_refused']))
    return dict(sets, recogniser=os.path.relpath(args.recogniser), rule=rule)


def main(argv=None):
    args = parse_args(argv)
    n_classes = args.source.n_classes
    samples = load_samples(args.samples, n_classes) if args.samples else None
    gen = None if samples else checkpoints.load_generator(args.generator)
    rec = checkpoints.load_recogniser(args.judge)
    if rec.n_classes < n_classes:
        raise cli.UserError('--judge %s tells %d labels apart; %s has %d' % (
            args.judge, rec.n_classes, args.source.name, n_classes))
    test_x, test_y = args.source.split('test')
    train_x, train_y = args.source.split('train')
    rng = numpy.random.RandomState(args.seed)
    if samples:
        images, labels = samples
        grid = grid_of(images, labels, n_classes)
    else:
        images, labels = make_samples(gen, args.per_label, rng)
        grid = digit_grid(generate(gen, *style_rows(gen, GRID_ROWS, rng)), GRID_ROWS,
                          n_classes)
    chosen = real_subset(len(test_x), args.real, args.seed)
    test_x, test_y = test_x[chosen], test_y[chosen]
    pick = rng.permutation(len(train_x))[:len(images)]
    values, per_label = measure(recognise(rec, images, labels),
                                recognise(rec, test_x, test_y),
                                recognise(rec, train_x[pick], train_y[pick]))
    targets = targets_for(args.source.name, values)
    checks = verdicts(values, targets)
    print('%s: %d generated images, %d real test images' % (args.source.name, len(images),
                                                            len(test_x)))
    print(table(values, per_label, checks, targets))
    like = like_section(args, gen, rec)
    read = recogniser_section(args, test_x, test_y)

    def shown(path):  # relative paths: the JSON is shipped and read on other machines
        return path and os.path.relpath(path)
    cli.write_json(args.json, {
        'source': {'generator': shown(args.generator), 'samples': shown(args.samples)},
        'dataset': args.source.describe(), 'judge': shown(args.judge), 'seed': args.seed,
        'n_generated': len(images), 'n_real_test': len(test_x), 'n_real_train': len(pick),
        'metrics': values, 'targets': checks, 'per_label': per_label, 'like': like,
        'recogniser': read})
    save_png(grid, args.grid, scale=2)
    print('wrote %s and %s' % (args.json, args.grid))


if __name__ == '__main__':
    cli.run(main)
