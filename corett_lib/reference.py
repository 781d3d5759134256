"""Reference tables: population, SDG texts, country names; and :func:`country_name`.

Each loader reads one UTF-8 CSV of ``data/raw`` and returns ``(DataFrame, problems)``. A file that
cannot be used at all (empty, not UTF-8, required columns missing) raises
:class:`~corett_lib.problems.DataError` naming the file, the byte position or the column; a bad cell
(non-numeric population, non-integer year) is a problem naming its CSV line and column, and that row
is left out of the table (reported, never silently).

Text is normalized to Unicode NFC (composed accents) on reading: the shipped ``sdg_targets.csv`` has
148 cells with decomposed accents (``Nu\u0301mero``); the characters shown are the same, but without
normalization they would not compare equal to the same words typed elsewhere.
"""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from corett_lib.problems import DataError, Problem

if TYPE_CHECKING:
    import pandas as pd

POPULATION_COLUMNS = ("iso3", "year", "population", "source")
SDG_COLUMNS = ("level", "code", "title_en", "title_es")
COUNTRY_COLUMNS = ("iso3", "iso2", "numeric", "name_en", "name_es")


def _error(rel: str, table: str, check: str, message: str, why: str, **kw: object) -> Problem:
    return Problem("error", check, rel, message, why=why, table=table, **kw)  # type: ignore[arg-type]


def _read_csv(
    path: Path, rel: str, table: str, required: Sequence[str]
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a UTF-8 CSV as text (every cell a string, index = CSV line); raise for an unusable file."""
    import pandas as pd

    raw = Path(path).read_bytes()
    if not raw.strip():
        raise DataError(
            [
                _error(
                    rel,
                    table,
                    "file_empty",
                    "the file is empty (no header row)",
                    "a reference table needs its header and rows",
                )
            ]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.start + 1].hex()
        raise DataError(
            [
                _error(
                    rel,
                    table,
                    "file_encoding",
                    f"not UTF-8 text: byte 0x{bad} at byte offset {exc.start} (line {line}) is "
                    "invalid; save the file as UTF-8 (it looks like Latin-1/Windows-1252)",
                    "names with accents (Panamá, Belice) must survive every step unchanged",
                    sample=(bad,),
                )
            ]
        ) from None
    # Composed (NFC) text: sdg_targets.csv ships decomposed accents (u + U+0301), which look the same
    # but do not compare equal to the same word typed in a notebook or a translation catalogue.
    text = unicodedata.normalize("NFC", text)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [c.strip() for c in next(reader)]
    records: list[list[str]] = []
    lines: list[int] = []
    ragged: list[int] = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue  # a blank line carries nothing
        if len(row) != len(header):
            ragged.append(reader.line_num)
            continue
        records.append(row)
        lines.append(reader.line_num)
    df = pd.DataFrame(records, columns=header, dtype=object)
    df.index = pd.Index(lines, dtype="int64")
    missing = [c for c in required if c not in df.columns]
    if missing:
        lines = text.splitlines()
        found = next(
            (
                i + 1
                for i, line in enumerate(lines[:10])
                if all(c in [x.strip() for x in line.split(",")] for c in required)
            ),
            None,
        )
        hint = (
            f"; the header was found on line {found} instead (extra title lines?)" if found else ""
        )
        raise DataError(
            [
                _error(
                    rel,
                    table,
                    "column_missing",
                    f"required column {name!r} is missing from the header on line 1{hint}",
                    "the loaders address columns by name",
                    rows=(1,),
                    column=name,
                )
                for name in missing
            ]
        )
    problems: list[Problem] = []
    if ragged:
        problems.append(
            _error(
                rel,
                table,
                "row_width",
                f"{len(ragged)} line(s) do not have the {len(header)} fields of the header; "
                "they are left out",
                "a line with too many or too few fields has its values in the wrong columns",
                rows=tuple(ragged),
            )
        )
    if df.empty:
        empty = _error(
            rel,
            table,
            "file_empty",
            "the file has a header but no data rows",
            "a reference table needs its rows",
        )
        raise DataError([empty, *problems])
    return df, problems


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
            _error(
                rel,
                table,
                "value_not_numeric",
                f"{len(lines)} value(s) of {col} are not {'whole ' if integer else ''}numbers: "
                + ", ".join(repr(s) for s in sample)
                + "; the row(s) are left out",
                why,
                rows=lines,
                column=col,
                sample=sample,
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
    >>> from corett_lib import paths
    >>> pop, _ = read_population(paths.raw_path("population"), "raw/population.csv")
    >>> int(pop.query("iso3 == 'GTM' and year == 2019")["population"].iloc[0]) > 16_000_000
    True
    """
    import numpy as np

    table = "population"
    df, problems = _read_csv(path, rel, table, POPULATION_COLUMNS)
    why = "rates per 100,000 divide by the population of the country and year"
    year, p1 = _numeric(df, "year", rel, table, integer=True, why=why)
    pop, p2 = _numeric(df, "population", rel, table, integer=False, why=why)
    problems += p1 + p2
    keep = year.notna() & pop.notna()
    out = df.loc[keep, list(POPULATION_COLUMNS)].copy()
    out["year"] = year[keep].astype(np.int64)
    out["population"] = pop[keep].astype(np.float64)
    out["source_file"] = rel
    out["source_row"] = out.index.astype(np.int64)
    return out.reset_index(drop=True), problems


def read_sdg(path: Path, rel: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``sdg_targets.csv``: ``level, code, title_en, title_es`` (all text).

    Raises
    ------
    DataError
        Empty file, not UTF-8, or a required column missing.
    """
    import numpy as np

    df, problems = _read_csv(path, rel, "sdg", SDG_COLUMNS)
    out = df.copy()
    out["source_file"] = rel
    out["source_row"] = out.index.astype(np.int64)
    return out.reset_index(drop=True), problems


def read_countries(path: Path, rel: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``countries_corett.csv``: ``iso3, iso2, numeric, name_en, name_es`` (+ official names).

    Every column stays text (``numeric`` keeps its leading zeros: ``084``).

    Raises
    ------
    DataError
        Empty file, not UTF-8, or a required column missing.
    """
    import numpy as np

    df, problems = _read_csv(path, rel, "countries", COUNTRY_COLUMNS)
    out = df.copy()
    out["source_file"] = rel
    out["source_row"] = out.index.astype(np.int64)
    return out.reset_index(drop=True), problems


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

    ``CORETT`` (the regional code of :func:`corett_lib.config.coalition`) gives the coalition's name.
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
    from corett_lib import config, paths

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
