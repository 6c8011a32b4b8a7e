"""Data-parallel training over several processes with ChainerMN (--communicator NAME).

    mpiexec -n 2 python train_gan.py --gpu -1 --communicator naive       # CPU
    mpiexec -n 8 python train_gan.py --gpu 0 --communicator pure_nccl    # one GPU per process

Each process trains the same networks on its own random slice of MNIST with --batchsize / N
images per iteration; the multi-node optimizers average the gradients, so every process
keeps the same weights and one iteration sees --batchsize images in all. Process 0 loads
MNIST, prints, and writes every file; the others only compute.

The scripts use it like this; without --communicator every call returns the single-process
value and mpi4py is never imported:

    distributed.add_arguments(parser); distributed.check_arguments(args)
    comm = distributed.communicator(args)                  # None without --communicator
    train = distributed.scatter(comm, load_dataset, args.seed)
    optimizer = distributed.multi_node(optimizer, comm)
    writer = distributed.writer(trainer, comm)             # writer.extend: process 0 only
    distributed.run(main)                                  # instead of cli.run(main)
"""
import argparse
import os
import sys
import time

import numpy
from chainer.training.extension import Extension, PRIORITY_EDITOR

from digitgan import cli
from digitgan.data.dataset_slices import scatter  # noqa: F401  (distributed.scatter)

GPU_ONLY = ('pure_nccl', 'flat', 'non_cuda_aware')
COMMUNICATORS = ('naive',) + GPU_ONLY
# How long a process other than 0 waits before it reports an error that every process
# may share (most checks run in each): process 0 meets it too, reports it and ends the job
# meanwhile, so it is printed once. Only an error of that process alone waits this long.
SHARED_ERROR_WAIT = 30.0


class ProcessError(cli.UserError):
    """A user error of this process alone (the files it sees): reported at once."""


def add_arguments(parser):
    parser.add_argument('--communicator', choices=COMMUNICATORS, default=None, metavar='NAME',
                        help='train in every process started by mpiexec -n N, each on 1/N of '
                             'the data and of --batchsize: naive (CPU), pure_nccl (GPUs, '
                             'NCCL; --gpu G gives process r on a node GPU G+r), '
                             'non_cuda_aware (GPUs, NCCL in a node), flat (GPUs, CUDA-aware '
                             'MPI). Default: one process, no MPI')



def launcher_world():
    """(rank, size) that mpiexec gave this process, read from the environment that Open MPI
    or MPICH/Hydra sets, without starting MPI; (0, 1) when not started by a launcher."""
    for rank_variable, size_variable in (('OMPI_COMM_WORLD_RANK', 'OMPI_COMM_WORLD_SIZE'),
                                         ('PMI_RANK', 'PMI_SIZE')):
        if size_variable in os.environ:
            return int(os.environ.get(rank_variable, 0)), int(os.environ[size_variable])
    return 0, 1


def check_arguments(args):
    size = launcher_world()[1]
    if size > 1 and not args.communicator:
        raise cli.UserError('started as %d processes (mpiexec) but without --communicator: each '
                            'would train alone and overwrite the others\' files; add '
                            '--communicator naive (CPU) or pure_nccl (GPUs)' % size)
    if args.communicator in GPU_ONLY and args.gpu < 0:
        raise cli.UserError('--communicator %s runs on GPUs: give --gpu 0 (process r on a node '
                            'then uses GPU r), or use --communicator naive on the CPU'
                            % args.communicator)


def communicator(args):
    """The ChainerMN communicator for --communicator, or None without one. Several processes
    need --batchsize divisible by their number; processes other than 0 print nothing."""
    if not args.communicator:
        return None
    if args.gpu >= 0:
        cli.get_device(args.gpu)   # CuPy and CUDA work: its error is clearer than NCCL's
    try:
        from mpi4py import MPI     # starts MPI
    except (ImportError, RuntimeError) as error:
        raise cli.UserError('--communicator needs MPI and mpi4py (%s): apt install openmpi-bin '
                            'libopenmpi-dev, then pip install mpi4py (make setup does both), '
                            'or leave out --communicator' % error)
    import chainermn
    try:
        comm = chainermn.create_communicator(args.communicator, MPI.COMM_WORLD)
    except (ImportError, RuntimeError) as error:
        raise cli.UserError('--communicator %s cannot start (%s); pure_nccl needs NCCL 2 for '
                            'CuPy (such as pip install nvidia-nccl-cu12), naive needs nothing'
                            % (args.communicator, error))
    if args.batchsize % comm.size:
        raise cli.UserError('--batchsize %d is the batch of all %d processes together: make it '
                            'a multiple of %d' % (args.batchsize, comm.size, comm.size))
    if comm.rank != 0:
        # Process 0 speaks for the run; the others would repeat its every line.
        sys.stdout = open(os.devnull, 'w')
    return comm


def is_writer(comm):
    """True in the process that prints and writes files: the only one, or process 0."""
    return comm is None or comm.rank == 0


def world_size(comm):
    return 1 if comm is None else comm.size


def process_batchsize(batchsize, comm):
    return batchsize if comm is None else batchsize // comm.size


def describe(comm, args):
    """' = N processes x B (NAME)' after the minibatch in the run header; '' without MPI."""
    if comm is None:
        return ''
    return ' = %d process%s x %d (%s)' % (comm.size, 'es' if comm.size > 1 else '',
                                          process_batchsize(args.batchsize, comm),
                                          args.communicator)


