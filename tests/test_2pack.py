"""2pack.py: descriptors, contract.json, atomic output and one-line errors for bad input.
Numerical parity in a browser is tests/test_browser_parity.py."""
import json
import os
import shutil

import numpy
import pytest

pytest.register_assert_rewrite('export_fixtures')  # before the import below
from export_fixtures import GENERATOR_ITERATION, run_2pack  # noqa: E402
from digitgan.export import contract as contract_module, webdnn_export  # noqa: E402
from digitgan import networks  # noqa: E402
from script_helpers import assert_one_line_error, save_snapshot  # noqa: E402
from digitgan.export.webdnn_export import sha256_of  # noqa: E402

pytest_plugins = ['export_fixtures']

WEBASSEMBLY_FILES = {'graph_webassembly.json', 'kernels_webassembly.js',
                     'kernels_webassembly.wasm', 'weight_webassembly.bin'}
WEBGL_FILES = {'graph_webgl_%d.json' % size for size in (4096, 8192, 16384)} | \
              {'weight_webgl_%d.bin' % size for size in (4096, 8192, 16384)}


def test_writes_every_backend_into_one_folder_per_graph(converted):
    assert sorted(os.listdir(converted.out)) == ['contract.json', 'encoder', 'generator',
                                                 'generator-b10', 'recogniser']
    for folder in ('generator', 'generator-b10', 'recogniser', 'encoder'):
        files = set(os.listdir(os.path.join(converted.out, folder)))
        assert WEBASSEMBLY_FILES | WEBGL_FILES <= files, folder
        assert not [name for name in files if 'asmjs' in name], files
        assert os.path.getsize(os.path.join(converted.out, folder,
                                            'kernels_webassembly.wasm')) > 1000
    # built beside --out and renamed: nothing of the staging folder is left
    assert os.listdir(os.path.dirname(converted.out)) == ['models']
    assert 'asm.js fallback not built' in converted.stdout
    print('\nconversion: %.1f s in all; per graph and backend (s, MB): %s'
          % (converted.seconds, converted.steps))
    assert {backend for _, backend in converted.steps} == {'webassembly', 'webgl'}


def test_contract_describes_each_graph(converted, export_snapshots):
    contract = converted.contract
    generator, recogniser = contract['generator'], contract['recogniser']
    assert contract['format'] == contract_module.FORMAT
    assert contract['backend_order'] == ['webassembly', 'webgl']
    assert generator['folder'] == 'generator'
    assert generator['input_shape'] == [1, 110] and generator['output_shape'] == [1, 1, 28, 28]
    assert contract['generator_b10']['input_shape'] == [10, 110]
    assert contract['generator_b10']['output_shape'] == [10, 1, 28, 28]
    assert generator['n_hidden'] == 100 and 'standard normal' in generator['z_prior']
    assert generator['output_range'] == [0.0, 1.0]
    assert recogniser['input_shape'] == [1, 1, 28, 28]
    assert recogniser['output_shape'] == [1, 10] and 'softmax' in recogniser['output']
    # The app applies a softmax only where output_is_logits says so: the recogniser's
    # converted graph ends in one, so its outputs are probabilities already.
    assert generator['output_is_logits'] is False and recogniser['output_is_logits'] is False
    images = numpy.random.RandomState(0).uniform(0, 1, (3, 1, 28, 28)).astype(numpy.float32)
    outputs = webdnn_export.reference_output('recogniser', export_snapshots.recogniser, images)
    assert numpy.allclose(outputs.sum(axis=-1), 1, atol=1e-5) and outputs.min() >= 0
    for entry, npz in ((generator, export_snapshots.generator_npz),
                       (recogniser, export_snapshots.recogniser_npz)):
        assert entry['n_classes'] == 10 and entry['labels'] == [str(d) for d in range(10)]
        assert entry['ink'] == networks.MODEL_CONTRACT['image_ink']
        assert entry['backends'] == ['webassembly', 'webgl']
        assert entry['weight_encoding'] == 'raw'
        assert entry['source']['sha256'] == sha256_of(npz)
        assert set(entry['input_name']) == set(entry['output_name']) == set(entry['backends'])
    assert generator['source']['iteration'] == GENERATOR_ITERATION
    assert recogniser['source']['iteration'] is None
    assert generator['source']['args']['ch'] == 64
    encoder = contract['encoder']
    assert encoder['input_shape'] == [1, 11, 28, 28] and encoder['output_shape'] == [1, 100]
    assert encoder['output_is_logits'] is False and encoder['n_hidden'] == 100
    assert encoder['generator_sha256'] == sha256_of(export_snapshots.generator_npz)
    assert encoder['source']['sha256'] == sha256_of(export_snapshots.encoder_npz)


