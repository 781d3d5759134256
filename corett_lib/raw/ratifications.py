"""Chart 1 of the Prevention Strategy: international instruments and their ratification dates.

Two transcriptions of *Chart 1. International instruments by country and date of ratification or
adherence* (source text ``seeds/004_8d3ddc9794c7a068.txt``, lines 117-146):

``raw/chart1_instruments.csv``
    One row per row of the chart (23 rows, in the chart's order ``row_order``): a stable
    ``instrument_id``, the name as published (``name_published``; ``name_verbatim`` keeps the extracted
    text, with ``[line break]`` where the name is split), short names in English and Spanish,
    ``year_adopted``, ``adoption_date`` (ISO; from the depositary's public record, see
    ``adoption_date_source``), ``kind`` (declaration, covenant, convention, protocol, ILO convention,
    statute), ``system`` (UN, OAS, ILO) and ``ratifiable`` (False for the two declarations, whose cells
    repeat their adoption date).

``raw/chart1_ratifications.csv``
    One row per instrument and member (9 columns of the chart): ``original_text`` verbatim (with the
    chart's stray spaces, e.g. ``10/12/ 1948``, ``03/02 /1981``, and the accession mark ``" a"``),
    ``date_iso``, ``date_order``, ``accession``, ``blank`` and ``notes``.

How dates were read (the chart mixes day-first and month-first dates):

* ``dmy`` - the first field is over 12 (or equals the second, so both readings agree);
* ``mdy`` - the second field is over 12 (e.g. ``11/13/ 1995``);
* ``ambiguous-assumed-dmy`` - both fields are 12 or less: read day-first, the chart's dominant
  convention;
* ``ambiguous-assumed-mdy`` - both fields are 12 or less, in a row whose unambiguous cells are mostly
  month-first (the American Convention and Belém do Pará rows follow the OAS month/day/year style).

The readers check that ``date_iso`` is what ``original_text`` gives under the declared order, that a
declared unambiguous order really is unambiguous, and that ``accession`` and ``blank`` agree with the
text. Whether a date precedes the instrument's adoption is a cross-table check
(``adoption_date`` vs ``date_iso``) left to :mod:`corett_lib.validation`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from corett_lib.core.config import members
from corett_lib.core.problems import Problem
from corett_lib.core.tables import finish
from corett_lib.raw.csvio import CsvRow, error, parse_iso_date, read_csv_rows

if TYPE_CHECKING:
    import pandas as pd

CHART_REF = "CORETT Prevention Strategy, Chart 1 (international instruments by country)"

INSTRUMENT_COLUMNS: tuple[str, ...] = (
    "instrument_id",
    "row_order",
    "name_published",
    "short_name_en",
    "short_name_es",
    "year_adopted",
    "adoption_date",
    "kind",
    "ratifiable",
)
RATIFICATION_COLUMNS: tuple[str, ...] = (
    "instrument_id",
    "iso3",
    "country",
    "original_text",
    "date_iso",
    "date_order",
    "accession",
    "blank",
    "notes",
)
KINDS = ("declaration", "covenant", "convention", "protocol", "ILO convention", "statute")
DATE_ORDERS = ("dmy", "mdy", "ambiguous-assumed-dmy", "ambiguous-assumed-mdy")

_DATE = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\s*(a)?\s*$")
_SLUG = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
_BOOL = {"true": True, "false": False}

Order = Literal["dmy", "mdy", "ambiguous"]


@dataclass(frozen=True)
class ChartDate:
    """A Chart 1 cell read as text: two day/month fields, the year and the accession mark."""

    first: int
    second: int
    year: int
    accession: bool

    @property
    def order(self) -> Order:
        """``"dmy"`` or ``"mdy"`` when the text decides it, else ``"ambiguous"``.

        Equal fields (``11/11/ 1983``) are ``"dmy"``: both readings give the same date.
        """
        if self.first == self.second or (self.first > 12 >= self.second):
            return "dmy"
        if self.second > 12 >= self.first:
            return "mdy"
        return "ambiguous"

    def as_date(self, month_first: bool) -> dt.date:
        """Return the date read month-first or day-first. Raises ValueError for an impossible date."""
        if month_first:
            return dt.date(self.year, self.first, self.second)
        return dt.date(self.year, self.second, self.first)


def parse_chart_date(text: str) -> ChartDate | None:
    """Read a Chart 1 cell such as ``"15/02/ 1978 a"``; None when it is not of that form.

    Examples
    --------
    >>> parse_chart_date("15/02/ 1978 a")
    ChartDate(first=15, second=2, year=1978, accession=True)
    >>> parse_chart_date("11/13/ 1995").order, parse_chart_date("03/02 /1981").order
    ('mdy', 'ambiguous')
    """
    m = _DATE.match(text)
    if not m:
        return None
    return ChartDate(int(m[1]), int(m[2]), int(m[3]), m[4] is not None)


class _Found:
    """Problems of one file, grouped by check: one :class:`Problem` per check listing every row."""

    def __init__(self, rel: str, table: str) -> None:
        self.rel, self.table = rel, table
        self._checks: dict[str, tuple[str, str, str, list[int], list[object]]] = {}

    def add(
        self, check: str, row: CsvRow, column: str, message: str, why: str, value: object
    ) -> None:
        """Record that ``row`` fails ``check``."""
        entry = self._checks.setdefault(check, (column, message, why, [], []))
        entry[3].append(row.line)
        entry[4].append(value)

    def count(self) -> int:
        """Return how many (check, row) failures were recorded."""
        return sum(len(e[3]) for e in self._checks.values())

    def problems(self) -> list[Problem]:
        """Return one error per check, naming every row."""
        return [
            error(
                self.rel,
                check,
                f"{len(lines)} row(s): {message}",
                lines,
                column,
                why,
                sample[:5],
                table=self.table,
            )
            for check, (column, message, why, lines, sample) in self._checks.items()
        ]


def read_instruments(path: Path, rel: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read Chart 1's instruments (``raw/chart1_instruments.csv``).

    Parameters
    ----------
    path
        The file.
    rel
        Its name relative to the data folder, used in problems and ``source_file``.

    Returns
    -------
    instruments, problems
        Every column of the file, ``row_order`` and ``year_adopted`` as integers, ``ratifiable`` as
        bool, ``adoption_date`` as the ISO text, plus ``adopted_on`` (datetime64), ``source_file``,
        ``source_row`` (CSV line) and ``source_ref``; sorted by ``row_order``. Rows with a problem are
        left out. Problems: an id that is not a lower-case slug or is repeated, a repeated or
        non-integer ``row_order``, an empty name, a ``year_adopted`` that is not an integer or differs
        from the year of ``adoption_date``, an ``adoption_date`` that is not a valid ISO date, an
        unknown ``kind``, ``ratifiable`` not true/false.

    Raises
    ------
    DataError
        When the file cannot be read as a table (see :func:`corett_lib.raw.csvio.read_csv_rows`).

    Examples
    --------
    >>> from corett_lib.core import paths
    >>> df, _ = read_instruments(paths.raw_path("instruments"), "raw/chart1_instruments.csv")
    >>> df.set_index("instrument_id").loc["trafficking_protocol_2000", "adoption_date"]
    '2000-11-15'
    """
    import pandas as pd

    header, rows = read_csv_rows(path, rel, INSTRUMENT_COLUMNS, table="instruments")
    found = _Found(rel, "instruments")
    ids: set[str] = set()
    orders: set[int] = set()
    records = []
    for r in rows:
        f = {k: v.strip() for k, v in r.fields.items()}
        before = found.count()
        iid = f["instrument_id"]
        if not _SLUG.match(iid):
            found.add(
                "instrument_id_slug",
                r,
                "instrument_id",
                "instrument_id is not a lower-case slug (a-z, 0-9, _)",
                "ids are stable keys used in URLs and joins",
                iid,
            )
        elif iid in ids:
            found.add(
                "instrument_id_unique",
                r,
                "instrument_id",
                "instrument_id repeats an earlier row",
                "one row per instrument id",
                iid,
            )
        ids.add(iid)
        order = int(f["row_order"]) if f["row_order"].isdigit() else None
        if order is None or order in orders:
            found.add(
                "row_order_unique",
                r,
                "row_order",
                "row_order is not an integer or repeats an earlier row",
                "row_order keeps the chart's order",
                f["row_order"],
            )
        else:
            orders.add(order)
        if not f["name_published"]:
            found.add(
                "name_present",
                r,
                "name_published",
                "the published name is empty",
                "every instrument is named as the chart names it",
                "",
            )
        adopted = parse_iso_date(f["adoption_date"])
        if adopted is None:
            found.add(
                "adoption_date_iso",
                r,
                "adoption_date",
                "adoption_date is not a valid ISO date (YYYY-MM-DD)",
                "ratification dates are checked against the adoption date",
                f["adoption_date"],
            )
        year = int(f["year_adopted"]) if f["year_adopted"].isdigit() else None
        if year is None or (adopted is not None and adopted.year != year):
            found.add(
                "year_adopted_matches_date",
                r,
                "year_adopted",
                "year_adopted is not an integer or differs from the year of adoption_date",
                "the two columns describe the same adoption",
                f"{f['year_adopted']} vs {f['adoption_date']}",
            )
        if f["kind"] not in KINDS:
            found.add(
                "kind_in_vocabulary",
                r,
                "kind",
                f"kind is not one of {', '.join(KINDS)}",
                "declarations are not ratified; the kind says which rows are treaties",
                f["kind"],
            )
        if f["ratifiable"].lower() not in _BOOL:
            found.add(
                "ratifiable_bool",
                r,
                "ratifiable",
                "ratifiable is not true/false",
                "ratifiable separates treaties from declarations",
                f["ratifiable"],
            )
        if found.count() > before:
            continue
        rec: dict[str, Any] = {c: r.fields[c] for c in header}
        rec.update(
            instrument_id=iid,
            row_order=order,
            year_adopted=year,
            adoption_date=f["adoption_date"],
            adopted_on=pd.Timestamp(adopted),
            ratifiable=_BOOL[f["ratifiable"].lower()],
            source_file=rel,
            source_row=r.line,
            source_ref=CHART_REF,
        )
        records.append(rec)
    columns = [*header, "adopted_on", "source_file", "source_row", "source_ref"]
    df = pd.DataFrame.from_records(records, columns=columns)
    df = df.astype(
        {"row_order": "int64", "year_adopted": "int64", "ratifiable": "bool", "source_row": "int64"}
    )
    df["adopted_on"] = pd.to_datetime(df["adopted_on"])
    return finish(df, ["row_order"], name="instruments"), found.problems()


