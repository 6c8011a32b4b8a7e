"""What the benchmark steps share: where things are, the shipped models
(app/models/contract.json), the weights they were converted from, and their 8-bit version.

    contract = shipped_contract()
    weights = source_weights(contract, generator=None, recogniser=None)   # {kind: npz path}
    eightbit = eightbit_models(contract, weights)                          # a models folder

Weights are passed along as arguments, never kept in module globals: bench/run.py is run as
__main__, and a module that imported it would get a second copy with its own globals.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys

import digitgan
from digitgan.cli import UserError

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CACHE = os.path.join(HERE, '.cache')
PACKAGE = os.path.dirname(os.path.abspath(digitgan.__file__))
KINDS = ('generator', 'recogniser')


def log(text):
    print(text, file=sys.stderr, flush=True)


def file_bytes(path):
    with open(path, 'rb') as f:
        return f.read()


def shipped_contract():
    """app/models/contract.json, after checking that dist/ was built from it."""
    path = os.path.join(ROOT, 'app', 'models', 'contract.json')
    if not os.path.isfile(path):
        raise UserError('app/models/contract.json is missing: run python 2pack.py, then '
                        'npm run build')
    with open(path) as f:
        contract = json.load(f)
    built = os.path.join(ROOT, 'dist', 'models', 'contract.json')
    if not os.path.isfile(built) or json.loads(file_bytes(built)) != contract:
        raise UserError('dist/ is missing or older than app/models: run npm run build')
    return contract


def add_weight_arguments(parser):
    """--generator / --recogniser, which source_weights() takes."""
    for kind in KINDS:
        parser.add_argument('--' + kind, metavar='NPZ',
                            help='a copy of the %s weights that app/models/contract.json names '
                                 '(same sha256), if the original is gone' % kind)


def source_weights(contract, generator=None, recogniser=None):
    """{'generator': npz, 'recogniser': npz}: the files contract.json names, or the copies
    given (--generator / --recogniser: training keeps only its newest gen_iter_<N>.npz), each
    checked by the sha256 that 2pack.py recorded."""
    given = {'generator': generator, 'recogniser': recogniser}
    weights = {}
    for kind in KINDS:
        entry = contract[kind]['source']
        path = os.path.abspath(given[kind]) if given[kind] else os.path.join(ROOT, entry['npz'])
        if given[kind] and not os.path.isfile(path):
            raise UserError('--%s %s: no such file' % (kind, given[kind]))
        if not os.path.isfile(path):
            raise UserError('%s (the %s weights app/models/contract.json names) is missing: '
                            'pass a copy with --%s, or re-run python 2pack.py with weights '
                            'that exist' % (entry['npz'], kind, kind))
        if hashlib.sha256(file_bytes(path)).hexdigest() != entry['sha256']:
            raise UserError('%s is not the %s file 2pack.py converted (sha256 differs): pass '
                            'that file, or re-run python 2pack.py' % (path, kind))
        weights[kind] = path
    return weights


def shipped_2pack_flags(contract):
    """The 2pack.py flags that reproduce app/models' set of graphs."""
    flags = ['--batch10' if 'generator_b10' in contract else '--no-batch10',
             '--batch100' if 'generator_b100' in contract else '--no-batch100']
    simd = contract.get('webassembly_simd')
    if simd is not None:
        flags.append('--wasm-simd' if simd else '--no-wasm-simd')
    return flags


def conversion_key(weights, flags):
    """What an 8-bit conversion depends on: the weights, the flags and the converter's code
    (2pack.py and the whole package: a change anywhere converts again, which is safe)."""
    digest = hashlib.sha256()
    code = [os.path.join(ROOT, '2pack.py')] + sorted(
        os.path.join(folder, name) for folder, _, names in os.walk(PACKAGE)
        for name in names if name.endswith(('.py', '.cpp')))
    for path in [weights['generator'], weights['recogniser']] + code:
        digest.update(file_bytes(path))
    digest.update(' '.join(flags).encode())
    return digest.hexdigest()[:16]


def eightbit_models(contract, weights):
    """app/models converted again with --eightbit from `weights`; cached in bench/.cache/
    by conversion_key. Returns the models folder (with contract.json)."""
    flags = ['--eightbit'] + shipped_2pack_flags(contract)
    out = os.path.join(CACHE, 'eightbit-' + conversion_key(weights, flags), 'models')
    if os.path.isfile(os.path.join(out, 'contract.json')):
        return out
    log('converting the weights with 2pack.py %s (cached in %s)'
        % (' '.join(flags), os.path.relpath(out, ROOT)))
    for name in os.listdir(CACHE) if os.path.isdir(CACHE) else []:
        if name.startswith('eightbit-'):              # older weights, flags or code
            shutil.rmtree(os.path.join(CACHE, name), ignore_errors=True)
    os.makedirs(os.path.dirname(out))
    done = subprocess.run([sys.executable, os.path.join(ROOT, '2pack.py'),
                           '--generator', weights['generator'],
                           '--recogniser', weights['recogniser'], '--out', out] + flags,
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        log((done.stdout + done.stderr)[-3000:])
        raise UserError('2pack.py --eightbit failed (its output is above)')
    return out
