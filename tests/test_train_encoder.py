"""train_encoder.py end to end, tiny: the files it writes, the generator it records, resume,
and its one-line errors."""
import hashlib
import json

import numpy
import pytest
from PIL import Image

from digitgan import checkpoints, cli
from digitgan.generation import handwriting
from script_helpers import assert_one_line_error, run_script, tiny_generator


@pytest.fixture(scope='module')
def run(tmp_path_factory, mnist_dir):
    folder = tmp_path_factory.mktemp('encoder')
    gen = tiny_generator(folder / 'gen')
    out = folder / 'out'
    # Every loss term on (the feature term is off by default), so each is logged.
    done = run_script('train_encoder.py', '--generator', gen, '--iterations', 3,
                      '--batchsize', 10, '--snapshot-interval', 2, '--out', out,
                      '--feature-weight', 0.1, '--data-dir', mnist_dir, timeout=600)
    return gen, out, done


def test_files_and_header(run):
    gen, out, done = run
    assert done.returncode == 0, done.stderr[-2000:]
    assert 'encoder for gen_iter_7.npz' in done.stdout
    for name in ('encoder.npz', 'encoder_args.json', 'log', 'loss.png', 'preview.png',
                 'snapshot_iter_2', 'snapshot_iter_3'):
        assert (out / name).is_file(), name
    log = json.loads((out / 'log').read_text())
    assert log[-1]['iteration'] == 3
    for term in ('loss', 'latent', 'pixel', 'feature', 'prior'):
        assert numpy.isfinite(log[-1]['encoder/' + term]), term
    with Image.open(out / 'preview.png') as preview:      # 10 digits, each + 0-9, scale 2
        assert preview.size == (2 * (11 * 28 + 4), 2 * 10 * 28)


def test_args_record_the_generator_and_rebuild_the_encoder(run):
    gen, out, done = run
    args = json.loads((out / 'encoder_args.json').read_text())
    with open(gen, 'rb') as f:
        assert args['generator']['sha256'] == hashlib.sha256(f.read()).hexdigest()
    assert args['n_hidden'] == 6                         # the generator's z size
    enc = checkpoints.load_encoder(str(out / 'encoder.npz'))
    assert enc.n_hidden == 6
    handwriting.check_pair(str(out / 'encoder.npz'), gen)        # no error: the pair fits


def test_other_generator_is_refused(run, tmp_path):
    gen, out, done = run
    other = tiny_generator(tmp_path, seed=5)
    with pytest.raises(cli.UserError, match='trained against another generator'):
        handwriting.check_pair(str(out / 'encoder.npz'), other)


def test_resume_continues_from_the_snapshot(run, mnist_dir):
    gen, out, done = run
    again = run_script('train_encoder.py', '--generator', gen, '--iterations', 5,
                       '--batchsize', 10, '--snapshot-interval', 2, '--out', out,
                       '--feature-weight', 0.1, '--data-dir', mnist_dir, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    assert 'resumed from' in again.stdout and 'at iteration 3' in again.stdout
    log = json.loads((out / 'log').read_text())
    assert [entry['iteration'] for entry in log][-1] == 5


@pytest.mark.parametrize('args, message', [
    (['--latent-weight', '0', '--pixel-weight', '0', '--feature-weight', '0',
      '--prior-weight', '0'], 'every loss weight is 0'),
    (['--pixel-weight', '-1'], 'loss weights must be 0 or positive'),
    (['--lr', '2'], '--lr must be between 0 and 1'),
    (['--generator', 'missing.npz'], 'no such file'),
])
def test_errors_are_one_line(tmp_path, args, message):
    done = run_script('train_encoder.py', '--out', tmp_path / 'out', *args, cwd=tmp_path)
    assert_one_line_error(done, message)
    assert not (tmp_path / 'out').exists() or not any((tmp_path / 'out').iterdir())
