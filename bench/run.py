#!/usr/bin/env python
"""`make bench`: the shipped generator in every browser engine, and the training step in
Chainer and PyTorch, side by side. Prints a table and writes bench/results.json.

    python bench/run.py                 # everything (~6-9 minutes on 2 cores)
    python bench/run.py --quick         # fewer runs, to check that everything works
    python bench/run.py --only browser  # or: --only felt, --only training, --only handwriting

Steps: felt_latency.py (input -> answer painted on both pages, idle and with one core
busy), browser_bench.py (every engine in headless Chromium), eightbit_quality.py (8-bit
weights against float32 on the same digits), handwriting_bench.py (the recogniser page's
row "in your handwriting" after the pen lifts), train_bench.py (the three trainers' steps,
with and without the CPU kernels, on one core and two, and PyTorch); machine.py records
what ran where. This file: the command line, the targets and the table.
"""
import json
import os

from digitgan import cli

import train_bench
from browser_bench import browser_benchmark
from common import (HERE, add_weight_arguments, eightbit_models, log, shipped_contract,
                    source_weights)
from eightbit_quality import measure as eightbit_quality
from felt_latency import felt_benchmark
from handwriting_bench import handwriting_benchmark
from machine import machine_info

RESULTS = os.path.join(HERE, 'results.json')
# Targets from the issue; checked against this run's figures at the end.
TARGETS = {'digit_ms': 1.0, 'grid_ms': 30.0, 'cold_ms': 300.0, 'model_kb_8bit': 300.0,
           'webdnn_over_best_peer': 1.0, 'chainer_over_pytorch': 1.5, 'pen_up_to_row_ms': 50.0,
           'both_cores_speedup': 1.6, 'press_p95_ms': 16.0, 'verdict_p95_ms': 16.0,
           'row_p95_ms': 50.0, 'morph_fps': 55.0}
# (figure in felt_latency's results, its target, what the check says)
FELT_CHECKS = (('press_to_digit_painted', 'press_p95_ms', 'press -> new digit painted p95'),
               ('pen_up_to_verdict_painted', 'verdict_p95_ms', 'pen-up -> verdict painted p95'),
               ('pen_up_to_row_painted', 'row_p95_ms', 'pen-up -> row painted p95'))
# printed, not checked: the same strokes with the pen held still before the lift
FELT_MORE = (('rested_pen_up_to_verdict_painted', 'pen held, lifted -> verdict painted'),
             ('rested_pen_up_to_row_painted', 'pen held, lifted -> row painted'))


def felt_checks(felt):
    """Targets of the felt latencies: the p95s on the idle machine, the morph's rate."""
    checks = {}
    idle = (felt or {}).get('idle') or {}
    for key, target, words in FELT_CHECKS:
        if idle.get(key):
            checks['%s <= %.0f ms (idle)' % (words, TARGETS[target])] = \
                idle[key]['p95_ms'] <= TARGETS[target]
    if idle.get('morph_fps') is not None:
        checks['morph >= 55 frames/s (idle)'] = idle['morph_fps'] >= TARGETS['morph_fps']
    return checks


# ---------------------------------------------------------------- report

