#!/usr/bin/env python
"""Training throughput on the CPU: the three trainers' steps at batch 100, with the project's
CPU kernels (digitgan/cpu_kernels/) and with Chainer's own functions, on one core and on
two; the GAN step also in PyTorch (bench/torch_nets.py) on identical networks.

    python bench/train_bench.py                          # everything, interleaved
    python bench/train_bench.py --tasks gan --rounds 1 --iterations 5
    python bench/train_bench.py --profile chainer        # where the GAN step's time goes

Configurations ("cores"): 1 thread; 2 threads (BLAS and the kernels' own loops); 2 processes
of 50 images each (ChainerMN's naive communicator under mpiexec, gradients averaged every
step, as train_gan.py runs by default on a 2-core CPU). Every measurement runs in its own
subprocess(es), started with the thread count in the environment (OpenBLAS reads it when it
loads), so that peak memory (VmHWM; the largest process) is its own; runs alternate their
order round by round so that a disturbance hits every variant alike. The data are synthetic
MNIST-shaped batches (values do not change the arithmetic).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
THREAD_VARIABLES = ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS')
TASKS = ('gan', 'recogniser', 'encoder')
# chainer: with the CPU kernels (the default); chainer-original: DIGITGAN_CPU_KERNELS=0.
FRAMEWORKS = {'gan': ('chainer', 'chainer-original', 'pytorch'),
              'recogniser': ('chainer', 'chainer-original'),
              'encoder': ('chainer', 'chainer-original')}
# (threads, processes) per configuration.
CONFIGURATIONS = {'1 thread': (1, 1), '2 threads': (2, 1), '2 processes': (1, 2)}
MULTI_PROCESS_TASKS = ('gan', 'recogniser', 'encoder')
BATCH = 100


def synthetic_data(n=1000, seed=0):
    import numpy
    rng = numpy.random.RandomState(seed)
    images = rng.uniform(0, 1, (n, 1, 28, 28)).astype(numpy.float32)
    labels = rng.randint(0, 10, n).astype(numpy.int32)
    return images, labels


def parameter_counts(**models):
    return {name: int(sum(p.size for p in model.params())) for name, model in models.items()}


def chainer_stepper(task, batchsize, comm=None):
    """(step(), parameter counts) of `task`'s real updater on synthetic data."""
    import digitgan  # noqa: F401  (first: makes chainer importable)
    import chainer
    import numpy
    from digitgan import cpu_kernels
    from digitgan.training import distributed
    from digitgan.networks import Discriminator, Encoder, Generator, Recogniser

    cpu_kernels.enable_for(chainer.get_device('@numpy'))    # DIGITGAN_CPU_KERNELS decides
    numpy.random.seed(0)
    images, labels = synthetic_data()
    iterator = chainer.iterators.SerialIterator(
        chainer.datasets.TupleDataset(images, labels), batchsize)

    def optimizer_for(model, **kwargs):
        optimizer = chainer.optimizers.Adam(**kwargs)
        optimizer.setup(model)
        return distributed.multi_node(optimizer, comm)
    if task == 'gan':
        from digitgan.training.updater import GANUpdater
        gen, dis = Generator(), Discriminator()
        updater = GANUpdater(iterator, {'gen': optimizer_for(gen, alpha=2e-4, beta1=0.5),
                                        'dis': optimizer_for(dis, alpha=2e-4, beta1=0.5)},
                             models=(gen, dis), device=-1)
        counts = parameter_counts(generator=gen, discriminator=dis)
    elif task == 'recogniser':
        model = chainer.links.Classifier(Recogniser())
        updater = chainer.training.updaters.StandardUpdater(iterator, optimizer_for(model),
                                                            device=-1)
        counts = parameter_counts(recogniser=model)
    else:
        from digitgan.training.inversion import DEFAULT_WEIGHTS, EncoderUpdater
        gen, enc = Generator(), Encoder()
        updater = EncoderUpdater(iterator, optimizer_for(enc, alpha=1e-3), gen, Recogniser(),
                                 DEFAULT_WEIGHTS, device=-1)
        counts = parameter_counts(encoder=enc)
    if comm is not None:
        distributed.start_together(comm, updater, 0)
    return updater.update, counts


def pytorch_stepper(batchsize, threads):
    import torch
    import torch_nets     # beside this file: the child runs as a script, so bench/ is on the path
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    gen, dis = torch_nets.Generator(), torch_nets.Discriminator()
    step = torch_nets.GANStep(gen, dis)
    images, labels = synthetic_data()
    images, labels = torch.from_numpy(images), torch.from_numpy(labels).long()
    position = [0]

    def update():
        start = position[0]
        if start + batchsize > len(labels):
            start = 0
        position[0] = start + batchsize
        step(images[start:start + batchsize], labels[start:start + batchsize])
    return update, {'generator': torch_nets.parameter_count(gen),
                    'discriminator': torch_nets.parameter_count(dis)}


