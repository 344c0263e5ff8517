"""The C file of an API-mode module (set_source + compile).

Layout of the generated file:

  1. a guard that fails the compile without the ccffi plugin, Python.h, and
     the prototypes of extern "Python" functions (the user's source calls
     them);
  2. the user's source, verbatim;
  3. one marker declaration per cdef item, carrying __attribute__((ccffi(...)))
     as runtime/table/MARKERS.md specifies: the plugin reads the real type,
     layout or value behind each marker and checks it against the cdef;
  4. one trampoline per function, `void t(void **args, void *result)`, calling
     it with the cdef's types (so the compiler converts mis-declared integer
     and float types, and function-like macros work), and getters for the
     addresses of global variables;
  5. the bodies of extern "Python" functions, which call into the runtime;
  6. the sentinel the plugin fills with the type table, and PyInit, which
     hands table, trampolines and addresses to _cffi_backend.

Function slots and global slots are the positions in the arrays of part 4;
the markers carry them so that the table's declarations point at them.
"""
import os
import re

import _cffi_backend

from . import _codegen_fallback

# The names and numbers shared with the plugins and the runtime, from the
# one definition in runtime/table/contract.h (runtime/table/MARKERS.md
# explains the markers).
CONTRACT = _cffi_backend._ccffi_contract()
# Struct/union/enum/typedef marker flags:
MARKER_EXACT = CONTRACT['MF_EXACT']    # the type mirrors every cdef field
MARKER_BODY = CONTRACT['MF_BODY']      # the real type must be complete
MARKER_FIELDS = CONTRACT['MF_FIELDS']  # the mirror lists some fields
MARKER_OPAQUE = CONTRACT['MF_OPAQUE']  # the cdef declares it opaque
MARKER_CDEF = CONTRACT['MF_CDEF']      # typedef: the cdef's own definition
MARKER_LISTED = CONTRACT['MF_LISTED']  # enum: the enumerators just before
MARKER_FLOAT_DOTS = CONTRACT['MF_FLOAT_DOTS']  # typedef: `typedef double... t`
# const/enumconst markers:
MARKER_CHECK_ONLY = CONTRACT['MF_CHECK_ONLY']  # compare with EXPECTED only
MARKER_ENUMERATOR = CONTRACT['MF_ENUMERATOR']  # of the LISTED enum after it
MARKER_RUNTIME = CONTRACT['MF_RUNTIME']        # no compile-time value
MARKER_SLOT_SHIFT = CONTRACT['MF_SLOT_SHIFT']  # 1 + the run-time getter's slot


# The spellings of integer types: their constants are compile-time values.
# char, wchar_t, char16_t and char32_t are no integers to CFFI: such a
# constant reads as b'x' or 'x', so it is evaluated in its type.
INTEGER = re.compile(r'^((un)?signed )?(short|int|long|long long)$'
                     r'|^(un)?signed char$'
                     r'|^unsigned$|^_Bool$|^u?int\w*_t$|^u?intptr_t$'
                     r'|^(size_t|ssize_t|ptrdiff_t)$'
                     r'|^enum ')

# The spelling of an anonymous struct/union/enum: C cannot name it.
ANONYMOUS = re.compile(r'\b(struct|union|enum) (?![A-Za-z_$])')


def unspellable(ctype):
    """True if the spelling of a cdef type is not valid C."""
    return ('[...]' in ctype or '$' in ctype
            or bool(ANONYMOUS.search(ctype)))


def c_file_path(tmpdir, module_name, source_extension):
    return os.path.join(tmpdir, module_name + source_extension)


def write_if_changed(path, text):
    """Writes text to path unless it holds it already; True if written."""
    try:
        with open(path) as f:
            if f.read() == text:
                return False
    except OSError:
        pass
    tmp = path + '.~tmp'
    with open(tmp, 'w') as f:
        f.write(text)
    os.replace(tmp, path)
    return True


def make_extension(module_name, c_file, kwds):
    """The setuptools Extension compiling c_file with the plugin loaded."""
    from setuptools import Extension
    from . import _compiler
    kwds = dict(kwds)
    sources = [c_file] + [os.path.normpath(s) for s in kwds.pop('sources', ())]
    flags = _compiler.plugin_flags()
    kwds['extra_compile_args'] = list(kwds.get('extra_compile_args', ())) + flags
    # a rebuilt plugin must rebuild the module: it writes the table
    kwds['depends'] = list(kwds.get('depends', ())) + _compiler.plugin_dependencies()
    return Extension(name=module_name, sources=sources, **kwds)


def c_string(s):
    """A C string literal for s."""
    out = ['"']
    for ch in s.encode('utf-8'):
        if ch in (0x22, 0x5c):
            out.append('\\' + chr(ch))
        elif 0x20 <= ch < 0x7f:
            out.append(chr(ch))
        else:
            out.append('\\%03o' % ch)
    out.append('"')
    return ''.join(out)


def c_integer(value):
    """A C integer constant expression for any 64-bit value."""
    if value < 0:
        if value == -(1 << 63):
            return '(-9223372036854775807LL - 1)'
        return '(%dLL)' % value
    return '%dULL' % value if value >= (1 << 63) else '%dLL' % value


