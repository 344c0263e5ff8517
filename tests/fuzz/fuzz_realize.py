"""Driver of tests/fuzz/fuzz_realize.c: run_input(data) turns one fuzz input
into ffi.cdef() + type realization + cdata operations.

data = cdef text, b"\\0", operation bytes.  Every cdata made lives until the
input is done (so pointers stored into fields stay valid); only pointers
that ccffi itself handed out are dereferenced (never casts of integers), so
anything that crashes is ccffi's fault.  Python exceptions are the expected
outcome of bad input, except SystemError, which means a C error path
returned NULL without an exception (or the reverse): it is re-raised and
the fuzzer aborts.
"""
import re

from cffi import FFI

PRELUDE = ("typedef int myint; struct fwd; struct point { int x, y; };\n"
           "enum color { RED, GREEN = 5, BLUE };\n")
BASE_TYPES = ["int", "char", "unsigned long long", "double", "float", "_Bool",
              "short", "wchar_t", "char16_t", "char32_t", "void *", "int8_t",
              "long double", "struct point", "enum color", "myint", "struct fwd"]
SUFFIXES = ["", " *", "[3]", "[]", " **", "(*)[2]", " *[2]"]
NAMES = re.compile(r"\b(?:struct|union|enum)\s+\w+|\btypedef\b[^;]*?(\w+)\s*(?:\[[^;]*\])?\s*;")


class Ops:
    def __init__(self, ffi, types, data):
        self.ffi, self.types, self.data, self.pos = ffi, types, data, 0
        self.keep = []

    def byte(self):
        if self.pos >= len(self.data):
            return 0
        self.pos += 1
        return self.data[self.pos - 1]

    def number(self):
        b = self.byte()
        kind = b & 7
        if kind == 0:
            return b >> 3
        if kind == 1:
            return -(b >> 3)
        if kind == 2:
            return (1 << (b >> 2)) - (b & 1)
        if kind == 3:
            return -(1 << (b >> 3))
        if kind == 4:
            return float(b) / 3
        return int.from_bytes(bytes(self.byte() for _ in range(kind)), "little",
                              signed=bool(b & 8))

    def typename(self):
        t = self.types[self.byte() % len(self.types)]
        return t + SUFFIXES[self.byte() % len(SUFFIXES)]

    def value(self, depth=0):
        b = self.byte() % 10
        if b < 3 or depth > 3:
            return self.number()
        if b == 3:
            return bytes(self.byte() for _ in range(self.byte() % 6))
        if b == 4:
            return "".join(chr(self.byte() * 37 % 0x10FFFF or 65)
                           for _ in range(self.byte() % 4))
        if b in (5, 6):
            return [self.value(depth + 1) for _ in range(self.byte() % 5)]
        if b == 7:
            return {self.field_name(): self.value(depth + 1)
                    for _ in range(self.byte() % 3)}
        if b == 8 and self.keep:
            return self.keep[self.byte() % len(self.keep)]
        return None

    def field_name(self):
        return "xyabcdefgh"[self.byte() % 10] if self.byte() & 1 else "f%d" % (self.byte() % 8)

    def cdata(self):
        if not self.keep:
            self.keep.append(self.ffi.new("int[2]"))
        return self.keep[self.byte() % len(self.keep)]

    def step(self):
        ffi = self.ffi
        op = self.byte() % 20
        if op == 0:
            ffi.typeof(self.typename())
        elif op == 1:
            ffi.sizeof(self.typename())
        elif op == 2:
            ffi.alignof(self.typename())
        elif op in (3, 4):
            n = self.byte()
            init = self.value() if n & 1 else None
            t = self.typename()
            if "[]" in t and not isinstance(init, (list, bytes, str)):
                init = n % 64
            self.keep.append(ffi.new(t, init))
        elif op == 5:
            t = self.types[self.byte() % len(self.types)]
            src = self.cdata() if self.byte() & 1 else self.number()
            c = ffi.cast(t, src)
            if ffi.typeof(c).kind not in ("pointer", "array", "function"):
                self.keep.append(c)
        elif op == 6:
            c = self.cdata()     # (a bare pointer may have no NUL in reach)
            if ffi.typeof(c).kind == "array" or "owning" in repr(c):
                ffi.string(c, self.byte() - 1)
        elif op == 7:
            c = self.cdata()     # (CFFI too crashes on a buffer over NULL)
            if ffi.typeof(c).kind == "array" or c != ffi.NULL:
                bytes(ffi.buffer(c))
        elif op == 8:
            c = self.cdata()
            if ffi.typeof(c).kind == "array":
                ffi.unpack(c, self.byte() % (len(c) + 1))
        elif op == 9:
            c = self.cdata()
            self.fields(c, read=True)
        elif op == 10:
            c = self.cdata()
            self.fields(c, read=False)
        elif op == 11:
            c = self.cdata()
            if ffi.typeof(c).kind == "array":
                list(c)
                len(c)
        elif op == 12:
            c = self.cdata()
            if ffi.typeof(c).kind == "array" and len(c):
                self.keep.append(c + self.byte() % len(c))
                c[self.byte() % len(c)] = self.value()
        elif op == 13:
            c = self.cdata()
            t = ffi.typeof(c)
            if t.kind == "array" and len(c):
                self.keep.append(c[0:self.byte() % (len(c) + 1)])
        elif op == 14:
            c = self.cdata()
            t = ffi.typeof(c)
            if t.kind in ("struct", "union") or (t.kind == "pointer" and t.item.kind in ("struct", "union")):
                self.keep.append(ffi.addressof(c, *[n for n, f in (t.fields if t.kind != "pointer" else t.item.fields)[:1]]))
            elif t.kind == "array" and len(c):
                self.keep.append(ffi.addressof(c, self.byte() % len(c)))
        elif op == 15:
            c = self.cdata()
            repr(c); str(ffi.typeof(c)); dir(c); hash(c); bool(c) if ffi.typeof(c).kind != "struct" else None
        elif op == 16:
            ffi.release(self.cdata())
        elif op == 17:
            c = self.cdata()
            if ffi.typeof(c).kind == "pointer" and c != ffi.NULL:
                self.keep.append(c[0])
        elif op == 18:
            ffi.getctype(self.typename(), "*" if self.byte() & 1 else "[5]")
        else:
            t = ffi.typeof(self.typename())
            (t.kind, t.cname, getattr(t, "fields", None), getattr(t, "item", None),
             getattr(t, "length", None), getattr(t, "elements", None))

    def fields(self, c, read):
        t = self.ffi.typeof(c)
        if t.kind == "pointer" and c != self.ffi.NULL:
            t = t.item
        if t.kind not in ("struct", "union") or t.fields is None:
            return
        for name, f in t.fields:
            if not name:
                continue
            if read:
                v = getattr(c, name)
                if isinstance(v, self.ffi.CData):
                    self.keep.append(v)
            else:
                setattr(c, name, self.value())


def run_input(data):
    text, _, ops = bytes(data).partition(b"\0")
    try:
        text = text.decode("latin-1")
    except Exception:
        return
    ffi = FFI()
    types = list(BASE_TYPES)
    try:
        ffi.cdef(PRELUDE)
        ffi.cdef(text, packed=bool(ops[:1] and ops[0] & 0x80))
    except SystemError:
        raise
    except Exception:
        pass
    for m in NAMES.finditer(text):
        types.append(m.group(1) or m.group(0))
    runner = Ops(ffi, types, ops)
    for _ in range(64):
        if runner.pos >= len(ops):
            break
        try:
            runner.step()
        except SystemError:
            raise
        except RecursionError:
            pass
        except Exception:
            pass
    runner.keep.clear()
