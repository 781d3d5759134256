"""Reference tables: population, SDG texts, country names; and :func:`country_name`.

Country names are not a file: :func:`country_table` takes them, in English and Spanish, from
pycountry (Debian iso-codes and its Spanish translation; the common name where there is one, e.g.
"Bolivia"), for any ISO 3166-1 code, so a country joins the coalition by configuration alone.
The population (World Bank WDI, ``raw/population_all.csv``) covers every country; its aggregate
codes (``WLD``, ``LCN``, ...) are not countries and are left out on reading.

Each loader reads one UTF-8 CSV of ``data/raw`` (with :func:`corett_lib.raw.csvio.read_csv_frame`) and
returns ``(DataFrame, problems)``. A file that
cannot be used at all (empty, not UTF-8, required columns missing) raises
:class:`~corett_lib.core.problems.DataError` naming the file, the byte position or the column; a bad cell
(non-numeric population, non-integer year) is a problem naming its CSV line and column, and that row
is left out of the table (reported, never silently).

Text is normalized to Unicode NFC (composed accents) on reading: the shipped ``sdg_targets.csv`` has
148 cells with decomposed accents (``Nu\u0301mero``); the characters shown are the same, but without
normalization they would not compare equal to the same words typed elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from corett_lib.core import i18n
from corett_lib.core.problems import Problem
from corett_lib.raw.csvio import error, read_csv_frame

if TYPE_CHECKING:
    import pandas as pd

POPULATION_COLUMNS = ("iso3", "year", "population", "source")
SDG_COLUMNS = ("level", "code", "title_en", "title_es")
COUNTRY_COLUMNS = ("iso3", "iso2", "numeric", "name_en", "name_es")


def _with_source(df: pd.DataFrame, rel: str) -> pd.DataFrame:
    """Return ``df`` (indexed by CSV line) with ``source_file`` and ``source_row``, index reset."""
    import numpy as np

    out = df.copy()
    out["source_file"] = rel
    out["source_row"] = out.index.astype(np.int64)
    return out.reset_index(drop=True)


def _numeric(
    df: pd.DataFrame, col: str, rel: str, table: str, *, integer: bool, why: str
) -> tuple[pd.Series, list[Problem]]:
    """Return ``df[col]`` parsed as numbers and a problem naming the CSV lines that are not."""
    import pandas as pd

    text = df[col].str.strip().str.replace(",", "", regex=False)
    pattern = r"-?\d+" if integer else r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"
    ok = text.str.fullmatch(pattern)
    values = pd.to_numeric(text.where(ok), errors="coerce")
    problems = []
    if not ok.all():
        lines = tuple(int(i) for i in df.index[~ok])  # the index is the CSV line
        sample = tuple(dict.fromkeys(df.loc[~ok, col]))[:5]
        problems.append(
            error(
                rel,
                "value_not_numeric",
                f"{len(lines)} value(s) of {col} are not {'whole ' if integer else ''}numbers: "
                + ", ".join(repr(s) for s in sample)
                + "; the row(s) are left out",
                lines,
                col,
                why,
                sample,
                table=table,
            )
        )
    return values, problems


def read_population(path: Path, rel: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``population_all.csv``: ``iso3, year, population, source``.

    Rows of World Bank aggregate codes (not ISO 3166-1 countries: ``WLD``, ``LCN``, ...) are left
    out, so that no aggregate is ever taken for a country.

    Returns
    -------
    population
        ``iso3`` (str), ``year`` (int64), ``population`` (float64), ``source`` (str), plus
        ``source_file`` and ``source_row`` (CSV line).
    problems
        ``value_not_numeric`` per column with bad cells (naming lines); those rows are left out.

    Raises
    ------
    DataError
        Empty file, not UTF-8, or a required column missing.

    Examples
    --------
    >>> from corett_lib.core import paths
    >>> pop, _ = read_population(paths.raw_path("population"), "raw/population_all.csv")
    >>> int(pop.query("iso3 == 'GTM' and year == 2019")["population"].iloc[0]) > 16_000_000
    True
    >>> "WLD" in set(pop["iso3"]), pop["iso3"].nunique() > 200
    (False, True)
    """
    import numpy as np

    table = "population"
    df, problems = read_csv_frame(path, rel, POPULATION_COLUMNS, table=table)
    why = "rates per 100,000 divide by the population of the country and year"
    year, p1 = _numeric(df, "year", rel, table, integer=True, why=why)
    pop, p2 = _numeric(df, "population", rel, table, integer=False, why=why)
    problems += p1 + p2
    keep = year.notna() & pop.notna() & df["iso3"].str.strip().isin(iso3_codes())
    out = df.loc[keep, list(POPULATION_COLUMNS)].copy()
    out["year"] = year[keep].astype(np.int64)
    out["population"] = pop[keep].astype(np.float64)
    return _with_source(out, rel), problems


