"""Trainer plumbing both training scripts share: run header, snapshots, resume, logs, stop."""
import glob
import os
import re

import chainer
from chainer.training import extensions

from cli import UserError

SNAPSHOT_PATTERN = 'snapshot_iter_{.updater.iteration}'


def print_header(title, args, device):
    print('%s | device: %s | minibatch: %d | %s' % (
        title, device, args.batchsize,
        '%d iterations' % args.iterations if args.iterations else '%d epochs' % args.epoch),
        flush=True)


def stop_trigger(args):
    return (args.iterations, 'iteration') if args.iterations else (args.epoch, 'epoch')


def newest_snapshot(out):
    """The trainer snapshot in `out` with the highest iteration number, or None."""
    found = []
    for path in glob.glob(os.path.join(out, 'snapshot_iter_*')):
        match = re.fullmatch(r'snapshot_iter_(\d+)', os.path.basename(path))
        if match:
            found.append((int(match.group(1)), path))
    return max(found)[1] if found else None


def resume(trainer, path):
    """Load a trainer snapshot; a file of another kind or architecture is a UserError."""
    try:
        chainer.serializers.load_npz(path, trainer)
    except (KeyError, ValueError, OSError, EOFError) as error:
        raise UserError('cannot resume from %s: it is not a snapshot of this training run '
                        '(%s: %s); pick another file or another --out'
                        % (path, type(error).__name__, str(error).strip("'")[:200]))
    print('resumed from %s at iteration %d' % (path, trainer.updater.iteration), flush=True)


def add_snapshot_and_log(trainer, args, log_keys, plots):
    """Snapshots every --snapshot-interval and at the end, JSON log, table, plots, progress."""
    interval = (args.snapshot_interval, 'iteration')
    end = chainer.training.triggers.ManualScheduleTrigger(*stop_trigger(args))
    snapshot = extensions.snapshot(filename=SNAPSHOT_PATTERN, n_retains=1)
    trainer.extend(snapshot, trigger=chainer.training.triggers.IntervalTrigger(*interval))
    trainer.extend(snapshot, trigger=end, name='final_snapshot')
    log_interval = (min(100, args.snapshot_interval, args.iterations or 100), 'iteration')
    trainer.extend(extensions.LogReport(trigger=log_interval, filename='log'))
    trainer.extend(extensions.PrintReport(['epoch', 'iteration'] + log_keys + ['elapsed_time']),
                   trigger=log_interval)
    for filename, keys in plots.items():
        trainer.extend(extensions.PlotReport(keys, 'iteration', trigger=log_interval,
                                             filename=filename))
    trainer.extend(extensions.ProgressBar(update_interval=10))
    return snapshot


def run(trainer, args, snapshot):
    """Resume (explicit --resume, else the newest snapshot in --out), train, and on Ctrl-C
    write a snapshot before stopping, so no finished iteration is lost."""
    path = args.resume or newest_snapshot(args.out)
    if path:
        resume(trainer, path)
    try:
        trainer.run()
    except KeyboardInterrupt:
        snapshot(trainer)
        print('\ninterrupted at iteration %d; snapshot saved, run the same command to resume'
              % trainer.updater.iteration)
        raise SystemExit(130)
