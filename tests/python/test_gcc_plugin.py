"""The compiler plugins (plugin-gcc/, plugin-clang/): compiles the marker
files of tests/plugin/ with each compiler and its plugin (the tests are
parametrized over plugin_compilers.PARAMS), prints the table the object
carries with tests/plugin/dump_table (which loads it with the runtime's
cc_table_load), and compares it with what the compiler itself computes:
sizeof/_Alignof/offsetof and bitfield positions probed by code compiled into
the same module.  Also the mismatch diagnostics (the same wording from both
plugins) and the guards against compiling without the plugin.
"""
import ctypes
import os
import re
import subprocess
import sys

import pytest

from plugin_compilers import BUILDDIR, GCC, PARAMS, SRCDIR

DUMP = os.path.join(BUILDDIR, "tests", "plugin", "dump_table")
CASES = os.path.join(SRCDIR, "tests", "plugin")

# The compiler of the running test (set by the `compiler` fixture).
COMPILER = GCC
CC = COMPILER.command


@pytest.fixture(autouse=True, params=PARAMS)
def compiler(request, monkeypatch):
    """Every test runs with each compiler and its plugin."""
    monkeypatch.setattr(sys.modules[__name__], "COMPILER", request.param)
    monkeypatch.setattr(sys.modules[__name__], "CC", request.param.command)
    return request.param

OPTIONS = ["-O0", "-O2", "-g", "-O2 -flto"]


def compile_object(tmp_path, source, options="-O0", extra=(), plugin=True):
    """cc -c source; the plugin flags go on this compile line only."""
    obj = str(tmp_path / (os.path.basename(source) + ".o"))
    cmd = [CC, "-c", "-fPIC", COMPILER.werror, "-Wall", "-Wextra"]
    if plugin:  # before its -fplugin-arg-*, as gcc requires
        cmd.append("-fplugin=" + COMPILER.plugin)
    cmd += options.split() + list(extra)
    cmd += [source, "-o", obj]
    return subprocess.run(cmd, capture_output=True, text=True), obj


def build_module(tmp_path, name, options="-O0"):
    """The shared object of tests/plugin/<name>.c, linked without the plugin."""
    proc, obj = compile_object(tmp_path, os.path.join(CASES, name + ".c"), options)
    assert proc.returncode == 0, proc.stderr
    so = str(tmp_path / (name + ".so"))
    link = subprocess.run([CC, "-shared"] + options.split() + [obj, "-o", so],
                          capture_output=True, text=True)
    assert link.returncode == 0, link.stderr
    return so


