"""Run every validation suite and cross-table check; the engine of ``corett validate``.

* :func:`validate` runs the Great Expectations suites of :mod:`~corett_lib.validation.suites` on every
  table of a :class:`~corett_lib.dataset.model.Dataset` and the pandas checks of
  :mod:`~corett_lib.validation.checks`, and returns every :class:`~corett_lib.core.problems.Problem` found.
  Failed expectations are mapped back to the rows of the file a person can open
  (``source_file``/``source_row``) and to its column header.
* :func:`run_cli` loads a data folder, prints the problems (text or JSON), writes the offline result
  page ``<out>/validation/index.html`` and ``validation.json`` (each written aside then renamed into
  place; nothing else in the output folder is touched) and returns the exit status.

A problem on rows that a declared correction covers (non-empty ``correction`` column) is a warning;
any other problem is an error. Great Expectations runs with an ephemeral context, no analytics and no
progress bars; it is imported only here, when validation runs.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corett_lib.core import cache, paths, problems
from corett_lib.core.problems import Problem
from corett_lib.dataset.loading import failed_tables
from corett_lib.dataset.model import Dataset
from corett_lib.validation import checks, gx, suites
from corett_lib.validation.rows import (
    FIGURE_CHECKS,
    TABLE_FILES,
    _locations,
    _row_problems,
    file_column,
    scopes,
)
from corett_lib.validation.suites import SuiteSpec
from corett_lib.validation.text import text_problems

if TYPE_CHECKING:
    import pandas as pd


# --------------------------------------------------------------------------------------------------
# Great Expectations
# --------------------------------------------------------------------------------------------------
def _batch(table: str, df: pd.DataFrame) -> Any:
    gx.gx_context()
    source = gx._GX["source"]
    name = f"{table}_{len(source.assets)}"
    definition = source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe("all")
    return definition.get_batch(batch_parameters={"dataframe": df})


def result_problems(spec: SuiteSpec, df: pd.DataFrame, results: Iterable[Any]) -> list[Problem]:
    """Turn the failed expectation results of one suite run into problems.

    Parameters
    ----------
    spec
        The suite that was run.
    df
        The table it was run on, with a RangeIndex (positions are the GX index values).
    results
        ``ExpectationValidationResult`` objects.
    """
    files, rows, declared = _locations(spec.table, df)
    scoped = scopes(df) if spec.table == "observations" else None
    default_file = paths.RAW_FILES.get(TABLE_FILES.get(spec.table, ""), spec.table)
    if "source_file" in df.columns and df["source_file"].nunique() == 1:
        default_file = str(df["source_file"].iloc[0])
    problems: list[Problem] = []
    for res in results:
        if res.success:
            continue
        config = res.expectation_config
        meta = dict(config.meta or {})
        check = meta.get("check", config.type)
        column = meta.get("column") or config.kwargs.get("column")
        why = meta.get("why", "")
        info = res.exception_info or {}
        if info.get("raised_exception"):
            problems.append(
                Problem(
                    "error",
                    check,
                    default_file,
                    f"the check could not run: {info.get('exception_message')}",
                    column=file_column(default_file, column),
                    why=why,
                    table=spec.table,
                )
            )
            continue
        result = res.result or {}
        index = result.get("unexpected_index_list")
        if not index:
            observed = result.get("observed_value")
            detail = f" (found {observed})" if observed is not None else ""
            problems.append(
                Problem(
                    "error",
                    check,
                    default_file,
                    f"{meta.get('message', config.type)}{detail}",
                    column=file_column(default_file, column),
                    why=why,
                    table=spec.table,
                )
            )
            continue
        values = result.get("unexpected_list") or [None] * len(index)
        problems += _row_problems(
            ((int(pos), value) for pos, value in zip(index, values, strict=False)),
            (files, rows, declared),
            check=check,
            column=column,
            message=meta.get("message", config.type),
            why=why,
            table=spec.table,
            scoped=scoped if check in FIGURE_CHECKS else None,
        )
    return problems


_RESULTS: dict[tuple[str, str, str], list[Problem]] = {}
_RESULTS_MAX = 64


def _fingerprint(df: pd.DataFrame) -> str:
    import pandas as pd

    h = hashlib.sha256(repr([(c, str(t)) for c, t in df.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()


#: Keep suite results on disk (``<cache>/validation/``) so an unchanged table needs no GX run (and a
#: run where every table is unchanged does not even import GX). Tests switch it off to force GX.
DISK_CACHE = True
_DISK_KEEP = 8  #: entries kept per table


@lru_cache(maxsize=1)
def _code_version() -> str:
    """Return a hash of what a suite result depends on besides the table and the suite.

    That is this code (which maps results to problems), the suites' code, :class:`Problem` and the
    GX version.
    """
    from importlib.metadata import version

    here = Path(__file__).parent
    return cache.digest(
        {
            "great_expectations": version("great_expectations"),
            "code": cache.code_digest(
                *(here / name for name in ("runner.py", "suites.py", "gx.py", "rows.py")),
                problems.__file__,  # what a cached Problem is made of
            ),
        }
    )


_STORE = cache.Store("validation", keep=_DISK_KEEP)


def _disk_key(key: tuple[str, str, str]) -> dict[str, str]:
    table, signature, fingerprint = key
    return {
        "table": table,
        "suite": signature,
        "content": fingerprint,
        "code": _code_version(),
    }


def _disk_read(key: tuple[str, str, str]) -> list[Problem] | None:
    if not DISK_CACHE:
        return None
    entry = _STORE.get(_disk_key(key), key[0])
    if entry is None or not isinstance(entry.meta, list):
        return None  # absent or unusable: the suite runs and the entry is rewritten
    return [Problem.from_dict(p) for p in entry.meta]


def _disk_write(key: tuple[str, str, str], problems: list[Problem]) -> None:
    if DISK_CACHE:
        _STORE.put(_disk_key(key), meta=[p.to_dict() for p in problems], prefix=key[0])


def run_suite(spec: SuiteSpec, df: pd.DataFrame) -> list[Problem]:
    """Run one suite on ``df`` and return its problems (see :func:`result_problems`).

    The suite's text-safety checks (``spec.notes["text_columns"]``) run with pandas, see
    :func:`text_problems`. GX results are remembered by the table's content, the suite's signature
    and the version of this code and of GX: in this process, and on disk in the cache folder
    (:mod:`corett_lib.core.cache`).
    Validating an unchanged table again (tests swapping one file at a time, a notebook reloading, the
    next ``corett validate``) costs a hash instead of a GX run; any change to the table or the suite
    runs GX again.
    """
    df = df.reset_index(drop=True)
    key = (spec.table, spec.signature, _fingerprint(df)) if spec.signature else None
    problems = _RESULTS.get(key) if key is not None else None
    if problems is None and key is not None:
        problems = _disk_read(key)
    if problems is None:
        outcome = _batch(spec.table, df).validate(
            spec.suite, result_format={"result_format": "COMPLETE"}
        )
        problems = result_problems(spec, df, outcome.results)
        if key is not None:
            _disk_write(key, problems)
    if key is not None and key not in _RESULTS:
        if len(_RESULTS) >= _RESULTS_MAX:
            _RESULTS.pop(next(iter(_RESULTS)))
        _RESULTS[key] = problems
    return [*problems, *text_problems(spec.table, df, spec.notes.get("text_columns", ()))]


def _failed_tables(dataset: Dataset) -> set[str]:

    return failed_tables(dataset.failed_files)


def validate(dataset: Dataset) -> list[Problem]:
    """Return every problem the suites and cross-table checks find in ``dataset``.

    Tables whose file could not be read are skipped (their loader already reported why). Timings are
    added to ``dataset.timings`` (``gx_import``, ``gx_suites``, ``cross_checks``).

    Parameters
    ----------
    dataset
        A loaded dataset (see :func:`corett_lib.dataset.loading.load_dataset`).

    Returns
    -------
    list of Problem
        Errors and warnings; problems on declared rows are warnings.
    """
    skip = _failed_tables(dataset)
    tables = {
        name: getattr(dataset, name)
        for name in (
            "observations",
            "population",
            "sdg",
            "countries",
            "instruments",
            "ratifications",
            "plan_items",
        )
        if name not in skip
    }
    problems: list[Problem] = []
    t0 = time.perf_counter()
    imported = "context" in gx._GX
    for spec in suites.build_suites(tables):
        problems.extend(run_suite(spec, tables[spec.table]))
    dataset.timings["gx_suites"] = time.perf_counter() - t0
    if not imported and "context" in gx._GX:  # GX was imported (only when a result was not known)
        dataset.timings["gx_import"] = gx._GX["seconds"]
        dataset.timings["gx_suites"] -= gx._GX["seconds"]
    t0 = time.perf_counter()
    problems.extend(checks.run_checks(dataset, skip=skip))
    dataset.timings["cross_checks"] = time.perf_counter() - t0
    return problems
