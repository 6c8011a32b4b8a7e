"""Image files of single digits -> MNIST-style inputs, and what the recogniser reads in them.

    image = read_digit('photo.jpg')          # (28, 28) float32, ink = 1; UserError if none
    digits, probabilities = recognise(rec, images)   # images (N, 28, 28)

recognize.py and generate.py --like read files through here: image_file.py opens the file
safely, photo_ink.py finds the ink, preprocess.py centres it as MNIST's digits are.
"""
import chainer
import chainer.functions as F
import numpy

from digitgan.cli import UserError
from digitgan.data import image_file
from digitgan.ink import photo_ink, preprocess
from digitgan.recognition import verdict

BATCH = 100     # images per forward pass of the recogniser


def read_digit(path):
    """The recogniser's input for one file, or a UserError saying why there is none."""
    try:
        gray = image_file.read_gray(path)
    except image_file.ImageRefused as error:
        raise UserError(str(error))
    except FileNotFoundError:
        raise UserError('no such file')
    except IsADirectoryError:
        raise UserError('is a folder, not an image')
    except Exception as error:  # Pillow raises many kinds for files it cannot decode
        raise UserError('not an image Pillow can read (%s)'
                        % (str(error).splitlines() or [type(error).__name__])[0][:200])
    try:
        return preprocess.mnist_style(photo_ink.to_ink(gray))
    except preprocess.NoDigit as error:
        raise UserError(str(error))


def logits_of(rec, images):
    """The recogniser's outputs (N, n_classes) for images (N, 28, 28), in eval mode."""
    x = numpy.asarray(images, numpy.float32).reshape(-1, 1, 28, 28)
    with chainer.using_config('train', False), chainer.using_config('enable_backprop', False):
        # In batches: memory grows with the batch (one forward of 10,000 digits holds ~1 GB).
        return numpy.concatenate([numpy.zeros((0, rec.n_classes), numpy.float32)]
                                 + [rec(x[i:i + BATCH]).array for i in range(0, len(x), BATCH)])


def recognise(rec, images):
    """(digits (N,) int64, probability of each) for images (N, 28, 28) in eval mode: the
    most probable digit, also where a recogniser's "not a digit" output is higher."""
    probabilities = F.softmax(logits_of(rec, images)).array
    digits = probabilities[:, :verdict.OTHER].argmax(axis=1)
    return digits, probabilities[numpy.arange(len(digits)), digits]
