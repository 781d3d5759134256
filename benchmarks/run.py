"""`make bench`: the workbench's speed and memory figures on this machine.

Each figure is measured in a fresh subprocess so that imports and caches of one do not help another.
Targets (issue tracker): `corett --help` well under 1 s; load + validate of the shipped data under 10 s;
indicator engine on 10 M case records under 5 s / 3 GB and within 1.5x DuckDB; report build (issue 19)
>= 40x the naive papermill + nbconvert loop per report, the full default matrix within 120 s on 2 CPUs,
overhead ratio <= 1.3, no-op rebuild of the full matrix under 1 s; scale (issue 19): planning every
UNODC country x 2010-2022 x every report x both languages within 2 s, the Dask engine against the local
pool, a 500-report sample on a LocalCluster and a projection to N machines.

Every section prints tables and writes its figures to ``OUT/bench/<section>.json`` (``--out``,
default ``outputs/``). ``--quick`` runs every section at smoke-test sizes (figures not comparable).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import _common  # noqa: E402

ENV = {**os.environ, "GX_ANALYTICS_ENABLED": "False"}


def _py(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON object on its last line."""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=ENV, cwd=ROOT, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_help(repeat: int = 5) -> dict:
    """Wall time of ``corett --help`` (median of ``repeat`` runs)."""
    exe = Path(sys.executable).with_name("corett")
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([str(exe), "--help"], capture_output=True, check=True, env=ENV)
        times.append(time.perf_counter() - t)
    return {f"corett --help (s, median of {repeat})": round(statistics.median(times), 3)}


GX_IMPORT_CODE = r"""
import json, time
t0 = time.perf_counter()
import great_expectations  # noqa: F401
print(json.dumps({"great_expectations import alone (s)": round(time.perf_counter() - t0, 2)}))
"""

LOAD_CODE = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from corett_lib.validation import load as data
ds = data.load(strict=False, use_cache=False)
total = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({
    "load + validate incl. imports (s)": round(total, 2),
    "great_expectations imported": "great_expectations" in sys.modules,
    "per step (s)": {k: round(v, 2) for k, v in ds.timings.items()},
    "observations": len(ds.observations),
    "errors / warnings": [len(ds.errors), len(ds.warnings)],
    "peak memory (MiB)": round(rss),
}))
"""


def bench_load() -> dict:
    """Load + validate the shipped data in fresh processes: cold (empty caches), then warm.

    Cold means an empty parse cache and an empty validation-result cache (``CORETT_CACHE`` points at
    a new folder), so the xlsx is parsed and every Great Expectations suite runs. Warm reuses them.
    """
    import tempfile

    ENV["CORETT_CACHE"] = tempfile.mkdtemp(prefix="corett-bench-cache-")
    try:
        out = {"cold caches": _py(LOAD_CODE), "warm caches": _py(LOAD_CODE)}
    finally:
        ENV.pop("CORETT_CACHE", None)
    out.update(_py(GX_IMPORT_CODE))
    return out


def _load_module(name: str):
    """Load ``benchmarks/<name>.py`` by path (no package import is needed)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"benchmarks/{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _module_bench(name: str, **kwargs) -> dict:
    """Run ``benchmarks/<name>.py``'s ``run(**kwargs)``."""
    return _load_module(name).run(**kwargs)


