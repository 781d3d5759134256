"""Indicator engine benchmark: 10 million synthetic case-level records, every indicator.

A seeded generator (:func:`corett_lib.analysis.cases.synthetic_cases`, synthetic and illustrative:
no real person or figure) makes case records in the CTDC format for the nine members over 20 years.
*Ours* is :func:`~corett_lib.analysis.cases.aggregate_cases` (records -> observations) followed by
:func:`~corett_lib.facts.engine.evaluate` and
:func:`~corett_lib.facts.view.indicator_table` for every indicator, every member and CORETT,
every year and every disaggregation. *DuckDB* does the same aggregation of the same in-memory records
(sex x age cube with margins, forms of exploitation, citizenship, per country-year) in SQL with
grouping sets. Both are timed in the same run (median of ``repeat`` runs) and their totals compared.

Targets (issue 3): under 5 s and under 3 GB peak memory on this 2-core machine; ours / DuckDB at
most 1.5. Run: ``python benchmarks/bench_indicators.py`` (or ``make bench``).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIZES = (1_000_000, 2_000_000, 5_000_000, 10_000_000)
YEARS = (2003, 2022)

DUCKDB_SQL = """
WITH t AS (
  SELECT CAST(CountryOfExploitation AS VARCHAR) AS c,
         yearOfRegistration AS y,
         CASE WHEN gender IS NULL THEN 'Unknown' WHEN gender = 'Female' THEN 'Female'
              WHEN gender = 'Male' THEN 'Male' ELSE 'Other' END AS sex,
         CASE WHEN majorityStatus = 'Minor' THEN '0 to 17 years'
              WHEN majorityStatus = 'Adult' THEN '18 years or over'
              WHEN ageBroad IN ('0--8', '9--17') THEN '0 to 17 years'
              WHEN ageBroad IS NULL THEN 'Unknown' ELSE '18 years or over' END AS age,
         CASE WHEN citizenship IS NULL THEN 'Unknown'
              WHEN CAST(citizenship AS VARCHAR) = CAST(CountryOfExploitation AS VARCHAR)
              THEN 'Nationals' ELSE 'Foreign nationals' END AS cit,
         isSexualExploit = 1 AS f1, isForcedLabour = 1 AS f2, isOtherExploit = 1 AS f3
  FROM recs
)
SELECT c, y, sex, age, cit, count(*) AS n,
       count_if(f1) AS sexual, count_if(f2) AS labour, count_if(f3) AS other,
       GROUPING(sex, age, cit) AS g
