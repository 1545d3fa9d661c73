"""The house's shape, from the code's own imports: no module imports another that imports it
back, and the core (knowledge, results, engine, language) imports no adapter."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "crepitus"
CORE = ("crepitus.kb", "crepitus.results", "crepitus.limits", "crepitus.errors", "crepitus.engine",
        "crepitus.language")  # fmt: skip
ADAPTERS = ("crepitus.cli", "crepitus.api", "crepitus.web", "crepitus.store", "crepitus.report",
            "crepitus.diary", "crepitus.settings")  # fmt: skip


def _module(path: Path) -> str:
    parts = ["crepitus", *path.relative_to(SRC).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports when it is loaded (top-level imports; those
    inside functions run later, and those under TYPE_CHECKING never)."""
    modules = {_module(p): p for p in SRC.rglob("*.py") if "migrations" not in p.parts}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        out: set[str] = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                subs = {f"{node.module}.{a.name}" for a in node.names} & modules.keys()
                # "from crepitus import kb" loads crepitus.kb; other names are the package's.
                whole = len(subs) < len(node.names)
                out |= subs | ({node.module} if whole and node.module in modules else set())
            elif isinstance(node, ast.Import):
                out |= {a.name for a in node.names if a.name in modules}
        out.discard(name)
        graph[name] = out
    return graph


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = _graph()
    state: dict[str, int] = {}  # 1 on the path, 2 done
    cycles: list[list[str]] = []

    def visit(n: str, path: list[str]) -> None:
        state[n] = 1
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                cycles.append([*path[path.index(m) :], m])
            elif m not in state:
                visit(m, [*path, m])
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n, [n])
    assert cycles == []


def test_the_core_imports_no_adapter() -> None:
    graph = _graph()
    wrong = {
        (a, b)
        for a, targets in graph.items()
        if _within(a, CORE)
        for b in targets
        if _within(b, ADAPTERS)
    }
    assert wrong == set()
