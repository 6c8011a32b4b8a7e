"""checkpoints.py: which gen_iter_<N>.npz is the newest. Loading and its error messages are
tested through the scripts (test_2pack.py, test_generate.py, test_recognize.py, ...)."""
import pytest

from digitgan import checkpoints
from digitgan import cli


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
