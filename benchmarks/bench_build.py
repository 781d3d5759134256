"""Report build benchmark: ``corett build`` against the naive papermill + nbconvert loop, one run.

Both build the same sample into temporary folders, with the same cache folder:

* default (``make bench``): GTM, HND and CORETT, 2019, every report of the default matrix, English
  and Spanish (30 reports with the 5 reports of today; ``--countries/--years/--reports`` to change it); then ours
  alone on the whole default matrix of ``parameters/build.yaml`` (600 reports today), for issue 19's 120 s
  target;
* ``--quick`` (smoke test): GTM 2019 annual, both languages (2 reports), no full-matrix build;
* ``--full``: the naive loop too on the whole default matrix (over an hour on 2 CPUs).

* **naive**: per report, ``papermill notebooks/<report>.ipynb out.ipynb -p country ... -p data ...``
  (a new kernel that loads and validates the data itself, since it gets no snapshot) and then
  ``jupyter nbconvert --to html --no-input out.ipynb``, one after the other;
* **ours**: ``corett build --force`` in a fresh process (the data are loaded and validated once, kernels
  are reused, HTML is rendered in-process), with ``--jobs`` = CPU count.

Figures printed, with issue 19's targets and whether each is met:

* speed-up per report = naive seconds per report (sample) / ours (full matrix; the sample with
  ``--quick``), target >= 40; the same-sample ratio is printed too (there the kernels' start-up and
  the one load of the data weigh more);
* the full default matrix's wall time, including the one load + validate (target <= 120 s on 2 CPUs);
* overhead ratio = ours wall time x workers / sum of in-kernel cell times recorded in the manifest
  (target <= 1.3): the share of time not spent running report cells;
* no-op rebuild: ``corett build`` again over the full default matrix with nothing changed, wall time of
  the whole command, median of 5 runs, each run and its CPU time also printed (target < 1 s; with
  ``--quick`` over the sample, not checked), and the planning time of the full default matrix into an
  empty folder.

Run: ``python benchmarks/bench_build.py [--quick] [--full] [--out DIR]`` (or ``make bench``). It prints
tables and writes ``DIR/bench/build.json`` (``outputs/`` by default). It uses a private cache folder, so
the first step parses the raw files once (not timed against either side).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import _common  # noqa: E402

BIN = Path(sys.executable).parent
DEFAULT_COUNTRIES = ("GTM", "HND", "CORETT")
DEFAULT_YEARS = (2019,)
LANGS = ("en", "es")
DEFAULT_REPORTS: tuple[str, ...] = ()  # every report of the default matrix
QUICK_COUNTRIES, QUICK_YEARS, QUICK_REPORTS = ("GTM",), (2019,), ("annual",)
NOOP_RUNS = 5  #: the no-op rebuild is timed this many times (median, each run and its CPU time)


def _env(cache: Path) -> dict[str, str]:
    from corett_lib.batch.execute import jupyter_environment

    return {**os.environ, **jupyter_environment(), "CORETT_CACHE": str(cache)}


def _run(args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(args, env=env, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t0


def naive(
    countries: tuple[str, ...],
    years: tuple[int, ...],
    reports: tuple[str, ...],
    work: Path,
    env: dict,
) -> float:
    """Wall time of the naive loop: papermill CLI then nbconvert CLI, per report."""
    from corett_lib.core import paths

    t0 = time.perf_counter()
    for year in years:
        for country in countries:
            for report in reports:
                for lang in LANGS:
                    out = work / f"{year}-{country}-{report}-{lang}.ipynb"
                    _run(
                        [
                            str(BIN / "papermill"),
                            str(paths.notebook_path(report)),
                            str(out),
                            "-p", "country", country,
                            "-p", "year", str(year),
                            "-p", "lang", lang,
                            "-p", "data", str(paths.data_dir()),
                            "--no-progress-bar",
                            "-k", "python3",
                        ],
                        env,
                    )  # fmt: skip
                    _run(
                        [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)],
                        env,
                    )
    return time.perf_counter() - t0


def _matrix_args(
    countries: tuple[str, ...], years: tuple[int, ...], reports: tuple[str, ...]
) -> list[str]:
    args: list[str] = []
    for c in countries:
        args += ["--country", c]
    for y in years:
        args += ["--year", str(y)]
    for r in reports:
        args += ["--report", r]
    return args


def ours(
    countries: tuple[str, ...],
    years: tuple[int, ...],
    reports: tuple[str, ...],
    out: Path,
    env: dict,
    force: bool,
) -> float:
    """Wall time of ``corett build`` (a fresh process) over the same matrix."""
    args = [
        str(BIN / "corett"),
        "build",
        "--out",
        str(out),
        *_matrix_args(countries, years, reports),
    ]
    return _run([*args, *(["--force"] if force else [])], env)


def plan_full_matrix(out: Path) -> float:
    """Seconds to plan the full default matrix (checksums and the incremental decision)."""
    from corett_lib.batch import build

    t0 = time.perf_counter()
    build.plan(out=str(out))
    return time.perf_counter() - t0


def _manifest_last(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["builds"][-1]


def _ours_figures(wall: float, n: int, last: dict[str, Any]) -> dict[str, Any]:
    """Figures of one ``corett build --force`` run from its wall time and its manifest record."""
    cell, workers = last["cell_seconds"], last["workers"]
    steady = wall - last["load_seconds"]
    return {
        "reports": n,
        "wall, incl. one load + validate (s)": round(wall, 1),
        "per report (s)": round(wall / n, 3),
        "workers": workers,
        "one-off load + validate + snapshot (s)": last["load_seconds"],
        "sum of in-kernel cell times (s)": round(cell, 1),
        "overhead ratio = wall x workers / cell time": round(wall * workers / cell, 2)
        if cell
        else None,
        "same, without the one-off load + validate": round(steady * workers / cell, 2)
        if cell
        else None,
        "failed": len(last.get("failed") or []),
    }


def run(
    countries: tuple[str, ...] = DEFAULT_COUNTRIES,
    years: tuple[int, ...] = DEFAULT_YEARS,
    reports: tuple[str, ...] = DEFAULT_REPORTS,
    quick: bool = False,
    full_matrix: bool | None = None,
) -> dict[str, Any]:
    """Run the benchmark and return its figures.

    ``quick``: the smoke-test sample (2 reports) and no full-matrix build. ``full_matrix``: also
    build the whole default matrix with ``corett build --force`` (default: unless ``quick``).
    """
    if quick and (countries, years, reports) == (DEFAULT_COUNTRIES, DEFAULT_YEARS, DEFAULT_REPORTS):
        countries, years, reports = QUICK_COUNTRIES, QUICK_YEARS, QUICK_REPORTS
    from corett_lib.core import config

    m = config.build_matrix()
    reports = reports or tuple(m.reports)
    full = (tuple(m.country_list()), tuple(m.year_list()), tuple(m.reports))
    n_full = len(full[0]) * len(full[1]) * len(full[2]) * len(m.languages)
    sample_is_full = (countries, years, reports) == full
    if full_matrix is None:
        full_matrix = not quick
    full_matrix = full_matrix and not sample_is_full
    machine = _common.machine()

    work = Path(tempfile.mkdtemp(prefix="corett-bench-build-"))
    cache = work / "cache"
    env = _env(cache)
    try:
        # Warm the raw-file parse cache once, so neither side pays for parsing the workbook.
        subprocess.run(
            [sys.executable, "-c", "from corett_lib.validation.load import load; load()"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        n = len(countries) * len(years) * len(reports) * len(LANGS)
        (work / "naive").mkdir()
        t_naive = naive(countries, years, reports, work / "naive", env)
        shutil.rmtree(cache / "build", ignore_errors=True)  # ours validates the data once, cold
        out = work / "ours"
        t_ours = ours(countries, years, reports, out, env, force=True)
        sample = _ours_figures(t_ours, n, _manifest_last(out))
        full_figures: dict[str, Any] | None = None
        if full_matrix:
            shutil.rmtree(cache / "build", ignore_errors=True)  # the full build validates once too
            out = work / "full"
            t_full = ours(*full, out, env, force=True)
            full_figures = _ours_figures(t_full, n_full, _manifest_last(out))
            noop_axes = full
        else:
            noop_axes = (countries, years, reports)
        if sample_is_full:
            full_figures = sample
        # No-op: the library is edited while this runs (other work in progress), so catch up first
        # (untimed) until the plan has nothing to do, then time the whole command.
        os.environ["CORETT_CACHE"] = str(cache)
        from corett_lib.batch import build

        for _ in range(3):
            if not build.plan(
                countries=noop_axes[0], years=noop_axes[1], reports=noop_axes[2], out=str(out)
            ).todo:
                break
            ours(*noop_axes, out, env, force=False)
        noop_runs, noop_cpu = [], []
        for _ in range(NOOP_RUNS):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            noop_runs.append(ours(*noop_axes, out, env, force=False))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            noop_cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        t_noop = statistics.median(noop_runs)
        noop_built = _manifest_last(out)["built"]
        t_plan = plan_full_matrix(work / "empty")
        naive_pr = t_naive / n
        best = full_figures or sample
        speedup = naive_pr / best["per report (s)"]
        noop_is_full = full_figures is not None
        figures: dict[str, Any] = {
            "sample": (
                f"{len(countries)} countries x {len(years)} year(s) x {len(reports)} report(s) "
                f"({', '.join(reports)}) x 2 languages = {n}"
            ),
            "machine": machine,
            "naive loop (papermill CLI + nbconvert CLI, per report), sample": {
                "wall (s)": round(t_naive, 1),
                "per report (s)": round(naive_pr, 2),
            },
            "ours (corett build --force), same sample": sample,
            f"ours (corett build --force), full default matrix ({n_full} reports)": full_figures
            or "not built (--quick)",
            "speed-up per report, same sample": round(naive_pr / sample["per report (s)"], 1),
            "speed-up per report, naive sample vs ours full matrix": round(speedup, 1)
            if full_figures
            else None,
            f"no-op rebuild, whole command (s, median of {NOOP_RUNS})": round(t_noop, 2),
            "no-op rebuild, each run (s)": [round(t, 2) for t in noop_runs],
            "no-op rebuild, CPU time of each run (s; about its wall time on an idle machine)": [
                round(t, 2) for t in noop_cpu
            ],
            "no-op rebuild matrix": f"full default matrix ({n_full})" if noop_is_full else "sample",
            "reports rebuilt by the no-op run": noop_built,
            f"planning the full default matrix, {n_full} reports, empty outputs (s)": round(
                t_plan, 2
            ),
        }
        overhead = best["overhead ratio = wall x workers / cell time"]
        where = "full matrix" if full_figures else "sample only: --quick"
        figures["targets (issue 19)"] = [
            {
                "figure": f"speed-up per report vs naive ({where})",
                "ours (s/report)": best["per report (s)"],
                "naive (s/report)": round(naive_pr, 2),
                "value": round(speedup, 1),
                "target": f">= {_common.TARGET_SPEEDUP:g}x",
                "met": _common.met(speedup, _common.TARGET_SPEEDUP, higher_is_better=True),
            },
            {
                "figure": f"full default matrix ({n_full} reports), wall (s)",
                "ours (s/report)": full_figures["per report (s)"] if full_figures else None,
                "naive (s/report)": round(naive_pr, 2),
                "value": full_figures["wall, incl. one load + validate (s)"]
                if full_figures
                else None,
                "target": f"<= {_common.TARGET_FULL_MATRIX_S:g} s on 2 CPUs",
                "met": _common.met(
                    full_figures["wall, incl. one load + validate (s)"] if full_figures else None,
                    _common.TARGET_FULL_MATRIX_S,
                ),
            },
            {
                "figure": f"overhead ratio ({where})",
                "ours (s/report)": best["per report (s)"],
                "naive (s/report)": None,
                "value": overhead,
                "target": f"<= {_common.TARGET_OVERHEAD:g}",
                "met": _common.met(overhead, _common.TARGET_OVERHEAD),
            },
            {
                "figure": f"no-op rebuild, whole command (s, median of {NOOP_RUNS})"
                + ("" if noop_is_full else " (sample, not the full matrix: --quick)"),
                "ours (s/report)": None,
                "naive (s/report)": None,
                "value": round(t_noop, 2),
                "target": f"< {_common.TARGET_NOOP_S:g} s (full matrix)",
                "met": _common.met(t_noop, _common.TARGET_NOOP_S) if noop_is_full else "n/a",
            },
        ]
        return figures
    finally:
        os.environ.pop("CORETT_CACHE", None)
        shutil.rmtree(work, ignore_errors=True)


def render(figures: dict[str, Any]) -> str:
    """Return the figures as tables: ours and the naive loop side by side, then the targets."""
    targets = figures.get("targets (issue 19)") or []
    head = ["figure", "ours (s/report)", "naive (s/report)", "value", "target", "met"]
    return "\n\n".join(
        [
            _common.figures_table(figures),
            "targets of issue 19 (ours and the naive loop from this one run):",
            _common.table(head, [[t[h] for h in head] for t in targets]),
        ]
    )


def main() -> None:
    """Print the figures as tables and write them to ``<out>/bench/build.json``."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--countries", nargs="+", default=list(DEFAULT_COUNTRIES))
    ap.add_argument("--years", nargs="+", type=int, default=list(DEFAULT_YEARS))
    ap.add_argument("--reports", nargs="+", default=list(DEFAULT_REPORTS))
    ap.add_argument(
        "--full", action="store_true", help="the naive loop too on the whole default matrix"
    )
    ap.add_argument(
        "--quick", action="store_true", help="smoke test: 2 reports, no full-matrix build"
    )
    ap.add_argument("--out", default=None, help="JSON goes to OUT/bench/build.json (outputs/)")
    args = ap.parse_args()
    if args.full:
        from corett_lib.core import config

        m = config.build_matrix()
        figures = run(tuple(m.country_list()), tuple(m.year_list()), tuple(m.reports))
    else:
        figures = run(
            tuple(args.countries), tuple(args.years), tuple(args.reports), quick=args.quick
        )
    print(render(figures))
    print(f"\nJSON: {_common.write_json(args.out, 'build', figures)}")


if __name__ == "__main__":
    main()