def typeof(ctype, cplusplus=False):
    """A C type name usable wherever a simple type is expected (in the
    markers: gcc and clang only).  A '$' of the cdef's names (the opaque
    `struct $$p_t` of `typedef ... *p_t;`) is written \\u0024 in C: the same
    identifier for the compiler, no '$' in the C text (CFFI writes none, and
    its ffi.verify() tests check).  C++ keeps the '$' (gcc's and clang's
    extension): clang++ refuses a universal character name for it."""
    if not cplusplus:
        ctype = ctype.replace('$', '\\u0024')
    return '__typeof__(%s)' % ctype


def declare(ctype, declarator):
    """The declaration of `declarator` ('v', '*' for a cast, 'f(int a0)')
    with the cdef type `ctype` (an abstract declarator: 'int', 'char *',
    'int(*)(int)', 'int(*)[5]'), composed as C composes declarators, so
    that every C and C++ compiler reads it (no __typeof__): the name goes
    before the first ')' or '[', or before a '(' opening a parameter list,
    or at the end."""
    pos = len(ctype)
    for i, ch in enumerate(ctype):
        if ch in ')[':
            pos = i
            break
        if ch == '(' and ctype[i + 1:].lstrip()[:1] not in ('*', '^', '&'):
            pos = i
            break
    return '%s %s%s' % (ctype[:pos].rstrip(), declarator, ctype[pos:])


def pointer_to(ctype, name='p'):
    """The declaration of `name` as a pointer to the cdef type ctype
    (parenthesised only before an array's brackets: C++ warns of needless
    parentheses)."""
    decl = declare(ctype, '*' + name)
    if decl[decl.index('*' + name) + len(name) + 1:].startswith('['):
        decl = declare(ctype, '(*%s)' % name)
    return decl


def attribute_number(n):
    """An attribute's integer argument."""
    return str(n) if 0 <= n < (1 << 63) else c_integer(n)


def attribute(kind, name, *numbers):
    args = [c_string(kind)]
    if name is not None:
        args.append(c_string(name))
    args.extend(attribute_number(n) for n in numbers)
    return '__attribute__((%s(%s)))' % (CONTRACT['attribute'], ', '.join(args))


