#!/usr/bin/env python
"""Convert the trained generator and recogniser into WebDNN graph descriptors for the app.

    python 2pack.py                       # newest result-dcgan/gen_iter_<N>.npz,
                                          # result-recogniser/recogniser.npz and
                                          # result-encoder/encoder.npz -> app/models/
    python 2pack.py --eightbit            # 8-bit weights: ~4x smaller files, small error
    python 2pack.py --generator result-dcgan/gen_iter_5000.npz --backends webgl --out /tmp/m
    python 2pack.py --onnx --out /tmp/m   # also <out>/generator.onnx (onnxruntime & co.)
    python 2pack.py --add-dataset result-mine/gen_iter_3000.npz result-mine-cls/recogniser.npz

Writes everything the pages use: <out>/generator/, <out>/generator-b10/ (all digits in one
run), <out>/generator-b100/ (the 10x10 grid in one run), <out>/recogniser/ (every
backend's files in one folder: WebDNN.load picks by backend), <out>/encoder/ (a drawn
digit -> its z: "in your handwriting"; it must have been trained against this generator),
<out>/generator.onnx with --onnx, and <out>/contract.json (digitgan/export/contract.py).
Other data sets go into <out>/datasets/<name>/ (generator, a row and a grid of it,
classifier; digitgan/export/pack_plan.py): without --generator every shipped one (fashion-mnist),
and each --add-dataset GEN [CLASSIFIER]; the generator page offers them in its menu.
--no-batch10, --no-batch100, --without-encoder and --backends narrow the set; dropping
something <out> already holds needs --allow-fewer.
Everything is built in a folder beside <out> and renamed into place at the end, so <out>
holds either the complete old set or the complete new one; staging folders of runs that
were killed are removed by the next run.
"""
import argparse
import functools
import os
import shutil
import signal
import time

from digitgan import checkpoints, cli  # first: makes chainer importable
from digitgan.export import contract, onnx_export, pack_plan, webdnn_export as export
from digitgan.export.folder_swap import remove_stale_side_folders, side_folder, swap_in
from digitgan.generation import handwriting

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = contract.DIGITS
# The ONNX export must reproduce Chainer's eval-mode output this closely (float32).
ONNX_TOLERANCE = 1e-5


def parse_backends(text):
    names = list(dict.fromkeys(name.strip().lower() for name in text.split(',')
                               if name.strip()))
    if not names:
        raise cli.UserError('--backends is empty; choose from %s' % ', '.join(export.BACKENDS))
    for name in names:
        if name not in export.BACKENDS:
            why = export.UNUSABLE_BACKENDS.get(name, 'WebDNN has no such backend')
            raise cli.UserError("unknown backend '%s' in --backends (%s); choose from %s"
                                % (name, why, ', '.join(export.BACKENDS)))
    return [name for name in export.BACKENDS if name in names]  # in order of preference


