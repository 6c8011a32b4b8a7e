"""generate.py, evaluate.py and recognize.py: every mistake is one stderr line 'error: ...',
exit code 2, found before any work is done; and a full disk while writing a file is one line
that leaves the file there before it whole. (The training scripts: test_cli_errors.py.)"""
import errno
import os
import shutil

import numpy
import pytest

from digitgan import cli
from script_helpers import assert_one_line_error, run_script, shipped_recogniser, tiny_generator
import evaluate
import generate

MAINS = {'generate': generate.main, 'evaluate': evaluate.main}
UNWRITABLE = '/sys/digits.png'    # sysfs refuses new files, even to root


@pytest.fixture
def places(tmp_path):
    """A tiny generator, a folder, a regular file: what the paths in the cases refer to."""
    (tmp_path / 'folder').mkdir()
    (tmp_path / 'file').write_text('keep me\n')
    return {'gen': tiny_generator(tmp_path / 'gen'), 'folder': str(tmp_path / 'folder'),
            'file': str(tmp_path / 'file')}


SEED = '--seed must be from 0 to 4294967295 (NumPy takes 32-bit seeds), not '
CASES = [
    ('generate', ['--seed', '-1'], SEED + '-1'),
    ('generate', ['--seed', '4294967296'], SEED + '4294967296'),
    ('generate', ['--digit', '7', '--n', '1000000000'],
     '--n 1000000000 asks for 1000000000 digits in one PNG; at most 10000 (--digit all draws '
     '10 per row): use --npz with --per-digit for more'),
    ('generate', ['--digit', 'all', '--n', '1001'],
     '--n 1001 asks for 10010 digits in one PNG; at most 10000 (--digit all draws 10 per '
     'row): use --npz with --per-digit for more'),
    ('generate', ['--scale', '100000'],
     'the PNG would be 28000000 x 28000000 pixels; at most 40 megapixels: lower --scale or --n'),
    ('generate', ['--npz', 'x.npz', '--per-digit', '10001'],
     '--per-digit must be at most 10000 (100000 images in all)'),
    ('generate', ['--out', ''], '--out needs a file name, not an empty string'),
    ('generate', ['--out', '{folder}'],
     '--out {folder} is a folder; give a file name, such as {folder}/generated.png'),
    ('generate', ['--npz', '{folder}'],
     '--npz {folder} is a folder; give a file name, such as {folder}/samples.npz'),
    ('generate', ['--out', '{file}/x.png'],
     'cannot write --out {file}/x.png: {file} is a file, not a folder'),
    ('generate', ['--npz', '{folder}/no/such/x.npz'],
     'cannot write --npz {folder}/no/such/x.npz: no such folder {folder}/no/such'),
    ('generate', ['--out', UNWRITABLE],
     'cannot write --out %s: its folder /sys is not writable (Permission denied)' % UNWRITABLE),
    ('evaluate', ['--seed', '-1'], SEED + '-1'),
    ('evaluate', ['--seed', '4294967296'], SEED + '4294967296'),
    ('evaluate', ['--per-label', '100000'],
     '--per-label must be at most 6000: the floor needs as many real training images'),
    ('evaluate', ['--json', '{folder}'],
     '--json {folder} is a folder; give a file name, such as {folder}/evaluation.json'),
    ('evaluate', ['--json', ''], '--json needs a file name, not an empty string'),
    ('evaluate', ['--grid', '{file}/grid.png'],
     'cannot write --grid {file}/grid.png: {file} is a file, not a folder'),
    ('evaluate', ['--grid', UNWRITABLE],
     'cannot write --grid %s: its folder /sys is not writable (Permission denied)'
     % UNWRITABLE),
]


@pytest.mark.parametrize('script, flags, message', CASES)
def test_bad_values_are_one_line_before_any_work(script, flags, message, places, capsys,
                                                 tmp_path, monkeypatch):
    """In-process through cli.run (the scripts' own code path). The generator given is real,
    so the error must come from the checks, before it is loaded or anything is drawn."""
    monkeypatch.chdir(tmp_path)
    flags = [flag.format(**places) for flag in flags]
    with pytest.raises(SystemExit) as exit_:
        cli.run(lambda: MAINS[script](['--generator', places['gen']] + flags))
    captured = capsys.readouterr()
    assert exit_.value.code == 2, captured.err
    assert captured.err == 'error: %s\n' % message.format(**places)
    assert captured.out == ''
    assert sorted(os.listdir(tmp_path)) == ['file', 'folder', 'gen']    # nothing written
    assert os.listdir(places['folder']) == []


def test_a_mistake_from_the_command_line_is_one_line(places):
    done = run_script('generate.py', '--generator', places['gen'], '--seed', '-1')
    assert_one_line_error(done, SEED + '-1')


def nan_weights(path, parameter):
    with numpy.load(path) as npz:
        arrays = {key: npz[key] for key in npz.files}
    arrays[parameter] = numpy.full_like(arrays[parameter], numpy.nan)
    numpy.savez(path, **arrays)


def test_nan_weights_are_refused_by_generate(places, tmp_path):
    nan_weights(places['gen'], 'l0/W')
    done = run_script('generate.py', '--generator', places['gen'], '--out', tmp_path / 'x.png')
    assert_one_line_error(done, '%s: parameter l0/W holds NaN or infinite values (training '
                                'diverged); use an earlier snapshot' % places['gen'])
    assert not (tmp_path / 'x.png').exists()


def test_nan_weights_are_refused_by_recognize(tmp_path):
    shipped = os.path.dirname(shipped_recogniser())
    folder = tmp_path / 'rec'
    folder.mkdir()
    for name in ('recogniser.npz', 'recogniser_args.json'):
        shutil.copy(os.path.join(shipped, name), folder / name)
    with numpy.load(folder / 'recogniser.npz') as npz:
        parameter = sorted(key for key in npz.files if key.endswith('/b'))[0]
    nan_weights(folder / 'recogniser.npz', parameter)
    done = run_script('recognize.py', '--recogniser', folder / 'recogniser.npz', 'any.png')
    assert_one_line_error(done, 'parameter %s holds NaN' % parameter)


def test_a_full_disk_is_one_line_and_keeps_the_old_file(tmp_path):
    path = tmp_path / 'samples.npz'
    path.write_bytes(b'the old samples')
    with pytest.raises(cli.UserError) as error:
        with cli.atomic_path(str(path)) as tmp:
            with open(tmp, 'wb') as f:
                f.write(b'half of the new ')
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert str(error.value) == ('cannot write %s (No space left on device); the file there '
                                'before is unchanged: make room and run again' % path)
    assert path.read_bytes() == b'the old samples'
    assert os.listdir(tmp_path) == ['samples.npz']      # no temporary file left