def process_device(gpu, comm):
    """The device of this process: the CPU for --gpu -1; with a communicator, GPU
    gpu + (this process's rank on its node), so that processes on a node share no GPU."""
    if comm is None or gpu < 0:
        return cli.get_device(gpu)
    from chainer.backends import cuda
    count = cuda.cupy.cuda.runtime.getDeviceCount()
    if gpu + comm.intra_size > count:   # the same in every process of this node
        raise cli.UserError('%d processes on this node need GPUs %d to %d (--gpu %d plus each '
                            "process's rank on the node) but it has %d: start fewer processes "
                            'per node or lower --gpu' % (comm.intra_size, gpu,
                                                         gpu + comm.intra_size - 1, gpu, count))
    return cli.get_device(gpu + comm.intra_rank)


def multi_node(optimizer, comm):
    """An optimizer whose update() first averages the gradients of all processes."""
    if comm is None:
        return optimizer
    import chainermn
    return chainermn.create_multi_node_optimizer(optimizer, comm)


def multi_node_evaluator(evaluator, comm):
    """An Evaluator (run by every process on its slice) reporting the mean over processes."""
    if comm is None:
        return evaluator
    import chainermn
    return chainermn.create_multi_node_evaluator(evaluator, comm)


class _AverageOverProcesses(Extension):
    """Every iteration, before the log reads them: each of `keys` that was reported becomes
    its mean over the processes (one allreduce for all of them). ChainerMN's own
    ObservationAggregator needs ChainerX for Variables, which this chainer lacks."""

    trigger = 1, 'iteration'
    priority = PRIORITY_EDITOR     # after the update, before LogReport (a reader)

    def __init__(self, comm, keys):
        self.comm = comm
        self.keys = keys

    def __call__(self, trainer):
        # The same keys are reported in every process: they run the same code.
        present = [key for key in self.keys if key in trainer.observation]
        values = [trainer.observation[key] for key in present]
        local = numpy.array([float(getattr(value, 'array', value)) for value in values])
        for key, mean in zip(present, self.comm.allreduce_obj(local) / self.comm.size):
            trainer.observation[key] = float(mean)


def average_reports(trainer, comm, keys):
    """Reported values (losses, accuracy) become their mean over the processes before the
    log reads them, so the log describes the whole batch, not process 0's share."""
    if comm is not None:
        trainer.extend(_AverageOverProcesses(comm, keys), name='average_over_processes')


class _NoFiles:
    """What writer() gives the processes that write no files: extend() adds nothing."""

    def __init__(self, trainer):
        self.trainer = trainer

    def extend(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        return getattr(self.trainer, name)


def writer(trainer, comm):
    """`trainer` in the process that writes files; elsewhere an object whose extend() adds
    nothing. Extensions that write logs, previews, weights or snapshots go through it."""
    return trainer if is_writer(comm) else _NoFiles(trainer)


def resume_everywhere(trainer, args, comm, resume):
    """resume(trainer, args) in process 0, which picks the snapshot as a single process
    would (and alone reports a bad one); then every other process loads the file it loaded,
    so all start from the same weights and iteration."""
    if comm.rank == 0:
        comm.bcast_obj([resume(trainer, args)])   # in a list: bcast_obj refuses None
        return
    path, = comm.bcast_obj(None)
    if path:
        try:
            resume(trainer, argparse.Namespace(**dict(vars(args), resume=path)))
        except cli.UserError as error:   # process 0 read it: this node sees another --out
            raise ProcessError(str(error))


def start_together(comm, updater, seed):
    """Just before training: process 0's weights to every process (they already agree: same
    --seed, same snapshot; this guarantees it), and each process its own random stream for z
    and shuffling. Each multi-node optimizer is told the broadcast is done, or its first
    update() would spend the iteration broadcasting instead of training."""
    if comm is None:
        return
    for optimizer in updater.get_all_optimizers().values():
        comm.bcast_data(optimizer.target)
        optimizer.is_changed(optimizer.target)   # records the parameters it has synchronised
    if comm.rank != 0:   # process 0 goes on with --seed's stream
        process_seed = int(numpy.random.SeedSequence(seed, spawn_key=(comm.rank,))
                           .generate_state(1)[0])
        numpy.random.seed(process_seed)
        xp = next(iter(updater.get_all_optimizers().values())).target.xp
        if xp is not numpy:
            xp.random.seed(process_seed)


def _errors_left_to_process_zero(main, rank):
    """main() for process `rank` > 0: its user errors are printed with its number, those
    that every process may share only if process 0 has not ended the job first."""
    def main_of_other_process():
        try:
            main()
        except cli.UserError as error:
            if not isinstance(error, ProcessError):
                time.sleep(SHARED_ERROR_WAIT)
            raise cli.UserError('process %d: %s' % (rank, error))
    return main_of_other_process


def _mpi_with_others():
    """mpi4py.MPI when MPI is running with other processes, else None (mpi4py unimported)."""
    MPI = sys.modules.get('mpi4py.MPI')
    if MPI is None or not MPI.Is_initialized() or MPI.Is_finalized():
        return None
    return MPI if MPI.COMM_WORLD.Get_size() > 1 else None


def _abort_all_processes(status):
    """A process that just exits would leave the others waiting for it for ever inside a
    collective operation: MPI_Abort ends them all, with this exit status."""
    MPI = _mpi_with_others()
    if MPI is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        MPI.COMM_WORLD.Abort(status)


def run(main):
    """cli.run(main) for a script that may be one of several MPI processes: a user error is
    printed once (by process 0, or by the process that alone had it, with its number) and a
    failing process ends all of them. Without MPI this is cli.run(main)."""
    rank = launcher_world()[0]
    try:
        cli.run(main if rank == 0 else _errors_left_to_process_zero(main, rank))
    except SystemExit as stop:
        if stop.code not in (None, 0):
            _abort_all_processes(stop.code if isinstance(stop.code, int) else 1)
        raise
    except BaseException:
        if _mpi_with_others() is not None:
            import traceback
            traceback.print_exc()
            _abort_all_processes(1)
        raise
