"""Run every validation suite and cross-table check; the engine of ``corett validate``.

* :func:`validate` runs the Great Expectations suites of :mod:`~corett_lib.validation.suites` on every
  table of a :class:`~corett_lib.data.Dataset` and the pandas checks of
  :mod:`~corett_lib.validation.checks`, and returns every :class:`~corett_lib.problems.Problem` found.
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
import json
import os
import pickle
import re
import sys
import time
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corett_lib import atomic, paths
from corett_lib.problems import DataError, Problem

if TYPE_CHECKING:
    import pandas as pd

    from corett_lib.data import Dataset
    from corett_lib.validation.suites import SuiteSpec

#: Table -> key of :data:`corett_lib.paths.RAW_FILES` it is read from (tables without ``source_file``).
TABLE_FILES: dict[str, str] = {
    "population": "population",
    "sdg": "sdg_targets",
    "countries": "countries",
    "ratifications": "ratifications",
    "instruments": "instruments",
    "plan_items": "plan_items",
    "evaluation_questions": "evaluation_questions",
    "followup_questions": "followup_questions",
    "monitoring_matrix": "monitoring_matrix",
}

#: Tidy column -> header in the UNODC export, so problems name the column a person sees in the file.
GLOTIP_HEADERS: dict[str, str] = {
    "iso3": "Iso3_code",
    "country": "Country",
    "indicator": "Indicator",
    "dimension": "Dimension",
    "category": "Category",
    "sex": "Sex",
    "age": "Age",
    "year": "Year",
    "unit": "Unit of measurement",
    "value": "txtVALUE",
    "value_low": "txtVALUE",
    "value_high": "txtVALUE",
    "value_text": "txtVALUE",
    "source": "Source",
}

SAMPLE_SIZE = 5


def file_column(file: str, column: str | None) -> str | None:
    """Return the header of the file ``file`` that holds the tidy column ``column``.

    Examples
    --------
    >>> file_column("raw/unodc_data_glotip.xlsx", "value_low")
    'txtVALUE'
    >>> file_column("raw/population.csv", "population")
    'population'
    """
    if column and file == paths.RAW_FILES["glotip"]:
        return ",".join(GLOTIP_HEADERS.get(c, c) for c in column.split(","))
    return column


# --------------------------------------------------------------------------------------------------
# Great Expectations
# --------------------------------------------------------------------------------------------------
_GX: dict[str, Any] = {}


def gx_context() -> Any:
    """Return this process's ephemeral GX context (in-memory stores, no analytics, no progress bars)."""
    if "context" not in _GX:
        t0 = time.perf_counter()
        os.environ["GX_ANALYTICS_ENABLED"] = "False"
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
            analytics_enabled=False,
        )
        context = gx.get_context(mode="ephemeral", project_config=config)
        _GX["context"] = context
        _GX["source"] = context.data_sources.add_pandas("corett")
        _GX["seconds"] = time.perf_counter() - t0
    return _GX["context"]


def _batch(table: str, df: pd.DataFrame) -> Any:
    gx_context()
    source = _GX["source"]
    name = f"{table}_{len(source.assets)}"
    definition = source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe("all")
    return definition.get_batch(batch_parameters={"dataframe": df})


def _locations(table: str, df: pd.DataFrame) -> tuple[list[str], list[int], list[bool]]:
    """Return per position of ``df``: the file, the 1-based file row and whether it is declared."""
    n = len(df)
    if "source_file" in df.columns:
        files = df["source_file"].astype("object").where(df["source_file"].notna(), "?").tolist()
    else:
        files = [paths.RAW_FILES.get(TABLE_FILES.get(table, ""), table)] * n
    if "source_row" in df.columns:
        rows = [int(r) if r == r and r is not None else 0 for r in df["source_row"].tolist()]
    else:
        rows = list(range(2, n + 2))  # a CSV with one header line, read in file order
    if "correction" in df.columns:
        declared = [isinstance(c, str) and c.strip() != "" for c in df["correction"].tolist()]
    else:
        declared = [False] * n
    return files, rows, declared


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _unique(values: Iterable[Any], k: int = SAMPLE_SIZE) -> tuple[Any, ...]:
    out: list[Any] = []
    for v in values:
        if v not in out:
            out.append(v)
        if len(out) >= k:
            break
    return tuple(out)


