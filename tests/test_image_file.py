"""image_file.py: huge images are refused before decoding, the largest accepted ones stay
within 1 GB and 20 s, FIFOs and devices are refused instead of hanging, and tiled conversion
gives the pixels that converting the whole image at once gives."""
import io
import os
import struct
import zlib

import numpy
from PIL import Image
import pytest

from digitgan.data import image_file
from script_helpers import run_measured, shipped_recogniser

PEAK_LIMIT = 1 << 30     # bytes: any input file, recognised or refused
TIME_LIMIT = 20          # seconds, start-up and recogniser included

# The three files of issue 11, which peaked at 5.4 GB, 3.6 GB and 0.7 GB (with a traceback)
# before the size check: (width, height, PNG colour type, bit depth).
HUGE = {'rgba-13000': (13000, 13000, 6, 8), 'gray16-12000': (12000, 12000, 0, 16),
        'strip-85M': (85_000_000, 1, 0, 8)}
# The largest accepted: a square 40-megapixel RGBA and a single row, which costs most per
# pixel (Pillow's PNG filter rows and its resampling coefficients grow with the width).
LARGEST = {'rgba-40MP': (6324, 6324, 6, 8), 'strip-40MP': (image_file.MAX_PIXELS, 1, 6, 8)}


def blank_png(path, width, height, colour_type, bit_depth):
    """A valid PNG whose bytes are all zero (black; transparent for RGBA), compressed in
    chunks: a 13000 x 13000 one costs under 1 MB of disk and memory to make."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    raw = height * (1 + width * channels * bit_depth // 8)   # a filter byte starts each row
    compressor, data, chunk = zlib.compressobj(9), [], bytes(1 << 20)
    for start in range(0, raw, len(chunk)):
        data.append(compressor.compress(chunk[:min(len(chunk), raw - start)]))
    data.append(compressor.flush())

    def png_chunk(kind, body):
        return struct.pack('>I', len(body)) + kind + body + \
            struct.pack('>I', zlib.crc32(kind + body))
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n')
        f.write(png_chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, bit_depth,
                                               colour_type, 0, 0, 0)))
        f.write(png_chunk(b'IDAT', b''.join(data)))
        f.write(png_chunk(b'IEND', b''))
    return str(path)


def assert_within_bounds(peak, seconds, what):
    assert peak <= PEAK_LIMIT, '%s peaked at %.0f MB' % (what, peak / 2 ** 20)
    assert seconds <= TIME_LIMIT, '%s took %.1f s' % (what, seconds)


def test_huge_images_are_refused_before_decoding(tmp_path):
    shipped_recogniser()
    files = {name: blank_png(tmp_path / (name + '.png'), *shape)
             for name, shape in HUGE.items()}
    digit = numpy.full((60, 60), 255, numpy.uint8)
    digit[10:50, 27:33] = 0
    Image.fromarray(digit).save(tmp_path / 'one.png')
    done, peak, seconds = run_measured('recognize.py', *files.values(), tmp_path / 'one.png')
    assert done.returncode == 1, done.stderr
    assert done.stdout.split()[:2] == [str(tmp_path / 'one.png'), '1']   # the others: no line
    errors = done.stderr.splitlines()
    assert 'Traceback' not in done.stderr and len(errors) == len(HUGE), done.stderr
    for line, (name, (width, height, _, _)) in zip(errors, HUGE.items()):
        assert line.startswith('error: %s: image too large: %d x %d pixels'
                               % (files[name], width, height)), line
    assert_within_bounds(peak, seconds, 'refusing three huge images')


@pytest.mark.parametrize('name', sorted(LARGEST))
def test_the_largest_accepted_image_stays_within_bounds(name, tmp_path):
    shipped_recogniser()
    path = blank_png(tmp_path / (name + '.png'), *LARGEST[name])
    done, peak, seconds = run_measured('recognize.py', path)
    # decoded and searched in full: blank, so no digit (and no complaint about its size)
    assert done.returncode == 1 and done.stderr == 'error: %s: no digit found\n' % path, \
        done.stderr
    assert_within_bounds(peak, seconds, name)


def test_thousands_of_small_parts_are_searched_quickly(tmp_path):
    """14,578 dashes, each long enough to count as a part: comparing every part with every
    other one (to find frames) took about 40 minutes."""
    shipped_recogniser()
    pixels = numpy.full((1024, 1024), 255, numpy.uint8)
    for top in range(4, 1020, 24):
        pixels[top:top + 21, 4:1020:3] = 0
    Image.fromarray(pixels).save(tmp_path / 'dashes.png')
    done, peak, seconds = run_measured('recognize.py', tmp_path / 'dashes.png')
    assert 'Traceback' not in done.stderr and done.returncode in (0, 1), done.stderr
    assert_within_bounds(peak, seconds, 'dashes')


def test_pixel_limit_is_checked_from_the_header(tmp_path):
    width = 10000
    height = image_file.MAX_PIXELS // width
    with image_file.open_checked(blank_png(tmp_path / 'limit.png', width, height, 0, 8)):
        pass
    over = blank_png(tmp_path / 'over.png', width, height + 1, 0, 8)
    with pytest.raises(image_file.ImageRefused, match='%d x %d pixels' % (width, height + 1)):
        image_file.open_checked(over)


def test_fifos_and_devices_are_refused_without_waiting(tmp_path):
    """Opening a FIFO blocks until someone writes to it, and /dev/zero never ends."""
    fifo = str(tmp_path / 'pipe.png')
    os.mkfifo(fifo)
    done, _, seconds = run_measured('recognize.py', fifo, '/dev/zero', timeout=60)
    assert done.returncode == 1 and done.stdout == ''
    assert done.stderr.splitlines() == [
        'error: %s: not a regular file but a named pipe (FIFO); only image files are read'
        % fifo,
        'error: /dev/zero: not a regular file but a character device; only image files '
        'are read']
    assert seconds < TIME_LIMIT


# -- tiles: the same pixels as a conversion of the whole image ---------------------------

def whole_image_gray(image):
    """Luminance as read_gray computed it on the whole image before it worked in tiles."""
    if image.mode.startswith('I'):
        gray = numpy.asarray(image, numpy.float64)
        return (gray / (65535.0 if gray.max() > 255 else 255.0)).clip(0, 1).astype('f')
    if 'A' in image.mode:
        rgba = numpy.asarray(image.convert('RGBA'), numpy.float32) / 255
        alpha = rgba[..., 3]
        gray = rgba[..., :3] @ numpy.float32([0.299, 0.587, 0.114])
        opaque = alpha > 0.5
        under = 0.0 if opaque.any() and alpha.min() < 0.5 and gray[opaque].mean() > 0.5 \
            else 1.0
        return (alpha * gray + (1 - alpha) * under).astype('f')
    return numpy.asarray(image.convert('L'), numpy.float32) / 255


def test_tiles_cover_the_image_once():
    for width, height in ((1, 1), (1500, 900), (3 * image_file.TILE_PIXELS + 5, 2)):
        covered = numpy.zeros(height * width, numpy.int8).reshape(height, width)
        for left, top, right, bottom in image_file.tiles(width, height):
            assert (right - left) * (bottom - top) <= image_file.TILE_PIXELS
            covered[top:bottom, left:right] += 1
        assert (covered == 1).all()


@pytest.mark.parametrize('mode', ['RGBA', 'LA', 'I;16', 'RGB', 'L'])
def test_tiled_reading_matches_the_whole_image(mode):
    rng = numpy.random.RandomState(0)
    height, width = 900, 1500                            # 1.35 MP: two tiles
    if mode == 'I;16':
        image = Image.fromarray(rng.randint(0, 65536, (height, width)).astype(numpy.uint16))
    else:
        channels = len(mode)
        pixels = rng.randint(0, 256, (height, width, channels)).astype(numpy.uint8)
        if 'A' in mode:      # light strokes on a mostly transparent canvas: flattened on black
            pixels[..., :-1] |= 0xc0
            pixels[..., -1] = numpy.where(rng.rand(height, width) < 0.2, 255, 0)
        image = Image.frombytes(mode, (width, height), pixels.tobytes())
    data = io.BytesIO()
    image.save(data, format='PNG')
    data.seek(0)
    gray = image_file.read_gray(data)
    assert len(list(image_file.tiles(width, height))) > 1
    numpy.testing.assert_array_equal(gray, whole_image_gray(image))
    if 'A' in mode:
        assert gray.min() == 0      # the transparent canvas became black, under light strokes
