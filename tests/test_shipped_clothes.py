"""The shipped Fashion-MNIST generator and classifier: the command lines speak their label
names, contract.json offers them as "Clothes", and the generator page picked from its menu
draws what Chainer draws with the same weights."""
import json
import os

import numpy
import pytest
from PIL import Image

from digitgan import checkpoints
from digitgan.data.catalog import FASHION_MNIST
from digitgan.generation.sampling import generate
from script_helpers import run_script

READY = 'body[data-state="ready"]'
LABELS = list(FASHION_MNIST.labels)


@pytest.fixture(scope='module')
def shipped():
    generator = checkpoints.shipped('fashion-mnist', 'generator')
    classifier = checkpoints.shipped('fashion-mnist', 'classifier')
    assert os.path.isfile(classifier), 'the Fashion-MNIST classifier is not shipped'
    return generator, classifier


def test_generate_draws_a_named_label(shipped, tmp_path):
    done = run_script('generate.py', '--dataset', 'fashion-mnist', '--digit', 'sneaker',
                      '--n', 4, '--seed', 1, '--out', tmp_path / 'shoes.png')
    assert done.returncode == 0, done.stderr
    with Image.open(tmp_path / 'shoes.png') as image:
        assert image.size == (56, 56)
    done = run_script('generate.py', '--dataset', 'fashion-mnist', '--per-label', 2,
                      '--npz', tmp_path / 's.npz')
    assert done.returncode == 0 and 'Ankle boot' in done.stdout, done.stderr
    with numpy.load(tmp_path / 's.npz') as data:
        assert data['images'].shape == (20, 28, 28)


def test_recognize_names_clothes_in_image_files(shipped, tmp_path):
    images, labels = FASHION_MNIST.load('test')
    paths = []
    for i in range(20):          # dark on white, four times the size, as a photo would be
        path = tmp_path / ('%02d.png' % i)
        Image.fromarray(numpy.uint8(255 * (1 - images[i, 0]))).resize((112, 112)).save(path)
        paths.append(path)
    done = run_script('recognize.py', '--dataset', 'fashion-mnist', *paths)
    assert done.returncode == 0, done.stderr
    read = [line.rsplit(' ', 1)[0].split(' ', 1)[1] for line in done.stdout.splitlines()]
    right = sum(name == LABELS[label] for name, label in zip(read, labels[:20]))
    assert right >= 16, list(zip(read, labels[:20]))


def test_contract_offers_clothes_with_their_names(site):
    contract = site['contract']
    clothes = contract['datasets']['fashion-mnist']
    assert clothes['title'] == 'Clothes' and clothes['labels'] == LABELS
    for role in ('generator', 'row', 'grid', 'classifier'):
        assert contract[clothes[role]]['labels'] == LABELS
    assert contract[clothes['grid']]['batch'] == 100
    assert contract['datasets']['mnist']['generator'] == 'generator'


def test_the_page_draws_clothes_as_chainer_does(shipped, site, static_server, browser):
    gen = checkpoints.load_generator(shipped[0])
    z = gen.make_hidden(3, rng=numpy.random.RandomState(5))
    labels = numpy.array([7, 1, 9], numpy.int32)
    expected = generate(gen, z, labels).reshape(3, -1)
    url = static_server(site['dist'])
    calls = [{'eval': 'async () => window.dcganTest.generate(%s, %d)'
              % (json.dumps(z[i].tolist()), labels[i])} for i in range(3)]
    page = """async () => { await window.dcganTest.settled(); return {
      labels: [...document.querySelectorAll('#digit option')].map((o) => o.textContent),
      dataset: window.dcganTest.dataset(), search: location.search}; }"""
    r = browser([{'goto': url + '?seed=4'}, {'waitFor': READY},
                 {'select': ['#dataset', 'fashion-mnist']}, {'wait': 1500},   # it reloads
                 {'waitFor': READY},
                 {'eval': page}] + calls + [
        {'eval': 'async () => window.dcganTest.extrasLoaded()'}, {'click': '#check'},
        {'eval': "async () => { await window.dcganTest.settled(); "
                 "return document.querySelector('#check-result').textContent; }"}])
    shown = r[5]
    assert shown['dataset'] == 'fashion-mnist' and shown['labels'] == LABELS
    assert shown['search'].startswith('?dataset=fashion-mnist&label=T-shirt%2Ftop&seed=')
    for i in range(3):
        assert numpy.abs(numpy.array(r[6 + i]) - expected[i]).max() <= 1e-5
    assert r[-1].startswith('The classifier reads ')
