"""evaluate.py's like section (likeness.py): the own-closer measure can pass and fail, and
evaluate.py reports it for the shipped generator and encoder."""
import json

import numpy
import pytest

from digitgan import checkpoints
from digitgan.data.catalog import load_mnist
from digitgan.evaluation import likeness
from script_helpers import run_script, shipped_recogniser


@pytest.fixture(scope='module')
def digits(mnist_dir):
    images, labels = load_mnist('test', mnist_dir)
    chosen = numpy.concatenate([numpy.flatnonzero(labels == d)[:12] for d in range(10)])
    return images[chosen, 0], labels[chosen]


def test_a_perfect_redrawing_beats_every_other_writer(digits):
    images, labels = digits
    beaten = likeness.own_closer(checkpoints.load_recogniser(shipped_recogniser()), images,
                                 images, labels)
    assert beaten.shape == (120,) and (beaten == 1).all()


def test_someone_elses_digit_as_the_redrawing_is_near_chance(digits):
    images, labels = digits
    swapped = images.copy()
    for d in range(10):                      # each input "redrawn" as the next writer's digit
        group = numpy.flatnonzero(labels == d)
        swapped[group] = images[numpy.roll(group, 1)]
    beaten = likeness.own_closer(checkpoints.load_recogniser(shipped_recogniser()), images,
                                 swapped, labels)
    assert 0.2 < beaten.mean() < 0.8
    assert numpy.mean(beaten == 1) < 0.3


def test_an_input_alone_with_its_label_is_left_out(digits):
    images, labels = digits
    rec = checkpoints.load_recogniser(shipped_recogniser())
    beaten = likeness.own_closer(rec, images[:13], images[:13], labels[:13])
    assert numpy.isnan(beaten[12]) and (beaten[:12] == 1).all()   # one 1 among twelve 0s


def test_evaluate_reports_the_like_section(tmp_path):
    done = run_script('evaluate.py', '--json', tmp_path / 'e.json', '--grid', tmp_path / 'e.png',
                      '--per-label', 5, '--real', 200, '--like', 3, timeout=600)
    assert done.returncode == 0, done.stderr
    like = json.loads((tmp_path / 'e.json').read_text())['like']
    assert like['inputs'] == 30 and like['encoder'].endswith('encoder.npz')
    assert like['readable'] >= 0.9 and len(like['readable_per_digit']) == 10
    assert 0 <= like['own_closer_than_all'] <= like['own_closer_than_most'] <= 1
    assert set(like['targets']) == {'readable', 'own_closer_pairs'}
    assert 'like: read as the digit asked for' in done.stdout

    skipped = run_script('evaluate.py', '--json', tmp_path / 'f.json',
                         '--grid', tmp_path / 'f.png', '--per-label', 5, '--real', 200,
                         '--like', 0, timeout=600)
    assert skipped.returncode == 0, skipped.stderr
    assert json.loads((tmp_path / 'f.json').read_text())['like'] is None
