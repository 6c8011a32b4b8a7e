#!/usr/bin/env python
"""Recognise the digit in each image file: photos, scans or drawings of one digit.

    python recognize.py seven.png photo.jpg scribble.png [FILE ...]
    seven.png 7 0.998
    photo.jpg 3 0.912
    scribble.png ? not a digit: draw one digit

One line per file: the file, the digit, the recogniser's probability for it; or "?" and the
reason, by the same rule as the recogniser page (digitgan/recognition/verdict.py, with the
verdict.json written beside the weights): not a digit, or not sure between two digits. Any
image up to 40 megapixels, dark ink on light paper or light on dark;
digitgan/recognition/digit_files.py reads it and makes it look like an MNIST digit.
A file that cannot be read or holds no digit gets `error: FILE: reason` on stderr, the other
files are still recognised, and the exit status is 1. --recogniser picks the weights (default
result-recogniser/recogniser.npz, with recogniser_args.json beside them).

    python recognize.py --dataset fashion-mnist shoe.jpg
    shoe.jpg Sneaker 0.954

--dataset picks another data set's shipped classifier; its images are read whole (made
28x28, ink = 1, as --image-folder reads training images), not centred like a digit, and the
answer is the label's name. --recogniser with a classifier of your own does the same.
"""
import sys

from digitgan import checkpoints, cli  # first: makes chainer importable
from digitgan.data.catalog import MNIST
from digitgan.data.image_file import ImageRefused, read_gray
from digitgan.data.image_folder import as_ink
from digitgan.recognition import verdict
from digitgan.recognition.digit_files import logits_of, read_digit


def parse_args(argv=None):
    parser = cli.ArgumentParser(description='Recognise handwritten digits in images')
    parser.add_argument('files', nargs='+', metavar='FILE', help='image files (PNG, JPEG, ...)')
    parser.add_argument('--recogniser', '-r', default=None,
                        help='recogniser weights (default: result-recogniser/recogniser.npz, '
                             "or --dataset's classifier)")
    parser.add_argument('--dataset', default='mnist',
                        help='whose shipped recogniser to use: %s (default %%(default)s)'
                             % ', '.join(checkpoints.SHIPPED))
    args = parser.parse_args(argv)
    if args.recogniser is None:
        args.recogniser = checkpoints.RECOGNISER if args.dataset == 'mnist' else \
            checkpoints.shipped(args.dataset, 'classifier')
    return args


def read_whole(path):
    """An image of another data set's kind: whole, 28x28, ink = 1 (data/image_folder.py)."""
    try:
        return as_ink(read_gray(path))
    except (OSError, ImageRefused) as error:
        raise cli.UserError('cannot read it as an image (%s)' % (
            getattr(error, 'strerror', None) or error))


def main(argv=None):
    args = parse_args(argv)
    rec = checkpoints.load_recogniser(args.recogniser)
    rule = verdict.load_rule(args.recogniser)
    digits = rec.labels == MNIST.labels
    failed = 0
    for path in args.files:
        try:
            image = read_digit(path) if digits else read_whole(path)
            [(digit, probability, reason)] = verdict.decide(
                logits_of(rec, image[None]), rule, len(rec.labels))
        except cli.UserError as error:
            print('error: %s: %s' % (path, error), file=sys.stderr, flush=True)
            failed += 1
            continue
        if digit is None:
            print('%s ? %s' % (path, reason), flush=True)
        else:
            print('%s %s %.3f' % (path, rec.labels[digit], probability), flush=True)
    if failed:
        sys.exit(1)


if __name__ == '__main__':
    cli.run(main)
