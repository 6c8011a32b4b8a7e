"""Your handwriting in every digit: an Encoder finds the z of a drawn digit, the Generator
writes other digits from it.

    z = encode(enc, images, labels)               # images (N, 28, 28), ink = 1
    out = restyle(gen, enc, images, labels, targets)   # (N, len(targets), 28, 28)
    save_png(like_sheet(images, out), 'like.png')      # each input, a gap, its digits

An Encoder is trained against one generator's weights (train_encoder.py records that file's
SHA-256 in encoder_args.json); check_pair() refuses any other generator, whose z would mean
something else.
"""
import os

import chainer
import numpy

from digitgan import checkpoints, cli
from digitgan.export import webdnn_export as export
from digitgan.generation import sampling

BATCH = 100


def encode(enc, images, labels, batch=BATCH):
    """z (N, n_hidden) float32 for images (N, 28, 28) or (N, 1, 28, 28) and their labels."""
    images = numpy.asarray(images, numpy.float32).reshape(-1, 1, 28, 28)
    labels = numpy.asarray(labels, numpy.int32)
    xp, cpu = enc.xp, chainer.backend.CpuDevice()
    out = [numpy.zeros((0, enc.n_hidden), numpy.float32)]
    with chainer.using_config('train', False), chainer.using_config('enable_backprop', False):
        for i in range(0, len(labels), batch):
            x = enc.make_input(xp.asarray(images[i:i + batch]), xp.asarray(labels[i:i + batch]))
            out.append(cpu.send(enc(x).array))
    return numpy.concatenate(out)


def restyle(gen, enc, images, labels, targets):
    """(N, len(targets), 28, 28): each image's handwriting written as each target label."""
    targets = numpy.asarray(targets, numpy.int32)
    codes = encode(enc, images, labels)
    drawn = sampling.generate(gen, numpy.repeat(codes, len(targets), axis=0),
                              numpy.tile(targets, len(codes)))
    return drawn.reshape(-1, len(targets), 28, 28)


def like_sheet(images, outputs, gap=4):
    """uint8 picture, dark ink on white: one row per input: it, a gap, its outputs."""
    n, k = outputs.shape[:2]
    cells = numpy.concatenate([numpy.asarray(images).reshape(n, 1, 28, 28), outputs], axis=1)
    pixels = sampling.digit_grid(cells.reshape(-1, 1, 28, 28), n, k + 1)
    return numpy.concatenate([pixels[:, :28], numpy.full((len(pixels), gap), 255, numpy.uint8),
                              pixels[:, 28:]], axis=1)


def generator_sha256(enc_path):
    """The SHA-256 of the generator an encoder was trained against (encoder_args.json)."""
    args_path = os.path.join(os.path.dirname(os.path.abspath(enc_path)),
                             checkpoints.ARGS_FILES['encoder'])
    args = cli.read_json(args_path, 'encoder hyperparameter file')
    return (args.get('generator') or {}).get('sha256') if isinstance(args, dict) else None


def check_pair(enc_path, gen_path):
    """A UserError unless the encoder at enc_path was trained against gen_path's weights."""
    if not os.path.isfile(enc_path):
        raise cli.UserError('encoder snapshot %s: no such file; train one with `python '
                            'train_encoder.py`' % enc_path)
    wanted = generator_sha256(enc_path)
    if wanted != export.sha256_of(gen_path):
        raise cli.UserError(
            '%s was trained against another generator than %s (its z would draw someone else\'s '
            'handwriting): retrain it with `python train_encoder.py --generator %s`, or pass '
            'the generator it was trained with' % (enc_path, gen_path, gen_path))
