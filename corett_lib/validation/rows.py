"""Failing rows grouped into problems: which file, rows, column and sample a check names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from corett_lib.core import paths
from corett_lib.core.problems import Problem

if TYPE_CHECKING:
    import pandas as pd


#: Table -> key of :data:`corett_lib.core.paths.RAW_FILES` it is read from (tables without ``source_file``).
TABLE_FILES: dict[str, str] = {
    "population": "population",
    "sdg": "sdg_targets",
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

#: Checks of the observations that concern one figure: a failing row is a problem of its country and
#: year only (scoped: the figure is withheld, every other report builds). Any other failing check
#: (unknown code, impossible year, missing column) is structural and stops everything.
FIGURE_CHECKS: frozenset[str] = frozenset(
    {
        "counts_non_negative",
        "counts_integer_or_censored",
        "bounds_ordered",
        "value_present",
        "value_not_numeric",
        "duplicate_conflict",
    }
)


def scopes(df: pd.DataFrame) -> list[tuple[str, int] | None]:
    """Return per position of ``df`` its (iso3, year), or None when the row has no valid one."""
    if not {"iso3", "year"} <= set(df.columns):
        return [None] * len(df)
    out: list[tuple[str, int] | None] = []
    for iso3, year in zip(df["iso3"].tolist(), df["year"].tolist(), strict=True):
        ok = isinstance(iso3, str) and iso3.strip() != "" and year == year and year is not None
        out.append((iso3, int(year)) if ok else None)
    return out


def file_column(file: str, column: str | None) -> str | None:
    """Return the header of the file ``file`` that holds the tidy column ``column``.

    Examples
    --------
    >>> file_column("raw/unodc_data_glotip.xlsx", "value_low")
    'txtVALUE'
    >>> file_column("raw/population_all.csv", "population")
    'population'
    """
    if column and file == paths.RAW_FILES["glotip"]:
        return ",".join(GLOTIP_HEADERS.get(c, c) for c in column.split(","))
    return column


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
    scoped: list[tuple[str, int] | None] | None = None,
) -> list[Problem]:
    """Group failing rows (``(position, value)``) into one problem per file and severity.

    A row touched by a declared correction makes a warning, any other an error; rows are the file's
    own row numbers and the sample shows a few distinct offending values. With ``scoped`` (per
    position, see :func:`scopes`), problems are also split per country and year and carry it.
    """
    files, rows, declared = located
    groups: dict[tuple[str, str, tuple[str, int] | tuple[()]], list[tuple[int, Any]]] = {}
    for pos, value in hits:
        severity = "warning" if declared[pos] else "error"
        where = (scoped[pos] if scoped is not None else None) or ()
        groups.setdefault((files[pos], severity, where), []).append((rows[pos], value))
    problems: list[Problem] = []
    for (file, severity, where), found in sorted(groups.items()):
        found.sort(key=lambda h: h[0])
        shown = f"{_plural(len(found), 'row')}: {message}"
        if where:
            shown = f"{where[0]} {where[1]}: {shown}"
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
                iso3=where[0] if where else None,
                year=where[1] if where else None,
            )
        )
    return problems


def _shown(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(value)
    if isinstance(value, dict):
        return tuple(value.values())
    return value
