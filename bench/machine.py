"""What ran where: CPU, memory, OS, toolchain and every library version, for results.json.
A figure without its machine cannot be compared with another."""
import datetime
import json
import os
import platform
import subprocess

import numpy

from common import ROOT

NPM_PACKAGES = ('webdnn', 'onnxruntime-web', '@tensorflow/tfjs-core',
                '@tensorflow/tfjs-backend-wasm', 'playwright-core', 'numjs', 'webpack')
PY_PACKAGES = ('chainer', 'numpy', 'webdnn', 'torch', 'onnx', 'onnxruntime')


def command_output(command):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60,
                              cwd=ROOT).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def proc_field(path, key):
    """The first `key: value` line's value in a /proc file, or None."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return None


def memory_gb():
    total = proc_field('/proc/meminfo', 'MemTotal')     # "24545968 kB"
    return round(int(total.split()[0]) / 1024 ** 2, 1) if total else None


def package_versions():
    from importlib import metadata
    python_packages = {}
    for name in PY_PACKAGES:
        try:
            python_packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            python_packages[name] = None
    npm_packages = {}
    for name in NPM_PACKAGES:
        try:
            with open(os.path.join(ROOT, 'node_modules', name, 'package.json')) as f:
                npm_packages[name] = json.load(f)['version']
        except OSError:
            npm_packages[name] = None
    return python_packages, npm_packages


def blas():
    try:
        found = numpy.__config__.CONFIG['Build Dependencies']['blas']
        return '%s %s' % (found.get('name'), found.get('version'))
    except (AttributeError, KeyError, TypeError):
        return None


def machine_info():
    python_packages, npm_packages = package_versions()
    emcc = command_output(['em++', '--version'])
    return {
        'date': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
        'cpu': proc_field('/proc/cpuinfo', 'model name') or platform.processor()
        or platform.machine(),
        'cores': os.cpu_count(), 'memory_gb': memory_gb(),
        'gpu': 'none used: this benchmark runs on the CPU only (no GPU on this machine)',
        'os': platform.platform(), 'python': platform.python_version(),
        'node': command_output(['node', '--version']),
        'emscripten': emcc.splitlines()[0] if emcc else None,
        'blas': blas(),
        'openblas_coretype': os.environ.get('OPENBLAS_CORETYPE'),
        'python_packages': python_packages, 'npm_packages': npm_packages,
        'load_average_at_start': os.getloadavg(),
    }
