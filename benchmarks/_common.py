"""Helpers shared by the benchmarks: tables, JSON files, machine state, issue 19's targets."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: Issue 19's targets (measured by ``make bench`` in one run against the naive loop).
TARGET_SPEEDUP = 40.0  #: ours at least 40x faster per report than papermill + nbconvert
TARGET_FULL_MATRIX_S = 120.0  #: the full default matrix within 120 s on 2 CPUs
TARGET_OVERHEAD = 1.3  #: wall x workers / in-kernel cell time
TARGET_NOOP_S = 1.0  #: a no-op rebuild of the full default matrix
TARGET_SCALE_PLAN_S = 2.0  #: planning the scale matrix (every UNODC country x 2010-2022 x ...)


def machine() -> dict[str, Any]:
    """Return what the figures depend on: CPUs, Python, the load when they were measured."""
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = []
    return {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "load average (1, 5, 15 min) at start": load,
    }


def met(value: float | None, target: float, higher_is_better: bool = False) -> str:
    """Return ``yes``/``NO`` for ``value`` against ``target`` (``n/a`` when not measured)."""
    if value is None:
        return "n/a"
    ok = value >= target if higher_is_better else value <= target
    return "yes" if ok else "NO"


def _cell(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        text = f"{v:,.3f}" if abs(v) < 10 else f"{v:,.1f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(v, list | tuple):
        return ", ".join(_cell(x) for x in v)
    return str(v)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Return a plain-text table (Markdown pipes, so it pastes into a note as is)."""
    cells = [[_cell(c) for c in r] for r in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(header)
    ]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"  # noqa: E731
    out = [line(list(header)), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in cells]
    return "\n".join(out)


def flatten(figures: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Return ``(name, value)`` rows of a nested dict, names joined with `` / ``."""
    rows: list[tuple[str, Any]] = []
    for k, v in figures.items():
        name = f"{prefix}{k}"
        if isinstance(v, Mapping):
            rows += flatten(v, f"{name} / ")
        elif isinstance(v, list) and v and isinstance(v[0], Mapping):
            continue  # tables of their own (printed by the benchmark itself)
        else:
            rows.append((name, v))
    return rows


def figures_table(figures: Mapping[str, Any]) -> str:
    """Return a two-column table of every scalar figure in ``figures``."""
    return table(["figure", "value"], flatten(figures))


def write_json(out: str | os.PathLike[str] | None, name: str, figures: Any) -> Path:
    """Write ``figures`` to ``<out>/bench/<name>.json`` (``out`` defaults to ``outputs/``)."""
    folder = Path(out or ROOT / "outputs") / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
