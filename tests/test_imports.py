"""The import graph of detoxlab/ and checks/: no cycles, and the grader does not depend on the stand-in build.

Every import statement counts, also those inside functions (a lazy import is still a dependency: it only
moves the cycle from import time to run time). Imports are read with ast, so nothing is executed.
"""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("detoxlab", "checks")
STAND_IN_BUILD = "detoxlab.make_stand_ins"
GRADER = ("detoxlab.grade", "checks")   # what runs when a submission is graded


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules that module ``name`` (at ``path``) imports, relative imports resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # ``from package import name`` imports the submodule package.name where there is one
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # ``import a.b.c`` where only a.b is ours, or a name in a module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(modules: dict[str, Path] | None = None) -> dict[str, set[str]]:
    modules = modules or project_modules()
    return {name: imported(name, path, set(modules)) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_the_imports_it_should():
    graph = import_graph()
    assert "detoxlab.files" in graph["detoxlab.lab"]                 # from detoxlab.files import ...
    assert "detoxlab.grade.results" in graph["detoxlab.grade.worker"]  # from detoxlab.grade import results
    assert "checks.registry" in graph["checks.reward"]                # a top-level import
    assert "detoxlab.models" in graph["detoxlab.evaluation"]          # one inside a function


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def imports_of(graph: dict[str, set[str]], importers: tuple[str, ...], forbidden: str) -> dict[str, list[str]]:
    """Which modules under ``importers`` import ``forbidden`` or anything under it."""
    found = {name: sorted(t for t in targets if t == forbidden or t.startswith(forbidden + "."))
             for name, targets in graph.items() if name.startswith(importers)}
    return {name: targets for name, targets in found.items() if targets}


def test_the_grader_imports_nothing_from_the_stand_in_build():
    assert imports_of(import_graph(), GRADER, STAND_IN_BUILD) == {}


def test_the_grader_writes_results_without_the_notebook_helpers():
    assert imports_of(import_graph(), ("detoxlab.grade",), "detoxlab.lab") == {}


def test_a_cycle_and_a_relative_import_are_found(tmp_path):
    package = tmp_path / "detoxlab"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("def f():\n    from detoxlab.c import g\n")
    (package / "c.py").write_text("import detoxlab.a\n")
    modules = {f"detoxlab.{stem}": package / f"{stem}.py" for stem in "abc"} | {"detoxlab": package / "__init__.py"}
    assert cycles(import_graph(modules)) == [["detoxlab.a", "detoxlab.b", "detoxlab.c"]]


SCRIPTS = sorted(name for name, path in project_modules().items() if 'if __name__ == "__main__"' in path.read_text())


@pytest.mark.parametrize("module", SCRIPTS)
def test_a_module_run_with_python_m_is_loaded_once(module):
    """``python -m detoxlab.grade.worker`` runs the file as a new module; had importing its package already
    imported it, the module would exist twice (two sets of globals; classes that are not each other) and
    runpy warns. The module's code runs without its main()."""
    finished = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c",
                               f"import runpy; runpy.run_module({module!r}, run_name='loaded_once', alter_sys=True)"],
                              capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert finished.returncode == 0, finished.stderr[-2000:]
