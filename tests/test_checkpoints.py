"""checkpoints.py: which gen_iter_<N>.npz is the newest. Loading and its error messages are
tested through the scripts (test_2pack.py, test_generate.py, test_recognize.py, ...); here:
no file runs code when loaded, and NaN or infinite weights are refused."""
import pickle
import zipfile

import numpy
import pytest

from digitgan import checkpoints, cli
from script_helpers import CreatesAFile, tiny_generator


def test_newest_generator_is_chosen_by_number(tmp_path):
    for iteration in (99, 1000, 900):
        (tmp_path / ('gen_iter_%d.npz' % iteration)).write_bytes(b'')
    (tmp_path / 'dis_iter_5000.npz').write_bytes(b'')
    (tmp_path / 'gen_iter_7000.npz.tmp').write_bytes(b'')
    (tmp_path / 'gen_iter_8000.npz').mkdir()
    assert checkpoints.newest_generator(str(tmp_path)).endswith('gen_iter_1000.npz')
    assert checkpoints.generator_iteration(str(tmp_path / 'gen_iter_1000.npz')) == 1000
    assert checkpoints.generator_iteration('recogniser.npz') is None


@pytest.mark.parametrize('folder', ['empty', 'missing'])
def test_no_generator_yet(tmp_path, folder):
    (tmp_path / 'empty').mkdir()
    with pytest.raises(cli.UserError, match='train_gan.py'):
        checkpoints.newest_generator(str(tmp_path / folder))


# -- loading: nothing runs code, nothing non-finite is used ----------------------------

def with_entries(source, target, **extra):
    """A copy of the npz `source` at `target`, with `extra` arrays added."""
    with numpy.load(source, allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    numpy.savez(target, **arrays, **extra)
    return str(target)


def test_a_pickled_entry_is_refused_without_running_it(tmp_path):
    weights = tiny_generator(tmp_path)
    marker = tmp_path / 'code-ran'
    crafted = with_entries(weights, tmp_path / 'gen_iter_8.npz',
                           extra=numpy.array([CreatesAFile(str(marker))], dtype=object))
    with pytest.raises(cli.UserError, match='entry extra holds a pickled Python object') as error:
        checkpoints.load_generator(crafted)
    assert crafted in str(error.value)
    assert not marker.exists()
    with numpy.load(crafted, allow_pickle=True) as npz:    # what a pickle-allowing load does
        npz['extra']
    assert marker.exists()


def test_a_file_that_is_a_pickle_is_refused(tmp_path):
    marker = tmp_path / 'code-ran'
    path = tmp_path / 'gen_iter_9.npz'
    path.write_bytes(pickle.dumps(CreatesAFile(str(marker))))
    with pytest.raises(checkpoints.UnreadableNpz, match='not a complete .npz'):
        checkpoints.load_arrays(str(path))
    assert not marker.exists()


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    # 600 MB of zeros deflate to well under 1 MB: loading it would take the memory first.
    path = tmp_path / 'gen_iter_10.npz'
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as archive:
        with archive.open('dc1/W.npy', 'w', force_zip64=True) as entry:
            numpy.lib.format.write_array_header_1_0(   # a valid array: numpy would read it all
                entry, {'descr': '|u1', 'fortran_order': False, 'shape': (600 << 20,)})
            for _ in range(600):
                entry.write(bytes(1 << 20))
    assert path.stat().st_size < 2 << 20
    with pytest.raises(checkpoints.UnreadableNpz, match='unpacks to 600 MB'):
        checkpoints.load_arrays(str(path))


@pytest.mark.parametrize('bad', [numpy.nan, numpy.inf, -numpy.inf])
def test_non_finite_weights_are_refused_naming_the_parameter(tmp_path, bad):
    weights = tiny_generator(tmp_path)
    with numpy.load(weights) as npz:
        arrays = {key: npz[key] for key in npz.files}
    arrays['dc1/b'] = arrays['dc1/b'].copy()
    arrays['dc1/b'][3] = bad
    numpy.savez(weights, **arrays)
    with pytest.raises(cli.UserError) as error:
        checkpoints.load_generator(weights)
    assert str(error.value) == ('%s: parameter dc1/b holds NaN or infinite values (training '
                                'diverged); use an earlier snapshot' % weights)