def test_eightbit_weights_are_smaller(converted, converted_eightbit):
    assert converted_eightbit.contract['recogniser']['weight_encoding'] == 'eightbit'
    sizes = {}
    for name, run in (('float32', converted), ('eightbit', converted_eightbit)):
        for folder in ('generator', 'recogniser'):
            for backend, weights in (('webassembly', 'weight_webassembly.bin'),
                                     ('webgl', 'weight_webgl_4096.bin')):
                sizes[name, folder, backend] = os.path.getsize(
                    os.path.join(run.out, folder, weights))
    print('\nweight file bytes: %s' % sizes)
    for (name, folder, backend), size in sizes.items():
        if name == 'eightbit':
            assert size < 0.4 * sizes['float32', folder, backend]


def test_failed_run_leaves_the_old_output_untouched(export_snapshots, tmp_path):
    out = tmp_path / 'models'
    first = run_2pack('--generator', export_snapshots.generator_npz,
                      '--recogniser', export_snapshots.recogniser_npz,
                     '--encoder', export_snapshots.encoder_npz, '--out', str(out),
                      '--backends', 'webgl')
    assert first.returncode == 0, first.stderr
    before = {name: sha256_of(os.path.join(root, name))
              for root, _, names in os.walk(out) for name in names}
    # The generator's webgl files are written before em++ fails on a header it cannot find.
    failed = run_2pack('--generator', export_snapshots.generator_npz,
                       '--recogniser', export_snapshots.recogniser_npz,
                     '--encoder', export_snapshots.encoder_npz, '--out', str(out),
                       '--backends', 'webgl,webassembly',
                       env={'EMCC_CFLAGS': '-include no-such-header.h'})
    assert failed.returncode == 2
    assert failed.stderr.strip().splitlines()[-1].startswith('error: webassembly descriptor')
    assert 'Traceback' not in failed.stderr
    after = {name: sha256_of(os.path.join(root, name))
             for root, _, names in os.walk(out) for name in names}
    assert after == before
    assert sorted(os.listdir(tmp_path)) == ['models']


def test_rerun_replaces_the_whole_folder(export_snapshots, tmp_path):
    out = tmp_path / 'models'
    (out / 'generator').mkdir(parents=True)
    (out / 'generator' / 'graph_webgpu.json').write_text('{}')  # from an older run
    done = run_2pack('--generator', export_snapshots.generator_npz,
                     '--recogniser', export_snapshots.recogniser_npz,
                     '--encoder', export_snapshots.encoder_npz, '--out', str(out),
                     '--backends', 'webgl', '--eightbit', '--allow-fewer')
    assert done.returncode == 0, done.stderr
    assert 'graph_webgpu.json' not in os.listdir(out / 'generator')
    assert json.loads((out / 'contract.json').read_text())['generator']['backends'] == ['webgl']
    assert sorted(os.listdir(tmp_path)) == ['models']


# ---- bad input: one line on stderr, exit status 2, nothing written ----

def test_missing_snapshot(export_snapshots, tmp_path):
    done = run_2pack('--generator', str(tmp_path / 'gen_iter_1.npz'),
                     '--recogniser', export_snapshots.recogniser_npz,
                     '--encoder', export_snapshots.encoder_npz,
                     '--out', str(tmp_path / 'models'))
    assert_one_line_error(done, 'gen_iter_1.npz', 'no such file')
    assert not (tmp_path / 'models').exists()


