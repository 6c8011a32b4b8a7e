"""Trainer extension that writes a preview grid of the generator's digits."""
import os

import chainer
import numpy
from PIL import Image

from digitgan.cli import atomic_path


def digit_grid(images, rows, cols):
    """(rows*cols, 1, 28, 28) floats in [0, 1], ink = 1 -> uint8 picture, dark ink on white."""
    h, w = images.shape[2:]
    grid = images.reshape(rows, cols, h, w).transpose(0, 2, 1, 3).reshape(rows * h, cols * w)
    return (255 - numpy.clip(numpy.rint(grid * 255), 0, 255)).astype(numpy.uint8)


def save_png(pixels, path, scale=1):
    image = Image.fromarray(pixels)
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.NEAREST)
    with atomic_path(path) as tmp:
        image.save(tmp, format='PNG')


def generate(gen, z, labels):
    """Eval-mode images for z (numpy) and labels, as numpy on the CPU."""
    xp = gen.xp
    with chainer.using_config('train', False), chainer.using_config('enable_backprop', False):
        x = gen(gen.make_input(xp.asarray(z), xp.asarray(labels)))
    return chainer.backend.CpuDevice().send(x.array)


def preview_images(gen, rows, seed):
    """rows x n_classes images: row r uses one fixed z, column c is digit c."""
    z = numpy.random.RandomState(seed).standard_normal((rows, gen.n_hidden)).astype('f')
    z = numpy.repeat(z, gen.n_classes, axis=0)
    labels = numpy.tile(numpy.arange(gen.n_classes, dtype=numpy.int32), rows)
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