def _row_problems(
    hits: Iterable[tuple[int, Any]],
    located: tuple[list[str], list[int], list[bool]],
    *,
    check: str,
    column: str | None,
    message: str,
    why: str,
    table: str,
) -> list[Problem]:
    """Group failing rows (``(position, value)``) into one problem per file and severity.

    A row touched by a declared correction makes a warning, any other an error; rows are the file's
    own row numbers and the sample shows a few distinct offending values.
    """
    files, rows, declared = located
    groups: dict[tuple[str, str], list[tuple[int, Any]]] = {}
    for pos, value in hits:
        severity = "warning" if declared[pos] else "error"
        groups.setdefault((files[pos], severity), []).append((rows[pos], value))
    problems: list[Problem] = []
    for (file, severity), found in sorted(groups.items()):
        found.sort(key=lambda h: h[0])
        shown = f"{_plural(len(found), 'row')}: {message}"
        if severity == "warning":
            shown += " (declared in corrections.yaml)"
        problems.append(
            Problem(
                severity,  # type: ignore[arg-type]
                check,
                file,
                shown,
                rows=tuple(sorted({r for r, _ in found})),
                column=file_column(file, column),
                why=why,
                sample=_unique(_shown(v) for _, v in found),
                table=table,
            )
        )
    return problems


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
        )
    return problems


def text_problems(table: str, df: pd.DataFrame, columns: Iterable[str]) -> list[Problem]:
    """Return a problem per column, file and severity with text a spreadsheet would run as a formula
    (``text_not_formula``) or that holds HTML/XML markup (``text_no_markup``).

    The same verdicts, words and locations as a Great Expectations ``ExpectColumnValuesToNotMatchRegex``
    run through :func:`result_problems` (null values pass; other values are matched as text), computed
    on each column's distinct values: a regular expression per distinct value instead of per row (the
    observations have 57,802 rows but a few hundred distinct texts).

    Parameters
    ----------
    table
        The logical table (locates rows without ``source_file``, see :data:`TABLE_FILES`).
    df
        The table.
    columns
        Its text columns to check (absent ones are skipped).
    """
    import pandas as pd

    from corett_lib.validation.suites import FORMULA_REGEX, MARKUP_REGEX, WHY_FORMULA, WHY_MARKUP

    rules = (
        (
            "text_not_formula",
            re.compile(FORMULA_REGEX),
            "text looks like a spreadsheet formula",
            WHY_FORMULA,
        ),
        ("text_no_markup", re.compile(MARKUP_REGEX), "text contains HTML/XML markup", WHY_MARKUP),
    )
    df = df.reset_index(drop=True)
    located: tuple[list[str], list[int], list[bool]] | None = None
    problems: list[Problem] = []
    for col in columns:
        if col not in df.columns:
            continue
        values = df[col]
        distinct = pd.unique(values[values.notna()])
        for check, regex, message, why in rules:
            bad = [v for v in distinct if regex.search(str(v))]
            if not bad:
                continue
            if located is None:
                located = _locations(table, df)
            problems += _row_problems(
                ((pos, values.iat[pos]) for pos in values.index[values.isin(bad)].tolist()),
                located,
                check=check,
                column=col,
                message=message,
                why=why,
                table=table,
            )
    return problems


