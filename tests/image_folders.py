"""Labelled image folders for the tests, built from real MNIST digits: PNG and JPEG, dark ink
on light paper and light on dark, at more than one size."""
import numpy
from PIL import Image

from digitgan.data.catalog import load_mnist

NAMES = {'zero': 0, 'one': 1, 'seven': 7}     # folder name: the MNIST digit it holds


def digits_of(mnist_dir, per_label, split='test'):
    """{folder name: (per_label, 28, 28) float32 digits, ink = 1}."""
    images, labels = load_mnist(split, mnist_dir)
    return {name: images[labels == digit][:per_label, 0] for name, digit in NAMES.items()}


def write_image_folder(root, mnist_dir, per_label=100):
    """root/<name>/<i>.png|jpg: every 2nd image dark on light, every 3rd a JPEG, every 4th
    at 56x56 (the others 28x28). Returns the digits written, {name: array}."""
    digits = digits_of(mnist_dir, per_label)
    for name, images in digits.items():
        folder = root / name
        folder.mkdir(parents=True)
        for i, ink in enumerate(images):
            pixels = 255 * (1 - ink) if i % 2 else 255 * ink       # both polarities
            image = Image.fromarray(numpy.round(pixels).astype(numpy.uint8))
            if i % 4 == 3:
                image = image.resize((56, 56), Image.Resampling.BICUBIC)
            if i % 3 == 2:
                image.convert('RGB').save(folder / ('%03d.jpg' % i), quality=95)
            else:
                image.save(folder / ('%03d.png' % i))
    return digits
