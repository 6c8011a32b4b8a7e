"""The generator page with batched generators (2pack.py --batch10 / --batch100): "all digits"
and the 10x10 grid are drawn from one run each, and still show Chainer's digits."""
import json
import os

import numpy
import pytest

import compat  # noqa: F401  (before chainer)
import chainer
import networks

READY = 'body[data-state="ready"]'
READ_SHEET = """async () => {
  await window.dcganTest.settled();
  const canvas = document.querySelector('#sheet');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  return {width: canvas.width, height: canvas.height,
          grey: Array.from({length: canvas.width * canvas.height}, (_, i) => data[4 * i])};
}"""


def generator_for(site, root):
    spec = site['contract']['generator']
    npz = os.path.join(root, spec['source']['npz'])
    if not os.path.isfile(npz):
        pytest.fail('%s (named by app/models/contract.json) is missing: re-run python 2pack.py'
                    % spec['source']['npz'])
    gen = networks.Generator(**{k: v for k, v in spec['source']['args'].items()})
    chainer.serializers.load_npz(npz, gen)
    return spec, gen


def test_all_digits_and_grid_use_the_batched_generators(site, static_server, browser, root):
    contract = site['contract']
    batches = sorted(contract[key]['batch'] for key in ('generator_b10', 'generator_b100')
                     if key in contract)
    if not batches:
        pytest.skip('app/models has no batched generator (2pack.py --batch10 --batch100)')
    spec, gen = generator_for(site, root)
    z = numpy.random.RandomState(5).standard_normal(spec['n_hidden']).astype(numpy.float32)
    url = static_server(site['dist'])
    results = browser([
        {'goto': url + '?seed=3'}, {'waitFor': READY},
        {'eval': 'async () => { await window.dcganTest.extrasLoaded(); '
                 'return window.dcganTest.batchSizes(); }'},
        {'eval': 'async () => window.dcganTest.setNoise(%s)' % json.dumps(z.tolist())},
        {'click': '#all-digits'}, {'eval': READ_SHEET},
        {'eval': "async () => document.querySelector('#timing').textContent"},
        {'eval': 'async () => window.dcganTest.timeGrid()'},
        {'eval': "async () => [document.querySelector('#sheet').width, "
                 "document.querySelector('#sheet').height]"},
    ])
    assert sorted(results[2]) == batches
    sheet = results[5]
    assert (sheet['width'], sheet['height']) == (28 * spec['n_classes'], 28)
    grey = numpy.array(sheet['grey'], numpy.float64).reshape(28, 28 * spec['n_classes'])
    labels = numpy.arange(spec['n_classes'])
    with chainer.using_config('train', False), chainer.no_backprop_mode():
        want = gen(gen.make_input(numpy.repeat(z[None], len(labels), 0), labels)).array
    tolerance = 1 if spec['weight_encoding'] == 'raw' else 0.05 * 255
    for label in labels:
        expected = 255 - 255 * want[label, 0]
        worst = numpy.abs(grey[:, 28 * label:28 * (label + 1)] - expected).max()
        assert worst <= tolerance, 'digit %d differs from Chainer by %.1f grey levels' \
            % (label, worst)
    assert 'all digits' in results[6]
    assert results[7] > 0 and results[8] == [280, 280]
