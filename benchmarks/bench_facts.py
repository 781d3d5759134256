"""Published-facts benchmark (issue 13): what a build pays once, and what each report pays.

On the shipped data, timed in one process (median of ``--repeat`` runs):

* ``evaluate`` and ``build_facts``: computed once per build, in the parent (``corett build``);
* ``write_facts`` / ``read_facts``: the Parquet files beside the snapshot, read once per kernel;
* one view call (:func:`corett_lib.facts.view.indicator_table`, one country, year and indicator with a
  breakdown), first in a language (labels built) and after (selection only);
* CPU seconds (``time.process_time``) of every code cell of each report notebook for GTM and CORETT
  2019 in both languages, as a kernel runs them with the stored facts (minimum over the runs).

Run: ``python benchmarks/bench_facts.py [--repeat 3]``. Timings on a shared machine vary; CPU time
varies less than wall time, and the minimum of several runs less than one run.
"""

from __future__ import annotations

import argparse
import gc
import json
import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NOTEBOOKS = {
    "annual": "annual_report.ipynb",
    "evaluation": "evaluation.ipynb",
    "sdg": "sdg_alignment.ipynb",
}


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _cells(report: str) -> list[str]:
    nb = json.loads((ROOT / "notebooks" / NOTEBOOKS[report]).read_text(encoding="utf-8"))
    return [
        "".join(c["source"])
        for c in nb["cells"]
        if c["cell_type"] == "code" and "parameters" not in c.get("metadata", {}).get("tags", [])
    ]


def main(repeat: int = 3) -> dict[str, object]:
    """Return the timings (seconds) described in the module's docstring."""
    from corett_lib.facts import store
    from corett_lib.facts.engine import evaluate
    from corett_lib.facts.table import build_facts, correction_actions
    from corett_lib.facts.view import indicator_table
    from corett_lib.validation.load import load

    ds = load()
    actions = correction_actions(ds)
    ev = evaluate(ds.observations, ds.population, correction_actions=actions)
    out: dict[str, object] = {
        "evaluate": _median(
            lambda: evaluate(ds.observations, ds.population, correction_actions=actions), repeat
        ),
        "build_facts": _median(lambda: build_facts(ev), repeat),
    }
    facts = build_facts(ev)
    folder = Path(tempfile.mkdtemp(prefix="corett-bench-facts-"))
    snapshot = folder / "dataset-bench.pkl"
    snapshot.write_bytes(pickle.dumps(ds, protocol=pickle.HIGHEST_PROTOCOL))
    out["write_facts"] = _median(lambda: store.write_facts(facts, snapshot), repeat)

    def read() -> None:
        store._CACHE.clear()
        store.read_facts(snapshot)

    out["read_facts"] = _median(read, repeat)

    def view(f=facts) -> None:
        indicator_table(
            f, countries=["GTM"], years=[2019], indicators=["victims"],
            disaggregations=("total", "sex"), lang="en", country_names=ds.countries,
        )  # fmt: skip

    fresh = build_facts(ev)
    t = time.perf_counter()
    view(fresh)
    out["view_first_call"] = time.perf_counter() - t
    out["view_call"] = _median(lambda: view(fresh), max(repeat, 20))

    cells = {r: _cells(r) for r in NOTEBOOKS}
    cpu: dict[str, float] = {}
    for _ in range(repeat):
        for country in ("GTM", "CORETT"):
            for report, sources in cells.items():
                for lang in ("en", "es"):
                    ns = {
                        "country": country,
                        "year": 2019,
                        "lang": lang,
                        "data": "",
                        "snapshot": str(snapshot),
                    }
                    gc.collect()
                    t = time.process_time()
                    for src in sources:
                        exec(compile(src, report, "exec"), ns)
                    key = f"2019/{country}/{report}.{lang}"
                    cpu[key] = min(cpu.get(key, float("inf")), time.process_time() - t)
    out["report_cpu_seconds"] = {k: round(v, 3) for k, v in sorted(cpu.items())}
    out["report_cpu_total"] = round(sum(cpu.values()), 2)
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(main(args.repeat), indent=1))
