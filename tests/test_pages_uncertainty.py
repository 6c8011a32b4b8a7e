"""The recogniser page's verdicts (app/src/uncertainty.js, models.js) re-measured through the
page in Chromium on data nothing was trained or tuned on: MNIST test digits drawn by the
project's model of a hand and rendered by the page's own pen, the same digits as scanned,
simple-stroke digits of every size, and non-digits from tests/browser/drawings.py (code the
recogniser's training never used). Chainer with digitgan/recognition/verdict.py must take the same
decisions, and recognize.py must give the page's verdict on the same image file. Figures of
this run go to test-artifacts/uncertainty-figures.json; the full measurement is in
docs/uncertainty.md (evaluate.py's recogniser section)."""
import json
import os

import numpy
from PIL import Image

from digitgan import checkpoints
from digitgan.data.catalog import load_mnist
from digitgan.ink import handwriting_model, pen, skeleton
from digitgan.recognition import verdict
from digitgan.recognition.digit_files import logits_of, read_digit
from browser.drawings import non_digits, random_digits
from script_helpers import run_script

READY = 'body[data-state="ready"]'
DRAWN = 300         # MNIST test digits drawn (the first ones)
SCANNED = 500       # MNIST test digits as they are (a random sample)
CHUNK = 250


def judge_steps(images, extents=None):
    steps = []
    for start in range(0, len(images), CHUNK):
        args = json.dumps(numpy.round(images[start:start + CHUNK], 5).reshape(-1, 784).tolist())
        if extents is not None:
            args += ', ' + json.dumps(list(extents[start:start + CHUNK]))
        steps.append({'eval': 'async () => window.dcganTest.judge(%s)' % args})
    return steps


def python_verdicts(images):
    """verdict.py on the shipped recogniser: the digit, or None for "?"."""
    rec = checkpoints.load_recogniser()
    answers = verdict.decide(logits_of(rec, images), verdict.load_rule(checkpoints.RECOGNISER))
    return [digit for digit, _, _ in answers]


def test_page_reads_drawn_digits_and_refuses_non_digits(site, static_server, browser,
                                                        mnist_dir, artifacts_dir):
    images, labels = load_mnist('test', mnist_dir)
    rng = numpy.random.RandomState(7)
    drawn = [handwriting_model.drawn(skeleton.trace(image.reshape(28, 28)), rng)
             for image in images[:DRAWN]]
    pick = numpy.random.RandomState(0).choice(len(images), SCANNED, replace=False)
    scans = images[pick].reshape(-1, 28, 28).astype(numpy.float32)
    kinds = non_digits(numpy.random.RandomState(1), 20)
    shapes = [drawing for drawings in kinds.values() for drawing in drawings]
    simple = random_digits(numpy.random.RandomState(2), 5)
    drawings = drawn + shapes + [drawing for _, drawing in simple]

    url = static_server(site['dist'])
    rendered = browser([{'goto': url + 'draw.html'}, {'waitFor': READY},
                        {'eval': 'async () => window.dcganTest.render(%s)'
                         % json.dumps(drawings)}], timeout=300)[2]
    page_images = numpy.array([r['image'] for r in rendered], numpy.float32).reshape(-1, 28, 28)
    extents = [r['extentPens'] for r in rendered]
    results = browser([{'goto': url + 'draw.html'}, {'waitFor': READY}]
                      + judge_steps(page_images, extents) + judge_steps(scans), timeout=600)
    page = [v for chunk in results[2:] for v in chunk]
    said = numpy.array([-1 if v['label'] is None else int(v['label']) for v in page])
    on_drawings, on_scans = said[:len(drawings)], said[len(drawings):]

    def read(said_here, truth):
        truth = numpy.asarray(truth)
        return {'n': len(truth), 'read_right': float((said_here == truth).mean()),
                'refused': float((said_here < 0).mean())}
    names = [name for name, ds in kinds.items() for _ in ds]
    shape_said = on_drawings[DRAWN:DRAWN + len(shapes)]
    by_kind = {name: float((shape_said[[n == name for n in names]] < 0).mean()) for name in kinds}
    figures = {
        'drawn_mnist_test': read(on_drawings[:DRAWN], labels[:DRAWN]),
        'scanned_mnist_test': read(on_scans, labels[pick]),
        'simple_strokes': read(on_drawings[DRAWN + len(shapes):], [int(d) for d, _ in simple]),
        'non_digits_refused': float((shape_said < 0).mean()), 'refused_by_kind': by_kind,
        # the Python pen against the page's canvas, on the same drawn digits
        'python_pen_mean_abs_difference': float(numpy.mean(
            [abs(pen.model_input(d) - p).mean() for d, p in zip(drawn, page_images)])),
    }
    python = numpy.array([-1 if d is None else d
                          for d in python_verdicts(numpy.concatenate([page_images, scans]))])
    python[:len(drawings)][numpy.array(extents) < 1.2] = -1     # the page's tap rule
    figures['python_agrees'] = float((python == said).mean())
    with open(os.path.join(artifacts_dir, 'uncertainty-figures.json'), 'w') as f:
        json.dump(figures, f, indent=2)
    print(json.dumps(figures, indent=2))

    assert figures['drawn_mnist_test']['read_right'] >= 0.95, figures
    assert figures['drawn_mnist_test']['refused'] <= 0.02, figures
    assert figures['scanned_mnist_test']['read_right'] >= 0.98, figures
    assert figures['simple_strokes']['read_right'] >= 0.96, figures
    for kind in ('dot', 'flat_line', 'scribble', 'square', 'hash_sign'):
        assert by_kind[kind] >= 0.85, figures
    assert figures['python_pen_mean_abs_difference'] < 0.04, figures
    # Chainer and the page take the same decisions, up to float rounding at a threshold.
    assert figures['python_agrees'] >= 0.995, figures


