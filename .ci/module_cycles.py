#!/usr/bin/env python3
"""Fails when files (modules) of a crate import each other in a loop.

Reads the "uses" edges that `cargo modules dependencies` (rust-analyzer's name
resolution, so a `use` resolves to the item's defining module, not to a re-export)
prints as Graphviz, folds every item into the module that defines it, and looks for
strongly connected components among the modules. cargo-modules' own `--acyclic` works
on items, where a type and its own method already form a cycle; this check asks the
question the architecture asks: does module A depend on B and B on A.

usage: module_cycles.py GRAPH.dot [GRAPH.dot ...]
"""

import re
import sys

NODE = re.compile(r'^\s*"([^"]+)" \[label="[^"]*"[^\]]*\]; // "(\w+)" node')
EDGE = re.compile(r'^\s*"([^"]+)" -> "([^"]+)" \[label="uses"')


def read(path):
    modules, edges = set(), []
    with open(path, encoding="utf-8") as dot:
        for line in dot:
            if m := NODE.match(line):
                if m.group(2) in ("mod", "crate"):
                    modules.add(m.group(1))
            elif m := EDGE.match(line):
                edges.append((m.group(1), m.group(2)))
    return modules, edges


def owner(item, modules):
    parts = item.split("::")
    while parts:
        name = "::".join(parts)
        if name in modules:
            return name
        parts.pop()
    return None


def cycles(graph):
    """Tarjan's strongly connected components, iteratively; only those of two or more."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph.get(nxt, ()))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def main(paths):
    failed = False
    for path in paths:
        modules, edges = read(path)
        graph = {m: set() for m in modules}
        why = {}
        for source, target in edges:
            a, b = owner(source, modules), owner(target, modules)
            if a and b and a != b:
                graph[a].add(b)
                why.setdefault((a, b), (source, target))
        for component in cycles(graph):
            failed = True
            members = set(component)
            print(f"{path}: modules import each other in a loop:")
            for a in component:
                for b in sorted(graph[a] & members):
                    source, target = why[(a, b)]
                    print(f"  {a} -> {b}   ({source} uses {target})")
        if not modules:
            failed = True
            print(f"{path}: no modules read; is it a cargo-modules graph?")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
