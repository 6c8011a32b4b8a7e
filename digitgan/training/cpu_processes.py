"""Both cores of a CPU: a training command starts itself again as N processes under mpiexec.

    cpu_processes.add_arguments(parser)          # --processes N
    cpu_processes.check_arguments(args)
    status = cpu_processes.spread_over_cores(args, argv)
    if status is not None:                       # the job ran (or was stopped) under mpiexec
        raise SystemExit(status)

A Chainer process keeps about one core busy: most of its NumPy work is single-threaded and
bound by memory, so a second BLAS thread gives 1.1-1.3x, and a second process, each with
half of every batch and the gradients averaged (distributed.py, --communicator naive), 1.9x
the images per second (bench/train_bench.py). So on the CPU, with 2 or more cores and MPI
installed, a run is two processes unless --processes or DIGITGAN_CPU_PROCESSES says
otherwise. Ctrl-C stays Ctrl-C: see spread_over_cores.
"""
import importlib.util
import os
import shutil
import signal
import subprocess
import sys

from digitgan import cli
from digitgan.training import distributed

# The default number of CPU processes can be set here (1: always one process).
PROCESSES_VARIABLE = 'DIGITGAN_CPU_PROCESSES'
DEFAULT_PROCESSES = 2
# The signal that stands for Ctrl-C inside a job started by spread_over_cores: Open MPI's
# mpiexec ends its processes at once on SIGINT, but forwards SIGUSR1 to them.
STOP_SIGNAL = signal.SIGUSR1


def add_arguments(parser):
    parser.add_argument('--processes', type=int, default=None, metavar='N',
                        help='on the CPU: train as N processes (mpiexec, --communicator '
                             'naive), each on --batchsize/N images; default %d where %d or '
                             'more cores and MPI are there (set %s=1 for one), else 1'
                             % (DEFAULT_PROCESSES, DEFAULT_PROCESSES, PROCESSES_VARIABLE))


def check_arguments(args):
    if args.processes is not None and args.processes < 1:
        raise cli.UserError('--processes must be 1 or more')
    if args.processes is not None and (args.communicator or args.gpu >= 0):
        raise cli.UserError('--processes is for CPU runs without --communicator; under '
                            'mpiexec, mpiexec -n sets the number of processes')


def available_cores():
    return len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') \
        else os.cpu_count() or 1


def mpi_installed():
    return bool(shutil.which('mpiexec')) and importlib.util.find_spec('mpi4py') is not None


def _is_open_mpi(launcher):
    try:
        version = subprocess.run([launcher, '--version'], capture_output=True, text=True,
                                 timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return 'Open MPI' in version or 'OpenRTE' in version


def count(args):
    """How many processes a run of these arguments is spread over by spread_over_cores."""
    if args.gpu >= 0 or args.communicator or distributed.launcher_world()[1] > 1:
        return 1
    if args.processes is not None:
        return args.processes
    try:
        wanted = int(os.environ.get(PROCESSES_VARIABLE) or DEFAULT_PROCESSES)   # empty: unset
    except ValueError:
        raise cli.UserError('%s must be a number of processes, such as 1 or 2'
                            % PROCESSES_VARIABLE)
    processes = min(wanted, available_cores())
    if processes <= 1 or args.batchsize % processes or not mpi_installed():
        return 1
    return processes


def without_processes_flag(argv):
    """argv less --processes N (or --processes=N): the processes that mpiexec starts get
    --communicator instead, which check_arguments refuses beside --processes."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == '--processes':
            skip = True
        elif not arg.startswith('--processes='):
            kept.append(arg)
    return kept


def spread_over_cores(args, argv=None):
    """On the CPU, run this very command as count(args) processes of `mpiexec`
    with --communicator naive and return its exit status; None when it is to run here, in
    one process. Each process gets --batchsize/N images per iteration and one BLAS thread
    per core it has; the result is a --communicator naive run (see the module's note).

    Ctrl-C reaches this launcher alone (mpiexec runs in its own session): it is passed on
    as STOP_SIGNAL, which mpiexec forwards and training.run treats as Ctrl-C, so the run
    stops after its iteration with a snapshot; a second Ctrl-C stops it at once."""
    processes = count(args)
    if processes <= 1:
        return None
    if args.processes is not None and not mpi_installed():
        raise cli.UserError('--processes %d needs MPI and mpi4py: apt install openmpi-bin '
                            'libopenmpi-dev, then pip install mpi4py (make setup does both), '
                            'or use --processes 1' % processes)
    if args.batchsize % processes:
        raise cli.UserError('--batchsize %d is split over %d processes: make it a multiple of '
                            '%d, or change --processes' % (args.batchsize, processes, processes))
    cli.writable_folder(args.out)    # a mistake seen here is one line, without MPI's banner
    argv = without_processes_flag(sys.argv[1:] if argv is None else argv)
    launcher = shutil.which('mpiexec')
    quiet = ['-q'] if _is_open_mpi(launcher) else []    # no banners around our one line
    command = [launcher] + quiet + ['-n', str(processes), sys.executable,
               os.path.abspath(sys.argv[0])] + argv + ['--communicator', 'naive']
    env = dict(os.environ, OMP_NUM_THREADS=str(max(1, available_cores() // processes)))
    if hasattr(os, 'geteuid') and os.geteuid() == 0:   # Open MPI refuses root otherwise
        env.update(OMPI_ALLOW_RUN_AS_ROOT='1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM='1')
    job = subprocess.Popen(command, env=env, start_new_session=True)
    stopped = []

    def stop(signum, frame):
        stopped.append(signum)
        job.send_signal(STOP_SIGNAL)
    handlers = {number: signal.signal(number, stop)
                for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        status = job.wait()
        # Stopped by the user: the status a single process gives for Ctrl-C.
        return 130 if stopped and status != 0 else status
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
