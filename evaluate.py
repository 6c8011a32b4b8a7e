#!/usr/bin/env python
"""Measure a generator snapshot with the project's recogniser, against stated targets.

    python evaluate.py                                  # newest result-dcgan/gen_iter_<N>.npz
    python evaluate.py --generator result-dcgan/gen_iter_12000.npz --per-label 1000
    python evaluate.py --samples samples.npz            # `images`, `labels` from generate.py

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
worst label of each. Targets: digitgan/evaluation.py TARGETS.
With an encoder trained against the generator (--encoder, default result-encoder/encoder.npz),
a `like` section (digitgan/likeness.py): --like N MNIST test digits per label go through
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
from digitgan import handwriting, likeness, verdict
from digitgan.ink import drawn_sets
from digitgan.evaluation import measure, recognise, table, verdicts
from digitgan.data.catalog import load_mnist
from digitgan.networks import N_CLASSES
from digitgan.sampling import digit_grid, generate, save_png, style_rows

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
    parser.add_argument('--judge', '-j', default=checkpoints.JUDGE,
                        help='recogniser that scores generated digits, recogniser_args.json '
                             'beside it (default: result-judge/recogniser.npz)')
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
    cli.add_data_dir_argument(parser)
    args = parser.parse_args(argv)
    if args.per_label <= 0 or args.real < 2:
        raise cli.UserError('--per-label must be positive and --real at least 2')
    if not 0 <= args.like <= 500:
        raise cli.UserError('--like must be 0 (skip) to 500 test digits per label, not %d'
                            % args.like)
    if args.per_label > MAX_PER_LABEL:
        raise cli.UserError('--per-label must be at most %d: the floor needs as many MNIST '
                            'training digits, and there are %d' % (MAX_PER_LABEL,
                                                                    MAX_PER_LABEL * N_CLASSES))
    cli.check_seed(args.seed)
    if args.samples is None and args.generator is None:
        args.generator = checkpoints.newest_generator()
    source = args.samples or args.generator
    if args.json is None:
        args.json = os.path.join(os.path.dirname(os.path.abspath(source)), 'evaluation.json')
    if args.grid is None:
        args.grid = os.path.join(os.path.dirname(os.path.abspath(args.json)), 'samples.png')
    cli.writable_file(args.json, '--json', 'evaluation.json')
    cli.writable_file(args.grid, '--grid', 'samples.png')
    return args


def load_samples(path):
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
            labels.min() < 0 or labels.max() >= N_CLASSES:
        raise cli.UserError('--samples %s: need images (N, 28, 28) and labels (N,) in 0..9'
                            % path)
    return numpy.clip(images, 0, 1).astype(numpy.float32), labels.astype(numpy.int32)


def real_subset(count, n, seed):
    """Indices of the n real test digits used: all, or a random choice. (Not the first n:
    MNIST's first 5000 test digits come from other writers than the last 5000.)"""
    if n >= count:
        return numpy.arange(count)
    return numpy.sort(numpy.random.RandomState(seed).permutation(count)[:n])


def make_samples(gen, per_label, rng):
    """per_label digits of each label, each from its own z."""
    labels = numpy.repeat(numpy.arange(N_CLASSES, dtype=numpy.int32), per_label)
    return generate(gen, gen.make_hidden(len(labels), rng=rng), labels), labels


def grid_of(images, labels, rows=GRID_ROWS):
    """Column c: the first `rows` samples of label c (blank where there are fewer)."""
    cells = numpy.zeros((rows, N_CLASSES, 1, 28, 28), numpy.float32)
    for c in range(N_CLASSES):
        found = images[labels == c][:rows]
        cells[:len(found), c] = found
    return digit_grid(cells.reshape(-1, 1, 28, 28), rows, N_CLASSES)


def like_section(args, gen, rec):
    """The like section's values, or None when it is skipped (said why)."""
    if gen is None or not args.like:
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
    if not args.drawn:
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
    samples = load_samples(args.samples) if args.samples else None
    gen = None if samples else checkpoints.load_generator(args.generator)
    rec = checkpoints.load_recogniser(args.judge)
    test_x, test_y = load_mnist('test', args.data_dir)
    train_x, train_y = load_mnist('train', args.data_dir)
    rng = numpy.random.RandomState(args.seed)
    if samples:
        images, labels = samples
        grid = grid_of(images, labels)
    else:
        images, labels = make_samples(gen, args.per_label, rng)
        grid = digit_grid(generate(gen, *style_rows(gen, GRID_ROWS, rng)), GRID_ROWS,
                          N_CLASSES)
    chosen = real_subset(len(test_x), args.real, args.seed)
    test_x, test_y = test_x[chosen], test_y[chosen]
    pick = rng.permutation(len(train_x))[:len(images)]
    values, per_label = measure(recognise(rec, images, labels),
                                recognise(rec, test_x, test_y),
                                recognise(rec, train_x[pick], train_y[pick]))
    checks = verdicts(values)
    print('%d generated digits, %d real test digits' % (len(images), len(test_x)))
    print(table(values, per_label, checks))
    like = like_section(args, gen, rec)
    read = recogniser_section(args, test_x, test_y)

    def shown(path):  # relative paths: the JSON is shipped and read on other machines
        return path and os.path.relpath(path)
    cli.write_json(args.json, {
        'source': {'generator': shown(args.generator), 'samples': shown(args.samples)},
        'judge': shown(args.judge), 'seed': args.seed,
        'n_generated': len(images), 'n_real_test': len(test_x), 'n_real_train': len(pick),
        'metrics': values, 'targets': checks, 'per_label': per_label, 'like': like,
        'recogniser': read})
    save_png(grid, args.grid, scale=2)
    print('wrote %s and %s' % (args.json, args.grid))


if __name__ == '__main__':
    cli.run(main)