def _shown(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(value)
    if isinstance(value, dict):
        return tuple(value.values())
    return value


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
    """Return a hash of what a suite result depends on besides the table and the suite: this code
    (which maps results to problems), the suites' code, :class:`Problem` and the GX version."""
    from importlib.metadata import version

    from corett_lib import problems

    h = hashlib.sha256(version("great_expectations").encode())
    for name in ("runner.py", "suites.py"):
        h.update(Path(__file__).with_name(name).read_bytes())
    h.update(Path(problems.__file__).read_bytes())  # what a cached Problem is made of
    return h.hexdigest()


def _disk_file(key: tuple[str, str, str]) -> Path:
    digest = hashlib.sha256(repr((key, _code_version())).encode()).hexdigest()
    return paths.cache_dir() / "validation" / f"{key[0]}-{digest[:32]}.pickle"


def _disk_read(key: tuple[str, str, str]) -> list[Problem] | None:
    if not DISK_CACHE:
        return None
    try:
        with _disk_file(key).open("rb") as fh:
            found = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
        return None  # absent or unreadable: the suite runs and the entry is rewritten
    if not (isinstance(found, list) and all(isinstance(p, Problem) for p in found)):
        return None
    return found


def _disk_write(key: tuple[str, str, str], problems: list[Problem]) -> None:
    if not DISK_CACHE:
        return
    target = _disk_file(key)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_with(
            target,
            lambda p: p.write_bytes(pickle.dumps(problems, protocol=pickle.HIGHEST_PROTOCOL)),
        )
        # Keep the newest entries of the table only: older ones are of earlier data or code.
        entries = sorted(
            target.parent.glob(f"{key[0]}-*.pickle"), key=lambda f: f.stat().st_mtime, reverse=True
        )
        for old in entries[_DISK_KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        return  # a read-only cache folder only costs speed


def run_suite(spec: SuiteSpec, df: pd.DataFrame) -> list[Problem]:
    """Run one suite on ``df`` and return its problems (see :func:`result_problems`).

    The suite's text-safety checks (``spec.notes["text_columns"]``) run with pandas, see
    :func:`text_problems`. GX results are remembered by the table's content, the suite's signature
    and the version of this code and of GX: in this process, and on disk in the cache folder
    (:func:`corett_lib.paths.cache_dir`).
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
    from corett_lib.loading import failed_tables

    return failed_tables(dataset.extra.get("failed_files", ()))


def validate(dataset: Dataset) -> list[Problem]:
    """Return every problem the suites and cross-table checks find in ``dataset``.

    Tables whose file could not be read are skipped (their loader already reported why). Timings are
    added to ``dataset.timings`` (``gx_import``, ``gx_suites``, ``cross_checks``).

    Parameters
    ----------
    dataset
        A loaded dataset (see :func:`corett_lib.loading.load_dataset`).

    Returns
    -------
    list of Problem
        Errors and warnings; problems on declared rows are warnings.
    """
    from corett_lib.validation import checks, suites

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
    imported = "context" in _GX
    for spec in suites.build_suites(tables):
        problems.extend(run_suite(spec, tables[spec.table]))
    dataset.timings["gx_suites"] = time.perf_counter() - t0
    if not imported and "context" in _GX:  # GX was imported (only when a result was not known)
        dataset.timings["gx_import"] = _GX["seconds"]
        dataset.timings["gx_suites"] -= _GX["seconds"]
    t0 = time.perf_counter()
    problems.extend(checks.run_checks(dataset, skip=skip))
    dataset.timings["cross_checks"] = time.perf_counter() - t0
    return problems


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe_text(text: str) -> str:
    """Return ``text`` safe to print and to paste into a page: markup escaped, control characters shown.

    Examples
    --------
    >>> safe_text("<script>alert(1)</script>\\x1b[31m")
    '&lt;script&gt;alert(1)&lt;/script&gt;\\\\x1b[31m'
    """
    import html

    text = html.escape(text, quote=False)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def format_text(problems: list[Problem], summary: dict[str, Any]) -> str:
    """Return the text report: one block per problem, then a summary line."""
    lines: list[str] = []
    for p in problems:
        line = str(p)
        if p.sample:
            line += " e.g. " + ", ".join(repr(s) for s in p.sample)
        lines.append(safe_text(line))
    n_err, n_warn = summary["errors"], summary["warnings"]
    status = "FAILED" if n_err else "passed"
    lines.append(
        safe_text(
            f"validation {status}: {_plural(n_err, 'error')}, {_plural(n_warn, 'warning')} "
            f"in {summary['data_dir']} ({summary['seconds']:.1f} s); page: {summary['page']}"
        )
    )
    return "\n".join(lines) + "\n"


def to_json(payload: dict[str, Any]) -> str:
    """Return ``payload`` as JSON safe to embed in HTML (``<``, ``>``, ``&`` escaped as ``\\uXXXX``)."""
    text = json.dumps(payload, ensure_ascii=False, indent=2, default=str)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder, then rename it into place."""
    atomic.write_text(path, text)


def _sort_key(p: Problem) -> tuple[Any, ...]:
    return (p.severity != "error", p.file, p.rows[:1] or (0,), p.check, p.column or "")


def run_cli(data: str | None, fmt: str, out: str | None) -> int:
    """Validate the data folder, print the result, write the result page; return the exit status.

    Parameters
    ----------
    data
        Data folder (default ``$CORETT_DATA`` or the shipped ``data/``).
    fmt
        ``"text"`` or ``"json"``.
    out
        Output folder (default ``$CORETT_OUT`` or ``outputs/``); only ``<out>/validation/`` is
        written.

    Returns
    -------
    int
        1 when any error was found, 0 otherwise (warnings do not fail).
    """
    from corett_lib.config import ConfigError
    from corett_lib.validation.html import render_page

    t0 = time.perf_counter()
    root = paths.data_dir(data)
    try:
        from corett_lib.data import load

        dataset = load(root, strict=False, use_cache=False)
        problems, timings, checksums = dataset.problems, dataset.timings, dataset.checksums
    except DataError as exc:  # a failure outside any one file, e.g. the corrections file
        problems, timings, checksums = exc.problems, {}, {}
    except ConfigError as exc:
        click_echo_err(f"corett validate: {exc}")
        return 2
    problems = sorted(problems, key=_sort_key)
    folder = paths.validation_dir(out)
    n_err = sum(p.severity == "error" for p in problems)
    summary: dict[str, Any] = {
        "status": "failed" if n_err else "passed",
        "data_dir": str(root),
        "errors": n_err,
        "warnings": len(problems) - n_err,
        "seconds": time.perf_counter() - t0,
        "page": str(folder / "index.html"),
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    payload = {
        **summary,
        "problems": [p.to_dict() for p in problems],
        "checksums": checksums,
        "timings": {k: round(v, 3) for k, v in timings.items()},
    }
    write_atomic(folder / "validation.json", to_json(payload))
    write_atomic(folder / "index.html", render_page(problems, summary))
    if fmt == "json":
        sys.stdout.write(to_json(payload) + "\n")
    else:
        sys.stdout.write(format_text(problems, summary))
    return 1 if n_err else 0


def click_echo_err(message: str) -> None:
    """Print ``message`` on standard error."""
    import click

    click.echo(message, err=True)
