"""digitgan/ink: strokes traced from digit images, the hand that draws them, the page's pen
in Python, non-digit shapes, and the sets made from them (real MNIST digits)."""
import numpy
import pytest

from digitgan.data.catalog import load_mnist
from digitgan.ink import drawn_sets, handwriting_model, pen, preprocess, shapes, skeleton
from script_helpers import data_dir_or_fail


def test_a_ring_is_one_closed_stroke_and_a_cross_four():
    yy, xx = numpy.mgrid[:28, :28]
    ring = (abs(numpy.hypot(yy - 14, xx - 14) - 8) < 1.5).astype(numpy.float32)
    [stroke] = skeleton.trace(ring)
    assert numpy.linalg.norm(stroke[0] - stroke[-1]) <= 1.5           # back where it began
    assert abs(numpy.hypot(*(stroke - 14).T) - 8).max() < 1.6          # along the ring
    cross = numpy.zeros((28, 28), numpy.float32)
    cross[13:16, 4:24] = cross[4:24, 13:16] = 1
    strokes = skeleton.trace(cross)
    assert len(strokes) == 4                                            # four arms
    assert all(numpy.linalg.norm(s[0] - [14, 14]) <= 1.5 or numpy.linalg.norm(s[-1] - [14, 14])
               <= 1.5 for s in strokes)


def test_a_dot_traces_to_a_point():
    dot = numpy.zeros((28, 28), numpy.float32)
    dot[14, 14] = 1
    assert [len(s) for s in skeleton.trace(dot)] == [1]


def test_drawn_mnist_digits_keep_their_ink_where_the_scan_has_it(mnist_dir):
    images, labels = load_mnist('test', data_dir_or_fail(mnist_dir))
    rng = numpy.random.RandomState(0)
    overlap = []
    for image in images[:50]:
        scan = image.reshape(28, 28)
        strokes = skeleton.trace(scan)
        drawing = handwriting_model.drawn(strokes, rng, retrace=0, place=False)
        points = numpy.array([p for s in drawing for p in s])
        assert ((points > 0) & (points < 1)).all()
        # no slant or rotation: the page's rendering of the strokes covers the scan's ink
        plain = [(numpy.asarray(s) / 28).tolist() for s in strokes]
        drawn = pen.model_input(plain)
        overlap.append((numpy.minimum(drawn, scan).sum() / scan.sum()))
    assert numpy.median(overlap) > 0.6, numpy.median(overlap)


def test_pen_scales_any_drawing_to_the_box():
    small = [[[0.1, 0.1], [0.1, 0.14]]]         # a tiny vertical line
    big = [[[0.2, 0.1], [0.2, 0.9]]]
    a, b = pen.model_input(small), pen.model_input(big)
    numpy.testing.assert_allclose(a, b, atol=0.02)
    rows = numpy.nonzero(a.max(1) > 0.1)[0]
    assert rows.max() - rows.min() + 1 == 20
    with pytest.raises(preprocess.NoDigit):
        pen.model_input([])


@pytest.mark.parametrize('kind', sorted(shapes.KINDS))
def test_every_kind_of_non_digit_draws(kind):
    rng = numpy.random.RandomState(3)
    for drawing in shapes.non_digits(rng, 5, kinds=[kind]):
        points = numpy.array([p for s in drawing for p in s])
        assert ((points > -0.05) & (points < 1.05)).all()
        image = pen.model_input(drawing)
        assert image.shape == (28, 28) and image.max() == 1


def test_training_set_mixes_scans_variants_drawings_and_non_digits(mnist_dir):
    import chainer
    images, labels = load_mnist('train', data_dir_or_fail(mnist_dir))
    digits = chainer.datasets.TupleDataset(images[:90], labels[:90])
    train = drawn_sets.TrainingSet(digits, seed=0)
    assert len(train) == 300                                    # 3 x 90, and 30 non-digits
    x, y = chainer.dataset.concat_examples(train[:len(train)])
    assert x.shape == (300, 1, 28, 28) and x.dtype == numpy.float32 and y.dtype == numpy.int32
    assert (y == drawn_sets.OTHER).sum() == 30                  # a tenth of the whole
    for digit in range(10):
        assert (y == digit).sum() == 3 * (labels[:90] == digit).sum()
    numpy.testing.assert_array_equal(x[:90], images[:90])       # the scans as they are
    assert (x.reshape(len(x), -1).max(1) > 0.9).all()             # MNIST-style: peak ~1
    # made when fetched: a digit's varied and drawn forms differ from epoch to epoch
    assert not numpy.array_equal(train[90][0], train[90][0])
    assert not numpy.array_equal(train[180][0], train[180][0])
