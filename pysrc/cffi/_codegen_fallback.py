"""The part of an API-mode C file that serves compilers without the plugin.

The generated file is one file for both cases (runtime/api/api_fallback.h):

  * compiled with the ccffi plugin, the plugin writes the exact type table
    into the sentinel, and this section is not compiled at all;
  * compiled by any C or C++ compiler without it (a CMake or meson build of
    emit_c_code() output, a compiler we have no plugin for, CCFFI_NO_PLUGIN=1),
    this section takes the sentinel's place: it carries the cdef's
    serialized table (as ABI mode out-of-line does) and asks the compiler,
    in plain C, for every number the plugin would have read: sizes,
    alignments, field offsets, the first bit of each bitfield, `[...]`
    lengths, `int...`/`float...` sizes and kinds, enumerator and constant
    values with their sign.  At import, _cffi_backend completes the table
    with them and loads it as it loads a plugin's table.

Which numbers, in which order, is the backend's plan
(_cffi_backend._ccffi_fallback_plan): this module only spells each entry as
a C statement.  The file stays valid C99 and C++ (C++98 too), for
compilers that are not gcc or clang as well: the markers are compiled with
the plugin only, types C spells with a declarator go through _CCFFI_TYPEOF
(_codegen.plain_type()), alignments through _CCFFI_ALIGNOF (alignof,
_Alignof, __alignof__, or offsetof in a struct { char; T; }).
"""
import re

import _cffi_backend


CHUNK = 64   # statements per fill function


def _statement(k, op, cname, path, extra):
    """The C statement storing entry k's number into v[k]."""
    v = '_ccffi_v[%d]' % k
    if cname and cname.startswith('*'):
        return _named_pointer_statement(v, op, cname[1:], path, extra)
    if op == 'size':
        return '%s._ccffi_u = sizeof(%s);' % (v, cname)
    if op == 'align':
        return '%s._ccffi_u = _CCFFI_ALIGNOF(%s);' % (v, cname)
    if op == 'offset':
        return '%s._ccffi_u = offsetof(%s, %s);' % (v, cname, path)
    if op == 'fieldsize':
        return '%s._ccffi_u = sizeof(((%s *)0)->%s);' % (v, cname, path)
    if op == 'bitpos':
        # the field's lowest bit: set it in a zeroed struct, find the bit
        return ('{ %s _ccffi_s; memset(&_ccffi_s, 0, sizeof _ccffi_s); '
                '_ccffi_s.%s = %s; '
                '%s._ccffi_u = _ccffi_fb_lowbit(&_ccffi_s, sizeof _ccffi_s); }'
                % (cname, path, extra, v))
    if op == 'objsize':
        return '%s._ccffi_u = sizeof(%s);' % (v, path)
    if op == 'varsize':
        return '%s._ccffi_u = sizeof(%s);' % (v, path)
    if op == 'arraylen':
        return '%s._ccffi_u = sizeof(%s) / sizeof((%s)[0]);' % (v, path, path)
    if op == 'sign':
        return '%s._ccffi_flags = _CCFFI_SIGNED(%s);' % (v, cname)
    if op == 'isfloat':
        return '%s._ccffi_u = (((%s)1) / 2) * 2 != 0;' % (v, cname)
    if op == 'enumval':
        return None     # in the array's initializer: see _initializer()
    if op == 'int':
        # `| 0`: a compile error unless it is an integer, as CFFI
        return ('%s._ccffi_u = (unsigned long long)((%s) | 0); '
                '%s._ccffi_flags = (%s) <= 0;'
                % (v, cname, v, cname))
    if op == 'float':
        return '%s._ccffi_d = (double)(%s);' % (v, cname)
    if op == 'string':
        return '%s._ccffi_s = (const char *)(%s);' % (v, cname)
    raise AssertionError("unknown fallback entry %r" % (op,))


