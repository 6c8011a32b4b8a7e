"""The shipped encoder (app/models/encoder, contract.json `encoder`) run by the real bundle in
headless Chromium, through the recogniser page's hook (which builds the input as the page
does), gives Chainer's eval-mode z for the weights contract.json names: within 1e-5 on
WebAssembly and on WebGL (forced one at a time), for real MNIST digits."""
import hashlib
import json
import os

import chainer
import numpy
import pytest

from digitgan import checkpoints
from digitgan.data.catalog import load_mnist

BACKENDS = ['webassembly', 'webgl']
TOLERANCE = 1e-5
N_CASES = 6            # MNIST test digits with their labels (and one with another label)
READY = 'body[data-state="ready"]'
LOADED = 'async () => window.dcganTest.handwritingLoaded()'
ENCODE = """async (cases) => {
  const out = [];
  for (const [image, label] of cases) out.push(await window.dcganTest.encode(image, label));
  return out; }"""


@pytest.fixture(scope='module')
def encoder(site, root):
    """The Chainer encoder from the file contract.json's encoder entry was converted from."""
    spec = site['contract'].get('encoder')
    if spec is None:
        pytest.fail('app/models/contract.json has no encoder entry: run python 2pack.py')
    path = os.path.join(root, spec['source']['npz'])
    if not os.path.isfile(path):
        pytest.fail('%s (the weights app/models/encoder was converted from) is missing'
                    % spec['source']['npz'])
    with open(path, 'rb') as f:
        if hashlib.sha256(f.read()).hexdigest() != spec['source']['sha256']:
            pytest.fail('%s is not the file app/models/encoder was converted from (sha256 '
                        'differs): re-run python 2pack.py' % spec['source']['npz'])
    return checkpoints.load_encoder(path)


def test_the_converted_encoder_matches_chainer(encoder, site, static_server, browser,
                                               mnist_dir, artifacts_dir):
    images, labels = load_mnist('test', mnist_dir)
    # and the first digit again with another label: the label planes must count too
    images = numpy.concatenate([images[:N_CASES], images[:1]])
    labels = numpy.concatenate([labels[:N_CASES], (labels[:1] + 1) % 10]).astype(numpy.int32)
    with chainer.using_config('train', False), chainer.using_config('enable_backprop', False):
        expected = encoder(encoder.make_input(images, labels)).array
    assert expected.shape == (N_CASES + 1, site['contract']['generator']['n_hidden'])
    cases = [[image.ravel().tolist(), int(label)] for image, label in zip(images, labels)]
    url = static_server(site['dist'])
    steps = []
    for backend in BACKENDS:
        steps += [{'goto': url + 'draw.html?backend=' + backend}, {'waitFor': READY},
                  {'eval': LOADED}, {'eval': 'async () => (%s)(%s)' % (ENCODE, json.dumps(cases))}]
    r = browser({'context': {'serviceWorkers': 'block'}, 'steps': steps})
    figures = {}
    for i, backend in enumerate(BACKENDS):
        loaded, z = r[4 * i + 2], numpy.array(r[4 * i + 3], numpy.float32)
        assert loaded['loaded'] and loaded['backend'] == backend, loaded
        figures[backend] = float(abs(z - expected).max())
    print('\nencoder max |z - Chainer|: %s' % figures)
    with open(os.path.join(artifacts_dir, 'encoder_parity.json'), 'w') as f:
        json.dump(figures, f, indent=2)
    # The outputs vary, so a graph that ignored its image or its label could not pass.
    assert abs(expected[0] - expected[1]).max() > 100 * TOLERANCE
    assert abs(expected[0] - expected[-1]).max() > 100 * TOLERANCE
    for backend, worst in figures.items():
        assert worst <= TOLERANCE, (backend, worst)
