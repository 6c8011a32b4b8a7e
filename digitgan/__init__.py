"""digitgan: the library behind the command lines at the top of the repository.

Importing the package applies compat.py's shims once, so that chainer 7.8.1 and webdnn
1.2.11 import on today's Python, NumPy and setuptools; every module below relies on that.

    data        data/          MNIST, Fashion-MNIST, IDX sets, image folders (--dataset)
    networks    networks       Generator, Discriminator, Recogniser and their contract
    training    updater        the GAN step (D, then G) as a StandardUpdater; the losses
                ema            moving average of G's weights, saved beside the raw ones
                training       Trainer plumbing: snapshots, safe resume, logs, Ctrl-C
                cpu_kernels    faster CPU convolution, BatchNorm, leaky ReLU for Chainer
                cpu_processes  both cores of a CPU: the command again as 2 MPI processes
                dataset_slices each process's own slice of the data set
                distributed    multi-process training with ChainerMN
                visualize      the preview-grid Trainer extension
                inversion      the Encoder's training step against a frozen generator
    sampling    sampling       z, batched eval-mode generation, digit grids, PNGs
                handwriting    a digit's z from the Encoder, written as other digits
    weights     checkpoints    find and load trained weights safely (no pickle)
    measuring   evaluation     conditional accuracy, Frechet distances, diversity, targets
                metrics        Frechet distance and spread statistics
                likeness       how well the Encoder keeps a handwriting (evaluate --like)
    export      webdnn_export  Chainer graph -> WebDNN descriptors
                webdnn_patches fixes to webdnn's converter, and a faster Col2Im kernel
                contract       app/models/contract.json from the converted graphs
                pack_plan      which graphs 2pack.py converts, other data sets included
                folder_swap    replace an output folder whole; clean up after killed runs
                onnx_export    the generator as ONNX (for the benchmark's other engines)
    images      image_file     open image files safely (size limits, regular files only)
                digit_files    image file -> MNIST-style digit, and what the recogniser reads
                preprocess     MNIST-style centring of a digit
                photo_ink      photos and scans -> ink on a clean background
                ink_parts      connected ink parts: which belong to the digit
    serving     server         the static server for the built pages
    commands    cli            one-line errors, atomic writes, devices, shared flags
"""
from digitgan import compat  # noqa: F401  (applies the shims at import)
