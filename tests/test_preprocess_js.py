"""The drawing page's MNIST-style preprocessing (app/src/preprocess.js), run in the browser
on synthetic images: the SPEC's promises, and equality with preprocess.py's mnist_style."""
import json

import numpy
import pytest

from digitgan.ink import preprocess

SIZE = 280     # the drawing canvas


def disc(cy, cx, r, size=SIZE):
    yy, xx = numpy.mgrid[:size, :size]
    return (((yy - cy) ** 2 + (xx - cx) ** 2) <= r * r).astype(numpy.float32)


def ring(cy, cx, r, width, size=SIZE):
    return disc(cy, cx, r, size) - disc(cy, cx, r - width, size)


def synthetic():
    """name -> ink image (ink high), each a case the SPEC must handle."""
    thin = numpy.zeros((SIZE, SIZE), numpy.float32)
    for i in range(40, 240):                      # a one-pixel diagonal line
        thin[i, 60 + i // 2] = 1
    wide = numpy.zeros((SIZE, SIZE), numpy.float32)
    wide[130:150, 20:260] = 1                     # much wider than tall
    faint = 0.05 * ring(100, 100, 40, 10)         # light pencil: max well below 1
    return {
        'off-centre': ring(60, 210, 35, 8),
        'tiny': disc(200, 50, 2),
        'huge': ring(140, 140, 139, 25),
        'thin': thin,
        'wide': wide,
        'faint': faint,
    }


@pytest.fixture
def run_js(site, static_server, browser):
    """run_js(list of 2-D ink arrays) -> list of 28x28 arrays (None for "empty")."""
    url = static_server(site['dist'])

    def run(images):
        calls = ','.join('window.dcganTest.preprocess(%s, %d, %d)'
                         % (json.dumps(numpy.round(a, 6).ravel().tolist()), a.shape[1], a.shape[0])
                         for a in images)
        results = browser([{'goto': url + 'draw.html'}, {'waitFor': 'body[data-state]'},
                           {'eval': 'async () => [%s]' % calls}])
        return [None if r is None else numpy.array(r, numpy.float32).reshape(28, 28)
                for r in results[2]]
    return run


def test_synthetic_images_follow_the_spec(run_js):
    cases = synthetic()
    outputs = dict(zip(cases, run_js(list(cases.values()))))
    for name, out in outputs.items():
        assert out is not None, name
        assert out.min() >= 0 and abs(out.max() - 1) < 1e-6, (name, out.min(), out.max())
        assert out.sum() > 3, (name, out.sum())
        rows, cols = numpy.nonzero(out > 0)
        height, width = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
        assert max(height, width) == 20, (name, height, width)     # longer side 20 px
        # Whole-pixel shifts: up to half a pixel off, exactly half for a symmetric digit of
        # even size (plus float32 rounding).
        cy, cx = preprocess.centre_of_mass(out)
        assert max(abs(cy - preprocess.CENTRE), abs(cx - preprocess.CENTRE)) <= 0.5 + 1e-5, \
            (name, cy, cx)
    # The area-averaged ring keeps its hole and its thickness grows with the scale.
    assert outputs['huge'][14, 14] == 0 and outputs['huge'][14, 5] > 0.5
    assert outputs['wide'].shape == (28, 28) and (outputs['wide'].sum(axis=1) > 0).sum() <= 3


def test_empty_and_blank_images_are_empty(run_js):
    blank = numpy.zeros((SIZE, SIZE), numpy.float32)
    assert run_js([blank, blank[:1, :1]]) == [None, None]


def random_scribble(rng):
    """A few thick random strokes."""
    image = numpy.zeros((SIZE, SIZE), numpy.float32)
    yy, xx = numpy.mgrid[:SIZE, :SIZE]
    point = rng.uniform(40, 240, 2)
    width = rng.uniform(3, 20)
    for _ in range(rng.randint(2, 6)):
        end = numpy.clip(point + rng.normal(0, 60, 2), 5, SIZE - 5)
        for t in numpy.linspace(0, 1, 30):
            cy, cx = point + t * (end - point)
            image = numpy.maximum(image, ((yy - cy) ** 2 + (xx - cx) ** 2 <= width ** 2) * 0.9)
        point = end
    return image.astype(numpy.float32)


def test_same_result_as_preprocess_py(run_js):
    rng = numpy.random.RandomState(0)
    images = [random_scribble(rng) for _ in range(12)]
    images += [random_scribble(rng)[::7, ::5] for _ in range(4)]      # small: enlarged
    images += list(synthetic().values())     # symmetric: centres of mass on rounding ties
    for image, out in zip(images, run_js(images)):
        expected = preprocess.mnist_style(image)
        assert numpy.abs(out - expected).max() < 1e-5
