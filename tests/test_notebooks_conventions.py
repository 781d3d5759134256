"""Every report notebook: one typed parameters cell with help comments, no outputs, no logic."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from corett_lib.core import paths

NOTEBOOKS = sorted(paths.notebooks_dir().glob("*.ipynb"))


def _cells(nb_path: Path) -> list[dict]:
    return json.loads(nb_path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def test_the_annual_report_notebook_exists() -> None:
    assert paths.notebook_path("annual") in NOTEBOOKS


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_exactly_one_parameters_cell_every_parameter_typed_with_help(nb_path: Path) -> None:
    tagged = [c for c in _cells(nb_path) if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{nb_path.name}: {len(tagged)} cells tagged parameters"
    assert tagged[0]["cell_type"] == "code"
    lines = [ln for ln in _source(tagged[0]).splitlines() if ln.strip()]
    assert lines, f"{nb_path.name}: empty parameters cell"
    for line in lines:
        node = ast.parse(line).body[0]
        assert isinstance(node, ast.AnnAssign), f"{nb_path.name}: untyped parameter: {line}"
        assert "  # " in line, f"{nb_path.name}: parameter without a help comment: {line}"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(nb_path: Path) -> None:
    for i, cell in enumerate(_cells(nb_path)):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{nb_path.name}: cell {i} has outputs"
            assert cell.get("execution_count") is None, f"{nb_path.name}: cell {i} was executed"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_def_class_or_loops_in_notebooks(nb_path: Path) -> None:
    banned = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.While, ast.Lambda)
    for i, cell in enumerate(_cells(nb_path)):
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse(_source(cell))):
            assert not isinstance(node, banned), (
                f"{nb_path.name}: cell {i} has {type(node).__name__}; logic belongs in corett_lib"
            )
