"""recognize.py end to end on PNG/JPEG files made from MNIST test digits, and its errors."""
import re

import numpy
from PIL import Image, ImageFilter

from digitgan.data.catalog import load_mnist
from script_helpers import assert_one_line_error, run_script, shipped_recogniser

DIGITS = range(10)      # the first ten MNIST test digits


def enlarged(digit, factor):
    return numpy.asarray(Image.fromarray(digit).resize((28 * factor,) * 2, Image.BILINEAR))


def as_image(a):
    return Image.fromarray((numpy.clip(a, 0, 1) * 255 + 0.5).astype(numpy.uint8))


def photo_like(digit, seed):
    """Dark ink on unevenly lit paper with sensor noise and blur, saved as a JPEG."""
    rng = numpy.random.RandomState(seed)
    h, w = 600, 800
    light = 0.55 + 0.35 * numpy.linspace(0, 1, w)[None, :] * numpy.linspace(0.7, 1, h)[:, None]
    top, left = rng.randint(0, h - 280), rng.randint(0, w - 280)
    light[top:top + 280, left:left + 280] *= 1 - 0.75 * enlarged(digit, 10)
    noisy = as_image(light + rng.normal(0, 0.03, (h, w)))
    return noisy.filter(ImageFilter.GaussianBlur(1))


def variants(digit, seed):
    """name -> (PIL image, file suffix)."""
    canvas = numpy.zeros((400, 600), numpy.float32)
    canvas[300:384, 480:564] = enlarged(digit, 3)      # off-centre, near a corner
    return {
        'dark-on-light': (as_image(1 - digit), 'png'),
        'light-on-dark': (as_image(digit), 'png'),
        'off-centre': (as_image(canvas), 'png'),
        'upscaled': (as_image(1 - enlarged(digit, 15)), 'png'),
        'photo': (photo_like(digit, seed), 'jpg'),
    }


def test_recognises_digits_and_reports_bad_files(tmp_path, mnist_dir):
    shipped_recogniser()
    images, labels = load_mnist('test', mnist_dir)
    files, expected = [], {}
    for i in DIGITS:
        for name, (image, suffix) in variants(images[i, 0], i).items():
            path = str(tmp_path / ('%s-%d.%s' % (name, i, suffix)))
            image.save(path)
            files.append(path)
            expected[path] = (name, int(labels[i]))
    (tmp_path / 'text.png').write_text('this is not an image\n')
    as_image(numpy.ones((300, 200))).save(tmp_path / 'blank.png')
    bad = [str(tmp_path / name) for name in ('text.png', 'blank.png', 'missing.png')]
    order = files[:7] + bad[:2] + files[7:30] + bad[2:] + files[30:]

    done = run_script('recognize.py', *order)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert [line.split(' ')[0] for line in lines] == [f for f in order if f not in bad]
    correct = {}
    for line in lines:
        match = re.fullmatch(r'(\S+) (\d) (0\.\d{3}|1\.000)', line)
        assert match, line
        name, label = expected[match.group(1)]
        correct.setdefault(name, []).append(int(match.group(2)) == label)
    for name, hits in correct.items():
        assert sum(hits) >= len(hits) - 1, (name, hits)

    errors = done.stderr.splitlines()
    assert len(errors) == 3, done.stderr
    assert errors[0].startswith('error: %s: not an image' % bad[0])
    assert errors[1].startswith('error: %s: no digit found' % bad[1])
    assert errors[2] == 'error: %s: no such file' % bad[2]


def test_confident_on_a_clean_digit(tmp_path, mnist_dir):
    shipped_recogniser()
    images, labels = load_mnist('test', mnist_dir)
    as_image(1 - images[0, 0]).save(tmp_path / 'seven.png')
    done = run_script('recognize.py', 'seven.png', cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    _, digit, probability = done.stdout.split()
    assert int(digit) == labels[0] == 7 and float(probability) > 0.9


def test_unusable_recogniser_is_a_one_line_error(tmp_path):
    (tmp_path / 'recogniser.npz').write_text('not weights')
    (tmp_path / 'recogniser_args.json').write_text('{"ch": 32, "n_units": 128}')
    as_image(numpy.zeros((28, 28))).save(tmp_path / 'x.png')
    for weights in ('recogniser.npz', 'missing.npz'):
        done = run_script('recognize.py', '--recogniser', tmp_path / weights,
                          tmp_path / 'x.png')
        assert_one_line_error(done)
