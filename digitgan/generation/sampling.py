"""Drawing digits from a generator: z, batched eval-mode generation, digit grids, PNGs.

Training previews, generate.py, evaluate.py, 2pack.py and bench/ all sample through here:

    z = gen.make_hidden(n, rng=numpy.random.RandomState(seed))   # repeatable z
    images = generate(gen, z, labels)              # (N, 1, 28, 28) float32 in [0, 1], numpy
    z, labels = style_rows(gen, rows, rng)         # each row: one z written as 0..9
    save_png(digit_grid(images, rows, cols), path, scale=2)
"""
import chainer
import numpy
from PIL import Image

from digitgan.cli import atomic_path
from digitgan.networks import IMAGE_SHAPE

# Images per forward pass. Memory grows with it (im2col buffers); past ~100 the CPU gets
# no faster per image.
BATCH = 100


def generate(gen, z, labels, batch=BATCH):
    """Eval-mode images for z and labels (numpy or the generator's device arrays), in
    batches, as float32 numpy (N, 1, 28, 28) on the CPU."""
    xp = gen.xp
    out = []
    with chainer.using_config('train', False), chainer.using_config('enable_backprop', False):
        for i in range(0, len(labels), batch):
            x = gen(gen.make_input(xp.asarray(z[i:i + batch]),
                                   xp.asarray(labels[i:i + batch], dtype=numpy.int32)))
            out.append(chainer.backend.CpuDevice().send(x.array))
    if not out:
        return numpy.zeros((0,) + IMAGE_SHAPE, numpy.float32)
    return numpy.concatenate(out)


def style_rows(gen, rows, rng=None):
    """z and labels for `rows` rows of all digits: row r is one z (one handwriting) written
    as 0, 1, ..., 9."""
    z = numpy.repeat(gen.make_hidden(rows, rng=rng), gen.n_classes, axis=0)
    labels = numpy.tile(numpy.arange(gen.n_classes, dtype=numpy.int32), rows)
    return z, labels


def digit_grid(images, rows, cols):
    """(rows*cols, 1, H, W) floats in [0, 1], ink = 1 -> uint8 picture, dark ink on white."""
    h, w = images.shape[2:]
    grid = images.reshape(rows, cols, h, w).transpose(0, 2, 1, 3).reshape(rows * h, cols * w)
    return (255 - numpy.clip(numpy.rint(grid * 255), 0, 255)).astype(numpy.uint8)


def save_png(pixels, path, scale=1):
    """Write a uint8 picture atomically, enlarged `scale` times with crisp pixels."""
    image = Image.fromarray(pixels)
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.NEAREST)
    with atomic_path(path) as tmp:
        image.save(tmp, format='PNG')
