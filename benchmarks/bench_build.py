"""Report build benchmark: ``corett build`` against the naive papermill + nbconvert loop.

Both build the same matrix into temporary folders, with the same cache folder:

* default (``make bench``): GTM, HND, SLV, PAN and CORETT, 2018-2019, the annual report, English and
  Spanish: 20 reports (``--countries/--years/--reports`` to change it);
* ``--full``: the whole default matrix of ``parameters/build.yaml`` (every member and CORETT, every year,
  every report, both languages: 360 reports; the naive loop alone takes over an hour on 2 CPUs).

* **naive**: per report, ``papermill notebooks/<report>.ipynb out.ipynb -p country ... -p data ...``
  (a new kernel that loads and validates the data itself, since it gets no snapshot) and then
  ``jupyter nbconvert --to html --no-input out.ipynb``, one after the other;
* **ours**: ``corett build --force`` in a fresh process (the data are loaded and validated once, kernels
  are reused, HTML is rendered in-process), with ``--jobs`` = CPU count.

Figures printed:

* speed-up = naive wall time / ours (target >= 6);
* overhead ratio = ours wall time x workers / sum of in-kernel cell times recorded by papermill in the
  manifest (target <= 1.5): the share of time not spent running report cells. The kernels' start-up
  and the one load of the data are fixed costs, so the ratio falls as the matrix grows;
* no-op rebuild: ``corett build`` again with nothing changed, wall time of the whole command (target
  about 1 s), and the planning time of the full default matrix (checksums + incremental decision).

Run: ``python benchmarks/bench_build.py [--full]`` (or ``make bench``). It uses a private cache folder, so
the first step parses the raw files once (not timed against either side).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
DEFAULT_COUNTRIES = ("GTM", "HND", "SLV", "PAN", "CORETT")
DEFAULT_YEARS = (2018, 2019)
LANGS = ("en", "es")
DEFAULT_REPORTS = ("annual",)


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


def run(
    countries: tuple[str, ...] = DEFAULT_COUNTRIES,
    years: tuple[int, ...] = DEFAULT_YEARS,
    reports: tuple[str, ...] = DEFAULT_REPORTS,
) -> dict[str, Any]:
    """Run the benchmark and return its figures."""

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
        (work / "naive").mkdir()
        t_naive = naive(countries, years, reports, work / "naive", env)
        shutil.rmtree(cache / "build", ignore_errors=True)  # ours validates the data once, cold
        out = work / "ours"
        t_ours = ours(countries, years, reports, out, env, force=True)
        last = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["builds"][-1]
        cell_seconds, workers = last["cell_seconds"], last["workers"]
        steady = last["seconds"] - last["load_seconds"]
        # No-op: the library is edited while this runs (other work in progress), so catch up first
        # (untimed) until the plan has nothing to do, then time the whole command.
        os.environ["CORETT_CACHE"] = str(cache)
        from corett_lib.batch import build

        for _ in range(3):
            if not build.plan(countries=countries, years=years, reports=reports, out=str(out)).todo:
                break
            ours(countries, years, reports, out, env, force=False)
        t_noop = ours(countries, years, reports, out, env, force=False)
        noop_built = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["builds"][-1][
            "built"
        ]
        t_plan = plan_full_matrix(work / "empty")
        from corett_lib.core import config

        m = config.build_matrix()
        n_full = len(m.country_list()) * len(m.year_list()) * len(m.reports) * len(m.languages)
        n = len(countries) * len(years) * len(reports) * len(LANGS)
        return {
            "matrix": (
                f"{len(countries)} countries x {len(years)} year(s) x {len(reports)} report(s) "
                f"({', '.join(reports)}) x 2 languages = {n}"
            ),
            "machine": f"{os.cpu_count()} CPUs",
            "naive loop: papermill CLI + nbconvert CLI (s)": round(t_naive, 1),
            "naive per report (s)": round(t_naive / n, 2),
            "corett build --force, incl. one load + validate (s)": round(t_ours, 1),
            "corett build per report (s)": round(t_ours / n, 2),
            "speed-up (target >= 6)": round(t_naive / t_ours, 1),
            "workers": workers,
            "sum of in-kernel cell times (s)": round(cell_seconds, 1),
            "one-off load + validate + snapshot inside the build (s)": last["load_seconds"],
            "overhead ratio = wall x workers / cell time (target <= 1.5)": round(
                t_ours * workers / cell_seconds, 2
            ),
            "same, without the one-off load + validate": round(steady * workers / cell_seconds, 2),
            "no-op rebuild, whole command (s, target ~1)": round(t_noop, 2),
            "reports rebuilt by the no-op run": noop_built,
            f"planning the full default matrix, {n_full} reports (s)": round(t_plan, 2),
        }
    finally:
        os.environ.pop("CORETT_CACHE", None)
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    """Print the figures as JSON."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--countries", nargs="+", default=list(DEFAULT_COUNTRIES))
    ap.add_argument("--years", nargs="+", type=int, default=list(DEFAULT_YEARS))
    ap.add_argument("--reports", nargs="+", default=list(DEFAULT_REPORTS))
    ap.add_argument(
        "--full", action="store_true", help="the whole default matrix of parameters/build.yaml"
    )
    args = ap.parse_args()
    if args.full:
        from corett_lib.core import config

        m = config.build_matrix()
        figures = run(tuple(m.country_list()), tuple(m.year_list()), tuple(m.reports))
    else:
        figures = run(tuple(args.countries), tuple(args.years), tuple(args.reports))
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