def _named_pointer_statement(v, op, ptr, path, extra):
    """The statements of a record C names only through a pointer typedef
    (`typedef struct {...} *foo_p;`), as CFFI's generated code reaches it:
    through `(foo_p)0` and `(foo_p)4096`."""
    if op == 'size':
        return '%s._ccffi_u = sizeof(*(%s)0);' % (v, ptr)
    if op == 'offset':
        return ('%s._ccffi_u = (unsigned long long)((char *)&((%s)4096)->%s - '
                '(char *)4096);' % (v, ptr, path))
    if op == 'fieldsize':
        return '%s._ccffi_u = sizeof(((%s)0)->%s);' % (v, ptr, path)
    if op == 'bitpos':
        return ('{ union { unsigned char _ccffi_b[sizeof(*(%s)0)]; '
                'long double _ccffi_d; void *_ccffi_p; unsigned long long '
                '_ccffi_u; } _ccffi_s; memset(&_ccffi_s, 0, sizeof _ccffi_s); '
                '((%s)&_ccffi_s)->%s = %s; %s._ccffi_u = '
                '_ccffi_fb_lowbit(&_ccffi_s, sizeof(*(%s)0)); }'
                % (ptr, ptr, path, extra, v, ptr))
    raise AssertionError("fallback entry %r of *%s" % (op, ptr))


_SLOT_MARKER = re.compile(
    r'\(\s*"(function|global|python)"\s*,\s*"([A-Za-z_][A-Za-z_0-9]*)"\s*,'
    r'\s*(\d+)')


def call_slots(markers, attribute_name):
    """name -> (kind, slot) of each function, global and extern "Python"
    function, read from the generator's markers: the plugin reads the slots
    there (runtime/table/MARKERS.md), so the fallback reads the same.  A
    'global' marker may also stand for a constant the generator reads
    through a getter (a float, a pointer): the table then has a variable."""
    slots = {}
    for line in markers:
        for part in line.split('%s(' % attribute_name)[1:]:
            m = _SLOT_MARKER.match('(' + part)
            if m:
                slots[m.group(2)] = (m.group(1), int(m.group(3)))
    return slots


def _initializer(op, cname):
    """The static initializer of an entry: enumerators are integer constant
    expressions (no code to run, and none for gcc to optimise: 6000 of
    them took gcc -O2 -g minutes as statements)."""
    if op == 'enumval':
        return '{ (unsigned long long)((%s) | 0), 0.0, 0, (%s) <= 0 }' % (
            cname, cname)
    return '{ 0, 0.0, 0, 0 }'


def type_checks(entries):
    """[(record's C name, [statement])]: CFFI's compile-time check of the
    fields a cdef lists: an integer must be an integer (`| 0`), any
    other must have the cdef's type but for qualifiers (a pointer to it, or
    for a pointer field the value it points to; a `void *` meets a `char *`
    and a `short *` in `?:`), `[]` and `[...]` arrays by
    their items (api_fallback.c, fb_field_check())."""
    by_record = {}
    for op, cname, path, extra in entries:
        if op != 'offset' or not extra:
            continue
        lines = by_record.setdefault(cname, [])
        if extra.split('\t')[0] == '|':
            lines.append('(void)((_ccffi_p->%s%s) | 0);'
                         % (path, extra.split('\t')[1]))
        elif extra.split('\t')[0] == 'v':
            # a `void *`: any object pointer converts to it, but not one
            # pointer type meets both a `char *` and a `short *` in `?:`
            _, suffix, prefix = extra.split('\t')
            for other in ('char', 'short'):
                lines.append('(void)(0 ? %s_ccffi_p->%s%s : '
                             '(const volatile %s *)0);'
                             % (prefix, path, suffix, other))
        else:
            declarator, suffix, prefix = extra.split('\t')
            lines.append('{ %s = %s_ccffi_p->%s%s; (void)_ccffi_tmp; }'
                         % (declarator, prefix, path, suffix))
    return list(by_record.items())



