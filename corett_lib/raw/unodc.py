"""UNODC GLOTIP: the dataUNODC export of the Global Report on Trafficking in Persons data.

:func:`read_glotip` reads the workbook as UNODC publishes it into the tidy observation table
(:mod:`corett_lib.core.schema`); :func:`apply_duplicate_rule` applies the declared rule for keys that
repeat.

The export's quirks, all handled here (see ``SOURCES.md``):

* two title rows (``UNODC`` + a hyperlink formula, then the date), the header on row 3, data from
  row 4 (``source_row`` is the Excel row number a person sees);
* wrong declared sheet dimensions and a missing drawing part: the workbook is read with
  ``python-calamine``, which ignores both (openpyxl's normal mode fails; its read-only mode with
  ``reset_dimensions`` gives the same cells, 10x slower);
* values are text: ``2,015`` is 2015, ``<5`` is censored (value NaN, bounds 1-4);
* formula cells are never evaluated: their formula text replaces the cached value, so a formula in
  ``txtVALUE`` is reported as not a number and one in a text column reaches validation as text;
* U+FFFD replacement characters in some category names are kept verbatim and reported once as a
  warning (repairing them would be a guess; they never make or hide a repeated key).

The parsed table is cached (:mod:`corett_lib.core.cache`), keyed by the file's sha256, its name,
:data:`PARSER_VERSION` and the parser's code, and checked for integrity before it is reused.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corett_lib.core import cache, schema
from corett_lib.core import problems as problem_types
from corett_lib.core.problems import DataError, Problem
from corett_lib.core.schema import CENSORED_BOUNDS, OBSERVATION_COLUMNS, OBSERVATION_KEY
from corett_lib.raw.corrections import Correction
from corett_lib.raw.provenance import sha256_file

if TYPE_CHECKING:
    import pandas as pd


#: Bump when the parsing changes, so cached tables of the old parser are not reused.
PARSER_VERSION = "3"

TABLE = "glotip"
SOURCE = "UNODC"
SOURCE_REF = "UNODC GLOTIP (dataUNODC export of 14 April 2025)"

#: The export's header row (1-based) and its expected column names.
HEADER_ROW = 3
HEADER: tuple[str, ...] = (
    "Iso3_code",
    "Country",
    "Region",
    "Subregion",
    "Indicator",
    "Dimension",
    "Category",
    "Sex",
    "Age",
    "Year",
    "Unit of measurement",
    "txtVALUE",
    "Source",
)
#: Header column -> observation column, for the columns the workbench needs (all required).
REQUIRED: dict[str, str] = {
    "Iso3_code": "iso3",
    "Country": "country",
    "Indicator": "indicator",
    "Dimension": "dimension",
    "Category": "category",
    "Sex": "sex",
    "Age": "age",
    "Year": "year",
    "Unit of measurement": "unit",
    "txtVALUE": "value_text",
}
#: How many leading rows are searched for a misplaced header.
HEADER_SEARCH_ROWS = 10

VALUE_COLUMN = "txtVALUE"
_NUMBER = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_CELL_FORMULA = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*>\s*<f[^>]*>([^<]*)</f>')
_REPLACEMENT = "\ufffd"

WHY_NUMERIC = (
    "txtVALUE holds a count as published: digits (with thousands commas) or <5 for a suppressed "
    "small count; anything else cannot be used in a figure"
)
WHY_UNREADABLE = "the UNODC export is the source of every UNODC figure in the reports"


def _problem(rel: str, check: str, message: str, why: str, **kw: Any) -> Problem:
    return Problem("error", check, rel, message, why=why, table=TABLE, **kw)


# Reading the workbook ------------------------------------------------------------------------


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _open_checks(path: Path, rel: str) -> None:
    """Raise :class:`DataError` for a file that is empty or not an xlsx (ZIP) archive."""
    if not path.is_file():
        raise DataError([_problem(rel, "file_missing", "the file does not exist", WHY_UNREADABLE)])
    size = path.stat().st_size
    if size == 0:
        raise DataError(
            [_problem(rel, "file_empty", "the file is empty (0 bytes)", WHY_UNREADABLE)]
        )
    if not zipfile.is_zipfile(path):
        with path.open("rb") as fh:
            head = fh.read(64)
        looks = (
            "it looks like a text/CSV file renamed .xlsx"
            if head and all(32 <= b < 127 or b in (9, 10, 13) for b in head)
            else "it may be truncated or damaged"
        )
        raise DataError(
            [
                _problem(
                    rel,
                    "file_unreadable",
                    f"not an xlsx workbook (an xlsx file is a ZIP archive; {looks}); "
                    "download the export again",
                    WHY_UNREADABLE,
                )
            ]
        )


def _read_cells(path: Path, rel: str) -> list[list[Any]]:
    """Return the first sheet's cells (rows of values) with formula cells replaced by their text."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        rows = [list(r) for r in book.get_sheet_by_index(0).to_python(skip_empty_area=False)]
        sheet_xml = _first_sheet_xml(path)
    except (CalamineError, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise DataError(
            [
                _problem(
                    rel,
                    "file_unreadable",
                    f"the xlsx workbook cannot be read ({type(exc).__name__}: {exc})",
                    WHY_UNREADABLE,
                )
            ]
        ) from None
    if b"<f" in sheet_xml:
        for col, row, formula in _CELL_FORMULA.findall(sheet_xml):
            r, c = int(row) - 1, _column_index(col.decode())
            text = unescape(formula.decode("utf-8", "replace"))
            if r < len(rows) and c < len(rows[r]):
                rows[r][c] = text if text.startswith("=") else f"={text}"
    return rows


def _first_sheet_xml(path: Path) -> bytes:
    """Return the XML of the workbook's first worksheet (to find formula cells)."""
    with zipfile.ZipFile(path) as z:
        names = sorted(
            (n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
            key=lambda n: int(re.sub(r"\D", "", n)),
        )
        return z.read(names[0]) if names else b""


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _find_header(rows: list[list[Any]], rel: str) -> int:
    """Return the 0-based index of the header row; raise :class:`DataError` naming what is wrong."""
    expected = list(HEADER)
    i = HEADER_ROW - 1
    at = [_text(v).strip() for v in rows[i]] if len(rows) > i else []
    missing = [c for c in REQUIRED if c not in at]
    if not missing:
        return i
    found = None
    for j, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = {_text(v).strip() for v in row}
        if j != i and all(c in cells for c in REQUIRED):
            found = j
            break
    if found is not None or len([c for c in expected if c in at]) < len(expected) // 2:
        where = (
            f"the header was found on row {found + 1} instead (extra or missing title rows?)"
            if found is not None
            else f"no header row was found in the first {HEADER_SEARCH_ROWS} rows"
        )
        shown = ", ".join(repr(_text(v)) for v in rows[i][:4]) if len(rows) > i else "nothing"
        raise DataError(
            [
                _problem(
                    rel,
                    "column_missing",
                    f"row {HEADER_ROW} should be the header ({', '.join(expected[:3])}, ...) but "
                    f"holds {shown}; {where}; required column {missing[0]!r} not found",
                    "the export's layout is 2 title rows and the header on row 3; a different "
                    "layout means a different export, which must be checked before use",
                    rows=(HEADER_ROW,),
                    column=missing[0],
                )
            ]
        )
    unexpected = [c for c in at if c and c not in expected]
    hint = f"; unexpected header(s) {unexpected} (renamed?)" if unexpected else ""
    raise DataError(
        [
            _problem(
                rel,
                "column_missing",
                f"required column {name!r} is missing from the header on row {HEADER_ROW}{hint}",
                "the loader addresses the export's columns by name",
                rows=(HEADER_ROW,),
                column=name,
            )
            for name in missing
        ]
    )


def _parse(
    rows: list[list[Any]], header_index: int, rel: str
) -> tuple[pd.DataFrame, list[Problem]]:
    import numpy as np
    import pandas as pd

    header = [_text(v).strip() for v in rows[header_index]]
    pos = {name: header.index(name) for name in REQUIRED}
    problems: list[Problem] = []
    absent = [c for c in HEADER if c not in header and c not in REQUIRED]
    if absent:
        problems.append(
            Problem(
                "warning",
                "column_missing",
                rel,
                f"optional column(s) {absent} missing from the header (not used by the workbench)",
                rows=(header_index + 1,),
                column=absent[0],
                why="a change of layout may mean a new edition of the export",
                table=TABLE,
            )
        )
    width = max(len(header), *(pos[name] + 1 for name in REQUIRED))
    excel_rows: list[int] = []
    kept: list[list[Any]] = []
    for offset, row in enumerate(rows[header_index + 1 :]):
        if not any(v not in (None, "") for v in row):
            continue  # a blank row carries nothing
        excel_rows.append(header_index + 2 + offset)
        kept.append(row if len(row) == width else (list(row) + [None] * width)[:width])
    columns = list(zip(*kept, strict=True)) if kept else [()] * width
    data: dict[str, list[Any]] = {col: list(columns[pos[name]]) for name, col in REQUIRED.items()}
    if not excel_rows:
        raise DataError(
            [_problem(rel, "file_empty", "the sheet has a header but no data rows", WHY_UNREADABLE)]
        )
    n = len(excel_rows)
    src_rows = np.asarray(excel_rows, dtype="int64")

    # Year: integer (the export stores it as a number; text is accepted if it is an integer).
    years = np.zeros(n, dtype="int64")
    bad_year: list[int] = []
    bad_year_text: list[str] = []
    for k, v in enumerate(data["year"]):
        if type(v) is float and v.is_integer() and 0 <= v < 10_000:
            years[k] = int(v)
            continue
        t = _text(v).strip()
        if re.fullmatch(r"\d{1,4}", t):
            years[k] = int(t)
        else:
            bad_year.append(k)
            bad_year_text.append(t)
    # Values: digits with thousands commas, or "<5"; anything else is reported.
    texts = [v if type(v) is str else _text(v) for v in data["value_text"]]
    value = np.full(n, np.nan)
    low = np.full(n, np.nan)
    high = np.full(n, np.nan)
    censored = np.zeros(n, dtype=bool)
    bad_value: list[int] = []
    formula_value: list[int] = []
    for k, t in enumerate(texts):
        s = t.strip()
        if s in CENSORED_BOUNDS:
            censored[k] = True
            low[k], high[k] = CENSORED_BOUNDS[s]
        elif _NUMBER.match(s):
            value[k] = low[k] = high[k] = float(s.replace(",", ""))
        elif s.startswith("="):
            formula_value.append(k)
        else:
            bad_value.append(k)
    # A value that cannot be read is a problem of that figure only: one problem per country-year,
    # scoped to it (the figure is withheld; the other figures and reports are unaffected).
    iso3_text = [_text(v).strip() for v in data["iso3"]]
    bad_years = set(bad_year)
    for found, message, why in (
        (bad_value, "value(s) are neither a number nor <5: ", WHY_NUMERIC),
        (
            formula_value,
            "value(s) are spreadsheet formulas, kept as text and not evaluated: ",
            WHY_NUMERIC + "; a formula is never run by the workbench",
        ),
    ):
        groups: dict[tuple[str, int | None], list[int]] = {}
        for k in found:
            year_k = None if k in bad_years else int(years[k])
            groups.setdefault((iso3_text[k], year_k), []).append(k)
        for (iso3_k, year_k), ks in groups.items():
            sample = tuple(dict.fromkeys(texts[k] for k in ks))[:5]
            where = f"{iso3_k} {year_k}: " if iso3_k and year_k is not None else ""
            problems.append(
                _problem(
                    rel,
                    "value_not_numeric",
                    f"{where}{len(ks)} {message}" + ", ".join(repr(t) for t in sample),
                    why,
                    rows=tuple(int(src_rows[k]) for k in ks),
                    column=VALUE_COLUMN,
                    sample=sample,
                    iso3=iso3_k or None if year_k is not None else None,
                    year=year_k if iso3_k else None,
                )
            )
    if bad_year:
        problems.append(
            _problem(
                rel,
                "year_not_integer",
                f"{len(bad_year)} row(s) have a Year that is not a whole number "
                f"({', '.join(repr(t) for t in dict.fromkeys(bad_year_text))}); "
                "they are left out of the table",
                "every figure is for one calendar year",
                rows=tuple(int(src_rows[k]) for k in bad_year),
                column="Year",
                sample=tuple(dict.fromkeys(bad_year_text))[:5],
            )
        )

    def text_col(col: str) -> list[str]:
        return [v if type(v) is str else _text(v) for v in data[col]]

    df = pd.DataFrame(
        {
            "source": SOURCE,
            "iso3": text_col("iso3"),
            "country": text_col("country"),
            "year": years,
            "indicator": text_col("indicator"),
            "dimension": text_col("dimension"),
            "category": text_col("category"),
            "sex": text_col("sex"),
            "age": text_col("age"),
            "unit": text_col("unit"),
            "value": value,
            "censored": censored,
            "value_low": low,
            "value_high": high,
            "value_text": texts,
            "source_file": rel,
            "source_row": src_rows,
            "source_ref": SOURCE_REF,
            "correction": "",
        },
        columns=OBSERVATION_COLUMNS,
    )
    if bad_year:
        df = df.drop(index=bad_year).reset_index(drop=True)
    problems.extend(_replacement_chars(df, rel))
    blank = df["category"].str.strip() == ""
    if blank.any():
        problems.append(
            Problem(
                "warning",
                "category_empty",
                rel,
                f"{int(blank.sum())} row(s) have an empty Category (dimensions "
                f"{sorted(set(df.loc[blank, 'dimension']))}); kept, with category ''",
                rows=tuple(int(r) for r in df.loc[blank, "source_row"]),
                column="Category",
                why="a figure by citizenship or country of repatriation without its country cannot "
                "be shown by country; it still counts in totals",
                table=TABLE,
            )
        )
    return df, problems


def _replacement_chars(df: pd.DataFrame, rel: str) -> list[Problem]:
    """One warning per text column holding U+FFFD replacement characters."""
    out = []
    names = {v: k for k, v in REQUIRED.items()}
    for col in ("country", "category", "indicator", "dimension"):
        hit = df[col].str.contains(_REPLACEMENT, regex=False)
        if hit.any():
            sample = tuple(dict.fromkeys(df.loc[hit, col]))[:5]
            out.append(
                Problem(
                    "warning",
                    "text_replacement_character",
                    rel,
                    f"{int(hit.sum())} row(s) contain U+FFFD (a character lost in UNODC's export); "
                    "kept verbatim",
                    rows=tuple(int(r) for r in df.loc[hit, "source_row"]),
                    column=names[col],
                    why="the original character cannot be recovered with certainty; names shown "
                    "in reports may contain a replacement mark",
                    sample=sample,
                    table=TABLE,
                )
            )
    return out


# Cache ---------------------------------------------------------------------------------------


_STORE = cache.Store("unodc", keep=4)


def _cache_key(sha: str, rel: str) -> dict[str, Any]:
    """Return everything the parsed table depends on.

    The file's bytes, its name in problems, the parser (its version and code) and the observation
    schema.
    """
    return {
        "table": "glotip",
        "sha256": sha,
        "rel": rel,
        "parser": PARSER_VERSION,
        "code": cache.code_digest(__file__, schema.__file__, problem_types.__file__),
    }


def _cache_read(sha: str, rel: str) -> tuple[pd.DataFrame, list[Problem]] | None:
    entry = _STORE.get(_cache_key(sha, rel), "glotip")
    if entry is None or list(entry.frames.get("observations", [])) != OBSERVATION_COLUMNS:
        return None
    return entry.frames["observations"], [Problem.from_dict(p) for p in entry.meta]


def _cache_write(sha: str, rel: str, df: pd.DataFrame, problems: list[Problem]) -> None:
    _STORE.put(
        _cache_key(sha, rel),
        meta=[p.to_dict() for p in problems],
        frames={"observations": df},
        prefix="glotip",
    )


def read_glotip(
    path: Path, rel: str, *, use_cache: bool = True
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read the UNODC GLOTIP export into the tidy observation table.

    Parameters
    ----------
    path
        The workbook (``raw/unodc_data_glotip.xlsx``).
    rel
        Its path relative to the data folder, used in ``source_file`` and in problems.
    use_cache
        Reuse (and write) the parsed table of :mod:`corett_lib.core.cache`, keyed by the file's
        sha256, its name, :data:`PARSER_VERSION` and the parser's code.

    Returns
    -------
    observations
        Exactly :data:`corett_lib.core.schema.OBSERVATION_COLUMNS`, one row per data row of the sheet
        (every country; repeated keys are still there: see :func:`apply_duplicate_rule`).
    problems
        Row-level problems: values neither a number nor ``<5`` (rows kept, value NaN), formulas,
        non-integer years (rows left out), U+FFFD characters (warning).

    Raises
    ------
    DataError
        When the file is empty, not an xlsx workbook, damaged, or its header is not on row 3 with
        every required column (each missing column is named).

    Examples
    --------
    >>> from corett_lib.core import paths
    >>> obs, problems = read_glotip(paths.raw_path("glotip"), "raw/unodc_data_glotip.xlsx")
    >>> len(obs), int(obs["censored"].sum())
    (58769, 29558)
    """
    path = Path(path)
    _open_checks(path, rel)
    sha = sha256_file(path)
    if use_cache:
        cached = _cache_read(sha, rel)
        if cached is not None:
            return cached
    rows = _read_cells(path, rel)
    if not rows:
        raise DataError(
            [_problem(rel, "file_empty", "the workbook's sheet is empty", WHY_UNREADABLE)]
        )
    df, problems = _parse(rows, _find_header(rows, rel), rel)
    if use_cache:
        _cache_write(sha, rel, df, problems)
    return df, problems


# The duplicate rule --------------------------------------------------------------------------

AUDIT_COLUMNS: list[str] = [
    *OBSERVATION_KEY,
    "source_file",
    "rows",
    "action",
    "values",
    "correction",
]

WHY_DUPLICATE = (
    "one key must give one figure; when the export repeats a key with different values, which one "
    "(or which sum) is meant is unknown, so none is used"
)


def _describe(key: dict[str, Any]) -> str:
    return (
        f"{key['iso3']} {key['year']} {key['indicator']} / {key['dimension']} / {key['category']}"
        f" / sex {key['sex']} / age {key['age']}"
    )


def apply_duplicate_rule(
    obs: pd.DataFrame, corrections: Sequence[Correction] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """Apply the declared rule for repeated keys (:data:`corett_lib.core.schema.OBSERVATION_KEY`).

    * Identical repeats (same ``value_text``) collapse to the first row (lowest ``source_row``).
    * Conflicting repeats (different ``value_text``) are all kept out of the table. Each is an
      error for that figure (check ``duplicate_conflict``, scoped to its country and year: the
      figure is withheld, the other figures are used) unless a declared correction of table
      ``duplicates`` names exactly its key and its repeated values; then one warning per
      correction (check ``declared_correction``) is given. A declared key that is not a conflict
      with exactly those values is an error (``correction_stale``) naming the key.

    Which row of a repeat is where in the file never matters: a re-ordered export gives the same
    table (identical repeats keep their value; the surviving ``source_row`` is the lowest).

    Parameters
    ----------
    obs
        Observations as read (e.g. by :func:`read_glotip`).
    corrections
        Declared corrections (:func:`corett_lib.raw.corrections.load_corrections`); only those with
        ``table == "duplicates"`` are used here.

    Returns
    -------
    clean
        ``obs`` with unique keys, in the original row order.
    audit
        One row per repeated key: :data:`AUDIT_COLUMNS` (``rows`` and ``values`` joined by ``|``,
        ``action`` ``collapsed`` or ``conflict``).
    problems
        As above.

    Examples
    --------
    >>> import pandas as pd
    >>> from corett_lib.core.schema import OBSERVATION_KEY
    >>> base = dict.fromkeys(OBSERVATION_KEY, "x") | {"year": 2019, "source_file": "f"}
    >>> obs = pd.DataFrame([base | {"value_text": "3", "source_row": 4},
    ...                     base | {"value_text": "3", "source_row": 5}])
    >>> clean, audit, problems = apply_duplicate_rule(obs)
    >>> len(clean), audit["action"].tolist(), problems
    (1, ['collapsed'], [])
    """
    import pandas as pd

    declared = [c for c in (corrections or []) if c.table == "duplicates"]
    #: key (as text) -> (sorted values, correction) of every declared key
    exact: dict[tuple[str, ...], tuple[tuple[str, ...], Correction]] = {}
    for c in declared:
        for key_text, values in c.declared_keys():
            exact[key_text] = (values, c)
    matched: set[tuple[str, ...]] = set()
    repeated = obs.duplicated(OBSERVATION_KEY, keep=False)
    if not repeated.any():
        stale = [_stale(c, k, v) for k, (v, c) in exact.items()]
        return obs.reset_index(drop=True), pd.DataFrame(columns=AUDIT_COLUMNS), stale
    sub = obs.loc[repeated].sort_values("source_row", kind="mergesort")
    drop: list[Any] = []
    records: list[dict[str, Any]] = []
    problems: list[Problem] = []
    used: dict[str, list[dict[str, Any]]] = {c.id: [] for c in declared}
    texts_all = sub["value_text"].astype(str).to_dict()
    rows_all = sub["source_row"].astype(int).to_dict()
    files_all = sub["source_file"].astype(str).to_dict()
    for key, index in sub.groupby(OBSERVATION_KEY, sort=True, dropna=False).indices.items():
        idx = sub.index[index]
        k = dict(zip(OBSERVATION_KEY, key, strict=True))
        texts = [texts_all[i] for i in idx]
        rows = tuple(rows_all[i] for i in idx)
        file = files_all[idx[0]]
        conflict = len(set(texts)) > 1
        rec = k | {
            "source_file": file,
            "rows": "|".join(map(str, rows)),
            "action": "conflict" if conflict else "collapsed",
            "values": "|".join(texts),
            "correction": "",
        }
        if not conflict:
            drop.extend(idx[1:])
            records.append(rec)
            continue
        drop.extend(idx)
        key_text = tuple(str(v) for v in key)
        found = exact.get(key_text)
        cover = found[1] if found is not None and found[0] == tuple(sorted(texts)) else None
        if cover is not None:
            matched.add(key_text)
            rec["correction"] = cover.id
            used[cover.id].append(rec)
        else:
            problems.append(
                Problem(
                    "error",
                    "duplicate_conflict",
                    file,
                    f"{len(rows)} rows repeat the key {_describe(k)} with different values "
                    f"({', '.join(texts)}); none is used",
                    rows=rows,
                    column=VALUE_COLUMN if file.endswith(".xlsx") else "value_text",
                    why=WHY_DUPLICATE,
                    sample=tuple(texts),
                    table=TABLE,
                    iso3=str(k["iso3"]),
                    year=int(k["year"]),
                )
            )
        records.append(rec)
    problems.extend(_stale(c, k, v) for k, (v, c) in exact.items() if k not in matched)
    for c in declared:
        recs = used[c.id]
        if not recs:
            continue
        rows_all = tuple(sorted(int(r) for rec in recs for r in rec["rows"].split("|")))
        problems.append(
            Problem(
                "warning",
                "declared_correction",
                recs[0]["source_file"],
                f"correction {c.id!r}: {len(recs)} repeated key(s) with conflicting values "
                f"({len(rows_all)} rows) kept out of the table, as declared",
                rows=rows_all,
                column=VALUE_COLUMN,
                why=c.reason,
                sample=tuple(f"{_describe(r)}: {r['values']}" for r in recs[:3]),
                table=TABLE,
            )
        )
    clean = obs.drop(index=drop).reset_index(drop=True)
    audit = pd.DataFrame.from_records(records, columns=AUDIT_COLUMNS)
    audit = audit.sort_values([*OBSERVATION_KEY, "rows"], kind="mergesort").reset_index(drop=True)
    return clean, audit, problems


def _stale(c: Correction, key: tuple[str, ...], values: tuple[str, ...]) -> Problem:
    named = _describe(dict(zip(OBSERVATION_KEY, key, strict=True)))
    return Problem(
        "error",
        "correction_stale",
        "corrections.yaml",
        f"correction {c.id!r} (table duplicates) declares the repeated key {named} with values "
        f"{', '.join(values)}, but the export has no such conflicting repeat: the data changed; "
        "review or remove the key",
        why="a declared correction that matches nothing hides nothing and may be out of date",
        table=TABLE,
    )