def main() -> None:
    """Run every benchmark; print each section's figures as tables and write them as JSON."""
    ap = argparse.ArgumentParser(description=__doc__)
    sections = ["help", "load", "indicators", "build", "scale"]
    ap.add_argument("--only", choices=sections, action="append")
    ap.add_argument(
        "--quick", action="store_true", help="smoke-test sizes (figures not comparable)"
    )
    ap.add_argument("--out", default=None, help="JSON goes to OUT/bench/ (default outputs/)")
    args = ap.parse_args()
    wanted = set(args.only or sections)
    q = args.quick
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    table = [
        ("help", "CLI start-up", lambda: bench_help(repeat=1 if q else 5)),
        ("load", "load + validate", bench_load),
        (
            "indicators",
            "indicator engine",
            lambda: _module_bench(
                "bench_indicators", **({"sizes": (100_000,), "repeat": 1} if q else {})
            ),
        ),
        (
            "build",
            "report build, ours vs the naive loop",
            lambda: _module_bench("bench_build", quick=q),
        ),
        (
            "scale",
            "scale: Dask, scale simulation, projection",
            lambda: _module_bench("bench_scale", quick=q),
        ),
    ]
    renderers = {"build": "bench_build", "scale": "bench_scale"}
    results: dict[str, dict] = {}
    for key, title, fn in table:
        if key not in wanted:
            continue
        print(f"\n== {title} ==", flush=True)
        t0 = time.perf_counter()
        figures = fn()
        figures["section wall time (s)"] = round(time.perf_counter() - t0, 1)
        results[key] = figures
        if key in renderers:
            print(_load_module(renderers[key]).render(figures), flush=True)
        else:
            print(_common.figures_table(figures), flush=True)
        print(f"JSON: {_common.write_json(args.out, key, figures)}", flush=True)
    if "build" in results or "scale" in results:
        print("\n== issue 19: every figure of this run ==", flush=True)
        print(issue19_summary(results.get("build", {}), results.get("scale", {})), flush=True)


def issue19_summary(build: dict, scale: dict) -> str:
    """Return one table of issue 19's figures from this run: the targets met or not, then Dask.

    ``build`` and ``scale`` are the figures of ``bench_build.run`` and ``bench_scale.run`` (either
    may be empty when its section was not run).
    """
    head = ["figure", "value", "ours (s/report)", "naive / local pool", "target", "met"]
    rows: list[list] = [
        [
            t["figure"],
            t["value"],
            t["ours (s/report)"],
            t["naive (s/report)"],
            t["target"],
            t["met"],
        ]
        for t in build.get("targets (issue 19)") or []
    ]
    planned = scale.get("scale simulation: planning") or {}
    if planned:
        rows.append(
            [
                f"planning the scale matrix, {planned.get('reports planned')} reports (s; CPU "
                f"{planned.get('plan, median of the next calls, CPU (s)')} s)",
                planned.get("plan, median of the next calls (s)"),
                None,
                None,
                f"<= {_common.TARGET_SCALE_PLAN_S:g} s",
                planned.get("target: planning <= 2 s"),
            ]
        )
    pools = scale.get("pools") or {}
    for workers in (1, 2):
        dask = pools.get(f"Dask LocalCluster, {workers} worker(s)") or {}
        local = pools.get(f"local pool, {workers} worker(s)") or {}
        if dask or local:
            rows.append(
                [
                    f"Dask LocalCluster, {workers} worker(s): per report, steady (s)",
                    None,
                    dask.get("steady (s per report)"),
                    local.get("steady (s per report)"),
                    "",
                    "",
                ]
            )
    if pools:
        rows.append(
            [
                "scaling 1 -> 2 workers, steady rate (x): Dask / local pool",
                pools.get("Dask LocalCluster: scaling 1 -> 2 workers (steady rate)"),
                None,
                pools.get("local pool: scaling 1 -> 2 workers (steady rate)"),
                "",
                "",
            ]
        )
    sample = scale.get("scale simulation: sample on the LocalCluster") or {}
    if sample:
        rows.append(
            [
                f"scale sample on the LocalCluster: {sample.get('built')} built, "
                f"{sample.get('failed')} failed of {sample.get('reports')}: wall (s)",
                sample.get("wall (s)"),
                sample.get("steady (s per report)"),
                None,
                "",
                "",
            ]
        )
    proj = (scale.get("projection") or {}).get("wall time on N machines") or []
    for r in proj:
        rows.append(
            [
                f"projection, whole scale matrix on {r['machines']} machine(s): linear / "
                "pessimistic (min)",
                f"{r['linear (min)']} / {r['pessimistic (min)']}",
                None,
                None,
                "",
                "",
            ]
        )
    return _common.table(head, rows) + (
        "\n(ours (s/report): wall per report for the build targets, the steady rate for the Dask "
        "rows and the scale sample; naive / local pool: the naive loop's seconds per report beside "
        "the build targets, the local pool's figure beside the Dask rows)"
    )


if __name__ == "__main__":
    main()