def prologue(contract):
    """The lines, placed before the user's source, that the section after it
    uses: written before any user macro, they cannot be changed by one
    (`#define value 5` would break std::is_signed<T>::value after it); the
    section itself uses only _ccffi_ names and keywords."""
    out = []
    w = out.append
    w('#ifndef %s' % contract['plugin_macro'])
    w('#include <stddef.h>')
    w('#include <string.h>')
    w('#if defined(__cplusplus) && __cplusplus >= 201103L')
    w('#define _CCFFI_ALIGNOF(T) alignof(T)')
    w('#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L')
    w('#define _CCFFI_ALIGNOF(T) _Alignof(T)')
    w('#elif defined(__GNUC__) || defined(__clang__) || defined(__TINYC__)')
    w('#define _CCFFI_ALIGNOF(T) __alignof__(T)')
    w('#elif defined(__cplusplus)')
    w('template <class _CCFFI_T> struct _ccffi_fb_align '
      '{ char _ccffi_c; _CCFFI_T _ccffi_x; };')
    w('#define _CCFFI_ALIGNOF(T) offsetof(_ccffi_fb_align<T>, _ccffi_x)')
    w('#else')
    w('#define _CCFFI_ALIGNOF(T) '
      'offsetof(struct { char _ccffi_c; T _ccffi_x; }, _ccffi_x)')
    w('#endif')
    # signedness: ((T)-1) <= 0 in C; C++ would warn on the cast of -1 to
    # an enum, so it asks the enum's underlying type
    w('#if defined(__cplusplus) && __cplusplus >= 201103L')
    w('#include <type_traits>')
    w('template <class _CCFFI_T, bool = std::is_enum<_CCFFI_T>::value> '
      'struct _ccffi_fb_signed')
    w('{ static const bool _ccffi_is = std::is_signed<_CCFFI_T>::value; };')
    w('template <class _CCFFI_T> struct _ccffi_fb_signed<_CCFFI_T, true>')
    w('{ static const bool _ccffi_is = std::is_signed<'
      'typename std::underlying_type<_CCFFI_T>::type>::value; };')
    w('#define _CCFFI_SIGNED(T) ((int)_ccffi_fb_signed<T>::_ccffi_is)')
    w('#else')
    w('#define _CCFFI_SIGNED(T) (((T)-1) <= 0)')
    w('#endif')
    w('#endif /* !%s */' % contract['plugin_macro'])
    return out

