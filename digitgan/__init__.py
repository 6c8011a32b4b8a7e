"""digitgan: the library behind the command lines at the top of the repository.

Importing the package applies compat.py's shims once, so that chainer 7.8.1 and webdnn
1.2.11 import on today's Python, NumPy and setuptools; every module below relies on that.

One folder per stage of the chain, in the order the chain runs:

    data/         MNIST, Fashion-MNIST, IDX sets, image folders (--dataset); safe image files
    networks.py   Generator, Discriminator, Recogniser, Encoder and their contract
    training/     the GAN step, G's moving average, Trainer plumbing (snapshots, safe resume,
                  logs, Ctrl-C), preview grids, several processes (ChainerMN), the Encoder's step
    cpu_kernels/  faster CPU convolution, BatchNorm, leaky ReLU for Chainer (the trainers use it)
    generation/   z, batched eval-mode generation, digit grids, PNGs; a handwriting's z
    evaluation/   conditional accuracy, Frechet distances, diversity, targets; Encoder likeness
    export/       Chainer graph -> WebDNN descriptors, contract.json, ONNX, converter patches
    ink/          drawings, photos and scans -> the MNIST-style ink the recogniser reads
    recognition/  image file -> digit, and the verdict (a digit or "?") shared with the page
    serving/      the static server for the built pages

Shared by every stage: checkpoints.py (find and load trained weights safely, no pickle),
cli.py (one-line errors, atomic writes, devices, shared flags), compat.py (the shims).
"""
from digitgan import compat  # noqa: F401  (applies the shims at import)
