"""Make chainer 7.8.1 and webdnn 1.2.11 import and run on today's Python, NumPy and CuPy.

Both libraries are unmaintained; every workaround for that lives here and nowhere else.
Every entry point imports this module before chainer or webdnn:

    import compat  # noqa: F401  (must come first)

Each shim is applied only when the thing it replaces is missing, so on an old stack this
module changes nothing. tests/test_compat.py removes each missing piece and checks that
the shim brings back what chainer/webdnn need.
"""
import collections
import collections.abc
import os
import sys
import types
import warnings

import numpy

# chainer warns at import that CuPy > 7 "may not be compatible"; the project checks CuPy
# itself (tests, GPU notes in the README), so the warning is noise for users.
os.environ.setdefault('CHAINER_WARN_VERSION_MISMATCH', '0')

# Aliases removed from `collections` in Python 3.10; webdnn does
# `from collections import Collection`.
COLLECTIONS_ABC_NAMES = ('Collection', 'Iterable', 'Mapping', 'MutableMapping',
                         'Sequence', 'MutableSequence', 'Set', 'Callable')


def patch_collections():
    for name in COLLECTIONS_ABC_NAMES:
        if not hasattr(collections, name):
            setattr(collections, name, getattr(collections.abc, name))


def patch_numpy_aliases():
    """Scalar aliases removed in NumPy 1.24 (webdnn's JSON encoder) and `sctypes`,
    removed in NumPy 2 (chainer.functions.as_strided reads it at import)."""
    for name, value in (('int', int), ('float', float), ('bool', bool), ('object', object)):
        if name not in numpy.__dict__:
            setattr(numpy, name, value)
    if 'sctypes' not in numpy.__dict__:
        numpy.sctypes = {
            'int': [numpy.int8, numpy.int16, numpy.int32, numpy.int64],
            'uint': [numpy.uint8, numpy.uint16, numpy.uint32, numpy.uint64],
            'float': [numpy.float16, numpy.float32, numpy.float64],
            'complex': [numpy.complex64, numpy.complex128],
            'others': [bool, object, bytes, str, numpy.void],
        }


def patch_numpy_distutils():
    """numpy.distutils is gone on Python >= 3.12 and deprecated before; chainer's
    environment check imports it only to ask whether macOS Accelerate is NumPy's BLAS.
    An empty `get_info` skips that advice (Accelerate is not a target here) and saves
    the slow, warning-emitting real import."""
    if 'numpy.distutils.system_info' in sys.modules:
        return
    distutils = types.ModuleType('numpy.distutils')
    system_info = types.ModuleType('numpy.distutils.system_info')
    system_info.get_info = lambda name, notfound_action=0: {}
    distutils.system_info = system_info
    sys.modules['numpy.distutils'] = distutils
    sys.modules['numpy.distutils.system_info'] = system_info


def patch_pkg_resources():
    """setuptools >= 81 has no pkg_resources; chainer uses it to compare optional
    dependency versions and webdnn to read its own version. importlib.metadata does both."""
    try:
        import pkg_resources  # noqa: F401
        return
    except ImportError:
        pass
    from importlib import metadata

    module = types.ModuleType('pkg_resources')

    class DistributionNotFound(Exception):
        pass

    class VersionConflict(Exception):
        pass

    class Distribution:
        def __init__(self, name):
            try:
                self.version = metadata.version(name)
            except metadata.PackageNotFoundError:
                raise DistributionNotFound(name)

    def require(requirement):
        # Only the name is checked: version ranges were advice for CuPy 7.
        name = requirement
        for separator in '<>=!~ ;[':
            name = name.split(separator)[0]
        return [Distribution(name)]

    module.DistributionNotFound = DistributionNotFound
    module.VersionConflict = VersionConflict
    module.require = require
    module.get_distribution = lambda name: Distribution(name)
    sys.modules['pkg_resources'] = module


def apply():
    # Conversion of every layer networks.py uses is tested (tests/test_2pack.py).
    warnings.filterwarnings('ignore', message='WebDNN does not support Chainer version')
    patch_collections()
    patch_numpy_aliases()
    patch_numpy_distutils()
    patch_pkg_resources()


apply()