def comparisons(browser, training, quality=None, handwriting=None, felt=None):
    out = {}
    if handwriting and handwriting.get('pen_up_to_row_ms') is not None:
        out['pen_up_to_row_ms'] = handwriting['pen_up_to_row_ms']
    if quality:
        out['eightbit_accuracy_drop_points'] = quality['accuracy_drop_points']
    if browser:
        rows = {row['engine']: row for row in browser['rows'] if 'error' not in row}
        peers = [row for name, row in rows.items() if not name.startswith('WebDNN')]
        app = rows.get('WebDNN webassembly (app)')
        app8 = rows.get('WebDNN webassembly 8-bit (app)')
        if app and peers:
            best_digit = min(peers, key=lambda r: r['digit_ms'])
            best_grid = min(peers, key=lambda r: r['grid_ms'])
            out['webdnn_digit_over_best_peer'] = app['digit_ms'] / best_digit['digit_ms']
            out['best_peer_digit'] = best_digit['engine']
            out['webdnn_grid_over_best_peer'] = app['grid_ms'] / best_grid['grid_ms']
            out['best_peer_grid'] = best_grid['engine']
        clothes = rows.get('WebDNN webassembly (app, fashion-mnist)')
        if clothes:
            out['clothes_cold_ms'] = clothes['cold_start_ms']
            out['clothes_image_ms'] = clothes['digit_ms']
        if app:
            out['digit_ms'] = app['digit_ms']
            out['grid_ms'] = app['grid_ms']
            out['cold_ms'] = app['cold_start_ms']
        if app8:
            out['model_kb_8bit'] = app8['transfer']['model_raw'] / 1000
            out['model_kb_8bit_gzip'] = app8['transfer']['model_gzip'] / 1000
            out['cold_ms_8bit'] = app8['cold_start_ms']
    if training and 'gan' in training:
        gan = training['gan']['summary']
        out['chainer_over_pytorch'] = gan['chainer_over_pytorch_1_thread']
        out['both_cores_speedup'] = {task: max(v for k, v in t['summary'].items()
                                               if k.startswith('both_cores'))
                                     for task, t in training.items()}
    checks = felt_checks(felt)
    if 'digit_ms' in out:
        checks['one digit <= 1 ms (webassembly)'] = out['digit_ms'] <= TARGETS['digit_ms']
        checks['10x10 grid <= 30 ms (webassembly)'] = out['grid_ms'] <= TARGETS['grid_ms']
        checks['cold start <= 300 ms'] = out['cold_ms'] <= TARGETS['cold_ms']
    if 'clothes_cold_ms' in out:
        checks['clothes: cold start <= 300 ms'] = out['clothes_cold_ms'] <= TARGETS['cold_ms']
    if 'pen_up_to_row_ms' in out:
        checks['pen-up -> handwriting row <= 50 ms (webassembly)'] = \
            out['pen_up_to_row_ms'] <= TARGETS['pen_up_to_row_ms']
    if 'webdnn_digit_over_best_peer' in out:
        checks['WebDNN digit time <= best peer'] = out['webdnn_digit_over_best_peer'] <= 1.0
        checks['WebDNN grid time <= best peer'] = out['webdnn_grid_over_best_peer'] <= 1.0
    if quality:
        checks['8-bit conditional accuracy drop <= 0.2 points'] = \
            quality['accuracy_drop_points'] <= 0.2
    if 'model_kb_8bit' in out:
        checks['8-bit model download <= 300 kB'] = out['model_kb_8bit'] <= TARGETS['model_kb_8bit']
    if training and 'gan' in training:
        checks['Chainer GAN step <= 1.5x PyTorch (1 thread)'] = \
            out['chainer_over_pytorch'] <= TARGETS['chainer_over_pytorch']
        for task, speedup in out['both_cores_speedup'].items():
            checks['%s: both cores >= 1.6x one core (images/s)' % task] = \
                speedup >= TARGETS['both_cores_speedup']
    out['targets_met'] = checks
    return out