def parse_args(argv=None):
    parser = cli.ArgumentParser(
        description='Convert the generator and recogniser to WebDNN descriptors for the app.')
    parser.add_argument('--generator', metavar='PATH',
                        help='generator weights (default: the newest gen_iter_<N>.npz in '
                             'result-dcgan/); generator_args.json must be beside it')
    parser.add_argument('--recogniser', metavar='PATH', default=checkpoints.RECOGNISER,
                        help='recogniser weights (default: result-recogniser/recogniser.npz); '
                             'recogniser_args.json must be beside it')
    parser.add_argument('--encoder', metavar='PATH', default=checkpoints.ENCODER,
                        help='encoder weights (default: result-encoder/encoder.npz), trained '
                             'by train_encoder.py against --generator; encoder_args.json must '
                             'be beside it')
    parser.add_argument('--without-encoder', action='store_true',
                        help='leave the encoder out (the recogniser page then shows no '
                             '"in your handwriting" row)')
    parser.add_argument('--out', '-o', default=os.path.join(HERE, 'app', 'models'),
                        help='output folder, replaced as a whole (default: app/models/)')
    parser.add_argument('--backends', default=','.join(export.DEFAULT_BACKENDS),
                        help='comma-separated (default: %%(default)s). webassembly needs em++ '
                             'and Eigen: %s; webgpu writes Metal kernels for the old WebMetal '
                             'API of Safari, which current browsers do not run'
                             % export.EMSCRIPTEN_INSTALL)
    parser.add_argument('--wasm-simd', action=argparse.BooleanOptionalAction, default=True,
                        help='build the webassembly kernels with WebAssembly SIMD (default: '
                             'yes; every current browser has it; one without it cannot use '
                             'the webassembly backend)')
    parser.add_argument('--eightbit', action='store_true',
                        help='8-bit weight encoding: ~4x smaller weight files, outputs differ '
                             'from float32 by a few hundredths')
    parser.add_argument('--batch10', action=argparse.BooleanOptionalAction, default=True,
                        help='write generator-b10/: a batch-10 generator (one row of digits '
                             '0-9 per run; the app draws "all digits" with it; default: yes)')
    parser.add_argument('--batch100', action=argparse.BooleanOptionalAction, default=True,
                        help='write generator-b100/: a batch-100 generator (the 10x10 grid in '
                             'one run; default: yes)')
    parser.add_argument('--onnx', action='store_true',
                        help='also write generator.onnx (opset %d, symbolic batch size) for '
                             'ONNX runtimes, checked against Chainer within %g'
                             % (onnx_export.OPSET, ONNX_TOLERANCE))
    parser.add_argument('--datasets', default=None, metavar='NAMES',
                        help='comma-separated shipped data sets to add beside the digits '
                             '(%s; default: all of them when --generator is not given, else '
                             'none; "none" for none)'
                             % ', '.join(n for n in checkpoints.SHIPPED if n != 'mnist'))
    parser.add_argument('--add-dataset', nargs='+', action='append', default=[],
                        metavar='NPZ', help='GEN_NPZ [CLASSIFIER_NPZ]: add the generator of '
                                            'another data set (your --image-folder one), and '
                                            'its classifier for the page\'s check; repeatable')
    parser.add_argument('--allow-fewer', action='store_true',
                        help='let this run drop graphs or backends that --out already holds '
                             '(without it, such a run stops before converting anything)')
    args = parser.parse_args(argv)
    args.backends = parse_backends(args.backends)
    for values in args.add_dataset:
        if len(values) > 2:
            raise cli.UserError('--add-dataset takes a generator and at most one classifier, '
                                'not %d files' % len(values))
    return args


