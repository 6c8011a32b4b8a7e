"""Your own labelled images: a folder with one subfolder per label, named for the label.

    folder = read_image_folder('my-shapes')    # my-shapes/circle/*.png, my-shapes/star/*.jpg
    folder.labels, folder.train, folder.test, folder.skipped

Any format Pillow reads, any size, in either polarity (dark on light or light on dark: told
apart by the image's border), through image_file.py's safe reader (size limits, regular
files only). Each image becomes 28x28 gray with ink = 1 on 0, padded to a square with its
own background so that nothing is stretched. Every tenth image of each label (in name order)
is held out as the test split. Files that are not images are skipped and counted.
"""
import dataclasses
import os

import numpy
from PIL import Image

from digitgan.cli import UserError
from digitgan.data.idx_files import SIDE
from digitgan.data.image_file import ImageRefused, read_gray

MAX_LABELS = 100
MAX_FILES = 1_000_000
TEST_EVERY = 10            # the 10th, 20th, ... image of a label (in name order) is a test one
BORDER_LIGHT = 0.5         # a border lighter than this: dark ink on a light background


@dataclasses.dataclass
class ImageFolder:
    name: str
    labels: tuple
    train: tuple           # (images (N, 1, 28, 28) float32, labels (N,) int32)
    test: tuple
    skipped: int           # files that were not readable images


def as_ink(gray):
    """A luminance image -> 28x28 float32 in [0, 1], ink = 1 on a background of 0."""
    border = numpy.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    ink = 1.0 - gray if numpy.median(border) > BORDER_LIGHT else gray
    ink = numpy.clip(ink - numpy.median(numpy.concatenate(
        [ink[0], ink[-1], ink[:, 0], ink[:, -1]])), 0, 1)        # the background becomes 0
    h, w = ink.shape
    side = max(h, w)
    square = numpy.zeros((side, side), numpy.float32)
    square[(side - h) // 2:(side - h) // 2 + h, (side - w) // 2:(side - w) // 2 + w] = ink
    if side != SIDE:
        resample = Image.Resampling.BOX if side > SIDE else Image.Resampling.BICUBIC
        square = numpy.asarray(Image.fromarray(square, 'F').resize((SIDE, SIDE), resample))
    return numpy.clip(square, 0, 1).astype(numpy.float32)


def label_folders(root):
    """[(label name, folder)] in name order; UserError for a folder that cannot serve."""
    if not os.path.isdir(root):
        raise UserError('--image-folder %s: %s' % (
            root, 'is a file, not a folder' if os.path.exists(root) else 'no such folder'))
    try:
        entries = sorted(e for e in os.listdir(root) if not e.startswith('.'))
    except OSError as error:
        raise UserError('--image-folder %s: cannot be read (%s)' % (root, error.strerror))
    labels = [(e, os.path.join(root, e)) for e in entries if os.path.isdir(os.path.join(root, e))]
    if not labels:
        raise UserError('--image-folder %s holds no label folders: put the images of each label '
                        'in a subfolder named for the label (%s/cat/*.png, %s/dog/*.png)'
                        % (root, root, root))
    if len(labels) == 1:
        raise UserError('--image-folder %s holds a single label folder (%s); a conditional GAN '
                        'needs at least two labels' % (root, labels[0][0]))
    if len(labels) > MAX_LABELS:
        raise UserError('--image-folder %s holds %d label folders; at most %d are supported'
                        % (root, len(labels), MAX_LABELS))
    return labels


def files_of(folder, counted):
    """The files under `folder` (subfolders too), in name order; stops past MAX_FILES."""
    found = []
    for parent, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith('.'))
        for name in sorted(names):
            if not name.startswith('.'):
                found.append(os.path.join(parent, name))
        if counted + len(found) > MAX_FILES:
            raise UserError('--image-folder holds more than %d files; use a smaller folder'
                            % MAX_FILES)
    return found


def read_image_folder(root, log=print):
    labels = label_folders(root)
    counted, skipped = 0, 0
    images, label_ids, test_mask = [], [], []
    for index, (name, folder) in enumerate(labels):
        read = 0
        files = files_of(folder, counted)
        counted += len(files)
        for path in files:
            try:
                gray = read_gray(path)
            except (OSError, ImageRefused, ValueError, Image.DecompressionBombError):
                skipped += 1
                continue
            if gray.size == 0:
                skipped += 1
                continue
            images.append(as_ink(gray))
            label_ids.append(index)
            read += 1
            test_mask.append(read % TEST_EVERY == 0)
        if not read:
            raise UserError("--image-folder: the label folder '%s' (%s) holds no readable "
                            'image (%d files); add images to it or remove it'
                            % (name, folder, len(files)))
    if skipped:
        log('--image-folder %s: skipped %d file%s that are not readable images'
            % (root, skipped, '' if skipped == 1 else 's'))
    images = numpy.stack(images)[:, None]
    label_ids = numpy.asarray(label_ids, numpy.int32)
    test_mask = numpy.asarray(test_mask)
    return ImageFolder(name=os.path.basename(os.path.normpath(root)),
                       labels=tuple(name for name, _ in labels),
                       train=(images[~test_mask], label_ids[~test_mask]),
                       test=(images[test_mask], label_ids[test_mask]), skipped=skipped)