def print_report(results):
    info = results['machine']
    print('\nBenchmark %s | %s, %d cores | %s | no GPU (CPU only)' % (
        info['date'], info['cpu'], info['cores'],
        'Chromium ' + info['chromium'] if info.get('chromium') else ''))
    browser = results.get('browser')
    if browser:
        print('\nBrowser inference: generator %s (%d parameters), headless Chromium %s'
              % (browser['generator']['npz'], browser['generator']['parameters'],
                 browser['browser']))
        header = ('engine', 'cold ms', 'digit ms', 'grid ms', '(batch)', 'kB raw', 'kB gz',
                  'model kB', 'model gz', 'max|diff|')
        print('%-34s %8s %9s %8s %7s %8s %7s %8s %8s %9s' % header)
        for row in browser['rows']:
            if 'error' in row:
                print('%-34s failed: %s' % (row['engine'], row['error'].splitlines()[0][:100]))
                continue
            t = row['transfer']
            difference = '%9.1e' % row['max_abs_diff'] if row['max_abs_diff'] is not None \
                else '%9s' % '-'            # another data set: no Chainer reference run
            print('%-34s %8.0f %9.3f %8.1f %7s %8.0f %7.0f %8.0f %8.0f %s' % (
                row['engine'], row['cold_start_ms'], row['digit_ms'], row['grid_ms'],
                row['grid_batch'], t['raw'] / 1000, t['gzip'] / 1000, t['model_raw'] / 1000,
                t['model_gzip'] / 1000, difference))
        print('cold: navigation -> first digit drawn (median of fresh-cache loads); digit: '
              'median of single runs after warm-up; grid: 100 digits generated + drawn '
              '(median), in runs of (batch); kB: responses before the first digit; '
              'max|diff|: vs Chainer eval mode')
    quality = results.get('eightbit_quality')
    if quality:
        print('\n8-bit weights, same %d digits (z, label) from the float32 and the 8-bit '
              'descriptors, evaluate.py --samples:' % quality['digits'])
        for name in ('float32', 'eightbit'):
            q = quality[name]
            print('  %-9s conditional accuracy %.4f, Frechet %.2f, max|diff| from Chainer %.3f'
                  % (name, q['conditional_accuracy'], q['frechet_distance'],
                     q['max_abs_diff_from_chainer']))
        print('  accuracy drop %.2f points; the recogniser reads %.2f %% of the digit pairs alike'
              % (quality['accuracy_drop_points'], 100 * quality['same_reading_share']))
    felt = results.get('felt')
    if felt:
        print('\nFelt latency (real bundle, webassembly; the pages\' own input -> painted '
              'timing): p50 / p95 / max ms')
        for condition in ('idle', 'one_core_busy'):
            figures = felt.get(condition) or {}
            if figures.get('errors'):
                first = figures['errors'][0].splitlines()[0][:100]
                print('  %-14s failed: %s' % (condition, first))
                continue
            for key, words in [(key, words.replace(' p95', '')) for key, _, words in FELT_CHECKS] \
                    + list(FELT_MORE):
                row = figures.get(key)
                if row:
                    print('  %-14s %-38s %6.1f %6.1f %6.1f  (n=%d)' % (
                        condition, words, row['p50_ms'], row['p95_ms'],
                        row['max_ms'], row['count']))
            print('  %-14s %-38s %s' % (condition, 'morph frames/s', figures.get('morph_fps')))
    handwriting = results.get('handwriting')
    if handwriting:
        print('\nHandwriting row (recogniser page, real bundle, webassembly): ', end='')
        if 'error' in handwriting:
            print('failed: %s' % handwriting['error'].splitlines()[0][:100])
        else:
            print('pen-up -> row of 10 digits drawn: median %.1f ms over %d strokes '
                  '(rows shown %d/%d; all: %s)' % (
                      handwriting['pen_up_to_row_ms'] or float('nan'), len(handwriting['all_ms']),
                      handwriting['rows_shown'], handwriting['strokes'],
                      ' '.join('%.0f' % ms for ms in handwriting['all_ms'])))
            if handwriting.get('pen_up_to_verdict_ms') is not None:
                print('pen-up -> verdict shown: median %.1f ms, p95 %.1f ms' % (
                    handwriting['pen_up_to_verdict_ms'], handwriting['verdict_p95_ms']))
    training = results.get('training')
    if training and 'gan' in training:
        print('\nTraining: one step at batch 100 on the CPU (interleaved subprocesses; no GPU);'
              ' chainer = with digitgan/cpu_kernels/, chainer-original = Chainer\'s own '
              'functions (DIGITGAN_CPU_KERNELS=0)')
        print('%-10s %-12s %-17s %10s %10s %12s %10s' % (
            'trainer', 'cores', 'framework', 's/step', 'images/s', 'peak RSS MB', 'params'))
        for task, by_configuration in training.items():
            for configuration, rows in by_configuration.items():
                if configuration == 'summary':
                    continue
                for name, row in rows.items():
                    print('%-10s %-12s %-17s %10.3f %10.0f %12.0f %10d' % (
                        task, configuration, name, row['seconds_per_step'],
                        row['images_per_second'], row['peak_rss_mb'],
                        sum(row['parameters'].values())))
            print('%-10s %s' % ('', ', '.join('%s %.2fx' % (k.replace('_', ' '), v) for k, v
                                              in by_configuration['summary'].items())))
    summary = results['summary']
    print('\nTargets:')
    for name, met in summary['targets_met'].items():
        print('  %-45s %s' % (name, {True: 'met', False: 'MISSED', None: '-'}[met]))
    for key in ('webdnn_digit_over_best_peer', 'webdnn_grid_over_best_peer'):
        if key in summary:
            print('  %-45s %.2f (best peer: %s)' % (
                key.replace('_', ' '), summary[key],
                summary['best_peer_' + key.split('_')[1]]))


