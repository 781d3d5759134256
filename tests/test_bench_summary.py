"""`make bench` ends with one table of issue 19's figures (benchmarks/run.py)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import run  # noqa: E402

BUILD = {
    "targets (issue 19)": [
        {
            "figure": "speed-up per report vs naive (full matrix)",
            "ours (s/report)": 0.2,
            "naive (s/report)": 8.0,
            "value": 40.0,
            "target": ">= 40x",
            "met": "yes",
        },
        {
            "figure": "no-op rebuild, whole command (s, median of 5)",
            "ours (s/report)": None,
            "naive (s/report)": None,
            "value": 0.45,
            "target": "< 1 s (full matrix)",
            "met": "yes",
        },
    ]
}
SCALE = {
    "pools": {
        "local pool, 1 worker(s)": {"steady (s per report)": 0.6},
        "local pool, 2 worker(s)": {"steady (s per report)": 0.33},
        "Dask LocalCluster, 1 worker(s)": {"steady (s per report)": 0.7},
        "Dask LocalCluster, 2 worker(s)": {"steady (s per report)": 0.4},
        "Dask LocalCluster: scaling 1 -> 2 workers (steady rate)": 1.75,
        "local pool: scaling 1 -> 2 workers (steady rate)": 1.82,
    },
    "scale simulation: planning": {
        "reports planned": 25870,
        "plan, median of the next calls (s)": 0.51,
        "plan, median of the next calls, CPU (s)": 0.5,
        "target: planning <= 2 s": "yes",
    },
    "scale simulation: sample on the LocalCluster": {
        "reports": 500,
        "built": 500,
        "failed": 0,
        "wall (s)": 230.0,
        "steady (s per report)": 0.41,
    },
    "projection": {
        "wall time on N machines": [
            {"machines": 1, "linear (min)": 177.0, "pessimistic (min)": 177.0},
            {"machines": 16, "linear (min)": 19.4, "pessimistic (min)": 30.2},
        ]
    },
}


def _rows(text: str) -> dict[str, list[str]]:
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in text.splitlines()]
    return {r[0]: r[1:] for r in rows[2:] if len(r) == 6}  # below the header and its rule


def test_the_summary_lists_every_target_and_the_scale_figures_from_one_run() -> None:
    rows = _rows(run.issue19_summary(BUILD, SCALE))
    assert rows["speed-up per report vs naive (full matrix)"] == ["40", "0.2", "8", ">= 40x", "yes"]
    assert rows["no-op rebuild, whole command (s, median of 5)"][0] == "0.45"
    plan = rows["planning the scale matrix, 25870 reports (s; CPU 0.5 s)"]
    assert plan == ["0.51", "-", "-", "<= 2 s", "yes"]
    assert rows["Dask LocalCluster, 2 worker(s): per report, steady (s)"][1:3] == ["0.4", "0.33"]
    assert rows["scaling 1 -> 2 workers, steady rate (x): Dask / local pool"][0] == "1.75"
    sample = rows["scale sample on the LocalCluster: 500 built, 0 failed of 500: wall (s)"]
    assert sample[:2] == ["230", "0.41"]
    assert rows["projection, whole scale matrix on 16 machine(s): linear / pessimistic (min)"][
        0
    ] == ("19.4 / 30.2")


def test_a_section_not_run_leaves_its_rows_out() -> None:
    rows = _rows(run.issue19_summary(BUILD, {}))
    assert list(rows) == [t["figure"] for t in BUILD["targets (issue 19)"]]
