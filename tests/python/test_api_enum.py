"""API mode: enums as CFFI's compiled modules show them (issue 11).

CFFI's recompiler writes one C constant per enumerator the cdef lists and
builds the enum type from that list: the type has the cdef's enumerators,
in the cdef's order, with the values the compiler gives them (unchecked,
with or without `...`), and no enumerator the cdef leaves out; an anonymous
enum's enumerators are constants of the library.  The plugins record that
list (LISTED enum markers, runtime/table/MARKERS.md) and the file built
without a plugin completes the cdef's own table (issue 12): both ways must
show the same.  Each module is built in C and in C++, with each plugin and
with no plugin."""
import importlib
import sys
import textwrap
import uuid

import pytest

from cffi import FFI, VerificationError

from plugin_compilers import GCC, PARAMS

MODES = PARAMS + [pytest.param("noplugin", id="noplugin")]
LANGUAGES = [".c", ".cpp"]


def set_mode(monkeypatch, mode):
    if mode == "noplugin":
        monkeypatch.setenv("CC", GCC.command)
        monkeypatch.setenv("CCFFI_NO_PLUGIN", "1")
    else:
        monkeypatch.setenv("CC", mode.command)
        monkeypatch.delenv("CCFFI_NO_PLUGIN", raising=False)


@pytest.fixture(autouse=True)
def forget_modules(tmp_path):
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        path = getattr(sys.modules[name], "__file__", None) or ""
        if path.startswith(str(tmp_path)):
            del sys.modules[name]


def build(tmp_path, cdef, source, ext, name=None):
    ffi = FFI()
    ffi.cdef(textwrap.dedent(cdef))
    source = textwrap.dedent(source)
    if ext == ".cpp":
        source = 'extern "C" {\n%s\n}' % source
    name = name or "_enum_%s" % uuid.uuid4().hex[:10]
    ffi.set_source(name, source, source_extension=ext)
    ffi.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


CDEF = """
    enum ee { EE1, EE2, EE3, ... };
    enum full { AA, BB };
    typedef enum { TA, TB, ... } tenum_t;
    enum { AN1 }; enum { AN2, AN3, ... };
    enum { BIG = 1, ... };
    enum { NEG = -1, ... };
    enum bymacro { MA, MB, ... };
    struct holder { enum ee e; ...; };
"""
SOURCE = """
    enum ee { EE1 = 10, EE2, EE3 = -10, EE4 };
    enum full { AA, CC, BB };
    typedef enum { TA, TC, TB } tenum_t;
    enum { AN0, AN1 }; enum { AN3 = 5, AN2 = 7, AN4 };
    enum { BIG = 0x7fffffffffLL };
    enum { NEG = -5 };
    enum bymacro { MX };
    #define MA 42
    #define MB (MA + 1)
    struct holder { int before; enum ee e; };
"""


def view(m):
    """What Python sees of the module built from CDEF and SOURCE."""
    ffi, lib = m.ffi, m.lib
    r = {"dir": sorted(n for n in dir(lib)),
         "values": dict((n, getattr(lib, n)) for n in dir(lib))}
    for t in ("enum ee", "enum full", "tenum_t", "enum bymacro"):
        tp = ffi.typeof(t)
        r[t] = (tp.kind, tp.relements, tp.elements, ffi.sizeof(t),
                int(ffi.cast(t, -1)) < 0)
    r["strings"] = (ffi.string(ffi.cast("enum ee", 11)),
                    ffi.string(ffi.cast("enum ee", 12)),
                    ffi.string(ffi.cast("enum full", 1)),
                    ffi.string(ffi.cast("enum full", 2)),
                    ffi.string(ffi.cast("tenum_t", 1)),
                    ffi.string(ffi.cast("tenum_t", 2)))
    field = dict(ffi.typeof("struct holder").fields)["e"].type
    r["field"] = (field is ffi.typeof("enum ee"), field.relements)
    return r


EXPECTED = {
    "dir": ["AA", "AN1", "AN2", "AN3", "BB", "BIG", "EE1", "EE2", "EE3",
            "MA", "MB", "NEG", "TA", "TB"],
    "values": {"AA": 0, "AN1": 1, "AN2": 7, "AN3": 5, "BB": 2,
               "BIG": 0x7fffffffff, "EE1": 10, "EE2": 11, "EE3": -10,
               "MA": 42, "MB": 43, "NEG": -5, "TA": 0, "TB": 2},
    "enum ee": ("enum", {"EE1": 10, "EE2": 11, "EE3": -10},
                {10: "EE1", 11: "EE2", -10: "EE3"}, 4, True),
    "enum full": ("enum", {"AA": 0, "BB": 2}, {0: "AA", 2: "BB"}, 4, False),
    "tenum_t": ("enum", {"TA": 0, "TB": 2}, {0: "TA", 2: "TB"}, 4, False),
    "enum bymacro": ("enum", {"MA": 42, "MB": 43}, {42: "MA", 43: "MB"}, 4,
                     False),
    # EE4 (12), CC and TC are the header's only: CFFI shows their numbers
    "strings": ("EE2", "12", "1", "BB", "1", "TB"),
    "field": (True, {"EE1": 10, "EE2": 11, "EE3": -10}),
}


@pytest.mark.parametrize("ext", LANGUAGES)
@pytest.mark.parametrize("mode", MODES)
def test_enums_show_the_cdefs_enumerators(tmp_path, monkeypatch, mode, ext):
    set_mode(monkeypatch, mode)
    m = build(tmp_path, CDEF, SOURCE, ext)
    assert m.ffi._ccffi_built_with == ("compiler" if mode == "noplugin"
                                       else "plugin")
    got = view(m)
    for key in EXPECTED:
        assert got[key] == EXPECTED[key], key


@pytest.mark.parametrize("ext", LANGUAGES)
@pytest.mark.parametrize("mode", PARAMS)
def test_plugin_and_no_plugin_agree(tmp_path, monkeypatch, mode, ext):
    """The same module built both ways: what Python sees is the same (the
    plugin used to miss the enumerators of anonymous enums and to add the
    header's to `...` enums)."""
    set_mode(monkeypatch, mode)
    with_plugin = view(build(tmp_path / "p", CDEF, SOURCE, ext))
    set_mode(monkeypatch, "noplugin")
    without = view(build(tmp_path / "n", CDEF, SOURCE, ext))
    assert with_plugin == without


@pytest.mark.parametrize("ext", LANGUAGES)
@pytest.mark.parametrize("mode", MODES)
def test_duplicate_enumerator_refused(tmp_path, monkeypatch, mode, ext):
    # CFFI's recompiler writes one C constant per enumerator: a name two
    # enums of the cdef declare is its VerificationError
    set_mode(monkeypatch, mode)
    with pytest.raises(VerificationError) as info:
        build(tmp_path, "enum e1 { A1, ... }; enum e2 { A1, ... };",
              "enum e1 { A1 }; enum e2 { B1 };", ext)
    assert str(info.value) == "duplicate declaration of const 'A1'"


@pytest.mark.parametrize("ext", LANGUAGES)
@pytest.mark.parametrize("mode", MODES)
def test_missing_enumerator_fails_the_build(tmp_path, monkeypatch, mode, ext):
    # CFFI's generated code names each enumerator the cdef lists
    set_mode(monkeypatch, mode)
    with pytest.raises(VerificationError):
        build(tmp_path, "enum e { A, NOPE, ... };", "enum e { A, B };", ext)
