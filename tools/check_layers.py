#!/usr/bin/env python3
"""check_layers.py - keeps the runtime's layers honest (run by make check).

runtime/ has one folder per layer, lowest first (LAYERS below).  A source
file may include headers of its own folder or of a lower one, never of a
higher one; the compiler plugins may include table/ only.  Within the
runtime, a "unit" is a .c file and the .h of the same name; units that
include each other form an include circle, and no circle may join more than
two units (cdata <-> cconv is inherent, as in LuaJIT; anything longer means a
layer is in the wrong place).

Usage: check_layers.py [SRCDIR]   (exit 1 and a list of violations, else 0)
"""
import os
import re
import sys

LAYERS = ['table', 'cdef', 'object', 'call', 'api', 'compat', 'module']
PLUGIN_DIRS = {'plugin-gcc': ['table'], 'plugin-clang': ['table']}
MAX_CIRCLE = 2
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def project_includes(path):
    """The project headers a file includes, as 'folder/name.h'."""
    with open(path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    return [h for h in INCLUDE.findall(text) if '/' in h]


def runtime_files(srcdir):
    for layer in os.listdir(os.path.join(srcdir, 'runtime')):
        folder = os.path.join(srcdir, 'runtime', layer)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith(('.c', '.h')):
                yield layer, name, os.path.join(folder, name)


def check_directions(srcdir, problems):
    """Every include points to the same layer or a lower one."""
    graph = {}
    for layer, name, path in runtime_files(srcdir):
        if layer not in LAYERS:
            problems.append('runtime/%s/: a folder that is not a layer (add it '
                            'to LAYERS in tools/check_layers.py)' % layer)
            continue
        unit = '%s/%s' % (layer, os.path.splitext(name)[0])
        deps = graph.setdefault(unit, set())
        for inc in project_includes(path):
            target = inc.split('/')[0]
            if target not in LAYERS:
                problems.append('runtime/%s/%s includes "%s": not a runtime '
                                'layer' % (layer, name, inc))
                continue
            if LAYERS.index(target) > LAYERS.index(layer):
                problems.append('runtime/%s/%s includes "%s": %s/ is above '
                                '%s/' % (layer, name, inc, target, layer))
            dep = os.path.splitext(inc)[0]
            if dep != unit:
                deps.add(dep)
    return graph


def check_plugins(srcdir, problems):
    for plugin, allowed in PLUGIN_DIRS.items():
        folder = os.path.join(srcdir, plugin)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith(('.c', '.cc', '.h', '.hh')):
                continue
            for inc in project_includes(os.path.join(folder, name)):
                if inc.split('/')[0] in LAYERS and inc.split('/')[0] not in allowed:
                    problems.append('%s/%s includes "%s": a plugin may include '
                                    '%s only' % (plugin, name, inc,
                                                 ', '.join(allowed)))


def circles(graph):
    """Strongly connected components with more than one unit (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main(argv):
    srcdir = argv[1] if len(argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..')
    problems = []
    graph = check_directions(srcdir, problems)
    check_plugins(srcdir, problems)
    for comp in circles(graph):
        if len(comp) > MAX_CIRCLE:
            problems.append('include circle of %d units (at most %d): %s'
                            % (len(comp), MAX_CIRCLE, ' <-> '.join(comp)))
    for p in problems:
        print('check_layers: ' + p)
    if problems:
        return 1
    print('check_layers: %d units in %d layers, no upward include, no circle '
          'over %d units' % (len(graph), len(LAYERS), MAX_CIRCLE))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