@pytest.mark.parametrize('damage', ['garbage', 'truncated'])
def test_corrupt_snapshot(export_snapshots, tmp_path, damage):
    folder = tmp_path / 'result-dcgan'
    folder.mkdir()
    shutil.copy(os.path.join(os.path.dirname(export_snapshots.generator_npz),
                             'generator_args.json'), folder)
    with open(export_snapshots.generator_npz, 'rb') as f:
        data = f.read()
    (folder / 'gen_iter_5.npz').write_bytes(
        b'not a zip file' if damage == 'garbage' else data[:len(data) // 2])
    done = run_2pack('--generator', str(folder / 'gen_iter_5.npz'),
                     '--recogniser', export_snapshots.recogniser_npz,
                     '--encoder', export_snapshots.encoder_npz,
                     '--out', str(tmp_path / 'models'))
    assert_one_line_error(done, 'gen_iter_5.npz', 'not a readable .npz')


def test_recogniser_npz_given_as_generator(export_snapshots, tmp_path):
    # Beside a generator_args.json (a copied file): the parameters themselves do not fit.
    folder = tmp_path / 'result-dcgan'
    folder.mkdir()
    shutil.copy(os.path.join(os.path.dirname(export_snapshots.generator_npz),
                             'generator_args.json'), folder)
    shutil.copy(export_snapshots.recogniser_npz, folder / 'gen_iter_5.npz')
    done = run_2pack('--generator', str(folder / 'gen_iter_5.npz'),
                     '--recogniser', export_snapshots.recogniser_npz,
                     '--encoder', export_snapshots.encoder_npz,
                     '--out', str(tmp_path / 'models'))
    assert_one_line_error(done, 'is not a generator snapshot', 'has no parameter',
                          'it holds a recogniser')
    # In its own folder: recogniser_args.json gives it away.
    done = run_2pack('--generator', export_snapshots.recogniser_npz,
                     '--recogniser', export_snapshots.recogniser_npz,
                     '--encoder', export_snapshots.encoder_npz,
                     '--out', str(tmp_path / 'models'))
    assert_one_line_error(done, 'no generator_args.json', 'is it a recogniser')


def test_generator_of_another_width(export_snapshots, tmp_path):
    """A generator trained with --gen-ch 32, converted with the args of --gen-ch 64."""
    path = save_snapshot(networks.Generator(ch=32), str(tmp_path / 'narrow'),
                         'gen_iter_1.npz', 'generator_args.json')
    shutil.copy(os.path.join(os.path.dirname(export_snapshots.generator_npz),
                             'generator_args.json'), str(tmp_path / 'narrow'))
    done = run_2pack('--generator', path, '--recogniser', export_snapshots.recogniser_npz,
                     '--encoder', export_snapshots.encoder_npz,
                     '--out', str(tmp_path / 'models'))
    assert_one_line_error(done, 'does not fit the generator', 'ch=64', 'parameter ',
                          'in the snapshot but')


@pytest.mark.parametrize('backends, fragment', [
    ('webgl,metal', "unknown backend 'metal'"),
    ('fallback', 'cannot convert Deconvolution2D'),
    (',', '--backends is empty'),
])
def test_bad_backend_name(export_snapshots, tmp_path, backends, fragment):
    done = run_2pack('--generator', export_snapshots.generator_npz,
                     '--recogniser', export_snapshots.recogniser_npz,
                     '--encoder', export_snapshots.encoder_npz,
                     '--out', str(tmp_path / 'models'), '--backends', backends)
    assert_one_line_error(done, fragment)


def test_refuses_to_replace_a_folder_it_did_not_write(export_snapshots, tmp_path):
    (tmp_path / 'index.html').write_text('the app')
    done = run_2pack('--generator', export_snapshots.generator_npz,
                     '--recogniser', export_snapshots.recogniser_npz,
                     '--encoder', export_snapshots.encoder_npz,
                     '--out', str(tmp_path), '--backends', 'webgl')
    assert_one_line_error(done, 'did not write', 'index.html')
    assert (tmp_path / 'index.html').read_text() == 'the app'


def test_unknown_flag_is_one_line(tmp_path):
    assert_one_line_error(run_2pack('--eight-bit'), '--eight-bit')


def test_encoder_of_another_generator_is_refused(export_snapshots, tmp_path):
    folder = tmp_path / 'other'
    folder.mkdir()
    for name in ('gen_iter_3.npz', 'generator_args.json'):
        shutil.copy(os.path.join(os.path.dirname(export_snapshots.generator_npz), name), folder)
    with open(folder / 'gen_iter_3.npz', 'ab') as f:
        f.write(b'\0')       # other bytes, still a readable zip: another generator file
    done = run_2pack('--generator', str(folder / 'gen_iter_3.npz'),
                     '--recogniser', export_snapshots.recogniser_npz,
                     '--encoder', export_snapshots.encoder_npz,
                     '--out', str(tmp_path / 'models'), '--backends', 'webgl')
    assert_one_line_error(done, 'trained against another generator', 'train_encoder.py')
    assert not (tmp_path / 'models').exists()


def test_without_encoder(export_snapshots, tmp_path):
    missing = run_2pack('--generator', export_snapshots.generator_npz,
                        '--recogniser', export_snapshots.recogniser_npz,
                        '--encoder', str(tmp_path / 'none.npz'),
                        '--out', str(tmp_path / 'models'), '--backends', 'webgl')
    assert_one_line_error(missing, 'none.npz: no such file', '--without-encoder')
    done = run_2pack('--generator', export_snapshots.generator_npz,
                     '--recogniser', export_snapshots.recogniser_npz, '--without-encoder',
                     '--no-batch10', '--no-batch100',
                     '--out', str(tmp_path / 'models'), '--backends', 'webgl')
    assert done.returncode == 0, done.stderr
    assert sorted(os.listdir(tmp_path / 'models')) == ['contract.json', 'generator',
                                                       'recogniser']
