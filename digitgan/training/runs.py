"""Trainer plumbing both training scripts share: run header, snapshots, resume, logs, stop.

    device = training.setup(title, args)   # --gpu, --out checked, header, --seed
    trainer = training.make_trainer(updater, args)
    snapshot = training.add_snapshot_and_log(trainer, args, log_keys, plots)
    training.resume_and_run(trainer, snapshot, args, model, kind)
    # resume: --resume, else the newest snapshot in --out that loads (a corrupt newest one
    # is named on stderr and the one before it is used); then <kind>_args.json is written;
    # then training runs (Ctrl-C: snapshot, message, exit 130; a full disk: one line, exit 2)

Snapshot contents must stay loadable across versions of this code: extension names and
trigger classes (their serialised state) are part of the snapshot format. Snapshots are read
without unpickling (checkpoints.load_arrays), so a file planted in --out cannot run code.
"""
import errno
import os
import re
import signal
import sys

import chainer
from chainer.training import extensions
from chainer.training.triggers import IntervalTrigger
import numpy

from digitgan import checkpoints, cli, cpu_kernels, networks
from digitgan.training import cpu_processes, distributed

SNAPSHOT_PATTERN = 'snapshot_iter_{.updater.iteration}'
SNAPSHOT_FILE = re.compile(r'snapshot_iter_(\d+)')     # the names SNAPSHOT_PATTERN gives
SNAPSHOTS_KEPT = 2     # the newest may be cut short by a crash; the one before it then serves
# Below every other extension: a snapshot then holds the state of every trigger *after* this
# iteration; taken earlier, a resumed run would see some triggers one iteration behind.
SNAPSHOT_PRIORITY = -1000
# What loading a snapshot of another run into this trainer raises: missing keys, other shapes.
MISMATCH_ERRORS = (KeyError, ValueError, TypeError)
# Writing into --out failed for want of space or rights (not a bug: the user can fix it).
WRITE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES,
                errno.EPERM)


def print_header(title, args, device, comm=None, kernels=False):
    print('%s | device: %s%s | minibatch: %d%s | %s' % (
        title, device, ' + cpu_kernels' if kernels else '', args.batchsize,
        distributed.describe(comm, args),
        '%d iterations' % args.iterations if args.iterations else '%d epochs' % args.epoch),
        flush=True)


def setup(title, args, comm=None):
    """The device for --gpu, once --out is known to be writable; prints the run header and
    seeds NumPy's and the device's random generators with --seed. `comm`: --communicator's
    (distributed.py): this process's GPU, and only process 0 checks --out."""
    device = distributed.process_device(args.gpu, comm)
    if distributed.is_writer(comm):
        cli.writable_folder(args.out)
    kernels = cpu_kernels.enable_for(device)
    print_header(title, args, device, comm, kernels)
    numpy.random.seed(args.seed)
    device.xp.random.seed(args.seed)
    return device


def stop_trigger(args):
    return (args.iterations, 'iteration') if args.iterations else (args.epoch, 'epoch')


def _progress(trainer, unit):
    updater = trainer.updater
    return updater.iteration if unit == 'iteration' else updater.epoch_detail


class StopTrigger(IntervalTrigger):
    """The trainer's stop trigger: training is over once `period` is reached (also when a
    resumed snapshot is already past it) or after the iteration in progress once
    `interrupted` is set. Its state is IntervalTrigger's, so snapshots stay compatible."""

    interrupted = False
    comm = None         # several processes (distributed.py): they stop at the same iteration

    def __call__(self, trainer):
        fire = super().__call__(trainer)
        if self.comm is not None:      # one process's Ctrl-C stops them all, together
            self.interrupted = bool(self.comm.allreduce_obj(int(self.interrupted)))
        return fire or self.interrupted or _progress(trainer, self.unit) >= self.period

    def wait_for_the_others(self):
        """With several processes: return once every one is here (so that none ends the
        job while process 0 still writes its snapshot)."""
        if self.comm is not None:
            self.comm.mpi_comm.Barrier()


class IntervalOrEndTrigger(IntervalTrigger):
    """Every `period`, and also on the last iteration of training, so that a run whose
    length is not a multiple of the interval still logs and plots its end."""

    def __init__(self, period, unit, end):
        super().__init__(period, unit)
        self._end = end

    def __call__(self, trainer):
        fire = super().__call__(trainer)
        return fire or _progress(trainer, self._end[1]) >= self._end[0]


