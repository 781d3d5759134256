"""CORETT's own figures, transcribed from the Prevention Strategy, as tidy observations.

Two files, both transcriptions of the *CORETT Regional Strategy for the Prevention of Trafficking in
Persons and Smuggling of Migrants* (source text ``seeds/004_8d3ddc9794c7a068.txt``):

``raw/corett_chart3_victims.csv``
    Chart 3, identified victims by country, 2017-2019 (source: "IOM & CORETT, Infographics on Statistics
    2017, 2018 and 2019 on Trafficking in Persons in the Region"). One row per country and year, plus the
    published ``Total`` rows (``iso3`` = ``CORETT``). Columns: ``iso3, country, year, value_text, value,
    chart_ref, source, doc_line, notes``. ``value_text`` is the chart's text verbatim (``1,080``, ``1582``).

``raw/corett_2019_composition.csv``
    The 2019 regional breakdowns published in the text after Chart 3: shares by sex and age, by
    nationality, by purpose, and the 2019 repatriations (a count of 110 and shares by sex and age).
    The tidy mapping (indicator, dimension, category, sex, age, unit) is *data*, one row per published
    figure, next to the document's wording (``wording``) and how it was read (``interpretation``):

    ================================================  ==========================  ===================  ======  ================
    wording (abridged)                                dimension                   category             sex     age
    ================================================  ==========================  ===================  ======  ================
    "12% were men" / "38% men"                        Total                       Total                Male    18 years or over
    "30% were women" / "36% were women"               Total                       Total                Female  18 years or over
    "27% were children and adolescents under 18" (*)  Total                       Total                Male    0 to 17 years
    "11% were girls and adolescents"                  Total                       Total                Female  0 to 17 years
    "12% ... the LGBTIQ+ collective" / "4%"           Total                       Total                Other   Total
    "55% ... within their country of nationality"     by citizenship              Nationals            Total   Total
    "15% ... outside their country of nationality"    by citizenship              Foreigners           Total   Total
    "48 percent ... sexual exploitation"              by form of exploitation     Sexual exploitation  Total   Total
    "9 percent ... labor exploitation"                by form of exploitation     Forced labour        Total   Total
    "110 cases of repatriation"                       Total                       Total                Total   Total
    ================================================  ==========================  ===================  ======  ================

    (*) ambiguous in the English text: read as boys because girls are listed separately and the shares
    are listed as a partition; it could also mean all children. The shares are kept exactly as
    published (unit ``Percent``); they do not add to 100 % and no remainder is invented.

Both readers return the tidy observation table (:data:`corett_lib.core.schema.OBSERVATION_COLUMNS`) with
``source`` = ``"CORETT"``, regional figures under ``iso3`` = :data:`corett_lib.core.schema.REGION_CODE`, and
every problem found (file, CSV line, column). Rows with a problem are left out of the table; a file that
cannot be read as a table at all (not UTF-8, empty, required columns missing) raises
:class:`~corett_lib.core.problems.DataError`. The generic CSV reading (:func:`read_csv_rows`, re-exported
here) lives in :mod:`corett_lib.raw.csvio`, shared with the other CSV loaders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corett_lib.core.config import members
from corett_lib.core.problems import Problem
from corett_lib.core.schema import (
    AGES,
    DIMENSIONS,
    OBSERVATION_COLUMNS,
    OBSERVATION_KEY,
    REGION_CODE,
    SEXES,
)
from corett_lib.core.tables import finish
from corett_lib.raw.csvio import CsvRow, error, parse_float, read_csv_rows

if TYPE_CHECKING:
    import pandas as pd

SOURCE = "CORETT"
VICTIMS_REF = "CORETT Prevention Strategy, Chart 3 (IOM & CORETT infographics 2017-2019)"
COMPOSITION_REF = "CORETT Prevention Strategy, text after Chart 3 (IOM & CORETT infographics 2019)"
VICTIMS_INDICATOR = "Detected trafficking victims"
UNITS = ("Counts", "Percent")

VICTIMS_COLUMNS: tuple[str, ...] = ("iso3", "country", "year", "value_text", "value")
COMPOSITION_COLUMNS: tuple[str, ...] = (
    "item_id",
    "iso3",
    "country",
    "year",
    "indicator",
    "dimension",
    "category",
    "sex",
    "age",
    "unit",
    "value_text",
    "value",
    "wording",
)

_COUNT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)$")
_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:%|percent)$", re.IGNORECASE)


_problem = partial(error, table="observations")


def _flag(
    found: list[CsvRow],
    problems: list[Problem],
    bad: set[int],
    rel: str,
    check: str,
    message: str,
    column: str | None,
    why: str,
    sample: Iterable[Any] = (),
) -> None:
    """Report the rows ``found`` failing ``check`` as one problem and mark them bad."""
    if found:
        problems.append(_problem(rel, check, message, (r.line for r in found), column, why, sample))
        bad.update(r.line for r in found)


def parse_count(text: str) -> int | None:
    """Return the integer written as ``text`` (``"1,080"`` or ``"1582"``), or None if it is not one.

    Examples
    --------
    >>> parse_count("1,080"), parse_count("1582"), parse_count("1.080"), parse_count("<5")
    (1080, 1582, None, None)
    """
    t = text.strip()
    return int(t.replace(",", "")) if _COUNT.match(t) else None


def parse_percent(text: str) -> float | None:
    """Return the percentage written as ``text`` (``"12%"``, ``"48 percent"``), or None.

    Examples
    --------
    >>> parse_percent("12%"), parse_percent("48 percent"), parse_percent("12")
    (12.0, 48.0, None)
    """
    m = _PERCENT.match(text.strip())
    return float(m.group(1)) if m else None


def _known_iso3() -> set[str]:

    return {*members(), REGION_CODE}


def _check_common(
    rows: list[CsvRow], rel: str, problems: list[Problem]
) -> tuple[set[int], dict[int, int]]:
    """Check iso3 and year of every row; return the lines with a problem and the parsed years."""
    known = _known_iso3()
    bad: set[int] = set()
    years: dict[int, int] = {}
    unknown = [r for r in rows if r.fields["iso3"].strip() not in known]
    _flag(
        unknown,
        problems,
        bad,
        rel,
        "iso3_known",
        f"{len(unknown)} row(s) have an ISO3 code that is not a member nor {REGION_CODE}",
        "iso3",
        "every figure must belong to a configured member (parameters/coalition.yaml) "
        "or to the region",
        sorted({r.fields["iso3"] for r in unknown})[:5],
    )
    bad_year = []
    for r in rows:
        y = r.fields["year"].strip()
        if y.isdigit() and len(y) == 4:
            years[r.line] = int(y)
        else:
            bad_year.append(r)
    _flag(
        bad_year,
        problems,
        bad,
        rel,
        "year_integer",
        f"{len(bad_year)} row(s) have a year that is not a four-digit integer",
        "year",
        "years key every observation",
        [r.fields["year"] for r in bad_year][:5],
    )
    return bad, years


def _value_matches(
    rows: list[CsvRow], parsed: dict[int, float], rel: str, problems: list[Problem]
) -> set[int]:
    """Check that the ``value`` column equals the number read from ``value_text``."""
    mismatched = [
        r for r in rows if r.line in parsed and parse_float(r.fields["value"]) != parsed[r.line]
    ]
    if mismatched:
        problems.append(
            _problem(
                rel,
                "value_matches_text",
                f"{len(mismatched)} row(s) have a value that differs from the number in value_text",
                (r.line for r in mismatched),
                "value",
                "value is the number value_text publishes; a difference is a transcription error",
                [f"{r.fields['value_text']!r} vs {r.fields['value']!r}" for r in mismatched][:5],
            )
        )
    return {r.line for r in mismatched}


def _duplicates(
    rows: list[CsvRow], key: Sequence[str], rel: str, problems: list[Problem], skip: set[int]
) -> set[int]:
    seen: dict[tuple[str, ...], int] = {}
    dup: list[CsvRow] = []
    for r in rows:
        if r.line in skip:
            continue
        k = tuple(r.fields[c].strip() for c in key)
        if k in seen:
            dup.append(r)
        else:
            seen[k] = r.line
    if dup:
        problems.append(
            _problem(
                rel,
                "key_unique",
                f"{len(dup)} row(s) repeat the key ({', '.join(key)}) of an earlier row",
                (r.line for r in dup),
                None,
                "one published figure per key; a repeat is a transcription error",
                [tuple(r.fields[c] for c in key) for r in dup][:5],
            )
        )
    return {r.line for r in dup}


def _frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    df = pd.DataFrame.from_records(records, columns=OBSERVATION_COLUMNS)
    df = df.astype(
        {
            "year": "int64",
            "value": "float64",
            "censored": "bool",
            "value_low": "float64",
            "value_high": "float64",
            "source_row": "int64",
        }
    )
    return finish(df, OBSERVATION_KEY, name="CORETT observations")


def _record(r: CsvRow, year: int, value: float, rel: str, ref: str, **dims: str) -> dict[str, Any]:
    f = r.fields
    return {
        "source": SOURCE,
        "iso3": f["iso3"].strip(),
        "country": f["country"].strip(),
        "year": year,
        "value": value,
        "censored": False,
        "value_low": value,
        "value_high": value,
        "value_text": f["value_text"],
        "source_file": rel,
        "source_row": r.line,
        "source_ref": ref,
        "correction": "",
        **dims,
    }


def read_corett_victims(path: Path, rel: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read Chart 3 (identified victims by country, 2017-2019) into tidy observations.

    Parameters
    ----------
    path
        ``raw/corett_chart3_victims.csv`` (or a file with the same columns).
    rel
        Its name relative to the data folder, used in ``source_file`` and in problems.

    Returns
    -------
    observations, problems
        One observation per row: ``source`` CORETT, indicator "Detected trafficking victims",
        dimension/category/sex/age "Total", unit "Counts"; the published Total rows as ``iso3``
        ``CORETT``. ``source_row`` is the CSV line (header = 1). Rows with a problem are left out.
        Problems: unknown ISO3, year not an integer, value_text not a count, value differing from
        value_text, a repeated (iso3, year), and a published Total that differs from the sum of the
        member rows of its year.

    Raises
    ------
    DataError
        When the file cannot be read as a table (see :func:`read_csv_rows`).

    Examples
    --------
    >>> from corett_lib.core import paths
    >>> df, problems = read_corett_victims(paths.raw_path("corett_victims"), "raw/corett_chart3_victims.csv")
    >>> int(df.query("iso3 == 'GTM' and year == 2019")["value"].iloc[0]), problems
    (434, [])
    """
    rows = read_csv_rows(path, rel, VICTIMS_COLUMNS, table="observations")[1]
    problems: list[Problem] = []
    bad, years = _check_common(rows, rel, problems)
    parsed: dict[int, float] = {}
    not_count = []
    for r in rows:
        n = parse_count(r.fields["value_text"])
        if n is None:
            not_count.append(r)
        else:
            parsed[r.line] = float(n)
    _flag(
        not_count,
        problems,
        bad,
        rel,
        "value_numeric",
        f"{len(not_count)} row(s) have a value_text that is not a whole number "
        "(digits, optionally with comma thousands separators)",
        "value_text",
        "Chart 3 publishes counts of identified victims",
        [r.fields["value_text"] for r in not_count][:5],
    )
    bad |= _value_matches(rows, parsed, rel, problems)
    bad |= _duplicates(rows, ("iso3", "year"), rel, problems, bad)
    good = [r for r in rows if r.line not in bad]
    _check_totals(good, years, parsed, rel, problems)
    records = [
        _record(
            r,
            years[r.line],
            parsed[r.line],
            rel,
            VICTIMS_REF,
            indicator=VICTIMS_INDICATOR,
            dimension="Total",
            category="Total",
            sex="Total",
            age="Total",
            unit="Counts",
        )
        for r in good
    ]
    return _frame(records), problems