def read_ratifications(path: Path, rel: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read Chart 1's cells (``raw/chart1_ratifications.csv``), one row per instrument and member.

    Parameters
    ----------
    path
        The file.
    rel
        Its name relative to the data folder, used in problems and ``source_file``.

    Returns
    -------
    ratifications, problems
        Every column of the file, ``accession`` and ``blank`` as bool, ``date_iso`` as the ISO text
        (None when blank), plus ``ratified_on`` (datetime64, NaT when blank), ``ambiguous`` (True when
        the order was assumed), ``source_file``, ``source_row`` (CSV line) and ``source_ref``; sorted by
        (instrument_id, iso3). Rows with a problem are left out. Problems: an ISO3 that is not a
        member, a repeated (instrument_id, iso3), accession/blank not true/false, a blank cell with a
        date (or a date cell marked blank), text that is not ``dd/mm/yyyy [a]``, an unknown date_order,
        a declared dmy/mdy order the text contradicts, an assumed order on a cell that is not
        ambiguous, a date_iso that is not what the text gives under the declared order, an accession
        flag that disagrees with the ``" a"`` mark.

    Raises
    ------
    DataError
        When the file cannot be read as a table (see :func:`corett_lib.raw.csvio.read_csv_rows`).

    Examples
    --------
    >>> from corett_lib.core import paths
    >>> df, _ = read_ratifications(paths.raw_path("ratifications"), "raw/chart1_ratifications.csv")
    >>> row = df.query("instrument_id == 'belem_do_para_1994' and iso3 == 'DOM'").iloc[0]
    >>> row["original_text"], row["date_iso"], row["date_order"]
    ('11/13/ 1995', '1995-11-13', 'mdy')
    """
    import pandas as pd

    header, rows = read_csv_rows(path, rel, RATIFICATION_COLUMNS, table="ratifications")
    known = set(members())
    found = _Found(rel, "ratifications")
    seen: set[tuple[str, str]] = set()
    records = []
    for r in rows:
        f = r.fields
        before = found.count()
        iid, iso3, text = f["instrument_id"].strip(), f["iso3"].strip(), f["original_text"]
        if iso3 not in known:
            found.add(
                "iso3_known",
                r,
                "iso3",
                "iso3 is not a configured member",
                "Chart 1 has one column per member (parameters/coalition.yaml)",
                iso3,
            )
        if (iid, iso3) in seen:
            found.add(
                "key_unique",
                r,
                "instrument_id",
                "(instrument_id, iso3) repeats an earlier row",
                "one chart cell per instrument and member",
                f"{iid}/{iso3}",
            )
        seen.add((iid, iso3))
        flags = {c: f[c].strip().lower() for c in ("accession", "blank")}
        for c, v in flags.items():
            if v not in _BOOL:
                found.add(
                    f"{c}_bool", r, c, f"{c} is not true/false", "flags are read as booleans", f[c]
                )
        blank = _BOOL.get(flags["blank"])
        accession = _BOOL.get(flags["accession"])
        order, iso = f["date_order"].strip(), f["date_iso"].strip()
        date = None
        if blank is True:
            if text.strip() or iso or order or accession:
                found.add(
                    "blank_consistent",
                    r,
                    "blank",
                    "the cell is marked blank but has text, a date, an order or accession",
                    "a blank cell records no ratification",
                    text,
                )
        elif blank is False:
            date = _check_date(r, text, order, iso, accession, found)
        if found.count() > before:
            continue
        rec: dict[str, Any] = {c: f[c] for c in header}
        rec.update(
            instrument_id=iid,
            iso3=iso3,
            original_text=text,
            date_iso=iso or None,
            date_order=order,
            accession=bool(accession),
            blank=bool(blank),
            ratified_on=pd.Timestamp(date) if date else pd.NaT,
            ambiguous=order.startswith("ambiguous"),
            source_file=rel,
            source_row=r.line,
            source_ref=CHART_REF,
        )
        records.append(rec)
    columns = [*header, "ratified_on", "ambiguous", "source_file", "source_row", "source_ref"]
    df = pd.DataFrame.from_records(records, columns=columns)
    df = df.astype(
        {"accession": "bool", "blank": "bool", "ambiguous": "bool", "source_row": "int64"}
    )
    df["ratified_on"] = pd.to_datetime(df["ratified_on"])
    table = finish(df, ["instrument_id", "iso3"], name="ratifications")
    return table, found.problems()


def _check_date(
    r: CsvRow,
    text: str,
    order: str,
    iso: str,
    accession: bool | None,
    found: _Found,
) -> dt.date | None:
    """Check one non-blank cell; return its date when everything agrees."""
    cell = parse_chart_date(text)
    if cell is None:
        found.add(
            "date_text_format",
            r,
            "original_text",
            "the text is not a date of the form dd/mm/yyyy (optionally followed by ' a'); "
            "a cell without a date must be marked blank",
            "every non-blank Chart 1 cell is a date",
            text,
        )
        return None
    if accession is not None and cell.accession != accession:
        found.add(
            "accession_matches_text",
            r,
            "accession",
            "accession disagrees with the ' a' mark of the text",
            "the chart marks accession (adherence) with ' a'",
            text,
        )
    if order not in DATE_ORDERS:
        found.add(
            "date_order_in_vocabulary",
            r,
            "date_order",
            f"date_order is not one of {', '.join(DATE_ORDERS)}",
            "the order says how the day/month fields were read",
            order,
        )
        return None
    if order.startswith("ambiguous") != (cell.order == "ambiguous") or (
        cell.order != "ambiguous" and order != cell.order
    ):
        found.add(
            "date_order_matches_text",
            r,
            "date_order",
            "date_order contradicts the text (an unambiguous date declared ambiguous, "
            "or the other way round, or the wrong order)",
            "only dates with both fields <= 12 may be assumed",
            f"{text} ({order})",
        )
        return None
    try:
        date = cell.as_date(month_first=order.endswith("mdy"))
    except ValueError:
        found.add(
            "date_valid",
            r,
            "original_text",
            "the text is not a calendar date under the declared order",
            "a date must exist",
            f"{text} ({order})",
        )
        return None
    if iso != date.isoformat():
        found.add(
            "date_iso_matches_text",
            r,
            "date_iso",
            "date_iso is not the date the text gives under date_order",
            "date_iso is derived from original_text; a difference is a transcription error",
            f"{text} -> {iso} (expected {date.isoformat()})",
        )
        return None
    return date
