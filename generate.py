#!/usr/bin/env python
"""Draw digits (or any trained labels) with a generator: a PNG grid and/or arrays for
evaluate.py.

    python generate.py --digit 7 --n 16 --out sevens.png    # 16 sevens, dark ink on white
    python generate.py --digit all --n 10 --out all.png     # 10 rows: one z each, digits 0-9
    python generate.py --per-digit 1000 --npz samples.npz   # arrays only, 1000 of each digit
    python generate.py --like my4.jpg --out mine.png        # 0-9 in the hand of my4.jpg
    python generate.py --dataset fashion-mnist --digit Sneaker --n 9 --out sneakers.png

--generator picks the weights (default: the shipped ones of --dataset, mnist unless given:
the newest result-dcgan/gen_iter_<N>.npz), with generator_args.json beside them, which
names the labels: --digit takes a label's name or index. --per-label is --per-digit's other
name. --seed makes the draw repeatable.
The npz holds `images` (float32, (N, 28, 28), in [0, 1], ink = 1) and `labels` (int64, (N,)).

--like FILE [FILE ...]: each file is a photo, scan or drawing of one digit, read as
recognize.py reads it; its label is the recogniser's (or --label's), the encoder
(result-encoder/encoder.npz, trained against this generator) finds its z, and the generator
writes --digit (all: 0-9) from that z. The PNG shows each input, then its digits; the npz
holds `images`, `labels` (the digit each image shows: the one asked for) and `source` (the
index of the file it was made from). A file that cannot be read or holds no digit gets
`error: FILE: reason` on stderr, the others are still used, and the exit status is 1.
"""
import sys

import math

from digitgan import checkpoints, cli  # first: makes chainer importable
from digitgan.data.catalog import MNIST
from digitgan.generation import handwriting
from digitgan.generation.sampling import digit_grid, generate, save_png, style_rows
from digitgan.recognition.digit_files import read_digit, recognise

import numpy

# Upper bounds, so that a typo is a one-line error and not minutes of work or a MemoryError:
MAX_PNG_DIGITS = 10000        # digits in one grid (100 x 100): more is data, use --npz
MAX_PNG_PIXELS = 40_000_000   # a large phone photo; viewers and browsers struggle beyond
MAX_PER_DIGIT = 10000         # 100,000 digits, 314 MB of float32: more than MNIST's 60,000


def png_size(digit, n, scale, n_classes):
    """(width, height) in pixels of the grid PNG that grid() and save_png() make."""
    if digit == 'all':
        return n_classes * 28 * scale, n * 28 * scale
    cols = math.ceil(math.sqrt(n))
    return cols * 28 * scale, math.ceil(n / cols) * 28 * scale