def peak_rss_mb():
    """This process's peak resident memory. /proc's VmHWM belongs to the process image
    (ru_maxrss would still count the parent's peak from before fork + exec)."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(args):
    """One measurement: warm-up, then `iterations` timed steps; prints one JSON line (from
    process 0 when there are several)."""
    comm = None
    if args.processes > 1:
        from mpi4py import MPI  # noqa: F401  (starts MPI)
        import chainermn
        comm = chainermn.create_communicator('naive')
    batchsize = BATCH // args.processes
    if args.framework == 'pytorch':
        update, counts = pytorch_stepper(batchsize, args.threads)
    else:
        update, counts = chainer_stepper(args.task, batchsize, comm)
    for _ in range(args.warmup):
        update()
    if args.profile:
        import cProfile
        import pstats
        profiler = cProfile.Profile()
        profiler.enable()
    times = []
    for _ in range(args.iterations):
        started = time.perf_counter()
        update()
        times.append(time.perf_counter() - started)
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats('tottime').print_stats(30)
    peaks = [peak_rss_mb()] if comm is None else comm.gather_obj(peak_rss_mb())
    if comm is None or comm.rank == 0:
        print(json.dumps({
            'task': args.task, 'framework': args.framework, 'threads': args.threads,
            'processes': args.processes, 'batchsize': BATCH, 'seconds_per_step': times,
            'parameters': counts, 'peak_rss_mb': max(peaks)}))


def measure(task, framework, threads, processes, iterations, warmup, profile=False):
    env = dict(os.environ, **{name: str(threads) for name in THREAD_VARIABLES})
    env['DIGITGAN_CPU_KERNELS'] = '0' if framework == 'chainer-original' else '1'
    command = [sys.executable, os.path.abspath(__file__), '--child', '--tasks', task,
               '--framework', framework, '--threads', str(threads), '--processes',
               str(processes), '--iterations', str(iterations), '--warmup', str(warmup)]
    if processes > 1:
        launcher = shutil.which('mpiexec')
        if not launcher:
            raise RuntimeError('mpiexec is missing: run scripts/install-system-deps.sh')
        command = [launcher, '-n', str(processes)] + command
        env.update(OMPI_ALLOW_RUN_AS_ROOT='1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM='1')
    if profile:
        command.append('--profile')
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError('%s %s training benchmark failed:\n%s'
                           % (task, framework, done.stderr[-3000:]))
    if profile:
        sys.stderr.write(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def plan(tasks):
    """Every (task, framework, configuration) measured."""
    runs = []
    for task in tasks:
        for configuration, (threads, processes) in CONFIGURATIONS.items():
            if processes > 1 and task not in MULTI_PROCESS_TASKS:
                continue
            for framework in FRAMEWORKS[task]:
                if processes > 1 and framework != 'chainer':
                    continue      # the multi-process mode is the project's own (ChainerMN)
                runs.append((task, framework, configuration))
    return runs


def run(tasks=TASKS, rounds=3, iterations=12, warmup=3, log=print):
    """Interleaved runs; returns {task: {configuration: {framework: summary}}} plus, per
    task, speed-ups against the one-thread figures and the GAN's ratio to PyTorch."""
    measured = {key: [] for key in plan(tasks)}
    keys = list(measured)
    for round_ in range(rounds):
        for key in (keys if round_ % 2 == 0 else keys[::-1]):
            task, framework, configuration = key
            threads, processes = CONFIGURATIONS[configuration]
            result = measure(task, framework, threads, processes, iterations, warmup)
            measured[key].append(result)
            log('  training %-10s %-16s %-11s round %d: %.3f s/step (median of %d)' % (
                task, framework, configuration, round_ + 1,
                statistics.median(result['seconds_per_step']), iterations))
    results = {}
    for (task, framework, configuration), runs_ in measured.items():
        medians = [statistics.median(r['seconds_per_step']) for r in runs_]
        step = statistics.median(medians)
        results.setdefault(task, {}).setdefault(configuration, {})[framework] = {
            'seconds_per_step': step, 'images_per_second': BATCH / step,
            'run_medians': medians, 'best_run': min(medians),
            'peak_rss_mb': max(r['peak_rss_mb'] for r in runs_),
            'parameters': runs_[0]['parameters']}
    for task, by_configuration in results.items():
        one = by_configuration['1 thread']
        summary = {'kernels_speedup_1_thread': (one['chainer-original']['seconds_per_step']
                                                / one['chainer']['seconds_per_step'])}
        for configuration in ('2 threads', '2 processes'):
            if configuration in by_configuration:
                summary['both_cores_%s' % configuration.replace(' ', '_')] = (
                    by_configuration[configuration]['chainer']['images_per_second']
                    / one['chainer']['images_per_second'])
        if 'pytorch' in one:
            summary['chainer_over_pytorch_1_thread'] = (
                one['chainer']['seconds_per_step'] / one['pytorch']['seconds_per_step'])
            summary['original_over_pytorch_1_thread'] = (
                one['chainer-original']['seconds_per_step']
                / one['pytorch']['seconds_per_step'])
            two = by_configuration['2 threads']['pytorch']['images_per_second']
            best = max(by_configuration[c]['chainer']['images_per_second']
                       for c in ('2 threads', '2 processes') if c in by_configuration)
            summary['pytorch_over_chainer_both_cores'] = two / best
        by_configuration['summary'] = summary
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--tasks', nargs='+', choices=TASKS, default=list(TASKS))
    parser.add_argument('--framework', default='chainer',
                        choices=('chainer', 'chainer-original', 'pytorch'))
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--processes', type=int, default=1)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--iterations', type=int, default=12)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--profile', nargs='?', const=True, default=False,
                        help='cProfile one run of FRAMEWORK on the first of --tasks and '
                             'print the top functions by own time')
    args = parser.parse_args()
    if args.child:
        args.task = args.tasks[0]
        args.profile = bool(args.profile)
        child(args)
    elif args.profile:
        framework = args.profile if args.profile is not True else args.framework
        result = measure(args.tasks[0], framework, args.threads, args.processes,
                         args.iterations, args.warmup, profile=True)
        print(json.dumps(result))
    else:
        print(json.dumps(run(args.tasks, args.rounds, args.iterations, args.warmup),
                         indent=2))


if __name__ == '__main__':
    main()
