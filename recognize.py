#!/usr/bin/env python
"""Recognise the digit in each image file: photos, scans or drawings of one digit.

    python recognize.py seven.png photo.jpg [FILE ...]
    seven.png 7 0.998
    photo.jpg 3 0.912

One line per file: the file, the digit, the recogniser's probability for it. Any image up to
40 megapixels, dark ink on light paper or light on dark; image_file.py reads it, photo_ink.py
finds the ink and preprocess.py makes it look like an MNIST digit.
A file that cannot be read or holds no digit gets `error: FILE: reason` on stderr, the other
files are still recognised, and the exit status is 1. --recogniser picks the weights (default
result-recogniser/recogniser.npz, with recogniser_args.json beside them).
"""
import sys

from digitgan import checkpoints, cli  # first: makes chainer importable
from digitgan import image_file, photo_ink, preprocess

import chainer
import chainer.functions as F


def parse_args(argv=None):
    parser = cli.ArgumentParser(description='Recognise handwritten digits in images')
    parser.add_argument('files', nargs='+', metavar='FILE', help='image files (PNG, JPEG, ...)')
    parser.add_argument('--recogniser', '-r', default=checkpoints.RECOGNISER,
                        help='recogniser weights (default: result-recogniser/recogniser.npz)')
    return parser.parse_args(argv)


def load(path):
    """The recogniser's input for one file, or a UserError saying why there is none."""
    try:
        gray = image_file.read_gray(path)
    except image_file.ImageRefused as error:
        raise cli.UserError(str(error))
    except FileNotFoundError:
        raise cli.UserError('no such file')
    except IsADirectoryError:
        raise cli.UserError('is a folder, not an image')
    except Exception as error:  # Pillow raises many kinds for files it cannot decode
        raise cli.UserError('not an image Pillow can read (%s)'
                            % (str(error).splitlines() or [type(error).__name__])[0][:200])
    try:
        return preprocess.mnist_style(photo_ink.to_ink(gray))
    except preprocess.NoDigit as error:
        raise cli.UserError(str(error))


def recognise(rec, x):
    """(digit, probability) for one (28, 28) image."""
    with chainer.using_config('train', False), chainer.using_config('enable_backprop', False):
        probabilities = F.softmax(rec(x[None, None])).array[0]
    digit = int(probabilities.argmax())
    return digit, float(probabilities[digit])


def main(argv=None):
    args = parse_args(argv)
    rec = checkpoints.load_recogniser(args.recogniser)
    failed = 0
    for path in args.files:
        try:
            digit, probability = recognise(rec, load(path))
        except cli.UserError as error:
            print('error: %s: %s' % (path, error), file=sys.stderr, flush=True)
            failed += 1
            continue
        print('%s %d %.3f' % (path, digit, probability), flush=True)
    if failed:
        sys.exit(1)


if __name__ == '__main__':
    cli.run(main)
