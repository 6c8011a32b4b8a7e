"""generate.py --like with the shipped generator, encoder and recogniser: the npz and PNG
contract, --label and --digit, files without a digit, and one-line errors."""
import numpy
import pytest
from PIL import Image

from digitgan import checkpoints
from digitgan.data.catalog import load_mnist
from digitgan.generation.sampling import digit_grid, save_png
from digitgan.recognition.digit_files import recognise
from script_helpers import assert_one_line_error, run_script, tiny_generator


@pytest.fixture(scope='module')
def digit_files(tmp_path_factory, mnist_dir):
    """Four MNIST test digits as PNG files, dark ink on white at 4x, with their labels."""
    folder = tmp_path_factory.mktemp('like')
    images, labels = load_mnist('test', mnist_dir)
    paths = []
    for i in range(4):
        path = folder / ('digit%d.png' % i)
        save_png(digit_grid(images[i:i + 1], 1, 1), str(path), scale=4)
        paths.append(path)
    blank = folder / 'blank.png'
    Image.new('L', (60, 60), 255).save(blank)
    text = folder / 'notes.txt'
    text.write_text('not an image')
    return paths, labels[:4], blank, text


def test_npz_and_png_contract(digit_files, tmp_path):
    paths, labels, blank, text = digit_files
    done = run_script('generate.py', '--like', paths[0], text, paths[1], blank,
                      '--npz', tmp_path / 'like.npz', '--out', tmp_path / 'like.png')
    assert done.returncode == 1                 # two files had no digit: said, not fatal
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 2 and errors[0].startswith('error: %s: not an image' % text)
    assert errors[1] == 'error: %s: no digit found' % blank
    assert 'read as %d' % labels[0] in done.stdout
    with numpy.load(tmp_path / 'like.npz') as data:
        images, shown, source = data['images'], data['labels'], data['source']
    assert images.shape == (20, 28, 28) and images.dtype == numpy.float32
    assert 0 <= images.min() and images.max() <= 1
    assert shown.dtype == numpy.int64 and list(shown) == list(range(10)) * 2
    assert source.dtype == numpy.int64 and list(source) == [0] * 10 + [2] * 10
    with Image.open(tmp_path / 'like.png') as sheet:     # each input, a gap, its ten digits
        assert sheet.size == (11 * 28 + 4, 2 * 28)


def test_outputs_read_as_the_digit_asked_for(digit_files, tmp_path):
    paths, labels, blank, text = digit_files
    done = run_script('generate.py', '--like', *paths, '--npz', tmp_path / 'like.npz')
    assert done.returncode == 0, done.stderr
    with numpy.load(tmp_path / 'like.npz') as data:
        read, _ = recognise(checkpoints.load_recogniser(), data['images'])
        assert numpy.mean(read == data['labels']) >= 0.95, (read, data['labels'])


def test_label_and_single_digit(digit_files, tmp_path):
    paths, labels, blank, text = digit_files
    done = run_script('generate.py', '--like', paths[0], paths[1], '--label', 3, 8,
                      '--digit', 5, '--npz', tmp_path / 'five.npz')
    assert done.returncode == 0, done.stderr
    assert 'read as' not in done.stdout          # the labels were given
    with numpy.load(tmp_path / 'five.npz') as data:
        assert data['images'].shape == (2, 28, 28)
        assert list(data['labels']) == [5, 5] and list(data['source']) == [0, 1]


def test_no_digit_anywhere_writes_nothing(digit_files, tmp_path):
    paths, labels, blank, text = digit_files
    done = run_script('generate.py', '--like', blank, text, '--npz', tmp_path / 'x.npz')
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == \
        'error: no digit in any --like file, nothing written'
    assert not (tmp_path / 'x.npz').exists()


@pytest.mark.parametrize('args, message', [
    (['--label', '3'], '--label goes with --like'),
    (['--like', 'a.png', 'b.png', '--label', '1', '2', '3'], 'one digit for all files or one'),
    (['--like', 'a.png', '--label', '12'], '--label must be digits 0-9'),
    (['--like', 'a.png', '--encoder', 'missing.npz'], 'missing.npz'),
    (['--like', 'a.png', '--n', '5'], '--n and --per-digit do not go with --like'),
])
def test_errors_are_one_line(tmp_path, args, message):
    done = run_script('generate.py', *args, cwd=tmp_path)
    assert_one_line_error(done, message)


def test_encoder_of_another_generator_is_refused(digit_files, tmp_path):
    paths, labels, blank, text = digit_files
    done = run_script('generate.py', '--like', paths[0], '--generator',
                      tiny_generator(tmp_path), '--out', tmp_path / 'x.png')
    assert_one_line_error(done, 'was trained against another generator')
    assert not (tmp_path / 'x.png').exists()