class EveryOrAtEnd:
    """Every `every` iterations and at the end of training. Stateless (nothing goes into the
    snapshot), so a resumed run fires exactly where an uninterrupted one would: never again
    for an iteration already saved, and not at all when resumed at or past its end."""

    def __init__(self, every, end):
        self.every = every
        self.end = end

    def __call__(self, trainer):
        iteration = trainer.updater.iteration
        return iteration % self.every == 0 or _progress(trainer, self.end[1]) >= self.end[0]


def snapshot_trigger(args):
    """When weights and snapshots are written: every --snapshot-interval and at the end."""
    return EveryOrAtEnd(args.snapshot_interval, stop_trigger(args))


def make_trainer(updater, args):
    return chainer.training.Trainer(updater, StopTrigger(*stop_trigger(args)), out=args.out)


def newest_snapshot(out):
    """The trainer snapshot in `out` with the highest iteration number, or None."""
    return checkpoints.newest_numbered(out, SNAPSHOT_FILE)


def snapshots_newest_first(out):
    found = []
    for name in os.listdir(out) if os.path.isdir(out) else []:
        match = SNAPSHOT_FILE.fullmatch(name)
        if match and os.path.isfile(os.path.join(out, name)):
            found.append((int(match.group(1)), os.path.join(out, name)))
    return [path for _, path in sorted(found, reverse=True)]


def read_snapshot(path):
    """The arrays of a trainer snapshot, never unpickled; a pickled entry is a UserError.
    Raises checkpoints.UnreadableNpz for a truncated or corrupt file."""
    try:
        return checkpoints.load_arrays(path)
    except checkpoints.PickledNpz as error:
        raise cli.UserError('cannot resume from %s' % checkpoints.pickled_message(path, error))


def resume(trainer, args):
    """Load --resume, else the newest snapshot in --out that is not corrupt, if any; returns
    its path. A corrupt newest snapshot (a crash while it was written) is named on stderr and
    the one before it is used; a file of another kind or architecture is a UserError."""
    candidates = [args.resume] if args.resume else snapshots_newest_first(args.out)
    for i, path in enumerate(candidates):
        try:
            arrays = read_snapshot(path)
        except checkpoints.UnreadableNpz as error:
            if i + 1 == len(candidates):
                raise cli.UserError('cannot resume from %s: the file is corrupt or not a '
                                    'snapshot (%s); pick another file or another --out'
                                    % (path, error))
            print('warning: snapshot %s is corrupt (%s); resuming from the one before it, %s'
                  % (path, error, candidates[i + 1]), file=sys.stderr, flush=True)
            continue
        check_process_count(arrays, trainer, path)
        try:
            chainer.serializers.NpzDeserializer(arrays).load(trainer)
        except MISMATCH_ERRORS as error:
            raise cli.UserError('cannot resume from %s: it is not a snapshot of this training '
                                'run (%s: %s); pick another file or another --out'
                                % (path, type(error).__name__, str(error).strip("'")[:200]))
        print('resumed from %s at iteration %d' % (path, trainer.updater.iteration), flush=True)
        return path
    return None


ITERATOR_ORDER = 'updater/iterator:main/order'    # the snapshot's shuffled example order


def check_process_count(arrays, trainer, path):
    """A snapshot of a run of N processes holds each process's share of the data, so only
    N processes can resume it: say so, with N, rather than "not a snapshot of this run"."""
    order = arrays.get(ITERATOR_ORDER)
    iterator = trainer.updater.get_iterator('main')
    dataset = getattr(iterator, 'dataset', None)
    if order is None or dataset is None or order.ndim != 1 or len(order) in (0, len(dataset)):
        return
    processes_now = getattr(trainer.stop_trigger.comm, 'size', 1)
    processes_then = processes_now * len(dataset) / len(order)
    if processes_then != int(processes_then) or processes_then == processes_now:
        return        # another data set, not another process count: the usual message
    processes_then = int(processes_then)
    raise cli.UserError('cannot resume from %s with %d process%s: it was written by a run of '
                        '%d process%s, each on its own share of the data; resume it with '
                        '--processes %d (or mpiexec -n %d), or pick another --out' % (
                            path, processes_now, 'es' if processes_now > 1 else '',
                            processes_then, 'es' if processes_then > 1 else '',
                            processes_then, processes_then))


