"""Excel workbooks for collecting monitoring data from members.

The two entry points are :func:`write_template` and :func:`ingest`.

The template (``corett template --country GTM --year 2024 --lang es``) has an instructions sheet
(with the country, year and language in fixed cells, :data:`META_CELLS`) and one sheet per axis of the
prevention and resource-mobilization plans, with the plan's indicators, activities and
resource-mobilization objectives pre-filled. Drop-down lists (evidence available: yes/no), number
checks (value >= 0) and date checks are built into the cells.

:func:`ingest` validates returned workbooks and merges them into ``monitoring/collected.csv``. Every
problem names its cell (``Training!C7``) in the message, and as ``table`` (the sheet), ``rows`` (the
Excel row) and ``column`` (the letter) of the :class:`~corett_lib.core.problems.Problem`. Nothing is merged
when any error is found in any of the files; the merge writes aside then renames; ingesting the same
file again changes nothing. Text cells are stored as the text typed, never evaluated (the workbook is
read without computing formulas), and any later export neutralizes text that starts like a formula
(:func:`corett_lib.publishing.monitoring_export.export_monitoring`).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corett_lib.apps import ingest_history
from corett_lib.core import atomic, config, i18n, paths
from corett_lib.core.problems import Problem, errors
from corett_lib.core.tables import finish
from corett_lib.dataset.monitoring import (
    COLLECTED_FILE,
    COLUMNS,
    KEY,
    MONITORED_PLANS,
    TABLE,
    YEAR_RANGE,
    kind_of,
    merge_rows,
    monitored_items,
    on_time_of,
    read_collected,
    validate_rows,
    write_table,
)
from corett_lib.raw import workbook_guard
from corett_lib.raw.plans import read_plan_items
from corett_lib.raw.workbook_guard import WorkbookLimits

if TYPE_CHECKING:
    import pandas as pd

TEMPLATE_VERSION = "corett-monitoring-1"

#: Cells of the instructions sheet (the first sheet) that identify the workbook.
META_CELLS: dict[str, str] = {"country": "B3", "year": "B4", "lang": "B5", "version": "B6"}

#: Axis id -> sheet name (en, es); names are at most 31 characters (Excel's limit).
AXIS_SHEETS: dict[str, tuple[str, str]] = {
    "PREV.A1": ("Sensitization", "Sensibilización"),
    "PREV.A2": ("Training", "Capacitación"),
    "PREV.A3": ("Dissemination", "Difusión"),
    "PREV.A4": ("Detection and referral", "Detección y referencia"),
    "RM.A1": ("RM Prevention", "MR Prevención"),
    "RM.A2": ("RM Comprehensive care", "MR Atención integral"),
    "RM.A3": ("RM Prosecution", "MR Persecución penal"),
    "RM.A4": ("RM Institutional strengthening", "MR Fortalecimiento"),
}

AXIS_ID_CELL = "B2"
HEADER_ROW = 4
FIRST_ROW = 5

#: Column letter -> field of an axis sheet.
SHEET_COLUMNS: dict[str, str] = {
    "A": "plan_item_id",
    "B": "description",
    "C": "value",
    "D": "unit",
    "E": "target",
    "F": "evidence_available",
    "G": "deadline",
    "H": "completed",
    "I": "cause_of_delay",
    "J": "notes",
}
_LETTER = {v: k for k, v in SHEET_COLUMNS.items()}

#: What a member may type in the evidence column (any case).
YES_WORDS = {"yes": "yes", "no": "no", "sí": "yes", "si": "yes"}


def _t(key: str, lang: str, **kwargs: Any) -> str:
    return i18n.t(f"monitoring.{key}", lang, **kwargs)


def template_path(country: str, year: int, lang: str, out: str | None = None) -> Path:
    """Return the default path of a template: ``<outputs>/templates/monitoring_<C>_<Y>.<lang>.xlsx``."""
    return paths.outputs_dir(out) / "templates" / f"monitoring_{country}_{year}.{lang}.xlsx"


def write_template(
    country: str,
    year: int,
    lang: str = "en",
    *,
    path: str | os.PathLike[str] | None = None,
    data: str | os.PathLike[str] | None = None,
) -> Path:
    """Write the monitoring workbook a member fills in, and return its path.

    Parameters
    ----------
    country
        ISO3 of a member (not ``CORETT``: the region's figures are sums over members).
    year
        The year reported on.
    lang
        Language of the instructions, headers and descriptions (``en`` or ``es``).
    path
        Where to write (default :func:`template_path`).
    data
        Data folder whose plan items are pre-filled.

    Raises
    ------
    ValueError
        For a country that is not a member, a year outside :data:`~corett_lib.dataset.monitoring.YEAR_RANGE`
        or an unknown language.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    if country not in config.members():
        raise ValueError(f"country {country!r} is not a member ({', '.join(config.members())})")
    if not YEAR_RANGE[0] <= int(year) <= YEAR_RANGE[1]:
        raise ValueError(f"year {year} is not between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}")
    if lang not in ("en", "es"):
        raise ValueError(f"lang {lang!r} is not en or es")
    items, _ = read_plan_items(paths.raw_path("plan_items", data), "raw/plan_items.csv")
    texts_es = dict(zip(items["id"], items["text_es"].fillna(""), strict=True))
    monitored = monitored_items(items)
    # objectives are rows only for the resource-mobilization plan (Chart 3 of its strategy)
    monitored = monitored[
        (monitored["kind"] != "objective") | (monitored["plan"] == "resource_mobilization")
    ]

    bold = Font(bold=True)
    grey = PatternFill("solid", fgColor="DDDDDD")
    wb = Workbook()
    ins = wb.active
    ins.title = _t("sheet_instructions", lang)
    ins["A1"] = _t("title", lang, country=i18n.country_name(country, lang), year=year)
    ins["A1"].font = Font(bold=True, size=14)
    for (key, cell), value in zip(
        META_CELLS.items(), (country, int(year), lang, TEMPLATE_VERSION), strict=True
    ):
        ins[f"A{cell[1:]}"] = _t(f"meta_{key}", lang)
        ins[cell] = value
        ins[f"A{cell[1:]}"].font = bold
    for i, key in enumerate(
        ("how_1", "how_2", "how_3", "how_4", "how_5", "how_6", "how_7"), start=8
    ):
        ins[f"A{i}"] = _t(key, lang)
    ins.column_dimensions["A"].width = 24
    ins.column_dimensions["B"].width = 16

    yes_no = ("yes", "no") if lang == "en" else ("sí", "no")
    headers = [_t(f"col_{f}", lang) for f in SHEET_COLUMNS.values()]
    widths = {
        "A": 18,
        "B": 60,
        "C": 12,
        "D": 28,
        "E": 10,
        "F": 12,
        "G": 13,
        "H": 13,
        "I": 40,
        "J": 30,
    }
    for axis_id, names in AXIS_SHEETS.items():
        rows = monitored[monitored["axis_id"] == axis_id]
        ws = wb.create_sheet(names[0 if lang == "en" else 1])
        axis_text = items.loc[items["id"] == axis_id, "text_en" if lang == "en" else "text_es"]
        ws["A1"] = f"{axis_text.iloc[0] if len(axis_text) else axis_id}"
        ws["A1"].font = Font(bold=True, size=12)
        ws["A2"] = _t("axis_id", lang)
        ws[AXIS_ID_CELL] = axis_id
        ws["A3"] = _t("sheet_hint", lang)
        for letter, header in zip(SHEET_COLUMNS, headers, strict=True):
            c = ws[f"{letter}{HEADER_ROW}"]
            c.value = header
            c.font = bold
            ws.column_dimensions[letter].width = widths[letter]
        ev = DataValidation(
            type="list",
            formula1='"' + ",".join(yes_no) + '"',
            allow_blank=True,
            showErrorMessage=True,
            error=_t("check_yes_no", lang, yes=yes_no[0], no=yes_no[1]),
            errorTitle=_t("check_title", lang),
        )
        num = DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            error=_t("check_number", lang),
            errorTitle=_t("check_title", lang),
        )
        date = DataValidation(
            type="date",
            operator="between",
            formula1=f"DATE({YEAR_RANGE[0]},1,1)",
            formula2=f"DATE({YEAR_RANGE[1]},12,31)",
            allow_blank=True,
            showErrorMessage=True,
            error=_t("check_date", lang, first=YEAR_RANGE[0], last=YEAR_RANGE[1]),
            errorTitle=_t("check_title", lang),
        )
        for dv in (ev, num, date):
            ws.add_data_validation(dv)
        for r, (_, it) in enumerate(rows.iterrows(), start=FIRST_ROW):
            desc = texts_es.get(it["id"], "") if lang == "es" else ""
            ws[f"A{r}"] = it["id"]
            ws[f"B{r}"] = desc or it["text_en"]
            ws[f"B{r}"].alignment = Alignment(wrap_text=True, vertical="top")
            ws[f"D{r}"] = it["unit"] or None
            for letter in "ABD":  # text stays text: never a formula in the member's workbook
                if isinstance(ws[f"{letter}{r}"].value, str):
                    ws[f"{letter}{r}"].data_type = "s"
            target = str(it["target_value"] or "")
            ws[f"E{r}"] = float(target) if target else None
            ev.add(f"F{r}")
            if it["kind"] == "indicator":
                num.add(f"C{r}")
                for letter in "GH":
                    ws[f"{letter}{r}"].fill = grey
            else:
                ws[f"C{r}"].fill = grey
            if it["kind"] == "activity":
                date.add(f"G{r}")
                date.add(f"H{r}")
                ws[f"G{r}"].number_format = "yyyy-mm-dd"
                ws[f"H{r}"].number_format = "yyyy-mm-dd"
            else:
                for letter in "GH":
                    ws[f"{letter}{r}"].fill = grey
            for letter in "AB":
                ws[f"{letter}{r}"].fill = grey
        ws.freeze_panes = f"C{FIRST_ROW}"
    out = Path(path) if path else template_path(country, int(year), lang)
    atomic.write_with(out, wb.save)
    return out