class Generator:
    """Builds the C text from the FFI's declarations."""

    def typeof(self, ctype):
        return typeof(ctype, self.cplusplus)

    def __init__(self, ffi, module_name, source):
        self.module_name = module_name
        self.source = source
        self.ffi = ffi
        self.decls = _cffi_backend._ccffi_declarations(ffi)
        # compiled modules of included FFIs: imported at load time so that
        # the types are shared, as CFFI does
        self.includes = [o._assigned_source[0]
                         for o in getattr(ffi, '_included_ffis', ())
                         if getattr(o, '_assigned_source', None) is not None]
        self.counter = 0
        self.prologue = []
        self.markers = []
        self.enum_markers = []       # first: nothing reaches an enum before
        self.constant_names = set()  # enumerators and constants, once each
        self.trampolines = []
        self.function_entries = []   # (trampoline or NULL, address or NULL)
        self.global_getters = []
        self.runtime_getters = []    # of integer constants (plugin only)
        self.python_bodies = []
        self.nexterns = 0
        self.extern_names = []
        # ffi.embedding_api()/embedding_init_code(): a library that starts
        # Python on the first call (cffi/_embedding.py); None otherwise
        self.embedding = getattr(ffi, '_embedding', None)
        assigned = getattr(ffi, '_assigned_source', None)
        self.cplusplus = assigned is not None and assigned[2].lower() in (
            '.cpp', '.cxx', '.cc', '.c++', '.cp')

    def fresh(self):
        self.counter += 1
        return '_ccffi_m%d' % self.counter

    def type_marker(self, declarator, attr):
        """A marker carrying a type, in the form both gcc front ends report
        (cc1plus reports no typedef): `typedef T _ccffi_tN;` names the cdef's
        view, `extern _ccffi_tN *_ccffi_mN ATTR;` carries the attribute.
        declarator is the typedef's text with {} where the name goes."""
        name = self.fresh()
        tname = name.replace('_ccffi_m', '_ccffi_t')
        self.markers.append('typedef %s;' % declarator.format(tname))
        self.markers.append('extern %s *%s %s;' % (tname, name, attr))

    # ---------------------------------------------------------- the pieces

    def emit_record(self, kind, name, typedef_named, flags, fields, pack):
        if typedef_named:
            marker_kind, ctype = 'typedef', name
        else:
            marker_kind, ctype = kind, '%s %s' % (kind, name)
        if flags == 'exact' and (not self.mirrorable(fields)
                                 or self.inner_open_array(fields)
                                 or self.holds_partial(fields)):
            # `int a[...]`, `int a[]; int b;`, a member of a partial struct
            # type: the layout is the header's, as CFFI does not check it
            flags = 'partial'
        dots_of = None
        if flags == 'partial' and fields and not self.mirrorable(fields) \
                and self.mirrorable(fields, dots=True) \
                and not unspellable(ctype):
            # `int a[...]`: mirrored as the header's member's type, so that
            # the table lists the cdef's members as CFFI shows them
            dots_of = ctype
        if flags == 'partial' and fields and (
                dots_of or self.mirrorable(fields)):
            number = MARKER_FIELDS | MARKER_BODY
        elif flags == 'exact':
            number = MARKER_EXACT | MARKER_BODY
        else:
            number = MARKER_BODY if flags == 'partial' else MARKER_OPAQUE
        if number & (MARKER_EXACT | MARKER_FIELDS):
            body = self.mirror_body(fields, dots_of=dots_of)
            mirror = '%s {\n%s}' % (kind, body)
            if pack:
                self.markers.append('#pragma pack(push, %d)' % pack)
            self.type_marker(mirror.replace('{', '{{').replace('}', '}}')
                             + ' {}', attribute(marker_kind, name, number))
            if pack:
                self.markers.append('#pragma pack(pop)')
            return
        self.type_marker(ctype + ' {}', attribute(marker_kind, name, number))

    @classmethod
    def mirrorable(cls, fields, dots=False):
        """False if some field's type can only come from the header; with
        dots, a direct member whose type says `[...]` is mirrorable (as
        the header's member's type, mirror_body(dots_of=...))."""
        for field in fields:
            if len(field) == 4:
                if not cls.mirrorable(field[3]):
                    return False
            elif dots and not unspellable(field[1].replace('[...]', '')):
                continue
            elif unspellable(field[1]):   # `[...]`, an unnamed struct type
                return False
        return True

    def holds_partial(self, fields):
        """True if a member's type (arrays of it too) is a struct or union
        the cdef declares with `...;`."""
        partial = getattr(self, '_partial_records', None)
        if partial is None:
            partial = self._partial_records = set(
                d[2] and d[1] or '%s %s' % (d[0], d[1]) for d in self.decls
                if d[0] in ('struct', 'union') and d[3] == 'partial')
        for field in fields:
            if len(field) == 4:
                if self.holds_partial(field[3]):
                    return True
                continue
            ctype = field[1]
            while ctype.endswith(']'):
                ctype = ctype[:ctype.rindex('[')].rstrip()
            if ctype in partial:
                return True
        return False

    @staticmethod
    def inner_open_array(fields):
        """True if a `T a[]` member is not the last one (C refuses that in
        the mirror; CFFI's cdef accepts it with `...;`)."""
        return any(len(f) == 3 and f[1].endswith('[]') for f in fields[:-1])

    def mirror_body(self, fields, indent='    ', dots_of=None):
        """The members of the mirror struct: the cdef's fields in C (a
        `T a[]` that is not last as `T a[0]`: its layout is the header's); a
        `[...]` one, with dots_of the record's C type, as the header's
        (`__typeof__(((struct s *)0)->a) a;`, MARKERS.md)."""
        lines = []
        for i, field in enumerate(fields):
            fname, ftype, bitsize = field[:3]
            if dots_of and len(field) == 3 and '[...]' in ftype:
                if ftype.endswith('[...]') and '[]' in ftype:
                    # `int a[][...]`: the header's item type, unsized as
                    # the cdef says (`T a[0]`, read as `T[]`)
                    lines.append('%s__typeof__(((%s *)0)->%s[0]) %s[0];\n'
                                 % (indent, dots_of, fname, fname))
                    continue
                lines.append('%s__typeof__(((%s *)0)->%s) %s;\n'
                             % (indent, dots_of, fname, fname))
                continue
            if len(field) == 4:   # anonymous member: ftype is struct/union
                nested = self.mirror_body(field[3], indent + '    ')
                lines.append('%s%s {\n%s%s};\n' % (indent, ftype, nested, indent))
                continue
            decl = '%s %s' % (self.typeof(ftype), fname)
            if (len(field) == 3 and ftype.endswith('[]')
                    and (len(fields) == 1 or i + 1 < len(fields))):
                # C refuses a flexible array member alone (`struct foo_s {
                # const int a[]; ...; }`) or before another member: gcc's
                # and clang's zero-length array, which the plugins read as
                # `T[]` too (the layout is the header's)
                decl = '%s %s[0]' % (self.typeof(ftype[:-2].rstrip()), fname)
            if bitsize >= 0:
                decl += ' : %d' % bitsize
            lines.append('%s%s;\n' % (indent, decl))
        return ''.join(lines)

    def constant_seen(self, name):
        """CFFI's recompiler writes one C function per enumerator and
        constant: a name declared twice (`enum e1 { A1, ... }; enum e2 {
        A1, ... };`) is its VerificationError."""
        if name in self.constant_names:
            raise _cffi_backend.VerificationError(
                "duplicate declaration of const '%s'" % name)
        self.constant_names.add(name)

    def emit_enum(self, name, typedef_named, partial, enumerators):
        """An enum as CFFI's API mode shows it: the cdef's enumerators, in
        its order, with the compiler's values (unchecked: a cdef `enum e {
        AA, BB };` for `enum e { AA, CC, BB };` has BB 2 and no CC), the
        compiler's integer type; an anonymous enum (name "") has the type
        its values need.  Each enumerator is a constant marker flagged
        ENUMERATOR (a macro works too, as in CFFI's `(AA)`); the enum's
        marker, flagged LISTED, takes them.  They come before every other
        marker, so that no other type reaches the enum first."""
        del partial
        if not enumerators:     # `enum e;`: the source's type
            if typedef_named:
                self.type_marker(name + ' {}',
                                 attribute('typedef', name, MARKER_BODY))
            else:
                self.type_marker('enum %s {}' % name,
                                 attribute('enum', name, MARKER_BODY))
            return
        markers, self.markers = self.markers, self.enum_markers
        try:
            for enumerator, _ in enumerators:
                self.constant_seen(enumerator)
                self.constant_markers(enumerator, MARKER_ENUMERATOR, None)
            count = len(enumerators)
            if typedef_named:
                self.type_marker(name + ' {}', attribute(
                    'typedef', name, MARKER_BODY | MARKER_LISTED, count))
            elif name:
                self.type_marker('enum %s {}' % name, attribute(
                    'enum', name, MARKER_BODY | MARKER_LISTED, count))
            else:
                self.type_marker('int {}', attribute(
                    'enum', '', MARKER_LISTED, count))
        finally:
            self.markers = markers

    def emit_constant(self, name, ctype, value):
        if not INTEGER.match(ctype):
            # a float, a pointer, `f()`, `&var`...: evaluated when read, in
            # the cdef's type, as CFFI's generated code does
            slot = len(self.global_getters)
            self.type_marker('const %s {}' % self.typeof(ctype),
                             attribute('global', name, slot))
            getter = '_ccffi_g%d' % slot
            self.trampolines.append(
                'static void *%s(void)\n{ static %s; v = (%s); '
                'return (void *)&v; }' % (getter, declare(ctype, 'v'), name))
            self.global_getters.append(getter)
            return
        self.constant_seen(name)
        expected = value if isinstance(value, int) else None
        self.constant_markers(name, 0, expected)

    def constant_markers(self, name, flags, expected):
        """The markers of an integer constant: its value as the compiler
        evaluates it if it is a macro, else found by name."""
        if flags & MARKER_ENUMERATOR:
            numbers = ((flags,) if expected is None else (flags, expected)
                       ) if flags or expected is not None else ()
            self.markers.append('#ifdef %s' % name)
            self.markers.append(
                'static const _CCFFI_CONST_TYPE(%s) %s __attribute__((unused)) '
                '%s = (%s);'
                % (name, self.fresh(), attribute('const', name, *numbers),
                   name))
            self.markers.append('#else')
            self.type_marker('int {}', attribute('enumconst', name, *numbers))
            self.markers.append('#endif')
            return
        # Not an enumerator: C may compute the value only when the program
        # runs (`extern const int N;`, `#define M (f() + 1)`, `int X = 5;`),
        # which CFFI reads at first use.  The marker says whether the value
        # is a compile-time constant and which getter reads it otherwise
        # (contract.h, CCC_MF_RUNTIME); the plugin decides which to record.
        slot = len(self.global_getters)
        getter = '_ccffi_k%d' % slot
        self.global_getters.append('_CCFFI_RUNTIME_INT(%s)' % getter)
        self.runtime_getters.append(
            'static void *%s(void)\n{\n'
            '    static struct _ccffi_runtime_int _ccffi_v;\n'
            '    _ccffi_v.value = (unsigned long long)(%s);\n'
            '    _ccffi_v.nonpos = _CCFFI_NONPOS(%s);\n'
            '    return (void *)&_ccffi_v;\n}' % (getter, name, name))
        base = flags | ((slot + 1) << MARKER_SLOT_SHIFT)
        tail = '' if expected is None else ', ' + attribute_number(expected)
        self.markers.append('#ifdef %s' % name)
        # an enumerator: clang++ folds __builtin_constant_p of an extern
        # const in a constant-evaluated context, not in an attribute
        runtime = '_ccffi_r%d' % slot
        self.markers.append('enum { %s = _CCFFI_CONSTANT_P(%s) ? 0 : %d };'
                            % (runtime, name, MARKER_RUNTIME))
        self.markers.append(
            'static const _CCFFI_CONST_TYPE(%s) %s __attribute__((unused)) '
            '__attribute__((%s("const", %s, %d | %s%s))) = '
            '_CCFFI_IF_CONSTANT(%s);'
            % (name, self.fresh(), CONTRACT['attribute'], c_string(name),
               base, runtime, tail, name))
        self.markers.append('#else')
        self.type_marker('int {}', attribute(
            'enumconst', name, *((base,) if expected is None
                                 else (base, expected))))
        self.markers.append('#endif')

    def unknown_integer(self, name):
        """True for `typedef int... name` (not `float...`): only realizing
        the cdef's type tells them apart."""
        try:
            self.ffi.typeof(name)
        except NotImplementedError as e:
            return str(e).startswith('integer type')
        except Exception:
            pass
        return False

    def unknown_float(self, name):
        """True for `typedef float... name` / `double...`."""
        try:
            self.ffi.typeof(name)
        except NotImplementedError as e:
            return str(e).startswith('float type')
        except Exception:
            pass
        return False

    def emit_typedef(self, name, ctype):
        if ctype == name and self.unknown_integer(name):
            # as CFFI's generated code: the compiler refuses a source type
            # that is not an integer (float, pointer, struct), with or
            # without the plugin
            self.trampolines.append(
                'typedef char _ccffi_int%d[sizeof(((%s)-1) | 0)];  '
                '/* check that %s is an integer type */'
                % (self.counter, name, name))
        if ctype == name or '[...]' in ctype or ANONYMOUS.search(ctype):
            # `typedef int... t`, `typedef int t[...]`, an anonymous struct
            # behind a pointer typedef: only the source knows the type
            # `float...`: the plugin checks the real type is float/double
            flags = MARKER_FLOAT_DOTS if (
                ctype == name and self.unknown_float(name)) else 0
            self.type_marker(name + ' {}', attribute('typedef', name, flags))
        else:
            # the cdef's own definition, which C code never needs to know
            # by name (CFFI accepts typedefs that only the cdef has)
            self.type_marker(self.typeof(ctype).replace('{', '{{').replace('}', '}}')
                             + ' {}', attribute('typedef', name, MARKER_CDEF))

    @staticmethod
    def parameter_list(args, variadic, names=None):
        if names is None:
            parts = list(args)
        else:
            parts = [declare(a, n) for a, n in zip(args, names)]
        if variadic:
            parts.append('...')
        return ', '.join(parts) if parts else 'void'

    def emit_function(self, name, result, args, variadic):
        slot = len(self.function_entries)
        if any(unspellable(t) for t in (result,) + tuple(args)):
            # `foo_t *` with `typedef int foo_t[...]`, an anonymous struct:
            # C cannot spell the cdef's type, so the table takes the
            # source's prototype and libffi calls the function at its address
            self.type_marker('__typeof__(%s) {}' % name,
                             attribute('function', name, slot))
            self.function_entries.append(('NULL', '(void (*)(void))&%s' % name))
            return
        self.type_marker('%s {}(%s)' % (
            self.typeof(result), self.parameter_list(args, variadic).replace(
                '{', '{{').replace('}', '}}')),
            attribute('function', name, slot))
        if variadic:
            # called through libffi at its address: no trampoline can forward
            # a variable argument list
            self.function_entries.append(('NULL', '(void (*)(void))&%s' % name))
            return
        tramp = '_ccffi_f%d' % slot
        call_args = ', '.join('*(%s)a[%d]' % (declare(a, '*'), i)
                              for i, a in enumerate(args))
        call = '%s(%s)' % (name, call_args)
        if result == 'void':
            body = '(void)r; %s;' % call
        else:
            body = '*(%s)r = %s;' % (declare(result, '*'), call)
        if not args:
            body = '(void)a; ' + body
        self.trampolines.append('static void %s(void **a, void *r)\n{ %s }'
                                % (tramp, body))
        # the address Python sees (ffi.addressof(lib, 'f'), lib.f passed as
        # a function pointer): a function of the cdef's type calling f, as
        # CFFI gives; it also serves function-like macros and C++ overloads
        direct = '_ccffi_d%d' % slot
        names = ['a%d' % i for i in range(len(args))]
        call = '%s(%s)' % (name, ', '.join(names))
        self.trampolines.append('static %s\n{ %s%s; }' % (
            declare(result, '%s(%s)' % (
                direct, self.parameter_list(args, False, names))),
            '' if result == 'void' else 'return ', call))
        self.function_entries.append((tramp, '(void (*)(void))&%s' % direct))

    def emit_variable(self, name, ctype, is_const):
        slot = len(self.global_getters)
        if '[...]' in ctype and ctype[ctype.index('['):].startswith('[]'):
            # `int glob[][...]`: unsized as the cdef says, items the source's
            mtype = '__typeof__((%s)[0]) {}[]' % name
        elif '[...]' in ctype:
            mtype = '__typeof__(%s) {}' % name
        else:
            mtype = '%s {}' % self.typeof(ctype).replace('{', '{{').replace('}', '}}')
        if is_const and '[' not in ctype:
            # read-only for Python, whatever the source (a macro) says:
            # `const int x;`, `typedef const int c_t; c_t x;`
            mtype = 'const ' + mtype
        self.type_marker(mtype, attribute('global', name, slot))
        getter = '_ccffi_g%d' % slot
        if is_const and '[' not in ctype and not unspellable(ctype):
            # `int (*const f)(int)` may be bound to a function f, a constant
            # to a macro: read its value, as CFFI does
            self.trampolines.append(
                'static void *%s(void)\n{ static %s; v = (%s); '
                'return (void *)&v; }' % (getter, declare(ctype, 'v'), name))
        else:
            self.trampolines.append(
                'static void *%s(void)\n{ %s }'
                % (getter, self.global_check(name, ctype)))
        self.global_getters.append(getter)

    @staticmethod
    def global_check(name, ctype):
        """The statement that makes a global of another type or size than
        the cdef says the compiler's error in C++ and its warning in C (an
        error with -Werror), as CFFI's getter returning `T *` does.  A
        scalar is checked as CFFI does, through a `T *`; an array or a
        pointer by its size only, as `char (*)[sizeof]` pointers: the cdef's
        types reach the generator without the `const` of their items and
        pointed-to types, and a check through `T *` would refuse the
        source's `const char *a[5]` that CFFI accepts.  A `[...]` length is
        the source's; `T g[]` is checked by its items.  Returns the body of
        the getter, which evaluates `name` once (a macro may call)."""
        plain = 'return (void *)&(%s);' % name
        if unspellable(ctype.replace('[...]', '')):
            return plain
        if '*' not in ctype and '[' not in ctype:
            # evaluated once: a macro may stand for a call; `volatile`, which
            # the cdef's types do not keep, may be the source's
            return 'volatile %s = &(%s); return (void *)p;' % (
                pointer_to(ctype), name)
        dims = []
        base = ctype
        while base.endswith(']'):
            i = base.rindex('[')
            dims.insert(0, base[i + 1:-1])
            base = base[:i].rstrip()
        if base.endswith(')'):
            # `int(*)[5]`: the lengths are those of the pointed-to type
            base, dims = ctype, []
        if '[...]' in base:
            return plain       # inside a pointer or function type
        expr = '(%s)' % name
        lengths = []
        for length in dims:
            if length == '...':
                length = 'sizeof %s / sizeof (%s)[0]' % (expr, expr)
            lengths.append('[%s]' % length)
            expr = '(%s)[0]' % expr
        expr = '(%s)' % name
        if lengths and lengths[0] == '[]':
            lengths.pop(0)
            expr = '(%s)[0]' % expr
        return ('char (*_ccffi_c)[sizeof(%s)] = (char (*)[sizeof %s])0; '
                '(void)_ccffi_c; %s'
                % (base + ''.join(lengths), expr, plain))

    def emit_extern_python(self, name, result, args, variadic, plus_c):
        if variadic:
            raise NotImplementedError(
                "ccffi: extern \"Python\" function %r with a variable argument "
                "list" % name)
        slot = self.nexterns
        self.nexterns += 1
        self.extern_names.append(name)
        names = ['a%d' % i for i in range(len(args))]
        params = self.parameter_list(args, False, names)
        # unused by the source is fine: Python may be its only caller
        storage = '' if plus_c else '__attribute__((unused)) static '
        if plus_c and self.embedding is not None:
            storage = 'CFFI_DLLEXPORT '     # the library's API
        proto = storage + declare(result, '%s(%s)' % (name, params))
        self.prologue.append(proto + ';')
        self.type_marker('%s {}(%s)' % (
            self.typeof(result), self.parameter_list(args, False).replace(
                '{', '{{').replace('}', '}}')),
            attribute('python', name, slot, 1 if plus_c else 0))
        argv = ', '.join('&%s' % n for n in names) or '0'
        lines = [proto, '{']
        lines.append('    void *args[%d] = { %s };' % (max(len(args), 1), argv))
        # the runtime writes small integer results widened to 8 bytes, as
        # libffi closures return them: the buffer has room for that
        lines.append('    union { %s; unsigned long long wide; } result;'
                     % declare('char' if result == 'void' else result, 'value'))
        lines.append('    memset(&result, 0, sizeof result);')
        lines.append('    _ccffi_call_python(%d, args, &result);' % slot)
        if result != 'void':
            lines.append('    return result.value;')
        lines.append('}')
        self.python_bodies.append('\n'.join(lines))

    # -------------------------------------------------------------- driver

    def refuse(self):
        """What CFFI's recompiler refuses before compiling anything, with
        its exception types and messages: pack=N > 1 (API mode has no way
        to ask the compiler for it), a struct member or a function result
        of a type the cdef leaves opaque, a prototype with a type C cannot
        name (a pointer to a pointer to an anonymous struct)."""
        from .verifier import _check_nameable
        _check_nameable(self.decls)
        opaque = set()
        for d in self.decls:
            if d[0] in ('struct', 'union') and d[3] == 'opaque':
                opaque.add(d[2] and d[1] or '%s %s' % (d[0], d[1]))

        def base(ctype):
            while ctype.endswith(']'):
                ctype = ctype[:ctype.rindex('[')].rstrip()
            return ctype

        def check_fields(what, name, fields):
            for field in fields:
                if len(field) == 4:
                    check_fields(what, name, field[3])
                elif base(field[1]) in opaque:
                    raise TypeError("%s: field '%s.%s' is of an opaque type "
                                    "(not declared in cdef())"
                                    % (what, name, field[0]))

        for d in self.decls:
            if d[0] in ('struct', 'union'):
                # named as CFFI's model names them in its messages
                kind, name, typedef_named, flags, fields, pack = d
                ctype = name if typedef_named else '%s %s' % (kind, name)
                what = ('anonymous ' if typedef_named else '') + ctype
                if pack and pack > 1:
                    raise NotImplementedError(
                        "%s: <%s> is declared with 'pack=%r'; only 0 or 1 are "
                        "supported in API mode (try to use \"...;\", which "
                        "does not require a 'pack' declaration)"
                        % (what, ctype, pack))
                check_fields(what, ('$' if typedef_named else '') + name,
                             fields)
            elif d[0] == 'function' and d[2] in opaque:
                raise TypeError("function %s: '%s' is used as result type, "
                                "but is opaque" % (d[1], d[2]))

    def run(self):
        self.refuse()
        for d in self.decls:
            kind = d[0]
            if kind in ('struct', 'union'):
                self.emit_record(*d)
            elif kind == 'enum':
                self.emit_enum(*d[1:])
            elif kind == 'typedef':
                self.emit_typedef(*d[1:])
            elif kind == 'function':
                self.emit_function(*d[1:])
            elif kind == 'variable':
                self.emit_variable(*d[1:])
            elif kind == 'constant':
                self.emit_constant(*d[1:])
            elif kind == 'extern_python':
                self.emit_extern_python(*d[1:])
            else:
                raise AssertionError("unknown declaration kind %r" % (kind,))
        return self.text()

    def uses_char16_32(self):
        """True if a type of the cdef's declarations says char16_t or
        char32_t (which C code knows from <uchar.h>)."""
        word = re.compile(r'\bchar(16|32)_t\b')

        def walk(item):
            if isinstance(item, str):
                return bool(word.search(item))
            if isinstance(item, (tuple, list)):
                return any(walk(x) for x in item)
            return False
        return any(walk(d) for d in self.decls)

    def text(self):
        short_name = self.module_name.split('.')[-1]
        out = []
        w = out.append
        w('/* Generated by ccffi for the module %s: do not edit. */' % self.module_name)
        w('#define _CFFI_')
        w('#define PY_SSIZE_T_CLEAN')
        w('#include <Python.h>')
        w('#include <stddef.h>')
        w('#include <stdint.h>')
        w('#include <string.h>')
        w('#ifdef __cplusplus')
        w('#  ifndef _Bool')
        w('     typedef bool _Bool;   /* the cdef\'s spelling of bool */')
        w('#  endif')
        w('/* the type of a constant marker: what its value has, arrays decayed */')
        w('#  define _CCFFI_CONST_TYPE(x) auto')
        w('#else')
        if self.uses_char16_32():
            # only then: CFFI's file includes only Python.h, and the names
            # <uchar.h> declares (c16rtomb...) are the user's otherwise
            w('#  include <uchar.h>    /* char16_t, char32_t */')
        w('#  define _CCFFI_CONST_TYPE(x) __typeof__(x)')
        w('#endif')
        w('#if !defined(__GNUC__) && !defined(__clang__) && !defined(__attribute__)')
        w('#  define __attribute__(x)')
        w('#endif')
        # what the no-plugin section uses, before any macro of the source
        out.extend(_codegen_fallback.prologue(CONTRACT))
        w('')
        if self.embedding is not None:
            from . import _embedding
            out.extend(_embedding.c_prologue(self.module_name, self.embedding,
                                             _cffi_backend.__version__))
        w('/* ---------------- the source given to set_source() ---------------- */')
        w(self.source)
        w('/* ---------------- end of the source given to set_source() ---------- */')
        w('')
        if self.nexterns:
            w('/* extern "Python" functions: C calls them, Python provides them. */')
            w('static void _ccffi_call_python(unsigned slot, void **args, '
              'void *result);')
            out.extend(self.prologue)
            w('')
        out.extend(_codegen_fallback.section(self, CONTRACT))  # no plugin
        # the markers speak to the plugin only (and use gcc's __typeof__)
        w('#ifdef %s' % CONTRACT['plugin_macro'])
        if self.runtime_getters:
            # only an integer (classes 1 to 4: integer, char, enum, bool)
            # may be computed at run time; anything else is taken as a
            # constant, as before (clang++ says a string literal is none)
            w('#ifdef __cplusplus')
            # g++ evaluates __builtin_classify_type's operand in a constant
            # expression (`f()`: not constexpr); decltype does not
            w('template <class _CCFFI_T> struct _ccffi_int_p '
              '{ static const bool v = false; };')
            for t in ('int', 'unsigned int', 'long', 'unsigned long',
                      'long long', 'unsigned long long'):
                w('template <> struct _ccffi_int_p<%s> '
                  '{ static const bool v = true; };' % t)
            w('#  define _CCFFI_CONSTANT_P(x) (!_ccffi_int_p<__typeof__(+(x))>::v'
              ' || __builtin_constant_p(x))')
            w('#  define _CCFFI_IF_CONSTANT(x) (_CCFFI_CONSTANT_P(x) ? (x) : 0)')
            w('template <class _CCFFI_T> static inline bool '
              '_ccffi_nonpos(_CCFFI_T _ccffi_x) { return _ccffi_x <= 0; }')
            w('template <class _CCFFI_T> static inline bool '
              '_ccffi_nonpos(_CCFFI_T *_ccffi_x) { return _ccffi_x == 0; }')
            w('#  define _CCFFI_NONPOS(x) _ccffi_nonpos(x)')
            w('#else')
            w('#  define _CCFFI_CONSTANT_P(x) '
              '(__builtin_classify_type(x) > 4 || __builtin_constant_p(x))')
            w('#  define _CCFFI_IF_CONSTANT(x) '
              '__builtin_choose_expr(_CCFFI_CONSTANT_P(x), (x), 0)')
            w('#  define _CCFFI_NONPOS(x) __builtin_choose_expr('
              '__builtin_classify_type(x) == 5, (x) == 0, (x) <= 0)')
            w('#endif')
        out.extend(self.enum_markers)
        out.extend(self.markers)
        if self.runtime_getters:
            w('/* what an integer constant C computes only at run time reads: '
              'struct ccc_runtime_int of contract.h */')
            w('struct _ccffi_runtime_int { unsigned long long value; '
              'int nonpos; };')
            out.extend(self.runtime_getters)
            w('#  define _CCFFI_RUNTIME_INT(getter) getter')
        w('#else')
        w('#  define _CCFFI_RUNTIME_INT(getter) 0  /* the fallback reads them */')
        w('#endif /* %s */' % CONTRACT['plugin_macro'])
        w('')
        w('/* The typed calls convert what the cdef declared to what the header')
        w('   declares, as a C call does (and warns as the compiler does). */')
        out.extend(self.trampolines)
        w('')
        entries = self.function_entries or [('NULL', 'NULL')]
        w('static void (*const _ccffi_trampolines[])(void **, void *) = {')
        w(''.join('    %s,\n' % t for t, _ in entries) + '};')
        w('/* the functions, then the extern "Python" functions (lib.f) */')
        w('static void (*const _ccffi_addresses[])(void) = {')
        addresses = ([a for _, a in self.function_entries]
                     + ['(void (*)(void))&%s' % n for n in self.extern_names])
        w(''.join('    %s,\n' % a for a in addresses or ['NULL']) + '};')
        getters = self.global_getters or ['NULL']
        w('static void *(*const _ccffi_globals[])(void) = {')
        w(''.join('    %s,\n' % g for g in getters) + '};')
        w('')
        w('/* Filled by _cffi_backend when the module is imported. */')
        w('static struct { void (*call)(void *, unsigned, void **, void *); '
          'void *state; } _ccffi_python_hook;')
        w('')
        if self.embedding is not None:
            w('static int _ccffi_embed_imported(void)')
            w('{')
            w('    return _ccffi_python_hook.call != NULL;')
            w('}')
        if self.nexterns and self.embedding is not None:
            w('/* The first call starts Python and runs the init code. */')
            w('static const char *const _ccffi_extern_cnames[] = {')
            w(''.join('    %s,\n' % c_string(n) for n in self.extern_names) + '};')
            w('static void _ccffi_call_python(unsigned slot, void **args, '
              'void *result)')
            w('{')
            w('    if (!_ccffi_embed_ready() && (_ccffi_embed_start() < 0')
            w('                                  || _ccffi_python_hook.call == NULL)) {')
            w('        fprintf(stderr, "function %s() called, but initialization '
              'code failed.  Returning 0.\\n", _ccffi_extern_cnames[slot]);')
            w('        return;')
            w('    }')
            w('    _ccffi_python_hook.call(_ccffi_python_hook.state, slot, '
              'args, result);')
            w('}')
            out.extend(self.python_bodies)
        elif self.nexterns:
            w('/* Before the module is imported, calls return zero. */')
            w('static void _ccffi_call_python(unsigned slot, void **args, '
              'void *result)')
            w('{')
            w('    if (_ccffi_python_hook.call != NULL)')
            w('        _ccffi_python_hook.call(_ccffi_python_hook.state, slot, '
              'args, result);')
            w('}')
            out.extend(self.python_bodies)
        w('')
        w('/* The plugin writes the type table here; static: each module reads')
        w('   its own table, whatever other modules are loaded. */')
        w('#ifdef %s' % CONTRACT['plugin_macro'])
        w('static const char %s[] __attribute__((%s("table"), used)) = "";'
          % (CONTRACT['table_symbol'], CONTRACT['attribute']))
        w('#endif')
        w('')
        w('static struct PyModuleDef _ccffi_moduledef = {')
        w('    PyModuleDef_HEAD_INIT, %s, NULL, -1, NULL, NULL, NULL, NULL, NULL'
          % c_string(self.module_name))
        w('};')
        w('')
        w('PyMODINIT_FUNC PyInit_%s(void);' % short_name)
        w('PyMODINIT_FUNC PyInit_%s(void)' % short_name)
        w('{')
        w('    PyObject *backend, *done, *module = PyModule_Create(&_ccffi_moduledef);')
        w('    if (module == NULL)')
        w('        return NULL;')
        w('    backend = PyImport_ImportModule("_cffi_backend");')
        w('    if (backend == NULL) {')
        w('        Py_DECREF(module);')
        w('        return NULL;')
        w('    }')
        table = CONTRACT['table_symbol']
        # the table as a memoryview of the static array: used in place, no
        # copy (bytes, as before, are copied)
        w('    done = PyObject_CallMethod(backend, %s, "iONNNNnnnNN",'
          % c_string(CONTRACT['init_function']))
        w('#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03030000')
        w('        %d, module, PyMemoryView_FromMemory((char *)%s, '
          '(Py_ssize_t)sizeof(%s), PyBUF_READ),'
          % (CONTRACT['init_abi_version'], table, table))
        w('#else   /* a limited API before 3.3 has no memoryview of memory */')
        w('        %d, module, PyBytes_FromStringAndSize(%s, '
          '(Py_ssize_t)sizeof(%s)),'
          % (CONTRACT['init_abi_version'], table, table))
        w('#endif')
        for array, capsule in (('_ccffi_trampolines', 'capsule_trampolines'),
                               ('_ccffi_addresses', 'capsule_addresses'),
                               ('_ccffi_globals', 'capsule_globals')):
            w('        PyCapsule_New((void *)%s, %s, NULL),'
              % (array, c_string(CONTRACT[capsule])))
        w('        (Py_ssize_t)%d, (Py_ssize_t)%d, (Py_ssize_t)%d,'
          % (len(self.function_entries), len(self.global_getters), self.nexterns))
        w('        PyCapsule_New((void *)&_ccffi_python_hook, %s, NULL),'
          % c_string(CONTRACT['capsule_python_hook']))
        if self.includes:
            w('        Py_BuildValue("(%s)", %s));' % (
                's' * len(self.includes),
                ', '.join(c_string(n) for n in self.includes)))
        else:
            w('        PyTuple_New(0));')
        w('    Py_DECREF(backend);')
        w('    if (done == NULL) {')
        w('        Py_DECREF(module);')
        w('        return NULL;')
        w('    }')
        w('    Py_DECREF(done);')
        w('    return module;')
        w('}')
        w('')
        return '\n'.join(out)


