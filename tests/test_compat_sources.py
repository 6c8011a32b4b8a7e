"""compat's import-time source patch for webdnn on Python >= 3.12 (PEP 701 f-strings)."""
import ast
import importlib.util
import sys

import pytest

from digitgan import compat


def original_source(module):
    with open(importlib.util.find_spec(module).origin) as f:
        return f.read()


@pytest.mark.parametrize('module', sorted(compat.SOURCE_PATCHES))
def test_each_patch_still_matches_the_installed_source(module):
    """A webdnn upgrade that changes the text would silently disable the patch."""
    source = original_source(module)
    for old, new in compat.SOURCE_PATCHES[module]:
        assert source.count(old) == 1, (module, old)


@pytest.mark.parametrize('module', sorted(compat.SOURCE_PATCHES))
def test_patched_source_parses(module):
    source = original_source(module)
    for old, new in compat.SOURCE_PATCHES[module]:
        source = source.replace(old, new)
    ast.parse(source)


@pytest.mark.skipif(sys.version_info < (3, 12), reason='the PEP 701 parser arrived in 3.12')
@pytest.mark.parametrize('module', sorted(compat.SOURCE_PATCHES))
def test_unpatched_source_fails_on_this_python(module):
    with pytest.raises(SyntaxError):
        ast.parse(original_source(module))


def test_loader_applies_replacements(tmp_path):
    path = tmp_path / 'legacy_module.py'
    path.write_text('VALUE = f"{[a for a in (1, 2)]}"\nBROKEN = f"{a for a in (1, 2)}"\n')
    loader = compat.PatchedSourceLoader(
        'legacy_module', str(path), [('{a for a in (1, 2)}', '{[a for a in (1, 2)]}')])
    spec = importlib.util.spec_from_file_location('legacy_module', str(path), loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    assert module.BROKEN == module.VALUE == '[1, 2]'