def section(generator, contract):
    """The lines, placed after the user's source and before the markers,
    that serve a compilation without the plugin: between #ifndef and #endif
    of the plugin's macro, they empty the marker attribute and define the
    table symbol as an expression of the blob that
    _cffi_backend._ccffi_init_module() recognises, with its sizeof (the
    generator puts the plugin's sentinel under #ifdef of the macro)."""
    plan = _cffi_backend._ccffi_fallback_plan(
        generator.ffi, call_slots(generator.markers, contract['attribute']))
    entries = plan['entries']
    table = plan['table']
    n = len(entries)
    out = []
    w = out.append
    w('#ifndef %s' % contract['plugin_macro'])
    w('/* Without the ccffi plugin: the compiler computes, in plain C, what '
      'the plugin')
    w('   reads from the headers; _cffi_backend completes the cdef\'s table '
      'with it.  The markers below are for the plugin only. */')
    w('typedef struct { unsigned long long _ccffi_u; double _ccffi_d; '
      'const char *_ccffi_s; int _ccffi_flags; } _ccffi_fb_value;')
    w('static const unsigned char _ccffi_fb_cdef[%d] = {' % len(table))
    for i in range(0, len(table), 24):
        w('    ' + ','.join(str(b) for b in table[i:i + 24]) + ',')
    w('};')
    w('static _ccffi_fb_value _ccffi_fb_values[%d] = {' % max(n, 1))
    for op, cname, _, _ in entries or [('', None, None, None)]:
        w('    %s,' % _initializer(op, cname))
    w('};')
    if any(e[0] == 'bitpos' for e in entries):
        w('static unsigned long long _ccffi_fb_lowbit(const void *_ccffi_p, '
          'size_t _ccffi_n)')
        w('{')
        w('    const unsigned char *_ccffi_b = (const unsigned char *)_ccffi_p;')
        w('    size_t _ccffi_i;')
        w('    unsigned int _ccffi_j;')
        w('    for (_ccffi_i = 0; _ccffi_i < _ccffi_n; _ccffi_i++)')
        w('        for (_ccffi_j = 0; _ccffi_j < 8; _ccffi_j++)')
        w('            if (_ccffi_b[_ccffi_i] & (1u << _ccffi_j))')
        w('                return (unsigned long long)(_ccffi_i * 8 + _ccffi_j);')
        w('    return ~0ULL;')
        w('}')
    checks = type_checks(entries)
    for i, (cname, lines) in enumerate(checks):
        w('static void _ccffi_fb_check%d(%s)' % (
            i, '%s _ccffi_p' % cname[1:] if cname.startswith('*')
            else '%s *_ccffi_p' % cname))
        w('{   /* only for the compiler: each field the cdef lists has its '
          'type */')
        w('    (void)_ccffi_p;')
        out.extend('    ' + line for line in lines)
        w('}')
    # in functions of CHUNK statements: gcc -O2 -g takes minutes over one
    # function of thousands (a cdef with a 6000-enumerator enum)
    statements = [st for st in (_statement(k, *e)
                                for k, e in enumerate(entries)) if st]
    nchunks = (len(statements) + CHUNK - 1) // CHUNK
    for c in range(nchunks):
        w('static void _ccffi_fb_fill%d(_ccffi_fb_value *_ccffi_v)' % c)
        w('{')
        for st in statements[c * CHUNK:(c + 1) * CHUNK]:
            w('    ' + st)
        w('}')
    w('static void _ccffi_fb_fill(_ccffi_fb_value *_ccffi_v)')
    w('{')
    w('    (void)_ccffi_v;')
    for i in range(len(checks)):
        w('    (void)_ccffi_fb_check%d;' % i)
    for c in range(nchunks):
        w('    _ccffi_fb_fill%d(_ccffi_v);' % c)
    w('}')
    w('static struct {')
    w('    char _ccffi_magic[8];')
    w('    unsigned int _ccffi_version, _ccffi_nvalues;')
    w('    const unsigned char *_ccffi_table;')
    w('    size_t _ccffi_table_size;')
    w('    const _ccffi_fb_value *_ccffi_values;')
    w('} _ccffi_fb_blob;')
    w('static const char (*_ccffi_fb_get(void))[sizeof _ccffi_fb_blob]')
    w('{')
    w('    _ccffi_fb_fill(_ccffi_fb_values);')
    w('    memcpy(_ccffi_fb_blob._ccffi_magic, "%s", %d);'
      % (plan['magic'], len(plan['magic']) + 1))
    w('    _ccffi_fb_blob._ccffi_version = %du;' % plan['version'])
    w('    _ccffi_fb_blob._ccffi_nvalues = %du;' % n)
    w('    _ccffi_fb_blob._ccffi_table = _ccffi_fb_cdef;')
    w('    _ccffi_fb_blob._ccffi_table_size = sizeof _ccffi_fb_cdef;')
    w('    _ccffi_fb_blob._ccffi_values = _ccffi_fb_values;')
    w('    return (const char (*)[sizeof _ccffi_fb_blob])'
      '(const void *)&_ccffi_fb_blob;')
    w('}')
    w('/* what PyInit hands to _cffi_backend instead of the plugin\'s table */')
    w('#define %s (*_ccffi_fb_get())' % contract['table_symbol'])
    w('#endif /* !%s */' % contract['plugin_macro'])
    return out
