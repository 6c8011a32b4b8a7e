"""What every command-line script shares: one-line errors, atomic writes, devices, flags.

A user mistake raises `UserError`; `run(main)` prints it as one line on stderr and exits 2,
so no traceback ever reaches a user for something they can fix. Ctrl-C exits 130, and a
closed output pipe (`| head`) 141, both without a traceback.
"""
import argparse
import contextlib
import errno
import json
import os
import signal
import sys
import tempfile


class UserError(Exception):
    """A problem the user can fix; its message says how."""


def run(main):
    try:
        main()
        sys.stdout.flush()  # a reader that went away shows here, not at interpreter exit
    except UserError as error:
        message = ' '.join(str(error).split())  # one line, whatever the message holds
        print('error: %s' % message, file=sys.stderr, flush=True)
        sys.exit(2)
    except KeyboardInterrupt:
        print('interrupted', file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        # The reader closed the pipe (`python evaluate.py | head`): stop quietly with the
        # status of a tool killed by SIGPIPE. stdout goes to devnull so that Python's own
        # flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(128 + signal.SIGPIPE)


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a bad flag is a UserError: one line, not usage text plus a message."""

    def error(self, message):
        raise UserError('%s (see %s --help)' % (message, self.prog))


def _read_umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _read_umask()  # read once: os.umask can only be read by setting it
# A full disk or quota: the user can make room and run again.
DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary name beside `path`; on success rename it to `path`, else delete it.
    Readers therefore see the old file or the new one, never half of one. A full disk is a
    UserError (the old file, if any, is still whole)."""
    folder = os.path.dirname(os.path.abspath(path))
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix='.' + os.path.basename(path) + '.',
                                   suffix='.tmp')
        os.close(fd)
        # mkstemp makes the file private (0600); give it the mode open() would have.
        os.chmod(tmp, 0o666 & ~UMASK)
        yield tmp
        os.replace(tmp, path)
    except BaseException as error:
        if tmp:
            with contextlib.suppress(OSError):
                os.remove(tmp)
        if isinstance(error, OSError) and error.errno in DISK_FULL:
            raise UserError('cannot write %s (%s); %s: make room and run again' % (
                path, error.strerror, 'the file there before is unchanged'
                if os.path.exists(path) else 'nothing was written')) from error
        raise


def write_json(path, data):
    with atomic_path(path) as tmp:
        with open(tmp, 'w') as f:
            json.dump(data, f, indent=2)
            f.write('\n')


def read_json(path, what):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as error:
        raise UserError('cannot read %s %s (%s)' % (what, path, error.strerror))
    except ValueError:
        raise UserError('%s %s is not valid JSON' % (what, path))


SEED_LIMIT = 2 ** 32        # NumPy's RandomState takes seeds from 0 to 2**32 - 1
MNIST_TRAIN_SIZE = 60000    # a larger minibatch than the training set cannot be drawn


def check_seed(seed):
    """--seed within what NumPy's random generators accept (None: a fresh draw)."""
    if seed is not None and not 0 <= seed < SEED_LIMIT:
        raise UserError('--seed must be from 0 to %d (NumPy takes 32-bit seeds), not %d'
                        % (SEED_LIMIT - 1, seed))


def writable_file(path, flag, example):
    """Prove before any work is done that `flag`'s file `path` can be written: a name that
    is not a folder, in a folder that exists and accepts a new file (atomic_path writes a
    temporary file there and renames it). `example`: a file name to suggest."""
    if not path:
        raise UserError('%s needs a file name, not an empty string' % flag)
    if os.path.isdir(path):
        raise UserError('%s %s is a folder; give a file name, such as %s'
                        % (flag, path, os.path.join(path, example)))
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UserError('cannot write %s %s: %s' % (
            flag, path, '%s is a file, not a folder' % folder if os.path.exists(folder)
            else 'no such folder %s' % folder))
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise UserError('cannot write %s %s: its folder %s is not writable (%s)'
                        % (flag, path, folder, error.strerror))
    return path