def generate_c(ffi, module_name, source):
    """The complete C file of module_name."""
    return Generator(ffi, module_name, source).run()


def generate_python(ffi, module_name):
    """The .py module of ABI mode out-of-line: the cdef's table, as bytes."""
    table = _cffi_backend._ccffi_table_bytes(ffi)
    lines = ['# Generated by ccffi for the module %s (ABI mode, out-of-line):'
             % module_name,
             '# do not edit.  `ffi` holds the declarations; use ffi.dlopen().',
             'import _cffi_backend']
    # the ABI-mode modules of included FFIs, imported as CFFI's file does
    includes = []
    for other in getattr(ffi, '_included_ffis', ()):
        assigned = getattr(other, '_assigned_source', None)
        if assigned is not None and assigned[1] is None:
            lines.append('from %s import ffi as _ffi%d'
                         % (assigned[0], len(includes)))
            includes.append('_ffi%d, ' % len(includes))
    lines += ['', '_table = (']
    for i in range(0, len(table), 48):
        lines.append('    %r' % table[i:i + 48])
    lines.append(')')
    lines.append('ffi = _cffi_backend._ccffi_ffi_from_table(_table%s)'
                 % (', (%s)' % ''.join(includes) if includes else ''))
    lines.append('del _table')
    return '\n'.join(lines) + '\n'