def shown(path):
    """`path` relative to the working folder when it lies inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith(os.pardir) else relative


# ---- checks before any work: each a one-line error ----

def check_replaceable(out):
    if os.path.isdir(out):
        strangers = sorted(set(os.listdir(out)) - contract.OUTPUT_ENTRIES)
        if strangers:
            raise cli.UserError('%s holds files that 2pack.py did not write (%s); it is replaced '
                                'as a whole, so choose a new or empty --out'
                                % (out, ', '.join(strangers[:3])))
    elif os.path.exists(out):
        raise cli.UserError('--out %s exists and is not a folder' % out)


def check_toolchain(backends, held, allow_fewer):
    """Without em++ and Eigen the webassembly backend cannot be built: stop, naming the fix."""
    if 'webassembly' not in backends:
        return
    problem = export.webassembly_toolchain_problem()
    if problem:
        instead = '--backends %s' % (','.join(b for b in backends if b != 'webassembly')
                                     or 'webgl')
        if not allow_fewer and any('webassembly' in names for names in held.values()):
            instead += ' --allow-fewer'
        raise cli.UserError('cannot build the webassembly models: %s; or pass %s to accept '
                            'models without them (much slower on machines without a GPU)'
                            % (problem, instead))


def check_not_narrowing(out, held, graphs, backends, onnx):
    """Stop if this run would drop a graph or backend that `out` holds (see --allow-fewer)."""
    planned = {plan.folder: backends for plan in graphs}
    if onnx:
        planned['generator.onnx'] = []
    whole = [folder for folder in held if folder not in planned]
    lost = sorted({backend for folder in held if folder in planned
                   for backend in held[folder] if backend not in planned[folder]})
    if not whole and not lost:
        return
    flags = {'generator-b10': '--batch10', 'generator-b100': '--batch100',
             'generator.onnx': '--onnx', 'encoder': '(no --without-encoder)'}
    keep = [flags[folder] for folder in whole if folder in flags]
    if lost:
        keep.insert(0, '--backends ' + ','.join(b for b in export.BACKENDS
                                                if b in set(backends) | set(lost)))
    items = whole + ['the %s models' % name for name in lost]
    what = ' and '.join(filter(None, [', '.join(items[:-1]), items[-1]]))
    raise cli.UserError('%s holds %s, which this run would not write; keep them with %s, or '
                        'pass --allow-fewer to drop them' % (shown(out), what, ' '.join(keep)))


# ---- the run plan: numbered steps, counted before the first one runs ----

class Conversion:
    """One run's work. steps() lists it as (text, action) pairs; each action returns a
    detail for the progress line, or None."""

    def __init__(self, args, sources, graphs, staging, out):
        self.args, self.sources, self.graphs = args, sources, graphs
        self.staging, self.out = staging, out
        self.networks, self.converted, self.notes = {}, [], set()
        self.traced = None          # the WebDNN graph whose descriptors are being written
        self.onnx = None

    def steps(self):
        steps = [('loading the %s%s from %s' % ('' if dataset == contract.DIGITS
                                                else dataset + ' ', kind, shown(path)),
                  functools.partial(self.load, dataset, kind, path))
                 for (dataset, kind), path in self.sources.items()]
        for plan in self.graphs:
            steps.append(('%s: tracing the eval-mode Chainer graph' % plan.folder,
                          functools.partial(self.trace, plan)))
            for backend in self.args.backends:
                compiler = ' (em++)' if backend == 'webassembly' else ''
                steps.append(('%s: %s descriptor%s' % (plan.folder, backend, compiler),
                              functools.partial(self.descriptor, plan, backend)))
        if self.args.onnx:
            steps.append(('generator: ONNX model (onnx_export.py), checked against Chainer',
                          self.write_onnx))
        steps.append(('writing contract.json', self.write_contract))
        steps.append(('swapping the new files into %s' % shown(self.out),
                      functools.partial(swap_in, self.staging, self.out)))
        return steps

    def load(self, dataset, kind, path):
        if kind == 'encoder':       # after the generator: a broken one is named first
            handwriting.check_pair(path, self.sources[DIGITS, 'generator'])
        network = self.networks[dataset, kind] = checkpoints.load_network(kind, path)
        if kind == 'recogniser' and dataset != DIGITS:
            drawn = self.networks[dataset, 'generator'].labels
            if network.labels != drawn:
                raise cli.UserError('the classifier %s names %s; its generator draws %s'
                                    % (path, ', '.join(network.labels), ', '.join(drawn)))

    def trace(self, plan):
        network = self.networks[plan.dataset, plan.kind]
        self.traced = export.to_graph(plan.kind, network, plan.batch)
        pairs_with = export.sha256_of(self.sources[DIGITS, 'generator']) \
            if plan.kind == 'encoder' else None
        self.converted.append(contract.ConvertedGraph(
            plan, network, self.sources[plan.dataset, plan.kind], pairs_with))

    def descriptor(self, plan, backend):
        written = export.write_descriptor(self.traced, backend,
                                          os.path.join(self.staging, plan.folder),
                                          self.args.eightbit, self.args.wasm_simd)
        if written['note']:
            self.notes.add('%s: %s' % (backend, written['note']))
        return '%.2f MB in %d files' % (sum(written['files'].values()) / 1e6,
                                        len(written['files']))

    def write_onnx(self):
        """<staging>/generator.onnx, checked against Chainer."""
        import numpy
        import onnx
        network, source = self.networks[DIGITS, 'generator'], self.sources[DIGITS, 'generator']
        path = os.path.join(self.staging, 'generator.onnx')
        entry = dict(onnx_export.save_generator(network, path), file='generator.onnx')
        z = network.make_hidden(10, rng=numpy.random.RandomState(0))
        x = network.make_input(z, numpy.arange(10) % network.n_classes)
        difference = float(numpy.abs(
            onnx_export.run_reference(onnx.load(path), x)
            - export.reference_output('generator', network, x)).max())
        if not difference <= ONNX_TOLERANCE:
            raise cli.UserError('the ONNX generator differs from Chainer by %.3g (more than %g)'
                                % (difference, ONNX_TOLERANCE))
        entry.update(max_abs_difference_from_chainer=difference,
                     source={'sha256': export.sha256_of(source)})
        self.onnx = entry
        return '%.2f MB, max |ONNX - Chainer| = %.1e' % (entry['bytes'] / 1e6, difference)

    def write_contract(self):
        contract.write(self.staging, contract.build(
            self.staging, self.converted, self.args.backends, self.args.eightbit,
            self.args.wasm_simd, HERE, self.onnx))
        if 'webgpu' in self.args.backends:
            self.notes.add('webgpu: descriptors for the old WebMetal API, which current '
                           'browsers lack')


def run_steps(steps):
    """Run each step under a numbered line: `[3/9] generator: webgl descriptor ...`."""
    for number, (text, action) in enumerate(steps, 1):
        print('[%d/%d] %s ...' % (number, len(steps), text), flush=True)
        started = time.perf_counter()
        detail = action()
        print('      %.1f s%s' % (time.perf_counter() - started,
                                  ', ' + detail if detail else ''), flush=True)


def stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt     # `kill` cleans up like Ctrl-C (SIGKILL: the next run does)


def main(argv=None):
    args = parse_args(argv)
    sources = {(DIGITS, 'generator'): args.generator or checkpoints.newest_generator(),
               (DIGITS, 'recogniser'): args.recogniser}
    if not args.without_encoder:
        sources[DIGITS, 'encoder'] = args.encoder
    for (_, kind), path in sources.items():
        if not os.path.isfile(path):
            hint = (': train one with `python train_encoder.py`, or pass --without-encoder'
                    if kind == 'encoder' else '')
            raise cli.UserError('%s snapshot %s: no such file%s' % (kind, path, hint))
    others = pack_plan.other_datasets(args)
    for name, paths in others.items():
        sources.update(((name, kind), path) for kind, path in paths.items())

    out = os.path.abspath(args.out)
    for name in remove_stale_side_folders(out):   # first: it may bring a retired `out` back
        print('removed %s, left by a run that was killed' % name, flush=True)
    check_replaceable(out)
    held = contract.graphs_in(out)
    check_toolchain(args.backends, held, args.allow_fewer)
    graphs = pack_plan.planned_graphs(args, others)
    if not args.allow_fewer:
        check_not_narrowing(out, held, graphs, args.backends, args.onnx)
    cli.writable_folder(os.path.dirname(out))

    signal.signal(signal.SIGTERM, stop_on_sigterm)
    staging = side_folder(out, 'new')
    try:
        os.chmod(staging, 0o777 & ~cli.UMASK)  # mkdtemp makes it private; `out` is served
        conversion = Conversion(args, sources, graphs, staging, out)
        run_steps(conversion.steps())
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for note in sorted(conversion.notes):
        print('note: %s' % note)
    print('wrote %s (%s; %s, %s weights)'
          % (shown(out), ', '.join(plan.folder for plan in graphs), ', '.join(args.backends),
             'eightbit' if args.eightbit else 'float32'))


if __name__ == '__main__':
    cli.run(main)
