#!/usr/bin/env python
"""Recognise the digit in each image file: photos, scans or drawings of one digit.

    python recognize.py seven.png photo.jpg [FILE ...]
    seven.png 7 0.998
    photo.jpg 3 0.912

One line per file: the file, the digit, the recogniser's probability for it. Any image up to
40 megapixels, dark ink on light paper or light on dark; digitgan/digit_files.py reads it
and makes it look like an MNIST digit.
A file that cannot be read or holds no digit gets `error: FILE: reason` on stderr, the other
files are still recognised, and the exit status is 1. --recogniser picks the weights (default
result-recogniser/recogniser.npz, with recogniser_args.json beside them).
"""
import sys

from digitgan import checkpoints, cli  # first: makes chainer importable
from digitgan.digit_files import read_digit, recognise


def parse_args(argv=None):
    parser = cli.ArgumentParser(description='Recognise handwritten digits in images')
    parser.add_argument('files', nargs='+', metavar='FILE', help='image files (PNG, JPEG, ...)')
    parser.add_argument('--recogniser', '-r', default=checkpoints.RECOGNISER,
                        help='recogniser weights (default: result-recogniser/recogniser.npz)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    rec = checkpoints.load_recogniser(args.recogniser)
    failed = 0
    for path in args.files:
        try:
            digits, probabilities = recognise(rec, read_digit(path)[None])
        except cli.UserError as error:
            print('error: %s: %s' % (path, error), file=sys.stderr, flush=True)
            failed += 1
            continue
        print('%s %d %.3f' % (path, digits[0], probabilities[0]), flush=True)
    if failed:
        sys.exit(1)


if __name__ == '__main__':
    cli.run(main)
