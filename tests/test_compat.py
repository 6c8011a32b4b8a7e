"""compat.py: each shim is needed (the import or call fails without it) and sufficient (it
works with it), and compat changes nothing where the pieces it replaces exist.

Every check runs in a fresh interpreter, because the pieces are removed from modules that a
test process has already imported and patched (conftest.py imports compat).
"""
import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_python(code, timeout=120):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONDONTWRITEBYTECODE='1')
    env.pop('PYTHONPATH', None)
    done = subprocess.run([sys.executable, '-c', textwrap.dedent(code)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    return done


def check(remove, action, with_compat):
    """Remove a piece, optionally import compat, then run `action`; returns the
    completed process. The script prints RESULT <value> on success, FAILED <error> else."""
    code = '\n'.join([
        'import collections, sys, warnings',
        'import numpy',
        textwrap.dedent(remove),
        'import digitgan.compat' if with_compat else 'pass',
        'try:',
        textwrap.indent(textwrap.dedent(action), '    '),
        'except Exception as error:',
        '    print("FAILED", type(error).__name__, error)',
        '    sys.exit(3)',
        'print("RESULT", result)',
    ])
    return run_python(code)


def assert_fails_without_and_works_with(remove, action, expected_error):
    without = check(remove, action, with_compat=False)
    assert without.returncode == 3, (without.stdout, without.stderr)
    assert without.stdout.startswith('FAILED'), without.stdout
    assert expected_error in without.stdout, without.stdout
    with_compat = check(remove, action, with_compat=True)
    assert with_compat.returncode == 0, (with_compat.stdout, with_compat.stderr)
    return with_compat.stdout.split('RESULT', 1)[1].strip()


REMOVE_COLLECTIONS_ALIASES = '''
for name in ('Collection', 'Iterable', 'Mapping', 'MutableMapping', 'Sequence',
             'MutableSequence', 'Set', 'Callable'):
    collections.__dict__.pop(name, None)
'''
# webdnn needs only `Collection`; provided by hand where another shim is under test.
ALIAS_COLLECTION = 'import collections.abc\ncollections.Collection = collections.abc.Collection'


def test_collections_aliases_make_webdnn_import():
    result = assert_fails_without_and_works_with(
        REMOVE_COLLECTIONS_ALIASES,
        '''
        import webdnn
        from webdnn.graph.operators import util
        result = util.Collection is collections.abc.Collection
        ''', expected_error='Collection')
    assert result == 'True'


def test_sctypes_shim_makes_chainer_import_and_as_strided_work():
    result = assert_fails_without_and_works_with(
        'del numpy.sctypes',
        '''
        import chainer.functions as F
        x = numpy.arange(6, dtype=numpy.float32)
        result = F.as_strided(x, (2, 2), (2, 1)).array.tolist()
        ''', expected_error='sctypes')
    assert result == '[[0.0, 1.0], [2.0, 3.0]]'


def test_numpy_distutils_shim_makes_chainer_import():
    result = assert_fails_without_and_works_with(
        '''
        sys.modules['numpy.distutils'] = None
        sys.modules['numpy.distutils.system_info'] = None
        ''',
        '''
        import chainer
        import chainer.links as L
        result = L.Linear(3, 2)(numpy.ones((1, 3), numpy.float32)).shape
        ''', expected_error='numpy.distutils')
    assert result == '(1, 2)'


def test_numpy_distutils_shim_when_only_the_package_is_missing():
    """Python >= 3.12: numpy.distutils itself cannot be imported."""
    result = assert_fails_without_and_works_with(
        "sys.modules['numpy.distutils'] = None",
        'import chainer\nresult = chainer.__version__', expected_error='numpy.distutils')
    assert result == '7.8.1'


def test_pkg_resources_shim_makes_chainer_and_webdnn_import():
    result = assert_fails_without_and_works_with(
        "sys.modules['pkg_resources'] = None\n" + ALIAS_COLLECTION,
        '''
        import chainer
        import webdnn
        import pkg_resources
        missing = False
        try:
            pkg_resources.require('no-such-distribution-xyz')
        except pkg_resources.DistributionNotFound:
            missing = True
        result = (chainer.__version__, webdnn.__version__, missing)
        ''', expected_error='pkg_resources')
    # webdnn reads its version through pkg_resources.require; a broken shim gives '1.x.x.git'.
    assert result == "('7.8.1', '1.2.11', True)"


def test_numpy_scalar_aliases_make_webdnn_json_encode_numpy_scalars():
    result = assert_fails_without_and_works_with(
        "for name in ('int', 'float'):\n    numpy.__dict__.pop(name, None)\n"
        + ALIAS_COLLECTION,
        '''
        import json
        from webdnn.util.json import CustomJSONEncoder
        result = json.dumps([numpy.float32(1.5), numpy.int64(3), numpy.uint8(7)],
                            cls=CustomJSONEncoder)
        ''', expected_error="has no attribute 'int'")
    assert result == '[1.5, 3, 7]'


def test_compat_changes_nothing_where_the_pieces_exist():
    done = run_python('''
        import collections, collections.abc, sys, warnings
        import numpy
        NAMES = ('Collection', 'Iterable', 'Mapping', 'MutableMapping', 'Sequence',
                 'MutableSequence', 'Set', 'Callable')
        for name in NAMES:                       # an old Python
            setattr(collections, name, getattr(collections.abc, name))
        for name, value in (('int', int), ('float', float), ('bool', bool),
                            ('object', object)):
            setattr(numpy, name, value)          # an old NumPy
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            import numpy.distutils.system_info   # real ones, as on Python < 3.12
            import pkg_resources

        def state():
            return ([id(getattr(collections, name)) for name in NAMES]
                    + [id(numpy.__dict__.get(name)) for name in
                       ('int', 'float', 'bool', 'object', 'sctypes')]
                    + [id(sys.modules.get(name)) for name in
                       ('numpy.distutils', 'numpy.distutils.system_info', 'pkg_resources')])

        before = state()
        from digitgan import compat
        assert state() == before, 'compat replaced a piece that exists'
        assert sys.modules['numpy.distutils.system_info'].__file__.endswith('system_info.py')
        assert hasattr(sys.modules['pkg_resources'], 'WorkingSet')   # the real one
        import chainer, webdnn
        print('UNCHANGED', webdnn.__version__)
        ''')
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == 'UNCHANGED 1.2.11'


def test_compat_uses_the_real_modules_where_they_import():
    """Nothing imported beforehand: where numpy.distutils and pkg_resources can be imported
    (Python 3.11, setuptools < 81 here), compat must not put its stand-ins in their place."""
    done = run_python('''
        import sys
        from digitgan import compat
        system_info = sys.modules['numpy.distutils.system_info']
        print(getattr(system_info, '__file__', None) is not None,
              hasattr(sys.modules['pkg_resources'], 'WorkingSet'))
        ''')
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ['True', 'True']


def test_apply_twice_keeps_the_first_replacements():
    """compat.apply() again (e.g. from a second entry point) must not stack new fakes."""
    done = run_python('''
        import sys
        sys.modules['numpy.distutils'] = None
        sys.modules['pkg_resources'] = None
        from digitgan import compat
        first = {name: sys.modules[name] for name in
                 ('numpy.distutils', 'numpy.distutils.system_info', 'pkg_resources')}
        compat.apply()
        assert all(sys.modules[name] is module for name, module in first.items())
        import chainer
        print('OK')
        ''')
    assert done.returncode == 0 and done.stdout.strip() == 'OK', done.stderr
