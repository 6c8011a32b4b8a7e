"""How well the Encoder keeps a handwriting: evaluate.py's --like section.

MNIST test digits are written out as PNG files and read back the way generate.py --like
reads a user's file (digit_files.py), labelled by the recogniser as there, and each is
written as 0-9 (handwriting.restyle). Two measures:

    readable     share of the outputs the recogniser reads as the digit asked for (overall
                 and per asked digit)
    own closer   for an input x of digit y, its own redrawing G(E(x, y), y) against the
                 redrawings G(E(x', y), y) of the other inputs x' of digit y ("other
                 writers"), by distance to x in recogniser features:
                 `pairs` share of (x, x') pairs in which x's own redrawing is closer (the
                         target: a random other writer's redrawing is farther);
                 `than_most` / `than_all` share of inputs whose own redrawing is closer
                         than more than half of / all the other writers' (a retrieval among
                         the inputs of that digit)
"""
import os
import tempfile

import numpy

from digitgan.data.catalog import load_mnist
from digitgan.evaluation.generator_quality import (Target, recognise as recognise_batches, shown,
                                                   target_lines, verdicts)
from digitgan.generation import handwriting, sampling
from digitgan.recognition.digit_files import read_digit, recognise

TARGETS = [
    Target('readable', 'like: read as the digit asked for', '>=', 0.98, '%'),
    Target('own_closer_pairs', 'like: own redrawing closer (pairs)', '>=', 0.90, '%'),
]


def test_digits(data_dir, per_label, seed=0):
    """`per_label` MNIST test digits of each label, chosen at random: images (N, 28, 28)."""
    images, labels = load_mnist('test', data_dir)
    rng = numpy.random.RandomState(seed)
    chosen = numpy.concatenate([rng.choice(numpy.flatnonzero(labels == label), per_label,
                                           replace=False) for label in range(10)])
    return images[chosen, 0], labels[chosen]


def through_files(images):
    """The images as a user's files would arrive: PNGs, dark ink on white, read back."""
    with tempfile.TemporaryDirectory() as folder:
        read = []
        for i, image in enumerate(images):
            path = os.path.join(folder, '%05d.png' % i)
            sampling.save_png(sampling.digit_grid(image[None, None], 1, 1), path)
            read.append(read_digit(path))
    return numpy.stack(read)


def own_closer(rec, images, redrawn, labels):
    """Per input, the share of the other writers (inputs of the same label) whose
    redrawing is farther from it than its own redrawing: (N,) floats; an input alone with
    its label gets NaN. `redrawn`: each image's own redrawing."""
    beaten = numpy.full(len(labels), numpy.nan)
    for label in numpy.unique(labels):
        group = numpy.flatnonzero(labels == label)
        if len(group) < 2:
            continue
        f_in, f_out = (recognise_batches(rec, x[group].reshape(-1, 1, 28, 28),
                                         labels[group]).features for x in (images, redrawn))
        distance = numpy.linalg.norm(f_in[:, None] - f_out[None], axis=2)  # [input, redrawing]
        others = ~numpy.eye(len(group), dtype=bool)
        closer = (numpy.diag(distance)[:, None] < distance) & others
        beaten[group] = closer.sum(axis=1) / (len(group) - 1)
    return beaten


def measure(gen, enc, rec, data_dir, per_label, seed=0):
    """The --like section's figures for `per_label` test digits of each label."""
    truth_images, truth = test_digits(data_dir, per_label, seed)
    images = through_files(truth_images)
    labels, _ = recognise(rec, images)
    targets = numpy.arange(gen.n_classes)
    outputs = handwriting.restyle(gen, enc, images, labels, targets)      # (N, 10, 28, 28)
    read, _ = recognise(rec, outputs.reshape(-1, 28, 28))
    correct = read.reshape(outputs.shape[:2]) == targets[None]
    own = outputs[numpy.arange(len(labels)), labels]
    beaten = own_closer(rec, images, own, labels)
    beaten = beaten[~numpy.isnan(beaten)]
    per_digit = correct.mean(axis=0)
    return {'inputs': int(len(images)),
            'source_read_as_true_label': float(numpy.mean(labels == truth)),
            'readable': float(correct.mean()), 'worst_digit_readable': float(per_digit.min()),
            'readable_per_digit': [float(v) for v in per_digit],
            'own_closer_pairs': float(beaten.mean()),
            'own_closer_than_most': float(numpy.mean(beaten > 0.5)),
            'own_closer_than_all': float(numpy.mean(beaten == 1))}


def report(values):
    """(lines to print, verdicts) for measure()'s values."""
    checks = verdicts(values, TARGETS)
    lines = target_lines(values, checks, TARGETS)
    lines.append('%d MNIST test digits through image files, each written as 0-9. Inputs whose '
                 'own redrawing is closer than most other writers\' redrawings: %s, than all: '
                 '%s. Read as asked, by digit: %s' % (
                     values['inputs'], shown(values['own_closer_than_most'], '%'),
                     shown(values['own_closer_than_all'], '%'),
                     ' '.join('%d:%s' % (d, shown(v, '%').replace(' ', ''))
                              for d, v in enumerate(values['readable_per_digit']))))
    return lines, checks