def previous_results(path):
    """The results --out holds, so that a run of one step updates only its section."""
    try:
        with open(path) as f:
            results = json.load(f)
    except (OSError, ValueError):
        return {}
    return results if isinstance(results, dict) else {}


def main():
    parser = cli.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--quick', action='store_true',
                        help='fewer runs and rounds: checks the benchmark, not the machine')
    parser.add_argument('--only', choices=('browser', 'felt', 'training', 'handwriting'),
                        help='one step (browser includes the handwriting row); the other '
                             'sections of --out are kept')
    parser.add_argument('--out', default=RESULTS, help='JSON results (default: %(default)s)')
    add_weight_arguments(parser)
    args = parser.parse_args()
    if not os.path.isdir(os.path.dirname(os.path.abspath(args.out))):
        raise cli.UserError('--out %s: no such folder' % args.out)

    # --only: the other sections, and the machine they were measured on, stay as they were;
    # the new section carries its own machine record.
    results = previous_results(args.out) if args.only else {}
    results.setdefault('machine', machine_info())
    if args.only in (None, 'felt'):
        shipped_contract()                  # dist/ built from app/models
        results['felt'] = felt_benchmark(args.quick)
        if args.only:
            results['felt']['machine'] = machine_info()
    if args.only in (None, 'browser'):
        contract = shipped_contract()
        weights = source_weights(contract, args.generator, args.recogniser)
        eightbit = eightbit_models(contract, weights)
        results['browser'] = browser_benchmark(weights, eightbit, args.quick,
                                               contract['generator']['source']['npz'])
        results['machine']['chromium'] = results['browser']['browser']
        results['eightbit_quality'] = eightbit_quality(
            weights, eightbit, per_label=100 if args.quick else 500,
            real=1000 if args.quick else 2000)
    if args.only in (None, 'browser', 'handwriting'):
        shipped_contract()                  # dist/ built from app/models
        results['handwriting'] = handwriting_benchmark(args.quick)
        if args.only:
            results['handwriting']['machine'] = machine_info()
        results['machine'].setdefault('chromium', results['handwriting']['browser'])
    if args.only in (None, 'training'):
        log('training: Chainer vs PyTorch, full G+D step at batch 100 (no GPU: CPU only)')
        results['training'] = train_bench.run(
            rounds=1 if args.quick else 3, iterations=4 if args.quick else 12,
            warmup=2 if args.quick else 3, log=log)
    results['summary'] = comparisons(results.get('browser'), results.get('training'),
                                     results.get('eightbit_quality'), results.get('handwriting'),
                                     results.get('felt'))
    results['machine']['load_average_at_end'] = os.getloadavg()
    # indent=1 as before: results.json is committed, and diffs should stay readable.
    with cli.atomic_path(args.out) as tmp:
        with open(tmp, 'w') as f:
            json.dump(results, f, indent=1)
            f.write('\n')
    print_report(results)
    print('\nwrote %s' % os.path.relpath(args.out))


if __name__ == '__main__':
    cli.run(main)
