"""--communicator: real `mpiexec -n 2` runs on the CPU (naive communicator), the library
functions in two real MPI processes, and the one-line errors. Without --communicator
mpi4py is never imported."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from script_helpers import (ROOT, assert_ok, assert_one_line_error, command, data_dir_or_fail,
                            run_script, script_env)

# Open MPI refuses root without these; oversubscribe: -n 2 also on a one-core machine.
MPI_ENV = {'OMPI_ALLOW_RUN_AS_ROOT': '1', 'OMPI_ALLOW_RUN_AS_ROOT_CONFIRM': '1',
           'OMPI_MCA_rmaps_base_oversubscribe': '1'}
SMALL_GAN = ['--gpu', -1, '--batchsize', 8, '--n-hidden', 10, '--gen-ch', 16, '--dis-ch', 16,
             '--snapshot-interval', 10, '--preview-interval', 10]


def mpiexec(n, script_or_args, *args, timeout=600):
    """`mpiexec -n N python ROOT/script args` (or python with a list of arguments)."""
    launcher = shutil.which('mpiexec')
    if not launcher:
        pytest.fail('mpiexec is missing: run scripts/install-system-deps.sh (make test does)')
    python = (command(script_or_args, *args) if isinstance(script_or_args, str)
              else [sys.executable] + [str(arg) for arg in script_or_args])
    return subprocess.run([launcher, '-n', str(n)] + python, cwd=ROOT, capture_output=True,
                          text=True, env=script_env(**MPI_ENV), timeout=timeout)


def assert_one_error_line(done, *fragments):
    """mpiexec adds its own banner; of ours there is exactly one line, and no traceback."""
    ours = [line for line in done.stderr.splitlines() if line.startswith('error: ')]
    assert done.returncode == 2, 'rc %d, stderr: %s' % (done.returncode, done.stderr[-3000:])
    assert len(ours) == 1 and 'Traceback' not in done.stderr, done.stderr[-3000:]
    for fragment in fragments:
        assert fragment in ours[0], (fragment, ours[0])


@pytest.fixture(scope='module')
def gan_runs(mnist_dir, tmp_path_factory):
    """A 2-process run of 20 iterations, then the same command with 30: it resumes."""
    out = tmp_path_factory.mktemp('mpi') / 'out'
    args = SMALL_GAN + ['--communicator', 'naive', '--data-dir', data_dir_or_fail(mnist_dir),
                        '--out', out]
    first = mpiexec(2, 'train_gan.py', *args, '--iterations', 20)
    assert_ok(first)
    files_after_first = sorted(os.listdir(out))
    second = mpiexec(2, 'train_gan.py', *args, '--iterations', 30)
    assert_ok(second)
    return out, first, files_after_first, second


def test_two_processes_print_once_and_write_one_set_of_files(gan_runs):
    out, first, files, _ = gan_runs
    header = ('conditional DCGAN | device: @numpy + cpu_kernels | '
              'minibatch: 8 = 2 processes x 4 (naive) | 20 iterations')
    assert first.stdout.startswith(header + '\n') and first.stdout.count('DCGAN') == 1
    assert 'Traceback' not in first.stderr and 'error' not in first.stderr.lower()
    assert files == ['dis_iter_10.npz', 'dis_iter_20.npz', 'gen_ema_iter_10.npz',
                     'gen_ema_iter_20.npz', 'gen_iter_10.npz', 'gen_iter_20.npz',
                     'generator_args.json', 'log', 'loss.png', 'preview', 'preview.png',
                     'snapshot_iter_10', 'snapshot_iter_20']


def test_the_same_command_resumes_every_process(gan_runs):
    out, _, _, second = gan_runs
    resumed = [line for line in second.stdout.splitlines() if line.startswith('resumed')]
    assert resumed == ['resumed from %s at iteration 20' % (out / 'snapshot_iter_20')]
    with open(out / 'log') as f:
        log = json.load(f)
    # One entry per interval: one writer, and both processes stopped at 30 together.
    assert [entry['iteration'] for entry in log] == [10, 20, 30]
    assert sorted(os.listdir(out / 'preview')) == ['image%08d.png' % i for i in (10, 20, 30)]
    assert {'snapshot_iter_20', 'snapshot_iter_30', 'gen_iter_30.npz'} <= set(os.listdir(out))


# Runs in each of two MPI processes; process 0 prints what both saw as JSON.
WORKER = r'''
import argparse, hashlib, json, sys
import digitgan  # noqa: F401  (first: makes chainer importable)
import chainer, numpy
from digitgan.networks import Discriminator, Generator
from digitgan.training import distributed, runs
from digitgan.training.updater import GANUpdater

def build(comm, ids, seed):
    numpy.random.seed(seed)       # differs per process: start_together must align the weights
    gen, dis = Generator(n_hidden=6, ch=8), Discriminator(ch=8)
    data = numpy.random.RandomState(0).rand(40, 1, 28, 28).astype(numpy.float32)
    dataset = chainer.datasets.TupleDataset(data[ids], (ids % 10).astype(numpy.int32))
    iterator = chainer.iterators.SerialIterator(dataset, distributed.process_batchsize(8, comm))
    optimizers = {}
    for name, net in (('gen', gen), ('dis', dis)):
        optimizer = chainer.optimizers.Adam(alpha=1e-3)
        optimizer.setup(net)
        optimizers[name] = distributed.multi_node(optimizer, comm)
    updater = GANUpdater(iterator, optimizers, models=(gen, dis), device='@numpy')
    return chainer.training.Trainer(updater, (3, 'iteration'), out=sys.argv[1]), gen, dis

def digest(*nets):
    sha = hashlib.sha1()
    for net in nets:
        for _, param in sorted(net.namedparams()):
            sha.update(param.array.tobytes())
    return sha.hexdigest()

args = argparse.Namespace(communicator='naive', gpu=-1, batchsize=8, seed=3, resume=None,
                          out=sys.argv[1])
comm = distributed.communicator(args)
ids = distributed.scatter(comm, lambda: numpy.arange(40), args.seed)
ids = numpy.array([ids[i] for i in range(len(ids))])
trainer, gen, dis = build(comm, ids, seed=comm.rank)
distributed.start_together(comm, trainer.updater, args.seed)
z = gen.make_hidden(3)
trainer.run()
if comm.rank == 0:
    chainer.serializers.save_npz(sys.argv[1] + '/snapshot_iter_3', trainer)
comm.mpi_comm.Barrier()
resumed, gen2, dis2 = build(comm, ids, seed=10 + comm.rank)
distributed.resume_everywhere(resumed, args, comm, runs.resume)
report = {'ids': ids.tolist(), 'z': z.tolist(), 'trained': digest(gen, dis),
          'adam_steps': [o.t for o in trainer.updater.get_all_optimizers().values()],
          'resumed': digest(gen2, dis2), 'resumed_at': resumed.updater.iteration}
reports = comm.gather_obj(report)
if comm.rank == 0:
    print(json.dumps(reports))
'''


def test_library_in_two_processes(tmp_path):
    worker = tmp_path / 'worker.py'
    worker.write_text(WORKER)
    done = mpiexec(2, [worker, tmp_path])
    assert_ok(done)
    first, second = json.loads(done.stdout.splitlines()[-1])
    # scatter: disjoint random slices of equal length that cover the data
    assert len(first['ids']) == len(second['ids']) == 20
    assert sorted(first['ids'] + second['ids']) == list(range(40))
    assert first['ids'] != list(range(20))
    # each process draws its own z; gradients are averaged, so the weights stay the same;
    # the first update already trains (3 Adam steps in 3 iterations)
    assert first['z'] != second['z']
    assert first['trained'] == second['trained']
    assert first['adam_steps'] == second['adam_steps'] == [3, 3]
    # both processes load the snapshot process 0 picked (their fresh weights differed)
    assert first['resumed_at'] == second['resumed_at'] == 3
    assert first['resumed'] == second['resumed'] == first['trained']


FAKE_MPI4PY = '''
import os
open(os.environ['MPI4PY_IMPORT_MARK'], 'w').close()
raise ImportError('libmpi.so.40: cannot open shared object file')
'''


@pytest.fixture
def without_mpi4py(tmp_path):
    """Env for run_script where `import mpi4py` leaves a mark and fails, as it does on a
    machine without MPI."""
    (tmp_path / 'mpi4py').mkdir()
    (tmp_path / 'mpi4py' / '__init__.py').write_text(FAKE_MPI4PY)
    return {'PYTHONPATH': str(tmp_path), 'MPI4PY_IMPORT_MARK': str(tmp_path / 'imported')}


@pytest.mark.parametrize('script, extra', [
    ('train_gan.py', SMALL_GAN + ['--ema', 0]),
    ('train_recognizer.py', ['--gpu', -1, '--batchsize', 4, '--test-limit', 50])])
def test_without_communicator_mpi4py_is_not_imported(script, extra, without_mpi4py, tmp_path,
                                                     mnist_dir):
    done = run_script(script, *extra, '--iterations', 1, '--out', tmp_path / 'out',
                      '--data-dir', data_dir_or_fail(mnist_dir), env=without_mpi4py)
    assert_ok(done)
    assert not os.path.exists(without_mpi4py['MPI4PY_IMPORT_MARK'])
    assert 'processes' not in done.stdout.splitlines()[0]


def test_communicator_without_mpi4py_is_one_line(without_mpi4py, tmp_path):
    done = run_script('train_gan.py', '--communicator', 'naive', '--out', tmp_path,
                      env=without_mpi4py)
    assert_one_line_error(done, '--communicator needs MPI and mpi4py', 'libmpi.so.40',
                          'apt install openmpi-bin')
    assert os.path.exists(without_mpi4py['MPI4PY_IMPORT_MARK'])


@pytest.mark.parametrize('script', ['train_gan.py', 'train_recognizer.py'])
def test_unknown_communicator_name(script, tmp_path):
    done = run_script(script, '--communicator', 'nccl', '--out', tmp_path)
    assert_one_line_error(done, "--communicator: invalid choice: 'nccl'", 'pure_nccl')


def test_gpu_communicator_on_the_cpu(tmp_path):
    done = run_script('train_recognizer.py', '--gpu', -1, '--communicator', 'pure_nccl',
                      '--out', tmp_path)
    assert_one_line_error(done, '--communicator pure_nccl runs on GPUs', '--gpu 0',
                          'naive on the CPU')


def test_one_process_with_a_communicator_trains(tmp_path, mnist_dir):
    """Started without mpiexec: MPI's singleton mode, world size 1 (a single GPU with
    pure_nccl is this case); it behaves as a normal run."""
    out = tmp_path / 'out'
    done = run_script('train_recognizer.py', '--gpu', -1, '--communicator', 'naive',
                      '--batchsize', 4, '--iterations', 2, '--test-limit', 50, '--out', out,
                      '--data-dir', data_dir_or_fail(mnist_dir), env=MPI_ENV)
    assert_ok(done)
    assert 'minibatch: 4 = 1 process x 4 (naive)' in done.stdout.splitlines()[0]
    assert 'recogniser.npz' in os.listdir(out)


def test_mpiexec_without_communicator_is_refused_once(tmp_path):
    done = mpiexec(2, 'train_recognizer.py', '--gpu', -1, '--out', tmp_path)
    assert_one_error_line(done, 'started as 2 processes', 'without --communicator')
    assert not os.listdir(tmp_path)


def test_batch_not_divisible_by_the_processes(tmp_path):
    done = mpiexec(2, 'train_recognizer.py', '--gpu', -1, '--communicator', 'naive',
                   '--batchsize', 5, '--out', tmp_path)
    assert_one_error_line(done, '--batchsize 5', 'multiple of 2')


def test_a_bad_snapshot_stops_both_processes_with_one_line(tmp_path, mnist_dir):
    """Process 0 alone reads it first; the other, waiting for it, is ended, not left hanging."""
    bad = tmp_path / 'snapshot_iter_5'
    bad.write_bytes(b'not a snapshot')
    done = mpiexec(2, 'train_recognizer.py', '--gpu', -1, '--communicator', 'naive',
                   '--batchsize', 4, '--iterations', 2, '--out', tmp_path,
                   '--data-dir', data_dir_or_fail(mnist_dir), timeout=120)
    assert_one_error_line(done, 'cannot resume from %s' % bad, 'corrupt')


# distributed.run in two processes: `own` fails in process 1 alone while process 0 waits for
# it in a collective; `shared` fails in both, process 0 later than process 1.
ERRORS = r'''
import sys, time
import digitgan  # noqa: F401
from digitgan import cli
from digitgan.training import distributed

def main():
    from mpi4py import MPI
    rank = MPI.COMM_WORLD.Get_rank()
    if sys.argv[1] == 'own' and rank == 1:
        raise distributed.ProcessError('cannot read snapshot_iter_5')
    if sys.argv[1] == 'shared':
        time.sleep(2 if rank == 0 else 0)
        raise cli.UserError('--batchsize 5 is not a multiple of 2')
    MPI.COMM_WORLD.Barrier()

distributed.run(main)
'''


@pytest.mark.parametrize('case, line', [
    ('own', 'error: process 1: cannot read snapshot_iter_5'),
    ('shared', 'error: --batchsize 5 is not a multiple of 2')])
def test_an_error_is_printed_once_and_ends_every_process(case, line, tmp_path):
    script = tmp_path / 'errors.py'
    script.write_text(ERRORS)
    done = mpiexec(2, [script, case], timeout=120)   # a process left hanging would fail
    assert_one_error_line(done)
    assert line in done.stderr.splitlines()


# ---- the default on a CPU with two cores or more: two processes, started by the script ----

def cpu_args(*argv):
    from digitgan import cli
    from digitgan.training import cpu_processes, distributed
    parser = cli.ArgumentParser()
    cli.add_training_arguments(parser, out='out', epoch=1, batchsize=100)
    distributed.add_arguments(parser)
    cpu_processes.add_arguments(parser)
    args = parser.parse_args([str(a) for a in argv])
    distributed.check_arguments(args)
    cpu_processes.check_arguments(args)
    return args


def test_how_many_cpu_processes(monkeypatch):
    from digitgan.training import cpu_processes
    monkeypatch.delenv(cpu_processes.PROCESSES_VARIABLE, raising=False)
    for name in ('OMPI_COMM_WORLD_SIZE', 'PMI_SIZE'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(cpu_processes, 'mpi_installed', lambda: True)
    monkeypatch.setattr(cpu_processes, 'available_cores', lambda: 2)
    assert cpu_processes.count(cpu_args()) == 2
    assert cpu_processes.count(cpu_args('--batchsize', 99)) == 1      # not divisible
    assert cpu_processes.count(cpu_args('--processes', 1)) == 1
    assert cpu_processes.count(cpu_args('--processes', 3)) == 3
    assert cpu_processes.count(cpu_args('--gpu', 0)) == 1
    assert cpu_processes.count(cpu_args('--communicator', 'naive')) == 1
    monkeypatch.setenv(cpu_processes.PROCESSES_VARIABLE, '1')
    assert cpu_processes.count(cpu_args()) == 1
    monkeypatch.delenv(cpu_processes.PROCESSES_VARIABLE)
    monkeypatch.setattr(cpu_processes, 'available_cores', lambda: 1)
    assert cpu_processes.count(cpu_args()) == 1
    monkeypatch.setattr(cpu_processes, 'available_cores', lambda: 8)
    assert cpu_processes.count(cpu_args()) == 2          # the default stays 2
    monkeypatch.setattr(cpu_processes, 'mpi_installed', lambda: False)
    assert cpu_processes.count(cpu_args()) == 1          # no MPI: one process


@pytest.mark.parametrize('flags, fragment', [
    (['--processes', 0], '--processes must be 1 or more'),
    (['--processes', 2, '--communicator', 'naive'], 'mpiexec -n sets the number'),
    (['--processes', 2, '--batchsize', 9], 'make it a multiple of 2'),
])
def test_processes_mistakes_are_one_line(flags, fragment, tmp_path):
    done = run_script('train_gan.py', '--gpu', -1, '--iterations', 1, '--out', tmp_path,
                      *flags)
    assert_one_line_error(done, fragment)


def two_cores_or_skip():
    from digitgan.training import cpu_processes
    if cpu_processes.available_cores() < 2:
        pytest.skip('this machine gives the tests one core: the default stays one process')


DEFAULT_ENV = {'DIGITGAN_CPU_PROCESSES': ''}    # unset: the scripts' own default


def test_a_cpu_run_uses_both_cores_by_default(mnist_dir, tmp_path):
    two_cores_or_skip()
    out = tmp_path / 'out'
    done = run_script('train_gan.py', *SMALL_GAN, '--iterations', 12, '--data-dir',
                      data_dir_or_fail(mnist_dir), '--out', out, env=DEFAULT_ENV)
    assert_ok(done)
    assert done.stdout.startswith('conditional DCGAN | device: @numpy + cpu_kernels | '
                                  'minibatch: 8 = 2 processes x 4 (naive) | 12 iterations')
    assert done.stderr.strip() == '', done.stderr[-2000:]       # no MPI banner
    assert sorted(f for f in os.listdir(out) if f.endswith('.npz')) == [
        'dis_iter_10.npz', 'dis_iter_12.npz', 'gen_ema_iter_10.npz', 'gen_ema_iter_12.npz',
        'gen_iter_10.npz', 'gen_iter_12.npz']
    # The same command resumes; one process cannot (each process had half of the data),
    # and says how to.
    again = run_script('train_gan.py', *SMALL_GAN, '--iterations', 14, '--data-dir',
                       data_dir_or_fail(mnist_dir), '--out', out, env=DEFAULT_ENV)
    assert_ok(again)
    assert 'resumed from %s at iteration 12' % os.path.join(out, 'snapshot_iter_12') \
        in again.stdout
    alone = run_script('train_gan.py', *SMALL_GAN, '--iterations', 16, '--processes', 1,
                       '--data-dir', data_dir_or_fail(mnist_dir), '--out', out,
                       env=DEFAULT_ENV)
    assert_one_line_error(alone, 'written by a run of 2 processes', '--processes 2')
    fresh = run_script('train_gan.py', *SMALL_GAN, '--iterations', 2, '--processes', 1,
                       '--data-dir', data_dir_or_fail(mnist_dir), '--out', tmp_path / 'one',
                       env=DEFAULT_ENV)
    assert_ok(fresh)
    assert 'minibatch: 8 | 2 iterations' in fresh.stdout.splitlines()[0]


def test_processes_flag_starts_that_many(mnist_dir, tmp_path):
    """--processes 2 given by hand (not only the default) reaches mpiexec, not the processes
    it starts (they get --communicator, which refuses --processes beside it)."""
    from digitgan.training.cpu_processes import without_processes_flag
    assert without_processes_flag(['--processes', '2', '-i', '3', '--processes=2']) == ['-i', '3']
    two_cores_or_skip()
    done = run_script('train_gan.py', *SMALL_GAN, '--iterations', 2, '--processes', 2,
                      '--data-dir', data_dir_or_fail(mnist_dir), '--out', tmp_path / 'out')
    assert_ok(done)
    assert 'minibatch: 8 = 2 processes x 4 (naive) | 2 iterations' in done.stdout


def test_ctrl_c_stops_both_processes_with_a_snapshot(mnist_dir, tmp_path):
    """Ctrl-C reaches the script that started mpiexec: both processes stop after the same
    iteration, process 0 writes a snapshot, and the same command resumes from it."""
    import re
    import signal
    from digitgan.training import runs
    from script_helpers import start_script, wait_for
    two_cores_or_skip()
    out = str(tmp_path / 'out')
    args = SMALL_GAN + ['--iterations', 100000, '--data-dir', data_dir_or_fail(mnist_dir),
                        '--out', out]
    process = start_script('train_gan.py', *args, env=DEFAULT_ENV)
    wait_for(lambda: runs.newest_snapshot(out), process, what='the first snapshot')
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr[-3000:]
    assert 'Traceback' not in stderr and 'MPI_ABORT' not in stderr, stderr[-3000:]
    assert stderr.count('Ctrl-C: stopping after this iteration') == 1, stderr
    match = re.search(r'interrupted at iteration (\d+); snapshot saved', stdout)
    assert match, stdout[-2000:]
    k = int(match.group(1))
    assert runs.newest_snapshot(out) == os.path.join(out, 'snapshot_iter_%d' % k)
    assert not [f for f in os.listdir(out) if f.startswith('tmp')]   # nothing half-written
    done = run_script('train_gan.py', *SMALL_GAN, '--iterations', k + 2, '--data-dir',
                      data_dir_or_fail(mnist_dir), '--out', out, env=DEFAULT_ENV)
    assert_ok(done)
    assert 'resumed from %s at iteration %d' % (
        os.path.join(out, 'snapshot_iter_%d' % k), k) in done.stdout


def test_encoder_trains_in_two_processes(mnist_dir, tmp_path):
    """train_encoder.py by default on two cores: two processes, one set of files."""
    two_cores_or_skip()
    out = tmp_path / 'encoder'
    done = run_script('train_encoder.py', '--iterations', 4, '--batchsize', 8,
                      '--snapshot-interval', 2, '--data-dir', data_dir_or_fail(mnist_dir),
                      '--out', out, env=DEFAULT_ENV)
    assert_ok(done)
    assert 'minibatch: 8 = 2 processes x 4 (naive) | 4 iterations' in done.stdout.splitlines()[0]
    with open(out / 'log') as f:
        assert [entry['iteration'] for entry in json.load(f)] == [2, 4]
    assert {'encoder.npz', 'encoder_args.json', 'preview.png'} <= set(os.listdir(out))