def dump(path, raw=False):
    if not os.path.exists(DUMP):     # the autopkgtest: an installed package
        pytest.skip("needs tests/plugin/dump_table of a build tree")
    args = [DUMP, "-f", path] if raw else [DUMP, path]
    proc = subprocess.run(args, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


TYPE_RE = re.compile(r"^type (\d+) (\w+) (.*?)(?: prim=(.*?))?(?: size=(\d+))? "
                     r"align=(\d+)(?: length=(\d+))?(?: flags=(\S+))?$")
FIELD_RE = re.compile(r"^  field (\S*): (.*) offset=(\d+)"
                      r"(?: bitshift=(-?\d+) bitsize=(-?\d+))?$")


def parse_types(text):
    """{spelling: {"kind", "size", "align", "flags", "fields": [...]}}"""
    types, current = {}, None
    for line in text.splitlines():
        m = TYPE_RE.match(line)
        if m:
            current = {"kind": m.group(2), "size": m.group(5) and int(m.group(5)),
                       "align": int(m.group(6)), "prim": m.group(4),
                       "flags": set((m.group(8) or "").split("|")) - {""},
                       "fields": [], "enumerators": []}
            types[m.group(3)] = current
            continue
        m = FIELD_RE.match(line)
        if m:
            current["fields"].append({
                "name": m.group(1), "type": m.group(2), "offset": int(m.group(3)),
                "bitshift": m.group(4) and int(m.group(4)),
                "bitsize": m.group(5) and int(m.group(5))})
            continue
        m = re.match(r"^  enumerator (\w+) = (-?\d+)$", line)
        if m:
            current["enumerators"].append((m.group(1), int(m.group(2))))
    return types


def decl_lines(text):
    return [line for line in text.splitlines() if line.startswith("decl ")]


def find_field(types, spelling, name, base=0):
    """(field, absolute offset), looking inside anonymous members as C does."""
    for f in types[spelling]["fields"]:
        if f["name"] == name:
            return f, base + f["offset"]
        if f["name"] == "" and f["type"] in types and types[f["type"]]["fields"]:
            found = find_field(types, f["type"], name, base + f["offset"])
            if found:
                return found
    return None


class Probe(ctypes.Structure):
    _fields_ = [("key", ctypes.c_char_p), ("value", ctypes.c_longlong)]


def read_probes(so):
    """The compiler's own answers, compiled into the module: {key: value}."""
    lib = ctypes.CDLL(so)
    out = {}
    table = ctypes.cast(lib.probes, ctypes.POINTER(Probe))
    i = 0
    while table[i].key:
        out[table[i].key.decode()] = table[i].value
        i += 1
    bits = (Probe * 32)()
    for j in range(lib.bit_probes(bits)):
        out[bits[j].key.decode()] = bits[j].value
    return out


def check_probe(types, key, value):
    what, _, subject = key.partition(" ")
    if what in ("size", "align"):
        assert types[subject][what] == value, key
        return
    spelling, _, name = subject.rpartition(".")
    field, offset = find_field(types, spelling, name)
    if what == "offset":
        assert offset == value, key
    elif what == "bit":
        assert offset * 8 + field["bitshift"] == value, key
    elif what == "width":
        assert field["bitsize"] == value, key
    else:
        raise AssertionError("unknown probe " + key)


@pytest.mark.parametrize("options", OPTIONS)
def test_layouts_match_compiler_probes(tmp_path, options):
    so = build_module(tmp_path, "layouts", options)
    types = parse_types(dump(so))
    probes = read_probes(so)
    assert len(probes) > 50
    for key, value in probes.items():
        check_probe(types, key, value)


def test_layout_details(tmp_path):
    text = dump(build_module(tmp_path, "layouts"))
    types = parse_types(text)
    assert types["anon_t"]["flags"] == {"TYPEDEF_NAMED", "LAYOUT_KNOWN"}
    assert types["struct flex"]["flags"] == {"FLEXIBLE", "LAYOUT_KNOWN"}
    assert types["struct flex"]["fields"][1]["type"] == "int[]"
    assert "PACKED" in types["struct packed"]["flags"]
    assert types["struct opaque"]["flags"] == {"OPAQUE"}
    anon = types["struct anon"]["fields"]
    assert [f["name"] for f in anon] == ["kind", "", "named"]
    # anonymous nested types have no name, as the cdef parser leaves them
    assert re.match(r"union \$\d+$", anon[1]["type"])
    assert re.match(r"struct \$\d+$", anon[2]["type"])
    assert [f["name"] for f in types[anon[1]["type"]]["fields"]] == ["i", "d"]
    holds = {f["name"]: f["type"] for f in types["struct holds"]["fields"]}
    assert holds == {"o": "struct opaque *", "ap": "struct __va_list_tag(*)[1]",
                     "sz": "size_t", "i32": "int32_t", "wc": "wchar_t",
                     "fc": "float _Complex", "ld": "long double"}
    listf = {f["name"]: f["type"] for f in types["struct list"]["fields"]}
    assert listf["cmp"] == "int(*)(void *, void *)"
    assert listf["a"] == "anon_t *"
    assert types["enum color"]["enumerators"] == [("RED", 0), ("GREEN", 5), ("BLUE", 6)]
    assert types["enum big"]["prim"] == "long"
    assert types["enum big"]["enumerators"] == [
        ("BIG_NEG", -1), ("BIG_HUGE", 2**63 - 1)]
    assert types["enum ubig"]["enumerators"] == [("UBIG", 2**64 - 1)]
    bits = {f["name"]: (f["offset"], f["bitshift"], f["bitsize"])
            for f in types["struct bits"]["fields"]}
    assert bits["b"] == (0, 3, 5)
    assert bits[""] == (4, 0, 0)          # `unsigned : 0` is kept
    assert "decl TYPEDEF myint_t: unsigned long long" in text
    assert "decl TYPEDEF id_t32: uint32_t" in text
    assert "decl TYPEDEF list_t: struct list" in text
    assert "decl TAG number: union number" in text
    assert "decl TYPEDEF real_t: double" in text      # typedef float... real_t
    assert "decl TYPEDEF offset_t: long" in text      # typedef int... offset_t
    assert "decl TYPEDEF mode_t_: mode_t_" in text
    assert types["mode_t_"]["flags"] == {"TYPEDEF_NAMED", "LAYOUT_KNOWN"}
    assert types["mode_t_"]["enumerators"] == [("MODE_A", 0), ("MODE_B", 1)]
    # a member of a type the table cannot express: opaque, layout kept
    wide = {f["name"]: f["type"] for f in types["struct wide"]["fields"]}
    assert wide == {"a": "int", "big": "$unsupported __int128", "after": "int"}
    assert types["$unsupported __int128"]["flags"] == {"OPAQUE", "TYPEDEF_NAMED"}


def same_record(plugin, p_name, cdef, c_name):
    """Compares two type sections, following anonymous members (named $N
    after their index in each table) by position."""
    p, c = plugin[p_name], cdef[c_name]
    for key in ("kind", "size", "align", "prim", "flags", "enumerators"):
        assert p[key] == c[key], (c_name, key)
    assert len(p["fields"]) == len(c["fields"]), c_name
    for pf, cf in zip(p["fields"], c["fields"]):
        for key in ("name", "offset", "bitshift", "bitsize"):
            assert pf[key] == cf[key], (c_name, cf["name"], key)
        if "$" in cf["type"]:
            same_record(plugin, pf["type"], cdef, cf["type"])
        else:
            assert pf["type"] == cf["type"], (c_name, cf["name"])


def test_plugin_table_equals_layout_engine(tmp_path):
    """For complete declarations, API mode (the plugin) and ABI mode (the
    cdef parser and layout engine) must build the same types."""
    plugin = parse_types(dump(build_module(tmp_path, "same_layout")))
    proc = subprocess.run([DUMP, "-c", os.path.join(CASES, "same_layout.h")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    cdef = parse_types(proc.stdout)
    named = [n for n, t in cdef.items()
             if t["kind"] in ("STRUCT", "UNION", "ENUM") and "$" not in n]
    assert len(named) == 14
    for name in named:
        same_record(plugin, name, cdef, name)
    assert ({n for n in plugin if "$" not in n} == {n for n in cdef if "$" not in n})


def test_same_table_at_every_option(tmp_path):
    dumps = set()
    for i, options in enumerate(OPTIONS):
        sub = tmp_path / str(i)
        sub.mkdir()
        for name in ("layouts", "values"):
            dumps.add((name, dump(build_module(sub, name, options))))
    assert len(dumps) == 2


VALUES = """\
decl CONST_INT INT_MACRO: int = 42
decl CONST_INT NEG_MACRO: int = -7
decl CONST_INT U64_MACRO: unsigned long long = 18364758544493064720 flags=UNSIGNED
decl CONST_INT CHAR_MACRO: unsigned char = 200 flags=UNSIGNED
decl CONST_FLOAT DBL_MACRO: double = 3.25
decl CONST_FLOAT FLT_MACRO: float = 0.10000000149011612
decl CONST_STRING STR_MACRO: char * = "hello, world"
decl CONST_INT F_B: int = 2
decl CONST_INT ANON_X: int = -5
decl CONST_INT STATIC_CONST: int = 1234
decl CONST_FLOAT STATIC_DBL: double = -2.5
decl CONST_STRING STATIC_STR: char * = "static"
decl CONST_STRING PTR_STR: char * = "pointer"
decl TAG flags: enum flags
decl FUNCTION add: int(int, int) slot=0
decl FUNCTION scale: double(struct point *, double) slot=1
decl FUNCTION logf_: int(char *, ...) slot=2
decl FUNCTION noargs: int(void) slot=3
decl FUNCTION MAX: int(int, int) slot=4 flags=MACRO
decl FUNCTION getvalue: long(void) slot=5 flags=MACRO
decl FUNCTION take_array: void(int *, void(*)(int)) slot=6
decl FUNCTION sized: size_t(size_t, int) slot=7
decl FUNCTION by_value: struct point(struct point) slot=8
decl FUNCTION old_style: int(int, char *) slot=9
decl VARIABLE counter: int slot=0
decl VARIABLE names: char *[4] slot=1 flags=CONST
decl VARIABLE origin: struct point slot=2
decl VARIABLE table_of: int[] slot=3
decl VARIABLE errno_like: int slot=4 flags=MACRO
decl EXTERN_PYTHON py_cb: int(int) slot=0
decl EXTERN_PYTHON py_cb2: void(void) slot=1 flags=PYTHON_C
"""


def test_constants_functions_globals(tmp_path):
    text = dump(build_module(tmp_path, "values"))
    assert "\n".join(decl_lines(text)) + "\n" == VALUES
    types = parse_types(text)
    assert types["int(char *, ...)"]["flags"] == {"VARIADIC"}
    assert types["enum flags"]["enumerators"] == [("F_A", 1), ("F_B", 2), ("F_ALL", 3)]


@pytest.mark.parametrize("options", OPTIONS)
def test_code_before_the_sentinel_sees_the_table(tmp_path, options):
    so = build_module(tmp_path, "values", options)
    size = int(re.search(r"decls, (\d+) bytes", dump(so)).group(1))
    lib = ctypes.CDLL(so)
    assert lib.table_total_size() == size
    assert ctypes.string_at(lib._ccffi_type_table, 8) == b"CCFFITB\0"


@pytest.mark.parametrize("name", ["layouts", "values"])
def test_marker_variables_not_emitted(tmp_path, name):
    proc, obj = compile_object(tmp_path, os.path.join(CASES, name + ".c"), "-O0")
    assert proc.returncode == 0, proc.stderr
    nm = subprocess.run(["nm", obj], capture_output=True, text=True, check=True)
    assert "_ccffi_type_table" in nm.stdout
    assert "_ccffi_c" not in nm.stdout


def test_dump_argument_writes_the_same_table(tmp_path):
    out = str(tmp_path / "table.bin")
    source = os.path.join(CASES, "layouts.c")
    proc, obj = compile_object(tmp_path, source,
                               extra=[COMPILER.arg_prefix + "dump=" + out])
    assert proc.returncode == 0, proc.stderr
    assert dump(out, raw=True) == dump(build_module(tmp_path, "layouts"))


def test_unknown_plugin_argument(tmp_path):
    proc, _ = compile_object(tmp_path, os.path.join(CASES, "layouts.c"),
                             extra=[COMPILER.arg_prefix + "bogus=1"])
    assert proc.returncode != 0
    assert "unknown plugin argument" in proc.stderr


def test_without_plugin_fails(tmp_path):
    source = os.path.join(CASES, "values.c")
    proc, _ = compile_object(tmp_path, source, plugin=False)
    assert proc.returncode != 0
    assert "#error" in proc.stderr
    # even with the macro forced, -Werror=attributes refuses the markers
    proc, _ = compile_object(tmp_path, source, extra=["-D__CCFFI_PLUGIN__"],
                             plugin=False)
    assert proc.returncode != 0
    assert COMPILER.unknown_attribute in proc.stderr.replace(
        "\u2018", "'").replace("\u2019", "'")


def test_file_without_markers_is_untouched(tmp_path):
    src = tmp_path / "plain.c"
    src.write_text("int plain(int x) { return x + 1; }\n")
    proc, obj = compile_object(tmp_path, str(src))
    assert proc.returncode == 0, proc.stderr
    nm = subprocess.run(["nm", obj], capture_output=True, text=True, check=True)
    assert "_ccffi_type_table" not in nm.stdout


def test_string_with_nul_is_refused(tmp_path):
    src = tmp_path / "nul.c"
    src.write_text(
        '#define S "a\\0b"\n'
        'static const __typeof__(S) c0 __attribute__((ccffi("const", "S"), unused)) = (S);\n'
        '__attribute__((ccffi("table"), used)) const char _ccffi_type_table[] = "";\n')
    proc, _ = compile_object(tmp_path, str(src))
    assert proc.returncode != 0
    assert "NUL byte" in proc.stderr


def test_unsupported_type_outside_a_struct_is_an_error(tmp_path):
    src = tmp_path / "wide.c"
    src.write_text(
        "__int128 g;\n"
        'typedef __int128 g0 __attribute__((ccffi("global", "g", 0)));\n'
        '__attribute__((ccffi("table"), used)) const char _ccffi_type_table[] = "";\n')
    proc, _ = compile_object(tmp_path, str(src))
    assert proc.returncode != 0
    assert "cannot be represented in the type table" in proc.stderr


def plain_quotes(text):
    return text.replace("\u2018", "'").replace("\u2019", "'")


MISMATCHES = {
    "INCOMPLETE": r"struct incomplete: the cdef gives its fields but the source has no complete definition",
    "PARTIAL_FIELD_MISSING": r"typedef tagged_t: the cdef has field 'nosuch', the header has no such field \(.*mismatch.h:5\)",
    # as CFFI's generated C (offsetof a missing member) fails to compile
    "FIELD_NAME": r"struct s: the cdef has field 'bb', the header has no such field \(.*mismatch.h:4\)",
    "TAG_KIND": r"the cdef says 'union s', the source declares 'struct s'",
    "NO_SENTINEL": r"markers but no table sentinel",
    "AFTER_SENTINEL": r"marker 's' after the table sentinel",
}


@pytest.mark.parametrize("case", sorted(MISMATCHES))
def test_mismatch_is_an_error(tmp_path, case):
    proc, _ = compile_object(tmp_path, os.path.join(CASES, "mismatch.c"),
                             extra=["-DCASE_" + case])
    assert proc.returncode != 0
    stderr = plain_quotes(proc.stderr)
    assert re.search(r"mismatch.c:\d+:\d+: error: ccffi: .*" + MISMATCHES[case], stderr), stderr


# Prototypes and global types: Python sees the cdef's, the generated code's
# calls convert (the compiler judges them), so the plugin only warns, even
# under -Werror, as CFFI builds such a module; -fplugin-arg-ccffi_gcc-werror
# (-fplugin-arg-ccffi-werror for clang) makes them errors.
WARNINGS = {
    "FIELD_TYPE": r"struct s: field 'b' is 'int' in the cdef, 'long int' in the header \(.*mismatch.h:4\)",
    "FIELD_MISSING": r"struct s: field 'c' is only in the header; declare the struct with '...;' if the cdef lists only some fields \(.*mismatch.h:4\)",
    "BITFIELD_WIDTH": r"field 'c' is 'unsigned int : 4' in the cdef, 'unsigned int : 3' in the header",
    "ENUM_VALUE": r"'E_TWO' is 3 in the cdef but 2 in the header \(.*mismatch.h:6\)",
    "ENUM_CHECK_ONLY": r"'E_ONE' is 2 in the cdef but 1 in the header \(.*mismatch.h:6\)",
    "MACRO_VALUE": r"'WIDTH' is 81 in the cdef but 80 in the header \(.*mismatch.h:7\)",
    "FUNCTION_POINTER_ARG": r"function 'f': argument 1 is 'int \*' in the cdef, 'const char \*' in the header \(.*mismatch.h:8\)",
    "FUNCTION_ARG_COUNT": r"function 'f': the cdef declares 'int\(const char \*\)', the header declares 'int\(const char \*, int\)'",
    "FUNCTION_CALLBACK": r"function 'g': argument 1 is 'int \(\*\)\(int\)' in the cdef, 'int \(\*\)\(void \*\)' in the header",
    "GLOBAL_TYPE": r"global 'value' is 'float' in the cdef, 'double' in the header \(.*mismatch.h:10\)",
}


# Warnings since the protocol change of issue 11 that the Clang plugin does
# not give yet (it still stops the build): remove a case once it does.
@pytest.mark.parametrize("case", sorted(WARNINGS))
def test_mismatch_is_a_warning(tmp_path, case):
    proc, _ = compile_object(tmp_path, os.path.join(CASES, "mismatch.c"),
                             extra=["-DCASE_" + case, "-Werror"])
    assert proc.returncode == 0, proc.stderr
    stderr = plain_quotes(proc.stderr)
    assert re.search(r"mismatch.c:\d+:\d+: warning: ccffi: .*" + WARNINGS[case],
                     stderr), stderr
    proc, _ = compile_object(tmp_path, os.path.join(CASES, "mismatch.c"),
                             extra=["-DCASE_" + case,
                                    COMPILER.arg_prefix + "werror"])
    assert proc.returncode != 0
    assert re.search(r"mismatch.c:\d+:\d+: error: ccffi: .*" + WARNINGS[case],
                     plain_quotes(proc.stderr)), proc.stderr


# Struct members whose types CFFI's own generated code makes the compiler
# refuse (`T *tmp = &p->x;`, integers excepted): a plain warning in C, which
# -Werror makes an error as it does CFFI's (C++: an error, tested in
# test_api_refusals.py).
COMPILER_WARNINGS = {
    "ANON_MEMBER": r"typedef tagged_t: field 'd' is 'float' in the cdef, 'double' in the header \(.*mismatch.h:5\)",
    "PARTIAL_FIELD_TYPE": r"struct s: field 'b' is 'char \*' in the cdef, 'long int' in the header \(.*mismatch.h:4\)",
    # C calls it through an implicit declaration, as CFFI's code does
    "FUNCTION_MISSING": r"function 'nosuch' is not declared in the source: the generated code calls it undeclared",
}


@pytest.mark.parametrize("case", sorted(COMPILER_WARNINGS))
def test_mismatch_the_compiler_would_report(tmp_path, case):
    proc, _ = compile_object(tmp_path, os.path.join(CASES, "mismatch.c"),
                             extra=["-DCASE_" + case])
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"mismatch.c:\d+:\d+: warning: ccffi: .*"
                     + COMPILER_WARNINGS[case], plain_quotes(proc.stderr)), \
        proc.stderr
    proc, _ = compile_object(tmp_path, os.path.join(CASES, "mismatch.c"),
                             extra=["-DCASE_" + case, "-Werror"])
    assert proc.returncode != 0
    assert re.search(r"mismatch.c:\d+:\d+: error: ccffi: .*"
                     + COMPILER_WARNINGS[case], plain_quotes(proc.stderr)), \
        proc.stderr


@pytest.mark.parametrize("case", ["AGREE", "PARTIAL_AGREE"])
def test_agreeing_cdef_compiles(tmp_path, case):
    proc, _ = compile_object(tmp_path, os.path.join(CASES, "mismatch.c"),
                             extra=["-DCASE_" + case])
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


CXX_MARKERS = """\
struct point { int x, y; };
namespace ns { int unused; }
extern "C" {
int add(int a, int b);
enum color { RED, GREEN = 5 };
typedef struct point _ccffi_t0;
extern _ccffi_t0 *_ccffi_m0 __attribute__((ccffi("struct", "point", 2)));
typedef int _ccffi_t1(int, int);
extern _ccffi_t1 *_ccffi_m1 __attribute__((ccffi("function", "add", 0)));
typedef enum color _ccffi_t2;
extern _ccffi_t2 *_ccffi_m2 __attribute__((ccffi("enum", "color")));
typedef struct { char c; } named_t;
typedef named_t _ccffi_t3;
extern _ccffi_t3 *_ccffi_m3 __attribute__((ccffi("typedef", "named_t", 2)));
typedef wchar_t _ccffi_t4(char16_t, char32_t);
extern _ccffi_t4 *_ccffi_m4 __attribute__((ccffi("typedef", "wfunc_t", 16)));
static const char _ccffi_type_table[] __attribute__((ccffi("table"), used)) = "";
}
const char *table_address(void) { return _ccffi_type_table; }
"""


def test_cxx_markers(tmp_path):
    """cc1plus and clang++ read the same markers in C++, also inside
    extern "C": the `extern T *marker` form, which both front ends report
    (cc1plus reports no typedef); C++'s own wchar_t/char16_t/char32_t and
    the typedef-named anonymous struct are recorded as in C."""
    src = tmp_path / "markers.cc"
    src.write_text(CXX_MARKERS)
    proc, obj = compile_object(tmp_path, str(src), extra=["-x", "c++"])
    assert proc.returncode == 0, proc.stderr
    so = str(tmp_path / "markers.so")
    subprocess.run([CC, "-shared", obj, "-o", so], check=True)
    text = dump(so)
    assert "decl TAG point: struct point" in text
    assert "decl FUNCTION add: int(int, int) slot=0" in text
    assert parse_types(text)["enum color"]["enumerators"] == [
        ("RED", 0), ("GREEN", 5)]
    if COMPILER is GCC:
        assert "decl TYPEDEF named_t: named_t" in text
        assert "decl TYPEDEF wfunc_t: wchar_t(char16_t, char32_t)" in text