def _check_totals(
    rows: list[CsvRow],
    years: dict[int, int],
    parsed: dict[int, float],
    rel: str,
    problems: list[Problem],
) -> None:
    """Add a problem for every year whose published Total differs from the sum of its member rows."""
    sums: dict[int, float] = {}
    totals: dict[int, CsvRow] = {}
    for r in rows:
        y = years[r.line]
        if r.fields["iso3"].strip() == REGION_CODE:
            totals[y] = r
        else:
            sums[y] = sums.get(y, 0.0) + parsed[r.line]
    for y, r in sorted(totals.items()):
        if sums.get(y, 0.0) != parsed[r.line]:
            problems.append(
                _problem(
                    rel,
                    "published_total_matches_sum",
                    f"the published Total for {y} ({parsed[r.line]:,.0f}) differs from the sum of "
                    f"the member rows ({sums.get(y, 0.0):,.0f})",
                    (r.line,),
                    "value",
                    "in the document each Total equals the sum of the nine countries; a difference "
                    "means a transcription error",
                    (r.fields["value_text"],),
                )
            )


def read_corett_composition(path: Path, rel: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read the 2019 regional breakdowns (text after Chart 3) into tidy observations.

    Parameters
    ----------
    path
        ``raw/corett_2019_composition.csv`` (or a file with the same columns).
    rel
        Its name relative to the data folder, used in ``source_file`` and in problems.

    Returns
    -------
    observations, problems
        One observation per row, with the indicator, dimension, category, sex, age and unit given in
        the file (see the module docstring for the mapping). Shares have unit "Percent" and are kept as
        published (they do not add to 100); the repatriation count has unit "Counts". Rows with a
        problem are left out. Problems: unknown ISO3, year not an integer, a disaggregation or unit
        outside the schema's vocabulary, value_text not a percentage (Percent) or whole number
        (Counts), a percentage outside 0-100, value differing from value_text, a repeated key.

    Raises
    ------
    DataError
        When the file cannot be read as a table (see :func:`read_csv_rows`).

    Examples
    --------
    >>> from corett_lib.core import paths
    >>> df, _ = read_corett_composition(paths.raw_path("corett_composition"), "raw/corett_2019_composition.csv")
    >>> float(df.query("indicator == 'Repatriated victims' and unit == 'Counts'")["value"].iloc[0])
    110.0
    """
    rows = read_csv_rows(path, rel, COMPOSITION_COLUMNS, table="observations")[1]
    problems: list[Problem] = []
    bad, years = _check_common(rows, rel, problems)
    vocab = {
        "dimension": DIMENSIONS,
        "sex": SEXES,
        "age": AGES,
        "unit": UNITS,
    }
    for column, allowed in vocab.items():
        off = [r for r in rows if r.fields[column].strip() not in allowed]
        _flag(
            off,
            problems,
            bad,
            rel,
            f"{column}_in_vocabulary",
            f"{len(off)} row(s) have a {column} outside {', '.join(allowed)}",
            column,
            "the tidy observation table uses one vocabulary for every source",
            sorted({r.fields[column] for r in off})[:5],
        )
    for column in ("indicator", "category"):
        empty = [r for r in rows if not r.fields[column].strip()]
        _flag(
            empty,
            problems,
            bad,
            rel,
            f"{column}_present",
            f"{len(empty)} row(s) have an empty {column}",
            column,
            "every observation names what it measures",
        )
    parsed: dict[int, float] = {}
    not_number, out_of_range = [], []
    for r in rows:
        unit = r.fields["unit"].strip()
        if unit == "Percent":
            p = parse_percent(r.fields["value_text"])
            if p is None:
                not_number.append(r)
            elif not 0 <= p <= 100:
                out_of_range.append(r)
            else:
                parsed[r.line] = p
        elif unit == "Counts":
            n = parse_count(r.fields["value_text"])
            if n is None:
                not_number.append(r)
            else:
                parsed[r.line] = float(n)
    _flag(
        not_number,
        problems,
        bad,
        rel,
        "value_numeric",
        f"{len(not_number)} row(s) have a value_text that is not a percentage "
        "('12%', '48 percent') for unit Percent, or a whole number for unit Counts",
        "value_text",
        "the published figure must be read as a number of the row's unit",
        [r.fields["value_text"] for r in not_number][:5],
    )
    _flag(
        out_of_range,
        problems,
        bad,
        rel,
        "percent_in_range",
        f"{len(out_of_range)} row(s) have a percentage outside 0-100",
        "value_text",
        "a share of a total lies between 0 and 100 percent",
        [r.fields["value_text"] for r in out_of_range][:5],
    )
    bad |= _value_matches(rows, parsed, rel, problems)
    key = ("iso3", "year", "indicator", "dimension", "category", "sex", "age", "unit")
    bad |= _duplicates(rows, key, rel, problems, bad)
    records = [
        _record(
            r,
            years[r.line],
            parsed[r.line],
            rel,
            COMPOSITION_REF,
            **{c: r.fields[c].strip() for c in key[2:]},
        )
        for r in rows
        if r.line not in bad
    ]
    return _frame(records), problems
