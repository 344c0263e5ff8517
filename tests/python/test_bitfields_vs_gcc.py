"""Bitfield values as gcc stores them: random structs with bitfields (plain
and packed) are declared to ffi.cdef() and compiled by gcc; each field is
set to values in its range through a cdata and through C, and the bytes of
the two structs must be equal, and the values read back the same."""
import os
import random
import shlex
import subprocess

import pytest

TYPES = [("char", 8, False), ("signed char", 8, True), ("unsigned char", 8, False),
         ("short", 16, True), ("unsigned short", 16, False),
         ("int", 32, True), ("unsigned int", 32, False),
         ("long long", 64, True), ("unsigned long long", 64, False), ("_Bool", 1, False)]


def _random_struct(rng, name):
    members, fields = [], []
    for i in range(rng.randint(1, 7)):
        ctype, width, signed = rng.choice(TYPES)
        if ctype == "char":
            signed = False           # plain char bitfields: unsigned with gcc on x86-64
        if rng.random() < 0.25 and ctype != "_Bool":
            members.append("%s m%d;" % (ctype, i))
            continue
        bits = rng.randint(1, width)
        if rng.random() < 0.1:
            members.append("%s :%d;" % (ctype, rng.randint(0, width)))
        members.append("%s f%d:%d;" % (ctype, i, bits))
        fields.append(("f%d" % i, bits, signed and ctype != "_Bool"))
    return "struct %s { %s };" % (name, " ".join(members)), fields


def _values(rng, bits, signed):
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    return sorted({lo, hi, 0, rng.randint(lo, hi), rng.randint(lo, hi)})


def _build(tmp_path, decls_plain, decls_packed, cases):
    lines = ["#include <stdio.h>", "#include <string.h>"]
    lines += decls_plain
    lines += [d.replace("};", "} __attribute__((packed));") for d in decls_packed]
    lines.append("static void dump(const void *p, size_t n) { const unsigned char *b = p;"
                 " for (size_t i = 0; i < n; i++) printf(\"%02x\", b[i]); printf(\"\\n\"); }")
    lines.append("int main(void) {")
    for sname, field, value in cases:
        lines.append("{ struct %s s; memset(&s, 0, sizeof s); s.%s = %dLL; "
                     "dump(&s, sizeof s); }" % (sname, field, value))
    lines.append("return 0; }")
    c_file = tmp_path / "bits.c"
    c_file.write_text("\n".join(lines))
    exe = tmp_path / "bits"
    cc = shlex.split(os.environ.get("CC", "gcc"))
    subprocess.run(cc + ["-w", "-o", str(exe), str(c_file)], check=True)
    out = subprocess.run([str(exe)], stdout=subprocess.PIPE, check=True).stdout.decode()
    return out.split()


@pytest.mark.parametrize("seed", range(8))
def test_bitfield_storage_matches_gcc(ffi, tmp_path, seed):
    import cffi
    rng = random.Random(seed)
    plain, packed, cases, infos = [], [], [], []
    packed_ffi = cffi.FFI()
    for i in range(25):
        is_packed = i % 3 == 2
        decl, fields = _random_struct(rng, "s%d" % i)
        (packed if is_packed else plain).append(decl)
        (packed_ffi if is_packed else ffi).cdef(decl, packed=is_packed)
        if is_packed:
            # as CFFI: a packed bitfield that would share a byte with the
            # previous field where it does not fit is refused when used
            try:
                packed_ffi.sizeof("struct s%d" % i)
            except NotImplementedError as e:
                assert str(e).startswith("with 'packed', gcc would compile field")
                continue
        for fname, bits, signed in fields:
            for v in _values(rng, bits, signed):
                cases.append(("s%d" % i, fname, v))
                infos.append(packed_ffi if is_packed else ffi)
    expected = _build(tmp_path, plain, packed, cases)
    assert len(expected) == len(cases)
    for (sname, fname, value), f, want in zip(cases, infos, expected):
        p = f.new("struct %s *" % sname)
        setattr(p, fname, value)
        got = f.buffer(p)[:].hex()
        assert got == want, (sname, fname, value, f.typeof("struct " + sname).fields)
        assert getattr(p, fname) == value
