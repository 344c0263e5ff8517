"""tools/check_layers.py: the runtime's layering rules hold, and the check
notices when they are broken (a back-include, a long include circle, a
plugin reaching above table/)."""
import os
import shutil
import subprocess
import sys

import pytest

SRCDIR = os.environ.get('CCFFI_SRCDIR') or os.path.join(
    os.path.dirname(__file__), '..', '..')
CHECK = os.path.join(SRCDIR, 'tools', 'check_layers.py')


def run_check(srcdir):
    return subprocess.run([sys.executable, CHECK, srcdir],
                          capture_output=True, text=True)


@pytest.fixture
def tree(tmp_path):
    """A copy of the sources the check reads."""
    for d in ('runtime', 'plugin-gcc', 'plugin-clang'):
        src = os.path.join(SRCDIR, d)
        if os.path.isdir(src):
            shutil.copytree(src, tmp_path / d, ignore=shutil.ignore_patterns(
                '*.o', '*.lo', '.libs', '.deps', '.dirstamp'))
    return tmp_path


def add_include(path, header):
    text = path.read_text()
    path.write_text('#include "%s"\n' % header + text)


def test_the_tree_passes():
    r = run_check(SRCDIR)
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'no upward include' in r.stdout


def test_upward_include_fails(tree):
    add_include(tree / 'runtime' / 'object' / 'cdata.c', 'call/ccall.h')
    r = run_check(str(tree))
    assert r.returncode == 1
    assert ('runtime/object/cdata.c includes "call/ccall.h": call/ is above '
            'object/') in r.stdout


def test_three_unit_circle_fails(tree):
    # ctype_obj -> cconv -> ctype_obj, with cdata <-> cconv: three units
    add_include(tree / 'runtime' / 'object' / 'ctype_obj.c', 'object/cconv.h')
    r = run_check(str(tree))
    assert r.returncode == 1
    assert 'include circle of 3 units' in r.stdout
    assert 'object/ctype_obj' in r.stdout


def test_plugin_reaching_above_table_fails(tree):
    add_include(tree / 'plugin-gcc' / 'ccffi_gcc.cc', 'object/cdata.h')
    r = run_check(str(tree))
    assert r.returncode == 1
    assert 'a plugin may include table only' in r.stdout


def test_unknown_folder_fails(tree):
    (tree / 'runtime' / 'misc').mkdir()
    (tree / 'runtime' / 'misc' / 'x.c').write_text('int x;\n')
    r = run_check(str(tree))
    assert r.returncode == 1
    assert 'runtime/misc/: a folder that is not a layer' in r.stdout
