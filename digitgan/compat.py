"""Make chainer 7.8.1 and webdnn 1.2.11 import on today's Python, NumPy and setuptools.

Both libraries are unmaintained. The import-time workarounds live here; `digitgan/__init__.py`
applies them once, so any `from digitgan import ...` makes chainer and webdnn importable.
What webdnn's converter needs at conversion time is in webdnn_patches.py.

Each shim is applied only when the thing it replaces is missing, so on an old stack this
module changes nothing. tests/test_compat.py removes each missing piece and checks that
the shim brings back what chainer/webdnn need.
"""
import collections
import collections.abc
import importlib.abc
import importlib.machinery
import importlib.util
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
    Where it cannot be imported, an empty `get_info` skips that advice (Accelerate is not
    a target here). Where it can, the real module is left in place (its deprecation
    warning is silenced: chainer, not this project, asks for it)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            import numpy.distutils.system_info  # noqa: F401
        return
    except Exception:  # ImportError, or whatever a half-working numpy.distutils raises
        pass
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
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')  # setuptools 67-80 deprecates pkg_resources
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


# Source that no longer compiles, per module: (old, new) text replacements made at import.
# Python 3.12's f-string parser (PEP 701) rejects a bare generator inside an f-string
# replacement field that 3.11 accepted; it is only the text of an assertion message.
SOURCE_PATCHES = {
    'webdnn.graph.operators.elementwise': [
        ('{y_shape_dict[a] for a in y_axes}', '{[y_shape_dict[a] for a in y_axes]}'),
    ],
}


class PatchedSourceLoader(importlib.machinery.SourceFileLoader):
    def __init__(self, fullname, path, replacements):
        super().__init__(fullname, path)
        self.replacements = replacements

    def source_to_code(self, data, path, *, _optimize=-1):
        source = importlib.util.decode_source(data)
        for old, new in self.replacements:
            source = source.replace(old, new)
        return compile(source, path, 'exec', dont_inherit=True, optimize=_optimize)


class SourcePatchFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname not in SOURCE_PATCHES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            spec.loader = PatchedSourceLoader(fullname, spec.origin, SOURCE_PATCHES[fullname])
        return spec


def patch_webdnn_sources():
    if sys.version_info >= (3, 12) and not any(
            isinstance(finder, SourcePatchFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, SourcePatchFinder())


def apply():
    # Conversion of every layer networks.py uses is tested (tests/test_2pack.py).
    warnings.filterwarnings('ignore', message='WebDNN does not support Chainer version')
    patch_collections()
    patch_numpy_aliases()
    patch_numpy_distutils()
    patch_pkg_resources()
    patch_webdnn_sources()


apply()
