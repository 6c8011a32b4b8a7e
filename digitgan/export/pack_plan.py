"""What 2pack.py converts: the digits' graphs the pages use, less those switched off, and
the graphs of every other data set it adds (shipped ones, --add-dataset ones)."""
import os

from digitgan import checkpoints, cli
from digitgan.export import contract


def other_datasets(args):
    """{data set name: {'generator': path, 'recogniser': path or absent}} beside the digits."""
    if args.datasets is None:    # those whose weights are here
        names = [] if args.generator else [
            n for n in checkpoints.SHIPPED if n != 'mnist' and checkpoints.newest_numbered(
                checkpoints.SHIPPED[n]['generator'], checkpoints.GENERATOR_FILE)]
    else:
        names = [n.strip() for n in args.datasets.split(',') if n.strip() not in ('', 'none')]
    found = {}
    for name in names:
        if name == 'mnist' or name not in checkpoints.SHIPPED:
            raise cli.UserError("--datasets: no shipped data set '%s' to add; choose from %s"
                                % (name, ', '.join(n for n in checkpoints.SHIPPED
                                                   if n != 'mnist')))
        found[name] = {'generator': checkpoints.shipped(name, 'generator'),
                       'recogniser': checkpoints.shipped(name, 'classifier')}
    for values in args.add_dataset:
        for path in values:
            if not os.path.isfile(path):
                raise cli.UserError('--add-dataset %s: no such file' % path)
        trained_on = checkpoints.dataset_of(checkpoints.read_args(values[0], 'generator'))
        if trained_on['name'] == 'mnist' or trained_on['name'] in found:
            raise cli.UserError('--add-dataset %s: its data set %s is already on the page'
                                % (values[0], trained_on['name']))
        found[trained_on['name']] = dict(zip(('generator', 'recogniser'), values))
    return found


def planned_graphs(args, others):
    """The graphs this run converts: all the pages use, less the batches switched off."""
    wanted = {1: True, 10: args.batch10, 100: args.batch100}
    plans = [plan for plan in contract.all_graphs()
             if (plan.kind != 'generator' or wanted[plan.batch])
             and (plan.kind != 'encoder' or not args.without_encoder)]
    for name, paths in others.items():
        n_classes = checkpoints.read_args(paths['generator'], 'generator')['n_classes']
        plans += contract.dataset_graphs(name, n_classes, 'recogniser' in paths)
    return plans
