"""Trainer plumbing both training scripts share: run header, snapshots, resume, logs, stop.

    device = training.setup(title, args)   # --gpu, --out checked, header, --seed
    trainer = training.make_trainer(updater, args)
    snapshot = training.add_snapshot_and_log(trainer, args, log_keys, plots)
    training.resume_and_run(trainer, snapshot, args, model, kind)
    # resume: --resume, else the newest snapshot in --out; then <kind>_args.json is
    # written; then training runs (Ctrl-C: snapshot, message, exit 130)

Snapshot contents must stay loadable across versions of this code: extension names and
trigger classes (their serialised state) are part of the snapshot format.
"""
import os
import pickle
import re
import signal
import sys
import zipfile
import zlib

import chainer
from chainer.training import extensions
from chainer.training.triggers import IntervalTrigger
import numpy

from digitgan import checkpoints
from digitgan import cli
from digitgan import networks

SNAPSHOT_PATTERN = 'snapshot_iter_{.updater.iteration}'
SNAPSHOT_FILE = re.compile(r'snapshot_iter_(\d+)')     # the names SNAPSHOT_PATTERN gives
# What loading a file that is not a snapshot of this run raises: missing keys, other shapes,
# not an npz, a truncated or corrupt zip.
RESUME_ERRORS = (KeyError, ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error,
                 pickle.UnpicklingError)


def print_header(title, args, device):
    print('%s | device: %s | minibatch: %d | %s' % (
        title, device, args.batchsize,
        '%d iterations' % args.iterations if args.iterations else '%d epochs' % args.epoch),
        flush=True)


def setup(title, args):
    """The device for --gpu, once --out is known to be writable; prints the run header and
    seeds NumPy's and the device's random generators with --seed."""
    device = cli.get_device(args.gpu)
    cli.writable_folder(args.out)
    print_header(title, args, device)
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

    def __call__(self, trainer):
        fire = super().__call__(trainer)
        return fire or self.interrupted or _progress(trainer, self.unit) >= self.period


class IntervalOrEndTrigger(IntervalTrigger):
    """Every `period`, and also on the last iteration of training, so that a run whose
    length is not a multiple of the interval still logs and plots its end."""

    def __init__(self, period, unit, end):
        super().__init__(period, unit)
        self._end = end

    def __call__(self, trainer):
        fire = super().__call__(trainer)
        return fire or _progress(trainer, self._end[1]) >= self._end[0]


def make_trainer(updater, args):
    return chainer.training.Trainer(updater, StopTrigger(*stop_trigger(args)), out=args.out)


def newest_snapshot(out):
    """The trainer snapshot in `out` with the highest iteration number, or None."""
    return checkpoints.newest_numbered(out, SNAPSHOT_FILE)


def resume(trainer, args):
    """Load --resume, else the newest snapshot in --out, if any; returns its path.
    A file of another kind or architecture is a UserError."""
    path = args.resume or newest_snapshot(args.out)
    if not path:
        return None
    try:
        # Snapshots are npz (zip) files; anything else would reach numpy's pickle loader.
        if not zipfile.is_zipfile(path):
            raise ValueError('not an npz file')
        chainer.serializers.load_npz(path, trainer)
    except RESUME_ERRORS as error:
        raise cli.UserError('cannot resume from %s: it is not a snapshot of this training '
                            'run (%s: %s); pick another file or another --out'
                            % (path, type(error).__name__, str(error).strip("'")[:200]))
    print('resumed from %s at iteration %d' % (path, trainer.updater.iteration), flush=True)
    return path


def resume_and_run(trainer, snapshot, args, model, kind):
    """resume(), then write <kind>_args.json (checkpoints.ARGS_FILES) beside the weights,
    then run(). Nothing in --out changes before the snapshot to resume from has loaded."""
    resume(trainer, args)
    cli.write_json(os.path.join(args.out, checkpoints.ARGS_FILES[kind]),
                   dict(model.model_args(), contract=networks.MODEL_CONTRACT))
    run(trainer, snapshot)


def add_snapshot_and_log(trainer, args, log_keys, plots):
    """Snapshots every --snapshot-interval and at the end, JSON log, table, plots, progress."""
    interval = (args.snapshot_interval, 'iteration')
    end = chainer.training.triggers.ManualScheduleTrigger(*stop_trigger(args))
    snapshot = extensions.snapshot(filename=SNAPSHOT_PATTERN, n_retains=1)
    trainer.extend(snapshot, trigger=chainer.training.triggers.IntervalTrigger(*interval))
    trainer.extend(snapshot, trigger=end, name='final_snapshot')
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
        stop.interrupted = True
        signal.signal(signal.SIGINT, signal.default_int_handler)
        print('\nCtrl-C: stopping after this iteration and saving a snapshot '
              '(Ctrl-C again stops at once, without one)', file=sys.stderr, flush=True)

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        trainer.run()
    except KeyboardInterrupt:
        print('\ninterrupted at iteration %d without a snapshot; the same command resumes '
              'from the last one in %s' % (trainer.updater.iteration, trainer.out),
              file=sys.stderr, flush=True)
        raise SystemExit(130)
    finally:
        signal.signal(signal.SIGINT, previous)
    if stop.interrupted:
        snapshot(trainer)
        print('\ninterrupted at iteration %d; snapshot saved, run the same command to resume'
              % trainer.updater.iteration, flush=True)
        raise SystemExit(130)
