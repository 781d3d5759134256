"""Checks of free text in every table: control characters, formula-like text, length."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from corett_lib.core.problems import Problem
from corett_lib.validation.rows import _locations, _row_problems
from corett_lib.validation.suites import FORMULA_REGEX, MARKUP_REGEX, WHY_FORMULA, WHY_MARKUP

if TYPE_CHECKING:
    import pandas as pd


def text_problems(table: str, df: pd.DataFrame, columns: Iterable[str]) -> list[Problem]:
    """Return a problem per column, file and severity with formula-like text or markup.

    Text a spreadsheet would run as a formula (``text_not_formula``) or that holds HTML/XML markup
    (``text_no_markup``).

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
