#!/usr/bin/env python
"""Convert the trained generator and recogniser into WebDNN graph descriptors for the app.

    python 2pack.py                       # newest result-dcgan/gen_iter_<N>.npz and
                                          # result-recogniser/recogniser.npz -> app/models/
    python 2pack.py --eightbit            # 8-bit weights: ~4x smaller files, small error
    python 2pack.py --generator result-dcgan/gen_iter_5000.npz --backends webgl --out /tmp/m
    python 2pack.py --onnx --out /tmp/m   # also <out>/generator.onnx (onnxruntime & co.)

Writes <out>/generator/ and <out>/recogniser/ (every backend's files in one folder:
WebDNN.load picks by backend), <out>/generator-b10/ with --batch10, <out>/generator-b100/
with --batch100, <out>/generator.onnx with --onnx, and <out>/contract.json,
which tells the app shapes, ranges, label order, z prior and where the weights came from.
Everything is built in a folder beside <out> and renamed into place at the end, so <out>
holds either the complete old set or the complete new one.
"""
import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time

from digitgan import checkpoints, cli, onnx_export  # first: makes chainer importable
from digitgan import webdnn_export as export

HERE = os.path.dirname(os.path.abspath(__file__))
# What 2pack.py writes into --out; anything else there means --out points somewhere wrong.
OUTPUT_ENTRIES = {'generator', 'generator-b10', 'generator-b100', 'generator.onnx',
                  'recogniser', 'contract.json'}
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
    parser.add_argument('--out', '-o', default=os.path.join(HERE, 'app', 'models'),
                        help='output folder, replaced as a whole (default: app/models/)')
    parser.add_argument('--backends', default=','.join(export.DEFAULT_BACKENDS),
                        help='comma-separated (default: %%(default)s). webassembly needs em++ '
                             '(%s); webgpu writes Metal kernels for the old WebMetal API of '
                             'Safari, which current browsers do not run' % export.EMSCRIPTEN_INSTALL)
    parser.add_argument('--wasm-simd', action=argparse.BooleanOptionalAction, default=True,
                        help='build the webassembly kernels with WebAssembly SIMD (default: '
                             'yes; every current browser has it; one without it cannot use '
                             'the webassembly backend)')
    parser.add_argument('--eightbit', action='store_true',
                        help='8-bit weight encoding: ~4x smaller weight files, outputs differ '
                             'from float32 by a few hundredths')
    parser.add_argument('--batch10', action='store_true',
                        help='also write generator-b10/: a batch-10 generator (one row of '
                             'digits 0-9 per run; the app draws "all digits" with it)')
    parser.add_argument('--batch100', action='store_true',
                        help='also write generator-b100/: a batch-100 generator (the 10x10 '
                             'grid in one run)')
    parser.add_argument('--onnx', action='store_true',
                        help='also write generator.onnx (opset %d, symbolic batch size) for '
                             'ONNX runtimes, checked against Chainer within %g'
                             % (onnx_export.OPSET, ONNX_TOLERANCE))
    args = parser.parse_args(argv)
    args.backends = parse_backends(args.backends)
    return args


class Steps:
    """Numbered progress lines: `[3/8] generator: webassembly descriptor ... 4.2 s, 1.5 MB`."""

    def __init__(self, total):
        self.total = total
        self.number = 0

    @contextlib.contextmanager
    def __call__(self, text):
        self.number += 1
        print('[%d/%d] %s ...' % (self.number, self.total, text), flush=True)
        started = time.perf_counter()
        result = {}
        yield result
        print('      %.1f s%s' % (time.perf_counter() - started,
                                  ', ' + result['detail'] if 'detail' in result else ''),
              flush=True)


