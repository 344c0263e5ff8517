"""Generates a large cdef() text for the ffi.cdef benchmark (bench_cdef.py).

    python gen_cdef.py [--size BYTES] [--seed N] [-o FILE]

The text looks like a big C library header: integer #defines, enums,
structs (with arrays, bitfields, nested pointers), typedefs of structs and
of callback types, and thousands of prototypes using all of them.  It only
uses what real CFFI's cdef() accepts, so both implementations parse the same
text.  Deterministic for a given seed; about --size bytes (default 1 MB).
"""
import argparse
import random
import sys

SCALARS = ["int", "unsigned int", "long", "unsigned long", "short",
           "unsigned char", "char", "double", "float", "long long",
           "size_t", "int32_t", "uint64_t", "uint8_t", "ssize_t", "_Bool"]
INTS = ["int", "unsigned int", "long", "short", "unsigned char", "uint32_t"]
WORDS = ["buffer", "count", "index", "flags", "length", "offset", "handle",
         "value", "state", "mode", "width", "height", "data", "key", "size",
         "limit", "level", "type", "status", "result", "context", "options"]


class Generator:
    """Writes declarations into a list of strings, keeping the names made."""

    def __init__(self, seed):
        self.rnd = random.Random(seed)
        self.out = []
        self.size = 0
        self.structs = []      # struct tags with a body
        self.typedefs = []     # typedef names usable as types
        self.callbacks = []    # typedef names of function pointer types
        self.counter = 0

    def emit(self, text):
        self.out.append(text)
        self.size += len(text)

    def name(self, prefix):
        self.counter += 1
        return "%s_%s_%d" % (prefix, self.rnd.choice(WORDS), self.counter)

    def scalar(self):
        r = self.rnd.random()
        if r < 0.55 or not self.structs:
            return self.rnd.choice(SCALARS)
        if r < 0.75 and self.typedefs:
            return self.rnd.choice(self.typedefs)
        return "struct " + self.rnd.choice(self.structs)

    def param_type(self):
        r = self.rnd.random()
        if r < 0.4:
            return self.rnd.choice(SCALARS)
        if r < 0.55:
            return "const char *"
        if r < 0.65 and self.callbacks:
            return self.rnd.choice(self.callbacks)
        if r < 0.8:
            return self.scalar() + " *"
        return "void *"

    def defines(self, n):
        for _ in range(n):
            value = self.rnd.choice(["%d", "0x%x", "%dU", "0%o", "%dL"])
            self.emit("#define %s %s\n" % (self.name("OPT").upper(),
                                           value % self.rnd.randrange(1 << 20)))

    def enum(self):
        tag = self.name("en")
        items = []
        for i in range(self.rnd.randrange(4, 16)):
            item = self.name("E").upper()
            if self.rnd.random() < 0.3:
                item += " = %d" % self.rnd.randrange(-100, 1 << 16)
            items.append(item)
        self.emit("enum %s {\n    %s\n};\n" % (tag, ",\n    ".join(items)))
        self.typedefs.append("enum " + tag)

    def field(self):
        r = self.rnd.random()
        fname = self.name("f")
        if r < 0.1:
            return "    %s %s : %d;\n" % (self.rnd.choice(INTS), fname,
                                          self.rnd.randrange(1, 9))
        if r < 0.25:
            return "    %s %s[%d];\n" % (self.rnd.choice(SCALARS), fname,
                                         self.rnd.randrange(1, 64))
        if r < 0.45:
            return "    %s *%s;\n" % (self.scalar(), fname)
        if r < 0.5 and self.callbacks:
            return "    %s %s;\n" % (self.rnd.choice(self.callbacks), fname)
        return "    %s %s;\n" % (self.rnd.choice(SCALARS), fname)

    def struct(self):
        tag = self.name("st")
        kind = "union" if self.rnd.random() < 0.1 else "struct"
        fields = "".join(self.field() for _ in range(self.rnd.randrange(3, 16)))
        self.emit("%s %s {\n%s};\n" % (kind, tag, fields))
        if kind == "struct":
            self.structs.append(tag)
        alias = tag + "_t"
        self.emit("typedef %s %s %s;\n" % (kind, tag, alias))
        self.typedefs.append(alias)

    def callback(self):
        cb = self.name("cb") + "_fn"
        params = ", ".join(self.param_type() for _ in range(self.rnd.randrange(1, 4)))
        self.emit("typedef %s (*%s)(%s);\n" % (self.rnd.choice(SCALARS), cb, params))
        self.callbacks.append(cb)

    def prototype(self):
        n = self.rnd.randrange(0, 7)
        params = ", ".join("%s %s" % (self.param_type(), self.name("a"))
                           for _ in range(n)) or "void"
        if n and self.rnd.random() < 0.05:
            params += ", ..."
        result = self.param_type() if self.rnd.random() < 0.5 else "int"
        self.emit("%s %s(%s);\n" % (result, self.name("lib"), params))

    def variable(self):
        self.emit("extern %s %s;\n" % (self.scalar(), self.name("g")))

    def generate(self, size):
        """Declarations in a header-like order until about `size` bytes."""
        self.defines(50)
        while self.size < size:
            r = self.rnd.random()
            if r < 0.02:
                self.defines(10)
            elif r < 0.04:
                self.enum()
            elif r < 0.10:
                self.struct()
            elif r < 0.12:
                self.callback()
            elif r < 0.14:
                self.variable()
            else:
                self.prototype()
        return "".join(self.out)


def generate(size=1 << 20, seed=12345):
    """The benchmark text: about `size` bytes of declarations."""
    return Generator(seed).generate(size)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1 << 20)
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("-o", "--output")
    args = ap.parse_args()
    text = generate(args.size, args.seed)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
