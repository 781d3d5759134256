"""Reference tables: population, SDG texts, country names; and :func:`country_name`.

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

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from corett_lib.core import config, paths
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
    """Read ``population.csv``: ``iso3, year, population, source``.

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
    >>> pop, _ = read_population(paths.raw_path("population"), "raw/population.csv")
    >>> int(pop.query("iso3 == 'GTM' and year == 2019")["population"].iloc[0]) > 16_000_000
    True
    """
    import numpy as np

    table = "population"
    df, problems = read_csv_frame(path, rel, POPULATION_COLUMNS, table=table)
    why = "rates per 100,000 divide by the population of the country and year"
    year, p1 = _numeric(df, "year", rel, table, integer=True, why=why)
    pop, p2 = _numeric(df, "population", rel, table, integer=False, why=why)
    problems += p1 + p2
    keep = year.notna() & pop.notna()
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


def read_countries(path: Path, rel: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``countries_corett.csv``: ``iso3, iso2, numeric, name_en, name_es`` (+ official names).

    Every column stays text (``numeric`` keeps its leading zeros: ``084``).

    Raises
    ------
    DataError
        Empty file, not UTF-8, or a required column missing.
    """
    df, problems = read_csv_frame(path, rel, COUNTRY_COLUMNS, table="countries")
    return _with_source(df, rel), problems


@lru_cache(maxsize=4)
def _shipped_names(path: str) -> dict[str, tuple[str, str]]:
    df, _ = read_countries(Path(path), "raw/countries_corett.csv")
    return {r.iso3: (r.name_en, r.name_es) for r in df.itertuples()}


def country_name(
    iso3: str,
    lang: str = "en",
    countries: pd.DataFrame | None = None,
    data: str | os.PathLike[str] | None = None,
) -> str:
    """Return the display name of ``iso3`` in ``lang`` (``"en"`` or ``"es"``).

    ``CORETT`` (the regional code of :func:`corett_lib.core.config.coalition`) gives the coalition's name.
    Other codes are looked up in ``countries`` (default: the data folder's ``countries_corett.csv``),
    then in pycountry (with its Spanish translation for ``es``).

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
    coalition = config.coalition()
    if iso3 == coalition.region_code:
        return coalition.name_en if lang == "en" else coalition.name_es
    if countries is not None:
        names = {r.iso3: (r.name_en, r.name_es) for r in countries.itertuples()}
    else:
        path = paths.raw_path("countries", data)
        names = _shipped_names(str(path)) if path.is_file() else {}
    if iso3 in names:
        return names[iso3][0 if lang == "en" else 1]
    import pycountry

    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        raise KeyError(f"unknown ISO 3166-1 alpha-3 code {iso3!r}")
    if lang == "en":
        return str(country.name)
    import gettext

    es = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"], fallback=True)
    return es.gettext(country.name)
