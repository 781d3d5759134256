"""The package's shape (issue 12): no import cycle, every import inside a function counted, no module
named by a string, the layer contracts declared, and nothing below ``cli/`` printing."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "corett_lib"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the package's modules it imports, at any depth (functions, TYPE_CHECKING)."""
    modules = {_module_name(p): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for t in targets:
                if t in modules and t != name and t != "corett_lib":
                    graph[name].add(t)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one cycle of ``graph`` as a list of modules, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                return [*stack[stack.index(m) :], m]
            if m not in state and (found := visit(m)):
                return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state and (found := visit(n)):
            return found
    return None


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 60 and sum(len(v) for v in graph.values()) > 200  # the graph is real
    assert find_cycle(graph) is None


def test_no_module_is_named_by_a_string() -> None:
    offenders = [
        p.relative_to(ROOT).as_posix()
        for p in PACKAGE.rglob("*.py")
        if "import_module(" in p.read_text(encoding="utf-8")
        or "__import__(" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_at_least_three_contracts_including_layers_over_the_whole_package() -> None:
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "importlinter"
    ]
    contracts = cfg["contracts"]
    assert len(contracts) >= 3
    (layers,) = [c for c in contracts if c["type"] == "layers"]
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert {x.removeprefix("corett_lib.") for x in layers["layers"]} == folders


@pytest.mark.parametrize(
    "layer",
    [
        "core",
        "raw",
        "dataset",
        "validation",
        "facts",
        "analysis",
        "publishing",
        "reporting",
        "batch",
        "apps",
    ],
)
def test_only_the_cli_prints(layer: str) -> None:
    for path in (PACKAGE / layer).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [
            n.lineno
            for n in ast.walk(tree)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name)
            and n.func.id == "print"
            and not _under_main_guard(tree, n)
        ]
        assert calls == [], f"{path.relative_to(ROOT)} prints at line(s) {calls}"


def _under_main_guard(tree: ast.Module, call: ast.Call) -> bool:
    for node in tree.body:
        if (
            isinstance(node, ast.If)
            and isinstance(node.test, ast.Compare)
            and getattr(node.test.left, "id", "") == "__name__"
            and node.lineno <= call.lineno <= (node.end_lineno or 0)
        ):
            return True
    return False
