#!/usr/bin/env python
"""Recognise the digit in each image file: photos, scans or drawings of one digit.

    python recognize.py seven.png photo.jpg scribble.png [FILE ...]
    seven.png 7 0.998
    photo.jpg 3 0.912
    scribble.png ? not a digit: draw one digit

One line per file: the file, the digit, the recogniser's probability for it; or "?" and the
reason, by the same rule as the recogniser page (digitgan/verdict.py, with the verdict.json
written beside the weights): not a digit, or not sure between two digits. Any image up to
40 megapixels, dark ink on light paper or light on dark; digitgan/digit_files.py reads it
and makes it look like an MNIST digit.
A file that cannot be read or holds no digit gets `error: FILE: reason` on stderr, the other
files are still recognised, and the exit status is 1. --recogniser picks the weights (default
result-recogniser/recogniser.npz, with recogniser_args.json beside them).
"""
import sys

from digitgan import checkpoints, cli  # first: makes chainer importable
from digitgan import verdict
from digitgan.digit_files import logits_of, read_digit


def parse_args(argv=None):
    parser = cli.ArgumentParser(description='Recognise handwritten digits in images')
    parser.add_argument('files', nargs='+', metavar='FILE', help='image files (PNG, JPEG, ...)')
    parser.add_argument('--recogniser', '-r', default=checkpoints.RECOGNISER,
                        help='recogniser weights (default: result-recogniser/recogniser.npz)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    rec = checkpoints.load_recogniser(args.recogniser)
    rule = verdict.load_rule(args.recogniser)
    failed = 0
    for path in args.files:
        try:
            [(digit, probability, reason)] = verdict.decide(
                logits_of(rec, read_digit(path)[None]), rule)
        except cli.UserError as error:
            print('error: %s: %s' % (path, error), file=sys.stderr, flush=True)
            failed += 1
            continue
        if digit is None:
            print('%s ? %s' % (path, reason), flush=True)
        else:
            print('%s %d %.3f' % (path, digit, probability), flush=True)
    if failed:
        sys.exit(1)


if __name__ == '__main__':
    cli.run(main)
