#!/usr/bin/env python
"""Training throughput: the full G+D step at batch 100, Chainer (the project's own updater)
against PyTorch (bench/torch_nets.py) on the CPU, same networks, same batch.

    python bench/train_bench.py                         # interleaved runs, 1 and 2 threads
    python bench/train_bench.py --rounds 1 --iterations 5 --threads 1
    python bench/train_bench.py --profile chainer       # where Chainer's time goes (cProfile)

Every measurement runs in its own subprocess, started with the thread count in the
environment (OMP/OpenBLAS/MKL read it when they load), so that its peak memory
(VmHWM) is its own and no state carries over. Runs alternate Chainer, PyTorch,
PyTorch, Chainer, ... so that a disturbance on the machine hits both alike.
The data are synthetic MNIST-shaped batches (values do not change the arithmetic).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
THREAD_VARIABLES = ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS')
FRAMEWORKS = ('chainer', 'pytorch')
# 'chainer-backward': the project's updater as it was before updater.update_from, i.e.
# optimizer.update(lossfun) with a full loss.backward(): the "before" figure.
VARIANTS = ('chainer', 'chainer-backward', 'pytorch')


def synthetic_data(n=1000, seed=0):
    import numpy
    rng = numpy.random.RandomState(seed)
    images = rng.uniform(0, 1, (n, 1, 28, 28)).astype(numpy.float32)
    labels = rng.randint(0, 10, n).astype(numpy.int32)
    return images, labels


def full_backward_update(optimizer, loss):
    """What optimizer.update(lossfun) did with the loss: backward through everything."""
    optimizer.target.cleargrads()
    loss.backward(loss_scale=optimizer._loss_scale)
    optimizer.update()


def chainer_stepper(batchsize, full_backward=False):
    """(step(), {'generator': n, 'discriminator': n}) for the project's own GAN step."""
    import digitgan  # noqa: F401  (first: makes chainer importable)
    import chainer
    import numpy
    from digitgan.networks import Discriminator, Generator
    from digitgan import updater as updater_module
    from digitgan.updater import GANUpdater, make_optimizer
    if full_backward:
        updater_module.update_from = full_backward_update

    numpy.random.seed(0)
    gen, dis = Generator(), Discriminator()
    images, labels = synthetic_data()
    iterator = chainer.iterators.SerialIterator(
        chainer.datasets.TupleDataset(images, labels), batchsize)
    updater = GANUpdater(iterator, {'gen': make_optimizer(gen), 'dis': make_optimizer(dis)},
                         models=(gen, dis), device=-1)

    def counts():
        return {'generator': sum(p.size for p in gen.params()),
                'discriminator': sum(p.size for p in dis.params())}
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

    def counts():
        return {'generator': torch_nets.parameter_count(gen),
                'discriminator': torch_nets.parameter_count(dis)}
    return update, counts


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
    """One measurement: warm-up, then `iterations` timed steps; prints one JSON line."""
    if args.framework.startswith('chainer'):
        update, counts = chainer_stepper(args.batchsize, args.framework == 'chainer-backward')
    else:
        update, counts = pytorch_stepper(args.batchsize, args.threads)
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
    print(json.dumps({
        'framework': args.framework, 'threads': args.threads, 'batchsize': args.batchsize,
        'seconds_per_step': times, 'parameters': counts(),
        'peak_rss_mb': peak_rss_mb(),
    }))


def measure(framework, threads, iterations, warmup, batchsize=100, profile=False):
    env = dict(os.environ, **{name: str(threads) for name in THREAD_VARIABLES})
    command = [sys.executable, os.path.abspath(__file__), '--child', '--framework', framework,
               '--threads', str(threads), '--iterations', str(iterations),
               '--warmup', str(warmup), '--batchsize', str(batchsize)]
    if profile:
        command.append('--profile')
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError('%s training benchmark failed:\n%s' % (framework, done.stderr[-3000:]))
    if profile:
        sys.stderr.write(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(threads=(1, 2), rounds=3, iterations=15, warmup=3, batchsize=100, log=print,
        variants=VARIANTS):
    """Interleaved runs; returns {threads: {framework: summary}} plus the ratio."""
    results = {}
    for n in threads:
        runs = {name: [] for name in variants}
        for round_ in range(rounds):
            order = variants if round_ % 2 == 0 else variants[::-1]
            for name in order:
                run_ = measure(name, n, iterations, warmup, batchsize)
                runs[name].append(run_)
                log('  training %-16s %d thread(s), round %d: %.3f s/step (median of %d)' % (
                    name, n, round_ + 1, statistics.median(run_['seconds_per_step']),
                    iterations))
        summary = {}
        for name, measured in runs.items():
            medians = [statistics.median(r['seconds_per_step']) for r in measured]
            step = statistics.median(medians)
            summary[name] = {
                'seconds_per_step': step, 'images_per_second': batchsize / step,
                'run_medians': medians, 'best_run': min(medians),
                'peak_rss_mb': max(r['peak_rss_mb'] for r in measured),
                'parameters': measured[0]['parameters'],
            }
        summary['chainer_over_pytorch'] = (summary['chainer']['seconds_per_step']
                                           / summary['pytorch']['seconds_per_step'])
        results[str(n)] = summary
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--framework', choices=VARIANTS, default='chainer')
    parser.add_argument('--threads', type=int, nargs='+', default=[1, 2])
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--iterations', type=int, default=15)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--batchsize', type=int, default=100)
    parser.add_argument('--profile', nargs='?', const=True, default=False,
                        help='cProfile one run of FRAMEWORK (chainer or pytorch) and print '
                             'the top functions by own time')
    args = parser.parse_args()
    if args.child:
        args.threads = args.threads[0]
        args.profile = bool(args.profile)
        child(args)
    elif args.profile:
        framework = args.profile if args.profile in VARIANTS else args.framework
        result = measure(framework, args.threads[0], args.iterations, args.warmup,
                         args.batchsize, profile=True)
        print(json.dumps(result))
    else:
        print(json.dumps(run(args.threads, args.rounds, args.iterations, args.warmup,
                             args.batchsize), indent=2))


if __name__ == '__main__':
    main()
