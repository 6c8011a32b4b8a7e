"""preprocess.py, photo_ink.py, ink_parts.py and image_file.py on synthetic images: the SPEC
(mnist_style) and the photo stage (to_ink, components, frames, read_gray)."""
import io

import numpy
from PIL import Image, ImageDraw
import pytest

from digitgan.data import image_file
from digitgan.ink import ink_parts
from digitgan.ink.photo_ink import to_ink
from digitgan.ink.preprocess import CENTRE, NoDigit, centre_of_mass, mnist_style


def assert_centred(image, name=None):
    """Whole-pixel shifts leave the centre of mass up to half a pixel from CENTRE: exactly
    half for a symmetric digit of even size (plus float32 rounding)."""
    cy, cx = centre_of_mass(image)
    assert max(abs(cy - CENTRE), abs(cx - CENTRE)) <= 0.5 + 1e-5, (name, cy, cx)


def bbox(mask):
    rows, cols = numpy.nonzero(mask)
    return rows.min(), rows.max(), cols.min(), cols.max()


def drawing(size, shapes, width=3):
    """Ink-high float image: shapes are ('line'|'ellipse', coordinates) drawn in white."""
    image = Image.new('L', size, 0)
    draw = ImageDraw.Draw(image)
    for kind, xy in shapes:
        getattr(draw, kind)(xy, fill=255, width=width)
    return numpy.asarray(image, numpy.float32) / 255


SEVEN = [('line', [(0.3, 0.2), (0.7, 0.2), (0.45, 0.85)])]


def seven(w, h, x0=0, y0=0, scale=1.0, width=3, canvas=None):
    points = [(x0 + px * w * scale, y0 + py * h * scale) for px, py in SEVEN[0][1]]
    return drawing(canvas or (w, h), [('line', points)], width)


CASES = {
    'off-centre': seven(100, 100, x0=-25, y0=-15, scale=0.5, canvas=(400, 300)),
    'tiny': numpy.pad(numpy.float32([[1, 0.5], [0, 1], [1, 1]]), ((40, 7), (3, 60))),
    'huge': seven(2400, 1800, width=40),
    'thin': drawing((500, 500), [('line', [(50, 60), (300, 420)])], width=1),
    'wide': drawing((600, 200), [('line', [(20, 100), (580, 110)])], width=6),
    'tall-dot': numpy.pad(numpy.ones((1, 1), numpy.float32), 5),
    'ring': drawing((300, 300), [('ellipse', [40, 20, 200, 280])], width=12),
}


@pytest.mark.parametrize('name', sorted(CASES))
def test_mnist_style_follows_the_spec(name):
    out = mnist_style(CASES[name])
    assert out.shape == (28, 28) and out.dtype == numpy.float32
    assert out.min() >= 0 and out.max() == pytest.approx(1.0)
    top, bottom, left, right = bbox(out > 0)
    height, width = bottom - top + 1, right - left + 1
    assert max(height, width) == 20 and min(height, width) >= 1
    top, bottom, left, right = bbox(out > 0.1)
    assert bottom - top < 20 and right - left < 20
    assert_centred(out, name)


def test_mnist_style_clamps_the_shift_to_keep_the_digit_inside():
    # A heavy bar on top of a faint long tail: its centre of mass is near the top, so
    # centring it would push the tail out of the frame; the shift stops at the frame.
    a = numpy.zeros((100, 100), numpy.float32)
    a[10:20, 10:90] = 1
    a[20:90, 49:51] = 0.15
    out = mnist_style(a)
    top, bottom, left, right = bbox(out > 0)
    assert bottom == 27 and bottom - top + 1 == 20     # clamped at the bottom edge
    assert abs(centre_of_mass(out)[1] - CENTRE) <= 0.5 + 1e-5


def test_mnist_style_keeps_mnist_digits(mnist_dir):
    from digitgan.data.catalog import load_mnist
    images, _ = load_mnist('test', mnist_dir)
    for image in images[:20, 0]:
        out = mnist_style(image)
        assert_centred(out)
        shifted = numpy.corrcoef(out.ravel(), image.ravel())[0, 1]
        best = max(numpy.corrcoef(numpy.roll(out, (dy, dx), (0, 1)).ravel(), image.ravel())[0, 1]
                   for dy in (-1, 0, 1) for dx in (-1, 0, 1))
        assert best > 0.97, shifted      # the same digit, moved by at most a pixel


def test_centre_is_where_mnist_digits_have_it(mnist_dir):
    from digitgan.data.catalog import load_mnist
    images, _ = load_mnist('test', mnist_dir)
    centres = numpy.array([centre_of_mass(image) for image in images[:, 0]])
    assert numpy.abs(centres.mean(axis=0) - CENTRE).max() < 0.05


@pytest.mark.parametrize('empty', [numpy.zeros((30, 30)), numpy.zeros((0, 0)),
                                   numpy.full((5, 5), -1.0)])
def test_mnist_style_rejects_empty_images(empty):
    with pytest.raises(NoDigit):
        mnist_style(empty)