def test_recognize_py_gives_the_page_verdict_on_the_same_file(site, static_server, browser,
                                                               mnist_dir, tmp_path):
    """A digit, a filled square, a dot and a # saved as image files: recognize.py's line and
    the page's verdict on the image recognize.py reads from each file agree."""
    images, labels = load_mnist('test', mnist_dir)
    canvases = {'digit': 1 - images[0].reshape(28, 28)}
    square = numpy.ones((120, 120), numpy.float32)
    square[30:90, 30:90] = 0
    canvases['square'] = square
    dot = numpy.ones((120, 120), numpy.float32)
    dot[55:63, 55:63] = 0
    canvases['dot'] = dot
    hash_sign = numpy.ones((120, 120), numpy.float32)
    for at in (45, 75):
        hash_sign[at - 3:at + 3, 20:100] = hash_sign[20:100, at - 3:at + 3] = 0
    canvases['hash'] = hash_sign
    paths = []
    for name, canvas in canvases.items():
        path = tmp_path / ('%s.png' % name)
        Image.fromarray((canvas * 255).astype(numpy.uint8)).save(path)
        paths.append(str(path))
    done = run_script('recognize.py', *paths)
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(' ', 1) for line in done.stdout.splitlines())
    inputs = numpy.stack([read_digit(path) for path in paths])
    url = static_server(site['dist'])
    page = browser([{'goto': url + 'draw.html'}, {'waitFor': READY}] + judge_steps(inputs))[2]
    for path, shown in zip(paths, page):
        cli_said = lines[path].split(' ', 1)[0]
        assert cli_said == ('?' if shown['label'] is None else shown['label']), (path, lines,
                                                                                  shown)
        if shown['label'] is None:
            assert lines[path] == '? ' + shown['reason'], (lines[path], shown)
    assert lines[paths[0]].startswith(str(labels[0]) + ' ')
    for name in ('square', 'dot', 'hash'):
        assert lines[str(tmp_path / ('%s.png' % name))].startswith('? '), lines