def read_sdg(path: Path, rel: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``sdg_targets.csv``: ``level, code, title_en, title_es`` (all text).

    Raises
    ------
    DataError
        Empty file, not UTF-8, or a required column missing.
    """
    df, problems = read_csv_frame(path, rel, SDG_COLUMNS, table="sdg")
    return _with_source(df, rel), problems


@lru_cache(maxsize=1)
def iso3_codes() -> frozenset[str]:
    """Return every ISO 3166-1 alpha-3 code (pycountry)."""
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries)


@lru_cache(maxsize=512)
def _names(iso3: str) -> tuple[str, str, str, str] | None:
    """Return (iso2, numeric, English name, Spanish name) of ``iso3``, or None for an unknown code.

    The names are the ones every page shows (:func:`corett_lib.core.i18n.country_name`: pycountry's
    common name and its Spanish translation).
    """
    import pycountry

    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        return None
    en, es = i18n.country_name(iso3, "en"), i18n.country_name(iso3, "es")
    return str(country.alpha_2), str(country.numeric), en, es


def country_table(codes: Iterable[str]) -> pd.DataFrame:
    """Return the names of ``codes`` in English and Spanish, from pycountry.

    Parameters
    ----------
    codes
        ISO 3166-1 alpha-3 codes; codes pycountry does not know (e.g. the regional code, an empty
        code) are left out (the observations' suite reports unknown codes).

    Returns
    -------
    pandas.DataFrame
        :data:`COUNTRY_COLUMNS` plus ``source``, one row per known code, sorted by code.

    Examples
    --------
    >>> country_table(["PAN", "COL", "CORETT", "BOL"])[["iso3", "name_en", "name_es"]].values.tolist()
    [['BOL', 'Bolivia', 'Bolivia'], ['COL', 'Colombia', 'Colombia'], ['PAN', 'Panama', 'Panamá']]
    """
    import pandas as pd

    source = f"pycountry {_pycountry_version()} (Debian iso-codes; LGPL-2.1-only)"
    rows = []
    for code in sorted({str(c) for c in codes}):
        found = _names(code)
        if found is not None:
            rows.append((code, *found, source))
    return pd.DataFrame(rows, columns=[*COUNTRY_COLUMNS, "source"])


@lru_cache(maxsize=1)
def _pycountry_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pycountry")
    except PackageNotFoundError:
        return "?"


def country_name(iso3: str, lang: str = "en", countries: pd.DataFrame | None = None) -> str:
    """Return the display name of ``iso3`` in ``lang`` (``"en"`` or ``"es"``).

    ``CORETT`` (the regional code of :func:`corett_lib.core.config.coalition`) gives the coalition's name.
    Other codes are looked up in ``countries`` (a table of :func:`country_table`) when given, else
    in pycountry (:func:`corett_lib.core.i18n.country_name`).

    Raises
    ------
    KeyError
        For an unknown code or language.

    Examples
    --------
    >>> country_name("PAN", "es")
    'Panamá'
    >>> country_name("CORETT", "en")
    'Regional Coalition against Trafficking in Persons and Smuggling of Migrants'
    """
    if lang not in ("en", "es"):
        raise KeyError(f"unknown language {lang!r}; known: en, es")
    if countries is not None and iso3 in set(countries["iso3"]):
        row = countries.loc[countries["iso3"] == iso3].iloc[0]
        return str(row["name_en"] if lang == "en" else row["name_es"])
    return i18n.country_name(iso3, lang)