# --------------------------------------------------------------------------- ingest


@dataclass
class IngestResult:
    """What :func:`ingest` found and did."""

    problems: list[Problem] = field(default_factory=list)  #: every problem, all files
    rows: int = 0  #: rows read from the workbooks (0 when an error stopped the merge)
    merged: bool = False  #: True when the workbooks were merged (no error)
    changed: bool = False  #: True when ``collected.csv`` changed
    changes: list[ingest_history.Change] = field(default_factory=list)  #: old -> new, by field
    submission: dict[str, Any] | None = None  #: the log record, when something changed

    @property
    def ok(self) -> bool:
        """True when no error was found."""
        return not errors(self.problems)


def cell_ref(problem: Problem) -> str:
    """Return ``Sheet!C7`` for a workbook problem (``Sheet`` alone, or the file, when no cell).

    Examples
    --------
    >>> cell_ref(Problem("error", "x", "f.xlsx", "m", rows=(7,), column="C", table="Training"))
    'Training!C7'
    """
    if problem.table and problem.column and problem.rows:
        return f"{problem.table}!{problem.column}{problem.rows[0]}"
    return problem.table or problem.file


class _Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(
        self,
        sheet: str | None,
        cell: str | None,
        check: str,
        message: str,
        why: str,
        sample: Any = "",
        severity: str = "error",
    ) -> None:
        column = row = None
        if cell:
            column = "".join(ch for ch in cell if ch.isalpha())
            row = int("".join(ch for ch in cell if ch.isdigit()))
        where = f"{sheet}!{cell}" if sheet and cell else (sheet or self.file)
        self.problems.append(
            Problem(
                severity,  # type: ignore[arg-type]
                check,
                self.file,
                f"{where}: {message}",
                rows=(row,) if row else (),
                column=column,
                why=why,
                sample=(str(sample),) if sample != "" else (),
                table=sheet,
            )
        )


