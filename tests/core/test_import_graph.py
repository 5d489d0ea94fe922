"""No import circles in kit/, sync/ or bench/: a newcomer can read any module after the ones it uses;
and an import kept inside a function (in kit/ and sync/) says why on its line.

Every import statement counts, those inside functions too (a deferred import is still a
dependency, and moving it to the top must not make a circle). One pattern is allowed: a
package whose `init_app` or command loader imports its own sub-modules so they register
their routes or commands on the package's blueprint or group (kit.web.learn, kit.api,
kit.cli…); those imports run after every module involved is loaded.

bench/ once had loadgen -> ingest -> class_load -> loadgen; the pieces they shared now
have their own modules (bench.workdir, bench.runner, bench.ingest_writers).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kit", "sync", "bench")


def _modules():
    found = {}
    for top in PACKAGES:
        for path in (ROOT / top).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports(name, path, modules):
    """Yield (imported module, deferred) for each import in one module's source."""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    deferred = {
        id(node)
        for func in ast.walk(tree)
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef))
        for node in ast.walk(func)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    yield alias.name, id(node) in deferred
        elif isinstance(node, ast.ImportFrom):
            base = name.split(".") if is_package else name.split(".")[:-1]
            if node.level:
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:
                if f"{target}.{alias.name}" in modules:
                    yield f"{target}.{alias.name}", id(node) in deferred
                elif target in modules:
                    yield target, id(node) in deferred


def import_graph():
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        graph[name] = set()
        for target, deferred in _imports(name, path, modules):
            registering = deferred and path.name == "__init__.py" and target.startswith(name + ".")
            if target != name and not registering:
                graph[name].add(target)
    return graph


def find_cycle(graph):
    """Return one import circle as a list of modules (first repeated at the end), or None."""
    state = {}  # 1: on the current path, 2: done

    def visit(node, path):
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt, path)
                if found:
                    return found
        state[node] = 2
        path.pop()
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [])
            if found:
                return found
    return None


def test_kit_sync_and_bench_have_no_import_circles():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_the_check_finds_a_circle_and_follows_relative_imports():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    graph = import_graph()
    assert "kit.packs.quiz" in graph["kit.packs.source"]  # `from .quiz import …`
    assert "kit.db" in graph["kit.packs.lessons"]  # `from ..db import …`
    assert "kit.models" in graph["sync.agent.state"]  # `from kit.models import …`
    assert "bench.ingest_writers" in graph["bench.loadgen"]  # bench/ is read too


def deferred_without_reason(sources):
    """[(name, line)] of imports inside functions whose line has no comment saying why."""
    bare = []
    for name, path in sources.items():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for func in ast.walk(ast.parse(text)):
            if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(func):
                    if (
                        isinstance(node, (ast.Import, ast.ImportFrom))
                        and "#" not in lines[node.end_lineno - 1]
                    ):
                        bare.append((name, node.lineno))
    return sorted(set(bare))


def test_every_import_inside_a_function_says_why_on_its_line():
    """Imports go at the top; one kept inside a function carries its reason (start time,
    memory, a package registering its own sub-modules), measured (docs/architecture.md)."""
    assert deferred_without_reason({n: p for n, p in _modules().items() if not n.startswith("bench")}) == []


def test_the_reason_check_finds_a_bare_deferred_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import os\n\n\ndef f():\n    import json\n    import re  # deferred: why\n")
    assert deferred_without_reason({"m": module}) == [("m", 5)]
