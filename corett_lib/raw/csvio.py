"""Reading raw CSV files: records with their line numbers, file-level problems, small parsers.

The CSV loaders of the workbench read their files through this module:

* :func:`read_csv_rows` reads a transcription (``raw/corett_*.csv``, ``raw/plan_items.csv``, the
  evaluation framework, Chart 1, the monitoring files) into :class:`CsvRow` records that remember
  the line they start on. A file that cannot be used as a table raises
  :class:`~corett_lib.core.problems.DataError`, and so does a row with the wrong number of fields.
* :func:`read_csv_frame` reads a reference table (``raw/population_all.csv``, ``raw/sdg_targets.csv``,
  ``raw/plan_items.csv``) into a text DataFrame indexed by CSV line, normalized to Unicode
  NFC. A row with the wrong number of fields is a problem and is left out; the file-level
  problems name the offending byte and line, and say where a misplaced header was found.

The two readers share the decoding, the CSV scan and the line numbering; they keep their own
wording of the file-level problems (check ids ``file_empty``, ``file_encoding``, ``file_csv``,
``columns_unique``, ``required_columns`` / ``column_missing``, ``row_width``) because reports and
tests quote it.

Lines are 1-based as a person sees them in the file (the header is line 1 when it is the first
line). :func:`read_csv_rows` gives the line a record *starts* on; :func:`read_csv_frame` the line it
*ends* on (the same for every record without a line break inside quotes).

The parsers (:func:`parse_float`, :func:`parse_iso_date`) return None for text they cannot read,
so loaders can collect every bad cell as a problem instead of stopping at the first;
:func:`stripped_records` turns the rows kept into records with their ``source_row``, and
:func:`error` builds the error problems the loaders report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corett_lib.core.problems import DataError, Problem

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CsvRow",
    "error",
    "missing_columns",
    "parse_float",
    "parse_iso_date",
    "read_csv_frame",
    "read_csv_rows",
    "scan",
    "stripped_records",
]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class CsvRow:
    """One record of a CSV file: its fields and the line it starts on (header is line 1)."""

    line: int
    fields: dict[str, str]


def error(
    file: str,
    check: str,
    message: str,
    rows: Iterable[int] = (),
    column: str | None = None,
    why: str = "",
    sample: Iterable[Any] = (),
    *,
    table: str | None = None,
) -> Problem:
    """Return an error :class:`~corett_lib.core.problems.Problem`, taking rows and sample as iterables.

    The arguments are the fields of :class:`~corett_lib.core.problems.Problem` after ``severity``, in
    its order (``file`` is the file relative to the data folder, ``rows`` its 1-based lines);
    ``rows`` and ``sample`` may be any iterable and become tuples.

    Examples
    --------
    >>> p = error("raw/x.csv", "year_integer", "bad year", (r for r in [3, 5]), "year", table="t")
    >>> p.rows, p.sample, p.severity
    ((3, 5), (), 'error')
    """
    return Problem(
        "error",
        check,
        file,
        message,
        rows=tuple(rows),
        column=column,
        why=why,
        sample=tuple(sample),
        table=table,
    )


def scan(lines: Iterable[str]) -> Iterator[tuple[int, int, list[str]]]:
    r"""Yield every CSV record of ``lines`` with the lines it starts and ends on (1-based).

    Blank lines are yielded too (as an empty or all-blank record). A record whose quoted field
    holds a line break spans several lines.

    Raises
    ------
    csv.Error
        When the text is not valid CSV.

    Examples
    --------
    >>> list(scan(['a,b\n', '\n', '1,"x\n', 'y"\n']))
    [(1, 1, ['a', 'b']), (2, 2, []), (3, 4, ['1', 'x\ny'])]
    """
    reader = csv.reader(lines)
    last = 0
    for record in reader:
        start, last = last + 1, reader.line_num
        yield start, last, record


def _is_blank(record: Sequence[str]) -> bool:
    return not any(cell.strip() for cell in record)


def missing_columns(header: Sequence[str], required: Iterable[str]) -> list[str]:
    """Return the ``required`` columns that ``header`` lacks, in ``required``'s order.

    Examples
    --------
    >>> missing_columns(["iso3", "year"], ["iso3", "population", "year", "source"])
    ['population', 'source']
    """
    return [c for c in required if c not in header]


@dataclass
class _Table:
    """What a scan found: the header, the records that fit it and the lines of those that do not."""

    header: list[str] | None = None
    rows: list[tuple[int, int, list[str]]] = field(default_factory=list)
    ragged: list[tuple[int, int]] = field(default_factory=list)


def _table(lines: Iterable[str], *, header_on_first_line: bool) -> _Table:
    """Split records into the header, the rows of the header's width and the ragged rows.

    Blank records are skipped; with ``header_on_first_line`` the first record is the header even
    when it is blank, otherwise the first non-blank record is.
    """
    out = _Table()
    for start, end, record in scan(lines):
        if out.header is None and header_on_first_line:
            out.header = [h.strip() for h in record]
            continue
        if _is_blank(record):
            continue
        if out.header is None:
            out.header = [h.strip() for h in record]
        elif len(record) != len(out.header):
            out.ragged.append((start, end))
        else:
            out.rows.append((start, end, record))
    return out


def read_csv_rows(
    path: Path, rel: str, required: Sequence[str], *, table: str
) -> tuple[list[str], list[CsvRow]]:
    r"""Read a UTF-8 CSV file into records that remember their line numbers.

    Parameters
    ----------
    path
        The file.
    rel
        The file's name relative to the data folder, used in problems.
    required
        Columns that must be in the header.
    table
        The logical table, used in problems.

    Returns
    -------
    header, rows
        The header's column names (stripped) and the non-blank records, each with the 1-based line
        it starts on. Blank lines are skipped, before the header too. Field values are verbatim.

    Raises
    ------
    DataError
        When the file is not UTF-8 (``file_encoding``), is not valid CSV (``file_csv``), has no
        header (``file_empty``), has duplicated column names (``columns_unique``), lacks a required
        column (``required_columns``, one problem per missing column), has no data rows
        (``file_empty``) or has a row with the wrong number of fields (``row_width``).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("iso3,year\n\nGTM,2019\n", encoding="utf-8")
    >>> read_csv_rows(p, "raw/t.csv", ["iso3"], table="t")
    (['iso3', 'year'], [CsvRow(line=3, fields={'iso3': 'GTM', 'year': '2019'})])
    """

    def fail(check: str, message: str, why: str) -> DataError:
        return DataError([error(rel, check, message, why=why, table=table)])

    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(
            "file_encoding",
            f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})",
            "transcriptions are stored as UTF-8 CSV",
        ) from exc
    # Universal newlines, as a file opened in text mode reads: "\r\n" and "\r" become "\n".
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        found = _table(text.splitlines(keepends=True), header_on_first_line=False)
    except csv.Error as exc:
        raise fail(
            "file_csv", f"the file is not valid CSV: {exc}", "the file must parse as CSV"
        ) from exc
    header = found.header
    if header is None:
        raise fail("file_empty", "the file is empty (no header row)", "a transcription has rows")
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        raise fail(
            "columns_unique", f"column(s) named more than once: {dup}", "columns are read by name"
        )
    missing = missing_columns(header, required)
    if missing:
        raise DataError(
            [
                error(
                    rel,
                    "required_columns",
                    f"required column {c!r} is missing (header: {', '.join(header)})",
                    (1,),
                    c,
                    "the loader reads these columns by name",
                    table=table,
                )
                for c in missing
            ]
        )
    if not found.rows and not found.ragged:
        raise fail(
            "file_empty", "the file has a header but no data rows", "a transcription has rows"
        )
    if found.ragged:
        raise fail(
            "row_width",
            f"{len(found.ragged)} row(s) do not have {len(header)} fields; "
            f"first at line {found.ragged[0][0]}",
            "every row must have one value per column",
        )
    return header, [
        CsvRow(start, dict(zip(header, record, strict=True))) for start, _, record in found.rows
    ]


def read_csv_frame(
    path: Path, rel: str, required: Sequence[str], *, table: str
) -> tuple[pd.DataFrame, list[Problem]]:
    r"""Read a UTF-8 CSV reference table as text: every cell a string, the index the CSV line.

    Parameters
    ----------
    path
        The file.
    rel
        The file's name relative to the data folder, used in problems.
    required
        Columns that must be in the header (line 1).
    table
        The logical table, used in problems.

    Returns
    -------
    frame, problems
        The non-blank rows with the header's width, cells verbatim but normalized to Unicode NFC,
        indexed by the line each row ends on. ``problems`` holds one ``row_width`` error naming
        the lines of the rows of another width, which are left out.

    Raises
    ------
    DataError
        When the file is empty or only whitespace (``file_empty``), is not UTF-8
        (``file_encoding``, naming the byte, its offset and its line), is not valid CSV
        (``file_csv``), lacks a required column (``column_missing``, one problem per column, saying
        on which line the header was found when it is not line 1), or has a header but no data rows
        (``file_empty``, with the ``row_width`` problem if every row was ragged).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_bytes("iso3,name\nPAN,Panama\u0301\n".encode())
    >>> df, problems = read_csv_frame(p, "raw/t.csv", ["iso3"], table="t")
    >>> df.loc[2, "name"] == "Panamá", problems
    (True, [])
    """
    import pandas as pd

    def fail(check: str, message: str, why: str, *more: Problem, **kw: Any) -> DataError:
        return DataError([error(rel, check, message, why=why, table=table, **kw), *more])

    raw = Path(path).read_bytes()
    if not raw.strip():
        raise fail(
            "file_empty",
            "the file is empty (no header row)",
            "a reference table needs its header and rows",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.start + 1].hex()
        raise fail(
            "file_encoding",
            f"not UTF-8 text: byte 0x{bad} at byte offset {exc.start} (line {line}) is "
            "invalid; save the file as UTF-8 (it looks like Latin-1/Windows-1252)",
            "names with accents (Panamá, Belice) must survive every step unchanged",
            sample=(bad,),
        ) from None
    # Composed (NFC) text: sdg_targets.csv ships decomposed accents (u + U+0301), which look the same
    # but do not compare equal to the same word typed in a notebook or a translation catalogue.
    text = unicodedata.normalize("NFC", text)
    try:
        found = _table(io.StringIO(text, newline=""), header_on_first_line=True)
    except csv.Error as exc:
        raise fail(
            "file_csv", f"the file is not valid CSV: {exc}", "the file must parse as CSV"
        ) from exc
    header = found.header or []
    df = pd.DataFrame([r for _, _, r in found.rows], columns=header, dtype=object)
    df.index = pd.Index([end for _, end, _ in found.rows], dtype="int64")
    missing = missing_columns(header, required)
    if missing:
        on = next(
            (
                i + 1
                for i, line in enumerate(text.splitlines()[:10])
                if all(c in [x.strip() for x in line.split(",")] for c in required)
            ),
            None,
        )
        hint = f"; the header was found on line {on} instead (extra title lines?)" if on else ""
        raise DataError(
            [
                error(
                    rel,
                    "column_missing",
                    f"required column {name!r} is missing from the header on line 1{hint}",
                    (1,),
                    name,
                    "the loaders address columns by name",
                    table=table,
                )
                for name in missing
            ]
        )
    problems: list[Problem] = []
    if found.ragged:
        problems.append(
            error(
                rel,
                "row_width",
                f"{len(found.ragged)} line(s) do not have the {len(header)} fields of the header; "
                "they are left out",
                (end for _, end in found.ragged),
                why="a line with too many or too few fields has its values in the wrong columns",
                table=table,
            )
        )
    if df.empty:
        raise fail(
            "file_empty",
            "the file has a header but no data rows",
            "a reference table needs its rows",
            *problems,
        )
    return df, problems


def stripped_records(
    rows: Iterable[CsvRow], columns: Iterable[str], *, skip: Container[int] = ()
) -> list[dict[str, Any]]:
    """Return one dict per row: ``columns`` stripped (empty when absent) and ``source_row``.

    Parameters
    ----------
    rows
        Records from :func:`read_csv_rows`.
    columns
        The columns to keep; a column the file lacks is an empty string.
    skip
        Lines of rows to leave out (rows with an error).

    Examples
    --------
    >>> rows = [CsvRow(2, {"id": " A1 ", "x": "1"}), CsvRow(3, {"id": "A2", "x": "2"})]
    >>> stripped_records(rows, ["id", "note"], skip={3})
    [{'id': 'A1', 'note': '', 'source_row': 2}]
    """
    return [
        {**{c: row.fields.get(c, "").strip() for c in columns}, "source_row": row.line}
        for row in rows
        if row.line not in skip
    ]


def parse_float(text: str) -> float | None:
    """Return ``text`` read as a finite float (surrounding blanks ignored), or None.

    ``inf``, ``nan`` and numbers too large for a float (``1e999``) are not numbers here, so they are
    reported where they are instead of failing a report later.

    Examples
    --------
    >>> parse_float(" 2.5 "), parse_float("12"), parse_float("two"), parse_float("")
    (2.5, 12.0, None, None)
    >>> parse_float("1e999"), parse_float("inf"), parse_float("nan")
    (None, None, None)
    """
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def parse_iso_date(text: str) -> dt.date | None:
    """Return the calendar date written ``YYYY-MM-DD``, or None (other form, or no such day).

    Examples
    --------
    >>> parse_iso_date("2000-11-15"), parse_iso_date("2021-02-30"), parse_iso_date("15/11/2000")
    (datetime.date(2000, 11, 15), None, None)
    """
    if not _ISO_DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