def resume_and_run(trainer, snapshot, args, model, kind, comm=None, extra_args=None,
                   dataset=None):
    """resume(), then write <kind>_args.json (checkpoints.ARGS_FILES) beside the weights
    (the model's hyperparameters, the contract with `dataset`'s label names, the data set
    (data/sources.py Source.describe()) and `extra_args`), then run().
    Nothing in --out changes before the snapshot to resume from has loaded.
    `comm` (distributed.py): every process resumes from process 0's snapshot; only process
    0 writes files."""
    if comm is None:
        resume(trainer, args)
    else:
        trainer.stop_trigger.comm = comm
        distributed.resume_everywhere(trainer, args, comm, resume)
        distributed.start_together(comm, trainer.updater, args.seed)
    if not distributed.is_writer(comm):
        run(trainer, snapshot=lambda trainer: None)   # no snapshot from here, even on Ctrl-C
        return
    contract = dict(networks.MODEL_CONTRACT)
    if dataset:
        contract['labels'] = dataset['labels']
    cli.write_json(os.path.join(args.out, checkpoints.ARGS_FILES[kind]),
                   dict(model.model_args(), contract=contract, dataset=dataset,
                        **(extra_args or {})))
    run(trainer, snapshot)


def add_snapshot_and_log(trainer, args, log_keys, plots):
    """Snapshots every --snapshot-interval and at the end (the newest SNAPSHOTS_KEPT kept),
    JSON log, table, plots, progress."""
    snapshot = extensions.snapshot(filename=SNAPSHOT_PATTERN, n_retains=SNAPSHOTS_KEPT)
    trainer.extend(snapshot, trigger=snapshot_trigger(args), priority=SNAPSHOT_PRIORITY)
    log_every = min(100, args.snapshot_interval, args.iterations or 100)

    def log_trigger():
        return IntervalOrEndTrigger(log_every, 'iteration', stop_trigger(args))
    trainer.extend(extensions.LogReport(trigger=log_trigger(), filename='log'))
    trainer.extend(extensions.PrintReport(['epoch', 'iteration'] + log_keys + ['elapsed_time']),
                   trigger=log_trigger())
    for filename, keys in plots.items():
        trainer.extend(extensions.PlotReport(keys, 'iteration', trigger=log_trigger(),
                                             filename=filename))
    trainer.extend(extensions.ProgressBar(update_interval=10))
    return snapshot


def run(trainer, snapshot):
    """Train. The first Ctrl-C stops after the iteration in progress, writes a snapshot and
    exits with 130, so no finished iteration is lost; a second one stops at once, and the
    run then resumes from the last periodic snapshot."""
    stop = trainer.stop_trigger

    def on_sigint(signum, frame):
        if stop.interrupted:             # a second cpu_processes.STOP_SIGNAL
            raise KeyboardInterrupt
        stop.interrupted = True
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if stop.comm is None or stop.comm.rank == 0:
            print('\nCtrl-C: stopping after this iteration and saving a snapshot '
                  '(Ctrl-C again stops at once, without one)', file=sys.stderr, flush=True)

    previous = signal.signal(signal.SIGINT, on_sigint)
    # In a job of distributed.spread_over_cores, Ctrl-C arrives as this signal.
    signal.signal(cpu_processes.STOP_SIGNAL, on_sigint)
    try:
        # Not chainer's own report: it prints a traceback before any error reaches cli.run.
        trainer.run(show_loop_exception_msg=False)
    except OSError as error:
        raise_write_error(error, trainer)
    except KeyboardInterrupt:
        print('\ninterrupted at iteration %d without a snapshot; the same command resumes '
              'from the last one in %s' % (trainer.updater.iteration, trainer.out),
              file=sys.stderr, flush=True)
        raise SystemExit(130)
    finally:
        signal.signal(signal.SIGINT, previous)
        # From here on a stop signal is a second Ctrl-C, even while the snapshot is written.
        signal.signal(cpu_processes.STOP_SIGNAL, signal.default_int_handler)
    if stop.interrupted:
        try:
            snapshot(trainer)
        except OSError as error:
            raise_write_error(error, trainer)
        stop.wait_for_the_others()
        print('\ninterrupted at iteration %d; snapshot saved, run the same command to resume'
              % trainer.updater.iteration, flush=True)
        raise SystemExit(130)


def raise_write_error(error, trainer):
    """A full disk (or lost write access) while saving is a UserError: files are written
    under a temporary name first, so every snapshot already in --out is still whole."""
    if error.errno not in WRITE_ERRNOS:
        raise error
    newest = newest_snapshot(trainer.out)
    raise cli.UserError('cannot write into %s at iteration %d (%s); %s; make room and run the '
                        'same command to resume' % (
                            trainer.out, trainer.updater.iteration, error.strerror,
                            'the last complete snapshot, %s, is intact' % os.path.basename(newest)
                            if newest else 'no snapshot was written yet'))
