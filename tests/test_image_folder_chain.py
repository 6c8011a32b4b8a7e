"""Your own labelled images, end to end as the README shows it: a folder of three labels
(real MNIST digits as PNG and JPEG, both polarities) -> train_gan.py and train_recognizer.py
--image-folder (a few real steps) -> 2pack.py --add-dataset -> the generator page in
Chromium offers the data set, shows its three names, draws one and checks it."""
import json
import os
import shutil

import pytest

from image_folders import write_image_folder
from script_helpers import data_dir_or_fail, run_script

READY = 'body[data-state="ready"]'
NAMES = ['one', 'seven', 'zero']


@pytest.fixture(scope='module')
def chain(tmp_path_factory, mnist_dir):
    work = tmp_path_factory.mktemp('chain')
    folder = work / 'shapes'
    write_image_folder(folder, data_dir_or_fail(mnist_dir), per_label=60)
    gan = run_script('train_gan.py', '--image-folder', folder, '--iterations', 4,
                     '--batchsize', 20, '--snapshot-interval', 4, '--out', work / 'gan')
    assert gan.returncode == 0, gan.stderr[-2000:]
    classifier = run_script('train_recognizer.py', '--image-folder', folder, '--iterations', 4,
                            '--batchsize', 20, '--out', work / 'classifier')
    assert classifier.returncode == 0, classifier.stderr[-2000:]
    return work, folder


def test_the_trainers_keep_the_folders_names(chain):
    work, _ = chain
    for path in (work / 'gan' / 'generator_args.json',
                 work / 'classifier' / 'recogniser_args.json'):
        args = json.loads(path.read_text())
        assert args['dataset'] == {'name': 'shapes', 'title': 'shapes', 'labels': NAMES}
        assert args['contract']['labels'] == NAMES and args['n_classes'] == 3
    assert not (work / 'classifier' / 'verdict.json').exists()   # the "?" rule is for digits


def test_generate_takes_a_label_name(chain, tmp_path):
    work, _ = chain
    done = run_script('generate.py', '--generator', work / 'gan' / 'gen_iter_4.npz',
                      '--digit', 'Seven', '--n', 4, '--out', tmp_path / 'sevens.png')
    assert done.returncode == 0 and os.path.isfile(tmp_path / 'sevens.png'), done.stderr
    done = run_script('generate.py', '--generator', work / 'gan' / 'gen_iter_4.npz',
                      '--digit', '5', '--out', tmp_path / 'x.png')
    assert done.returncode == 2 and 'one, seven, zero' in done.stderr
    assert not os.path.exists(tmp_path / 'x.png')


def test_drawings_augmentation_is_refused_for_another_data_set(chain, tmp_path):
    _, folder = chain
    done = run_script('train_recognizer.py', '--image-folder', folder, '--augment', 'drawings',
                      '--iterations', 1, '--out', tmp_path / 'c')
    assert done.returncode == 2 and '--augment scans' in done.stderr
    assert done.stderr.count('\n') == 1 and not os.path.exists(tmp_path / 'c' / 'log')


def test_evaluate_judges_it_with_its_own_classifier(chain, tmp_path):
    work, folder = chain
    done = run_script('evaluate.py', '--generator', work / 'gan' / 'gen_iter_4.npz',
                      '--per-label', 20, '--json', tmp_path / 'e.json')
    assert done.returncode == 2 and '--image-folder' in done.stderr   # where are its images?
    done = run_script('evaluate.py', '--generator', work / 'gan' / 'gen_iter_4.npz',
                      '--image-folder', folder, '--judge',
                      work / 'classifier' / 'recogniser.npz', '--per-label', 20,
                      '--json', tmp_path / 'e.json')
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / 'e.json').read_text())
    assert result['dataset']['labels'] == NAMES and result['n_generated'] == 60
    assert set(result['per_label']) == {'0', '1', '2'} and result['like'] is None


def test_the_page_offers_the_converted_data_set(chain, site, static_server, browser, tmp_path):
    work, _ = chain
    models = tmp_path / 'site' / 'models'
    done = run_script('2pack.py', '--out', models, '--no-batch10', '--no-batch100',
                      '--without-encoder', '--backends', 'webassembly', '--datasets', 'none',
                      '--add-dataset',
                      work / 'gan' / 'gen_iter_4.npz', work / 'classifier' / 'recogniser.npz',
                      env={'EMCC_CFLAGS': '-I/usr/include/eigen3',
                           'NODE_PATH': '/usr/share/nodejs'}, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    contract = json.loads((models / 'contract.json').read_text())
    entry = contract['datasets']['shapes']
    assert entry['labels'] == NAMES and entry['classifier'] == 'datasets/shapes/classifier'
    assert contract[entry['grid']]['batch'] == 30 and contract[entry['row']]['batch'] == 3
    shutil.copytree(site['dist'], tmp_path / 'site', ignore=shutil.ignore_patterns('models'),
                    dirs_exist_ok=True)
    url = static_server(str(tmp_path / 'site'))
    state = """async () => { await window.dcganTest.settled(); return {
      search: location.search, title: document.title,
      word: document.querySelector('#digit-word').textContent,
      labels: [...document.querySelectorAll('#digit option')].map((o) => o.textContent),
      datasets: [...document.querySelectorAll('#dataset option')].map((o) => o.textContent),
      menuHidden: document.querySelector('#dataset-choice').hidden,
      dataset: window.dcganTest.dataset(),
      ink: Array.from(document.querySelector('#output').getContext('2d')
        .getImageData(0, 0, 28, 28).data).filter((v, i) => i % 4 === 0 && v < 128).length}; }"""
    r = browser([
        {'goto': url + '?dataset=shapes&label=seven&seed=3'}, {'waitFor': READY},
        {'eval': state},
        {'eval': 'async () => window.dcganTest.extrasLoaded()'}, {'click': '#check'},
        {'eval': "async () => { await window.dcganTest.settled(); "
                 "return document.querySelector('#check-result').textContent; }"},
        {'click': '#grid'},
        {'eval': 'async () => { await window.dcganTest.settled(); '
                 'return window.dcganTest.runs(); }'},
        {'goto': url + '?seed=3'}, {'waitFor': READY}, {'eval': state},
        {'goto': url + '?dataset=nothing'}, {'waitFor': READY}, {'eval': state},
        {'eval': "async () => document.querySelector('#notice').textContent"},
    ])
    shapes, check, runs, digits, unknown, notice = r[2], r[5], r[7], r[10], r[13], r[14]
    assert shapes['labels'] == NAMES and shapes['dataset'] == 'shapes'
    assert shapes['search'] == '?dataset=shapes&label=seven&seed=3'
    assert shapes['datasets'] == ['Digits', 'shapes'] and not shapes['menuHidden']
    assert shapes['word'] == 'Label' and shapes['ink'] > 0
    assert check.startswith('The classifier reads ') and 'asked for' in check or '✓' in check
    assert runs['batched'] >= 1, 'the 10x3 grid runs as one batch of 30'
    assert digits['dataset'] == 'mnist' and digits['labels'] == [str(d) for d in range(10)]
    assert digits['word'] == 'Digit' and digits['search'].startswith('?digit=0&seed=3')
    assert unknown['dataset'] == 'mnist' and 'dataset=nothing' in notice
