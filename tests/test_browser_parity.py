"""The descriptors 2pack.py writes, run by WebDNN's npm runtime in headless Chromium, give
Chainer's eval-mode outputs: within 1e-5 with float32 weights on each backend (forced one at a
time). With --eightbit the error and the recogniser's changed predictions are measured and
printed; the figures also go to test-artifacts/webdnn_parity.json."""
import copy
import json
import os
import shutil

import chainer
import numpy
import pytest

pytest.register_assert_rewrite('export_fixtures')  # before the import below
from digitgan.data.catalog import load_mnist  # noqa: E402
from digitgan.export import webdnn_export  # noqa: E402

pytest_plugins = ['export_fixtures']

BACKENDS = ['webassembly', 'webgl']
TOLERANCE = 1e-5
N_GENERATOR_CASES = 10   # one z per row, digits 0-9
N_RECOGNISER_CASES = 20  # MNIST test images


@pytest.fixture(scope='module')
def cases(export_snapshots, mnist_dir):
    """Inputs and Chainer's eval-mode outputs for each graph folder."""
    generator, recogniser = export_snapshots.generator, export_snapshots.recogniser
    z = numpy.random.RandomState(0).standard_normal(
        (N_GENERATOR_CASES, generator.n_hidden)).astype(numpy.float32)
    generator_inputs = generator.make_input(z, numpy.arange(N_GENERATOR_CASES) % 10)
    images = load_mnist('test', mnist_dir)[0][:N_RECOGNISER_CASES]
    return {
        'generator': (generator, 'generator', generator_inputs[:, None]),
        'generator-b10': (generator, 'generator', generator_inputs[None, :10]),
        'recogniser': (recogniser, 'recogniser', images[:, None]),
    }


def expected(cases, folder):
    net, kind, inputs = cases[folder]
    return numpy.stack([webdnn_export.reference_output(kind, net, x) for x in inputs])


def run_in_browser(browser, static_server, tmp_path, root, models_dir, cases, folders):
    site = tmp_path / 'site'
    site.mkdir()
    shutil.copy(os.path.join(root, 'tests', 'browser', 'webdnn_parity.html'), site)
    shutil.copy(os.path.join(root, 'node_modules', 'webdnn', 'dist', 'webdnn.js'), site)
    os.symlink(models_dir, site / 'models')
    (site / 'cases.json').write_text(json.dumps({
        'backends': BACKENDS,
        'models': {folder: {'folder': 'models/' + folder,
                            'inputs': [x.ravel().tolist() for x in cases[folder][2]]}
                   for folder in folders}}))
    url = static_server(str(site))
    results = browser([{'goto': url + 'webdnn_parity.html'},
                       {'eval': 'async () => window.runCases()'}])[1]
    for folder in folders:
        for backend in BACKENDS:
            assert results[folder][backend]['backendName'] == backend, (folder, backend)
    return results


def browser_output(results, folder, backend, shape):
    return numpy.array(results[folder][backend]['outputs'], numpy.float32).reshape(shape)


def record(artifacts_dir, key, figures):
    path = os.path.join(artifacts_dir, 'webdnn_parity.json')
    report = {}
    if os.path.exists(path):
        with open(path) as f:
            report = json.load(f)
    report[key] = figures
    with open(path, 'w') as f:
        json.dump(report, f, indent=2)
    print('\n%s: %s' % (key, json.dumps(figures, indent=1)))


def test_reference_outputs_are_discriminating(cases):
    """The random snapshots give varied outputs, and eval mode differs from train mode, so
    a conversion in train mode or of the wrong graph cannot pass the parity test."""
    images = expected(cases, 'generator')
    assert images.std() > 0.1 and images.min() < 0.1 and images.max() > 0.9
    probabilities = expected(cases, 'recogniser')
    assert len(set(probabilities.argmax(axis=-1).ravel())) > 4
    assert probabilities.max(axis=-1).mean() > 0.3
    net, _, inputs = cases['generator-b10']
    net = copy.deepcopy(net)  # a train-mode pass updates the running statistics
    with chainer.using_config('train', True), chainer.using_config('enable_backprop', False):
        train_mode = net(inputs[0]).array  # BatchNorm with the statistics of this batch
    assert abs(train_mode - expected(cases, 'generator-b10')[0]).max() > 100 * TOLERANCE


def test_float32_descriptors_match_chainer(converted, cases, browser, static_server, tmp_path,
                                           root, artifacts_dir):
    folders = ['generator', 'generator-b10', 'recogniser']
    results = run_in_browser(browser, static_server, tmp_path, root, converted.out, cases,
                             folders)
    figures = {}
    for folder in folders:
        reference = expected(cases, folder)
        for backend in BACKENDS:
            output = browser_output(results, folder, backend, reference.shape)
            figures['%s %s' % (folder, backend)] = {
                'max_abs_diff': float(abs(output - reference).max()),
                'ms_per_run': round(results[folder][backend]['msPerRun'], 2)}
    figures['conversion'] = {'seconds_total': round(converted.seconds, 1), **{
        '%s %s' % key: {'seconds': sec, 'MB': mb} for key, (sec, mb) in converted.steps.items()}}
    record(artifacts_dir, 'float32', figures)
    for name, figure in figures.items():
        if 'max_abs_diff' in figure:
            assert figure['max_abs_diff'] < TOLERANCE, (name, figure)


def test_eightbit_error_and_recogniser_agreement(converted_eightbit, cases, browser,
                                                 static_server, tmp_path, root, artifacts_dir):
    folders = ['generator', 'recogniser']
    results = run_in_browser(browser, static_server, tmp_path, root, converted_eightbit.out,
                             cases, folders)
    figures = {}
    for folder in folders:
        reference = expected(cases, folder)
        for backend in BACKENDS:
            output = browser_output(results, folder, backend, reference.shape)
            figure = {'max_abs_diff': float(abs(output - reference).max())}
            if folder == 'recogniser':
                figure['predictions_agreeing'] = '%d/%d' % (
                    (output.argmax(-1) == reference.argmax(-1)).sum(), len(reference))
            figures['%s %s' % (folder, backend)] = figure
    record(artifacts_dir, 'eightbit', figures)
    for name, figure in figures.items():
        # 8-bit weights must have been used (an exact match means they were not), and the
        # error stays far below the output range.
        assert 1e-4 < figure['max_abs_diff'] < 0.25, (name, figure)