def photo(ink, paper=0.85, contrast=0.7, noise=0.03, gradient=0.3, seed=0):
    """Dark ink on paper lit unevenly, with sensor noise: like a phone photo."""
    h, w = ink.shape
    rng = numpy.random.RandomState(seed)
    light = paper - gradient * numpy.outer(numpy.linspace(0.5, 1, h), numpy.linspace(0, 1, w))
    return numpy.clip(light * (1 - contrast * ink) + rng.normal(0, noise, (h, w)), 0, 1)


def test_to_ink_handles_either_polarity_and_uneven_light():
    ink = seven(300, 300, x0=100, y0=60, scale=0.6, width=14, canvas=(500, 400))
    reference = mnist_style(ink)
    for image in (ink, 1 - ink, photo(ink), 1 - photo(ink)):
        found = to_ink(image)
        assert found.min() == 0 and found.max() <= 1
        assert (found[ink == 0] > 0.1).mean() < 0.002     # paper and its gradient are gone
        out = mnist_style(found)
        assert numpy.corrcoef(out.ravel(), reference.ravel())[0, 1] > 0.85


def test_to_ink_drops_specks_frames_and_table_edges():
    ink = seven(300, 300, x0=150, y0=100, scale=0.7, width=14, canvas=(600, 500))
    reference = mnist_style(ink)
    cluttered = ink.copy()
    cluttered[20:24, 560:564] = 1                         # a speck far away
    cluttered[:, :25] = 1                                 # a dark table edge along the side
    cluttered[70:76, 120:420] = cluttered[340:346, 120:420] = 1     # a box around the digit
    cluttered[70:346, 120:126] = cluttered[70:346, 414:420] = 1
    out = mnist_style(to_ink(photo(cluttered, gradient=0.1)))
    assert numpy.corrcoef(out.ravel(), reference.ravel())[0, 1] > 0.85


def test_to_ink_thickens_hairlines():
    ink = seven(600, 600, x0=100, y0=100, scale=0.6, width=2, canvas=(800, 800))
    found = to_ink(1 - ink)
    assert (found > 0.5).sum() > 10 * ink.sum()   # strokes about a tenth of the digit's size


@pytest.mark.parametrize('blank', [numpy.ones((200, 300)), numpy.zeros((50, 50)),
                                   photo(numpy.zeros((400, 400)), noise=0.02)])
def test_to_ink_finds_no_digit_on_blank_paper(blank):
    with pytest.raises(NoDigit):
        to_ink(blank)


def test_components_join_diagonal_neighbours():
    mask = numpy.array([[1, 0, 0, 1],
                        [0, 1, 0, 1],
                        [0, 0, 0, 0],
                        [1, 1, 0, 1]], bool)
    labels, boxes = ink_parts.components(mask)
    assert labels.max() == 4 and len(boxes) == 5
    assert labels[0, 0] == labels[1, 1] != labels[0, 3]
    assert labels[3, 0] == labels[3, 1] and (labels == 0).sum() == (~mask).sum()
    assert list(boxes[labels[0, 3]]) == [0, 1, 3, 3]


def test_frames_among_matches_the_pairwise_definition():
    """A part frames another when it boxes it in strictly and the other is at least
    FRAME_CONTENT of its size; the blockwise search must find exactly those."""
    rng = numpy.random.RandomState(0)
    for _ in range(50):
        n = rng.randint(2, 600)
        top, left = rng.randint(0, 100, n), rng.randint(0, 100, n)
        boxes = numpy.stack([top, top + rng.randint(0, 60, n), left,
                             left + rng.randint(0, 60, n)], 1)
        boxes = numpy.concatenate([[[999, -1, 999, -1]], boxes])    # label 0: background
        size = numpy.maximum(boxes[:, 1] - boxes[:, 0], boxes[:, 3] - boxes[:, 2]) + 1
        parts = numpy.arange(1, n + 1)
        b, s = boxes[parts], size[parts]
        expected = [i for i in parts if (
            (s >= ink_parts.FRAME_CONTENT * size[i]) & (b[:, 0] > boxes[i, 0]) &
            (b[:, 1] < boxes[i, 1]) & (b[:, 2] > boxes[i, 2]) & (b[:, 3] < boxes[i, 3])).any()]
        assert list(ink_parts.frames_among(parts, boxes, size)) == expected


def encoded(image, **options):
    data = io.BytesIO()
    image.save(data, **options)
    data.seek(0)
    return data


def test_read_gray_applies_exif_orientation_and_flattens_transparency():
    pixels = numpy.zeros((20, 30), numpy.uint8)
    pixels[:5, :5] = 255                                # white corner, top left
    exif = Image.Exif()
    exif[0x0112] = 3                                    # orientation: rotated 180 degrees
    gray = image_file.read_gray(encoded(Image.fromarray(pixels), format='PNG', exif=exif))
    assert gray.shape == (20, 30) and gray[-1, -1] == 1 and gray[0, 0] == 0

    for stroke in (0, 255):                             # black or white ink on transparency
        rgba = numpy.zeros((40, 40, 4), numpy.uint8)
        rgba[..., :3] = stroke
        rgba[10:30, 18:22, 3] = 255
        gray = image_file.read_gray(encoded(Image.fromarray(rgba, 'RGBA'), format='PNG'))
        ink = to_ink(gray)
        assert ink[20, 20] == 1 and ink[0, 0] == 0


def test_read_gray_rejects_other_files():
    with pytest.raises(OSError):
        image_file.read_gray(io.BytesIO(b'not an image at all'))
