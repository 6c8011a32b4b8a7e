"""The recogniser's data beyond MNIST's scans: drawn digits, varied scans, non-digits.

    train = TrainingSet(TupleDataset(train_images, train_labels), seed)  # made when fetched
    drawn = drawn_digits(test_images, seed)        # each digit as drawn on the page
    others = non_digit_images(1000, seed)          # label OTHER

Every image is a (28, 28) float32 MNIST-style input (ink = 1), made as the page makes it.
Which MNIST digits feed which set is the caller's choice: training uses train[:55000],
the "?" rule is tuned on train[55000:], and the figures are reported on the test set
(train_recognizer.py, evaluate.py).
"""
import chainer
import numpy
from scipy import ndimage

from digitgan.ink import handwriting_model, pen, preprocess, shapes, skeleton
from digitgan.recognition import verdict
from digitgan.recognition.digit_files import logits_of

OTHER = verdict.OTHER       # the label of "not a digit": the recogniser's eleventh output
TRAINING_PENS = (1.8, 3.6)  # pen widths (px at the 20 px box) drawn from for training
TUNING_START = 55000        # MNIST train digits from here on tune the "?" rule, never train


def drawn_digits(images, seed, pen_widths=(pen.MODEL_PEN, pen.MODEL_PEN), retrace=0.25):
    """Each image's skeleton drawn by a random hand and rendered by the page's pen (its
    width drawn from `pen_widths`, low and high)."""
    rng = numpy.random.RandomState(seed)
    out = numpy.zeros((len(images), 28, 28), numpy.float32)
    for i, image in enumerate(images):
        drawing = handwriting_model.drawn(skeleton.trace(numpy.asarray(image).reshape(28, 28)),
                                          rng, retrace=retrace)
        out[i] = pen.model_input(drawing, rng.uniform(*pen_widths))
    return out


def varied_scan(image, rng):
    """A scan as a different hand or pen might have made it: rotated up to 15 degrees,
    slanted, squeezed, elastically bent, its strokes thinner or bolder."""
    image = numpy.asarray(image, numpy.float32).reshape(28, 28)
    angle = numpy.radians(rng.uniform(-15, 15))
    c, s = numpy.cos(angle), numpy.sin(angle)
    matrix = numpy.array([[c, -s], [s, c]]) @ numpy.array([[1, rng.uniform(-0.3, 0.3)], [0, 1]])
    matrix = matrix @ numpy.diag(numpy.exp(rng.uniform(-0.15, 0.15, 2)))
    centre = numpy.array([13.5, 13.5])
    big = numpy.pad(image, 8)
    out = ndimage.affine_transform(big, matrix, offset=centre + 8 - matrix @ (centre + 8), order=1)
    field = [ndimage.gaussian_filter(rng.uniform(-1, 1, out.shape), 4) * rng.uniform(0, 20)
             for _ in range(2)]
    rows, cols = numpy.meshgrid(numpy.arange(out.shape[0]), numpy.arange(out.shape[1]),
                                indexing='ij')
    out = ndimage.map_coordinates(out, [rows + field[0], cols + field[1]], order=1)
    width = rng.choice(['thin', 'same', 'same', 'bold'])
    if width == 'bold':
        out = ndimage.grey_dilation(out, size=(2, 2))
    elif width == 'thin':
        thinner = ndimage.grey_erosion(out, size=(2, 2))
        out = thinner if thinner.sum() > 0.5 * out.sum() else out
    try:
        return preprocess.mnist_style(out)
    except preprocess.NoDigit:
        return preprocess.mnist_style(image)


def non_digit_images(count, seed, pen_widths=(pen.MODEL_PEN, pen.MODEL_PEN)):
    rng = numpy.random.RandomState(seed)
    return numpy.stack([pen.model_input(drawing, rng.uniform(*pen_widths))
                        for drawing in shapes.non_digits(rng, count)])


class TrainingSet(chainer.dataset.DatasetMixin):
    """MNIST digits in four forms, made when fetched (so every epoch sees new ones and a
    short run makes only what it uses): index i < N is scan i as it is; then the same scans
    varied; then the same digits drawn (pens 1.8 to 3.6 px, a quarter re-traced in part);
    then non-digits, labelled OTHER, `other_share` of the whole. `digits`: a TupleDataset
    (or any dataset) of (image (1, 28, 28), label) pairs."""

    def __init__(self, digits, seed, other_share=0.1):
        self.digits = digits
        self.n = len(digits)
        self.others = int(round(3 * self.n * other_share / (1 - other_share)))
        self.rng = numpy.random.RandomState(seed)

    def __len__(self):
        return 3 * self.n + self.others

    def get_example(self, i):
        form, k = divmod(i, self.n) if i < 3 * self.n else (3, None)
        if form == 3:
            kind = shapes.ALL[self.rng.randint(len(shapes.ALL))]
            drawing = shapes.placed(shapes.KINDS[kind](self.rng), self.rng)
            return (pen.model_input(drawing, self.rng.uniform(*TRAINING_PENS))[None],
                    numpy.int32(OTHER))
        image, label = self.digits[k]
        image = numpy.asarray(image, numpy.float32)
        if form == 1:
            image = varied_scan(image, self.rng)[None]
        elif form == 2:
            drawing = handwriting_model.drawn(skeleton.trace(image.reshape(28, 28)), self.rng)
            image = pen.model_input(drawing, self.rng.uniform(*TRAINING_PENS))[None]
        return image.reshape(1, 28, 28), numpy.int32(label)


def held_out_figures(rec, rule, test_images, test_labels, count, seed):
    """The page's recogniser and its "?" rule on what nothing was trained or tuned on: the
    first `count` MNIST test digits drawn by the page's pen (MODEL_PEN) and as scanned, and
    `count` // 2 generated non-digits of a seed used nowhere else. {set: verdict.figures}."""
    images = numpy.asarray(test_images[:count], numpy.float32).reshape(-1, 28, 28)
    labels = numpy.asarray(test_labels[:count])
    drawn = drawn_digits(images, seed + 200)
    others = logits_of(rec, non_digit_images(count // 2, seed + 201))
    none = others[:0]
    return {'drawn_digits': verdict.figures(logits_of(rec, drawn), labels, none, rule),
            'scanned_digits': verdict.figures(logits_of(rec, images), labels, none, rule),
            'non_digits': verdict.figures(none, labels[:0], others, rule)}
