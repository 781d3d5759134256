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

import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corett_lib import paths
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
        groups: dict[tuple[str, str], list[tuple[int, Any]]] = {}
        for pos, value in zip(index, values, strict=False):
            pos = int(pos)
            severity = "warning" if declared[pos] else "error"
            groups.setdefault((files[pos], severity), []).append((rows[pos], value))
        for (file, severity), hits in sorted(groups.items()):
            hits.sort(key=lambda h: h[0])
            message = f"{_plural(len(hits), 'row')}: {meta.get('message', config.type)}"
            if severity == "warning":
                message += " (declared in corrections.yaml)"
            problems.append(
                Problem(
                    severity,  # type: ignore[arg-type]
                    check,
                    file,
                    message,
                    rows=tuple(sorted({r for r, _ in hits})),
                    column=file_column(file, column),
                    why=why,
                    sample=_unique(_shown(v) for _, v in hits),
                    table=spec.table,
                )
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
    import hashlib

    import pandas as pd

    h = hashlib.sha256(repr([(c, str(t)) for c, t in df.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()


def run_suite(spec: SuiteSpec, df: pd.DataFrame) -> list[Problem]:
    """Run one suite on ``df`` and return its problems (see :func:`result_problems`).

    Results are remembered in this process by the table's content and the suite's signature, so
    validating the same table again (tests swapping one file at a time, a notebook reloading)
    costs a hash instead of a GX run.
    """
    df = df.reset_index(drop=True)
    key = (spec.table, spec.signature, _fingerprint(df)) if spec.signature else None
    if key is not None and key in _RESULTS:
        return list(_RESULTS[key])
    outcome = _batch(spec.table, df).validate(
        spec.suite, result_format={"result_format": "COMPLETE"}
    )
    problems = result_problems(spec, df, outcome.results)
    if key is not None:
        if len(_RESULTS) >= _RESULTS_MAX:
            _RESULTS.pop(next(iter(_RESULTS)))
        _RESULTS[key] = problems
    return list(problems)


def _failed_tables(dataset: Dataset) -> set[str]:
    from corett_lib.loading import READERS

    failed = set(dataset.extra.get("failed_files", ()))
    out = {r.table for r in READERS if r.key in failed and r.table != "observations"}
    if all(r.key in failed for r in READERS if r.table == "observations"):
        out.add("observations")
    return out


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
    t0 = time.perf_counter()
    gx_context()
    dataset.timings["gx_import"] = time.perf_counter() - t0
    problems: list[Problem] = []
    t0 = time.perf_counter()
    for spec in suites.build_suites(tables):
        problems.extend(run_suite(spec, tables[spec.table]))
    dataset.timings["gx_suites"] = time.perf_counter() - t0
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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; the page is for people to open
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
