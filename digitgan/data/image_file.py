"""An image file as a 2-D luminance array, refusing before any decoding what it cannot read
within bounded memory and time; recognize.py reads its files through here.

    gray = read_gray(path)      # any image Pillow reads -> 2-D float32 in [0, 1]

Handles EXIF orientation and transparency. A file is refused (ImageRefused, one-line message)
when it is not a regular file (a FIFO would block, a device never ends) or when it holds more
than MAX_PIXELS pixels: a 700 kB PNG can describe 13000 x 13000 pixels, and Pillow's own
limit (179 megapixels) is far above any photo of a digit. Pixels are turned into floats one
tile at a time, so the float copies of a large image never exist whole.
"""
import errno
import os
import stat
import warnings

import numpy
from PIL import Image, ImageOps

# More than any picture of a digit needs: an A4 page scanned at 600 dpi has 35 megapixels,
# and JPEG photos of any size are decoded at 1/2 to 1/8 scale first (DRAFT_SIDE). At this
# size reading stays under 1 GB and 20 s on 2 slow cores (tests/test_image_file.py).
MAX_PIXELS = 40_000_000
# JPEGs above this size a side are decoded at 1/2, 1/4 or 1/8 scale (libjpeg's DCT scaling):
# twice photo_ink.WORK_SIZE, so the area averaging that follows still has pixels to average.
DRAFT_SIDE = 2048
TILE_PIXELS = 1 << 20   # pixels converted to float at a time (16 MB of float32 RGBA)
LUMA = numpy.float32([0.299, 0.587, 0.114])   # ITU-R BT.601 weights of R, G, B
OPAQUE = 0.5            # alpha above this: the pixel belongs to the drawing
LIGHT = 0.5             # strokes whose mean luminance is above this are light strokes

NOT_REGULAR = ((stat.S_ISFIFO, 'a named pipe (FIFO)'), (stat.S_ISCHR, 'a character device'),
               (stat.S_ISBLK, 'a block device'), (stat.S_ISSOCK, 'a socket'))


class ImageRefused(ValueError):
    """A file that is not decoded at all; the message says why."""


def read_gray(path):
    """Luminance in [0, 1] of the image in `path` (a file name or a binary file object),
    upright, transparency flattened. Raises ImageRefused (see above), and OSError
    (PIL.UnidentifiedImageError included) when Pillow cannot read the file."""
    with open_checked(path) as image:
        ImageOps.exif_transpose(image, in_place=True)   # not a copy: no second image in memory
        image.load()
        return gray_of(image)


def open_checked(path):
    """Image.open, after checking that `path` is a regular file, and before decoding, that
    the image (as a JPEG draft, if it is one) has at most MAX_PIXELS pixels."""
    if isinstance(path, (str, bytes, os.PathLike)):
        mode = os.stat(path).st_mode        # FileNotFoundError for a missing file
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        for test, kind in NOT_REGULAR:
            if test(mode):
                raise ImageRefused('not a regular file but %s; only image files are read'
                                   % kind)
    try:
        with warnings.catch_warnings():     # over 89 MP Pillow warns; refused below instead
            warnings.simplefilter('ignore', Image.DecompressionBombWarning)
            image = Image.open(path)
    except Image.DecompressionBombError:
        raise ImageRefused(too_large('more than %d' % (2 * Image.MAX_IMAGE_PIXELS // 10 ** 6)))
    if max(image.size) > DRAFT_SIDE:
        image.draft('L', (DRAFT_SIDE, DRAFT_SIDE))   # JPEG: decode smaller, faster
    width, height = image.size
    if width * height > MAX_PIXELS:
        image.close()
        raise ImageRefused(too_large('%d x %d pixels, %.0f' % (width, height,
                                                                width * height / 1e6)))
    return image


def too_large(size):
    return ('image too large: %s megapixels, and at most %d are read (an A4 page scanned '
            'at 600 dpi has 35); shrink it first' % (size, MAX_PIXELS // 10 ** 6))


def tiles(width, height):
    """Boxes (left, top, right, bottom) of at most TILE_PIXELS pixels covering the image:
    whole rows, unless a single row is longer than that."""
    rows = max(1, TILE_PIXELS // max(width, 1))
    cols = min(width, TILE_PIXELS)
    for top in range(0, height, rows):
        for left in range(0, width, cols):
            yield left, top, min(left + cols, width), min(top + rows, height)


def gray_of(image):
    """Luminance in [0, 1] of a loaded Pillow image as float32, computed tile by tile with the
    same per-pixel arithmetic as on the whole image."""
    width, height = image.size
    gray = numpy.empty((height, width), numpy.float32)
    if image.mode.startswith('I') or image.mode == 'F':   # 16/32-bit grayscale
        scale = 65535.0 if image.getextrema()[1] > 255 else 255.0
        for box in tiles(width, height):
            part = numpy.asarray(image.crop(box), numpy.float64)
            gray[box[1]:box[3], box[0]:box[2]] = (part / scale).clip(0, 1)
        return gray
    if 'A' in image.mode or 'transparency' in image.info:
        return flattened(image if image.mode == 'RGBA' else image.convert('RGBA'), gray)
    for box in tiles(width, height):
        gray[box[1]:box[3], box[0]:box[2]] = \
            numpy.asarray(image.crop(box).convert('L'), numpy.float32) / 255
    return gray


def flattened(rgba, gray):
    """`gray` filled with the luminance of `rgba` flattened onto white, or onto black for
    light strokes on a transparent canvas (flattened onto the opposite of their own colour)."""
    boxes = list(tiles(*rgba.size))
    opaque_count, opaque_sum, lowest_alpha = 0, 0.0, 1.0
    for left, top, right, bottom in boxes:      # luminance, and which colour goes under
        part = numpy.asarray(rgba.crop((left, top, right, bottom)), numpy.float32) / 255
        luma, alpha = part[..., :3] @ LUMA, part[..., 3]
        gray[top:bottom, left:right] = luma
        opaque = alpha > OPAQUE
        opaque_count += int(opaque.sum())
        opaque_sum += float(luma[opaque].sum(dtype=numpy.float64))
        lowest_alpha = min(lowest_alpha, float(alpha.min()))
    light_strokes = opaque_count and lowest_alpha < OPAQUE and \
        opaque_sum / opaque_count > LIGHT
    under = 0.0 if light_strokes else 1.0
    alphas = rgba.getchannel('A')
    for left, top, right, bottom in boxes:      # then flattened onto it
        alpha = numpy.asarray(alphas.crop((left, top, right, bottom)), numpy.float32) / 255
        luma = gray[top:bottom, left:right]
        gray[top:bottom, left:right] = alpha * luma + (1 - alpha) * under
    return gray
