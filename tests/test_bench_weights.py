"""bench/: --generator / --recogniser (copies of the weights contract.json names) reach the
8-bit quality step, and no bench module imports bench/run.py (run as __main__, it would be
imported a second time with its own globals: how the flags were once lost)."""
import ast
import hashlib
import os

import chainer
import numpy
import pytest

from digitgan import cli, networks
from digitgan.data.catalog import load_mnist
from script_helpers import ROOT, data_dir_or_fail, save_snapshot, tiny_generator

BENCH = os.path.join(ROOT, 'bench')
ALWAYS_READ = 3     # the digit the test's recogniser reads in every image


@pytest.fixture
def bench(monkeypatch):
    """bench/'s modules, imported as `python bench/run.py` finds them (bench/ on the path)."""
    monkeypatch.syspath_prepend(BENCH)
    import common
    import eightbit_quality
    return common, eightbit_quality


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


@pytest.fixture
def weights(tmp_path):
    """A tiny generator and a tiny recogniser that reads ALWAYS_READ in every image (the
    shipped one reads real digits right): {kind: path}, outside the repository."""
    rec = networks.Recogniser(ch=2, n_units=4)
    rec.l6.W.array[...] = 0
    rec.l6.b.array[...] = 0
    rec.l6.b.array[ALWAYS_READ] = 10
    with chainer.using_config('train', False):     # initialise BN statistics' shapes
        rec(numpy.zeros((1, 1, 28, 28), numpy.float32))
    return {'generator': tiny_generator(tmp_path / 'gen'),
            'recogniser': save_snapshot(rec, str(tmp_path / 'rec'), 'recogniser.npz',
                                        'recogniser_args.json')}


@pytest.fixture
def contract(weights):
    """contract.json's source entries for those weights, under names that no longer exist
    (as after training pruned the converted gen_iter_<N>.npz)."""
    return {kind: {'source': {'npz': 'result-gone/%s.npz' % kind, 'sha256': sha256(path)}}
            for kind, path in weights.items()}


def test_weights_named_by_the_contract_or_given(bench, contract, weights):
    common, _ = bench
    with pytest.raises(cli.UserError, match='pass a copy with --generator'):
        common.source_weights(contract)
    assert common.source_weights(contract, weights['generator'], weights['recogniser']) \
        == weights
    with pytest.raises(cli.UserError, match='sha256 differs'):
        common.source_weights(contract, weights['recogniser'], weights['recogniser'])
    with pytest.raises(cli.UserError, match='--recogniser /nowhere.npz: no such file'):
        common.source_weights(contract, weights['generator'], '/nowhere.npz')


def test_the_eightbit_step_uses_the_given_weights(bench, contract, weights, mnist_dir,
                                                  monkeypatch, tmp_path):
    """measure() with the Chromium part replaced by real MNIST digits: evaluate.py and the
    digit-by-digit readings must use the given recogniser (every digit read as 3, so
    conditional accuracy exactly 0.1), the browser must get the given generator's inputs."""
    common, eightbit_quality = bench
    per_label = 5
    test_x, test_y = load_mnist('test', data_dir_or_fail(mnist_dir))
    digits = numpy.concatenate([test_x[test_y == c][:per_label] for c in range(10)])[:, 0]
    seen = {}

    def browser_samples(eightbit_folder, inputs):
        seen.update(folder=eightbit_folder, width=inputs.shape[1], count=len(inputs))
        return {'float32': digits, 'eightbit': digits}
    monkeypatch.setattr(eightbit_quality, 'browser_samples', browser_samples)
    monkeypatch.setenv('MNIST_DATA_DIR', data_dir_or_fail(mnist_dir))

    given = common.source_weights(contract, weights['generator'], weights['recogniser'])
    result = eightbit_quality.measure(given, str(tmp_path / 'eightbit'), per_label=per_label,
                                      real=50)
    assert seen == {'folder': str(tmp_path / 'eightbit'), 'width': 6 + 10, 'count': 50}
    for name in ('float32', 'eightbit'):
        assert result[name]['conditional_accuracy'] == pytest.approx(0.1)
    assert result['same_reading_share'] == 1.0
    assert result['accuracy_drop_points'] == 0.0


def imported_modules(path):
    with open(path) as f:
        tree = ast.parse(f.read())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_bench_module_imports_the_main_script():
    scripts = sorted(name for name in os.listdir(BENCH) if name.endswith('.py'))
    assert 'run.py' in scripts
    for name in scripts:
        assert 'run' not in imported_modules(os.path.join(BENCH, name)), name