def _text(value: Any) -> str:
    """Return a cell's content as stored text: never evaluated (a formula stays its ``=...`` text)."""
    if value is None:
        return ""
    if not isinstance(value, str | int | float | _dt.date) and isinstance(
        getattr(value, "text", None), str
    ):
        return str(value.text).strip()  # an array formula: its text, never computed
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def _date(value: Any) -> str | None:
    """ISO text of a date cell (a date, or text ``YYYY-MM-DD``), None when it is not a date."""
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            return None
    return None


def read_workbook(
    path: str | os.PathLike[str],
    *,
    plan_items: pd.DataFrame,
    members: Sequence[str],
    country: str | None = None,
    year: int | None = None,
    lim: WorkbookLimits | None = None,
) -> tuple[list[dict[str, str]], list[Problem]]:
    """Read and check one returned workbook; return its rows (text fields) and every problem.

    The file is checked before it is read (:func:`corett_lib.raw.workbook_guard.check_workbook`: a
    real zip, not encrypted, within the size and ratio limits of ``parameters/limits.yaml``); rows,
    text length and numbers (finite, in range) are checked while reading.

    Parameters
    ----------
    path
        The ``.xlsx`` file.
    plan_items
        The plan items (the ids the rows must use).
    members
        The coalition's members.
    country, year
        When given, the workbook's country and year must be these.
    lim
        The limits (default: ``parameters/limits.yaml``).

    Returns
    -------
    rows, problems
        Rows with the fields of :data:`~corett_lib.dataset.monitoring.COLUMNS` (only rows where the member
        entered something), and the problems, each naming its ``Sheet!Cell``.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    p = Path(path)
    col = _Collector(p.name)
    lim = lim or workbook_guard.limits()
    unsafe = workbook_guard.check_workbook(p, lim)
    if unsafe:
        return [], unsafe
    try:
        # formulas are read as their text (data_only=False) and never computed
        wb = load_workbook(p, data_only=False, read_only=False)
    except (
        InvalidFileException,
        OSError,
        KeyError,
        ValueError,
        TypeError,
        zipfile.BadZipFile,
    ) as exc:
        col.add(
            None,
            None,
            "workbook_readable",
            f"cannot be read as an .xlsx workbook ({exc})",
            "members return the workbook written by corett template",
        )
        return [], col.problems
    digest = hashlib.sha256(p.read_bytes()).hexdigest()[:12]
    source = f"workbook {p.name} sha256:{digest}"

    ins = wb.worksheets[0]
    meta = {k: ins[c].value for k, c in META_CELLS.items()}
    iso3 = _text(meta["country"]).upper()
    if iso3 not in members:
        col.add(
            ins.title,
            META_CELLS["country"],
            "member_known",
            f"{iso3 or '(empty)'} is not a member ({', '.join(members)})",
            "each workbook is one member's report",
            iso3,
        )
    elif country and iso3 != country:
        col.add(
            ins.title,
            META_CELLS["country"],
            "country_matches",
            f"the workbook is for {iso3}, not {country}",
            "a workbook is ingested for the member it was made for",
            iso3,
        )
    y_text = _text(meta["year"])
    wb_year = int(y_text) if y_text.isdigit() else None
    if wb_year is None or not YEAR_RANGE[0] <= wb_year <= YEAR_RANGE[1]:
        col.add(
            ins.title,
            META_CELLS["year"],
            "year_in_range",
            f"year {y_text or '(empty)'} is not between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}",
            "the strategic plan runs 2019-2027",
            y_text,
        )
    elif year and wb_year != int(year):
        col.add(
            ins.title,
            META_CELLS["year"],
            "year_matches",
            f"the workbook is for {wb_year}, not {year}",
            "a workbook is ingested for the year it was made for",
            wb_year,
        )

    monitored = monitored_items(plan_items).set_index("id")
    sheets_by_axis: dict[str, str] = {}
    out: list[dict[str, str]] = []
    seen: dict[str, str] = {}
    for ws in wb.worksheets[1:]:
        axis_id = _text(ws[AXIS_ID_CELL].value)
        if axis_id not in AXIS_SHEETS:
            col.add(
                ws.title,
                AXIS_ID_CELL,
                "axis_known",
                f"{axis_id or '(empty)'} is not an axis of the monitored plans",
                "each sheet reports on one axis; do not edit this cell",
                axis_id,
            )
            continue
        sheets_by_axis[axis_id] = ws.title
        if ws.max_row > lim.max_rows:
            col.add(
                ws.title,
                None,
                "sheet_rows",
                i18n.t(
                    "workbook.too_many_rows", "en", sheet=ws.title, n=ws.max_row, limit=lim.max_rows
                ),
                workbook_guard.WHY_SAFE,
            )
            continue
        for r in range(FIRST_ROW, ws.max_row + 1):
            cells = {f: ws[f"{letter}{r}"] for letter, f in SHEET_COLUMNS.items()}
            entered = [
                f
                for f in (
                    "value",
                    "evidence_available",
                    "deadline",
                    "completed",
                    "cause_of_delay",
                    "notes",
                )
                if cells[f].value not in (None, "")
            ]
            item = _text(cells["plan_item_id"].value)
            if not item and not entered:
                continue
            ref = f"A{r}"
            if item not in monitored.index or monitored.at[item, "axis_id"] != axis_id:
                col.add(
                    ws.title,
                    ref,
                    "plan_item_known",
                    f"{item or '(empty)'} is not an item of axis {axis_id}",
                    "rows are the plan's items; do not edit the id column",
                    item,
                )
                continue
            if item in seen:
                col.add(
                    ws.title,
                    ref,
                    "item_unique",
                    f"{item} is also on {seen[item]}",
                    "one row per plan item",
                    item,
                )
                continue
            seen[item] = f"{ws.title}!{ref}"
            if not entered:
                continue
            kind = kind_of(item)
            rec = dict.fromkeys(COLUMNS, "")
            rec.update(plan_item_id=item, iso3=iso3, year=str(wb_year or ""), source=source)
            # value: a number >= 0, on indicator rows only; never a formula
            v = cells["value"]
            if v.value not in (None, ""):
                where = f"C{r}"
                if v.data_type == "f" or (isinstance(v.value, str) and v.value.startswith("=")):
                    col.add(
                        ws.title,
                        where,
                        "value_not_formula",
                        "a formula is not accepted; type the number",
                        "formulas are never evaluated by the workbench",
                        v.value,
                    )
                elif kind != "indicator":
                    col.add(
                        ws.title,
                        where,
                        "value_on_indicator",
                        f"{item} is a{'n' if kind[0] in 'aeio' else ''} {kind}: a value "
                        "belongs on indicator rows",
                        "activities report dates",
                        v.value,
                    )
                else:
                    number = _number(v.value)
                    refused = (
                        workbook_guard.number_problem(number, lim, _text(v.value))
                        if number is not None
                        else None
                    )
                    if refused:
                        col.add(
                            ws.title,
                            where,
                            "value_finite_in_range",
                            refused,
                            "a value is a count or an amount a report can show",
                            v.value,
                        )
                    elif number is None or number < 0:
                        col.add(
                            ws.title,
                            where,
                            "value_non_negative_number",
                            f"{v.value!r} is not a number >= 0",
                            "actuals are counts or amounts",
                            v.value,
                        )
                    else:
                        rec["value"] = str(int(number)) if number.is_integer() else repr(number)
            ev = _text(cells["evidence_available"].value).lower()
            if ev:
                if ev in YES_WORDS:
                    rec["evidence_available"] = YES_WORDS[ev]
                else:
                    col.add(
                        ws.title,
                        f"F{r}",
                        "yes_no",
                        f"{ev!r} is not yes or no",
                        "evidence availability is a yes/no answer",
                        ev,
                    )
            for f in ("deadline", "completed"):
                c = cells[f]
                if c.value in (None, ""):
                    continue
                where = f"{_LETTER[f]}{r}"
                if kind != "activity":
                    col.add(
                        ws.title,
                        where,
                        "date_on_activity",
                        f"{item} is not an activity: dates belong on activity rows",
                        "deadlines are set for activities",
                        c.value,
                    )
                    continue
                iso = _date(c.value)
                if iso is None:
                    col.add(
                        ws.title,
                        where,
                        "date_valid",
                        f"{_text(c.value)!r} is not a date (YYYY-MM-DD)",
                        "deadlines and completion dates are compared",
                        c.value,
                    )
                elif not f"{YEAR_RANGE[0]}" <= iso[:4] <= f"{YEAR_RANGE[1]}":
                    col.add(
                        ws.title,
                        where,
                        "date_in_range",
                        f"{iso} is not between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}",
                        "the strategic plan runs 2019-2027",
                        iso,
                    )
                else:
                    rec[f] = iso
            if rec["completed"] and not rec["deadline"] and kind == "activity":
                col.add(
                    ws.title,
                    f"G{r}",
                    "deadline_present",
                    "a completed activity needs its deadline",
                    "punctuality compares completion with the deadline",
                )
            for f in ("cause_of_delay", "notes"):
                rec[f] = _text(cells[f].value)
                too_long = workbook_guard.text_problem(rec[f], lim)
                if too_long:
                    col.add(
                        ws.title,
                        f"{_LETTER[f]}{r}",
                        "text_length",
                        too_long,
                        "text longer than a spreadsheet cell holds would be cut on export",
                        rec[f][:40] + "...",
                    )
            if rec["deadline"]:
                rec["on_time"] = on_time_of(rec["deadline"], rec["completed"], wb_year or 0)
                if rec["on_time"] == "no" and not rec["cause_of_delay"]:
                    col.add(
                        ws.title,
                        f"I{r}",
                        "cause_of_delay_present",
                        f"{item} is late: please record the cause of delay",
                        "Chart 4 asks for the causes of delay",
                        severity="warning",
                    )
            out.append(rec)
    for axis_id, names in AXIS_SHEETS.items():
        if axis_id not in sheets_by_axis:
            col.add(
                None,
                None,
                "axis_sheet_present",
                f"no sheet for axis {axis_id} ({names[0]} / {names[1]})",
                "a missing sheet reports nothing for its axis",
                axis_id,
                severity="warning",
            )
    return out, col.problems


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def ingest(
    files: Sequence[str | os.PathLike[str]],
    *,
    data: str | os.PathLike[str] | None = None,
    country: str | None = None,
    year: int | None = None,
    dry_run: bool = False,
    who: str | None = None,
) -> IngestResult:
    """Validate returned workbooks and merge them into ``monitoring/collected.csv``.

    Parameters
    ----------
    files
        The ``.xlsx`` workbooks.
    data
        Data folder (default: ``$CORETT_DATA`` or the shipped ``data/``).
    country, year
        When given, every workbook must be for this member and year.
    dry_run
        Validate and compute what would change (``IngestResult.changes``); write nothing.
    who
        Who submits, for the log (default: the login name).

    Returns
    -------
    IngestResult
        Every problem of every file. When any is an error nothing is merged. Otherwise each
        workbook's member-year replaces what ``collected.csv`` held for it (written aside, then
        renamed; unchanged content is not rewritten, so re-ingesting a file changes nothing), under
        the writers' lock, and the submission is appended to the log with what it replaced
        (:mod:`corett_lib.apps.ingest_history`).
    """
    import pandas as pd

    items, _ = read_plan_items(paths.raw_path("plan_items", data), "raw/plan_items.csv")
    members = config.members()
    lim = workbook_guard.limits()
    result = IngestResult()
    rows: list[dict[str, str]] = []
    years_seen: dict[tuple[str, str], str] = {}
    shas: list[tuple[str, str]] = []
    for f in files:
        recs, problems = read_workbook(
            f, plan_items=items, members=members, country=country, year=year, lim=lim
        )
        result.problems += problems
        if recs:
            shas.append((Path(f).name, hashlib.sha256(Path(f).read_bytes()).hexdigest()))
            key = (recs[0]["iso3"], recs[0]["year"])
            if key in years_seen:
                result.problems.append(
                    Problem(
                        "error",
                        "member_year_once",
                        Path(f).name,
                        f"{key[0]} {key[1]} is also reported by {years_seen[key]}",
                        why="one workbook per member and year",
                    )
                )
            years_seen[key] = Path(f).name
        rows += recs
    if not result.ok:
        return result
    new = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    # the same checks the loader applies, as a last guard before writing
    result.problems += [
        p
        for p in validate_rows(
            new, rel="(ingested rows)", known_items=monitored_items(items)["id"], members=members
        )
        if p.severity == "error"
    ]
    if not result.ok:
        return result
    result.rows = len(new)
    years = ingest_history.member_years(rows)
    if dry_run:
        existing = read_collected(data)
        result.changes = ingest_history.diff_rows(
            ingest_history.rows_of(existing, years),
            ingest_history.rows_of(merge_rows(existing, new), years),
        )
        return result
    with ingest_history.writers_lock(data):  # read, merge, write and log as one step
        existing = read_collected(data)
        before = ingest_history.rows_of(existing, years)
        merged = merge_rows(existing, new)
        after = ingest_history.rows_of(merged, years)
        result.changes = ingest_history.diff_rows(before, after)
        result.changed = write_table(merged, paths.monitoring_dir(data) / COLLECTED_FILE)
        if result.changed:
            result.submission = ingest_history.append(
                data, files=shas, before=before, after=after, changes=result.changes, who=who
            )
    result.merged = True
    return result


def revert(
    submission: int, *, data: str | os.PathLike[str] | None = None, who: str | None = None
) -> IngestResult:
    """Undo submission ``submission`` of the log: put back the rows it replaced.

    The revert is a submission of its own in the log (``kind: revert``). Done under the writers'
    lock.

    Raises
    ------
    corett_lib.apps.ingest_history.HistoryError
        When there is no such submission, or a later one changed the same member-years.
    """
    import pandas as pd

    result = IngestResult()
    with ingest_history.writers_lock(data):
        log = ingest_history.read_log(data)
        current = ingest_history.rows_of(read_collected(data))
        now, back, years = ingest_history.revert_rows(log, submission, current)
        keep = [r for r in current if (r["iso3"], r["year"]) not in years]
        table = pd.DataFrame.from_records(keep + back, columns=list(COLUMNS)).astype(object)
        table["year"] = table["year"].astype(int)
        table = finish(table, list(KEY), name=TABLE)
        result.changes = ingest_history.diff_rows(now, back)
        result.rows = len(back)
        result.changed = write_table(table, paths.monitoring_dir(data) / COLLECTED_FILE)
        result.submission = ingest_history.append(
            data,
            files=[],
            before=now,
            after=back,
            changes=result.changes,
            who=who,
            reverts=submission,
        )
    result.merged = True
    return result


__all__ = [
    "AXIS_SHEETS",
    "MONITORED_PLANS",
    "IngestResult",
    "cell_ref",
    "ingest",
    "read_workbook",
    "revert",
    "template_path",
    "write_template",
]