FROM t
GROUP BY GROUPING SETS ((c, y, sex, age), (c, y, sex), (c, y, age), (c, y), (c, y, cit))
"""


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _population() -> Any:
    import pandas as pd

    return pd.read_csv(ROOT / "data" / "raw" / "population_all.csv")[["iso3", "year", "population"]]


def ours(records: Any, population: Any, members: tuple[str, ...]) -> tuple[Any, Any, dict]:
    """Aggregate the records and compute every indicator; return (observations, table, times)."""
    from corett_lib.analysis.cases import aggregate_cases
    from corett_lib.facts.engine import evaluate
    from corett_lib.facts.view import indicator_table

    t0 = time.perf_counter()
    obs = aggregate_cases(records)
    t1 = time.perf_counter()
    ev = evaluate(obs, population, members=members)
    table = indicator_table(ev, disaggregations=None)
    t2 = time.perf_counter()
    return obs, table, {"aggregate": t1 - t0, "indicators": t2 - t1, "total": t2 - t0}


def duckdb_aggregate(con: Any, records: Any) -> tuple[Any, float]:
    """The same aggregation in DuckDB (records registered as a view); return (result, seconds)."""
    con.register("recs", records)
    t0 = time.perf_counter()
    res = con.execute(DUCKDB_SQL).df()
    dt = time.perf_counter() - t0
    con.unregister("recs")
    return res, dt


def _agree(obs: Any, duck: Any) -> bool:
    """Country-year totals and minors agree between ours and DuckDB (ISO2 vs ISO3 aside)."""
    tot = obs[(obs["dimension"] == "Total") & (obs["sex"] == "Total")]
    ours_tot = sorted(tot.loc[tot["age"] == "Total", "value"].astype(int))
    ours_min = sorted(tot.loc[tot["age"] == "0 to 17 years", "value"].astype(int))
    d_tot = duck[duck["g"] == 7]
    d_age = duck[(duck["g"] == 5) & (duck["age"] == "0 to 17 years")]
    return ours_tot == sorted(d_tot["n"].astype(int)) and ours_min == sorted(d_age["n"].astype(int))


def run(sizes: tuple[int, ...] = SIZES, repeat: int = 3, seed: int = 20260101) -> dict:
    """Run the benchmark and return its figures.

    Parameters
    ----------
    sizes
        Numbers of synthetic records; the last is the headline (10 million).
    repeat
        Timed runs per size (the median is reported).
    seed
        Seed of the synthetic records.
    """
    import duckdb

    from corett_lib.analysis.cases import synthetic_cases
    from corett_lib.core.config import members

    mem = members()
    population = _population()
    con = duckdb.connect()
    threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    ours(synthetic_cases(1000, seed=seed), population, mem)  # warm imports
    growth: dict[str, dict[str, float]] = {}
    headline: dict[str, Any] = {}
    for n in sizes:
        t_gen = time.perf_counter()
        records = synthetic_cases(n, seed=seed, years=YEARS)
        t_gen = time.perf_counter() - t_gen
        runs = [ours(records, population, mem) for _ in range(repeat)]
        obs, table, _ = runs[-1]
        times = {k: statistics.median(r[2][k] for r in runs) for k in runs[0][2]}
        peak_ours = _peak_mib()
        duck_runs = [duckdb_aggregate(con, records) for _ in range(repeat)]
        t_duck = statistics.median(d for _, d in duck_runs)
        growth[f"{n:,}"] = {
            "ours total (s)": round(times["total"], 3),
            "ours aggregation (s)": round(times["aggregate"], 3),
            "duckdb aggregation (s)": round(t_duck, 3),
        }
        if n == sizes[-1]:
            headline = {
                "records": f"{n:,} synthetic case records (seed {seed}, {len(mem)} members, "
                f"{YEARS[0]}-{YEARS[1]})",
                "generate records (s, not counted)": round(t_gen, 2),
                "ours: aggregate records -> observations (s)": round(times["aggregate"], 3),
                "ours: every indicator, country, year, breakdown (s)": round(
                    times["indicators"], 3
                ),
                "ours: total (s)": round(times["total"], 3),
                "indicator rows": len(table),
                "observations": len(obs),
                "peak memory, generation + ours (MiB)": round(peak_ours),
                f"duckdb {duckdb.__version__} same aggregation (s, {threads} threads)": round(
                    t_duck, 3
                ),
                "ratio ours aggregation / duckdb": round(times["aggregate"] / t_duck, 2),
                "ratio ours total (incl. indicators) / duckdb": round(times["total"] / t_duck, 2),
                "ours and duckdb agree (totals, minors)": _agree(obs, duck_runs[-1][0]),
                "peak memory, whole run (MiB)": round(_peak_mib()),
            }
        del records
    first, last = sizes[0], sizes[-1]
    g = growth[f"{last:,}"]["ours total (s)"] / growth[f"{first:,}"]["ours total (s)"]
    return {
        **headline,
        "targets": "total < 5 s, peak < 3 GB (3072 MiB), ours/duckdb <= 1.5",
        f"median of {repeat} runs, by size": growth,
        f"time growth {first:,} -> {last:,} records (x{last // first})": round(g, 2),
        "cpus": os.cpu_count(),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
