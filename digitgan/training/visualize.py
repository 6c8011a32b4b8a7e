"""Trainer extension that writes a preview grid of the generator's digits."""
import os

import chainer
import numpy

from digitgan.generation.sampling import digit_grid, generate, save_png, style_rows


def preview_images(gen, rows, seed):
    """rows x n_classes images: row r uses one fixed z, column c is digit c."""
    z, labels = style_rows(gen, rows, numpy.random.RandomState(seed))
    return generate(gen, z, labels)


def out_generated_image(gen, rows=10, seed=0, dst='preview'):
    """Extension writing <out>/<dst>/image<iteration>.png and <out>/preview.png (the latest)."""
    @chainer.training.make_extension()
    def make_image(trainer):
        pixels = digit_grid(preview_images(gen, rows, seed), rows, gen.n_classes)
        folder = os.path.join(trainer.out, dst)
        os.makedirs(folder, exist_ok=True)
        save_png(pixels, os.path.join(folder, 'image%08d.png' % trainer.updater.iteration))
        save_png(pixels, os.path.join(trainer.out, 'preview.png'), scale=2)
    return make_image