def shown(path):
    """`path` relative to the working folder when it lies inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith(os.pardir) else relative


def check_replaceable(out):
    if os.path.isdir(out):
        strangers = sorted(set(os.listdir(out)) - OUTPUT_ENTRIES)
        if strangers:
            raise cli.UserError('%s holds files that 2pack.py did not write (%s); it is replaced '
                                'as a whole, so choose a new or empty --out'
                                % (out, ', '.join(strangers[:3])))
    elif os.path.exists(out):
        raise cli.UserError('--out %s exists and is not a folder' % out)


def swap_in(staging, out):
    """Rename the finished folder to `out`; an old `out` is moved aside first, then deleted."""
    if not os.path.exists(out):
        os.rename(staging, out)
        return
    retired = tempfile.mkdtemp(dir=os.path.dirname(out), prefix='.%s.old-' % os.path.basename(out))
    os.rename(out, os.path.join(retired, os.path.basename(out)))
    os.rename(staging, out)
    shutil.rmtree(retired, ignore_errors=True)


def usable_backends(requested):
    """The requested backends less webassembly when em++ is missing (said on stderr)."""
    problem = export.webassembly_toolchain_problem() if 'webassembly' in requested else None
    if not problem:
        return list(requested)
    backends = [name for name in requested if name != 'webassembly']
    if not backends:
        raise cli.UserError('cannot write webassembly descriptors: %s' % problem)
    print('warning: webassembly skipped: %s; writing %s only' % (problem, ', '.join(backends)),
          file=sys.stderr, flush=True)
    return backends


def same_file(a, b):
    return os.path.isfile(a) and os.path.isfile(b) and export.sha256_of(a) == export.sha256_of(b)


def build(staging, graphs, networks, sources, backends, eightbit, steps, onnx=False,
          wasm_simd=True):
    """Write every graph's descriptors and contract.json into `staging`; returns notes."""
    contract = {'format': 1, 'written_by': '2pack.py',
                'webdnn_version': export.webdnn_version(), 'backend_order': backends}
    if 'webassembly' in backends:
        contract['webassembly_simd'] = wasm_simd
    notes = set()
    for key, kind, batch, folder_name in graphs:
        with steps('%s: tracing the eval-mode Chainer graph' % folder_name):
            graph = export.to_graph(kind, networks[kind], batch)
        for backend in backends:
            compiler = ' (em++)' if backend == 'webassembly' else ''
            with steps('%s: %s descriptor%s' % (folder_name, backend, compiler)) as step:
                written = export.write_descriptor(
                    graph, backend, os.path.join(staging, folder_name), eightbit, wasm_simd)
                step['detail'] = '%.2f MB in %d files' % (
                    sum(written['files'].values()) / 1e6, len(written['files']))
            if written['note']:
                notes.add('%s: %s' % (backend, written['note']))
        contract[key] = export.contract_entry(kind, networks[kind], batch, folder_name,
                                              staging, backends, eightbit, sources[kind], HERE)
        if kind == 'generator' and folder_name != 'generator':
            # The batched graphs' weight files are often byte for byte the single one's: the
            # app then loads them from generator/, so the browser fetches them only once.
            contract[key]['weights_folder'] = {
                backend: 'generator' for backend in backends
                if all(same_file(os.path.join(staging, folder_name, name),
                                 os.path.join(staging, 'generator', name))
                       for name in export.WEIGHT_FILES[backend])}
    if onnx:
        contract['generator_onnx'] = write_onnx(staging, networks['generator'],
                                                sources['generator'], steps)
    with open(os.path.join(staging, 'contract.json'), 'w') as f:
        json.dump(contract, f, indent=2)
        f.write('\n')
    if 'webgpu' in backends:
        notes.add('webgpu: descriptors for the old WebMetal API, which current browsers lack')
    return notes


def write_onnx(staging, network, source, steps):
    """<staging>/generator.onnx, checked against Chainer; returns its contract entry."""
    import numpy
    import onnx
    with steps('generator: ONNX model (onnx_export.py), checked against Chainer') as step:
        path = os.path.join(staging, 'generator.onnx')
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
        step['detail'] = '%.2f MB, max |ONNX - Chainer| = %.1e' % (entry['bytes'] / 1e6,
                                                                   difference)
    return entry


def main(argv=None):
    args = parse_args(argv)
    sources = {'generator': args.generator or checkpoints.newest_generator(),
               'recogniser': args.recogniser}
    for kind, path in sources.items():
        if not os.path.isfile(path):
            raise cli.UserError('%s snapshot %s: no such file' % (kind, path))
    backends = usable_backends(args.backends)
    out = os.path.abspath(args.out)
    check_replaceable(out)
    cli.writable_folder(os.path.dirname(out))

    graphs = [('generator', 'generator', 1, 'generator')]  # (contract key, kind, batch, folder)
    if args.batch10:
        graphs.append(('generator_b10', 'generator', 10, 'generator-b10'))
    if args.batch100:
        graphs.append(('generator_b100', 'generator', 100, 'generator-b100'))
    graphs.append(('recogniser', 'recogniser', 1, 'recogniser'))
    steps = Steps(len(sources) + len(graphs) * (1 + len(backends)) + 1 + int(args.onnx))
    networks = {}
    for kind, path in sources.items():
        with steps('loading the %s from %s' % (kind, shown(path))):
            networks[kind] = checkpoints.load_network(kind, path)

    staging = tempfile.mkdtemp(dir=os.path.dirname(out), prefix='.%s.new-' % os.path.basename(out))
    try:
        os.chmod(staging, 0o777 & ~cli.UMASK)  # mkdtemp makes it private; `out` is served
        notes = build(staging, graphs, networks, sources, backends, args.eightbit, steps,
                      args.onnx, args.wasm_simd)
        with steps('swapping the new files into %s' % shown(out)):
            swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for note in sorted(notes):
        print('note: %s' % note)
    print('wrote %s (%s, %s weights)' % (shown(out), ', '.join(backends),
                                         'eightbit' if args.eightbit else 'float32'))


if __name__ == '__main__':
    cli.run(main)
