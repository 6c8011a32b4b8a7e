"""The repository's shape: command lines at the top, the library in digitgan/, no import
cycle, no sys.path tricks, every entry point imports the package (and so its shims) before
chainer, and the README's map of the package matches the files."""
import ast
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, 'digitgan')
# The command lines people run, and networks.py, which the original project had on top.
TOP_LEVEL_PYTHON = {'2pack.py', 'evaluate.py', 'generate.py', 'networks.py', 'recognize.py',
                    'serve.py', 'train_encoder.py', 'train_gan.py', 'train_recognizer.py'}
MAX_LINES = 320       # "about 300 lines": one role per file


def package_files(endings=('.py',)):
    """Every file of digitgan/ and its stage folders, relative to the repository."""
    for folder, _, names in sorted(os.walk(PACKAGE)):
        for name in sorted(names):
            if name.endswith(endings):
                yield os.path.relpath(os.path.join(folder, name), ROOT)


def python_files():
    for folder in ('.', 'tests', 'bench'):
        for name in sorted(os.listdir(os.path.join(ROOT, folder))):
            if name.endswith('.py'):
                yield os.path.normpath(os.path.join(folder, name))
    yield from package_files()


def package_imports(path):
    """The digitgan modules that the file at `path` imports (at any depth)."""
    with open(os.path.join(ROOT, path)) as f:
        tree = ast.parse(f.read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == 'digitgan':
                found.update('digitgan.' + alias.name for alias in node.names)
            elif node.module.startswith('digitgan.'):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names
                         if alias.name.startswith('digitgan.'))
    return found


def test_top_level_holds_the_command_lines_only():
    top = {name for name in os.listdir(ROOT) if name.endswith('.py')}
    assert top == TOP_LEVEL_PYTHON


@pytest.mark.parametrize('path', list(python_files()))
def test_no_sys_path_tricks_and_files_stay_small(path):
    with open(os.path.join(ROOT, path)) as f:
        source = f.read()
    assert not re.search(r'sys\.path\.(insert|append)|sys\.path\s*=', source), path
    if not path.startswith('tests'):
        assert source.count('\n') <= MAX_LINES, '%s has %d lines' % (path, source.count('\n'))


# The package's top level: what every stage shares. Everything else lives in a stage folder.
SHARED_MODULES = {'__init__.py', 'checkpoints.py', 'cli.py', 'compat.py', 'networks.py'}
STAGE_FOLDERS = {'data', 'training', 'cpu_kernels', 'generation', 'evaluation', 'export', 'ink',
                 'recognition', 'serving'}


def test_package_is_folded_by_stage():
    entries = [name for name in os.listdir(PACKAGE) if name != '__pycache__']
    assert {name for name in entries if os.path.isfile(os.path.join(PACKAGE, name))} \
        == SHARED_MODULES
    assert {name for name in entries if os.path.isdir(os.path.join(PACKAGE, name))} \
        == STAGE_FOLDERS
    for stage in STAGE_FOLDERS:   # each a package with a docstring saying what the stage does
        with open(os.path.join(PACKAGE, stage, '__init__.py')) as f:
            assert ast.get_docstring(ast.parse(f.read())), stage


def test_package_has_no_import_cycle():
    graph = {}
    for path in package_files():
        module = path[:-3].replace(os.sep, '.')
        if module.endswith('.__init__'):
            module = module[:-len('.__init__')]
        graph[module] = package_imports(path) - {'digitgan.compat'}
    state = {}

    def visit(module, trail):
        if state.get(module) == 'done':
            return
        assert state.get(module) != 'active', 'import cycle: ' + ' -> '.join(trail + [module])
        state[module] = 'active'
        for dependency in sorted(graph.get(module, ())):
            visit(dependency, trail + [module])
        state[module] = 'done'
    for module in sorted(graph):
        visit(module, [])


@pytest.mark.parametrize('script', sorted(TOP_LEVEL_PYTHON - {'serve.py'}))
def test_entry_points_import_the_package_before_chainer(script):
    """The package applies the compatibility shims; chainer must not be imported first."""
    with open(os.path.join(ROOT, script)) as f:
        tree = ast.parse(f.read())
    order = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            order += [alias.name.split('.')[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            order.append(node.module.split('.')[0])
    assert 'digitgan' in order, script
    for library in ('chainer', 'webdnn', 'numpy'):
        if library in order:
            assert order.index('digitgan') < order.index(library), (script, order)


def test_readme_map_matches_the_package():
    """Every module of digitgan/ is in the README's "What is inside" table and every file
    the table names exists."""
    with open(os.path.join(ROOT, 'README.md')) as f:
        readme = f.read()
    section = readme.split('## What is inside', 1)[1].split('\n## ', 1)[0]
    named = set(re.findall(r'`((?:digitgan/|app/src/|bench/|tests/)?[\w./-]+\.(?:py|js|cpp))`',
                           section))
    modules = {path for path in package_files(('.py', '.cpp'))
               if not path.endswith('__init__.py')}
    assert modules <= named, 'missing from the README map: %s' % sorted(modules - named)
    missing = [path for path in named if not os.path.exists(os.path.join(ROOT, path))]
    assert not missing, 'named in the README map but not in the tree: %s' % missing