def writable_folder(path):
    """Create `path` if needed and prove it is writable, before any work is done."""
    if not path:
        raise UserError('--out needs a folder name, not an empty string')
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        raise UserError('output folder %s is not writable (%s); choose another with --out'
                        % (path, error.strerror))
    return path


def get_device(gpu):
    """chainer device for --gpu N: -1 is the CPU, N >= 0 is CUDA device N through CuPy."""
    import chainer
    if gpu < 0:
        return chainer.get_device('@numpy')
    import importlib.util
    from chainer.backends import cuda
    if not cuda.available:
        if importlib.util.find_spec('cupy') is None:
            raise UserError('--gpu %d needs CuPy with a working CUDA (pip install cupy-cuda12x '
                            'or cupy-cuda13x, matching your driver); use --gpu -1 to run on '
                            'the CPU' % gpu)
        # Installed, but chainer could not import what it needs from it.
        raise UserError('--gpu %d: CuPy is installed but chainer cannot use it (%s); use '
                        '--gpu -1 for the CPU' % (gpu, getattr(cuda, '_resolution_error', '?')))
    try:
        count = cuda.cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # CuPy raises its own CUDA errors here
        raise UserError('--gpu %d: CUDA is not usable (%s); use --gpu -1 for the CPU'
                        % (gpu, error))
    if gpu >= count:
        raise UserError('--gpu %d: this machine has %d CUDA device(s)' % (gpu, count))
    device = chainer.get_device('@cupy:%d' % gpu)
    device.use()
    return device


def add_training_arguments(parser, out, epoch, batchsize):
    """The flags the training scripts share (their data: data/sources.py)."""
    parser.add_argument('--gpu', '-g', type=int, default=-1,
                        help='CUDA device (needs CuPy); -1 runs on the CPU (default)')
    parser.add_argument('--epoch', '-e', type=int, default=epoch,
                        help='epochs to train (default %(default)s)')
    parser.add_argument('--iterations', '-i', type=int, default=None,
                        help='stop after this many iterations instead (smoke runs, tests)')
    parser.add_argument('--batchsize', '-b', type=int, default=batchsize,
                        help='images per minibatch (default %(default)s)')
    parser.add_argument('--out', '-o', default=out,
                        help='folder for logs, plots, snapshots (default %(default)s)')
    parser.add_argument('--resume', '-r', default=None,
                        help='trainer snapshot to resume from (the newest snapshot in --out '
                             'is resumed automatically)')
    parser.add_argument('--seed', type=int, default=0, help='random seed (default 0)')
    parser.add_argument('--snapshot-interval', type=int, default=1000,
                        help='iterations between snapshots (default %(default)s)')
    from digitgan.data import sources     # here: data/ imports this module
    sources.add_arguments(parser)


def add_data_dir_argument(parser):
    parser.add_argument('--data-dir', default=None,
                        help='folder with the four MNIST *-ubyte.gz files (default: '
                             '$MNIST_DATA_DIR, else download to ~/.cache/dcgan-mnist)')


def check_training_arguments(args):
    for name in ('epoch', 'batchsize', 'snapshot_interval'):
        if getattr(args, name) <= 0:
            raise UserError('--%s must be a positive integer' % name.replace('_', '-'))
    if args.batchsize > MNIST_TRAIN_SIZE:
        raise UserError('--batchsize must be at most %d, the number of MNIST training '
                        'digits, not %d' % (MNIST_TRAIN_SIZE, args.batchsize))
    check_seed(args.seed)
    if args.iterations is not None and args.iterations <= 0:
        raise UserError('--iterations must be a positive integer')
    if args.resume is not None and not os.path.isfile(args.resume):
        raise UserError('--resume %s: %s' % (
            args.resume, 'is a folder, not a snapshot file' if os.path.isdir(args.resume)
            else 'no such file'))
