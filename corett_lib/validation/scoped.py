"""Scoped problems: an error in one country-year's figures withholds them, and nothing else.

Validation sorts every error into one of two kinds:

* **scoped** — the problem concerns figures of one country and year (a conflicting repeat, a value
  that is not a count, a negative count: :data:`corett_lib.validation.rows.FIGURE_CHECKS`; the
  :class:`~corett_lib.core.problems.Problem` carries ``iso3`` and ``year``). Those figures are
  withheld (their rows are marked ``withheld`` and the reason is listed by :func:`withheld`, for
  the page to say why), and every other report still builds;
* **structural** — anything else (an unreadable file, a missing column, an unknown code, a broken
  configuration). It stops the build before anything is written.

``corett validate`` still reports both kinds as errors (exit 1): a scoped error needs a person to
look at it, but it does not hold the other countries' reports hostage.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from corett_lib.core.problems import Problem
from corett_lib.validation.rows import FIGURE_CHECKS

if TYPE_CHECKING:
    import pandas as pd

#: The column the validated load adds to the observations: True for a figure a scoped error withholds.
WITHHELD = "withheld"

#: Columns of :func:`withheld`.
WITHHELD_COLUMNS: list[str] = ["iso3", "year", "check", "file", "rows", "reason", "why"]


def is_scoped(problem: Problem) -> bool:
    """Return True for an error about the figures of one country-year only.

    Examples
    --------
    >>> is_scoped(Problem("error", "duplicate_conflict", "f", "m", iso3="GTM", year=2019))
    True
    >>> is_scoped(Problem("error", "column_missing", "f", "m"))
    False
    >>> is_scoped(Problem("error", "iso3_known", "f", "m", iso3="GTM", year=2019))
    False
    """
    return (
        problem.severity == "error"
        and problem.check in FIGURE_CHECKS
        and problem.iso3 is not None
        and problem.year is not None
    )


def structural_errors(problems: Iterable[Problem]) -> list[Problem]:
    """Return the errors that stop everything: every error that is not :func:`is_scoped`."""
    return [p for p in problems if p.severity == "error" and not is_scoped(p)]


def withheld(problems: Iterable[Problem], iso3: str | None = None) -> pd.DataFrame:
    """Return the figures withheld by scoped errors, with the reason, one row per problem.

    Parameters
    ----------
    problems
        Every problem of a load (``Dataset.problems``).
    iso3
        Only this country's (default: every country).

    Returns
    -------
    pandas.DataFrame
        :data:`WITHHELD_COLUMNS`, sorted by country, year and check; ``reason`` is the problem's
        message (it names the figure and the values), ``rows`` the file rows joined by ``|``.
    """
    import pandas as pd

    records = [
        {
            "iso3": p.iso3,
            "year": p.year,
            "check": p.check,
            "file": p.file,
            "rows": "|".join(str(r) for r in p.rows),
            "reason": p.message,
            "why": p.why,
        }
        for p in problems
        if is_scoped(p) and (iso3 is None or p.iso3 == iso3)
    ]
    out = pd.DataFrame.from_records(records, columns=WITHHELD_COLUMNS)
    return out.sort_values(["iso3", "year", "check", "rows"], kind="mergesort").reset_index(
        drop=True
    )


def withheld_rows(obs: pd.DataFrame, problems: Iterable[Problem]) -> pd.Series:
    """Return True for every observation whose file row a scoped error names.

    Rows a conflicting repeat names are already out of the table (none of them is used); a figure
    whose value cannot be read stays, marked, so that no page shows it as a number.
    """
    import pandas as pd

    named = {(p.file, r) for p in problems if is_scoped(p) for r in p.rows}
    if not named or not {"source_file", "source_row"} <= set(obs.columns):
        return pd.Series(False, index=obs.index, dtype=bool)
    hit = [
        (str(f), int(r)) in named if r == r else False
        for f, r in zip(obs["source_file"].tolist(), obs["source_row"].tolist(), strict=True)
    ]
    return pd.Series(hit, index=obs.index, dtype=bool)