def check_png_size(args):
    n_classes = len(args.labels)
    digits = args.n * (n_classes if args.digit == 'all' else 1)
    if digits > MAX_PNG_DIGITS:
        raise cli.UserError('--n %d asks for %d digits in one PNG; at most %d (--digit all '
                            'draws %d per row): use --npz with --per-digit for more'
                            % (args.n, digits, MAX_PNG_DIGITS, n_classes))
    width, height = png_size(args.digit, args.n, args.scale, n_classes)
    if width * height > MAX_PNG_PIXELS:
        raise cli.UserError('the PNG would be %d x %d pixels; at most %d megapixels: lower '
                            '--scale or --n' % (width, height, MAX_PNG_PIXELS // 10 ** 6))


def parse_args(argv=None):
    parser = cli.ArgumentParser(description='Generate digits with the conditional DCGAN')
    parser.add_argument('--digit', '-d', default='all',
                        help="digit 0-9 (or a label's name or index), or 'all' for rows of "
                             'every label (default %(default)s)')
    parser.add_argument('--n', '-n', type=int, default=None,
                        help='images of the digit, or rows for --digit all (default 10)')
    parser.add_argument('--out', '-o', default=None,
                        help='grid PNG to write (default generated.png unless --npz is given)')
    parser.add_argument('--scale', type=int, default=1,
                        help='enlarge the PNG by this whole factor (default %(default)s)')
    parser.add_argument('--npz', default=None,
                        help='also write --per-digit samples of every digit to this npz')
    parser.add_argument('--per-digit', '--per-label', '-k', type=int, default=None,
                        help='samples per label in the npz (default 100)')
    parser.add_argument('--generator', '-g', default=None,
                        help='generator weights (default: the shipped ones of --dataset)')
    parser.add_argument('--dataset', default='mnist',
                        help='whose shipped generator to use: %s (default %%(default)s)'
                             % ', '.join(checkpoints.SHIPPED))
    parser.add_argument('--seed', type=int, default=None,
                        help='random seed (default: a different draw each run)')
    parser.add_argument('--like', nargs='+', metavar='FILE', default=None,
                        help='write the digits in the handwriting of these image files, one '
                             'digit each (photos, scans, drawings)')
    parser.add_argument('--label', nargs='+', type=int, default=None,
                        help="with --like: the digit each file shows (one for all files, or "
                             "one per file), instead of the recogniser's reading")
    parser.add_argument('--encoder', default=checkpoints.ENCODER,
                        help='with --like: encoder weights (default: '
                             'result-encoder/encoder.npz)')
    parser.add_argument('--recogniser', default=checkpoints.RECOGNISER,
                        help='with --like: recogniser that labels the files (default: '
                             'result-recogniser/recogniser.npz)')
    args = parser.parse_args(argv)
    args.generator = args.generator or checkpoints.shipped(args.dataset, 'generator')
    args.labels = tuple(checkpoints.dataset_of(
        checkpoints.read_args(args.generator, 'generator'))['labels'])
    args.digit = label_index(args.digit, args.labels)
    if args.like and args.labels != MNIST.labels:
        raise cli.UserError('--like writes digits in your handwriting: it needs an MNIST '
                            'generator, not one of %s' % ', '.join(args.labels))
    if args.like and (args.n is not None or args.per_digit is not None):
        raise cli.UserError('--n and --per-digit do not go with --like: it writes --digit '
                            'once for each file')
    args.n = 10 if args.n is None else args.n
    args.per_digit = 100 if args.per_digit is None else args.per_digit
    for name in ('n', 'scale', 'per_digit'):
        if getattr(args, name) <= 0:
            raise cli.UserError('--%s must be a positive integer' % name.replace('_', '-'))
    cli.check_seed(args.seed)
    if args.per_digit > MAX_PER_DIGIT:
        raise cli.UserError('--per-digit must be at most %d (%d images in all)'
                            % (MAX_PER_DIGIT, MAX_PER_DIGIT * len(args.labels)))
    check_like_arguments(args)
    if args.out is None and args.npz is None:
        args.out = 'generated.png'
    if args.out is not None and not args.like:
        check_png_size(args)
        cli.writable_file(args.out, '--out', 'generated.png')
    if args.npz is not None:
        cli.writable_file(args.npz, '--npz', 'samples.npz')
    return args


def label_index(wanted, labels):
    """'all', or the index of the label `wanted` names (its name, any case, or its index)."""
    if wanted == 'all':
        return wanted
    for match in (lambda name: name == wanted, lambda name: name.lower() == wanted.lower()):
        found = [index for index, name in enumerate(labels) if match(name)]
        if found:
            return found[0]
    if wanted.isdigit() and int(wanted) < len(labels):
        return int(wanted)
    raise cli.UserError("--digit must be 'all' or one of the generator's labels (%s), or "
                        'their index 0-%d, not %r' % (', '.join(labels), len(labels) - 1,
                                                      wanted))


def check_like_arguments(args):
    if args.like and args.out:
        width = ((len(args.labels) if args.digit == 'all' else 1) + 1) * 28 * args.scale
        if width * len(args.like) * 28 * args.scale > MAX_PNG_PIXELS:
            raise cli.UserError('the PNG for %d --like files would exceed %d megapixels: '
                                'lower --scale, or use --npz alone'
                                % (len(args.like), MAX_PNG_PIXELS // 10 ** 6))
    if args.label is None:
        return
    if not args.like:
        raise cli.UserError('--label goes with --like: it gives the digit each file shows')
    if len(args.label) not in (1, len(args.like)):
        raise cli.UserError('--label takes one digit for all files or one per file (%d '
                            'files, %d labels)' % (len(args.like), len(args.label)))
    if any(not 0 <= label < len(args.labels) for label in args.label):
        raise cli.UserError('--label must be digits 0-%d' % (len(args.labels) - 1))


def read_like_files(args):
    """(images (F, 28, 28), file indices, labels) of the --like files that hold a digit;
    each that does not is named on stderr."""
    images, used = [], []
    for index, path in enumerate(args.like):
        try:
            images.append(read_digit(path))
            used.append(index)
        except cli.UserError as error:
            print('error: %s: %s' % (path, error), file=sys.stderr, flush=True)
    if not images:
        raise cli.UserError('no digit in any --like file, nothing written')
    images, used = numpy.stack(images), numpy.array(used)
    if args.label:
        labels = numpy.array(args.label if len(args.label) > 1 else args.label * len(args.like))
        return images, used, labels[used]
    labels, probabilities = recognise(checkpoints.load_recogniser(args.recogniser), images)
    for index, label, probability in zip(used, labels, probabilities):
        print('%s: read as %d (%.3f)' % (args.like[index], label, probability), flush=True)
    return images, used, labels


def main_like(args, gen):
    handwriting.check_pair(args.encoder, args.generator)
    enc = checkpoints.load_encoder(args.encoder)
    images, used, labels = read_like_files(args)
    targets = numpy.arange(gen.n_classes) if args.digit == 'all' else numpy.array([args.digit])
    outputs = handwriting.restyle(gen, enc, images, labels, targets)
    if args.out:
        save_png(handwriting.like_sheet(images, outputs), args.out, scale=args.scale)
        print('wrote %s' % args.out)
    if args.npz:
        write_npz(args.npz, images=outputs.reshape(-1, 28, 28).astype(numpy.float32),
                  labels=numpy.tile(targets, len(used)).astype(numpy.int64),
                  source=numpy.repeat(used, len(targets)).astype(numpy.int64))
        print('wrote %s: %d digits from %d files' % (args.npz, outputs.shape[0] * outputs.shape[1],
                                                     len(used)))
    if len(used) < len(args.like):
        sys.exit(1)


def grid(gen, digit, n, rng):
    """The PNG's pixels: n images of one label near-square, or n rows of every label, each
    row sharing its z."""
    if digit == 'all':
        return digit_grid(generate(gen, *style_rows(gen, n, rng)), n, gen.n_classes)
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    images = numpy.zeros((rows * cols, 1, 28, 28), numpy.float32)   # blank cells are white
    images[:n] = generate(gen, gen.make_hidden(n, rng=rng), numpy.full(n, int(digit)))
    return digit_grid(images, rows, cols)


def write_npz(path, **arrays):
    with cli.atomic_path(path) as tmp:
        with open(tmp, 'wb') as f:
            numpy.savez_compressed(f, **arrays)


def main(argv=None):
    args = parse_args(argv)
    gen = checkpoints.load_generator(args.generator)
    if args.like:
        return main_like(args, gen)
    rng = numpy.random.RandomState(args.seed)
    if args.out:
        save_png(grid(gen, args.digit, args.n, rng), args.out, scale=args.scale)
        print('wrote %s' % args.out)
    if args.npz:
        labels = numpy.repeat(numpy.arange(gen.n_classes, dtype=numpy.int64), args.per_digit)
        images = generate(gen, gen.make_hidden(len(labels), rng=rng), labels)
        write_npz(args.npz, images=images[:, 0].astype(numpy.float32), labels=labels)
        print('wrote %s: %d images per label (%s)' % (args.npz, args.per_digit,
                                                     ', '.join(gen.labels)))


if __name__ == '__main__':
    cli.run(main)
